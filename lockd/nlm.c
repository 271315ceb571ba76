/*
 * NLM procedures (X/Open XNFS chapters 10 and 14; NLM v4 in RFC 1813
 * appendix II), the behaviour of Linux lockd where the spec is silent.
 *
 * A request goes: decode (nlm_decode_request, every version into one
 * struct nlm_req) -> blockd BD_GETATTR to check the handle and learn
 * (share, inode, generation) -> stated -> the reply, or for the _MSG
 * forms a void reply at once and the result later as a _RES call to
 * the client's NLM service (found through rpcbind on the client host).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "connlimit.h"
#include "lockd.h"
#include "log.h"
#include "util.h"
#include "sm_prot.h"
#include "stated_util.h"

#include <rpc/pmap_prot.h>

static void	nlm_op_stated(struct lockd_op *);
static void	nlm_block_grant(struct lockd_block *);
static void	nlm_block_granted_result(struct lockd_block *, uint32_t);
static void	nlm_block_granted_reply(void *, int, XDR *);
static void	nlm_block_free(struct lockd_block *);
static void	nlm_block_call(struct lockd_block *);

/*
 * The one table from stated's results to NLM's, per status set: v1 and
 * v3 know fewer codes than v4 (XNFS 10.1, RFC 1813 appendix II).  v4 has
 * the same number for NLM4_DENIED_NOLOCKS as v1 and v3 for theirs.
 */
static const struct {
	int		st;
	uint32_t	stat[2];	/* NLM_STATS_V1, NLM_STATS_V4 */
} nlm_status_map[] = {
	{ ST_OK,	{ LCK_GRANTED,		LCK_GRANTED } },
	{ ST_DENIED,	{ LCK_DENIED,		LCK_DENIED } },
	{ ST_NOT_FOUND,	{ LCK_DENIED,		LCK_DENIED } },
	{ ST_NOT_KNOWN,	{ LCK_DENIED,		LCK_DENIED } },
	{ ST_BLOCKED,	{ LCK_BLOCKED,		LCK_BLOCKED } },
	{ ST_DEADLOCK,	{ LCK_DENIED,		NLM4_DEADLCK } },
	{ ST_GRACE,	{ LCK_DENIED_GRACE_PERIOD, LCK_DENIED_GRACE_PERIOD } },
	{ ST_NO_GRACE,	{ LCK_DENIED_GRACE_PERIOD, LCK_DENIED_GRACE_PERIOD } },
	{ ST_RANGE,	{ LCK_DENIED,		NLM4_FBIG } },
	{ ST_INVALID,	{ LCK_DENIED,		NLM4_FAILED } },
	{ ST_NOMEM,	{ LCK_DENIED_NOLOCKS,	LCK_DENIED_NOLOCKS } },
	{ ST_LIMIT,	{ LCK_DENIED_NOLOCKS,	LCK_DENIED_NOLOCKS } },
	{ ST_IO,	{ LCK_DENIED_NOLOCKS,	LCK_DENIED_NOLOCKS } },
};

/*
 * The host a lock belongs to is the caller's name AND the address it
 * called from, as Linux lockd keys its nlm_host: a third host that
 * repeats another's caller_name, svid and oh from its own address names
 * a different owner, and its FREE_ALL frees only its own locks.  Many
 * clients may share an address (NAT, slirp): the name tells them
 * apart.  An address holds no '@', so the key splits at its last one.
 * NULL if the key would not fit stated's bound (ST_HOST_MAX).
 */
char *
nlm_host_key(const char *caller_name, const char *addr)
{
	char *key;

	if (caller_name == NULL || addr == NULL ||
	    strlen(caller_name) + 1 + strlen(addr) > ST_HOST_MAX)
		return NULL;
	if (asprintf(&key, "%s@%s", caller_name, addr) == -1)
		return NULL;
	return key;
}

static int
nlm_netobj_copy(nlm_netobj *dst, const nlm_netobj *src)
{
	dst->nlm_netobj_len = 0;
	dst->nlm_netobj_val = NULL;
	if (src->nlm_netobj_len == 0)
		return 0;
	if ((dst->nlm_netobj_val = malloc(src->nlm_netobj_len)) == NULL)
		return -1;
	memcpy(dst->nlm_netobj_val, src->nlm_netobj_val, src->nlm_netobj_len);
	dst->nlm_netobj_len = src->nlm_netobj_len;
	return 0;
}

void
nlm_req_free(struct nlm_req *r)
{
	free(r->cookie.nlm_netobj_val);
	free(r->caller_name);
	free(r->owner_host);
	free(r->fh.nlm_netobj_val);
	free(r->oh.nlm_netobj_val);
	memset(r, 0, sizeof(*r));
}

static int
nlm_req_copy(struct nlm_req *dst, const struct nlm_req *src)
{
	*dst = *src;
	dst->caller_name = NULL;
	dst->owner_host = NULL;
	if (nlm_netobj_copy(&dst->cookie, &src->cookie) == -1 ||
	    nlm_netobj_copy(&dst->fh, &src->fh) == -1 ||
	    nlm_netobj_copy(&dst->oh, &src->oh) == -1 ||
	    (dst->caller_name = strdup(src->caller_name ?
	    src->caller_name : "")) == NULL ||
	    (dst->owner_host = strdup(src->owner_host ?
	    src->owner_host : "")) == NULL) {
		nlm_req_free(dst);
		return -1;
	}
	return 0;
}

/*
 * What differs between the versions on the wire: v1 and v3 carry a
 * lock's offset and length in 32 bits (XNFS chapter 10, nlm_lock and
 * nlm_holder), v4 in 64 (RFC 1813 appendix II, nlm4_lock and
 * nlm4_holder); v4 has more status codes (nlm4_stats); v1 lacks the
 * procedures v3 added for DOS sharing and unmonitored locks (XNFS
 * chapter 14).  The fields are otherwise the same, so one decoder and
 * one encoder of each shape serve every version through this table.
 */
#define NLM_STATS_V1	0
#define NLM_STATS_V4	1

struct nlm_version {
	uint32_t	 vers;
	bool_t		(*range)(XDR *, uint64_t *);	/* offset, length */
	uint64_t	 range_max;
	int		 share_procs;	/* SHARE, UNSHARE, NM_LOCK, FREE_ALL */
	int		 stats;		/* NLM_STATS_*: nlm_status_map's */
	uint32_t	 stat_failed;	/* refused: knfsd's nlm_failed */
	uint32_t	 stat_stale;	/* a handle blockd does not know */
};

/* An offset or length in 32 bits: one that does not fit fails to encode. */
static bool_t
nlm_xdr_range32(XDR *xdrs, uint64_t *v)
{
	u_int w = 0;

	if (xdrs->x_op == XDR_ENCODE) {
		if (*v > UINT32_MAX)
			return FALSE;
		w = (u_int)*v;
	}
	if (!xdr_u_int(xdrs, &w))
		return FALSE;
	if (xdrs->x_op == XDR_DECODE)
		*v = w;
	return TRUE;
}

static bool_t
nlm_xdr_range64(XDR *xdrs, uint64_t *v)
{
	return xdr_uint64_t(xdrs, v);
}

static const struct nlm_version nlm_versions[] = {
	{ NLM_VERS, nlm_xdr_range32, UINT32_MAX, 0, NLM_STATS_V1,
	    LCK_DENIED_NOLOCKS, LCK_DENIED_NOLOCKS },
	{ NLM_VERSX, nlm_xdr_range32, UINT32_MAX, 1, NLM_STATS_V1,
	    LCK_DENIED_NOLOCKS, LCK_DENIED_NOLOCKS },
	{ NLM4_VERS, nlm_xdr_range64, UINT64_MAX, 1, NLM_STATS_V4,
	    NLM4_FAILED, NLM4_STALE_FH },
};

static const struct nlm_version *
nlm_version_find(uint32_t vers)
{
	size_t i;

	for (i = 0; i < sizeof(nlm_versions) / sizeof(nlm_versions[0]); i++)
		if (nlm_versions[i].vers == vers)
			return &nlm_versions[i];
	return NULL;
}

/* Callers hold a version the program table let through: 1, 3 or 4. */
static const struct nlm_version *
nlm_version_of(uint32_t vers)
{
	const struct nlm_version *v = nlm_version_find(vers);

	return v != NULL ? v : &nlm_versions[0];
}

uint32_t
nlm_status_from_stated(uint32_t vers, int st)
{
	const struct nlm_version *v = nlm_version_of(vers);
	size_t i;

	for (i = 0; i < sizeof(nlm_status_map) / sizeof(nlm_status_map[0]);
	    i++)
		if (nlm_status_map[i].st == st)
			return nlm_status_map[i].stat[v->stats];
	return LCK_DENIED_NOLOCKS;
}

static uint32_t
nlm_stat_failed(uint32_t vers)
{
	return nlm_version_of(vers)->stat_failed;
}

static uint32_t
nlm_stat_stale(uint32_t vers)
{
	return nlm_version_of(vers)->stat_stale;
}

/*
 * The four lock argument shapes (nlm_testargs, nlm_lockargs,
 * nlm_cancargs, nlm_unlockargs and their nlm4_ twins) are one sequence
 * with optional fields: the cookie, block, exclusive, the lock, then
 * reclaim and the client's NSM state.
 */
#define NLM_ARG_BLOCK		0x01
#define NLM_ARG_EXCLUSIVE	0x02
#define NLM_ARG_RECLAIM		0x04	/* and the state after it */

static unsigned int
nlm_lockargs_shape(uint32_t proc)
{
	switch (proc) {
	case NLMPROC_TEST:
	case NLMPROC_GRANTED:
		return NLM_ARG_EXCLUSIVE;			/* testargs */
	case NLMPROC_LOCK:
	case NLMPROC_NM_LOCK:
		return NLM_ARG_BLOCK | NLM_ARG_EXCLUSIVE |
		    NLM_ARG_RECLAIM;				/* lockargs */
	case NLMPROC_CANCEL:
		return NLM_ARG_BLOCK | NLM_ARG_EXCLUSIVE;	/* cancargs */
	default:
		return 0;					/* unlockargs */
	}
}

/* An XDR bool into or out of an int field. */
static bool_t
nlm_xdr_flag(XDR *xdrs, int *field)
{
	bool_t flag = *field ? TRUE : FALSE;

	if (!xdr_bool(xdrs, &flag))
		return FALSE;
	if (xdrs->x_op == XDR_DECODE)
		*field = flag;
	return TRUE;
}

/*
 * Lock arguments of any shape and version, both ways.  Decoding goes
 * straight into r: the XDR routines allocate what r owns with calloc,
 * and r owns it even when they fail halfway (nlm_req_free).  Encoding
 * sends the NSM state as 0 (lockd sends only GRANTED's testargs).
 */
static bool_t
nlm_xdr_lockargs(XDR *xdrs, const struct nlm_version *v, unsigned int shape,
    struct nlm_req *r)
{
	int state = 0;

	if (!xdr_nlm_netobj(xdrs, &r->cookie))
		return FALSE;
	if ((shape & NLM_ARG_BLOCK) && !nlm_xdr_flag(xdrs, &r->block))
		return FALSE;
	if ((shape & NLM_ARG_EXCLUSIVE) && !nlm_xdr_flag(xdrs, &r->exclusive))
		return FALSE;
	/* The lock: nlm_lock's uppid is nlm4_lock's svid. */
	if (!xdr_string(xdrs, &r->caller_name, LM_MAXSTRLEN) ||
	    !xdr_nlm_netobj(xdrs, &r->fh) || !xdr_nlm_netobj(xdrs, &r->oh) ||
	    !xdr_int(xdrs, &r->svid) || !v->range(xdrs, &r->offset) ||
	    !v->range(xdrs, &r->length))
		return FALSE;
	if ((shape & NLM_ARG_RECLAIM) && (!nlm_xdr_flag(xdrs, &r->reclaim) ||
	    !xdr_int(xdrs, &state)))
		return FALSE;
	return TRUE;
}

/* The arguments of a lock procedure of a.vers (nlm_lockargs_of). */
bool_t
nlm_xdr_lockargs_of(XDR *xdrs, struct nlm_lockargs_xdr *a)
{
	const struct nlm_version *v = nlm_version_find(a->vers);

	return v != NULL && nlm_xdr_lockargs(xdrs, v,
	    nlm_lockargs_shape(a->proc), a->req);
}

/*
 * TEST's result, nlm_testres and nlm4_testres, both ways: the holder
 * follows only LCK_DENIED.  Its range must fit the version (clamp
 * before encoding: nlm_holder_fit).
 */
bool_t
nlm_xdr_testres_of(XDR *xdrs, struct nlm_testres_xdr *t)
{
	const struct nlm_version *v = nlm_version_find(t->vers);
	enum_t stat = (enum_t)t->stat;

	if (v == NULL || !xdr_nlm_netobj(xdrs, &t->cookie) ||
	    !xdr_enum(xdrs, &stat))
		return FALSE;
	if (xdrs->x_op == XDR_DECODE)
		t->stat = (uint32_t)stat;
	if (t->stat != LCK_DENIED)
		return TRUE;
	return nlm_xdr_flag(xdrs, &t->exclusive) && xdr_int(xdrs, &t->svid) &&
	    xdr_nlm_netobj(xdrs, &t->oh) && v->range(xdrs, &t->offset) &&
	    v->range(xdrs, &t->length);
}

/*
 * A holder's range as a client of version vers can read it: 32-bit
 * clients get the offset clamped and a range past 2^32 as "to the end".
 */
void
nlm_holder_fit(uint32_t vers, uint64_t *offset, uint64_t *length)
{
	uint64_t max = nlm_version_of(vers)->range_max;

	if (*length > max || (max < UINT64_MAX && (*offset > max ||
	    *offset + *length > max + 1)))
		*length = 0;
	if (*offset > max)
		*offset = max;
}

static int
nlm_decode_lockargs(const uint8_t *buf, size_t len,
    const struct nlm_version *v, unsigned int shape, struct nlm_req *r)
{
	XDR xdrs;
	bool_t ok;

	xdrmem_create(&xdrs, (char *)buf, (u_int)len, XDR_DECODE);
	ok = nlm_xdr_lockargs(&xdrs, v, shape, r);
	xdr_destroy(&xdrs);
	return ok ? 0 : -1;
}

static int
nlm_xdr_decode(const uint8_t *buf, size_t len, xdrproc_t proc, void *obj)
{
	XDR xdrs;
	int ok;

	xdrmem_create(&xdrs, (char *)buf, (u_int)len, XDR_DECODE);
	ok = proc(&xdrs, obj);
	xdr_destroy(&xdrs);
	if (!ok)
		xdr_free(proc, obj);
	return ok ? 0 : -1;
}

/*
 * Decode the arguments of procedure proc of version vers into r.
 * Returns 0, or -1 for garbage (truncated, a length beyond its bound,
 * a bad enum or bool), or -2 for a procedure the version does not have.
 */
int
nlm_decode_request(uint32_t vers, uint32_t proc, const uint8_t *buf,
    size_t len, struct nlm_req *r)
{
	union {
		nlm_shareargs	share;
		nlm_notify	notify;
		nlm_res		res;
	} a;
	const struct nlm_version *v;
	int rc = -1;
	xdrproc_t proc_x;

	memset(r, 0, sizeof(*r));
	memset(&a, 0, sizeof(a));
	r->vers = vers;
	r->proc = proc;
	if ((v = nlm_version_find(vers)) == NULL)
		return -2;
	if (proc >= NLMPROC_TEST_MSG && proc <= NLMPROC_GRANTED_MSG) {
		r->msg = 1;
		r->proc = proc - (NLMPROC_TEST_MSG - NLMPROC_TEST);
	}
	switch (r->proc) {
	case NLMPROC_NULL:
		return 0;
	case NLMPROC_TEST:
	case NLMPROC_GRANTED:
	case NLMPROC_LOCK:
	case NLMPROC_NM_LOCK:
	case NLMPROC_CANCEL:
	case NLMPROC_UNLOCK:
		if (r->proc == NLMPROC_NM_LOCK && !v->share_procs)
			return -2;
		if (nlm_decode_lockargs(buf, len, v,
		    nlm_lockargs_shape(r->proc), r) == -1) {
			nlm_req_free(r);
			return -1;
		}
		return 0;
	case NLMPROC_TEST_RES:
	case NLMPROC_LOCK_RES:
	case NLMPROC_CANCEL_RES:
	case NLMPROC_UNLOCK_RES:
	case NLMPROC_GRANTED_RES:
		/* Results sent to us: only GRANTED_RES matters. */
		proc_x = (xdrproc_t)xdr_nlm_res;
		if (r->proc != NLMPROC_GRANTED_RES)
			return len > NLM_RECORD_MAX ? -1 : 0;
		if (nlm_xdr_decode(buf, len, proc_x, &a) == -1)
			return -1;
		r->share_access = a.res.stat;	/* the result, reused */
		rc = nlm_netobj_copy(&r->cookie, &a.res.cookie);
		break;
	case NLMPROC_SHARE:
	case NLMPROC_UNSHARE:
		if (!v->share_procs)
			return -2;
		proc_x = (xdrproc_t)xdr_nlm_shareargs;
		if (nlm_xdr_decode(buf, len, proc_x, &a) == -1)
			return -1;
		if ((unsigned)a.share.share.mode > fsm_DRW ||
		    (unsigned)a.share.share.access > fsa_RW) {
			xdr_free(proc_x, &a);
			return -1;
		}
		r->reclaim = a.share.reclaim;
		r->share_access = (a.share.share.access & fsa_R ? 1 : 0) |
		    (a.share.share.access & fsa_W ? 2 : 0);
		r->share_deny = (a.share.share.mode & fsm_DR ? 1 : 0) |
		    (a.share.share.mode & fsm_DW ? 2 : 0);
		rc = nlm_netobj_copy(&r->cookie, &a.share.cookie) |
		    nlm_netobj_copy(&r->fh, &a.share.share.fh) |
		    nlm_netobj_copy(&r->oh, &a.share.share.oh);
		if (rc == 0 && (r->caller_name =
		    strdup(a.share.share.caller_name)) == NULL)
			rc = -1;
		break;
	case NLMPROC_FREE_ALL:
		if (!v->share_procs)
			return -2;
		proc_x = (xdrproc_t)xdr_nlm_notify;
		if (nlm_xdr_decode(buf, len, proc_x, &a) == -1)
			return -1;
		if ((r->caller_name = strdup(a.notify.name)) == NULL)
			rc = -1;
		else
			rc = 0;
		break;
	default:
		return -2;
	}
	xdr_free(proc_x, &a);
	if (rc != 0) {
		nlm_req_free(r);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Results. */

static void
nlm_op_free(struct lockd_op *op)
{
	if (op->call != NULL)
		rpcsvc_call_drop(op->call);
	nlm_req_free(&op->req);
	free(op);
}

static void
nlm_res_sent(void *arg, int status, XDR *xdrs)
{
	if (status != 0)
		log_debug("_RES callback: %s", strerror(-status));
}

/* A port of a client's address; 0: ask its rpcbind (rpcclnt_call). */
static void
nlm_sockaddr_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

/* Send a result: a reply, or a _RES call for the _MSG forms. */
static void
nlm_op_result(struct lockd_op *op, xdrproc_t proc, const void *res)
{
	struct lockd_env *env = op->env;
	struct sockaddr_storage to = op->peer;

	if (!op->req.msg) {
		if (op->call != NULL)
			rpcsvc_reply_with(op->call, proc, res);
		op->call = NULL;
		nlm_op_free(op);
		return;
	}
	/* The client's NLM service, through its rpcbind: port 0. */
	nlm_sockaddr_port(&to, 0);
	if (rpcclnt_call(env->callbacks, (struct sockaddr *)&to,
	    op->peer_len, NLM_PROG, op->req.vers,
	    op->req.proc + (NLMPROC_TEST_RES - NLMPROC_TEST), proc, res, 3,
	    nlm_res_sent, NULL) == -1)
		log_warn_rl("_RES to %s", op->peer_addr);
	nlm_op_free(op);
}

static void
nlm_reply_res(struct lockd_op *op, uint32_t stat)
{
	nlm_res res;

	res.cookie = op->req.cookie;
	res.stat = (nlm_stats)stat;
	nlm_op_result(op, (xdrproc_t)xdr_nlm_res, &res);
}

static void
nlm_reply_test(struct lockd_op *op, uint32_t stat,
    const struct st_lock_desc *h)
{
	struct nlm_testres_xdr res;

	memset(&res, 0, sizeof(res));
	res.vers = op->req.vers;
	res.cookie = op->req.cookie;
	res.stat = stat;
	if (stat == LCK_DENIED && h != NULL) {
		res.exclusive = h->exclusive;
		res.svid = (int32_t)h->owner.svid;
		res.oh.nlm_netobj_len = h->owner.bytes.bytes_len;
		res.oh.nlm_netobj_val = h->owner.bytes.bytes_val;
		res.offset = h->offset;
		res.length = h->length;
		nlm_holder_fit(res.vers, &res.offset, &res.length);
	}
	nlm_op_result(op, (xdrproc_t)nlm_xdr_testres_of, &res);
}

static void
nlm_reply_share(struct lockd_op *op, uint32_t stat)
{
	nlm_shareres res;

	res.cookie = op->req.cookie;
	res.stat = (nlm_stats)stat;
	res.sequence = 0;
	nlm_op_result(op, (xdrproc_t)xdr_nlm_shareres, &res);
}

/* An error before stated answered. */
static void
nlm_op_fail(struct lockd_op *op, uint32_t stat)
{
	switch (op->req.proc) {
	case NLMPROC_TEST:
		nlm_reply_test(op, stat, NULL);
		break;
	case NLMPROC_SHARE:
	case NLMPROC_UNSHARE:
		nlm_reply_share(op, stat);
		break;
	default:
		nlm_reply_res(op, stat);
		break;
	}
}

/* The owner and file of a request, as stated names them. */
static void
nlm_st_owner(const struct nlm_req *r, st_owner *o)
{
	memset(o, 0, sizeof(*o));
	o->protocol = ST_PROTOCOL_NLM;
	o->host = r->owner_host;
	o->bytes.bytes_len = r->oh.nlm_netobj_len;
	o->bytes.bytes_val = r->oh.nlm_netobj_val;
	o->svid = (uint32_t)r->svid;
}

/*
 * Monitoring (hosts.c): statd watches a host (SM_MON) while it holds a
 * lock, a waiter or a share, so that its reboot releases them, and stops
 * (SM_UNMON) once it has held nothing for LOCKD_UNMON_LINGER_SECONDS, so
 * a lock/unlock loop does not monitor and unmonitor each time.  stated
 * says what a host holds after each request (st_reply.count).
 */

static void
nlm_nsm_done(void *arg, int status, XDR *xdrs)
{
	if (status != 0)
		log_debug("%s: %s", (const char *)arg, strerror(-status));
}

static void
nlm_nsm_call(struct lockd_env *env, uint32_t proc, xdrproc_t x, void *args,
    const char *what, const char *name)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (util_sockaddr_parse("127.0.0.1", 0, &ss, &len) == -1 ||
	    rpcclnt_call(env->callbacks, (struct sockaddr *)&ss, len,
	    SM_PROG, SM_VERS, proc, x, args, 3, nlm_nsm_done,
	    (void *)what) == -1)
		log_debug("%s %s: %s", what, name, strerror(errno));
}

/* Who statd calls back: lockd's private NSM_NOTIFY (as Linux's). */
static void
nlm_nsm_my_id(struct my_id *id)
{
	id->my_name = (char *)"127.0.0.1";
	id->my_prog = NLM_PROG;
	id->my_vers = NLM4_VERS;
	id->my_proc = NLMPROC_NSM_NOTIFY;
}

static void
nlm_monitor(struct lockd_env *env, const struct lockd_op *op)
{
	struct mon m;

	memset(&m, 0, sizeof(m));
	m.mon_id.mon_name = op->req.caller_name;
	nlm_nsm_my_id(&m.mon_id.my_id);
	/* priv: the client's address, for statd's SM_NOTIFY after a reboot */
	if (op->peer.ss_family == AF_INET) {
		m.priv[10] = (char)0xff;
		m.priv[11] = (char)0xff;
		memcpy(m.priv + 12,
		    &((const struct sockaddr_in *)&op->peer)->sin_addr, 4);
	} else
		memcpy(m.priv,
		    &((const struct sockaddr_in6 *)&op->peer)->sin6_addr, 16);
	log_debug("SM_MON %s (%s)", op->req.caller_name, op->peer_addr);
	nlm_nsm_call(env, SM_PROC_MON, (xdrproc_t)xdr_mon, &m, "SM_MON",
	    op->req.caller_name);
}

/* XNFS 11: SM_UNMON names the host and us, not the address. */
static void
nlm_unmonitor(struct lockd_env *env, char *name)
{
	struct mon_id id;

	memset(&id, 0, sizeof(id));
	id.mon_name = name;
	nlm_nsm_my_id(&id.my_id);
	env->unmonitored++;
	log_debug("SM_UNMON %s: it holds no lock or share", name);
	nlm_nsm_call(env, SM_PROC_UNMON, (xdrproc_t)xdr_mon_id, &id,
	    "SM_UNMON", name);
}

static void	nlm_hosts_arm(struct lockd_env *);

static void
nlm_hosts_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lockd_env *env = arg;
	time_t now = connlimit_now();
	char *name;

	while (hosts_expire(&env->hosts, now, LOCKD_UNMON_LINGER_SECONDS,
	    &name)) {
		if (name != NULL)
			nlm_unmonitor(env, name);
		free(name);
	}
	nlm_hosts_arm(env);
}

/* The timer for the host that lingers longest, if any. */
static void
nlm_hosts_arm(struct lockd_env *env)
{
	struct timeval tv = { 0, 0 };
	long next;

	next = hosts_next_expiry(&env->hosts, connlimit_now(),
	    LOCKD_UNMON_LINGER_SECONDS);
	if (next < 0)
		return;
	if (env->hosts_timer == NULL && (env->hosts_timer = evtimer_new(
	    env->daemon->base, nlm_hosts_timer_cb, env)) == NULL) {
		log_warn("hosts timer");
		return;
	}
	if (evtimer_pending(env->hosts_timer, NULL))
		return;
	tv.tv_sec = next;
	evtimer_add(env->hosts_timer, &tv);
}

/*
 * Before a request that may give the host state: past LOCKD_MONITOR_MAX
 * hosts that hold something, NLM4_DENIED_NOLOCKS (LCK_DENIED_NOLOCKS),
 * as for stated's own limits.  0, or -1 with the request answered.
 */
static int
nlm_host_admit(struct lockd_op *op)
{
	struct lockd_env *env = op->env;
	char *unmon;
	int rc;

	rc = hosts_admit(&env->hosts, op->req.owner_host, connlimit_now(),
	    &unmon);
	if (unmon != NULL) {
		nlm_unmonitor(env, unmon);
		free(unmon);
	}
	if (rc == -1) {
		env->hosts_refused++;
		log_warnx_rl("%zu NLM hosts hold locks or shares, the most "
		    "lockd monitors: %s from %s refused", env->hosts.n,
		    op->req.caller_name, op->peer_addr);
		nlm_op_fail(op, nlm_status_from_stated(op->req.vers,
		    ST_LIMIT));
		return -1;
	}
	if (rc == 1)
		nlm_hosts_arm(env);	/* idle until stated says otherwise */
	return 0;
}

/*
 * stated's word on what the host of key holds now.  op: the request
 * (for SM_MON's address), or NULL.  A host stated says holds something
 * that lockd did not know (lockd restarted, or room was made) is
 * admitted here.
 */
static void
nlm_host_holds(struct lockd_env *env, const char *key,
    const struct lockd_op *op, uint64_t held)
{
	time_t now = connlimit_now();
	char *unmon;
	int rc;

	if (key == NULL)
		return;
	if (held > 0 && hosts_find(&env->hosts, key) == NULL) {
		rc = hosts_admit(&env->hosts, key, now, &unmon);
		if (unmon != NULL) {
			nlm_unmonitor(env, unmon);
			free(unmon);
		}
		if (rc == -1) {
			log_warnx_rl("%s holds locks, but %zu hosts do: not "
			    "monitored", key, env->hosts.n);
			return;
		}
	}
	if (hosts_update(&env->hosts, key, held, now) == 1 && op != NULL)
		nlm_monitor(env, op);
	if (held == 0)
		nlm_hosts_arm(env);
}

/*
 * What a reply of stated says the host holds: count, when stated
 * answered the request itself (not a refusal before it looked).
 */
static void
nlm_host_reply(struct lockd_env *env, const struct lockd_op *op,
    const struct st_reply *rep)
{
	uint64_t held = rep->count;

	switch (rep->status) {
	case ST_OK:
	case ST_BLOCKED:
		if ((op->req.proc == NLMPROC_LOCK ||
		    op->req.proc == NLMPROC_NM_LOCK ||
		    op->req.proc == NLMPROC_SHARE) && held == 0)
			held = 1;	/* it holds what it was granted */
		break;
	case ST_NOT_FOUND:
	case ST_DENIED:
	case ST_DEADLOCK:
		break;
	default:
		if (held == 0)
			return;		/* refused before stated looked */
		break;
	}
	nlm_host_holds(env, op->req.owner_host, op, held);
}

/* Blocked requests. */

static struct lockd_block *
nlm_block_find(struct lockd_env *env, const uint8_t *file,
    const struct nlm_req *r)
{
	struct lockd_block *b;

	TAILQ_FOREACH(b, &env->blocks, entry) {
		if (memcmp(b->file, file, LOCKD_FILE_ID_LEN) == 0 &&
		    b->req.svid == r->svid && b->req.offset == r->offset &&
		    b->req.length == r->length &&
		    b->req.exclusive == r->exclusive &&
		    b->req.oh.nlm_netobj_len == r->oh.nlm_netobj_len &&
		    (r->oh.nlm_netobj_len == 0 || memcmp(b->req.oh.nlm_netobj_val,
		    r->oh.nlm_netobj_val, r->oh.nlm_netobj_len) == 0) &&
		    strcmp(b->req.owner_host, r->owner_host) == 0)
			return b;
	}
	return NULL;
}

static struct lockd_block *
nlm_block_by_id(struct lockd_env *env, uint64_t id)
{
	struct lockd_block *b;

	TAILQ_FOREACH(b, &env->blocks, entry)
		if (b->id == id)
			return b;
	return NULL;
}

static void
nlm_block_free(struct lockd_block *b)
{
	TAILQ_REMOVE(&b->env->blocks, b, entry);
	b->env->nblocks--;
	if (b->retry != NULL)
		event_free(b->retry);
	if (b->cb_tcp != NULL) {
		/* Its pending call ends with -ECANCELED, ignored. */
		rpcclnt_tcp_free(b->cb_tcp);
		b->cb_tcp = NULL;
	}
	nlm_req_free(&b->req);
	free(b);
}

void
nlm_blocks_free(struct lockd_env *env)
{
	while (!TAILQ_EMPTY(&env->blocks))
		nlm_block_free(TAILQ_FIRST(&env->blocks));
}

static struct lockd_block *
nlm_block_add(struct lockd_op *op)
{
	struct lockd_env *env = op->env;
	struct lockd_block *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	if (nlm_req_copy(&b->req, &op->req) == -1) {
		free(b);
		return NULL;
	}
	b->env = env;
	b->id = op->block_id;
	b->vers = op->req.vers;
	b->tcp = op->tcp;
	b->peer = op->peer;
	b->peer_len = op->peer_len;
	memcpy(b->peer_addr, op->peer_addr, sizeof(b->peer_addr));
	memcpy(b->file, op->file, sizeof(b->file));
	TAILQ_INSERT_TAIL(&env->blocks, b, entry);
	env->nblocks++;
	return b;
}

struct nlm_quiet_unlock {
	struct lockd_env	*env;
	char			*key;
};

/* The host may hold nothing now: it lingers, then is unmonitored. */
static void
nlm_unlock_quietly_done(struct ipc_channel *ch, struct ipc_msg *msg,
    void *arg)
{
	struct nlm_quiet_unlock *q = arg;
	struct st_reply rep;

	memset(&rep, 0, sizeof(rep));
	if (msg != NULL && msg->hdr.type == ST_REPLY &&
	    ipc_decode(msg, (xdrproc_t)xdr_st_reply, &rep) == 0 &&
	    (rep.status == ST_OK || rep.status == ST_NOT_FOUND))
		nlm_host_holds(q->env, q->key, NULL, rep.count);
	xdr_free((xdrproc_t)xdr_st_reply, &rep);
	free(q->key);
	free(q);
}

/* Tell stated to drop a lock the client did not take. */
static void
nlm_unlock_quietly(struct lockd_env *env, const uint8_t *file,
    const struct nlm_req *r)
{
	struct ipc_channel *ch = ipc_client_channel(env->stated);
	struct nlm_quiet_unlock *q;
	struct st_range_req u;

	if (ch == NULL)
		return;
	memset(&u, 0, sizeof(u));
	u.file.st_file_len = LOCKD_FILE_ID_LEN;
	u.file.st_file_val = (char *)file;
	nlm_st_owner(r, &u.owner);
	u.offset = r->offset;
	u.length = r->length;
	u.exclusive = r->exclusive;
	if ((q = calloc(1, sizeof(*q))) == NULL ||
	    (q->key = strdup(r->owner_host)) == NULL) {
		free(q);
		q = NULL;
	} else
		q->env = env;
	if (ipc_call(ch, ST_UNLOCK, -1, (xdrproc_t)xdr_st_range_req, &u,
	    q != NULL ? nlm_unlock_quietly_done : NULL, q) == -1 && q != NULL) {
		free(q->key);
		free(q);
	}
}

static void
nlm_block_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	nlm_block_call(arg);
}

/* The client answered (or not) our GRANTED call. */
static void
nlm_block_granted_reply(void *arg, int status, XDR *xdrs)
{
	struct lockd_block *b = arg;
	struct timeval tv = { LOCKD_GRANT_RETRY_SECONDS, 0 };
	nlm_res res;

	if (status == -ECANCELED) {
		/* lockd is stopping. */
		nlm_block_free(b);
		return;
	}
	if (status == 0) {
		memset(&res, 0, sizeof(res));
		if (!xdr_nlm_res(xdrs, &res)) {
			log_warnx_rl("GRANTED reply from %s: garbage",
			    b->peer_addr);
			res.stat = LCK_DENIED_NOLOCKS;
		}
		xdr_free((xdrproc_t)xdr_nlm_res, &res);
		nlm_block_granted_result(b, res.stat);
		return;
	}
	/* No answer: retry a while, then keep the lock (Linux does). */
	if (++b->attempts >= LOCKD_GRANT_ATTEMPTS) {
		log_warnx_rl("GRANTED to %s (%s): no answer; the lock stays "
		    "held until the client asks again or is released",
		    b->peer_addr, b->req.caller_name);
		nlm_block_free(b);
		return;
	}
	if (b->retry == NULL)
		b->retry = evtimer_new(b->env->daemon->base,
		    nlm_block_retry_cb, b);
	if (b->retry != NULL)
		evtimer_add(b->retry, &tv);
}

/* NLM GRANTED_RES or the GRANTED reply: the client took it or not. */
static void
nlm_block_granted_result(struct lockd_block *b, uint32_t stat)
{
	if (stat == LCK_GRANTED) {
		log_debug("GRANTED accepted by %s", b->req.caller_name);
	} else if (stat == LCK_DENIED_GRACE_PERIOD) {
		struct timeval tv = { LOCKD_GRANT_RETRY_SECONDS, 0 };

		if (b->retry == NULL)
			b->retry = evtimer_new(b->env->daemon->base,
			    nlm_block_retry_cb, b);
		if (b->retry != NULL && ++b->attempts < LOCKD_GRANT_ATTEMPTS) {
			evtimer_add(b->retry, &tv);
			return;
		}
	} else {
		log_info_rl("GRANTED refused by %s (status %u): releasing",
		    b->req.caller_name, stat);
		nlm_unlock_quietly(b->env, b->file, &b->req);
	}
	nlm_block_free(b);
}

/* GRANTED's arguments: the request's lock, named by this server. */
static void
nlm_block_granted_args(struct lockd_block *b, struct nlm_req *r,
    struct nlm_lockargs_xdr *a)
{
	*r = b->req;		/* shallow: b owns what it points to */
	r->caller_name = b->env->hostname;
	a->vers = b->vers;
	a->proc = NLMPROC_GRANTED;
	a->req = r;
}

static void
nlm_block_call_udp(struct lockd_block *b)
{
	struct lockd_env *env = b->env;
	struct sockaddr_storage to = b->peer;
	struct nlm_lockargs_xdr a;
	struct nlm_req r;

	/* The client's NLM service over UDP, through its rpcbind: port 0. */
	nlm_sockaddr_port(&to, 0);
	nlm_block_granted_args(b, &r, &a);
	if (rpcclnt_call(env->callbacks, (struct sockaddr *)&to, b->peer_len,
	    NLM_PROG, b->vers, NLMPROC_GRANTED, (xdrproc_t)nlm_xdr_lockargs_of,
	    &a, 4, nlm_block_granted_reply, b) == -1) {
		log_warn("GRANTED to %s", b->peer_addr);
		nlm_block_free(b);
	}
}

static void
nlm_block_tcp_free_cb(evutil_socket_t fd, short what, void *arg)
{
	rpcclnt_tcp_free(arg);
}

/*
 * Done with the GRANTED connection.  From inside its own callback the
 * client is still in use: it goes on the next turn of the loop.
 */
static void
nlm_block_tcp_close(struct lockd_block *b)
{
	struct rpcclnt_tcp *c = b->cb_tcp;
	struct timeval now = { 0, 0 };

	b->cb_tcp = NULL;
	if (c != NULL && event_base_once(b->env->daemon->base, -1,
	    EV_TIMEOUT, nlm_block_tcp_free_cb, c, &now) == -1)
		log_warnx("GRANTED to %s: connection not freed", b->peer_addr);
}

/* Over TCP it did not work: the client may still listen on UDP. */
static void
nlm_block_tcp_fallback(struct lockd_block *b, const char *why)
{
	log_info_rl("GRANTED to %s (%s) over TCP: %s; trying UDP",
	    b->peer_addr, b->req.caller_name, why);
	b->tcp = 0;
	nlm_block_call_udp(b);
}

static void
nlm_block_granted_tcp_reply(void *arg, int status, XDR *xdrs)
{
	struct lockd_block *b = arg;
	int connected;

	if (status == -ECANCELED)
		return;		/* nlm_block_free is closing it */
	connected = rpcclnt_tcp_connected(b->cb_tcp);
	nlm_block_tcp_close(b);
	if (status != 0 && !connected) {
		nlm_block_tcp_fallback(b, "cannot connect");
		return;
	}
	nlm_block_granted_reply(b, status, xdrs);
}

/* The client's portmapper named its NLM port over TCP (or did not). */
static void
nlm_block_getport_done(void *arg, int status, XDR *xdrs)
{
	struct lockd_block *b = arg;
	struct lockd_env *env = b->env;
	struct sockaddr_storage to = b->peer;
	struct nlm_lockargs_xdr a;
	struct nlm_req r;
	u_int port = 0;

	if (status == -ECANCELED) {
		nlm_block_free(b);	/* lockd is stopping */
		return;
	}
	if (status != 0 || !xdr_u_int(xdrs, &port) || port == 0 ||
	    port > 65535) {
		nlm_block_tcp_fallback(b, "no NLM over TCP in its portmapper");
		return;
	}
	nlm_sockaddr_port(&to, (uint16_t)port);
	nlm_block_granted_args(b, &r, &a);
	if ((b->cb_tcp = rpcclnt_tcp_new(env->daemon->base,
	    (struct sockaddr *)&to, b->peer_len)) == NULL ||
	    rpcclnt_tcp_call(b->cb_tcp, NLM_PROG, b->vers, NLMPROC_GRANTED,
	    (xdrproc_t)nlm_xdr_lockargs_of, &a, LOCKD_GRANT_TCP_TIMEOUT_MS,
	    nlm_block_granted_tcp_reply, b) == -1) {
		if (b->cb_tcp != NULL) {
			rpcclnt_tcp_free(b->cb_tcp);
			b->cb_tcp = NULL;
		}
		nlm_block_tcp_fallback(b, strerror(errno));
	}
}

/*
 * The request came over TCP: so goes GRANTED, to the client's NLM port
 * over TCP from its portmapper (RFC 1833 3.1, PMAPPROC_GETPORT, asked
 * over UDP as for every other callback).
 */
static void
nlm_block_call_tcp(struct lockd_block *b)
{
	struct sockaddr_storage to = b->peer;
	struct pmap m;

	memset(&m, 0, sizeof(m));
	m.pm_prog = NLM_PROG;
	m.pm_vers = b->vers;
	m.pm_prot = IPPROTO_TCP;
	nlm_sockaddr_port(&to, PMAPPORT);
	if (rpcclnt_call(b->env->callbacks, (struct sockaddr *)&to,
	    b->peer_len, PMAPPROG, PMAPVERS, PMAPPROC_GETPORT,
	    (xdrproc_t)xdr_pmap, &m, 3, nlm_block_getport_done, b) == -1)
		nlm_block_tcp_fallback(b, strerror(errno));
}

/* GRANTED over the transport the request came on. */
static void
nlm_block_call(struct lockd_block *b)
{
	if (b->tcp)
		nlm_block_call_tcp(b);
	else
		nlm_block_call_udp(b);
}

/* stated granted a queued request: call the client's NLM GRANTED. */
static void
nlm_block_grant(struct lockd_block *b)
{
	b->granted = 1;
	b->env->granted_callbacks++;
	log_info("granted a blocked %s lock to %s (%s), calling back over %s",
	    b->req.exclusive ? "write" : "read", b->req.caller_name,
	    b->peer_addr, b->tcp ? "TCP" : "UDP");
	nlm_block_call(b);
}

/*
 * Pushes from stated (common/stated_push.x): a queued lock was granted.
 * Each is acknowledged; stated sends it again after a reconnect until it
 * is, so a repeat (the block already granted, or gone) is a no-op.
 */

/* The block is the one the push describes (cookies restart with lockd). */
static int
nlm_push_matches(const struct lockd_block *b, const st_lock_desc *l)
{
	return l->file.st_file_len == LOCKD_FILE_ID_LEN &&
	    memcmp(b->file, l->file.st_file_val, LOCKD_FILE_ID_LEN) == 0 &&
	    b->req.offset == l->offset && b->req.length == l->length &&
	    (uint32_t)b->req.svid == l->owner.svid &&
	    !b->req.exclusive == !l->exclusive &&
	    b->req.oh.nlm_netobj_len == l->owner.bytes.bytes_len &&
	    (l->owner.bytes.bytes_len == 0 || memcmp(b->req.oh.nlm_netobj_val,
	    l->owner.bytes.bytes_val, l->owner.bytes.bytes_len) == 0);
}

static st_status
nlm_push_granted(struct lockd_env *env, const struct st_push *p)
{
	const struct st_push_granted *g = &p->body.st_push_body_u.granted;
	struct lockd_block *b;
	struct nlm_req r;

	if ((b = nlm_block_by_id(env, g->cookie)) != NULL &&
	    nlm_push_matches(b, &g->lock)) {
		if (!b->granted)
			nlm_block_grant(b);
		return ST_OK;
	}
	/*
	 * A repeat may come after the GRANTED callback was done and the
	 * block freed: the client holds the lock then, so it stays.
	 */
	if (p->attempt > 1 || g->lock.file.st_file_len != LOCKD_FILE_ID_LEN)
		return ST_NOT_FOUND;
	/* Cancelled meanwhile: the client does not want it. */
	memset(&r, 0, sizeof(r));
	r.caller_name = g->lock.owner.host;
	r.owner_host = g->lock.owner.host;
	r.oh.nlm_netobj_len = g->lock.owner.bytes.bytes_len;
	r.oh.nlm_netobj_val = g->lock.owner.bytes.bytes_val;
	r.svid = (int32_t)g->lock.owner.svid;
	r.offset = g->lock.offset;
	r.length = g->lock.length;
	r.exclusive = g->lock.exclusive;
	nlm_unlock_quietly(env, (uint8_t *)g->lock.file.st_file_val, &r);
	return ST_NOT_FOUND;
}

static st_status
nlm_push_granted_cb(void *arg, const struct st_push *p)
{
	return nlm_push_granted(arg, p);
}

/* NLM holds no caching grants and no state ids: GRANTED alone. */
void
nlm_stated_message(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	st_push_receive(ch, msg, nlm_push_granted_cb, arg, ST_INVALID,
	    "lockd");
}

struct nlm_reannounce {
	struct lockd_env	*env;
	uint64_t		 id;
};

static void
nlm_reannounce_done(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct nlm_reannounce *ra = arg;
	struct lockd_block *b;
	struct st_reply rep;

	b = nlm_block_by_id(ra->env, ra->id);
	memset(&rep, 0, sizeof(rep));
	if (msg == NULL || b == NULL || b->granted) {
		free(ra);
		return;
	}
	if (msg->hdr.type != ST_REPLY ||
	    ipc_decode(msg, (xdrproc_t)xdr_st_reply, &rep) == -1)
		rep.status = ST_INVALID;
	switch (rep.status) {
	case ST_OK:
		nlm_block_grant(b);
		break;
	case ST_BLOCKED:
		break;
	default:
		/* Cleanly cancelled: the client asks again on its timeout. */
		log_info("blocked lock of %s not re-queued (%d)",
		    b->req.caller_name, rep.status);
		nlm_block_free(b);
		break;
	}
	xdr_free((xdrproc_t)xdr_st_reply, &rep);
	free(ra);
}

/* stated (re)connected: queue again what we told clients is blocked. */
void
nlm_stated_ready(struct ipc_client *cl, void *arg)
{
	struct lockd_env *env = arg;
	struct ipc_channel *ch = ipc_client_channel(cl);
	struct nlm_reannounce *ra;
	struct lockd_block *b, *next;
	struct st_lock_req l;
	size_t n = 0;

	for (b = TAILQ_FIRST(&env->blocks); b != NULL; b = next) {
		next = TAILQ_NEXT(b, entry);
		if (b->granted)
			continue;
		if ((ra = malloc(sizeof(*ra))) == NULL)
			continue;
		ra->env = env;
		ra->id = b->id;
		memset(&l, 0, sizeof(l));
		l.file.st_file_len = LOCKD_FILE_ID_LEN;
		l.file.st_file_val = (char *)b->file;
		nlm_st_owner(&b->req, &l.owner);
		l.addr = b->peer_addr;
		l.offset = b->req.offset;
		l.length = b->req.length;
		l.exclusive = b->req.exclusive;
		l.flags = ST_LOCK_BLOCK | ST_LOCK_REQUEUE;
		l.cookie = b->id;
		if (ipc_call(ch, ST_LOCK, -1, (xdrproc_t)xdr_st_lock_req, &l,
		    nlm_reannounce_done, ra) == -1)
			free(ra);
		else
			n++;
	}
	log_info("stated ready%s; %zu blocked request(s) re-announced",
	    ipc_client_connects(cl) > 1 ? " again" : "", n);
}

/* The request path. */

static void
nlm_op_stated_reply(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct lockd_op *op = arg;
	struct lockd_env *env = op->env;
	struct lockd_block *b;
	struct st_reply rep;
	uint32_t stat;

	if (msg == NULL) {
		/* stated died: no answer; the client retransmits. */
		nlm_op_free(op);
		return;
	}
	memset(&rep, 0, sizeof(rep));
	if (msg->hdr.type != ST_REPLY ||
	    ipc_decode(msg, (xdrproc_t)xdr_st_reply, &rep) == -1) {
		log_warnx("stated: unexpected reply type %u", msg->hdr.type);
		nlm_op_fail(op, nlm_stat_failed(op->req.vers));
		return;
	}
	stat = nlm_status_from_stated(op->req.vers, rep.status);
	switch (op->req.proc) {
	case NLMPROC_TEST:
		nlm_reply_test(op, stat, rep.holder.holder_len > 0 ?
		    &rep.holder.holder_val[0] : NULL);
		break;
	case NLMPROC_LOCK:
	case NLMPROC_NM_LOCK:
		b = op->block_id ? nlm_block_by_id(env, op->block_id) : NULL;
		if (rep.status == ST_BLOCKED && b == NULL &&
		    nlm_block_add(op) == NULL)
			log_warn("blocked request");
		else if (rep.status != ST_BLOCKED && b != NULL && !b->granted)
			nlm_block_free(b);
		nlm_host_reply(env, op, &rep);
		nlm_reply_res(op, stat);
		break;
	case NLMPROC_CANCEL:
		nlm_host_reply(env, op, &rep);
		nlm_reply_res(op, rep.status == ST_OK ? LCK_GRANTED :
		    LCK_DENIED);
		break;
	case NLMPROC_UNLOCK:
		nlm_host_reply(env, op, &rep);
		nlm_reply_res(op, rep.status == ST_OK ? LCK_GRANTED : stat);
		break;
	case NLMPROC_SHARE:
		nlm_host_reply(env, op, &rep);
		nlm_reply_share(op, stat);
		break;
	case NLMPROC_UNSHARE:
		nlm_host_reply(env, op, &rep);
		nlm_reply_share(op, rep.status == ST_NOT_FOUND ? LCK_GRANTED :
		    stat);
		break;
	case NLMPROC_FREE_ALL:
		/* Everything of the host is gone (count: what went). */
		if (rep.status == ST_OK)
			nlm_host_holds(env, op->req.owner_host, op, 0);
		nlm_op_free(op);	/* void; answered already */
		break;
	default:
		nlm_op_free(op);
		break;
	}
	xdr_free((xdrproc_t)xdr_st_reply, &rep);
}

static void
nlm_op_stated(struct lockd_op *op)
{
	struct lockd_env *env = op->env;
	struct ipc_channel *ch = ipc_client_channel(env->stated);
	struct nlm_req *r = &op->req;
	struct lockd_block *b;
	union {
		struct st_lock_req	lock;
		struct st_range_req	range;
		struct st_share_req	share;
		struct st_unshare_req	unshare;
		struct st_host_req	host;
	} m;
	uint32_t type;
	xdrproc_t proc;

	if (ch == NULL) {
		log_debug("stated not connected: request from %s dropped",
		    op->peer_addr);
		nlm_op_free(op);
		return;
	}
	if ((r->proc == NLMPROC_LOCK || r->proc == NLMPROC_NM_LOCK ||
	    r->proc == NLMPROC_SHARE) && nlm_host_admit(op) == -1)
		return;
	memset(&m, 0, sizeof(m));
	switch (r->proc) {
	case NLMPROC_LOCK:
	case NLMPROC_NM_LOCK:
		type = ST_LOCK;
		proc = (xdrproc_t)xdr_st_lock_req;
		m.lock.file.st_file_len = LOCKD_FILE_ID_LEN;
		m.lock.file.st_file_val = (char *)op->file;
		nlm_st_owner(r, &m.lock.owner);
		m.lock.addr = op->peer_addr;
		m.lock.offset = r->offset;
		m.lock.length = r->length;
		m.lock.exclusive = r->exclusive;
		m.lock.flags = (r->block ? ST_LOCK_BLOCK : 0) |
		    (r->reclaim ? ST_LOCK_RECLAIM : 0);
		if (r->block) {
			b = nlm_block_find(env, op->file, r);
			op->block_id = b != NULL ? b->id :
			    ++env->next_block_id;
			m.lock.cookie = op->block_id;
		}
		break;
	case NLMPROC_TEST:
	case NLMPROC_UNLOCK:
	case NLMPROC_CANCEL:
		type = r->proc == NLMPROC_TEST ? ST_TEST :
		    r->proc == NLMPROC_UNLOCK ? ST_UNLOCK : ST_CANCEL;
		proc = (xdrproc_t)xdr_st_range_req;
		m.range.file.st_file_len = LOCKD_FILE_ID_LEN;
		m.range.file.st_file_val = (char *)op->file;
		nlm_st_owner(r, &m.range.owner);
		m.range.offset = r->offset;
		m.range.length = r->length;
		m.range.exclusive = r->exclusive;
		if (r->proc == NLMPROC_CANCEL &&
		    (b = nlm_block_find(env, op->file, r)) != NULL &&
		    !b->granted)
			nlm_block_free(b);
		break;
	case NLMPROC_SHARE:
		type = ST_SHARE;
		proc = (xdrproc_t)xdr_st_share_req;
		m.share.file.st_file_len = LOCKD_FILE_ID_LEN;
		m.share.file.st_file_val = (char *)op->file;
		nlm_st_owner(r, &m.share.owner);
		m.share.addr = op->peer_addr;
		m.share.access = r->share_access;
		m.share.deny = r->share_deny;
		m.share.flags = r->reclaim ? ST_LOCK_RECLAIM : 0;
		break;
	case NLMPROC_UNSHARE:
		type = ST_UNSHARE;
		proc = (xdrproc_t)xdr_st_unshare_req;
		m.unshare.file.st_file_len = LOCKD_FILE_ID_LEN;
		m.unshare.file.st_file_val = (char *)op->file;
		nlm_st_owner(r, &m.unshare.owner);
		break;
	case NLMPROC_FREE_ALL:
		type = ST_RELEASE_HOST;
		proc = (xdrproc_t)xdr_st_host_req;
		m.host.protocol = ST_PROTOCOL_NLM;
		m.host.host = r->owner_host;	/* its own locks only */
		break;
	default:
		nlm_op_free(op);
		return;
	}
	if (ipc_call(ch, type, -1, proc, &m, nlm_op_stated_reply, op) == -1) {
		log_warnx("stated: cannot send");
		nlm_op_free(op);
	}
}

/*
 * The share's clients and source-port rules, as nfsd applies them, with
 * knfsd's answers (nlm_fopen): a share not served is a stale handle, a
 * refused caller gets nlm_failed (NLM4_FAILED; LCK_DENIED_NOLOCKS before
 * v4), never DENIED, which would claim a conflicting lock.
 */
static int
nlm_op_share_refused(struct lockd_op *op, uint32_t share)
{
	switch (lockd_share_check(op->env, share, &op->peer, op->peer_addr)) {
	case LOCKD_SHARE_OK:
		return 0;
	case LOCKD_SHARE_PENDING:
		nlm_op_free(op);
		break;
	case LOCKD_SHARE_STALE:
		nlm_op_fail(op, nlm_stat_stale(op->req.vers));
		break;
	case LOCKD_SHARE_REFUSED:
		nlm_op_fail(op, nlm_stat_failed(op->req.vers));
		break;
	}
	return 1;
}

static void
nlm_op_blockd_reply(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct lockd_op *op = arg;
	struct bd_attr_reply rep;
	uint8_t *f = op->file;

	if (msg == NULL) {
		nlm_op_free(op);	/* blockd died: the client retries */
		return;
	}
	memset(&rep, 0, sizeof(rep));
	if (msg->hdr.type != BD_REPLY ||
	    ipc_decode(msg, (xdrproc_t)xdr_bd_attr_reply, &rep) == -1) {
		nlm_op_fail(op, nlm_stat_failed(op->req.vers));
		return;
	}
	if (rep.status != 0) {
		log_debug("handle from %s: %s", op->peer_addr,
		    strerror(-rep.status));
		nlm_op_fail(op, nlm_stat_stale(op->req.vers));
		return;
	}
	if (nlm_op_share_refused(op, rep.attr.share))
		return;
	st_file_id(f, rep.attr.share, rep.attr.ino, rep.attr.generation);
	nlm_op_stated(op);
}

/* NLM handles are blockd's handles: blockd checks them. */
static void
nlm_op_start(struct lockd_op *op)
{
	struct lockd_env *env = op->env;
	struct ipc_channel *ch = ipc_client_channel(env->blockd);
	struct bd_fh_req q;

	if (op->req.proc == NLMPROC_FREE_ALL) {
		nlm_op_stated(op);
		return;
	}
	if (op->req.fh.nlm_netobj_len == 0 || op->req.fh.nlm_netobj_len > BD_FH_MAX) {
		nlm_op_fail(op, nlm_stat_stale(op->req.vers));
		return;
	}
	if (ch == NULL) {
		log_debug("blockd not connected: request from %s dropped",
		    op->peer_addr);
		nlm_op_free(op);
		return;
	}
	memset(&q, 0, sizeof(q));
	q.cred.uid = 65534;
	q.cred.gid = 65534;
	q.fh.bd_fh_len = op->req.fh.nlm_netobj_len;
	q.fh.bd_fh_val = op->req.fh.nlm_netobj_val;
	if (ipc_call(ch, BD_GETATTR, -1, (xdrproc_t)xdr_bd_fh_req, &q,
	    nlm_op_blockd_reply, op) == -1) {
		log_warnx("blockd: cannot send");
		nlm_op_free(op);
	}
}

static void
nlm_dispatch(struct rpcsvc_call *call, void *args, void *arg)
{
	struct lockd_env *env = arg;
	struct lockd_op *op;
	int rc;

	env->requests++;
	if (call->auth.msg.proc == NLMPROC_NULL) {
		rpcsvc_reply_with(call, NULL, NULL);
		return;
	}
	if ((op = calloc(1, sizeof(*op))) == NULL) {
		rpcsvc_reply_error(call, RPC_SYSTEM_ERR);
		return;
	}
	op->env = env;
	op->call = call;
	op->peer = call->peer;
	op->peer_len = call->peer_len;
	op->tcp = call->conn != NULL;
	memcpy(op->peer_addr, call->peer_addr, sizeof(op->peer_addr));
	/* One decoder for every version, not the table's. */
	(void)args;
	rc = nlm_decode_request(call->auth.msg.vers, call->auth.msg.proc,
	    call->args, call->args_len, &op->req);
	if (rc == -2) {
		op->call = NULL;
		free(op);
		rpcsvc_reply_error(call, RPC_PROC_UNAVAIL);
		return;
	}
	if (rc == -1) {
		log_warnx_rl("NLM v%u %s from %s: garbage arguments",
		    call->auth.msg.vers, call->proc->name, call->peer_addr);
		op->call = NULL;
		free(op);
		rpcsvc_reply_error(call, RPC_GARBAGE_ARGS);
		return;
	}
	log_debug("NLM v%u %s from %s (%s)", call->auth.msg.vers,
	    call->proc->name, call->peer_addr,
	    op->req.caller_name ? op->req.caller_name : "-");
	/* Messages and results are one-way: answer void now. */
	if (op->req.msg || op->req.proc == NLMPROC_FREE_ALL ||
	    (call->auth.msg.proc >= NLMPROC_TEST_RES &&
	    call->auth.msg.proc <= NLMPROC_GRANTED_RES)) {
		rpcsvc_reply_with(call, NULL, NULL);
		op->call = NULL;
	}
	if (op->req.caller_name != NULL && (op->req.owner_host =
	    nlm_host_key(op->req.caller_name, op->peer_addr)) == NULL) {
		log_debug("NLM from %s: caller_name too long", op->peer_addr);
		nlm_op_fail(op, nlm_status_from_stated(op->req.vers,
		    ST_LIMIT));
		return;
	}
	switch (op->req.proc) {
	case NLMPROC_GRANTED:
		/* We are no NLM client: nothing waits for a grant here. */
		nlm_reply_res(op, LCK_DENIED);
		return;
	case NLMPROC_TEST_RES:
	case NLMPROC_LOCK_RES:
	case NLMPROC_CANCEL_RES:
	case NLMPROC_UNLOCK_RES:
		nlm_op_free(op);
		return;
	case NLMPROC_GRANTED_RES:
		/*
		 * lockd calls GRANTED, not GRANTED_MSG, and takes the
		 * answer from its reply: a GRANTED_RES answers nothing.
		 */
		nlm_op_free(op);
		return;
	}
	nlm_op_start(op);
}

/*
 * The NLM program (XNFS 10 and 14, RFC 1813 appendix II): one procedure
 * table for every version, as nlm_decode_request reads each version
 * into one request and refuses what a version lacks (SHARE in v1).
 * NLM keeps no reply cache: a retransmitted LOCK finds its own lock.
 */
#define NLM_PROC(n, name) [n] = { name, NULL, 0, NULL, nlm_dispatch, \
	RPCSVC_CACHE_NONE }
static const struct rpcsvc_proc nlm_procs[] = {
	NLM_PROC(NLMPROC_NULL, "NULL"),
	NLM_PROC(NLMPROC_TEST, "TEST"),
	NLM_PROC(NLMPROC_LOCK, "LOCK"),
	NLM_PROC(NLMPROC_CANCEL, "CANCEL"),
	NLM_PROC(NLMPROC_UNLOCK, "UNLOCK"),
	NLM_PROC(NLMPROC_GRANTED, "GRANTED"),
	NLM_PROC(NLMPROC_TEST_MSG, "TEST_MSG"),
	NLM_PROC(NLMPROC_LOCK_MSG, "LOCK_MSG"),
	NLM_PROC(NLMPROC_CANCEL_MSG, "CANCEL_MSG"),
	NLM_PROC(NLMPROC_UNLOCK_MSG, "UNLOCK_MSG"),
	NLM_PROC(NLMPROC_GRANTED_MSG, "GRANTED_MSG"),
	NLM_PROC(NLMPROC_TEST_RES, "TEST_RES"),
	NLM_PROC(NLMPROC_LOCK_RES, "LOCK_RES"),
	NLM_PROC(NLMPROC_CANCEL_RES, "CANCEL_RES"),
	NLM_PROC(NLMPROC_UNLOCK_RES, "UNLOCK_RES"),
	NLM_PROC(NLMPROC_GRANTED_RES, "GRANTED_RES"),
	NLM_PROC(NLMPROC_SHARE, "SHARE"),
	NLM_PROC(NLMPROC_UNSHARE, "UNSHARE"),
	NLM_PROC(NLMPROC_NM_LOCK, "NM_LOCK"),
	NLM_PROC(NLMPROC_FREE_ALL, "FREE_ALL"),
};
#undef NLM_PROC

#define NLM_NPROCS	(uint32_t)(sizeof(nlm_procs) / sizeof(nlm_procs[0]))
static const struct rpcsvc_version nlm_program_versions[] = {
	{ NLM_VERS, nlm_procs, NLM_NPROCS },
	{ 2, nlm_procs, NLM_NPROCS },	/* refused by nlm_decode_request */
	{ NLM_VERSX, nlm_procs, NLM_NPROCS },
	{ NLM4_VERS, nlm_procs, NLM_NPROCS },
};

const struct rpcsvc_program nlm_program = {
	.name = "NLM",
	.prog = NLM_PROG,
	.vers_min = NLM_VERS,
	.vers_max = NLM4_VERS,
	.record_max = NLM_RECORD_MAX,
	.versions = nlm_program_versions,
	.nversions = sizeof(nlm_program_versions) /
	    sizeof(nlm_program_versions[0]),
};
