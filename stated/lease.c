/*
 * stated's SMB oplocks and leases (common/stated_grant.x ST_GRANT_SMB*):
 * grants of the one table (grant.h) held by smbd's clients.  Their
 * breaks are the table's recalls (v4.c stated_grant_event: an
 * ST_PUSH_RECALL to smbd), so whatever recalls an NFSv4 delegation
 * (an NLM lock, an NFS write, a v4 OPEN, ST_GRANT_CONFLICT) breaks an
 * oplock or lease the same way, and an SMB open that asks
 * ST_GRANT_CONFLICT recalls a delegation.
 */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "stated.h"

/* An opaque of a request, as grant_add takes it. */
typedef struct {
	const uint8_t	*val;
	size_t		 len;
} stated_lease_bytes;

/*
 * Every nfsd learns that the file has a grant now, so that an NFSv3
 * WRITE or SETATTR of it asks ST_GRANT_CONFLICT and breaks it (an nfsd
 * learns the rest from ST_GRANT_FILES when it connects).  Only when the
 * file's level changed from `before' (grant_file_level): one push per
 * file, not one per open.
 */
static void
stated_lease_tell_nfsds(struct stated_env *env, const struct lock_file_id *f,
    int before)
{
	st_push_body body;
	struct grant_holder h;

	memset(&body, 0, sizeof(body));
	memset(&h, 0, sizeof(h));
	body.kind = ST_PUSH_GRANT_FILE;
	body.st_push_body_u.grant_file.file.st_file_len = (u_int)f->len;
	body.st_push_body_u.grant_file.file.st_file_val =
	    (char *)(uintptr_t)f->data;
	body.st_push_body_u.grant_file.level = (u_int)grant_file_level(
	    env->caching, f, &h);
	if (body.st_push_body_u.grant_file.level == 0 ||
	    (int)body.st_push_body_u.grant_file.level == before)
		return;
	body.st_push_body_u.grant_file.holder = h.client_id;
	stated_push_nfsds(env, &body);
}

/*
 * A new SMB grant at `level' (not 0), within [stated] smb leases per
 * session, told to the nfsds: rep says what came of it.
 */
static void
stated_lease_add(struct ipc_peer *peer, const struct lock_file_id *file,
    uint64_t client_id, int level, const stated_lease_bytes *sid,
    const stated_lease_bytes *handle, struct st_grant_smb_reply *rep)
{
	struct stated_env *env = stated_env_of(peer);
	struct grant_holder h;
	int before;

	if (env->smb_grants_max > 0 && grant_holder_count(env->caching,
	    LOCK_PROTOCOL_SMB, client_id) >= env->smb_grants_max) {
		env->limit_hits++;
		log_warnx_rl("SMB client %016llx holds its smb leases per "
		    "session (%zu): no oplock or lease",
		    (unsigned long long)client_id, env->smb_grants_max);
		rep->why = ST_GRANT_NONE_LIMIT;
		return;
	}
	memset(&h, 0, sizeof(h));
	h.protocol = LOCK_PROTOCOL_SMB;
	h.client_id = client_id;
	h.fe_role = (uint32_t)ipc_peer_role(peer);
	snprintf(h.fe_name, sizeof(h.fe_name), "%s", ipc_peer_name(peer));
	before = grant_file_level(env->caching, file, NULL);
	if (grant_add(env->caching, file, &h, (enum grant_level)level,
	    sid->val, sid->len, handle->val, handle->len) == NULL) {
		/* A stateid in use (EEXIST), out of memory: none. */
		rep->why = ST_GRANT_NONE_CONFLICT;
		return;
	}
	rep->level = (u_int)level;
	stated_lease_tell_nfsds(env, file, before);
}

/* MS-SMB2 3.3.5.9.8: an oplock or a lease for an SMB open. */
void
stated_grant_smb(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_grant_smb_req req;
	struct st_grant_smb_reply rep;
	struct lock_file_id file;
	stated_lease_bytes sid, handle;
	const struct grant *g;
	int level;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_grant_smb_req,
	    &req) == -1)
		return;
	stated_v4_clock(env);
	memset(&rep, 0, sizeof(rep));
	if (!stated_protocol_ok(peer, ST_PROTOCOL_SMB) ||
	    stated_file_in(&req.file, &file) == -1 ||
	    (req.level != ST_GRANT_READ && req.level != ST_GRANT_WRITE) ||
	    req.stateid.stateid_len == 0) {
		rep.status = ST_INVALID;
		goto out;
	}
	if ((g = grant_of(env->caching, &file, LOCK_PROTOCOL_SMB,
	    req.client_id)) != NULL) {
		/* Another open of the same lease, or a repeat. */
		if (g->state == GRANT_GRANTED)
			rep.level = (u_int)g->level;
		else
			rep.why = ST_GRANT_NONE_CONFLICT;
		goto out;
	}
	level = grant_smb_level(env->caching, env->locks, &file,
	    req.client_id, (enum grant_level)req.level);
	if (level == 0) {
		rep.why = ST_GRANT_NONE_CONFLICT;
		goto out;
	}
	sid.val = (const uint8_t *)req.stateid.stateid_val;
	sid.len = req.stateid.stateid_len;
	handle.val = (const uint8_t *)req.handle.handle_val;
	handle.len = req.handle.handle_len;
	stated_lease_add(peer, &file, req.client_id, level, &sid, &handle,
	    &rep);
out:
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_GRANT_SMB_REPLY, -1,
	    (xdrproc_t)xdr_st_grant_smb_reply, &rep);
	xdr_free((xdrproc_t)xdr_st_grant_smb_req, &req);
}

/* A request's opens of a lease or an oplock, as grant.h takes them. */
static void
stated_lease_own(const struct st_grant_smb_lease_req *req,
    struct grant_smb_own *own)
{
	u_int i;

	for (i = 0; i < req->own.own_len; i++) {
		own[i].client_id = req->own.own_val[i].client_id;
		own[i].bytes = req->own.own_val[i].bytes.bytes_val;
		own[i].len = req->own.own_val[i].bytes.bytes_len;
	}
}

/*
 * MS-SMB2 3.3.5.9.8: another open of the lease asking for more: raised
 * (why 0) only when the lease's own opens are all the file has, else
 * left as it is (why CONFLICT).
 */
static void
stated_lease_upgrade(struct stated_env *env,
    const struct st_grant_smb_lease_req *req, const struct lock_file_id *file,
    const struct grant *g, const struct grant_smb_own *own,
    struct st_grant_smb_reply *rep)
{
	rep->level = g->state == GRANT_GRANTED ? (u_int)g->level : 0;
	rep->why = ST_GRANT_NONE_CONFLICT;
	if (g->state != GRANT_GRANTED ||
	    grant_smb_lease_level(env->caching, env->locks, file,
	    req->client_id, GRANT_WRITE, own, req->own.own_len) != GRANT_WRITE)
		return;
	if (g->level < (enum grant_level)req->level) {
		if (grant_raise(env->caching, g->stateid, g->stateid_len,
		    LOCK_PROTOCOL_SMB, req->client_id,
		    (enum grant_level)req->level) == -1)
			return;
		rep->level = req->level;
		stated_lease_tell_nfsds(env, file, GRANT_READ);
	}
	rep->why = 0;
}

/*
 * ST_GRANT_SMB_LEASE (lease) and ST_GRANT_SMB_OPLOCK: one body, the
 * grant's opens named as its own.  A lease is held by (ClientGuid,
 * LeaseKey), every open of it listed (MS-SMB2 3.3.1.4, 3.3.5.9.8,
 * 3.3.5.9.11); an oplock by its one open (MS-FSA 2.1.5.17), which a
 * second asking gets as it is.
 */
static void
stated_lease_ask(struct ipc_peer *peer, struct ipc_msg *msg, int lease)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_grant_smb_lease_req req;
	struct st_grant_smb_reply rep;
	struct grant_smb_own own[ST_GRANT_SMB_OWN_MAX];
	struct lock_file_id file;
	stated_lease_bytes sid;
	const struct grant *g;
	int level;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_grant_smb_lease_req,
	    &req) == -1)
		return;
	stated_v4_clock(env);
	memset(&rep, 0, sizeof(rep));
	if (!stated_protocol_ok(peer, ST_PROTOCOL_SMB) ||
	    stated_file_in(&req.file, &file) == -1 ||
	    (req.level != ST_GRANT_READ && req.level != ST_GRANT_WRITE) ||
	    req.stateid.stateid_len == 0 ||
	    req.own.own_len > ST_GRANT_SMB_OWN_MAX ||
	    (!lease && req.own.own_len != 1)) {
		rep.status = ST_INVALID;
		goto out;
	}
	stated_lease_own(&req, own);
	if ((g = grant_of(env->caching, &file, LOCK_PROTOCOL_SMB,
	    req.client_id)) != NULL) {
		if (lease)
			stated_lease_upgrade(env, &req, &file, g, own, &rep);
		else if (g->state == GRANT_GRANTED)
			rep.level = (u_int)g->level;	/* a repeat */
		else
			rep.why = ST_GRANT_NONE_CONFLICT;
		goto out;
	}
	level = lease ? grant_smb_lease_level(env->caching, env->locks, &file,
	    req.client_id, (enum grant_level)req.level, own, req.own.own_len) :
	    grant_smb_oplock_level(env->caching, env->locks, &file,
	    req.client_id, (enum grant_level)req.level, own);
	if (level == 0) {
		rep.why = ST_GRANT_NONE_CONFLICT;
		goto out;
	}
	/* Its name is what smbd needs to break it. */
	sid.val = (const uint8_t *)req.stateid.stateid_val;
	sid.len = req.stateid.stateid_len;
	stated_lease_add(peer, &file, req.client_id, level, &sid, &sid, &rep);
	if (lease && rep.level != 0)
		(void)grant_set_smb_lease(env->caching, sid.val, sid.len);
out:
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_GRANT_SMB_REPLY, -1,
	    (xdrproc_t)xdr_st_grant_smb_reply, &rep);
	xdr_free((xdrproc_t)xdr_st_grant_smb_lease_req, &req);
}

/* MS-SMB2 3.3.1.4, 3.3.5.9.8, 3.3.5.9.11: a lease, or its upgrade. */
void
stated_grant_smb_lease(struct ipc_peer *peer, struct ipc_msg *msg)
{
	stated_lease_ask(peer, msg, 1);
}

/* MS-FSA 2.1.5.17, MS-SMB2 3.3.5.9: an oplock for one SMB open. */
void
stated_grant_smb_oplock(struct ipc_peer *peer, struct ipc_msg *msg)
{
	stated_lease_ask(peer, msg, 0);
}

/* A sharing violation: the disconnected durable holders on the file go. */
struct stated_lease_sharing {
	struct stated_env	*env;
	uint64_t		 client_id;
	size_t			 going;
};

static int
stated_lease_sharing_cb(void *arg, const struct grant *g)
{
	struct stated_lease_sharing *sh = arg;

	if (g->state != GRANT_REVOKED && g->holder.protocol ==
	    LOCK_PROTOCOL_SMB && g->holder.client_id != sh->client_id &&
	    stated_durable_recalled(sh->env, g->holder.client_id))
		sh->going++;
	return 0;
}

/*
 * MS-FSA 2.1.5.1.2: the breaks of an SMB open (grant_conflict_smb):
 * how many grants are outstanding, as ST_GRANT_CONFLICT answers.
 */
void
stated_grant_smb_conflict(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_grant_smb_conflict_req req;
	struct st_grant_conflict_reply rep;
	struct lock_file_id file;
	int attr;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_grant_smb_conflict_req,
	    &req) == -1)
		return;
	stated_v4_clock(env);
	memset(&rep, 0, sizeof(rep));
	if (!stated_protocol_ok(peer, ST_PROTOCOL_SMB) ||
	    stated_file_in(&req.file, &file) == -1) {
		ipc_reply_error(ipc_peer_channel(peer), msg, EINVAL, NULL);
		goto out;
	}
	if (req.cause == ST_GRANT_SMB_SHARING) {
		struct stated_lease_sharing sh;

		sh.env = env;
		sh.client_id = req.client_id;
		sh.going = 0;
		grant_foreach_on_file(env->caching, &file,
		    stated_lease_sharing_cb, &sh);
		rep.outstanding = (u_int)sh.going;
	} else {
		/* Lapsed NFSv4 holders lose their state, not delay this. */
		v4_state_grant_courtesy(env->v4, &file, ST_PROTOCOL_SMB,
		    req.client_id, req.write);
		attr = req.cause == ST_GRANT_SMB_ATTR ? GRANT_SMB_ATTR_ALL :
		    req.cause == ST_GRANT_SMB_STAT ? GRANT_SMB_ATTR_LEASES : 0;
		rep.outstanding = (u_int)grant_conflict_smb(env->caching,
		    &file, req.client_id, req.write,
		    req.cause == ST_GRANT_SMB_DATA, attr);
	}
	rep.grants = (u_int)grant_file_count(env->caching, &file);
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_GRANT_CONFLICT_REPLY, -1,
	    (xdrproc_t)xdr_st_grant_conflict_reply, &rep);
out:
	xdr_free((xdrproc_t)xdr_st_grant_smb_conflict_req, &req);
}

/* MS-SMB2 3.3.5.22: a break acknowledged, or the open closed. */
void
stated_grant_smb_return(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_grant_smb_return_req req;
	int rc;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_grant_smb_return_req,
	    &req) == -1)
		return;
	stated_v4_clock(env);
	if (!stated_protocol_ok(peer, ST_PROTOCOL_SMB) || req.level > 2) {
		stated_reply_status(peer, msg, ST_INVALID);
		goto out;
	}
	if (req.level == 0)
		rc = grant_return(env->caching,
		    (const uint8_t *)req.stateid.stateid_val,
		    req.stateid.stateid_len, LOCK_PROTOCOL_SMB, req.client_id);
	else
		rc = grant_lower(env->caching,
		    (const uint8_t *)req.stateid.stateid_val,
		    req.stateid.stateid_len, LOCK_PROTOCOL_SMB, req.client_id,
		    (enum grant_level)req.level);
	stated_reply_status(peer, msg, rc == 0 ? ST_OK : ST_NOT_FOUND);
out:
	xdr_free((xdrproc_t)xdr_st_grant_smb_return_req, &req);
}
