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
 *
 * As root it becomes dittofs-nfsd first (stated checks SO_PEERCRED).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fz.h"
#include "ipc.h"
#include "sandbox.h"
#include "stated_client.h"
#include "stated_drc.h"
#include "stated_lock.h"
#include "stated_push.h"
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
	return type == ST_DRC_PUT || type == ST_PUSH_ACK;
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

int
main(int argc, char *argv[])
{
	const char *user = getenv("ST_CHECK_USER");
	struct sandbox_ids ids;

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
	fprintf(stderr, "usage: st-check fuzz SOCK COUNT SEED | "
	    "roles SOCK | push SOCK\n");
	return 2;
}
