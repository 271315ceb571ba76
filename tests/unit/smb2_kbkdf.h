/*
 * OpenSSL's SP800-108 KBKDF (counter mode, HMAC-SHA256, the 0x00 and L
 * of MS-SMB2 3.1.4.2, L the output's length in bits): an implementation
 * apart from smbd/smb2_sign.c's, for test_smb2_sign and test_smb2_crypt.
 */
#ifndef DITTOFS_SMB2_KBKDF_H
#define DITTOFS_SMB2_KBKDF_H

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

static inline int
smb2_test_kbkdf(const uint8_t *key, size_t keylen, const void *label,
    size_t llen, const void *ctx, size_t clen, uint8_t *out, size_t outlen)
{
	EVP_KDF *k = EVP_KDF_fetch(NULL, "KBKDF", NULL);
	EVP_KDF_CTX *c = k != NULL ? EVP_KDF_CTX_new(k) : NULL;
	OSSL_PARAM p[7], *q = p;
	int ok;

	*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE,
	    (char *)"counter", 0);
	*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC,
	    (char *)"HMAC", 0);
	*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)key, keylen);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)label, llen);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    (void *)ctx, clen);
	*q = OSSL_PARAM_construct_end();
	ok = c != NULL && EVP_KDF_derive(c, out, outlen, p) == 1;
	EVP_KDF_CTX_free(c);
	EVP_KDF_free(k);
	return ok ? 0 : -1;
}

#endif
