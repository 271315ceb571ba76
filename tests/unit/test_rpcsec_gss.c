/*
 * common/rpcsec_gss.c with a fake mechanism (tests/fuzz/fuzz_rpcsec_gss.c):
 * the credential decoder, the header's MIC, the sequence window (replays
 * and numbers below it dropped silently, forgeries moving nothing),
 * krb5, krb5i and krb5p call bodies and replies, the reply verifier,
 * unknown and expired contexts, INIT's credential rules, the per-host
 * limit of INITs with gssd (a fake gssd that never answers, an RPC
 * server on loopback), and the fuzz target over random and mutated
 * calls.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "gssd_msg.h"
#include "ipc.h"
#include "rpcsec_gss.h"
#include "rpcsvc.h"
#include "tap.h"

extern const struct rpcsec_gss_mech fuzz_gss_mech;

#define KEY		0x5a
#define HANDLE		"ctx-one"

static struct rpcsec_gss *gss;
static const struct rpcauth_flavor *table[3];

/* Tampering of a built call. */
#define T_NONE		0
#define T_VERF		1	/* the header's MIC */
#define T_BODY		2	/* a byte of the protected body */
#define T_SEQ		4	/* another seq inside the body */

static void
mic(const uint8_t *p, size_t len, uint8_t out[8])
{
	size_t n;
	uint8_t key = KEY;
	void *c = fuzz_gss_mech.import(&key, 1);

	fuzz_gss_mech.get_mic(c, p, len, out, 8, &n);
	fuzz_gss_mech.release(c);
}

static size_t
build(uint8_t *buf, uint32_t gss_proc, uint32_t seq, uint32_t service,
    const char *handle, uint32_t proc, const uint8_t *args, size_t alen,
    int tamper)
{
	struct xdrbuf_out o, body;
	uint8_t m[8], key = KEY;
	size_t cred_at, cred_end, len;
	void *c;

	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, 0xabcd0001);
	xdrbuf_put_u32(&o, RPC_CALL);
	xdrbuf_put_u32(&o, RPC_VERSION);
	xdrbuf_put_u32(&o, 100003);
	xdrbuf_put_u32(&o, 3);
	xdrbuf_put_u32(&o, proc);
	xdrbuf_put_u32(&o, RPCSEC_GSS);
	cred_at = o.len;
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_u32(&o, 1);
	xdrbuf_put_u32(&o, gss_proc);
	xdrbuf_put_u32(&o, seq);
	xdrbuf_put_u32(&o, service);
	xdrbuf_put_opaque(&o, handle, (uint32_t)strlen(handle));
	cred_end = o.len;
	xdrbuf_put_u32_at(&o, cred_at, (uint32_t)(cred_end - cred_at - 4));
	if (gss_proc == RPCSEC_GSS_INIT ||
	    gss_proc == RPCSEC_GSS_CONTINUE_INIT) {
		xdrbuf_put_u32(&o, RPC_AUTH_NULL);
		xdrbuf_put_u32(&o, 0);
	} else {
		mic(o.buf, cred_end, m);
		if (tamper & T_VERF)
			m[0] ^= 1;
		xdrbuf_put_u32(&o, RPCSEC_GSS);
		xdrbuf_put_opaque(&o, m, 8);
	}
	xdrbuf_out_init(&body);
	xdrbuf_put_u32(&body, (tamper & T_SEQ) ? seq + 1 : seq);
	xdrbuf_put_fixed(&body, args, alen);
	if (gss_proc != RPCSEC_GSS_DATA || service == RPCSEC_GSS_SVC_NONE)
		xdrbuf_put_fixed(&o, args, alen);
	else if (service == RPCSEC_GSS_SVC_INTEGRITY) {
		mic(body.buf, body.len, m);
		xdrbuf_put_opaque(&o, body.buf, (uint32_t)body.len);
		xdrbuf_put_opaque(&o, m, 8);
	} else {
		struct xdrbuf_out sealed;

		xdrbuf_out_init(&sealed);
		c = fuzz_gss_mech.import(&key, 1);
		fuzz_gss_mech.wrap(c, body.buf, body.len, &sealed);
		fuzz_gss_mech.release(c);
		xdrbuf_put_opaque(&o, sealed.buf, (uint32_t)sealed.len);
		xdrbuf_out_free(&sealed);
	}
	if (tamper & T_BODY)
		o.buf[o.len - 14] ^= 0x40;
	len = o.len;
	memcpy(buf, o.buf, len);
	xdrbuf_out_free(&o);
	xdrbuf_out_free(&body);
	return len;
}

static enum rpcmsg_verdict
accept_call(const uint8_t *rec, size_t len, struct rpcauth_call *call)
{
	return rpcauth_accept(table, rec, len, call);
}

static void
test_cred_decode(void)
{
	struct rpcsec_gss_cred c;
	uint8_t b[64];
	struct xdrbuf_out o;

	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, 1);
	xdrbuf_put_u32(&o, RPCSEC_GSS_DATA);
	xdrbuf_put_u32(&o, 7);
	xdrbuf_put_u32(&o, RPCSEC_GSS_SVC_PRIVACY);
	xdrbuf_put_opaque(&o, "abc", 3);
	tap_ok(rpcsec_gss_cred_decode(o.buf, o.len, &c) == 0 &&
	    c.seq == 7 && c.service == 3 && c.handle_len == 3 &&
	    memcmp(c.handle, "abc", 3) == 0, "credential decodes");
	tap_ok(rpcsec_gss_cred_decode(o.buf, o.len - 1, &c) == -1,
	    "a truncated credential does not");
	memcpy(b, o.buf, o.len);
	b[3] = 2;
	tap_ok(rpcsec_gss_cred_decode(b, o.len, &c) == -1,
	    "version 2 is refused");
	b[3] = 1;
	b[7] = 4;
	tap_ok(rpcsec_gss_cred_decode(b, o.len, &c) == -1,
	    "gss_proc 4 is refused");
	xdrbuf_put_u32(&o, 0);
	tap_ok(rpcsec_gss_cred_decode(o.buf, o.len, &c) == -1,
	    "trailing bytes are refused");
	xdrbuf_out_free(&o);
	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, 1);
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_u32(&o, 1);
	xdrbuf_put_u32(&o, 1);
	memset(b, 'h', sizeof(b));
	xdrbuf_put_opaque(&o, b, RPCAUTH_HANDLE_MAX + 1);
	tap_ok(rpcsec_gss_cred_decode(o.buf, o.len, &c) == -1,
	    "a handle over %d bytes is refused", RPCAUTH_HANDLE_MAX);
	xdrbuf_out_free(&o);
}

static void
test_data(void)
{
	static const uint8_t args[] = "GETATTR-ARGS";
	struct rpcauth_call call;
	uint8_t rec[1024], m[8], s[4];
	size_t len;
	enum rpcmsg_verdict v;

	len = build(rec, RPCSEC_GSS_DATA, 10, RPCSEC_GSS_SVC_NONE, HANDLE, 1,
	    args, 12, T_NONE);
	v = accept_call(rec, len, &call);
	s[0] = s[1] = s[2] = 0;
	s[3] = 10;
	mic(s, 4, m);
	tap_ok(v == RPCMSG_OK && call.args_len == 12 &&
	    memcmp(call.args, args, 12) == 0 && call.msg.cred.uid == 1000 &&
	    call.msg.cred.flavor == RPC_AUTH_UNIX, "krb5: accepted as uid 1000");
	tap_ok(call.rverf_flavor == RPCSEC_GSS && call.rverf_len == 8 &&
	    memcmp(call.rverf, m, 8) == 0,
	    "the reply verifier is the MIC of seq_num");
	tap_ok(rpcauth_sec_bit(&call) == RPCAUTH_SEC_KRB5, "it counts as krb5");
	rpcauth_call_clear(&call);
	v = accept_call(rec, len, &call);
	tap_ok(v == RPCMSG_AUTH_DROP, "the same seq_num again is dropped");
	rpcauth_call_clear(&call);

	/* A forged header moves nothing: seq 500 later is still new. */
	len = build(rec, RPCSEC_GSS_DATA, 500, RPCSEC_GSS_SVC_NONE, HANDLE, 1,
	    args, 12, T_VERF);
	v = accept_call(rec, len, &call);
	tap_ok(v == RPCMSG_AUTH_BADVERF, "a bad header MIC: AUTH_BADVERF");
	rpcauth_call_clear(&call);
	len = build(rec, RPCSEC_GSS_DATA, 500, RPCSEC_GSS_SVC_NONE, HANDLE, 1,
	    args, 12, T_NONE);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_OK,
	    "... and did not take its seq_num");
	rpcauth_call_clear(&call);
	len = build(rec, RPCSEC_GSS_DATA, 490, RPCSEC_GSS_SVC_NONE, HANDLE, 1,
	    args, 12, T_NONE);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_OK,
	    "an unseen seq_num inside the window is taken");
	rpcauth_call_clear(&call);
	len = build(rec, RPCSEC_GSS_DATA, 500 - RPCSEC_GSS_WINDOW,
	    RPCSEC_GSS_SVC_NONE, HANDLE, 1, args, 12, T_NONE);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_AUTH_DROP,
	    "one below the window is dropped");
	rpcauth_call_clear(&call);
	len = build(rec, RPCSEC_GSS_DATA, 501, 4, HANDLE, 1, args, 12,
	    T_NONE);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_AUTH_BADCRED,
	    "service 4: AUTH_BADCRED");
	rpcauth_call_clear(&call);
}

static void
test_integrity(void)
{
	static const uint8_t args[] = "WRITE-ARGS-0123";
	struct rpcauth_call call;
	uint8_t rec[1024];
	size_t len;

	len = build(rec, RPCSEC_GSS_DATA, 600, RPCSEC_GSS_SVC_INTEGRITY,
	    HANDLE, 7, args, 16, T_NONE);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_OK &&
	    call.args_len == 16 && memcmp(call.args, args, 16) == 0 &&
	    rpcauth_sec_bit(&call) == RPCAUTH_SEC_KRB5I,
	    "krb5i: the arguments after the checksum and seq_num");
	rpcauth_call_clear(&call);
	len = build(rec, RPCSEC_GSS_DATA, 601, RPCSEC_GSS_SVC_INTEGRITY,
	    HANDLE, 7, args, 16, T_BODY);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_GARBAGE,
	    "krb5i: a tampered body is GARBAGE_ARGS");
	rpcauth_call_clear(&call);
	len = build(rec, RPCSEC_GSS_DATA, 602, RPCSEC_GSS_SVC_INTEGRITY,
	    HANDLE, 7, args, 16, T_SEQ);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_GARBAGE,
	    "krb5i: another seq_num inside the body is GARBAGE_ARGS");
	rpcauth_call_clear(&call);
}

static void
test_privacy(void)
{
	static const uint8_t args[] = "READ-ARGS-abcdef";
	struct rpcauth_call call;
	uint8_t rec[1024];
	size_t len;

	len = build(rec, RPCSEC_GSS_DATA, 700, RPCSEC_GSS_SVC_PRIVACY, HANDLE,
	    6, args, 16, T_NONE);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_OK &&
	    call.args_len == 16 && memcmp(call.args, args, 16) == 0 &&
	    rpcauth_sec_bit(&call) == RPCAUTH_SEC_KRB5P,
	    "krb5p: the arguments unsealed");
	rpcauth_call_clear(&call);
	len = build(rec, RPCSEC_GSS_DATA, 701, RPCSEC_GSS_SVC_PRIVACY, HANDLE,
	    6, args, 16, T_BODY);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_GARBAGE,
	    "krb5p: a tampered body is GARBAGE_ARGS");
	rpcauth_call_clear(&call);
}

/* A reply of results res under service: its body after the head. */
static int
reply_of(uint32_t service, uint32_t seq, const uint8_t *res, size_t rlen,
    struct xdrbuf_out *o, size_t *head)
{
	static const uint8_t args[] = "ARGS";
	struct rpcauth_call call;
	uint8_t rec[1024];
	size_t len;
	int rc;

	len = build(rec, RPCSEC_GSS_DATA, seq, service, HANDLE, 1, args, 4,
	    T_NONE);
	if (accept_call(rec, len, &call) != RPCMSG_OK)
		return -1;
	xdrbuf_out_init(o);
	rpcauth_reply_begin(&call, o);
	*head = rpcauth_reply_head(&call);
	xdrbuf_put_fixed(o, res, rlen);
	rc = rpcauth_reply_finish(&call, o, RPC_SUCCESS);
	rpcauth_call_clear(&call);
	return rc;
}

static void
test_replies(void)
{
	static const uint8_t res[] = "RESULTS-OF-16-BY";
	struct xdrbuf_out o, plain;
	struct xdrbuf_in x;
	const uint8_t *d, *m;
	uint32_t dlen, mlen;
	size_t head;
	uint8_t key = KEY;
	void *c = fuzz_gss_mech.import(&key, 1);

	tap_ok(reply_of(RPCSEC_GSS_SVC_NONE, 800, res, 16, &o, &head) == 0 &&
	    o.len == head + 16 && memcmp(o.buf + head, res, 16) == 0,
	    "krb5: the results as they are");
	xdrbuf_out_free(&o);
	tap_ok(reply_of(RPCSEC_GSS_SVC_INTEGRITY, 801, res, 16, &o, &head) ==
	    0, "krb5i: a reply");
	xdrbuf_in_init(&x, o.buf + head, o.len - head);
	tap_ok(xdrbuf_get_opaque(&x, &d, &dlen, 1024) == 0 && dlen == 20 &&
	    xdrbuf_peek_u32(d) == 801 && memcmp(d + 4, res, 16) == 0 &&
	    xdrbuf_get_opaque(&x, &m, &mlen, 64) == 0 &&
	    fuzz_gss_mech.verify_mic(c, d, dlen, m, mlen) == 0 &&
	    xdrbuf_in_left(&x) == 0,
	    "krb5i: seq_num and results, then their MIC");
	xdrbuf_out_free(&o);
	tap_ok(reply_of(RPCSEC_GSS_SVC_PRIVACY, 802, res, 16, &o, &head) ==
	    0, "krb5p: a reply");
	xdrbuf_in_init(&x, o.buf + head, o.len - head);
	xdrbuf_out_init(&plain);
	tap_ok(xdrbuf_get_opaque(&x, &d, &dlen, 1024) == 0 &&
	    xdrbuf_in_left(&x) == 0 &&
	    fuzz_gss_mech.unwrap(c, d, dlen, &plain) == 0 &&
	    plain.len == 20 && xdrbuf_peek_u32(plain.buf) == 802 &&
	    memcmp(plain.buf + 4, res, 16) == 0 &&
	    memmem(o.buf, o.len, res, 16) == NULL,
	    "krb5p: seq_num and results sealed, not in the clear");
	xdrbuf_out_free(&plain);
	xdrbuf_out_free(&o);
	fuzz_gss_mech.release(c);
}

/*
 * The caller's side (rpcsec_gss_clnt.c) against the server side: its
 * DATA call is accepted with the arguments intact, the server's reply
 * gives the results back, and a reply of another sequence number or a
 * tampered body does not.
 */
static void
test_client(void)
{
	static const uint8_t args[] = "CB-COMPOUND-ARGS";
	static const uint8_t res[] = "CB-RESULTS-0123!";
	static const char *const names[] = { "", "krb5", "krb5i", "krb5p" };
	struct rpcsec_gss_call_head h;
	struct rpcsec_gss_reply r;
	struct rpcsec_gss_init_res ir;
	struct rpcauth_call call;
	struct xdrbuf_out o, out;
	const char *why = NULL;
	uint8_t key = KEY;
	uint32_t svc;
	size_t head;
	int ok;
	void *c = fuzz_gss_mech.import(&key, 1);

	for (svc = RPCSEC_GSS_SVC_NONE; svc <= RPCSEC_GSS_SVC_PRIVACY;
	    svc++) {
		memset(&h, 0, sizeof(h));
		h.xid = 0x900 + svc;
		h.prog = 0x40000000;
		h.vers = 1;
		h.proc = 1;
		h.gss_proc = RPCSEC_GSS_DATA;
		h.seq = 1000000 + svc;		/* above what ran before */
		h.service = svc;
		h.handle = (const uint8_t *)HANDLE;
		h.handle_len = strlen(HANDLE);
		xdrbuf_out_init(&o);
		ok = rpcsec_gss_call_encode(&o, &fuzz_gss_mech, c, &h, args,
		    16) == 0 && accept_call(o.buf, o.len, &call) == RPCMSG_OK &&
		    call.args_len == 16 && memcmp(call.args, args, 16) == 0;
		tap_ok(ok, "caller's side, %s: the server side accepts its "
		    "call, the arguments intact", names[svc]);
		xdrbuf_out_free(&o);
		if (!ok) {
			rpcauth_call_clear(&call);
			continue;
		}
		xdrbuf_out_init(&o);
		rpcauth_reply_begin(&call, &o);
		head = rpcauth_reply_head(&call);
		xdrbuf_put_fixed(&o, res, 16);
		(void)rpcauth_reply_finish(&call, &o, RPC_SUCCESS);
		rpcauth_call_clear(&call);
		xdrbuf_out_init(&out);
		tap_ok(rpcsec_gss_reply_decode(o.buf + 4, o.len - 4, &r,
		    &why) == 0 && rpcsec_gss_reply_results(&fuzz_gss_mech, c,
		    svc, h.seq, &r, &out, &why) == 0 && out.len == 16 &&
		    memcmp(out.buf, res, 16) == 0,
		    "caller's side, %s: the reply's verifier and results check",
		    names[svc]);
		xdrbuf_out_free(&out);
		xdrbuf_out_init(&out);
		why = "";
		ok = rpcsec_gss_reply_results(&fuzz_gss_mech, c, svc,
		    h.seq + 1, &r, &out, &why) == -1;
		tap_ok(ok, "caller's side, %s: not as the reply of another "
		    "sequence number (%s)", names[svc], why);
		xdrbuf_out_free(&out);
		if (svc != RPCSEC_GSS_SVC_NONE) {
			o.buf[head + 8] ^= 1;
			xdrbuf_out_init(&out);
			why = "";
			ok = rpcsec_gss_reply_decode(o.buf + 4, o.len - 4,
			    &r, &why) == 0 && rpcsec_gss_reply_results(
			    &fuzz_gss_mech, c, svc, h.seq, &r, &out, &why) ==
			    -1;
			tap_ok(ok, "caller's side, %s: a tampered body is "
			    "refused (%s)", names[svc], why);
			xdrbuf_out_free(&out);
		}
		xdrbuf_out_free(&o);
	}
	/* rpc_gss_init_res: handle, major, minor, window, token. */
	xdrbuf_out_init(&o);
	xdrbuf_put_opaque(&o, "h1", 2);
	xdrbuf_put_u32(&o, RPCSEC_GSS_S_COMPLETE);
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_u32(&o, 64);
	xdrbuf_put_opaque(&o, "tok", 3);
	tap_ok(rpcsec_gss_init_res_decode(o.buf, o.len, &ir) == 0 &&
	    ir.handle_len == 2 && ir.window == 64 && ir.token_len == 3 &&
	    memcmp(ir.token, "tok", 3) == 0, "rpc_gss_init_res decoded");
	tap_ok(rpcsec_gss_init_res_decode(o.buf, o.len - 4, &ir) == -1,
	    "rpc_gss_init_res cut short is refused");
	xdrbuf_out_free(&o);
	fuzz_gss_mech.release(c);
}

static void
test_contexts(void)
{
	static const uint8_t args[] = "ARGS";
	struct rpcauth_call call;
	struct rpc_cred cred;
	uint8_t rec[1024], key = KEY;
	size_t len;

	len = build(rec, RPCSEC_GSS_DATA, 1, RPCSEC_GSS_SVC_NONE, "unknown",
	    1, args, 4, T_NONE);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_AUTH_ERROR &&
	    call.auth_stat == RPCSEC_GSS_CREDPROBLEM,
	    "an unknown handle (no gssd): RPCSEC_GSS_CREDPROBLEM");
	rpcauth_call_clear(&call);
	memset(&cred, 0, sizeof(cred));
	cred.flavor = RPC_AUTH_UNIX;
	tap_ok(rpcsec_gss_add(gss, (const uint8_t *)"old", 3, &key, 1, 1,
	    &cred) == 0, "a context that expired long ago");
	len = build(rec, RPCSEC_GSS_DATA, 1, RPCSEC_GSS_SVC_NONE, "old", 1,
	    args, 4, T_NONE);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_AUTH_ERROR &&
	    call.auth_stat == RPCSEC_GSS_CTXPROBLEM,
	    "an expired context: RPCSEC_GSS_CTXPROBLEM");
	rpcauth_call_clear(&call);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_AUTH_ERROR &&
	    call.auth_stat == RPCSEC_GSS_CREDPROBLEM,
	    "... and it is gone");
	rpcauth_call_clear(&call);
	tap_ok(rpcsec_gss_add(gss, (const uint8_t *)"bad", 3, &key, 2, 1,
	    &cred) == -1, "an export the mechanism refuses is not added");

	len = build(rec, RPCSEC_GSS_INIT, 0, RPCSEC_GSS_SVC_NONE, "", 0,
	    args, 4, T_NONE);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_OK &&
	    call.control == RPCAUTH_CONTROL_INIT && call.rverf_len == 0,
	    "INIT on NULLPROC: a control call for gssd");
	rpcauth_call_clear(&call);
	len = build(rec, RPCSEC_GSS_INIT, 0, RPCSEC_GSS_SVC_NONE, HANDLE, 0,
	    args, 4, T_NONE);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_AUTH_BADCRED,
	    "INIT with a handle: AUTH_BADCRED");
	rpcauth_call_clear(&call);
	len = build(rec, RPCSEC_GSS_CONTINUE_INIT, 0, RPCSEC_GSS_SVC_NONE, "",
	    0, args, 4, T_NONE);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_AUTH_BADCRED,
	    "CONTINUE_INIT without one: AUTH_BADCRED");
	rpcauth_call_clear(&call);
	len = build(rec, RPCSEC_GSS_INIT, 0, RPCSEC_GSS_SVC_NONE, "", 1,
	    args, 4, T_NONE);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_AUTH_BADCRED,
	    "INIT on another procedure: AUTH_BADCRED");
	rpcauth_call_clear(&call);
	len = build(rec, RPCSEC_GSS_DESTROY, 900, RPCSEC_GSS_SVC_NONE, HANDLE,
	    0, args, 0, T_NONE);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_OK &&
	    call.control == RPCAUTH_CONTROL_DESTROY,
	    "DESTROY is verified like data, then a control call");
	rpcauth_call_clear(&call);
	/*
	 * The Linux client sends DESTROY's void arguments unwrapped under
	 * a krb5i or krb5p credential (net/sunrpc/auth_gss: gss_wrap_req
	 * wraps RPCSEC_GSS_DATA only): it is taken, and its void result
	 * goes unwrapped.  Before, it was "a krb5i body that does not
	 * check" and GARBAGE_ARGS, and the context stayed.
	 */
	len = build(rec, RPCSEC_GSS_DESTROY, 901, RPCSEC_GSS_SVC_INTEGRITY,
	    HANDLE, 0, args, 0, T_NONE);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_OK &&
	    call.control == RPCAUTH_CONTROL_DESTROY && call.args_len == 0,
	    "krb5i DESTROY with its void arguments unwrapped (Linux)");
	{
		struct xdrbuf_out out;

		xdrbuf_out_init(&out);
		tap_ok(call.flavor != NULL && call.flavor->wrap(call.flavor,
		    &call, NULL, 0, &out) == 1 && out.len == 0,
		    "... and its void result is not wrapped");
		xdrbuf_out_free(&out);
	}
	rpcauth_call_clear(&call);
	len = build(rec, RPCSEC_GSS_DESTROY, 902, RPCSEC_GSS_SVC_PRIVACY,
	    HANDLE, 0, args, 0, T_NONE);
	tap_ok(accept_call(rec, len, &call) == RPCMSG_OK &&
	    call.control == RPCAUTH_CONTROL_DESTROY,
	    "krb5p DESTROY with its void arguments unwrapped (Linux)");
	rpcauth_call_clear(&call);
}

static void
test_sec_parse(void)
{
	unsigned int mask;
	uint32_t order[4];
	size_t n;

	tap_ok(rpcauth_sec_parse("krb5p krb5i krb5 sys", &mask, order, &n) ==
	    0 && n == 4 && mask == 0xf && order[0] == RPCAUTH_SEC_KRB5P &&
	    order[3] == RPCAUTH_SEC_SYS, "security = krb5p krb5i krb5 sys");
	tap_ok(rpcauth_sec_parse("krb5i", &mask, order, &n) == 0 && n == 1 &&
	    mask == RPCAUTH_SEC_KRB5I, "security = krb5i");
	tap_ok(rpcauth_sec_parse("krb5 krb5", &mask, order, &n) == -1 &&
	    rpcauth_sec_parse("lipkey", &mask, order, &n) == -1 &&
	    rpcauth_sec_parse("", &mask, order, &n) == -1,
	    "repeats, unknown flavours and nothing are refused");
}

/* The fake gssd: INITs and FETCHes it was given, never answered. */
static int fake_accepts, fake_fetches, fake_hello;

static void
fake_accept(struct ipc_peer *peer, struct ipc_msg *msg)
{
	(void)peer;
	(void)msg;
	fake_accepts++;
}

static void
fake_fetch(struct ipc_peer *peer, struct ipc_msg *msg)
{
	(void)peer;
	(void)msg;
	fake_fetches++;
}

static void
fake_on_hello(struct ipc_peer *peer, void *arg)
{
	(void)peer;
	(void)arg;
	fake_hello = 1;
}

static void
null_proc(struct rpcsvc_call *call, void *args, void *arg)
{
	(void)args;
	(void)arg;
	rpcsvc_reply(call, NULL);
}

static const struct rpcsvc_proc limit_procs[] = {
	{ "NULL", NULL, 0, NULL, null_proc, RPCSVC_CACHE_NONE },
};
static const struct rpcsvc_version limit_versions[] = {
	{ 3, limit_procs, 1 },
};
static const struct rpcsvc_program limit_program = {
	.name = "NFS", .prog = 100003, .vers_min = 3, .vers_max = 3,
	.record_max = 65536, .versions = limit_versions, .nversions = 1,
};

/*
 * The record (built at rec + 4) n times over TCP, then the first reply's
 * bytes (or -1), the loop turned a bounded number of times.
 */
static int
send_await(struct event_base *base, int fd, uint8_t *rec, size_t len, int n,
    uint8_t *reply, size_t max)
{
	struct pollfd p = { fd, POLLIN, 0 };
	uint32_t mark = htonl(0x80000000u | (uint32_t)len);
	int i, got = -1;

	memcpy(rec, &mark, 4);
	for (i = 0; i < n; i++)
		if (write(fd, rec, len + 4) != (ssize_t)(len + 4))
			return -1;
	for (i = 0; i < 500 && got == -1; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		if (poll(&p, 1, 2) == 1)
			got = (int)read(fd, reply, max);
	}
	for (i = 0; i < 50; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	return got;
}

/* RFC 2203 5.2.2 INITs over the per-host limit: CREDPROBLEM at once. */
static void
test_limit(void)
{
	static const struct rpcsvc_program *const programs[] = {
		&limit_program, NULL
	};
	static const struct ipc_handler handlers[] = {
		{ GSSD_RPCSEC_ACCEPT, IPC_ROLE_BIT(IPC_ROLE_NFSD), fake_accept },
		{ GSSD_RPCSEC_FETCH, IPC_ROLE_BIT(IPC_ROLE_NFSD), fake_fetch },
	};
	static const uint8_t token[] = "\0\0\0\4tokn";
	const struct rpcauth_flavor *flavors[3];
	struct ipc_peer_policy policy = { IPC_ROLE_NFSD, 0, 0 };
	struct event_base *base = event_base_new();
	struct rpcsec_gss *g = rpcsec_gss_new(&fuzz_gss_mech);
	struct ipc_server *srv = NULL;
	struct rpcsvc *svc = NULL;
	struct sockaddr_in sin;
	char dir[] = "/tmp/test-rpcsec-gss.XXXXXX", path[64];
	uint8_t rec[256], reply[256];
	int lfd = -1, tfd = -1, ufd = -1, cfd = -1, i, got = -1;
	size_t len;

	policy.uid = getuid();
	if (base == NULL || g == NULL || mkdtemp(dir) == NULL) {
		tap_ok(0, "set-up of the per-host limit test");
		return;
	}
	snprintf(path, sizeof(path), "%s/gssd.sock", dir);
	lfd = ipc_listen_unix(path, 0600, (gid_t)-1);
	if (lfd != -1)
		srv = ipc_server_new(base, lfd, IPC_ROLE_GSSD, "gssd", handlers,
		    2, &policy, 1, NULL);
	if (srv != NULL)
		ipc_server_set_peer_callbacks(srv, fake_on_hello, NULL);
	tap_ok(srv != NULL && rpcsec_gss_use_gssd(g, base, path, -1, 2) == 0,
	    "a fake gssd, and the flavour with a limit of 2 per host");
	for (i = 0; i < 500 && !fake_hello; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		usleep(2000);
	}
	flavors[0] = &rpcauth_sys;
	flavors[1] = rpcsec_gss_flavor(g);
	flavors[2] = NULL;
	if ((svc = rpcsvc_new(base, programs, NULL)) != NULL) {
		rpcsvc_set_flavors(svc, flavors);
		if (rpcsvc_bind_sockets("127.0.0.1", 0, &tfd, &ufd) == 0)
			rpcsvc_listen(svc, tfd, -1);
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)rpcsvc_socket_port(tfd));
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	tap_ok(fake_hello && svc != NULL && tfd != -1 &&
	    connect(cfd, (struct sockaddr *)&sin, sizeof(sin)) == 0,
	    "gssd connected; an RPC server on loopback");
	/* Three INITs from one address: two go to gssd, the third not. */
	len = build(rec + 4, RPCSEC_GSS_INIT, 0, RPCSEC_GSS_SVC_NONE, "", 0,
	    token, 8, T_NONE);
	got = send_await(base, cfd, rec, len, 3, reply, sizeof(reply));
	tap_ok(got == 24 && xdrbuf_peek_u32(reply + 12) == RPC_MSG_DENIED &&
	    xdrbuf_peek_u32(reply + 16) == RPC_AUTH_ERROR &&
	    xdrbuf_peek_u32(reply + 20) == RPCSEC_GSS_CREDPROBLEM,
	    "the third INIT: AUTH_ERROR, RPCSEC_GSS_CREDPROBLEM (%d bytes)",
	    got);
	tap_ok(fake_accepts == 2, "gssd was given two INITs, not three (%d)",
	    fake_accepts);
	/* A call of a context nfsd does not know, with the INITs still out. */
	len = build(rec + 4, RPCSEC_GSS_DATA, 1, RPCSEC_GSS_SVC_NONE,
	    "made-up-handle", 0, token, 0, T_NONE);
	got = send_await(base, cfd, rec, len, 1, reply, sizeof(reply));
	tap_ok(got == 24 && xdrbuf_peek_u32(reply + 20) ==
	    RPCSEC_GSS_CREDPROBLEM && fake_fetches == 0,
	    "an unknown handle from that address: CREDPROBLEM, no FETCH "
	    "(%d bytes, %d fetches)", got, fake_fetches);
	if (cfd != -1)
		close(cfd);
	rpcsvc_free(svc);
	rpcsec_gss_free(g);
	ipc_server_free(srv);
	unlink(path);
	rmdir(dir);
	event_base_free(base);
}

static void
test_fuzz(void)
{
	static const uint8_t args[] = "FUZZ-ARGUMENTS!!";
	struct fuzz_seed seeds[4];
	uint8_t buf[1024];
	uint32_t st = 0x2203;
	size_t i, j, len;

	for (i = 0; i < 4; i++) {
		seeds[i].buf[0] = 0;
		seeds[i].len = 1 + build(seeds[i].buf + 1, RPCSEC_GSS_DATA,
		    2000 + (uint32_t)i, 1 + (uint32_t)(i % 3), "fuzzhandle",
		    1, args, 16, T_NONE);
	}
	for (i = 0; i < 4000; i++) {
		len = fuzz_next(&st) % 300;
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)fuzz_next(&st);
		fuzz_rpcsec_gss_one(buf, len);
		len = fuzz_mutate(buf, &seeds[i % 4], &st);
		fuzz_rpcsec_gss_one(buf + 1, len > 0 ? len - 1 : 0);
	}
	tap_ok(1, "8000 random and mutated calls through the fuzz target");
	/*
	 * The caller's side: the server side's replies of sequence number
	 * 1 as seeds, one context each (seq 1 is new in each).
	 */
	for (i = 0; i < 3; i++) {
		struct rpcauth_call call;
		struct rpc_cred cred;
		struct xdrbuf_out o;
		char h[8];
		uint8_t rec[1024], key = KEY;

		seeds[i].buf[0] = 0;
		seeds[i].len = 1;
		snprintf(h, sizeof(h), "seed%zu", i);
		memset(&cred, 0, sizeof(cred));
		cred.flavor = RPC_AUTH_UNIX;
		len = build(rec, RPCSEC_GSS_DATA, 1, (uint32_t)i + 1, h, 1,
		    args, 16, T_NONE);
		if (rpcsec_gss_add(gss, (const uint8_t *)h, strlen(h), &key, 1,
		    UINT64_MAX / 2, &cred) == -1 ||
		    accept_call(rec, len, &call) != RPCMSG_OK) {
			rpcauth_call_clear(&call);
			continue;
		}
		xdrbuf_out_init(&o);
		rpcauth_reply_begin(&call, &o);
		xdrbuf_put_fixed(&o, args, 16);
		if (rpcauth_reply_finish(&call, &o, RPC_SUCCESS) == 0 &&
		    o.len - 4 < sizeof(seeds[i].buf) - 1) {
			memcpy(seeds[i].buf + 1, o.buf + 4, o.len - 4);
			seeds[i].len = 1 + o.len - 4;
		}
		rpcauth_call_clear(&call);
		xdrbuf_out_free(&o);
	}
	for (i = 0; i < 3; i++) {
		struct rpcsec_gss_reply r;
		struct xdrbuf_out out;
		const char *why;
		uint8_t key = KEY;
		void *c = fuzz_gss_mech.import(&key, 1);
		int ok;

		xdrbuf_out_init(&out);
		ok = seeds[i].len > 1 && rpcsec_gss_reply_decode(
		    seeds[i].buf + 1, seeds[i].len - 1, &r, &why) == 0 &&
		    rpcsec_gss_reply_results(&fuzz_gss_mech, c, (uint32_t)i + 1,
		    1, &r, &out, &why) == 0 && out.len == 16;
		tap_ok(ok, "caller's fuzz seed %zu: a good reply of seq 1", i);
		xdrbuf_out_free(&out);
		fuzz_gss_mech.release(c);
	}
	for (i = 0; i < 3000; i++) {
		len = fuzz_next(&st) % 300;
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)fuzz_next(&st);
		fuzz_rpcsec_gss_client_one(buf, len);
		len = fuzz_mutate(buf, &seeds[i % 3], &st);
		fuzz_rpcsec_gss_client_one(buf + 1, len > 0 ? len - 1 : 0);
	}
	tap_ok(1, "6000 random and mutated replies through the caller's "
	    "fuzz target");
}

int
main(void)
{
	struct rpc_cred cred;
	uint8_t key = KEY;

	if ((gss = rpcsec_gss_new(&fuzz_gss_mech)) == NULL)
		return 1;
	memset(&cred, 0, sizeof(cred));
	cred.flavor = RPC_AUTH_UNIX;
	cred.uid = 1000;
	cred.gid = 100;
	if (rpcsec_gss_add(gss, (const uint8_t *)HANDLE, strlen(HANDLE), &key,
	    1, UINT64_MAX / 2, &cred) == -1)
		return 1;
	table[0] = &rpcauth_sys;
	table[1] = rpcsec_gss_flavor(gss);
	table[2] = NULL;
	test_cred_decode();
	test_data();
	test_integrity();
	test_privacy();
	test_replies();
	test_contexts();
	test_sec_parse();
	test_limit();
	test_client();
	test_fuzz();
	rpcsec_gss_free(gss);
	return tap_done();
}
