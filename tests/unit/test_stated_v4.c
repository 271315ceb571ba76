/*
 * stated's NFSv4.0 state (stated/v4state.c) against RFC 7530: the
 * SETCLIENTID and SETCLIENTID_CONFIRM cases, seqid replay and misuse,
 * stateid generations, share reservations and locks against NLM's in
 * the one lock table (both ways), courteous lease expiry, grace and
 * reclaim with the client records in Berkeley DB across a "restart",
 * and the per-client limits.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clients.h"
#include "lock_table.h"
#include "tap.h"
#include "v4state.h"

static struct lock_table *table;
static struct stated_clients *records;
static struct v4_state *v4;
static time_t now = 1000;

static void
quiet_log(const char *msg)
{
	tap_diag("records: %s", msg);
}

static void
start(const char *dir, int grace)
{
	char err[256];

	if (clients_open(dir, quiet_log, &records, err, sizeof(err)) == -1) {
		tap_diag("%s", err);
		exit(1);
	}
	table = lock_table_new(NULL, NULL);
	lock_table_grace_set(table, grace);
	v4 = v4_state_new(table, records, clients_epoch(records));
	if (table == NULL || v4 == NULL)
		exit(1);
	v4_state_set_lease(v4, 90);
	v4_state_set_now(v4, now);
}

static void
stop(void)
{
	v4_state_free(v4);
	lock_table_free(table);
	clients_close(records);
	v4 = NULL;
	table = NULL;
	records = NULL;
}

static void
advance(time_t seconds)
{
	now += seconds;
	v4_state_set_now(v4, now);
}

static struct lock_file_id
file_id(const char *name)
{
	struct lock_file_id f;

	memset(&f, 0, sizeof(f));
	f.len = strlen(name);
	memcpy(f.data, name, f.len);
	return f;
}

static uint32_t
setclientid(const char *id, const char *verf, const char *principal,
    const char *addr, uint32_t prog, struct v4_setclientid_res *res)
{
	struct v4_setclientid_args a;

	memset(&a, 0, sizeof(a));
	a.verifier = (const uint8_t *)verf;	/* 8 bytes */
	a.id = (const uint8_t *)id;
	a.id_len = strlen(id);
	a.principal = principal;
	a.addr = addr;
	a.cb.program = prog;
	snprintf(a.cb.netid, sizeof(a.cb.netid), "tcp");
	snprintf(a.cb.uaddr, sizeof(a.cb.uaddr), "127.0.0.1.%u.%u",
	    prog >> 8 & 255, prog & 255);
	return v4_state_setclientid(v4, &a, res);
}

/* A confirmed client; 0 on failure. */
static uint64_t
client(const char *id, const char *verf, const char *addr)
{
	struct v4_setclientid_res r;
	struct v4_confirm_res c;

	if (setclientid(id, verf, "uid0", addr, 0x40000000, &r) != V4_OK ||
	    v4_state_setclientid_confirm(v4, r.clientid, r.confirm, "uid0",
	    &c) != V4_OK)
		return 0;
	return r.clientid;
}

static uint32_t
open_file(uint64_t clientid, const char *owner, uint32_t seqid,
    const char *file, uint32_t access, uint32_t deny, int previous,
    struct v4_result *res)
{
	struct v4_open_args a;

	memset(&a, 0, sizeof(a));
	a.clientid = clientid;
	a.owner = (const uint8_t *)owner;
	a.owner_len = strlen(owner);
	a.seqid = seqid;
	a.access = access;
	a.deny = deny;
	a.file = file_id(file);
	a.claim_previous = previous;
	return v4_state_open(v4, &a, res);
}

/* OPEN then OPEN_CONFIRM; the confirmed stateid in *sid. */
static int
open_confirmed(uint64_t clientid, const char *owner, const char *file,
    uint32_t access, uint32_t deny, struct v4_stateid *sid)
{
	struct v4_result r;

	if (open_file(clientid, owner, 1, file, access, deny, 0, &r) != V4_OK) {
		tap_diag("OPEN %s: %s", file, v4_status_str(r.status));
		return 0;
	}
	if (!(r.rflags & V4_RESULT_CONFIRM))
		return 0;
	if (v4_state_open_confirm(v4, &r.stateid, 2, &r) != V4_OK) {
		tap_diag("OPEN_CONFIRM %s: %s", file, v4_status_str(r.status));
		return 0;
	}
	*sid = r.stateid;
	return 1;
}

static uint32_t
lock_new(const struct v4_stateid *open, uint32_t open_seqid,
    const char *owner, uint64_t offset, uint64_t length, int exclusive,
    int reclaim, struct v4_result *res)
{
	struct v4_lock_args a;

	memset(&a, 0, sizeof(a));
	a.new_owner = 1;
	a.open_seqid = open_seqid;
	a.open_stateid = *open;
	a.lock_seqid = 1;
	a.owner = (const uint8_t *)owner;
	a.owner_len = strlen(owner);
	a.exclusive = exclusive;
	a.reclaim = reclaim;
	a.offset = offset;
	a.length = length;
	return v4_state_lock(v4, &a, res);
}

static struct lock_owner
nlm_owner(const char *host)
{
	struct lock_owner o;

	memset(&o, 0, sizeof(o));
	o.protocol = LOCK_PROTOCOL_NLM;
	o.client_id = 900;
	o.host = host;
	o.bytes = "nlm-oh";
	o.bytes_len = 6;
	o.svid = 42;
	return o;
}

static enum lock_result
nlm_share(const char *file, unsigned access, unsigned deny)
{
	struct lock_share_request r;

	memset(&r, 0, sizeof(r));
	r.file = file_id(file);
	r.owner = nlm_owner("nlmhost@10.0.0.9");
	r.access = access;
	r.deny = deny;
	return lock_table_share(table, &r, NULL);
}

static enum lock_result
nlm_lock(const char *file, uint64_t offset, uint64_t length,
    struct lock_info *holder)
{
	struct lock_request r;

	memset(&r, 0, sizeof(r));
	r.file = file_id(file);
	r.owner = nlm_owner("nlmhost@10.0.0.9");
	r.offset = offset;
	r.length = length;
	r.type = LOCK_EXCLUSIVE;
	return lock_table_lock(table, &r, holder);
}

static uint32_t
check(const struct v4_stateid *sid, const char *file, enum v4_io io)
{
	struct v4_check_res r;
	struct lock_file_id f = file_id(file);

	return v4_state_check(v4, sid, &f, io, &r);
}

static void
test_setclientid(void)
{
	struct v4_setclientid_res r1, r2, r3;
	struct v4_confirm_res c;
	struct v4_stateid sid;
	struct v4_result res;
	uint8_t bad[8];

	/* Case 2: a new client; its unconfirmed clientid may not open. */
	tap_ok(setclientid("client-a", "verf-001", "uid0", "10.0.0.1", 1,
	    &r1) == V4_OK, "SETCLIENTID of a new client");
	tap_ok(open_file(r1.clientid, "oo", 1, "f-scid", 1, 0, 0, &res) ==
	    V4ERR_STALE_CLIENTID, "an unconfirmed clientid cannot OPEN: "
	    "NFS4ERR_STALE_CLIENTID");
	memcpy(bad, r1.confirm, 8);
	bad[0] ^= 1;
	tap_ok(v4_state_setclientid_confirm(v4, r1.clientid, bad, "uid0",
	    &c) == V4ERR_STALE_CLIENTID, "CONFIRM with a wrong verifier: "
	    "NFS4ERR_STALE_CLIENTID");
	tap_ok(v4_state_setclientid_confirm(v4, r1.clientid, r1.confirm,
	    "uid1", &c) == V4ERR_CLID_INUSE, "CONFIRM by another principal: "
	    "NFS4ERR_CLID_INUSE");
	tap_ok(v4_state_setclientid_confirm(v4, r1.clientid, r1.confirm,
	    "uid0", &c) == V4_OK && c.cb_probe && c.cb.program == 1,
	    "CONFIRM: confirmed, and the callback is to be verified");
	tap_ok(v4_state_setclientid_confirm(v4, r1.clientid, r1.confirm,
	    "uid0", &c) == V4_OK && !c.cb_probe,
	    "case 4: a retransmitted CONFIRM succeeds again");
	tap_ok(open_confirmed(r1.clientid, "owner-a", "f-scid", 1, 0, &sid),
	    "the confirmed client opens a file");

	/* Case 1: same verifier, new callback: the same clientid. */
	tap_ok(setclientid("client-a", "verf-001", "uid0", "10.0.0.1", 7,
	    &r2) == V4_OK && r2.clientid == r1.clientid &&
	    memcmp(r2.confirm, r1.confirm, 8) != 0,
	    "case 1: SETCLIENTID with the same verifier keeps the clientid, "
	    "new confirm verifier");
	tap_ok(v4_state_setclientid_confirm(v4, r2.clientid, r2.confirm,
	    "uid0", &c) == V4_OK && c.cb_probe && c.cb.program == 7,
	    "case 1 CONFIRM: the callback is replaced and re-verified");
	tap_ok(check(&sid, "f-scid", V4_IO_READ) == V4_OK,
	    "a callback update keeps the client's state");

	/* Another principal while the client holds state. */
	tap_ok(setclientid("client-a", "verf-xxx", "intruder", "10.0.0.66", 1,
	    &r3) == V4ERR_CLID_INUSE && r3.inuse.program == 7,
	    "another principal with the id string of a client with state: "
	    "NFS4ERR_CLID_INUSE, with the holder's callback");

	/* Case 3: the client rebooted (new verifier). */
	tap_ok(setclientid("client-a", "verf-002", "uid0", "10.0.0.1", 1,
	    &r3) == V4_OK && r3.clientid != r1.clientid,
	    "case 3: a new verifier gets a new clientid");
	tap_ok(check(&sid, "f-scid", V4_IO_READ) == V4_OK,
	    "until it is confirmed the old state stays");
	tap_ok(v4_state_setclientid_confirm(v4, r3.clientid, r3.confirm,
	    "uid0", &c) == V4_OK, "case 3 CONFIRM");
	tap_ok(check(&sid, "f-scid", V4_IO_READ) != V4_OK &&
	    nlm_share("f-scid", LOCK_SHARE_READ, LOCK_SHARE_ALL) == LOCK_OK,
	    "the rebooted client's old state is gone, its share too");
	lock_table_unshare(table, &(struct lock_file_id){ 6, "f-scid" },
	    &(struct lock_owner){ .protocol = LOCK_PROTOCOL_NLM,
	    .client_id = 900, .host = "nlmhost@10.0.0.9", .bytes = "nlm-oh",
	    .bytes_len = 6, .svid = 42 });
	tap_ok(v4_state_renew(v4, r1.clientid) == V4ERR_STALE_CLIENTID,
	    "the old clientid is stale");
	tap_ok(v4_state_renew(v4, r3.clientid ^ (1ULL << 40)) ==
	    V4ERR_STALE_CLIENTID, "a clientid of another epoch is stale");
	tap_ok(v4_state_renew(v4, r3.clientid) == V4_OK, "RENEW");
}

static void
test_seqid(void)
{
	struct v4_result r, r2;
	struct v4_stateid open1, old;
	uint64_t c = client("client-seq", "verf-seq", "10.0.0.2");

	tap_ok(c != 0, "client-seq confirmed");
	tap_ok(open_file(c, "seq-owner", 10, "f-seq", 1, 0, 0, &r) == V4_OK &&
	    (r.rflags & V4_RESULT_CONFIRM) && r.stateid.seqid == 1,
	    "the first OPEN of an owner asks for OPEN_CONFIRM, stateid "
	    "seqid 1");
	open1 = r.stateid;
	tap_ok(open_file(c, "seq-owner", 10, "f-seq", 1, 0, 0, &r2) == V4_OK &&
	    r2.replay && memcmp(&r2.stateid, &open1, sizeof(open1)) == 0,
	    "the same OPEN again (seqid 10) is a replay: the same stateid");
	tap_ok(v4_state_open_confirm(v4, &open1, 11, &r) == V4_OK &&
	    r.stateid.seqid == 2 && !r.replay, "OPEN_CONFIRM seqid 11: "
	    "stateid seqid 2");
	tap_ok(v4_state_open_confirm(v4, &open1, 11, &r2) == V4_OK &&
	    r2.replay && memcmp(&r2.stateid, &r.stateid, sizeof(r.stateid)) ==
	    0, "OPEN_CONFIRM again (seqid 11) is a replay with the same "
	    "answer");
	tap_ok(v4_state_open_downgrade(v4, &r.stateid, 11, 1, 0, &r2) ==
	    V4ERR_BAD_SEQID, "another operation with the last seqid: "
	    "NFS4ERR_BAD_SEQID");
	tap_ok(v4_state_close(v4, &r.stateid, 13, &r2) == V4ERR_BAD_SEQID,
	    "seqid 13 after 11: NFS4ERR_BAD_SEQID");
	tap_ok(v4_state_close(v4, &r.stateid, 11, &r2) == V4ERR_BAD_SEQID,
	    "a bad seqid changes nothing: 11 is still the last");
	old = r.stateid;
	/* An upgrade: the same stateid, its seqid goes up. */
	tap_ok(open_file(c, "seq-owner", 12, "f-seq", 3, 0, 0, &r) == V4_OK &&
	    !(r.rflags & V4_RESULT_CONFIRM) && r.stateid.seqid == 3 &&
	    memcmp(r.stateid.other, old.other, 12) == 0,
	    "an OPEN upgrade keeps the stateid, seqid 3");
	tap_ok(check(&old, "f-seq", V4_IO_READ) == V4ERR_OLD_STATEID,
	    "the stateid of seqid 2 is now NFS4ERR_OLD_STATEID");
	old.seqid = 4;
	tap_ok(check(&old, "f-seq", V4_IO_READ) == V4ERR_BAD_STATEID,
	    "a seqid from the future: NFS4ERR_BAD_STATEID");
	tap_ok(check(&r.stateid, "f-seq", V4_IO_WRITE) == V4_OK &&
	    check(&r.stateid, "f-other", V4_IO_READ) == V4ERR_BAD_STATEID,
	    "the current stateid serves WRITE, but not on another file");
	old = r.stateid;
	old.other[11] ^= 0x55;
	tap_ok(check(&old, "f-seq", V4_IO_READ) == V4ERR_BAD_STATEID,
	    "an unknown stateid: NFS4ERR_BAD_STATEID");
	old = r.stateid;
	old.other[0] ^= 0x80;
	tap_ok(check(&old, "f-seq", V4_IO_READ) == V4ERR_STALE_STATEID,
	    "a stateid of another epoch: NFS4ERR_STALE_STATEID");
	tap_ok(v4_state_open_downgrade(v4, &r.stateid, 13, 2, 1, &r2) ==
	    V4ERR_INVAL, "a downgrade to a deny it never had: NFS4ERR_INVAL");
	tap_ok(v4_state_open_downgrade(v4, &r.stateid, 14, 1, 0, &r2) ==
	    V4_OK && r2.stateid.seqid == 4 &&
	    check(&r2.stateid, "f-seq", V4_IO_WRITE) == V4ERR_OPENMODE,
	    "OPEN_DOWNGRADE to read: seqid 4, a WRITE is NFS4ERR_OPENMODE");
	tap_ok(v4_state_close(v4, &r2.stateid, 15, &r) == V4_OK &&
	    r.stateid.seqid == 5, "CLOSE");
	tap_ok(v4_state_close(v4, &r2.stateid, 15, &r2) == V4_OK &&
	    r2.replay && r2.stateid.seqid == 5,
	    "a retransmitted CLOSE gets the CLOSE's answer");
	tap_ok(check(&r.stateid, "f-seq", V4_IO_READ) == V4ERR_BAD_STATEID,
	    "a closed stateid is NFS4ERR_BAD_STATEID");
}

/* RFC 7530 9.1.7: ST_V4_OPEN_REPLAY's question, asked before a create. */
static void
test_open_replay(void)
{
	struct v4_result r, kept;
	struct lock_file_id f;
	uint64_t c = client("client-rp", "verf-rp!", "10.0.0.3");
	const uint8_t *ow = (const uint8_t *)"rp-owner";

	tap_ok(c != 0, "client-rp confirmed");
	tap_ok(v4_state_open_replay(v4, c, ow, 8, 5, &kept, &f) == 0,
	    "an owner stated never saw: not a replay");
	tap_ok(open_file(c, "rp-owner", 5, "f-rp", 3, 0, 0, &r) == V4_OK,
	    "OPEN seqid 5");
	tap_ok(v4_state_open_replay(v4, c, ow, 8, 5, &kept, &f) == 1 &&
	    kept.replay && kept.status == V4_OK &&
	    memcmp(&kept.stateid, &r.stateid, sizeof(r.stateid)) == 0 &&
	    f.len == 4 && memcmp(f.data, "f-rp", 4) == 0,
	    "the same owner and seqid: a replay, the kept stateid and file");
	tap_ok(v4_state_open_replay(v4, c, ow, 8, 6, &kept, &f) == 0 &&
	    v4_state_open_replay(v4, c, ow, 7, 5, &kept, &f) == 0 &&
	    v4_state_open_replay(v4, c + 1, ow, 8, 5, &kept, &f) == 0,
	    "another seqid, owner or client: not a replay");
	/* Asking changed nothing: the OPEN itself is still the replay. */
	tap_ok(open_file(c, "rp-owner", 5, "f-rp", 3, 0, 0, &kept) == V4_OK &&
	    kept.replay && memcmp(&kept.stateid, &r.stateid,
	    sizeof(r.stateid)) == 0, "the OPEN after the question: replayed");
	tap_ok(v4_state_open_confirm(v4, &r.stateid, 6, &r) == V4_OK &&
	    v4_state_open_replay(v4, c, ow, 8, 6, &kept, &f) == 0,
	    "after OPEN_CONFIRM the last op is not an OPEN: not a replay");
	tap_ok(open_file(c, "rp-owner", 7, "f-rp2", 3, 3, 0, &r) == V4_OK &&
	    open_file(c, "rp-other", 1, "f-rp2", 3, 0, 0, &r) ==
	    V4ERR_SHARE_DENIED, "an OPEN denied by a share reservation");
	tap_ok(v4_state_open_replay(v4, c, (const uint8_t *)"rp-other", 8, 1,
	    &kept, &f) == 1 && kept.status == V4ERR_SHARE_DENIED && f.len == 0,
	    "its replay is the kept error, no file");
}

static void
test_share_nlm(void)
{
	struct v4_result r;
	struct v4_stateid sid, anon;
	uint64_t c = client("client-share", "verf-shr", "10.0.0.3");

	tap_ok(open_confirmed(c, "share-owner", "f-share", 3, 2, &sid),
	    "v4 OPEN with deny WRITE");
	tap_ok(nlm_share("f-share", LOCK_SHARE_WRITE, 0) == LOCK_DENIED,
	    "an NLM SHARE for writing is denied by it");
	tap_ok(nlm_share("f-share", LOCK_SHARE_READ, 0) == LOCK_OK,
	    "an NLM SHARE for reading is not");
	lock_table_unshare(table, &(struct lock_file_id){ 7, "f-share" },
	    &(struct lock_owner){ .protocol = LOCK_PROTOCOL_NLM,
	    .client_id = 900, .host = "nlmhost@10.0.0.9", .bytes = "nlm-oh",
	    .bytes_len = 6, .svid = 42 });
	tap_ok(nlm_share("f-nlmdeny", LOCK_SHARE_READ, LOCK_SHARE_READ) ==
	    LOCK_OK, "NLM SHARE with deny READ on another file");
	tap_ok(open_file(c, "share-owner", 3, "f-nlmdeny", 1, 0, 0, &r) ==
	    V4ERR_SHARE_DENIED, "a v4 OPEN for reading there: "
	    "NFS4ERR_SHARE_DENIED");
	tap_ok(open_file(c, "share-owner", 4, "f-nlmdeny", 2, 0, 0, &r) ==
	    V4_OK, "a v4 OPEN for writing only is allowed");
	memset(&anon, 0, sizeof(anon));
	tap_ok(check(&anon, "f-nlmdeny", V4_IO_READ) == V4ERR_LOCKED &&
	    check(&anon, "f-nlmdeny", V4_IO_WRITE) == V4_OK,
	    "the anonymous stateid: READ is NFS4ERR_LOCKED by the deny, "
	    "WRITE is not");
	memset(&anon, 0xff, sizeof(anon));
	tap_ok(check(&anon, "f-share", V4_IO_WRITE) == V4ERR_LOCKED,
	    "the all-ones stateid cannot WRITE past a deny WRITE either");
}

static void
test_lock_nlm(void)
{
	struct v4_result r, r2;
	struct v4_stateid sid, lsid;
	struct v4_denied d;
	struct lock_info holder;
	struct v4_lock_args a;
	struct lock_file_id f = file_id("f-lock");
	uint64_t c = client("client-lock", "verf-lck", "10.0.0.4");

	tap_ok(open_confirmed(c, "lock-open", "f-lock", 3, 0, &sid),
	    "open for locking");
	tap_ok(lock_new(&sid, 3, "lock-owner", 0, 100, 1, 0, &r) == V4_OK &&
	    r.stateid.seqid == 1, "v4 LOCK 0-99 with a new lock owner");
	lsid = r.stateid;
	tap_ok(lock_new(&sid, 3, "lock-owner", 0, 100, 1, 0, &r2) == V4_OK &&
	    r2.replay && memcmp(&r2.stateid, &lsid, sizeof(lsid)) == 0,
	    "its retransmission is a replay (open owner's seqid)");
	tap_ok(nlm_lock("f-lock", 50, 10, &holder) == LOCK_DENIED &&
	    holder.owner.protocol == LOCK_PROTOCOL_NFSV4,
	    "an NLM lock on 50-59 is denied by the v4 lock");
	tap_ok(nlm_lock("f-lock", 1000, 10, &holder) == LOCK_OK,
	    "NLM locks 1000-1009");
	memset(&a, 0, sizeof(a));
	a.lock_stateid = lsid;
	a.lock_seqid = 2;
	a.exclusive = 1;
	a.offset = 1005;
	a.length = 1;
	tap_ok(v4_state_lock(v4, &a, &r) == V4ERR_DENIED && r.has_denied &&
	    r.denied.offset == 1000 && r.denied.length == 10 &&
	    r.denied.clientid == 0 && r.denied.owner_len == 6,
	    "a v4 LOCK of 1005 is NFS4ERR_DENIED by the NLM lock, with it "
	    "as the holder");
	tap_ok(v4_state_lockt(v4, c, (const uint8_t *)"x", 1, &f, 1000,
	    UINT64_MAX, 0, &d) == V4ERR_DENIED && d.offset == 1000,
	    "LOCKT to the end finds the NLM lock");
	a.lock_seqid = 3;
	a.offset = 200;
	a.length = 10;
	tap_ok(v4_state_lock(v4, &a, &r) == V4_OK && r.stateid.seqid == 2,
	    "a second LOCK of the owner: its stateid's seqid 2");
	lsid = r.stateid;
	tap_ok(v4_state_release_lockowner(v4, c, (const uint8_t *)"lock-owner",
	    10) == V4ERR_LOCKS_HELD, "RELEASE_LOCKOWNER while it holds "
	    "locks: NFS4ERR_LOCKS_HELD");
	tap_ok(v4_state_locku(v4, &lsid, 4, 0, UINT64_MAX, &r) == V4_OK &&
	    r.stateid.seqid == 3, "LOCKU of everything: seqid 3");
	tap_ok(nlm_lock("f-lock", 50, 10, &holder) == LOCK_OK,
	    "now NLM gets 50-59");
	tap_ok(v4_state_release_lockowner(v4, c, (const uint8_t *)"lock-owner",
	    10) == V4_OK, "RELEASE_LOCKOWNER");
	tap_ok(check(&lsid, "f-lock", V4_IO_READ) == V4ERR_BAD_STATEID,
	    "its lock stateid is gone");
	a.lock_stateid = r.stateid;
	a.lock_seqid = 5;
	tap_ok(v4_state_lock(v4, &a, &r) == V4ERR_BAD_STATEID,
	    "and cannot LOCK");
	tap_ok(lock_new(&sid, 4, "lock-owner-2", 0, 0, 1, 0, &r) ==
	    V4ERR_INVAL, "a lock of length 0: NFS4ERR_INVAL");
}

struct find_client {
	uint64_t		 clientid;
	struct v4_client_info	*out;
};

static int
find_client_cb(void *arg, const struct v4_client_info *i)
{
	struct find_client *f = arg;

	if (i->clientid != f->clientid || !i->confirmed)
		return 0;
	*f->out = *i;
	return 1;
}

/* What the listing (dittofsctl's) says of a client, without renewing. */
static int
client_info(uint64_t clientid, struct v4_client_info *out)
{
	struct find_client f = { clientid, out };

	return v4_state_foreach_client(v4, find_client_cb, &f);
}

/* The revoked callback (stated pushes ST_PUSH_REVOKED from it). */
static uint64_t revoked_client;
static uint32_t revoked_why;
static int revoked_calls;

static void
revoked_cb(void *arg, uint64_t clientid, uint32_t why)
{
	(void)arg;
	revoked_client = clientid;
	revoked_why = why;
	revoked_calls++;
}

static void
test_courtesy(void)
{
	struct v4_stateid a_open, b_open;
	struct v4_result r;
	struct lock_info holder;
	uint64_t a = client("lapsing", "verf-lap", "10.0.0.5");
	uint64_t b, c, idle;
	struct v4_client_info ci;

	tap_ok(open_confirmed(a, "lap-owner", "f-courtesy", 3, 3, &a_open) &&
	    lock_new(&a_open, 3, "lap-locker", 0, 10, 1, 0, &r) == V4_OK,
	    "client A opens with deny both and locks 0-9");
	idle = client("idle", "verf-idl", "10.0.0.5");
	advance(91);
	v4_state_sweep(v4);
	tap_ok(client_info(a, &ci) && ci.lapsed && !ci.expired &&
	    ci.opens == 1, "after its lease the sweep keeps lapsed A's "
	    "state (courtesy)");
	tap_ok(client_info(idle, &ci) && ci.expired,
	    "but a lapsed client that holds nothing is forgotten");
	advance(200);
	b = client("conflicting", "verf-cnf", "10.0.0.6");
	c = client("other", "verf-oth", "10.0.0.7");
	tap_ok(b != 0 && c != 0, "clients B and C");
	tap_ok(open_confirmed(c, "c-owner", "f-untouched", 1, 0, &b_open),
	    "C opens an unrelated file: A is not in its way");
	{
		struct v4_state_stats st;

		v4_state_stats(v4, &st);
		tap_ok(st.locks >= 1 && nlm_lock("f-courtesy", 5, 1,
		    &holder) == LOCK_DENIED, "A's lapsed lock is still "
		    "there for everyone untouched by it");
	}
	v4_state_set_revoked_cb(v4, revoked_cb, NULL);
	revoked_calls = 0;
	tap_ok(v4_state_courtesy(v4, &holder.owner) == 1 &&
	    nlm_lock("f-courtesy", 5, 1, &holder) == LOCK_OK,
	    "an NLM lock in A's way purges A (as lock.c does) and is granted");
	tap_ok(revoked_calls == 1 && revoked_client == a &&
	    revoked_why == V4ERR_EXPIRED,
	    "the purge calls the revoked callback: A, EXPIRED");
	lock_table_release_client(table, LOCK_PROTOCOL_NLM, 900);
	tap_ok(check(&a_open, "f-courtesy", V4_IO_READ) == V4ERR_EXPIRED &&
	    v4_state_renew(v4, a) == V4ERR_EXPIRED,
	    "A's stateid and RENEW: NFS4ERR_EXPIRED");

	/* The same through v4: B's OPEN meets a lapsed A2's deny. */
	a = client("lapsing-2", "verf-la2", "10.0.0.5");
	tap_ok(open_confirmed(a, "lap-owner", "f-court2", 3, 3, &a_open),
	    "client A2 opens with deny both");
	tap_ok(open_file(b, "b-owner", 1, "f-court2", 1, 0, 0, &r) ==
	    V4ERR_SHARE_DENIED, "while A2's lease runs, B is denied");
	advance(91);
	v4_state_renew(v4, b);
	tap_ok(open_file(b, "b-owner", 2, "f-court2", 1, 0, 0, &r) == V4_OK,
	    "once it lapsed, B's OPEN purges A2 and goes on");
	tap_ok(check(&a_open, "f-court2", V4_IO_READ) == V4ERR_EXPIRED,
	    "A2's stateid: NFS4ERR_EXPIRED");
	revoked_calls = 0;
	tap_ok(v4_state_revoke(v4, b) == V4_OK &&
	    v4_state_renew(v4, b) == V4ERR_ADMIN_REVOKED,
	    "a revoked client: NFS4ERR_ADMIN_REVOKED");
	tap_ok(revoked_calls == 1 && revoked_client == b &&
	    revoked_why == V4ERR_ADMIN_REVOKED,
	    "the revoke calls the revoked callback: B, ADMIN_REVOKED");
	tap_ok(v4_state_revoke(v4, idle) != V4_OK && revoked_calls == 1,
	    "a client that held nothing: no callback");
	v4_state_set_revoked_cb(v4, NULL, NULL);
}

static void
test_limits(void)
{
	struct v4_setclientid_res r;
	struct v4_result res;
	struct v4_stateid sid, first;
	uint64_t c = client("limited", "verf-lim", "10.0.0.8");

	v4_state_set_limits(v4, 2, 3, 3);
	tap_ok(open_confirmed(c, "lim-1", "f-l1", 1, 0, &first) &&
	    open_confirmed(c, "lim-2", "f-l2", 1, 0, &sid),
	    "two opens (limit 2)");
	tap_ok(open_file(c, "lim-2", 3, "f-l3", 1, 0, 0, &res) ==
	    V4ERR_RESOURCE, "a third open: NFS4ERR_RESOURCE");
	tap_ok(open_file(c, "lim-2", 3, "f-l2", 3, 0, 0, &res) == V4_OK,
	    "an upgrade of an open is no new open");
	tap_ok(v4_state_close(v4, &first, 3, &res) == V4_OK &&
	    open_file(c, "lim-3", 1, "f-l3", 1, 0, 0, &res) == V4_OK,
	    "after a CLOSE a third owner (limit 3) opens");
	tap_ok(open_file(c, "lim-4", 1, "f-l1", 1, 0, 0, &res) ==
	    V4ERR_RESOURCE, "a fourth owner: NFS4ERR_RESOURCE");
	tap_ok(client("addr-1", "verf-ad1", "10.0.0.8") != 0 &&
	    client("addr-2", "verf-ad2", "10.0.0.8") != 0,
	    "two more clients at that address (limit 3)");
	tap_ok(setclientid("addr-3", "verf-ad3", "uid0", "10.0.0.8", 1, &r) ==
	    V4ERR_RESOURCE, "a fourth client at the address: "
	    "NFS4ERR_RESOURCE");
	tap_ok(v4_state_limit_hits(v4) == 3, "three limit hits counted");
	v4_state_set_limits(v4, 0, 0, 0);
}

static int done_calls;
static struct stated_client *done_record;

static void
done_cb(void *arg, struct stated_client *cl)
{
	(void)arg;
	done_calls++;
	done_record = cl;
	cl->done = 1;
}

static void
test_grace(const char *dir)
{
	struct v4_setclientid_res r;
	struct v4_confirm_res cf;
	struct v4_result res;
	struct v4_stateid sid;
	uint64_t c, idle, stranger;
	size_t i, reclaimable = 0;
	struct stated_client *cl;

	start(dir, 0);
	c = client("reclaimer", "verf-rec", "10.0.1.1");
	idle = client("never-had-state", "verf-idl", "10.0.1.2");
	tap_ok(c != 0 && idle != 0, "two clients, one with state");
	tap_ok(open_confirmed(c, "rec-owner", "f-grace", 3, 0, &sid) &&
	    lock_new(&sid, 3, "rec-locker", 0, 10, 1, 0, &res) == V4_OK,
	    "the reclaimer opens and locks");
	tap_ok(open_file(c, "rec-owner", 4, "f-grace2", 1, 0, 1, &res) ==
	    V4ERR_NO_GRACE, "CLAIM_PREVIOUS outside grace: NFS4ERR_NO_GRACE");
	stop();

	/* stated restarts: a new epoch, grace. */
	start(dir, 1);
	v4_state_set_done_cb(v4, done_cb, NULL);
	for (i = 0; (cl = clients_at(records, i)) != NULL; i++)
		if (cl->protocol == 2 && cl->reclaimable)
			reclaimable++;
	tap_ok(reclaimable == 1, "after the restart one NFSv4 record may "
	    "reclaim (the client that had no state may not: had every "
	    "client been like it, there would be no grace)");
	tap_ok(v4_state_renew(v4, c) == V4ERR_STALE_CLIENTID,
	    "the old clientid is stale after the restart");
	c = client("reclaimer", "verf-rec", "10.0.1.1");
	stranger = client("stranger", "verf-str", "10.0.1.3");
	tap_ok(c != 0 && stranger != 0, "both set up again");
	tap_ok(open_file(c, "rec-owner", 1, "f-grace", 3, 0, 1, &res) ==
	    V4_OK && !(res.rflags & V4_RESULT_CONFIRM),
	    "CLAIM_PREVIOUS in grace from the known client: granted, no "
	    "OPEN_CONFIRM needed");
	sid = res.stateid;
	tap_ok(lock_new(&sid, 2, "rec-locker", 0, 10, 1, 1, &res) == V4_OK,
	    "its reclaim LOCK is granted");
	tap_ok(open_file(stranger, "s-owner", 1, "f-other", 1, 0, 1, &res) ==
	    V4ERR_RECLAIM_BAD, "a reclaim from a client with no record: "
	    "NFS4ERR_RECLAIM_BAD");
	tap_ok(open_file(stranger, "s-owner", 2, "f-other", 1, 0, 0, &res) ==
	    V4ERR_GRACE, "a new OPEN in grace: NFS4ERR_GRACE");
	tap_ok(done_calls == 0, "no reclaimable client is done yet");
	tap_ok(open_file(c, "rec-owner", 3, "f-new", 1, 0, 0, &res) ==
	    V4ERR_GRACE && done_calls == 1 && done_record != NULL &&
	    done_record->reclaimed, "the reclaimer's first new OPEN: "
	    "NFS4ERR_GRACE, and it is done reclaiming (grace may end early)");
	memset(&sid, 0, sizeof(sid));
	tap_ok(check(&sid, "f-grace", V4_IO_WRITE) == V4ERR_GRACE,
	    "I/O with the anonymous stateid in grace: NFS4ERR_GRACE");
	(void)r;
	(void)cf;
	lock_table_grace_set(table, 0);
	tap_ok(open_file(stranger, "s-owner", 3, "f-other", 1, 0, 0, &res) ==
	    V4_OK, "after grace the new OPEN goes");
	tap_ok(open_file(c, "rec-owner", 4, "f-grace3", 1, 0, 1, &res) ==
	    V4ERR_NO_GRACE, "and a reclaim is NFS4ERR_NO_GRACE");
	stop();
}

int
main(void)
{
	char dir[] = "/tmp/test_stated_v4.XXXXXX", gdir[64], cmd[96];

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(gdir, sizeof(gdir), "%s/grace", dir);
	start(dir, 0);
	test_setclientid();
	test_seqid();
	test_open_replay();
	test_share_nlm();
	test_lock_nlm();
	test_courtesy();
	test_limits();
	stop();
	test_grace(gdir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) == -1)
		tap_diag("cleanup failed");
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
