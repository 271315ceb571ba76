/*
 * The client's side of NTLMSSP (MS-NLMP 3.1.5), for tests only: a
 * NEGOTIATE, and an NTLMv2 AUTHENTICATE computed from a password for a
 * server's CHALLENGE, with KEY_EXCH and, when asked, the MsvAvFlags MIC.
 * gss-check.c and tests/unit/test_ntlm.c use it against gssd's acceptor.
 */
#ifndef DITTOFS_GSS_CHECK_H
#define DITTOFS_GSS_CHECK_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ntcrypto.h"
#include "ntlm.h"

#define GSSC_FLAGS	(NTLM_NEG_UNICODE | NTLM_REQUEST_TARGET | \
			 NTLM_NEG_SIGN | NTLM_NEG_NTLM | NTLM_NEG_ALWAYS_SIGN | \
			 NTLM_NEG_ESS | NTLM_NEG_VERSION | NTLM_NEG_128 | \
			 NTLM_NEG_KEY_EXCH | NTLM_NEG_56)

static inline void
gssc_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
gssc_put32(uint8_t *p, uint32_t v)
{
	gssc_put16(p, (uint16_t)v);
	gssc_put16(p + 2, (uint16_t)(v >> 16));
}

static inline uint32_t
gssc_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* A 32-byte NEGOTIATE_MESSAGE. */
static inline size_t
gssc_negotiate(uint8_t out[32], uint32_t flags)
{
	memset(out, 0, 32);
	memcpy(out, "NTLMSSP", 8);
	gssc_put32(out + 8, 1);
	gssc_put32(out + 12, flags);
	return 32;
}

/* A security buffer at off in m: n bytes of src (or zeros) at *p. */
static inline void
gssc_field(uint8_t *m, uint8_t **p, size_t off, const uint8_t *src, size_t n)
{
	gssc_put16(m + off, (uint16_t)n);
	gssc_put16(m + off + 2, (uint16_t)n);
	gssc_put32(m + off + 4, (uint32_t)(*p - m));
	if (src != NULL)
		memcpy(*p, src, n);
	*p += n;
}

struct gssc_auth {
	const char	*user;
	const char	*domain;
	const char	*password;
	const uint8_t	*nt_hash;	/* instead of the password's */
	int		 mic;		/* add MsvAvFlags 0x2 and the MIC */
	int		 v1;		/* send a 24-byte (NTLMv1-sized) response */
	uint8_t		 random_key[16];
	uint8_t		 exported[16];	/* out */
	uint32_t	 flags;		/* out: the CHALLENGE's */
};

/* The AUTHENTICATE for a CHALLENGE; malloc'ed, NULL on a bad CHALLENGE. */
static inline uint8_t *
gssc_authenticate(struct gssc_auth *a, const uint8_t *neg, size_t neglen,
    const uint8_t *chal, size_t chlen, size_t *outlen)
{
	uint8_t hash[16], key[16], proof[16], base[16], mic[16];
	uint8_t temp[2048], dom[512], usr[512], *m, *p;
	size_t tlen = 0, at, ilen, ioff, ntlen, total;
	int dl, ul;
	struct ntcrypto_rc4 rc4;
	uint16_t id, l;

	if (chlen < 48 || memcmp(chal, "NTLMSSP", 8) != 0)
		return NULL;
	a->flags = gssc_le32(chal + 20);
	ilen = (size_t)(chal[40] | chal[41] << 8);
	ioff = gssc_le32(chal + 44);
	if (ioff > chlen || ilen > chlen - ioff || ilen > 1024)
		return NULL;
	memset(temp, 0, 28);
	temp[0] = temp[1] = 1;
	for (at = 0; at < 8; at++)
		temp[16 + at] = (uint8_t)(0x11 * (at + 1));	/* client chal. */
	/* The server's pairs, its timestamp for ours, MsvAvFlags, EOL. */
	tlen = 28;
	for (at = ioff; at + 4 <= ioff + ilen; at += 4 + l) {
		id = (uint16_t)(chal[at] | chal[at + 1] << 8);
		l = (uint16_t)(chal[at + 2] | chal[at + 3] << 8);
		if (id == NTLM_AV_EOL || at + 4 + l > ioff + ilen)
			break;
		if (id == NTLM_AV_TIMESTAMP && l == 8)
			memcpy(temp + 8, chal + at + 4, 8);
		memcpy(temp + tlen, chal + at, 4 + (size_t)l);
		tlen += 4 + (size_t)l;
	}
	if (a->mic) {
		gssc_put16(temp + tlen, NTLM_AV_FLAGS);
		gssc_put16(temp + tlen + 2, 4);
		gssc_put32(temp + tlen + 4, NTLM_AV_FLAG_MIC);
		tlen += 8;
	}
	memset(temp + tlen, 0, 8);		/* MsvAvEOL, then Z(4) */
	tlen += 8;
	if (a->nt_hash != NULL)
		memcpy(hash, a->nt_hash, 16);
	else if (ntcrypto_nt_hash(a->password, hash) == -1)
		return NULL;
	if (ntlm_ntowfv2(hash, a->user, a->domain, key) == -1)
		return NULL;
	ntcrypto_hmac_md5(key, 16, chal + 24, 8, temp, tlen, NULL, 0, proof);
	ntcrypto_hmac_md5(key, 16, proof, 16, NULL, 0, NULL, 0, base);
	/* MS-NLMP 3.1.5.1.2: KEY_EXCH sends a random key, else the base. */
	memcpy(a->exported, (a->flags & NTLM_NEG_KEY_EXCH) ? a->random_key :
	    base, 16);
	if ((dl = ntcrypto_utf16le(a->domain, dom, sizeof(dom), 0)) == -1 ||
	    (ul = ntcrypto_utf16le(a->user, usr, sizeof(usr), 0)) == -1)
		return NULL;
	ntlen = a->v1 ? 24 : 16 + tlen;
	total = 88 + (size_t)dl + (size_t)ul + 24 + ntlen + 16;
	if ((m = calloc(1, total)) == NULL)
		return NULL;
	memcpy(m, "NTLMSSP", 8);
	gssc_put32(m + 8, 3);
	p = m + 88;
	gssc_field(m, &p, 28, dom, (size_t)dl);
	gssc_field(m, &p, 36, usr, (size_t)ul);
	gssc_field(m, &p, 44, NULL, 0);
	gssc_field(m, &p, 12, NULL, 24);			/* Z(24): LMv2 not sent */
	if (a->v1) {
		gssc_field(m, &p, 20, proof, 16);
		p += 8;
		gssc_put16(m + 20, 24);
		gssc_put16(m + 22, 24);
	} else {
		gssc_field(m, &p, 20, proof, 16);
		memcpy(p, temp, tlen);
		p += tlen;
		gssc_put16(m + 20, (uint16_t)ntlen);
		gssc_put16(m + 22, (uint16_t)ntlen);
	}
	/* KEY_EXCH: the random session key under RC4(KeyExchangeKey). */
	if (a->flags & NTLM_NEG_KEY_EXCH) {
		uint8_t ersk[16];

		memcpy(ersk, a->random_key, 16);
		ntcrypto_rc4_init(&rc4, base, 16);
		ntcrypto_rc4(&rc4, ersk, 16);
		gssc_field(m, &p, 52, ersk, 16);
	} else
		gssc_field(m, &p, 52, NULL, 0);
	gssc_put32(m + 60, a->flags);
	m[64] = 6;
	m[65] = 1;
	m[71] = 15;
	*outlen = (size_t)(p - m);
	if (a->mic) {
		ntcrypto_hmac_md5(a->exported, 16, neg, neglen, chal, chlen,
		    m, *outlen, mic);
		memcpy(m + 72, mic, 16);
	}
	return m;
}

#endif
