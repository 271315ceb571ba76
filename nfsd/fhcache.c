/*
 * The handle cache: for each file handle nfsd has seen, its share (so
 * that a handle is checked against its export without asking blockd),
 * the last attributes, and for regular files the backing fd from
 * BD_OPEN_IO, so that READ, WRITE and COMMIT need no IPC.  LRU-limited
 * in nodes and in fds.  BD_NOTIFY (nfs3_notify) drops a node when
 * access-gating attributes change, and marks its attributes no longer
 * current on any other change.
 *
 * Closing the last fd of a removed file frees its blocks (ext4: 150 us
 * for a 4 KiB file here), so with an event base the closes of dropped
 * fds wait for a loop turn with nothing else to do (an idle priority):
 * after the reply that dropped them left.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "blockd/store.h"
#include "hash.h"
#include "log.h"
#include "nfsd.h"

#define FHCACHE_BUCKETS	8192
#define FHCACHE_CLOSE_MAX	256	/* deferred closes at most */

struct fhcache {
	struct fhnode		*buckets[FHCACHE_BUCKETS];
	TAILQ_HEAD(, fhnode)	 lru;		/* oldest first */
	size_t			 n, max;
	size_t			 nfds, max_fds;
	struct event		*ev_close;	/* NULL: close at once */
	int			*closing;	/* fds for ev_close */
	size_t			 nclosing, closing_cap;
};

static uint32_t
fhcache_hash(const uint8_t *fh, size_t len)
{
	return hash_fnv1a32(fh, len);
}

struct fhcache *
fhcache_new(size_t max_nodes, size_t max_fds)
{
	struct fhcache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	TAILQ_INIT(&c->lru);
	c->max = max_nodes > 0 ? max_nodes : 1;
	c->max_fds = max_fds;
	return c;
}

static void
fhcache_close_pending(struct fhcache *c)
{
	size_t i;

	for (i = 0; i < c->nclosing; i++)
		if (close(c->closing[i]) == -1)
			log_warn("close backing fd");
	c->nclosing = 0;
}

static void
fhcache_close_cb(evutil_socket_t fd, short what, void *arg)
{
	fhcache_close_pending(arg);
}

int
fhcache_defer_close(struct fhcache *c, struct event_base *base, int priority)
{
	if ((c->ev_close = event_new(base, -1, 0, fhcache_close_cb, c)) ==
	    NULL || event_priority_set(c->ev_close, priority) == -1)
		return -1;
	return 0;
}

/* Let go of n's fd: at once, or after this callback (see the top). */
static void
fhcache_release_io(struct fhcache *c, struct rpcsvc_fd *io)
{
	int *grown;
	size_t cap;

	if (io->refs > 1 || c->ev_close == NULL) {
		rpcsvc_fd_unref(io);
		return;
	}
	if (c->nclosing == c->closing_cap) {
		cap = c->closing_cap > 0 ? c->closing_cap * 2 : 16;
		if ((grown = reallocarray(c->closing, cap,
		    sizeof(*grown))) == NULL) {
			rpcsvc_fd_unref(io);
			return;
		}
		c->closing = grown;
		c->closing_cap = cap;
	}
	c->closing[c->nclosing++] = io->fd;
	free(io);
	if (c->nclosing == 1)
		event_active(c->ev_close, EV_TIMEOUT, 1);
	else if (c->nclosing >= FHCACHE_CLOSE_MAX)
		fhcache_close_pending(c);	/* a loop never idle */
}

static void
fhcache_close_io(struct fhcache *c, struct fhnode *n)
{
	if (n->io == NULL)
		return;
	fhcache_release_io(c, n->io);
	n->io = NULL;
	n->io_flags = 0;
	c->nfds--;
}

static void
fhcache_unlink(struct fhcache *c, struct fhnode *n)
{
	struct fhnode **pp = &c->buckets[n->hash % FHCACHE_BUCKETS];

	for (; *pp != NULL; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	TAILQ_REMOVE(&c->lru, n, lru);
	fhcache_close_io(c, n);
	c->n--;
	free(n);
}

void
fhcache_free(struct fhcache *c)
{
	if (c == NULL)
		return;
	fhcache_drop_all(c);
	fhcache_close_pending(c);
	if (c->ev_close != NULL)
		event_free(c->ev_close);
	free(c->closing);
	free(c);
}

struct fhnode *
fhcache_get(struct fhcache *c, const uint8_t *fh, size_t len)
{
	uint32_t h = fhcache_hash(fh, len);
	struct fhnode *n;

	for (n = c->buckets[h % FHCACHE_BUCKETS]; n != NULL; n = n->next) {
		if (n->hash == h && n->fhlen == len &&
		    memcmp(n->fh, fh, len) == 0) {
			TAILQ_REMOVE(&c->lru, n, lru);
			TAILQ_INSERT_TAIL(&c->lru, n, lru);
			return n;
		}
	}
	return NULL;
}

struct fhnode *
fhcache_put(struct fhcache *c, const uint8_t *fh, size_t len,
    const struct nfs_attr *attr)
{
	struct fhnode *n;
	uint32_t h;

	if (len == 0 || len > NFS3_FHSIZE)
		return NULL;
	if ((n = fhcache_get(c, fh, len)) != NULL) {
		n->attr = *attr;
		n->valid = 1;
		return n;
	}
	while (c->n >= c->max)
		fhcache_unlink(c, TAILQ_FIRST(&c->lru));
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	h = fhcache_hash(fh, len);
	memcpy(n->fh, fh, len);
	n->fhlen = len;
	n->hash = h;
	n->attr = *attr;
	n->valid = 1;
	n->next = c->buckets[h % FHCACHE_BUCKETS];
	c->buckets[h % FHCACHE_BUCKETS] = n;
	TAILQ_INSERT_TAIL(&c->lru, n, lru);
	c->n++;
	return n;
}

void
fhcache_set_io(struct fhcache *c, struct fhnode *n, int fd,
    unsigned int flags)
{
	struct rpcsvc_fd *io;
	struct fhnode *old;

	if ((io = calloc(1, sizeof(*io))) == NULL) {
		close(fd);
		return;
	}
	io->fd = fd;
	io->refs = 1;
	if (n->io != NULL) {
		fhcache_release_io(c, n->io);
		c->nfds--;
	}
	n->io = io;
	n->io_flags = flags;
	/* Whatever was written before this fd came is not known stable. */
	n->unsynced = 1;
	c->nfds++;
	/* Too many fds: close the least recently used (not n: it is newest). */
	TAILQ_FOREACH(old, &c->lru, lru) {
		if (c->nfds <= c->max_fds)
			break;
		if (old != n && old->io != NULL)
			fhcache_close_io(c, old);
	}
}

void
fhcache_drop(struct fhcache *c, const uint8_t *fh, size_t len)
{
	struct fhnode *n = fhcache_get(c, fh, len);

	if (n != NULL)
		fhcache_unlink(c, n);
}

void
fhcache_invalidate(struct fhcache *c, const uint8_t *fh, size_t len)
{
	struct fhnode *n = fhcache_get(c, fh, len);

	if (n != NULL)
		n->valid = 0;
}

void
fhcache_drop_all(struct fhcache *c)
{
	while (!TAILQ_EMPTY(&c->lru))
		fhcache_unlink(c, TAILQ_FIRST(&c->lru));
}

size_t
fhcache_count(const struct fhcache *c, size_t *nfds)
{
	if (nfds != NULL)
		*nfds = c->nfds;
	return c->n;
}

void
nfs_attr_from_bd(struct nfs_attr *a, const bd_attr *b)
{
	memset(a, 0, sizeof(*a));
	a->type = b->type;
	a->mode = b->mode & 07777;
	a->nlink = b->nlink;
	a->uid = b->uid;
	a->gid = b->gid;
	a->size = b->size;
	a->used = b->used;
	a->rdev = b->rdev;
	a->share = b->share;
	a->ino = b->ino;
	a->atime.tv_sec = (time_t)b->atime.sec;
	a->atime.tv_nsec = (long)b->atime.nsec;
	a->mtime.tv_sec = (time_t)b->mtime.sec;
	a->mtime.tv_nsec = (long)b->mtime.nsec;
	a->ctime.tv_sec = (time_t)b->ctime.sec;
	a->ctime.tv_nsec = (long)b->ctime.nsec;
	a->flags = b->flags;
	a->generation = b->generation;
	a->change = b->change;
	a->btime.tv_sec = (time_t)b->btime.sec;
	a->btime.tv_nsec = (long)b->btime.nsec;
	a->dos = b->dos;
}

int
fhcache_settled(const struct fhnode *n)
{
	return n->valid && (n->attr.type != STORE_TYPE_REG ||
	    (n->attr.flags & STORE_ATTR_UNBACKED));
}

const struct nfs_attr *
fhcache_current(struct fhnode *n)
{
	if (n == NULL || !n->valid)
		return NULL;
	if (fhcache_settled(n))
		return &n->attr;
	if (n->io != NULL && nfs_attr_refresh(&n->attr, n->io->fd) == 0)
		return &n->attr;
	return NULL;
}

static int
nfs_ts_after(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* What blockd's store_attr_fill does for a regular file, from our fd. */
int
nfs_attr_refresh(struct nfs_attr *a, int fd)
{
	struct stat st;
	uint64_t ns;

	if (fstat(fd, &st) == -1)
		return -errno;
	a->size = (uint64_t)st.st_size;
	a->used = (uint64_t)st.st_blocks * 512;
	a->atime = st.st_atim;
	a->mtime = st.st_mtim;
	if (nfs_ts_after(&st.st_ctim, &a->ctime))
		a->ctime = st.st_ctim;
	/* Writes through a front end's fd move change with the ctime. */
	ns = st.st_ctim.tv_sec < 0 ? 0 : (uint64_t)st.st_ctim.tv_sec *
	    1000000000u + (uint64_t)st.st_ctim.tv_nsec;
	if (ns > a->change)
		a->change = ns;
	a->flags &= ~(uint32_t)STORE_ATTR_UNBACKED;
	return 0;
}

/*
 * The I/O fast path asks what blockd's BD_OPEN_IO would answer for the
 * same request (flags: the STORE_IO_* nfs3.c would send), with the same
 * rule (common/perm.h perm_io): whether nfsd holds an fd changes no
 * answer.  nfsd holds no ACLs: for an inode with one of its own
 * (STORE_ATTR_ACL) it does not decide, and BD_OPEN_IO asks blockd.
 */
int
nfs_attr_permits(const struct nfs_attr *a, const bd_cred *cred,
    unsigned int flags)
{
	struct perm_who w;
	struct perm_obj o;

	if (a->flags & STORE_ATTR_ACL)
		return 0;
	w.uid = cred->uid;
	w.gid = cred->gid;
	w.groups = cred->groups.groups_val;
	w.ngroups = cred->groups.groups_len;
	o.is_dir = a->type == STORE_TYPE_DIR;
	o.mode = a->mode;
	o.uid = a->uid;
	o.gid = a->gid;
	return perm_io(&w, &o, flags) == 0;
}

/* What BD_OPEN_IO is asked for, for want: the rule both paths apply. */
unsigned int
nfs_io_flags(unsigned int want)
{
	if (want & STORE_IO_WRITE)
		return STORE_IO_WRITE | STORE_IO_OWNER_OVERRIDE;
	return STORE_IO_READ | STORE_IO_OWNER_OVERRIDE | STORE_IO_READ_IF_EXEC;
}

/*
 * The I/O fast path of every NFS version: whether n's fd serves want
 * (STORE_IO_READ or _WRITE) for cred without asking blockd.  A write by
 * whoever may not keep set-uid or set-gid goes through blockd once,
 * which clears them (common/perm.h, store_open_io).
 */
int
nfs_io_usable(const struct fhnode *n, const bd_cred *cred, unsigned int want)
{
	if (n == NULL || n->io == NULL || (n->io_flags & want) != want ||
	    !nfs_attr_permits(&n->attr, cred, nfs_io_flags(want)))
		return 0;
	return !((want & STORE_IO_WRITE) &&
	    perm_write_kill_privs(cred->uid, n->attr.mode) != n->attr.mode);
}
