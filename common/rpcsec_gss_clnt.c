/*
 * RPCSEC_GSS, the caller's side (RFC 2203 5.2, 5.3): a call's record
 * under a context, and the reply's checks, for nfsd's NFSv4.0 callbacks
 * (nfsd/v4/cb_gss.c), where the client's callback service is the
 * acceptor.  The per-message work goes through the same mechanism table
 * as the server side; nothing here does I/O.
 */
#include <string.h>

#include "rpcauth.h"
#include "rpcmsg.h"
#include "rpcsec_gss.h"

static void
rpcsec_gss_be32(uint8_t b[4], uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* RFC 2203 5.3.1, 5.3.2: the call's record, from its xid on. */
int
rpcsec_gss_call_encode(struct xdrbuf_out *o, const struct rpcsec_gss_mech *m,
    void *ctx, const struct rpcsec_gss_call_head *h, const uint8_t *args,
    size_t len)
{
	struct xdrbuf_out cred, data;
	uint8_t mic[RPCSEC_GSS_MIC_MAX], *p;
	size_t miclen, start = o->len;
	int rc = -1;

	xdrbuf_put_u32(o, h->xid);
	xdrbuf_put_u32(o, RPC_CALL);
	xdrbuf_put_u32(o, 2);
	xdrbuf_put_u32(o, h->prog);
	xdrbuf_put_u32(o, h->vers);
	xdrbuf_put_u32(o, h->proc);
	xdrbuf_out_init(&cred);
	xdrbuf_out_init(&data);
	xdrbuf_put_u32(&cred, RPCSEC_GSS_VERS_1);
	xdrbuf_put_u32(&cred, h->gss_proc);
	xdrbuf_put_u32(&cred, h->seq);
	xdrbuf_put_u32(&cred, h->service);
	xdrbuf_put_opaque(&cred, h->handle, (uint32_t)h->handle_len);
	xdrbuf_put_u32(o, RPCSEC_GSS);
	xdrbuf_put_opaque(o, cred.buf, (uint32_t)cred.len);
	if (cred.failed || o->failed)
		goto out;
	if (h->gss_proc != RPCSEC_GSS_DATA) {
		/* INIT, CONTINUE_INIT: no verifier, the token as it is. */
		xdrbuf_put_u32(o, RPC_AUTH_NULL);
		xdrbuf_put_u32(o, 0);
	} else {
		/* The header's MIC, from the xid to the credential's end. */
		if (m->get_mic(ctx, o->buf + start, o->len - start, mic,
		    sizeof(mic), &miclen) == -1)
			goto out;
		xdrbuf_put_u32(o, RPCSEC_GSS);
		xdrbuf_put_opaque(o, mic, (uint32_t)miclen);
	}
	if (h->gss_proc != RPCSEC_GSS_DATA ||
	    h->service == RPCSEC_GSS_SVC_NONE) {
		if (len > 0 && (p = xdrbuf_reserve(o, len)) != NULL)
			memcpy(p, args, len);
		rc = o->failed ? -1 : 0;
		goto out;
	}
	/* rpc_gss_data_t: the sequence number, then the arguments. */
	xdrbuf_put_u32(&data, h->seq);
	if (len > 0 && (p = xdrbuf_reserve(&data, len)) != NULL)
		memcpy(p, args, len);
	if (data.failed)
		goto out;
	if (h->service == RPCSEC_GSS_SVC_INTEGRITY) {
		if (m->get_mic(ctx, data.buf, data.len, mic, sizeof(mic),
		    &miclen) == -1)
			goto out;
		xdrbuf_put_opaque(o, data.buf, (uint32_t)data.len);
		xdrbuf_put_opaque(o, mic, (uint32_t)miclen);
	} else if (h->service == RPCSEC_GSS_SVC_PRIVACY) {
		/* The sealed token's length, filled in after. */
		size_t at = o->len;

		xdrbuf_put_u32(o, 0);
		if (m->wrap(ctx, data.buf, data.len, o) == -1 || o->failed)
			goto out;
		xdrbuf_put_u32_at(o, at, (uint32_t)(o->len - at - 4));
		while ((o->len & 3) != 0 && (p = xdrbuf_reserve(o, 1)) != NULL)
			*p = 0;
	} else
		goto out;
	rc = o->failed ? -1 : 0;
out:
	xdrbuf_out_free(&cred);
	if (data.buf != NULL)
		memset(data.buf, 0, data.len);
	xdrbuf_out_free(&data);
	return rc;
}

/* RFC 5531 9: an accepted reply with SUCCESS; its verifier and results. */
int
rpcsec_gss_reply_decode(const uint8_t *rec, size_t len,
    struct rpcsec_gss_reply *r, const char **why)
{
	struct xdrbuf_in x;
	uint32_t xid, type, stat, accept;

	memset(r, 0, sizeof(*r));
	xdrbuf_in_init(&x, rec, len);
	if (xdrbuf_get_u32(&x, &xid) == -1 ||
	    xdrbuf_get_u32(&x, &type) == -1 || type != RPC_REPLY ||
	    xdrbuf_get_u32(&x, &stat) == -1) {
		*why = "malformed reply";
		return -1;
	}
	if (stat != RPC_MSG_ACCEPTED) {
		*why = "call denied (an authentication error)";
		return -1;
	}
	if (xdrbuf_get_u32(&x, &r->verf_flavor) == -1 ||
	    xdrbuf_get_opaque(&x, &r->verf, &r->verf_len,
	    RPC_AUTH_BODY_MAX) == -1 || xdrbuf_get_u32(&x, &accept) == -1) {
		*why = "malformed reply";
		return -1;
	}
	if (accept != RPC_SUCCESS) {
		*why = "call not accepted (accept_stat not SUCCESS)";
		return -1;
	}
	r->res = rec + x.pos;
	r->res_len = xdrbuf_in_left(&x);
	return 0;
}

/* RFC 2203 5.2.3.1: rpc_gss_init_res. */
int
rpcsec_gss_init_res_decode(const uint8_t *p, size_t len,
    struct rpcsec_gss_init_res *r)
{
	struct xdrbuf_in x;

	memset(r, 0, sizeof(*r));
	xdrbuf_in_init(&x, p, len);
	if (xdrbuf_get_opaque(&x, &r->handle, &r->handle_len,
	    RPCAUTH_HANDLE_MAX) == -1 ||
	    xdrbuf_get_u32(&x, &r->major) == -1 ||
	    xdrbuf_get_u32(&x, &r->minor) == -1 ||
	    xdrbuf_get_u32(&x, &r->window) == -1 ||
	    xdrbuf_get_opaque(&x, &r->token, &r->token_len,
	    RPCSEC_GSS_TOKEN_MAX) == -1)
		return -1;
	return 0;
}

/*
 * A MIC of one number (RFC 2203 5.2.3.1: the window of an INIT reply;
 * 5.3.3.2: the sequence number of a DATA reply): 0 when it checks.
 */
int
rpcsec_gss_verify_u32(const struct rpcsec_gss_mech *m, void *ctx,
    uint32_t v, const uint8_t *mic, size_t len)
{
	uint8_t b[4];

	rpcsec_gss_be32(b, v);
	return m->verify_mic(ctx, b, 4, mic, len);
}

/* RFC 2203 5.3.3.2, 5.3.2.2, 5.3.2.3: a DATA reply's results. */
int
rpcsec_gss_reply_results(const struct rpcsec_gss_mech *m, void *ctx,
    uint32_t service, uint32_t seq, const struct rpcsec_gss_reply *r,
    struct xdrbuf_out *out, const char **why)
{
	struct xdrbuf_in x;
	struct xdrbuf_out plain;
	const uint8_t *body, *mic;
	uint32_t blen, miclen, inner;
	uint8_t *p;
	int rc = -1;

	if (r->verf_flavor != RPCSEC_GSS ||
	    rpcsec_gss_verify_u32(m, ctx, seq, r->verf, r->verf_len) == -1) {
		*why = "the reply's verifier does not check";
		return -1;
	}
	xdrbuf_out_init(&plain);
	xdrbuf_in_init(&x, r->res, r->res_len);
	switch (service) {
	case RPCSEC_GSS_SVC_NONE:
		body = r->res;
		blen = (uint32_t)r->res_len;
		break;
	case RPCSEC_GSS_SVC_INTEGRITY:
		if (xdrbuf_get_opaque(&x, &body, &blen, RPCSEC_GSS_TOKEN_MAX) ==
		    -1 || xdrbuf_get_opaque(&x, &mic, &miclen,
		    RPCSEC_GSS_MIC_MAX) == -1 ||
		    m->verify_mic(ctx, body, blen, mic, miclen) == -1) {
			*why = "the krb5i reply's checksum does not check";
			goto out;
		}
		break;
	case RPCSEC_GSS_SVC_PRIVACY:
		if (xdrbuf_get_opaque(&x, &body, &blen, RPCSEC_GSS_TOKEN_MAX) ==
		    -1 || m->unwrap(ctx, body, blen, &plain) == -1 ||
		    plain.failed) {
			*why = "the krb5p reply does not unwrap";
			goto out;
		}
		body = plain.buf;
		blen = (uint32_t)plain.len;
		break;
	default:
		*why = "unknown service";
		goto out;
	}
	if (service != RPCSEC_GSS_SVC_NONE) {
		/* rpc_gss_data_t: the call's sequence number first. */
		xdrbuf_in_init(&x, body, blen);
		if (xdrbuf_get_u32(&x, &inner) == -1 || inner != seq) {
			*why = "the reply's sequence number is not the call's";
			goto out;
		}
		body += 4;
		blen -= 4;
	}
	if (blen > 0 && (p = xdrbuf_reserve(out, blen)) != NULL)
		memcpy(p, body, blen);
	rc = out->failed ? -1 : 0;
	if (rc == -1)
		*why = "no memory";
out:
	if (plain.buf != NULL)
		memset(plain.buf, 0, plain.len);
	xdrbuf_out_free(&plain);
	return rc;
}
