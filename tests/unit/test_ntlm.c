/*
 * gssd's NTLMSSP acceptor against MS-NLMP 4.2.4's published NTLMv2
 * values (NTOWFv2, NTProofStr, session base key, KEY_EXCH, SIGNKEY,
 * SEALKEY, the sealed message's signature), the CHALLENGE and
 * AUTHENTICATE of that section, RFC 1320's MD4 values, and a full
 * exchange with a MIC; and the refusals: a wrong password, NTLMv1, a
 * bad MIC, truncated and out-of-bounds messages.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "tap.h"
#include "ntcrypto.h"
#include "ntlm.h"
#include "clients/gss-check.h"

static size_t
hex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned int v;

	while (*s != '\0') {
		while (*s == ' ' || *s == '\n')
			s++;
		if (*s == '\0' || sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static int
same(const uint8_t *a, const char *hexs)
{
	uint8_t b[512];
	size_t n = hex(hexs, b);

	return memcmp(a, b, n) == 0;
}

/* MS-NLMP 4.2.1: User "User", Passwd "Password". */
static int
lookup_user(void *arg, const char *user, uint8_t hash[16], uint32_t *uid,
    uint32_t *gid)
{
	(void)arg;
	if (strcmp(user, "User") != 0 && strcasecmp(user, "alice") != 0)
		return -1;
	ntcrypto_nt_hash(strcmp(user, "User") == 0 ? "Password" : "s3cret",
	    hash);
	*uid = 1234;
	*gid = 567;
	return 0;
}

static const char spec_challenge[] =
    "4e 54 4c 4d 53 53 50 00 02 00 00 00 0c 00 0c 00"
    "38 00 00 00 33 82 8a e2 01 23 45 67 89 ab cd ef"
    "00 00 00 00 00 00 00 00 24 00 24 00 44 00 00 00"
    "06 00 70 17 00 00 00 0f 53 00 65 00 72 00 76 00"
    "65 00 72 00 02 00 0c 00 44 00 6f 00 6d 00 61 00"
    "69 00 6e 00 01 00 0c 00 53 00 65 00 72 00 76 00"
    "65 00 72 00 00 00 00 00";
static const char spec_authenticate[] =
    "4e 54 4c 4d 53 53 50 00 03 00 00 00 18 00 18 00"
    "6c 00 00 00 54 00 54 00 84 00 00 00 0c 00 0c 00"
    "48 00 00 00 08 00 08 00 54 00 00 00 10 00 10 00"
    "5c 00 00 00 10 00 10 00 d8 00 00 00 35 82 88 e2"
    "05 01 28 0a 00 00 00 0f 44 00 6f 00 6d 00 61 00"
    "69 00 6e 00 55 00 73 00 65 00 72 00 43 00 4f 00"
    "4d 00 50 00 55 00 54 00 45 00 52 00 86 c3 50 97"
    "ac 9c ec 10 25 54 76 4a 57 cc cc 19 aa aa aa aa"
    "aa aa aa aa 68 cd 0a b8 51 e5 1c 96 aa bc 92 7b"
    "eb ef 6a 1c 01 01 00 00 00 00 00 00 00 00 00 00"
    "00 00 00 00 aa aa aa aa aa aa aa aa 00 00 00 00"
    "02 00 0c 00 44 00 6f 00 6d 00 61 00 69 00 6e 00"
    "01 00 0c 00 53 00 65 00 72 00 76 00 65 00 72 00"
    "00 00 00 00 00 00 00 00 c5 da d2 54 4f c9 79 90"
    "94 ce 1c e9 0b c9 d0 3e";

static void
test_primitives(void)
{
	uint8_t out[16], hash[16];
	struct ntcrypto_rc4 rc4;
	uint8_t ks[16];
	static const struct { const char *in, *md4; } md4[] = {
		{ "", "31d6cfe0d16ae931b73c59d7e0c089c0" },
		{ "abc", "a448017aaf21d8525fc10ae87aa6729d" },
		{ "message digest", "d9130a8164549fe818874806e1c7014b" },
		{ "12345678901234567890123456789012345678901234567890123456789"
		  "012345678901234567890", "e33b4ddc9c38f2199c3e7b164fcc0536" },
	};
	size_t i;

	for (i = 0; i < sizeof(md4) / sizeof(md4[0]); i++) {
		ntcrypto_md4((const uint8_t *)md4[i].in, strlen(md4[i].in),
		    out);
		tap_ok(same(out, md4[i].md4), "MD4(\"%.14s\") (RFC 1320 A.5)",
		    md4[i].in);
	}
	/* RFC 6229: key 0102030405, keystream bytes 0-15. */
	memset(ks, 0, sizeof(ks));
	ntcrypto_rc4_init(&rc4, (const uint8_t *)"\x01\x02\x03\x04\x05", 5);
	ntcrypto_rc4(&rc4, ks, 16);
	tap_ok(same(ks, "b2396305f03dc027ccc3524a0a1118a8"),
	    "RC4 keystream (RFC 6229, 40-bit key)");
	/* RFC 2104's HMAC-MD5 vector 2. */
	ntcrypto_hmac_md5((const uint8_t *)"Jefe", 4,
	    (const uint8_t *)"what do ya want ", 16,
	    (const uint8_t *)"for nothing?", 12, NULL, 0, out);
	tap_ok(same(out, "750c783e6ab0b503eaa86e310a5db738"),
	    "HMAC-MD5 (RFC 2104), over two parts");
	tap_ok(ntcrypto_nt_hash("Password", hash) == 0 &&
	    same(hash, "a4f49c406510bdcab6824ee7c30fd852"),
	    "NT hash of \"Password\" (MS-NLMP 4.2.2.1.2)");
	ntlm_ntowfv2(hash, "User", "Domain", out);
	tap_ok(same(out, "0c868a403bfd7a93a3001ef22ef02e3f"),
	    "NTOWFv2 (MS-NLMP 4.2.4.1.1)");
	ntlm_ntowfv2(hash, "user", "Domain", ks);
	tap_ok(memcmp(out, ks, 16) == 0, "NTOWFv2 upper-cases the user");
	ntlm_ntowfv2(hash, "User", "DOMAIN", ks);
	tap_ok(memcmp(out, ks, 16) != 0, "... but not the domain");
}

/* MS-NLMP 4.2.4.3's AUTHENTICATE into an acceptor in its state. */
static void
test_spec_exchange(void)
{
	uint8_t neg[32], chal[256], auth[512], *out = NULL, key[16], sig[16];
	uint8_t plain[32], sealkey[16];
	static const uint8_t server_chal[8] = { 0x01, 0x23, 0x45, 0x67, 0x89,
	    0xab, 0xcd, 0xef };
	struct ntlm_conf nc = { "Server", "Domain", "", "", server_chal, 1 };
	struct ntlm_server s;
	struct ntcrypto_rc4 rc4;
	size_t clen, alen, outlen, plen;

	clen = hex(spec_challenge, chal);
	alen = hex(spec_authenticate, auth);
	tap_ok(clen == 0x68 && alen == 0xe8, "MS-NLMP 4.2.4.3 messages");
	ntlm_server_init(&s);
	gssc_negotiate(neg, 0xe2888235u);
	tap_ok(ntlm_server_negotiate(&s, &nc, neg, 32, &out, &outlen) ==
	    NTLM_CONTINUE && outlen > 56 && memcmp(out + 24, server_chal,
	    8) == 0, "NEGOTIATE -> CHALLENGE with the server challenge");
	free(out);
	/* The section's CHALLENGE flags (its CHALLENGE has no timestamp). */
	s.flags = 0xe28a8233u;
	tap_ok(ntlm_server_authenticate(&s, auth, alen, lookup_user, NULL) ==
	    NTLM_COMPLETE, "the section's AUTHENTICATE verifies (NTProofStr "
	    "68cd0ab8...)");
	tap_ok(s.have_key && !s.anonymous && strcmp(s.user, "User") == 0 &&
	    strcmp(s.domain, "Domain") == 0 && s.uid == 1234 && s.gid == 567,
	    "identity User\\Domain, uid and gid from the lookup");
	memset(key, 0x55, 16);
	tap_ok(memcmp(s.session_key, key, 16) == 0,
	    "KEY_EXCH: exported key = RandomSessionKey 55..55 (4.2.4.2.3)");
	ntlm_sign_key(s.session_key, 1, sig);
	tap_ok(same(sig, "4788dc861b4782f35d43fd98fe1a2d39"),
	    "SIGNKEY client-to-server (4.2.4.4)");
	ntlm_seal_key(s.session_key, s.auth_flags, 1, sealkey);
	tap_ok(same(sealkey, "59f600973cc4960a25480a7c196e4c58"),
	    "SEALKEY client-to-server (4.2.4.4)");
	/* 4.2.4.4: "Plaintext" sealed, then its signature. */
	plen = hex("50006c00610069006e007400650078007400", plain);
	ntcrypto_rc4_init(&rc4, sealkey, 16);
	memcpy(chal, plain, plen);
	ntcrypto_rc4(&rc4, chal, plen);
	tap_ok(same(chal, "54e50165bf1936dc996020c1811b0f06fb5f"),
	    "sealed message (4.2.4.4)");
	ntlm_mac(sig, &rc4, s.auth_flags, 0, plain, plen, key);
	tap_ok(same(key, "010000007fb38ec5c55d497600000000"),
	    "message signature (4.2.4.4)");
	ntlm_server_clear(&s);

	/* The same message against the wrong password. */
	ntlm_server_init(&s);
	gssc_negotiate(neg, 0xe2888235u);
	ntlm_server_negotiate(&s, &nc, neg, 32, &out, &outlen);
	free(out);
	s.flags = 0xe28a8233u;
	auth[0x84 + 3] ^= 1;		/* NTProofStr */
	tap_ok(ntlm_server_authenticate(&s, auth, alen, lookup_user, NULL) ==
	    NTLM_DENIED && !s.have_key, "a changed NTProofStr: DENIED");
	ntlm_server_clear(&s);
}

/* A full exchange with gss-check.h's client; result and key out. */
static const uint8_t *exchange_hash;	/* a hash instead of a password */
static uint32_t exchange_flags = GSSC_FLAGS;	/* the NEGOTIATE's */

static enum ntlm_result
exchange(const char *user, const char *password, int mic, int v1,
    size_t cut, int flip_mic, uint8_t key[16], struct ntlm_server *s)
{
	struct ntlm_conf nc = { "DITTO", "WORKGROUP", "ditto", "workgroup",
	    NULL, 0 };
	struct gssc_auth a;
	uint8_t neg[32], *chal = NULL, *auth;
	size_t clen, alen;
	enum ntlm_result r;

	memset(&a, 0, sizeof(a));
	a.user = user;
	a.domain = "WORKGROUP";
	a.password = password;
	a.nt_hash = exchange_hash;
	a.mic = mic;
	a.v1 = v1;
	memset(a.random_key, 0x77, 16);
	ntlm_server_init(s);
	gssc_negotiate(neg, exchange_flags);
	if (ntlm_server_negotiate(s, &nc, neg, 32, &chal, &clen) !=
	    NTLM_CONTINUE)
		return NTLM_ERROR;
	auth = gssc_authenticate(&a, neg, 32, chal, clen, &alen);
	free(chal);
	if (auth == NULL)
		return NTLM_ERROR;
	if (flip_mic)
		auth[72] ^= 0x80;
	r = ntlm_server_authenticate(s, auth, cut ? cut : alen, lookup_user,
	    NULL);
	memcpy(key, a.exported, 16);
	free(auth);
	return r;
}

static void
test_exchanges(void)
{
	struct ntlm_server s;
	uint8_t key[16];
	enum ntlm_result r;

	r = exchange("alice", "s3cret", 1, 0, 0, 0, key, &s);
	tap_ok(r == NTLM_COMPLETE && s.have_key && s.mic &&
	    memcmp(s.session_key, key, 16) == 0 && s.uid == 1234,
	    "NTLMv2 with MIC and KEY_EXCH: COMPLETE, the client's key");
	tap_ok(ntlm_server_authenticate(&s, (const uint8_t *)"NTLMSSP\0\3", 12,
	    lookup_user, NULL) == NTLM_BAD_TOKEN && s.have_key,
	    "a second AUTHENTICATE on a finished acceptor: BAD_TOKEN");
	ntlm_server_clear(&s);
	exchange_flags = GSSC_FLAGS & ~NTLM_NEG_KEY_EXCH;
	r = exchange("alice", "s3cret", 1, 0, 0, 0, key, &s);
	exchange_flags = GSSC_FLAGS;
	tap_ok(r == NTLM_COMPLETE && !(s.auth_flags & NTLM_NEG_KEY_EXCH) &&
	    memcmp(s.session_key, key, 16) == 0 && key[0] != 0x77,
	    "without KEY_EXCH: the session base key is the exported key");
	ntlm_server_clear(&s);
	r = exchange("ALICE", "s3cret", 0, 0, 0, 0, key, &s);
	tap_ok(r == NTLM_COMPLETE, "user names in any case");
	ntlm_server_clear(&s);
	r = exchange("alice", "wrong", 1, 0, 0, 0, key, &s);
	tap_ok(r == NTLM_DENIED && !s.have_key, "wrong password: DENIED");
	ntlm_server_clear(&s);
	r = exchange("alice", "s3cret", 1, 0, 0, 1, key, &s);
	tap_ok(r == NTLM_DENIED && !s.have_key, "a changed MIC: DENIED");
	ntlm_server_clear(&s);
	r = exchange("alice", "s3cret", 0, 1, 0, 0, key, &s);
	tap_ok(r == NTLM_DENIED, "a 24-byte NTLMv1 response: DENIED");
	ntlm_server_clear(&s);
	r = exchange("mallory", "x", 1, 0, 0, 0, key, &s);
	tap_ok(r == NTLM_NO_USER && strcmp(s.user, "mallory") == 0,
	    "an unknown user: NO_USER, with the name");
	ntlm_server_clear(&s);
	{
		static const uint8_t zero[16];

		/* What gssd hashes in for an unknown user, to even out time. */
		exchange_hash = zero;
		r = exchange("mallory", "x", 1, 0, 0, 0, key, &s);
		exchange_hash = NULL;
		tap_ok(r == NTLM_NO_USER && !s.have_key,
		    "an unknown user answering for a zero hash: NO_USER");
		ntlm_server_clear(&s);
	}
	r = exchange("alice", "s3cret", 1, 0, 40, 0, key, &s);
	tap_ok(r == NTLM_BAD_TOKEN, "AUTHENTICATE cut to 40 bytes: BAD_TOKEN");
	ntlm_server_clear(&s);
	r = exchange("alice", "s3cret", 1, 0, 100, 0, key, &s);
	tap_ok(r == NTLM_BAD_TOKEN, "AUTHENTICATE cut inside its payload: "
	    "BAD_TOKEN");
	ntlm_server_clear(&s);
}

static void
test_malformed(void)
{
	struct ntlm_conf nc = { "DITTO", "WORKGROUP", "ditto", "workgroup",
	    NULL, 0 };
	struct ntlm_server s;
	uint8_t neg[32], *out = NULL, auth[96];
	size_t outlen;

	ntlm_server_init(&s);
	gssc_negotiate(neg, GSSC_FLAGS);
	neg[8] = 3;
	tap_ok(ntlm_server_negotiate(&s, &nc, neg, 32, &out, &outlen) ==
	    NTLM_BAD_TOKEN, "an AUTHENTICATE where NEGOTIATE belongs");
	tap_ok(ntlm_server_negotiate(&s, &nc, neg, 10, &out, &outlen) ==
	    NTLM_BAD_TOKEN, "a 10-byte NEGOTIATE");
	neg[8] = 1;
	tap_ok(ntlm_server_authenticate(&s, neg, 32, lookup_user, NULL) ==
	    NTLM_BAD_TOKEN, "AUTHENTICATE before NEGOTIATE");
	ntlm_server_negotiate(&s, &nc, neg, 32, &out, &outlen);
	free(out);
	/* A user name field pointing past the end. */
	memset(auth, 0, sizeof(auth));
	memcpy(auth, "NTLMSSP", 8);
	auth[8] = 3;
	auth[36] = 0x10;
	auth[40] = 0x58;
	tap_ok(ntlm_server_authenticate(&s, auth, sizeof(auth), lookup_user,
	    NULL) == NTLM_BAD_TOKEN, "a field past the message: BAD_TOKEN");
	ntlm_server_clear(&s);
	/* Anonymous: no user, no NT response, LM Z(1). */
	ntlm_server_init(&s);
	ntlm_server_negotiate(&s, &nc, neg, 32, &out, &outlen);
	free(out);
	memset(auth, 0, sizeof(auth));
	memcpy(auth, "NTLMSSP", 8);
	auth[8] = 3;
	auth[12] = auth[14] = 1;
	auth[16] = 88;
	tap_ok(ntlm_server_authenticate(&s, auth, 89, lookup_user, NULL) ==
	    NTLM_COMPLETE && s.anonymous && !s.have_key,
	    "anonymous: COMPLETE, no session key");
	ntlm_server_clear(&s);
}

int
main(void)
{
	if (ntcrypto_init() == -1)
		return 1;
	test_primitives();
	test_spec_exchange();
	test_exchanges();
	test_malformed();
	return tap_done();
}
