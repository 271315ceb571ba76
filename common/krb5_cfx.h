/*
 * common/krb5_cfx.h: the per-message tokens of the Kerberos V5 GSS
 * mechanism (RFC 4121 4.2: MIC tokens, sealed Wrap tokens) for the AES
 * enctypes, on OpenSSL's EVP (AES-NI where the CPU has it) instead of
 * MIT's builtin AES: aes128/aes256-cts-hmac-sha1-96 (RFC 3962, the
 * simplified profile of RFC 3961) and aes128-cts-hmac-sha256-128,
 * aes256-cts-hmac-sha384-192 (RFC 8009).  The keys are those of an
 * established context (MIT's lucid export); the per-usage keys are
 * derived once, and every cipher and HMAC context is kept with them.
 */
#ifndef DITTOFS_COMMON_KRB5_CFX_H
#define DITTOFS_COMMON_KRB5_CFX_H

#include <stddef.h>
#include <stdint.h>

#include "xdrbuf.h"

/* RFC 3961 8, RFC 8009 7: the enctypes with this path. */
#define KRB5_CFX_AES128_SHA1	17
#define KRB5_CFX_AES256_SHA1	18
#define KRB5_CFX_AES128_SHA256	19
#define KRB5_CFX_AES256_SHA384	20

struct krb5_cfx_key {
	int32_t		 enctype;
	const uint8_t	*data;
	size_t		 len;
};

struct krb5_cfx;

/* 1 when the enctype takes this path, 0 otherwise. */
int	 krb5_cfx_supported(int32_t enctype);
/*
 * A context's per-message state: which side we are, our next SND_SEQ,
 * its key and the acceptor's subkey (NULL when it asserted none).
 * NULL when an enctype is not supported, a length is wrong or OpenSSL
 * fails.  endtime: seconds since the epoch, 0 for none.
 */
struct krb5_cfx *krb5_cfx_new(int initiator, uint64_t send_seq,
	    uint64_t endtime, const struct krb5_cfx_key *ctx_key,
	    const struct krb5_cfx_key *acceptor_subkey);
void	 krb5_cfx_free(struct krb5_cfx *);

/* RFC 4121 4.2.6.1: a MIC token of msg into tok (at most max); 0 or -1. */
int	 krb5_cfx_get_mic(struct krb5_cfx *, const uint8_t *msg, size_t len,
	    uint8_t *tok, size_t max, size_t *toklen);
/* 0 when tok is the peer's MIC token of msg, -1 otherwise. */
int	 krb5_cfx_verify_mic(struct krb5_cfx *, const uint8_t *msg,
	    size_t len, const uint8_t *tok, size_t toklen);
/* RFC 4121 4.2.6.2: msg sealed (EC 0, RRC 0), appended to out; 0 or -1. */
int	 krb5_cfx_wrap(struct krb5_cfx *, const uint8_t *msg, size_t len,
	    struct xdrbuf_out *out);
/* The same of head (at most 16 bytes) and msg, one after the other. */
int	 krb5_cfx_wrap_head(struct krb5_cfx *, const uint8_t *head,
	    size_t headlen, const uint8_t *msg, size_t len,
	    struct xdrbuf_out *out);
/*
 * The plain text of the peer's sealed Wrap token (any EC, any RRC)
 * appended to out; 0, or -1 with out as it was.
 */
int	 krb5_cfx_unwrap(struct krb5_cfx *, const uint8_t *tok, size_t len,
	    struct xdrbuf_out *out);

/* The pieces, for the tests' known answers (RFC 3961, 3962, 8009). */
int	 krb5_cfx_nfold(const uint8_t *in, size_t inlen, uint8_t *out,
	    size_t outlen);
/* The key of usage and kind (0x99 Kc, 0xAA Ke, 0x55 Ki); its length. */
int	 krb5_cfx_derive(int32_t enctype, const uint8_t *base, size_t len,
	    uint32_t usage, uint8_t kind, uint8_t *out, size_t *outlen);
/* AES CBC-CTS (RFC 3962 5), zero IV, n >= 16; 0 or -1. */
int	 krb5_cfx_cts(int encrypt, const uint8_t *key, size_t keylen,
	    const uint8_t *in, size_t n, uint8_t *out);
/* RFC 3961 5.3 encryption with a given confounder; its length or -1. */
long	 krb5_cfx_encrypt_with(int32_t enctype, const uint8_t *base,
	    size_t len, uint32_t usage, const uint8_t conf[16],
	    const uint8_t *plain, size_t plen, uint8_t *out, size_t max);
/* The keyed checksum of usage (RFC 3961 5.4); its length or -1. */
long	 krb5_cfx_checksum(int32_t enctype, const uint8_t *base, size_t len,
	    uint32_t usage, const uint8_t *msg, size_t mlen, uint8_t *out,
	    size_t max);

#endif
