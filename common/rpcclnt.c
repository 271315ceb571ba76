/*
 * An asynchronous ONC RPC client over UDP (RFC 5531) with a port lookup
 * through the peer's rpcbind (PMAP v2 GETPORT), for the callbacks lockd
 * and statd make (NLM GRANTED, the _RES messages, SM_NOTIFY).  See
 * rpcclnt.h.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/queue.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "log.h"
#include "rpcclnt.h"
#include "rpcmsg.h"

#define PMAP_PROG		100000
#define PMAP_VERS		2
#define PMAP_PROC_GETPORT	3
#define PMAP_PORT		111

struct rpcclnt_pending {
	TAILQ_ENTRY(rpcclnt_pending) entry;
	struct rpcclnt	*cl;
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
	rpcclnt_result_fn	*fn;
	void			*arg;
};

struct rpcclnt {
	struct event_base	*base;
	int			 fd;
	struct event		*ev;
	uint32_t		 next_xid;
	TAILQ_HEAD(, rpcclnt_pending) pending;
};

static void
rpcclnt_pending_finish(struct rpcclnt_pending *p, int status, XDR *xdrs)
{
	TAILQ_REMOVE(&p->cl->pending, p, entry);
	event_free(p->timer);
	if (p->fn != NULL)
		p->fn(p->arg, status, xdrs);
	free(p->args);
	free(p);
}

static void
rpcclnt_pending_send(struct rpcclnt_pending *p)
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
			((struct sockaddr_in *)&to)->sin_port =
			    htons(PMAP_PORT);
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
rpcclnt_pending_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpcclnt_pending *p = arg;

	if (p->tries <= 1) {
		rpcclnt_pending_finish(p, -ETIMEDOUT, NULL);
		return;
	}
	p->tries--;
	if (p->timeout_ms < 8000)
		p->timeout_ms *= 2;
	rpcclnt_pending_send(p);
}

static void
rpcclnt_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpcclnt *cl = arg;
	uint8_t buf[RPCCLNT_MSG_MAX];
	struct rpcclnt_pending *p;
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
		if (accept != RPC_SUCCESS) {
			rpcclnt_pending_finish(p, -EPROTO, NULL);
			continue;
		}
		if (p->looking_up) {
			if ((size_t)n - off < 4 ||
			    (port = xdrbuf_peek_u32(buf + off)) == 0 ||
			    port > 65535) {
				rpcclnt_pending_finish(p, -ENOENT, NULL);
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
			rpcclnt_pending_send(p);
			continue;
		}
		xdrmem_create(&xdrs, (char *)buf + off, (u_int)((size_t)n -
		    off), XDR_DECODE);
		rpcclnt_pending_finish(p, 0, &xdrs);
		xdr_destroy(&xdrs);
	}
}

struct rpcclnt *
rpcclnt_new(struct event_base *base, int fd)
{
	struct rpcclnt *cl;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return NULL;
	cl->base = base;
	cl->fd = fd;
	cl->next_xid = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	TAILQ_INIT(&cl->pending);
	cl->ev = event_new(base, fd, EV_READ | EV_PERSIST, rpcclnt_read_cb,
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
rpcclnt_free(struct rpcclnt *cl)
{
	if (cl == NULL)
		return;
	while (!TAILQ_EMPTY(&cl->pending))
		rpcclnt_pending_finish(TAILQ_FIRST(&cl->pending), -ECANCELED,
		    NULL);
	event_free(cl->ev);
	close(cl->fd);
	free(cl);
}

int
rpcclnt_call(struct rpcclnt *cl, const struct sockaddr *addr,
    socklen_t addr_len, uint32_t prog, uint32_t vers, uint32_t proc,
    xdrproc_t xproc, const void *args, unsigned int tries,
    rpcclnt_result_fn *fn, void *arg)
{
	struct rpcclnt_pending *p;
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
	if ((buf = malloc(RPCCLNT_MSG_MAX)) == NULL) {
		free(p);
		return -1;
	}
	xdrmem_create(&xdrs, (char *)buf, RPCCLNT_MSG_MAX - 64, XDR_ENCODE);
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
	if ((p->timer = evtimer_new(cl->base, rpcclnt_pending_timeout_cb, p)) ==
	    NULL) {
		free(p->args);
		free(p);
		return -1;
	}
	TAILQ_INSERT_TAIL(&cl->pending, p, entry);
	rpcclnt_pending_send(p);
	return 0;
}

/* A UDP socket for outgoing calls, on a reserved port if asked. */
int
rpcclnt_socket(int reserved)
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

/*
 * Over TCP (RFC 5531 11: record marking): one connection to one peer,
 * calls matched to replies by xid, each with its own timeout.
 */
struct rpcclnt_tcp_call {
	TAILQ_ENTRY(rpcclnt_tcp_call) entry;
	struct rpcclnt_tcp	*cl;
	uint32_t		 xid;
	struct event		*timer;
	rpcclnt_result_fn	*fn;
	void			*arg;
	rpcclnt_record_fn	*record_fn;	/* rpcclnt_tcp_send's */
};

struct rpcclnt_tcp {
	struct bufferevent	*bev;
	uint32_t		 next_xid;
	int			 dead;
	int			 connected;
	char			*machine;	/* AUTH_SYS as root; NULL: NULL */
	TAILQ_HEAD(, rpcclnt_tcp_call) calls;
};

static void
rpcclnt_tcp_finish(struct rpcclnt_tcp_call *tc, int status, XDR *xdrs)
{
	TAILQ_REMOVE(&tc->cl->calls, tc, entry);
	event_free(tc->timer);
	if (tc->record_fn != NULL)
		tc->record_fn(tc->arg, status, NULL, 0);
	else
		tc->fn(tc->arg, status, xdrs);
	free(tc);
}

static void
rpcclnt_tcp_fail(struct rpcclnt_tcp *cl, int status)
{
	cl->dead = 1;
	while (!TAILQ_EMPTY(&cl->calls))
		rpcclnt_tcp_finish(TAILQ_FIRST(&cl->calls), status, NULL);
}

static void
rpcclnt_tcp_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	rpcclnt_tcp_finish(arg, -ETIMEDOUT, NULL);
}

static void
rpcclnt_tcp_read_cb(struct bufferevent *bev, void *arg)
{
	struct rpcclnt_tcp *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct rpcclnt_tcp_call *tc;
	uint8_t mark[4], *rec;
	uint32_t n, xid, stat;
	size_t off;
	XDR xdrs;

	while (!cl->dead && evbuffer_get_length(in) >= 4) {
		evbuffer_copyout(in, mark, 4);
		n = xdrbuf_peek_u32(mark) & ~RPC_LAST_FRAGMENT;
		/* Replies to our calls come whole, in one fragment. */
		if (!(xdrbuf_peek_u32(mark) & RPC_LAST_FRAGMENT) ||
		    n > RPCCLNT_MSG_MAX) {
			log_warnx_rl("rpc: reply record of %u bytes refused",
			    n);
			rpcclnt_tcp_fail(cl, -EPROTO);
			return;
		}
		if (evbuffer_get_length(in) < 4 + (size_t)n)
			return;
		evbuffer_drain(in, 4);
		rec = evbuffer_pullup(in, n);
		if (n > 0 && rec == NULL) {
			rpcclnt_tcp_fail(cl, -ENOMEM);
			return;
		}
		if (rpcmsg_decode_reply(rec, n, &xid, &stat, &off) == 0) {
			TAILQ_FOREACH(tc, &cl->calls, entry)
				if (tc->xid == xid)
					break;
			if (tc != NULL && tc->record_fn != NULL) {
				TAILQ_REMOVE(&cl->calls, tc, entry);
				event_free(tc->timer);
				tc->record_fn(tc->arg, 0, rec, n);
				free(tc);
			} else if (tc != NULL && stat != RPC_SUCCESS)
				rpcclnt_tcp_finish(tc, -EPROTO, NULL);
			else if (tc != NULL) {
				xdrmem_create(&xdrs, (char *)rec + off,
				    (u_int)(n - off), XDR_DECODE);
				rpcclnt_tcp_finish(tc, 0, &xdrs);
				xdr_destroy(&xdrs);
			}
		}
		evbuffer_drain(in, n);
	}
}

static void
rpcclnt_tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct rpcclnt_tcp *cl = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED)
		cl->connected = 1;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		rpcclnt_tcp_fail(arg, -ECONNRESET);
}

struct rpcclnt_tcp *
rpcclnt_tcp_new(struct event_base *base, const struct sockaddr *sa,
    socklen_t len)
{
	struct rpcclnt_tcp *cl;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return NULL;
	TAILQ_INIT(&cl->calls);
	cl->next_xid = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	cl->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (cl->bev == NULL) {
		free(cl);
		return NULL;
	}
	bufferevent_setcb(cl->bev, rpcclnt_tcp_read_cb, NULL,
	    rpcclnt_tcp_event_cb, cl);
	bufferevent_setwatermark(cl->bev, EV_READ, 0, RPCCLNT_MSG_MAX + 4);
	if (bufferevent_enable(cl->bev, EV_READ | EV_WRITE) == -1 ||
	    bufferevent_socket_connect(cl->bev, sa, (int)len) == -1) {
		bufferevent_free(cl->bev);
		free(cl);
		return NULL;
	}
	return cl;
}

int
rpcclnt_tcp_connected(const struct rpcclnt_tcp *cl)
{
	return cl != NULL && cl->connected;
}

void
rpcclnt_tcp_free(struct rpcclnt_tcp *cl)
{
	if (cl == NULL)
		return;
	rpcclnt_tcp_fail(cl, -ECANCELED);
	bufferevent_free(cl->bev);
	free(cl->machine);
	free(cl);
}

/*
 * Calls from now on carry AUTH_SYS (uid 0, gid 0, machine name), as an
 * NFSv4.0 client's callback service wants for CB_COMPOUND.
 */
int
rpcclnt_tcp_auth_sys(struct rpcclnt_tcp *cl, const char *machine)
{
	char *m;

	if (strlen(machine) > 255 || (m = strdup(machine)) == NULL)
		return -1;
	free(cl->machine);
	cl->machine = m;
	return 0;
}

/* The call's record (its mark first) on the wire, and its timer. */
static int
rpcclnt_tcp_queue(struct rpcclnt_tcp *cl, struct rpcclnt_tcp_call *tc,
    struct xdrbuf_out *o, unsigned int timeout_ms)
{
	struct timeval tv;

	tc->timer = evtimer_new(bufferevent_get_base(cl->bev),
	    rpcclnt_tcp_timeout_cb, tc);
	if (o->failed || tc->timer == NULL) {
		if (tc->timer != NULL)
			event_free(tc->timer);
		xdrbuf_out_free(o);
		free(tc);
		return -1;
	}
	xdrbuf_put_u32_at(o, 0, RPC_LAST_FRAGMENT | (uint32_t)(o->len - 4));
	if (bufferevent_write(cl->bev, o->buf, o->len) == -1) {
		event_free(tc->timer);
		xdrbuf_out_free(o);
		free(tc);
		return -1;
	}
	xdrbuf_out_free(o);
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(tc->timer, &tv);
	TAILQ_INSERT_TAIL(&cl->calls, tc, entry);
	return 0;
}

int
rpcclnt_tcp_call(struct rpcclnt_tcp *cl, uint32_t prog, uint32_t vers,
    uint32_t proc, xdrproc_t encode, const void *args,
    unsigned int timeout_ms, rpcclnt_result_fn *fn, void *arg)
{
	struct rpcclnt_tcp_call *tc;
	struct xdrbuf_out o;
	uint8_t *body;
	size_t head;
	XDR xdrs;

	if (cl->dead || (tc = calloc(1, sizeof(*tc))) == NULL)
		return -1;
	tc->cl = cl;
	tc->xid = cl->next_xid++;
	tc->fn = fn;
	tc->arg = arg;
	xdrbuf_out_init(&o);
	xdrbuf_reserve(&o, 4);
	rpcmsg_call_header_sys(&o, tc->xid, prog, vers, proc, cl->machine);
	head = o.len;
	if (encode != NULL && !o.failed &&
	    (body = xdrbuf_reserve(&o, RPCCLNT_MSG_MAX)) != NULL) {
		xdrmem_create(&xdrs, (char *)body, RPCCLNT_MSG_MAX,
		    XDR_ENCODE);
		if (!encode(&xdrs, (void *)(uintptr_t)args))
			o.failed = 1;
		else
			o.len = head + xdr_getpos(&xdrs);
		xdr_destroy(&xdrs);
	}
	return rpcclnt_tcp_queue(cl, tc, &o, timeout_ms);
}

uint32_t
rpcclnt_tcp_xid(struct rpcclnt_tcp *cl)
{
	return cl->next_xid++;
}

int
rpcclnt_tcp_send(struct rpcclnt_tcp *cl, uint32_t xid, const uint8_t *rec,
    size_t len, unsigned int timeout_ms, rpcclnt_record_fn *fn, void *arg)
{
	struct rpcclnt_tcp_call *tc;
	struct xdrbuf_out o;
	uint8_t *p;

	if (cl->dead || len < 4 || len > RPCCLNT_MSG_MAX ||
	    (tc = calloc(1, sizeof(*tc))) == NULL)
		return -1;
	tc->cl = cl;
	tc->xid = xid;
	tc->record_fn = fn;
	tc->arg = arg;
	xdrbuf_out_init(&o);
	xdrbuf_reserve(&o, 4);
	if ((p = xdrbuf_reserve(&o, len)) != NULL)
		memcpy(p, rec, len);
	return rpcclnt_tcp_queue(cl, tc, &o, timeout_ms);
}
