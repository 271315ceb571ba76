/*
 * The Kerberos V5 mechanism of RPCSEC_GSS (RFC 4121): a context gssd
 * exported, imported here, does the MICs and the wrapping.  No file, no
 * keytab: the keys are in the context.  For the AES enctypes (RFC 3962,
 * RFC 8009) the per-message tokens are made and checked on OpenSSL
 * (krb5_cfx.c, AES-NI); any other context stays with MIT's GSS-API.
 */
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "krb5_cfx.h"
#include "rpcsec_gss.h"

/* One of the two is set. */
struct rpcsec_gss_krb5_ctx {
	struct krb5_cfx	*cfx;
	gss_ctx_id_t	 gss;
};

void
rpcsec_gss_krb5_init(void)
{
	OM_uint32 minor;
	gss_OID_set mechs = GSS_C_NO_OID_SET;
	EVP_MAC *mac;
	uint8_t seed[16];

	/* The mechanism table is read now, not in the chroot. */
	(void)gss_indicate_mechs(&minor, &mechs);
	gss_release_oid_set(&minor, &mechs);
	/* So are OpenSSL's configuration, provider and random seed. */
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) != NULL)
		EVP_MAC_free(mac);
	(void)RAND_bytes(seed, sizeof(seed));
}

/* The lucid context's keys, if its enctypes have the OpenSSL path. */
static struct krb5_cfx *
rpcsec_gss_krb5_cfx(const gss_krb5_lucid_context_v1_t *l)
{
	const gss_krb5_cfx_keydata_t *kd = &l->cfx_kd;
	struct krb5_cfx_key key, sub;

	if (l->version != 1 || l->protocol != 1 ||
	    !krb5_cfx_supported((int32_t)kd->ctx_key.type) ||
	    (kd->have_acceptor_subkey &&
	    !krb5_cfx_supported((int32_t)kd->acceptor_subkey.type)))
		return NULL;
	key.enctype = (int32_t)kd->ctx_key.type;
	key.data = kd->ctx_key.data;
	key.len = kd->ctx_key.length;
	sub.enctype = (int32_t)kd->acceptor_subkey.type;
	sub.data = kd->acceptor_subkey.data;
	sub.len = kd->acceptor_subkey.length;
	return krb5_cfx_new(l->initiate != 0, l->send_seq, l->endtime, &key,
	    kd->have_acceptor_subkey ? &sub : NULL);
}

static gss_ctx_id_t
rpcsec_gss_krb5_import_gss(const uint8_t *tok, size_t len)
{
	gss_buffer_desc b;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	OM_uint32 major, minor;

	b.value = (void *)(uintptr_t)tok;
	b.length = len;
	major = gss_import_sec_context(&minor, &b, &ctx);
	return GSS_ERROR(major) ? GSS_C_NO_CONTEXT : ctx;
}

/*
 * MIT's lucid export deletes the context it exports: the token is
 * imported again when the context's enctype stays with MIT.
 */
static void *
rpcsec_gss_krb5_import(const uint8_t *tok, size_t len)
{
	struct rpcsec_gss_krb5_ctx *kc;
	gss_ctx_id_t ctx;
	OM_uint32 major, minor;
	void *lucid = NULL;

	if ((ctx = rpcsec_gss_krb5_import_gss(tok, len)) == GSS_C_NO_CONTEXT ||
	    (kc = calloc(1, sizeof(*kc))) == NULL) {
		if (ctx != GSS_C_NO_CONTEXT)
			gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
		return NULL;
	}
	major = gss_krb5_export_lucid_sec_context(&minor, &ctx, 1, &lucid);
	if (!GSS_ERROR(major) && lucid != NULL) {
		kc->cfx = rpcsec_gss_krb5_cfx(lucid);
		gss_krb5_free_lucid_sec_context(&minor, lucid);
	}
	if (kc->cfx == NULL && ctx == GSS_C_NO_CONTEXT)
		ctx = rpcsec_gss_krb5_import_gss(tok, len);
	if (kc->cfx != NULL && ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
	kc->gss = kc->cfx == NULL ? ctx : GSS_C_NO_CONTEXT;
	if (kc->cfx == NULL && kc->gss == GSS_C_NO_CONTEXT) {
		free(kc);
		return NULL;
	}
	return kc;
}

static void
rpcsec_gss_krb5_release(void *p)
{
	struct rpcsec_gss_krb5_ctx *kc = p;
	OM_uint32 minor;

	if (kc == NULL)
		return;
	krb5_cfx_free(kc->cfx);
	if (kc->gss != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &kc->gss, GSS_C_NO_BUFFER);
	free(kc);
}

int
rpcsec_gss_krb5_fast(const void *p)
{
	const struct rpcsec_gss_krb5_ctx *kc = p;

	return kc->cfx != NULL;
}

static int
rpcsec_gss_krb5_get_mic(void *p, const uint8_t *msg, size_t len,
    uint8_t *mic, size_t max, size_t *miclen)
{
	struct rpcsec_gss_krb5_ctx *kc = p;
	gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	int rc = -1;

	if (kc->cfx != NULL)
		return krb5_cfx_get_mic(kc->cfx, msg, len, mic, max, miclen);

	in.value = (void *)(uintptr_t)msg;
	in.length = len;
	major = gss_get_mic(&minor, kc->gss, GSS_C_QOP_DEFAULT, &in, &out);
	if (!GSS_ERROR(major) && out.length <= max) {
		memcpy(mic, out.value, out.length);
		*miclen = out.length;
		rc = 0;
	}
	gss_release_buffer(&minor, &out);
	return rc;
}

static int
rpcsec_gss_krb5_verify_mic(void *p, const uint8_t *msg, size_t len,
    const uint8_t *mic, size_t miclen)
{
	struct rpcsec_gss_krb5_ctx *kc = p;
	gss_buffer_desc in, tok;
	OM_uint32 major, minor;

	if (kc->cfx != NULL)
		return krb5_cfx_verify_mic(kc->cfx, msg, len, mic, miclen);

	in.value = (void *)(uintptr_t)msg;
	in.length = len;
	tok.value = (void *)(uintptr_t)mic;
	tok.length = miclen;
	/* Duplicates are the window's business (RFC 2203 5.3.3.1). */
	major = gss_verify_mic(&minor, kc->gss, &in, &tok, NULL);
	return GSS_ERROR(major) ? -1 : 0;
}

static int
rpcsec_gss_krb5_wrap(void *ctx, const uint8_t *msg, size_t len,
    struct xdrbuf_out *out)
{
	struct rpcsec_gss_krb5_ctx *kc = ctx;
	gss_buffer_desc in, tok = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	int conf = 0, rc = -1;
	uint8_t *p;

	if (kc->cfx != NULL)
		return krb5_cfx_wrap(kc->cfx, msg, len, out);

	in.value = (void *)(uintptr_t)msg;
	in.length = len;
	major = gss_wrap(&minor, kc->gss, 1, GSS_C_QOP_DEFAULT, &in, &conf, &tok);
	if (!GSS_ERROR(major) && conf &&
	    (p = xdrbuf_reserve(out, tok.length)) != NULL) {
		memcpy(p, tok.value, tok.length);
		rc = 0;
	}
	gss_release_buffer(&minor, &tok);
	return rc;
}

static int
rpcsec_gss_krb5_wrap_head(void *ctx, const uint8_t *head, size_t headlen,
    const uint8_t *msg, size_t len, struct xdrbuf_out *out)
{
	struct rpcsec_gss_krb5_ctx *kc = ctx;
	uint8_t *buf;
	int rc;

	if (kc->cfx != NULL)
		return krb5_cfx_wrap_head(kc->cfx, head, headlen, msg, len,
		    out);
	/* MIT's gss_wrap takes one buffer. */
	if (len > SIZE_MAX - headlen || (buf = malloc(headlen + len + 1)) ==
	    NULL)
		return -1;
	memcpy(buf, head, headlen);
	if (len > 0)
		memcpy(buf + headlen, msg, len);
	rc = rpcsec_gss_krb5_wrap(ctx, buf, headlen + len, out);
	free(buf);
	return rc;
}

static int
rpcsec_gss_krb5_unwrap(void *ctx, const uint8_t *tok, size_t len,
    struct xdrbuf_out *out)
{
	struct rpcsec_gss_krb5_ctx *kc = ctx;
	gss_buffer_desc in, plain = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	int conf = 0, rc = -1;
	uint8_t *p;

	if (kc->cfx != NULL)
		return krb5_cfx_unwrap(kc->cfx, tok, len, out);

	in.value = (void *)(uintptr_t)tok;
	in.length = len;
	major = gss_unwrap(&minor, kc->gss, &in, &plain, &conf, NULL);
	/* krb5p: sealed, not merely integrity-protected. */
	if (!GSS_ERROR(major) && conf &&
	    (p = xdrbuf_reserve(out, plain.length)) != NULL) {
		memcpy(p, plain.value, plain.length);
		rc = 0;
	}
	if (plain.value != NULL)
		memset(plain.value, 0, plain.length);
	gss_release_buffer(&minor, &plain);
	return rc;
}

const struct rpcsec_gss_mech rpcsec_gss_krb5 = {
	.name = "krb5",
	.import = rpcsec_gss_krb5_import,
	.release = rpcsec_gss_krb5_release,
	.get_mic = rpcsec_gss_krb5_get_mic,
	.verify_mic = rpcsec_gss_krb5_verify_mic,
	.wrap = rpcsec_gss_krb5_wrap,
	.wrap_head = rpcsec_gss_krb5_wrap_head,
	.unwrap = rpcsec_gss_krb5_unwrap,
};
