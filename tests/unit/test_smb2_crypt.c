/*
 * SMB3 encryption (smbd/smb2_crypt.c, MS-SMB2 2.2.41, 3.1.4.3,
 * 3.3.5.5.3): the ciphers' keys of 3.0 and 3.1.1 and the transforms of
 * all four ciphers against known answers computed apart (Python's hmac
 * and cryptography: tests/unit/gen_smb2_crypt.py), the 256-bit KDF
 * against OpenSSL's KBKDF, round trips of large messages, every
 * authenticated byte's change refused (and the message wiped), the
 * transform header's checks, the nonces; then the fuzz target
 * (tests/fuzz/fuzz_smb2.c) over transforms that decrypt, mutated.
 */
#include <stdlib.h>
#include <string.h>


#include "fuzz.h"
#include "smb2.h"
#include "smb2_kbkdf.h"
#include "tap.h"

#include "smb2_crypt_vectors.h"

#define KV_COUNT	0x0102030405060708ull
#define KV_SESSION	0x1122334455667788ull

static const uint8_t kv_salt[SMB2_NONCE_SALT_SIZE] = { 0xa1, 0xa2, 0xa3,
    0xa4 };
static const uint16_t ciphers[] = { SMB2_CIPHER_AES128_CCM,
    SMB2_CIPHER_AES128_GCM, SMB2_CIPHER_AES256_CCM, SMB2_CIPHER_AES256_GCM };
static const uint8_t *const kv_tf[] = { kv_tf_aes128ccm, kv_tf_aes128gcm,
    kv_tf_aes256ccm, kv_tf_aes256gcm };
static uint32_t fuzz_state = 0xc0ffee11;

static int
all_zero(const uint8_t *p, size_t n)
{
	while (n-- > 0)
		if (*p++ != 0)
			return 0;
	return 1;
}

static void
test_names(void)
{
	tap_ok(smb2_cipher_by_name("aes-128-ccm") == SMB2_CIPHER_AES128_CCM &&
	    smb2_cipher_by_name("AES-128-GCM") == SMB2_CIPHER_AES128_GCM &&
	    smb2_cipher_by_name("aes-256-ccm") == SMB2_CIPHER_AES256_CCM &&
	    smb2_cipher_by_name("aes-256-gcm") == SMB2_CIPHER_AES256_GCM &&
	    smb2_cipher_by_name("aes-192-gcm") == 0 &&
	    smb2_cipher_by_name("") == 0, "cipher names, any case");
	tap_ok(strcmp(smb2_cipher_name(SMB2_CIPHER_AES256_GCM),
	    "aes-256-gcm") == 0 && strcmp(smb2_cipher_name(0), "none") == 0 &&
	    strcmp(smb2_cipher_name(5), "none") == 0, "cipher ids' names");
	tap_ok(smb2_cipher_key_size(SMB2_CIPHER_AES128_CCM) == 16 &&
	    smb2_cipher_key_size(SMB2_CIPHER_AES128_GCM) == 16 &&
	    smb2_cipher_key_size(SMB2_CIPHER_AES256_CCM) == 32 &&
	    smb2_cipher_key_size(SMB2_CIPHER_AES256_GCM) == 32 &&
	    smb2_cipher_key_size(0) == 0 && smb2_cipher_key_size(9) == 0,
	    "key sizes: 16, 16, 32, 32; 0 for none");
	tap_ok(smb2_cipher_nonce_size(SMB2_CIPHER_AES128_CCM) == 11 &&
	    smb2_cipher_nonce_size(SMB2_CIPHER_AES256_CCM) == 11 &&
	    smb2_cipher_nonce_size(SMB2_CIPHER_AES128_GCM) == 12 &&
	    smb2_cipher_nonce_size(SMB2_CIPHER_AES256_GCM) == 12,
	    "nonces: CCM 11 bytes, GCM 12 (2.2.41)");
}

static void
test_keys(void)
{
	uint8_t enc[SMB2_CIPHER_KEY_MAX], dec[SMB2_CIPHER_KEY_MAX];
	uint8_t want[32];

	tap_ok(smb2_cipher_keys(SMB2_DIALECT_300, SMB2_CIPHER_AES128_CCM,
	    kv_session_key16, 16, NULL, enc, dec) == 0 &&
	    memcmp(enc, kv_300_enc, 16) == 0 &&
	    memcmp(dec, kv_300_dec, 16) == 0 && all_zero(enc + 16, 16),
	    "3.0: KDF(\"SMB2AESCCM\\0\", \"ServerOut\\0\" / \"ServerIn "
	    "\\0\") (known answers)");
	tap_ok(smb2_cipher_keys(SMB2_DIALECT_302, SMB2_CIPHER_AES128_CCM,
	    kv_session_key16, 16, NULL, enc, dec) == 0 &&
	    memcmp(enc, kv_300_enc, 16) == 0, "3.0.2: as 3.0");
	tap_ok(smb2_cipher_keys(SMB2_DIALECT_300, SMB2_CIPHER_AES128_GCM,
	    kv_session_key16, 16, NULL, enc, dec) == -1,
	    "3.0 has no AES-128-GCM");
	tap_ok(smb2_cipher_keys(SMB2_DIALECT_210, SMB2_CIPHER_AES128_CCM,
	    kv_session_key16, 16, NULL, enc, dec) == -1,
	    "2.1 has no encryption");
	tap_ok(smb2_cipher_keys(SMB2_DIALECT_311, 0, kv_session_key16, 16,
	    kv_preauth, enc, dec) == -1, "cipher 0: no keys");
	tap_ok(smb2_cipher_keys(SMB2_DIALECT_311, SMB2_CIPHER_AES128_GCM,
	    kv_session_key16, 16, kv_preauth, enc, dec) == 0 &&
	    memcmp(enc, kv_311_enc128, 16) == 0 &&
	    memcmp(dec, kv_311_dec128, 16) == 0,
	    "3.1.1 AES-128: KDF(\"SMBS2CCipherKey\\0\" / "
	    "\"SMBC2SCipherKey\\0\", preauth hash) (known answers)");
	tap_ok(smb2_cipher_keys(SMB2_DIALECT_311, SMB2_CIPHER_AES128_CCM,
	    kv_session_key16, 16, kv_preauth, enc, dec) == 0 &&
	    memcmp(enc, kv_311_enc128, 16) == 0, "3.1.1 AES-128-CCM: the same");
	tap_ok(smb2_cipher_keys(SMB2_DIALECT_311, SMB2_CIPHER_AES256_GCM,
	    kv_session_key32, 32, kv_preauth, enc, dec) == 0 &&
	    memcmp(enc, kv_311_enc256, 32) == 0 &&
	    memcmp(dec, kv_311_dec256, 32) == 0,
	    "3.1.1 AES-256: L = 256 from the full 32-byte session key "
	    "(known answers)");
	tap_ok(smb2_test_kbkdf(kv_session_key32, 32, "SMBC2SCipherKey", 16, kv_preauth,
	    64, want, 32) == 0 && memcmp(dec, want, 32) == 0,
	    "3.1.1 AES-256: equals OpenSSL's KBKDF with a 256-bit output");
	tap_ok(smb2_cipher_keys(SMB2_DIALECT_311, SMB2_CIPHER_AES256_CCM,
	    kv_session_key16, 16, kv_preauth, enc, dec) == 0 &&
	    memcmp(enc, kv_311_enc256_16, 32) == 0,
	    "3.1.1 AES-256 of a 16-byte (NTLM) session key (known answer)");
	tap_ok(smb2_cipher_keys(SMB2_DIALECT_311, SMB2_CIPHER_AES128_GCM,
	    kv_session_key32, 32, kv_preauth, enc, dec) == 0 &&
	    smb2_test_kbkdf(kv_session_key32, 16, "SMBS2CCipherKey", 16, kv_preauth, 64,
	    want, 16) == 0 && memcmp(enc, want, 16) == 0,
	    "3.1.1 AES-128 of a 32-byte session key: its first 16 bytes");
	tap_ok(smb2_kdf_len(kv_session_key16, 16, (const uint8_t *)"x", 1,
	    (const uint8_t *)"y", 1, want, 24) == -1,
	    "the KDF makes 128 or 256 bits, nothing else");
}

static void
test_nonce(void)
{
	uint8_t a[16], b[16];

	smb2_nonce_make(SMB2_CIPHER_AES128_CCM, KV_COUNT, kv_salt, a);
	tap_ok(smb2_get64(a) == KV_COUNT && memcmp(a + 8, kv_salt, 3) == 0 &&
	    all_zero(a + 11, 5), "CCM nonce: count, 3 bytes of salt, 5 zero");
	smb2_nonce_make(SMB2_CIPHER_AES256_GCM, KV_COUNT, kv_salt, b);
	tap_ok(smb2_get64(b) == KV_COUNT && memcmp(b + 8, kv_salt, 4) == 0 &&
	    all_zero(b + 12, 4), "GCM nonce: count, 4 bytes of salt, 4 zero");
	smb2_nonce_make(SMB2_CIPHER_AES256_GCM, KV_COUNT + 1, kv_salt, a);
	tap_ok(memcmp(a, b, 16) != 0, "the next count, another nonce");
}

static void
test_known(void)
{
	uint8_t nonce[16], out[SMB2_TRANSFORM_SIZE + sizeof(kv_msg)];
	size_t i, tflen = SMB2_TRANSFORM_SIZE + sizeof(kv_msg);
	struct smb2_transform t;

	for (i = 0; i < 4; i++) {
		const char *n = smb2_cipher_name(ciphers[i]);

		smb2_nonce_make(ciphers[i], KV_COUNT, kv_salt, nonce);
		tap_ok(smb2_encrypt(ciphers[i], kv_key_all, nonce, KV_SESSION,
		    kv_msg, sizeof(kv_msg), out) == 0 &&
		    memcmp(out, kv_tf[i], tflen) == 0,
		    "%s: the transform of a READ response (known answer)", n);
		tap_ok(smb2_transform_decode(out, tflen, &t) == 0 &&
		    t.session_id == KV_SESSION &&
		    t.original_size == sizeof(kv_msg) &&
		    t.flags == SMB2_TRANSFORM_ENCRYPTED &&
		    memcmp(t.nonce, nonce, 16) == 0 &&
		    memcmp(t.signature, out + 4, 16) == 0,
		    "%s: its header decodes", n);
		memcpy(out, kv_tf[i], tflen);
		tap_ok(smb2_decrypt(ciphers[i], kv_key_all, out, tflen) == 0 &&
		    memcmp(out + SMB2_TRANSFORM_SIZE, kv_msg,
		    sizeof(kv_msg)) == 0,
		    "%s: the known transform decrypts to the message", n);
	}
}

static void
test_tamper(void)
{
	static const size_t at[] = { 4, 19, 20, 35, 36, 40, 42, 44, 51, 52,
	    SMB2_TRANSFORM_SIZE + sizeof(kv_msg) - 1 };
	static const char *const what[] = { "signature", "signature's end",
	    "nonce", "nonce field's zero tail", "original size", "reserved",
	    "flags", "session id", "session id's end", "ciphertext",
	    "ciphertext's end" };
	uint8_t buf[SMB2_TRANSFORM_SIZE + sizeof(kv_msg)], key[32];
	size_t i, j, n = sizeof(buf);
	int refused;

	for (i = 0; i < 4; i++) {
		const char *name = smb2_cipher_name(ciphers[i]);

		refused = 1;
		for (j = 0; j < sizeof(at) / sizeof(at[0]); j++) {
			memcpy(buf, kv_tf[i], n);
			buf[at[j]] ^= 0x01;
			if (smb2_decrypt(ciphers[i], kv_key_all, buf, n) != -1) {
				tap_diag("%s: a changed %s was taken", name,
				    what[j]);
				refused = 0;
			}
		}
		tap_ok(refused, "%s: one bit changed anywhere in the header "
		    "or the ciphertext: refused", name);
		memcpy(buf, kv_tf[i], n);
		buf[100] ^= 0x80;
		(void)smb2_decrypt(ciphers[i], kv_key_all, buf, n);
		tap_ok(all_zero(buf + SMB2_TRANSFORM_SIZE,
		    n - SMB2_TRANSFORM_SIZE),
		    "%s: a refused message is wiped", name);
		memcpy(key, kv_key_all, 32);
		key[0] ^= 1;
		memcpy(buf, kv_tf[i], n);
		tap_ok(smb2_decrypt(ciphers[i], key, buf, n) == -1,
		    "%s: another key refused", name);
		memcpy(buf, kv_tf[i], n);
		tap_ok(smb2_decrypt(ciphers[i ^ 1], kv_key_all, buf, n) == -1,
		    "%s: taken as %s: refused", name,
		    smb2_cipher_name(ciphers[i ^ 1]));
		memcpy(buf, kv_tf[i], n);
		tap_ok(smb2_decrypt(ciphers[i], kv_key_all, buf, n - 1) == -1,
		    "%s: one byte short: refused", name);
	}
}

static void
test_header(void)
{
	uint8_t buf[SMB2_TRANSFORM_SIZE + sizeof(kv_msg) + 8];
	struct smb2_transform t;
	size_t n = SMB2_TRANSFORM_SIZE + sizeof(kv_msg);

	memcpy(buf, kv_tf_aes128gcm, n);
	tap_ok(smb2_transform_decode(buf, n, &t) == 0, "a good header");
	tap_ok(smb2_transform_decode(buf, SMB2_TRANSFORM_SIZE + 63, &t) == -1,
	    "less than a header's worth of message: refused");
	smb2_put32(buf + 36, SMB2_HDR_SIZE);
	tap_ok(smb2_transform_decode(buf, SMB2_TRANSFORM_SIZE + 64, &t) == 0,
	    "exactly a header's worth: taken");
	memcpy(buf, kv_tf_aes128gcm, n);
	tap_ok(smb2_transform_decode(buf, n + 8, &t) == -1,
	    "OriginalMessageSize short of the frame: refused");
	smb2_put32(buf + 36, (uint32_t)n);
	tap_ok(smb2_transform_decode(buf, n, &t) == -1,
	    "OriginalMessageSize past the frame: refused");
	memcpy(buf, kv_tf_aes128gcm, n);
	smb2_put16(buf + 42, 0);
	tap_ok(smb2_transform_decode(buf, n, &t) == -1, "Flags 0: refused");
	smb2_put16(buf + 42, 2);
	tap_ok(smb2_transform_decode(buf, n, &t) == -1, "Flags 2: refused");
	memcpy(buf, kv_tf_aes128gcm, n);
	buf[0] = 0xfe;
	tap_ok(smb2_transform_decode(buf, n, &t) == -1,
	    "an SMB2 header is no transform");
	memset(buf, 0, sizeof(buf));
	tap_ok(smb2_encrypt(SMB2_CIPHER_AES128_GCM, kv_key_all, buf, 1,
	    kv_msg, 63, buf) == -1, "no encryption of less than a header");
	tap_ok(smb2_encrypt(7, kv_key_all, buf, 1, kv_msg, sizeof(kv_msg),
	    buf) == -1, "no encryption with an unknown cipher");
}

static void
test_round_trip(void)
{
	size_t len = 1024 * 1024 + 77, i, k;
	uint8_t *msg = malloc(len), *tf = malloc(SMB2_TRANSFORM_SIZE + len);
	uint8_t nonce[16];

	if (msg == NULL || tf == NULL)
		exit(99);
	for (i = 0; i < len; i++)
		msg[i] = (uint8_t)fuzz_next(&fuzz_state);
	smb2_put32(msg, SMB2_MAGIC);
	for (k = 0; k < 4; k++) {
		smb2_nonce_make(ciphers[k], k, kv_salt, nonce);
		tap_ok(smb2_encrypt(ciphers[k], kv_key_all, nonce, 42, msg, len,
		    tf) == 0 && smb2_decrypt(ciphers[k], kv_key_all, tf,
		    SMB2_TRANSFORM_SIZE + len) == 0 &&
		    memcmp(tf + SMB2_TRANSFORM_SIZE, msg, len) == 0,
		    "%s: 1 MiB + 77 bytes there and back",
		    smb2_cipher_name(ciphers[k]));
	}
	free(msg);
	free(tf);
}

/* Transforms that decrypt with the fuzz target's key, then mutated. */
static void
test_fuzz(void)
{
	struct fuzz_seed seeds[4];
	uint8_t buf[512], key[32], nonce[16], msg[160];
	size_t i, k, len;
	int iters = getenv("FUZZ_ITERATIONS") ?
	    atoi(getenv("FUZZ_ITERATIONS")) : 20000;
	int ok = 1;

	/* A chain of two ECHOs, the second related. */
	memset(msg, 0, sizeof(msg));
	for (k = 0; k < 2; k++) {
		struct smb2_hdr h;

		memset(&h, 0, sizeof(h));
		h.command = SMB2_ECHO;
		h.message_id = 5 + k;
		h.next_command = k == 0 ? 72 : 0;
		h.flags = k == 0 ? 0 : SMB2_FLAGS_RELATED_OPERATIONS;
		smb2_hdr_encode(msg + 72 * k, &h);
		smb2_put16(msg + 72 * k + 64, 4);
	}
	memset(seeds, 0, sizeof(seeds));
	for (k = 0; k < 4; k++) {
		uint64_t sid = 0x4000 + k;	/* cipher 1 + (sid & 3) */

		fuzz_smb2_transform_key(sid, key);
		smb2_nonce_make(ciphers[k], k, kv_salt, nonce);
		if (smb2_encrypt(ciphers[k], key, nonce, sid, msg, 140,
		    seeds[k].buf) == -1)
			ok = 0;
		seeds[k].len = SMB2_TRANSFORM_SIZE + 140;
		memcpy(buf, seeds[k].buf, seeds[k].len);
		if (smb2_decrypt(ciphers[k], key, buf, seeds[k].len) != 0 ||
		    smb2_chain_first(buf + SMB2_TRANSFORM_SIZE, 140, &len) != 0)
			ok = 0;
		fuzz_smb2_one(seeds[k].buf, seeds[k].len);
	}
	tap_ok(ok, "seeds: an ECHO chain in a transform of each cipher "
	    "decrypts with the fuzz target's key");
	for (k = 0; k < 4; k++)
		for (i = 0; i < (size_t)iters; i++) {
			len = fuzz_mutate(buf, &seeds[k], &fuzz_state);
			fuzz_smb2_one(buf, len);
		}
	tap_ok(1, "%d mutations of each seed: no crash", iters);
}

int
main(void)
{
	test_names();
	test_keys();
	test_nonce();
	test_known();
	test_tamper();
	test_header();
	test_round_trip();
	test_fuzz();
	return tap_done();
}
