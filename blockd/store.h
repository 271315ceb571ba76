/*
 * blockd/store.h: the DittoFS file system store (DESIGN.md section 4).
 *
 * A pure, synchronous library: namespace metadata in a transactional
 * Berkeley DB environment, file data in one backing file per regular
 * inode under <dir>/data.  dittofs-blockd calls it from its event loop
 * and maps each IPC message to one call.  Nothing here knows about IPC.
 *
 * Conventions:
 *  - Every function returns 0 or a negative errno value.  The codes a
 *    front end must map are: ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY,
 *    EACCES, EPERM, EXDEV (across shares), ENAMETOOLONG (name > 255
 *    bytes), EINVAL (name with '/' or NUL, "." or ".." where a new name is
 *    needed, directory moved into its own subtree), EMLINK, ENODATA (no
 *    such xattr), ERANGE (buffer too small), ESTALE (handle well formed but
 *    dead, from another store or forged), EBADMSG (handle malformed:
 *    BADHANDLE), EIO (database trouble, logged), ENOSPC.
 *  - Names are counted byte strings (name, namelen) because the wire
 *    carries counted strings; a NUL inside is refused, not truncated.
 *  - Credentials are the caller's after squashing by the front end; uid 0
 *    bypasses permission checks the way Linux's CAP_DAC_OVERRIDE does.
 *
 * Durability and group commit:
 *  Every namespace change commits its transaction without flushing the
 *  log.  store_sync() makes everything committed so far durable with one
 *  log flush (plus an fdatasync per truncated file).  A reply that
 *  promises durability (every NFS namespace reply, SETATTR, SMB create,
 *  and the open_io that made a backing file) MUST NOT be sent before
 *  store_sync() returned 0 after the call that produced it.  The daemon
 *  calls store_sync() once per event-loop batch when store_needs_sync()
 *  says so, then sends the batch's replies: that is how one flush serves
 *  many requests.
 */
#ifndef DITTOFS_BLOCKD_STORE_H
#define DITTOFS_BLOCKD_STORE_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include "common/acl.h"
#include "common/perm.h"

#define STORE_HANDLE_MAX	64	/* NFSv3 limit; ours are shorter */
#define STORE_NAME_MAX		255
#define STORE_SYMLINK_MAX	4095
#define STORE_NGROUPS_MAX	32
#define STORE_XATTR_NAME_MAX	255
#define STORE_XATTR_SIZE_MAX	65536
#define STORE_ACL_MAX		ACL_ENCODED_MAX	/* common/acl.h */
#define STORE_LINK_MAX		65000
#define STORE_VERF_SIZE		8

/* Cookies 1 and 2 are left to the front end for "." and "..". */
#define STORE_COOKIE_FIRST	3

struct store;

struct store_cred {
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	ngroups;	/* <= STORE_NGROUPS_MAX */
	uint32_t	groups[STORE_NGROUPS_MAX];
	uint32_t	flags;		/* STORE_CRED_* */
};

/*
 * The caller needs no search permission (EXECUTE) on the directories of
 * a path to reach what is in them: Windows' SeChangeNotifyPrivilege
 * ("bypass traverse checking"), which every Windows user holds; blockd
 * sets it for dittofs-smbd's callers on a share that says so.  What a
 * directory's ACL or mode says of its other rights still holds.
 */
#define STORE_CRED_BYPASS_TRAVERSE	0x01

/* An opaque file handle; len bytes of data are meaningful. */
struct store_fh {
	uint8_t		len;
	uint8_t		data[STORE_HANDLE_MAX];
};

enum store_type {
	STORE_TYPE_REG = 1,
	STORE_TYPE_DIR,
	STORE_TYPE_LNK,
	STORE_TYPE_CHR,
	STORE_TYPE_BLK,
	STORE_TYPE_FIFO,
	STORE_TYPE_SOCK
};

struct store_attr {
	enum store_type	type;
	uint32_t	mode;		/* permission bits, 07777 */
	uint32_t	nlink;
	uint32_t	uid;
	uint32_t	gid;
	uint64_t	size;
	/*
	 * Bytes allocated (SMB AllocationSize, NFSv4 space_used): a backed
	 * regular file's st_blocks * 512, 0 for an unbacked one; 4096 for a
	 * directory, 0 for the others.
	 */
	uint64_t	used;
	uint64_t	rdev;		/* makedev() value for CHR/BLK */
	uint32_t	share;		/* share id: the fsid */
	uint32_t	generation;
	uint64_t	ino;		/* the fileid */
	/*
	 * The change attribute (RFC 8881 5.8.1.4), monotonic and durable.
	 * The record's counter moves in the transaction of every change to
	 * the inode's record (mode, owner, times, size, links, a directory's
	 * entries, ACL, DOS word) and at store_commit; a move takes it to
	 * max(counter + 1, the time in ns), so it never goes back across a
	 * restart nor a record from before it (see store_inode.c).  Data a
	 * front end writes through an open_io fd moves the backing file's
	 * ctime, and a backed file's change is max(counter, that ctime in
	 * ns): a write shows at the host's timestamp granularity, and a
	 * COMMIT moves change past it whatever that granularity.
	 */
	uint64_t	change;
	struct timespec	atime;
	struct timespec	mtime;
	struct timespec	ctime;
	/*
	 * Birth: set at creation, moved only by STORE_SATTR_BTIME.  ctime
	 * moves with every change to the record, or to what
	 * STORE_SATTR_CTIME sets; a backed file's backing ctime counts when
	 * data was written after that (store_inode.c).
	 */
	struct timespec	btime;
	uint32_t	flags;		/* STORE_ATTR_* */
	uint32_t	dos;		/* STORE_DOS_* */
};

/*
 * The DOS attribute word, MS-FSCC 2.6 FILE_ATTRIBUTE_* values.  Stored
 * and returned, not enforced (READONLY refuses nothing here: a front end
 * that speaks SMB applies it).  ARCHIVE is set when a regular file is
 * created and whenever its data changes (a size set, an open_io for
 * writing, a commit); a backup tool clears it through setattr.
 */
#define STORE_DOS_READONLY	0x01
#define STORE_DOS_HIDDEN	0x02
#define STORE_DOS_SYSTEM	0x04
#define STORE_DOS_ARCHIVE	0x20
/* What setattr may set; another bit is EINVAL. */
#define STORE_DOS_SETTABLE	(STORE_DOS_READONLY | STORE_DOS_HIDDEN | \
	STORE_DOS_SYSTEM | STORE_DOS_ARCHIVE)

/*
 * A regular file with no backing file: its data attributes are the
 * record's, so every change to them comes with a notification (only
 * data written through an open_io fd changes a file without one).
 */
#define STORE_ATTR_UNBACKED	0x01
/*
 * The inode has an ACL beyond its mode's (a named ACE, or one the mode
 * cannot say): only blockd decides access to it, a front end's fast path
 * asks blockd (dittofs-blockd(8)).
 */
#define STORE_ATTR_ACL		0x02
/*
 * A directory of a case-insensitive share: its names are found whatever
 * their case (common/casefold.h says what is folded); a front end that
 * caches its names keys them folded.
 */
#define STORE_ATTR_CASELESS	0x04

/* store_setattr: which fields of struct store_sattr to apply. */
#define STORE_SATTR_MODE	0x01
#define STORE_SATTR_UID		0x02
#define STORE_SATTR_GID		0x04
#define STORE_SATTR_SIZE	0x08
#define STORE_SATTR_ATIME	0x10	/* set to atime */
#define STORE_SATTR_ATIME_NOW	0x20	/* set to the server's time */
#define STORE_SATTR_MTIME	0x40
#define STORE_SATTR_MTIME_NOW	0x80
/* The DOS word: the owner, root or WRITE_ATTRIBUTES (MS-FSCC 2.6). */
#define STORE_SATTR_DOS		0x100
/*
 * The change and birth times as a client sets them (SMB's ChangeTime
 * and CreationTime, MS-FSCC 2.4.7): the owner, root or
 * WRITE_ATTRIBUTES, as for atime and mtime.
 */
#define STORE_SATTR_CTIME	0x200
#define STORE_SATTR_BTIME	0x400
/*
 * Data was written through an fd opened with STORE_IO_ARCHIVE_LATER:
 * ARCHIVE is set (MS-FSA 2.1.4.17), with change moved; write
 * permission is enough, as for the "now" times.
 */
#define STORE_SATTR_ARCHIVE	0x800

struct store_sattr {
	unsigned int	mask;
	uint32_t	mode;
	uint32_t	uid;
	uint32_t	gid;
	uint64_t	size;
	struct timespec	atime;
	struct timespec	mtime;
	uint32_t	dos;		/* STORE_DOS_SETTABLE bits */
	struct timespec	ctime;
	struct timespec	btime;
};

/* store_access: the NFSv3 ACCESS3 bits (RFC 1813 3.3.4), same values. */
#define STORE_ACCESS_READ	PERM_ACCESS_READ
#define STORE_ACCESS_LOOKUP	PERM_ACCESS_LOOKUP
#define STORE_ACCESS_MODIFY	PERM_ACCESS_MODIFY
#define STORE_ACCESS_EXTEND	PERM_ACCESS_EXTEND
#define STORE_ACCESS_DELETE	PERM_ACCESS_DELETE
#define STORE_ACCESS_EXECUTE	PERM_ACCESS_EXECUTE

/* RFC 1813 3.3.8: createhow3 */
enum store_createhow {
	STORE_CREATE_UNCHECKED,
	STORE_CREATE_GUARDED,
	STORE_CREATE_EXCLUSIVE
};

struct store_dirent {
	uint64_t	ino;
	uint64_t	cookie;		/* resume readdir after this entry */
	enum store_type	type;
	uint16_t	namelen;
	char		name[STORE_NAME_MAX + 1];	/* NUL terminated too */
	/* filled only by a "plus" readdir */
	struct store_fh	fh;
	struct store_attr attr;
	uint32_t	xattrs;		/* STORE_READDIR_XATTRS: user xattrs */
};

struct store_statfs {
	uint64_t	bytes_total;
	uint64_t	bytes_free;
	uint64_t	bytes_avail;	/* for unprivileged users */
	uint64_t	files_total;
	uint64_t	files_free;
	uint64_t	files_avail;
	uint64_t	files_used;	/* inodes in the store */
};

/* store_open_io flags: common/perm.h's perm_io() decides. */
#define STORE_IO_READ		PERM_IO_READ
#define STORE_IO_WRITE		PERM_IO_WRITE
/*
 * The owner may open for read/write whatever the mode bits say: an NFS
 * client that created a file 0444 still writes its data (knfsd's
 * NFSD_MAY_OWNER_OVERRIDE).
 */
#define STORE_IO_OWNER_OVERRIDE	PERM_IO_OWNER_OVERRIDE
/* Read with execute permission (knfsd's NFSD_MAY_READ_IF_EXEC). */
#define STORE_IO_READ_IF_EXEC	PERM_IO_READ_IF_EXEC
/*
 * A write-open that leaves the DOS word alone: the opener says when data
 * is written (STORE_SATTR_ARCHIVE), as SMB's FILE_ATTRIBUTE_ARCHIVE marks
 * data changed, not a file opened for writing.  Without it, a write-open
 * sets ARCHIVE (an NFS client's writes are not told to blockd).
 */
#define STORE_IO_ARCHIVE_LATER	0x10
#define STORE_IO_ALL		(PERM_IO_ALL | STORE_IO_ARCHIVE_LATER)

/* store_xattr_set flags */
#define STORE_XATTR_CREATE	0x01	/* fail with EEXIST if present */
#define STORE_XATTR_REPLACE	0x02	/* fail with ENODATA if absent */

/* Change notification: what happened to an inode. */
#define STORE_NOTIFY_MODE	0x01
#define STORE_NOTIFY_OWNER	0x02
#define STORE_NOTIFY_ACL	0x04
#define STORE_NOTIFY_NLINK	0x08
#define STORE_NOTIFY_REMOVED	0x10
#define STORE_NOTIFY_ATTR	0x20	/* any field of the inode record */
#define STORE_NOTIFY_DIRENT	0x40	/* entry name of directory ino */
/* With DIRENT: what happened to the name (change notification feeds). */
#define STORE_NOTIFY_ENTRY_ADD	0x80	/* the name now exists */
#define STORE_NOTIFY_ENTRY_DEL	0x100	/* the name is gone */
#define STORE_NOTIFY_RENAME	0x200	/* the old (DEL) or new (ADD) name of a rename */
/*
 * RENAME on the renamed inode's own note (no DIRENT): its record changed
 * by the rename alone (ctime), which the names' notes tell already.
 */
#define STORE_NOTIFY_ENTRY_DIR	0x400	/* the entry is (was) a directory */
/*
 * With DIRENT (neither ADD nor DEL): the named entry's own record
 * changed, the bits of its own note beside (blockd's to watchers).
 */
#define STORE_NOTIFY_ENTRY_ATTR	0x800
/* What a cached access decision depends on. */
#define STORE_NOTIFY_ACCESS	(STORE_NOTIFY_MODE | STORE_NOTIFY_OWNER | \
	STORE_NOTIFY_ACL | STORE_NOTIFY_REMOVED)

struct store_notify {
	struct store_fh	fh;
	uint32_t	share;
	uint64_t	ino;
	unsigned int	what;		/* STORE_NOTIFY_* */
	/* DIRENT: the name added, removed or replaced (one per note) */
	size_t		namelen;
	char		name[STORE_NAME_MAX];
};

struct store_options {
	size_t		cache_bytes;	/* DB cache; 0 = 64 MiB */
	/*
	 * Called after the transaction of an operation committed: once per
	 * existing inode whose record changed (what says how), and once per
	 * directory entry added, removed or replaced.  The daemon forwards
	 * them to the front ends, whose caches depend on them.
	 */
	void		(*notify)(void *arg, const struct store_notify *);
	void		*notify_arg;
	/*
	 * fsync the directories that received new backing files in
	 * store_sync(), before the log flush.  Costs a second flush per
	 * batch; without it a power loss can leave a created file empty
	 * (see the rule at the top of store.c).  Off by default.
	 */
	int		dirsync;
	/* Warnings (database errors, repairs done at open); may be NULL. */
	void		(*log)(void *arg, const char *msg);
	void		*log_arg;
};

/*
 * store.c (open, close), store_db.c (sync, checkpoint), store_share.c
 * (share roots), handle.c.  Their internals: blockd/store_int.h.
 */
/*
 * Open (creating if needed) the store rooted at dir: dir/db holds the
 * Berkeley DB environment, dir/data the backing files.  Runs database
 * recovery, and after an unclean shutdown repairs the backing files (see
 * the rule at the top of store.c).  -EBUSY if another process has it.
 */
int	 store_open(const char *dir, const struct store_options *,
	    struct store **);
/*
 * The size of one Berkeley DB log file (its zero-fill writes one log
 * buffer, a quarter of that, more).  Each new one is zero-filled at
 * its first write, inside the log flush that a batch's replies wait for,
 * and that flush then writes the zeros too (so that later flushes
 * overwrite allocated blocks and need no journal commit).  With 32 MiB
 * files that was a stall of 150-300 ms every ~25,000 namespace
 * operations, which halved a benchmark phase it fell into (a 5,000-file
 * remove took 0.2 s, or 0.5 s with it); 4 MiB files cost the same in
 * total, spread as 5-10 ms every ~3,000 operations (measured here).
 */
#define STORE_LOG_FILE_BYTES	(4u << 20)
/* Syncs, checkpoints, marks the store clean and frees it. */
void	 store_close(struct store *);
/* store_sync_log, then store_sync_after. */
int	 store_sync(struct store *);
/* Everything committed so far made durable: what a reply may promise. */
int	 store_sync_log(struct store *);
/* Unlinks made safe by that flush, and a checkpoint when due. */
int	 store_sync_after(struct store *);
/*
 * True when store_sync() has work: a transaction committed, a backing
 * file was created, or an unlink or fdatasync is queued since the last
 * store_sync().  The daemon asks at the end of each batch.
 */
int	 store_needs_sync(const struct store *);
/* Flush the DB cache and trim old logs; call from a timer. */
int	 store_checkpoint(struct store *);
/* The root of share name, created (0755 root:root) if create is set. */
int	 store_share_root(struct store *, const char *name, int create,
	    struct store_fh *, struct store_attr *);
/*
 * The same, and a share it makes gets flags.  A share's flags are fixed
 * when it is made: *have (may be NULL) gets those it has, which rule
 * whatever flags says later.  STORE_SHARE_CASELESS: names are found
 * whatever their case (lookup, create, open by name, link, rename,
 * remove; the name keeps the case it was made with), as
 * common/casefold.h folds them.
 */
#define STORE_SHARE_CASELESS	0x01
int	 store_share_open(struct store *, const char *name, int create,
	    unsigned int flags, unsigned int *have, struct store_fh *,
	    struct store_attr *);
/*
 * The share id a handle claims, unverified (no MAC check): for choosing
 * the share's rules before the call that resolves, and so verifies, the
 * handle.  -EBADMSG: not of our handles' shape.
 */
int	 store_fh_share(const struct store_fh *, uint32_t *share);

/* store_ops.c (xattrs, ACLs: store_xattr_ops.c; open by name:
 * store_open.c); spares and trimming in
 * store_backing.c */
int	 store_lookup(struct store *, const struct store_cred *,
	    const struct store_fh *dir, const char *name, size_t namelen,
	    struct store_fh *, struct store_attr *);
int	 store_getattr(struct store *, const struct store_fh *,
	    struct store_attr *);
int	 store_setattr(struct store *, const struct store_cred *,
	    const struct store_fh *, const struct store_sattr *,
	    struct store_attr *);
int	 store_access(struct store *, const struct store_cred *,
	    const struct store_fh *, uint32_t want, uint32_t *granted,
	    struct store_attr *);
/* The ACE bits c holds on fh; DELETE as removing it from dirfh would. */
int	 store_access_mask(struct store *, const struct store_cred *,
	    const struct store_fh *, const struct store_fh *dirfh,
	    uint32_t *granted, struct store_attr *);
int	 store_create(struct store *, const struct store_cred *,
	    const struct store_fh *dir, const char *name, size_t namelen,
	    uint32_t mode, enum store_createhow,
	    const uint8_t verf[STORE_VERF_SIZE], struct store_fh *,
	    struct store_attr *);
int	 store_mkdir(struct store *, const struct store_cred *,
	    const struct store_fh *dir, const char *name, size_t namelen,
	    uint32_t mode, struct store_fh *, struct store_attr *);
/* Mode is 0777 as on Linux: a symlink's mode is never checked. */
int	 store_symlink(struct store *, const struct store_cred *,
	    const struct store_fh *dir, const char *name, size_t namelen,
	    const char *target, size_t targetlen, struct store_fh *,
	    struct store_attr *);
int	 store_mknod(struct store *, const struct store_cred *,
	    const struct store_fh *dir, const char *name, size_t namelen,
	    enum store_type, uint32_t mode, uint64_t rdev, struct store_fh *,
	    struct store_attr *);
/*
 * What store_make makes: the four calls above in one.  sattr (NULL: none)
 * is what the creator asks beyond the mode (owner, size, times), applied
 * in the same transaction with setattr's rules: if any of it is refused,
 * nothing is made.  For an unchecked create of an existing regular file
 * it applies to that file (mode aside), as a setattr would.
 */
struct store_new {
	enum store_type		 type;
	uint32_t		 mode;
	uint64_t		 rdev;		/* chr, blk */
	const char		*target;	/* lnk */
	size_t			 targetlen;
	enum store_createhow	 how;		/* reg; the others: guarded */
	const uint8_t		*verf;		/* exclusive */
	const struct store_sattr *sattr;
	int			 mode_default;	/* STORE_OPEN_MODE_DEFAULT's */
};
int	 store_make(struct store *, const struct store_cred *,
	    const struct store_fh *dir, const char *name, size_t namelen,
	    const struct store_new *, struct store_fh *, struct store_attr *);
/*
 * store_open.c: open a regular file by name with a disposition, as SMB2
 * CREATE (MS-SMB2 2.2.13, MS-FSA 2.1.5.1) and NFSv4 OPEN (RFC 8881
 * 18.16) need, in one transaction: a crash leaves all of it or none.
 *
 *  OPEN		the file must exist (-ENOENT)
 *  CREATE		it must not (-EEXIST, whatever the entry is)
 *  OPEN_IF		open it, or create it
 *  EXCLUSIVE		create it with verf (NFSv3 EXCLUSIVE, NFSv4
 *			EXCLUSIVE4): a retry with the same verifier finds
 *			the file it made and answers CREATED again; an
 *			entry made otherwise or with another verifier:
 *			-EEXIST
 *  OVERWRITE		it must exist; truncated to 0
 *  OVERWRITE_IF	truncated to 0, or created
 *  SUPERSEDE		MS-FSA 2.1.5.1.2 FILE_SUPERSEDE: an existing file
 *			is truncated in place as by OVERWRITE (same
 *			handle, fileid, owner, mode, ACL and birth time;
 *			every link and open fd of it sees the change),
 *			needing what a remove of it needs besides; its DOS
 *			word is replaced by sattr's (0 when sattr has
 *			none; ARCHIVE added) and its user xattrs go, as
 *			if it were made again; or created.  Its named
 *			streams stay: the front end drops them, as after
 *			an OVERWRITE
 *
 * Only regular files: an existing directory is -EISDIR, another type
 * -EINVAL (with STORE_OPEN_NOTREG_EEXIST: -EEXIST, NFSv3's answer), and
 * CREATE or EXCLUSIVE over any existing entry -EEXIST.
 *
 * mode and sattr (NULL: none) are a new file's, as store_make applies
 * them: all or nothing.  An OPEN_IF, OVERWRITE(_IF) or SUPERSEDE of an
 * existing file applies sattr but its mode as a setattr would (NFSv3
 * UNCHECKED, the FileAttributes of an SMB overwrite; a supersede's DOS
 * word needs no more than the supersede), an OPEN_IF not with
 * STORE_OPEN_SATTR_NEW; OPEN ignores it.
 *
 * access (STORE_IO_*) is what the opener will do, checked against the
 * file's mode or ACL as store_open_io checks it, for a file that existed
 * (a truncation needs write permission besides, as setattr's size
 * does); the caller that creates a file may open it whatever its mode,
 * as open(2) with O_CREAT allows, and so may the owner retrying an
 * EXCLUSIVE create.  io, when not 0, asks for the backing fd (*fd, the
 * caller closes it) opened with those STORE_IO_* flags, checked with
 * access; a write-open kills set-uid bits and sets ARCHIVE as open_io
 * does, in the same transaction.  *what says what happened.
 */
enum store_disposition {
	STORE_DISP_OPEN = 1,
	STORE_DISP_CREATE,
	STORE_DISP_OPEN_IF,
	STORE_DISP_EXCLUSIVE,
	STORE_DISP_OVERWRITE,
	STORE_DISP_OVERWRITE_IF,
	STORE_DISP_SUPERSEDE
};

enum store_opened {
	STORE_OPENED = 1,
	STORE_OPENED_CREATED,
	STORE_OPENED_OVERWRITTEN,
	STORE_OPENED_SUPERSEDED
};

/* store_open flags */
#define STORE_OPEN_NOTREG_EEXIST	0x01
/*
 * mode is the front end's default, not one its client gave (an SMB
 * CREATE, an NFSv4 OPEN without a mode): an ACL the directory passes
 * on stands as inherited (RFC 8881 6.4.3), the mode follows from it.
 */
#define STORE_OPEN_MODE_DEFAULT		0x02
/*
 * sattr is a new file's alone: an OPEN_IF that finds the file leaves it
 * as it is (SMB's FileAttributes of FILE_OPEN_IF, MS-FSA 2.1.5.1.2.1).
 */
#define STORE_OPEN_SATTR_NEW		0x04

struct store_open {
	enum store_disposition	 disp;
	uint32_t		 mode;
	const struct store_sattr *sattr;
	const uint8_t		*verf;		/* EXCLUSIVE: 8 bytes */
	int			 access;	/* STORE_IO_* */
	int			 io;		/* STORE_IO_*: the fd; 0 none */
	unsigned int		 flags;		/* STORE_OPEN_* */
};
int	 store_open_name(struct store *, const struct store_cred *,
	    const struct store_fh *dir, const char *name, size_t namelen,
	    const struct store_open *, struct store_fh *, struct store_attr *,
	    enum store_opened *what, int *fd);
int	 store_link(struct store *, const struct store_cred *,
	    const struct store_fh *, const struct store_fh *dir,
	    const char *name, size_t namelen, struct store_attr *);
int	 store_remove(struct store *, const struct store_cred *,
	    const struct store_fh *dir, const char *name, size_t namelen);
int	 store_rmdir(struct store *, const struct store_cred *,
	    const struct store_fh *dir, const char *name, size_t namelen);
int	 store_rename(struct store *, const struct store_cred *,
	    const struct store_fh *fromdir, const char *from, size_t fromlen,
	    const struct store_fh *todir, const char *to, size_t tolen);
/*
 * Entries after cookie (0: from the start), at most maxents, into ents;
 * *nents set, *eof set when the last entry was returned.  "." and ".."
 * are not returned.  Cookies stay valid across close/reopen and across
 * changes to the directory; verf is the directory's cookie verifier,
 * constant for the life of the directory (so the store never refuses a
 * cookie; a front end may compare verf itself).  plus (a nonzero
 * value) fills fh and attr; with STORE_READDIR_XATTRS, xattrs too: one
 * more cursor walk over each entry's xattr keys, no value read; with
 * STORE_READDIR_READABLE (and plus), only the entries c may read as an
 * SMB open would be granted it (READ_DATA, READ_ATTRIBUTES and
 * READ_NAMED_ATTRS, or the mode's r): access-based enumeration.
 */
#define STORE_READDIR_XATTRS	0x2
#define STORE_READDIR_READABLE	0x4
int	 store_readdir(struct store *, const struct store_cred *,
	    const struct store_fh *dir, uint64_t cookie,
	    uint8_t verf[STORE_VERF_SIZE], struct store_dirent *ents,
	    size_t maxents, int plus, size_t *nents, int *eof);
/*
 * Directory ino's parent (its inode number and handle) and ino's name in
 * it as made (name gets STORE_NAME_MAX bytes; NULL: not wanted, which
 * spares the walk over the parent's entries that finds it).  A share
 * root is its own parent, with no name (*namelen 0).  No permission is
 * checked: it serves change notification (blockd's tree watches), not a
 * client.  -ENOENT: no such inode; -ENOTDIR: not a directory; -EIO: the
 * parent does not list it.
 */
int	 store_dir_parent(struct store *, uint64_t ino, uint64_t *parent,
	    struct store_fh *parentfh, char *name, size_t *namelen);
/*
 * A file's (any inode not a directory) directory: the one where its
 * newest name was made (create, link, rename), and that name when
 * asked, as store_dir_parent says them; -EISDIR for a directory,
 * -ENOENT when the store cannot say (a stream, a file made before the
 * store kept it, that name gone).  A hint for change notes: a file with
 * several names has several directories.
 */
int	 store_file_parent(struct store *, uint64_t ino, uint64_t *parent,
	    struct store_fh *parentfh, char *name, size_t *namelen);
/*
 * Inode ino's name in directory dirfh (name: STORE_NAME_MAX bytes, not
 * NUL terminated), its handle and attributes, as store_lookup of that
 * name gives them; c needs to search dirfh as for a lookup.  The name
 * is store_dir_parent's or store_file_parent's: -ENOENT when that is
 * not in dirfh (another directory, a stream, a file with no parent
 * kept).  smbd's 8.3 names name a file by its inode number.
 */
int	 store_lookup_ino(struct store *, const struct store_cred *,
	    const struct store_fh *dirfh, uint64_t ino, char *name,
	    size_t *namelen, struct store_fh *, struct store_attr *);
/* Target into buf (NUL terminated), *len without the NUL. */
int	 store_readlink(struct store *, const struct store_fh *, char *buf,
	    size_t bufsize, size_t *len);
int	 store_statfs(struct store *, const struct store_fh *,
	    struct store_statfs *);
/*
 * An open fd of the backing file (the caller owns and closes it) and an
 * attribute snapshot.  Permission is checked for the caller's cred.  A
 * regular file gets its backing file here, at its first open_io (or at a
 * setattr to a size > 0), not at create: its transaction is lazy (rule 2
 * in store.c), so the reply need not wait for a log flush.
 */
int	 store_open_io(struct store *, const struct store_cred *,
	    const struct store_fh *, int flags, int *fd, struct store_attr *);
/* fdatasync of the backing file (NFS COMMIT). */
int	 store_commit(struct store *, const struct store_fh *);
/*
 * Spare backing files: empty host files made ahead (store_spare_make, one
 * a call: 1 made, 0 the pool is full) that a file's first open_io renames
 * into place instead of creating one.  ready: how many wait; used: how
 * many were taken since open.
 */
#define STORE_SPARES_MAX	32
int	 store_spare_make(struct store *);
void	 store_spare_stats(const struct store *, size_t *ready,
	    uint64_t *used);
/*
 * Backing files of removed inodes are unlinked after the flush that made
 * the removal durable.  Freeing a file's blocks takes as long as the
 * device takes to discard them (ext4 with -o discard and no journal:
 * about 200 ms per GiB written, on this project's machines), and the
 * daemon serves nobody meanwhile.  A file with more than STORE_TRIM_STEP
 * bytes allocated is queued instead: each store_trim_step() punches out
 * its first STORE_TRIM_STEP bytes of data, and unlinks it once no more
 * than that is left.  Returns 1 while work is queued, 0 when none is.
 * store_close() unlinks what is still queued (or held, below).
 */
#define STORE_TRIM_STEP		(16u << 20)
int	 store_trim_step(struct store *);
/* queued: ready for a step (held ones not counted) */
void	 store_trim_stats(const struct store *, size_t *queued,
	    uint64_t *steps);
/*
 * A removed file's backing file that some process other than the store's
 * still has open (a front end's fd from open_io; the kernel tells: it
 * refuses a write lease then) is not trimmed: store_trim_step sets it
 * aside as held, and a front end reads and writes its data through that
 * fd until it closes it (rename and remove never touch a backing file's
 * data, and an unlink leaves an open file whole).  store_trim_retry puts
 * the held ones back in the queue (the daemon calls it on a timer while
 * store_trim_held says some wait) and returns how many.
 */
size_t	 store_trim_held(const struct store *);
size_t	 store_trim_retry(struct store *);
/* Value size in *len; with bufsize 0 only the size is returned. */
int	 store_xattr_get(struct store *, const struct store_cred *,
	    const struct store_fh *, const char *name, size_t namelen,
	    void *buf, size_t bufsize, size_t *len);
int	 store_xattr_set(struct store *, const struct store_cred *,
	    const struct store_fh *, const char *name, size_t namelen,
	    const void *value, size_t valuelen, int flags);
/* Names, each NUL terminated, back to back (listxattr(2) format). */
int	 store_xattr_list(struct store *, const struct store_cred *,
	    const struct store_fh *, char *buf, size_t bufsize, size_t *len);
int	 store_xattr_remove(struct store *, const struct store_cred *,
	    const struct store_fh *, const char *name, size_t namelen);
/*
 * store_stream.c: an inode's named attributes, one model for two kinds.
 * A user xattr (NFSv4.2 xattrs, RFC 8276; SMB extended attributes) is a
 * small value in the database: store_xattr_* above, at most
 * STORE_XATTR_SIZE_MAX bytes, names of 1 to STORE_XATTR_NAME_MAX bytes.
 * A named stream (SMB alternate data stream) is a data fork with a
 * backing file of its own, opened for I/O with an fd like the file's
 * data: a regular file or a directory has at most STORE_STREAMS_MAX of
 * them, named by 1 to STORE_XATTR_NAME_MAX bytes without NUL, '/' or ':'
 * (SMB's "name:type" is the front end's to split), of any size the host
 * file system allows.  store_named_list enumerates both; removing the
 * inode removes both (a stream's backing file after the flush, or when
 * the last fd on it closes, as the file's own).
 *
 * store_stream_open: op's disposition is OPEN, CREATE, OPEN_IF,
 * OVERWRITE or OVERWRITE_IF (SUPERSEDE is OVERWRITE_IF: a stream has no
 * attributes of its own; EXCLUSIVE is -EINVAL); io (required) and access
 * are checked against the file's mode or ACL as its data would be, and a
 * stream is made, truncated or removed only with write permission on the
 * file.  *size and *used (may be NULL) get the stream's, attr the file's.
 */
#define STORE_STREAMS_MAX	32
int	 store_stream_open(struct store *, const struct store_cred *,
	    const struct store_fh *, const char *name, size_t namelen,
	    const struct store_open *, enum store_opened *what, int *fd,
	    uint64_t *size, struct store_attr *attr);
int	 store_stream_remove(struct store *, const struct store_cred *,
	    const struct store_fh *, const char *name, size_t namelen);
/*
 * A stream renamed, or traded with the file's data (a name of length
 * 0): -EEXIST for a target without replace, -ENOTEMPTY for a target
 * with data, -EISDIR for a directory's data, -ENOENT without the stream.
 */
int	 store_stream_rename(struct store *, const struct store_cred *,
	    const struct store_fh *, const char *from, size_t fromlen,
	    const char *to, size_t tolen, int replace);
/* One named attribute of an inode, as store_named_list gives it. */
#define STORE_NAMED_XATTR	1
#define STORE_NAMED_STREAM	2
struct store_named {
	unsigned int	kind;		/* STORE_NAMED_* */
	uint16_t	namelen;
	char		name[STORE_XATTR_NAME_MAX + 1];	/* NUL terminated */
	uint64_t	size;		/* value bytes; a stream's data */
	uint64_t	used;		/* a stream's allocation; 0 */
};
/*
 * Every user xattr then every stream of the inode, at most max of them
 * (-E2BIG if it has more), in name order each; no permission needed
 * beyond reaching the inode, as listxattr(2).
 */
int	 store_named_list(struct store *, const struct store_cred *,
	    const struct store_fh *, struct store_named *, size_t max,
	    size_t *n);
/*
 * The inode's NFSv4 ACL in common/acl.h's encoding (at most
 * STORE_ACL_MAX bytes).  Without one of its own an inode's ACL is its
 * mode's (RFC 8881 6.4.1), and that is what get returns.  get needs
 * READ_ACL, set WRITE_ACL (the owner and root always have both).  set
 * decodes strictly (-EINVAL), sets the mode's 0777 bits to what the ACL
 * says (6.4.2) and stores nothing beyond the mode when the ACL is the
 * mode's; len 0 drops the ACL (the mode rules again).  A chmod adjusts
 * the ACL (6.4.1.1) and a create inherits from its directory's (6.4.3).
 */
int	 store_acl_get(struct store *, const struct store_cred *,
	    const struct store_fh *, void *buf, size_t bufsize, size_t *len);
int	 store_acl_set(struct store *, const struct store_cred *,
	    const struct store_fh *, const void *acl, size_t len);

/* fsck.c */
/*
 * Check a store that no process has open.  Reports each fault on report
 * (may be NULL) and repairs when repair is set.  Returns the number of
 * faults found (>= 0), or a negative errno (-EBUSY: the store is open).
 */
int	 store_fsck(const char *dir, int repair, FILE *report);

#ifdef STORE_INTERNAL
/* The library's internals: blockd/store_int.h (tests that forge records). */
#include "blockd/store_int.h"
#endif

#endif /* DITTOFS_BLOCKD_STORE_H */
