/*
 * common/rpcauth.c: the flavour hook.  AUTH_SYS keeps today's bytes; an
 * RPCSEC_GSS-shaped test flavour (context handle and sequence number in
 * the credential, a keyed checksum as verifier, bodies XORed with a key
 * and checksummed) goes through verify, unwrap, wrap and the reply
 * verifier, and its sequence window drops replays silently.
 */
#include <stdint.h>
#include <string.h>

#include "hash.h"
#include "rpcauth.h"
#include "tap.h"

#define TEST_KEY	0x5a
#define TEST_WINDOW	32

struct test_flavor_state {
	struct rpcauth_contexts	*contexts;
	uint8_t			 key[8];
};

static uint32_t
test_sum(const uint8_t *key, const uint8_t *p, size_t len)
{
	return hash_fnv1a32_add(hash_fnv1a32(key, 8), p, len);
}

static int
contains(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
	size_t i;

	for (i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return 1;
	return 0;
}

static uint32_t
get32(const uint8_t *p)
{
	return xdrbuf_peek_u32(p);
}

/* cred body: version 1, proc DATA (0), seq, service, handle<> */
static enum rpcmsg_verdict
test_verify(const struct rpcauth_flavor *f, struct rpcauth_call *call,
    const struct rpcmsg_header *h, const uint8_t *rec)
{
	struct test_flavor_state *st = f->arg;
	struct xdrbuf_in x;
	const uint8_t *handle;
	uint32_t vers, proc, seq, service, hlen;

	xdrbuf_in_init(&x, h->cred.body, h->cred.len);
	if (xdrbuf_get_u32(&x, &vers) == -1 || vers != 1 ||
	    xdrbuf_get_u32(&x, &proc) == -1 || proc != 0 ||
	    xdrbuf_get_u32(&x, &seq) == -1 ||
	    xdrbuf_get_u32(&x, &service) == -1 ||
	    xdrbuf_get_opaque(&x, &handle, &hlen, RPCAUTH_HANDLE_MAX) == -1 ||
	    xdrbuf_in_left(&x) != 0)
		return RPCMSG_AUTH_BADCRED;
	if ((call->ctx = rpcauth_context_find(st->contexts, handle,
	    hlen)) == NULL) {
		call->auth_stat = RPCSEC_GSS_CREDPROBLEM;
		return RPCMSG_AUTH_ERROR;
	}
	/* RFC 2203 5.3.1: the verifier covers the header up to the cred. */
	if (!h->verf_ok || h->verf.flavor != RPCSEC_GSS || h->verf.len != 4 ||
	    get32(h->verf.body) != test_sum(st->key, rec, h->cred_end))
		return RPCMSG_AUTH_BADVERF;
	if (rpcauth_seqwin_check(&call->ctx->window, seq) == -1)
		return RPCMSG_AUTH_DROP;
	call->seq = seq;
	call->service = service;
	call->msg.cred.flavor = RPCSEC_GSS;
	call->msg.cred.uid = 4242;
	return RPCMSG_OK;
}

/* body: opaque<> of (seq, data) XOR key, then a checksum of the plain. */
static int
test_unwrap(const struct rpcauth_flavor *f, struct rpcauth_call *call,
    const uint8_t *body, size_t len, struct xdrbuf_out *plain)
{
	struct test_flavor_state *st = f->arg;
	struct xdrbuf_in x;
	const uint8_t *data;
	uint32_t dlen, sum, i;
	uint8_t *p;

	xdrbuf_in_init(&x, body, len);
	if (xdrbuf_get_opaque(&x, &data, &dlen, 1 << 20) == -1 || dlen < 4 ||
	    xdrbuf_get_u32(&x, &sum) == -1 || xdrbuf_in_left(&x) != 0)
		return -1;
	if ((p = xdrbuf_reserve(plain, dlen)) == NULL)
		return -1;
	for (i = 0; i < dlen; i++)
		p[i] = data[i] ^ st->key[i % 8];
	if (test_sum(st->key, p, dlen) != sum || get32(p) != call->seq)
		return -1;
	memmove(p, p + 4, dlen - 4);
	plain->len -= 4;
	return 0;
}

static void
test_seal(const uint8_t *key, uint32_t seq, const uint8_t *res, size_t len,
    struct xdrbuf_out *out)
{
	uint8_t buf[1024], sealed[1024];
	size_t i;

	buf[0] = (uint8_t)(seq >> 24);
	buf[1] = (uint8_t)(seq >> 16);
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
	memcpy(buf + 4, res, len);
	for (i = 0; i < len + 4; i++)
		sealed[i] = buf[i] ^ key[i % 8];
	xdrbuf_put_opaque(out, sealed, (uint32_t)(len + 4));
	xdrbuf_put_u32(out, test_sum(key, buf, len + 4));
}

static int
test_wrap(const struct rpcauth_flavor *f, struct rpcauth_call *call,
    const uint8_t *res, size_t len, struct xdrbuf_out *out)
{
	struct test_flavor_state *st = f->arg;

	if (len > 1000)
		return -1;
	test_seal(st->key, call->seq, res, len, out);
	return 0;
}

/* RFC 2203 5.3.3.2: the reply verifier is a checksum of seq; 6 bytes. */
static int
test_reply_verf(const struct rpcauth_flavor *f, struct rpcauth_call *call)
{
	struct test_flavor_state *st = f->arg;
	uint8_t s[4];
	uint32_t sum;

	s[0] = (uint8_t)(call->seq >> 24);
	s[1] = (uint8_t)(call->seq >> 16);
	s[2] = (uint8_t)(call->seq >> 8);
	s[3] = (uint8_t)call->seq;
	sum = test_sum(st->key, s, 4);
	call->rverf_flavor = RPCSEC_GSS;
	call->rverf_len = 6;
	memcpy(call->rverf, s, 4);
	call->rverf[4] = (uint8_t)(sum >> 8);
	call->rverf[5] = (uint8_t)sum;
	return 0;
}

static struct test_flavor_state state;
static const struct rpcauth_flavor test_flavor = {
	.flavor = RPCSEC_GSS,
	.name = "TEST_GSS",
	.arg = &state,
	.verify = test_verify,
	.unwrap = test_unwrap,
	.wrap = test_wrap,
	.reply_verf = test_reply_verf,
};
static const struct rpcauth_flavor *const test_table[] = {
	&rpcauth_sys, &test_flavor, NULL
};

/* A call of the test flavour with args (wrapped), handle "ctx1". */
static size_t
build_test_call(uint8_t *b, uint32_t seq, const char *handle, int badverf,
    const uint8_t *args, size_t alen)
{
	struct xdrbuf_out o;
	size_t cred_end, n;
	uint32_t sum;

	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, 0x11223344);
	xdrbuf_put_u32(&o, RPC_CALL);
	xdrbuf_put_u32(&o, RPC_VERSION);
	xdrbuf_put_u32(&o, 100003);
	xdrbuf_put_u32(&o, 4);
	xdrbuf_put_u32(&o, 1);
	xdrbuf_put_u32(&o, RPCSEC_GSS);
	xdrbuf_put_u32(&o, 16 + 4 + (uint32_t)((strlen(handle) + 3) & ~3u));
	xdrbuf_put_u32(&o, 1);
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_u32(&o, seq);
	xdrbuf_put_u32(&o, 3);
	xdrbuf_put_opaque(&o, handle, (uint32_t)strlen(handle));
	cred_end = o.len;
	sum = test_sum(state.key, o.buf, cred_end) ^ (badverf ? 1 : 0);
	xdrbuf_put_u32(&o, RPCSEC_GSS);
	xdrbuf_put_u32(&o, 4);
	xdrbuf_put_u32(&o, sum);
	test_seal(state.key, seq, args, alen, &o);
	n = o.len;
	memcpy(b, o.buf, n);
	xdrbuf_out_free(&o);
	return n;
}

static size_t
build_sys_call(uint8_t *b)
{
	struct xdrbuf_out o;
	size_t n;

	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, 0x99);
	xdrbuf_put_u32(&o, RPC_CALL);
	xdrbuf_put_u32(&o, RPC_VERSION);
	xdrbuf_put_u32(&o, 100021);
	xdrbuf_put_u32(&o, 4);
	xdrbuf_put_u32(&o, 2);
	xdrbuf_put_u32(&o, RPC_AUTH_UNIX);
	xdrbuf_put_u32(&o, 20 + 4);
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_opaque(&o, "host", 4);
	xdrbuf_put_u32(&o, 1000);
	xdrbuf_put_u32(&o, 100);
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_u32(&o, RPC_AUTH_NULL);
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_u32(&o, 0xabcdef01);
	n = o.len;
	memcpy(b, o.buf, n);
	xdrbuf_out_free(&o);
	return n;
}

int
main(void)
{
	static const uint8_t args[8] = { 0xab, 0xcd, 0xef, 0x01,
	    0x12, 0x34, 0x56, 0x78 };
	/* The bytes nfsd and lockd have always sent after the record mark. */
	static const uint8_t sys_reply[28] = { 0, 0, 0, 0x99, 0, 0, 0, 1,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7 };
	uint8_t b[2048], plainres[8], sealed[64];
	struct rpcauth_call call;
	struct rpcauth_seqwin w;
	struct xdrbuf_out o;
	struct xdrbuf_in x;
	const uint8_t *data;
	uint32_t dlen, sum, i;
	size_t n;
	int ok;

	memset(state.key, TEST_KEY, sizeof(state.key));
	state.key[3] = 0x17;
	state.contexts = rpcauth_contexts_new();
	tap_ok(state.contexts != NULL && rpcauth_context_new(state.contexts,
	    (const uint8_t *)"ctx1", 4, TEST_WINDOW, NULL) != NULL,
	    "a context with a window of %d", TEST_WINDOW);

	/* AUTH_SYS: today's reply head, byte for byte. */
	n = build_sys_call(b);
	tap_ok(rpcauth_accept(rpcauth_default, b, n, &call) == RPCMSG_OK &&
	    call.msg.cred.uid == 1000 && call.args_len == 4 &&
	    get32(call.args) == 0xabcdef01, "AUTH_SYS call accepted");
	tap_ok(rpcauth_reply_head(&call) == 28,
	    "AUTH_SYS reply head is 28 bytes");
	xdrbuf_out_init(&o);
	rpcauth_reply_begin(&call, &o);
	xdrbuf_put_u32(&o, 7);
	rpcauth_reply_finish(&call, &o, RPC_SUCCESS);
	tap_ok(o.len == 32 && memcmp(o.buf + 4, sys_reply, 28) == 0,
	    "AUTH_SYS reply: xid, REPLY, ACCEPTED, AUTH_NULL, SUCCESS");
	xdrbuf_out_free(&o);
	rpcauth_call_clear(&call);
	n = build_test_call(b, 5, "ctx1", 0, args, sizeof(args));
	tap_ok(rpcauth_accept(rpcauth_default, b, n, &call) ==
	    RPCMSG_AUTH_BADCRED, "the default table refuses RPCSEC_GSS");
	rpcauth_call_clear(&call);

	/* The test flavour: a wrapped call in, a wrapped reply out. */
	n = build_test_call(b, 5, "ctx1", 0, args, sizeof(args));
	tap_ok(!contains(b, n, args, 4),
	    "the call's arguments are not in clear on the wire");
	tap_ok(rpcauth_accept(test_table, b, n, &call) == RPCMSG_OK,
	    "wrapped call accepted");
	tap_ok(call.flavor == &test_flavor && call.seq == 5 &&
	    call.msg.cred.uid == 4242 && call.msg.prog == 100003 &&
	    call.msg.proc == 1, "flavour, sequence number, identity");
	tap_ok(call.args_len == sizeof(args) &&
	    memcmp(call.args, args, sizeof(args)) == 0,
	    "arguments unwrapped as sent");
	tap_ok(rpcauth_reply_head(&call) == 36,
	    "reply head holds a 6-byte verifier, padded");
	xdrbuf_out_init(&o);
	tap_ok(rpcauth_reply_begin(&call, &o) == 0, "reply head reserved");
	xdrbuf_put_u32(&o, 0xfeedface);
	xdrbuf_put_u32(&o, 0);
	tap_ok(rpcauth_reply_finish(&call, &o, RPC_SUCCESS) == 0,
	    "reply finished");
	tap_ok(get32(o.buf + 4) == 0x11223344 && get32(o.buf + 8) ==
	    RPC_REPLY && get32(o.buf + 12) == RPC_MSG_ACCEPTED,
	    "xid, REPLY, MSG_ACCEPTED");
	tap_ok(get32(o.buf + 16) == RPCSEC_GSS && get32(o.buf + 20) == 6 &&
	    get32(o.buf + 24) == 5 && o.buf[30] == 0 && o.buf[31] == 0,
	    "reply verifier: the flavour's, 6 bytes and padding");
	tap_ok(get32(o.buf + 32) == RPC_SUCCESS, "accept_stat after it");
	xdrbuf_in_init(&x, o.buf + 36, o.len - 36);
	ok = xdrbuf_get_opaque(&x, &data, &dlen, 64) == 0 && dlen == 12 &&
	    xdrbuf_get_u32(&x, &sum) == 0 && xdrbuf_in_left(&x) == 0;
	tap_ok(ok, "results wrapped: opaque body and checksum");
	if (ok) {
		for (i = 0; i < dlen; i++)
			sealed[i] = data[i] ^ state.key[i % 8];
		memcpy(plainres, sealed + 4, 8);
		tap_ok(get32(sealed) == 5 && get32(plainres) == 0xfeedface &&
		    get32(plainres + 4) == 0 &&
		    test_sum(state.key, sealed, 12) == sum,
		    "wrapped results hold the sequence number and results");
		tap_ok(!contains(o.buf + 36, o.len - 36, "\xfe\xed\xfa\xce",
		    4), "results are not in clear");
	} else {
		tap_ok(0, "wrapped results hold the sequence number and "
		    "results");
		tap_ok(0, "results are not in clear");
	}
	xdrbuf_out_free(&o);
	rpcauth_call_clear(&call);

	/* RFC 2203 5.3.3.1: replays and old numbers go without a reply. */
	tap_ok(rpcauth_accept(test_table, b, n, &call) == RPCMSG_AUTH_DROP,
	    "a replayed sequence number is dropped silently");
	rpcauth_call_clear(&call);
	n = build_test_call(b, 4, "ctx1", 0, args, sizeof(args));
	tap_ok(rpcauth_accept(test_table, b, n, &call) == RPCMSG_OK,
	    "an older number inside the window is taken");
	rpcauth_call_clear(&call);
	n = build_test_call(b, 100, "ctx1", 0, args, sizeof(args));
	tap_ok(rpcauth_accept(test_table, b, n, &call) == RPCMSG_OK,
	    "a newer number moves the window");
	rpcauth_call_clear(&call);
	n = build_test_call(b, 60, "ctx1", 0, args, sizeof(args));
	tap_ok(rpcauth_accept(test_table, b, n, &call) == RPCMSG_AUTH_DROP,
	    "a number below the window is dropped silently");
	rpcauth_call_clear(&call);
	n = build_test_call(b, RPCAUTH_SEQ_MAX, "ctx1", 0, args, sizeof(args));
	tap_ok(rpcauth_accept(test_table, b, n, &call) == RPCMSG_AUTH_DROP,
	    "MAXSEQ is dropped");
	rpcauth_call_clear(&call);

	/* Refusals. */
	n = build_test_call(b, 101, "ctx1", 1, args, sizeof(args));
	tap_ok(rpcauth_accept(test_table, b, n, &call) == RPCMSG_AUTH_BADVERF,
	    "a wrong call verifier: AUTH_BADVERF");
	rpcauth_call_clear(&call);
	n = build_test_call(b, 102, "nope", 0, args, sizeof(args));
	tap_ok(rpcauth_accept(test_table, b, n, &call) == RPCMSG_AUTH_ERROR &&
	    rpcauth_denied_stat(&call, RPCMSG_AUTH_ERROR) ==
	    RPCSEC_GSS_CREDPROBLEM, "an unknown context: CREDPROBLEM");
	rpcauth_call_clear(&call);
	n = build_test_call(b, 103, "ctx1", 0, args, sizeof(args));
	b[n - 8] ^= 0x40;
	tap_ok(rpcauth_accept(test_table, b, n, &call) == RPCMSG_GARBAGE,
	    "a tampered body: GARBAGE_ARGS");
	rpcauth_call_clear(&call);

	/* The window on its own. */
	rpcauth_seqwin_init(&w, 4);
	tap_ok(rpcauth_seqwin_check(&w, 10) == 0 &&
	    rpcauth_seqwin_check(&w, 10) == -1 &&
	    rpcauth_seqwin_check(&w, 7) == 0 &&
	    rpcauth_seqwin_check(&w, 6) == -1 &&
	    rpcauth_seqwin_check(&w, 11) == 0 &&
	    rpcauth_seqwin_check(&w, 7) == -1 &&
	    rpcauth_seqwin_check(&w, 9) == 0 &&
	    rpcauth_seqwin_check(&w, 9) == -1 &&
	    rpcauth_seqwin_check(&w, 500) == 0 &&
	    rpcauth_seqwin_check(&w, 499) == 0 &&
	    rpcauth_seqwin_check(&w, 11) == -1,
	    "window of 4: replays and old numbers refused");

	/*
	 * The full window against a model (every number seen, remembered
	 * one by one): steps of 1 to 300, so shifts within a word, across
	 * words and past the window, with replays and old numbers between.
	 */
	{
		static uint8_t model[1 << 21];
		uint32_t seed = 777, highest = 0, seq, k, agree = 0, took = 0;
		int want, got;

		memset(model, 0, sizeof(model));
		rpcauth_seqwin_init(&w, RPCAUTH_WINDOW_MAX);
		for (k = 0; k < 20000; k++) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 3 == 0) {
				seq = highest + 1 + (seed >> 8) % 300;
				if (seq >= sizeof(model))
					break;
			} else
				seq = highest > (seed >> 8) % 300 ? highest -
				    (seed >> 8) % 300 : 0;
			want = model[seq] == 0 && (seq > highest ||
			    highest - seq < RPCAUTH_WINDOW_MAX);
			got = rpcauth_seqwin_check(&w, seq) == 0;
			if (want)
				model[seq] = 1, took++;
			if (seq > highest)
				highest = seq;
			agree += want == got;
		}
		tap_ok(agree == k && took > 1000, "a window of %d against a "
		    "model: %u of %u numbers judged alike (%u taken)",
		    RPCAUTH_WINDOW_MAX, agree, k, took);
	}

	/* Mutated calls of both flavours through the hook: no crash. */
	{
		uint32_t seed = 12345, k;
		size_t len, base_n, ok_n = 0;
		uint8_t base[2048];

		base_n = build_test_call(base, 200, "ctx1", 0, args,
		    sizeof(args));
		for (k = 0; k < 100000; k++) {
			memcpy(b, base, base_n);
			len = base_n;
			for (i = 0; i < 1 + k % 4; i++) {
				seed = seed * 1103515245u + 12345u;
				b[(seed >> 8) % base_n] ^= (uint8_t)(seed >> 16);
			}
			seed = seed * 1103515245u + 12345u;
			if (k % 3 == 0)
				len = (seed >> 8) % (base_n + 1);
			if (rpcauth_accept(k % 2 ? test_table :
			    rpcauth_default, b, len, &call) == RPCMSG_OK)
				ok_n++;
			rpcauth_call_clear(&call);
		}
		tap_ok(1, "100000 mutated calls through the hook: no crash "
		    "(%zu accepted)", ok_n);
	}

	rpcauth_contexts_free(state.contexts);
	return tap_done();
}
