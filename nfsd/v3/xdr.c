/*
 * NFSv3's XDR (RFC 1813): the argument decoders (section 3.3) and the
 * result encoders (sections 2.5 and 2.6).  Pure: the decoders point
 * into the call's record and check every length (tests/fuzz/fuzz_nfs3.c
 * feeds them garbage; -1 means GARBAGE_ARGS); the encoders append to
 * the reply buffer, which records its own failure.
 */
#include <sys/sysmacros.h>
#include <string.h>

#include "nfs3.h"

#define NFS3_NAME_MAX	255		/* filename3: blockd's limit */
#define NFS3_PATH_MAX	4095		/* nfspath3 */

static int
nfs3_xdr_get_fh(struct xdrbuf_in *x, const uint8_t **fh, uint32_t *len)
{
	return xdrbuf_get_opaque(x, fh, len, NFS3_FHSIZE);
}

/*
 * Names longer than NAME_MAX are still decoded (up to a sane bound) so
 * that the procedure answers NAMETOOLONG rather than GARBAGE_ARGS.
 */
static int
nfs3_xdr_get_diropargs(struct xdrbuf_in *x, struct nfs3_diropargs *d)
{
	return nfs3_xdr_get_fh(x, &d->fh, &d->fhlen) == -1 ||
	    xdrbuf_get_opaque(x, &d->name, &d->namelen, 4096) == -1 ? -1 : 0;
}

static int
nfs3_xdr_get_time(struct xdrbuf_in *x, struct timespec *ts)
{
	uint32_t sec, nsec;

	if (xdrbuf_get_u32(x, &sec) == -1 || xdrbuf_get_u32(x, &nsec) == -1 ||
	    nsec >= 1000000000u)
		return -1;
	ts->tv_sec = (time_t)sec;
	ts->tv_nsec = (long)nsec;
	return 0;
}

/* RFC 1813 2.5: sattr3 */
static int
nfs3_xdr_get_sattr(struct xdrbuf_in *x, struct nfs3_sattr *s)
{
	memset(s, 0, sizeof(*s));
	if (xdrbuf_get_bool(x, &s->set_mode) == -1 ||
	    (s->set_mode && xdrbuf_get_u32(x, &s->mode) == -1) ||
	    xdrbuf_get_bool(x, &s->set_uid) == -1 ||
	    (s->set_uid && xdrbuf_get_u32(x, &s->uid) == -1) ||
	    xdrbuf_get_bool(x, &s->set_gid) == -1 ||
	    (s->set_gid && xdrbuf_get_u32(x, &s->gid) == -1) ||
	    xdrbuf_get_bool(x, &s->set_size) == -1 ||
	    (s->set_size && xdrbuf_get_u64(x, &s->size) == -1))
		return -1;
	if (xdrbuf_get_u32(x, &s->atime_how) == -1 || s->atime_how > 2 ||
	    (s->atime_how == 2 && nfs3_xdr_get_time(x, &s->atime) == -1))
		return -1;
	if (xdrbuf_get_u32(x, &s->mtime_how) == -1 || s->mtime_how > 2 ||
	    (s->mtime_how == 2 && nfs3_xdr_get_time(x, &s->mtime) == -1))
		return -1;
	return 0;
}

/* Returns 0 and fills a, or -1 for GARBAGE_ARGS. */
int
nfs3_xdr_decode_args(uint32_t proc, struct xdrbuf_in *x, struct nfs3_args *a)
{
	memset(a, 0, sizeof(*a));
	switch (proc) {
	case NFSPROC3_NULL:
		return 0;
	case NFSPROC3_GETATTR:
	case NFSPROC3_READLINK:
	case NFSPROC3_FSSTAT:
	case NFSPROC3_FSINFO:
	case NFSPROC3_PATHCONF:
		return nfs3_xdr_get_fh(x, &a->fh, &a->fhlen);
	case NFSPROC3_SETATTR:
		if (nfs3_xdr_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    nfs3_xdr_get_sattr(x, &a->sattr) == -1 ||
		    xdrbuf_get_bool(x, &a->guard) == -1 ||
		    (a->guard && nfs3_xdr_get_time(x, &a->guard_ctime) == -1))
			return -1;
		return 0;
	case NFSPROC3_LOOKUP:
	case NFSPROC3_REMOVE:
	case NFSPROC3_RMDIR:
		if (nfs3_xdr_get_diropargs(x, &a->where) == -1)
			return -1;
		a->fh = a->where.fh;
		a->fhlen = a->where.fhlen;
		return 0;
	case NFSPROC3_ACCESS:
		return nfs3_xdr_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    xdrbuf_get_u32(x, &a->access) == -1 ? -1 : 0;
	case NFSPROC3_READ:
		return nfs3_xdr_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    xdrbuf_get_u64(x, &a->offset) == -1 ||
		    xdrbuf_get_u32(x, &a->count) == -1 ? -1 : 0;
	case NFSPROC3_WRITE:
		if (nfs3_xdr_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    xdrbuf_get_u64(x, &a->offset) == -1 ||
		    xdrbuf_get_u32(x, &a->count) == -1 ||
		    xdrbuf_get_u32(x, &a->stable) == -1 || a->stable > 2 ||
		    xdrbuf_get_opaque(x, &a->data, &a->datalen,
		    NFS3_MAXDATA) == -1)
			return -1;
		/* RFC 1813 3.3.7: count must match the data's length. */
		return a->count == a->datalen ? 0 : -1;
	case NFSPROC3_CREATE:
		if (nfs3_xdr_get_diropargs(x, &a->where) == -1 ||
		    xdrbuf_get_u32(x, &a->createhow) == -1)
			return -1;
		a->fh = a->where.fh;
		a->fhlen = a->where.fhlen;
		switch (a->createhow) {
		case NFS3_UNCHECKED:
		case NFS3_GUARDED:
			return nfs3_xdr_get_sattr(x, &a->sattr);
		case NFS3_EXCLUSIVE:
			return xdrbuf_get_fixed(x, a->verf, 8);
		}
		return -1;
	case NFSPROC3_MKDIR:
		if (nfs3_xdr_get_diropargs(x, &a->where) == -1 ||
		    nfs3_xdr_get_sattr(x, &a->sattr) == -1)
			return -1;
		a->fh = a->where.fh;
		a->fhlen = a->where.fhlen;
		return 0;
	case NFSPROC3_SYMLINK:
		if (nfs3_xdr_get_diropargs(x, &a->where) == -1 ||
		    nfs3_xdr_get_sattr(x, &a->sattr) == -1 ||
		    xdrbuf_get_opaque(x, &a->target, &a->targetlen,
		    NFS3_PATH_MAX) == -1)
			return -1;
		a->fh = a->where.fh;
		a->fhlen = a->where.fhlen;
		return 0;
	case NFSPROC3_MKNOD:
		if (nfs3_xdr_get_diropargs(x, &a->where) == -1 ||
		    xdrbuf_get_u32(x, &a->ftype) == -1)
			return -1;
		a->fh = a->where.fh;
		a->fhlen = a->where.fhlen;
		switch (a->ftype) {
		case NF3BLK:
		case NF3CHR:
			return nfs3_xdr_get_sattr(x, &a->sattr) == -1 ||
			    xdrbuf_get_u32(x, &a->major) == -1 ||
			    xdrbuf_get_u32(x, &a->minor) == -1 ? -1 : 0;
		case NF3SOCK:
		case NF3FIFO:
			return nfs3_xdr_get_sattr(x, &a->sattr);
		}
		return 0;	/* the procedure answers BADTYPE */
	case NFSPROC3_RENAME:
		if (nfs3_xdr_get_diropargs(x, &a->where) == -1 ||
		    nfs3_xdr_get_diropargs(x, &a->to) == -1)
			return -1;
		a->fh = a->where.fh;
		a->fhlen = a->where.fhlen;
		return 0;
	case NFSPROC3_LINK:
		if (nfs3_xdr_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    nfs3_xdr_get_diropargs(x, &a->to) == -1)
			return -1;
		return 0;
	case NFSPROC3_READDIR:
		return nfs3_xdr_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    xdrbuf_get_u64(x, &a->cookie) == -1 ||
		    xdrbuf_get_fixed(x, a->verf, 8) == -1 ||
		    xdrbuf_get_u32(x, &a->maxcount) == -1 ? -1 : 0;
	case NFSPROC3_READDIRPLUS:
		return nfs3_xdr_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    xdrbuf_get_u64(x, &a->cookie) == -1 ||
		    xdrbuf_get_fixed(x, a->verf, 8) == -1 ||
		    xdrbuf_get_u32(x, &a->dircount) == -1 ||
		    xdrbuf_get_u32(x, &a->maxcount) == -1 ? -1 : 0;
	case NFSPROC3_COMMIT:
		return nfs3_xdr_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    xdrbuf_get_u64(x, &a->offset) == -1 ||
		    xdrbuf_get_u32(x, &a->count) == -1 ? -1 : 0;
	}
	return -1;
}

/* Encoders: RFC 1813 2.5 and 2.6. */

/* ftype3 of a store type. */
static uint32_t
nfs3_xdr_ftype(uint32_t store_type)
{
	static const uint32_t map[] = { 0, 1, 2, 5, 4, 3, 7, 6 };

	return store_type < 8 ? map[store_type] : 1;
}

static void
nfs3_xdr_time(struct xdrbuf_out *o, const struct timespec *ts)
{
	xdrbuf_put_u32(o, (uint32_t)ts->tv_sec);
	xdrbuf_put_u32(o, (uint32_t)ts->tv_nsec);
}

void
nfs3_xdr_fattr(struct xdrbuf_out *o, const struct nfs_attr *a)
{
	xdrbuf_put_u32(o, nfs3_xdr_ftype(a->type));
	xdrbuf_put_u32(o, a->mode & 07777);
	xdrbuf_put_u32(o, a->nlink);
	xdrbuf_put_u32(o, a->uid);
	xdrbuf_put_u32(o, a->gid);
	xdrbuf_put_u64(o, a->size);
	xdrbuf_put_u64(o, a->used);
	xdrbuf_put_u32(o, major((dev_t)a->rdev));
	xdrbuf_put_u32(o, minor((dev_t)a->rdev));
	xdrbuf_put_u64(o, a->share);
	xdrbuf_put_u64(o, a->ino);
	nfs3_xdr_time(o, &a->atime);
	nfs3_xdr_time(o, &a->mtime);
	nfs3_xdr_time(o, &a->ctime);
}

void
nfs3_xdr_post_op(struct xdrbuf_out *o, const struct nfs_attr *a)
{
	xdrbuf_put_u32(o, a != NULL);
	if (a != NULL)
		nfs3_xdr_fattr(o, a);
}

void
nfs3_xdr_post_op_bd(struct xdrbuf_out *o, const bd_attr *b, int valid)
{
	struct nfs_attr a;

	if (!valid || b->type == 0) {
		xdrbuf_put_u32(o, 0);
		return;
	}
	nfs_attr_from_bd(&a, b);
	nfs3_xdr_post_op(o, &a);
}

void
nfs3_xdr_wcc_attrs(struct xdrbuf_out *o, const struct nfs_attr *before,
    const struct nfs_attr *after)
{
	xdrbuf_put_u32(o, before != NULL);
	if (before != NULL) {
		xdrbuf_put_u64(o, before->size);
		nfs3_xdr_time(o, &before->mtime);
		nfs3_xdr_time(o, &before->ctime);
	}
	nfs3_xdr_post_op(o, after);
}

void
nfs3_xdr_wcc(struct xdrbuf_out *o, const bd_wcc *w)
{
	struct nfs_attr before, after;

	if (w == NULL || !w->valid) {
		xdrbuf_put_u32(o, 0);
		xdrbuf_put_u32(o, 0);
		return;
	}
	nfs_attr_from_bd(&before, &w->before);
	nfs_attr_from_bd(&after, &w->after);
	nfs3_xdr_wcc_attrs(o, w->before.type ? &before : NULL,
	    w->after.type ? &after : NULL);
}
