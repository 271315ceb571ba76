/*
 * NFSv4.0 state ops (RFC 7530 9, 16) through stated's v4 messages
 * (common/stated_v4.x): nfsd keeps none of it, so a restarted nfsd
 * serves the same client ids, stateids and seqids.  stated answers
 * with nfsstat4 values, and with the kept reply of a retransmitted
 * seqid op (replay), which is encoded as any other answer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blockd/store.h"
#include "log.h"
#include "nfsd/v4/proc.h"
#include "stated_grant.h"
#include "stated_push.h"

/*
 * The nfsstat4 of a stated call: stated away, NFS4ERR_DELAY (the client
 * retries); its own trouble, NFS4ERR_SERVERFAULT; else its answer.
 */
uint32_t
nfs4_stated_status(int status, uint32_t st)
{
	if (status == -ENOTCONN)
		return NFS4ERR_DELAY;
	if (status != 0)
		return NFS4ERR_SERVERFAULT;
	return st;
}

static uint32_t
nfs4_state_status(int status, const st_v4_status *st)
{
	return nfs4_stated_status(status, st != NULL ? (uint32_t)*st :
	    NFS4ERR_SERVERFAULT);
}

static void
nfs4_st_stateid(st_v4_stateid *o, const struct nfs4_stateid *s)
{
	o->seqid = s->seqid;
	memcpy(o->other, s->other, ST_V4_OTHER_SIZE);
}

void
nfs4_stateid_from_st(struct nfs4_stateid *o, const st_v4_stateid *s)
{
	o->seqid = s->seqid;
	memcpy(o->other, s->other, NFS4_OTHER_SIZE);
}

void
nfs4_stated(struct nfs4_call *v, uint32_t type, xdrproc_t proc,
    const void *req, uint32_t rep_type, xdrproc_t rep_proc, size_t rep_size,
    stated_client_done_fn *done)
{
	stated_client_call(v->nfs.env->sdc, type, proc, req, rep_type,
	    rep_proc, rep_size, done, v);
}

/*
 * Who the client id belongs to, as stated keeps it: an RPCSEC_GSS call
 * names its principal (RFC 7530 16.33.5: the principal of SETCLIENTID;
 * the machine credential of an RFC 8881 SP4_MACH_CRED), else the RPC
 * credential.
 */
void
nfs4_principal(const struct nfs4_call *v, char *buf, size_t len)
{
	const struct rpcauth_call *a = &v->nfs.rpc->auth;
	const struct rpc_cred *c = &a->msg.cred;

	if (a->flavor != NULL && a->flavor->flavor == RPCSEC_GSS)
		snprintf(buf, len, "krb5:%s", c->machine);
	else if (c->flavor == RPC_AUTH_UNIX)
		snprintf(buf, len, "sys:%u", c->uid);
	else
		snprintf(buf, len, "none");
}

/*
 * The client a COMPOUND proved to be (a stateid stated took, an OPEN, a
 * RENEW): remembered for the rest of it and for its connection
 * (callback.c), to tell a delegation holder's own requests from others'.
 */
static void
nfs4_client_proved(struct nfs4_call *v, uint64_t clientid)
{
	if (clientid == 0 || clientid == UINT64_MAX)
		return;
	v->clientid = clientid;
	nfs4_deleg_peer_set(v->nfs.env, v->nfs.rpc->peer_key,
	    v->nfs.rpc->peer_port, clientid);
}

static uint64_t
nfs4_client_of(struct nfs4_call *v)
{
	if (v->clientid == 0)
		v->clientid = nfs4_deleg_peer_get(v->nfs.env,
		    v->nfs.rpc->peer_key, v->nfs.rpc->peer_port);
	return v->clientid;
}

/*
 * The stateid cache (nfs4.h, stateid_cache.c): READ and WRITE with a
 * stateid stated validated recently ask stated nothing.  The lease
 * renewal such an op stands for (RFC 7530 9.5) goes to stated as one
 * RENEW per client per quarter lease at most.
 */
time_t
nfs4_clock(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return ts.tv_sec;
}

struct nfs4_renew {
	struct nfsd_env	*env;
	uint64_t	 clientid;
};

static void
nfs4_renew_done(void *arg, int status, void *reply)
{
	struct nfs4_renew *r = arg;
	st_v4_reply *rep = reply;

	/* Its state is gone after all: stated's push says so too. */
	if (status == 0 && rep->status != ST4_OK)
		nfs4_stateid_cache_drop_client(r->env->v4_stateids,
		    r->clientid);
	free(r);
}

static void
nfs4_renew_batched(struct nfsd_env *env, uint64_t clientid)
{
	time_t every = env->v4_lease / 4 > 0 ? env->v4_lease / 4 : 1;
	st_v4_clientid_req req;
	struct nfs4_renew *r;

	if (!nfs4_stateid_cache_renew_due(env->v4_stateids, clientid,
	    nfs4_clock(), every) || (r = calloc(1, sizeof(*r))) == NULL)
		return;
	r->env = env;
	r->clientid = clientid;
	req.clientid = clientid;
	env->v4_renews++;
	stated_client_call(env->sdc, ST_V4_RENEW,
	    (xdrproc_t)xdr_st_v4_clientid_req, &req, ST_V4_REPLY,
	    (xdrproc_t)xdr_st_v4_reply, sizeof(st_v4_reply), nfs4_renew_done,
	    r);
}

/* A state of the current file: the cache learns it. */
static void
nfs4_stateid_learn(struct nfs4_call *v, const struct nfs4_stateid *sid,
    uint32_t access)
{
	if (v->w->cur.set && !v->w->cur.pseudo)
		nfs4_stateid_cache_put(v->nfs.env->v4_stateids, sid,
		    v->w->cur.data, v->w->cur.len, access, nfs4_clock());
}

static void
nfs4_stateid_forget_file(struct nfs4_call *v)
{
	if (v->w->cur.set)
		nfs4_stateid_cache_drop_file(v->nfs.env->v4_stateids,
		    v->w->cur.data, v->w->cur.len);
}

/* stated_push.x: ST_PUSH_REVOKED of an NFSv4 client. */
int
nfs4_state_push(struct nfsd_env *env, const struct st_push *p)
{
	const struct st_push_revoked *r;

	if (p->body.kind != ST_PUSH_REVOKED) {
		log_warnx("stated: push %llu of kind %d, not one nfsd takes",
		    (unsigned long long)p->push_id, (int)p->body.kind);
		return ST_NOT_FOUND;
	}
	r = &p->body.st_push_body_u.revoked;
	if (r->protocol != ST_PROTOCOL_NFSV4)
		return ST_NOT_FOUND;
	if (nfs4_stateid_cache_drop_client(env->v4_stateids,
	    r->client_id) == 0)
		return ST_NOT_FOUND;
	log_debug("NFSv4 client %016llx: its state is gone, stateids "
	    "forgotten", (unsigned long long)r->client_id);
	return ST_OK;
}

void
nfs4_state_stated_lost(struct nfsd_env *env)
{
	nfs4_stateid_cache_drop_all(env->v4_stateids);
	/* A restarted stated may know none of them: loaded again. */
	nfs41_mirror_drop_all(env->v41);
}

/* RFC 7530 16.33: SETCLIENTID */
static void
nfs4_setclientid_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_v4_setclientid_reply *rep = reply;
	uint32_t st = nfs4_state_status(status, rep ? &rep->status : NULL);

	if (st == NFS4ERR_CLID_INUSE) {
		v->res.u.setclientid.netid.p =
		    (const uint8_t *)rep->inuse.netid;
		v->res.u.setclientid.netid.len = strlen(rep->inuse.netid);
		v->res.u.setclientid.addr.p = (const uint8_t *)rep->inuse.uaddr;
		v->res.u.setclientid.addr.len = strlen(rep->inuse.uaddr);
		nfs4_op_done(v, st);
		return;
	}
	if (st != NFS4_OK) {
		nfs4_fail(v, st);
		return;
	}
	if (rep->lease > 0)
		v->nfs.env->v4_lease = rep->lease;
	v->res.u.setclientid.clientid = rep->clientid;
	memcpy(v->res.u.setclientid.verf, rep->confirm, NFS4_VERIFIER_SIZE);
	nfs4_op_done(v, NFS4_OK);
}

void
nfs4_op_setclientid(struct nfs4_call *v)
{
	struct nfs4_setclientid_args *a = &v->op.u.setclientid;
	st_v4_setclientid_req req;
	char principal[NFS4_PRINCIPAL_MAX], netid[NFS4_NETID_MAX + 1],
	    uaddr[NFS4_UADDR_MAX + 1];
	st_v4_cb_gss gss;

	if (a->id.len == 0 || a->id.len > ST_V4_ID_MAX ||
	    a->cb_netid.len > NFS4_NETID_MAX ||
	    a->cb_addr.len > NFS4_UADDR_MAX) {
		nfs4_fail(v, NFS4ERR_INVAL);
		return;
	}
	memcpy(netid, a->cb_netid.p, a->cb_netid.len);
	netid[a->cb_netid.len] = '\0';
	memcpy(uaddr, a->cb_addr.p, a->cb_addr.len);
	uaddr[a->cb_addr.len] = '\0';
	nfs4_principal(v, principal, sizeof(principal));
	memset(&req, 0, sizeof(req));
	memcpy(req.verifier, a->verf, NFS4_VERIFIER_SIZE);
	req.id.id_len = a->id.len;
	req.id.id_val = (char *)(uintptr_t)a->id.p;
	req.principal = principal;
	req.addr = v->nfs.rpc->peer_addr;
	req.callback.cb_program = a->cb_program;
	req.callback.netid = netid;
	req.callback.uaddr = uaddr;
	req.callback.ident = a->cb_ident;
	/* RFC 7530 3.3.3: its callbacks go under this call's flavour. */
	nfs4_cb_sec_fill(&v->nfs.rpc->auth, &req.callback, &gss);
	nfs4_stated(v, ST_V4_SETCLIENTID, (xdrproc_t)xdr_st_v4_setclientid_req,
	    &req, ST_V4_SETCLIENTID_REPLY,
	    (xdrproc_t)xdr_st_v4_setclientid_reply,
	    sizeof(st_v4_setclientid_reply), nfs4_setclientid_done);
}

/*
 * RFC 7530 16.34: SETCLIENTID_CONFIRM.  A new callback is probed
 * (CB_NULL, callback.c) once confirmed, without holding up the answer:
 * until the probe answers the client gets no delegation.
 */
static void
nfs4_confirm_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_v4_confirm_reply *rep = reply;
	uint32_t st = nfs4_state_status(status, rep ? &rep->status : NULL);

	if (st == NFS4_OK && rep->cb_probe)
		nfs4_cb_probe(v->nfs.env, v->op.u.setclientid_confirm.clientid,
		    &rep->callback);
	nfs4_fail(v, st);
}

void
nfs4_op_setclientid_confirm(struct nfs4_call *v)
{
	struct nfs4_setclientid_confirm_args *a = &v->op.u.setclientid_confirm;
	st_v4_confirm_req req;
	char principal[NFS4_PRINCIPAL_MAX];

	nfs4_principal(v, principal, sizeof(principal));
	memset(&req, 0, sizeof(req));
	req.clientid = a->clientid;
	memcpy(req.confirm, a->verf, NFS4_VERIFIER_SIZE);
	req.principal = principal;
	nfs4_stated(v, ST_V4_SETCLIENTID_CONFIRM,
	    (xdrproc_t)xdr_st_v4_confirm_req, &req, ST_V4_CONFIRM_REPLY,
	    (xdrproc_t)xdr_st_v4_confirm_reply, sizeof(st_v4_confirm_reply),
	    nfs4_confirm_done);
}

/* The ops answered by a plain ST_V4_REPLY: its stateid on success. */
static void
nfs4_reply_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_v4_reply *rep = reply;
	uint32_t st = nfs4_state_status(status, rep ? &rep->status : NULL);

	/* Again at the answer: a CHECK answered before it may have put. */
	switch (v->op.opnum) {
	case OP_CLOSE:
	case OP_OPEN_DOWNGRADE:
	case OP_LOCKU:
		nfs4_stateid_forget_file(v);
		break;
	case OP_RELEASE_LOCKOWNER:
		nfs4_stateid_cache_drop_client(v->nfs.env->v4_stateids,
		    v->op.u.release_lockowner.owner.clientid);
		break;
	case OP_RENEW:
		if (st != NFS4_OK && st != NFS4ERR_DELAY &&
		    st != NFS4ERR_SERVERFAULT)
			nfs4_stateid_cache_drop_client(v->nfs.env->v4_stateids,
			    v->op.u.clientid.clientid);
		else if (st == NFS4_OK)
			nfs4_client_proved(v, v->op.u.clientid.clientid);
		break;
	}
	if (st != NFS4_OK) {
		nfs4_fail(v, st);
		return;
	}
	nfs4_stateid_from_st(&v->res.u.stateid, &rep->stateid);
	/* A seqid op stated took: its stateid's client is the caller. */
	nfs4_client_proved(v, nfs4_stateid_clientid(&v->res.u.stateid));
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_reply_call(struct nfs4_call *v, uint32_t type, xdrproc_t proc,
    const void *req)
{
	nfs4_stated(v, type, proc, req, ST_V4_REPLY, (xdrproc_t)xdr_st_v4_reply,
	    sizeof(st_v4_reply), nfs4_reply_done);
}

/* RFC 7530 16.29: RENEW */
void
nfs4_op_renew(struct nfs4_call *v)
{
	st_v4_clientid_req req;

	req.clientid = v->op.u.clientid.clientid;
	nfs4_reply_call(v, ST_V4_RENEW, (xdrproc_t)xdr_st_v4_clientid_req,
	    &req);
}

/* RFC 7530 16.18, 16.19, 16.2, 16.12: the seqid ops on a stateid. */
static void
nfs4_seqid_call(struct nfs4_call *v, uint32_t type,
    const struct nfs4_stateid *sid, uint32_t seqid, uint32_t access,
    uint32_t deny, uint64_t offset, uint64_t length)
{
	st_v4_seqid_req req;

	if (type != ST_V4_OPEN_CONFIRM)
		nfs4_stateid_forget_file(v);
	memset(&req, 0, sizeof(req));
	nfs4_st_stateid(&req.stateid, sid);
	req.seqid = seqid;
	req.access = access;
	req.deny = deny;
	req.offset = offset;
	req.length = length;
	nfs4_reply_call(v, type, (xdrproc_t)xdr_st_v4_seqid_req, &req);
}

void
nfs4_op_open_confirm(struct nfs4_call *v)
{
	struct nfs4_open_confirm_args *a = &v->op.u.open_confirm;

	nfs4_seqid_call(v, ST_V4_OPEN_CONFIRM, &a->stateid, a->seqid, 0, 0,
	    0, 0);
}

void
nfs4_op_open_downgrade(struct nfs4_call *v)
{
	struct nfs4_open_downgrade_args *a = &v->op.u.open_downgrade;

	nfs4_seqid_call(v, ST_V4_OPEN_DOWNGRADE, &a->stateid, a->seqid,
	    a->share_access, a->share_deny, 0, 0);
}

void
nfs4_op_close(struct nfs4_call *v)
{
	struct nfs4_close_args *a = &v->op.u.close;

	nfs4_seqid_call(v, ST_V4_CLOSE, &a->stateid, a->seqid, 0, 0, 0, 0);
}

/* RFC 7530 16.10, 16.11, 16.12: a lock's range (length 0: INVAL). */
static uint32_t
nfs4_lock_range(uint64_t offset, uint64_t length)
{
	if (length == 0)
		return NFS4ERR_INVAL;
	if (length != UINT64_MAX && length > UINT64_MAX - offset)
		return NFS4ERR_INVAL;
	return NFS4_OK;
}

void
nfs4_op_locku(struct nfs4_call *v)
{
	struct nfs4_locku_args *a = &v->op.u.locku;
	uint32_t st;

	if ((st = nfs4_lock_range(a->offset, a->length)) != NFS4_OK) {
		nfs4_fail(v, st);
		return;
	}
	nfs4_seqid_call(v, ST_V4_LOCKU, &a->stateid, a->seqid, 0, 0,
	    a->offset, a->length);
}

/* A lock state has the access of the open it came from, if known. */
static void
nfs4_lock_learn(struct nfs4_call *v)
{
	struct nfs4_lock_args *a = &v->op.u.lock;
	uint32_t access;

	if (nfs4_stateid_cache_access(v->nfs.env->v4_stateids,
	    a->new_lock_owner ? &a->open_stateid : &a->lock_stateid, &access))
		nfs4_stateid_learn(v, &v->res.u.stateid, access);
}

/* LOCK and LOCKT: DENIED carries the holder (LOCK4denied). */
static void
nfs4_lock_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_v4_reply *rep = reply;
	uint32_t st = nfs4_state_status(status, rep ? &rep->status : NULL);
	st_v4_denied *d;

	if (st == NFS4ERR_DENIED && rep->denied.denied_len == 1) {
		d = &rep->denied.denied_val[0];
		v->res.u.denied.offset = d->offset;
		v->res.u.denied.length = d->length;
		v->res.u.denied.locktype = d->exclusive ? WRITE_LT : READ_LT;
		v->res.u.denied.owner.clientid = d->clientid;
		v->res.u.denied.owner.owner.p = (const uint8_t *)
		    d->owner.owner_val;
		v->res.u.denied.owner.owner.len = d->owner.owner_len;
		nfs4_op_done(v, st);
		return;
	}
	if (st != NFS4_OK) {
		nfs4_fail(v, st);
		return;
	}
	if (v->op.opnum == OP_LOCK) {
		nfs4_stateid_from_st(&v->res.u.stateid, &rep->stateid);
		nfs4_lock_learn(v);
	}
	nfs4_op_done(v, NFS4_OK);
}

void
nfs4_op_lock(struct nfs4_call *v)
{
	struct nfs4_lock_args *a = &v->op.u.lock;
	st_v4_lock_req req;
	uint32_t st;

	if ((st = nfs4_lock_range(a->offset, a->length)) != NFS4_OK) {
		nfs4_fail(v, st);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.new_owner = a->new_lock_owner;
	req.open_seqid = a->open_seqid;
	nfs4_st_stateid(&req.open_stateid, &a->open_stateid);
	req.lock_seqid = a->lock_seqid;
	req.clientid = a->lock_owner.clientid;
	req.owner.owner_len = a->lock_owner.owner.len;
	req.owner.owner_val = (char *)(uintptr_t)a->lock_owner.owner.p;
	nfs4_st_stateid(&req.lock_stateid, &a->lock_stateid);
	req.exclusive = a->locktype == WRITE_LT || a->locktype == WRITEW_LT;
	req.reclaim = a->reclaim;
	req.offset = a->offset;
	req.length = a->length;
	nfs4_stated(v, ST_V4_LOCK, (xdrproc_t)xdr_st_v4_lock_req, &req,
	    ST_V4_REPLY, (xdrproc_t)xdr_st_v4_reply, sizeof(st_v4_reply),
	    nfs4_lock_done);
}

/* The current file's attributes from blockd, then fn (LOCKT, checks). */
static void
nfs4_file_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_attr_reply *rep = reply;

	(void)fd;
	if (status != 0) {
		nfs4_fail(v, nfs4_status_from_errno(status));
		return;
	}
	v->attr = rep->attr;
	v->have_attr = 1;
	nfs4_file_id(v->file, &rep->attr);
	v->checked(v);
}

void
nfs4_file_get(struct nfs4_call *v, void (*fn)(struct nfs4_call *))
{
	bd_fh_req req;

	if (v->w->cur.pseudo) {
		nfs4_fail(v, NFS4ERR_ISDIR);
		return;
	}
	v->checked = fn;
	memset(&req, 0, sizeof(req));
	req.cred = v->nfs.bcred;
	nfs4_bd_fh(&req.fh, &v->w->cur);
	bdc_call(v->nfs.env->bdc, BD_GETATTR, (xdrproc_t)xdr_bd_fh_req, &req,
	    (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
	    nfs4_file_done, v);
}

static void
nfs4_lockt_send(struct nfs4_call *v)
{
	struct nfs4_lockt_args *a = &v->op.u.lockt;
	st_v4_lockt_req req;

	memset(&req, 0, sizeof(req));
	req.clientid = a->owner.clientid;
	req.owner.owner_len = a->owner.owner.len;
	req.owner.owner_val = (char *)(uintptr_t)a->owner.owner.p;
	req.file.st_file_len = sizeof(v->file);
	req.file.st_file_val = (char *)v->file;
	req.exclusive = a->locktype == WRITE_LT || a->locktype == WRITEW_LT;
	req.offset = a->offset;
	req.length = a->length;
	nfs4_stated(v, ST_V4_LOCKT, (xdrproc_t)xdr_st_v4_lockt_req, &req,
	    ST_V4_REPLY, (xdrproc_t)xdr_st_v4_reply, sizeof(st_v4_reply),
	    nfs4_lock_done);
}

void
nfs4_op_lockt(struct nfs4_call *v)
{
	uint32_t st;

	if ((st = nfs4_lock_range(v->op.u.lockt.offset,
	    v->op.u.lockt.length)) != NFS4_OK) {
		nfs4_fail(v, st);
		return;
	}
	nfs4_file_get(v, nfs4_lockt_send);
}

/* RFC 7530 16.37: RELEASE_LOCKOWNER */
void
nfs4_op_release_lockowner(struct nfs4_call *v)
{
	struct nfs4_owner *o = &v->op.u.release_lockowner.owner;
	st_v4_owner_req req;

	req.clientid = o->clientid;
	req.owner.owner_len = o->owner.len;
	req.owner.owner_val = (char *)(uintptr_t)o->owner.p;
	nfs4_reply_call(v, ST_V4_RELEASE_LOCKOWNER,
	    (xdrproc_t)xdr_st_v4_owner_req, &req);
}

/*
 * RFC 7530 9.1.4: the stateid of READ, WRITE, SETATTR(size).  The
 * special stateids (all zeros, all ones) need no state; stated checks
 * the others against the file and the kind of I/O (share reservations
 * and the open's access).
 */
static int
nfs4_stateid_special(const struct nfs4_stateid *s)
{
	static const uint8_t zero[NFS4_OTHER_SIZE];
	static const uint8_t ones[NFS4_OTHER_SIZE] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};

	return (s->seqid == 0 && memcmp(s->other, zero, sizeof(zero)) == 0) ||
	    (s->seqid == UINT32_MAX && memcmp(s->other, ones,
	    sizeof(ones)) == 0);
}

/* A recall check done: NFS4ERR_DELAY, or on with the op (v->then). */
static void
nfs4_deleg_checked(void *arg, int delay)
{
	struct nfs4_call *v = arg;

	if (delay) {
		nfs4_fail(v, NFS4ERR_DELAY);
		return;
	}
	v->step = 0;
	v->then(v);
}

/*
 * A READ, WRITE or SETATTR: the delegations of the file it conflicts
 * with are recalled first (RFC 7530 10.4.1; a READ, another client's
 * write delegation), NFS4ERR_DELAY meanwhile.  Only a file that may
 * have one costs a call, and not a write delegation holder's own I/O
 * (callback.c).  The file's id comes from the handle cache when it can.
 */
static void
nfs4_io_conflict(struct nfs4_call *v)
{
	struct nfsd_env *env = v->nfs.env;
	struct fhnode *n;
	uint64_t client;

	if (!v->have_attr) {
		if ((n = fhcache_get(env->fhcache, v->w->cur.data,
		    v->w->cur.len)) == NULL) {
			nfs4_file_get(v, nfs4_io_conflict);
			return;
		}
		if (nfs4_deleg_lookup(env, n->attr.share, n->attr.ino,
		    v->file) == -1) {
			nfs4_deleg_checked(v, 0);
			return;
		}
	}
	if (!nfs4_stateid_special(&v->check_stateid)) {
		nfs4_deleg_conflict(env, v->file, 0, 0, &v->check_stateid,
		    v->check_io != ST_V4_IO_READ, nfs4_deleg_checked, v);
		return;
	}
	client = nfs4_client_of(v);
	nfs4_deleg_conflict(env, v->file, client != 0 ? ST_PROTOCOL_NFSV4 : 0,
	    client, NULL, v->check_io != ST_V4_IO_READ, nfs4_deleg_checked, v);
}

static void
nfs4_io_gate(struct nfs4_call *v)
{
	if (!nfs4_deleg_maybe(v->nfs.env) || v->w->cur.pseudo) {
		nfs4_deleg_checked(v, 0);
		return;
	}
	nfs4_io_conflict(v);
}

/* The stateid was taken (by stated, or the cache): it proves its client. */
static void
nfs4_io_checked(struct nfs4_call *v)
{
	if (!nfs4_stateid_special(&v->check_stateid))
		nfs4_client_proved(v, nfs4_stateid_clientid(&v->check_stateid));
	nfs4_io_gate(v);
}

/* Not checked (RFC 7530 16.32: only a size change needs a state). */
void
nfs4_deleg_setattr_gate(struct nfs4_call *v, const struct nfs4_stateid *sid,
    void (*fn)(struct nfs4_call *))
{
	v->check_stateid = *sid;
	v->check_io = ST_V4_IO_SETATTR;
	v->then = fn;
	nfs4_io_gate(v);
}

/* GETATTR: on once the recall check is done (v->then). */
static void
nfs4_attr_gate_done(void *arg, int delay)
{
	struct nfs4_call *v = arg;

	v->deleg_gated = 1;
	nfs4_deleg_checked(v, delay);
}

int
nfs4_deleg_attr_gate(struct nfs4_call *v, void (*fn)(struct nfs4_call *))
{
	uint64_t client;

	if (v->deleg_gated || !v->have_attr || v->w->cur.pseudo ||
	    !nfs4_deleg_maybe(v->nfs.env) || (!nfs4_bitmap_isset(
	    &v->op.u.getattr.request, FATTR4_SIZE) && !nfs4_bitmap_isset(
	    &v->op.u.getattr.request, FATTR4_CHANGE)))
		return 0;
	nfs4_file_id(v->file, &v->attr);
	v->then = fn;
	client = nfs4_client_of(v);
	nfs4_deleg_conflict(v->nfs.env, v->file, client != 0 ?
	    ST_PROTOCOL_NFSV4 : 0, client, NULL, 0, nfs4_attr_gate_done, v);
	return 1;
}

static void
nfs4_check_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_v4_check_reply *rep = reply;
	uint32_t st = nfs4_state_status(status, rep ? &rep->status : NULL);

	if (st != NFS4_OK) {
		nfs4_fail(v, st);
		return;
	}
	if (rep->kind == ST_V4_KIND_OPEN || rep->kind == ST_V4_KIND_LOCK)
		nfs4_stateid_learn(v, &v->check_stateid, rep->access);
	nfs4_io_checked(v);
}

static void
nfs4_check_send(struct nfs4_call *v)
{
	st_v4_check_req req;

	v->nfs.env->v4_checks++;
	memset(&req, 0, sizeof(req));
	nfs4_st_stateid(&req.stateid, &v->check_stateid);
	req.file.st_file_len = sizeof(v->file);
	req.file.st_file_val = (char *)v->file;
	req.io = (st_v4_io)v->check_io;
	nfs4_stated(v, ST_V4_CHECK, (xdrproc_t)xdr_st_v4_check_req, &req,
	    ST_V4_CHECK_REPLY, (xdrproc_t)xdr_st_v4_check_reply,
	    sizeof(st_v4_check_reply), nfs4_check_done);
}

void
nfs4_stateid_check(struct nfs4_call *v, const struct nfs4_stateid *sid,
    int io, nfs4_checked_fn *then)
{
	struct nfsd_env *env = v->nfs.env;

	v->check_stateid = *sid;
	v->check_io = io;
	v->then = then;
	if (nfs4_stateid_special(sid)) {
		nfs4_io_checked(v);
		return;
	}
	/* A stateid stated validated before: no round trip (stateid_cache.c). */
	if (!v->w->cur.pseudo && nfs4_stateid_cache_hit(env->v4_stateids, sid,
	    v->w->cur.data, v->w->cur.len, io != ST_V4_IO_READ)) {
		env->v4_check_hits++;
		nfs4_renew_batched(env, nfs4_stateid_clientid(sid));
		nfs4_io_checked(v);
		return;
	}
	nfs4_file_get(v, nfs4_check_send);
}

/*
 * RFC 7530 10.4, 16.16: an OPEN (CLAIM_NULL) asks stated for a
 * delegation, read after an OPEN that reads, write after one that
 * writes (callback.c knows the clients whose callback is down, which
 * need not ask); an OPEN with CLAIM_PREVIOUS in grace reclaims the one
 * it names (RFC 7530 9.6.2).  stated's answer decides; the OPEN
 * succeeds whatever it is.  A write delegation lets the client cache
 * writes up to NFS4_DELEG_SPACE_LIMIT bytes of file size before it
 * must flush (RFC 7530 10.4.1, nfs_space_limit4): nothing is reserved.
 */
#define NFS4_DELEG_SPACE_LIMIT	(1ULL << 40)

static const char nfs4_everyone[] = "EVERYONE@";

/*
 * RFC 8881 18.16.3: a 4.1 OPEN that said what it wants and gets no
 * delegation is told why (OPEN_DELEGATE_NONE_EXT); conflict: stated
 * refused for another holder's state.
 */
static void
nfs4_open_why_none(struct nfs4_call *v, int conflict)
{
	struct nfs4_open_res *o = &v->res.u.open;
	uint32_t want = v->op.u.open.want & OPEN4_SHARE_WANT_MASK;

	if (o->deleg_type != OPEN_DELEGATE_NONE ||
	    v->c.minorversion < NFS41_MINOR_VERSION ||
	    want == OPEN4_SHARE_WANT_NO_PREFERENCE)
		return;
	o->deleg_type = OPEN_DELEGATE_NONE_EXT;
	o->deleg_why = want == OPEN4_SHARE_WANT_NO_DELEG ? WND4_NOT_WANTED :
	    want == OPEN4_SHARE_WANT_CANCEL ? WND4_CANCELLED : conflict ?
	    WND4_CONTENTION : WND4_RESOURCE;
}

static void
nfs4_open_deleg_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_grant_delegate_reply *rep = reply;
	struct nfs4_open_res *o = &v->res.u.open;
	uint64_t clientid = v->op.u.open.owner.clientid;
	int write;

	if (status == 0 && rep->status == ST4_OK && (rep->level ==
	    ST_GRANT_READ || rep->level == ST_GRANT_WRITE)) {
		write = rep->level == ST_GRANT_WRITE;
		o->deleg_type = write ? OPEN_DELEGATE_WRITE :
		    OPEN_DELEGATE_READ;
		nfs4_stateid_from_st(&o->deleg_stateid, &rep->stateid);
		o->deleg_recall = rep->recall;
		if (write) {
			o->limitby = NFS_LIMIT_SIZE;
			o->filesize = NFS4_DELEG_SPACE_LIMIT;
		}
		/*
		 * No access is vouched for: the client asks ACCESS as it
		 * would without a delegation (RFC 7530 10.4.2).
		 */
		o->permissions.type = 0;	/* ACE4_ACCESS_ALLOWED */
		o->permissions.flag = 0;
		o->permissions.mask = 0;
		o->permissions.who.p = (const uint8_t *)nfs4_everyone;
		o->permissions.who.len = sizeof(nfs4_everyone) - 1;
		nfs4_deleg_file_add(v->nfs.env, v->file, rep->level,
		    write ? clientid : 0);
		/* Its I/O asks stated nothing, not even the first time. */
		nfs4_stateid_learn(v, &o->deleg_stateid, write ?
		    OPEN4_SHARE_ACCESS_BOTH : OPEN4_SHARE_ACCESS_READ);
	} else if (status == 0 && rep->status == ST4_OK &&
	    rep->why == ST_GRANT_NONE_CALLBACK)
		nfs4_deleg_callback_state(v->nfs.env,
		    v->op.u.open.owner.clientid, 0);
	nfs4_open_why_none(v, status == 0 && rep->status == ST4_OK &&
	    rep->why == ST_GRANT_NONE_CONFLICT);
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_open_deleg(struct nfs4_call *v)
{
	st_grant_delegate_req req;

	memset(&req, 0, sizeof(req));
	req.clientid = v->op.u.open.owner.clientid;
	nfs4_st_stateid(&req.open_stateid, &v->res.u.open.stateid);
	req.file.st_file_len = sizeof(v->file);
	req.file.st_file_val = (char *)v->file;
	req.handle.handle_len = v->w->cur.len;
	req.handle.handle_val = (char *)v->w->cur.data;
	if (v->op.u.open.claim == CLAIM_PREVIOUS)
		req.reclaim = v->op.u.open.delegate_type == OPEN_DELEGATE_WRITE ?
		    ST_GRANT_WRITE : ST_GRANT_READ;
	nfs4_stated(v, ST_GRANT_V4_DELEGATE,
	    (xdrproc_t)xdr_st_grant_delegate_req, &req,
	    ST_GRANT_DELEGATE_REPLY, (xdrproc_t)xdr_st_grant_delegate_reply,
	    sizeof(st_grant_delegate_reply), nfs4_open_deleg_done);
}

/* WANT_DELEGATION: the current file's attributes came. */
static void
nfs41_want_file(struct nfs4_call *v)
{
	struct nfs4_open_res *o = &v->res.u.open;

	if (v->attr.type != STORE_TYPE_REG) {
		o->deleg_type = OPEN_DELEGATE_NONE_EXT;
		o->deleg_why = v->attr.type == STORE_TYPE_DIR ? WND4_IS_DIR :
		    WND4_NOT_SUPP_FTYPE;
		nfs4_op_done(v, NFS4_OK);
		return;
	}
	if (v->nfs.env->deleg == NULL) {
		nfs4_open_why_none(v, 0);
		nfs4_op_done(v, NFS4_OK);
		return;
	}
	/* No open stateid: stated takes the client's open of the file. */
	nfs4_open_deleg(v);
}

/*
 * RFC 8881 18.49: WANT_DELEGATION of the current file, granted as
 * OPEN's is (nfs4_open_deleg, the same grant path) for an open the
 * client has of it; OPEN_DELEGATE_NONE_EXT and why otherwise.
 * CLAIM_PREVIOUS reclaims one in grace, as OPEN's does.
 */
void
nfs41_op_want_delegation(struct nfs4_call *v)
{
	struct nfs4_open_args *a = &v->op.u.open;
	struct nfs4_open_res *o = &v->res.u.open;

	memset(&v->res.u, 0, sizeof(v->res.u));
	o->deleg_type = OPEN_DELEGATE_NONE;
	switch (a->want & OPEN4_SHARE_WANT_MASK) {
	case OPEN4_SHARE_WANT_NO_PREFERENCE:
		a->want |= OPEN4_SHARE_WANT_ANY_DELEG;
		break;
	case OPEN4_SHARE_WANT_READ_DELEG:
	case OPEN4_SHARE_WANT_WRITE_DELEG:
	case OPEN4_SHARE_WANT_ANY_DELEG:
		break;
	case OPEN4_SHARE_WANT_NO_DELEG:
	case OPEN4_SHARE_WANT_CANCEL:
		/* Nothing is pending to cancel: none, and why. */
		nfs4_open_why_none(v, 0);
		nfs4_op_done(v, NFS4_OK);
		return;
	default:
		nfs4_fail(v, NFS4ERR_INVAL);
		return;
	}
	if (a->claim == CLAIM_DELEG_PREV_FH) {
		/* Delegations kept across a client's restart: none here. */
		nfs4_fail(v, NFS4ERR_NOTSUPP);
		return;
	}
	if (a->claim == CLAIM_PREVIOUS && a->delegate_type ==
	    OPEN_DELEGATE_NONE) {
		nfs4_op_done(v, NFS4_OK);
		return;
	}
	if (v->w->cur.pseudo) {
		o->deleg_type = OPEN_DELEGATE_NONE_EXT;
		o->deleg_why = WND4_IS_DIR;
		nfs4_op_done(v, NFS4_OK);
		return;
	}
	nfs4_file_get(v, nfs41_want_file);
}

/*
 * RFC 7530 16.16: OPEN.  CLAIM_NULL looks the name up (or creates it)
 * in blockd, checks the access asked for, then records the open in
 * stated; CLAIM_PREVIOUS names the current file.  The current
 * filehandle becomes the file's.  A retransmission of an UNCHECKED
 * create reaches stated after the create has run again harmlessly, and
 * gets the kept reply; GUARDED and EXCLUSIVE ones ask stated first
 * (nfs4_open_replay_ask), since blockd would say EXIST.
 */
/*
 * A confirmed open's stateid (stated's CHECK wants the owner confirmed):
 * an upgrade's access is the union with what the open had.
 */
static void
nfs4_open_learn(struct nfs4_call *v, const struct nfs4_stateid *sid,
    uint32_t rflags)
{
	uint32_t access = v->op.u.open.share_access, had;

	if (rflags & OPEN4_RESULT_CONFIRM)
		return;
	if (nfs4_stateid_cache_access(v->nfs.env->v4_stateids, sid, &had))
		access |= had;
	nfs4_stateid_learn(v, sid, access & (OPEN4_SHARE_ACCESS_READ |
	    OPEN4_SHARE_ACCESS_WRITE));
}

static void
nfs4_open_stated_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_v4_reply *rep = reply;
	struct nfs4_open_res *o = &v->res.u.open;
	uint32_t want;
	struct nfs4_open_args *a = &v->op.u.open;
	uint32_t st = nfs4_state_status(status, rep ? &rep->status : NULL);

	if (st != NFS4_OK) {
		nfs4_fail(v, st);
		return;
	}
	nfs4_stateid_from_st(&o->stateid, &rep->stateid);
	o->cinfo.atomic = v->op.u.open.claim == CLAIM_NULL;
	o->cinfo.before = v->cinfo_before;
	o->cinfo.after = v->cinfo_after;
	o->rflags = rep->rflags | OPEN4_RESULT_LOCKTYPE_POSIX;
	nfs4_open_learn(v, &o->stateid, o->rflags);
	memset(&o->attrset, 0, sizeof(o->attrset));
	if (rep->flags & ST_V4_OPEN_CREATED) {
		o->attrset = v->w->sattr.mask;
		o->attrset.beyond = 0;
	}
	o->deleg_type = OPEN_DELEGATE_NONE;
	nfs4_client_proved(v, a->owner.clientid);
	if (v->w->cur.pseudo) {
		nfs4_op_done(v, NFS4_OK);
		return;
	}
	/*
	 * An open by name, or 4.1's by filehandle (what Linux sends for a
	 * file it knows), unless the 4.1 client said it wants none.
	 */
	want = a->want & OPEN4_SHARE_WANT_MASK;
	if (((a->claim == CLAIM_NULL || a->claim == CLAIM_FH) &&
	    want != OPEN4_SHARE_WANT_NO_DELEG &&
	    want != OPEN4_SHARE_WANT_CANCEL &&
	    nfs4_deleg_wanted(v->nfs.env, a->owner.clientid,
	    (a->share_access & OPEN4_SHARE_ACCESS_WRITE) != 0)) ||
	    (a->claim == CLAIM_PREVIOUS && a->delegate_type !=
	    OPEN_DELEGATE_NONE && v->nfs.env->deleg != NULL)) {
		nfs4_open_deleg(v);
		return;
	}
	nfs4_open_why_none(v, 0);
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs4_open_stated_send(struct nfs4_call *v)
{
	struct nfs4_open_args *a = &v->op.u.open;
	st_v4_open_req req;

	memset(&req, 0, sizeof(req));
	req.clientid = a->owner.clientid;
	req.owner.owner_len = a->owner.owner.len;
	req.owner.owner_val = (char *)(uintptr_t)a->owner.owner.p;
	req.seqid = a->seqid;
	req.access = a->share_access;
	req.deny = a->share_deny;
	nfs4_file_id(v->file, &v->attr);
	req.file.st_file_len = sizeof(v->file);
	req.file.st_file_val = (char *)v->file;
	req.claim_previous = a->claim == CLAIM_PREVIOUS;
	req.flags = v->created ? ST_V4_OPEN_CREATED : 0;
	nfs4_stated(v, ST_V4_OPEN, (xdrproc_t)xdr_st_v4_open_req, &req,
	    ST_V4_REPLY, (xdrproc_t)xdr_st_v4_reply, sizeof(st_v4_reply),
	    nfs4_open_stated_done);
}

/*
 * RFC 7530 10.4.4, 16.16.5: CLAIM_DELEGATE_CUR names the client's
 * delegation of the file: stated checks it is that, and current
 * (BAD_STATEID, STALE_STATEID otherwise), before the open is recorded.
 */
static void
nfs4_open_claim_cur_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_grant_reply *rep = reply;
	uint32_t st = nfs4_state_status(status, rep ? &rep->status : NULL);

	if (st != NFS4_OK) {
		nfs4_fail(v, st);
		return;
	}
	nfs4_open_stated_send(v);
}

static void
nfs4_open_stated(struct nfs4_call *v)
{
	struct nfs4_open_args *a = &v->op.u.open;
	st_grant_claim_cur_req req;

	if (a->claim != CLAIM_DELEGATE_CUR) {
		nfs4_open_stated_send(v);
		return;
	}
	nfs4_file_id(v->file, &v->attr);
	memset(&req, 0, sizeof(req));
	req.clientid = a->owner.clientid;
	nfs4_st_stateid(&req.stateid, &a->delegate_stateid);
	req.file.st_file_len = sizeof(v->file);
	req.file.st_file_val = (char *)v->file;
	nfs4_stated(v, ST_GRANT_V4_CLAIM_CUR,
	    (xdrproc_t)xdr_st_grant_claim_cur_req, &req, ST_GRANT_REPLY,
	    (xdrproc_t)xdr_st_grant_reply, sizeof(st_grant_reply),
	    nfs4_open_claim_cur_done);
}

static void
nfs4_open_access_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_access_reply *rep = reply;

	(void)fd;
	if (status != 0) {
		nfs4_fail(v, nfs4_status_from_errno(status));
		return;
	}
	if ((rep->granted & v->check_io) != (uint32_t)v->check_io) {
		nfs4_fail(v, NFS4ERR_ACCESS);
		return;
	}
	nfs4_open_stated(v);
}

/* The file is known (v->attr, v->w->cur): its type, its access, stated. */
static void
nfs4_open_file(struct nfs4_call *v)
{
	struct nfs4_open_args *a = &v->op.u.open;
	uint32_t want = 0;

	switch (v->attr.type) {
	case STORE_TYPE_REG:
		break;
	case STORE_TYPE_DIR:
		nfs4_fail(v, NFS4ERR_ISDIR);
		return;
	case STORE_TYPE_LNK:
		nfs4_fail(v, NFS4ERR_SYMLINK);
		return;
	default:
		nfs4_fail(v, NFS4ERR_INVAL);
		return;
	}
	if ((a->share_access & OPEN4_SHARE_ACCESS_WRITE) &&
	    v->w->cur.exp->read_only) {
		nfs4_fail(v, NFS4ERR_ROFS);
		return;
	}
	/* Who created the file may open it as asked (RFC 7530 16.16.5). */
	if (v->created) {
		nfs4_open_stated(v);
		return;
	}
	if (a->share_access & OPEN4_SHARE_ACCESS_READ)
		want |= ACCESS4_READ;
	if (a->share_access & OPEN4_SHARE_ACCESS_WRITE)
		want |= ACCESS4_MODIFY;
	v->check_io = (int)want;
	if (nfs4_access_cached(v, want)) {
		nfs4_open_stated(v);
		return;
	}
	nfs4_bd_access(v, want, nfs4_open_access_done);
}

static void
nfs4_open_entry_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_entry_reply *rep = reply;

	(void)fd;
	/* What the name holds, for the name cache (OPEN from the caches). */
	if (rep != NULL && (status == 0 || (status == -ENOENT &&
	    v->op.u.open.opentype != OPEN4_CREATE)))
		nfs4_name_learn(v, &v->op.u.open.name, status == 0 ?
		    (const uint8_t *)rep->fh.bd_fh_val : NULL, status == 0 ?
		    rep->fh.bd_fh_len : 0, rep->dir.valid ? &rep->dir.after :
		    NULL);
	if (status != 0) {
		nfs4_fail(v, status == -EBADMSG ? NFS4ERR_BADHANDLE :
		    nfs4_status_from_errno(status));
		return;
	}
	if (rep->dir.valid) {
		v->cinfo_before = rep->dir.before.change;
		v->cinfo_after = rep->dir.after.change;
		v->created = v->op.u.open.opentype == OPEN4_CREATE &&
		    rep->dir.before.change != rep->dir.after.change;
	} else
		v->cinfo_before = v->cinfo_after = rep->dir.after.change;
	if (nfs4_cur_from_entry(v, rep) == -1) {
		nfs4_fail(v, NFS4ERR_SERVERFAULT);
		return;
	}
	/* The file made with an ACL in createattrs gets it (proc.c). */
	if (v->created) {
		nfs4_acl_apply(v, nfs4_open_file);
		return;
	}
	nfs4_open_file(v);
}

static void
nfs4_open_previous(struct nfs4_call *v)
{
	nfs4_open_file(v);
}

/* The create itself (the sattr decoded into v->w->sattr). */
static void
nfs4_open_create(struct nfs4_call *v)
{
	struct nfs4_open_args *a = &v->op.u.open;
	bd_create_req creq;

	memset(&creq, 0, sizeof(creq));
	creq.cred = v->nfs.bcred;
	nfs4_bd_fh(&creq.dir, &v->w->cur);
	creq.name.bd_name_len = a->name.len;
	creq.name.bd_name_val = (char *)(uintptr_t)a->name.p;
	creq.how = a->createmode;
	if (a->createmode == EXCLUSIVE4)
		memcpy(creq.verf, a->verf, sizeof(creq.verf));
	/*
	 * Without a mode in createattrs blockd's default (0644) applies,
	 * and an ACL inherited from the directory stands as inherited
	 * (RFC 8881 6.4.3).
	 */
	if (a->createmode != EXCLUSIVE4 || a->excl41)
		nfs4_sattr_bd(&v->w->sattr, &creq.sattr);
	bdc_call(v->nfs.env->bdc, BD_CREATE, (xdrproc_t)xdr_bd_create_req,
	    &creq, (xdrproc_t)xdr_bd_entry_reply, sizeof(bd_entry_reply),
	    nfs4_open_entry_done, v);
}

/*
 * A replay's file, looked up by name: the kept open's own, so stated's
 * OPEN answers with the kept result (a replay: nothing changes).  Any
 * other file, or none (removed or renamed since), and the OPEN runs as
 * a new one; nfsd(8) tells that limit.
 */
static void
nfs4_open_replay_entry_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_call *v = arg;
	bd_entry_reply *rep = reply;
	uint8_t found[sizeof(v->file)];

	(void)fd;
	if (status == 0)
		nfs4_file_id(found, &rep->attr);
	if (status != 0 || memcmp(found, v->file, sizeof(found)) != 0 ||
	    nfs4_cur_from_entry(v, rep) == -1) {
		log_info_rl("%s: NFSv4 OPEN: a retransmission whose file is "
		    "gone or replaced: run as a new OPEN",
		    v->nfs.rpc->peer_name);
		nfs4_open_create(v);
		return;
	}
	v->cinfo_before = v->cinfo_after = rep->dir.after.change;
	v->created = (v->step & ST_V4_OPEN_CREATED) != 0;
	v->step = 0;
	nfs4_open_stated(v);
}

/* The OPEN's name in the current directory, then done. */
static void
nfs4_open_lookup(struct nfs4_call *v, bdc_done_fn *done)
{
	struct nfs4_open_args *a = &v->op.u.open;
	bd_dirop_req req;

	memset(&req, 0, sizeof(req));
	req.cred = v->nfs.bcred;
	nfs4_bd_fh(&req.dir, &v->w->cur);
	req.name.bd_name_len = a->name.len;
	req.name.bd_name_val = (char *)(uintptr_t)a->name.p;
	bdc_call(v->nfs.env->bdc, BD_LOOKUP, (xdrproc_t)xdr_bd_dirop_req, &req,
	    (xdrproc_t)xdr_bd_entry_reply, sizeof(bd_entry_reply), done, v);
}

static void
nfs4_open_replay_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_v4_open_replay_reply *rep = reply;

	/* stated away: nothing is created, the client sends it again. */
	if (status != 0) {
		nfs4_fail(v, nfs4_state_status(status, NULL));
		return;
	}
	if (!rep->replay) {
		nfs4_open_create(v);
		return;
	}
	if (rep->status != ST4_OK) {
		nfs4_fail(v, (uint32_t)rep->status);
		return;
	}
	if (rep->file.st_file_len != sizeof(v->file)) {
		nfs4_open_create(v);
		return;
	}
	memcpy(v->file, rep->file.st_file_val, sizeof(v->file));
	v->step = (int)(rep->flags & ST_V4_OPEN_CREATED);
	nfs4_open_lookup(v, nfs4_open_replay_entry_done);
}

/*
 * RFC 7530 9.1.7, 16.16.5: a GUARDED4 or EXCLUSIVE4 create asks stated
 * first whether it is a retransmission of the owner's last OPEN (whose
 * reply was lost): then the file is there because of it, and the
 * answer is the kept one, not EXIST.
 */
static void
nfs4_open_replay_ask(struct nfs4_call *v)
{
	struct nfs4_open_args *a = &v->op.u.open;
	st_v4_owner_seqid_req req;

	memset(&req, 0, sizeof(req));
	req.clientid = a->owner.clientid;
	req.owner.owner_len = a->owner.owner.len;
	req.owner.owner_val = (char *)(uintptr_t)a->owner.owner.p;
	req.seqid = a->seqid;
	nfs4_stated(v, ST_V4_OPEN_REPLAY,
	    (xdrproc_t)xdr_st_v4_owner_seqid_req, &req,
	    ST_V4_OPEN_REPLAY_REPLY, (xdrproc_t)xdr_st_v4_open_replay_reply,
	    sizeof(st_v4_open_replay_reply), nfs4_open_replay_done);
}

void
nfs4_op_open_state(struct nfs4_call *v)
{
	struct nfs4_open_args *a = &v->op.u.open;
	struct nfsd_env *env = v->nfs.env;
	uint32_t st;

	switch (a->claim) {
	case CLAIM_NULL:
		break;
	case CLAIM_PREVIOUS:
	case CLAIM_FH:
	case CLAIM_DELEG_CUR_FH:
		/*
		 * RFC 8881 18.16.3: 4.1's claims of the current file (Linux
		 * opens a file it has looked up so); the _CUR_ one checked
		 * as CLAIM_FH, as CLAIM_DELEGATE_CUR is as CLAIM_NULL.
		 */
		nfs4_file_get(v, nfs4_open_previous);
		return;
	case CLAIM_DELEGATE_CUR:
		/*
		 * RFC 7530 10.4.4: the open state of a file the client
		 * opened under its delegation, asked for while it returns
		 * it; checked as a CLAIM_NULL OPEN of the name (its own
		 * delegation conflicts with nothing of its own), once
		 * stated knows the delegation is its own of that file
		 * (nfs4_open_stated).
		 */
		break;
	default:
		nfs4_fail(v, NFS4ERR_NOTSUPP);
		return;
	}
	if ((st = nfs4_lookup_name_check(&a->name)) != NFS4_OK) {
		nfs4_fail(v, st);
		return;
	}
	if (v->w->cur.pseudo) {
		nfs4_fail(v, a->opentype == OPEN4_CREATE ? NFS4ERR_ROFS :
		    NFS4ERR_ISDIR);
		return;
	}
	memset(&v->w->sattr, 0, sizeof(v->w->sattr));
	if (a->opentype != OPEN4_CREATE && a->claim == CLAIM_NULL) {
		v->created = 0;
		switch (nfs4_open_cached(v, &a->name)) {
		case 1:
			nfs4_open_file(v);
			return;
		case -1:
			nfs4_fail(v, NFS4ERR_NOENT);
			return;
		}
	}
	if (a->opentype != OPEN4_CREATE || a->claim == CLAIM_DELEGATE_CUR) {
		nfs4_open_lookup(v, nfs4_open_entry_done);
		return;
	}
	if (v->w->cur.exp->read_only) {
		nfs4_fail(v, NFS4ERR_ROFS);
		return;
	}
	/* RFC 8881 18.16.3: EXCLUSIVE4_1's are suppattr_exclcreat's. */
	if (a->createmode != EXCLUSIVE4 || a->excl41) {
		st = nfs4_fattr_decode_sattr(&a->createattrs, env->idmap,
		    &v->w->sattr);
		if (st != NFS4_OK) {
			nfs4_fail(v, st);
			return;
		}
	}
	if (a->createmode == UNCHECKED4) {
		nfs4_open_create(v);
		return;
	}
	nfs4_open_replay_ask(v);
}

/* RFC 7530 16.8: DELEGRETURN of the current file. */
static void
nfs4_delegreturn_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_grant_reply *rep = reply;
	uint32_t st = nfs4_state_status(status, rep ? &rep->status : NULL);

	/* Its stateid is no more: the cache forgets the file's. */
	nfs4_stateid_forget_file(v);
	if (st == NFS4_OK)
		nfs4_deleg_returned(v->nfs.env, v->file,
		    nfs4_stateid_clientid(&v->op.u.delegreturn.stateid));
	nfs4_fail(v, st);
}

static void
nfs4_delegreturn_send(struct nfs4_call *v)
{
	st_grant_return_req req;

	memset(&req, 0, sizeof(req));
	nfs4_st_stateid(&req.stateid, &v->op.u.delegreturn.stateid);
	req.file.st_file_len = sizeof(v->file);
	req.file.st_file_val = (char *)v->file;
	nfs4_stated(v, ST_GRANT_V4_RETURN, (xdrproc_t)xdr_st_grant_return_req,
	    &req, ST_GRANT_REPLY, (xdrproc_t)xdr_st_grant_reply,
	    sizeof(st_grant_reply), nfs4_delegreturn_done);
}

void
nfs4_op_delegreturn_state(struct nfs4_call *v)
{
	if (nfs4_stateid_special(&v->op.u.delegreturn.stateid)) {
		nfs4_fail(v, NFS4ERR_BAD_STATEID);
		return;
	}
	nfs4_file_get(v, nfs4_delegreturn_send);
}

/*
 * REMOVE and RENAME name a file by its directory: while some file has
 * a grant, the name is looked up and its delegations recalled first.
 * An NFSv4.0 REMOVE names no client, so the holder's own REMOVE recalls
 * its delegation too (a Linux client returns it before).
 */
void
nfs4_deleg_name_check(struct nfs4_call *v, const struct nfs4_fh *dir,
    const struct nfs4_opaque *name, void (*fn)(struct nfs4_call *))
{
	if (!nfs4_deleg_maybe(v->nfs.env) || dir->pseudo) {
		fn(v);
		return;
	}
	v->then = fn;
	nfs4_deleg_name_gate(v->nfs.env, &v->nfs.bcred, dir->data, dir->len,
	    name->p, name->len, nfs4_deleg_checked, v);
}

/* RENAME: the file renamed, then the one it would replace. */
static void
nfs4_deleg_rename_target(struct nfs4_call *v)
{
	nfs4_deleg_name_check(v, &v->w->cur, &v->op.u.rename.newname,
	    v->checked);
}

void
nfs4_deleg_rename_check(struct nfs4_call *v, void (*fn)(struct nfs4_call *))
{
	v->checked = fn;
	nfs4_deleg_name_check(v, &v->w->saved, &v->op.u.rename.oldname,
	    nfs4_deleg_rename_target);
}
