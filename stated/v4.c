/*
 * dittofs-stated: NFSv4.0 clients and state ids (common/stated_v4.x) on
 * the state of v4state.h.  Each handler decodes, checks that its sender
 * may touch NFSv4 state (stated_role_protocols), calls v4state and
 * encodes the answer; a limit hit is logged here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "stated.h"

/* The clock of leases and delegations: seconds that only go forward. */
void
stated_v4_clock(struct stated_env *env)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	v4_state_set_now(env->v4, ts.tv_sec);
	/* A v4.1 client's lease is the session table's. */
	if (env->sessions != NULL)
		session_table_set_now(env->sessions, ts.tv_sec);
	if (env->caching != NULL)
		grant_table_set_now(env->caching, ts.tv_sec);
}

/* Decode, and refuse a sender whose role may not touch NFSv4 state. */
static int
stated_v4_begin(struct ipc_peer *peer, struct ipc_msg *msg, xdrproc_t proc,
    void *obj)
{
	struct stated_env *env = stated_env_of(peer);

	if (stated_decode(peer, msg, proc, obj) == -1)
		return -1;
	if (ipc_peer_role(peer) != IPC_ROLE_CTL &&
	    !stated_protocol_ok(peer, ST_PROTOCOL_NFSV4)) {
		ipc_reply_error(ipc_peer_channel(peer), msg, EPERM,
		    "NFSv4 state is not for this role");
		xdr_free(proc, obj);
		return -1;
	}
	stated_v4_clock(env);
	env->v4_limit_hits = v4_state_limit_hits(env->v4);
	env->v4_purges = v4_state_courtesy_purges(env->v4);
	return 0;
}

/* After the call: say what it cost others (limits, courtesy purges). */
static void
stated_v4_end(struct ipc_peer *peer, uint64_t clientid, const char *op)
{
	struct stated_env *env = stated_env_of(peer);
	uint64_t hits = v4_state_limit_hits(env->v4);
	uint64_t purges = v4_state_courtesy_purges(env->v4);

	if (hits != env->v4_limit_hits) {
		env->limit_hits += hits - env->v4_limit_hits;
		log_warnx_rl("NFSv4 client %016llx: %s refused by a limit "
		    "(nfsv4 opens per client, nfsv4 owners per client or "
		    "clients per address): NFS4ERR_RESOURCE",
		    (unsigned long long)clientid, op);
	}
	if (purges != env->v4_purges)
		log_info("NFSv4 %s of client %016llx: %llu lapsed client(s) "
		    "in its way purged", op, (unsigned long long)clientid,
		    (unsigned long long)(purges - env->v4_purges));
}

static void
stated_v4_stateid_in(const st_v4_stateid *in, struct v4_stateid *out)
{
	out->seqid = in->seqid;
	memcpy(out->other, in->other, V4_OTHER_SIZE);
}

static void
stated_v4_stateid_out(const struct v4_stateid *in, st_v4_stateid *out)
{
	out->seqid = in->seqid;
	memcpy(out->other, in->other, V4_OTHER_SIZE);
}

static void
stated_v4_callback_in(const st_v4_callback *in, struct v4_callback *out)
{
	memset(out, 0, sizeof(*out));
	out->program = in->cb_program;
	snprintf(out->netid, sizeof(out->netid), "%s", in->netid);
	snprintf(out->uaddr, sizeof(out->uaddr), "%s", in->uaddr);
	out->ident = in->ident;
	if (in->gss.gss_len == 1) {
		out->gss_service = in->gss.gss_val[0].service;
		snprintf(out->gss_principal, sizeof(out->gss_principal), "%s",
		    in->gss.gss_val[0].principal);
	}
}

/* gss: room for the one st_v4_cb_gss, as long as out lives. */
static void
stated_v4_callback_out(const struct v4_callback *in, st_v4_callback *out,
    st_v4_cb_gss *gss)
{
	memset(out, 0, sizeof(*out));
	out->cb_program = in->program;
	out->netid = (char *)in->netid;
	out->uaddr = (char *)in->uaddr;
	out->ident = in->ident;
	if (in->gss_service != 0) {
		gss->service = in->gss_service;
		gss->principal = (char *)in->gss_principal;
		out->gss.gss_len = 1;
		out->gss.gss_val = gss;
	}
}

static void
stated_v4_denied_out(const struct v4_denied *in, st_v4_denied *out)
{
	memset(out, 0, sizeof(*out));
	out->offset = in->offset;
	out->length = in->length;
	out->exclusive = in->exclusive;
	out->clientid = in->clientid;
	out->owner.owner_len = (u_int)in->owner_len;
	out->owner.owner_val = (char *)in->owner;
}

static void
stated_v4_send(struct ipc_peer *peer, struct ipc_msg *msg, uint32_t status,
    const struct v4_result *r, const struct v4_denied *denied)
{
	struct st_v4_reply rep;
	st_v4_denied d;

	memset(&rep, 0, sizeof(rep));
	rep.status = (st_v4_status)status;
	if (r != NULL) {
		stated_v4_stateid_out(&r->stateid, &rep.stateid);
		rep.rflags = r->rflags;
		rep.flags = r->flags;
		rep.replay = r->replay;
		if (r->has_denied)
			denied = &r->denied;
	}
	if (denied != NULL && status == V4ERR_DENIED) {
		stated_v4_denied_out(denied, &d);
		rep.denied.denied_len = 1;
		rep.denied.denied_val = &d;
	}
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_V4_REPLY, -1,
	    (xdrproc_t)xdr_st_v4_reply, &rep);
}

/* RFC 7530 16.33 */
void
stated_v4_setclientid(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_v4_setclientid_req req;
	struct st_v4_setclientid_reply rep;
	struct v4_setclientid_args a;
	struct v4_setclientid_res res;
	st_v4_cb_gss gss;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_v4_setclientid_req,
	    &req) == -1)
		return;
	memset(&a, 0, sizeof(a));
	a.verifier = (const uint8_t *)req.verifier;
	a.id = (const uint8_t *)req.id.id_val;
	a.id_len = req.id.id_len;
	a.principal = req.principal;
	a.addr = req.addr;
	stated_v4_callback_in(&req.callback, &a.cb);
	memset(&rep, 0, sizeof(rep));
	rep.status = (st_v4_status)v4_state_setclientid(env->v4, &a, &res);
	rep.clientid = res.clientid;
	memcpy(rep.confirm, res.confirm, sizeof(rep.confirm));
	stated_v4_callback_out(&res.inuse, &rep.inuse, &gss);
	rep.lease = (u_int)v4_state_lease(env->v4);
	stated_v4_end(peer, 0, "SETCLIENTID");
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_V4_SETCLIENTID_REPLY, -1,
	    (xdrproc_t)xdr_st_v4_setclientid_reply, &rep);
	xdr_free((xdrproc_t)xdr_st_v4_setclientid_req, &req);
}

/* RFC 7530 16.34 */
void
stated_v4_confirm(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_v4_confirm_req req;
	struct st_v4_confirm_reply rep;
	struct v4_confirm_res res;
	st_v4_cb_gss gss;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_v4_confirm_req,
	    &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	rep.status = (st_v4_status)v4_state_setclientid_confirm(env->v4,
	    req.clientid, (const uint8_t *)req.confirm, req.principal, &res);
	rep.cb_probe = res.cb_probe;
	stated_v4_callback_out(&res.cb, &rep.callback, &gss);
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_V4_CONFIRM_REPLY, -1,
	    (xdrproc_t)xdr_st_v4_confirm_reply, &rep);
	xdr_free((xdrproc_t)xdr_st_v4_confirm_req, &req);
}

/* RENEW; and REVOKE from dittofsctl. */
void
stated_v4_clientid(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_v4_clientid_req req;
	uint32_t st;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_v4_clientid_req,
	    &req) == -1)
		return;
	if (msg->hdr.type == ST_V4_REVOKE) {
		st = v4_state_revoke(env->v4, req.clientid);
		if (st == V4_OK)
			log_info("NFSv4 client %016llx: state revoked by "
			    "dittofsctl", (unsigned long long)req.clientid);
	} else
		st = v4_state_renew(env->v4, req.clientid);
	stated_v4_send(peer, msg, st, NULL, NULL);
}

void
stated_v4_callback(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_v4_callback_req req;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_v4_callback_req,
	    &req) == -1)
		return;
	v4_state_callback_status(env->v4, req.clientid, req.up);
	stated_v4_send(peer, msg, V4_OK, NULL, NULL);
}

/* RFC 7530 16.16 */
void
stated_v4_open(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_v4_open_req req;
	struct v4_open_args a;
	struct v4_result r;
	uint32_t st;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_v4_open_req, &req) ==
	    -1)
		return;
	memset(&a, 0, sizeof(a));
	memset(&r, 0, sizeof(r));
	if (stated_file_in(&req.file, &a.file) == -1)
		st = V4ERR_INVAL;
	else {
		a.clientid = req.clientid;
		a.owner = (const uint8_t *)req.owner.owner_val;
		a.owner_len = req.owner.owner_len;
		a.seqid = req.seqid;
		a.access = req.access;
		a.deny = req.deny;
		a.claim_previous = req.claim_previous;
		a.flags = req.flags;
		st = v4_state_open(env->v4, &a, &r);
	}
	stated_v4_end(peer, req.clientid, "OPEN");
	stated_v4_send(peer, msg, st, &r, NULL);
	xdr_free((xdrproc_t)xdr_st_v4_open_req, &req);
}

/* RFC 7530 9.1.7: is an OPEN about to create a retransmission? */
void
stated_v4_open_replay(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_v4_owner_seqid_req req;
	struct st_v4_open_replay_reply rep;
	struct lock_file_id file;
	struct v4_result r;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_v4_owner_seqid_req,
	    &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	if (v4_state_open_replay(env->v4, req.clientid,
	    (const uint8_t *)req.owner.owner_val, req.owner.owner_len,
	    req.seqid, &r, &file)) {
		rep.replay = 1;
		rep.status = (st_v4_status)r.status;
		stated_v4_stateid_out(&r.stateid, &rep.stateid);
		rep.rflags = r.rflags;
		rep.flags = r.flags;
		rep.file.st_file_len = (u_int)file.len;
		rep.file.st_file_val = (char *)file.data;
	}
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_V4_OPEN_REPLAY_REPLY, -1,
	    (xdrproc_t)xdr_st_v4_open_replay_reply, &rep);
	xdr_free((xdrproc_t)xdr_st_v4_owner_seqid_req, &req);
}

/* OPEN_CONFIRM, OPEN_DOWNGRADE, CLOSE, LOCKU. */
void
stated_v4_seqid(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_v4_seqid_req req;
	struct v4_stateid sid;
	struct v4_result r;
	uint32_t st = V4ERR_INVAL;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_v4_seqid_req, &req) ==
	    -1)
		return;
	memset(&r, 0, sizeof(r));
	stated_v4_stateid_in(&req.stateid, &sid);
	switch (msg->hdr.type) {
	case ST_V4_OPEN_CONFIRM:
		st = v4_state_open_confirm(env->v4, &sid, req.seqid, &r);
		break;
	case ST_V4_OPEN_DOWNGRADE:
		st = v4_state_open_downgrade(env->v4, &sid, req.seqid,
		    req.access, req.deny, &r);
		break;
	case ST_V4_CLOSE:
		st = v4_state_close(env->v4, &sid, req.seqid, &r);
		break;
	case ST_V4_LOCKU:
		st = v4_state_locku(env->v4, &sid, req.seqid, req.offset,
		    req.length, &r);
		break;
	}
	stated_v4_send(peer, msg, st, &r, NULL);
}

/* RFC 7530 16.10 */
void
stated_v4_lock(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_v4_lock_req req;
	struct v4_lock_args a;
	struct v4_result r;
	uint32_t st;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_v4_lock_req, &req) ==
	    -1)
		return;
	memset(&a, 0, sizeof(a));
	a.new_owner = req.new_owner;
	a.open_seqid = req.open_seqid;
	stated_v4_stateid_in(&req.open_stateid, &a.open_stateid);
	a.lock_seqid = req.lock_seqid;
	a.clientid = req.clientid;
	a.owner = (const uint8_t *)req.owner.owner_val;
	a.owner_len = req.owner.owner_len;
	stated_v4_stateid_in(&req.lock_stateid, &a.lock_stateid);
	a.exclusive = req.exclusive;
	a.reclaim = req.reclaim;
	a.offset = req.offset;
	a.length = req.length;
	st = v4_state_lock(env->v4, &a, &r);
	stated_v4_end(peer, req.clientid, "LOCK");
	stated_v4_send(peer, msg, st, &r, NULL);
	xdr_free((xdrproc_t)xdr_st_v4_lock_req, &req);
}

/* RFC 7530 16.11 */
void
stated_v4_lockt(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_v4_lockt_req req;
	struct lock_file_id file;
	struct v4_denied *d;
	uint32_t st;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_v4_lockt_req, &req) ==
	    -1)
		return;
	if ((d = malloc(sizeof(*d))) == NULL) {
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM, NULL);
		goto out;
	}
	if (stated_file_in(&req.file, &file) == -1)
		st = V4ERR_INVAL;
	else
		st = v4_state_lockt(env->v4, req.clientid,
		    (const uint8_t *)req.owner.owner_val, req.owner.owner_len,
		    &file, req.offset, req.length, req.exclusive, d);
	stated_v4_end(peer, req.clientid, "LOCKT");
	stated_v4_send(peer, msg, st, NULL, d);
	free(d);
out:
	xdr_free((xdrproc_t)xdr_st_v4_lockt_req, &req);
}

/* RFC 7530 16.37 */
void
stated_v4_release_lockowner(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_v4_owner_req req;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_v4_owner_req, &req) ==
	    -1)
		return;
	stated_v4_send(peer, msg, v4_state_release_lockowner(env->v4,
	    req.clientid, (const uint8_t *)req.owner.owner_val,
	    req.owner.owner_len), NULL, NULL);
	xdr_free((xdrproc_t)xdr_st_v4_owner_req, &req);
}

/* The stateid of a READ, WRITE or SETATTR. */
void
stated_v4_check(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_v4_check_req req;
	struct st_v4_check_reply rep;
	struct v4_stateid sid;
	struct v4_check_res res;
	struct lock_file_id file;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_v4_check_req, &req) ==
	    -1)
		return;
	memset(&rep, 0, sizeof(rep));
	memset(&res, 0, sizeof(res));
	stated_v4_stateid_in(&req.stateid, &sid);
	if (stated_file_in(&req.file, &file) == -1)
		rep.status = ST4ERR_INVAL;
	else
		rep.status = (st_v4_status)v4_state_check(env->v4, &sid, &file,
		    (enum v4_io)req.io, &res);
	rep.kind = (st_v4_kind)res.kind;
	rep.access = res.access;
	rep.deny = res.deny;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_V4_CHECK_REPLY, -1,
	    (xdrproc_t)xdr_st_v4_check_reply, &rep);
	xdr_free((xdrproc_t)xdr_st_v4_check_req, &req);
}

/* RFC 8881 18.48: TEST_STATEID, a status per stateid. */
void
stated_v4_test_stateid(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_v4_test_stateid_req req;
	struct st_v4_test_stateid_reply rep;
	struct v4_stateid sid;
	st_v4_status *results = NULL;
	u_int i, n;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_v4_test_stateid_req,
	    &req) == -1)
		return;
	n = req.stateids.stateids_len;
	if (n > 0 && (results = calloc(n, sizeof(*results))) == NULL) {
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM, NULL);
		goto out;
	}
	for (i = 0; i < n; i++) {
		stated_v4_stateid_in(&req.stateids.stateids_val[i], &sid);
		results[i] = (st_v4_status)v4_state_test_stateid(env->v4,
		    req.clientid, &sid);
	}
	memset(&rep, 0, sizeof(rep));
	rep.status = ST4_OK;
	rep.results.results_len = n;
	rep.results.results_val = results;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_V4_TEST_STATEID_REPLY, -1,
	    (xdrproc_t)xdr_st_v4_test_stateid_reply, &rep);
out:
	free(results);
	xdr_free((xdrproc_t)xdr_st_v4_test_stateid_req, &req);
}

/* RFC 8881 18.38: FREE_STATEID */
void
stated_v4_free_stateid(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_v4_free_stateid_req req;
	struct v4_stateid sid;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_v4_free_stateid_req,
	    &req) == -1)
		return;
	stated_v4_stateid_in(&req.stateid, &sid);
	stated_v4_send(peer, msg, v4_state_free_stateid(env->v4, req.clientid,
	    &sid), NULL, NULL);
}

/* dittofsctl: the clients and their states, bounded to one message. */
struct stated_v4_list {
	struct v4_state		*v4;
	st_v4_client_desc	*clients;
	size_t			 n;
	size_t			 cap;
	st_v4_state_desc	*states;
	size_t			 nstates;
	size_t			 states_cap;
	size_t			 bytes;
	int			 truncated;
	/* Copies of what the listing points into (file ids). */
	struct lock_file_id	*files;
};

#define STATED_V4_LIST_BYTES	(IPC_BODY_MAX / 2)

static int
stated_v4_list_state_cb(void *arg, const struct v4_state_info *i)
{
	struct stated_v4_list *l = arg;
	st_v4_state_desc *d;
	size_t need = 64 + i->file->len + i->owner_len;

	if (l->nstates >= l->states_cap ||
	    l->bytes + need > STATED_V4_LIST_BYTES) {
		l->truncated = 1;
		return 1;
	}
	l->bytes += need;
	l->files[l->nstates] = *i->file;
	d = &l->states[l->nstates++];
	memset(d, 0, sizeof(*d));
	d->file.st_file_len = (u_int)i->file->len;
	d->file.st_file_val = (char *)l->files[l->nstates - 1].data;
	d->lock = i->lock;
	d->owner.owner_len = (u_int)i->owner_len;
	d->owner.owner_val = (char *)i->owner;
	stated_v4_stateid_out(&i->stateid, &d->stateid);
	d->access = i->access;
	d->deny = i->deny;
	return 0;
}

static int
stated_v4_list_client_cb(void *arg, const struct v4_client_info *i)
{
	struct stated_v4_list *l = arg;
	st_v4_client_desc *d;
	size_t need = 128 + i->id_len + strlen(i->principal) + strlen(i->addr);
	size_t first = l->nstates;

	if (l->n >= l->cap || l->bytes + need > STATED_V4_LIST_BYTES) {
		l->truncated = 1;
		return 1;
	}
	l->bytes += need;
	d = &l->clients[l->n++];
	memset(d, 0, sizeof(*d));
	d->clientid = i->clientid;
	d->id.id_len = (u_int)i->id_len;
	d->id.id_val = (char *)i->id;
	d->principal = (char *)i->principal;
	d->addr = (char *)i->addr;
	d->confirmed = i->confirmed;
	d->lapsed = i->lapsed;
	d->expired = i->expired;
	d->idle = i->idle;
	d->opens = (u_int)i->opens;
	d->owners = (u_int)i->owners;
	if (i->confirmed)
		v4_state_foreach_state(l->v4, i->clientid,
		    stated_v4_list_state_cb, l);
	d->states.states_len = (u_int)(l->nstates - first);
	d->states.states_val = l->states + first;
	return l->truncated;
}

void
stated_v4_ctl_clients(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_v4_clients_reply rep;
	struct stated_v4_list l;

	stated_v4_clock(env);
	memset(&l, 0, sizeof(l));
	l.v4 = env->v4;
	l.cap = 4096;
	l.states_cap = 8192;
	l.clients = calloc(l.cap, sizeof(*l.clients));
	l.states = calloc(l.states_cap, sizeof(*l.states));
	l.files = calloc(l.states_cap, sizeof(*l.files));
	if (l.clients == NULL || l.states == NULL || l.files == NULL) {
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM, NULL);
		goto out;
	}
	v4_state_foreach_client(env->v4, stated_v4_list_client_cb, &l);
	memset(&rep, 0, sizeof(rep));
	rep.lease = (u_int)v4_state_lease(env->v4);
	rep.clients.clients_len = (u_int)l.n;
	rep.clients.clients_val = l.clients;
	rep.truncated = l.truncated;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_V4_CLIENTS_REPLY, -1,
	    (xdrproc_t)xdr_st_v4_clients_reply, &rep);
out:
	free(l.clients);
	free(l.states);
	free(l.files);
}

/* A reclaimable NFSv4 client went on without reclaiming (grace.c). */
static void
stated_v4_done_cb(void *arg, struct stated_client *cl)
{
	stated_client_done(arg, cl, "sent a request that is not a reclaim");
}

/*
 * A client's state is gone: ST_PUSH_REVOKED to every nfsd, so that its
 * stateid cache stops answering for it (stated_push.x; an empty stateid
 * names all of the client's).  An nfsd away now has no cache to fix: it
 * drops it when its channel goes.
 */
static void
stated_v4_revoked_cb(void *arg, uint64_t clientid, uint32_t why)
{
	struct stated_env *env = arg;
	st_push_body body;

	memset(&body, 0, sizeof(body));
	body.kind = ST_PUSH_REVOKED;
	body.st_push_body_u.revoked.protocol = ST_PROTOCOL_NFSV4;
	body.st_push_body_u.revoked.client_id = clientid;
	stated_push_nfsds(env, &body);
	log_debug("NFSv4 client %016llx: state gone (%s), nfsd told",
	    (unsigned long long)clientid, v4_status_str(why));
}

/* At start and on reload: lease and limits of dittofs.conf(5). */
void
stated_v4_configure(struct stated_env *env, long long lease, size_t opens,
    size_t owners)
{
	v4_state_set_lease(env->v4, (time_t)lease);
	v4_state_set_limits(env->v4, opens, owners, env->clients_per_addr);
	v4_state_set_done_cb(env->v4, stated_v4_done_cb, env);
	v4_state_set_revoked_cb(env->v4, stated_v4_revoked_cb, env);
}

/* The sweep timer: lapsed clients that hold nothing, and old ones. */
void
stated_v4_sweep(struct stated_env *env)
{
	size_t n;

	stated_v4_clock(env);
	if ((n = v4_state_sweep(env->v4)) > 0)
		log_info("NFSv4: %zu client(s) whose lease ran out forgotten",
		    n);
}

/* ---- Caching grants: NFSv4 delegations (common/stated_grant.x) ---- */

/* For the log: how a v4.0 client's callback goes ("": v4.1's). */
static const char *
stated_v4_callback_how(const struct v4_callback *cb)
{
	if (cb->netid[0] == '\0')
		return "";
	switch (cb->gss_service) {
	case 0:		return " (callback under AUTH_SYS)";
	case 1:		return " (callback under RPCSEC_GSS krb5)";
	case 2:		return " (callback under RPCSEC_GSS krb5i)";
	case 3:		return " (callback under RPCSEC_GSS krb5p)";
	default:	return " (callback under an unknown RPCSEC_GSS service)";
	}
}

/* A recall or a revocation goes to the front end of the holder. */
static void
stated_grant_event(void *arg, const struct grant *g, enum grant_event e)
{
	struct stated_env *env = arg;
	st_push_body body;
	struct v4_callback cb;
	st_v4_callback scb;
	st_v4_cb_gss gss;
	const char *how = "";

	memset(&body, 0, sizeof(body));
	if (e == GRANT_EVENT_RECALL) {
		body.kind = ST_PUSH_RECALL;
		body.st_push_body_u.grant.file.st_file_len = (u_int)g->file.len;
		body.st_push_body_u.grant.file.st_file_val =
		    (char *)(uintptr_t)g->file.data;
		body.st_push_body_u.grant.holder.protocol = g->holder.protocol;
		body.st_push_body_u.grant.holder.client_id =
		    g->holder.client_id;
		body.st_push_body_u.grant.holder.host = "";
		body.st_push_body_u.grant.grant_id = g->id;
		/* SMB: what the break may leave (smbd/lease.c). */
		body.st_push_body_u.grant.new_level = g->recall_write ? 0 :
		    GRANT_READ;
		body.st_push_body_u.grant.stateid.stateid_len =
		    (u_int)g->stateid_len;
		body.st_push_body_u.grant.stateid.stateid_val =
		    (char *)(uintptr_t)g->stateid;
		body.st_push_body_u.grant.handle.handle_len =
		    (u_int)g->handle_len;
		body.st_push_body_u.grant.handle.handle_val =
		    (char *)(uintptr_t)g->handle;
		if (g->holder.protocol == ST_PROTOCOL_NFSV4 &&
		    v4_state_client_callback(env->v4, g->holder.client_id,
		    &cb) == 0) {
			stated_v4_callback_out(&cb, &scb, &gss);
			how = stated_v4_callback_how(&cb);
			body.st_push_body_u.grant.v4_callback.v4_callback_len =
			    1;
			body.st_push_body_u.grant.v4_callback.v4_callback_val =
			    &scb;
		}
		if (g->holder.protocol == LOCK_PROTOCOL_SMB)
			stated_durable_recalled(env, g->holder.client_id);
		log_info_rl("%s %llu of client %016llx: recalled "
		    "through %s%s", g->holder.protocol == LOCK_PROTOCOL_SMB ?
		    "SMB oplock or lease" : "delegation",
		    (unsigned long long)g->id,
		    (unsigned long long)g->holder.client_id,
		    g->holder.fe_name, how);
	} else {
		body.kind = ST_PUSH_REVOKED;
		body.st_push_body_u.revoked.protocol = g->holder.protocol;
		body.st_push_body_u.revoked.client_id = g->holder.client_id;
		body.st_push_body_u.revoked.stateid.stateid_len =
		    (u_int)g->stateid_len;
		body.st_push_body_u.revoked.stateid.stateid_val =
		    (char *)(uintptr_t)g->stateid;
		log_warnx_rl("%s %llu of client %016llx: not returned "
		    "within the lease after its recall; revoked",
		    g->holder.protocol == LOCK_PROTOCOL_SMB ?
		    "SMB oplock or lease" : "delegation",
		    (unsigned long long)g->id,
		    (unsigned long long)g->holder.client_id);
	}
	stated_push_to(env, g->holder.fe_role, g->holder.fe_name, &body);
	stated_grant_timer(env);
}

/* Revocations run once a second while a recall or a revoked grant waits. */
static void
stated_grant_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stated_env *env = arg;

	(void)fd;
	(void)what;
	env->grant_timer_on = 0;
	stated_v4_clock(env);
	grant_expire(env->caching, v4_state_lease(env->v4));
	stated_grant_timer(env);
}

/*
 * A request of another protocol conflicts: recalls, how many outstanding.
 * lock: a byte-range lock's (or TEST's), which as SMB's recalls no SMB
 * oplock or lease: smbd breaks the others' read caching when the lock
 * is granted, without waiting (MS-FSA 2.1.5.7), and keeps the locker's
 * own lease.
 */
size_t
stated_grant_recall(struct stated_env *env, const struct lock_file_id *f,
    int protocol, uint64_t client, int write, int lock)
{
	if (env->caching == NULL)
		return 0;
	stated_v4_clock(env);
	/* Lapsed NFSv4 holders lose their state rather than delay this. */
	v4_state_grant_courtesy(env->v4, f, protocol, client, write);
	if (lock && protocol == LOCK_PROTOCOL_SMB)
		return grant_conflict_foreign(env->caching, f, protocol,
		    client, write);
	return grant_conflict(env->caching, f, protocol, client, write);
}

void
stated_grant_timer(struct stated_env *env)
{
	struct timeval tv = { 1, 0 };
	struct grant_stats gs;

	grant_stats(env->caching, &gs);
	if (env->grant_timer_on || (gs.recalling == 0 && gs.revoked == 0))
		return;
	if (evtimer_add(env->ev_grant, &tv) == -1)
		log_warn("delegation timer");
	else
		env->grant_timer_on = 1;
}

void
stated_grant_init(struct stated_env *env, struct event_base *base)
{
	if ((env->caching = grant_table_new(stated_grant_event, env)) == NULL ||
	    (env->ev_grant = evtimer_new(base, stated_grant_timer_cb, env)) ==
	    NULL)
		fatal("grant table");
}

/* RFC 7530 10.4, 9.6.2: a delegation after an OPEN, or reclaimed. */
void
stated_grant_delegate(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_grant_delegate_req req;
	struct st_grant_delegate_reply rep;
	struct v4_deleg_res res;
	struct v4_stateid sid;
	struct lock_file_id file;
	st_push_body body;
	uint64_t hits;
	uint32_t keep;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_grant_delegate_req,
	    &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	memset(&res, 0, sizeof(res));
	stated_v4_stateid_in(&req.open_stateid, &sid);
	hits = v4_state_limit_hits(env->v4);
	if (stated_file_in(&req.file, &file) == -1)
		rep.status = ST4ERR_INVAL;
	else if (req.reclaim != 0)
		rep.status = (st_v4_status)v4_state_delegate_reclaim(env->v4,
		    req.clientid, &sid, &file,
		    (const uint8_t *)req.handle.handle_val,
		    req.handle.handle_len, (uint32_t)ipc_peer_role(peer),
		    ipc_peer_name(peer), (int)req.reclaim, &res);
	else
		rep.status = (st_v4_status)v4_state_delegate(env->v4,
		    req.clientid, &sid, &file,
		    (const uint8_t *)req.handle.handle_val,
		    req.handle.handle_len, (uint32_t)ipc_peer_role(peer),
		    ipc_peer_name(peer), &res);
	if (v4_state_limit_hits(env->v4) != hits) {
		env->limit_hits++;
		env->v4_limit_hits = v4_state_limit_hits(env->v4);
		log_warnx_rl("NFSv4 client %016llx holds its nfsv4 "
		    "delegations per client: no delegation",
		    (unsigned long long)req.clientid);
	}
	if (v4_state_recall_any_due(env->v4, req.clientid, &keep)) {
		memset(&body, 0, sizeof(body));
		body.kind = ST_PUSH_RECALL_ANY;
		body.st_push_body_u.recall_any.clientid = req.clientid;
		body.st_push_body_u.recall_any.keep = keep;
		log_info_rl("NFSv4.1 client %016llx: near its nfsv4 delegations "
		    "per client; asked to keep %u (CB_RECALL_ANY)",
		    (unsigned long long)req.clientid, keep);
		stated_push_to(env, (uint32_t)ipc_peer_role(peer),
		    ipc_peer_name(peer), &body);
	}
	rep.level = (u_int)res.level;
	rep.why = (u_int)res.why;
	rep.recall = res.recall;
	stated_v4_stateid_out(&res.stateid, &rep.stateid);
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_GRANT_DELEGATE_REPLY, -1,
	    (xdrproc_t)xdr_st_grant_delegate_reply, &rep);
	xdr_free((xdrproc_t)xdr_st_grant_delegate_req, &req);
}

/* RFC 8881 18.39: GET_DIR_DELEGATION */
void
stated_grant_dir_delegate(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_grant_dir_delegate_req req;
	struct st_grant_delegate_reply rep;
	struct v4_deleg_res res;
	struct lock_file_id file;
	uint64_t hits;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_grant_dir_delegate_req,
	    &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	memset(&res, 0, sizeof(res));
	hits = v4_state_limit_hits(env->v4);
	if (stated_file_in(&req.file, &file) == -1)
		rep.status = ST4ERR_INVAL;
	else
		rep.status = (st_v4_status)v4_state_dir_delegate(env->v4,
		    req.clientid, &file, (const uint8_t *)req.handle.handle_val,
		    req.handle.handle_len, (uint32_t)ipc_peer_role(peer),
		    ipc_peer_name(peer), req.notify, &res);
	if (v4_state_limit_hits(env->v4) != hits) {
		env->limit_hits++;
		env->v4_limit_hits = v4_state_limit_hits(env->v4);
		log_warnx_rl("NFSv4.1 client %016llx holds its nfsv4 "
		    "delegations per client: no directory delegation",
		    (unsigned long long)req.clientid);
	}
	rep.level = (u_int)res.level;
	rep.why = (u_int)res.why;
	stated_v4_stateid_out(&res.stateid, &rep.stateid);
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_GRANT_DELEGATE_REPLY, -1,
	    (xdrproc_t)xdr_st_grant_delegate_reply, &rep);
	xdr_free((xdrproc_t)xdr_st_grant_dir_delegate_req, &req);
}

/* RFC 8881 10.9: a delegated directory changed: whom to tell, or recall. */
void
stated_grant_dir_change(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_grant_dir_change_req req;
	struct st_grant_dir_change_reply rep;
	struct v4_dir_holder h[ST_GRANT_DIR_NOTIFY_MAX];
	st_grant_dir_holder out[ST_GRANT_DIR_NOTIFY_MAX];
	struct lock_file_id file;
	struct v4_stateid sid;
	size_t i, n, recalled;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_grant_dir_change_req,
	    &req) == -1)
		return;
	stated_v4_clock(env);
	memset(&rep, 0, sizeof(rep));
	if (req.stateid.stateid_len == 1) {
		/* A CB_NOTIFY to its holder was lost: that one goes. */
		stated_v4_stateid_in(&req.stateid.stateid_val[0], &sid);
		rep.recalled = (u_int)v4_state_dir_recall(env->v4, &sid);
		rep.grants = 1;
		ipc_reply_xdr(ipc_peer_channel(peer), msg,
		    ST_GRANT_DIR_CHANGE_REPLY, -1,
		    (xdrproc_t)xdr_st_grant_dir_change_reply, &rep);
		goto out;
	}
	if (req.file.st_file_len != 0 && stated_file_in(&req.file, &file) ==
	    -1) {
		ipc_reply_error(ipc_peer_channel(peer), msg, EINVAL, NULL);
		goto out;
	}
	n = v4_state_dir_change(env->v4, req.file.st_file_len != 0 ? &file :
	    NULL, req.clientid, req.types, h, ST_GRANT_DIR_NOTIFY_MAX,
	    &recalled);
	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].clientid = h[i].clientid;
		out[i].notify = h[i].notify;
		stated_v4_stateid_out(&h[i].stateid, &out[i].stateid);
	}
	rep.notify.notify_len = (u_int)n;
	rep.notify.notify_val = out;
	rep.recalled = (u_int)recalled;
	rep.grants = req.file.st_file_len != 0 ?
	    (u_int)grant_file_count(env->caching, &file) : 1;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_GRANT_DIR_CHANGE_REPLY,
	    -1, (xdrproc_t)xdr_st_grant_dir_change_reply, &rep);
out:
	xdr_free((xdrproc_t)xdr_st_grant_dir_change_req, &req);
}

/* RFC 7530 16.8: DELEGRETURN */
void
stated_grant_return(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_grant_return_req req;
	struct st_grant_reply rep;
	struct v4_stateid sid;
	struct lock_file_id file;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_grant_return_req,
	    &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	stated_v4_stateid_in(&req.stateid, &sid);
	if (stated_file_in(&req.file, &file) == -1)
		rep.status = ST4ERR_INVAL;
	else
		rep.status = (st_v4_status)v4_state_delegreturn(env->v4, &sid,
		    &file);
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_GRANT_REPLY, -1,
	    (xdrproc_t)xdr_st_grant_reply, &rep);
	xdr_free((xdrproc_t)xdr_st_grant_return_req, &req);
}

/* RFC 7530 10.4.4: OPEN with CLAIM_DELEGATE_CUR, its delegation. */
void
stated_grant_claim_cur(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_grant_claim_cur_req req;
	struct st_grant_reply rep;
	struct v4_stateid sid;
	struct lock_file_id file;

	memset(&req, 0, sizeof(req));
	if (stated_v4_begin(peer, msg, (xdrproc_t)xdr_st_grant_claim_cur_req,
	    &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	stated_v4_stateid_in(&req.stateid, &sid);
	if (stated_file_in(&req.file, &file) == -1)
		rep.status = ST4ERR_INVAL;
	else
		rep.status = (st_v4_status)v4_state_deleg_cur(env->v4,
		    req.clientid, &sid, &file);
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_GRANT_REPLY, -1,
	    (xdrproc_t)xdr_st_grant_reply, &rep);
	xdr_free((xdrproc_t)xdr_st_grant_claim_cur_req, &req);
}

/*
 * A request about to change (or read) a file: the grants it conflicts
 * with are recalled; it waits while any is outstanding.
 */
void
stated_grant_conflict(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_grant_conflict_req req;
	struct st_grant_conflict_reply rep;
	struct lock_file_id file;
	struct v4_stateid sid;
	uint64_t client = 0;
	int protocol = 0;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_grant_conflict_req,
	    &req) == -1)
		return;
	stated_v4_clock(env);
	memset(&rep, 0, sizeof(rep));
	if (stated_file_in(&req.file, &file) == -1) {
		ipc_reply_error(ipc_peer_channel(peer), msg, EINVAL, NULL);
		goto out;
	}
	/* Whose request it is: what its stateid names, else as given. */
	if (req.stateid.stateid_len == 1) {
		stated_v4_stateid_in(&req.stateid.stateid_val[0], &sid);
		if ((client = v4_state_stateid_client(env->v4, &sid)) != 0)
			protocol = ST_PROTOCOL_NFSV4;
	} else if (req.protocol != 0) {
		/* smbd speaks for SMB clients, nfsd for NFSv4 ones. */
		if (!stated_protocol_ok(peer, req.protocol)) {
			ipc_reply_error(ipc_peer_channel(peer), msg, EINVAL,
			    NULL);
			goto out;
		}
		protocol = req.protocol;
		client = req.client_id;
	}
	rep.outstanding = (u_int)stated_grant_recall(env, &file, protocol,
	    client, req.write, 0);
	rep.grants = (u_int)grant_file_count(env->caching, &file);
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_GRANT_CONFLICT_REPLY, -1,
	    (xdrproc_t)xdr_st_grant_conflict_reply, &rep);
out:
	xdr_free((xdrproc_t)xdr_st_grant_conflict_req, &req);
}

/* The files with a grant, for a front end's set after its (re)connect. */
struct stated_grant_files {
	struct grant_table	*t;
	st_grant_file		*files;
	struct lock_file_id	*ids;
	size_t			 n;
	size_t			 cap;
	int			 truncated;
};

static int
stated_grant_is_dir_cb(void *arg, const struct grant *g)
{
	(void)arg;
	return g->state != GRANT_REVOKED && g->level == GRANT_DIR;
}

static int
stated_grant_files_cb(void *arg, const struct lock_file_id *f)
{
	struct stated_grant_files *l = arg;
	struct grant_holder h;
	int level;

	if (l->n >= l->cap) {
		l->truncated = 1;
		return 1;
	}
	memset(&h, 0, sizeof(h));
	level = grant_file_level(l->t, f, &h);
	/* A directory's: nfsd looks at its notes (dirdeleg.c). */
	if (level == GRANT_READ && grant_foreach_on_file(l->t, f,
	    stated_grant_is_dir_cb, NULL) != 0)
		level = GRANT_DIR;
	l->ids[l->n] = *f;
	l->files[l->n].file.st_file_len = (u_int)f->len;
	l->files[l->n].file.st_file_val = (char *)l->ids[l->n].data;
	l->files[l->n].level = (u_int)level;
	l->files[l->n].holder = level == GRANT_WRITE &&
	    h.protocol == ST_PROTOCOL_NFSV4 ? h.client_id : 0;
	l->n++;
	return 0;
}

#define STATED_GRANT_FILES_MAX	65536

void
stated_grant_files(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_grant_files_reply rep;
	struct stated_grant_files l;
	struct grant_stats gs;

	env->requests++;
	memset(&l, 0, sizeof(l));
	l.t = env->caching;
	grant_stats(env->caching, &gs);
	l.cap = gs.granted + gs.recalling;
	if (l.cap > STATED_GRANT_FILES_MAX)
		l.cap = STATED_GRANT_FILES_MAX;
	if (l.cap > 0 && ((l.files = calloc(l.cap, sizeof(*l.files))) ==
	    NULL || (l.ids = calloc(l.cap, sizeof(*l.ids))) == NULL)) {
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM, NULL);
		goto out;
	}
	if (l.cap > 0)
		grant_foreach_file(env->caching, stated_grant_files_cb, &l);
	memset(&rep, 0, sizeof(rep));
	rep.files.files_len = (u_int)l.n;
	rep.files.files_val = l.files;
	rep.truncated = l.truncated;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_GRANT_FILES_REPLY, -1,
	    (xdrproc_t)xdr_st_grant_files_reply, &rep);
out:
	free(l.files);
	free(l.ids);
}

/* dittofsctl: every grant, bounded to one message. */
struct stated_grant_list {
	st_grant_desc		*v;
	size_t			 n;
	size_t			 cap;
	size_t			 bytes;
	int			 truncated;
	time_t			 now;
};

static int
stated_grant_list_cb(void *arg, const struct grant *g)
{
	struct stated_grant_list *l = arg;
	st_grant_desc *d;
	size_t need = 96 + g->file.len + g->stateid_len +
	    strlen(g->holder.fe_name);

	if (l->n >= l->cap || l->bytes + need > STATED_V4_LIST_BYTES) {
		l->truncated = 1;
		return 1;
	}
	l->bytes += need;
	d = &l->v[l->n++];
	memset(d, 0, sizeof(*d));
	d->file.st_file_len = (u_int)g->file.len;
	d->file.st_file_val = (char *)(uintptr_t)g->file.data;
	d->protocol = g->holder.protocol;
	d->client_id = g->holder.client_id;
	d->front_end = (char *)(uintptr_t)g->holder.fe_name;
	d->level = (u_int)g->level;
	d->state = (u_int)g->state;
	d->stateid.stateid_len = (u_int)g->stateid_len;
	d->stateid.stateid_val = (char *)(uintptr_t)g->stateid;
	d->age = (int64_t)(l->now - g->granted_at);
	d->recall_age = g->state == GRANT_GRANTED ? -1 :
	    (int64_t)(l->now - g->recalled_at);
	return 0;
}

void
stated_grant_ctl_list(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_grant_list_reply rep;
	struct stated_grant_list l;
	struct timespec ts;

	memset(&l, 0, sizeof(l));
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	l.now = ts.tv_sec;
	l.cap = 8192;
	if ((l.v = calloc(l.cap, sizeof(*l.v))) == NULL) {
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM, NULL);
		return;
	}
	grant_foreach(env->caching, stated_grant_list_cb, &l);
	memset(&rep, 0, sizeof(rep));
	rep.lease = (u_int)v4_state_lease(env->v4);
	rep.grants.grants_len = (u_int)l.n;
	rep.grants.grants_val = l.v;
	rep.truncated = l.truncated;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_GRANT_LIST_REPLY, -1,
	    (xdrproc_t)xdr_st_grant_list_reply, &rep);
	free(l.v);
}
