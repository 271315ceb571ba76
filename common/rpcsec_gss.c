/*
 * RPCSEC_GSS (RFC 2203) on the rpcauth hook: the credential, the
 * header's MIC, the sequence window, integrity and privacy of bodies,
 * the reply verifier, and the control procedures with gssd.
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gssd_msg.h"
#include "ipc.h"
#include "kdc_send.h"
#include "log.h"
#include "rpcsec_gss.h"
#include "rpcsvc.h"

#define RPCSEC_GSS_HOSTS_MAX	256	/* addresses with INITs in flight */
#define RPCSEC_GSS_FETCHES_MAX	64	/* FETCHes in flight */
#define RPCSEC_GSS_HELD_MAX	256	/* calls waiting for them */
#define RPCSEC_GSS_FETCH_WAIT	5	/* seconds, gssd away */

/* An imported context: the rpcauth context's priv. */
struct rpcsec_gss_ctx {
	void		*mech;
	uint64_t	 expires;	/* seconds since the epoch */
	struct rpc_cred	 cred;
};

struct rpcsec_gss_host {
	uint8_t		addr[16];
	size_t		creating;
};

struct rpcsec_gss_held {
	struct rpcsec_gss_held	*next;
	struct rpcsvc_call	*call;
};

/* A FETCH with gssd, and the calls that wait for its answer. */
struct rpcsec_gss_fetch {
	struct rpcsec_gss	*gss;
	struct rpcsec_gss_fetch	*next;
	uint8_t			 handle[RPCAUTH_HANDLE_MAX];
	uint32_t		 handle_len;
	struct rpcsec_gss_held	*held;
	size_t			 nheld;
	struct rpcsec_gss_host	*host;		/* counted there */
	int			 sent;		/* else: when gssd is back */
	struct event		*timer;		/* until then */
};

struct rpcsec_gss_init {
	struct rpcsec_gss	*gss;
	struct rpcsvc_call	*call;
	struct rpcsec_gss_host	*host;
};

struct rpcsec_gss {
	const struct rpcsec_gss_mech	*mech;
	struct rpcauth_flavor		 flavor;
	struct rpcauth_contexts		*contexts;
	struct ipc_client		*gssd;
	struct event_base		*base;
	size_t				 per_host;
	struct rpcsec_gss_host		 hosts[RPCSEC_GSS_HOSTS_MAX];
	struct rpcsec_gss_fetch		*fetches;
	size_t				 nfetches;
	size_t				 nheld;
	struct rpcsec_gss_stats		 stats;
};

/* RFC 2203 5 */
int
rpcsec_gss_cred_decode(const uint8_t *body, size_t len,
    struct rpcsec_gss_cred *c)
{
	struct xdrbuf_in x;

	memset(c, 0, sizeof(*c));
	xdrbuf_in_init(&x, body, len);
	if (xdrbuf_get_u32(&x, &c->version) == -1 ||
	    c->version != RPCSEC_GSS_VERS_1 ||
	    xdrbuf_get_u32(&x, &c->proc) == -1 ||
	    c->proc > RPCSEC_GSS_DESTROY ||
	    xdrbuf_get_u32(&x, &c->seq) == -1 ||
	    xdrbuf_get_u32(&x, &c->service) == -1 ||
	    xdrbuf_get_opaque(&x, &c->handle, &c->handle_len,
	    RPCAUTH_HANDLE_MAX) == -1 ||
	    xdrbuf_in_left(&x) != 0)
		return -1;
	return 0;
}

static void
rpcsec_gss_put32(uint8_t b[4], uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* The reply verifier: the MIC of a number (seq, or the window). */
static int
rpcsec_gss_mic_of(struct rpcsec_gss *g, struct rpcsec_gss_ctx *gc,
    uint32_t n, struct rpcauth_call *call)
{
	uint8_t b[4];
	size_t len;

	rpcsec_gss_put32(b, n);
	if (g->mech->get_mic(gc->mech, b, 4, call->rverf,
	    sizeof(call->rverf), &len) == -1)
		return -1;
	call->rverf_flavor = RPCSEC_GSS;
	call->rverf_len = (uint32_t)len;
	return 0;
}

static void
rpcsec_gss_ctx_free(struct rpcsec_gss *g, struct rpcauth_context *c)
{
	struct rpcsec_gss_ctx *gc = c->priv;

	if (gc != NULL) {
		g->mech->release(gc->mech);
		free(gc);
	}
	rpcauth_context_free(g->contexts, c);
}

/* Room for one more: the expired go, else the first. */
static void
rpcsec_gss_make_room(struct rpcsec_gss *g)
{
	struct rpcauth_context *c;
	struct rpcsec_gss_ctx *gc;
	uint64_t now = (uint64_t)time(NULL);
	size_t i;

	if (rpcauth_contexts_count(g->contexts) < RPCAUTH_CONTEXTS_MAX)
		return;
	for (i = rpcauth_contexts_count(g->contexts); i-- > 0;) {
		c = rpcauth_context_at(g->contexts, i);
		gc = c->priv;
		if (gc->expires <= now) {
			rpcsec_gss_ctx_free(g, c);
			g->stats.expired++;
		}
	}
	/* gssd keeps it: a later call fetches it back. */
	if (rpcauth_contexts_count(g->contexts) == RPCAUTH_CONTEXTS_MAX)
		rpcsec_gss_ctx_free(g, rpcauth_context_at(g->contexts, 0));
}

int
rpcsec_gss_add(struct rpcsec_gss *g, const uint8_t *handle,
    size_t handle_len, const uint8_t *exported, size_t exported_len,
    uint64_t expires, const struct rpc_cred *cred)
{
	struct rpcauth_context *c;
	struct rpcsec_gss_ctx *gc;

	if (handle_len == 0 || handle_len > RPCAUTH_HANDLE_MAX)
		return -1;
	if ((c = rpcauth_context_find(g->contexts, handle,
	    (uint32_t)handle_len)) != NULL)
		rpcsec_gss_ctx_free(g, c);
	if ((gc = calloc(1, sizeof(*gc))) == NULL)
		return -1;
	if ((gc->mech = g->mech->import(exported, exported_len)) == NULL) {
		free(gc);
		return -1;
	}
	gc->expires = expires;
	gc->cred = *cred;
	rpcsec_gss_make_room(g);
	if (rpcauth_context_new(g->contexts, handle, (uint32_t)handle_len,
	    RPCSEC_GSS_WINDOW, gc) == NULL) {
		g->mech->release(gc->mech);
		free(gc);
		return -1;
	}
	return 0;
}

/* RFC 2203 5.3.3: a call's credential and verifier. */
static enum rpcmsg_verdict
rpcsec_gss_verify(const struct rpcauth_flavor *f, struct rpcauth_call *call,
    const struct rpcmsg_header *h, const uint8_t *rec)
{
	struct rpcsec_gss *g = f->arg;
	struct rpcsec_gss_cred c;
	struct rpcauth_context *ctx;
	struct rpcsec_gss_ctx *gc;

	if (rpcsec_gss_cred_decode(h->cred.body, h->cred.len, &c) == -1)
		return RPCMSG_AUTH_BADCRED;
	call->handle = c.handle;
	call->handle_len = c.handle_len;
	call->msg.cred.flavor = RPC_AUTH_NULL;
	if (c.proc == RPCSEC_GSS_INIT || c.proc == RPCSEC_GSS_CONTINUE_INIT) {
		/* RFC 2203 5.2.2: on NULLPROC; a handle to continue only. */
		if (call->msg.proc != 0 ||
		    (c.proc == RPCSEC_GSS_INIT) != (c.handle_len == 0))
			return RPCMSG_AUTH_BADCRED;
		call->control = RPCAUTH_CONTROL_INIT;
		return RPCMSG_OK;
	}
	if (c.service < RPCSEC_GSS_SVC_NONE ||
	    c.service > RPCSEC_GSS_SVC_PRIVACY)
		return RPCMSG_AUTH_BADCRED;
	if ((ctx = rpcauth_context_find(g->contexts, c.handle,
	    c.handle_len)) == NULL) {
		/* Perhaps one of before a restart: gssd has it. */
		if (g->gssd != NULL && c.handle_len > 0) {
			call->control = RPCAUTH_CONTROL_HOLD;
			return RPCMSG_AUTH_DROP;
		}
		call->auth_stat = RPCSEC_GSS_CREDPROBLEM;
		return RPCMSG_AUTH_ERROR;
	}
	gc = ctx->priv;
	if (gc->expires <= (uint64_t)time(NULL) || c.seq >= RPCAUTH_SEQ_MAX) {
		/* RFC 2203 5.3.3.3: the client makes a new one. */
		rpcsec_gss_ctx_free(g, ctx);
		g->stats.expired++;
		call->auth_stat = RPCSEC_GSS_CTXPROBLEM;
		return RPCMSG_AUTH_ERROR;
	}
	/* RFC 2203 5.3.1: the MIC of the header up to the credential's end. */
	if (!h->verf_ok || h->verf.flavor != RPCSEC_GSS ||
	    g->mech->verify_mic(gc->mech, rec, h->cred_end, h->verf.body,
	    h->verf.len) == -1) {
		g->stats.bad_verf++;
		return RPCMSG_AUTH_BADVERF;
	}
	/* RFC 2203 5.3.3.1: after the MIC, so forgeries move nothing. */
	if (rpcauth_seqwin_check(&ctx->window, c.seq) == -1) {
		g->stats.dropped++;
		return RPCMSG_AUTH_DROP;
	}
	call->ctx = ctx;
	call->seq = c.seq;
	call->service = c.service;
	call->msg.cred = gc->cred;
	if (c.proc == RPCSEC_GSS_DESTROY)
		call->control = RPCAUTH_CONTROL_DESTROY;
	return RPCMSG_OK;
}

static int
rpcsec_gss_reply_verf(const struct rpcauth_flavor *f,
    struct rpcauth_call *call)
{
	if (call->ctx == NULL)
		return 0;	/* INIT: made with the new context */
	return rpcsec_gss_mic_of(f->arg, call->ctx->priv, call->seq, call);
}

/* RFC 2203 5.3.2: rpc_gss_integ_data and rpc_gss_priv_data. */
static int
rpcsec_gss_unwrap(const struct rpcauth_flavor *f, struct rpcauth_call *call,
    const uint8_t *body, size_t len, struct xdrbuf_out *plain)
{
	struct rpcsec_gss *g = f->arg;
	struct rpcsec_gss_ctx *gc;
	struct xdrbuf_in x;
	const uint8_t *data, *mic;
	uint32_t dlen, mlen;

	/*
	 * RPCSEC_GSS_DESTROY's arguments are NULLPROC's void: the Linux
	 * client sends them unwrapped whatever the credential's service
	 * (knfsd reads nothing there either), so they are not unwrapped;
	 * a body some other client wrapped is ignored with them.
	 */
	if (call->ctx == NULL || call->service == RPCSEC_GSS_SVC_NONE ||
	    call->control == RPCAUTH_CONTROL_DESTROY) {
		call->args = body;
		call->args_len = len;
		return 1;
	}
	gc = call->ctx->priv;
	xdrbuf_in_init(&x, body, len);
	if (xdrbuf_get_opaque(&x, &data, &dlen, UINT32_MAX) == -1)
		goto bad;
	if (call->service == RPCSEC_GSS_SVC_INTEGRITY) {
		if (xdrbuf_get_opaque(&x, &mic, &mlen, RPCSEC_GSS_MIC_MAX) ==
		    -1 || xdrbuf_in_left(&x) != 0 || dlen < 4 ||
		    g->mech->verify_mic(gc->mech, data, dlen, mic, mlen) ==
		    -1 || xdrbuf_peek_u32(data) != call->seq)
			goto bad;
		call->args = data + 4;
		call->args_len = dlen - 4;
		return 1;
	}
	if (xdrbuf_in_left(&x) != 0 ||
	    g->mech->unwrap(gc->mech, data, dlen, plain) == -1 ||
	    plain->failed || plain->len < 4 ||
	    xdrbuf_peek_u32(plain->buf) != call->seq)
		goto bad;
	memmove(plain->buf, plain->buf + 4, plain->len - 4);
	plain->len -= 4;
	return 0;
bad:
	g->stats.bad_body++;
	log_warnx_rl("RPCSEC_GSS: xid %08x: a %s body that does not "
	    "check", call->msg.xid, call->service ==
	    RPCSEC_GSS_SVC_INTEGRITY ? "krb5i" : "krb5p");
	return -1;
}

static int
rpcsec_gss_wrap(const struct rpcauth_flavor *f, struct rpcauth_call *call,
    const uint8_t *res, size_t len, struct xdrbuf_out *out)
{
	struct rpcsec_gss *g = f->arg;
	struct rpcsec_gss_ctx *gc;
	struct xdrbuf_out body;
	uint8_t mic[RPCSEC_GSS_MIC_MAX], seq[4];
	size_t miclen, pad;
	uint8_t *p;
	int rc;

	/* DESTROY's void result goes as it is (the Linux client, knfsd). */
	if (call->ctx == NULL || call->service == RPCSEC_GSS_SVC_NONE ||
	    call->control == RPCAUTH_CONTROL_INIT ||
	    call->control == RPCAUTH_CONTROL_DESTROY)
		return 1;
	gc = call->ctx->priv;
	if (len > UINT32_MAX - 8)
		return -1;
	if (call->service == RPCSEC_GSS_SVC_INTEGRITY) {
		/* databody_integ: seq and results, then their MIC. */
		xdrbuf_put_u32(out, (uint32_t)len + 4);
		xdrbuf_put_u32(out, call->seq);
		xdrbuf_put_fixed(out, res, len);
		if (out->failed || g->mech->get_mic(gc->mech, out->buf + 4,
		    len + 4, mic, sizeof(mic), &miclen) == -1)
			return -1;
		xdrbuf_put_opaque(out, mic, (uint32_t)miclen);
		return 0;
	}
	/* The sealed token goes after a length filled in below. */
	xdrbuf_put_u32(out, 0);
	if (g->mech->wrap_head != NULL) {
		seq[0] = (uint8_t)(call->seq >> 24);
		seq[1] = (uint8_t)(call->seq >> 16);
		seq[2] = (uint8_t)(call->seq >> 8);
		seq[3] = (uint8_t)call->seq;
		rc = g->mech->wrap_head(gc->mech, seq, sizeof(seq), res, len,
		    out) == -1 || out->failed ? -1 : 0;
	} else {
		xdrbuf_out_init(&body);
		xdrbuf_put_u32(&body, call->seq);
		if (xdrbuf_reserve(&body, len) != NULL)
			memcpy(body.buf + 4, res, len);
		rc = body.failed || g->mech->wrap(gc->mech, body.buf,
		    body.len, out) == -1 || out->failed ? -1 : 0;
		xdrbuf_out_free(&body);
	}
	if (rc == -1 || out->len - 4 > UINT32_MAX)
		return -1;
	xdrbuf_put_u32_at(out, 0, (uint32_t)(out->len - 4));
	pad = (4 - (out->len & 3)) & 3;
	if (pad > 0 && (p = xdrbuf_reserve(out, pad)) != NULL)
		memset(p, 0, pad);
	return out->failed ? -1 : 0;
}

/* Calls of one address with gssd now (RFC 2203 5.2.2 INITs). */
static struct rpcsec_gss_host *
rpcsec_gss_host(struct rpcsec_gss *g, const uint8_t addr[16])
{
	struct rpcsec_gss_host *free_slot = NULL;
	size_t i;

	for (i = 0; i < RPCSEC_GSS_HOSTS_MAX; i++) {
		if (g->hosts[i].creating > 0 &&
		    memcmp(g->hosts[i].addr, addr, 16) == 0)
			return &g->hosts[i];
		if (g->hosts[i].creating == 0 && free_slot == NULL)
			free_slot = &g->hosts[i];
	}
	if (free_slot != NULL)
		memcpy(free_slot->addr, addr, 16);
	return free_slot;
}

/* RFC 2203 5.2.3.1: rpc_gss_init_res, after the reply's head. */
static void
rpcsec_gss_init_reply(struct rpcsvc_call *call, const uint8_t *handle,
    size_t handle_len, uint32_t major, uint32_t minor, uint32_t window,
    const uint8_t *token, size_t token_len)
{
	call->out.len = rpcsvc_body_offset(call);
	xdrbuf_put_opaque(&call->out, handle, (uint32_t)handle_len);
	xdrbuf_put_u32(&call->out, major);
	xdrbuf_put_u32(&call->out, minor);
	xdrbuf_put_u32(&call->out, window);
	xdrbuf_put_opaque(&call->out, token, (uint32_t)token_len);
	rpcsvc_reply_body(call);
}

static void
rpcsec_gss_cred_from(struct rpc_cred *cred, const gssd_rpcsec_reply *rep)
{
	u_int i;

	memset(cred, 0, sizeof(*cred));
	cred->flavor = RPC_AUTH_UNIX;
	cred->uid = rep->identity.uid;
	cred->gid = rep->identity.gid;
	for (i = 0; i < rep->identity.groups.groups_len &&
	    i < RPC_AUTH_UNIX_GIDS_MAX; i++)
		cred->groups[cred->ngroups++] =
		    rep->identity.groups.groups_val[i];
	snprintf(cred->machine, sizeof(cred->machine), "%s",
	    rep->principal != NULL ? rep->principal : "");
}

static void
rpcsec_gss_init_done(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct rpcsec_gss_init *w = arg;
	struct rpcsec_gss *g = w->gss;
	struct rpcsvc_call *call = w->call;
	struct rpcauth_context *ctx;
	gssd_rpcsec_reply rep;
	struct rpc_cred cred;
	uint32_t major;

	(void)ch;
	if (w->host != NULL && w->host->creating > 0)
		w->host->creating--;
	free(w);
	memset(&rep, 0, sizeof(rep));
	if (msg == NULL || msg->hdr.type != GSSD_RPCSEC_REPLY ||
	    ipc_decode(msg, (xdrproc_t)xdr_gssd_rpcsec_reply, &rep) == -1) {
		log_warnx_rl("%s: RPCSEC_GSS INIT: gssd %s", call->peer_name,
		    msg == NULL ? "went away" : "answered garbage");
		rpcsvc_reply_auth_error(call, RPCSEC_GSS_CREDPROBLEM);
		return;
	}
	if (!rpcsvc_call_alive(call)) {
		rpcsvc_call_drop(call);
		goto out;
	}
	major = rep.major;
	switch (rep.status) {
	case GSSD_COMPLETE:
		rpcsec_gss_cred_from(&cred, &rep);
		if (rpcsec_gss_add(g, (const uint8_t *)rep.handle.handle_val,
		    rep.handle.handle_len,
		    (const uint8_t *)rep.context.context_val,
		    rep.context.context_len, rep.expires, &cred) == -1 ||
		    (ctx = rpcauth_context_find(g->contexts,
		    (const uint8_t *)rep.handle.handle_val,
		    rep.handle.handle_len)) == NULL ||
		    rpcsec_gss_mic_of(g, ctx->priv, RPCSEC_GSS_WINDOW,
		    &call->auth) == -1) {
			log_warnx_rl("%s: RPCSEC_GSS: the context of %s does "
			    "not import", call->peer_name, rep.principal);
			rpcsec_gss_init_reply(call, NULL, 0,
			    RPCSEC_GSS_S_FAILURE, 0, 0, NULL, 0);
			break;
		}
		g->stats.created++;
		rpcsec_gss_init_reply(call,
		    (const uint8_t *)rep.handle.handle_val,
		    rep.handle.handle_len, major, rep.minor,
		    RPCSEC_GSS_WINDOW, (const uint8_t *)rep.token.token_val,
		    rep.token.token_len);
		break;
	case GSSD_CONTINUE:
		rpcsec_gss_init_reply(call,
		    (const uint8_t *)rep.handle.handle_val,
		    rep.handle.handle_len, major, rep.minor, 0,
		    (const uint8_t *)rep.token.token_val,
		    rep.token.token_len);
		break;
	default:
		g->stats.refused++;
		if (major == 0)
			major = RPCSEC_GSS_S_FAILURE;
		rpcsec_gss_init_reply(call, NULL, 0, major, rep.minor, 0,
		    (const uint8_t *)rep.token.token_val,
		    rep.token.token_len);
		break;
	}
out:
	if (rep.context.context_val != NULL)
		explicit_bzero(rep.context.context_val,
		    rep.context.context_len);
	xdr_free((xdrproc_t)xdr_gssd_rpcsec_reply, &rep);
}

/* RFC 2203 5.2.2: RPCSEC_GSS_INIT and CONTINUE_INIT, answered by gssd. */
static void
rpcsec_gss_init(struct rpcsec_gss *g, struct rpcsvc_call *call)
{
	struct rpcsec_gss_init *w;
	struct ipc_channel *ch;
	struct rpcsec_gss_host *host;
	gssd_rpcsec_accept_req req;
	struct xdrbuf_in x;
	const uint8_t *tok;
	uint32_t toklen;

	xdrbuf_in_init(&x, call->auth.args, call->auth.args_len);
	if (xdrbuf_get_opaque(&x, &tok, &toklen, RPCSEC_GSS_TOKEN_MAX) ==
	    -1) {
		rpcsvc_reply_error(call, RPC_GARBAGE_ARGS);
		return;
	}
	if (g->gssd == NULL || (ch = ipc_client_channel(g->gssd)) == NULL) {
		log_warnx_rl("%s: RPCSEC_GSS INIT: gssd is not connected",
		    call->peer_name);
		rpcsvc_reply_auth_error(call, RPCSEC_GSS_CREDPROBLEM);
		return;
	}
	if ((host = rpcsec_gss_host(g, call->peer_key)) == NULL ||
	    host->creating >= g->per_host) {
		g->stats.limited++;
		log_warnx_rl("%s: RPCSEC_GSS INIT: %zu contexts in creation "
		    "from this address, the limit ([nfsd] gss contexts in "
		    "creation per host)", call->peer_name, g->per_host);
		rpcsvc_reply_auth_error(call, RPCSEC_GSS_CREDPROBLEM);
		return;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		rpcsvc_reply_error(call, RPC_SYSTEM_ERR);
		return;
	}
	w->gss = g;
	w->call = call;
	w->host = host;
	memset(&req, 0, sizeof(req));
	req.handle.handle_val = (char *)(uintptr_t)call->auth.handle;
	req.handle.handle_len = call->auth.handle_len;
	req.token.token_val = (char *)(uintptr_t)tok;
	req.token.token_len = toklen;
	req.peer = call->peer_name;
	if (ipc_call(ch, GSSD_RPCSEC_ACCEPT, -1,
	    (xdrproc_t)xdr_gssd_rpcsec_accept_req, &req,
	    rpcsec_gss_init_done, w) == -1) {
		free(w);
		rpcsvc_reply_auth_error(call, RPCSEC_GSS_CREDPROBLEM);
		return;
	}
	host->creating++;
}

static void
rpcsec_gss_fetch_done(struct ipc_channel *ch, struct ipc_msg *msg,
    void *arg)
{
	struct rpcsec_gss_fetch *fe = arg, **pp;
	struct rpcsec_gss *g = fe->gss;
	struct rpcsec_gss_held *h, *next;
	gssd_rpcsec_reply rep;
	struct rpc_cred cred;
	int ok = 0;

	(void)ch;
	for (pp = &g->fetches; *pp != NULL; pp = &(*pp)->next)
		if (*pp == fe) {
			*pp = fe->next;
			break;
		}
	g->nfetches--;
	if (fe->host != NULL && fe->host->creating > 0)
		fe->host->creating--;
	if (fe->timer != NULL)
		event_free(fe->timer);
	memset(&rep, 0, sizeof(rep));
	if (msg != NULL && msg->hdr.type == GSSD_RPCSEC_REPLY &&
	    ipc_decode(msg, (xdrproc_t)xdr_gssd_rpcsec_reply, &rep) == 0) {
		if (rep.status == GSSD_COMPLETE) {
			rpcsec_gss_cred_from(&cred, &rep);
			ok = rpcsec_gss_add(g, fe->handle, fe->handle_len,
			    (const uint8_t *)rep.context.context_val,
			    rep.context.context_len, rep.expires, &cred) == 0;
			if (ok) {
				g->stats.fetched++;
				log_info_rl("RPCSEC_GSS context of %s fetched "
				    "back from gssd", rep.principal);
			}
		}
		if (rep.context.context_val != NULL)
			explicit_bzero(rep.context.context_val,
			    rep.context.context_len);
		xdr_free((xdrproc_t)xdr_gssd_rpcsec_reply, &rep);
	}
	for (h = fe->held; h != NULL; h = next) {
		next = h->next;
		g->nheld--;
		/* Known now: accepted again; else the client makes one. */
		if (ok)
			rpcsvc_call_resume(h->call);
		else
			rpcsvc_reply_auth_error(h->call,
			    RPCSEC_GSS_CREDPROBLEM);
		free(h);
	}
	free(fe);
}

static int
rpcsec_gss_fetch_send(struct rpcsec_gss *g, struct rpcsec_gss_fetch *fe)
{
	struct ipc_channel *ch;
	gssd_rpcsec_handle_req req;

	if ((ch = ipc_client_channel(g->gssd)) == NULL)
		return -1;
	req.handle.handle_val = (char *)fe->handle;
	req.handle.handle_len = fe->handle_len;
	if (ipc_call(ch, GSSD_RPCSEC_FETCH, -1,
	    (xdrproc_t)xdr_gssd_rpcsec_handle_req, &req,
	    rpcsec_gss_fetch_done, fe) == -1)
		return -1;
	fe->sent = 1;
	if (fe->timer != NULL)
		evtimer_del(fe->timer);
	return 0;
}

/* gssd stayed away: the held calls are refused, the client makes one. */
static void
rpcsec_gss_fetch_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct rpcsec_gss_fetch *fe = arg;

	(void)fd;
	(void)what;
	log_warnx_rl("RPCSEC_GSS: gssd is away; calls of an unknown "
	    "context refused");
	rpcsec_gss_fetch_done(NULL, NULL, fe);
}

/* gssd is (back) on line: the FETCHes that waited for it. */
static void
rpcsec_gss_gssd_ready(struct ipc_client *c, void *arg)
{
	struct rpcsec_gss *g = arg;
	struct rpcsec_gss_fetch *fe, *next;

	(void)c;
	for (fe = g->fetches; fe != NULL; fe = next) {
		next = fe->next;
		if (!fe->sent && rpcsec_gss_fetch_send(g, fe) == -1)
			rpcsec_gss_fetch_done(NULL, NULL, fe);
	}
}

/*
 * A call whose context is not here (nfsd restarted): held while gssd is
 * asked for it once, or until gssd is back, for RPCSEC_GSS_FETCH_WAIT
 * seconds at most.
 */
static void
rpcsec_gss_hold(struct rpcsec_gss *g, struct rpcsvc_call *call)
{
	struct timeval tv = { RPCSEC_GSS_FETCH_WAIT, 0 };
	struct rpcsec_gss_fetch *fe;
	struct rpcsec_gss_held *h;
	struct rpcsec_gss_host *host = NULL;

	for (fe = g->fetches; fe != NULL; fe = fe->next)
		if (fe->handle_len == call->auth.handle_len &&
		    memcmp(fe->handle, call->auth.handle,
		    fe->handle_len) == 0)
			break;
	/*
	 * A new FETCH counts with the address's INITs: one client's made-up
	 * handles cannot keep gssd busy for the others.
	 */
	if (fe == NULL && ((host = rpcsec_gss_host(g, call->peer_key)) ==
	    NULL || host->creating >= g->per_host)) {
		g->stats.limited++;
		log_warnx_rl("%s: RPCSEC_GSS: unknown contexts and INITs of "
		    "this address with gssd at the limit ([nfsd] gss contexts "
		    "in creation per host)", call->peer_name);
		rpcsvc_reply_auth_error(call, RPCSEC_GSS_CREDPROBLEM);
		return;
	}
	if (g->nheld >= RPCSEC_GSS_HELD_MAX || (fe == NULL &&
	    g->nfetches >= RPCSEC_GSS_FETCHES_MAX) ||
	    (h = calloc(1, sizeof(*h))) == NULL) {
		rpcsvc_reply_auth_error(call, RPCSEC_GSS_CREDPROBLEM);
		return;
	}
	h->call = call;
	if (fe == NULL) {
		if ((fe = calloc(1, sizeof(*fe))) == NULL ||
		    (fe->timer = evtimer_new(g->base,
		    rpcsec_gss_fetch_timeout, fe)) == NULL) {
			free(fe);
			free(h);
			rpcsvc_reply_auth_error(call, RPCSEC_GSS_CREDPROBLEM);
			return;
		}
		fe->gss = g;
		fe->host = host;
		host->creating++;
		memcpy(fe->handle, call->auth.handle, call->auth.handle_len);
		fe->handle_len = call->auth.handle_len;
		fe->next = g->fetches;
		g->fetches = fe;
		g->nfetches++;
		if (rpcsec_gss_fetch_send(g, fe) == -1)
			evtimer_add(fe->timer, &tv);
	}
	h->next = fe->held;
	fe->held = h;
	fe->nheld++;
	g->nheld++;
}

static void
rpcsec_gss_destroyed(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	(void)ch;
	(void)msg;
	(void)arg;
}

/* RFC 2203 5.4: RPCSEC_GSS_DESTROY, answered, then the context goes. */
static void
rpcsec_gss_destroy(struct rpcsec_gss *g, struct rpcsvc_call *call)
{
	struct rpcauth_context *ctx = call->auth.ctx;
	struct ipc_channel *ch;
	gssd_rpcsec_handle_req req;

	if (g->gssd != NULL && (ch = ipc_client_channel(g->gssd)) != NULL) {
		req.handle.handle_val = (char *)ctx->handle;
		req.handle.handle_len = ctx->handle_len;
		(void)ipc_call(ch, GSSD_RPCSEC_DESTROY, -1,
		    (xdrproc_t)xdr_gssd_rpcsec_handle_req, &req,
		    rpcsec_gss_destroyed, NULL);
	}
	rpcsvc_reply_with(call, NULL, NULL);
	rpcsec_gss_ctx_free(g, ctx);
	g->stats.destroyed++;
}

static void
rpcsec_gss_control(const struct rpcauth_flavor *f, struct rpcsvc_call *call)
{
	struct rpcsec_gss *g = f->arg;

	switch (call->auth.control) {
	case RPCAUTH_CONTROL_HOLD:
		rpcsec_gss_hold(g, call);
		return;
	case RPCAUTH_CONTROL_INIT:
		rpcsec_gss_init(g, call);
		return;
	case RPCAUTH_CONTROL_DESTROY:
		rpcsec_gss_destroy(g, call);
		return;
	}
	rpcsvc_call_drop(call);
}

struct rpcsec_gss *
rpcsec_gss_new(const struct rpcsec_gss_mech *mech)
{
	struct rpcsec_gss *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	if ((g->contexts = rpcauth_contexts_new()) == NULL) {
		free(g);
		return NULL;
	}
	g->mech = mech;
	g->per_host = 8;
	g->flavor.flavor = RPCSEC_GSS;
	g->flavor.name = "RPCSEC_GSS";
	g->flavor.arg = g;
	g->flavor.verify = rpcsec_gss_verify;
	g->flavor.unwrap = rpcsec_gss_unwrap;
	g->flavor.wrap = rpcsec_gss_wrap;
	g->flavor.reply_verf = rpcsec_gss_reply_verf;
	g->flavor.control = rpcsec_gss_control;
	return g;
}

void
rpcsec_gss_free(struct rpcsec_gss *g)
{
	if (g == NULL)
		return;
	while (rpcauth_contexts_count(g->contexts) > 0)
		rpcsec_gss_ctx_free(g, rpcauth_context_at(g->contexts, 0));
	rpcauth_contexts_free(g->contexts);
	if (g->gssd != NULL)
		ipc_client_free(g->gssd);
	free(g);
}

const struct rpcauth_flavor *
rpcsec_gss_flavor(struct rpcsec_gss *g)
{
	return &g->flavor;
}

static void
rpcsec_gss_gssd_message(struct ipc_channel *ch, struct ipc_msg *msg,
    void *arg)
{
	(void)ch;
	(void)arg;
	if (msg->fd != -1)
		close(msg->fd);
	log_warnx("gssd: unexpected message type %u", msg->hdr.type);
}

int
rpcsec_gss_use_gssd(struct rpcsec_gss *g, struct event_base *base,
    const char *path, long expect_uid, size_t per_host)
{
	g->gssd = ipc_client_new(base, path, IPC_ROLE_NFSD, "nfsd", 0,
	    rpcsec_gss_gssd_message, g);
	if (g->gssd == NULL)
		return -1;
	g->base = base;
	if (expect_uid != -1)
		ipc_client_expect_uid(g->gssd, (uid_t)expect_uid);
	ipc_client_set_callbacks(g->gssd, rpcsec_gss_gssd_ready, NULL);
	ipc_client_set_backoff(g->gssd, 100, 5000);
	ipc_client_start(g->gssd);
	g->per_host = per_host;
	return 0;
}

void
rpcsec_gss_set_per_host(struct rpcsec_gss *g, size_t n)
{
	g->per_host = n;
}

void
rpcsec_gss_stats_get(const struct rpcsec_gss *g, struct rpcsec_gss_stats *s)
{
	*s = g->stats;
	s->contexts = rpcauth_contexts_count(g->contexts);
}

/* ---- gssd as the initiator, for nfsd's NFSv4.0 callbacks ---- */

/*
 * gssd opens no network socket: while it gets the tickets of a callback
 * context it answers GSSD_KDC_SEND, and we relay the message to the
 * realm's KDC and its reply back (GSSD_RPCSEC_KDC), as often as gssd
 * asks within RPCSEC_GSS_KDC_ROUNDS (an AS exchange with
 * pre-authentication is two, a TGS exchange one per realm crossed).
 */
#define RPCSEC_GSS_KDC_ROUNDS	12

struct rpcsec_gss_initiate {
	struct rpcsec_gss	*gss;
	rpcsec_gss_initiate_fn	*fn;
	void			*arg;
	unsigned int		 kdc_rounds;
	uint8_t			 handle[GSSD_HANDLE_MAX];
	size_t			 handle_len;
};

static void	rpcsec_gss_initiate_done(struct ipc_channel *,
		    struct ipc_msg *, void *);

/* The end of a relay: the KDC's reply (or none) to gssd. */
static void
rpcsec_gss_kdc_reply(void *arg, const uint8_t *reply, size_t len,
    const char *why)
{
	struct rpcsec_gss_initiate *w = arg;
	struct ipc_channel *ch;
	gssd_rpcsec_kdc_req req;

	if (reply == NULL)
		log_warnx_rl("NFSv4.0 GSS callback: no KDC answered: %s", why);
	memset(&req, 0, sizeof(req));
	req.handle.handle_val = (char *)w->handle;
	req.handle.handle_len = (u_int)w->handle_len;
	req.ok = reply != NULL;
	req.reply.reply_val = (char *)(uintptr_t)reply;
	req.reply.reply_len = (u_int)len;
	if ((ch = ipc_client_channel(w->gss->gssd)) == NULL ||
	    ipc_call(ch, GSSD_RPCSEC_KDC, -1,
	    (xdrproc_t)xdr_gssd_rpcsec_kdc_req, &req,
	    rpcsec_gss_initiate_done, w) == -1) {
		w->fn(w->arg, NULL);
		free(w);
	}
}

/* GSSD_KDC_SEND: the message to one of the realm's KDCs.  -1: not sent. */
static int
rpcsec_gss_kdc_send(struct rpcsec_gss_initiate *w, struct ipc_msg *msg)
{
	struct kdc_addr addrs[KDC_SEND_ENTRIES_MAX];
	gssd_kdc_send ks;
	const char *why;
	size_t i, n = 0;
	int rc = -1;

	memset(&ks, 0, sizeof(ks));
	if (ipc_decode(msg, (xdrproc_t)xdr_gssd_kdc_send, &ks) == -1) {
		log_warnx("gssd: a malformed GSSD_KDC_SEND");
		return -1;
	}
	if (++w->kdc_rounds > RPCSEC_GSS_KDC_ROUNDS ||
	    ks.handle.handle_len == 0 || ks.kdcs.kdcs_len >
	    KDC_SEND_ENTRIES_MAX) {
		log_warnx_rl("gssd: GSSD_KDC_SEND for realm %s: more than %u "
		    "KDC exchanges, or no handle", ks.realm,
		    RPCSEC_GSS_KDC_ROUNDS);
		goto out;
	}
	memcpy(w->handle, ks.handle.handle_val, ks.handle.handle_len);
	w->handle_len = ks.handle.handle_len;
	for (i = 0; i < ks.kdcs.kdcs_len; i++) {
		if (kdc_addr_parse(ks.kdcs.kdcs_val[i], &addrs[n], &why) ==
		    -1) {
			log_warnx_rl("realm %s: kdc \"%s\": %s", ks.realm,
			    ks.kdcs.kdcs_val[i], why);
			continue;
		}
		n++;
	}
	if (n == 0) {
		log_warnx_rl("realm %s: no kdc entry nfsd can reach (gssd's "
		    "krb5.conf)", ks.realm);
		goto out;
	}
	if (kdc_send_start(w->gss->base, addrs, n, ks.tcp_only,
	    (const uint8_t *)ks.request.request_val, ks.request.request_len,
	    rpcsec_gss_kdc_reply, w) == NULL) {
		log_warn("realm %s: the KDC relay", ks.realm);
		goto out;
	}
	rc = 0;
out:
	xdr_free((xdrproc_t)xdr_gssd_kdc_send, &ks);
	return rc;
}

static void
rpcsec_gss_initiate_done(struct ipc_channel *ch, struct ipc_msg *msg,
    void *arg)
{
	struct rpcsec_gss_initiate *w = arg;
	gssd_rpcsec_reply rep;

	(void)ch;
	if (msg != NULL && msg->hdr.type == GSSD_KDC_SEND &&
	    rpcsec_gss_kdc_send(w, msg) == 0)
		return;		/* rpcsec_gss_kdc_reply goes on */
	memset(&rep, 0, sizeof(rep));
	if (msg == NULL || msg->hdr.type != GSSD_RPCSEC_REPLY ||
	    ipc_decode(msg, (xdrproc_t)xdr_gssd_rpcsec_reply, &rep) == -1)
		w->fn(w->arg, NULL);
	else
		w->fn(w->arg, &rep);
	if (rep.context.context_val != NULL)
		explicit_bzero(rep.context.context_val,
		    rep.context.context_len);
	xdr_free((xdrproc_t)xdr_gssd_rpcsec_reply, &rep);
	free(w);
}

/* RFC 7530 3.3.3: GSSD_RPCSEC_INITIATE, answered to fn. */
int
rpcsec_gss_initiate(struct rpcsec_gss *g, const uint8_t *handle,
    size_t handle_len, const char *target, const uint8_t *tok, size_t len,
    rpcsec_gss_initiate_fn *fn, void *arg)
{
	struct rpcsec_gss_initiate *w;
	struct ipc_channel *ch;
	gssd_rpcsec_initiate_req req;

	if (g == NULL || g->gssd == NULL ||
	    (ch = ipc_client_channel(g->gssd)) == NULL) {
		errno = ENOTCONN;
		return -1;
	}
	if (handle_len > GSSD_HANDLE_MAX || len > GSSD_TOKEN_MAX) {
		errno = EINVAL;
		return -1;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->gss = g;
	w->fn = fn;
	w->arg = arg;
	memset(&req, 0, sizeof(req));
	req.handle.handle_val = (char *)(uintptr_t)handle;
	req.handle.handle_len = (u_int)handle_len;
	req.target = (char *)(uintptr_t)target;
	req.token.token_val = (char *)(uintptr_t)tok;
	req.token.token_len = (u_int)len;
	if (ipc_call(ch, GSSD_RPCSEC_INITIATE, -1,
	    (xdrproc_t)xdr_gssd_rpcsec_initiate_req, &req,
	    rpcsec_gss_initiate_done, w) == -1) {
		free(w);
		return -1;
	}
	return 0;
}

void *
rpcsec_gss_context(struct rpcsec_gss *g, const uint8_t *handle,
    size_t handle_len, uint64_t *expires, const char **principal)
{
	struct rpcauth_context *c;
	struct rpcsec_gss_ctx *gc;

	if (g == NULL || handle_len == 0 || handle_len > RPCAUTH_HANDLE_MAX ||
	    (c = rpcauth_context_find(g->contexts, handle,
	    (uint32_t)handle_len)) == NULL)
		return NULL;
	gc = c->priv;
	if (gc->expires <= (uint64_t)time(NULL))
		return NULL;
	if (expires != NULL)
		*expires = gc->expires;
	if (principal != NULL)
		*principal = gc->cred.machine;
	return gc->mech;
}

const struct rpcsec_gss_mech *
rpcsec_gss_mech_of(const struct rpcsec_gss *g)
{
	return g->mech;
}
