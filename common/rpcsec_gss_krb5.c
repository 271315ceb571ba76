/*
 * The Kerberos V5 mechanism of RPCSEC_GSS (RFC 4121 through MIT krb5's
 * GSS-API): a context gssd exported, imported here, does the MICs and
 * the wrapping.  No file, no keytab: the keys are in the context.
 */
#include <string.h>

#include <gssapi/gssapi.h>

#include "rpcsec_gss.h"

void
rpcsec_gss_krb5_init(void)
{
	OM_uint32 minor;
	gss_OID_set mechs = GSS_C_NO_OID_SET;

	/* The mechanism table is read now, not in the chroot. */
	(void)gss_indicate_mechs(&minor, &mechs);
	gss_release_oid_set(&minor, &mechs);
}

static void *
rpcsec_gss_krb5_import(const uint8_t *tok, size_t len)
{
	gss_buffer_desc b;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	OM_uint32 major, minor;

	b.value = (void *)(uintptr_t)tok;
	b.length = len;
	major = gss_import_sec_context(&minor, &b, &ctx);
	if (GSS_ERROR(major))
		return NULL;
	return ctx;
}

static void
rpcsec_gss_krb5_release(void *p)
{
	gss_ctx_id_t ctx = p;
	OM_uint32 minor;

	if (ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
}

static int
rpcsec_gss_krb5_get_mic(void *ctx, const uint8_t *msg, size_t len,
    uint8_t *mic, size_t max, size_t *miclen)
{
	gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	int rc = -1;

	in.value = (void *)(uintptr_t)msg;
	in.length = len;
	major = gss_get_mic(&minor, ctx, GSS_C_QOP_DEFAULT, &in, &out);
	if (!GSS_ERROR(major) && out.length <= max) {
		memcpy(mic, out.value, out.length);
		*miclen = out.length;
		rc = 0;
	}
	gss_release_buffer(&minor, &out);
	return rc;
}

static int
rpcsec_gss_krb5_verify_mic(void *ctx, const uint8_t *msg, size_t len,
    const uint8_t *mic, size_t miclen)
{
	gss_buffer_desc in, tok;
	OM_uint32 major, minor;

	in.value = (void *)(uintptr_t)msg;
	in.length = len;
	tok.value = (void *)(uintptr_t)mic;
	tok.length = miclen;
	/* Duplicates are the window's business (RFC 2203 5.3.3.1). */
	major = gss_verify_mic(&minor, ctx, &in, &tok, NULL);
	return GSS_ERROR(major) ? -1 : 0;
}

static int
rpcsec_gss_krb5_wrap(void *ctx, const uint8_t *msg, size_t len,
    struct xdrbuf_out *out)
{
	gss_buffer_desc in, tok = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	int conf = 0, rc = -1;
	uint8_t *p;

	in.value = (void *)(uintptr_t)msg;
	in.length = len;
	major = gss_wrap(&minor, ctx, 1, GSS_C_QOP_DEFAULT, &in, &conf, &tok);
	if (!GSS_ERROR(major) && conf &&
	    (p = xdrbuf_reserve(out, tok.length)) != NULL) {
		memcpy(p, tok.value, tok.length);
		rc = 0;
	}
	gss_release_buffer(&minor, &tok);
	return rc;
}

static int
rpcsec_gss_krb5_unwrap(void *ctx, const uint8_t *tok, size_t len,
    struct xdrbuf_out *out)
{
	gss_buffer_desc in, plain = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	int conf = 0, rc = -1;
	uint8_t *p;

	in.value = (void *)(uintptr_t)tok;
	in.length = len;
	major = gss_unwrap(&minor, ctx, &in, &plain, &conf, NULL);
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
	.unwrap = rpcsec_gss_krb5_unwrap,
};
