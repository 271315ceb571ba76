/*
 * smbd/smb2_lease.c: the create context chain walked and checked
 * (elements past the chain, misaligned or backward Next, names and data
 * outside their element), lease requests v1 and v2 decoded and the
 * response encoded back, what may be granted of a requested state,
 * oplock levels as lease states, what each kind of conflict breaks a
 * state to, the break notifications' bytes, acknowledgments decoded
 * and checked against the break; then random chains through the walker.
 */
#include <stdlib.h>
#include <string.h>

#include "smb2.h"
#include "smb2_durable.h"
#include "smb2_lease.h"
#include "status.h"
#include "tap.h"

/* One context element at p: name (4 bytes) and data; its length. */
static size_t
ctx_put(uint8_t *p, const char *name, const uint8_t *data, size_t dlen,
    int last)
{
	size_t len = SMB2_CREATE_CTX_HDR + 8 + dlen;

	len = (len + 7) & ~(size_t)7;
	memset(p, 0, len);
	smb2_put32(p, last ? 0 : (uint32_t)len);
	smb2_put16(p + 4, SMB2_CREATE_CTX_HDR);
	smb2_put16(p + 6, 4);
	smb2_put16(p + 10, dlen ? SMB2_CREATE_CTX_HDR + 8 : 0);
	smb2_put32(p + 12, (uint32_t)dlen);
	memcpy(p + SMB2_CREATE_CTX_HDR, name, 4);
	if (dlen)
		memcpy(p + SMB2_CREATE_CTX_HDR + 8, data, dlen);
	return len;
}

static void
lease_data(uint8_t *d, int v2, uint32_t state)
{
	int i;

	memset(d, 0, SMB2_LEASE_V2_SIZE);
	for (i = 0; i < SMB2_LEASE_KEY_SIZE; i++)
		d[i] = (uint8_t)(0xa0 + i);
	smb2_put32(d + 16, state);
	if (v2) {
		smb2_put32(d + 20, SMB2_LEASE_FLAG_PARENT_KEY_SET | 0x01);
		memset(d + 32, 0x5c, SMB2_LEASE_KEY_SIZE);
		smb2_put16(d + 48, 7);
	}
}

static void
test_ctx_find(void)
{
	uint8_t chain[256], d[SMB2_LEASE_V2_SIZE];
	const uint8_t *got;
	size_t len, glen, first;

	memset(d, 0x11, 8);
	first = ctx_put(chain, "MxAc", NULL, 0, 0);
	lease_data(d, 0, 7);
	len = first + ctx_put(chain + first, "RqLs", d, SMB2_LEASE_V1_SIZE, 1);
	TAP_EQ_INT(smb2_create_ctx_find(chain, len, "RqLs", &got, &glen), 1,
	    "a lease context after another is found");
	tap_ok(got == chain + first + SMB2_CREATE_CTX_HDR + 8 &&
	    glen == SMB2_LEASE_V1_SIZE, "its data where it is, its length");
	TAP_EQ_INT(smb2_create_ctx_find(chain, len, "DHnQ", &got, &glen), 0,
	    "a context not in the chain: 0");
	TAP_EQ_INT(smb2_create_ctx_find(NULL, 0, "RqLs", &got, &glen), 0,
	    "no chain: 0");
	TAP_EQ_INT(smb2_create_ctx_find(chain, first + 8, "RqLs", &got,
	    &glen), -1, "an element cut short by the chain's end: -1");
	smb2_put32(chain, (uint32_t)len + 8);
	TAP_EQ_INT(smb2_create_ctx_find(chain, len, "RqLs", &got, &glen), -1,
	    "Next past the chain: -1");
	smb2_put32(chain, 12);
	TAP_EQ_INT(smb2_create_ctx_find(chain, len, "RqLs", &got, &glen), -1,
	    "Next not 8-byte aligned: -1");
	smb2_put32(chain, (uint32_t)first);
	smb2_put32(chain + first + 12, 4096);
	TAP_EQ_INT(smb2_create_ctx_find(chain, len, "RqLs", &got, &glen), -1,
	    "data longer than its element: -1");
	smb2_put32(chain + first + 12, SMB2_LEASE_V1_SIZE);
	smb2_put16(chain + first + 4, 4);
	TAP_EQ_INT(smb2_create_ctx_find(chain, len, "RqLs", &got, &glen), -1,
	    "a name inside the element's fixed part: -1");
	smb2_put16(chain + first + 4, SMB2_CREATE_CTX_HDR);
	smb2_put16(chain + first + 6, 0);
	TAP_EQ_INT(smb2_create_ctx_find(chain, len, "RqLs", &got, &glen), -1,
	    "an empty name: -1");
}

static void
test_lease_codec(void)
{
	uint8_t d[SMB2_LEASE_V2_SIZE], out[SMB2_LEASE_RSP_MAX];
	uint8_t chain[SMB2_LEASE_RSP_MAX];
	struct smb2_lease l, back;
	const uint8_t *got;
	size_t len, glen;

	lease_data(d, 0, 3);
	TAP_EQ_INT(smb2_lease_decode(d, SMB2_LEASE_V1_SIZE, &l), 0,
	    "a v1 lease request decodes");
	tap_ok(l.version == 1 && l.state == 3 && l.key[0] == 0xa0 &&
	    l.key[15] == 0xaf && l.flags == 0, "v1: key, state RH, no flags");
	lease_data(d, 1, 7);
	TAP_EQ_INT(smb2_lease_decode(d, SMB2_LEASE_V2_SIZE, &l), 0,
	    "a v2 lease request decodes");
	tap_ok(l.version == 2 && l.state == 7 && l.epoch == 7 &&
	    l.flags == SMB2_LEASE_FLAG_PARENT_KEY_SET &&
	    l.parent_key[0] == 0x5c,
	    "v2: epoch, parent key kept, unknown flags dropped");
	TAP_EQ_INT(smb2_lease_decode(d, 40, &l), -1,
	    "a lease context of neither size: -1");
	TAP_EQ_INT(smb2_lease_decode(NULL, SMB2_LEASE_V1_SIZE, &l), -1,
	    "no data: -1");

	l.state = 5;
	l.flags |= SMB2_LEASE_FLAG_BREAK_IN_PROGRESS;
	len = smb2_lease_encode(&l, out, sizeof(out));
	TAP_EQ_INT(len, SMB2_CREATE_CTX_HDR + 8 + SMB2_LEASE_V2_SIZE,
	    "the v2 response context's length");
	TAP_EQ_INT(smb2_lease_encode(&l, out, len - 1), 0,
	    "no room: 0, nothing written past outmax");
	memcpy(chain, out, len);
	TAP_EQ_INT(smb2_create_ctx_find(chain, len, "RqLs", &got, &glen), 1,
	    "the response walks as a chain of one");
	TAP_EQ_INT(smb2_lease_decode(got, glen, &back), 0,
	    "and its data decodes");
	tap_ok(back.version == 2 && back.state == 5 && back.epoch == 7 &&
	    memcmp(back.key, l.key, SMB2_LEASE_KEY_SIZE) == 0 &&
	    back.parent_key[0] == 0x5c && (smb2_get32(got + 20) &
	    SMB2_LEASE_FLAG_BREAK_IN_PROGRESS),
	    "key, state, epoch, parent key and BREAK_IN_PROGRESS round-trip");
	l.version = 1;
	TAP_EQ_INT(smb2_lease_encode(&l, out, sizeof(out)),
	    SMB2_CREATE_CTX_HDR + 8 + SMB2_LEASE_V1_SIZE,
	    "a v1 response is 32 bytes of data");
}

static void
test_rules(void)
{
	TAP_EQ_INT(smb2_lease_grantable(SMB2_LEASE_ALL), SMB2_LEASE_ALL,
	    "RWH may be granted");
	TAP_EQ_INT(smb2_lease_grantable(3), 3, "RH may be granted");
	TAP_EQ_INT(smb2_lease_grantable(SMB2_LEASE_HANDLE), 0,
	    "H alone: none");
	TAP_EQ_INT(smb2_lease_grantable(SMB2_LEASE_WRITE |
	    SMB2_LEASE_HANDLE), 0, "WH without R: none");
	TAP_EQ_INT(smb2_lease_grantable(0x0f), SMB2_LEASE_ALL,
	    "unknown bits are dropped");

	TAP_EQ_INT(smb2_oplock_to_lease(SMB2_OPLOCK_LEVEL_BATCH),
	    SMB2_LEASE_ALL, "batch stands for RWH");
	TAP_EQ_INT(smb2_oplock_to_lease(SMB2_OPLOCK_LEVEL_EXCLUSIVE), 5,
	    "exclusive for RW");
	TAP_EQ_INT(smb2_oplock_to_lease(SMB2_OPLOCK_LEVEL_II), 1,
	    "level II for R");
	TAP_EQ_INT(smb2_oplock_to_lease(SMB2_OPLOCK_LEVEL_LEASE), 0,
	    "the lease level is no oplock");
	TAP_EQ_INT(smb2_lease_to_oplock(3), SMB2_OPLOCK_LEVEL_II,
	    "RH back as level II");
	TAP_EQ_INT(smb2_lease_to_oplock(7), SMB2_OPLOCK_LEVEL_BATCH,
	    "RWH back as batch");
	TAP_EQ_INT(smb2_lease_to_oplock(5), SMB2_OPLOCK_LEVEL_EXCLUSIVE,
	    "RW back as exclusive");
	TAP_EQ_INT(smb2_lease_to_oplock(0), SMB2_OPLOCK_LEVEL_NONE,
	    "nothing back as none");

	TAP_EQ_INT(smb2_lease_break_to(7, SMB2_BREAK_OPEN), 3,
	    "a second open breaks RWH to RH");
	TAP_EQ_INT(smb2_lease_break_to(3, SMB2_BREAK_OPEN), 3,
	    "and leaves RH alone");
	TAP_EQ_INT(smb2_lease_break_to(3, SMB2_BREAK_OPEN_SHARING), 1,
	    "an open the handle stands in the way of breaks RH to R");
	TAP_EQ_INT(smb2_lease_break_to(7, SMB2_BREAK_OPEN_SHARING), 1,
	    "and RWH to R");
	TAP_EQ_INT(smb2_lease_break_to(3, SMB2_BREAK_WRITE), 0,
	    "a write breaks RH to none");
	TAP_EQ_INT(smb2_lease_break_to(1, SMB2_BREAK_WRITE), 0,
	    "and R (level II) to none");
	TAP_EQ_INT(smb2_lease_to_oplock(smb2_lease_break_to(
	    smb2_oplock_to_lease(SMB2_OPLOCK_LEVEL_BATCH), SMB2_BREAK_OPEN)),
	    SMB2_OPLOCK_LEVEL_II, "a second open breaks batch to level II");

	TAP_EQ_INT(smb2_lease_grant_level(7), 2, "RWH: a write grant");
	TAP_EQ_INT(smb2_lease_grant_level(3), 1, "RH: a read grant");
	TAP_EQ_INT(smb2_lease_grant_level(0), 0, "none: no grant");
}

static void
test_breaks(void)
{
	uint8_t m[SMB2_HDR_SIZE + SMB2_LEASE_BREAK_SIZE], key[16];
	uint8_t *b = m + SMB2_HDR_SIZE;
	struct smb2_break_ack a;

	memset(m, 0, sizeof(m));
	smb2_oplock_break_encode(b, SMB2_OPLOCK_LEVEL_II, 0x1122, 0x3344);
	tap_ok(smb2_get16(b) == 24 && b[2] == SMB2_OPLOCK_LEVEL_II &&
	    smb2_get64(b + 8) == 0x1122 && smb2_get64(b + 16) == 0x3344,
	    "OPLOCK_BREAK notification: size 24, level, FileId");
	/* An acknowledgment has the notification's layout. */
	b[2] = SMB2_OPLOCK_LEVEL_NONE;
	TAP_EQ_INT(smb2_break_ack_decode(m, SMB2_HDR_SIZE + 24, &a), 0,
	    "an oplock acknowledgment decodes");
	tap_ok(!a.lease && a.oplock == 0 && smb2_get64(a.file_id) == 0x1122,
	    "its level and FileId");
	TAP_EQ_INT(smb2_break_ack_decode(m, SMB2_HDR_SIZE + 20, &a), -1,
	    "cut short: -1");

	memset(key, 0x42, sizeof(key));
	smb2_lease_break_encode(b, key, 9, 7, 3, 1);
	tap_ok(smb2_get16(b) == 44 && smb2_get16(b + 2) == 9 &&
	    smb2_get32(b + 4) == SMB2_LEASE_BREAK_ACK_REQUIRED &&
	    b[8] == 0x42 && b[23] == 0x42 && smb2_get32(b + 24) == 7 &&
	    smb2_get32(b + 28) == 3 && smb2_get32(b + 32) == 0,
	    "LEASE_BREAK notification: epoch, ACK_REQUIRED, key, states");
	/* 2.2.24.2: StructureSize 36, key at 8, state at 24. */
	memset(b, 0, SMB2_LEASE_BREAK_SIZE);
	smb2_put16(b, 36);
	memcpy(b + 8, key, 16);
	smb2_put32(b + 24, 3);
	TAP_EQ_INT(smb2_break_ack_decode(m, SMB2_HDR_SIZE + 36, &a), 0,
	    "a lease acknowledgment decodes");
	tap_ok(a.lease && a.state == 3 && memcmp(a.key, key, 16) == 0,
	    "its key and state");
	TAP_EQ_INT(smb2_break_ack_decode(m, SMB2_HDR_SIZE + 30, &a), -1,
	    "cut short: -1");
	smb2_put16(b, 25);
	TAP_EQ_INT(smb2_break_ack_decode(m, sizeof(m), &a), -1,
	    "another StructureSize: -1");

	TAP_EQ_INT(smb2_oplock_ack_check(SMB2_OPLOCK_LEVEL_II,
	    SMB2_OPLOCK_LEVEL_II), 0, "a break to II acked at II");
	TAP_EQ_INT(smb2_oplock_ack_check(SMB2_OPLOCK_LEVEL_II,
	    SMB2_OPLOCK_LEVEL_NONE), 0, "or at none");
	TAP_EQ_INT(smb2_oplock_ack_check(SMB2_OPLOCK_LEVEL_NONE,
	    SMB2_OPLOCK_LEVEL_II), STATUS_INVALID_OPLOCK_PROTOCOL,
	    "a break to none acked at II: INVALID_OPLOCK_PROTOCOL");
	TAP_EQ_INT(smb2_oplock_ack_check(SMB2_OPLOCK_LEVEL_II,
	    SMB2_OPLOCK_LEVEL_BATCH), STATUS_INVALID_PARAMETER,
	    "an ack keeping batch: INVALID_PARAMETER");
	TAP_EQ_INT(smb2_lease_ack_check(1, 1), 0, "a break to R acked at R");
	TAP_EQ_INT(smb2_lease_ack_check(1, 0), 0, "or at none");
	TAP_EQ_INT(smb2_lease_ack_check(1, 3), STATUS_REQUEST_NOT_ACCEPTED,
	    "an ack keeping H: REQUEST_NOT_ACCEPTED");
}

static uint32_t
lease_random(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

/* Random chains: the walker never reads outside the bytes it was given. */
static void
test_random(void)
{
	const uint8_t *got;
	size_t glen, len, found = 0, outside = 0;
	uint8_t *c;
	uint32_t seed = 26;
	int i, j;

	for (i = 0; i < 20000; i++) {
		len = (size_t)(lease_random(&seed) % 160);
		if ((c = malloc(len ? len : 1)) == NULL)
			abort();
		for (j = 0; j < (int)len; j++)
			c[j] = (uint8_t)lease_random(&seed);
		/* Plausible fixed parts now and then. */
		if (len >= 24 && i % 2) {
			smb2_put32(c, (uint32_t)(lease_random(&seed) % 8) * 8);
			smb2_put16(c + 4, 16);
			smb2_put16(c + 6, 4);
			smb2_put16(c + 10, 24);
			smb2_put32(c + 12, lease_random(&seed) % 64);
			memcpy(c + 16, "RqLs", 4);
		}
		if (smb2_create_ctx_find(c, len, "RqLs", &got, &glen) == 1) {
			if (glen != 0 && (got < c || got + glen > c + len))
				outside++;
			found++;
		}
		free(c);
	}
	TAP_EQ_INT(outside, 0, "20000 random chains: %zu with a lease "
	    "context, its data inside the chain every time", found);
}

/*
 * A durable open's lease kept in its state blob (layout 2), so that a
 * reconnect after kill -9 of smbd takes it back (MS-SMB2 3.3.5.9.12).
 */
static void
test_durable_lease(void)
{
	struct smb2_durable_state st, back;
	uint8_t blob[1024];
	size_t n, n1;

	memset(&st, 0, sizeof(st));
	st.fhlen = 8;
	memset(st.fh, 0x33, st.fhlen);
	strcpy(st.name, "l.bin");
	n1 = smb2_durable_state_encode(&st, blob, sizeof(blob));
	TAP_EQ_INT(smb2_get32(blob), 1, "no lease: layout 1 as before");
	st.lease_version = 2;
	memset(st.lease_key, 0x5a, sizeof(st.lease_key));
	st.lease_state = SMB2_LEASE_ALL;
	st.lease_epoch = 7;
	n = smb2_durable_state_encode(&st, blob, sizeof(blob));
	tap_ok(n == n1 + SMB2_DURABLE_STATE_LEASE && smb2_get32(blob) == 2,
	    "a lease: layout 2, its 28 bytes more");
	tap_ok(smb2_durable_state_decode(blob, n, &back) == 0 &&
	    back.lease_version == 2 && back.lease_key[15] == 0x5a &&
	    back.lease_state == SMB2_LEASE_ALL && back.lease_epoch == 7 &&
	    back.fhlen == 8 && strcmp(back.name, "l.bin") == 0,
	    "decoded back: key, state, epoch, and the rest");
	smb2_put32(blob + SMB2_DURABLE_STATE_FIXED, 3);
	TAP_EQ_INT(smb2_durable_state_decode(blob, n, &back), -1,
	    "a lease version neither 1 nor 2: refused");
	TAP_EQ_INT(smb2_durable_state_decode(blob, SMB2_DURABLE_STATE_FIXED +
	    SMB2_DURABLE_STATE_LEASE - 1, &back), -1,
	    "layout 2 cut inside the lease: refused");
}

/* MS-SMB2 3.3.5.9.7, 3.3.5.9.12: a reconnect names the open's lease. */
static void
test_reconnect_lease(void)
{
	struct smb2_durable_state st;
	struct smb2_lease l;

	memset(&st, 0, sizeof(st));
	memset(&l, 0, sizeof(l));
	TAP_EQ_INT(smb2_durable_lease_same(&st, NULL), 1,
	    "an open without a lease, a reconnect without one: the same");
	TAP_EQ_INT(smb2_durable_lease_same(&st, &l), 0,
	    "a reconnect with a lease of an open without one: not the open");
	st.lease_version = 2;
	memset(st.lease_key, 0x5a, sizeof(st.lease_key));
	TAP_EQ_INT(smb2_durable_lease_same(&st, NULL), 0,
	    "an open with a lease, a reconnect without one: not the open");
	memset(l.key, 0x5a, sizeof(l.key));
	TAP_EQ_INT(smb2_durable_lease_same(&st, &l), 1,
	    "the same key: the same");
	l.key[15] ^= 1;
	TAP_EQ_INT(smb2_durable_lease_same(&st, &l), 0,
	    "another key: not the open");
}

int
main(void)
{
	test_ctx_find();
	test_lease_codec();
	test_rules();
	test_breaks();
	test_random();
	test_durable_lease();
	test_reconnect_lease();
	return tap_done();
}
