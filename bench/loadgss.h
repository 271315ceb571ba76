/*
 * loadgss.h: the client's side of RPCSEC_GSS (RFC 2203) for the load
 * generators (bench/nfs4load.c): a context made with
 * gss_init_sec_context from the caller's credential cache (KRB5CCNAME)
 * through INIT and CONTINUE_INIT calls, then per DATA call the
 * credential with its sequence number, the header's MIC as verifier,
 * and the body as the service says (krb5: as is; krb5i: RFC 2203 5.3.2.2
 * databody_integ and its MIC; krb5p: 5.3.2.3 databody_priv, wrapped);
 * every reply's verifier (the MIC of the call's sequence number) and
 * body (the MIC, or the unwrapping, and the sequence number inside)
 * are checked.
 *
 * The context is made by loadgss_init.h's loadgss_create, which
 * tests/clients/krb5-client.c uses too.  The per-message work is nfsd's
 * own: the krb5 mechanism table of common/rpcsec_gss_krb5.c (get_mic,
 * verify_mic, wrap, unwrap) works on its import of
 * any MIT krb5 context, the acceptor's or, here, the initiator's; the
 * decoding is common/xdrbuf.c's.  Header-only like loadgen.h, so that
 * bench/compare can build nfs4load from its .c file with those two.
 */
#ifndef BENCH_LOADGSS_H
#define BENCH_LOADGSS_H

#include "loadgss_init.h"

/* krb5, krb5i or krb5p: the service; 0 for anything else. */
static uint32_t
loadgss_service(const char *name)
{
	if (strcmp(name, "krb5") == 0)
		return LOADGSS_SVC_NONE;
	if (strcmp(name, "krb5i") == 0)
		return LOADGSS_SVC_INTEGRITY;
	if (strcmp(name, "krb5p") == 0)
		return LOADGSS_SVC_PRIVACY;
	return 0;
}

/*
 * An opaque MIC of msg (len bytes; NULL: the first len bytes of out)
 * appended to out.  0, or -1.
 */
static int
loadgss_put_mic(struct loadgss *g, struct xdrbuf_out *out, const uint8_t *msg,
    size_t len)
{
	uint8_t *p;
	size_t miclen, pad;

	if ((p = xdrbuf_reserve(out, 4 + RPCSEC_GSS_MIC_MAX)) == NULL)
		return loadgss_fail(g, "out of memory");
	out->len -= 4 + RPCSEC_GSS_MIC_MAX;
	if (g->mech->get_mic(g->mctx, msg != NULL ? msg : out->buf, len,
	    p + 4, RPCSEC_GSS_MIC_MAX - 3, &miclen) == -1)
		return loadgss_fail(g, "gss_get_mic failed");
	pad = (4 - (miclen & 3)) & 3;
	memset(p + 4 + miclen, 0, pad);
	xdrbuf_put_u32(out, (uint32_t)miclen);
	out->len += miclen + pad;
	return 0;
}

/*
 * A DATA call: its header (xid through proc, hdrlen bytes) and its
 * arguments made into the whole call message in out (replacing what it
 * had); the sequence number it took in *seq.  0, or -1.
 */
static int
loadgss_call(struct loadgss *g, const uint8_t *hdr, size_t hdrlen,
    const uint8_t *args, size_t argslen, struct xdrbuf_out *out,
    uint32_t *seq)
{
	uint8_t *p;
	size_t at, n;

	if (g->seq + 1 >= LOADGSS_MAXSEQ)
		return loadgss_fail(g, "the context's sequence numbers "
		    "are used up");
	*seq = ++g->seq;
	out->len = 0;
	xdrbuf_put_fixed(out, hdr, hdrlen);
	loadgss_put_cred(g, out, RPCSEC_GSS_DATA, *seq);
	/* RFC 2203 5.3.1: the MIC of the header up to the credential. */
	at = out->len;
	xdrbuf_put_u32(out, LOADGSS_FLAVOR);
	if (out->failed || loadgss_put_mic(g, out, NULL, at) == -1)
		return loadgss_fail(g, "the header's MIC failed");
	if (g->service == LOADGSS_SVC_NONE) {
		xdrbuf_put_fixed(out, args, argslen);
		return out->failed ? loadgss_fail(g, "out of memory") : 0;
	}
	g->body.len = 0;
	xdrbuf_put_u32(&g->body, *seq);
	xdrbuf_put_fixed(&g->body, args, argslen);
	if (g->body.failed)
		return loadgss_fail(g, "out of memory");
	if (g->service == LOADGSS_SVC_INTEGRITY) {
		/* 5.3.2.2: the body, then its MIC. */
		xdrbuf_put_opaque(out, g->body.buf, (uint32_t)g->body.len);
		if (loadgss_put_mic(g, out, g->body.buf, g->body.len) == -1)
			return -1;
	} else {
		/* 5.3.2.3: the body wrapped, as an opaque. */
		at = out->len;
		xdrbuf_put_u32(out, 0);
		if (g->mech->wrap(g->mctx, g->body.buf, g->body.len, out) == -1)
			return loadgss_fail(g, "gss_wrap failed");
		n = out->len - at - 4;
		xdrbuf_put_u32_at(out, at, (uint32_t)n);
		if ((n & 3) != 0 && (p = xdrbuf_reserve(out, 4 - (n & 3))) !=
		    NULL)
			memset(p, 0, 4 - (n & 3));
	}
	return out->failed ? loadgss_fail(g, "out of memory") : 0;
}

/*
 * The reply to a DATA call of sequence number seq, from its verifier on
 * (in is past accept_stat): the verifier must be the MIC of seq, and a
 * krb5i or krb5p body must check and carry seq.  The results in
 * *res, *reslen (in the reply, or in g->plain).  0, or -1 with the
 * reason in g->error.
 */
static int
loadgss_reply(struct loadgss *g, uint32_t seq, uint32_t flavor,
    const uint8_t *verf, uint32_t verflen, struct xdrbuf_in *in, const uint8_t **res,
    size_t *reslen)
{
	const uint8_t *d, *mic;
	uint32_t dlen, miclen;

	/* RFC 2203 5.3.3.2: the verifier is the MIC of the seq_num. */
	if (flavor != LOADGSS_FLAVOR ||
	    loadgss_verify_u32(g, seq, verf, verflen) == -1)
		return loadgss_fail(g, "a reply verifier that is not "
		    "the MIC of its call's sequence number");
	if (g->service == LOADGSS_SVC_NONE) {
		*res = in->p + in->pos;
		*reslen = xdrbuf_in_left(in);
		return 0;
	}
	if (xdrbuf_get_opaque(in, &d, &dlen, UINT32_MAX) == -1)
		return loadgss_fail(g, "a reply body that does not "
		    "parse");
	if (g->service == LOADGSS_SVC_INTEGRITY) {
		if (xdrbuf_get_opaque(in, &mic, &miclen, RPCSEC_GSS_MIC_MAX) ==
		    -1 || g->mech->verify_mic(g->mctx, d, dlen, mic, miclen) ==
		    -1)
			return loadgss_fail(g, "a krb5i reply whose MIC "
			    "does not check");
	} else {
		g->plain.len = 0;
		if (g->mech->unwrap(g->mctx, d, dlen, &g->plain) == -1)
			return loadgss_fail(g, "a krb5p reply that does "
			    "not unwrap");
		d = g->plain.buf;
		dlen = (uint32_t)g->plain.len;
	}
	if (dlen < 4 || xdrbuf_peek_u32(d) != seq)
		return loadgss_fail(g, "a reply body for another "
		    "sequence number");
	*res = d + 4;
	*reslen = dlen - 4;
	return 0;
}

#endif /* BENCH_LOADGSS_H */
