/*
 * dittofs-stated: NFSv4.1 clients and sessions (common/stated_session.x)
 * on the model of session_table.h.  Each handler decodes, checks that
 * its sender may touch NFSv4 state (stated_role_protocols), calls the
 * table and encodes the answer; a limit hit is logged here, at most ten
 * lines a minute since a client can hit one at will.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "stated.h"

/* Bytes of slots one LOAD reply carries, well within IPC_BODY_MAX. */
#define STATED_SESSION_LOAD_BYTES	(512 * 1024)
#define STATED_SESSION_LIST_BYTES	(IPC_BODY_MAX / 2)

static void
stated_session_clock(struct stated_env *env)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	session_table_set_now(env->sessions, ts.tv_sec);
	/* What the table drops, v4state drops (its forget callback). */
	if (env->v4 != NULL)
		v4_state_set_now(env->v4, ts.tv_sec);
}

/* Decode, and refuse a sender whose role may not touch NFSv4 state. */
static int
stated_session_begin(struct ipc_peer *peer, struct ipc_msg *msg,
    xdrproc_t proc, void *obj)
{
	struct stated_env *env = stated_env_of(peer);
	struct session_table_stats st;

	if (stated_decode(peer, msg, proc, obj) == -1)
		return -1;
	if (ipc_peer_role(peer) != IPC_ROLE_CTL &&
	    !stated_protocol_ok(peer, ST_PROTOCOL_NFSV4)) {
		ipc_reply_error(ipc_peer_channel(peer), msg, EPERM,
		    "NFSv4 state is not for this role");
		xdr_free(proc, obj);
		return -1;
	}
	stated_session_clock(env);
	session_table_stats(env->sessions, &st);
	env->session_limit_hits = st.limit_hits;
	env->session_reaped = st.reaped;
	return 0;
}

/* After the call: a limit hit is logged (rate-limited) and counted. */
static void
stated_session_end(struct ipc_peer *peer, uint64_t clientid, const char *op,
    uint32_t status)
{
	struct stated_env *env = stated_env_of(peer);
	struct session_table_stats st;

	session_table_stats(env->sessions, &st);
	if (st.reaped != env->session_reaped)
		log_info("NFSv4.1 %s of client %016llx: the sessions of %llu "
		    "lapsed client(s) in its way reaped", op,
		    (unsigned long long)clientid,
		    (unsigned long long)(st.reaped - env->session_reaped));
	if (st.limit_hits == env->session_limit_hits)
		return;
	env->limit_hits += st.limit_hits - env->session_limit_hits;
	log_warnx_rl("NFSv4.1 client %016llx: %s refused by a limit "
	    "(nfsv4.1 sessions per client, nfsv4.1 session memory or clients "
	    "per address): %s", (unsigned long long)clientid, op,
	    session_status_str(status));
}

static void
stated_session_channel_in(const st_session_channel *in,
    struct session_channel *out)
{
	out->headerpadsize = in->headerpadsize;
	out->maxrequestsize = in->maxrequestsize;
	out->maxresponsesize = in->maxresponsesize;
	out->maxresponsesize_cached = in->maxresponsesize_cached;
	out->maxoperations = in->maxoperations;
	out->maxrequests = in->maxrequests;
}

/* No RDMA: ca_rdma_ird stays empty. */
static void
stated_session_channel_out(const struct session_channel *in,
    st_session_channel *out)
{
	memset(out, 0, sizeof(*out));
	out->headerpadsize = in->headerpadsize;
	out->maxrequestsize = in->maxrequestsize;
	out->maxresponsesize = in->maxresponsesize;
	out->maxresponsesize_cached = in->maxresponsesize_cached;
	out->maxoperations = in->maxoperations;
	out->maxrequests = in->maxrequests;
}

/*
 * stated dropped a session (sessionid) or a whole client (NULL) on its
 * own: ST_PUSH_FORGET to every nfsd, so that it drops its mirror rather
 * than answer for it until its next SESSION_LOAD (stated_push.x).
 */
static void
stated_session_gone_cb(void *arg, uint64_t clientid, const uint8_t *sessionid)
{
	struct stated_env *env = arg;
	st_push_body body;

	memset(&body, 0, sizeof(body));
	body.kind = ST_PUSH_FORGET;
	body.st_push_body_u.forget.clientid = clientid;
	if (sessionid != NULL) {
		body.st_push_body_u.forget.sessionid.sessionid_len =
		    SESSION_ID_SIZE;
		body.st_push_body_u.forget.sessionid.sessionid_val =
		    (char *)(uintptr_t)sessionid;
	}
	stated_push_nfsds(env, &body);
	log_debug("NFSv4.1 client %016llx: %s dropped, nfsd told",
	    (unsigned long long)clientid, sessionid != NULL ? "a session" :
	    "the client");
}

static void
stated_session_status(struct ipc_peer *peer, struct ipc_msg *msg,
    uint32_t status)
{
	struct st_session_reply rep;

	memset(&rep, 0, sizeof(rep));
	rep.status = (st_session_status)status;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_SESSION_REPLY, -1,
	    (xdrproc_t)xdr_st_session_reply, &rep);
}

/* RFC 8881 18.35 */
void
stated_session_exchange_id(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_session_exchange_id_req req;
	struct st_session_exchange_id_reply rep;
	struct session_exchange_args a;
	struct session_exchange_res res;

	memset(&req, 0, sizeof(req));
	if (stated_session_begin(peer, msg,
	    (xdrproc_t)xdr_st_session_exchange_id_req, &req) == -1)
		return;
	memset(&a, 0, sizeof(a));
	a.verifier = (const uint8_t *)req.verifier;
	a.owner = (const uint8_t *)req.ownerid.ownerid_val;
	a.owner_len = req.ownerid.ownerid_len;
	a.flags = req.flags;
	a.protect = req.protect;
	a.principal = req.principal;
	a.addr = req.addr;
	a.impl_domain = req.impl_domain;
	a.impl_name = req.impl_name;
	memset(&rep, 0, sizeof(rep));
	rep.status = (st_session_status)session_exchange_id(env->sessions, &a,
	    &res);
	rep.clientid = res.clientid;
	rep.sequenceid = res.sequenceid;
	rep.flags = res.flags;
	rep.lease = (u_int)session_table_lease(env->sessions);
	stated_session_end(peer, 0, "EXCHANGE_ID", rep.status);
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_SESSION_EXCHANGE_ID_REPLY,
	    -1, (xdrproc_t)xdr_st_session_exchange_id_reply, &rep);
	xdr_free((xdrproc_t)xdr_st_session_exchange_id_req, &req);
}

/* RFC 8881 18.36 */
void
stated_session_create(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_session_create_req req;
	struct st_session_create_reply rep;
	struct session_create_args a;
	struct session_create_res res;

	memset(&req, 0, sizeof(req));
	if (stated_session_begin(peer, msg,
	    (xdrproc_t)xdr_st_session_create_req, &req) == -1)
		return;
	memset(&a, 0, sizeof(a));
	a.clientid = req.clientid;
	a.sequence = req.sequence;
	a.flags = req.flags;
	a.principal = req.principal;
	stated_session_channel_in(&req.fore, &a.fore);
	stated_session_channel_in(&req.back, &a.back);
	a.cb_program = req.cb_program;
	a.cb_sec = (const uint8_t *)req.cb_sec.cb_sec_val;
	a.cb_sec_len = req.cb_sec.cb_sec_len;
	session_create(env->sessions, &a, &res);
	memset(&rep, 0, sizeof(rep));
	rep.status = (st_session_status)res.status;
	memcpy(rep.sessionid, res.sessionid, sizeof(rep.sessionid));
	rep.sequence = res.sequence;
	rep.flags = res.flags;
	stated_session_channel_out(&res.fore, &rep.fore);
	stated_session_channel_out(&res.back, &rep.back);
	rep.replay = res.replay;
	stated_session_end(peer, req.clientid, "CREATE_SESSION", res.status);
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_SESSION_CREATE_REPLY, -1,
	    (xdrproc_t)xdr_st_session_create_reply, &rep);
	xdr_free((xdrproc_t)xdr_st_session_create_req, &req);
}

/* RFC 8881 18.37; and dittofsctl. */
void
stated_session_destroy(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_session_id_req req;
	uint32_t st;

	memset(&req, 0, sizeof(req));
	if (stated_session_begin(peer, msg, (xdrproc_t)xdr_st_session_id_req,
	    &req) == -1)
		return;
	st = session_destroy(env->sessions, (const uint8_t *)req.sessionid);
	if (st == SESSION_OK && ipc_peer_role(peer) == IPC_ROLE_CTL) {
		log_info("NFSv4.1 session destroyed by dittofsctl");
		stated_session_gone_cb(env, 0, (const uint8_t *)req.sessionid);
	}
	stated_session_status(peer, msg, st);
}

/* RFC 8881 18.35.3: an op of SP4_MACH_CRED's enforce set, from nfsd. */
void
stated_session_mach_check(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_session_mach_req req;
	uint32_t st;

	memset(&req, 0, sizeof(req));
	if (stated_session_begin(peer, msg,
	    (xdrproc_t)xdr_st_session_mach_req, &req) == -1)
		return;
	st = session_mach_check(env->sessions, req.clientid,
	    (const uint8_t *)req.sessionid, req.principal);
	if (st == SESSIONERR_WRONG_CRED)
		log_info_rl("NFSv4.1: %s is not the machine credential of "
		    "client %016llx (SP4_MACH_CRED): WRONG_CRED",
		    req.principal, (unsigned long long)req.clientid);
	stated_session_status(peer, msg, st);
	xdr_free((xdrproc_t)xdr_st_session_mach_req, &req);
}

/* RFC 8881 18.50; and dittofsctl. */
void
stated_session_destroy_clientid(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_session_clientid_req req;
	uint32_t st;

	memset(&req, 0, sizeof(req));
	if (stated_session_begin(peer, msg,
	    (xdrproc_t)xdr_st_session_clientid_req, &req) == -1)
		return;
	st = session_destroy_clientid(env->sessions, req.clientid);
	if (st == SESSION_OK && ipc_peer_role(peer) == IPC_ROLE_CTL) {
		log_info("NFSv4.1 client %016llx destroyed by dittofsctl",
		    (unsigned long long)req.clientid);
		stated_session_gone_cb(env, req.clientid, NULL);
	}
	stated_session_status(peer, msg, st);
}

/* RFC 8881 18.51 */
void
stated_session_reclaim_complete(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_session_reclaim_req req;

	memset(&req, 0, sizeof(req));
	if (stated_session_begin(peer, msg,
	    (xdrproc_t)xdr_st_session_reclaim_req, &req) == -1)
		return;
	stated_session_status(peer, msg, session_reclaim_complete(
	    env->sessions, req.clientid, req.one_fs));
}

/*
 * One COMPOUND done (one way: no reply).  A malformed one closes the
 * channel; one that does not fit the session (unknown, slot past the
 * table, out of order) is dropped and logged: nfsd's mirror and this
 * copy disagree, and nfsd's next LOAD of the session says how.
 */
void
stated_session_slot_done(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_session_slot_done req;
	uint32_t st;

	memset(&req, 0, sizeof(req));
	if (ipc_decode(msg, (xdrproc_t)xdr_st_session_slot_done, &req) == -1) {
		log_warnx_rl("%s: malformed SESSION_SLOT_DONE of %zu bytes; "
		    "disconnecting", ipc_peer_name(peer), msg->len);
		ipc_channel_close(ipc_peer_channel(peer), NULL);
		return;
	}
	env->requests++;
	stated_session_clock(env);
	st = session_slot_done(env->sessions, (const uint8_t *)req.sessionid,
	    req.slotid, req.seqid, req.cached,
	    (const uint8_t *)req.digest.digest_val, req.digest.digest_len,
	    (const uint8_t *)req.reply.reply_val, req.reply.reply_len);
	if (st == SESSIONERR_REP_TOO_BIG_TO_CACHE)
		log_warnx_rl("%s: slot %u: a reply of %u bytes is beyond the "
		    "session's cached reply size: not kept", ipc_peer_name(peer),
		    req.slotid, req.reply.reply_len);
	else if (st != SESSION_OK) {
		env->session_slots_refused++;
		log_warnx_rl("%s: SESSION_SLOT_DONE of slot %u, sequence id %u "
		    "not applied: %s", ipc_peer_name(peer), req.slotid,
		    req.seqid, session_status_str(st));
	}
	xdr_free((xdrproc_t)xdr_st_session_slot_done, &req);
}

/*
 * ST_SESSION_BACK, one way: nfsd's word on a session's backchannel.
 * The client's delegations follow it (v4state: none is granted to a
 * v4.1 client without a backchannel that answered).
 */
void
stated_session_back(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_session_back req;
	uint64_t clientid = 0;
	uint32_t st;

	memset(&req, 0, sizeof(req));
	if (ipc_decode(msg, (xdrproc_t)xdr_st_session_back, &req) == -1) {
		log_warnx_rl("%s: malformed SESSION_BACK of %zu bytes; "
		    "disconnecting", ipc_peer_name(peer), msg->len);
		ipc_channel_close(ipc_peer_channel(peer), NULL);
		return;
	}
	env->requests++;
	stated_session_clock(env);
	st = session_back(env->sessions, (const uint8_t *)req.sessionid,
	    req.cb_program, req.cb_seqid, (int)req.state, &clientid);
	if (st != SESSION_OK) {
		log_warnx_rl("%s: SESSION_BACK not applied: %s",
		    ipc_peer_name(peer), session_status_str(st));
		return;
	}
	v4_state_callback_status(env->v4, clientid,
	    session_table_back_up(env->sessions, clientid));
}

/* ST_SESSION_BACK_CTL, one way: BACKCHANNEL_CTL's program and security. */
void
stated_session_back_ctl(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_session_back_ctl req;
	uint32_t st;

	memset(&req, 0, sizeof(req));
	if (ipc_decode(msg, (xdrproc_t)xdr_st_session_back_ctl, &req) == -1) {
		log_warnx_rl("%s: malformed SESSION_BACK_CTL of %zu bytes; "
		    "disconnecting", ipc_peer_name(peer), msg->len);
		ipc_channel_close(ipc_peer_channel(peer), NULL);
		return;
	}
	env->requests++;
	stated_session_clock(env);
	st = session_back_ctl(env->sessions, (const uint8_t *)req.sessionid,
	    req.cb_program, (const uint8_t *)req.cb_sec.cb_sec_val,
	    req.cb_sec.cb_sec_len);
	if (st != SESSION_OK)
		log_warnx_rl("%s: SESSION_BACK_CTL not applied: %s",
		    ipc_peer_name(peer), session_status_str(st));
	xdr_free((xdrproc_t)xdr_st_session_back_ctl, &req);
}

/* ST_SESSION_SHRINK, one way: the slots the client gave back. */
void
stated_session_shrink(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_session_shrink req;
	uint32_t st;

	memset(&req, 0, sizeof(req));
	if (ipc_decode(msg, (xdrproc_t)xdr_st_session_shrink, &req) == -1) {
		log_warnx_rl("%s: malformed SESSION_SHRINK of %zu bytes; "
		    "disconnecting", ipc_peer_name(peer), msg->len);
		ipc_channel_close(ipc_peer_channel(peer), NULL);
		return;
	}
	env->requests++;
	if ((st = session_shrink(env->sessions, (const uint8_t *)req.sessionid,
	    req.slots)) != SESSION_OK)
		log_warnx_rl("%s: SESSION_SHRINK not applied: %s",
		    ipc_peer_name(peer), session_status_str(st));
}

struct stated_session_load {
	st_session_slot	*v;
	size_t		 n;
	size_t		 cap;
};

static int
stated_session_load_cb(void *arg, const struct session_slot_info *i)
{
	struct stated_session_load *l = arg;
	st_session_slot *s;

	if (l->n >= l->cap)
		return 1;
	s = &l->v[l->n++];
	s->slotid = i->slotid;
	s->seqid = i->seqid;
	s->cached = i->cached;
	/* The table's memory, unchanged until the reply is encoded. */
	s->digest.digest_len = (u_int)i->digest_len;
	s->digest.digest_val = (char *)(uintptr_t)i->digest;
	s->reply.reply_len = (u_int)i->reply_len;
	s->reply.reply_val = (char *)(uintptr_t)i->reply;
	return 0;
}

/* A session nfsd does not know (after its restart): mirror this. */
void
stated_session_load(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_session_load_req req;
	struct st_session_load_reply rep;
	struct stated_session_load l;
	struct session_info info;
	uint32_t next;
	int eof;

	memset(&req, 0, sizeof(req));
	if (stated_session_begin(peer, msg, (xdrproc_t)xdr_st_session_load_req,
	    &req) == -1)
		return;
	memset(&l, 0, sizeof(l));
	l.cap = ST_SESSION_SLOTS_MAX;
	if ((l.v = calloc(l.cap, sizeof(*l.v))) == NULL) {
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM, NULL);
		return;
	}
	memset(&rep, 0, sizeof(rep));
	memset(&info, 0, sizeof(info));
	rep.status = (st_session_status)session_load(env->sessions,
	    (const uint8_t *)req.sessionid, req.first_slot,
	    STATED_SESSION_LOAD_BYTES, &info, stated_session_load_cb, &l,
	    &next, &eof);
	rep.eof = 1;
	if (rep.status == ST41_OK) {
		rep.clientid = info.clientid;
		rep.flags = info.flags;
		stated_session_channel_out(&info.fore, &rep.fore);
		stated_session_channel_out(&info.back, &rep.back);
		rep.cb_program = info.cb_program;
		rep.cb_sec.cb_sec_len = (u_int)info.cb_sec_len;
		rep.cb_sec.cb_sec_val = (char *)(uintptr_t)info.cb_sec;
		rep.cb_seqid = info.cb_seqid;
		rep.lease = (u_int)session_table_lease(env->sessions);
		rep.renewed = info.renewed < 0 ? 0 : (u_int)info.renewed;
		rep.slots.slots_len = (u_int)l.n;
		rep.slots.slots_val = l.v;
		rep.next_slot = next;
		rep.eof = eof;
	}
	if (ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_SESSION_LOAD_REPLY,
	    -1, (xdrproc_t)xdr_st_session_load_reply, &rep) == -1)
		log_warn("%s: SESSION_LOAD reply", ipc_peer_name(peer));
	free(l.v);
}

/* dittofsctl: clients and their sessions, bounded to one message. */
struct stated_session_list {
	struct session_table	*t;
	struct v4_state		*v4;
	st_session_client_desc	*clients;
	size_t			 n;
	size_t			 cap;
	st_session_desc		*sessions;
	size_t			 nsessions;
	size_t			 sessions_cap;
	size_t			 bytes;
	int			 truncated;
};

static int
stated_session_list_session_cb(void *arg, const struct session_info *i)
{
	struct stated_session_list *l = arg;
	st_session_desc *d;

	if (l->nsessions >= l->sessions_cap ||
	    l->bytes + 64 > STATED_SESSION_LIST_BYTES) {
		l->truncated = 1;
		return 1;
	}
	l->bytes += 64;
	d = &l->sessions[l->nsessions++];
	memset(d, 0, sizeof(*d));
	memcpy(d->sessionid, i->sessionid, sizeof(d->sessionid));
	d->flags = i->flags;
	d->slots = i->slots;
	d->slots_used = i->slots_used;
	d->cached_bytes = (u_int)i->cached_bytes;
	d->maxrequestsize = i->fore.maxrequestsize;
	d->maxresponsesize = i->fore.maxresponsesize;
	d->maxresponsesize_cached = i->fore.maxresponsesize_cached;
	d->back = (u_int)i->back_state;
	d->cb_seqid = i->cb_seqid;
	return 0;
}

static int
stated_session_list_client_cb(void *arg, const struct session_client_info *i)
{
	struct stated_session_list *l = arg;
	st_session_client_desc *d;
	size_t need = 128 + i->owner_len + strlen(i->principal) +
	    strlen(i->addr) + strlen(i->impl_name);
	size_t first = l->nsessions, opens, locks;

	if (l->n >= l->cap || l->bytes + need > STATED_SESSION_LIST_BYTES) {
		l->truncated = 1;
		return 1;
	}
	l->bytes += need;
	d = &l->clients[l->n++];
	memset(d, 0, sizeof(*d));
	d->clientid = i->clientid;
	d->ownerid.ownerid_len = (u_int)i->owner_len;
	d->ownerid.ownerid_val = (char *)(uintptr_t)i->owner;
	d->principal = (char *)(uintptr_t)i->principal;
	d->addr = (char *)(uintptr_t)i->addr;
	d->impl_name = (char *)(uintptr_t)i->impl_name;
	d->confirmed = i->confirmed;
	d->lapsed = i->lapsed;
	d->reclaim_complete = i->reclaim_complete;
	d->idle = i->idle;
	if (l->v4 != NULL) {
		v4_state_client_counts(l->v4, i->clientid, &opens, &locks);
		d->opens = (u_int)opens;
		d->locks = (u_int)locks;
	}
	session_table_foreach_session(l->t, i->clientid,
	    stated_session_list_session_cb, l);
	d->sessions.sessions_len = (u_int)(l->nsessions - first);
	d->sessions.sessions_val = l->sessions + first;
	return l->truncated;
}

void
stated_session_ctl_list(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_session_list_reply rep;
	struct stated_session_list l;
	struct session_table_stats st;

	stated_session_clock(env);
	memset(&l, 0, sizeof(l));
	l.t = env->sessions;
	l.v4 = env->v4;
	l.cap = 4096;
	l.sessions_cap = 8192;
	l.clients = calloc(l.cap, sizeof(*l.clients));
	l.sessions = calloc(l.sessions_cap, sizeof(*l.sessions));
	if (l.clients == NULL || l.sessions == NULL) {
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM, NULL);
		goto out;
	}
	session_table_foreach_client(env->sessions,
	    stated_session_list_client_cb, &l);
	session_table_stats(env->sessions, &st);
	memset(&rep, 0, sizeof(rep));
	rep.lease = (u_int)session_table_lease(env->sessions);
	rep.bytes = st.bytes;
	rep.bytes_max = env->session_memory_max;
	rep.clients.clients_len = (u_int)l.n;
	rep.clients.clients_val = l.clients;
	rep.truncated = l.truncated;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_SESSION_LIST_REPLY, -1,
	    (xdrproc_t)xdr_st_session_list_reply, &rep);
out:
	free(l.clients);
	free(l.sessions);
}

/* A reclaimable NFSv4.1 client has finished (grace.c). */
static void
stated_session_done_cb(void *arg, struct stated_client *cl, const char *why)
{
	stated_client_done(arg, cl, why);
}

/* At start and on reload: the lease and the limits of dittofs.conf(5). */
void
stated_session_configure(struct stated_env *env, long long lease,
    const struct session_limits *lim)
{
	env->session_memory_max = lim->memory_max;
	session_table_set_lease(env->sessions, (time_t)lease);
	session_table_set_limits(env->sessions, lim);
	session_table_set_done_cb(env->sessions, stated_session_done_cb, env);
	session_table_set_gone_cb(env->sessions, stated_session_gone_cb, env);
}

/* The sweep timer (grace.c): lapsed clients, unconfirmed ones. */
void
stated_session_sweep(struct stated_env *env)
{
	size_t n;

	stated_session_clock(env);
	if ((n = session_table_sweep(env->sessions)) > 0)
		log_info("NFSv4.1: %zu client(s) whose lease ran out forgotten, "
		    "with their sessions", n);
	session_table_mark_records(env->sessions);
}

/* A lock of a lapsed NFSv4.1 client is in the way (lock.c). */
int
stated_session_courtesy(struct stated_env *env, uint64_t clientid)
{
	if (env->sessions == NULL)
		return 0;
	stated_session_clock(env);
	return session_table_courtesy(env->sessions, clientid);
}
