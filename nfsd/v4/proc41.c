/*
 * NFSv4.1 (RFC 8881): the session ops and the rules of a COMPOUND of
 * minor version 1, through stated's session messages
 * (common/stated_session.x, whose header comment is the contract).
 *
 * nfsd mirrors each session's slot table (session.c) and checks
 * SEQUENCE itself; stated keeps the durable copy.  A COMPOUND whose
 * SEQUENCE succeeded sends ONE one-way ST_SESSION_SLOT_DONE before its
 * reply leaves (nfs41_slot_finish, from proc.c's nfs4_finish): the
 * slot's new sequence id, the request's digest, and the reply when the
 * client asked for it to be cached.  The SLOT_DONEs of one loop turn
 * leave in one write, and the replies wait for it (the reply cache's
 * hold: stated_client_send_before).  A retry is answered from the
 * mirror and sends nothing.  A session nfsd does not know (after its
 * restart) is loaded from stated with ST_SESSION_LOAD, once, then
 * mirrored; a mirrored one whose lease may have run out is loaded again
 * (stated reaps on its own), and one stated calls BADSESSION is dropped.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "ipc.h"
#include "log.h"
#include "nfsd/v4/proc.h"
#include "nfsd_msg.h"
#include "stated_session.h"

static uint32_t
nfs41_status(int status, const st_session_status *st)
{
	return nfs4_stated_status(status, st != NULL ? (uint32_t)*st :
	    NFS4ERR_SERVERFAULT);
}

static void
nfs41_channel_to_st(const struct nfs41_channel *in, st_session_channel *out)
{
	memset(out, 0, sizeof(*out));
	out->headerpadsize = in->headerpadsize;
	out->maxrequestsize = in->maxrequestsize;
	out->maxresponsesize = in->maxresponsesize;
	out->maxresponsesize_cached = in->maxresponsesize_cached;
	out->maxoperations = in->maxoperations;
	out->maxrequests = in->maxrequests;
}

static void
nfs41_channel_from_st(const st_session_channel *in, struct nfs41_channel *out)
{
	memset(out, 0, sizeof(*out));
	out->headerpadsize = in->headerpadsize;
	out->maxrequestsize = in->maxrequestsize;
	out->maxresponsesize = in->maxresponsesize;
	out->maxresponsesize_cached = in->maxresponsesize_cached;
	out->maxoperations = in->maxoperations;
	out->maxrequests = in->maxrequests;
}

/* RFC 8881 18.35.3: SP4_MACH_CRED asks for krb5i or krb5p. */
static int
nfs41_integrity(const struct nfs4_call *v)
{
	const struct rpcauth_call *a = &v->nfs.rpc->auth;

	return a->flavor != NULL && a->flavor->flavor == RPCSEC_GSS &&
	    (a->service == RPCSEC_GSS_SVC_INTEGRITY ||
	    a->service == RPCSEC_GSS_SVC_PRIVACY);
}

#define NFS41_BIT(op)	(1u << ((op) & 31))
/*
 * RFC 8881 18.35.3: what a server that takes SP4_MACH_CRED enforces
 * whatever the client asked (word 1: ops 32-63).  spo_must_allow is
 * answered empty: a Linux client told CLOSE, LOCKU and the like are
 * allowed sends them with the machine credential under its krb5i
 * context, which PUTFH into a share that takes krb5p alone would refuse
 * with WRONGSEC (knfsd exempts them there; nfsd does not yet).
 */
static const uint32_t nfs41_mach_enforce[2] = {
	0,
	NFS41_BIT(OP_BIND_CONN_TO_SESSION) | NFS41_BIT(OP_EXCHANGE_ID) |
	NFS41_BIT(OP_CREATE_SESSION) | NFS41_BIT(OP_DESTROY_SESSION) |
	NFS41_BIT(OP_DESTROY_CLIENTID)
};

static void
nfs41_mach_check_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_session_reply *rep = reply;
	uint32_t st = nfs41_status(status, rep ? &rep->status : NULL);
	void (*fn)(struct nfs4_call *) = v->then;

	v->then = NULL;
	/* The op's own errors (BADSESSION, STALE_CLIENTID) are its own. */
	if (st == NFS4ERR_WRONG_CRED || st == NFS4ERR_DELAY ||
	    st == NFS4ERR_SERVERFAULT) {
		nfs4_fail(v, st);
		return;
	}
	fn(v);
}

/*
 * RFC 8881 18.35.3: DESTROY_SESSION, BIND_CONN_TO_SESSION and
 * DESTROY_CLIENTID of a client with SP4_MACH_CRED come with its machine
 * credential (WRONG_CRED otherwise): stated holds it, so the check
 * survives a restart of nfsd.  Then fn.
 */
static void
nfs41_mach_check(struct nfs4_call *v, uint64_t clientid,
    const uint8_t *sessionid, void (*fn)(struct nfs4_call *))
{
	st_session_mach_req req;
	char principal[NFS4_PRINCIPAL_MAX];

	nfs4_principal(v, principal, sizeof(principal));
	memset(&req, 0, sizeof(req));
	req.clientid = clientid;
	if (sessionid != NULL)
		memcpy(req.sessionid, sessionid, NFS41_SESSIONID_SIZE);
	req.principal = principal;
	v->then = fn;
	nfs4_stated(v, ST_SESSION_MACH_CHECK,
	    (xdrproc_t)xdr_st_session_mach_req, &req, ST_SESSION_REPLY,
	    (xdrproc_t)xdr_st_session_reply, sizeof(st_session_reply),
	    nfs41_mach_check_done);
}

/* A counted string of the request as a C string, cut to len - 1. */
static void
nfs41_cstring(char *buf, size_t len, const struct nfs4_opaque *o)
{
	size_t n = o->len < len - 1 ? o->len : len - 1;

	if (n > 0)
		memcpy(buf, o->p, n);
	buf[n] = '\0';
}

/* RFC 8881 18.35: EXCHANGE_ID */
static const char nfs41_impl_domain[] = "dittofs";
static const char nfs41_impl_name[] = "dittofs-nfsd " PACKAGE_VERSION;

static void
nfs41_exchange_id_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_session_exchange_id_reply *rep = reply;
	struct nfsd_env *env = v->nfs.env;
	uint32_t st = nfs41_status(status, rep ? &rep->status : NULL);

	if (st != NFS4_OK) {
		nfs4_fail(v, st);
		return;
	}
	if (rep->lease > 0)
		env->v4_lease = rep->lease;
	v->res.u.exchange_id.clientid = rep->clientid;
	v->res.u.exchange_id.sequenceid = rep->sequenceid;
	v->res.u.exchange_id.flags = rep->flags;
	/* One server: one owner and scope, so clients may trunk sessions. */
	v->res.u.exchange_id.owner_minor = 0;
	v->res.u.exchange_id.owner_major.p = (const uint8_t *)env->v41_owner;
	v->res.u.exchange_id.owner_major.len = (uint32_t)strlen(env->v41_owner);
	v->res.u.exchange_id.scope = v->res.u.exchange_id.owner_major;
	v->res.u.exchange_id.impl_domain.p = (const uint8_t *)nfs41_impl_domain;
	v->res.u.exchange_id.impl_domain.len = sizeof(nfs41_impl_domain) - 1;
	v->res.u.exchange_id.impl_name.p = (const uint8_t *)nfs41_impl_name;
	v->res.u.exchange_id.impl_name.len = sizeof(nfs41_impl_name) - 1;
	if (v->op.u.exchange_id.protect == SP4_MACH_CRED) {
		v->res.u.exchange_id.protect = SP4_MACH_CRED;
		v->res.u.exchange_id.enforce.w[0] = nfs41_mach_enforce[0];
		v->res.u.exchange_id.enforce.w[1] = nfs41_mach_enforce[1];
	}
	nfs4_op_done(v, NFS4_OK);
}

void
nfs41_op_exchange_id(struct nfs4_call *v)
{
	struct nfs41_exchange_id_args *a = &v->op.u.exchange_id;
	st_session_exchange_id_req req;
	char principal[NFS4_PRINCIPAL_MAX];
	char domain[NFS41_IMPL_MAX + 1], name[NFS41_IMPL_MAX + 1];

	/*
	 * RFC 8881 18.35.4: SP4_SSV needs SSV's algorithms, which nfsd has
	 * not: a client falls back (Linux to SP4_MACH_CRED or SP4_NONE).
	 */
	if (a->protect == SP4_SSV) {
		log_info_rl("%s: NFSv4.1 EXCHANGE_ID with SP4_SSV: "
		    "ENCR_ALG_UNSUPP", v->nfs.rpc->peer_name);
		nfs4_fail(v, NFS4ERR_ENCR_ALG_UNSUPP);
		return;
	}
	/* 18.35.3: SP4_MACH_CRED under RPCSEC_GSS krb5i or krb5p only. */
	if (a->protect == SP4_MACH_CRED && !nfs41_integrity(v)) {
		log_info_rl("%s: NFSv4.1 EXCHANGE_ID with SP4_MACH_CRED "
		    "without RPCSEC_GSS integrity or privacy: INVAL",
		    v->nfs.rpc->peer_name);
		nfs4_fail(v, NFS4ERR_INVAL);
		return;
	}
	if (a->ownerid.len > ST_SESSION_OWNER_MAX) {
		nfs4_fail(v, NFS4ERR_INVAL);
		return;
	}
	nfs4_principal(v, principal, sizeof(principal));
	nfs41_cstring(domain, sizeof(domain), &a->impl_domain);
	nfs41_cstring(name, sizeof(name), &a->impl_name);
	memset(&req, 0, sizeof(req));
	memcpy(req.verifier, a->verf, NFS4_VERIFIER_SIZE);
	req.ownerid.ownerid_len = a->ownerid.len;
	req.ownerid.ownerid_val = (char *)(uintptr_t)a->ownerid.p;
	req.flags = a->flags;
	req.protect = a->protect;
	req.principal = principal;
	req.addr = v->nfs.rpc->peer_addr;
	req.impl_domain = domain;
	req.impl_name = name;
	nfs4_stated(v, ST_SESSION_EXCHANGE_ID,
	    (xdrproc_t)xdr_st_session_exchange_id_req, &req,
	    ST_SESSION_EXCHANGE_ID_REPLY,
	    (xdrproc_t)xdr_st_session_exchange_id_reply,
	    sizeof(st_session_exchange_id_reply), nfs41_exchange_id_done);
}

/* A session stated made or loaded, into the mirror. */
static struct nfs41_session *
nfs41_mirror_put(struct nfsd_env *env, const uint8_t *id, uint64_t clientid,
    uint32_t flags, const st_session_channel *fore,
    const st_session_channel *back, uint32_t cb_program, uint32_t cb_seqid,
    uint32_t lease, uint32_t renewed_ago)
{
	struct nfs41_session *s;

	if ((s = nfs41_mirror_add(env->v41, id, clientid,
	    fore->maxrequests)) == NULL) {
		log_warnx_rl("NFSv4.1: a session of %u slots not mirrored "
		    "(memory): stated is asked again", fore->maxrequests);
		return NULL;
	}
	s->flags = flags;
	nfs41_channel_from_st(fore, &s->fore);
	nfs41_channel_from_st(back, &s->back);
	s->cb_program = cb_program;
	s->cb_seqid = cb_seqid;
	s->lease = lease > 0 ? lease : env->v4_lease;
	s->renewed = nfs4_clock() - (time_t)renewed_ago;
	return s;
}

/* ---- the connections of each session (dittofsctl v4 sessions) ---- */

static void *
nfs41_conn_hold(void *c)
{
	return rpcsvc_conn_ref(c);
}

static void
nfs41_conn_release(void *c)
{
	rpcsvc_conn_release(c);
}

static int
nfs41_conn_alive(const void *c)
{
	return rpcsvc_conn_alive(c);
}

void
nfs41_conns_init(struct nfsd_env *env)
{
	static const struct nfs41_conn_ops ops = {
		nfs41_conn_hold, nfs41_conn_release, nfs41_conn_alive
	};

	nfs41_mirror_set_conn_ops(env->v41, &ops);
}

/* The call's connection (none over UDP) carries the session that way. */
static void
nfs41_conn_seen(struct nfs4_call *v, struct nfs41_session *s,
    unsigned int dir)
{
	if (v->nfs.rpc->conn != NULL)
		(void)nfs41_session_conn(v->nfs.env->v41, s, v->nfs.rpc->conn,
		    v->nfs.rpc->peer_name, dir);
}

/* What one reply holds at most, under IPC_BODY_MAX. */
#define NFS41_CTL_BUDGET	(512 * 1024)

struct nfs41_ctl_fill {
	struct nfsd_ctl_sessions_reply	*rep;
	struct nfs41_mirror		*m;
	size_t				 budget;
	int				 failed;
};

static void
nfs41_ctl_session(void *arg, struct nfs41_session *s)
{
	struct nfs41_ctl_fill *f = arg;
	nfsd_ctl_session *d;
	uint32_t i;

	if (f->failed || f->rep->sessions.sessions_len >=
	    NFSD_CTL_SESSIONS_MAX)
		return;
	nfs41_session_conns_prune(f->m, s);
	if (f->budget < 64 + s->nconns * (8 + sizeof(s->conns[0].name))) {
		f->rep->truncated = 1;
		return;
	}
	f->budget -= 64 + s->nconns * (8 + sizeof(s->conns[0].name));
	d = &f->rep->sessions.sessions_val[f->rep->sessions.sessions_len++];
	memset(d, 0, sizeof(*d));
	memcpy(d->sessionid, s->id, NFS41_SESSIONID_SIZE);
	d->clientid = s->clientid;
	if (s->nconns == 0)
		return;
	if ((d->conns.conns_val = calloc(s->nconns,
	    sizeof(*d->conns.conns_val))) == NULL) {
		f->failed = 1;
		return;
	}
	d->conns.conns_len = s->nconns;
	for (i = 0; i < s->nconns; i++) {
		d->conns.conns_val[i].addr = s->conns[i].name;
		d->conns.conns_val[i].dir = s->conns[i].dir;
	}
}

/* NFSD_CTL_SESSIONS (dittofsctl): each mirrored session's connections. */
void
nfsd_ctl_sessions(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct daemon *d = ipc_peer_server_arg(peer);
	struct nfsd_env *env = d->env;
	struct nfsd_ctl_sessions_reply rep;
	struct nfs41_ctl_fill f;
	size_t n, i;

	memset(&rep, 0, sizeof(rep));
	n = nfs41_mirror_count(env->v41, NULL);
	if (n > NFSD_CTL_SESSIONS_MAX)
		n = NFSD_CTL_SESSIONS_MAX;
	f.rep = &rep;
	f.m = env->v41;
	f.budget = NFS41_CTL_BUDGET;
	f.failed = 0;
	if (n > 0 && (rep.sessions.sessions_val = calloc(n,
	    sizeof(*rep.sessions.sessions_val))) == NULL)
		f.failed = 1;
	else if (n > 0)
		nfs41_mirror_foreach(env->v41, nfs41_ctl_session, &f);
	if (f.failed)
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM,
		    "out of memory");
	else
		ipc_reply_xdr(ipc_peer_channel(peer), msg,
		    NFSD_CTL_SESSIONS_REPLY, -1,
		    (xdrproc_t)xdr_nfsd_ctl_sessions_reply, &rep);
	for (i = 0; i < rep.sessions.sessions_len; i++)
		free(rep.sessions.sessions_val[i].conns.conns_val);
	free(rep.sessions.sessions_val);
}

/* The GSS principal of the caller, or NULL. */
static const char *
nfs41_caller_gss(const struct nfs4_call *v)
{
	const struct rpcauth_call *a = &v->nfs.rpc->auth;

	return a->flavor != NULL && a->flavor->flavor == RPCSEC_GSS ?
	    a->msg.cred.machine : NULL;
}

/*
 * RFC 8881 18.33.3, 18.36.3: RPCSEC_GSS handles alone that name no
 * context of the caller's are NFS4ERR_NOENT.
 */
static uint32_t
nfs41_cb_sec_of(struct nfs4_call *v, const struct nfs4_opaque *raw,
    uint64_t clientid, struct nfs41_cb_sec *sec)
{
	(void)nfs41_cb_sec_pick(raw, sec);
	return nfs41_cb_sec_check(v->nfs.env, sec, nfs41_caller_gss(v),
	    clientid);
}

/* RFC 8881 18.36: CREATE_SESSION */
static void
nfs41_create_session_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_session_create_reply *rep = reply;
	struct nfsd_env *env = v->nfs.env;
	uint32_t st = nfs41_status(status, rep ? &rep->status : NULL);
	struct nfs41_session *s;
	struct nfs41_cb_sec sec;

	if (st != NFS4_OK) {
		nfs4_fail(v, st);
		return;
	}
	/* Checked before stated was asked: the caller's principal. */
	(void)nfs41_cb_sec_pick(&v->op.u.create_session.cb_sec, &sec);
	snprintf(sec.principal, sizeof(sec.principal), "%s",
	    nfs41_caller_gss(v) != NULL ? nfs41_caller_gss(v) : "-");
	/* A replay of a session mirrored already leaves its slots alone. */
	if (!rep->replay || (s = nfs41_mirror_get(env->v41,
	    (const uint8_t *)rep->sessionid)) == NULL)
		s = nfs41_mirror_put(env, (const uint8_t *)rep->sessionid,
		    v->op.u.create_session.clientid, rep->flags, &rep->fore,
		    &rep->back, v->op.u.create_session.cb_program, 0,
		    env->v4_lease, 0);
	if (s != NULL) {
		s->cb_sec = sec;
		nfs41_conn_seen(v, s, NFS41_CONN_FORE |
		    (rep->flags & CREATE_SESSION4_FLAG_CONN_BACK_CHAN ?
		    NFS41_CONN_BACK : 0));
	}
	/* RFC 8881 18.36.3: this connection is the backchannel too. */
	if (rep->flags & CREATE_SESSION4_FLAG_CONN_BACK_CHAN)
		nfs41_back_bind(env, (const uint8_t *)rep->sessionid,
		    v->op.u.create_session.clientid, v->nfs.rpc->conn,
		    v->op.u.create_session.cb_program, 0, &sec);
	memcpy(v->res.u.create_session.sessionid, rep->sessionid,
	    NFS41_SESSIONID_SIZE);
	v->res.u.create_session.sequence = rep->sequence;
	v->res.u.create_session.flags = rep->flags;
	nfs41_channel_from_st(&rep->fore, &v->res.u.create_session.fore);
	nfs41_channel_from_st(&rep->back, &v->res.u.create_session.back);
	nfs4_op_done(v, NFS4_OK);
}

void
nfs41_op_create_session(struct nfs4_call *v)
{
	struct nfs41_create_session_args *a = &v->op.u.create_session;
	struct nfsd_env *env = v->nfs.env;
	st_session_create_req req;
	struct nfs41_cb_sec sec;
	struct nfs4_opaque kept;
	uint8_t kept_buf[ST_SESSION_CB_SEC_MAX];
	char principal[NFS4_PRINCIPAL_MAX];
	uint32_t st;

	if ((st = nfs41_cb_sec_of(v, &a->cb_sec, a->clientid, &sec)) !=
	    NFS4_OK) {
		nfs4_fail(v, st);
		return;
	}
	nfs4_principal(v, principal, sizeof(principal));
	memset(&req, 0, sizeof(req));
	req.clientid = a->clientid;
	req.sequence = a->sequence;
	req.flags = a->flags;
	req.principal = principal;
	nfs41_channel_to_st(&a->fore, &req.fore);
	nfs41_channel_to_st(&a->back, &req.back);
	/* What nfsd itself takes: a record, and ops per COMPOUND. */
	if (req.fore.maxrequestsize > NFS_RECORD_MAX)
		req.fore.maxrequestsize = NFS_RECORD_MAX;
	if (req.fore.maxoperations > env->v4_ops_max)
		req.fore.maxoperations = env->v4_ops_max;
	if (req.fore.maxresponsesize_cached > NFS41_REPLY_MAX)
		req.fore.maxresponsesize_cached = NFS41_REPLY_MAX;
	req.cb_program = a->cb_program;
	/* With the principal it came under: a restarted nfsd's check. */
	nfs41_cb_sec_stored(&a->cb_sec, nfs41_caller_gss(v), kept_buf,
	    sizeof(kept_buf), &kept);
	req.cb_sec.cb_sec_len = kept.len;
	req.cb_sec.cb_sec_val = (char *)(uintptr_t)kept.p;
	nfs4_stated(v, ST_SESSION_CREATE, (xdrproc_t)xdr_st_session_create_req,
	    &req, ST_SESSION_CREATE_REPLY,
	    (xdrproc_t)xdr_st_session_create_reply,
	    sizeof(st_session_create_reply), nfs41_create_session_done);
}

/* RFC 8881 18.37: DESTROY_SESSION */
static void
nfs41_destroy_session_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_session_reply *rep = reply;
	uint32_t st = nfs41_status(status, rep ? &rep->status : NULL);
	const uint8_t *id = v->op.u.destroy_session.sessionid;

	if (st == NFS4_OK || st == NFS4ERR_BADSESSION) {
		nfs41_mirror_drop(v->nfs.env->v41, id);
		nfs41_back_forget(v->nfs.env, id);
		if (v->w->v41.seq && memcmp(id, v->w->v41.sessionid,
		    NFS41_SESSIONID_SIZE) == 0)
			v->w->v41.destroyed = 1;
	}
	nfs4_fail(v, st);
}

static void
nfs41_destroy_session_send(struct nfs4_call *v)
{
	st_session_id_req req;

	memset(&req, 0, sizeof(req));
	memcpy(req.sessionid, v->op.u.destroy_session.sessionid,
	    NFS41_SESSIONID_SIZE);
	nfs4_stated(v, ST_SESSION_DESTROY, (xdrproc_t)xdr_st_session_id_req,
	    &req, ST_SESSION_REPLY, (xdrproc_t)xdr_st_session_reply,
	    sizeof(st_session_reply), nfs41_destroy_session_done);
}

void
nfs41_op_destroy_session(struct nfs4_call *v)
{
	nfs41_mach_check(v, 0, v->op.u.destroy_session.sessionid,
	    nfs41_destroy_session_send);
}

/* RFC 8881 18.50: DESTROY_CLIENTID (CLIENTID_BUSY while sessions stay). */
static void
nfs41_destroy_clientid_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_session_reply *rep = reply;
	uint32_t st = nfs41_status(status, rep ? &rep->status : NULL);

	if (st == NFS4_OK) {
		nfs41_mirror_drop_client(v->nfs.env->v41,
		    v->op.u.clientid.clientid);
		nfs41_back_forget_client(v->nfs.env,
		    v->op.u.clientid.clientid);
	}
	nfs4_fail(v, st);
}

static void
nfs41_destroy_clientid_send(struct nfs4_call *v)
{
	st_session_clientid_req req;

	req.clientid = v->op.u.clientid.clientid;
	nfs4_stated(v, ST_SESSION_DESTROY_CLIENTID,
	    (xdrproc_t)xdr_st_session_clientid_req, &req, ST_SESSION_REPLY,
	    (xdrproc_t)xdr_st_session_reply, sizeof(st_session_reply),
	    nfs41_destroy_clientid_done);
}

void
nfs41_op_destroy_clientid(struct nfs4_call *v)
{
	nfs41_mach_check(v, v->op.u.clientid.clientid, NULL,
	    nfs41_destroy_clientid_send);
}

/* RFC 8881 18.51: RECLAIM_COMPLETE of the session's client. */
static void
nfs41_status_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_session_reply *rep = reply;

	nfs4_fail(v, nfs41_status(status, rep ? &rep->status : NULL));
}

void
nfs41_op_reclaim_complete(struct nfs4_call *v)
{
	st_session_reclaim_req req;

	memset(&req, 0, sizeof(req));
	req.clientid = v->w->v41.clientid;
	req.one_fs = v->op.u.reclaim_complete.one_fs;
	nfs4_stated(v, ST_SESSION_RECLAIM_COMPLETE,
	    (xdrproc_t)xdr_st_session_reclaim_req, &req, ST_SESSION_REPLY,
	    (xdrproc_t)xdr_st_session_reply, sizeof(st_session_reply),
	    nfs41_status_done);
}

/*
 * A session from the mirror, or from stated (ST_SESSION_LOAD, a chunk
 * of slots per call): then v->then runs with it mirrored, or the op
 * fails (BADSESSION: stated knows none such).
 */
static void	nfs41_load_send(struct nfs4_call *, const uint8_t *,
		    uint32_t first);

static void
nfs41_load_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_session_load_reply *rep = reply;
	struct nfsd_env *env = v->nfs.env;
	const uint8_t *id = v->w->v41.loading;
	struct nfs41_session *s;
	struct nfs4_opaque cb_sec;
	st_session_slot *sl;
	uint32_t st = nfs41_status(status, rep ? &rep->status : NULL);
	u_int i;

	if (st != NFS4_OK) {
		if (st == NFS4ERR_BADSESSION)
			nfs41_mirror_drop(env->v41, id);
		nfs4_fail(v, st);
		return;
	}
	if (v->w->v41.load_first == 0) {
		s = nfs41_mirror_put(env, id, rep->clientid, rep->flags,
		    &rep->fore, &rep->back, rep->cb_program, rep->cb_seqid,
		    rep->lease,
		    rep->renewed);
		cb_sec.p = (const uint8_t *)rep->cb_sec.cb_sec_val;
		cb_sec.len = rep->cb_sec.cb_sec_len;
		if (s != NULL)
			nfs41_cb_sec_load(&cb_sec, &s->cb_sec);
	} else
		s = nfs41_mirror_get(env->v41, id);
	if (s == NULL) {
		nfs4_fail(v, NFS4ERR_DELAY);
		return;
	}
	for (i = 0; i < rep->slots.slots_len; i++) {
		sl = &rep->slots.slots_val[i];
		if (nfs41_slot_load(s, sl->slotid, sl->seqid, sl->cached,
		    (const uint8_t *)sl->digest.digest_val,
		    sl->digest.digest_len, (const uint8_t *)sl->reply.reply_val,
		    sl->reply.reply_len) == -1)
			log_warnx_rl("NFSv4.1: slot %u of a session stated "
			    "loaded does not fit its table of %u", sl->slotid,
			    s->nslots);
	}
	if (!rep->eof && rep->next_slot > v->w->v41.load_first &&
	    rep->next_slot < s->nslots) {
		nfs41_load_send(v, id, rep->next_slot);
		return;
	}
	env->v41_loads++;
	v->w->v41.loaded = 1;
	v->step = 0;
	v->then(v);
}

static void
nfs41_load_send(struct nfs4_call *v, const uint8_t *id, uint32_t first)
{
	st_session_load_req req;

	memset(&req, 0, sizeof(req));
	memcpy(req.sessionid, id, NFS41_SESSIONID_SIZE);
	req.first_slot = first;
	v->w->v41.load_first = first;
	nfs4_stated(v, ST_SESSION_LOAD, (xdrproc_t)xdr_st_session_load_req,
	    &req, ST_SESSION_LOAD_REPLY, (xdrproc_t)xdr_st_session_load_reply,
	    sizeof(st_session_load_reply), nfs41_load_done);
}

/* The session id, mirrored and current; else loaded, then fn. */
static struct nfs41_session *
nfs41_session_of(struct nfs4_call *v, const uint8_t *id,
    void (*fn)(struct nfs4_call *))
{
	struct nfsd_env *env = v->nfs.env;
	struct nfs41_session *s;

	if ((s = nfs41_mirror_get(env->v41, id)) != NULL) {
		/*
		 * Its lease may have run out: stated may have reaped it.
		 * One just loaded is what stated holds (courtesy included).
		 */
		if (v->w->v41.loaded || nfs4_clock() - s->renewed <=
		    (time_t)s->lease)
			return s;
		nfs41_mirror_drop(env->v41, id);
	}
	v->w->v41.loading = id;
	v->then = fn;
	nfs41_load_send(v, id, 0);
	return NULL;
}

/* The slots the session keeps now, to stated (ST_SESSION_SHRINK). */
static void
nfs41_shrink_tell(struct nfsd_env *env, const struct nfs41_session *s)
{
	struct ipc_channel *ch = stated_client_channel(env->sdc);
	struct st_session_shrink m;

	memcpy(m.sessionid, s->id, NFS41_SESSIONID_SIZE);
	m.slots = s->nslots;
	log_info_rl("NFSv4.1 client %016llx: session down to %u slots",
	    (unsigned long long)s->clientid, s->nslots);
	if (ch == NULL || ipc_send_xdr(ch, ST_SESSION_SHRINK, 0, 0, -1,
	    (xdrproc_t)xdr_st_session_shrink, &m) == -1)
		log_warnx_rl("NFSv4.1 client %016llx: stated did not hear "
		    "that its session has %u slots now (it keeps more until "
		    "the session goes)", (unsigned long long)s->clientid,
		    s->nslots);
}

/* RFC 8881 18.46: SEQUENCE, checked against the mirror. */
static void
nfs41_sequence_run(struct nfs4_call *v)
{
	struct nfs41_sequence_args *a = &v->op.u.sequence;
	struct nfsd_env *env = v->nfs.env;
	struct nfs41_call *c = &v->w->v41;
	struct nfs41_session *s;
	struct nfs41_slot *sl;
	uint8_t digest[NFS41_DIGEST_SIZE];

	if ((s = nfs41_session_of(v, a->sessionid, nfs41_sequence_run)) ==
	    NULL)
		return;
	/* RFC 8881 18.46.3: the session's negotiated limits. */
	if (s->fore.maxoperations > 0 && v->c.nops > s->fore.maxoperations) {
		nfs4_fail(v, NFS4ERR_TOO_MANY_OPS);
		return;
	}
	if (s->fore.maxrequestsize > 0 && v->nfs.rpc->args_len >
	    s->fore.maxrequestsize) {
		nfs4_fail(v, NFS4ERR_REQ_TOO_BIG);
		return;
	}
	nfs41_digest(v->nfs.rpc->args, v->nfs.rpc->args_len, digest);
	switch (nfs41_slot_check(s, a->slotid, a->sequenceid, digest,
	    sizeof(digest))) {
	case NFS41_SLOT_NEW:
		break;
	case NFS41_SLOT_REPLAY:
		/* The kept reply, byte for byte; nothing to stated. */
		sl = &s->slots[a->slotid];
		env->v41_replays++;
		nfs4_answer_replay(v, sl->reply, sl->reply_len);
		return;
	case NFS41_SLOT_UNCACHED:
		nfs4_fail(v, NFS4ERR_RETRY_UNCACHED_REP);
		return;
	case NFS41_SLOT_FALSE_RETRY:
		log_info_rl("%s: NFSv4.1 SEQUENCE: slot %u, sequence id %u "
		    "again with another request (SEQ_FALSE_RETRY)",
		    v->nfs.rpc->peer_name, a->slotid, a->sequenceid);
		nfs4_fail(v, NFS4ERR_SEQ_FALSE_RETRY);
		return;
	case NFS41_SLOT_MISORDERED:
		nfs4_fail(v, NFS4ERR_SEQ_MISORDERED);
		return;
	case NFS41_SLOT_BADSLOT:
		nfs4_fail(v, NFS4ERR_BADSLOT);
		return;
	case NFS41_SLOT_BUSY:
		nfs4_fail(v, NFS4ERR_DELAY);
		return;
	}
	/*
	 * RFC 8881 2.10.6.1: after a lower target (a reload, CB_RECALL_SLOT)
	 * the client that uses no slot above it gives the others back, in
	 * the mirror and in stated (one way, in order with the SLOT_DONEs).
	 */
	if (env->v41_slots_target > 0 && env->v41_slots_target < s->nslots &&
	    a->highest_slotid < env->v41_slots_target &&
	    a->slotid < env->v41_slots_target &&
	    nfs41_slots_shrink(s, env->v41_slots_target))
		nfs41_shrink_tell(env, s);
	nfs41_slot_begin(s, a->slotid, a->sequenceid, digest, sizeof(digest));
	nfs41_conn_seen(v, s, NFS41_CONN_FORE);
	s->renewed = nfs4_clock();
	c->seq = 1;
	memcpy(c->sessionid, a->sessionid, NFS41_SESSIONID_SIZE);
	c->slotid = a->slotid;
	c->seqid = a->sequenceid;
	c->cachethis = a->cachethis;
	memcpy(c->digest, digest, sizeof(digest));
	c->clientid = s->clientid;
	c->maxcached = s->fore.maxresponsesize_cached;
	c->maxresp = s->fore.maxresponsesize;
	memcpy(v->res.u.sequence.sessionid, a->sessionid,
	    NFS41_SESSIONID_SIZE);
	v->res.u.sequence.sequenceid = a->sequenceid;
	v->res.u.sequence.slotid = a->slotid;
	v->res.u.sequence.highest_slotid = s->nslots - 1;
	/* RFC 8881 2.10.6.1: fewer once the administrator lowered it. */
	v->res.u.sequence.target_highest_slotid = (env->v41_slots_target > 0 &&
	    env->v41_slots_target < s->nslots ? env->v41_slots_target :
	    s->nslots) - 1;
	/* RFC 8881 18.46.3: whether the client must bind a backchannel. */
	v->res.u.sequence.status_flags = nfs41_back_flags(env, a->sessionid,
	    s->clientid);
	nfs4_op_done(v, NFS4_OK);
}

void
nfs41_op_sequence(struct nfs4_call *v)
{
	nfs41_sequence_run(v);
}

/*
 * RFC 8881 18.46.3, 2.10.6.4: whether the reply so far (and more bytes
 * to come) fits the session:
 * NFS4ERR_REP_TOO_BIG past ca_maxresponsesize, NFS4ERR_REP_TOO_BIG_TO_CACHE
 * past ca_maxresponsesize_cached when the client asked for it to be kept.
 */
uint32_t
nfs41_reply_fits(const struct nfs4_call *v, size_t more)
{
	const struct nfs41_call *c = &v->w->v41;
	size_t len;

	if (!c->seq)
		return NFS4_OK;
	len = v->co.o->len - v->co.status_at + more;
	if (v->w->read_io != NULL)
		len += (size_t)v->w->read_len + (-(size_t)v->w->read_len & 3);
	if (c->cachethis && len > c->maxcached)
		return NFS4ERR_REP_TOO_BIG_TO_CACHE;
	if (c->maxresp > 0 && len > c->maxresp)
		return NFS4ERR_REP_TOO_BIG;
	return NFS4_OK;
}

/*
 * The COMPOUND of a successful SEQUENCE is answered (reply: its
 * COMPOUND4res): ONE ST_SESSION_SLOT_DONE to stated before the reply
 * goes, and the mirror's slot done.  The reply is kept when the client
 * asked (sa_cachethis) and it fits the session's cached size.
 */
/* A reply this large leaves without waiting for the loop turn's end. */
#define NFS41_SLOT_DONE_NOW	(64 * 1024)

void
nfs41_slot_finish(struct nfs4_call *v, const uint8_t *reply, size_t len,
    int cacheable)
{
	struct nfsd_env *env = v->nfs.env;
	struct nfs41_call *c = &v->w->v41;
	struct nfs41_session *s;
	st_session_slot_done done;
	int cached;

	if (!c->seq || c->destroyed)
		return;
	c->seq = 0;
	cached = c->cachethis && cacheable && len <= c->maxcached &&
	    len <= ST_SESSION_REPLY_MAX;
	if (c->cachethis && !cached)
		log_info_rl("%s: NFSv4.1 slot %u: a reply of %zu bytes not "
		    "kept (cached reply max %u): a retry gets "
		    "RETRY_UNCACHED_REP", v->nfs.rpc->peer_name, c->slotid, len,
		    c->maxcached);
	if ((s = nfs41_mirror_get(env->v41, c->sessionid)) != NULL &&
	    nfs41_slot_done(s, c->slotid, c->seqid, cached, reply, len) == -1)
		log_warnx_rl("NFSv4.1 slot %u: the mirror could not keep "
		    "sequence id %u", c->slotid, c->seqid);
	memset(&done, 0, sizeof(done));
	memcpy(done.sessionid, c->sessionid, NFS41_SESSIONID_SIZE);
	done.slotid = c->slotid;
	done.seqid = c->seqid;
	done.cached = cached;
	done.digest.digest_len = NFS41_DIGEST_SIZE;
	done.digest.digest_val = (char *)c->digest;
	if (cached) {
		done.reply.reply_len = (u_int)len;
		done.reply.reply_val = (char *)(uintptr_t)reply;
	}
	env->v41_slot_dones++;
	/* A READ's megabyte goes as soon as stated has its SLOT_DONE. */
	if (stated_client_send_before(env->sdc, v->nfs.rpc,
	    ST_SESSION_SLOT_DONE, (xdrproc_t)xdr_st_session_slot_done,
	    &done, len + (v->w->read_io != NULL ? v->w->read_len : 0) >=
	    NFS41_SLOT_DONE_NOW) == -1) {
		env->v41_slot_dones_lost++;
		log_warnx_rl("NFSv4.1 slot %u, sequence id %u: stated away, "
		    "its copy misses it (a restart of nfsd now would lose "
		    "the slot's reply)", c->slotid, c->seqid);
	}
}

/*
 * RFC 8881 18.34: BIND_CONN_TO_SESSION.  Fore, back or both, as asked
 * (both when the client leaves the choice): a connection bound back
 * carries the session's callbacks from now on (backchan.c).
 */
static void
nfs41_bind_conn_run(struct nfs4_call *v)
{
	struct nfs41_bind_conn_args *a = &v->op.u.bind_conn;
	struct nfs41_session *s;
	uint32_t dir;

	if ((s = nfs41_session_of(v, a->sessionid, nfs41_bind_conn_run)) ==
	    NULL)
		return;
	switch (a->dir) {
	case CDFC4_FORE:
		dir = CDFS4_FORE;
		break;
	case CDFC4_BACK:
		dir = CDFS4_BACK;
		break;
	case CDFC4_FORE_OR_BOTH:
	case CDFC4_BACK_OR_BOTH:
		dir = CDFS4_BOTH;
		break;
	default:
		nfs4_fail(v, NFS4ERR_INVAL);
		return;
	}
	if (a->rdma) {
		nfs4_fail(v, NFS4ERR_INVAL);
		return;
	}
	/* A back binding needs a connection to call over (not UDP). */
	if ((dir & CDFS4_BACK) && v->nfs.rpc->conn == NULL) {
		if (dir == CDFS4_BACK) {
			nfs4_fail(v, NFS4ERR_INVAL);
			return;
		}
		dir = CDFS4_FORE;
	}
	s->binds++;
	nfs41_conn_seen(v, s, (dir & CDFS4_FORE ? NFS41_CONN_FORE : 0) |
	    (dir & CDFS4_BACK ? NFS41_CONN_BACK : 0));
	if (dir & CDFS4_BACK)
		nfs41_back_bind(v->nfs.env, a->sessionid, s->clientid,
		    v->nfs.rpc->conn, s->cb_program, s->cb_seqid,
		    &s->cb_sec);
	memcpy(v->res.u.bind_conn.sessionid, a->sessionid,
	    NFS41_SESSIONID_SIZE);
	v->res.u.bind_conn.dir = dir;
	v->res.u.bind_conn.rdma = 0;
	nfs4_op_done(v, NFS4_OK);
}

void
nfs41_op_bind_conn(struct nfs4_call *v)
{
	nfs41_mach_check(v, 0, v->op.u.bind_conn.sessionid,
	    nfs41_bind_conn_run);
}

/*
 * RFC 8881 18.33: BACKCHANNEL_CTL: the program of later callbacks
 * (kept in stated with the backchannel's state).
 */
void
nfs41_op_backchannel_ctl(struct nfs4_call *v)
{
	struct nfs41_session *s;
	struct nfs41_cb_sec sec;
	uint32_t st;

	s = nfs41_mirror_get(v->nfs.env->v41, v->w->v41.sessionid);
	if ((st = nfs41_cb_sec_of(v, &v->op.u.backchannel_ctl.cb_sec,
	    s != NULL ? s->clientid : 0, &sec)) != NFS4_OK) {
		nfs4_fail(v, st);
		return;
	}
	if (s != NULL) {
		s->cb_program = v->op.u.backchannel_ctl.cb_program;
		s->cb_sec = sec;
	}
	nfs41_back_program(v->nfs.env, v->w->v41.sessionid,
	    v->op.u.backchannel_ctl.cb_program, &sec,
	    &v->op.u.backchannel_ctl.cb_sec);
	nfs4_fail(v, NFS4_OK);
}

/*
 * RFC 8881 16.2.3.1.2: the current stateid (seqid 1, other zero) is the
 * last one an op of this COMPOUND set.
 */
static int
nfs41_stateid_is_current(const struct nfs4_stateid *s)
{
	static const uint8_t zero[NFS4_OTHER_SIZE];

	return s->seqid == 1 && memcmp(s->other, zero, sizeof(zero)) == 0;
}

static int
nfs41_stateid_current(struct nfs4_call *v, struct nfs4_stateid *s)
{
	if (!nfs41_stateid_is_current(s))
		return 0;
	if (!v->w->v41.have_cur_stateid)
		return -1;
	*s = v->w->v41.cur_stateid;
	return 0;
}

/* The stateid an op's arguments carry, if it takes one. */
static struct nfs4_stateid *
nfs41_op_stateid(struct nfs4_op *op)
{
	switch (op->opnum) {
	case OP_LOCK:
		return op->u.lock.new_lock_owner ? &op->u.lock.open_stateid :
		    &op->u.lock.lock_stateid;
	case OP_CLOSE:
		return &op->u.close.stateid;
	case OP_LOCKU:
		return &op->u.locku.stateid;
	case OP_OPEN_DOWNGRADE:
		return &op->u.open_downgrade.stateid;
	case OP_READ:
		return &op->u.read.stateid;
	case OP_WRITE:
		return &op->u.write.stateid;
	case OP_SETATTR:
		return &op->u.setattr.stateid;
	case OP_DELEGRETURN:
		return &op->u.delegreturn.stateid;
	default:
		return NULL;
	}
}

/*
 * Before an op of a v4.1 COMPOUND: the session's client id where v4.0
 * names one in an owner, and the current stateid where it is used.
 * NFS4_OK, or the op's failure.
 */
uint32_t
nfs41_op_prepare(struct nfs4_call *v)
{
	struct nfs41_call *c = &v->w->v41;
	struct nfs4_op *op = &v->op;
	struct nfs4_stateid *sid;

	switch (op->opnum) {
	case OP_OPEN:
	case OP_WANT_DELEGATION:
		op->u.open.owner.clientid = c->clientid;
		break;
	case OP_LOCK:
		op->u.lock.lock_owner.clientid = c->clientid;
		break;
	case OP_LOCKT:
		op->u.lockt.owner.clientid = c->clientid;
		break;
	case OP_PUTFH:
	case OP_PUTPUBFH:
	case OP_PUTROOTFH:
	case OP_LOOKUP:
	case OP_LOOKUPP:
		/* Another current file: no current stateid (16.2.3.1.2). */
		c->have_cur_stateid = 0;
		break;
	}
	if ((sid = nfs41_op_stateid(op)) != NULL &&
	    nfs41_stateid_current(v, sid) == -1)
		return NFS4ERR_BAD_STATEID;
	return NFS4_OK;
}

static void
nfs41_slots_recall_cb(void *arg, struct nfs41_session *s)
{
	struct nfsd_env *env = arg;

	if (s->nslots <= env->v41_slots_target)
		return;
	if (nfs41_back_recall_slot(env, s->id, s->clientid,
	    env->v41_slots_target - 1) == -1)
		log_info_rl("NFSv4.1 client %016llx: no CB_RECALL_SLOT (no "
		    "backchannel here); SEQUENCE asks it to use fewer slots",
		    (unsigned long long)s->clientid);
}

/*
 * [stated] nfsv4.1 slots per session, at start and reload: a lower one
 * asks each session of more slots to use fewer (RFC 8881 20.8,
 * CB_RECALL_SLOT, and SEQUENCE's target_highest_slotid).
 */
void
nfs41_slots_configure(struct nfsd_env *env, uint32_t slots)
{
	uint32_t was = env->v41_slots_target;

	env->v41_slots_target = slots;
	if (was != 0 && slots < was && env->v41 != NULL)
		nfs41_mirror_foreach(env->v41, nfs41_slots_recall_cb, env);
}

/* After an op of a v4.1 COMPOUND succeeded: the stateid it set. */
void
nfs41_op_result(struct nfs4_call *v)
{
	struct nfs41_call *c = &v->w->v41;

	switch (v->res.opnum) {
	case OP_OPEN:
		/* RFC 8881 18.16.3: no OPEN_CONFIRM in 4.1. */
		v->res.u.open.rflags &= ~(uint32_t)OPEN4_RESULT_CONFIRM;
		c->cur_stateid = v->res.u.open.stateid;
		c->have_cur_stateid = 1;
		break;
	case OP_LOCK:
	case OP_LOCKU:
	case OP_CLOSE:
	case OP_OPEN_DOWNGRADE:
		c->cur_stateid = v->res.u.stateid;
		c->have_cur_stateid = 1;
		break;
	}
}

uint64_t
nfs4_call_clientid41(const struct nfs4_call *v)
{
	return v->w->v41.seq ? v->w->v41.clientid : 0;
}

/* stated_push.x ST_PUSH_FORGET: stated reaped a session or a client. */
void
nfs4_session_forget(struct nfsd_env *env, const uint8_t sessionid[16])
{
	if (env->v41 != NULL)
		nfs41_mirror_drop(env->v41, sessionid);
	nfs41_back_forget(env, sessionid);
}

void
nfs4_client_forget(struct nfsd_env *env, uint64_t clientid)
{
	size_t n = 0;

	if (env->v41 != NULL)
		n = nfs41_mirror_drop_client(env->v41, clientid);
	nfs41_back_forget_client(env, clientid);
	log_debug("NFSv4.1 client %016llx: dropped by stated, %zu mirrored "
	    "session(s) with it", (unsigned long long)clientid, n);
}
