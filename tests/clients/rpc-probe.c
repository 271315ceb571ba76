/*
 * rpc-probe: a raw ONC RPC client for dittofs-nfsd's error paths.  It
 * builds records byte by byte (no libtirpc), so it can send what a real
 * client never would, and prints one line naming what came back.
 *
 *   rpc-probe [-p port] [-P prog] [-V vers] [-s source-address]
 *       [-S source-port] [-u uid] [-x xid] TEST [ARG...]
 *
 * TEST: null, garbage, truncated, huge, badproc, badvers, badprog,
 * rpcvers, authbad, authflavor, mnt PATH, getattr HEXFH, stale HEXFH,
 * create HEXDIR NAME, remove HEXDIR NAME, rename HEXDIR NAME HEXDIR NAME,
 * link HEXFH HEXDIR NAME, dotdot HEXDIR.  The xid is 0x1234abcd unless -x gives one
 * (decimal or 0x hex): the same xid and arguments from the same address
 * and credential from the same address and port are a retransmission to
 * the server's duplicate request cache (-S binds the source port, and
 * the connection is reset at exit so that the port is free again at
 * once; -u sets the AUTH_UNIX uid and gid, 0 unless given).
 * Output: SUCCESS, GARBAGE_ARGS, PROC_UNAVAIL, PROG_UNAVAIL,
 * "PROG_MISMATCH low high", "RPC_MISMATCH low high", "AUTH_ERROR n",
 * "closed" (the server dropped the connection), a hex handle (mnt, and
 * dotdot: the handle READDIRPLUS gives "..", or "none"), or an NFS3
 * status name.  -P and -V aim null, badproc, rpcvers, authbad and
 * authflavor at another program (NFS v3 unless given), e.g. lockd's
 * NLM v4: -P 100021 -V 4.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpcbuf.h"

#define NFS_PROG	100003
#define MOUNT_PROG	100005

static int
dial(const char *src, int srcport, int port)
{
	struct sockaddr_in sin;
	struct linger lg = { 1, 0 };
	int fd, on = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
		perror("socket");
		exit(2);
	}
	if (srcport != 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)) == -1 || setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg,
	    sizeof(lg)) == -1)) {
		perror("setsockopt");
		exit(2);
	}
	if (src != NULL || srcport != 0) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)srcport);
		if (src != NULL)
			inet_pton(AF_INET, src, &sin.sin_addr);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
			perror("bind");
			exit(2);
		}
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("connect");
		exit(2);
	}
	return fd;
}

static uint32_t probe_xid = 0x1234abcd;
static uint32_t probe_uid;

/* Call header; cred: 0 AUTH_NULL, 1 AUTH_UNIX root, 2 bad AUTH_UNIX. */
static void
call_header(struct buf *b, uint32_t rpcvers, uint32_t prog, uint32_t vers,
    uint32_t proc, int cred)
{
	b->n = 4;		/* record mark, filled when sent */
	put32(b, probe_xid);
	put32(b, 0);		/* CALL */
	put32(b, rpcvers);
	put32(b, prog);
	put32(b, vers);
	put32(b, proc);
	if (cred == 0) {
		put32(b, 0);
		put32(b, 0);
	} else if (cred == 3) {
		put32(b, 6);	/* RPCSEC_GSS: not ours */
		put32(b, 0);
	} else {
		struct buf a = { .n = 0 };

		put32(&a, 0);		/* stamp */
		putopaque(&a, "probe", 5);
		put32(&a, probe_uid);	/* uid */
		put32(&a, probe_uid);	/* gid */
		if (cred == 2) {
			put32(&a, 16);	/* 16 gids announced, one present */
			put32(&a, probe_uid);
		} else {
			put32(&a, 1);
			put32(&a, probe_uid);
		}
		put32(b, 1);
		putopaque(b, a.b, (uint32_t)a.n);
	}
	put32(b, 0);		/* verifier AUTH_NULL */
	put32(b, 0);
}

static void
send_record(int fd, struct buf *b)
{
	uint32_t mark = 0x80000000u | (uint32_t)(b->n - 4);

	b->b[0] = (uint8_t)(mark >> 24);
	b->b[1] = (uint8_t)(mark >> 16);
	b->b[2] = (uint8_t)(mark >> 8);
	b->b[3] = (uint8_t)mark;
	if (write(fd, b->b, b->n) != (ssize_t)b->n) {
		perror("write");
		exit(2);
	}
}

static int
read_full(int fd, uint8_t *p, size_t n)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t got;

	while (n > 0) {
		if (poll(&pfd, 1, 30000) != 1)
			return -1;
		got = read(fd, p, n);
		if (got <= 0)
			return -1;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* The reply body after the accept status, or NULL with a line printed. */
static uint8_t *
recv_reply(int fd, size_t *len)
{
	static uint8_t rec[1 << 20];
	uint8_t hdr[4];
	uint32_t n, stat;

	if (read_full(fd, hdr, 4) == -1) {
		printf("closed\n");
		return NULL;
	}
	n = get32(hdr) & 0x7fffffff;
	if (n > sizeof(rec) || n < 12 || read_full(fd, rec, n) == -1) {
		printf("bad reply\n");
		return NULL;
	}
	if (get32(rec + 8) == 1) {		/* MSG_DENIED */
		stat = get32(rec + 12);
		if (stat == 0)
			printf("RPC_MISMATCH %u %u\n", get32(rec + 16),
			    get32(rec + 20));
		else
			printf("AUTH_ERROR %u\n", get32(rec + 16));
		return NULL;
	}
	stat = get32(rec + 20);
	switch (stat) {
	case 0:
		*len = n - 24;
		return rec + 24;
	case 1:
		printf("PROG_UNAVAIL\n");
		break;
	case 2:
		printf("PROG_MISMATCH %u %u\n", get32(rec + 24),
		    get32(rec + 28));
		break;
	case 3:
		printf("PROC_UNAVAIL\n");
		break;
	case 4:
		printf("GARBAGE_ARGS\n");
		break;
	default:
		printf("accept_stat %u\n", stat);
	}
	return NULL;
}

static const char *
nfs3_name(uint32_t s)
{
	static char other[32];

	switch (s) {
	case 0: return "NFS3_OK";
	case 1: return "NFS3ERR_PERM";
	case 2: return "NFS3ERR_NOENT";
	case 13: return "NFS3ERR_ACCES";
	case 17: return "NFS3ERR_EXIST";
	case 18: return "NFS3ERR_XDEV";
	case 20: return "NFS3ERR_NOTDIR";
	case 22: return "NFS3ERR_INVAL";
	case 30: return "NFS3ERR_ROFS";
	case 63: return "NFS3ERR_NAMETOOLONG";
	case 70: return "NFS3ERR_STALE";
	case 10001: return "NFS3ERR_BADHANDLE";
	case 10006: return "NFS3ERR_SERVERFAULT";
	case 10008: return "NFS3ERR_JUKEBOX";
	}
	snprintf(other, sizeof(other), "NFS3 status %u", s);
	return other;
}

/* In a READDIRPLUS reply, the handle of "..", printed in hex. */
static void
print_dotdot(const uint8_t *p, size_t len)
{
	size_t off = 4, n, i;
	uint32_t namelen;

#define NEED(k)	do { if (off + (k) > len) goto bad; } while (0)
	NEED(4);
	if (get32(p) != 0) {
		printf("%s\n", nfs3_name(get32(p)));
		return;
	}
	NEED(4);
	off += 4 + (get32(p + off) ? 84 : 0);	/* the directory's attrs */
	off += 8;				/* cookie verifier */
	for (;;) {
		NEED(4);
		if (get32(p + off) == 0)
			break;
		off += 4 + 8;			/* value follows, fileid */
		NEED(4);
		namelen = get32(p + off);
		off += 4;
		NEED(((size_t)namelen + 3) & ~(size_t)3);
		n = off;
		off += ((size_t)namelen + 3) & ~(size_t)3;
		off += 8;			/* cookie */
		NEED(4);
		off += 4 + (get32(p + off) ? 84 : 0);
		NEED(4);
		if (namelen == 2 && memcmp(p + n, "..", 2) == 0) {
			if (get32(p + off) == 0) {
				printf("none\n");
				return;
			}
			NEED(8);
			namelen = get32(p + off + 4);
			NEED(8 + (size_t)namelen);
			for (i = 0; i < namelen; i++)
				printf("%02x", p[off + 8 + i]);
			printf("\n");
			return;
		}
		off += 4;
		if (get32(p + off - 4)) {
			NEED(4);
			off += 4 + ((get32(p + off) + 3) & ~(size_t)3);
		}
	}
	printf("no ..\n");
	return;
bad:
	printf("bad reply\n");
#undef NEED
}

static int
usage(void)
{
	fprintf(stderr, "usage: rpc-probe [-p port] [-P prog] [-V vers] "
	    "[-s src] [-S srcport] [-u uid] [-x xid] TEST "
	    "[ARG...]\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	struct buf b;
	uint8_t fh[128], fh2[128], *rep;
	size_t fhlen, fh2len, len, i;
	const char *src = NULL, *test;
	uint32_t prog = NFS_PROG, vers = 3;
	int port = 2049, srcport = 0, ch, fd;

	while ((ch = getopt(argc, argv, "p:P:s:S:u:V:x:")) != -1) {
		switch (ch) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'P':
			prog = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'V':
			vers = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 's':
			src = optarg;
			break;
		case 'S':
			srcport = atoi(optarg);
			break;
		case 'u':
			probe_uid = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'x':
			probe_xid = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		default:
			return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage();
	test = argv[0];
	fd = dial(src, srcport, port);

	if (strcmp(test, "huge") == 0) {
		/* A 4 GiB record: the server must drop us, not allocate. */
		uint8_t mark[4] = { 0xff, 0xff, 0xff, 0xff };

		if (write(fd, mark, 4) != 4)
			return 2;
		if (recv_reply(fd, &len) != NULL)
			printf("answered\n");
		return 0;
	}
	if (strcmp(test, "truncated") == 0) {
		/* 100 bytes announced, 20 sent, then end of stream. */
		call_header(&b, 2, NFS_PROG, 3, 0, 0);
		b.b[0] = 0x80;
		b.b[1] = 0;
		b.b[2] = 0;
		b.b[3] = 100;
		if (write(fd, b.b, 24) != 24)
			return 2;
		shutdown(fd, SHUT_WR);
		if (recv_reply(fd, &len) != NULL)
			printf("answered\n");
		return 0;
	}
	if (strcmp(test, "null") == 0)
		call_header(&b, 2, prog, vers, 0, 1);
	else if (strcmp(test, "garbage") == 0) {
		call_header(&b, 2, NFS_PROG, 3, 1, 1);	/* GETATTR */
		put32(&b, 0xfffffff0);	/* a handle "of 4 GiB" */
		put32(&b, 0);
	} else if (strcmp(test, "badproc") == 0)
		call_header(&b, 2, prog, vers, 99, 1);
	else if (strcmp(test, "badvers") == 0)
		call_header(&b, 2, NFS_PROG, 2, 0, 1);
	else if (strcmp(test, "badprog") == 0)
		call_header(&b, 2, 100099, 1, 0, 1);
	else if (strcmp(test, "rpcvers") == 0)
		call_header(&b, 3, prog, vers, 0, 1);
	else if (strcmp(test, "authbad") == 0)
		call_header(&b, 2, prog, vers, 0, 2);
	else if (strcmp(test, "authflavor") == 0)
		call_header(&b, 2, prog, vers, 0, 3);
	else if (strcmp(test, "mnt") == 0 && argc == 2) {
		call_header(&b, 2, MOUNT_PROG, 3, 1, 1);
		putopaque(&b, argv[1], (uint32_t)strlen(argv[1]));
	} else if ((strcmp(test, "getattr") == 0 ||
	    strcmp(test, "stale") == 0) && argc == 2) {
		fhlen = unhex(argv[1], fh, sizeof(fh));
		if (strcmp(test, "stale") == 0 && fhlen > 0)
			fh[fhlen - 1] ^= 0x5a;	/* break the MAC */
		call_header(&b, 2, NFS_PROG, 3, 1, 1);
		putopaque(&b, fh, (uint32_t)fhlen);
	} else if (strcmp(test, "create") == 0 && argc == 3) {
		fhlen = unhex(argv[1], fh, sizeof(fh));
		call_header(&b, 2, NFS_PROG, 3, 8, 1);
		putopaque(&b, fh, (uint32_t)fhlen);
		putopaque(&b, argv[2], (uint32_t)strlen(argv[2]));
		put32(&b, 0);		/* UNCHECKED */
		for (i = 0; i < 6; i++)
			put32(&b, 0);	/* empty sattr3 */
	} else if (strcmp(test, "remove") == 0 && argc == 3) {
		fhlen = unhex(argv[1], fh, sizeof(fh));
		call_header(&b, 2, NFS_PROG, 3, 12, 1);
		putopaque(&b, fh, (uint32_t)fhlen);
		putopaque(&b, argv[2], (uint32_t)strlen(argv[2]));
	} else if (strcmp(test, "dotdot") == 0 && argc == 2) {
		fhlen = unhex(argv[1], fh, sizeof(fh));
		call_header(&b, 2, NFS_PROG, 3, 17, 1);	/* READDIRPLUS */
		putopaque(&b, fh, (uint32_t)fhlen);
		for (i = 0; i < 4; i++)
			put32(&b, 0);	/* cookie 0, verifier 0 */
		put32(&b, 4096);	/* dircount */
		put32(&b, 32768);	/* maxcount */
	} else if (strcmp(test, "rename") == 0 && argc == 5) {
		fhlen = unhex(argv[1], fh, sizeof(fh));
		fh2len = unhex(argv[3], fh2, sizeof(fh2));
		call_header(&b, 2, NFS_PROG, 3, 14, 1);
		putopaque(&b, fh, (uint32_t)fhlen);
		putopaque(&b, argv[2], (uint32_t)strlen(argv[2]));
		putopaque(&b, fh2, (uint32_t)fh2len);
		putopaque(&b, argv[4], (uint32_t)strlen(argv[4]));
	} else
		return usage();
	send_record(fd, &b);
	if ((rep = recv_reply(fd, &len)) == NULL)
		return 0;
	if (strcmp(test, "mnt") == 0) {
		if (len < 8 || get32(rep) != 0) {
			printf("MNT3ERR %u\n", len >= 4 ? get32(rep) : 0);
			return 0;
		}
		fhlen = get32(rep + 4);
		for (i = 0; i < fhlen && 8 + i < len; i++)
			printf("%02x", rep[8 + i]);
		printf("\n");
		return 0;
	}
	if (strcmp(test, "dotdot") == 0) {
		print_dotdot(rep, len);
		return 0;
	}
	if (strcmp(test, "null") == 0 || strcmp(test, "badvers") == 0 ||
	    len < 4) {
		printf("SUCCESS\n");
		return 0;
	}
	printf("%s\n", nfs3_name(get32(rep)));
	return 0;
}
