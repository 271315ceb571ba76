/*
 * Fuzz target: RPC call header, credentials and verifier, and the reply
 * header a callback client reads (common/rpcmsg.c).
 */
#include <string.h>

#include "fuzz.h"
#include "rpcmsg.h"

int
fuzz_rpcmsg_one(const uint8_t *data, size_t size)
{
	struct rpcmsg_call call;
	struct rpc_cred cred;
	enum rpcmsg_verdict v;
	uint32_t xid, stat;
	size_t off;

	v = rpcmsg_decode_call(data, size, &call);
	if (v == RPCMSG_OK) {
		/* What a procedure may then rely on. */
		if (call.args_off > size || call.cred.ngroups >
		    RPC_AUTH_UNIX_GIDS_MAX || strlen(call.cred.machine) >
		    RPC_AUTH_UNIX_NAME_MAX)
			__builtin_trap();
	}
	if (rpcmsg_decode_auth_unix(data, size, &cred) == 0 &&
	    cred.ngroups > RPC_AUTH_UNIX_GIDS_MAX)
		__builtin_trap();
	if (rpcmsg_decode_reply(data, size, &xid, &stat, &off) == 0 &&
	    off > size)
		__builtin_trap();
	return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_rpcmsg_one(data, size);
}
#endif
