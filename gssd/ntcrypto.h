/*
 * The small cryptography of NTLM (MS-NLMP 3.3, 3.4, 6): MD4 (RFC 1320)
 * and RC4 of our own, because OpenSSL 3 on Debian 12 keeps both in its
 * legacy provider, a module file loaded at run time that a chrooted
 * gssd and a plain dittofsctl would both have to find; MD5 and
 * HMAC-MD5 from OpenSSL's default provider.  And the UTF-8 <-> UTF-16LE
 * conversions NTLM's strings need.
 */
#ifndef DITTOFS_NTCRYPTO_H
#define DITTOFS_NTCRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define NTCRYPTO_HASH_LEN	16

struct ntcrypto_rc4 {
	uint8_t	s[256];
	uint8_t	i, j;
};

void	ntcrypto_md4(const uint8_t *, size_t, uint8_t out[16]);
void	ntcrypto_md5(const uint8_t *, size_t, uint8_t out[16]);
/* HMAC-MD5 over the concatenation of up to three parts (NULL: none). */
void	ntcrypto_hmac_md5(const uint8_t *key, size_t keylen,
	    const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
	    const uint8_t *c, size_t clen, uint8_t out[16]);
void	ntcrypto_rc4_init(struct ntcrypto_rc4 *, const uint8_t *key,
	    size_t keylen);
void	ntcrypto_rc4(struct ntcrypto_rc4 *, uint8_t *buf, size_t len);
/* Fetch OpenSSL's algorithms now (before a sandbox forbids the files). */
int	ntcrypto_init(void);

/*
 * UTF-8 to UTF-16LE into out (at most outmax bytes); the byte count, or
 * -1 for bad UTF-8 or no room.  upper: ASCII letters upper-cased (NTLM's
 * user names; other letters are left as they are, gssd(8) says so).
 */
int	ntcrypto_utf16le(const char *, uint8_t *out, size_t outmax,
	    int upper);
/* UTF-16LE to NUL-ended UTF-8; -1 for an odd length, a lone surrogate
 * or a NUL, or no room. */
int	ntcrypto_utf8(const uint8_t *, size_t, char *out, size_t outmax);
/* The NT hash (MS-NLMP 3.3.1 NTOWFv1): MD4 of the UTF-16LE password. */
int	ntcrypto_nt_hash(const char *password, uint8_t out[16]);

#endif
