/*
 * Fuzz targets of the wire decoders.  Each target is one function over
 * (data, size); built with -DFUZZ_LIBFUZZER it becomes
 * LLVMFuzzerTestOneInput for clang's libFuzzer (tests/fuzz/build.sh),
 * and tests/unit/test_nfs_fuzz.c (RPC, NFSv3, MOUNT),
 * tests/unit/test_nlm_fuzz.c (NLM, NSM), tests/unit/test_nsm_fuzz.c
 * (statd's NSM procedures) and tests/unit/test_nfs4_xdr.c (NFSv4) drive
 * the same functions with random and mutated inputs in every
 * `make check`.
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
int	fuzz_smb2_one(const uint8_t *, size_t);
/* smbd's DCE/RPC, srvsvc and wkssvc (tests/unit/test_dcerpc.c). */
int	fuzz_dcerpc_one(const uint8_t *, size_t);
/* smbd's security descriptors (tests/unit/test_secdesc.c). */
int	fuzz_secdesc_one(const uint8_t *, size_t);
/* smbd's create contexts and EA chains (tests/unit/test_smb2_ea.c). */
int	fuzz_smb2_ea_one(const uint8_t *, size_t);
struct dcerpc_interface;
size_t	fuzz_dcerpc_bind(const struct dcerpc_interface *, uint8_t *out);
/* The key of a transform of this session id (fuzz_smb2.c). */
void	fuzz_smb2_transform_key(uint64_t session_id, uint8_t key[32]);
/* gssd's SPNEGO and NTLMSSP parsers (tests/unit/test_spnego.c). */
int	fuzz_spnego_one(const uint8_t *, size_t);
/* nfsd's RPCSEC_GSS credential and call path (test_rpcsec_gss.c). */
int	fuzz_rpcsec_gss_one(const uint8_t *, size_t);
/* ... and the replies to its own calls (NFSv4.0 callbacks). */
int	fuzz_rpcsec_gss_client_one(const uint8_t *, size_t);
/* nfsd's RFC 4121 token decoders (krb5_cfx.c; test_krb5_cfx.c). */
struct krb5_cfx;
int	fuzz_krb5_cfx_one(const uint8_t *, size_t);
int	fuzz_krb5_cfx_ends(uint8_t sel, struct krb5_cfx **ini,
	    struct krb5_cfx **acc);
/* statd's NSM procedures end to end (fuzz_nsm_proc.c). */
struct monitor;
int	fuzz_nsm_proc_one(const uint8_t *, size_t);
int	fuzz_nsm_proc_reply(void);
const struct monitor *fuzz_nsm_proc_list(void);
void	fuzz_nsm_proc_done(void);

/*
 * The unit tests' inputs: a seed (a selector byte, then a valid
 * encoding), xorshift32 for pseudo-random bytes, and a seed's mutation:
 * one to four bytes after the selector changed, one time in four a
 * truncation as well.
 */
struct fuzz_seed {
	uint8_t		buf[512];
	size_t		len;
};

static inline uint32_t
fuzz_next(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static inline size_t
fuzz_mutate(uint8_t *buf, const struct fuzz_seed *s, uint32_t *state)
{
	size_t len = s->len, j;

	for (j = 0; j < s->len; j++)
		buf[j] = s->buf[j];
	for (j = fuzz_next(state) % 4 + 1; j > 0 && s->len > 1; j--)
		buf[1 + fuzz_next(state) % (s->len - 1)] =
		    (uint8_t)fuzz_next(state);
	if (fuzz_next(state) % 4 == 0)
		len = fuzz_next(state) % (s->len + 1);
	return len;
}

#endif
