/*
 * A bounded reader over an RPC record, for the test clients that parse
 * replies by hand (rpc-probe, hostile, cb-gss and cb-gss41 through
 * rpcbuf.h, and krb5-client): big-endian words and XDR opaques; past
 * the record's end bad is set and 0 or NULL read.
 */
#ifndef DITTOFS_TESTS_RPCRD_H
#define DITTOFS_TESTS_RPCRD_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

struct rd {
	const uint8_t	*p;
	size_t		 len;
	size_t		 pos;
	int		 bad;
};

static inline uint32_t
rd32(struct rd *r)
{
	if (r->pos + 4 > r->len) {
		r->bad = 1;
		return 0;
	}
	r->pos += 4;
	return get32(r->p + r->pos - 4);
}

static inline const uint8_t *
rdopaque(struct rd *r, size_t *n)
{
	size_t len = rd32(r);
	const uint8_t *p = r->p + r->pos;

	if (r->bad || len > r->len - r->pos) {
		r->bad = 1;
		*n = 0;
		return NULL;
	}
	r->pos += (len + 3) & ~(size_t)3;
	if (r->pos > r->len)
		r->pos = r->len;
	*n = len;
	return p;
}

static inline void
rdskip(struct rd *r, size_t n)
{
	if (r->pos + n > r->len)
		r->bad = 1;
	else
		r->pos += n;
}

#endif
