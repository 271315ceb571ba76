/*
 * NFSv4.1 clients and sessions of dittofs-stated (RFC 8881 sections 2.10,
 * 18.35-18.37, 18.50, 18.51), behind common/stated_session.x.  A pure,
 * single-threaded data structure like v4state.h: no IPC, no clock of
 * its own (the caller sets the time before each call).
 *
 * Model
 *
 * - A client is {verifier, co_ownerid, principal, address}, confirmed
 *   by its first CREATE_SESSION (18.35.5, 18.36.4).  Its clientid4 is
 *   the stated epoch with the top bit set (high 32 bits) and a keyed
 *   counter, so it is never a v4.0 clientid (v4state.h: the epoch alone)
 *   and both share the lock table's NFSv4 owners without meeting; an
 *   earlier start's clientid is NFS4ERR_STALE_CLIENTID.
 * - A client has the one-slot CREATE_SESSION cache of 18.36.4: the
 *   sequence id and the kept result of its last CREATE_SESSION.
 * - A session is 16 bytes of id (clientid, a keyed counter, random),
 *   the negotiated channel attributes and a slot table; a slot keeps
 *   its sequence id, the digest of its last request and, when the
 *   client asked for it, that request's whole reply.
 * - Memory: each session reserves, when it is made, what its slots can
 *   ever hold (slots x negotiated ca_maxresponsesize_cached) against a
 *   total; a slot's reply never exceeds its share, so SLOT_DONE never
 *   fails for memory.  Beyond a limit CREATE_SESSION answers
 *   NFS4ERR_NOSPC, after sessions of lapsed clients made what room they
 *   can (a conflict ends courtesy).
 * - Leases: CREATE_SESSION and SLOT_DONE renew.  A lapsed client keeps
 *   its sessions and state (courtesy, as v4state.h) until it conflicts
 *   with another's: a lock (session_table_courtesy), room for sessions;
 *   the sweep reaps one that holds no state, or was lapsed a day.
 * - Grace: a confirmed client has a client record (clients.h, protocol
 *   NFSv4, named "41:" and its co_ownerid in hex), so after a stated
 *   restart it may reclaim as v4.0 clients do; RECLAIM_COMPLETE (and
 *   DESTROY_CLIENTID) of a reclaimable one calls the done callback.
 * - Open, lock and delegation state of a v4.1 client is v4state's
 *   (v4state.h: one client table, a v4.1 client there is a shadow of
 *   the confirmed client here).  This table is its truth for "is the
 *   client confirmed, has its lease lapsed, its record, RECLAIM_COMPLETE"
 *   (session_table_client_use); when a confirmed client goes, for
 *   whatever reason, the forget callback tells v4state, which frees its
 *   opens, locks and delegations.  DESTROY_CLIENTID is refused while the
 *   client has sessions, or state under an unexpired lease (18.50.3:
 *   CLIENTID_BUSY); a lapsed one's state goes with it.
 * - What stated drops on its own (a reaped client, sessions freed for
 *   memory) the gone callback reports, so that nfsd drops its mirror
 *   (stated_push.x, ST_PUSH_FORGET).
 */
#ifndef DITTOFS_STATED_SESSION_TABLE_H
#define DITTOFS_STATED_SESSION_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "clients.h"
#include "lock_table.h"

#define SESSION_ID_SIZE		16
#define SESSION_VERIFIER_SIZE	8
#define SESSION_OWNER_MAX	1024
#define SESSION_PRINCIPAL_MAX	1024
#define SESSION_IMPL_MAX	1024
#define SESSION_ADDR_MAX	64
#define SESSION_DIGEST_MAX	32
#define SESSION_REPLY_MAX	65536
#define SESSION_SLOTS_MAX	1024
#define SESSION_CB_SEC_MAX	1536	/* stated_session.x */
#define SESSION_OPERATIONS_MAX	128
#define SESSION_BACK_SLOTS_MAX	16
#define SESSION_SIZE_MIN	512
#define SESSION_COURTESY_MAX	(24 * 3600)

/* The clientid4 bit that marks a v4.1 client (high word: epoch | it). */
#define SESSION_CLIENTID_BIT	(1ULL << 63)

/* nfsstat4 values (RFC 8881 15), as stated_session.x has them. */
enum session_status {
	SESSION_OK = 0,
	SESSIONERR_PERM = 1,
	SESSIONERR_NOENT = 2,
	SESSIONERR_INVAL = 22,
	SESSIONERR_NOSPC = 28,
	SESSIONERR_TOOSMALL = 10005,
	SESSIONERR_SERVERFAULT = 10006,
	SESSIONERR_CLID_INUSE = 10017,
	SESSIONERR_RESOURCE = 10018,
	SESSIONERR_STALE_CLIENTID = 10022,
	SESSIONERR_NOT_SAME = 10027,
	SESSIONERR_BADSESSION = 10052,
	SESSIONERR_BADSLOT = 10053,
	SESSIONERR_COMPLETE_ALREADY = 10054,
	SESSIONERR_SEQ_MISORDERED = 10063,
	SESSIONERR_REP_TOO_BIG_TO_CACHE = 10067,
	SESSIONERR_CLIENTID_BUSY = 10074,
	SESSIONERR_ENCR_ALG_UNSUPP = 10079,
	SESSIONERR_WRONG_CRED = 10082
};

#define SESSION_EXCHGID_USE_NON_PNFS		0x00010000u
#define SESSION_EXCHGID_UPD_CONFIRMED_REC_A	0x40000000u
#define SESSION_EXCHGID_CONFIRMED_R		0x80000000u
#define SESSION_FLAG_PERSIST			1u
#define SESSION_FLAG_CONN_BACK_CHAN		2u
#define SESSION_FLAG_CONN_RDMA			4u
#define SESSION_SP4_NONE			0u
#define SESSION_SP4_MACH_CRED			1u
#define SESSION_SP4_SSV				2u

struct session_channel {
	uint32_t	 headerpadsize;
	uint32_t	 maxrequestsize;
	uint32_t	 maxresponsesize;
	uint32_t	 maxresponsesize_cached;
	uint32_t	 maxoperations;
	uint32_t	 maxrequests;
};

/* dittofs.conf(5) [stated]; read at start and on reload. */
struct session_limits {
	size_t		 sessions_per_client;
	size_t		 slots_per_session;
	uint32_t	 max_request;
	uint32_t	 max_response;
	uint32_t	 cached_max;	/* bytes kept per slot */
	size_t		 memory_max;	/* bytes, all clients */
	size_t		 clients_per_addr;
};

struct session_exchange_args {
	const uint8_t	*verifier;	/* SESSION_VERIFIER_SIZE */
	const uint8_t	*owner;
	size_t		 owner_len;
	uint32_t	 flags;		/* eia_flags */
	uint32_t	 protect;	/* SESSION_SP4_* */
	const char	*principal;
	const char	*addr;
	const char	*impl_domain;
	const char	*impl_name;
};

struct session_exchange_res {
	uint64_t	 clientid;
	uint32_t	 sequenceid;
	uint32_t	 flags;
};

struct session_create_args {
	uint64_t	 clientid;
	uint32_t	 sequence;
	uint32_t	 flags;
	const char	*principal;
	struct session_channel fore;
	struct session_channel back;
	uint32_t	 cb_program;
	const uint8_t	*cb_sec;
	size_t		 cb_sec_len;
};

/* Also what the client's CREATE_SESSION slot keeps for a replay. */
struct session_create_res {
	uint32_t	 status;
	uint8_t		 sessionid[SESSION_ID_SIZE];
	uint32_t	 sequence;
	uint32_t	 flags;
	struct session_channel fore;
	struct session_channel back;
	int		 replay;
};

/* What LOAD tells nfsd of a session, and each used slot after it. */
struct session_info {
	const uint8_t	*sessionid;
	uint64_t	 clientid;
	uint32_t	 flags;
	struct session_channel fore;
	struct session_channel back;
	uint32_t	 cb_program;
	const uint8_t	*cb_sec;
	size_t		 cb_sec_len;
	uint32_t	 cb_seqid;
	int		 back_state;	/* SESSION_BACK_* */
	long long	 renewed;	/* seconds ago */
	uint32_t	 slots;
	uint32_t	 slots_used;
	size_t		 cached_bytes;
};

struct session_slot_info {
	uint32_t	 slotid;
	uint32_t	 seqid;
	int		 cached;
	const uint8_t	*digest;
	size_t		 digest_len;
	const uint8_t	*reply;
	size_t		 reply_len;
};

struct session_client_info {
	uint64_t	 clientid;
	const uint8_t	*owner;
	size_t		 owner_len;
	const char	*principal;
	const char	*addr;
	const char	*impl_name;
	int		 confirmed;
	int		 lapsed;
	int		 reclaim_complete;
	long long	 idle;
	size_t		 sessions;
};

struct session_table_stats {
	size_t		 clients;
	size_t		 sessions;
	size_t		 bytes;
	uint64_t	 limit_hits;
	uint64_t	 reaped;	/* lapsed clients' sessions reaped */
};

struct session_table;

/* A reclaimable client's record has nothing more to reclaim. */
typedef void	(*session_done_cb)(void *, struct stated_client *,
		    const char *why);
typedef int	(*session_client_cb)(void *,
		    const struct session_client_info *);
typedef int	(*session_cb)(void *, const struct session_info *);
typedef int	(*session_slot_cb)(void *, const struct session_slot_info *);
/* A confirmed client goes: its open and lock state goes too (v4state). */
typedef void	(*session_forget_cb)(void *, uint64_t clientid);
/* stated dropped a session (sessionid) or a whole client (NULL) on its
 * own, not at that client's request. */
typedef void	(*session_gone_cb)(void *, uint64_t clientid,
		    const uint8_t *sessionid);

/* What v4state needs of a v4.1 client (session_table_client_use). */
struct session_client_use {
	int		 lapsed;
	int		 reclaim_complete;
	struct stated_client *record;	/* NULL: none kept */
	const uint8_t	*owner;
	size_t		 owner_len;
	const char	*principal;
	const char	*addr;
};

/* session_table.c */
struct session_table *session_table_new(struct lock_table *,
		    struct stated_clients *, uint64_t epoch);
void		 session_table_free(struct session_table *);
void		 session_table_set_now(struct session_table *, time_t);
void		 session_table_set_lease(struct session_table *, time_t);
time_t		 session_table_lease(const struct session_table *);
void		 session_table_set_limits(struct session_table *,
		    const struct session_limits *);
void		 session_table_set_done_cb(struct session_table *,
		    session_done_cb, void *);
void		 session_table_set_forget_cb(struct session_table *,
		    session_forget_cb, void *);
void		 session_table_set_gone_cb(struct session_table *,
		    session_gone_cb, void *);
/*
 * A confirmed client of this start, for v4state: SESSION_OK and *out
 * (valid until the next call), renewed first when renew is set; else
 * SESSIONERR_STALE_CLIENTID.
 */
uint32_t	 session_table_client_use(struct session_table *, uint64_t,
		    int renew, struct session_client_use *);
void		 session_table_stats(const struct session_table *,
		    struct session_table_stats *);

uint32_t	 session_exchange_id(struct session_table *,
		    const struct session_exchange_args *,
		    struct session_exchange_res *);
uint32_t	 session_create(struct session_table *,
		    const struct session_create_args *,
		    struct session_create_res *);
uint32_t	 session_destroy(struct session_table *, const uint8_t *);
uint32_t	 session_destroy_clientid(struct session_table *, uint64_t);
/* SP4_MACH_CRED: principal against the client's (of sessionid if !clientid). */
uint32_t	 session_mach_check(struct session_table *, uint64_t clientid,
		    const uint8_t *sessionid, const char *principal);
uint32_t	 session_reclaim_complete(struct session_table *, uint64_t,
		    int one_fs);
/* A COMPOUND done on a slot; SESSION_OK or why it was not kept. */
uint32_t	 session_slot_done(struct session_table *, const uint8_t *,
		    uint32_t slotid, uint32_t seqid, int cached,
		    const uint8_t *digest, size_t digest_len,
		    const uint8_t *reply, size_t reply_len);
/*
 * A session and its used slots from first_slot on, within about
 * max_bytes of replies (one slot at least): *next is where to go on,
 * *eof whether that was all.  SESSION_OK or SESSIONERR_BADSESSION.
 */
/* The backchannel states (stated_session.x ST_SESSION_BACK_*). */
#define SESSION_BACK_NONE	0
#define SESSION_BACK_BOUND	1
#define SESSION_BACK_UP		2
#define SESSION_BACK_DOWN	3
uint32_t	 session_back(struct session_table *, const uint8_t *,
		    uint32_t cb_program, uint32_t cb_seqid, int state,
		    uint64_t *clientid);
uint32_t	 session_back_ctl(struct session_table *, const uint8_t *,
	    uint32_t, const uint8_t *, size_t);
uint32_t	 session_shrink(struct session_table *, const uint8_t *,
	    uint32_t);
int		 session_table_back_up(struct session_table *, uint64_t);
uint32_t	 session_load(struct session_table *, const uint8_t *,
		    uint32_t first_slot, size_t max_bytes,
		    struct session_info *, session_slot_cb, void *,
		    uint32_t *next, int *eof);

/* A lock held by clientid conflicts: purged if it lapsed; 1 if so. */
int		 session_table_courtesy(struct session_table *, uint64_t);
/* Timer: unconfirmed clients past a lease, lapsed ones (see above). */
size_t		 session_table_sweep(struct session_table *);
/* The record of every client with state gets has_state set. */
void		 session_table_mark_records(struct session_table *);
/* The client record of a confirmed client (for its first state). */
struct stated_client *session_table_record(struct session_table *,
		    uint64_t);

int		 session_table_foreach_client(struct session_table *,
		    session_client_cb, void *);
int		 session_table_foreach_session(struct session_table *,
		    uint64_t clientid, session_cb, void *);
const char	*session_status_str(uint32_t);

#endif
