/*
 * SMB3 encryption (MS-SMB2 2.2.41, 3.1.4.3, 3.3.5.5.3), with OpenSSL:
 * the TRANSFORM_HEADER, AES-128-CCM, AES-128-GCM, AES-256-CCM and
 * AES-256-GCM over a message with the header's last 32 bytes as the
 * additional data, the ciphers' keys from the session key, and the
 * nonces.  Pure: smbd's connections (conn.c) keep keys and counters.
 */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "smb2.h"

/* The transform header's fields after ProtocolId (MS-SMB2 2.2.41). */
#define SMB2_TF_SIGNATURE	4
#define SMB2_TF_NONCE		20
#define SMB2_TF_SIZE		36
#define SMB2_TF_FLAGS		42
#define SMB2_TF_SESSION		44
/* Authenticated, not encrypted: Nonce to the end of the header. */
#define SMB2_TF_AAD		SMB2_TF_NONCE
#define SMB2_TF_AAD_SIZE	(SMB2_TRANSFORM_SIZE - SMB2_TF_NONCE)

static const struct {
	uint16_t	 id;
	const char	*name;
	size_t		 key_size;
	int		 gcm;
} smb2_ciphers[] = {
	{ SMB2_CIPHER_AES128_CCM, "aes-128-ccm", 16, 0 },
	{ SMB2_CIPHER_AES128_GCM, "aes-128-gcm", 16, 1 },
	{ SMB2_CIPHER_AES256_CCM, "aes-256-ccm", 32, 0 },
	{ SMB2_CIPHER_AES256_GCM, "aes-256-gcm", 32, 1 },
};
#define SMB2_NCIPHERS	(sizeof(smb2_ciphers) / sizeof(smb2_ciphers[0]))

static int
smb2_cipher_index(uint16_t cipher)
{
	size_t i;

	for (i = 0; i < SMB2_NCIPHERS; i++)
		if (smb2_ciphers[i].id == cipher)
			return (int)i;
	return -1;
}

const char *
smb2_cipher_name(uint16_t cipher)
{
	int i = smb2_cipher_index(cipher);

	return i < 0 ? "none" : smb2_ciphers[i].name;
}

uint16_t
smb2_cipher_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < SMB2_NCIPHERS; i++)
		if (strcasecmp(name, smb2_ciphers[i].name) == 0)
			return smb2_ciphers[i].id;
	return 0;
}

size_t
smb2_cipher_key_size(uint16_t cipher)
{
	int i = smb2_cipher_index(cipher);

	return i < 0 ? 0 : smb2_ciphers[i].key_size;
}

/* CCM takes 11 bytes of the Nonce field, GCM 12 (2.2.41). */
size_t
smb2_cipher_nonce_size(uint16_t cipher)
{
	int i = smb2_cipher_index(cipher);

	return i < 0 ? 0 : smb2_ciphers[i].gcm ? 12 : 11;
}

static const EVP_CIPHER *
smb2_cipher_evp(uint16_t cipher)
{
	switch (cipher) {
	case SMB2_CIPHER_AES128_CCM:
		return EVP_aes_128_ccm();
	case SMB2_CIPHER_AES128_GCM:
		return EVP_aes_128_gcm();
	case SMB2_CIPHER_AES256_CCM:
		return EVP_aes_256_ccm();
	case SMB2_CIPHER_AES256_GCM:
		return EVP_aes_256_gcm();
	}
	return NULL;
}

/*
 * MS-SMB2 3.3.5.5.3: the server encrypts with the server-to-client key
 * and decrypts with the client-to-server one.  3.0 and 3.0.2 know only
 * AES-128-CCM and fixed contexts; 3.1.1 takes the session's preauth
 * hash.  An AES-128 key comes from the session key's first 16 bytes
 * (0-padded), an AES-256 key from the whole of it, 256 bits long.
 */
int
smb2_cipher_keys(uint16_t dialect, uint16_t cipher,
    const uint8_t *session_key, size_t keylen, const uint8_t *preauth_hash,
    uint8_t enc[SMB2_CIPHER_KEY_MAX], uint8_t dec[SMB2_CIPHER_KEY_MAX])
{
	uint8_t k[SMB2_KEY_SIZE];
	const uint8_t *ki = k;
	size_t kilen = sizeof(k), outlen = smb2_cipher_key_size(cipher);
	int r;

	if (outlen == 0 || keylen == 0 || dialect < SMB2_DIALECT_300 ||
	    (dialect != SMB2_DIALECT_311 && cipher != SMB2_CIPHER_AES128_CCM))
		return -1;
	memset(k, 0, sizeof(k));
	memcpy(k, session_key, keylen < sizeof(k) ? keylen : sizeof(k));
	if (outlen == 32) {
		ki = session_key;
		kilen = keylen;
	}
	memset(enc, 0, SMB2_CIPHER_KEY_MAX);
	memset(dec, 0, SMB2_CIPHER_KEY_MAX);
	if (dialect == SMB2_DIALECT_311)
		r = smb2_kdf_len(ki, kilen, (const uint8_t *)"SMBS2CCipherKey",
		    16, preauth_hash, SMB2_PREAUTH_HASH_SIZE, enc, outlen) ||
		    smb2_kdf_len(ki, kilen, (const uint8_t *)"SMBC2SCipherKey",
		    16, preauth_hash, SMB2_PREAUTH_HASH_SIZE, dec, outlen);
	else
		r = smb2_kdf_len(ki, kilen, (const uint8_t *)"SMB2AESCCM", 11,
		    (const uint8_t *)"ServerOut", 10, enc, outlen) ||
		    smb2_kdf_len(ki, kilen, (const uint8_t *)"SMB2AESCCM", 11,
		    (const uint8_t *)"ServerIn ", 10, dec, outlen);
	OPENSSL_cleanse(k, sizeof(k));
	if (r != 0) {
		OPENSSL_cleanse(enc, SMB2_CIPHER_KEY_MAX);
		OPENSSL_cleanse(dec, SMB2_CIPHER_KEY_MAX);
		return -1;
	}
	return 0;
}

/*
 * A nonce is never used twice with one key: the 64-bit count, then as
 * many bytes of salt as the cipher's nonce has room for; the rest of
 * the 16-byte field is zero (2.2.41).
 */
void
smb2_nonce_make(uint16_t cipher, uint64_t count,
    const uint8_t salt[SMB2_NONCE_SALT_SIZE], uint8_t nonce[16])
{
	size_t n = smb2_cipher_nonce_size(cipher);

	memset(nonce, 0, 16);
	smb2_put64(nonce, count);
	if (n > 8)
		memcpy(nonce + 8, salt, n - 8);
}

int
smb2_transform_decode(const uint8_t *p, size_t len, struct smb2_transform *t)
{
	if (len < SMB2_TRANSFORM_SIZE + SMB2_HDR_SIZE ||
	    smb2_get32(p) != SMB2_TRANSFORM_MAGIC)
		return -1;
	memcpy(t->signature, p + SMB2_TF_SIGNATURE, SMB2_SIGNATURE_SIZE);
	memcpy(t->nonce, p + SMB2_TF_NONCE, sizeof(t->nonce));
	t->original_size = smb2_get32(p + SMB2_TF_SIZE);
	t->flags = smb2_get16(p + SMB2_TF_FLAGS);
	t->session_id = smb2_get64(p + SMB2_TF_SESSION);
	/* 3.3.5.2.1.1: Flags 0x0001 (3.0's AES-128-CCM alike); the size. */
	if (t->flags != SMB2_TRANSFORM_ENCRYPTED ||
	    t->original_size != len - SMB2_TRANSFORM_SIZE)
		return -1;
	return 0;
}

/* One AEAD pass: encrypt (tag out) or decrypt (tag checked). */
static int
smb2_aead(int encrypt, uint16_t cipher, const uint8_t *key,
    const uint8_t *nonce, const uint8_t *aad, const uint8_t *in,
    size_t len, uint8_t *out, uint8_t tag[SMB2_SIGNATURE_SIZE])
{
	const EVP_CIPHER *evp = smb2_cipher_evp(cipher);
	size_t nlen = smb2_cipher_nonce_size(cipher);
	int gcm, outl = 0, ok;
	EVP_CIPHER_CTX *c;

	if (evp == NULL || len > INT_MAX - 64 ||
	    (c = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	gcm = nlen == 12;
	ok = EVP_CipherInit_ex(c, evp, NULL, NULL, NULL, encrypt) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, gcm ? EVP_CTRL_GCM_SET_IVLEN :
	    EVP_CTRL_CCM_SET_IVLEN, (int)nlen, NULL) == 1;
	/* CCM takes its tag (or the tag's length) before the key. */
	if (ok && !gcm)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_CCM_SET_TAG,
		    SMB2_SIGNATURE_SIZE, encrypt ? NULL : tag) == 1;
	ok = ok && EVP_CipherInit_ex(c, NULL, NULL, key, nonce, encrypt) == 1;
	/* ... and the message's length before the additional data. */
	if (ok && !gcm)
		ok = EVP_CipherUpdate(c, NULL, &outl, NULL, (int)len) == 1;
	ok = ok && EVP_CipherUpdate(c, NULL, &outl, aad,
	    SMB2_TF_AAD_SIZE) == 1;
	/* A CCM decryption checks the tag here: it fails, or all is well. */
	ok = ok && EVP_CipherUpdate(c, out, &outl, in, (int)len) == 1 &&
	    (size_t)outl == len;
	if (ok && gcm && !encrypt)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG,
		    SMB2_SIGNATURE_SIZE, tag) == 1;
	if (ok && (gcm || encrypt))
		ok = EVP_CipherFinal_ex(c, out + outl, &outl) == 1;
	if (ok && encrypt)
		ok = EVP_CIPHER_CTX_ctrl(c, gcm ? EVP_CTRL_GCM_GET_TAG :
		    EVP_CTRL_CCM_GET_TAG, SMB2_SIGNATURE_SIZE, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* MS-SMB2 3.1.4.3 */
int
smb2_encrypt(uint16_t cipher, const uint8_t *key, const uint8_t nonce[16],
    uint64_t session_id, const uint8_t *msg, size_t len, uint8_t *out)
{
	uint8_t tag[SMB2_SIGNATURE_SIZE];

	if (len < SMB2_HDR_SIZE || len > UINT32_MAX ||
	    smb2_cipher_nonce_size(cipher) == 0)
		return -1;
	memset(out, 0, SMB2_TRANSFORM_SIZE);
	smb2_put32(out, SMB2_TRANSFORM_MAGIC);
	memcpy(out + SMB2_TF_NONCE, nonce, 16);
	smb2_put32(out + SMB2_TF_SIZE, (uint32_t)len);
	smb2_put16(out + SMB2_TF_FLAGS, SMB2_TRANSFORM_ENCRYPTED);
	smb2_put64(out + SMB2_TF_SESSION, session_id);
	if (smb2_aead(1, cipher, key, out + SMB2_TF_NONCE, out + SMB2_TF_AAD,
	    msg, len, out + SMB2_TRANSFORM_SIZE, tag) == -1)
		return -1;
	memcpy(out + SMB2_TF_SIGNATURE, tag, SMB2_SIGNATURE_SIZE);
	return 0;
}

/* MS-SMB2 3.3.5.2.1.1 */
int
smb2_decrypt(uint16_t cipher, const uint8_t *key, uint8_t *frame,
    size_t len)
{
	struct smb2_transform t;
	uint8_t *m = frame + SMB2_TRANSFORM_SIZE;

	if (smb2_transform_decode(frame, len, &t) == -1 ||
	    smb2_aead(0, cipher, key, frame + SMB2_TF_NONCE,
	    frame + SMB2_TF_AAD, m, t.original_size, m, t.signature) == -1) {
		/* Nothing of an unauthentic message is left to be read. */
		if (len > SMB2_TRANSFORM_SIZE)
			OPENSSL_cleanse(m, len - SMB2_TRANSFORM_SIZE);
		return -1;
	}
	return 0;
}
