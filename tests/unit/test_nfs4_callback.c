/*
 * The NFSv4.0 callback program's pure parts (nfsd/v4/cb_xdr.c): the
 * client's callback address (cb_client4's r_netid and r_addr, RFC 5665
 * 5.2.3) as a socket address, refused when malformed; and CB_RECALL's
 * arguments as the client decodes them (RFC 7531); NFSv4.1's CB_NOTIFY
 * (RFC 8881 20.4) after CB_SEQUENCE, one notify4 per change.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "nfs4.h"
#include "tap.h"

/* The next word of x, or 0xdeadbeef past its end. */
static uint32_t
word(struct xdrbuf_in *x)
{
	uint32_t v;

	return xdrbuf_get_u32(x, &v) == 0 ? v : 0xdeadbeef;
}

/* A name of up to 4 bytes (one word of data): 1 if it is s. */
static int
name_is(struct xdrbuf_in *x, const char *s)
{
	uint32_t len = word(x), data = word(x), want = 0;
	size_t i;

	for (i = 0; i < 4; i++)
		want = want << 8 | (i < strlen(s) ? (uint8_t)s[i] : 0);
	return len == strlen(s) && data == want;
}

/* notify_entry4 with no attributes: the name, an empty fattr4. */
static int
entry_is(struct xdrbuf_in *x, const char *s)
{
	return name_is(x, s) && word(x) == 0 && word(x) == 0;
}

/* notify_add4 with no old entry, cookie or previous entry. */
static int
add_is(struct xdrbuf_in *x, const char *s)
{
	return word(x) == 0 && entry_is(x, s) && word(x) == 0 &&
	    word(x) == 0 && word(x) == 0;
}

static void
test_cb_notify(void)
{
	struct nfs41_notify_event ev[4];
	struct nfs4_stateid sid;
	struct nfs4_opaque fh;
	struct xdrbuf_out op, o;
	struct xdrbuf_in x;
	uint8_t fhb[4] = { 9, 8, 7, 6 }, session[NFS41_SESSIONID_SIZE];
	int i;

	memset(ev, 0, sizeof(ev));
	ev[0].type = NOTIFY4_ADD_ENTRY;
	ev[0].name.p = (const uint8_t *)"new";
	ev[0].name.len = 3;
	ev[1].type = NOTIFY4_REMOVE_ENTRY;
	ev[1].name.p = (const uint8_t *)"old";
	ev[1].name.len = 3;
	ev[2].type = NOTIFY4_RENAME_ENTRY;
	ev[2].name.p = (const uint8_t *)"a";
	ev[2].name.len = 1;
	ev[2].newname.p = (const uint8_t *)"bb";
	ev[2].newname.len = 2;
	ev[3].type = NOTIFY4_CHANGE_DIR_ATTRS;
	sid.seqid = 1;
	for (i = 0; i < NFS4_OTHER_SIZE; i++)
		sid.other[i] = (uint8_t)(0x10 + i);
	fh.p = fhb;
	fh.len = sizeof(fhb);
	memset(session, 0x5a, sizeof(session));
	xdrbuf_out_init(&op);
	nfs41_cb_put_notify(&op, &sid, &fh, ev, 4);
	xdrbuf_out_init(&o);
	nfs41_cb_encode_op(&o, session, 3, op.buf, op.len);
	tap_ok(!op.failed && !o.failed, "CB_NOTIFY encoded");
	xdrbuf_in_init(&x, o.buf, o.len);
	tap_ok(word(&x) == 0 && word(&x) == 1 && word(&x) == 0 &&
	    word(&x) == 2 && word(&x) == OP_CB_SEQUENCE,
	    "CB_COMPOUND of minor 1, two ops, CB_SEQUENCE first");
	x.pos += NFS41_SESSIONID_SIZE;
	tap_ok(word(&x) == 3 && word(&x) == 0 && word(&x) == 0 &&
	    word(&x) == 0 && word(&x) == 0,
	    "sequence id 3 on slot 0, no referring calls");
	tap_ok(word(&x) == OP_CB_NOTIFY && word(&x) == 1 &&
	    word(&x) == 0x10111213 && word(&x) == 0x14151617 &&
	    word(&x) == 0x18191a1b && word(&x) == 4 && word(&x) == 0x09080706,
	    "CB_NOTIFY: the delegation's stateid, the directory's handle");
	tap_ok(word(&x) == 4, "four notify4, one per change");
	/* Each: bitmap of one word with the type's bit, then its value. */
	tap_ok(word(&x) == 1 && word(&x) == 1u << NOTIFY4_ADD_ENTRY &&
	    word(&x) == 4 * 8 && add_is(&x, "new"),
	    "ADD_ENTRY: notify_add4 of the name, no cookie or attributes");
	tap_ok(word(&x) == 1 && word(&x) == 1u << NOTIFY4_REMOVE_ENTRY &&
	    word(&x) == 4 * 6 && entry_is(&x, "old") && word(&x) == 0 &&
	    word(&x) == 0, "REMOVE_ENTRY: notify_remove4, cookie 0");
	tap_ok(word(&x) == 1 && word(&x) == 1u << NOTIFY4_RENAME_ENTRY &&
	    word(&x) == 4 * 14 && entry_is(&x, "a") && word(&x) == 0 &&
	    word(&x) == 0 && add_is(&x, "bb"),
	    "RENAME_ENTRY: the old name's notify_remove4, the new one's "
	    "notify_add4");
	tap_ok(word(&x) == 1 && word(&x) == 1u << NOTIFY4_CHANGE_DIR_ATTRS &&
	    word(&x) == 4 * 3 && word(&x) == 0 && word(&x) == 0 &&
	    word(&x) == 0, "CHANGE_DIR_ATTRS: notify_attr4, no name, no "
	    "attributes");
	tap_ok(x.pos == x.len, "nothing after");
	xdrbuf_out_free(&op);
	xdrbuf_out_free(&o);
	/* RFC 8881 20.8: CB_RECALL_SLOT, the target highest slot id. */
	xdrbuf_out_init(&op);
	nfs41_cb_put_recall_slot(&op, 3);
	xdrbuf_in_init(&x, op.buf, op.len);
	tap_ok(word(&x) == OP_CB_RECALL_SLOT && word(&x) == 3 &&
	    x.pos == x.len, "CB_RECALL_SLOT: op 10, target 3");
	xdrbuf_out_free(&op);
}

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
	test_cb_notify();
	return tap_done();
}
