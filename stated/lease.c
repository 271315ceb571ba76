/*
 * stated's SMB oplocks and leases (common/stated_grant.x ST_GRANT_SMB*):
 * grants of the one table (grant.h) held by smbd's clients.  Their
 * breaks are the table's recalls (v4.c stated_grant_event: an
 * ST_PUSH_RECALL to smbd), so whatever recalls an NFSv4 delegation
 * (an NLM lock, an NFS write, a v4 OPEN, ST_GRANT_CONFLICT) breaks an
 * oplock or lease the same way, and an SMB open that asks
 * ST_GRANT_CONFLICT recalls a delegation.
 */
#include <string.h>

#include "log.h"
#include "stated.h"

/* MS-SMB2 3.3.5.9.8: an oplock or a lease for an SMB open. */
void
stated_grant_smb(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_grant_smb_req req;
	struct st_grant_smb_reply rep;
	struct lock_file_id file;
	struct grant_holder h;
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
	if (env->smb_grants_max > 0 && grant_holder_count(env->caching,
	    LOCK_PROTOCOL_SMB, req.client_id) >= env->smb_grants_max) {
		env->limit_hits++;
		log_warnx_rl("SMB client %016llx holds its smb leases per "
		    "session (%zu): no oplock or lease",
		    (unsigned long long)req.client_id, env->smb_grants_max);
		rep.why = ST_GRANT_NONE_LIMIT;
		goto out;
	}
	memset(&h, 0, sizeof(h));
	h.protocol = LOCK_PROTOCOL_SMB;
	h.client_id = req.client_id;
	h.fe_role = (uint32_t)ipc_peer_role(peer);
	snprintf(h.fe_name, sizeof(h.fe_name), "%s", ipc_peer_name(peer));
	if (grant_add(env->caching, &file, &h, (enum grant_level)level,
	    (const uint8_t *)req.stateid.stateid_val, req.stateid.stateid_len,
	    (const uint8_t *)req.handle.handle_val,
	    req.handle.handle_len) == NULL) {
		/* A stateid in use (EEXIST), out of memory: none. */
		rep.why = ST_GRANT_NONE_CONFLICT;
		goto out;
	}
	rep.level = (u_int)level;
out:
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_GRANT_SMB_REPLY, -1,
	    (xdrproc_t)xdr_st_grant_smb_reply, &rep);
	xdr_free((xdrproc_t)xdr_st_grant_smb_req, &req);
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
