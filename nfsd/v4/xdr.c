/*
 * NFSv4.0 COMPOUND on the wire (RFC 7530 15, 16; XDR of RFC 7531), and
 * the COMPOUND of minor version 1 (RFC 8881 16, 18), whose own ops are
 * xdr41.c's.
 * Decoders point into the request's record and check every length;
 * tests/fuzz/fuzz_nfs4.c feeds them garbage.  Ops are decoded one at a
 * time so that the processor runs each as it comes and stops at the
 * first error, with the results of the ops before it kept.
 */
#include <string.h>

#include "nfs4.h"

#define NFS4_PAD(n)	(((size_t)(n) + 3) & ~(size_t)3)

static const char *const nfs4_op_names[] = {
	[OP_ACCESS] = "ACCESS",
	[OP_CLOSE] = "CLOSE",
	[OP_COMMIT] = "COMMIT",
	[OP_CREATE] = "CREATE",
	[OP_DELEGPURGE] = "DELEGPURGE",
	[OP_DELEGRETURN] = "DELEGRETURN",
	[OP_GETATTR] = "GETATTR",
	[OP_GETFH] = "GETFH",
	[OP_LINK] = "LINK",
	[OP_LOCK] = "LOCK",
	[OP_LOCKT] = "LOCKT",
	[OP_LOCKU] = "LOCKU",
	[OP_LOOKUP] = "LOOKUP",
	[OP_LOOKUPP] = "LOOKUPP",
	[OP_NVERIFY] = "NVERIFY",
	[OP_OPEN] = "OPEN",
	[OP_OPENATTR] = "OPENATTR",
	[OP_OPEN_CONFIRM] = "OPEN_CONFIRM",
	[OP_OPEN_DOWNGRADE] = "OPEN_DOWNGRADE",
	[OP_PUTFH] = "PUTFH",
	[OP_PUTPUBFH] = "PUTPUBFH",
	[OP_PUTROOTFH] = "PUTROOTFH",
	[OP_READ] = "READ",
	[OP_READDIR] = "READDIR",
	[OP_READLINK] = "READLINK",
	[OP_REMOVE] = "REMOVE",
	[OP_RENAME] = "RENAME",
	[OP_RENEW] = "RENEW",
	[OP_RESTOREFH] = "RESTOREFH",
	[OP_SAVEFH] = "SAVEFH",
	[OP_SECINFO] = "SECINFO",
	[OP_SETATTR] = "SETATTR",
	[OP_SETCLIENTID] = "SETCLIENTID",
	[OP_SETCLIENTID_CONFIRM] = "SETCLIENTID_CONFIRM",
	[OP_VERIFY] = "VERIFY",
	[OP_WRITE] = "WRITE",
	[OP_RELEASE_LOCKOWNER] = "RELEASE_LOCKOWNER",
	[OP_BACKCHANNEL_CTL] = "BACKCHANNEL_CTL",
	[OP_BIND_CONN_TO_SESSION] = "BIND_CONN_TO_SESSION",
	[OP_EXCHANGE_ID] = "EXCHANGE_ID",
	[OP_CREATE_SESSION] = "CREATE_SESSION",
	[OP_DESTROY_SESSION] = "DESTROY_SESSION",
	[OP_FREE_STATEID] = "FREE_STATEID",
	[OP_GET_DIR_DELEGATION] = "GET_DIR_DELEGATION",
	[OP_GETDEVICEINFO] = "GETDEVICEINFO",
	[OP_GETDEVICELIST] = "GETDEVICELIST",
	[OP_LAYOUTCOMMIT] = "LAYOUTCOMMIT",
	[OP_LAYOUTGET] = "LAYOUTGET",
	[OP_LAYOUTRETURN] = "LAYOUTRETURN",
	[OP_SECINFO_NO_NAME] = "SECINFO_NO_NAME",
	[OP_SEQUENCE] = "SEQUENCE",
	[OP_SET_SSV] = "SET_SSV",
	[OP_TEST_STATEID] = "TEST_STATEID",
	[OP_WANT_DELEGATION] = "WANT_DELEGATION",
	[OP_DESTROY_CLIENTID] = "DESTROY_CLIENTID",
	[OP_RECLAIM_COMPLETE] = "RECLAIM_COMPLETE",
};

/* An op of NFSv4.0 (4.1's: nfs41_op_known). */
int
nfs4_op_known(uint32_t op)
{
	return op >= NFS4_OP_FIRST && op <= NFS4_OP_LAST;
}

const char *
nfs4_op_name(uint32_t op)
{
	return nfs4_op_known(op) || nfs41_op_known(op) ? nfs4_op_names[op] :
	    "ILLEGAL";
}

/* RFC 7531: bitmap4, of at most NFS4_BITMAP_WIRE_MAX words. */
int
nfs4_get_bitmap(struct xdrbuf_in *x, struct nfs4_bitmap *b)
{
	uint32_t n, i, w;

	memset(b, 0, sizeof(*b));
	if (xdrbuf_get_u32(x, &n) == -1 || n > NFS4_BITMAP_WIRE_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		if (xdrbuf_get_u32(x, &w) == -1)
			return -1;
		if (i < NFS4_BITMAP_WORDS)
			b->w[i] = w;
		else if (w != 0)
			b->beyond = 1;
	}
	return 0;
}

/* The shortest encoding: trailing zero words are left out. */
void
nfs4_put_bitmap(struct xdrbuf_out *o, const struct nfs4_bitmap *b)
{
	uint32_t n = NFS4_BITMAP_WORDS, i;

	while (n > 0 && b->w[n - 1] == 0)
		n--;
	xdrbuf_put_u32(o, n);
	for (i = 0; i < n; i++)
		xdrbuf_put_u32(o, b->w[i]);
}

int
nfs4_get_stateid(struct xdrbuf_in *x, struct nfs4_stateid *s)
{
	return xdrbuf_get_u32(x, &s->seqid) == -1 ||
	    xdrbuf_get_fixed(x, s->other, NFS4_OTHER_SIZE) == -1 ? -1 : 0;
}

void
nfs4_put_stateid(struct xdrbuf_out *o, const struct nfs4_stateid *s)
{
	xdrbuf_put_u32(o, s->seqid);
	xdrbuf_put_fixed(o, s->other, NFS4_OTHER_SIZE);
}

static int
nfs4_get_opaque(struct xdrbuf_in *x, struct nfs4_opaque *v, uint32_t max)
{
	return xdrbuf_get_opaque(x, &v->p, &v->len, max);
}

/* component4: decoded up to a sane bound, checked by nfs4_name_check(). */
static int
nfs4_get_name(struct xdrbuf_in *x, struct nfs4_opaque *v)
{
	return nfs4_get_opaque(x, v, NFS4_NAME_DECODE_MAX);
}

static int
nfs4_get_owner(struct xdrbuf_in *x, struct nfs4_owner *ow)
{
	return xdrbuf_get_u64(x, &ow->clientid) == -1 ||
	    nfs4_get_opaque(x, &ow->owner, NFS4_OPAQUE_LIMIT) == -1 ? -1 : 0;
}

/* fattr4: the mask, and the values left for attr.c. */
static int
nfs4_get_fattr(struct xdrbuf_in *x, struct nfs4_fattr_raw *f)
{
	return nfs4_get_bitmap(x, &f->mask) == -1 ||
	    nfs4_get_opaque(x, &f->vals, NFS4_ATTRVALS_MAX) == -1 ? -1 : 0;
}

/*
 * RFC 7530 12.7, 16.x: a component name.  Bytes are taken as they come
 * (as NFSv3 does); empty is INVAL, too long NAMETOOLONG, a '/' or NUL
 * BADCHAR, "." and ".." BADNAME.
 */
uint32_t
nfs4_name_check(const struct nfs4_opaque *n)
{
	if (n->len == 0)
		return NFS4ERR_INVAL;
	if (n->len > NFS4_NAME_MAX)
		return NFS4ERR_NAMETOOLONG;
	if (memchr(n->p, '/', n->len) != NULL ||
	    memchr(n->p, '\0', n->len) != NULL)
		return NFS4ERR_BADCHAR;
	if ((n->len == 1 && n->p[0] == '.') ||
	    (n->len == 2 && n->p[0] == '.' && n->p[1] == '.'))
		return NFS4ERR_BADNAME;
	return NFS4_OK;
}

static int
nfs4_share_valid(uint32_t access, uint32_t deny)
{
	return access >= OPEN4_SHARE_ACCESS_READ &&
	    access <= OPEN4_SHARE_ACCESS_BOTH && deny <= OPEN4_SHARE_DENY_BOTH;
}

static int
nfs4_locktype_valid(uint32_t t)
{
	return t >= READ_LT && t <= WRITEW_LT;
}

/* RFC 7530 16.4: CREATE4args. */
static uint32_t
nfs4_decode_create(struct xdrbuf_in *x, struct nfs4_create_args *a)
{
	uint32_t status = NFS4_OK;

	if (xdrbuf_get_u32(x, &a->type) == -1)
		return NFS4ERR_BADXDR;
	switch (a->type) {
	case NF4LNK:
		if (nfs4_get_opaque(x, &a->linkdata,
		    NFS4_LINK_DECODE_MAX) == -1)
			return NFS4ERR_BADXDR;
		if (a->linkdata.len > NFS4_LINK_MAX)
			status = NFS4ERR_NAMETOOLONG;
		break;
	case NF4BLK:
	case NF4CHR:
		if (xdrbuf_get_u32(x, &a->specdata1) == -1 ||
		    xdrbuf_get_u32(x, &a->specdata2) == -1)
			return NFS4ERR_BADXDR;
		break;
	case NF4SOCK:
	case NF4FIFO:
	case NF4DIR:
		break;
	default:
		/* The union's default arm is void: the server says BADTYPE. */
		status = NFS4ERR_BADTYPE;
		break;
	}
	if (nfs4_get_name(x, &a->name) == -1 ||
	    nfs4_get_fattr(x, &a->attrs) == -1)
		return NFS4ERR_BADXDR;
	if (status != NFS4_OK)
		return status;
	return nfs4_name_check(&a->name);
}

/* RFC 7530 16.10: LOCK4args. */
static uint32_t
nfs4_decode_lock(struct xdrbuf_in *x, struct nfs4_lock_args *a)
{
	if (xdrbuf_get_u32(x, &a->locktype) == -1 ||
	    !nfs4_locktype_valid(a->locktype) ||
	    xdrbuf_get_bool(x, &a->reclaim) == -1 ||
	    xdrbuf_get_u64(x, &a->offset) == -1 ||
	    xdrbuf_get_u64(x, &a->length) == -1 ||
	    xdrbuf_get_bool(x, &a->new_lock_owner) == -1)
		return NFS4ERR_BADXDR;
	if (a->new_lock_owner) {
		if (xdrbuf_get_u32(x, &a->open_seqid) == -1 ||
		    nfs4_get_stateid(x, &a->open_stateid) == -1 ||
		    xdrbuf_get_u32(x, &a->lock_seqid) == -1 ||
		    nfs4_get_owner(x, &a->lock_owner) == -1)
			return NFS4ERR_BADXDR;
	} else if (nfs4_get_stateid(x, &a->lock_stateid) == -1 ||
	    xdrbuf_get_u32(x, &a->lock_seqid) == -1)
		return NFS4ERR_BADXDR;
	return NFS4_OK;
}

/*
 * RFC 7530 16.16: OPEN4args; RFC 8881 18.16 adds EXCLUSIVE4_1 (served as
 * EXCLUSIVE4 with attributes: the store keeps the verifier apart) and
 * the claims by filehandle, which the processor answers.
 */
static uint32_t
nfs4_decode_open(struct xdrbuf_in *x, struct nfs4_open_args *a,
    uint32_t minor)
{
	if (xdrbuf_get_u32(x, &a->seqid) == -1 ||
	    xdrbuf_get_u32(x, &a->share_access) == -1 ||
	    xdrbuf_get_u32(x, &a->share_deny) == -1 ||
	    nfs4_get_owner(x, &a->owner) == -1 ||
	    xdrbuf_get_u32(x, &a->opentype) == -1)
		return NFS4ERR_BADXDR;
	/* RFC 8881 18.16.3: 4.1 says what delegation it wants up there. */
	a->want = 0;
	if (minor >= NFS41_MINOR_VERSION) {
		a->want = a->share_access & ~(uint32_t)OPEN4_SHARE_ACCESS_MASK;
		a->share_access &= OPEN4_SHARE_ACCESS_MASK;
		if ((a->want & ~(uint32_t)(OPEN4_SHARE_WANT_MASK |
		    OPEN4_SHARE_WANT_SIGNAL | OPEN4_SHARE_WANT_PUSH)) != 0 ||
		    (a->want & OPEN4_SHARE_WANT_MASK) >
		    OPEN4_SHARE_WANT_CANCEL)
			return NFS4ERR_INVAL;
	}
	a->excl41 = 0;
	switch (a->opentype) {
	case OPEN4_NOCREATE:
		break;
	case OPEN4_CREATE:
		if (xdrbuf_get_u32(x, &a->createmode) == -1)
			return NFS4ERR_BADXDR;
		switch (a->createmode) {
		case UNCHECKED4:
		case GUARDED4:
			if (nfs4_get_fattr(x, &a->createattrs) == -1)
				return NFS4ERR_BADXDR;
			break;
		case EXCLUSIVE4:
			if (xdrbuf_get_fixed(x, a->verf,
			    NFS4_VERIFIER_SIZE) == -1)
				return NFS4ERR_BADXDR;
			break;
		case EXCLUSIVE4_1:
			if (minor < NFS41_MINOR_VERSION ||
			    xdrbuf_get_fixed(x, a->verf,
			    NFS4_VERIFIER_SIZE) == -1 ||
			    nfs4_get_fattr(x, &a->createattrs) == -1)
				return NFS4ERR_BADXDR;
			a->createmode = EXCLUSIVE4;
			a->excl41 = 1;
			break;
		default:
			return NFS4ERR_BADXDR;
		}
		break;
	default:
		return NFS4ERR_BADXDR;
	}
	if (xdrbuf_get_u32(x, &a->claim) == -1)
		return NFS4ERR_BADXDR;
	switch (a->claim) {
	case CLAIM_NULL:
	case CLAIM_DELEGATE_PREV:
		if (nfs4_get_name(x, &a->name) == -1)
			return NFS4ERR_BADXDR;
		break;
	case CLAIM_PREVIOUS:
		if (xdrbuf_get_u32(x, &a->delegate_type) == -1 ||
		    a->delegate_type > OPEN_DELEGATE_WRITE)
			return NFS4ERR_BADXDR;
		break;
	case CLAIM_DELEGATE_CUR:
		if (nfs4_get_stateid(x, &a->delegate_stateid) == -1 ||
		    nfs4_get_name(x, &a->name) == -1)
			return NFS4ERR_BADXDR;
		break;
	case CLAIM_FH:
	case CLAIM_DELEG_PREV_FH:
		if (minor < NFS41_MINOR_VERSION)
			return NFS4ERR_BADXDR;
		break;
	case CLAIM_DELEG_CUR_FH:
		if (minor < NFS41_MINOR_VERSION ||
		    nfs4_get_stateid(x, &a->delegate_stateid) == -1)
			return NFS4ERR_BADXDR;
		break;
	default:
		return NFS4ERR_BADXDR;
	}
	/* RFC 7530 16.16.5: share_access 0 (or unknown bits) is INVAL. */
	if (!nfs4_share_valid(a->share_access, a->share_deny))
		return NFS4ERR_INVAL;
	return a->claim == CLAIM_NULL || a->claim == CLAIM_DELEGATE_CUR ||
	    a->claim == CLAIM_DELEGATE_PREV ? nfs4_name_check(&a->name) :
	    NFS4_OK;
}

/* RFC 7530 16.33: SETCLIENTID4args. */
static uint32_t
nfs4_decode_setclientid(struct xdrbuf_in *x, struct nfs4_setclientid_args *a)
{
	if (xdrbuf_get_fixed(x, a->verf, NFS4_VERIFIER_SIZE) == -1 ||
	    nfs4_get_opaque(x, &a->id, NFS4_OPAQUE_LIMIT) == -1 ||
	    xdrbuf_get_u32(x, &a->cb_program) == -1 ||
	    nfs4_get_opaque(x, &a->cb_netid, NFS4_NETID_MAX) == -1 ||
	    nfs4_get_opaque(x, &a->cb_addr, NFS4_UADDR_MAX) == -1 ||
	    xdrbuf_get_u32(x, &a->cb_ident) == -1)
		return NFS4ERR_BADXDR;
	return NFS4_OK;
}

/* The rest of one op, after its number: NFS4_OK or the op's status. */
static uint32_t
nfs4_decode_body(struct xdrbuf_in *x, struct nfs4_op *op, uint32_t minor)
{
	int bad = 0;

	switch (op->opnum) {
	case OP_ACCESS:
		bad = xdrbuf_get_u32(x, &op->u.access.access);
		break;
	case OP_CLOSE:
		bad = xdrbuf_get_u32(x, &op->u.close.seqid) == -1 ||
		    nfs4_get_stateid(x, &op->u.close.stateid) == -1;
		break;
	case OP_COMMIT:
		bad = xdrbuf_get_u64(x, &op->u.commit.offset) == -1 ||
		    xdrbuf_get_u32(x, &op->u.commit.count) == -1;
		break;
	case OP_CREATE:
		return nfs4_decode_create(x, &op->u.create);
	case OP_DELEGPURGE:
	case OP_RENEW:
		bad = xdrbuf_get_u64(x, &op->u.clientid.clientid);
		break;
	case OP_DELEGRETURN:
		bad = nfs4_get_stateid(x, &op->u.delegreturn.stateid);
		break;
	case OP_GETATTR:
		bad = nfs4_get_bitmap(x, &op->u.getattr.request);
		break;
	case OP_LINK:
	case OP_LOOKUP:
	case OP_REMOVE:
	case OP_SECINFO:
		if (nfs4_get_name(x, &op->u.name.name) == -1)
			return NFS4ERR_BADXDR;
		return nfs4_name_check(&op->u.name.name);
	case OP_LOCK:
		return nfs4_decode_lock(x, &op->u.lock);
	case OP_LOCKT:
		bad = xdrbuf_get_u32(x, &op->u.lockt.locktype) == -1 ||
		    !nfs4_locktype_valid(op->u.lockt.locktype) ||
		    xdrbuf_get_u64(x, &op->u.lockt.offset) == -1 ||
		    xdrbuf_get_u64(x, &op->u.lockt.length) == -1 ||
		    nfs4_get_owner(x, &op->u.lockt.owner) == -1;
		break;
	case OP_LOCKU:
		bad = xdrbuf_get_u32(x, &op->u.locku.locktype) == -1 ||
		    !nfs4_locktype_valid(op->u.locku.locktype) ||
		    xdrbuf_get_u32(x, &op->u.locku.seqid) == -1 ||
		    nfs4_get_stateid(x, &op->u.locku.stateid) == -1 ||
		    xdrbuf_get_u64(x, &op->u.locku.offset) == -1 ||
		    xdrbuf_get_u64(x, &op->u.locku.length) == -1;
		break;
	case OP_NVERIFY:
	case OP_VERIFY:
		bad = nfs4_get_fattr(x, &op->u.verify.attrs);
		break;
	case OP_OPEN:
		return nfs4_decode_open(x, &op->u.open, minor);
	case OP_OPENATTR:
		bad = xdrbuf_get_bool(x, &op->u.openattr.createdir);
		break;
	case OP_OPEN_CONFIRM:
		bad = nfs4_get_stateid(x, &op->u.open_confirm.stateid) == -1 ||
		    xdrbuf_get_u32(x, &op->u.open_confirm.seqid) == -1;
		break;
	case OP_OPEN_DOWNGRADE:
		if (nfs4_get_stateid(x, &op->u.open_downgrade.stateid) == -1 ||
		    xdrbuf_get_u32(x, &op->u.open_downgrade.seqid) == -1 ||
		    xdrbuf_get_u32(x,
		    &op->u.open_downgrade.share_access) == -1 ||
		    xdrbuf_get_u32(x, &op->u.open_downgrade.share_deny) == -1)
			return NFS4ERR_BADXDR;
		return nfs4_share_valid(op->u.open_downgrade.share_access,
		    op->u.open_downgrade.share_deny) ? NFS4_OK : NFS4ERR_INVAL;
	case OP_PUTFH:
		bad = nfs4_get_opaque(x, &op->u.putfh.fh, NFS4_FHSIZE);
		break;
	case OP_READ:
		bad = nfs4_get_stateid(x, &op->u.read.stateid) == -1 ||
		    xdrbuf_get_u64(x, &op->u.read.offset) == -1 ||
		    xdrbuf_get_u32(x, &op->u.read.count) == -1;
		break;
	case OP_READDIR:
		bad = xdrbuf_get_u64(x, &op->u.readdir.cookie) == -1 ||
		    xdrbuf_get_fixed(x, op->u.readdir.verf,
		    NFS4_VERIFIER_SIZE) == -1 ||
		    xdrbuf_get_u32(x, &op->u.readdir.dircount) == -1 ||
		    xdrbuf_get_u32(x, &op->u.readdir.maxcount) == -1 ||
		    nfs4_get_bitmap(x, &op->u.readdir.request) == -1;
		break;
	case OP_RENAME: {
		uint32_t s;

		if (nfs4_get_name(x, &op->u.rename.oldname) == -1 ||
		    nfs4_get_name(x, &op->u.rename.newname) == -1)
			return NFS4ERR_BADXDR;
		if ((s = nfs4_name_check(&op->u.rename.oldname)) != NFS4_OK)
			return s;
		return nfs4_name_check(&op->u.rename.newname);
	}
	case OP_SETATTR:
		bad = nfs4_get_stateid(x, &op->u.setattr.stateid) == -1 ||
		    nfs4_get_fattr(x, &op->u.setattr.attrs) == -1;
		break;
	case OP_SETCLIENTID:
		return nfs4_decode_setclientid(x, &op->u.setclientid);
	case OP_SETCLIENTID_CONFIRM:
		bad = xdrbuf_get_u64(x,
		    &op->u.setclientid_confirm.clientid) == -1 ||
		    xdrbuf_get_fixed(x, op->u.setclientid_confirm.verf,
		    NFS4_VERIFIER_SIZE) == -1;
		break;
	case OP_WRITE:
		bad = nfs4_get_stateid(x, &op->u.write.stateid) == -1 ||
		    xdrbuf_get_u64(x, &op->u.write.offset) == -1 ||
		    xdrbuf_get_u32(x, &op->u.write.stable) == -1 ||
		    op->u.write.stable > FILE_SYNC4 ||
		    nfs4_get_opaque(x, &op->u.write.data, NFS4_MAXIO) == -1;
		break;
	case OP_RELEASE_LOCKOWNER:
		bad = nfs4_get_owner(x, &op->u.release_lockowner.owner);
		break;
	case OP_GETFH:
	case OP_LOOKUPP:
	case OP_PUTPUBFH:
	case OP_PUTROOTFH:
	case OP_READLINK:
	case OP_RESTOREFH:
	case OP_SAVEFH:
		break;
	default:
		return NFS4ERR_OP_ILLEGAL;
	}
	return bad ? NFS4ERR_BADXDR : NFS4_OK;
}

/*
 * One nfs_argop4.  NFS4_OK, or the status the op answers with: BADXDR
 * (undecodable; an unreadable op number makes it OP_ILLEGAL),
 * OP_ILLEGAL (a number we do not know; opnum becomes OP_ILLEGAL), or a
 * check of its arguments (NAMETOOLONG, INVAL, BADCHAR, BADNAME,
 * BADTYPE).
 */
uint32_t
nfs4_decode_op(struct xdrbuf_in *x, struct nfs4_op *op)
{
	return nfs4_decode_op_minor(x, op, NFS4_MINOR_VERSION);
}

/*
 * The same in a COMPOUND of minor version minor: 4.1's op numbers are
 * OP_ILLEGAL in 4.0 (RFC 7530 15.2), known in 4.1 (RFC 8881 16.2).
 * Which 4.0 ops 4.1 refuses is the processor's to say.
 */
uint32_t
nfs4_decode_op_minor(struct xdrbuf_in *x, struct nfs4_op *op, uint32_t minor)
{
	memset(op, 0, sizeof(*op));
	if (xdrbuf_get_u32(x, &op->opnum) == -1) {
		op->opnum = OP_ILLEGAL;
		return NFS4ERR_BADXDR;
	}
	if (minor >= NFS41_MINOR_VERSION && nfs41_op_known(op->opnum))
		return nfs41_decode_body(x, op);
	if (!nfs4_op_known(op->opnum)) {
		op->opnum = OP_ILLEGAL;
		return NFS4ERR_OP_ILLEGAL;
	}
	return nfs4_decode_body(x, op, minor);
}

/*
 * RFC 7530 15.2, 16.2: COMPOUND4args up to its ops.  NFS4_OK; BADXDR
 * (no header: the caller answers GARBAGE_ARGS); RESOURCE for a tag over
 * tag_max (the tag is then not echoed); MINOR_VERS_MISMATCH.  Each of
 * the last two is the COMPOUND's status with an empty resarray.
 */
uint32_t
nfs4_compound_begin(struct nfs4_compound *c, struct xdrbuf_in *x,
    uint32_t tag_max, uint32_t ops_max)
{
	return nfs4_compound_begin_minor(c, x, tag_max, ops_max,
	    NFS4_MINOR_VERSION);
}

/*
 * Minor versions above minor_max answer MINOR_VERS_MISMATCH: a Linux
 * client asking for 4.2 then falls back to 4.1 (RFC 8881 2.7).
 */
uint32_t
nfs4_compound_begin_minor(struct nfs4_compound *c, struct xdrbuf_in *x,
    uint32_t tag_max, uint32_t ops_max, uint32_t minor_max)
{
	uint32_t taglen;

	memset(c, 0, sizeof(*c));
	c->x = x;
	c->ops_max = ops_max;
	c->minor_max = minor_max;
	if (xdrbuf_get_u32(x, &taglen) == -1)
		return NFS4ERR_BADXDR;
	if (taglen > tag_max)
		return NFS4ERR_RESOURCE;
	x->pos -= 4;
	if (nfs4_get_opaque(x, &c->tag, tag_max) == -1 ||
	    xdrbuf_get_u32(x, &c->minorversion) == -1 ||
	    xdrbuf_get_u32(x, &c->nops) == -1) {
		memset(&c->tag, 0, sizeof(c->tag));
		return NFS4ERR_BADXDR;
	}
	if (c->minorversion > minor_max)
		return NFS4ERR_MINOR_VERS_MISMATCH;
	return NFS4_OK;
}

int
nfs4_compound_more(const struct nfs4_compound *c)
{
	return c->next < c->nops;
}

/*
 * The next op.  Past ops_max, the op is not decoded and answers
 * RESOURCE (RFC 7530 15.2: the server may limit a COMPOUND; the ops
 * before it have run, so the client can split the rest).
 */
uint32_t
nfs4_compound_next(struct nfs4_compound *c, struct nfs4_op *op)
{
	uint32_t opnum;

	if (c->next >= c->nops) {
		memset(op, 0, sizeof(*op));
		op->opnum = OP_ILLEGAL;
		return NFS4ERR_BADXDR;
	}
	if (c->next++ >= c->ops_max) {
		memset(op, 0, sizeof(*op));
		if (xdrbuf_get_u32(c->x, &opnum) == -1)
			opnum = OP_ILLEGAL;
		op->opnum = nfs4_op_known(opnum) || (c->minorversion >=
		    NFS41_MINOR_VERSION && nfs41_op_known(opnum)) ? opnum :
		    OP_ILLEGAL;
		/* RFC 8881 15.1.11.7: a session's limit is TOO_MANY_OPS. */
		return c->minorversion >= NFS41_MINOR_VERSION ?
		    NFS4ERR_TOO_MANY_OPS : NFS4ERR_RESOURCE;
	}
	return nfs4_decode_op_minor(c->x, op, c->minorversion);
}

void
nfs4_compound_out_begin(struct nfs4_compound_out *co, struct xdrbuf_out *o,
    const struct nfs4_opaque *tag)
{
	co->o = o;
	co->count = 0;
	co->status_at = o->len;
	xdrbuf_put_u32(o, NFS4_OK);
	if (tag != NULL)
		xdrbuf_put_opaque(o, tag->p, tag->len);
	else
		xdrbuf_put_u32(o, 0);
	co->count_at = o->len;
	xdrbuf_put_u32(o, 0);
}

/* The COMPOUND's status is the last op's (RFC 7530 15.2). */
void
nfs4_compound_out_end(struct nfs4_compound_out *co, uint32_t status)
{
	xdrbuf_put_u32_at(co->o, co->status_at, status);
	xdrbuf_put_u32_at(co->o, co->count_at, co->count);
}

static void
nfs4_put_cinfo(struct xdrbuf_out *o, const struct nfs4_change_info *c)
{
	xdrbuf_put_u32(o, c->atomic ? 1 : 0);
	xdrbuf_put_u64(o, c->before);
	xdrbuf_put_u64(o, c->after);
}

static void
nfs4_put_owner(struct xdrbuf_out *o, const struct nfs4_owner *ow)
{
	xdrbuf_put_u64(o, ow->clientid);
	xdrbuf_put_opaque(o, ow->owner.p, ow->owner.len);
}

/* LOCK4denied */
static void
nfs4_put_denied(struct xdrbuf_out *o, const struct nfs4_lock_denied *d)
{
	xdrbuf_put_u64(o, d->offset);
	xdrbuf_put_u64(o, d->length);
	xdrbuf_put_u32(o, d->locktype);
	nfs4_put_owner(o, &d->owner);
}

static void
nfs4_put_ace(struct xdrbuf_out *o, const struct nfs4_ace *a)
{
	xdrbuf_put_u32(o, a->type);
	xdrbuf_put_u32(o, a->flag);
	xdrbuf_put_u32(o, a->mask);
	xdrbuf_put_opaque(o, a->who.p, a->who.len);
}

/* RFC 7530 16.16, RFC 8881 18.16: open_delegation4 (OPEN's, and 4.1's
 * WANT_DELEGATION's). */
void
nfs4_put_open_delegation(struct xdrbuf_out *o, const struct nfs4_open_res *r)
{
	xdrbuf_put_u32(o, r->deleg_type);
	switch (r->deleg_type) {
	case OPEN_DELEGATE_READ:
		nfs4_put_stateid(o, &r->deleg_stateid);
		xdrbuf_put_u32(o, r->deleg_recall ? 1 : 0);
		nfs4_put_ace(o, &r->permissions);
		break;
	case OPEN_DELEGATE_WRITE:
		nfs4_put_stateid(o, &r->deleg_stateid);
		xdrbuf_put_u32(o, r->deleg_recall ? 1 : 0);
		xdrbuf_put_u32(o, r->limitby);
		if (r->limitby == NFS_LIMIT_BLOCKS) {
			xdrbuf_put_u32(o, r->num_blocks);
			xdrbuf_put_u32(o, r->bytes_per_block);
		} else
			xdrbuf_put_u64(o, r->filesize);
		nfs4_put_ace(o, &r->permissions);
		break;
	case OPEN_DELEGATE_NONE_EXT:
		/* RFC 8881 18.16: why not, and that it will not push one. */
		xdrbuf_put_u32(o, r->deleg_why);
		if (r->deleg_why == WND4_CONTENTION ||
		    r->deleg_why == WND4_RESOURCE)
			xdrbuf_put_u32(o, 0);
		break;
	default:
		break;
	}
}

/* RFC 7530 16.16: OPEN4resok with its open_delegation4. */
static void
nfs4_put_open(struct xdrbuf_out *o, const struct nfs4_open_res *r)
{
	nfs4_put_stateid(o, &r->stateid);
	nfs4_put_cinfo(o, &r->cinfo);
	xdrbuf_put_u32(o, r->rflags);
	nfs4_put_bitmap(o, &r->attrset);
	nfs4_put_open_delegation(o, r);
}

static void
nfs4_put_secinfo(struct xdrbuf_out *o, size_t n,
    const struct nfs4_secinfo *s)
{
	size_t i;

	xdrbuf_put_u32(o, (uint32_t)n);
	for (i = 0; i < n; i++) {
		xdrbuf_put_u32(o, s[i].flavor);
		if (s[i].flavor == NFS4_RPCSEC_GSS) {
			xdrbuf_put_opaque(o, s[i].oid.p, s[i].oid.len);
			xdrbuf_put_u32(o, s[i].qop);
			xdrbuf_put_u32(o, s[i].service);
		}
	}
}

/* The body of an op's result whose status is NFS4_OK. */
static void
nfs4_put_resok(struct xdrbuf_out *o, const struct nfs4_res *r)
{
	switch (r->opnum) {
	case OP_ACCESS:
		xdrbuf_put_u32(o, r->u.access.supported);
		xdrbuf_put_u32(o, r->u.access.access);
		break;
	case OP_CLOSE:
	case OP_LOCK:
	case OP_LOCKU:
	case OP_OPEN_CONFIRM:
	case OP_OPEN_DOWNGRADE:
		nfs4_put_stateid(o, &r->u.stateid);
		break;
	case OP_COMMIT:
		xdrbuf_put_fixed(o, r->u.verf, NFS4_VERIFIER_SIZE);
		break;
	case OP_CREATE:
		nfs4_put_cinfo(o, &r->u.create.cinfo);
		nfs4_put_bitmap(o, &r->u.create.attrset);
		break;
	case OP_GETATTR:
		/* Already a whole fattr4, a multiple of 4 bytes long. */
		xdrbuf_put_fixed(o, r->u.fattr.p, r->u.fattr.len);
		break;
	case OP_GETFH:
		xdrbuf_put_opaque(o, r->u.fh.p, r->u.fh.len);
		break;
	case OP_LINK:
	case OP_REMOVE:
		nfs4_put_cinfo(o, &r->u.cinfo);
		break;
	case OP_OPEN:
		nfs4_put_open(o, &r->u.open);
		break;
	case OP_READ:
		xdrbuf_put_u32(o, r->u.read.eof ? 1 : 0);
		xdrbuf_put_opaque(o, r->u.read.data.p, r->u.read.data.len);
		break;
	case OP_READDIR:
		xdrbuf_put_fixed(o, r->u.readdir.verf, NFS4_VERIFIER_SIZE);
		xdrbuf_put_fixed(o, r->u.readdir.entries.p,
		    r->u.readdir.entries.len);
		xdrbuf_put_u32(o, 0);		/* no next entry */
		xdrbuf_put_u32(o, r->u.readdir.eof ? 1 : 0);
		break;
	case OP_READLINK:
		xdrbuf_put_opaque(o, r->u.link.p, r->u.link.len);
		break;
	case OP_RENAME:
		nfs4_put_cinfo(o, &r->u.rename.source);
		nfs4_put_cinfo(o, &r->u.rename.target);
		break;
	case OP_SECINFO:
	case OP_SECINFO_NO_NAME:
		nfs4_put_secinfo(o, r->u.secinfo.count, r->u.secinfo.flavors);
		break;
	case OP_SETCLIENTID:
		xdrbuf_put_u64(o, r->u.setclientid.clientid);
		xdrbuf_put_fixed(o, r->u.setclientid.verf,
		    NFS4_VERIFIER_SIZE);
		break;
	case OP_WRITE:
		xdrbuf_put_u32(o, r->u.write.count);
		xdrbuf_put_u32(o, r->u.write.committed);
		xdrbuf_put_fixed(o, r->u.write.verf, NFS4_VERIFIER_SIZE);
		break;
	default:
		nfs41_put_resok(o, r);
		break;
	}
}

/* RFC 7531: nfs_resop4, one element of COMPOUND4res's resarray. */
void
nfs4_encode_resop(struct nfs4_compound_out *co, const struct nfs4_res *r)
{
	struct xdrbuf_out *o = co->o;

	xdrbuf_put_u32(o, r->opnum);
	xdrbuf_put_u32(o, r->status);
	co->count++;
	/* SETATTR4res carries attrsset whatever the status. */
	if (r->opnum == OP_SETATTR) {
		nfs4_put_bitmap(o, &r->u.attrsset);
		return;
	}
	if (r->status == NFS4ERR_DENIED &&
	    (r->opnum == OP_LOCK || r->opnum == OP_LOCKT)) {
		nfs4_put_denied(o, &r->u.denied);
		return;
	}
	if (r->status == NFS4ERR_CLID_INUSE && r->opnum == OP_SETCLIENTID) {
		xdrbuf_put_opaque(o, r->u.setclientid.netid.p,
		    r->u.setclientid.netid.len);
		xdrbuf_put_opaque(o, r->u.setclientid.addr.p,
		    r->u.setclientid.addr.len);
		return;
	}
	if (r->status == NFS4_OK)
		nfs4_put_resok(o, r);
}

/*
 * RFC 7530 16.24: one entry4 of a READDIR reply, with the "value
 * follows" word before it; the fattr4 is attr.c's whole encoding.
 */
void
nfs4_encode_readdir_entry(struct xdrbuf_out *o, uint64_t cookie,
    const struct nfs4_opaque *name, const struct nfs4_opaque *fattr)
{
	xdrbuf_put_u32(o, 1);
	xdrbuf_put_u64(o, cookie);
	xdrbuf_put_opaque(o, name->p, name->len);
	xdrbuf_put_fixed(o, fattr->p, fattr->len);
}

/* What an entry adds to the reply, for READDIR's maxcount and dircount. */
size_t
nfs4_readdir_entry_size(uint32_t namelen, size_t fattrlen)
{
	return 4 + 8 + 4 + NFS4_PAD(namelen) + NFS4_PAD(fattrlen);
}
