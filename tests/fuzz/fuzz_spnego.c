/*
 * Fuzz target: the tokens dittofs-gssd parses before any password is
 * involved: SPNEGO (gssd/spnego.c) and the NTLMSSP acceptor's NEGOTIATE
 * and AUTHENTICATE (gssd/ntlm.c).  The first byte picks the path.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ntlm.h"
#include "spnego.h"

static int
fuzz_spnego_lookup(void *arg, const char *user, uint8_t hash[16],
    uint32_t *uid, uint32_t *gid)
{
	(void)arg;
	if (strcmp(user, "nobody") == 0)
		return -1;
	memset(hash, 0x42, 16);
	*uid = *gid = 1000;
	return 0;
}

int
fuzz_spnego_one(const uint8_t *data, size_t size)
{
	static const uint8_t neg[32] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0,
	    1, 0, 0, 0, 0x35, 0x82, 0x08, 0xe2 };
	static const uint8_t fixed[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ntlm_conf nc = { "SERVER", "DOMAIN", "server", "domain",
	    fixed, 1 };
	struct spnego_token t;
	struct ntlm_server s;
	uint8_t *out = NULL;
	size_t outlen;

	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		if (spnego_decode(data + 1, size - 1, &t) == 0) {
			/* Every piece lies within the input. */
			if (t.nmechs > SPNEGO_MECHS_MAX ||
			    (t.mech_token.p != NULL && (t.mech_token.p <
			    data + 1 || t.mech_token.p + t.mech_token.len >
			    data + size)) ||
			    (t.response_token.p != NULL &&
			    t.response_token.p + t.response_token.len >
			    data + size) ||
			    (t.mech_list_mic.p != NULL &&
			    t.mech_list_mic.p + t.mech_list_mic.len >
			    data + size))
				__builtin_trap();
		}
		break;
	case 1:
		ntlm_server_init(&s);
		if (ntlm_server_negotiate(&s, &nc, data + 1, size - 1, &out,
		    &outlen) == NTLM_CONTINUE && outlen < 56)
			__builtin_trap();
		free(out);
		ntlm_server_clear(&s);
		break;
	case 2:
		ntlm_server_init(&s);
		if (ntlm_server_negotiate(&s, &nc, neg, sizeof(neg), &out,
		    &outlen) != NTLM_CONTINUE)
			__builtin_trap();
		free(out);
		/* Random bytes never verify: no key may come out. */
		if (ntlm_server_authenticate(&s, data + 1, size - 1,
		    fuzz_spnego_lookup, NULL) == NTLM_COMPLETE && s.have_key)
			__builtin_trap();
		ntlm_server_clear(&s);
		break;
	}
	return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_spnego_one(data, size);
}
#endif
