/*
 * Fuzz target: the stored ACL encoding (common/acl.c), which blockd
 * decodes from its database and from BD_ACL_SET.
 */
#include <string.h>

#include "fuzz.h"
#include "common/acl.h"

int
fuzz_acl_one(const uint8_t *data, size_t size)
{
	static struct acl acl, out;
	static uint8_t buf[ACL_ENCODED_MAX];
	const struct acl_cred c = { 1000, 1000, NULL, 0 };
	size_t len;

	if (acl_decode(data, size, &acl) != 0)
		return 0;
	/* What the store then relies on: bounded, and a faithful round trip. */
	if (acl.count > ACL_ACES_MAX ||
	    acl_encode(&acl, buf, sizeof(buf), &len) != 0 || len != size ||
	    memcmp(buf, data, size) != 0)
		__builtin_trap();
	(void)acl_access(&acl, 1000, 1000, 0, &c, ACL_MASK_ALL);
	if (acl_to_mode(&acl, 1) & ~0777u)
		__builtin_trap();
	if (acl_chmod(&acl, 0640, 1, &out) == 0 && out.count > ACL_ACES_MAX)
		__builtin_trap();
	if (acl_inherit(&acl, 0, &out) > acl.count)
		__builtin_trap();
	return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_acl_one(data, size);
}
#endif
