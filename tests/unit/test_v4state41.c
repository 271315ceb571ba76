/*
 * stated's open, lock and stateid state for NFSv4.1 clients
 * (stated/v4state.c on stated/session_table.c) against RFC 8881: an
 * OPEN without OPEN_CONFIRM, owner seqids ignored, stateid seqid 0, the
 * v4.0-only ops refused, one share table with v4.0 clients, courteous
 * lapse ended by a conflict, DESTROY_CLIENTID freeing a lapsed client's
 * locks, TEST_STATEID and FREE_STATEID, no delegation without a
 * backchannel, the gone callback nfsd hears of, and reclaim across a
 * "restart" with RECLAIM_COMPLETE.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clients.h"
#include "grant.h"
#include "lock_table.h"
#include "session_table.h"
#include "tap.h"
#include "v4state.h"

static struct lock_table *table;
static struct stated_clients *records;
static struct session_table *st;
static struct grant_table *grants;
static struct v4_state *v4;
static time_t now = 1000;
static int gone_clients, gone_sessions;

static void
quiet_log(const char *msg)
{
	tap_diag("records: %s", msg);
}

static void
gone_cb(void *arg, uint64_t clientid, const uint8_t *sessionid)
{
	(void)arg;
	(void)clientid;
	if (sessionid == NULL)
		gone_clients++;
	else
		gone_sessions++;
}

static void
tick(time_t seconds)
{
	now += seconds;
	v4_state_set_now(v4, now);
	session_table_set_now(st, now);
	grant_table_set_now(grants, now);
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
	st = session_table_new(table, records, clients_epoch(records));
	grants = grant_table_new(NULL, NULL);
	if (table == NULL || v4 == NULL || st == NULL || grants == NULL)
		exit(1);
	v4_state_set_lease(v4, 90);
	session_table_set_lease(st, 90);
	v4_state_set_sessions(v4, st);
	v4_state_set_grants(v4, grants, 1, 0);
	session_table_set_gone_cb(st, gone_cb, NULL);
	tick(0);
}

static void
stop(void)
{
	session_table_free(st);
	v4_state_free(v4);
	grant_table_free(grants);
	lock_table_free(table);
	clients_close(records);
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

/* A v4.1 client confirmed by its first session; 0 on failure. */
static uint64_t
client41(const char *owner, uint8_t *sid)
{
	struct session_exchange_args a;
	struct session_exchange_res x;
	struct session_create_args c;
	struct session_create_res r;

	memset(&a, 0, sizeof(a));
	a.verifier = (const uint8_t *)"verifier";
	a.owner = (const uint8_t *)owner;
	a.owner_len = strlen(owner);
	a.principal = "uid:0";
	a.addr = "10.4.1.1";
	if (session_exchange_id(st, &a, &x) != SESSION_OK)
		return 0;
	memset(&c, 0, sizeof(c));
	c.clientid = x.clientid;
	c.sequence = x.sequenceid;
	c.principal = "uid:0";
	c.fore.maxrequestsize = c.fore.maxresponsesize = 1 << 20;
	c.fore.maxresponsesize_cached = 4096;
	c.fore.maxoperations = 16;
	c.fore.maxrequests = 4;
	c.back = c.fore;
	if (session_create(st, &c, &r) != SESSION_OK)
		return 0;
	if (sid != NULL)
		memcpy(sid, r.sessionid, SESSION_ID_SIZE);
	return x.clientid;
}

/* A confirmed v4.0 client; 0 on failure. */
static uint64_t
client40(const char *id)
{
	struct v4_setclientid_args a;
	struct v4_setclientid_res r;
	struct v4_confirm_res c;

	memset(&a, 0, sizeof(a));
	a.verifier = (const uint8_t *)"verf-v40";
	a.id = (const uint8_t *)id;
	a.id_len = strlen(id);
	a.principal = "uid:0";
	a.addr = "10.4.0.1";
	if (v4_state_setclientid(v4, &a, &r) != V4_OK ||
	    v4_state_setclientid_confirm(v4, r.clientid, r.confirm, "uid:0",
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

/* A v4.0 OPEN and its OPEN_CONFIRM (seqid, seqid + 1). */
static uint32_t
open40(uint64_t clientid, const char *owner, uint32_t seqid,
    const char *file, struct v4_result *res)
{
	struct v4_stateid sid;
	uint32_t status;

	if ((status = open_file(clientid, owner, seqid, file, 3, 0, 0,
	    res)) != V4_OK)
		return status;
	sid = res->stateid;
	return v4_state_open_confirm(v4, &sid, seqid + 1, res);
}

/* LOCK with a new lock owner (open_to_lock_owner4). */
static uint32_t
lock_new(uint64_t clientid, const struct v4_stateid *open, uint32_t seqid,
    const char *owner, uint64_t offset, uint64_t length, int reclaim,
    struct v4_result *res)
{
	struct v4_lock_args a;

	memset(&a, 0, sizeof(a));
	a.new_owner = 1;
	a.open_seqid = seqid;
	a.open_stateid = *open;
	a.lock_seqid = seqid;
	a.clientid = clientid;
	a.owner = (const uint8_t *)owner;
	a.owner_len = strlen(owner);
	a.exclusive = 1;
	a.reclaim = reclaim;
	a.offset = offset;
	a.length = length;
	return v4_state_lock(v4, &a, res);
}

/* An NLM lock of another host, as lockd asks. */
static enum lock_result
nlm_lock(const char *file, uint64_t offset, uint64_t length)
{
	struct lock_request r;
	struct lock_info holder;

	memset(&r, 0, sizeof(r));
	r.file = file_id(file);
	r.owner.protocol = LOCK_PROTOCOL_NLM;
	r.owner.semantics = LOCK_SEMANTICS_POSIX;
	r.owner.host = "nlm-host";
	r.owner.svid = 42;
	r.owner.bytes = "nlm";
	r.owner.bytes_len = 3;
	r.offset = offset;
	r.length = length;
	r.type = LOCK_EXCLUSIVE;
	return lock_table_lock(table, &r, &holder);
}

static uint64_t
stateid_clientid(const struct v4_stateid *s)
{
	uint64_t id = 0;
	int i;

	for (i = 0; i < 8; i++)
		id = id << 8 | s->other[i];
	return id;
}

/* RFC 8881 18.16, 8.2.2, 17: opens of a v4.1 client. */
static void
test_open(void)
{
	struct v4_result r, r2;
	struct v4_stateid s0;
	struct v4_check_res cr;
	struct lock_file_id f = file_id("f-open");
	uint64_t c;

	c = client41("linux-41-open", NULL);
	tap_ok(c != 0 && (c & SESSION_CLIENTID_BIT), "a v4.1 client");
	tap_ok(open_file(c, "oo", 7, "f-open", 1, 0, 0, &r) == V4_OK &&
	    !(r.rflags & V4_RESULT_CONFIRM) && !r.replay,
	    "its OPEN is granted at once, no OPEN_CONFIRM asked");
	tap_ok(stateid_clientid(&r.stateid) == c,
	    "the stateid's first 8 bytes are its clientid, v4.1 bit and all");
	tap_ok(open_file(c, "oo", 7, "f-open2", 3, 0, 0, &r2) == V4_OK &&
	    !r2.replay && memcmp(r2.stateid.other, r.stateid.other,
	    V4_OTHER_SIZE) != 0, "the same owner and seqid again, another "
	    "file: a new open, not a replay (seqids are ignored)");
	tap_ok(open_file(c, "oo", 1, "f-open", 3, 0, 0, &r2) == V4_OK &&
	    r2.stateid.seqid == 2, "a lower seqid: an upgrade all the same");
	tap_ok(v4_state_open_confirm(v4, &r2.stateid, 2, &r) ==
	    V4ERR_NOTSUPP, "OPEN_CONFIRM: NFS4ERR_NOTSUPP");
	tap_ok(v4_state_release_lockowner(v4, c, (const uint8_t *)"oo", 2) ==
	    V4ERR_NOTSUPP, "RELEASE_LOCKOWNER: NFS4ERR_NOTSUPP");
	s0 = r2.stateid;
	s0.seqid = 0;
	tap_ok(v4_state_check(v4, &s0, &f, V4_IO_WRITE, &cr) == V4_OK,
	    "a stateid of seqid 0 is the current one (WRITE)");
	r2.stateid.seqid = 1;
	tap_ok(v4_state_check(v4, &r2.stateid, &f, V4_IO_READ, &cr) ==
	    V4ERR_OLD_STATEID, "an older seqid is NFS4ERR_OLD_STATEID");
	tap_ok(v4_state_open_downgrade(v4, &s0, 99, 1, 0, &r) == V4_OK &&
	    r.stateid.seqid == 3, "OPEN_DOWNGRADE with seqid 0 and any "
	    "owner seqid");
	tap_ok(v4_state_close(v4, &s0, 12345, &r) == V4_OK, "CLOSE likewise");
	tap_ok(v4_state_check(v4, &s0, &f, V4_IO_READ, &cr) ==
	    V4ERR_BAD_STATEID && v4_state_test_stateid(v4, c, &s0) ==
	    V4ERR_BAD_STATEID, "the closed stateid is gone at once");
	tap_ok(v4_state_renew(v4, c) == V4_OK, "RENEW of the v4.1 clientid "
	    "renews (nfsd's stateid cache sends it)");
	tap_ok(v4_state_renew(v4, c ^ 0x0100000000ULL) ==
	    V4ERR_STALE_CLIENTID, "a v4.1 clientid of another start: "
	    "NFS4ERR_STALE_CLIENTID");
	tap_ok(v4_state_renew(v4, c + 1) == V4ERR_STALE_CLIENTID,
	    "one the session table does not know: NFS4ERR_STALE_CLIENTID");
}

/* Locks, and one share table with v4.0 clients. */
static void
test_locks_and_shares(void)
{
	struct v4_result r, lk, r40;
	struct v4_stateid s0;
	struct v4_denied d;
	struct lock_file_id f = file_id("f-lock");
	uint64_t c, c40;

	c = client41("linux-41-lock", NULL);
	c40 = client40("linux-40-lock");
	tap_ok(c != 0 && c40 != 0, "a v4.1 and a v4.0 client");
	tap_ok(open_file(c, "lo-open", 1, "f-lock", 3, 0, 0, &r) == V4_OK,
	    "the v4.1 client opens");
	s0 = r.stateid;
	s0.seqid = 0;
	tap_ok(lock_new(c, &s0, 77, "locker", 0, 10, 0, &lk) == V4_OK,
	    "LOCK with a new lock owner, the open stateid of seqid 0");
	tap_ok(lock_new(c, &s0, 77, "locker", 20, 10, 0, &r) == V4_OK &&
	    memcmp(r.stateid.other, lk.stateid.other, V4_OTHER_SIZE) == 0 &&
	    r.stateid.seqid == lk.stateid.seqid + 1, "again with that owner: "
	    "its lock state goes on (v4.0 would say BAD_SEQID)");
	tap_ok(v4_state_lockt(v4, c40, (const uint8_t *)"x", 1, &f, 5, 1, 1,
	    &d) == V4ERR_DENIED && d.clientid == c, "the v4.0 client's LOCKT "
	    "sees the v4.1 client's lock");
	tap_ok(open_file(c40, "o40", 1, "f-lock", 1, 2, 0, &r40) ==
	    V4ERR_SHARE_DENIED, "a v4.0 OPEN denying WRITE: "
	    "NFS4ERR_SHARE_DENIED (the v4.1 open writes)");
	tap_ok(open_file(c40, "o40", 2, "f-deny40", 1, 2, 0, &r40) == V4_OK,
	    "the v4.0 client opens another file denying WRITE");
	tap_ok(open_file(c, "lo-open", 3, "f-deny40", 3, 0, 0, &r) ==
	    V4ERR_SHARE_DENIED, "the v4.1 client's OPEN for writing: "
	    "NFS4ERR_SHARE_DENIED");
	s0 = lk.stateid;
	s0.seqid = 0;
	tap_ok(v4_state_free_stateid(v4, c, &s0) == V4ERR_LOCKS_HELD,
	    "FREE_STATEID of a lock stateid with locks: NFS4ERR_LOCKS_HELD");
	tap_ok(v4_state_locku(v4, &s0, 1, 0, UINT64_MAX, &r) == V4_OK,
	    "LOCKU of all of it, seqid 0");
	tap_ok(v4_state_free_stateid(v4, c40, &s0) == V4ERR_BAD_STATEID,
	    "FREE_STATEID by another client: NFS4ERR_BAD_STATEID");
	tap_ok(v4_state_free_stateid(v4, c, &s0) == V4_OK &&
	    v4_state_test_stateid(v4, c, &s0) == V4ERR_BAD_STATEID,
	    "now FREE_STATEID frees it; TEST_STATEID says it is gone");
	memset(&s0, 0, sizeof(s0));
	tap_ok(v4_state_free_stateid(v4, c, &s0) == V4ERR_BAD_STATEID,
	    "FREE_STATEID of the anonymous stateid: NFS4ERR_BAD_STATEID");
}

/* RFC 8881 18.48: a status per stateid; 18.38 for an open. */
static void
test_test_stateid(void)
{
	struct v4_result r, lk;
	struct v4_stateid s, old;
	uint64_t c, other;

	c = client41("linux-41-test", NULL);
	other = client41("linux-41-other", NULL);
	tap_ok(open_file(c, "to", 1, "f-test", 3, 0, 0, &r) == V4_OK &&
	    open_file(c, "to", 2, "f-test", 1, 0, 0, &lk) == V4_OK,
	    "an open, upgraded once");
	s = lk.stateid;
	tap_ok(v4_state_test_stateid(v4, c, &s) == V4_OK, "current: NFS4_OK");
	s.seqid = 0;
	tap_ok(v4_state_test_stateid(v4, c, &s) == V4_OK, "seqid 0: NFS4_OK");
	old = r.stateid;
	tap_ok(v4_state_test_stateid(v4, c, &old) == V4ERR_OLD_STATEID,
	    "the earlier generation: NFS4ERR_OLD_STATEID");
	old.seqid = 99;
	tap_ok(v4_state_test_stateid(v4, c, &old) == V4ERR_BAD_STATEID,
	    "a future generation: NFS4ERR_BAD_STATEID");
	tap_ok(v4_state_test_stateid(v4, other, &s) == V4ERR_BAD_STATEID,
	    "another client's stateid: NFS4ERR_BAD_STATEID");
	s.other[11] ^= 0x5a;
	tap_ok(v4_state_test_stateid(v4, c, &s) == V4ERR_BAD_STATEID,
	    "an unknown one: NFS4ERR_BAD_STATEID");
	memset(&s, 0xff, sizeof(s));
	tap_ok(v4_state_test_stateid(v4, c, &s) == V4ERR_BAD_STATEID,
	    "a special one: NFS4ERR_BAD_STATEID");
	tap_ok(v4_state_free_stateid(v4, c, &lk.stateid) == V4ERR_LOCKS_HELD,
	    "FREE_STATEID of an open: NFS4ERR_LOCKS_HELD (CLOSE frees it)");
	tap_ok(v4_state_revoke(v4, c) == V4_OK &&
	    v4_state_test_stateid(v4, c, &lk.stateid) == V4ERR_ADMIN_REVOKED,
	    "after dittofsctl's revoke: NFS4ERR_ADMIN_REVOKED");
	tap_ok(open_file(c, "to", 3, "f-test", 1, 0, 0, &r) == V4_OK,
	    "the client, still in the session table, opens afresh");
}

/* Courtesy: lapsed, kept until a conflict; the conflict purges it. */
static void
test_courtesy(void)
{
	uint8_t sid[SESSION_ID_SIZE], sid2[SESSION_ID_SIZE];
	struct v4_result r, lk, r40;
	struct v4_state_stats vs;
	uint64_t a, b, c40, purges;
	int gone;

	a = client41("linux-41-lapse", sid);
	b = client41("linux-41-lively", sid2);
	c40 = client40("linux-40-court");
	tap_ok(a != 0 && b != 0 && c40 != 0, "two v4.1 clients, a v4.0 one");
	tap_ok(open_file(a, "ao", 1, "f-court", 3, 0, 0, &r) == V4_OK &&
	    lock_new(a, &r.stateid, 1, "al", 0, 100, 0, &lk) == V4_OK,
	    "A opens and locks");
	tap_ok(open_file(b, "bo", 1, "f-court2", 3, 0, 0, &r) == V4_OK &&
	    lock_new(b, &r.stateid, 1, "bl", 0, 100, 0, &lk) == V4_OK,
	    "B opens and locks another file");
	tick(60);
	tap_ok(session_slot_done(st, sid2, 0, 1, 0, NULL, 0, NULL, 0) ==
	    SESSION_OK, "B's SLOT_DONE renews its lease (A sends nothing)");
	tick(60);
	tap_ok(open40(c40, "co", 1, "f-court2", &r40) == V4_OK &&
	    lock_new(c40, &r40.stateid, 3, "cl", 0, 10, 0, &r40) ==
	    V4ERR_DENIED, "B within its lease: the v4.0 client's lock is "
	    "denied");
	purges = v4_state_courtesy_purges(v4);
	gone = gone_clients;
	tap_ok(open_file(c40, "co", 4, "f-court", 3, 0, 0, &r40) == V4_OK,
	    "a v4.0 OPEN of A's file (no deny conflict) is granted");
	tap_ok(lock_new(c40, &r40.stateid, 5, "cl2", 50, 10, 0, &r40) ==
	    V4_OK && v4_state_courtesy_purges(v4) == purges + 1,
	    "the lapsed A is in the way of a v4.0 LOCK: purged, granted");
	tap_ok(gone_clients == gone + 1, "nfsd is told the client went "
	    "(the gone callback, ST_PUSH_FORGET)");
	tap_ok(lock_table_client_records(table, LOCK_PROTOCOL_NFSV4, a) == 0,
	    "A holds nothing in the lock table");
	tap_ok(v4_state_renew(v4, a) == V4ERR_EXPIRED, "A's clientid: "
	    "NFS4ERR_EXPIRED (its tombstone)");
	tap_ok(session_destroy(st, sid) == SESSIONERR_BADSESSION,
	    "A's session is gone with it");
	v4_state_stats(v4, &vs);
	tap_ok(vs.opens >= 2, "the others keep their opens");
}

/* RFC 8881 18.50: DESTROY_CLIENTID frees a lapsed client's locks. */
static void
test_destroy_clientid(void)
{
	uint8_t sid[SESSION_ID_SIZE];
	struct v4_result r, lk;
	struct v4_state_stats before, after;
	uint64_t c, purges;

	c = client41("linux-41-destroy", sid);
	tap_ok(open_file(c, "do", 1, "f-destroy", 3, 0, 0, &r) == V4_OK &&
	    lock_new(c, &r.stateid, 1, "dl", 0, 100, 0, &lk) == V4_OK,
	    "a v4.1 client opens and locks");
	tap_ok(nlm_lock("f-destroy", 10, 10) == LOCK_DENIED,
	    "an NLM lock of another owner is denied");
	tap_ok(session_destroy_clientid(st, c) == SESSIONERR_CLIENTID_BUSY,
	    "DESTROY_CLIENTID with a session: NFS4ERR_CLIENTID_BUSY");
	tap_ok(session_destroy(st, sid) == SESSION_OK &&
	    session_destroy_clientid(st, c) == SESSIONERR_CLIENTID_BUSY,
	    "no session, but opens and locks under its lease: still busy");
	v4_state_stats(v4, &before);
	tick(91);
	purges = v4_state_courtesy_purges(v4);
	tap_ok(session_destroy_clientid(st, c) == SESSION_OK,
	    "its lease lapsed: DESTROY_CLIENTID goes");
	v4_state_stats(v4, &after);
	tap_ok(lock_table_client_records(table, LOCK_PROTOCOL_NFSV4, c) == 0 &&
	    after.opens + 1 == before.opens && after.locks + 1 ==
	    before.locks, "its open and lock are freed, in v4state too");
	tap_ok(nlm_lock("f-destroy", 10, 10) == LOCK_OK &&
	    v4_state_courtesy_purges(v4) == purges, "the NLM lock is "
	    "granted, without a courtesy purge");
	tap_ok(v4_state_renew(v4, c) == V4ERR_EXPIRED ||
	    v4_state_renew(v4, c) == V4ERR_STALE_CLIENTID,
	    "the clientid is no more");
}

/* The sweep of the session table reaches v4state. */
static void
test_sweep(void)
{
	struct v4_result r;
	struct v4_state_stats before, after;
	uint64_t c;

	c = client41("linux-41-sweep", NULL);
	tap_ok(open_file(c, "so", 1, "f-sweep", 1, 0, 0, &r) == V4_OK,
	    "a v4.1 client opens");
	v4_state_stats(v4, &before);
	tick(SESSION_COURTESY_MAX + 1);
	session_table_sweep(st);
	v4_state_stats(v4, &after);
	tap_ok(after.opens < before.opens && v4_state_test_stateid(v4, c,
	    &r.stateid) == V4ERR_EXPIRED, "lapsed a day, swept: its open "
	    "goes, its stateid is NFS4ERR_EXPIRED");
	tick(11 * 90);
	v4_state_sweep(v4);
	tap_ok(v4_state_renew(v4, c) == V4ERR_STALE_CLIENTID,
	    "later its tombstone goes too");
}

/*
 * RFC 8881 10, 18.36: no delegation without a backchannel; one once
 * nfsd says a session's backchannel answered (ST_SESSION_BACK).
 */
static void
test_no_delegation(void)
{
	struct v4_result r;
	struct v4_deleg_res d, w;
	struct v4_stateid none;
	struct lock_file_id f = file_id("f-deleg41"), g = file_id("f-none41");
	uint64_t c;

	c = client41("linux-41-deleg", NULL);
	tap_ok(open_file(c, "dgo", 1, "f-deleg41", 1, 0, 0, &r) == V4_OK,
	    "a v4.1 client opens for reading");
	tap_ok(v4_state_delegate(v4, c, &r.stateid, &f, (const uint8_t *)"fh",
	    2, 1, "nfsd", &d) == V4_OK && d.level == 0 &&
	    d.why == V4_DELEG_NONE_CALLBACK, "no delegation: it has no "
	    "backchannel yet");
	v4_state_callback_status(v4, c, 1);
	tap_ok(v4_state_delegate(v4, c, &r.stateid, &f, (const uint8_t *)"fh",
	    2, 1, "nfsd", &d) == V4_OK && d.level == GRANT_READ,
	    "a read delegation once its backchannel answered");
	/* RFC 8881 18.49: WANT_DELEGATION names no open: the client's. */
	memset(&none, 0, sizeof(none));
	tap_ok(v4_state_delegate(v4, c, &none, &f, (const uint8_t *)"fh",
	    2, 1, "nfsd", &w) == V4_OK && w.level == GRANT_READ &&
	    memcmp(w.stateid.other, d.stateid.other, V4_OTHER_SIZE) == 0,
	    "no open stateid (WANT_DELEGATION): the one its open has");
	tap_ok(v4_state_delegate(v4, c, &none, &g, (const uint8_t *)"fh",
	    2, 1, "nfsd", &w) == V4_OK && w.level == 0 &&
	    w.why == V4_DELEG_NONE_NOOPEN,
	    "of a file it has no open of: none, and why");
	v4_state_callback_status(v4, c, 0);
}

/*
 * RFC 8881 10.9, 18.39: directory delegations (v4_state_dir_delegate,
 * v4_state_dir_change): off until set, only with a backchannel; a
 * change tells the holders that asked for it, other than the changer,
 * and recalls the rest; no conflict request recalls one.
 */
static void
test_dir_delegation(void)
{
	struct v4_deleg_res d1, d2, d;
	struct v4_dir_holder h[4];
	struct lock_file_id f = file_id("dir-dd41"), f2 = file_id("dir2-dd41");
	const struct grant *g;
	uint32_t add = 1u << 3, rm = 1u << 2;
	uint64_t a, b;
	size_t n, recalled;

	a = client41("linux-41-dirdeleg-a", NULL);
	b = client41("linux-41-dirdeleg-b", NULL);
	v4_state_callback_status(v4, a, 1);
	tap_ok(v4_state_dir_delegate(v4, a, &f, (const uint8_t *)"dfh", 3, 1,
	    "nfsd", add, &d) == V4_OK && d.level == 0 &&
	    d.why == V4_DELEG_NONE_OFF, "directory delegations off: none");
	v4_state_set_dir_delegations(v4, 1);
	tap_ok(v4_state_dir_delegate(v4, b, &f, (const uint8_t *)"dfh", 3, 1,
	    "nfsd", add, &d) == V4_OK && d.level == 0 &&
	    d.why == V4_DELEG_NONE_CALLBACK, "no backchannel: none");
	tap_ok(v4_state_dir_delegate(v4, a, &f, (const uint8_t *)"dfh", 3, 1,
	    "nfsd", add, &d1) == V4_OK && d1.level == GRANT_DIR,
	    "granted with a backchannel");
	tap_ok(v4_state_dir_delegate(v4, a, &f, (const uint8_t *)"dfh", 3, 1,
	    "nfsd", add | rm, &d) == V4_OK && d.level == GRANT_DIR &&
	    memcmp(d.stateid.other, d1.stateid.other, V4_OTHER_SIZE) == 0 &&
	    (g = grant_find(grants, d1.stateid.other, V4_OTHER_SIZE)) != NULL &&
	    g->notify == (add | rm), "asked again: the same one, the new mask");
	v4_state_callback_status(v4, b, 1);
	tap_ok(v4_state_dir_delegate(v4, b, &f, (const uint8_t *)"dfh", 3, 1,
	    "nfsd", add, &d2) == V4_OK && d2.level == GRANT_DIR,
	    "a second client's too");
	/* nfsv4 delegations per client counts directory ones too. */
	v4_state_set_grants(v4, grants, 1, 1);
	tap_ok(v4_state_dir_delegate(v4, a, &f2, (const uint8_t *)"dfh2", 4,
	    1, "nfsd", add, &d) == V4_OK && d.level == 0 &&
	    d.why == V4_DELEG_NONE_LIMIT, "past the per-client limit: none");
	v4_state_set_grants(v4, grants, 1, 0);
	tap_ok(grant_conflict(grants, &f, 0, 0, 1) == 0 &&
	    grant_file_recalling(grants, &f) == 0,
	    "a writer's conflict request recalls no directory delegation");
	n = v4_state_dir_change(v4, &f, a, add, h, 4, &recalled);
	tap_ok(n == 1 && recalled == 0 && h[0].clientid == b &&
	    memcmp(h[0].stateid.other, d2.stateid.other, V4_OTHER_SIZE) == 0 &&
	    h[0].notify == add, "an add by the first: the second is told, "
	    "not the changer");
	n = v4_state_dir_change(v4, &f, 0, rm, h, 4, &recalled);
	tap_ok(n == 1 && recalled == 1 && h[0].clientid == a &&
	    (g = grant_find(grants, d2.stateid.other, V4_OTHER_SIZE)) != NULL &&
	    g->state == GRANT_RECALLING, "a remove by nobody's: the first is "
	    "told, the second (ADD alone) recalled");
	tap_ok(v4_state_delegreturn(v4, &d2.stateid, &f) == V4_OK &&
	    grant_find(grants, d2.stateid.other, V4_OTHER_SIZE) == NULL,
	    "DELEGRETURN returns it");
	n = v4_state_dir_change(v4, NULL, 0, 0x80000000u, h, 4, &recalled);
	tap_ok(n == 0 && recalled == 1 && (g = grant_find(grants,
	    d1.stateid.other, V4_OTHER_SIZE)) != NULL &&
	    g->state == GRANT_RECALLING, "notes lost: every one recalled");
	/* Not returned within the lease after the recall: revoked. */
	tick(90);
	tap_ok(grant_expire(grants, 90) == 1 && (g = grant_find(grants,
	    d1.stateid.other, V4_OTHER_SIZE)) != NULL &&
	    g->state == GRANT_REVOKED, "not returned within the lease: "
	    "revoked");
	tap_ok(v4_state_delegreturn(v4, &d1.stateid, &f) ==
	    V4ERR_BAD_STATEID, "its late DELEGRETURN: BAD_STATEID");
	v4_state_callback_status(v4, a, 0);
	v4_state_callback_status(v4, b, 0);
}

struct listing {
	uint64_t	 clientid;
	int		 minor;
	size_t		 opens;
};

static int
list_cb(void *arg, const struct v4_client_info *i)
{
	struct listing *l = arg;

	if (i->clientid == l->clientid) {
		l->minor = i->minor;
		l->opens = i->opens;
	}
	return 0;
}

static void
test_listing(void)
{
	struct v4_result r;
	struct listing l;
	size_t opens, locks;

	memset(&l, 0, sizeof(l));
	l.clientid = client41("linux-41-list", NULL);
	tap_ok(open_file(l.clientid, "lso", 1, "f-list", 1, 0, 0, &r) ==
	    V4_OK, "a v4.1 client opens");
	v4_state_foreach_client(v4, list_cb, &l);
	tap_ok(l.minor == 1 && l.opens == 1, "dittofsctl's listing shows it, "
	    "minor version 1, with its open");
	v4_state_client_counts(v4, l.clientid, &opens, &locks);
	tap_ok(opens == 1 && locks == 0, "and the count dittofsctl v4 "
	    "sessions prints: one open, no lock state");
}

/* Many clients: the session table's clientid index grows. */
static void
test_many(void)
{
	uint64_t ids[300];
	char owner[32];
	int i, ok = 1;

	for (i = 0; i < 300; i++) {
		snprintf(owner, sizeof(owner), "linux-41-many-%d", i);
		if ((ids[i] = client41(owner, NULL)) == 0)
			ok = 0;
	}
	for (i = 0; i < 300 && ok; i++)
		if (v4_state_renew(v4, ids[i]) != V4_OK ||
		    session_destroy_clientid(st, ids[i]) !=
		    SESSIONERR_CLIENTID_BUSY)
			ok = 0;
	tap_ok(ok, "300 v4.1 clients, each found by its clientid");
}

/* RFC 8881 8.4.2, 18.51: reclaim after a restart, RECLAIM_COMPLETE. */
static void
test_reclaim(const char *dir)
{
	struct v4_result r, lk;
	uint64_t c, stranger;

	start(dir, 0);
	c = client41("linux-41-reclaim", NULL);
	tap_ok(open_file(c, "ro", 1, "f-rec", 3, 0, 0, &r) == V4_OK &&
	    lock_new(c, &r.stateid, 1, "rl", 0, 10, 0, &lk) == V4_OK,
	    "a v4.1 client opens and locks");
	tap_ok(open_file(c, "ro", 1, "f-rec2", 1, 0, 1, &r) ==
	    V4ERR_NO_GRACE, "CLAIM_PREVIOUS outside grace: NFS4ERR_NO_GRACE");
	stop();

	start(dir, 1);
	tap_ok(v4_state_renew(v4, c) == V4ERR_STALE_CLIENTID,
	    "after the restart its clientid is stale");
	c = client41("linux-41-reclaim", NULL);
	stranger = client41("linux-41-stranger", NULL);
	tap_ok(c != 0 && stranger != 0, "it and a stranger set up again");
	tap_ok(open_file(c, "ro", 1, "f-rec", 3, 0, 1, &r) == V4_OK &&
	    !(r.rflags & V4_RESULT_CONFIRM), "CLAIM_PREVIOUS in grace: granted");
	tap_ok(lock_new(c, &r.stateid, 1, "rl", 0, 10, 1, &lk) == V4_OK,
	    "its reclaim LOCK is granted");
	tap_ok(open_file(stranger, "so", 1, "f-rec3", 1, 0, 1, &r) ==
	    V4ERR_RECLAIM_BAD, "a reclaim of a client without a record: "
	    "NFS4ERR_RECLAIM_BAD");
	tap_ok(open_file(c, "ro", 1, "f-new", 1, 0, 0, &r) == V4ERR_GRACE,
	    "a new OPEN in grace: NFS4ERR_GRACE");
	tap_ok(session_reclaim_complete(st, c, 0) == SESSION_OK,
	    "RECLAIM_COMPLETE");
	tap_ok(open_file(c, "ro", 1, "f-rec2", 1, 0, 1, &r) ==
	    V4ERR_NO_GRACE, "a reclaim after it: NFS4ERR_NO_GRACE");
	lock_table_grace_set(table, 0);
	tap_ok(open_file(c, "ro", 1, "f-new", 1, 0, 0, &r) == V4_OK,
	    "after grace the new OPEN goes");
	stop();
}

int
main(void)
{
	char dir[] = "/tmp/test_v4state41.XXXXXX", gdir[64], cmd[96];

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(gdir, sizeof(gdir), "%s/grace", dir);
	start(dir, 0);
	test_open();
	test_locks_and_shares();
	test_test_stateid();
	test_courtesy();
	test_destroy_clientid();
	test_no_delegation();
	test_dir_delegation();
	test_listing();
	test_many();
	test_sweep();
	stop();
	test_reclaim(gdir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) == -1)
		tap_diag("cleanup failed");
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
