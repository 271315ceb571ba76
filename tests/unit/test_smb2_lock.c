/*
 * smbd/smb2_lock.c: LOCK requests decoded and checked (MS-SMB2 2.2.26,
 * 3.3.5.14: flag combinations, unlocks with locks, a blocking element
 * among several, ranges past 2^64 - 1, sizes), CREATE's access and
 * share bits as stated's, and Windows' rules over the locks smbd keeps:
 * overlap with zero-length ranges, a new lock against them, READ and
 * WRITE against them, the exact-range unlock's choice; then random
 * LOCK bodies through the decoder.
 */
#include <stdlib.h>
#include <string.h>

#include "smb2.h"
#include "smb2_lock.h"
#include "status.h"
#include "tap.h"

/* A LOCK message (header zeroed) with these elements. */
static size_t
lock_msg(uint8_t *m, size_t cap, uint16_t count,
    const struct smb2_lock_element *e, size_t n)
{
	size_t len = SMB2_HDR_SIZE + 24 + 24 * (n ? n : 1), i;

	if (len > cap)
		abort();
	memset(m, 0, len);
	smb2_put16(m + SMB2_HDR_SIZE, 48);
	smb2_put16(m + SMB2_HDR_SIZE + 2, count);
	for (i = 0; i < n; i++) {
		uint8_t *p = m + SMB2_HDR_SIZE + 24 + 24 * i;

		smb2_put64(p, e[i].offset);
		smb2_put64(p + 8, e[i].length);
		smb2_put32(p + 16, e[i].flags);
	}
	return len;
}

static uint32_t
decode(uint16_t count, const struct smb2_lock_element *e, size_t n,
    struct smb2_lock_req *q)
{
	/* Kept: the request points into it. */
	static uint8_t m[1024];
	size_t len = lock_msg(m, sizeof(m), count, e, n);

	return smb2_lock_decode(m, len, q);
}

static void
test_decode(void)
{
	struct smb2_lock_element e[3];
	struct smb2_lock_element got;
	struct smb2_lock_req q;
	uint8_t m[256];
	size_t len;

	memset(e, 0, sizeof(e));
	e[0] = (struct smb2_lock_element){ 10, 20, SMB2_LOCKFLAG_EXCLUSIVE };
	TAP_EQ_INT(decode(1, e, 1, &q), STATUS_SUCCESS,
	    "one exclusive element decodes");
	tap_ok(q.blocking && !q.unlock && q.count == 1,
	    "a lone lock without FAIL_IMMEDIATELY may wait");
	smb2_lock_element_get(&q, 0, &got);
	tap_ok(got.offset == 10 && got.length == 20 &&
	    got.flags == SMB2_LOCKFLAG_EXCLUSIVE, "its offset, length, flags");
	e[0].flags = SMB2_LOCKFLAG_SHARED | SMB2_LOCKFLAG_FAIL_IMMEDIATELY;
	e[1] = (struct smb2_lock_element){ 40, 5, SMB2_LOCKFLAG_EXCLUSIVE |
	    SMB2_LOCKFLAG_FAIL_IMMEDIATELY };
	TAP_EQ_INT(decode(2, e, 2, &q), STATUS_SUCCESS,
	    "two failing-at-once elements decode");
	tap_ok(!q.blocking, "... and none may wait");
	e[1].flags = SMB2_LOCKFLAG_EXCLUSIVE;
	TAP_EQ_INT(decode(2, e, 2, &q), STATUS_INVALID_PARAMETER,
	    "a blocking element among two: INVALID_PARAMETER");
	e[0].flags = e[1].flags = SMB2_LOCKFLAG_UNLOCK;
	TAP_EQ_INT(decode(2, e, 2, &q), STATUS_SUCCESS, "two unlocks");
	tap_ok(q.unlock && !q.blocking, "... an unlock request");
	tap_ok(q.valid == 2 && q.after == 0, "... both run, then SUCCESS");
	e[1].flags = SMB2_LOCKFLAG_SHARED | SMB2_LOCKFLAG_FAIL_IMMEDIATELY;
	TAP_EQ_INT(decode(2, e, 2, &q), STATUS_SUCCESS,
	    "an unlock then a lock: decoded");
	tap_ok(q.unlock && q.valid == 1 && q.after == STATUS_INVALID_PARAMETER,
	    "... the unlock runs, then INVALID_PARAMETER (multiple-unlock)");
	e[0].flags = SMB2_LOCKFLAG_SHARED | SMB2_LOCKFLAG_FAIL_IMMEDIATELY;
	e[1].flags = SMB2_LOCKFLAG_UNLOCK;
	TAP_EQ_INT(decode(2, e, 2, &q), STATUS_INVALID_PARAMETER,
	    "a lock then an unlock: INVALID_PARAMETER");
	e[0].flags = SMB2_LOCKFLAG_SHARED | SMB2_LOCKFLAG_EXCLUSIVE;
	TAP_EQ_INT(decode(1, e, 1, &q), STATUS_INVALID_PARAMETER,
	    "shared and exclusive at once: INVALID_PARAMETER");
	e[0].flags = SMB2_LOCKFLAG_UNLOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY;
	TAP_EQ_INT(decode(1, e, 1, &q), STATUS_SUCCESS,
	    "UNLOCK with FAIL_IMMEDIATELY: an unlock request ...");
	tap_ok(q.valid == 0 && q.after == STATUS_INVALID_PARAMETER,
	    "... of no valid element: INVALID_PARAMETER");
	e[0].flags = 0;
	TAP_EQ_INT(decode(1, e, 1, &q), STATUS_INVALID_PARAMETER,
	    "no flag: INVALID_PARAMETER");
	TAP_EQ_INT(decode(0, e, 0, &q), STATUS_INVALID_PARAMETER,
	    "LockCount 0: INVALID_PARAMETER");
	e[0].flags = SMB2_LOCKFLAG_EXCLUSIVE | SMB2_LOCKFLAG_FAIL_IMMEDIATELY;
	TAP_EQ_INT(decode(3, e, 1, &q), STATUS_INVALID_PARAMETER,
	    "LockCount past the message: INVALID_PARAMETER");
	e[0].offset = UINT64_MAX;
	e[0].length = 2;
	TAP_EQ_INT(decode(1, e, 1, &q), STATUS_INVALID_LOCK_RANGE,
	    "offset 2^64 - 1, length 2: INVALID_LOCK_RANGE");
	e[0].length = 1;
	TAP_EQ_INT(decode(1, e, 1, &q), STATUS_SUCCESS,
	    "offset 2^64 - 1, length 1: its last byte is 2^64 - 1");
	e[0].length = 0;
	TAP_EQ_INT(decode(1, e, 1, &q), STATUS_SUCCESS,
	    "offset 2^64 - 1, length 0: a valid zero-length lock");
	e[0].offset = UINT64_MAX - 10;
	e[0].length = 10;
	TAP_EQ_INT(decode(1, e, 1, &q), STATUS_SUCCESS,
	    "a range ending at byte 2^64 - 2");
	len = lock_msg(m, sizeof(m), 1, e, 1);
	TAP_EQ_INT(smb2_lock_decode(m, len - 1, &q), STATUS_INVALID_PARAMETER,
	    "a body one byte short: INVALID_PARAMETER");
	smb2_put16(m + SMB2_HDR_SIZE, 49);
	TAP_EQ_INT(smb2_lock_decode(m, len, &q), STATUS_INVALID_PARAMETER,
	    "StructureSize 49: INVALID_PARAMETER");
}

static void
test_share(void)
{
	TAP_EQ_INT(smb2_share_access(0x00000080), 0,
	    "FILE_READ_ATTRIBUTES alone takes no part in sharing");
	TAP_EQ_INT(smb2_share_access(0x00120089), 1, "FILE_GENERIC_READ: read");
	TAP_EQ_INT(smb2_share_access(0x00000004), 2, "FILE_APPEND_DATA: write");
	TAP_EQ_INT(smb2_share_access(0x00010000), 4, "DELETE: delete");
	TAP_EQ_INT(smb2_share_access(0xC0000000u), 3,
	    "GENERIC_READ | GENERIC_WRITE: read and write");
	TAP_EQ_INT(smb2_share_access(0x10000000), 7, "GENERIC_ALL: all three");
	TAP_EQ_INT(smb2_share_access(0x02000000), 7, "MAXIMUM_ALLOWED: all");
	TAP_EQ_INT(smb2_share_deny(7), 0, "FILE_SHARE_ALL denies nothing");
	TAP_EQ_INT(smb2_share_deny(1), 6,
	    "FILE_SHARE_READ denies write and delete");
	TAP_EQ_INT(smb2_share_deny(0), 7, "no sharing denies all");
	TAP_EQ_INT(smb2_share_deny(0xfffffff8u), 7,
	    "bits beyond the three are not shares");
}

static struct smb2_brl *
add(struct smb2_brl_list *l, uint64_t fid, uint64_t off, uint64_t len,
    int excl)
{
	struct smb2_brl *b = calloc(1, sizeof(*b));

	if (b == NULL)
		abort();
	b->session_id = 1;
	b->file_id = fid;
	b->offset = off;
	b->length = len;
	b->exclusive = excl;
	TAILQ_INSERT_TAIL(l, b, entry);
	return b;
}

static void
test_brl(void)
{
	struct smb2_brl_list l;
	struct smb2_brl *x, *s, *b;

	TAILQ_INIT(&l);
	tap_ok(smb2_brl_overlap(0, 10, 9, 1) && !smb2_brl_overlap(0, 10, 10, 5),
	    "overlap: byte 9 shared, byte 10 not");
	tap_ok(!smb2_brl_overlap(5, 0, 5, 0), "two zero-length ranges never");
	tap_ok(smb2_brl_overlap(5, 0, 4, 2) && !smb2_brl_overlap(5, 0, 5, 2) &&
	    !smb2_brl_overlap(5, 0, 0, 5),
	    "zero-length at 5: inside 4-5 yes, at the start of 5-6 or past "
	    "0-4 no");
	tap_ok(smb2_brl_overlap(UINT64_MAX - 1, 1, 0, 0) == 0 &&
	    smb2_brl_overlap(UINT64_MAX - 5, 5, UINT64_MAX - 1, 1),
	    "ranges at the top of the space");
	x = add(&l, 1, 0, 10, 1);
	tap_ok(smb2_brl_lock_conflict(&l, 1, 2, 5, 1, 0, 0),
	    "a shared lock over another open's exclusive: conflict");
	tap_ok(!smb2_brl_lock_conflict(&l, 1, 1, 5, 1, 0, 0),
	    "a shared lock over the owner's own exclusive: none");
	tap_ok(smb2_brl_lock_conflict(&l, 1, 1, 5, 1, 1, 0),
	    "an exclusive lock over the owner's own: conflict");
	tap_ok(!smb2_brl_lock_conflict(&l, 1, 2, 5, 1, 1, 1),
	    "zero_only looks past locks with a length");
	tap_ok(!smb2_brl_lock_conflict(&l, 1, 2, 0, 0, 1, 0),
	    "a zero-length lock at 0, the start of 0-9: none");
	tap_ok(smb2_brl_lock_conflict(&l, 1, 2, 3, 0, 0, 0),
	    "a zero-length shared lock at 3, inside the exclusive 0-9: "
	    "conflict");
	tap_ok(smb2_brl_io_conflict(&l, 1, 2, 9, 5, 0) &&
	    smb2_brl_io_conflict(&l, 1, 2, 0, 1, 1),
	    "READ and WRITE of another open over an exclusive lock: conflict");
	tap_ok(!smb2_brl_io_conflict(&l, 1, 1, 0, 10, 0) &&
	    !smb2_brl_io_conflict(&l, 1, 1, 0, 10, 1),
	    "the owner reads and writes under its exclusive lock");
	tap_ok(!smb2_brl_io_conflict(&l, 1, 2, 10, 100, 1) &&
	    !smb2_brl_io_conflict(&l, 1, 2, 5, 0, 1),
	    "I/O past it, or of no byte: none");
	tap_ok(smb2_brl_io_conflict(&l, 2, 1, 0, 1, 0),
	    "the same FileId in another session is another owner");
	s = add(&l, 1, 0, 10, 0);
	tap_ok(!smb2_brl_io_conflict(&l, 1, 3, 20, 1, 1), "unrelated range");
	TAILQ_REMOVE(&l, x, entry);
	free(x);
	tap_ok(!smb2_brl_io_conflict(&l, 1, 2, 0, 10, 0),
	    "READ over another open's shared lock: none");
	tap_ok(smb2_brl_io_conflict(&l, 1, 2, 0, 10, 1),
	    "WRITE over another open's shared lock: conflict");
	tap_ok(smb2_brl_io_conflict(&l, 1, 1, 0, 10, 1),
	    "WRITE under the owner's own shared lock: conflict (Windows)");
	b = add(&l, 1, 0, 10, 1);
	tap_ok(smb2_brl_find(&l, 1, 1, 0, 10) == b,
	    "unlock of a stacked range takes the exclusive lock first");
	TAILQ_REMOVE(&l, b, entry);
	free(b);
	tap_ok(smb2_brl_find(&l, 1, 1, 0, 10) == s, "then the shared one");
	tap_ok(smb2_brl_find(&l, 1, 1, 0, 9) == NULL &&
	    smb2_brl_find(&l, 1, 2, 0, 10) == NULL,
	    "no lock of another range or another open");
	TAILQ_REMOVE(&l, s, entry);
	free(s);
}

/* Random LOCK bodies: decoded or refused, never read past the end. */
static void
test_random(void)
{
	struct smb2_lock_element e;
	struct smb2_lock_req q;
	uint32_t seed = 0x10c4, st;
	uint8_t *m;
	size_t len, i, n, ok = 0;
	uint16_t k;

	for (n = 0; n < 20000; n++) {
		seed = seed * 1103515245u + 12345u;
		len = SMB2_HDR_SIZE + (seed >> 8) % 200;
		if ((m = malloc(len)) == NULL)
			abort();
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			m[i] = (uint8_t)(seed >> 16);
		}
		if (len >= SMB2_HDR_SIZE + 4) {
			smb2_put16(m + SMB2_HDR_SIZE, 48);
			m[SMB2_HDR_SIZE + 2] &= 7;
			m[SMB2_HDR_SIZE + 3] = 0;
		}
		st = smb2_lock_decode(m, len, &q);
		if (st == STATUS_SUCCESS) {
			for (k = 0; k < q.count; k++)
				smb2_lock_element_get(&q, k, &e);
			ok++;
		}
		free(m);
	}
	tap_ok(1, "20000 random LOCK bodies: %zu decoded, none read past "
	    "its end (ASan in CI)", ok);
}

/* MS-SMB2 3.3.5.14: LockSequenceIndex 1 to 64, LockSequenceNumber. */
static void
test_sequence(void)
{
	struct smb2_lock_sequence ls;

	memset(&ls, 0, sizeof(ls));
	tap_ok(smb2_lock_sequence_bucket(0x01) == 0 &&
	    smb2_lock_sequence_bucket(0x11) == 1 &&
	    smb2_lock_sequence_bucket(0x40f) == 64 &&
	    smb2_lock_sequence_bucket(0x411) == 0 &&
	    smb2_lock_sequence_bucket(0xfffffff1u) == 0,
	    "sequence: buckets 1 to 64; index 0 and past 64 unchecked");
	tap_ok(!smb2_lock_sequence_replay(&ls, 0x11),
	    "sequence: an empty bucket: no replay");
	smb2_lock_sequence_record(&ls, 0x11);
	tap_ok(smb2_lock_sequence_replay(&ls, 0x11) &&
	    !smb2_lock_sequence_replay(&ls, 0x12) &&
	    !smb2_lock_sequence_replay(&ls, 0x21),
	    "sequence: the recorded number replays, no other");
	smb2_lock_sequence_forget(&ls, 0x12);
	tap_ok(!smb2_lock_sequence_replay(&ls, 0x11),
	    "sequence: forgotten before a new LOCK of the bucket runs");
	smb2_lock_sequence_record(&ls, 0x01);
	smb2_lock_sequence_record(&ls, 0x411);
	tap_ok(ls.valid == 0 && !smb2_lock_sequence_replay(&ls, 0x01) &&
	    !smb2_lock_sequence_replay(&ls, 0x411),
	    "sequence: index 0 and 65 are never recorded");
}

int
main(void)
{
	test_sequence();
	test_decode();
	test_share();
	test_brl();
	test_random();
	return tap_done();
}
