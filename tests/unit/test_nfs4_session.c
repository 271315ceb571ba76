/*
 * NFSv4.1 in nfsd's pure layer: the sessions' mirror (nfsd/v4/session.c:
 * SEQUENCE's slot checks, replies kept, LOAD, the LRU bound, drops) and
 * the 4.1 ops on the wire (nfsd/v4/xdr41.c, xdr.c's minor versions),
 * the callback security offers.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "nfs4.h"
#include "tap.h"

static void
sid_of(uint8_t id[NFS41_SESSIONID_SIZE], int n)
{
	memset(id, 0, NFS41_SESSIONID_SIZE);
	id[0] = (uint8_t)n;
	id[15] = 0xa5;
}

static void
test_slots(void)
{
	struct nfs41_mirror *m = nfs41_mirror_new(4);
	struct nfs41_session *s;
	uint8_t id[NFS41_SESSIONID_SIZE], d1[NFS41_DIGEST_SIZE],
	    d2[NFS41_DIGEST_SIZE];
	const uint8_t req1[] = "compound one", req2[] = "compound two";
	const uint8_t reply[] = "the reply....";
	size_t bytes;

	sid_of(id, 1);
	nfs41_digest(req1, sizeof(req1), d1);
	nfs41_digest(req2, sizeof(req2), d2);
	tap_ok(memcmp(d1, d2, sizeof(d1)) != 0, "two requests, two digests");
	{
		static uint8_t big1[1 << 20], big2[1 << 20];
		uint8_t e1[NFS41_DIGEST_SIZE], e2[NFS41_DIGEST_SIZE];

		memset(big1, 'w', sizeof(big1));
		memcpy(big2, big1, sizeof(big2));
		big2[100] = 'x';	/* another offset in the header */
		nfs41_digest(big1, sizeof(big1), e1);
		nfs41_digest(big2, sizeof(big2), e2);
		tap_ok(memcmp(e1, e2, sizeof(e1)) != 0, "1 MiB WRITEs whose "
		    "headers differ: two digests");
		big2[100] = 'w';
		big2[sizeof(big2) - 1] = 'x';
		nfs41_digest(big2, sizeof(big2), e2);
		tap_ok(memcmp(e1, e2, sizeof(e1)) != 0, "... whose last bytes "
		    "differ: two digests");
		big2[sizeof(big2) - 1] = 'w';
		nfs41_digest(big2, sizeof(big2) - 4, e2);
		tap_ok(memcmp(e1, e2, sizeof(e1)) != 0, "... of other lengths: "
		    "two digests");
	}
	s = nfs41_mirror_add(m, id, 0x8000000100000001ULL, 4);
	tap_ok(s != NULL && s->nslots == 4, "a session of 4 slots");
	tap_ok(nfs41_mirror_get(m, id) == s, "found by its id");
	tap_ok(nfs41_slot_check(s, 4, 1, d1, sizeof(d1)) ==
	    NFS41_SLOT_BADSLOT, "slot 4 of 4: BADSLOT");
	tap_ok(nfs41_slot_check(s, 0, 2, d1, sizeof(d1)) ==
	    NFS41_SLOT_MISORDERED, "a new slot starts at sequence id 1");
	tap_ok(nfs41_slot_check(s, 0, 0, d1, sizeof(d1)) ==
	    NFS41_SLOT_MISORDERED, "sequence id 0 of an unused slot: "
	    "misordered, not a retry");
	tap_ok(nfs41_slot_check(s, 0, 1, d1, sizeof(d1)) == NFS41_SLOT_NEW,
	    "sequence id 1: new");
	nfs41_slot_begin(s, 0, 1, d1, sizeof(d1));
	tap_ok(nfs41_slot_check(s, 0, 1, d1, sizeof(d1)) == NFS41_SLOT_BUSY,
	    "its retry while it runs: busy (DELAY)");
	tap_ok(nfs41_slot_check(s, 0, 2, d1, sizeof(d1)) == NFS41_SLOT_BUSY,
	    "the next while it runs: busy");
	tap_ok(nfs41_slot_done(s, 0, 1, 1, reply, sizeof(reply)) == 0,
	    "done, reply kept");
	tap_ok(nfs41_slot_check(s, 0, 1, d1, sizeof(d1)) == NFS41_SLOT_REPLAY &&
	    s->slots[0].reply_len == sizeof(reply) &&
	    memcmp(s->slots[0].reply, reply, sizeof(reply)) == 0,
	    "a retry: the kept reply, byte for byte");
	tap_ok(nfs41_slot_check(s, 0, 1, d2, sizeof(d2)) ==
	    NFS41_SLOT_FALSE_RETRY, "another request on the same slot and "
	    "sequence id: false retry");
	nfs41_mirror_count(m, &bytes);
	tap_ok(bytes == sizeof(reply), "the mirror counts the kept bytes");
	tap_ok(nfs41_slot_check(s, 0, 3, d1, sizeof(d1)) ==
	    NFS41_SLOT_MISORDERED, "two ahead: misordered");
	nfs41_slot_begin(s, 0, 2, d2, sizeof(d2));
	tap_ok(nfs41_slot_done(s, 0, 2, 0, reply, sizeof(reply)) == 0,
	    "the next done, not cached");
	tap_ok(nfs41_slot_check(s, 0, 2, d2, sizeof(d2)) ==
	    NFS41_SLOT_UNCACHED && s->slots[0].reply == NULL,
	    "its retry: uncached (and the older reply is gone)");
	nfs41_mirror_count(m, &bytes);
	tap_ok(bytes == 0, "no bytes kept now");
	tap_ok(nfs41_slot_check(s, 0, 1, d1, sizeof(d1)) ==
	    NFS41_SLOT_MISORDERED, "the sequence id before: misordered");
	/* Sequence ids wrap. */
	tap_ok(nfs41_slot_load(s, 1, UINT32_MAX, 0, d1, sizeof(d1), NULL,
	    0) == 0 && nfs41_slot_check(s, 1, 0, d2, sizeof(d2)) ==
	    NFS41_SLOT_NEW, "after 0xffffffff comes 0");
	tap_ok(nfs41_slot_load(s, 9, 1, 0, d1, sizeof(d1), NULL, 0) == -1,
	    "LOAD of a slot past the table: refused");
	tap_ok(nfs41_slot_load(s, 2, 5, 1, d1, sizeof(d1), reply,
	    sizeof(reply)) == 0 && nfs41_slot_check(s, 2, 5, d1, sizeof(d1)) ==
	    NFS41_SLOT_REPLAY, "a loaded slot answers its retry");
	tap_ok(nfs41_slot_load(s, 3, 5, 1, NULL, 0, reply, sizeof(reply)) ==
	    0 && nfs41_slot_check(s, 3, 5, d2, sizeof(d2)) ==
	    NFS41_SLOT_REPLAY, "no digest kept: a retry is taken as one");
	/* A reload raced a COMPOUND: done of the next id still lands. */
	tap_ok(nfs41_slot_load(s, 2, 5, 0, d1, sizeof(d1), NULL, 0) == 0 &&
	    nfs41_slot_done(s, 2, 6, 1, reply, sizeof(reply)) == 0 &&
	    s->slots[2].seqid == 6, "done of the id after a loaded one");
	tap_ok(nfs41_slot_done(s, 2, 9, 0, NULL, 0) == -1,
	    "done of a far sequence id: refused");
	/* RFC 8881 2.10.6.1: slots given back, not while one runs. */
	nfs41_slot_begin(s, 3, 6, d1, sizeof(d1));
	tap_ok(nfs41_slots_shrink(s, 2) == 0 && s->nslots == 4,
	    "shrink while slot 3 runs: not now");
	tap_ok(nfs41_slot_done(s, 3, 6, 0, NULL, 0) == 0 &&
	    nfs41_slots_shrink(s, 2) == 1 && s->nslots == 2 &&
	    nfs41_slot_check(s, 2, 6, d1, sizeof(d1)) == NFS41_SLOT_BADSLOT,
	    "then to 2 slots: slot 2 is BADSLOT");
	tap_ok(nfs41_slots_shrink(s, 4) == 0 && nfs41_slots_shrink(s, 0) ==
	    0 && s->nslots == 2, "to more, or to none: no change");
	nfs41_mirror_drop(m, id);
	tap_ok(nfs41_mirror_get(m, id) == NULL, "dropped");
	nfs41_mirror_free(m);
}

static void
test_lru(void)
{
	struct nfs41_mirror *m = nfs41_mirror_new(2);
	uint8_t a[NFS41_SESSIONID_SIZE], b[NFS41_SESSIONID_SIZE],
	    c[NFS41_SESSIONID_SIZE];

	sid_of(a, 1);
	sid_of(b, 2);
	sid_of(c, 3);
	tap_ok(nfs41_mirror_add(m, a, 10, 1) != NULL &&
	    nfs41_mirror_add(m, b, 20, 1) != NULL, "two sessions");
	(void)nfs41_mirror_get(m, a);
	tap_ok(nfs41_mirror_add(m, c, 10, 1) != NULL &&
	    nfs41_mirror_count(m, NULL) == 2, "a third: still two");
	tap_ok(nfs41_mirror_get(m, b) == NULL && nfs41_mirror_get(m, a) !=
	    NULL, "the least recently used went");
	tap_ok(nfs41_mirror_add(m, a, 10, 0) == NULL, "no slots: refused");
	tap_ok(nfs41_mirror_drop_client(m, 10) == 2 &&
	    nfs41_mirror_count(m, NULL) == 0, "a client's sessions dropped");
	tap_ok(nfs41_mirror_add(m, a, 10, 2) != NULL, "again");
	nfs41_mirror_drop_all(m);
	tap_ok(nfs41_mirror_count(m, NULL) == 0, "all dropped");
	nfs41_mirror_free(m);
}

/* A COMPOUND4args of minor version minor with the ops' bytes. */
static size_t
compound(uint8_t *buf, uint32_t minor, uint32_t nops, const uint8_t *ops,
    size_t len)
{
	struct xdrbuf_out o;
	size_t n;

	xdrbuf_out_init(&o);
	xdrbuf_put_opaque(&o, "t", 1);
	xdrbuf_put_u32(&o, minor);
	xdrbuf_put_u32(&o, nops);
	xdrbuf_put_fixed(&o, ops, len);
	n = o.len;
	memcpy(buf, o.buf, n);
	xdrbuf_out_free(&o);
	return n;
}

/* RFC 8881 18.39: GET_DIR_DELEGATION's arguments and results. */
static void
test_gdd(void)
{
	struct nfs4_compound_out co;
	struct xdrbuf_out o;
	struct xdrbuf_in x;
	struct nfs4_op op;
	struct nfs4_res res;
	size_t n;

	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, OP_GET_DIR_DELEGATION);
	xdrbuf_put_u32(&o, 1);			/* signal_deleg_avail */
	xdrbuf_put_u32(&o, 1);			/* notification types */
	xdrbuf_put_u32(&o, 1u << NOTIFY4_ADD_ENTRY |
	    1u << NOTIFY4_CHANGE_CHILD_ATTRS);
	xdrbuf_put_u64(&o, 5);			/* child attr delay */
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_u64(&o, 6);			/* dir attr delay */
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_u32(&o, 1);			/* child attributes */
	xdrbuf_put_u32(&o, 1u << 3);
	xdrbuf_put_u32(&o, 0);			/* dir attributes */
	xdrbuf_in_init(&x, o.buf, o.len);
	tap_ok(nfs4_decode_op_minor(&x, &op, 1) == NFS4_OK &&
	    op.opnum == OP_GET_DIR_DELEGATION &&
	    op.u.get_dir_delegation.signal == 1 &&
	    op.u.get_dir_delegation.types.w[0] == (1u << NOTIFY4_ADD_ENTRY |
	    1u << NOTIFY4_CHANGE_CHILD_ATTRS) &&
	    op.u.get_dir_delegation.child_attrs.w[0] == 1u << 3 &&
	    xdrbuf_in_left(&x) == 0, "GET_DIR_DELEGATION4args decoded");
	for (n = 4; n < o.len; n++) {
		xdrbuf_in_init(&x, o.buf, n);
		if (nfs4_decode_op_minor(&x, &op, 1) != NFS4ERR_BADXDR)
			break;
	}
	tap_ok(n == o.len, "GET_DIR_DELEGATION cut anywhere: BADXDR");
	xdrbuf_out_free(&o);

	/* GDD4_OK: verifier, stateid, the mask granted, two empty bitmaps. */
	xdrbuf_out_init(&o);
	memset(&res, 0, sizeof(res));
	res.opnum = OP_GET_DIR_DELEGATION;
	res.u.get_dir_delegation.status = GDD4_OK;
	memcpy(res.u.get_dir_delegation.verf, "cookieve", 8);
	res.u.get_dir_delegation.stateid.seqid = 1;
	memset(res.u.get_dir_delegation.stateid.other, 0x33, NFS4_OTHER_SIZE);
	res.u.get_dir_delegation.notification = 1u << NOTIFY4_ADD_ENTRY;
	nfs4_compound_out_begin(&co, &o, NULL);
	nfs4_encode_resop(&co, &res);
	/* GDD4_UNAVAIL: will_signal_deleg_avail false. */
	memset(&res.u, 0, sizeof(res.u));
	res.u.get_dir_delegation.status = GDD4_UNAVAIL;
	nfs4_encode_resop(&co, &res);
	nfs4_compound_out_end(&co, NFS4_OK);
	tap_ok(o.len == 12 + (8 + 4 + 8 + 16 + 8 + 8) + (8 + 4 + 4) &&
	    xdrbuf_peek_u32(o.buf + 12) == OP_GET_DIR_DELEGATION &&
	    xdrbuf_peek_u32(o.buf + 16) == NFS4_OK &&
	    xdrbuf_peek_u32(o.buf + 20) == GDD4_OK &&
	    memcmp(o.buf + 24, "cookieve", 8) == 0 &&
	    xdrbuf_peek_u32(o.buf + 32) == 1 &&
	    xdrbuf_peek_u32(o.buf + 48) == 1 &&
	    xdrbuf_peek_u32(o.buf + 52) == 1u << NOTIFY4_ADD_ENTRY &&
	    xdrbuf_peek_u32(o.buf + 56) == 0 &&
	    xdrbuf_peek_u32(o.buf + 60) == 0,
	    "GET_DIR_DELEGATION4resok: verifier, stateid, mask, no attributes");
	tap_ok(xdrbuf_peek_u32(o.buf + 64) == OP_GET_DIR_DELEGATION &&
	    xdrbuf_peek_u32(o.buf + 68) == NFS4_OK &&
	    xdrbuf_peek_u32(o.buf + 72) == GDD4_UNAVAIL &&
	    xdrbuf_peek_u32(o.buf + 76) == 0,
	    "GDD4_UNAVAIL, will_signal_deleg_avail false");
	xdrbuf_out_free(&o);

	/* RFC 8881 18.49: WANT_DELEGATION4args, into OPEN's fields. */
	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, OP_WANT_DELEGATION);
	xdrbuf_put_u32(&o, OPEN4_SHARE_WANT_READ_DELEG);
	xdrbuf_put_u32(&o, CLAIM_PREVIOUS);
	xdrbuf_put_u32(&o, OPEN_DELEGATE_READ);
	xdrbuf_in_init(&x, o.buf, o.len);
	tap_ok(nfs4_decode_op_minor(&x, &op, 1) == NFS4_OK &&
	    op.u.open.want == OPEN4_SHARE_WANT_READ_DELEG &&
	    op.u.open.claim == CLAIM_PREVIOUS &&
	    op.u.open.delegate_type == OPEN_DELEGATE_READ &&
	    xdrbuf_in_left(&x) == 0, "WANT_DELEGATION4args, CLAIM_PREVIOUS");
	xdrbuf_in_init(&x, o.buf, o.len - 4);
	tap_ok(nfs4_decode_op_minor(&x, &op, 1) == NFS4ERR_BADXDR,
	    "CLAIM_PREVIOUS without its type: BADXDR");
	xdrbuf_put_u32_at(&o, 8, CLAIM_NULL);
	xdrbuf_in_init(&x, o.buf, o.len);
	tap_ok(nfs4_decode_op_minor(&x, &op, 1) == NFS4ERR_BADXDR,
	    "a claim deleg_claim4 has no arm for (CLAIM_NULL): BADXDR");
	xdrbuf_out_free(&o);
	/* Its result: open_delegation4 alone (NONE_EXT, why, no signal). */
	xdrbuf_out_init(&o);
	memset(&res, 0, sizeof(res));
	res.opnum = OP_WANT_DELEGATION;
	res.u.open.deleg_type = OPEN_DELEGATE_NONE_EXT;
	res.u.open.deleg_why = WND4_CONTENTION;
	nfs4_compound_out_begin(&co, &o, NULL);
	nfs4_encode_resop(&co, &res);
	nfs4_compound_out_end(&co, NFS4_OK);
	tap_ok(o.len == 12 + 8 + 12 &&
	    xdrbuf_peek_u32(o.buf + 20) == OPEN_DELEGATE_NONE_EXT &&
	    xdrbuf_peek_u32(o.buf + 24) == WND4_CONTENTION &&
	    xdrbuf_peek_u32(o.buf + 28) == 0,
	    "WANT_DELEGATION4res: open_delegation4 (NONE_EXT, contention)");
	xdrbuf_out_free(&o);
}

static void
test_xdr(void)
{
	struct xdrbuf_out o;
	struct xdrbuf_in x;
	struct nfs4_compound c;
	struct nfs4_op op;
	struct nfs4_res res;
	uint8_t buf[1024], sess[NFS41_SESSIONID_SIZE];
	size_t n;
	uint32_t st;

	/* SEQUENCE in a 4.1 COMPOUND. */
	memset(sess, 0x42, sizeof(sess));
	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, OP_SEQUENCE);
	xdrbuf_put_fixed(&o, sess, sizeof(sess));
	xdrbuf_put_u32(&o, 7);
	xdrbuf_put_u32(&o, 3);
	xdrbuf_put_u32(&o, 5);
	xdrbuf_put_u32(&o, 1);
	n = compound(buf, 1, 1, o.buf, o.len);
	xdrbuf_out_free(&o);
	xdrbuf_in_init(&x, buf, n);
	tap_ok(nfs4_compound_begin(&c, &x, 64, 16) ==
	    NFS4ERR_MINOR_VERS_MISMATCH, "minor 1 where 0 alone is served: "
	    "MINOR_VERS_MISMATCH");
	xdrbuf_in_init(&x, buf, n);
	tap_ok(nfs4_compound_begin_minor(&c, &x, 64, 16, 1) == NFS4_OK &&
	    c.minorversion == 1, "minor 1 served");
	st = nfs4_compound_next(&c, &op);
	tap_ok(st == NFS4_OK && op.opnum == OP_SEQUENCE &&
	    memcmp(op.u.sequence.sessionid, sess, sizeof(sess)) == 0 &&
	    op.u.sequence.sequenceid == 7 && op.u.sequence.slotid == 3 &&
	    op.u.sequence.highest_slotid == 5 && op.u.sequence.cachethis == 1,
	    "SEQUENCE4args decoded");
	/* The same op in 4.0: ILLEGAL. */
	xdrbuf_in_init(&x, buf + 12, n - 12);
	tap_ok(nfs4_decode_op_minor(&x, &op, 0) == NFS4ERR_OP_ILLEGAL &&
	    op.opnum == OP_ILLEGAL, "op 53 in 4.0: OP_ILLEGAL");
	/* Minor 2: a Linux client falls back to 4.1. */
	n = compound(buf, 2, 0, NULL, 0);
	xdrbuf_in_init(&x, buf, n);
	tap_ok(nfs4_compound_begin_minor(&c, &x, 64, 16, 1) ==
	    NFS4ERR_MINOR_VERS_MISMATCH, "minor 2: MINOR_VERS_MISMATCH");
	/* Op 59: past 4.1's table. */
	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, 59);
	xdrbuf_in_init(&x, o.buf, o.len);
	tap_ok(nfs4_decode_op_minor(&x, &op, 1) == NFS4ERR_OP_ILLEGAL &&
	    op.opnum == OP_ILLEGAL, "op 59 in 4.1: OP_ILLEGAL");
	xdrbuf_out_free(&o);
	/* EXCHANGE_ID with SP4_NONE and an implementation id. */
	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, OP_EXCHANGE_ID);
	xdrbuf_put_fixed(&o, "verifier", 8);
	xdrbuf_put_opaque(&o, "owner", 5);
	xdrbuf_put_u32(&o, 0x10000);
	xdrbuf_put_u32(&o, SP4_NONE);
	xdrbuf_put_u32(&o, 1);
	xdrbuf_put_opaque(&o, "kernel.org", 10);
	xdrbuf_put_opaque(&o, "Linux", 5);
	xdrbuf_put_u64(&o, 0);
	xdrbuf_put_u32(&o, 0);
	xdrbuf_in_init(&x, o.buf, o.len);
	tap_ok(nfs4_decode_op_minor(&x, &op, 1) == NFS4_OK &&
	    op.u.exchange_id.ownerid.len == 5 && op.u.exchange_id.has_impl &&
	    op.u.exchange_id.impl_name.len == 5 &&
	    op.u.exchange_id.flags == 0x10000 && xdrbuf_in_left(&x) == 0,
	    "EXCHANGE_ID4args decoded");
	/* Every shorter prefix: BADXDR, never a read past the end. */
	for (n = 4; n < o.len; n++) {
		xdrbuf_in_init(&x, o.buf, n);
		if (nfs4_decode_op_minor(&x, &op, 1) != NFS4ERR_BADXDR)
			break;
	}
	tap_ok(n == o.len, "EXCHANGE_ID cut anywhere: BADXDR");
	xdrbuf_out_free(&o);
	/* CREATE_SESSION: the callback security passed as it came. */
	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, OP_CREATE_SESSION);
	xdrbuf_put_u64(&o, 0x8000000100000002ULL);
	xdrbuf_put_u32(&o, 1);
	xdrbuf_put_u32(&o, CREATE_SESSION4_FLAG_CONN_BACK_CHAN);
	for (n = 0; n < 2; n++) {
		xdrbuf_put_u32(&o, 0);
		xdrbuf_put_u32(&o, 1048576);
		xdrbuf_put_u32(&o, 1048576);
		xdrbuf_put_u32(&o, 4096);
		xdrbuf_put_u32(&o, 16);
		xdrbuf_put_u32(&o, n == 0 ? 64 : 1);
		xdrbuf_put_u32(&o, 0);
	}
	xdrbuf_put_u32(&o, 0x40000000);
	xdrbuf_put_u32(&o, 2);			/* two flavours */
	xdrbuf_put_u32(&o, NFS4_AUTH_NONE);
	xdrbuf_put_u32(&o, NFS4_AUTH_SYS);
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_opaque(&o, "host", 4);
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_u32(&o, 0);
	xdrbuf_in_init(&x, o.buf, o.len);
	tap_ok(nfs4_decode_op_minor(&x, &op, 1) == NFS4_OK &&
	    op.u.create_session.fore.maxrequests == 64 &&
	    op.u.create_session.back.maxrequests == 1 &&
	    op.u.create_session.cb_program == 0x40000000 &&
	    op.u.create_session.cb_sec.len == 4 + 4 + 4 + 4 + 8 + 12,
	    "CREATE_SESSION4args decoded, callback security kept whole");
	/* An unknown flavour cannot be passed over. */
	xdrbuf_put_u32_at(&o, o.len - 32, 99);
	xdrbuf_in_init(&x, o.buf, o.len);
	tap_ok(nfs4_decode_op_minor(&x, &op, 1) == NFS4ERR_BADXDR,
	    "an unknown callback flavour: BADXDR");
	xdrbuf_out_free(&o);
	/* Results: SEQUENCE4resok's shape. */
	xdrbuf_out_init(&o);
	memset(&res, 0, sizeof(res));
	res.opnum = OP_SEQUENCE;
	memcpy(res.u.sequence.sessionid, sess, sizeof(sess));
	res.u.sequence.sequenceid = 7;
	res.u.sequence.slotid = 3;
	res.u.sequence.highest_slotid = 63;
	res.u.sequence.target_highest_slotid = 63;
	res.u.sequence.status_flags = SEQ4_STATUS_CB_PATH_DOWN;
	{
		struct nfs4_compound_out co;

		nfs4_compound_out_begin(&co, &o, NULL);
		nfs4_encode_resop(&co, &res);
		res.opnum = OP_DESTROY_SESSION;
		res.status = NFS4ERR_BADSESSION;
		nfs4_encode_resop(&co, &res);
		nfs4_compound_out_end(&co, NFS4ERR_BADSESSION);
	}
	tap_ok(o.len == 12 + 8 + 16 + 20 + 8 &&
	    xdrbuf_peek_u32(o.buf) == NFS4ERR_BADSESSION &&
	    xdrbuf_peek_u32(o.buf + 8) == 2 &&
	    xdrbuf_peek_u32(o.buf + 12 + 8 + 16 + 16) ==
	    SEQ4_STATUS_CB_PATH_DOWN, "SEQUENCE4resok and a status alone "
	    "encoded");
	xdrbuf_out_free(&o);
	/* RFC 8881 18.16: OPEN's EXCLUSIVE4_1 and CLAIM_FH, in 4.1 alone. */
	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, OP_OPEN);
	xdrbuf_put_u32(&o, 0);			/* seqid */
	xdrbuf_put_u32(&o, OPEN4_SHARE_ACCESS_BOTH);
	xdrbuf_put_u32(&o, OPEN4_SHARE_DENY_NONE);
	xdrbuf_put_u64(&o, 0);			/* clientid: ignored */
	xdrbuf_put_opaque(&o, "owner", 5);
	xdrbuf_put_u32(&o, OPEN4_CREATE);
	xdrbuf_put_u32(&o, EXCLUSIVE4_1);
	xdrbuf_put_fixed(&o, "verifier", 8);
	xdrbuf_put_u32(&o, 1);			/* fattr4: mode */
	xdrbuf_put_u32(&o, 0);
	xdrbuf_put_u32(&o, 4);
	xdrbuf_put_u32(&o, 0644);
	xdrbuf_put_u32(&o, CLAIM_FH);
	xdrbuf_in_init(&x, o.buf, o.len);
	tap_ok(nfs4_decode_op_minor(&x, &op, 1) == NFS4_OK &&
	    op.u.open.createmode == EXCLUSIVE4 &&
	    memcmp(op.u.open.verf, "verifier", 8) == 0 &&
	    op.u.open.claim == CLAIM_FH && xdrbuf_in_left(&x) == 0,
	    "4.1 OPEN: EXCLUSIVE4_1 as EXCLUSIVE4, CLAIM_FH decoded");
	xdrbuf_in_init(&x, o.buf, o.len);
	tap_ok(nfs4_decode_op_minor(&x, &op, 0) == NFS4ERR_BADXDR,
	    "the same OPEN in 4.0: BADXDR");
	xdrbuf_out_free(&o);
	tap_ok(strcmp(nfs4_op_name(OP_SEQUENCE), "SEQUENCE") == 0 &&
	    strcmp(nfs4_op_name(OP_RECLAIM_COMPLETE), "RECLAIM_COMPLETE") ==
	    0 && strcmp(nfs4_op_name(59), "ILLEGAL") == 0,
	    "4.1's op names");
}

/* Connections: fake ones, each an int that says whether it lives. */
static int holds, releases;

static void *
conn_hold(void *c)
{
	holds++;
	return c;
}

static void
conn_release(void *c)
{
	(void)c;
	releases++;
}

static int
conn_alive(const void *c)
{
	return *(const int *)c;
}

static void
test_conns(void)
{
	static const struct nfs41_conn_ops ops = {
		conn_hold, conn_release, conn_alive
	};
	struct nfs41_mirror *m = nfs41_mirror_new(4);
	struct nfs41_session *s;
	uint8_t id[NFS41_SESSIONID_SIZE];
	int live[NFS41_CONNS_MAX + 2], i, ok = 1;

	sid_of(id, 7);
	for (i = 0; i < NFS41_CONNS_MAX + 2; i++)
		live[i] = 1;
	s = nfs41_mirror_add(m, id, 70, 2);
	tap_ok(s != NULL && nfs41_session_conn(m, s, &live[0], "a", 1) == -1,
	    "no connection ops: none kept");
	nfs41_mirror_set_conn_ops(m, &ops);
	tap_ok(nfs41_session_conn(m, s, &live[0], "a.1", NFS41_CONN_FORE) ==
	    0 && nfs41_session_conn(m, s, &live[0], "a.1", NFS41_CONN_FORE) ==
	    0 && s->nconns == 1 && holds == 1, "a connection once, held once");
	tap_ok(nfs41_session_conn(m, s, &live[0], "a.1", NFS41_CONN_BACK) ==
	    0 && s->conns[0].dir == (NFS41_CONN_FORE | NFS41_CONN_BACK) &&
	    strcmp(s->conns[0].name, "a.1") == 0, "bound back too: both");
	for (i = 1; i < NFS41_CONNS_MAX; i++)
		ok &= nfs41_session_conn(m, s, &live[i], "b", 1) == 0;
	tap_ok(ok && s->nconns == NFS41_CONNS_MAX &&
	    nfs41_session_conn(m, s, &live[NFS41_CONNS_MAX], "c", 1) == -1,
	    "%d connections; one more is not kept", NFS41_CONNS_MAX);
	live[3] = 0;
	tap_ok(nfs41_session_conn(m, s, &live[NFS41_CONNS_MAX], "c", 1) ==
	    0 && s->nconns == NFS41_CONNS_MAX && releases == 1,
	    "one closed: let go of, and the new one kept");
	live[5] = live[6] = 0;
	nfs41_session_conns_prune(m, s);
	tap_ok(s->nconns == NFS41_CONNS_MAX - 2 && releases == 3,
	    "prune: the closed ones go");
	nfs41_mirror_drop(m, id);
	tap_ok(holds == releases, "the session dropped: every hold let go "
	    "(%d)", holds);
	nfs41_mirror_free(m);
}

/*
 * RFC 8881 2.10.8.2: callback_sec_parms4 to the offers nfs41_cb_sec_pick
 * keeps: AUTH_SYS's parameters, RPCSEC_GSS's service and both handles
 * in the client's order; handles nfsd could not hold are passed over.
 */
static void
test_cb_sec(void)
{
	struct xdrbuf_out o;
	struct nfs41_cb_sec sec;
	struct nfs4_opaque v;
	uint8_t big[40];

	memset(big, 'x', sizeof(big));
	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, 4);
	xdrbuf_put_u32(&o, NFS4_RPCSEC_GSS);
	xdrbuf_put_u32(&o, 2);			/* krb5i */
	xdrbuf_put_opaque(&o, "fore-h", 6);
	xdrbuf_put_opaque(&o, "back-h", 6);
	xdrbuf_put_u32(&o, NFS4_RPCSEC_GSS);	/* a handle too long */
	xdrbuf_put_u32(&o, 3);
	xdrbuf_put_opaque(&o, big, sizeof(big));
	xdrbuf_put_opaque(&o, "b", 1);
	xdrbuf_put_u32(&o, NFS4_RPCSEC_GSS);	/* no such service */
	xdrbuf_put_u32(&o, 7);
	xdrbuf_put_opaque(&o, "f", 1);
	xdrbuf_put_opaque(&o, "b", 1);
	xdrbuf_put_u32(&o, NFS4_AUTH_SYS);
	xdrbuf_put_u32(&o, 9);
	xdrbuf_put_opaque(&o, "host", 4);
	xdrbuf_put_u32(&o, 10);
	xdrbuf_put_u32(&o, 20);
	xdrbuf_put_u32(&o, 0);
	v.p = o.buf;
	v.len = (uint32_t)o.len;
	tap_ok(nfs41_cb_sec_pick(&v, &sec) == 0 && sec.ngss == 1 &&
	    sec.gss[0].service == 2 && sec.gss[0].server_len == 6 &&
	    memcmp(sec.gss[0].server, "fore-h", 6) == 0 &&
	    sec.gss[0].client_len == 6 &&
	    memcmp(sec.gss[0].client, "back-h", 6) == 0,
	    "RPCSEC_GSS offer kept: service, handle from server and client");
	tap_ok(sec.usable && sec.flavor == NFS4_AUTH_SYS && sec.uid == 10 &&
	    strcmp(sec.machine, "host") == 0 && sec.principal[0] == '\0',
	    "AUTH_SYS beside it kept; no principal known yet");
	xdrbuf_out_free(&o);
	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, 1);
	xdrbuf_put_u32(&o, NFS4_RPCSEC_GSS);
	xdrbuf_put_u32(&o, 1);
	xdrbuf_put_opaque(&o, "", 0);		/* no handle from server */
	xdrbuf_put_opaque(&o, "b", 1);
	v.p = o.buf;
	v.len = (uint32_t)o.len;
	tap_ok(nfs41_cb_sec_pick(&v, &sec) == -1 && sec.ngss == 0 &&
	    sec.gss_offered == 1 && !sec.usable, "an empty handle from "
	    "server alone: nothing usable (RPCSEC_GSS was offered)");
	xdrbuf_out_free(&o);
}

int
main(void)
{
	test_conns();
	test_slots();
	test_lru();
	test_xdr();
	test_cb_sec();
	test_gdd();
	return tap_done();
}
