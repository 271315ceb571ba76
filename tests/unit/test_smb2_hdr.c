/*
 * smbd's wire layer (smbd/smb2_hdr.c, utf16.c): the header both ways,
 * compound chains with every bad NextCommand, the checks of bodies and
 * buffers, the credit window (MS-SMB2 3.3.1.1, 3.3.1.2, 3.3.5.2.3), a
 * CREATE decoded with its buffers checked, names in UTF-16, an open's
 * channel sequence (3.3.5.2.10); then the
 * fuzz target (tests/fuzz/fuzz_smb2.c) over random and mutated input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "smb2.h"
#include "smbd.h"
#include "status.h"
#include "tap.h"

static uint32_t fuzz_state = 0x5eed5eed;

/* A request header at p: command, message id, NextCommand. */
static void
put_hdr(uint8_t *p, uint16_t cmd, uint64_t mid, uint32_t next)
{
	struct smb2_hdr h;

	memset(&h, 0, sizeof(h));
	h.command = cmd;
	h.message_id = mid;
	h.next_command = next;
	h.credits = 1;
	smb2_hdr_encode(p, &h);
}

static void
test_header(void)
{
	struct smb2_hdr h, d;
	uint8_t b[64];

	memset(&h, 0, sizeof(h));
	h.credit_charge = 3;
	h.status = 0xc0000016;
	h.command = SMB2_SESSION_SETUP;
	h.credits = 17;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR | SMB2_FLAGS_SIGNED;
	h.next_command = 136;
	h.message_id = 0x1122334455667788ull;
	h.tree_id = 0xabcdef01;
	h.session_id = 0x0102030405060708ull;
	memset(h.signature, 0x5a, sizeof(h.signature));
	smb2_hdr_encode(b, &h);
	tap_ok(b[0] == 0xfe && b[1] == 'S' && b[2] == 'M' && b[3] == 'B' &&
	    b[4] == 64 && b[5] == 0, "encode: protocol id and StructureSize");
	tap_ok(smb2_get64(b + 24) == h.message_id && b[12] == 1 &&
	    smb2_get32(b + 36) == h.tree_id, "encode: little-endian fields "
	    "at MS-SMB2 2.2.1.2's offsets");
	tap_ok(smb2_hdr_decode(b, sizeof(b), &d) == 0 &&
	    memcmp(&h, &d, sizeof(h)) == 0, "decode(encode(h)) == h");
	h.flags |= SMB2_FLAGS_ASYNC_COMMAND;
	h.async_id = 0x99;
	h.tree_id = 0;
	smb2_hdr_encode(b, &h);
	tap_ok(smb2_hdr_decode(b, sizeof(b), &d) == 0 && d.async_id == 0x99 &&
	    smb2_get64(b + 32) == 0x99, "async header: AsyncId in place of "
	    "TreeId");
	tap_ok(smb2_hdr_decode(b, 63, &d) == -1, "63 bytes: refused");
	b[4] = 60;
	tap_ok(smb2_hdr_decode(b, sizeof(b), &d) == -1,
	    "StructureSize 60: refused");
	b[4] = 64;
	b[0] = 0xff;
	tap_ok(smb2_hdr_decode(b, sizeof(b), &d) == -1,
	    "an SMB1 protocol id: refused");
}

static void
test_chain(void)
{
	uint8_t f[512];
	size_t off, len;
	int n;

	memset(f, 0, sizeof(f));
	put_hdr(f, SMB2_ECHO, 1, 72);
	put_hdr(f + 72, SMB2_ECHO, 2, 72);
	put_hdr(f + 144, SMB2_ECHO, 3, 0);
	tap_ok(smb2_chain_first(f, 212, &len) == 0 && len == 72,
	    "chain: the first message ends at its NextCommand");
	off = 0;
	n = 1;
	while (smb2_chain_next(f, 212, &off, &len) == 1)
		n++;
	tap_ok(n == 3 && off == 144 && len == 68,
	    "chain: three messages, the last to the frame's end");
	put_hdr(f, SMB2_ECHO, 1, 68);
	tap_ok(smb2_chain_first(f, 212, &len) == -1,
	    "NextCommand not 8-aligned: refused");
	put_hdr(f, SMB2_ECHO, 1, 56);
	tap_ok(smb2_chain_first(f, 212, &len) == -1,
	    "NextCommand shorter than a header: refused");
	put_hdr(f, SMB2_ECHO, 1, 4096);
	tap_ok(smb2_chain_first(f, 212, &len) == -1,
	    "NextCommand past the frame: refused");
	put_hdr(f, SMB2_ECHO, 1, 72);
	put_hdr(f + 72, SMB2_ECHO, 2, 200);
	off = 0;
	tap_ok(smb2_chain_first(f, 212, &len) == 0 &&
	    smb2_chain_next(f, 212, &off, &len) == -1,
	    "the second message's NextCommand past the frame: refused");
	put_hdr(f + 72, SMB2_ECHO, 2, 72);
	off = 0;
	len = 72;
	tap_ok(smb2_chain_next(f, 140, &off, &len) == -1,
	    "a last message shorter than a header: refused");
}

static void
test_bounds(void)
{
	tap_ok(smb2_body_check(64 + 4, 4) == 0, "ECHO body of 4: fits");
	tap_ok(smb2_body_check(64 + 3, 4) == -1, "body of 3 for size 4: no");
	tap_ok(smb2_body_check(64 + 56, 57) == 0,
	    "odd StructureSize: the buffer's first byte may be absent");
	tap_ok(smb2_buffer_check(200, 120, 120, 80) == 0,
	    "buffer to the message's end: fits");
	tap_ok(smb2_buffer_check(200, 120, 120, 81) == -1,
	    "buffer one byte past the end: refused");
	tap_ok(smb2_buffer_check(200, 120, 100, 10) == -1,
	    "buffer over the fixed part: refused");
	tap_ok(smb2_buffer_check(200, 120, 0xffffffff, 2) == -1,
	    "offset near 2^32: refused without overflow");
	tap_ok(smb2_buffer_check(200, 120, 4000, 0) == 0,
	    "an empty buffer anywhere: fine");
}

static void
test_credits(void)
{
	struct smb2_credits c;

	smb2_credits_init(&c, 16);
	tap_ok(c.size == 1 && c.low == 0, "a new connection may use id 0");
	tap_ok(smb2_credits_take(&c, 1, 1) == -1, "id 1 before a grant: no");
	tap_ok(smb2_credits_take(&c, 0, 1) == 0 && c.low == 1 && c.size == 0,
	    "id 0 taken: the window moves on");
	tap_ok(smb2_credits_take(&c, 0, 1) == -1, "id 0 again: refused");
	TAP_EQ_INT(smb2_credits_grant(&c, 10), 10, "10 asked, 10 granted");
	TAP_EQ_INT(smb2_credits_grant(&c, 10), 6,
	    "10 more asked: 6, the window is at its max of 16");
	TAP_EQ_INT(smb2_credits_grant(&c, 5), 0, "a full window: none");
	tap_ok(smb2_credits_take(&c, 5, 1) == 0 && c.low == 1,
	    "id 5 out of order: taken, the window's low end stays");
	tap_ok(smb2_credits_take(&c, 5, 1) == -1, "id 5 again: refused");
	tap_ok(smb2_credits_take(&c, 1, 4) == 0 && c.low == 6 && c.size == 11,
	    "ids 1-4 (charge 4): the window moves past 5 too");
	tap_ok(smb2_credits_take(&c, 15, 3) == -1,
	    "ids 15-17: 17 is past the window [6, 17): refused");
	tap_ok(smb2_credits_take(&c, 14, 3) == 0, "ids 14-16: in the window");
	tap_ok(smb2_credits_take(&c, 16, 1) == -1,
	    "id 16, inside a charge taken: refused");
	tap_ok(smb2_credits_take(&c, 12, 3) == -1,
	    "a charge overlapping used ids: refused");
	tap_ok(smb2_credits_take(&c, 12, 2) == 0,
	    "ids 12-13: free, taken (nothing was taken by the refusal)");
	tap_ok(smb2_credits_take(&c, 17, 1) == -1 &&
	    smb2_credits_take(&c, UINT64_MAX - 1, 2) == -1,
	    "past the window, and near 2^64: refused");
	smb2_credits_init(&c, 4);
	(void)smb2_credits_take(&c, 0, 1);
	TAP_EQ_INT(smb2_credits_grant(&c, 0), 1,
	    "a request asking 0 is granted 1 (never left without)");
	TAP_EQ_INT(smb2_credit_charge_for(0), 1, "charge for 0 bytes: 1");
	TAP_EQ_INT(smb2_credit_charge_for(65536), 1, "64 KiB: 1");
	TAP_EQ_INT(smb2_credit_charge_for(65537), 2, "64 KiB + 1: 2");
	TAP_EQ_INT(smb2_credit_charge_for(1048576), 16, "1 MiB: 16");
}

static void
test_create(void)
{
	uint8_t m[64 + 56 + 16];
	uint8_t *b = m + 64;
	struct smb2_create_req c;

	memset(m, 0, sizeof(m));
	put_hdr(m, SMB2_CREATE, 1, 0);
	smb2_put16(b, 57);
	smb2_put32(b + 4, 2);
	smb2_put32(b + 24, 0x80000000);
	smb2_put32(b + 36, 2);
	smb2_put32(b + 40, 0x40);
	smb2_put16(b + 44, 64 + 56);
	smb2_put16(b + 46, 8);
	memcpy(m + 120, "a\0b\0c\0d\0", 8);
	tap_ok(smb2_create_decode(m, sizeof(m), &c) == 0 && c.name == m + 120 &&
	    c.name_len == 8 && c.disposition == 2 && c.options == 0x40 &&
	    c.desired == 0x80000000 && c.impersonation == 2,
	    "CREATE decoded: name, disposition, options, access, "
	    "impersonation level");
	smb2_put16(b + 46, 7);
	tap_ok(smb2_create_decode(m, sizeof(m), &c) == -1,
	    "a name of odd length: refused");
	smb2_put16(b + 46, 18);
	tap_ok(smb2_create_decode(m, sizeof(m), &c) == -1,
	    "a name past the message: refused");
	smb2_put16(b + 46, 8);
	smb2_put32(b + 36, 6);
	tap_ok(smb2_create_decode(m, sizeof(m), &c) == -1,
	    "disposition 6: refused");
	smb2_put32(b + 36, 1);
	smb2_put32(b + 48, 64 + 56);
	smb2_put32(b + 52, 0x7fffffff);
	tap_ok(smb2_create_decode(m, sizeof(m), &c) == -1,
	    "create contexts past the message: refused");
	smb2_put32(b + 52, 0);
	smb2_put16(b, 56);
	tap_ok(smb2_create_decode(m, sizeof(m), &c) == -1,
	    "StructureSize 56: refused");
}

static void
test_names(void)
{
	/* "é" U+00E9, "€" U+20AC, U+1F600 as a surrogate pair */
	static const uint8_t w[] = { 'a', 0, 0xe9, 0, 0xac, 0x20, 0x3d, 0xd8,
	    0x00, 0xde };
	static const char u[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	char s[64];
	uint8_t back[64];
	ssize_t n;

	n = smbd_utf16_to_utf8(w, sizeof(w), s, sizeof(s));
	tap_ok(n == (ssize_t)strlen(u) && memcmp(s, u, (size_t)n) == 0,
	    "UTF-16LE to UTF-8: 1, 2, 3 and 4-byte forms");
	n = smbd_utf8_to_utf16(u, strlen(u), back, sizeof(back));
	tap_ok(n == (ssize_t)sizeof(w) && memcmp(back, w, sizeof(w)) == 0,
	    "and back");
	tap_ok(smbd_utf16_to_utf8(w, 8, s, sizeof(s)) == -1,
	    "a high surrogate alone at the end: refused");
	tap_ok(smbd_utf16_to_utf8(w + 8, 2, s, sizeof(s)) == -1,
	    "a low surrogate alone: refused");
	tap_ok(smbd_utf16_to_utf8(w, 3, s, sizeof(s)) == -1,
	    "an odd length: refused");
	tap_ok(smbd_utf16_to_utf8(w, sizeof(w), s, 5) == -1,
	    "no room: refused, nothing past the buffer");
	tap_ok(smbd_utf8_to_utf16("\xc0\xaf", 2, back, sizeof(back)) == -1 &&
	    smbd_utf8_to_utf16("\xed\xa0\x80", 3, back, sizeof(back)) == -1,
	    "overlong UTF-8 and an encoded surrogate: refused");
}

/* MS-SMB2 3.3.5.2.10: an open's ChannelSequence and outstanding counts. */
static void
test_channel_seq(void)
{
	struct smb2_channel_seq q;

	memset(&q, 0, sizeof(q));
	tap_ok(smb2_channel_seq_take(&q, 0, 0) == 0 && q.outstanding == 1,
	    "channel sequence: the open's own is counted");
	smb2_channel_seq_done(&q, 0);
	tap_ok(q.outstanding == 0, "channel sequence: answered, not counted");
	tap_ok(smb2_channel_seq_take(&q, 0x8000, 0) == -1 &&
	    q.sequence == 0 && q.outstanding == 0,
	    "channel sequence: 0x8000 ahead is stale, nothing changes");
	tap_ok(smb2_channel_seq_take(&q, 0xffff, 0) == -1,
	    "channel sequence: one behind is stale");
	tap_ok(smb2_channel_seq_take(&q, 0x7fff, 0) == 0 &&
	    q.sequence == 0x7fff && q.outstanding == 1,
	    "channel sequence: 0x7fff ahead is newer, taken");
	tap_ok(smb2_channel_seq_take(&q, 0, 0) == -1 &&
	    smb2_channel_seq_take(&q, 0x7ffe, 1) == -1,
	    "channel sequence: the older ones are stale now, replayed or not");
	/* Outstanding under 0x7fff, a newer one comes: 1 older. */
	tap_ok(smb2_channel_seq_take(&q, 0x8000, 0) == 0 &&
	    q.outstanding == 1 && q.outstanding_pre == 1,
	    "channel sequence: a newer one makes the outstanding older");
	tap_ok(smb2_channel_seq_take(&q, 0x8000, 1) == -1 &&
	    q.outstanding == 1,
	    "channel sequence: a replay while older ones are outstanding");
	smb2_channel_seq_done(&q, 0x7fff);
	tap_ok(q.outstanding_pre == 0 && q.outstanding == 1,
	    "channel sequence: an older one answered");
	tap_ok(smb2_channel_seq_take(&q, 0x8000, 1) == 0 &&
	    q.outstanding == 2, "channel sequence: then the replay is taken");
	smb2_channel_seq_done(&q, 0x8000);
	smb2_channel_seq_done(&q, 0x8000);
	tap_ok(smb2_channel_seq_take(&q, 0x8001, 0) == 0 &&
	    q.outstanding_pre == 0, "channel sequence: nothing older left");
	q.outstanding_pre = 1;
	tap_ok(smb2_channel_seq_take(&q, 0x8002, 1) == -1 &&
	    q.sequence == 0x8002 && q.outstanding == 0 &&
	    q.outstanding_pre == 2,
	    "channel sequence: a newer replay with older ones outstanding");
}

static void
test_status(void)
{
	TAP_EQ_INT(smb2_status_from_errno(-ENOENT), STATUS_OBJECT_NAME_NOT_FOUND,
	    "ENOENT: OBJECT_NAME_NOT_FOUND");
	TAP_EQ_INT(smb2_status_from_errno(EACCES), STATUS_ACCESS_DENIED,
	    "EACCES (either sign): ACCESS_DENIED");
	TAP_EQ_INT(smb2_status_from_errno(-EROFS), STATUS_MEDIA_WRITE_PROTECTED,
	    "EROFS: MEDIA_WRITE_PROTECTED");
	TAP_EQ_INT(smb2_status_from_errno(-ENOTCONN), STATUS_IO_TIMEOUT,
	    "ENOTCONN (blockd away): IO_TIMEOUT, the client retries");
	TAP_EQ_INT(smb2_status_from_errno(-EHOSTDOWN), STATUS_INTERNAL_ERROR,
	    "an errno without a mapping: INTERNAL_ERROR");
	TAP_EQ_INT(smb2_status_from_errno(0), STATUS_SUCCESS, "0: SUCCESS");
	tap_ok(strcmp(smb2_status_name(STATUS_LOGON_FAILURE),
	    "LOGON_FAILURE") == 0 && strcmp(smb2_status_name(0x12345678),
	    "unknown") == 0, "status names");
	tap_ok(strcmp(smb2_command_name(SMB2_QUERY_DIRECTORY),
	    "query_directory") == 0 && strcmp(smb2_command_name(0x99),
	    "unknown") == 0, "command names");
}

static void
test_fuzz(void)
{
	struct fuzz_seed seeds[3];
	uint8_t buf[512];
	size_t i, len, k;
	int iters = getenv("FUZZ_ITERATIONS") ?
	    atoi(getenv("FUZZ_ITERATIONS")) : 100000;

	for (i = 0; i < (size_t)iters; i++) {
		len = fuzz_next(&fuzz_state) % sizeof(buf);
		for (k = 0; k < len; k++)
			buf[k] = (uint8_t)fuzz_next(&fuzz_state);
		if (len >= 4 && i % 2)
			smb2_put32(buf, SMB2_MAGIC);
		fuzz_smb2_one(buf, len);
	}
	tap_ok(1, "%d random inputs: no crash", iters);
	/* Seeds: a 3.1.1 NEGOTIATE with contexts, a chain, a CREATE. */
	memset(seeds, 0, sizeof(seeds));
	put_hdr(seeds[0].buf, SMB2_NEGOTIATE, 0, 0);
	smb2_put16(seeds[0].buf + 64, 36);
	smb2_put16(seeds[0].buf + 66, 2);
	smb2_put16(seeds[0].buf + 100, 0x0311);
	smb2_put16(seeds[0].buf + 102, 0x0202);
	smb2_put32(seeds[0].buf + 92, 104);
	smb2_put16(seeds[0].buf + 96, 2);
	smb2_put16(seeds[0].buf + 104, 1);
	smb2_put16(seeds[0].buf + 106, 38);
	smb2_put16(seeds[0].buf + 112, 1);
	smb2_put16(seeds[0].buf + 114, 32);
	smb2_put16(seeds[0].buf + 116, 1);
	smb2_put16(seeds[0].buf + 152, 8);
	smb2_put16(seeds[0].buf + 154, 4);
	smb2_put16(seeds[0].buf + 160, 1);
	smb2_put16(seeds[0].buf + 162, 2);
	seeds[0].len = 164;
	put_hdr(seeds[1].buf, SMB2_ECHO, 1, 72);
	put_hdr(seeds[1].buf + 72, SMB2_ECHO, 2, 72);
	put_hdr(seeds[1].buf + 144, SMB2_ECHO, 3, 0);
	seeds[1].len = 212;
	put_hdr(seeds[2].buf, SMB2_CREATE, 1, 0);
	smb2_put16(seeds[2].buf + 64, 57);
	smb2_put16(seeds[2].buf + 64 + 44, 120);
	smb2_put16(seeds[2].buf + 64 + 46, 8);
	memcpy(seeds[2].buf + 120, "a\0b\0c\0d\0", 8);
	seeds[2].len = 128;
	{
		struct smb2_server_params sp;
		struct smb2_negotiated neg;
		static const uint8_t g[16], salt[32];
		uint8_t out[512];
		size_t n;

		memset(&sp, 0, sizeof(sp));
		sp.guid = g;
		sp.salt = salt;
		tap_ok(smb2_negotiate(seeds[0].buf, seeds[0].len, &sp, &neg,
		    out, sizeof(out), &n) == 0 && neg.dialect == 0x0311 &&
		    neg.signing_algorithm == SMB2_SIGN_AES_GMAC,
		    "the NEGOTIATE seed is valid (so mutations reach deep)");
	}
	for (k = 0; k < 3; k++)
		for (i = 0; i < (size_t)iters; i++) {
			len = fuzz_mutate(buf, &seeds[k], &fuzz_state);
			fuzz_smb2_one(buf, len);
		}
	tap_ok(1, "%d mutations each of NEGOTIATE, a chain, CREATE: no crash",
	    iters);
}

int
main(void)
{
	test_header();
	test_chain();
	test_bounds();
	test_credits();
	test_create();
	test_names();
	test_status();
	test_channel_seq();
	test_fuzz();
	return tap_done();
}
