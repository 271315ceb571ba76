/*
 * Fuzz target: a CREATE's context list (smb2_ctx_chain_check, then
 * every lookup in it) and the EA chains of ExtA, SET_INFO and
 * QUERY_INFO's EA list (smbd/smb2_ea.c): whatever is accepted stays
 * inside the buffer and encodes again.
 */
#include <string.h>

#include "fuzz.h"
#include "smb2.h"
#include "smb2_ea.h"

int
fuzz_smb2_ea_one(const uint8_t *data, size_t size)
{
	static uint8_t out[SMB2_EA_FULL_HDR + SMB2_EA_NAME_MAX + 1 +
	    SMB2_EA_VALUE_MAX];
	struct smb2_ea ea;
	const uint8_t *d;
	size_t off = 0, dl, n;
	uint32_t st;
	int rc;

	if (smb2_ctx_chain_check(data, size) == 0) {
		rc = smb2_ctx_get(data, size, (const uint8_t *)"ExtA", 4, &d,
		    &dl);
		if (rc == 1 && dl != 0 && (d < data || d + dl > data + size))
			__builtin_trap();
	}
	while ((rc = smb2_ea_next(data, size, &off, &ea, &st)) == 1) {
		if (ea.value < data || ea.value + ea.valuelen > data + size ||
		    ea.namelen == 0 || strlen(ea.name) != ea.namelen)
			__builtin_trap();
		n = smb2_ea_encode(ea.name, ea.namelen, ea.value, ea.valuelen,
		    ea.flags, out, sizeof(out));
		if (n == 0 || smb2_get16(out + 6) != ea.valuelen)
			__builtin_trap();
	}
	if (rc == -1 && st == 0)
		__builtin_trap();
	off = 0;
	while (smb2_ea_get_next(data, size, &off, &ea, &st) == 1)
		if (off > size)
			__builtin_trap();
	return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_smb2_ea_one(data, size);
}
#endif
