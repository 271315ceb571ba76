/*
 * Fuzz target: the tokens dittofs-gssd parses before any password is
 * involved: SPNEGO (gssd/spnego.c), the framing of a bare Kerberos
 * token (RFC 4121 4.1, checked before libkrb5 sees it) and the NTLMSSP
 * acceptor's NEGOTIATE and AUTHENTICATE (gssd/ntlm.c).  The first byte
 * picks the path.  A
 * SPNEGO token that decodes also goes through the mechanism choice
 * (RFC 4178 3.2, with and without Kerberos) and, a NegTokenResp, through
 * the writer and back (what the Kerberos steps send).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ntlm.h"
#include "spnego.h"

static int
fuzz_spnego_takes(enum spnego_mech m, int krb5)
{
	return m == SPNEGO_MECH_NTLMSSP || (krb5 &&
	    (m == SPNEGO_MECH_KRB5 || m == SPNEGO_MECH_MS_KRB5));
}

/* spnego_choose: the first mechanism taken, or none taken at all. */
static void
fuzz_spnego_choose(const struct spnego_token *t, int krb5)
{
	int c = spnego_choose(t, krb5), i;

	if (c < -1 || c >= (int)t->nmechs)
		__builtin_trap();
	for (i = 0; i < (c == -1 ? (int)t->nmechs : c); i++)
		if (fuzz_spnego_takes(t->mechs[i], krb5))
			__builtin_trap();
	if (c >= 0 && !fuzz_spnego_takes(t->mechs[c], krb5))
		__builtin_trap();
}

static int
fuzz_spnego_same(const struct spnego_bytes *a, const struct spnego_bytes *b)
{
	if (a->p == NULL || b->p == NULL)
		return a->p == NULL && b->p == NULL;
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* A NegTokenResp written back from its fields decodes to the same. */
static void
fuzz_spnego_resp_again(const struct spnego_token *t)
{
	struct spnego_token u;
	uint8_t *out;
	size_t outlen;

	if (t->supported_mech == SPNEGO_MECH_OTHER)
		return;		/* an OID the writer has no name for */
	if (spnego_encode_resp(t->neg_state, t->supported_mech,
	    t->response_token.p, t->response_token.len, t->mech_list_mic.p,
	    t->mech_list_mic.len, &out, &outlen) == -1)
		return;
	if (spnego_decode(out, outlen, &u) == -1 || u.kind != SPNEGO_RESP ||
	    u.neg_state != t->neg_state ||
	    u.supported_mech != t->supported_mech ||
	    !fuzz_spnego_same(&u.response_token, &t->response_token) ||
	    !fuzz_spnego_same(&u.mech_list_mic, &t->mech_list_mic))
		__builtin_trap();
	free(out);
}

/*
 * spnego_krb5_token: an AP-REQ it finds is an [APPLICATION 14] that
 * ends the input, under a Kerberos OID; such a token is no SPNEGO
 * token (gssd tries it first).
 */
static void
fuzz_spnego_krb5(const uint8_t *data, size_t size)
{
	struct spnego_bytes ap_req;
	struct spnego_token t;
	enum spnego_mech mech = SPNEGO_MECH_OTHER;
	int r = spnego_krb5_token(data, size, &mech, &ap_req);

	if (r < -1 || r > 1 || (r != 1 && ap_req.p != NULL))
		__builtin_trap();
	if (r != 1)
		return;
	if ((mech != SPNEGO_MECH_KRB5 && mech != SPNEGO_MECH_MS_KRB5) ||
	    ap_req.p == NULL || ap_req.len < 2 || ap_req.p < data + 15 ||
	    ap_req.p + ap_req.len != data + size || ap_req.p[0] != 0x6e ||
	    ap_req.p[-2] != 0x01 || ap_req.p[-1] != 0x00 ||
	    spnego_decode(data, size, &t) == 0)
		__builtin_trap();
}

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
	switch (data[0] % 4) {
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
			if (t.kind == SPNEGO_INIT) {
				fuzz_spnego_choose(&t, 0);
				fuzz_spnego_choose(&t, 1);
			} else
				fuzz_spnego_resp_again(&t);
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
	case 3:
		fuzz_spnego_krb5(data + 1, size - 1);
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
