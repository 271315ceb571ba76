/*
 * Client records of dittofs-stated, persisted in Berkeley DB (a
 * transactional environment of its own in <state dir>/clients), so that
 * after a restart stated knows who may reclaim (DESIGN.md section 5).
 *
 * The model is nfsdcld's epochs.  Every start of stated is a new epoch
 * (a counter in the database, bumped and made durable at open).  A
 * record says in which epoch its client last held state (a lock or a
 * share reservation), 0 meaning none.  At open, the records with a
 * non-zero epoch are the clients that held state before the restart:
 * they are "reclaimable", and only they may reclaim during grace.
 * When a client is granted state, its record takes the current epoch,
 * durably, before the grant is answered (so a client never holds state
 * that a restart would forget to let it reclaim).  When it holds none
 * any more, its epoch goes back to 0 without a log flush: losing that
 * write in a crash only makes a grace period wait for it.
 *
 * Records are keyed by (protocol, name): for NLM the name is lockd's
 * host key, caller_name@address (records of earlier versions, keyed by
 * caller_name alone, get the new key at open, with the address they
 * hold); NFSv4 will use its client owner.  A
 * record that holds nothing may be removed (stated does, to keep the
 * records of one address within "clients per address").  A record's id is the
 * lock table's client id for that client.
 */
#ifndef DITTOFS_STATED_CLIENTS_H
#define DITTOFS_STATED_CLIENTS_H

#include <stddef.h>
#include <stdint.h>

#define CLIENTS_NAME_MAX	1024
#define CLIENTS_ADDR_MAX	64

struct stated_client {
	int		 protocol;
	char		*name;
	char		 addr[CLIENTS_ADDR_MAX + 1];
	uint64_t	 id;
	uint64_t	 epoch;		/* last epoch with state; 0: none */
	/* In memory only, for the grace period of this start. */
	int		 reclaimable;	/* held state before this start */
	int		 reclaimed;	/* sent a reclaim that was granted */
	int		 done;		/* nothing more to reclaim */
	int		 has_state;	/* scratch for the sweep */
};

struct stated_clients;

typedef void	(*clients_log_fn)(const char *);

/* clients.c */
int		 clients_open(const char *dir, clients_log_fn,
		    struct stated_clients **, char *err, size_t errlen);
void		 clients_close(struct stated_clients *);
uint64_t	 clients_epoch(const struct stated_clients *);
size_t		 clients_count(const struct stated_clients *);
struct stated_client *clients_at(struct stated_clients *, size_t);
struct stated_client *clients_find(struct stated_clients *, int protocol,
		    const char *name);
/* Find or create (in memory; stored once it holds state). */
struct stated_client *clients_get(struct stated_clients *, int protocol,
		    const char *name, const char *addr);
/* It holds state now: durable before returning.  0 or -1. */
int		 clients_note_state(struct stated_clients *,
		    struct stated_client *);
/* It holds none: stored without a log flush.  0 or -1. */
int		 clients_clear_state(struct stated_clients *,
		    struct stated_client *);
int		 clients_checkpoint(struct stated_clients *);
/* Records of one protocol with this address. */
size_t		 clients_count_addr(const struct stated_clients *, int protocol,
		    const char *addr);
/* Forget a record, in memory and on disk; cl is freed.  0 or -1. */
int		 clients_remove(struct stated_clients *,
		    struct stated_client *);

#endif
