/*
 * common/connlimit.h: the connection policy every RPC transport applies
 * (common/rpcsvc.c, for nfsd, lockd and statd), so that one client
 * cannot take what the others need (DESIGN.md section 6):
 *
 * - at most max_conns connections, and at most max_per_addr of them from
 *   one address (a hash table of addresses counts them);
 * - a connection that has made no progress (nothing read from it, nothing
 *   written to it) for idle_seconds, with no request in flight, is closed:
 *   an idle one, one sending half a record, and one that stopped reading
 *   its replies alike;
 * - queued output is counted per connection and in total: a connection
 *   may read a new request only while its own output is under
 *   out_per_conn and, if it has output queued, while the total is under
 *   out_total.  A connection that reads its replies has nothing queued,
 *   so it is never held back by the others.
 *
 * The transport embeds a struct connlimit_conn in each connection, tells
 * this module what happens (admit, activity, output added or written,
 * requests in flight) and asks it what to do (may it read, which
 * connections have expired).  Pure bookkeeping: no I/O, no events, time
 * passed in, so tests/unit/test_connlimit.c drives it directly.
 */
#ifndef DITTOFS_COMMON_CONNLIMIT_H
#define DITTOFS_COMMON_CONNLIMIT_H

#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct conf;

struct connlimit_conf {
	size_t		max_conns;	/* in total */
	size_t		max_per_addr;	/* 0: max_conns / CONNLIMIT_ADDR_SHARE */
	unsigned int	idle_seconds;	/* 0: never */
	size_t		out_per_conn;	/* bytes queued per connection */
	size_t		out_total;	/* bytes queued, all connections */
};

/* The default share of one address: an eighth of the slots. */
#define CONNLIMIT_ADDR_SHARE	8

struct connlimit_addr;

struct connlimit_conn {
	void				*owner;	/* the transport's connection */
	uint8_t				 addr[16];
	struct connlimit_addr		*a;
	size_t				 out_bytes;
	unsigned int			 inflight;
	time_t				 last_progress;
	int				 admitted;
	int				 on_idle;	/* in the idle list */
	TAILQ_ENTRY(connlimit_conn)	 idle_entry;
};

enum connlimit_verdict {
	CONNLIMIT_OK,
	CONNLIMIT_TOTAL,	/* max_conns reached */
	CONNLIMIT_ADDR,		/* max_per_addr reached for the address */
};

struct connlimit;

/* The [section]'s keys: max connections, connections per address, ... */
void		 connlimit_conf_read(struct connlimit_conf *,
		    const struct conf *, const char *section);
struct connlimit *connlimit_new(const struct connlimit_conf *);
void		 connlimit_free(struct connlimit *);
/* New bounds (a reload); connections already open stay. */
void		 connlimit_set_conf(struct connlimit *,
		    const struct connlimit_conf *);
const struct connlimit_conf *connlimit_conf(const struct connlimit *);
/* The effective per-address bound. */
size_t		 connlimit_per_addr(const struct connlimit *);

/*
 * A new connection from addr (IPv4 as ::ffff:a.b.c.d): counted and
 * CONNLIMIT_OK, or refused (nothing counted; close it).
 */
enum connlimit_verdict connlimit_admit(struct connlimit *,
		    struct connlimit_conn *, void *owner,
		    const uint8_t addr[16], time_t now);
/* The connection is closed: its slot and queued output are given back. */
void		 connlimit_release(struct connlimit *, struct connlimit_conn *);
/* Bytes were read from it or written to it. */
void		 connlimit_progress(struct connlimit *, struct connlimit_conn *,
		    time_t now);
/* A request started (+1) or ended (-1): busy connections never expire. */
void		 connlimit_inflight(struct connlimit *, struct connlimit_conn *,
		    int delta, time_t now);
void		 connlimit_out_add(struct connlimit *, struct connlimit_conn *,
		    size_t);
void		 connlimit_out_done(struct connlimit *, struct connlimit_conn *,
		    size_t);
/* May the transport read another request from it now? */
int		 connlimit_may_read(const struct connlimit *,
		    const struct connlimit_conn *);
/*
 * The connection that has made no progress longest, if that is at least
 * idle_seconds ago and nothing is in flight on it; NULL otherwise.  The
 * caller closes it (and so releases it) and asks again.
 */
struct connlimit_conn *connlimit_expired(struct connlimit *, time_t now);
/* Seconds on CLOCK_MONOTONIC: what "now" means above. */
time_t		 connlimit_now(void);
/* How often to look for expired connections, in seconds. */
unsigned int	 connlimit_sweep_seconds(const struct connlimit *);

/* Count a refused connection; the caller logs it with log_warnx_rl. */
void		 connlimit_refused(struct connlimit *);

size_t		 connlimit_count(const struct connlimit *);
size_t		 connlimit_addr_count(const struct connlimit *,
		    const uint8_t addr[16]);
size_t		 connlimit_out_total(const struct connlimit *);
uint64_t	 connlimit_refusals(const struct connlimit *);

#endif
