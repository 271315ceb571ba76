/*
 * smbd/dcerpc.c, srvsvc.c, wkssvc.c: the NDR writer and reader, BIND
 * (NDR accepted, NDR64 and unknown interfaces rejected per context,
 * bind time feature negotiation acknowledged, authentication refused),
 * REQUEST in fragments and in pieces, RESPONSE cut to the client's
 * fragment size, FAULTs; NetShareEnumAll, NetShareGetInfo,
 * NetSrvGetInfo and NetWkstaGetInfo decoded back; then the fuzz target
 * (tests/fuzz/fuzz_dcerpc.c) over random and mutated input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcerpc.h"
#include "fuzz.h"
#include "smb2.h"
#include "tap.h"

static uint32_t fuzz_state = 0xdce0dce0;

static const uint8_t ndr_syntax[20] = {
	0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11,
	0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60,
	0x02, 0x00, 0x00, 0x00
};
static const uint8_t ndr64_syntax[20] = {
	0x33, 0x05, 0x71, 0x71, 0xba, 0xbe, 0x37, 0x49,
	0x83, 0x19, 0xb5, 0xdb, 0xef, 0x9c, 0xcc, 0x36,
	0x01, 0x00, 0x00, 0x00
};
/* Bind time feature negotiation, both features offered. */
static const uint8_t btfn_syntax[20] = {
	0x2c, 0x1c, 0xb7, 0x6c, 0x12, 0x98, 0x40, 0x45,
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00
};

static const struct dcerpc_share test_shares[] = {
	{ "export", STYPE_DISKTREE, "", NULL },
	{ "data", STYPE_DISKTREE, "", "C:\\data" },
	{ "IPC$", STYPE_IPC_HIDDEN, "IPC Service", NULL },
};

static struct dcerpc_server
test_server(int admin)
{
	struct dcerpc_server s;

	memset(&s, 0, sizeof(s));
	s.anonymous = admin < 0;
	s.name = "DITTO";
	s.domain = "WORKGROUP";
	s.comment = "DittoFS";
	s.shares = test_shares;
	s.nshares = 3;
	s.admin = admin;
	return s;
}

/* A PDU's header at the front of o (which starts with 16 zeros). */
static void
pdu_finish(struct ndr_out *o, uint8_t type, uint8_t flags, uint32_t call)
{
	o->buf[0] = 5;
	o->buf[2] = type;
	o->buf[3] = flags;
	o->buf[4] = 0x10;
	smb2_put16(o->buf + 8, (uint16_t)o->len);
	smb2_put32(o->buf + 12, call);
}

static void
pdu_begin(struct ndr_out *o)
{
	static const uint8_t zero[16];

	ndr_out_init(o);
	ndr_bytes(o, zero, 16);
}

/* A BIND of one context per transfer syntax given, ids 0, 1, ... */
static void
make_bind(struct ndr_out *o, const struct dcerpc_interface *iface,
    const uint8_t *const *syn, size_t nsyn, uint8_t type)
{
	size_t i;

	pdu_begin(o);
	ndr_u16(o, DCERPC_FRAG_MAX);
	ndr_u16(o, DCERPC_FRAG_MAX);
	ndr_u32(o, 0);
	ndr_u8(o, (uint8_t)nsyn);
	ndr_u8(o, 0);
	ndr_u16(o, 0);
	for (i = 0; i < nsyn; i++) {
		ndr_u16(o, (uint16_t)i);
		ndr_u8(o, 1);
		ndr_u8(o, 0);
		ndr_bytes(o, iface->uuid, 16);
		ndr_u16(o, iface->major);
		ndr_u16(o, iface->minor);
		ndr_bytes(o, syn[i], 20);
	}
	pdu_finish(o, type, DCERPC_PFC_FIRST_FRAG | DCERPC_PFC_LAST_FRAG, 1);
}

/* The next message waiting, whole, into buf; its length. */
static size_t
next_pdu(struct dcerpc_conn *c, uint8_t *buf, size_t max)
{
	int more;
	size_t n = dcerpc_read(c, buf, max, &more);

	return more ? 0 : n;
}

static struct dcerpc_conn *
bound(const struct dcerpc_interface *iface)
{
	const uint8_t *syn[] = { ndr_syntax };
	struct dcerpc_server srv = test_server(0);
	struct dcerpc_conn *c = dcerpc_conn_new(iface);
	struct ndr_out o;
	uint8_t buf[512];

	make_bind(&o, iface, syn, 1, DCERPC_BIND);
	(void)dcerpc_write(c, o.buf, o.len, &srv);
	ndr_out_free(&o);
	(void)next_pdu(c, buf, sizeof(buf));
	return c;
}

/*
 * A call: the stub in fragments of at most frag bytes (0: one), written
 * to the pipe in pieces of at most piece bytes (0: each PDU at once).
 * The response's stub reassembled into *stub (malloc'd); its type
 * (RESPONSE or FAULT) returned, and a FAULT's status in *status.
 */
static int
call(struct dcerpc_conn *c, const struct dcerpc_server *srv, uint16_t ctx,
    uint16_t opnum, const struct ndr_out *stub, size_t frag, size_t piece,
    uint8_t **out, size_t *outlen, uint32_t *status, int *nfrags,
    uint8_t *fault_flags)
{
	static uint32_t call_id = 100;
	struct ndr_out all;
	size_t off = 0, n, k;
	uint8_t buf[DCERPC_FRAG_MAX + 64];
	size_t len;
	int type = -1;

	call_id++;
	ndr_out_init(&all);
	do {
		struct ndr_out o;

		n = frag == 0 || stub->len - off < frag ? stub->len - off :
		    frag;
		pdu_begin(&o);
		ndr_u32(&o, (uint32_t)(stub->len - off));
		ndr_u16(&o, ctx);
		ndr_u16(&o, opnum);
		ndr_bytes(&o, stub->buf + off, n);
		pdu_finish(&o, DCERPC_REQUEST,
		    (off == 0 ? DCERPC_PFC_FIRST_FRAG : 0) |
		    (off + n == stub->len ? DCERPC_PFC_LAST_FRAG : 0),
		    call_id);
		ndr_bytes(&all, o.buf, o.len);
		ndr_out_free(&o);
		off += n;
	} while (off < stub->len);
	if (piece == 0)
		piece = all.len;
	for (k = 0; k < all.len; k += n) {
		n = all.len - k < piece ? all.len - k : piece;
		(void)dcerpc_write(c, all.buf + k, n, srv);
	}
	ndr_out_free(&all);
	*out = NULL;
	*outlen = 0;
	*nfrags = 0;
	while ((len = next_pdu(c, buf, sizeof(buf))) > 0) {
		(*nfrags)++;
		if (len != smb2_get16(buf + 8) || len > c->max_xmit ||
		    smb2_get32(buf + 12) != call_id)
			return -2;
		type = buf[2];
		if (type == DCERPC_FAULT) {
			*status = smb2_get32(buf + 24);
			*fault_flags = buf[3];
			continue;
		}
		if ((*nfrags == 1) != ((buf[3] & DCERPC_PFC_FIRST_FRAG) != 0))
			return -3;
		*out = realloc(*out, *outlen + len - 24);
		memcpy(*out + *outlen, buf + 24, len - 24);
		*outlen += len - 24;
		if (buf[3] & DCERPC_PFC_LAST_FRAG)
			break;
	}
	return type;
}

static void
test_ndr(void)
{
	struct ndr_out o;
	struct ndr_in in;
	char s[16];
	static const uint8_t want[] = {
		0x01, 0, 0, 0,			/* a byte, aligned after */
		0x00, 0x00, 0x02, 0x00,		/* referent id */
		0x03, 0, 0, 0, 0, 0, 0, 0, 0x03, 0, 0, 0,
		'a', 0, 'b', 0, 0, 0,
		0, 0,				/* aligned for the u32 */
		0x78, 0x56, 0x34, 0x12
	};

	ndr_out_init(&o);
	ndr_u8(&o, 1);
	ndr_ptr(&o, 1);
	ndr_string(&o, "ab");
	ndr_u32(&o, 0x12345678);
	tap_ok(o.len == sizeof(want) && memcmp(o.buf, want, o.len) == 0,
	    "NDR: a byte, a pointer, a string and a u32, aligned as C706 "
	    "14.2.2 says (%zu bytes)", o.len);
	ndr_in_init(&in, o.buf + 8, o.len - 8);
	tap_ok(ndr_in_string(&in, s, sizeof(s)) == 0 && strcmp(s, "ab") == 0 &&
	    ndr_in_u32(&in) == 0x12345678 && !in.failed,
	    "NDR reader: the string and the aligned u32 back");
	ndr_in_init(&in, o.buf + 8, o.len - 8);
	tap_ok(ndr_in_string(&in, s, 2) == -1 && in.failed,
	    "NDR reader: a string longer than the room fails");
	o.buf[12] = 1;		/* offset 1 */
	ndr_in_init(&in, o.buf + 8, o.len - 8);
	tap_ok(ndr_in_string(&in, s, sizeof(s)) == -1,
	    "NDR reader: a string with a non-zero offset fails");
	o.buf[12] = 0;
	o.buf[16] = 9;		/* actual count above the maximum */
	ndr_in_init(&in, o.buf + 8, o.len - 8);
	tap_ok(ndr_in_string(&in, s, sizeof(s)) == -1,
	    "NDR reader: actual count above the maximum fails");
	o.buf[16] = 3;
	o.buf[24] = 'x';	/* no NUL at the end */
	ndr_in_init(&in, o.buf + 8, o.len - 8);
	tap_ok(ndr_in_string(&in, s, sizeof(s)) == -1,
	    "NDR reader: a string without its NUL fails");
	ndr_in_init(&in, o.buf, 3);
	tap_ok(ndr_in_u32(&in) == 0 && in.failed,
	    "NDR reader: a u32 past the end fails");
	ndr_out_free(&o);
}

static void
test_bind(void)
{
	const uint8_t *three[] = { ndr_syntax, ndr64_syntax, btfn_syntax };
	const uint8_t *only64[] = { ndr64_syntax };
	const uint8_t *one[] = { ndr_syntax };
	struct dcerpc_server srv = test_server(0);
	struct dcerpc_conn *c;
	struct ndr_out o;
	uint8_t buf[1024];
	size_t n, at;

	c = dcerpc_conn_new(&srvsvc_interface);
	make_bind(&o, &srvsvc_interface, three, 3, DCERPC_BIND);
	tap_ok(dcerpc_write(c, o.buf, o.len, &srv) == 0, "BIND written");
	ndr_out_free(&o);
	n = next_pdu(c, buf, sizeof(buf));
	tap_ok(n > 26 && buf[2] == DCERPC_BIND_ACK && smb2_get16(buf + 8) == n,
	    "BIND of srvsvc: BIND_ACK (%zu bytes)", n);
	tap_ok(smb2_get16(buf + 16) == DCERPC_FRAG_MAX &&
	    smb2_get16(buf + 18) == DCERPC_FRAG_MAX &&
	    smb2_get32(buf + 20) != 0,
	    "BIND_ACK: fragment sizes 4280, an association group");
	tap_ok(smb2_get16(buf + 24) == 13 &&
	    memcmp(buf + 26, "\\PIPE\\srvsvc", 13) == 0,
	    "BIND_ACK: secondary address \\PIPE\\srvsvc");
	at = 26 + 13;
	at = (at + 3) & ~(size_t)3;
	tap_ok(buf[at] == 3, "BIND_ACK: three results");
	tap_ok(smb2_get16(buf + at + 4) == DCERPC_ACCEPTANCE &&
	    memcmp(buf + at + 8, ndr_syntax, 20) == 0,
	    "context 0 (NDR): accepted with NDR");
	tap_ok(smb2_get16(buf + at + 28) == DCERPC_PROVIDER_REJECTION &&
	    smb2_get16(buf + at + 30) == DCERPC_REASON_TRANSFER_SYNTAXES,
	    "context 1 (NDR64): rejected, transfer syntaxes not supported");
	tap_ok(smb2_get16(buf + at + 52) == DCERPC_NEGOTIATE_ACK &&
	    smb2_get16(buf + at + 54) == 0,
	    "context 2 (bind time features): negotiate ack, no feature");
	tap_ok(dcerpc_pending(c) == 0, "nothing else waits");
	make_bind(&o, &srvsvc_interface, one, 1, DCERPC_BIND);
	(void)dcerpc_write(c, o.buf, o.len, &srv);
	ndr_out_free(&o);
	n = next_pdu(c, buf, sizeof(buf));
	tap_ok(n >= 16 && buf[2] == DCERPC_BIND_NAK,
	    "a second BIND on the association: BIND_NAK");
	make_bind(&o, &srvsvc_interface, one, 1, DCERPC_ALTER_CONTEXT);
	(void)dcerpc_write(c, o.buf, o.len, &srv);
	ndr_out_free(&o);
	n = next_pdu(c, buf, sizeof(buf));
	tap_ok(n > 24 && buf[2] == DCERPC_ALTER_CONTEXT_RESP &&
	    smb2_get16(buf + 24) == 0 && smb2_get16(buf + 32) == 0,
	    "ALTER_CONTEXT: its response, no address, accepted");
	dcerpc_conn_free(c);

	c = dcerpc_conn_new(&srvsvc_interface);
	make_bind(&o, &srvsvc_interface, only64, 1, DCERPC_BIND);
	(void)dcerpc_write(c, o.buf, o.len, &srv);
	ndr_out_free(&o);
	n = next_pdu(c, buf, sizeof(buf));
	at = (26 + 13 + 3) & ~(size_t)3;
	tap_ok(n > at + 8 && buf[2] == DCERPC_BIND_ACK &&
	    smb2_get16(buf + at + 4) == DCERPC_PROVIDER_REJECTION &&
	    smb2_get16(buf + at + 6) == DCERPC_REASON_TRANSFER_SYNTAXES,
	    "BIND with NDR64 alone: provider rejection (transfer syntaxes)");
	dcerpc_conn_free(c);

	c = dcerpc_conn_new(&srvsvc_interface);
	make_bind(&o, &wkssvc_interface, one, 1, DCERPC_BIND);
	(void)dcerpc_write(c, o.buf, o.len, &srv);
	ndr_out_free(&o);
	n = next_pdu(c, buf, sizeof(buf));
	tap_ok(n > at + 8 && buf[2] == DCERPC_BIND_ACK &&
	    smb2_get16(buf + at + 4) == DCERPC_PROVIDER_REJECTION &&
	    smb2_get16(buf + at + 6) == DCERPC_REASON_ABSTRACT_SYNTAX,
	    "BIND of wkssvc on the srvsvc pipe: abstract syntax rejected");
	dcerpc_conn_free(c);

	c = dcerpc_conn_new(&srvsvc_interface);
	make_bind(&o, &srvsvc_interface, one, 1, DCERPC_BIND);
	smb2_put16(o.buf + 10, 8);	/* an auth verifier */
	(void)dcerpc_write(c, o.buf, o.len, &srv);
	ndr_out_free(&o);
	n = next_pdu(c, buf, sizeof(buf));
	tap_ok(n >= 18 && buf[2] == DCERPC_BIND_NAK &&
	    smb2_get16(buf + 16) == DCERPC_NAK_AUTH_TYPE,
	    "BIND with authentication: BIND_NAK, auth type not recognized");
	dcerpc_conn_free(c);

	c = dcerpc_conn_new(&srvsvc_interface);
	make_bind(&o, &srvsvc_interface, one, 1, DCERPC_BIND);
	o.buf[4] = 0x00;		/* big-endian data */
	(void)dcerpc_write(c, o.buf, o.len, &srv);
	ndr_out_free(&o);
	n = next_pdu(c, buf, sizeof(buf));
	tap_ok(n >= 18 && buf[2] == DCERPC_BIND_NAK,
	    "BIND in big-endian: BIND_NAK");
	smb2_put16(buf, 0);
	buf[8] = 4;			/* frag_length 4 */
	buf[9] = 0;
	tap_ok(dcerpc_write(c, buf, 16, &srv) == -1,
	    "a PDU with frag_length 4: the write fails");
	dcerpc_conn_free(c);
}

/* NetShareEnumAll's request (MS-SRVS 3.1.4.8). */
static void
enum_request(struct ndr_out *o, uint32_t level)
{
	ndr_out_init(o);
	ndr_ptr(o, 1);
	ndr_string(o, "\\\\127.0.0.1");
	ndr_u32(o, level);
	ndr_u32(o, level);
	ndr_ptr(o, 1);
	ndr_u32(o, 0);
	ndr_ptr(o, 0);
	ndr_u32(o, 0xffffffffu);
	ndr_ptr(o, 1);
	ndr_u32(o, 0);
}

/* Level 1's reply decoded: the names and types; the WERROR. */
static uint32_t
enum_decode1(const uint8_t *p, size_t len, char names[][32],
    uint32_t *types, size_t *count)
{
	struct ndr_in in;
	uint32_t n, i;
	char comment[64];

	ndr_in_init(&in, p, len);
	if (ndr_in_u32(&in) != 1 || ndr_in_u32(&in) != 1 ||
	    ndr_in_u32(&in) == 0)
		return 0xdead;
	n = ndr_in_u32(&in);
	if (n > 300 || ndr_in_u32(&in) == 0 || ndr_in_u32(&in) != n)
		return 0xdead;
	for (i = 0; i < n; i++) {
		(void)ndr_in_u32(&in);
		types[i] = ndr_in_u32(&in);
		(void)ndr_in_u32(&in);
	}
	for (i = 0; i < n; i++) {
		if (ndr_in_string(&in, names[i], 32) == -1 ||
		    ndr_in_string(&in, comment, sizeof(comment)) == -1)
			return 0xdead;
	}
	*count = n;
	if (ndr_in_u32(&in) != n || ndr_in_u32(&in) == 0 ||
	    ndr_in_u32(&in) != 0)
		return 0xdead;
	n = ndr_in_u32(&in);
	return in.failed || in.off != len ? 0xdead : n;
}

/* The WERROR at the end of a reply. */
static uint32_t
werror(const uint8_t *p, size_t len)
{
	return len >= 4 ? smb2_get32(p + len - 4) : 0xdead;
}

static void
test_srvsvc(void)
{
	struct dcerpc_server user = test_server(0), admin = test_server(1);
	struct dcerpc_server anon = test_server(-1);
	struct dcerpc_conn *c = bound(&srvsvc_interface);
	struct ndr_out req;
	uint8_t *out, ff = 0;
	size_t outlen, count = 0, i;
	uint32_t st = 0, types[300];
	char names[300][32];
	int t, nf;
	static const uint32_t levels[] = { 0, 1, 2, 501, 502, 1005 };

	enum_request(&req, 1);
	t = call(c, &user, 0, 15, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && nf == 1,
	    "NetShareEnumAll level 1: one RESPONSE (type %d)", t);
	tap_ok(enum_decode1(out, outlen, names, types, &count) == WERR_OK &&
	    count == 3, "level 1: WERR_OK, three shares");
	tap_ok(count == 3 && strcmp(names[0], "export") == 0 &&
	    types[0] == STYPE_DISKTREE && strcmp(names[2], "IPC$") == 0 &&
	    types[2] == 0x80000003u,
	    "level 1: export is a disk tree, IPC$ STYPE_IPC_HIDDEN");
	free(out);
	/* The same call in 3 fragments, written 7 bytes at a time. */
	t = call(c, &user, 0, 15, &req, 16, 7, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE &&
	    enum_decode1(out, outlen, names, types, &count) == WERR_OK &&
	    count == 3,
	    "a request in fragments of 16 bytes, written in 7-byte pieces: "
	    "the same answer");
	free(out);
	ndr_out_free(&req);
	enum_request(&req, 0);
	t = call(c, &user, 0, 15, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) == WERR_OK &&
	    outlen > 20 && smb2_get32(out + 12) == 3,
	    "NetShareEnumAll level 0: WERR_OK, three entries");
	free(out);
	ndr_out_free(&req);
	enum_request(&req, 2);
	t = call(c, &user, 0, 15, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) ==
	    WERR_ACCESS_DENIED, "level 2 for a user: WERR_ACCESS_DENIED");
	free(out);
	t = call(c, &admin, 0, 15, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) == WERR_OK &&
	    outlen > 20 && smb2_get32(out + 12) == 3,
	    "level 2 for an administrator: WERR_OK, three entries");
	free(out);
	ndr_out_free(&req);
	enum_request(&req, 502);
	t = call(c, &user, 0, 15, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) ==
	    WERR_ACCESS_DENIED, "level 502 for a user: WERR_ACCESS_DENIED");
	free(out);
	t = call(c, &admin, 0, 15, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) == WERR_OK,
	    "level 502 for an administrator: WERR_OK");
	free(out);
	ndr_out_free(&req);
	enum_request(&req, 501);
	t = call(c, &user, 0, 15, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) == WERR_OK,
	    "level 501 for a user: WERR_OK");
	free(out);
	t = call(c, &anon, 0, 15, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) ==
	    WERR_ACCESS_DENIED && outlen == 36 && smb2_get32(out + 12) == 0,
	    "level 501 for an anonymous session: WERR_ACCESS_DENIED, no entry");
	free(out);
	ndr_out_free(&req);
	enum_request(&req, 1004);
	t = call(c, &user, 0, 15, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) ==
	    WERR_INVALID_LEVEL && outlen == 28 && smb2_get32(out + 8) == 0,
	    "level 1004 (defined, not served): INVALID_LEVEL, a NULL arm");
	free(out);
	ndr_out_free(&req);
	enum_request(&req, 7);
	t = call(c, &user, 0, 15, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) ==
	    WERR_INVALID_LEVEL, "level 7: WERR_INVALID_LEVEL");
	free(out);
	ndr_out_free(&req);

	/* NetShareGetInfo, every level served. */
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		int priv = levels[i] == 2 || levels[i] == 502;

		ndr_out_init(&req);
		ndr_ptr(&req, 0);
		ndr_string(&req, "EXPORT");
		ndr_u32(&req, levels[i]);
		t = call(c, &admin, 0, 16, &req, 0, 0, &out, &outlen, &st,
		    &nf, &ff);
		tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) ==
		    WERR_OK && smb2_get32(out) == levels[i] &&
		    smb2_get32(out + 4) != 0,
		    "NetShareGetInfo EXPORT level %u: WERR_OK", levels[i]);
		free(out);
		t = call(c, &user, 0, 16, &req, 0, 0, &out, &outlen, &st,
		    &nf, &ff);
		tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) ==
		    (priv ? WERR_ACCESS_DENIED : WERR_OK),
		    "NetShareGetInfo level %u for a user: %s", levels[i],
		    priv ? "WERR_ACCESS_DENIED" : "WERR_OK");
		free(out);
		ndr_out_free(&req);
	}
	/* NetShareCheck: a share's path, or not shared. */
	ndr_out_init(&req);
	ndr_ptr(&req, 0);
	ndr_string(&req, "c:\\DATA");
	t = call(c, &user, 0, 20, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && outlen == 8 && smb2_get32(out) ==
	    STYPE_DISKTREE && werror(out, outlen) == WERR_OK,
	    "NetShareCheck of a share's path (any case): its type, WERR_OK");
	free(out);
	ndr_out_free(&req);
	ndr_out_init(&req);
	ndr_ptr(&req, 0);
	ndr_string(&req, "");
	t = call(c, &user, 0, 20, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) ==
	    WERR_DEVICE_NOT_SHARED,
	    "NetShareCheck of \"\" (shares without a path): not shared");
	free(out);
	ndr_out_free(&req);
	/* Level 2 of a share without a path: a NULL path pointer. */
	ndr_out_init(&req);
	ndr_ptr(&req, 0);
	ndr_string(&req, "export");
	ndr_u32(&req, 2);
	t = call(c, &admin, 0, 16, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) == WERR_OK &&
	    outlen > 40 && smb2_get32(out + 32) == 0,
	    "NetShareGetInfo level 2 of a share without a path: path NULL");
	free(out);
	ndr_out_free(&req);
	ndr_out_init(&req);
	ndr_ptr(&req, 0);
	ndr_string(&req, "nosuch");
	ndr_u32(&req, 1);
	t = call(c, &user, 0, 16, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) ==
	    WERR_NET_NAME_NOT_FOUND,
	    "NetShareGetInfo of an unknown share: WERR_NET_NAME_NOT_FOUND");
	free(out);
	ndr_out_free(&req);

	/* NetSrvGetInfo 101 and 102. */
	ndr_out_init(&req);
	ndr_ptr(&req, 1);
	ndr_string(&req, "\\\\x");
	ndr_u32(&req, 101);
	t = call(c, &user, 0, 21, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) == WERR_OK &&
	    outlen > 28 && smb2_get32(out) == 101 &&
	    smb2_get32(out + 8) == 500 && smb2_get32(out + 24) == 0x9803,
	    "NetSrvGetInfo 101: platform NT, server type 0x9803");
	tap_ok(outlen > 60 && memcmp(out + 44, "D\0I\0T\0T\0O\0", 10) == 0,
	    "NetSrvGetInfo 101: the server's name");
	free(out);
	ndr_out_free(&req);
	ndr_out_init(&req);
	ndr_ptr(&req, 0);
	ndr_u32(&req, 102);
	t = call(c, &user, 0, 21, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && werror(out, outlen) == WERR_OK &&
	    smb2_get32(out) == 102, "NetSrvGetInfo 102: WERR_OK");
	free(out);
	ndr_out_free(&req);
	ndr_out_init(&req);
	ndr_ptr(&req, 0);
	ndr_u32(&req, 502);
	t = call(c, &user, 0, 21, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && outlen == 12 &&
	    smb2_get32(out + 4) == 0 && werror(out, outlen) ==
	    WERR_INVALID_LEVEL,
	    "NetSrvGetInfo 502 (defined, not served): a NULL arm, "
	    "INVALID_LEVEL");
	free(out);
	ndr_out_free(&req);
	ndr_out_init(&req);
	ndr_ptr(&req, 0);
	ndr_u32(&req, 7);
	t = call(c, &user, 0, 21, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && outlen == 8 && werror(out, outlen) ==
	    WERR_INVALID_LEVEL,
	    "NetSrvGetInfo 7 (no such arm): INVALID_LEVEL, no arm");
	free(out);
	ndr_out_free(&req);

	/* Unknown opnum, unknown context, malformed stub. */
	ndr_out_init(&req);
	ndr_u32(&req, 0);
	t = call(c, &user, 0, 200, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_FAULT && st == DCERPC_FAULT_OP_RNG_ERROR &&
	    (ff & DCERPC_PFC_DID_NOT_EXECUTE),
	    "opnum 200: FAULT nca_s_op_rng_error, did not execute");
	free(out);
	t = call(c, &user, 7, 15, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_FAULT && st == DCERPC_FAULT_CONTEXT_MISMATCH,
	    "a context never bound: FAULT context mismatch");
	free(out);
	t = call(c, &user, 0, 16, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_FAULT && st == DCERPC_FAULT_NDR,
	    "NetShareGetInfo with a truncated stub: FAULT bad stub data");
	free(out);
	ndr_out_free(&req);
	dcerpc_conn_free(c);

	c = dcerpc_conn_new(&srvsvc_interface);
	enum_request(&req, 1);
	t = call(c, &user, 0, 15, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_FAULT && st == DCERPC_FAULT_PROTO_ERROR,
	    "a REQUEST before BIND: FAULT protocol error");
	free(out);
	ndr_out_free(&req);
	dcerpc_conn_free(c);
}

/* 250 shares: the response in fragments of at most 4280 bytes. */
static void
test_fragments(void)
{
	static struct dcerpc_share many[251];
	static char names[250][16];
	static char got[300][32];
	struct dcerpc_server srv = test_server(0);
	struct dcerpc_conn *c = bound(&srvsvc_interface);
	struct ndr_out req;
	uint8_t *out, ff, part[100];
	size_t outlen, count = 0, i;
	uint32_t st, types[300];
	int t, nf, more;

	for (i = 0; i < 250; i++) {
		snprintf(names[i], sizeof(names[i]), "share%03zu", i);
		many[i].name = names[i];
		many[i].comment = "a share with a long enough comment";
	}
	many[250].name = "IPC$";
	many[250].type = STYPE_IPC_HIDDEN;
	many[250].comment = "";
	srv.shares = many;
	srv.nshares = 251;
	enum_request(&req, 1);
	t = call(c, &srv, 0, 15, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && nf > 3,
	    "251 shares: the answer in %d fragments, each within 4280 bytes "
	    "(FIRST on the first, LAST on the last)", nf);
	tap_ok(enum_decode1(out, outlen, got, types, &count) == WERR_OK &&
	    count == 251 && strcmp(got[249], "share249") == 0,
	    "reassembled: 251 entries, share249 among them");
	free(out);
	/* A READ shorter than a message: the rest stays for the next. */
	(void)dcerpc_write(c, req.buf, 0, &srv);
	{
		struct ndr_out o;

		pdu_begin(&o);
		ndr_u32(&o, (uint32_t)req.len);
		ndr_u16(&o, 0);
		ndr_u16(&o, 15);
		ndr_bytes(&o, req.buf, req.len);
		pdu_finish(&o, DCERPC_REQUEST, DCERPC_PFC_FIRST_FRAG |
		    DCERPC_PFC_LAST_FRAG, 9);
		(void)dcerpc_write(c, o.buf, o.len, &srv);
		ndr_out_free(&o);
	}
	i = dcerpc_read(c, part, sizeof(part), &more);
	tap_ok(i == sizeof(part) && more == 1 &&
	    smb2_get16(part + 8) > sizeof(part),
	    "a 100-byte read of a longer message: 100 bytes, more to come");
	i = dcerpc_read(c, part, sizeof(part), &more);
	tap_ok(i == sizeof(part) && more == 1 && part[0] != 5,
	    "the next read continues that message");
	ndr_out_free(&req);
	/* A request past 64 KiB of stub data: a fault, counted. */
	dcerpc_conn_free(c);
	c = bound(&srvsvc_interface);
	ndr_out_init(&req);
	for (i = 0; i < 17000; i++)
		ndr_u32(&req, 0);
	t = call(c, &srv, 0, 15, &req, 4000, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_FAULT && st == DCERPC_FAULT_REMOTE_NO_MEMORY &&
	    c->limited == 1,
	    "a request of 68000 bytes of stub data: FAULT, counted as limited");
	free(out);
	ndr_out_free(&req);
	dcerpc_conn_free(c);
}

static void
test_wkssvc(void)
{
	struct dcerpc_server srv = test_server(0);
	struct dcerpc_conn *c = bound(&wkssvc_interface);
	struct ndr_out req;
	struct ndr_in in;
	uint8_t *out, ff;
	size_t outlen;
	uint32_t st;
	char name[32], domain[32];
	int t, nf;

	ndr_out_init(&req);
	ndr_ptr(&req, 1);
	ndr_string(&req, "\\\\x");
	ndr_u32(&req, 100);
	t = call(c, &srv, 0, 0, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	ndr_in_init(&in, out, outlen);
	tap_ok(t == DCERPC_RESPONSE && ndr_in_u32(&in) == 100 &&
	    ndr_in_u32(&in) != 0 && ndr_in_u32(&in) == 500 &&
	    ndr_in_u32(&in) != 0 && ndr_in_u32(&in) != 0 &&
	    ndr_in_u32(&in) == 6 && ndr_in_u32(&in) == 1 &&
	    ndr_in_string(&in, name, sizeof(name)) == 0 &&
	    ndr_in_string(&in, domain, sizeof(domain)) == 0 &&
	    ndr_in_u32(&in) == WERR_OK && in.off == outlen,
	    "NetWkstaGetInfo 100: platform NT, version 6.1, WERR_OK");
	tap_ok(strcmp(name, "DITTO") == 0 && strcmp(domain, "WORKGROUP") == 0,
	    "NetWkstaGetInfo 100: %s in %s", name, domain);
	free(out);
	ndr_out_free(&req);
	ndr_out_init(&req);
	ndr_ptr(&req, 0);
	ndr_u32(&req, 102);
	t = call(c, &srv, 0, 0, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	ndr_in_init(&in, out, outlen);
	tap_ok(t == DCERPC_RESPONSE && ndr_in_u32(&in) == 102 &&
	    ndr_in_u32(&in) != 0 && ndr_in_u32(&in) == 500 &&
	    ndr_in_u32(&in) != 0 && ndr_in_u32(&in) != 0 &&
	    ndr_in_u32(&in) == 6 && ndr_in_u32(&in) == 1 &&
	    ndr_in_u32(&in) != 0 && ndr_in_u32(&in) == 0 &&
	    ndr_in_string(&in, name, sizeof(name)) == 0 &&
	    ndr_in_string(&in, domain, sizeof(domain)) == 0 &&
	    ndr_in_string(&in, name, sizeof(name)) == 0 &&
	    ndr_in_u32(&in) == WERR_OK && in.off == outlen,
	    "NetWkstaGetInfo 102: with the LAN root and users, WERR_OK");
	free(out);
	ndr_out_free(&req);
	ndr_out_init(&req);
	ndr_ptr(&req, 0);
	ndr_u32(&req, 502);
	t = call(c, &srv, 0, 0, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && outlen == 4 + 4 + 35 * 4 + 4 &&
	    werror(out, outlen) == WERR_OK,
	    "NetWkstaGetInfo 502: 35 tunables, WERR_OK");
	free(out);
	ndr_out_free(&req);
	ndr_out_init(&req);
	ndr_ptr(&req, 0);
	ndr_u32(&req, 1010);
	t = call(c, &srv, 0, 0, &req, 0, 0, &out, &outlen, &st, &nf, &ff);
	tap_ok(t == DCERPC_RESPONSE && outlen == 12 && werror(out, outlen) ==
	    WERR_INVALID_LEVEL,
	    "NetWkstaGetInfo 1010: a NULL arm, WERR_INVALID_LEVEL");
	free(out);
	ndr_out_free(&req);
	tap_ok(dcerpc_interface_by_pipe("SRVSVC") == &srvsvc_interface &&
	    dcerpc_interface_by_pipe("wkssvc") == &wkssvc_interface &&
	    dcerpc_interface_by_pipe("lsarpc") == NULL,
	    "pipes: srvsvc (any case), wkssvc; lsarpc is not served");
	dcerpc_conn_free(c);
}

static void
test_fuzz(void)
{
	struct fuzz_seed seeds[4];
	struct ndr_out o, req;
	uint8_t buf[600];
	size_t i, k, len;

	for (i = 0; i < 20000; i++) {
		len = fuzz_next(&fuzz_state) % sizeof(buf);
		for (k = 0; k < len; k++)
			buf[k] = (uint8_t)fuzz_next(&fuzz_state);
		fuzz_dcerpc_one(buf, len);
	}
	tap_ok(1, "20000 random inputs: no trap, no sanitizer report");
	/* Seeds: after the bind, each of the operations served. */
	for (k = 0; k < 4; k++) {
		memset(&seeds[k], 0, sizeof(seeds[k]));
		if (k == 0)
			enum_request(&req, 1);
		else {
			ndr_out_init(&req);
			ndr_ptr(&req, 1);
			ndr_string(&req, "\\\\x");
			if (k == 1)
				ndr_string(&req, "export");
			ndr_u32(&req, k == 3 ? 100 : 1);
		}
		pdu_begin(&o);
		ndr_u32(&o, (uint32_t)req.len);
		ndr_u16(&o, 0);
		ndr_u16(&o, k == 0 ? 15 : k == 1 ? 16 : k == 2 ? 21 : 0);
		ndr_bytes(&o, req.buf, req.len);
		pdu_finish(&o, DCERPC_REQUEST, DCERPC_PFC_FIRST_FRAG |
		    DCERPC_PFC_LAST_FRAG, 2);
		seeds[k].buf[0] = (uint8_t)(2 | (k == 3 ? 1 : 0));
		memcpy(seeds[k].buf + 1, o.buf, o.len);
		seeds[k].len = 1 + o.len;
		ndr_out_free(&o);
		ndr_out_free(&req);
	}
	for (k = 0; k < 4; k++)
		for (i = 0; i < 10000; i++) {
			len = fuzz_mutate(buf, &seeds[k], &fuzz_state);
			fuzz_dcerpc_one(buf, len);
		}
	tap_ok(1, "40000 mutations of a bound call to each operation");
}

int
main(void)
{
	test_ndr();
	test_bind();
	test_srvsvc();
	test_fragments();
	test_wkssvc();
	test_fuzz();
	return tap_done();
}
