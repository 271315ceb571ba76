/*
 * The ONC RPC server (RFC 5531; record marking, section 11) that nfsd,
 * lockd and statd run on.  See rpcsvc.h.  The call header is read by
 * common/rpcmsg.c and its flavour by common/rpcauth.c; argument and
 * result bodies go through rpcgen's XDR routines over a memory stream,
 * which check their own bounds, or through the service's own coders.
 *
 * A TCP connection is read RPCSVC_INBUF bytes at a time, so that one
 * read(2) brings in every call a client has pipelined; a record is
 * gathered fragment by fragment into one buffer whose size is checked
 * against the listener's largest record_max before anything is
 * allocated (a fragment longer than the input buffer is read straight
 * into it); the call owns it until it is answered.  Replies are queued
 * per connection and written with writev, file data with sendfile;
 * while a read event dispatches calls, the replies they produce wait and
 * leave together in one writev at its end (DESIGN.md 3: several requests
 * per wakeup, replies coalesced); replies made outside it (answers from
 * blockd or stated, a batch at a time) wait for the end of the loop
 * turn (rpcsvc_deferred_cb).  Reading pauses when a connection
 * has RPCSVC_CONN_CALLS_MAX calls in flight or when common/connlimit.c
 * says its output is over a cap (what was read stays buffered).  A
 * call's reply is counted as output from the moment the call is read
 * (its record, RPCSVC_REPLY_SLACK, and what rpcsvc_reserve adds), so
 * calls in flight count against the caps as their replies will.
 */
#define _GNU_SOURCE
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/queue.h>
#include <sys/uio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "connlimit.h"
#include "daemon.h"
#include "log.h"
#include "rpcsvc.h"
#include "rpcbind.h"
#include "util.h"

#define RPCSVC_IOV_MAX		256	/* 2 per reply: a read event's worth */
#define RPCSVC_INBUF		16384	/* bytes read from a connection at once */
/*
 * Buffers of the largest record (svc->record_max) are kept for the next
 * large record: malloc maps a fresh 1 MiB buffer and the kernel faults
 * it in page by page as the socket is read into it (a fifth of nfsd's
 * time in a stream of 1 MiB NFSv4 WRITEs went there).  Records smaller
 * than RPCSVC_REC_POOL_MIN are malloc'ed as they come.
 */
#define RPCSVC_REC_POOL		4
#define RPCSVC_REC_POOL_MIN	(64 * 1024)
#define RPCSVC_UDP_MAX		65536
#define RPCSVC_READ_BUDGET	64	/* records per wakeup, for fairness */
#define RPCSVC_CORK_MAX		65536	/* queued reply bytes that go at once */

/* A reply (or a call sent back) queued on a connection. */
struct rpcsvc_out {
	TAILQ_ENTRY(rpcsvc_out)	 entry;
	uint8_t			*buf;		/* record mark + message */
	size_t			 len, off;
	struct rpcsvc_fd	*io;		/* then file data, if any */
	off_t			 foff;
	size_t			 flen;
	size_t			 pad, padoff;	/* then XDR padding */
};

struct rpcsvc_listener {
	struct rpcsvc		*svc;
	int			 tcp_fd;
	int			 udp_fd;
	struct event		*ev_tcp;
	struct event		*ev_udp;
	const struct rpcsvc_program *const *programs;
	size_t			 record_max;	/* its largest program's */
};

struct rpcsvc_conn {
	TAILQ_ENTRY(rpcsvc_conn)	 entry;
	struct rpcsvc		*svc;
	const struct rpcsvc_listener *listener;
	int			 fd;
	struct event		*ev_read;
	struct event		*ev_write;
	struct connlimit_conn	 lim;
	int			 paused;	/* reading stopped */
	int			 corked;	/* in its read event: write at the end */
	int			 refs;
	int			 dead;
	size_t			 calls;		/* in flight */
	/* Record marking: the mark being read, then the fragments. */
	uint8_t			 hdr[4];
	size_t			 hdr_have;
	int			 in_body;
	int			 last;
	uint8_t			*rec;
	size_t			 rec_len;
	size_t			 rec_cap;
	int			 rec_pooled;	/* from svc->rec_pool's size */
	size_t			 frag_left;
	/* Bytes read but not yet taken into a record (freed when empty). */
	uint8_t			*in;
	size_t			 in_len, in_off;
	TAILQ_HEAD(, rpcsvc_out) out;
	/* Output waits for reply-cache entries to be safe. */
	int			 held;
	TAILQ_ENTRY(rpcsvc_conn) held_entry;
	/* A reply outside its read event: written at the loop turn's end. */
	int			 deferred;
	TAILQ_ENTRY(rpcsvc_conn) deferred_entry;
	struct sockaddr_storage	 peer;
	socklen_t		 peer_len;
	uint8_t			 key[16];
	unsigned int		 port;
	int			 loopback;
	char			 addr[RPCSVC_ADDR_MAX];
	char			 name[RPCSVC_NAME_MAX];
	/* Calls this server sent back to the peer (the backchannel). */
	TAILQ_HEAD(, rpcsvc_back) back;
	size_t			 nback;
	uint32_t		 next_xid;
};

struct rpcsvc_back {
	TAILQ_ENTRY(rpcsvc_back) entry;
	uint32_t		 xid;
	rpcsvc_result_fn	*fn;
	rpcsvc_record_fn	*record_fn;	/* else fn */
	void			*arg;
};

struct rpcsvc {
	struct event_base	*base;
	const struct rpcsvc_program *const *programs;
	size_t			 record_max;	/* the largest program's */
	size_t			 state_max;	/* the largest state_size */
	uint8_t			*udp_buf;
	void			*arg;
	const struct rpcauth_flavor *const *flavors;
	struct rpcsvc_listener	 listeners[RPCSVC_LISTENERS_MAX];
	size_t			 nlisteners;
	struct event		*ev_sweep;
	struct connlimit	*lim;
	TAILQ_HEAD(, rpcsvc_conn)	 conns;
	TAILQ_HEAD(, rpcsvc_conn)	 held;
	TAILQ_HEAD(, rpcsvc_conn)	 deferred;
	struct event		*ev_deferred;
	size_t			 nconns;
	struct rpcsvc_stats	 stats;
	uint8_t			*rec_pool[RPCSVC_REC_POOL];
	size_t			 rec_pooled;
};

static const uint8_t rpcsvc_zeros[4];

/* A buffer for a record of len bytes: from the pool when it is large. */
static uint8_t *
rpcsvc_rec_get(struct rpcsvc *svc, size_t len, int *pooled, size_t *cap)
{
	*pooled = 0;
	*cap = len;
	if (len < RPCSVC_REC_POOL_MIN || len > svc->record_max)
		return malloc(len);
	*pooled = 1;
	*cap = svc->record_max;
	if (svc->rec_pooled > 0) {
		svc->stats.recs_reused++;
		return svc->rec_pool[--svc->rec_pooled];
	}
	return malloc(svc->record_max);
}

static void
rpcsvc_rec_put(struct rpcsvc *svc, uint8_t *rec, int pooled)
{
	if (rec != NULL && pooled && svc->rec_pooled < RPCSVC_REC_POOL) {
		svc->rec_pool[svc->rec_pooled++] = rec;
		return;
	}
	free(rec);
}

struct rpcsvc_fd *
rpcsvc_fd_ref(struct rpcsvc_fd *io)
{
	io->refs++;
	return io;
}

void
rpcsvc_fd_unref(struct rpcsvc_fd *io)
{
	if (io == NULL || --io->refs > 0)
		return;
	if (close(io->fd) == -1)
		log_warn("close file of a reply");
	free(io);
}

void
rpcsvc_addr_string(const struct sockaddr *sa, char *buf, size_t len,
    int *loopback)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	struct in_addr v4;

	*loopback = 0;
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, buf, (socklen_t)len);
		*loopback = (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	} else if (sa->sa_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			memcpy(&v4, &sin6->sin6_addr.s6_addr[12], 4);
			inet_ntop(AF_INET, &v4, buf, (socklen_t)len);
			*loopback = (ntohl(v4.s_addr) >> 24) == 127;
		} else {
			inet_ntop(AF_INET6, &sin6->sin6_addr, buf,
			    (socklen_t)len);
			*loopback = IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
		}
	} else
		snprintf(buf, len, "?");
}

/* The address as connlimit counts it: IPv4 as ::ffff:a.b.c.d. */
static void
rpcsvc_addr_key(const struct sockaddr *sa, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (sa->sa_family == AF_INET) {
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, &((const struct sockaddr_in *)sa)->sin_addr,
		    4);
	} else if (sa->sa_family == AF_INET6)
		memcpy(addr, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		    16);
}

static int
rpcsvc_sockaddr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

/* Connections. */

static void	rpcsvc_conn_flush(struct rpcsvc_conn *);
static void	rpcsvc_conn_pause_check(struct rpcsvc_conn *);

static void
rpcsvc_conn_unref(struct rpcsvc_conn *c)
{
	struct rpcsvc_out *o;

	if (--c->refs > 0)
		return;
	while ((o = TAILQ_FIRST(&c->out)) != NULL) {
		TAILQ_REMOVE(&c->out, o, entry);
		rpcsvc_fd_unref(o->io);
		free(o->buf);
		free(o);
	}
	free(c->rec);
	free(c->in);
	free(c);
}

/* The connection goes: its callbacks get no answer. */
static void
rpcsvc_back_fail(struct rpcsvc_conn *c)
{
	struct rpcsvc_back *b;

	while ((b = TAILQ_FIRST(&c->back)) != NULL) {
		TAILQ_REMOVE(&c->back, b, entry);
		c->nback--;
		if (b->record_fn != NULL)
			b->record_fn(b->arg, -ECONNRESET, NULL, 0);
		else
			b->fn(b->arg, -ECONNRESET, NULL);
		free(b);
	}
}

static void
rpcsvc_conn_kill(struct rpcsvc_conn *c, const char *why)
{
	if (c->dead)
		return;
	if (why != NULL)
		log_info_rl("rpc: %s: connection closed: %s", c->name, why);
	c->dead = 1;
	event_free(c->ev_read);
	event_free(c->ev_write);
	c->ev_read = c->ev_write = NULL;
	if (close(c->fd) == -1)
		log_warn("rpc: %s: close", c->name);
	c->fd = -1;
	connlimit_release(c->svc->lim, &c->lim);
	TAILQ_REMOVE(&c->svc->conns, c, entry);
	c->svc->nconns--;
	rpcsvc_back_fail(c);
	rpcsvc_conn_unref(c);
}

static void
rpcsvc_conn_pause_check(struct rpcsvc_conn *c)
{
	int want_pause;

	if (c->dead)
		return;
	want_pause = c->calls >= RPCSVC_CONN_CALLS_MAX ||
	    !connlimit_may_read(c->svc->lim, &c->lim);
	if (want_pause && !c->paused) {
		event_del(c->ev_read);
		c->paused = 1;
	} else if (!want_pause && c->paused) {
		c->paused = 0;
		if (event_add(c->ev_read, NULL) == -1)
			rpcsvc_conn_kill(c, "event_add failed");
		else if (c->in_off < c->in_len)
			/* Calls read already: the socket may stay quiet. */
			event_active(c->ev_read, EV_READ, 0);
	}
}

/* Queue buf (record mark + message, len bytes; taken) and file data. */
static void
rpcsvc_conn_queue(struct rpcsvc_conn *c, uint8_t *buf, size_t len,
    struct rpcsvc_fd *io, off_t foff, size_t flen)
{
	struct rpcsvc_out *o;
	uint32_t mark;

	if (c->dead || (o = calloc(1, sizeof(*o))) == NULL) {
		free(buf);
		rpcsvc_fd_unref(io);
		return;
	}
	o->buf = buf;
	o->len = len;
	if (flen > 0) {
		o->io = io;
		o->foff = foff;
		o->flen = flen;
		o->pad = (4 - (flen & 3)) & 3;
	} else
		rpcsvc_fd_unref(io);
	mark = RPC_LAST_FRAGMENT | (uint32_t)(len - 4 + o->flen + o->pad);
	buf[0] = (uint8_t)(mark >> 24);
	buf[1] = (uint8_t)(mark >> 16);
	buf[2] = (uint8_t)(mark >> 8);
	buf[3] = (uint8_t)mark;
	TAILQ_INSERT_TAIL(&c->out, o, entry);
	connlimit_out_add(c->svc->lim, &c->lim, o->len + o->flen + o->pad);
}

static void
rpcsvc_out_done(struct rpcsvc_conn *c, struct rpcsvc_out *o)
{
	TAILQ_REMOVE(&c->out, o, entry);
	connlimit_out_done(c->svc->lim, &c->lim, o->len + o->flen + o->pad);
	rpcsvc_fd_unref(o->io);
	free(o->buf);
	free(o);
}

/* Bytes of replies queued on c and not yet written. */
static size_t
rpcsvc_conn_pending(const struct rpcsvc_conn *c)
{
	const struct rpcsvc_out *o;
	size_t n = 0;

	TAILQ_FOREACH(o, &c->out, entry)
		n += (o->len - o->off) + o->flen + (o->pad - o->padoff);
	return n;
}

static void
rpcsvc_conn_flush(struct rpcsvc_conn *c)
{
	struct iovec iov[RPCSVC_IOV_MAX];
	struct rpcsvc_out *o;
	ssize_t n;
	size_t left;
	int niov;

	if (c->held)
		return;		/* rpcsvc_release_held writes it */
	if (c->deferred && rpcsvc_conn_pending(c) < RPCSVC_CORK_MAX)
		return;		/* rpcsvc_deferred_cb writes it */
	/*
	 * In a read event, small replies wait for the others of the event;
	 * once RPCSVC_CORK_MAX bytes wait, they go: holding large READ
	 * replies back to the end of the event only delays them (NFSv3
	 * sequential 1 MiB reads ran at a fifth of their speed).
	 */
	if (c->corked && rpcsvc_conn_pending(c) < RPCSVC_CORK_MAX)
		return;
	while (!c->dead && (o = TAILQ_FIRST(&c->out)) != NULL) {
		if (o->off == o->len && o->flen == 0 && o->padoff == o->pad) {
			rpcsvc_out_done(c, o);
			continue;
		}
		if (o->off == o->len && o->flen > 0) {
			/* The file data of a reply. */
			n = sendfile(c->fd, o->io->fd, &o->foff, o->flen);
			c->svc->stats.writes++;
			if (n == -1) {
				if (errno == EAGAIN || errno == EINTR)
					goto again;
				log_warn_rl("rpc: %s: sendfile", c->name);
				rpcsvc_conn_kill(c, "sendfile failed");
				return;
			}
			if (n == 0) {
				/* Shrunk under us: zeros keep the framing. */
				n = write(c->fd, rpcsvc_zeros, o->flen < 4 ?
				    o->flen : 4);
				c->svc->stats.writes++;
				if (n == -1) {
					if (errno == EAGAIN || errno == EINTR)
						goto again;
					rpcsvc_conn_kill(c, "write failed");
					return;
				}
			}
			o->flen -= (size_t)n;
			connlimit_out_done(c->svc->lim, &c->lim, (size_t)n);
			connlimit_progress(c->svc->lim, &c->lim,
			    connlimit_now());
			continue;
		}
		niov = 0;
		TAILQ_FOREACH(o, &c->out, entry) {
			if (niov + 2 > RPCSVC_IOV_MAX)
				break;
			if (o->off < o->len) {
				iov[niov].iov_base = o->buf + o->off;
				iov[niov++].iov_len = o->len - o->off;
			}
			if (o->flen > 0)
				break;
			if (o->padoff < o->pad) {
				iov[niov].iov_base = (void *)rpcsvc_zeros;
				iov[niov++].iov_len = o->pad - o->padoff;
			}
		}
		if (niov == 0)
			break;
		n = writev(c->fd, iov, niov);
		c->svc->stats.writes++;
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				goto again;
			if (errno != EPIPE && errno != ECONNRESET)
				log_warn_rl("rpc: %s: writev", c->name);
			rpcsvc_conn_kill(c, NULL);
			return;
		}
		connlimit_progress(c->svc->lim, &c->lim, connlimit_now());
		left = (size_t)n;
		while ((o = TAILQ_FIRST(&c->out)) != NULL) {
			size_t take = o->len - o->off;

			if (take > left)
				take = left;
			o->off += take;
			left -= take;
			if (o->off < o->len || o->flen > 0)
				break;
			take = o->pad - o->padoff;
			if (take > left)
				take = left;
			o->padoff += take;
			left -= take;
			if (o->padoff < o->pad)
				break;
			rpcsvc_out_done(c, o);
		}
	}
	if (!c->dead && TAILQ_EMPTY(&c->out))
		event_del(c->ev_write);
	return;
again:
	if (event_add(c->ev_write, NULL) == -1)
		rpcsvc_conn_kill(c, "event_add failed");
}

/*
 * Hold a connection's output until the reply cache's entries of this
 * loop iteration are safe (nfsd mirrors them to stated): a client never
 * sees a reply whose entry a restarted server could not find.
 */
static void
rpcsvc_conn_hold(struct rpcsvc_conn *c)
{
	if (c->held)
		return;
	c->held = 1;
	c->refs++;
	TAILQ_INSERT_TAIL(&c->svc->held, c, held_entry);
}

/*
 * Replies that come back from another process (blockd, stated) are
 * produced in that channel's read event, many at once: written as each
 * comes, every one was a writev(2) and a wakeup of the client (an NFSv4
 * REMOVE reply, 60 of them per blockd batch).  They wait for the end
 * of the loop turn instead, each connection's in one writev.  A reply
 * only ever leaves later so, never earlier: what it promises (blockd's
 * log flush for a REMOVE) was done before it was made.
 */
static void
rpcsvc_deferred_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpcsvc *svc = arg;
	struct rpcsvc_conn *c;

	while ((c = TAILQ_FIRST(&svc->deferred)) != NULL) {
		TAILQ_REMOVE(&svc->deferred, c, deferred_entry);
		c->deferred = 0;
		rpcsvc_conn_flush(c);
		rpcsvc_conn_pause_check(c);
		rpcsvc_conn_unref(c);
	}
}

static void
rpcsvc_conn_defer(struct rpcsvc_conn *c)
{
	if (c->deferred || c->svc->ev_deferred == NULL)
		return;
	c->deferred = 1;
	c->refs++;
	TAILQ_INSERT_TAIL(&c->svc->deferred, c, deferred_entry);
	event_active(c->svc->ev_deferred, EV_TIMEOUT, 1);
}

void
rpcsvc_release_held(struct rpcsvc *svc)
{
	struct rpcsvc_conn *c;

	if (svc == NULL)
		return;
	while ((c = TAILQ_FIRST(&svc->held)) != NULL) {
		TAILQ_REMOVE(&svc->held, c, held_entry);
		c->held = 0;
		rpcsvc_conn_flush(c);
		rpcsvc_conn_pause_check(c);
		rpcsvc_conn_unref(c);
	}
}

/* RFC 5531 9: a reply on an accepted connection answers a callback. */
static void
rpcsvc_back_reply(struct rpcsvc_conn *c, const uint8_t *rec, size_t len)
{
	struct rpcsvc_back *b;
	uint32_t xid, stat;
	size_t off;
	XDR xdrs;

	if (rpcmsg_decode_reply(rec, len, &xid, &stat, &off) == -1) {
		log_warnx_rl("rpc: malformed reply on a connection");
		return;
	}
	TAILQ_FOREACH(b, &c->back, entry)
		if (b->xid == xid)
			break;
	if (b == NULL) {
		log_debug("rpc: reply xid %08x answers no callback", xid);
		return;
	}
	TAILQ_REMOVE(&c->back, b, entry);
	c->nback--;
	if (b->record_fn != NULL)
		b->record_fn(b->arg, 0, rec, len);
	else if (stat != RPC_SUCCESS)
		b->fn(b->arg, -EPROTO, NULL);
	else {
		xdrmem_create(&xdrs, (char *)(uintptr_t)(rec + off),
		    (u_int)(len - off), XDR_DECODE);
		b->fn(b->arg, 0, &xdrs);
		xdr_destroy(&xdrs);
	}
	free(b);
}

struct rpcsvc_conn *
rpcsvc_conn_ref(struct rpcsvc_conn *c)
{
	if (c != NULL)
		c->refs++;
	return c;
}

void
rpcsvc_conn_release(struct rpcsvc_conn *c)
{
	if (c != NULL)
		rpcsvc_conn_unref(c);
}

int
rpcsvc_conn_alive(const struct rpcsvc_conn *c)
{
	return c != NULL && !c->dead;
}

/* A backchannel call's record (o, its mark reserved) goes out; b waits. */
static int
rpcsvc_back_send(struct rpcsvc_conn *c, struct rpcsvc_back *b,
    struct xdrbuf_out *o)
{
	if (o->failed) {
		xdrbuf_out_free(o);
		free(b);
		return -1;
	}
	rpcsvc_conn_queue(c, o->buf, o->len, NULL, 0, 0);
	TAILQ_INSERT_TAIL(&c->back, b, entry);
	c->nback++;
	c->refs++;
	rpcsvc_conn_flush(c);
	rpcsvc_conn_pause_check(c);
	rpcsvc_conn_unref(c);
	return 0;
}

int
rpcsvc_back_call(struct rpcsvc_conn *c, uint32_t prog, uint32_t vers,
    uint32_t proc, const char *machine, xdrproc_t encode, const void *args,
    rpcsvc_result_fn *fn, void *arg)
{
	struct rpcmsg_sys_cred cred;

	rpcmsg_sys_root(&cred, machine);
	return rpcsvc_back_call_cred(c, prog, vers, proc, &cred, encode, args,
	    fn, arg);
}

int
rpcsvc_back_call_cred(struct rpcsvc_conn *c, uint32_t prog, uint32_t vers,
    uint32_t proc, const struct rpcmsg_sys_cred *cred, xdrproc_t encode,
    const void *args, rpcsvc_result_fn *fn, void *arg)
{
	struct rpcsvc_back *b;
	struct xdrbuf_out o;
	uint8_t *body;
	size_t head, max;
	XDR xdrs;

	if (c == NULL || c->dead || c->nback >= RPCSVC_CONN_CALLS_MAX)
		return -1;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -1;
	b->xid = (uint32_t)arc4random() ^ c->next_xid++;
	b->fn = fn;
	b->arg = arg;
	xdrbuf_out_init(&o);
	xdrbuf_reserve(&o, 4);
	rpcmsg_call_header_cred(&o, b->xid, prog, vers, proc, cred);
	head = o.len;
	max = c->listener->record_max;
	if (encode != NULL && !o.failed &&
	    (body = xdrbuf_reserve(&o, max)) != NULL) {
		xdrmem_create(&xdrs, (char *)body, (u_int)max, XDR_ENCODE);
		if (!encode(&xdrs, (void *)(uintptr_t)args))
			o.failed = 1;
		else
			o.len = head + xdr_getpos(&xdrs);
		xdr_destroy(&xdrs);
	}
	return rpcsvc_back_send(c, b, &o);
}

uint32_t
rpcsvc_back_xid(struct rpcsvc_conn *c)
{
	return (uint32_t)arc4random() ^ c->next_xid++;
}

int
rpcsvc_back_call_record(struct rpcsvc_conn *c, uint32_t xid,
    const uint8_t *rec, size_t len, rpcsvc_record_fn *fn, void *arg)
{
	struct rpcsvc_back *b;
	struct xdrbuf_out o;

	if (c == NULL || c->dead || c->nback >= RPCSVC_CONN_CALLS_MAX ||
	    len < 4 || len > c->listener->record_max)
		return -1;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -1;
	b->xid = xid;
	b->record_fn = fn;
	b->arg = arg;
	xdrbuf_out_init(&o);
	xdrbuf_reserve(&o, 4);		/* the record mark */
	xdrbuf_put_fixed(&o, rec, len);
	return rpcsvc_back_send(c, b, &o);
}

/* Calls. */

static void
rpcsvc_call_free(struct rpcsvc_call *call)
{
	struct rpcsvc_conn *c = call->conn;

	if (call->cache_held)
		rpcsvc_cache_abandon(call);
	if (c != NULL && call->reserved > 0)
		connlimit_out_done(c->svc->lim, &c->lim, call->reserved);
	rpcauth_call_clear(&call->auth);
	if (call->decoded != NULL) {
		xdr_free(call->proc->decode, call->decoded);
		free(call->decoded);
	}
	rpcsvc_fd_unref(call->data_fd);
	xdrbuf_out_free(&call->out);
	if (c != NULL)
		rpcsvc_rec_put(c->svc, call->rec, call->rec_pooled);
	else
		free(call->rec);
	free(call);
	if (c != NULL) {
		c->calls--;
		connlimit_inflight(c->svc->lim, &c->lim, -1, connlimit_now());
		rpcsvc_conn_pause_check(c);
		rpcsvc_conn_unref(c);
	}
}

void
rpcsvc_hold_reply(struct rpcsvc_call *call)
{
	call->hold_reply = 1;
}

int
rpcsvc_call_alive(const struct rpcsvc_call *call)
{
	return call->conn == NULL || !call->conn->dead;
}

void
rpcsvc_reserve(struct rpcsvc_call *call, size_t n)
{
	if (call->conn == NULL || call->conn->dead)
		return;
	call->reserved += n;
	connlimit_out_add(call->svc->lim, &call->conn->lim, n);
}

void
rpcsvc_cache_abandon(struct rpcsvc_call *call)
{
	if (!call->cache_held)
		return;
	call->cache_held = 0;
	call->program->cache->abandon(call->svc->arg, call);
}

size_t
rpcsvc_body_offset(const struct rpcsvc_call *call)
{
	return rpcauth_reply_head(&call->auth);
}

/*
 * Send the message in call->out, which starts with four bytes left for
 * the record mark (TCP fills them in, UDP skips them), and its file
 * data, then free the call.
 */
static void
rpcsvc_send(struct rpcsvc_call *call, int hold)
{
	struct rpcsvc_conn *c = call->conn;

	if (call->out.failed || call->out.len < 4) {
		log_warnx_rl("rpc: reply to %s does not encode; dropped",
		    call->peer_name);
		rpcsvc_call_free(call);
		return;
	}
	if (c == NULL) {
		if (sendto(call->udp_fd, call->out.buf + 4, call->out.len - 4,
		    MSG_DONTWAIT, (struct sockaddr *)&call->peer,
		    call->peer_len) == -1)
			log_warn_rl("rpc: reply to %s", call->peer_name);
		rpcsvc_call_free(call);
		return;
	}
	/* The reply replaces what was counted for it in flight. */
	connlimit_out_done(c->svc->lim, &c->lim, call->reserved);
	call->reserved = 0;
	rpcsvc_conn_queue(c, call->out.buf, call->out.len, call->data_fd,
	    call->data_off, call->data_len);
	call->out.buf = NULL;
	call->data_fd = NULL;
	c->refs++;
	rpcsvc_call_free(call);
	if (hold)
		rpcsvc_conn_hold(c);
	else if (!c->corked)
		rpcsvc_conn_defer(c);
	rpcsvc_conn_flush(c);
	rpcsvc_conn_pause_check(c);
	rpcsvc_conn_unref(c);
}

/* File data into the reply itself (UDP, a wrapping flavour, a cache). */
static void
rpcsvc_data_inline(struct rpcsvc_call *call)
{
	size_t len = call->data_len, done = 0;
	uint8_t *p;
	ssize_t got;

	if ((p = xdrbuf_reserve(&call->out, (len + 3) & ~(size_t)3)) ==
	    NULL)
		goto out;
	while (done < len) {
		got = pread(call->data_fd->fd, p + done, len - done,
		    call->data_off + (off_t)done);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			log_warn_rl("rpc: %s: reading a reply's data",
			    call->peer_name);
			call->out.failed = 1;
			break;
		}
		if (got == 0)
			break;		/* shorter now: zeros, as sendfile */
		done += (size_t)got;
	}
	memset(p + done, 0, ((len + 3) & ~(size_t)3) - done);
out:
	rpcsvc_fd_unref(call->data_fd);
	call->data_fd = NULL;
	call->data_len = 0;
}

/*
 * Head the reply in call->out (its body encoded after the head) with
 * accept_stat: the cache keeps a successful body, the flavour wraps it.
 */
static void
rpcsvc_finish(struct rpcsvc_call *call, uint32_t stat)
{
	int hold = 0, wraps;

	wraps = call->auth.flavor != NULL && call->auth.flavor->wrap != NULL;
	if (call->data_fd != NULL && call->data_len > 0 &&
	    (call->conn == NULL || wraps || call->cache_held))
		rpcsvc_data_inline(call);
	if (call->cache_held) {
		if (stat == RPC_SUCCESS && !call->out.failed) {
			size_t head = rpcauth_reply_head(&call->auth);

			call->cache_held = 0;
			hold = call->program->cache->complete(call->svc->arg,
			    call, call->out.buf + head, call->out.len - head);
		} else
			rpcsvc_cache_abandon(call);
	}
	if (rpcauth_reply_finish(&call->auth, &call->out, stat) == -1 &&
	    !call->out.failed)
		log_warnx_rl("rpc: %s: the reply's flavour failed",
		    call->peer_name);
	rpcsvc_send(call, (hold || call->hold_reply) && call->conn != NULL);
}

/* An accepted reply: res through proc after the head; NULL for void. */
static void
rpcsvc_reply_accepted(struct rpcsvc_call *call, uint32_t stat, xdrproc_t proc,
    const void *res, uint32_t low, uint32_t high)
{
	size_t head = rpcauth_reply_head(&call->auth), max;
	uint8_t *body;
	XDR xdrs;

	call->out.len = head;
	rpcsvc_fd_unref(call->data_fd);
	call->data_fd = NULL;
	call->data_len = 0;
	if (stat == RPC_PROG_MISMATCH) {
		xdrbuf_put_u32(&call->out, low);
		xdrbuf_put_u32(&call->out, high);
	} else if (stat == RPC_SUCCESS && proc != NULL) {
		/* The results go through rpcgen's encoder, bounded. */
		max = call->program != NULL ? call->program->record_max :
		    call->svc->record_max;
		if ((body = xdrbuf_reserve(&call->out, max)) != NULL) {
			xdrmem_create(&xdrs, (char *)body, (u_int)max,
			    XDR_ENCODE);
			if (!proc(&xdrs, (void *)(uintptr_t)res))
				call->out.failed = 1;
			else
				call->out.len = head + xdr_getpos(&xdrs);
			xdr_destroy(&xdrs);
		}
	}
	rpcsvc_finish(call, stat);
}

static void
rpcsvc_reply_denied(struct rpcsvc_call *call, uint32_t why, uint32_t detail)
{
	if (call->cache_held)
		rpcsvc_cache_abandon(call);
	if (xdrbuf_reserve(&call->out, 4) != NULL)
		rpcmsg_reply_denied(&call->out, call->auth.msg.xid, why,
		    detail);
	rpcsvc_send(call, 0);
}

int
rpcsvc_decode_args(struct rpcsvc_call *call, xdrproc_t proc, void *obj)
{
	XDR xdrs;
	int ok;

	xdrmem_create(&xdrs, (char *)(uintptr_t)call->args,
	    (u_int)call->args_len, XDR_DECODE);
	ok = proc(&xdrs, obj);
	xdr_destroy(&xdrs);
	if (!ok) {
		xdr_free(proc, obj);
		return -1;
	}
	return 0;
}

void
rpcsvc_reply(struct rpcsvc_call *call, const void *res)
{
	rpcsvc_reply_with(call, call->proc != NULL ? call->proc->encode :
	    NULL, res);
}

void
rpcsvc_reply_with(struct rpcsvc_call *call, xdrproc_t proc, const void *res)
{
	rpcsvc_reply_accepted(call, RPC_SUCCESS, proc, res, 0, 0);
}

void
rpcsvc_reply_body(struct rpcsvc_call *call)
{
	rpcsvc_finish(call, RPC_SUCCESS);
}

void
rpcsvc_reply_file(struct rpcsvc_call *call, struct rpcsvc_fd *io, off_t off,
    size_t len)
{
	rpcsvc_fd_unref(call->data_fd);
	call->data_fd = len > 0 ? rpcsvc_fd_ref(io) : NULL;
	call->data_off = off;
	call->data_len = len;
	rpcsvc_finish(call, RPC_SUCCESS);
}

void
rpcsvc_reply_error(struct rpcsvc_call *call, uint32_t stat)
{
	if (stat == RPC_GARBAGE_ARGS)
		call->svc->stats.garbage++;
	rpcsvc_reply_accepted(call, stat, NULL, NULL, call->program != NULL ?
	    call->program->vers_min : 0, call->program != NULL ?
	    call->program->vers_max : 0);
}

void
rpcsvc_call_drop(struct rpcsvc_call *call)
{
	rpcsvc_call_free(call);
}

/* A replayed reply: the cached body under a head made for this call. */
static void
rpcsvc_reply_cached(struct rpcsvc_call *call, const uint8_t *body,
    size_t len)
{
	uint8_t *p;

	call->out.len = rpcauth_reply_head(&call->auth);
	if ((p = xdrbuf_reserve(&call->out, len)) != NULL)
		memcpy(p, body, len);
	rpcsvc_finish(call, RPC_SUCCESS);
}

static void	rpcsvc_accept(struct rpcsvc *, struct rpcsvc_call *);

/*
 * RFC 5531 9: the program, version and procedure of an accepted call from
 * the listener's table, the reply cache, its arguments decoded, then its
 * handler.
 */
static void
rpcsvc_dispatch(struct rpcsvc *svc, struct rpcsvc_call *call,
    const struct rpcsvc_program *const *programs)
{
	const struct rpcsvc_program *prog = NULL;
	const struct rpcsvc_version *vers = NULL;
	const uint8_t *body;
	size_t i, body_len;

	for (i = 0; programs[i] != NULL; i++)
		if (programs[i]->prog == call->auth.msg.prog) {
			prog = programs[i];
			break;
		}
	if (prog == NULL) {
		log_debug("rpc: %s: program %u unavailable", call->peer_name,
		    call->auth.msg.prog);
		rpcsvc_reply_error(call, RPC_PROG_UNAVAIL);
		return;
	}
	call->program = prog;
	if (prog->state_size > 0)
		memset(call->state, 0, prog->state_size);
	if (call->rec_len > prog->record_max) {
		log_warnx_rl("rpc: %s call of %zu bytes from %s over %zu",
		    prog->name, call->rec_len, call->peer_name,
		    prog->record_max);
		rpcsvc_reply_error(call, RPC_GARBAGE_ARGS);
		return;
	}
	for (i = 0; i < prog->nversions; i++)
		if (prog->versions[i].vers == call->auth.msg.vers)
			vers = &prog->versions[i];
	if (vers == NULL || call->auth.msg.vers < prog->vers_min ||
	    call->auth.msg.vers > prog->vers_max) {
		log_debug("rpc: %s: %s version %u", call->peer_name,
		    prog->name, call->auth.msg.vers);
		rpcsvc_reply_error(call, RPC_PROG_MISMATCH);
		return;
	}
	/* RFC 2203 5.2: the flavour's own calls (context creation, ...). */
	if (call->auth.control != RPCAUTH_CONTROL_NONE &&
	    call->auth.flavor->control != NULL) {
		call->auth.flavor->control(call->auth.flavor, call);
		return;
	}
	if (call->auth.msg.proc >= vers->nprocs ||
	    vers->procs[call->auth.msg.proc].handler == NULL) {
		log_info_rl("rpc: %s: %s v%u procedure %u unavailable",
		    call->peer_name, prog->name, call->auth.msg.vers,
		    call->auth.msg.proc);
		rpcsvc_reply_error(call, RPC_PROC_UNAVAIL);
		return;
	}
	call->proc = &vers->procs[call->auth.msg.proc];
	call->args = call->auth.args;
	call->args_len = call->auth.args_len;
	if (call->proc->cache == RPCSVC_CACHE_REPLY && prog->cache != NULL) {
		switch (prog->cache->lookup(svc->arg, call, call->rec,
		    call->rec_len, &body, &body_len)) {
		case RPCSVC_CACHE_IN_PROGRESS:
			log_debug("rpc: %s: xid %08x in progress; "
			    "retransmission dropped", call->peer_name,
			    call->auth.msg.xid);
			rpcsvc_call_free(call);
			return;
		case RPCSVC_CACHE_HIT:
			log_debug("rpc: %s: xid %08x replayed from the reply "
			    "cache", call->peer_name, call->auth.msg.xid);
			rpcsvc_reply_cached(call, body, body_len);
			return;
		case RPCSVC_CACHE_MISS:
			call->cache_held = 1;
			break;
		}
	}
	if (call->proc->decode != NULL) {
		if ((call->decoded = calloc(1, call->proc->args_size)) ==
		    NULL) {
			log_warn("rpc call");
			rpcsvc_reply_error(call, RPC_SYSTEM_ERR);
			return;
		}
		if (rpcsvc_decode_args(call, call->proc->decode,
		    call->decoded) == -1) {
			free(call->decoded);
			call->decoded = NULL;
			log_warnx_rl("%s v%u %s from %s: garbage arguments",
			    prog->name, call->auth.msg.vers, call->proc->name,
			    call->peer_name);
			rpcsvc_reply_error(call, RPC_GARBAGE_ARGS);
			return;
		}
	}
	call->proc->handler(call, call->decoded, svc->arg);
}

/*
 * One complete record (rec, taken) from a TCP connection (conn) or a
 * datagram from peer on udp_fd.
 */
static void
rpcsvc_message(struct rpcsvc *svc, struct rpcsvc_conn *conn,
    const struct rpcsvc_listener *l, int udp_fd,
    const struct sockaddr_storage *peer, socklen_t peer_len, uint8_t *rec,
    size_t len, int pooled)
{
	struct rpcsvc_call *call;

	/* The program's state is zeroed when the program is known. */
	if ((call = malloc(sizeof(*call) + svc->state_max)) == NULL) {
		log_warn("rpc call");
		rpcsvc_rec_put(svc, rec, pooled);
		return;
	}
	memset(call, 0, sizeof(*call));
	call->svc = svc;
	call->udp_fd = udp_fd;
	call->rec = rec;
	call->rec_len = len;
	call->rec_pooled = pooled;
	if (svc->state_max > 0)
		call->state = call + 1;
	if (conn != NULL) {
		call->conn = conn;
		conn->refs++;
		conn->calls++;
		connlimit_inflight(svc->lim, &conn->lim, 1, connlimit_now());
		memcpy(&call->peer, &conn->peer, conn->peer_len);
		call->peer_len = conn->peer_len;
		memcpy(call->peer_addr, conn->addr, sizeof(call->peer_addr));
		memcpy(call->peer_name, conn->name, sizeof(call->peer_name));
		memcpy(call->peer_key, conn->key, 16);
		call->peer_port = conn->port;
		call->peer_loopback = conn->loopback;
		/* The call's record and its reply, until it is sent. */
		rpcsvc_reserve(call, len + RPCSVC_REPLY_SLACK);
	} else {
		memcpy(&call->peer, peer, peer_len);
		call->peer_len = peer_len;
		rpcsvc_addr_string((const struct sockaddr *)peer,
		    call->peer_addr, sizeof(call->peer_addr),
		    &call->peer_loopback);
		rpcsvc_addr_key((const struct sockaddr *)peer, call->peer_key);
		call->peer_port = (unsigned int)rpcsvc_sockaddr_port(
		    (const struct sockaddr *)peer);
		snprintf(call->peer_name, sizeof(call->peer_name), "%s:%u",
		    call->peer_addr, call->peer_port);
	}
	svc->stats.calls++;
	call->programs = l->programs;
	rpcsvc_accept(svc, call);
}

/* The call's credentials, then its program (again when resumed). */
static void
rpcsvc_accept(struct rpcsvc *svc, struct rpcsvc_call *call)
{
	enum rpcmsg_verdict v;
	size_t len = call->rec_len;

	v = rpcauth_accept(svc->flavors, call->rec, len, &call->auth);
	if (rpcauth_reply_begin(&call->auth, &call->out) == -1) {
		rpcsvc_call_free(call);
		return;
	}
	switch (v) {
	case RPCMSG_OK:
		break;
	case RPCMSG_RPC_MISMATCH:
	case RPCMSG_AUTH_BADCRED:
	case RPCMSG_AUTH_BADVERF:
	case RPCMSG_AUTH_ERROR:
		svc->stats.garbage++;
		log_warnx_rl("rpc: %s: xid %08x: %s", call->peer_name,
		    call->auth.msg.xid, rpcmsg_verdict_name(v));
		if (v == RPCMSG_RPC_MISMATCH)
			rpcsvc_reply_denied(call, RPC_MISMATCH, 0);
		else
			rpcsvc_reply_denied(call, RPC_AUTH_ERROR,
			    rpcauth_denied_stat(&call->auth, v));
		return;
	case RPCMSG_GARBAGE:
		log_warnx_rl("rpc: %s: xid %08x: %s", call->peer_name,
		    call->auth.msg.xid, rpcmsg_verdict_name(v));
		rpcsvc_reply_error(call, RPC_GARBAGE_ARGS);
		return;
	case RPCMSG_AUTH_DROP:
		/* RFC 2203 5.3.3.1, or a context to fetch first. */
		if (call->auth.control == RPCAUTH_CONTROL_HOLD &&
		    call->auth.flavor != NULL &&
		    call->auth.flavor->control != NULL) {
			call->auth.flavor->control(call->auth.flavor, call);
			return;
		}
		rpcsvc_call_free(call);
		return;
	default:
		svc->stats.garbage++;
		log_warnx_rl("rpc: %s: record of %zu bytes dropped: %s",
		    call->peer_name, len, rpcmsg_verdict_name(v));
		rpcsvc_call_free(call);
		return;
	}
	rpcsvc_dispatch(svc, call, call->programs);
}

void
rpcsvc_call_resume(struct rpcsvc_call *call)
{
	if (!rpcsvc_call_alive(call)) {
		rpcsvc_call_free(call);
		return;
	}
	rpcauth_call_clear(&call->auth);
	call->out.len = 0;
	rpcsvc_accept(call->svc, call);
}

void
rpcsvc_reply_auth_error(struct rpcsvc_call *call, uint32_t auth_stat)
{
	call->out.len = 0;
	if (xdrbuf_reserve(&call->out, 4) == NULL) {
		rpcsvc_call_free(call);
		return;
	}
	rpcsvc_reply_denied(call, RPC_AUTH_ERROR, auth_stat);
}

/* A whole record: a call, or a reply to a call sent back. */
static void
rpcsvc_conn_record(struct rpcsvc_conn *c)
{
	uint8_t *rec = c->rec;
	size_t len = c->rec_len;
	int pooled = c->rec_pooled;

	c->rec = NULL;
	c->rec_len = 0;
	c->rec_cap = 0;
	c->rec_pooled = 0;
	if (len >= 8 && xdrbuf_peek_u32(rec + 4) == RPC_REPLY) {
		rpcsvc_back_reply(c, rec, len);
		rpcsvc_rec_put(c->svc, rec, pooled);
		return;
	}
	rpcsvc_message(c->svc, c, c->listener, -1, NULL, 0, rec, len, pooled);
	/* What it reserved may be over a cap: read no further then. */
	rpcsvc_conn_pause_check(c);
}

/*
 * The end of a read event: the replies of the calls it dispatched leave
 * together; input left over (the budget ran out) is taken up again on the
 * next turn of the loop, since the socket may have nothing more to say.
 */
static void
rpcsvc_conn_read_done(struct rpcsvc_conn *c)
{
	c->corked = 0;
	if (!c->dead) {
		if (c->in_off == c->in_len && c->in != NULL) {
			free(c->in);
			c->in = NULL;
			c->in_off = c->in_len = 0;
		} else if (c->in_off < c->in_len && !c->paused)
			event_active(c->ev_read, EV_READ, 0);
		rpcsvc_conn_flush(c);
		rpcsvc_conn_pause_check(c);
	}
	rpcsvc_conn_unref(c);
}

/*
 * Read what the socket has into the input buffer; a fragment body of at
 * least RPCSVC_INBUF bytes still to come is read straight into the record.
 * The read(2) result, as read returns it.
 */
static ssize_t
rpcsvc_conn_fill(struct rpcsvc_conn *c)
{
	ssize_t n;

	c->svc->stats.reads++;
	if (c->in_body && c->frag_left >= RPCSVC_INBUF) {
		n = read(c->fd, c->rec + c->rec_len, c->frag_left);
		if (n > 0) {
			c->rec_len += (size_t)n;
			c->frag_left -= (size_t)n;
		}
		return n;
	}
	if (c->in == NULL && (c->in = malloc(RPCSVC_INBUF)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	n = read(c->fd, c->in, RPCSVC_INBUF);
	c->in_off = 0;
	c->in_len = n > 0 ? (size_t)n : 0;
	return n;
}

/* RFC 5531 11: record marking. */
static void
rpcsvc_conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpcsvc_conn *c = arg;
	size_t max = c->listener->record_max, flen, take, cap;
	ssize_t n = 0;
	uint32_t mark;
	uint8_t *grown;
	int budget = RPCSVC_READ_BUDGET;

	c->refs++;
	c->corked = 1;
	while (!c->dead && !c->paused && budget > 0) {
		if (c->in_off == c->in_len) {
			if ((n = rpcsvc_conn_fill(c)) <= 0)
				goto readerr;
			connlimit_progress(c->svc->lim, &c->lim,
			    connlimit_now());
			if (c->in_off == c->in_len && c->frag_left > 0)
				continue;	/* read into the record */
		}
		if (!c->in_body && c->in_off < c->in_len) {
			take = 4 - c->hdr_have;
			if (take > c->in_len - c->in_off)
				take = c->in_len - c->in_off;
			memcpy(c->hdr + c->hdr_have, c->in + c->in_off, take);
			c->in_off += take;
			c->hdr_have += take;
			if (c->hdr_have < 4)
				continue;
			mark = xdrbuf_peek_u32(c->hdr);
			c->hdr_have = 0;
			c->last = (mark & RPC_LAST_FRAGMENT) != 0;
			flen = mark & ~RPC_LAST_FRAGMENT;
			if (flen > max - c->rec_len) {
				log_warnx_rl("rpc: %s: record fragment of %zu "
				    "bytes (record %zu so far) over the "
				    "%zu-byte limit", c->name, flen,
				    c->rec_len, max);
				c->svc->stats.garbage++;
				rpcsvc_conn_kill(c, "record too long");
				break;
			}
			if (c->rec_len + flen > c->rec_cap) {
				if (c->rec == NULL)
					grown = rpcsvc_rec_get(c->svc, flen,
					    &c->rec_pooled, &cap);
				else {
					grown = realloc(c->rec,
					    c->rec_len + flen);
					cap = c->rec_len + flen;
					c->rec_pooled = 0;
				}
				if (grown == NULL) {
					rpcsvc_conn_kill(c, "out of memory");
					break;
				}
				c->rec = grown;
				c->rec_cap = cap;
			}
			c->frag_left = flen;
			c->in_body = 1;
		}
		if (!c->in_body)
			continue;
		if (c->frag_left > 0) {
			take = c->in_len - c->in_off;
			if (take > c->frag_left)
				take = c->frag_left;
			memcpy(c->rec + c->rec_len, c->in + c->in_off, take);
			c->in_off += take;
			c->rec_len += take;
			c->frag_left -= take;
			if (c->frag_left > 0)
				continue;
		}
		c->in_body = 0;
		if (c->last) {
			budget--;
			rpcsvc_conn_record(c);
		}
	}
	rpcsvc_conn_read_done(c);
	return;
readerr:
	if (n == 0)
		rpcsvc_conn_kill(c, c->in_body || c->hdr_have || c->rec_len ?
		    "peer closed in the middle of a record" : NULL);
	else if (errno == ECONNRESET)
		rpcsvc_conn_kill(c, NULL);
	else if (errno != EAGAIN && errno != EINTR) {
		log_warn_rl("rpc: %s: read", c->name);
		rpcsvc_conn_kill(c, "read error");
	}
	rpcsvc_conn_read_done(c);
}

static void
rpcsvc_conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpcsvc_conn *c = arg;

	c->refs++;
	rpcsvc_conn_flush(c);
	rpcsvc_conn_pause_check(c);
	rpcsvc_conn_unref(c);
}

/* Close the connections that made no progress for the idle timeout. */
static void
rpcsvc_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpcsvc *svc = arg;
	struct connlimit_conn *lc;
	time_t now = connlimit_now();
	size_t closed = 0;

	while ((lc = connlimit_expired(svc->lim, now)) != NULL) {
		struct rpcsvc_conn *c = lc->owner;

		log_debug("rpc: %s: closing connection: no progress in %u s%s",
		    c->name, connlimit_conf(svc->lim)->idle_seconds,
		    TAILQ_EMPTY(&c->out) ? "" : ", its replies unread");
		rpcsvc_conn_kill(c, NULL);
		closed++;
	}
	if (closed > 0)
		log_info("rpc: closed %zu connection(s) idle or stuck for %u s",
		    closed, connlimit_conf(svc->lim)->idle_seconds);
}

static void
rpcsvc_accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpcsvc_listener *l = arg;
	struct rpcsvc *svc = l->svc;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct rpcsvc_conn *c;
	enum connlimit_verdict v;
	uint8_t key[16];
	int s, on = 1;

	s = accept4(fd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (s == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("rpc: accept");
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("rpc: connection");
		close(s);
		return;
	}
	rpcsvc_addr_key((struct sockaddr *)&ss, key);
	rpcsvc_addr_string((struct sockaddr *)&ss, c->addr, sizeof(c->addr),
	    &c->loopback);
	c->port = (unsigned int)rpcsvc_sockaddr_port((struct sockaddr *)&ss);
	snprintf(c->name, sizeof(c->name), "%s:%u", c->addr, c->port);
	if ((v = connlimit_admit(svc->lim, &c->lim, c, key,
	    connlimit_now())) != CONNLIMIT_OK) {
		connlimit_refused(svc->lim);
		log_warnx_rl("rpc: connection from %s refused: %s (%zu of %zu "
		    "open, %zu allowed per address)", c->name,
		    v == CONNLIMIT_ADDR ? "too many from this address" :
		    "too many connections", connlimit_count(svc->lim),
		    connlimit_conf(svc->lim)->max_conns,
		    connlimit_per_addr(svc->lim));
		close(s);
		free(c);
		return;
	}
	if (ss.ss_family != AF_UNIX && setsockopt(s, IPPROTO_TCP, TCP_NODELAY,
	    &on, sizeof(on)) == -1)
		log_warn("rpc: TCP_NODELAY");
	c->svc = svc;
	c->listener = l;
	c->fd = s;
	c->refs = 1;
	memcpy(c->key, key, 16);
	memcpy(&c->peer, &ss, len);
	c->peer_len = len;
	TAILQ_INIT(&c->out);
	TAILQ_INIT(&c->back);
	c->ev_read = event_new(svc->base, s, EV_READ | EV_PERSIST,
	    rpcsvc_conn_read_cb, c);
	c->ev_write = event_new(svc->base, s, EV_WRITE | EV_PERSIST,
	    rpcsvc_conn_write_cb, c);
	if (c->ev_read == NULL || c->ev_write == NULL ||
	    event_add(c->ev_read, NULL) == -1) {
		log_warnx("rpc: %s: cannot watch the connection", c->name);
		connlimit_release(svc->lim, &c->lim);
		if (c->ev_read != NULL)
			event_free(c->ev_read);
		if (c->ev_write != NULL)
			event_free(c->ev_write);
		close(s);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&svc->conns, c, entry);
	svc->nconns++;
	svc->stats.conns++;
	log_debug("rpc: %s: connected", c->name);
}

static void
rpcsvc_udp_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpcsvc_listener *l = arg;
	struct rpcsvc *svc = l->svc;
	struct sockaddr_storage ss;
	socklen_t len;
	uint8_t *rec;
	ssize_t n;
	int i;

	/* A few datagrams per wakeup. */
	for (i = 0; i < 32; i++) {
		len = sizeof(ss);
		n = recvfrom(fd, svc->udp_buf, RPCSVC_UDP_MAX, MSG_DONTWAIT,
		    (struct sockaddr *)&ss, &len);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("rpc: recvfrom");
			return;
		}
		if ((rec = malloc(n > 0 ? (size_t)n : 1)) == NULL) {
			log_warn("rpc: datagram");
			return;
		}
		memcpy(rec, svc->udp_buf, (size_t)n);
		rpcsvc_message(svc, NULL, l, (int)fd, &ss, len, rec,
		    (size_t)n, 0);
	}
}

/* As conf.c's defaults for [lockd] and [statd]. */
static const struct connlimit_conf rpcsvc_default_limits = {
	.max_conns = 512,
	.max_per_addr = 0,
	.idle_seconds = 300,
	.out_per_conn = 1024 * 1024,
	.out_total = 16 * 1024 * 1024,
};

static int
rpcsvc_sweep_arm(struct rpcsvc *svc)
{
	struct timeval tv = { 0, 0 };

	tv.tv_sec = connlimit_sweep_seconds(svc->lim);
	return event_add(svc->ev_sweep, &tv);
}

int
rpcsvc_configure(struct rpcsvc *svc, const struct conf *conf,
    const char *section)
{
	struct connlimit_conf lc;

	connlimit_conf_read(&lc, conf, section);
	connlimit_set_conf(svc->lim, &lc);
	return rpcsvc_sweep_arm(svc);
}

struct rpcsvc *
rpcsvc_new(struct event_base *base,
    const struct rpcsvc_program *const *programs, void *arg)
{
	struct rpcsvc *svc;
	size_t i;

	if ((svc = calloc(1, sizeof(*svc))) == NULL)
		return NULL;
	if ((svc->lim = connlimit_new(&rpcsvc_default_limits)) == NULL ||
	    (svc->ev_sweep = event_new(base, -1, EV_PERSIST, rpcsvc_sweep_cb,
	    svc)) == NULL) {
		connlimit_free(svc->lim);
		free(svc);
		return NULL;
	}
	svc->base = base;
	svc->programs = programs;
	for (i = 0; programs[i] != NULL; i++) {
		if (programs[i]->record_max > svc->record_max)
			svc->record_max = programs[i]->record_max;
		/* call->state follows the call: keep it aligned. */
		if (programs[i]->state_size > svc->state_max)
			svc->state_max = (programs[i]->state_size + 15) &
			    ~(size_t)15;
	}
	svc->arg = arg;
	svc->flavors = rpcauth_default;
	TAILQ_INIT(&svc->conns);
	TAILQ_INIT(&svc->held);
	TAILQ_INIT(&svc->deferred);
	if ((svc->ev_deferred = event_new(base, -1, 0, rpcsvc_deferred_cb,
	    svc)) == NULL ||
	    (svc->udp_buf = malloc(RPCSVC_UDP_MAX)) == NULL ||
	    rpcsvc_sweep_arm(svc) == -1) {
		rpcsvc_free(svc);
		return NULL;
	}
	return svc;
}

int
rpcsvc_listen_programs(struct rpcsvc *svc, int tcp_fd, int udp_fd,
    const struct rpcsvc_program *const *programs)
{
	struct rpcsvc_listener *l;
	size_t i;

	if (svc->nlisteners == RPCSVC_LISTENERS_MAX)
		return -1;
	l = &svc->listeners[svc->nlisteners++];
	l->svc = svc;
	l->tcp_fd = tcp_fd;
	l->udp_fd = udp_fd;
	l->programs = programs != NULL ? programs : svc->programs;
	for (i = 0; l->programs[i] != NULL; i++)
		if (l->programs[i]->record_max > l->record_max)
			l->record_max = l->programs[i]->record_max;
	if (tcp_fd != -1) {
		l->ev_tcp = event_new(svc->base, tcp_fd, EV_READ | EV_PERSIST,
		    rpcsvc_accept_cb, l);
		if (l->ev_tcp == NULL || event_add(l->ev_tcp, NULL) == -1)
			return -1;
	}
	if (udp_fd != -1) {
		l->ev_udp = event_new(svc->base, udp_fd, EV_READ | EV_PERSIST,
		    rpcsvc_udp_cb, l);
		if (l->ev_udp == NULL || event_add(l->ev_udp, NULL) == -1)
			return -1;
	}
	return 0;
}

void
rpcsvc_set_flavors(struct rpcsvc *svc,
    const struct rpcauth_flavor *const *flavors)
{
	svc->flavors = flavors;
}

int
rpcsvc_listen(struct rpcsvc *svc, int tcp_fd, int udp_fd)
{
	return rpcsvc_listen_programs(svc, tcp_fd, udp_fd, NULL);
}

void
rpcsvc_free(struct rpcsvc *svc)
{
	struct rpcsvc_listener *l;
	size_t i;

	if (svc == NULL)
		return;
	rpcsvc_release_held(svc);
	rpcsvc_deferred_cb(-1, 0, svc);
	while (!TAILQ_EMPTY(&svc->conns))
		rpcsvc_conn_kill(TAILQ_FIRST(&svc->conns), NULL);
	for (i = 0; i < svc->nlisteners; i++) {
		l = &svc->listeners[i];
		if (l->ev_tcp != NULL)
			event_free(l->ev_tcp);
		if (l->ev_udp != NULL)
			event_free(l->ev_udp);
		if (l->tcp_fd != -1)
			close(l->tcp_fd);
		if (l->udp_fd != -1)
			close(l->udp_fd);
	}
	if (svc->ev_sweep != NULL)
		event_free(svc->ev_sweep);
	if (svc->ev_deferred != NULL)
		event_free(svc->ev_deferred);
	connlimit_free(svc->lim);
	while (svc->rec_pooled > 0)
		free(svc->rec_pool[--svc->rec_pooled]);
	free(svc->udp_buf);
	free(svc);
}

void
rpcsvc_stats_get(const struct rpcsvc *svc, struct rpcsvc_stats *st)
{
	*st = svc->stats;
	st->open = svc->nconns;
	st->out_queued = connlimit_out_total(svc->lim);
	st->refused = connlimit_refusals(svc->lim);
}

/* Bind TCP (listening) and UDP sockets to addr:port (port 0: any). */
int
rpcsvc_bind_sockets(const char *addr, int port, int *tcp_fd, int *udp_fd)
{
	*udp_fd = -1;
	if (port < 0 || (*tcp_fd = util_listen_inet(addr, (unsigned int)port,
	    SOCK_STREAM)) == -1)
		return -1;
	/* port 0: UDP on the port the kernel gave TCP. */
	if (port == 0)
		port = rpcsvc_socket_port(*tcp_fd);
	if ((*udp_fd = util_listen_inet(addr, (unsigned int)port,
	    SOCK_DGRAM)) == -1) {
		close(*tcp_fd);
		*tcp_fd = -1;
		return -1;
	}
	return 0;
}

int
rpcsvc_socket_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/*
 * Register prog, versions vers_min..vers_max, with the local rpcbind
 * (before the sandbox: it uses rpcbind's Unix socket), replacing older
 * registrations, e.g. of a killed predecessor.  NULL: not registered
 * (development start, no rpcbind, or every call refused); otherwise
 * rpcbind_close() at a clean stop unsets them.
 */
struct rpcbind *
rpcsvc_register(struct daemon *d, uint32_t prog, uint32_t vers_min,
    uint32_t vers_max, int tcp_port, int udp_port)
{
	static const char *const netids[] = { "tcp", "udp" };
	struct rpcbind *rb;
	uint32_t v;
	int ports[2] = { tcp_port, udp_port }, i, fails = 0, sets = 0;

	if (d->start == DAEMON_START_DEV) {
		log_info("rpcbind: development start; not registering");
		return NULL;
	}
	if (!rpcbind_running()) {
		log_warnx("rpcbind is not running; program %u not registered",
		    prog);
		return NULL;
	}
	if ((rb = rpcbind_open(daemon_section_get(d, "user"))) == NULL)
		fatalx("out of memory");
	for (v = vers_min; v <= vers_max; v++)
		for (i = 0; i < 2; i++) {
			if (ports[i] <= 0)
				continue;
			if (rpcbind_set(rb, prog, v, netids[i],
			    (unsigned int)ports[i]) == 0)
				sets++;
			else
				fails++;
		}
	if (sets == 0) {
		rpcbind_close(rb, NULL);
		return NULL;
	}
	if (fails > 0)
		log_warnx("rpcbind: program %u: %d registration(s) failed",
		    prog, fails);
	return rb;
}
