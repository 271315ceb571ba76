/*
 * NFSv3 argument decoders (RFC 1813 section 3.3).  Pure: they point into
 * the request's record and check every length; tests/fuzz/fuzz_nfs3.c
 * feeds them garbage.  A decoder that returns -1 means GARBAGE_ARGS.
 */
#include <string.h>

#include "nfsd.h"

#define NFS3_NAME_MAX	255		/* filename3: blockd's limit */
#define NFS3_PATH_MAX	4095		/* nfspath3 */

static int
nfs3_get_fh(struct xdrbuf_in *x, const uint8_t **fh, uint32_t *len)
{
	return xdrbuf_get_opaque(x, fh, len, NFS3_FHSIZE);
}

/*
 * Names longer than NAME_MAX are still decoded (up to a sane bound) so
 * that the procedure answers NAMETOOLONG rather than GARBAGE_ARGS.
 */
static int
nfs3_get_diropargs(struct xdrbuf_in *x, struct nfs3_diropargs *d)
{
	return nfs3_get_fh(x, &d->fh, &d->fhlen) == -1 ||
	    xdrbuf_get_opaque(x, &d->name, &d->namelen, 4096) == -1 ? -1 : 0;
}

static int
nfs3_get_time(struct xdrbuf_in *x, struct timespec *ts)
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
nfs3_get_sattr(struct xdrbuf_in *x, struct nfs3_sattr *s)
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
	    (s->atime_how == 2 && nfs3_get_time(x, &s->atime) == -1))
		return -1;
	if (xdrbuf_get_u32(x, &s->mtime_how) == -1 || s->mtime_how > 2 ||
	    (s->mtime_how == 2 && nfs3_get_time(x, &s->mtime) == -1))
		return -1;
	return 0;
}

/* Returns 0 and fills a, or -1 for GARBAGE_ARGS. */
int
nfs3_decode_args(uint32_t proc, struct xdrbuf_in *x, struct nfs3_args *a)
{
	memset(a, 0, sizeof(*a));
	switch (proc) {
	case 0:		/* NULL */
		return 0;
	case 1:		/* GETATTR */
	case 5:		/* READLINK */
	case 18:	/* FSSTAT */
	case 19:	/* FSINFO */
	case 20:	/* PATHCONF */
		return nfs3_get_fh(x, &a->fh, &a->fhlen);
	case 2:		/* SETATTR */
		if (nfs3_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    nfs3_get_sattr(x, &a->sattr) == -1 ||
		    xdrbuf_get_bool(x, &a->guard) == -1 ||
		    (a->guard && nfs3_get_time(x, &a->guard_ctime) == -1))
			return -1;
		return 0;
	case 3:		/* LOOKUP */
	case 12:	/* REMOVE */
	case 13:	/* RMDIR */
		if (nfs3_get_diropargs(x, &a->where) == -1)
			return -1;
		a->fh = a->where.fh;
		a->fhlen = a->where.fhlen;
		return 0;
	case 4:		/* ACCESS */
		return nfs3_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    xdrbuf_get_u32(x, &a->access) == -1 ? -1 : 0;
	case 6:		/* READ */
		return nfs3_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    xdrbuf_get_u64(x, &a->offset) == -1 ||
		    xdrbuf_get_u32(x, &a->count) == -1 ? -1 : 0;
	case 7:		/* WRITE */
		if (nfs3_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    xdrbuf_get_u64(x, &a->offset) == -1 ||
		    xdrbuf_get_u32(x, &a->count) == -1 ||
		    xdrbuf_get_u32(x, &a->stable) == -1 || a->stable > 2 ||
		    xdrbuf_get_opaque(x, &a->data, &a->datalen,
		    NFS3_MAXDATA) == -1)
			return -1;
		/* RFC 1813 3.3.7: count must match the data's length. */
		return a->count == a->datalen ? 0 : -1;
	case 8:		/* CREATE */
		if (nfs3_get_diropargs(x, &a->where) == -1 ||
		    xdrbuf_get_u32(x, &a->createhow) == -1)
			return -1;
		a->fh = a->where.fh;
		a->fhlen = a->where.fhlen;
		switch (a->createhow) {
		case 0:
		case 1:
			return nfs3_get_sattr(x, &a->sattr);
		case 2:
			return xdrbuf_get_fixed(x, a->verf, 8);
		}
		return -1;
	case 9:		/* MKDIR */
		if (nfs3_get_diropargs(x, &a->where) == -1 ||
		    nfs3_get_sattr(x, &a->sattr) == -1)
			return -1;
		a->fh = a->where.fh;
		a->fhlen = a->where.fhlen;
		return 0;
	case 10:	/* SYMLINK */
		if (nfs3_get_diropargs(x, &a->where) == -1 ||
		    nfs3_get_sattr(x, &a->sattr) == -1 ||
		    xdrbuf_get_opaque(x, &a->target, &a->targetlen,
		    NFS3_PATH_MAX) == -1)
			return -1;
		a->fh = a->where.fh;
		a->fhlen = a->where.fhlen;
		return 0;
	case 11:	/* MKNOD */
		if (nfs3_get_diropargs(x, &a->where) == -1 ||
		    xdrbuf_get_u32(x, &a->ftype) == -1)
			return -1;
		a->fh = a->where.fh;
		a->fhlen = a->where.fhlen;
		switch (a->ftype) {
		case 3:		/* NF3BLK */
		case 4:		/* NF3CHR */
			return nfs3_get_sattr(x, &a->sattr) == -1 ||
			    xdrbuf_get_u32(x, &a->major) == -1 ||
			    xdrbuf_get_u32(x, &a->minor) == -1 ? -1 : 0;
		case 6:		/* NF3SOCK */
		case 7:		/* NF3FIFO */
			return nfs3_get_sattr(x, &a->sattr);
		}
		return 0;	/* the procedure answers BADTYPE */
	case 14:	/* RENAME */
		if (nfs3_get_diropargs(x, &a->where) == -1 ||
		    nfs3_get_diropargs(x, &a->to) == -1)
			return -1;
		a->fh = a->where.fh;
		a->fhlen = a->where.fhlen;
		return 0;
	case 15:	/* LINK */
		if (nfs3_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    nfs3_get_diropargs(x, &a->to) == -1)
			return -1;
		return 0;
	case 16:	/* READDIR */
		return nfs3_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    xdrbuf_get_u64(x, &a->cookie) == -1 ||
		    xdrbuf_get_fixed(x, a->verf, 8) == -1 ||
		    xdrbuf_get_u32(x, &a->maxcount) == -1 ? -1 : 0;
	case 17:	/* READDIRPLUS */
		return nfs3_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    xdrbuf_get_u64(x, &a->cookie) == -1 ||
		    xdrbuf_get_fixed(x, a->verf, 8) == -1 ||
		    xdrbuf_get_u32(x, &a->dircount) == -1 ||
		    xdrbuf_get_u32(x, &a->maxcount) == -1 ? -1 : 0;
	case 21:	/* COMMIT */
		return nfs3_get_fh(x, &a->fh, &a->fhlen) == -1 ||
		    xdrbuf_get_u64(x, &a->offset) == -1 ||
		    xdrbuf_get_u32(x, &a->count) == -1 ? -1 : 0;
	}
	return -1;
}
