/*
 * NTLM's cryptography: MD4 (RFC 1320) and RC4 here, MD5 and HMAC-MD5
 * from OpenSSL (ntcrypto.h says why).
 */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ntcrypto.h"

#define MD4_F(x, y, z)	(((x) & (y)) | (~(x) & (z)))
#define MD4_G(x, y, z)	(((x) & (y)) | ((x) & (z)) | ((y) & (z)))
#define MD4_H(x, y, z)	((x) ^ (y) ^ (z))
#define MD4_ROL(v, s)	(((v) << (s)) | ((v) >> (32 - (s))))

/* RFC 1320 3.4: one 64-byte block into the state. */
static void
ntcrypto_md4_block(uint32_t st[4], const uint8_t *p)
{
	static const int r2[16] = { 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14,
	    3, 7, 11, 15 };
	static const int r3[16] = { 0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13,
	    3, 11, 7, 15 };
	static const int s1[4] = { 3, 7, 11, 19 }, s2[4] = { 3, 5, 9, 13 },
	    s3[4] = { 3, 9, 11, 15 };
	uint32_t x[16], a = st[0], b = st[1], c = st[2], d = st[3], t;
	int i;

	for (i = 0; i < 16; i++)
		x[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
		    (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
	for (i = 0; i < 16; i++) {
		t = a + MD4_F(b, c, d) + x[i];
		a = d; d = c; c = b;
		b = MD4_ROL(t, s1[i % 4]);
	}
	for (i = 0; i < 16; i++) {
		t = a + MD4_G(b, c, d) + x[r2[i]] + 0x5a827999u;
		a = d; d = c; c = b;
		b = MD4_ROL(t, s2[i % 4]);
	}
	for (i = 0; i < 16; i++) {
		t = a + MD4_H(b, c, d) + x[r3[i]] + 0x6ed9eba1u;
		a = d; d = c; c = b;
		b = MD4_ROL(t, s3[i % 4]);
	}
	st[0] += a;
	st[1] += b;
	st[2] += c;
	st[3] += d;
}

/* RFC 1320 3.1-3.5. */
void
ntcrypto_md4(const uint8_t *in, size_t len, uint8_t out[16])
{
	uint32_t st[4] = { 0x67452301u, 0xefcdab89u, 0x98badcfeu,
	    0x10325476u };
	uint8_t tail[128];
	uint64_t bits = (uint64_t)len * 8;
	size_t rest, tlen, i;

	for (; len >= 64; in += 64, len -= 64)
		ntcrypto_md4_block(st, in);
	rest = len;
	memset(tail, 0, sizeof(tail));
	memcpy(tail, in, rest);
	tail[rest] = 0x80;
	tlen = rest + 1 + 8 <= 64 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[tlen - 8 + i] = (uint8_t)(bits >> (8 * i));
	ntcrypto_md4_block(st, tail);
	if (tlen == 128)
		ntcrypto_md4_block(st, tail + 64);
	for (i = 0; i < 16; i++)
		out[i] = (uint8_t)(st[i / 4] >> (8 * (i % 4)));
}

void
ntcrypto_rc4_init(struct ntcrypto_rc4 *rc4, const uint8_t *key,
    size_t keylen)
{
	unsigned int i, j = 0;
	uint8_t t;

	for (i = 0; i < 256; i++)
		rc4->s[i] = (uint8_t)i;
	for (i = 0; i < 256; i++) {
		j = (j + rc4->s[i] + key[i % keylen]) & 0xff;
		t = rc4->s[i];
		rc4->s[i] = rc4->s[j];
		rc4->s[j] = t;
	}
	rc4->i = rc4->j = 0;
}

void
ntcrypto_rc4(struct ntcrypto_rc4 *rc4, uint8_t *buf, size_t len)
{
	uint8_t t;
	size_t k;

	for (k = 0; k < len; k++) {
		rc4->i = (uint8_t)(rc4->i + 1);
		rc4->j = (uint8_t)(rc4->j + rc4->s[rc4->i]);
		t = rc4->s[rc4->i];
		rc4->s[rc4->i] = rc4->s[rc4->j];
		rc4->s[rc4->j] = t;
		buf[k] ^= rc4->s[(uint8_t)(rc4->s[rc4->i] + rc4->s[rc4->j])];
	}
}

void
ntcrypto_md5(const uint8_t *in, size_t len, uint8_t out[16])
{
	unsigned int n = 16;

	if (EVP_Digest(in, len, out, &n, EVP_md5(), NULL) != 1)
		memset(out, 0, 16);
}

/* RFC 2104 with MD5, on the parts joined. */
void
ntcrypto_hmac_md5(const uint8_t *key, size_t keylen, const uint8_t *a,
    size_t alen, const uint8_t *b, size_t blen, const uint8_t *c,
    size_t clen, uint8_t out[16])
{
	uint8_t k[64], pad[64], inner[16];
	EVP_MD_CTX *ctx;
	unsigned int n;
	size_t i;

	memset(k, 0, sizeof(k));
	if (keylen > sizeof(k))
		ntcrypto_md5(key, keylen, k);
	else
		memcpy(k, key, keylen);
	memset(out, 0, 16);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return;
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	n = 16;
	if (EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, pad, 64) != 1 ||
	    (alen > 0 && EVP_DigestUpdate(ctx, a, alen) != 1) ||
	    (blen > 0 && EVP_DigestUpdate(ctx, b, blen) != 1) ||
	    (clen > 0 && EVP_DigestUpdate(ctx, c, clen) != 1) ||
	    EVP_DigestFinal_ex(ctx, inner, &n) != 1)
		goto out;
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	if (EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, pad, 64) != 1 ||
	    EVP_DigestUpdate(ctx, inner, 16) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &n) != 1)
		memset(out, 0, 16);
out:
	EVP_MD_CTX_free(ctx);
	memset(k, 0, sizeof(k));
	memset(pad, 0, sizeof(pad));
}

int
ntcrypto_init(void)
{
	uint8_t out[16];

	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
		return -1;
	ntcrypto_hmac_md5((const uint8_t *)"k", 1, (const uint8_t *)"m", 1,
	    NULL, 0, NULL, 0, out);
	return 0;
}

static int
ntcrypto_put16(uint8_t *out, size_t outmax, size_t *n, uint32_t u)
{
	if (*n + 2 > outmax)
		return -1;
	out[(*n)++] = (uint8_t)u;
	out[(*n)++] = (uint8_t)(u >> 8);
	return 0;
}

int
ntcrypto_utf16le(const char *s, uint8_t *out, size_t outmax, int upper)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = 0;
	uint32_t u;
	int extra;

	while (*p != '\0') {
		if (*p < 0x80) {
			u = *p++;
			if (upper && u >= 'a' && u <= 'z')
				u -= 'a' - 'A';
			extra = 0;
		} else if ((*p & 0xe0) == 0xc0) {
			u = *p++ & 0x1f;
			extra = 1;
		} else if ((*p & 0xf0) == 0xe0) {
			u = *p++ & 0x0f;
			extra = 2;
		} else if ((*p & 0xf8) == 0xf0) {
			u = *p++ & 0x07;
			extra = 3;
		} else
			return -1;
		for (; extra > 0; extra--) {
			if ((*p & 0xc0) != 0x80)
				return -1;
			u = u << 6 | (*p++ & 0x3f);
		}
		if (u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff))
			return -1;
		if (u >= 0x10000) {
			u -= 0x10000;
			if (ntcrypto_put16(out, outmax, &n, 0xd800 | (u >> 10))
			    == -1 || ntcrypto_put16(out, outmax, &n,
			    0xdc00 | (u & 0x3ff)) == -1)
				return -1;
		} else if (ntcrypto_put16(out, outmax, &n, u) == -1)
			return -1;
	}
	return (int)n;
}

int
ntcrypto_utf8(const uint8_t *in, size_t len, char *out, size_t outmax)
{
	size_t i, n = 0;
	uint32_t u, lo;

	if (len % 2 != 0)
		return -1;
	for (i = 0; i < len; i += 2) {
		u = (uint32_t)in[i] | (uint32_t)in[i + 1] << 8;
		if (u >= 0xdc00 && u <= 0xdfff)
			return -1;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (i + 4 > len)
				return -1;
			lo = (uint32_t)in[i + 2] | (uint32_t)in[i + 3] << 8;
			if (lo < 0xdc00 || lo > 0xdfff)
				return -1;
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		}
		if (u == 0)
			return -1;
		if (u < 0x80) {
			if (n + 1 >= outmax)
				return -1;
			out[n++] = (char)u;
		} else if (u < 0x800) {
			if (n + 2 >= outmax)
				return -1;
			out[n++] = (char)(0xc0 | u >> 6);
			out[n++] = (char)(0x80 | (u & 0x3f));
		} else if (u < 0x10000) {
			if (n + 3 >= outmax)
				return -1;
			out[n++] = (char)(0xe0 | u >> 12);
			out[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
			out[n++] = (char)(0x80 | (u & 0x3f));
		} else {
			if (n + 4 >= outmax)
				return -1;
			out[n++] = (char)(0xf0 | u >> 18);
			out[n++] = (char)(0x80 | ((u >> 12) & 0x3f));
			out[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
			out[n++] = (char)(0x80 | (u & 0x3f));
		}
	}
	if (n >= outmax)
		return -1;
	out[n] = '\0';
	return (int)n;
}

int
ntcrypto_nt_hash(const char *password, uint8_t out[16])
{
	uint8_t buf[1024];
	int n;

	if ((n = ntcrypto_utf16le(password, buf, sizeof(buf), 0)) == -1)
		return -1;
	ntcrypto_md4(buf, (size_t)n, out);
	memset(buf, 0, sizeof(buf));
	return 0;
}
