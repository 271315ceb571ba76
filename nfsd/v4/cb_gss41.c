/*
 * The NFSv4.1 backchannel under RPCSEC_GSS (RFC 8881 2.10.8.2, 2.10.8.3,
 * 18.33, 18.36; RFC 2203 5.3): the client names, in its
 * callback_sec_parms4, a context it made on the fore channel
 * (gcbp_handle_from_server, nfsd's handle for it) and the handle nfsd
 * puts in its callbacks' credential (gcbp_handle_from_client).  nfsd
 * makes no context of its own: the callback's header MIC, its krb5i or
 * krb5p body and the check of the reply's verifier and body use the
 * fore channel context's keys in the reverse direction, as imported
 * from gssd for the fore channel (common/rpcsec_gss.c).
 *
 * - An offer is usable while nfsd holds its context, unexpired, and the
 *   context authenticates the principal the offer came under (the
 *   CREATE_SESSION's or BACKCHANNEL_CTL's caller).  stated keeps that
 *   principal with the offer (nfs41_cb_sec_stored), so a restarted
 *   nfsd, which fetches the context back from gssd with the client's
 *   next call under it, checks the owner as before.  An offer stated
 *   kept without one (an nfsd before this) is checked for the context's
 *   existence and end only.
 * - Offers are tried in the client's order, before AUTH_SYS and
 *   AUTH_NONE: the client asked for that security.
 * - Sequence numbers: one counter per session's backchannel, never
 *   below a figure that grows with the time (8192 a second, counted
 *   from two days before the context's end; gssd keeps one a day at
 *   most), so that a restarted nfsd does not reuse numbers the client
 *   has seen, unless the killed one made more calls than that figure
 *   grew by while it was away.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nfsd/v4/proc.h"
#include "log.h"
#include "rpcauth.h"
#include "rpcsec_gss.h"
#include "rpcsvc.h"

#define NFS41_CB_GSS_SPAN	(2 * 24 * 3600)	/* seconds before the end */
#define NFS41_CB_GSS_RATE	8192		/* numbers a second */
#define NFS41_CB_GSS_SEQ_MAX	0x80000000u	/* RFC 2203 5.3.3.1 MAXSEQ */

/* A call out, waiting for its reply. */
struct nfs41_cb_gss_call {
	struct nfsd_env		*env;
	uint8_t			 server[NFS41_CB_GSS_HANDLE_MAX];
	uint32_t		 server_len;
	uint32_t		 service;
	uint32_t		 seq;
	uint64_t		 clientid;
	rpcsvc_result_fn	*done;
	void			*arg;
};

static void *
nfs41_cb_gss_ctx(struct nfsd_env *env, const struct nfs41_cb_sec *sec,
    const struct nfs41_cb_gss_offer *o, uint64_t *expires)
{
	const char *principal;
	void *ctx;

	if (env->gss == NULL || (ctx = rpcsec_gss_context(env->gss, o->server,
	    o->server_len, expires, &principal)) == NULL)
		return NULL;
	if (sec->principal[0] != '\0' && strcmp(sec->principal,
	    principal) != 0)
		return NULL;
	return ctx;
}

/* RFC 8881 2.10.8.3: the first offer usable now, or -1. */
int
nfs41_cb_gss_pick(struct nfsd_env *env, const struct nfs41_cb_sec *sec)
{
	uint32_t i;

	for (i = 0; i < sec->ngss && i < NFS41_CB_GSS_OFFERS; i++)
		if (nfs41_cb_gss_ctx(env, sec, &sec->gss[i], NULL) != NULL)
			return (int)i;
	return -1;
}

/*
 * RFC 8881 18.33.3, 18.36.3: the offer of a CREATE_SESSION or
 * BACKCHANNEL_CTL, under the caller's principal (NULL: not RPCSEC_GSS,
 * so no context is the caller's).  NFS4ERR_NOENT when it is RPCSEC_GSS
 * handles alone and none names a context of the caller's that nfsd
 * holds; else NFS4_OK (an unusable handle beside AUTH_SYS or AUTH_NONE
 * leaves those).
 */
uint32_t
nfs41_cb_sec_check(struct nfsd_env *env, struct nfs41_cb_sec *sec,
    const char *principal, uint64_t clientid)
{
	/* Not a GSS caller: a principal no context has. */
	snprintf(sec->principal, sizeof(sec->principal), "%s",
	    principal != NULL ? principal : "-");
	if (sec->gss_offered == 0 || nfs41_cb_gss_pick(env, sec) != -1)
		return NFS4_OK;
	log_info_rl("NFSv4.1 client %016llx offers RPCSEC_GSS handles for "
	    "callbacks that name no context of %s here%s",
	    (unsigned long long)clientid, principal != NULL ? principal :
	    "its (the offer came under no RPCSEC_GSS)", sec->usable ?
	    (sec->flavor == NFS4_AUTH_SYS ? "; AUTH_SYS is used" :
	    "; AUTH_NONE is used") : "");
	return sec->usable ? NFS4_OK : NFS4ERR_NOENT;
}

#define NFS41_CB_SEC_TRAILER	0x44435031u	/* "DCP1", nfsd's own */

static void
nfs41_cb_sec_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t
nfs41_cb_sec_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * What stated keeps of an offer, in buf (size bytes): the client's
 * callback_sec_parms4<> as it came (raw), then nfsd's trailer: the
 * principal it came under (an XDR string; NULL: no RPCSEC_GSS caller,
 * kept as "-", a name no context has), the client's length and a magic
 * word.  Without room, the client's bytes alone.
 */
void
nfs41_cb_sec_stored(const struct nfs4_opaque *raw, const char *principal,
    uint8_t *buf, size_t size, struct nfs4_opaque *out)
{
	const char *name = principal != NULL ? principal : "-";
	size_t n = strlen(name), padded = (n + 3) & ~(size_t)3;
	uint8_t *p;

	out->p = raw->p;
	out->len = raw->len;
	if (n >= sizeof(((struct nfs41_cb_sec *)0)->principal) ||
	    raw->len > size || size - raw->len < 12 + padded)
		return;
	memcpy(buf, raw->p, raw->len);
	p = buf + raw->len;
	nfs41_cb_sec_put32(p, (uint32_t)n);
	memset(p + 4, 0, padded);
	memcpy(p + 4, name, n);
	p += 4 + padded;
	nfs41_cb_sec_put32(p, raw->len);
	nfs41_cb_sec_put32(p + 4, NFS41_CB_SEC_TRAILER);
	out->p = buf;
	out->len = (uint32_t)(p + 8 - buf);
}

/*
 * An offer as stated kept it: the client's part picked, the principal
 * from nfsd's trailer ("" when there is none: not known).
 */
void
nfs41_cb_sec_load(const struct nfs4_opaque *kept, struct nfs41_cb_sec *sec)
{
	struct nfs4_opaque raw = *kept;
	const uint8_t *end = kept->p + kept->len, *s;
	uint32_t rawlen, n;

	if (kept->len >= 12 &&
	    nfs41_cb_sec_get32(end - 4) == NFS41_CB_SEC_TRAILER &&
	    (rawlen = nfs41_cb_sec_get32(end - 8)) <= kept->len - 12) {
		s = kept->p + rawlen;
		n = nfs41_cb_sec_get32(s);
		if (n < sizeof(sec->principal) &&
		    ((n + 3) & ~3u) == kept->len - 12 - rawlen) {
			raw.len = rawlen;
			(void)nfs41_cb_sec_pick(&raw, sec);
			memcpy(sec->principal, s + 4, n);
			sec->principal[n] = '\0';
			return;
		}
	}
	(void)nfs41_cb_sec_pick(&raw, sec);
}

/* The next sequence number of a context that ends at expires. */
static uint32_t
nfs41_cb_gss_seq(uint32_t *last, uint64_t expires)
{
	struct timespec ts;
	uint64_t now, left, span = NFS41_CB_GSS_SPAN * 1000000ull,
	    floor = 0, seq;

	/* In microseconds: a restart within a second still moves it. */
	if (clock_gettime(CLOCK_REALTIME, &ts) == 0) {
		now = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec /
		    1000;
		left = expires * 1000000 > now ? expires * 1000000 - now : 0;
		if (left < span)
			floor = (span - left) * NFS41_CB_GSS_RATE / 1000000;
	}
	seq = (uint64_t)*last + 1;
	if (seq < floor)
		seq = floor;
	if (seq == 0)
		seq = 1;
	if (seq >= NFS41_CB_GSS_SEQ_MAX)
		return 0;
	*last = (uint32_t)seq;
	return (uint32_t)seq;
}

static void
nfs41_cb_gss_fail(struct nfs41_cb_gss_call *g, const char *why)
{
	log_warnx_rl("NFSv4.1 client %016llx: a callback under RPCSEC_GSS: "
	    "%s", (unsigned long long)g->clientid, why);
}

/* RFC 2203 5.3.3.2, 5.3.2: the reply's verifier and body checked. */
static void
nfs41_cb_gss_reply(void *arg, int status, const uint8_t *rec, size_t len)
{
	struct nfs41_cb_gss_call *g = arg;
	const struct rpcsec_gss_mech *m;
	struct rpcsec_gss_reply r;
	struct xdrbuf_out res;
	const char *why = NULL, *principal;
	void *ctx;
	XDR xdrs;

	if (status != 0) {
		g->done(g->arg, status, NULL);
		free(g);
		return;
	}
	xdrbuf_out_init(&res);
	m = g->env->gss != NULL ? rpcsec_gss_mech_of(g->env->gss) : NULL;
	if ((ctx = g->env->gss == NULL ? NULL : rpcsec_gss_context(g->env->gss,
	    g->server, g->server_len, NULL, &principal)) == NULL)
		why = "its context went while the call was out";
	else if (rpcsec_gss_reply_decode(rec, len, &r, &why) == 0)
		(void)rpcsec_gss_reply_results(m, ctx, g->service, g->seq, &r,
		    &res, &why);
	if (why != NULL) {
		nfs41_cb_gss_fail(g, why);
		g->done(g->arg, -EACCES, NULL);
	} else {
		xdrmem_create(&xdrs, (char *)res.buf, (u_int)res.len,
		    XDR_DECODE);
		g->done(g->arg, 0, &xdrs);
		xdr_destroy(&xdrs);
	}
	xdrbuf_out_free(&res);
	free(g);
}

/*
 * The call (prog, vers, proc, the encoded args) on conn under the
 * offer gss of sec, the sequence numbers from *seq; done as
 * rpcsvc_back_call's, with the checked results.  0, or -1 (no such
 * context now, no memory, the connection gone).
 */
int
nfs41_cb_gss_call(struct nfsd_env *env, struct rpcsvc_conn *conn,
    const struct nfs41_cb_sec *sec, int gss, uint32_t *seq,
    uint64_t clientid, uint32_t prog, uint32_t vers, uint32_t proc,
    const uint8_t *args, size_t len, rpcsvc_result_fn *done, void *arg)
{
	const struct nfs41_cb_gss_offer *o;
	struct rpcsec_gss_call_head h;
	struct nfs41_cb_gss_call *g;
	struct xdrbuf_out rec;
	uint64_t expires;
	void *ctx;
	int rc;

	if (gss < 0 || (uint32_t)gss >= sec->ngss || conn == NULL)
		return -1;
	o = &sec->gss[gss];
	if ((ctx = nfs41_cb_gss_ctx(env, sec, o, &expires)) == NULL)
		return -1;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return -1;
	g->env = env;
	memcpy(g->server, o->server, o->server_len);
	g->server_len = o->server_len;
	g->service = o->service;
	g->clientid = clientid;
	g->done = done;
	g->arg = arg;
	if ((g->seq = nfs41_cb_gss_seq(seq, expires)) == 0) {
		nfs41_cb_gss_fail(g, "the context's sequence numbers are spent");
		free(g);
		return -1;
	}
	memset(&h, 0, sizeof(h));
	h.xid = rpcsvc_back_xid(conn);
	h.prog = prog;
	h.vers = vers;
	h.proc = proc;
	h.gss_proc = RPCSEC_GSS_DATA;
	h.seq = g->seq;
	h.service = o->service;
	h.handle = o->client;
	h.handle_len = o->client_len;
	xdrbuf_out_init(&rec);
	rc = rpcsec_gss_call_encode(&rec, rpcsec_gss_mech_of(env->gss), ctx,
	    &h, args, len) == -1 ? -1 : rpcsvc_back_call_record(conn, h.xid,
	    rec.buf, rec.len, nfs41_cb_gss_reply, g);
	xdrbuf_out_free(&rec);
	if (rc == -1) {
		free(g);
		return -1;
	}
	return 0;
}
