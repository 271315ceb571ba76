/*
 * Fuzz target: the NFSv4.0 and 4.1 COMPOUND decoders (nfsd/v4/xdr.c,
 * xdr41.c: the input is also read as a COMPOUND of minor version 1, and
 * as one 4.1 op), the sessions' mirror fed from it (session.c), the
 * fattr4 decoders and encoder (nfsd/v4/attr.c) and the callback reply
 * decoder (nfsd/v4/cb_xdr.c).  The input is read as a whole COMPOUND,
 * as a CB_COMPOUND reply, and as one op whose number the first byte
 * picks; and as callback_sec_parms4 (xdr41.c's pick of the callbacks'
 * credential).
 * Every pointer a decoder returns must lie inside the input, every
 * length within its bound, and every encoding must be whole words.
 */
#include <string.h>

#include "fuzz.h"
#include "nfs4.h"

static const uint8_t *fuzz_base;
static size_t fuzz_size;

static void
fuzz_inside(const struct nfs4_opaque *v, uint32_t max)
{
	if (v->len > max)
		__builtin_trap();
	if (v->p == NULL && v->len == 0)
		return;
	if (v->p < fuzz_base || v->p > fuzz_base + fuzz_size ||
	    v->len > (size_t)(fuzz_base + fuzz_size - v->p))
		__builtin_trap();
}

/*
 * callback_sec_parms4 to the callbacks' credential (xdr41.c), from an
 * op or from stated's LOAD reply: a usable one is AUTH_NONE or AUTH_SYS
 * with a terminated machine name and at most 16 groups, or RPCSEC_GSS
 * handles, at most NFS41_CB_GSS_OFFERS.
 */
static void
fuzz_cb_sec(const struct nfs4_opaque *v)
{
	struct nfs41_cb_sec sec;

	if (nfs41_cb_sec_pick(v, &sec) == 0 && ((!sec.usable &&
	    sec.ngss == 0) || (sec.usable && sec.flavor != NFS4_AUTH_NONE &&
	    sec.flavor != NFS4_AUTH_SYS) ||
	    memchr(sec.machine, '\0', sizeof(sec.machine)) == NULL ||
	    sec.ngids > 16 || sec.ngss > NFS41_CB_GSS_OFFERS))
		__builtin_trap();
}

static const struct nfs4_idmap *
fuzz_idmap(void)
{
	static struct nfs4_idmap *m;

	if (m == NULL) {
		if ((m = nfs4_idmap_new("example.org", 1, 16)) == NULL)
			__builtin_trap();
		nfs4_idmap_add_user(m, "alice", 1000);
		nfs4_idmap_add_group(m, "staff", 50);
	}
	return m;
}

static void
fuzz_fattr(const struct nfs4_fattr_raw *f)
{
	static struct nfs4_sattr sa;
	struct nfs4_attr_src src;

	fuzz_inside(&f->vals, NFS4_ATTRVALS_MAX);
	if (nfs4_fattr_decode_sattr(f, fuzz_idmap(), &sa) == NFS4_OK &&
	    (sa.acl.count > ACL_ACES_MAX || (sa.mode & ~07777u) ||
	    sa.atime.nsec >= 1000000000u || sa.mtime.nsec >= 1000000000u))
		__builtin_trap();
	nfs4_attr_src_defaults(&src);
	src.mode = 0755;
	src.uid = 1000;
	(void)nfs4_fattr_verify(f, &src, fuzz_idmap(), 0);
}

static void
fuzz_getattr(const struct nfs4_bitmap *req)
{
	struct nfs4_attr_src src;
	struct xdrbuf_out o;
	static const uint8_t fh[16];

	nfs4_attr_src_defaults(&src);
	src.type = NF4DIR;
	src.mode = 0750;
	src.fh = fh;
	src.fhlen = sizeof(fh);
	src.fs_root = "/a//b/";
	xdrbuf_out_init(&o);
	if (nfs4_fattr_encode(&o, req, &src, fuzz_idmap()) == NFS4_OK &&
	    o.len % 4 != 0)
		__builtin_trap();
	xdrbuf_out_free(&o);
}

static void
fuzz_owner(const struct nfs4_owner *ow)
{
	fuzz_inside(&ow->owner, NFS4_OPAQUE_LIMIT);
}

/* What a decoded op holds must be inside the input and bounded. */
static void
fuzz_check_op(const struct nfs4_op *op)
{
	switch (op->opnum) {
	case OP_CREATE:
		fuzz_inside(&op->u.create.linkdata, NFS4_LINK_DECODE_MAX);
		fuzz_inside(&op->u.create.name, NFS4_NAME_DECODE_MAX);
		fuzz_fattr(&op->u.create.attrs);
		break;
	case OP_GETATTR:
		fuzz_getattr(&op->u.getattr.request);
		break;
	case OP_READDIR:
		fuzz_getattr(&op->u.readdir.request);
		break;
	case OP_LINK:
	case OP_LOOKUP:
	case OP_REMOVE:
	case OP_SECINFO:
		fuzz_inside(&op->u.name.name, NFS4_NAME_DECODE_MAX);
		break;
	case OP_LOCK:
		fuzz_owner(&op->u.lock.lock_owner);
		break;
	case OP_LOCKT:
		fuzz_owner(&op->u.lockt.owner);
		break;
	case OP_NVERIFY:
	case OP_VERIFY:
		fuzz_fattr(&op->u.verify.attrs);
		break;
	case OP_OPEN:
		fuzz_owner(&op->u.open.owner);
		fuzz_inside(&op->u.open.name, NFS4_NAME_DECODE_MAX);
		fuzz_fattr(&op->u.open.createattrs);
		break;
	case OP_PUTFH:
		fuzz_inside(&op->u.putfh.fh, NFS4_FHSIZE);
		break;
	case OP_RENAME:
		fuzz_inside(&op->u.rename.oldname, NFS4_NAME_DECODE_MAX);
		fuzz_inside(&op->u.rename.newname, NFS4_NAME_DECODE_MAX);
		break;
	case OP_SETATTR:
		fuzz_fattr(&op->u.setattr.attrs);
		break;
	case OP_SETCLIENTID:
		fuzz_inside(&op->u.setclientid.id, NFS4_OPAQUE_LIMIT);
		fuzz_inside(&op->u.setclientid.cb_netid, NFS4_NETID_MAX);
		fuzz_inside(&op->u.setclientid.cb_addr, NFS4_UADDR_MAX);
		break;
	case OP_WRITE:
		fuzz_inside(&op->u.write.data, NFS4_MAXIO);
		break;
	case OP_RELEASE_LOCKOWNER:
		fuzz_owner(&op->u.release_lockowner.owner);
		break;
	case OP_EXCHANGE_ID:
		fuzz_inside(&op->u.exchange_id.ownerid, NFS4_OPAQUE_LIMIT);
		fuzz_inside(&op->u.exchange_id.impl_domain, NFS41_IMPL_MAX);
		fuzz_inside(&op->u.exchange_id.impl_name, NFS41_IMPL_MAX);
		break;
	case OP_CREATE_SESSION:
		fuzz_inside(&op->u.create_session.cb_sec, NFS41_CB_SEC_MAX);
		fuzz_cb_sec(&op->u.create_session.cb_sec);
		if (op->u.create_session.fore.nrdma_ird > 1 ||
		    op->u.create_session.back.nrdma_ird > 1)
			__builtin_trap();
		break;
	case OP_BACKCHANNEL_CTL:
		fuzz_inside(&op->u.backchannel_ctl.cb_sec, NFS41_CB_SEC_MAX);
		fuzz_cb_sec(&op->u.backchannel_ctl.cb_sec);
		break;
	case OP_SECINFO_NO_NAME:
		if (op->u.secinfo_no_name.style > SECINFO_STYLE4_PARENT)
			__builtin_trap();
		break;
	default:
		break;
	}
}

/*
 * SEQUENCE against a mirror: its slot checks never index past the
 * table, a replay's reply is what was kept.
 */
static void
fuzz_sequence(const struct nfs41_sequence_args *a, const uint8_t *data,
    size_t size)
{
	static struct nfs41_mirror *m;
	struct nfs41_session *s;
	uint8_t digest[NFS41_DIGEST_SIZE];

	if (m == NULL && (m = nfs41_mirror_new(4)) == NULL)
		__builtin_trap();
	if ((s = nfs41_mirror_get(m, a->sessionid)) == NULL &&
	    (s = nfs41_mirror_add(m, a->sessionid, 1,
	    1 + a->highest_slotid % 64)) == NULL)
		__builtin_trap();
	nfs41_digest(data, size, digest);
	switch (nfs41_slot_check(s, a->slotid, a->sequenceid, digest,
	    sizeof(digest))) {
	case NFS41_SLOT_NEW:
		if (a->slotid >= s->nslots)
			__builtin_trap();
		nfs41_slot_begin(s, a->slotid, a->sequenceid, digest,
		    sizeof(digest));
		(void)nfs41_slot_done(s, a->slotid, a->sequenceid,
		    a->cachethis, data, size > 512 ? 512 : size);
		break;
	case NFS41_SLOT_REPLAY:
		if (a->slotid >= s->nslots || s->slots[a->slotid].reply_len >
		    512)
			__builtin_trap();
		break;
	default:
		break;
	}
}

static void
fuzz_compound(const uint8_t *data, size_t size)
{
	struct xdrbuf_in x;
	struct nfs4_compound c;
	struct nfs4_compound_out co;
	struct xdrbuf_out o;
	struct nfs4_op op;
	struct nfs4_res r;
	uint32_t status;
	int i;

	xdrbuf_in_init(&x, data, size);
	status = nfs4_compound_begin_minor(&c, &x, 64, 16, 1);
	if (status == NFS4ERR_BADXDR)
		return;
	fuzz_inside(&c.tag, 64);
	xdrbuf_out_init(&o);
	nfs4_compound_out_begin(&co, &o, &c.tag);
	/* Past an op's argument errors too (the position is sound). */
	for (i = 0; status == NFS4_OK && nfs4_compound_more(&c) && i < 64;
	    i++) {
		status = nfs4_compound_next(&c, &op);
		if (x.pos > x.len)
			__builtin_trap();
		fuzz_check_op(&op);
		if (status == NFS4_OK && op.opnum == OP_SEQUENCE)
			fuzz_sequence(&op.u.sequence, data, size);
		memset(&r, 0, sizeof(r));
		r.opnum = op.opnum;
		r.status = status;
		nfs4_encode_resop(&co, &r);
		if (status != NFS4ERR_BADXDR && status != NFS4ERR_RESOURCE &&
		    status != NFS4ERR_TOO_MANY_OPS &&
		    status != NFS4ERR_OP_ILLEGAL)
			status = NFS4_OK;
	}
	nfs4_compound_out_end(&co, status);
	if (o.len % 4 != 0)
		__builtin_trap();
	xdrbuf_out_free(&o);
}

/* A callback reply, as nfsd reads it from a client. */
static void
fuzz_cb_reply(const uint8_t *data, size_t size)
{
	struct xdrbuf_in x;
	struct nfs4_cb_res r;
	uint64_t change, size64;

	xdrbuf_in_init(&x, data, size);
	if (nfs4_cb_decode_res(&x, &r) != 0)
		return;
	if (x.pos > x.len)
		__builtin_trap();
	fuzz_inside(&r.tag, NFS4_TAG_MAX);
	fuzz_inside(&r.attrs.vals, NFS4_ATTRVALS_MAX);
	(void)nfs4_fattr_decode_change_size(&r.attrs, &change, &size64);
}

int
fuzz_nfs4_one(const uint8_t *data, size_t size)
{
	static uint8_t one[4 + 65536];
	struct xdrbuf_in x;
	struct nfs4_op op;
	struct nfs4_opaque whole;

	fuzz_base = data;
	fuzz_size = size;
	fuzz_compound(data, size);
	fuzz_cb_reply(data, size);
	whole.p = data;
	whole.len = (uint32_t)size;
	fuzz_cb_sec(&whole);
	if (size < 1 || size > sizeof(one) - 4)
		return 0;
	/* The same bytes as the arguments of one op. */
	one[0] = one[1] = one[2] = 0;
	one[3] = (uint8_t)(NFS4_OP_FIRST + data[0] % (NFS4_OP_LAST -
	    NFS4_OP_FIRST + 2));
	memcpy(one + 4, data + 1, size - 1);
	fuzz_base = one;
	fuzz_size = size + 3;
	xdrbuf_in_init(&x, one, size + 3);
	(void)nfs4_decode_op(&x, &op);
	if (x.pos > x.len)
		__builtin_trap();
	fuzz_check_op(&op);
	/* ... and of one 4.1 op. */
	one[3] = (uint8_t)(OP_BACKCHANNEL_CTL + data[0] % (NFS41_OP_LAST -
	    OP_BACKCHANNEL_CTL + 2));
	xdrbuf_in_init(&x, one, size + 3);
	(void)nfs4_decode_op_minor(&x, &op, NFS41_MINOR_VERSION);
	if (x.pos > x.len)
		__builtin_trap();
	fuzz_check_op(&op);
	return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_nfs4_one(data, size);
}
#endif
