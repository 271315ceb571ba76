/*
 * SMB2 keys and signatures (smbd/smb2_sign.c, MS-SMB2 3.1.4.1, 3.1.4.2):
 * the SP800-108 KDF against OpenSSL's own KBKDF (a separate
 * implementation), the signing key of each dialect with the labels and
 * contexts MS-SMB2 gives, HMAC-SHA256 against a plain HMAC, and for
 * every algorithm: sign then verify, any changed byte refused, the
 * signature field itself excluded, GMAC's nonce taking the message id
 * and the response bit; the 3.1.1 preauth hash.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "smb2.h"
#include "smb2_kbkdf.h"
#include "tap.h"

/* OpenSSL's SP800-108 (counter mode, HMAC-SHA256, 0x00 and L). */
static int
kbkdf(const uint8_t *key, size_t keylen, const void *label, size_t llen,
    const void *ctx, size_t clen, uint8_t out[16])
{
	return smb2_test_kbkdf(key, keylen, label, llen, ctx, clen, out, 16);
}

static void
msg_init(uint8_t *m, size_t len, uint64_t mid, uint32_t flags)
{
	size_t i;
	struct smb2_hdr h;

	for (i = 0; i < len; i++)
		m[i] = (uint8_t)(i * 7 + 3);
	memset(&h, 0, sizeof(h));
	h.command = SMB2_READ;
	h.message_id = mid;
	h.flags = flags;
	h.session_id = 0x1000000000000001ull;
	smb2_hdr_encode(m, &h);
}

/* OpenSSL's own CMAC (EVP_MAC), the reference for smb2_aes_cmac. */
static int
ref_cmac(const uint8_t key[16], const uint8_t *msg, size_t len,
    uint8_t out[16])
{
	EVP_MAC *m = EVP_MAC_fetch(NULL, "CMAC", NULL);
	EVP_MAC_CTX *c = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM params[2];
	size_t outl = 0;
	int ok;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
	    (char *)"AES-128-CBC", 0);
	params[1] = OSSL_PARAM_construct_end();
	ok = c != NULL && EVP_MAC_init(c, key, 16, params) == 1 &&
	    EVP_MAC_update(c, msg, len) == 1 &&
	    EVP_MAC_final(c, out, &outl, 16) == 1 && outl == 16;
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(m);
	return ok ? 0 : -1;
}

/* RFC 4493 4's examples, then OpenSSL's CMAC at every length. */
static void
test_cmac(void)
{
	static const uint8_t key[16] = { 0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae,
	    0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c };
	static const uint8_t msg[64] = { 0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40,
	    0x9f, 0x96, 0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a, 0xae,
	    0x2d, 0x8a, 0x57, 0x1e, 0x03, 0xac, 0x9c, 0x9e, 0xb7, 0x6f, 0xac,
	    0x45, 0xaf, 0x8e, 0x51, 0x30, 0xc8, 0x1c, 0x46, 0xa3, 0x5c, 0xe4,
	    0x11, 0xe5, 0xfb, 0xc1, 0x19, 0x1a, 0x0a, 0x52, 0xef, 0xf6, 0x9f,
	    0x24, 0x45, 0xdf, 0x4f, 0x9b, 0x17, 0xad, 0x2b, 0x41, 0x7b, 0xe6,
	    0x6c, 0x37, 0x10 };
	static const struct {
		size_t	len;
		uint8_t	mac[16];
	} ex[] = {
		{ 0, { 0xbb, 0x1d, 0x69, 0x29, 0xe9, 0x59, 0x37, 0x28, 0x7f,
		    0xa3, 0x7d, 0x12, 0x9b, 0x75, 0x67, 0x46 } },
		{ 16, { 0x07, 0x0a, 0x16, 0xb4, 0x6b, 0x4d, 0x41, 0x44, 0xf7,
		    0x9b, 0xdd, 0x9d, 0xd0, 0x4a, 0x28, 0x7c } },
		{ 40, { 0xdf, 0xa6, 0x67, 0x47, 0xde, 0x9a, 0xe6, 0x30, 0x30,
		    0xca, 0x32, 0x61, 0x14, 0x97, 0xc8, 0x27 } },
		{ 64, { 0x51, 0xf0, 0xbe, 0xbf, 0x7e, 0x3b, 0x9d, 0x92, 0xfc,
		    0x49, 0x74, 0x17, 0x79, 0x36, 0x3c, 0xfe } },
	};
	static uint8_t big[(1 << 20) + 21];
	uint8_t got[16], want[16];
	size_t i, bad = 0;

	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		tap_ok(smb2_aes_cmac(key, msg, ex[i].len, got) == 0 &&
		    memcmp(got, ex[i].mac, 16) == 0, "AES-CMAC: RFC 4493 "
		    "example of %zu bytes", ex[i].len);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 131 + 7);
	for (i = 0; i <= 300; i++)
		if (smb2_aes_cmac(key, big, i, got) == -1 ||
		    ref_cmac(key, big, i, want) == -1 ||
		    memcmp(got, want, 16) != 0)
			bad++;
	tap_ok(bad == 0, "AES-CMAC equals OpenSSL's at every length from 0 "
	    "to 300 (%zu differ)", bad);
	tap_ok(smb2_aes_cmac(key, big, sizeof(big), got) == 0 &&
	    ref_cmac(key, big, sizeof(big), want) == 0 &&
	    memcmp(got, want, 16) == 0, "and over a megabyte and 21 bytes "
	    "(several bulk chunks, a partial last block)");
}

int
main(void)
{
	uint8_t key[16], sk[16], want[16], mac[32], hash[64], h2[64];
	uint8_t m[200], m2[200], preauth[64];
	static const uint8_t skey[16] = { 0x27, 0x0e, 0x1b, 0xa8, 0x96, 0x58,
	    0x5e, 0xef, 0x79, 0x98, 0xe6, 0xd8, 0x14, 0x3b, 0x42, 0x70 };
	static const uint16_t algs[] = { SMB2_SIGN_HMAC_SHA256,
	    SMB2_SIGN_AES_CMAC, SMB2_SIGN_AES_GMAC };
	static const char *const names[] = { "HMAC-SHA256", "AES-CMAC",
	    "AES-GMAC" };
	unsigned int maclen = 0;
	size_t i, a;
	EVP_MD_CTX *md;

	test_cmac();
	for (i = 0; i < sizeof(preauth); i++)
		preauth[i] = (uint8_t)(0xa0 ^ i);
	tap_ok(smb2_kdf(skey, 16, (const uint8_t *)"label", 5,
	    (const uint8_t *)"context", 7, key) == 0 &&
	    kbkdf(skey, 16, "label", 5, "context", 7, want) == 0 &&
	    memcmp(key, want, 16) == 0,
	    "KDF: SP800-108 counter mode equals OpenSSL's KBKDF");
	tap_ok(smb2_kdf(skey, 16, (const uint8_t *)"label", 5,
	    (const uint8_t *)"contexT", 7, key) == 0 &&
	    memcmp(key, want, 16) != 0, "KDF: another context, another key");

	tap_ok(smb2_signing_key(SMB2_DIALECT_210, skey, 16, NULL, sk) == 0 &&
	    memcmp(sk, skey, 16) == 0, "2.1: the session key itself");
	tap_ok(smb2_signing_key(SMB2_DIALECT_202, skey, 8, NULL, sk) == 0 &&
	    memcmp(sk, skey, 8) == 0 && memcmp(sk + 8,
	    "\0\0\0\0\0\0\0\0", 8) == 0,
	    "2.0.2: a shorter session key zero-padded to 16");
	tap_ok(smb2_signing_key(SMB2_DIALECT_300, skey, 16, NULL, sk) == 0 &&
	    kbkdf(skey, 16, "SMB2AESCMAC", 12, "SmbSign", 8, want) == 0 &&
	    memcmp(sk, want, 16) == 0, "3.0: KDF(\"SMB2AESCMAC\\0\", "
	    "\"SmbSign\\0\")");
	tap_ok(smb2_signing_key(SMB2_DIALECT_302, skey, 16, NULL, key) == 0 &&
	    memcmp(key, sk, 16) == 0, "3.0.2: as 3.0");
	tap_ok(smb2_signing_key(SMB2_DIALECT_311, skey, 16, preauth, sk) ==
	    0 && kbkdf(skey, 16, "SMBSigningKey", 14, preauth, 64, want) ==
	    0 && memcmp(sk, want, 16) == 0,
	    "3.1.1: KDF(\"SMBSigningKey\\0\", the session's preauth hash)");
	{
		uint8_t longkey[32];

		memcpy(longkey, skey, 16);
		memset(longkey + 16, 0xee, 16);
		tap_ok(smb2_signing_key(SMB2_DIALECT_311, longkey, 32,
		    preauth, key) == 0 && memcmp(key, sk, 16) == 0,
		    "a 32-byte (Kerberos) session key: its first 16 bytes");
	}

	/* HMAC-SHA256 over the message with a zero signature field. */
	msg_init(m, sizeof(m), 5, 0);
	memcpy(m2, m, sizeof(m));
	memset(m2 + 48, 0, 16);
	HMAC(EVP_sha256(), skey, 16, m2, sizeof(m2), mac, &maclen);
	tap_ok(smb2_sign(SMB2_SIGN_HMAC_SHA256, skey, m, sizeof(m)) == 0 &&
	    memcmp(m + 48, mac, 16) == 0,
	    "HMAC-SHA256: the first 16 bytes of HMAC over the zeroed message");

	for (a = 0; a < 3; a++) {
		msg_init(m, sizeof(m), 9, SMB2_FLAGS_SERVER_TO_REDIR);
		tap_ok(smb2_sign(algs[a], sk, m, sizeof(m)) == 0 &&
		    smb2_verify(algs[a], sk, m, sizeof(m)) == 0,
		    "%s: sign, then verify", names[a]);
		memcpy(m2, m, sizeof(m));
		memset(m2 + 48, 0x33, 16);
		tap_ok(smb2_verify(algs[a], sk, m2, sizeof(m2)) == -1,
		    "%s: a wrong signature refused", names[a]);
		memcpy(m2, m, sizeof(m));
		m2[150] ^= 1;
		tap_ok(smb2_verify(algs[a], sk, m2, sizeof(m2)) == -1,
		    "%s: one bit of the body changed: refused", names[a]);
		memcpy(m2, m, sizeof(m));
		tap_ok(smb2_verify(algs[a], sk, m2, sizeof(m2) - 8) == -1,
		    "%s: truncated: refused", names[a]);
		memcpy(m2, m, sizeof(m));
		(void)smb2_verify(algs[a], sk, m2, sizeof(m2));
		tap_ok(memcmp(m2, m, sizeof(m)) == 0,
		    "%s: verify leaves the message as it was", names[a]);
		key[0] = sk[0] ^ 0x80;
		memcpy(key + 1, sk + 1, 15);
		tap_ok(smb2_verify(algs[a], key, m, sizeof(m)) == -1,
		    "%s: another key refused", names[a]);
	}
	/* GMAC's nonce: the message id, and bit 0 for a response. */
	msg_init(m, sizeof(m), 9, SMB2_FLAGS_SERVER_TO_REDIR);
	msg_init(m2, sizeof(m2), 9, SMB2_FLAGS_SERVER_TO_REDIR);
	smb2_sign(SMB2_SIGN_AES_GMAC, sk, m, sizeof(m));
	smb2_put64(m2 + 24, 10);
	smb2_sign(SMB2_SIGN_AES_GMAC, sk, m2, sizeof(m2));
	tap_ok(memcmp(m + 48, m2 + 48, 16) != 0,
	    "GMAC: another message id, another signature");
	{
		uint8_t a1[200], a2[200];

		msg_init(a1, sizeof(a1), 9, 0);
		smb2_sign(SMB2_SIGN_AES_GMAC, sk, a1, sizeof(a1));
		/* Same bytes but the flag: GCM's tag differs by nonce too. */
		msg_init(a2, sizeof(a2), 9, 0);
		smb2_sign(SMB2_SIGN_AES_CMAC, sk, a2, sizeof(a2));
		tap_ok(memcmp(a1 + 48, a2 + 48, 16) != 0,
		    "GMAC and CMAC differ on the same message");
	}

	/* The preauth hash: SHA-512(previous || message). */
	memset(hash, 0, sizeof(hash));
	msg_init(m, sizeof(m), 0, 0);
	tap_ok(smb2_preauth_update(hash, m, sizeof(m)) == 0,
	    "preauth update");
	md = EVP_MD_CTX_new();
	memset(h2, 0, sizeof(h2));
	EVP_DigestInit_ex(md, EVP_sha512(), NULL);
	EVP_DigestUpdate(md, h2, 64);
	EVP_DigestUpdate(md, m, sizeof(m));
	EVP_DigestFinal_ex(md, h2, &maclen);
	EVP_MD_CTX_free(md);
	tap_ok(memcmp(hash, h2, 64) == 0,
	    "preauth: SHA-512 of 64 zero bytes then the message");
	return tap_done();
}
