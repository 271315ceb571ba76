/*
 * NFSv4.0 and NFSv4.1 client open/lock state of dittofs-stated (RFC 7530
 * section 9, RFC 8881 sections 8-9), behind common/stated_v4.x.  A pure, single-threaded data structure
 * like the lock table it sits on: no I/O but the client records
 * (clients.h) it is handed, no IPC, no clock of its own (the caller sets
 * v4_state.now before each call).
 *
 * Model
 *
 * - A client is {verifier, id string, principal, address, callback},
 *   confirmed or not (RFC 7530 16.33, 16.34); the callback keeps the
 *   flavour of SETCLIENTID (RPCSEC_GSS service and principal, or
 *   AUTH_SYS), which front ends call back with (RFC 7530 3.3.3).  Another
 *   principal gets the id string while the client has no unexpired
 *   leased state (its lease lapsed, or no opens, locks or delegations),
 *   else NFS4ERR_CLID_INUSE.  Its clientid4 is the
 *   stated epoch (low 32 bits) and a counter, so a clientid of an
 *   earlier stated start is recognized: NFS4ERR_STALE_CLIENTID.
 * - Open owners and lock owners belong to a client and carry the seqid
 *   of RFC 7530 9.1.7 and the structured result of their last seqid
 *   operation, so that a retransmission gets the same answer, whoever
 *   asks (an nfsd restarted in between included).
 * - A stateid is {seqid, other[12]}; other = epoch (4), the client's
 *   counter (4), the state's counter (4), all big endian.  Its seqid
 *   goes up with every change of the state (OPEN upgrade, DOWNGRADE,
 *   CLOSE, LOCK, LOCKU).  An open state is one per (open owner, file), a
 *   lock state one per (lock owner, file), as RFC 7530 9.1.4 says.
 * - Share reservations and byte-range locks live in the ONE lock table
 *   (lock_table.h) under lock-table owners {NFSv4, clientid4, "O" or "L"
 *   + owner bytes}, so NLM SHARE, NLM locks and SMB see them and are
 *   seen.
 * - Leases: any operation of a client renews it.  A client whose lease
 *   lapsed keeps its state ("courtesy", as knfsd does) until a request
 *   of someone else conflicts with it, V4_COURTESY_MAX passes, or the
 *   sweep finds it holds nothing; then its state is purged and the
 *   client becomes a tombstone, so its stateids and RENEW answer
 *   NFS4ERR_EXPIRED (NFS4ERR_ADMIN_REVOKED after a revoke) until it
 *   sets up again.
 * - Grace (RFC 7530 9.6): the lock table's flag says whether stated is
 *   in grace.  A client may reclaim when its client record
 *   (clients.h, protocol NFSv4, named by its id string) shows state
 *   in an earlier epoch.  The record takes the current epoch, durably,
 *   before the client's first state is granted.
 * - Limits: opens per client, owners per client, clients per address;
 *   beyond them NFS4ERR_RESOURCE (the caller logs, v4_state.limit_hits
 *   counts).
 * - Delegations (RFC 7530 10.2-10.4) are caching grants of the grant
 *   table it is given (grant.h), holder {NFSv4, clientid4}, stateid its
 *   12-byte "other" (seqid always 1).  A read delegation is granted
 *   after an OPEN for reading alone when the client's callback answered
 *   and no other open may write or deny reading, no other owner holds
 *   an exclusive lock and no grant of the file is being recalled; a
 *   write delegation (when write delegations are on) after an OPEN for
 *   writing when no other client has the file open or locked or holds
 *   a grant of it.  An OPEN of another client that writes or denies
 *   reading recalls the others' delegations of the file, one that only
 *   reads a write delegation, and answers NFS4ERR_DELAY (its seqid
 *   moves on, as for any error but those of RFC 7530 9.1.7) until they
 *   are returned or revoked.  In grace an OPEN with CLAIM_PREVIOUS
 *   reclaims the delegation it names.  A purged client's grants go.
 *
 * NFSv4.1 clients (RFC 8881)
 *
 * - One client table: a v4.1 client (clientid with SESSION_CLIENTID_BIT,
 *   session_table.h) has an entry here too, flagged minor 1, made at its
 *   first state operation from the session table's confirmed client
 *   (v4_state_set_sessions).  The session table is its truth: a clientid
 *   it does not know or has not confirmed is NFS4ERR_STALE_CLIENTID; the
 *   lease is the session table's (SLOT_DONE, CREATE_SESSION, and every
 *   state operation here renew it), so is the client record and
 *   RECLAIM_COMPLETE.  When the session table lets a confirmed client go
 *   (lease and conflict, sweep, DESTROY_CLIENTID, a new incarnation) its
 *   forget callback purges the entry here: opens, locks, delegations,
 *   and the entry stays a tombstone (NFS4ERR_EXPIRED) for a while.
 * - v4.1 rules for such a client: owner seqids are ignored, nothing is
 *   replayed by seqid (exactly once is the session's slot cache); no
 *   OPEN_CONFIRM (an open is confirmed at once; OPEN_CONFIRM and
 *   RELEASE_LOCKOWNER answer NFS4ERR_NOTSUPP); a stateid seqid of 0 is
 *   the current one; CLOSE frees its state at once; LOCK with a new lock
 *   owner that has a lock state of the file goes on with that state.
 * - Stateids keep their shape: the first 8 bytes of "other" are the
 *   holder's clientid4, the v4.1 bit included.
 * - Lapsed v4.1 clients are courteous as v4.0 ones: a conflict asks the
 *   session table to purge the client (session_table_courtesy), which
 *   ends here through the forget callback.
 * - Grace: a v4.1 client reclaims (CLAIM_PREVIOUS, reclaim locks) with
 *   the record the session table keeps for it; after its
 *   RECLAIM_COMPLETE a reclaim is NFS4ERR_NO_GRACE.
 * - Delegations: none for a v4.1 client until it has a backchannel
 *   (v4_backchannel_usable in v4state.c is the hook).
 * - TEST_STATEID and FREE_STATEID (RFC 8881 18.48, 18.38) are here for
 *   any client; nfsd sends them only for v4.1 ones.
 */
#ifndef DITTOFS_STATED_V4STATE_H
#define DITTOFS_STATED_V4STATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "clients.h"
#include "grant.h"
#include "lock_table.h"
#include "session_table.h"

#define V4_VERIFIER_SIZE	8
#define V4_OTHER_SIZE		12
#define V4_ID_MAX		1024	/* NFS4_OPAQUE_LIMIT */
#define V4_OWNER_MAX		1024
#define V4_PRINCIPAL_MAX	1024
#define V4_NETID_MAX		64
#define V4_UADDR_MAX		128
#define V4_CB_PRINCIPAL_MAX	256	/* an RPCSEC_GSS callback's */
#define V4_ADDR_MAX		64
#define V4_COURTESY_MAX		(24 * 3600)	/* lapsed state kept at most */

/* nfsstat4 values (RFC 7530 13): the front end passes them on as is. */
enum v4_status {
	V4_OK = 0,
	V4ERR_INVAL = 22,
	V4ERR_NOTSUPP = 10004,
	V4ERR_DELAY = 10008,
	V4ERR_SERVERFAULT = 10006,
	V4ERR_DENIED = 10010,
	V4ERR_EXPIRED = 10011,
	V4ERR_LOCKED = 10012,
	V4ERR_GRACE = 10013,
	V4ERR_SHARE_DENIED = 10015,
	V4ERR_CLID_INUSE = 10017,
	V4ERR_RESOURCE = 10018,
	V4ERR_STALE_CLIENTID = 10022,
	V4ERR_STALE_STATEID = 10023,
	V4ERR_OLD_STATEID = 10024,
	V4ERR_BAD_STATEID = 10025,
	V4ERR_BAD_SEQID = 10026,
	V4ERR_NO_GRACE = 10033,
	V4ERR_RECLAIM_BAD = 10034,
	V4ERR_LOCKS_HELD = 10037,
	V4ERR_OPENMODE = 10038,
	V4ERR_DEADLOCK = 10045,
	V4ERR_ADMIN_REVOKED = 10047,
	V4ERR_DELEG_REVOKED = 10087
};

/* OPEN4_RESULT_* (RFC 7530 16.16). */
#define V4_RESULT_CONFIRM	0x2
#define V4_RESULT_LOCKTYPE_POSIX 0x4

/* Share access and deny bits: OPEN4_SHARE_* == LOCK_SHARE_READ/WRITE. */
#define V4_SHARE_BOTH		0x3

enum v4_op {
	V4_OP_NONE = 0,
	V4_OP_OPEN,
	V4_OP_OPEN_CONFIRM,
	V4_OP_OPEN_DOWNGRADE,
	V4_OP_CLOSE,
	V4_OP_LOCK,
	V4_OP_LOCKU
};

/* What I/O a stateid is checked for (v4_state_check). */
enum v4_io {
	V4_IO_READ = 1,
	V4_IO_WRITE,
	V4_IO_SETATTR
};

/* What a checked stateid turned out to be. */
enum v4_kind {
	V4_KIND_ANONYMOUS = 0,		/* all zeros */
	V4_KIND_BYPASS,			/* all ones: READ bypass */
	V4_KIND_OPEN,
	V4_KIND_LOCK
};

struct v4_stateid {
	uint32_t	 seqid;
	uint8_t		 other[V4_OTHER_SIZE];
};

/* gss_service 0: AUTH_SYS; else RPCSEC_GSS toward gss_principal. */
struct v4_callback {
	uint32_t	 program;
	char		 netid[V4_NETID_MAX + 1];
	char		 uaddr[V4_UADDR_MAX + 1];
	uint32_t	 ident;
	uint32_t	 gss_service;
	char		 gss_principal[V4_CB_PRINCIPAL_MAX + 1];
};

/* LOCK4denied: the conflicting lock. */
struct v4_denied {
	uint64_t	 offset;
	uint64_t	 length;	/* NFSv4: UINT64_MAX is to the end */
	int		 exclusive;
	uint64_t	 clientid;	/* 0: not an NFSv4 owner */
	size_t		 owner_len;
	uint8_t		 owner[V4_OWNER_MAX];
};

/* The result of a seqid operation, kept per owner for a replay. */
struct v4_result {
	enum v4_op	 op;
	uint32_t	 status;	/* enum v4_status */
	struct v4_stateid stateid;
	uint32_t	 rflags;	/* OPEN */
	uint32_t	 flags;		/* OPEN: the request's, echoed */
	int		 has_denied;
	struct v4_denied denied;
	int		 replay;	/* this answer is a kept one */
};

struct v4_setclientid_args {
	const uint8_t	*verifier;	/* V4_VERIFIER_SIZE */
	const uint8_t	*id;
	size_t		 id_len;
	const char	*principal;
	const char	*addr;
	struct v4_callback cb;
};

struct v4_setclientid_res {
	uint64_t	 clientid;
	uint8_t		 confirm[V4_VERIFIER_SIZE];
	struct v4_callback inuse;	/* CLID_INUSE: the holder's */
};

struct v4_confirm_res {
	int		 cb_probe;	/* the callback is new: verify it */
	struct v4_callback cb;
};

struct v4_open_args {
	uint64_t	 clientid;
	const uint8_t	*owner;
	size_t		 owner_len;
	uint32_t	 seqid;
	uint32_t	 access;	/* OPEN4_SHARE_ACCESS_* */
	uint32_t	 deny;		/* OPEN4_SHARE_DENY_* */
	struct lock_file_id file;
	int		 claim_previous;
	uint32_t	 flags;		/* the front end's, echoed */
};

struct v4_lock_args {
	int		 new_owner;
	/* new_owner: open_to_lock_owner4 */
	uint32_t	 open_seqid;
	struct v4_stateid open_stateid;
	uint32_t	 lock_seqid;
	uint64_t	 clientid;
	const uint8_t	*owner;
	size_t		 owner_len;
	/* !new_owner: exist_lock_owner4 */
	struct v4_stateid lock_stateid;
	int		 exclusive;
	int		 reclaim;
	uint64_t	 offset;
	uint64_t	 length;	/* UINT64_MAX: to the end */
};

struct v4_check_res {
	enum v4_kind	 kind;
	uint32_t	 access;	/* of the open behind the stateid */
	uint32_t	 deny;
};

struct v4_state;
struct v4_client;

/* Called when a reclaimable client sent a request that is not a
 * reclaim in grace: it has nothing more to reclaim (grace.c). */
typedef void	(*v4_done_cb)(void *, struct stated_client *);

/*
 * Called when a client that held opens or locks loses them all (lease
 * expiry, a courtesy purge, dittofsctl's revoke, a new incarnation of
 * it): why is V4ERR_EXPIRED or V4ERR_ADMIN_REVOKED.
 */
typedef void	(*v4_revoked_cb)(void *, uint64_t clientid, uint32_t why);

/* Listing, for dittofsctl (one call per client, then per state). */
struct v4_client_info {
	uint64_t	 clientid;
	const uint8_t	*id;
	size_t		 id_len;
	const char	*principal;
	const char	*addr;
	int		 confirmed;
	int		 minor;		/* 0: NFSv4.0, 1: NFSv4.1 */
	int		 lapsed;	/* lease run out, state kept */
	int		 expired;	/* state purged (tombstone) */
	long long	 idle;		/* seconds since the last renewal */
	size_t		 opens;
	size_t		 owners;
};

struct v4_state_info {
	const struct lock_file_id *file;
	int		 lock;		/* lock state, else open state */
	const uint8_t	*owner;
	size_t		 owner_len;
	struct v4_stateid stateid;
	uint32_t	 access;
	uint32_t	 deny;
};

typedef int	(*v4_client_cb)(void *, const struct v4_client_info *);
typedef int	(*v4_state_cb)(void *, const struct v4_state_info *);

struct v4_state_stats {
	size_t		 clients;
	size_t		 owners;
	size_t		 opens;
	size_t		 locks;
};

/* What v4_state_delegate granted. */
struct v4_deleg_res {
	int		 level;		/* 0: none; GRANT_READ, GRANT_WRITE */
	int		 why;		/* none: V4_DELEG_NONE_* */
	int		 recall;	/* a reclaim whose callback is down */
	struct v4_stateid stateid;
};

#define V4_DELEG_NONE_OFF	1	/* as ST_GRANT_NONE_* */
#define V4_DELEG_NONE_CALLBACK	2
#define V4_DELEG_NONE_CONFLICT	3
#define V4_DELEG_NONE_LIMIT	4
#define V4_DELEG_NONE_ACCESS	5
#define V4_DELEG_NONE_NOTDIR	6
#define V4_DELEG_NONE_NOOPEN	7	/* WANT_DELEGATION of no open file */

/* A directory delegation to tell of a change (v4_state_dir_change). */
struct v4_dir_holder {
	uint64_t	 clientid;
	uint32_t	 notify;
	struct v4_stateid stateid;
};

#define V4_DIR_RECALL_MAX	1024	/* recalled per change */

/* v4state.c */
struct v4_state	*v4_state_new(struct lock_table *, struct stated_clients *,
		    uint64_t epoch);
void		 v4_state_free(struct v4_state *);
/* Settings; 0 for a limit: none. */
void		 v4_state_set_now(struct v4_state *, time_t);
void		 v4_state_set_lease(struct v4_state *, time_t);
void		 v4_state_set_limits(struct v4_state *, size_t opens_per_client,
		    size_t owners_per_client, size_t clients_per_addr);
void		 v4_state_set_done_cb(struct v4_state *, v4_done_cb, void *);
/* The grant table of delegations (NULL: none); on; per client (0: no cap). */
void		 v4_state_set_grants(struct v4_state *, struct grant_table *,
		    int enabled, size_t per_client);
/* Write delegations too (off until set). */
void		 v4_state_set_write_delegations(struct v4_state *, int);
/* NFSv4.1 directory delegations too (off until set). */
void		 v4_state_set_dir_delegations(struct v4_state *, int);
void		 v4_state_set_revoked_cb(struct v4_state *, v4_revoked_cb,
		    void *);
/* The session table of v4.1 clients (NULL: v4.1 clientids are stale);
 * it is told to forget through v4state. */
void		 v4_state_set_sessions(struct v4_state *,
		    struct session_table *);
uint64_t	 v4_state_limit_hits(const struct v4_state *);
uint64_t	 v4_state_courtesy_purges(const struct v4_state *);
time_t		 v4_state_lease(const struct v4_state *);

uint32_t	 v4_state_setclientid(struct v4_state *,
		    const struct v4_setclientid_args *,
		    struct v4_setclientid_res *);
uint32_t	 v4_state_setclientid_confirm(struct v4_state *, uint64_t,
		    const uint8_t *confirm, const char *principal,
		    struct v4_confirm_res *);
uint32_t	 v4_state_renew(struct v4_state *, uint64_t);
void		 v4_state_callback_status(struct v4_state *, uint64_t, int up);
int		 v4_state_recall_any_due(struct v4_state *, uint64_t clientid,
		    uint32_t *keep);

uint32_t	 v4_state_open(struct v4_state *, const struct v4_open_args *,
		    struct v4_result *);
/* Is this OPEN a retransmission?  1 with the kept result, else 0. */
int		 v4_state_open_replay(struct v4_state *, uint64_t clientid,
		    const uint8_t *owner, size_t owner_len, uint32_t seqid,
		    struct v4_result *, struct lock_file_id *);
uint32_t	 v4_state_open_confirm(struct v4_state *,
		    const struct v4_stateid *, uint32_t seqid,
		    struct v4_result *);
uint32_t	 v4_state_open_downgrade(struct v4_state *,
		    const struct v4_stateid *, uint32_t seqid, uint32_t access,
		    uint32_t deny, struct v4_result *);
uint32_t	 v4_state_close(struct v4_state *, const struct v4_stateid *,
		    uint32_t seqid, struct v4_result *);
uint32_t	 v4_state_lock(struct v4_state *, const struct v4_lock_args *,
		    struct v4_result *);
uint32_t	 v4_state_lockt(struct v4_state *, uint64_t clientid,
		    const uint8_t *owner, size_t owner_len,
		    const struct lock_file_id *, uint64_t offset,
		    uint64_t length, int exclusive, struct v4_denied *);
uint32_t	 v4_state_locku(struct v4_state *, const struct v4_stateid *,
		    uint32_t seqid, uint64_t offset, uint64_t length,
		    struct v4_result *);
uint32_t	 v4_state_release_lockowner(struct v4_state *, uint64_t,
		    const uint8_t *owner, size_t owner_len);
uint32_t	 v4_state_check(struct v4_state *, const struct v4_stateid *,
		    const struct lock_file_id *, enum v4_io,
		    struct v4_check_res *);

/* RFC 7530 10.4, 16.16: a delegation after an OPEN (CLAIM_NULL). */
uint32_t	 v4_state_delegate(struct v4_state *, uint64_t clientid,
		    const struct v4_stateid *open, const struct lock_file_id *,
		    const uint8_t *handle, size_t handle_len,
		    uint32_t fe_role, const char *fe_name,
		    struct v4_deleg_res *);
/* RFC 7530 9.6.2, 10.2.1: one reclaimed (CLAIM_PREVIOUS) at level. */
uint32_t	 v4_state_delegate_reclaim(struct v4_state *,
		    uint64_t clientid, const struct v4_stateid *open,
		    const struct lock_file_id *, const uint8_t *handle,
		    size_t handle_len, uint32_t fe_role, const char *fe_name,
		    int level, struct v4_deleg_res *);
/* RFC 8881 18.39: GET_DIR_DELEGATION (notify: NOTIFY4_* bits). */
uint32_t	 v4_state_dir_delegate(struct v4_state *, uint64_t clientid,
		    const struct lock_file_id *, const uint8_t *handle,
		    size_t handle_len, uint32_t fe_role, const char *fe_name,
		    uint32_t notify, struct v4_deleg_res *);
/* RFC 8881 10.9: a directory changed: whom to tell, the rest recalled. */
size_t		 v4_state_dir_change(struct v4_state *,
		    const struct lock_file_id *, uint64_t clientid,
		    uint32_t types, struct v4_dir_holder *, size_t max,
		    size_t *recalled);
/* The directory delegation a stateid names recalled (CB_NOTIFY lost). */
int		 v4_state_dir_recall(struct v4_state *,
		    const struct v4_stateid *);
/* RFC 7530 10.4.4: CLAIM_DELEGATE_CUR's delegation stateid. */
uint32_t	 v4_state_deleg_cur(struct v4_state *, uint64_t clientid,
		    const struct v4_stateid *, const struct lock_file_id *);
/* RFC 7530 16.8: DELEGRETURN. */
uint32_t	 v4_state_delegreturn(struct v4_state *,
		    const struct v4_stateid *, const struct lock_file_id *);
/* RFC 8881 18.48: TEST_STATEID, one stateid of the client (0: any). */
uint32_t	 v4_state_test_stateid(struct v4_state *, uint64_t clientid,
		    const struct v4_stateid *);
/* RFC 8881 18.38: FREE_STATEID */
uint32_t	 v4_state_free_stateid(struct v4_state *, uint64_t clientid,
		    const struct v4_stateid *);
/* The client a stateid of this epoch names (0: none known). */
uint64_t	 v4_state_stateid_client(struct v4_state *,
		    const struct v4_stateid *);
/* A confirmed client's callback: 0, or -1 if none is known. */
int		 v4_state_client_callback(struct v4_state *, uint64_t,
		    struct v4_callback *);
/*
 * Before a request of (protocol, client), writing or not, on a file:
 * holders of the grants it conflicts with whose lease lapsed are purged (courtesy, as
 * for locks), so they delay no one.  How many were.
 */
size_t		 v4_state_grant_courtesy(struct v4_state *,
		    const struct lock_file_id *, int protocol, uint64_t client,
		    int write);
/* A conflicting holder in the lock table: purged if its client lapsed;
 * 1 if so (ask the table again), else 0. */
int		 v4_state_courtesy(struct v4_state *, const struct lock_owner *);
/* dittofsctl: every state of one client goes; it stays a tombstone. */
uint32_t	 v4_state_revoke(struct v4_state *, uint64_t);
/* Timer: unconfirmed and lapsed clients that hold nothing go; lapsed
 * ones past V4_COURTESY_MAX are purged.  How many were. */
size_t		 v4_state_sweep(struct v4_state *);
/* The record of every client with state gets has_state set. */
void		 v4_state_mark_records(struct v4_state *);

int		 v4_state_foreach_client(struct v4_state *, v4_client_cb,
		    void *);
int		 v4_state_foreach_state(struct v4_state *, uint64_t clientid,
		    v4_state_cb, void *);
void		 v4_state_stats(const struct v4_state *,
		    struct v4_state_stats *);
/* One client's open and lock states (0 and 0 for one not known). */
void		 v4_state_client_counts(struct v4_state *, uint64_t clientid,
		    size_t *opens, size_t *locks);
const char	*v4_status_str(uint32_t);

#endif
