/*
 * nfsd/v4/xdr.c: COMPOUND4args decoded op by op with every limit, and
 * results encoded byte for byte as RFC 7531 lays them out; error.c's
 * table; and the fuzz target tests/fuzz/fuzz_nfs4.c on random and
 * mutated COMPOUNDs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nfs4.h"
#include "stated_common.h"
#include "fuzz.h"
#include "nfs4_build.h"
#include "tap.h"

static struct xdrbuf_in x;
static struct nfs4_compound c;

static uint32_t
begin(struct wb *w, uint32_t tag_max, uint32_t ops_max)
{
	xdrbuf_in_init(&x, w->b, w->n);
	return nfs4_compound_begin(&c, &x, tag_max, ops_max);
}

static int
same(const struct xdrbuf_out *o, const struct wb *w, const char *what)
{
	size_t i;

	if (o->len == w->n && memcmp(o->buf, w->b, w->n) == 0)
		return 1;
	tap_diag("%s: got %zu bytes, want %zu", what, o->len, w->n);
	for (i = 0; i < o->len && i < w->n; i++)
		if (o->buf[i] != w->b[i]) {
			tap_diag("first difference at byte %zu", i);
			break;
		}
	return 0;
}

static void
test_decode(void)
{
	struct wb w;
	struct nfs4_op op;
	char name[300];
	uint32_t st;
	int i;

	/* PUTROOTFH; LOOKUP "export"; GETFH; GETATTR {type, size, mode}. */
	wcompound(&w, "t1", 0, 4);
	w32(&w, OP_PUTROOTFH);
	w32(&w, OP_LOOKUP);
	wstr(&w, "export");
	w32(&w, OP_GETFH);
	w32(&w, OP_GETATTR);
	w32(&w, 2);
	w32(&w, 1u << FATTR4_TYPE | 1u << FATTR4_SIZE);
	w32(&w, 1u << (FATTR4_MODE - 32));
	tap_ok(begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX) == NFS4_OK &&
	    c.tag.len == 2 && memcmp(c.tag.p, "t1", 2) == 0 &&
	    c.minorversion == 0 && c.nops == 4, "COMPOUND header");
	st = nfs4_compound_next(&c, &op);
	tap_ok(st == NFS4_OK && op.opnum == OP_PUTROOTFH, "op 1 PUTROOTFH");
	st = nfs4_compound_next(&c, &op);
	tap_ok(st == NFS4_OK && op.opnum == OP_LOOKUP &&
	    op.u.name.name.len == 6 &&
	    memcmp(op.u.name.name.p, "export", 6) == 0 &&
	    op.u.name.name.p >= w.b && op.u.name.name.p < w.b + w.n,
	    "op 2 LOOKUP points into the record");
	st = nfs4_compound_next(&c, &op);
	tap_ok(st == NFS4_OK && op.opnum == OP_GETFH, "op 3 GETFH");
	st = nfs4_compound_next(&c, &op);
	tap_ok(st == NFS4_OK && op.opnum == OP_GETATTR &&
	    nfs4_bitmap_isset(&op.u.getattr.request, FATTR4_TYPE) &&
	    nfs4_bitmap_isset(&op.u.getattr.request, FATTR4_SIZE) &&
	    nfs4_bitmap_isset(&op.u.getattr.request, FATTR4_MODE) &&
	    !nfs4_bitmap_isset(&op.u.getattr.request, FATTR4_OWNER),
	    "op 4 GETATTR bitmap");
	tap_ok(!nfs4_compound_more(&c) && x.pos == w.n,
	    "all ops read, record consumed");

	/* Minor versions we do not serve: the tag is still echoed. */
	wcompound(&w, "mv", 1, 1);
	w32(&w, OP_PUTROOTFH);
	tap_ok(begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX) ==
	    NFS4ERR_MINOR_VERS_MISMATCH && c.tag.len == 2,
	    "minorversion 1: MINOR_VERS_MISMATCH, tag kept");

	/* Tag bound. */
	wcompound(&w, "0123456789abcdefX", 0, 0);
	tap_ok(begin(&w, 16, NFS4_COMPOUND_OPS_MAX) == NFS4ERR_RESOURCE &&
	    c.tag.len == 0, "17-byte tag over a 16-byte bound: RESOURCE");
	wcompound(&w, "0123456789abcdef", 0, 0);
	tap_ok(begin(&w, 16, NFS4_COMPOUND_OPS_MAX) == NFS4_OK &&
	    c.tag.len == 16 && !nfs4_compound_more(&c),
	    "16-byte tag at the bound, no ops: OK");
	w.n = 0;
	w32(&w, 0x7fffffff);
	tap_ok(begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX) ==
	    NFS4ERR_RESOURCE, "huge tag length: RESOURCE, nothing read");
	w.n = 0;
	wstr(&w, "ab");
	w32(&w, 0);
	tap_ok(begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX) ==
	    NFS4ERR_BADXDR, "header without op count: BADXDR");

	/* Too many ops: the first ops_max run, the next is RESOURCE. */
	wcompound(&w, "", 0, 5);
	for (i = 0; i < 5; i++)
		w32(&w, i == 3 ? OP_SAVEFH : OP_PUTROOTFH);
	begin(&w, NFS4_TAG_MAX, 3);
	for (i = 0; i < 3; i++)
		st = nfs4_compound_next(&c, &op);
	tap_ok(st == NFS4_OK, "ops up to the limit decode");
	st = nfs4_compound_next(&c, &op);
	tap_ok(st == NFS4ERR_RESOURCE && op.opnum == OP_SAVEFH,
	    "op past the limit: RESOURCE, with its own op number");

	/* Op numbers we do not know. */
	{
		static const uint32_t bad[] = { 0, 1, 2, 40, 10044, 0xffffffff };

		for (i = 0; i < 6; i++) {
			wcompound(&w, "", 0, 2);
			w32(&w, OP_PUTROOTFH);
			w32(&w, bad[i]);
			begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
			nfs4_compound_next(&c, &op);
			st = nfs4_compound_next(&c, &op);
			tap_ok(st == NFS4ERR_OP_ILLEGAL &&
			    op.opnum == OP_ILLEGAL,
			    "op %u: OP_ILLEGAL / NFS4ERR_OP_ILLEGAL", bad[i]);
		}
	}

	/* A truncated op mid-COMPOUND: the ops before it stand. */
	wcompound(&w, "", 0, 3);
	w32(&w, OP_PUTROOTFH);
	w32(&w, OP_LOOKUP);
	wstr(&w, "abc");
	w32(&w, OP_WRITE);
	w32(&w, 0);			/* stateid seqid */
	wfix(&w, "0123456789ab", 12);
	w64(&w, 0);
	w32(&w, UNSTABLE4);
	w32(&w, 100);			/* 100 bytes announced */
	wfix(&w, "short", 5);
	begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
	tap_ok(nfs4_compound_next(&c, &op) == NFS4_OK &&
	    nfs4_compound_next(&c, &op) == NFS4_OK &&
	    op.opnum == OP_LOOKUP && op.u.name.name.len == 3,
	    "ops before a truncated one decode");
	st = nfs4_compound_next(&c, &op);
	tap_ok(st == NFS4ERR_BADXDR && op.opnum == OP_WRITE,
	    "truncated WRITE: BADXDR at that op");

	/* The op count says more than the record holds. */
	wcompound(&w, "", 0, 1000000);
	w32(&w, OP_GETFH);
	begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
	nfs4_compound_next(&c, &op);
	st = nfs4_compound_next(&c, &op);
	tap_ok(st == NFS4ERR_BADXDR && op.opnum == OP_ILLEGAL,
	    "op number missing: BADXDR");

	/* Names: NAMETOOLONG decodes (and the next op still does). */
	memset(name, 'n', sizeof(name));
	wcompound(&w, "", 0, 2);
	w32(&w, OP_LOOKUP);
	wopq(&w, name, 256);
	w32(&w, OP_GETFH);
	begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
	tap_ok(nfs4_compound_next(&c, &op) == NFS4ERR_NAMETOOLONG &&
	    op.opnum == OP_LOOKUP && op.u.name.name.len == 256,
	    "256-byte name: NAMETOOLONG, not BADXDR");
	tap_ok(nfs4_compound_next(&c, &op) == NFS4_OK &&
	    op.opnum == OP_GETFH, "the long name was consumed");
	wcompound(&w, "", 0, 1);
	w32(&w, OP_LOOKUP);
	wopq(&w, name, 255);
	begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
	tap_ok(nfs4_compound_next(&c, &op) == NFS4_OK,
	    "255-byte name: OK");
	{
		static uint8_t big[NFS4_NAME_DECODE_MAX + 8];

		memset(big, 'b', sizeof(big));
		wcompound(&w, "", 0, 1);
		w32(&w, OP_REMOVE);
		w32(&w, NFS4_NAME_DECODE_MAX + 1);
		begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
		tap_ok(nfs4_compound_next(&c, &op) == NFS4ERR_BADXDR,
		    "name over the decode bound (and not there): BADXDR");
	}
	{
		static const struct {
			const char	*name;
			size_t		 len;
			uint32_t	 want;
		} cases[] = {
			{ "", 0, NFS4ERR_INVAL },
			{ "a/b", 3, NFS4ERR_BADCHAR },
			{ "a\0b", 3, NFS4ERR_BADCHAR },
			{ ".", 1, NFS4ERR_BADNAME },
			{ "..", 2, NFS4ERR_BADNAME },
			{ "...", 3, NFS4_OK },
		};

		for (i = 0; i < 6; i++) {
			wcompound(&w, "", 0, 1);
			w32(&w, OP_RENAME);
			wstr(&w, "old");
			wopq(&w, cases[i].name, cases[i].len);
			begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
			st = nfs4_compound_next(&c, &op);
			tap_ok(st == cases[i].want,
			    "RENAME to a %zu-byte name \"%s\": status %u",
			    cases[i].len, cases[i].name, cases[i].want);
		}
	}

	/* OPEN: CREATE/GUARDED4 with attributes, CLAIM_NULL. */
	wcompound(&w, "", 0, 1);
	w32(&w, OP_OPEN);
	w32(&w, 7);				/* seqid */
	w32(&w, OPEN4_SHARE_ACCESS_BOTH);
	w32(&w, OPEN4_SHARE_DENY_WRITE);
	w64(&w, 0x1122334455667788ull);		/* owner clientid */
	wstr(&w, "owner1");
	w32(&w, OPEN4_CREATE);
	w32(&w, GUARDED4);
	w32(&w, 2);				/* bitmap: mode */
	w32(&w, 0);
	w32(&w, 1u << (FATTR4_MODE - 32));
	w32(&w, 4);
	w32(&w, 0644);
	w32(&w, CLAIM_NULL);
	wstr(&w, "newfile");
	begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
	st = nfs4_compound_next(&c, &op);
	tap_ok(st == NFS4_OK && op.u.open.seqid == 7 &&
	    op.u.open.share_access == 3 && op.u.open.share_deny == 2 &&
	    op.u.open.owner.clientid == 0x1122334455667788ull &&
	    op.u.open.owner.owner.len == 6 &&
	    op.u.open.opentype == OPEN4_CREATE &&
	    op.u.open.createmode == GUARDED4 &&
	    nfs4_bitmap_isset(&op.u.open.createattrs.mask, FATTR4_MODE) &&
	    op.u.open.createattrs.vals.len == 4 &&
	    op.u.open.claim == CLAIM_NULL && op.u.open.name.len == 7 &&
	    x.pos == w.n, "OPEN CREATE GUARDED4 CLAIM_NULL decodes");
	w.b[23] = 0;				/* share_access 0 */
	begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
	tap_ok(nfs4_compound_next(&c, &op) == NFS4ERR_INVAL,
	    "OPEN with share_access 0: INVAL");

	/* OPEN EXCLUSIVE4, CLAIM_PREVIOUS; a bad claim is BADXDR. */
	wcompound(&w, "", 0, 1);
	w32(&w, OP_OPEN);
	w32(&w, 1);
	w32(&w, OPEN4_SHARE_ACCESS_READ);
	w32(&w, OPEN4_SHARE_DENY_NONE);
	w64(&w, 1);
	wstr(&w, "o");
	w32(&w, OPEN4_CREATE);
	w32(&w, EXCLUSIVE4);
	wfix(&w, "verifier", 8);
	w32(&w, CLAIM_PREVIOUS);
	w32(&w, OPEN_DELEGATE_READ);
	begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
	tap_ok(nfs4_compound_next(&c, &op) == NFS4_OK &&
	    memcmp(op.u.open.verf, "verifier", 8) == 0 &&
	    op.u.open.claim == CLAIM_PREVIOUS &&
	    op.u.open.delegate_type == OPEN_DELEGATE_READ,
	    "OPEN EXCLUSIVE4 CLAIM_PREVIOUS decodes");
	w.b[w.n - 5] = 9;			/* claim 9 */
	begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
	tap_ok(nfs4_compound_next(&c, &op) == NFS4ERR_BADXDR,
	    "OPEN with claim 9: BADXDR");

	/* LOCK with a new lock owner; LOCK with locktype 5. */
	wcompound(&w, "", 0, 2);
	w32(&w, OP_LOCK);
	w32(&w, WRITE_LT);
	w32(&w, 0);				/* reclaim */
	w64(&w, 100);
	w64(&w, UINT64_MAX);
	w32(&w, 1);				/* new_lock_owner */
	w32(&w, 3);				/* open_seqid */
	w32(&w, 1);
	wfix(&w, "OPENSTATEID!", 12);
	w32(&w, 0);				/* lock_seqid */
	w64(&w, 42);
	wstr(&w, "lockowner");
	w32(&w, OP_LOCK);
	w32(&w, 5);
	begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
	tap_ok(nfs4_compound_next(&c, &op) == NFS4_OK &&
	    op.u.lock.locktype == WRITE_LT && op.u.lock.offset == 100 &&
	    op.u.lock.length == UINT64_MAX && op.u.lock.new_lock_owner &&
	    op.u.lock.open_seqid == 3 && op.u.lock.open_stateid.seqid == 1 &&
	    memcmp(op.u.lock.open_stateid.other, "OPENSTATEID!", 12) == 0 &&
	    op.u.lock.lock_owner.clientid == 42 &&
	    op.u.lock.lock_owner.owner.len == 9, "LOCK open_to_lock_owner4");
	tap_ok(nfs4_compound_next(&c, &op) == NFS4ERR_BADXDR,
	    "LOCK with locktype 5: BADXDR");

	/* CREATE: a regular file is BADTYPE, a long symlink NAMETOOLONG. */
	wcompound(&w, "", 0, 1);
	w32(&w, OP_CREATE);
	w32(&w, NF4REG);
	wstr(&w, "f");
	w32(&w, 0);
	w32(&w, 0);
	begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
	tap_ok(nfs4_compound_next(&c, &op) == NFS4ERR_BADTYPE && x.pos == w.n,
	    "CREATE NF4REG: BADTYPE, arguments consumed");
	{
		static uint8_t target[NFS4_LINK_MAX + 1];

		memset(target, 't', sizeof(target));
		wcompound(&w, "", 0, 1);
		w32(&w, OP_CREATE);
		w32(&w, NF4LNK);
		wopq(&w, target, sizeof(target));
		wstr(&w, "l");
		w32(&w, 0);
		w32(&w, 0);
		begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
		tap_ok(nfs4_compound_next(&c, &op) == NFS4ERR_NAMETOOLONG,
		    "CREATE NF4LNK with a 4096-byte target: NAMETOOLONG");
	}
	wcompound(&w, "", 0, 1);
	w32(&w, OP_CREATE);
	w32(&w, NF4CHR);
	w32(&w, 4);
	w32(&w, 64);
	wstr(&w, "tty");
	w32(&w, 0);
	w32(&w, 0);
	begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
	tap_ok(nfs4_compound_next(&c, &op) == NFS4_OK &&
	    op.u.create.specdata1 == 4 && op.u.create.specdata2 == 64 &&
	    op.u.create.name.len == 3, "CREATE NF4CHR with specdata4");

	/* bitmap4 bounds. */
	wcompound(&w, "", 0, 1);
	w32(&w, OP_GETATTR);
	w32(&w, NFS4_BITMAP_WIRE_MAX + 1);
	for (i = 0; i <= NFS4_BITMAP_WIRE_MAX; i++)
		w32(&w, 0);
	begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
	tap_ok(nfs4_compound_next(&c, &op) == NFS4ERR_BADXDR,
	    "GETATTR with a 9-word bitmap: BADXDR");

	/* WRITE: stable 3 is not a stable_how4. */
	wcompound(&w, "", 0, 1);
	w32(&w, OP_WRITE);
	w32(&w, 0);
	wfix(&w, "0123456789ab", 12);
	w64(&w, 0);
	w32(&w, 3);
	wstr(&w, "x");
	begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
	tap_ok(nfs4_compound_next(&c, &op) == NFS4ERR_BADXDR,
	    "WRITE with stable 3: BADXDR");

	/* SETCLIENTID. */
	wcompound(&w, "", 0, 1);
	w32(&w, OP_SETCLIENTID);
	wfix(&w, "bootverf", 8);
	wstr(&w, "Linux NFSv4.0 guest/10.0.2.2");
	w32(&w, 0x40000000);
	wstr(&w, "tcp");
	wstr(&w, "10.0.2.15.3.232");
	w32(&w, 1);
	begin(&w, NFS4_TAG_MAX, NFS4_COMPOUND_OPS_MAX);
	tap_ok(nfs4_compound_next(&c, &op) == NFS4_OK &&
	    memcmp(op.u.setclientid.verf, "bootverf", 8) == 0 &&
	    op.u.setclientid.id.len == 28 &&
	    op.u.setclientid.cb_program == 0x40000000 &&
	    op.u.setclientid.cb_netid.len == 3 &&
	    op.u.setclientid.cb_addr.len == 15 &&
	    op.u.setclientid.cb_ident == 1, "SETCLIENTID decodes");
}

static void
test_encode(void)
{
	struct xdrbuf_out o;
	struct nfs4_compound_out co;
	struct nfs4_res r;
	struct nfs4_opaque tag = { (const uint8_t *)"ab", 2 };
	static const uint8_t fh[5] = { 1, 2, 3, 4, 5 };
	struct nfs4_secinfo sec[2];
	struct wb w;

	/* COMPOUND4res: PUTROOTFH, GETFH, ACCESS. */
	xdrbuf_out_init(&o);
	nfs4_compound_out_begin(&co, &o, &tag);
	memset(&r, 0, sizeof(r));
	r.opnum = OP_PUTROOTFH;
	nfs4_encode_resop(&co, &r);
	r.opnum = OP_GETFH;
	r.u.fh.p = fh;
	r.u.fh.len = 5;
	nfs4_encode_resop(&co, &r);
	memset(&r, 0, sizeof(r));
	r.opnum = OP_ACCESS;
	r.u.access.supported = 0x1f;
	r.u.access.access = 0x03;
	nfs4_encode_resop(&co, &r);
	memset(&r, 0, sizeof(r));
	r.opnum = OP_LOOKUP;
	r.status = NFS4ERR_NOENT;
	nfs4_encode_resop(&co, &r);
	nfs4_compound_out_end(&co, NFS4ERR_NOENT);
	w.n = 0;
	w32(&w, 2);			/* status: NOENT */
	w32(&w, 2);			/* tag */
	wfix(&w, "ab", 2);
	w32(&w, 4);			/* resarray<> */
	w32(&w, 24);			/* OP_PUTROOTFH */
	w32(&w, 0);
	w32(&w, 10);			/* OP_GETFH */
	w32(&w, 0);
	w32(&w, 5);
	wfix(&w, fh, 5);
	w32(&w, 3);			/* OP_ACCESS */
	w32(&w, 0);
	w32(&w, 0x1f);
	w32(&w, 0x03);
	w32(&w, 15);			/* OP_LOOKUP */
	w32(&w, 2);			/* NOENT, no body */
	tap_ok(same(&o, &w, "compound"),
	    "COMPOUND4res: status, tag, 4 results byte for byte");
	xdrbuf_out_free(&o);

	/* LOCK denied: LOCK4denied follows the status. */
	xdrbuf_out_init(&o);
	nfs4_compound_out_begin(&co, &o, NULL);
	memset(&r, 0, sizeof(r));
	r.opnum = OP_LOCK;
	r.status = NFS4ERR_DENIED;
	r.u.denied.offset = 0x10;
	r.u.denied.length = UINT64_MAX;
	r.u.denied.locktype = WRITE_LT;
	r.u.denied.owner.clientid = 0x0102030405060708ull;
	r.u.denied.owner.owner.p = (const uint8_t *)"own";
	r.u.denied.owner.owner.len = 3;
	nfs4_encode_resop(&co, &r);
	/* SETATTR failed: attrsset still follows. */
	memset(&r, 0, sizeof(r));
	r.opnum = OP_SETATTR;
	r.status = NFS4ERR_ATTRNOTSUPP;
	nfs4_encode_resop(&co, &r);
	nfs4_compound_out_end(&co, NFS4ERR_ATTRNOTSUPP);
	w.n = 0;
	w32(&w, 10032);
	w32(&w, 0);			/* empty tag */
	w32(&w, 2);
	w32(&w, 12);
	w32(&w, 10010);
	w64(&w, 0x10);
	w64(&w, UINT64_MAX);
	w32(&w, 2);
	w64(&w, 0x0102030405060708ull);
	wstr(&w, "own");
	w32(&w, 34);
	w32(&w, 10032);
	w32(&w, 0);			/* bitmap4 of no words */
	tap_ok(same(&o, &w, "lock denied"),
	    "LOCK4res DENIED and SETATTR4res error encode with their bodies");
	xdrbuf_out_free(&o);

	/* OPEN with a read delegation; WRITE; READ with padding. */
	xdrbuf_out_init(&o);
	nfs4_compound_out_begin(&co, &o, NULL);
	memset(&r, 0, sizeof(r));
	r.opnum = OP_OPEN;
	r.u.open.stateid.seqid = 1;
	memcpy(r.u.open.stateid.other, "ABCDEFGHIJKL", 12);
	r.u.open.cinfo.atomic = 1;
	r.u.open.cinfo.before = 5;
	r.u.open.cinfo.after = 6;
	r.u.open.rflags = OPEN4_RESULT_LOCKTYPE_POSIX;
	nfs4_bitmap_set(&r.u.open.attrset, FATTR4_MODE);
	r.u.open.deleg_type = OPEN_DELEGATE_READ;
	r.u.open.deleg_stateid.seqid = 2;
	memcpy(r.u.open.deleg_stateid.other, "delegation!!", 12);
	r.u.open.permissions.mask = ACL_READ_DATA;
	r.u.open.permissions.who.p = (const uint8_t *)"EVERYONE@";
	r.u.open.permissions.who.len = 9;
	nfs4_encode_resop(&co, &r);
	memset(&r, 0, sizeof(r));
	r.opnum = OP_WRITE;
	r.u.write.count = 4096;
	r.u.write.committed = FILE_SYNC4;
	memcpy(r.u.write.verf, "wrverf01", 8);
	nfs4_encode_resop(&co, &r);
	memset(&r, 0, sizeof(r));
	r.opnum = OP_READ;
	r.u.read.eof = 1;
	r.u.read.data.p = (const uint8_t *)"xyz";
	r.u.read.data.len = 3;
	nfs4_encode_resop(&co, &r);
	nfs4_compound_out_end(&co, NFS4_OK);
	w.n = 0;
	w32(&w, 0);
	w32(&w, 0);
	w32(&w, 3);
	w32(&w, 18);			/* OPEN */
	w32(&w, 0);
	w32(&w, 1);
	wfix(&w, "ABCDEFGHIJKL", 12);
	w32(&w, 1);			/* change_info4 */
	w64(&w, 5);
	w64(&w, 6);
	w32(&w, 4);			/* rflags */
	w32(&w, 2);			/* attrset: mode is word 1 */
	w32(&w, 0);
	w32(&w, 1u << 1);
	w32(&w, 1);			/* OPEN_DELEGATE_READ */
	w32(&w, 2);
	wfix(&w, "delegation!!", 12);
	w32(&w, 0);			/* recall */
	w32(&w, 0);			/* nfsace4: ALLOW */
	w32(&w, 0);
	w32(&w, 1);
	wstr(&w, "EVERYONE@");
	w32(&w, 38);			/* WRITE */
	w32(&w, 0);
	w32(&w, 4096);
	w32(&w, 2);
	wfix(&w, "wrverf01", 8);
	w32(&w, 25);			/* READ */
	w32(&w, 0);
	w32(&w, 1);
	wstr(&w, "xyz");
	tap_ok(same(&o, &w, "open/write/read"),
	    "OPEN4resok with a read delegation, WRITE4resok, READ4resok");
	xdrbuf_out_free(&o);

	/* READDIR with one entry; SECINFO; SETCLIENTID CLID_INUSE. */
	{
		struct xdrbuf_out ent;
		struct nfs4_opaque name = { (const uint8_t *)"file", 4 };
		static const uint8_t fattr[12] = { 0, 0, 0, 1, 0, 0, 0, 2,
			0, 0, 0, 0 };
		struct nfs4_opaque fa = { fattr, 12 };

		xdrbuf_out_init(&ent);
		nfs4_encode_readdir_entry(&ent, 77, &name, &fa);
		tap_ok(ent.len == nfs4_readdir_entry_size(4, 12),
		    "readdir entry size matches its encoding");
		xdrbuf_out_init(&o);
		nfs4_compound_out_begin(&co, &o, NULL);
		memset(&r, 0, sizeof(r));
		r.opnum = OP_READDIR;
		memcpy(r.u.readdir.verf, "cookieVF", 8);
		r.u.readdir.entries.p = ent.buf;
		r.u.readdir.entries.len = (uint32_t)ent.len;
		r.u.readdir.eof = 1;
		nfs4_encode_resop(&co, &r);
		memset(&r, 0, sizeof(r));
		memset(sec, 0, sizeof(sec));
		sec[0].flavor = NFS4_RPCSEC_GSS;
		sec[0].oid.p = (const uint8_t *)"\x2a\x86\x48";
		sec[0].oid.len = 3;
		sec[0].service = 1;
		sec[1].flavor = NFS4_AUTH_SYS;
		r.opnum = OP_SECINFO;
		r.u.secinfo.count = 2;
		r.u.secinfo.flavors = sec;
		nfs4_encode_resop(&co, &r);
		memset(&r, 0, sizeof(r));
		r.opnum = OP_SETCLIENTID;
		r.status = NFS4ERR_CLID_INUSE;
		r.u.setclientid.netid.p = (const uint8_t *)"tcp";
		r.u.setclientid.netid.len = 3;
		r.u.setclientid.addr.p = (const uint8_t *)"1.2.3.4.0.1";
		r.u.setclientid.addr.len = 11;
		nfs4_encode_resop(&co, &r);
		nfs4_compound_out_end(&co, NFS4ERR_CLID_INUSE);
		xdrbuf_out_free(&ent);
	}
	w.n = 0;
	w32(&w, 10017);
	w32(&w, 0);
	w32(&w, 3);
	w32(&w, 26);			/* READDIR */
	w32(&w, 0);
	wfix(&w, "cookieVF", 8);
	w32(&w, 1);			/* an entry follows */
	w64(&w, 77);
	wstr(&w, "file");
	w32(&w, 1);			/* its fattr4, as given */
	w32(&w, 2);
	w32(&w, 0);
	w32(&w, 0);			/* no next entry */
	w32(&w, 1);			/* eof */
	w32(&w, 33);			/* SECINFO */
	w32(&w, 0);
	w32(&w, 2);
	w32(&w, 6);
	wopq(&w, "\x2a\x86\x48", 3);
	w32(&w, 0);
	w32(&w, 1);
	w32(&w, 1);
	w32(&w, 35);			/* SETCLIENTID */
	w32(&w, 10017);
	wstr(&w, "tcp");
	wstr(&w, "1.2.3.4.0.1");
	tap_ok(same(&o, &w, "readdir/secinfo/setclientid"),
	    "READDIR4resok, SECINFO4resok, SETCLIENTID4res CLID_INUSE");
	xdrbuf_out_free(&o);

	tap_ok(strcmp(nfs4_op_name(OP_OPEN_DOWNGRADE), "OPEN_DOWNGRADE") == 0 &&
	    strcmp(nfs4_op_name(2), "ILLEGAL") == 0 &&
	    strcmp(nfs4_op_name(OP_RELEASE_LOCKOWNER),
	    "RELEASE_LOCKOWNER") == 0, "op names");
}

/* The callback program: the calls nfsd makes, the replies it reads. */
static void
test_callback(void)
{
	struct xdrbuf_out o;
	struct xdrbuf_in in;
	struct nfs4_cb_res r;
	struct nfs4_stateid sid;
	struct nfs4_bitmap req;
	struct nfs4_opaque fh = { (const uint8_t *)"FHFHFH", 6 };
	struct nfs4_opaque tag = { (const uint8_t *)"cb", 2 };
	uint64_t change = 0, size = 0;
	struct wb w;

	sid.seqid = 3;
	memcpy(sid.other, "delegstateid", 12);
	xdrbuf_out_init(&o);
	nfs4_cb_encode_recall(&o, &tag, 7, &sid, 1, &fh);
	w.n = 0;
	wstr(&w, "cb");
	w32(&w, 0);			/* minorversion */
	w32(&w, 7);			/* callback_ident */
	w32(&w, 1);
	w32(&w, 4);			/* OP_CB_RECALL */
	w32(&w, 3);
	wfix(&w, "delegstateid", 12);
	w32(&w, 1);			/* truncate */
	wopq(&w, "FHFHFH", 6);
	tap_ok(same(&o, &w, "cb_recall"), "CB_COMPOUND with CB_RECALL");
	xdrbuf_out_free(&o);

	memset(&req, 0, sizeof(req));
	nfs4_bitmap_set(&req, FATTR4_CHANGE);
	nfs4_bitmap_set(&req, FATTR4_SIZE);
	xdrbuf_out_init(&o);
	nfs4_cb_encode_getattr(&o, NULL, 9, &fh, &req);
	w.n = 0;
	w32(&w, 0);
	w32(&w, 0);
	w32(&w, 9);
	w32(&w, 1);
	w32(&w, 3);			/* OP_CB_GETATTR */
	wopq(&w, "FHFHFH", 6);
	w32(&w, 1);
	w32(&w, 1u << FATTR4_CHANGE | 1u << FATTR4_SIZE);
	tap_ok(same(&o, &w, "cb_getattr"), "CB_COMPOUND with CB_GETATTR");
	xdrbuf_out_free(&o);

	/* The holder's answer: change and size. */
	w.n = 0;
	w32(&w, 0);
	wstr(&w, "cb");
	w32(&w, 1);
	w32(&w, 3);
	w32(&w, 0);
	w32(&w, 1);
	w32(&w, 1u << FATTR4_CHANGE | 1u << FATTR4_SIZE);
	w32(&w, 16);
	w64(&w, 0xabc);
	w64(&w, 8192);
	xdrbuf_in_init(&in, w.b, w.n);
	tap_ok(nfs4_cb_decode_res(&in, &r) == 0 && r.status == NFS4_OK &&
	    r.opnum == OP_CB_GETATTR && r.opstatus == NFS4_OK &&
	    nfs4_fattr_decode_change_size(&r.attrs, &change, &size) ==
	    NFS4_OK && change == 0xabc && size == 8192,
	    "CB_GETATTR reply: change and size");
	r.attrs.vals.len += 4;		/* a word more than asked */
	tap_ok(nfs4_fattr_decode_change_size(&r.attrs, &change, &size) ==
	    NFS4ERR_BADXDR, "values past change and size: BADXDR");
	xdrbuf_in_init(&in, w.b, w.n - 4);
	tap_ok(nfs4_cb_decode_res(&in, &r) == -1,
	    "a CB_GETATTR reply cut short does not parse");
	w.b[w.n - 16 - 4 - 1] |= 1u << FATTR4_TYPE;	/* mask word 0 */
	xdrbuf_in_init(&in, w.b, w.n);
	tap_ok(nfs4_cb_decode_res(&in, &r) == 0 &&
	    nfs4_fattr_decode_change_size(&r.attrs, &change, &size) ==
	    NFS4ERR_BADXDR, "an attribute we did not ask for: BADXDR");

	/* A recall answered, refused, or not understood. */
	w.n = 0;
	w32(&w, NFS4ERR_BADHANDLE);
	w32(&w, 0);
	w32(&w, 1);
	w32(&w, 4);
	w32(&w, NFS4ERR_BADHANDLE);
	xdrbuf_in_init(&in, w.b, w.n);
	tap_ok(nfs4_cb_decode_res(&in, &r) == 0 &&
	    r.opnum == OP_CB_RECALL && r.opstatus == NFS4ERR_BADHANDLE,
	    "CB_RECALL reply with an error");
	w.b[15] = 5;			/* op 5: not a 4.0 callback */
	xdrbuf_in_init(&in, w.b, w.n);
	tap_ok(nfs4_cb_decode_res(&in, &r) == -1,
	    "a result for an op we did not send does not parse");
	w.n = 12;
	w.b[11] = 0;			/* no results */
	xdrbuf_in_init(&in, w.b, w.n);
	tap_ok(nfs4_cb_decode_res(&in, &r) == 0 &&
	    r.opnum == OP_CB_ILLEGAL && r.opstatus == NFS4ERR_BADHANDLE,
	    "an empty resarray: the COMPOUND's status stands");
}

static void
test_errors(void)
{
	tap_ok(nfs4_status_from_errno(0) == NFS4_OK &&
	    nfs4_status_from_errno(-ENOENT) == NFS4ERR_NOENT &&
	    nfs4_status_from_errno(-EACCES) == NFS4ERR_ACCESS &&
	    nfs4_status_from_errno(-ESTALE) == NFS4ERR_STALE &&
	    nfs4_status_from_errno(-EBADMSG) == NFS4ERR_BADHANDLE &&
	    nfs4_status_from_errno(-ENOTCONN) == NFS4ERR_DELAY &&
	    nfs4_status_from_errno(ENOTEMPTY) == NFS4ERR_NOTEMPTY,
	    "errno to nfsstat4");
	tap_ok(nfs4_status_from_errno(-EPIPE) == NFS4ERR_SERVERFAULT,
	    "an errno not in the table: SERVERFAULT");
	tap_ok(nfs4_status_from_st(ST_OK) == NFS4_OK &&
	    nfs4_status_from_st(ST_DENIED) == NFS4ERR_DENIED &&
	    nfs4_status_from_st(ST_BLOCKED) == NFS4ERR_DENIED &&
	    nfs4_status_from_st(ST_DEADLOCK) == NFS4ERR_DEADLOCK &&
	    nfs4_status_from_st(ST_GRACE) == NFS4ERR_GRACE &&
	    nfs4_status_from_st(ST_NO_GRACE) == NFS4ERR_NO_GRACE &&
	    nfs4_status_from_st(ST_NOT_KNOWN) == NFS4ERR_RECLAIM_BAD &&
	    nfs4_status_from_st(ST_LIMIT) == NFS4ERR_RESOURCE,
	    "stated's ST_* to nfsstat4");
	tap_ok(nfs4_status_from_st(-1) == NFS4ERR_SERVERFAULT &&
	    nfs4_status_from_st(ST_LIMIT + 1) == NFS4ERR_SERVERFAULT,
	    "an ST_* out of range: SERVERFAULT");
}

static uint32_t fuzz_state = 0x2545f491u;

static uint32_t
fuzz_rand(void)
{
	return fuzz_xorshift32(&fuzz_state);
}

/* A seed COMPOUND with one of every op, for the mutations. */
static void
fuzz_seed(struct wb *w)
{
	uint32_t op;

	wcompound(w, "seed", 0, NFS4_OP_LAST - NFS4_OP_FIRST + 1);
	for (op = NFS4_OP_FIRST; op <= NFS4_OP_LAST; op++) {
		w32(w, op);
		switch (op) {
		case OP_SETATTR:
		case OP_VERIFY:
		case OP_NVERIFY:
			if (op == OP_SETATTR) {
				w32(w, 0);
				wfix(w, "012345678901", 12);
			}
			w32(w, 2);
			w32(w, 1u << FATTR4_SIZE | 1u << FATTR4_ACL);
			w32(w, 1u << (FATTR4_OWNER - 32));
			w32(w, 8 + 4 + 16 + 8 + 8);
			w64(w, 4096);
			w32(w, 1);
			w32(w, 0);
			w32(w, 0);
			w32(w, 1);
			wstr(w, "OWNER@");
			wstr(w, "1000");
			break;
		case OP_GETATTR:
			w32(w, 2);
			w32(w, 0xffffffff);
			w32(w, 0x00ffffff);
			break;
		default:
			/* Enough words for any fixed part; names of 1. */
			w32(w, 1);
			w32(w, 1);
			w32(w, 0x61000000);
			break;
		}
	}
}

static void
test_fuzz(void)
{
	static uint8_t buf[4096];
	struct wb seed;
	size_t len, j;
	int i, iters = getenv("FUZZ_ITERATIONS") ?
	    atoi(getenv("FUZZ_ITERATIONS")) : 100000;

	for (i = 0; i < iters; i++) {
		len = fuzz_rand() % 512;
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)fuzz_rand();
		/* A sane header now and then, so the ops are reached. */
		if (len >= 12 && fuzz_rand() % 2) {
			memset(buf, 0, 8);
			buf[11] = (uint8_t)(fuzz_rand() % 8);
		}
		fuzz_nfs4_one(buf, len);
	}
	tap_ok(1, "%d random COMPOUNDs: no crash", iters);
	fuzz_seed(&seed);
	for (i = 0; i < iters; i++) {
		memcpy(buf, seed.b, seed.n);
		len = seed.n;
		for (j = fuzz_rand() % 4 + 1; j > 0; j--)
			buf[fuzz_rand() % len] = (uint8_t)fuzz_rand();
		if (fuzz_rand() % 4 == 0)
			len = fuzz_rand() % (len + 1);
		fuzz_nfs4_one(buf, len);
	}
	tap_ok(1, "%d mutated COMPOUNDs of every op: no crash", iters);
}

int
main(void)
{
	test_decode();
	test_encode();
	test_callback();
	test_errors();
	test_fuzz();
	return tap_done();
}
