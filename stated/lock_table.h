/*
 * The byte-range lock table and share-reservation table of dittofs-stated.
 *
 * One table serves NLM, NFSv4 and SMB (DESIGN.md 5), so a conflict is a
 * conflict whichever protocol asks.  It is a pure, single-threaded data
 * structure: no I/O, no IPC, no global state.  The daemon around it maps
 * protocol requests onto these calls and the results back onto protocol
 * codes, and sends the callbacks (NLM GRANTED, ...) that grants report.
 *
 * Model
 *
 * - An owner is (protocol, client id, host, owner bytes, svid), compared
 *   byte for byte.  NLM: client id as lockd assigns it per monitored host,
 *   host = caller_name, owner bytes = oh, svid = svid (Linux lockd also
 *   tells owners apart by svid).  NFSv4: client id = clientid4, owner
 *   bytes = lock_owner4 or open_owner4 owner, svid 0, no host.  SMB: one
 *   owner per open.  The table copies what it keeps.
 * - A file is an opaque key of at most LOCK_FILE_ID_MAX bytes: the
 *   server's own identity of the file (share, inode, generation), never a
 *   protocol handle, so that every protocol names a file the same way.
 * - A range is (offset, length), length 0 meaning "to the end of the file",
 *   i.e. up to and including byte UINT64_MAX.  A range whose last byte
 *   would lie beyond UINT64_MAX is refused with LOCK_RANGE.
 *
 * Semantics.  Each owner's locks follow POSIX or Windows rules, as its
 * struct lock_owner says (part of its identity; the daemon chooses by
 * protocol: NLM and NFSv4 POSIX, SMB Windows), so one table serves both.
 *
 * POSIX rules per owner: an owner never conflicts with itself.  Its locks
 * on a file are kept disjoint and merged: locking over its own locks with
 * another type splits them, same-type ranges that overlap or touch merge,
 * unlocking a sub-range splits, unlocking what is not held succeeds.  An
 * upgrade (shared -> exclusive) is checked against the other owners before
 * anything changes, so a refused or queued upgrade keeps the shared lock.
 *
 * Windows rules per owner (MS-FSA 2.1.5.8, 2.1.5.9; LockFileEx): each
 * lock is a record of its own, never merged or split, so an owner may
 * stack overlapping locks.  A shared request may overlap the owner's own
 * locks of either type; an exclusive request conflicts with any
 * overlapping lock, its owner's own included.  An unlock must name the
 * exact range (offset and length) of a lock the owner holds, else
 * LOCK_NOT_FOUND (SMB's STATUS_RANGE_NOT_LOCKED); of several such, an
 * exclusive one goes first.  A request that waits only for its owner's
 * own lock waits until that owner unlocks it (an SMB open may send the
 * unlock while its blocking lock waits): such a wait is no edge of the
 * wait-for graph below.
 *
 * Conflicts across owners, whatever their semantics: exclusive conflicts
 * with any overlapping lock, shared only with an overlapping exclusive
 * lock.  So a POSIX lock and another owner's Windows lock conflict on an
 * overlapping range as two POSIX locks of theirs would.
 *
 * Fairness.  A new request is granted at once when no lock held by another
 * owner conflicts with it: queued waiters do not block arrivals (as POSIX
 * and Linux lockd do), which keeps LOCK consistent with TEST.  A request
 * that conflicts and asked to block is queued at the tail of its file's
 * FIFO queue.  Whenever held locks of a file weaken (unlock, downgrade,
 * release) or a waiter leaves the queue, the table grants, repeatedly, the
 * first waiter in queue order that conflicts neither with a lock held by
 * another owner nor with an earlier waiter of another owner, until none is
 * left that can be granted.  So a waiter never overtakes an earlier waiter
 * it conflicts with, and waiters that conflict with nothing earlier are
 * granted even when earlier ones must keep waiting.  Each grant is
 * reported, in grant order, through the grant callback.  A blocking
 * request identical (owner, file, range, type) to one already queued is a
 * retransmission: it keeps its place and answers LOCK_BLOCKED.
 *
 * Deadlock.  Owner A waits for owner B when a queued request of A
 * conflicts with a lock B holds on that file, or with a request of B
 * queued before A's on that file (by the fairness rule A cannot be granted
 * before it).  A request needs all of those to go, so every cycle in this
 * wait-for graph is a deadlock.  The table keeps the graph acyclic: a
 * request that would close a cycle, either by waiting or by being granted
 * at once (a grant makes the waiters it conflicts with wait for the
 * grantee), fails with LOCK_DEADLOCK and changes nothing.  Grants of
 * waiters, unlocks, cancels and releases only remove edges.
 *
 * Share reservations (NLM SHARE, NFSv4 OPEN share_access/share_deny, SMB
 * desired access and share mode, all mapped to LOCK_SHARE_* bits): one
 * reservation per owner per file; a new one conflicts with another
 * owner's when its access meets the other's deny or its deny meets the
 * other's access.  Adding replaces the owner's previous reservation on
 * that file (NFSv4 upgrades and downgrades pass the new union).
 *
 * Grace.  While the table is in grace, only requests flagged
 * LOCK_REQUEST_RECLAIM are granted and queued waiters are not woken; out
 * of grace, reclaims are refused (as Linux lockd does).  Reclaims never
 * queue.  TEST, UNLOCK and CANCEL ignore grace: the daemon decides.
 *
 * Limits.  What one client (protocol and client id; for NLM a host, name
 * and address) holds and waits for is counted: held lock ranges, queued
 * requests and share reservations.  With a limit set, a LOCK or SHARE of
 * a client at its limit fails with LOCK_LIMIT and changes nothing
 * (merges and splits of ranges it holds may take it a range or two
 * beyond); unlocking is always possible.  Client id 0 is not counted.
 *
 * Callbacks (grant, foreach) run inside the table: they may read it (TEST,
 * foreach, stats) but must not change it; a change from a callback aborts.
 * Pointers in the structures handed out (owner bytes, host, file) point
 * into the table and are valid until the next call that changes it.
 */

#ifndef DITTOFS_LOCK_TABLE_H
#define DITTOFS_LOCK_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define LOCK_OWNER_MAX		1024	/* NLM netobj, NFS4_OPAQUE_LIMIT */
#define LOCK_HOST_MAX		1024	/* NLM LM_MAXSTRLEN */
#define LOCK_FILE_ID_MAX	64

enum lock_protocol {
	LOCK_PROTOCOL_NLM = 1,
	LOCK_PROTOCOL_NFSV4,
	LOCK_PROTOCOL_SMB
};

enum lock_semantics {
	LOCK_SEMANTICS_POSIX = 0,	/* NLM, NFSv4: merge and split */
	LOCK_SEMANTICS_WINDOWS		/* SMB: stack, unlock exact ranges */
};

enum lock_type {
	LOCK_SHARED = 1,		/* read */
	LOCK_EXCLUSIVE			/* write */
};

enum lock_result {
	LOCK_OK = 0,		/* granted, unlocked, cancelled, no conflict */
	LOCK_DENIED,		/* conflict; holder reported where asked */
	LOCK_BLOCKED,		/* conflict; queued, a grant callback follows */
	LOCK_DEADLOCK,		/* would close a wait-for cycle; nothing done */
	LOCK_GRACE,		/* not a reclaim, and the table is in grace */
	LOCK_NO_GRACE,		/* a reclaim, and the table is not in grace */
	LOCK_NOT_FOUND,		/* cancel: no such queued request; Windows
				   unlock: no lock of exactly that range */
	LOCK_INVALID,		/* malformed owner, file, type or flags */
	LOCK_RANGE,		/* offset + length beyond UINT64_MAX + 1 */
	LOCK_NOMEM,		/* out of memory; nothing done */
	LOCK_LIMIT		/* the client holds its limit; nothing done */
};

/* Request flags. */
#define LOCK_REQUEST_BLOCK	0x1	/* queue on conflict */
#define LOCK_REQUEST_RECLAIM	0x2	/* reclaim after a restart */

/* Share reservation bits, used for both access and deny. */
#define LOCK_SHARE_READ		0x1
#define LOCK_SHARE_WRITE	0x2
#define LOCK_SHARE_DELETE	0x4	/* SMB FILE_SHARE_DELETE */
#define LOCK_SHARE_ALL		0x7

struct lock_file_id {
	size_t		 len;		/* 1 .. LOCK_FILE_ID_MAX */
	uint8_t		 data[LOCK_FILE_ID_MAX];
};

/* Describes an owner; the caller owns the memory it points to. */
struct lock_owner {
	enum lock_protocol	 protocol;
	uint64_t		 client_id;
	const char		*host;		/* NUL-terminated, or NULL */
	const void		*bytes;
	size_t			 bytes_len;	/* 0 .. LOCK_OWNER_MAX */
	uint32_t		 svid;
	enum lock_semantics	 semantics;
};

struct lock_request {
	struct lock_file_id	 file;
	struct lock_owner	 owner;
	uint64_t		 offset;
	uint64_t		 length;	/* 0: to the end of the file */
	enum lock_type		 type;
	int			 flags;		/* LOCK_REQUEST_* */
	uint64_t		 cookie;	/* handed back with the grant */
};

/* A held lock, a queued request, a conflicting holder or a grant. */
struct lock_info {
	const struct lock_file_id	*file;
	struct lock_owner		 owner;
	uint64_t			 offset;
	uint64_t			 length;	/* 0: to the end */
	uint64_t			 end;		/* last byte */
	enum lock_type			 type;
	int				 waiting;	/* queued, not held */
	uint64_t			 cookie;	/* queued requests */
};

struct lock_share_request {
	struct lock_file_id	 file;
	struct lock_owner	 owner;
	unsigned int		 access;	/* LOCK_SHARE_* */
	unsigned int		 deny;		/* LOCK_SHARE_* */
	int			 flags;		/* LOCK_REQUEST_RECLAIM */
};

struct lock_share_info {
	const struct lock_file_id	*file;
	struct lock_owner		 owner;
	unsigned int			 access;
	unsigned int			 deny;
};

struct lock_table_stats {
	size_t		 files;
	size_t		 owners;
	size_t		 locks;
	size_t		 waiters;
	size_t		 shares;
};

struct lock_table;

/* Called once per grant of a queued request, after the lock is held. */
typedef void	(*lock_table_grant_cb)(void *, const struct lock_info *);
/* Iteration; a non-zero return stops it and is returned. */
typedef int	(*lock_table_lock_cb)(void *, const struct lock_info *);
typedef int	(*lock_table_share_cb)(void *, const struct lock_share_info *);

/* lock_table.c */
struct lock_table	*lock_table_new(lock_table_grant_cb, void *);
void			 lock_table_free(struct lock_table *);

enum lock_result	 lock_table_lock(struct lock_table *,
			    const struct lock_request *, struct lock_info *);
enum lock_result	 lock_table_unlock(struct lock_table *,
			    const struct lock_file_id *,
			    const struct lock_owner *, uint64_t, uint64_t);
enum lock_result	 lock_table_test(struct lock_table *,
			    const struct lock_file_id *,
			    const struct lock_owner *, uint64_t, uint64_t,
			    enum lock_type, struct lock_info *);
enum lock_result	 lock_table_cancel(struct lock_table *,
			    const struct lock_file_id *,
			    const struct lock_owner *, uint64_t, uint64_t,
			    enum lock_type);

size_t			 lock_table_release_owner(struct lock_table *,
			    const struct lock_owner *);
size_t			 lock_table_release_client(struct lock_table *,
			    enum lock_protocol, uint64_t);
size_t			 lock_table_release_host(struct lock_table *,
			    enum lock_protocol, const char *);
size_t			 lock_table_release_file(struct lock_table *,
			    const struct lock_file_id *);

enum lock_result	 lock_table_share(struct lock_table *,
			    const struct lock_share_request *,
			    struct lock_share_info *);
enum lock_result	 lock_table_unshare(struct lock_table *,
			    const struct lock_file_id *,
			    const struct lock_owner *);

void			 lock_table_grace_set(struct lock_table *, int);
int			 lock_table_in_grace(const struct lock_table *);

int			 lock_table_foreach_lock(struct lock_table *,
			    const struct lock_file_id *, lock_table_lock_cb,
			    void *);
int			 lock_table_foreach_share(struct lock_table *,
			    const struct lock_file_id *, lock_table_share_cb,
			    void *);
void			 lock_table_stats(const struct lock_table *,
			    struct lock_table_stats *);
/* Records per client (0: no limit); what one client has now. */
void			 lock_table_set_client_max(struct lock_table *,
			    size_t);
size_t			 lock_table_client_records(struct lock_table *,
			    enum lock_protocol, uint64_t);
const char		*lock_table_result_str(enum lock_result);

#endif /* DITTOFS_LOCK_TABLE_H */
