/*
 * Fuzz target: smbd's security descriptor parser (smbd/secdesc.c), fed
 * by SET_INFO's security class and CREATE's SecD context.
 */
#include <string.h>

#include "fuzz.h"
#include "common/acl.h"
#include "secdesc.h"

int
fuzz_secdesc_one(const uint8_t *data, size_t size)
{
	static struct secdesc sd, again;
	static uint8_t buf[SECDESC_BUILD_MAX], enc[ACL_ENCODED_MAX];
	static struct acl decoded;
	const uint32_t all = SECDESC_OWNER | SECDESC_GROUP | SECDESC_DACL;
	const struct acl_sid *s1, *s2;
	size_t len, n, i, k;

	if (secdesc_parse(data, size, &sd) != 0)
		return 0;
	/* What smbd relies on: an ACL blockd accepts, and a stable build. */
	if (sd.dacl.count > ACL_ACES_MAX)
		__builtin_trap();
	if ((sd.present & SECDESC_DACL) &&
	    (acl_encode(&sd.dacl, enc, sizeof(enc), &n) != 0 ||
	    acl_decode(enc, n, &decoded) != 0))
		__builtin_trap();
	len = secdesc_build(&sd, all, buf, sizeof(buf));
	if (len == 0 || len > sizeof(buf) ||
	    secdesc_parse(buf, len, &again) != 0 ||
	    again.present != sd.present || again.uid != sd.uid ||
	    again.gid != sd.gid || again.dacl.nsids > ACL_SIDS_MAX)
		__builtin_trap();
	/* A SID kept in the table is built back as it came. */
	for (i = 0, k = 0; i < sd.dacl.count; i++) {
		if (sd.dacl.ace[i].who == ACL_WHO_SID &&
		    (k >= again.dacl.count ||
		    again.dacl.ace[k].who != ACL_WHO_SID ||
		    (s1 = acl_ace_sid(&sd.dacl, &sd.dacl.ace[i])) == NULL ||
		    (s2 = acl_ace_sid(&again.dacl, &again.dacl.ace[k])) ==
		    NULL || !acl_sid_equal(s1, s2)))
			__builtin_trap();
		k++;
	}
	return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_secdesc_one(data, size);
}
#endif
