/*
 * smbd/smb2_ea.c: a CREATE's context list checked whole (a good list,
 * Next past the end or unaligned, a name under 4 bytes, data overlapping
 * the name, unaligned data), a context looked up by a 4-byte or GUID
 * name and found twice; EA names (bad characters, folding);
 * FILE_FULL_EA_INFORMATION chains (good, NextEntryOffset past the
 * buffer or inside its entry, a name not NUL terminated, a bad flag, a
 * bad name, a value cut short), FILE_GET_EA_INFORMATION lists, entries encoded; and the
 * fuzz target on random and mutated input.
 */
#include <string.h>

#include "fuzz.h"
#include "smb2.h"
#include "smb2_ea.h"
#include "status.h"
#include "tap.h"

/* A context element at p (name of nlen bytes); its padded length. */
static size_t
ctx_put(uint8_t *p, const void *name, size_t nlen, const uint8_t *data,
    size_t dlen, int last)
{
	size_t doff = (16 + nlen + 7) & ~(size_t)7;
	size_t len = (doff + dlen + 7) & ~(size_t)7;

	memset(p, 0, len);
	smb2_put32(p, last ? 0 : (uint32_t)len);
	smb2_put16(p + 4, 16);
	smb2_put16(p + 6, (uint16_t)nlen);
	smb2_put16(p + 10, dlen ? (uint16_t)doff : 0);
	smb2_put32(p + 12, (uint32_t)dlen);
	memcpy(p + 16, name, nlen);
	if (dlen)
		memcpy(p + doff, data, dlen);
	return len;
}

static void
test_chain(void)
{
	static const uint8_t guid[16] = { 0x45, 0xbc, 0xa6, 0x6a, 0xef, 0xa7,
	    0xf7, 0x4a, 0x90, 0x08, 0xfa, 0x46, 0x2e, 0x14, 0x4d, 0x74 };
	uint8_t c[256], d[20];
	const uint8_t *data;
	size_t n, m, dl;

	memset(d, 7, sizeof(d));
	n = ctx_put(c, "MxAc", 4, NULL, 0, 0);
	n += ctx_put(c + n, guid, 16, d, 20, 0);
	m = n;
	n += ctx_put(c + n, "AlSi", 4, d, 8, 1);
	tap_ok(smb2_ctx_chain_check(c, n) == 0, "a list of three: good");
	tap_ok(smb2_ctx_get(c, n, (const uint8_t *)"AlSi", 4, &data, &dl) ==
	    1 && dl == 8 && data == c + m + 24, "AlSi found, its 8 bytes");
	tap_ok(smb2_ctx_get(c, n, guid, 16, &data, &dl) == 1 && dl == 20,
	    "a GUID-named context found");
	tap_ok(smb2_ctx_get(c, n, (const uint8_t *)"QFid", 4, &data, &dl) ==
	    0, "QFid: none");
	tap_ok(smb2_ctx_chain_check(c, n - 1) == -1,
	    "the last element cut short: malformed");
	smb2_put32(c, (uint32_t)n + 8);
	tap_ok(smb2_ctx_chain_check(c, n) == -1, "Next past the end: "
	    "malformed");
	smb2_put32(c, 28);
	tap_ok(smb2_ctx_chain_check(c, n) == -1, "Next not a multiple of 8: "
	    "malformed");
	n = ctx_put(c, "xyz", 3, NULL, 0, 1);
	tap_ok(smb2_ctx_chain_check(c, n) == -1, "a name of 3 bytes: "
	    "malformed");
	n = ctx_put(c, "AlSi", 4, d, 8, 1);
	smb2_put16(c + 10, 16);
	tap_ok(smb2_ctx_chain_check(c, n) == -1, "data overlapping the "
	    "name: malformed");
	n = ctx_put(c, "AlSi", 4, d, 8, 1);
	smb2_put16(c + 10, 20);
	tap_ok(smb2_ctx_chain_check(c, n) == -1, "data not 8-byte aligned: "
	    "malformed");
	n = ctx_put(c, "QFid", 4, NULL, 0, 0);
	n += ctx_put(c + n, "QFid", 4, NULL, 0, 1);
	tap_ok(smb2_ctx_chain_check(c, n) == 0 && smb2_ctx_get(c, n,
	    (const uint8_t *)"QFid", 4, &data, &dl) == 2,
	    "QFid twice: found twice");
}

/* One FILE_FULL_EA_INFORMATION entry at p; its 4-aligned length. */
static size_t
ea_put(uint8_t *p, const char *name, const char *value, int last)
{
	size_t n = smb2_ea_encode(name, strlen(name), (const uint8_t *)value,
	    strlen(value), 0, p, 512);
	size_t len = (n + 3) & ~(size_t)3;

	memset(p + n, 0, len - n);
	if (!last)
		smb2_put32(p, (uint32_t)len);
	return last ? n : len;
}

static void
test_eas(void)
{
	uint8_t b[512];
	char name[SMB2_EA_NAME_MAX + 1];
	struct smb2_ea ea;
	size_t n, off;
	uint32_t st;

	tap_ok(smb2_ea_name((const uint8_t *)"user.Colour-1", 13, name) == 0 &&
	    strcmp(name, "USER.COLOUR-1") == 0, "an EA name folded to upper "
	    "case");
	tap_ok(smb2_ea_name((const uint8_t *)"a*b", 3, name) == -1 &&
	    smb2_ea_name((const uint8_t *)"a:b", 3, name) == -1 &&
	    smb2_ea_name((const uint8_t *)"a\tb", 3, name) == -1 &&
	    smb2_ea_name((const uint8_t *)"", 0, name) == -1,
	    "names with '*', ':', a tab, or empty: refused");

	n = ea_put(b, "one", "1", 0);
	n += ea_put(b + n, "Two", "22", 1);
	off = 0;
	tap_ok(smb2_ea_next(b, n, &off, &ea, &st) == 1 &&
	    strcmp(ea.name, "ONE") == 0 && ea.valuelen == 1 &&
	    smb2_ea_next(b, n, &off, &ea, &st) == 1 &&
	    strcmp(ea.name, "TWO") == 0 && ea.valuelen == 2 &&
	    memcmp(ea.value, "22", 2) == 0 &&
	    smb2_ea_next(b, n, &off, &ea, &st) == 0,
	    "a chain of two EAs, then its end");
	smb2_put32(b, 64);
	off = 0;
	tap_ok(smb2_ea_next(b, n, &off, &ea, &st) == -1 &&
	    st == STATUS_INVALID_PARAMETER, "NextEntryOffset past the "
	    "buffer: INVALID_PARAMETER");
	smb2_put32(b, 6);
	off = 0;
	tap_ok(smb2_ea_next(b, n, &off, &ea, &st) == -1 &&
	    st == STATUS_INVALID_PARAMETER, "NextEntryOffset inside its own "
	    "entry: INVALID_PARAMETER");
	n = ea_put(b, "one", "1", 1);
	b[8 + 3] = 'x';
	off = 0;
	tap_ok(smb2_ea_next(b, n, &off, &ea, &st) == -1 &&
	    st == STATUS_INVALID_PARAMETER, "a name not NUL terminated: "
	    "INVALID_PARAMETER");
	n = ea_put(b, "one", "1", 1);
	b[4] = 0x01;
	off = 0;
	tap_ok(smb2_ea_next(b, n, &off, &ea, &st) == -1 &&
	    st == STATUS_INVALID_EA_NAME, "a flag other than FILE_NEED_EA: "
	    "INVALID_EA_NAME");
	n = ea_put(b, "o?e", "1", 1);
	off = 0;
	tap_ok(smb2_ea_next(b, n, &off, &ea, &st) == -1 &&
	    st == STATUS_INVALID_EA_NAME, "a name with '?': INVALID_EA_NAME");
	n = ea_put(b, "one", "1", 1);
	off = 0;
	tap_ok(smb2_ea_next(b, n - 1, &off, &ea, &st) == -1,
	    "the value cut short: refused");

	/* FILE_GET_EA_INFORMATION: Next, length, name, NUL. */
	memset(b, 0, sizeof(b));
	smb2_put32(b, 12);
	b[4] = 3;
	memcpy(b + 5, "abc", 4);
	b[12 + 4] = 2;
	memcpy(b + 12 + 5, "xy", 3);
	off = 0;
	tap_ok(smb2_ea_get_next(b, 20, &off, &ea, &st) == 1 &&
	    strcmp(ea.name, "ABC") == 0 &&
	    smb2_ea_get_next(b, 20, &off, &ea, &st) == 1 &&
	    strcmp(ea.name, "XY") == 0 &&
	    smb2_ea_get_next(b, 20, &off, &ea, &st) == 0,
	    "an EA list of two names");
	tap_ok(smb2_ea_full_size(3, 1) == 16 && smb2_ea_full_size(4, 300) ==
	    316, "entry sizes, 4-byte aligned");
	tap_ok(smb2_ea_encode("A", 1, NULL, 0, 0, b, 9) == 0 &&
	    smb2_ea_encode("A", 1, NULL, 0, 0, b, 10) == 10,
	    "an entry encoded only where it fits");
}

static uint32_t rnd_state = 0xea5eed;

static void
test_fuzz(void)
{
	uint8_t seed[256], buf[256];
	size_t n, len, j;
	int i;

	n = ea_put(seed, "one", "1", 0);
	n += ea_put(seed + n, "Two", "22", 1);
	for (i = 0; i < 20000; i++) {
		len = fuzz_next(&rnd_state) % sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)fuzz_next(&rnd_state);
		fuzz_smb2_ea_one(buf, len);
	}
	for (i = 0; i < 20000; i++) {
		memcpy(buf, seed, n);
		len = n;
		for (j = fuzz_next(&rnd_state) % 4 + 1; j > 0; j--)
			buf[fuzz_next(&rnd_state) % n] =
			    (uint8_t)fuzz_next(&rnd_state);
		if (fuzz_next(&rnd_state) % 4 == 0)
			len = fuzz_next(&rnd_state) % (n + 1);
		fuzz_smb2_ea_one(buf, len);
	}
	tap_ok(1, "fuzz_smb2_ea_one survived 40000 random and mutated inputs");
}

int
main(void)
{
	test_chain();
	test_eas();
	test_fuzz();
	return tap_done();
}
