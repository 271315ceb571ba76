/*
 * dittofs-statd's persistent state: the NSM state number and the
 * monitor list, as text:
 *
 *   state N
 *   stated-epoch E
 *   mon MON_NAME MY_NAME PROG VERS PROC PRIV_HEX
 *
 * Names are 1..SM_MAXSTRLEN printable bytes without blanks; a line that
 * does not parse is logged and skipped.  priv is the monitored host's
 * address as lockd saw it (IPv4 as ::ffff:a.b.c.d): one host name may
 * be monitored at several addresses, one entry each.
 *
 * The text lives in two fixed files of the state directory, "sm.a" and
 * "sm.b" (an A/B pair), that statd opens before it enters its sandbox
 * and keeps as plain file descriptors: it holds no directory descriptor
 * and needs no open(2) afterwards.  A slot is a 32-byte header (magic,
 * generation, length, checksum; big endian) and the text.  A save
 * rewrites the slot with the older generation in place (pwrite,
 * ftruncate, fdatasync), so a crash in the middle of a save leaves the
 * other slot whole; a load takes the valid slot with the highest
 * generation.  The one-file format of earlier versions ("sm") is read
 * once and migrated.
 */
#ifndef DITTOFS_STATD_MONITOR_H
#define DITTOFS_STATD_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#define MONITOR_NAME_MAX	1024
#define MONITOR_PRIV_SIZE	16
#define MONITOR_MAX		65536
#define MONITOR_LEGACY_FILE	"sm"	/* before the A/B pair */
#define MONITOR_SLOT_A		"sm.a"
#define MONITOR_SLOT_B		"sm.b"
#define MONITOR_SLOT_HEADER	32
#define MONITOR_TEXT_MAX	(MONITOR_MAX * 128 + 4096)

struct monitor_entry {
	char		*mon_name;
	char		*my_name;
	int		 my_prog;
	int		 my_vers;
	int		 my_proc;
	uint8_t		 priv[MONITOR_PRIV_SIZE];
};

struct monitor {
	int			 state;		/* odd: up */
	uint64_t		 stated_epoch;	/* last seen; 0: none */
	struct monitor_entry	*v;
	size_t			 n;
	void			(*log)(const char *);
};

/* The A/B pair; generation 0: the slot holds nothing valid. */
struct monitor_store {
	int		 fd[2];
	uint64_t	 generation[2];
};

/* monitor.c */
int	 monitor_name_valid(const char *);
int	 monitor_parse(struct monitor *, const char *text, size_t len);
/* The text of the state; malloc'ed, *len set; NULL on failure. */
char	*monitor_format(const struct monitor *, size_t *len);
/* Open (creating) both slots under dir; before the sandbox.  0 or -1. */
int	 monitor_store_open(struct monitor_store *, const char *dir);
void	 monitor_store_close(struct monitor_store *);
/* 1: loaded from a valid slot, 0: none valid (empty state), -1: error. */
int	 monitor_store_load(struct monitor_store *, struct monitor *);
int	 monitor_store_save(struct monitor_store *, const struct monitor *);
/* Validate one slot's bytes: its generation, or 0 if not valid. */
uint64_t monitor_slot_check(const uint8_t *, size_t, const char **text,
	    size_t *textlen);
/* The old one-file format: 1 loaded, 0 absent, -1 error. */
int	 monitor_load_legacy(const char *path, struct monitor *);
/* An entry for this name at this address (priv), or NULL. */
const struct monitor_entry *monitor_find(const struct monitor *,
	    const char *mon_name, const uint8_t *priv);
/* Add or replace (same mon_name, my_id, priv); 0, or -1 (bad or full). */
int	 monitor_add(struct monitor *, const char *mon_name,
	    const char *my_name, int prog, int vers, int proc,
	    const uint8_t *priv);
size_t	 monitor_remove(struct monitor *, const char *mon_name,
	    const char *my_name, int prog, int vers, int proc);
void	 monitor_clear(struct monitor *);
/* The next state number after a restart: odd, larger. */
int	 monitor_next_state(int);

#endif
