/*
 * Unit tests for common/ipc.c: framing, partial reads, large bodies, fd
 * passing and refusal, malformed headers, HELLO and the role table,
 * version negotiation, request/reply, and the reconnecting client.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <poll.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"
#include "log.h"
#include "tap.h"

struct sink {
	int		 messages;
	int		 closed;
	uint32_t	 last_type;
	uint32_t	 last_id;
	size_t		 last_len;
	int		 last_body_ok;
	int		 last_fd;
};

static struct event_base *base;

/* Run the loop until *flag becomes true or ms pass. */
static int
pump_until(const int *flag, int ms)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (flag != NULL && *flag)
			return 1;
		event_base_loop(base, EVLOOP_NONBLOCK);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000 > ms)
			return flag != NULL && *flag;
		usleep(1000);
	}
}

static int
body_pattern_ok(const uint8_t *body, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (body[i] != (uint8_t)(i * 7 + 3))
			return 0;
	return 1;
}

static uint8_t *
body_pattern(size_t len)
{
	uint8_t *b = malloc(len ? len : 1);
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 7 + 3);
	return b;
}

static void
sink_dispatch(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct sink *s = arg;

	s->messages++;
	s->last_type = msg->hdr.type;
	s->last_id = msg->hdr.id;
	s->last_len = msg->len;
	s->last_body_ok = body_pattern_ok(msg->body, msg->len);
	if (s->last_fd != -1)
		close(s->last_fd);
	s->last_fd = msg->fd;
}

static void
sink_closed(struct ipc_channel *ch, void *arg)
{
	((struct sink *)arg)->closed = 1;
}

static struct ipc_channel *
sink_channel(int fd, unsigned int flags, struct sink *s)
{
	memset(s, 0, sizeof(*s));
	s->last_fd = -1;
	return ipc_channel_new(base, fd, flags, sink_dispatch, sink_closed, s);
}

static void
raw_header(int fd, uint32_t type, uint32_t len, uint16_t flags)
{
	struct ipc_hdr hdr;

	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = len;
	hdr.id = 9;
	hdr.flags = flags;
	if (write(fd, &hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr))
		tap_diag("short write of a header");
}

static void
test_framing(void)
{
	struct ipc_channel *a, *b;
	struct sink sa, sb;
	uint8_t *body;
	int sv[2], i;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	a = sink_channel(sv[0], 0, &sa);
	b = sink_channel(sv[1], 0, &sb);
	body = body_pattern(1000);
	for (i = 0; i < 5; i++)
		ipc_send(a, 100 + (uint32_t)i, (uint32_t)i, 0, -1, body, 1000);
	pump_until(&(int){0}, 50);
	TAP_EQ_INT(sb.messages, 5, "five messages arrive");
	tap_ok(sb.last_type == 104 && sb.last_id == 4 && sb.last_len == 1000 &&
	    sb.last_body_ok, "last one intact, in order");
	free(body);

	/* 1 MiB + header is a WRITE's payload: it must pass. */
	body = body_pattern(1024 * 1024);
	tap_ok(ipc_send(a, 200, 1, 0, -1, body, 1024 * 1024) == 0,
	    "1 MiB body queued");
	pump_until(&(int){0}, 300);
	tap_ok(sb.messages == 6 && sb.last_len == 1024 * 1024 &&
	    sb.last_body_ok, "1 MiB body arrives intact");
	free(body);
	body = body_pattern(IPC_BODY_MAX);
	ipc_send(a, 201, 1, 0, -1, body, IPC_BODY_MAX);
	pump_until(&(int){0}, 300);
	tap_ok(sb.messages == 7 && sb.last_len == IPC_BODY_MAX &&
	    sb.last_body_ok, "a body of exactly the limit arrives");
	tap_ok(ipc_send(a, 202, 1, 0, -1, body, IPC_BODY_MAX + 1) == -1,
	    "a body over the limit is refused by the sender");
	free(body);
	ipc_channel_free(a);
	ipc_channel_free(b);
}

/* Corked, messages wait (nothing on the socket), then leave together. */
static void
test_cork(void)
{
	struct ipc_channel *a;
	uint8_t *body, buf[64];
	int sv[2], i;
	ssize_t n;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	a = ipc_channel_new(base, sv[0], 0, sink_dispatch, sink_closed,
	    &(struct sink){ .last_fd = -1 });
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	body = body_pattern(16);
	ipc_channel_cork(a, 1);
	for (i = 0; i < 3; i++)
		ipc_send(a, 300 + (uint32_t)i, (uint32_t)i, 0, -1, body, 16);
	/* A loop turn, which writes deferred sends: not corked ones. */
	event_base_loop(base, EVLOOP_NONBLOCK);
	n = read(sv[1], buf, sizeof(buf));
	tap_ok(n == -1 && errno == EAGAIN, "corked: nothing written, even "
	    "after a loop turn");
	ipc_channel_cork(a, 0);
	n = 0;
	for (i = 0; i < 100 && n < 3 * (ssize_t)(IPC_HDR_SIZE + 16); i++) {
		ssize_t got = read(sv[1], buf, sizeof(buf));

		if (got > 0)
			n += got;
		else
			poll(NULL, 0, 1);
	}
	TAP_EQ_INT(n, 3 * (IPC_HDR_SIZE + 16),
	    "uncorked: the three messages are written");
	free(body);
	ipc_channel_free(a);
	close(sv[1]);
}

/*
 * Messages sent outside the channel's own read event (nfsd forwarding a
 * client's calls to blockd, one ipc_send each) leave at the end of the
 * loop turn, together, not one sendmsg(2) each.
 */
static void
test_send_deferred(void)
{
	struct ipc_channel *a;
	struct sink sa;
	uint8_t *body, buf[16 * (IPC_HDR_SIZE + 64)];
	ssize_t before, after;
	int sv[2], i;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	a = sink_channel(sv[0], 0, &sa);
	body = body_pattern(64);
	for (i = 0; i < 16; i++)
		ipc_send(a, 400 + (uint32_t)i, (uint32_t)i, 0, -1, body, 64);
	before = recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT | MSG_PEEK);
	tap_ok(before == -1 && (errno == EAGAIN || errno == EWOULDBLOCK),
	    "deferred: sixteen sends, nothing written before the loop turns");
	event_base_loop(base, EVLOOP_NONBLOCK);
	after = recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT);
	TAP_EQ_INT(after, 16 * (IPC_HDR_SIZE + 64),
	    "deferred: after one turn, all sixteen are there");
	free(body);
	ipc_channel_free(a);
	close(sv[1]);
}

static void
test_partial_reads(void)
{
	struct sink sb;
	struct ipc_hdr hdr;
	uint8_t buf[IPC_HDR_SIZE + 64], *body;
	int sv[2];
	size_t i;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	sink_channel(sv[1], 0, &sb);
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = 42;
	hdr.len = 64;
	memcpy(buf, &hdr, sizeof(hdr));
	body = body_pattern(64);
	memcpy(buf + sizeof(hdr), body, 64);
	free(body);
	for (i = 0; i < sizeof(buf); i++) {
		if (write(sv[0], buf + i, 1) != 1)
			break;
		event_base_loop(base, EVLOOP_NONBLOCK);
		if (i + 1 < sizeof(buf) && sb.messages != 0)
			break;
	}
	pump_until(&sb.messages, 100);
	tap_ok(i == sizeof(buf) && sb.messages == 1 && sb.last_type == 42 &&
	    sb.last_body_ok, "a message written one byte at a time is "
	    "dispatched once, whole");
	close(sv[0]);
	pump_until(&sb.closed, 200);
	tap_ok(sb.closed, "peer EOF closes the channel");
}

static void
test_bad_headers(void)
{
	struct sink sb;
	int sv[2];

	/* Closed channels are released by the loop, not by the test. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	sink_channel(sv[1], 0, &sb);
	raw_header(sv[0], 1, 0x7fffffff, 0);
	pump_until(&sb.closed, 200);
	tap_ok(sb.closed && sb.messages == 0, "an oversize length drops the "
	    "peer before reading the body");
	close(sv[0]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	sink_channel(sv[1], 0, &sb);
	if (write(sv[0], "\x01\x00\x00", 3) != 3)
		tap_diag("short write");
	close(sv[0]);
	pump_until(&sb.closed, 200);
	tap_ok(sb.closed && sb.messages == 0, "a truncated header then EOF: "
	    "closed, nothing dispatched");

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	sink_channel(sv[1], IPC_CHANNEL_ACCEPT_FDS, &sb);
	raw_header(sv[0], 7, 0, IPC_F_FD);
	pump_until(&sb.closed, 200);
	tap_ok(sb.closed && sb.messages == 0, "a header flagged with an fd "
	    "that never came drops the peer");
	close(sv[0]);
}

static void
test_fd_passing(void)
{
	struct ipc_channel *a, *b;
	struct sink sa, sb;
	int sv[2], pfd[2];
	char c = 0;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	a = sink_channel(sv[0], 0, &sa);
	b = sink_channel(sv[1], IPC_CHANNEL_ACCEPT_FDS, &sb);
	pipe(pfd);
	ipc_send(a, 300, 1, 0, pfd[1], "x", 0);	/* ownership passes */
	pump_until(&sb.messages, 200);
	tap_ok(sb.messages == 1 && sb.last_fd >= 0, "fd arrives with its "
	    "message on a channel that opted in");
	if (sb.last_fd >= 0) {
		tap_ok(write(sb.last_fd, "z", 1) == 1 &&
		    read(pfd[0], &c, 1) == 1 && c == 'z',
		    "received fd is the pipe that was sent");
		close(sb.last_fd);
		sb.last_fd = -1;
	} else
		tap_ok(0, "received fd is the pipe that was sent");
	close(pfd[0]);

	/* Mixed: fd, none, fd in a row keep their pairing. */
	{
		int p1[2], p2[2];
		char got = 0;

		pipe(p1);
		pipe(p2);
		ipc_send(a, 301, 1, 0, p1[1], NULL, 0);
		ipc_send(a, 302, 2, 0, -1, NULL, 0);
		ipc_send(a, 303, 3, 0, p2[1], NULL, 0);
		pump_until(&(int){0}, 100);
		tap_ok(sb.messages == 4 && sb.last_type == 303 &&
		    sb.last_fd >= 0 && write(sb.last_fd, "q", 1) == 1 &&
		    read(p2[0], &got, 1) == 1 && got == 'q',
		    "fds pair with the right messages in a burst");
		close(p1[0]);
		close(p2[0]);
	}
	ipc_channel_free(a);
	ipc_channel_free(b);

	/* An fd sent where none is accepted: closed, peer dropped. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	a = sink_channel(sv[0], 0, &sa);
	b = sink_channel(sv[1], 0, &sb);
	pipe(pfd);
	ipc_send(a, 304, 1, 0, pfd[0], NULL, 0);	/* send the read end */
	pump_until(&sb.closed, 300);
	tap_ok(sb.closed && sb.messages == 0, "fd on a channel that did not "
	    "opt in: the peer is dropped");
	pump_until(&sa.closed, 300);
	signal(SIGPIPE, SIG_IGN);
	tap_ok(write(pfd[1], "x", 1) == -1 && errno == EPIPE,
	    "and the fd it sent was closed (no reader is left)");
	close(pfd[1]);
}

/*
 * Replies queued in one dispatch leave coalesced, an fd riding with the
 * sendmsg that starts with the messages before its own (a blockd note
 * and an OPEN_IO reply).  Each flagged message must still get its own
 * fd, also when a big body ahead of it makes the send partial.
 */
struct fd_record {
	int	 messages;
	int	 fds[8];		/* by type - 330 */
	int	 unflagged_fds;
};

static int burst_pipes[3][2];
static int burst_big = 1;

static void
burst_dispatch(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	uint8_t *big;

	if (msg->fd != -1)
		close(msg->fd);
	if (msg->hdr.type != 330)
		return;
	big = body_pattern(IPC_BODY_MAX);
	ipc_send(ch, 331, 1, 0, -1, NULL, 0);
	ipc_send(ch, 332, 2, 0, burst_pipes[0][1], NULL, 0);
	ipc_send(ch, 333, 3, 0, -1, NULL, 0);
	ipc_send(ch, 334, 4, 0, burst_pipes[1][1], NULL, 0);
	ipc_send(ch, 335, 5, 0, -1, big, burst_big ? IPC_BODY_MAX : 8);
	ipc_send(ch, 336, 6, 0, burst_pipes[2][1], NULL, 0);
	ipc_send(ch, 337, 7, 0, -1, NULL, 0);
	free(big);
}

static void
record_dispatch(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct fd_record *r = arg;
	unsigned int slot = msg->hdr.type - 330;

	r->messages++;
	if (msg->fd == -1)
		return;
	if ((msg->hdr.flags & IPC_F_FD) && slot < 8 && r->fds[slot] == -1)
		r->fds[slot] = msg->fd;
	else {
		r->unflagged_fds++;
		close(msg->fd);
	}
}

/* The fd is the write end of pipe p: what goes in comes out of p[0]. */
static int
is_pipe_of(int fd, int p[2])
{
	char c = 0;

	return fd >= 0 && write(fd, "k", 1) == 1 && read(p[0], &c, 1) == 1 &&
	    c == 'k';
}

static void
test_fd_coalesced(void)
{
	struct ipc_channel *a, *b;
	struct fd_record rec;
	int sv[2], i, all = 0;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	memset(&rec, 0, sizeof(rec));
	for (i = 0; i < 8; i++)
		rec.fds[i] = -1;
	for (i = 0; i < 3; i++)
		pipe(burst_pipes[i]);
	a = ipc_channel_new(base, sv[0], IPC_CHANNEL_ACCEPT_FDS,
	    record_dispatch, NULL, &rec);
	b = ipc_channel_new(base, sv[1], 0, burst_dispatch, NULL, NULL);
	ipc_send(a, 330, 9, 0, -1, NULL, 0);
	for (i = 0; i < 50 && !all; i++) {
		pump_until(&(int){0}, 20);
		all = rec.messages == 7;
	}
	tap_ok(rec.messages == 7 && rec.unflagged_fds == 0,
	    "replies queued in one dispatch all arrive, no stray fds");
	tap_ok(rec.fds[1] == -1 && rec.fds[3] == -1 && rec.fds[5] == -1 &&
	    rec.fds[7] == -1, "messages without an fd get none");
	tap_ok(is_pipe_of(rec.fds[2], burst_pipes[0]) &&
	    is_pipe_of(rec.fds[4], burst_pipes[1]),
	    "fds sent after plain messages pair with their own messages");
	tap_ok(is_pipe_of(rec.fds[6], burst_pipes[2]),
	    "the fd sent after a big body (a partial send) pairs with its own");
	for (i = 0; i < 8; i++)
		if (rec.fds[i] != -1)
			close(rec.fds[i]);
	for (i = 0; i < 3; i++)
		close(burst_pipes[i][0]);
	ipc_channel_free(a);
	ipc_channel_free(b);

	/* The same burst, small, read with the blocking API. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	for (i = 0; i < 3; i++)
		pipe(burst_pipes[i]);
	burst_big = 0;
	b = ipc_channel_new(base, sv[1], 0, burst_dispatch, NULL, NULL);
	ipc_sync_send(sv[0], 330, 9, 0, -1, NULL, NULL);
	pump_until(&(int){0}, 50);
	all = 1;
	for (i = 1; i <= 7; i++) {
		struct ipc_sync_reply r;
		int want = i == 2 ? 0 : i == 4 ? 1 : i == 6 ? 2 : -1;

		if (ipc_sync_recv(sv[0], &r) == -1 ||
		    r.hdr.type != (uint32_t)(330 + i) ||
		    (want == -1 ? r.fd != -1 :
		    !is_pipe_of(r.fd, burst_pipes[want])))
			all = 0;
		ipc_sync_reply_free(&r);
	}
	tap_ok(all, "the blocking API pairs fds that came early too");
	for (i = 0; i < 3; i++)
		close(burst_pipes[i][0]);
	ipc_channel_free(b);
	close(sv[0]);
	burst_big = 1;
}

/* Server side: HELLO, role table, versions. */

static int handled;

static void
handler_echo(struct ipc_peer *peer, struct ipc_msg *msg)
{
	handled++;
	ipc_send(ipc_peer_channel(peer), 501, msg->hdr.id, IPC_F_REPLY, -1,
	    msg->body, msg->len);
}

static const struct ipc_handler test_handlers[] = {
	{ 500, IPC_ROLE_BIT(IPC_ROLE_NFSD), handler_echo },
	{ 510, IPC_ROLE_BIT(IPC_ROLE_STATED), handler_echo },
};

static struct ipc_server *
test_server(struct ipc_peer_policy *pol, size_t npol)
{
	return ipc_server_new(base, -1, IPC_ROLE_BLOCKD, "test-blockd",
	    test_handlers, 2, pol, npol, NULL);
}

/* A raw client on the other end of a socketpair, blocking. */
static int
raw_client(struct ipc_server *srv, int *adopted)
{
	int sv[2];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	*adopted = ipc_server_adopt(srv, sv[1]);
	return sv[0];
}

/* Send with the blocking helper, pump the server, read the reply. */
static int
exchange(int fd, uint32_t type, xdrproc_t proc, const void *obj,
    struct ipc_sync_reply *reply)
{
	int fl;

	if (ipc_sync_send(fd, type, 77, 0, -1, proc, obj) == -1)
		return -1;
	pump_until(&(int){0}, 50);
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	/* Peek: is anything there, or was the socket closed? */
	{
		char c;
		ssize_t n = recv(fd, &c, 1, MSG_PEEK);

		fcntl(fd, F_SETFL, fl);
		if (n <= 0) {
			errno = n == 0 ? ECONNRESET : errno;
			return -1;
		}
	}
	return ipc_sync_recv(fd, reply);
}

static int
peer_closed(int fd)
{
	char c;
	ssize_t n;

	pump_until(&(int){0}, 50);
	n = recv(fd, &c, 1, MSG_DONTWAIT);
	return n == 0 || (n == -1 && errno == ECONNRESET);
}

static void
test_server_roles(void)
{
	struct ipc_peer_policy pol[] = {
		{ IPC_ROLE_NFSD, 0, 0 },
		{ IPC_ROLE_STATED, 0, 0 },
	};
	struct ipc_server *srv;
	struct ipc_hello hello;
	struct ipc_hello_reply hr;
	struct ipc_sync_reply reply;
	struct ipc_error err;
	int fd, adopted;

	pol[0].uid = pol[1].uid = geteuid();
	srv = test_server(pol, 2);

	/* The server runs in this process: send, pump, then read. */
	fd = raw_client(srv, &adopted);
	tap_ok(adopted == 0, "a peer with an allowed uid is accepted");
	memset(&hello, 0, sizeof(hello));
	hello.role = IPC_ROLE_NFSD;
	hello.version_min = 1;
	hello.version_max = 5;
	hello.name = (char *)"t-nfsd";
	tap_ok(exchange(fd, IPC_HELLO, (xdrproc_t)xdr_ipc_hello, &hello,
	    &reply) == 0 && reply.hdr.type == IPC_HELLO_REPLY &&
	    reply.hdr.id == 77, "HELLO gets HELLO_REPLY with the request id");
	memset(&hr, 0, sizeof(hr));
	tap_ok(ipc_sync_decode(&reply, (xdrproc_t)xdr_ipc_hello_reply,
	    &hr) == 0 && hr.proto_version == IPC_PROTO_VERSION &&
	    hr.role == IPC_ROLE_BLOCKD, "the highest common version is "
	    "chosen (peer speaks 1-5, we speak %d)", IPC_PROTO_VERSION);
	xdr_free((xdrproc_t)xdr_ipc_hello_reply, &hr);
	ipc_sync_reply_free(&reply);
	TAP_EQ_INT(ipc_server_peer_count(srv), 1, "server counts its peers");

	handled = 0;
	tap_ok(exchange(fd, 500, NULL, NULL, &reply) == 0 &&
	    reply.hdr.type == 501 && handled == 1, "a type the role may send "
	    "reaches its handler");
	ipc_sync_reply_free(&reply);

	tap_ok(exchange(fd, 999, NULL, NULL, &reply) == 0 &&
	    reply.hdr.type == IPC_ERROR, "an unknown type gets IPC_ERROR");
	memset(&err, 0, sizeof(err));
	tap_ok(ipc_sync_decode(&reply, (xdrproc_t)xdr_ipc_error, &err) == 0 &&
	    err.code == ENOSYS, "with ENOSYS");
	xdr_free((xdrproc_t)xdr_ipc_error, &err);
	ipc_sync_reply_free(&reply);
	tap_ok(exchange(fd, IPC_PING, NULL, NULL, &reply) == 0 &&
	    reply.hdr.type == IPC_PONG, "and the peer stays connected");
	ipc_sync_reply_free(&reply);

	handled = 0;
	ipc_sync_send(fd, 510, 78, 0, -1, NULL, NULL);
	tap_ok(peer_closed(fd) && handled == 0, "a type the role may not "
	    "send disconnects the peer, unhandled");
	close(fd);

	/* Version mismatch. */
	fd = raw_client(srv, &adopted);
	hello.version_min = 90;
	hello.version_max = 99;
	tap_ok(exchange(fd, IPC_HELLO, (xdrproc_t)xdr_ipc_hello, &hello,
	    &reply) == 0 && reply.hdr.type == IPC_ERROR,
	    "HELLO with no common version gets IPC_ERROR");
	memset(&err, 0, sizeof(err));
	tap_ok(ipc_sync_decode(&reply, (xdrproc_t)xdr_ipc_error, &err) == 0 &&
	    err.code == EPROTONOSUPPORT && peer_closed(fd),
	    "EPROTONOSUPPORT, then disconnected");
	xdr_free((xdrproc_t)xdr_ipc_error, &err);
	ipc_sync_reply_free(&reply);
	close(fd);

	/* Version 2's bodies differ from 3's: a version-2 peer is refused. */
	fd = raw_client(srv, &adopted);
	hello.version_min = 2;
	hello.version_max = 2;
	memset(&err, 0, sizeof(err));
	tap_ok(exchange(fd, IPC_HELLO, (xdrproc_t)xdr_ipc_hello, &hello,
	    &reply) == 0 && reply.hdr.type == IPC_ERROR &&
	    ipc_sync_decode(&reply, (xdrproc_t)xdr_ipc_error, &err) == 0 &&
	    err.code == EPROTONOSUPPORT, "HELLO speaking version 2 alone is "
	    "refused (EPROTONOSUPPORT)");
	xdr_free((xdrproc_t)xdr_ipc_error, &err);
	ipc_sync_reply_free(&reply);
	close(fd);

	/* A role the socket does not serve. */
	fd = raw_client(srv, &adopted);
	hello.version_min = 1;
	hello.version_max = 1;
	hello.role = IPC_ROLE_SMBD;
	tap_ok(exchange(fd, IPC_HELLO, (xdrproc_t)xdr_ipc_hello, &hello,
	    &reply) == 0 && reply.hdr.type == IPC_ERROR && peer_closed(fd),
	    "HELLO as a role not in the policy is refused");
	ipc_sync_reply_free(&reply);
	close(fd);

	/* Anything before HELLO. */
	fd = raw_client(srv, &adopted);
	ipc_sync_send(fd, 500, 1, 0, -1, NULL, NULL);
	tap_ok(peer_closed(fd), "a message before HELLO drops the peer");
	close(fd);

	/* Garbage HELLO body. */
	fd = raw_client(srv, &adopted);
	{
		struct ipc_hdr h = { IPC_HELLO, 4, 1, 0, 0 };
		char junk[IPC_HDR_SIZE + 4];

		memcpy(junk, &h, sizeof(h));
		memcpy(junk + sizeof(h), "\xff\xff\xff\xff", 4);
		if (write(fd, junk, sizeof(junk)) != (ssize_t)sizeof(junk))
			tap_diag("short write");
	}
	tap_ok(peer_closed(fd), "a malformed HELLO drops the peer");
	close(fd);
	pump_until(&(int){0}, 50);
	ipc_server_free(srv);

	/* SO_PEERCRED: nobody's uid may connect. */
	pol[0].uid = pol[1].uid = geteuid() + 1;
	srv = test_server(pol, 2);
	fd = raw_client(srv, &adopted);
	tap_ok(adopted == -1 && peer_closed(fd), "a peer whose uid no role "
	    "has is refused at accept");
	close(fd);
	ipc_server_free(srv);
}

/* ipc_call matches replies by id; a dead channel fails the call. */
struct call_result {
	int	done;
	int	got_null;
	uint32_t type;
};

static void
call_reply(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct call_result *r = arg;

	r->done = 1;
	if (msg == NULL)
		r->got_null = 1;
	else
		r->type = msg->hdr.type;
}

static void
test_calls(void)
{
	struct ipc_peer_policy pol[] = { { IPC_ROLE_NFSD, 0, 0 } };
	struct ipc_server *srv;
	struct ipc_channel *ch;
	struct sink s;
	struct call_result r1 = { 0 }, r2 = { 0 };
	struct ipc_hello hello;
	int sv[2];

	pol[0].uid = geteuid();
	srv = test_server(pol, 1);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	ipc_server_adopt(srv, sv[1]);
	ch = sink_channel(sv[0], 0, &s);
	memset(&hello, 0, sizeof(hello));
	hello.role = IPC_ROLE_NFSD;
	hello.version_min = hello.version_max = IPC_PROTO_VERSION;
	hello.name = (char *)"caller";
	ipc_call(ch, IPC_HELLO, -1, (xdrproc_t)xdr_ipc_hello, &hello,
	    call_reply, &r1);
	ipc_call(ch, 500, -1, NULL, NULL, call_reply, &r2);
	pump_until(&r2.done, 300);
	tap_ok(r1.done && r1.type == IPC_HELLO_REPLY && r2.done &&
	    r2.type == 501 && s.messages == 0, "two calls, two replies "
	    "matched by id, none left to the dispatcher");
	r1.done = 0;
	ipc_call(ch, 510, -1, NULL, NULL, call_reply, &r1);
	pump_until(&r1.done, 300);
	tap_ok(r1.done && r1.got_null && s.closed, "a call on a channel that "
	    "dies is failed with no reply");
	ipc_server_free(srv);
}

/* The client dials until a server is there, and again after a loss. */
struct client_events {
	int	ready;
	int	lost;
};

static void
client_ready(struct ipc_client *cl, void *arg)
{
	((struct client_events *)arg)->ready++;
}

static void
client_lost(struct ipc_client *cl, void *arg)
{
	((struct client_events *)arg)->lost++;
}

static void
client_dispatch(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	if (msg->fd != -1)
		close(msg->fd);
}

static void
test_client_reconnect(void)
{
	struct ipc_peer_policy pol[] = { { IPC_ROLE_NFSD, 0, 0 } };
	struct client_events ev = { 0, 0 };
	char dir[] = "/tmp/test_ipc.XXXXXX", path[64];
	struct ipc_server *srv;
	struct ipc_client *cl;
	int lfd, two = 0;

	pol[0].uid = geteuid();
	mkdtemp(dir);
	snprintf(path, sizeof(path), "%s/blockd.sock", dir);
	cl = ipc_client_new(base, path, IPC_ROLE_NFSD, "t-nfsd", 0,
	    client_dispatch, &ev);
	ipc_client_set_callbacks(cl, client_ready, client_lost);
	ipc_client_set_backoff(cl, 10, 40);
	ipc_client_start(cl);
	pump_until(&(int){0}, 60);
	tap_ok(!ipc_client_ready(cl) && ev.ready == 0, "no server yet: the "
	    "client waits");

	lfd = ipc_listen_unix(path, 0600, (gid_t)-1);
	srv = ipc_server_new(base, lfd, IPC_ROLE_BLOCKD, "blockd", NULL, 0,
	    pol, 1, NULL);
	pump_until(&ev.ready, 1000);
	tap_ok(ev.ready == 1 && ipc_client_ready(cl), "the client connects "
	    "once the server listens");
	tap_ok(ipc_listen_unix(path, 0600, (gid_t)-1) == -1 &&
	    errno == EADDRINUSE, "a second listener on a live socket is "
	    "refused");

	ipc_server_free(srv);
	close(lfd);
	pump_until(&ev.lost, 1000);
	tap_ok(ev.lost == 1 && !ipc_client_ready(cl), "losing the server is "
	    "noticed");
	lfd = ipc_listen_unix(path, 0600, (gid_t)-1);
	tap_ok(lfd != -1, "a stale socket file is replaced");
	srv = ipc_server_new(base, lfd, IPC_ROLE_BLOCKD, "blockd", NULL, 0,
	    pol, 1, NULL);
	two = 0;
	while (!two && pump_until(&(int){0}, 20) == 0) {
		two = ev.ready == 2;
		if (ipc_client_connects(cl) >= 2)
			break;
	}
	pump_until(&two, 1000);
	tap_ok(ev.ready == 2 && ipc_client_connects(cl) == 2 &&
	    ipc_server_peer_count(srv) == 1, "the client reconnects and "
	    "says HELLO again");
	ipc_client_free(cl);
	pump_until(&(int){0}, 50);
	TAP_EQ_INT(ipc_server_peer_count(srv), 0, "freeing the client "
	    "closes its connection");
	ipc_server_free(srv);
	close(lfd);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	log_init("test_ipc", 1, LOG_LEVEL_ERR);
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	test_framing();
	test_cork();
	test_send_deferred();
	test_partial_reads();
	test_bad_headers();
	test_fd_passing();
	test_fd_coalesced();
	test_server_roles();
	test_calls();
	test_client_reconnect();
	event_base_free(base);
	return tap_done();
}
