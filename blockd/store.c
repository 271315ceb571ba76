/*
 * blockd/store.c: the store's lifecycle (open, repair after an unclean
 * stop, close) and the helpers every store file uses.  The rest is cut by
 * concern: store_db.c (transactions, group commit), store_backing.c
 * (backing files, spares, trim queue), store_inode.c (inode records,
 * attributes), store_dir.c (entries, cookies), store_xattr.c (named
 * blobs), store_share.c (share roots), store_upgrade.c (formats 1, 2, 3 to 4),
 * store_ops.c and store_xattr_ops.c (the operations); blockd/store_int.h
 * is what they share.
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

#include "blockd/store_int.h"

/*
 * 2: a cookies.db value holds what a listing needs, (ino, type, name);
 * format 1's held the name only.  3: a directory may be CASELESS, its
 * dirents.db keys folded names (store_int.h), which a reader of format 2
 * would miss.  4: those keys folded by the table of every BMP letter
 * (common/casefold.h), where 3's folded a few alphabets.
 * store_upgrade.c makes a 1, 2 or 3 a 4.
 */
#define STORE_CACHE_DEFAULT	(64u * 1024 * 1024)

static void	store_env_errcall(const DB_ENV *, const char *, const char *);
static int	store_db_open(struct store *, DB_TXN *, DB **, const char *);
static int	store_meta_init(struct store *);
static int	store_mark_dirty(struct store *, int *);
static int	store_mark_clean(struct store *);

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

void
store_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

uint32_t
store_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

void
store_put_ts(uint8_t *p, const struct timespec *ts)
{
	store_put64(p, (uint64_t)ts->tv_sec);
	store_put32(p + 8, (uint32_t)ts->tv_nsec);
	store_put32(p + 12, 0);
}

void
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

int
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
	    /*
	     * A log buffer that holds many batches (one is ~100 KiB):
	     * NOSYNC commits then cost no write(2).  Berkeley DB wants a
	     * log file of four buffers at least; small files keep the
	     * zero-fill of each new one short (STORE_LOG_FILE_BYTES).
	     */
	    (ret = s->env->set_lg_bsize(s->env,
	    STORE_LOG_FILE_BYTES / 4)) != 0 ||
	    (ret = s->env->set_lg_max(s->env, STORE_LOG_FILE_BYTES)) != 0 ||
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
	if (v != STORE_FORMAT && v != 1 && v != 2 && v != 3) {
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
	if (format == 2)
		return store_upgrade_format(s, 2);
	if (format == 3)
		return store_upgrade_rekey(s);
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
	/* An fd a front end holds keeps its data: unlink frees at close. */
	while (s->ntrims > 0)
		store_unlink_backing(s, s->trims[--s->ntrims], 1);
	while (s->nheld > 0)
		store_unlink_backing(s, s->held[--s->nheld], 1);
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
	free(s->held);
	free(s->dir);
	free(s);
}
