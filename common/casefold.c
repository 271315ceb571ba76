/*
 * common/casefold.c: the folding common/casefold.h describes, one table
 * of ranges.
 */
#include <stdint.h>
#include <string.h>

#include "casefold.h"

/*
 * A range of capitals: code points first..last fold by +delta, every one
 * (step 1) or every other one from first (step 2: the pairs of Latin
 * Extended-A and Cyrillic, capital first or, for the odd runs, as said).
 */
struct casefold_range {
	uint16_t	first;
	uint16_t	last;
	uint8_t		step;
	int16_t		delta;
};

/* Unicode 15 CaseFolding.txt, status C, two-byte UTF-8 only. */
static const struct casefold_range casefold_ranges[] = {
	{ 0x00b5, 0x00b5, 1, 0x03bc - 0x00b5 },	/* MICRO SIGN: mu */
	{ 0x00c0, 0x00d6, 1, 0x20 },
	{ 0x00d8, 0x00de, 1, 0x20 },
	{ 0x0100, 0x012e, 2, 1 },
	{ 0x0132, 0x0136, 2, 1 },
	{ 0x0139, 0x0147, 2, 1 },
	{ 0x014a, 0x0176, 2, 1 },
	{ 0x0178, 0x0178, 1, 0x00ff - 0x0178 },	/* Y WITH DIAERESIS */
	{ 0x0179, 0x017d, 2, 1 },
	{ 0x0386, 0x0386, 1, 0x26 },
	{ 0x0388, 0x038a, 1, 0x25 },
	{ 0x038c, 0x038c, 1, 0x40 },
	{ 0x038e, 0x038f, 1, 0x3f },
	{ 0x0391, 0x03a1, 1, 0x20 },
	{ 0x03a3, 0x03ab, 1, 0x20 },
	{ 0x03c2, 0x03c2, 1, 1 },			/* final sigma */
	{ 0x0400, 0x040f, 1, 0x50 },
	{ 0x0410, 0x042f, 1, 0x20 },
	{ 0x0460, 0x0480, 2, 1 },
	{ 0x048a, 0x04be, 2, 1 },
	{ 0x04c0, 0x04c0, 1, 0x0f },
	{ 0x04c1, 0x04cd, 2, 1 },
	{ 0x04d0, 0x052e, 2, 1 },
	{ 0x0531, 0x0556, 1, 0x30 },
};

static unsigned int
casefold_cp(unsigned int cp)
{
	const struct casefold_range *r;
	size_t i;

	for (i = 0; i < sizeof(casefold_ranges) / sizeof(casefold_ranges[0]);
	    i++) {
		r = &casefold_ranges[i];
		if (cp < r->first)
			break;		/* the table is in order */
		if (cp <= r->last && (cp - r->first) % r->step == 0)
			return (unsigned int)((int)cp + r->delta);
	}
	return cp;
}

void
casefold(const char *in, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *)in;
	unsigned char *q = (unsigned char *)out;
	unsigned int cp;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] >= 'A' && p[i] <= 'Z') {
			q[i] = p[i] + ('a' - 'A');
			continue;
		}
		/* A two-byte sequence: lead C2-D5 covers U+0080-U+057F. */
		if (p[i] >= 0xc2 && p[i] <= 0xd5 && i + 1 < len &&
		    (p[i + 1] & 0xc0) == 0x80) {
			cp = (unsigned int)(p[i] & 0x1f) << 6 |
			    (p[i + 1] & 0x3f);
			cp = casefold_cp(cp);
			q[i] = (unsigned char)(0xc0 | cp >> 6);
			q[i + 1] = (unsigned char)(0x80 | (cp & 0x3f));
			i++;
			continue;
		}
		q[i] = p[i];
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
		/* Chunks end on a byte that starts no sequence cut in two. */
		n = alen - off < sizeof(fa) ? alen - off : sizeof(fa) - 1;
		if (n == sizeof(fa) - 1 && off + n < alen &&
		    ((unsigned char)a[off + n - 1] & 0xc0) == 0xc0)
			n--;
		casefold(a + off, n, fa);
		casefold(b + off, n, fb);
		if (memcmp(fa, fb, n) != 0)
			return 0;
	}
	return 1;
}
