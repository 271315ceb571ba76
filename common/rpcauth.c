/*
 * ONC RPC authentication flavours (RFC 5531 8.2) behind one hook, with
 * what RPCSEC_GSS (RFC 2203) needs of it: variable-length verifiers,
 * call bodies unwrapped before decoding and reply bodies wrapped after
 * encoding, per-context state and a sequence window.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rpcauth.h"

struct rpcauth_contexts {
	struct rpcauth_context	*ctx[RPCAUTH_CONTEXTS_MAX];
	size_t			 count;
};

static enum rpcmsg_verdict
rpcauth_none_sys_verify(const struct rpcauth_flavor *f,
    struct rpcauth_call *call, const struct rpcmsg_header *h,
    const uint8_t *rec)
{
	(void)f;
	(void)rec;
	return rpcmsg_verify_none_sys(h, &call->msg.cred);
}

const struct rpcauth_flavor rpcauth_none = {
	.flavor = RPC_AUTH_NULL,
	.name = "AUTH_NONE",
	.verify = rpcauth_none_sys_verify,
};

const struct rpcauth_flavor rpcauth_sys = {
	.flavor = RPC_AUTH_UNIX,
	.name = "AUTH_SYS",
	.verify = rpcauth_none_sys_verify,
};

const struct rpcauth_flavor *const rpcauth_default[] = {
	&rpcauth_none, &rpcauth_sys, NULL
};

void
rpcauth_seqwin_init(struct rpcauth_seqwin *w, uint32_t size)
{
	memset(w, 0, sizeof(*w));
	if (size == 0)
		size = 1;
	if (size > RPCAUTH_WINDOW_MAX)
		size = RPCAUTH_WINDOW_MAX;
	w->size = size;
}

static int
rpcauth_seqwin_test(const struct rpcauth_seqwin *w, uint32_t i)
{
	return (w->seen[i / 64] >> (i % 64)) & 1;
}

static void
rpcauth_seqwin_set(struct rpcauth_seqwin *w, uint32_t i)
{
	w->seen[i / 64] |= (uint64_t)1 << (i % 64);
}

/*
 * Slide the bits up by n: bit i becomes bit i + n, a word at a time (it
 * runs for most calls: each in-order number moves the window by one).
 */
static void
rpcauth_seqwin_shift(struct rpcauth_seqwin *w, uint32_t n)
{
	const uint32_t nwords = RPCAUTH_WINDOW_MAX / 64;
	uint32_t words = n / 64, bits = n % 64, i;

	if (n >= RPCAUTH_WINDOW_MAX) {
		memset(w->seen, 0, sizeof(w->seen));
		return;
	}
	for (i = nwords; i-- > words;) {
		w->seen[i] = w->seen[i - words] << bits;
		if (bits != 0 && i > words)
			w->seen[i] |= w->seen[i - words - 1] >> (64 - bits);
	}
	for (i = 0; i < words; i++)
		w->seen[i] = 0;
}

/*
 * RFC 2203 5.3.3.1: a number above the highest seen moves the window; one
 * inside it is taken once; one below it, or seen before, is discarded
 * without a reply (the client retransmits with a new number).
 */
int
rpcauth_seqwin_check(struct rpcauth_seqwin *w, uint32_t seq)
{
	uint32_t back;

	if (seq >= RPCAUTH_SEQ_MAX)
		return -1;
	if (!w->started || seq > w->highest) {
		if (w->started)
			rpcauth_seqwin_shift(w, seq - w->highest);
		else
			memset(w->seen, 0, sizeof(w->seen));
		w->started = 1;
		w->highest = seq;
		rpcauth_seqwin_set(w, 0);
		return 0;
	}
	back = w->highest - seq;
	if (back >= w->size || rpcauth_seqwin_test(w, back))
		return -1;
	rpcauth_seqwin_set(w, back);
	return 0;
}

struct rpcauth_contexts *
rpcauth_contexts_new(void)
{
	return calloc(1, sizeof(struct rpcauth_contexts));
}

void
rpcauth_contexts_free(struct rpcauth_contexts *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->count; i++)
		free(t->ctx[i]);
	free(t);
}

struct rpcauth_context *
rpcauth_context_new(struct rpcauth_contexts *t, const uint8_t *handle,
    uint32_t handle_len, uint32_t window, void *priv)
{
	struct rpcauth_context *c;

	if (handle_len > RPCAUTH_HANDLE_MAX ||
	    t->count == RPCAUTH_CONTEXTS_MAX ||
	    rpcauth_context_find(t, handle, handle_len) != NULL)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	memcpy(c->handle, handle, handle_len);
	c->handle_len = handle_len;
	rpcauth_seqwin_init(&c->window, window);
	c->priv = priv;
	t->ctx[t->count++] = c;
	return c;
}

struct rpcauth_context *
rpcauth_context_find(struct rpcauth_contexts *t, const uint8_t *handle,
    uint32_t handle_len)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		if (t->ctx[i]->handle_len == handle_len &&
		    memcmp(t->ctx[i]->handle, handle, handle_len) == 0)
			return t->ctx[i];
	return NULL;
}

void
rpcauth_context_free(struct rpcauth_contexts *t, struct rpcauth_context *c)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		if (t->ctx[i] == c) {
			t->ctx[i] = t->ctx[--t->count];
			free(c);
			return;
		}
}

size_t
rpcauth_contexts_count(const struct rpcauth_contexts *t)
{
	return t->count;
}

struct rpcauth_context *
rpcauth_context_at(struct rpcauth_contexts *t, size_t i)
{
	return i < t->count ? t->ctx[i] : NULL;
}

void
rpcauth_call_clear(struct rpcauth_call *call)
{
	free(call->plain);
	call->plain = NULL;
	call->args = NULL;
	call->args_len = 0;
}

enum rpcmsg_verdict
rpcauth_accept(const struct rpcauth_flavor *const *table, const uint8_t *rec,
    size_t len, struct rpcauth_call *call)
{
	struct rpcmsg_header h;
	struct xdrbuf_out plain;
	enum rpcmsg_verdict v;
	const struct rpcauth_flavor *f = NULL;
	size_t i;

	memset(call, 0, sizeof(*call));
	call->rverf_flavor = RPC_AUTH_NULL;
	v = rpcmsg_decode_header(rec, len, &h);
	call->msg.xid = h.xid;
	call->msg.prog = h.prog;
	call->msg.vers = h.vers;
	call->msg.proc = h.proc;
	if (v != RPCMSG_OK)
		return v;
	for (i = 0; table[i] != NULL; i++)
		if (table[i]->flavor == h.cred.flavor) {
			f = table[i];
			break;
		}
	if (f == NULL)
		return RPCMSG_AUTH_BADCRED;
	/* A flavour that holds the call (control) is known to the caller. */
	call->flavor = f;
	if ((v = f->verify(f, call, &h, rec)) != RPCMSG_OK)
		return v;
	if (!h.verf_ok)
		return RPCMSG_AUTH_BADVERF;
	call->msg.args_off = h.args_off;
	if (f->reply_verf != NULL && f->reply_verf(f, call) == -1)
		return RPCMSG_GARBAGE;
	if (call->rverf_len > RPC_AUTH_BODY_MAX)
		return RPCMSG_GARBAGE;
	if (f->unwrap == NULL) {
		call->args = rec + h.args_off;
		call->args_len = len - h.args_off;
		return RPCMSG_OK;
	}
	xdrbuf_out_init(&plain);
	switch (f->unwrap(f, call, rec + h.args_off, len - h.args_off,
	    &plain)) {
	case 1:
		xdrbuf_out_free(&plain);
		return RPCMSG_OK;
	case 0:
		if (!plain.failed)
			break;
		/* FALLTHROUGH */
	default:
		xdrbuf_out_free(&plain);
		return RPCMSG_GARBAGE;
	}
	call->plain = plain.buf;
	call->args = plain.buf;
	call->args_len = plain.len;
	return RPCMSG_OK;
}

uint32_t
rpcauth_denied_stat(const struct rpcauth_call *call, enum rpcmsg_verdict v)
{
	switch (v) {
	case RPCMSG_AUTH_BADCRED:
		return RPC_AUTH_BADCRED;
	case RPCMSG_AUTH_BADVERF:
		return RPC_AUTH_BADVERF;
	case RPCMSG_AUTH_ERROR:
		return call->auth_stat;
	default:
		return RPC_AUTH_REJECTEDCRED;
	}
}

/* Record mark, xid, REPLY, MSG_ACCEPTED, verifier, accept_stat. */
size_t
rpcauth_reply_head(const struct rpcauth_call *call)
{
	return 4 + 3 * 4 + 2 * 4 + ((call->rverf_len + 3) & ~(size_t)3) + 4;
}

int
rpcauth_reply_begin(const struct rpcauth_call *call, struct xdrbuf_out *o)
{
	o->len = 0;
	return xdrbuf_reserve(o, rpcauth_reply_head(call)) == NULL ? -1 : 0;
}

/*
 * RFC 5531 9 and RFC 2203 5.3.3.2: the head reserved by
 * rpcauth_reply_begin, with the flavour's verifier; a successful reply's
 * results (after the head) wrapped as the flavour says.
 */
int
rpcauth_reply_finish(struct rpcauth_call *call, struct xdrbuf_out *o,
    uint32_t accept_stat)
{
	struct xdrbuf_out w;
	size_t head = rpcauth_reply_head(call), pos;
	uint8_t *p;

	if (o->failed || o->len < head)
		return -1;
	xdrbuf_put_u32_at(o, 4, call->msg.xid);
	xdrbuf_put_u32_at(o, 8, RPC_REPLY);
	xdrbuf_put_u32_at(o, 12, RPC_MSG_ACCEPTED);
	xdrbuf_put_u32_at(o, 16, call->rverf_flavor);
	xdrbuf_put_u32_at(o, 20, call->rverf_len);
	pos = 24;
	if (call->rverf_len > 0) {
		memcpy(o->buf + pos, call->rverf, call->rverf_len);
		memset(o->buf + pos + call->rverf_len, 0,
		    ((call->rverf_len + 3) & ~(uint32_t)3) - call->rverf_len);
		pos += (call->rverf_len + 3) & ~(uint32_t)3;
	}
	xdrbuf_put_u32_at(o, pos, accept_stat);
	if (accept_stat != RPC_SUCCESS || call->flavor == NULL ||
	    call->flavor->wrap == NULL)
		return 0;
	xdrbuf_out_init(&w);
	switch (call->flavor->wrap(call->flavor, call, o->buf + head,
	    o->len - head, &w)) {
	case 1:
		xdrbuf_out_free(&w);
		return 0;
	case 0:
		if (!w.failed)
			break;
		/* FALLTHROUGH */
	default:
		xdrbuf_out_free(&w);
		o->len = head;
		xdrbuf_put_u32_at(o, pos, RPC_SYSTEM_ERR);
		return -1;
	}
	o->len = head;
	if ((p = xdrbuf_reserve(o, w.len)) != NULL)
		memcpy(p, w.buf, w.len);
	xdrbuf_out_free(&w);
	return o->failed ? -1 : 0;
}

static const struct {
	const char	*name;
	unsigned int	 bit;
} rpcauth_sec_names[] = {
	{ "sys", RPCAUTH_SEC_SYS },
	{ "krb5", RPCAUTH_SEC_KRB5 },
	{ "krb5i", RPCAUTH_SEC_KRB5I },
	{ "krb5p", RPCAUTH_SEC_KRB5P },
};

/* RFC 2623 2.3: a share's flavours, as dittofs.conf(5) lists them. */
int
rpcauth_sec_parse(const char *text, unsigned int *mask, uint32_t order[4],
    size_t *n)
{
	char buf[128], *tok, *save = NULL;
	size_t i;

	*mask = 0;
	*n = 0;
	if (strlen(text) >= sizeof(buf))
		return -1;
	memcpy(buf, text, strlen(text) + 1);
	for (tok = strtok_r(buf, " \t,:", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,:", &save)) {
		for (i = 0; i < 4; i++)
			if (strcasecmp(tok, rpcauth_sec_names[i].name) == 0)
				break;
		if (i == 4 || (*mask & rpcauth_sec_names[i].bit))
			return -1;
		*mask |= rpcauth_sec_names[i].bit;
		order[(*n)++] = rpcauth_sec_names[i].bit;
	}
	return *n == 0 ? -1 : 0;
}

const char *
rpcauth_sec_name(unsigned int bit)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (rpcauth_sec_names[i].bit == bit)
			return rpcauth_sec_names[i].name;
	return "?";
}
