/*
 * One Kerberos message sent to a KDC and its reply, asynchronously on a
 * libevent loop (RFC 4120 7.2): nfsd relays for gssd, which opens no
 * network socket (common/gssd_msg.x, GSSD_KDC_SEND).
 */
#ifndef DITTOFS_KDC_SEND_H
#define DITTOFS_KDC_SEND_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#define KDC_SEND_PORT		88	/* RFC 4120 7.2.3 */
#define KDC_SEND_MSG_MAX	65536	/* GSSD_KDC_MSG_MAX */
#define KDC_SEND_ENTRIES_MAX	16	/* GSSD_KDC_ENTRIES_MAX */
#define KDC_SEND_UDP_MAX	1465	/* MIT's udp_preference_limit */
#define KDC_SEND_TRY_MS		3000	/* one KDC over one transport */
#define KDC_SEND_TOTAL_MS	10000	/* all of them */

#define KDC_SEND_UDP	0x1
#define KDC_SEND_TCP	0x2

/* One kdc entry of krb5.conf(5), numeric. */
struct kdc_addr {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	unsigned int		 transports;	/* KDC_SEND_* */
};

/*
 * "host", "host:port", "[v6]", "[v6]:port", each optionally after
 * "tcp/" or "udp/"; host a numeric IPv4 or IPv6 address (a bare IPv6
 * address without brackets and port too).  0, or -1 with why.
 */
int	 kdc_addr_parse(const char *entry, struct kdc_addr *,
	    const char **why);

/*
 * fn's reply is the KDC's message (without TCP's length), valid during
 * the call; NULL with why when no KDC answered.
 */
typedef void	 kdc_send_fn(void *arg, const uint8_t *reply, size_t len,
		    const char *why);

struct kdc_send;

/*
 * req to the first KDC of addrs that answers: over UDP first when req
 * is small and tcp_only is 0, then TCP; each try bounded by
 * KDC_SEND_TRY_MS, all by KDC_SEND_TOTAL_MS.  fn is called once, never
 * from here.  NULL (errno) when nothing could start.
 */
struct kdc_send	*kdc_send_start(struct event_base *, const struct kdc_addr *,
		    size_t naddrs, int tcp_only, const uint8_t *req,
		    size_t len, kdc_send_fn *, void *arg);

#endif
