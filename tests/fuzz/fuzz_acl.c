/*
 * Fuzz target: the stored ACL encoding (common/acl.c), which blockd
 * decodes from its database and from BD_ACL_SET, in its three versions
 * (the second with a table of Windows SIDs, the third with the ACL's
 * flags).
 */
#include <string.h>

#include "fuzz.h"
#include "common/acl.h"

int
fuzz_acl_one(const uint8_t *data, size_t size)
{
	static struct acl acl, out, back;
	static uint8_t buf[ACL_ENCODED_MAX];
	static const uint32_t groups[] = { 545, 0 };
	const struct acl_cred c = { 1000, 1000, NULL, 0 };
	const struct acl_cred g = { 1001, 100, groups, 2 };
	const struct acl_cred anon = { ACL_UID_ANONYMOUS, 65534, NULL, 0 };
	char str[ACL_SID_STRING_MAX + 1];
	struct acl_sid sid;
	size_t len, i, n;
	int inh;

	if (acl_decode(data, size, &acl) != 0)
		return 0;
	/* What the store then relies on: bounded, and a faithful round trip. */
	if (acl.count > ACL_ACES_MAX ||
	    acl_encode(&acl, buf, sizeof(buf), &len) != 0 || len != size ||
	    memcmp(buf, data, size) != 0)
		__builtin_trap();
	if (acl.nsids > ACL_SIDS_MAX)
		__builtin_trap();
	for (i = 0; i < acl.count; i++)
		if (acl.ace[i].who == ACL_WHO_SID &&
		    acl_ace_sid(&acl, &acl.ace[i]) == NULL)
			__builtin_trap();
	/* Each SID's string form reads back as the same SID. */
	for (i = 0; i < acl.nsids; i++) {
		n = acl_sid_format(&acl.sid[i], str, sizeof(str));
		if (n > ACL_SID_STRING_MAX ||
		    acl_sid_parse(str, n, &sid) != 0 ||
		    !acl_sid_equal(&sid, &acl.sid[i]))
			__builtin_trap();
	}
	(void)acl_access(&acl, 1000, 1000, 0, &c, ACL_MASK_ALL);
	(void)acl_access(&acl, 1000, 1000, 1, &g, ACL_MASK_ALL);
	(void)acl_access(&acl, 1000, 1000, 0, &anon, ACL_MASK_ALL);
	if (acl_to_mode(&acl, 1) & ~0777u)
		__builtin_trap();
	/* What chmod and inheritance make is stored again: it encodes. */
	if (acl_chmod(&acl, 0640, 1, &out) == 0 && (out.count > ACL_ACES_MAX ||
	    acl_encode(&out, buf, sizeof(buf), &len) != 0 ||
	    acl_decode(buf, len, &back) != 0))
		__builtin_trap();
	if ((inh = acl_inherit(&acl, 1, 1000, 1000, &out)) >= 0 &&
	    ((size_t)inh > acl.count || out.count > ACL_ACES_MAX ||
	    acl_encode(&out, buf, sizeof(buf), &len) != 0 ||
	    acl_decode(buf, len, &back) != 0))
		__builtin_trap();
	if (acl_inherit(&acl, 0, 1000, 1000, &out) < 0)
		__builtin_trap();	/* a file's is never larger */
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
