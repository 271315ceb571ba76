/*
 * SPNEGO tokens (RFC 4178 4.2, MS-SPNG 2.2.1 NegTokenInit2) in DER
 * (X.690): single-byte tags, definite lengths of at most four bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "spnego.h"

struct der {
	const uint8_t	*p;
	size_t		 len;
};

static const struct {
	enum spnego_mech	 mech;
	uint8_t			 len;
	uint8_t			 oid[10];
} spnego_oids[] = {
	{ SPNEGO_MECH_NTLMSSP, 10,
	    { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a } },
	{ SPNEGO_MECH_KRB5, 9,
	    { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02 } },
	{ SPNEGO_MECH_MS_KRB5, 9,
	    { 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02 } },
	{ SPNEGO_MECH_NEGOEX, 10,
	    { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x1e } },
};
#define SPNEGO_NOIDS	(sizeof(spnego_oids) / sizeof(spnego_oids[0]))

/* 1.3.6.1.5.5.2 */
static const uint8_t spnego_oid[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 };

#define DER_OID		0x06
#define DER_OCTETS	0x04
#define DER_ENUM	0x0a
#define DER_BITS	0x03
#define DER_GENSTR	0x1b
#define DER_SEQ		0x30
#define DER_CTX(n)	(0xa0 | (n))
#define DER_APP0	0x60

/* The next TLV of in: its tag, its value, and in advanced past it. */
static int
der_next(struct der *in, uint8_t *tag, struct der *val)
{
	size_t hdr = 2, l, n, i;

	if (in->len < 2 || (in->p[0] & 0x1f) == 0x1f)
		return -1;
	l = in->p[1];
	if (l & 0x80) {
		n = l & 0x7f;
		if (n == 0 || n > 4 || in->len < 2 + n)
			return -1;
		for (l = 0, i = 0; i < n; i++)
			l = l << 8 | in->p[2 + i];
		hdr += n;
	}
	if (l > in->len - hdr)
		return -1;
	*tag = in->p[0];
	val->p = in->p + hdr;
	val->len = l;
	in->p += hdr + l;
	in->len -= hdr + l;
	return 0;
}

static int
der_expect(struct der *in, uint8_t want, struct der *val)
{
	uint8_t tag;

	if (der_next(in, &tag, val) == -1 || tag != want)
		return -1;
	return 0;
}

/* An explicitly tagged field [n] holding one TLV of type inner. */
static int
der_field(struct der *val, uint8_t inner, struct der *out)
{
	struct der v = *val;

	if (der_expect(&v, inner, out) == -1 || v.len != 0)
		return -1;
	return 0;
}

static enum spnego_mech
spnego_mech_of(const struct der *oid)
{
	size_t i;

	for (i = 0; i < SPNEGO_NOIDS; i++)
		if (oid->len == spnego_oids[i].len &&
		    memcmp(oid->p, spnego_oids[i].oid, oid->len) == 0)
			return spnego_oids[i].mech;
	return SPNEGO_MECH_OTHER;
}

static void
spnego_set(struct spnego_bytes *b, const struct der *d)
{
	b->p = d->p;
	b->len = d->len;
}

/*
 * The next field [n] of a SEQUENCE whose fields are explicitly tagged
 * and in increasing order, n at most max; n, or -1.
 */
static int
spnego_next_field(struct der *seq, int *last, int max, struct der *field)
{
	uint8_t tag;
	int n;

	if (der_next(seq, &tag, field) == -1 || (tag & 0xe0) != 0xa0)
		return -1;
	n = tag & 0x1f;
	if (n <= *last || n > max)
		return -1;
	*last = n;
	return n;
}

/* RFC 4178 4.2.1, MS-SPNG 2.2.1: the SEQUENCE's contents. */
static int
spnego_decode_init(struct der seq, struct spnego_token *t)
{
	struct der field, list, oid, v, before;
	uint8_t tag;
	int last = -1;

	while (seq.len > 0) {
		switch (spnego_next_field(&seq, &last, 4, &field)) {
		case -1:
			return -1;
		case 0:		/* mechTypes */
			before = field;
			if (der_expect(&before, DER_SEQ, &list) == -1 ||
			    before.len != 0)
				return -1;
			t->mech_types.p = field.p;
			t->mech_types.len = field.len;
			if (list.len == 0)
				return -1;
			while (list.len > 0) {
				if (der_expect(&list, DER_OID, &oid) == -1 ||
				    oid.len == 0 ||
				    t->nmechs == SPNEGO_MECHS_MAX)
					return -1;
				t->mechs[t->nmechs++] = spnego_mech_of(&oid);
			}
			break;
		case 1:		/* reqFlags: ignored */
			if (der_field(&field, DER_BITS, &v) == -1)
				return -1;
			break;
		case 2:
			if (der_field(&field, DER_OCTETS, &v) == -1)
				return -1;
			spnego_set(&t->mech_token, &v);
			break;
		case 3:		/* RFC 4178 mechListMIC, or MS negHints */
			before = field;
			if (der_next(&before, &tag, &v) == -1 ||
			    before.len != 0)
				return -1;
			if (tag == DER_OCTETS)
				spnego_set(&t->mech_list_mic, &v);
			else if (tag != DER_SEQ)
				return -1;
			break;
		case 4:		/* NegTokenInit2 mechListMIC */
			if (der_field(&field, DER_OCTETS, &v) == -1)
				return -1;
			spnego_set(&t->mech_list_mic, &v);
			break;
		}
	}
	return t->nmechs > 0 ? 0 : -1;
}

/* RFC 4178 4.2.2. */
static int
spnego_decode_resp(struct der seq, struct spnego_token *t)
{
	struct der field, v;
	int last = -1;

	while (seq.len > 0) {
		switch (spnego_next_field(&seq, &last, 3, &field)) {
		case -1:
			return -1;
		case 0:
			if (der_field(&field, DER_ENUM, &v) == -1 ||
			    v.len != 1 || v.p[0] > SPNEGO_REQUEST_MIC)
				return -1;
			t->neg_state = v.p[0];
			break;
		case 1:
			if (der_field(&field, DER_OID, &v) == -1 ||
			    v.len == 0)
				return -1;
			t->supported_mech = spnego_mech_of(&v);
			break;
		case 2:
			if (der_field(&field, DER_OCTETS, &v) == -1)
				return -1;
			spnego_set(&t->response_token, &v);
			break;
		case 3:
			if (der_field(&field, DER_OCTETS, &v) == -1)
				return -1;
			spnego_set(&t->mech_list_mic, &v);
			break;
		}
	}
	return 0;
}

int
spnego_decode(const uint8_t *buf, size_t len, struct spnego_token *t)
{
	struct der in = { buf, len }, outer, v, seq;
	uint8_t tag;

	memset(t, 0, sizeof(*t));
	t->neg_state = -1;
	t->supported_mech = -1;
	if (der_next(&in, &tag, &outer) == -1 || in.len != 0)
		return -1;
	if (tag == DER_APP0) {
		/* RFC 2743 3.1: thisMech, then the NegotiationToken. */
		if (der_expect(&outer, DER_OID, &v) == -1 ||
		    v.len != sizeof(spnego_oid) ||
		    memcmp(v.p, spnego_oid, v.len) != 0 ||
		    der_next(&outer, &tag, &v) == -1 || outer.len != 0 ||
		    tag != DER_CTX(0))
			return -1;
		outer = v;
	}
	if (tag == DER_CTX(0)) {
		t->kind = SPNEGO_INIT;
		if (der_field(&outer, DER_SEQ, &seq) == -1)
			return -1;
		return spnego_decode_init(seq, t);
	}
	if (tag == DER_CTX(1)) {
		t->kind = SPNEGO_RESP;
		if (der_field(&outer, DER_SEQ, &seq) == -1)
			return -1;
		return spnego_decode_resp(seq, t);
	}
	return -1;
}

/* RFC 4121 4.1: the TOK_ID of a KRB_AP_REQ. */
#define KRB5_TOK_AP_REQ_0	0x01
#define KRB5_TOK_AP_REQ_1	0x00
/* RFC 4120 5.5.1: AP-REQ, its pvno and msg-type; 5.3: Ticket. */
#define DER_INT			0x02
#define DER_APP1		0x61
#define DER_APP14		0x6e
#define KRB5_PVNO		5
#define KRB5_AP_REQ		14

/* A one-byte INTEGER [n] whose value is want. */
static int
krb5_small_int(struct der *field, uint8_t want)
{
	struct der v;

	return der_field(field, DER_INT, &v) == 0 && v.len == 1 &&
	    v.p[0] == want ? 0 : -1;
}

/*
 * RFC 4120 5.5.1: AP-REQ ::= [APPLICATION 14] SEQUENCE { pvno [0] 5,
 * msg-type [1] 14, ap-options [2] BIT STRING, ticket [3] Ticket,
 * authenticator [4] EncryptedData }: the shape only, every field
 * present and in order; what is inside the ticket and the
 * authenticator is libkrb5's to read.
 */
static int
krb5_ap_req_shape(struct der ap)
{
	struct der seq, field, v;
	int last = -1, n = 0;

	if (der_expect(&ap, DER_SEQ, &seq) == -1 || ap.len != 0)
		return -1;
	while (seq.len > 0) {
		switch (spnego_next_field(&seq, &last, 4, &field)) {
		case 0:
			if (krb5_small_int(&field, KRB5_PVNO) == -1)
				return -1;
			break;
		case 1:
			if (krb5_small_int(&field, KRB5_AP_REQ) == -1)
				return -1;
			break;
		case 2:
			if (der_field(&field, DER_BITS, &v) == -1 ||
			    v.len == 0)
				return -1;
			break;
		case 3:
			if (der_field(&field, DER_APP1, &v) == -1 ||
			    v.len == 0)
				return -1;
			break;
		case 4:
			if (der_field(&field, DER_SEQ, &v) == -1 ||
			    v.len == 0)
				return -1;
			break;
		default:
			return -1;
		}
		n++;
	}
	return n == 5 ? 0 : -1;
}

int
spnego_krb5_token(const uint8_t *buf, size_t len, enum spnego_mech *mech,
    struct spnego_bytes *ap_req)
{
	struct der in = { buf, len }, outer, oid, rest, v;
	uint8_t tag;

	ap_req->p = NULL;
	ap_req->len = 0;
	if (der_next(&in, &tag, &outer) == -1 || tag != DER_APP0 ||
	    der_expect(&outer, DER_OID, &oid) == -1)
		return 0;
	*mech = spnego_mech_of(&oid);
	if (*mech != SPNEGO_MECH_KRB5 && *mech != SPNEGO_MECH_MS_KRB5)
		return 0;
	/* What follows the OID is mechanism-specific: no TLV of its own. */
	if (in.len != 0 || outer.len < 2 ||
	    outer.p[0] != KRB5_TOK_AP_REQ_0 ||
	    outer.p[1] != KRB5_TOK_AP_REQ_1)
		return -1;
	rest.p = outer.p + 2;
	rest.len = outer.len - 2;
	if (der_next(&rest, &tag, &v) == -1 || tag != DER_APP14 ||
	    rest.len != 0 || krb5_ap_req_shape(v) == -1)
		return -1;
	ap_req->p = outer.p + 2;
	ap_req->len = outer.len - 2;
	return 1;
}

int
spnego_choose(const struct spnego_token *t, int krb5)
{
	size_t i;

	for (i = 0; i < t->nmechs && i < SPNEGO_MECHS_MAX; i++)
		switch (t->mechs[i]) {
		case SPNEGO_MECH_NTLMSSP:
			return (int)i;
		case SPNEGO_MECH_KRB5:
		case SPNEGO_MECH_MS_KRB5:
			if (krb5)
				return (int)i;
			break;
		default:
			break;
		}
	return -1;
}

/* The writer: a growing buffer; errors stick until the end. */
struct dbuf {
	uint8_t	*p;
	size_t	 len, cap;
	int	 err;
};

static void
dbuf_add(struct dbuf *b, const void *data, size_t len)
{
	uint8_t *n;
	size_t cap;

	if (b->err || len == 0)
		return;
	if (b->len + len > b->cap) {
		cap = b->cap ? b->cap : 64;
		while (cap < b->len + len)
			cap *= 2;
		if ((n = realloc(b->p, cap)) == NULL) {
			b->err = 1;
			return;
		}
		b->p = n;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

/* Tag, length, value. */
static void
dbuf_tlv(struct dbuf *b, uint8_t tag, const void *val, size_t len)
{
	uint8_t h[6];
	size_t n = 0;

	h[n++] = tag;
	if (len < 0x80)
		h[n++] = (uint8_t)len;
	else if (len < 0x100) {
		h[n++] = 0x81;
		h[n++] = (uint8_t)len;
	} else if (len < 0x10000) {
		h[n++] = 0x82;
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	} else {
		h[n++] = 0x83;
		h[n++] = (uint8_t)(len >> 16);
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	}
	if (len >= 0x1000000)
		b->err = 1;
	dbuf_add(b, h, n);
	dbuf_add(b, val, len);
}

/* Wrap inner's bytes in a TLV appended to outer; inner is freed. */
static void
dbuf_wrap(struct dbuf *outer, uint8_t tag, struct dbuf *inner)
{
	if (inner->err)
		outer->err = 1;
	dbuf_tlv(outer, tag, inner->p, inner->len);
	free(inner->p);
	memset(inner, 0, sizeof(*inner));
}

static int
dbuf_done(struct dbuf *b, uint8_t **out, size_t *outlen)
{
	if (b->err) {
		free(b->p);
		return -1;
	}
	*out = b->p;
	*outlen = b->len;
	return 0;
}

static int
spnego_put_oid(struct dbuf *b, enum spnego_mech mech)
{
	size_t i;

	for (i = 0; i < SPNEGO_NOIDS; i++)
		if (spnego_oids[i].mech == mech) {
			dbuf_tlv(b, DER_OID, spnego_oids[i].oid,
			    spnego_oids[i].len);
			return 0;
		}
	b->err = 1;
	return -1;
}

static void
spnego_put_mech_types(struct dbuf *b, const enum spnego_mech *mechs,
    size_t n)
{
	struct dbuf list = { 0 };
	size_t i;

	for (i = 0; i < n; i++)
		spnego_put_oid(&list, mechs[i]);
	dbuf_wrap(b, DER_SEQ, &list);
}

int
spnego_encode_mech_types(const enum spnego_mech *mechs, size_t n,
    uint8_t **out, size_t *outlen)
{
	struct dbuf b = { 0 };

	spnego_put_mech_types(&b, mechs, n);
	return dbuf_done(&b, out, outlen);
}

int
spnego_encode_init(const enum spnego_mech *mechs, size_t n,
    const uint8_t *mech_token, size_t mech_token_len, const char *hint,
    uint8_t **out, size_t *outlen)
{
	struct dbuf seq = { 0 }, f = { 0 }, g = { 0 }, h = { 0 }, top = { 0 };

	spnego_put_mech_types(&f, mechs, n);
	dbuf_wrap(&seq, DER_CTX(0), &f);
	if (mech_token != NULL) {
		dbuf_tlv(&f, DER_OCTETS, mech_token, mech_token_len);
		dbuf_wrap(&seq, DER_CTX(2), &f);
	}
	if (hint != NULL) {
		/* negHints: SEQUENCE { hintName [0] GeneralString } */
		dbuf_tlv(&h, DER_GENSTR, hint, strlen(hint));
		dbuf_wrap(&g, DER_CTX(0), &h);
		dbuf_wrap(&f, DER_SEQ, &g);
		dbuf_wrap(&seq, DER_CTX(3), &f);
	}
	dbuf_wrap(&f, DER_SEQ, &seq);
	dbuf_tlv(&g, DER_OID, spnego_oid, sizeof(spnego_oid));
	dbuf_wrap(&g, DER_CTX(0), &f);
	dbuf_wrap(&top, DER_APP0, &g);
	return dbuf_done(&top, out, outlen);
}

int
spnego_encode_resp(int neg_state, int supported_mech, const uint8_t *token,
    size_t token_len, const uint8_t *mic, size_t mic_len, uint8_t **out,
    size_t *outlen)
{
	struct dbuf seq = { 0 }, f = { 0 }, top = { 0 };
	uint8_t st;

	if (neg_state >= 0) {
		st = (uint8_t)neg_state;
		dbuf_tlv(&f, DER_ENUM, &st, 1);
		dbuf_wrap(&seq, DER_CTX(0), &f);
	}
	if (supported_mech >= 0) {
		spnego_put_oid(&f, (enum spnego_mech)supported_mech);
		dbuf_wrap(&seq, DER_CTX(1), &f);
	}
	if (token != NULL) {
		dbuf_tlv(&f, DER_OCTETS, token, token_len);
		dbuf_wrap(&seq, DER_CTX(2), &f);
	}
	if (mic != NULL) {
		dbuf_tlv(&f, DER_OCTETS, mic, mic_len);
		dbuf_wrap(&seq, DER_CTX(3), &f);
	}
	dbuf_wrap(&f, DER_SEQ, &seq);
	dbuf_wrap(&top, DER_CTX(1), &f);
	return dbuf_done(&top, out, outlen);
}
