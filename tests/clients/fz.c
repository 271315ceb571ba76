/* A front end gone bad: see fz.h. */
#define _GNU_SOURCE
#include <sys/socket.h>

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fz.h"
#include "ipc.h"

struct fz_stats {
	unsigned long	 answered, done;	/* done: status 0 */
	unsigned long	 damaged, unanswered_types, dropped;
	unsigned long	 unanswered, wrongdrop;	/* failures */
};

void
fz_seed(struct fz *z, const char *seed)
{
	memset(z, 0, sizeof(*z));
	xdrbuf_out_init(&z->out);
	z->rng = strtoull(seed, NULL, 0) * 2 + 1;
}

uint32_t
fz_rand(struct fz *z)
{
	/* xorshift64* */
	z->rng ^= z->rng >> 12;
	z->rng ^= z->rng << 25;
	z->rng ^= z->rng >> 27;
	return (uint32_t)((z->rng * 2685821657736338717ULL) >> 32);
}

uint32_t
fz_edge(struct fz *z)
{
	static const uint32_t edge[] = { 0, 1, 2, 3, 7, 64, 65, 255, 256,
	    4095, 4096, 65536, 1u << 20, 0x7fffffff, 0x80000000, 0xffffffff };

	return edge[fz_rand(z) % (sizeof(edge) / sizeof(edge[0]))];
}

/*
 * The fields every daemon's layouts have: U a small number (a flag word,
 * a type), B an XDR bool, H a 64-bit offset, length or cursor; each now
 * and then an edge value instead.  0 for a letter that is not one.
 */
int
fz_field(struct fz *z, char f)
{
	struct xdrbuf_out *o = &z->out;

	switch (f) {
	case 'U':
		xdrbuf_put_u32(o, fz_rand(z) % 2 ? fz_rand(z) % 8 :
		    fz_edge(z));
		return 1;
	case 'B':
		xdrbuf_put_u32(o, fz_rand(z) % 8 ? fz_rand(z) % 2 :
		    fz_edge(z));
		return 1;
	case 'H':
		xdrbuf_put_u32(o, fz_rand(z) % 4 ? 0 : fz_edge(z));
		xdrbuf_put_u32(o, fz_rand(z) % 2 ? fz_rand(z) % 4096 :
		    fz_edge(z));
		return 1;
	}
	return 0;
}

static void
fz_damage(struct fz *z)
{
	struct xdrbuf_out *o = &z->out;
	unsigned int k, hits = 1 + fz_rand(z) % 4;
	size_t at, len;
	uint8_t *p;

	while (hits-- > 0) {
		k = fz_rand(z) % 10;
		if (k < 4 && o->len > 0) {
			at = fz_rand(z) % o->len;
			o->buf[at] ^= (uint8_t)(1u << (fz_rand(z) % 8));
		} else if (k < 7 && o->len >= 4) {
			at = (fz_rand(z) % (o->len / 4)) * 4;
			xdrbuf_put_u32_at(o, at, fz_edge(z));
		} else if (k < 8) {
			o->len = o->len > 0 ? fz_rand(z) % o->len : 0;
		} else {
			/* Noise added on, or in place of the body. */
			if (k == 9)
				o->len = 0;
			len = fz_rand(z) % (k == 9 ? 200 : 64);
			if ((p = xdrbuf_reserve(o, len)) != NULL)
				for (at = 0; at < len; at++)
					p[at] = (uint8_t)fz_rand(z);
		}
	}
}

/* A raw frame: the IPC header, z's body, an fd if fd != -1. */
static int
fz_send(int sock, uint32_t type, uint32_t id, uint16_t flags, int fd,
    const struct fz *z)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct ipc_hdr hdr;
	struct iovec iov[2];
	struct msghdr mh;
	struct cmsghdr *c;
	ssize_t n;

	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = (uint32_t)z->out.len;
	hdr.id = id;
	hdr.flags = flags;
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = z->out.buf;
	iov[1].iov_len = z->out.len;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = z->out.len > 0 ? 2 : 1;
	if (fd != -1) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	return n == (ssize_t)(sizeof(hdr) + z->out.len) ? 0 : -1;
}

/*
 * The answer to request id, skipping what the daemon sends unasked: 1
 * answered, 0 the connection is gone, -1 a wrong id, or nothing in 30 s.
 */
static int
fz_answer(int sock, uint32_t id, uint32_t reply, uint32_t *type,
    int *status)
{
	struct ipc_sync_reply r;
	struct ipc_hdr hdr;
	struct pollfd p;

	for (;;) {
		p.fd = sock;
		p.events = POLLIN;
		if (poll(&p, 1, 30000) != 1)
			return -1;
		if (ipc_sync_recv(sock, &r) == -1)
			return 0;
		if (r.fd != -1)
			close(r.fd);
		hdr = r.hdr;
		*type = hdr.type;
		*status = -1;
		if (hdr.type == reply && hdr.len >= 4)
			*status = (int)xdrbuf_peek_u32(r.body);
		ipc_sync_reply_free(&r);
		if (!(hdr.flags & IPC_F_REPLY))
			continue;		/* a notification */
		return hdr.id == id ? 1 : -1;
	}
}

int
fz_connect(const char *path)
{
	struct ipc_hello_reply hr;
	int sock;

	if ((sock = ipc_connect_unix(path)) == -1)
		return -1;
	if (ipc_sync_hello(sock, IPC_ROLE_NFSD, "fz", &hr) == -1) {
		close(sock);
		return -1;
	}
	xdr_free((xdrproc_t)xdr_ipc_hello_reply, &hr);
	return sock;
}

static int
fz_run(struct fz *z, const struct fz_target *t, const char *path,
    unsigned long n, struct fz_stats *st)
{
	uint32_t type, got, id = 1000;
	unsigned long i;
	uint16_t flags;
	int sock, fd, rc, nofd, status, excused = 0;

	memset(st, 0, sizeof(*st));
	if ((sock = fz_connect(path)) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		z->out.len = 0;
		type = t->build(z, t->arg);
		if (z->out.failed) {
			printf("# out of memory building request %lu\n", i);
			close(sock);
			return -1;
		}
		got = 0;
		flags = 0;
		fd = -1;
		nofd = 0;
		if (fz_rand(z) % 2) {
			fz_damage(z);
			st->damaged++;
		}
		switch (fz_rand(z) % 100) {
		case 0: type = IPC_PING; break;
		case 1: type = t->reply; break;
		case 2: type = fz_rand(z); break;
		case 3: flags = IPC_F_REPLY; break;
		case 4: case 5: fd = open("/dev/null", O_RDONLY); break;
		case 6: nofd = fz_rand(z) % 4 == 0; break;
		}
		if (fd != -1 || nofd)
			flags |= IPC_F_FD;
		rc = fz_send(sock, type, ++id, flags, fd, z);
		if (fd != -1)
			close(fd);
		/*
		 * No answer comes; the next request tells how it went.  A
		 * daemon may drop a peer whose one-way message is bad, for
		 * it has no answer to put the error in.
		 */
		if (rc == 0 && ((flags & IPC_F_REPLY) || t->oneway(type))) {
			st->unanswered_types++;
			excused |= t->oneway(type);
			continue;
		}
		rc = rc == 0 ? fz_answer(sock, id, t->reply, &got, &status) : 0;
		if (rc == 1) {
			st->answered++;
			st->done += status == 0;
			excused = 0;
			continue;
		}
		if (rc == -1) {
			/* Each would wait its 30 s: one tells enough. */
			printf("# request %lu (type %u, id %u): no proper "
			    "answer (type %u); stopping\n", i, type, id, got);
			st->unanswered++;
			break;
		}
		st->dropped++;
		if (!(flags & IPC_F_FD) && !excused && st->wrongdrop++ == 0)
			printf("# request %lu (type %u): the connection "
			    "dropped\n", i, type);
		excused = 0;
		close(sock);
		if ((sock = fz_connect(path)) == -1)
			return -1;
	}
	close(sock);
	printf("# %lu answered (%lu of them done: status 0), %lu damaged, "
	    "%lu of types that get no answer, %lu connections dropped\n",
	    st->answered, st->done, st->damaged, st->unanswered_types,
	    st->dropped);
	return 0;
}

int
fz_test(struct fz *z, const struct fz_target *t, const char *path,
    unsigned long n, int (*ok)(int, const char *, ...))
{
	struct fz_stats st;
	int rc;

	rc = fz_run(z, t, path, n, &st);
	xdrbuf_out_free(&z->out);
	if (!ok(rc == 0, "the requests went out (every connection made)"))
		return 0;
	ok(st.unanswered == 0, "every request answered with its id (%lu "
	    "not)", st.unanswered);
	ok(st.wrongdrop == 0, "the connection dropped only for an fd sent "
	    "or promised, or after a one-way message (%lu times for "
	    "something else)", st.wrongdrop);
	ok(st.answered >= n / 2, "at least half of them answered (%lu of "
	    "%lu)", st.answered, n);
	return 1;
}
