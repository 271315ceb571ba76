/*
 * Checked XDR (RFC 4506) over memory buffers, for the RPC wire of the front ends.
 * Every length is compared with what is left before it is used; a
 * decoder that fails leaves the caller to answer GARBAGE_ARGS.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xdrbuf.h"

#define XDRBUF_PAD(n)	(((n) + 3) & ~(size_t)3)

void
xdrbuf_in_init(struct xdrbuf_in *x, const void *p, size_t len)
{
	x->p = p;
	x->len = len;
	x->pos = 0;
}

size_t
xdrbuf_in_left(const struct xdrbuf_in *x)
{
	return x->len - x->pos;
}

uint32_t
xdrbuf_peek_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int
xdrbuf_get_u32(struct xdrbuf_in *x, uint32_t *v)
{
	if (xdrbuf_in_left(x) < 4)
		return -1;
	*v = xdrbuf_peek_u32(x->p + x->pos);
	x->pos += 4;
	return 0;
}

int
xdrbuf_get_u64(struct xdrbuf_in *x, uint64_t *v)
{
	uint32_t hi, lo;

	if (xdrbuf_get_u32(x, &hi) == -1 || xdrbuf_get_u32(x, &lo) == -1)
		return -1;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

/* RFC 4506 4.4: only 0 and 1 are booleans. */
int
xdrbuf_get_bool(struct xdrbuf_in *x, int *b)
{
	uint32_t v;

	if (xdrbuf_get_u32(x, &v) == -1 || v > 1)
		return -1;
	*b = (int)v;
	return 0;
}

int
xdrbuf_skip(struct xdrbuf_in *x, size_t n)
{
	size_t padded = XDRBUF_PAD(n);

	if (padded < n || xdrbuf_in_left(x) < padded)
		return -1;
	x->pos += padded;
	return 0;
}

int
xdrbuf_get_fixed(struct xdrbuf_in *x, void *dst, size_t n)
{
	const uint8_t *src = x->p + x->pos;

	if (xdrbuf_skip(x, n) == -1)
		return -1;
	memcpy(dst, src, n);
	return 0;
}

int
xdrbuf_get_opaque(struct xdrbuf_in *x, const uint8_t **data, uint32_t *len,
    uint32_t max)
{
	uint32_t n;
	size_t save = x->pos;

	if (xdrbuf_get_u32(x, &n) == -1)
		return -1;
	if (n > max || xdrbuf_skip(x, n) == -1) {
		x->pos = save;
		return -1;
	}
	*data = x->p + save + 4;
	*len = n;
	return 0;
}

void
xdrbuf_out_init(struct xdrbuf_out *o)
{
	memset(o, 0, sizeof(*o));
}

void
xdrbuf_out_free(struct xdrbuf_out *o)
{
	free(o->buf);
	memset(o, 0, sizeof(*o));
}

uint8_t *
xdrbuf_reserve(struct xdrbuf_out *o, size_t n)
{
	uint8_t *p;

	if (o->failed)
		return NULL;
	if (n > SIZE_MAX / 2 - o->len) {
		o->failed = 1;
		return NULL;
	}
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 512;

		while (cap < o->len + n)
			cap *= 2;
		if ((p = realloc(o->buf, cap)) == NULL) {
			o->failed = 1;
			return NULL;
		}
		o->buf = p;
		o->cap = cap;
	}
	p = o->buf + o->len;
	o->len += n;
	return p;
}

void
xdrbuf_put_u32_at(struct xdrbuf_out *o, size_t off, uint32_t v)
{
	if (o->failed || off + 4 > o->len)
		return;
	o->buf[off] = (uint8_t)(v >> 24);
	o->buf[off + 1] = (uint8_t)(v >> 16);
	o->buf[off + 2] = (uint8_t)(v >> 8);
	o->buf[off + 3] = (uint8_t)v;
}

void
xdrbuf_put_u32(struct xdrbuf_out *o, uint32_t v)
{
	uint8_t *p = xdrbuf_reserve(o, 4);

	if (p == NULL)
		return;
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
xdrbuf_put_u64(struct xdrbuf_out *o, uint64_t v)
{
	xdrbuf_put_u32(o, (uint32_t)(v >> 32));
	xdrbuf_put_u32(o, (uint32_t)v);
}

void
xdrbuf_put_fixed(struct xdrbuf_out *o, const void *src, size_t n)
{
	size_t padded = XDRBUF_PAD(n);
	uint8_t *p = xdrbuf_reserve(o, padded);

	if (p == NULL)
		return;
	if (n > 0)
		memcpy(p, src, n);
	memset(p + n, 0, padded - n);
}

void
xdrbuf_put_opaque(struct xdrbuf_out *o, const void *src, uint32_t n)
{
	xdrbuf_put_u32(o, n);
	xdrbuf_put_fixed(o, src, n);
}
