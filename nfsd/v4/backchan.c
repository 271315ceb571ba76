/*
 * The NFSv4.1 backchannel, nfsd's side (RFC 8881 2.10.3.1, 18.33,
 * 18.34, 18.36, 20):
 *
 * - Callbacks go over a connection the client bound for them: the one
 *   its CREATE_SESSION came on when it asked CONN_BACK_CHAN, or one it
 *   named with BIND_CONN_TO_SESSION (back or both).  nfsd never opens a
 *   connection to a v4.1 client, so callbacks work behind NAT.
 * - Callbacks go under the security the client offered in
 *   CREATE_SESSION or BACKCHANNEL_CTL: its RPCSEC_GSS handles while nfsd
 *   holds their context (cb_gss41.c), else AUTH_SYS or AUTH_NONE.
 * - Each binding is probed with CB_NULL; the answer (or its failure)
 *   goes to stated as ST_SESSION_BACK, which grants a v4.1 client
 *   delegations only while a session's backchannel answers.
 * - SEQUENCE flags CB_PATH_DOWN_SESSION while this session has no
 *   working backchannel here, and CB_PATH_DOWN too when none of the
 *   client's sessions has one; the client binds a connection again.
 *   A restarted nfsd knows no binding, so the client's first SEQUENCE
 *   to it is so flagged: that is how it re-learns the backchannel.
 * - CB_RECALL of a delegation stated pushes goes in a CB_COMPOUND after
 *   CB_SEQUENCE on slot 0, the only slot used, one call at a time per
 *   session; calls wait their turn in order.  The slot's sequence id is
 *   the last one the client is known to have seen; stated keeps it
 *   (ST_SESSION_BACK before each call), so a restarted nfsd goes on
 *   from it.  A call whose fate is unknown (the connection went) leaves
 *   it as it was: if the client did see it, its NFS4ERR_RETRY_UNCACHED_REP
 *   says so, and the call goes again with the next one.
 * - CB_RECALL_ANY (keep at most N read and write delegations) when
 *   stated pushes ST_PUSH_RECALL_ANY for a client near its cap, queued
 *   as a recall is.
 * - CB_NOTIFY of a directory delegation's changes (dirdeleg.c), queued
 *   as a recall is but with no push behind it to acknowledge.
 * - CB_RECALL_SLOT (RFC 8881 20.8) to each session of more slots than
 *   [stated] nfsv4.1 slots per session when a reload lowers it, over
 *   that session's own backchannel; its SEQUENCE replies carry the
 *   lower target_highest_slotid from then on (proc41.c).  The slots
 *   are kept: the client is asked to use fewer.
 * - A recall that finds no working backchannel waits for one (a client
 *   binds as soon as SEQUENCE tells it to) until NFS41_BACK_WAIT_MS;
 *   the push is then acknowledged and stated revokes the delegation if
 *   it is not returned within the lease, as for v4.0.
 */
#include <sys/queue.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "ipc.h"
#include "log.h"
#include "nfsd/v4/proc.h"
#include "rpcsvc.h"
#include "stated_push.h"
#include "stated_session.h"
#include "stated_util.h"

#define NFS41_BACK_BUCKETS	256
#define NFS41_BACK_WAIT_MS	10000	/* a recall's wait for an answer */
#define NFS41_BACK_QUEUE_MAX	256	/* calls waiting, all sessions */
#define NFS41_BACK_RESENDS	4	/* DELAY or a seen sequence id */
#define NFS41_CB_VERSION	1

struct nfs41_back;

/* One CB_COMPOUND (a recall), waiting for the slot or out on it. */
struct nfs41_cb {
	TAILQ_ENTRY(nfs41_cb)	 entry;
	struct nfs41_backs	*bs;
	struct nfs41_back	*b;		/* NULL: waits for a binding */
	uint32_t		 op;		/* OP_CB_RECALL, _RECALL_ANY,
						   _NOTIFY, _RECALL_SLOT */
	uint8_t			 session[NFS41_SESSIONID_SIZE];
	int			 to_session;	/* that session's alone */
	uint8_t			*body;		/* NOTIFY: the op, encoded */
	size_t			 body_len;
	uint32_t		 keep;		/* RECALL_ANY */
	uint64_t		 clientid;
	uint64_t		 push_id;
	struct nfs4_stateid	 stateid;
	uint8_t			 fh[NFS4_FHSIZE];
	uint32_t		 fh_len;
	struct event		*timer;
	uint32_t		 seqid;		/* when out */
	int			 out;		/* the connection has it */
	int			 acked;		/* the push was */
	int			 resends;
};

TAILQ_HEAD(nfs41_cb_queue, nfs41_cb);

/* A session's backchannel. */
struct nfs41_back {
	struct nfs41_back	*next;
	struct nfs41_backs	*bs;
	uint8_t			 id[NFS41_SESSIONID_SIZE];
	uint64_t		 clientid;
	struct rpcsvc_conn	*conn;		/* held; NULL: none */
	uint32_t		 cb_program;
	struct nfs41_cb_sec	 sec;		/* the client's cb_sec */
	struct rpcmsg_sys_cred	 cred;		/* its AUTH_SYS or _NONE */
	uint32_t		 gss_seq;	/* RPCSEC_GSS's, last used */
	uint32_t		 seqid;		/* slot 0's, seen by the client */
	int			 state;		/* ST_SESSION_BACK_* */
	int			 probing;
	struct nfs41_cb		*busy;		/* the call on the slot */
	struct nfs41_cb_queue	 wait;
};

struct nfs41_backs {
	struct nfsd_env		*env;
	struct nfs41_back	*b[NFS41_BACK_BUCKETS];
	struct nfs41_cb_queue	 orphans;	/* no binding of the client */
	size_t			 nsessions;
	size_t			 queued;
	uint64_t		 binds;
	uint64_t		 probes;
	uint64_t		 recalls;
	uint64_t		 recall_anys;
	uint64_t		 notifies;
	uint64_t		 recall_slots;
	uint64_t		 gss_calls;	/* sent under RPCSEC_GSS */
	uint64_t		 failures;
};

/* A probe in flight: its session may go before the answer comes. */
struct nfs41_probe {
	struct nfs41_backs	*bs;
	uint8_t			 id[NFS41_SESSIONID_SIZE];
	struct rpcsvc_conn	*conn;		/* held */
};

static void	nfs41_back_next(struct nfs41_back *);

static size_t
nfs41_back_bucket(const uint8_t *id)
{
	return (size_t)(hash_fnv1a32(id, NFS41_SESSIONID_SIZE) %
	    NFS41_BACK_BUCKETS);
}

static struct nfs41_back **
nfs41_back_slot(struct nfs41_backs *bs, const uint8_t *id)
{
	struct nfs41_back **p;

	for (p = &bs->b[nfs41_back_bucket(id)]; *p != NULL; p = &(*p)->next)
		if (memcmp((*p)->id, id, NFS41_SESSIONID_SIZE) == 0)
			break;
	return p;
}

static int
nfs41_back_works(const struct nfs41_back *b)
{
	return rpcsvc_conn_alive(b->conn) && b->state != ST_SESSION_BACK_DOWN;
}

/* ST_SESSION_BACK: stated's copy of the binding, one way. */
static void
nfs41_back_tell(struct nfs41_back *b)
{
	struct nfsd_env *env = b->bs->env;
	struct ipc_channel *ch = stated_client_channel(env->sdc);
	st_session_back m;

	memset(&m, 0, sizeof(m));
	memcpy(m.sessionid, b->id, NFS41_SESSIONID_SIZE);
	m.cb_program = b->cb_program;
	m.cb_seqid = b->seqid;
	m.state = (u_int)b->state;
	if (ch == NULL || ipc_send_xdr(ch, ST_SESSION_BACK, 0, 0, -1,
	    (xdrproc_t)xdr_st_session_back, &m) == -1)
		log_warnx_rl("NFSv4.1 client %016llx: stated did not hear of "
		    "its backchannel (its delegations follow stated's word)",
		    (unsigned long long)b->clientid);
}

static void
nfs41_back_set_state(struct nfs41_back *b, int state)
{
	if (b->state == state)
		return;
	if (state == ST_SESSION_BACK_UP || b->state == ST_SESSION_BACK_UP)
		log_info_rl("NFSv4.1 client %016llx: backchannel %s",
		    (unsigned long long)b->clientid,
		    state == ST_SESSION_BACK_UP ? "up" : "down");
	b->state = state;
	nfs41_back_tell(b);
}

/* ---- the calls ---- */

static const char *
nfs41_cb_name(const struct nfs41_cb *cb)
{
	switch (cb->op) {
	case OP_CB_RECALL_ANY:
		return "CB_RECALL_ANY";
	case OP_CB_NOTIFY:
		return "CB_NOTIFY";
	case OP_CB_RECALL_SLOT:
		return "CB_RECALL_SLOT";
	}
	return "CB_RECALL";
}

static void
nfs41_cb_ack(struct nfs41_cb *cb)
{
	struct nfsd_env *env = cb->bs->env;
	struct ipc_channel *ch;

	if (cb->acked)
		return;
	cb->acked = 1;
	if (cb->body != NULL)
		return;			/* nfsd's own: no push */
	if ((ch = stated_client_channel(env->sdc)) == NULL ||
	    st_push_ack_send(ch, cb->push_id, ST_OK) == -1)
		log_warnx("stated: ST_PUSH_ACK of push %llu not sent (it "
		    "comes again)", (unsigned long long)cb->push_id);
}

static void
nfs41_cb_free(struct nfs41_cb *cb)
{
	if (cb->timer != NULL)
		event_free(cb->timer);
	free(cb->body);
	free(cb);
}

/* Out of whichever queue holds it (not the slot). */
static void
nfs41_cb_unqueue(struct nfs41_cb *cb)
{
	if (cb->b != NULL)
		TAILQ_REMOVE(&cb->b->wait, cb, entry);
	else
		TAILQ_REMOVE(&cb->bs->orphans, cb, entry);
	cb->bs->queued--;
}

/* A CB_NOTIFY lost: its delegation's stateid follows the op number. */
static void
nfs41_cb_notify_lost(struct nfs41_cb *cb)
{
	struct nfs4_stateid sid;
	struct xdrbuf_in x;
	uint32_t op;

	if (cb->op != OP_CB_NOTIFY || cb->acked)
		return;
	xdrbuf_in_init(&x, cb->body, cb->body_len);
	if (xdrbuf_get_u32(&x, &op) == 0 && nfs4_get_stateid(&x, &sid) == 0)
		nfs41_dir_notify_lost(cb->bs->env, cb->clientid, &sid);
}

static void
nfs41_cb_fail(struct nfs41_cb *cb, const char *why)
{
	nfs41_cb_notify_lost(cb);
	cb->bs->failures++;
	if (cb->op != OP_CB_RECALL)
		log_info_rl("NFSv4.1 client %016llx: %s %s",
		    (unsigned long long)cb->clientid, nfs41_cb_name(cb), why);
	else
		log_warnx_rl("NFSv4.1 client %016llx: CB_RECALL %s; stated "
		    "revokes the delegation if it is not returned within the "
		    "lease", (unsigned long long)cb->clientid, why);
	nfs41_cb_ack(cb);
}

/* No answer in time: the push is acknowledged; an out call stays out. */
static void
nfs41_cb_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct nfs41_cb *cb = arg;

	(void)fd;
	(void)what;
	nfs41_cb_fail(cb, cb->out ? "not answered" : "found no backchannel");
	if (!cb->out) {
		nfs41_cb_unqueue(cb);
		nfs41_cb_free(cb);
	}
}

static bool_t
nfs41_cb_xdr(XDR *xdrs, void *arg)
{
	struct xdrbuf_out *o = arg;

	return xdr_opaque(xdrs, (caddr_t)o->buf, (u_int)o->len);
}

static void	nfs41_cb_reply(void *, int, XDR *);

/*
 * A call on the backchannel under the client's security (RFC 8881
 * 2.10.8.2): an RPCSEC_GSS offer whose context nfsd holds, else its
 * AUTH_SYS or AUTH_NONE.  -1: none usable now, or the call not made.
 */
static int
nfs41_back_call(struct nfs41_back *b, uint32_t proc, const uint8_t *args,
    size_t len, rpcsvc_result_fn *fn, void *arg)
{
	struct xdrbuf_out o;
	int gss;

	if ((gss = nfs41_cb_gss_pick(b->bs->env, &b->sec)) != -1) {
		if (nfs41_cb_gss_call(b->bs->env, b->conn, &b->sec, gss,
		    &b->gss_seq, b->clientid, b->cb_program, NFS41_CB_VERSION,
		    proc, args, len, fn, arg) == -1)
			return -1;
		b->bs->gss_calls++;
		return 0;
	}
	if (!b->sec.usable) {
		log_warnx_rl("NFSv4.1 client %016llx: no context its "
		    "RPCSEC_GSS callback handles name is held here now",
		    (unsigned long long)b->clientid);
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.buf = (uint8_t *)(uintptr_t)args;
	o.len = len;
	return rpcsvc_back_call_cred(b->conn, b->cb_program, NFS41_CB_VERSION,
	    proc, &b->cred, len > 0 ? (xdrproc_t)nfs41_cb_xdr : NULL, &o, fn,
	    arg);
}

/* The slot's next call: CB_SEQUENCE (the id after the last seen), op. */
static int
nfs41_cb_send(struct nfs41_back *b, struct nfs41_cb *cb)
{
	struct nfs4_opaque fh;
	struct xdrbuf_out o;
	int rc;

	cb->seqid = b->seqid + 1;
	if (cb->seqid == 0)
		cb->seqid = 1;
	fh.p = cb->fh;
	fh.len = cb->fh_len;
	xdrbuf_out_init(&o);
	if (cb->op == OP_CB_RECALL_ANY)
		nfs41_cb_encode_recall_any(&o, b->id, cb->seqid, cb->keep);
	else if (cb->body != NULL)
		nfs41_cb_encode_op(&o, b->id, cb->seqid, cb->body,
		    cb->body_len);
	else
		nfs41_cb_encode_recall(&o, b->id, cb->seqid, &cb->stateid, 0,
		    &fh);
	rc = o.failed ? -1 : nfs41_back_call(b, NFS4_CB_PROC_COMPOUND, o.buf,
	    o.len, nfs41_cb_reply, cb);
	xdrbuf_out_free(&o);
	if (rc == -1)
		return -1;
	cb->out = 1;
	b->busy = cb;
	return 0;
}

/* The slot is free: the next waiting call goes, if one can. */
static void
nfs41_back_next(struct nfs41_back *b)
{
	struct nfs41_cb *cb;

	while (b->busy == NULL && nfs41_back_works(b) &&
	    (cb = TAILQ_FIRST(&b->wait)) != NULL) {
		nfs41_cb_unqueue(cb);
		if (cb->acked) {
			nfs41_cb_free(cb);
			continue;
		}
		if (nfs41_cb_send(b, cb) == 0)
			return;
		nfs41_back_set_state(b, ST_SESSION_BACK_DOWN);
		/* Back first in line for the next binding. */
		TAILQ_INSERT_HEAD(&b->wait, cb, entry);
		b->bs->queued++;
		return;
	}
}

static void
nfs41_cb_reply(void *arg, int status, XDR *xdrs)
{
	struct nfs41_cb *cb = arg;
	struct nfs41_back *b = cb->b;
	struct nfs41_cb_res r;
	struct xdrbuf_in x;
	const uint8_t *p;

	cb->out = 0;
	if (b == NULL) {
		/* Its session went while it was out. */
		if (!cb->acked)
			nfs41_cb_fail(cb, "lost with its session");
		nfs41_cb_free(cb);
		return;
	}
	b->busy = NULL;
	if (status != 0) {
		/* Not known whether the client saw it: the id stays. */
		nfs41_back_set_state(b, ST_SESSION_BACK_DOWN);
		if (!cb->acked) {
			TAILQ_INSERT_HEAD(&b->wait, cb, entry);
			b->bs->queued++;
		} else
			nfs41_cb_free(cb);
		return;
	}
	/* The results, as bytes (an XDR over the reply's record). */
	p = (const uint8_t *)xdr_inline(xdrs, 0);
	memset(&r, 0, sizeof(r));
	if (p == NULL || (xdrbuf_in_init(&x, p, xdrs->x_handy),
	    nfs41_cb_decode_res(&x, b->id, &r) == -1)) {
		log_warnx_rl("NFSv4.1 client %016llx: a CB_COMPOUND reply "
		    "that does not parse", (unsigned long long)b->clientid);
		r.seq_status = NFS4ERR_SERVERFAULT;
	}
	switch (r.seq_status) {
	case NFS4_OK:
		b->seqid = cb->seqid;
		if (b->state != ST_SESSION_BACK_UP)
			nfs41_back_set_state(b, ST_SESSION_BACK_UP);
		else
			nfs41_back_tell(b);
		if (r.opstatus != NFS4_OK) {
			log_info_rl("NFSv4.1 client %016llx: %s answered %u",
			    (unsigned long long)b->clientid, nfs41_cb_name(cb),
			    r.opstatus);
			nfs41_cb_notify_lost(cb);
		}
		nfs41_cb_ack(cb);
		nfs41_cb_free(cb);
		break;
	case NFS4ERR_RETRY_UNCACHED_REP:
	case NFS4ERR_DELAY:
		/* It saw that id (a call whose answer was lost), or its
		 * slot is busy: again, after the id it saw. */
		if (r.seq_status == NFS4ERR_RETRY_UNCACHED_REP) {
			b->seqid = cb->seqid;
			nfs41_back_tell(b);
		}
		if (cb->acked || ++cb->resends > NFS41_BACK_RESENDS) {
			if (!cb->acked)
				nfs41_cb_fail(cb, "refused again and again");
			nfs41_cb_free(cb);
			break;
		}
		TAILQ_INSERT_HEAD(&b->wait, cb, entry);
		b->bs->queued++;
		break;
	default:
		log_warnx_rl("NFSv4.1 client %016llx: CB_SEQUENCE of sequence "
		    "id %u answered %u", (unsigned long long)b->clientid,
		    cb->seqid, r.seq_status);
		nfs41_cb_fail(cb, "not taken");
		nfs41_cb_free(cb);
		nfs41_back_set_state(b, ST_SESSION_BACK_DOWN);
		break;
	}
	nfs41_back_next(b);
}

/* ---- bindings ---- */

static void
nfs41_probe_reply(void *arg, int status, XDR *xdrs)
{
	struct nfs41_probe *pr = arg;
	struct nfs41_back *b;

	(void)xdrs;
	b = *nfs41_back_slot(pr->bs, pr->id);
	/* Only an answer on the session's present connection counts. */
	if (b != NULL && b->conn == pr->conn) {
		b->probing = 0;
		nfs41_back_set_state(b, status == 0 ? ST_SESSION_BACK_UP :
		    ST_SESSION_BACK_DOWN);
		if (status != 0)
			log_info_rl("NFSv4.1 client %016llx: CB_NULL on its "
			    "backchannel failed: %s", (unsigned long long)
			    b->clientid, strerror(-status));
		nfs41_back_next(b);
	}
	rpcsvc_conn_release(pr->conn);
	free(pr);
}

/*
 * CB_NULL on the loop's next turn: after the reply of the op that bound
 * the connection is queued, so the client hears of the binding first.
 */
static void
nfs41_back_probe_send(evutil_socket_t fd, short what, void *arg)
{
	struct nfs41_probe *pr = arg;
	struct nfs41_back *b = *nfs41_back_slot(pr->bs, pr->id);

	(void)fd;
	(void)what;
	if (b == NULL || b->conn != pr->conn ||
	    nfs41_back_call(b, NFS4_CB_PROC_NULL, NULL, 0, nfs41_probe_reply,
	    pr) == -1) {
		if (b != NULL && b->conn == pr->conn) {
			b->probing = 0;
			nfs41_back_set_state(b, ST_SESSION_BACK_DOWN);
		}
		rpcsvc_conn_release(pr->conn);
		free(pr);
	}
}

static void
nfs41_back_probe(struct nfs41_back *b)
{
	struct timeval now = { 0, 0 };
	struct nfs41_probe *pr;

	if ((pr = calloc(1, sizeof(*pr))) == NULL)
		return;
	pr->bs = b->bs;
	memcpy(pr->id, b->id, NFS41_SESSIONID_SIZE);
	pr->conn = rpcsvc_conn_ref(b->conn);
	b->bs->probes++;
	b->probing = 1;
	if (event_base_once(b->bs->env->base, -1, EV_TIMEOUT,
	    nfs41_back_probe_send, pr, &now) == -1) {
		rpcsvc_conn_release(pr->conn);
		free(pr);
		b->probing = 0;
		nfs41_back_set_state(b, ST_SESSION_BACK_DOWN);
	}
}

/* Recalls that waited for a binding of this client go to b. */
static void
nfs41_back_adopt(struct nfs41_backs *bs, struct nfs41_back *b)
{
	struct nfs41_cb *cb, *next;

	for (cb = TAILQ_FIRST(&bs->orphans); cb != NULL; cb = next) {
		next = TAILQ_NEXT(cb, entry);
		if (cb->clientid != b->clientid)
			continue;
		TAILQ_REMOVE(&bs->orphans, cb, entry);
		cb->b = b;
		TAILQ_INSERT_TAIL(&b->wait, cb, entry);
	}
}

/*
 * CREATE_SESSION with CONN_BACK_CHAN, or BIND_CONN_TO_SESSION for the
 * back channel: conn carries the session's callbacks from now on.
 * cb_seqid: stated's word for a session this nfsd did not bind yet.
 */
/*
 * RFC 8881 2.10.8.2: callbacks go with a credential the client offered
 * (nfs41_cb_sec_pick): RPCSEC_GSS (cb_gss41.c), AUTH_SYS or AUTH_NONE.
 */
static void
nfs41_back_sec(struct nfs41_back *b, const struct nfs41_cb_sec *sec)
{
	b->sec = *sec;
	memset(&b->cred, 0, sizeof(b->cred));
	b->cred.flavor = sec->flavor == NFS4_AUTH_SYS ? RPC_AUTH_UNIX :
	    RPC_AUTH_NULL;
	b->cred.stamp = sec->stamp;
	snprintf(b->cred.machine, sizeof(b->cred.machine), "%s",
	    sec->machine);
	b->cred.uid = sec->uid;
	b->cred.gid = sec->gid;
	b->cred.ngids = sec->ngids;
	memcpy(b->cred.gids, sec->gids, sizeof(b->cred.gids));
}

void
nfs41_back_bind(struct nfsd_env *env, const uint8_t *id, uint64_t clientid,
    struct rpcsvc_conn *conn, uint32_t cb_program, uint32_t cb_seqid,
    const struct nfs41_cb_sec *sec)
{
	struct nfs41_backs *bs = env->v41_back;
	struct nfs41_back **p, *b;

	if (bs == NULL || conn == NULL)
		return;
	if ((b = *(p = nfs41_back_slot(bs, id))) == NULL) {
		if ((b = calloc(1, sizeof(*b))) == NULL) {
			log_warnx_rl("NFSv4.1: a backchannel not kept "
			    "(memory)");
			return;
		}
		b->bs = bs;
		memcpy(b->id, id, NFS41_SESSIONID_SIZE);
		b->seqid = cb_seqid;
		TAILQ_INIT(&b->wait);
		*p = b;
		bs->nsessions++;
	}
	b->clientid = clientid;
	b->cb_program = cb_program;
	nfs41_back_sec(b, sec);
	if (b->conn != conn) {
		rpcsvc_conn_release(b->conn);
		b->conn = rpcsvc_conn_ref(conn);
	}
	bs->binds++;
	b->state = -1;
	if (!b->sec.usable && nfs41_cb_gss_pick(env, &b->sec) == -1) {
		/* CB_PATH_DOWN stays, and stated grants no delegation. */
		log_info_rl("NFSv4.1 client %016llx offers for callbacks "
		    "RPCSEC_GSS handles alone, naming no context held here: "
		    "no backchannel", (unsigned long long)clientid);
		nfs41_back_set_state(b, ST_SESSION_BACK_DOWN);
		return;
	}
	nfs41_back_set_state(b, ST_SESSION_BACK_BOUND);
	nfs41_back_adopt(bs, b);
	nfs41_back_probe(b);
}

/*
 * BACKCHANNEL_CTL: the program and security callbacks are sent with
 * from now on (raw: the client's callback_sec_parms4<> as it came, which
 * stated keeps for a restarted nfsd in place of CREATE_SESSION's, with
 * the principal it came under, sec's).
 */
void
nfs41_back_program(struct nfsd_env *env, const uint8_t *id,
    uint32_t cb_program, const struct nfs41_cb_sec *sec,
    const struct nfs4_opaque *raw)
{
	struct ipc_channel *ch = stated_client_channel(env->sdc);
	struct st_session_back_ctl m;
	struct nfs41_back *b;
	struct nfs4_opaque kept;
	uint8_t kept_buf[ST_SESSION_CB_SEC_MAX];

	memset(&m, 0, sizeof(m));
	memcpy(m.sessionid, id, NFS41_SESSIONID_SIZE);
	m.cb_program = cb_program;
	nfs41_cb_sec_stored(raw, sec->principal, kept_buf, sizeof(kept_buf),
	    &kept);
	m.cb_sec.cb_sec_len = kept.len;
	m.cb_sec.cb_sec_val = (char *)(uintptr_t)kept.p;
	if (ch == NULL || ipc_send_xdr(ch, ST_SESSION_BACK_CTL, 0, 0, -1,
	    (xdrproc_t)xdr_st_session_back_ctl, &m) == -1)
		log_warnx_rl("NFSv4.1 BACKCHANNEL_CTL: stated did not hear of "
		    "it (a restarted nfsd would call back as CREATE_SESSION "
		    "asked)");
	if (env->v41_back == NULL ||
	    (b = *nfs41_back_slot(env->v41_back, id)) == NULL)
		return;
	b->cb_program = cb_program;
	nfs41_back_sec(b, sec);
	nfs41_back_tell(b);
	/* CB_NULL again, under the new security. */
	if (rpcsvc_conn_alive(b->conn) && !b->probing)
		nfs41_back_probe(b);
}

/* RFC 8881 18.46.3: SEQUENCE's status flags for the backchannel. */
uint32_t
nfs41_back_flags(struct nfsd_env *env, const uint8_t *id, uint64_t clientid)
{
	struct nfs41_backs *bs = env->v41_back;
	struct nfs41_back *b;
	size_t i;

	/* No binding at all (clients that never ask for one): no walk. */
	if (bs == NULL || bs->nsessions == 0)
		return SEQ4_STATUS_CB_PATH_DOWN |
		    SEQ4_STATUS_CB_PATH_DOWN_SESSION;
	if ((b = *nfs41_back_slot(bs, id)) != NULL) {
		if (!rpcsvc_conn_alive(b->conn) &&
		    b->state != ST_SESSION_BACK_DOWN)
			nfs41_back_set_state(b, ST_SESSION_BACK_DOWN);
		if (nfs41_back_works(b))
			return 0;
	}
	/* None here: whether another session of the client has one. */
	for (i = 0; i < NFS41_BACK_BUCKETS; i++)
		for (b = bs->b[i]; b != NULL; b = b->next)
			if (b->clientid == clientid && nfs41_back_works(b))
				return SEQ4_STATUS_CB_PATH_DOWN_SESSION;
	return SEQ4_STATUS_CB_PATH_DOWN | SEQ4_STATUS_CB_PATH_DOWN_SESSION;
}

static void
nfs41_back_remove(struct nfs41_backs *bs, struct nfs41_back **p)
{
	struct nfs41_back *b = *p;
	struct nfs41_cb *cb;

	*p = b->next;
	bs->nsessions--;
	while ((cb = TAILQ_FIRST(&b->wait)) != NULL) {
		nfs41_cb_unqueue(cb);
		/* Another session of the client may take it. */
		cb->b = NULL;
		TAILQ_INSERT_TAIL(&bs->orphans, cb, entry);
		bs->queued++;
	}
	if (b->busy != NULL)
		b->busy->b = NULL;	/* freed when its answer comes */
	rpcsvc_conn_release(b->conn);
	free(b);
}

/* DESTROY_SESSION, or stated forgot the session. */
void
nfs41_back_forget(struct nfsd_env *env, const uint8_t *id)
{
	struct nfs41_back **p;

	if (env->v41_back != NULL &&
	    *(p = nfs41_back_slot(env->v41_back, id)) != NULL)
		nfs41_back_remove(env->v41_back, p);
}

void
nfs41_back_forget_client(struct nfsd_env *env, uint64_t clientid)
{
	struct nfs41_backs *bs = env->v41_back;
	struct nfs41_back **p;
	size_t i;

	if (bs == NULL)
		return;
	for (i = 0; i < NFS41_BACK_BUCKETS; i++)
		for (p = &bs->b[i]; *p != NULL;)
			if ((*p)->clientid == clientid)
				nfs41_back_remove(bs, p);
			else
				p = &(*p)->next;
}

/*
 * A callback for a client: to a session of it whose backchannel works,
 * else any of its sessions, else it waits for one to be bound.  -1:
 * acknowledged later (answered, failed or timed out); else the status
 * to acknowledge with now.
 */
static int
nfs41_back_queue(struct nfsd_env *env, struct nfs41_cb *cb)
{
	struct nfs41_backs *bs = env->v41_back;
	struct nfs41_back *b, *any = NULL;
	struct timeval tv;
	size_t i;

	if (bs->queued >= NFS41_BACK_QUEUE_MAX) {
		log_warnx_rl("NFSv4.1: %zu callbacks wait already; one to "
		    "client %016llx is not sent", bs->queued,
		    (unsigned long long)cb->clientid);
		nfs41_cb_free(cb);
		return ST_OK;
	}
	if (cb->to_session) {
		if ((any = *nfs41_back_slot(bs, cb->session)) == NULL) {
			nfs41_cb_free(cb);
			return ST_INVALID;
		}
	} else
		for (i = 0; i < NFS41_BACK_BUCKETS; i++)
			for (b = bs->b[i]; b != NULL; b = b->next)
				if (b->clientid == cb->clientid &&
				    (any == NULL || (!nfs41_back_works(any) &&
				    nfs41_back_works(b))))
					any = b;
	cb->bs = bs;
	cb->b = any;
	if ((cb->timer = evtimer_new(env->base, nfs41_cb_timeout, cb)) ==
	    NULL) {
		nfs41_cb_free(cb);
		return ST_NOMEM;
	}
	tv.tv_sec = NFS41_BACK_WAIT_MS / 1000;
	tv.tv_usec = 0;
	evtimer_add(cb->timer, &tv);
	if (any != NULL)
		TAILQ_INSERT_TAIL(&any->wait, cb, entry);
	else
		TAILQ_INSERT_TAIL(&bs->orphans, cb, entry);
	bs->queued++;
	log_info_rl("NFSv4.1 client %016llx: %s %s",
	    (unsigned long long)cb->clientid, nfs41_cb_name(cb), any != NULL &&
	    nfs41_back_works(any) ? "sent" : "waits for a backchannel");
	if (any != NULL)
		nfs41_back_next(any);
	return -1;
}

/* stated's ST_PUSH_RECALL of a v4.1 client's delegation (CB_RECALL). */
int
nfs41_back_recall(struct nfsd_env *env, uint64_t push_id, uint64_t clientid,
    const uint8_t *stateid_other, const uint8_t *fh, size_t fh_len)
{
	struct nfs41_cb *cb;

	if (env->v41_back == NULL || fh_len == 0 || fh_len > NFS4_FHSIZE)
		return ST_INVALID;
	if ((cb = calloc(1, sizeof(*cb))) == NULL)
		return ST_NOMEM;
	cb->op = OP_CB_RECALL;
	cb->clientid = clientid;
	cb->push_id = push_id;
	cb->stateid.seqid = 1;
	memcpy(cb->stateid.other, stateid_other, NFS4_OTHER_SIZE);
	memcpy(cb->fh, fh, fh_len);
	cb->fh_len = (uint32_t)fh_len;
	env->v41_back->recalls++;
	return nfs41_back_queue(env, cb);
}

/* ST_PUSH_RECALL_ANY: the client is asked to keep at most keep. */
int
nfs41_back_recall_any(struct nfsd_env *env, uint64_t push_id,
    uint64_t clientid, uint32_t keep)
{
	struct nfs41_cb *cb;

	if (env->v41_back == NULL)
		return ST_INVALID;
	if ((cb = calloc(1, sizeof(*cb))) == NULL)
		return ST_NOMEM;
	cb->op = OP_CB_RECALL_ANY;
	cb->keep = keep;
	cb->clientid = clientid;
	cb->push_id = push_id;
	env->v41_back->recall_anys++;
	return nfs41_back_queue(env, cb);
}

/*
 * A call of nfsd's own (no push behind it): the op already encoded
 * (copied), to a session of the client (sessionid NULL) or to that one.
 * 0 queued, or -1 (no memory, the queue full, no such session).
 */
static int
nfs41_back_own(struct nfsd_env *env, uint64_t clientid,
    const uint8_t *sessionid, uint32_t op, const uint8_t *body, size_t len)
{
	struct nfs41_cb *cb;

	if (env->v41_back == NULL || len == 0 ||
	    env->v41_back->queued >= NFS41_BACK_QUEUE_MAX ||
	    (cb = calloc(1, sizeof(*cb))) == NULL)
		return -1;
	if ((cb->body = malloc(len)) == NULL) {
		free(cb);
		return -1;
	}
	memcpy(cb->body, body, len);
	cb->body_len = len;
	cb->op = op;
	cb->clientid = clientid;
	if (sessionid != NULL) {
		memcpy(cb->session, sessionid, NFS41_SESSIONID_SIZE);
		cb->to_session = 1;
	}
	return nfs41_back_queue(env, cb) == -1 ? 0 : -1;
}

/*
 * RFC 8881 20.4: CB_NOTIFY of a directory delegation (op: the encoded
 * op).  0, or -1 when it cannot be queued: the caller recalls the
 * delegation instead.
 */
int
nfs41_back_notify(struct nfsd_env *env, uint64_t clientid, const uint8_t *op,
    size_t len)
{
	if (nfs41_back_own(env, clientid, NULL, OP_CB_NOTIFY, op, len) == -1)
		return -1;
	env->v41_back->notifies++;
	return 0;
}

/* RFC 8881 20.8: CB_RECALL_SLOT to the session: use slots 0..target. */
int
nfs41_back_recall_slot(struct nfsd_env *env, const uint8_t *sessionid,
    uint64_t clientid, uint32_t target)
{
	struct xdrbuf_out o;
	int rc;

	xdrbuf_out_init(&o);
	nfs41_cb_put_recall_slot(&o, target);
	rc = o.failed ? -1 : nfs41_back_own(env, clientid, sessionid,
	    OP_CB_RECALL_SLOT, o.buf, o.len);
	xdrbuf_out_free(&o);
	if (rc == 0)
		env->v41_back->recall_slots++;
	return rc;
}

struct nfs41_backs *
nfs41_back_new(struct nfsd_env *env)
{
	struct nfs41_backs *bs;

	if ((bs = calloc(1, sizeof(*bs))) == NULL)
		return NULL;
	bs->env = env;
	TAILQ_INIT(&bs->orphans);
	return bs;
}

void
nfs41_back_free(struct nfs41_backs *bs)
{
	struct nfs41_cb *cb;
	size_t i;

	if (bs == NULL)
		return;
	for (i = 0; i < NFS41_BACK_BUCKETS; i++)
		while (bs->b[i] != NULL)
			nfs41_back_remove(bs, &bs->b[i]);
	while ((cb = TAILQ_FIRST(&bs->orphans)) != NULL) {
		TAILQ_REMOVE(&bs->orphans, cb, entry);
		nfs41_cb_free(cb);
	}
	free(bs);
}

void
nfs41_back_status(const struct nfsd_env *env, char *buf, size_t len)
{
	const struct nfs41_backs *bs = env->v41_back;

	if (bs == NULL) {
		snprintf(buf, len, "off");
		return;
	}
	snprintf(buf, len, "%zu session(s) bound, %llu binding(s), %llu "
	    "probe(s), %llu recall(s), %llu recall-any(s), %llu notify(s), "
	    "%llu recall-slot(s), %llu call(s) under RPCSEC_GSS, %llu failed, "
	    "%zu waiting", bs->nsessions,
	    (unsigned long long)bs->binds,
	    (unsigned long long)bs->probes, (unsigned long long)bs->recalls,
	    (unsigned long long)bs->recall_anys,
	    (unsigned long long)bs->notifies,
	    (unsigned long long)bs->recall_slots,
	    (unsigned long long)bs->gss_calls,
	    (unsigned long long)bs->failures, bs->queued);
}
