/*
 * dittofs-stated: owner of all protocol state (DESIGN.md section 5).
 * It parses no network input; front ends reach it over stated.sock with
 * the message sets of common/stated_*.x (stated_common.x has the map):
 * locks and shares, grace and clients, the reply cache, and pushes.
 */
#ifndef DITTOFS_STATED_H
#define DITTOFS_STATED_H

#include <sys/queue.h>
#include <stdint.h>
#include <time.h>

#include "clients.h"
#include "daemon.h"
#include "drc.h"
#include "grant.h"
#include "lock_table.h"
#include "push.h"
#include "session_table.h"
#include "stated_client.h"
#include "stated_drc.h"
#include "stated_durable.h"
#include "stated_grant.h"
#include "stated_lock.h"
#include "stated_push.h"
#include "stated_session.h"
#include "stated_v4.h"
#include "v4state.h"

#define STATED_SWEEP_SECONDS	30

/*
 * A request the lock table queued, and the front end connection that
 * sent it: the ST_PUSH_GRANTED push goes to that front end.  When that
 * connection goes, its
 * waiters are cancelled; the front end re-announces them when it comes
 * back (lockd does), or its clients ask again.
 */
struct stated_waiter {
	TAILQ_ENTRY(stated_waiter) entry;
	uint64_t		 id;		/* the lock table's cookie */
	struct ipc_peer		*peer;		/* NULL: detached */
	uint64_t		 fe_cookie;	/* the front end's */
	struct lock_file_id	 file;
	enum lock_protocol	 protocol;
	enum lock_semantics	 semantics;
	uint64_t		 client_id;
	char			*host;
	uint8_t			*bytes;
	size_t			 bytes_len;
	uint32_t		 svid;
	uint64_t		 offset;
	uint64_t		 length;
	enum lock_type		 type;
};

struct stated_env {
	struct daemon		*daemon;
	struct lock_table	*locks;
	struct stated_clients	*clients;
	TAILQ_HEAD(, stated_waiter) waiters;
	uint64_t		 next_waiter_id;
	time_t			 grace_end;
	unsigned int		 grace_pending;	/* reclaimable, not done */
	struct event		*ev_grace;
	struct event		*ev_sweep;
	uint64_t		 requests;
	uint64_t		 grants;
	/* Per-host limits (dittofs.conf(5) [stated]). */
	size_t			 locks_per_host;
	size_t			 clients_per_addr;
	uint64_t		 limit_hits;
	/* nfsd's duplicate request cache, in memory (drc.h). */
	struct drc_table	*drc;
	uint64_t		 drc_puts;
	uint64_t		 drc_refused;
	/* Pushes kept until their front end acknowledges them (push.h). */
	struct push_queue	*pushes;
	uint64_t		 pushes_sent;
	uint64_t		 pushes_refused;
	/* NFSv4.0 clients and state ids (v4state.h). */
	struct v4_state		*v4;
	uint64_t		 v4_limit_hits;	/* before this request */
	uint64_t		 v4_purges;	/* before this request */
	/* NFSv4.1 clients and sessions (session_table.h). */
	struct session_table	*sessions;
	uint64_t		 session_limit_hits;	/* before this request */
	uint64_t		 session_reaped;	/* before this request */
	uint64_t		 session_slots_refused;
	size_t			 session_memory_max;
	/* Caching grants: NFSv4 delegations (grant.h, v4.c). */
	struct grant_table	*caching;
	struct event		*ev_grant;	/* revocation timer */
	int			 grant_timer_on;
	size_t			 smb_grants_max;	/* per SMB session */
	/* SMB durable handles (durable.c). */
	TAILQ_HEAD(, stated_durable) durables;
	struct stated_durable_hash *durable_hash;	/* by open id */
	size_t			 ndurables;
	struct event		*ev_durable;	/* the scavenger */
	int			 durable_timer_on;
	uint64_t		 durable_scavenged;
	size_t			 durable_per_user;	/* [stated] */
};

/* stated.c */
extern const struct ipc_handler stated_handlers[];
extern const size_t stated_nhandlers;
struct stated_env *stated_env_of(struct ipc_peer *);
void		 stated_reply(struct ipc_peer *, struct ipc_msg *,
		    struct st_reply *);
void		 stated_reply_status(struct ipc_peer *, struct ipc_msg *,
		    int);
int		 stated_decode(struct ipc_peer *, struct ipc_msg *,
		    xdrproc_t, void *);
int		 stated_protocol_ok(struct ipc_peer *, int);
int		 stated_push(struct stated_env *, struct ipc_peer *,
		    const st_push_body *);
/* To a front end by role and HELLO name, connected now or not. */
int		 stated_push_to(struct stated_env *, uint32_t role,
		    const char *name, const st_push_body *);
void		 stated_push_nfsds(struct stated_env *, const st_push_body *);

/* lock.c: common/stated_lock.x */
int		 stated_file_in(const st_file *, struct lock_file_id *);
void		 stated_lock(struct ipc_peer *, struct ipc_msg *);
void		 stated_range(struct ipc_peer *, struct ipc_msg *);
void		 stated_share(struct ipc_peer *, struct ipc_msg *);
void		 stated_unshare(struct ipc_peer *, struct ipc_msg *);
void		 stated_release_host(struct ipc_peer *, struct ipc_msg *);
void		 stated_release_client(struct ipc_peer *, struct ipc_msg *);
void		 stated_ctl_locks(struct ipc_peer *, struct ipc_msg *);
void		 stated_grant_cb(void *, const struct lock_info *);
void		 stated_waiter_free(struct stated_env *,
		    struct stated_waiter *);
void		 stated_waiters_cancel(struct stated_env *,
		    struct ipc_peer *);

/* grace.c: common/stated_client.x */
void		 stated_grace_init(struct stated_env *, struct event_base *,
		    long long);
int		 stated_in_grace(const struct stated_env *);
int		 stated_grace_check(struct stated_env *,
		    struct stated_client *, int);
void		 stated_client_done(struct stated_env *,
		    struct stated_client *, const char *);
int		 stated_client_of(struct stated_env *, struct lock_owner *,
		    const char *, struct stated_client **);
int		 stated_note_state(struct stated_env *,
		    struct stated_client *);
void		 stated_grace_info(struct ipc_peer *, struct ipc_msg *);
void		 stated_ctl_grace_end(struct ipc_peer *, struct ipc_msg *);

/* v4.c: common/stated_v4.x */
void		 stated_v4_setclientid(struct ipc_peer *, struct ipc_msg *);
void		 stated_v4_confirm(struct ipc_peer *, struct ipc_msg *);
void		 stated_v4_clientid(struct ipc_peer *, struct ipc_msg *);
void		 stated_v4_callback(struct ipc_peer *, struct ipc_msg *);
void		 stated_v4_open(struct ipc_peer *, struct ipc_msg *);
void		 stated_v4_open_replay(struct ipc_peer *, struct ipc_msg *);
void		 stated_v4_seqid(struct ipc_peer *, struct ipc_msg *);
void		 stated_v4_lock(struct ipc_peer *, struct ipc_msg *);
void		 stated_v4_lockt(struct ipc_peer *, struct ipc_msg *);
void		 stated_v4_release_lockowner(struct ipc_peer *,
		    struct ipc_msg *);
void		 stated_v4_check(struct ipc_peer *, struct ipc_msg *);
void		 stated_v4_test_stateid(struct ipc_peer *, struct ipc_msg *);
void		 stated_v4_free_stateid(struct ipc_peer *, struct ipc_msg *);
void		 stated_v4_ctl_clients(struct ipc_peer *, struct ipc_msg *);
void		 stated_v4_configure(struct stated_env *, long long, size_t,
		    size_t);
void		 stated_v4_sweep(struct stated_env *);
void		 stated_v4_clock(struct stated_env *);
/* Delegations: common/stated_grant.x */
void		 stated_grant_delegate(struct ipc_peer *, struct ipc_msg *);
void		 stated_grant_return(struct ipc_peer *, struct ipc_msg *);
void		 stated_grant_conflict(struct ipc_peer *, struct ipc_msg *);
void		 stated_grant_claim_cur(struct ipc_peer *, struct ipc_msg *);
void		 stated_grant_files(struct ipc_peer *, struct ipc_msg *);
void		 stated_grant_dir_delegate(struct ipc_peer *, struct ipc_msg *);
void		 stated_grant_dir_change(struct ipc_peer *, struct ipc_msg *);
void		 stated_grant_ctl_list(struct ipc_peer *, struct ipc_msg *);
void		 stated_grant_init(struct stated_env *, struct event_base *);
/* lease.c: SMB oplocks and leases, common/stated_grant.x */
void		 stated_grant_smb(struct ipc_peer *, struct ipc_msg *);
void		 stated_grant_smb_return(struct ipc_peer *, struct ipc_msg *);
void		 stated_grant_smb_lease(struct ipc_peer *, struct ipc_msg *);
void		 stated_grant_smb_oplock(struct ipc_peer *, struct ipc_msg *);
void		 stated_grant_smb_conflict(struct ipc_peer *, struct ipc_msg *);
void		 stated_grant_timer(struct stated_env *);
size_t		 stated_grant_recall(struct stated_env *,
		    const struct lock_file_id *, int protocol, uint64_t client,
		    int write, int lock);

/* durable.c: SMB durable handles, common/stated_durable.x */
void		 stated_durable_open(struct ipc_peer *, struct ipc_msg *);
void		 stated_durable_close(struct ipc_peer *, struct ipc_msg *);
void		 stated_durable_doom(struct ipc_peer *, struct ipc_msg *);
void		 stated_durable_disconnect(struct ipc_peer *,
		    struct ipc_msg *);
void		 stated_durable_reconnect(struct ipc_peer *,
		    struct ipc_msg *);
void		 stated_durable_ctl_list(struct ipc_peer *, struct ipc_msg *);
/* An SMB grant of client_id is recalled (v4.c's grant event). */
int		 stated_durable_recalled(struct stated_env *, uint64_t);
void		 stated_durable_peer_gone(struct stated_env *,
		    struct ipc_peer *);
void		 stated_durable_init(struct stated_env *, struct event_base *);
void		 stated_durable_stop(struct stated_env *);
void		 stated_durable_status(struct stated_env *, char *, size_t);

/* session.c: common/stated_session.x */
void		 stated_session_exchange_id(struct ipc_peer *,
		    struct ipc_msg *);
void		 stated_session_create(struct ipc_peer *, struct ipc_msg *);
void		 stated_session_destroy(struct ipc_peer *, struct ipc_msg *);
void		 stated_session_mach_check(struct ipc_peer *, struct ipc_msg *);
void		 stated_session_destroy_clientid(struct ipc_peer *,
		    struct ipc_msg *);
void		 stated_session_reclaim_complete(struct ipc_peer *,
		    struct ipc_msg *);
void		 stated_session_slot_done(struct ipc_peer *, struct ipc_msg *);
void		 stated_session_back(struct ipc_peer *, struct ipc_msg *);
void		 stated_session_back_ctl(struct ipc_peer *, struct ipc_msg *);
void		 stated_session_shrink(struct ipc_peer *, struct ipc_msg *);
void		 stated_session_load(struct ipc_peer *, struct ipc_msg *);
void		 stated_session_ctl_list(struct ipc_peer *, struct ipc_msg *);
void		 stated_session_configure(struct stated_env *, long long,
		    const struct session_limits *);
void		 stated_session_sweep(struct stated_env *);
int		 stated_session_courtesy(struct stated_env *, uint64_t);

#endif
