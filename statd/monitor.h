/*
 * dittofs-statd's persistent state: the NSM state number and the
 * monitor list, in one small text file ("sm") in statd's state
 * directory, replaced atomically (write, fsync, rename) on each change:
 *
 *   state N
 *   stated-epoch E
 *   mon MON_NAME MY_NAME PROG VERS PROC PRIV_HEX
 *
 * Names are 1..SM_MAXSTRLEN printable bytes without blanks; a line that
 * does not parse is logged and skipped.
 */
#ifndef DITTOFS_STATD_MONITOR_H
#define DITTOFS_STATD_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#define MONITOR_NAME_MAX	1024
#define MONITOR_PRIV_SIZE	16
#define MONITOR_MAX		65536
#define MONITOR_FILE		"sm"

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

/* monitor.c */
int	 monitor_name_valid(const char *);
int	 monitor_load(int dirfd, struct monitor *);
int	 monitor_save(int dirfd, const struct monitor *);
int	 monitor_parse(struct monitor *, const char *text, size_t len);
/* Add or replace (same mon_name and my_id); 0, or -1 (bad or full). */
int	 monitor_add(struct monitor *, const char *mon_name,
	    const char *my_name, int prog, int vers, int proc,
	    const uint8_t *priv);
size_t	 monitor_remove(struct monitor *, const char *mon_name,
	    const char *my_name, int prog, int vers, int proc);
void	 monitor_clear(struct monitor *);
/* The next state number after a restart: odd, larger. */
int	 monitor_next_state(int);

#endif
