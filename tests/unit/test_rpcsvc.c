/*
 * common/rpcsvc.c: the program table.  A test program over UDP and TCP
 * on loopback: procedures found by number and answered through their
 * encoders, PROG_UNAVAIL, PROG_MISMATCH with the range, PROC_UNAVAIL for
 * a hole in the table, GARBAGE_ARGS from the decoder, and the record
 * limit of each program (a datagram over it refused, a TCP record over
 * the largest closing the connection); and a call sent back to the
 * peer over an accepted connection (the backchannel), its reply matched
 * by xid, and a callback failed when its connection goes; and the
 * clients of common/rpcclnt.c (UDP and TCP) calling the test program.
 *
 * What nfsd needs of it: a reply with data from a file after its
 * encoded body over TCP (sendfile), and read into the body when the
 * flavour wraps replies; a reply cache behind the program's hook whose
 * replay is headed again through a test flavour whose verifier changes
 * with every reply (the cache keeps the body, not the reply); and a
 * reply held until the cache says its entry is safe; and a listener
 * that serves a set of the programs (nfsd's MOUNT port).
 *
 * At depth: calls a client pipelines are read together and their
 * replies written together (counted by rpcsvc_stats, not timed), and
 * so are replies made together outside the connection's read event.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "rpcclnt.h"
#include "rpcsvc.h"
#include "tap.h"

#define TEST_PROG	0x20000042
#define SMALL_PROG	0x20000043
#define ECHO		1
#define HOLE		2
#define TWICE		3
#define CALLBACK	4
#define SILENT		5
#define FILEDATA	6
#define CACHED		7
#define LATER		8
#define CB_PROG		0x20000044
#define CB_PROC		1
#define TEST_FLAVOR	0x5eed
#define FILE_OFF	3
#define FILE_LEN	4099

static struct rpcsvc_fd *test_file;

static int handled;
static int cb_status = 1;
static u_int cb_result;

static void
test_cb_result(void *arg, int status, XDR *xdrs)
{
	(void)arg;
	cb_status = status;
	if (status == 0 && !xdr_u_int(xdrs, &cb_result))
		cb_status = -1000;
}

/* Calls its caller back over the connection the call came on. */
static void
test_callback(struct rpcsvc_call *call, void *args, void *arg)
{
	u_int v = *(u_int *)args;
	u_int res = rpcsvc_back_call(call->conn, CB_PROG, 1, CB_PROC, "tester",
	    (xdrproc_t)xdr_u_int, &v, test_cb_result, NULL) == 0;

	(void)arg;
	rpcsvc_reply(call, &res);
}

static void
test_null(struct rpcsvc_call *call, void *args, void *arg)
{
	(void)args;
	(void)arg;
	handled++;
	rpcsvc_reply(call, NULL);
}

static void
test_echo(struct rpcsvc_call *call, void *args, void *arg)
{
	u_int v = *(u_int *)args + 1;

	(void)arg;
	handled++;
	rpcsvc_reply(call, &v);
}

/* Answered later, from another event (as nfsd answers after blockd). */
#define LATER_MAX	32
static struct rpcsvc_call *later_calls[LATER_MAX];
static u_int later_args[LATER_MAX];
static int nlater;

static void
test_later(struct rpcsvc_call *call, void *args, void *arg)
{
	(void)arg;
	if (nlater == LATER_MAX) {
		rpcsvc_call_drop(call);
		return;
	}
	later_args[nlater] = *(u_int *)args;
	later_calls[nlater++] = call;
}

/* Never answered: the client's timeout. */
static void
test_silent(struct rpcsvc_call *call, void *args, void *arg)
{
	(void)args;
	(void)arg;
	rpcsvc_call_drop(call);
}

/* A word in the body, then FILE_LEN bytes of the test file. */
static void
test_filedata(struct rpcsvc_call *call, void *args, void *arg)
{
	(void)args;
	(void)arg;
	xdrbuf_put_u32(&call->out, FILE_LEN);
	rpcsvc_reply_file(call, test_file, FILE_OFF, FILE_LEN);
}

/*
 * The reply cache: one entry, kept as a body; hold_next makes complete
 * ask for the connection's output to be held.
 */
static struct {
	uint32_t	xid;
	int		state;		/* 0 none, 1 in progress, 2 done */
	uint8_t		body[64];
	size_t		len;
	int		hold_next;
	int		abandoned;
} cache;

static enum rpcsvc_cache_verdict
test_cache_lookup(void *arg, struct rpcsvc_call *call, const uint8_t *rec,
    size_t len, const uint8_t **body, size_t *body_len)
{
	(void)arg;
	(void)rec;
	(void)len;
	if (cache.state != 0 && cache.xid == call->auth.msg.xid) {
		if (cache.state == 1)
			return RPCSVC_CACHE_IN_PROGRESS;
		*body = cache.body;
		*body_len = cache.len;
		return RPCSVC_CACHE_HIT;
	}
	cache.xid = call->auth.msg.xid;
	cache.state = 1;
	return RPCSVC_CACHE_MISS;
}

static int
test_cache_complete(void *arg, struct rpcsvc_call *call, const uint8_t *body,
    size_t len)
{
	(void)arg;
	(void)call;
	if (len <= sizeof(cache.body)) {
		memcpy(cache.body, body, len);
		cache.len = len;
		cache.state = 2;
	}
	return cache.hold_next;
}

static void
test_cache_abandon(void *arg, struct rpcsvc_call *call)
{
	(void)arg;
	(void)call;
	cache.state = 0;
	cache.abandoned++;
}

static const struct rpcsvc_cache_ops test_cache_ops = {
	test_cache_lookup, test_cache_complete, test_cache_abandon
};

/*
 * A flavour that wraps: its credential is one word, its reply verifier
 * a counter that changes with every reply, and it wraps a reply's
 * results by inverting every byte.
 */
static uint32_t verf_counter;

static enum rpcmsg_verdict
test_flavor_verify(const struct rpcauth_flavor *f, struct rpcauth_call *call,
    const struct rpcmsg_header *h, const uint8_t *rec)
{
	(void)f;
	(void)rec;
	if (h->cred.len != 4)
		return RPCMSG_AUTH_BADCRED;
	call->seq = xdrbuf_peek_u32(h->cred.body);
	call->msg.cred.flavor = TEST_FLAVOR;
	return RPCMSG_OK;
}

static int
test_flavor_wrap(const struct rpcauth_flavor *f, struct rpcauth_call *call,
    const uint8_t *res, size_t len, struct xdrbuf_out *out)
{
	uint8_t *p;
	size_t i;

	(void)f;
	(void)call;
	if ((p = xdrbuf_reserve(out, len)) == NULL)
		return -1;
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)~res[i];
	return 0;
}

static int
test_flavor_verf(const struct rpcauth_flavor *f, struct rpcauth_call *call)
{
	(void)f;
	call->rverf_flavor = TEST_FLAVOR;
	call->rverf_len = 4;
	verf_counter++;
	call->rverf[0] = (uint8_t)(verf_counter >> 24);
	call->rverf[1] = (uint8_t)(verf_counter >> 16);
	call->rverf[2] = (uint8_t)(verf_counter >> 8);
	call->rverf[3] = (uint8_t)verf_counter;
	return 0;
}

static const struct rpcauth_flavor test_flavor = {
	.flavor = TEST_FLAVOR,
	.name = "TEST",
	.verify = test_flavor_verify,
	.wrap = test_flavor_wrap,
	.reply_verf = test_flavor_verf,
};
static const struct rpcauth_flavor *const test_flavors[] = {
	&rpcauth_none, &rpcauth_sys, &test_flavor, NULL
};

static const struct rpcsvc_proc test_procs[] = {
	[0] = { "NULL", NULL, 0, NULL, test_null, RPCSVC_CACHE_NONE },
	[ECHO] = { "ECHO", (xdrproc_t)xdr_u_int, sizeof(u_int),
	    (xdrproc_t)xdr_u_int, test_echo, RPCSVC_CACHE_NONE },
	[HOLE] = { "HOLE", NULL, 0, NULL, NULL, RPCSVC_CACHE_NONE },
	[TWICE] = { "TWICE", (xdrproc_t)xdr_u_int, sizeof(u_int),
	    (xdrproc_t)xdr_u_int, test_echo, RPCSVC_CACHE_REPLY },
	[CALLBACK] = { "CALLBACK", (xdrproc_t)xdr_u_int, sizeof(u_int),
	    (xdrproc_t)xdr_u_int, test_callback, RPCSVC_CACHE_NONE },
	[SILENT] = { "SILENT", NULL, 0, NULL, test_silent,
	    RPCSVC_CACHE_NONE },
	[FILEDATA] = { "FILEDATA", NULL, 0, NULL, test_filedata,
	    RPCSVC_CACHE_NONE },
	[CACHED] = { "CACHED", (xdrproc_t)xdr_u_int, sizeof(u_int),
	    (xdrproc_t)xdr_u_int, test_echo, RPCSVC_CACHE_REPLY },
	[LATER] = { "LATER", (xdrproc_t)xdr_u_int, sizeof(u_int),
	    (xdrproc_t)xdr_u_int, test_later, RPCSVC_CACHE_NONE },
};
static const struct rpcsvc_version test_versions[] = {
	{ 2, test_procs, 9 },
	{ 3, test_procs, 2 },
};
static const struct rpcsvc_program test_program = {
	"TEST", TEST_PROG, 2, 3, 4096, test_versions, 2, &test_cache_ops, 0
};
static const struct rpcsvc_program small_program = {
	"SMALL", SMALL_PROG, 2, 2, 128, test_versions, 1, NULL, 0
};
static const struct rpcsvc_program *const programs[] = {
	&test_program, &small_program, NULL
};
static const struct rpcsvc_program *const small_only[] = {
	&small_program, NULL
};

static size_t
build(uint8_t *b, uint32_t prog, uint32_t vers, uint32_t proc,
    const uint32_t *args, size_t nargs)
{
	struct xdrbuf_out o;
	size_t n, i;

	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, 0x1000 + proc);
	xdrbuf_put_u32(&o, RPC_CALL);
	xdrbuf_put_u32(&o, RPC_VERSION);
	xdrbuf_put_u32(&o, prog);
	xdrbuf_put_u32(&o, vers);
	xdrbuf_put_u32(&o, proc);
	xdrbuf_put_u32(&o, RPC_AUTH_NULL);
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_u32(&o, RPC_AUTH_NULL);
	xdrbuf_put_u32(&o, 0);
	for (i = 0; i < nargs; i++)
		xdrbuf_put_u32(&o, args[i]);
	n = o.len;
	memcpy(b, o.buf, n);
	xdrbuf_out_free(&o);
	return n;
}

/* A TCP record of a call with xid under flavor (TEST_FLAVOR or NULL). */
static size_t
build_tcp(uint8_t *b, uint32_t xid, uint32_t flavor, uint32_t proc,
    const uint32_t *args, size_t nargs)
{
	struct xdrbuf_out o;
	size_t n, i;

	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_u32(&o, xid);
	xdrbuf_put_u32(&o, RPC_CALL);
	xdrbuf_put_u32(&o, RPC_VERSION);
	xdrbuf_put_u32(&o, TEST_PROG);
	xdrbuf_put_u32(&o, 2);
	xdrbuf_put_u32(&o, proc);
	xdrbuf_put_u32(&o, flavor);
	if (flavor == TEST_FLAVOR) {
		xdrbuf_put_u32(&o, 4);
		xdrbuf_put_u32(&o, 7);		/* the credential's word */
	} else
		xdrbuf_put_u32(&o, 0);
	xdrbuf_put_u32(&o, RPC_AUTH_NULL);
	xdrbuf_put_u32(&o, 0);
	for (i = 0; i < nargs; i++)
		xdrbuf_put_u32(&o, args[i]);
	xdrbuf_put_u32_at(&o, 0, RPC_LAST_FRAGMENT | (uint32_t)(o.len - 4));
	n = o.len;
	memcpy(b, o.buf, n);
	xdrbuf_out_free(&o);
	return n;
}

/* Run the loop until fd is readable (or a bounded number of turns). */
static int
await(struct event_base *base, int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int i;

	for (i = 0; i < 200; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		if (poll(&p, 1, 10) == 1)
			return 0;
	}
	return -1;
}

/* A UDP call; the reply's accept_stat, its first result word in *res. */
static int64_t
udp_call(struct event_base *base, int cfd, const uint8_t *b, size_t n,
    uint32_t *res, uint32_t *res2)
{
	uint8_t r[512];
	ssize_t got;

	if (send(cfd, b, n, 0) != (ssize_t)n || await(base, cfd) == -1 ||
	    (got = recv(cfd, r, sizeof(r), 0)) < 24)
		return -1;
	if (xdrbuf_peek_u32(r + 8) != RPC_MSG_ACCEPTED)
		return -2;
	if (got >= 28 && res != NULL)
		*res = xdrbuf_peek_u32(r + 24);
	if (got >= 32 && res2 != NULL)
		*res2 = xdrbuf_peek_u32(r + 28);
	return xdrbuf_peek_u32(r + 20);
}

/* One record from a TCP socket into r (at most max); its length or -1. */
static ssize_t
read_record(struct event_base *base, int fd, uint8_t *r, size_t max)
{
	uint8_t mark[4];
	uint32_t n;

	if (await(base, fd) == -1 ||
	    recv(fd, mark, 4, MSG_WAITALL) != 4)
		return -1;
	n = xdrbuf_peek_u32(mark) & ~RPC_LAST_FRAGMENT;
	if (n > max || (n > 0 && await(base, fd) == -1) ||
	    recv(fd, r, n, MSG_WAITALL) != (ssize_t)n)
		return -1;
	return n;
}

/* The backchannel: a call back to a client over its own connection. */
static void
test_backchannel(struct event_base *base, struct sockaddr_in *sin)
{
	uint8_t b[256], r[256];
	struct xdrbuf_out o;
	uint32_t v = 1234, cbxid = 0;
	ssize_t n1, n2;
	size_t n;
	int fd, i;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	tap_ok(connect(fd, (struct sockaddr *)sin, sizeof(*sin)) == 0,
	    "backchannel: TCP connection");
	n = build(b + 4, TEST_PROG, 2, CALLBACK, &v, 1);
	b[0] = 0x80;
	b[1] = 0;
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
	tap_ok(write(fd, b, n + 4) == (ssize_t)(n + 4), "CALLBACK sent");
	/* The callback (a CALL record), then the reply to CALLBACK. */
	n1 = read_record(base, fd, r, sizeof(r));
	tap_ok(n1 == 72 && xdrbuf_peek_u32(r + 4) == RPC_CALL &&
	    xdrbuf_peek_u32(r + 12) == CB_PROG &&
	    xdrbuf_peek_u32(r + 20) == CB_PROC &&
	    xdrbuf_peek_u32(r + 68) == 1234,
	    "the server's call comes back over the connection");
	tap_ok(n1 == 72 && xdrbuf_peek_u32(r + 24) == RPC_AUTH_UNIX &&
	    xdrbuf_peek_u32(r + 36) == 6 && memcmp(r + 40, "tester", 6) ==
	    0 && xdrbuf_peek_u32(r + 48) == 0 && xdrbuf_peek_u32(r + 60) ==
	    RPC_AUTH_NULL, "as root of the machine named (AUTH_SYS)");
	cbxid = xdrbuf_peek_u32(r);
	n2 = read_record(base, fd, r, sizeof(r));
	tap_ok(n2 == 28 && xdrbuf_peek_u32(r + 20) == RPC_SUCCESS &&
	    xdrbuf_peek_u32(r + 24) == 1, "and CALLBACK's own reply");
	/* The client answers the callback: 77. */
	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, RPC_LAST_FRAGMENT | 28);
	xdrbuf_put_u32(&o, cbxid);
	xdrbuf_put_u32(&o, RPC_REPLY);
	xdrbuf_put_u32(&o, RPC_MSG_ACCEPTED);
	xdrbuf_put_u32(&o, RPC_AUTH_NULL);
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_u32(&o, RPC_SUCCESS);
	xdrbuf_put_u32(&o, 77);
	tap_ok(write(fd, o.buf, o.len) == (ssize_t)o.len, "callback answered");
	xdrbuf_out_free(&o);
	for (i = 0; i < 200 && cb_status == 1; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		poll(NULL, 0, 1);
	}
	tap_ok(cb_status == 0 && cb_result == 77,
	    "the server gets the callback's result by its xid");

	/* A callback whose connection goes fails. */
	cb_status = 1;
	tap_ok(write(fd, b, n + 4) == (ssize_t)(n + 4) &&
	    read_record(base, fd, r, sizeof(r)) == 72 &&
	    read_record(base, fd, r, sizeof(r)) == 28,
	    "another callback out");
	close(fd);
	for (i = 0; i < 200 && cb_status == 1; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		poll(NULL, 0, 1);
	}
	tap_ok(cb_status == -ECONNRESET,
	    "its connection closed: the callback fails (ECONNRESET)");
}

/* The file's byte at offset i: a pattern no two nearby offsets share. */
static uint8_t
file_byte(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 8));
}

/* FILEDATA over TCP: the body's word, the file's bytes, XDR padding. */
static void
test_file_reply(struct event_base *base, struct sockaddr_in *sin)
{
	static uint8_t r[8192];
	uint8_t b[256], tmpl[] = "/tmp/test_rpcsvc.XXXXXX";
	ssize_t got;
	size_t n, i;
	int fd, ok;

	fd = mkstemp((char *)tmpl);
	unlink((char *)tmpl);
	for (i = 0; i < sizeof(r); i++)
		r[i] = file_byte(i);
	tap_ok(fd != -1 && write(fd, r, sizeof(r)) == (ssize_t)sizeof(r),
	    "a file of %zu bytes", sizeof(r));
	test_file = calloc(1, sizeof(*test_file));
	test_file->fd = fd;
	test_file->refs = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	tap_ok(connect(fd, (struct sockaddr *)sin, sizeof(*sin)) == 0,
	    "file data: TCP connection");
	n = build_tcp(b, 0x900, RPC_AUTH_NULL, FILEDATA, NULL, 0);
	memset(r, 0, sizeof(r));
	got = write(fd, b, n) == (ssize_t)n ? read_record(base, fd, r,
	    sizeof(r)) : -1;
	tap_ok(got == 28 + ((FILE_LEN + 3) & ~3),
	    "the record holds the head, the body's word and the data, "
	    "padded (%zd bytes)", got);
	ok = got > 28 && xdrbuf_peek_u32(r + 20) == RPC_SUCCESS &&
	    xdrbuf_peek_u32(r + 24) == FILE_LEN;
	for (i = 0; ok && i < FILE_LEN; i++)
		ok = r[28 + i] == file_byte(FILE_OFF + i);
	for (; ok && i < ((FILE_LEN + 3) & ~3u); i++)
		ok = r[28 + i] == 0;
	tap_ok(ok, "the file's bytes from offset %d follow the body, then "
	    "zeros", FILE_OFF);

	/* A flavour that wraps: the data is read into the wrapped body. */
	n = build_tcp(b, 0x901, TEST_FLAVOR, FILEDATA, NULL, 0);
	memset(r, 0, sizeof(r));
	got = write(fd, b, n) == (ssize_t)n ? read_record(base, fd, r,
	    sizeof(r)) : -1;
	ok = got == 32 + ((FILE_LEN + 3) & ~3) &&
	    xdrbuf_peek_u32(r + 24) == RPC_SUCCESS &&
	    xdrbuf_peek_u32(r + 28) == (0xffffffffu ^ FILE_LEN);
	for (i = 0; ok && i < FILE_LEN; i++)
		ok = r[32 + i] + file_byte(FILE_OFF + i) == 255;
	tap_ok(ok, "under a wrapping flavour the file's bytes are wrapped "
	    "with the body (%zd bytes)", got);
	close(fd);
	rpcsvc_fd_unref(test_file);
}

/*
 * CACHED: the first call runs and its body is kept; the retransmission
 * is answered from the cache without running, headed again through the
 * flavour (a new verifier) and wrapped again.
 */
static void
test_cache_replay(struct event_base *base, struct rpcsvc *svc,
    struct sockaddr_in *sin)
{
	uint8_t b[256], r1[256], r2[256];
	uint32_t v = 41;
	ssize_t n1, n2;
	size_t n;
	int fd, before;
	struct pollfd p;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	tap_ok(connect(fd, (struct sockaddr *)sin, sizeof(*sin)) == 0,
	    "cache: TCP connection");
	before = handled;
	n = build_tcp(b, 0x777, TEST_FLAVOR, CACHED, &v, 1);
	n1 = write(fd, b, n) == (ssize_t)n ? read_record(base, fd, r1,
	    sizeof(r1)) : -1;
	tap_ok(n1 == 32 && handled == before + 1 &&
	    xdrbuf_peek_u32(r1 + 28) == (uint32_t)~42u,
	    "CACHED ran once: 41 -> 42, wrapped");
	tap_ok(cache.state == 2 && cache.len == 4 &&
	    xdrbuf_peek_u32(cache.body) == 42,
	    "the cache keeps the body as encoded, before wrapping");
	n2 = write(fd, b, n) == (ssize_t)n ? read_record(base, fd, r2,
	    sizeof(r2)) : -1;
	tap_ok(n2 == 32 && handled == before + 1,
	    "the retransmission is replayed, not run again");
	tap_ok(n2 == 32 && xdrbuf_peek_u32(r2) == 0x777 &&
	    xdrbuf_peek_u32(r2 + 12) == TEST_FLAVOR &&
	    xdrbuf_peek_u32(r2 + 20) != xdrbuf_peek_u32(r1 + 20),
	    "the replay carries a verifier of its own (%u, not %u)",
	    xdrbuf_peek_u32(r2 + 20), xdrbuf_peek_u32(r1 + 20));
	tap_ok(n2 == 32 && xdrbuf_peek_u32(r2 + 24) == RPC_SUCCESS &&
	    xdrbuf_peek_u32(r2 + 28) == (uint32_t)~42u,
	    "... and the body wrapped again");

	/* Held output: nothing is written until the cache says so. */
	cache.hold_next = 1;
	v = 99;
	n = build_tcp(b, 0x778, RPC_AUTH_NULL, CACHED, &v, 1);
	tap_ok(write(fd, b, n) == (ssize_t)n, "another CACHED sent");
	for (n = 0; n < 50; n++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		poll(NULL, 0, 1);
	}
	p.fd = fd;
	p.events = POLLIN;
	p.revents = 0;
	tap_ok(cache.state == 2 && poll(&p, 1, 0) == 0,
	    "its entry is done but the reply is held");
	cache.hold_next = 0;
	rpcsvc_release_held(svc);
	n1 = read_record(base, fd, r1, sizeof(r1));
	tap_ok(n1 == 28 && xdrbuf_peek_u32(r1) == 0x778 &&
	    xdrbuf_peek_u32(r1 + 24) == 100,
	    "released: the reply is written");
	close(fd);
}

/*
 * Replies to ncalls ECHO-shaped calls (xid xid0 + i, argument i): how
 * many came, in order, with i + 1.
 */
static uint32_t
read_echo_replies(struct event_base *base, int fd, uint32_t xid0,
    uint32_t ncalls)
{
	uint8_t r[64];
	uint32_t i, ok = 0;

	for (i = 0; i < ncalls; i++)
		if (read_record(base, fd, r, sizeof(r)) == 28 &&
		    xdrbuf_peek_u32(r) == xid0 + i &&
		    xdrbuf_peek_u32(r + 20) == RPC_SUCCESS &&
		    xdrbuf_peek_u32(r + 24) == i + 1)
			ok++;
	return ok;
}

/*
 * Pipelined calls: n ECHO calls sent in one write are read with one
 * read(2) (then one that finds nothing), and their replies leave in
 * writes_max writev(2)s; every reply comes back, in order.  More calls
 * than one read event dispatches (RPCSVC_READ_BUDGET, 64) are taken up
 * on the next turn of the loop although the socket has nothing more.
 */
static void
test_pipeline(struct event_base *base, struct rpcsvc *svc,
    struct sockaddr_in *sin, uint32_t ncalls, uint64_t reads_max,
    uint64_t writes_max)
{
	static uint8_t b[100 * 64];
	struct rpcsvc_stats st0, st1;
	size_t n = 0;
	uint32_t i, ok = 0;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	tap_ok(connect(fd, (struct sockaddr *)sin, sizeof(*sin)) == 0,
	    "pipeline: TCP connection");
	/* Accepted, and nothing read yet. */
	for (i = 0; i < 20; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		poll(NULL, 0, 1);
	}
	for (i = 0; i < ncalls && n + 64 <= sizeof(b); i++)
		n += build_tcp(b + n, 0xa000 + i, RPC_AUTH_NULL, ECHO, &i, 1);
	rpcsvc_stats_get(svc, &st0);
	if (write(fd, b, n) != (ssize_t)n)
		n = 0;
	if (n > 0)
		ok = read_echo_replies(base, fd, 0xa000, ncalls);
	rpcsvc_stats_get(svc, &st1);
	tap_ok(ok == ncalls, "%u calls in one write: every reply, in order "
	    "(%u)", ncalls, ok);
	tap_ok(st1.reads - st0.reads <= reads_max,
	    "... read with %llu read(2)s (at most %llu)",
	    (unsigned long long)(st1.reads - st0.reads),
	    (unsigned long long)reads_max);
	tap_ok(st1.writes - st0.writes <= writes_max,
	    "... their replies written with %llu writev(2)s (at most %llu)",
	    (unsigned long long)(st1.writes - st0.writes),
	    (unsigned long long)writes_max);
	close(fd);
}

/* The other process's batch of replies: all of them in one event. */
static void
test_later_answer_cb(evutil_socket_t fd, short what, void *arg)
{
	u_int v;
	int i;

	(void)fd;
	(void)what;
	(void)arg;
	for (i = 0; i < nlater; i++) {
		v = later_args[i] + 1;
		rpcsvc_reply(later_calls[i], &v);
	}
	nlater = 0;
}

/*
 * Calls answered outside their connection's read event (nfsd answers
 * an NFSv4 REMOVE when blockd's reply comes, 60 of them in one of
 * blockd's batches): the replies of one event leave together at the
 * end of the loop turn, not a writev(2) each.
 */
static void
test_later_replies(struct event_base *base, struct rpcsvc *svc,
    struct sockaddr_in *sin, uint32_t ncalls)
{
	static uint8_t b[LATER_MAX * 64];
	struct rpcsvc_stats st0, st1;
	struct event *ev;
	size_t n = 0;
	uint32_t i, ok = 0;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	tap_ok(connect(fd, (struct sockaddr *)sin, sizeof(*sin)) == 0,
	    "later: TCP connection");
	for (i = 0; i < ncalls && n + 64 <= sizeof(b); i++)
		n += build_tcp(b + n, 0xb000 + i, RPC_AUTH_NULL, LATER, &i, 1);
	if (write(fd, b, n) != (ssize_t)n)
		n = 0;
	for (i = 0; n > 0 && i < 2000 && nlater < (int)ncalls; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		poll(NULL, 0, 1);
	}
	tap_ok(nlater == (int)ncalls, "later: %u calls read, none answered "
	    "yet (%d)", ncalls, nlater);
	rpcsvc_stats_get(svc, &st0);
	ev = event_new(base, -1, 0, test_later_answer_cb, NULL);
	if (ev != NULL)
		event_active(ev, EV_TIMEOUT, 1);
	if (n > 0)
		ok = read_echo_replies(base, fd, 0xb000, ncalls);
	rpcsvc_stats_get(svc, &st1);
	tap_ok(ok == ncalls, "later: answered in one event, every reply "
	    "in order (%u)", ok);
	tap_ok(st1.writes - st0.writes == 1, "later: written with one "
	    "writev(2), not one per reply (%llu)",
	    (unsigned long long)(st1.writes - st0.writes));
	if (ev != NULL)
		event_free(ev);
	close(fd);
}

/*
 * Large records (64 KiB and over) are read into buffers kept from the
 * records before them, not into fresh memory: three calls of 100 KiB one
 * after the other, the second and third reuse the first's buffer.
 */
static const struct rpcsvc_program big_program = {
	"BIG", TEST_PROG, 2, 2, 256 * 1024, test_versions, 1, NULL, 0
};
static const struct rpcsvc_program *const big_only[] = {
	&big_program, NULL
};

/* Writes n bytes while the service's loop turns (it reads as we write). */
static int
send_all(struct event_base *base, int fd, const uint8_t *b, size_t n)
{
	size_t done = 0;
	ssize_t w;
	int spins = 0;

	while (done < n && spins < 5000) {
		w = send(fd, b + done, n - done, MSG_DONTWAIT);
		if (w > 0)
			done += (size_t)w;
		else if (w == -1 && errno != EAGAIN && errno != EINTR)
			return -1;
		event_base_loop(base, EVLOOP_NONBLOCK);
		if (w <= 0) {
			poll(NULL, 0, 1);
			spins++;
		}
	}
	return done == n ? 0 : -1;
}

static void
test_record_pool(struct event_base *base)
{
	static uint32_t words[100 * 1024 / 4];
	struct rpcsvc *svc;
	struct rpcsvc_stats st0, st1;
	struct sockaddr_in sin;
	uint8_t *b, r[64];
	size_t n;
	int tfd, ufd, fd, i, ok = 0;

	svc = rpcsvc_new(base, big_only, NULL);
	b = malloc(sizeof(words) + 128);
	if (svc == NULL || b == NULL ||
	    rpcsvc_bind_sockets("127.0.0.1", 0, &tfd, &ufd) == -1 ||
	    rpcsvc_listen(svc, tfd, ufd) == -1) {
		tap_ok(0, "record pool: a service of a 256 KiB program");
		return;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)rpcsvc_socket_port(tfd));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	tap_ok(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0,
	    "record pool: TCP connection");
	n = build_tcp(b, 0xb000, RPC_AUTH_NULL, 0, words,
	    sizeof(words) / 4);
	rpcsvc_stats_get(svc, &st0);
	for (i = 0; i < 3; i++)
		if (send_all(base, fd, b, n) == 0 &&
		    read_record(base, fd, r, sizeof(r)) == 24 &&
		    xdrbuf_peek_u32(r + 20) == RPC_SUCCESS)
			ok++;
	rpcsvc_stats_get(svc, &st1);
	tap_ok(ok == 3, "record pool: three calls of %zu bytes answered", n);
	tap_ok(st1.recs_reused - st0.recs_reused == 2,
	    "record pool: the second and third reuse the first's buffer "
	    "(%llu reused)",
	    (unsigned long long)(st1.recs_reused - st0.recs_reused));
	close(fd);
	free(b);
	rpcsvc_free(svc);
}

struct client_result {
	int	status;
	u_int	value;
	int	is_void;
};

static void
test_client_result(void *arg, int status, XDR *xdrs)
{
	struct client_result *cr = arg;

	cr->status = status;
	if (status == 0 && !cr->is_void && !xdr_u_int(xdrs, &cr->value))
		cr->status = -1000;
}

static void
spin(struct event_base *base, const struct client_result *cr)
{
	int i;

	for (i = 0; i < 500 && cr->status == 1; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		poll(NULL, 0, 1);
	}
}

struct record_result {
	int	status;
	uint8_t	rec[256];
	size_t	len;
};

static void
test_record_result(void *arg, int status, const uint8_t *rec, size_t len)
{
	struct record_result *rr = arg;

	rr->status = status;
	rr->len = len < sizeof(rr->rec) ? len : sizeof(rr->rec);
	if (rec != NULL)
		memcpy(rr->rec, rec, rr->len);
}

/*
 * rpcclnt_tcp_send: a call record built whole by the caller (as
 * RPCSEC_GSS callbacks are), the whole reply record back, whatever it
 * says.
 */
static void
test_client_records(struct event_base *base, struct rpcclnt_tcp *tcl)
{
	struct record_result rr;
	struct client_result wait;
	struct xdrbuf_out o;
	uint32_t xid;
	int i;

	for (i = 0; i < 2; i++) {
		xid = rpcclnt_tcp_xid(tcl);
		xdrbuf_out_init(&o);
		rpcmsg_call_header(&o, xid, i == 0 ? TEST_PROG : 0x20000099,
		    2, i == 0 ? ECHO : 0);
		if (i == 0)
			xdrbuf_put_u32(&o, 7);
		memset(&rr, 0, sizeof(rr));
		rr.status = 1;
		tap_ok(!o.failed && rpcclnt_tcp_send(tcl, xid, o.buf, o.len,
		    5000, test_record_result, &rr) == 0,
		    "TCP client: a record of the caller's sent (%s)",
		    i == 0 ? "ECHO" : "another program");
		xdrbuf_out_free(&o);
		wait.status = 1;
		while (rr.status == 1 && wait.status++ < 500) {
			event_base_loop(base, EVLOOP_NONBLOCK);
			poll(NULL, 0, 1);
		}
		/* xid, REPLY, MSG_ACCEPTED, AUTH_NULL verifier, accept_stat */
		tap_ok(rr.status == 0 && rr.len >= 24 &&
		    xdrbuf_peek_u32(rr.rec) == xid &&
		    xdrbuf_peek_u32(rr.rec + 4) == RPC_REPLY &&
		    xdrbuf_peek_u32(rr.rec + 20) == (i == 0 ? RPC_SUCCESS :
		    RPC_PROG_UNAVAIL) && (i != 0 || (rr.len == 28 &&
		    xdrbuf_peek_u32(rr.rec + 24) == 8)),
		    "TCP client: the whole reply record back from its xid "
		    "(%s)", i == 0 ? "7 -> 8" : "PROG_UNAVAIL, not EPROTO");
	}
}

/* The clients: a call to the test program over UDP and over TCP. */
static void
test_clients(struct event_base *base, struct sockaddr_in *udp,
    struct sockaddr_in *tcp)
{
	struct client_result cr = { 1, 0, 0 };
	struct rpcclnt *ucl;
	struct rpcclnt_tcp *tcl;
	u_int v = 99;

	ucl = rpcclnt_new(base, rpcclnt_socket(0));
	tap_ok(ucl != NULL && rpcclnt_call(ucl, (struct sockaddr *)udp,
	    sizeof(*udp), TEST_PROG, 2, ECHO, (xdrproc_t)xdr_u_int, &v, 3,
	    test_client_result, &cr) == 0, "UDP client: ECHO sent");
	spin(base, &cr);
	tap_ok(cr.status == 0 && cr.value == 100, "UDP client: 99 -> 100");
	rpcclnt_free(ucl);

	tcl = rpcclnt_tcp_new(base, (struct sockaddr *)tcp, sizeof(*tcp));
	cr.status = 1;
	v = 7;
	tap_ok(tcl != NULL && rpcclnt_tcp_call(tcl, TEST_PROG, 2, ECHO,
	    (xdrproc_t)xdr_u_int, &v, 5000, test_client_result, &cr) == 0,
	    "TCP client: ECHO sent");
	spin(base, &cr);
	tap_ok(cr.status == 0 && cr.value == 8, "TCP client: 7 -> 8");
	cr.status = 1;
	cr.is_void = 1;
	tap_ok(rpcclnt_tcp_call(tcl, TEST_PROG, 3, 0, NULL, NULL, 5000,
	    test_client_result, &cr) == 0, "TCP client: NULL sent");
	spin(base, &cr);
	tap_ok(cr.status == 0, "TCP client: NULL answered");
	cr.status = 1;
	tap_ok(rpcclnt_tcp_call(tcl, TEST_PROG, 2, SILENT, NULL, NULL, 50,
	    test_client_result, &cr) == 0, "TCP client: SILENT sent");
	spin(base, &cr);
	tap_ok(cr.status == -ETIMEDOUT, "TCP client: unanswered: ETIMEDOUT");
	cr.status = 1;
	tap_ok(rpcclnt_tcp_call(tcl, 0x20000099, 2, 0, NULL, NULL, 5000,
	    test_client_result, &cr) == 0, "TCP client: another program");
	spin(base, &cr);
	tap_ok(cr.status == -EPROTO, "TCP client: PROG_UNAVAIL is EPROTO");
	test_client_records(base, tcl);
	rpcclnt_tcp_free(tcl);
}

int
main(void)
{
	struct event_base *base;
	struct rpcsvc *svc;
	struct sockaddr_in sin;
	uint8_t b[8192], r[64];
	uint32_t one = 41, lo = 0, hi = 0, res = 0;
	int tcp_fd, udp_fd, cfd, tfd, port;
	size_t n;
	ssize_t got;

	base = event_base_new();
	svc = rpcsvc_new(base, programs, NULL);
	tap_ok(svc != NULL, "a service of two programs");
	rpcsvc_set_flavors(svc, test_flavors);
	tap_ok(rpcsvc_bind_sockets("127.0.0.1", 0, &tcp_fd, &udp_fd) == 0 &&
	    rpcsvc_listen(svc, tcp_fd, udp_fd) == 0, "listening on loopback");
	port = rpcsvc_socket_port(udp_fd);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cfd = socket(AF_INET, SOCK_DGRAM, 0);
	tap_ok(connect(cfd, (struct sockaddr *)&sin, sizeof(sin)) == 0,
	    "client socket");

	n = build(b, TEST_PROG, 2, 0, NULL, 0);
	tap_ok(udp_call(base, cfd, b, n, NULL, NULL) == RPC_SUCCESS &&
	    handled == 1, "NULL: the table's handler, SUCCESS");
	n = build(b, TEST_PROG, 2, ECHO, &one, 1);
	tap_ok(udp_call(base, cfd, b, n, &res, NULL) == RPC_SUCCESS &&
	    res == 42, "ECHO: decoded, handled, encoded (41 -> 42)");
	n = build(b, TEST_PROG, 3, ECHO, &one, 1);
	tap_ok(udp_call(base, cfd, b, n, &res, NULL) == RPC_SUCCESS &&
	    res == 42, "ECHO in version 3");
	n = build(b, TEST_PROG, 2, HOLE, NULL, 0);
	tap_ok(udp_call(base, cfd, b, n, NULL, NULL) == RPC_PROC_UNAVAIL,
	    "a procedure without a handler: PROC_UNAVAIL");
	n = build(b, TEST_PROG, 3, TWICE, &one, 1);
	tap_ok(udp_call(base, cfd, b, n, NULL, NULL) == RPC_PROC_UNAVAIL,
	    "past the version's procedures: PROC_UNAVAIL");
	n = build(b, TEST_PROG, 4, 0, NULL, 0);
	tap_ok(udp_call(base, cfd, b, n, &lo, &hi) == RPC_PROG_MISMATCH &&
	    lo == 2 && hi == 3, "version 4: PROG_MISMATCH 2..3");
	n = build(b, 0x20000099, 2, 0, NULL, 0);
	tap_ok(udp_call(base, cfd, b, n, NULL, NULL) == RPC_PROG_UNAVAIL,
	    "another program: PROG_UNAVAIL");
	n = build(b, TEST_PROG, 2, ECHO, NULL, 0);
	tap_ok(udp_call(base, cfd, b, n, NULL, NULL) == RPC_GARBAGE_ARGS,
	    "ECHO without its argument: GARBAGE_ARGS");
	memset(b + 512, 0, 256);
	n = build(b, SMALL_PROG, 2, ECHO, &one, 1);
	tap_ok(udp_call(base, cfd, b, n, &res, NULL) == RPC_SUCCESS &&
	    res == 42, "the small program under its limit");
	n = build(b, SMALL_PROG, 2, 0, (const uint32_t *)(b + 512), 40);
	tap_ok(n > 128 && udp_call(base, cfd, b, n, NULL, NULL) ==
	    RPC_GARBAGE_ARGS, "a call of %zu bytes over its 128: refused", n);
	n = build(b, TEST_PROG, 2, 0, (const uint32_t *)(b + 512), 40);
	tap_ok(udp_call(base, cfd, b, n, NULL, NULL) == RPC_SUCCESS,
	    "the same size to the other program: taken");

	/* TCP: record marking, and a record over the largest limit. */
	sin.sin_port = htons((uint16_t)rpcsvc_socket_port(tcp_fd));
	tfd = socket(AF_INET, SOCK_STREAM, 0);
	tap_ok(connect(tfd, (struct sockaddr *)&sin, sizeof(sin)) == 0,
	    "TCP connection");
	n = build(b + 4, TEST_PROG, 2, ECHO, &one, 1);
	b[0] = 0x80;
	b[1] = 0;
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
	got = -1;
	if (write(tfd, b, n + 4) == (ssize_t)(n + 4) && await(base, tfd) == 0)
		got = read(tfd, r, sizeof(r));
	tap_ok(got == 32 && xdrbuf_peek_u32(r) == (0x80000000u | 28) &&
	    xdrbuf_peek_u32(r + 24) == RPC_SUCCESS &&
	    xdrbuf_peek_u32(r + 28) == 42, "a TCP record answered, marked");
	b[0] = 0x80;
	b[1] = 0;
	b[2] = 0x20;	/* 8192 bytes announced, over 4096 */
	b[3] = 0;
	got = -1;
	if (write(tfd, b, 4) == 4 && await(base, tfd) == 0)
		got = read(tfd, r, sizeof(r));
	tap_ok(got == 0, "a record over the limit closes the connection");
	close(tfd);
	{
		int t2, u2, c2;
		struct sockaddr_in s2 = sin;

		tap_ok(rpcsvc_bind_sockets("127.0.0.1", 0, &t2, &u2) == 0 &&
		    rpcsvc_listen_programs(svc, t2, u2, small_only) == 0,
		    "a second listener, for SMALL alone");
		s2.sin_port = htons((uint16_t)rpcsvc_socket_port(u2));
		c2 = socket(AF_INET, SOCK_DGRAM, 0);
		connect(c2, (struct sockaddr *)&s2, sizeof(s2));
		n = build(b, TEST_PROG, 2, ECHO, &one, 1);
		tap_ok(udp_call(base, c2, b, n, NULL, NULL) ==
		    RPC_PROG_UNAVAIL, "TEST on it: PROG_UNAVAIL");
		n = build(b, SMALL_PROG, 2, ECHO, &one, 1);
		tap_ok(udp_call(base, c2, b, n, &res, NULL) == RPC_SUCCESS &&
		    res == 42, "SMALL on it: answered");
		close(c2);
	}
	test_backchannel(base, &sin);
	test_file_reply(base, &sin);
	test_cache_replay(base, svc, &sin);
	test_pipeline(base, svc, &sin, 16, 2, 1);
	test_pipeline(base, svc, &sin, 100, 2, 2);
	test_later_replies(base, svc, &sin, 16);
	test_record_pool(base);
	{
		struct sockaddr_in usin = sin;

		usin.sin_port = htons((uint16_t)port);
		test_clients(base, &usin, &sin);
	}
	close(cfd);
	rpcsvc_free(svc);
	event_base_free(base);
	return tap_done();
}
