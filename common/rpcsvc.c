/*
 * The ONC RPC server (RFC 5531; record marking, section 11) that lockd
 * and statd run on.  See rpcsvc.h.  The call header is read by
 * common/rpcmsg.c and its flavour by common/rpcauth.c; argument and
 * result bodies go through rpcgen's XDR routines over a memory stream,
 * which check their own bounds.
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
#include "rpcsvc.h"
#include "rpcbind.h"
#include "util.h"

struct rpcsvc_conn {
	TAILQ_ENTRY(rpcsvc_conn)	 entry;
	struct rpcsvc	*svc;
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
	/* Calls this server sent back to the peer (the backchannel). */
	TAILQ_HEAD(, rpcsvc_back) back;
	size_t			 nback;
	uint32_t		 next_xid;
};

struct rpcsvc_back {
	TAILQ_ENTRY(rpcsvc_back) entry;
	uint32_t		 xid;
	rpcsvc_result_fn	*fn;
	void			*arg;
};

struct rpcsvc {
	struct event_base	*base;
	const struct rpcsvc_program *const *programs;
	size_t			 record_max;	/* the largest program's */
	uint8_t			*udp_buf;
	void			*arg;
	int			 tcp_fd;
	int			 udp_fd;
	struct event		*ev_tcp;
	struct event		*ev_udp;
	struct event		*ev_sweep;
	struct connlimit	*lim;
	TAILQ_HEAD(, rpcsvc_conn)	 conns;
	size_t			 nconns;
	struct rpcsvc_stats	 stats;
};

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

/* Server. */

static void	rpcsvc_conn_unref(struct rpcsvc_conn *);

/* The connection goes: its callbacks get no answer. */
static void
rpcsvc_back_fail(struct rpcsvc_conn *c)
{
	struct rpcsvc_back *b;

	while ((b = TAILQ_FIRST(&c->back)) != NULL) {
		TAILQ_REMOVE(&c->back, b, entry);
		c->nback--;
		b->fn(b->arg, -ECONNRESET, NULL);
		free(b);
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
	if (stat != RPC_SUCCESS)
		b->fn(b->arg, -EPROTO, NULL);
	else {
		xdrmem_create(&xdrs, (char *)(uintptr_t)(rec + off),
		    (u_int)(len - off), XDR_DECODE);
		b->fn(b->arg, 0, &xdrs);
		xdr_destroy(&xdrs);
	}
	free(b);
}

int
rpcsvc_back_call(struct rpcsvc_conn *c, uint32_t prog, uint32_t vers,
    uint32_t proc, xdrproc_t encode, const void *args,
    rpcsvc_result_fn *fn, void *arg)
{
	struct rpcsvc_back *b;
	struct xdrbuf_out o;
	uint8_t *body;
	size_t head;
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
	rpcmsg_call_header(&o, b->xid, prog, vers, proc);
	head = o.len;
	if (encode != NULL && !o.failed &&
	    (body = xdrbuf_reserve(&o, c->svc->record_max)) != NULL) {
		xdrmem_create(&xdrs, (char *)body,
		    (u_int)c->svc->record_max, XDR_ENCODE);
		if (!encode(&xdrs, (void *)(uintptr_t)args))
			o.failed = 1;
		else
			o.len = head + xdr_getpos(&xdrs);
		xdr_destroy(&xdrs);
	}
	if (o.failed) {
		xdrbuf_out_free(&o);
		free(b);
		return -1;
	}
	xdrbuf_put_u32_at(&o, 0, RPC_LAST_FRAGMENT | (uint32_t)(o.len - 4));
	if (bufferevent_write(c->bev, o.buf, o.len) == -1) {
		xdrbuf_out_free(&o);
		free(b);
		return -1;
	}
	xdrbuf_out_free(&o);
	TAILQ_INSERT_TAIL(&c->back, b, entry);
	c->nback++;
	return 0;
}

static void
rpcsvc_conn_kill(struct rpcsvc_conn *c, const char *why)
{
	if (c->dead)
		return;
	if (why != NULL)
		log_debug("rpc: connection closed: %s", why);
	c->dead = 1;
	rpcsvc_back_fail(c);
	connlimit_release(c->svc->lim, &c->lim);
	evbuffer_remove_cb_entry(bufferevent_get_output(c->bev), c->out_cb);
	bufferevent_free(c->bev);
	c->bev = NULL;
	free(c->record);
	c->record = NULL;
	TAILQ_REMOVE(&c->svc->conns, c, entry);
	c->svc->nconns--;
	rpcsvc_conn_unref(c);
}

static void
rpcsvc_conn_unref(struct rpcsvc_conn *c)
{
	if (--c->refs == 0)
		free(c);
}

static void
rpcsvc_call_free(struct rpcsvc_call *call)
{
	struct rpcsvc_conn *c = call->conn;

	if (c != NULL) {
		connlimit_inflight(c->svc->lim, &c->lim, -1, connlimit_now());
		/* Reading stopped at the limit: go on now. */
		if (c->calls-- == RPCSVC_CONN_CALLS_MAX && !c->dead)
			bufferevent_trigger(c->bev, EV_READ, 0);
		rpcsvc_conn_unref(c);
	}
	rpcauth_call_clear(&call->auth);
	if (call->decoded != NULL) {
		xdr_free(call->proc->decode, call->decoded);
		free(call->decoded);
	}
	free(call->args);
	free(call);
}

int
rpcsvc_call_alive(const struct rpcsvc_call *call)
{
	return call->conn == NULL || !call->conn->dead;
}

/*
 * Send the reply in o, which starts with four bytes left for the record
 * mark (TCP fills them in, UDP skips them), then free o.
 */
static void
rpcsvc_send(struct rpcsvc_call *call, struct xdrbuf_out *o)
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
			rpcsvc_conn_kill(call->conn, "write failed");
	} else if (sendto(call->udp_fd, o->buf + 4, o->len - 4, MSG_DONTWAIT,
	    (struct sockaddr *)&call->peer, call->peer_len) == -1)
		log_warn_rl("rpc: reply to %s", call->peer_addr);
out:
	xdrbuf_out_free(o);
}

/* Encode an accepted reply; res NULL for void. */
static void
rpcsvc_reply_accepted(struct rpcsvc_call *call, uint32_t stat, xdrproc_t proc,
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
		if ((body = xdrbuf_reserve(&o, call->svc->record_max)) ==
		    NULL)
			goto out;
		xdrmem_create(&xdrs, (char *)body,
		    (u_int)call->svc->record_max, XDR_ENCODE);
		if (!proc(&xdrs, (void *)res))
			o.failed = 1;
		else
			o.len = rpcauth_reply_head(&call->auth) +
			    xdr_getpos(&xdrs);
		xdr_destroy(&xdrs);
	}
	rpcauth_reply_finish(&call->auth, &o, stat);
out:
	rpcsvc_send(call, &o);
}

static void
rpcsvc_reply_denied(struct rpcsvc_call *call, uint32_t why, uint32_t detail)
{
	struct xdrbuf_out o;

	xdrbuf_out_init(&o);
	if (xdrbuf_reserve(&o, 4) != NULL)
		rpcmsg_reply_denied(&o, call->auth.msg.xid, why, detail);
	rpcsvc_send(call, &o);
}

int
rpcsvc_decode_args(struct rpcsvc_call *call, xdrproc_t proc, void *obj)
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
rpcsvc_reply(struct rpcsvc_call *call, const void *res)
{
	rpcsvc_reply_with(call, call->proc != NULL ? call->proc->encode :
	    NULL, res);
}

void
rpcsvc_reply_with(struct rpcsvc_call *call, xdrproc_t proc, const void *res)
{
	rpcsvc_reply_accepted(call, RPC_SUCCESS, proc, res, 0, 0);
	rpcsvc_call_free(call);
}

void
rpcsvc_reply_error(struct rpcsvc_call *call, uint32_t stat)
{
	if (stat == RPC_GARBAGE_ARGS)
		call->svc->stats.garbage++;
	rpcsvc_reply_accepted(call, stat, NULL, NULL, call->program != NULL ?
	    call->program->vers_min : 0, call->program != NULL ?
	    call->program->vers_max : 0);
	rpcsvc_call_free(call);
}

void
rpcsvc_call_drop(struct rpcsvc_call *call)
{
	rpcsvc_call_free(call);
}

/*
 * RFC 5531 9: the program, version and procedure of an accepted call from
 * the table, its arguments decoded, then its handler.
 */
static void
rpcsvc_dispatch(struct rpcsvc *svc, struct rpcsvc_call *call, size_t len)
{
	const struct rpcsvc_program *prog = NULL;
	const struct rpcsvc_version *vers = NULL;
	size_t i;

	for (i = 0; svc->programs[i] != NULL; i++)
		if (svc->programs[i]->prog == call->auth.msg.prog) {
			prog = svc->programs[i];
			break;
		}
	if (prog == NULL) {
		rpcsvc_reply_error(call, RPC_PROG_UNAVAIL);
		return;
	}
	call->program = prog;
	if (len > prog->record_max) {
		log_warnx_rl("rpc: %s call of %zu bytes from %s over %zu",
		    prog->name, len, call->peer_addr, prog->record_max);
		rpcsvc_reply_error(call, RPC_GARBAGE_ARGS);
		return;
	}
	for (i = 0; i < prog->nversions; i++)
		if (prog->versions[i].vers == call->auth.msg.vers)
			vers = &prog->versions[i];
	if (vers == NULL || call->auth.msg.vers < prog->vers_min ||
	    call->auth.msg.vers > prog->vers_max) {
		rpcsvc_reply_error(call, RPC_PROG_MISMATCH);
		return;
	}
	if (call->auth.msg.proc >= vers->nprocs ||
	    vers->procs[call->auth.msg.proc].handler == NULL) {
		rpcsvc_reply_error(call, RPC_PROC_UNAVAIL);
		return;
	}
	call->proc = &vers->procs[call->auth.msg.proc];
	/* The record goes when this returns: the call keeps its arguments. */
	call->args_len = call->auth.args_len;
	if ((call->args = malloc(call->args_len + 1)) == NULL) {
		log_warn("rpc call");
		rpcsvc_reply_error(call, RPC_SYSTEM_ERR);
		return;
	}
	memcpy(call->args, call->auth.args, call->args_len);
	rpcauth_call_clear(&call->auth);
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
			    call->peer_addr);
			rpcsvc_reply_error(call, RPC_GARBAGE_ARGS);
			return;
		}
	}
	call->proc->handler(call, call->decoded, svc->arg);
}

/* One complete record or datagram. */
static void
rpcsvc_message(struct rpcsvc *svc, struct rpcsvc_conn *conn,
    int udp_fd, const struct sockaddr_storage *peer, socklen_t peer_len,
    const uint8_t *buf, size_t len)
{
	struct rpcsvc_call *call;
	enum rpcmsg_verdict v;

	if ((call = calloc(1, sizeof(*call))) == NULL) {
		log_warn("rpc call");
		return;
	}
	call->svc = svc;
	call->udp_fd = udp_fd;
	memcpy(&call->peer, peer, peer_len);
	call->peer_len = peer_len;
	rpcsvc_addr_string((const struct sockaddr *)peer, call->peer_addr,
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
			rpcsvc_reply_denied(call, RPC_MISMATCH, 0);
		else
			rpcsvc_reply_denied(call, RPC_AUTH_ERROR,
			    rpcauth_denied_stat(&call->auth, v));
		rpcsvc_call_free(call);
		return;
	case RPCMSG_GARBAGE:
		log_warnx_rl("rpc: call from %s, xid %08x: %s", call->peer_addr,
		    call->auth.msg.xid, rpcmsg_verdict_name(v));
		rpcsvc_reply_error(call, RPC_GARBAGE_ARGS);
		return;
	default:
		svc->stats.garbage++;
		log_warnx_rl("rpc: message of %zu bytes from %s dropped: %s",
		    len, call->peer_addr, rpcmsg_verdict_name(v));
		rpcsvc_call_free(call);
		return;
	}
	svc->stats.calls++;
	rpcsvc_dispatch(svc, call, len);
}

static void
rpcsvc_conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct rpcsvc_conn *c = arg;
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
		if (n > c->svc->record_max ||
		    c->record_len + n > c->svc->record_max) {
			log_warnx_rl("rpc: record over %zu bytes, closing",
			    c->svc->record_max);
			c->svc->stats.garbage++;
			rpcsvc_conn_kill(c, NULL);
			break;
		}
		if (evbuffer_get_length(in) < 4 + (size_t)n)
			break;
		if (c->calls >= RPCSVC_CONN_CALLS_MAX) {
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
			rpcsvc_conn_kill(c, NULL);
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
			if (len >= 8 && xdrbuf_peek_u32(rec + 4) == RPC_REPLY)
				rpcsvc_back_reply(c, rec, len);
			else
				rpcsvc_message(c->svc, c, -1, &c->peer,
				    c->peer_len, rec, len);
			free(rec);
		}
	}
	rpcsvc_conn_unref(c);
}

/* The output buffer grew (a reply) or shrank (written to the peer). */
static void
rpcsvc_conn_out_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct rpcsvc_conn *c = arg;

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
rpcsvc_conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct rpcsvc_conn *c = arg;

	if (c->dead || !c->paused || !connlimit_may_read(c->svc->lim,
	    &c->lim))
		return;
	c->paused = 0;
	bufferevent_enable(c->bev, EV_READ);
	bufferevent_trigger(c->bev, EV_READ, 0);
}

static void
rpcsvc_conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct rpcsvc_conn *c = arg;

	rpcsvc_conn_kill(c, (what & BEV_EVENT_EOF) ? "peer closed" : "error");
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
		rpcsvc_conn_kill(lc->owner, "no progress for the idle timeout");
		closed++;
	}
	if (closed > 0)
		log_info("rpc: closed %zu connection(s) idle or stuck for %u s",
		    closed, connlimit_conf(svc->lim)->idle_seconds);
}

static void
rpcsvc_accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpcsvc *svc = arg;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct rpcsvc_conn *c;
	enum connlimit_verdict v;
	char name[RPCSVC_ADDR_MAX];
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
	rpcsvc_addr_key((struct sockaddr *)&ss, addr);
	now = connlimit_now();
	if ((v = connlimit_admit(svc->lim, &c->lim, c, addr, now)) !=
	    CONNLIMIT_OK) {
		connlimit_refused(svc->lim);
		rpcsvc_addr_string((struct sockaddr *)&ss, name, sizeof(name),
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
	TAILQ_INIT(&c->back);
	memcpy(&c->peer, &ss, len);
	c->peer_len = len;
	c->bev = bufferevent_socket_new(svc->base, s, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL || (c->out_cb = evbuffer_add_cb(
	    bufferevent_get_output(c->bev), rpcsvc_conn_out_cb, c)) == NULL) {
		log_warnx("rpc: bufferevent");
		connlimit_release(svc->lim, &c->lim);
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else
			close(s);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, rpcsvc_conn_read_cb, rpcsvc_conn_write_cb,
	    rpcsvc_conn_event_cb, c);
	/* Stop reading at one whole record: the input stays bounded. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, svc->record_max + 4);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&svc->conns, c, entry);
	svc->nconns++;
	svc->stats.conns++;
}

static void
rpcsvc_udp_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpcsvc *svc = arg;
	uint8_t *buf = svc->udp_buf;
	struct sockaddr_storage ss;
	socklen_t len;
	ssize_t n;
	int i;

	/* A few datagrams per wakeup. */
	for (i = 0; i < 32; i++) {
		len = sizeof(ss);
		n = recvfrom(fd, buf, svc->record_max, MSG_DONTWAIT,
		    (struct sockaddr *)&ss, &len);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("rpc: recvfrom");
			return;
		}
		rpcsvc_message(svc, NULL, (int)fd, &ss, len, buf,
		    (size_t)n);
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
	for (i = 0; programs[i] != NULL; i++)
		if (programs[i]->record_max > svc->record_max)
			svc->record_max = programs[i]->record_max;
	svc->arg = arg;
	if ((svc->udp_buf = malloc(svc->record_max)) == NULL) {
		event_free(svc->ev_sweep);
		connlimit_free(svc->lim);
		free(svc);
		return NULL;
	}
	svc->tcp_fd = svc->udp_fd = -1;
	TAILQ_INIT(&svc->conns);
	if (rpcsvc_sweep_arm(svc) == -1) {
		rpcsvc_free(svc);
		return NULL;
	}
	return svc;
}

int
rpcsvc_listen(struct rpcsvc *svc, int tcp_fd, int udp_fd)
{
	if (tcp_fd != -1) {
		svc->tcp_fd = tcp_fd;
		svc->ev_tcp = event_new(svc->base, tcp_fd, EV_READ | EV_PERSIST,
		    rpcsvc_accept_cb, svc);
		if (svc->ev_tcp == NULL || event_add(svc->ev_tcp, NULL) == -1)
			return -1;
	}
	if (udp_fd != -1) {
		svc->udp_fd = udp_fd;
		svc->ev_udp = event_new(svc->base, udp_fd, EV_READ | EV_PERSIST,
		    rpcsvc_udp_cb, svc);
		if (svc->ev_udp == NULL || event_add(svc->ev_udp, NULL) == -1)
			return -1;
	}
	return 0;
}

void
rpcsvc_free(struct rpcsvc *svc)
{
	if (svc == NULL)
		return;
	while (!TAILQ_EMPTY(&svc->conns))
		rpcsvc_conn_kill(TAILQ_FIRST(&svc->conns), NULL);
	if (svc->ev_tcp != NULL)
		event_free(svc->ev_tcp);
	if (svc->ev_udp != NULL)
		event_free(svc->ev_udp);
	if (svc->ev_sweep != NULL)
		event_free(svc->ev_sweep);
	connlimit_free(svc->lim);
	free(svc->udp_buf);
	if (svc->tcp_fd != -1)
		close(svc->tcp_fd);
	if (svc->udp_fd != -1)
		close(svc->udp_fd);
	free(svc);
}

void
rpcsvc_stats_get(const struct rpcsvc *svc, struct rpcsvc_stats *st)
{
	*st = svc->stats;
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
