/*
 * FNV-1a (Fowler, Noll, Vo), 32 and 64 bits: the suite's one unkeyed
 * hash, for hash tables whose collisions cost only a compare and for
 * checksums that catch damage, not an adversary.  A table keyed by what
 * a client chooses and walked on every request wants a keyed hash
 * instead (stated's lock table uses SipHash).
 *
 * hash_fnv1a32(p, n) hashes one buffer; hash_fnv1a32_add(h, p, n)
 * continues a hash over the next one, starting from HASH_FNV1A32_INIT,
 * so hashing a then b equals hashing their concatenation.  The values
 * are the published FNV-1a ones and stay as they are: nfsd's reply
 * cache keys live in stated across an nfsd restart, and statd's state
 * slots carry them on disk.
 */
#ifndef DITTOFS_HASH_H
#define DITTOFS_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV1A32_INIT	2166136261u
#define HASH_FNV1A32_PRIME	16777619u
#define HASH_FNV1A64_INIT	14695981039346656037ull
#define HASH_FNV1A64_PRIME	1099511628211ull

static inline uint32_t
hash_fnv1a32_add(uint32_t h, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * HASH_FNV1A32_PRIME;
	return h;
}

static inline uint32_t
hash_fnv1a32(const void *data, size_t len)
{
	return hash_fnv1a32_add(HASH_FNV1A32_INIT, data, len);
}

static inline uint64_t
hash_fnv1a64_add(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * HASH_FNV1A64_PRIME;
	return h;
}

static inline uint64_t
hash_fnv1a64(const void *data, size_t len)
{
	return hash_fnv1a64_add(HASH_FNV1A64_INIT, data, len);
}

#endif
