/*
 * lockd's one encoder and decoder of each NLM shape (lockd/nlm.c),
 * driven by the version: GRANTED's arguments (nlm_testargs, nlm4_testargs)
 * and TEST's result (nlm_testres, nlm4_testres), round trip against the
 * rpcgen routines of each version's own struct, both ways.  A field of
 * the wrong width in one version (a 64-bit offset in v1, a 32-bit one
 * in v4) shows as a decode that fails, reads other values or stops at
 * another position.  Also the holder's clamp for 32-bit clients and the
 * status set of each version.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockd.h"
#include "tap.h"

static char fh[] = "0123456789abcdef0123456789abcdef";
static char oh[] = "7@client";
static char cookie[] = "ck01";

static int
netobj_is(const nlm_netobj *o, const char *want, size_t len)
{
	return o->nlm_netobj_len == len && (len == 0 ||
	    memcmp(o->nlm_netobj_val, want, len) == 0);
}

/* Encode obj with proc; the length, or 0 if it does not encode. */
static size_t
encode(xdrproc_t proc, void *obj, uint8_t *buf, size_t len)
{
	XDR x;
	size_t n;

	xdrmem_create(&x, (char *)buf, (u_int)len, XDR_ENCODE);
	n = proc(&x, obj) ? xdr_getpos(&x) : 0;
	xdr_destroy(&x);
	return n;
}

/* Decode buf[0..len) with proc; 1 if it decodes and uses all of it. */
static int
decode_all(xdrproc_t proc, void *obj, const uint8_t *buf, size_t len)
{
	XDR x;
	int ok;

	xdrmem_create(&x, (char *)buf, (u_int)len, XDR_DECODE);
	ok = proc(&x, obj) && xdr_getpos(&x) == len;
	xdr_destroy(&x);
	return ok;
}

static void
fill_req(struct nlm_req *r, uint64_t off, uint64_t len)
{
	memset(r, 0, sizeof(*r));
	r->cookie.nlm_netobj_len = 4;
	r->cookie.nlm_netobj_val = cookie;
	r->exclusive = 1;
	r->caller_name = (char *)"server";
	r->fh.nlm_netobj_len = sizeof(fh) - 1;
	r->fh.nlm_netobj_val = fh;
	r->oh.nlm_netobj_len = sizeof(oh) - 1;
	r->oh.nlm_netobj_val = oh;
	r->svid = 7;
	r->offset = off;
	r->length = len;
}

/* GRANTED's arguments of version vers: ours -> rpcgen, rpcgen -> ours. */
static void
granted_round_trip(uint32_t vers, uint64_t off, uint64_t len)
{
	struct nlm_lockargs_xdr a;
	struct nlm_req r, back;
	nlm_testargs t1;
	nlm4_testargs t4;
	uint8_t buf[2048];
	size_t n;
	int ok;

	fill_req(&r, off, len);
	a.vers = vers;
	a.proc = NLMPROC_GRANTED;
	a.req = &r;
	n = encode((xdrproc_t)nlm_xdr_lockargs_of, &a, buf, sizeof(buf));
	memset(&t1, 0, sizeof(t1));
	memset(&t4, 0, sizeof(t4));
	if (vers == NLM4_VERS) {
		ok = n > 0 && decode_all((xdrproc_t)xdr_nlm4_testargs, &t4,
		    buf, n) && t4.exclusive && t4.alock.svid == 7 &&
		    t4.alock.l_offset == off && t4.alock.l_len == len &&
		    strcmp(t4.alock.caller_name, "server") == 0 &&
		    netobj_is(&t4.cookie, cookie, 4) &&
		    netobj_is(&t4.alock.fh, fh, sizeof(fh) - 1) &&
		    netobj_is(&t4.alock.oh, oh, sizeof(oh) - 1);
		xdr_free((xdrproc_t)xdr_nlm4_testargs, &t4);
	} else {
		ok = n > 0 && decode_all((xdrproc_t)xdr_nlm_testargs, &t1,
		    buf, n) && t1.exclusive && t1.alock.uppid == 7 &&
		    t1.alock.l_offset == off && t1.alock.l_len == len &&
		    strcmp(t1.alock.caller_name, "server") == 0 &&
		    netobj_is(&t1.cookie, cookie, 4) &&
		    netobj_is(&t1.alock.fh, fh, sizeof(fh) - 1) &&
		    netobj_is(&t1.alock.oh, oh, sizeof(oh) - 1);
		xdr_free((xdrproc_t)xdr_nlm_testargs, &t1);
	}
	tap_ok(ok, "v%u GRANTED arguments (%llu, %llu): ours read back by "
	    "rpcgen's %s, %zu bytes", vers, (unsigned long long)off,
	    (unsigned long long)len, vers == NLM4_VERS ? "nlm4_testargs" :
	    "nlm_testargs", n);

	/* rpcgen's encoding read by ours. */
	if (vers == NLM4_VERS) {
		t4.cookie = r.cookie;
		t4.exclusive = 1;
		t4.alock.caller_name = r.caller_name;
		t4.alock.fh = r.fh;
		t4.alock.oh = r.oh;
		t4.alock.svid = 7;
		t4.alock.l_offset = off;
		t4.alock.l_len = len;
		n = encode((xdrproc_t)xdr_nlm4_testargs, &t4, buf, sizeof(buf));
	} else {
		t1.cookie = r.cookie;
		t1.exclusive = 1;
		t1.alock.caller_name = r.caller_name;
		t1.alock.fh = r.fh;
		t1.alock.oh = r.oh;
		t1.alock.uppid = 7;
		t1.alock.l_offset = (u_int)off;
		t1.alock.l_len = (u_int)len;
		n = encode((xdrproc_t)xdr_nlm_testargs, &t1, buf, sizeof(buf));
	}
	memset(&back, 0, sizeof(back));
	a.req = &back;
	ok = n > 0 && decode_all((xdrproc_t)nlm_xdr_lockargs_of, &a, buf, n) &&
	    back.exclusive && back.svid == 7 && back.offset == off &&
	    back.length == len && back.caller_name != NULL &&
	    strcmp(back.caller_name, "server") == 0 &&
	    netobj_is(&back.cookie, cookie, 4) &&
	    netobj_is(&back.fh, fh, sizeof(fh) - 1) &&
	    netobj_is(&back.oh, oh, sizeof(oh) - 1);
	xdr_free((xdrproc_t)nlm_xdr_lockargs_of, &a);
	tap_ok(ok, "v%u GRANTED arguments: rpcgen's read back by ours", vers);
}

/* TEST's result of version vers, with a holder or without. */
static void
testres_round_trip(uint32_t vers, uint32_t stat, uint64_t off, uint64_t len)
{
	struct nlm_testres_xdr t, back;
	nlm_testres r1;
	nlm4_testres r4;
	uint8_t buf[2048];
	size_t n;
	int ok, denied = stat == LCK_DENIED;

	memset(&t, 0, sizeof(t));
	t.vers = vers;
	t.cookie.nlm_netobj_len = 4;
	t.cookie.nlm_netobj_val = cookie;
	t.stat = stat;
	t.exclusive = 1;
	t.svid = 9;
	t.oh.nlm_netobj_len = sizeof(oh) - 1;
	t.oh.nlm_netobj_val = oh;
	t.offset = off;
	t.length = len;
	n = encode((xdrproc_t)nlm_xdr_testres_of, &t, buf, sizeof(buf));
	memset(&r1, 0, sizeof(r1));
	memset(&r4, 0, sizeof(r4));
	if (vers == NLM4_VERS) {
		nlm4_holder *h = &r4.test_stat.nlm4_testrply_u.holder;

		ok = n > 0 && decode_all((xdrproc_t)xdr_nlm4_testres, &r4,
		    buf, n) && (uint32_t)r4.test_stat.stat == stat &&
		    netobj_is(&r4.cookie, cookie, 4) && (!denied ||
		    (h->exclusive && h->svid == 9 && h->l_offset == off &&
		    h->l_len == len && netobj_is(&h->oh, oh, sizeof(oh) - 1)));
		xdr_free((xdrproc_t)xdr_nlm4_testres, &r4);
	} else {
		nlm_holder *h = &r1.test_stat.nlm_testrply_u.holder;

		ok = n > 0 && decode_all((xdrproc_t)xdr_nlm_testres, &r1,
		    buf, n) && (uint32_t)r1.test_stat.stat == stat &&
		    netobj_is(&r1.cookie, cookie, 4) && (!denied ||
		    (h->exclusive && h->uppid == 9 && h->l_offset == off &&
		    h->l_len == len && netobj_is(&h->oh, oh, sizeof(oh) - 1)));
		xdr_free((xdrproc_t)xdr_nlm_testres, &r1);
	}
	tap_ok(ok, "v%u TEST result %u: ours read back by rpcgen's %s, %zu "
	    "bytes", vers, stat, vers == NLM4_VERS ? "nlm4_testres" :
	    "nlm_testres", n);

	if (vers == NLM4_VERS) {
		nlm4_holder *h = &r4.test_stat.nlm4_testrply_u.holder;

		r4.cookie = t.cookie;
		r4.test_stat.stat = (nlm_stats)stat;
		h->exclusive = 1;
		h->svid = 9;
		h->oh = t.oh;
		h->l_offset = off;
		h->l_len = len;
		n = encode((xdrproc_t)xdr_nlm4_testres, &r4, buf, sizeof(buf));
	} else {
		nlm_holder *h = &r1.test_stat.nlm_testrply_u.holder;

		r1.cookie = t.cookie;
		r1.test_stat.stat = (nlm_stats)stat;
		h->exclusive = 1;
		h->uppid = 9;
		h->oh = t.oh;
		h->l_offset = (u_int)off;
		h->l_len = (u_int)len;
		n = encode((xdrproc_t)xdr_nlm_testres, &r1, buf, sizeof(buf));
	}
	memset(&back, 0, sizeof(back));
	back.vers = vers;
	ok = n > 0 && decode_all((xdrproc_t)nlm_xdr_testres_of, &back, buf,
	    n) && back.stat == stat && netobj_is(&back.cookie, cookie, 4) &&
	    (!denied || (back.exclusive && back.svid == 9 &&
	    back.offset == off && back.length == len &&
	    netobj_is(&back.oh, oh, sizeof(oh) - 1)));
	xdr_free((xdrproc_t)nlm_xdr_testres_of, &back);
	tap_ok(ok, "v%u TEST result %u: rpcgen's read back by ours", vers,
	    stat);
}

int
main(void)
{
	static const uint32_t versions[] = { NLM_VERS, NLM_VERSX, NLM4_VERS };
	struct nlm_lockargs_xdr a;
	struct nlm_testres_xdr t;
	struct nlm_req r;
	uint8_t buf[2048];
	uint64_t off, len;
	size_t i;

	for (i = 0; i < 3; i++) {
		/* Values that use all of a 32-bit field. */
		granted_round_trip(versions[i], 0xfffffff0u, 0x0fedcba9u);
		granted_round_trip(versions[i], 0, 0);
		testres_round_trip(versions[i], LCK_DENIED, 0xfffffff0u, 16);
		testres_round_trip(versions[i], LCK_GRANTED, 0, 0);
		testres_round_trip(versions[i], LCK_DENIED_GRACE_PERIOD, 0, 0);
	}
	/* And all of a 64-bit one in v4. */
	granted_round_trip(NLM4_VERS, 1ULL << 40, 0xffffffff00000001ULL);
	testres_round_trip(NLM4_VERS, LCK_DENIED, 1ULL << 40, 1ULL << 33);

	/* A range v1 and v3 cannot carry does not encode as something else. */
	fill_req(&r, 1ULL << 32, 1);
	a.vers = NLM_VERSX;
	a.proc = NLMPROC_GRANTED;
	a.req = &r;
	tap_ok(encode((xdrproc_t)nlm_xdr_lockargs_of, &a, buf, sizeof(buf)) ==
	    0, "v3: an offset of 2^32 does not encode");
	memset(&t, 0, sizeof(t));
	t.vers = NLM_VERS;
	t.stat = LCK_DENIED;
	t.length = 1ULL << 32;
	tap_ok(encode((xdrproc_t)nlm_xdr_testres_of, &t, buf, sizeof(buf)) ==
	    0, "v1: a holder's length of 2^32 does not encode");
	a.vers = 2;
	tap_ok(encode((xdrproc_t)nlm_xdr_lockargs_of, &a, buf, sizeof(buf)) ==
	    0, "version 2 has no encoding");

	/* The holder as a 32-bit client can read it. */
	off = 1ULL << 33;
	len = 10;
	nlm_holder_fit(NLM_VERSX, &off, &len);
	tap_ok(off == UINT32_MAX && len == 0,
	    "v3: a holder beyond 2^32 reads as its last byte, to the end");
	off = 0xfffffff0u;
	len = 0x20;
	nlm_holder_fit(NLM_VERS, &off, &len);
	tap_ok(off == 0xfffffff0u && len == 0,
	    "v1: a holder running past 2^32 reads as to the end");
	off = UINT64_MAX;
	len = 2;
	nlm_holder_fit(NLM_VERSX, &off, &len);
	tap_ok(off == UINT32_MAX && len == 0,
	    "v3: a holder whose end wraps past 2^64 reads as to the end");
	off = 100;
	len = 10;
	nlm_holder_fit(NLM_VERS, &off, &len);
	tap_ok(off == 100 && len == 10, "v1: a holder within 2^32 is kept");
	off = 1ULL << 33;
	len = 1ULL << 40;
	nlm_holder_fit(NLM4_VERS, &off, &len);
	tap_ok(off == 1ULL << 33 && len == 1ULL << 40,
	    "v4: a 64-bit holder is kept");

	/* The status set of each version. */
	tap_ok(nlm_status_from_stated(NLM4_VERS, ST_DEADLOCK) == NLM4_DEADLCK &&
	    nlm_status_from_stated(NLM_VERSX, ST_DEADLOCK) == LCK_DENIED &&
	    nlm_status_from_stated(NLM_VERS, ST_DEADLOCK) == LCK_DENIED,
	    "a deadlock: NLM4_DEADLCK in v4, LCK_DENIED before");
	tap_ok(nlm_status_from_stated(NLM4_VERS, ST_RANGE) == NLM4_FBIG &&
	    nlm_status_from_stated(NLM_VERSX, ST_RANGE) == LCK_DENIED,
	    "a range too big: NLM4_FBIG in v4, LCK_DENIED before");
	tap_ok(nlm_status_from_stated(NLM4_VERS, ST_LIMIT) ==
	    LCK_DENIED_NOLOCKS && nlm_status_from_stated(NLM_VERS,
	    ST_LIMIT) == LCK_DENIED_NOLOCKS,
	    "a limit: NLM4_DENIED_NOLOCKS, LCK_DENIED_NOLOCKS before");
	for (i = 0; i < 3; i++)
		if (nlm_status_from_stated(versions[i], ST_BLOCKED) !=
		    LCK_BLOCKED || nlm_status_from_stated(versions[i],
		    ST_GRACE) != LCK_DENIED_GRACE_PERIOD)
			break;
	TAP_EQ_INT((int)i, 3, "BLOCKED and GRACE are the same in every "
	    "version");
	return tap_done();
}
