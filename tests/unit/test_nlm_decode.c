/*
 * lockd's wire decoding: the RPC call header (common/rpcmsg.c, common/rpcauth.c) and the NLM
 * arguments of every version (nlm_decode_request in lockd/nlm.c):
 * valid input, every truncation, lengths beyond their bounds, huge
 * lengths, random garbage.  Nothing may crash; bad input is refused.
 * The one decoder of v1, v3 and v4 agrees with the per-version rpcgen
 * routines it replaced.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockd.h"
#include "tap.h"

static size_t
encode(xdrproc_t proc, void *obj, uint8_t *buf, size_t len)
{
	XDR x;
	size_t n;

	xdrmem_create(&x, (char *)buf, (u_int)len, XDR_ENCODE);
	if (!proc(&x, obj))
		return 0;
	n = xdr_getpos(&x);
	xdr_destroy(&x);
	return n;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * A call header with a credential of credlen bytes: with 20, an AUTH_SYS
 * body of stamp 0, an empty machine name, uid 0, gid 0 and no groups.
 */
static size_t
call_header(uint8_t *b, uint32_t rpcvers, uint32_t flavor, uint32_t credlen)
{
	put32(b, 0x1234);
	put32(b + 4, 0);
	put32(b + 8, rpcvers);
	put32(b + 12, NLM_PROG);
	put32(b + 16, 4);
	put32(b + 20, NLMPROC_LOCK);
	put32(b + 24, flavor);
	put32(b + 28, credlen);
	memset(b + 32, 0, 20);
	put32(b + 52, 0);	/* verifier: AUTH_NONE, empty */
	put32(b + 56, 0);
	return 60;
}


static void *
memdup(const void *p, size_t len)
{
	void *q = malloc(len);

	if (q != NULL)
		memcpy(q, p, len);
	return q;
}

/*
 * What the decoder did while each version had its own copy: rpcgen's
 * routine for the version's argument struct, then the fields taken over.
 * The one decoder of today must agree with it on every input.
 */
struct ref_req {
	int		 ok;
	int		 block, exclusive, reclaim, svid;
	uint64_t	 offset, length;
	nlm_netobj	 cookie, fh, oh;
	char		*caller_name;
};

static int
ref_decode(uint32_t vers, uint32_t proc, const uint8_t *buf, size_t len,
    struct ref_req *q)
{
	union {
		nlm_testargs	test;
		nlm_lockargs	lock;
		nlm_cancargs	canc;
		nlm_unlockargs	unlock;
		nlm4_testargs	test4;
		nlm4_lockargs	lock4;
		nlm4_cancargs	canc4;
		nlm4_unlockargs	unlock4;
	} a;
	xdrproc_t x;
	nlm_lock *l = NULL;
	nlm4_lock *l4 = NULL;
	XDR xdrs;
	int v4 = vers == 4;

	memset(&a, 0, sizeof(a));
	memset(q, 0, sizeof(*q));
	if (vers == 1 && proc == NLMPROC_NM_LOCK)
		return -2;
	switch (proc) {
	case NLMPROC_TEST:
	case NLMPROC_GRANTED:
		x = v4 ? (xdrproc_t)xdr_nlm4_testargs :
		    (xdrproc_t)xdr_nlm_testargs;
		break;
	case NLMPROC_LOCK:
	case NLMPROC_NM_LOCK:
		x = v4 ? (xdrproc_t)xdr_nlm4_lockargs :
		    (xdrproc_t)xdr_nlm_lockargs;
		break;
	case NLMPROC_CANCEL:
		x = v4 ? (xdrproc_t)xdr_nlm4_cancargs :
		    (xdrproc_t)xdr_nlm_cancargs;
		break;
	default:
		x = v4 ? (xdrproc_t)xdr_nlm4_unlockargs :
		    (xdrproc_t)xdr_nlm_unlockargs;
		break;
	}
	xdrmem_create(&xdrs, (char *)buf, (u_int)len, XDR_DECODE);
	q->ok = x(&xdrs, &a);
	xdr_destroy(&xdrs);
	if (q->ok) {
		switch (proc) {
		case NLMPROC_TEST:
		case NLMPROC_GRANTED:
			if (v4) {
				q->exclusive = a.test4.exclusive;
				q->cookie = a.test4.cookie;
				l4 = &a.test4.alock;
			} else {
				q->exclusive = a.test.exclusive;
				q->cookie = a.test.cookie;
				l = &a.test.alock;
			}
			break;
		case NLMPROC_LOCK:
		case NLMPROC_NM_LOCK:
			if (v4) {
				q->block = a.lock4.block;
				q->exclusive = a.lock4.exclusive;
				q->reclaim = a.lock4.reclaim;
				q->cookie = a.lock4.cookie;
				l4 = &a.lock4.alock;
			} else {
				q->block = a.lock.block;
				q->exclusive = a.lock.exclusive;
				q->reclaim = a.lock.reclaim;
				q->cookie = a.lock.cookie;
				l = &a.lock.alock;
			}
			break;
		case NLMPROC_CANCEL:
			if (v4) {
				q->block = a.canc4.block;
				q->exclusive = a.canc4.exclusive;
				q->cookie = a.canc4.cookie;
				l4 = &a.canc4.alock;
			} else {
				q->block = a.canc.block;
				q->exclusive = a.canc.exclusive;
				q->cookie = a.canc.cookie;
				l = &a.canc.alock;
			}
			break;
		default:
			if (v4) {
				q->cookie = a.unlock4.cookie;
				l4 = &a.unlock4.alock;
			} else {
				q->cookie = a.unlock.cookie;
				l = &a.unlock.alock;
			}
			break;
		}
		if (l4 != NULL) {
			q->caller_name = l4->caller_name;
			q->fh = l4->fh;
			q->oh = l4->oh;
			q->svid = l4->svid;
			q->offset = l4->l_offset;
			q->length = l4->l_len;
		} else {
			q->caller_name = l->caller_name;
			q->fh = l->fh;
			q->oh = l->oh;
			q->svid = l->uppid;
			q->offset = l->l_offset;
			q->length = l->l_len;
		}
	}
	/* Compare before freeing: the caller gets copies. */
	q->cookie.nlm_netobj_val = q->cookie.nlm_netobj_len ?
	    memdup(q->cookie.nlm_netobj_val, q->cookie.nlm_netobj_len) : NULL;
	q->fh.nlm_netobj_val = q->fh.nlm_netobj_len ?
	    memdup(q->fh.nlm_netobj_val, q->fh.nlm_netobj_len) : NULL;
	q->oh.nlm_netobj_val = q->oh.nlm_netobj_len ?
	    memdup(q->oh.nlm_netobj_val, q->oh.nlm_netobj_len) : NULL;
	q->caller_name = q->caller_name ? strdup(q->caller_name) : NULL;
	xdr_free(x, &a);
	return q->ok ? 0 : -1;
}

static int
netobj_same(const nlm_netobj *a, const nlm_netobj *b)
{
	return a->nlm_netobj_len == b->nlm_netobj_len &&
	    (a->nlm_netobj_len == 0 || memcmp(a->nlm_netobj_val,
	    b->nlm_netobj_val, a->nlm_netobj_len) == 0);
}

/* 1 if nlm_decode_request and the per-version copy agree on buf. */
static int
same_as_before(uint32_t vers, uint32_t proc, const uint8_t *buf, size_t len,
    int *accepted)
{
	struct ref_req q;
	struct nlm_req r;
	int rc, qrc, same;

	rc = nlm_decode_request(vers, proc, buf, len, &r);
	qrc = ref_decode(vers, proc, buf, len, &q);
	same = rc == qrc;
	if (same && rc == 0) {
		(*accepted)++;
		same = r.block == q.block && r.exclusive == q.exclusive &&
		    r.reclaim == q.reclaim && r.svid == q.svid &&
		    r.offset == q.offset && r.length == q.length &&
		    netobj_same(&r.cookie, &q.cookie) &&
		    netobj_same(&r.fh, &q.fh) && netobj_same(&r.oh, &q.oh) &&
		    r.caller_name != NULL && q.caller_name != NULL &&
		    strcmp(r.caller_name, q.caller_name) == 0;
	}
	if (rc == 0)
		nlm_req_free(&r);
	free(q.cookie.nlm_netobj_val);
	free(q.fh.nlm_netobj_val);
	free(q.oh.nlm_netobj_val);
	free(q.caller_name);
	return same;
}

static void
random_netobj(nlm_netobj *o, char *space, size_t max)
{
	size_t i;

	o->nlm_netobj_len = (u_int)((size_t)random() % (max + 1));
	for (i = 0; i < o->nlm_netobj_len; i++)
		space[i] = (char)random();
	o->nlm_netobj_val = space;
}

/* A valid encoding of a random argument struct of either width. */
static size_t
random_lockargs(uint8_t *buf, size_t len, int v4, uint32_t proc)
{
	static char cookie[16], fh[64], oh[32], name[24];
	nlm4_lockargs a4;
	nlm_lockargs a1;
	nlm4_lock *l4 = &a4.alock;
	nlm_lock *l1 = &a1.alock;
	size_t n, i;

	memset(&a4, 0, sizeof(a4));
	memset(&a1, 0, sizeof(a1));
	n = (size_t)random() % (sizeof(name) - 1);
	for (i = 0; i < n; i++)
		name[i] = (char)('a' + random() % 26);
	name[n] = '\0';
	random_netobj(&a4.cookie, cookie, sizeof(cookie));
	random_netobj(&l4->fh, fh, sizeof(fh));
	random_netobj(&l4->oh, oh, sizeof(oh));
	a4.block = (bool_t)(random() & 1);
	a4.exclusive = (bool_t)(random() & 1);
	a4.reclaim = (bool_t)(random() & 1);
	a4.state = (int)random();
	l4->caller_name = name;
	l4->svid = (int)random();
	l4->l_offset = (uint64_t)random() << 33 ^ (uint64_t)random();
	l4->l_len = (uint64_t)random() << 33 ^ (uint64_t)random();
	a1.cookie = a4.cookie;
	a1.block = a4.block;
	a1.exclusive = a4.exclusive;
	a1.reclaim = a4.reclaim;
	a1.state = a4.state;
	l1->caller_name = name;
	l1->fh = l4->fh;
	l1->oh = l4->oh;
	l1->uppid = l4->svid;
	l1->l_offset = (u_int)l4->l_offset;
	l1->l_len = (u_int)l4->l_len;
	if (!v4) {
		nlm_cancargs c = { a1.cookie, a1.block, a1.exclusive, a1.alock };
		nlm_testargs t = { a1.cookie, a1.exclusive, a1.alock };
		nlm_unlockargs u = { a1.cookie, a1.alock };

		return proc == NLMPROC_LOCK ? encode(
		    (xdrproc_t)xdr_nlm_lockargs, &a1, buf, len) :
		    proc == NLMPROC_CANCEL ? encode(
		    (xdrproc_t)xdr_nlm_cancargs, &c, buf, len) :
		    proc == NLMPROC_TEST ? encode(
		    (xdrproc_t)xdr_nlm_testargs, &t, buf, len) :
		    encode((xdrproc_t)xdr_nlm_unlockargs, &u, buf, len);
	} else {
		nlm4_cancargs c = { a4.cookie, a4.block, a4.exclusive,
		    a4.alock };
		nlm4_testargs t = { a4.cookie, a4.exclusive, a4.alock };
		nlm4_unlockargs u = { a4.cookie, a4.alock };

		return proc == NLMPROC_LOCK ? encode(
		    (xdrproc_t)xdr_nlm4_lockargs, &a4, buf, len) :
		    proc == NLMPROC_CANCEL ? encode(
		    (xdrproc_t)xdr_nlm4_cancargs, &c, buf, len) :
		    proc == NLMPROC_TEST ? encode(
		    (xdrproc_t)xdr_nlm4_testargs, &t, buf, len) :
		    encode((xdrproc_t)xdr_nlm4_unlockargs, &u, buf, len);
	}
}

int
main(void)
{
	uint8_t buf[8192], junk[4096];
	struct rpcmsg_call h;
	struct nlm_req r;
	nlm4_lockargs a4;
	nlm_lockargs a1;
	nlm_shareargs sa;
	char fh[32] = "0123456789abcdef0123456789abcdef", oh[] = "7@hostA";
	char cookie[] = "ck";
	char longname[LM_MAXSTRLEN + 2];
	size_t n, i;
	int bad, crashes_refused, rc;
	uint32_t xid, acc;
	size_t off;

	/* RPC call header. */
	n = call_header(buf, 2, 1, 20);
	tap_ok(rpcmsg_decode_call(buf, n, &h) == RPCMSG_OK && h.xid == 0x1234 &&
	    h.prog == NLM_PROG && h.vers == 4 && h.proc == NLMPROC_LOCK &&
	    h.args_off == 60, "a valid call header parses");
	bad = 0;
	for (i = 0; i < n; i++)
		if (rpcmsg_decode_call(buf, i, &h) == RPCMSG_OK)
			bad++;
	TAP_EQ_INT(bad, 0, "every truncation of the header is refused");
	call_header(buf, 3, 1, 20);
	tap_ok(rpcmsg_decode_call(buf, n, &h) == RPCMSG_RPC_MISMATCH,
	    "RPC version 3 gets RPC_MISMATCH");
	call_header(buf, 2, 1, 401);
	tap_ok(rpcmsg_decode_call(buf, n, &h) == RPCMSG_AUTH_BADCRED,
	    "a credential over 400 bytes is refused");
	call_header(buf, 2, 1, 0xfffffffcu);
	tap_ok(rpcmsg_decode_call(buf, n, &h) == RPCMSG_AUTH_BADCRED,
	    "a credential length of 4 GiB is refused");
	call_header(buf, 2, 6, 20);
	tap_ok(rpcmsg_decode_call(buf, n, &h) == RPCMSG_AUTH_BADCRED,
	    "an unknown auth flavor (RPCSEC_GSS) gets AUTH_BADCRED");
	call_header(buf, 2, 1, 20);
	put32(buf + 36, 9);	/* a machine name longer than the body */
	tap_ok(rpcmsg_decode_call(buf, n, &h) == RPCMSG_AUTH_BADCRED,
	    "an AUTH_SYS body that does not hold together is refused");
	call_header(buf, 2, 1, 20);
	put32(buf + 4, 1);
	tap_ok(rpcmsg_decode_call(buf, n, &h) == RPCMSG_NOT_CALL,
	    "a reply is not a call");
	/* Replies (the client side). */
	put32(buf, 77);
	put32(buf + 4, 1);
	put32(buf + 8, 0);
	put32(buf + 12, 0);
	put32(buf + 16, 0);
	put32(buf + 20, 0);
	tap_ok(rpcmsg_decode_reply(buf, 24, &xid, &acc, &off) == 0 && xid == 77 &&
	    acc == 0 && off == 24, "an accepted reply parses");
	put32(buf + 16, 0x7fffffff);
	tap_ok(rpcmsg_decode_reply(buf, 24, &xid, &acc, &off) == -1,
	    "a reply verifier longer than the message is refused");
	for (i = 0, bad = 0; i < 24; i++)
		if (rpcmsg_decode_reply(buf, i, &xid, &acc, &off) == 0 && i < 20)
			bad++;
	TAP_EQ_INT(bad, 0, "truncated replies are refused");

	/* NLM v4 LOCK. */
	memset(&a4, 0, sizeof(a4));
	a4.cookie.nlm_netobj_len = 2;
	a4.cookie.nlm_netobj_val = cookie;
	a4.block = 1;
	a4.exclusive = 1;
	a4.alock.caller_name = (char *)"hostA";
	a4.alock.fh.nlm_netobj_len = sizeof(fh);
	a4.alock.fh.nlm_netobj_val = fh;
	a4.alock.oh.nlm_netobj_len = (u_int)strlen(oh);
	a4.alock.oh.nlm_netobj_val = oh;
	a4.alock.svid = 7;
	a4.alock.l_offset = 1ULL << 40;
	a4.alock.l_len = 5;
	a4.reclaim = 1;
	n = encode((xdrproc_t)xdr_nlm4_lockargs, &a4, buf, sizeof(buf));
	rc = nlm_decode_request(4, NLMPROC_LOCK, buf, n, &r);
	tap_ok(rc == 0 && r.block && r.exclusive && r.reclaim && r.svid == 7 &&
	    r.offset == 1ULL << 40 && r.length == 5 &&
	    strcmp(r.caller_name, "hostA") == 0 &&
	    r.fh.nlm_netobj_len == sizeof(fh) && !r.msg,
	    "NLM4 LOCK decodes, 64-bit offset intact");
	nlm_req_free(&r);
	rc = nlm_decode_request(4, NLMPROC_LOCK_MSG, buf, n, &r);
	tap_ok(rc == 0 && r.msg && r.proc == NLMPROC_LOCK,
	    "LOCK_MSG decodes as LOCK, marked as a message");
	nlm_req_free(&r);
	for (i = 0, bad = 0; i < n; i++) {
		if (nlm_decode_request(4, NLMPROC_LOCK, buf, i, &r) == 0) {
			bad++;
			nlm_req_free(&r);
		}
	}
	TAP_EQ_INT(bad, 0, "every truncation of NLM4 LOCK is refused");
	/* A caller_name one byte over LM_MAXSTRLEN. */
	memset(longname, 'h', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	a4.alock.caller_name = longname;
	n = encode((xdrproc_t)xdr_nlm4_lockargs, &a4, buf, sizeof(buf));
	tap_ok(n == 0 || nlm_decode_request(4, NLMPROC_LOCK, buf, n, &r) == -1,
	    "a caller_name over %d bytes is refused", LM_MAXSTRLEN);
	/* Hand-made: cookie length 0xffffffff. */
	put32(buf, 0xffffffffu);
	memset(buf + 4, 0, 64);
	tap_ok(nlm_decode_request(4, NLMPROC_LOCK, buf, 68, &r) == -1,
	    "a netobj length of 4 GiB is refused without allocating");
	put32(buf, 1025);
	tap_ok(nlm_decode_request(4, NLMPROC_TEST, buf, 68, &r) == -1,
	    "a netobj one byte over MAXNETOBJ_SZ is refused");

	/* NLM v1 LOCK: 32-bit offsets. */
	memset(&a1, 0, sizeof(a1));
	a1.alock.caller_name = (char *)"hostB";
	a1.alock.fh.nlm_netobj_len = sizeof(fh);
	a1.alock.fh.nlm_netobj_val = fh;
	a1.alock.uppid = 9;
	a1.alock.l_offset = 0xffffffffu;
	a1.alock.l_len = 0;
	n = encode((xdrproc_t)xdr_nlm_lockargs, &a1, buf, sizeof(buf));
	rc = nlm_decode_request(1, NLMPROC_LOCK, buf, n, &r);
	tap_ok(rc == 0 && r.svid == 9 && r.offset == 0xffffffffu &&
	    r.length == 0, "NLM v1 LOCK decodes");
	nlm_req_free(&r);
	tap_ok(nlm_decode_request(1, NLMPROC_NM_LOCK, buf, n, &r) == -2,
	    "NLM v1 has no NM_LOCK");
	/* A v1 range that runs past 2^32 is passed on whole, not wrapped. */
	a1.alock.l_offset = 0xfffffff0u;
	a1.alock.l_len = 0x20;
	n = encode((xdrproc_t)xdr_nlm_lockargs, &a1, buf, sizeof(buf));
	rc = nlm_decode_request(3, NLMPROC_LOCK, buf, n, &r);
	tap_ok(rc == 0 && r.offset == 0xfffffff0u && r.length == 0x20,
	    "a v3 range past 2^32 keeps its 32-bit offset and length");
	if (rc == 0)
		nlm_req_free(&r);

	/*
	 * The one decoder against the copies it replaced: valid arguments
	 * of every shape in both widths, their mutations and truncations,
	 * read as every lock procedure of every version.
	 */
	{
		static const uint32_t procs[] = { NLMPROC_TEST,
		    NLMPROC_LOCK, NLMPROC_CANCEL, NLMPROC_UNLOCK,
		    NLMPROC_GRANTED, NLMPROC_NM_LOCK };
		static const uint32_t versions[] = { 1, 3, 4 };
		int differ = 0, accepted = 0, valid_accepted = 0;
		size_t p, v, k;

		srandom(22);
		for (i = 0; i < 3000; i++) {
			int v4 = (int)(random() & 1);
			uint32_t shape = procs[random() % 4];

			n = random_lockargs(buf, sizeof(buf), v4, shape);
			if (!same_as_before(v4 ? 4 : 3, shape, buf, n,
			    &valid_accepted))
				differ++;
			if (i % 3 == 1)
				for (k = (size_t)random() % 4 + 1; k > 0; k--)
					buf[(size_t)random() % n] =
					    (uint8_t)random();
			if (i % 3 == 2)
				n = (size_t)random() % n;
			for (v = 0; v < 3; v++)
				for (p = 0; p < 6; p++)
					if (!same_as_before(versions[v],
					    procs[p], buf, n, &accepted))
						differ++;
		}
		TAP_EQ_INT(differ, 0, "the one decoder agrees with the "
		    "per-version copies on 3000 inputs x 18 procedures");
		TAP_EQ_INT(valid_accepted, 3000,
		    "every valid v3 and v4 argument struct decodes");
		tap_ok(accepted > 3000, "%d of the mixed inputs decode too",
		    accepted);
	}

	tap_ok(nlm_decode_request(2, NLMPROC_LOCK, buf, n, &r) == -2,
	    "NLM v2 is not served");
	tap_ok(nlm_decode_request(4, 17, buf, n, &r) == -2,
	    "procedure 17 is unavailable");
	tap_ok(nlm_decode_request(4, 0xffffffffu, buf, n, &r) == -2,
	    "procedure 2^32-1 is unavailable");

	/* SHARE: the enums are checked. */
	memset(&sa, 0, sizeof(sa));
	sa.share.caller_name = (char *)"hostA";
	sa.share.fh.nlm_netobj_len = sizeof(fh);
	sa.share.fh.nlm_netobj_val = fh;
	sa.share.mode = fsm_DW;
	sa.share.access = fsa_RW;
	n = encode((xdrproc_t)xdr_nlm_shareargs, &sa, buf, sizeof(buf));
	rc = nlm_decode_request(3, NLMPROC_SHARE, buf, n, &r);
	tap_ok(rc == 0 && r.share_access == 3 && r.share_deny == 2,
	    "SHARE rw deny-write decodes to access 3, deny 2");
	nlm_req_free(&r);
	tap_ok(nlm_decode_request(1, NLMPROC_SHARE, buf, n, &r) == -2,
	    "NLM v1 has no SHARE");
	sa.share.mode = (fsh_mode)7;
	n = encode((xdrproc_t)xdr_nlm_shareargs, &sa, buf, sizeof(buf));
	tap_ok(n == 0 || nlm_decode_request(4, NLMPROC_SHARE, buf, n, &r) ==
	    -1, "a share mode of 7 is refused");

	/* Random garbage into every procedure of every version. */
	srandom(5);
	crashes_refused = 0;
	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)random() % sizeof(junk);
		uint32_t proc = (uint32_t)random() % 25;
		uint32_t vers = (uint32_t)(random() % 5);
		size_t j;

		for (j = 0; j < len; j++)
			junk[j] = (uint8_t)random();
		/* Small lengths now and then, to reach deeper fields. */
		if (len >= 8 && (i & 1)) {
			put32(junk, (uint32_t)random() % 8);
			put32(junk + 4, (uint32_t)random() % 2);
		}
		rc = nlm_decode_request(vers, proc, junk, len, &r);
		if (rc == 0)
			nlm_req_free(&r);
		else
			crashes_refused++;
		(void)rpcmsg_decode_call(junk, len, &h);
	}
	tap_ok(crashes_refused > 0, "20000 random messages: no crash, %d "
	    "refused", crashes_refused);

	/* The status table. */
	tap_ok(nlm_status_from_stated(4, ST_DEADLOCK) == NLM4_DEADLCK &&
	    nlm_status_from_stated(3, ST_DEADLOCK) == LCK_DENIED,
	    "deadlock: NLM4_DEADLCK in v4, LCK_DENIED before");
	tap_ok(nlm_status_from_stated(4, ST_GRACE) == LCK_DENIED_GRACE_PERIOD &&
	    nlm_status_from_stated(1, ST_NO_GRACE) == LCK_DENIED_GRACE_PERIOD,
	    "grace refusals map to LCK_DENIED_GRACE_PERIOD");
	tap_ok(nlm_status_from_stated(4, ST_RANGE) == NLM4_FBIG &&
	    nlm_status_from_stated(3, ST_RANGE) == LCK_DENIED,
	    "range: NLM4_FBIG in v4");
	tap_ok(nlm_status_from_stated(4, ST_NOMEM) == LCK_DENIED_NOLOCKS &&
	    nlm_status_from_stated(4, ST_NOT_KNOWN) == LCK_DENIED,
	    "out of memory: DENIED_NOLOCKS; unknown reclaimer: DENIED");
	return tap_done();
}
