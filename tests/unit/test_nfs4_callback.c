/*
 * The NFSv4.0 callback program's pure parts (nfsd/v4/cb_xdr.c): the
 * client's callback address (cb_client4's r_netid and r_addr, RFC 5665
 * 5.2.3) as a socket address, refused when malformed; and CB_RECALL's
 * arguments as the client decodes them (RFC 7531).
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "nfs4.h"
#include "tap.h"

static int
parses(const char *netid, const char *uaddr)
{
	struct sockaddr_storage ss;
	socklen_t len;

	return nfs4_cb_sockaddr(netid, uaddr, &ss, &len) == 0;
}

int
main(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct nfs4_stateid sid;
	struct nfs4_opaque fh;
	struct xdrbuf_out o;
	struct xdrbuf_in x;
	uint8_t fhb[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint32_t w[16];
	char addr[64];
	socklen_t len;
	int i;

	tap_ok(nfs4_cb_sockaddr("tcp", "127.0.0.1.3.232", &ss, &len) == 0 &&
	    sin->sin_family == AF_INET && ntohs(sin->sin_port) == 1000 &&
	    len == sizeof(*sin) && sin->sin_addr.s_addr == htonl(0x7f000001),
	    "tcp 127.0.0.1.3.232: 127.0.0.1 port 1000");
	tap_ok(nfs4_cb_sockaddr("tcp6", "fe80::1.0.111", &ss, &len) == 0 &&
	    sin6->sin6_family == AF_INET6 && ntohs(sin6->sin6_port) == 111 &&
	    inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr)) !=
	    NULL && strcmp(addr, "fe80::1") == 0,
	    "tcp6 fe80::1.0.111: port 111");
	tap_ok(!parses("tcp", "127.0.0.1.0.0"), "port 0: refused (no callback)");
	tap_ok(!parses("udp", "127.0.0.1.3.232"), "netid udp: refused");
	tap_ok(!parses("tcp", "::1.3.232"), "an IPv6 host under tcp: refused");
	tap_ok(!parses("tcp6", "127.0.0.1.3.232"),
	    "an IPv4 host under tcp6: refused");
	tap_ok(!parses("tcp", "127.0.0.1.256.1"), "a port byte of 256: refused");
	tap_ok(!parses("tcp", "127.0.0.1.1.-1"), "a negative byte: refused");
	tap_ok(!parses("tcp", "127.0.0.1.3."), "an empty byte: refused");
	tap_ok(!parses("tcp", "127.0.0.1.3"), "one port byte: refused");
	tap_ok(!parses("tcp", ""), "empty: refused");
	tap_ok(!parses("tcp", "host.example.3.232"), "a name: refused");
	memset(addr, '1', sizeof(addr) - 1);
	addr[sizeof(addr) - 1] = '\0';
	tap_ok(!parses("tcp", addr), "a long string of digits: refused");

	/* CB_COMPOUND4args with CB_RECALL, word by word. */
	sid.seqid = 1;
	for (i = 0; i < NFS4_OTHER_SIZE; i++)
		sid.other[i] = (uint8_t)(0xa0 + i);
	fh.p = fhb;
	fh.len = sizeof(fhb);
	xdrbuf_out_init(&o);
	nfs4_cb_encode_recall(&o, NULL, 7, &sid, 0, &fh);
	tap_ok(!o.failed && o.len == 4 * 13, "CB_RECALL args: 13 words");
	xdrbuf_in_init(&x, o.buf, o.len);
	for (i = 0; i < 9 && xdrbuf_get_u32(&x, &w[i]) == 0; i++)
		;
	tap_ok(i == 9 && w[0] == 0 && w[1] == 0 && w[2] == 7 && w[3] == 1 &&
	    w[4] == OP_CB_RECALL && w[5] == 1 &&
	    memcmp(o.buf + 24, sid.other, NFS4_OTHER_SIZE) == 0 &&
	    w[8] == 0xa8a9aaab,
	    "empty tag, minor 0, ident 7, one op CB_RECALL, the stateid");
	tap_ok(memcmp(o.buf + 36, "\0\0\0\0\0\0\0\x08", 8) == 0 &&
	    memcmp(o.buf + 44, fhb, sizeof(fhb)) == 0,
	    "truncate false, then the file handle");
	xdrbuf_out_free(&o);
	return tap_done();
}
