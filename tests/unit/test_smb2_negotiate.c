/*
 * NEGOTIATE (smbd/smb2_negotiate.c, MS-SMB2 2.2.3, 2.2.4, 3.3.5.3,
 * 3.3.5.4): the dialect picked, the response's fixed part, the 3.1.1
 * contexts both ways (and every malformed one refused), the SMB1
 * NEGOTIATE that names SMB2, and the SPNEGO hint's DER.
 */
#include <string.h>

#include "smb2.h"
#include "status.h"
#include "tap.h"

static const uint8_t guid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    13, 14, 15, 16 };
static uint8_t salt[32];
static struct smb2_server_params sp;

/* A NEGOTIATE request: dialects, then contexts (type, data) at 8. */
struct req {
	uint8_t	b[1024];
	size_t	len;
	size_t	nctx;
};

static void
req_init(struct req *r, const uint16_t *d, size_t n)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	memcpy(r->b, "\xfeSMB", 4);
	r->b[4] = 64;
	smb2_put16(r->b + 64, 36);
	smb2_put16(r->b + 66, (uint16_t)n);
	smb2_put16(r->b + 68, SMB2_NEGOTIATE_SIGNING_ENABLED);
	for (i = 0; i < n; i++)
		smb2_put16(r->b + 100 + 2 * i, d[i]);
	r->len = 100 + 2 * n;
}

static void
req_ctx(struct req *r, uint16_t type, const uint8_t *data, uint16_t len)
{
	r->len = (r->len + 7) & ~(size_t)7;
	if (r->nctx == 0)
		smb2_put32(r->b + 64 + 28, (uint32_t)r->len);
	smb2_put16(r->b + r->len, type);
	smb2_put16(r->b + r->len + 2, len);
	memcpy(r->b + r->len + 8, data, len);
	r->len += 8 + len;
	smb2_put16(r->b + 64 + 32, (uint16_t)++r->nctx);
}

static const uint8_t pre_sha512[] = { 1, 0, 4, 0, 1, 0, 9, 9, 9, 9 };

/* A 3.1.1 NEGOTIATE with its preauth context (SHA-512). */
static void
req_311(struct req *r)
{
	static const uint16_t d311[] = { 0x0311 };

	req_init(r, d311, 1);
	req_ctx(r, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, pre_sha512,
	    sizeof(pre_sha512));
}

static uint32_t
run(struct req *r, struct smb2_negotiated *neg, uint8_t *out, size_t *n)
{
	return smb2_negotiate(r->b, r->len, &sp, neg, out, 1024, n);
}

/* The response context of a type: its data, or NULL. */
static const uint8_t *
rsp_ctx(const uint8_t *out, size_t n, uint16_t type, int *aligned)
{
	size_t pos = smb2_get32(out + 60) - 64;
	uint16_t i, cnt = smb2_get16(out + 6);

	*aligned = 1;
	for (i = 0; i < cnt; i++) {
		if (i)
			pos = (pos + 7) & ~(size_t)7;
		if ((pos + 64) % 8 != 0)
			*aligned = 0;
		if (pos + 8 > n)
			return NULL;
		if (smb2_get16(out + pos) == type)
			return out + pos + 8;
		pos += 8 + smb2_get16(out + pos + 2);
	}
	return NULL;
}

int
main(void)
{
	static const uint16_t all[] = { 0x0202, 0x0210, 0x0300, 0x0302, 0x0311 };
	static const uint16_t d202[] = { 0x0202 }, d210[] = { 0x0210 },
	    d300[] = { 0x0300 },
	    d311[] = { 0x0311 }, none[] = { 0x02ff, 0x0100 };
	uint8_t out[1024], data[16];
	struct smb2_negotiated neg;
	const uint8_t *hint, *c;
	struct req r;
	size_t n, hlen;
	int aligned;

	memset(salt, 0x77, sizeof(salt));
	memset(&sp, 0, sizeof(sp));
	sp.guid = guid;
	sp.salt = salt;
	sp.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
	sp.max_transact = sp.max_read = sp.max_write = 1 << 20;
	sp.system_time = 0x01d0000000000000ull;

	req_init(&r, all, 4);
	TAP_EQ_INT(run(&r, &neg, out, &n), 0, "2.0.2-3.0.2: success");
	TAP_EQ_INT(neg.dialect, 0x0302, "the highest of ours offered: 3.0.2");
	TAP_EQ_INT(smb2_get16(out + 4), 0x0302, "DialectRevision 3.0.2");
	TAP_EQ_INT(smb2_get16(out), 65, "StructureSize 65");
	tap_ok(memcmp(out + 8, guid, 16) == 0, "ServerGuid");
	TAP_EQ_INT(smb2_get32(out + 24) & SMB2_GLOBAL_CAP_LARGE_MTU,
	    SMB2_GLOBAL_CAP_LARGE_MTU, "3.0.2: LARGE_MTU");
	TAP_EQ_INT(smb2_get32(out + 24) & (SMB2_GLOBAL_CAP_LEASING |
	    SMB2_GLOBAL_CAP_DIRECTORY_LEASING), SMB2_GLOBAL_CAP_LEASING |
	    SMB2_GLOBAL_CAP_DIRECTORY_LEASING, "3.0.2: LEASING, "
	    "DIRECTORY_LEASING");
	TAP_EQ_INT(smb2_get32(out + 32), 1 << 20, "MaxReadSize 1 MiB");
	TAP_EQ_INT(neg.signing_algorithm, SMB2_SIGN_AES_CMAC,
	    "3.0.2 signs with AES-CMAC");
	TAP_EQ_INT(smb2_get16(out + 56), 128, "SecurityBufferOffset 128");
	hint = smb2_spnego_hint(&hlen);
	tap_ok(smb2_get16(out + 58) == hlen &&
	    memcmp(out + 64, hint, hlen) == 0 && n == 64 + hlen,
	    "the security buffer is the SPNEGO hint, nothing after it");
	tap_ok(hint[0] == 0x60 && hint[1] == hlen - 2 && hint[10] == 0xa0 &&
	    hint[11] == hlen - 12 && hint[12] == 0x30 &&
	    hint[13] == hlen - 14, "the hint's DER lengths add up");
	tap_ok(memcmp(hint + 20, "\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a",
	    10) == 0 && hint[19] == 10, "the hint names NTLMSSP "
	    "(1.3.6.1.4.1.311.2.2.10)");

	req_init(&r, d202, 1);
	TAP_EQ_INT(run(&r, &neg, out, &n), 0, "2.0.2 alone: success");
	TAP_EQ_INT(smb2_get32(out + 24), 0, "2.0.2: no capabilities");
	TAP_EQ_INT(smb2_get32(out + 32), 65536, "2.0.2: MaxReadSize 64 KiB");
	TAP_EQ_INT(neg.signing_algorithm, SMB2_SIGN_HMAC_SHA256,
	    "2.0.2 signs with HMAC-SHA256");
	req_init(&r, d210, 1);
	TAP_EQ_INT(run(&r, &neg, out, &n), 0, "2.1 alone: success");
	TAP_EQ_INT(smb2_get32(out + 24), SMB2_GLOBAL_CAP_LARGE_MTU |
	    SMB2_GLOBAL_CAP_LEASING, "2.1: LARGE_MTU, LEASING, no "
	    "DIRECTORY_LEASING (3.x only)");
	/* MULTI_CHANNEL: 3.x only, and only when smbd serves it. */
	req_init(&r, d300, 1);
	TAP_EQ_INT(run(&r, &neg, out, &n), 0, "3.0 without multichannel");
	TAP_EQ_INT(smb2_get32(out + 24) & SMB2_GLOBAL_CAP_MULTI_CHANNEL, 0,
	    "3.0 without multichannel: no MULTI_CHANNEL");
	sp.multichannel = 1;
	req_init(&r, d210, 1);
	TAP_EQ_INT(run(&r, &neg, out, &n), 0, "2.1 with multichannel");
	TAP_EQ_INT(smb2_get32(out + 24) & SMB2_GLOBAL_CAP_MULTI_CHANNEL, 0,
	    "2.1: no MULTI_CHANNEL (3.x only)");
	req_init(&r, d300, 1);
	TAP_EQ_INT(run(&r, &neg, out, &n), 0, "3.0 with multichannel");
	TAP_EQ_INT(smb2_get32(out + 24) & SMB2_GLOBAL_CAP_MULTI_CHANNEL,
	    SMB2_GLOBAL_CAP_MULTI_CHANNEL, "3.0: MULTI_CHANNEL");
	sp.multichannel = 0;
	req_init(&r, none, 2);
	TAP_EQ_INT(run(&r, &neg, out, &n), STATUS_NOT_SUPPORTED,
	    "no dialect of ours: NOT_SUPPORTED");
	req_init(&r, d202, 1);
	smb2_put16(r.b + 66, 0);
	TAP_EQ_INT(run(&r, &neg, out, &n), STATUS_INVALID_PARAMETER,
	    "DialectCount 0: INVALID_PARAMETER");
	req_init(&r, d202, 1);
	smb2_put16(r.b + 66, 40);
	TAP_EQ_INT(run(&r, &neg, out, &n), STATUS_INVALID_PARAMETER,
	    "dialects past the message: INVALID_PARAMETER");
	req_init(&r, d202, 1);
	smb2_put16(r.b + 64, 35);
	TAP_EQ_INT(run(&r, &neg, out, &n), STATUS_INVALID_PARAMETER,
	    "StructureSize 35: INVALID_PARAMETER");

	/* 3.1.1 */
	req_init(&r, all, 5);
	req_ctx(&r, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, pre_sha512,
	    sizeof(pre_sha512));
	smb2_put16(data, 2);
	smb2_put16(data + 2, 2);
	smb2_put16(data + 4, 1);
	req_ctx(&r, SMB2_ENCRYPTION_CAPABILITIES, data, 6);
	smb2_put16(data + 2, SMB2_SIGN_AES_CMAC);
	smb2_put16(data + 4, SMB2_SIGN_AES_GMAC);
	req_ctx(&r, SMB2_SIGNING_CAPABILITIES, data, 6);
	req_ctx(&r, SMB2_NETNAME_NEGOTIATE_CONTEXT_ID,
	    (const uint8_t *)"h\0o\0s\0t\0", 8);
	TAP_EQ_INT(run(&r, &neg, out, &n), 0, "3.1.1 with four contexts");
	TAP_EQ_INT(neg.dialect, 0x0311, "3.1.1 picked");
	tap_ok(neg.preauth, "the preauth hash is kept");
	TAP_EQ_INT(smb2_get16(out + 6), 3,
	    "three contexts answered (NETNAME is not)");
	c = rsp_ctx(out, n, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, &aligned);
	tap_ok(c != NULL && smb2_get16(c) == 1 && smb2_get16(c + 2) == 32 &&
	    smb2_get16(c + 4) == SMB2_PREAUTH_SHA512 &&
	    memcmp(c + 6, salt, 32) == 0, "preauth: SHA-512 and our salt");
	c = rsp_ctx(out, n, SMB2_ENCRYPTION_CAPABILITIES, &aligned);
	tap_ok(c != NULL && smb2_get16(c) == 1 && smb2_get16(c + 2) == 0,
	    "encryption: one cipher, 0 (none yet)");
	c = rsp_ctx(out, n, SMB2_SIGNING_CAPABILITIES, &aligned);
	tap_ok(c != NULL && smb2_get16(c) == 1 &&
	    smb2_get16(c + 2) == SMB2_SIGN_AES_GMAC &&
	    neg.signing_algorithm == SMB2_SIGN_AES_GMAC,
	    "signing: AES-GMAC, ours first though the client listed CMAC "
	    "first");
	tap_ok(aligned && smb2_get32(out + 60) % 8 == 0,
	    "every response context 8-aligned from the header");

	req_311(&r);
	smb2_put16(data, 1);
	smb2_put16(data + 2, SMB2_SIGN_HMAC_SHA256);
	req_ctx(&r, SMB2_SIGNING_CAPABILITIES, data, 4);
	TAP_EQ_INT(run(&r, &neg, out, &n), 0, "3.1.1, HMAC-SHA256 only");
	TAP_EQ_INT(neg.signing_algorithm, SMB2_SIGN_HMAC_SHA256,
	    "signing: HMAC-SHA256, the one offered");
	req_311(&r);
	TAP_EQ_INT(run(&r, &neg, out, &n), 0, "3.1.1, preauth only");
	tap_ok(neg.signing_algorithm == SMB2_SIGN_AES_CMAC &&
	    smb2_get16(out + 6) == 1, "no signing context: AES-CMAC, one "
	    "context answered");

	req_init(&r, d311, 1);
	TAP_EQ_INT(run(&r, &neg, out, &n), STATUS_INVALID_PARAMETER,
	    "3.1.1 without contexts: INVALID_PARAMETER");
	req_init(&r, d311, 1);
	req_ctx(&r, SMB2_NETNAME_NEGOTIATE_CONTEXT_ID, data, 4);
	TAP_EQ_INT(run(&r, &neg, out, &n), STATUS_INVALID_PARAMETER,
	    "3.1.1 without a preauth context: INVALID_PARAMETER");
	req_311(&r);
	req_ctx(&r, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, pre_sha512,
	    sizeof(pre_sha512));
	TAP_EQ_INT(run(&r, &neg, out, &n), STATUS_INVALID_PARAMETER,
	    "two preauth contexts: INVALID_PARAMETER");
	req_init(&r, d311, 1);
	smb2_put16(data, 1);
	smb2_put16(data + 2, 0);
	smb2_put16(data + 4, 7);
	req_ctx(&r, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, data, 6);
	TAP_EQ_INT(run(&r, &neg, out, &n),
	    STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP,
	    "no SHA-512: NO_PREAUTH_INTEGRITY_HASH_OVERLAP");
	req_311(&r);
	smb2_put16(r.b + r.len - sizeof(pre_sha512) - 6, 200);
	TAP_EQ_INT(run(&r, &neg, out, &n), STATUS_INVALID_PARAMETER,
	    "a context's DataLength past the message: INVALID_PARAMETER");
	req_311(&r);
	smb2_put16(r.b + 64 + 32, 5);
	TAP_EQ_INT(run(&r, &neg, out, &n), STATUS_INVALID_PARAMETER,
	    "NegotiateContextCount past the contexts: INVALID_PARAMETER");
	req_311(&r);
	smb2_put32(r.b + 64 + 28, 0xfffffff8);
	TAP_EQ_INT(run(&r, &neg, out, &n), STATUS_INVALID_PARAMETER,
	    "NegotiateContextOffset near 2^32: INVALID_PARAMETER");
	req_311(&r);
	smb2_put16(data, 0);
	req_ctx(&r, SMB2_SIGNING_CAPABILITIES, data, 2);
	TAP_EQ_INT(run(&r, &neg, out, &n), STATUS_INVALID_PARAMETER,
	    "a signing context with no algorithm: INVALID_PARAMETER");
	req_init(&r, d300, 1);
	TAP_EQ_INT(run(&r, &neg, out, &n), 0,
	    "3.0 ignores the context fields");

	/* SMB1 (MS-SMB2 3.3.5.3.1). */
	{
		uint8_t m[128];
		uint16_t d = 0;
		size_t k;
		static const char dia[] = "\x02NT LM 0.12\0\x02SMB 2.002\0"
		    "\x02SMB 2.???";

		memset(m, 0, sizeof(m));
		memcpy(m, "\xffSMB\x72", 5);
		k = sizeof(dia);
		smb2_put16(m + 33, (uint16_t)k);
		memcpy(m + 35, dia, k);
		tap_ok(smb1_negotiate_dialect(m, 35 + k, &d) == 1 &&
		    d == SMB2_DIALECT_WILDCARD, "SMB1 with SMB 2.???: 0x02FF");
		tap_ok(smb1_negotiate_dialect(m, 35 + 24, &d) == -1,
		    "SMB1 cut inside its ByteCount: malformed");
		smb2_put16(m + 33, 23);
		tap_ok(smb1_negotiate_dialect(m, 35 + 23, &d) == 1 &&
		    d == SMB2_DIALECT_202, "SMB1 with SMB 2.002 only: 0x0202");
		smb2_put16(m + 33, 12);
		tap_ok(smb1_negotiate_dialect(m, 35 + 12, &d) == 0,
		    "SMB1 without SMB2: not for us");
		m[35 + 11] = 'x';
		tap_ok(smb1_negotiate_dialect(m, 35 + 12, &d) == -1,
		    "an unterminated dialect string: malformed");
		m[4] = 0x73;
		tap_ok(smb1_negotiate_dialect(m, 35 + 12, &d) == -1,
		    "an SMB1 command other than NEGOTIATE: refused");
		n = smb2_negotiate_smb1_reply(SMB2_DIALECT_WILDCARD, &sp, out,
		    sizeof(out));
		tap_ok(n > 64 && smb2_get16(out + 4) == 0x02ff &&
		    smb2_get16(out + 6) == 0, "its SMB2 response: dialect "
		    "0x02FF, no contexts");
	}

	/* Encryption: the server's order among the offered ciphers. */
	{
		static const uint16_t ours[] = { SMB2_CIPHER_AES128_GCM,
		    SMB2_CIPHER_AES128_CCM, SMB2_CIPHER_AES256_GCM };
		static const uint16_t gcm256_only[] = { SMB2_CIPHER_AES256_GCM };

		sp.ciphers = ours;
		sp.nciphers = 3;
		req_311(&r);
		smb2_put16(data, 3);
		smb2_put16(data + 2, SMB2_CIPHER_AES256_GCM);
		smb2_put16(data + 4, SMB2_CIPHER_AES128_CCM);
		smb2_put16(data + 6, SMB2_CIPHER_AES128_GCM);
		req_ctx(&r, SMB2_ENCRYPTION_CAPABILITIES, data, 8);
		c = (run(&r, &neg, out, &n) == 0) ?
		    rsp_ctx(out, n, SMB2_ENCRYPTION_CAPABILITIES, &aligned) :
		    NULL;
		tap_ok(c != NULL && smb2_get16(c) == 1 &&
		    smb2_get16(c + 2) == SMB2_CIPHER_AES128_GCM &&
		    neg.cipher == SMB2_CIPHER_AES128_GCM,
		    "3.1.1: AES-128-GCM, our first, though the client listed "
		    "AES-256-GCM first");
		TAP_EQ_INT(smb2_get32(out + 24) & SMB2_GLOBAL_CAP_ENCRYPTION,
		    0, "3.1.1: no CAP_ENCRYPTION (the context says it)");
		req_311(&r);
		smb2_put16(data, 2);
		smb2_put16(data + 2, SMB2_CIPHER_AES256_CCM);
		smb2_put16(data + 4, 9);
		req_ctx(&r, SMB2_ENCRYPTION_CAPABILITIES, data, 6);
		c = (run(&r, &neg, out, &n) == 0) ?
		    rsp_ctx(out, n, SMB2_ENCRYPTION_CAPABILITIES, &aligned) :
		    NULL;
		tap_ok(c != NULL && smb2_get16(c) == 1 &&
		    smb2_get16(c + 2) == 0 && neg.cipher == 0,
		    "3.1.1: no cipher in common (AES-256-CCM is not in our "
		    "list, 9 is none): cipher 0");
		req_311(&r);
		tap_ok(run(&r, &neg, out, &n) == 0 && neg.cipher == 0 &&
		    rsp_ctx(out, n, SMB2_ENCRYPTION_CAPABILITIES,
		    &aligned) == NULL,
		    "3.1.1 without the context: no cipher, no context");
		req_init(&r, d300, 1);
		smb2_put32(r.b + 64 + 8, SMB2_GLOBAL_CAP_ENCRYPTION);
		tap_ok(run(&r, &neg, out, &n) == 0 &&
		    neg.cipher == SMB2_CIPHER_AES128_CCM &&
		    (smb2_get32(out + 24) & SMB2_GLOBAL_CAP_ENCRYPTION) &&
		    neg.server_capabilities == smb2_get32(out + 24),
		    "3.0 with the client's CAP_ENCRYPTION: AES-128-CCM, "
		    "CAP_ENCRYPTION said and kept");
		req_init(&r, d300, 1);
		tap_ok(run(&r, &neg, out, &n) == 0 && neg.cipher == 0 &&
		    !(smb2_get32(out + 24) & SMB2_GLOBAL_CAP_ENCRYPTION),
		    "3.0 without the client's CAP_ENCRYPTION: none");
		sp.ciphers = gcm256_only;
		sp.nciphers = 1;
		req_init(&r, d300, 1);
		smb2_put32(r.b + 64 + 8, SMB2_GLOBAL_CAP_ENCRYPTION);
		tap_ok(run(&r, &neg, out, &n) == 0 && neg.cipher == 0 &&
		    !(smb2_get32(out + 24) & SMB2_GLOBAL_CAP_ENCRYPTION),
		    "3.0 when AES-128-CCM is not among ours: none");
		sp.ciphers = NULL;
		sp.nciphers = 0;
	}
	return tap_done();
}
