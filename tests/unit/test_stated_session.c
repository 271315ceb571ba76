/*
 * stated's NFSv4.1 clients and sessions (stated/session_table.c) against
 * RFC 8881: the EXCHANGE_ID cases of 18.35.5, CREATE_SESSION's replay
 * slot (18.36.4) and its caps, SLOT_DONE then LOAD (the byte-identical
 * kept reply, an uncached slot), DESTROY_CLIENTID while busy,
 * RECLAIM_COMPLETE of a client that may reclaim after a "restart", and
 * courteous reaping of lapsed clients.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clients.h"
#include "lock_table.h"
#include "session_table.h"
#include "tap.h"

static struct lock_table *table;
static struct stated_clients *records;
static struct session_table *st;
static time_t now = 1000;
static struct stated_client *done_record;
static int done_calls;

static void
quiet_log(const char *msg)
{
	tap_diag("records: %s", msg);
}

static void
done_cb(void *arg, struct stated_client *cl, const char *why)
{
	done_calls++;
	done_record = cl;
	cl->done = 1;
}

static void
limits(size_t sessions, size_t slots, uint32_t cached, size_t memory)
{
	struct session_limits l;

	memset(&l, 0, sizeof(l));
	l.sessions_per_client = sessions;
	l.slots_per_session = slots;
	l.max_request = 65536;
	l.max_response = 65536;
	l.cached_max = cached;
	l.memory_max = memory;
	l.clients_per_addr = 8;
	session_table_set_limits(st, &l);
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
	st = session_table_new(table, records, clients_epoch(records));
	if (table == NULL || st == NULL)
		exit(1);
	lock_table_grace_set(table, grace);
	session_table_set_lease(st, 90);
	session_table_set_now(st, now);
	session_table_set_done_cb(st, done_cb, NULL);
	limits(4, 8, 1024, 1 << 20);
}

static void
stop(void)
{
	session_table_free(st);
	lock_table_free(table);
	clients_close(records);
	st = NULL;
	table = NULL;
	records = NULL;
}

static void
tick(time_t seconds)
{
	now += seconds;
	session_table_set_now(st, now);
}

static uint32_t
exchange(const char *owner, const char *verf, const char *principal,
    const char *addr, uint32_t flags, struct session_exchange_res *res)
{
	struct session_exchange_args a;

	memset(&a, 0, sizeof(a));
	a.verifier = (const uint8_t *)verf;
	a.owner = (const uint8_t *)owner;
	a.owner_len = strlen(owner);
	a.flags = flags;
	a.principal = principal;
	a.addr = addr;
	a.impl_domain = "kernel.org";
	a.impl_name = "test";
	return session_exchange_id(st, &a, res);
}

static void
create_args(struct session_create_args *a, uint64_t clientid, uint32_t seq,
    const char *principal, uint32_t slots)
{
	memset(a, 0, sizeof(*a));
	a->clientid = clientid;
	a->sequence = seq;
	a->principal = principal;
	a->flags = SESSION_FLAG_CONN_BACK_CHAN | SESSION_FLAG_PERSIST;
	a->fore.maxrequestsize = 1 << 20;
	a->fore.maxresponsesize = 1 << 20;
	a->fore.maxresponsesize_cached = 1 << 20;
	a->fore.maxoperations = 1000;
	a->fore.maxrequests = slots;
	a->back.maxrequestsize = 4096;
	a->back.maxresponsesize = 4096;
	a->back.maxoperations = 2;
	a->back.maxrequests = 100;
	a->cb_program = 0x40000000;
}

static uint32_t
create(uint64_t clientid, uint32_t seq, const char *principal, uint32_t slots,
    struct session_create_res *res)
{
	struct session_create_args a;

	create_args(&a, clientid, seq, principal, slots);
	return session_create(st, &a, res);
}

/* A confirmed client with one session; its clientid, 0 on failure. */
static uint64_t
client_session(const char *owner, const char *addr, uint8_t *sid)
{
	struct session_exchange_res x;
	struct session_create_res c;

	if (exchange(owner, "verifier", "uid:0", addr, 0, &x) != SESSION_OK ||
	    create(x.clientid, x.sequenceid, "uid:0", 8, &c) != SESSION_OK)
		return 0;
	memcpy(sid, c.sessionid, SESSION_ID_SIZE);
	return x.clientid;
}

struct loaded {
	struct session_slot_info slots[16];
	uint8_t		 replies[16][256];
	int		 n;
};

static int
load_cb(void *arg, const struct session_slot_info *i)
{
	struct loaded *l = arg;

	if (l->n >= 16)
		return 1;
	l->slots[l->n] = *i;
	if (i->reply_len <= sizeof(l->replies[0]) && i->reply_len > 0) {
		memcpy(l->replies[l->n], i->reply, i->reply_len);
		l->slots[l->n].reply = l->replies[l->n];
	}
	l->n++;
	return 0;
}

static uint32_t
load(const uint8_t *sid, uint32_t first, size_t max, struct session_info *i,
    struct loaded *l, uint32_t *next, int *eof)
{
	memset(l, 0, sizeof(*l));
	return session_load(st, sid, first, max, i, load_cb, l, next, eof);
}

/* A lock of clientid in the lock table (NFSv4, as nfsd would ask). */
static int
lock_as(uint64_t clientid, const char *file, uint64_t offset)
{
	struct lock_request r;
	struct lock_info info;

	memset(&r, 0, sizeof(r));
	r.file.len = strlen(file);
	memcpy(r.file.data, file, r.file.len);
	r.owner.protocol = LOCK_PROTOCOL_NFSV4;
	r.owner.client_id = clientid;
	r.owner.bytes = "Lowner";
	r.owner.bytes_len = 6;
	r.owner.semantics = LOCK_SEMANTICS_POSIX;
	r.offset = offset;
	r.length = 10;
	r.type = LOCK_EXCLUSIVE;
	return lock_table_lock(table, &r, &info) == LOCK_OK ? 0 : -1;
}

/* RFC 8881 18.35.5 */
static void
test_exchange_id(void)
{
	struct session_exchange_res r, r2, r5;
	struct session_create_res c;
	struct session_info info;
	struct loaded l;
	uint32_t next;
	int eof;
	uint8_t old_sid[SESSION_ID_SIZE];

	tap_ok(exchange("owner-a", "verf-a-1", "uid:0", "10.0.0.1", 0, &r) ==
	    SESSION_OK && !(r.flags & SESSION_EXCHGID_CONFIRMED_R) &&
	    (r.flags & SESSION_EXCHGID_USE_NON_PNFS) && r.sequenceid == 1,
	    "case 1, a new owner: a clientid, unconfirmed, sequence id 1, "
	    "no pNFS");
	tap_ok((r.clientid & SESSION_CLIENTID_BIT) != 0,
	    "a v4.1 clientid has its top bit set (never a v4.0 one)");
	tap_ok(exchange("owner-a", "verf-a-2", "uid:0", "10.0.0.1", 0, &r2) ==
	    SESSION_OK && r2.clientid != r.clientid, "case 4, again while "
	    "unconfirmed: a new clientid");
	tap_ok(create(r.clientid, 1, "uid:0", 4, &c) ==
	    SESSIONERR_STALE_CLIENTID, "the replaced unconfirmed clientid: "
	    "NFS4ERR_STALE_CLIENTID");
	tap_ok(create(r2.clientid, r2.sequenceid, "uid:0", 4, &c) ==
	    SESSION_OK, "CREATE_SESSION confirms it");
	memcpy(old_sid, c.sessionid, SESSION_ID_SIZE);
	tap_ok(exchange("owner-a", "verf-a-2", "uid:0", "10.0.0.1", 0, &r) ==
	    SESSION_OK && r.clientid == r2.clientid &&
	    (r.flags & SESSION_EXCHGID_CONFIRMED_R) && r.sequenceid == 2,
	    "case 2, the same verifier and principal: the same clientid, "
	    "CONFIRMED_R, the next CREATE_SESSION sequence id");
	tap_ok(exchange("owner-a", "verf-a-2", "uid:0", "10.0.0.1",
	    SESSION_EXCHGID_UPD_CONFIRMED_REC_A, &r) == SESSION_OK &&
	    r.clientid == r2.clientid &&
	    (r.flags & SESSION_EXCHGID_CONFIRMED_R), "case 6, an update of "
	    "the confirmed record");
	tap_ok(exchange("owner-a", "verf-XXXX", "uid:0", "10.0.0.1",
	    SESSION_EXCHGID_UPD_CONFIRMED_REC_A, &r) == SESSIONERR_NOT_SAME,
	    "case 8, an update with another verifier: NFS4ERR_NOT_SAME");
	tap_ok(exchange("owner-a", "verf-a-2", "uid:1000", "10.0.0.1",
	    SESSION_EXCHGID_UPD_CONFIRMED_REC_A, &r) == SESSIONERR_PERM,
	    "case 9, an update by another principal: NFS4ERR_PERM");
	tap_ok(exchange("owner-none", "verf-n-1", "uid:0", "10.0.0.1",
	    SESSION_EXCHGID_UPD_CONFIRMED_REC_A, &r) == SESSIONERR_NOENT,
	    "case 7, an update of no record: NFS4ERR_NOENT");
	tap_ok(exchange("owner-a", "verf-a-3", "uid:1000", "10.0.0.1", 0,
	    &r) == SESSIONERR_CLID_INUSE, "case 3, another principal while "
	    "the client has a session: NFS4ERR_CLID_INUSE");

	/* Case 5: the client restarted. */
	tap_ok(exchange("owner-a", "verf-a-4", "uid:0", "10.0.0.1", 0, &r5) ==
	    SESSION_OK && r5.clientid != r2.clientid &&
	    !(r5.flags & SESSION_EXCHGID_CONFIRMED_R), "case 5, a new "
	    "verifier: a new unconfirmed clientid");
	tap_ok(load(old_sid, 0, 4096, &info, &l, &next, &eof) == SESSION_OK,
	    "the old incarnation's session lives until the new one is "
	    "confirmed");
	tap_ok(create(r5.clientid, r5.sequenceid, "uid:0", 4, &c) ==
	    SESSION_OK && load(old_sid, 0, 4096, &info, &l, &next, &eof) ==
	    SESSIONERR_BADSESSION, "confirming the new one ends the old "
	    "session: NFS4ERR_BADSESSION");
	tap_ok(session_destroy_clientid(st, r2.clientid) ==
	    SESSIONERR_STALE_CLIENTID, "and the old clientid is stale");

	tap_ok(exchange("owner-s", "verf-s-1", "uid:0", "10.0.0.1", 0, &r) ==
	    SESSION_OK && session_destroy_clientid(st, r.clientid) ==
	    SESSION_OK, "an unconfirmed client may be destroyed");
	{
		struct session_exchange_args a;
		uint64_t mach_id;

		memset(&a, 0, sizeof(a));
		a.verifier = (const uint8_t *)"verifier";
		a.owner = (const uint8_t *)"sp4";
		a.owner_len = 3;
		a.principal = "uid:0";
		a.addr = "10.0.0.1";
		a.protect = SESSION_SP4_SSV;
		tap_ok(session_exchange_id(st, &a, &r) ==
		    SESSIONERR_ENCR_ALG_UNSUPP, "SP4_SSV: "
		    "NFS4ERR_ENCR_ALG_UNSUPP");
		a.protect = 7;
		tap_ok(session_exchange_id(st, &a, &r) == SESSIONERR_INVAL,
		    "an unknown state protection: NFS4ERR_INVAL");
		/* RFC 8881 18.35.3: the principal is the machine credential. */
		a.protect = SESSION_SP4_MACH_CRED;
		a.principal = "krb5:nfs/client@REALM";
		tap_ok(session_exchange_id(st, &a, &r) == SESSION_OK,
		    "SP4_MACH_CRED is taken");
		tap_ok(create(r.clientid, 1, "krb5:root@REALM", 4, &c) ==
		    SESSIONERR_WRONG_CRED && create(r.clientid, 1, "uid:0", 4,
		    &c) == SESSIONERR_WRONG_CRED, "SP4_MACH_CRED: "
		    "CREATE_SESSION of another principal: NFS4ERR_WRONG_CRED");
		tap_ok(create(r.clientid, 1, "krb5:nfs/client@REALM", 4, &c) ==
		    SESSION_OK, "... of the machine credential: confirmed");
		tap_ok(session_mach_check(st, 0, c.sessionid,
		    "krb5:root@REALM") == SESSIONERR_WRONG_CRED &&
		    session_mach_check(st, r.clientid, NULL, "uid:0") ==
		    SESSIONERR_WRONG_CRED && session_mach_check(st, 0,
		    c.sessionid, "krb5:nfs/client@REALM") == SESSION_OK,
		    "the enforced session and client id ops: its principal "
		    "alone");
		mach_id = r.clientid;
		a.principal = "krb5:root@REALM";
		tap_ok(session_exchange_id(st, &a, &r) ==
		    SESSIONERR_WRONG_CRED, "its owner under another principal "
		    "while the lease runs: NFS4ERR_WRONG_CRED");
		a.principal = "krb5:nfs/client@REALM";
		tap_ok(session_destroy(st, c.sessionid) == SESSION_OK &&
		    session_destroy_clientid(st, mach_id) == SESSION_OK,
		    "and it goes");
		tap_ok(session_mach_check(st, 0, c.sessionid, "uid:0") ==
		    SESSIONERR_BADSESSION, "a session that is no more: "
		    "BADSESSION");
		a.principal = "uid:0";
		a.protect = SESSION_SP4_NONE;
		a.owner_len = 0;
		tap_ok(session_exchange_id(st, &a, &r) == SESSIONERR_INVAL,
		    "an empty co_ownerid: NFS4ERR_INVAL");
	}
	tap_ok(create(0x1234ULL << 32 | 5, 1, "uid:0", 4, &c) ==
	    SESSIONERR_STALE_CLIENTID, "a clientid of another epoch: "
	    "NFS4ERR_STALE_CLIENTID");
}

/* RFC 8881 18.36.4: the CREATE_SESSION slot. */
static void
test_create_replay(void)
{
	struct session_exchange_res x;
	struct session_create_res c1, c2;
	struct session_create_args a;
	struct session_info info;
	struct loaded l;
	uint32_t next;
	int eof;

	tap_ok(exchange("owner-r", "verf-r-1", "uid:0", "10.0.0.2", 0, &x) ==
	    SESSION_OK, "a client for the replay");
	tap_ok(create(x.clientid, x.sequenceid + 1, "uid:0", 4, &c1) ==
	    SESSIONERR_SEQ_MISORDERED, "csa_sequence two ahead: "
	    "NFS4ERR_SEQ_MISORDERED");
	tap_ok(create(x.clientid, x.sequenceid, "uid:1000", 4, &c1) ==
	    SESSIONERR_CLID_INUSE, "another principal than EXCHANGE_ID's, "
	    "while unconfirmed: NFS4ERR_CLID_INUSE");
	tap_ok(create(x.clientid, x.sequenceid, "uid:0", 4, &c1) ==
	    SESSION_OK && !c1.replay, "CREATE_SESSION");
	tap_ok(create(x.clientid, x.sequenceid, "uid:0", 4, &c2) ==
	    SESSION_OK && c2.replay &&
	    memcmp(c1.sessionid, c2.sessionid, SESSION_ID_SIZE) == 0 &&
	    c2.fore.maxrequests == c1.fore.maxrequests &&
	    c2.sequence == c1.sequence, "the same csa_sequence again: the "
	    "same reply (the same session id), marked a replay");
	tap_ok(session_destroy(st, c1.sessionid) == SESSION_OK &&
	    create(x.clientid, x.sequenceid, "uid:0", 4, &c2) == SESSION_OK &&
	    c2.replay && memcmp(c1.sessionid, c2.sessionid,
	    SESSION_ID_SIZE) == 0 && load(c1.sessionid, 0, 4096, &info, &l,
	    &next, &eof) == SESSIONERR_BADSESSION, "a replay after "
	    "DESTROY_SESSION still gets the kept reply, and makes no session");
	tap_ok(create(x.clientid, x.sequenceid - 1, "uid:0", 4, &c2) ==
	    SESSIONERR_SEQ_MISORDERED, "an older csa_sequence: "
	    "NFS4ERR_SEQ_MISORDERED");
	create_args(&a, x.clientid, x.sequenceid + 1, "uid:0", 4);
	a.fore.maxrequestsize = 100;
	tap_ok(session_create(st, &a, &c2) == SESSIONERR_TOOSMALL,
	    "a fore channel too small for a reply: NFS4ERR_TOOSMALL");
	tap_ok(session_create(st, &a, &c2) == SESSIONERR_TOOSMALL && c2.replay,
	    "an error is kept for a replay too");
	tap_ok(create(x.clientid, x.sequenceid + 2, "uid:0", 4, &c2) ==
	    SESSION_OK && memcmp(c1.sessionid, c2.sessionid,
	    SESSION_ID_SIZE) != 0, "the next csa_sequence: a new session");
	tap_ok(create(x.clientid, x.sequenceid + 3, "uid:1000", 4, &c2) ==
	    SESSION_OK, "confirmed, with SP4_NONE, another principal may "
	    "make a session");
}

/* Channel attributes within dittofs.conf(5)'s caps; beyond: NOSPC. */
static void
test_caps(void)
{
	struct session_exchange_res x, y;
	struct session_create_res c;
	struct session_table_stats s0, s1;
	uint32_t seq;
	int i, ok = 1;

	limits(3, 8, 1024, 1 << 20);
	tap_ok(exchange("owner-c", "verf-c-1", "uid:0", "10.0.0.3", 0, &x) ==
	    SESSION_OK, "a client for the caps");
	seq = x.sequenceid;
	tap_ok(create(x.clientid, seq++, "uid:0", 5000, &c) == SESSION_OK &&
	    c.fore.maxrequests == 8 && c.fore.maxrequestsize == 65536 &&
	    c.fore.maxresponsesize == 65536 &&
	    c.fore.maxresponsesize_cached == 1024 &&
	    c.fore.maxoperations == SESSION_OPERATIONS_MAX &&
	    c.fore.headerpadsize == 0 &&
	    c.back.maxrequests == SESSION_BACK_SLOTS_MAX,
	    "a huge request gets the configured slots, sizes and cached size");
	tap_ok(c.flags == SESSION_FLAG_CONN_BACK_CHAN,
	    "CONN_BACK_CHAN kept, PERSIST not promised");
	tap_ok(create(x.clientid, seq++, "uid:0", 2, &c) == SESSION_OK &&
	    c.fore.maxrequests == 2, "fewer slots asked: fewer given");
	tap_ok(create(x.clientid, seq++, "uid:0", 2, &c) == SESSION_OK,
	    "a third session");
	session_table_stats(st, &s0);
	tap_ok(create(x.clientid, seq++, "uid:0", 2, &c) == SESSIONERR_NOSPC,
	    "a fourth, beyond 'nfsv4.1 sessions per client': NFS4ERR_NOSPC");
	session_table_stats(st, &s1);
	tap_ok(s1.limit_hits == s0.limit_hits + 1, "and it counts as a "
	    "limit hit (stated logs it)");

	/* The memory cap: fewer slots, then none. */
	limits(1000, 64, 1024, s1.bytes + 20 * 1024);
	tap_ok(exchange("owner-m", "verf-m-1", "uid:0", "10.0.0.4", 0, &y) ==
	    SESSION_OK, "a client for the memory cap");
	seq = y.sequenceid;
	tap_ok(create(y.clientid, seq++, "uid:0", 64, &c) == SESSION_OK &&
	    c.fore.maxrequests > 0 && c.fore.maxrequests < 64,
	    "near 'nfsv4.1 session memory' a session gets fewer slots "
	    "(%u of 64)", c.fore.maxrequests);
	for (i = 0; i < 100 && ok; i++)
		ok = create(y.clientid, seq++, "uid:0", 64, &c) == SESSION_OK;
	tap_ok(!ok && c.status == SESSIONERR_NOSPC, "sessions until the "
	    "memory is used: then NFS4ERR_NOSPC");
	session_table_stats(st, &s0);
	tap_ok(s0.bytes <= s1.bytes + 20 * 1024, "memory stays within the "
	    "cap (%zu bytes)", s0.bytes);
	/* The first client lapses: its sessions make room. */
	tick(100);
	tap_ok(create(y.clientid, seq++, "uid:0", 4, &c) == SESSION_OK,
	    "once the other client lapsed, its sessions make room");
	session_table_stats(st, &s1);
	tap_ok(s1.reaped > s0.reaped, "(counted as reaped)");
	limits(4, 8, 1024, 1 << 20);
}

/* SLOT_DONE, then what LOAD gives a restarted nfsd. */
static void
test_slots(void)
{
	static const uint8_t reply[200] = { 0x80, 0, 0, 0, 1, 2, 3 };
	uint8_t sid[SESSION_ID_SIZE], bad[SESSION_ID_SIZE], big[2048];
	uint8_t reply2[200];
	struct session_info info;
	struct loaded l;
	uint32_t next;
	int eof, i;
	uint64_t cid;

	cid = client_session("owner-slots", "10.0.0.5", sid);
	tap_ok(cid != 0, "a client with a session of 8 slots");
	for (i = 0; i < (int)sizeof(reply2); i++)
		reply2[i] = (uint8_t)(i * 7 + 1);
	tap_ok(session_slot_done(st, sid, 3, 1, 1, (const uint8_t *)"dig-1",
	    5, reply2, sizeof(reply2)) == SESSION_OK, "slot 3, sequence id 1: "
	    "a cached reply of 200 bytes");
	tap_ok(load(sid, 0, 1 << 20, &info, &l, &next, &eof) == SESSION_OK &&
	    eof && l.n == 1 && l.slots[0].slotid == 3 &&
	    l.slots[0].seqid == 1 && l.slots[0].cached &&
	    l.slots[0].reply_len == sizeof(reply2) &&
	    memcmp(l.slots[0].reply, reply2, sizeof(reply2)) == 0 &&
	    l.slots[0].digest_len == 5 &&
	    memcmp(l.slots[0].digest, "dig-1", 5) == 0,
	    "LOAD: slot 3 with sequence id 1, its digest and the reply byte "
	    "for byte");
	tap_ok(info.clientid == cid && info.slots == 8 &&
	    info.slots_used == 1 && info.cached_bytes == sizeof(reply2) &&
	    info.cb_program == 0x40000000, "and the session: its client, 8 "
	    "slots, 1 used, 200 bytes kept, the callback program");
	tap_ok(session_slot_done(st, sid, 3, 2, 0, (const uint8_t *)"dig-2",
	    5, NULL, 0) == SESSION_OK && load(sid, 0, 1 << 20, &info, &l,
	    &next, &eof) == SESSION_OK && l.n == 1 && l.slots[0].seqid == 2 &&
	    !l.slots[0].cached && l.slots[0].reply_len == 0 &&
	    memcmp(l.slots[0].digest, "dig-2", 5) == 0 &&
	    info.cached_bytes == 0, "sa_cachethis false: sequence id 2 and "
	    "its digest kept, no reply (a retry gets "
	    "NFS4ERR_RETRY_UNCACHED_REP)");
	tap_ok(session_slot_done(st, sid, 3, 4, 1, NULL, 0, reply,
	    sizeof(reply)) == SESSIONERR_SEQ_MISORDERED && load(sid, 0, 1 << 20,
	    &info, &l, &next, &eof) == SESSION_OK && l.slots[0].seqid == 2,
	    "a sequence id out of order is not applied");
	tap_ok(session_slot_done(st, sid, 8, 1, 0, NULL, 0, NULL, 0) ==
	    SESSIONERR_BADSLOT, "a slot past the table: NFS4ERR_BADSLOT");
	memset(bad, 0x5a, sizeof(bad));
	tap_ok(session_slot_done(st, bad, 0, 1, 0, NULL, 0, NULL, 0) ==
	    SESSIONERR_BADSESSION && load(bad, 0, 4096, &info, &l, &next,
	    &eof) == SESSIONERR_BADSESSION, "a session id made up: "
	    "NFS4ERR_BADSESSION");
	memset(big, 'b', sizeof(big));
	tap_ok(session_slot_done(st, sid, 0, 1, 1, NULL, 0, big,
	    sizeof(big)) == SESSIONERR_REP_TOO_BIG_TO_CACHE &&
	    load(sid, 0, 1 << 20, &info, &l, &next, &eof) == SESSION_OK &&
	    l.n == 2 && l.slots[0].slotid == 0 && l.slots[0].seqid == 1 &&
	    !l.slots[0].cached && info.cached_bytes == 0, "a reply beyond "
	    "the session's cached size: its sequence id kept, not the reply");
	for (i = 1; i < 8; i++)
		session_slot_done(st, sid, (uint32_t)i, i == 3 ? 3 : 1, 1,
		    NULL, 0, reply, sizeof(reply));
	tap_ok(load(sid, 0, 300, &info, &l, &next, &eof) == SESSION_OK &&
	    !eof && l.n == 1 && next == 1, "LOAD in chunks: one slot "
	    "when the budget holds one");
	{
		int total = l.n, rounds = 1;

		while (!eof && rounds < 20) {
			if (load(sid, next, 300, &info, &l, &next, &eof) !=
			    SESSION_OK)
				break;
			total += l.n;
			rounds++;
		}
		tap_ok(eof && total == 8, "all 8 used slots come, chunk by "
		    "chunk (%d in %d rounds)", total, rounds);
	}
	{
		struct session_table_stats a, b;

		/* RFC 8881 2.10.6.1: the client gave slots 4..7 back. */
		session_table_stats(st, &a);
		tap_ok(session_shrink(st, sid, 4) == SESSION_OK &&
		    load(sid, 0, 1 << 20, &info, &l, &next, &eof) ==
		    SESSION_OK && eof && info.slots == 4 &&
		    info.slots_used == 4 && l.n == 4 &&
		    info.cached_bytes == 3 * sizeof(reply),
		    "SHRINK to 4: slots 4..7 and their replies gone");
		session_table_stats(st, &b);
		tap_ok(b.bytes < a.bytes, "their memory given back (%zu of "
		    "%zu bytes)", a.bytes - b.bytes, a.bytes);
		tap_ok(session_slot_done(st, sid, 5, 2, 0, NULL, 0, NULL, 0) ==
		    SESSIONERR_BADSLOT, "slot 5 then: NFS4ERR_BADSLOT");
		tap_ok(session_shrink(st, sid, 6) == SESSION_OK &&
		    session_shrink(st, sid, 0) == SESSIONERR_INVAL &&
		    load(sid, 0, 1 << 20, &info, &l, &next, &eof) ==
		    SESSION_OK && info.slots == 4, "SHRINK to more: no "
		    "change; to none: refused");
		/* BACKCHANNEL_CTL: program and security replaced. */
		tap_ok(session_back_ctl(st, sid, 0x40000123,
		    (const uint8_t *)"\0\0\0\1\0\0\0\0", 8) ==
		    SESSION_OK && load(sid, 0, 1 << 20, &info, &l, &next,
		    &eof) == SESSION_OK && info.cb_program == 0x40000123 &&
		    info.cb_sec_len == 8 && info.cb_sec[3] == 1,
		    "BACKCHANNEL_CTL: LOAD gives its program and security");
		session_table_stats(st, &a);
		tap_ok(session_back_ctl(st, sid, 1, NULL, 0) == SESSION_OK &&
		    (session_table_stats(st, &b), a.bytes - b.bytes == 8),
		    "and its bytes are counted");
		tap_ok(session_back_ctl(st, bad, 1, NULL, 0) ==
		    SESSIONERR_BADSESSION, "BACKCHANNEL_CTL of a session "
		    "made up: NFS4ERR_BADSESSION");
	}
	tap_ok(session_destroy(st, sid) == SESSION_OK &&
	    session_destroy(st, sid) == SESSIONERR_BADSESSION,
	    "DESTROY_SESSION, then the session is gone");
}

/* RFC 8881 18.50 */
static void
test_destroy_clientid(void)
{
	uint8_t sid[SESSION_ID_SIZE];
	uint64_t cid;

	cid = client_session("owner-d", "10.0.0.6", sid);
	tap_ok(cid != 0, "a client with a session");
	tap_ok(session_destroy_clientid(st, cid) == SESSIONERR_CLIENTID_BUSY,
	    "DESTROY_CLIENTID with a session: NFS4ERR_CLIENTID_BUSY");
	tap_ok(session_destroy(st, sid) == SESSION_OK && lock_as(cid, "f-d",
	    0) == 0, "its session destroyed; it holds a lock");
	tap_ok(session_destroy_clientid(st, cid) == SESSIONERR_CLIENTID_BUSY,
	    "with state (a lock): still NFS4ERR_CLIENTID_BUSY");
	lock_table_release_client(table, LOCK_PROTOCOL_NFSV4, cid);
	tap_ok(session_destroy_clientid(st, cid) == SESSION_OK,
	    "holding nothing: destroyed");
	tap_ok(session_destroy_clientid(st, cid) == SESSIONERR_STALE_CLIENTID,
	    "again: NFS4ERR_STALE_CLIENTID");
}

/* Leases: SLOT_DONE renews; lapsed clients are kept until a conflict. */
static void
test_courtesy(void)
{
	uint8_t sa[SESSION_ID_SIZE], sb[SESSION_ID_SIZE], sc[SESSION_ID_SIZE];
	struct session_exchange_res x;
	struct session_info info;
	struct loaded l;
	uint32_t next;
	int eof;
	uint64_t a, b, c;

	/* What the earlier tests left lapses and goes first. */
	tick(1000);
	session_table_sweep(st);
	a = client_session("owner-lapse-a", "10.0.0.7", sa);
	b = client_session("owner-lapse-b", "10.0.0.7", sb);
	c = client_session("owner-lively", "10.0.0.7", sc);
	tap_ok(a != 0 && b != 0 && c != 0, "three clients with sessions");
	tap_ok(lock_as(a, "f-court", 0) == 0, "A holds a lock; B holds none");
	tap_ok(exchange("owner-lapse-u", "verifier", "uid:0", "10.0.0.7", 0,
	    &x) == SESSION_OK, "and an unconfirmed client");
	tick(60);
	tap_ok(session_slot_done(st, sc, 0, 1, 0, NULL, 0, NULL, 0) ==
	    SESSION_OK, "C's SLOT_DONE renews its lease");
	tick(60);
	tap_ok(session_table_courtesy(st, c) == 0, "C is within its lease: "
	    "a conflicting lock does not purge it");
	tap_ok(session_table_sweep(st) == 2, "the sweep forgets the lapsed B "
	    "(no state) and the unconfirmed client");
	tap_ok(load(sb, 0, 4096, &info, &l, &next, &eof) ==
	    SESSIONERR_BADSESSION && session_destroy_clientid(st, b) ==
	    SESSIONERR_STALE_CLIENTID, "B's session and clientid are gone");
	tap_ok(load(sa, 0, 4096, &info, &l, &next, &eof) == SESSION_OK &&
	    load(sc, 0, 4096, &info, &l, &next, &eof) == SESSION_OK,
	    "the lapsed A, which holds a lock, keeps its session "
	    "(courtesy); so does C");
	tap_ok(session_table_courtesy(st, a) == 1, "a lock conflicting with "
	    "A's: A is purged");
	tap_ok(lock_table_client_records(table, LOCK_PROTOCOL_NFSV4, a) == 0 &&
	    load(sa, 0, 4096, &info, &l, &next, &eof) ==
	    SESSIONERR_BADSESSION, "its lock and session are gone");
	tap_ok(session_table_courtesy(st, 7) == 0, "a v4.0 clientid is not "
	    "the session table's");
	tick(SESSION_COURTESY_MAX);
	session_table_sweep(st);
}

/* Grace: RECLAIM_COMPLETE of a client that may reclaim (18.51). */
static void
test_reclaim(const char *dir)
{
	uint8_t sid[SESSION_ID_SIZE];
	struct stated_client *rec;
	uint64_t cid;
	size_t i, reclaimable = 0;

	start(dir, 0);
	cid = client_session("owner-reclaim", "10.0.1.1", sid);
	rec = session_table_record(st, cid);
	tap_ok(cid != 0 && rec != NULL && strncmp(rec->name, "41:", 3) == 0,
	    "a confirmed client has a client record (\"41:\" and its "
	    "co_ownerid)");
	tap_ok(lock_as(cid, "f-rec", 0) == 0 &&
	    clients_note_state(records, rec) == 0,
	    "it gets state: its record takes the epoch (as an OPEN will)");
	tap_ok(client_session("owner-idle", "10.0.1.2", sid) != 0,
	    "another client without state");
	tap_ok(session_reclaim_complete(st, cid, 0) == SESSION_OK &&
	    done_calls == 0, "RECLAIM_COMPLETE outside grace: NFS4_OK, "
	    "nobody was reclaiming");
	tap_ok(session_reclaim_complete(st, cid, 0) ==
	    SESSIONERR_COMPLETE_ALREADY, "twice: NFS4ERR_COMPLETE_ALREADY");
	stop();

	/* stated restarts: a new epoch, grace. */
	start(dir, 1);
	for (i = 0; (rec = clients_at(records, i)) != NULL; i++)
		if (rec->reclaimable && strncmp(rec->name, "41:", 3) == 0)
			reclaimable++;
	tap_ok(reclaimable == 1, "after the restart one NFSv4.1 record may "
	    "reclaim");
	tap_ok(session_reclaim_complete(st, cid, 0) ==
	    SESSIONERR_STALE_CLIENTID, "the old clientid is stale");
	cid = client_session("owner-reclaim", "10.0.1.1", sid);
	rec = session_table_record(st, cid);
	tap_ok(cid != 0 && rec != NULL && rec->reclaimable,
	    "the client comes back: its record is the reclaimable one");
	tap_ok(session_reclaim_complete(st, cid, 1) == SESSION_OK &&
	    done_calls == 0, "RECLAIM_COMPLETE of one file system does not "
	    "end its reclaim");
	tap_ok(session_reclaim_complete(st, cid, 0) == SESSION_OK &&
	    done_calls == 1 && done_record == rec, "RECLAIM_COMPLETE: done "
	    "(grace.c counts it, and ends grace when every client is)");
	tap_ok(session_reclaim_complete(st, cid, 0) ==
	    SESSIONERR_COMPLETE_ALREADY && done_calls == 1,
	    "again: NFS4ERR_COMPLETE_ALREADY");
	stop();
}

/* "clients per address" bounds v4.1 clients too. */
static void
test_addr_limit(void)
{
	struct session_exchange_res x;
	char owner[32];
	int i, ok = 1;

	for (i = 0; i < 8 && ok; i++) {
		snprintf(owner, sizeof(owner), "addr-owner-%d", i);
		ok = exchange(owner, "verifier", "uid:0", "10.9.9.9", 0, &x) ==
		    SESSION_OK;
	}
	tap_ok(ok, "8 clients from one address");
	tap_ok(exchange("addr-owner-x", "verifier", "uid:0", "10.9.9.9", 0,
	    &x) == SESSIONERR_RESOURCE, "a ninth, beyond 'clients per "
	    "address': NFS4ERR_RESOURCE");
	tick(100);
	tap_ok(exchange("addr-owner-x", "verifier", "uid:0", "10.9.9.9", 0,
	    &x) == SESSION_OK, "once one lapsed (holding nothing), room");
}

int
main(void)
{
	char dir[] = "/tmp/test_stated_session.XXXXXX", gdir[64], cmd[96];

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(gdir, sizeof(gdir), "%s/grace", dir);
	start(dir, 0);
	test_exchange_id();
	test_create_replay();
	test_caps();
	test_slots();
	test_destroy_clientid();
	test_courtesy();
	test_addr_limit();
	stop();
	done_calls = 0;
	test_reclaim(gdir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) == -1)
		tap_diag("cleanup failed");
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
