/*
 * stated's caching grants (stated/grant.c): grant, conflict and recall
 * (once), the holder's own requests never conflicting, reads against
 * read grants, return, revocation after the lease and forgetting a
 * lease later, release of a holder, the lookups and the counts; then
 * NFSv4 delegations on it (stated/v4state.c): granted only after a
 * read-only OPEN with the callback up and nothing in the way, the same
 * one again to a retransmission, a READ through it, a conflicting OPEN
 * answered NFS4ERR_DELAY with its seqid moved on, DELEGRETURN, the cap
 * per client, a purged client's delegations gone, and a lapsed holder
 * purged rather than waited for.  Write delegations: granted after an
 * OPEN that writes when no other client has the file open, locked or
 * delegated; their stateid WRITEs; any other client's OPEN recalls
 * them; a reclaim in grace (CLAIM_PREVIOUS) gets its level back;
 * CLAIM_DELEGATE_CUR's stateid must be the client's delegation of the
 * file.  A file's level and write holder as a front end learns them.
 * SMB oplocks and leases: the level an SMB holder may have against the
 * opens, locks and grants of others, any protocol's; leases held by
 * their client and key, whose own opens stand in nobody's way,
 * upgraded, and what an SMB open breaks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clients.h"
#include "grant.h"
#include "tap.h"
#include "v4state.h"

#define NFSV4	2	/* LOCK_PROTOCOL_NFSV4 */
#define SMB	3

struct events {
	size_t		 recalls;
	size_t		 revokes;
	uint64_t	 last_id;
	uint64_t	 last_client;
};

static void
event_cb(void *arg, const struct grant *g, enum grant_event e)
{
	struct events *ev = arg;

	if (e == GRANT_EVENT_RECALL)
		ev->recalls++;
	else if (e == GRANT_EVENT_REVOKE)
		ev->revokes++;
	ev->last_id = g->id;
	ev->last_client = g->holder.client_id;
}

static struct lock_file_id
file(int n)
{
	struct lock_file_id f;

	memset(&f, 0, sizeof(f));
	f.len = 16;
	f.data[11] = (uint8_t)n;
	return f;
}

static struct grant_holder
holder(int protocol, uint64_t client)
{
	struct grant_holder h;

	memset(&h, 0, sizeof(h));
	h.protocol = protocol;
	h.client_id = client;
	h.fe_role = 4;
	strcpy(h.fe_name, "nfsd");
	return h;
}

static int
count_files_cb(void *arg, const struct lock_file_id *f)
{
	(void)f;
	(*(size_t *)arg)++;
	return 0;
}

/* An NLM read lock of bytes 0-9 of the file, of host "nlm-host". */
static void
nlm_read_lock(struct lock_request *lr, const struct lock_file_id *f)
{
	memset(lr, 0, sizeof(*lr));
	lr->file = *f;
	lr->owner.protocol = LOCK_PROTOCOL_NLM;
	lr->owner.client_id = 77;
	lr->owner.host = "nlm-host";
	lr->owner.bytes = "nlm";
	lr->owner.bytes_len = 3;
	lr->length = 10;
	lr->type = LOCK_SHARED;
}

/* ---- NFSv4 delegations on the grant table ---- */

static struct v4_state *v4;

static void
quiet_log(const char *msg)
{
	tap_diag("records: %s", msg);
}

/* The v4 state on a fresh lock table and client records under dir. */
static int
v4_setup(char *dir, struct stated_clients **records, struct lock_table **locks)
{
	char err[256];

	if (mkdtemp(dir) == NULL || clients_open(dir, quiet_log, records,
	    err, sizeof(err)) == -1 || (*locks = lock_table_new(NULL, NULL)) ==
	    NULL || (v4 = v4_state_new(*locks, *records,
	    clients_epoch(*records))) == NULL)
		return -1;
	return 0;
}

static void
v4_teardown(const char *dir, struct stated_clients *records,
    struct lock_table *locks)
{
	char cmd[128];

	v4_state_free(v4);
	lock_table_free(locks);
	clients_close(records);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) == -1)
		tap_diag("cannot remove %s", dir);
}

static uint64_t
v4_client(const char *id, int cb_up)
{
	struct v4_setclientid_args a;
	struct v4_setclientid_res r;
	struct v4_confirm_res c;

	memset(&a, 0, sizeof(a));
	a.verifier = (const uint8_t *)"verifier";
	a.id = (const uint8_t *)id;
	a.id_len = strlen(id);
	a.principal = "uid0";
	a.addr = "192.0.2.1";
	a.cb.program = 0x40000000;
	strcpy(a.cb.netid, "tcp");
	strcpy(a.cb.uaddr, "192.0.2.1.3.4");
	if (v4_state_setclientid(v4, &a, &r) != V4_OK ||
	    v4_state_setclientid_confirm(v4, r.clientid, r.confirm, "uid0",
	    &c) != V4_OK)
		return 0;
	if (cb_up >= 0)
		v4_state_callback_status(v4, r.clientid, cb_up);
	return r.clientid;
}

/* OPEN (+ OPEN_CONFIRM) of owner at seqid *seq; its status. */
static uint32_t
v4_open(uint64_t clientid, const char *owner, uint32_t *seq,
    const struct lock_file_id *f, uint32_t access, struct v4_stateid *sid)
{
	struct v4_open_args a;
	struct v4_result r;

	memset(&a, 0, sizeof(a));
	a.clientid = clientid;
	a.owner = (const uint8_t *)owner;
	a.owner_len = strlen(owner);
	a.seqid = (*seq)++;
	a.access = access;
	a.file = *f;
	if (v4_state_open(v4, &a, &r) != V4_OK)
		return r.status;
	if ((r.rflags & V4_RESULT_CONFIRM) &&
	    v4_state_open_confirm(v4, &r.stateid, (*seq)++, &r) != V4_OK)
		return r.status;
	*sid = r.stateid;
	return V4_OK;
}

static uint32_t
v4_deleg(uint64_t clientid, const struct v4_stateid *open,
    const struct lock_file_id *f, struct v4_deleg_res *res)
{
	static const uint8_t fh[4] = { 0xf, 0xe, 0xe, 0xd };

	return v4_state_delegate(v4, clientid, open, f, fh, sizeof(fh), 4,
	    "nfsd", res);
}

static void
test_v4(struct grant_table *t, struct events *ev)
{
	struct lock_table *locks;
	struct stated_clients *records;
	struct lock_file_id f1 = file(41), f2 = file(42), f3 = file(43),
	    f4 = file(44), f5 = file(45), f6 = file(46), f7 = file(47);
	struct v4_stateid sa, sb, sc, s2;
	struct v4_deleg_res d, d2;
	struct v4_check_res cr;
	const struct grant *g;
	uint64_t a, b, c, dd, ee;
	uint32_t qa = 1, qb = 1, qc = 1, qd = 1, qe = 1, st;
	struct v4_result r;
	size_t recalls;
	char dir[] = "/tmp/test_stated_grant.XXXXXX";

	if (v4_setup(dir, &records, &locks) == -1) {
		tap_ok(0, "v4 state");
		return;
	}
	v4_state_set_lease(v4, 10);
	v4_state_set_now(v4, 2000);
	grant_table_set_now(t, 2000);
	v4_state_set_grants(v4, t, 1, 2);
	a = v4_client("client-a", 1);
	b = v4_client("client-b", 0);
	c = v4_client("client-c", -1);
	tap_ok(a != 0 && b != 0 && c != 0, "three v4 clients");

	tap_ok(v4_open(a, "oa", &qa, &f1, LOCK_SHARE_READ, &sa) == V4_OK &&
	    v4_deleg(a, &sa, &f1, &d) == V4_OK && d.level == GRANT_READ,
	    "a read-only OPEN with the callback up: a read delegation");
	tap_ok(v4_deleg(a, &sa, &f1, &d2) == V4_OK && d2.level == GRANT_READ &&
	    memcmp(&d2.stateid, &d.stateid, sizeof(d.stateid)) == 0,
	    "asked again (a retransmitted OPEN): the same delegation");
	g = grant_find(t, d.stateid.other, V4_OTHER_SIZE);
	tap_ok(g != NULL && g->handle_len == 4 && g->holder.client_id == a &&
	    strcmp(g->holder.fe_name, "nfsd") == 0,
	    "kept with its file handle and front end");
	tap_ok(v4_state_check(v4, &d.stateid, &f1, V4_IO_READ, &cr) == V4_OK,
	    "its stateid READs the file");
	TAP_EQ_INT(v4_state_check(v4, &d.stateid, &f2, V4_IO_READ, &cr),
	    V4ERR_BAD_STATEID, "but not another file");
	TAP_EQ_INT(v4_state_check(v4, &d.stateid, &f1, V4_IO_WRITE, &cr),
	    V4ERR_OPENMODE, "and does not WRITE");
	TAP_EQ_INT(v4_deleg(b, &sa, &f1, &d2), V4ERR_BAD_STATEID,
	    "another client cannot ask on a's open stateid");

	tap_ok(v4_open(b, "ob", &qb, &f2, LOCK_SHARE_READ, &sb) == V4_OK &&
	    v4_deleg(b, &sb, &f2, &d2) == V4_OK && d2.level == 0 &&
	    d2.why == V4_DELEG_NONE_CALLBACK,
	    "a client whose callback is down: none");
	tap_ok(v4_open(c, "oc", &qc, &f3, LOCK_SHARE_READ | LOCK_SHARE_WRITE,
	    &sc) == V4_OK && v4_deleg(c, &sc, &f3, &d2) == V4_OK &&
	    d2.level == 0 && d2.why == V4_DELEG_NONE_ACCESS,
	    "an open that may write: none");

	/* b opens f1 for reading too: no conflict with a read delegation. */
	TAP_EQ_INT(v4_open(b, "ob", &qb, &f1, LOCK_SHARE_READ, &s2), V4_OK,
	    "another client's OPEN for reading goes");
	TAP_EQ_INT(ev->recalls, 0, "and recalls nothing");
	/* c's OPEN for writing: DELAY, a recall, its seqid moves on. */
	st = v4_open(c, "oc", &qc, &f1, LOCK_SHARE_WRITE, &s2);
	TAP_EQ_INT(st, V4ERR_DELAY, "another client's OPEN for writing: DELAY");
	TAP_EQ_INT(ev->recalls, 1, "a's delegation is recalled");
	TAP_EQ_INT(ev->last_client, a, "the recall is a's");
	TAP_EQ_INT(v4_open(c, "oc", &qc, &f1, LOCK_SHARE_WRITE, &s2),
	    V4ERR_DELAY, "the next seqid again: still DELAY");
	TAP_EQ_INT(ev->recalls, 1, "no second recall");
	tap_ok(v4_open(a, "oa2", &qa, &f3, LOCK_SHARE_READ, &s2) == V4_OK &&
	    v4_deleg(a, &s2, &f3, &d2) == V4_OK && d2.level == 0 &&
	    d2.why == V4_DELEG_NONE_CONFLICT,
	    "a file another client has open for writing: none");
	TAP_EQ_INT(v4_state_delegreturn(v4, &d.stateid, &f2),
	    V4ERR_BAD_STATEID, "DELEGRETURN on another file: BAD_STATEID");
	TAP_EQ_INT(v4_state_delegreturn(v4, &d.stateid, &f1), V4_OK,
	    "DELEGRETURN");
	TAP_EQ_INT(v4_open(c, "oc", &qc, &f1, LOCK_SHARE_WRITE, &s2), V4_OK,
	    "then the OPEN for writing goes");
	TAP_EQ_INT(v4_state_delegreturn(v4, &d.stateid, &f1),
	    V4ERR_BAD_STATEID, "a second DELEGRETURN: BAD_STATEID");
	TAP_EQ_INT(v4_state_check(v4, &d.stateid, &f1, V4_IO_READ, &cr),
	    V4ERR_BAD_STATEID, "a returned delegation's stateid is no more");

	/* The cap (2 per client), and a purge. */
	tap_ok(v4_open(a, "oa3", &qa, &f2, LOCK_SHARE_READ, &s2) == V4_OK &&
	    v4_deleg(a, &s2, &f2, &d2) == V4_OK && d2.level == GRANT_READ,
	    "a's second delegation");
	tap_ok(v4_open(a, "oa4", &qa, &f4, LOCK_SHARE_READ, &s2) == V4_OK &&
	    v4_deleg(a, &s2, &f4, &d2) == V4_OK && d2.level == GRANT_READ,
	    "a's delegation of another file");
	tap_ok(v4_open(a, "oa5", &qa, &f5, LOCK_SHARE_READ, &s2) == V4_OK &&
	    v4_deleg(a, &s2, &f5, &d2) == V4_OK && d2.level == 0 &&
	    d2.why == V4_DELEG_NONE_LIMIT,
	    "beyond nfsv4 delegations per client (2): none");
	TAP_EQ_INT(grant_holder_count(t, LOCK_PROTOCOL_NFSV4, a), 2,
	    "a holds two");
	TAP_EQ_INT(v4_state_revoke(v4, a), V4_OK, "dittofsctl revokes a");
	TAP_EQ_INT(grant_holder_count(t, LOCK_PROTOCOL_NFSV4, a), 0,
	    "a's delegations went with its state");

	/* A lapsed holder is purged rather than waited for (courtesy). */
	dd = v4_client("client-d", 1);
	tap_ok(dd != 0 && v4_open(dd, "od", &qd, &f6, LOCK_SHARE_READ,
	    &s2) == V4_OK && v4_deleg(dd, &s2, &f6, &d2) == V4_OK &&
	    d2.level == GRANT_READ, "d's delegation");
	recalls = ev->recalls;
	v4_state_set_now(v4, 2020);
	grant_table_set_now(t, 2020);
	TAP_EQ_INT(v4_open(c, "oc", &qc, &f6, LOCK_SHARE_WRITE, &s2), V4_OK,
	    "d's lease lapsed: another client's OPEN for writing goes");
	TAP_EQ_INT(ev->recalls, recalls, "with no recall");
	TAP_EQ_INT(v4_state_renew(v4, dd), V4ERR_EXPIRED,
	    "d was purged: its RENEW is NFS4ERR_EXPIRED");

	/*
	 * A client that holds a delegation but no open is forgotten to make
	 * room for another at its address: the delegation goes with it.
	 */
	ee = v4_client("client-e", 1);
	tap_ok(ee != 0 && v4_open(ee, "oe", &qe, &f7, LOCK_SHARE_READ,
	    &s2) == V4_OK && v4_deleg(ee, &s2, &f7, &d2) == V4_OK &&
	    d2.level == GRANT_READ && v4_state_close(v4, &s2, qe++, &r) ==
	    V4_OK, "e's delegation, its open closed");
	/* Renewed, it keeps it through a sweep; then its lease lapses. */
	v4_state_set_now(v4, 2035);
	v4_state_renew(v4, ee);
	v4_state_sweep(v4);
	TAP_EQ_INT(grant_holder_count(t, LOCK_PROTOCOL_NFSV4, ee), 1,
	    "a sweep keeps the delegation of a client that renews");
	v4_state_set_limits(v4, 0, 0, 3);
	v4_state_set_now(v4, 2050);
	TAP_EQ_INT(v4_client("client-f", 1) != 0, 1,
	    "a client over clients per address makes room: lapsed e goes");
	TAP_EQ_INT(grant_holder_count(t, LOCK_PROTOCOL_NFSV4, ee), 0,
	    "and its delegation with it");
	v4_teardown(dir, records, locks);
}

/* ---- a change of principal (RFC 7530 16.33.5), the callback's security ---- */

/* SETCLIENTID and SETCLIENTID_CONFIRM of id as principal (gss: 0, AUTH_SYS). */
static uint32_t
v4_client_as(const char *id, const char *principal, const char *verf,
    uint32_t gss, uint64_t *clientid, struct v4_confirm_res *c)
{
	struct v4_setclientid_args a;
	struct v4_setclientid_res r;
	uint32_t st;

	memset(&a, 0, sizeof(a));
	a.verifier = (const uint8_t *)verf;
	a.id = (const uint8_t *)id;
	a.id_len = strlen(id);
	a.principal = principal;
	a.addr = "192.0.2.7";
	a.cb.program = 0x40000000;
	strcpy(a.cb.netid, "tcp");
	strcpy(a.cb.uaddr, "192.0.2.7.3.4");
	a.cb.gss_service = gss;
	if (gss != 0)
		strcpy(a.cb.gss_principal, "nfs/client.example@EXAMPLE");
	if ((st = v4_state_setclientid(v4, &a, &r)) != V4_OK)
		return st;
	if ((st = v4_state_setclientid_confirm(v4, r.clientid, r.confirm,
	    principal, c)) != V4_OK)
		return st;
	*clientid = r.clientid;
	v4_state_callback_status(v4, r.clientid, 1);
	return V4_OK;
}

static void
test_v4_principal(struct grant_table *t)
{
	static const char *krb5 = "krb5:nfs/client.example@EXAMPLE";
	struct lock_table *locks;
	struct stated_clients *records;
	struct lock_file_id f1 = file(61), f2 = file(62), f3 = file(63);
	struct v4_stateid s1, s2, s3;
	struct v4_deleg_res d;
	struct v4_check_res cr;
	struct v4_confirm_res c;
	struct v4_callback cb;
	struct v4_result r;
	uint64_t a, b, e, n, k;
	uint32_t qa = 1, qb = 1, qe = 1;
	char dir[] = "/tmp/test_stated_grant.XXXXXX";

	if (v4_setup(dir, &records, &locks) == -1) {
		tap_ok(0, "v4 state");
		return;
	}
	v4_state_set_lease(v4, 10);
	v4_state_set_now(v4, 3000);
	grant_table_set_now(t, 3000);
	v4_state_set_grants(v4, t, 1, 2);

	/* Under AUTH_SYS first, then under Kerberos (an upgrade). */
	tap_ok(v4_client_as("up-open", "sys:0", "verf-sys", 0, &a, &c) ==
	    V4_OK && v4_open(a, "oa", &qa, &f1, LOCK_SHARE_READ, &s1) == V4_OK,
	    "an AUTH_SYS client (sys:0) with an open");
	TAP_EQ_INT(v4_client_as("up-open", krb5, "verf-krb", 2, &k, &c),
	    V4ERR_CLID_INUSE, "the same id under Kerberos while it holds the "
	    "open: NFS4ERR_CLID_INUSE");
	tap_ok(v4_client_as("up-deleg", "sys:0", "verf-sys", 0, &b, &c) ==
	    V4_OK && v4_open(b, "ob", &qb, &f2, LOCK_SHARE_READ, &s2) ==
	    V4_OK && v4_deleg(b, &s2, &f2, &d) == V4_OK &&
	    d.level == GRANT_READ && v4_state_close(v4, &s2, qb++, &r) ==
	    V4_OK, "an AUTH_SYS client that kept a delegation after CLOSE");
	TAP_EQ_INT(v4_client_as("up-deleg", krb5, "verf-krb", 2, &k, &c),
	    V4ERR_CLID_INUSE, "the same id under Kerberos while it holds the "
	    "delegation alone: NFS4ERR_CLID_INUSE (leased state)");
	tap_ok(v4_client_as("up-none", "sys:0", "verf-sys", 0, &n, &c) ==
	    V4_OK && v4_client_as("up-none", krb5, "verf-krb", 2, &k, &c) ==
	    V4_OK && k != n && v4_state_renew(v4, n) != V4_OK,
	    "an AUTH_SYS client that holds nothing: Kerberos takes the id at "
	    "once, the old clientid goes");
	tap_ok(c.cb_probe && c.cb.gss_service == 2 &&
	    strcmp(c.cb.gss_principal, "nfs/client.example@EXAMPLE") == 0,
	    "CONFIRM hands back the callback with its RPCSEC_GSS security");
	tap_ok(v4_state_client_callback(v4, k, &cb) == 0 &&
	    cb.gss_service == 2 && strcmp(cb.gss_principal,
	    "nfs/client.example@EXAMPLE") == 0 && cb.program == 0x40000000,
	    "the client's callback keeps its RPCSEC_GSS service and principal "
	    "(what a recall push carries)");
	tap_ok(v4_state_client_callback(v4, a, &cb) == 0 &&
	    cb.gss_service == 0, "an AUTH_SYS client's callback has none");

	/* Its lease lapsed (courtesy): the state is not leased any more. */
	tap_ok(v4_client_as("up-lapsed", "sys:0", "verf-sys", 0, &e, &c) ==
	    V4_OK && v4_open(e, "oe", &qe, &f3, LOCK_SHARE_READ, &s3) == V4_OK,
	    "an AUTH_SYS client with an open, then silent");
	v4_state_set_now(v4, 3011);
	grant_table_set_now(t, 3011);
	TAP_EQ_INT(v4_state_renew(v4, a), V4_OK, "(another one renews)");
	TAP_EQ_INT(v4_state_renew(v4, b), V4_OK, "(and another)");
	tap_ok(v4_client_as("up-lapsed", krb5, "verf-krb", 3, &k, &c) ==
	    V4_OK && k != e, "after its lease lapsed, the same id under "
	    "Kerberos is let in");
	tap_ok(v4_state_check(v4, &s3, &f3, V4_IO_READ, &cr) != V4_OK,
	    "and the AUTH_SYS client's open is gone with it");
	TAP_EQ_INT(v4_client_as("up-open", krb5, "verf-krb", 2, &k, &c),
	    V4ERR_CLID_INUSE, "one that renewed still holds its id");
	TAP_EQ_INT(v4_client_as("up-open", "sys:0", "verf-sys", 0, &k, &c),
	    V4_OK, "its own principal goes on (case 1)");
	v4_teardown(dir, records, locks);
}

/* ---- write delegations, reclaims, CLAIM_DELEGATE_CUR ---- */

static void
test_v4_write(struct grant_table *t, struct events *ev)
{
	struct lock_table *locks;
	struct stated_clients *records;
	struct lock_file_id f1 = file(61), f2 = file(62), f3 = file(63),
	    f4 = file(64), f5 = file(65);
	struct v4_stateid sb2;
	struct v4_result r;
	struct v4_stateid sa, sb, s2, bad;
	struct v4_deleg_res d, d2;
	struct v4_check_res cr;
	struct grant_holder gh;
	struct lock_request lr;
	struct lock_info li;
	uint64_t a, b, c;
	uint32_t qa = 1, qb = 1, qc = 1;
	size_t recalls;
	char dir[] = "/tmp/test_stated_grant_w.XXXXXX";

	if (v4_setup(dir, &records, &locks) == -1) {
		tap_ok(0, "v4 state (write delegations)");
		return;
	}
	v4_state_set_lease(v4, 10);
	v4_state_set_now(v4, 3000);
	grant_table_set_now(t, 3000);
	v4_state_set_grants(v4, t, 1, 0);
	a = v4_client("client-wa", 1);
	b = v4_client("client-wb", 1);
	c = v4_client("client-wc", 0);
	tap_ok(a != 0 && b != 0 && c != 0, "three v4 clients (write)");

	tap_ok(v4_open(a, "wa", &qa, &f1, LOCK_SHARE_READ | LOCK_SHARE_WRITE,
	    &sa) == V4_OK && v4_deleg(a, &sa, &f1, &d) == V4_OK &&
	    d.level == 0 && d.why == V4_DELEG_NONE_ACCESS,
	    "write delegations off: an OPEN that writes gets none");
	v4_state_set_write_delegations(v4, 1);
	tap_ok(v4_deleg(a, &sa, &f1, &d) == V4_OK && d.level == GRANT_WRITE,
	    "on: an OPEN that writes, alone on the file: a write delegation");
	TAP_EQ_INT(grant_file_level(t, &f1, &gh), GRANT_WRITE,
	    "the file's level is write");
	TAP_EQ_INT(gh.client_id, a, "held by a");
	TAP_EQ_INT(v4_state_check(v4, &d.stateid, &f1, V4_IO_WRITE, &cr),
	    V4_OK, "its stateid WRITEs the file");
	TAP_EQ_INT(v4_state_check(v4, &d.stateid, &f1, V4_IO_SETATTR, &cr),
	    V4_OK, "and SETATTRs it");
	TAP_EQ_INT(grant_file_others(t, &f1, LOCK_PROTOCOL_NFSV4, a), 0,
	    "no grant of another holder");

	/* Another client's OPEN for reading alone: DELAY and a recall. */
	recalls = ev->recalls;
	TAP_EQ_INT(v4_open(b, "wb", &qb, &f1, LOCK_SHARE_READ, &s2),
	    V4ERR_DELAY, "another client's OPEN for reading: DELAY");
	TAP_EQ_INT(ev->recalls, recalls + 1, "the write delegation recalled");
	TAP_EQ_INT(ev->last_client, a, "a's");
	TAP_EQ_INT(grant_conflict(t, &f1, LOCK_PROTOCOL_NFSV4, a, 1), 0,
	    "the holder's own writes wait for nothing");
	TAP_EQ_INT(v4_state_check(v4, &d.stateid, &f1, V4_IO_WRITE, &cr),
	    V4_OK, "and its stateid still WRITEs while recalled");
	TAP_EQ_INT(v4_state_delegreturn(v4, &d.stateid, &f1), V4_OK,
	    "DELEGRETURN");
	TAP_EQ_INT(v4_open(b, "wb", &qb, &f1, LOCK_SHARE_READ, &s2), V4_OK,
	    "then the OPEN goes");
	TAP_EQ_INT(grant_file_level(t, &f1, NULL), 0, "no grant left on it");
	tap_ok(v4_deleg(a, &sa, &f1, &d2) == V4_OK && d2.level == 0 &&
	    d2.why == V4_DELEG_NONE_CONFLICT,
	    "another client has the file open: no write delegation");

	/* Another client's read delegation, or its lock, is in the way. */
	tap_ok(v4_open(b, "wb2", &qb, &f2, LOCK_SHARE_READ, &sb) == V4_OK &&
	    v4_deleg(b, &sb, &f2, &d2) == V4_OK && d2.level == GRANT_READ &&
	    v4_state_close(v4, &sb, qb++, &r) == V4_OK,
	    "b's read delegation of f2, its open closed");
	TAP_EQ_INT(grant_file_level(t, &f2, NULL), GRANT_READ,
	    "the file's level is read");
	recalls = ev->recalls;
	tap_ok(v4_open(a, "wa2", &qa, &f2, LOCK_SHARE_WRITE, &s2) ==
	    V4ERR_DELAY && ev->recalls == recalls + 1,
	    "a's OPEN for writing recalls b's read delegation");
	TAP_EQ_INT(v4_state_delegreturn(v4, &d2.stateid, &f2), V4_OK,
	    "b returns it");
	nlm_read_lock(&lr, &f3);
	tap_ok(lock_table_lock(locks, &lr, &li) == LOCK_OK &&
	    v4_open(a, "wa3", &qa, &f3, V4_SHARE_BOTH, &s2) == V4_OK &&
	    v4_deleg(a, &s2, &f3, &d2) == V4_OK && d2.level == 0 &&
	    d2.why == V4_DELEG_NONE_CONFLICT,
	    "an NLM read lock on the file: no write delegation");

	/* A reclaim in grace gets its level back, callback or not. */
	TAP_EQ_INT(v4_open(b, "wb3", &qb, &f5, LOCK_SHARE_READ, &sb2), V4_OK,
	    "b opens another file for reading");
	tap_ok(v4_open(c, "wc", &qc, &f4, V4_SHARE_BOTH, &s2) == V4_OK &&
	    v4_state_delegate_reclaim(v4, c, &s2, &f4, (const uint8_t *)"fh",
	    2, 4, "nfsd", GRANT_WRITE, &d2) == V4_OK && d2.level == 0,
	    "a reclaim out of grace: none");
	lock_table_grace_set(locks, 1);
	tap_ok(v4_state_delegate_reclaim(v4, c, &s2, &f4, (const uint8_t *)"fh",
	    2, 4, "nfsd", GRANT_WRITE, &d2) == V4_OK &&
	    d2.level == GRANT_WRITE && d2.recall == 1,
	    "in grace: the write delegation, to return at once (callback down)");
	tap_ok(v4_state_delegate_reclaim(v4, b, &sb2, &f5,
	    (const uint8_t *)"fh", 2, 4, "nfsd", GRANT_WRITE, &d) == V4_OK &&
	    d.level == GRANT_READ, "a write one for an open that only reads: "
	    "a read delegation");
	TAP_EQ_INT(v4_state_delegate_reclaim(v4, c, &s2, &f4,
	    (const uint8_t *)"fh", 2, 4, "nfsd", 3, &d), V4ERR_INVAL,
	    "a reclaim of no level: INVAL");
	lock_table_grace_set(locks, 0);

	/* CLAIM_DELEGATE_CUR: the client's own delegation of the file. */
	TAP_EQ_INT(v4_state_deleg_cur(v4, c, &d2.stateid, &f4), V4_OK,
	    "CLAIM_DELEGATE_CUR with the client's delegation of the file");
	TAP_EQ_INT(v4_state_deleg_cur(v4, a, &d2.stateid, &f4),
	    V4ERR_BAD_STATEID, "another client's delegation: BAD_STATEID");
	TAP_EQ_INT(v4_state_deleg_cur(v4, c, &d2.stateid, &f3),
	    V4ERR_BAD_STATEID, "a delegation of another file: BAD_STATEID");
	TAP_EQ_INT(v4_state_deleg_cur(v4, c, &sa, &f1), V4ERR_BAD_STATEID,
	    "an open stateid: BAD_STATEID");
	bad = d2.stateid;
	bad.other[0] ^= 0x80;
	TAP_EQ_INT(v4_state_deleg_cur(v4, c, &bad, &f4), V4ERR_STALE_STATEID,
	    "a stateid of another stated start: STALE_STATEID");
	bad = d2.stateid;
	bad.seqid = 2;
	TAP_EQ_INT(v4_state_deleg_cur(v4, c, &bad, &f4), V4ERR_BAD_STATEID,
	    "a seqid it never had: BAD_STATEID");
	TAP_EQ_INT(v4_state_delegreturn(v4, &d2.stateid, &f4), V4_OK,
	    "c returns it");
	TAP_EQ_INT(v4_state_deleg_cur(v4, c, &d2.stateid, &f4),
	    V4ERR_BAD_STATEID, "a returned delegation: BAD_STATEID");

	v4_teardown(dir, records, locks);
}

/* ---- SMB oplocks and leases on the grant table ---- */

/* An SMB open (owner: session, FileId) of the file in the share table. */
static int
smb_share(struct lock_table *locks, const struct lock_file_id *f,
    int protocol, uint64_t client, uint8_t fid, unsigned int access,
    unsigned int deny)
{
	struct lock_share_request q;
	struct lock_share_info i;
	uint8_t bytes[8] = { fid };

	memset(&q, 0, sizeof(q));
	q.file = *f;
	q.owner.protocol = (enum lock_protocol)protocol;
	q.owner.client_id = client;
	q.owner.host = "smbd";
	q.owner.bytes = bytes;
	q.owner.bytes_len = sizeof(bytes);
	q.access = access;
	q.deny = deny;
	return lock_table_share(locks, &q, &i) == LOCK_OK ? 0 : -1;
}

static void
test_smb(struct grant_table *t, struct events *ev)
{
	struct lock_table *locks;
	struct lock_file_id f1 = file(21), f2 = file(22), f3 = file(23);
	struct lock_file_id f4 = file(24);
	struct grant_holder s1 = holder(SMB, 1);
	struct lock_request lr;
	struct lock_info li;
	uint8_t k1[16] = { 0x51 }, k2[16] = { 0x52 }, k3[16] = { 0x53 };
	struct grant_stats st;
	size_t recalls;

	if ((locks = lock_table_new(NULL, NULL)) == NULL)
		abort();
	strcpy(s1.fe_name, "smbd");
	TAP_EQ_INT(grant_smb_level(t, locks, &f1, 1, GRANT_WRITE), GRANT_WRITE,
	    "SMB: a batch oplock on a file nobody has open: write grant");
	tap_ok(smb_share(locks, &f1, SMB, 1, 1, LOCK_SHARE_READ |
	    LOCK_SHARE_WRITE, 0) == 0 && grant_smb_level(t, locks, &f1, 1,
	    GRANT_WRITE) == GRANT_WRITE,
	    "its own open for writing stands in nobody's way");
	tap_ok(smb_share(locks, &f1, SMB, 2, 1, LOCK_SHARE_READ, 0) == 0 &&
	    grant_smb_level(t, locks, &f1, 1, GRANT_WRITE) == GRANT_READ,
	    "another session's open for reading: level II at most");
	TAP_EQ_INT(grant_smb_level(t, locks, &f1, 2, GRANT_READ), GRANT_READ,
	    "and that session level II next to session 1's open that writes "
	    "(smbd breaks it at the WRITE)");
	tap_ok(smb_share(locks, &f1, NFSV4, 0xb, 1, LOCK_SHARE_READ |
	    LOCK_SHARE_WRITE, 0) == 0 && grant_smb_level(t, locks, &f1, 2,
	    GRANT_READ) == 0, "but nothing next to an NFSv4 open that writes");
	TAP_EQ_INT(grant_smb_level(t, locks, &f1, 1, 7), 0,
	    "a level of no kind: nothing");

	tap_ok(smb_share(locks, &f2, NFSV4, 0xa, 1, LOCK_SHARE_READ, 0) ==
	    0 && grant_smb_level(t, locks, &f2, 1, GRANT_WRITE) == GRANT_READ,
	    "an NFSv4 open for reading: a lease RH, not RWH");
	tap_ok(grant_add(t, &f2, &s1, GRANT_READ, k1, sizeof(k1), NULL, 0) !=
	    NULL && grant_smb_level(t, locks, &f2, 2, GRANT_READ) ==
	    GRANT_READ, "a read lease of one SMB client: another may read too");
	TAP_EQ_INT(grant_smb_level(t, locks, &f2, 2, GRANT_WRITE), GRANT_READ,
	    "but not write");
	tap_ok(grant_conflict(t, &f2, SMB, 2, 1) == 1 && ev->recalls == 1,
	    "a write of another SMB client breaks the read lease");
	TAP_EQ_INT(grant_of(t, &f2, SMB, 1)->recall_write, 1,
	    "... and its recall says the request writes (a break to none)");
	TAP_EQ_INT(grant_smb_level(t, locks, &f2, 2, GRANT_READ), 0,
	    "nothing is granted on the file while it is being broken");
	TAP_EQ_INT(grant_return(t, k1, sizeof(k1), SMB, 1), 0,
	    "the break acknowledged to none: the grant goes");

	tap_ok(grant_add(t, &f3, &s1, GRANT_WRITE, k2, sizeof(k2), NULL, 0) !=
	    NULL && grant_smb_level(t, locks, &f3, 1, GRANT_WRITE) ==
	    GRANT_WRITE, "the holder of a write lease asks again: write");
	TAP_EQ_INT(grant_smb_level(t, locks, &f3, 2, GRANT_READ), 0,
	    "another client while it holds the write lease: nothing "
	    "(its open breaks it first)");
	tap_ok(grant_conflict(t, &f3, SMB, 2, 0) == 1 &&
	    grant_lower(t, k2, sizeof(k2), SMB, 2, GRANT_READ) == -1,
	    "a read of another client breaks it; another holder cannot lower it");
	TAP_EQ_INT(grant_of(t, &f3, SMB, 1)->recall_write, 0,
	    "... its recall says the request only reads (a break to level II)");
	tap_ok(grant_lower(t, k2, sizeof(k2), SMB, 1, GRANT_READ) == 0 &&
	    grant_of(t, &f3, SMB, 1)->level == GRANT_READ &&
	    grant_of(t, &f3, SMB, 1)->state == GRANT_GRANTED &&
	    grant_conflict(t, &f3, SMB, 2, 0) == 0,
	    "the break acknowledged to level II: granted again, read, in "
	    "nobody's way of reading");
	grant_stats(t, &st);
	tap_ok(st.granted == 1 && st.recalling == 0,
	    "the counts follow it: 1 granted, none recalling");
	TAP_EQ_INT(grant_lower(t, k2, sizeof(k2), SMB, 1, GRANT_WRITE), -1,
	    "lowering never raises");
	TAP_EQ_INT(grant_return(t, k2, sizeof(k2), SMB, 1), 0, "returned");
	recalls = ev->recalls;
	tap_ok(grant_add(t, &f4, &s1, GRANT_READ, k3, sizeof(k3), NULL, 0) !=
	    NULL && grant_conflict_foreign(t, &f4, SMB, 2, 1) == 0 &&
	    ev->recalls == recalls,
	    "an SMB byte-range lock recalls no SMB lease (smbd breaks it)");
	tap_ok(grant_conflict_foreign(t, &f4, NFSV4, 0xa, 1) == 1 &&
	    ev->recalls == recalls + 1,
	    "an NFSv4 lock that writes recalls it");
	TAP_EQ_INT(grant_return(t, k3, sizeof(k3), SMB, 1), 0, "returned");
	nlm_read_lock(&lr, &f3);
	tap_ok(lock_table_lock(locks, &lr, &li) == LOCK_OK &&
	    grant_smb_level(t, locks, &f3, 1, GRANT_WRITE) == GRANT_READ,
	    "an NLM read lock: level II, no batch");
	lr.offset = 20;
	lr.type = LOCK_EXCLUSIVE;
	tap_ok(lock_table_lock(locks, &lr, &li) == LOCK_OK &&
	    grant_smb_level(t, locks, &f3, 1, GRANT_READ) == 0,
	    "an NLM write lock: no oplock at all");
	lock_table_free(locks);
}

/*
 * MS-SMB2 3.3.1.4: leases held by (ClientGuid, key), whose own opens
 * stand in nobody's way; upgrades; what an SMB open breaks (MS-FSA
 * 2.1.5.1.2): W of the others' leases, everything when it overwrites,
 * an NFSv4 read delegation when it writes.
 */
static void
test_smb_lease(struct grant_table *t, struct events *ev)
{
	struct lock_table *locks;
	struct lock_file_id f1 = file(31), f2 = file(32), f3 = file(33);
	const uint64_t l1 = 0x4c00000000000001ull, l2 = 0x4c00000000000002ull;
	struct grant_holder h1 = holder(SMB, l1), d4 = holder(NFSV4, 0xa),
	    o1 = holder(SMB, 1);
	uint8_t ko[16] = { 0x63 };
	uint8_t fid1[8] = { 1 }, fid9[8] = { 9 };
	struct grant_smb_own own[2] = {
		{ 1, fid1, sizeof(fid1) }, { 1, fid9, sizeof(fid9) }
	};
	uint8_t k1[24] = { 0x61 }, kd[16] = { 0x62 };
	size_t recalls;

	if ((locks = lock_table_new(NULL, NULL)) == NULL)
		abort();
	strcpy(h1.fe_name, "smbd");
	tap_ok(smb_share(locks, &f1, SMB, 1, 1, LOCK_SHARE_READ |
	    LOCK_SHARE_WRITE, 0) == 0 && grant_smb_level(t, locks, &f1, l1,
	    GRANT_WRITE) == GRANT_READ, "a lease's open (session 1, FileId 1) "
	    "writes: as anyone's open, it stands in the way of the lease's "
	    "W");
	TAP_EQ_INT(grant_smb_lease_level(t, locks, &f1, l1, GRANT_WRITE, own,
	    1), GRANT_WRITE, "named as the lease's own: RWH");
	tap_ok(smb_share(locks, &f1, SMB, 1, 2, LOCK_SHARE_READ, 0) == 0 &&
	    grant_smb_lease_level(t, locks, &f1, l1, GRANT_WRITE, own, 1) ==
	    GRANT_READ, "another open of the same session, not of the lease: "
	    "R (H) at most");
	tap_ok(smb_share(locks, &f1, SMB, 2, 3, LOCK_SHARE_READ |
	    LOCK_SHARE_WRITE, 0) == 0 && grant_smb_lease_level(t, locks, &f1,
	    l2, GRANT_READ, own + 1, 1) == GRANT_READ &&
	    grant_smb_level(t, locks, &f1, l2, GRANT_READ) == GRANT_READ,
	    "next to an SMB open that writes: a lease's R or a level II "
	    "oplock (a WRITE breaks them)");
	tap_ok(grant_add(t, &f1, &h1, GRANT_READ, k1, sizeof(k1), k1,
	    sizeof(k1)) != NULL && grant_set_smb_lease(t, k1, sizeof(k1)) ==
	    0 && grant_raise(t, k1, sizeof(k1), SMB, l2, GRANT_WRITE) == -1,
	    "another holder cannot raise the lease");
	tap_ok(grant_raise(t, k1, sizeof(k1), SMB, l1, GRANT_WRITE) == 0 &&
	    grant_of(t, &f1, SMB, l1)->level == GRANT_WRITE,
	    "its holder can: upgraded to a write grant");
	recalls = ev->recalls;
	tap_ok(grant_conflict_smb(t, &f1, l1, 1, 0, 0) == 0 &&
	    ev->recalls == recalls, "the lease's own key opening again "
	    "breaks nothing");
	tap_ok(grant_conflict_smb(t, &f1, l2, 1, 0, 0) == 1 &&
	    ev->recalls == recalls + 1 &&
	    grant_of(t, &f1, SMB, l1)->recall_write == 0,
	    "another key's open for writing: recalled, W only (RWH to RH)");
	tap_ok(grant_lower(t, k1, sizeof(k1), SMB, l1, GRANT_READ) == 0 &&
	    grant_conflict_smb(t, &f1, l2, 1, 0, 0) == 0,
	    "acknowledged to RH: another open for writing breaks nothing");
	TAP_EQ_INT(grant_raise(t, k1, sizeof(k1), SMB, l1, GRANT_READ), 0,
	    "raising to the level held: nothing changes");
	tap_ok(grant_conflict_smb(t, &f1, l2, 1, 1, 0) == 1 &&
	    grant_of(t, &f1, SMB, l1)->recall_write == 1,
	    "an overwrite breaks the R left, to none");
	TAP_EQ_INT(grant_raise(t, k1, sizeof(k1), SMB, l1, GRANT_WRITE), -1,
	    "a lease being broken is not upgraded");
	tap_ok(grant_add(t, &f2, &d4, GRANT_READ, kd, sizeof(kd), NULL, 0) !=
	    NULL && grant_conflict_smb(t, &f2, l2, 0, 0, 0) == 0,
	    "an NFSv4 read delegation: an SMB open for reading leaves it");
	TAP_EQ_INT(grant_conflict_smb(t, &f2, l2, 1, 0, 0), 1,
	    "an SMB open for writing recalls it");
	tap_ok(grant_add(t, &f3, &o1, GRANT_WRITE, ko, sizeof(ko), NULL, 0) !=
	    NULL && grant_conflict_smb(t, &f3, l2, 0, 0, 0) == 1 &&
	    grant_of(t, &f3, SMB, 1)->recall_write == 0,
	    "a batch oplock (not a lease): a reader's open breaks it to "
	    "level II");
	tap_ok(grant_lower(t, ko, sizeof(ko), SMB, 1, GRANT_READ) == 0 &&
	    grant_conflict_smb(t, &f3, l2, 1, 0, 0) == 0 &&
	    grant_of(t, &f3, SMB, 1)->state == GRANT_GRANTED,
	    "... a writer's open leaves its level II (the WRITE breaks it)");
	tap_ok(grant_conflict_smb(t, &f3, l2, 1, 1, 0) == 1 &&
	    grant_of(t, &f3, SMB, 1)->recall_write == 1,
	    "... an overwrite breaks it to none");
	{
		struct lock_file_id f4 = file(34), f5 = file(35);
		uint8_t kw[16] = { 0x64 }, kb[16] = { 0x65 };

		/* An open of attributes alone (ST_GRANT_SMB_ATTR). */
		recalls = ev->recalls;
		tap_ok(grant_add(t, &f4, &d4, GRANT_WRITE, kw, sizeof(kw),
		    NULL, 0) != NULL && grant_conflict_smb(t, &f4, l2, 0, 0,
		    1) == 1 && ev->recalls == recalls + 1,
		    "an SMB open of attributes alone recalls an NFSv4 write "
		    "delegation (its holder's unwritten data: the size)");
		tap_ok(grant_add(t, &f5, &o1, GRANT_WRITE, kb, sizeof(kb),
		    NULL, 0) != NULL && grant_conflict_smb(t, &f5, l2, 0, 0,
		    1) == 0 && ev->recalls == recalls + 1,
		    "... and breaks no SMB oplock (MS-FSA: attributes break "
		    "nothing)");
	}
	lock_table_free(locks);
}

/*
 * MS-FSA 2.1.5.17: an oplock is its open's.  Its own share mode and
 * locks stand in its way no more than a lease's opens do, another open
 * of the same session does (level II at most), and a holder broken by
 * a reader hears again when a writer comes before it answered.
 */
static void
test_smb_oplock_own(struct grant_table *t, struct events *ev)
{
	struct lock_table *locks;
	struct lock_file_id f1 = file(41), f2 = file(42), f3 = file(43);
	const uint64_t o1 = 0x4f00000000000001ull, o2 = 0x4f00000000000002ull;
	struct grant_holder h1 = holder(SMB, o1), n = holder(NFSV4, 0xa);
	uint8_t fid1[8] = { 1 };
	struct grant_smb_own own = { 7, fid1, sizeof(fid1) };
	uint8_t k1[16] = { 0x71 }, k2[16] = { 0x72 };
	size_t recalls;

	if ((locks = lock_table_new(NULL, NULL)) == NULL)
		abort();
	tap_ok(smb_share(locks, &f1, SMB, 7, 1, LOCK_SHARE_READ |
	    LOCK_SHARE_WRITE, 0) == 0 && grant_smb_oplock_level(t, locks, &f1,
	    o1, GRANT_WRITE, &own) == GRANT_WRITE,
	    "the open's own share mode (session 7, FileId 1): batch");
	tap_ok(smb_share(locks, &f1, SMB, 7, 2, LOCK_SHARE_READ, 0) == 0 &&
	    grant_smb_oplock_level(t, locks, &f1, o1, GRANT_WRITE, &own) ==
	    GRANT_READ, "another open of the same session: level II at most");
	tap_ok(smb_share(locks, &f2, NFSV4, 0xa, 1, LOCK_SHARE_WRITE, 0) ==
	    0 && grant_smb_oplock_level(t, locks, &f2, o1, GRANT_READ, &own) ==
	    0 && grant_smb_lease_level(t, locks, &f2, o1, GRANT_READ, &own,
	    1) == GRANT_READ, "next to an NFS writer: no level II (a lease "
	    "may keep R)");
	recalls = ev->recalls;
	tap_ok(grant_add(t, &f3, &h1, GRANT_WRITE, k1, sizeof(k1), k1,
	    sizeof(k1)) != NULL && grant_conflict_smb(t, &f3, o2, 0, 0, 0) ==
	    1 && ev->recalls == recalls + 1 &&
	    grant_of(t, &f3, SMB, o1)->recall_write == 0,
	    "a reader's open recalls it to what it may keep reading");
	tap_ok(grant_conflict_smb(t, &f3, o2, 0, 0, 0) == 1 &&
	    ev->recalls == recalls + 1, "another reader: told nothing more");
	tap_ok(grant_conflict_smb(t, &f3, o2, 1, 1, 0) == 1 &&
	    ev->recalls == recalls + 2 &&
	    grant_of(t, &f3, SMB, o1)->recall_write == 1,
	    "an overwrite before the answer: told again, to none");
	tap_ok(grant_conflict_smb(t, &f3, o2, 1, 1, 0) == 1 &&
	    ev->recalls == recalls + 2, "once");
	TAP_EQ_INT(grant_return(t, k1, sizeof(k1), SMB, o1), 0, "returned");
	tap_ok(grant_add(t, &f3, &n, GRANT_READ, k2, sizeof(k2), NULL, 0) !=
	    NULL && grant_conflict(t, &f3, NFSV4, 0xb, 0) == 0 &&
	    grant_conflict(t, &f3, NFSV4, 0xb, 1) == 1 &&
	    grant_conflict(t, &f3, NFSV4, 0xb, 1) == 1 &&
	    ev->recalls == recalls + 3,
	    "an NFSv4 delegation is recalled once, whoever comes after");
	TAP_EQ_INT(grant_return(t, k2, sizeof(k2), NFSV4, 0xa), 0,
	    "returned");
	{
		struct lock_file_id f4 = file(44);
		const uint64_t l1 = 0x4c00000000000009ull;
		struct grant_holder hl = holder(SMB, l1);
		uint8_t kl[24] = { 0x73 }, ko[16] = { 0x74 };

		recalls = ev->recalls;
		tap_ok(grant_add(t, &f4, &hl, GRANT_WRITE, kl, sizeof(kl), kl,
		    sizeof(kl)) != NULL && grant_set_smb_lease(t, kl,
		    sizeof(kl)) == 0 && grant_conflict_smb(t, &f4, o2, 0, 0,
		    GRANT_SMB_ATTR_LEASES) == 0 && ev->recalls == recalls,
		    "an open of attributes and READ_CONTROL leaves a lease's W");
		TAP_EQ_INT(grant_return(t, kl, sizeof(kl), SMB, l1), 0,
		    "returned");
		tap_ok(grant_add(t, &f4, &h1, GRANT_WRITE, ko, sizeof(ko), ko,
		    sizeof(ko)) != NULL && grant_conflict_smb(t, &f4, o2, 0, 0,
		    GRANT_SMB_ATTR_ALL) == 0 && grant_conflict_smb(t, &f4, o2,
		    0, 0, GRANT_SMB_ATTR_LEASES) == 1 &&
		    ev->recalls == recalls + 1 &&
		    grant_of(t, &f4, SMB, o1)->recall_write == 0,
		    "... and breaks a batch oplock to level II (attributes "
		    "alone break none)");
		TAP_EQ_INT(grant_return(t, ko, sizeof(ko), SMB, o1), 0,
		    "returned");
	}
	lock_table_free(locks);
}

int
main(void)
{
	struct grant_table *t;
	struct events ev;
	struct lock_file_id f1 = file(1), f2 = file(2);
	struct grant_holder a = holder(NFSV4, 0xa), b = holder(NFSV4, 0xb),
	    s = holder(SMB, 0xa);
	const struct grant *g, *ga, *gb;
	struct grant_stats st;
	uint8_t sa[16] = { 1 }, sb[16] = { 2 }, sc[16] = { 3 }, fh[8] = { 9 };
	size_t n, i;

	memset(&ev, 0, sizeof(ev));
	if ((t = grant_table_new(event_cb, &ev)) == NULL)
		return 1;
	grant_table_set_now(t, 1000);

	ga = grant_add(t, &f1, &a, GRANT_READ, sa, sizeof(sa), fh, sizeof(fh));
	tap_ok(ga != NULL && ga->state == GRANT_GRANTED, "a read grant");
	tap_ok(ga != NULL && ga->handle_len == sizeof(fh) &&
	    memcmp(ga->handle, fh, sizeof(fh)) == 0 &&
	    strcmp(ga->holder.fe_name, "nfsd") == 0,
	    "it keeps the handle and the holder's front end");
	g = grant_add(t, &f1, &a, GRANT_READ, sc, sizeof(sc), NULL, 0);
	tap_ok(g == NULL && errno == EEXIST,
	    "a second grant of one holder on one file: EEXIST");
	g = grant_add(t, &f2, &b, GRANT_READ, sa, sizeof(sa), NULL, 0);
	tap_ok(g == NULL && errno == EEXIST, "a stateid in use: EEXIST");
	g = grant_add(t, &f2, &b, 7, sc, sizeof(sc), NULL, 0);
	tap_ok(g == NULL && errno == EINVAL, "a level of no kind: EINVAL");
	gb = grant_add(t, &f1, &b, GRANT_READ, sb, sizeof(sb), NULL, 0);
	tap_ok(gb != NULL, "another holder's read grant on the same file");
	TAP_EQ_INT(grant_file_count(t, &f1), 2, "two grants on the file");
	TAP_EQ_INT(grant_holder_count(t, NFSV4, 0xa), 1, "a holds one");
	tap_ok(grant_find(t, sb, sizeof(sb)) == gb, "found by its stateid");
	tap_ok(grant_of(t, &f1, NFSV4, 0xb) == gb, "found by file and holder");
	tap_ok(grant_of(t, &f1, SMB, 0xa) == NULL,
	    "the same client id of another protocol is another holder");

	/* Reads do not conflict with read grants. */
	TAP_EQ_INT(grant_conflict(t, &f1, NFSV4, 0xc, 0), 0,
	    "a read by a third client: no conflict");
	TAP_EQ_INT(ev.recalls, 0, "and no recall");
	/* A holder's own write never conflicts with its own grant. */
	TAP_EQ_INT(grant_conflict(t, &f1, NFSV4, 0xa, 1), 1,
	    "a's write conflicts with b's grant only");
	TAP_EQ_INT(ev.recalls, 1, "one recall: b's");
	TAP_EQ_INT(ev.last_client, 0xb, "sent for b");
	tap_ok(gb->state == GRANT_RECALLING && ga->state == GRANT_GRANTED,
	    "b's grant is recalling, a's still granted");
	TAP_EQ_INT(grant_file_recalling(t, &f1), 1, "one recall on the file");
	/* A write of someone else: both outstanding, a recalled once. */
	grant_table_set_now(t, 1005);
	TAP_EQ_INT(grant_conflict(t, &f1, SMB, 0xa, 1), 2,
	    "an SMB write: two grants outstanding");
	TAP_EQ_INT(ev.recalls, 2, "a recalled now; b not again");
	TAP_EQ_INT(grant_conflict(t, &f1, 0, 0, 1), 2,
	    "a write with no state (NFSv3): both still outstanding");
	TAP_EQ_INT(ev.recalls, 2, "and no recall is repeated");
	TAP_EQ_INT(grant_conflict(t, &f2, 0, 0, 1), 0,
	    "another file: nothing outstanding");

	/* b returns; a does not, and is revoked after the lease. */
	tap_ok(grant_return(t, sb, sizeof(sb), NFSV4, 0xa) == -1,
	    "another holder cannot return b's grant");
	tap_ok(grant_return(t, sb, sizeof(sb), NFSV4, 0xb) == 0,
	    "b returns its grant");
	tap_ok(grant_find(t, sb, sizeof(sb)) == NULL, "and it is gone");
	tap_ok(grant_return(t, sb, sizeof(sb), NFSV4, 0xb) == -1,
	    "a second return finds none");
	grant_table_set_now(t, 1010);
	TAP_EQ_INT(grant_expire(t, 10), 0,
	    "5 s after its recall, a lease of 10: not revoked");
	grant_table_set_now(t, 1015);
	TAP_EQ_INT(grant_expire(t, 10), 1, "a lease after the recall: revoked");
	TAP_EQ_INT(ev.revokes, 1, "one revoke event");
	g = grant_find(t, sa, sizeof(sa));
	tap_ok(g != NULL && g->state == GRANT_REVOKED,
	    "the revoked grant is still found by its stateid");
	TAP_EQ_INT(grant_conflict(t, &f1, 0, 0, 1), 0,
	    "a revoked grant conflicts with nothing");
	TAP_EQ_INT(grant_file_count(t, &f1), 0, "nor counts on its file");
	tap_ok(grant_of(t, &f1, NFSV4, 0xa) == NULL,
	    "a holds no live grant on the file");
	ga = grant_add(t, &f1, &a, GRANT_READ, sc, sizeof(sc), NULL, 0);
	tap_ok(ga != NULL, "a may be granted the file again");
	grant_stats(t, &st);
	tap_ok(st.granted == 1 && st.recalling == 0 && st.revoked == 1 &&
	    st.recalls == 2 && st.revokes == 1 && st.returns == 1,
	    "the counts: 1 granted, 1 revoked; 2 recalls, 1 revoke, 1 return");
	grant_table_set_now(t, 1030);
	TAP_EQ_INT(grant_expire(t, 10), 0, "the next expiry revokes nothing");
	tap_ok(grant_find(t, sa, sizeof(sa)) == NULL,
	    "a lease after its revocation the revoked grant is forgotten");

	/* A write grant conflicts with reads too. */
	g = grant_add(t, &f2, &s, GRANT_WRITE, sb, sizeof(sb), NULL, 0);
	tap_ok(g != NULL, "an SMB write grant");
	TAP_EQ_INT(grant_conflict(t, &f2, NFSV4, 0xb, 0), 1,
	    "a read of another holder conflicts with a write grant");
	TAP_EQ_INT(ev.recalls, 3, "and recalls it");
	n = 0;
	grant_foreach_file(t, count_files_cb, &n);
	TAP_EQ_INT(n, 2, "two files have grants");
	TAP_EQ_INT(grant_release_holder(t, SMB, 0xa), 1,
	    "the SMB holder's grant goes with its state");
	TAP_EQ_INT(grant_release_holder(t, NFSV4, 0xa), 1, "so does a's");
	n = 0;
	grant_foreach_file(t, count_files_cb, &n);
	TAP_EQ_INT(n, 0, "no file has a grant left");

	/* Many, to grow the hash; each found again. */
	for (i = 0; i < 1000; i++) {
		uint8_t sid[16];
		struct lock_file_id f = file((int)i);

		memset(sid, 0, sizeof(sid));
		memcpy(sid, &i, sizeof(i));
		sid[15] = 0x77;
		f.data[0] = (uint8_t)(i >> 8);
		if (grant_add(t, &f, &b, GRANT_READ, sid, sizeof(sid), NULL,
		    0) == NULL)
			break;
	}
	TAP_EQ_INT(grant_holder_count(t, NFSV4, 0xb), 1000,
	    "1000 grants of one holder");
	for (n = 0, i = 0; i < 1000; i++) {
		uint8_t sid[16];

		memset(sid, 0, sizeof(sid));
		memcpy(sid, &i, sizeof(i));
		sid[15] = 0x77;
		n += grant_find(t, sid, sizeof(sid)) != NULL;
	}
	TAP_EQ_INT(n, 1000, "each found by its stateid after the table grew");
	grant_table_free(t);

	memset(&ev, 0, sizeof(ev));
	if ((t = grant_table_new(event_cb, &ev)) == NULL)
		return 1;
	test_v4(t, &ev);
	grant_table_free(t);

	memset(&ev, 0, sizeof(ev));
	if ((t = grant_table_new(event_cb, &ev)) == NULL)
		return 1;
	test_v4_write(t, &ev);
	grant_table_free(t);

	memset(&ev, 0, sizeof(ev));
	if ((t = grant_table_new(event_cb, &ev)) == NULL)
		return 1;
	test_v4_principal(t);
	grant_table_free(t);

	memset(&ev, 0, sizeof(ev));
	if ((t = grant_table_new(event_cb, &ev)) == NULL)
		return 1;
	test_smb(t, &ev);
	grant_table_free(t);

	memset(&ev, 0, sizeof(ev));
	if ((t = grant_table_new(event_cb, &ev)) == NULL)
		return 1;
	test_smb_lease(t, &ev);
	test_smb_oplock_own(t, &ev);
	grant_table_free(t);
	return tap_done();
}
