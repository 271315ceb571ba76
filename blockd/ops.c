/*
 * The file-system operations front ends send (common/blockd_msg.x),
 * each mapped onto one store call.  A handler decodes, holds the request
 * to its share's rules (blockd_gate: served share, read only, squashing),
 * converts, calls the store, and queues its BD_REPLY; which role may send
 * which type is the table at the end.  The replies of one batch leave
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
#include "share_rules.h"

/* Log lines a front end can cause again and again: one per this. */

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
	struct blockd_peer *bp = ipc_peer_data(peer);

	blockd_env_of(peer)->ops++;
	if (ipc_reply_xdr(ipc_peer_channel(peer), msg, BD_REPLY, fd, proc,
	    obj) == -1) {
		/* A front end waiting for a reply that never comes hangs. */
		log_warn("reply to %s; disconnecting it", ipc_peer_name(peer));
		ipc_channel_close(ipc_peer_channel(peer), "reply not queued");
		return;
	}
	/* What it caches from this reply, a later note must reach. */
	if (bp != NULL)
		bp->resync_queued = 0;
}

/*
 * exports(5) squashing, as nfsd/export.c applies it, done again here so
 * that a front end cannot claim more than its protocol could: all_squash
 * maps everyone to the anonymous ids, root_squash uid 0 and gid 0 (also
 * among the groups).
 */
static void
blockd_cred_in(const bd_cred *in, const struct blockd_share *sh,
    unsigned int role, struct store_cred *out)
{
	u_int i, n;

	memset(out, 0, sizeof(*out));
	/* dittofs.conf(5) "smb bypass traverse checking": SMB's callers. */
	if (sh->smb_bypass_traverse && role == IPC_ROLE_SMBD)
		out->flags |= STORE_CRED_BYPASS_TRAVERSE;
	out->uid = in->uid;
	out->gid = in->gid;
	n = in->groups.groups_len < STORE_NGROUPS_MAX ?
	    in->groups.groups_len : STORE_NGROUPS_MAX;
	for (i = 0; i < n; i++)
		out->groups[i] = in->groups.groups_val[i];
	out->ngroups = share_rules_squash(&sh->squash, 0, &out->uid,
	    &out->gid, out->groups, n);
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
	out->dos = a->dos;
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
	out->dos = in->dos;
	blockd_time_in(&in->ctime, &out->ctime);
	blockd_time_in(&in->btime, &out->btime);
}

/*
 * The share rules of a request (DESIGN.md section 6), whatever the front
 * end claims: its handle must be of a share blockd serves (-ESTALE), a
 * change to a read-only share is refused (-EROFS), and the credential
 * (cred, when the request has one that counts) is squashed by the
 * share's rules into *out.  The handle itself is verified by the store
 * call that follows.
 */
static int
blockd_gate(struct ipc_peer *peer, const bd_fh *fh, int modifies,
    const bd_cred *cred, struct store_cred *out)
{
	struct blockd_env *env = blockd_env_of(peer);
	const struct blockd_share *sh;
	struct store_fh sfh;
	uint32_t id;
	int rv;

	if ((rv = blockd_fh_in(fh, &sfh)) != 0 ||
	    (rv = store_fh_share(&sfh, &id)) != 0)
		return rv;
	if ((sh = blockd_share_by_id(env, id)) == NULL)
		return -ESTALE;
	if (modifies && sh->read_only)
		return -EROFS;
	if (cred != NULL)
		blockd_cred_in(cred, sh, ipc_peer_role(peer), out);
	return 0;
}

static int
blockd_share_read_only(struct ipc_peer *peer, const bd_fh *fh)
{
	return blockd_gate(peer, fh, 1, NULL, NULL) == -EROFS;
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

/* A front end may ask again and again: the limiter keeps it short. */
static void
blockd_refusal_log(struct ipc_peer *peer, const char *name)
{
	log_warnx_rl("%s asked to create share \"%.64s\": refused, shares "
	    "come from the configuration", ipc_peer_name(peer), name);
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
	/* Only the configuration makes shares (blockd.c at start, reload). */
	if (blockd_share_by_name(env, req.name) == NULL) {
		rep.status = req.create ? -EPERM : -ENOENT;
		if (req.create)
			blockd_refusal_log(peer, req.name);
	} else
		rep.status = store_share_root(env->store, req.name, 0, &fh,
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
	if ((rep.status = blockd_gate(peer, &req.dir, 0, &req.cred,
	    &cred)) == 0 && (rep.status = blockd_fh_in(&req.dir, &dir)) == 0)
		rep.status = store_lookup(env->store, &cred, &dir,
		    req.name.bd_name_val, req.name.bd_name_len, &fh, &attr);
	if (rep.status == 0) {
		blockd_fh_out(&fh, &rep.fh);
		blockd_attr_out(&attr, &rep.attr);
	}
	/* NFSv3 LOOKUP returns the directory's attributes either way. */
	if (rep.status != -EBADMSG && rep.status != -ESTALE &&
	    blockd_fh_in(&req.dir, &dir) == 0) {
		rep.dir.valid = 1;
		blockd_wcc_after(env, &dir, &rep.dir);
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_entry_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_dirop_req, &req);
}

/* smbd's 8.3 names: a directory's entry by its inode number. */
static void
blockd_lookup_ino(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_lookup_ino_req req;
	struct bd_lookup_ino_reply rep;
	struct store_cred cred;
	struct store_fh dir, fh;
	struct store_attr attr;
	char name[STORE_NAME_MAX];
	size_t namelen;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_lookup_ino_req,
	    &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	if ((rep.status = blockd_gate(peer, &req.dir, 0, &req.cred,
	    &cred)) == 0 && (rep.status = blockd_fh_in(&req.dir, &dir)) == 0)
		rep.status = store_lookup_ino(env->store, &cred, &dir,
		    req.ino, name, &namelen, &fh, &attr);
	if (rep.status == 0) {
		rep.name.bd_name_len = (u_int)namelen;
		rep.name.bd_name_val = name;
		blockd_fh_out(&fh, &rep.fh);
		blockd_attr_out(&attr, &rep.attr);
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_lookup_ino_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_lookup_ino_req, &req);
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
	if ((rep.status = blockd_gate(peer, &req.fh, 0, NULL, NULL)) == 0 &&
	    (rep.status = blockd_fh_in(&req.fh, &fh)) == 0)
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
	blockd_sattr_in(&req.sattr, &sattr);
	if ((rep.status = blockd_gate(peer, &req.fh, 1, &req.cred,
	    &cred)) == 0 && (rep.status = blockd_fh_in(&req.fh, &fh)) == 0)
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
	if ((rep.status = blockd_gate(peer, &req.fh, 0, &req.cred,
	    &cred)) == 0 && (rep.status = blockd_fh_in(&req.fh, &fh)) == 0)
		rep.status = store_access(env->store, &cred, &fh, req.want,
		    &granted, &attr);
	/* knfsd's nfsd_access: nothing on a read-only export changes. */
	if (rep.status == 0 && blockd_share_read_only(peer, &req.fh))
		granted &= ~(uint32_t)(STORE_ACCESS_MODIFY |
		    STORE_ACCESS_EXTEND | STORE_ACCESS_DELETE);
	if (rep.status == 0) {
		rep.granted = granted;
		blockd_attr_out(&attr, &rep.attr);
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_access_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_access_req, &req);
}

/* Nothing that changes anything, on a read-only share. */
#define BLOCKD_ACL_CHANGES	(ACL_WRITE_DATA | ACL_APPEND_DATA | \
	ACL_WRITE_NAMED_ATTRS | ACL_DELETE_CHILD | ACL_WRITE_ATTRIBUTES | \
	ACL_DELETE | ACL_WRITE_ACL | ACL_WRITE_OWNER)

/* smbd: a CREATE's DesiredAccess and MxAc (smbd/file.c, create_ctx.c). */
static void
blockd_access_mask(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_access_mask_req req;
	struct bd_access_reply rep;
	struct store_cred cred;
	struct store_fh fh, dir;
	struct store_attr attr;
	uint32_t granted = 0;
	int has_dir;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_access_mask_req,
	    &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	has_dir = req.dir.bd_fh_len != 0;
	if ((rep.status = blockd_gate(peer, &req.fh, 0, &req.cred,
	    &cred)) == 0 && (rep.status = blockd_fh_in(&req.fh, &fh)) == 0 &&
	    (!has_dir || (rep.status = blockd_fh_in(&req.dir, &dir)) == 0))
		rep.status = store_access_mask(env->store, &cred, &fh,
		    has_dir ? &dir : NULL, &granted, &attr);
	if (rep.status == 0 && blockd_share_read_only(peer, &req.fh))
		granted &= ~(uint32_t)BLOCKD_ACL_CHANGES;
	if (rep.status == 0) {
		rep.granted = granted;
		blockd_attr_out(&attr, &rep.attr);
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_access_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_access_mask_req, &req);
}

/*
 * The four ways to make a name (CREATE, MKDIR, SYMLINK, MKNOD) share
 * everything but what they make: the share's rules, the directory's wcc
 * around it, and the entry reply.  What the sattr asks beyond the mode
 * is made in the same transaction (store_make): all or nothing.
 */
struct blockd_make {
	const bd_cred	*cred;
	const bd_fh	*dir;
	const bd_name	*name;
	const bd_sattr	*sattr;
	uint32_t	 default_mode;
	struct store_new nw;		/* type and what only it needs */
};

static void
blockd_make_entry(struct ipc_peer *peer, struct ipc_msg *msg,
    struct blockd_make *mk)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_entry_reply rep;
	struct store_cred cred;
	struct store_sattr sattr;
	struct store_fh dir, fh;
	struct store_attr attr;
	int rc;

	memset(&rep, 0, sizeof(rep));
	blockd_sattr_in(mk->sattr, &sattr);
	mk->nw.mode = mk->sattr->mask & STORE_SATTR_MODE ? mk->sattr->mode :
	    mk->default_mode;
	/* No mode asked: an inherited ACL stands (store_open's rule). */
	mk->nw.mode_default = !(mk->sattr->mask & STORE_SATTR_MODE);
	mk->nw.sattr = &sattr;
	if ((rc = blockd_gate(peer, mk->dir, 1, mk->cred, &cred)) == 0 &&
	    (rc = blockd_fh_in(mk->dir, &dir)) == 0) {
		blockd_wcc_before(env, &dir, &rep.dir);
		rc = store_make(env->store, &cred, &dir, mk->name->bd_name_val,
		    mk->name->bd_name_len, &mk->nw, &fh, &attr);
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
	    0644, { .type = STORE_TYPE_REG } };
	mk.nw.how = req.how == 2 ? STORE_CREATE_EXCLUSIVE :
	    req.how == 1 ? STORE_CREATE_GUARDED : STORE_CREATE_UNCHECKED;
	mk.nw.verf = (const uint8_t *)req.verf;
	blockd_make_entry(peer, msg, &mk);
	xdr_free((xdrproc_t)xdr_bd_create_req, &req);
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
	    0755, { .type = STORE_TYPE_DIR } };
	blockd_make_entry(peer, msg, &mk);
	xdr_free((xdrproc_t)xdr_bd_mkdir_req, &req);
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
	    0777, { .type = STORE_TYPE_LNK } };
	mk.nw.target = req.target.target_val;
	mk.nw.targetlen = req.target.target_len;
	blockd_make_entry(peer, msg, &mk);
	xdr_free((xdrproc_t)xdr_bd_symlink_req, &req);
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
	    0644, { .type = (enum store_type)req.type } };
	mk.nw.rdev = req.rdev;
	/* Regular files, directories and symlinks have messages of their own. */
	if (req.type == STORE_TYPE_REG || req.type == STORE_TYPE_DIR ||
	    req.type == STORE_TYPE_LNK)
		mk.nw.type = (enum store_type)0;
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
	if ((rep.status = blockd_gate(peer, &req.fh, 1, NULL, NULL)) == 0 &&
	    (rep.status = blockd_gate(peer, &req.dir, 1, &req.cred,
	    &cred)) == 0 &&
	    (rep.status = blockd_fh_in(&req.fh, &fh)) == 0 &&
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
	if ((rep.status = blockd_gate(peer, &req.dir, 1, &req.cred,
	    &cred)) == 0 && (rep.status = blockd_fh_in(&req.dir, &dir)) == 0) {
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
	if ((rep.status = blockd_gate(peer, &req.todir, 1, NULL, NULL)) == 0 &&
	    (rep.status = blockd_gate(peer, &req.fromdir, 1, &req.cred,
	    &cred)) == 0 &&
	    (rep.status = blockd_fh_in(&req.fromdir, &from)) == 0 &&
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
	int eof = 0, plus;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_readdir_req,
	    &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	max = req.maxents == 0 || req.maxents > BD_READDIR_MAX ?
	    BD_READDIR_MAX : req.maxents;
	if ((rep.status = blockd_gate(peer, &req.dir, 0, &req.cred,
	    &cred)) == 0 && (rep.status = blockd_fh_in(&req.dir, &dir)) == 0 &&
	    ((ents = calloc(max, sizeof(*ents))) == NULL ||
	    (out = calloc(max, sizeof(*out))) == NULL))
		rep.status = -ENOMEM;
	/* Attributes with every entry (plus), filtered, with xattr counts. */
	plus = req.plus ? 1 : 0;
	if (msg->hdr.type == BD_READDIR_READABLE)
		plus = 1 | STORE_READDIR_READABLE;
	if (plus != 0 && req.named)
		plus |= STORE_READDIR_XATTRS;
	if (rep.status == 0)
		rep.status = store_readdir(env->store, &cred, &dir, req.cookie,
		    verf, ents, max, plus, &n, &eof);
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
			out[i].named = ents[i].xattrs;
		}
		rep.entries.entries_len = (u_int)n;
		rep.entries.entries_val = out;
		rep.eof = eof;
	}
	if (rep.status != -EBADMSG && rep.status != -ESTALE &&
	    blockd_fh_in(&req.dir, &dir) == 0 &&
	    store_getattr(env->store, &dir, &dattr) == 0)
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
	if ((rep.status = blockd_gate(peer, &req.fh, 0, NULL, NULL)) == 0 &&
	    (rep.status = blockd_fh_in(&req.fh, &fh)) == 0)
		rep.status = store_readlink(env->store, &fh, target,
		    sizeof(target), &len);
	if (rep.status == 0) {
		rep.target.target_len = (u_int)len;
		rep.target.target_val = target;
	}
	if (rep.status != -EBADMSG && rep.status != -ESTALE &&
	    store_getattr(env->store, &fh, &attr) == 0)
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
	if ((rep.status = blockd_gate(peer, &req.fh, 0, NULL, NULL)) == 0 &&
	    (rep.status = blockd_fh_in(&req.fh, &fh)) == 0)
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
	if ((rep.status = blockd_gate(peer, &req.fh,
	    (req.flags & STORE_IO_WRITE) != 0, &req.cred, &cred)) == 0 &&
	    (rep.status = blockd_fh_in(&req.fh, &fh)) == 0)
		rep.status = store_open_io(env->store, &cred, &fh,
		    (int)req.flags, &fd, &attr);
	if (rep.status == 0)
		blockd_attr_out(&attr, &rep.attr);
	blockd_reply(peer, msg, fd, (xdrproc_t)xdr_bd_attr_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_open_io_req, &req);
}

/*
 * Open by name with a disposition (store_open_name): the directory's
 * wcc around it, and the backing fd with the reply when io asks for it.
 */
static void
blockd_open(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_open_req req;
	struct bd_open_reply rep;
	struct store_cred cred;
	struct store_sattr sattr;
	struct store_open op;
	struct store_fh dir, fh;
	struct store_attr attr;
	enum store_opened what = 0;
	int fd = -1, modifies;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_open_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	blockd_sattr_in(&req.sattr, &sattr);
	memset(&op, 0, sizeof(op));
	op.disp = (enum store_disposition)req.disposition;
	op.mode = req.mode;
	op.sattr = &sattr;
	op.verf = (const uint8_t *)req.verf;
	/* Bits beyond STORE_IO_* are the store's -EINVAL. */
	op.access = (int)req.access;
	op.io = (int)req.io;
	op.flags = req.flags;
	modifies = req.disposition != STORE_DISP_OPEN ||
	    ((req.access | req.io) & STORE_IO_WRITE) != 0;
	if ((rep.status = blockd_gate(peer, &req.dir, modifies, &req.cred,
	    &cred)) == 0 && (rep.status = blockd_fh_in(&req.dir, &dir)) == 0) {
		blockd_wcc_before(env, &dir, &rep.dir);
		rep.status = store_open_name(env->store, &cred, &dir,
		    req.name.bd_name_val, req.name.bd_name_len, &op, &fh,
		    &attr, &what, op.io != 0 ? &fd : NULL);
		if (rep.dir.valid)
			blockd_wcc_after(env, &dir, &rep.dir);
	}
	if (rep.status == 0) {
		blockd_fh_out(&fh, &rep.fh);
		blockd_attr_out(&attr, &rep.attr);
		rep.opened = what;
	}
	blockd_reply(peer, msg, fd, (xdrproc_t)xdr_bd_open_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_open_req, &req);
}

/* A named stream of a file, its fd with the reply (store_stream_open). */
static void
blockd_stream_open(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_stream_open_req req;
	struct bd_stream_open_reply rep;
	struct store_cred cred;
	struct store_open op;
	struct store_fh fh;
	struct store_attr attr;
	enum store_opened what = 0;
	uint64_t size = 0;
	int fd = -1, modifies;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_stream_open_req,
	    &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	memset(&op, 0, sizeof(op));
	op.disp = (enum store_disposition)req.disposition;
	op.access = (int)req.access;
	op.io = (int)req.io;
	modifies = req.disposition != STORE_DISP_OPEN ||
	    ((req.access | req.io) & STORE_IO_WRITE) != 0;
	if ((rep.status = blockd_gate(peer, &req.fh, modifies, &req.cred,
	    &cred)) == 0 && (rep.status = blockd_fh_in(&req.fh, &fh)) == 0)
		rep.status = store_stream_open(env->store, &cred, &fh,
		    req.name.bd_name_val, req.name.bd_name_len, &op, &what,
		    &fd, &size, &attr);
	if (rep.status == 0) {
		rep.opened = what;
		rep.size = size;
		blockd_attr_out(&attr, &rep.attr);
	}
	blockd_reply(peer, msg, fd, (xdrproc_t)xdr_bd_stream_open_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_stream_open_req, &req);
}

static void
blockd_stream_remove(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_stream_req req;
	struct bd_attr_reply rep;
	struct store_cred cred;
	struct store_fh fh;
	struct store_attr attr;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_stream_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	if ((rep.status = blockd_gate(peer, &req.fh, 1, &req.cred,
	    &cred)) == 0 && (rep.status = blockd_fh_in(&req.fh, &fh)) == 0 &&
	    (rep.status = store_stream_remove(env->store, &cred, &fh,
	    req.name.bd_name_val, req.name.bd_name_len)) == 0 &&
	    (rep.status = store_getattr(env->store, &fh, &attr)) == 0)
		blockd_attr_out(&attr, &rep.attr);
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_attr_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_stream_req, &req);
}

static void
blockd_stream_rename(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_stream_rename_req req;
	struct bd_attr_reply rep;
	struct store_cred cred;
	struct store_fh fh;
	struct store_attr attr;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_stream_rename_req,
	    &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	if ((rep.status = blockd_gate(peer, &req.fh, 1, &req.cred,
	    &cred)) == 0 && (rep.status = blockd_fh_in(&req.fh, &fh)) == 0 &&
	    (rep.status = store_stream_rename(env->store, &cred, &fh,
	    req.from.bd_name_val, req.from.bd_name_len, req.to.bd_name_val,
	    req.to.bd_name_len, req.replace != 0)) == 0 &&
	    (rep.status = store_getattr(env->store, &fh, &attr)) == 0)
		blockd_attr_out(&attr, &rep.attr);
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_attr_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_stream_rename_req, &req);
}

static void
blockd_named_list(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_fh_req req;
	struct bd_named_list_reply rep;
	struct store_cred cred;
	struct store_named *ents = NULL;
	struct store_fh fh;
	bd_named *out = NULL;
	size_t n = 0, i;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_fh_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	if ((rep.status = blockd_gate(peer, &req.fh, 0, &req.cred,
	    &cred)) == 0 && (rep.status = blockd_fh_in(&req.fh, &fh)) == 0 &&
	    ((ents = calloc(BD_NAMED_MAX, sizeof(*ents))) == NULL ||
	    (out = calloc(BD_NAMED_MAX, sizeof(*out))) == NULL))
		rep.status = -ENOMEM;
	if (rep.status == 0)
		rep.status = store_named_list(env->store, &cred, &fh, ents,
		    BD_NAMED_MAX, &n);
	if (rep.status == 0) {
		for (i = 0; i < n; i++) {
			out[i].kind = ents[i].kind;
			out[i].name.bd_name_len = ents[i].namelen;
			out[i].name.bd_name_val = ents[i].name;
			out[i].size = ents[i].size;
			out[i].used = ents[i].used;
		}
		rep.entries.entries_len = (u_int)n;
		rep.entries.entries_val = out;
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_named_list_reply, &rep);
	free(ents);
	free(out);
	xdr_free((xdrproc_t)xdr_bd_fh_req, &req);
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
	if ((rep.status = blockd_gate(peer, &req.fh, 1, NULL, NULL)) == 0 &&
	    (rep.status = blockd_fh_in(&req.fh, &fh)) == 0)
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
	rep.status = blockd_gate(peer, &req.fh, msg->hdr.type == BD_XATTR_SET ||
	    msg->hdr.type == BD_XATTR_REMOVE, &req.cred, &cred);
	if (rep.status == 0)
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

_Static_assert(BD_ACL_MAX == ACL_ENCODED_MAX && BD_ACL_MAX == STORE_ACL_MAX,
    "BD_ACL_MAX is common/acl.h's ACL_ENCODED_MAX");

/* An inode's ACL (common/acl.h encoding): SET is a change, GET is not. */
static void
blockd_acl(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct bd_acl_req req;
	struct bd_acl_reply rep;
	struct store_cred cred;
	struct store_attr attr;
	struct store_fh fh;
	uint8_t buf[BD_ACL_MAX];
	size_t len = 0;
	int set = msg->hdr.type == BD_ACL_SET;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_acl_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	rep.status = blockd_gate(peer, &req.fh, set, &req.cred, &cred);
	if (rep.status == 0)
		rep.status = blockd_fh_in(&req.fh, &fh);
	if (rep.status == 0 && !set && req.acl.acl_len != 0)
		rep.status = -EINVAL;
	if (rep.status == 0) {
		if (set)
			rep.status = store_acl_set(env->store, &cred, &fh,
			    req.acl.acl_val, req.acl.acl_len);
		else
			rep.status = store_acl_get(env->store, &cred, &fh,
			    buf, sizeof(buf), &len);
	}
	if (rep.status == 0)
		rep.status = store_getattr(env->store, &fh, &attr);
	if (rep.status == 0) {
		blockd_attr_out(&attr, &rep.attr);
		rep.acl.acl_len = (u_int)len;
		rep.acl.acl_val = (char *)buf;
	}
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_acl_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_acl_req, &req);
}

/*
 * A change to an inode or a directory entry goes to every front end that
 * caches (nfsd), the one that made it too: each answers access queries,
 * attributes and lookups from what it holds, trusting it until a note
 * says otherwise.  A note precedes the reply of the operation that caused
 * it on the same channel, so a front end drops an entry before it stores
 * the reply's fresh one (DESIGN.md section 4).  smbd caches nothing from
 * blockd yet: it gets the notes of the directories it watches for
 * CHANGE_NOTIFY (BD_WATCH) and no others.  Every note woke it for
 * nothing when it got them all: with smbd idle beside nfsd, nfsd's
 * creates ran 10-20% and its removes 20-40% slower (bench/RESULTS.md,
 * 2026-12-06).  It joins this set when it caches.
 */
#define CACHING_FRONT_ENDS IPC_ROLE_BIT(IPC_ROLE_NFSD)
/* Front ends that get the notes of the directories they watch alone. */
#define WATCHING_FRONT_ENDS IPC_ROLE_BIT(IPC_ROLE_SMBD)
/* A note's bytes at most: header, handle, name, the rest. */
#define BLOCKD_NOTE_MAX	(IPC_HDR_SIZE + 4 + BD_FH_MAX + 4 + BD_NAME_MAX + 32)

void
blockd_peer_hello(struct ipc_peer *peer, void *arg)
{
	struct blockd_peer *bp;

	if ((bp = calloc(1, sizeof(*bp))) == NULL) {
		/* Without it notes could be lost unnoticed: no service. */
		log_warn("%s", ipc_peer_name(peer));
		ipc_channel_close(ipc_peer_channel(peer), "out of memory");
		return;
	}
	ipc_peer_set_data(peer, bp);
}

void
blockd_peer_gone(struct ipc_peer *peer, void *arg)
{
	struct blockd_peer *bp = ipc_peer_data(peer);
	struct blockd_env *env = blockd_env_of(peer);

	if (bp != NULL) {
		env->tree_watches -= bp->ntree;
		free(bp->watched);
		free(bp->watchers);
		free(bp->tree_watchers);
	}
	free(bp);
	ipc_peer_set_data(peer, NULL);
}

/* Where ino is in bp's watched list, or where it would go. */
static size_t
blockd_watch_find(const struct blockd_peer *bp, uint64_t ino, int *found)
{
	size_t lo = 0, hi = bp->nwatched, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (bp->watched[mid] < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < bp->nwatched && bp->watched[lo] == ino;
	return lo;
}

/*
 * One watch more (on) or less of directory ino: counted, per open; tree
 * (BD_WATCH_TREE) counts it among the directory's tree watches too, and
 * in env's count of them all, which decides whether notes walk up.
 */
static int
blockd_watch_set(struct blockd_env *env, struct blockd_peer *bp,
    uint64_t ino, int on, int tree)
{
	uint64_t *grown;
	uint32_t *grown2;
	size_t at, cap, tail;
	int found;

	at = blockd_watch_find(bp, ino, &found);
	tail = bp->nwatched - at - (found ? 1 : 0);
	if (!on) {
		if (!found || (tree && bp->tree_watchers[at] == 0))
			return 0;
		if (tree) {
			bp->tree_watchers[at]--;
			bp->ntree--;
			env->tree_watches--;
		}
		if (--bp->watchers[at] == 0) {
			memmove(bp->watched + at, bp->watched + at + 1,
			    tail * sizeof(*bp->watched));
			memmove(bp->watchers + at, bp->watchers + at + 1,
			    tail * sizeof(*bp->watchers));
			memmove(bp->tree_watchers + at,
			    bp->tree_watchers + at + 1,
			    tail * sizeof(*bp->tree_watchers));
			bp->nwatched--;
		}
		return 0;
	}
	if (found) {
		if (bp->watchers[at] == UINT32_MAX)
			return -ENOSPC;
		bp->watchers[at]++;
	} else {
		if (bp->nwatched == BD_WATCH_MAX)
			return -ENOSPC;
		if (bp->nwatched == bp->capwatched) {
			cap = bp->capwatched ? bp->capwatched * 2 : 16;
			if ((grown = reallocarray(bp->watched, cap,
			    sizeof(*grown))) == NULL)
				return -ENOMEM;
			bp->watched = grown;
			if ((grown2 = reallocarray(bp->watchers, cap,
			    sizeof(*grown2))) == NULL)
				return -ENOMEM;
			bp->watchers = grown2;
			if ((grown2 = reallocarray(bp->tree_watchers, cap,
			    sizeof(*grown2))) == NULL)
				return -ENOMEM;
			bp->tree_watchers = grown2;
			bp->capwatched = cap;
		}
		memmove(bp->watched + at + 1, bp->watched + at,
		    tail * sizeof(*bp->watched));
		memmove(bp->watchers + at + 1, bp->watchers + at,
		    tail * sizeof(*bp->watchers));
		memmove(bp->tree_watchers + at + 1, bp->tree_watchers + at,
		    tail * sizeof(*bp->tree_watchers));
		bp->watched[at] = ino;
		bp->watchers[at] = 1;
		bp->tree_watchers[at] = 0;
		bp->nwatched++;
	}
	if (tree) {
		bp->tree_watchers[at]++;
		bp->ntree++;
		env->tree_watches++;
	}
	return 0;
}

/*
 * BD_WATCH: the notes of a directory, for a front end that watches;
 * BD_WATCH_TREE: and of the directories below it.
 */
static void
blockd_watch(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct blockd_env *env = blockd_env_of(peer);
	struct blockd_peer *bp = ipc_peer_data(peer);
	struct bd_watch_req req;
	struct bd_attr_reply rep;
	struct store_fh fh;
	struct store_attr attr;

	memset(&req, 0, sizeof(req));
	if (blockd_decode(peer, msg, (xdrproc_t)xdr_bd_watch_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	if ((rep.status = blockd_gate(peer, &req.fh, 0, NULL, NULL)) == 0 &&
	    (rep.status = blockd_fh_in(&req.fh, &fh)) == 0 &&
	    (rep.status = store_getattr(env->store, &fh, &attr)) == 0) {
		if (attr.type != STORE_TYPE_DIR)
			rep.status = -ENOTDIR;
		else if (bp == NULL)
			rep.status = -ENOMEM;
		else
			rep.status = blockd_watch_set(env, bp, attr.ino,
			    req.on, msg->hdr.type == BD_WATCH_TREE);
	}
	if (rep.status == 0)
		blockd_attr_out(&attr, &rep.attr);
	blockd_reply(peer, msg, -1, (xdrproc_t)xdr_bd_attr_reply, &rep);
	xdr_free((xdrproc_t)xdr_bd_watch_req, &req);
}

/*
 * A front end that left more than notify_limit bytes unread gets no
 * more notes: one BD_NOTIFY_RESYNC instead, after which it drops all it
 * cached.  Another is queued only once a reply followed the last one
 * (blockd_reply), since only replies give it something to cache.  If
 * not even that can be queued (common/ipc.c's cap), it is disconnected:
 * a front end drops its caches when it reconnects.  Either way it never
 * keeps an access decision or an fd that a lost note would have taken.
 */
static void
blockd_peer_resync(struct blockd_env *env, struct ipc_peer *peer,
    struct blockd_peer *bp)
{
	struct ipc_channel *ch = ipc_peer_channel(peer);
	struct bd_notify n;

	if (bp->resync_queued)
		return;
	memset(&n, 0, sizeof(n));
	n.what = BD_NOTIFY_RESYNC;
	if (ipc_send_xdr(ch, BD_NOTIFY, 0, 0, -1, (xdrproc_t)xdr_bd_notify,
	    &n) == -1) {
		log_warnx("%s: %zu bytes unread, not even a resync note fits; "
		    "disconnecting it", ipc_peer_name(peer),
		    ipc_channel_queued(ch));
		ipc_channel_close(ch, "notes lost");
		return;
	}
	bp->resync_queued = 1;
	bp->resyncs++;
	env->resyncs++;
	log_warnx_rl("%s: %zu bytes unread (notify queue limit %zu): notes "
	    "replaced by a resync", ipc_peer_name(peer),
	    ipc_channel_queued(ch), env->notify_limit);
}

/*
 * Directory ino's parent and name, from the slot that remembers it or
 * from the store (a walk over the parent's entries for the name; none
 * when name is not wanted).  NULL if the store cannot say (logged there).
 */
static const struct blockd_dirname *
blockd_dirname(struct blockd_env *env, uint64_t ino, int name,
    struct blockd_dirname *tmp)
{
	struct blockd_dirname *d = tmp;
	int rv;

	if (env->dirnames == NULL && (env->dirnames = calloc(BLOCKD_DIRNAMES,
	    sizeof(*env->dirnames))) == NULL)
		log_warn("tree watches: a cache of directory names");
	if (env->dirnames != NULL) {
		d = &env->dirnames[ino % BLOCKD_DIRNAMES];
		if (d->gen == env->dirname_gen && d->ino == ino)
			return d;
		if (!name)
			d = tmp;
	}
	d->gen = 0;
	if ((rv = store_dir_parent(env->store, ino, &d->parent, &d->parentfh,
	    name ? d->name : NULL, &d->namelen)) != 0) {
		log_warnx_rl("directory %llx: its parent for a tree watch: %s",
		    (unsigned long long)ino, strerror(-rv));
		return NULL;
	}
	d->ino = ino;
	d->gen = env->dirname_gen;
	return d;
}

/* A tree note for ancestor ino (handle fh) to its tree watchers. */
static void
blockd_tree_send(struct blockd_env *env, const struct store_notify *note,
    uint64_t ino, const struct store_fh *fh, const char *path, size_t len)
{
	struct ipc_server *srv = env->daemon->service;
	struct ipc_peer *peer;
	struct ipc_channel *ch;
	struct blockd_peer *bp;
	struct bd_notify_tree n;
	size_t at;
	int found;

	memset(&n, 0, sizeof(n));
	blockd_fh_out(fh, &n.fh);
	n.share = note->share;
	n.ino = ino;
	n.what = note->what | (path == NULL ? BD_NOTIFY_TREE_LOST : 0);
	n.path.path_len = path == NULL ? 0 : (u_int)len;
	n.path.path_val = (char *)(uintptr_t)path;
	for (peer = ipc_server_peer_first(srv); peer != NULL;
	    peer = ipc_server_peer_next(peer)) {
		if (!(IPC_ROLE_BIT(ipc_peer_role(peer)) &
		    WATCHING_FRONT_ENDS) ||
		    (bp = ipc_peer_data(peer)) == NULL || bp->ntree == 0)
			continue;
		at = blockd_watch_find(bp, ino, &found);
		if (!found || bp->tree_watchers[at] == 0)
			continue;
		ch = ipc_peer_channel(peer);
		env->tree_notes++;
		if (ipc_channel_queued(ch) + BLOCKD_NOTE_MAX + len >
		    env->notify_limit ||
		    ipc_send_xdr(ch, BD_NOTIFY_TREE, 0, 0, -1,
		    (xdrproc_t)xdr_bd_notify_tree, &n) == -1)
			blockd_peer_resync(env, peer, bp);
	}
}

/*
 * An entry note of directory note->ino, for the tree watches of its
 * ancestors: walk up, at most BD_TREE_DEPTH levels, building the entry's
 * path from each (from its end, in path[]).  A path past BD_PATH_MAX
 * goes as TREE_LOST.  Only while some front end watches a tree.
 */
static void
blockd_tree_notify(struct blockd_env *env, const struct store_notify *note)
{
	char path[BD_PATH_MAX];
	struct blockd_dirname tmp;
	const struct blockd_dirname *d;
	struct store_fh fh;
	uint64_t cur = note->ino, parent;
	size_t pos = sizeof(path), depth;
	int lost = 0;

	/* A directory's entry went: a directory moved or went. */
	if ((note->what & (STORE_NOTIFY_ENTRY_DEL | STORE_NOTIFY_ENTRY_DIR)) ==
	    (STORE_NOTIFY_ENTRY_DEL | STORE_NOTIFY_ENTRY_DIR))
		env->dirname_gen++;
	if (env->dirname_gen == 0)
		env->dirname_gen = 1;
	pos -= note->namelen;
	memcpy(path + pos, note->name, note->namelen);
	for (depth = 0; depth < BD_TREE_DEPTH; depth++) {
		if ((d = blockd_dirname(env, cur, !lost, &tmp)) == NULL)
			return;
		if (d->parent == cur)
			return;		/* the share's root */
		if (!lost && d->namelen + 1 > pos)
			lost = 1;
		else if (!lost) {
			path[--pos] = '/';
			pos -= d->namelen;
			memcpy(path + pos, d->name, d->namelen);
		}
		parent = d->parent;
		fh = d->parentfh;
		cur = parent;
		blockd_tree_send(env, note, cur, &fh, lost ? NULL : path + pos,
		    sizeof(path) - pos);
	}
	log_warnx_rl("directory %llx: more than %d levels below the share's "
	    "root: tree watches above them not told", (unsigned long long)
	    note->ino, BD_TREE_DEPTH);
}

/* Note n to a front end, or a resync when its output is too long. */
static void
blockd_note_send(struct blockd_env *env, struct ipc_peer *peer,
    struct blockd_peer *bp, struct bd_notify *n)
{
	struct ipc_channel *ch = ipc_peer_channel(peer);

	env->notifies++;
	if (ipc_channel_queued(ch) + BLOCKD_NOTE_MAX > env->notify_limit ||
	    ipc_send_xdr(ch, BD_NOTIFY, 0, 0, -1, (xdrproc_t)xdr_bd_notify,
	    n) == -1)
		blockd_peer_resync(env, peer, bp);
}

/* peer's, when it is a watching front end that watches dir (0: any). */
static struct blockd_peer *
blockd_watcher(struct ipc_peer *peer, uint64_t dir)
{
	struct blockd_peer *bp;
	int found;

	if (!(IPC_ROLE_BIT(ipc_peer_role(peer)) & WATCHING_FRONT_ENDS) ||
	    (bp = ipc_peer_data(peer)) == NULL || bp->nwatched == 0)
		return NULL;
	if (dir == 0)
		return bp;
	(void)blockd_watch_find(bp, dir, &found);
	return found ? bp : NULL;
}

/* Some front end watches dir (0: anything). */
static int
blockd_watched(struct blockd_env *env, uint64_t dir)
{
	struct ipc_peer *peer;

	for (peer = ipc_server_peer_first(env->daemon->service); peer != NULL;
	    peer = ipc_server_peer_next(peer))
		if (blockd_watcher(peer, dir) != NULL)
			return 1;
	return 0;
}

/*
 * A file's record changed (SETATTR of its mode, size, times, owner or
 * ACL by any protocol): an ENTRY_ATTR note of the directory of its
 * newest name (store_file_parent) to the front ends that watch that
 * directory, whose listing shows what changed: SMB's directory leases
 * break on it (MS-SMB2 3.3.4.7), CHANGE_NOTIFY says MODIFIED.  Not for
 * a rename's own note (its names' notes say it), a link count alone,
 * a removal, or a directory (whose record moves with its entries).
 */
static void
blockd_entry_notify(struct blockd_env *env, const struct store_notify *note)
{
	struct ipc_server *srv = env->daemon->service;
	struct ipc_peer *peer;
	struct blockd_peer *bp;
	struct store_notify en;
	struct bd_notify n;
	uint64_t parent;

	/* The store asked only while a watch is; the name's walk, its dir's. */
	if (!blockd_watched(env, 0) || store_file_parent(env->store,
	    note->ino, &parent, NULL, NULL, NULL) != 0 ||
	    !blockd_watched(env, parent))
		return;
	memset(&en, 0, sizeof(en));
	if (store_file_parent(env->store, note->ino, &parent,
	    &en.fh, en.name, &en.namelen) != 0)
		return;
	memset(&n, 0, sizeof(n));
	blockd_fh_out(&en.fh, &n.fh);
	n.share = note->share;
	n.ino = parent;
	n.what = STORE_NOTIFY_DIRENT | STORE_NOTIFY_ENTRY_ATTR | note->what;
	n.name.bd_name_len = (u_int)en.namelen;
	n.name.bd_name_val = en.name;
	for (peer = ipc_server_peer_first(srv); peer != NULL;
	    peer = ipc_server_peer_next(peer))
		if ((bp = blockd_watcher(peer, parent)) != NULL)
			blockd_note_send(env, peer, bp, &n);
}

void
blockd_ops_notify(void *arg, const struct store_notify *note)
{
	struct blockd_env *env = arg;
	struct ipc_server *srv = env->daemon->service;
	struct ipc_peer *peer;
	struct blockd_peer *bp;
	struct bd_notify n;
	unsigned int role;
	int watched;

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
		role = IPC_ROLE_BIT(ipc_peer_role(peer));
		/* A peer before its HELLO has no role yet. */
		if (!(role & (CACHING_FRONT_ENDS | WATCHING_FRONT_ENDS)) ||
		    (bp = ipc_peer_data(peer)) == NULL)
			continue;
		/*
		 * A watcher: the entries of what it watches, and while it
		 * watches anything, every record's change (a file's own
		 * notes do not say its directory; the watcher asks).
		 */
		if (!(role & CACHING_FRONT_ENDS)) {
			if (bp->nwatched == 0)
				continue;
			(void)blockd_watch_find(bp, note->ino, &watched);
			if (!watched && (note->what & STORE_NOTIFY_DIRENT))
				continue;
		}
		blockd_note_send(env, peer, bp, &n);
	}
	if (env->tree_watches > 0 && (note->what & STORE_NOTIFY_DIRENT))
		blockd_tree_notify(env, note);
	if (!(note->what & (STORE_NOTIFY_DIRENT | STORE_NOTIFY_REMOVED |
	    STORE_NOTIFY_RENAME)) && (note->what & ~STORE_NOTIFY_NLINK) != 0)
		blockd_entry_notify(env, note);
}

/* What a front end resolves handles with; lockd needs no more. */
#define RESOLVERS (IPC_ROLE_BIT(IPC_ROLE_NFSD) | \
	IPC_ROLE_BIT(IPC_ROLE_SMBD) | IPC_ROLE_BIT(IPC_ROLE_LOCKD))
#define NFSD IPC_ROLE_BIT(IPC_ROLE_NFSD)
/*
 * What smbd sends today (smbd/file.c): names walked by LOOKUP, files
 * opened by OPEN with their fd, directories made and listed, renames,
 * removes, attributes; named streams (smbd/stream.c).  Nothing else
 * until it uses it.
 */
#define FILE_SERVERS (NFSD | IPC_ROLE_BIT(IPC_ROLE_SMBD))

/*
 * Who may send what (DESIGN.md section 6).  lockd turns NLM handles
 * into files (GETATTR) and may learn shares' ids (SHARE_ROOT); statd
 * may not connect at all (blockd.c).  A type a role may not send
 * disconnects the peer (common/ipc.c).
 */
const struct ipc_handler blockd_handlers[] = {
	{ BD_SHARE_ROOT, RESOLVERS, blockd_share_root },
	{ BD_LOOKUP, FILE_SERVERS, blockd_lookup },
	{ BD_GETATTR, RESOLVERS, blockd_getattr },
	{ BD_SETATTR, FILE_SERVERS, blockd_setattr },
	{ BD_ACCESS, FILE_SERVERS, blockd_access },
	{ BD_ACCESS_MASK, IPC_ROLE_BIT(IPC_ROLE_SMBD), blockd_access_mask },
	{ BD_CREATE, NFSD, blockd_create },
	{ BD_MKDIR, FILE_SERVERS, blockd_mkdir },
	{ BD_SYMLINK, NFSD, blockd_symlink },
	{ BD_MKNOD, NFSD, blockd_mknod },
	{ BD_LINK, NFSD, blockd_link },
	{ BD_REMOVE, FILE_SERVERS, blockd_remove },
	{ BD_RMDIR, FILE_SERVERS, blockd_rmdir },
	{ BD_RENAME, FILE_SERVERS, blockd_rename },
	{ BD_READDIR, FILE_SERVERS, blockd_readdir },
	{ BD_READLINK, NFSD, blockd_readlink },
	{ BD_STATFS, FILE_SERVERS, blockd_statfs },
	{ BD_OPEN_IO, NFSD, blockd_open_io },
	{ BD_COMMIT, NFSD, blockd_commit },
	/* User xattrs: NFSv4.2's, and SMB's EAs (smbd/create_ctx.c). */
	{ BD_XATTR_GET, FILE_SERVERS, blockd_xattr },
	{ BD_XATTR_SET, FILE_SERVERS, blockd_xattr },
	{ BD_XATTR_LIST, FILE_SERVERS, blockd_xattr },
	{ BD_XATTR_REMOVE, FILE_SERVERS, blockd_xattr },
	/* NFSv4 ACLs and smbd's security descriptors (smbd/secdesc.c). */
	{ BD_ACL_GET, FILE_SERVERS, blockd_acl },
	{ BD_ACL_SET, FILE_SERVERS, blockd_acl },
	/* Open by name with a disposition: NFSv4 OPEN and SMB2 CREATE. */
	{ BD_OPEN, FILE_SERVERS, blockd_open },
	/* Named attributes; smbd's alternate data streams (smbd/stream.c). */
	{ BD_STREAM_OPEN, FILE_SERVERS, blockd_stream_open },
	{ BD_NAMED_LIST, FILE_SERVERS, blockd_named_list },
	{ BD_STREAM_REMOVE, FILE_SERVERS, blockd_stream_remove },
	/* Stream renames: SMB's alone (NFS serves no named attribute yet). */
	{ BD_STREAM_RENAME, IPC_ROLE_BIT(IPC_ROLE_SMBD), blockd_stream_rename },
	{ BD_WATCH, IPC_ROLE_BIT(IPC_ROLE_SMBD), blockd_watch },
	{ BD_WATCH_TREE, IPC_ROLE_BIT(IPC_ROLE_SMBD), blockd_watch },
	/* smbd's 8.3 names (smbd/smb2_shortname.h) name inode numbers. */
	{ BD_LOOKUP_INO, IPC_ROLE_BIT(IPC_ROLE_SMBD), blockd_lookup_ino },
	/* SMB's access-based enumeration ([share] access based enumeration). */
	{ BD_READDIR_READABLE, IPC_ROLE_BIT(IPC_ROLE_SMBD), blockd_readdir },
};
const size_t blockd_nhandlers = sizeof(blockd_handlers) /
    sizeof(blockd_handlers[0]);
