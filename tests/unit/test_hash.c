/*
 * common/hash.h: FNV-1a 32 and 64 gives the published values (nfsd's
 * reply cache checksums live in stated across an nfsd restart, statd's
 * state slots carry the 64-bit one on disk: they must not change), and
 * hashing in pieces equals hashing the whole.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "tap.h"

/* The loops the daemons had before they shared hash.h. */
static uint32_t
old_fnv32(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

static uint64_t
old_fnv64(const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

int
main(void)
{
	uint8_t buf[300];
	size_t i, cut, differ = 0, split = 0;

	/* Published FNV-1a test vectors. */
	tap_ok(hash_fnv1a32("", 0) == 0x811c9dc5u &&
	    hash_fnv1a32("a", 1) == 0xe40c292cu &&
	    hash_fnv1a32("foobar", 6) == 0xbf9cf968u,
	    "FNV-1a 32: \"\", \"a\", \"foobar\" give the published values");
	tap_ok(hash_fnv1a64("", 0) == 0xcbf29ce484222325ull &&
	    hash_fnv1a64("a", 1) == 0xaf63dc4c8601ec8cull &&
	    hash_fnv1a64("foobar", 6) == 0x85944171f73967e8ull,
	    "FNV-1a 64: \"\", \"a\", \"foobar\" give the published values");
	tap_ok(hash_fnv1a32_add(HASH_FNV1A32_INIT, "foobar", 6) ==
	    hash_fnv1a32("foobar", 6) &&
	    hash_fnv1a64_add(HASH_FNV1A64_INIT, "foobar", 6) ==
	    hash_fnv1a64("foobar", 6), "_add from the INIT value is the hash");

	srandom(22);
	for (i = 0; i < 2000; i++) {
		size_t len = (size_t)random() % sizeof(buf), j;

		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)random();
		if (hash_fnv1a32(buf, len) != old_fnv32(buf, len) ||
		    hash_fnv1a64(buf, len) != old_fnv64(buf, len))
			differ++;
		cut = len ? (size_t)random() % (len + 1) : 0;
		if (hash_fnv1a32_add(hash_fnv1a32(buf, cut), buf + cut,
		    len - cut) != hash_fnv1a32(buf, len) ||
		    hash_fnv1a64_add(hash_fnv1a64(buf, cut), buf + cut,
		    len - cut) != hash_fnv1a64(buf, len))
			split++;
	}
	TAP_EQ_INT((int)differ, 0, "2000 random buffers hash as the daemons' "
	    "own loops did");
	TAP_EQ_INT((int)split, 0, "hashing in two pieces equals hashing the "
	    "whole");
	tap_ok(hash_fnv1a32("ab", 2) != hash_fnv1a32("ba", 2) &&
	    hash_fnv1a64("ab", 2) != hash_fnv1a64("ba", 2),
	    "order matters");
	return tap_done();
}
