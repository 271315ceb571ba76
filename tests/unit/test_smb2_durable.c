/*
 * smbd/smb2_durable.c: the durable contexts of a CREATE decoded (DHnQ,
 * DH2Q with its Timeout, flags and CreateGuid, DHnC and DH2C with their
 * FileId), the combinations MS-SMB2 3.3.5.9.7, .10 and .12 refuse or
 * ignore, v2 ignored below SMB 3.0, wrong sizes refused; the timeout
 * granted; the response contexts' bytes; the state blob both ways and
 * blobs that are not ours refused.
 */
#include <stdlib.h>
#include <string.h>

#include "smb2.h"
#include "smb2_durable.h"
#include "smb2_lease.h"
#include "status.h"
#include "tap.h"

/* A context element at p; its padded length. */
static size_t
ctx_put(uint8_t *p, const char *name, const uint8_t *data, size_t dlen,
    int last)
{
	size_t len = (SMB2_CREATE_CTX_HDR + 8 + dlen + 7) & ~(size_t)7;

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
test_parse(void)
{
	struct smb2_durable_req q;
	uint8_t chain[512], d[64];
	size_t n;
	int i;

	memset(d, 0, sizeof(d));
	tap_ok(smb2_durable_parse(NULL, 0, 0x311, &q) == STATUS_SUCCESS &&
	    q.version == 0 && q.reconnect == 0, "no contexts: nothing asked");
	n = ctx_put(chain, "DHnQ", d, 16, 1);
	tap_ok(smb2_durable_parse(chain, n, 0x202, &q) == STATUS_SUCCESS &&
	    q.version == 1 && q.reconnect == 0, "DHnQ: v1 asked (2.0.2 too)");
	n = ctx_put(chain, "DHnQ", d, 8, 1);
	tap_ok(smb2_durable_parse(chain, n, 0x311, &q) ==
	    STATUS_INVALID_PARAMETER, "DHnQ of 8 bytes: INVALID_PARAMETER");

	smb2_put32(d, 45000);
	smb2_put32(d + 4, SMB2_DURABLE_FLAG_PERSISTENT);
	for (i = 0; i < 16; i++)
		d[16 + i] = (uint8_t)(0xa0 + i);
	n = ctx_put(chain, "DH2Q", d, 32, 1);
	tap_ok(smb2_durable_parse(chain, n, 0x300, &q) == STATUS_SUCCESS &&
	    q.version == 2 && q.timeout_ms == 45000 &&
	    q.flags == SMB2_DURABLE_FLAG_PERSISTENT && q.guid[0] == 0xa0 &&
	    q.guid[15] == 0xaf, "DH2Q: v2 with Timeout, flags, CreateGuid");
	tap_ok(smb2_durable_parse(chain, n, 0x210, &q) == STATUS_SUCCESS &&
	    q.version == 0, "DH2Q in 2.1: ignored");
	n = ctx_put(chain, "DH2Q", d, 24, 1);
	tap_ok(smb2_durable_parse(chain, n, 0x311, &q) ==
	    STATUS_INVALID_PARAMETER, "DH2Q of 24 bytes: INVALID_PARAMETER");
	n = ctx_put(chain, "DHnQ", d, 16, 0);
	n += ctx_put(chain + n, "DH2Q", d, 32, 1);
	tap_ok(smb2_durable_parse(chain, n, 0x311, &q) ==
	    STATUS_INVALID_PARAMETER, "DHnQ with DH2Q: INVALID_PARAMETER "
	    "(3.3.5.9.10)");

	memset(d, 0, sizeof(d));
	smb2_put64(d, 0xdf00000000001234ull);
	smb2_put64(d + 8, 77);
	n = ctx_put(chain, "DHnC", d, 16, 1);
	tap_ok(smb2_durable_parse(chain, n, 0x311, &q) == STATUS_SUCCESS &&
	    q.reconnect == 1 && q.persistent == 0xdf00000000001234ull &&
	    q.volatile_id == 77, "DHnC: the FileId to reconnect");
	n = ctx_put(chain, "DHnQ", d, 16, 0);
	n += ctx_put(chain + n, "DHnC", d, 16, 1);
	tap_ok(smb2_durable_parse(chain, n, 0x311, &q) == STATUS_SUCCESS &&
	    q.reconnect == 1 && q.version == 0,
	    "DHnC with DHnQ: the DHnQ ignored (3.3.5.9.7)");
	n = ctx_put(chain, "DHnC", d, 16, 0);
	n += ctx_put(chain + n, "DH2Q", d, 32, 1);
	tap_ok(smb2_durable_parse(chain, n, 0x311, &q) ==
	    STATUS_INVALID_PARAMETER, "DHnC with DH2Q: INVALID_PARAMETER");
	n = ctx_put(chain, "DHnC", d, 15, 1);
	tap_ok(smb2_durable_parse(chain, n, 0x311, &q) ==
	    STATUS_INVALID_PARAMETER, "DHnC of 15 bytes: INVALID_PARAMETER");

	for (i = 0; i < 16; i++)
		d[16 + i] = (uint8_t)i;
	smb2_put32(d + 32, 0);
	n = ctx_put(chain, "DH2C", d, 36, 1);
	tap_ok(smb2_durable_parse(chain, n, 0x302, &q) == STATUS_SUCCESS &&
	    q.reconnect == 2 && q.persistent == 0xdf00000000001234ull &&
	    q.guid[15] == 15, "DH2C: FileId and CreateGuid");
	tap_ok(smb2_durable_parse(chain, n, 0x210, &q) == STATUS_SUCCESS &&
	    q.reconnect == 0, "DH2C in 2.1: ignored");
	n = ctx_put(chain, "DH2C", d, 36, 0);
	n += ctx_put(chain + n, "DH2Q", d, 32, 1);
	tap_ok(smb2_durable_parse(chain, n, 0x311, &q) ==
	    STATUS_INVALID_PARAMETER, "DH2C with DH2Q: INVALID_PARAMETER "
	    "(3.3.5.9.12)");
	n = ctx_put(chain, "DH2C", d, 36, 1);
	smb2_put32(chain + 12, 400);
	tap_ok(smb2_durable_parse(chain, n, 0x311, &q) ==
	    STATUS_INVALID_PARAMETER, "data past the chain: INVALID_PARAMETER");
}

static void
test_timeout_encode(void)
{
	struct smb2_durable_req q;
	uint8_t out[SMB2_DURABLE_RSP_SIZE + 8];

	memset(&q, 0, sizeof(q));
	q.version = 1;
	q.timeout_ms = 5000;
	tap_ok(smb2_durable_timeout(&q, 60000) == 60000,
	    "v1: the server's timeout");
	q.version = 2;
	tap_ok(smb2_durable_timeout(&q, 60000) == 5000,
	    "v2: the client's Timeout below the server's");
	q.timeout_ms = 0;
	tap_ok(smb2_durable_timeout(&q, 60000) == 60000,
	    "v2, Timeout 0: the server's");
	q.timeout_ms = 900000;
	tap_ok(smb2_durable_timeout(&q, 300000) == 300000,
	    "v2: a Timeout above the server's capped");

	memset(out, 0xee, sizeof(out));
	tap_ok(smb2_durable_encode(1, 0, out, sizeof(out)) ==
	    SMB2_DURABLE_RSP_SIZE && smb2_get32(out) == 0 &&
	    smb2_get16(out + 4) == 16 && smb2_get16(out + 6) == 4 &&
	    smb2_get16(out + 10) == 24 && smb2_get32(out + 12) == 8 &&
	    memcmp(out + 16, "DHnQ", 4) == 0 && smb2_get64(out + 24) == 0,
	    "DHnQ response: 8 reserved bytes");
	tap_ok(smb2_durable_encode(2, 45000, out, sizeof(out)) ==
	    SMB2_DURABLE_RSP_SIZE && memcmp(out + 16, "DH2Q", 4) == 0 &&
	    smb2_get32(out + 24) == 45000 && smb2_get32(out + 28) == 0,
	    "DH2Q response: the timeout, never persistent");
	tap_ok(smb2_durable_encode(2, 1, out, SMB2_DURABLE_RSP_SIZE - 1) == 0,
	    "no room: 0");
}

static void
test_state(void)
{
	struct smb2_durable_state st, back;
	uint8_t blob[1024];
	size_t n;

	memset(&st, 0, sizeof(st));
	st.share_id = 7;
	st.access = 3;
	st.options = 0x40;
	st.desired = 0xc0000000;
	st.share_access = 1;
	st.oplock = 9;
	st.fhlen = 20;
	memset(st.fh, 0x11, st.fhlen);
	st.dir_fhlen = 12;
	memset(st.dir_fh, 0x22, st.dir_fhlen);
	strcpy(st.name, "file.bin");
	n = smb2_durable_state_encode(&st, blob, sizeof(blob));
	tap_ok(n == SMB2_DURABLE_STATE_FIXED + 8, "state: fixed part and name");
	tap_ok(smb2_durable_state_decode(blob, n, &back) == 0 &&
	    back.share_id == 7 && back.access == 3 && back.options == 0x40 &&
	    back.desired == 0xc0000000 && back.share_access == 1 &&
	    back.oplock == 9 && back.fhlen == 20 && back.fh[19] == 0x11 &&
	    back.dir_fhlen == 12 && back.dir_fh[11] == 0x22 &&
	    strcmp(back.name, "file.bin") == 0, "state: decoded back");
	tap_ok(smb2_durable_state_encode(&st, blob, n - 1) == 0,
	    "state: no room: 0");
	tap_ok(smb2_durable_state_decode(blob, SMB2_DURABLE_STATE_FIXED - 1,
	    &back) == -1, "state: short: refused");
	smb2_put32(blob, 2);
	tap_ok(smb2_durable_state_decode(blob, n, &back) == -1,
	    "state: another layout: refused");
	smb2_put32(blob, 1);
	smb2_put32(blob + 32, 65);
	tap_ok(smb2_durable_state_decode(blob, n, &back) == -1,
	    "state: a handle longer than blockd's: refused");
	smb2_put32(blob + 32, 20);
	blob[n - 1] = '\0';
	tap_ok(smb2_durable_state_decode(blob, n, &back) == -1,
	    "state: a NUL in the name: refused");
}

/* A state with a 4-byte handle and a 5-byte name, nothing else set. */
static void
state_small(struct smb2_durable_state *st, const char *name)
{
	memset(st, 0, sizeof(*st));
	st->fhlen = 4;
	strcpy(st->name, name);
}

/*
 * MS-FSA 2.1.5.14.3: the delete on close as it is now rides in the
 * options word above the CreateOptions; a blob without it reads as the
 * CREATE's option said.
 */
static void
test_state_delete(void)
{
	struct smb2_durable_state st, back;
	uint8_t blob[1024];
	size_t n;

	state_small(&st, "a.bin");
	st.options = 0x40;
	st.delete_pending = st.delete_disposed = 1;
	n = smb2_durable_state_encode(&st, blob, sizeof(blob));
	tap_ok(smb2_get32(blob + 16) == (0x40 | SMB2_DURABLE_OPTIONS_DISPOSED),
	    "delete: FileDispositionInformation's bit in the options word");
	tap_ok(smb2_durable_state_decode(blob, n, &back) == 0 &&
	    back.options == 0x40 && back.delete_pending &&
	    back.delete_disposed, "delete: disposed, decoded back");
	st.options = 0x1040;
	st.delete_pending = st.delete_disposed = 0;
	n = smb2_durable_state_encode(&st, blob, sizeof(blob));
	tap_ok(smb2_durable_state_decode(blob, n, &back) == 0 &&
	    back.options == 0x1040 && !back.delete_pending &&
	    !back.delete_disposed,
	    "delete: FILE_DELETE_ON_CLOSE undone stays undone");
	st.delete_pending = 1;
	n = smb2_durable_state_encode(&st, blob, sizeof(blob));
	tap_ok(smb2_get32(blob + 16) == 0x1040 &&
	    smb2_durable_state_decode(blob, n, &back) == 0 &&
	    back.delete_pending && !back.delete_disposed,
	    "delete: the CREATE's FILE_DELETE_ON_CLOSE as before");
}

/* Layout 3: resilient and the lock sequence buckets (3.3.5.14). */
static void
test_state_replay(void)
{
	struct smb2_durable_state st, back;
	uint8_t blob[1024];
	size_t n;

	state_small(&st, "r.bin");
	st.resilient = 1;
	smb2_lock_sequence_record(&st.lock_sequence, 0x11);
	smb2_lock_sequence_record(&st.lock_sequence, 0x40f);
	n = smb2_durable_state_encode(&st, blob, sizeof(blob));
	tap_ok(n == SMB2_DURABLE_STATE_FIXED + SMB2_DURABLE_STATE_LEASE +
	    SMB2_DURABLE_STATE_REPLAY + 5 && smb2_get32(blob) == 3,
	    "state: resilient, with buckets: layout 3");
	tap_ok(smb2_durable_state_decode(blob, n, &back) == 0 &&
	    back.resilient && back.lease_version == 0 &&
	    smb2_lock_sequence_replay(&back.lock_sequence, 0x11) &&
	    smb2_lock_sequence_replay(&back.lock_sequence, 0x40f) &&
	    !smb2_lock_sequence_replay(&back.lock_sequence, 0x21) &&
	    strcmp(back.name, "r.bin") == 0,
	    "state: layout 3 decoded back, its buckets replay");
	blob[SMB2_DURABLE_STATE_FIXED + SMB2_DURABLE_STATE_LEASE + 12] = 0x10;
	tap_ok(smb2_durable_state_decode(blob, n, &back) == -1,
	    "state: a sequence number above 15: refused");
	tap_ok(smb2_durable_state_decode(blob, SMB2_DURABLE_STATE_FIXED +
	    SMB2_DURABLE_STATE_LEASE, &back) == -1,
	    "state: layout 3 cut short: refused");
	st.resilient = 0;
	memset(&st.lock_sequence, 0, sizeof(st.lock_sequence));
	n = smb2_durable_state_encode(&st, blob, sizeof(blob));
	tap_ok(smb2_get32(blob) == 1 && n == SMB2_DURABLE_STATE_FIXED + 5,
	    "state: nothing of layout 3's: layout 1 still");
}

/* Layout 4: a lease's ClientGuid (3.3.5.9.7, 3.3.5.9.12). */
static void
test_state_client(void)
{
	struct smb2_durable_state st, back;
	uint8_t blob[1024];
	size_t n;

	state_small(&st, "l.bin");
	st.lease_version = 2;
	memset(st.lease_key, 0x5a, sizeof(st.lease_key));
	st.has_client_guid = 1;
	memset(st.client_guid, 0xc1, sizeof(st.client_guid));
	n = smb2_durable_state_encode(&st, blob, sizeof(blob));
	tap_ok(n == SMB2_DURABLE_STATE_FIXED + SMB2_DURABLE_STATE_LEASE +
	    SMB2_DURABLE_STATE_REPLAY + SMB2_DURABLE_STATE_EXTRA + 5 &&
	    smb2_get32(blob) == 4, "state: a lease with its ClientGuid: layout 4");
	tap_ok(smb2_durable_state_decode(blob, n, &back) == 0 &&
	    back.has_client_guid && back.client_guid[0] == 0xc1 &&
	    back.client_guid[15] == 0xc1 && back.lease_version == 2 &&
	    back.lease_key[15] == 0x5a && !back.resilient &&
	    strcmp(back.name, "l.bin") == 0,
	    "state: layout 4 decoded back with the ClientGuid");
	tap_ok(smb2_durable_state_decode(blob, SMB2_DURABLE_STATE_FIXED +
	    SMB2_DURABLE_STATE_LEASE + SMB2_DURABLE_STATE_REPLAY, &back) == -1,
	    "state: layout 4 cut short: refused");
	smb2_put32(blob + SMB2_DURABLE_STATE_FIXED, 0);
	tap_ok(smb2_durable_state_decode(blob, n, &back) == -1,
	    "state: layout 4, a ClientGuid without a lease: refused");
	smb2_put32(blob + SMB2_DURABLE_STATE_FIXED, 2);
	smb2_put32(blob + SMB2_DURABLE_STATE_FIXED + SMB2_DURABLE_STATE_LEASE +
	    SMB2_DURABLE_STATE_REPLAY, 2);
	tap_ok(smb2_durable_state_decode(blob, n, &back) == -1,
	    "state: layout 4, unknown flags: refused");
	smb2_put32(blob, 5);
	tap_ok(smb2_durable_state_decode(blob, n, &back) == -1,
	    "state: layout 5 without its user part: refused");
	smb2_put32(blob, 6);
	tap_ok(smb2_durable_state_decode(blob, n, &back) == -1,
	    "state: layout 6: refused");
	st.has_client_guid = 0;
	n = smb2_durable_state_encode(&st, blob, sizeof(blob));
	tap_ok(smb2_get32(blob) == 2 && smb2_durable_state_decode(blob, n,
	    &back) == 0 && !back.has_client_guid,
	    "state: a lease without a ClientGuid: layout 2, none decoded");
	/* An open without a lease: its allocation and position. */
	state_small(&st, "p.bin");
	st.alloc = 0x1000;
	st.position = 0x1234567890ull;
	n = smb2_durable_state_encode(&st, blob, sizeof(blob));
	tap_ok(smb2_get32(blob) == 4 && smb2_durable_state_decode(blob, n,
	    &back) == 0 && back.alloc == 0x1000 &&
	    back.position == 0x1234567890ull && back.lease_version == 0 &&
	    !back.has_client_guid && strcmp(back.name, "p.bin") == 0,
	    "state: an allocation and a position: layout 4, decoded back");
}

/* Layout 5: the open's user, for its delete on close. */
static void
test_state_cred(void)
{
	struct smb2_durable_state st, back;
	uint8_t blob[1024];
	size_t n;

	state_small(&st, "d.bin");
	st.options = 0x1000;
	st.has_cred = 1;
	st.uid = 1001;
	st.gid = 1002;
	st.ngroups = 2;
	st.groups[0] = 20;
	st.groups[1] = 4000000000u;
	n = smb2_durable_state_encode(&st, blob, sizeof(blob));
	tap_ok(n == SMB2_DURABLE_STATE_FIXED + SMB2_DURABLE_STATE_LEASE +
	    SMB2_DURABLE_STATE_REPLAY + SMB2_DURABLE_STATE_EXTRA +
	    SMB2_DURABLE_STATE_CRED + 5 && smb2_get32(blob) == 5,
	    "state: the open's user: layout 5");
	tap_ok(smb2_durable_state_decode(blob, n, &back) == 0 &&
	    back.has_cred && back.uid == 1001 && back.gid == 1002 &&
	    back.ngroups == 2 && back.groups[0] == 20 &&
	    back.groups[1] == 4000000000u && back.options == 0x1000 &&
	    back.lease_version == 0 && strcmp(back.name, "d.bin") == 0,
	    "state: layout 5 decoded back with its user");
	smb2_put32(blob + n - 5 - SMB2_DURABLE_STATE_CRED + 8,
	    SMB2_DURABLE_GROUPS_MAX + 1);
	tap_ok(smb2_durable_state_decode(blob, n, &back) == -1,
	    "state: layout 5, more groups than it holds: refused");
	st.ngroups = SMB2_DURABLE_GROUPS_MAX + 1;
	tap_ok(smb2_durable_state_encode(&st, blob, sizeof(blob)) == 0,
	    "state: more groups than a blob holds: not encoded");
}

/* MS-SMB2 3.3.5.15.9 */
static void
test_resiliency(void)
{
	uint8_t in[8];
	uint32_t t = 0;

	memset(in, 0, sizeof(in));
	smb2_put32(in, 5000);
	tap_ok(smb2_resiliency_parse(in, 8, 60000, &t) == STATUS_SUCCESS &&
	    t == 5000, "resiliency: Timeout granted as asked");
	smb2_put32(in, 0);
	tap_ok(smb2_resiliency_parse(in, 8, 60000, &t) == STATUS_SUCCESS &&
	    t == 60000, "resiliency: Timeout 0: the server's");
	smb2_put32(in, 60001);
	tap_ok(smb2_resiliency_parse(in, 8, 60000, &t) ==
	    STATUS_INVALID_PARAMETER, "resiliency: above the cap: refused");
	tap_ok(smb2_resiliency_parse(in, 7, 60000, &t) ==
	    STATUS_INVALID_PARAMETER, "resiliency: short input: refused");
}

int
main(void)
{
	test_parse();
	test_timeout_encode();
	test_state();
	test_state_replay();
	test_state_client();
	test_state_cred();
	test_state_delete();
	test_resiliency();
	return tap_done();
}
