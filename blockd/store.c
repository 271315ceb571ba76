/*
 * blockd/store.c: the store's lifecycle, its records and its backing files.
 *
 * Layout of a store directory:
 *	LOCK		flock()ed by the one process that has the store open
 *	clean		present only while the store is closed after a clean stop
 *	db/		Berkeley DB environment: meta.db inodes.db dirents.db
 *			cookies.db xattrs.db and the log
 *	data/AB/CD/<inode in hex>	one backing file per regular inode
 *	spare/<n>	empty files made ahead, renamed to be backing files
 *
 * CRASH CONSISTENCY RULE (between the database and the backing files)
 *
 *  0. A regular inode has a backing file only once it is BACKED (inode
 *     flag).  create makes none (a host file create costs 200-500 us of
 *     kernel time here, a transaction microseconds); the first
 *     store_open_io, or a setattr to a size > 0, makes it, by renaming a
 *     spare (an empty file made ahead, about 20 us) when there is one.
 *     An unbacked file is empty and its times are the inode record's.
 *  1. A backing file is created before the transaction that sets BACKED
 *     commits; it is unlinked only after the transaction that deletes
 *     its inode is durable (store_sync_after() does the unlinks, after
 *     store_sync_log()'s flush; blockd runs it once the replies left).  Truncated backing files are fdatasynced by store_sync()
 *     BEFORE its log flush, so a durable SETATTR of the size has its data
 *     change durable too.
 *  2. A crash can then leave three kinds of disagreement, all repaired
 *     by store_open() after an unclean stop (and by store_fsck()):
 *     - a backing file whose inode exists but is not BACKED (the BACKED
 *       transaction was lost): ADOPTED, i.e. BACKED is set, never
 *       deleted.  A front end may have written through the fd open_io
 *       gave it and fdatasynced (NFS FILE_SYNC, COMMIT), and told its
 *       client the data is stable; the file is that data.
 *     - a backing file whose inode is not in the database (made for an
 *       inode whose creating transaction was lost, or removed by a
 *       durable transaction before the unlink ran): garbage, deleted.
 *     - a BACKED inode whose backing file is missing: a fault that only
 *       a power loss or outside damage causes (we do not fsync the shard
 *       directory per batch, which would double the flushes; but a
 *       COMMIT fdatasyncs the file, which on ext4, XFS and btrfs also
 *       persists its new directory entry, so nothing promised is lost).
 *       fsck reports it; the repair is an empty backing file.  With
 *       store_options.dirsync set, store_sync() fsyncs the directories
 *       new backing files went into before the log flush, and this case
 *       cannot arise from a power loss.
 *  3. store_open() knows it must look because the "clean" marker is
 *     missing: store_close() writes it (after the final sync), and
 *     store_open() removes it durably before changing anything.  After an
 *     unclean stop, open scans the data tree and the regular inodes
 *     before any operation runs, so an inode number that a lost
 *     transaction freed never meets the backing file made for it.
 *  4. Inode numbers only grow, and the generation is the open count
 *     ("epoch"), so an inode number reused after a lost transaction
 *     still gives a new (ino, generation) pair: old handles go ESTALE.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define STORE_INTERNAL

#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockd/store.h"

/*
 * 2: a cookies.db value holds what a listing needs, (ino, type, name);
 * format 1's held the name only.  store_upgrade_cookies makes a 1 a 2.
 */
#define STORE_FORMAT		2
/*
 * Cookie records per transaction of that upgrade.  A transaction keeps
 * a lock on every page it read or wrote until it ends, and each record
 * costs a dirents.db search: a batch holds at most a few thousand locks.
 * One transaction for a whole store of 3 million entries ran out of
 * set_lk_max_locks' 50000 (measured; 1 million fitted).
 */
#define STORE_UPGRADE_BATCH	1000
#define STORE_CACHE_DEFAULT	(64u * 1024 * 1024)
#define STORE_SHARE_KEY		"share:"
/* Checkpoint from store_sync once this much log was written (KiB). */
#define STORE_CKP_KBYTES	(32u * 1024)

static void	store_env_errcall(const DB_ENV *, const char *, const char *);
static int	store_db_open(struct store *, DB_TXN *, DB **, const char *);
static int	store_meta_init(struct store *);
static int	store_mark_dirty(struct store *, int *);
static int	store_mark_clean(struct store *);
static void	store_shard_mark(struct store *, uint32_t);
static int	store_grow(void **, size_t *, size_t, size_t);
static int	store_sync_shards(struct store *);
static int	store_sync_data(struct store *);
static void	store_sync_unlinks(struct store *);
static void	store_unlink_backing(struct store *, uint64_t, int);
static int	store_checkpoint_due(struct store *);

void
store_put64(uint8_t *p, uint64_t v)
{
	int i;

	/* Big endian so that the btree orders keys numerically. */
	for (i = 7; i >= 0; i--) {
		p[i] = v & 0xff;
		v >>= 8;
	}
}

uint64_t
store_get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void
store_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t
store_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
store_put_ts(uint8_t *p, const struct timespec *ts)
{
	store_put64(p, (uint64_t)ts->tv_sec);
	store_put32(p + 8, (uint32_t)ts->tv_nsec);
	store_put32(p + 12, 0);
}

static void
store_get_ts(const uint8_t *p, struct timespec *ts)
{
	ts->tv_sec = (time_t)store_get64(p);
	ts->tv_nsec = store_get32(p + 8);
}

void
store_log(struct store *s, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (s->opt.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->opt.log(s->opt.log_arg, buf);
}

/* Log a Berkeley DB failure and turn it into a negative errno. */
int
store_dberr(struct store *s, const char *what, int ret)
{
	store_log(s, "%s: %s", what, db_strerror(ret));
	if (ret > 0)
		return -ret;
	return -EIO;
}

void
store_now(struct timespec *ts)
{
	if (clock_gettime(CLOCK_REALTIME, ts) == -1) {
		/* Cannot happen with CLOCK_REALTIME; keep the value sane. */
		ts->tv_sec = time(NULL);
		ts->tv_nsec = 0;
	}
}

static void
store_env_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
	struct store *s = env->app_private;

	(void)pfx;
	if (s != NULL)
		store_log(s, "db: %s", msg);
}

static int
store_grow(void **arrayp, size_t *capp, size_t need, size_t size)
{
	size_t cap;
	void *p;

	if (need <= *capp)
		return 0;
	cap = *capp ? *capp * 2 : 64;
	while (cap < need)
		cap *= 2;
	if ((p = reallocarray(*arrayp, cap, size)) == NULL)
		return -ENOMEM;
	*arrayp = p;
	*capp = cap;
	return 0;
}

/* opendir(3) of path under dirfd: 0 and *dp, or a negative errno. */
int
store_dir_open(int dirfd, const char *path, DIR **dp)
{
	int fd, rv;

	if ((fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return -errno;
	if ((*dp = fdopendir(fd)) == NULL) {
		rv = -errno;
		(void)close(fd);
		return rv;
	}
	return 0;
}

/*
 * The pool of spare backing files.  A spare belongs to no inode and no
 * front end ever had an fd of it, so a crash leaves nothing to repair:
 * open keeps the empty files it finds (up to STORE_SPARES_MAX) and
 * deletes anything else there.
 */
static int
store_spare_open(struct store *s)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	char *end;
	unsigned long n;
	int rv;

	if (mkdirat(s->dirfd, "spare", 0700) == -1 && errno != EEXIST)
		return -errno;
	if ((s->sparefd = openat(s->dirfd, "spare",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -errno;
	if ((rv = store_dir_open(s->sparefd, ".", &d)) != 0)
		return rv;
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		errno = 0;
		n = strtoul(de->d_name, &end, 16);
		if (errno == 0 && *end == '\0' && end != de->d_name &&
		    n <= UINT32_MAX && s->nspares < STORE_SPARES_MAX &&
		    fstatat(s->sparefd, de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size == 0 && st.st_nlink == 1) {
			s->spares[s->nspares++] = (uint32_t)n;
			if (n >= s->spare_next)
				s->spare_next = (uint32_t)n + 1;
			continue;
		}
		if (unlinkat(s->sparefd, de->d_name, 0) == -1 &&
		    unlinkat(s->sparefd, de->d_name, AT_REMOVEDIR) == -1)
			store_log(s, "spare/%s: %s", de->d_name,
			    strerror(errno));
	}
	if (errno != 0)
		rv = -errno;
	(void)closedir(d);
	return rv;
}

int
store_spare_make(struct store *s)
{
	char name[16];
	int fd, tries;

	if (s->sparefd == -1 || s->nspares == STORE_SPARES_MAX)
		return 0;
	for (tries = 0; tries < 3; tries++) {
		snprintf(name, sizeof(name), "%08x", s->spare_next++);
		fd = openat(s->sparefd, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd != -1) {
			(void)close(fd);
			s->spares[s->nspares++] = s->spare_next - 1;
			return 1;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

void
store_spare_stats(const struct store *s, size_t *ready, uint64_t *used)
{
	*ready = s->nspares;
	*used = s->spares_used;
}

/*
 * A spare renamed to path: an fd opened with oflags, or -ENOENT (no
 * spare, or path's directory is missing), -EEXIST (path exists), or
 * another error.  A spare that vanished is dropped; on another file
 * system (EXDEV) the pool is given up.
 */
static int
store_spare_take(struct store *s, const char *path, int oflags)
{
	char name[16];
	int fd;

	while (s->nspares > 0) {
		snprintf(name, sizeof(name), "%08x",
		    s->spares[s->nspares - 1]);
		if (renameat2(s->sparefd, name, s->datafd, path,
		    RENAME_NOREPLACE) == 0) {
			s->nspares--;
			s->spares_used++;
			fd = openat(s->datafd, path, oflags | O_CLOEXEC |
			    O_NOFOLLOW);
			return fd == -1 ? -errno : fd;
		}
		if (errno == EEXIST)
			return -EEXIST;
		if (errno == ENOENT &&
		    faccessat(s->sparefd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			return -ENOENT;		/* path's directory */
		if (errno != ENOENT) {
			store_log(s, "spare/%s: %s; making backing files "
			    "without spares", name, strerror(errno));
			s->nspares = 0;
			(void)close(s->sparefd);
			s->sparefd = -1;
			return -ENOENT;
		}
		s->nspares--;			/* gone: try the next */
	}
	return -ENOENT;
}

int
store_open(const char *dir, const struct store_options *opt,
    struct store **sp)
{
	return store_open_flags(dir, opt, 0, sp);
}

int
store_open_flags(const char *dir, const struct store_options *opt,
    int flags, struct store **sp)
{
	struct store *s;
	char home[4096];
	size_t cache;
	int fresh, rv, ret;

	*sp = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -ENOMEM;
	s->dirfd = s->datafd = s->lockfd = s->sparefd = -1;
	if (opt != NULL)
		s->opt = *opt;
	if ((s->dir = strdup(dir)) == NULL) {
		rv = -ENOMEM;
		goto fail;
	}
	if ((s->shard_dirty = calloc(1, (STORE_SHARD_TOP >> 3) + 1)) ==
	    NULL) {
		rv = -ENOMEM;
		goto fail;
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		rv = -errno;
		goto fail;
	}
	if ((s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		rv = -errno;
		goto fail;
	}
	if ((s->lockfd = openat(s->dirfd, "LOCK",
	    O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		rv = -errno;
		goto fail;
	}
	/* One process per store: two writers would corrupt the data tree. */
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) == -1) {
		rv = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto fail;
	}
	if (mkdirat(s->dirfd, "db", 0700) == -1 && errno != EEXIST) {
		rv = -errno;
		goto fail;
	}
	if (mkdirat(s->dirfd, "data", 0700) == -1 && errno != EEXIST) {
		rv = -errno;
		goto fail;
	}
	if ((s->datafd = openat(s->dirfd, "data",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		rv = -errno;
		goto fail;
	}

	fresh = faccessat(s->dirfd, "db/meta.db", F_OK, 0) == -1;
	if ((rv = store_mark_dirty(s, &s->dirty)) != 0)
		goto fail;
	if (fresh)
		s->dirty = 0;

	if ((ret = db_env_create(&s->env, 0)) != 0) {
		rv = store_dberr(s, "db_env_create", ret);
		goto fail;
	}
	s->env->app_private = s;
	s->env->set_errcall(s->env, store_env_errcall);
	cache = s->opt.cache_bytes ? s->opt.cache_bytes : STORE_CACHE_DEFAULT;
	if ((ret = s->env->set_cachesize(s->env, (u_int32_t)(cache >> 30),
	    (u_int32_t)(cache & ((1u << 30) - 1)), 1)) != 0 ||
	    /* A big log buffer: NOSYNC commits then cost no write(2). */
	    (ret = s->env->set_lg_bsize(s->env, 4u * 1024 * 1024)) != 0 ||
	    (ret = s->env->set_lg_max(s->env, 32u * 1024 * 1024)) != 0 ||
	    (ret = s->env->set_lk_max_locks(s->env, 50000)) != 0 ||
	    (ret = s->env->set_lk_max_objects(s->env, 50000)) != 0 ||
	    (ret = s->env->log_set_config(s->env, DB_LOG_AUTO_REMOVE, 1)) !=
	    0 ||
	    /*
	     * Zero-filled log files are not extended by writes, so a log
	     * flush is an fdatasync without a file system journal commit.
	     */
	    (ret = s->env->log_set_config(s->env, DB_LOG_ZERO, 1)) != 0) {
		rv = store_dberr(s, "env config", ret);
		goto fail;
	}
	if ((size_t)snprintf(home, sizeof(home), "%s/db", dir) >=
	    sizeof(home)) {
		rv = -ENAMETOOLONG;
		goto fail;
	}
	/*
	 * DB_PRIVATE: one process uses the environment (the LOCK file makes
	 * sure), so its regions need not be shared files.
	 */
	if ((ret = s->env->open(s->env, home, DB_CREATE | DB_INIT_TXN |
	    DB_INIT_LOG | DB_INIT_LOCK | DB_INIT_MPOOL | DB_RECOVER |
	    DB_PRIVATE, 0600)) != 0) {
		rv = store_dberr(s, "env open", ret);
		goto fail;
	}
	if ((rv = store_meta_init(s)) != 0)
		goto fail;
	if (s->dirty && !(flags & STORE_OPEN_NOREPAIR)) {
		store_log(s, "%s: unclean shutdown, checking backing files",
		    dir);
		if ((rv = store_check(s, STORE_CHECK_BACKING |
		    STORE_CHECK_REPAIR, NULL)) < 0)
			goto fail;
		if (rv > 0)
			store_log(s, "%s: repaired %d backing file faults",
			    dir, rv);
		if ((rv = store_sync(s)) != 0)
			goto fail;
		s->dirty = 0;
	}
	if (!(flags & STORE_OPEN_NOREPAIR) && (rv = store_spare_open(s)) != 0)
		goto fail;
	*sp = s;
	return 0;
fail:
	/* Never mark clean a store we failed to open. */
	s->dirty = 1;
	store_close(s);
	return rv;
}

/*
 * Remove the clean marker durably before anything changes, so that a
 * crash from here on is seen as one.  *was_dirty: the marker was missing.
 */
static int
store_mark_dirty(struct store *s, int *was_dirty)
{
	if (unlinkat(s->dirfd, "clean", 0) == -1) {
		if (errno != ENOENT)
			return -errno;
		*was_dirty = 1;
		return 0;
	}
	*was_dirty = 0;
	if (fsync(s->dirfd) == -1)
		return -errno;
	return 0;
}

static int
store_mark_clean(struct store *s)
{
	int fd;

	if ((fd = openat(s->dirfd, "clean", O_WRONLY | O_CREAT | O_CLOEXEC,
	    0600)) == -1)
		return -errno;
	if (close(fd) == -1)
		return -errno;
	if (fsync(s->dirfd) == -1)
		return -errno;
	return 0;
}

static int
store_db_open(struct store *s, DB_TXN *txn, DB **dbp, const char *file)
{
	int ret;

	if ((ret = db_create(dbp, s->env, 0)) != 0)
		return store_dberr(s, "db_create", ret);
	if ((ret = (*dbp)->open(*dbp, txn, file, NULL, DB_BTREE, DB_CREATE,
	    0600)) != 0) {
		/* Closed later by store_close, which checks for NULL. */
		return store_dberr(s, file, ret);
	}
	return 0;
}

struct store_upgrade {
	size_t		rewritten;
	size_t		kept;		/* format 2 already */
	size_t		unmatched;	/* name no dirent: left for fsck */
};

/*
 * Is there a dirent (dir, name) with this cookie?  1 and its ino and
 * type if so, 0 if not, or a negative errno.  A bad dirent record counts
 * as none: fsck reports it.
 */
static int
store_upgrade_match(struct store *s, DBC *dcur, uint64_t dir,
    uint64_t cookie, const uint8_t *name, size_t len, uint64_t *inop,
    enum store_type *typep)
{
	uint8_t k[8 + STORE_NAME_MAX];
	const uint8_t *v;
	DBT key, data;
	int ret;

	if (len == 0 || len > STORE_NAME_MAX)
		return 0;
	store_put64(k, dir);
	memcpy(k + 8, name, len);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = (u_int32_t)(8 + len);
	ret = dcur->get(dcur, &key, &data, DB_SET);
	if (ret == DB_NOTFOUND)
		return 0;
	if (ret != 0)
		return store_dberr(s, "upgrade: get dirent", ret);
	v = data.data;
	if (data.size != 17 || store_get64(v + 8) != cookie)
		return 0;
	*inop = store_get64(v);
	*typep = (enum store_type)v[16];
	return 1;
}

/* The cookie record under cur (key, data) in format 2. */
static int
store_upgrade_record(struct store *s, DBC *cur, DBC *dcur, DBT *key,
    const DBT *data, struct store_upgrade *u)
{
	uint8_t v[STORE_COOKIE_VAL_MAX];
	const uint8_t *val = data->data, *name;
	enum store_type type;
	uint64_t dir, cookie, ino;
	size_t len;
	DBT nd;
	int ret, rv;

	if (key->size != 16) {
		u->unmatched++;
		return 0;
	}
	dir = store_get64(key->data);
	cookie = store_get64((const uint8_t *)key->data + 8);
	/* Format 1: the value is the name. */
	name = val;
	len = data->size;
	rv = store_upgrade_match(s, dcur, dir, cookie, name, len, &ino,
	    &type);
	if (rv == 0 && data->size > 9) {
		/* Rewritten before a crash cut the upgrade short? */
		name = val + 9;
		len = data->size - 9;
		rv = store_upgrade_match(s, dcur, dir, cookie, name, len, &ino,
		    &type);
		if (rv == 1 && store_get64(val) == ino &&
		    val[8] == (uint8_t)type) {
			u->kept++;
			return 0;
		}
	}
	if (rv < 0)
		return rv;
	if (rv == 0) {
		u->unmatched++;
		return 0;
	}
	memset(&nd, 0, sizeof(nd));
	nd.data = v;
	nd.size = (u_int32_t)store_cookie_encode(v, ino, type,
	    (const char *)name, len);
	if ((ret = cur->put(cur, key, &nd, DB_CURRENT)) != 0)
		return store_dberr(s, "upgrade: put cookie", ret);
	u->rewritten++;
	return 0;
}

/*
 * Format 1 to 2: every cookies.db value becomes (ino, type, name), taken
 * from the dirent it names (dirents.db is the truth).
 *
 * STORE_UPGRADE_BATCH records per transaction; the transaction that
 * reaches the last record also sets format 2.  A crash therefore leaves
 * format 2 complete, or format 1 with some batches rewritten, which the
 * next open upgrades again from the start.  A record tells its form by
 * the dirent it matches: read either way, its name must name the dirent
 * that has its cookie, and only one dirent of a directory has a given
 * cookie.  A record that names none either way (there are none in a
 * consistent store) is left as it is for fsck, which deletes it.
 */
static int
store_upgrade_cookies(struct store *s)
{
	struct store_upgrade u;
	DBT key, data;
	DBC *cur, *dcur;
	u_int32_t flag = DB_FIRST;
	size_t n;
	int done = 0, ret, rv = 0;

	memset(&u, 0, sizeof(u));
	memset(&key, 0, sizeof(key));
	/* Outlives each batch's cursor: where the next batch starts. */
	key.flags = DB_DBT_REALLOC;
	while (!done && rv == 0) {
		if ((rv = store_txn_begin(s)) != 0)
			break;
		cur = dcur = NULL;
		if ((ret = s->cookies->cursor(s->cookies, s->txn, &cur,
		    0)) != 0 || (ret = s->dirents->cursor(s->dirents, s->txn,
		    &dcur, 0)) != 0) {
			rv = store_dberr(s, "upgrade: cursor", ret);
			goto end;
		}
		memset(&data, 0, sizeof(data));
		ret = cur->get(cur, &key, &data, flag);
		for (n = 0; ret == 0 && n < STORE_UPGRADE_BATCH; n++) {
			if ((rv = store_upgrade_record(s, cur, dcur, &key,
			    &data, &u)) != 0)
				goto end;
			ret = cur->get(cur, &key, &data, DB_NEXT);
		}
		/* ret 0: a full batch; key is the next batch's first. */
		if (ret == DB_NOTFOUND) {
			done = 1;
			rv = store_meta_put_u64(s, "format", 2);
		} else if (ret != 0)
			rv = store_dberr(s, "upgrade: next cookie", ret);
end:
		if (dcur != NULL && (ret = dcur->close(dcur)) != 0 && rv == 0)
			rv = store_dberr(s, "cursor close", ret);
		if (cur != NULL && (ret = cur->close(cur)) != 0 && rv == 0)
			rv = store_dberr(s, "cursor close", ret);
		rv = store_txn_end(s, rv);
		flag = DB_SET_RANGE;
	}
	free(key.data);
	if (rv != 0)
		return rv;
	store_log(s, "%s: store format 1 upgraded to 2: %zu cookie records "
	    "rewritten, %zu were already, %zu name no entry (for fsck)",
	    s->dir, u.rewritten, u.kept, u.unmatched);
	/* Flush it now, and checkpoint if it wrote much log. */
	return store_sync(s);
}

/*
 * Open the databases; create the secret once; bump the epoch; upgrade a
 * format 1 store.
 */
static int
store_meta_init(struct store *s)
{
	DBT key, data;
	uint64_t v, format = STORE_FORMAT;
	int ret, rv;

	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if ((rv = store_db_open(s, s->txn, &s->meta, "meta.db")) != 0 ||
	    (rv = store_db_open(s, s->txn, &s->inodes, "inodes.db")) != 0 ||
	    (rv = store_db_open(s, s->txn, &s->dirents, "dirents.db")) != 0 ||
	    (rv = store_db_open(s, s->txn, &s->cookies, "cookies.db")) != 0 ||
	    (rv = store_db_open(s, s->txn, &s->xattrs, "xattrs.db")) != 0)
		goto out;

	rv = store_meta_get_u64(s, "format", &v);
	if (rv == -ENOENT) {
		if ((rv = store_meta_put_u64(s, "format", STORE_FORMAT)) != 0 ||
		    (rv = store_meta_put_u64(s, "next_ino",
		    STORE_ROOT_INO_FIRST)) != 0 ||
		    (rv = store_meta_put_u64(s, "next_share", 1)) != 0 ||
		    (rv = store_meta_put_u64(s, "files", 0)) != 0 ||
		    (rv = store_meta_put_u64(s, "epoch", 0)) != 0)
			goto out;
		v = STORE_FORMAT;
	} else if (rv != 0)
		goto out;
	if (v != STORE_FORMAT && v != 1) {
		store_log(s, "%s: unknown store format %llu", s->dir,
		    (unsigned long long)v);
		rv = -EPROTO;
		goto out;
	}
	format = v;

	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = "secret";
	key.size = 6;
	data.data = s->secret;
	data.ulen = sizeof(s->secret);
	data.flags = DB_DBT_USERMEM;
	ret = s->meta->get(s->meta, s->txn, &key, &data, 0);
	if (ret == DB_NOTFOUND) {
		/* The handle MAC key: never leaves the store directory. */
		if (getrandom(s->secret, sizeof(s->secret), 0) !=
		    (ssize_t)sizeof(s->secret)) {
			rv = -errno;
			goto out;
		}
		data.size = sizeof(s->secret);
		if ((ret = s->meta->put(s->meta, s->txn, &key, &data, 0)) !=
		    0) {
			rv = store_dberr(s, "put secret", ret);
			goto out;
		}
	} else if (ret != 0) {
		rv = store_dberr(s, "get secret", ret);
		goto out;
	} else if (data.size != sizeof(s->secret)) {
		store_log(s, "%s: secret has a bad size", s->dir);
		rv = -EIO;
		goto out;
	}

	if ((rv = store_fh_init(s)) != 0)
		goto out;
	if ((rv = store_meta_get_u64(s, "epoch", &v)) != 0)
		goto out;
	v++;
	if (v > UINT32_MAX) {
		store_log(s, "%s: epoch exhausted", s->dir);
		rv = -EOVERFLOW;
		goto out;
	}
	if ((rv = store_meta_put_u64(s, "epoch", v)) != 0)
		goto out;
	s->epoch = (uint32_t)v;
out:
	if (rv != 0) {
		store_txn_end(s, rv);
		return rv;
	}
	/* Durable now: generations of this epoch must never repeat. */
	if ((ret = s->txn->commit(s->txn, 0)) != 0) {
		s->txn = NULL;
		return store_dberr(s, "commit open", ret);
	}
	s->txn = NULL;
	/* Its own transactions, after the databases' creation committed. */
	if (format == 1)
		return store_upgrade_cookies(s);
	return 0;
}

void
store_close(struct store *s)
{
	int rv = 0, ret;

	if (s == NULL)
		return;
	if (s->txn != NULL)
		store_txn_end(s, -ECANCELED);
	if (s->env != NULL && s->xattrs != NULL) {
		if ((rv = store_sync(s)) == 0)
			rv = store_checkpoint(s);
	}
	while (s->ntrims > 0)
		store_unlink_backing(s, s->trims[--s->ntrims], 1);
	if (s->xattrs != NULL && (ret = s->xattrs->close(s->xattrs, 0)) != 0)
		rv = store_dberr(s, "close xattrs", ret);
	if (s->cookies != NULL && (ret = s->cookies->close(s->cookies, 0)) !=
	    0)
		rv = store_dberr(s, "close cookies", ret);
	if (s->dirents != NULL && (ret = s->dirents->close(s->dirents, 0)) !=
	    0)
		rv = store_dberr(s, "close dirents", ret);
	if (s->inodes != NULL && (ret = s->inodes->close(s->inodes, 0)) != 0)
		rv = store_dberr(s, "close inodes", ret);
	if (s->meta != NULL && (ret = s->meta->close(s->meta, 0)) != 0)
		rv = store_dberr(s, "close meta", ret);
	if (s->env != NULL && (ret = s->env->close(s->env, 0)) != 0) {
		/* store_dberr needs no env; the callback is gone with it. */
		rv = -EIO;
	}
	if (s->env != NULL && rv == 0 && !s->dirty && s->dirfd != -1)
		(void)store_mark_clean(s);
	if (s->datafd != -1)
		(void)close(s->datafd);
	if (s->sparefd != -1)
		(void)close(s->sparefd);
	if (s->lockfd != -1)
		(void)close(s->lockfd);	/* releases the flock */
	if (s->dirfd != -1)
		(void)close(s->dirfd);
	store_fh_fini(s);
	free(s->shard_dirty);
	free(s->shards);
	free(s->datasyncs);
	free(s->unlinks);
	free(s->trims);
	free(s->dir);
	free(s);
}

int
store_checkpoint(struct store *s)
{
	int ret;

	if ((ret = s->env->txn_checkpoint(s->env, 0, 0, DB_FORCE)) != 0)
		return store_dberr(s, "checkpoint", ret);
	return 0;
}

static int
store_sync_shards(struct store *s)
{
	char path[16];
	uint32_t code;
	size_t i;
	int fd, rv = 0;

	for (i = 0; i < s->nshards; i++) {
		code = s->shards[i];
		s->shard_dirty[code >> 3] &= ~(1u << (code & 7));
		if (code == STORE_SHARD_TOP)
			snprintf(path, sizeof(path), ".");
		else if ((code & STORE_SHARD_MID) == STORE_SHARD_MID &&
		    !(code & STORE_SHARD_LEAF))
			snprintf(path, sizeof(path), "%02x", code & 0xff);
		else
			snprintf(path, sizeof(path), "%02x/%02x",
			    code & 0xff, (code >> 8) & 0xff);
		if ((fd = openat(s->datafd, path,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
			rv = -errno;
			store_log(s, "sync %s: %s", path, strerror(errno));
			continue;
		}
		if (fsync(fd) == -1) {
			rv = -errno;
			store_log(s, "fsync %s: %s", path, strerror(errno));
		}
		(void)close(fd);
	}
	s->nshards = 0;
	return rv;
}

static int
store_sync_data(struct store *s)
{
	size_t i;
	int fd, rv = 0;

	for (i = 0; i < s->ndatasyncs; i++) {
		if ((fd = store_backing_open(s, s->datasyncs[i], O_RDONLY)) <
		    0) {
			if (fd != -ENOENT)	/* removed meanwhile: fine */
				rv = fd;
			continue;
		}
		if (fdatasync(fd) == -1) {
			rv = -errno;
			store_log(s, "fdatasync %llx: %s",
			    (unsigned long long)s->datasyncs[i],
			    strerror(errno));
		}
		(void)close(fd);
	}
	s->ndatasyncs = 0;
	return rv;
}

/*
 * Unlink the backing file of a durably removed inode; unless now, one
 * with more than STORE_TRIM_STEP bytes allocated goes to the trim queue
 * (store.h).  A failure leaves an orphan, which fsck removes.
 */
static void
store_unlink_backing(struct store *s, uint64_t ino, int now)
{
	char path[64];
	struct stat st;

	store_backing_path(ino, path, sizeof(path));
	if (!now && fstatat(s->datafd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (uint64_t)st.st_blocks * 512 > STORE_TRIM_STEP &&
	    store_grow((void **)&s->trims, &s->trims_cap, s->ntrims + 1,
	    sizeof(*s->trims)) == 0) {
		s->trims[s->ntrims++] = ino;
		return;
	}
	if (unlinkat(s->datafd, path, 0) == -1 && errno != ENOENT)
		store_log(s, "unlink %s: %s", path, strerror(errno));
}

static void
store_sync_unlinks(struct store *s)
{
	size_t i;

	for (i = 0; i < s->nunlinks; i++)
		store_unlink_backing(s, s->unlinks[i], 0);
	s->nunlinks = 0;
}

int
store_trim_step(struct store *s)
{
	char path[64];
	struct stat st;
	uint64_t ino;
	off_t off;
	int fd, more = 0;

	if (s->ntrims == 0)
		return 0;
	ino = s->trims[0];
	store_backing_path(ino, path, sizeof(path));
	/*
	 * The inode is gone, so nothing opens this file by name again; a
	 * front end's fd from before the removal reads holes from now on.
	 */
	fd = openat(s->datafd, path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd != -1 && fstat(fd, &st) == 0 &&
	    (uint64_t)st.st_blocks * 512 > STORE_TRIM_STEP &&
	    (off = lseek(fd, 0, SEEK_DATA)) != -1 &&
	    fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off,
	    STORE_TRIM_STEP) == 0)
		more = 1;
	if (fd != -1)
		(void)close(fd);
	s->trim_steps++;
	if (more)
		return 1;
	/* Within a step now, or it cannot be punched: unlink it whole. */
	store_unlink_backing(s, ino, 1);
	s->ntrims--;
	memmove(s->trims, s->trims + 1, s->ntrims * sizeof(*s->trims));
	return s->ntrims > 0;
}

void
store_trim_stats(const struct store *s, size_t *queued, uint64_t *steps)
{
	*queued = s->ntrims;
	*steps = s->trim_steps;
}

/* Rule 1 at the top of this file: data and directories first, then log. */
int
store_sync_log(struct store *s)
{
	int rv, rv2, ret;

	rv = store_sync_shards(s);
	if ((rv2 = store_sync_data(s)) != 0 && rv == 0)
		rv = rv2;
	if (rv != 0) {
		/*
		 * Flushing the log now could make an inode durable without
		 * its backing file; leave the unlinks for later too.
		 */
		return rv;
	}
	if ((ret = s->env->log_flush(s->env, NULL)) != 0)
		return store_dberr(s, "log_flush", ret);
	s->unsynced = 0;
	s->flushed = 1;
	return 0;
}

/*
 * After store_sync_log: unlink the backing files of inodes whose removal
 * is durable now, and checkpoint when due.  Nothing a reply promises
 * waits for this, so the daemon calls it after sending them.
 */
int
store_sync_after(struct store *s)
{
	if (!s->flushed)
		return 0;
	s->flushed = 0;
	store_sync_unlinks(s);
	return store_checkpoint_due(s);
}

int
store_sync(struct store *s)
{
	int rv;

	if ((rv = store_sync_log(s)) != 0)
		return rv;
	return store_sync_after(s);
}

/*
 * Bound recovery time: checkpoint once STORE_CKP_KBYTES of log were
 * written since the last one.  The count comes from the log region;
 * txn_checkpoint's own test reads the last checkpoint record from the
 * log file, seven system calls on every sync.
 */
static int
store_checkpoint_due(struct store *s)
{
	DB_LOG_STAT *st;
	uint64_t written;
	int ret;

	if ((ret = s->env->log_stat(s->env, &st, 0)) != 0)
		return store_dberr(s, "log_stat", ret);
	written = (uint64_t)st->st_wc_mbytes * 1024 * 1024 + st->st_wc_bytes;
	free(st);
	if (written < (uint64_t)STORE_CKP_KBYTES * 1024)
		return 0;
	return store_checkpoint(s);
}

int
store_needs_sync(const struct store *s)
{
	return s->unsynced || s->nshards > 0 || s->ndatasyncs > 0 ||
	    (s->nunlinks > 0 && !s->flushed);
}

int
store_txn_begin(struct store *s)
{
	int ret;

	if (s->txn != NULL) {
		store_log(s, "nested transaction");
		return -EIO;
	}
	if ((ret = s->env->txn_begin(s->env, NULL, &s->txn, 0)) != 0) {
		s->txn = NULL;
		return store_dberr(s, "txn_begin", ret);
	}
	s->nnotes = 0;
	s->txn_created = 0;
	s->ntxn_unlinks = 0;
	s->txn_lazy = 0;
	s->txn_new_ino = 0;
	return 0;
}

/*
 * The running transaction's loss is repaired at open (rule 2), so the
 * reply to its operation need not wait for a log flush: the next flush
 * of anything else, or the checkpoint, carries it.  With dirsync a new
 * shard directory still makes store_needs_sync() true.
 */
void
store_txn_lazy(struct store *s)
{
	s->txn_lazy = 1;
}

/* Commit (rv == 0) or abort; apply or undo the side effects.  Returns rv. */
int
store_txn_end(struct store *s, int rv)
{
	char path[64];
	size_t i;
	int ret;

	if (rv == 0) {
		/* Durability comes from store_sync's log flush. */
		if ((ret = s->txn->commit(s->txn, DB_TXN_NOSYNC)) != 0)
			rv = store_dberr(s, "commit", ret);
		else if (!s->txn_lazy)
			s->unsynced = 1;
	} else if ((ret = s->txn->abort(s->txn)) != 0)
		store_dberr(s, "abort", ret);
	s->txn = NULL;

	if (rv != 0) {
		if (s->txn_created != 0) {
			store_backing_path(s->txn_created, path, sizeof(path));
			if (unlinkat(s->datafd, path, 0) == -1)
				store_log(s, "unlink %s: %s", path,
				    strerror(errno));
		}
		s->txn_created = 0;
		s->ntxn_unlinks = 0;
		s->nnotes = 0;
		return rv;
	}
	if (s->txn_created != 0) {
		store_shard_mark(s, STORE_SHARD_LEAF |
		    (uint32_t)((s->txn_created >> 8) & 0xffff));
		s->txn_created = 0;
	}
	for (i = 0; i < s->ntxn_unlinks; i++) {
		if (store_grow((void **)&s->unlinks, &s->unlinks_cap,
		    s->nunlinks + 1, sizeof(*s->unlinks)) != 0) {
			/* Leaves an orphan for the next fsck; data is gone. */
			store_log(s, "out of memory queueing an unlink");
			continue;
		}
		s->unlinks[s->nunlinks++] = s->txn_unlinks[i];
	}
	s->ntxn_unlinks = 0;
	if (s->opt.notify != NULL)
		for (i = 0; i < s->nnotes; i++)
			s->opt.notify(s->opt.notify_arg, &s->notes[i]);
	s->nnotes = 0;
	return 0;
}

static struct store_notify *
store_note_new(struct store *s, const struct store_inode *ip,
    unsigned int what)
{
	struct store_notify *n;

	if (s->nnotes == STORE_NOTES_MAX) {
		/* A front end could keep a stale entry: say so loudly. */
		store_log(s, "too many notifications in one operation");
		return NULL;
	}
	n = &s->notes[s->nnotes++];
	n->share = ip->share;
	n->ino = ip->ino;
	n->what = what;
	n->namelen = 0;
	(void)store_fh_encode(s, ip->share, ip->ino, ip->generation, &n->fh);
	return n;
}

/* What changed in an inode's record; one note per inode per operation. */
void
store_note(struct store *s, const struct store_inode *ip, unsigned int what)
{
	size_t i;

	for (i = 0; i < s->nnotes; i++) {
		if (s->notes[i].ino == ip->ino &&
		    !(s->notes[i].what & STORE_NOTIFY_DIRENT)) {
			s->notes[i].what |= what;
			return;
		}
	}
	(void)store_note_new(s, ip, what);
}

/* An entry of directory dp changed: its own note, with the name. */
void
store_note_entry(struct store *s, const struct store_inode *dp,
    const char *name, size_t len)
{
	struct store_notify *n;

	if (len > sizeof(n->name) ||
	    (n = store_note_new(s, dp, STORE_NOTIFY_DIRENT)) == NULL)
		return;
	memcpy(n->name, name, len);
	n->namelen = len;
}

static void
store_shard_mark(struct store *s, uint32_t code)
{
	if (!s->opt.dirsync)
		return;
	if (s->shard_dirty[code >> 3] & (1u << (code & 7)))
		return;
	if (store_grow((void **)&s->shards, &s->shards_cap, s->nshards + 1,
	    sizeof(*s->shards)) != 0) {
		/* Sync everything we can reach instead: the top at least. */
		store_log(s, "out of memory marking a shard");
		return;
	}
	s->shard_dirty[code >> 3] |= 1u << (code & 7);
	s->shards[s->nshards++] = code;
}

void
store_datasync_add(struct store *s, uint64_t ino)
{
	size_t i;

	for (i = 0; i < s->ndatasyncs; i++)
		if (s->datasyncs[i] == ino)
			return;
	if (store_grow((void **)&s->datasyncs, &s->datasyncs_cap,
	    s->ndatasyncs + 1, sizeof(*s->datasyncs)) != 0) {
		store_log(s, "out of memory queueing a datasync");
		return;
	}
	s->datasyncs[s->ndatasyncs++] = ino;
}

void
store_inode_encode(const struct store_inode *ip, uint8_t *p)
{
	memset(p, 0, STORE_INODE_RECLEN);
	p[0] = 1;			/* record version */
	p[1] = (uint8_t)ip->type;
	store_put32(p + 4, ip->flags);
	store_put32(p + 8, ip->mode);
	store_put32(p + 12, ip->uid);
	store_put32(p + 16, ip->gid);
	store_put32(p + 20, ip->nlink);
	store_put32(p + 24, ip->share);
	store_put32(p + 28, ip->generation);
	store_put64(p + 32, ip->rdev);
	store_put64(p + 40, ip->change);
	store_put64(p + 48, ip->parent);
	store_put64(p + 56, ip->size);
	store_put64(p + 64, ip->next_cookie);
	store_put_ts(p + 72, &ip->atime);
	store_put_ts(p + 88, &ip->mtime);
	store_put_ts(p + 104, &ip->ctime);
	store_put_ts(p + 120, &ip->btime);
	memcpy(p + 136, ip->verf, STORE_VERF_SIZE);
}

int
store_inode_decode(const uint8_t *p, size_t len, uint64_t ino,
    struct store_inode *ip)
{
	if (len != STORE_INODE_RECLEN || p[0] != 1 ||
	    p[1] < STORE_TYPE_REG || p[1] > STORE_TYPE_SOCK)
		return -EIO;
	memset(ip, 0, sizeof(*ip));
	ip->ino = ino;
	ip->type = (enum store_type)p[1];
	ip->flags = store_get32(p + 4);
	ip->mode = store_get32(p + 8);
	ip->uid = store_get32(p + 12);
	ip->gid = store_get32(p + 16);
	ip->nlink = store_get32(p + 20);
	ip->share = store_get32(p + 24);
	ip->generation = store_get32(p + 28);
	ip->rdev = store_get64(p + 32);
	ip->change = store_get64(p + 40);
	ip->parent = store_get64(p + 48);
	ip->size = store_get64(p + 56);
	ip->next_cookie = store_get64(p + 64);
	store_get_ts(p + 72, &ip->atime);
	store_get_ts(p + 88, &ip->mtime);
	store_get_ts(p + 104, &ip->ctime);
	store_get_ts(p + 120, &ip->btime);
	memcpy(ip->verf, p + 136, STORE_VERF_SIZE);
	return 0;
}

int
store_inode_get(struct store *s, uint64_t ino, struct store_inode *ip)
{
	return store_inode_get_cur(s, NULL, ino, ip);
}

/* With cur (a cursor on inodes.db), for many gets in a row: no cursor each. */
int
store_inode_get_cur(struct store *s, DBC *cur, uint64_t ino,
    struct store_inode *ip)
{
	uint8_t k[8], rec[STORE_INODE_RECLEN];
	DBT key, data;
	int ret;

	store_put64(k, ino);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = sizeof(k);
	data.data = rec;
	data.ulen = sizeof(rec);
	data.flags = DB_DBT_USERMEM;
	ret = cur != NULL ? cur->get(cur, &key, &data, DB_SET) :
	    s->inodes->get(s->inodes, s->txn, &key, &data, 0);
	if (ret == DB_NOTFOUND)
		return -ENOENT;
	if (ret != 0)
		return store_dberr(s, "get inode", ret);
	if (store_inode_decode(rec, data.size, ino, ip) != 0) {
		store_log(s, "inode %llx: bad record",
		    (unsigned long long)ino);
		return -EIO;
	}
	return 0;
}

int
store_inode_put(struct store *s, const struct store_inode *ip)
{
	uint8_t k[8], rec[STORE_INODE_RECLEN];
	DBT key, data;
	int ret;

	store_put64(k, ip->ino);
	store_inode_encode(ip, rec);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = sizeof(k);
	data.data = rec;
	data.size = sizeof(rec);
	if ((ret = s->inodes->put(s->inodes, s->txn, &key, &data, 0)) != 0)
		return store_dberr(s, "put inode", ret);
	/* Nobody can have cached an inode this operation made. */
	if (ip->ino != s->txn_new_ino)
		store_note(s, ip, STORE_NOTIFY_ATTR);
	return 0;
}

/*
 * Delete an inode with its xattrs, symlink target and ACL; a BACKED
 * inode's backing file goes after the next log flush (rule 1).
 */
int
store_inode_del(struct store *s, const struct store_inode *ip)
{
	uint8_t k[8];
	DBT key, data;
	DBC *c;
	uint64_t files;
	int ret, rv = 0;

	store_put64(k, ip->ino);
	memset(&key, 0, sizeof(key));
	key.data = k;
	key.size = sizeof(k);
	if ((ret = s->inodes->del(s->inodes, s->txn, &key, 0)) != 0)
		return store_dberr(s, "del inode", ret);

	if ((ret = s->xattrs->cursor(s->xattrs, s->txn, &c, 0)) != 0)
		return store_dberr(s, "cursor xattrs", ret);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = sizeof(k);
	/* Only the key is needed; a zero-length partial get skips data. */
	data.flags = DB_DBT_PARTIAL;
	for (ret = c->get(c, &key, &data, DB_SET_RANGE); ret == 0;
	    ret = c->get(c, &key, &data, DB_NEXT)) {
		if (key.size < 8 || memcmp(key.data, k, 8) != 0)
			break;
		if ((ret = c->del(c, 0)) != 0)
			break;
	}
	if (ret != 0 && ret != DB_NOTFOUND)
		rv = store_dberr(s, "del xattrs", ret);
	if ((ret = c->close(c)) != 0 && rv == 0)
		rv = store_dberr(s, "close cursor", ret);
	if (rv != 0)
		return rv;

	if ((rv = store_meta_get_u64(s, "files", &files)) != 0)
		return rv;
	if ((rv = store_meta_put_u64(s, "files", files ? files - 1 : 0)) != 0)
		return rv;
	if (ip->type == STORE_TYPE_REG && (ip->flags & STORE_INODE_BACKED)) {
		if (s->ntxn_unlinks == STORE_TXN_UNLINKS_MAX) {
			store_log(s, "too many unlinks in one operation");
			return -EIO;
		}
		s->txn_unlinks[s->ntxn_unlinks++] = ip->ino;
	}
	return 0;
}

/* A fresh inode number; counts the inode in "files". */
int
store_inode_alloc(struct store *s, uint64_t *inop)
{
	uint64_t next, files;
	int rv;

	if ((rv = store_meta_get_u64(s, "next_ino", &next)) != 0)
		return rv;
	if ((rv = store_meta_put_u64(s, "next_ino", next + 1)) != 0)
		return rv;
	if ((rv = store_meta_get_u64(s, "files", &files)) != 0)
		return rv;
	if ((rv = store_meta_put_u64(s, "files", files + 1)) != 0)
		return rv;
	s->txn_new_ino = next;
	*inop = next;
	return 0;
}

int
store_meta_get_u64(struct store *s, const char *name, uint64_t *v)
{
	uint8_t buf[8];
	DBT key, data;
	int ret;

	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = (void *)name;
	key.size = (u_int32_t)strlen(name);
	data.data = buf;
	data.ulen = sizeof(buf);
	data.flags = DB_DBT_USERMEM;
	ret = s->meta->get(s->meta, s->txn, &key, &data, 0);
	if (ret == DB_NOTFOUND)
		return -ENOENT;
	if (ret != 0)
		return store_dberr(s, name, ret);
	if (data.size != sizeof(buf))
		return -EIO;
	*v = store_get64(buf);
	return 0;
}

int
store_meta_put_u64(struct store *s, const char *name, uint64_t v)
{
	uint8_t buf[8];
	DBT key, data;
	int ret;

	store_put64(buf, v);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = (void *)name;
	key.size = (u_int32_t)strlen(name);
	data.data = buf;
	data.size = sizeof(buf);
	if ((ret = s->meta->put(s->meta, s->txn, &key, &data, 0)) != 0)
		return store_dberr(s, name, ret);
	return 0;
}

static size_t
store_dirent_key(uint8_t *k, uint64_t dir, const char *name, size_t len)
{
	store_put64(k, dir);
	memcpy(k + 8, name, len);
	return 8 + len;
}

/* dirents.db: (dir, name) -> (ino, cookie, type) */
int
store_dirent_get(struct store *s, uint64_t dir, const char *name,
    size_t len, uint64_t *inop, enum store_type *typep, uint64_t *cookiep)
{
	uint8_t k[8 + STORE_NAME_MAX], v[17];
	DBT key, data;
	int ret;

	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = (u_int32_t)store_dirent_key(k, dir, name, len);
	data.data = v;
	data.ulen = sizeof(v);
	data.flags = DB_DBT_USERMEM;
	ret = s->dirents->get(s->dirents, s->txn, &key, &data, 0);
	if (ret == DB_NOTFOUND)
		return -ENOENT;
	if (ret != 0)
		return store_dberr(s, "get dirent", ret);
	if (data.size != sizeof(v))
		return -EIO;
	if (inop != NULL)
		*inop = store_get64(v);
	if (cookiep != NULL)
		*cookiep = store_get64(v + 8);
	if (typep != NULL)
		*typep = (enum store_type)v[16];
	return 0;
}

/*
 * cookies.db: (dir, cookie) -> (ino, type, name), which is what readdir
 * walks: a listing reads nothing else (plus: the inodes).  The dirent is
 * the truth; the cookie record copies its ino and type.
 */
size_t
store_cookie_encode(uint8_t *v, uint64_t ino, enum store_type type,
    const char *name, size_t len)
{
	store_put64(v, ino);
	v[8] = (uint8_t)type;
	memcpy(v + 9, name, len);
	return 9 + len;
}

/* -EIO for a value that is not one: damage, or format 1's bare name. */
int
store_cookie_decode(const uint8_t *v, size_t size, uint64_t *inop,
    enum store_type *typep, const char **namep, size_t *lenp)
{
	if (size <= 9 || size > STORE_COOKIE_VAL_MAX ||
	    v[8] < STORE_TYPE_REG || v[8] > STORE_TYPE_SOCK)
		return -EIO;
	*inop = store_get64(v);
	*typep = (enum store_type)v[8];
	*namep = (const char *)v + 9;
	*lenp = size - 9;
	return 0;
}

/*
 * Add name to directory dp with the next cookie; updates dp in memory,
 * the caller writes it.  The cookie record (above) is what readdir
 * walks, so a cookie names a position that survives restarts and other
 * entries' changes.
 */
int
store_dirent_add(struct store *s, struct store_inode *dp, const char *name,
    size_t len, uint64_t ino, enum store_type type)
{
	uint8_t k[8 + STORE_NAME_MAX], v[17], ck[16];
	uint8_t cv[STORE_COOKIE_VAL_MAX];
	DBT key, data;
	uint64_t cookie;
	int ret;

	cookie = dp->next_cookie++;
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = (u_int32_t)store_dirent_key(k, dp->ino, name, len);
	store_put64(v, ino);
	store_put64(v + 8, cookie);
	v[16] = (uint8_t)type;
	data.data = v;
	data.size = sizeof(v);
	ret = s->dirents->put(s->dirents, s->txn, &key, &data,
	    DB_NOOVERWRITE);
	if (ret == DB_KEYEXIST)
		return -EEXIST;
	if (ret != 0)
		return store_dberr(s, "put dirent", ret);

	store_put64(ck, dp->ino);
	store_put64(ck + 8, cookie);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = ck;
	key.size = sizeof(ck);
	data.data = cv;
	data.size = (u_int32_t)store_cookie_encode(cv, ino, type, name, len);
	if ((ret = s->cookies->put(s->cookies, s->txn, &key, &data, 0)) != 0)
		return store_dberr(s, "put cookie", ret);
	dp->size++;
	store_note_entry(s, dp, name, len);
	return 0;
}

int
store_dirent_del(struct store *s, struct store_inode *dp, const char *name,
    size_t len)
{
	uint8_t k[8 + STORE_NAME_MAX], ck[16];
	uint64_t cookie;
	DBT key;
	int ret, rv;

	if ((rv = store_dirent_get(s, dp->ino, name, len, NULL, NULL,
	    &cookie)) != 0)
		return rv;
	memset(&key, 0, sizeof(key));
	key.data = k;
	key.size = (u_int32_t)store_dirent_key(k, dp->ino, name, len);
	if ((ret = s->dirents->del(s->dirents, s->txn, &key, 0)) != 0)
		return store_dberr(s, "del dirent", ret);
	store_put64(ck, dp->ino);
	store_put64(ck + 8, cookie);
	memset(&key, 0, sizeof(key));
	key.data = ck;
	key.size = sizeof(ck);
	if ((ret = s->cookies->del(s->cookies, s->txn, &key, 0)) != 0)
		return store_dberr(s, "del cookie", ret);
	if (dp->size > 0)
		dp->size--;
	store_note_entry(s, dp, name, len);
	return 0;
}

/* xattrs.db: (ino, name) -> value; also symlink targets and ACLs. */
int
store_blob_get(struct store *s, uint64_t ino, const char *name,
    size_t namelen, void *buf, size_t bufsize, size_t *lenp)
{
	uint8_t k[8 + STORE_XATTR_NAME_MAX + 1];
	DBT key, data;
	int ret;

	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	store_put64(k, ino);
	memcpy(k + 8, name, namelen);
	key.data = k;
	key.size = (u_int32_t)(8 + namelen);
	data.data = buf;
	data.ulen = (u_int32_t)bufsize;
	data.flags = DB_DBT_USERMEM;
	ret = s->xattrs->get(s->xattrs, s->txn, &key, &data, 0);
	if (ret == DB_NOTFOUND)
		return -ENODATA;
	if (ret == DB_BUFFER_SMALL) {
		*lenp = data.size;
		return bufsize == 0 ? 0 : -ERANGE;
	}
	if (ret != 0)
		return store_dberr(s, "get xattr", ret);
	*lenp = data.size;
	return 0;
}

int
store_blob_put(struct store *s, uint64_t ino, const char *name,
    size_t namelen, const void *value, size_t len)
{
	uint8_t k[8 + STORE_XATTR_NAME_MAX + 1];
	DBT key, data;
	int ret;

	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	store_put64(k, ino);
	memcpy(k + 8, name, namelen);
	key.data = k;
	key.size = (u_int32_t)(8 + namelen);
	data.data = (void *)value;
	data.size = (u_int32_t)len;
	if ((ret = s->xattrs->put(s->xattrs, s->txn, &key, &data, 0)) != 0)
		return store_dberr(s, "put xattr", ret);
	return 0;
}

int
store_blob_del(struct store *s, uint64_t ino, const char *name,
    size_t namelen)
{
	uint8_t k[8 + STORE_XATTR_NAME_MAX + 1];
	DBT key;
	int ret;

	memset(&key, 0, sizeof(key));
	store_put64(k, ino);
	memcpy(k + 8, name, namelen);
	key.data = k;
	key.size = (u_int32_t)(8 + namelen);
	ret = s->xattrs->del(s->xattrs, s->txn, &key, 0);
	if (ret == DB_NOTFOUND)
		return -ENODATA;
	if (ret != 0)
		return store_dberr(s, "del xattr", ret);
	return 0;
}

/*
 * data/AB/CD/<ino>: AB and CD are bits 8-23 of the inode number, so 256
 * inodes allocated in a row share a directory (one fsync serves a batch
 * of creates) and the tree stays at 256 entries per directory up to 16M
 * files.
 */
void
store_backing_path(uint64_t ino, char *buf, size_t size)
{
	snprintf(buf, size, "%02x/%02x/%016llx",
	    (unsigned int)((ino >> 8) & 0xff),
	    (unsigned int)((ino >> 16) & 0xff), (unsigned long long)ino);
}

/*
 * Make the backing file of a regular inode that has none (from a spare
 * when there is one), inside the running transaction (which must set
 * BACKED; an abort unlinks the file), and return an fd of it opened with
 * oflags (O_RDONLY, O_WRONLY, O_RDWR).
 * A file already there belongs to this inode (rule 3: orphans are gone
 * before any operation), left by a lost BACKED transaction or a failed
 * unlink after an abort: it is adopted, never replaced (rule 2).
 */
int
store_backing_make(struct store *s, uint64_t ino, int oflags)
{
	char path[64], dir[16];
	unsigned int ab, cd;
	int fd = -1, tries;

	ab = (ino >> 8) & 0xff;
	cd = (ino >> 16) & 0xff;
	store_backing_path(ino, path, sizeof(path));
	for (tries = 0; tries < 3; tries++) {
		fd = store_spare_take(s, path, oflags);
		if (fd == -ENOENT)
			fd = openat(s->datafd, path, oflags | O_CREAT |
			    O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		else if (fd < 0) {
			errno = -fd;
			fd = -1;
		}
		if (fd != -1) {
			s->txn_created = ino;	/* an abort unlinks it */
			break;
		}
		if (errno == ENOENT) {
			/* New shard: its parent must be synced too. */
			snprintf(dir, sizeof(dir), "%02x", ab);
			if (mkdirat(s->datafd, dir, 0700) == 0)
				store_shard_mark(s, STORE_SHARD_TOP);
			else if (errno != EEXIST)
				return -errno;
			snprintf(dir, sizeof(dir), "%02x/%02x", ab, cd);
			if (mkdirat(s->datafd, dir, 0700) == 0)
				store_shard_mark(s, STORE_SHARD_MID | ab);
			else if (errno != EEXIST)
				return -errno;
		} else if (errno == EEXIST) {
			store_log(s, "adopting existing backing file %s", path);
			fd = openat(s->datafd, path, oflags | O_CLOEXEC |
			    O_NOFOLLOW);
			if (fd == -1)
				return -errno;
			break;
		} else
			return -errno;
	}
	if (fd == -1)
		return -EIO;
	if (!s->txn_lazy)
		s->unsynced = 1;
	return fd;
}

int
store_backing_open(struct store *s, uint64_t ino, int flags)
{
	char path[64];
	int fd;

	store_backing_path(ino, path, sizeof(path));
	if ((fd = openat(s->datafd, path, flags | O_CLOEXEC | O_NOFOLLOW)) ==
	    -1)
		return -errno;
	return fd;
}

int
store_backing_stat(struct store *s, uint64_t ino, struct stat *st)
{
	char path[64];

	store_backing_path(ino, path, sizeof(path));
	if (fstatat(s->datafd, path, st, AT_SYMLINK_NOFOLLOW) == -1)
		return -errno;
	return 0;
}

static int
store_ts_after(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* The attributes of ip; a BACKED regular file's data ones from st. */
void
store_attr_fill_stat(const struct store_inode *ip, const struct stat *st,
    struct store_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->type = ip->type;
	a->mode = ip->mode & 07777;
	a->nlink = ip->nlink;
	a->uid = ip->uid;
	a->gid = ip->gid;
	a->rdev = ip->rdev;
	a->share = ip->share;
	a->generation = ip->generation;
	a->ino = ip->ino;
	a->change = ip->change;
	a->atime = ip->atime;
	a->mtime = ip->mtime;
	a->ctime = ip->ctime;
	a->btime = ip->btime;
	if (ip->flags & STORE_INODE_ACL)
		a->flags |= STORE_ATTR_ACL;
	switch (ip->type) {
	case STORE_TYPE_REG:
		if (st == NULL) {
			/* unbacked: empty, the record's times */
			a->flags |= STORE_ATTR_UNBACKED;
			break;
		}
		a->size = (uint64_t)st->st_size;
		a->used = (uint64_t)st->st_blocks * 512;
		a->atime = st->st_atim;
		a->mtime = st->st_mtim;
		/* Writes through a front end's fd move only the file's. */
		if (store_ts_after(&st->st_ctim, &a->ctime))
			a->ctime = st->st_ctim;
		break;
	case STORE_TYPE_DIR:
		a->size = 4096;
		a->used = 4096;
		break;
	case STORE_TYPE_LNK:
		a->size = ip->size;
		break;
	default:
		break;
	}
}

int
store_attr_fill(struct store *s, const struct store_inode *ip,
    struct store_attr *a)
{
	struct stat st;
	int rv;

	if (ip->type != STORE_TYPE_REG || !(ip->flags & STORE_INODE_BACKED)) {
		store_attr_fill_stat(ip, NULL, a);
		return 0;
	}
	if ((rv = store_backing_stat(s, ip->ino, &st)) != 0) {
		store_log(s, "inode %llx: backing file: %s",
		    (unsigned long long)ip->ino, strerror(-rv));
		return -EIO;
	}
	store_attr_fill_stat(ip, &st, a);
	return 0;
}

static int
store_share_name_ok(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len <= STORE_NAME_MAX;
}

int
store_share_root(struct store *s, const char *name, int create,
    struct store_fh *fh, struct store_attr *attr)
{
	char k[sizeof(STORE_SHARE_KEY) + STORE_NAME_MAX];
	uint8_t v[12];
	struct store_inode root;
	DBT key, data;
	uint64_t ino, shareid;
	int ret, rv;

	if (!store_share_name_ok(name))
		return -EINVAL;
	snprintf(k, sizeof(k), "%s%s", STORE_SHARE_KEY, name);
	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = (u_int32_t)strlen(k);
	data.data = v;
	data.ulen = sizeof(v);
	data.flags = DB_DBT_USERMEM;
	ret = s->meta->get(s->meta, s->txn, &key, &data, 0);
	if (ret == 0) {
		if (data.size != sizeof(v)) {
			rv = -EIO;
			goto out;
		}
		ino = store_get64(v + 4);
		rv = store_inode_get(s, ino, &root);
		goto out;
	}
	if (ret != DB_NOTFOUND) {
		rv = store_dberr(s, "get share", ret);
		goto out;
	}
	if (!create) {
		rv = -ENOENT;
		goto out;
	}
	if ((rv = store_meta_get_u64(s, "next_share", &shareid)) != 0 ||
	    (rv = store_meta_put_u64(s, "next_share", shareid + 1)) != 0 ||
	    (rv = store_inode_alloc(s, &ino)) != 0)
		goto out;
	if (shareid > UINT32_MAX) {
		rv = -EOVERFLOW;
		goto out;
	}
	memset(&root, 0, sizeof(root));
	root.ino = ino;
	root.type = STORE_TYPE_DIR;
	root.mode = 0755;
	root.nlink = 2;
	root.share = (uint32_t)shareid;
	root.generation = s->epoch;
	root.parent = ino;
	root.next_cookie = STORE_COOKIE_FIRST;
	store_now(&root.ctime);
	root.atime = root.mtime = root.btime = root.ctime;
	if ((rv = store_inode_put(s, &root)) != 0)
		goto out;
	store_put32(v, (uint32_t)shareid);
	store_put64(v + 4, ino);
	data.data = v;
	data.size = sizeof(v);
	data.flags = 0;
	if ((ret = s->meta->put(s->meta, s->txn, &key, &data, 0)) != 0)
		rv = store_dberr(s, "put share", ret);
out:
	if ((rv = store_txn_end(s, rv)) != 0)
		return rv;
	if (create && (rv = store_sync(s)) != 0)
		return rv;
	if ((rv = store_fh_encode(s, root.share, root.ino, root.generation,
	    fh)) != 0)
		return rv;
	if (attr != NULL)
		return store_attr_fill(s, &root, attr);
	return 0;
}
