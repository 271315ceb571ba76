/* nfsd/rpcmsg.c: RPC call headers and AUTH_UNIX credentials. */
#include <stdint.h>
#include <string.h>

#include "rpcauth.h"
#include "rpcmsg.h"
#include "tap.h"

static size_t
put32(uint8_t *p, size_t off, uint32_t v)
{
	p[off] = (uint8_t)(v >> 24);
	p[off + 1] = (uint8_t)(v >> 16);
	p[off + 2] = (uint8_t)(v >> 8);
	p[off + 3] = (uint8_t)v;
	return off + 4;
}

/* A call with an AUTH_UNIX credential of ngids (announced: claim). */
static size_t
build(uint8_t *b, uint32_t rpcvers, uint32_t flavor, uint32_t ngids,
    uint32_t claim, uint32_t bodylen_delta)
{
	size_t n = 0, body, i;

	n = put32(b, n, 0x11223344);
	n = put32(b, n, 0);
	n = put32(b, n, rpcvers);
	n = put32(b, n, 100003);
	n = put32(b, n, 3);
	n = put32(b, n, 1);
	n = put32(b, n, flavor);
	body = n;
	n += 4;
	if (flavor == 1) {
		n = put32(b, n, 0);
		n = put32(b, n, 4);
		memcpy(b + n, "host", 4);
		n += 4;
		n = put32(b, n, 1000);
		n = put32(b, n, 100);
		n = put32(b, n, claim);
		for (i = 0; i < ngids; i++)
			n = put32(b, n, 200 + (uint32_t)i);
	}
	put32(b, body, (uint32_t)(n - body - 4) + bodylen_delta);
	n = put32(b, n, 0);
	n = put32(b, n, 0);
	n = put32(b, n, 0xabcdef01);	/* an argument word */
	return n;
}

int
main(void)
{
	uint8_t b[512];
	struct rpcmsg_call c;
	struct rpcauth_call ac;
	struct xdrbuf_out o;
	size_t n;

	n = build(b, 2, 1, 3, 3, 0);
	tap_ok(rpcmsg_decode_call(b, n, &c) == RPCMSG_OK, "AUTH_UNIX call");
	tap_ok(c.xid == 0x11223344 && c.prog == 100003 && c.vers == 3 &&
	    c.proc == 1, "xid, program, version, procedure");
	tap_ok(c.cred.uid == 1000 && c.cred.gid == 100 && c.cred.ngroups == 3 &&
	    c.cred.groups[2] == 202 && strcmp(c.cred.machine, "host") == 0,
	    "uid, gid, supplementary groups, machine name");
	tap_ok(c.args_off == n - 4, "arguments start after the verifier");
	n = build(b, 2, 1, 16, 16, 0);
	tap_ok(rpcmsg_decode_call(b, n, &c) == RPCMSG_OK &&
	    c.cred.ngroups == 16, "16 groups accepted");
	n = build(b, 2, 1, 17, 17, 0);
	tap_ok(rpcmsg_decode_call(b, n, &c) == RPCMSG_AUTH_BADCRED,
	    "17 groups: AUTH_BADCRED");
	n = build(b, 2, 1, 1, 16, 0);
	tap_ok(rpcmsg_decode_call(b, n, &c) == RPCMSG_AUTH_BADCRED,
	    "16 groups announced, 1 present: AUTH_BADCRED");
	n = build(b, 2, 1, 1, 1, 4);
	tap_ok(rpcmsg_decode_call(b, n, &c) == RPCMSG_AUTH_BADCRED,
	    "credential body longer than its contents: AUTH_BADCRED");
	n = build(b, 2, 1, 1, 1, 0x7ffffff0);
	tap_ok(rpcmsg_decode_call(b, n, &c) == RPCMSG_AUTH_BADCRED,
	    "credential body of 2 GiB: AUTH_BADCRED");
	n = build(b, 2, 6, 0, 0, 0);
	tap_ok(rpcmsg_decode_call(b, n, &c) == RPCMSG_AUTH_BADCRED,
	    "RPCSEC_GSS (not served): AUTH_BADCRED");
	n = build(b, 2, 0, 0, 0, 0);
	tap_ok(rpcmsg_decode_call(b, n, &c) == RPCMSG_OK &&
	    c.cred.flavor == RPC_AUTH_NULL, "AUTH_NULL call");
	n = build(b, 3, 0, 0, 0, 0);
	tap_ok(rpcmsg_decode_call(b, n, &c) == RPCMSG_RPC_MISMATCH,
	    "RPC version 3: RPC_MISMATCH");
	tap_ok(rpcmsg_decode_call(b, 3, &c) == RPCMSG_DROP,
	    "3 bytes: dropped, no xid to answer");
	put32(b, 4, 1);
	tap_ok(rpcmsg_decode_call(b, n, &c) == RPCMSG_NOT_CALL,
	    "a REPLY is not a call");
	n = build(b, 2, 0, 0, 0, 0);
	tap_ok(rpcmsg_decode_call(b, 18, &c) == RPCMSG_GARBAGE,
	    "header cut in the middle: GARBAGE");
	/* A verifier that is not AUTH_NULL. */
	n = build(b, 2, 0, 0, 0, 0);
	put32(b, 32, 1);
	tap_ok(rpcmsg_decode_call(b, n, &c) == RPCMSG_AUTH_BADVERF,
	    "AUTH_UNIX verifier: AUTH_BADVERF");

	/* Reply headers. */
	memset(&ac, 0, sizeof(ac));
	ac.msg.xid = 0x55;
	xdrbuf_out_init(&o);
	rpcauth_reply_begin(&ac, &o);
	rpcauth_reply_finish(&ac, &o, RPC_GARBAGE_ARGS);
	tap_ok(xdrbuf_peek_u32(o.buf + 4) == 0x55 &&
	    xdrbuf_peek_u32(o.buf + 8) == RPC_REPLY &&
	    xdrbuf_peek_u32(o.buf + 24) == RPC_GARBAGE_ARGS,
	    "accepted reply header");
	rpcmsg_reply_denied(&o, 0x55, RPC_AUTH_ERROR, RPC_AUTH_BADCRED);
	tap_ok(o.len == 24 && xdrbuf_peek_u32(o.buf + 12) == RPC_MSG_DENIED &&
	    xdrbuf_peek_u32(o.buf + 20) == RPC_AUTH_BADCRED,
	    "denied reply: AUTH_ERROR AUTH_BADCRED");
	xdrbuf_out_free(&o);

	/* The client side: a callback's call header and its reply. */
	xdrbuf_out_init(&o);
	rpcmsg_call_header(&o, 0x77, 100021, 4, 5);
	tap_ok(!o.failed && rpcmsg_decode_call(o.buf, o.len, &c) == RPCMSG_OK &&
	    c.xid == 0x77 && c.prog == 100021 && c.vers == 4 && c.proc == 5 &&
	    c.cred.flavor == RPC_AUTH_NULL && c.args_off == o.len,
	    "a callback's call header reads back: AUTH_NULL, no arguments");
	xdrbuf_out_free(&o);
	{
		uint32_t xid, stat;
		size_t off;

		ac.msg.xid = 0x78;
		xdrbuf_out_init(&o);
		rpcauth_reply_begin(&ac, &o);
		xdrbuf_put_u32(&o, 4045);
		rpcauth_reply_finish(&ac, &o, RPC_SUCCESS);
		tap_ok(rpcmsg_decode_reply(o.buf + 4, o.len - 4, &xid, &stat,
		    &off) == 0 && xid == 0x78 && stat == RPC_SUCCESS &&
		    off == 24 && xdrbuf_peek_u32(o.buf + 4 + off) == 4045,
		    "an accepted reply: its results start after accept_stat");
		rpcmsg_reply_denied(&o, 0x79, RPC_AUTH_ERROR, RPC_AUTH_TOOWEAK);
		tap_ok(rpcmsg_decode_reply(o.buf + 4, o.len - 4, &xid, &stat,
		    &off) == 0 && xid == 0x79 && stat == RPC_SYSTEM_ERR,
		    "a denied reply reads as SYSTEM_ERR");
		tap_ok(rpcmsg_decode_reply(o.buf + 4, 11, &xid, &stat,
		    &off) == -1, "a reply cut short is refused");
		xdrbuf_out_free(&o);
	}
	return tap_done();
}
