/*
 * blockd/store_backing.c: backing files: their paths, making one (from a spare
 * when there is one), the pool of spares, and unlinking those of removed
 * inodes after the flush (the trim queue for big ones).  The crash rule
 * they follow is at the top of store.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockd/store_int.h"

/*
 * The pool of spare backing files.  A spare belongs to no inode and no
 * front end ever had an fd of it, so a crash leaves nothing to repair:
 * open keeps the empty files it finds (up to STORE_SPARES_MAX) and
 * deletes anything else there.
 */
int
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

/*
 * Unlink the backing file of a durably removed inode; unless now, one
 * with more than STORE_TRIM_STEP bytes allocated goes to the trim queue
 * (store.h).  A failure leaves an orphan, which fsck removes.
 */
void
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

void
store_sync_unlinks(struct store *s)
{
	size_t i;

	for (i = 0; i < s->nunlinks; i++)
		store_unlink_backing(s, s->unlinks[i], 0);
	s->nunlinks = 0;
}

/*
 * Whether a process other than us has the file of fd (opened O_WRONLY)
 * open: Linux grants a write lease only when the one open file is the
 * caller's.  Where leases cannot be had (disabled, not the owner), say so
 * once and trim as before.
 */
static int
store_backing_busy(struct store *s, int fd)
{
	if (fcntl(fd, F_SETLEASE, F_WRLCK) == 0) {
		(void)fcntl(fd, F_SETLEASE, F_UNLCK);
		return 0;
	}
	if (errno == EAGAIN || errno == EBUSY)
		return 1;
	if (!s->lease_warned) {
		s->lease_warned = 1;
		store_log(s, "lease on a removed backing file: %s; trimming "
		    "it even if a front end has it open", strerror(errno));
	}
	return 0;
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
	 * The inode is gone, so nothing opens this file by name again.  A
	 * front end's fd from before the removal keeps it whole: held until
	 * no process but us has it open.
	 */
	fd = openat(s->datafd, path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd != -1 && store_backing_busy(s, fd) &&
	    store_grow((void **)&s->held, &s->held_cap, s->nheld + 1,
	    sizeof(*s->held)) == 0) {
		(void)close(fd);
		s->held[s->nheld++] = ino;
		s->ntrims--;
		memmove(s->trims, s->trims + 1, s->ntrims * sizeof(*s->trims));
		return s->ntrims > 0;
	}
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

size_t
store_trim_held(const struct store *s)
{
	return s->nheld;
}

size_t
store_trim_retry(struct store *s)
{
	size_t n = s->nheld;

	if (n == 0 || store_grow((void **)&s->trims, &s->trims_cap,
	    s->ntrims + n, sizeof(*s->trims)) != 0)
		return 0;
	memcpy(s->trims + s->ntrims, s->held, n * sizeof(*s->held));
	s->ntrims += n;
	s->nheld = 0;
	return n;
}

void
store_trim_stats(const struct store *s, size_t *queued, uint64_t *steps)
{
	*queued = s->ntrims;
	*steps = s->trim_steps;
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

/*
 * The backing files of two regular inodes traded (renameat2
 * RENAME_EXCHANGE: both there, or nothing changes): a stream renamed
 * to or from its file's data (store_stream.c).  Their directories are
 * synced with the transaction's flush.
 */
int
store_backing_exchange(struct store *s, uint64_t a, uint64_t b)
{
	char pa[64], pb[64];

	store_backing_path(a, pa, sizeof(pa));
	store_backing_path(b, pb, sizeof(pb));
	if (renameat2(s->datafd, pa, s->datafd, pb, RENAME_EXCHANGE) == -1)
		return -errno;
	store_shard_mark(s, STORE_SHARD_LEAF | (uint32_t)((a >> 8) & 0xffff));
	store_shard_mark(s, STORE_SHARD_LEAF | (uint32_t)((b >> 8) & 0xffff));
	s->unsynced = 1;
	return 0;
}
