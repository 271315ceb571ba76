/*
 * Fuzz target: the RPCSEC_GSS credential decoder (common/rpcsec_gss.c),
 * then the whole call path of the flavour (verify, the header's MIC, the
 * window, krb5i and krb5p bodies) through rpcauth_accept with a fake
 * mechanism and one context, so that what parses before the mechanism
 * is fed garbage.  tests/unit/test_rpcsec_gss.c drives it too, and
 * uses its fake mechanism.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rpcsec_gss.h"

/* The fake mechanism: a one-byte key; MICs are keyed FNV-1a, 8 bytes. */
struct fuzz_gss_ctx {
	uint8_t	key;
};

static uint64_t
fuzz_gss_sum(uint8_t key, const uint8_t *p, size_t len)
{
	uint64_t h = 14695981039346656037ull ^ key;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

static void *
fuzz_gss_import(const uint8_t *tok, size_t len)
{
	struct fuzz_gss_ctx *c;

	if (len != 1 || (c = malloc(sizeof(*c))) == NULL)
		return NULL;
	c->key = tok[0];
	return c;
}

static void
fuzz_gss_release(void *c)
{
	free(c);
}

static int
fuzz_gss_get_mic(void *ctx, const uint8_t *msg, size_t len, uint8_t *mic,
    size_t max, size_t *miclen)
{
	struct fuzz_gss_ctx *c = ctx;
	uint64_t h = fuzz_gss_sum(c->key, msg, len);

	if (max < 8)
		return -1;
	memcpy(mic, &h, 8);
	*miclen = 8;
	return 0;
}

static int
fuzz_gss_verify_mic(void *ctx, const uint8_t *msg, size_t len,
    const uint8_t *mic, size_t miclen)
{
	uint8_t want[8];
	size_t n;

	fuzz_gss_get_mic(ctx, msg, len, want, sizeof(want), &n);
	return miclen == 8 && memcmp(want, mic, 8) == 0 ? 0 : -1;
}

/* Sealed: the bytes XOR the key, then the MIC of the plain text. */
static int
fuzz_gss_wrap(void *ctx, const uint8_t *msg, size_t len,
    struct xdrbuf_out *out)
{
	struct fuzz_gss_ctx *c = ctx;
	uint8_t *p, mic[8];
	size_t i, n;

	fuzz_gss_get_mic(ctx, msg, len, mic, sizeof(mic), &n);
	if ((p = xdrbuf_reserve(out, len + 8)) == NULL)
		return -1;
	for (i = 0; i < len; i++)
		p[i] = msg[i] ^ c->key;
	memcpy(p + len, mic, 8);
	return 0;
}

static int
fuzz_gss_unwrap(void *ctx, const uint8_t *tok, size_t len,
    struct xdrbuf_out *out)
{
	struct fuzz_gss_ctx *c = ctx;
	size_t i, start = out->len;
	uint8_t *p;

	if (len < 8 || (p = xdrbuf_reserve(out, len - 8)) == NULL)
		return -1;
	for (i = 0; i < len - 8; i++)
		p[i] = tok[i] ^ c->key;
	return fuzz_gss_verify_mic(ctx, out->buf + start, len - 8,
	    tok + len - 8, 8);
}

const struct rpcsec_gss_mech fuzz_gss_mech = {
	.name = "fake",
	.import = fuzz_gss_import,
	.release = fuzz_gss_release,
	.get_mic = fuzz_gss_get_mic,
	.verify_mic = fuzz_gss_verify_mic,
	.wrap = fuzz_gss_wrap,
	.unwrap = fuzz_gss_unwrap,
};

int
fuzz_rpcsec_gss_one(const uint8_t *data, size_t size)
{
	static struct rpcsec_gss *g;
	const struct rpcauth_flavor *table[2];
	struct rpcsec_gss_cred c;
	struct rpcauth_call call;
	struct rpc_cred cred;
	uint8_t key = 0x5a;

	(void)rpcsec_gss_cred_decode(data, size, &c);
	if (g == NULL) {
		if ((g = rpcsec_gss_new(&fuzz_gss_mech)) == NULL)
			return 0;
		memset(&cred, 0, sizeof(cred));
		cred.flavor = RPC_AUTH_UNIX;
		cred.uid = 1000;
		if (rpcsec_gss_add(g, (const uint8_t *)"fuzzhandle", 10, &key,
		    1, UINT64_MAX / 2, &cred) == -1)
			return 0;
	}
	table[0] = rpcsec_gss_flavor(g);
	table[1] = NULL;
	(void)rpcauth_accept(table, data, size, &call);
	rpcauth_call_clear(&call);
	return 0;
}

/*
 * The caller's side (common/rpcsec_gss_clnt.c): a reply to one of our
 * calls (nfsd's NFSv4.0 callbacks), as an INIT's rpc_gss_init_res and
 * as a DATA reply of sequence number 1 under each service.
 */
int
fuzz_rpcsec_gss_client_one(const uint8_t *data, size_t size)
{
	struct rpcsec_gss_reply r;
	struct rpcsec_gss_init_res ir;
	struct xdrbuf_out out;
	const char *why;
	uint8_t key = 0x5a;
	uint32_t service;
	void *c;

	(void)rpcsec_gss_init_res_decode(data, size, &ir);
	if (rpcsec_gss_reply_decode(data, size, &r, &why) == -1)
		return 0;
	(void)rpcsec_gss_init_res_decode(r.res, r.res_len, &ir);
	if ((c = fuzz_gss_mech.import(&key, 1)) == NULL)
		return 0;
	for (service = RPCSEC_GSS_SVC_NONE; service <= RPCSEC_GSS_SVC_PRIVACY;
	    service++) {
		xdrbuf_out_init(&out);
		(void)rpcsec_gss_reply_results(&fuzz_gss_mech, c, service, 1,
		    &r, &out, &why);
		xdrbuf_out_free(&out);
	}
	fuzz_gss_mech.release(c);
	return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_rpcsec_gss_client_one(data, size);
	return fuzz_rpcsec_gss_one(data, size);
}
#endif
