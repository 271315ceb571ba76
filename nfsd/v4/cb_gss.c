/*
 * NFSv4.0 callbacks under RPCSEC_GSS (RFC 7530 3.3.3, RFC 2203): the
 * client did SETCLIENTID under Kerberos, so its callback service wants
 * a context that the server begins.  On the callback's own connection:
 * RPCSEC_GSS_INIT (and CONTINUE_INIT while the acceptor asks) toward
 * the client's callback program, the tokens made by gssd (the initiator,
 * with the keytab's nfs/ principal, GSSD_RPCSEC_INITIATE), the
 * established context imported here; then the one call (CB_NULL or
 * CB_COMPOUND) as RPCSEC_GSS_DATA under the client's service (krb5,
 * krb5i or krb5p), its reply's verifier and body checked.  Any step that
 * fails fails the call: callback.c then marks the path down, and the
 * client gets no delegation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gssd_msg.h"
#include "log.h"
#include "rpcauth.h"
#include "rpcclnt.h"
#include "rpcsec_gss.h"
#include "nfsd/v4/proc.h"

#define NFS4_CB_GSS_ROUNDS	4	/* INIT exchanges at most */
#define NFS4_CB_GSS_VERSION	1

struct nfs4_cb_gss {
	struct nfsd_env		*env;
	struct rpcclnt_tcp	*conn;
	char			 target[GSSD_NAME_MAX + 1];
	uint32_t		 service;	/* RPCSEC_GSS_SVC_* */
	uint32_t		 prog;
	uint32_t		 proc;
	uint8_t			*args;
	size_t			 args_len;
	unsigned int		 timeout_ms;
	rpcclnt_result_fn	*done;
	void			*arg;
	const struct rpcsec_gss_mech *mech;
	void			*ctx;		/* imported */
	uint8_t			 gssd_handle[GSSD_HANDLE_MAX];
	size_t			 gssd_handle_len;
	uint8_t			 handle[RPCAUTH_HANDLE_MAX];	/* acceptor's */
	size_t			 handle_len;
	int			 acceptor_done;	/* GSS_S_COMPLETE from it */
	uint8_t			 init_verf[RPCSEC_GSS_MIC_MAX];
	size_t			 init_verf_len;
	uint32_t		 window;
	int			 rounds;
	uint32_t		 seq;
	int			 waiting_gssd;
	int			 freed;		/* while gssd had it */
	int			 finished;
};

static void	nfs4_cb_gss_next(struct nfs4_cb_gss *);

static void
nfs4_cb_gss_finish(struct nfs4_cb_gss *g, int status, XDR *xdrs)
{
	if (g->finished)
		return;
	g->finished = 1;
	g->done(g->arg, status, xdrs);
}

static void
nfs4_cb_gss_fail(struct nfs4_cb_gss *g, int status, const char *why)
{
	log_warnx_rl("NFSv4.0 callback to %s under RPCSEC_GSS: %s", g->target,
	    why);
	nfs4_cb_gss_finish(g, status, NULL);
}

/* RFC 5531 9, RFC 2203 5: the call's head up to the credential's end. */
static void
nfs4_cb_gss_head(struct nfs4_cb_gss *g, struct xdrbuf_out *o, uint32_t xid,
    uint32_t gss_proc, uint32_t seq, uint32_t proc)
{
	struct xdrbuf_out cred;

	xdrbuf_put_u32(o, xid);
	xdrbuf_put_u32(o, RPC_CALL);
	xdrbuf_put_u32(o, 2);
	xdrbuf_put_u32(o, g->prog);
	xdrbuf_put_u32(o, NFS4_CB_VERSION);
	xdrbuf_put_u32(o, proc);
	xdrbuf_out_init(&cred);
	xdrbuf_put_u32(&cred, NFS4_CB_GSS_VERSION);
	xdrbuf_put_u32(&cred, gss_proc);
	xdrbuf_put_u32(&cred, seq);
	xdrbuf_put_u32(&cred, g->service);
	xdrbuf_put_opaque(&cred, g->handle, (uint32_t)g->handle_len);
	xdrbuf_put_u32(o, RPCSEC_GSS);
	xdrbuf_put_opaque(o, cred.buf, (uint32_t)cred.len);
	if (cred.failed)
		o->failed = 1;
	xdrbuf_out_free(&cred);
}

/*
 * A reply's head: accepted, its verifier, SUCCESS; x then at the
 * results.  0, or -1 with *why.
 */
static int
nfs4_cb_gss_reply_head(struct xdrbuf_in *x, const uint8_t **verf,
    uint32_t *verf_len, uint32_t *verf_flavor, const char **why)
{
	uint32_t xid, type, stat, accept;

	if (xdrbuf_get_u32(x, &xid) == -1 || xdrbuf_get_u32(x, &type) ==
	    -1 || type != RPC_REPLY || xdrbuf_get_u32(x, &stat) == -1) {
		*why = "malformed reply";
		return -1;
	}
	if (stat != RPC_MSG_ACCEPTED) {
		*why = "call denied (an authentication error)";
		return -1;
	}
	if (xdrbuf_get_u32(x, verf_flavor) == -1 ||
	    xdrbuf_get_opaque(x, verf, verf_len, RPC_AUTH_BODY_MAX) == -1 ||
	    xdrbuf_get_u32(x, &accept) == -1) {
		*why = "malformed reply";
		return -1;
	}
	if (accept != RPC_SUCCESS) {
		*why = "call not accepted (accept_stat not SUCCESS)";
		return -1;
	}
	return 0;
}

/* Bytes as they are (arguments already XDR), appended to o. */
static void
nfs4_cb_gss_put_raw(struct xdrbuf_out *o, const uint8_t *p, size_t len)
{
	uint8_t *q;

	if (len > 0 && (q = xdrbuf_reserve(o, len)) != NULL)
		memcpy(q, p, len);
}

/* ---- the DATA call ---- */

static void
nfs4_cb_gss_data_reply(void *arg, int status, const uint8_t *rec,
    size_t len)
{
	struct nfs4_cb_gss *g = arg;
	struct xdrbuf_in x, inner;
	struct xdrbuf_out plain;
	const uint8_t *verf, *body, *mic;
	uint32_t vlen, vflavor, blen, miclen, seq;
	uint8_t seqbuf[4];
	const char *why = NULL;
	XDR res;

	if (status == -ECANCELED)
		return;
	if (status != 0) {
		nfs4_cb_gss_finish(g, status, NULL);
		return;
	}
	xdrbuf_out_init(&plain);
	xdrbuf_in_init(&x, rec, len);
	if (nfs4_cb_gss_reply_head(&x, &verf, &vlen, &vflavor, &why) == -1)
		goto bad;
	/* RFC 2203 5.3.3.2: the reply's verifier is the MIC of seq. */
	seqbuf[0] = (uint8_t)(g->seq >> 24);
	seqbuf[1] = (uint8_t)(g->seq >> 16);
	seqbuf[2] = (uint8_t)(g->seq >> 8);
	seqbuf[3] = (uint8_t)g->seq;
	if (vflavor != RPCSEC_GSS || g->mech->verify_mic(g->ctx, seqbuf, 4,
	    verf, vlen) == -1) {
		why = "the reply's verifier does not check";
		goto bad;
	}
	switch (g->service) {
	case RPCSEC_GSS_SVC_NONE:
		body = x.p + x.pos;
		blen = (uint32_t)xdrbuf_in_left(&x);
		break;
	case RPCSEC_GSS_SVC_INTEGRITY:
		/* RFC 2203 5.3.2.2: rpc_gss_integ_data. */
		if (xdrbuf_get_opaque(&x, &body, &blen, RPCCLNT_MSG_MAX) ==
		    -1 || xdrbuf_get_opaque(&x, &mic, &miclen,
		    RPCSEC_GSS_MIC_MAX) == -1 ||
		    g->mech->verify_mic(g->ctx, body, blen, mic, miclen) ==
		    -1) {
			why = "the krb5i reply's checksum does not check";
			goto bad;
		}
		break;
	case RPCSEC_GSS_SVC_PRIVACY:
		if (xdrbuf_get_opaque(&x, &body, &blen, RPCCLNT_MSG_MAX) ==
		    -1 || g->mech->unwrap(g->ctx, body, blen, &plain) == -1 ||
		    plain.failed) {
			why = "the krb5p reply does not unwrap";
			goto bad;
		}
		body = plain.buf;
		blen = (uint32_t)plain.len;
		break;
	default:
		why = "unknown service";
		goto bad;
	}
	if (g->service != RPCSEC_GSS_SVC_NONE) {
		xdrbuf_in_init(&inner, body, blen);
		if (xdrbuf_get_u32(&inner, &seq) == -1 || seq != g->seq) {
			why = "the reply's sequence number is not the call's";
			goto bad;
		}
		body += 4;
		blen -= 4;
	}
	xdrmem_create(&res, (char *)(uintptr_t)body, blen, XDR_DECODE);
	nfs4_cb_gss_finish(g, 0, &res);
	xdr_destroy(&res);
	xdrbuf_out_free(&plain);
	return;
bad:
	xdrbuf_out_free(&plain);
	nfs4_cb_gss_fail(g, -EACCES, why != NULL ? why : "malformed reply");
}

/* RFC 2203 5.3.1, 5.3.2: the call under the context. */
static void
nfs4_cb_gss_data(struct nfs4_cb_gss *g)
{
	struct xdrbuf_out o, data;
	uint8_t mic[RPCSEC_GSS_MIC_MAX];
	size_t miclen;
	uint32_t xid = rpcclnt_tcp_xid(g->conn);
	int rc = -1;

	g->seq = 1;
	xdrbuf_out_init(&o);
	xdrbuf_out_init(&data);
	nfs4_cb_gss_head(g, &o, xid, RPCSEC_GSS_DATA, g->seq, g->proc);
	if (o.failed || g->mech->get_mic(g->ctx, o.buf, o.len, mic,
	    sizeof(mic), &miclen) == -1)
		goto out;
	xdrbuf_put_u32(&o, RPCSEC_GSS);
	xdrbuf_put_opaque(&o, mic, (uint32_t)miclen);
	if (g->service == RPCSEC_GSS_SVC_NONE)
		nfs4_cb_gss_put_raw(&o, g->args, g->args_len);
	else {
		/* The sequence number, then the arguments. */
		xdrbuf_put_u32(&data, g->seq);
		nfs4_cb_gss_put_raw(&data, g->args, g->args_len);
		if (data.failed)
			goto out;
		if (g->service == RPCSEC_GSS_SVC_INTEGRITY) {
			if (g->mech->get_mic(g->ctx, data.buf, data.len, mic,
			    sizeof(mic), &miclen) == -1)
				goto out;
			xdrbuf_put_opaque(&o, data.buf, (uint32_t)data.len);
			xdrbuf_put_opaque(&o, mic, (uint32_t)miclen);
		} else {
			struct xdrbuf_out sealed;

			xdrbuf_out_init(&sealed);
			if (g->mech->wrap(g->ctx, data.buf, data.len,
			    &sealed) == -1 || sealed.failed) {
				xdrbuf_out_free(&sealed);
				goto out;
			}
			xdrbuf_put_opaque(&o, sealed.buf, (uint32_t)sealed.len);
			xdrbuf_out_free(&sealed);
		}
	}
	if (!o.failed && rpcclnt_tcp_send(g->conn, xid, o.buf, o.len,
	    g->timeout_ms, nfs4_cb_gss_data_reply, g) == 0)
		rc = 0;
out:
	xdrbuf_out_free(&o);
	xdrbuf_out_free(&data);
	if (rc == -1)
		nfs4_cb_gss_fail(g, -EIO, "the call could not be made");
}

/* ---- context creation ---- */

static void
nfs4_cb_gss_gssd_reply(void *arg, const struct gssd_rpcsec_reply *rep);

static void
nfs4_cb_gss_init_reply(void *arg, int status, const uint8_t *rec,
    size_t len)
{
	struct nfs4_cb_gss *g = arg;
	struct xdrbuf_in x;
	const uint8_t *verf, *h, *tok;
	uint32_t vlen, vflavor, hlen, major, minor, toklen;
	const char *why = NULL;

	if (status == -ECANCELED)
		return;
	if (status != 0) {
		nfs4_cb_gss_finish(g, status, NULL);
		return;
	}
	xdrbuf_in_init(&x, rec, len);
	if (nfs4_cb_gss_reply_head(&x, &verf, &vlen, &vflavor, &why) == -1)
		goto bad;
	/* RFC 2203 5.2.3.1: rpc_gss_init_res. */
	if (xdrbuf_get_opaque(&x, &h, &hlen, RPCAUTH_HANDLE_MAX) == -1 ||
	    xdrbuf_get_u32(&x, &major) == -1 ||
	    xdrbuf_get_u32(&x, &minor) == -1 ||
	    xdrbuf_get_u32(&x, &g->window) == -1 ||
	    xdrbuf_get_opaque(&x, &tok, &toklen, RPCSEC_GSS_TOKEN_MAX) == -1) {
		why = "malformed rpc_gss_init_res";
		goto bad;
	}
	if (major != RPCSEC_GSS_S_COMPLETE &&
	    major != RPCSEC_GSS_S_CONTINUE_NEEDED) {
		why = "the client's callback service refused the context";
		goto bad;
	}
	memcpy(g->handle, h, hlen);
	g->handle_len = hlen;
	if (major == RPCSEC_GSS_S_COMPLETE) {
		/* Its verifier: the MIC of the window, checked once ours is
		 * complete too. */
		if (vflavor != RPCSEC_GSS || vlen > sizeof(g->init_verf) ||
		    hlen == 0) {
			why = "the context's verifier is missing";
			goto bad;
		}
		memcpy(g->init_verf, verf, vlen);
		g->init_verf_len = vlen;
		g->acceptor_done = 1;
	}
	if (g->ctx != NULL) {
		if (toklen > 0) {
			why = "a token after our side was complete";
			goto bad;
		}
		nfs4_cb_gss_next(g);
		return;
	}
	if (toklen == 0 || g->gssd_handle_len == 0) {
		why = "no token back, our side unfinished";
		goto bad;
	}
	if (rpcsec_gss_initiate(g->env->gss, g->gssd_handle,
	    g->gssd_handle_len, g->target, tok, toklen,
	    nfs4_cb_gss_gssd_reply, g) == -1) {
		why = "gssd is not connected";
		goto bad;
	}
	g->waiting_gssd = 1;
	return;
bad:
	nfs4_cb_gss_fail(g, -EACCES, why != NULL ? why : "malformed reply");
}

/* RFC 2203 5.2.2: an INIT or CONTINUE_INIT with our token. */
static void
nfs4_cb_gss_send_token(struct nfs4_cb_gss *g, const uint8_t *tok,
    size_t len)
{
	struct xdrbuf_out o;
	uint32_t xid = rpcclnt_tcp_xid(g->conn);
	int rc;

	if (++g->rounds > NFS4_CB_GSS_ROUNDS) {
		nfs4_cb_gss_fail(g, -EACCES, "too many INIT rounds");
		return;
	}
	xdrbuf_out_init(&o);
	nfs4_cb_gss_head(g, &o, xid, g->handle_len == 0 ? RPCSEC_GSS_INIT :
	    RPCSEC_GSS_CONTINUE_INIT, 0, NFS4_CB_PROC_NULL);
	xdrbuf_put_u32(&o, 0);		/* AUTH_NULL verifier */
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_opaque(&o, tok, (uint32_t)len);
	rc = o.failed ? -1 : rpcclnt_tcp_send(g->conn, xid, o.buf, o.len,
	    g->timeout_ms, nfs4_cb_gss_init_reply, g);
	xdrbuf_out_free(&o);
	if (rc == -1)
		nfs4_cb_gss_fail(g, -EIO, "no connection for the INIT");
}

/* Both sides complete: the window's MIC checked, then the call. */
static void
nfs4_cb_gss_next(struct nfs4_cb_gss *g)
{
	uint8_t w[4];

	if (!g->acceptor_done)
		return;
	w[0] = (uint8_t)(g->window >> 24);
	w[1] = (uint8_t)(g->window >> 16);
	w[2] = (uint8_t)(g->window >> 8);
	w[3] = (uint8_t)g->window;
	if (g->mech->verify_mic(g->ctx, w, 4, g->init_verf,
	    g->init_verf_len) == -1) {
		nfs4_cb_gss_fail(g, -EACCES, "the INIT reply's verifier does "
		    "not check");
		return;
	}
	nfs4_cb_gss_data(g);
}

static void
nfs4_cb_gss_gssd_reply(void *arg, const struct gssd_rpcsec_reply *rep)
{
	struct nfs4_cb_gss *g = arg;

	g->waiting_gssd = 0;
	if (g->freed) {
		nfs4_cb_gss_free(g);
		return;
	}
	if (rep == NULL) {
		nfs4_cb_gss_fail(g, -EACCES, "gssd went away");
		return;
	}
	if (rep->status != GSSD_CONTINUE && rep->status != GSSD_COMPLETE) {
		nfs4_cb_gss_fail(g, -EACCES, "gssd could not make the context "
		    "(its log says why)");
		return;
	}
	if (rep->handle.handle_len > sizeof(g->gssd_handle)) {
		nfs4_cb_gss_fail(g, -EACCES, "gssd's handle is too long");
		return;
	}
	memcpy(g->gssd_handle, rep->handle.handle_val,
	    rep->handle.handle_len);
	g->gssd_handle_len = rep->handle.handle_len;
	if (rep->status == GSSD_COMPLETE) {
		g->ctx = g->mech->import((const uint8_t *)
		    rep->context.context_val, rep->context.context_len);
		if (g->ctx == NULL) {
			nfs4_cb_gss_fail(g, -EACCES, "the context does not "
			    "import");
			return;
		}
	}
	if (rep->token.token_len > 0)
		nfs4_cb_gss_send_token(g, (const uint8_t *)rep->token.token_val,
		    rep->token.token_len);
	else if (g->ctx != NULL)
		nfs4_cb_gss_next(g);
	else
		nfs4_cb_gss_fail(g, -EACCES, "gssd gave no token");
}

/*
 * "svc/HOST@REALM" (the principal of the client's SETCLIENTID): its
 * callback service, "nfs/HOST@REALM" (RFC 7530 3.3.3: nfs@HOST, in the
 * same realm).  -1: a principal that names no host (a user's).
 */
int
nfs4_cb_gss_target(const char *principal, char *buf, size_t len)
{
	const char *slash = strchr(principal, '/'), *at = strrchr(principal,
	    '@');

	if (slash == NULL || at == NULL || at < slash || at == slash + 1 ||
	    at[1] == '\0' || strchr(slash + 1, '/') != NULL ||
	    (size_t)snprintf(buf, len, "nfs/%s", slash + 1) >= len)
		return -1;
	return 0;
}

/*
 * The call (prog, proc, the encoded args) on conn under RPCSEC_GSS with
 * target at service; done as rpcclnt_tcp_call's, with the results.
 */
struct nfs4_cb_gss *
nfs4_cb_gss_call(struct nfsd_env *env, struct rpcclnt_tcp *conn,
    const char *target, uint32_t service, uint32_t prog, uint32_t proc,
    const uint8_t *args, size_t args_len, unsigned int timeout_ms,
    rpcclnt_result_fn *done, void *arg)
{
	struct nfs4_cb_gss *g;

	if (env->gss == NULL) {
		errno = EPROTONOSUPPORT;	/* [gssd] enable = no */
		return NULL;
	}
	if (strlen(target) >= sizeof(((struct nfs4_cb_gss *)0)->target) ||
	    service < RPCSEC_GSS_SVC_NONE || service >
	    RPCSEC_GSS_SVC_PRIVACY) {
		errno = EINVAL;
		return NULL;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	if (args_len > 0 && (g->args = malloc(args_len)) == NULL) {
		free(g);
		return NULL;
	}
	if (args_len > 0)
		memcpy(g->args, args, args_len);
	g->args_len = args_len;
	g->env = env;
	g->conn = conn;
	snprintf(g->target, sizeof(g->target), "%s", target);
	g->service = service;
	g->prog = prog;
	g->proc = proc;
	g->timeout_ms = timeout_ms;
	g->done = done;
	g->arg = arg;
	g->mech = rpcsec_gss_mech_of(env->gss);
	if (rpcsec_gss_initiate(env->gss, NULL, 0, target, NULL, 0,
	    nfs4_cb_gss_gssd_reply, g) == -1) {
		free(g->args);
		free(g);
		errno = ENOTCONN;
		return NULL;
	}
	g->waiting_gssd = 1;
	return g;
}

/* After the connection's rpcclnt_tcp_free. */
void
nfs4_cb_gss_free(struct nfs4_cb_gss *g)
{
	if (g == NULL)
		return;
	if (g->waiting_gssd) {
		g->freed = 1;	/* gssd's answer frees it */
		return;
	}
	if (g->ctx != NULL)
		g->mech->release(g->ctx);
	free(g->args);
	free(g);
}
