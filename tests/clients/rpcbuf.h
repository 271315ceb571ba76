/*
 * A fixed buffer for the test clients that build RPC calls by hand
 * (rpc-probe, hostile, cb-gss): big-endian words and XDR opaques, no
 * bounds beyond the buffer's size, which every call these clients make
 * fits; the hex handles their command lines take; and a bounded reader
 * over a reply.
 */
#ifndef DITTOFS_TESTS_RPCBUF_H
#define DITTOFS_TESTS_RPCBUF_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct buf {
	uint8_t	 b[8192];
	size_t	 n;
};

static inline void
put32(struct buf *b, uint32_t v)
{
	b->b[b->n++] = (uint8_t)(v >> 24);
	b->b[b->n++] = (uint8_t)(v >> 16);
	b->b[b->n++] = (uint8_t)(v >> 8);
	b->b[b->n++] = (uint8_t)v;
}

static inline void
putopaque(struct buf *b, const void *p, uint32_t len)
{
	put32(b, len);
	memcpy(b->b + b->n, p, len);
	b->n += len;
	while (b->n % 4)
		b->b[b->n++] = 0;
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Hex digits (a handle on the command line) -> at most max bytes. */
static inline size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int v;

	while (s[0] && s[1] && n < max && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* A reader over a record: past its end, bad is set and 0 read. */
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

#endif
