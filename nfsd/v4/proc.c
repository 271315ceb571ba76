/*
 * NFSv4.0 (RFC 7530): NULL and COMPOUND.  A COMPOUND's ops are decoded
 * one at a time (xdr.c) and run in order; the first that fails ends it
 * (RFC 7530 15.2).  An op that asks blockd or stated continues in the
 * reply callback, which runs the next op.  The current and saved
 * filehandles are either a node of the pseudo file system (pseudo.c)
 * or a share's object, whose export's rules were applied when the
 * handle entered it (PUTFH, LOOKUP across a share's root).
 *
 * Data goes through the backing fd that blockd hands over (fhcache.c),
 * as in NFSv3.  State (client ids, opens, locks) is stated's (state.c).
 */
#define _GNU_SOURCE
#include <sys/sysmacros.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockd/store.h"
#include "log.h"
#include "perm.h"
#include "nfsd/v4/proc.h"
#include "stated_util.h"

#define V4(r)		((struct nfs4_call *)(r))

static void	nfs4_run(struct nfs4_call *);

_Static_assert(NFS41_OP_LAST < NFSD_V4_OPS, "NFSD_V4_OPS counts every op");

void
nfs4_bd_fh(bd_fh *fh, const struct nfs4_fh *f)
{
	fh->bd_fh_len = f->len;
	fh->bd_fh_val = (char *)(uintptr_t)f->data;
}

static void
nfs4_bd_name(bd_name *n, const struct nfs4_opaque *o)
{
	n->bd_name_len = o->len;
	n->bd_name_val = (char *)(uintptr_t)o->p;
}

/* stated's name of a file: share, inode, generation (stated_common.x). */
void
nfs4_file_id(uint8_t f[16], const bd_attr *a)
{
	st_file_id(f, a->share, a->ino, a->generation);
}

/*
 * The caches NFSv3 answers from (fhcache.c, namecache.c; the access
 * rule of common/perm.h): the attributes of a handle as blockd would
 * give them, while they are current (fhcache_current), so GETATTR,
 * LOOKUP and ACCESS of a share's object need no round trip.  change
 * is blockd's, moved by the backing file's ctime as blockd moves it.
 */
static void
nfs4_bd_attr_of(bd_attr *b, const struct nfs_attr *a)
{
	memset(b, 0, sizeof(*b));
	b->type = a->type;
	b->mode = a->mode;
	b->nlink = a->nlink;
	b->uid = a->uid;
	b->gid = a->gid;
	b->size = a->size;
	b->used = a->used;
	b->rdev = a->rdev;
	b->share = a->share;
	b->generation = a->generation;
	b->ino = a->ino;
	b->change = a->change;
	b->atime.sec = (int64_t)a->atime.tv_sec;
	b->atime.nsec = (uint32_t)a->atime.tv_nsec;
	b->mtime.sec = (int64_t)a->mtime.tv_sec;
	b->mtime.nsec = (uint32_t)a->mtime.tv_nsec;
	b->ctime.sec = (int64_t)a->ctime.tv_sec;
	b->ctime.nsec = (uint32_t)a->ctime.tv_nsec;
	b->btime.sec = (int64_t)a->btime.tv_sec;
	b->btime.nsec = (uint32_t)a->btime.tv_nsec;
	b->flags = a->flags;
	b->dos = a->dos;
}

static void
nfs4_cache_bd_attr(struct nfs4_call *v, const uint8_t *fh, size_t len,
    const bd_attr *b)
{
	struct nfs_attr a;

	if (len == 0 || len > NFS3_FHSIZE || b->type == 0)
		return;
	nfs_attr_from_bd(&a, b);
	fhcache_put(v->nfs.env->fhcache, fh, len, &a);
}

/* The current attributes of a share's handle, or NULL: ask blockd. */
static const struct nfs_attr *
nfs4_cached_attr(struct nfs4_call *v, const uint8_t *fh, size_t len)
{
	return fhcache_current(fhcache_get(v->nfs.env->fhcache, fh, len));
}

static void
nfs4_perm_who(const struct nfs4_call *v, struct perm_who *w)
{
	w->uid = v->nfs.bcred.uid;
	w->gid = v->nfs.bcred.gid;
	w->groups = v->nfs.bcred.groups.groups_val;
	w->ngroups = v->nfs.bcred.groups.groups_len;
}

static void
nfs4_perm_obj(const struct nfs_attr *a, struct perm_obj *o)
{
	memset(o, 0, sizeof(*o));
	o->is_dir = a->type == STORE_TYPE_DIR;
	o->mode = a->mode;
	o->uid = a->uid;
	o->gid = a->gid;
}

static void
nfs4_finish(struct nfs4_call *v, uint32_t status)
{
	struct rpcsvc_call *call = v->nfs.rpc;
	struct rpcsvc_fd *io = NULL;
	uint64_t off = 0;
	uint32_t len = 0;

	nfs4_compound_out_end(&v->co, status);
	if (v->w != NULL) {
		io = v->w->read_io;
		off = v->w->read_off;
		len = v->w->read_len;
		/* A session's slot: stated hears of it before the client. */
		if (call->out.failed)
			nfs41_slot_finish(v, NULL, 0, 0);
		else
			nfs41_slot_finish(v, call->out.buf + v->co.status_at,
			    call->out.len - v->co.status_at, io == NULL);
	}
	xdrbuf_out_free(&v->scratch);
	nfs41_dir_changer_end(v);
	free(v->w);
	v->w = NULL;
	if (call->out.failed) {
		rpcsvc_fd_unref(io);
		rpcsvc_reply_error(call, RPC_SYSTEM_ERR);
		return;
	}
	if (io != NULL) {
		/* The READ result ends with its data's length: the data. */
		rpcsvc_reply_file(call, io, (off_t)off, len);
		rpcsvc_fd_unref(io);
		return;
	}
	rpcsvc_reply_body(call);
}

/* A v4.1 retry: its kept COMPOUND4res in place of this one's. */
static void
nfs4_send_replay(struct nfs4_call *v, const uint8_t *reply, size_t len)
{
	struct rpcsvc_call *call = v->nfs.rpc;

	xdrbuf_out_free(&v->scratch);
	nfs41_dir_changer_end(v);
	free(v->w);
	v->w = NULL;
	call->out.len = v->co.status_at;
	xdrbuf_put_fixed(&call->out, reply, len);
	if (call->out.failed) {
		rpcsvc_reply_error(call, RPC_SYSTEM_ERR);
		return;
	}
	rpcsvc_reply_body(call);
}

void
nfs4_answer_replay(struct nfs4_call *v, const uint8_t *reply, size_t len)
{
	if (v->running) {
		/* nfs4_run's loop sends it, once the op has returned. */
		v->replay = reply;
		v->replay_len = len;
		v->finished = 1;
		return;
	}
	nfs4_send_replay(v, reply, len);
}

/*
 * The op has its result in v->res (status aside): encode it, and go on
 * with the next op unless it failed.
 */
void
nfs4_op_done(struct nfs4_call *v, uint32_t status)
{
	size_t start = v->co.o->len;
	uint32_t fits;

	v->res.opnum = v->op.opnum;
	v->res.status = status;
	if (status == NFS4_OK && v->c.minorversion >= NFS41_MINOR_VERSION)
		nfs41_op_result(v);
	nfs4_encode_resop(&v->co, &v->res);
	if (v->w->read_io != NULL && v->co.o->len >= 4)
		xdrbuf_put_u32_at(v->co.o, v->co.o->len - 4, v->w->read_len);
	if (status == NFS4_OK && (fits = nfs41_reply_fits(v, 0)) != NFS4_OK) {
		/* RFC 8881 18.46.3: the op whose result does not fit. */
		v->co.o->len = start;
		v->co.count--;
		rpcsvc_fd_unref(v->w->read_io);
		v->w->read_io = NULL;
		memset(&v->res.u, 0, sizeof(v->res.u));
		v->res.status = status = fits;
		nfs4_encode_resop(&v->co, &v->res);
	}
	nfs4_op_next(v, status);
}

/* The op's result is in the reply: on to the next op, or the end. */
void
nfs4_op_next(struct nfs4_call *v, uint32_t status)
{
	nfs41_dir_changer_end(v);
	xdrbuf_out_free(&v->scratch);
	xdrbuf_out_init(&v->scratch);
	v->finished = 1;
	if (v->running)
		return;			/* nfs4_run's loop goes on */
	if (status != NFS4_OK || !nfs4_compound_more(&v->c)) {
		nfs4_finish(v, status);
		return;
	}
	nfs4_run(v);
}

/* A failure: the result is the status alone (SETATTR: empty attrsset). */
void
nfs4_fail(struct nfs4_call *v, uint32_t status)
{
	memset(&v->res.u, 0, sizeof(v->res.u));
	nfs4_op_done(v, status);
}

static void
nfs4_fail_errno(struct nfs4_call *v, int err)
{
	if (err == -EBADMSG) {
		nfs4_fail(v, NFS4ERR_BADHANDLE);
		return;
	}
	nfs4_fail(v, nfs4_status_from_errno(err));
}

/* RFC 7530 5.8.1.1: the store's type as nfs_ftype4. */
static uint32_t
nfs4_type(uint32_t t)
{
	switch (t) {
	case STORE_TYPE_REG:
		return NF4REG;
	case STORE_TYPE_DIR:
		return NF4DIR;
	case STORE_TYPE_LNK:
		return NF4LNK;
	case STORE_TYPE_CHR:
		return NF4CHR;
	case STORE_TYPE_BLK:
		return NF4BLK;
	case STORE_TYPE_FIFO:
		return NF4FIFO;
	case STORE_TYPE_SOCK:
		return NF4SOCK;
	default:
		return NF4REG;
	}
}

static int
nfs4_is_root(const struct nfs4_fh *fh)
{
	return fh->exp != NULL && fh->len == fh->exp->root_len &&
	    memcmp(fh->data, fh->exp->root_fh, fh->len) == 0;
}

/* What attr.c encodes, from blockd's attributes of a share's object. */
static void
nfs4_attr_from_bd(struct nfs4_call *v, const bd_attr *a, const uint8_t *fh,
    uint32_t fhlen, int root, struct nfs4_attr_src *s)
{
	struct nfsd_env *env = v->nfs.env;

	nfs4_attr_src_defaults(s);
	nfs4_attr_src_caller(v, s);
	s->type = nfs4_type(a->type);
	s->change = a->change;
	s->size = a->size;
	s->fsid_major = a->share;
	s->fsid_minor = 1;
	s->lease_time = env->v4_lease;
	s->fh = fh;
	s->fhlen = fhlen;
	s->fileid = a->ino;
	s->mounted_on_fileid = a->ino;
	if (root && v->w->cur.exp != NULL)
		s->mounted_on_fileid = nfs4_pseudo_hash(v->w->cur.exp->path,
		    strlen(v->w->cur.exp->path));
	s->mode = a->mode & 07777;
	s->numlinks = a->nlink;
	s->uid = a->uid;
	s->gid = a->gid;
	s->rawdev_major = major(a->rdev);
	s->rawdev_minor = minor(a->rdev);
	s->space_used = a->used;
	s->atime.sec = a->atime.sec;
	s->atime.nsec = a->atime.nsec;
	s->mtime.sec = a->mtime.sec;
	s->mtime.nsec = a->mtime.nsec;
	s->ctime.sec = a->ctime.sec;
	s->ctime.nsec = a->ctime.nsec;
	s->crtime.sec = a->btime.sec;
	s->crtime.nsec = a->btime.nsec;
}

/* The attributes a statfs answers. */
static int
nfs4_wants_statfs(const struct nfs4_bitmap *b)
{
	static const unsigned int fs[] = { FATTR4_FILES_AVAIL,
	    FATTR4_FILES_FREE, FATTR4_FILES_TOTAL, FATTR4_SPACE_AVAIL,
	    FATTR4_SPACE_FREE, FATTR4_SPACE_TOTAL };
	size_t i;

	for (i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		if (nfs4_bitmap_isset(b, fs[i]))
			return 1;
	return 0;
}

/*
 * The attributes of the current filehandle, then fn: from the pseudo fs,
 * or blockd's GETATTR (STATFS when the file system's figures are asked).
 */
typedef void	 nfs4_attr_fn(struct nfs4_call *, struct nfs4_attr_src *);

static nfs4_attr_fn	*nfs4_attr_pending(struct nfs4_call *);

/* An object's own ACL (blockd's ACL_GET), for the attributes asked. */
static void
nfs4_attr_acl_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_acl_reply *rep = reply;

	(void)fd;
	if (status != 0) {
		nfs4_fail_errno(v, status);
		return;
	}
	if (acl_decode((const uint8_t *)rep->acl.acl_val, rep->acl.acl_len,
	    &v->w->acl) != 0) {
		log_warnx("%s: NFSv4: blockd's ACL does not decode",
		    v->nfs.rpc->peer_name);
		nfs4_fail(v, NFS4ERR_SERVERFAULT);
		return;
	}
	v->w->src.acl = &v->w->acl;
	nfs4_attr_pending(v)(v, &v->w->src);
}

static const struct nfs4_bitmap *
nfs4_attr_wanted(const struct nfs4_call *v)
{
	return v->op.opnum == OP_GETATTR ? &v->op.u.getattr.request :
	    &v->op.u.verify.attrs.mask;
}

/* blockd's attributes of the current handle (and its statfs, or NULL). */
static void
nfs4_attr_have(struct nfs4_call *v, const bd_attr *a,
    const bd_statfs_reply *fs)
{
	struct nfs4_attr_src s;
	bd_acl_req req;	/* BD_ACL_GET's: its acl<> empty */

	v->attr = *a;
	v->have_attr = 1;
	nfs4_attr_from_bd(v, a, v->w->cur.data, v->w->cur.len,
	    nfs4_is_root(&v->w->cur), &s);
	if (fs != NULL) {
		s.space_total = fs->bytes_total;
		s.space_free = fs->bytes_free;
		s.space_avail = fs->bytes_avail;
		s.files_total = fs->files_total;
		s.files_free = fs->files_free;
		s.files_avail = fs->files_avail;
	}
	if ((a->flags & STORE_ATTR_ACL) &&
	    nfs4_bitmap_isset(nfs4_attr_wanted(v), FATTR4_ACL)) {
		v->w->src = s;
		memset(&req, 0, sizeof(req));
		req.cred = v->nfs.bcred;
		nfs4_bd_fh(&req.fh, &v->w->cur);
		bdc_call(v->nfs.env->bdc, BD_ACL_GET, (xdrproc_t)xdr_bd_acl_req,
		    &req, (xdrproc_t)xdr_bd_acl_reply, sizeof(bd_acl_reply),
		    nfs4_attr_acl_done, v);
		return;
	}
	nfs4_attr_pending(v)(v, &s);
}

static void
nfs4_attr_statfs_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_statfs_reply *rep = reply;

	(void)fd;
	if (status != 0)
		nfs4_fail_errno(v, status);
	else
		nfs4_attr_have(v, &rep->attr, rep);
}

static void
nfs4_attr_getattr_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_attr_reply *rep = reply;

	(void)fd;
	if (status != 0)
		nfs4_fail_errno(v, status);
	else
		nfs4_attr_have(v, &rep->attr, NULL);
}

static void	nfs4_getattr_have(struct nfs4_call *, struct nfs4_attr_src *);
static void	nfs4_verify_have(struct nfs4_call *, struct nfs4_attr_src *);

static nfs4_attr_fn *
nfs4_attr_pending(struct nfs4_call *v)
{
	return v->op.opnum == OP_GETATTR ? nfs4_getattr_have :
	    nfs4_verify_have;
}

static void
nfs4_attr_get(struct nfs4_call *v, const struct nfs4_bitmap *want)
{
	const struct nfs_attr *a;
	struct nfs4_attr_src s;
	bd_fh_req req;
	bd_attr b;

	if (v->w->cur.pseudo) {
		nfs4_pseudo_attr(v->nfs.env, &v->w->cur, &s);
		nfs4_attr_src_caller(v, &s);
		nfs4_attr_pending(v)(v, &s);
		return;
	}
	if (!nfs4_wants_statfs(want) && (a = nfs4_cached_attr(v,
	    v->w->cur.data, v->w->cur.len)) != NULL) {
		v->nfs.env->v4_cache_answers++;
		nfs4_bd_attr_of(&b, a);
		nfs4_attr_have(v, &b, NULL);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.cred = v->nfs.bcred;
	nfs4_bd_fh(&req.fh, &v->w->cur);
	if (nfs4_wants_statfs(want))
		bdc_call(v->nfs.env->bdc, BD_STATFS, (xdrproc_t)xdr_bd_fh_req,
		    &req, (xdrproc_t)xdr_bd_statfs_reply,
		    sizeof(bd_statfs_reply), nfs4_attr_statfs_done, v);
	else
		bdc_call(v->nfs.env->bdc, BD_GETATTR, (xdrproc_t)xdr_bd_fh_req,
		    &req, (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
		    nfs4_attr_getattr_done, v);
}

/* RFC 7530 16.7: GETATTR */
static void
nfs4_getattr_gated(struct nfs4_call *v)
{
	nfs4_getattr_have(v, &v->w->src);
}

static void
nfs4_getattr_have(struct nfs4_call *v, struct nfs4_attr_src *s)
{
	uint32_t status;

	/* Size or change of a file another client may write (state.c). */
	if (!v->deleg_gated && nfs4_deleg_maybe(v->nfs.env)) {
		if (s != &v->w->src)
			v->w->src = *s;
		if (nfs4_deleg_attr_gate(v, nfs4_getattr_gated))
			return;
	}
	status = nfs4_fattr_encode(&v->scratch, &v->op.u.getattr.request, s,
	    v->nfs.env->idmap);
	if (status != NFS4_OK) {
		nfs4_fail(v, status);
		return;
	}
	v->res.u.fattr.p = v->scratch.buf;
	v->res.u.fattr.len = (uint32_t)v->scratch.len;
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_op_getattr(struct nfs4_call *v)
{
	v->deleg_gated = 0;
	nfs4_attr_get(v, &v->op.u.getattr.request);
}

/* RFC 7530 16.35, 16.15: VERIFY, NVERIFY */
static void
nfs4_verify_have(struct nfs4_call *v, struct nfs4_attr_src *s)
{
	nfs4_fail(v, nfs4_fattr_verify(&v->op.u.verify.attrs, s,
	    v->nfs.env->idmap, v->op.opnum == OP_NVERIFY));
}

static void
nfs4_op_verify(struct nfs4_call *v)
{
	nfs4_attr_get(v, &v->op.u.verify.attrs.mask);
}

/*
 * The filehandle ops.  RFC 7530 16.20, 16.21, 16.22: PUTFH, PUTPUBFH,
 * PUTROOTFH; 16.8: GETFH; 16.27, 16.28: RESTOREFH, SAVEFH.
 */
/* A share's directory on the way to a nested share: its path kept. */
static void
nfs4_path_remember(struct nfs4_call *v)
{
	struct nfsd_env *env = v->nfs.env;
	struct nfsd_v4_path *p = NULL;
	size_t i;

	if (v->w->cur.pseudo || v->w->cur.path[0] == '\0' ||
	    v->w->cur.len > NFS3_FHSIZE ||
	    !nfs4_pseudo_is_node(env, v->w->cur.path))
		return;
	for (i = 0; i < NFSD_V4_JUNCTION_DIRS && p == NULL; i++)
		if (env->v4_paths[i].len == v->w->cur.len &&
		    memcmp(env->v4_paths[i].fh, v->w->cur.data,
		    v->w->cur.len) == 0)
			p = &env->v4_paths[i];
	if (p == NULL) {
		p = &env->v4_paths[env->v4_paths_next++ %
		    NFSD_V4_JUNCTION_DIRS];
		memcpy(p->fh, v->w->cur.data, v->w->cur.len);
		p->len = v->w->cur.len;
	}
	memcpy(p->path, v->w->cur.path, sizeof(p->path));
}

static void
nfs4_path_recall(struct nfs4_call *v)
{
	struct nfsd_env *env = v->nfs.env;
	size_t i;

	for (i = 0; i < NFSD_V4_JUNCTION_DIRS; i++)
		if (env->v4_paths[i].len == v->w->cur.len &&
		    memcmp(env->v4_paths[i].fh, v->w->cur.data,
		    v->w->cur.len) == 0) {
			memcpy(v->w->cur.path, env->v4_paths[i].path,
			    sizeof(v->w->cur.path));
			return;
		}
}

static void
nfs4_enter_share(struct nfs4_call *v, struct export *e)
{
	uint32_t status;

	if ((status = nfs4_pseudo_enter(v, e)) != NFS4_OK) {
		nfs4_fail(v, status);
		return;
	}
	/* RFC 7530 3.2.1: a flavour weaker than the share takes. */
	if (!export_security_allowed(e, &v->nfs.rpc->auth)) {
		log_info_rl("%s: NFSv4: %s is weaker than %s takes",
		    v->nfs.rpc->peer_name, rpcauth_sec_name(
		    rpcauth_sec_bit(&v->nfs.rpc->auth)), e->path);
		nfs4_fail(v, NFS4ERR_WRONGSEC);
		return;
	}
	v->w->cur = v->w->next;
	v->w->cur.exp = e;
	/* A share's root is known by its path (nested shares' junctions). */
	if (nfs4_is_root(&v->w->cur))
		snprintf(v->w->cur.path, sizeof(v->w->cur.path), "%s",
		    e->path);
	else if (v->w->cur.path[0] == '\0')
		nfs4_path_recall(v);
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_putfh_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_attr_reply *rep = reply;
	struct export *e;

	(void)fd;
	if (status != 0) {
		nfs4_fail_errno(v, status);
		return;
	}
	if ((e = export_by_share(&v->nfs.env->exports,
	    rep->attr.share)) == NULL) {
		nfs4_fail(v, NFS4ERR_STALE);
		return;
	}
	nfs4_enter_share(v, e);
}

static void
nfs4_op_putfh(struct nfs4_call *v)
{
	const struct nfs4_opaque *fh = &v->op.u.putfh.fh;
	struct fhnode *n;
	struct export *e;
	bd_fh_req req;

	if (fh->len == 0 || fh->len > NFS4_FHSIZE) {
		nfs4_fail(v, NFS4ERR_BADHANDLE);
		return;
	}
	if (fh->len == NFS4_PSEUDO_FHLEN &&
	    memcmp(fh->p, NFS4_PSEUDO_MAGIC, 4) == 0) {
		if (nfs4_pseudo_from_fh(v->nfs.env, fh->p, fh->len,
		    &v->w->cur) == -1) {
			nfs4_fail(v, NFS4ERR_STALE);
			return;
		}
		nfs4_op_done(v, NFS4_OK);
		return;
	}
	if (fh->len > BD_FH_MAX) {
		nfs4_fail(v, NFS4ERR_BADHANDLE);
		return;
	}
	memset(&v->w->next, 0, sizeof(v->w->next));
	v->w->next.set = 1;
	memcpy(v->w->next.data, fh->p, fh->len);
	v->w->next.len = fh->len;
	if ((n = fhcache_get(v->nfs.env->fhcache, fh->p, fh->len)) != NULL) {
		if ((e = export_by_share(&v->nfs.env->exports,
		    n->attr.share)) == NULL) {
			nfs4_fail(v, NFS4ERR_STALE);
			return;
		}
		nfs4_enter_share(v, e);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.cred.uid = req.cred.gid = 65534;
	nfs4_bd_fh(&req.fh, &v->w->next);
	bdc_call(v->nfs.env->bdc, BD_GETATTR, (xdrproc_t)xdr_bd_fh_req, &req,
	    (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
	    nfs4_putfh_done, v);
}

static void
nfs4_op_putrootfh(struct nfs4_call *v)
{
	struct nfsd_env *env = v->nfs.env;
	struct export *e = export_by_path(&env->exports, "/", 1);

	if (e != NULL && strcmp(e->path, "/") == 0) {
		/* A share at "/": the pseudo fs is that share. */
		if (e->root_len == 0) {
			nfs4_fail(v, NFS4ERR_DELAY);
			return;
		}
		memset(&v->w->next, 0, sizeof(v->w->next));
		v->w->next.set = 1;
		memcpy(v->w->next.data, e->root_fh, e->root_len);
		v->w->next.len = (uint32_t)e->root_len;
		nfs4_enter_share(v, e);
		return;
	}
	nfs4_pseudo_root(env, &v->w->cur);
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_op_getfh(struct nfs4_call *v)
{
	v->res.u.fh.p = v->w->cur.data;
	v->res.u.fh.len = v->w->cur.len;
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_op_savefh(struct nfs4_call *v)
{
	v->w->saved = v->w->cur;
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_op_restorefh(struct nfs4_call *v)
{
	if (!v->w->saved.set) {
		nfs4_fail(v, NFS4ERR_RESTOREFH);
		return;
	}
	v->w->cur = v->w->saved;
	nfs4_op_done(v, NFS4_OK);
}

/*
 * An entry blockd answered with (LOOKUP, a create) becomes the current
 * handle, its attributes cached.  -1: a handle we cannot hold.
 */
int
nfs4_cur_from_entry(struct nfs4_call *v, const bd_entry_reply *rep)
{
	struct nfs_attr na;

	if (rep->fh.bd_fh_len == 0 || rep->fh.bd_fh_len > BD_FH_MAX)
		return -1;
	v->w->cur.path[0] = '\0';	/* LOOKUP says, else unknown */
	nfs_attr_from_bd(&na, &rep->attr);
	fhcache_put(v->nfs.env->fhcache, (const uint8_t *)rep->fh.bd_fh_val,
	    rep->fh.bd_fh_len, &na);
	memcpy(v->w->cur.data, rep->fh.bd_fh_val, rep->fh.bd_fh_len);
	v->w->cur.len = rep->fh.bd_fh_len;
	v->attr = rep->attr;
	v->have_attr = 1;
	return 0;
}

/* A name to look up: "." and ".." name no object (RFC 7530 12.4). */
uint32_t
nfs4_lookup_name_check(const struct nfs4_opaque *name)
{
	uint32_t status = nfs4_name_check(name);

	return status == NFS4ERR_BADNAME ? NFS4ERR_NOENT : status;
}

/*
 * Where the current share object's path leads after this LOOKUP (the
 * name) or LOOKUPP (".."), into out: "" when unknown (a handle from
 * PUTFH, a new object, a path too long).
 */
static void
nfs4_path_step(struct nfs4_call *v, char out[MNT_PATH_MAX + 1])
{
	const char *from = v->w->cur.path, *slash;
	const struct nfs4_opaque *name = &v->op.u.name.name;
	size_t n = strlen(from);

	out[0] = '\0';
	if (n == 0)
		return;
	if (v->op.opnum == OP_LOOKUPP) {
		if ((slash = strrchr(from, '/')) == NULL || slash == from)
			return;
		memcpy(out, from, (size_t)(slash - from));
		out[slash - from] = '\0';
		return;
	}
	if (strcmp(from, "/") == 0)
		n = 0;
	if (n + 1 + name->len > MNT_PATH_MAX)
		return;
	memcpy(out, from, n);
	out[n] = '/';
	memcpy(out + n + 1, name->p, name->len);
	out[n + 1 + name->len] = '\0';
}

/*
 * A share whose path is the looked-up name's (nested in the current
 * one): LOOKUP crosses into its root, as into a mounted file system,
 * with its rules (nfs4_pseudo_enter) and its own fsid.  1: done so.
 */
static struct export *
nfs4_junction(struct nfs4_call *v)
{
	struct nfsd_env *env = v->nfs.env;
	struct export *e;

	nfs4_path_step(v, v->w->next.path);
	if (v->w->next.path[0] == '\0' || (e = export_by_path(&env->exports,
	    v->w->next.path, strlen(v->w->next.path))) == NULL ||
	    strcmp(e->path, v->w->next.path) != 0 || e == v->w->cur.exp)
		return NULL;
	return e;
}

static int
nfs4_lookup_junction(struct nfs4_call *v)
{
	struct export *e;
	uint32_t status;

	if ((e = nfs4_junction(v)) == NULL)
		return 0;
	if (e->root_len == 0) {
		nfs4_fail(v, NFS4ERR_DELAY);	/* blockd has not said yet */
		return 1;
	}
	if ((status = nfs4_pseudo_enter(v, e)) != NFS4_OK) {
		nfs4_fail(v, status);
		return 1;
	}
	memset(&v->w->next, 0, sizeof(v->w->next));
	v->w->next.set = 1;
	memcpy(v->w->next.data, e->root_fh, e->root_len);
	v->w->next.len = (uint32_t)e->root_len;
	nfs4_enter_share(v, e);
	return 1;
}

/*
 * A name the share does not hold: NOENT, unless its path leads on to a
 * nested share (/export/x of /export/x/y when /export has no "x"): then
 * the pseudo fs's node of that path, as if the share had the directory.
 */
static void
nfs4_lookup_absent(struct nfs4_call *v)
{
	nfs4_path_step(v, v->w->next.path);
	if (v->w->next.path[0] == '\0' ||
	    !nfs4_pseudo_is_node(v->nfs.env, v->w->next.path)) {
		nfs4_fail(v, NFS4ERR_NOENT);
		return;
	}
	nfs4_pseudo_fh(&v->w->cur, v->w->next.path);
	nfs4_op_done(v, NFS4_OK);
}

/*
 * RFC 7530 16.13: LOOKUP.  From the name cache when it knows the name,
 * the directory's attributes are current, let the caller search it, and
 * what the name holds has current attributes; else blockd's, whose
 * answer the name cache learns (after its notifications, as NFSv3's).
 */
/*
 * A name of the current directory from the name cache: 1 and its handle
 * (fhlen 0: absent) and, when present, the object's current attributes;
 * 0: ask blockd (unknown, not current, an ACL, or no search permission:
 * a refusal is blockd's to give).
 */
static int
nfs4_name_from_cache(struct nfs4_call *v, const struct nfs4_opaque *name,
    const uint8_t **fh, size_t *fhlen, const struct nfs_attr **dirp,
    const struct nfs_attr **objp)
{
	struct nfsd_env *env = v->nfs.env;
	const struct nfs_attr *dir;
	struct perm_who w;
	struct perm_obj o;

	if ((dir = nfs4_cached_attr(v, v->w->cur.data, v->w->cur.len)) ==
	    NULL || dir->type != STORE_TYPE_DIR ||
	    (dir->flags & STORE_ATTR_ACL) ||
	    !namecache_get(env->namecache, dir->ino,
	    (dir->flags & STORE_ATTR_CASELESS) != 0, (const char *)name->p,
	    name->len, fh, fhlen))
		return 0;
	nfs4_perm_who(v, &w);
	nfs4_perm_obj(dir, &o);
	if (perm_check(&w, &o, PERM_EXEC) != 0)
		return 0;
	*dirp = dir;
	*objp = NULL;
	if (*fhlen == 0)
		return 1;
	if (*fhlen > NFS4_FHSIZE ||
	    (*objp = nfs4_cached_attr(v, *fh, *fhlen)) == NULL)
		return 0;
	return 1;
}

/*
 * RFC 7530 16.16: OPEN (state.c) of an existing name, CLAIM_NULL, from
 * the caches as LOOKUP's: 1 and the current handle and v->attr are the
 * file's, its directory's change in cinfo; -1: the name is absent; 0:
 * ask blockd.
 */
int
nfs4_open_cached(struct nfs4_call *v, const struct nfs4_opaque *name)
{
	const struct nfs_attr *dir, *obj;
	const uint8_t *fh;
	size_t fhlen;

	if (v->w->cur.pseudo ||
	    !nfs4_name_from_cache(v, name, &fh, &fhlen, &dir, &obj))
		return 0;
	v->nfs.env->v4_cache_answers++;
	if (fhlen == 0)
		return -1;
	v->cinfo_before = v->cinfo_after = dir->change;
	nfs4_bd_attr_of(&v->attr, obj);
	v->have_attr = 1;
	v->w->cur.path[0] = '\0';
	memmove(v->w->cur.data, fh, fhlen);
	v->w->cur.len = (uint32_t)fhlen;
	return 1;
}

/*
 * The access an OPEN asks (ACCESS4_ bits) granted by the mode of the
 * current handle's cached attributes: 1.  0: ask blockd (not current,
 * an ACL, or refused: a refusal is blockd's to give).
 */
int
nfs4_access_cached(struct nfs4_call *v, uint32_t want)
{
	const struct nfs_attr *a;
	struct perm_who w;
	struct perm_obj o;

	if ((a = nfs4_cached_attr(v, v->w->cur.data, v->w->cur.len)) ==
	    NULL || (a->flags & STORE_ATTR_ACL))
		return 0;
	nfs4_perm_who(v, &w);
	nfs4_perm_obj(a, &o);
	if ((perm_access(&w, &o) & want) != want)
		return 0;
	v->nfs.env->v4_cache_answers++;
	return 1;
}

/*
 * RFC 7530 16.13: LOOKUP.  From the name cache when it knows the name,
 * the directory's attributes are current, let the caller search it, and
 * what the name holds has current attributes; else blockd's, whose
 * answer the name cache learns (after its notifications, as NFSv3's).
 */
static int
nfs4_lookup_cached(struct nfs4_call *v, const struct nfs4_opaque *name)
{
	struct nfsd_env *env = v->nfs.env;
	const struct nfs_attr *dir, *obj;
	const uint8_t *fh;
	size_t fhlen;

	if (!nfs4_name_from_cache(v, name, &fh, &fhlen, &dir, &obj))
		return 0;
	env->v4_cache_answers++;
	if (fhlen == 0) {
		nfs4_lookup_absent(v);
		return 1;
	}
	nfs4_path_step(v, v->w->next.path);
	memcpy(v->w->cur.path, v->w->next.path, sizeof(v->w->cur.path));
	memmove(v->w->cur.data, fh, fhlen);
	v->w->cur.len = (uint32_t)fhlen;
	nfs4_path_remember(v);
	nfs4_bd_attr_of(&v->attr, obj);
	v->have_attr = 1;
	nfs4_op_done(v, NFS4_OK);
	return 1;
}

/*
 * What name of the current directory holds now (fh NULL: nothing), from
 * blockd's answer, for the name cache; dir: the directory's attributes
 * that came with it (or NULL).
 */
void
nfs4_name_learn(struct nfs4_call *v, const struct nfs4_opaque *name,
    const uint8_t *fh, size_t fhlen, const bd_attr *dir)
{
	struct fhnode *n;

	if (dir != NULL)
		nfs4_cache_bd_attr(v, v->w->cur.data, v->w->cur.len, dir);
	n = fhcache_get(v->nfs.env->fhcache, v->w->cur.data, v->w->cur.len);
	if (n == NULL || n->attr.type != STORE_TYPE_DIR)
		return;
	namecache_put(v->nfs.env->namecache, n->attr.ino,
	    (n->attr.flags & STORE_ATTR_CASELESS) != 0, (const char *)name->p,
	    name->len, fh, fhlen);
}

/* What the looked-up name holds now (fh NULL: nothing), for the cache. */
static void
nfs4_lookup_learn(struct nfs4_call *v, const uint8_t *fh, size_t fhlen)
{
	if (v->op.opnum == OP_LOOKUP)
		nfs4_name_learn(v, &v->op.u.name.name, fh, fhlen, NULL);
}

static void
nfs4_lookup_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_entry_reply *rep = reply;

	(void)fd;
	/* The directory's attributes come with either answer. */
	if (rep != NULL && rep->dir.valid && v->op.opnum == OP_LOOKUP)
		nfs4_cache_bd_attr(v, v->w->cur.data, v->w->cur.len,
		    &rep->dir.after);
	if (status == -ENOENT) {
		nfs4_lookup_learn(v, NULL, 0);
		if (v->op.opnum == OP_LOOKUP) {
			nfs4_lookup_absent(v);
			return;
		}
	}
	if (status != 0) {
		nfs4_fail_errno(v, status);
		return;
	}
	if (rep->fh.bd_fh_len > 0 && rep->fh.bd_fh_len <= BD_FH_MAX)
		nfs4_lookup_learn(v, (const uint8_t *)rep->fh.bd_fh_val,
		    rep->fh.bd_fh_len);
	nfs4_path_step(v, v->w->next.path);
	if (nfs4_cur_from_entry(v, rep) == -1) {
		nfs4_fail(v, NFS4ERR_SERVERFAULT);
		return;
	}
	memcpy(v->w->cur.path, v->w->next.path, sizeof(v->w->cur.path));
	nfs4_path_remember(v);
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_bd_lookup(struct nfs4_call *v, const struct nfs4_opaque *name,
    bdc_done_fn *done)
{
	bd_dirop_req req;

	memset(&req, 0, sizeof(req));
	req.cred = v->nfs.bcred;
	nfs4_bd_fh(&req.dir, &v->w->cur);
	nfs4_bd_name(&req.name, name);
	bdc_call(v->nfs.env->bdc, BD_LOOKUP, (xdrproc_t)xdr_bd_dirop_req, &req,
	    (xdrproc_t)xdr_bd_entry_reply, sizeof(bd_entry_reply), done, v);
}

/* After a pseudo LOOKUP or LOOKUPP: into v->w->next, a share's or not. */
static void
nfs4_pseudo_moved(struct nfs4_call *v, uint32_t status)
{
	if (status != NFS4_OK) {
		nfs4_fail(v, status);
		return;
	}
	if (v->w->next.exp != NULL) {
		nfs4_enter_share(v, v->w->next.exp);
		return;
	}
	v->w->cur = v->w->next;
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_op_lookup(struct nfs4_call *v)
{
	const struct nfs4_opaque *name = &v->op.u.name.name;
	uint32_t status;

	if ((status = nfs4_lookup_name_check(name)) != NFS4_OK) {
		nfs4_fail(v, status);
		return;
	}
	if (v->w->cur.pseudo) {
		nfs4_pseudo_moved(v, nfs4_pseudo_lookup(v->nfs.env, &v->w->cur,
		    name, &v->w->next));
		return;
	}
	if (nfs4_lookup_junction(v) || nfs4_lookup_cached(v, name))
		return;
	nfs4_bd_lookup(v, name, nfs4_lookup_done);
}

/* RFC 7530 16.14: LOOKUPP */
static void
nfs4_op_lookupp(struct nfs4_call *v)
{
	static const struct nfs4_opaque dotdot = {
		(const uint8_t *)"..", 2
	};

	if (v->w->cur.pseudo) {
		nfs4_pseudo_moved(v, nfs4_pseudo_parent(v->nfs.env,
		    v->w->cur.path, &v->w->next));
		return;
	}
	if (nfs4_is_root(&v->w->cur)) {
		if (strcmp(v->w->cur.exp->path, "/") == 0) {
			nfs4_fail(v, NFS4ERR_NOENT);
			return;
		}
		nfs4_pseudo_moved(v, nfs4_pseudo_parent(v->nfs.env,
		    v->w->cur.exp->path, &v->w->next));
		return;
	}
	nfs4_bd_lookup(v, &dotdot, nfs4_lookup_done);
}

/* RFC 7530 16.1: ACCESS */
#define NFS4_ACCESS_ALL		(ACCESS4_READ | ACCESS4_LOOKUP | \
	ACCESS4_MODIFY | ACCESS4_EXTEND | ACCESS4_DELETE | ACCESS4_EXECUTE)
#define NFS4_ACCESS_CHANGE	(ACCESS4_MODIFY | ACCESS4_EXTEND | \
	ACCESS4_DELETE)

static void
nfs4_access_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_access_reply *rep = reply;
	uint32_t want = v->op.u.access.access & NFS4_ACCESS_ALL;

	(void)fd;
	if (status != 0) {
		nfs4_fail_errno(v, status);
		return;
	}
	v->res.u.access.supported = want;
	v->res.u.access.access = rep->granted & want;
	if (v->w->cur.exp->read_only)
		v->res.u.access.access &= ~(uint32_t)NFS4_ACCESS_CHANGE;
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_op_access(struct nfs4_call *v)
{
	uint32_t want = v->op.u.access.access & NFS4_ACCESS_ALL;
	const struct nfs_attr *a;
	struct perm_who w;
	struct perm_obj o;

	if (v->w->cur.pseudo) {
		v->res.u.access.supported = want;
		v->res.u.access.access = want & (ACCESS4_READ |
		    ACCESS4_LOOKUP);
		nfs4_op_done(v, NFS4_OK);
		return;
	}
	/* The mode's answer, as NFSv3's ACCESS; an ACL's is blockd's. */
	if ((a = nfs4_cached_attr(v, v->w->cur.data, v->w->cur.len)) !=
	    NULL && !(a->flags & STORE_ATTR_ACL)) {
		v->nfs.env->v4_cache_answers++;
		nfs4_perm_who(v, &w);
		nfs4_perm_obj(a, &o);
		nfs4_access_done(v, 0, &(bd_access_reply){ .granted =
		    perm_access(&w, &o) }, -1);
		return;
	}
	nfs4_bd_access(v, want, nfs4_access_done);
}

/* blockd's ACCESS of the current handle for the squashed credential. */
void
nfs4_bd_access(struct nfs4_call *v, uint32_t want, bdc_done_fn *done)
{
	bd_access_req req;

	memset(&req, 0, sizeof(req));
	req.cred = v->nfs.bcred;
	nfs4_bd_fh(&req.fh, &v->w->cur);
	req.want = want;
	bdc_call(v->nfs.env->bdc, BD_ACCESS, (xdrproc_t)xdr_bd_access_req,
	    &req, (xdrproc_t)xdr_bd_access_reply, sizeof(bd_access_reply),
	    done, v);
}

/* RFC 7530 16.25: READLINK */
static void
nfs4_readlink_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_readlink_reply *rep = reply;

	(void)fd;
	if (status != 0) {
		nfs4_fail_errno(v, status);
		return;
	}
	/* The reply is freed after this callback: copy the target. */
	xdrbuf_put_fixed(&v->scratch, rep->target.target_val,
	    rep->target.target_len);
	v->res.u.link.p = v->scratch.buf;
	v->res.u.link.len = rep->target.target_len;
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_op_readlink(struct nfs4_call *v)
{
	bd_fh_req req;

	if (v->w->cur.pseudo) {
		nfs4_fail(v, NFS4ERR_INVAL);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.cred = v->nfs.bcred;
	nfs4_bd_fh(&req.fh, &v->w->cur);
	bdc_call(v->nfs.env->bdc, BD_READLINK, (xdrproc_t)xdr_bd_fh_req, &req,
	    (xdrproc_t)xdr_bd_readlink_reply, sizeof(bd_readlink_reply),
	    nfs4_readlink_done, v);
}

/*
 * RFC 7530 16.24: READDIR of a share's directory.  Cookies are blockd's
 * (from 3: 1 and 2 are never given out); the verifier is blockd's.
 * Each entry carries the attributes asked for; entries stop where the
 * reply would pass maxcount, or dircount (the names and cookies).
 * Listings come from the directory cache (dircache.c, NFSv3's) with the
 * entries' attributes from the handle cache while all are current, as
 * NFSv3's READDIRPLUS does; else from blockd, whose batches fill both.
 */
enum nfs4_readdir_put {
	NFS4_READDIR_PUT,		/* the entry is in the reply */
	NFS4_READDIR_FULL,		/* it does not fit: the reply ends */
	NFS4_READDIR_ERROR		/* *st says why */
};

/* One entry, i-th of this reply, into v->scratch. */
static enum nfs4_readdir_put
nfs4_readdir_put(struct nfs4_call *v, size_t i, size_t *total,
    size_t *dirbytes, uint64_t cookie, const char *nm, size_t namelen,
    const uint8_t *fh, size_t fhlen, const bd_attr *attr, uint32_t type,
    uint32_t *st)
{
	struct nfs4_readdir_args *a = &v->op.u.readdir;
	struct nfs4_attr_src s;
	struct nfs4_opaque name, fattr;
	struct xdrbuf_out fa;

	nfs4_attr_from_bd(v, attr, fh, (uint32_t)fhlen, 0, &s);
	if (attr->type == 0)
		s.type = nfs4_type(type);
	xdrbuf_out_init(&fa);
	if ((*st = nfs4_fattr_encode(&fa, &a->request, &s,
	    v->nfs.env->idmap)) != NFS4_OK) {
		xdrbuf_out_free(&fa);
		return NFS4_READDIR_ERROR;
	}
	name.p = (const uint8_t *)nm;
	name.len = (uint32_t)namelen;
	fattr.p = fa.buf;
	fattr.len = (uint32_t)fa.len;
	*total += nfs4_readdir_entry_size(name.len, fattr.len);
	*dirbytes += 8 + 4 + ((name.len + 3) & ~3u);
	/* status, verifier, the end's two words */
	if (*total + 4 + 8 + 8 > a->maxcount ||
	    (a->dircount > 0 && *dirbytes > a->dircount && i > 0)) {
		xdrbuf_out_free(&fa);
		return NFS4_READDIR_FULL;
	}
	nfs4_encode_readdir_entry(&v->scratch, cookie, &name, &fattr);
	xdrbuf_out_free(&fa);
	return NFS4_READDIR_PUT;
}

/* sent of avail entries went out: TOOSMALL if none fitted, else done. */
static void
nfs4_readdir_end(struct nfs4_call *v, size_t sent, size_t avail,
    const uint8_t verf[NFS4_VERIFIER_SIZE], int eof)
{
	if (sent == 0 && avail > 0) {
		nfs4_fail(v, NFS4ERR_TOOSMALL);
		return;
	}
	memcpy(v->res.u.readdir.verf, verf, NFS4_VERIFIER_SIZE);
	v->res.u.readdir.entries.p = v->scratch.buf;
	v->res.u.readdir.entries.len = (uint32_t)v->scratch.len;
	v->res.u.readdir.eof = eof;
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_readdir_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	struct nfs4_readdir_args *a = &v->op.u.readdir;
	struct nfsd_env *env = v->nfs.env;
	bd_readdir_reply *rep = reply;
	size_t total = 0, dirbytes = 0, i;
	uint32_t st;
	int eof;

	(void)fd;
	if (status != 0) {
		nfs4_fail_errno(v, status);
		return;
	}
	/* What blockd said fills the caches, whatever the client gets. */
	dircache_add(env->dircache, rep->dir.ino, a->cookie, rep);
	nfs4_cache_bd_attr(v, v->w->cur.data, v->w->cur.len, &rep->dir);
	for (i = 0; i < rep->entries.entries_len; i++)
		nfs4_cache_bd_attr(v,
		    (const uint8_t *)rep->entries.entries_val[i].fh.bd_fh_val,
		    rep->entries.entries_val[i].fh.bd_fh_len,
		    &rep->entries.entries_val[i].attr);
	if (a->cookie != 0 && memcmp(a->verf, rep->verf,
	    NFS4_VERIFIER_SIZE) != 0) {
		nfs4_fail(v, NFS4ERR_NOT_SAME);
		return;
	}
	eof = rep->eof;
	for (i = 0; i < rep->entries.entries_len; i++) {
		bd_dirent *d = &rep->entries.entries_val[i];
		enum nfs4_readdir_put put;

		put = nfs4_readdir_put(v, i, &total, &dirbytes, d->cookie,
		    d->name.bd_name_val, d->name.bd_name_len,
		    (const uint8_t *)d->fh.bd_fh_val, d->fh.bd_fh_len,
		    &d->attr, d->type, &st);
		if (put == NFS4_READDIR_ERROR) {
			nfs4_fail(v, st);
			return;
		}
		if (put == NFS4_READDIR_FULL) {
			eof = 0;
			break;
		}
	}
	nfs4_readdir_end(v, i, rep->entries.entries_len, (const uint8_t *)rep->verf, eof);
}

/*
 * From the directory cache: the whole listing is there, the directory's
 * attributes are current (no ACL: blockd decides those), the caller may
 * read it, the verifier is the listing's, and every entry sent has
 * current attributes.  0: ask blockd.
 */
static int
nfs4_readdir_cached(struct nfs4_call *v)
{
	struct nfs4_readdir_args *a = &v->op.u.readdir;
	struct nfsd_env *env = v->nfs.env;
	const struct nfs_attr *dir, *ea;
	const struct dirlist *l;
	const struct dirent_c *e;
	size_t total = 0, dirbytes = 0, i, first;
	struct perm_who w;
	struct perm_obj o;
	uint32_t st;
	bd_attr b;

	if ((dir = nfs4_cached_attr(v, v->w->cur.data, v->w->cur.len)) ==
	    NULL || dir->type != STORE_TYPE_DIR ||
	    (dir->flags & STORE_ATTR_ACL) ||
	    (l = dircache_get(env->dircache, dir->ino)) == NULL)
		return 0;
	nfs4_perm_who(v, &w);
	nfs4_perm_obj(dir, &o);
	if (perm_check(&w, &o, PERM_READ) != 0 || (a->cookie != 0 &&
	    memcmp(a->verf, l->verf, NFS4_VERIFIER_SIZE) != 0))
		return 0;
	first = dircache_list_after(l, a->cookie);
	for (i = first; i < l->n; i++) {
		e = l->ents[i];
		if ((ea = nfs4_cached_attr(v, e->fh, e->fhlen)) == NULL) {
			xdrbuf_out_free(&v->scratch);
			xdrbuf_out_init(&v->scratch);
			return 0;
		}
		nfs4_bd_attr_of(&b, ea);
		switch (nfs4_readdir_put(v, i - first, &total, &dirbytes,
		    e->cookie, e->name, e->namelen, e->fh, e->fhlen, &b,
		    b.type, &st)) {
		case NFS4_READDIR_PUT:
			continue;
		case NFS4_READDIR_FULL:
			break;
		case NFS4_READDIR_ERROR:
			nfs4_fail(v, st);
			return 1;
		}
		break;
	}
	nfs4_readdir_end(v, i - first, l->n - first, l->verf, i == l->n);
	return 1;
}

/*
 * How many entries blockd should send: what fits maxcount, judged by
 * the directory's own attributes as asked (else a Linux client's usual
 * set, about 140 bytes) and a short name.
 */
static uint32_t
nfs4_readdir_want(struct nfs4_call *v)
{
	struct nfs4_readdir_args *a = &v->op.u.readdir;
	const struct nfs_attr *dir;
	struct nfs4_attr_src s;
	struct xdrbuf_out fa;
	size_t per = 140, n;
	bd_attr b;

	if ((dir = nfs4_cached_attr(v, v->w->cur.data, v->w->cur.len)) !=
	    NULL) {
		nfs4_bd_attr_of(&b, dir);
		nfs4_attr_from_bd(v, &b, v->w->cur.data, v->w->cur.len, 0, &s);
		xdrbuf_out_init(&fa);
		if (nfs4_fattr_encode(&fa, &a->request, &s,
		    v->nfs.env->idmap) == NFS4_OK)
			per = fa.len;
		xdrbuf_out_free(&fa);
	}
	per = nfs4_readdir_entry_size(12, per);
	n = a->maxcount / per + 1;
	if (a->dircount > 0 && a->dircount / 24 + 1 < n)
		n = a->dircount / 24 + 1;
	return n > BD_READDIR_MAX ? BD_READDIR_MAX : (uint32_t)n;
}

static void
nfs4_op_readdir(struct nfs4_call *v)
{
	struct nfs4_readdir_args *a = &v->op.u.readdir;
	bd_readdir_req req;
	uint32_t status;

	if (a->cookie == 1 || a->cookie == 2) {
		nfs4_fail(v, NFS4ERR_BAD_COOKIE);
		return;
	}
	if (a->maxcount > NFS4_MAXIO)
		a->maxcount = NFS4_MAXIO;
	if (v->w->cur.pseudo) {
		if ((status = nfs4_pseudo_readdir(v)) != NFS4_OK)
			nfs4_fail(v, status);
		else
			nfs4_op_done(v, NFS4_OK);
		return;
	}
	rpcsvc_reserve(v->nfs.rpc, a->maxcount);
	if (nfs4_readdir_cached(v))
		return;
	memset(&req, 0, sizeof(req));
	req.cred = v->nfs.bcred;
	nfs4_bd_fh(&req.dir, &v->w->cur);
	req.cookie = a->cookie;
	req.plus = 1;
	req.maxents = nfs4_readdir_want(v);
	bdc_call(v->nfs.env->bdc, BD_READDIR, (xdrproc_t)xdr_bd_readdir_req,
	    &req, (xdrproc_t)xdr_bd_readdir_reply, sizeof(bd_readdir_reply),
	    nfs4_readdir_done, v);
}

/* change_info4 from a directory's wcc (the store's change attribute). */
static void
nfs4_cinfo(struct nfs4_change_info *c, const bd_wcc *w)
{
	c->atomic = w->valid;
	c->before = w->valid ? w->before.change : 0;
	c->after = w->valid ? w->after.change : 0;
}

/* nfs4_sattr (attr.c's) as blockd's. */
void
nfs4_sattr_bd(const struct nfs4_sattr *s, bd_sattr *b)
{
	memset(b, 0, sizeof(*b));
	if (nfs4_bitmap_isset(&s->mask, FATTR4_SIZE)) {
		b->mask |= STORE_SATTR_SIZE;
		b->size = s->size;
	}
	if (nfs4_bitmap_isset(&s->mask, FATTR4_MODE)) {
		b->mask |= STORE_SATTR_MODE;
		b->mode = s->mode & 07777;
	}
	if (nfs4_bitmap_isset(&s->mask, FATTR4_OWNER)) {
		b->mask |= STORE_SATTR_UID;
		b->uid = s->uid;
	}
	if (nfs4_bitmap_isset(&s->mask, FATTR4_OWNER_GROUP)) {
		b->mask |= STORE_SATTR_GID;
		b->gid = s->gid;
	}
	if (nfs4_bitmap_isset(&s->mask, FATTR4_TIME_ACCESS_SET)) {
		if (s->atime_server)
			b->mask |= STORE_SATTR_ATIME_NOW;
		else {
			b->mask |= STORE_SATTR_ATIME;
			b->atime.sec = s->atime.sec;
			b->atime.nsec = s->atime.nsec;
		}
	}
	if (nfs4_bitmap_isset(&s->mask, FATTR4_TIME_MODIFY_SET)) {
		if (s->mtime_server)
			b->mask |= STORE_SATTR_MTIME_NOW;
		else {
			b->mask |= STORE_SATTR_MTIME;
			b->mtime.sec = s->mtime.sec;
			b->mtime.nsec = s->mtime.nsec;
		}
	}
}

/*
 * The settable attributes of a fattr4.  An ACL goes to blockd's
 * ACL_SET: SETATTR's first, CREATE's (but a symlink's, whose access
 * is no one's) and OPEN's once the object is made (nfs4_acl_apply).
 */
static uint32_t
nfs4_decode_sattr(struct nfs4_call *v, const struct nfs4_fattr_raw *raw)
{
	uint32_t status;

	memset(&v->w->sattr, 0, sizeof(v->w->sattr));
	status = nfs4_fattr_decode_sattr(raw, v->nfs.env->idmap, &v->w->sattr);
	if (status == NFS4_OK && v->op.opnum == OP_CREATE &&
	    v->op.u.create.type == NF4LNK &&
	    nfs4_bitmap_isset(&v->w->sattr.mask, FATTR4_ACL))
		status = NFS4ERR_ATTRNOTSUPP;
	return status;
}

/* The created object's ACL set: then fn, or the op fails. */
static void
nfs4_acl_apply_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;

	(void)reply;
	(void)fd;
	if (status != 0) {
		log_info_rl("%s: NFSv4 %s: the new object's ACL was not set "
		    "(%s)", v->nfs.rpc->peer_name, nfs4_op_name(v->op.opnum),
		    strerror(-status));
		nfs4_fail_errno(v, status);
		return;
	}
	fhcache_drop(v->nfs.env->fhcache, v->w->cur.data, v->w->cur.len);
	v->checked(v);
}

void
nfs4_acl_apply(struct nfs4_call *v, void (*fn)(struct nfs4_call *))
{
	uint8_t buf[ACL_ENCODED_MAX];
	bd_acl_req req;
	size_t len;

	if (!nfs4_bitmap_isset(&v->w->sattr.mask, FATTR4_ACL)) {
		fn(v);
		return;
	}
	if (acl_encode(&v->w->sattr.acl, buf, sizeof(buf), &len) != 0) {
		nfs4_fail(v, NFS4ERR_INVAL);
		return;
	}
	v->checked = fn;
	memset(&req, 0, sizeof(req));
	req.cred = v->nfs.bcred;
	nfs4_bd_fh(&req.fh, &v->w->cur);
	req.acl.acl_len = (u_int)len;
	req.acl.acl_val = (char *)buf;
	bdc_call(v->nfs.env->bdc, BD_ACL_SET, (xdrproc_t)xdr_bd_acl_req, &req,
	    (xdrproc_t)xdr_bd_acl_reply, sizeof(bd_acl_reply),
	    nfs4_acl_apply_done, v);
}

/* RFC 7530 16.4: CREATE */
static void
nfs4_create_finish(struct nfs4_call *v)
{
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_create_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_entry_reply *rep = reply;

	(void)fd;
	if (status != 0) {
		nfs4_fail_errno(v, status);
		return;
	}
	nfs4_cinfo(&v->res.u.create.cinfo, &rep->dir);
	v->res.u.create.attrset = v->w->sattr.mask;
	v->res.u.create.attrset.beyond = 0;
	if (nfs4_cur_from_entry(v, rep) == -1) {
		nfs4_fail(v, NFS4ERR_SERVERFAULT);
		return;
	}
	nfs4_acl_apply(v, nfs4_create_finish);
}

static void
nfs4_op_create(struct nfs4_call *v)
{
	struct nfs4_create_args *a = &v->op.u.create;
	struct nfsd_env *env = v->nfs.env;
	union {
		bd_mkdir_req mkdir;
		bd_symlink_req symlink;
		bd_mknod_req mknod;
	} req;
	bd_sattr sa;
	uint32_t status;

	if ((status = nfs4_name_check(&a->name)) != NFS4_OK ||
	    (status = nfs4_decode_sattr(v, &a->attrs)) != NFS4_OK) {
		nfs4_fail(v, status);
		return;
	}
	nfs4_sattr_bd(&v->w->sattr, &sa);
	memset(&req, 0, sizeof(req));
	switch (a->type) {
	case NF4DIR:
		req.mkdir.cred = v->nfs.bcred;
		nfs4_bd_fh(&req.mkdir.dir, &v->w->cur);
		nfs4_bd_name(&req.mkdir.name, &a->name);
		/* No mode: blockd's 0755, an inherited ACL as inherited. */
		req.mkdir.sattr = sa;
		bdc_call(env->bdc, BD_MKDIR, (xdrproc_t)xdr_bd_mkdir_req,
		    &req.mkdir, (xdrproc_t)xdr_bd_entry_reply,
		    sizeof(bd_entry_reply), nfs4_create_done, v);
		return;
	case NF4LNK:
		if (a->linkdata.len > NFS4_LINK_MAX) {
			nfs4_fail(v, NFS4ERR_NAMETOOLONG);
			return;
		}
		req.symlink.cred = v->nfs.bcred;
		nfs4_bd_fh(&req.symlink.dir, &v->w->cur);
		nfs4_bd_name(&req.symlink.name, &a->name);
		req.symlink.target.target_len = a->linkdata.len;
		req.symlink.target.target_val = (char *)(uintptr_t)
		    a->linkdata.p;
		req.symlink.sattr = sa;
		req.symlink.sattr.mask &= ~(u_int)STORE_SATTR_MODE;
		bdc_call(env->bdc, BD_SYMLINK, (xdrproc_t)xdr_bd_symlink_req,
		    &req.symlink, (xdrproc_t)xdr_bd_entry_reply,
		    sizeof(bd_entry_reply), nfs4_create_done, v);
		return;
	case NF4BLK:
	case NF4CHR:
	case NF4FIFO:
	case NF4SOCK:
		req.mknod.type = a->type == NF4BLK ? STORE_TYPE_BLK :
		    a->type == NF4CHR ? STORE_TYPE_CHR :
		    a->type == NF4FIFO ? STORE_TYPE_FIFO : STORE_TYPE_SOCK;
		req.mknod.cred = v->nfs.bcred;
		nfs4_bd_fh(&req.mknod.dir, &v->w->cur);
		nfs4_bd_name(&req.mknod.name, &a->name);
		req.mknod.rdev = makedev(a->specdata1, a->specdata2);
		req.mknod.sattr = sa;
		if (!(sa.mask & STORE_SATTR_MODE)) {
			req.mknod.sattr.mask |= STORE_SATTR_MODE;
			req.mknod.sattr.mode = 0644;
		}
		bdc_call(env->bdc, BD_MKNOD, (xdrproc_t)xdr_bd_mknod_req,
		    &req.mknod, (xdrproc_t)xdr_bd_entry_reply,
		    sizeof(bd_entry_reply), nfs4_create_done, v);
		return;
	default:
		/* A regular file is OPEN's to create. */
		nfs4_fail(v, NFS4ERR_BADTYPE);
		return;
	}
}

/* RFC 7530 16.26: REMOVE (a directory: blockd's RMDIR). */
static void	nfs4_remove_send(struct nfs4_call *, uint32_t type);

static void
nfs4_remove_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_wcc_reply *rep = reply;

	(void)fd;
	if (status == -EISDIR && v->step == 0) {
		v->step = 1;
		nfs4_remove_send(v, BD_RMDIR);
		return;
	}
	if (status != 0) {
		nfs4_fail_errno(v, status);
		return;
	}
	nfs4_cinfo(&v->res.u.cinfo, &rep->obj);
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_remove_send(struct nfs4_call *v, uint32_t type)
{
	bd_dirop_req req;

	memset(&req, 0, sizeof(req));
	req.cred = v->nfs.bcred;
	nfs4_bd_fh(&req.dir, &v->w->cur);
	nfs4_bd_name(&req.name, &v->op.u.name.name);
	bdc_call(v->nfs.env->bdc, type, (xdrproc_t)xdr_bd_dirop_req, &req,
	    (xdrproc_t)xdr_bd_wcc_reply, sizeof(bd_wcc_reply),
	    nfs4_remove_done, v);
}

static void
nfs4_remove_file(struct nfs4_call *v)
{
	nfs4_remove_send(v, BD_REMOVE);
}

static void
nfs4_op_remove(struct nfs4_call *v)
{
	uint32_t status;

	if ((status = nfs4_name_check(&v->op.u.name.name)) != NFS4_OK) {
		nfs4_fail(v, status);
		return;
	}
	/* Delegations of the file are recalled first (state.c). */
	nfs4_deleg_name_check(v, &v->w->cur, &v->op.u.name.name,
	    nfs4_remove_file);
}

/* RFC 7530 16.26: RENAME (saved: the source directory). */
static void
nfs4_rename_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_rename_reply *rep = reply;

	(void)fd;
	if (status != 0) {
		nfs4_fail_errno(v, status);
		return;
	}
	nfs4_cinfo(&v->res.u.rename.source, &rep->fromdir);
	nfs4_cinfo(&v->res.u.rename.target, &rep->todir);
	nfs4_op_done(v, NFS4_OK);
}

/* An op on the saved and the current handle: both of one share. */
static uint32_t
nfs4_two_handles(struct nfs4_call *v)
{
	if (!v->w->saved.set)
		return NFS4ERR_NOFILEHANDLE;
	if (v->w->saved.pseudo || v->w->cur.pseudo)
		return NFS4ERR_ROFS;
	if (v->w->saved.exp != v->w->cur.exp)
		return NFS4ERR_XDEV;
	return NFS4_OK;
}

static void
nfs4_rename_send(struct nfs4_call *v)
{
	struct nfs4_rename_args *a = &v->op.u.rename;
	bd_rename_req req;

	memset(&req, 0, sizeof(req));
	req.cred = v->nfs.bcred;
	nfs4_bd_fh(&req.fromdir, &v->w->saved);
	nfs4_bd_name(&req.from, &a->oldname);
	nfs4_bd_fh(&req.todir, &v->w->cur);
	nfs4_bd_name(&req.to, &a->newname);
	bdc_call(v->nfs.env->bdc, BD_RENAME, (xdrproc_t)xdr_bd_rename_req, &req,
	    (xdrproc_t)xdr_bd_rename_reply, sizeof(bd_rename_reply),
	    nfs4_rename_done, v);
}

static void
nfs4_op_rename(struct nfs4_call *v)
{
	struct nfs4_rename_args *a = &v->op.u.rename;
	uint32_t status;

	if ((status = nfs4_two_handles(v)) != NFS4_OK ||
	    (status = nfs4_name_check(&a->oldname)) != NFS4_OK ||
	    (status = nfs4_name_check(&a->newname)) != NFS4_OK) {
		nfs4_fail(v, status);
		return;
	}
	/* Delegations of the files renamed and replaced go first (state.c). */
	nfs4_deleg_rename_check(v, nfs4_rename_send);
}

/* RFC 7530 16.9: LINK (saved: the file; current: the directory). */
static void
nfs4_link_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_link_reply *rep = reply;

	(void)fd;
	if (status != 0) {
		nfs4_fail_errno(v, status);
		return;
	}
	nfs4_cinfo(&v->res.u.cinfo, &rep->dir);
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_op_link(struct nfs4_call *v)
{
	bd_link_req req;
	uint32_t status;

	if ((status = nfs4_two_handles(v)) != NFS4_OK ||
	    (status = nfs4_name_check(&v->op.u.name.name)) != NFS4_OK) {
		nfs4_fail(v, status);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.cred = v->nfs.bcred;
	nfs4_bd_fh(&req.fh, &v->w->saved);
	nfs4_bd_fh(&req.dir, &v->w->cur);
	nfs4_bd_name(&req.name, &v->op.u.name.name);
	bdc_call(v->nfs.env->bdc, BD_LINK, (xdrproc_t)xdr_bd_link_req, &req,
	    (xdrproc_t)xdr_bd_link_reply, sizeof(bd_link_reply),
	    nfs4_link_done, v);
}

/* RFC 7530 16.32: SETATTR (a size change checks its stateid first). */
static void	nfs4_setattr_send(struct nfs4_call *);

static void
nfs4_setattr_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_wcc_reply *rep = reply;

	(void)fd;
	(void)rep;
	if (status != 0) {
		nfs4_fail_errno(v, status);
		return;
	}
	fhcache_invalidate(v->nfs.env->fhcache, v->w->cur.data, v->w->cur.len);
	v->res.u.attrsset = v->w->sattr.mask;
	v->res.u.attrsset.beyond = 0;
	nfs4_op_done(v, NFS4_OK);
}

/* The ACL first, then the rest (if any) through SETATTR. */
static void
nfs4_setattr_acl_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_sattr sa;

	(void)reply;
	if (status != 0) {
		nfs4_fail_errno(v, status);
		return;
	}
	fhcache_drop(v->nfs.env->fhcache, v->w->cur.data, v->w->cur.len);
	nfs4_sattr_bd(&v->w->sattr, &sa);
	if (sa.mask == 0) {
		nfs4_setattr_done(v, 0, NULL, fd);
		return;
	}
	v->step = 1;
	nfs4_setattr_send(v);
}

static void
nfs4_setattr_send(struct nfs4_call *v)
{
	bd_setattr_req req;
	bd_acl_req areq;
	uint8_t buf[ACL_ENCODED_MAX];
	size_t len;

	if (v->step == 0 && nfs4_bitmap_isset(&v->w->sattr.mask,
	    FATTR4_ACL)) {
		if (acl_encode(&v->w->sattr.acl, buf, sizeof(buf), &len) != 0) {
			nfs4_fail(v, NFS4ERR_INVAL);
			return;
		}
		memset(&areq, 0, sizeof(areq));
		areq.cred = v->nfs.bcred;
		nfs4_bd_fh(&areq.fh, &v->w->cur);
		areq.acl.acl_len = (u_int)len;
		areq.acl.acl_val = (char *)buf;
		bdc_call(v->nfs.env->bdc, BD_ACL_SET, (xdrproc_t)xdr_bd_acl_req,
		    &areq, (xdrproc_t)xdr_bd_acl_reply, sizeof(bd_acl_reply),
		    nfs4_setattr_acl_done, v);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.cred = v->nfs.bcred;
	nfs4_bd_fh(&req.fh, &v->w->cur);
	nfs4_sattr_bd(&v->w->sattr, &req.sattr);
	bdc_call(v->nfs.env->bdc, BD_SETATTR, (xdrproc_t)xdr_bd_setattr_req,
	    &req, (xdrproc_t)xdr_bd_wcc_reply, sizeof(bd_wcc_reply),
	    nfs4_setattr_done, v);
}

static void
nfs4_op_setattr(struct nfs4_call *v)
{
	uint32_t status;

	if ((status = nfs4_decode_sattr(v, &v->op.u.setattr.attrs)) !=
	    NFS4_OK) {
		nfs4_fail(v, status);
		return;
	}
	if (nfs4_bitmap_isset(&v->w->sattr.mask, FATTR4_SIZE)) {
		nfs4_stateid_check(v, &v->op.u.setattr.stateid,
		    ST_V4_IO_SETATTR, nfs4_setattr_send);
		return;
	}
	/* RFC 7530 10.4: any attribute another client sets recalls. */
	nfs4_deleg_setattr_gate(v, &v->op.u.setattr.stateid,
	    nfs4_setattr_send);
}

/*
 * READ, WRITE, COMMIT on the backing fd (fhcache.c), as NFSv3 does: a
 * held fd whose mode bits let the credential in, else BD_OPEN_IO.
 */
static void	nfs4_io_run(struct nfs4_call *);

static unsigned int
nfs4_io_want(const struct nfs4_call *v)
{
	return v->op.opnum == OP_READ ? STORE_IO_READ : STORE_IO_WRITE;
}

/* What BD_OPEN_IO is asked for: as NFSv3, one fd serves a write and reads. */
static unsigned int
nfs4_io_open_flags(const struct nfs4_call *v)
{
	unsigned int want = nfs4_io_want(v);

	return nfs_io_flags(want) | (want == STORE_IO_WRITE ? STORE_IO_READ : 0);
}

/* At step 0 the fast path's checks; after BD_OPEN_IO, blockd's answer. */
static struct fhnode *
nfs4_io_node(struct nfs4_call *v)
{
	unsigned int want = nfs4_io_want(v);
	struct fhnode *n;

	n = fhcache_get(v->nfs.env->fhcache, v->w->cur.data, v->w->cur.len);
	if (v->step == 0)
		return nfs_io_usable(n, &v->nfs.bcred, want) ? n : NULL;
	if (n == NULL || n->io == NULL || (n->io_flags & want) != want)
		return NULL;
	return n;
}

static void
nfs4_open_io_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_attr_reply *rep = reply;
	struct nfs_attr a;
	struct fhnode *n;

	if (status != 0) {
		nfs4_fail_errno(v, status);
		return;
	}
	if (fd == -1) {
		nfs4_fail(v, NFS4ERR_SERVERFAULT);
		return;
	}
	nfs_attr_from_bd(&a, &rep->attr);
	if ((n = fhcache_put(v->nfs.env->fhcache, v->w->cur.data, v->w->cur.len,
	    &a)) == NULL) {
		close(fd);
		nfs4_fail(v, NFS4ERR_DELAY);
		return;
	}
	fhcache_set_io(v->nfs.env->fhcache, n, fd, nfs4_io_open_flags(v));
	v->step = 3;
	nfs4_io_run(v);
}

/* The op (READ, WRITE, COMMIT) with its node's fd, or BD_OPEN_IO first. */
static void
nfs4_io(struct nfs4_call *v)
{
	bd_open_io_req req;

	if (v->w->cur.pseudo) {
		nfs4_fail(v, NFS4ERR_ISDIR);
		return;
	}
	if (nfs4_io_node(v) != NULL) {
		nfs4_io_run(v);
		return;
	}
	if (v->step == 3) {
		nfs4_fail(v, NFS4ERR_DELAY);	/* opened and gone again */
		return;
	}
	memset(&req, 0, sizeof(req));
	req.cred = v->nfs.bcred;
	nfs4_bd_fh(&req.fh, &v->w->cur);
	v->step = nfs4_io_want(v) == STORE_IO_READ ? 1 : 2;
	req.flags = nfs4_io_open_flags(v);
	bdc_call(v->nfs.env->bdc, BD_OPEN_IO, (xdrproc_t)xdr_bd_open_io_req,
	    &req, (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
	    nfs4_open_io_done, v);
}

/*
 * RFC 7530 16.23: READ.  As the COMPOUND's last op (PUTFH, READ: what
 * the Linux client sends) with [nfsd] read path = sendfile, as NFSv3's
 * READ: the result is encoded with an empty data and that length set
 * to count (nfs4_op_done), and rpcsvc's file-data reply sends count
 * bytes of the fd and their padding after it (read into the reply when
 * the flavour wraps it).  1: answered so.
 */
static int
nfs4_read_by_file(struct nfs4_call *v, struct fhnode *n, uint32_t count)
{
	static const uint8_t none[1];
	struct nfs4_read_args *a = &v->op.u.read;

	if (v->nfs.env->read_path != NFSD_READ_SENDFILE || count == 0 ||
	    nfs4_compound_more(&v->c) || (v->w->v41.seq &&
	    v->w->v41.cachethis))
		return 0;
	v->w->read_io = rpcsvc_fd_ref(n->io);
	v->w->read_off = a->offset;
	v->w->read_len = count;
	v->nfs.env->v4_read_file++;
	v->res.u.read.data.p = none;
	v->res.u.read.data.len = 0;
	v->res.u.read.eof = a->offset + count >= n->attr.size;
	nfs4_op_done(v, NFS4_OK);
	return 1;
}

static void
nfs4_read_fd(struct nfs4_call *v, struct fhnode *n)
{
	struct nfs4_read_args *a = &v->op.u.read;
	uint32_t count = a->count > NFS4_MAXIO ? NFS4_MAXIO : a->count;
	struct xdrbuf_out *o = v->co.o;
	uint8_t *data;
	size_t done = 0, start, hdr;
	ssize_t got;
	int err;

	if ((err = nfs_attr_refresh(&n->attr, n->io->fd)) != 0) {
		nfs4_fail(v, nfs4_status_from_errno(err));
		return;
	}
	if (a->offset >= n->attr.size)
		count = 0;
	else if (count > n->attr.size - a->offset)
		count = (uint32_t)(n->attr.size - a->offset);
	/* A v4.1 session's reply sizes: not read when it would not fit. */
	if ((err = (int)nfs41_reply_fits(v, 16 + (((size_t)count + 3) &
	    ~(size_t)3))) != NFS4_OK) {
		nfs4_fail(v, (uint32_t)err);
		return;
	}
	if (nfs4_read_by_file(v, n, count))
		return;
	/*
	 * The data straight into the reply after READ4resok's head, as
	 * NFSv3's READ: no buffer of its own to fill, copy and free.
	 */
	start = o->len;
	xdrbuf_put_u32(o, OP_READ);
	xdrbuf_put_u32(o, NFS4_OK);
	xdrbuf_put_u32(o, 0);			/* eof */
	xdrbuf_put_u32(o, 0);			/* data length */
	hdr = o->len;
	if ((data = xdrbuf_reserve(o, ((size_t)count + 3) & ~(size_t)3)) ==
	    NULL) {
		o->len = start;
		nfs4_fail(v, NFS4ERR_RESOURCE);
		return;
	}
	while (done < count) {
		got = pread(n->io->fd, data + done, count - done,
		    (off_t)(a->offset + done));
		if (got == -1) {
			if (errno == EINTR)
				continue;
			err = errno;
			log_warn("%s: NFSv4 READ: pread", v->nfs.rpc->peer_name);
			o->len = start;
			nfs4_fail(v, nfs4_status_from_errno(err));
			return;
		}
		if (got == 0)
			break;
		done += (size_t)got;
	}
	memset(data + done, 0, ((done + 3) & ~(size_t)3) - done);
	o->len = hdr + ((done + 3) & ~(size_t)3);
	xdrbuf_put_u32_at(o, hdr - 8,
	    a->offset + done >= n->attr.size ? 1 : 0);
	xdrbuf_put_u32_at(o, hdr - 4, (uint32_t)done);
	v->co.count++;
	v->res.opnum = OP_READ;
	v->res.status = NFS4_OK;
	nfs4_op_next(v, NFS4_OK);
}

/*
 * A stable WRITE's or a COMMIT's sync is done (off the loop, as NFSv3's):
 * the result was set before it started.
 */
static void
nfs4_synced(void *arg, int err)
{
	struct nfs4_call *v = arg;

	if (err != 0) {
		nfsd_sync_failed(v->nfs.env, v->w->cur.data, v->w->cur.len,
		    v->nfs.rpc->peer_name, v->op.opnum == OP_WRITE ?
		    "NFSv4 WRITE" : "NFSv4 COMMIT", err);
		nfs4_fail(v, nfs4_status_from_errno(err));
		return;
	}
	nfs4_op_done(v, NFS4_OK);
}

/* RFC 7530 16.36: WRITE (stable: synced before the reply, as NFSv3). */
static void
nfs4_write_fd(struct nfs4_call *v, struct fhnode *n)
{
	struct nfs4_write_args *a = &v->op.u.write;
	size_t done = 0;
	ssize_t put;
	int err = 0;

	if (a->offset > (uint64_t)INT64_MAX - a->data.len) {
		nfs4_fail(v, NFS4ERR_FBIG);
		return;
	}
	while (done < a->data.len) {
		put = pwrite(n->io->fd, a->data.p + done, a->data.len - done,
		    (off_t)(a->offset + done));
		if (put == -1) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		done += (size_t)put;
	}
	if (err != 0) {
		log_debug("%s: NFSv4 WRITE: %s", v->nfs.rpc->peer_name,
		    strerror(err));
		nfs4_fail(v, nfs4_status_from_errno(err));
		return;
	}
	(void)nfs_attr_refresh(&n->attr, n->io->fd);
	v->res.u.write.count = (uint32_t)done;
	v->res.u.write.committed = a->stable == UNSTABLE4 ? UNSTABLE4 :
	    a->stable;
	memcpy(v->res.u.write.verf, v->nfs.env->write_verf,
	    NFS4_VERIFIER_SIZE);
	if (a->stable == UNSTABLE4) {
		n->unsynced = 1;
		nfs4_op_done(v, NFS4_OK);
		return;
	}
	nfsd_sync(v->nfs.env, n, a->stable == FILE_SYNC4, nfs4_synced, v);
}

/* RFC 7530 16.3: COMMIT (nothing written since the last sync: stable). */
static void
nfs4_commit_fd(struct nfs4_call *v, struct fhnode *n)
{
	memcpy(v->res.u.verf, v->nfs.env->write_verf, NFS4_VERIFIER_SIZE);
	if (!n->unsynced) {
		nfs4_op_done(v, NFS4_OK);
		return;
	}
	nfsd_sync(v->nfs.env, n, 0, nfs4_synced, v);
}

static void
nfs4_io_run(struct nfs4_call *v)
{
	struct fhnode *n = nfs4_io_node(v);

	if (n == NULL) {
		nfs4_fail(v, NFS4ERR_DELAY);
		return;
	}
	switch (v->op.opnum) {
	case OP_READ:
		nfs4_read_fd(v, n);
		break;
	case OP_WRITE:
		nfs4_write_fd(v, n);
		break;
	default:
		nfs4_commit_fd(v, n);
		break;
	}
}

static void
nfs4_op_read(struct nfs4_call *v)
{
	rpcsvc_reserve(v->nfs.rpc, v->op.u.read.count > NFS4_MAXIO ?
	    NFS4_MAXIO : v->op.u.read.count);
	nfs4_stateid_check(v, &v->op.u.read.stateid, ST_V4_IO_READ, nfs4_io);
}

static void
nfs4_op_write(struct nfs4_call *v)
{
	nfs4_stateid_check(v, &v->op.u.write.stateid, ST_V4_IO_WRITE,
	    nfs4_io);
}

static void
nfs4_op_commit(struct nfs4_call *v)
{
	nfs4_io(v);
}

/*
 * RFC 7530 16.31: SECINFO (consumes the current filehandle).  The
 * share's "security" in its order, AUTH_NONE after AUTH_SYS; encoded at
 * once (nfs4_op_done), so one table serves every call.
 */
#define NFS4_KRB5_OID	{ (const uint8_t *)"\x06\x09\x2a\x86\x48\x86" \
			    "\xf7\x12\x01\x02\x02", 11 }
static const struct nfs4_secinfo nfs4_secinfo_krb5[] = {
	{ NFS4_RPCSEC_GSS, NFS4_KRB5_OID, 0, RPCSEC_GSS_SVC_NONE },
	{ NFS4_RPCSEC_GSS, NFS4_KRB5_OID, 0, RPCSEC_GSS_SVC_INTEGRITY },
	{ NFS4_RPCSEC_GSS, NFS4_KRB5_OID, 0, RPCSEC_GSS_SVC_PRIVACY },
};
static struct nfs4_secinfo nfs4_secinfo_flavors[5];

static void
nfs4_secinfo_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	const struct export *e = !v->w->cur.pseudo && v->w->cur.exp != NULL ?
	    v->w->cur.exp : v->w->next.exp;
	struct nfs4_secinfo *s = nfs4_secinfo_flavors;
	uint32_t n = 0;
	size_t i;

	(void)reply;
	(void)fd;
	if (status != 0) {
		nfs4_fail_errno(v, status);
		return;
	}
	memset(s, 0, sizeof(nfs4_secinfo_flavors));
	for (i = 0; e != NULL && i < e->nsec; i++)
		switch (e->sec_order[i]) {
		case RPCAUTH_SEC_KRB5:
			s[n++] = nfs4_secinfo_krb5[0];
			break;
		case RPCAUTH_SEC_KRB5I:
			s[n++] = nfs4_secinfo_krb5[1];
			break;
		case RPCAUTH_SEC_KRB5P:
			s[n++] = nfs4_secinfo_krb5[2];
			break;
		default:
			s[n++].flavor = NFS4_AUTH_SYS;
			s[n++].flavor = NFS4_AUTH_NONE;
			break;
		}
	if (n == 0) {
		s[n++].flavor = NFS4_AUTH_SYS;
		s[n++].flavor = NFS4_AUTH_NONE;
	}
	v->res.u.secinfo.count = n;
	v->res.u.secinfo.flavors = nfs4_secinfo_flavors;
	v->w->cur.set = 0;
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_op_secinfo(struct nfs4_call *v)
{
	const struct nfs4_opaque *name = &v->op.u.name.name;
	struct export *e;
	uint32_t status;

	if ((status = nfs4_lookup_name_check(name)) != NFS4_OK) {
		nfs4_fail(v, status);
		return;
	}
	if (v->w->cur.pseudo) {
		if ((status = nfs4_pseudo_lookup(v->nfs.env, &v->w->cur, name,
		    &v->w->next)) == NFS4_OK && v->w->next.exp != NULL)
			status = nfs4_pseudo_enter(v, v->w->next.exp);
		if (status != NFS4_OK)
			nfs4_fail(v, status);
		else
			nfs4_secinfo_done(v, 0, NULL, -1);
		return;
	}
	if ((e = nfs4_junction(v)) != NULL) {
		/* A nested share's name: its rules, as LOOKUP crosses. */
		if ((status = nfs4_pseudo_enter(v, e)) != NFS4_OK)
			nfs4_fail(v, status);
		else
			nfs4_secinfo_done(v, 0, NULL, -1);
		return;
	}
	nfs4_bd_lookup(v, name, nfs4_secinfo_done);
}

/*
 * RFC 8881 18.45: SECINFO_NO_NAME, of the current filehandle or its
 * parent: the flavours are the same everywhere (SECINFO's); the root of
 * the pseudo fs has no parent.  It consumes the current filehandle.
 */
static void
nfs41_op_secinfo_no_name(struct nfs4_call *v)
{
	if (v->op.u.secinfo_no_name.style == SECINFO_STYLE4_PARENT &&
	    v->w->cur.pseudo && strcmp(v->w->cur.path, "/") == 0) {
		nfs4_fail(v, NFS4ERR_NOENT);
		return;
	}
	nfs4_secinfo_done(v, 0, NULL, -1);
}

static void
nfs4_op_notsupp(struct nfs4_call *v)
{
	nfs4_fail(v, NFS4ERR_NOTSUPP);
}

/* RFC 7530 16.8: DELEGRETURN (state.c). */
static void
nfs4_op_delegreturn(struct nfs4_call *v)
{
	nfs4_op_delegreturn_state(v);
}

/*
 * What each op needs before it runs: a current filehandle; to change a
 * share (NFS4ERR_ROFS on a read-only share or the pseudo fs); a
 * directory or not (checked by blockd, or here for the pseudo fs).
 */
struct nfs4_opdef {
	void		(*fn)(struct nfs4_call *);
	int		 need_fh;
	int		 modifies;
};

static const struct nfs4_opdef nfs4_ops[NFS41_OP_LAST + 1] = {
	[OP_ACCESS] = { nfs4_op_access, 1, 0 },
	[OP_CLOSE] = { nfs4_op_close, 1, 0 },
	[OP_COMMIT] = { nfs4_op_commit, 1, 0 },
	[OP_CREATE] = { nfs4_op_create, 1, 1 },
	[OP_DELEGPURGE] = { nfs4_op_notsupp, 0, 0 },
	[OP_DELEGRETURN] = { nfs4_op_delegreturn, 1, 0 },
	[OP_GETATTR] = { nfs4_op_getattr, 1, 0 },
	[OP_GETFH] = { nfs4_op_getfh, 1, 0 },
	[OP_LINK] = { nfs4_op_link, 1, 1 },
	[OP_LOCK] = { nfs4_op_lock, 1, 0 },
	[OP_LOCKT] = { nfs4_op_lockt, 1, 0 },
	[OP_LOCKU] = { nfs4_op_locku, 1, 0 },
	[OP_LOOKUP] = { nfs4_op_lookup, 1, 0 },
	[OP_LOOKUPP] = { nfs4_op_lookupp, 1, 0 },
	[OP_NVERIFY] = { nfs4_op_verify, 1, 0 },
	[OP_OPEN] = { nfs4_op_open_state, 1, 0 },
	[OP_OPENATTR] = { nfs4_op_notsupp, 1, 0 },
	[OP_OPEN_CONFIRM] = { nfs4_op_open_confirm, 1, 0 },
	[OP_OPEN_DOWNGRADE] = { nfs4_op_open_downgrade, 1, 0 },
	[OP_PUTFH] = { nfs4_op_putfh, 0, 0 },
	[OP_PUTPUBFH] = { nfs4_op_putrootfh, 0, 0 },
	[OP_PUTROOTFH] = { nfs4_op_putrootfh, 0, 0 },
	[OP_READ] = { nfs4_op_read, 1, 0 },
	[OP_READDIR] = { nfs4_op_readdir, 1, 0 },
	[OP_READLINK] = { nfs4_op_readlink, 1, 0 },
	[OP_REMOVE] = { nfs4_op_remove, 1, 1 },
	[OP_RENAME] = { nfs4_op_rename, 1, 1 },
	[OP_RENEW] = { nfs4_op_renew, 0, 0 },
	[OP_RESTOREFH] = { nfs4_op_restorefh, 0, 0 },
	[OP_SAVEFH] = { nfs4_op_savefh, 1, 0 },
	[OP_SECINFO] = { nfs4_op_secinfo, 1, 0 },
	[OP_SETATTR] = { nfs4_op_setattr, 1, 1 },
	[OP_SETCLIENTID] = { nfs4_op_setclientid, 0, 0 },
	[OP_SETCLIENTID_CONFIRM] = { nfs4_op_setclientid_confirm, 0, 0 },
	[OP_VERIFY] = { nfs4_op_verify, 1, 0 },
	[OP_WRITE] = { nfs4_op_write, 1, 1 },
	[OP_RELEASE_LOCKOWNER] = { nfs4_op_release_lockowner, 0, 0 },
	/* NFSv4.1 (proc41.c); xdr.c decodes them in 4.1 COMPOUNDs alone. */
	[OP_BACKCHANNEL_CTL] = { nfs41_op_backchannel_ctl, 0, 0 },
	[OP_BIND_CONN_TO_SESSION] = { nfs41_op_bind_conn, 0, 0 },
	[OP_EXCHANGE_ID] = { nfs41_op_exchange_id, 0, 0 },
	[OP_CREATE_SESSION] = { nfs41_op_create_session, 0, 0 },
	[OP_DESTROY_SESSION] = { nfs41_op_destroy_session, 0, 0 },
	/* stateid41.c: they read their own arguments (xdr41.c leaves them). */
	[OP_FREE_STATEID] = { nfs4_op_free_stateid, 0, 0 },
	[OP_GET_DIR_DELEGATION] = { nfs41_op_get_dir_delegation, 1, 0 },
	[OP_GETDEVICEINFO] = { nfs4_op_notsupp, 0, 0 },
	[OP_GETDEVICELIST] = { nfs4_op_notsupp, 0, 0 },
	[OP_LAYOUTCOMMIT] = { nfs4_op_notsupp, 0, 0 },
	[OP_LAYOUTGET] = { nfs4_op_notsupp, 0, 0 },
	[OP_LAYOUTRETURN] = { nfs4_op_notsupp, 0, 0 },
	[OP_SECINFO_NO_NAME] = { nfs41_op_secinfo_no_name, 1, 0 },
	[OP_SEQUENCE] = { nfs41_op_sequence, 0, 0 },
	[OP_SET_SSV] = { nfs4_op_notsupp, 0, 0 },
	[OP_TEST_STATEID] = { nfs4_op_test_stateid, 0, 0 },
	[OP_WANT_DELEGATION] = { nfs41_op_want_delegation, 1, 0 },
	[OP_DESTROY_CLIENTID] = { nfs41_op_destroy_clientid, 0, 0 },
	[OP_RECLAIM_COMPLETE] = { nfs41_op_reclaim_complete, 0, 0 },
};

/*
 * RFC 8881 2.10.6.3, 16.2.3, 18.46.3: where an op may stand in a
 * COMPOUND of minor version 1.  SEQUENCE first; without it only the
 * ops that make or end a session or client, each alone; the ops of
 * NFSv4.0's client model are NOTSUPP (RFC 8881 18.35.3 ... 18.15).
 */
static uint32_t
nfs41_op_place(const struct nfs4_call *v)
{
	uint32_t op = v->op.opnum;
	int first = v->c.next == 1;

	if (op == OP_SEQUENCE)
		return first ? NFS4_OK : NFS4ERR_SEQUENCE_POS;
	switch (op) {
	case OP_EXCHANGE_ID:
	case OP_CREATE_SESSION:
	case OP_DESTROY_SESSION:
	case OP_DESTROY_CLIENTID:
		if (first)
			return v->c.nops == 1 ? NFS4_OK : NFS4ERR_NOT_ONLY_OP;
		return NFS4_OK;
	case OP_BIND_CONN_TO_SESSION:
		return first && v->c.nops == 1 ? NFS4_OK : NFS4ERR_NOT_ONLY_OP;
	}
	if (first)
		return NFS4ERR_OP_NOT_IN_SESSION;
	switch (op) {
	case OP_SETCLIENTID:
	case OP_SETCLIENTID_CONFIRM:
	case OP_RENEW:
	case OP_OPEN_CONFIRM:
	case OP_RELEASE_LOCKOWNER:
		return NFS4ERR_NOTSUPP;
	}
	return NFS4_OK;
}

/* One decoded op: its checks, the credential of its share, then it. */
static void
nfs4_op_start(struct nfs4_call *v)
{
	const struct nfs4_opdef *d = &nfs4_ops[v->op.opnum];

	v->step = 0;
	v->have_attr = 0;
	if (v->c.minorversion >= NFS41_MINOR_VERSION) {
		uint32_t st;

		if ((st = nfs41_op_place(v)) != NFS4_OK ||
		    (st = nfs41_op_prepare(v)) != NFS4_OK) {
			nfs4_fail(v, st);
			return;
		}
	}
	if (d->need_fh && !v->w->cur.set) {
		nfs4_fail(v, NFS4ERR_NOFILEHANDLE);
		return;
	}
	if (d->modifies && v->w->cur.set && (v->w->cur.pseudo ||
	    v->w->cur.exp->read_only)) {
		nfs4_fail(v, NFS4ERR_ROFS);
		return;
	}
	if (v->w->cur.set && v->w->cur.exp != NULL)
		export_squash(v->w->cur.exp, &v->nfs.rpc->auth.msg.cred,
		    &v->nfs.bcred, v->nfs.bgroups);
	else
		export_squash(&(struct export){ .squash = { .root = 1,
		    .anonuid = 65534, .anongid = 65534 } },
		    &v->nfs.rpc->auth.msg.cred, &v->nfs.bcred,
		    v->nfs.bgroups);
	nfs41_dir_changer_begin(v);
	d->fn(v);
}

/* [nfsd] nfsv4 compound ops max and tag max (nfsd.c reads them). */
static uint32_t
nfs4_ops_max(const struct nfsd_env *env)
{
	return env->v4_ops_max;
}

static uint32_t
nfs4_tag_max(const struct nfsd_env *env)
{
	return env->v4_tag_max;
}

/* Run ops until one waits for blockd or stated, fails, or none is left. */
static void
nfs4_run(struct nfs4_call *v)
{
	uint32_t status;

	for (;;) {
		if (!nfs4_compound_more(&v->c)) {
			nfs4_finish(v, NFS4_OK);
			return;
		}
		memset(&v->res, 0, sizeof(v->res));
		v->finished = 0;
		status = nfs4_compound_next(&v->c, &v->op);
		if (status != NFS4_OK) {
			if (status == NFS4ERR_BADXDR)
				log_info_rl("%s: NFSv4 %s: malformed "
				    "arguments", v->nfs.rpc->peer_name,
				    nfs4_op_name(v->op.opnum));
			else if (status == NFS4ERR_RESOURCE ||
			    status == NFS4ERR_TOO_MANY_OPS)
				log_warnx_rl("%s: NFSv4 COMPOUND of %u ops: "
				    "more than %u run, nfsv4 compound ops max "
				    "(%s)", v->nfs.rpc->peer_name,
				    v->c.nops, nfs4_ops_max(v->nfs.env),
				    status == NFS4ERR_RESOURCE ? "RESOURCE" :
				    "TOO_MANY_OPS");
			v->res.opnum = v->op.opnum;
			v->res.status = status;
			nfs4_encode_resop(&v->co, &v->res);
			nfs4_finish(v, status);
			return;
		}
		log_debug("%s: NFSv4 %s", v->nfs.rpc->peer_name,
		    nfs4_op_name(v->op.opnum));
		v->nfs.env->v4_ops[v->op.opnum < NFSD_V4_OPS ?
		    v->op.opnum : 0]++;
		v->running = 1;
		nfs4_op_start(v);
		v->running = 0;
		if (!v->finished)
			return;		/* the reply callback goes on */
		if (v->replay != NULL) {
			nfs4_send_replay(v, v->replay, v->replay_len);
			return;
		}
		if (v->res.status != NFS4_OK) {
			nfs4_finish(v, v->res.status);
			return;
		}
	}
}


/* RFC 7530 15.1: NULL */
static void
nfs4_proc_null(struct rpcsvc_call *call, void *decoded, void *arg)
{
	(void)decoded;
	(void)arg;
	rpcsvc_reply_body(call);
}

/* RFC 7530 15.2: COMPOUND */
static void
nfs4_proc_compound(struct rpcsvc_call *call, void *decoded, void *arg)
{
	struct nfs4_call *v = V4(nfs_call_init(call, arg));
	uint32_t status;

	(void)decoded;
	memset((char *)v + sizeof(v->nfs), 0, sizeof(*v) - sizeof(v->nfs));
	xdrbuf_out_init(&v->scratch);
	if ((v->w = calloc(1, sizeof(*v->w))) == NULL) {
		log_warn("NFSv4 COMPOUND");
		rpcsvc_reply_error(call, RPC_SYSTEM_ERR);
		return;
	}
	xdrbuf_in_init(&v->x, call->args, call->args_len);
	status = nfs4_compound_begin_minor(&v->c, &v->x,
	    nfs4_tag_max(v->nfs.env), nfs4_ops_max(v->nfs.env),
	    v->nfs.env->v41_enabled ? NFS41_MINOR_VERSION :
	    NFS4_MINOR_VERSION);
	nfs4_compound_out_begin(&v->co, &call->out, &v->c.tag);
	if (status != NFS4_OK) {
		if (status == NFS4ERR_BADXDR) {
			log_warnx_rl("%s: NFSv4 COMPOUND: malformed header "
			    "(xid %08x)", call->peer_name, call->auth.msg.xid);
			free(v->w);
			v->w = NULL;
			rpcsvc_reply_error(call, RPC_GARBAGE_ARGS);
			return;
		}
		if (status == NFS4ERR_RESOURCE)
			log_warnx_rl("%s: NFSv4 COMPOUND: tag longer than %u "
			    "bytes, nfsv4 tag max (RESOURCE)", call->peer_name,
			    nfs4_tag_max(v->nfs.env));
		nfs4_finish(v, status);
		return;
	}
	nfs4_run(v);
}

/*
 * The version's procedures.  COMPOUND is not answered from the
 * duplicate request cache: NFSv4.0's non-idempotent state ops carry
 * seqids whose replays stated keeps (RFC 7530 9.1.7), and a COMPOUND's
 * reply may be a megabyte of READ data.
 */
const struct rpcsvc_proc nfs4_rpc_procs[NFS4_NPROC] = {
	[NFS4_PROC_NULL] = { "NULL", NULL, 0, NULL, nfs4_proc_null,
	    RPCSVC_CACHE_NONE },
	[NFS4_PROC_COMPOUND] = { "COMPOUND", NULL, 0, NULL,
	    nfs4_proc_compound, RPCSVC_CACHE_NONE },
};
