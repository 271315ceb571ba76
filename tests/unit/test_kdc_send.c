/*
 * common/kdc_send.c: the kdc entries nfsd accepts, and the relay against
 * fake KDCs on loopback in this process's event loop: UDP for a small
 * request, TCP with RFC 4120 7.2.2's length for a large one or when
 * asked, the next entry after a hostile TCP length, an empty datagram or
 * a refused port, and a failure reported from the loop, never at once.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "kdc_send.h"
#include "tap.h"
#include "util.h"

enum fake_mode {
	FAKE_GOOD,		/* answers "re:" and the request */
	FAKE_BAD_LENGTH,	/* TCP: a length with the reserved bit */
	FAKE_EMPTY,		/* UDP: an empty datagram */
};

struct fake_conn {
	struct fake_kdc	*kdc;
	int		 fd;
	struct event	*ev;
	uint8_t		 buf[4 + 70000];
	size_t		 len;
};

struct fake_kdc {
	enum fake_mode	 mode;
	int		 udp;
	int		 tcp;
	unsigned int	 port;
	struct event	*ev_udp;
	struct event	*ev_tcp;
	unsigned int	 udp_seen;
	unsigned int	 tcp_seen;
	int		 tcp_length_ok;	/* the length matched the body */
	struct fake_conn conn;
};

static struct event_base *base;

struct result {
	int		 done;
	int		 ok;
	uint8_t		 reply[128];
	size_t		 len;
	char		 why[200];
};

static void
fake_udp(evutil_socket_t fd, short what, void *arg)
{
	struct fake_kdc *k = arg;
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	uint8_t in[2048], out[2052];
	ssize_t n;

	(void)what;
	n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &flen);
	if (n <= 0)
		return;
	k->udp_seen++;
	memcpy(out, "re:", 3);
	memcpy(out + 3, in, (size_t)n);
	(void)sendto(fd, out, k->mode == FAKE_EMPTY ? 0 : (size_t)n + 3, 0,
	    (struct sockaddr *)&from, flen);
}

static void
fake_tcp_read(evutil_socket_t fd, short what, void *arg)
{
	struct fake_conn *c = arg;
	struct fake_kdc *k = c->kdc;
	uint8_t out[4 + 3 + 70000];
	uint32_t want;
	ssize_t n;

	(void)what;
	n = read(fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n <= 0)
		goto done;
	c->len += (size_t)n;
	if (c->len < 4)
		return;
	want = (uint32_t)c->buf[0] << 24 | (uint32_t)c->buf[1] << 16 |
	    (uint32_t)c->buf[2] << 8 | c->buf[3];
	if (c->len < 4 + (size_t)want)
		return;
	k->tcp_length_ok = c->len == 4 + (size_t)want;
	if (k->mode == FAKE_BAD_LENGTH) {
		memcpy(out, "\x80\x00\x00\x10", 4);
		(void)util_write_all(fd, out, 4);
		goto done;
	}
	want += 3;
	out[0] = (uint8_t)(want >> 24);
	out[1] = (uint8_t)(want >> 16);
	out[2] = (uint8_t)(want >> 8);
	out[3] = (uint8_t)want;
	memcpy(out + 4, "re:", 3);
	memcpy(out + 7, c->buf + 4, want - 3);
	(void)util_write_all(fd, out, 4 + want);
done:
	event_free(c->ev);
	close(c->fd);
	c->fd = -1;
}

static void
fake_tcp_accept(evutil_socket_t fd, short what, void *arg)
{
	struct fake_kdc *k = arg;
	int s;

	(void)what;
	if ((s = accept(fd, NULL, NULL)) == -1)
		return;
	k->tcp_seen++;
	k->conn.kdc = k;
	k->conn.fd = s;
	k->conn.len = 0;
	k->conn.ev = event_new(base, s, EV_READ | EV_PERSIST, fake_tcp_read,
	    &k->conn);
	event_add(k->conn.ev, NULL);
}

/* UDP and TCP on one free port of 127.0.0.1. */
static int
fake_start(struct fake_kdc *k, enum fake_mode mode)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int tries;

	memset(k, 0, sizeof(*k));
	k->mode = mode;
	for (tries = 0; tries < 50; tries++) {
		if ((k->tcp = util_listen_inet("127.0.0.1", 0,
		    SOCK_STREAM)) == -1)
			return -1;
		if (getsockname(k->tcp, (struct sockaddr *)&sin, &len) == -1)
			return -1;
		k->port = ntohs(sin.sin_port);
		if ((k->udp = util_listen_inet("127.0.0.1", k->port,
		    SOCK_DGRAM)) != -1)
			break;
		close(k->tcp);
	}
	if (k->udp == -1)
		return -1;
	k->ev_udp = event_new(base, k->udp, EV_READ | EV_PERSIST, fake_udp, k);
	k->ev_tcp = event_new(base, k->tcp, EV_READ | EV_PERSIST,
	    fake_tcp_accept, k);
	event_add(k->ev_udp, NULL);
	event_add(k->ev_tcp, NULL);
	return 0;
}

static void
fake_stop(struct fake_kdc *k)
{
	event_free(k->ev_udp);
	event_free(k->ev_tcp);
	close(k->udp);
	close(k->tcp);
}

/* A port nothing listens on (UDP and TCP refused). */
static unsigned int
closed_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	unsigned int port = 0;
	int fd;

	if ((fd = util_listen_inet("127.0.0.1", 0, SOCK_STREAM)) == -1)
		return 0;
	if (getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static void
on_reply(void *arg, const uint8_t *reply, size_t len, const char *why)
{
	struct result *r = arg;

	r->done = 1;
	r->ok = reply != NULL;
	if (reply != NULL) {
		r->len = len < sizeof(r->reply) ? len : sizeof(r->reply);
		memcpy(r->reply, reply, r->len);
	} else
		snprintf(r->why, sizeof(r->why), "%s", why);
}

/* One relay of req to entries, the loop run until fn. */
static int
relay(const char *const *entries, size_t n, int tcp_only,
    const uint8_t *req, size_t len, struct result *r)
{
	struct kdc_addr addrs[KDC_SEND_ENTRIES_MAX];
	const char *why;
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < n; i++)
		if (kdc_addr_parse(entries[i], &addrs[i], &why) == -1) {
			tap_diag("%s: %s", entries[i], why);
			return -1;
		}
	if (kdc_send_start(base, addrs, n, tcp_only, req, len, on_reply,
	    r) == NULL)
		return -1;
	if (r->done)
		return -2;	/* fn must come from the loop */
	while (!r->done)
		event_base_loop(base, EVLOOP_ONCE);
	return 0;
}

static int
reply_is(const struct result *r, const char *want)
{
	size_t n = strlen(want);

	return r->ok && r->len == 3 + n && memcmp(r->reply, "re:", 3) == 0 &&
	    memcmp(r->reply + 3, want, n) == 0;
}

static void
test_parse(void)
{
	static const struct {
		const char	*entry;
		int		 ok;
		int		 family;
		unsigned int	 port;
		unsigned int	 transports;
	} cases[] = {
		{ "127.0.0.1", 1, AF_INET, 88, KDC_SEND_UDP | KDC_SEND_TCP },
		{ "127.0.0.1:750", 1, AF_INET, 750,
		    KDC_SEND_UDP | KDC_SEND_TCP },
		{ "tcp/10.1.2.3:1088", 1, AF_INET, 1088, KDC_SEND_TCP },
		{ "udp/10.1.2.3", 1, AF_INET, 88, KDC_SEND_UDP },
		{ "[::1]:8888", 1, AF_INET6, 8888,
		    KDC_SEND_UDP | KDC_SEND_TCP },
		{ "[::1]", 1, AF_INET6, 88, KDC_SEND_UDP | KDC_SEND_TCP },
		{ "fe80::1", 1, AF_INET6, 88, KDC_SEND_UDP | KDC_SEND_TCP },
		{ "tcp/[2001:db8::5]:89", 1, AF_INET6, 89, KDC_SEND_TCP },
		{ "kdc.example.com", 0, 0, 0, 0 },
		{ "kdc.example.com:88", 0, 0, 0, 0 },
		{ "kkdcp://kdc.example.com", 0, 0, 0, 0 },
		{ "https://kdc.example.com/KdcProxy", 0, 0, 0, 0 },
		{ "1.2.3.4:0", 0, 0, 0, 0 },
		{ "1.2.3.4:65536", 0, 0, 0, 0 },
		{ "1.2.3.4:-1", 0, 0, 0, 0 },
		{ "1.2.3.4:", 0, 0, 0, 0 },
		{ "1.2.3.4:88x", 0, 0, 0, 0 },
		{ "[::1", 0, 0, 0, 0 },
		{ "[::1]x", 0, 0, 0, 0 },
		{ "[]:88", 0, 0, 0, 0 },
		{ "", 0, 0, 0, 0 },
		{ "tcp/", 0, 0, 0, 0 },
	};
	struct kdc_addr a;
	const char *why;
	size_t i;
	int rc, port;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = NULL;
		rc = kdc_addr_parse(cases[i].entry, &a, &why);
		if (!cases[i].ok) {
			tap_ok(rc == -1 && why != NULL, "kdc \"%s\" refused "
			    "(%s)", cases[i].entry, why ? why : "no reason");
			continue;
		}
		port = a.ss.ss_family == AF_INET ?
		    ntohs(((struct sockaddr_in *)&a.ss)->sin_port) :
		    ntohs(((struct sockaddr_in6 *)&a.ss)->sin6_port);
		tap_ok(rc == 0 && a.ss.ss_family == cases[i].family &&
		    (unsigned int)port == cases[i].port &&
		    a.transports == cases[i].transports,
		    "kdc \"%s\": family %d port %d transports %u",
		    cases[i].entry, a.ss.ss_family, port, a.transports);
	}
}

/* Random entries: refused or parsed, never a crash (run under ASan). */
static void
test_parse_random(void)
{
	static const char alphabet[] = "0123456789abcdef.:[]/tcpudp ";
	char s[64];
	struct kdc_addr a;
	const char *why;
	uint32_t x = 2463534242u;
	int i, j, n, bad = 0;

	for (i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		n = (int)(x % (sizeof(s) - 1));
		for (j = 0; j < n; j++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			s[j] = alphabet[x % (sizeof(alphabet) - 1)];
		}
		s[n] = '\0';
		why = NULL;
		if (kdc_addr_parse(s, &a, &why) == -1 && why == NULL)
			bad++;
	}
	tap_ok(bad == 0, "20000 random entries: each parsed or refused with "
	    "a reason");
}

int
main(void)
{
	struct fake_kdc good, hostile, empty;
	struct result r;
	char e1[64], e2[64], e3[64];
	const char *entries[3];
	uint8_t big[3000];
	unsigned int closed;
	int rc;

	base = event_base_new();
	if (base == NULL) {
		printf("Bail out! no event base\n");
		return 1;
	}
	test_parse();
	test_parse_random();

	if (fake_start(&good, FAKE_GOOD) == -1 ||
	    fake_start(&hostile, FAKE_BAD_LENGTH) == -1 ||
	    fake_start(&empty, FAKE_EMPTY) == -1 ||
	    (closed = closed_port()) == 0) {
		printf("Bail out! no loopback sockets: %s\n", strerror(errno));
		return 1;
	}

	/* RFC 4120 7.2.1: a small request over UDP. */
	snprintf(e1, sizeof(e1), "127.0.0.1:%u", good.port);
	entries[0] = e1;
	tap_ok(relay(entries, 1, 0, (const uint8_t *)"as-req", 6, &r) == 0 &&
	    reply_is(&r, "as-req"), "a small request: the KDC's reply");
	tap_ok(good.udp_seen == 1 && good.tcp_seen == 0,
	    "it went over UDP (udp %u, tcp %u)", good.udp_seen, good.tcp_seen);

	/* tcp_only (KRB_ERR_RESPONSE_TOO_BIG): TCP with the length. */
	tap_ok(relay(entries, 1, 1, (const uint8_t *)"again", 5, &r) == 0 &&
	    reply_is(&r, "again"), "tcp_only: the KDC's reply");
	tap_ok(good.udp_seen == 1 && good.tcp_seen == 1 && good.tcp_length_ok,
	    "it went over TCP, the length before it right (udp %u, tcp %u)",
	    good.udp_seen, good.tcp_seen);

	/* Over 1465 bytes: TCP at once. */
	memset(big, 'b', sizeof(big));
	rc = relay(entries, 1, 0, big, sizeof(big), &r);
	tap_ok(rc == 0 && r.ok && good.tcp_seen == 2 && good.udp_seen == 1 &&
	    good.tcp_length_ok, "a 3000-byte request went over TCP only "
	    "(udp %u, tcp %u)", good.udp_seen, good.tcp_seen);

	/* "udp/": UDP only, even when large would go over TCP. */
	snprintf(e1, sizeof(e1), "udp/127.0.0.1:%u", good.port);
	rc = relay(entries, 1, 0, (const uint8_t *)"u", 1, &r);
	tap_ok(rc == 0 && reply_is(&r, "u") && good.udp_seen == 2 &&
	    good.tcp_seen == 2, "a udp/ entry: UDP (udp %u, tcp %u)",
	    good.udp_seen, good.tcp_seen);

	/*
	 * A refused port, a KDC whose TCP length has the reserved bit, one
	 * that sends an empty datagram: each costs a try, the good one
	 * after them answers.
	 */
	snprintf(e1, sizeof(e1), "127.0.0.1:%u", closed);
	snprintf(e2, sizeof(e2), "tcp/127.0.0.1:%u", hostile.port);
	snprintf(e3, sizeof(e3), "udp/127.0.0.1:%u", empty.port);
	entries[0] = e1;
	entries[1] = e2;
	entries[2] = e3;
	rc = relay(entries, 3, 0, (const uint8_t *)"x", 1, &r);
	tap_ok(rc == 0 && !r.ok, "refused, hostile and empty only: no reply "
	    "(%s)", r.why);
	tap_ok(hostile.tcp_seen == 1 && empty.udp_seen == 1,
	    "each of them was tried (hostile tcp %u, empty udp %u)",
	    hostile.tcp_seen, empty.udp_seen);
	snprintf(e3, sizeof(e3), "127.0.0.1:%u", good.port);
	entries[2] = e3;
	tap_ok(relay(entries, 3, 0, (const uint8_t *)"tgs-req", 7, &r) == 0 &&
	    reply_is(&r, "tgs-req"), "then a good KDC: its reply");
	tap_ok(hostile.tcp_seen == 2, "the hostile one was tried first");

	/* Nothing to try: fn from the loop, with a reason. */
	entries[0] = e1;
	rc = relay(entries, 1, 1, (const uint8_t *)"x", 1, &r);
	tap_ok(rc == 0 && !r.ok && strstr(r.why, "tcp") != NULL,
	    "a refused port alone: no reply, from the loop (%s)", r.why);

	fake_stop(&good);
	fake_stop(&hostile);
	fake_stop(&empty);
	event_base_free(base);
	return tap_done();
}
