/*
 * SMB2 signing (MS-SMB2 3.1.4.1) and its keys (3.1.4.2), with OpenSSL:
 * HMAC-SHA256 for 2.0.2 and 2.1, AES-128-CMAC for 3.0 and 3.0.2 (and
 * 3.1.1 by default), AES-128-GMAC for 3.1.1 when negotiated.  The key
 * comes from the session key gssd gave; smbd never sees a password.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "smb2.h"

/*
 * SP800-108 counter mode, PRF HMAC-SHA256, r = 32 (3.1.4.2), L = 128 or
 * 256: one block of the PRF holds either.
 */
int
smb2_kdf_len(const uint8_t *key, size_t keylen, const uint8_t *label,
    size_t labellen, const uint8_t *context, size_t contextlen,
    uint8_t *out, size_t outlen)
{
	static const uint8_t counter[4] = { 0, 0, 0, 1 };
	static const uint8_t zero = 0;
	uint8_t bits[4] = { 0, 0, (uint8_t)(outlen * 8 >> 8),
	    (uint8_t)(outlen * 8) };
	uint8_t mac[EVP_MAX_MD_SIZE];
	int ok;
	EVP_MAC *m;
	EVP_MAC_CTX *c;
	OSSL_PARAM params[2];
	size_t outl = 0;

	if (outlen != 16 && outlen != 32)
		return -1;
	m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	c = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	ok = c != NULL && EVP_MAC_init(c, key, keylen, params) == 1 &&
	    EVP_MAC_update(c, counter, 4) == 1 &&
	    EVP_MAC_update(c, label, labellen) == 1 &&
	    EVP_MAC_update(c, &zero, 1) == 1 &&
	    EVP_MAC_update(c, context, contextlen) == 1 &&
	    EVP_MAC_update(c, bits, 4) == 1 &&
	    EVP_MAC_final(c, mac, &outl, sizeof(mac)) == 1 && outl >= outlen;
	if (ok)
		memcpy(out, mac, outlen);
	OPENSSL_cleanse(mac, sizeof(mac));
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(m);
	return ok ? 0 : -1;
}

int
smb2_kdf(const uint8_t *key, size_t keylen, const uint8_t *label,
    size_t labellen, const uint8_t *context, size_t contextlen,
    uint8_t out[SMB2_KEY_SIZE])
{
	return smb2_kdf_len(key, keylen, label, labellen, context,
	    contextlen, out, SMB2_KEY_SIZE);
}

/*
 * The labels and "SmbSign" carry their terminating NUL (3.1.4.2 counts
 * it), and the KDF adds the separating 0x00 after the label as well.
 */
int
smb2_signing_key(uint16_t dialect, const uint8_t *session_key,
    size_t keylen, const uint8_t *preauth_hash, uint8_t out[SMB2_KEY_SIZE])
{
	uint8_t k[SMB2_KEY_SIZE];

	/* MS-SMB2 3.3.5.5.3: the session key's first 16 bytes, 0-padded. */
	memset(k, 0, sizeof(k));
	memcpy(k, session_key, keylen < sizeof(k) ? keylen : sizeof(k));
	if (dialect < SMB2_DIALECT_300) {
		memcpy(out, k, SMB2_KEY_SIZE);
		OPENSSL_cleanse(k, sizeof(k));
		return 0;
	}
	if (dialect == SMB2_DIALECT_311) {
		if (smb2_kdf(k, sizeof(k), (const uint8_t *)"SMBSigningKey",
		    14, preauth_hash, SMB2_PREAUTH_HASH_SIZE, out) == -1)
			goto fail;
	} else if (smb2_kdf(k, sizeof(k), (const uint8_t *)"SMB2AESCMAC", 12,
	    (const uint8_t *)"SmbSign", 8, out) == -1)
		goto fail;
	OPENSSL_cleanse(k, sizeof(k));
	return 0;
fail:
	OPENSSL_cleanse(k, sizeof(k));
	return -1;
}

static int
smb2_mac_hmac(const uint8_t *key, const uint8_t *msg, size_t len,
    uint8_t sig[SMB2_SIGNATURE_SIZE])
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	if (HMAC(EVP_sha256(), key, SMB2_KEY_SIZE, msg, len, mac,
	    &maclen) == NULL || maclen < SMB2_SIGNATURE_SIZE)
		return -1;
	memcpy(sig, mac, SMB2_SIGNATURE_SIZE);
	return 0;
}

/* RFC 4493 2.3: a subkey doubled in GF(2^128). */
static void
smb2_cmac_double(const uint8_t in[16], uint8_t out[16])
{
	uint8_t carry = in[0] >> 7;
	int i;

	for (i = 0; i < 15; i++)
		out[i] = (uint8_t)(in[i] << 1 | in[i + 1] >> 7);
	out[15] = (uint8_t)(in[15] << 1 ^ (carry ? 0x87 : 0));
}

/*
 * RFC 4493 AES-CMAC.  Every block but the last is a CBC-MAC, which AES-
 * 128-CBC with a zero IV computes in bulk (OpenSSL 3.0's CMAC calls the
 * cipher once per 16-byte block: a megabyte WRITE is 65,536 calls); the
 * chain then takes the last block XORed with K1 (a whole block) or,
 * padded with 10*, with K2.
 */
int
smb2_aes_cmac(const uint8_t key[SMB2_KEY_SIZE], const uint8_t *msg,
    size_t len, uint8_t mac[16])
{
	static const uint8_t zero[16];
	uint8_t l[16], k1[16], k2[16], last[16], scratch[8192];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	size_t body, off, n, tail, i;
	int outl, ok;

	if (c == NULL || len > 0x7fffffff)
		goto fail;
	/* L = AES-128(K, 0): CBC of one zero block with a zero IV. */
	ok = EVP_EncryptInit_ex(c, EVP_aes_128_cbc(), NULL, key, zero) == 1 &&
	    EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
	    EVP_EncryptUpdate(c, l, &outl, zero, 16) == 1 && outl == 16 &&
	    EVP_EncryptInit_ex(c, NULL, NULL, NULL, zero) == 1;
	if (!ok)
		goto fail;
	smb2_cmac_double(l, k1);
	smb2_cmac_double(k1, k2);
	/* The last block: whole (len a multiple of 16, not 0) or padded. */
	tail = len == 0 ? 0 : len - (len - 1) / 16 * 16;
	body = len - tail;
	for (off = 0; off < body; off += n) {
		n = body - off < sizeof(scratch) ? body - off : sizeof(scratch);
		if (EVP_EncryptUpdate(c, scratch, &outl, msg + off, (int)n) !=
		    1 || (size_t)outl != n)
			goto fail;
	}
	memset(last, 0, sizeof(last));
	memcpy(last, msg + body, tail);
	if (tail == 16) {
		for (i = 0; i < 16; i++)
			last[i] ^= k1[i];
	} else {
		last[tail] = 0x80;
		for (i = 0; i < 16; i++)
			last[i] ^= k2[i];
	}
	if (EVP_EncryptUpdate(c, mac, &outl, last, 16) != 1 || outl != 16)
		goto fail;
	EVP_CIPHER_CTX_free(c);
	OPENSSL_cleanse(l, sizeof(l));
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	return 0;
fail:
	EVP_CIPHER_CTX_free(c);
	return -1;
}

static int
smb2_mac_cmac(const uint8_t *key, const uint8_t *msg, size_t len,
    uint8_t sig[SMB2_SIGNATURE_SIZE])
{
	return smb2_aes_cmac(key, msg, len, sig);
}

/*
 * AES-128-GMAC: GCM with the whole message as additional data and no
 * plaintext.  The nonce (3.1.4.1): the MessageId, then a 32-bit word
 * whose bit 0 says "a response" and bit 1 "a CANCEL".
 */
static int
smb2_mac_gmac(const uint8_t *key, const uint8_t *msg, size_t len,
    uint8_t sig[SMB2_SIGNATURE_SIZE])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t nonce[12];
	uint32_t role = 0, flags = smb2_get32(msg + 16);
	int outl = 0, ok;

	memcpy(nonce, msg + 24, 8);
	if (flags & SMB2_FLAGS_SERVER_TO_REDIR)
		role |= 1;
	if (smb2_get16(msg + 12) == SMB2_CANCEL)
		role |= 2;
	smb2_put32(nonce + 8, role);
	ok = c != NULL &&
	    EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1 &&
	    EVP_EncryptInit_ex(c, NULL, NULL, key, nonce) == 1 &&
	    EVP_EncryptUpdate(c, NULL, &outl, msg, (int)len) == 1 &&
	    EVP_EncryptFinal_ex(c, NULL, &outl) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SMB2_SIGNATURE_SIZE,
	    sig) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* The MAC over the message with its signature field zero. */
static int
smb2_mac(uint16_t algorithm, const uint8_t *key, uint8_t *msg, size_t len,
    uint8_t sig[SMB2_SIGNATURE_SIZE])
{
	if (len < SMB2_HDR_SIZE || len > 0x7fffffff)
		return -1;
	memset(msg + 48, 0, SMB2_SIGNATURE_SIZE);
	switch (algorithm) {
	case SMB2_SIGN_HMAC_SHA256:
		return smb2_mac_hmac(key, msg, len, sig);
	case SMB2_SIGN_AES_CMAC:
		return smb2_mac_cmac(key, msg, len, sig);
	case SMB2_SIGN_AES_GMAC:
		return smb2_mac_gmac(key, msg, len, sig);
	}
	return -1;
}

int
smb2_sign(uint16_t algorithm, const uint8_t key[SMB2_KEY_SIZE],
    uint8_t *msg, size_t len)
{
	uint8_t sig[SMB2_SIGNATURE_SIZE];

	if (smb2_mac(algorithm, key, msg, len, sig) == -1)
		return -1;
	memcpy(msg + 48, sig, SMB2_SIGNATURE_SIZE);
	return 0;
}

/* The message is const to the caller: its signature is put back. */
int
smb2_verify(uint16_t algorithm, const uint8_t key[SMB2_KEY_SIZE],
    const uint8_t *msg, size_t len)
{
	uint8_t *m = (uint8_t *)(uintptr_t)msg;
	uint8_t got[SMB2_SIGNATURE_SIZE], want[SMB2_SIGNATURE_SIZE];
	int r;

	if (len < SMB2_HDR_SIZE)
		return -1;
	memcpy(got, m + 48, SMB2_SIGNATURE_SIZE);
	r = smb2_mac(algorithm, key, m, len, want);
	memcpy(m + 48, got, SMB2_SIGNATURE_SIZE);
	if (r == -1 || CRYPTO_memcmp(got, want, SMB2_SIGNATURE_SIZE) != 0)
		return -1;
	return 0;
}

int
smb2_preauth_update(uint8_t hash[SMB2_PREAUTH_HASH_SIZE], const uint8_t *msg,
    size_t len)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int outl = 0;
	int ok;

	ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha512(), NULL) == 1 &&
	    EVP_DigestUpdate(c, hash, SMB2_PREAUTH_HASH_SIZE) == 1 &&
	    EVP_DigestUpdate(c, msg, len) == 1 &&
	    EVP_DigestFinal_ex(c, hash, &outl) == 1 &&
	    outl == SMB2_PREAUTH_HASH_SIZE;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}
