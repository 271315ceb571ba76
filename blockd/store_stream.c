/*
 * blockd/store_stream.c: named streams, and the one listing of an
 * inode's named attributes (streams and user xattrs).  store.h says what
 * a stream is; here, how it is kept: a STORE_INODE_STREAM inode (regular,
 * BACKED from its creation, parent the file) and a record of the file in
 * xattrs.db, STORE_XNAME_STREAM + name -> the stream inode's number.  A
 * stream is made with its backing file in one transaction (rule 1 at the
 * top of store.c), and its backing file goes the way a removed file's
 * goes (store_inode_del).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockd/store_int.h"

static int
stream_name_check(const char *name, size_t len)
{
	if (len == 0)
		return -EINVAL;
	if (len > STORE_XATTR_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(name, '\0', len) != NULL || memchr(name, '/', len) !=
	    NULL || memchr(name, ':', len) != NULL)
		return -EINVAL;
	return 0;
}

static size_t
stream_key(char *k, const char *name, size_t len)
{
	memcpy(k, STORE_XNAME_STREAM, STORE_XNAME_STREAM_LEN);
	memcpy(k + STORE_XNAME_STREAM_LEN, name, len);
	return STORE_XNAME_STREAM_LEN + len;
}

/* The stream inode the record k of file ip names; -ENOENT: none. */
static int
stream_find(struct store *s, const struct store_inode *ip, const char *k,
    size_t klen, struct store_inode *sp)
{
	uint8_t v[8];
	size_t len = 0;
	int rv;

	rv = store_blob_get(s, ip->ino, k, klen, v, sizeof(v), &len);
	if (rv == -ENODATA)
		return -ENOENT;
	if (rv == 0 && len != sizeof(v))
		rv = -EIO;
	if (rv == 0 && (rv = store_inode_get(s, store_get64(v), sp)) ==
	    -ENOENT)
		rv = -EIO;
	if (rv == 0 && (!(sp->flags & STORE_INODE_STREAM) ||
	    sp->parent != ip->ino))
		rv = -EIO;
	if (rv == -EIO)
		store_log(s, "inode %llx: bad stream record",
		    (unsigned long long)ip->ino);
	return rv;
}

/* The stream inodes of ino, from its records (at most max; *n of them). */
static int
stream_walk(struct store *s, uint64_t ino, uint64_t *inos, size_t max,
    size_t *n)
{
	uint8_t k[8 + STORE_XKEY_MAX + 1], v[8];
	DBT key, data;
	DBC *cur;
	int ret, rv = 0;

	*n = 0;
	if ((ret = s->xattrs->cursor(s->xattrs, s->txn, &cur, 0)) != 0)
		return store_dberr(s, "cursor xattrs", ret);
	store_put64(k, ino);
	memcpy(k + 8, STORE_XNAME_STREAM, STORE_XNAME_STREAM_LEN);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = 8 + STORE_XNAME_STREAM_LEN;
	key.ulen = sizeof(k);
	key.flags = DB_DBT_USERMEM;
	/* The first 8 bytes of whatever comes, the next record too. */
	data.data = v;
	data.ulen = sizeof(v);
	data.dlen = sizeof(v);
	data.flags = DB_DBT_USERMEM | DB_DBT_PARTIAL;
	for (ret = cur->get(cur, &key, &data, DB_SET_RANGE); ret == 0;
	    ret = cur->get(cur, &key, &data, DB_NEXT)) {
		if (key.size <= 8 + STORE_XNAME_STREAM_LEN ||
		    store_get64(k) != ino || memcmp(k + 8, STORE_XNAME_STREAM,
		    STORE_XNAME_STREAM_LEN) != 0)
			break;
		if (data.size != sizeof(v) || *n == max) {
			rv = -EIO;
			store_log(s, "inode %llx: bad stream records",
			    (unsigned long long)ino);
			break;
		}
		inos[(*n)++] = store_get64(v);
	}
	if (rv == 0 && ret != 0 && ret != DB_NOTFOUND)
		rv = store_dberr(s, "stream records", ret);
	if ((ret = cur->close(cur)) != 0 && rv == 0)
		rv = store_dberr(s, "cursor close", ret);
	return rv;
}

/*
 * store_inode_del of a file: its streams' inodes go in the same
 * transaction, their backing files after the flush.  Its records go
 * with the file's other xattrs.
 */
int
store_stream_del_all(struct store *s, const struct store_inode *ip)
{
	uint64_t inos[STORE_STREAMS_MAX];
	struct store_inode sp;
	size_t n, i;
	int rv;

	if (ip->flags & STORE_INODE_STREAM)
		return 0;
	if ((rv = stream_walk(s, ip->ino, inos, STORE_STREAMS_MAX, &n)) != 0)
		return rv;
	for (i = 0; i < n; i++) {
		if ((rv = store_inode_get(s, inos[i], &sp)) == -ENOENT)
			continue;	/* fsck's to report */
		if (rv != 0 || (rv = store_inode_del(s, &sp)) != 0)
			return rv;
	}
	return 0;
}

/* The file a stream call names: a regular file or a directory. */
static int
stream_file(struct store *s, const struct store_fh *fh,
    struct store_inode *ip)
{
	int rv;

	if ((rv = store_fh_resolve(s, fh, ip)) != 0)
		return rv;
	if (ip->type != STORE_TYPE_REG && ip->type != STORE_TYPE_DIR)
		return -EINVAL;
	return 0;
}

/* Write permission on the file, with the caller's owner override. */
static int
stream_may_change(struct store *s, const struct store_cred *c,
    const struct store_inode *ip, int want)
{
	return ops_io_check(s, c, ip, STORE_IO_WRITE |
	    (want & STORE_IO_OWNER_OVERRIDE));
}

/* A new stream of ip named by record k, its backing file open on *fdp. */
static int
stream_make(struct store *s, struct store_inode *ip, const char *k,
    size_t klen, int oflags, struct store_inode *sp, int *fdp)
{
	struct timespec now;
	uint64_t ino;
	uint8_t v[8];
	size_t n;
	int rv, fd;
	uint64_t inos[STORE_STREAMS_MAX];

	if ((rv = stream_walk(s, ip->ino, inos, STORE_STREAMS_MAX, &n)) != 0)
		return rv;
	if (n == STORE_STREAMS_MAX)
		return -ENOSPC;
	if ((rv = store_inode_alloc(s, &ino)) != 0)
		return rv;
	store_now(&now);
	memset(sp, 0, sizeof(*sp));
	sp->ino = ino;
	sp->type = STORE_TYPE_REG;
	sp->flags = STORE_INODE_STREAM | STORE_INODE_BACKED;
	sp->uid = ip->uid;
	sp->gid = ip->gid;
	sp->nlink = 1;
	sp->share = ip->share;
	sp->generation = s->epoch;
	sp->parent = ip->ino;
	sp->atime = sp->mtime = sp->ctime = sp->btime = now;
	sp->change = store_ts_ns(&now);
	store_put64(v, ino);
	if ((rv = store_inode_put(s, sp)) != 0 ||
	    (rv = store_blob_put(s, ip->ino, k, klen, v, sizeof(v))) != 0 ||
	    (rv = ops_touch_put(s, ip)) != 0)
		return rv;
	/* Last: the backing file, which an abort unlinks. */
	if ((fd = store_backing_make(s, ino, oflags)) < 0)
		return fd;
	*fdp = fd;
	return 0;
}

int
store_stream_open(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, const char *name, size_t len,
    const struct store_open *op, enum store_opened *whatp, int *fdp,
    uint64_t *sizep, struct store_attr *attr)
{
	struct store_inode ip, sp;
	enum store_disposition disp = op->disp;
	enum store_opened what = STORE_OPENED;
	struct stat st;
	char k[STORE_XKEY_MAX];
	size_t klen;
	int rv, fd = -1, oflags, want, changed = 0;

	*fdp = -1;
	if (disp == STORE_DISP_SUPERSEDE)
		disp = STORE_DISP_OVERWRITE_IF;
	if (disp < STORE_DISP_OPEN || disp > STORE_DISP_OVERWRITE_IF ||
	    disp == STORE_DISP_EXCLUSIVE ||
	    (op->access & ~PERM_IO_ALL) || (op->io & ~STORE_IO_ALL) ||
	    !(op->io & (STORE_IO_READ | STORE_IO_WRITE)))
		return -EINVAL;
	if ((rv = stream_name_check(name, len)) != 0)
		return rv;
	klen = stream_key(k, name, len);
	want = (op->access | op->io) & PERM_IO_ALL;
	oflags = (op->io & STORE_IO_WRITE) ? O_RDWR : O_RDONLY;

	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if ((rv = stream_file(s, fh, &ip)) != 0)
		goto out;
	memset(&sp, 0, sizeof(sp));
	rv = stream_find(s, &ip, k, klen, &sp);
	if (rv == -ENOENT && disp != STORE_DISP_OPEN &&
	    disp != STORE_DISP_OVERWRITE) {
		if ((rv = stream_may_change(s, c, &ip, want)) != 0)
			goto out;
		what = STORE_OPENED_CREATED;
		/* The writer's data: set-uid bits and ARCHIVE as open_io. */
		if ((op->io & STORE_IO_WRITE) &&
		    ops_write_prep_due(c, &ip, op->io))
			(void)ops_write_prep(s, c, &ip, op->io);
		rv = stream_make(s, &ip, k, klen, oflags, &sp, &fd);
		goto out;
	}
	if (rv != 0)
		goto out;
	if (disp == STORE_DISP_CREATE) {
		rv = -EEXIST;
		goto out;
	}
	if ((rv = ops_io_check(s, c, &ip, want)) != 0)
		goto out;
	if (disp == STORE_DISP_OVERWRITE || disp == STORE_DISP_OVERWRITE_IF) {
		if ((rv = stream_may_change(s, c, &ip, want)) != 0)
			goto out;
		what = STORE_OPENED_OVERWRITTEN;
		changed = 1;
		/* Its data goes: a data change, whoever writes later. */
		ip.dos |= STORE_DOS_ARCHIVE;
	}
	if ((op->io & STORE_IO_WRITE) && ops_write_prep_due(c, &ip, op->io) &&
	    ops_write_prep(s, c, &ip, op->io) == 1)
		changed = 1;
	if (changed) {
		if ((rv = ops_touch_put(s, &ip)) != 0)
			goto out;
	} else
		store_txn_lazy(s);	/* nothing written: nothing to flush */
	if ((fd = store_backing_open(s, sp.ino, oflags)) < 0) {
		rv = fd == -ENOENT ? -EIO : fd;
		fd = -1;
		goto out;
	}
	/* Last: the truncation cannot be undone. */
	if (what == STORE_OPENED_OVERWRITTEN) {
		if (ftruncate(fd, 0) == -1)
			rv = -errno;
		else
			store_datasync_add(s, sp.ino);
	}
out:
	if ((rv = store_txn_end(s, rv)) != 0) {
		if (fd >= 0)
			(void)close(fd);
		return rv;
	}
	if (fstat(fd, &st) == -1) {
		rv = -errno;
		(void)close(fd);
		return rv;
	}
	if (sizep != NULL)
		*sizep = (uint64_t)st.st_size;
	if (attr != NULL && (rv = store_attr_fill(s, &ip, attr)) != 0) {
		(void)close(fd);
		return rv;
	}
	if (whatp != NULL)
		*whatp = what;
	*fdp = fd;
	return 0;
}

int
store_stream_remove(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, const char *name, size_t len)
{
	struct store_inode ip, sp;
	char k[STORE_XKEY_MAX];
	size_t klen;
	int rv;

	if ((rv = stream_name_check(name, len)) != 0)
		return rv;
	klen = stream_key(k, name, len);
	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if ((rv = stream_file(s, fh, &ip)) != 0 ||
	    (rv = stream_find(s, &ip, k, klen, &sp)) != 0 ||
	    (rv = stream_may_change(s, c, &ip, 0)) != 0 ||
	    (rv = store_blob_del(s, ip.ino, k, klen)) != 0 ||
	    (rv = store_inode_del(s, &sp)) != 0)
		goto out;
	rv = ops_touch_put(s, &ip);
out:
	return store_txn_end(s, rv);
}

/* The size of ip's data: its backing file's, none when not backed. */
static int
stream_file_size(struct store *s, const struct store_inode *ip,
    uint64_t *sizep)
{
	struct stat st;
	int rv;

	*sizep = 0;
	if (!(ip->flags & STORE_INODE_BACKED))
		return 0;
	if ((rv = store_backing_stat(s, ip->ino, &st)) != 0)
		return rv == -ENOENT ? -EIO : rv;
	*sizep = (uint64_t)st.st_size;
	return 0;
}

/*
 * The target of a rename, stream k of ip or (klen 0) its data, made
 * ready to be replaced: -EEXIST without replace, -ENOTEMPTY when it
 * holds data (MS-FSA 2.1.5.15.11.1 replaces an empty stream only).  A
 * named target goes, record and inode; *gone tells whether there was
 * one.
 */
static int
stream_target_clear(struct store *s, struct store_inode *ip, const char *k,
    size_t klen, int replace, int *gone)
{
	struct store_inode tp;
	uint64_t size;
	int rv;

	*gone = 0;
	if (klen == 0) {
		if (ip->type != STORE_TYPE_REG)
			return -EISDIR;
		if ((rv = stream_file_size(s, ip, &size)) != 0)
			return rv;
	} else {
		if ((rv = stream_find(s, ip, k, klen, &tp)) == -ENOENT)
			return 0;
		if (rv != 0 || (rv = stream_file_size(s, &tp, &size)) != 0)
			return rv;
	}
	if (!replace)
		return -EEXIST;
	if (size != 0)
		return -ENOTEMPTY;
	if (klen == 0)
		return 0;
	if ((rv = store_blob_del(s, ip->ino, k, klen)) != 0 ||
	    (rv = store_inode_del(s, &tp)) != 0)
		return rv;
	*gone = 1;
	return 0;
}

/*
 * A named stream renamed, or traded with the file's data: from or to of
 * length 0 names the file's data (MS-FSA 2.1.5.15.11.1).  The data move
 * by their backing files, last (nothing to undo after it but the
 * exchange itself): a stream made the file's data leaves the file's
 * former data, empty, to go with the stream's inode; the file's data
 * made a stream leaves the file an empty backing file.
 */
int
store_stream_rename(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, const char *from, size_t fromlen,
    const char *to, size_t tolen, int replace)
{
	struct store_inode ip, sp;
	char kf[STORE_XKEY_MAX], kt[STORE_XKEY_MAX];
	size_t kflen = 0, ktlen = 0;
	uint64_t moved = 0;
	uint8_t v[8];
	int rv, fd = -1, gone, exchanged = 0;

	if (fromlen == 0 && tolen == 0)
		return -EINVAL;
	if ((fromlen > 0 && (rv = stream_name_check(from, fromlen)) != 0) ||
	    (tolen > 0 && (rv = stream_name_check(to, tolen)) != 0))
		return rv;
	if (fromlen > 0)
		kflen = stream_key(kf, from, fromlen);
	if (tolen > 0)
		ktlen = stream_key(kt, to, tolen);
	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if ((rv = stream_file(s, fh, &ip)) != 0 ||
	    (rv = stream_may_change(s, c, &ip, 0)) != 0)
		goto out;
	if (fromlen > 0 && (rv = stream_find(s, &ip, kf, kflen, &sp)) != 0)
		goto out;
	if (fromlen == 0 && ip.type != STORE_TYPE_REG) {
		rv = -EISDIR;
		goto out;
	}
	/* The same name: nothing to do. */
	if (fromlen == tolen && memcmp(from, to, tolen) == 0)
		goto out;
	if ((rv = stream_target_clear(s, &ip, kt, ktlen, replace,
	    &gone)) != 0)
		goto out;
	if (fromlen > 0 && tolen > 0) {
		/* A stream's record, renamed: the inode stays. */
		store_put64(v, sp.ino);
		if ((rv = store_blob_del(s, ip.ino, kf, kflen)) != 0 ||
		    (rv = store_blob_put(s, ip.ino, kt, ktlen, v,
		    sizeof(v))) != 0)
			goto out;
	} else if (fromlen > 0) {
		/* The stream made the file's data. */
		if (!(ip.flags & STORE_INODE_BACKED)) {
			ip.flags |= STORE_INODE_BACKED;
			if ((rv = store_inode_put(s, &ip)) != 0 ||
			    (fd = store_backing_make(s, ip.ino,
			    O_RDONLY)) < 0) {
				rv = fd < 0 ? fd : rv;
				goto out;
			}
			(void)close(fd);
		}
		if ((rv = store_blob_del(s, ip.ino, kf, kflen)) != 0 ||
		    (rv = store_inode_del(s, &sp)) != 0)
			goto out;
		moved = sp.ino;
	} else {
		/* The file's data made a new stream. */
		if ((rv = stream_make(s, &ip, kt, ktlen, O_RDONLY, &sp,
		    &fd)) != 0)
			goto out;
		(void)close(fd);
		if (ip.flags & STORE_INODE_BACKED)
			moved = sp.ino;
	}
	if ((rv = ops_touch_put(s, &ip)) != 0)
		goto out;
	if (moved != 0) {
		if ((rv = store_backing_exchange(s, ip.ino, moved)) != 0)
			goto out;
		exchanged = 1;
		/* Made here or not, no backing file is an abort's to unlink. */
		s->txn_created = 0;
	}
out:
	if ((rv = store_txn_end(s, rv)) != 0 && exchanged &&
	    store_backing_exchange(s, ip.ino, moved) != 0)
		store_log(s, "inode %llx: stream rename not undone",
		    (unsigned long long)ip.ino);
	return rv;
}

int
store_named_list(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, struct store_named *ents, size_t max,
    size_t *np)
{
	uint8_t k[8 + STORE_XKEY_MAX + 1], *v;
	struct store_inode ip;
	struct store_named *e;
	struct stat st;
	DBT key, data;
	DBC *cur;
	size_t n = 0, nlen;
	int ret, rv;

	(void)c;	/* listxattr(2) needs no permission on the file */
	*np = 0;
	if ((rv = store_fh_resolve(s, fh, &ip)) != 0)
		return rv;
	/* Values are at most STORE_XATTR_SIZE_MAX; targets, ACLs less. */
	if ((v = malloc(STORE_XATTR_SIZE_MAX)) == NULL)
		return -ENOMEM;
	if ((ret = s->xattrs->cursor(s->xattrs, s->txn, &cur, 0)) != 0) {
		free(v);
		return store_dberr(s, "cursor xattrs", ret);
	}
	store_put64(k, ip.ino);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = 8;
	key.ulen = sizeof(k);
	key.flags = DB_DBT_USERMEM;
	data.data = v;
	data.ulen = STORE_XATTR_SIZE_MAX;
	data.flags = DB_DBT_USERMEM;
	for (ret = cur->get(cur, &key, &data, DB_SET_RANGE); ret == 0;
	    ret = cur->get(cur, &key, &data, DB_NEXT)) {
		if (key.size < 9 || store_get64(k) != ip.ino)
			break;
		if (k[8] == '\0' && (key.size <= 8 + STORE_XNAME_STREAM_LEN ||
		    memcmp(k + 8, STORE_XNAME_STREAM,
		    STORE_XNAME_STREAM_LEN) != 0))
			continue;	/* internal: symlink target, ACL */
		if (n == max) {
			rv = -E2BIG;
			break;
		}
		e = &ents[n];
		memset(e, 0, sizeof(*e));
		if (k[8] == '\0') {
			nlen = key.size - 8 - STORE_XNAME_STREAM_LEN;
			memcpy(e->name, k + 8 + STORE_XNAME_STREAM_LEN, nlen);
			e->kind = STORE_NAMED_STREAM;
			if (data.size == 8 && store_backing_stat(s,
			    store_get64(v), &st) == 0) {
				e->size = (uint64_t)st.st_size;
				e->used = (uint64_t)st.st_blocks * 512;
			}
		} else {
			nlen = key.size - 8;
			memcpy(e->name, k + 8, nlen);
			e->kind = STORE_NAMED_XATTR;
			e->size = data.size;
		}
		e->namelen = (uint16_t)nlen;
		n++;
	}
	if (rv == 0 && ret != 0 && ret != DB_NOTFOUND)
		rv = store_dberr(s, "list named attributes", ret);
	if ((ret = cur->close(cur)) != 0 && rv == 0)
		rv = store_dberr(s, "cursor close", ret);
	free(v);
	if (rv == 0)
		*np = n;
	return rv;
}
