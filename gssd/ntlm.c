/*
 * The NTLMSSP acceptor (MS-NLMP 3.2.5): one CHALLENGE per context from
 * getrandom(2), NTLMv2 responses checked against the user's NT hash,
 * the exported session key (KEY_EXCH), the MIC.  NTLMv1 and LM are
 * refused: their responses can be cracked offline.
 */
#include <sys/random.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ntlm.h"

static const uint8_t ntlm_signature[8] = "NTLMSSP";	/* with its NUL */

#define NTLM_NEGOTIATE_TYPE	1
#define NTLM_CHALLENGE_TYPE	2
#define NTLM_AUTHENTICATE_TYPE	3
#define NTLM_CHALLENGE_HEADER	56
#define NTLM_AUTH_HEADER_MIN	64
#define NTLM_MIC_OFFSET		72
/* NTLMv2_CLIENT_CHALLENGE up to its AV pairs (MS-NLMP 2.2.2.7). */
#define NTLM_V2_BLOB_FIXED	28
/* Seconds from 1601-01-01 to 1970-01-01. */
#define NTLM_EPOCH_DELTA	11644473600ULL

static uint16_t
ntlm_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
ntlm_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
ntlm_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
ntlm_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int
ntlm_is_ntlmssp(const uint8_t *p, size_t len)
{
	return len >= 12 && memcmp(p, ntlm_signature, 8) == 0;
}

void
ntlm_server_init(struct ntlm_server *s)
{
	memset(s, 0, sizeof(*s));
	s->step = NTLM_STEP_NEGOTIATE;
}

void
ntlm_server_clear(struct ntlm_server *s)
{
	free(s->negotiate);
	free(s->challenge_msg);
	OPENSSL_cleanse(s, sizeof(*s));
	s->step = NTLM_STEP_DONE;
}

/* A security buffer's fields (MS-NLMP 2.2.1): within the message? */
static int
ntlm_field(const uint8_t *msg, size_t len, size_t at, const uint8_t **p,
    size_t *flen)
{
	size_t l = ntlm_le16(msg + at), off = ntlm_le32(msg + at + 4);

	if (off > len || l > len - off)
		return -1;
	*p = msg + off;
	*flen = l;
	return 0;
}

/* One AV pair of UTF-8 text as UTF-16LE at *n; -1 without room. */
static int
ntlm_put_av(uint8_t *buf, size_t max, size_t *n, uint16_t id,
    const char *text)
{
	int l;

	if (*n + 4 > max || (l = ntcrypto_utf16le(text != NULL ? text : "",
	    buf + *n + 4, max - *n - 4, 0)) == -1)
		return -1;
	ntlm_put16(buf + *n, id);
	ntlm_put16(buf + *n + 2, (uint16_t)l);
	*n += 4 + (size_t)l;
	return 0;
}

/* MS-NLMP 3.2.5.1.1: the CHALLENGE_MESSAGE for a NEGOTIATE_MESSAGE. */
enum ntlm_result
ntlm_server_negotiate(struct ntlm_server *s, const struct ntlm_conf *conf,
    const uint8_t *in, size_t len, uint8_t **out, size_t *outlen)
{
	uint8_t info[2048], name[512], *m;
	uint32_t client, flags;
	uint64_t ft;
	size_t ilen = 0, total;
	int nlen;

	if (s->step != NTLM_STEP_NEGOTIATE || len < 16 ||
	    len > NTLM_MESSAGE_MAX || !ntlm_is_ntlmssp(in, len) ||
	    ntlm_le32(in + 8) != NTLM_NEGOTIATE_TYPE)
		return NTLM_BAD_TOKEN;
	client = ntlm_le32(in + 12);
	flags = NTLM_NEG_UNICODE | NTLM_NEG_NTLM | NTLM_REQUEST_TARGET |
	    NTLM_TARGET_TYPE_SERVER | NTLM_NEG_TARGET_INFO;
	flags |= client & (NTLM_NEG_SIGN | NTLM_NEG_SEAL |
	    NTLM_NEG_ALWAYS_SIGN | NTLM_NEG_ESS | NTLM_NEG_VERSION |
	    NTLM_NEG_128 | NTLM_NEG_56 | NTLM_NEG_KEY_EXCH);
	if (conf->fixed_challenge != NULL)
		memcpy(s->challenge, conf->fixed_challenge, 8);
	else if (getrandom(s->challenge, 8, 0) != 8)
		return NTLM_ERROR;
	ft = ((uint64_t)(conf->fixed_time ? conf->fixed_time : time(NULL)) +
	    NTLM_EPOCH_DELTA) * 10000000ULL;
	if (ntlm_put_av(info, sizeof(info), &ilen, NTLM_AV_NB_DOMAIN,
	    conf->nb_domain) == -1 ||
	    ntlm_put_av(info, sizeof(info), &ilen, NTLM_AV_NB_COMPUTER,
	    conf->nb_computer) == -1 ||
	    ntlm_put_av(info, sizeof(info), &ilen, NTLM_AV_DNS_DOMAIN,
	    conf->dns_domain) == -1 ||
	    ntlm_put_av(info, sizeof(info), &ilen, NTLM_AV_DNS_COMPUTER,
	    conf->dns_computer) == -1 || ilen + 16 > sizeof(info))
		return NTLM_ERROR;
	ntlm_put16(info + ilen, NTLM_AV_TIMESTAMP);
	ntlm_put16(info + ilen + 2, 8);
	ntlm_put32(info + ilen + 4, (uint32_t)ft);
	ntlm_put32(info + ilen + 8, (uint32_t)(ft >> 32));
	ilen += 12;
	ntlm_put32(info + ilen, 0);		/* MsvAvEOL */
	ilen += 4;
	if ((nlen = ntcrypto_utf16le(conf->nb_computer ? conf->nb_computer :
	    "", name, sizeof(name), 0)) == -1)
		return NTLM_ERROR;
	total = NTLM_CHALLENGE_HEADER + (size_t)nlen + ilen;
	if ((m = calloc(1, total)) == NULL)
		return NTLM_ERROR;
	memcpy(m, ntlm_signature, 8);
	ntlm_put32(m + 8, NTLM_CHALLENGE_TYPE);
	ntlm_put16(m + 12, (uint16_t)nlen);
	ntlm_put16(m + 14, (uint16_t)nlen);
	ntlm_put32(m + 16, NTLM_CHALLENGE_HEADER);
	ntlm_put32(m + 20, flags);
	memcpy(m + 24, s->challenge, 8);
	ntlm_put16(m + 40, (uint16_t)ilen);
	ntlm_put16(m + 42, (uint16_t)ilen);
	ntlm_put32(m + 44, NTLM_CHALLENGE_HEADER + (uint32_t)nlen);
	/* Version (2.2.2.10): 6.1.7600, NTLMSSP revision 15. */
	m[48] = 6;
	m[49] = 1;
	ntlm_put16(m + 50, 7600);
	m[55] = 15;
	memcpy(m + NTLM_CHALLENGE_HEADER, name, (size_t)nlen);
	memcpy(m + NTLM_CHALLENGE_HEADER + nlen, info, ilen);
	if ((s->negotiate = malloc(len)) == NULL ||
	    (s->challenge_msg = malloc(total)) == NULL) {
		free(m);
		return NTLM_ERROR;
	}
	memcpy(s->negotiate, in, len);
	s->negotiate_len = len;
	memcpy(s->challenge_msg, m, total);
	s->challenge_len = total;
	s->flags = flags;
	s->step = NTLM_STEP_AUTHENTICATE;
	*out = m;
	*outlen = total;
	return NTLM_CONTINUE;
}

/* UTF-16LE with ASCII letters upper-cased, into out (same length). */
static void
ntlm_upper16(const uint8_t *in, size_t len, uint8_t *out)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		out[i] = in[i];
		out[i + 1] = in[i + 1];
		if (in[i + 1] == 0 && in[i] >= 'a' && in[i] <= 'z')
			out[i] = (uint8_t)(in[i] - ('a' - 'A'));
	}
}

/* MS-NLMP 3.3.2 NTOWFv2 on UTF-16LE names (user upper-cased here). */
int
ntlm_ntowfv2_utf16(const uint8_t nt_hash[16], const uint8_t *user,
    size_t user_len, const uint8_t *domain, size_t domain_len,
    uint8_t out[16])
{
	uint8_t up[2 * NTLM_NAME_MAX];

	if (user_len > sizeof(up))
		return -1;
	ntlm_upper16(user, user_len, up);
	ntcrypto_hmac_md5(nt_hash, 16, up, user_len, domain, domain_len,
	    NULL, 0, out);
	return 0;
}

int
ntlm_ntowfv2(const uint8_t nt_hash[16], const char *user,
    const char *domain, uint8_t out[16])
{
	uint8_t u[2 * NTLM_NAME_MAX], d[2 * NTLM_NAME_MAX];
	int ul, dl;

	if ((ul = ntcrypto_utf16le(user, u, sizeof(u), 1)) == -1 ||
	    (dl = ntcrypto_utf16le(domain, d, sizeof(d), 0)) == -1)
		return -1;
	ntcrypto_hmac_md5(nt_hash, 16, u, (size_t)ul, d, (size_t)dl, NULL, 0,
	    out);
	return 0;
}

/* The client's MsvAvFlags in an NTLMv2 blob's AV pairs (0: none). */
static int
ntlm_blob_flags(const uint8_t *blob, size_t len, uint32_t *flags)
{
	size_t at = NTLM_V2_BLOB_FIXED, l;
	uint16_t id;

	*flags = 0;
	while (at + 4 <= len) {
		id = ntlm_le16(blob + at);
		l = ntlm_le16(blob + at + 2);
		if (l > len - at - 4)
			return -1;
		if (id == NTLM_AV_EOL)
			return 0;
		if (id == NTLM_AV_FLAGS && l == 4)
			*flags = ntlm_le32(blob + at + 4);
		at += 4 + l;
	}
	return -1;	/* no MsvAvEOL */
}

/* The names as UTF-8: UTF-16LE, or OEM (taken as ASCII) without UNICODE. */
static int
ntlm_name(const uint8_t *p, size_t len, int unicode, char *out, size_t max)
{
	size_t i;

	if (len == 0) {
		out[0] = '\0';
		return 0;
	}
	if (unicode)
		return ntcrypto_utf8(p, len, out, max);
	if (len >= max)
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] == 0 || p[i] >= 0x80)
			return -1;
		out[i] = (char)p[i];
	}
	out[len] = '\0';
	return (int)len;
}

/* MS-NLMP 3.2.5.1.2: the AUTHENTICATE_MESSAGE. */
enum ntlm_result
ntlm_server_authenticate(struct ntlm_server *s, const uint8_t *in,
    size_t len, ntlm_lookup_fn *lookup, void *arg)
{
	const uint8_t *lm, *nt, *dom, *usr, *ws, *ersk;
	size_t lm_len, nt_len, dom_len, usr_len, ws_len, ersk_len;
	uint8_t hash[16], key[16], proof[16], base[16], mic[16], d2[512];
	uint8_t *copy;
	uint32_t aflags, avflags;
	const uint8_t *doms[3];
	size_t dlens[3], i;
	int unicode, ok = 0, unknown = 0;

	if (s->step != NTLM_STEP_AUTHENTICATE)
		return NTLM_BAD_TOKEN;
	if (len < NTLM_AUTH_HEADER_MIN || len > NTLM_MESSAGE_MAX ||
	    !ntlm_is_ntlmssp(in, len) ||
	    ntlm_le32(in + 8) != NTLM_AUTHENTICATE_TYPE ||
	    ntlm_field(in, len, 12, &lm, &lm_len) == -1 ||
	    ntlm_field(in, len, 20, &nt, &nt_len) == -1 ||
	    ntlm_field(in, len, 28, &dom, &dom_len) == -1 ||
	    ntlm_field(in, len, 36, &usr, &usr_len) == -1 ||
	    /* The workstation is not used, but must lie inside too. */
	    ntlm_field(in, len, 44, &ws, &ws_len) == -1 ||
	    ntlm_field(in, len, 52, &ersk, &ersk_len) == -1)
		return NTLM_BAD_TOKEN;
	s->step = NTLM_STEP_DONE;
	aflags = ntlm_le32(in + 60);
	unicode = (s->flags & NTLM_NEG_UNICODE) != 0;
	if (dom_len > 2 * NTLM_NAME_MAX || usr_len > 2 * NTLM_NAME_MAX ||
	    ntlm_name(usr, usr_len, unicode, s->user, sizeof(s->user)) == -1 ||
	    ntlm_name(dom, dom_len, unicode, s->domain,
	    sizeof(s->domain)) == -1)
		return NTLM_BAD_TOKEN;
	s->auth_flags = s->flags & aflags;
	/* 3.2.5.1.2: the anonymous user. */
	if (usr_len == 0 && nt_len == 0 &&
	    (lm_len == 0 || (lm_len == 1 && lm[0] == 0))) {
		s->anonymous = 1;
		return NTLM_COMPLETE;
	}
	/* NTLMv1 (24 bytes) or LM only: refused.  Shorter v2: malformed. */
	if (nt_len <= 24)
		return NTLM_DENIED;
	if (nt_len < 16 + NTLM_V2_BLOB_FIXED + 4 || nt + 16 > in + len)
		return NTLM_BAD_TOKEN;
	if (ntlm_blob_flags(nt + 16, nt_len - 16, &avflags) == -1)
		return NTLM_BAD_TOKEN;
	/*
	 * An unknown user costs the same work as a known one, so that the
	 * answer's timing does not tell which names exist; it never
	 * verifies, whatever the response.
	 */
	if (lookup(arg, s->user, hash, &s->uid, &s->gid) == -1) {
		unknown = 1;
		memset(hash, 0, sizeof(hash));
	}
	/*
	 * The domain as the client sent it, upper-cased, or none: clients
	 * differ in which they hash (MS-NLMP 3.3.2 "UserDom"); each still
	 * proves the same NT hash.
	 */
	doms[0] = dom;
	dlens[0] = dom_len;
	ntlm_upper16(dom, dom_len, d2);
	doms[1] = d2;
	dlens[1] = dom_len;
	doms[2] = (const uint8_t *)"";
	dlens[2] = 0;
	for (i = 0; i < 3 && !ok; i++) {
		if (ntlm_ntowfv2_utf16(hash, usr, usr_len, doms[i], dlens[i],
		    key) == -1)
			break;
		ntcrypto_hmac_md5(key, 16, s->challenge, 8, nt + 16,
		    nt_len - 16, NULL, 0, proof);
		ok = CRYPTO_memcmp(proof, nt, 16) == 0;
	}
	OPENSSL_cleanse(hash, sizeof(hash));
	if (unknown) {
		OPENSSL_cleanse(key, sizeof(key));
		s->uid = s->gid = 0;
		return NTLM_NO_USER;
	}
	if (!ok) {
		OPENSSL_cleanse(key, sizeof(key));
		return NTLM_DENIED;
	}
	/* 3.3.2: SessionBaseKey; KXKEY is it for NTLMv2 (3.4.5.1). */
	ntcrypto_hmac_md5(key, 16, proof, 16, NULL, 0, NULL, 0, base);
	OPENSSL_cleanse(key, sizeof(key));
	if (s->auth_flags & NTLM_NEG_KEY_EXCH) {
		struct ntcrypto_rc4 rc4;

		if (ersk_len != 16)
			return NTLM_BAD_TOKEN;
		memcpy(s->session_key, ersk, 16);
		ntcrypto_rc4_init(&rc4, base, 16);
		ntcrypto_rc4(&rc4, s->session_key, 16);
		OPENSSL_cleanse(&rc4, sizeof(rc4));
	} else
		memcpy(s->session_key, base, 16);
	OPENSSL_cleanse(base, sizeof(base));
	/* 3.2.5.1.2: the MIC over all three messages, its field zeroed. */
	if (avflags & NTLM_AV_FLAG_MIC) {
		if (len < NTLM_MIC_OFFSET + 16 || s->negotiate == NULL)
			return NTLM_BAD_TOKEN;
		if ((copy = malloc(len)) == NULL)
			return NTLM_ERROR;
		memcpy(copy, in, len);
		memset(copy + NTLM_MIC_OFFSET, 0, 16);
		ntcrypto_hmac_md5(s->session_key, 16, s->negotiate,
		    s->negotiate_len, s->challenge_msg, s->challenge_len, copy,
		    len, mic);
		free(copy);
		if (CRYPTO_memcmp(mic, in + NTLM_MIC_OFFSET, 16) != 0) {
			OPENSSL_cleanse(s->session_key, 16);
			return NTLM_DENIED;
		}
		s->mic = 1;
	}
	s->have_key = 1;
	return NTLM_COMPLETE;
}

static void
ntlm_key_md5(const uint8_t *key, size_t keylen, const char *magic,
    uint8_t out[16])
{
	uint8_t buf[16 + 64];
	size_t mlen = strlen(magic) + 1;	/* the NUL counts */

	memcpy(buf, key, keylen);
	memcpy(buf + keylen, magic, mlen);
	ntcrypto_md5(buf, keylen + mlen, out);
	OPENSSL_cleanse(buf, sizeof(buf));
}

void
ntlm_sign_key(const uint8_t key[16], int client_to_server, uint8_t out[16])
{
	ntlm_key_md5(key, 16, client_to_server ?
	    "session key to client-to-server signing key magic constant" :
	    "session key to server-to-client signing key magic constant", out);
}

void
ntlm_seal_key(const uint8_t key[16], uint32_t flags, int client_to_server,
    uint8_t out[16])
{
	size_t n = (flags & NTLM_NEG_128) ? 16 : (flags & NTLM_NEG_56) ? 7 : 5;

	ntlm_key_md5(key, n, client_to_server ?
	    "session key to client-to-server sealing key magic constant" :
	    "session key to server-to-client sealing key magic constant", out);
}

void
ntlm_mac(const uint8_t sign_key[16], struct ntcrypto_rc4 *seal,
    uint32_t flags, uint32_t seq, const uint8_t *msg, size_t len,
    uint8_t sig[16])
{
	uint8_t seqb[4], h[16];

	ntlm_put32(seqb, seq);
	ntcrypto_hmac_md5(sign_key, 16, seqb, 4, msg, len, NULL, 0, h);
	if ((flags & NTLM_NEG_KEY_EXCH) && seal != NULL)
		ntcrypto_rc4(seal, h, 8);
	ntlm_put32(sig, 1);
	memcpy(sig + 4, h, 8);
	memcpy(sig + 12, seqb, 4);
}

void
ntlm_first_mic(const struct ntlm_server *s, int client_to_server,
    const uint8_t *msg, size_t len, uint8_t sig[16])
{
	struct ntcrypto_rc4 rc4;
	uint8_t sign[16], seal[16];

	ntlm_sign_key(s->session_key, client_to_server, sign);
	ntlm_seal_key(s->session_key, s->auth_flags, client_to_server, seal);
	ntcrypto_rc4_init(&rc4, seal, 16);
	ntlm_mac(sign, &rc4, s->auth_flags, 0, msg, len, sig);
	OPENSSL_cleanse(&rc4, sizeof(rc4));
	OPENSSL_cleanse(sign, sizeof(sign));
	OPENSSL_cleanse(seal, sizeof(seal));
}
