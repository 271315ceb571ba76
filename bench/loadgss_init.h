/*
 * loadgss_init.h: the client's side of an RPCSEC_GSS context's
 * creation (RFC 2203 5.2): gss_init_sec_context from the caller's
 * credential cache (KRB5CCNAME) through INIT and CONTINUE_INIT calls,
 * the final reply's verifier checked.  The one loop both the load
 * generators (bench/loadgss.h, which adds the per-message work) and
 * tests/clients/krb5-client.c use; the caller sends and receives.
 * Header-only like loadgen.h, for bench/compare's builds; with
 * common/rpcsec_gss_krb5.c and common/xdrbuf.c.
 */
#ifndef BENCH_LOADGSS_INIT_H
#define BENCH_LOADGSS_INIT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

#include "rpcsec_gss.h"
#include "xdrbuf.h"

#define LOADGSS_FLAVOR		6	/* RPCSEC_GSS */
#define LOADGSS_HANDLE_MAX	128
/* RFC 2203 5: rpc_gss_service_t */
#define LOADGSS_SVC_NONE	1
#define LOADGSS_SVC_INTEGRITY	2
#define LOADGSS_SVC_PRIVACY	3
/* RFC 2203 5.3.3.1: sequence numbers stay below MAXSEQ. */
#define LOADGSS_MAXSEQ		0x80000000u

struct loadgss {
	const struct rpcsec_gss_mech	*mech;
	gss_ctx_id_t			 ctx;		/* MIT's */
	void				*mctx;		/* mech's, a copy */
	uint32_t			 service;
	uint8_t				 handle[LOADGSS_HANDLE_MAX];
	uint32_t			 handle_len;
	uint32_t			 window;
	uint32_t			 seq;		/* the last one sent */
	struct xdrbuf_out		 body;		/* seq + args */
	struct xdrbuf_out		 plain;		/* a reply's results */
	char				 error[256];
};

/*
 * The caller's blocking exchange: send the call message (xid first, no
 * record mark) and point *reply at the whole reply message to the same
 * xid.  0, or -1 when no reply came.
 */
typedef int loadgss_exchange_fn(void *arg, const uint8_t *call, size_t len,
    const uint8_t **reply, size_t *replylen);

static int
loadgss_fail(struct loadgss *g, const char *why)
{
	snprintf(g->error, sizeof(g->error), "%s", why);
	return -1;
}

/* The text of a GSS status, for the error message. */
static void
loadgss_status(struct loadgss *g, const char *what, OM_uint32 major,
    OM_uint32 minor)
{
	gss_buffer_desc t = GSS_C_EMPTY_BUFFER;
	OM_uint32 m, c = 0;

	if (minor != 0)
		gss_display_status(&m, minor, GSS_C_MECH_CODE, GSS_C_NO_OID,
		    &c, &t);
	else
		gss_display_status(&m, major, GSS_C_GSS_CODE, GSS_C_NO_OID,
		    &c, &t);
	snprintf(g->error, sizeof(g->error), "%s: %.*s", what,
	    (int)t.length, t.value != NULL ? (char *)t.value : "");
	gss_release_buffer(&m, &t);
}

/* RFC 2203 5: rpc_gss_cred_vers_1_t. */
static void
loadgss_put_cred(const struct loadgss *g, struct xdrbuf_out *o,
    uint32_t gss_proc, uint32_t seq)
{
	size_t at;

	xdrbuf_put_u32(o, LOADGSS_FLAVOR);
	at = o->len;
	xdrbuf_put_u32(o, 0);
	xdrbuf_put_u32(o, RPCSEC_GSS_VERS_1);
	xdrbuf_put_u32(o, gss_proc);
	xdrbuf_put_u32(o, seq);
	xdrbuf_put_u32(o, g->service);
	xdrbuf_put_opaque(o, g->handle, gss_proc == RPCSEC_GSS_INIT ? 0 :
	    g->handle_len);
	if (!o->failed)
		xdrbuf_put_u32_at(o, at, (uint32_t)(o->len - at - 4));
}

/* The header of a call: xid, CALL, RPC version 2, prog, vers, proc. */
static void
loadgss_put_header(struct xdrbuf_out *o, uint32_t xid, uint32_t prog,
    uint32_t vers, uint32_t proc)
{
	xdrbuf_put_u32(o, xid);
	xdrbuf_put_u32(o, 0);
	xdrbuf_put_u32(o, 2);
	xdrbuf_put_u32(o, prog);
	xdrbuf_put_u32(o, vers);
	xdrbuf_put_u32(o, proc);
}

/*
 * A reply's header: the xid, accepted and SUCCESS, its verifier's
 * flavour and body.  0, or -1 with the reason in g->error.
 */
static int
loadgss_reply_header(struct loadgss *g, struct xdrbuf_in *in, uint32_t xid,
    uint32_t *flavor, const uint8_t **verf, uint32_t *verflen)
{
	uint32_t v, stat;

	if (xdrbuf_get_u32(in, &v) == -1 || v != xid ||
	    xdrbuf_get_u32(in, &v) == -1 || v != 1)
		return loadgss_fail(g, "not a reply to the call");
	if (xdrbuf_get_u32(in, &v) == -1)
		return loadgss_fail(g, "a short reply");
	if (v != 0) {
		/* MSG_DENIED: AUTH_ERROR and its auth_stat (RFC 5531 9). */
		if (xdrbuf_get_u32(in, &v) == 0 && v == 1 &&
		    xdrbuf_get_u32(in, &stat) == 0) {
			snprintf(g->error, sizeof(g->error), "the call was "
			    "denied: auth_stat %u", stat);
			return -1;
		}
		return loadgss_fail(g, "the call was denied");
	}
	if (xdrbuf_get_u32(in, flavor) == -1 ||
	    xdrbuf_get_opaque(in, verf, verflen, 400) == -1 ||
	    xdrbuf_get_u32(in, &stat) == -1)
		return loadgss_fail(g, "a short reply");
	if (stat != 0) {
		snprintf(g->error, sizeof(g->error), "the call was not "
		    "accepted: accept_stat %u", stat);
		return -1;
	}
	return 0;
}

/* Whether mic is the MIC of the 4-byte XDR of v. */
static int
loadgss_verify_u32(struct loadgss *g, uint32_t v, const uint8_t *mic,
    uint32_t miclen)
{
	uint8_t b[4];

	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
	return g->mech->verify_mic(g->mctx, b, 4, mic, miclen);
}

/*
 * The mechanism's own copy of the established context (as nfsd imports
 * one from gssd), MIT's made again from the same export for callers
 * that use it directly.  0, or -1.
 */
static int
loadgss_adopt(struct loadgss *g)
{
	gss_buffer_desc tok = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;

	major = gss_export_sec_context(&minor, &g->ctx, &tok);
	if (GSS_ERROR(major))
		return -1;
	g->mctx = g->mech->import(tok.value, tok.length);
	major = gss_import_sec_context(&minor, &tok, &g->ctx);
	gss_release_buffer(&minor, &tok);
	return g->mctx == NULL || GSS_ERROR(major) ? -1 : 0;
}

/*
 * RFC 2203 5.2: INIT, then CONTINUE_INIT while the server asks, with
 * service@host (GSS_C_NT_HOSTBASED_SERVICE) as the target, on program
 * prog version vers (its NULL procedure); xid is the first call's, the
 * next ones count up.  The final reply's verifier must be the MIC of
 * the window.  0, or -1 with the reason in g->error.
 */
static int
loadgss_create(struct loadgss *g, const char *target, uint32_t service,
    uint32_t xid, uint32_t prog, uint32_t vers, loadgss_exchange_fn *xchg,
    void *arg)
{
	gss_buffer_desc nb, in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	gss_name_t name = GSS_C_NO_NAME;
	OM_uint32 major, minor, gmajor, gminor;
	struct xdrbuf_out call;
	struct xdrbuf_in r;
	const uint8_t *rep, *verf, *h, *tok;
	uint32_t flavor, verflen, hlen, toklen, proc = RPCSEC_GSS_INIT;
	size_t replen;
	int rc = -1;

	memset(g, 0, sizeof(*g));
	g->mech = &rpcsec_gss_krb5;
	g->ctx = GSS_C_NO_CONTEXT;
	g->service = service;
	xdrbuf_out_init(&g->body);
	xdrbuf_out_init(&g->plain);
	xdrbuf_out_init(&call);
	nb.value = (void *)(uintptr_t)target;
	nb.length = strlen(target);
	major = gss_import_name(&minor, &nb, GSS_C_NT_HOSTBASED_SERVICE, &name);
	if (GSS_ERROR(major)) {
		loadgss_status(g, "gss_import_name", major, minor);
		goto done;
	}
	for (;;) {
		/* No replay or sequence flags: replies come out of order. */
		major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL,
		    &g->ctx, name, (gss_OID)gss_mech_krb5, GSS_C_MUTUAL_FLAG,
		    0, GSS_C_NO_CHANNEL_BINDINGS, &in, NULL, &out, NULL, NULL);
		if (GSS_ERROR(major)) {
			loadgss_status(g, "gss_init_sec_context", major, minor);
			goto done;
		}
		if (out.length == 0) {
			if (major == GSS_S_COMPLETE && proc != RPCSEC_GSS_INIT)
				break;
			loadgss_fail(g, "gss_init_sec_context gave no "
			    "token to send");
			goto done;
		}
		call.len = 0;
		loadgss_put_header(&call, xid++, prog, vers, 0);
		loadgss_put_cred(g, &call, proc, 0);
		xdrbuf_put_u32(&call, 0);		/* AUTH_NONE verifier */
		xdrbuf_put_u32(&call, 0);
		xdrbuf_put_opaque(&call, out.value, (uint32_t)out.length);
		gss_release_buffer(&minor, &out);
		if (call.failed) {
			loadgss_fail(g, "out of memory");
			goto done;
		}
		proc = RPCSEC_GSS_CONTINUE_INIT;
		if (xchg(arg, call.buf, call.len, &rep, &replen) == -1) {
			loadgss_fail(g, "no reply to RPCSEC_GSS_INIT");
			goto done;
		}
		xdrbuf_in_init(&r, rep, replen);
		if (loadgss_reply_header(g, &r, xdrbuf_peek_u32(call.buf),
		    &flavor, &verf, &verflen) == -1)
			goto done;
		/* RFC 2203 5.2.3.1: rpc_gss_init_res. */
		if (xdrbuf_get_opaque(&r, &h, &hlen, LOADGSS_HANDLE_MAX) == -1 ||
		    xdrbuf_get_u32(&r, &gmajor) == -1 ||
		    xdrbuf_get_u32(&r, &gminor) == -1 ||
		    xdrbuf_get_u32(&r, &g->window) == -1 ||
		    xdrbuf_get_opaque(&r, &tok, &toklen,
		    RPCSEC_GSS_TOKEN_MAX) == -1) {
			loadgss_fail(g, "an INIT reply that does not "
			    "parse");
			goto done;
		}
		if (gmajor != RPCSEC_GSS_S_COMPLETE &&
		    gmajor != RPCSEC_GSS_S_CONTINUE_NEEDED) {
			/* The server's minor code means nothing here. */
			snprintf(g->error, sizeof(g->error), "the server "
			    "refused the context: gss_major %#x", gmajor);
			goto done;
		}
		memcpy(g->handle, h, hlen);
		g->handle_len = hlen;
		in.value = (void *)(uintptr_t)tok;
		in.length = toklen;
		if (gmajor == RPCSEC_GSS_S_CONTINUE_NEEDED)
			continue;
		/* The server is done: so must we be, with its token. */
		major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL,
		    &g->ctx, name, (gss_OID)gss_mech_krb5, GSS_C_MUTUAL_FLAG,
		    0, GSS_C_NO_CHANNEL_BINDINGS, &in, NULL, &out, NULL, NULL);
		gss_release_buffer(&minor, &out);
		if (major != GSS_S_COMPLETE) {
			loadgss_status(g, "the server's token does not "
			    "complete the context", major, minor);
			goto done;
		}
		if (loadgss_adopt(g) == -1) {
			loadgss_fail(g, "the context does not export");
			goto done;
		}
		if (g->window == 0 || flavor != LOADGSS_FLAVOR ||
		    loadgss_verify_u32(g, g->window, verf, verflen) == -1) {
			loadgss_fail(g, "the INIT reply's verifier is "
			    "not the MIC of the window");
			goto done;
		}
		break;
	}
	g->error[0] = '\0';
	rc = 0;
done:
	gss_release_name(&minor, &name);
	xdrbuf_out_free(&call);
	return rc;
}

static void
loadgss_free(struct loadgss *g)
{
	OM_uint32 minor;

	if (g->ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &g->ctx, GSS_C_NO_BUFFER);
	if (g->mctx != NULL)
		g->mech->release(g->mctx);
	xdrbuf_out_free(&g->body);
	xdrbuf_out_free(&g->plain);
}

#endif /* BENCH_LOADGSS_INIT_H */
