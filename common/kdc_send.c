/*
 * The KDC relay's network side (see kdc_send.h).  Nothing here reads a
 * Kerberos message: gssd's library checks the reply (its nonce, its
 * encryption under the keys it holds), so a reply from anywhere is
 * just bytes to pass on, bounded in size and time.  A KDC that sends
 * garbage, a wrong TCP length, or nothing, costs one try; the next
 * entry is tried after it.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kdc_send.h"
#include "util.h"

struct kdc_send {
	struct event_base	*base;
	struct kdc_addr		 addrs[KDC_SEND_ENTRIES_MAX];
	size_t			 naddrs;
	size_t			 next;		/* the next try: addrs[next] */
	unsigned int		 next_transport; /* over this, 0: the first */
	int			 tcp_only;
	int			 fd;
	int			 transport;	/* of the try under way */
	int			 connected;	/* TCP */
	int			 exhausted;	/* ev_try reports failure */
	uint8_t			*out;		/* TCP's length, then req */
	size_t			 out_len;
	size_t			 out_off;
	uint8_t			*in;		/* the same for the reply */
	size_t			 in_len;
	size_t			 in_want;
	struct event		*ev_io;
	struct event		*ev_try;
	struct event		*ev_total;
	kdc_send_fn		*fn;
	void			*arg;
	char			 why[160];
};

/* "[v6]:port" or "v4:port" or either bare: the address and the port. */
int
kdc_addr_parse(const char *entry, struct kdc_addr *a, const char **why)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *p = entry, *end, *port = NULL;
	unsigned long n = KDC_SEND_PORT;
	char *e;
	size_t len;

	memset(a, 0, sizeof(*a));
	a->transports = KDC_SEND_UDP | KDC_SEND_TCP;
	if (strstr(p, "://") != NULL) {
		*why = "a KDC proxy (kkdcp, https) entry is not supported";
		return -1;
	}
	if (strncmp(p, "tcp/", 4) == 0) {
		a->transports = KDC_SEND_TCP;
		p += 4;
	} else if (strncmp(p, "udp/", 4) == 0) {
		a->transports = KDC_SEND_UDP;
		p += 4;
	}
	if (*p == '[') {
		if ((end = strchr(p, ']')) == NULL) {
			*why = "no ']' after an IPv6 address";
			return -1;
		}
		len = (size_t)(end - p - 1);
		p++;
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0') {
			*why = "text after ']'";
			return -1;
		}
	} else if ((end = strchr(p, ':')) != NULL && strchr(end + 1, ':') ==
	    NULL) {
		len = (size_t)(end - p);
		port = end + 1;
	} else
		len = strlen(p);	/* no port, or a bare IPv6 address */
	if (len == 0 || len >= sizeof(host)) {
		*why = "no address";
		return -1;
	}
	memcpy(host, p, len);
	host[len] = '\0';
	if (port != NULL) {
		errno = 0;
		n = strtoul(port, &e, 10);
		if (*port < '0' || *port > '9' || *e != '\0' || errno != 0 ||
		    n == 0 || n > 65535) {
			*why = "a bad port";
			return -1;
		}
	}
	if (util_sockaddr_parse(host, (unsigned int)n, &a->ss, &a->len) ==
	    -1) {
		*why = "not a numeric address (names and DNS SRV lookup are "
		    "not supported)";
		return -1;
	}
	return 0;
}

static void
kdc_send_close(struct kdc_send *ks)
{
	if (ks->ev_io != NULL) {
		event_free(ks->ev_io);
		ks->ev_io = NULL;
	}
	if (ks->fd != -1) {
		close(ks->fd);
		ks->fd = -1;
	}
}

static void
kdc_send_finish(struct kdc_send *ks, const uint8_t *reply, size_t len)
{
	kdc_send_close(ks);
	event_free(ks->ev_try);
	event_free(ks->ev_total);
	ks->fn(ks->arg, reply, len, reply == NULL ? ks->why : NULL);
	free(ks->out);
	free(ks->in);
	free(ks);
}

static void	kdc_send_io(evutil_socket_t, short, void *);

/* The transport of the next try, 0 when addrs[next] has none left. */
static int
kdc_send_pick(struct kdc_send *ks)
{
	const struct kdc_addr *a = &ks->addrs[ks->next];
	size_t reqlen = ks->out_len - 4;
	int udp_ok;

	/* RFC 4120 7.2.1: UDP for what fits, TCP after it or instead. */
	udp_ok = (a->transports & KDC_SEND_UDP) && !ks->tcp_only &&
	    (reqlen <= KDC_SEND_UDP_MAX || a->transports == KDC_SEND_UDP);
	if (ks->next_transport == 0) {
		ks->next_transport = KDC_SEND_UDP;
		if (udp_ok)
			return KDC_SEND_UDP;
	}
	if (ks->next_transport == KDC_SEND_UDP) {
		ks->next_transport = KDC_SEND_TCP;
		if (a->transports & KDC_SEND_TCP)
			return KDC_SEND_TCP;
	}
	return 0;
}

/* One try: a socket toward the KDC; -1 with why when it failed at once. */
static int
kdc_send_try(struct kdc_send *ks, int transport)
{
	const struct kdc_addr *a = &ks->addrs[ks->next];
	int type = transport == KDC_SEND_UDP ? SOCK_DGRAM : SOCK_STREAM;
	short what;

	ks->transport = transport;
	ks->connected = 0;
	ks->out_off = 0;
	ks->in_len = 0;
	ks->in_want = transport == KDC_SEND_UDP ? 0 : 4;
	ks->fd = socket(a->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (ks->fd == -1)
		goto fail;
	if (connect(ks->fd, (const struct sockaddr *)&a->ss, a->len) == -1 &&
	    errno != EINPROGRESS)
		goto fail;
	if (transport == KDC_SEND_UDP) {
		/* Connected: only the KDC's address is heard. */
		if (send(ks->fd, ks->out + 4, ks->out_len - 4, 0) == -1)
			goto fail;
		what = EV_READ | EV_PERSIST;
	} else
		what = EV_WRITE | EV_PERSIST;
	ks->ev_io = event_new(ks->base, ks->fd, what, kdc_send_io, ks);
	if (ks->ev_io == NULL || event_add(ks->ev_io, NULL) == -1)
		goto fail;
	return 0;
fail:
	snprintf(ks->why, sizeof(ks->why), "%s: %s", transport ==
	    KDC_SEND_UDP ? "udp" : "tcp", strerror(errno));
	kdc_send_close(ks);
	return -1;
}

/* After a failed try (ks->why says why): the next one, or the end. */
static void
kdc_send_next(struct kdc_send *ks)
{
	struct timeval tv = { KDC_SEND_TRY_MS / 1000,
	    (KDC_SEND_TRY_MS % 1000) * 1000 };
	int t;

	kdc_send_close(ks);
	while (ks->next < ks->naddrs) {
		if ((t = kdc_send_pick(ks)) == 0) {
			ks->next++;
			ks->next_transport = 0;
			continue;
		}
		if (kdc_send_try(ks, t) == 0) {
			evtimer_add(ks->ev_try, &tv);
			return;
		}
	}
	/* None left: fn runs from the loop, never from the caller. */
	ks->exhausted = 1;
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	evtimer_add(ks->ev_try, &tv);
}

static void
kdc_send_try_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct kdc_send *ks = arg;

	(void)fd;
	(void)what;
	if (ks->exhausted) {
		kdc_send_finish(ks, NULL, 0);
		return;
	}
	snprintf(ks->why, sizeof(ks->why), "%s: no answer in %u ms",
	    ks->transport == KDC_SEND_UDP ? "udp" : "tcp", KDC_SEND_TRY_MS);
	kdc_send_next(ks);
}

static void
kdc_send_total_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct kdc_send *ks = arg;
	size_t n = strlen(ks->why);

	(void)fd;
	(void)what;
	if (n < sizeof(ks->why))
		snprintf(ks->why + n, sizeof(ks->why) - n, "%sno reply in "
		    "%u ms", n > 0 ? "; " : "", KDC_SEND_TOTAL_MS);
	kdc_send_finish(ks, NULL, 0);
}

static void
kdc_send_fail(struct kdc_send *ks, const char *why)
{
	snprintf(ks->why, sizeof(ks->why), "%s: %s", ks->transport ==
	    KDC_SEND_UDP ? "udp" : "tcp", why);
	evtimer_del(ks->ev_try);
	kdc_send_next(ks);
}

static void
kdc_send_udp_read(struct kdc_send *ks)
{
	ssize_t n;

	n = recv(ks->fd, ks->in, KDC_SEND_MSG_MAX + 1, MSG_TRUNC);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		kdc_send_fail(ks, strerror(errno));	/* ECONNREFUSED */
		return;
	}
	if (n == 0 || (size_t)n > KDC_SEND_MSG_MAX) {
		kdc_send_fail(ks, "an empty or oversized datagram");
		return;
	}
	kdc_send_finish(ks, ks->in, (size_t)n);
}

/* RFC 4120 7.2.2: the 4-byte length (its high bit reserved), the rest. */
static void
kdc_send_tcp_read(struct kdc_send *ks)
{
	uint32_t len;
	ssize_t n;

	n = read(ks->fd, ks->in + ks->in_len, ks->in_want - ks->in_len);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		kdc_send_fail(ks, strerror(errno));
		return;
	}
	if (n == 0) {
		kdc_send_fail(ks, "closed before the whole reply");
		return;
	}
	ks->in_len += (size_t)n;
	if (ks->in_len < ks->in_want)
		return;
	if (ks->in_want == 4) {
		len = (uint32_t)ks->in[0] << 24 | (uint32_t)ks->in[1] << 16 |
		    (uint32_t)ks->in[2] << 8 | ks->in[3];
		if (len == 0 || len > KDC_SEND_MSG_MAX) {
			kdc_send_fail(ks, "a reply length of 0, over the "
			    "limit, or with the reserved bit");
			return;
		}
		ks->in_want = 4 + (size_t)len;
		return;
	}
	kdc_send_finish(ks, ks->in + 4, ks->in_len - 4);
}

static void
kdc_send_tcp_write(struct kdc_send *ks)
{
	socklen_t elen = sizeof(int);
	int err = 0;
	ssize_t n;

	if (!ks->connected) {
		if (getsockopt(ks->fd, SOL_SOCKET, SO_ERROR, &err, &elen) ==
		    -1)
			err = errno;
		if (err != 0) {
			kdc_send_fail(ks, strerror(err));
			return;
		}
		ks->connected = 1;
	}
	n = send(ks->fd, ks->out + ks->out_off, ks->out_len - ks->out_off,
	    MSG_NOSIGNAL);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		kdc_send_fail(ks, strerror(errno));
		return;
	}
	ks->out_off += (size_t)n;
	if (ks->out_off < ks->out_len)
		return;
	/* All sent: now the reply. */
	event_free(ks->ev_io);
	ks->ev_io = event_new(ks->base, ks->fd, EV_READ | EV_PERSIST,
	    kdc_send_io, ks);
	if (ks->ev_io == NULL || event_add(ks->ev_io, NULL) == -1)
		kdc_send_fail(ks, "no event for the reply");
}

static void
kdc_send_io(evutil_socket_t fd, short what, void *arg)
{
	struct kdc_send *ks = arg;

	(void)fd;
	if (ks->transport == KDC_SEND_UDP)
		kdc_send_udp_read(ks);
	else if (what & EV_WRITE)
		kdc_send_tcp_write(ks);
	else
		kdc_send_tcp_read(ks);
}

struct kdc_send *
kdc_send_start(struct event_base *base, const struct kdc_addr *addrs,
    size_t naddrs, int tcp_only, const uint8_t *req, size_t len,
    kdc_send_fn *fn, void *arg)
{
	struct timeval total = { KDC_SEND_TOTAL_MS / 1000,
	    (KDC_SEND_TOTAL_MS % 1000) * 1000 };
	struct kdc_send *ks;

	if (naddrs == 0 || naddrs > KDC_SEND_ENTRIES_MAX || len == 0 ||
	    len > KDC_SEND_MSG_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if ((ks = calloc(1, sizeof(*ks))) == NULL)
		return NULL;
	ks->base = base;
	ks->fd = -1;
	memcpy(ks->addrs, addrs, naddrs * sizeof(*addrs));
	ks->naddrs = naddrs;
	ks->tcp_only = tcp_only;
	ks->fn = fn;
	ks->arg = arg;
	ks->out_len = 4 + len;
	ks->out = malloc(ks->out_len);
	/* One more byte than a reply may have: a longer datagram shows. */
	ks->in = malloc(4 + KDC_SEND_MSG_MAX + 1);
	ks->ev_try = evtimer_new(base, kdc_send_try_timeout, ks);
	ks->ev_total = evtimer_new(base, kdc_send_total_timeout, ks);
	if (ks->out == NULL || ks->in == NULL || ks->ev_try == NULL ||
	    ks->ev_total == NULL || evtimer_add(ks->ev_total, &total) == -1) {
		if (ks->ev_try != NULL)
			event_free(ks->ev_try);
		if (ks->ev_total != NULL)
			event_free(ks->ev_total);
		free(ks->out);
		free(ks->in);
		free(ks);
		errno = ENOMEM;
		return NULL;
	}
	ks->out[0] = (uint8_t)(len >> 24);
	ks->out[1] = (uint8_t)(len >> 16);
	ks->out[2] = (uint8_t)(len >> 8);
	ks->out[3] = (uint8_t)len;
	memcpy(ks->out + 4, req, len);
	snprintf(ks->why, sizeof(ks->why), "no KDC entry to try");
	kdc_send_next(ks);
	return ks;
}
