/*
 * Hand-built XDR for the NFSv4 unit tests: a byte buffer and writers
 * that follow RFC 4506 directly (big-endian words, opaques padded to 4),
 * independent of common/xdrbuf.c, so a bug there cannot hide here.
 */
#ifndef DITTOFS_TESTS_NFS4_BUILD_H
#define DITTOFS_TESTS_NFS4_BUILD_H

#include <stdint.h>
#include <string.h>

struct wb {
	uint8_t		b[16384];
	size_t		n;
};

static inline void
w32(struct wb *w, uint32_t v)
{
	w->b[w->n++] = (uint8_t)(v >> 24);
	w->b[w->n++] = (uint8_t)(v >> 16);
	w->b[w->n++] = (uint8_t)(v >> 8);
	w->b[w->n++] = (uint8_t)v;
}

static inline void
w64(struct wb *w, uint64_t v)
{
	w32(w, (uint32_t)(v >> 32));
	w32(w, (uint32_t)v);
}

/* Fixed-size opaque: the bytes, then zeros up to a multiple of 4. */
static inline void
wfix(struct wb *w, const void *p, size_t len)
{
	memcpy(w->b + w->n, p, len);
	w->n += len;
	while (w->n % 4)
		w->b[w->n++] = 0;
}

static inline void
wopq(struct wb *w, const void *p, size_t len)
{
	w32(w, (uint32_t)len);
	wfix(w, p, len);
}

static inline void
wstr(struct wb *w, const char *s)
{
	wopq(w, s, strlen(s));
}

/* A COMPOUND4args header. */
static inline void
wcompound(struct wb *w, const char *tag, uint32_t minor, uint32_t nops)
{
	w->n = 0;
	wstr(w, tag);
	w32(w, minor);
	w32(w, nops);
}

#endif
