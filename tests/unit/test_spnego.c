/*
 * gssd/spnego.c: NegTokenInit (with GSS framing), NegTokenInit2 and
 * NegTokenResp round trips, a NegTokenInit as Windows sends it, and
 * malformed DER refused (lengths past the end, indefinite and over-long
 * lengths, trailing bytes, wrong tags, too many mechanisms); a bare
 * Kerberos token's framing, and framings that go wrong; then the fuzz
 * target over random and mutated tokens.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "fuzz.h"
#include "spnego.h"

/* A client's NegTokenInit: Kerberos (MS and RFC) then NTLMSSP, and a
 * 4-byte mechToken, as Windows frames it. */
static const uint8_t windows_init[] = {
	0x60, 0x3a, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02,
	0xa0, 0x30, 0x30, 0x2e,
	0xa0, 0x24, 0x30, 0x22,
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02,
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
	0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02,
	0x0a,
	0xa2, 0x06, 0x04, 0x04, 'N', 'T', 'L', 'M',
};

static void
test_round_trips(void)
{
	enum spnego_mech mechs[3] = { SPNEGO_MECH_MS_KRB5, SPNEGO_MECH_KRB5,
	    SPNEGO_MECH_NTLMSSP };
	struct spnego_token t;
	uint8_t *out, *mt, big[70000];
	size_t len, mtlen;

	tap_ok(spnego_decode(windows_init, sizeof(windows_init), &t) == 0 &&
	    t.kind == SPNEGO_INIT && t.nmechs == 3 &&
	    t.mechs[0] == SPNEGO_MECH_MS_KRB5 &&
	    t.mechs[2] == SPNEGO_MECH_NTLMSSP && t.mech_token.len == 4 &&
	    memcmp(t.mech_token.p, "NTLM", 4) == 0,
	    "a Windows-shaped NegTokenInit decodes");
	tap_ok(t.mech_types.p == windows_init + 16 && t.mech_types.len == 36,
	    "mechTypes: the DER MechTypeList, tag and length included");
	tap_ok(spnego_encode_init(mechs, 3, (const uint8_t *)"NTLM", 4, NULL,
	    &out, &len) == 0 && len == sizeof(windows_init) &&
	    memcmp(out, windows_init, len) == 0,
	    "encode_init gives the same bytes");
	free(out);
	tap_ok(spnego_encode_mech_types(mechs, 3, &mt, &mtlen) == 0 &&
	    mtlen == 36 && memcmp(mt, windows_init + 16, 36) == 0,
	    "encode_mech_types: what a mechListMIC covers");
	free(mt);
	tap_ok(spnego_encode_init(mechs + 2, 1, NULL, 0,
	    "not_defined_in_RFC4178@please_ignore", &out, &len) == 0 &&
	    spnego_decode(out, len, &t) == 0 && t.kind == SPNEGO_INIT &&
	    t.nmechs == 1 && t.mechs[0] == SPNEGO_MECH_NTLMSSP &&
	    t.mech_token.p == NULL && t.mech_list_mic.p == NULL,
	    "NegTokenInit2 with negHints round trip");
	free(out);
	tap_ok(spnego_encode_resp(SPNEGO_ACCEPT_INCOMPLETE,
	    SPNEGO_MECH_NTLMSSP, (const uint8_t *)"CHALLENGE", 9, NULL, 0,
	    &out, &len) == 0 && spnego_decode(out, len, &t) == 0 &&
	    t.kind == SPNEGO_RESP && t.neg_state == SPNEGO_ACCEPT_INCOMPLETE &&
	    t.supported_mech == SPNEGO_MECH_NTLMSSP &&
	    t.response_token.len == 9 && t.mech_list_mic.p == NULL,
	    "NegTokenResp round trip (state, mech, token)");
	free(out);
	tap_ok(spnego_encode_resp(-1, -1, (const uint8_t *)"AUTH", 4,
	    (const uint8_t *)"0123456789abcdef", 16, &out, &len) == 0 &&
	    spnego_decode(out, len, &t) == 0 && t.neg_state == -1 &&
	    t.supported_mech == -1 && t.mech_list_mic.len == 16 &&
	    memcmp(t.mech_list_mic.p, "0123456789abcdef", 16) == 0,
	    "NegTokenResp with only a token and a mechListMIC");
	free(out);
	memset(big, 0xab, sizeof(big));
	tap_ok(spnego_encode_resp(SPNEGO_ACCEPT_COMPLETED, -1, big,
	    sizeof(big), NULL, 0, &out, &len) == 0 &&
	    spnego_decode(out, len, &t) == 0 &&
	    t.response_token.len == sizeof(big) &&
	    t.neg_state == SPNEGO_ACCEPT_COMPLETED,
	    "a 70000-byte token: three-byte lengths");
	free(out);
}

static void
test_malformed(void)
{
	struct spnego_token t;
	uint8_t buf[sizeof(windows_init) + 1];
	uint8_t many[256];
	size_t i, n;

	for (i = 0; i < sizeof(windows_init); i++)
		if (spnego_decode(windows_init, i, &t) == 0)
			break;
	tap_ok(i == sizeof(windows_init), "every truncation refused");
	memcpy(buf, windows_init, sizeof(windows_init));
	buf[sizeof(windows_init)] = 0;
	tap_ok(spnego_decode(buf, sizeof(buf), &t) == -1,
	    "a trailing byte refused");
	memcpy(buf, windows_init, sizeof(windows_init));
	buf[1] = 0x80;
	tap_ok(spnego_decode(buf, sizeof(windows_init), &t) == -1,
	    "an indefinite length refused");
	buf[1] = 0x85;
	tap_ok(spnego_decode(buf, sizeof(windows_init), &t) == -1,
	    "a five-byte length refused");
	memcpy(buf, windows_init, sizeof(windows_init));
	buf[15] = 0x7f;		/* mechTypes' [0] longer than its SEQUENCE */
	tap_ok(spnego_decode(buf, sizeof(windows_init), &t) == -1,
	    "an inner length past its parent refused");
	memcpy(buf, windows_init, sizeof(windows_init));
	buf[5] = 0x07;		/* thisMech not SPNEGO's OID */
	tap_ok(spnego_decode(buf, sizeof(windows_init), &t) == -1,
	    "another thisMech refused");
	memcpy(buf, windows_init, sizeof(windows_init));
	buf[10] = 0xa5;		/* NegotiationToken [5] */
	tap_ok(spnego_decode(buf, sizeof(windows_init), &t) == -1,
	    "an unknown NegotiationToken choice refused");
	memcpy(buf, windows_init, sizeof(windows_init));
	buf[0] = 0x7f;		/* a high tag number */
	tap_ok(spnego_decode(buf, sizeof(windows_init), &t) == -1,
	    "a multi-byte tag refused");
	/* 17 mechanisms: one over SPNEGO_MECHS_MAX. */
	n = 0;
	many[n++] = 0xa0;
	many[n++] = 0x81;
	many[n++] = 0;
	many[n++] = 0x30;
	many[n++] = 0x81;
	many[n++] = 0;
	many[n++] = 0x30;
	many[n++] = 0x81;
	many[n++] = 17 * 3;
	for (i = 0; i < 17; i++) {
		many[n++] = 0x06;
		many[n++] = 1;
		many[n++] = 0x2a;
	}
	many[5] = (uint8_t)(n - 6);
	many[2] = (uint8_t)(n - 3);
	tap_ok(spnego_decode(many, n, &t) == -1, "17 mechanisms refused");
	/* An empty mechTypes. */
	{
		static const uint8_t empty[] = { 0xa0, 0x06, 0x30, 0x04, 0xa0,
		    0x02, 0x30, 0x00 };
		tap_ok(spnego_decode(empty, sizeof(empty), &t) == -1,
		    "an empty mechTypes refused");
	}
	/* NegTokenResp fields out of order. */
	{
		static const uint8_t order[] = { 0xa1, 0x0c, 0x30, 0x0a, 0xa2,
		    0x03, 0x04, 0x01, 'x', 0xa0, 0x03, 0x0a, 0x01, 0x00 };
		tap_ok(spnego_decode(order, sizeof(order), &t) == -1,
		    "NegTokenResp fields out of order refused");
	}
	tap_ok(spnego_decode(NULL, 0, &t) == -1, "an empty token refused");
}

/* RFC 4178 3.2: the first of the client's mechanisms gssd takes. */
static void
test_choose(void)
{
	enum spnego_mech m[3] = { SPNEGO_MECH_NEGOEX, SPNEGO_MECH_KRB5,
	    SPNEGO_MECH_NTLMSSP };
	struct spnego_token t;
	uint8_t *out;
	size_t len;

	tap_ok(spnego_decode(windows_init, sizeof(windows_init), &t) == 0 &&
	    spnego_choose(&t, 1) == 0 && spnego_choose(&t, 0) == 2,
	    "Windows' list: MS Kerberos (first) with a keytab, else NTLMSSP");
	tap_ok(spnego_encode_init(m, 3, NULL, 0, NULL, &out, &len) == 0 &&
	    spnego_decode(out, len, &t) == 0 && spnego_choose(&t, 1) == 1 &&
	    spnego_choose(&t, 0) == 2,
	    "NEGOEX, Kerberos, NTLMSSP: Kerberos (second), else NTLMSSP");
	free(out);
	tap_ok(spnego_encode_init(m, 2, NULL, 0, NULL, &out, &len) == 0 &&
	    spnego_decode(out, len, &t) == 0 && spnego_choose(&t, 1) == 1 &&
	    spnego_choose(&t, 0) == -1,
	    "NEGOEX, Kerberos: Kerberos, or nothing without a keytab");
	free(out);
	tap_ok(spnego_encode_init(m, 1, NULL, 0, NULL, &out, &len) == 0 &&
	    spnego_decode(out, len, &t) == 0 && spnego_choose(&t, 1) == -1,
	    "NEGOEX alone: nothing");
	free(out);
	tap_ok(spnego_encode_init(m + 2, 1, NULL, 0, NULL, &out, &len) == 0 &&
	    spnego_decode(out, len, &t) == 0 && spnego_choose(&t, 1) == 0,
	    "NTLMSSP alone: NTLMSSP");
	free(out);
}

/*
 * A bare Kerberos token's framing (RFC 2743 3.1, RFC 4121 4.1) around
 * an AP-REQ of RFC 4120 5.5.1's shape: pvno 5, msg-type 14,
 * ap-options (mutual-required), a Ticket and an authenticator
 * with nothing Kerberos could use in them.
 */
static const uint8_t krb5_token[] = {
	0x60, 0x30,
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
	0x01, 0x00,
	0x6e, 0x21, 0x30, 0x1f,
	0xa0, 0x03, 0x02, 0x01, 0x05,
	0xa1, 0x03, 0x02, 0x01, 0x0e,
	0xa2, 0x07, 0x03, 0x05, 0x00, 0x20, 0x00, 0x00, 0x00,
	0xa3, 0x04, 0x61, 0x02, 0x30, 0x00,
	0xa4, 0x04, 0x30, 0x02, 0x05, 0x00,
};

static void
test_krb5_token(void)
{
	struct spnego_bytes ap;
	enum spnego_mech mech = SPNEGO_MECH_OTHER;
	uint8_t buf[64];
	size_t i;

	tap_ok(spnego_krb5_token(krb5_token, sizeof(krb5_token), &mech,
	    &ap) == 1 && mech == SPNEGO_MECH_KRB5 &&
	    ap.p == krb5_token + 15 && ap.len == 35,
	    "a krb5 InitialContextToken: its AP-REQ found");
	memcpy(buf, krb5_token, sizeof(krb5_token));
	buf[7] = 0x82;
	tap_ok(spnego_krb5_token(buf, sizeof(krb5_token), &mech, &ap) == 1 &&
	    mech == SPNEGO_MECH_MS_KRB5, "... under Microsoft's OID too");
	for (i = 0; i < sizeof(krb5_token); i++)
		if (spnego_krb5_token(krb5_token, i, &mech, &ap) == 1)
			break;
	tap_ok(i == sizeof(krb5_token), "no truncation is taken");
	memcpy(buf, krb5_token, sizeof(krb5_token));
	buf[13] = 0x02;
	tap_ok(spnego_krb5_token(buf, sizeof(krb5_token), &mech, &ap) == -1,
	    "an AP-REP's TOK_ID: malformed");
	memcpy(buf, krb5_token, sizeof(krb5_token));
	buf[15] = 0x30;
	tap_ok(spnego_krb5_token(buf, sizeof(krb5_token), &mech, &ap) == -1,
	    "no [APPLICATION 14] after TOK_ID: malformed");
	memcpy(buf, krb5_token, sizeof(krb5_token));
	buf[23] = 4;
	tap_ok(spnego_krb5_token(buf, sizeof(krb5_token), &mech, &ap) == -1,
	    "pvno 4: malformed");
	memcpy(buf, krb5_token, sizeof(krb5_token));
	buf[28] = 15;
	tap_ok(spnego_krb5_token(buf, sizeof(krb5_token), &mech, &ap) == -1,
	    "msg-type 15 (an AP-REP's): malformed");
	memcpy(buf, krb5_token, sizeof(krb5_token));
	buf[1] -= 6;
	buf[16] -= 6;
	buf[18] -= 6;
	tap_ok(spnego_krb5_token(buf, sizeof(krb5_token) - 6, &mech,
	    &ap) == -1, "no authenticator: malformed");
	memcpy(buf, krb5_token, sizeof(krb5_token));
	buf[1]++;
	buf[sizeof(krb5_token)] = 0;
	tap_ok(spnego_krb5_token(buf, sizeof(krb5_token) + 1, &mech,
	    &ap) == -1, "a byte after the AP-REQ: malformed");
	memcpy(buf, krb5_token, 13);
	buf[1] = 0x0b;
	tap_ok(spnego_krb5_token(buf, 13, &mech, &ap) == -1,
	    "the OID alone: malformed");
	tap_ok(spnego_krb5_token(windows_init, sizeof(windows_init), &mech,
	    &ap) == 0, "a SPNEGO token names no Kerberos OID");
	tap_ok(spnego_krb5_token((const uint8_t *)"NTLMSSP", 8, &mech,
	    &ap) == 0 && ap.p == NULL, "nor does NTLMSSP");
}

static void
test_fuzz(void)
{
	uint8_t buf[600];
	struct fuzz_seed seed;
	uint32_t st = 0x5eed5eed;
	uint8_t *out;
	size_t i, j, len, olen;

	for (i = 0; i < 3000; i++) {
		len = fuzz_next(&st) % sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)fuzz_next(&st);
		fuzz_spnego_one(buf, len);
	}
	seed.buf[0] = 0;
	memcpy(seed.buf + 1, windows_init, sizeof(windows_init));
	seed.len = 1 + sizeof(windows_init);
	for (i = 0; i < 5000; i++) {
		len = fuzz_mutate(buf, &seed, &st);
		fuzz_spnego_one(buf, len);
	}
	/* A client's second Kerberos leg: supportedMech, token, MIC. */
	if (spnego_encode_resp(SPNEGO_ACCEPT_INCOMPLETE, SPNEGO_MECH_KRB5,
	    (const uint8_t *)"AP-REQ", 6, (const uint8_t *)"0123456789abcdef",
	    16, &out, &olen) == 0 && olen < sizeof(seed.buf)) {
		seed.buf[0] = 0;
		memcpy(seed.buf + 1, out, olen);
		seed.len = 1 + olen;
		for (i = 0; i < 3000; i++) {
			len = fuzz_mutate(buf, &seed, &st);
			fuzz_spnego_one(buf, len);
		}
		free(out);
	}
	seed.buf[0] = 3;
	memcpy(seed.buf + 1, krb5_token, sizeof(krb5_token));
	seed.len = 1 + sizeof(krb5_token);
	for (i = 0; i < 3000; i++) {
		len = fuzz_mutate(buf, &seed, &st);
		fuzz_spnego_one(buf, len);
	}
	tap_ok(1, "14000 random and mutated tokens through the fuzz target");
}

int
main(void)
{
	test_round_trips();
	test_malformed();
	test_choose();
	test_krb5_token();
	test_fuzz();
	return tap_done();
}
