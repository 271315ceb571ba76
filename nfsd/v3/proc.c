/*
 * NFSv3 procedures (RFC 1813 section 3.3).  Each one resolves its file
 * handle(s) to a share (fhcache.c, or one GETATTR from blockd), checks
 * the export (clients, port, read only) and squashes the credential,
 * then either answers from the held backing fd (READ, WRITE, COMMIT,
 * GETATTR of an open regular file) or calls blockd and answers in the
 * reply callback.  Errors reach the client through the one errno table
 * below.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockd/store.h"
#include "log.h"
#include "nfs3.h"

/* RFC 1813 2.6: nfsstat3 */
#define NFS3_OK			0
#define NFS3ERR_PERM		1
#define NFS3ERR_NOENT		2
#define NFS3ERR_IO		5
#define NFS3ERR_NXIO		6
#define NFS3ERR_ACCES		13
#define NFS3ERR_EXIST		17
#define NFS3ERR_XDEV		18
#define NFS3ERR_NODEV		19
#define NFS3ERR_NOTDIR		20
#define NFS3ERR_ISDIR		21
#define NFS3ERR_INVAL		22
#define NFS3ERR_FBIG		27
#define NFS3ERR_NOSPC		28
#define NFS3ERR_ROFS		30
#define NFS3ERR_MLINK		31
#define NFS3ERR_NAMETOOLONG	63
#define NFS3ERR_NOTEMPTY	66
#define NFS3ERR_DQUOT		69
#define NFS3ERR_STALE		70
#define NFS3ERR_BADHANDLE	10001
#define NFS3ERR_NOT_SYNC	10002
#define NFS3ERR_BAD_COOKIE	10003
#define NFS3ERR_NOTSUPP		10004
#define NFS3ERR_TOOSMALL	10005
#define NFS3ERR_SERVERFAULT	10006
#define NFS3ERR_BADTYPE		10007
#define NFS3ERR_JUKEBOX		10008

/* stable_how */
#define NFS3_UNSTABLE		0
#define NFS3_DATA_SYNC		1
#define NFS3_FILE_SYNC		2

/* The one table from errno (blockd's statuses, our syscalls) to nfsstat3. */
static const struct {
	int		 err;
	uint32_t	 status;
} nfs3_errno_table[] = {
	{ EPERM, NFS3ERR_PERM },
	{ ENOENT, NFS3ERR_NOENT },
	{ EIO, NFS3ERR_IO },
	{ ENXIO, NFS3ERR_NXIO },
	{ EACCES, NFS3ERR_ACCES },
	{ EEXIST, NFS3ERR_EXIST },
	{ EXDEV, NFS3ERR_XDEV },
	{ ENODEV, NFS3ERR_NODEV },
	{ ENOTDIR, NFS3ERR_NOTDIR },
	{ EISDIR, NFS3ERR_ISDIR },
	{ EINVAL, NFS3ERR_INVAL },
	{ EFBIG, NFS3ERR_FBIG },
	{ ENOSPC, NFS3ERR_NOSPC },
	{ EROFS, NFS3ERR_ROFS },
	{ EMLINK, NFS3ERR_MLINK },
	{ ENAMETOOLONG, NFS3ERR_NAMETOOLONG },
	{ ENOTEMPTY, NFS3ERR_NOTEMPTY },
	{ EDQUOT, NFS3ERR_DQUOT },
	{ ESTALE, NFS3ERR_STALE },
	{ EBADMSG, NFS3ERR_BADHANDLE },	/* blockd: malformed handle */
	{ EAGAIN, NFS3ERR_NOT_SYNC },	/* blockd: SETATTR guard failed */
	{ ENOTSUP, NFS3ERR_NOTSUPP },
	{ ENOTCONN, NFS3ERR_JUKEBOX },	/* blockd away: retry later */
	{ ENOMEM, NFS3ERR_JUKEBOX },
	{ ETIMEDOUT, NFS3ERR_JUKEBOX },
	{ ENODATA, NFS3ERR_NOENT },
	{ ERANGE, NFS3ERR_INVAL },
};

int
nfs3_status_from_errno(int err)
{
	size_t i;

	if (err < 0)
		err = -err;
	if (err == 0)
		return NFS3_OK;
	for (i = 0; i < sizeof(nfs3_errno_table) /
	    sizeof(nfs3_errno_table[0]); i++)
		if (nfs3_errno_table[i].err == err)
			return (int)nfs3_errno_table[i].status;
	return NFS3ERR_SERVERFAULT;
}

struct nfs3_proc {
	void		(*fn)(struct nfs_call *);
	int		 modifies;	/* ROFS on a read-only export */
	int		 nfh;		/* handles to resolve */
	int		 fail_words;	/* empty post_op/wcc after the status */
	int		 data_reply;	/* READ, READDIR*: data as args ask */
};

static const struct nfs3_proc nfs3_procs[NFS3_NPROC];

#define NFS3(r)		((struct nfs3_call *)(r))
#define NFS3_ARGS(r)	(&NFS3(r)->args)

static void
nfs3_bd_fh(bd_fh *fh, const uint8_t *p, uint32_t len)
{
	fh->bd_fh_len = len;
	fh->bd_fh_val = (char *)(uintptr_t)p;
}

static void
nfs3_bd_name(bd_name *n, const uint8_t *p, uint32_t len)
{
	n->bd_name_len = len;
	n->bd_name_val = (char *)(uintptr_t)p;
}

/* A failure whose body is only empty post_op_attr/wcc_data words. */
static void
nfs3_fail(struct nfs_call *r, int status)
{
	int i;

	if (status == NFS3ERR_JUKEBOX)	/* not worth replaying: retry */
		rpcsvc_cache_abandon(r->rpc);
	r->rpc->out.len = rpcsvc_body_offset(r->rpc);
	xdrbuf_put_u32(&r->rpc->out, (uint32_t)status);
	for (i = 0; i < nfs3_procs[r->rpc->auth.msg.proc].fail_words; i++)
		xdrbuf_put_u32(&r->rpc->out, 0);
	rpcsvc_reply_body(r->rpc);
}

static void
nfs3_status(struct nfs_call *r, int status)
{
	if (status == NFS3ERR_JUKEBOX)
		rpcsvc_cache_abandon(r->rpc);
	xdrbuf_put_u32(&r->rpc->out, (uint32_t)status);
}

static void
nfs3_cache_bd(struct nfs_call *r, const bd_fh *fh, const bd_attr *a)
{
	struct nfs_attr na;

	if (fh->bd_fh_len == 0 || fh->bd_fh_len > NFS3_FHSIZE || a->type == 0)
		return;
	nfs_attr_from_bd(&na, a);
	fhcache_put(r->env->fhcache, (const uint8_t *)fh->bd_fh_val,
	    fh->bd_fh_len, &na);
}

/* The directory attributes after a change, for handle i of r. */
static void
nfs3_cache_wcc(struct nfs_call *r, int i, const bd_wcc *w)
{
	if (w->valid)
		nfs3_cache_bd(r, &(bd_fh){ (u_int)r->fhlen[i],
		    (char *)(uintptr_t)r->fh[i] }, &w->after);
}

/*
 * What the name where in directory handle i holds after a reply: fh, or
 * nothing (fhlen 0).  Stored after the reply's notifications dropped
 * the old entry, so it is the truth until the next one.
 */
static void
nfs3_cache_name(struct nfs_call *r, int i, const struct nfs3_diropargs *where,
    const uint8_t *fh, size_t fhlen)
{
	if (r->rattr[i].type == STORE_TYPE_DIR)
		namecache_put(r->env->namecache, r->rattr[i].ino,
		    (r->rattr[i].flags & STORE_ATTR_CASELESS) != 0,
		    (const char *)where->name, where->namelen, fh, fhlen);
}

/* A cached handle's current attributes: fhcache_current (nfsd.h). */

/* Who the request acts as, for common/perm.h. */
static void
nfs3_perm_who(const struct nfs_call *r, struct perm_who *w)
{
	w->uid = r->bcred.uid;
	w->gid = r->bcred.gid;
	w->groups = r->bcred.groups.groups_val;
	w->ngroups = r->bcred.groups.groups_len;
}

static void
nfs3_perm_obj(const struct nfs_attr *a, struct perm_obj *o)
{
	o->is_dir = a->type == STORE_TYPE_DIR;
	o->mode = a->mode;
	o->uid = a->uid;
	o->gid = a->gid;
}

static void
nfs3_sattr_to_bd(const struct nfs3_sattr *s, bd_sattr *b)
{
	memset(b, 0, sizeof(*b));
	if (s->set_mode) {
		b->mask |= STORE_SATTR_MODE;
		b->mode = s->mode & 07777;
	}
	if (s->set_uid) {
		b->mask |= STORE_SATTR_UID;
		b->uid = s->uid;
	}
	if (s->set_gid) {
		b->mask |= STORE_SATTR_GID;
		b->gid = s->gid;
	}
	if (s->set_size) {
		b->mask |= STORE_SATTR_SIZE;
		b->size = s->size;
	}
	if (s->atime_how == 1)
		b->mask |= STORE_SATTR_ATIME_NOW;
	else if (s->atime_how == 2) {
		b->mask |= STORE_SATTR_ATIME;
		b->atime.sec = s->atime.tv_sec;
		b->atime.nsec = (u_int)s->atime.tv_nsec;
	}
	if (s->mtime_how == 1)
		b->mask |= STORE_SATTR_MTIME_NOW;
	else if (s->mtime_how == 2) {
		b->mask |= STORE_SATTR_MTIME;
		b->mtime.sec = s->mtime.tv_sec;
		b->mtime.nsec = (u_int)s->mtime.tv_nsec;
	}
}

/*
 * Handle resolution: the share of every handle, from the cache or from
 * one GETATTR; then the export's checks and the squashed credential.
 */
static void	nfs3_resolve(struct nfs_call *);

/*
 * NFSv4 delegations of the file a changing request names are recalled
 * first (nfsd/v4/callback.c), NFS3ERR_JUKEBOX meanwhile; a READ or a
 * GETATTR recalls a write delegation.  Only while some file has a
 * grant; a WRITE asks stated only for such a file.
 */
static void
nfs3_deleg_done(void *arg, int delay)
{
	struct nfs_call *r = arg;

	if (delay) {
		nfs3_fail(r, NFS3ERR_JUKEBOX);
		return;
	}
	nfs3_procs[r->rpc->auth.msg.proc].fn(r);
}

/* RENAME's source went: now the file its target would replace. */
static void
nfs3_deleg_rename_to(void *arg, int delay)
{
	struct nfs_call *r = arg;
	struct nfs3_args *a = NFS3_ARGS(r);

	if (delay) {
		nfs3_fail(r, NFS3ERR_JUKEBOX);
		return;
	}
	nfs4_deleg_name_gate(r->env, &r->bcred, r->fh[1], r->fhlen[1],
	    a->to.name, a->to.namelen, nfs3_deleg_done, r);
}

static void
nfs3_deleg_gate(struct nfs_call *r, const struct nfs3_proc *p)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	uint8_t id[16];

	if (!nfs4_deleg_maybe(r->env)) {
		p->fn(r);
		return;
	}
	switch (r->rpc->auth.msg.proc) {
	case NFSPROC3_WRITE:
	case NFSPROC3_SETATTR:
	case NFSPROC3_READ:
	case NFSPROC3_GETATTR:
		/* Reads meet write delegations only (callback.c). */
		if (nfs4_deleg_lookup(r->env, r->rattr[0].share,
		    r->rattr[0].ino, id) == 0) {
			nfs4_deleg_conflict(r->env, id, 0, 0, NULL,
			    !(r->rpc->auth.msg.proc == NFSPROC3_READ ||
			    r->rpc->auth.msg.proc == NFSPROC3_GETATTR),
			    nfs3_deleg_done, r);
			return;
		}
		break;
	case NFSPROC3_CREATE:		/* over a file: it truncates */
	case NFSPROC3_REMOVE:
	case NFSPROC3_RENAME:
		nfs4_deleg_name_gate(r->env, &r->bcred, r->fh[0], r->fhlen[0],
		    a->where.name, a->where.namelen,
		    r->rpc->auth.msg.proc == NFSPROC3_RENAME ?
		    nfs3_deleg_rename_to : nfs3_deleg_done, r);
		return;
	}
	p->fn(r);
}

static void
nfs3_resolve_done(void *arg, int status, void *reply, int fd)
{
	struct nfs_call *r = arg;
	bd_attr_reply *rep = reply;
	int i = r->nfh_resolved;

	if (status != 0) {
		if (status == -EBADMSG || status == -ESTALE)
			log_info_rl("%s: %s: %s handle", r->rpc->peer_name,
			    r->rpc->proc->name,
			    status == -EBADMSG ? "malformed" : "stale");
		nfs3_fail(r, nfs3_status_from_errno(status));
		return;
	}
	nfs_attr_from_bd(&r->rattr[i], &rep->attr);
	r->share[i] = rep->attr.share;
	r->fresh[i] = 1;
	fhcache_put(r->env->fhcache, r->fh[i], r->fhlen[i], &r->rattr[i]);
	r->nfh_resolved++;
	nfs3_resolve(r);
}

static void
nfs3_resolve(struct nfs_call *r)
{
	const struct nfs3_proc *p = &nfs3_procs[r->rpc->auth.msg.proc];
	struct fhnode *n;
	bd_fh_req req;
	int i;

	while ((i = r->nfh_resolved) < r->nfh) {
		if (r->fhlen[i] == 0) {
			log_info_rl("%s: %s: empty handle", r->rpc->peer_name,
			    r->rpc->proc->name);
			nfs3_fail(r, NFS3ERR_BADHANDLE);
			return;
		}
		if ((n = fhcache_get(r->env->fhcache, r->fh[i],
		    r->fhlen[i])) == NULL) {
			memset(&req, 0, sizeof(req));
			req.cred.uid = req.cred.gid = 65534;
			nfs3_bd_fh(&req.fh, r->fh[i], r->fhlen[i]);
			bdc_call(r->env->bdc, BD_GETATTR,
			    (xdrproc_t)xdr_bd_fh_req, &req,
			    (xdrproc_t)xdr_bd_attr_reply,
			    sizeof(bd_attr_reply), nfs3_resolve_done, r);
			return;
		}
		r->share[i] = n->attr.share;
		r->rattr[i] = n->attr;
		/* A held fd's refresh waits for who needs it. */
		r->fresh[i] = fhcache_settled(n);
		r->nfh_resolved++;
	}
	r->exp = export_by_share(&r->env->exports, r->share[0]);
	if (r->exp == NULL) {
		log_info_rl("%s: %s: handle of share %u, which is not exported",
		    r->rpc->peer_name, r->rpc->proc->name, r->share[0]);
		nfs3_fail(r, NFS3ERR_STALE);
		return;
	}
	if (r->nfh == 2 && r->share[1] != r->share[0]) {
		log_info_rl("%s: %s: handles of two shares (%u, %u)",
		    r->rpc->peer_name, r->rpc->proc->name, r->share[0],
		    r->share[1]);
		nfs3_fail(r, NFS3ERR_XDEV);
		return;
	}
	if (!export_client_allowed(r->exp, r->rpc->peer_key)) {
		log_warnx_rl("%s: %s: not a client of %s (clients = %s)",
		    r->rpc->peer_name, r->rpc->proc->name, r->exp->path,
		    r->exp->clients_text);
		nfs3_fail(r, NFS3ERR_ACCES);
		return;
	}
	if (!export_port_allowed(r->exp, r->rpc->peer_port)) {
		log_warnx_rl("%s: %s: %s needs a source port below 1024",
		    r->rpc->peer_name, r->rpc->proc->name, r->exp->path);
		nfs3_fail(r, NFS3ERR_ACCES);
		return;
	}
	if (!export_security_allowed(r->exp, &r->rpc->auth)) {
		/* RFC 2623 2.3.2: too weak for this share. */
		log_info_rl("%s: %s: %s is weaker than %s takes",
		    r->rpc->peer_name, r->rpc->proc->name,
		    rpcauth_sec_name(rpcauth_sec_bit(&r->rpc->auth)),
		    r->exp->path);
		rpcsvc_reply_auth_error(r->rpc, RPC_AUTH_TOOWEAK);
		return;
	}
	if (p->modifies && r->exp->read_only) {
		nfs3_fail(r, NFS3ERR_ROFS);
		return;
	}
	export_squash(r->exp, &r->rpc->auth.msg.cred, &r->bcred, r->bgroups);
	nfs3_deleg_gate(r, p);
}

/* RFC 1813 3.3.1: GETATTR */
static void
nfs3_getattr_done(void *arg, int status, void *reply, int fd)
{
	struct nfs_call *r = arg;
	bd_attr_reply *rep = reply;
	struct nfs_attr a;

	if (status != 0) {
		nfs3_fail(r, nfs3_status_from_errno(status));
		return;
	}
	nfs_attr_from_bd(&a, &rep->attr);
	fhcache_put(r->env->fhcache, r->fh[0], r->fhlen[0], &a);
	nfs3_status(r, NFS3_OK);
	nfs3_xdr_fattr(&r->rpc->out, &a);
	rpcsvc_reply_body(r->rpc);
}

/*
 * The current attributes of the request's first handle without asking
 * blockd: those it resolved with if current, or the cache's (a regular
 * file's refreshed from the fd we hold).  NULL: ask blockd.
 */
static const struct nfs_attr *
nfs3_current_attr(struct nfs_call *r)
{
	if (r->fresh[0])
		return &r->rattr[0];
	return fhcache_current(fhcache_get(r->env->fhcache, r->fh[0],
	    r->fhlen[0]));
}

static void
nfs3_proc_getattr(struct nfs_call *r)
{
	const struct nfs_attr *a;
	bd_fh_req req;

	if ((a = nfs3_current_attr(r)) != NULL) {
		nfs3_status(r, NFS3_OK);
		nfs3_xdr_fattr(&r->rpc->out, a);
		rpcsvc_reply_body(r->rpc);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.cred = r->bcred;
	nfs3_bd_fh(&req.fh, r->fh[0], r->fhlen[0]);
	bdc_call(r->env->bdc, BD_GETATTR, (xdrproc_t)xdr_bd_fh_req, &req,
	    (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
	    nfs3_getattr_done, r);
}

/* RFC 1813 3.3.2: SETATTR */
static void
nfs3_setattr_done(void *arg, int status, void *reply, int fd)
{
	struct nfs_call *r = arg;
	bd_wcc_reply *rep = reply;

	if (rep == NULL) {
		nfs3_fail(r, nfs3_status_from_errno(status));
		return;
	}
	if (status == 0 && rep->obj.valid)
		nfs3_cache_bd(r, &(bd_fh){ r->fhlen[0],
		    (char *)(uintptr_t)r->fh[0] }, &rep->obj.after);
	nfs3_status(r, nfs3_status_from_errno(status));
	nfs3_xdr_wcc(&r->rpc->out, &rep->obj);
	rpcsvc_reply_body(r->rpc);
}

static void
nfs3_proc_setattr(struct nfs_call *r)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	bd_setattr_req req;

	memset(&req, 0, sizeof(req));
	req.cred = r->bcred;
	nfs3_bd_fh(&req.fh, r->fh[0], r->fhlen[0]);
	nfs3_sattr_to_bd(&a->sattr, &req.sattr);
	req.guard = a->guard;
	req.guard_ctime.sec = a->guard_ctime.tv_sec;
	req.guard_ctime.nsec = (u_int)a->guard_ctime.tv_nsec;
	bdc_call(r->env->bdc, BD_SETATTR, (xdrproc_t)xdr_bd_setattr_req, &req,
	    (xdrproc_t)xdr_bd_wcc_reply, sizeof(bd_wcc_reply),
	    nfs3_setattr_done, r);
}

/* RFC 1813 3.3.3: LOOKUP */
static void
nfs3_lookup_done(void *arg, int status, void *reply, int fd)
{
	struct nfs_call *r = arg;
	struct nfs3_args *a = NFS3_ARGS(r);
	bd_entry_reply *rep = reply;

	if (rep == NULL) {
		nfs3_fail(r, nfs3_status_from_errno(status));
		return;
	}
	nfs3_status(r, nfs3_status_from_errno(status));
	if (status == 0) {
		nfs3_cache_bd(r, &rep->fh, &rep->attr);
		nfs3_cache_name(r, 0, &a->where, (const uint8_t *)
		    rep->fh.bd_fh_val, rep->fh.bd_fh_len);
		xdrbuf_put_opaque(&r->rpc->out, rep->fh.bd_fh_val,
		    rep->fh.bd_fh_len);
		nfs3_xdr_post_op_bd(&r->rpc->out, &rep->attr, 1);
	} else if (status == -ENOENT)
		nfs3_cache_name(r, 0, &a->where, NULL, 0);
	nfs3_cache_wcc(r, 0, &rep->dir);
	nfs3_xdr_post_op_bd(&r->rpc->out, &rep->dir.after, rep->dir.valid);
	rpcsvc_reply_body(r->rpc);
}

/*
 * LOOKUP from the name cache, when it knows the name and the current
 * attributes of the directory and of what the name holds.  0: ask blockd.
 */
static int
nfs3_lookup_cached(struct nfs_call *r)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	const struct nfs_attr *obj = NULL;
	const uint8_t *fh;
	size_t fhlen;
	struct perm_who w;
	struct perm_obj o;

	if (!r->fresh[0] || r->rattr[0].type != STORE_TYPE_DIR ||
	    !namecache_get(r->env->namecache, r->rattr[0].ino,
	    (r->rattr[0].flags & STORE_ATTR_CASELESS) != 0,
	    (const char *)a->where.name, a->where.namelen, &fh, &fhlen))
		return 0;
	/* Search permission, as blockd checks it; a refusal is its to give. */
	if (r->rattr[0].flags & STORE_ATTR_ACL)
		return 0;	/* an ACL: blockd decides (dittofs-blockd(8)) */
	nfs3_perm_who(r, &w);
	nfs3_perm_obj(&r->rattr[0], &o);
	if (perm_check(&w, &o, PERM_EXEC) != 0)
		return 0;
	if (fhlen > 0 && (obj = fhcache_current(fhcache_get(r->env->fhcache,
	    fh, fhlen))) == NULL)
		return 0;
	if (fhlen > 0) {
		nfs3_status(r, NFS3_OK);
		xdrbuf_put_opaque(&r->rpc->out, fh, (uint32_t)fhlen);
		nfs3_xdr_post_op(&r->rpc->out, obj);
	} else
		nfs3_status(r, NFS3ERR_NOENT);
	nfs3_xdr_post_op(&r->rpc->out, &r->rattr[0]);
	rpcsvc_reply_body(r->rpc);
	return 1;
}

static void
nfs3_proc_lookup(struct nfs_call *r)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	bd_dirop_req req;
	int self;

	/* "." and, at the share's root, "..": the directory itself. */
	self = (a->where.namelen == 1 && a->where.name[0] == '.') ||
	    (a->where.namelen == 2 && memcmp(a->where.name, "..", 2) == 0 &&
	    r->fhlen[0] == r->exp->root_len &&
	    memcmp(r->fh[0], r->exp->root_fh, r->exp->root_len) == 0);
	if (self) {
		nfs3_status(r, NFS3_OK);
		xdrbuf_put_opaque(&r->rpc->out, r->fh[0], r->fhlen[0]);
		nfs3_xdr_post_op(&r->rpc->out, &r->rattr[0]);
		nfs3_xdr_post_op(&r->rpc->out, &r->rattr[0]);
		rpcsvc_reply_body(r->rpc);
		return;
	}
	if (nfs3_lookup_cached(r))
		return;
	memset(&req, 0, sizeof(req));
	req.cred = r->bcred;
	nfs3_bd_fh(&req.dir, r->fh[0], r->fhlen[0]);
	nfs3_bd_name(&req.name, a->where.name, a->where.namelen);
	bdc_call(r->env->bdc, BD_LOOKUP, (xdrproc_t)xdr_bd_dirop_req, &req,
	    (xdrproc_t)xdr_bd_entry_reply, sizeof(bd_entry_reply),
	    nfs3_lookup_done, r);
}

/*
 * RFC 1813 3.3.4: ACCESS, answered here from the attributes the request
 * resolved with (fresh from blockd, or cached: blockd tells nfsd when
 * mode, owner or ACL change, and the cached entry is dropped), by
 * common/perm.h's rules, the ones blockd enforces on the operation
 * itself.  Attributes follow when they are fresh or come from the fd.
 */
static void
nfs3_access_done(void *arg, int status, void *reply, int fd)
{
	struct nfs_call *r = arg;
	bd_access_reply *rep = reply;
	uint32_t granted;

	(void)fd;
	if (status != 0) {
		nfs3_fail(r, nfs3_status_from_errno(status));
		return;
	}
	granted = rep->granted & NFS3_ARGS(r)->access;
	if (r->exp->read_only)
		granted &= ~(uint32_t)(PERM_ACCESS_MODIFY |
		    PERM_ACCESS_EXTEND | PERM_ACCESS_DELETE);
	nfs3_status(r, NFS3_OK);
	nfs3_xdr_post_op_bd(&r->rpc->out, &rep->attr, 1);
	xdrbuf_put_u32(&r->rpc->out, granted);
	rpcsvc_reply_body(r->rpc);
}

static void
nfs3_proc_access(struct nfs_call *r)
{
	const struct nfs_attr *a = &r->rattr[0];
	struct perm_who w;
	struct perm_obj o;
	bd_access_req req;
	uint32_t granted;

	if (a->flags & STORE_ATTR_ACL) {
		/* An ACL of its own: blockd decides (dittofs-blockd(8)). */
		memset(&req, 0, sizeof(req));
		req.cred = r->bcred;
		nfs3_bd_fh(&req.fh, r->fh[0], r->fhlen[0]);
		req.want = NFS3_ARGS(r)->access;
		bdc_call(r->env->bdc, BD_ACCESS, (xdrproc_t)xdr_bd_access_req,
		    &req, (xdrproc_t)xdr_bd_access_reply,
		    sizeof(bd_access_reply), nfs3_access_done, r);
		return;
	}
	nfs3_perm_who(r, &w);
	nfs3_perm_obj(a, &o);
	granted = perm_access(&w, &o) & NFS3_ARGS(r)->access;
	if (r->exp->read_only)
		granted &= ~(uint32_t)(PERM_ACCESS_MODIFY |
		    PERM_ACCESS_EXTEND | PERM_ACCESS_DELETE);
	nfs3_status(r, NFS3_OK);
	nfs3_xdr_post_op(&r->rpc->out, nfs3_current_attr(r));
	xdrbuf_put_u32(&r->rpc->out, granted);
	rpcsvc_reply_body(r->rpc);
}

/* RFC 1813 3.3.5: READLINK */
static void
nfs3_readlink_done(void *arg, int status, void *reply, int fd)
{
	struct nfs_call *r = arg;
	bd_readlink_reply *rep = reply;

	if (status != 0) {
		nfs3_fail(r, nfs3_status_from_errno(status));
		return;
	}
	nfs3_status(r, NFS3_OK);
	nfs3_xdr_post_op_bd(&r->rpc->out, &rep->attr, 1);
	xdrbuf_put_opaque(&r->rpc->out, rep->target.target_val,
	    rep->target.target_len);
	rpcsvc_reply_body(r->rpc);
}

static void
nfs3_proc_readlink(struct nfs_call *r)
{
	bd_fh_req req;

	if (r->rattr[0].type != STORE_TYPE_LNK) {
		nfs3_fail(r, NFS3ERR_INVAL);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.cred = r->bcred;
	nfs3_bd_fh(&req.fh, r->fh[0], r->fhlen[0]);
	bdc_call(r->env->bdc, BD_READLINK, (xdrproc_t)xdr_bd_fh_req, &req,
	    (xdrproc_t)xdr_bd_readlink_reply, sizeof(bd_readlink_reply),
	    nfs3_readlink_done, r);
}

/*
 * The I/O fast path.  Returns the node with a backing fd open for want
 * (STORE_IO_READ or _WRITE) that the credential may use, or NULL when
 * blockd must be asked (BD_OPEN_IO, which checks permissions itself).
 */
static struct fhnode *
nfs3_io_node(struct nfs_call *r, unsigned int want)
{
	struct fhnode *n;

	n = fhcache_get(r->env->fhcache, r->fh[0], r->fhlen[0]);
	return nfs_io_usable(n, &r->bcred, want) ? n : NULL;
}

static void	nfs3_io_continue(struct nfs_call *);

static void
nfs3_open_io_done(void *arg, int status, void *reply, int fd)
{
	struct nfs_call *r = arg;
	bd_attr_reply *rep = reply;
	struct nfs_attr a;
	struct fhnode *n;
	unsigned int flags = NFS3(r)->io_flags;

	if (status == -EACCES && (flags & STORE_IO_READ) &&
	    (flags & STORE_IO_WRITE) &&
	    r->rpc->auth.msg.proc != NFSPROC3_READ) {
		/* Write-only permission: ask for just that. */
		NFS3(r)->io_flags = STORE_IO_WRITE | STORE_IO_OWNER_OVERRIDE;
		NFS3(r)->retried = 1;
		nfs3_io_continue(r);
		return;
	}
	if (status != 0) {
		nfs3_fail(r, nfs3_status_from_errno(status));
		return;
	}
	if (fd == -1) {
		log_warnx("%s: blockd's OPEN_IO reply carried no fd",
		    r->rpc->peer_name);
		nfs3_fail(r, NFS3ERR_SERVERFAULT);
		return;
	}
	nfs_attr_from_bd(&a, &rep->attr);
	n = fhcache_put(r->env->fhcache, r->fh[0], r->fhlen[0], &a);
	if (n == NULL) {
		close(fd);
		nfs3_fail(r, NFS3ERR_JUKEBOX);
		return;
	}
	fhcache_set_io(r->env->fhcache, n, fd, flags);
	NFS3(r)->io_opened = 1;
	nfs3_procs[r->rpc->auth.msg.proc].fn(r);
}

static void
nfs3_io_continue(struct nfs_call *r)
{
	bd_open_io_req req;

	memset(&req, 0, sizeof(req));
	req.cred = r->bcred;
	nfs3_bd_fh(&req.fh, r->fh[0], r->fhlen[0]);
	req.flags = NFS3(r)->io_flags;
	bdc_call(r->env->bdc, BD_OPEN_IO, (xdrproc_t)xdr_bd_open_io_req, &req,
	    (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
	    nfs3_open_io_done, r);
}

/* Ask blockd for the fd; the procedure runs again when it arrives. */
static void
nfs3_io_open(struct nfs_call *r, unsigned int want)
{
	if (NFS3(r)->io_opened) {
		/* Opened, and gone again already: let the client retry. */
		nfs3_fail(r, NFS3ERR_JUKEBOX);
		return;
	}
	if (r->rattr[0].type != STORE_TYPE_REG) {
		nfs3_fail(r, r->rattr[0].type == STORE_TYPE_DIR ?
		    NFS3ERR_ISDIR : NFS3ERR_INVAL);
		return;
	}
	NFS3(r)->io_flags = nfs_io_flags(want);
	if (want == STORE_IO_WRITE)
		NFS3(r)->io_flags |= STORE_IO_READ;	/* one fd serves both */
	nfs3_io_continue(r);
}

/* RFC 1813 3.3.6: READ */
static void
nfs3_proc_read(struct nfs_call *r)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	struct fhnode *n = nfs3_io_node(r, STORE_IO_READ);
	uint32_t count = a->count > NFS3_MAXDATA ? NFS3_MAXDATA : a->count;
	size_t count_off, hdr;
	uint8_t *data;
	ssize_t got;
	size_t done = 0;
	int err, eof;

	if (n == NULL && NFS3(r)->io_opened)
		n = fhcache_get(r->env->fhcache, r->fh[0], r->fhlen[0]);
	if (n == NULL || n->io == NULL) {
		nfs3_io_open(r, STORE_IO_READ);
		return;
	}
	if ((err = nfs_attr_refresh(&n->attr, n->io->fd)) != 0) {
		nfs3_fail(r, nfs3_status_from_errno(err));
		return;
	}
	if (a->offset >= n->attr.size)
		count = 0;
	else if (count > n->attr.size - a->offset)
		count = (uint32_t)(n->attr.size - a->offset);
	nfs3_status(r, NFS3_OK);
	nfs3_xdr_post_op(&r->rpc->out, &n->attr);
	if (r->env->read_path == NFSD_READ_SENDFILE && count > 0) {
		eof = a->offset + count >= n->attr.size;
		xdrbuf_put_u32(&r->rpc->out, count);
		xdrbuf_put_u32(&r->rpc->out, (uint32_t)eof);
		xdrbuf_put_u32(&r->rpc->out, count);
		rpcsvc_reply_file(r->rpc, n->io, (off_t)a->offset, count);
		return;
	}
	count_off = r->rpc->out.len;
	xdrbuf_put_u32(&r->rpc->out, 0);	/* count */
	xdrbuf_put_u32(&r->rpc->out, 0);	/* eof */
	xdrbuf_put_u32(&r->rpc->out, 0);	/* data length */
	hdr = r->rpc->out.len;
	if ((data = xdrbuf_reserve(&r->rpc->out, ((size_t)count + 3) & ~3u)) ==
	    NULL) {
		nfs3_fail(r, NFS3ERR_JUKEBOX);
		return;
	}
	while (done < count) {
		got = pread(n->io->fd, data + done, count - done,
		    (off_t)(a->offset + done));
		if (got == -1) {
			if (errno == EINTR)
				continue;
			err = errno;
			log_warn("%s: READ: pread", r->rpc->peer_name);
			nfs3_fail(r, nfs3_status_from_errno(err));
			return;
		}
		if (got == 0)
			break;
		done += (size_t)got;
	}
	eof = a->offset + done >= n->attr.size;
	memset(data + done, 0, (((size_t)done + 3) & ~(size_t)3) - done);
	r->rpc->out.len = hdr + ((done + 3) & ~(size_t)3);
	xdrbuf_put_u32_at(&r->rpc->out, count_off, (uint32_t)done);
	xdrbuf_put_u32_at(&r->rpc->out, count_off + 4, (uint32_t)eof);
	xdrbuf_put_u32_at(&r->rpc->out, count_off + 8, (uint32_t)done);
	rpcsvc_reply_body(r->rpc);
}

/* RFC 1813 3.3.7: WRITE */
static void
nfs3_write_reply(struct nfs_call *r, int err, uint32_t committed)
{
	if (err != 0) {
		log_debug("%s: WRITE: %s", r->rpc->peer_name, strerror(err));
		nfs3_status(r, nfs3_status_from_errno(err));
		nfs3_xdr_wcc_attrs(&r->rpc->out, &NFS3(r)->io_before,
		    &NFS3(r)->io_after);
		rpcsvc_reply_body(r->rpc);
		return;
	}
	nfs3_status(r, NFS3_OK);
	nfs3_xdr_wcc_attrs(&r->rpc->out, &NFS3(r)->io_before,
		    &NFS3(r)->io_after);
	xdrbuf_put_u32(&r->rpc->out, (uint32_t)NFS3(r)->io_done);
	xdrbuf_put_u32(&r->rpc->out, committed);
	xdrbuf_put_fixed(&r->rpc->out, r->env->write_verf, NFS3_WRITEVERFSIZE);
	rpcsvc_reply_body(r->rpc);
}

/*
 * A failed sync leaves the data unstable: the node (if still cached)
 * needs a sync again, and the client hears of it rather than of a
 * stable write.
 */
static void
nfs3_io_sync_failed(struct nfs_call *r, int err, const char *what)
{
	nfsd_sync_failed(r->env, r->fh[0], r->fhlen[0], r->rpc->peer_name,
	    what, err);
}

static void
nfs3_write_synced(void *arg, int err)
{
	struct nfs_call *r = arg;
	struct nfs3_args *a = NFS3_ARGS(r);

	if (err != 0)
		nfs3_io_sync_failed(r, err, "WRITE");
	nfs3_write_reply(r, err, a->stable);
}

static void
nfs3_proc_write(struct nfs_call *r)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	struct fhnode *n = nfs3_io_node(r, STORE_IO_WRITE);
	ssize_t put;
	int err = 0;

	if (n == NULL && NFS3(r)->io_opened)
		n = fhcache_get(r->env->fhcache, r->fh[0], r->fhlen[0]);
	if (n == NULL || n->io == NULL || !(n->io_flags & STORE_IO_WRITE)) {
		nfs3_io_open(r, STORE_IO_WRITE);
		return;
	}
	if (a->offset > (uint64_t)INT64_MAX - a->datalen) {
		nfs3_fail(r, NFS3ERR_FBIG);
		return;
	}
	if ((err = nfs_attr_refresh(&n->attr, n->io->fd)) != 0) {
		nfs3_fail(r, nfs3_status_from_errno(err));
		return;
	}
	NFS3(r)->io_before = n->attr;
	NFS3(r)->io_done = 0;
	while (NFS3(r)->io_done < a->datalen) {
		put = pwrite(n->io->fd, a->data + NFS3(r)->io_done,
		    a->datalen - NFS3(r)->io_done,
		    (off_t)(a->offset + NFS3(r)->io_done));
		if (put == -1) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		NFS3(r)->io_done += (size_t)put;
	}
	/* A sync changes no attribute: the reply's are those of now. */
	nfs_attr_refresh(&n->attr, n->io->fd);
	NFS3(r)->io_after = n->attr;
	if (NFS3(r)->io_done == 0 && err != 0) {
		nfs3_write_reply(r, err, NFS3_UNSTABLE);
		return;
	}
	if (a->stable == NFS3_UNSTABLE) {
		if (NFS3(r)->io_done > 0)
			n->unsynced = 1;
		nfs3_write_reply(r, 0, NFS3_UNSTABLE);
		return;
	}
	/*
	 * FILE_SYNC wants the metadata too, DATA_SYNC what reads need.  The
	 * sync covers every write made so far through any fd: the file has
	 * nothing unsynced unless a write comes while it runs (which sets
	 * the flag again) or it fails.
	 */
	nfsd_sync(r->env, n, a->stable == NFS3_FILE_SYNC, nfs3_write_synced, r);
}

/* RFC 1813 3.3.21: COMMIT */
static void
nfs3_commit_reply(struct nfs_call *r, int err)
{
	nfs3_status(r, nfs3_status_from_errno(err));
	nfs3_xdr_wcc_attrs(&r->rpc->out, &NFS3(r)->io_before,
		    &NFS3(r)->io_after);
	if (err == 0)
		xdrbuf_put_fixed(&r->rpc->out, r->env->write_verf,
		    NFS3_WRITEVERFSIZE);
	rpcsvc_reply_body(r->rpc);
}

static void
nfs3_commit_synced(void *arg, int err)
{
	struct nfs_call *r = arg;

	if (err != 0)
		nfs3_io_sync_failed(r, err, "COMMIT");
	nfs3_commit_reply(r, err);
}

static void
nfs3_proc_commit(struct nfs_call *r)
{
	struct fhnode *n;

	n = fhcache_get(r->env->fhcache, r->fh[0], r->fhlen[0]);
	if (n == NULL || n->io == NULL) {
		/* fdatasync reaches the page cache through any fd. */
		nfs3_io_open(r, STORE_IO_READ);
		return;
	}
	nfs_attr_refresh(&n->attr, n->io->fd);
	NFS3(r)->io_before = NFS3(r)->io_after = n->attr;
	/* Nothing written since the last sync: it is stable already. */
	if (!n->unsynced) {
		nfs3_commit_reply(r, 0);
		return;
	}
	nfsd_sync(r->env, n, 0, nfs3_commit_synced, r);
}

/* CREATE, MKDIR, SYMLINK, MKNOD answer alike: RFC 1813 3.3.8-3.3.11. */
static void
nfs3_create_done(void *arg, int status, void *reply, int fd)
{
	struct nfs_call *r = arg;
	bd_entry_reply *rep = reply;

	if (rep == NULL) {
		nfs3_fail(r, nfs3_status_from_errno(status));
		return;
	}
	nfs3_status(r, nfs3_status_from_errno(status));
	if (status == 0) {
		nfs3_cache_bd(r, &rep->fh, &rep->attr);
		/* MKDIR: empty, so complete */
		if (r->rpc->auth.msg.proc == NFSPROC3_MKDIR)
			namecache_set_complete(r->env->namecache,
			    rep->attr.ino);
		nfs3_cache_name(r, 0, &NFS3_ARGS(r)->where,
		    (const uint8_t *)rep->fh.bd_fh_val, rep->fh.bd_fh_len);
		xdrbuf_put_u32(&r->rpc->out, 1);
		xdrbuf_put_opaque(&r->rpc->out, rep->fh.bd_fh_val,
		    rep->fh.bd_fh_len);
		nfs3_xdr_post_op_bd(&r->rpc->out, &rep->attr, 1);
	}
	nfs3_cache_wcc(r, 0, &rep->dir);
	nfs3_xdr_wcc(&r->rpc->out, &rep->dir);
	rpcsvc_reply_body(r->rpc);
}

static void
nfs3_proc_create(struct nfs_call *r)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	bd_create_req req;

	memset(&req, 0, sizeof(req));
	req.cred = r->bcred;
	nfs3_bd_fh(&req.dir, r->fh[0], r->fhlen[0]);
	nfs3_bd_name(&req.name, a->where.name, a->where.namelen);
	req.how = a->createhow;
	if (a->createhow == NFS3_EXCLUSIVE)
		memcpy(req.verf, a->verf, sizeof(req.verf));
	else
		nfs3_sattr_to_bd(&a->sattr, &req.sattr);
	if (!(req.sattr.mask & STORE_SATTR_MODE) && a->createhow != NFS3_EXCLUSIVE) {
		req.sattr.mask |= STORE_SATTR_MODE;
		req.sattr.mode = 0644;
	}
	bdc_call(r->env->bdc, BD_CREATE, (xdrproc_t)xdr_bd_create_req, &req,
	    (xdrproc_t)xdr_bd_entry_reply, sizeof(bd_entry_reply),
	    nfs3_create_done, r);
}

static void
nfs3_proc_mkdir(struct nfs_call *r)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	bd_mkdir_req req;

	memset(&req, 0, sizeof(req));
	req.cred = r->bcred;
	nfs3_bd_fh(&req.dir, r->fh[0], r->fhlen[0]);
	nfs3_bd_name(&req.name, a->where.name, a->where.namelen);
	nfs3_sattr_to_bd(&a->sattr, &req.sattr);
	if (!(req.sattr.mask & STORE_SATTR_MODE)) {
		req.sattr.mask |= STORE_SATTR_MODE;
		req.sattr.mode = 0755;
	}
	bdc_call(r->env->bdc, BD_MKDIR, (xdrproc_t)xdr_bd_mkdir_req, &req,
	    (xdrproc_t)xdr_bd_entry_reply, sizeof(bd_entry_reply),
	    nfs3_create_done, r);
}

static void
nfs3_proc_symlink(struct nfs_call *r)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	bd_symlink_req req;

	memset(&req, 0, sizeof(req));
	req.cred = r->bcred;
	nfs3_bd_fh(&req.dir, r->fh[0], r->fhlen[0]);
	nfs3_bd_name(&req.name, a->where.name, a->where.namelen);
	req.target.target_len = a->targetlen;
	req.target.target_val = (char *)(uintptr_t)a->target;
	nfs3_sattr_to_bd(&a->sattr, &req.sattr);
	req.sattr.mask &= ~(u_int)STORE_SATTR_MODE;	/* always 0777 */
	bdc_call(r->env->bdc, BD_SYMLINK, (xdrproc_t)xdr_bd_symlink_req, &req,
	    (xdrproc_t)xdr_bd_entry_reply, sizeof(bd_entry_reply),
	    nfs3_create_done, r);
}

static void
nfs3_proc_mknod(struct nfs_call *r)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	bd_mknod_req req;

	memset(&req, 0, sizeof(req));
	switch (a->ftype) {
	case NF3BLK:
		req.type = STORE_TYPE_BLK;
		break;
	case NF3CHR:
		req.type = STORE_TYPE_CHR;
		break;
	case NF3SOCK:
		req.type = STORE_TYPE_SOCK;
		break;
	case NF3FIFO:
		req.type = STORE_TYPE_FIFO;
		break;
	default:
		nfs3_fail(r, NFS3ERR_BADTYPE);
		return;
	}
	req.cred = r->bcred;
	nfs3_bd_fh(&req.dir, r->fh[0], r->fhlen[0]);
	nfs3_bd_name(&req.name, a->where.name, a->where.namelen);
	req.rdev = makedev(a->major, a->minor);
	nfs3_sattr_to_bd(&a->sattr, &req.sattr);
	if (!(req.sattr.mask & STORE_SATTR_MODE)) {
		req.sattr.mask |= STORE_SATTR_MODE;
		req.sattr.mode = 0644;
	}
	bdc_call(r->env->bdc, BD_MKNOD, (xdrproc_t)xdr_bd_mknod_req, &req,
	    (xdrproc_t)xdr_bd_entry_reply, sizeof(bd_entry_reply),
	    nfs3_create_done, r);
}

/* RFC 1813 3.3.12, 3.3.13: REMOVE, RMDIR */
static void
nfs3_remove_done(void *arg, int status, void *reply, int fd)
{
	struct nfs_call *r = arg;
	bd_wcc_reply *rep = reply;

	if (rep == NULL) {
		nfs3_fail(r, nfs3_status_from_errno(status));
		return;
	}
	nfs3_status(r, nfs3_status_from_errno(status));
	if (status == 0)
		nfs3_cache_name(r, 0, &NFS3_ARGS(r)->where, NULL, 0);
	nfs3_cache_wcc(r, 0, &rep->obj);
	nfs3_xdr_wcc(&r->rpc->out, &rep->obj);
	rpcsvc_reply_body(r->rpc);
}

static void
nfs3_proc_remove(struct nfs_call *r)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	bd_dirop_req req;

	memset(&req, 0, sizeof(req));
	req.cred = r->bcred;
	nfs3_bd_fh(&req.dir, r->fh[0], r->fhlen[0]);
	nfs3_bd_name(&req.name, a->where.name, a->where.namelen);
	bdc_call(r->env->bdc, r->rpc->auth.msg.proc == NFSPROC3_REMOVE ?
	    BD_REMOVE : BD_RMDIR,
	    (xdrproc_t)xdr_bd_dirop_req, &req, (xdrproc_t)xdr_bd_wcc_reply,
	    sizeof(bd_wcc_reply), nfs3_remove_done, r);
}

/* RFC 1813 3.3.14: RENAME */
static void
nfs3_rename_done(void *arg, int status, void *reply, int fd)
{
	struct nfs_call *r = arg;
	bd_rename_reply *rep = reply;

	if (rep == NULL) {
		nfs3_fail(r, nfs3_status_from_errno(status));
		return;
	}
	nfs3_status(r, nfs3_status_from_errno(status));
	if (status == 0)
		nfs3_cache_name(r, 0, &NFS3_ARGS(r)->where, NULL, 0);
	nfs3_cache_wcc(r, 0, &rep->fromdir);
	nfs3_cache_wcc(r, 1, &rep->todir);
	nfs3_xdr_wcc(&r->rpc->out, &rep->fromdir);
	nfs3_xdr_wcc(&r->rpc->out, &rep->todir);
	rpcsvc_reply_body(r->rpc);
}

static void
nfs3_proc_rename(struct nfs_call *r)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	bd_rename_req req;

	memset(&req, 0, sizeof(req));
	req.cred = r->bcred;
	nfs3_bd_fh(&req.fromdir, r->fh[0], r->fhlen[0]);
	nfs3_bd_name(&req.from, a->where.name, a->where.namelen);
	nfs3_bd_fh(&req.todir, r->fh[1], r->fhlen[1]);
	nfs3_bd_name(&req.to, a->to.name, a->to.namelen);
	bdc_call(r->env->bdc, BD_RENAME, (xdrproc_t)xdr_bd_rename_req, &req,
	    (xdrproc_t)xdr_bd_rename_reply, sizeof(bd_rename_reply),
	    nfs3_rename_done, r);
}

/* RFC 1813 3.3.15: LINK */
static void
nfs3_link_done(void *arg, int status, void *reply, int fd)
{
	struct nfs_call *r = arg;
	bd_link_reply *rep = reply;

	if (rep == NULL) {
		nfs3_fail(r, nfs3_status_from_errno(status));
		return;
	}
	nfs3_status(r, nfs3_status_from_errno(status));
	if (status == 0)
		nfs3_cache_name(r, 1, &NFS3_ARGS(r)->to, r->fh[0], r->fhlen[0]);
	if (rep->attr_valid)
		nfs3_cache_bd(r, &(bd_fh){ (u_int)r->fhlen[0],
		    (char *)(uintptr_t)r->fh[0] }, &rep->attr);
	nfs3_cache_wcc(r, 1, &rep->dir);
	nfs3_xdr_post_op_bd(&r->rpc->out, &rep->attr, rep->attr_valid);
	nfs3_xdr_wcc(&r->rpc->out, &rep->dir);
	rpcsvc_reply_body(r->rpc);
}

static void
nfs3_proc_link(struct nfs_call *r)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	bd_link_req req;

	memset(&req, 0, sizeof(req));
	req.cred = r->bcred;
	nfs3_bd_fh(&req.fh, r->fh[0], r->fhlen[0]);
	nfs3_bd_fh(&req.dir, r->fh[1], r->fhlen[1]);
	nfs3_bd_name(&req.name, a->to.name, a->to.namelen);
	bdc_call(r->env->bdc, BD_LINK, (xdrproc_t)xdr_bd_link_req, &req,
	    (xdrproc_t)xdr_bd_link_reply, sizeof(bd_link_reply),
	    nfs3_link_done, r);
}

/* RFC 1813 3.3.16, 3.3.17: READDIR, READDIRPLUS */
/*
 * "." (cookie 1) and ".." (cookie 2).  blockd looks ".." up for the
 * first batch; in READDIRPLUS both carry attributes and a handle, as a
 * client that lists them would otherwise LOOKUP each.  Without parent,
 * ".." has the directory's own fileid and nothing else.
 */
static void
nfs3_readdir_dots(struct nfs_call *r, uint64_t cookie, int plus,
    const struct nfs_attr *dir, const struct nfs_attr *parent,
    const uint8_t *pfh, size_t pfhlen)
{
	uint64_t c;

	for (c = cookie + 1; c <= 2; c++) {
		xdrbuf_put_u32(&r->rpc->out, 1);
		xdrbuf_put_u64(&r->rpc->out, c == 2 && parent != NULL ?
		    parent->ino : dir->ino);
		xdrbuf_put_opaque(&r->rpc->out, "..", (uint32_t)c);
		xdrbuf_put_u64(&r->rpc->out, c);
		if (!plus)
			continue;
		nfs3_xdr_post_op(&r->rpc->out, c == 1 ? dir : parent);
		if (c == 1) {
			xdrbuf_put_u32(&r->rpc->out, 1);
			xdrbuf_put_opaque(&r->rpc->out, r->fh[0], r->fhlen[0]);
		} else {
			xdrbuf_put_u32(&r->rpc->out, parent != NULL);
			if (parent != NULL)
				xdrbuf_put_opaque(&r->rpc->out, pfh,
				    (uint32_t)pfhlen);
		}
	}
}

/*
 * One entry (attr and fh: PLUS only; attr NULL: none).  0 if it fits the
 * client's maxcount and dircount; else the reply is cut back to before
 * it and -1.
 */
static int
nfs3_readdir_entry(struct nfs_call *r, size_t start, size_t *dirbytes,
    size_t i, uint64_t ino, const char *name, size_t namelen,
    uint64_t cookie, const struct nfs_attr *attr, const uint8_t *fh,
    size_t fhlen)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	int plus = r->rpc->auth.msg.proc == NFSPROC3_READDIRPLUS;
	size_t mark = r->rpc->out.len;

	xdrbuf_put_u32(&r->rpc->out, 1);
	xdrbuf_put_u64(&r->rpc->out, ino);
	xdrbuf_put_opaque(&r->rpc->out, name, (uint32_t)namelen);
	xdrbuf_put_u64(&r->rpc->out, cookie);
	if (plus) {
		nfs3_xdr_post_op(&r->rpc->out, attr);
		xdrbuf_put_u32(&r->rpc->out, attr != NULL);
		if (attr != NULL)
			xdrbuf_put_opaque(&r->rpc->out, fh, (uint32_t)fhlen);
	}
	*dirbytes += 8 + 4 + ((namelen + 3) & ~(size_t)3) + 8;
	/* The reply, from status to eof, must fit maxcount bytes. */
	if (r->rpc->out.len - start + 8 > a->maxcount ||
	    (plus && a->dircount > 0 && *dirbytes > a->dircount && i > 0)) {
		r->rpc->out.len = mark;
		return -1;
	}
	return 0;
}

/* After sent of avail entries: TOOSMALL if none fit, else the end. */
static void
nfs3_readdir_end(struct nfs_call *r, size_t sent, size_t avail, int eof,
    const struct nfs_attr *dir)
{
	if (sent == 0 && avail > 0 && NFS3_ARGS(r)->cookie >= 2) {
		r->rpc->out.len = rpcsvc_body_offset(r->rpc);
		nfs3_status(r, NFS3ERR_TOOSMALL);
		nfs3_xdr_post_op(&r->rpc->out, dir);
	} else {
		xdrbuf_put_u32(&r->rpc->out, 0);
		xdrbuf_put_u32(&r->rpc->out, (uint32_t)eof);
	}
	rpcsvc_reply_body(r->rpc);
}

static void
nfs3_readdir_done(void *arg, int status, void *reply, int fd)
{
	struct nfs_call *r = arg;
	struct nfs3_args *a = NFS3_ARGS(r);
	bd_readdir_reply *rep = reply;
	struct nfs_attr dir, parent, ea;
	int plus = r->rpc->auth.msg.proc == NFSPROC3_READDIRPLUS;
	int have_parent, eof;
	size_t start, dirbytes = 0, i;
	u_int n;

	if (status != 0) {
		if (rep != NULL) {
			nfs3_status(r, nfs3_status_from_errno(status));
			nfs3_xdr_post_op_bd(&r->rpc->out, &rep->dir, 1);
			rpcsvc_reply_body(r->rpc);
		} else
			nfs3_fail(r, nfs3_status_from_errno(status));
		return;
	}
	if (plus)
		dircache_add(r->env->dircache, rep->dir.ino,
		    a->cookie <= 2 ? 0 : a->cookie, rep);
	nfs_attr_from_bd(&dir, &rep->dir);
	fhcache_put(r->env->fhcache, r->fh[0], r->fhlen[0], &dir);
	have_parent = rep->parent.type != 0 && rep->parent_fh.bd_fh_len > 0;
	if (have_parent) {
		nfs_attr_from_bd(&parent, &rep->parent);
		nfs3_cache_bd(r, &rep->parent_fh, &rep->parent);
	}
	start = r->rpc->out.len;
	nfs3_status(r, NFS3_OK);
	nfs3_xdr_post_op(&r->rpc->out, &dir);
	xdrbuf_put_fixed(&r->rpc->out, rep->verf, NFS3_COOKIEVERFSIZE);
	eof = rep->eof;
	n = rep->entries.entries_len;
	/* Cookies 1 and 2 are ours: "." and ".." (blockd starts at 3). */
	if (a->cookie < 2)
		nfs3_readdir_dots(r, a->cookie, plus, &dir,
		    have_parent ? &parent : NULL,
		    (const uint8_t *)rep->parent_fh.bd_fh_val,
		    rep->parent_fh.bd_fh_len);
	for (i = 0; i < n; i++) {
		bd_dirent *d = &rep->entries.entries_val[i];
		int have = plus && d->fh.bd_fh_len > 0 && d->attr.type != 0;

		if (have) {
			nfs_attr_from_bd(&ea, &d->attr);
			fhcache_put(r->env->fhcache,
			    (const uint8_t *)d->fh.bd_fh_val,
			    d->fh.bd_fh_len, &ea);
		}
		if (nfs3_readdir_entry(r, start, &dirbytes, i, d->ino,
		    d->name.bd_name_val, d->name.bd_name_len, d->cookie,
		    have ? &ea : NULL, (const uint8_t *)d->fh.bd_fh_val,
		    d->fh.bd_fh_len) != 0) {
			eof = 0;
			break;
		}
	}
	nfs3_readdir_end(r, i, n, eof, &dir);
}

/*
 * READDIR and READDIRPLUS from the directory cache, when it holds the
 * whole listing, the directory's attributes are current and, for PLUS,
 * so are those of ".." and of every entry sent.  0: ask blockd.
 */
static int
nfs3_readdir_cached(struct nfs_call *r)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	const struct nfs_attr *ea = NULL, *pa = NULL;
	const struct dirlist *l;
	const struct dirent_c *e;
	int plus = r->rpc->auth.msg.proc == NFSPROC3_READDIRPLUS;
	size_t start, dirbytes = 0, i, first;

	struct perm_who w;
	struct perm_obj o;

	if (!r->fresh[0] || (l = dircache_get(r->env->dircache,
	    r->rattr[0].ino)) == NULL)
		return 0;
	/* Read permission, as blockd checks it; a refusal is its to give. */
	if (r->rattr[0].flags & STORE_ATTR_ACL)
		return 0;	/* an ACL: blockd decides (dittofs-blockd(8)) */
	nfs3_perm_who(r, &w);
	nfs3_perm_obj(&r->rattr[0], &o);
	if (perm_check(&w, &o, PERM_READ) != 0)
		return 0;
	if (l->parent_fhlen > 0 && (pa = fhcache_current(fhcache_get(
	    r->env->fhcache, l->parent_fh, l->parent_fhlen))) == NULL)
		return 0;
	start = r->rpc->out.len;
	nfs3_status(r, NFS3_OK);
	nfs3_xdr_post_op(&r->rpc->out, &r->rattr[0]);
	xdrbuf_put_fixed(&r->rpc->out, l->verf, NFS3_COOKIEVERFSIZE);
	if (a->cookie < 2)
		nfs3_readdir_dots(r, a->cookie, plus, &r->rattr[0], pa,
		    l->parent_fh, l->parent_fhlen);
	first = dircache_list_after(l, a->cookie);
	for (i = first; i < l->n; i++) {
		e = l->ents[i];
		if (plus && (ea = fhcache_current(fhcache_get(r->env->fhcache,
		    e->fh, e->fhlen))) == NULL) {
			r->rpc->out.len = start;
			return 0;
		}
		if (nfs3_readdir_entry(r, start, &dirbytes, i - first, e->ino,
		    e->name, e->namelen, e->cookie, ea, e->fh, e->fhlen) != 0)
			break;
	}
	nfs3_readdir_end(r, i - first, l->n - first, i == l->n,
	    &r->rattr[0]);
	return 1;
}

static void
nfs3_proc_readdir(struct nfs_call *r)
{
	struct nfs3_args *a = NFS3_ARGS(r);
	bd_readdir_req req;
	uint32_t est;

	if (r->rattr[0].type != STORE_TYPE_DIR) {
		nfs3_fail(r, NFS3ERR_NOTDIR);
		return;
	}
	if (a->maxcount > NFS3_MAXDATA)
		a->maxcount = NFS3_MAXDATA;
	if (nfs3_readdir_cached(r))
		return;
	memset(&req, 0, sizeof(req));
	req.cred = r->bcred;
	nfs3_bd_fh(&req.dir, r->fh[0], r->fhlen[0]);
	req.cookie = a->cookie <= 2 ? 0 : a->cookie;
	req.plus = r->rpc->auth.msg.proc == NFSPROC3_READDIRPLUS;
	/* Entries that may fit: a short name costs ~32 bytes, ~200 plus. */
	est = a->maxcount / (req.plus ? 160 : 24) + 1;
	req.maxents = est > BD_READDIR_MAX ? BD_READDIR_MAX : est;
	bdc_call(r->env->bdc, BD_READDIR, (xdrproc_t)xdr_bd_readdir_req, &req,
	    (xdrproc_t)xdr_bd_readdir_reply, sizeof(bd_readdir_reply),
	    nfs3_readdir_done, r);
}

/* RFC 1813 3.3.18: FSSTAT */
static void
nfs3_fsstat_done(void *arg, int status, void *reply, int fd)
{
	struct nfs_call *r = arg;
	bd_statfs_reply *rep = reply;

	if (status != 0) {
		nfs3_fail(r, nfs3_status_from_errno(status));
		return;
	}
	nfs3_status(r, NFS3_OK);
	nfs3_xdr_post_op_bd(&r->rpc->out, &rep->attr, 1);
	xdrbuf_put_u64(&r->rpc->out, rep->bytes_total);
	xdrbuf_put_u64(&r->rpc->out, rep->bytes_free);
	xdrbuf_put_u64(&r->rpc->out, rep->bytes_avail);
	xdrbuf_put_u64(&r->rpc->out, rep->files_total);
	xdrbuf_put_u64(&r->rpc->out, rep->files_free);
	xdrbuf_put_u64(&r->rpc->out, rep->files_avail);
	xdrbuf_put_u32(&r->rpc->out, 0);	/* invarsec */
	rpcsvc_reply_body(r->rpc);
}

static void
nfs3_proc_fsstat(struct nfs_call *r)
{
	bd_fh_req req;

	memset(&req, 0, sizeof(req));
	req.cred = r->bcred;
	nfs3_bd_fh(&req.fh, r->fh[0], r->fhlen[0]);
	bdc_call(r->env->bdc, BD_STATFS, (xdrproc_t)xdr_bd_fh_req, &req,
	    (xdrproc_t)xdr_bd_statfs_reply, sizeof(bd_statfs_reply),
	    nfs3_fsstat_done, r);
}

/* RFC 1813 3.3.19: FSINFO */
static void
nfs3_proc_fsinfo(struct nfs_call *r)
{
	nfs3_status(r, NFS3_OK);
	nfs3_xdr_post_op(&r->rpc->out, r->fresh[0] ? &r->rattr[0] : NULL);
	xdrbuf_put_u32(&r->rpc->out, NFS3_MAXDATA);	/* rtmax */
	xdrbuf_put_u32(&r->rpc->out, NFS3_MAXDATA);	/* rtpref */
	xdrbuf_put_u32(&r->rpc->out, 4096);		/* rtmult */
	xdrbuf_put_u32(&r->rpc->out, NFS3_MAXDATA);	/* wtmax */
	xdrbuf_put_u32(&r->rpc->out, NFS3_MAXDATA);	/* wtpref */
	xdrbuf_put_u32(&r->rpc->out, 4096);		/* wtmult */
	/*
	 * dtpref: Linux reports it as a directory's st_blksize, and glibc's
	 * opendir sizes its buffer from that: at 64 KiB every opendir mapped
	 * and unmapped a buffer, and the guest's `ls -lR` of many small
	 * directories ran at half the rate it does with 16 KiB, which
	 * also served a 10,000-entry listing fastest (bench/RESULTS.md).
	 */
	xdrbuf_put_u32(&r->rpc->out, 16 * 1024);	/* dtpref */
	xdrbuf_put_u64(&r->rpc->out, (uint64_t)INT64_MAX);
	xdrbuf_put_u32(&r->rpc->out, 0);		/* time_delta: 1 ns */
	xdrbuf_put_u32(&r->rpc->out, 1);
	/* FSF3_LINK | FSF3_SYMLINK | FSF3_HOMOGENEOUS | FSF3_CANSETTIME */
	xdrbuf_put_u32(&r->rpc->out, 0x1 | 0x2 | 0x8 | 0x10);
	rpcsvc_reply_body(r->rpc);
}

/* RFC 1813 3.3.20: PATHCONF */
static void
nfs3_proc_pathconf(struct nfs_call *r)
{
	nfs3_status(r, NFS3_OK);
	nfs3_xdr_post_op(&r->rpc->out, r->fresh[0] ? &r->rattr[0] : NULL);
	xdrbuf_put_u32(&r->rpc->out, STORE_LINK_MAX);
	xdrbuf_put_u32(&r->rpc->out, STORE_NAME_MAX);
	xdrbuf_put_u32(&r->rpc->out, 1);	/* no_trunc */
	xdrbuf_put_u32(&r->rpc->out, 1);	/* chown_restricted */
	xdrbuf_put_u32(&r->rpc->out, 0);	/* case_insensitive */
	xdrbuf_put_u32(&r->rpc->out, 1);	/* case_preserving */
	rpcsvc_reply_body(r->rpc);
}

static void
nfs3_proc_null(struct nfs_call *r)
{
	rpcsvc_reply_body(r->rpc);
}

/*
 * RFC 1813 3.3: what each procedure needs before it runs.  data_reply:
 * the reply carries what the arguments ask for (counted against the
 * connection's output caps when the call is read).
 */
static const struct nfs3_proc nfs3_procs[NFS3_NPROC] = {
	[NFSPROC3_NULL] = { nfs3_proc_null, 0, 0, 0, 0 },
	[NFSPROC3_GETATTR] = { nfs3_proc_getattr, 0, 1, 0, 0 },
	[NFSPROC3_SETATTR] = { nfs3_proc_setattr, 1, 1, 2, 0 },
	[NFSPROC3_LOOKUP] = { nfs3_proc_lookup, 0, 1, 1, 0 },
	[NFSPROC3_ACCESS] = { nfs3_proc_access, 0, 1, 1, 0 },
	[NFSPROC3_READLINK] = { nfs3_proc_readlink, 0, 1, 1, 0 },
	[NFSPROC3_READ] = { nfs3_proc_read, 0, 1, 1, 1 },
	[NFSPROC3_WRITE] = { nfs3_proc_write, 1, 1, 2, 0 },
	[NFSPROC3_CREATE] = { nfs3_proc_create, 1, 1, 2, 0 },
	[NFSPROC3_MKDIR] = { nfs3_proc_mkdir, 1, 1, 2, 0 },
	[NFSPROC3_SYMLINK] = { nfs3_proc_symlink, 1, 1, 2, 0 },
	[NFSPROC3_MKNOD] = { nfs3_proc_mknod, 1, 1, 2, 0 },
	[NFSPROC3_REMOVE] = { nfs3_proc_remove, 1, 1, 2, 0 },
	[NFSPROC3_RMDIR] = { nfs3_proc_remove, 1, 1, 2, 0 },
	[NFSPROC3_RENAME] = { nfs3_proc_rename, 1, 2, 4, 0 },
	[NFSPROC3_LINK] = { nfs3_proc_link, 1, 2, 3, 0 },
	[NFSPROC3_READDIR] = { nfs3_proc_readdir, 0, 1, 1, 1 },
	[NFSPROC3_READDIRPLUS] = { nfs3_proc_readdir, 0, 1, 1, 1 },
	[NFSPROC3_FSSTAT] = { nfs3_proc_fsstat, 0, 1, 1, 0 },
	[NFSPROC3_FSINFO] = { nfs3_proc_fsinfo, 0, 1, 1, 0 },
	[NFSPROC3_PATHCONF] = { nfs3_proc_pathconf, 0, 1, 1, 0 },
	[NFSPROC3_COMMIT] = { nfs3_proc_commit, 1, 1, 2, 0 },
};

/*
 * Every procedure: its arguments decoded (nfs3_xdr_decode_args), what
 * its reply may carry reserved, its handles resolved, then its own.
 */
static void
nfs3_dispatch(struct rpcsvc_call *call, void *decoded, void *arg)
{
	struct nfs_call *r = nfs_call_init(call, arg);
	const struct nfs3_proc *p = &nfs3_procs[call->auth.msg.proc];
	struct nfs3_args *a = NFS3_ARGS(r);
	struct xdrbuf_in x;
	size_t data;

	(void)decoded;
	r->env->v3_calls[call->auth.msg.proc]++;
	xdrbuf_in_init(&x, call->args, call->args_len);
	if (nfs3_xdr_decode_args(call->auth.msg.proc, &x, a) == -1) {
		log_warnx_rl("%s: %s: malformed arguments (xid %08x)",
		    call->peer_name, call->proc->name, call->auth.msg.xid);
		rpcsvc_reply_error(call, RPC_GARBAGE_ARGS);
		return;
	}
	if (p->data_reply) {
		data = p->fn == nfs3_proc_read ? a->count : a->maxcount;
		rpcsvc_reserve(call, data > NFS3_MAXDATA ? NFS3_MAXDATA :
		    data);
	}
	r->nfh = p->nfh;
	r->fh[0] = a->fh;
	r->fhlen[0] = a->fhlen;
	if (r->nfh == 2) {
		r->fh[1] = a->to.fh;
		r->fhlen[1] = a->to.fhlen;
	}
	if (r->nfh == 0) {
		p->fn(r);
		return;
	}
	nfs3_resolve(r);
}

#define NFS3_RPC(proc, name, cache) \
	[proc] = { name, NULL, 0, NULL, nfs3_dispatch, cache }

/*
 * The procedures (the NFS program is nfsd.c's, with version 4's beside
 * them).  RPCSVC_CACHE_REPLY: not idempotent, so a retransmission
 * is answered from the duplicate request cache (nfsd/drc.c), not run
 * again.
 */
const struct rpcsvc_proc nfs3_rpc_procs[NFS3_NPROC] = {
	NFS3_RPC(NFSPROC3_NULL, "NULL", RPCSVC_CACHE_NONE),
	NFS3_RPC(NFSPROC3_GETATTR, "GETATTR", RPCSVC_CACHE_NONE),
	NFS3_RPC(NFSPROC3_SETATTR, "SETATTR", RPCSVC_CACHE_REPLY),
	NFS3_RPC(NFSPROC3_LOOKUP, "LOOKUP", RPCSVC_CACHE_NONE),
	NFS3_RPC(NFSPROC3_ACCESS, "ACCESS", RPCSVC_CACHE_NONE),
	NFS3_RPC(NFSPROC3_READLINK, "READLINK", RPCSVC_CACHE_NONE),
	NFS3_RPC(NFSPROC3_READ, "READ", RPCSVC_CACHE_NONE),
	NFS3_RPC(NFSPROC3_WRITE, "WRITE", RPCSVC_CACHE_NONE),
	NFS3_RPC(NFSPROC3_CREATE, "CREATE", RPCSVC_CACHE_REPLY),
	NFS3_RPC(NFSPROC3_MKDIR, "MKDIR", RPCSVC_CACHE_REPLY),
	NFS3_RPC(NFSPROC3_SYMLINK, "SYMLINK", RPCSVC_CACHE_REPLY),
	NFS3_RPC(NFSPROC3_MKNOD, "MKNOD", RPCSVC_CACHE_REPLY),
	NFS3_RPC(NFSPROC3_REMOVE, "REMOVE", RPCSVC_CACHE_REPLY),
	NFS3_RPC(NFSPROC3_RMDIR, "RMDIR", RPCSVC_CACHE_REPLY),
	NFS3_RPC(NFSPROC3_RENAME, "RENAME", RPCSVC_CACHE_REPLY),
	NFS3_RPC(NFSPROC3_LINK, "LINK", RPCSVC_CACHE_REPLY),
	NFS3_RPC(NFSPROC3_READDIR, "READDIR", RPCSVC_CACHE_NONE),
	NFS3_RPC(NFSPROC3_READDIRPLUS, "READDIRPLUS", RPCSVC_CACHE_NONE),
	NFS3_RPC(NFSPROC3_FSSTAT, "FSSTAT", RPCSVC_CACHE_NONE),
	NFS3_RPC(NFSPROC3_FSINFO, "FSINFO", RPCSVC_CACHE_NONE),
	NFS3_RPC(NFSPROC3_PATHCONF, "PATHCONF", RPCSVC_CACHE_NONE),
	NFS3_RPC(NFSPROC3_COMMIT, "COMMIT", RPCSVC_CACHE_NONE),
};

/*
 * BD_NOTIFY: an entry of a directory changed (drop the name and the
 * listing), access-
 * gating attributes changed or the file is gone (drop the node and its
 * fd), or anything else in its record changed (its attributes are no
 * longer current).
 */
void
nfs3_notify(struct nfsd_env *env, const bd_notify *n)
{
	/* NFSv4.1 directory delegations hear of it (v4/dirdeleg.c). */
	nfs41_dir_note(env, n);
	/* Any change to a directory: its listing goes. */
	dircache_drop(env->dircache, n->ino);
	if (n->what & STORE_NOTIFY_DIRENT) {
		namecache_drop(env->namecache, n->ino, n->name.bd_name_val,
		    n->name.bd_name_len);
		return;
	}
	if (n->fh.bd_fh_len == 0 || n->fh.bd_fh_len > NFS3_FHSIZE)
		return;
	if (n->what & STORE_NOTIFY_ACCESS)
		fhcache_drop(env->fhcache, (const uint8_t *)n->fh.bd_fh_val,
		    n->fh.bd_fh_len);
	else
		fhcache_invalidate(env->fhcache,
		    (const uint8_t *)n->fh.bd_fh_val, n->fh.bd_fh_len);
}
