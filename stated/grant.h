/*
 * stated's caching grants (DESIGN.md 5): NFSv4 delegations today, SMB
 * leases and oplocks later, as one model.  A pure, single-threaded data
 * structure like the lock table: no I/O, no IPC, no clock of its own
 * (the caller sets the time before each call).
 *
 * Model
 *
 * - A grant is {file, holder, level, stateid, handle, state, times}.
 *   The file is the lock table's name of it (share, inode, generation);
 *   the holder is {protocol, client id, the front end that owns the
 *   client's connection: its role and HELLO name}, so a recall goes to
 *   that front end whichever front end saw the conflict.  The stateid
 *   is the protocol's name of the grant (an NFSv4 stateid4, an SMB lease
 *   key); the handle what the front end needs to recall it (an NFSv4
 *   file handle), both opaque here.
 * - States: GRANTED; RECALLING once a conflicting request from another
 *   holder came (the recall callback runs once, at that moment);
 *   REVOKED when a recall was not answered within the lease.  A revoked
 *   grant conflicts with nothing; it is kept one more lease so that
 *   dittofsctl shows it and the holder's late return finds it, then
 *   forgotten.
 * - Conflicts: a request that writes (or denies reading) conflicts with
 *   every grant on the file of another holder; one that reads conflicts
 *   with write grants only.  A holder never conflicts with itself.
 * - A directory grant (GRANT_DIR, an NFSv4.1 directory delegation)
 *   conflicts with no request: it is recalled by name (grant_recall)
 *   when the directory changed in a way its holder did not ask to be
 *   told of (notify, NOTIFY4_* bits, is the holder's ask).
 * - Limits are the caller's (it knows its clients): grant_holder_count
 *   says how many a holder has.
 */
#ifndef DITTOFS_STATED_GRANT_H
#define DITTOFS_STATED_GRANT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lock_table.h"

#define GRANT_STATEID_MAX	64
#define GRANT_HANDLE_MAX	128
#define GRANT_FE_NAME_MAX	64

enum grant_level {
	GRANT_READ = 1,
	GRANT_WRITE = 2,
	GRANT_DIR = 3		/* a directory's (read) grant */
};

enum grant_state {
	GRANT_GRANTED = 1,
	GRANT_RECALLING,
	GRANT_REVOKED
};

/* What the event callback is told. */
enum grant_event {
	GRANT_EVENT_RECALL = 1,		/* GRANTED -> RECALLING */
	GRANT_EVENT_REVOKE		/* RECALLING -> REVOKED */
};

struct grant_holder {
	int		 protocol;	/* enum lock_protocol */
	uint64_t	 client_id;
	uint32_t	 fe_role;	/* enum ipc_role */
	char		 fe_name[GRANT_FE_NAME_MAX + 1];
};

struct grant {
	uint64_t		 id;		/* never reused */
	struct lock_file_id	 file;
	struct grant_holder	 holder;
	enum grant_level	 level;
	enum grant_state	 state;
	uint8_t			 stateid[GRANT_STATEID_MAX];
	size_t			 stateid_len;
	uint8_t			 handle[GRANT_HANDLE_MAX];
	size_t			 handle_len;
	time_t			 granted_at;
	time_t			 recalled_at;	/* and REVOKED */
	time_t			 revoked_at;	/* REVOKED */
	/*
	 * The request that recalled it writes (1) or only reads (0): an
	 * SMB holder of a write grant may keep reading (level II, R, RH)
	 * after a reader's recall, not after a writer's.
	 */
	int			 recall_write;
	uint32_t		 notify;	/* GRANT_DIR: what to tell */
	/*
	 * An SMB lease (ST_GRANT_SMB_LEASE), not an oplock: an open of
	 * another holder takes only its W (grant_conflict_smb).
	 */
	int			 smb_lease;
};

struct grant_table;

typedef void	(*grant_event_cb)(void *, const struct grant *,
		    enum grant_event);
typedef int	(*grant_foreach_cb)(void *, const struct grant *);

struct grant_stats {
	size_t		 granted;
	size_t		 recalling;
	size_t		 revoked;
	uint64_t	 recalls;	/* since start */
	uint64_t	 revokes;
	uint64_t	 returns;
};

/* grant.c */
struct grant_table	*grant_table_new(grant_event_cb, void *);
void			 grant_table_free(struct grant_table *);
void			 grant_table_set_now(struct grant_table *, time_t);

/*
 * A new grant (GRANTED), or NULL: errno EINVAL (a bad argument),
 * EEXIST (the holder has one on the file: *existing), ENOMEM.
 */
const struct grant	*grant_add(struct grant_table *,
			    const struct lock_file_id *,
			    const struct grant_holder *, enum grant_level,
			    const uint8_t *stateid, size_t stateid_len,
			    const uint8_t *handle, size_t handle_len);
/* The grant a stateid names, in any state; NULL if none. */
const struct grant	*grant_find(struct grant_table *, const uint8_t *,
			    size_t);
/* The holder's grant on the file that is not revoked; NULL if none. */
const struct grant	*grant_of(struct grant_table *,
			    const struct lock_file_id *, int protocol,
			    uint64_t client_id);
/*
 * The holder gives a grant back (DELEGRETURN): it is forgotten.  0, or
 * -1 when the stateid names none of that holder's.
 */
int			 grant_return(struct grant_table *, const uint8_t *,
			    size_t, int protocol, uint64_t client_id);
/*
 * The holder keeps its grant at a lower level (an SMB break
 * acknowledged to level II or R): GRANTED again at `level'.  0, or -1
 * when the stateid names none of that holder's that is not revoked, or
 * the level is not lower or equal.
 */
int			 grant_lower(struct grant_table *, const uint8_t *,
			    size_t, int protocol, uint64_t client_id,
			    enum grant_level);
/*
 * A request of (protocol, client_id) on the file, writing or not: the
 * conflicting GRANTED grants of other holders go RECALLING (the event
 * callback runs for each).  How many conflicting grants are still
 * outstanding (GRANTED or RECALLING): while any is, the request waits.
 * protocol 0: a requester with no state of its own (NFSv3).
 */
size_t			 grant_conflict(struct grant_table *,
			    const struct lock_file_id *, int protocol,
			    uint64_t client_id, int write);
/*
 * As grant_conflict, of the other protocols' holders alone: an SMB
 * byte-range lock leaves SMB oplocks and leases to smbd, which breaks
 * their read caching itself once the lock is granted (MS-FSA 2.1.5.7).
 */
size_t			 grant_conflict_foreign(struct grant_table *,
			    const struct lock_file_id *, int protocol,
			    uint64_t client_id, int write);
/*
 * The grant a stateid names goes RECALLING (the event callback runs)
 * if it was GRANTED.  0, or -1 when there is none that is not revoked.
 */
int			 grant_recall(struct grant_table *, const uint8_t *,
			    size_t);
/* GRANT_DIR: the notifications its holder gets; 0 or -1 (none). */
int			 grant_set_notify(struct grant_table *, const uint8_t *,
			    size_t, uint32_t);
/* Grants on the file that are not revoked. */
size_t			 grant_file_count(struct grant_table *,
			    const struct lock_file_id *);
/* Grants on the file being recalled. */
size_t			 grant_file_recalling(struct grant_table *,
			    const struct lock_file_id *);
/* Grants on the file that are not revoked, of holders other than this. */
size_t			 grant_file_others(struct grant_table *,
			    const struct lock_file_id *, int protocol,
			    uint64_t client_id);
/*
 * What a front end needs to know of a file's grants that are not
 * revoked: GRANT_WRITE and its holder (*h) when one is a write grant,
 * GRANT_READ when all are read grants, 0 when there are none.
 */
int			 grant_file_level(struct grant_table *,
			    const struct lock_file_id *, struct grant_holder *);
size_t			 grant_holder_count(struct grant_table *,
			    int protocol, uint64_t client_id);
/*
 * The timer: RECALLING grants recalled more than lease ago are revoked
 * (the callback runs for each), REVOKED ones older than a lease more
 * are forgotten.  How many were revoked.
 */
size_t			 grant_expire(struct grant_table *, time_t lease);
/* Every grant of the holder is forgotten (its state was purged). */
size_t			 grant_release_holder(struct grant_table *,
			    int protocol, uint64_t client_id);
int			 grant_foreach(struct grant_table *,
			    grant_foreach_cb, void *);
/* Each grant of the file, in any state; the callback may not change it. */
int			 grant_foreach_on_file(struct grant_table *,
			    const struct lock_file_id *, grant_foreach_cb,
			    void *);
/* Each file with a grant that is not revoked, once. */
int			 grant_foreach_file(struct grant_table *,
			    int (*)(void *, const struct lock_file_id *),
			    void *);
/*
 * MS-SMB2 3.3.5.9.8 (oplocks and leases as grants): the level an SMB
 * holder (protocol SMB, client_id) may be granted on the file, asking
 * for `wanted': GRANT_WRITE when nobody else has the file open or
 * locked and no other holder has a grant of it; GRANT_READ when no
 * other open writes or denies reading, no other owner holds an
 * exclusive lock and no other holder a write grant; else 0.  Nothing
 * while a grant of the file is being recalled.  The holder's own opens
 * and locks (SMB, client_id) never stand in its way.
 */
int			 grant_smb_level(struct grant_table *,
			    struct lock_table *, const struct lock_file_id *,
			    uint64_t client_id, enum grant_level wanted);
/*
 * MS-SMB2 3.3.1.4: a lease is held by its client and key, and the opens
 * of the lease (their owners in the lock table) never stand in its way:
 * grant_smb_level with those opens left out.
 */
struct grant_smb_own {
	uint64_t		 client_id;
	const void		*bytes;
	size_t			 len;
};
int			 grant_smb_lease_level(struct grant_table *,
			    struct lock_table *, const struct lock_file_id *,
			    uint64_t client_id, enum grant_level wanted,
			    const struct grant_smb_own *, size_t);
/*
 * MS-FSA 2.1.5.17 (an oplock is its open's, Open.OplockKey being the
 * open's own when it has no lease key): the oplock of (SMB, client_id),
 * a holder of that one open, whose share mode and locks (own, its owner
 * in the lock table) never stand in its way, while another open of the
 * same session does, as anyone's: grant_smb_level's rule otherwise.
 */
int			 grant_smb_oplock_level(struct grant_table *,
			    struct lock_table *, const struct lock_file_id *,
			    uint64_t client_id, enum grant_level wanted,
			    const struct grant_smb_own *own);
/*
 * MS-FSA 2.1.5.1.2: an SMB open of (SMB, client_id) recalls the SMB
 * leases of others holding W (all of them when it changes the data) and
 * the others' oplocks and delegations that a request writing or not
 * conflicts with (grant_conflict: an oplock's level II stays only for a
 * reader, since a WRITE does not break it); how many are outstanding.
 * attr GRANT_SMB_ATTR_ALL (an open of attributes alone): only others'
 * write grants of other protocols (NFSv4 write delegations), as a
 * reader's; GRANT_SMB_ATTR_LEASES (attributes and READ_CONTROL): so of
 * leases and delegations, and as a reader's open of oplocks.
 */
#define GRANT_SMB_ATTR_ALL	1
#define GRANT_SMB_ATTR_LEASES	2
size_t			 grant_conflict_smb(struct grant_table *,
			    const struct lock_file_id *, uint64_t client_id,
			    int write, int data, int attr);
/* The grant a stateid names is an SMB lease: 0, or -1 when none. */
int			 grant_set_smb_lease(struct grant_table *,
			    const uint8_t *, size_t);
/*
 * A GRANTED grant of the holder at a higher (or equal) level: a lease
 * upgraded.  0, or -1.
 */
int			 grant_raise(struct grant_table *, const uint8_t *,
			    size_t, int protocol, uint64_t client_id,
			    enum grant_level);
void			 grant_stats(const struct grant_table *,
			    struct grant_stats *);
const char		*grant_state_str(enum grant_state);

#endif
