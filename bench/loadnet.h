/*
 * loadnet.h: the TCP side that bench/nfs4load.c and bench/smbload.c
 * share: connecting, one read into a growing buffer, and writing out
 * what is queued without blocking for long.  Header-only, as loadgen.h,
 * so that bench/compare can still build either tool from its .c file.
 */
#ifndef BENCH_LOADNET_H
#define BENCH_LOADNET_H

#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loadgen.h"

/* A TCP connection to host:port with Nagle off, or a hard failure. */
static int
loadnet_connect(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, one = 1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		loadgen_fatalx("%s: %s", host, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		loadgen_fatalx("connect %s port %s: %s", host, port,
		    strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/*
 * Read what the socket has onto the end of *buf (*len bytes used of
 * *cap, grown as needed); after a short read it returns, so that a
 * blocking socket waits only for what poll said was there.  0, or -1
 * on EOF or an error.
 */
static int
loadnet_read(int fd, unsigned char **buf, size_t *len, size_t *cap)
{
	ssize_t n;

	for (;;) {
		if (*cap - *len < 65536) {
			size_t ncap = *cap ? *cap * 2 : 1u << 20;
			unsigned char *p = realloc(*buf, ncap);

			if (p == NULL)
				loadgen_fatalx("out of memory");
			*buf = p;
			*cap = ncap;
		}
		n = read(fd, *buf + *len, *cap - *len);
		if (n > 0) {
			*len += (size_t)n;
			if ((size_t)n < 65536)
				return 0;
			continue;
		}
		if (n == 0)
			return -1;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return -1;
	}
}

/*
 * Write p[*sent..len) until it is all gone or the socket would block;
 * 0, or -1 on an error.
 */
static int
loadnet_flush(int fd, const unsigned char *p, size_t len, size_t *sent)
{
	ssize_t n;

	while (*sent < len) {
		n = write(fd, p + *sent, len - *sent);
		if (n > 0) {
			*sent += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1;
	}
	return 0;
}

#endif /* BENCH_LOADNET_H */
