/*
 * blockd/store_open.c: open a regular file by name with a disposition
 * (store.h says what each one does), the backing fd with it, in one
 * transaction; and NFSv3 CREATE on top of it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "blockd/store_int.h"

/* What store_open_name accepts before it reads anything. */
static int
open_check(const struct store_open *op, int *fdp)
{
	if (op->disp < STORE_DISP_OPEN || op->disp > STORE_DISP_SUPERSEDE)
		return -EINVAL;
	if ((op->access & ~PERM_IO_ALL) || (op->io & ~STORE_IO_ALL) ||
	    (op->flags & ~(unsigned int)(STORE_OPEN_NOTREG_EEXIST |
	    STORE_OPEN_MODE_DEFAULT | STORE_OPEN_SATTR_NEW)))
		return -EINVAL;
	if (op->io != 0 && (fdp == NULL ||
	    !(op->io & (STORE_IO_READ | STORE_IO_WRITE))))
		return -EINVAL;
	if (op->disp == STORE_DISP_EXCLUSIVE && op->verf == NULL)
		return -EINVAL;
	return 0;
}

/* An entry of another type than a regular file: what to answer. */
static int
open_not_regular(const struct store_open *op, enum store_type type)
{
	if ((op->flags & STORE_OPEN_NOTREG_EEXIST) ||
	    op->disp == STORE_DISP_EXCLUSIVE)
		return -EEXIST;
	return type == STORE_TYPE_DIR ? -EISDIR : -EINVAL;
}

/*
 * The fd part inside the transaction: a write-open's set-uid kill and
 * ARCHIVE (open_io's rule), and the backing file of a file without one,
 * made with the record's times (rule 1 at the top of store.c: it exists
 * before the transaction that sets BACKED commits).  *fdp: the fd made,
 * or -1 when the backing file is opened after the commit.  others: the
 * transaction changed something already (ip is written).
 */
static int
open_fd_prep(struct store *s, const struct store_cred *c,
    struct store_inode *ip, int io, int others, int *fdp)
{
	struct timespec ts[2];
	int fd, rv, put = 0;

	*fdp = -1;
	if ((io & STORE_IO_WRITE) && ops_write_prep_due(c, ip, io) &&
	    ops_write_prep(s, c, ip, io) == 1)
		put = 1;
	if (ip->flags & STORE_INODE_BACKED)
		return put ? store_inode_put(s, ip) : 0;
	/* Only BACKED moves: lazy, as open_io's is (store.c rule 2). */
	if (!others && !put)
		store_txn_lazy(s);
	ip->flags |= STORE_INODE_BACKED;
	if ((rv = store_inode_put(s, ip)) != 0)
		return rv;
	if ((fd = store_backing_make(s, ip->ino,
	    (io & STORE_IO_WRITE) ? O_RDWR : O_RDONLY)) < 0)
		return fd;
	ts[0] = ip->atime;
	ts[1] = ip->mtime;
	if (futimens(fd, ts) == -1) {
		rv = -errno;
		(void)close(fd);
		return rv;
	}
	*fdp = fd;
	return 0;
}

int
store_open_name(struct store *s, const struct store_cred *c,
    const struct store_fh *dirfh, const char *name, size_t len,
    const struct store_open *op, struct store_fh *fh,
    struct store_attr *attr, enum store_opened *whatp, int *fdp)
{
	struct store_inode dp, ip;
	struct store_sattr rest, trunc;
	struct store_new nw;
	struct stat st;
	enum store_type etype;
	enum store_opened what = STORE_OPENED;
	unsigned int notes = 0;
	uint64_t ino;
	int rv, fd = -1, check = 1, want, changed = 1;

	memset(&ip, 0, sizeof(ip));
	if (fdp != NULL)
		*fdp = -1;
	if (whatp != NULL)
		*whatp = 0;
	if ((rv = open_check(op, fdp)) != 0)
		return rv;
	memset(&rest, 0, sizeof(rest));
	if (op->sattr != NULL) {
		rest = *op->sattr;
		rest.mask &= ~(unsigned int)STORE_SATTR_MODE;
	}
	memset(&nw, 0, sizeof(nw));
	nw.type = STORE_TYPE_REG;
	nw.mode = op->mode;
	nw.how = op->disp == STORE_DISP_EXCLUSIVE ? STORE_CREATE_EXCLUSIVE :
	    STORE_CREATE_GUARDED;
	nw.verf = op->verf;
	nw.mode_default = (op->flags & STORE_OPEN_MODE_DEFAULT) != 0;
	want = (op->access | op->io) & PERM_IO_ALL;

	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if ((rv = ops_dir(s, c, dirfh, &dp)) != 0 ||
	    (rv = ops_name_check(name, len)) != 0)
		goto out;
	rv = store_dirent_find(s, &dp, name, len, &ino, &etype, NULL, NULL);
	if (rv == -ENOENT) {
		if (op->disp == STORE_DISP_OPEN ||
		    op->disp == STORE_DISP_OVERWRITE)
			goto out;
		what = STORE_OPENED_CREATED;
		goto make;
	}
	if (rv != 0)
		goto out;
	if (op->disp == STORE_DISP_CREATE) {
		rv = -EEXIST;
		goto out;
	}
	if (etype != STORE_TYPE_REG) {
		rv = open_not_regular(op, etype);
		goto out;
	}
	if ((rv = store_inode_get(s, ino, &ip)) != 0) {
		if (rv == -ENOENT)
			rv = -EIO;
		goto out;
	}
	switch (op->disp) {
	case STORE_DISP_EXCLUSIVE:
		if (!(ip.flags & STORE_INODE_EXCL) ||
		    memcmp(ip.verf, op->verf, STORE_VERF_SIZE) != 0) {
			rv = -EEXIST;
			goto out;
		}
		/* A retry: the same answer, and the creator's allowance. */
		what = STORE_OPENED_CREATED;
		check = c->uid != ip.uid;
		changed = 0;
		break;
	case STORE_DISP_SUPERSEDE:
		/*
		 * MS-FSA 2.1.5.1.2: the same file, emptied as an overwrite
		 * empties it (write permission on it: every link of it and
		 * every open of it sees the change), and asking DELETE
		 * besides: what a remove of it needs.
		 */
		if ((rv = ops_io_check(s, c, &ip, STORE_IO_WRITE)) != 0 ||
		    (rv = ops_may_delete(s, c, &dp, &ip, 0)) != 0)
			goto out;
		what = STORE_OPENED_SUPERSEDED;
		break;
	case STORE_DISP_OVERWRITE:
	case STORE_DISP_OVERWRITE_IF:
		what = STORE_OPENED_OVERWRITTEN;
		break;
	default:
		what = STORE_OPENED;
		changed = 0;
		break;
	}
	if (check && (want & (STORE_IO_READ | STORE_IO_WRITE)) &&
	    (rv = ops_io_check(s, c, &ip, want)) != 0)
		goto out;
	if (what == STORE_OPENED_SUPERSEDED) {
		/*
		 * Its DOS word replaced, not added to (0 when none is
		 * given), and its user xattrs (SMB's EAs) gone: what its
		 * superseder could do by removing it and making it again.
		 * Owner, mode, ACL, birth time and file id stay.
		 */
		ip.dos = (rest.mask & STORE_SATTR_DOS) ? rest.dos : 0;
		if (ip.dos & ~(uint32_t)STORE_DOS_SETTABLE) {
			rv = -EINVAL;
			goto out;
		}
		rest.mask &= ~(unsigned int)STORE_SATTR_DOS;
		if ((rv = store_blob_del_all(s, ip.ino, 1)) != 0)
			goto out;
	}
	if (what == STORE_OPENED_OVERWRITTEN ||
	    what == STORE_OPENED_SUPERSEDED) {
		/* setattr's size rule: write permission, privileges killed. */
		trunc = rest;
		trunc.mask |= STORE_SATTR_SIZE;
		trunc.size = 0;
		rv = ops_setattr_apply(s, c, &ip, &trunc, 0, &notes);
	} else if (op->disp == STORE_DISP_OPEN_IF && rest.mask != 0 &&
	    !(op->flags & STORE_OPEN_SATTR_NEW)) {
		rv = ops_setattr_apply(s, c, &ip, &rest, 0, &notes);
		changed = 1;
	}
	if (rv != 0)
		goto out;
	if (notes)
		store_note(s, &ip, notes);
	goto opened;
make:
	if ((rv = ops_new_inode(s, c, &dp, name, len, &nw, &ip)) != 0)
		goto out;
	/* Its data changes (a size) come last in it: they cannot be undone. */
	if (rest.mask != 0 &&
	    (rv = ops_setattr_apply(s, c, &ip, &rest, 1, &notes)) != 0)
		goto out;
opened:
	if (op->io != 0)
		rv = open_fd_prep(s, c, &ip, op->io, changed, &fd);
out:
	if ((rv = store_txn_end(s, rv)) != 0) {
		if (fd >= 0)
			(void)close(fd);
		return rv;
	}
	if (op->io != 0 && fd < 0 && (fd = store_backing_open(s, ip.ino,
	    (op->io & STORE_IO_WRITE) ? O_RDWR : O_RDONLY)) < 0) {
		store_log(s, "inode %llx: open backing file: %s",
		    (unsigned long long)ip.ino, strerror(-fd));
		return fd == -ENOENT ? -EIO : fd;
	}
	if (fd >= 0 && attr != NULL) {
		if (fstat(fd, &st) == -1) {
			rv = -errno;
			(void)close(fd);
			return rv;
		}
		store_attr_fill_stat(&ip, &st, attr);
		attr = NULL;
	}
	if ((rv = ops_reply(s, &ip, fh, attr)) != 0) {
		if (fd >= 0)
			(void)close(fd);
		return rv;
	}
	if (whatp != NULL)
		*whatp = what;
	if (fdp != NULL)
		*fdp = fd;
	return 0;
}

/*
 * RFC 1813 3.3.8: CREATE is an open by name that makes: UNCHECKED is
 * OPEN_IF (an existing entry of another type: EEXIST), GUARDED is
 * CREATE, EXCLUSIVE is EXCLUSIVE; no fd, no access asked.
 */
int
store_create_sattr(struct store *s, const struct store_cred *c,
    const struct store_fh *dirfh, const char *name, size_t len,
    uint32_t mode, enum store_createhow how, const uint8_t *verf,
    const struct store_sattr *sattr, int mode_default, struct store_fh *fh,
    struct store_attr *attr)
{
	static const uint8_t zero[STORE_VERF_SIZE];
	struct store_open op;

	memset(&op, 0, sizeof(op));
	op.mode = mode;
	op.sattr = sattr;
	if (mode_default)
		op.flags |= STORE_OPEN_MODE_DEFAULT;
	switch (how) {
	case STORE_CREATE_UNCHECKED:
		op.disp = STORE_DISP_OPEN_IF;
		op.flags |= STORE_OPEN_NOTREG_EEXIST;
		break;
	case STORE_CREATE_GUARDED:
		op.disp = STORE_DISP_CREATE;
		break;
	case STORE_CREATE_EXCLUSIVE:
		op.disp = STORE_DISP_EXCLUSIVE;
		op.verf = verf != NULL ? verf : zero;
		break;
	default:
		return -EINVAL;
	}
	return store_open_name(s, c, dirfh, name, len, &op, fh, attr, NULL,
	    NULL);
}
