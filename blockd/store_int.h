/*
 * blockd/store_int.h: what the store library's files share (store.c,
 * store_db.c, store_backing.c, store_inode.c, store_dir.c, store_xattr.c,
 * store_share.c, store_upgrade.c, store_ops.c, store_open.c,
 * store_stream.c, store_xattr_ops.c, handle.c, fsck.c).  The daemon must only use blockd/store.h.
 */
#ifndef DITTOFS_BLOCKD_STORE_INT_H
#define DITTOFS_BLOCKD_STORE_INT_H

#include "blockd/store.h"
#include <sys/stat.h>

#include <db.h>

#define STORE_SECRET_SIZE	32
#define STORE_ROOT_INO_FIRST	16	/* inode numbers below are reserved */

/* Name prefix of internal xattr records; users cannot use NUL. */
#define STORE_XNAME_SYMLINK	"\0symlink"
#define STORE_XNAME_ACL		"\0acl"
/*
 * "\0:" + a stream's name -> its stream inode (8 bytes): store_stream.c.
 * No other internal name starts so (':' is in no stream's name).
 */
#define STORE_XNAME_STREAM	"\0:"
#define STORE_XNAME_STREAM_LEN	2
/* The longest key name of xattrs.db: a stream's record. */
#define STORE_XKEY_MAX		(STORE_XNAME_STREAM_LEN + STORE_XATTR_NAME_MAX)

struct store_inode {
	uint64_t	ino;
	enum store_type	type;
	uint32_t	flags;
#define STORE_INODE_EXCL	0x01	/* verf holds an exclusive verifier */
#define STORE_INODE_BACKED	0x02	/* regular: has its backing file */
/*
 * The STORE_XNAME_ACL record is an ACL in common/acl.h's encoding that
 * rules this inode.  A record without this flag (the opaque blob of
 * stores before it) is no ACL: the mode rules, fsck drops it.
 */
#define STORE_INODE_ACL		0x04
/*
 * A directory of a share made with "case insensitive = yes" (the share
 * root's, inherited by every mkdir): its dirents.db keys are names
 * folded by common/casefold.c, the cookie records keep the names as
 * made (store_dir.c).  Format 3; format 4 folds by a larger table
 * (common/casefold.h).
 */
#define STORE_INODE_CASELESS	0x08
/*
 * A named stream's data fork (store_stream.c): a regular inode with no
 * entry, parent its file, reached by the file's STORE_XNAME_STREAM
 * record and removed with the file.  Format 3.
 */
#define STORE_INODE_STREAM	0x10
	uint32_t	mode;
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	nlink;
	uint32_t	share;
	uint32_t	generation;
	uint64_t	rdev;
	uint64_t	change;
	/* directories: the parent (roots: self); files: store_file_parent's */
	uint64_t	parent;
	uint64_t	size;		/* dirs: entries; symlinks: target length */
	uint64_t	next_cookie;	/* dirs */
	/* a BACKED regular file's are its backing file's */
	struct timespec	atime;
	struct timespec	mtime;
	struct timespec	ctime;
	struct timespec	btime;
	uint8_t		verf[STORE_VERF_SIZE];
	uint32_t	dos;		/* STORE_DOS_*; record version 2 */
	/*
	 * Record version 3: a BACKED file's backing ctime (ns) when
	 * STORE_SATTR_CTIME last set ctime; the backing file's ctime
	 * counts only past it (data written since), 0 when never set.
	 */
	uint64_t	ctime_floor;
};

#define STORE_NOTES_MAX		16
/* A removal takes a file's backing file and its streams'. */
#define STORE_TXN_UNLINKS_MAX	(4 + 2 * STORE_STREAMS_MAX)

/* Directory of a backing file: data/AB/CD, AB and CD from the inode. */
#define STORE_SHARD_TOP		0x30000u
#define STORE_SHARD_MID		0x20000u	/* | AB */
#define STORE_SHARD_LEAF	0x10000u	/* | AB << 8 | CD */

struct store {
	char		*dir;
	int		 dirfd;
	int		 datafd;
	int		 lockfd;
	DB_ENV		*env;
	DB		*meta;
	DB		*inodes;
	DB		*dirents;
	DB		*cookies;
	DB		*xattrs;
	DB_TXN		*txn;		/* the running operation's */
	uint8_t		 secret[STORE_SECRET_SIZE];
	struct evp_mac_ctx_st *mac;	/* HMAC keyed by secret: handle.c */
	uint32_t	 epoch;		/* bumped per open: the generation */
	struct store_options opt;
	int		 dirty;		/* opened after an unclean stop */
	int		 unsynced;	/* a commit or create since sync */
	int		 txn_lazy;	/* this txn needs no flush: store_txn_lazy */
	int		 flushed;	/* store_sync_log ran; _after due */

	/* this transaction's side effects, applied or undone at its end */
	struct store_notify notes[STORE_NOTES_MAX];
	size_t		 nnotes;
	unsigned int	 note_rename;	/* STORE_NOTIFY_RENAME during a rename */
	uint64_t	 txn_created;	/* backing file made in this txn, or 0 */
	uint64_t	 txn_new_ino;	/* allocated in this txn: no note */
	uint64_t	 txn_unlinks[STORE_TXN_UNLINKS_MAX];
	size_t		 ntxn_unlinks;

	/* work for the next store_sync */
	uint8_t		*shard_dirty;	/* bitmap over STORE_SHARD_* codes */
	uint32_t	*shards;	/* the set bits, to fsync in order */
	size_t		 nshards, shards_cap;
	uint64_t	*datasyncs;	/* truncated backing files */
	size_t		 ndatasyncs, datasyncs_cap;
	uint64_t	*unlinks;	/* backing files to unlink after flush */
	size_t		 nunlinks, unlinks_cap;
	uint64_t	*trims;		/* big ones, for store_trim_step */
	size_t		 ntrims, trims_cap;
	uint64_t	*held;		/* big ones still open elsewhere */
	size_t		 nheld, held_cap;
	int		 lease_warned;	/* no lease probe here: said once */
	uint64_t	 trim_steps;

	/* spare backing files in <dir>/spare, named by number */
	int		 sparefd;	/* -1: no pool (read-only open, EXDEV) */
	uint32_t	 spares[STORE_SPARES_MAX];
	size_t		 nspares;
	uint32_t	 spare_next;
	uint64_t	 spares_used;
};

/* store.c: open and close, encoding helpers, logging */
#define STORE_OPEN_NOREPAIR	0x01	/* fsck: do not repair on open */
int	 store_open_flags(const char *, const struct store_options *, int,
	    struct store **);
void	 store_log(struct store *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 store_dberr(struct store *, const char *, int);
void	 store_now(struct timespec *);
int	 store_grow(void **, size_t *, size_t, size_t);
int	 store_dir_open(int, const char *, DIR **);
void	 store_put64(uint8_t *, uint64_t);
uint64_t store_get64(const uint8_t *);
void	 store_put32(uint8_t *, uint32_t);
uint32_t store_get32(const uint8_t *);
void	 store_put_ts(uint8_t *, const struct timespec *);
void	 store_get_ts(const uint8_t *, struct timespec *);

/* store_db.c: transactions, notifications, group commit */
int	 store_txn_begin(struct store *);
int	 store_txn_end(struct store *, int);
void	 store_txn_lazy(struct store *);
void	 store_note(struct store *, const struct store_inode *, unsigned int);
void	 store_note_entry(struct store *, const struct store_inode *dir,
	    const char *name, size_t len, unsigned int what);
void	 store_shard_mark(struct store *, uint32_t);
void	 store_datasync_add(struct store *, uint64_t);

/* store_backing.c: backing files, spares, the unlink and trim queues */
int	 store_spare_open(struct store *);
void	 store_backing_path(uint64_t, char *, size_t);
int	 store_backing_make(struct store *, uint64_t, int);
int	 store_backing_open(struct store *, uint64_t, int);
int	 store_backing_stat(struct store *, uint64_t, struct stat *);
int	 store_backing_exchange(struct store *, uint64_t, uint64_t);
void	 store_unlink_backing(struct store *, uint64_t, int);
void	 store_sync_unlinks(struct store *);

/* store_inode.c: inode records, meta.db counters, attributes */
int	 store_inode_get(struct store *, uint64_t, struct store_inode *);
int	 store_inode_get_cur(struct store *, DBC *, uint64_t,
	    struct store_inode *);
int	 store_inode_put(struct store *, const struct store_inode *);
int	 store_inode_del(struct store *, const struct store_inode *);
int	 store_inode_alloc(struct store *, uint64_t *);
void	 store_inode_encode(const struct store_inode *, uint8_t *);
int	 store_inode_decode(const uint8_t *, size_t, uint64_t,
	    struct store_inode *);
/*
 * Version 3 records; version 2's were 152 bytes, without ctime_floor,
 * version 1's 144, without the DOS word.
 */
#define STORE_INODE_RECLEN	160
#define STORE_INODE_RECLEN_V2	152
#define STORE_INODE_RECLEN_V1	144
uint64_t store_ts_ns(const struct timespec *);
void	 store_change_bump(struct store_inode *, const struct timespec *);
int	 store_meta_get_u64(struct store *, const char *, uint64_t *);
int	 store_meta_put_u64(struct store *, const char *, uint64_t);
int	 store_attr_fill(struct store *, const struct store_inode *,
	    struct store_attr *);
void	 store_attr_fill_stat(const struct store_inode *,
	    const struct stat *, struct store_attr *);

/* store_dir.c: directory entries and cookies */
/* By the key's bytes: fsck and the upgrade; the operations use _find. */
int	 store_dirent_get(struct store *, uint64_t, const char *, size_t,
	    uint64_t *, enum store_type *, uint64_t *);
/*
 * name in directory dp, whatever its case if dp is CASELESS; stored (may
 * be NULL, else STORE_NAME_MAX bytes) gets the name as made, *storedlen
 * its length.
 */
int	 store_dirent_find(struct store *, const struct store_inode *,
	    const char *, size_t, uint64_t *, enum store_type *, char *,
	    size_t *);
int	 store_dirent_add(struct store *, struct store_inode *, const char *,
	    size_t, uint64_t, enum store_type);
int	 store_dirent_del(struct store *, struct store_inode *, const char *,
	    size_t);
/* A cookies.db value: ino (8 bytes), type (1), name (format 2). */
#define STORE_COOKIE_VAL_MAX	(9 + STORE_NAME_MAX)
size_t	 store_cookie_encode(uint8_t *, uint64_t, enum store_type,
	    const char *, size_t);
int	 store_cookie_decode(const uint8_t *, size_t, uint64_t *,
	    enum store_type *, const char **, size_t *);

/* store_xattr.c: named blobs of an inode */
int	 store_blob_get(struct store *, uint64_t, const char *, size_t,
	    void *, size_t, size_t *);
int	 store_blob_put(struct store *, uint64_t, const char *, size_t,
	    const void *, size_t);
int	 store_blob_del(struct store *, uint64_t, const char *, size_t);
int	 store_blob_del_all(struct store *, uint64_t, int user_only);
/*
 * Each user xattr name of ino (the internal blobs skipped), through cur
 * (a cursor on xattrs.db): each() gets the name; a nonzero return from
 * it stops the walk and is returned.  Values are not read.
 */
int	 store_xattr_names(struct store *, DBC *, uint64_t,
	    int (*each)(void *, const uint8_t *, size_t), void *);

/* store_ops.c: the permission rules the operations share */
#define MAY_EXEC	PERM_EXEC
#define MAY_WRITE	PERM_WRITE
#define MAY_READ	PERM_READ
int	 ops_is_owner(const struct store_cred *, const struct store_inode *);
int	 ops_allowed(struct store *, const struct store_cred *,
	    const struct store_inode *, int, uint32_t);
int	 ops_acl_grants(struct store *, const struct store_cred *,
	    const struct store_inode *, uint32_t);
int	 ops_acl(struct store *, const struct store_inode *, struct acl *);
int	 ops_acl_store(struct store *, struct store_inode *,
	    const struct acl *);
void	 ops_touch(struct store_inode *, const struct timespec *);
int	 ops_touch_put(struct store *, struct store_inode *);
int	 ops_name_check(const char *, size_t);
/* Search permission (MAY_EXEC, ACL_EXECUTE) as the caller needs it. */
int	 ops_search_may(const struct store_cred *);
uint32_t ops_search_ace(const struct store_cred *);
int	 ops_dir(struct store *, const struct store_cred *,
	    const struct store_fh *, struct store_inode *);
void	 ops_dir_modified(struct store_inode *, const struct timespec *);
int	 ops_reply(struct store *, const struct store_inode *,
	    struct store_fh *, struct store_attr *);
int	 ops_setattr_apply(struct store *, const struct store_cred *,
	    struct store_inode *, const struct store_sattr *, int,
	    unsigned int *);
int	 ops_new_inode(struct store *, const struct store_cred *,
	    struct store_inode *, const char *, size_t,
	    const struct store_new *, struct store_inode *);
int	 ops_unlinked(struct store *, struct store_inode *,
	    const struct timespec *);
int	 ops_may_delete(struct store *, const struct store_cred *,
	    const struct store_inode *, const struct store_inode *, int);
int	 ops_io_check(struct store *, const struct store_cred *,
	    const struct store_inode *, int);
int	 ops_write_prep_due(const struct store_cred *,
	    const struct store_inode *, int);
int	 ops_write_prep(struct store *, const struct store_cred *,
	    struct store_inode *, int);

/* store_stream.c */
int	 store_stream_del_all(struct store *, const struct store_inode *);

/*
 * store_open.c: NFSv3 CREATE's path onto store_open_name; mode_default:
 * STORE_OPEN_MODE_DEFAULT (the client gave no mode)
 */
int	 store_create_sattr(struct store *, const struct store_cred *,
	    const struct store_fh *, const char *, size_t, uint32_t,
	    enum store_createhow, const uint8_t *, const struct store_sattr *,
	    int mode_default, struct store_fh *, struct store_attr *);

/* store_upgrade.c; the format store.c writes and reads */
#define STORE_FORMAT		4
int	 store_upgrade_cookies(struct store *);
int	 store_upgrade_format(struct store *, uint64_t);
int	 store_upgrade_rekey(struct store *);

/* handle.c */
#define STORE_FH_LEN		33
int	 store_fh_init(struct store *);
void	 store_fh_fini(struct store *);
int	 store_fh_encode(const struct store *, uint32_t, uint64_t, uint32_t,
	    struct store_fh *);
int	 store_fh_decode(const struct store *, const struct store_fh *,
	    uint32_t *, uint64_t *, uint32_t *);
int	 store_fh_resolve(struct store *, const struct store_fh *,
	    struct store_inode *);

/* fsck.c */
#define STORE_CHECK_REPAIR	0x01
#define STORE_CHECK_BACKING	0x02	/* backing files vs regular inodes */
#define STORE_CHECK_NAMESPACE	0x04	/* dirents, link counts, xattrs */
int	 store_check(struct store *, int, FILE *);

#endif /* DITTOFS_BLOCKD_STORE_INT_H */
