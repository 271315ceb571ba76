/*
 * Fuzz target: NFSv3 argument decoders (nfsd/v3/xdr.c) and the MOUNT
 * path argument.  The first byte picks the procedure; every pointer a
 * decoder returns must lie inside the input.
 */
#include <string.h>

#include "fuzz.h"
#include "v3/nfs3.h"

static void
fuzz_inside(const uint8_t *base, size_t size, const uint8_t *p, size_t len)
{
	if (p == NULL && len == 0)
		return;
	if (p < base || p > base + size || len > (size_t)(base + size - p))
		__builtin_trap();
}

int
fuzz_nfs3_one(const uint8_t *data, size_t size)
{
	struct nfs3_args a;
	struct xdrbuf_in x;
	const uint8_t *path;
	uint32_t proc, len;

	if (size < 1)
		return 0;
	proc = data[0] % (NFS3_NPROC + 2);
	xdrbuf_in_init(&x, data + 1, size - 1);
	if (nfs3_xdr_decode_args(proc, &x, &a) == 0) {
		if (x.pos > x.len || a.fhlen > NFS3_FHSIZE ||
		    a.where.fhlen > NFS3_FHSIZE || a.to.fhlen > NFS3_FHSIZE ||
		    a.datalen > NFS3_MAXDATA)
			__builtin_trap();
		fuzz_inside(data, size, a.fh, a.fhlen);
		fuzz_inside(data, size, a.where.name, a.where.namelen);
		fuzz_inside(data, size, a.to.name, a.to.namelen);
		fuzz_inside(data, size, a.data, a.datalen);
		fuzz_inside(data, size, a.target, a.targetlen);
	}
	xdrbuf_in_init(&x, data, size);
	if (xdrbuf_get_opaque(&x, &path, &len, MNT_PATH_MAX) == 0)
		fuzz_inside(data, size, path, len);
	return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_nfs3_one(data, size);
}
#endif
