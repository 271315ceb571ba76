/*
 * RFC 4121 per-message tokens for the AES enctypes on OpenSSL's EVP (see
 * krb5_cfx.h).  Wrap tokens are sealed straight into the caller's output
 * buffer: the confounder, the message and the header's copy are fed to
 * AES-CBC as they lie, and only the last two blocks (ciphertext
 * stealing) pass through the stack.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "krb5_cfx.h"

#define CFX_BLOCK	16
#define CFX_HDR		16
#define CFX_HASH_MAX	64
/* Confounders drawn at once: one RAND_bytes costs about three HMACs. */
#define CFX_CONF_POOL	(32 * CFX_BLOCK)
/* RFC 4121 4.2.2 */
#define CFX_SENT_BY_ACCEPTOR	0x01
#define CFX_SEALED		0x02
#define CFX_ACCEPTOR_SUBKEY	0x04
/* RFC 4121 2: key usages */
#define CFX_ACCEPTOR_SEAL	22
#define CFX_ACCEPTOR_SIGN	23
#define CFX_INITIATOR_SEAL	24
#define CFX_INITIATOR_SIGN	25

struct cfx_profile {
	int32_t		 enctype;
	size_t		 keylen;	/* the base key's */
	int		 sha2;		/* RFC 8009: KDF, encrypt-then-MAC */
	const char	*md;
	size_t		 kc_len;
	size_t		 ke_len;
	size_t		 ki_len;
	size_t		 hlen;		/* the truncated HMAC's */
};

static const struct cfx_profile cfx_profiles[] = {
	{ KRB5_CFX_AES128_SHA1, 16, 0, "SHA1", 16, 16, 16, 12 },
	{ KRB5_CFX_AES256_SHA1, 32, 0, "SHA1", 32, 32, 32, 12 },
	{ KRB5_CFX_AES128_SHA256, 16, 1, "SHA256", 16, 16, 16, 16 },
	{ KRB5_CFX_AES256_SHA384, 32, 1, "SHA384", 24, 32, 24, 24 },
};

static const uint8_t cfx_zero[CFX_BLOCK];

/* One direction's keys of one base key: Ke's cipher, Ki's and Kc's HMAC. */
struct cfx_keys {
	const struct cfx_profile *prof;
	EVP_CIPHER_CTX	*cbc;		/* encrypting (ours), decrypting (peer's) */
	EVP_MAC_CTX	*ki;
	EVP_MAC_CTX	*kc;
};

struct krb5_cfx {
	int		 acceptor;
	int		 have_subkey;
	uint64_t	 send_seq;
	uint64_t	 endtime;
	struct cfx_keys	 send;		/* the acceptor's subkey if any */
	struct cfx_keys	 recv_ctx;	/* the peer's tokens without the flag */
	struct cfx_keys	 recv_sub;	/* ... with AcceptorSubkey */
	size_t		 conf_used;
	uint8_t		 conf_pool[CFX_CONF_POOL];
};

/* Consecutive pieces of one byte string, as they lie in memory. */
struct cfx_span {
	const uint8_t	*p;
	size_t		 len;
};

static const struct cfx_profile *
cfx_profile(int32_t enctype)
{
	size_t i;

	for (i = 0; i < sizeof(cfx_profiles) / sizeof(cfx_profiles[0]); i++)
		if (cfx_profiles[i].enctype == enctype)
			return &cfx_profiles[i];
	return NULL;
}

int
krb5_cfx_supported(int32_t enctype)
{
	return cfx_profile(enctype) != NULL;
}

static const EVP_CIPHER *
cfx_cipher(size_t keylen, int cbc)
{
	if (keylen == 16)
		return cbc ? EVP_aes_128_cbc() : EVP_aes_128_ecb();
	if (keylen == 32)
		return cbc ? EVP_aes_256_cbc() : EVP_aes_256_ecb();
	return NULL;
}

static EVP_CIPHER_CTX *
cfx_cipher_new(const uint8_t *key, size_t keylen, int cbc, int encrypt)
{
	const EVP_CIPHER *cipher = cfx_cipher(keylen, cbc);
	EVP_CIPHER_CTX *c;

	if (cipher == NULL || (c = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (EVP_CipherInit_ex(c, cipher, NULL, key, cfx_zero, encrypt) != 1 ||
	    EVP_CIPHER_CTX_set_padding(c, 0) != 1) {
		EVP_CIPHER_CTX_free(c);
		return NULL;
	}
	return c;
}

static EVP_MAC_CTX *
cfx_mac_new(const char *md, const uint8_t *key, size_t len)
{
	OSSL_PARAM params[2];
	EVP_MAC *mac;
	EVP_MAC_CTX *c;

	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return NULL;
	c = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (c == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)(uintptr_t)md, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(c, key, len, params) != 1) {
		EVP_MAC_CTX_free(c);
		return NULL;
	}
	return c;
}

/* The HMAC of the spans, truncated to the profile's length; 0 or -1. */
static int
cfx_mac(EVP_MAC_CTX *c, const struct cfx_span *s, int ns, uint8_t *out,
    size_t hlen)
{
	uint8_t full[CFX_HASH_MAX];
	size_t outl;
	int i;

	/* No key: the one set at creation is used again. */
	if (EVP_MAC_init(c, NULL, 0, NULL) != 1)
		return -1;
	for (i = 0; i < ns; i++)
		if (s[i].len > 0 && EVP_MAC_update(c, s[i].p, s[i].len) != 1)
			return -1;
	if (EVP_MAC_final(c, full, &outl, sizeof(full)) != 1 || outl < hlen)
		return -1;
	memcpy(out, full, hlen);
	return 0;
}

/* Bytes [from, to) of the spans' concatenation into dst. */
static void
cfx_gather(const struct cfx_span *s, int ns, size_t from, size_t to,
    uint8_t *dst)
{
	size_t off = 0, a, b;
	int i;

	for (i = 0; i < ns && from < to; off += s[i].len, i++) {
		if (off + s[i].len <= from)
			continue;
		a = from - off;
		b = to - off < s[i].len ? to - off : s[i].len;
		memcpy(dst, s[i].p + a, b - a);
		dst += b - a;
		from += b - a;
	}
}

/*
 * RFC 3962 5: AES CBC with ciphertext stealing (the last two blocks
 * swapped, the last one cut), zero IV, of the spans' n >= 16 bytes.
 */
static int
cfx_cts_encrypt(EVP_CIPHER_CTX *c, const struct cfx_span *s, int ns,
    size_t n, uint8_t *out)
{
	uint8_t tail[2 * CFX_BLOCK], last[2 * CFX_BLOCK];
	size_t bulk, off = 0, take;
	uint8_t *o = out;
	int i, outl;

	if (n < CFX_BLOCK || n > INT_MAX ||
	    EVP_EncryptInit_ex(c, NULL, NULL, NULL, cfx_zero) != 1)
		return -1;
	if (n == CFX_BLOCK) {
		cfx_gather(s, ns, 0, n, tail);
		return EVP_EncryptUpdate(c, out, &outl, tail, CFX_BLOCK) == 1 ?
		    0 : -1;
	}
	bulk = ((n - 1) / CFX_BLOCK - 1) * CFX_BLOCK;
	/* Whole blocks straight from the spans (EVP carries a split one). */
	for (i = 0; i < ns && off < bulk; off += s[i].len, i++) {
		take = bulk - off < s[i].len ? bulk - off : s[i].len;
		if (take == 0)
			continue;
		if (EVP_EncryptUpdate(c, o, &outl, s[i].p, (int)take) != 1)
			return -1;
		o += outl;
	}
	memset(tail, 0, sizeof(tail));
	cfx_gather(s, ns, bulk, n, tail);
	if (o != out + bulk ||
	    EVP_EncryptUpdate(c, last, &outl, tail, sizeof(tail)) != 1 ||
	    outl != sizeof(tail))
		return -1;
	memcpy(out + bulk, last + CFX_BLOCK, CFX_BLOCK);
	memcpy(out + bulk + CFX_BLOCK, last, n - bulk - CFX_BLOCK);
	OPENSSL_cleanse(tail, sizeof(tail));
	return 0;
}

/* One AES block decrypted with CBC's chaining value iv. */
static int
cfx_block_decrypt(EVP_CIPHER_CTX *c, const uint8_t *iv, const uint8_t *in,
    uint8_t *out)
{
	int outl;

	return EVP_DecryptInit_ex(c, NULL, NULL, NULL, iv) == 1 &&
	    EVP_DecryptUpdate(c, out, &outl, in, CFX_BLOCK) == 1 &&
	    outl == CFX_BLOCK ? 0 : -1;
}

/*
 * The inverse of cfx_cts_encrypt for n >= 16 bytes: the first head
 * plain bytes (0 or one block) to h, the rest to out.
 */
static int
cfx_cts_decrypt(EVP_CIPHER_CTX *c, const uint8_t *in, size_t n,
    uint8_t *h, size_t head, uint8_t *out)
{
	uint8_t d[CFX_BLOCK], e[CFX_BLOCK], p[2 * CFX_BLOCK];
	const uint8_t *prev;
	size_t bulk, r, i;
	int outl;

	if (n < CFX_BLOCK || n > INT_MAX || (head != 0 && head != CFX_BLOCK))
		return -1;
	if (n == CFX_BLOCK) {
		if (cfx_block_decrypt(c, cfx_zero, in, p) == -1)
			return -1;
		if (head > 0)
			memcpy(h, p, head);
		memcpy(out, p + head, CFX_BLOCK - head);
		OPENSSL_cleanse(p, sizeof(p));
		return 0;
	}
	bulk = ((n - 1) / CFX_BLOCK - 1) * CFX_BLOCK;
	if (bulk > 0) {
		if (EVP_DecryptInit_ex(c, NULL, NULL, NULL, cfx_zero) != 1 ||
		    (head > 0 && EVP_DecryptUpdate(c, h, &outl, in, CFX_BLOCK)
		    != 1) ||
		    (bulk > head && EVP_DecryptUpdate(c, out, &outl, in + head,
		    (int)(bulk - head)) != 1))
			return -1;
	}
	/* The stolen pair: E(m) whole, then E(m-1) cut to r bytes. */
	r = n - bulk - CFX_BLOCK;
	prev = bulk > 0 ? in + bulk - CFX_BLOCK : cfx_zero;
	if (cfx_block_decrypt(c, cfx_zero, in + bulk, d) == -1)
		return -1;
	memcpy(e, d, CFX_BLOCK);
	for (i = 0; i < r; i++) {
		p[CFX_BLOCK + i] = d[i] ^ in[bulk + CFX_BLOCK + i];
		e[i] = in[bulk + CFX_BLOCK + i];
	}
	if (cfx_block_decrypt(c, prev, e, p) == -1)
		return -1;
	if (bulk > 0 || head == 0)
		memcpy(out + bulk - head, p, CFX_BLOCK + r);
	else {
		memcpy(h, p, CFX_BLOCK);
		memcpy(out, p + CFX_BLOCK, r);
	}
	OPENSSL_cleanse(p, sizeof(p));
	OPENSSL_cleanse(d, sizeof(d));
	return 0;
}

/* RFC 3961 5.1: n-fold, the input rotated by 13 bits per copy, summed. */
int
krb5_cfx_nfold(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	size_t a, b, t, l, i, bits, k, bit, src;
	uint32_t *sum, carry;
	unsigned v;

	if (inlen == 0 || outlen == 0 || inlen > 1024 || outlen > 1024)
		return -1;
	for (a = inlen, b = outlen; b != 0; t = a % b, a = b, b = t)
		;
	l = inlen / a * outlen;
	if ((sum = calloc(outlen, sizeof(*sum))) == NULL)
		return -1;
	bits = inlen * 8;
	for (i = 0; i < l; i++) {
		/* Byte i of copy i / inlen, rotated right by 13 bits each. */
		v = 0;
		for (k = 0; k < 8; k++) {
			bit = (i % inlen) * 8 + k;
			src = (bit + bits - (13 * (i / inlen)) % bits) % bits;
			v = (v << 1) | ((in[src / 8] >> (7 - src % 8)) & 1);
		}
		sum[i % outlen] += v;
	}
	/* Ones' complement addition: the carry goes round. */
	carry = 0;
	do {
		for (k = outlen; k-- > 0;) {
			sum[k] += carry;
			carry = sum[k] >> 8;
			sum[k] &= 0xff;
		}
	} while (carry != 0);
	for (k = 0; k < outlen; k++)
		out[k] = (uint8_t)sum[k];
	free(sum);
	return 0;
}

/* RFC 3961 5.1: DK = DR, AES of the n-folded constant, chained. */
static int
cfx_dk(const struct cfx_profile *p, const uint8_t *base,
    const uint8_t constant[5], uint8_t *out, size_t outlen)
{
	uint8_t block[CFX_BLOCK];
	EVP_CIPHER_CTX *c;
	size_t done;
	int outl, rc = -1;

	if ((c = cfx_cipher_new(base, p->keylen, 0, 1)) == NULL)
		return -1;
	if (krb5_cfx_nfold(constant, 5, block, CFX_BLOCK) == -1)
		goto out;
	for (done = 0; done < outlen; done += CFX_BLOCK) {
		if (EVP_EncryptUpdate(c, block, &outl, block, CFX_BLOCK) != 1 ||
		    outl != CFX_BLOCK)
			goto out;
		memcpy(out + done, block, outlen - done < CFX_BLOCK ?
		    outlen - done : CFX_BLOCK);
	}
	rc = 0;
out:
	OPENSSL_cleanse(block, sizeof(block));
	EVP_CIPHER_CTX_free(c);
	return rc;
}

/* RFC 8009 3: KDF-HMAC-SHA2, one round of SP 800-108 counter mode. */
static int
cfx_kdf(const struct cfx_profile *p, const uint8_t *base,
    const uint8_t label[5], uint8_t *out, size_t outlen)
{
	uint8_t in[4 + 5 + 1 + 4], h[CFX_HASH_MAX];
	unsigned int hl = 0;
	uint32_t bits = (uint32_t)outlen * 8;

	in[0] = 0;
	in[1] = 0;
	in[2] = 0;
	in[3] = 1;
	memcpy(in + 4, label, 5);
	in[9] = 0;
	in[10] = (uint8_t)(bits >> 24);
	in[11] = (uint8_t)(bits >> 16);
	in[12] = (uint8_t)(bits >> 8);
	in[13] = (uint8_t)bits;
	if (HMAC(EVP_get_digestbyname(p->md), base, (int)p->keylen, in,
	    sizeof(in), h, &hl) == NULL || hl < outlen)
		return -1;
	memcpy(out, h, outlen);
	OPENSSL_cleanse(h, sizeof(h));
	return 0;
}

static int
cfx_derive(const struct cfx_profile *p, const uint8_t *base, uint32_t usage,
    uint8_t kind, uint8_t *out, size_t *outlen)
{
	uint8_t constant[5];

	constant[0] = (uint8_t)(usage >> 24);
	constant[1] = (uint8_t)(usage >> 16);
	constant[2] = (uint8_t)(usage >> 8);
	constant[3] = (uint8_t)usage;
	constant[4] = kind;
	switch (kind) {
	case 0x99:
		*outlen = p->kc_len;
		break;
	case 0xAA:
		*outlen = p->ke_len;
		break;
	case 0x55:
		*outlen = p->ki_len;
		break;
	default:
		return -1;
	}
	return p->sha2 ? cfx_kdf(p, base, constant, out, *outlen) :
	    cfx_dk(p, base, constant, out, *outlen);
}

int
krb5_cfx_derive(int32_t enctype, const uint8_t *base, size_t len,
    uint32_t usage, uint8_t kind, uint8_t *out, size_t *outlen)
{
	const struct cfx_profile *p = cfx_profile(enctype);

	if (p == NULL || len != p->keylen)
		return -1;
	return cfx_derive(p, base, usage, kind, out, outlen);
}

static void
cfx_keys_free(struct cfx_keys *k)
{
	EVP_CIPHER_CTX_free(k->cbc);
	EVP_MAC_CTX_free(k->ki);
	EVP_MAC_CTX_free(k->kc);
	memset(k, 0, sizeof(*k));
}

/* The keys of seal and sign usages from a base key; 0 or -1. */
static int
cfx_keys_init(struct cfx_keys *k, const struct krb5_cfx_key *base,
    uint32_t seal, uint32_t sign, int encrypt)
{
	uint8_t key[CFX_HASH_MAX];
	size_t len;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	if ((k->prof = cfx_profile(base->enctype)) == NULL ||
	    base->len != k->prof->keylen)
		return -1;
	if (cfx_derive(k->prof, base->data, seal, 0xAA, key, &len) == -1 ||
	    (k->cbc = cfx_cipher_new(key, len, 1, encrypt)) == NULL ||
	    cfx_derive(k->prof, base->data, seal, 0x55, key, &len) == -1 ||
	    (k->ki = cfx_mac_new(k->prof->md, key, len)) == NULL ||
	    cfx_derive(k->prof, base->data, sign, 0x99, key, &len) == -1 ||
	    (k->kc = cfx_mac_new(k->prof->md, key, len)) == NULL)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	if (rc == -1)
		cfx_keys_free(k);
	return rc;
}

struct krb5_cfx *
krb5_cfx_new(int initiator, uint64_t send_seq, uint64_t endtime,
    const struct krb5_cfx_key *ctx_key,
    const struct krb5_cfx_key *acceptor_subkey)
{
	struct krb5_cfx *x;
	uint32_t my_seal, my_sign, peer_seal, peer_sign;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->acceptor = !initiator;
	x->have_subkey = acceptor_subkey != NULL;
	x->send_seq = send_seq;
	x->endtime = endtime;
	x->conf_used = CFX_CONF_POOL;
	my_seal = initiator ? CFX_INITIATOR_SEAL : CFX_ACCEPTOR_SEAL;
	my_sign = initiator ? CFX_INITIATOR_SIGN : CFX_ACCEPTOR_SIGN;
	peer_seal = initiator ? CFX_ACCEPTOR_SEAL : CFX_INITIATOR_SEAL;
	peer_sign = initiator ? CFX_ACCEPTOR_SIGN : CFX_INITIATOR_SIGN;
	/* RFC 4121 2: with an acceptor subkey, both sides use it. */
	if (cfx_keys_init(&x->send, acceptor_subkey != NULL ?
	    acceptor_subkey : ctx_key, my_seal, my_sign, 1) == -1 ||
	    cfx_keys_init(&x->recv_ctx, ctx_key, peer_seal, peer_sign, 0) ==
	    -1 || (acceptor_subkey != NULL && cfx_keys_init(&x->recv_sub,
	    acceptor_subkey, peer_seal, peer_sign, 0) == -1)) {
		krb5_cfx_free(x);
		return NULL;
	}
	return x;
}

void
krb5_cfx_free(struct krb5_cfx *x)
{
	if (x == NULL)
		return;
	cfx_keys_free(&x->send);
	cfx_keys_free(&x->recv_ctx);
	cfx_keys_free(&x->recv_sub);
	OPENSSL_cleanse(x->conf_pool, sizeof(x->conf_pool));
	free(x);
}

static int
cfx_expired(const struct krb5_cfx *x)
{
	return x->endtime != 0 && (uint64_t)time(NULL) >= x->endtime;
}

/* RFC 3961 5.3: a random confounder, from the context's pool. */
static const uint8_t *
cfx_confounder(struct krb5_cfx *x)
{
	if (x->conf_used == CFX_CONF_POOL) {
		if (RAND_bytes(x->conf_pool, sizeof(x->conf_pool)) != 1)
			return NULL;
		x->conf_used = 0;
	}
	x->conf_used += CFX_BLOCK;
	return x->conf_pool + x->conf_used - CFX_BLOCK;
}

static void
cfx_header(struct krb5_cfx *x, uint8_t *h, int wrap)
{
	uint64_t seq = x->send_seq++;
	int i;

	h[0] = wrap ? 0x05 : 0x04;
	h[1] = 0x04;
	h[2] = (x->acceptor ? CFX_SENT_BY_ACCEPTOR : 0) |
	    (x->have_subkey ? CFX_ACCEPTOR_SUBKEY : 0) |
	    (wrap ? CFX_SEALED : 0);
	/* MIC: five filler bytes; Wrap: one, then EC and RRC, both 0. */
	memset(h + 3, 0xff, wrap ? 1 : 5);
	if (wrap)
		memset(h + 4, 0, 4);
	for (i = 0; i < 8; i++)
		h[8 + i] = (uint8_t)(seq >> (56 - 8 * i));
}

/* The keys of a token the peer sent with these flags, or NULL. */
static struct cfx_keys *
cfx_peer_keys(struct krb5_cfx *x, uint8_t flags)
{
	if (((flags & CFX_SENT_BY_ACCEPTOR) != 0) == x->acceptor)
		return NULL;
	if (flags & CFX_ACCEPTOR_SUBKEY)
		return x->have_subkey ? &x->recv_sub : NULL;
	return &x->recv_ctx;
}

int
krb5_cfx_get_mic(struct krb5_cfx *x, const uint8_t *msg, size_t len,
    uint8_t *tok, size_t max, size_t *toklen)
{
	struct cfx_keys *k = &x->send;
	struct cfx_span s[2];

	if (cfx_expired(x) || max < CFX_HDR + k->prof->hlen)
		return -1;
	cfx_header(x, tok, 0);
	s[0].p = msg;
	s[0].len = len;
	s[1].p = tok;
	s[1].len = CFX_HDR;
	if (cfx_mac(k->kc, s, 2, tok + CFX_HDR, k->prof->hlen) == -1)
		return -1;
	*toklen = CFX_HDR + k->prof->hlen;
	return 0;
}

int
krb5_cfx_verify_mic(struct krb5_cfx *x, const uint8_t *msg, size_t len,
    const uint8_t *tok, size_t toklen)
{
	static const uint8_t filler[5] = { 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t h[CFX_HASH_MAX];
	struct cfx_keys *k;
	struct cfx_span s[2];

	if (cfx_expired(x) || toklen < CFX_HDR || tok[0] != 0x04 ||
	    tok[1] != 0x04 || memcmp(tok + 3, filler, 5) != 0 ||
	    (k = cfx_peer_keys(x, tok[2])) == NULL ||
	    toklen != CFX_HDR + k->prof->hlen)
		return -1;
	s[0].p = msg;
	s[0].len = len;
	s[1].p = tok;
	s[1].len = CFX_HDR;
	if (cfx_mac(k->kc, s, 2, h, k->prof->hlen) == -1 ||
	    CRYPTO_memcmp(h, tok + CFX_HDR, k->prof->hlen) != 0)
		return -1;
	return 0;
}

/*
 * RFC 3961 5.3 (RFC 3962) or RFC 8009 5: the spans (confounder first)
 * encrypted to out, n bytes, and their checksum after them.
 */
static int
cfx_encrypt(struct cfx_keys *k, const struct cfx_span *s, int ns, size_t n,
    uint8_t *out)
{
	struct cfx_span c[2];

	if (cfx_cts_encrypt(k->cbc, s, ns, n, out) == -1)
		return -1;
	if (!k->prof->sha2)
		return cfx_mac(k->ki, s, ns, out + n, k->prof->hlen);
	/* Encrypt-then-MAC over the cipher state (zero) and the text. */
	c[0].p = cfx_zero;
	c[0].len = CFX_BLOCK;
	c[1].p = out;
	c[1].len = n;
	return cfx_mac(k->ki, c, 2, out + n, k->prof->hlen);
}

int
krb5_cfx_wrap(struct krb5_cfx *x, const uint8_t *msg, size_t len,
    struct xdrbuf_out *out)
{
	return krb5_cfx_wrap_head(x, NULL, 0, msg, len, out);
}

int
krb5_cfx_wrap_head(struct krb5_cfx *x, const uint8_t *head, size_t headlen,
    const uint8_t *msg, size_t len, struct xdrbuf_out *out)
{
	struct cfx_keys *k = &x->send;
	const uint8_t *conf;
	uint8_t *p;
	struct cfx_span s[4];
	size_t start = out->len, n;

	if (cfx_expired(x) || headlen > CFX_BLOCK ||
	    len > INT_MAX - 5 * CFX_BLOCK)
		return -1;
	n = CFX_BLOCK + headlen + len + CFX_HDR;
	if ((p = xdrbuf_reserve(out, CFX_HDR + n + k->prof->hlen)) == NULL ||
	    (conf = cfx_confounder(x)) == NULL)
		goto fail;
	/* The header, and its copy (EC 0, RRC 0) sealed after the text. */
	cfx_header(x, p, 1);
	s[0].p = conf;
	s[0].len = CFX_BLOCK;
	s[1].p = head;
	s[1].len = headlen;
	s[2].p = msg;
	s[2].len = len;
	s[3].p = p;
	s[3].len = CFX_HDR;
	if (cfx_encrypt(k, s, 4, n, p + CFX_HDR) == -1)
		goto fail;
	return 0;
fail:
	if (!out->failed)
		out->len = start;
	return -1;
}

int
krb5_cfx_unwrap(struct krb5_cfx *x, const uint8_t *tok, size_t len,
    struct xdrbuf_out *out)
{
	uint8_t conf[CFX_BLOCK], h[CFX_HASH_MAX], hdr[CFX_HDR];
	const uint8_t *body;
	uint8_t *rot = NULL, *p = NULL;
	struct cfx_keys *k;
	struct cfx_span s[2];
	size_t blen, n, ec, rrc, start = out->len, hl;
	int rc = -1;

	if (cfx_expired(x) || len < CFX_HDR || tok[0] != 0x05 ||
	    tok[1] != 0x04 || tok[3] != 0xff ||
	    (tok[2] & CFX_SEALED) == 0 ||
	    (k = cfx_peer_keys(x, tok[2])) == NULL)
		return -1;
	hl = k->prof->hlen;
	ec = (size_t)tok[4] << 8 | tok[5];
	rrc = (size_t)tok[6] << 8 | tok[7];
	body = tok + CFX_HDR;
	blen = len - CFX_HDR;
	if (blen < 2 * CFX_BLOCK + hl || blen - hl - 2 * CFX_BLOCK < ec)
		return -1;
	n = blen - hl;
	/* RFC 4121 4.2.5: undo a right rotation of RRC bytes. */
	if (rrc % blen != 0) {
		rrc %= blen;
		if ((rot = malloc(blen)) == NULL)
			return -1;
		memcpy(rot, body + rrc, blen - rrc);
		memcpy(rot + blen - rrc, body, rrc);
		body = rot;
	}
	if (k->prof->sha2) {
		s[0].p = cfx_zero;
		s[0].len = CFX_BLOCK;
		s[1].p = body;
		s[1].len = n;
		if (cfx_mac(k->ki, s, 2, h, hl) == -1 ||
		    CRYPTO_memcmp(h, body + n, hl) != 0)
			goto out;
	}
	/* The text, EC filler bytes and the header's copy, in out. */
	if ((p = xdrbuf_reserve(out, n - CFX_BLOCK)) == NULL)
		goto out;
	if (cfx_cts_decrypt(k->cbc, body, n, conf, CFX_BLOCK, p) == -1)
		goto out;
	if (!k->prof->sha2) {
		s[0].p = conf;
		s[0].len = CFX_BLOCK;
		s[1].p = p;
		s[1].len = n - CFX_BLOCK;
		if (cfx_mac(k->ki, s, 2, h, hl) == -1 ||
		    CRYPTO_memcmp(h, body + n, hl) != 0)
			goto out;
	}
	/* RFC 4121 4.2.4: the sealed header is the one sent, RRC 0. */
	memcpy(hdr, tok, CFX_HDR);
	hdr[6] = 0;
	hdr[7] = 0;
	if (CRYPTO_memcmp(hdr, p + n - CFX_BLOCK - CFX_HDR, CFX_HDR) != 0)
		goto out;
	out->len = start + n - 2 * CFX_BLOCK - ec;
	rc = 0;
out:
	if (rc == -1 && p != NULL) {
		OPENSSL_cleanse(p, n - CFX_BLOCK);
		out->len = start;
	}
	OPENSSL_cleanse(conf, sizeof(conf));
	free(rot);
	return rc;
}

/* Known-answer helpers for the tests (krb5_cfx.h). */
int
krb5_cfx_cts(int encrypt, const uint8_t *key, size_t keylen,
    const uint8_t *in, size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *c;
	struct cfx_span s;
	int rc;

	if ((c = cfx_cipher_new(key, keylen, 1, encrypt)) == NULL)
		return -1;
	s.p = in;
	s.len = n;
	rc = encrypt ? cfx_cts_encrypt(c, &s, 1, n, out) :
	    cfx_cts_decrypt(c, in, n, NULL, 0, out);
	EVP_CIPHER_CTX_free(c);
	return rc;
}

long
krb5_cfx_encrypt_with(int32_t enctype, const uint8_t *base, size_t len,
    uint32_t usage, const uint8_t conf[16], const uint8_t *plain,
    size_t plen, uint8_t *out, size_t max)
{
	struct krb5_cfx_key key = { enctype, base, len };
	struct cfx_keys k;
	struct cfx_span s[2];
	long rc = -1;

	if (cfx_keys_init(&k, &key, usage, usage, 1) == -1)
		return -1;
	s[0].p = conf;
	s[0].len = CFX_BLOCK;
	s[1].p = plain;
	s[1].len = plen;
	if (max >= CFX_BLOCK + plen + k.prof->hlen &&
	    cfx_encrypt(&k, s, 2, CFX_BLOCK + plen, out) == 0)
		rc = (long)(CFX_BLOCK + plen + k.prof->hlen);
	cfx_keys_free(&k);
	return rc;
}

long
krb5_cfx_checksum(int32_t enctype, const uint8_t *base, size_t len,
    uint32_t usage, const uint8_t *msg, size_t mlen, uint8_t *out,
    size_t max)
{
	struct krb5_cfx_key key = { enctype, base, len };
	struct cfx_keys k;
	struct cfx_span s;
	long rc = -1;

	if (cfx_keys_init(&k, &key, usage, usage, 1) == -1)
		return -1;
	s.p = msg;
	s.len = mlen;
	if (max >= k.prof->hlen && cfx_mac(k.kc, &s, 1, out, k.prof->hlen)
	    == 0)
		rc = (long)k.prof->hlen;
	cfx_keys_free(&k);
	return rc;
}
