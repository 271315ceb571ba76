/*
 * common/casefold.c: the folding common/casefold.h describes, from the
 * table tools/gen_casefold.pl made (common/casefold_table.h).
 */
#include <stdint.h>
#include <string.h>

#include "casefold.h"

/*
 * A range of letters: code points first..last fold by +delta, every one
 * (step 1) or every other one from first (step 2).
 */
struct casefold_range {
	uint16_t	first;
	uint16_t	last;
	uint8_t		step;
	int32_t		delta;
};

#include "casefold_table.h"

unsigned int
casefold_cp(unsigned int cp)
{
	const struct casefold_range *r;
	size_t lo = 0, hi = sizeof(casefold_ranges) /
	    sizeof(casefold_ranges[0]), mid;

	/* The last range that starts at or before cp. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (casefold_ranges[mid].first <= cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return cp;
	r = &casefold_ranges[lo - 1];
	if (cp <= r->last && (cp - r->first) % r->step == 0)
		return (unsigned int)((int32_t)cp + r->delta);
	return cp;
}

/*
 * The length of the UTF-8 sequence of two or three bytes at p (n bytes
 * left) and its code point, or 0: not one, or an overlong form or a
 * surrogate, which are compared as bytes.
 */
static size_t
casefold_decode(const unsigned char *p, size_t n, unsigned int *cpp)
{
	unsigned int cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf && n >= 2 &&
	    (p[1] & 0xc0) == 0x80) {
		*cpp = (unsigned int)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
		return 2;
	}
	if (p[0] >= 0xe0 && p[0] <= 0xef && n >= 3 &&
	    (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
		cp = (unsigned int)(p[0] & 0x0f) << 12 |
		    (unsigned int)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		*cpp = cp;
		return 3;
	}
	return 0;
}

void
casefold(const char *in, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *)in;
	unsigned char *q = (unsigned char *)out;
	unsigned int cp;
	size_t i, n;

	for (i = 0; i < len; i += n) {
		if (p[i] < 0x80) {
			q[i] = p[i] >= 'A' && p[i] <= 'Z' ?
			    p[i] + ('a' - 'A') : p[i];
			n = 1;
			continue;
		}
		if ((n = casefold_decode(p + i, len - i, &cp)) == 0) {
			q[i] = p[i];
			n = 1;
			continue;
		}
		/* The table keeps every folding's UTF-8 length. */
		cp = casefold_cp(cp);
		if (n == 2) {
			q[i] = (unsigned char)(0xc0 | cp >> 6);
			q[i + 1] = (unsigned char)(0x80 | (cp & 0x3f));
		} else {
			q[i] = (unsigned char)(0xe0 | cp >> 12);
			q[i + 1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			q[i + 2] = (unsigned char)(0x80 | (cp & 0x3f));
		}
	}
}

int
casefold_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	char fa[256], fb[256];
	size_t off, n;

	if (alen != blen)
		return 0;
	for (off = 0; off < alen; off += n) {
		/* A chunk cuts no sequence: the next starts no continuation. */
		n = alen - off < sizeof(fa) ? alen - off : sizeof(fa);
		while (n > sizeof(fa) - 3 && off + n < alen &&
		    ((unsigned char)a[off + n] & 0xc0) == 0x80)
			n--;
		casefold(a + off, n, fa);
		casefold(b + off, n, fb);
		if (memcmp(fa, fb, n) != 0)
			return 0;
	}
	return 1;
}
