/*
 * Fuzz targets of the wire decoders.  Each target is one function over
 * (data, size); built with -DFUZZ_LIBFUZZER it becomes
 * LLVMFuzzerTestOneInput for clang's libFuzzer (tests/fuzz/build.sh),
 * and tests/unit/test_nfs_fuzz.c (RPC, NFSv3, MOUNT) and
 * tests/unit/test_nlm_fuzz.c (NLM, NSM) and tests/unit/test_nsm_fuzz.c
 * (statd's NSM procedures) drive the same functions with
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
/* statd's NSM procedures end to end (fuzz_nsm_proc.c). */
struct monitor;
int	fuzz_nsm_proc_one(const uint8_t *, size_t);
int	fuzz_nsm_proc_reply(void);
const struct monitor *fuzz_nsm_proc_list(void);
void	fuzz_nsm_proc_done(void);

#endif
