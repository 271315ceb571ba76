/*
 * IPC channels, servers and clients; see ipc.h for the layering.
 *
 * File descriptors: the kernel hands an SCM_RIGHTS fd to the recvmsg()
 * that reads the first byte of the sendmsg() that carried it.  A
 * sendmsg that carries an fd starts with a header and holds the one
 * message flagged IPC_F_FD that the fd belongs to, so fds arrive in
 * order, with their own header or with one of the messages just before
 * it, never later.  Received fds wait in a small queue and each
 * flagged header takes the oldest (the scheme of OpenBSD's imsg).
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"
#include "log.h"
#include "util.h"

#define IPC_READ_CHUNK		(64 * 1024)
#define IPC_FDQ_MAX		16
#define IPC_READS_PER_WAKEUP	32
#define IPC_IOV_MAX		64
/* A peer that leaves this much unread output is stuck or hostile. */
#define IPC_OUT_MAX		(64 * 1024 * 1024)

struct ipc_out {
	TAILQ_ENTRY(ipc_out)	 entry;
	uint8_t			*buf;
	size_t			 len;
	size_t			 off;
	int			 fd;
};

struct ipc_pending {
	TAILQ_ENTRY(ipc_pending) entry;
	uint32_t		 id;
	ipc_reply_fn		*fn;
	void			*arg;
};

struct ipc_channel {
	struct event_base	*base;
	int			 fd;
	unsigned int		 flags;
	struct event		*ev_read;
	struct event		*ev_write;
	struct event		*ev_defer;	/* ipc_send's flush, at turn's end */
	int			 defer_queued;
	struct event		*ev_finish;	/* deferred close */
	uint8_t			*in;
	size_t			 in_off;	/* start of unparsed bytes */
	size_t			 in_len;	/* end of unparsed bytes */
	size_t			 in_cap;
	int			 fdq[IPC_FDQ_MAX];
	size_t			 nfdq;
	TAILQ_HEAD(, ipc_out)	 out;
	size_t			 out_bytes;
	TAILQ_HEAD(, ipc_pending) pending;
	uint32_t		 next_id;
	ipc_dispatch_fn		*dispatch;
	ipc_close_fn		*on_close;
	void			*arg;
	ipc_batch_fn		*batch_end;
	ipc_batch_fn		*batch_done;
	void			*batch_arg;
	int			 in_dispatch;
	int			 corked;	/* ipc_channel_cork */
	int			 dead;
	int			 silent_free;	/* freed by owner: no on_close */
	int			 write_failed;
	char			 name[128];
};

static void	ipc_channel_read_cb(evutil_socket_t, short, void *);
static void	ipc_channel_defer_cb(evutil_socket_t, short, void *);
static void	ipc_channel_write_cb(evutil_socket_t, short, void *);
static void	ipc_channel_finish(struct ipc_channel *);
static void	ipc_channel_finish_cb(evutil_socket_t, short, void *);

static const char *const ipc_role_names[] = {
	[IPC_ROLE_NONE] = "none",
	[IPC_ROLE_CTL] = "ctl",
	[IPC_ROLE_STATED] = "stated",
	[IPC_ROLE_BLOCKD] = "blockd",
	[IPC_ROLE_NFSD] = "nfsd",
	[IPC_ROLE_SMBD] = "smbd",
	[IPC_ROLE_LOCKD] = "lockd",
	[IPC_ROLE_STATD] = "statd",
	[IPC_ROLE_GSSD] = "gssd",
};
#define IPC_NROLES (sizeof(ipc_role_names) / sizeof(ipc_role_names[0]))

const char *
ipc_role_name(enum ipc_role role)
{
	if ((unsigned int)role >= IPC_NROLES)
		return "unknown";
	return ipc_role_names[role];
}

int
ipc_role_parse(const char *text, enum ipc_role *role)
{
	size_t i;

	for (i = 1; i < IPC_NROLES; i++)
		if (strcmp(text, ipc_role_names[i]) == 0) {
			*role = (enum ipc_role)i;
			return 0;
		}
	return -1;
}

/* Encoding and decoding of XDR bodies. */

uint8_t *
ipc_encode(xdrproc_t proc, const void *obj, size_t *len)
{
	unsigned long size;
	uint8_t *buf;
	XDR xdr;

	size = xdr_sizeof(proc, (void *)obj);
	if (size == 0 || size > IPC_BODY_MAX) {
		errno = EMSGSIZE;
		return NULL;
	}
	if ((buf = malloc(size)) == NULL)
		return NULL;
	xdrmem_create(&xdr, (char *)buf, (u_int)size, XDR_ENCODE);
	if (!proc(&xdr, (void *)obj, 0)) {
		xdr_destroy(&xdr);
		free(buf);
		errno = EINVAL;
		return NULL;
	}
	*len = xdr_getpos(&xdr);
	xdr_destroy(&xdr);
	return buf;
}

/*
 * Trailing bytes are allowed: a newer peer may append fields that this
 * version does not know.
 */
int
ipc_decode(const struct ipc_msg *msg, xdrproc_t proc, void *obj)
{
	XDR xdr;
	int ok;

	xdrmem_create(&xdr, (char *)(uintptr_t)msg->body, (u_int)msg->len,
	    XDR_DECODE);
	ok = proc(&xdr, obj, 0);
	xdr_destroy(&xdr);
	if (!ok) {
		xdr_free(proc, obj);
		return -1;
	}
	return 0;
}

/* Channels. */

struct ipc_channel *
ipc_channel_new(struct event_base *base, int fd, unsigned int flags,
    ipc_dispatch_fn *dispatch, ipc_close_fn *on_close, void *arg)
{
	struct ipc_channel *ch;
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return NULL;
	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return NULL;
	ch->base = base;
	ch->fd = fd;
	ch->flags = flags;
	ch->dispatch = dispatch;
	ch->on_close = on_close;
	ch->arg = arg;
	ch->next_id = 1;
	TAILQ_INIT(&ch->out);
	TAILQ_INIT(&ch->pending);
	snprintf(ch->name, sizeof(ch->name), "fd %d", fd);
	ch->in_cap = IPC_READ_CHUNK;
	ch->in = malloc(ch->in_cap);
	ch->ev_read = event_new(base, fd, EV_READ | EV_PERSIST,
	    ipc_channel_read_cb, ch);
	ch->ev_write = event_new(base, fd, EV_WRITE | EV_PERSIST,
	    ipc_channel_write_cb, ch);
	ch->ev_finish = evtimer_new(base, ipc_channel_finish_cb, ch);
	ch->ev_defer = event_new(base, -1, 0, ipc_channel_defer_cb, ch);
	if (ch->ev_defer == NULL || ch->in == NULL || ch->ev_read == NULL || ch->ev_write == NULL ||
	    ch->ev_finish == NULL || event_add(ch->ev_read, NULL) == -1) {
		if (ch->ev_read != NULL)
			event_free(ch->ev_read);
		if (ch->ev_write != NULL)
			event_free(ch->ev_write);
		if (ch->ev_finish != NULL)
			event_free(ch->ev_finish);
		if (ch->ev_defer != NULL)
			event_free(ch->ev_defer);
		free(ch->in);
		free(ch);
		return NULL;
	}
	return ch;
}

void
ipc_channel_set_accept_fds(struct ipc_channel *ch, int on)
{
	if (on)
		ch->flags |= IPC_CHANNEL_ACCEPT_FDS;
	else
		ch->flags &= ~IPC_CHANNEL_ACCEPT_FDS;
}

void
ipc_channel_set_name(struct ipc_channel *ch, const char *name)
{
	snprintf(ch->name, sizeof(ch->name), "%s", name);
}

const char *
ipc_channel_name(const struct ipc_channel *ch)
{
	return ch->name;
}

int
ipc_channel_fd(const struct ipc_channel *ch)
{
	return ch->fd;
}

void *
ipc_channel_arg(const struct ipc_channel *ch)
{
	return ch->arg;
}

void
ipc_channel_set_arg(struct ipc_channel *ch, void *arg)
{
	ch->arg = arg;
}

size_t
ipc_channel_queued(const struct ipc_channel *ch)
{
	return ch->out_bytes;
}

static void
ipc_channel_release(struct ipc_channel *ch)
{
	struct ipc_out *o;
	size_t i;

	while ((o = TAILQ_FIRST(&ch->out)) != NULL) {
		TAILQ_REMOVE(&ch->out, o, entry);
		if (o->fd != -1)
			close(o->fd);
		free(o->buf);
		free(o);
	}
	for (i = 0; i < ch->nfdq; i++)
		close(ch->fdq[i]);
	event_free(ch->ev_read);
	event_free(ch->ev_write);
	event_free(ch->ev_finish);
	event_free(ch->ev_defer);
	if (ch->fd != -1)
		close(ch->fd);
	free(ch->in);
	free(ch);
}

/*
 * Tell every caller still waiting for a reply that none will come; an
 * owner that frees the channel itself is not called back.
 */
static void
ipc_channel_fail_pending(struct ipc_channel *ch)
{
	struct ipc_pending *p;

	while ((p = TAILQ_FIRST(&ch->pending)) != NULL) {
		TAILQ_REMOVE(&ch->pending, p, entry);
		if (p->fn != NULL && !ch->silent_free)
			p->fn(ch, NULL, p->arg);
		free(p);
	}
}

static void
ipc_channel_finish(struct ipc_channel *ch)
{
	ipc_channel_fail_pending(ch);
	if (!ch->silent_free && ch->on_close != NULL)
		ch->on_close(ch, ch->arg);
	ipc_channel_release(ch);
}

static void
ipc_channel_finish_cb(evutil_socket_t fd, short what, void *arg)
{
	ipc_channel_finish(arg);
}

/*
 * Mark the channel dead.  The close callback runs and the memory goes
 * from the event loop, never inside this call, so a caller may still
 * look at the channel (sends on it fail) until it returns to the loop.
 */
void
ipc_channel_close(struct ipc_channel *ch, const char *why)
{
	struct timeval now = { 0, 0 };

	if (ch->dead)
		return;
	if (why != NULL)
		log_debug("ipc %s: closing: %s", ch->name, why);
	/* Best effort: an error reply queued just before should leave. */
	ipc_flush(ch);
	ch->dead = 1;
	event_del(ch->ev_read);
	event_del(ch->ev_write);
	if (!ch->in_dispatch)
		evtimer_add(ch->ev_finish, &now);
}

void
ipc_channel_free(struct ipc_channel *ch)
{
	if (ch == NULL)
		return;
	ch->silent_free = 1;
	ch->dead = 1;
	event_del(ch->ev_read);
	event_del(ch->ev_write);
	if (ch->in_dispatch)
		return;		/* the dispatch loop releases it */
	event_del(ch->ev_finish);
	ipc_channel_finish(ch);
}

int
ipc_send(struct ipc_channel *ch, uint32_t type, uint32_t id, uint16_t flags,
    int fd, const void *body, size_t len)
{
	struct ipc_hdr hdr;
	struct ipc_out *o;

	if (ch->dead || len > IPC_BODY_MAX ||
	    ch->out_bytes + len > IPC_OUT_MAX) {
		if (fd != -1)
			close(fd);
		errno = ch->dead ? EPIPE : EMSGSIZE;
		return -1;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL ||
	    (o->buf = malloc(IPC_HDR_SIZE + len)) == NULL) {
		free(o);
		if (fd != -1)
			close(fd);
		return -1;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = (uint32_t)len;
	hdr.id = id;
	hdr.flags = (uint16_t)(flags & ~IPC_F_FD);
	if (fd != -1)
		hdr.flags |= IPC_F_FD;
	memcpy(o->buf, &hdr, IPC_HDR_SIZE);
	if (len > 0)
		memcpy(o->buf + IPC_HDR_SIZE, body, len);
	o->len = IPC_HDR_SIZE + len;
	o->fd = fd;
	TAILQ_INSERT_TAIL(&ch->out, o, entry);
	ch->out_bytes += o->len;
	/*
	 * Outside the channel's own read event (whose end flushes), what
	 * is sent leaves at the end of the loop turn: nfsd forwards each
	 * of a client's calls to blockd with a send of its own, one
	 * sendmsg(2) a call when written at once (DESIGN.md 3: batch).
	 * Only later, never reordered: a channel's messages leave in the
	 * order sent, and blockd's replies still follow its log flush.
	 * Corked, they wait for ipc_channel_cork(ch, 0), which writes them.
	 */
	if (!ch->in_dispatch && !ch->corked && !ch->defer_queued) {
		ch->defer_queued = 1;
		event_active(ch->ev_defer, EV_TIMEOUT, 1);
	}
	return 0;
}

void
ipc_channel_cork(struct ipc_channel *ch, int on)
{
	ch->corked = on;
	if (!on && !ch->in_dispatch)
		ipc_flush(ch);
}

int
ipc_send_xdr(struct ipc_channel *ch, uint32_t type, uint32_t id,
    uint16_t flags, int fd, xdrproc_t proc, const void *obj)
{
	uint8_t *body = NULL;
	size_t len = 0;
	int rc;

	if (proc != NULL && (body = ipc_encode(proc, obj, &len)) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	rc = ipc_send(ch, type, id, flags, fd, body, len);
	free(body);
	return rc;
}

int
ipc_reply_xdr(struct ipc_channel *ch, const struct ipc_msg *req,
    uint32_t type, int fd, xdrproc_t proc, const void *obj)
{
	return ipc_send_xdr(ch, type, req->hdr.id, IPC_F_REPLY, fd, proc, obj);
}

int
ipc_reply_error(struct ipc_channel *ch, const struct ipc_msg *req, int code,
    const char *text)
{
	struct ipc_error err;

	err.code = code;
	err.message = (char *)(text != NULL ? text : strerror(code));
	return ipc_reply_xdr(ch, req, IPC_ERROR, -1, (xdrproc_t)xdr_ipc_error,
	    &err);
}

int
ipc_call(struct ipc_channel *ch, uint32_t type, int fd, xdrproc_t proc,
    const void *obj, ipc_reply_fn *fn, void *arg)
{
	struct ipc_pending *p;
	uint32_t id;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	id = ch->next_id++;
	if (ch->next_id == 0)
		ch->next_id = 1;
	if (ipc_send_xdr(ch, type, id, 0, fd, proc, obj) == -1) {
		free(p);
		return -1;
	}
	p->id = id;
	p->fn = fn;
	p->arg = arg;
	TAILQ_INSERT_TAIL(&ch->pending, p, entry);
	return 0;
}

/* Put one fd in a message's control data (it binds to the first byte). */
static void
ipc_attach_fd(struct msghdr *mh, char *buf, size_t buflen, int fd)
{
	struct cmsghdr *c;

	memset(buf, 0, buflen);
	mh->msg_control = buf;
	mh->msg_controllen = buflen;
	c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
}

/* Write as much queued output as the socket takes, coalesced. */
void
ipc_flush(struct ipc_channel *ch)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct iovec iov[IPC_IOV_MAX];
	struct msghdr mh;
	struct ipc_out *o, *next, *carrier;
	ssize_t n;
	int niov;

	if (ch->dead || ch->write_failed)
		return;
	while ((o = TAILQ_FIRST(&ch->out)) != NULL) {
		memset(&mh, 0, sizeof(mh));
		niov = 0;
		carrier = NULL;
		for (; o != NULL && niov < IPC_IOV_MAX;
		    o = TAILQ_NEXT(o, entry)) {
			/*
			 * One fd per sendmsg, and only on one that starts
			 * with a header.  The fd binds to that first byte,
			 * so it may reach the peer with a message before
			 * its own, never after: a note and an OPEN_IO reply
			 * leave in one wakeup.  (An fd message's bytes only
			 * leave in the sendmsg that carries its fd.)
			 */
			if (o->fd != -1) {
				if (carrier != NULL || (niov > 0 &&
				    TAILQ_FIRST(&ch->out)->off > 0))
					break;
				carrier = o;
			}
			iov[niov].iov_base = o->buf + o->off;
			iov[niov].iov_len = o->len - o->off;
			niov++;
		}
		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)niov;
		if (carrier != NULL)
			ipc_attach_fd(&mh, cmsgbuf.buf, sizeof(cmsgbuf.buf),
			    carrier->fd);
		n = sendmsg(ch->fd, &mh, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				event_add(ch->ev_write, NULL);
				return;
			}
			if (errno != EPIPE && errno != ECONNRESET)
				log_warn("ipc %s: sendmsg", ch->name);
			ch->write_failed = 1;
			ipc_channel_close(ch, NULL);
			return;
		}
		/* The fd went with the first byte, even if its message did not. */
		if (carrier != NULL) {
			close(carrier->fd);
			carrier->fd = -1;
		}
		for (o = TAILQ_FIRST(&ch->out); o != NULL && n > 0; o = next) {
			size_t take = o->len - o->off;

			next = TAILQ_NEXT(o, entry);
			if ((size_t)n < take)
				take = (size_t)n;
			o->off += take;
			n -= (ssize_t)take;
			ch->out_bytes -= take;
			if (o->off == o->len) {
				TAILQ_REMOVE(&ch->out, o, entry);
				free(o->buf);
				free(o);
			}
		}
	}
	event_del(ch->ev_write);
}

static void
ipc_channel_write_cb(evutil_socket_t fd, short what, void *arg)
{
	ipc_flush(arg);
}

/* Returns -1 (and closes the channel) on a protocol violation. */
static int
ipc_channel_take_fds(struct ipc_channel *ch, struct msghdr *mh)
{
	struct cmsghdr *c;
	int bad = 0;

	if (mh->msg_flags & MSG_CTRUNC)
		bad = 1;
	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		size_t i, nfds;
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfds; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
			    sizeof(int));
			if (!(ch->flags & IPC_CHANNEL_ACCEPT_FDS) ||
			    ch->nfdq == IPC_FDQ_MAX) {
				close(fd);
				bad = 1;
				continue;
			}
			ch->fdq[ch->nfdq++] = fd;
		}
	}
	if (bad) {
		log_warnx_rl("ipc %s: peer sent a file descriptor the channel "
		    "does not accept; dropping the peer", ch->name);
		ipc_channel_close(ch, NULL);
		return -1;
	}
	return 0;
}

static int
ipc_channel_pop_fd(struct ipc_channel *ch)
{
	int fd;

	if (ch->nfdq == 0)
		return -1;
	fd = ch->fdq[0];
	memmove(ch->fdq, ch->fdq + 1, (ch->nfdq - 1) * sizeof(int));
	ch->nfdq--;
	return fd;
}

static void
ipc_channel_deliver(struct ipc_channel *ch, struct ipc_msg *msg)
{
	struct ipc_pending *p;

	if (msg->hdr.flags & IPC_F_REPLY) {
		TAILQ_FOREACH(p, &ch->pending, entry)
			if (p->id == msg->hdr.id)
				break;
		if (p != NULL) {
			TAILQ_REMOVE(&ch->pending, p, entry);
			if (p->fn != NULL)
				p->fn(ch, msg, p->arg);
			else if (msg->fd != -1)
				close(msg->fd);
			free(p);
			return;
		}
	}
	ch->dispatch(ch, msg, ch->arg);
}

/* Parse and dispatch every complete message in the input buffer. */
static void
ipc_channel_parse(struct ipc_channel *ch)
{
	struct ipc_msg msg;

	while (!ch->dead && ch->in_len - ch->in_off >= IPC_HDR_SIZE) {
		memcpy(&msg.hdr, ch->in + ch->in_off, IPC_HDR_SIZE);
		if (msg.hdr.len > IPC_BODY_MAX) {
			log_warnx_rl("ipc %s: message of %u bytes exceeds the "
			    "limit; dropping the peer", ch->name, msg.hdr.len);
			ipc_channel_close(ch, NULL);
			return;
		}
		if (ch->in_len - ch->in_off < IPC_HDR_SIZE + msg.hdr.len)
			break;
		msg.body = ch->in + ch->in_off + IPC_HDR_SIZE;
		msg.len = msg.hdr.len;
		msg.fd = -1;
		if (msg.hdr.flags & IPC_F_FD) {
			msg.fd = ipc_channel_pop_fd(ch);
			if (msg.fd == -1) {
				log_warnx_rl("ipc %s: message flagged with a file "
				    "descriptor came without one", ch->name);
				ipc_channel_close(ch, NULL);
				return;
			}
		}
		ch->in_off += IPC_HDR_SIZE + msg.hdr.len;
		ipc_channel_deliver(ch, &msg);
	}
	/* Keep the partial message at the start of the buffer. */
	if (ch->in_off > 0) {
		memmove(ch->in, ch->in + ch->in_off, ch->in_len - ch->in_off);
		ch->in_len -= ch->in_off;
		ch->in_off = 0;
	}
}

/* Make room for the next read: a whole announced message, at least. */
static int
ipc_channel_reserve(struct ipc_channel *ch)
{
	size_t want = ch->in_len + IPC_READ_CHUNK;
	uint8_t *grown;

	if (ch->in_len >= IPC_HDR_SIZE) {
		struct ipc_hdr hdr;
		size_t whole;

		memcpy(&hdr, ch->in, IPC_HDR_SIZE);
		whole = IPC_HDR_SIZE + hdr.len;
		if (whole > ch->in_len && whole > want)
			want = whole;
	}
	if (want <= ch->in_cap)
		return 0;
	if ((grown = realloc(ch->in, want)) == NULL)
		return -1;
	ch->in = grown;
	ch->in_cap = want;
	return 0;
}

static void
ipc_channel_defer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ipc_channel *ch = arg;

	ch->defer_queued = 0;
	ipc_flush(ch);
}

static void
ipc_channel_read_cb(evutil_socket_t fd, short what, void *arg)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * IPC_FDQ_MAX)];
	} cmsgbuf;
	struct ipc_channel *ch = arg;
	struct msghdr mh;
	struct iovec iov;
	ssize_t n;
	int reads;

	ch->in_dispatch++;
	for (reads = 0; reads < IPC_READS_PER_WAKEUP && !ch->dead; reads++) {
		if (ipc_channel_reserve(ch) == -1) {
			log_warn("ipc %s: input buffer", ch->name);
			ipc_channel_close(ch, NULL);
			break;
		}
		iov.iov_base = ch->in + ch->in_len;
		iov.iov_len = ch->in_cap - ch->in_len;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cmsgbuf.buf;
		mh.msg_controllen = sizeof(cmsgbuf.buf);
		n = recvmsg(ch->fd, &mh, MSG_CMSG_CLOEXEC);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				log_warn("ipc %s: recvmsg", ch->name);
				ipc_channel_close(ch, NULL);
			}
			break;
		}
		if (ipc_channel_take_fds(ch, &mh) == -1)
			break;
		if (n == 0) {
			ipc_channel_close(ch, "peer closed the connection");
			break;
		}
		ch->in_len += (size_t)n;
		ipc_channel_parse(ch);
	}
	/* Before the batch's replies leave: e.g. one log flush for all. */
	if (!ch->dead && ch->batch_end != NULL)
		ch->batch_end(ch, ch->batch_arg);
	ch->in_dispatch--;
	if (ch->in_dispatch > 0)
		return;
	if (ch->dead)
		ipc_channel_finish(ch);
	else {
		ipc_flush(ch);
		/* After the replies left: work nobody waits for. */
		if (ch->batch_done != NULL)
			ch->batch_done(ch, ch->batch_arg);
	}
}

void
ipc_channel_set_batch_end(struct ipc_channel *ch, ipc_batch_fn *fn,
    void *arg)
{
	ch->batch_end = fn;
	ch->batch_arg = arg;
}

void
ipc_channel_set_batch_done(struct ipc_channel *ch, ipc_batch_fn *fn)
{
	ch->batch_done = fn;
}

/* Sockets. */

static int
ipc_sockaddr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

int
ipc_connect_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if (ipc_sockaddr(path, &sun) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * Bind a listening socket at path.  A stale socket file is replaced,
 * but a live one (somebody answers) is an error: two instances of a
 * daemon must not steal each other's socket.
 */
int
ipc_listen_unix(const char *path, mode_t mode, gid_t gid)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, live;

	if (ipc_sockaddr(path, &sun) == -1)
		return -1;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			errno = EEXIST;
			return -1;
		}
		live = ipc_connect_unix(path);
		if (live != -1) {
			close(live);
			errno = EADDRINUSE;
			return -1;
		}
		if (unlink(path) == -1)
			return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	/* A new file has our egid: chown only to change it (as root). */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, mode) == -1 ||
	    (gid != (gid_t)-1 && gid != getegid() &&
	    chown(path, (uid_t)-1, gid) == -1) ||
	    listen(fd, 128) == -1) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Servers. */

struct ipc_peer {
	TAILQ_ENTRY(ipc_peer)	 entry;
	struct ipc_server	*server;
	struct ipc_channel	*chan;
	enum ipc_role		 role;
	uint32_t		 version;
	pid_t			 pid;
	uid_t			 uid;
	int			 hello_done;
	char			 name[IPC_NAME_MAX + 1];
	void			*data;
};

struct ipc_server {
	struct event_base		*base;
	int				 fd;
	struct event			*ev_accept;
	enum ipc_role			 self;
	char				 self_name[IPC_NAME_MAX + 1];
	const struct ipc_handler	*handlers;
	size_t				 nhandlers;
	const struct ipc_peer_policy	*policy;
	size_t				 npolicy;
	void				*arg;
	ipc_peer_fn			*on_hello;
	ipc_peer_fn			*on_gone;
	ipc_batch_fn			*batch_end;
	ipc_batch_fn			*batch_done;
	TAILQ_HEAD(, ipc_peer)		 peers;
	size_t				 npeers;
};

static const struct ipc_peer_policy *
ipc_server_policy(const struct ipc_server *srv, enum ipc_role role,
    uid_t uid)
{
	size_t i;

	for (i = 0; i < srv->npolicy; i++)
		if ((role == IPC_ROLE_NONE || srv->policy[i].role == role) &&
		    srv->policy[i].uid == uid)
			return &srv->policy[i];
	return NULL;
}

static const struct ipc_handler *
ipc_server_handler(const struct ipc_server *srv, uint32_t type)
{
	size_t i;

	for (i = 0; i < srv->nhandlers; i++)
		if (srv->handlers[i].type == type)
			return &srv->handlers[i];
	return NULL;
}

static void
ipc_peer_closed(struct ipc_channel *ch, void *arg)
{
	struct ipc_peer *peer = arg;
	struct ipc_server *srv = peer->server;

	if (peer->hello_done) {
		(peer->role == IPC_ROLE_CTL ? log_debug : log_info)(
		    "%s: %s peer %s (pid %d) disconnected",
		    srv->self_name, ipc_role_name(peer->role), peer->name,
		    (int)peer->pid);
		if (srv->on_gone != NULL)
			srv->on_gone(peer, srv->arg);
	}
	TAILQ_REMOVE(&srv->peers, peer, entry);
	srv->npeers--;
	free(peer);
}

/* RFC-less, our own: the first message on every channel is HELLO. */
static void
ipc_peer_hello(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct ipc_server *srv = peer->server;
	const struct ipc_peer_policy *pol;
	struct ipc_hello hello;
	struct ipc_hello_reply reply;
	uint32_t lo, hi;

	if (msg->hdr.type != IPC_HELLO) {
		log_warnx_rl("%s: peer pid %d sent type %u before HELLO",
		    srv->self_name, (int)peer->pid, msg->hdr.type);
		ipc_channel_close(peer->chan, NULL);
		return;
	}
	memset(&hello, 0, sizeof(hello));
	if (ipc_decode(msg, (xdrproc_t)xdr_ipc_hello, &hello) == -1) {
		log_warnx_rl("%s: malformed HELLO from pid %d", srv->self_name,
		    (int)peer->pid);
		ipc_channel_close(peer->chan, NULL);
		return;
	}
	pol = ipc_server_policy(srv, hello.role, peer->uid);
	if (pol == NULL) {
		log_warnx_rl("%s: pid %d uid %u may not connect as %s",
		    srv->self_name, (int)peer->pid, (unsigned)peer->uid,
		    ipc_role_name(hello.role));
		ipc_reply_error(peer->chan, msg, EACCES, "role not allowed");
		ipc_channel_close(peer->chan, NULL);
		goto out;
	}
	lo = hello.version_min > IPC_PROTO_VERSION_MIN ?
	    hello.version_min : IPC_PROTO_VERSION_MIN;
	hi = hello.version_max < IPC_PROTO_VERSION ?
	    hello.version_max : IPC_PROTO_VERSION;
	if (lo > hi) {
		log_warnx_rl("%s: %s peer %s speaks versions %u-%u, we speak "
		    "%u-%u", srv->self_name, ipc_role_name(hello.role),
		    hello.name, hello.version_min, hello.version_max,
		    IPC_PROTO_VERSION_MIN, IPC_PROTO_VERSION);
		ipc_reply_error(peer->chan, msg, EPROTONOSUPPORT,
		    "no common protocol version");
		ipc_channel_close(peer->chan, NULL);
		goto out;
	}
	peer->role = hello.role;
	peer->version = hi;
	snprintf(peer->name, sizeof(peer->name), "%s", hello.name);
	peer->hello_done = 1;
	ipc_channel_set_accept_fds(peer->chan, pol->accept_fds);
	{
		char name[IPC_NAME_MAX + 32];

		snprintf(name, sizeof(name), "%s/%s", ipc_role_name(peer->role),
		    peer->name);
		ipc_channel_set_name(peer->chan, name);
	}
	memset(&reply, 0, sizeof(reply));
	reply.role = srv->self;
	reply.proto_version = hi;
	reply.pid = (u_int)getpid();
	reply.name = srv->self_name;
	ipc_reply_xdr(peer->chan, msg, IPC_HELLO_REPLY, -1,
	    (xdrproc_t)xdr_ipc_hello_reply, &reply);
	(peer->role == IPC_ROLE_CTL ? log_debug : log_info)(
	    "%s: %s peer %s (pid %d) connected, protocol version %u",
	    srv->self_name, ipc_role_name(peer->role), peer->name,
	    (int)peer->pid, hi);
	if (srv->on_hello != NULL)
		srv->on_hello(peer, srv->arg);
out:
	xdr_free((xdrproc_t)xdr_ipc_hello, &hello);
}

static void
ipc_peer_dispatch(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct ipc_peer *peer = arg;
	struct ipc_server *srv = peer->server;
	const struct ipc_handler *h;

	if (!peer->hello_done) {
		if (msg->fd != -1)
			close(msg->fd);
		ipc_peer_hello(peer, msg);
		return;
	}
	if (msg->hdr.flags & IPC_F_REPLY) {
		log_debug("%s: unexpected reply id %u from %s", srv->self_name,
		    msg->hdr.id, ch->name);
		if (msg->fd != -1)
			close(msg->fd);
		return;
	}
	if (msg->hdr.type == IPC_PING) {
		ipc_send(ch, IPC_PONG, msg->hdr.id, IPC_F_REPLY, msg->fd,
		    msg->body, msg->len);
		return;
	}
	h = ipc_server_handler(srv, msg->hdr.type);
	if (h == NULL) {
		log_warnx_rl("%s: %s sent unknown message type %u",
		    srv->self_name, ch->name, msg->hdr.type);
		if (msg->fd != -1)
			close(msg->fd);
		ipc_reply_error(ch, msg, ENOSYS, "unknown message type");
		return;
	}
	if (!(h->roles & IPC_ROLE_BIT(peer->role))) {
		log_warnx_rl("%s: %s sent message type %u, which role %s may not "
		    "send; disconnecting it", srv->self_name, ch->name,
		    msg->hdr.type, ipc_role_name(peer->role));
		if (msg->fd != -1)
			close(msg->fd);
		ipc_channel_close(ch, NULL);
		return;
	}
	h->fn(peer, msg);
}

int
ipc_server_adopt(struct ipc_server *srv, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct ipc_peer *peer;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("%s: SO_PEERCRED", srv->self_name);
		close(fd);
		return -1;
	}
	if (ipc_server_policy(srv, IPC_ROLE_NONE, cred.uid) == NULL) {
		log_warnx_rl("%s: refusing connection from pid %d uid %u: no role "
		    "may connect with that uid", srv->self_name, (int)cred.pid,
		    (unsigned)cred.uid);
		close(fd);
		return -1;
	}
	if ((peer = calloc(1, sizeof(*peer))) == NULL) {
		close(fd);
		return -1;
	}
	peer->server = srv;
	peer->pid = cred.pid;
	peer->uid = cred.uid;
	peer->chan = ipc_channel_new(srv->base, fd, 0, ipc_peer_dispatch,
	    ipc_peer_closed, peer);
	if (peer->chan == NULL) {
		close(fd);
		free(peer);
		return -1;
	}
	ipc_channel_set_batch_end(peer->chan, srv->batch_end, srv->arg);
	ipc_channel_set_batch_done(peer->chan, srv->batch_done);
	TAILQ_INSERT_TAIL(&srv->peers, peer, entry);
	srv->npeers++;
	return 0;
}

void
ipc_server_set_batch_end(struct ipc_server *srv, ipc_batch_fn *fn)
{
	srv->batch_end = fn;
}

void
ipc_server_set_batch_done(struct ipc_server *srv, ipc_batch_fn *fn)
{
	srv->batch_done = fn;
}

static void
ipc_server_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct ipc_server *srv = arg;
	int fd;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn("%s: accept", srv->self_name);
			return;
		}
		ipc_server_adopt(srv, fd);
	}
}

struct ipc_server *
ipc_server_new(struct event_base *base, int listen_fd, enum ipc_role self,
    const char *self_name, const struct ipc_handler *handlers,
    size_t nhandlers, const struct ipc_peer_policy *policy, size_t npolicy,
    void *arg)
{
	struct ipc_server *srv;

	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return NULL;
	srv->base = base;
	srv->fd = listen_fd;
	srv->self = self;
	snprintf(srv->self_name, sizeof(srv->self_name), "%s", self_name);
	srv->handlers = handlers;
	srv->nhandlers = nhandlers;
	srv->policy = policy;
	srv->npolicy = npolicy;
	srv->arg = arg;
	TAILQ_INIT(&srv->peers);
	if (listen_fd != -1) {
		srv->ev_accept = event_new(base, listen_fd,
		    EV_READ | EV_PERSIST, ipc_server_accept_cb, srv);
		if (srv->ev_accept == NULL ||
		    event_add(srv->ev_accept, NULL) == -1) {
			if (srv->ev_accept != NULL)
				event_free(srv->ev_accept);
			free(srv);
			return NULL;
		}
	}
	return srv;
}

void
ipc_server_set_peer_callbacks(struct ipc_server *srv, ipc_peer_fn *on_hello,
    ipc_peer_fn *on_gone)
{
	srv->on_hello = on_hello;
	srv->on_gone = on_gone;
}

void
ipc_server_free(struct ipc_server *srv)
{
	struct ipc_peer *peer;

	if (srv == NULL)
		return;
	while ((peer = TAILQ_FIRST(&srv->peers)) != NULL) {
		TAILQ_REMOVE(&srv->peers, peer, entry);
		srv->npeers--;
		ipc_channel_free(peer->chan);
		free(peer);
	}
	if (srv->ev_accept != NULL)
		event_free(srv->ev_accept);
	free(srv);
}

size_t
ipc_server_peer_count(const struct ipc_server *srv)
{
	return srv->npeers;
}

struct ipc_peer *
ipc_server_peer_first(struct ipc_server *srv)
{
	return TAILQ_FIRST(&srv->peers);
}

struct ipc_peer *
ipc_server_peer_next(struct ipc_peer *peer)
{
	return TAILQ_NEXT(peer, entry);
}

struct ipc_channel *
ipc_peer_channel(struct ipc_peer *peer)
{
	return peer->chan;
}

enum ipc_role
ipc_peer_role(const struct ipc_peer *peer)
{
	return peer->hello_done ? peer->role : IPC_ROLE_NONE;
}

const char *
ipc_peer_name(const struct ipc_peer *peer)
{
	return peer->name;
}

pid_t
ipc_peer_pid(const struct ipc_peer *peer)
{
	return peer->pid;
}

uid_t
ipc_peer_uid(const struct ipc_peer *peer)
{
	return peer->uid;
}

uint32_t
ipc_peer_version(const struct ipc_peer *peer)
{
	return peer->version;
}

void *
ipc_peer_server_arg(const struct ipc_peer *peer)
{
	return peer->server->arg;
}

void *
ipc_peer_data(const struct ipc_peer *peer)
{
	return peer->data;
}

void
ipc_peer_set_data(struct ipc_peer *peer, void *data)
{
	peer->data = data;
}

/* Clients. */

struct ipc_client {
	struct event_base	*base;
	char			*path;
	enum ipc_role		 self;
	char			 self_name[IPC_NAME_MAX + 1];
	unsigned int		 channel_flags;
	ipc_dispatch_fn		*dispatch;
	void			*arg;
	ipc_client_fn		*on_ready;
	ipc_client_fn		*on_lost;
	struct ipc_channel	*chan;
	struct event		*ev_retry;
	unsigned int		 backoff_first_ms;
	unsigned int		 backoff_max_ms;
	unsigned int		 backoff_ms;
	unsigned int		 connects;
	int			 ready;
	uint32_t		 version;
	char			 peer_name[IPC_NAME_MAX + 1];
	int			 warned;
	uid_t			 server_uid;	/* -1: any */
};

static void ipc_client_connect(struct ipc_client *);

static void
ipc_client_schedule(struct ipc_client *cl)
{
	struct timeval tv;

	tv.tv_sec = cl->backoff_ms / 1000;
	tv.tv_usec = (cl->backoff_ms % 1000) * 1000;
	event_add(cl->ev_retry, &tv);
	cl->backoff_ms *= 2;
	if (cl->backoff_ms > cl->backoff_max_ms)
		cl->backoff_ms = cl->backoff_max_ms;
}

static void
ipc_client_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	ipc_client_connect(arg);
}

static void
ipc_client_closed(struct ipc_channel *ch, void *arg)
{
	struct ipc_client *cl = arg;
	int was_ready = cl->ready;

	cl->chan = NULL;
	cl->ready = 0;
	if (was_ready) {
		log_warnx("lost connection to %s (%s); reconnecting",
		    cl->peer_name, cl->path);
		if (cl->on_lost != NULL)
			cl->on_lost(cl, cl->arg);
	}
	ipc_client_schedule(cl);
}

static void
ipc_client_hello_reply(struct ipc_channel *ch, struct ipc_msg *msg,
    void *arg)
{
	struct ipc_client *cl = arg;
	struct ipc_hello_reply reply;
	struct ipc_error err;

	if (msg == NULL)
		return;		/* channel died; ipc_client_closed retries */
	if (msg->fd != -1)
		close(msg->fd);
	memset(&reply, 0, sizeof(reply));
	memset(&err, 0, sizeof(err));
	if (msg->hdr.type == IPC_ERROR &&
	    ipc_decode(msg, (xdrproc_t)xdr_ipc_error, &err) == 0) {
		log_warnx("%s refused HELLO: %s", cl->path, err.message);
		xdr_free((xdrproc_t)xdr_ipc_error, &err);
		ipc_channel_close(ch, NULL);
		return;
	}
	if (msg->hdr.type != IPC_HELLO_REPLY ||
	    ipc_decode(msg, (xdrproc_t)xdr_ipc_hello_reply, &reply) == -1) {
		log_warnx("%s: bad HELLO reply", cl->path);
		ipc_channel_close(ch, NULL);
		return;
	}
	cl->version = reply.proto_version;
	snprintf(cl->peer_name, sizeof(cl->peer_name), "%s", reply.name);
	xdr_free((xdrproc_t)xdr_ipc_hello_reply, &reply);
	cl->ready = 1;
	cl->connects++;
	cl->warned = 0;
	cl->backoff_ms = cl->backoff_first_ms;
	ipc_channel_set_name(ch, cl->peer_name);
	log_info("connected to %s (%s), protocol version %u%s",
	    cl->peer_name, cl->path, cl->version,
	    cl->connects > 1 ? " (reconnected)" : "");
	if (cl->on_ready != NULL)
		cl->on_ready(cl, cl->arg);
}

static void
ipc_client_dispatch(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct ipc_client *cl = arg;

	if (!cl->ready) {
		if (msg->fd != -1)
			close(msg->fd);
		log_warnx("%s: message type %u before HELLO reply", cl->path,
		    msg->hdr.type);
		ipc_channel_close(ch, NULL);
		return;
	}
	cl->dispatch(ch, msg, cl->arg);
}

static void
ipc_client_connect(struct ipc_client *cl)
{
	struct ipc_hello hello;
	int fd;

	fd = ipc_connect_unix(cl->path);
	if (fd == -1) {
		if (!cl->warned)
			log_warn("connect %s (will retry)", cl->path);
		cl->warned = 1;
		ipc_client_schedule(cl);
		return;
	}
	if (cl->server_uid != (uid_t)-1) {
		struct ucred cred = { .uid = (uid_t)-1 };
		socklen_t len = sizeof(cred);

		/*
		 * Whoever could make a socket at this path is not the peer.
		 * The credentials are the listener's at listen(): root's for
		 * a daemon that binds before it changes user.
		 */
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
		    (cred.uid != cl->server_uid && cred.uid != 0)) {
			log_warnx("%s: served by uid %u, expected uid %u; "
			    "not talking to it (will retry)", cl->path,
			    (unsigned)cred.uid, (unsigned)cl->server_uid);
			close(fd);
			ipc_client_schedule(cl);
			return;
		}
	}
	cl->chan = ipc_channel_new(cl->base, fd, cl->channel_flags,
	    ipc_client_dispatch, ipc_client_closed, cl);
	if (cl->chan == NULL) {
		log_warn("%s: channel", cl->path);
		close(fd);
		ipc_client_schedule(cl);
		return;
	}
	ipc_channel_set_name(cl->chan, cl->path);
	memset(&hello, 0, sizeof(hello));
	hello.role = cl->self;
	hello.version_min = IPC_PROTO_VERSION_MIN;
	hello.version_max = IPC_PROTO_VERSION;
	hello.pid = (u_int)getpid();
	hello.name = cl->self_name;
	if (ipc_call(cl->chan, IPC_HELLO, -1, (xdrproc_t)xdr_ipc_hello, &hello,
	    ipc_client_hello_reply, cl) == -1)
		ipc_channel_close(cl->chan, "HELLO failed");
}

struct ipc_client *
ipc_client_new(struct event_base *base, const char *path, enum ipc_role self,
    const char *self_name, unsigned int channel_flags,
    ipc_dispatch_fn *dispatch, void *arg)
{
	struct ipc_client *cl;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return NULL;
	if ((cl->path = strdup(path)) == NULL) {
		free(cl);
		return NULL;
	}
	cl->base = base;
	cl->self = self;
	snprintf(cl->self_name, sizeof(cl->self_name), "%s", self_name);
	cl->channel_flags = channel_flags;
	cl->dispatch = dispatch;
	cl->arg = arg;
	cl->backoff_first_ms = 100;
	cl->backoff_max_ms = 5000;
	cl->server_uid = (uid_t)-1;
	cl->backoff_ms = cl->backoff_first_ms;
	cl->ev_retry = evtimer_new(base, ipc_client_retry_cb, cl);
	if (cl->ev_retry == NULL) {
		free(cl->path);
		free(cl);
		return NULL;
	}
	return cl;
}

void
ipc_client_expect_uid(struct ipc_client *cl, uid_t uid)
{
	cl->server_uid = uid;
}

void
ipc_client_set_callbacks(struct ipc_client *cl, ipc_client_fn *on_ready,
    ipc_client_fn *on_lost)
{
	cl->on_ready = on_ready;
	cl->on_lost = on_lost;
}

void
ipc_client_set_backoff(struct ipc_client *cl, unsigned int first_ms,
    unsigned int max_ms)
{
	cl->backoff_first_ms = first_ms ? first_ms : 1;
	cl->backoff_max_ms = max_ms > cl->backoff_first_ms ? max_ms :
	    cl->backoff_first_ms;
	cl->backoff_ms = cl->backoff_first_ms;
}

void
ipc_client_start(struct ipc_client *cl)
{
	if (cl->chan == NULL && !evtimer_pending(cl->ev_retry, NULL))
		ipc_client_connect(cl);
}

void
ipc_client_free(struct ipc_client *cl)
{
	if (cl == NULL)
		return;
	if (cl->chan != NULL) {
		struct ipc_channel *ch = cl->chan;

		cl->chan = NULL;
		ipc_channel_free(ch);
	}
	event_free(cl->ev_retry);
	free(cl->path);
	free(cl);
}

struct ipc_channel *
ipc_client_channel(struct ipc_client *cl)
{
	return cl->ready ? cl->chan : NULL;
}

int
ipc_client_ready(const struct ipc_client *cl)
{
	return cl->ready;
}

unsigned int
ipc_client_connects(const struct ipc_client *cl)
{
	return cl->connects;
}

uint32_t
ipc_client_version(const struct ipc_client *cl)
{
	return cl->version;
}

const char *
ipc_client_peer_name(const struct ipc_client *cl)
{
	return cl->peer_name;
}

/* Blocking helpers for tools and tests. */

int
ipc_sync_send(int fd, uint32_t type, uint32_t id, uint16_t flags, int pass_fd,
    xdrproc_t proc, const void *obj)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct ipc_hdr hdr;
	struct iovec iov[2];
	struct msghdr mh;
	uint8_t *body = NULL;
	size_t len = 0, sent = 0, total;
	ssize_t n;

	if (proc != NULL && (body = ipc_encode(proc, obj, &len)) == NULL)
		return -1;
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = (uint32_t)len;
	hdr.id = id;
	hdr.flags = (uint16_t)(flags | (pass_fd != -1 ? IPC_F_FD : 0));
	total = IPC_HDR_SIZE + len;
	while (sent < total) {
		memset(&mh, 0, sizeof(mh));
		if (sent < IPC_HDR_SIZE) {
			iov[0].iov_base = (uint8_t *)&hdr + sent;
			iov[0].iov_len = IPC_HDR_SIZE - sent;
			iov[1].iov_base = body;
			iov[1].iov_len = len;
			mh.msg_iovlen = len ? 2 : 1;
		} else {
			iov[0].iov_base = body + (sent - IPC_HDR_SIZE);
			iov[0].iov_len = total - sent;
			mh.msg_iovlen = 1;
		}
		mh.msg_iov = iov;
		if (sent == 0 && pass_fd != -1)
			ipc_attach_fd(&mh, cmsgbuf.buf, sizeof(cmsgbuf.buf),
			    pass_fd);
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			free(body);
			return -1;
		}
		sent += (size_t)n;
	}
	free(body);
	return 0;
}

/*
 * The blocking API is for single-threaded tools: one fd that came early
 * is kept here, for the socket it came on.
 */
static int sync_early_sock = -1;
static int sync_early_fd = -1;

static void
ipc_sync_pair_fd(int sock, struct ipc_sync_reply *reply)
{
	if (sync_early_fd != -1 && sync_early_sock != sock) {
		close(sync_early_fd);
		sync_early_fd = -1;
	}
	if (!(reply->hdr.flags & IPC_F_FD)) {
		if (reply->fd != -1) {
			if (sync_early_fd != -1)
				close(sync_early_fd);
			sync_early_fd = reply->fd;
			sync_early_sock = sock;
			reply->fd = -1;
		}
	} else if (reply->fd == -1) {
		reply->fd = sync_early_fd;
		sync_early_fd = -1;
	} else if (sync_early_fd != -1) {
		close(sync_early_fd);
		sync_early_fd = -1;
	}
}

int
ipc_sync_recv(int fd, struct ipc_sync_reply *reply)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *c;
	ssize_t n;
	size_t got = 0;

	memset(reply, 0, sizeof(*reply));
	reply->fd = -1;
	/*
	 * The header, with any fd that rides on its first byte: the fd of
	 * this message if it is flagged, else of the flagged one that
	 * follows in the same sendmsg (see the top), kept until it comes.
	 */
	while (got < IPC_HDR_SIZE) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = (uint8_t *)&reply->hdr + got;
		iov.iov_len = IPC_HDR_SIZE - got;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cmsgbuf.buf;
		mh.msg_controllen = sizeof(cmsgbuf.buf);
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ECONNRESET;
			goto fail;
		}
		for (c = CMSG_FIRSTHDR(&mh); c != NULL;
		    c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_RIGHTS && reply->fd == -1)
				memcpy(&reply->fd, CMSG_DATA(c), sizeof(int));
		got += (size_t)n;
	}
	ipc_sync_pair_fd(fd, reply);
	if (reply->hdr.len > IPC_BODY_MAX) {
		errno = EMSGSIZE;
		goto fail;
	}
	if ((reply->body = malloc(reply->hdr.len + 1)) == NULL)
		goto fail;
	if (util_read_all(fd, reply->body, reply->hdr.len) == -1)
		goto fail;
	return 0;
fail:
	ipc_sync_reply_free(reply);
	return -1;
}

int
ipc_sync_decode(const struct ipc_sync_reply *reply, xdrproc_t proc,
    void *obj)
{
	struct ipc_msg msg;

	msg.hdr = reply->hdr;
	msg.body = reply->body;
	msg.len = reply->hdr.len;
	msg.fd = -1;
	return ipc_decode(&msg, proc, obj);
}

void
ipc_sync_reply_free(struct ipc_sync_reply *reply)
{
	free(reply->body);
	reply->body = NULL;
	if (reply->fd != -1)
		close(reply->fd);
	reply->fd = -1;
}

int
ipc_sync_hello(int fd, enum ipc_role role, const char *name,
    struct ipc_hello_reply *out)
{
	struct ipc_sync_reply reply;
	struct ipc_hello hello;
	int rc;

	memset(&hello, 0, sizeof(hello));
	hello.role = role;
	hello.version_min = IPC_PROTO_VERSION_MIN;
	hello.version_max = IPC_PROTO_VERSION;
	hello.pid = (u_int)getpid();
	hello.name = (char *)name;
	if (ipc_sync_send(fd, IPC_HELLO, 1, 0, -1, (xdrproc_t)xdr_ipc_hello,
	    &hello) == -1 || ipc_sync_recv(fd, &reply) == -1)
		return -1;
	if (reply.hdr.type != IPC_HELLO_REPLY) {
		ipc_sync_reply_free(&reply);
		errno = EACCES;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	rc = ipc_sync_decode(&reply, (xdrproc_t)xdr_ipc_hello_reply, out);
	ipc_sync_reply_free(&reply);
	if (rc == -1)
		errno = EBADMSG;
	return rc;
}
