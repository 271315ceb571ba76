/*
 * Fuzz target: NLM v1, v3 and v4 arguments (nlm_decode_request in
 * lockd/nlm.c) and the nlm_res lockd reads back from a client's answer
 * to its GRANTED call.  The first byte picks the version and the
 * procedure; what a decoded request holds must respect the protocol's
 * bounds, which the rest of lockd relies on.
 */
#include <string.h>

#include "fuzz.h"
#include "lockd.h"

static const uint32_t fuzz_nlm_versions[] = { NLM_VERS, NLM_VERSX,
    NLM4_VERS, 2, 5 };

int
fuzz_nlm_one(const uint8_t *data, size_t size)
{
	struct nlm_req r;
	nlm_res res;
	uint32_t vers, proc;
	XDR xdrs;
	int rc;

	if (size < 1)
		return 0;
	vers = fuzz_nlm_versions[(data[0] >> 5) % 5];
	proc = data[0] & 0x1f;		/* 0..31: every procedure, and more */
	rc = nlm_decode_request(vers, proc, data + 1, size - 1, &r);
	if (rc != 0 && rc != -1 && rc != -2)
		__builtin_trap();
	if (rc == 0) {
		if (r.cookie.nlm_netobj_len > MAXNETOBJ_SZ ||
		    r.fh.nlm_netobj_len > MAXNETOBJ_SZ ||
		    r.oh.nlm_netobj_len > MAXNETOBJ_SZ ||
		    (r.caller_name != NULL &&
		    strlen(r.caller_name) > LM_MAXNAMELEN))
			__builtin_trap();
		/* v1 and v3 ranges are 32-bit on the wire. */
		if (vers != NLM4_VERS && (r.offset > UINT32_MAX ||
		    r.length > UINT32_MAX))
			__builtin_trap();
		if ((r.proc == NLMPROC_SHARE || r.proc == NLMPROC_UNSHARE) &&
		    (r.share_access > 3 || r.share_deny > 3))
			__builtin_trap();
		nlm_req_free(&r);
	}
	memset(&res, 0, sizeof(res));
	xdrmem_create(&xdrs, (char *)data, (u_int)size, XDR_DECODE);
	if (xdr_nlm_res(&xdrs, &res) &&
	    res.cookie.nlm_netobj_len > MAXNETOBJ_SZ)
		__builtin_trap();
	xdr_destroy(&xdrs);
	xdr_free((xdrproc_t)xdr_nlm_res, &res);
	return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_nlm_one(data, size);
}
#endif
