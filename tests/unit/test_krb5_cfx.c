/*
 * common/krb5_cfx.c: the known answers of RFC 3961 A.1 (n-fold), RFC
 * 3962 B (AES CBC-CTS) and RFC 8009 A (the SHA-2 enctypes' derived keys,
 * encryptions and checksums); then RFC 4121 tokens between an initiator
 * and an acceptor of each enctype, with and without an acceptor subkey:
 * sealed Wrap tokens of many lengths both ways, MIC tokens, a rotated
 * token (RRC), a token with EC filler bytes, and tokens refused when a
 * byte is changed, when they are cut, or when they come back to their
 * sender.  MIT's side of the same checks is tests/integration/
 * test_krb5_cfx.sh (bench/gsswrap_bench -c against a real KDC).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "krb5_cfx.h"
#include "tap.h"
#include "xdrbuf.h"

static size_t
unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	while (s[0] != '\0' && s[1] != '\0' && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static int
same_hex(const uint8_t *p, size_t len, const char *want)
{
	uint8_t w[512];
	size_t n = unhex(want, w);

	return n == len && memcmp(p, w, n) == 0;
}

static void
test_nfold(void)
{
	static const struct {
		const char	*in;
		size_t		 bits;
		const char	*out;
	} v[] = {
		{ "012345", 64, "be072631276b1955" },
		{ "password", 56, "78a07b6caf85fa" },
		{ "Rough Consensus, and Running Code", 64,
		    "bb6ed30870b7f0e0" },
		{ "password", 168,
		    "59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e" },
		{ "MASSACHVSETTS INSTITVTE OF TECHNOLOGY", 192,
		    "db3b0d8f0b061e603282b308a50841229ad798fab9540c1b" },
		{ "kerberos", 64, "6b65726265726f73" },
		{ "kerberos", 128, "6b65726265726f737b9b5b2b93132b93" },
		{ "kerberos", 168,
		    "8372c236344e5f1550cd0747e15d62ca7a5a3bcea4" },
		{ "kerberos", 256, "6b65726265726f737b9b5b2b93132b93"
		    "5c9bdcdad95c9899c4cae4dee6d6cae4" },
	};
	uint8_t out[64];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		tap_ok(krb5_cfx_nfold((const uint8_t *)v[i].in,
		    strlen(v[i].in), out, v[i].bits / 8) == 0 &&
		    same_hex(out, v[i].bits / 8, v[i].out),
		    "RFC 3961 A.1: %zu-fold(\"%s\")", v[i].bits, v[i].in);
	}
}

static void
test_cts(void)
{
	static const char text[] =
	    "I would like the General Gau's Chicken, please, and wonton soup.";
	static const struct {
		size_t		 len;
		const char	*out;
	} v[] = {
		{ 17, "c6353568f2bf8cb4d8a580362da7ff7f97" },
		{ 31, "fc00783e0efdb2c1d445d4c8eff7ed22"
		    "97687268d6ecccc0c07b25e25ecfe5" },
		{ 32, "39312523a78662d5be7fcbcc98ebf5a8"
		    "97687268d6ecccc0c07b25e25ecfe584" },
		{ 47, "97687268d6ecccc0c07b25e25ecfe584"
		    "b3fffd940c16a18c1b5549d2f838029e"
		    "39312523a78662d5be7fcbcc98ebf5" },
		{ 48, "97687268d6ecccc0c07b25e25ecfe584"
		    "9dad8bbb96c4cdc03bc103e1a194bbd8"
		    "39312523a78662d5be7fcbcc98ebf5a8" },
		{ 64, "97687268d6ecccc0c07b25e25ecfe584"
		    "39312523a78662d5be7fcbcc98ebf5a8"
		    "4807efe836ee89a526730dbc2f7bc840"
		    "9dad8bbb96c4cdc03bc103e1a194bbd8" },
	};
	const uint8_t *key = (const uint8_t *)"chicken teriyaki";
	uint8_t c[64], p[64];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		tap_ok(krb5_cfx_cts(1, key, 16, (const uint8_t *)text,
		    v[i].len, c) == 0 && same_hex(c, v[i].len, v[i].out),
		    "RFC 3962 B: CTS encryption of %zu bytes", v[i].len);
		tap_ok(krb5_cfx_cts(0, key, 16, c, v[i].len, p) == 0 &&
		    memcmp(p, text, v[i].len) == 0,
		    "RFC 3962 B: CTS decryption of %zu bytes", v[i].len);
	}
}

static const char base128[] = "3705D96080C17728A0E800EAB6E0D23C";
static const char base256[] =
    "6D404D37FAF79F9DF0D33568D320669800EB4836472EA8A026D16B7182460C52";

static void
test_rfc8009(void)
{
	static const struct {
		int32_t		 enctype;
		uint8_t		 kind;
		const char	*out;
	} keys[] = {
		{ 19, 0x99, "B31A018A48F54776F403E9A396325DC3" },
		{ 19, 0xAA, "9B197DD1E8C5609D6E67C3E37C62C72E" },
		{ 19, 0x55, "9FDA0E56AB2D85E1569A688696C26A6C" },
		{ 20, 0x99, "EF5718BE86CC84963D8BBB5031E9F5C4BA41F28FAF69E73D" },
		{ 20, 0xAA, "56AB22BEE63D82D7BC5227F6773F8EA7"
		    "A5EB1C825160C38312980C442E5C7E49" },
		{ 20, 0x55, "69B16514E3CD8E56B82010D5C73012B622C4D00FFC23ED1F" },
	};
	static const struct {
		int32_t		 enctype;
		const char	*plain;
		const char	*conf;
		const char	*out;
	} enc[] = {
		{ 19, "", "7E5895EAF2672435BAD817F545A37148",
		    "EF85FB890BB8472F4DAB20394DCA781DAD877EDA39D50C870C0D5A0A"
		    "8E48C718" },
		{ 19, "000102030405", "7BCA285E2FD4130FB55B1A5C83BC5B24",
		    "84D7F30754ED987BAB0BF3506BEB09CFB55402CEF7E6877CE99E247E"
		    "52D16ED4421DFDF8976C" },
		{ 19, "000102030405060708090A0B0C0D0E0F",
		    "56AB21713FF62C0A1457200F6FA9948F",
		    "3517D640F50DDC8AD3628722B3569D2AE07493FA8263254080EA65C1"
		    "008E8FC295FB4852E7D83E1E7C48C37EEBE6B0D3" },
		{ 19, "000102030405060708090A0B0C0D0E0F1011121314",
		    "A7A4E29A4728CE10664FB64E49AD3FAC",
		    "720F73B18D9859CD6CCB4346115CD336C70F58EDC0C4437C5573544C"
		    "31C813BCE1E6D072C186B39A413C2F92CA9B8334A287FFCBFC" },
		{ 20, "", "F764E9FA15C276478B2C7D0C4E5F58E4",
		    "41F53FA5BFE7026D91FAF9BE959195A058707273A96A40F0A0196062"
		    "1AC612748B9BBFBE7EB4CE3C" },
		{ 20, "000102030405", "B80D3251C1F6471494256FFE712D0B9A",
		    "4ED7B37C2BCAC8F74F23C1CF07E62BC7B75FB3F637B9F559C7F664F6"
		    "9EAB7B6092237526EA0D1F61CB20D69D10F2" },
		{ 20, "000102030405060708090A0B0C0D0E0F",
		    "53BF8A0D105265D4E276428624CE5E63",
		    "BC47FFEC7998EB91E8115CF8D19DAC4BBBE2E163E87DD37F49BECA92"
		    "027764F68CF51F14D798C2273F35DF574D1F932E40C4FF255B36A266" },
		{ 20, "000102030405060708090A0B0C0D0E0F1011121314",
		    "763E65367E864F02F55153C7E3B58AF1",
		    "40013E2DF58E8751957D2878BCD2D6FE101CCFD556CB1EAE79DB3C3E"
		    "E86429F2B2A602AC86FEF6ECB647D6295FAE077A1FEB517508D2C16B"
		    "4192E01F62" },
	};
	static const char msg[] = "000102030405060708090A0B0C0D0E0F1011121314";
	uint8_t base[32], out[128], plain[64], conf[16], m[32];
	size_t i, blen, plen, mlen, len;
	long n;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		blen = unhex(keys[i].enctype == 19 ? base128 : base256, base);
		tap_ok(krb5_cfx_derive(keys[i].enctype, base, blen, 2,
		    keys[i].kind, out, &len) == 0 &&
		    same_hex(out, len, keys[i].out),
		    "RFC 8009 A: enctype %d, key %#x of usage 2",
		    (int)keys[i].enctype, keys[i].kind);
	}
	for (i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		blen = unhex(enc[i].enctype == 19 ? base128 : base256, base);
		plen = unhex(enc[i].plain, plain);
		unhex(enc[i].conf, conf);
		n = krb5_cfx_encrypt_with(enc[i].enctype, base, blen, 2, conf,
		    plain, plen, out, sizeof(out));
		tap_ok(n > 0 && same_hex(out, (size_t)n, enc[i].out),
		    "RFC 8009 A: enctype %d, encryption of %zu bytes",
		    (int)enc[i].enctype, plen);
	}
	mlen = unhex(msg, m);
	blen = unhex(base128, base);
	n = krb5_cfx_checksum(19, base, blen, 2, m, mlen, out, sizeof(out));
	tap_ok(n > 0 && same_hex(out, (size_t)n,
	    "D78367186643D67B411CBA9139FC1DEE"),
	    "RFC 8009 A: enctype 19, checksum");
	blen = unhex(base256, base);
	n = krb5_cfx_checksum(20, base, blen, 2, m, mlen, out, sizeof(out));
	tap_ok(n > 0 && same_hex(out, (size_t)n,
	    "45EE791567EEFCA37F4AC1E0222DE80D43C3BFA06699672A"),
	    "RFC 8009 A: enctype 20, checksum");
	tap_ok(krb5_cfx_derive(21, base, 32, 2, 0x99, out, &len) == -1 &&
	    krb5_cfx_derive(18, base, 16, 2, 0x99, out, &len) == -1,
	    "an unknown enctype, a key of the wrong length: refused");
}

/* Sender's token fed to receiver; 0 when it gives back msg. */
static int
round_trip(struct krb5_cfx *from, struct krb5_cfx *to, const uint8_t *msg,
    size_t len, struct xdrbuf_out *tok, struct xdrbuf_out *plain)
{
	tok->len = 0;
	plain->len = 0;
	if (krb5_cfx_wrap(from, msg, len, tok) == -1 ||
	    krb5_cfx_unwrap(to, tok->buf, tok->len, plain) == -1)
		return -1;
	return plain->len == len && memcmp(plain->buf, msg, len) == 0 ? 0 : -1;
}

/* 0 when no change of one byte of tok (at a few places) passes. */
static int
tamper_refused(struct krb5_cfx *to, struct xdrbuf_out *tok,
    struct xdrbuf_out *plain)
{
	size_t at[5], i;
	int bad = 0;

	at[0] = 2;			/* flags */
	at[1] = 12;			/* SND_SEQ */
	at[2] = 16;			/* the confounder */
	at[3] = tok->len / 2;		/* the text */
	at[4] = tok->len - 1;		/* the checksum */
	for (i = 0; i < 5; i++) {
		tok->buf[at[i]] ^= 0x01;
		plain->len = 0;
		if (krb5_cfx_unwrap(to, tok->buf, tok->len, plain) == 0 ||
		    plain->len != 0)
			bad++;
		tok->buf[at[i]] ^= 0x01;
	}
	plain->len = 0;
	if (krb5_cfx_unwrap(to, tok->buf, tok->len - 1, plain) == 0)
		bad++;
	return bad == 0 ? 0 : -1;
}

static uint64_t
token_seq(const uint8_t *h)
{
	uint64_t v = 0;
	int i;

	for (i = 8; i < 16; i++)
		v = v << 8 | h[i];
	return v;
}

/* The SND_SEQ of one more token of x, or UINT64_MAX. */
static uint64_t
acc_seq(struct krb5_cfx *x, const uint8_t *msg, struct xdrbuf_out *tok)
{
	if (krb5_cfx_wrap(x, msg, 1, tok) == -1 || tok->len < 16)
		return UINT64_MAX;
	return token_seq(tok->buf);
}

static void
test_tokens(int32_t enctype, int subkey)
{
	static const size_t lens[] = { 0, 1, 4, 15, 16, 17, 31, 32, 33, 200,
	    4096, 4097, 32768, 65537 };
	struct krb5_cfx_key ck, sk;
	struct krb5_cfx *ini, *acc;
	struct xdrbuf_out tok, plain;
	uint8_t key[32], sub[32], *msg, mic[128], *rot;
	size_t i, keylen, miclen, rrc;
	uint64_t seq;
	int bad;

	keylen = enctype == 17 || enctype == 19 ? 16 : 32;
	for (i = 0; i < 32; i++) {
		key[i] = (uint8_t)(i * 7 + 1);
		sub[i] = (uint8_t)(i * 13 + 5);
	}
	ck.enctype = enctype;
	ck.data = key;
	ck.len = keylen;
	sk = ck;
	sk.data = sub;
	ini = krb5_cfx_new(1, 100, 0, &ck, subkey ? &sk : NULL);
	acc = krb5_cfx_new(0, 7, 0, &ck, subkey ? &sk : NULL);
	if (!tap_ok(ini != NULL && acc != NULL, "enctype %d%s: contexts",
	    (int)enctype, subkey ? " with an acceptor subkey" : "")) {
		krb5_cfx_free(ini);
		krb5_cfx_free(acc);
		return;
	}
	xdrbuf_out_init(&tok);
	xdrbuf_out_init(&plain);
	if ((msg = malloc(65537)) == NULL)
		abort();
	for (i = 0; i < 65537; i++)
		msg[i] = (uint8_t)(i * 31 + (i >> 8));
	bad = 0;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		if (round_trip(acc, ini, msg, lens[i], &tok, &plain) == -1 ||
		    round_trip(ini, acc, msg, lens[i], &tok, &plain) == -1)
			bad++;
	tap_ok(bad == 0, "enctype %d: Wrap tokens of 0 to 65537 bytes, both "
	    "ways", (int)enctype);
	bad = 0;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		tok.len = 0;
		plain.len = 0;
		if (krb5_cfx_wrap_head(acc, (const uint8_t *)"seq#", 4,
		    msg, lens[i], &tok) == -1 || krb5_cfx_unwrap(ini,
		    tok.buf, tok.len, &plain) == -1 ||
		    plain.len != 4 + lens[i] ||
		    memcmp(plain.buf, "seq#", 4) != 0 ||
		    memcmp(plain.buf + 4, msg, lens[i]) != 0)
			bad++;
	}
	tap_ok(bad == 0, "enctype %d: a head and a message sealed as one",
	    (int)enctype);
	tap_ok(round_trip(acc, acc, msg, 10, &tok, &plain) == -1 &&
	    round_trip(ini, ini, msg, 10, &tok, &plain) == -1,
	    "enctype %d: a token sent back to its sender is refused",
	    (int)enctype);
	tok.len = 0;
	seq = acc_seq(acc, msg, &tok);
	tok.len = 0;
	tap_ok(krb5_cfx_wrap(acc, msg, 1000, &tok) == 0 && tok.len > 16 &&
	    tok.buf[2] == (subkey ? 0x07 : 0x03) && seq != UINT64_MAX &&
	    token_seq(tok.buf) == seq + 1,
	    "enctype %d: the acceptor's flags, its SND_SEQ counted",
	    (int)enctype);
	tap_ok(tamper_refused(ini, &tok, &plain) == 0,
	    "enctype %d: a changed or cut Wrap token is refused",
	    (int)enctype);
	/* RFC 4121 4.2.5: the same token rotated right by RRC bytes. */
	bad = 0;
	for (rrc = 1; rrc < 60; rrc += 11) {
		size_t blen = tok.len - 16;

		if ((rot = malloc(tok.len)) == NULL)
			abort();
		memcpy(rot, tok.buf, 16);
		memcpy(rot + 16, tok.buf + tok.len - rrc, rrc);
		memcpy(rot + 16 + rrc, tok.buf + 16, blen - rrc);
		rot[6] = (uint8_t)(rrc >> 8);
		rot[7] = (uint8_t)rrc;
		plain.len = 0;
		if (krb5_cfx_unwrap(ini, rot, tok.len, &plain) == -1 ||
		    plain.len != 1000 || memcmp(plain.buf, msg, 1000) != 0)
			bad++;
		free(rot);
	}
	tap_ok(bad == 0, "enctype %d: rotated tokens (RRC) are unwrapped",
	    (int)enctype);
	bad = 0;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		if (krb5_cfx_get_mic(ini, msg, lens[i], mic, sizeof(mic),
		    &miclen) == -1 || krb5_cfx_verify_mic(acc, msg, lens[i],
		    mic, miclen) == -1 || krb5_cfx_verify_mic(ini, msg,
		    lens[i], mic, miclen) == 0)
			bad++;
		if (krb5_cfx_get_mic(acc, msg, lens[i], mic, sizeof(mic),
		    &miclen) == -1 || krb5_cfx_verify_mic(ini, msg, lens[i],
		    mic, miclen) == -1)
			bad++;
		if (lens[i] > 0) {
			msg[lens[i] - 1] ^= 0x80;
			if (krb5_cfx_verify_mic(ini, msg, lens[i], mic,
			    miclen) == 0)
				bad++;
			msg[lens[i] - 1] ^= 0x80;
		}
		mic[miclen - 1] ^= 1;
		if (krb5_cfx_verify_mic(ini, msg, lens[i], mic, miclen) == 0)
			bad++;
	}
	tap_ok(bad == 0, "enctype %d: MIC tokens both ways; a changed "
	    "message or MIC, or one's own MIC, refused", (int)enctype);
	tap_ok(krb5_cfx_get_mic(ini, msg, 1, mic, 16, &miclen) == -1,
	    "enctype %d: no MIC into too small a buffer", (int)enctype);
	free(msg);
	xdrbuf_out_free(&tok);
	xdrbuf_out_free(&plain);
	krb5_cfx_free(ini);
	krb5_cfx_free(acc);
}

/*
 * RFC 4121 4.2.4: EC filler bytes between the text and the header's
 * copy, as another implementation may send them: an initiator's token
 * (usage 24) built from the pieces.
 */
static void
test_ec(int32_t enctype)
{
	static const uint8_t conf[16] = "confounder.....";
	struct krb5_cfx_key ck;
	struct krb5_cfx *acc;
	struct xdrbuf_out plain;
	uint8_t key[32], in[128], tok[256];
	size_t keylen = enctype == 17 || enctype == 19 ? 16 : 32, i, ec = 7;
	long n;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0xa5 ^ i);
	ck.enctype = enctype;
	ck.data = key;
	ck.len = keylen;
	acc = krb5_cfx_new(0, 0, 0, &ck, NULL);
	memset(tok, 0, 16);
	tok[0] = 0x05;
	tok[1] = 0x04;
	tok[2] = 0x02;
	tok[3] = 0xff;
	tok[5] = (uint8_t)ec;
	tok[15] = 42;
	memcpy(in, "twenty-one bytes here", 21);
	memset(in + 21, 0xee, ec);
	memcpy(in + 21 + ec, tok, 16);
	n = krb5_cfx_encrypt_with(enctype, key, keylen, 24, conf, in,
	    21 + ec + 16, tok + 16, sizeof(tok) - 16);
	xdrbuf_out_init(&plain);
	tap_ok(acc != NULL && n > 0 && krb5_cfx_unwrap(acc, tok,
	    16 + (size_t)n, &plain) == 0 && plain.len == 21 &&
	    memcmp(plain.buf, in, 21) == 0,
	    "enctype %d: a token with %zu EC bytes", (int)enctype, ec);
	tok[5] = (uint8_t)(ec + 1);
	plain.len = 0;
	tap_ok(acc != NULL && krb5_cfx_unwrap(acc, tok, 16 + (size_t)n,
	    &plain) == -1 && plain.len == 0,
	    "enctype %d: ... and refused when EC is changed", (int)enctype);
	xdrbuf_out_free(&plain);
	krb5_cfx_free(acc);
}

/*
 * The fuzz target (tests/fuzz/fuzz_krb5_cfx.c) over random bytes and
 * over real initiator tokens with bytes changed: none passes unless
 * only its RRC field (which a multiple of the length leaves meaning
 * nothing) changed.
 */
static void
test_fuzz(void)
{
	static const char args[48] = "a call's arguments, sealed in a Wrap token";
	struct krb5_cfx *ini, *acc;
	struct fuzz_seed seeds[16];
	struct xdrbuf_out tok;
	uint8_t buf[512], mic[64];
	uint32_t state = 0x4b524235;
	size_t i, j, len, miclen;
	int passed = 0, unchanged_passed = 0, bad = 0, diff;

	for (i = 0; i < 16; i++) {
		seeds[i].buf[0] = (uint8_t)(i & 7);
		if (fuzz_krb5_cfx_ends((uint8_t)i, &ini, &acc) == -1)
			abort();
		xdrbuf_out_init(&tok);
		if (i < 8) {
			if (krb5_cfx_wrap(ini, (const uint8_t *)args,
			    29 + i * 7 % 16, &tok) == -1 ||
			    tok.len > sizeof(seeds[i].buf) - 1)
				abort();
			memcpy(seeds[i].buf + 1, tok.buf, tok.len);
			seeds[i].len = 1 + tok.len;
		} else {
			if (krb5_cfx_get_mic(ini, (const uint8_t *)"fuzz", 4,
			    mic, sizeof(mic), &miclen) == -1)
				abort();
			memcpy(seeds[i].buf + 1, mic, miclen);
			seeds[i].len = 1 + miclen;
		}
		xdrbuf_out_free(&tok);
		krb5_cfx_free(ini);
		krb5_cfx_free(acc);
		unchanged_passed += fuzz_krb5_cfx_one(seeds[i].buf,
		    seeds[i].len);
	}
	tap_ok(unchanged_passed == 16, "fuzz seeds: 8 Wrap and 8 MIC tokens "
	    "of an initiator pass as they are");
	for (i = 0; i < 20000; i++) {
		len = fuzz_next(&state) % sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)fuzz_next(&state);
		passed += fuzz_krb5_cfx_one(buf, len);
	}
	for (i = 0; i < 40000; i++) {
		const struct fuzz_seed *s = &seeds[i % 16];

		len = fuzz_mutate(buf, s, &state);
		diff = len != s->len;
		for (j = 1; j < len && !diff; j++)
			if (buf[j] != s->buf[j] && j != 7 && j != 8)
				diff = 1;
		if (fuzz_krb5_cfx_one(buf, len) && diff)
			bad++;
	}
	tap_ok(passed == 0 && bad == 0, "fuzz: 20000 random and 40000 "
	    "mutated tokens, none changed passed");
}

int
main(void)
{
	static const int32_t enctypes[] = { 17, 18, 19, 20 };
	size_t i;

	test_nfold();
	test_cts();
	test_rfc8009();
	for (i = 0; i < 4; i++) {
		test_tokens(enctypes[i], 0);
		test_tokens(enctypes[i], 1);
		test_ec(enctypes[i]);
	}
	test_fuzz();
	tap_ok(!krb5_cfx_supported(16) && !krb5_cfx_supported(23) &&
	    krb5_cfx_supported(18), "des3 and rc4 stay with MIT");
	printf("1..%d\n", tap_count);
	return tap_failed == 0 ? 0 : 1;
}
