/*
 * common/casefold.c: the folding of case-insensitive shares.  Every BMP
 * code point keeps its UTF-8 length and folds to a fixed point; the
 * letters format 3's table folded fold as they did; the full-width,
 * Latin Extended Additional, Cherokee and Greek symbol letters fold now;
 * the one-way letters Windows keeps apart (KELVIN SIGN, OHM SIGN,
 * capital sharp s) and the length-changing ones stay as they are; bad
 * UTF-8 is kept; casefold_eq over long names of three-byte letters.
 */
#include <string.h>

#include "tap.h"
#include "common/casefold.h"

#define N(s)	(s), strlen(s)

/* Format 3's table (the step-2 runs start on a capital). */
static const struct {
	unsigned int	first, last, step;
	int		delta;
} format3[] = {
	{ 0x00b5, 0x00b5, 1, 0x03bc - 0x00b5 }, { 0x00c0, 0x00d6, 1, 0x20 },
	{ 0x00d8, 0x00de, 1, 0x20 }, { 0x0100, 0x012e, 2, 1 },
	{ 0x0132, 0x0136, 2, 1 }, { 0x0139, 0x0147, 2, 1 },
	{ 0x014a, 0x0176, 2, 1 }, { 0x0178, 0x0178, 1, 0x00ff - 0x0178 },
	{ 0x0179, 0x017d, 2, 1 }, { 0x0386, 0x0386, 1, 0x26 },
	{ 0x0388, 0x038a, 1, 0x25 }, { 0x038c, 0x038c, 1, 0x40 },
	{ 0x038e, 0x038f, 1, 0x3f }, { 0x0391, 0x03a1, 1, 0x20 },
	{ 0x03a3, 0x03ab, 1, 0x20 }, { 0x03c2, 0x03c2, 1, 1 },
	{ 0x0400, 0x040f, 1, 0x50 }, { 0x0410, 0x042f, 1, 0x20 },
	{ 0x0460, 0x0480, 2, 1 }, { 0x048a, 0x04be, 2, 1 },
	{ 0x04c0, 0x04c0, 1, 0x0f }, { 0x04c1, 0x04cd, 2, 1 },
	{ 0x04d0, 0x052e, 2, 1 }, { 0x0531, 0x0556, 1, 0x30 },
};

static int
utf8len(unsigned int cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
}

static void
test_table(void)
{
	unsigned int cp, f, bad_len = 0, bad_fixed = 0, bad_old = 0, n = 0;
	size_t i;

	for (cp = 0; cp <= 0xffff; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		f = casefold_cp(cp);
		if (f != cp)
			n++;
		if (utf8len(f) != utf8len(cp) || f > 0xffff)
			bad_len++;
		if (casefold_cp(f) != f)
			bad_fixed++;
	}
	tap_ok(bad_len == 0, "every BMP folding keeps its UTF-8 length (%u "
	    "do not)", bad_len);
	tap_ok(bad_fixed == 0, "every folded code point folds to itself (%u "
	    "do not)", bad_fixed);
	tap_ok(n > 1100, "%u code points fold (format 3: 403)", n);
	for (i = 0; i < sizeof(format3) / sizeof(format3[0]); i++)
		for (cp = format3[i].first; cp <= format3[i].last;
		    cp += format3[i].step)
			if (casefold_cp(cp) != cp + (unsigned)format3[i].delta)
				bad_old++;
	tap_ok(bad_old == 0, "format 3's foldings unchanged (%u differ)",
	    bad_old);
}

static void
test_names(void)
{
	char out[64];
	const char *in = "ABCxyz\xc3\x84\xc3\x9f\xce\xa3\xd0\x96\xd4\xb1"
	    "\xc5\xbf\xc4\xb0\xff\xc3";

	casefold(in, strlen(in), out);
	tap_ok(memcmp(out, "abcxyz\xc3\xa4\xc3\x9f\xcf\x83\xd0\xb6\xd5\xa1"
	    "\xc5\xbf\xc4\xb0\xff\xc3", strlen(in)) == 0,
	    "ASCII, A-diaeresis, sigma, zhe, ayb folded; sharp s, long s, "
	    "dotted I, bad bytes kept");
	tap_ok(casefold_eq(N("Stra\xc3\x9f" "E"), N("STRA\xc3\x9f" "e")) &&
	    !casefold_eq(N("stra\xc3\x9f" "e"), N("strasse")),
	    "simple folding only: sharp s is not ss");
	tap_ok(casefold_eq(N("\xce\xa3\xce\x9f\xce\xa6\xce\x8a\xce\x91"),
	    N("\xcf\x83\xce\xbf\xcf\x86\xce\xaf\xce\xb1")),
	    "Greek with tonos");
	tap_ok(casefold_eq(N("\xc5\xb8"), N("\xc3\xbf")) &&
	    casefold_eq(N("\xc4\x80\xc4\xb9\xc5\xbd"),
	    N("\xc4\x81\xc4\xba\xc5\xbe")),
	    "Latin Extended-A pairs, Y-diaeresis");
	/* U+FF21 FULLWIDTH A, U+FF41 fullwidth a (smb2.charset wide-a) */
	tap_ok(casefold_eq(N("\xef\xbc\xa1"), N("\xef\xbd\x81")),
	    "full-width A and a are one name");
	tap_ok(!casefold_eq(N("\xef\xbd\x81"), N("a")) &&
	    !casefold_eq(N("\xef\xbc\xa1"), N("A")),
	    "full-width a is not a");
	casefold(N("\xef\xbc\xba" "\xe1\xb8\x80" "\xe1\x8e\xa0"), out);
	tap_ok(memcmp(out, "\xef\xbd\x9a" "\xe1\xb8\x81" "\xea\xad\xb0",
	    9) == 0, "full-width Z, A with ring below (U+1E00), Cherokee A "
	    "(U+13A0) fold to their lower case");
	tap_ok(casefold_eq(N("\xcf\x90"), N("\xce\x92")) &&
	    casefold_eq(N("\xc7\x85"), N("\xc7\x84")) &&
	    casefold_eq(N("\xc7\x85"), N("\xc7\x86")),
	    "beta symbol is beta; title-case Dz is DZ and dz");
	tap_ok(!casefold_eq(N("\xe2\x84\xaa"), N("k")) &&
	    !casefold_eq(N("\xe2\x84\xa6"), N("\xcf\x89")) &&
	    !casefold_eq(N("\xe1\xba\x9e"), N("\xc3\x9f")),
	    "KELVIN SIGN, OHM SIGN, capital sharp s kept apart, as Windows");
	tap_ok(!casefold_eq(N("\xc4\xb1"), N("I")) &&
	    !casefold_eq(N("\xc9\x90"), N("\xe2\xb1\xaf")),
	    "dotless i and turned a (lengths differ) not folded");
	/* A surrogate, an overlong form, a cut sequence, U+10400 */
	in = "\xed\xa0\x80" "\xe0\x80\x80" "\xf0\x90\x90\x80" "\xef\xbc";
	casefold(in, strlen(in), out);
	tap_ok(memcmp(out, in, strlen(in)) == 0,
	    "bad three-byte forms and a four-byte letter kept as they are");
}

static void
test_long(void)
{
	char a[600], b[600];
	size_t i;

	/* 200 three-byte letters: chunks of casefold_eq end mid-letter. */
	for (i = 0; i < 600; i += 3) {
		memcpy(a + i, "\xef\xbc\xa1", 3);
		memcpy(b + i, "\xef\xbd\x81", 3);
	}
	tap_ok(casefold_eq(a, sizeof(a), b, sizeof(b)),
	    "casefold_eq: 600 bytes of full-width A and a");
	memcpy(b + 597, "\xef\xbd\x82", 3);
	tap_ok(!casefold_eq(a, sizeof(a), b, sizeof(b)),
	    "casefold_eq: the last letter differs");
	for (i = 1; i < 600; i++)
		a[i] = b[i] = 'A' + (char)(i % 26);
	a[0] = b[0] = 'x';
	memcpy(a + 254, "\xef\xbc\xa1", 3);
	memcpy(b + 254, "\xef\xbd\x81", 3);
	tap_ok(casefold_eq(a, sizeof(a), b, sizeof(b)),
	    "casefold_eq: a three-byte letter across byte 256");
}

int
main(void)
{
	test_table();
	test_names();
	test_long();
	return tap_done();
}
