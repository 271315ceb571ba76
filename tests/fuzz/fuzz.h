/*
 * Fuzz targets of the wire decoders.  Each target is one function over
 * (data, size); built with -DFUZZ_LIBFUZZER it becomes
 * LLVMFuzzerTestOneInput for clang's libFuzzer (tests/fuzz/build.sh),
 * and tests/unit/test_nfs_fuzz.c (RPC, NFSv3, MOUNT) and
 * tests/unit/test_nlm_fuzz.c (NLM, NSM) drive the same functions with
 * random and mutated inputs in every `make check`.
 */
#ifndef DITTOFS_FUZZ_H
#define DITTOFS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	fuzz_rpcmsg_one(const uint8_t *, size_t);
int	fuzz_nfs3_one(const uint8_t *, size_t);
int	fuzz_acl_one(const uint8_t *, size_t);
int	fuzz_nlm_one(const uint8_t *, size_t);
int	fuzz_nsm_one(const uint8_t *, size_t);
int	fuzz_nfs4_one(const uint8_t *, size_t);

/*
 * Xorshift32 (Marsaglia): the drivers' reproducible random bytes.  The
 * state must start non-zero.
 */
static inline uint32_t
fuzz_xorshift32(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

#endif
