/*
 * The file-system operations front ends send (common/blockd_msg.x),
 * each mapped onto one store call.  A handler decodes, converts, calls
 * the store, and queues its BD_REPLY; the replies of one batch leave
 * after the batch's store_sync (blockd.c), which runs whenever
 * store_needs_sync() says a call changed something, so a change is
 * durable before anyone hears of it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockd.h"
#include "log.h"

static struct blockd_env *
blockd_env_of(struct ipc_peer *peer)
{
	struct daemon *d = ipc_peer_server_arg(peer);

	return d->env;
}

static int
blockd_decode(struct ipc_peer *peer, struct ipc_msg *msg, xdrproc_t proc,
    void *obj)
{
	if (msg->fd != -1) {
		close(msg->fd);
		msg->fd = -1;
	}
	if (ipc_decode(msg, proc, obj) == 0)
		return 0;
	log_warnx_rl("malformed message type %u from %s", msg->hdr.type,
	    ipc_peer_name(peer));
	ipc_reply_error(ipc_peer_channel(peer), msg, EBADMSG,
	    "malformed request");
	return -1;
}

static void
blockd_reply(struct ipc_peer *peer, struct ipc_msg *msg, int fd,
    xdrproc_t proc, const void *obj)
{
	blockd_env_of(peer)->ops++;
	if (ipc_reply_xdr(ipc_peer_channel(peer), msg, BD_REPLY, fd, proc,
	    obj) == -1)
		log_warn("reply to %s", ipc_peer_name(peer));
}

static void
blockd_cred_in(const bd_cred *in, struct store_cred *out)
{
	u_int i;

	out->uid = in->uid;
	out->gid = in->gid;
	out->ngroups = in->groups.groups_len;
	for (i = 0; i < in->groups.groups_len && i < STORE_NGROUPS_MAX; i++)
		out->groups[i] = in->groups.groups_val[i];
}

static int
blockd_fh_in(const bd_fh *in, struct store_fh *out)
{
	if (in->bd_fh_len == 0 || in->bd_fh_len > STORE_HANDLE_MAX)
		return -EBADMSG;
	out->len = (uint8_t)in->bd_fh_len;
	memcpy(out->data, in->bd_fh_val, in->bd_fh_len);
	return 0;
}

static void
blockd_fh_out(const struct store_fh *in, bd_fh *out)
{
	out->bd_fh_len = in->len;
	out->bd_fh_val = (char *)(uintptr_t)in->data;
}

static void
blockd_time_out(const struct timespec *in, bd_time *out)
{
	out->sec = in->tv_sec;
	out->nsec = (u_int)in->tv_nsec;
}

static void
blockd_time_in(const bd_time *in, struct timespec *out)
{
	out->tv_sec = (time_t)in->sec;
	out->tv_nsec = in->nsec < 1000000000u ? (long)in->nsec : 0;
}

static void
blockd_attr_out(const struct store_attr *a, bd_attr *out)
{
	out->type = a->type;
	out->mode = a->mode;
	out->nlink = a->nlink;
	out->uid = a->uid;
	out->gid = a->gid;
	out->size = a->size;
	out->used = a->used;
	out->rdev = a->rdev;
	out->share = a->share;
	out->generation = a->generation;
	out->ino = a->ino;
	out->change = a->change;
	blockd_time_out(&a->atime, &out->atime);
	blockd_time_out(&a->mtime, &out->mtime);
	blockd_time_out(&a->ctime, &out->ctime);
	blockd_time_out(&a->btime, &out->btime);
	out->flags = a->flags;
}

static void
blockd_sattr_in(const bd_sattr *in, struct store_sattr *out)
{
	out->mask = in->mask;
	out->mode = in->mode;
	out->uid = in->uid;
	out->gid = in->gid;
	out->size = in->size;
	blockd_time_in(&in->atime, &out->atime);
	blockd_time_in(&in->mtime, &out->mtime);
}

/* wcc_data: the directory's attributes around a change. */
static void
blockd_wcc_before(struct blockd_env *env, const struct store_fh *fh,
    bd_wcc *wcc)
{
	struct store_attr a;

	wcc->valid = store_getattr(env->store, fh, &a) == 0;
	if (wcc->valid)
		blockd_attr_out(&a, &wcc->before);
}

static void
blockd_wcc_after(struct blockd_env *env, const struct store_fh *fh,
    bd_wcc *wcc)
{
	struct store_attr a;

	if (store_getattr(env->store, fh, &a) == 0)
		blockd_attr_out(&a, &wcc->after);
	else
		wcc->valid = 0;
}

static void
blockd_share_root(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_share_root_req req;
	struct bd_entry_reply rep;
	struct store_fh fh;
	struct store_attr attr;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_share_root_req,
	    &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	rep.status = store_share_root(env->store, req.name, req.create, &fh,
	    &attr);
	if (rep.status == 0) {
		blockd_fh_out(&fh, &rep.fh);
		blockd_attr_out(&attr, &rep.attr);
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_entry_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_share_root_req, &req);
}

static void
blockd_lookup(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_dirop_req req;
	struct bd_entry_reply rep;
	struct store_cred cred;
	struct store_fh dir, fh;
	struct store_attr attr;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_dirop_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	blockd_cred_in(&req.cred, &cred);
	if ((rep.status = blockd_fh_in(&req.dir, &dir)) == 0)
		rep.status = store_lookup(env->store, &cred, &dir,
		    req.name.bd_name_val, req.name.bd_name_len, &fh, &attr);
	if (rep.status == 0) {
		blockd_fh_out(&fh, &rep.fh);
		blockd_attr_out(&attr, &rep.attr);
	}
	/* NFSv3 LOOKUP returns the directory's attributes either way. */
	if (rep.status != -EBADMSG && rep.status != -ESTALE) {
		rep.dir.valid = 1;
		blockd_wcc_after(env, &dir, &rep.dir);
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_entry_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_dirop_req, &req);
}

static void
blockd_getattr(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_fh_req req;
	struct bd_attr_reply rep;
	struct store_fh fh;
	struct store_attr attr;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_fh_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	if ((rep.status = blockd_fh_in(&req.fh, &fh)) == 0)
		rep.status = store_getattr(env->store, &fh, &attr);
	if (rep.status == 0)
		blockd_attr_out(&attr, &rep.attr);
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_attr_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_fh_req, &req);
}

/* RFC 1813 3.3.2: SETATTR with an optional ctime guard. */
static void
blockd_setattr(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_setattr_req req;
	struct bd_wcc_reply rep;
	struct store_cred cred;
	struct store_sattr sattr;
	struct store_fh fh;
	struct store_attr attr;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_setattr_req,
	    &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	blockd_cred_in(&req.cred, &cred);
	blockd_sattr_in(&req.sattr, &sattr);
	if ((rep.status = blockd_fh_in(&req.fh, &fh)) == 0)
		blockd_wcc_before(env, &fh, &rep.obj);
	if (rep.status == 0 && req.guard && (!rep.obj.valid ||
	    rep.obj.before.ctime.sec != req.guard_ctime.sec ||
	    rep.obj.before.ctime.nsec != req.guard_ctime.nsec))
		rep.status = -EAGAIN;
	if (rep.status == 0)
		rep.status = store_setattr(env->store, &cred, &fh, &sattr,
		    &attr);
	if (rep.obj.valid)
		blockd_wcc_after(env, &fh, &rep.obj);
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_wcc_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_setattr_req, &req);
}

static void
blockd_access(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_access_req req;
	struct bd_access_reply rep;
	struct store_cred cred;
	struct store_fh fh;
	struct store_attr attr;
	uint32_t granted = 0;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_access_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	blockd_cred_in(&req.cred, &cred);
	if ((rep.status = blockd_fh_in(&req.fh, &fh)) == 0)
		rep.status = store_access(env->store, &cred, &fh, req.want,
		    &granted, &attr);
	if (rep.status == 0) {
		rep.granted = granted;
		blockd_attr_out(&attr, &rep.attr);
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_access_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_access_req, &req);
}

/*
 * What a create's sattr asks beyond the mode the store already applied
 * (owner, size, times), set with the creator's credentials.
 */
static int
blockd_apply_rest(struct blockd_env *env, const struct store_cred *cred,
    const struct store_fh *fh, const bd_sattr *in, struct store_attr *attr)
{
	struct store_sattr sattr;

	blockd_sattr_in(in, &sattr);
	sattr.mask &= ~(unsigned int)STORE_SATTR_MODE;
	if (sattr.mask == 0)
		return 0;
	return store_setattr(env->store, cred, fh, &sattr, attr);
}

/*
 * The four ways to make a name (CREATE, MKDIR, SYMLINK, MKNOD) share
 * everything but the store call: the directory's wcc around it, the
 * attributes asked beyond the mode, and the entry reply.
 */
struct blockd_make {
	const bd_cred	*cred;
	const bd_fh	*dir;
	const bd_name	*name;
	const bd_sattr	*sattr;
	uint32_t	 default_mode;
	int		 exclusive;	/* attributes come in a later SETATTR */
	int		(*make)(struct blockd_env *, const struct blockd_make *,
			    const struct store_cred *, const struct store_fh *,
			    uint32_t mode, struct store_fh *,
			    struct store_attr *);
	const void	*req;
};

static void
blockd_make_entry(struct ipc_peer *peer, struct ipc_msg *msg,
    const struct blockd_make *mk)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_entry_reply rep;
	struct store_cred cred;
	struct store_fh dir, fh;
	struct store_attr attr;
	uint32_t mode;
	int rc;

	memset(&rep, 0, sizeof(rep));
	blockd_cred_in(mk->cred, &cred);
	mode = mk->sattr->mask & STORE_SATTR_MODE ? mk->sattr->mode :
	    mk->default_mode;
	if ((rc = blockd_fh_in(mk->dir, &dir)) == 0) {
		blockd_wcc_before(env, &dir, &rep.dir);
		rc = mk->make(env, mk, &cred, &dir, mode, &fh, &attr);
		if (rc == 0 && !mk->exclusive)
			rc = blockd_apply_rest(env, &cred, &fh, mk->sattr,
			    &attr);
		if (rep.dir.valid)
			blockd_wcc_after(env, &dir, &rep.dir);
	}
	rep.status = rc;
	if (rc == 0) {
		blockd_fh_out(&fh, &rep.fh);
		blockd_attr_out(&attr, &rep.attr);
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_entry_reply, &rep);
}

static int
blockd_make_file(struct blockd_env *env, const struct blockd_make *mk,
    const struct store_cred *cred, const struct store_fh *dir, uint32_t mode,
    struct store_fh *fh, struct store_attr *attr)
{
	const struct bd_create_req *req = mk->req;
	enum store_createhow how = req->how == 2 ? STORE_CREATE_EXCLUSIVE :
	    req->how == 1 ? STORE_CREATE_GUARDED : STORE_CREATE_UNCHECKED;

	return store_create(env->store, cred, dir, mk->name->bd_name_val,
	    mk->name->bd_name_len, mode, how, (const uint8_t *)req->verf, fh,
	    attr);
}

/* RFC 1813 3.3.8: CREATE (unchecked, guarded, exclusive). */
static void
blockd_create(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct bd_create_req req;
	struct blockd_make mk;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_create_req, &req) == -1)
		return;
	mk = (struct blockd_make){ &req.cred, &req.dir, &req.name, &req.sattr,
	    0644, req.how == 2, blockd_make_file, &req };
	blockd_make_entry(peer, msg, &mk);
	xdr_free((xdrproc_t)xdr_bd_create_req, &req);
}

static int
blockd_make_dir(struct blockd_env *env, const struct blockd_make *mk,
    const struct store_cred *cred, const struct store_fh *dir, uint32_t mode,
    struct store_fh *fh, struct store_attr *attr)
{
	return store_mkdir(env->store, cred, dir, mk->name->bd_name_val,
	    mk->name->bd_name_len, mode, fh, attr);
}

static void
blockd_mkdir(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct bd_mkdir_req req;
	struct blockd_make mk;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_mkdir_req, &req) == -1)
		return;
	mk = (struct blockd_make){ &req.cred, &req.dir, &req.name, &req.sattr,
	    0755, 0, blockd_make_dir, &req };
	blockd_make_entry(peer, msg, &mk);
	xdr_free((xdrproc_t)xdr_bd_mkdir_req, &req);
}

static int
blockd_make_symlink(struct blockd_env *env, const struct blockd_make *mk,
    const struct store_cred *cred, const struct store_fh *dir, uint32_t mode,
    struct store_fh *fh, struct store_attr *attr)
{
	const struct bd_symlink_req *req = mk->req;

	return store_symlink(env->store, cred, dir, mk->name->bd_name_val,
	    mk->name->bd_name_len, req->target.target_val,
	    req->target.target_len, fh, attr);
}

static void
blockd_symlink(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct bd_symlink_req req;
	struct blockd_make mk;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_symlink_req,
	    &req) == -1)
		return;
	mk = (struct blockd_make){ &req.cred, &req.dir, &req.name, &req.sattr,
	    0777, 0, blockd_make_symlink, &req };
	blockd_make_entry(peer, msg, &mk);
	xdr_free((xdrproc_t)xdr_bd_symlink_req, &req);
}

static int
blockd_make_node(struct blockd_env *env, const struct blockd_make *mk,
    const struct store_cred *cred, const struct store_fh *dir, uint32_t mode,
    struct store_fh *fh, struct store_attr *attr)
{
	const struct bd_mknod_req *req = mk->req;

	return store_mknod(env->store, cred, dir, mk->name->bd_name_val,
	    mk->name->bd_name_len, (enum store_type)req->type, mode, req->rdev,
	    fh, attr);
}

static void
blockd_mknod(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct bd_mknod_req req;
	struct blockd_make mk;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_mknod_req, &req) == -1)
		return;
	mk = (struct blockd_make){ &req.cred, &req.dir, &req.name, &req.sattr,
	    0644, 0, blockd_make_node, &req };
	blockd_make_entry(peer, msg, &mk);
	xdr_free((xdrproc_t)xdr_bd_mknod_req, &req);
}

static void
blockd_link(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_link_req req;
	struct bd_link_reply rep;
	struct store_cred cred;
	struct store_fh fh, dir;
	struct store_attr attr;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_link_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	blockd_cred_in(&req.cred, &cred);
	if ((rep.status = blockd_fh_in(&req.fh, &fh)) == 0 &&
	    (rep.status = blockd_fh_in(&req.dir, &dir)) == 0) {
		blockd_wcc_before(env, &dir, &rep.dir);
		rep.status = store_link(env->store, &cred, &fh, &dir,
		    req.name.bd_name_val, req.name.bd_name_len, &attr);
		if (rep.dir.valid)
			blockd_wcc_after(env, &dir, &rep.dir);
		if (rep.status == 0 ||
		    store_getattr(env->store, &fh, &attr) == 0) {
			rep.attr_valid = 1;
			blockd_attr_out(&attr, &rep.attr);
		}
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_link_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_link_req, &req);
}

static void
blockd_unlink(struct ipc_peer *peer, struct ipc_msg *msg, int rmdir)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_dirop_req req;
	struct bd_wcc_reply rep;
	struct store_cred cred;
	struct store_fh dir;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_dirop_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	blockd_cred_in(&req.cred, &cred);
	if ((rep.status = blockd_fh_in(&req.dir, &dir)) == 0) {
		blockd_wcc_before(env, &dir, &rep.obj);
		rep.status = (rmdir ? store_rmdir : store_remove)(env->store,
		    &cred, &dir, req.name.bd_name_val, req.name.bd_name_len);
		if (rep.obj.valid)
			blockd_wcc_after(env, &dir, &rep.obj);
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_wcc_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_dirop_req, &req);
}

static void
blockd_remove(struct ipc_peer *peer, struct ipc_msg *msg)
{
	blockd_unlink(peer, msg, 0);
}

static void
blockd_rmdir(struct ipc_peer *peer, struct ipc_msg *msg)
{
	blockd_unlink(peer, msg, 1);
}

static void
blockd_rename(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_rename_req req;
	struct bd_rename_reply rep;
	struct store_cred cred;
	struct store_fh from, to;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_rename_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	blockd_cred_in(&req.cred, &cred);
	if ((rep.status = blockd_fh_in(&req.fromdir, &from)) == 0 &&
	    (rep.status = blockd_fh_in(&req.todir, &to)) == 0) {
		blockd_wcc_before(env, &from, &rep.fromdir);
		blockd_wcc_before(env, &to, &rep.todir);
		rep.status = store_rename(env->store, &cred, &from,
		    req.from.bd_name_val, req.from.bd_name_len, &to,
		    req.to.bd_name_val, req.to.bd_name_len);
		if (rep.fromdir.valid)
			blockd_wcc_after(env, &from, &rep.fromdir);
		if (rep.todir.valid)
			blockd_wcc_after(env, &to, &rep.todir);
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_rename_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_rename_req, &req);
}

static void
blockd_readdir(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_readdir_req req;
	struct bd_readdir_reply rep;
	struct store_cred cred;
	struct store_fh dir;
	struct store_dirent *ents = NULL;
	struct store_attr dattr, pattr;
	struct store_fh pfh;
	bd_dirent *out = NULL;
	size_t n = 0, i, max;
	uint8_t verf[STORE_VERF_SIZE];
	int eof = 0;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_readdir_req,
	    &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	blockd_cred_in(&req.cred, &cred);
	max = req.maxents == 0 || req.maxents > BD_READDIR_MAX ?
	    BD_READDIR_MAX : req.maxents;
	if ((rep.status = blockd_fh_in(&req.dir, &dir)) == 0 &&
	    ((ents = calloc(max, sizeof(*ents))) == NULL ||
	    (out = calloc(max, sizeof(*out))) == NULL))
		rep.status = -ENOMEM;
	if (rep.status == 0)
		rep.status = store_readdir(env->store, &cred, &dir, req.cookie,
		    verf, ents, max, req.plus, &n, &eof);
	if (rep.status == 0) {
		memcpy(rep.verf, verf, sizeof(rep.verf));
		for (i = 0; i < n; i++) {
			out[i].ino = ents[i].ino;
			out[i].cookie = ents[i].cookie;
			out[i].type = ents[i].type;
			out[i].name.bd_name_len = ents[i].namelen;
			out[i].name.bd_name_val = ents[i].name;
			if (req.plus) {
				blockd_fh_out(&ents[i].fh, &out[i].fh);
				blockd_attr_out(&ents[i].attr, &out[i].attr);
			}
		}
		rep.entries.entries_len = (u_int)n;
		rep.entries.entries_val = out;
		rep.eof = eof;
	}
	if (rep.status != -EBADMSG && store_getattr(env->store, &dir,
	    &dattr) == 0)
		blockd_attr_out(&dattr, &rep.dir);
	/* The first batch: the front end lists ".." with its handle. */
	if (rep.status == 0 && req.cookie == 0 &&
	    store_lookup(env->store, &cred, &dir, "..", 2, &pfh,
	    &pattr) == 0) {
		blockd_fh_out(&pfh, &rep.parent_fh);
		blockd_attr_out(&pattr, &rep.parent);
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_readdir_reply, &rep);
	free(ents);
	free(out);
	xdr_free((xdrproc_t)xdr_bd_readdir_req, &req);
}

static void
blockd_readlink(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_fh_req req;
	struct bd_readlink_reply rep;
	struct store_fh fh;
	struct store_attr attr;
	char target[STORE_SYMLINK_MAX + 1];
	size_t len = 0;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_fh_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	if ((rep.status = blockd_fh_in(&req.fh, &fh)) == 0)
		rep.status = store_readlink(env->store, &fh, target,
		    sizeof(target), &len);
	if (rep.status == 0) {
		rep.target.target_len = (u_int)len;
		rep.target.target_val = target;
	}
	if (rep.status != -EBADMSG && store_getattr(env->store, &fh,
	    &attr) == 0)
		blockd_attr_out(&attr, &rep.attr);
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_readlink_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_fh_req, &req);
}

static void
blockd_statfs(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_fh_req req;
	struct bd_statfs_reply rep;
	struct store_statfs sf;
	struct store_fh fh;
	struct store_attr attr;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_fh_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	if ((rep.status = blockd_fh_in(&req.fh, &fh)) == 0)
		rep.status = store_statfs(env->store, &fh, &sf);
	if (rep.status == 0) {
		rep.bytes_total = sf.bytes_total;
		rep.bytes_free = sf.bytes_free;
		rep.bytes_avail = sf.bytes_avail;
		rep.files_total = sf.files_total;
		rep.files_free = sf.files_free;
		rep.files_avail = sf.files_avail;
		if (store_getattr(env->store, &fh, &attr) == 0)
			blockd_attr_out(&attr, &rep.attr);
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_statfs_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_fh_req, &req);
}

/* The data path: the backing fd goes to the front end with the reply. */
static void
blockd_open_io(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_open_io_req req;
	struct bd_attr_reply rep;
	struct store_cred cred;
	struct store_fh fh;
	struct store_attr attr;
	int fd = -1;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_open_io_req,
	    &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	blockd_cred_in(&req.cred, &cred);
	if ((rep.status = blockd_fh_in(&req.fh, &fh)) == 0)
		rep.status = store_open_io(env->store, &cred, &fh,
		    (int)req.flags, &fd, &attr);
	if (rep.status == 0)
		blockd_attr_out(&attr, &rep.attr);
	blockd_reply(peer, msg, fd, (xdrproc_t)xdr_bd_attr_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_open_io_req, &req);
}

static void
blockd_commit(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_fh_req req;
	struct bd_attr_reply rep;
	struct store_fh fh;
	struct store_attr attr;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_fh_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	if ((rep.status = blockd_fh_in(&req.fh, &fh)) == 0)
		rep.status = store_commit(env->store, &fh);
	if (rep.status == 0 && store_getattr(env->store, &fh, &attr) == 0)
		blockd_attr_out(&attr, &rep.attr);
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_attr_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_fh_req, &req);
}

static void
blockd_xattr(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_xattr_req req;
	struct bd_xattr_reply rep;
	struct store_cred cred;
	struct store_fh fh;
	char *buf = NULL;
	size_t len = 0;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_xattr_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	blockd_cred_in(&req.cred, &cred);
	rep.status = blockd_fh_in(&req.fh, &fh);
	if (rep.status == 0 && (msg->hdr.type == BD_XATTR_GET ||
	    msg->hdr.type == BD_XATTR_LIST) &&
	    (buf = malloc(BD_XATTR_SIZE_MAX)) == NULL)
		rep.status = -ENOMEM;
	if (rep.status == 0) {
		switch (msg->hdr.type) {
		case BD_XATTR_GET:
			rep.status = store_xattr_get(env->store, &cred, &fh,
			    req.name.name_val, req.name.name_len, buf,
			    BD_XATTR_SIZE_MAX, &len);
			break;
		case BD_XATTR_LIST:
			rep.status = store_xattr_list(env->store, &cred, &fh,
			    buf, BD_XATTR_SIZE_MAX, &len);
			break;
		case BD_XATTR_SET:
			rep.status = store_xattr_set(env->store, &cred, &fh,
			    req.name.name_val, req.name.name_len,
			    req.value.value_val, req.value.value_len,
			    (int)req.flags);
			break;
		case BD_XATTR_REMOVE:
			rep.status = store_xattr_remove(env->store, &cred, &fh,
			    req.name.name_val, req.name.name_len);
			break;
		}
	}
	if (rep.status == 0 && buf != NULL) {
		rep.data.data_len = (u_int)len;
		rep.data.data_val = buf;
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_xattr_reply, &rep);
	free(buf);
	xdr_free((xdrproc_t)xdr_bd_xattr_req, &req);
}

/*
 * A change to an inode or a directory entry goes to every front end that
 * caches (nfsd, smbd), the one that made it too: each answers access
 * queries, attributes and lookups from what it holds, trusting it until
 * a note says otherwise.  A note precedes the reply of the operation
 * that caused it on the same channel, so a front end drops an entry
 * before it stores the reply's fresh one (DESIGN.md section 4).
 */
#define CACHING_FRONT_ENDS (IPC_ROLE_BIT(IPC_ROLE_NFSD) | \
	IPC_ROLE_BIT(IPC_ROLE_SMBD))

void
blockd_ops_notify(void *arg, const struct store_notify *note)
{
	struct blockd_env *env = arg;
	struct ipc_server *srv = env->daemon->service;
	struct ipc_peer *peer;
	struct bd_notify n;

	if (srv == NULL)
		return;
	memset(&n, 0, sizeof(n));
	blockd_fh_out(&note->fh, &n.fh);
	n.share = note->share;
	n.ino = note->ino;
	n.what = note->what;
	n.name.bd_name_len = (u_int)note->namelen;
	n.name.bd_name_val = (char *)(uintptr_t)note->name;
	for (peer = ipc_server_peer_first(srv); peer != NULL;
	    peer = ipc_server_peer_next(peer)) {
		/* A peer before its HELLO has no role yet. */
		if (!(IPC_ROLE_BIT(ipc_peer_role(peer)) & CACHING_FRONT_ENDS))
			continue;
		env->notifies++;
		ipc_send_xdr(ipc_peer_channel(peer), BD_NOTIFY, 0, 0, -1,
		    (xdrproc_t)xdr_bd_notify, &n);
	}
}

#define FRONT_ENDS (IPC_ROLE_BIT(IPC_ROLE_NFSD) | \
	IPC_ROLE_BIT(IPC_ROLE_SMBD) | IPC_ROLE_BIT(IPC_ROLE_LOCKD))

/* Who may send what: every front end the whole file-system API. */
const struct ipc_handler blockd_handlers[] = {
	{ BD_SHARE_ROOT, FRONT_ENDS, blockd_share_root },
	{ BD_LOOKUP, FRONT_ENDS, blockd_lookup },
	{ BD_GETATTR, FRONT_ENDS, blockd_getattr },
	{ BD_SETATTR, FRONT_ENDS, blockd_setattr },
	{ BD_ACCESS, FRONT_ENDS, blockd_access },
	{ BD_CREATE, FRONT_ENDS, blockd_create },
	{ BD_MKDIR, FRONT_ENDS, blockd_mkdir },
	{ BD_SYMLINK, FRONT_ENDS, blockd_symlink },
	{ BD_MKNOD, FRONT_ENDS, blockd_mknod },
	{ BD_LINK, FRONT_ENDS, blockd_link },
	{ BD_REMOVE, FRONT_ENDS, blockd_remove },
	{ BD_RMDIR, FRONT_ENDS, blockd_rmdir },
	{ BD_RENAME, FRONT_ENDS, blockd_rename },
	{ BD_READDIR, FRONT_ENDS, blockd_readdir },
	{ BD_READLINK, FRONT_ENDS, blockd_readlink },
	{ BD_STATFS, FRONT_ENDS, blockd_statfs },
	{ BD_OPEN_IO, FRONT_ENDS, blockd_open_io },
	{ BD_COMMIT, FRONT_ENDS, blockd_commit },
	{ BD_XATTR_GET, FRONT_ENDS, blockd_xattr },
	{ BD_XATTR_SET, FRONT_ENDS, blockd_xattr },
	{ BD_XATTR_LIST, FRONT_ENDS, blockd_xattr },
	{ BD_XATTR_REMOVE, FRONT_ENDS, blockd_xattr },
};
const size_t blockd_nhandlers = sizeof(blockd_handlers) /
    sizeof(blockd_handlers[0]);
