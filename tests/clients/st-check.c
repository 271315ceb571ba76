/*
 * st-check: drives dittofs-stated over its socket for the integration
 * tests.
 *
 *   st-check fuzz SOCK COUNT SEED  COUNT damaged requests (a front end
 *                                 gone bad, fz.h), as TAP; stated must
 *                                 answer and then still serve
 *   st-check roles SOCK           as nfsd, state of another protocol
 *                                 (NLM locks, FREE_ALL) is refused and
 *                                 its own (NFSv4) is served, as TAP
 *   st-check push SOCK            as two nfsd front ends: a queued lock
 *                                 granted is pushed, pushed again after
 *                                 a reconnect without an ACK, and not
 *                                 after one, as TAP
 *   st-check v4 SOCK              NFSv4.0 state (stated_v4.x): a "front
 *                                 end" opens and locks and is killed
 *                                 with SIGKILL; a new connection finds
 *                                 the same clientid, stateids and
 *                                 seqids; a lockd connection is refused
 *                                 the v4 messages, as TAP
 *   st-check smb-grant SOCK       SMB oplocks and leases as grants
 *                                 (stated_grant.x ST_GRANT_SMB*), as
 *                                 smbd: granted, refused to a second
 *                                 client, broken by its write with the
 *                                 RECALL pushed to smbd, lowered,
 *                                 returned; nfsd may not ask them nor
 *                                 name SMB clients in a CONFLICT, as TAP
 *   st-check session SOCK         NFSv4.1 sessions (stated_session.x):
 *                                 a "front end" makes a session, sends
 *                                 SLOT_DONE and is killed with SIGKILL;
 *                                 a new connection LOADs the same slots
 *                                 and the reply byte for byte; a lockd
 *                                 connection is refused them, as TAP.
 *                                 It leaves one client with a session
 *                                 ("st-check-session-kept") to be listed
 *
 * As root it becomes dittofs-nfsd first (stated checks SO_PEERCRED);
 * in v4 and session modes a child becomes dittofs-lockd
 * (ST_CHECK_LOCKD_USER) first.
 */
#define _GNU_SOURCE
#include <sys/wait.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fz.h"
#include "ipc.h"
#include "sandbox.h"
#include "stated_client.h"
#include "stated_drc.h"
#include "stated_grant.h"
#include "stated_lock.h"
#include "stated_push.h"
#include "stated_session.h"
#include "stated_v4.h"
#include "tap.h"

/* A few files, owners, hosts and addresses, so that requests meet. */
static void
st_field(struct fz *z, char f)
{
	struct xdrbuf_out *o = &z->out;
	char junk[1100];
	size_t len, i;

	switch (f) {
	case 'F':		/* st_file */
		if (fz_rand(z) % 8 == 0) {
			len = fz_rand(z) % 70;
			for (i = 0; i < len; i++)
				junk[i] = (char)fz_rand(z);
			xdrbuf_put_opaque(o, junk, len);
		} else
			xdrbuf_put_opaque(o, fz_rand(z) % 2 ? "file-1" :
			    "file-2", 6);
		break;
	case 'O':		/* st_owner: protocol id host bytes svid */
		xdrbuf_put_u32(o, fz_rand(z) % 4 ? 1 + fz_rand(z) % 3 :
		    fz_edge(z));
		xdrbuf_put_u64(o, fz_rand(z) % 4 ? fz_rand(z) % 3 : fz_edge(z));
		/* FALLTHROUGH */
	case 'S':		/* a host name */
		if (fz_rand(z) % 10 == 0) {
			len = fz_rand(z) % 2 ? 1024 : 1025;
			memset(junk, 'h', len);
			xdrbuf_put_opaque(o, junk, len);
		} else
			xdrbuf_put_opaque(o, fz_rand(z) % 2 ? "host-a" :
			    "host-b", 6);
		if (f == 'S')
			break;
		xdrbuf_put_opaque(o, fz_rand(z) % 2 ? "owner-1" : "owner-2", 7);
		xdrbuf_put_u32(o, fz_rand(z) % 3);
		break;
	case 'A':		/* the client's address */
		if (fz_rand(z) % 8 == 0) {
			len = fz_rand(z) % 70;
			memset(junk, '1', len);
			xdrbuf_put_opaque(o, junk, len);
		} else
			xdrbuf_put_opaque(o, "127.0.0.1", 9);
		break;
	case 'P':		/* a protocol */
		xdrbuf_put_u32(o, fz_rand(z) % 4 ? 1 + fz_rand(z) % 3 :
		    fz_edge(z));
		break;
	case 'D':		/* DRC entries: addr port xid prog vers proc... */
		len = fz_rand(z) % 8 ? fz_rand(z) % 4 : fz_edge(z);
		xdrbuf_put_u32(o, (uint32_t)len);
		for (i = 0; i < len && i < 4; i++) {
			xdrbuf_put_u32(o, 0x7f000001);
			xdrbuf_put_u32(o, 0);
			xdrbuf_put_u32(o, 0);
			xdrbuf_put_u32(o, fz_rand(z) % 2 ? 0 : fz_edge(z));
			xdrbuf_put_u32(o, fz_rand(z) % 65536);	/* port */
			xdrbuf_put_u32(o, fz_rand(z));		/* xid */
			xdrbuf_put_u32(o, 100003);
			xdrbuf_put_u32(o, 3);
			xdrbuf_put_u32(o, fz_rand(z) % 22);
			xdrbuf_put_u32(o, fz_rand(z));
			len = fz_rand(z) % 8 ? fz_rand(z) % 200 : 1025;
			memset(junk, 'r', len);
			xdrbuf_put_opaque(o, junk, len);
		}
		break;
	default:
		fz_field(z, f);
		break;
	}
}

static const struct {
	uint32_t	 type;
	const char	*shape;
} st_shapes[] = {
	{ ST_LOCK, "FOAHHBUH" }, { ST_UNLOCK, "FOHHB" },
	{ ST_TEST, "FOHHB" }, { ST_CANCEL, "FOHHB" },
	{ ST_SHARE, "FOAUUU" }, { ST_UNSHARE, "FO" },
	{ ST_RELEASE_HOST, "PSU" }, { ST_RELEASE_CLIENT, "PH" },
	{ ST_GRACE_INFO, "" }, { ST_DRC_PUT, "D" }, { ST_DRC_DUMP, "H" },
	{ ST_PUSH_ACK, "HU" },
	/* stated_v4.x; a verifier is two U, a stateid four. */
	{ ST_V4_SETCLIENTID, "UUSSAUSSU" }, { ST_V4_SETCLIENTID_CONFIRM, "HUUS" },
	{ ST_V4_RENEW, "H" }, { ST_V4_OPEN, "HSUUUFBU" },
	{ ST_V4_OPEN_CONFIRM, "UUUUUUUHH" }, { ST_V4_CLOSE, "UUUUUUUHH" },
	{ ST_V4_OPEN_DOWNGRADE, "UUUUUUUHH" }, { ST_V4_LOCKU, "UUUUUUUHH" },
	{ ST_V4_LOCK, "BUUUUUUHSUUUUBBHH" }, { ST_V4_LOCKT, "HSFBHH" },
	{ ST_V4_RELEASE_LOCKOWNER, "HS" }, { ST_V4_CHECK, "UUUUFU" },
	{ ST_V4_CALLBACK, "HB" },
	/* a count, then (maybe) one stateid */
	{ ST_V4_TEST_STATEID, "HUUUUU" }, { ST_V4_FREE_STATEID, "HUUUU" },
	/* stated_session.x; a session id is four U. */
	{ ST_SESSION_EXCHANGE_ID, "UUSUUSASS" },
	{ ST_SESSION_CREATE, "HUUSUUUUUUUUUUUUUUUS" },
	{ ST_SESSION_DESTROY, "UUUU" }, { ST_SESSION_DESTROY_CLIENTID, "H" },
	{ ST_SESSION_LOAD, "UUUUU" }, { ST_SESSION_SLOT_DONE, "UUUUUUBSS" },
	{ ST_SESSION_RECLAIM_COMPLETE, "HB" },
	{ ST_SESSION_BACK_CTL, "UUUUUS" }, { ST_SESSION_SHRINK, "UUUUU" },
};

static uint32_t
st_build(struct fz *z, void *arg)
{
	size_t k = fz_rand(z) % (sizeof(st_shapes) / sizeof(st_shapes[0]));
	const char *f;

	for (f = st_shapes[k].shape; *f != '\0'; f++)
		st_field(z, *f);
	return st_shapes[k].type;
}

static int
st_oneway(uint32_t type)
{
	return type == ST_DRC_PUT || type == ST_PUSH_ACK ||
	    type == ST_SESSION_SLOT_DONE || type == ST_SESSION_BACK_CTL ||
	    type == ST_SESSION_SHRINK;
}

/*
 * The next message within 10 s; with replies_only, pushes (which stated
 * may send at any time, and again after every HELLO) are skipped.
 */
static int
st_recv(int fd, struct ipc_sync_reply *r, int replies_only)
{
	struct pollfd p;

	for (;;) {
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, 10000) != 1 || ipc_sync_recv(fd, r) == -1)
			return -1;
		if (!replies_only || (r->hdr.flags & IPC_F_REPLY))
			return 0;
		ipc_sync_reply_free(r);
	}
}

/* A good request on a new connection: ST_GRACE_INFO. */
static int
st_serves(const char *sock)
{
	struct ipc_sync_reply r;
	int fd, ok;

	if ((fd = fz_connect(sock)) == -1)
		return 0;
	ok = ipc_sync_send(fd, ST_GRACE_INFO, 7, 0, -1, NULL, NULL) == 0 &&
	    st_recv(fd, &r, 1) == 0;
	if (ok) {
		ok = r.hdr.type == ST_GRACE_REPLY && r.hdr.id == 7;
		ipc_sync_reply_free(&r);
	}
	close(fd);
	return ok;
}

static int
fuzz(const char *sock, const char *count, const char *seed)
{
	struct fz_target t = { st_build, st_oneway, ST_REPLY, NULL };
	struct fz z;
	unsigned long n = strtoul(count, NULL, 10);

	fz_seed(&z, seed);
	printf("# seed %s, %lu requests\n", seed, n);
	if (!tap_ok(st_serves(sock), "stated answers ST_GRACE_INFO"))
		return tap_done();
	if (!fz_test(&z, &t, sock, n, tap_ok))
		return tap_done();
	tap_ok(st_serves(sock), "afterwards stated answers ST_GRACE_INFO on "
	    "a new connection");
	return tap_done();
}

/* One request, its st_reply's status (or -1000 on no answer). */
static int
st_reply_status(int fd, uint32_t type, xdrproc_t proc, const void *obj)
{
	static uint32_t id = 5000;
	struct ipc_sync_reply r;
	struct st_reply rep;
	int status = -1000;

	if (ipc_sync_send(fd, type, ++id, 0, -1, proc, obj) == -1 ||
	    st_recv(fd, &r, 1) == -1)
		return status;
	memset(&rep, 0, sizeof(rep));
	if (r.hdr.type == ST_REPLY && r.hdr.id == id &&
	    ipc_sync_decode(&r, (xdrproc_t)xdr_st_reply, &rep) == 0) {
		status = rep.status;
		xdr_free((xdrproc_t)xdr_st_reply, &rep);
	}
	ipc_sync_reply_free(&r);
	return status;
}

/* DESIGN.md 6: a front end touches only its own protocol's state. */
static int
roles(const char *sock)
{
	struct st_lock_req l;
	struct st_host_req h;
	struct st_client_req c;
	int fd;

	if (!tap_ok((fd = fz_connect(sock)) != -1, "connected as nfsd"))
		return tap_done();
	memset(&l, 0, sizeof(l));
	l.file.st_file_len = 6;
	l.file.st_file_val = "role-f";
	l.owner.host = "victim@10.0.0.1";
	l.owner.bytes.bytes_len = 3;
	l.owner.bytes.bytes_val = "own";
	l.addr = "10.0.0.1";
	l.length = 10;
	l.exclusive = 1;
	l.owner.protocol = ST_PROTOCOL_NLM;
	tap_ok(st_reply_status(fd, ST_LOCK, (xdrproc_t)xdr_st_lock_req, &l) ==
	    ST_INVALID, "nfsd's NLM LOCK is refused (ST_INVALID)");
	l.owner.protocol = ST_PROTOCOL_SMB;
	tap_ok(st_reply_status(fd, ST_LOCK, (xdrproc_t)xdr_st_lock_req, &l) ==
	    ST_INVALID, "nfsd's SMB LOCK is refused (ST_INVALID)");
	memset(&h, 0, sizeof(h));
	h.protocol = ST_PROTOCOL_NLM;
	h.host = "victim@10.0.0.1";
	tap_ok(st_reply_status(fd, ST_RELEASE_HOST, (xdrproc_t)xdr_st_host_req,
	    &h) == ST_INVALID, "nfsd's NLM FREE_ALL is refused (ST_INVALID)");
	memset(&c, 0, sizeof(c));
	c.protocol = ST_PROTOCOL_NLM;
	c.client_id = 1;
	tap_ok(st_reply_status(fd, ST_RELEASE_CLIENT,
	    (xdrproc_t)xdr_st_client_req, &c) == ST_INVALID,
	    "nfsd's NLM RELEASE_CLIENT is refused (ST_INVALID)");
	l.owner.protocol = ST_PROTOCOL_NFSV4;
	l.owner.host = "";
	l.owner.client_id = 7;
	tap_ok(st_reply_status(fd, ST_LOCK, (xdrproc_t)xdr_st_lock_req, &l) ==
	    ST_OK, "nfsd's NFSv4 LOCK is served");
	close(fd);
	return tap_done();
}

/* ---- SMB oplocks and leases (stated_grant.x ST_GRANT_SMB*) ---- */

struct sg_seen {
	int		 recalls;	/* ST_PUSH_RECALLs that came meanwhile */
	char		 stateid[8];	/* the last one's, NUL-ended */
};

/* A request and its reply of rtype decoded into rep; pushes noted. */
static int
sg_call(int fd, uint32_t type, xdrproc_t proc, const void *obj,
    uint32_t rtype, xdrproc_t rproc, void *rep, struct sg_seen *seen)
{
	static uint32_t id = 7000;
	struct ipc_sync_reply r;
	struct st_push p;
	int rc = -1;

	if (ipc_sync_send(fd, type, ++id, 0, -1, proc, obj) == -1)
		return -1;
	for (;;) {
		if (st_recv(fd, &r, 0) == -1)
			return -1;
		if (!(r.hdr.flags & IPC_F_REPLY)) {
			memset(&p, 0, sizeof(p));
			if (r.hdr.type == ST_PUSH && ipc_sync_decode(&r,
			    (xdrproc_t)xdr_st_push, &p) == 0) {
				if (p.body.kind == ST_PUSH_RECALL &&
				    seen != NULL) {
					seen->recalls++;
					snprintf(seen->stateid,
					    sizeof(seen->stateid), "%.*s",
					    (int)p.body.st_push_body_u.grant.
					    stateid.stateid_len,
					    p.body.st_push_body_u.grant.
					    stateid.stateid_val);
				}
				xdr_free((xdrproc_t)xdr_st_push, &p);
			}
			ipc_sync_reply_free(&r);
			continue;
		}
		if (r.hdr.id == id && r.hdr.type == rtype &&
		    ipc_sync_decode(&r, rproc, rep) == 0)
			rc = 0;
		ipc_sync_reply_free(&r);
		return rc;
	}
}

static int
sg_grant(int fd, const char *file, uint64_t client, const char *key,
    unsigned int level, struct st_grant_smb_reply *rep)
{
	struct st_grant_smb_req q;

	memset(&q, 0, sizeof(q));
	q.file.st_file_len = (u_int)strlen(file);
	q.file.st_file_val = (char *)file;
	q.client_id = client;
	q.stateid.stateid_len = (u_int)strlen(key);
	q.stateid.stateid_val = (char *)key;
	q.level = level;
	memset(rep, 0, sizeof(*rep));
	return sg_call(fd, ST_GRANT_SMB, (xdrproc_t)xdr_st_grant_smb_req, &q,
	    ST_GRANT_SMB_REPLY, (xdrproc_t)xdr_st_grant_smb_reply, rep, NULL);
}

/* ST_GRANT_SMB_OPLOCK of holder, naming nown opens (session, FileId 1). */
static int
sg_oplock(int fd, const char *file, uint64_t holder, const char *key,
    uint64_t session, u_int nown, struct st_grant_smb_reply *rep)
{
	struct st_grant_smb_lease_req q;
	st_grant_smb_own own[2];
	char fid[8] = { 1 };
	u_int i;

	memset(&q, 0, sizeof(q));
	memset(own, 0, sizeof(own));
	for (i = 0; i < nown && i < 2; i++) {
		own[i].client_id = session;
		own[i].bytes.bytes_len = sizeof(fid);
		own[i].bytes.bytes_val = fid;
	}
	q.file.st_file_len = (u_int)strlen(file);
	q.file.st_file_val = (char *)file;
	q.client_id = holder;
	q.stateid.stateid_len = (u_int)strlen(key);
	q.stateid.stateid_val = (char *)key;
	q.level = ST_GRANT_WRITE;
	q.own.own_len = i;
	q.own.own_val = own;
	memset(rep, 0, sizeof(*rep));
	return sg_call(fd, ST_GRANT_SMB_OPLOCK,
	    (xdrproc_t)xdr_st_grant_smb_lease_req, &q, ST_GRANT_SMB_REPLY,
	    (xdrproc_t)xdr_st_grant_smb_reply, rep, NULL);
}

static int
sg_return(int fd, uint64_t client, const char *key, unsigned int level)
{
	struct st_grant_smb_return_req q;
	struct st_reply rep;

	memset(&q, 0, sizeof(q));
	q.client_id = client;
	q.stateid.stateid_len = (u_int)strlen(key);
	q.stateid.stateid_val = (char *)key;
	q.level = level;
	memset(&rep, 0, sizeof(rep));
	if (sg_call(fd, ST_GRANT_SMB_RETURN,
	    (xdrproc_t)xdr_st_grant_smb_return_req, &q, ST_REPLY,
	    (xdrproc_t)xdr_st_reply, &rep, NULL) == -1)
		return -1000;
	return rep.status;
}

/* outstanding, or -1 when not answered with a CONFLICT_REPLY. */
static int
sg_conflict(int fd, const char *file, int protocol, uint64_t client,
    int write, struct sg_seen *seen)
{
	struct st_grant_conflict_req q;
	struct st_grant_conflict_reply rep;

	memset(&q, 0, sizeof(q));
	q.file.st_file_len = (u_int)strlen(file);
	q.file.st_file_val = (char *)file;
	q.protocol = protocol;
	q.client_id = client;
	q.write = write;
	memset(&rep, 0, sizeof(rep));
	if (sg_call(fd, ST_GRANT_CONFLICT, (xdrproc_t)xdr_st_grant_conflict_req,
	    &q, ST_GRANT_CONFLICT_REPLY,
	    (xdrproc_t)xdr_st_grant_conflict_reply, &rep, seen) == -1)
		return -1;
	return (int)rep.outstanding;
}

static int
smb_grant(const char *sock, pid_t nfsd)
{
	struct st_grant_smb_reply rep;
	struct ipc_hello_reply hr;
	struct sg_seen seen;
	int fd, status;

	if ((fd = ipc_connect_unix(sock)) == -1 ||
	    ipc_sync_hello(fd, IPC_ROLE_SMBD, "st-smb", &hr) == -1) {
		tap_ok(0, "connected as smbd");
		return tap_done();
	}
	xdr_free((xdrproc_t)xdr_ipc_hello_reply, &hr);
	tap_ok(sg_grant(fd, "smb-g1", 1, "k1", ST_GRANT_WRITE, &rep) == 0 &&
	    rep.status == ST_OK && rep.level == ST_GRANT_WRITE,
	    "a batch oplock on a file nobody has: granted, write");
	tap_ok(sg_grant(fd, "smb-g1", 1, "k1", ST_GRANT_WRITE, &rep) == 0 &&
	    rep.level == ST_GRANT_WRITE, "asked again (a second open of the "
	    "lease): the same");
	tap_ok(sg_grant(fd, "smb-g1", 2, "k2", ST_GRANT_READ, &rep) == 0 &&
	    rep.status == ST_OK && rep.level == 0 &&
	    rep.why == ST_GRANT_NONE_CONFLICT,
	    "another client while it is held: none (conflict)");
	memset(&seen, 0, sizeof(seen));
	tap_ok(sg_conflict(fd, "smb-g1", ST_PROTOCOL_SMB, 2, 1, &seen) == 1,
	    "that client's write waits for one break");
	if (seen.recalls == 0)
		(void)sg_grant(fd, "smb-g0", 3, "k0", ST_GRANT_READ, &rep);
	tap_ok(seen.recalls == 0 ? 0 : strcmp(seen.stateid, "k1") == 0,
	    "and smbd is pushed the RECALL of the holder's key");
	tap_ok(sg_return(fd, 1, "k1", ST_GRANT_READ) == ST_OK &&
	    sg_conflict(fd, "smb-g1", ST_PROTOCOL_SMB, 2, 0, NULL) == 0,
	    "the break acknowledged to level II: a read no longer waits");
	tap_ok(sg_conflict(fd, "smb-g1", ST_PROTOCOL_SMB, 2, 1, NULL) == 1,
	    "a write still does");
	TAP_EQ_INT(sg_return(fd, 1, "k1", 0), ST_OK, "returned (closed)");
	TAP_EQ_INT(sg_return(fd, 1, "k1", 0), ST_NOT_FOUND,
	    "returned again: NOT_FOUND");
	tap_ok(sg_conflict(fd, "smb-g1", ST_PROTOCOL_SMB, 2, 1, NULL) == 0,
	    "and the write goes on");
	tap_ok(sg_grant(fd, "smb-g1", 2, "k2", 3, &rep) == 0 &&
	    rep.status == ST_INVALID, "a level of no kind: ST_INVALID");
	tap_ok(sg_oplock(fd, "smb-g3", 0x4f01, "o1", 5, 0, &rep) == 0 &&
	    rep.status == ST_INVALID && sg_oplock(fd, "smb-g3", 0x4f01,
	    "o1", 5, 2, &rep) == 0 && rep.status == ST_INVALID,
	    "ST_GRANT_SMB_OPLOCK naming no open, or two: ST_INVALID");
	tap_ok(sg_oplock(fd, "smb-g3", 0x4f01, "o1", 5, 1, &rep) == 0 &&
	    rep.status == ST_OK && rep.level == ST_GRANT_WRITE,
	    "an oplock held by its one open: batch");
	tap_ok(sg_oplock(fd, "smb-g3", 0x4f02, "o2", 5, 1, &rep) == 0 &&
	    rep.status == ST_OK && rep.level == 0,
	    "another open's holder, while it is held: none");
	TAP_EQ_INT(sg_return(fd, 0x4f01, "o1", 0), ST_OK,
	    "returned by its holder");
	tap_ok(sg_conflict(fd, "smb-g1", ST_PROTOCOL_NFSV4, 9, 1, NULL) == -1,
	    "smbd may not speak for an NFSv4 client in a CONFLICT");
	close(fd);
	tap_ok(waitpid(nfsd, &status, 0) == nfsd && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "nfsd may neither ask for an SMB grant "
	    "nor speak for an SMB client in a CONFLICT");
	return tap_done();
}

/* The nfsd child of smb-grant: 0 when both are refused. */
static int
sg_nfsd_refused(const char *sock)
{
	struct st_grant_smb_reply rep;
	int nfd, ok;

	if ((nfd = fz_connect(sock)) == -1)
		return 1;
	ok = sg_conflict(nfd, "smb-g1", ST_PROTOCOL_SMB, 2, 1, NULL) == -1;
	close(nfd);
	if ((nfd = fz_connect(sock)) == -1)
		return 1;
	/* Not nfsd's message: stated closes the connection, no answer. */
	ok = ok && sg_grant(nfd, "smb-g1", 2, "k2", ST_GRANT_READ, &rep) == -1;
	close(nfd);
	return ok ? 0 : 1;
}

/* A front end of its own name, so that its pushes are its own. */
static int
st_connect(const char *sock, const char *name)
{
	struct ipc_hello_reply hr;
	int fd;

	if ((fd = ipc_connect_unix(sock)) == -1)
		return -1;
	if (ipc_sync_hello(fd, IPC_ROLE_NFSD, name, &hr) == -1) {
		close(fd);
		return -1;
	}
	xdr_free((xdrproc_t)xdr_ipc_hello_reply, &hr);
	return fd;
}

/* The next message must be an ST_PUSH; decoded into *p, 0 or -1. */
static int
st_push_recv(int fd, struct st_push *p)
{
	struct ipc_sync_reply r;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	if (st_recv(fd, &r, 0) == -1)
		return -1;
	if (r.hdr.type == ST_PUSH && !(r.hdr.flags & IPC_F_REPLY) &&
	    ipc_sync_decode(&r, (xdrproc_t)xdr_st_push, p) == 0)
		rc = 0;
	ipc_sync_reply_free(&r);
	return rc;
}

/* The first message after GRACE_INFO is its reply: no push came first. */
static int
st_no_push(int fd)
{
	struct ipc_sync_reply r;
	int ok;

	if (ipc_sync_send(fd, ST_GRACE_INFO, 9, 0, -1, NULL, NULL) == -1 ||
	    st_recv(fd, &r, 0) == -1)
		return 0;
	ok = r.hdr.type == ST_GRACE_REPLY && r.hdr.id == 9;
	ipc_sync_reply_free(&r);
	return ok;
}

static void
st_push_lock(struct st_lock_req *l, uint64_t client, const char *owner)
{
	memset(l, 0, sizeof(*l));
	l->file.st_file_len = 6;
	l->file.st_file_val = "push-f";
	l->owner.protocol = ST_PROTOCOL_NFSV4;
	l->owner.client_id = client;
	l->owner.host = "";
	l->owner.bytes.bytes_len = (u_int)strlen(owner);
	l->owner.bytes.bytes_val = (char *)owner;
	l->addr = "127.0.0.1";
	l->length = 10;
	l->exclusive = 1;
}

/* DESIGN.md 3: stated keeps a push until the front end acknowledges it. */
static int
push(const char *sock)
{
	struct st_lock_req la, lb;
	struct st_range_req u;
	struct st_push p1, p2;
	struct st_push_ack ack;
	int a, b;

	a = st_connect(sock, "st-push-a");
	b = st_connect(sock, "st-push-b");
	if (!tap_ok(a != -1 && b != -1, "two front ends connected"))
		return tap_done();
	st_push_lock(&la, 71, "holder");
	st_push_lock(&lb, 72, "waiter");
	lb.flags = ST_LOCK_BLOCK;
	lb.cookie = 4242;
	tap_ok(st_reply_status(a, ST_LOCK, (xdrproc_t)xdr_st_lock_req, &la) ==
	    ST_OK, "A locks 0-9");
	tap_ok(st_reply_status(b, ST_LOCK, (xdrproc_t)xdr_st_lock_req, &lb) ==
	    ST_BLOCKED, "B's blocking lock on 0-9 is queued");
	memset(&u, 0, sizeof(u));
	u.file = la.file;
	u.owner = la.owner;
	u.length = 10;
	tap_ok(st_reply_status(a, ST_UNLOCK, (xdrproc_t)xdr_st_range_req,
	    &u) == ST_OK, "A unlocks");
	tap_ok(st_push_recv(b, &p1) == 0 &&
	    p1.body.kind == ST_PUSH_GRANTED &&
	    p1.body.st_push_body_u.granted.cookie == 4242 &&
	    p1.body.st_push_body_u.granted.lock.offset == 0 &&
	    p1.body.st_push_body_u.granted.lock.length == 10 &&
	    p1.attempt == 1, "B gets ST_PUSH GRANTED with its cookie, "
	    "attempt 1");

	/* B goes away without an ACK and comes back. */
	close(b);
	b = st_connect(sock, "st-push-b");
	tap_ok(b != -1 && st_push_recv(b, &p2) == 0 &&
	    p2.push_id == p1.push_id && p2.attempt == 2 &&
	    p2.body.kind == ST_PUSH_GRANTED &&
	    p2.body.st_push_body_u.granted.cookie == 4242,
	    "after B reconnects the same push comes again, attempt 2");
	tap_ok(st_no_push(a), "A, another front end, is not sent B's push");

	memset(&ack, 0, sizeof(ack));
	ack.push_id = p2.push_id;
	ack.status = ST_OK;
	tap_ok(ipc_sync_send(b, ST_PUSH_ACK, 0, 0, -1,
	    (xdrproc_t)xdr_st_push_ack, &ack) == 0 && st_no_push(b),
	    "B acknowledges it");
	close(b);
	b = st_connect(sock, "st-push-b");
	tap_ok(b != -1 && st_no_push(b), "after the ACK a reconnect brings "
	    "no push");
	tap_ok(st_reply_status(a, ST_LOCK, (xdrproc_t)xdr_st_lock_req, &la) ==
	    ST_DENIED, "B holds the lock it was granted: A is denied");
	u.owner = lb.owner;
	tap_ok(st_reply_status(b, ST_UNLOCK, (xdrproc_t)xdr_st_range_req,
	    &u) == ST_OK, "B unlocks");
	xdr_free((xdrproc_t)xdr_st_push, &p1);
	xdr_free((xdrproc_t)xdr_st_push, &p2);
	close(a);
	close(b);
	return tap_done();
}

/* One v4 request; its reply decoded into rep (type rtype), 0 or -1. */
static int
v4_call(int fd, uint32_t type, xdrproc_t proc, const void *obj,
    uint32_t rtype, xdrproc_t rproc, void *rep)
{
	static uint32_t id = 9000;
	struct ipc_sync_reply r;
	int rc = -1;

	if (ipc_sync_send(fd, type, ++id, 0, -1, proc, obj) == -1 ||
	    st_recv(fd, &r, 1) == -1)
		return -1;
	if (r.hdr.type == rtype && r.hdr.id == id &&
	    ipc_sync_decode(&r, rproc, rep) == 0)
		rc = 0;
	ipc_sync_reply_free(&r);
	return rc;
}

static int
v4_reply(int fd, uint32_t type, xdrproc_t proc, const void *obj,
    struct st_v4_reply *rep)
{
	memset(rep, 0, sizeof(*rep));
	return v4_call(fd, type, proc, obj, ST_V4_REPLY,
	    (xdrproc_t)xdr_st_v4_reply, rep);
}

/* What the killed front end learnt, through a pipe. */
struct v4_front {
	uint64_t	 clientid;
	st_v4_stateid	 open;
	st_v4_stateid	 lock;
	unsigned int	 lease;
	int		 ok;
};

static void
v4_lock_req(struct st_v4_lock_req *l, const struct v4_front *f)
{
	memset(l, 0, sizeof(*l));
	l->new_owner = 1;
	l->open_seqid = 3;
	l->open_stateid = f->open;
	l->lock_seqid = 1;
	l->clientid = f->clientid;
	l->owner.owner_len = 8;
	l->owner.owner_val = "v4-lockr";
	l->exclusive = 1;
	l->offset = 0;
	l->length = 100;
}

/*
 * A confirmed client of id string id (verifier 8 bytes) with file open
 * for reading and writing, deny deny, by open owner "v4-openr" (seqids
 * 1 and 2): f's clientid, open and lease.  0 or -1.
 */
static int
v4_setup(int fd, const char *id, const char *verf, const char *file,
    unsigned int deny, struct v4_front *f)
{
	struct st_v4_setclientid_req sc;
	struct st_v4_setclientid_reply scr;
	struct st_v4_confirm_req cf;
	struct st_v4_confirm_reply cfr;
	struct st_v4_open_req o;
	struct st_v4_seqid_req q;
	struct st_v4_reply r;

	memset(f, 0, sizeof(*f));
	memset(&sc, 0, sizeof(sc));
	memcpy(sc.verifier, verf, 8);
	sc.id.id_len = (u_int)strlen(id);
	sc.id.id_val = (char *)id;
	sc.principal = "uid:0";
	sc.addr = "127.0.0.1";
	sc.callback.netid = "tcp";
	sc.callback.uaddr = "127.0.0.1.3.4";
	memset(&scr, 0, sizeof(scr));
	if (v4_call(fd, ST_V4_SETCLIENTID, (xdrproc_t)xdr_st_v4_setclientid_req,
	    &sc, ST_V4_SETCLIENTID_REPLY,
	    (xdrproc_t)xdr_st_v4_setclientid_reply, &scr) == -1 ||
	    scr.status != ST4_OK)
		return -1;
	memset(&cf, 0, sizeof(cf));
	cf.clientid = scr.clientid;
	memcpy(cf.confirm, scr.confirm, 8);
	cf.principal = "uid:0";
	memset(&cfr, 0, sizeof(cfr));
	if (v4_call(fd, ST_V4_SETCLIENTID_CONFIRM,
	    (xdrproc_t)xdr_st_v4_confirm_req, &cf, ST_V4_CONFIRM_REPLY,
	    (xdrproc_t)xdr_st_v4_confirm_reply, &cfr) == -1 ||
	    cfr.status != ST4_OK)
		return -1;
	f->clientid = scr.clientid;
	f->lease = scr.lease;
	memset(&o, 0, sizeof(o));
	o.clientid = f->clientid;
	o.owner.owner_len = 8;
	o.owner.owner_val = "v4-openr";
	o.seqid = 1;
	o.access = 3;
	o.deny = deny;
	o.file.st_file_len = (u_int)strlen(file);
	o.file.st_file_val = (char *)file;
	if (v4_reply(fd, ST_V4_OPEN, (xdrproc_t)xdr_st_v4_open_req, &o,
	    &r) == -1 || r.status != ST4_OK)
		return -1;
	memset(&q, 0, sizeof(q));
	q.stateid = r.stateid;
	q.seqid = 2;
	if (v4_reply(fd, ST_V4_OPEN_CONFIRM, (xdrproc_t)xdr_st_v4_seqid_req,
	    &q, &r) == -1 || r.status != ST4_OK)
		return -1;
	f->open = r.stateid;
	return 0;
}

/* The front end: a client, an open, a lock; then it waits to be killed. */
static void
v4_front_end(const char *sock, int out)
{
	struct st_v4_lock_req l;
	struct st_v4_reply r;
	struct v4_front f;
	int fd;

	memset(&f, 0, sizeof(f));
	if ((fd = st_connect(sock, "st-v4-front")) == -1 ||
	    v4_setup(fd, "st-check-v4-id", "st-check", "v4-file", 2, &f) == -1)
		goto out;
	v4_lock_req(&l, &f);
	if (v4_reply(fd, ST_V4_LOCK, (xdrproc_t)xdr_st_v4_lock_req, &l,
	    &r) == -1 || r.status != ST4_OK)
		goto out;
	f.lock = r.stateid;
	f.ok = 1;
out:
	if (write(out, &f, sizeof(f)) != sizeof(f))
		_exit(1);
	for (;;)
		pause();
}

/*
 * A lockd connection (named name) sends one message that is nfsd's
 * alone: 1 if stated closes it without an answer.
 */
static int
st_lockd_refused(const char *sock, const char *name, uint32_t type,
    xdrproc_t proc, const void *obj)
{
	struct ipc_hello_reply hr;
	struct ipc_sync_reply r;
	int fd, answered;

	if ((fd = ipc_connect_unix(sock)) == -1)
		return 0;
	if (ipc_sync_hello(fd, IPC_ROLE_LOCKD, name, &hr) == -1) {
		close(fd);
		return 0;
	}
	xdr_free((xdrproc_t)xdr_ipc_hello_reply, &hr);
	answered = ipc_sync_send(fd, type, 1, 0, -1, proc, obj) == 0 &&
	    st_recv(fd, &r, 1) == 0;
	if (answered)
		ipc_sync_reply_free(&r);
	close(fd);
	return !answered;
}

/* A lockd connection sends a v4 message: stated closes it, no answer. */
static int
v4_lockd_refused(const char *sock)
{
	struct st_v4_clientid_req req;

	memset(&req, 0, sizeof(req));
	req.clientid = 1;
	return st_lockd_refused(sock, "st-v4-lockd", ST_V4_RENEW,
	    (xdrproc_t)xdr_st_v4_clientid_req, &req);
}

/* The lockd child: its pipes and pid. */
struct v4_lockd {
	int	 go[2];		/* to it: start the NLM lock */
	int	 res[2];	/* from it: refused, then the lock's status */
	pid_t	 pid;
};

static void
v4_nlm_lock(struct st_lock_req *l)
{
	memset(l, 0, sizeof(*l));
	l->file.st_file_len = 8;
	l->file.st_file_val = "v4-court";
	l->owner.protocol = ST_PROTOCOL_NLM;
	l->owner.host = "courtesy@127.0.0.1";
	l->owner.bytes.bytes_len = 3;
	l->owner.bytes.bytes_val = "nlm";
	l->owner.svid = 1;
	l->addr = "127.0.0.1";
	l->offset = 5;
	l->length = 1;
	l->exclusive = 1;
}

/* As lockd: the refusal, then (told to) an NLM lock; results to out. */
static void
v4_lockd_child(const char *sock, int go, int out)
{
	struct st_lock_req l;
	struct st_range_req u;
	struct ipc_hello_reply hr;
	int refused, status, fd;
	char c;

	refused = v4_lockd_refused(sock);
	if (write(out, &refused, sizeof(refused)) != sizeof(refused))
		return;
	/* One NLM lock per byte it is sent; a granted one is unlocked. */
	while (read(go, &c, 1) == 1) {
		status = -1000;
		if ((fd = ipc_connect_unix(sock)) != -1 &&
		    ipc_sync_hello(fd, IPC_ROLE_LOCKD, "st-v4-lockd", &hr) ==
		    0) {
			xdr_free((xdrproc_t)xdr_ipc_hello_reply, &hr);
			v4_nlm_lock(&l);
			status = st_reply_status(fd, ST_LOCK,
			    (xdrproc_t)xdr_st_lock_req, &l);
			memset(&u, 0, sizeof(u));
			u.file = l.file;
			u.owner = l.owner;
			if (status == ST_OK)
				st_reply_status(fd, ST_UNLOCK,
				    (xdrproc_t)xdr_st_range_req, &u);
		}
		if (fd != -1)
			close(fd);
		if (write(out, &status, sizeof(status)) != sizeof(status))
			return;
	}
}

/* Has the lockd child take an NLM lock of byte 5 of v4-court. */
static int
v4_lockd_lock(struct v4_lockd *lockd)
{
	int status;
	char go = 'g';

	if (write(lockd->go[1], &go, 1) != 1 ||
	    read(lockd->res[0], &status, sizeof(status)) != sizeof(status))
		return -1;
	return status;
}

/*
 * Courtesy (RFC 7530 9.6; as knfsd): a client whose lease ran out keeps
 * its lock until an NLM lock needs the bytes; then it is purged.  Only
 * with a short "lease time" (the suite sets 10 s): it waits the lease.
 */
static void
v4_courtesy(int fd, struct v4_lockd *lockd)
{
	struct st_v4_clientid_req rn;
	struct st_v4_lock_req l;
	struct st_v4_reply r;
	struct v4_front f;
	int ok;

	ok = v4_setup(fd, "st-check-v4-lapse", "lapser-1", "v4-court", 0,
	    &f) == 0;
	v4_lock_req(&l, &f);
	l.length = 10;
	ok = ok && v4_reply(fd, ST_V4_LOCK, (xdrproc_t)xdr_st_v4_lock_req, &l,
	    &r) == 0 && r.status == ST4_OK;
	if (!tap_ok(ok, "client L opens and locks 0-9 of another file"))
		return;
	if (f.lease > 15) {
		tap_skip("lease time above 15 s", "an NLM lock purges a "
		    "lapsed NFSv4 client");
		return;
	}
	tap_ok(v4_lockd_lock(lockd) == ST_DENIED, "while L's lease runs an "
	    "NLM lock of byte 5 is denied");
	printf("# waiting %u s for L's lease to run out\n", f.lease + 2);
	sleep(f.lease + 2);
	tap_ok(v4_lockd_lock(lockd) == ST_OK, "after L's lease ran out, "
	    "an NLM lock of byte 5 is granted (L's state purged for it)");
	memset(&rn, 0, sizeof(rn));
	rn.clientid = f.clientid;
	tap_ok(v4_reply(fd, ST_V4_RENEW, (xdrproc_t)xdr_st_v4_clientid_req,
	    &rn, &r) == 0 && r.status == ST4ERR_EXPIRED,
	    "L's RENEW: NFS4ERR_EXPIRED");
}

/*
 * A front end killed with SIGKILL: front_end(sock, fd) runs in a child,
 * writes len bytes of what it made to fd (*ok set in them if all went
 * well) and waits; they are read into out, then the child is killed.
 * Said as TAP (what, then killed); 0, or -1 if nothing more can follow.
 */
static int
st_front_killed(const char *sock, void (*front_end)(const char *, int),
    void *out, size_t len, const int *ok, const char *what,
    const char *killed)
{
	pid_t pid;
	int p[2], status, got;

	if (pipe(p) == -1 || (pid = fork()) == -1) {
		tap_ok(0, "fork");
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		front_end(sock, p[1]);
		_exit(0);
	}
	close(p[1]);
	memset(out, 0, len);
	got = read(p[0], out, len) == (ssize_t)len && *ok;
	close(p[0]);
	tap_ok(got, "%s", what);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "%s",
	    killed);
	return got ? 0 : -1;
}

static int
v4(const char *sock, struct v4_lockd *lockd)
{
	struct st_v4_check_req ck;
	struct st_v4_check_reply ckr;
	struct st_v4_lock_req l;
	struct st_v4_seqid_req q;
	struct st_v4_clientid_req rn;
	struct st_v4_reply r;
	struct v4_front f;
	int fd;

	int refused = 0;

	tap_ok(read(lockd->res[0], &refused, sizeof(refused)) ==
	    sizeof(refused) && refused == 1, "a lockd connection that sends "
	    "ST_V4_RENEW is closed without an answer");
	if (st_front_killed(sock, v4_front_end, &f, sizeof(f), &f.ok,
	    "front end: SETCLIENTID, CONFIRM, OPEN, OPEN_CONFIRM, LOCK",
	    "the front end is killed with SIGKILL") == -1)
		return tap_done();

	fd = st_connect(sock, "st-v4-front");
	tap_ok(fd != -1, "a new front end connects");
	/*
	 * Courtesy first, while this client still holds its open and lock
	 * (lapsed with state, it is kept), so that its last calls come
	 * after the wait: a client that holds nothing is forgotten once
	 * its lease ran out, and dittofsctl v4 lists it after this run.
	 */
	v4_courtesy(fd, lockd);
	memset(&rn, 0, sizeof(rn));
	rn.clientid = f.clientid;
	tap_ok(v4_reply(fd, ST_V4_RENEW, (xdrproc_t)xdr_st_v4_clientid_req,
	    &rn, &r) == 0 && r.status == ST4_OK,
	    "the clientid is still known: RENEW");
	memset(&ck, 0, sizeof(ck));
	ck.stateid = f.open;
	ck.file.st_file_len = 7;
	ck.file.st_file_val = "v4-file";
	ck.io = ST_V4_IO_WRITE;
	memset(&ckr, 0, sizeof(ckr));
	tap_ok(v4_call(fd, ST_V4_CHECK, (xdrproc_t)xdr_st_v4_check_req, &ck,
	    ST_V4_CHECK_REPLY, (xdrproc_t)xdr_st_v4_check_reply, &ckr) == 0 &&
	    ckr.status == ST4_OK && ckr.kind == ST_V4_KIND_OPEN &&
	    ckr.access == 3, "the open stateid still serves a WRITE");
	ck.stateid = f.lock;
	tap_ok(v4_call(fd, ST_V4_CHECK, (xdrproc_t)xdr_st_v4_check_req, &ck,
	    ST_V4_CHECK_REPLY, (xdrproc_t)xdr_st_v4_check_reply, &ckr) == 0 &&
	    ckr.status == ST4_OK && ckr.kind == ST_V4_KIND_LOCK,
	    "so does the lock stateid");
	v4_lock_req(&l, &f);
	tap_ok(v4_reply(fd, ST_V4_LOCK, (xdrproc_t)xdr_st_v4_lock_req, &l,
	    &r) == 0 && r.status == ST4_OK && r.replay &&
	    memcmp(&r.stateid, &f.lock, sizeof(f.lock)) == 0,
	    "the LOCK retransmitted through the new front end is a replay: "
	    "the same lock stateid");
	l.open_seqid = 9;
	tap_ok(v4_reply(fd, ST_V4_LOCK, (xdrproc_t)xdr_st_v4_lock_req, &l,
	    &r) == 0 && r.status == ST4ERR_BAD_SEQID,
	    "a seqid out of order: NFS4ERR_BAD_SEQID (the seqids survived)");
	memset(&q, 0, sizeof(q));
	q.stateid = f.lock;
	q.seqid = 2;
	q.offset = 0;
	q.length = ~0ULL;
	tap_ok(v4_reply(fd, ST_V4_LOCKU, (xdrproc_t)xdr_st_v4_seqid_req, &q,
	    &r) == 0 && r.status == ST4_OK && r.stateid.seqid ==
	    f.lock.seqid + 1, "LOCKU with the next lock seqid");
	q.stateid = f.open;
	q.seqid = 4;
	tap_ok(v4_reply(fd, ST_V4_CLOSE, (xdrproc_t)xdr_st_v4_seqid_req, &q,
	    &r) == 0 && r.status == ST4_OK, "CLOSE with the next open seqid");
	q.seqid = 5;
	tap_ok(v4_reply(fd, ST_V4_CLOSE, (xdrproc_t)xdr_st_v4_seqid_req, &q,
	    &r) == 0 && r.status == ST4ERR_BAD_STATEID,
	    "the closed stateid is gone");
	close(fd);
	return tap_done();
}

/* ---- NFSv4.1 sessions (stated_session.x) ---- */

#define SS_REPLY_LEN	3000	/* a reply longer than a page of XDR */

/* What the killed front end made, through a pipe. */
struct ss_front {
	uint64_t	 clientid;
	char		 sessionid[ST_SESSION_ID_SIZE];
	unsigned int	 sequenceid;	/* of its CREATE_SESSION */
	unsigned int	 slots;
	int		 ok;
};

/* The reply slot 0 keeps: bytes that show a cut or a shift. */
static void
ss_reply_bytes(char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(i * 31 + i / 251 + 7);
}

static void
ss_channel(st_session_channel *c, unsigned int slots)
{
	memset(c, 0, sizeof(*c));
	c->maxrequestsize = 1 << 20;
	c->maxresponsesize = 1 << 20;
	c->maxresponsesize_cached = 8192;
	c->maxoperations = 16;
	c->maxrequests = slots;
}

/* EXCHANGE_ID then CREATE_SESSION for owner; into f.  0 or -1. */
static int
ss_setup(int fd, const char *owner, struct ss_front *f)
{
	struct st_session_exchange_id_req x;
	struct st_session_exchange_id_reply xr;
	struct st_session_create_req c;
	struct st_session_create_reply cr;

	memset(f, 0, sizeof(*f));
	memset(&x, 0, sizeof(x));
	memcpy(x.verifier, "st-check", 8);
	x.ownerid.ownerid_len = (u_int)strlen(owner);
	x.ownerid.ownerid_val = (char *)owner;
	x.principal = "uid:0";
	x.addr = "127.0.0.1";
	x.impl_domain = "dittofs.test";
	x.impl_name = "st-check";
	memset(&xr, 0, sizeof(xr));
	if (v4_call(fd, ST_SESSION_EXCHANGE_ID,
	    (xdrproc_t)xdr_st_session_exchange_id_req, &x,
	    ST_SESSION_EXCHANGE_ID_REPLY,
	    (xdrproc_t)xdr_st_session_exchange_id_reply, &xr) == -1 ||
	    xr.status != ST41_OK)
		return -1;
	memset(&c, 0, sizeof(c));
	c.clientid = xr.clientid;
	c.sequence = xr.sequenceid;
	c.flags = ST_SESSION_FLAG_CONN_BACK_CHAN;
	c.principal = "uid:0";
	ss_channel(&c.fore, 16);
	ss_channel(&c.back, 2);
	c.cb_program = 0x40000000;
	memset(&cr, 0, sizeof(cr));
	if (v4_call(fd, ST_SESSION_CREATE, (xdrproc_t)xdr_st_session_create_req,
	    &c, ST_SESSION_CREATE_REPLY, (xdrproc_t)xdr_st_session_create_reply,
	    &cr) == -1 || cr.status != ST41_OK)
		return -1;
	f->clientid = xr.clientid;
	f->sequenceid = xr.sequenceid;
	memcpy(f->sessionid, cr.sessionid, ST_SESSION_ID_SIZE);
	f->slots = cr.fore.maxrequests;
	return 0;
}

static int
ss_slot_done(int fd, const char *sid, unsigned int slot, unsigned int seqid,
    int cached, const char *digest, const char *reply, size_t len)
{
	struct st_session_slot_done d;

	memset(&d, 0, sizeof(d));
	memcpy(d.sessionid, sid, ST_SESSION_ID_SIZE);
	d.slotid = slot;
	d.seqid = seqid;
	d.cached = cached;
	d.digest.digest_len = (u_int)strlen(digest);
	d.digest.digest_val = (char *)digest;
	d.reply.reply_len = (u_int)len;
	d.reply.reply_val = (char *)reply;
	return ipc_sync_send(fd, ST_SESSION_SLOT_DONE, 0, 0, -1,
	    (xdrproc_t)xdr_st_session_slot_done, &d);
}

/*
 * The front end: a session; slot 0 done with a kept reply, slot 1 with
 * none (sa_cachethis false); then, without waiting for anything, it
 * says what it made and waits to be killed.
 */
static void
ss_front_end(const char *sock, int out)
{
	struct ss_front f;
	char reply[SS_REPLY_LEN];
	int fd;

	memset(&f, 0, sizeof(f));
	ss_reply_bytes(reply, sizeof(reply));
	if ((fd = st_connect(sock, "st-session-front")) == -1 ||
	    ss_setup(fd, "st-check-session-id", &f) == -1 ||
	    ss_slot_done(fd, f.sessionid, 0, 1, 1, "digest-0", reply,
	    sizeof(reply)) == -1 ||
	    ss_slot_done(fd, f.sessionid, 1, 1, 0, "digest-1", NULL, 0) == -1)
		goto out;
	f.ok = 1;
out:
	if (write(out, &f, sizeof(f)) != sizeof(f))
		_exit(1);
	for (;;)
		pause();
}

static int
ss_load(int fd, const char *sid, unsigned int first,
    struct st_session_load_reply *rep)
{
	struct st_session_load_req req;

	memset(&req, 0, sizeof(req));
	memcpy(req.sessionid, sid, ST_SESSION_ID_SIZE);
	req.first_slot = first;
	memset(rep, 0, sizeof(*rep));
	return v4_call(fd, ST_SESSION_LOAD, (xdrproc_t)xdr_st_session_load_req,
	    &req, ST_SESSION_LOAD_REPLY, (xdrproc_t)xdr_st_session_load_reply,
	    rep);
}

static st_session_slot *
ss_slot(struct st_session_load_reply *rep, unsigned int slotid)
{
	u_int i;

	for (i = 0; i < rep->slots.slots_len; i++)
		if (rep->slots.slots_val[i].slotid == slotid)
			return &rep->slots.slots_val[i];
	return NULL;
}

static int
ss_status(int fd, uint32_t type, xdrproc_t proc, const void *obj)
{
	struct st_session_reply r;

	memset(&r, 0, sizeof(r));
	if (v4_call(fd, type, proc, obj, ST_SESSION_REPLY,
	    (xdrproc_t)xdr_st_session_reply, &r) == -1)
		return -1000;
	return r.status;
}

/* A lockd connection sends a session message: closed, no answer. */
static int
ss_lockd_refused(const char *sock)
{
	struct st_session_load_req req;

	memset(&req, 0, sizeof(req));
	return st_lockd_refused(sock, "st-session-lockd", ST_SESSION_LOAD,
	    (xdrproc_t)xdr_st_session_load_req, &req);
}

/*
 * Sessions of one client until stated says NFS4ERR_NOSPC, which must be
 * the fifth ("nfsv4.1 sessions per client = 4" in the test's file);
 * then they and the client go.  1 if so.
 */
static int
ss_many(int fd)
{
	struct st_session_create_req c;
	struct st_session_create_reply cr;
	struct st_session_id_req d;
	struct st_session_clientid_req cid;
	struct ss_front f;
	char ids[8][ST_SESSION_ID_SIZE];
	int n = 0, i, ok;

	if (ss_setup(fd, "st-check-session-many", &f) == -1)
		return 0;
	memcpy(ids[n++], f.sessionid, ST_SESSION_ID_SIZE);
	memset(&c, 0, sizeof(c));
	c.clientid = f.clientid;
	c.sequence = f.sequenceid;
	c.principal = "uid:0";
	ss_channel(&c.fore, 16);
	ss_channel(&c.back, 2);
	for (;;) {
		c.sequence++;
		memset(&cr, 0, sizeof(cr));
		if (v4_call(fd, ST_SESSION_CREATE,
		    (xdrproc_t)xdr_st_session_create_req, &c,
		    ST_SESSION_CREATE_REPLY,
		    (xdrproc_t)xdr_st_session_create_reply, &cr) == -1 ||
		    cr.status != ST41_OK || n == 8)
			break;
		memcpy(ids[n++], cr.sessionid, ST_SESSION_ID_SIZE);
	}
	ok = n == 4 && cr.status == ST41ERR_NOSPC;
	for (i = 0; i < n; i++) {
		memcpy(d.sessionid, ids[i], ST_SESSION_ID_SIZE);
		ok = ok && ss_status(fd, ST_SESSION_DESTROY,
		    (xdrproc_t)xdr_st_session_id_req, &d) == ST41_OK;
	}
	cid.clientid = f.clientid;
	return ok && ss_status(fd, ST_SESSION_DESTROY_CLIENTID,
	    (xdrproc_t)xdr_st_session_clientid_req, &cid) == ST41_OK;
}

static int
session(const char *sock, pid_t lockd)
{
	struct st_session_load_reply lr;
	struct st_session_id_req dreq;
	struct st_session_clientid_req creq;
	struct st_session_create_req c;
	struct st_session_create_reply cr;
	struct ss_front f, kept;
	st_session_slot *s0, *s1;
	char reply[SS_REPLY_LEN];
	int fd, status;

	tap_ok(waitpid(lockd, &status, 0) == lockd && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "a lockd connection that sends "
	    "ST_SESSION_LOAD is closed without an answer");
	if (st_front_killed(sock, ss_front_end, &f, sizeof(f), &f.ok,
	    "front end: EXCHANGE_ID, CREATE_SESSION, two SLOT_DONE sent",
	    "the front end is killed with SIGKILL at once") == -1)
		return tap_done();

	fd = st_connect(sock, "st-session-front");
	tap_ok(fd != -1, "a new front end connects");
	ss_reply_bytes(reply, sizeof(reply));
	tap_ok(ss_load(fd, f.sessionid, 0, &lr) == 0 && lr.status == ST41_OK &&
	    lr.clientid == f.clientid && lr.eof && lr.fore.maxrequests ==
	    f.slots && lr.cb_program == 0x40000000 && lr.lease > 0,
	    "LOAD: the session is there, with its client and %u slots",
	    f.slots);
	s0 = ss_slot(&lr, 0);
	s1 = ss_slot(&lr, 1);
	tap_ok(s0 != NULL && s0->seqid == 1 && s0->cached &&
	    s0->reply.reply_len == sizeof(reply) &&
	    memcmp(s0->reply.reply_val, reply, sizeof(reply)) == 0 &&
	    s0->digest.digest_len == 8 &&
	    memcmp(s0->digest.digest_val, "digest-0", 8) == 0,
	    "slot 0: sequence id 1, its digest and the %d-byte reply byte "
	    "for byte", SS_REPLY_LEN);
	tap_ok(s1 != NULL && s1->seqid == 1 && !s1->cached &&
	    s1->reply.reply_len == 0 && s1->digest.digest_len == 8 &&
	    memcmp(s1->digest.digest_val, "digest-1", 8) == 0,
	    "slot 1: sequence id 1 and its digest, no reply (uncached)");
	tap_ok(lr.slots.slots_len == 2, "no other slot was used");
	xdr_free((xdrproc_t)xdr_st_session_load_reply, &lr);

	memset(&c, 0, sizeof(c));
	c.clientid = f.clientid;
	c.sequence = f.sequenceid;
	c.principal = "uid:0";
	ss_channel(&c.fore, 16);
	ss_channel(&c.back, 2);
	memset(&cr, 0, sizeof(cr));
	tap_ok(v4_call(fd, ST_SESSION_CREATE,
	    (xdrproc_t)xdr_st_session_create_req, &c, ST_SESSION_CREATE_REPLY,
	    (xdrproc_t)xdr_st_session_create_reply, &cr) == 0 &&
	    cr.status == ST41_OK && cr.replay &&
	    memcmp(cr.sessionid, f.sessionid, ST_SESSION_ID_SIZE) == 0,
	    "its CREATE_SESSION retransmitted through the new front end: the "
	    "kept reply, the same session");
	c.sequence = f.sequenceid + 5;
	tap_ok(v4_call(fd, ST_SESSION_CREATE,
	    (xdrproc_t)xdr_st_session_create_req, &c, ST_SESSION_CREATE_REPLY,
	    (xdrproc_t)xdr_st_session_create_reply, &cr) == 0 &&
	    cr.status == ST41ERR_SEQ_MISORDERED, "a csa_sequence out of "
	    "order: NFS4ERR_SEQ_MISORDERED");

	tap_ok(ss_slot_done(fd, f.sessionid, 0, 2, 0, "digest-2", NULL, 0) ==
	    0 && ss_load(fd, f.sessionid, 0, &lr) == 0 &&
	    (s0 = ss_slot(&lr, 0)) != NULL && s0->seqid == 2 && !s0->cached,
	    "the new front end's SLOT_DONE goes on from sequence id 2");
	xdr_free((xdrproc_t)xdr_st_session_load_reply, &lr);

	memset(&creq, 0, sizeof(creq));
	creq.clientid = f.clientid;
	tap_ok(ss_status(fd, ST_SESSION_DESTROY_CLIENTID,
	    (xdrproc_t)xdr_st_session_clientid_req, &creq) ==
	    ST41ERR_CLIENTID_BUSY, "DESTROY_CLIENTID while it has a session: "
	    "NFS4ERR_CLIENTID_BUSY");
	memset(&dreq, 0, sizeof(dreq));
	memcpy(dreq.sessionid, f.sessionid, ST_SESSION_ID_SIZE);
	tap_ok(ss_status(fd, ST_SESSION_DESTROY,
	    (xdrproc_t)xdr_st_session_id_req, &dreq) == ST41_OK &&
	    ss_load(fd, f.sessionid, 0, &lr) == 0 &&
	    lr.status == ST41ERR_BADSESSION, "DESTROY_SESSION; then LOAD: "
	    "NFS4ERR_BADSESSION");
	tap_ok(ss_status(fd, ST_SESSION_DESTROY_CLIENTID,
	    (xdrproc_t)xdr_st_session_clientid_req, &creq) == ST41_OK,
	    "DESTROY_CLIENTID once it holds nothing");

	tap_ok(ss_many(fd), "a client beyond 'nfsv4.1 sessions per client' "
	    "(4): NFS4ERR_NOSPC; its sessions and it destroyed after");
	tap_ok(ss_setup(fd, "st-check-session-kept", &kept) == 0 &&
	    ss_slot_done(fd, kept.sessionid, 2, 1, 1, "digest-k", reply,
	    100) == 0, "a client whose session stays, for dittofsctl");
	close(fd);
	return tap_done();
}

/* ---- NFSv4.1 clients' opens and locks (stated_v4.x with a v4.1 clientid) ---- */

#define V41_OWNER	"st-check-v41-client"
#define V41_FILE	"v41-own-file"

static int
v41_open(int fd, uint64_t clientid, const char *owner, unsigned int seqid,
    const char *file, unsigned int access, unsigned int deny, int previous,
    struct st_v4_reply *r)
{
	struct st_v4_open_req o;

	memset(&o, 0, sizeof(o));
	o.clientid = clientid;
	o.owner.owner_len = (u_int)strlen(owner);
	o.owner.owner_val = (char *)owner;
	o.seqid = seqid;
	o.access = access;
	o.deny = deny;
	o.claim_previous = previous;
	o.file.st_file_len = (u_int)strlen(file);
	o.file.st_file_val = (char *)file;
	if (v4_reply(fd, ST_V4_OPEN, (xdrproc_t)xdr_st_v4_open_req, &o,
	    r) == -1)
		return -1000;
	return r->status;
}

static int
v41_lock(int fd, uint64_t clientid, const st_v4_stateid *open, int reclaim,
    struct st_v4_reply *r)
{
	struct v4_front f;
	struct st_v4_lock_req l;

	memset(&f, 0, sizeof(f));
	f.clientid = clientid;
	f.open = *open;
	v4_lock_req(&l, &f);
	l.open_seqid = 0;		/* ignored for v4.1 */
	l.lock_seqid = 0;
	l.reclaim = reclaim;
	if (v4_reply(fd, ST_V4_LOCK, (xdrproc_t)xdr_st_v4_lock_req, &l,
	    r) == -1)
		return -1000;
	return r->status;
}

/* TEST_STATEID of n stateids into codes; the reply's status or -1000. */
static int
v41_test(int fd, uint64_t clientid, st_v4_stateid *ids, u_int n,
    int *codes)
{
	struct st_v4_test_stateid_req q;
	struct st_v4_test_stateid_reply r;
	u_int i;
	int st;

	memset(&q, 0, sizeof(q));
	q.clientid = clientid;
	q.stateids.stateids_len = n;
	q.stateids.stateids_val = ids;
	memset(&r, 0, sizeof(r));
	if (v4_call(fd, ST_V4_TEST_STATEID,
	    (xdrproc_t)xdr_st_v4_test_stateid_req, &q,
	    ST_V4_TEST_STATEID_REPLY, (xdrproc_t)xdr_st_v4_test_stateid_reply,
	    &r) == -1)
		return -1000;
	st = r.status;
	for (i = 0; i < n; i++)
		codes[i] = i < r.results.results_len ?
		    (int)r.results.results_val[i] : -1;
	xdr_free((xdrproc_t)xdr_st_v4_test_stateid_reply, &r);
	return st;
}

/* A lockd connection sends TEST_STATEID: closed, no answer. */
static int
v41_lockd_refused(const char *sock)
{
	struct st_v4_test_stateid_req q;

	memset(&q, 0, sizeof(q));
	return st_lockd_refused(sock, "st-v41-lockd", ST_V4_TEST_STATEID,
	    (xdrproc_t)xdr_st_v4_test_stateid_req, &q);
}

/*
 * v41: a v4.1 client (EXCHANGE_ID, CREATE_SESSION) opens and locks with
 * the ST_V4_* messages; one share table with a v4.0 client's deny;
 * TEST_STATEID, FREE_STATEID; the v4.0-only messages refused.  It
 * keeps its open and lock for v41-reclaim after a stated restart.
 */
static int
v41(const char *sock, pid_t lockd)
{
	struct ss_front f;
	struct v4_front f40;
	struct st_v4_reply r, lk;
	struct st_v4_free_stateid_req fr;
	struct st_v4_seqid_req q;
	struct st_v4_owner_req ow;
	st_v4_stateid ids[3];
	int fd, codes[3], status;

	tap_ok(waitpid(lockd, &status, 0) == lockd && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "a lockd connection that sends "
	    "ST_V4_TEST_STATEID is closed without an answer");
	fd = st_connect(sock, "st-v41-front");
	tap_ok(fd != -1 && ss_setup(fd, V41_OWNER, &f) == 0 &&
	    (f.clientid >> 63) == 1, "a v4.1 client: EXCHANGE_ID and "
	    "CREATE_SESSION");
	tap_ok(v4_setup(fd, "st-check-v40-deny", "st-check", "v41-shared", 2,
	    &f40) == 0, "a v4.0 client opens v41-shared denying WRITE");
	tap_ok(v41_open(fd, f.clientid, "v41-openr", 0, "v41-shared", 3, 0, 0,
	    &r) == ST4ERR_SHARE_DENIED, "the v4.1 client's OPEN for writing "
	    "of that file: NFS4ERR_SHARE_DENIED (one share table)");
	tap_ok(v41_open(fd, f.clientid, "v41-openr", 0, "v41-shared", 1, 0, 0,
	    &r) == ST4_OK, "for reading it is granted");
	tap_ok(v41_open(fd, f.clientid, "v41-openr", 0, V41_FILE, 3, 2, 0,
	    &r) == ST4_OK && !(r.rflags & ST_V4_RESULT_CONFIRM) && !r.replay,
	    "OPEN of its own file with the v4.1 clientid: granted, no "
	    "OPEN_CONFIRM asked");
	tap_ok(v41_open(fd, f40.clientid, "v4-openr", 3, V41_FILE, 3, 0, 0,
	    &lk) == ST4ERR_SHARE_DENIED, "the v4.0 client's OPEN for writing "
	    "of the v4.1 client's file (deny WRITE): NFS4ERR_SHARE_DENIED");
	ids[0] = r.stateid;
	ids[0].seqid = 0;
	tap_ok(v41_lock(fd, f.clientid, &ids[0], 0, &lk) == ST4_OK,
	    "LOCK with a new lock owner, open stateid of seqid 0, seqids 0");
	ids[1] = lk.stateid;
	ids[2] = lk.stateid;
	ids[2].other[11] ^= 0x33;
	tap_ok(v41_test(fd, f.clientid, ids, 3, codes) == ST4_OK &&
	    codes[0] == ST4_OK && codes[1] == ST4_OK &&
	    codes[2] == ST4ERR_BAD_STATEID, "TEST_STATEID: open OK (seqid "
	    "0), lock OK, a made-up one NFS4ERR_BAD_STATEID");
	memset(&fr, 0, sizeof(fr));
	fr.clientid = f.clientid;
	fr.stateid = lk.stateid;
	tap_ok(v4_reply(fd, ST_V4_FREE_STATEID,
	    (xdrproc_t)xdr_st_v4_free_stateid_req, &fr, &r) == 0 &&
	    r.status == ST4ERR_LOCKS_HELD, "FREE_STATEID of the lock "
	    "stateid with its lock: NFS4ERR_LOCKS_HELD");
	memset(&q, 0, sizeof(q));
	q.stateid = ids[0];
	q.seqid = 2;
	tap_ok(v4_reply(fd, ST_V4_OPEN_CONFIRM, (xdrproc_t)xdr_st_v4_seqid_req,
	    &q, &r) == 0 && r.status == ST4ERR_NOTSUPP,
	    "OPEN_CONFIRM of a v4.1 open: NFS4ERR_NOTSUPP");
	memset(&ow, 0, sizeof(ow));
	ow.clientid = f.clientid;
	ow.owner.owner_len = 8;
	ow.owner.owner_val = "v4-lockr";
	tap_ok(v4_reply(fd, ST_V4_RELEASE_LOCKOWNER,
	    (xdrproc_t)xdr_st_v4_owner_req, &ow, &r) == 0 &&
	    r.status == ST4ERR_NOTSUPP, "RELEASE_LOCKOWNER: NFS4ERR_NOTSUPP");
	tap_ok(v41_open(fd, f.clientid ^ 0x5a5a, "v41-openr", 0, V41_FILE, 1,
	    0, 0, &r) == ST4ERR_STALE_CLIENTID, "a v4.1 clientid stated "
	    "does not know: NFS4ERR_STALE_CLIENTID");
	if (fd != -1)
		close(fd);
	return tap_done();
}

/*
 * v41-courtesy: a v4.1 client's lease lapses while it holds a lock; a
 * v4.0 client's conflicting LOCK purges it, and every nfsd connection
 * is told with ST_PUSH_FORGET (stated_push.x); its session is gone.
 */
static int
v41_courtesy(const char *sock)
{
	struct ss_front x;
	struct v4_front f40;
	struct st_v4_reply r, lk;
	struct st_v4_lock_req l;
	struct st_session_load_reply lr;
	struct st_push p;
	int fd, watch, i, told = 0;

	fd = st_connect(sock, "st-v41-front");
	watch = st_connect(sock, "st-v41-watch");
	tap_ok(fd != -1 && watch != -1 && ss_setup(fd, "st-check-v41-lapsing",
	    &x) == 0 && v41_open(fd, x.clientid, "lapse-o", 0, "v41-court", 3,
	    0, 0, &r) == ST4_OK && v41_lock(fd, x.clientid, &r.stateid, 0,
	    &lk) == ST4_OK, "a v4.1 client opens and locks v41-court");
	tap_ok(v4_setup(fd, "st-check-v40-court", "st-check", "v41-court", 0,
	    &f40) == 0, "a v4.0 client opens it too");
	tap_diag("waiting %u s for the v4.1 client's lease to run out",
	    f40.lease + 2);
	sleep(f40.lease + 2);
	v4_lock_req(&l, &f40);
	tap_ok(v4_reply(fd, ST_V4_LOCK, (xdrproc_t)xdr_st_v4_lock_req, &l,
	    &r) == 0 && r.status == ST4_OK, "the v4.0 client's conflicting "
	    "LOCK: the lapsed v4.1 client is purged, the lock granted");
	for (i = 0; i < 4 && !told && st_push_recv(watch, &p) == 0; i++) {
		told = p.body.kind == ST_PUSH_FORGET &&
		    p.body.st_push_body_u.forget.clientid == x.clientid &&
		    p.body.st_push_body_u.forget.sessionid.sessionid_len == 0;
		xdr_free((xdrproc_t)xdr_st_push, &p);
	}
	tap_ok(told, "another nfsd connection is told: ST_PUSH_FORGET of "
	    "that client");
	tap_ok(ss_load(fd, x.sessionid, 0, &lr) == 0 &&
	    lr.status == ST41ERR_BADSESSION, "its session is gone");
	if (fd != -1)
		close(fd);
	if (watch != -1)
		close(watch);
	return tap_done();
}

/* Grace: is stated in it?  1, 0, or -1. */
static int
v41_in_grace(int fd)
{
	struct st_grace_reply g;
	int in;

	memset(&g, 0, sizeof(g));
	if (v4_call(fd, ST_GRACE_INFO, NULL, NULL, ST_GRACE_REPLY,
	    (xdrproc_t)xdr_st_grace_reply, &g) == -1)
		return -1;
	in = g.in_grace ? 1 : 0;
	xdr_free((xdrproc_t)xdr_st_grace_reply, &g);
	return in;
}

/* v41-reclaim: after a stated restart, the v4.1 client reclaims. */
static int
v41_reclaim(const char *sock)
{
	struct ss_front f;
	struct st_v4_reply r, lk;
	struct st_session_reclaim_req rc;
	int fd;

	fd = st_connect(sock, "st-v41-front");
	tap_ok(fd != -1 && v41_in_grace(fd) == 1, "stated restarted: in grace");
	tap_ok(ss_setup(fd, V41_OWNER, &f) == 0, "the v4.1 client sets up "
	    "again: EXCHANGE_ID, CREATE_SESSION, a new clientid");
	tap_ok(v41_open(fd, f.clientid, "v41-new", 0, "v41-other", 1, 0, 0,
	    &r) == ST4ERR_GRACE, "a new OPEN in grace: NFS4ERR_GRACE");
	tap_ok(v41_open(fd, f.clientid, "v41-openr", 0, V41_FILE, 3, 2, 1,
	    &r) == ST4_OK, "CLAIM_PREVIOUS of its open within grace: granted");
	tap_ok(v41_lock(fd, f.clientid, &r.stateid, 1, &lk) == ST4_OK,
	    "its reclaim LOCK: granted");
	memset(&rc, 0, sizeof(rc));
	rc.clientid = f.clientid;
	tap_ok(ss_status(fd, ST_SESSION_RECLAIM_COMPLETE,
	    (xdrproc_t)xdr_st_session_reclaim_req, &rc) == ST41_OK,
	    "RECLAIM_COMPLETE");
	tap_ok(v41_open(fd, f.clientid, "v41-openr", 0, "v41-late", 1, 0, 1,
	    &r) == ST4ERR_NO_GRACE, "a reclaim after it: NFS4ERR_NO_GRACE");
	if (fd != -1)
		close(fd);
	return tap_done();
}

int
main(int argc, char *argv[])
{
	const char *user = getenv("ST_CHECK_USER");
	const char *lockd_user = getenv("ST_CHECK_LOCKD_USER");
	struct sandbox_ids ids;
	struct v4_lockd lockd;
	pid_t pid;

	/*
	 * v4: a child of lockd's uid first tries the v4 messages, then
	 * waits for its second job (an NLM lock against a lapsed client).
	 */
	if (argc == 3 && strcmp(argv[1], "v4") == 0) {
		if (pipe(lockd.go) == -1 || pipe(lockd.res) == -1 ||
		    (pid = fork()) == -1)
			return 2;
		if (pid == 0) {
			close(lockd.go[1]);
			close(lockd.res[0]);
			if (geteuid() == 0 && (sandbox_resolve_user(lockd_user !=
			    NULL ? lockd_user : "dittofs-lockd", &ids) == -1 ||
			    sandbox_set_ids(&ids) == -1))
				_exit(2);
			v4_lockd_child(argv[2], lockd.go[0], lockd.res[1]);
			_exit(0);
		}
		close(lockd.go[0]);
		close(lockd.res[1]);
		lockd.pid = pid;
	}
	/* session, v41: a child of lockd's uid tries one of their messages. */
	if (argc == 3 && (strcmp(argv[1], "session") == 0 ||
	    strcmp(argv[1], "v41") == 0)) {
		if ((pid = fork()) == -1)
			return 2;
		if (pid == 0) {
			if (geteuid() == 0 && (sandbox_resolve_user(lockd_user !=
			    NULL ? lockd_user : "dittofs-lockd", &ids) == -1 ||
			    sandbox_set_ids(&ids) == -1))
				_exit(2);
			if (strcmp(argv[1], "v41") == 0)
				_exit(v41_lockd_refused(argv[2]) ? 0 : 1);
			_exit(ss_lockd_refused(argv[2]) ? 0 : 1);
		}
		lockd.pid = pid;
	}
	/* smb-grant: smbd's uid, so that stated takes it as smbd. */
	if (argc == 3 && strcmp(argv[1], "smb-grant") == 0) {
		/* A child of nfsd's uid tries what is smbd's alone. */
		if ((pid = fork()) == -1)
			return 2;
		if (pid == 0) {
			if (geteuid() == 0 && (sandbox_resolve_user(
			    "dittofs-nfsd", &ids) == -1 ||
			    sandbox_set_ids(&ids) == -1))
				_exit(2);
			_exit(sg_nfsd_refused(argv[2]));
		}
		if (geteuid() == 0 && (sandbox_resolve_user(user != NULL ?
		    user : "dittofs-smbd", &ids) == -1 ||
		    sandbox_set_ids(&ids) == -1)) {
			perror("st-check: becoming smbd's user");
			return 2;
		}
		return smb_grant(argv[2], pid);
	}
	if (geteuid() == 0 && (sandbox_resolve_user(user != NULL ? user :
	    "dittofs-nfsd", &ids) == -1 || sandbox_set_ids(&ids) == -1)) {
		perror("st-check: becoming the front end's user");
		return 2;
	}
	if (argc == 5 && strcmp(argv[1], "fuzz") == 0)
		return fuzz(argv[2], argv[3], argv[4]);
	if (argc == 3 && strcmp(argv[1], "roles") == 0)
		return roles(argv[2]);
	if (argc == 3 && strcmp(argv[1], "push") == 0)
		return push(argv[2]);
	if (argc == 3 && strcmp(argv[1], "v4") == 0)
		return v4(argv[2], &lockd);
	if (argc == 3 && strcmp(argv[1], "session") == 0)
		return session(argv[2], lockd.pid);
	if (argc == 3 && strcmp(argv[1], "v41") == 0)
		return v41(argv[2], lockd.pid);
	if (argc == 3 && strcmp(argv[1], "v41-reclaim") == 0)
		return v41_reclaim(argv[2]);
	if (argc == 3 && strcmp(argv[1], "v41-courtesy") == 0)
		return v41_courtesy(argv[2]);
	fprintf(stderr, "usage: st-check fuzz SOCK COUNT SEED | "
	    "roles SOCK | push SOCK | v4 SOCK | session SOCK | v41 SOCK | "
	    "v41-reclaim SOCK | v41-courtesy SOCK | smb-grant SOCK\n");
	return 2;
}
