/*
 * ONC RPC transport (RFC 5531): TCP with record marking (section 11) on
 * the NFS port and the MOUNT port, UDP datagrams on the MOUNT port.
 * A record is read fragment by fragment into one buffer whose size is
 * checked against RPC_RECORD_MAX before anything is allocated: a client
 * announcing 4 GiB is disconnected with a log line.  Replies are queued
 * per connection and written with writev (and sendfile for READ data
 * when that path is chosen); reading pauses when a connection has too
 * many requests in flight or too much output queued.
 *
 * The connection policy (how many connections, how many from one
 * address, when an idle or stuck one is closed, how much output may be
 * queued per connection and in total) is common/connlimit.c's: this
 * file tells it what happens and does what it says.
 */
#define _GNU_SOURCE
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connlimit.h"
#include "log.h"
#include "nfsd.h"

#define RPC_IOV_MAX		64
#define RPC_UDP_MAX		65536
/* A reply's RPC and NFS headers and attributes, beyond its data. */
#define RPC_REPLY_SLACK		1024

struct rpc_out {
	TAILQ_ENTRY(rpc_out)	 entry;
	uint8_t			*buf;		/* record mark + reply */
	size_t			 len, off;
	struct iofd		*io;		/* then file data, if any */
	off_t			 foff;
	size_t			 flen;
	size_t			 pad, padoff;	/* then XDR padding */
};

struct rpc_conn {
	TAILQ_ENTRY(rpc_conn)	 entry;
	struct nfsd_env		*env;
	int			 fd;
	int			 mount_only;	/* accepted on the MOUNT port */
	struct event		*ev_read;
	struct event		*ev_write;
	struct sockaddr_storage	 peer;
	socklen_t		 peerlen;
	uint8_t			 addr[16];
	unsigned int		 port;
	char			 name[64];
	uint8_t			 hdr[4];
	size_t			 hdr_have;
	int			 in_body;
	int			 last;
	uint8_t			*rec;
	size_t			 rec_len;
	size_t			 frag_left;
	TAILQ_HEAD(, rpc_out)	 out;
	struct connlimit_conn	 lim;		/* counts out and inflight */
	int			 inflight;
	int			 refs;
	int			 dead;
	int			 paused;
	/* Output waits for DRC entries to reach stated (drc.c). */
	int			 held;
	TAILQ_ENTRY(rpc_conn)	 held_entry;
};

static const uint8_t rpc_zeros[4];

static void	rpc_conn_close(struct rpc_conn *, const char *);
static void	rpc_conn_flush(struct rpc_conn *);

static void
rpc_sockaddr_name(const struct sockaddr *sa, char *buf, size_t len,
    unsigned int *port)
{
	char host[INET6_ADDRSTRLEN] = "?";

	*port = 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		*port = ntohs(sin->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		*port = ntohs(sin6->sin6_port);
	}
	snprintf(buf, len, "%s:%u", host, *port);
}

static void
rpc_conn_unref(struct rpc_conn *c)
{
	struct rpc_out *o;

	if (--c->refs > 0)
		return;
	while ((o = TAILQ_FIRST(&c->out)) != NULL) {
		TAILQ_REMOVE(&c->out, o, entry);
		iofd_unref(o->io);
		free(o->buf);
		free(o);
	}
	free(c->rec);
	free(c);
}

static void
rpc_conn_close(struct rpc_conn *c, const char *why)
{
	if (c->dead)
		return;
	if (why != NULL)
		log_info_rl("%s: closing connection: %s", c->name, why);
	c->dead = 1;
	event_free(c->ev_read);
	event_free(c->ev_write);
	c->ev_read = c->ev_write = NULL;
	if (close(c->fd) == -1)
		log_warn("%s: close", c->name);
	c->fd = -1;
	connlimit_release(c->env->connlimit, &c->lim);
	TAILQ_REMOVE(&c->env->conns, c, entry);
	c->env->nconns--;
	rpc_conn_unref(c);
}

static void
rpc_conn_pause_check(struct rpc_conn *c)
{
	int want_pause;

	if (c->dead)
		return;
	want_pause = c->inflight >= RPC_CONN_INFLIGHT_MAX ||
	    !connlimit_may_read(c->env->connlimit, &c->lim);
	if (want_pause && !c->paused) {
		event_del(c->ev_read);
		c->paused = 1;
	} else if (!want_pause && c->paused) {
		c->paused = 0;
		if (event_add(c->ev_read, NULL) == -1)
			rpc_conn_close(c, "event_add failed");
	}
}

void
nfs_req_free(struct nfs_req *r)
{
	struct rpc_conn *c = r->conn;

	if (r->drc_held)
		drc_abandon(r->env->drc, &r->drc_key);
	if (c != NULL && r->out_reserved > 0)
		connlimit_out_done(c->env->connlimit, &c->lim,
		    r->out_reserved);
	rpcauth_call_clear(&r->auth);
	free(r->rec);
	free(r->proc_args);
	xdrbuf_out_free(&r->out);
	iofd_unref(r->data_fd);
	free(r);
	if (c != NULL) {
		c->inflight--;
		connlimit_inflight(c->env->connlimit, &c->lim, -1,
		    connlimit_now());
		rpc_conn_pause_check(c);
		rpc_conn_unref(c);
	}
}

/*
 * Hold a connection's output until stated_client.c has handed the DRC
 * entries of this loop iteration to stated: a client never sees a reply
 * whose entry a restarted nfsd could not find.  The hold never outlives
 * the iteration (sdc's flush event runs before the next poll).
 */
static void
rpc_conn_hold(struct rpc_conn *c)
{
	if (c->held)
		return;
	c->held = 1;
	c->refs++;
	TAILQ_INSERT_TAIL(&c->env->held_conns, c, held_entry);
}

void
rpc_release_held(struct nfsd_env *env)
{
	struct rpc_conn *c;

	while ((c = TAILQ_FIRST(&env->held_conns)) != NULL) {
		TAILQ_REMOVE(&env->held_conns, c, held_entry);
		c->held = 0;
		rpc_conn_flush(c);
		rpc_conn_pause_check(c);
		rpc_conn_unref(c);
	}
}

/* Queue the reply in r->out (its head filled) and free the request. */
static void
rpc_send(struct nfs_req *r)
{
	struct rpc_conn *c = r->conn;
	struct rpc_out *o;
	size_t total, pad = 0;
	int hold = 0;

	if (r->out.failed) {
		log_warnx("%s: out of memory for a reply; dropped",
		    r->peername);
		nfs_req_free(r);
		return;
	}
	if (r->data_len > 0)
		pad = (4 - (r->data_len & 3)) & 3;
	total = r->out.len - 4 + r->data_len + pad;
	xdrbuf_put_u32_at(&r->out, 0, RPC_LAST_FRAGMENT | (uint32_t)total);
	if (r->drc_held) {
		drc_complete(r->env->drc, &r->drc_key, r->out.buf + 4,
		    r->out.len - 4);
		r->drc_held = 0;
		hold = stated_client_drc_put(r->env->sdc, &r->drc_key,
		    r->out.buf + 4, r->out.len - 4) == 0;
	}
	if (c == NULL) {
		if (sendto(r->udp_fd, r->out.buf + 4, r->out.len - 4, 0,
		    (struct sockaddr *)&r->peer, r->peerlen) == -1)
			log_warn("%s: sendto", r->peername);
		nfs_req_free(r);
		return;
	}
	/* The reply replaces what was counted for it in flight. */
	connlimit_out_done(c->env->connlimit, &c->lim, r->out_reserved);
	r->out_reserved = 0;
	if (c->dead || (o = calloc(1, sizeof(*o))) == NULL) {
		nfs_req_free(r);
		return;
	}
	o->buf = r->out.buf;
	o->len = r->out.len;
	r->out.buf = NULL;
	if (r->data_len > 0) {
		o->io = r->data_fd;
		r->data_fd = NULL;
		o->foff = r->data_off;
		o->flen = r->data_len;
		o->pad = pad;
	}
	TAILQ_INSERT_TAIL(&c->out, o, entry);
	connlimit_out_add(c->env->connlimit, &c->lim, o->len + o->flen +
	    o->pad);
	c->refs++;
	nfs_req_free(r);
	if (hold)
		rpc_conn_hold(c);
	rpc_conn_flush(c);
	rpc_conn_pause_check(c);
	rpc_conn_unref(c);
}

/*
 * The reply's head (verifier and all) is the flavour's; a flavour that
 * wraps results would need READ's data inline, not sent from data_fd:
 * nfsd serves AUTH_NONE and AUTH_SYS (rpcauth_default), which do not.
 */
void
rpc_reply(struct nfs_req *r)
{
	rpcauth_reply_finish(&r->auth, &r->out, RPC_SUCCESS);
	rpc_send(r);
}

void
rpc_reply_error(struct nfs_req *r, uint32_t accept_stat)
{
	r->out.len = rpcauth_reply_head(&r->auth);
	iofd_unref(r->data_fd);
	r->data_fd = NULL;
	r->data_len = 0;
	if (accept_stat == RPC_PROG_MISMATCH) {
		uint32_t low = r->auth.msg.prog == MOUNT_PROGRAM ? MOUNT_V1 :
		    NFS_V3;
		uint32_t high = r->auth.msg.prog == MOUNT_PROGRAM ? MOUNT_V3 :
		    NFS_V3;

		xdrbuf_put_u32(&r->out, low);
		xdrbuf_put_u32(&r->out, high);
	}
	rpcauth_reply_finish(&r->auth, &r->out, accept_stat);
	rpc_send(r);
}

void
rpc_reply_drop(struct nfs_req *r)
{
	nfs_req_free(r);
}

/* A replayed reply from the duplicate request cache. */
static void
rpc_reply_saved(struct nfs_req *r, const uint8_t *saved, size_t len)
{
	uint8_t *p;

	r->out.len = 4;
	if ((p = xdrbuf_reserve(&r->out, len)) != NULL)
		memcpy(p, saved, len);
	r->drc_held = 0;
	rpc_send(r);
}

static void
rpc_denied(struct nfs_req *r, uint32_t reject_stat, uint32_t detail)
{
	rpcmsg_reply_denied(&r->out, r->auth.msg.xid, reject_stat, detail);
	rpc_send(r);
}

/*
 * What the reply to a call may hold before it is queued: READ's data,
 * READDIR's and READDIRPLUS's listing as their arguments ask (at most
 * NFS3_MAXDATA), and the headers.  It is counted as the connection's
 * output from the moment the call is read (rpc_process), with the call's
 * own record (a WRITE's data), so requests in flight (a READ waiting for
 * its data, a WRITE for its sync) count against the output caps as
 * their replies will: a client cannot get around the caps by asking
 * faster than the replies are built.
 */
static size_t
rpc_reply_estimate(const struct nfs_req *r)
{
	size_t n = 0;

	if (r->auth.msg.prog == NFS_PROGRAM && r->auth.msg.vers == NFS_V3)
		n = nfs3_reply_data(r->auth.msg.proc, &r->args);
	if (n > NFS3_MAXDATA)
		n = NFS3_MAXDATA;
	return n + RPC_REPLY_SLACK;
}

/* One complete record: from a TCP connection (c) or a UDP datagram. */
static void
rpc_process(struct nfsd_env *env, struct nfs_req *r, int mount_only)
{
	enum rpcmsg_verdict v;
	const uint8_t *saved;
	size_t savedlen;

	env->stat_calls++;
	xdrbuf_out_init(&r->out);
	v = rpcauth_accept(rpcauth_default, r->rec, r->reclen, &r->auth);
	if (rpcauth_reply_begin(&r->auth, &r->out) == -1) {
		nfs_req_free(r);
		return;
	}
	switch (v) {
	case RPCMSG_OK:
		break;
	case RPCMSG_DROP:
	case RPCMSG_NOT_CALL:
	case RPCMSG_AUTH_DROP:
		env->stat_errors++;
		log_warnx_rl("%s: record of %zu bytes dropped: %s", r->peername,
		    r->reclen, rpcmsg_verdict_name(v));
		nfs_req_free(r);
		return;
	case RPCMSG_RPC_MISMATCH:
		env->stat_errors++;
		log_warnx_rl("%s: xid %08x: %s", r->peername, r->auth.msg.xid,
		    rpcmsg_verdict_name(v));
		rpc_denied(r, RPC_MISMATCH, 0);
		return;
	case RPCMSG_AUTH_BADCRED:
	case RPCMSG_AUTH_BADVERF:
	case RPCMSG_AUTH_ERROR:
		env->stat_errors++;
		log_warnx_rl("%s: xid %08x: %s", r->peername, r->auth.msg.xid,
		    rpcmsg_verdict_name(v));
		rpc_denied(r, RPC_AUTH_ERROR, rpcauth_denied_stat(&r->auth, v));
		return;
	case RPCMSG_GARBAGE:
		env->stat_errors++;
		log_warnx_rl("%s: xid %08x: %s", r->peername, r->auth.msg.xid,
		    rpcmsg_verdict_name(v));
		rpc_reply_error(r, RPC_GARBAGE_ARGS);
		return;
	}
	xdrbuf_in_init(&r->args, r->auth.args, r->auth.args_len);
	if (r->conn != NULL) {
		r->out_reserved = rpc_reply_estimate(r) + r->reclen;
		connlimit_out_add(env->connlimit, &r->conn->lim,
		    r->out_reserved);
	}
	switch (r->auth.msg.prog) {
	case NFS_PROGRAM:
		if (mount_only)
			break;
		if (r->auth.msg.vers != NFS_V3) {
			log_debug("%s: NFS version %u", r->peername,
			    r->auth.msg.vers);
			rpc_reply_error(r, RPC_PROG_MISMATCH);
			return;
		}
		/* Non-idempotent procedures go through the DRC. */
		if (nfs3_proc_cached(r->auth.msg.proc)) {
			memcpy(r->drc_key.addr, r->addr, 16);
			r->drc_key.port = r->port;
			r->drc_key.xid = r->auth.msg.xid;
			r->drc_key.prog = r->auth.msg.prog;
			r->drc_key.vers = r->auth.msg.vers;
			r->drc_key.proc = r->auth.msg.proc;
			r->drc_key.args_sum = drc_call_checksum(r->rec,
			    r->reclen, r->auth.msg.args_off);
			switch (drc_lookup(env->drc, &r->drc_key, &saved,
			    &savedlen)) {
			case DRC_IN_PROGRESS:
				log_debug("%s: xid %08x in progress; "
				    "retransmission dropped", r->peername,
				    r->auth.msg.xid);
				nfs_req_free(r);
				return;
			case DRC_HIT:
				log_debug("%s: xid %08x replayed from the "
				    "DRC", r->peername, r->auth.msg.xid);
				rpc_reply_saved(r, saved, savedlen);
				return;
			case DRC_MISS:
				r->drc_held = 1;
				break;
			}
		}
		nfs3_dispatch(r);
		return;
	case MOUNT_PROGRAM:
		if (r->auth.msg.vers != MOUNT_V1 &&
		    r->auth.msg.vers != MOUNT_V3) {
			rpc_reply_error(r, RPC_PROG_MISMATCH);
			return;
		}
		mount_dispatch(r);
		return;
	}
	log_debug("%s: program %u unavailable", r->peername, r->auth.msg.prog);
	rpc_reply_error(r, RPC_PROG_UNAVAIL);
}

static struct nfs_req *
rpc_req_new(struct nfsd_env *env)
{
	struct nfs_req *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->env = env;
	r->udp_fd = -1;
	return r;
}

static void
rpc_conn_record(struct rpc_conn *c)
{
	struct nfs_req *r;

	if ((r = rpc_req_new(c->env)) == NULL) {
		rpc_conn_close(c, "out of memory");
		return;
	}
	r->conn = c;
	c->refs++;
	c->inflight++;
	connlimit_inflight(c->env->connlimit, &c->lim, 1, connlimit_now());
	r->peer = c->peer;
	r->peerlen = c->peerlen;
	memcpy(r->addr, c->addr, 16);
	r->port = c->port;
	snprintf(r->peername, sizeof(r->peername), "%s", c->name);
	r->rec = c->rec;
	r->reclen = c->rec_len;
	c->rec = NULL;
	c->rec_len = 0;
	rpc_process(c->env, r, c->mount_only);
	/* What it reserved may be over a cap: read no further then. */
	rpc_conn_pause_check(c);
}

/* RFC 5531 11: record marking. */
static void
rpc_conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_conn *c = arg;
	ssize_t n;
	uint32_t mark;
	size_t flen;
	uint8_t *grown;
	int budget = 64;	/* records per wakeup, for fairness */

	c->refs++;
	while (!c->dead && !c->paused && budget > 0) {
		if (!c->in_body) {
			n = read(c->fd, c->hdr + c->hdr_have, 4 - c->hdr_have);
			if (n <= 0)
				goto readerr;
			connlimit_progress(c->env->connlimit, &c->lim,
			    connlimit_now());
			c->hdr_have += (size_t)n;
			if (c->hdr_have < 4)
				continue;
			mark = xdrbuf_peek_u32(c->hdr);
			c->hdr_have = 0;
			c->last = (mark & RPC_LAST_FRAGMENT) != 0;
			flen = mark & ~RPC_LAST_FRAGMENT;
			if (flen > RPC_RECORD_MAX - c->rec_len) {
				log_warnx_rl("%s: record fragment of %zu bytes "
				    "(record %zu so far) over the %u-byte "
				    "limit", c->name, flen, c->rec_len,
				    (unsigned)RPC_RECORD_MAX);
				c->env->stat_errors++;
				rpc_conn_close(c, "record too long");
				break;
			}
			if (flen > 0) {
				grown = realloc(c->rec, c->rec_len + flen);
				if (grown == NULL) {
					rpc_conn_close(c, "out of memory");
					break;
				}
				c->rec = grown;
			}
			c->frag_left = flen;
			c->in_body = 1;
		}
		if (c->frag_left > 0) {
			n = read(c->fd, c->rec + c->rec_len, c->frag_left);
			if (n <= 0)
				goto readerr;
			connlimit_progress(c->env->connlimit, &c->lim,
			    connlimit_now());
			c->rec_len += (size_t)n;
			c->frag_left -= (size_t)n;
			if (c->frag_left > 0)
				continue;
		}
		c->in_body = 0;
		if (c->last) {
			budget--;
			rpc_conn_record(c);
		}
	}
	rpc_conn_unref(c);
	return;
readerr:
	if (n == 0)
		rpc_conn_close(c, c->in_body || c->hdr_have || c->rec_len ?
		    "peer closed in the middle of a record" : NULL);
	else if (errno == ECONNRESET)
		rpc_conn_close(c, NULL);
	else if (errno != EAGAIN && errno != EINTR) {
		log_warn_rl("%s: read", c->name);
		rpc_conn_close(c, "read error");
	}
	rpc_conn_unref(c);
}

static void
rpc_out_done(struct rpc_conn *c, struct rpc_out *o)
{
	TAILQ_REMOVE(&c->out, o, entry);
	connlimit_out_done(c->env->connlimit, &c->lim, o->len + o->flen +
	    o->pad);
	iofd_unref(o->io);
	free(o->buf);
	free(o);
}

static void
rpc_conn_flush(struct rpc_conn *c)
{
	struct iovec iov[RPC_IOV_MAX];
	struct rpc_out *o;
	ssize_t n;
	size_t left;
	int niov;

	if (c->held)
		return;		/* rpc_release_held writes it */
	while (!c->dead && (o = TAILQ_FIRST(&c->out)) != NULL) {
		if (o->off == o->len && o->flen == 0 && o->padoff == o->pad) {
			rpc_out_done(c, o);
			continue;
		}
		if (o->off == o->len && o->flen > 0) {
			/* The file data of a READ reply. */
			n = sendfile(c->fd, o->io->fd, &o->foff, o->flen);
			if (n == -1) {
				if (errno == EAGAIN || errno == EINTR)
					goto again;
				log_warn_rl("%s: sendfile", c->name);
				rpc_conn_close(c, "sendfile failed");
				return;
			}
			if (n == 0) {
				/* Shrunk under us: zeros keep the framing. */
				n = write(c->fd, rpc_zeros, o->flen < 4 ?
				    o->flen : 4);
				if (n == -1) {
					if (errno == EAGAIN || errno == EINTR)
						goto again;
					rpc_conn_close(c, "write failed");
					return;
				}
			}
			o->flen -= (size_t)n;
			connlimit_out_done(c->env->connlimit, &c->lim,
			    (size_t)n);
			connlimit_progress(c->env->connlimit, &c->lim,
			    connlimit_now());
			continue;
		}
		niov = 0;
		TAILQ_FOREACH(o, &c->out, entry) {
			if (niov + 2 > RPC_IOV_MAX)
				break;
			if (o->off < o->len) {
				iov[niov].iov_base = o->buf + o->off;
				iov[niov++].iov_len = o->len - o->off;
			}
			if (o->flen > 0)
				break;
			if (o->padoff < o->pad) {
				iov[niov].iov_base = (void *)rpc_zeros;
				iov[niov++].iov_len = o->pad - o->padoff;
			}
		}
		if (niov == 0)
			break;
		n = writev(c->fd, iov, niov);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				goto again;
			if (errno != EPIPE && errno != ECONNRESET)
				log_warn_rl("%s: writev", c->name);
			rpc_conn_close(c, NULL);
			return;
		}
		connlimit_progress(c->env->connlimit, &c->lim,
		    connlimit_now());
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
			rpc_out_done(c, o);
		}
	}
	if (!c->dead && TAILQ_EMPTY(&c->out))
		event_del(c->ev_write);
	return;
again:
	if (event_add(c->ev_write, NULL) == -1)
		rpc_conn_close(c, "event_add failed");
}

static void
rpc_conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_conn *c = arg;

	c->refs++;
	rpc_conn_flush(c);
	rpc_conn_pause_check(c);
	rpc_conn_unref(c);
}

static void
rpc_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct nfsd_env *env = arg;
	struct rpc_conn *c;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	uint8_t addr[16];
	enum connlimit_verdict v;
	time_t now;
	int fd, on = 1;

	fd = accept4(lfd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("accept");
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("calloc");
		close(fd);
		return;
	}
	export_addr_from_sockaddr((struct sockaddr *)&ss, addr);
	now = connlimit_now();
	if ((v = connlimit_admit(env->connlimit, &c->lim, c, addr, now)) !=
	    CONNLIMIT_OK) {
		rpc_sockaddr_name((struct sockaddr *)&ss, c->name,
		    sizeof(c->name), &c->port);
		connlimit_refused(env->connlimit);
		log_warnx_rl("%s: connection refused: %s (%zu of %zu "
		    "connections open, %zu allowed per address)", c->name,
		    v == CONNLIMIT_ADDR ? "too many from this address" :
		    "too many connections", connlimit_count(env->connlimit),
		    connlimit_conf(env->connlimit)->max_conns,
		    connlimit_per_addr(env->connlimit));
		close(fd);
		free(c);
		return;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) == -1)
		log_warn("TCP_NODELAY");
	c->env = env;
	c->fd = fd;
	c->refs = 1;
	c->mount_only = lfd == env->mount_tcp;
	c->peer = ss;
	c->peerlen = len;
	export_addr_from_sockaddr((struct sockaddr *)&ss, c->addr);
	rpc_sockaddr_name((struct sockaddr *)&ss, c->name, sizeof(c->name),
	    &c->port);
	TAILQ_INIT(&c->out);
	c->ev_read = event_new(env->base, fd, EV_READ | EV_PERSIST,
	    rpc_conn_read_cb, c);
	c->ev_write = event_new(env->base, fd, EV_WRITE | EV_PERSIST,
	    rpc_conn_write_cb, c);
	if (c->ev_read == NULL || c->ev_write == NULL ||
	    event_add(c->ev_read, NULL) == -1) {
		log_warnx("%s: cannot watch the connection", c->name);
		connlimit_release(env->connlimit, &c->lim);
		if (c->ev_read != NULL)
			event_free(c->ev_read);
		if (c->ev_write != NULL)
			event_free(c->ev_write);
		close(fd);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&env->conns, c, entry);
	env->nconns++;
	log_debug("%s: connected%s", c->name, c->mount_only ?
	    " (MOUNT port)" : "");
}

static void
rpc_udp_cb(evutil_socket_t fd, short what, void *arg)
{
	struct nfsd_env *env = arg;
	struct nfs_req *r;
	uint8_t buf[RPC_UDP_MAX];
	ssize_t n;
	int budget = 32;

	while (budget-- > 0) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);

		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss,
		    &len);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("recvfrom");
			return;
		}
		if ((r = rpc_req_new(env)) == NULL ||
		    (r->rec = malloc(n > 0 ? (size_t)n : 1)) == NULL) {
			free(r);
			log_warn("malloc");
			return;
		}
		memcpy(r->rec, buf, (size_t)n);
		r->reclen = (size_t)n;
		r->udp_fd = fd;
		r->peer = ss;
		r->peerlen = len;
		export_addr_from_sockaddr((struct sockaddr *)&ss, r->addr);
		rpc_sockaddr_name((struct sockaddr *)&ss, r->peername,
		    sizeof(r->peername), &r->port);
		rpc_process(env, r, 1);
	}
}

/* Close the connections that made no progress for the idle timeout. */
static void
rpc_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct nfsd_env *env = arg;
	struct connlimit_conn *lc;
	time_t now = connlimit_now();
	size_t closed = 0;

	while ((lc = connlimit_expired(env->connlimit, now)) != NULL) {
		struct rpc_conn *c = lc->owner;

		log_debug("%s: closing connection: no progress in %u s%s",
		    c->name, connlimit_conf(env->connlimit)->idle_seconds,
		    TAILQ_EMPTY(&c->out) ? "" : ", its replies unread");
		rpc_conn_close(c, NULL);
		closed++;
	}
	if (closed > 0)
		log_info("closed %zu connection(s) idle or stuck for %u s",
		    closed, connlimit_conf(env->connlimit)->idle_seconds);
}

void
rpc_start(struct nfsd_env *env)
{
	struct timeval tv = { 0, 0 };

	TAILQ_INIT(&env->conns);
	tv.tv_sec = connlimit_sweep_seconds(env->connlimit);
	env->ev_sweep = event_new(env->base, -1, EV_PERSIST, rpc_sweep_cb,
	    env);
	if (env->ev_sweep == NULL || event_add(env->ev_sweep, &tv) == -1)
		fatalx("cannot start the idle connection timer");
	env->ev_nfs_tcp = event_new(env->base, env->nfs_tcp,
	    EV_READ | EV_PERSIST, rpc_accept_cb, env);
	if (env->ev_nfs_tcp == NULL || event_add(env->ev_nfs_tcp, NULL) == -1)
		fatalx("cannot watch the NFS socket");
	if (env->mount_tcp != -1) {
		env->ev_mount_tcp = event_new(env->base, env->mount_tcp,
		    EV_READ | EV_PERSIST, rpc_accept_cb, env);
		if (env->ev_mount_tcp == NULL ||
		    event_add(env->ev_mount_tcp, NULL) == -1)
			fatalx("cannot watch the MOUNT socket");
	}
	if (env->mount_udp != -1) {
		env->ev_mount_udp = event_new(env->base, env->mount_udp,
		    EV_READ | EV_PERSIST, rpc_udp_cb, env);
		if (env->ev_mount_udp == NULL ||
		    event_add(env->ev_mount_udp, NULL) == -1)
			fatalx("cannot watch the MOUNT UDP socket");
	}
}

void
rpc_stop(struct nfsd_env *env)
{
	struct rpc_conn *c;

	while ((c = TAILQ_FIRST(&env->conns)) != NULL)
		rpc_conn_close(c, NULL);
	if (env->ev_sweep != NULL)
		event_free(env->ev_sweep);
	env->ev_sweep = NULL;
	if (env->ev_nfs_tcp != NULL)
		event_free(env->ev_nfs_tcp);
	if (env->ev_mount_tcp != NULL)
		event_free(env->ev_mount_tcp);
	if (env->ev_mount_udp != NULL)
		event_free(env->ev_mount_udp);
	env->ev_nfs_tcp = env->ev_mount_tcp = env->ev_mount_udp = NULL;
}
