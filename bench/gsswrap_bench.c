/*
 * gsswrap_bench: RPCSEC_GSS's per-message work on one Kerberos context,
 * MIT's GSS-API against nfsd's krb5 mechanism (common/rpcsec_gss_krb5.c,
 * which takes the OpenSSL path of common/krb5_cfx.c for the AES
 * enctypes), in one process.
 *
 *   gsswrap_bench [-c] [-e ENCTYPE] [-s SERVICE@HOST] [-t SECONDS]
 *
 * The context is made in this process: the initiator from the
 * credential cache (KRB5CCNAME), the acceptor from the keytab
 * (KRB5_KTNAME), the target SERVICE@HOST (default nfs@localhost),
 * ENCTYPE (a number) the only one the initiator allows.  Then:
 *
 *   -c  a cross-check, as TAP lines: ours as the acceptor against MIT's
 *       initiator and ours as the initiator against MIT's acceptor,
 *       Wrap and MIC tokens each way at lengths from 0 to 65537, and
 *       changed tokens refused by both;
 *   otherwise the time per gss_wrap, gss_unwrap and gss_get_mic at
 *       200 B, 4 KiB, 32 KiB and 1 MiB, MIT's (with the copy into the
 *       reply buffer nfsd made) and ours, for -t seconds each (0.3).
 *
 * Relative figures are valid on a loaded machine; absolute ones are not.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

#include "rpcsec_gss.h"
#include "xdrbuf.h"

static const struct rpcsec_gss_mech *mech = &rpcsec_gss_krb5;
static int tap_n, tap_bad;

static void
ok(int cond, const char *what, size_t len)
{
	tap_n++;
	if (!cond)
		tap_bad++;
	printf("%sok %d - %s (%zu bytes)\n", cond ? "" : "not ", tap_n, what,
	    len);
}

static void
gss_fail(const char *what, OM_uint32 major, OM_uint32 minor)
{
	OM_uint32 m, ctx = 0;
	gss_buffer_desc b;

	fprintf(stderr, "gsswrap_bench: %s:", what);
	do {
		if (GSS_ERROR(gss_display_status(&m, minor, GSS_C_MECH_CODE,
		    GSS_C_NO_OID, &ctx, &b)))
			break;
		fprintf(stderr, " %.*s", (int)b.length, (char *)b.value);
		gss_release_buffer(&m, &b);
	} while (ctx != 0);
	fprintf(stderr, " (major %#x)\n", major);
	exit(2);
}

/* Both ends of one context, made in this process. */
static void
establish(const char *target, int32_t enctype, gss_ctx_id_t *ini,
    gss_ctx_id_t *acc)
{
	gss_buffer_desc nb, itok = GSS_C_EMPTY_BUFFER, atok = GSS_C_EMPTY_BUFFER;
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	gss_name_t name;
	OM_uint32 major, minor, amajor = GSS_S_CONTINUE_NEEDED;
	krb5_enctype et = enctype;

	nb.value = (void *)(uintptr_t)target;
	nb.length = strlen(target);
	major = gss_import_name(&minor, &nb, GSS_C_NT_HOSTBASED_SERVICE, &name);
	if (GSS_ERROR(major))
		gss_fail("gss_import_name", major, minor);
	if (enctype != 0) {
		major = gss_acquire_cred(&minor, GSS_C_NO_NAME, 0,
		    GSS_C_NO_OID_SET, GSS_C_INITIATE, &cred, NULL, NULL);
		if (GSS_ERROR(major))
			gss_fail("gss_acquire_cred", major, minor);
		major = gss_krb5_set_allowable_enctypes(&minor, cred, 1, &et);
		if (GSS_ERROR(major))
			gss_fail("gss_krb5_set_allowable_enctypes", major,
			    minor);
	}
	*ini = *acc = GSS_C_NO_CONTEXT;
	for (;;) {
		/* RPCSEC_GSS's flags: mutual, no replay or sequence checks. */
		major = gss_init_sec_context(&minor, cred, ini, name,
		    (gss_OID)gss_mech_krb5, GSS_C_MUTUAL_FLAG, 0,
		    GSS_C_NO_CHANNEL_BINDINGS, &atok, NULL, &itok, NULL, NULL);
		gss_release_buffer(&minor, &atok);
		if (GSS_ERROR(major))
			gss_fail("gss_init_sec_context", major, minor);
		if (itok.length == 0)
			break;
		amajor = gss_accept_sec_context(&minor, acc,
		    GSS_C_NO_CREDENTIAL, &itok, GSS_C_NO_CHANNEL_BINDINGS,
		    NULL, NULL, &atok, NULL, NULL, NULL);
		gss_release_buffer(&minor, &itok);
		if (GSS_ERROR(amajor))
			gss_fail("gss_accept_sec_context", amajor, minor);
		if (major == GSS_S_COMPLETE)
			break;
	}
	if (major != GSS_S_COMPLETE || amajor != GSS_S_COMPLETE) {
		fprintf(stderr, "gsswrap_bench: the context is not complete\n");
		exit(2);
	}
	gss_release_name(&minor, &name);
	if (cred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&minor, &cred);
}

static gss_buffer_desc
export(gss_ctx_id_t *ctx)
{
	gss_buffer_desc tok = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;

	major = gss_export_sec_context(&minor, ctx, &tok);
	if (GSS_ERROR(major))
		gss_fail("gss_export_sec_context", major, minor);
	return tok;
}

static gss_ctx_id_t
import_mit(gss_buffer_desc *tok)
{
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	OM_uint32 major, minor;

	major = gss_import_sec_context(&minor, tok, &ctx);
	if (GSS_ERROR(major))
		gss_fail("gss_import_sec_context", major, minor);
	return ctx;
}

/* The context's enctypes, from a lucid export of another import. */
static void
describe(gss_buffer_desc *tok, const char *who)
{
	gss_ctx_id_t ctx = import_mit(tok);
	gss_krb5_lucid_context_v1_t *l;
	void *p = NULL;
	OM_uint32 major, minor;

	major = gss_krb5_export_lucid_sec_context(&minor, &ctx, 1, &p);
	if (GSS_ERROR(major))
		gss_fail("gss_krb5_export_lucid_sec_context", major, minor);
	l = p;
	printf("# %s: protocol %u, key enctype %u, acceptor subkey %s%u\n",
	    who, l->protocol, l->protocol == 1 ? l->cfx_kd.ctx_key.type :
	    l->rfc1964_kd.ctx_key.type, l->cfx_kd.have_acceptor_subkey ?
	    "enctype " : "none ", l->cfx_kd.have_acceptor_subkey ?
	    l->cfx_kd.acceptor_subkey.type : 0);
	gss_krb5_free_lucid_sec_context(&minor, p);
}

/* MIT's side of a token of ours: 0 when it checks (and gives msg back). */
static int
mit_unwrap(gss_ctx_id_t ctx, const uint8_t *tok, size_t len,
    const uint8_t *msg, size_t mlen)
{
	gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	int conf = 0, rc;

	in.value = (void *)(uintptr_t)tok;
	in.length = len;
	major = gss_unwrap(&minor, ctx, &in, &out, &conf, NULL);
	rc = !GSS_ERROR(major) && conf && out.length == mlen &&
	    (mlen == 0 || memcmp(out.value, msg, mlen) == 0) ? 0 : -1;
	gss_release_buffer(&minor, &out);
	return rc;
}

static int
mit_wrap(gss_ctx_id_t ctx, const uint8_t *msg, size_t len,
    struct xdrbuf_out *out)
{
	gss_buffer_desc in, tok = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	int conf = 0;
	uint8_t *p;

	in.value = (void *)(uintptr_t)msg;
	in.length = len;
	major = gss_wrap(&minor, ctx, 1, GSS_C_QOP_DEFAULT, &in, &conf, &tok);
	out->len = 0;
	/* As it is: xdrbuf_put_fixed would pad it to 4 bytes. */
	if (!GSS_ERROR(major) && conf &&
	    (p = xdrbuf_reserve(out, tok.length)) != NULL)
		memcpy(p, tok.value, tok.length);
	gss_release_buffer(&minor, &tok);
	return GSS_ERROR(major) || !conf || out->failed ? -1 : 0;
}

static int
mit_get_mic(gss_ctx_id_t ctx, const uint8_t *msg, size_t len, uint8_t *mic,
    size_t *miclen)
{
	gss_buffer_desc in, tok = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	int rc = -1;

	in.value = (void *)(uintptr_t)msg;
	in.length = len;
	major = gss_get_mic(&minor, ctx, GSS_C_QOP_DEFAULT, &in, &tok);
	if (!GSS_ERROR(major) && tok.length <= RPCSEC_GSS_MIC_MAX) {
		memcpy(mic, tok.value, tok.length);
		*miclen = tok.length;
		rc = 0;
	}
	gss_release_buffer(&minor, &tok);
	return rc;
}

static int
mit_verify_mic(gss_ctx_id_t ctx, const uint8_t *msg, size_t len,
    const uint8_t *mic, size_t miclen)
{
	gss_buffer_desc in, tok;
	OM_uint32 minor;

	in.value = (void *)(uintptr_t)msg;
	in.length = len;
	tok.value = (void *)(uintptr_t)mic;
	tok.length = miclen;
	return GSS_ERROR(gss_verify_mic(&minor, ctx, &in, &tok, NULL)) ? -1 : 0;
}

/* Ours (as role) against MIT's other end, every way. */
static void
cross(const char *role, void *ours, gss_ctx_id_t mit)
{
	static const size_t lens[] = { 0, 1, 4, 15, 16, 17, 31, 33, 200, 1000,
	    4096, 4097, 32768, 65537 };
	struct xdrbuf_out tok, plain;
	uint8_t *msg, mic[RPCSEC_GSS_MIC_MAX];
	size_t i, miclen, len, at;
	char what[160];
	int good;

	xdrbuf_out_init(&tok);
	xdrbuf_out_init(&plain);
	if ((msg = malloc(65537 + 4)) == NULL)
		abort();
	for (i = 0; i < 65537 + 4; i++)
		msg[i] = (uint8_t)(i * 131 + 17);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		len = lens[i];
		tok.len = 0;
		snprintf(what, sizeof(what), "%s: our Wrap token, MIT unwraps",
		    role);
		ok(mech->wrap(ours, msg, len, &tok) == 0 &&
		    mit_unwrap(mit, tok.buf, tok.len, msg, len) == 0, what, len);
		tok.len = 0;
		snprintf(what, sizeof(what), "%s: our Wrap token of a head "
		    "and a message, MIT unwraps them as one", role);
		ok(mech->wrap_head(ours, msg, 4, msg + 4, len, &tok) == 0 &&
		    mit_unwrap(mit, tok.buf, tok.len, msg, len + 4) == 0, what,
		    len + 4);
		at = tok.len > 16 ? 16 + (len * 7) % (tok.len - 16) : 0;
		tok.buf[at] ^= 0x10;
		snprintf(what, sizeof(what), "%s: our Wrap token changed at "
		    "%zu, MIT refuses", role, at);
		ok(mit_unwrap(mit, tok.buf, tok.len, msg, len) == -1, what,
		    len);
		plain.len = 0;
		snprintf(what, sizeof(what), "%s: MIT's Wrap token, we unwrap",
		    role);
		good = mit_wrap(mit, msg, len, &tok) == 0 &&
		    mech->unwrap(ours, tok.buf, tok.len, &plain) == 0 &&
		    plain.len == len && memcmp(plain.buf, msg, len) == 0;
		ok(good, what, len);
		at = tok.len > 16 ? 16 + (len * 5) % (tok.len - 16) : 0;
		tok.buf[at] ^= 0x01;
		plain.len = 0;
		snprintf(what, sizeof(what), "%s: MIT's Wrap token changed at "
		    "%zu, we refuse", role, at);
		ok(mech->unwrap(ours, tok.buf, tok.len, &plain) == -1, what,
		    len);
		snprintf(what, sizeof(what), "%s: our MIC, MIT verifies",
		    role);
		ok(mech->get_mic(ours, msg, len, mic, sizeof(mic), &miclen) ==
		    0 && mit_verify_mic(mit, msg, len, mic, miclen) == 0, what,
		    len);
		mic[miclen - 1] ^= 0x04;
		snprintf(what, sizeof(what), "%s: our MIC changed, MIT "
		    "refuses", role);
		ok(mit_verify_mic(mit, msg, len, mic, miclen) == -1, what, len);
		snprintf(what, sizeof(what), "%s: MIT's MIC, we verify", role);
		ok(mit_get_mic(mit, msg, len, mic, &miclen) == 0 &&
		    mech->verify_mic(ours, msg, len, mic, miclen) == 0, what,
		    len);
		if (len > 0) {
			msg[len / 2] ^= 0x40;
			snprintf(what, sizeof(what), "%s: MIT's MIC of another "
			    "message, we refuse", role);
			ok(mech->verify_mic(ours, msg, len, mic, miclen) == -1,
			    what, len);
			msg[len / 2] ^= 0x40;
		}
	}
	free(msg);
	xdrbuf_out_free(&tok);
	xdrbuf_out_free(&plain);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum op { OP_WRAP, OP_UNWRAP, OP_MIC };

/* Nanoseconds per operation, for secs seconds. */
static double
timeit(enum op op, int ours, void *octx, gss_ctx_id_t mctx,
    const uint8_t *msg, size_t len, const struct xdrbuf_out *peer_tok,
    double secs)
{
	struct xdrbuf_out out;
	gss_buffer_desc in, tok;
	OM_uint32 minor;
	uint8_t mic[RPCSEC_GSS_MIC_MAX], *p;
	size_t miclen;
	double t0, t;
	long n = 0, i;
	int conf;

	xdrbuf_out_init(&out);
	t0 = now();
	do {
		for (i = 0; i < 16; i++, n++) {
			out.len = 0;
			switch (op) {
			case OP_WRAP:
				if (ours) {
					if (mech->wrap(octx, msg, len, &out))
						abort();
					break;
				}
				/* What nfsd did: MIT's buffer, copied. */
				in.value = (void *)(uintptr_t)msg;
				in.length = len;
				if (GSS_ERROR(gss_wrap(&minor, mctx, 1,
				    GSS_C_QOP_DEFAULT, &in, &conf, &tok)) ||
				    (p = xdrbuf_reserve(&out, tok.length)) ==
				    NULL)
					abort();
				memcpy(p, tok.value, tok.length);
				gss_release_buffer(&minor, &tok);
				break;
			case OP_UNWRAP:
				if (ours) {
					if (mech->unwrap(octx, peer_tok->buf,
					    peer_tok->len, &out))
						abort();
					break;
				}
				in.value = peer_tok->buf;
				in.length = peer_tok->len;
				if (GSS_ERROR(gss_unwrap(&minor, mctx, &in,
				    &tok, &conf, NULL)) ||
				    (p = xdrbuf_reserve(&out, tok.length)) ==
				    NULL)
					abort();
				memcpy(p, tok.value, tok.length);
				gss_release_buffer(&minor, &tok);
				break;
			case OP_MIC:
				if (ours ? mech->get_mic(octx, msg, len, mic,
				    sizeof(mic), &miclen) : mit_get_mic(mctx,
				    msg, len, mic, &miclen))
					abort();
				break;
			}
		}
		t = now() - t0;
	} while (t < secs);
	xdrbuf_out_free(&out);
	return t * 1e9 / (double)n;
}

static void
bench(void *ours, gss_ctx_id_t mit_acc, gss_ctx_id_t mit_ini, double secs)
{
	static const size_t sizes[] = { 200, 4096, 32768, 1048576 };
	static const char *names[] = { "wrap", "unwrap", "get_mic" };
	struct xdrbuf_out peer;
	uint8_t *msg;
	double m, o;
	size_t i;
	int op;

	if ((msg = malloc(1048576)) == NULL)
		abort();
	memset(msg, 0x5a, 1048576);
	xdrbuf_out_init(&peer);
	printf("%-8s %8s %12s %12s %8s\n", "op", "bytes", "mit ns/op",
	    "ours ns/op", "speedup");
	for (op = OP_WRAP; op <= OP_MIC; op++) {
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			/* Unwrap: the initiator's token, as a call's body. */
			if (op == OP_UNWRAP && mit_wrap(mit_ini, msg, sizes[i],
			    &peer) == -1)
				abort();
			m = timeit(op, 0, NULL, mit_acc, msg, sizes[i], &peer,
			    secs);
			o = timeit(op, 1, ours, NULL, msg, sizes[i], &peer,
			    secs);
			printf("%-8s %8zu %12.0f %12.0f %7.2fx\n", names[op],
			    sizes[i], m, o, m / o);
		}
	}
	xdrbuf_out_free(&peer);
	free(msg);
}

int
main(int argc, char **argv)
{
	const char *target = "nfs@localhost";
	gss_ctx_id_t ini, acc, mit_acc, mit_ini;
	gss_buffer_desc atok, itok;
	OM_uint32 minor;
	int32_t enctype = 0;
	double secs = 0.3;
	void *ours_acc, *ours_ini;
	int c, check = 0;

	while ((c = getopt(argc, argv, "ce:s:t:")) != -1) {
		switch (c) {
		case 'c':
			check = 1;
			break;
		case 'e':
			enctype = (int32_t)atoi(optarg);
			break;
		case 's':
			target = optarg;
			break;
		case 't':
			secs = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: gsswrap_bench [-c] [-e ENCTYPE] "
			    "[-s SERVICE@HOST] [-t SECONDS]\n");
			return 2;
		}
	}
	rpcsec_gss_krb5_init();
	establish(target, enctype, &ini, &acc);
	/* Every end exported once, imported as often as needed. */
	atok = export(&acc);
	itok = export(&ini);
	describe(&atok, "acceptor");
	ours_acc = mech->import(atok.value, atok.length);
	ours_ini = mech->import(itok.value, itok.length);
	mit_acc = import_mit(&atok);
	mit_ini = import_mit(&itok);
	if (ours_acc == NULL || ours_ini == NULL) {
		fprintf(stderr, "gsswrap_bench: our import failed\n");
		return 2;
	}
	printf("# our path: %s\n", rpcsec_gss_krb5_fast(ours_acc) ?
	    "OpenSSL (krb5_cfx.c)" : "MIT's GSS-API");
	if (check) {
		ok(rpcsec_gss_krb5_fast(ours_acc) ==
		    rpcsec_gss_krb5_fast(ours_ini), "both ends take one path",
		    (size_t)0);
		cross("ours the acceptor", ours_acc, mit_ini);
		cross("ours the initiator", ours_ini, mit_acc);
		printf("1..%d\n", tap_n);
	} else
		bench(ours_acc, mit_acc, mit_ini, secs);
	mech->release(ours_acc);
	mech->release(ours_ini);
	gss_delete_sec_context(&minor, &mit_acc, GSS_C_NO_BUFFER);
	gss_delete_sec_context(&minor, &mit_ini, GSS_C_NO_BUFFER);
	gss_release_buffer(&minor, &atok);
	gss_release_buffer(&minor, &itok);
	return tap_bad == 0 ? 0 : 1;
}
