/*
 * A fixed buffer for the test clients that build RPC calls by hand
 * (rpc-probe, hostile, cb-gss, cb-gss41): big-endian words, XDR opaques
 * and raw bytes, no bounds beyond the buffer's size, which every call
 * these clients make fits; the hex handles their command lines take;
 * the reader over a reply is rpcrd.h's.
 */
#ifndef DITTOFS_TESTS_RPCBUF_H
#define DITTOFS_TESTS_RPCBUF_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpcrd.h"

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
	if (len > 0)		/* p may be NULL then (an empty GSS buffer) */
		memcpy(b->b + b->n, p, len);
	b->n += len;
	while (b->n % 4)
		b->b[b->n++] = 0;
}

/* Bytes as they are; a client's buffer too small for them ends it. */
static inline void
putraw(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > sizeof(b->b))
		exit(1);
	memcpy(b->b + b->n, p, n);
	b->n += n;
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

#endif
