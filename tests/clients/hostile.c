/*
 * hostile: many TCP connections that misbehave, for the connection limit
 * and soak tests (tests/integration/test_soak.sh).  One process, one
 * poll loop, every socket non-blocking.
 *
 *   hostile [-p port] [-s src[,src...]] [-n conns] [-t seconds]
 *       [-f hexfh] [-c count] [-k calls] [-u udp-port] [-r] KIND
 *   hostile -p port mkfile HEXDIR NAME SIZE
 *
 * KIND is what every connection does once connected:
 *   idle     nothing
 *   half     a record mark announcing 1000 bytes, then 10 of them
 *   garbage  64 random bytes
 *   null     -k NULL calls (-P/-V: program and version), replies unread
 *   read     -k NFSv3 READs of -c bytes of handle -f, replies unread
 *   mix      by connection number: 4 in 10 idle, 1 half, 1 garbage,
 *            2 null, 2 read (null without -f)
 * The connections go out round-robin from the -s source addresses.
 * With -r a connection the server closes is dialled again (after 0.5 s).
 * With -u the MOUNT port gets DUMP calls over UDP from every source, one
 * per 10 ms, and their replies are counted.
 * After -t seconds it prints one line:
 *   opened O closed C open N udp-sent S udp-replies R udp-bytes B
 * closed counts the connections the server closed (end of stream,
 * reset); open those still open at the end.
 *
 * mkfile makes a file of SIZE bytes (sparse: CREATE with a size) in the
 * directory and prints its handle in hex, or "NFS3ERR n".
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rpcbuf.h"

#define NFS_PROG	100003
#define MOUNT_PROG	100005
#define SRC_MAX		16

enum kind { K_IDLE, K_HALF, K_GARBAGE, K_NULL, K_READ, K_MIX };

struct conn {
	int		 fd;
	enum kind	 kind;
	int		 src;
	int		 connected;
	const struct buf *rec;		/* what it sends */
	long		 left;		/* records still to send */
	size_t		 off;		/* in the current one */
	double		 redial_at;	/* closed: when to dial again */
};

static struct sockaddr_in srcs[SRC_MAX];
static int nsrcs;
static int port = 2049;
static uint32_t prog = NFS_PROG, vers = 3;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A call with AUTH_UNIX root; with mark, room for the record mark. */
static void
call(struct buf *b, int mark, uint32_t xid, uint32_t p, uint32_t v,
    uint32_t proc)
{
	struct buf a = { .n = 0 };

	b->n = mark ? 4 : 0;
	put32(b, xid);
	put32(b, 0);
	put32(b, 2);
	put32(b, p);
	put32(b, v);
	put32(b, proc);
	put32(&a, 0);
	putopaque(&a, "hostile", 7);
	put32(&a, 0);
	put32(&a, 0);
	put32(&a, 0);
	put32(b, 1);
	putopaque(b, a.b, (uint32_t)a.n);
	put32(b, 0);
	put32(b, 0);
}

static void
mark(struct buf *b)
{
	uint32_t m = 0x80000000u | (uint32_t)(b->n - 4);

	b->b[0] = (uint8_t)(m >> 24);
	b->b[1] = (uint8_t)(m >> 16);
	b->b[2] = (uint8_t)(m >> 8);
	b->b[3] = (uint8_t)m;
}

static int
dial(int src, int nonblock)
{
	struct sockaddr_in sin;
	int fd, small = 4096;

	fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0) |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	/* A small receive buffer: unread replies back up at the server. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (nsrcs > 0 && bind(fd, (struct sockaddr *)&srcs[src % nsrcs],
	    sizeof(srcs[0])) == -1) {
		close(fd);
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* mkfile HEXDIR NAME SIZE: blocking, one call. */
static int
mkfile(const char *hexdir, const char *name, unsigned long long size)
{
	struct buf b;
	uint8_t fh[64], rep[4096], hdr[4];
	size_t fhlen = unhex(hexdir, fh, sizeof(fh)), got = 0;
	uint32_t n, off, len, i;
	ssize_t r;
	int fd;

	if ((fd = dial(0, 0)) == -1) {
		perror("connect");
		return 2;
	}
	call(&b, 1, 0x6d6b0001, NFS_PROG, 3, 8);	/* CREATE */
	putopaque(&b, fh, (uint32_t)fhlen);
	putopaque(&b, name, (uint32_t)strlen(name));
	put32(&b, 0);				/* UNCHECKED */
	put32(&b, 0);				/* mode, uid, gid: no */
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, 1);				/* size */
	put32(&b, (uint32_t)(size >> 32));
	put32(&b, (uint32_t)size);
	put32(&b, 0);				/* atime, mtime: no */
	put32(&b, 0);
	mark(&b);
	if (write(fd, b.b, b.n) != (ssize_t)b.n)
		return 2;
	while (got < 4 && (r = read(fd, hdr + got, 4 - got)) > 0)
		got += (size_t)r;
	n = get32(hdr) & 0x7fffffff;
	if (got < 4 || n > sizeof(rep))
		return 2;
	for (got = 0; got < n && (r = read(fd, rep + got, n - got)) > 0;)
		got += (size_t)r;
	if (got < n || n < 36)
		return 2;
	off = 24;
	if (get32(rep + off) != 0) {
		printf("NFS3ERR %u\n", get32(rep + off));
		return 0;
	}
	if (get32(rep + off + 4) != 1 || off + 12 > n)
		return 2;
	len = get32(rep + off + 8);
	for (i = 0; i < len && off + 12 + i < n; i++)
		printf("%02x", rep[off + 12 + i]);
	printf("\n");
	return 0;
}

static struct buf rec_null, rec_read, rec_half, rec_garbage, rec_dump;

static void
conn_start(struct conn *c)
{
	c->off = 0;
	c->connected = 0;
	switch (c->kind) {
	case K_HALF:
		c->rec = &rec_half;
		c->left = 1;
		break;
	case K_GARBAGE:
		c->rec = &rec_garbage;
		c->left = 1;
		break;
	case K_NULL:
	case K_READ:
		c->rec = c->kind == K_READ && rec_read.n > 0 ? &rec_read :
		    &rec_null;
		break;
	default:
		c->rec = NULL;
		c->left = 0;
	}
}

static int
usage(void)
{
	fprintf(stderr, "usage: hostile [-p port] [-s src,...] [-n conns] "
	    "[-t seconds] [-f hexfh] [-c count] [-k calls] [-u udp-port] "
	    "[-P prog] [-V vers] [-r] idle|half|garbage|null|read|mix\n"
	    "       hostile -p port mkfile HEXDIR NAME SIZE\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	struct conn *conns;
	struct pollfd *pfd;
	struct sockaddr_in to;
	enum kind kind;
	uint8_t fh[64], junk[65536];
	size_t fhlen = 0, i;
	char *s, *tok;
	long calls = 1000;
	unsigned long count = 1024 * 1024;
	double seconds = 10, end, t, next_udp = 0;
	int n = 10, redial = 0, udp_port = 0, *udp = NULL, ch;
	unsigned long long opened = 0, closed = 0, open_now = 0;
	unsigned long long udp_sent = 0, udp_replies = 0, udp_bytes = 0;
	uint32_t xid = 1;

	while ((ch = getopt(argc, argv, "c:f:k:n:p:P:rs:t:u:V:")) != -1) {
		switch (ch) {
		case 'c':
			count = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			fhlen = unhex(optarg, fh, sizeof(fh));
			break;
		case 'k':
			calls = atol(optarg);
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'P':
			prog = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			redial = 1;
			break;
		case 's':
			for (s = optarg; (tok = strsep(&s, ",")) != NULL &&
			    nsrcs < SRC_MAX; nsrcs++) {
				srcs[nsrcs].sin_family = AF_INET;
				if (inet_pton(AF_INET, tok,
				    &srcs[nsrcs].sin_addr) != 1)
					return usage();
			}
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'u':
			udp_port = atoi(optarg);
			break;
		case 'V':
			vers = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		default:
			return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 4 && strcmp(argv[0], "mkfile") == 0)
		return mkfile(argv[1], argv[2], strtoull(argv[3], NULL, 0));
	if (argc != 1)
		return usage();
	if (strcmp(argv[0], "idle") == 0)
		kind = K_IDLE;
	else if (strcmp(argv[0], "half") == 0)
		kind = K_HALF;
	else if (strcmp(argv[0], "garbage") == 0)
		kind = K_GARBAGE;
	else if (strcmp(argv[0], "null") == 0)
		kind = K_NULL;
	else if (strcmp(argv[0], "read") == 0)
		kind = K_READ;
	else if (strcmp(argv[0], "mix") == 0)
		kind = K_MIX;
	else
		return usage();
	srandom((unsigned int)getpid());
	/* Writes to connections the server closed must not end us. */
	signal(SIGPIPE, SIG_IGN);

	/* The records, built once; the xid does not matter to anyone. */
	call(&rec_null, 1, 0x0000beef, prog, vers, 0);
	mark(&rec_null);
	if (fhlen > 0) {
		call(&rec_read, 1, 0x0000cafe, NFS_PROG, 3, 6);
		putopaque(&rec_read, fh, (uint32_t)fhlen);
		put32(&rec_read, 0);
		put32(&rec_read, 0);
		put32(&rec_read, (uint32_t)count);
		mark(&rec_read);
	}
	put32(&rec_half, 0x80000000u | 1000);
	memcpy(rec_half.b + 4, "0123456789", 10);
	rec_half.n = 14;
	for (i = 0; i < 64; i++)
		rec_garbage.b[i] = (uint8_t)random();
	rec_garbage.n = 64;
	call(&rec_dump, 0, 0, MOUNT_PROG, 3, 2);

	if ((conns = calloc((size_t)n, sizeof(*conns))) == NULL ||
	    (pfd = calloc((size_t)n + SRC_MAX, sizeof(*pfd))) == NULL)
		return 2;
	for (i = 0; i < (size_t)n; i++) {
		static const enum kind mix[10] = { K_IDLE, K_IDLE, K_IDLE,
		    K_IDLE, K_HALF, K_GARBAGE, K_NULL, K_NULL, K_READ,
		    K_READ };

		conns[i].kind = kind == K_MIX ? mix[i % 10] : kind;
		conns[i].src = (int)i;
		conns[i].fd = -1;
		conns[i].redial_at = 0;
	}
	if (udp_port > 0) {
		int nu = nsrcs > 0 ? nsrcs : 1;

		udp = calloc((size_t)nu, sizeof(*udp));
		for (i = 0; i < (size_t)nu; i++) {
			udp[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
			if (nsrcs > 0)
				bind(udp[i], (struct sockaddr *)&srcs[i],
				    sizeof(srcs[i]));
		}
		memset(&to, 0, sizeof(to));
		to.sin_family = AF_INET;
		to.sin_port = htons((uint16_t)udp_port);
		to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}

	end = now() + seconds;
	while ((t = now()) < end) {
		int np = 0, nu = udp != NULL ? (nsrcs > 0 ? nsrcs : 1) : 0;

		for (i = 0; i < (size_t)n; i++) {
			struct conn *c = &conns[i];

			if (c->fd == -1 && c->redial_at >= 0 &&
			    t >= c->redial_at) {
				if ((c->fd = dial(c->src, 1)) != -1) {
					opened++;
					conn_start(c);
					if (c->kind == K_NULL ||
					    c->kind == K_READ)
						c->left = calls;
				} else
					c->redial_at = t + 0.2;
			}
			pfd[i].fd = c->fd;
			pfd[i].events = POLLRDHUP;
			if (c->fd != -1 && (!c->connected ||
			    (c->rec != NULL && c->left > 0)))
				pfd[i].events |= POLLOUT;
			pfd[i].revents = 0;
		}
		np = n;
		for (i = 0; i < (size_t)nu; i++) {
			pfd[np + i].fd = udp[i];
			pfd[np + i].events = POLLIN;
			pfd[np + i].revents = 0;
		}
		if (poll(pfd, (nfds_t)(np + nu), 10) == -1 && errno != EINTR)
			return 2;
		t = now();
		for (i = 0; i < (size_t)n; i++) {
			struct conn *c = &conns[i];
			ssize_t w;

			if (c->fd == -1 || pfd[i].revents == 0)
				continue;
			if (pfd[i].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
				/* Closed by the server (or refused). */
				close(c->fd);
				c->fd = -1;
				closed++;
				c->redial_at = redial ? t + 0.5 : -1;
				continue;
			}
			if (pfd[i].revents & POLLOUT) {
				c->connected = 1;
				while (c->rec != NULL && c->left > 0) {
					w = write(c->fd, c->rec->b + c->off,
					    c->rec->n - c->off);
					if (w <= 0)
						break;
					c->off += (size_t)w;
					if (c->off == c->rec->n) {
						c->off = 0;
						c->left--;
					}
				}
			}
		}
		for (i = 0; i < (size_t)nu; i++) {
			ssize_t r;

			while ((r = recv(udp[i], junk, sizeof(junk), 0)) > 0) {
				udp_replies++;
				udp_bytes += (unsigned long long)r;
			}
		}
		if (nu > 0 && t >= next_udp) {
			for (i = 0; i < (size_t)nu; i++) {
				rec_dump.b[0] = (uint8_t)(xid >> 24);
				rec_dump.b[1] = (uint8_t)(xid >> 16);
				rec_dump.b[2] = (uint8_t)(xid >> 8);
				rec_dump.b[3] = (uint8_t)xid;
				xid++;
				if (sendto(udp[i], rec_dump.b, rec_dump.n, 0,
				    (struct sockaddr *)&to, sizeof(to)) > 0)
					udp_sent++;
			}
			next_udp = t + 0.01;
		}
	}
	for (i = 0; i < (size_t)n; i++)
		if (conns[i].fd != -1)
			open_now++;
	printf("opened %llu closed %llu open %llu udp-sent %llu "
	    "udp-replies %llu udp-bytes %llu\n", opened, closed, open_now,
	    udp_sent, udp_replies, udp_bytes);
	return 0;
}
