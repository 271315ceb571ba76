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

/*
 * A reply that did not come (timeout, the connection gone): 1, and the
 * call is done with that status; -ECANCELED: being freed, nothing.
 */
static int
nfs4_cb_gss_failed(struct nfs4_cb_gss *g, int status)
{
	if (status != 0 && status != -ECANCELED)
		nfs4_cb_gss_finish(g, status, NULL);
	return status != 0;
}

/* The call's head as rpcsec_gss_call_encode wants it. */
static void
nfs4_cb_gss_head(const struct nfs4_cb_gss *g, struct rpcsec_gss_call_head *h,
    uint32_t gss_proc, uint32_t seq, uint32_t proc)
{
	memset(h, 0, sizeof(*h));
	h->xid = rpcclnt_tcp_xid(g->conn);
	h->prog = g->prog;
	h->vers = NFS4_CB_VERSION;
	h->proc = proc;
	h->gss_proc = gss_proc;
	h->seq = seq;
	h->service = g->service;
	h->handle = g->handle;
	h->handle_len = g->handle_len;
}

/* ---- the DATA call ---- */

static void
nfs4_cb_gss_data_reply(void *arg, int status, const uint8_t *rec,
    size_t len)
{
	struct nfs4_cb_gss *g = arg;
	struct rpcsec_gss_reply r;
	struct xdrbuf_out res;
	const char *why = NULL;
	XDR xdrs;

	if (nfs4_cb_gss_failed(g, status))
		return;
	xdrbuf_out_init(&res);
	if (rpcsec_gss_reply_decode(rec, len, &r, &why) == -1 ||
	    rpcsec_gss_reply_results(g->mech, g->ctx, g->service, g->seq, &r,
	    &res, &why) == -1) {
		xdrbuf_out_free(&res);
		nfs4_cb_gss_fail(g, -EACCES, why);
		return;
	}
	xdrmem_create(&xdrs, (char *)res.buf, (u_int)res.len, XDR_DECODE);
	nfs4_cb_gss_finish(g, 0, &xdrs);
	xdr_destroy(&xdrs);
	xdrbuf_out_free(&res);
}

/* RFC 2203 5.3.1, 5.3.2: the call under the context, sequence number 1. */
static void
nfs4_cb_gss_data(struct nfs4_cb_gss *g)
{
	struct rpcsec_gss_call_head h;
	struct xdrbuf_out o;
	int rc;

	g->seq = 1;
	nfs4_cb_gss_head(g, &h, RPCSEC_GSS_DATA, g->seq, g->proc);
	xdrbuf_out_init(&o);
	rc = rpcsec_gss_call_encode(&o, g->mech, g->ctx, &h, g->args,
	    g->args_len) == -1 ? -1 : rpcclnt_tcp_send(g->conn, h.xid, o.buf,
	    o.len, g->timeout_ms, nfs4_cb_gss_data_reply, g);
	xdrbuf_out_free(&o);
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
	struct rpcsec_gss_reply r;
	struct rpcsec_gss_init_res ir;
	const char *why = NULL;

	if (nfs4_cb_gss_failed(g, status))
		return;
	if (rpcsec_gss_reply_decode(rec, len, &r, &why) == -1)
		goto bad;
	if (rpcsec_gss_init_res_decode(r.res, r.res_len, &ir) == -1) {
		why = "malformed rpc_gss_init_res";
		goto bad;
	}
	if (ir.major != RPCSEC_GSS_S_COMPLETE &&
	    ir.major != RPCSEC_GSS_S_CONTINUE_NEEDED) {
		why = "the client's callback service refused the context";
		goto bad;
	}
	memcpy(g->handle, ir.handle, ir.handle_len);
	g->handle_len = ir.handle_len;
	g->window = ir.window;
	if (ir.major == RPCSEC_GSS_S_COMPLETE) {
		/* Its verifier: the MIC of the window, checked once ours is
		 * complete too. */
		if (r.verf_flavor != RPCSEC_GSS ||
		    r.verf_len > sizeof(g->init_verf) || ir.handle_len == 0) {
			why = "the context's verifier is missing";
			goto bad;
		}
		memcpy(g->init_verf, r.verf, r.verf_len);
		g->init_verf_len = r.verf_len;
		g->acceptor_done = 1;
	}
	if (g->ctx != NULL) {
		if (ir.token_len > 0) {
			why = "a token after our side was complete";
			goto bad;
		}
		nfs4_cb_gss_next(g);
		return;
	}
	if (ir.token_len == 0 || g->gssd_handle_len == 0) {
		why = "no token back, our side unfinished";
		goto bad;
	}
	if (rpcsec_gss_initiate(g->env->gss, g->gssd_handle,
	    g->gssd_handle_len, g->target, ir.token, ir.token_len,
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
	struct rpcsec_gss_call_head h;
	struct xdrbuf_out o, arg;
	int rc;

	if (++g->rounds > NFS4_CB_GSS_ROUNDS) {
		nfs4_cb_gss_fail(g, -EACCES, "too many INIT rounds");
		return;
	}
	nfs4_cb_gss_head(g, &h, g->handle_len == 0 ? RPCSEC_GSS_INIT :
	    RPCSEC_GSS_CONTINUE_INIT, 0, NFS4_CB_PROC_NULL);
	xdrbuf_out_init(&o);
	xdrbuf_out_init(&arg);
	xdrbuf_put_opaque(&arg, tok, (uint32_t)len);
	rc = arg.failed || rpcsec_gss_call_encode(&o, NULL, NULL, &h, arg.buf,
	    arg.len) == -1 ? -1 : rpcclnt_tcp_send(g->conn, h.xid, o.buf,
	    o.len, g->timeout_ms, nfs4_cb_gss_init_reply, g);
	xdrbuf_out_free(&o);
	xdrbuf_out_free(&arg);
	if (rc == -1)
		nfs4_cb_gss_fail(g, -EIO, "no connection for the INIT");
}

/* Both sides complete: the window's MIC checked, then the call. */
static void
nfs4_cb_gss_next(struct nfs4_cb_gss *g)
{
	if (!g->acceptor_done)
		return;
	if (rpcsec_gss_verify_u32(g->mech, g->ctx, g->window, g->init_verf,
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
	/* An empty handle decodes as a NULL pointer: no memcpy from it. */
	if (rep->handle.handle_len > 0)
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
