/*
 * lockd's ONC RPC layer (RFC 5531; record marking, section 11).  See
 * rpc.h.  The call header is read by hand with every length checked;
 * argument and result bodies go through rpcgen's XDR routines over a
 * memory stream, which check their own bounds.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/queue.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "conf.h"
#include "connlimit.h"
#include "daemon.h"
#include "log.h"
#include "rpc.h"
#include "rpcbind.h"
#include "util.h"

#define PMAP_PROG		100000
#define PMAP_VERS		2
#define PMAP_PROC_GETPORT	3
#define PMAP_PORT		111

struct rpc_conn {
	TAILQ_ENTRY(rpc_conn)	 entry;
	struct rpc_service	*svc;
	struct bufferevent	*bev;
	struct evbuffer_cb_entry *out_cb;	/* counts queued output */
	struct connlimit_conn	 lim;
	int			 paused;	/* reading stopped for output */
	int			 refs;
	int			 dead;
	size_t			 calls;		/* in flight */
	uint8_t			*record;	/* fragments so far */
	size_t			 record_len;
	struct sockaddr_storage	 peer;
	socklen_t		 peer_len;
};

struct rpc_service {
	struct event_base	*base;
	uint32_t		 prog;
	uint32_t		 vers_min;
	uint32_t		 vers_max;
	rpc_dispatch_fn		*dispatch;
	void			*arg;
	int			 tcp_fd;
	int			 udp_fd;
	struct event		*ev_tcp;
	struct event		*ev_udp;
	struct event		*ev_sweep;
	struct connlimit	*lim;
	TAILQ_HEAD(, rpc_conn)	 conns;
	size_t			 nconns;
	struct rpc_stats	 stats;
};

void
rpc_addr_string(const struct sockaddr *sa, char *buf, size_t len,
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
rpc_addr_key(const struct sockaddr *sa, uint8_t addr[16])
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

/* Server. */

static void	rpc_conn_unref(struct rpc_conn *);

static void
rpc_conn_kill(struct rpc_conn *c, const char *why)
{
	if (c->dead)
		return;
	if (why != NULL)
		log_debug("rpc: connection closed: %s", why);
	c->dead = 1;
	connlimit_release(c->svc->lim, &c->lim);
	evbuffer_remove_cb_entry(bufferevent_get_output(c->bev), c->out_cb);
	bufferevent_free(c->bev);
	c->bev = NULL;
	free(c->record);
	c->record = NULL;
	TAILQ_REMOVE(&c->svc->conns, c, entry);
	c->svc->nconns--;
	rpc_conn_unref(c);
}

static void
rpc_conn_unref(struct rpc_conn *c)
{
	if (--c->refs == 0)
		free(c);
}

static void
rpc_call_free(struct rpc_call *call)
{
	struct rpc_conn *c = call->conn;

	if (c != NULL) {
		connlimit_inflight(c->svc->lim, &c->lim, -1, connlimit_now());
		/* Reading stopped at the limit: go on now. */
		if (c->calls-- == RPC_CONN_CALLS_MAX && !c->dead)
			bufferevent_trigger(c->bev, EV_READ, 0);
		rpc_conn_unref(c);
	}
	rpcauth_call_clear(&call->auth);
	free(call->args);
	free(call);
}

int
rpc_call_alive(const struct rpc_call *call)
{
	return call->conn == NULL || !call->conn->dead;
}

/*
 * Send the reply in o, which starts with four bytes left for the record
 * mark (TCP fills them in, UDP skips them), then free o.
 */
static void
rpc_send(struct rpc_call *call, struct xdrbuf_out *o)
{
	if (o->failed || o->len < 4) {
		log_warnx("rpc: reply to %s does not encode", call->peer_addr);
		goto out;
	}
	if (call->conn != NULL) {
		if (call->conn->dead)
			goto out;
		xdrbuf_put_u32_at(o, 0, RPC_LAST_FRAGMENT |
		    (uint32_t)(o->len - 4));
		if (bufferevent_write(call->conn->bev, o->buf, o->len) == -1)
			rpc_conn_kill(call->conn, "write failed");
	} else if (sendto(call->udp_fd, o->buf + 4, o->len - 4, MSG_DONTWAIT,
	    (struct sockaddr *)&call->peer, call->peer_len) == -1)
		log_warn_rl("rpc: reply to %s", call->peer_addr);
out:
	xdrbuf_out_free(o);
}

/* Encode an accepted reply; res NULL for void. */
static void
rpc_reply_accepted(struct rpc_call *call, uint32_t stat, xdrproc_t proc,
    const void *res, uint32_t low, uint32_t high)
{
	struct xdrbuf_out o;
	uint8_t *body;
	XDR xdrs;

	xdrbuf_out_init(&o);
	if (rpcauth_reply_begin(&call->auth, &o) == -1)
		goto out;
	if (stat == RPC_PROG_MISMATCH) {
		xdrbuf_put_u32(&o, low);
		xdrbuf_put_u32(&o, high);
	} else if (stat == RPC_SUCCESS && proc != NULL) {
		/* The results go through rpcgen's encoder, bounded. */
		if ((body = xdrbuf_reserve(&o, RPC_RECORD_MAX)) == NULL)
			goto out;
		xdrmem_create(&xdrs, (char *)body, RPC_RECORD_MAX, XDR_ENCODE);
		if (!proc(&xdrs, (void *)res))
			o.failed = 1;
		else
			o.len = rpcauth_reply_head(&call->auth) +
			    xdr_getpos(&xdrs);
		xdr_destroy(&xdrs);
	}
	rpcauth_reply_finish(&call->auth, &o, stat);
out:
	rpc_send(call, &o);
}

static void
rpc_reply_denied(struct rpc_call *call, uint32_t why, uint32_t detail)
{
	struct xdrbuf_out o;

	xdrbuf_out_init(&o);
	if (xdrbuf_reserve(&o, 4) != NULL)
		rpcmsg_reply_denied(&o, call->auth.msg.xid, why, detail);
	rpc_send(call, &o);
}

int
rpc_decode_args(struct rpc_call *call, xdrproc_t proc, void *obj)
{
	XDR xdrs;
	int ok;

	xdrmem_create(&xdrs, (char *)call->args, (u_int)call->args_len,
	    XDR_DECODE);
	ok = proc(&xdrs, obj);
	xdr_destroy(&xdrs);
	if (!ok) {
		xdr_free(proc, obj);
		return -1;
	}
	return 0;
}

void
rpc_reply(struct rpc_call *call, xdrproc_t proc, const void *res)
{
	rpc_reply_accepted(call, RPC_ACCEPT_SUCCESS, proc, res, 0, 0);
	rpc_call_free(call);
}

void
rpc_reply_error(struct rpc_call *call, enum rpc_accept stat)
{
	if (stat == RPC_ACCEPT_GARBAGE_ARGS)
		call->svc->stats.garbage++;
	rpc_reply_accepted(call, stat, NULL, NULL, call->svc->vers_min,
	    call->svc->vers_max);
	rpc_call_free(call);
}

void
rpc_call_drop(struct rpc_call *call)
{
	rpc_call_free(call);
}

/* One complete record or datagram. */
static void
rpc_service_message(struct rpc_service *svc, struct rpc_conn *conn,
    int udp_fd, const struct sockaddr_storage *peer, socklen_t peer_len,
    const uint8_t *buf, size_t len)
{
	struct rpc_call *call;
	enum rpcmsg_verdict v;

	if ((call = calloc(1, sizeof(*call))) == NULL) {
		log_warn("rpc call");
		return;
	}
	call->svc = svc;
	call->udp_fd = udp_fd;
	memcpy(&call->peer, peer, peer_len);
	call->peer_len = peer_len;
	rpc_addr_string((const struct sockaddr *)peer, call->peer_addr,
	    sizeof(call->peer_addr), &call->peer_loopback);
	if (conn != NULL) {
		call->conn = conn;
		conn->refs++;
		conn->calls++;
		connlimit_inflight(svc->lim, &conn->lim, 1, connlimit_now());
	}
	v = rpcauth_accept(rpcauth_default, buf, len, &call->auth);
	switch (v) {
	case RPCMSG_OK:
		break;
	case RPCMSG_RPC_MISMATCH:
	case RPCMSG_AUTH_BADCRED:
	case RPCMSG_AUTH_BADVERF:
	case RPCMSG_AUTH_ERROR:
		svc->stats.garbage++;
		log_warnx_rl("rpc: call from %s, xid %08x: %s", call->peer_addr,
		    call->auth.msg.xid, rpcmsg_verdict_name(v));
		if (v == RPCMSG_RPC_MISMATCH)
			rpc_reply_denied(call, RPC_MISMATCH, 0);
		else
			rpc_reply_denied(call, RPC_AUTH_ERROR,
			    rpcauth_denied_stat(&call->auth, v));
		rpc_call_free(call);
		return;
	case RPCMSG_GARBAGE:
		log_warnx_rl("rpc: call from %s, xid %08x: %s", call->peer_addr,
		    call->auth.msg.xid, rpcmsg_verdict_name(v));
		rpc_reply_error(call, RPC_ACCEPT_GARBAGE_ARGS);
		return;
	default:
		svc->stats.garbage++;
		log_warnx_rl("rpc: message of %zu bytes from %s dropped: %s",
		    len, call->peer_addr, rpcmsg_verdict_name(v));
		rpc_call_free(call);
		return;
	}
	svc->stats.calls++;
	if (call->auth.msg.prog != svc->prog) {
		rpc_reply_error(call, RPC_ACCEPT_PROG_UNAVAIL);
		return;
	}
	if (call->auth.msg.vers < svc->vers_min ||
	    call->auth.msg.vers > svc->vers_max) {
		rpc_reply_error(call, RPC_ACCEPT_PROG_MISMATCH);
		return;
	}
	/* The record goes when this returns: the call keeps a copy. */
	call->args_len = call->auth.args_len;
	if ((call->args = malloc(call->args_len + 1)) == NULL) {
		log_warn("rpc call");
		rpcauth_call_clear(&call->auth);
		rpc_reply_error(call, RPC_ACCEPT_SYSTEM_ERR);
		return;
	}
	memcpy(call->args, call->auth.args, call->args_len);
	rpcauth_call_clear(&call->auth);
	svc->dispatch(call, svc->arg);
}

static void
rpc_conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct rpc_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t mark[4], *grown;
	uint32_t frag, n;

	c->refs++;
	if (!c->dead)
		connlimit_progress(c->svc->lim, &c->lim, connlimit_now());
	while (!c->dead && evbuffer_get_length(in) >= 4) {
		evbuffer_copyout(in, mark, 4);
		frag = xdrbuf_peek_u32(mark);
		n = frag & ~RPC_LAST_FRAGMENT;
		if (n > RPC_RECORD_MAX || c->record_len + n > RPC_RECORD_MAX) {
			log_warnx_rl("rpc: record over %d bytes, closing",
			    RPC_RECORD_MAX);
			c->svc->stats.garbage++;
			rpc_conn_kill(c, NULL);
			break;
		}
		if (evbuffer_get_length(in) < 4 + (size_t)n)
			break;
		if (c->calls >= RPC_CONN_CALLS_MAX) {
			/* Back-pressure: read again when calls finish. */
			break;
		}
		if (!connlimit_may_read(c->svc->lim, &c->lim)) {
			/* Its replies are not read: on when they are. */
			bufferevent_disable(c->bev, EV_READ);
			c->paused = 1;
			break;
		}
		evbuffer_drain(in, 4);
		grown = realloc(c->record, c->record_len + n + 1);
		if (grown == NULL) {
			log_warn("rpc record");
			rpc_conn_kill(c, NULL);
			break;
		}
		c->record = grown;
		evbuffer_remove(in, c->record + c->record_len, n);
		c->record_len += n;
		if (frag & RPC_LAST_FRAGMENT) {
			uint8_t *rec = c->record;
			size_t len = c->record_len;

			c->record = NULL;
			c->record_len = 0;
			rpc_service_message(c->svc, c, -1, &c->peer,
			    c->peer_len, rec, len);
			free(rec);
		}
	}
	rpc_conn_unref(c);
}

/* The output buffer grew (a reply) or shrank (written to the peer). */
static void
rpc_conn_out_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct rpc_conn *c = arg;

	if (c->dead)
		return;
	if (info->n_added > 0)
		connlimit_out_add(c->svc->lim, &c->lim, info->n_added);
	if (info->n_deleted > 0) {
		connlimit_out_done(c->svc->lim, &c->lim, info->n_deleted);
		connlimit_progress(c->svc->lim, &c->lim, connlimit_now());
	}
}

/* The output is written out: read again if that is what held it. */
static void
rpc_conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct rpc_conn *c = arg;

	if (c->dead || !c->paused || !connlimit_may_read(c->svc->lim,
	    &c->lim))
		return;
	c->paused = 0;
	bufferevent_enable(c->bev, EV_READ);
	bufferevent_trigger(c->bev, EV_READ, 0);
}

static void
rpc_conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct rpc_conn *c = arg;

	rpc_conn_kill(c, (what & BEV_EVENT_EOF) ? "peer closed" : "error");
}

/* Close the connections that made no progress for the idle timeout. */
static void
rpc_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_service *svc = arg;
	struct connlimit_conn *lc;
	time_t now = connlimit_now();
	size_t closed = 0;

	while ((lc = connlimit_expired(svc->lim, now)) != NULL) {
		rpc_conn_kill(lc->owner, "no progress for the idle timeout");
		closed++;
	}
	if (closed > 0)
		log_info("rpc: closed %zu connection(s) idle or stuck for %u s",
		    closed, connlimit_conf(svc->lim)->idle_seconds);
}

static void
rpc_accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_service *svc = arg;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct rpc_conn *c;
	enum connlimit_verdict v;
	char name[RPC_ADDR_MAX];
	uint8_t addr[16];
	time_t now;
	int s, loopback;

	s = accept4(fd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (s == -1) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("rpc: accept");
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("rpc: connection");
		close(s);
		return;
	}
	rpc_addr_key((struct sockaddr *)&ss, addr);
	now = connlimit_now();
	if ((v = connlimit_admit(svc->lim, &c->lim, c, addr, now)) !=
	    CONNLIMIT_OK) {
		connlimit_refused(svc->lim);
		rpc_addr_string((struct sockaddr *)&ss, name, sizeof(name),
		    &loopback);
		log_warnx_rl("rpc: connection from %s refused: %s (%zu of %zu "
		    "open, %zu allowed per address)", name,
		    v == CONNLIMIT_ADDR ? "too many from this address" :
		    "too many connections", connlimit_count(svc->lim),
		    connlimit_conf(svc->lim)->max_conns,
		    connlimit_per_addr(svc->lim));
		close(s);
		free(c);
		return;
	}
	c->svc = svc;
	c->refs = 1;
	memcpy(&c->peer, &ss, len);
	c->peer_len = len;
	c->bev = bufferevent_socket_new(svc->base, s, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL || (c->out_cb = evbuffer_add_cb(
	    bufferevent_get_output(c->bev), rpc_conn_out_cb, c)) == NULL) {
		log_warnx("rpc: bufferevent");
		connlimit_release(svc->lim, &c->lim);
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else
			close(s);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, rpc_conn_read_cb, rpc_conn_write_cb,
	    rpc_conn_event_cb, c);
	/* Stop reading at one whole record: the input stays bounded. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, RPC_RECORD_MAX + 4);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&svc->conns, c, entry);
	svc->nconns++;
	svc->stats.conns++;
}

static void
rpc_udp_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_service *svc = arg;
	static uint8_t buf[RPC_RECORD_MAX];
	struct sockaddr_storage ss;
	socklen_t len;
	ssize_t n;
	int i;

	/* A few datagrams per wakeup. */
	for (i = 0; i < 32; i++) {
		len = sizeof(ss);
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&ss, &len);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("rpc: recvfrom");
			return;
		}
		rpc_service_message(svc, NULL, (int)fd, &ss, len, buf,
		    (size_t)n);
	}
}

/* As conf.c's defaults for [lockd] and [statd]. */
static const struct connlimit_conf rpc_default_limits = {
	.max_conns = 512,
	.max_per_addr = 0,
	.idle_seconds = 300,
	.out_per_conn = 1024 * 1024,
	.out_total = 16 * 1024 * 1024,
};

static int
rpc_service_sweep_arm(struct rpc_service *svc)
{
	struct timeval tv = { 0, 0 };

	tv.tv_sec = connlimit_sweep_seconds(svc->lim);
	return event_add(svc->ev_sweep, &tv);
}

int
rpc_service_configure(struct rpc_service *svc, const struct conf *conf,
    const char *section)
{
	struct connlimit_conf lc;

	connlimit_conf_read(&lc, conf, section);
	connlimit_set_conf(svc->lim, &lc);
	return rpc_service_sweep_arm(svc);
}

struct rpc_service *
rpc_service_new(struct event_base *base, uint32_t prog, uint32_t vers_min,
    uint32_t vers_max, rpc_dispatch_fn *dispatch, void *arg)
{
	struct rpc_service *svc;

	if ((svc = calloc(1, sizeof(*svc))) == NULL)
		return NULL;
	if ((svc->lim = connlimit_new(&rpc_default_limits)) == NULL ||
	    (svc->ev_sweep = event_new(base, -1, EV_PERSIST, rpc_sweep_cb,
	    svc)) == NULL) {
		connlimit_free(svc->lim);
		free(svc);
		return NULL;
	}
	svc->base = base;
	svc->prog = prog;
	svc->vers_min = vers_min;
	svc->vers_max = vers_max;
	svc->dispatch = dispatch;
	svc->arg = arg;
	svc->tcp_fd = svc->udp_fd = -1;
	TAILQ_INIT(&svc->conns);
	if (rpc_service_sweep_arm(svc) == -1) {
		rpc_service_free(svc);
		return NULL;
	}
	return svc;
}

int
rpc_service_listen(struct rpc_service *svc, int tcp_fd, int udp_fd)
{
	if (tcp_fd != -1) {
		svc->tcp_fd = tcp_fd;
		svc->ev_tcp = event_new(svc->base, tcp_fd, EV_READ | EV_PERSIST,
		    rpc_accept_cb, svc);
		if (svc->ev_tcp == NULL || event_add(svc->ev_tcp, NULL) == -1)
			return -1;
	}
	if (udp_fd != -1) {
		svc->udp_fd = udp_fd;
		svc->ev_udp = event_new(svc->base, udp_fd, EV_READ | EV_PERSIST,
		    rpc_udp_cb, svc);
		if (svc->ev_udp == NULL || event_add(svc->ev_udp, NULL) == -1)
			return -1;
	}
	return 0;
}

void
rpc_service_free(struct rpc_service *svc)
{
	if (svc == NULL)
		return;
	while (!TAILQ_EMPTY(&svc->conns))
		rpc_conn_kill(TAILQ_FIRST(&svc->conns), NULL);
	if (svc->ev_tcp != NULL)
		event_free(svc->ev_tcp);
	if (svc->ev_udp != NULL)
		event_free(svc->ev_udp);
	if (svc->ev_sweep != NULL)
		event_free(svc->ev_sweep);
	connlimit_free(svc->lim);
	if (svc->tcp_fd != -1)
		close(svc->tcp_fd);
	if (svc->udp_fd != -1)
		close(svc->udp_fd);
	free(svc);
}

void
rpc_service_stats(const struct rpc_service *svc, struct rpc_stats *st)
{
	*st = svc->stats;
}

/* Bind TCP (listening) and UDP sockets to addr:port (port 0: any). */
int
rpc_bind_sockets(const char *addr, int port, int *tcp_fd, int *udp_fd)
{
	*udp_fd = -1;
	if (port < 0 || (*tcp_fd = util_listen_inet(addr, (unsigned int)port,
	    SOCK_STREAM)) == -1)
		return -1;
	/* port 0: UDP on the port the kernel gave TCP. */
	if (port == 0)
		port = rpc_socket_port(*tcp_fd);
	if ((*udp_fd = util_listen_inet(addr, (unsigned int)port,
	    SOCK_DGRAM)) == -1) {
		close(*tcp_fd);
		*tcp_fd = -1;
		return -1;
	}
	return 0;
}

int
rpc_socket_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* Client. */

struct rpc_pending {
	TAILQ_ENTRY(rpc_pending) entry;
	struct rpc_client	*cl;
	uint32_t		 xid;
	int			 looking_up;	/* waiting for GETPORT */
	struct sockaddr_storage	 addr;
	socklen_t		 addr_len;
	uint32_t		 prog, vers, proc;
	uint8_t			*args;		/* encoded arguments */
	size_t			 args_len;
	unsigned int		 tries;
	unsigned int		 timeout_ms;
	struct event		*timer;
	rpc_result_fn		*fn;
	void			*arg;
};

struct rpc_client {
	struct event_base	*base;
	int			 fd;
	struct event		*ev;
	uint32_t		 next_xid;
	TAILQ_HEAD(, rpc_pending) pending;
};

static void
rpc_pending_finish(struct rpc_pending *p, int status, XDR *xdrs)
{
	TAILQ_REMOVE(&p->cl->pending, p, entry);
	event_free(p->timer);
	if (p->fn != NULL)
		p->fn(p->arg, status, xdrs);
	free(p->args);
	free(p);
}

static void
rpc_pending_send(struct rpc_pending *p)
{
	struct sockaddr_storage to = p->addr;
	struct xdrbuf_out o;
	struct timeval tv;

	xdrbuf_out_init(&o);
	if (p->looking_up) {
		/* RFC 1833 3.1: PMAPPROC_GETPORT for (prog, vers, UDP). */
		rpcmsg_call_header(&o, p->xid, PMAP_PROG, PMAP_VERS,
		    PMAP_PROC_GETPORT);
		xdrbuf_put_u32(&o, p->prog);
		xdrbuf_put_u32(&o, p->vers);
		xdrbuf_put_u32(&o, IPPROTO_UDP);
		xdrbuf_put_u32(&o, 0);
		if (to.ss_family == AF_INET)
			((struct sockaddr_in *)&to)->sin_port = htons(PMAP_PORT);
		else
			((struct sockaddr_in6 *)&to)->sin6_port =
			    htons(PMAP_PORT);
	} else {
		rpcmsg_call_header(&o, p->xid, p->prog, p->vers, p->proc);
		xdrbuf_put_fixed(&o, p->args, p->args_len);
	}
	if (o.failed)
		log_warnx("rpc: call does not encode");
	else if (sendto(p->cl->fd, o.buf, o.len, MSG_DONTWAIT,
	    (struct sockaddr *)&to, p->addr_len) == -1)
		log_debug("rpc: sendto: %s", strerror(errno));
	xdrbuf_out_free(&o);
	tv.tv_sec = p->timeout_ms / 1000;
	tv.tv_usec = (p->timeout_ms % 1000) * 1000;
	evtimer_add(p->timer, &tv);
}

static void
rpc_pending_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_pending *p = arg;

	if (p->tries <= 1) {
		rpc_pending_finish(p, -ETIMEDOUT, NULL);
		return;
	}
	p->tries--;
	if (p->timeout_ms < 8000)
		p->timeout_ms *= 2;
	rpc_pending_send(p);
}

static void
rpc_client_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_client *cl = arg;
	uint8_t buf[RPC_RECORD_MAX];
	struct rpc_pending *p;
	uint32_t xid, accept, port;
	size_t off;
	ssize_t n;
	XDR xdrs;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == -1)
			return;
		if (rpcmsg_decode_reply(buf, (size_t)n, &xid, &accept, &off) ==
		    -1)
			continue;
		TAILQ_FOREACH(p, &cl->pending, entry)
			if (p->xid == xid)
				break;
		if (p == NULL)
			continue;
		if (accept != RPC_ACCEPT_SUCCESS) {
			rpc_pending_finish(p, -EPROTO, NULL);
			continue;
		}
		if (p->looking_up) {
			if ((size_t)n - off < 4 ||
			    (port = xdrbuf_peek_u32(buf + off)) == 0 ||
			    port > 65535) {
				rpc_pending_finish(p, -ENOENT, NULL);
				continue;
			}
			if (p->addr.ss_family == AF_INET)
				((struct sockaddr_in *)&p->addr)->sin_port =
				    htons((uint16_t)port);
			else
				((struct sockaddr_in6 *)&p->addr)->sin6_port =
				    htons((uint16_t)port);
			p->looking_up = 0;
			p->xid = cl->next_xid++;
			evtimer_del(p->timer);
			rpc_pending_send(p);
			continue;
		}
		xdrmem_create(&xdrs, (char *)buf + off, (u_int)((size_t)n -
		    off), XDR_DECODE);
		rpc_pending_finish(p, 0, &xdrs);
		xdr_destroy(&xdrs);
	}
}

struct rpc_client *
rpc_client_new(struct event_base *base, int fd)
{
	struct rpc_client *cl;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return NULL;
	cl->base = base;
	cl->fd = fd;
	cl->next_xid = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	TAILQ_INIT(&cl->pending);
	cl->ev = event_new(base, fd, EV_READ | EV_PERSIST, rpc_client_read_cb,
	    cl);
	if (cl->ev == NULL || event_add(cl->ev, NULL) == -1) {
		if (cl->ev != NULL)
			event_free(cl->ev);
		free(cl);
		return NULL;
	}
	return cl;
}

void
rpc_client_free(struct rpc_client *cl)
{
	if (cl == NULL)
		return;
	while (!TAILQ_EMPTY(&cl->pending))
		rpc_pending_finish(TAILQ_FIRST(&cl->pending), -ECANCELED,
		    NULL);
	event_free(cl->ev);
	close(cl->fd);
	free(cl);
}

int
rpc_client_call(struct rpc_client *cl, const struct sockaddr *addr,
    socklen_t addr_len, uint32_t prog, uint32_t vers, uint32_t proc,
    xdrproc_t xproc, const void *args, unsigned int tries,
    rpc_result_fn *fn, void *arg)
{
	struct rpc_pending *p;
	uint8_t *buf;
	XDR xdrs;
	int port;

	if (addr_len > sizeof(p->addr) || (addr->sa_family != AF_INET &&
	    addr->sa_family != AF_INET6)) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	if ((buf = malloc(RPC_RECORD_MAX)) == NULL) {
		free(p);
		return -1;
	}
	xdrmem_create(&xdrs, (char *)buf, RPC_RECORD_MAX - 64, XDR_ENCODE);
	if (xproc != NULL && !xproc(&xdrs, (void *)args)) {
		xdr_destroy(&xdrs);
		free(buf);
		free(p);
		errno = EMSGSIZE;
		return -1;
	}
	p->args_len = xdr_getpos(&xdrs);
	xdr_destroy(&xdrs);
	p->args = buf;
	p->cl = cl;
	memcpy(&p->addr, addr, addr_len);
	p->addr_len = addr_len;
	port = addr->sa_family == AF_INET ?
	    ntohs(((const struct sockaddr_in *)addr)->sin_port) :
	    ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
	p->looking_up = port == 0;
	p->prog = prog;
	p->vers = vers;
	p->proc = proc;
	p->tries = tries ? tries : 1;
	p->timeout_ms = 1000;
	p->fn = fn;
	p->arg = arg;
	p->xid = cl->next_xid++;
	if ((p->timer = evtimer_new(cl->base, rpc_pending_timeout_cb, p)) ==
	    NULL) {
		free(p->args);
		free(p);
		return -1;
	}
	TAILQ_INSERT_TAIL(&cl->pending, p, entry);
	rpc_pending_send(p);
	return 0;
}

/*
 * Register prog, versions vers_min..vers_max, with the local rpcbind
 * (before the sandbox: it uses rpcbind's Unix socket), replacing older
 * registrations, e.g. of a killed predecessor.  NULL: not registered
 * (development start, no rpcbind, or every call refused); otherwise
 * rpcbind_close() at a clean stop unsets them.
 */
struct rpcbind *
rpc_register(struct daemon *d, uint32_t prog, uint32_t vers_min,
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

/* A UDP socket for outgoing calls, on a reserved port if asked. */
int
rpc_client_socket(int reserved)
{
	struct sockaddr_in sin;
	int fd, port;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (!reserved)
		return fd;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	/* Peers such as Linux statd trust only reserved source ports. */
	for (port = 1023; port >= 600; port--) {
		sin.sin_port = htons((uint16_t)port);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
			return fd;
		if (errno != EADDRINUSE)
			break;
	}
	log_debug("no reserved port for outgoing calls");
	return fd;
}
