/*
 * NFSv4.1's operations on the wire (RFC 8881 18; XDR of RFC 5662): the
 * session ops' arguments and results.  Pure, as xdr.c: decoders point
 * into the request's record and check every length; the fuzz target
 * (tests/fuzz/fuzz_nfs4.c) feeds them garbage.  The ops nfsd answers
 * NFS4ERR_NOTSUPP (pNFS, SET_SSV) are not decoded: a
 * COMPOUND ends at them (FREE_STATEID and TEST_STATEID decode their own
 * arguments, xdr41_stateid.c).
 */
#include <string.h>

#include "nfs4.h"

static int
nfs41_get_opaque(struct xdrbuf_in *x, struct nfs4_opaque *v, uint32_t max)
{
	return xdrbuf_get_opaque(x, &v->p, &v->len, max);
}

/* RFC 8881 18.36: channel_attrs4. */
static int
nfs41_get_channel(struct xdrbuf_in *x, struct nfs41_channel *c)
{
	uint32_t n;

	if (xdrbuf_get_u32(x, &c->headerpadsize) == -1 ||
	    xdrbuf_get_u32(x, &c->maxrequestsize) == -1 ||
	    xdrbuf_get_u32(x, &c->maxresponsesize) == -1 ||
	    xdrbuf_get_u32(x, &c->maxresponsesize_cached) == -1 ||
	    xdrbuf_get_u32(x, &c->maxoperations) == -1 ||
	    xdrbuf_get_u32(x, &c->maxrequests) == -1 ||
	    xdrbuf_get_u32(x, &n) == -1 || n > 1)
		return -1;
	if (n == 1 && xdrbuf_get_u32(x, &c->rdma_ird) == -1)
		return -1;
	c->nrdma_ird = n;
	return 0;
}

static void
nfs41_put_channel(struct xdrbuf_out *o, const struct nfs41_channel *c)
{
	xdrbuf_put_u32(o, c->headerpadsize);
	xdrbuf_put_u32(o, c->maxrequestsize);
	xdrbuf_put_u32(o, c->maxresponsesize);
	xdrbuf_put_u32(o, c->maxresponsesize_cached);
	xdrbuf_put_u32(o, c->maxoperations);
	xdrbuf_put_u32(o, c->maxrequests);
	xdrbuf_put_u32(o, 0);		/* no RDMA: ca_rdma_ird empty */
}

/* state_protect_ops4: two bitmap4s, read and left. */
static int
nfs41_skip_protect_ops(struct xdrbuf_in *x)
{
	struct nfs4_bitmap b;

	return nfs4_get_bitmap(x, &b) == -1 || nfs4_get_bitmap(x, &b) == -1 ?
	    -1 : 0;
}

/* RFC 8881 18.35: EXCHANGE_ID4args. */
static uint32_t
nfs41_decode_exchange_id(struct xdrbuf_in *x, struct nfs41_exchange_id_args *a)
{
	struct nfs4_opaque oid;
	uint32_t n, i, nimpl;
	uint64_t sec;

	if (xdrbuf_get_fixed(x, a->verf, NFS4_VERIFIER_SIZE) == -1 ||
	    nfs41_get_opaque(x, &a->ownerid, NFS4_OPAQUE_LIMIT) == -1 ||
	    xdrbuf_get_u32(x, &a->flags) == -1 ||
	    xdrbuf_get_u32(x, &a->protect) == -1)
		return NFS4ERR_BADXDR;
	switch (a->protect) {
	case SP4_NONE:
		break;
	case SP4_MACH_CRED:
		/* spa_mach_ops: state_protect_ops4. */
		if (nfs4_get_bitmap(x, &a->enforce) == -1 ||
		    nfs4_get_bitmap(x, &a->allow) == -1)
			return NFS4ERR_BADXDR;
		break;
	case SP4_SSV:
		/* ssv_sp_parms4: ops, hash and encryption oids, two counts. */
		if (nfs41_skip_protect_ops(x) == -1)
			return NFS4ERR_BADXDR;
		for (i = 0; i < 2; i++) {
			if (xdrbuf_get_u32(x, &n) == -1 || n > 64)
				return NFS4ERR_BADXDR;
			while (n-- > 0)
				if (nfs41_get_opaque(x, &oid,
				    NFS4_OPAQUE_LIMIT) == -1)
					return NFS4ERR_BADXDR;
		}
		if (xdrbuf_get_u32(x, &n) == -1 || xdrbuf_get_u32(x, &n) == -1)
			return NFS4ERR_BADXDR;
		break;
	default:
		return NFS4ERR_BADXDR;
	}
	if (xdrbuf_get_u32(x, &nimpl) == -1 || nimpl > 1)
		return NFS4ERR_BADXDR;
	if (nimpl == 1) {
		a->has_impl = 1;
		if (nfs41_get_opaque(x, &a->impl_domain, NFS41_IMPL_MAX) == -1 ||
		    nfs41_get_opaque(x, &a->impl_name, NFS41_IMPL_MAX) == -1 ||
		    xdrbuf_get_u64(x, &sec) == -1 ||
		    xdrbuf_get_u32(x, &n) == -1)
			return NFS4ERR_BADXDR;
	}
	if (a->ownerid.len == 0)
		return NFS4ERR_INVAL;
	return NFS4_OK;
}

/*
 * RFC 8881 18.36: callback_sec_parms4<>, whose bytes (count included)
 * are passed on as they came: each element is checked for its shape.
 */
static int
nfs41_get_cb_sec(struct xdrbuf_in *x, struct nfs4_opaque *out)
{
	size_t start = x->pos;
	struct nfs4_opaque v;
	uint32_t n, flavor, w, ngids;

	if (xdrbuf_get_u32(x, &n) == -1 || n > 16)
		return -1;
	while (n-- > 0) {
		if (xdrbuf_get_u32(x, &flavor) == -1)
			return -1;
		switch (flavor) {
		case NFS4_AUTH_NONE:
			break;
		case NFS4_AUTH_SYS:
			/* authsys_parms: stamp, machine, uid, gid, gids<16>. */
			if (xdrbuf_get_u32(x, &w) == -1 ||
			    nfs41_get_opaque(x, &v, 255) == -1 ||
			    xdrbuf_get_u32(x, &w) == -1 ||
			    xdrbuf_get_u32(x, &w) == -1 ||
			    xdrbuf_get_u32(x, &ngids) == -1 || ngids > 16 ||
			    xdrbuf_skip(x, (size_t)ngids * 4) == -1)
				return -1;
			break;
		case NFS4_RPCSEC_GSS:
			/* gss_cb_handles4: service, two handles. */
			if (xdrbuf_get_u32(x, &w) == -1 ||
			    nfs41_get_opaque(x, &v, NFS4_OPAQUE_LIMIT) == -1 ||
			    nfs41_get_opaque(x, &v, NFS4_OPAQUE_LIMIT) == -1)
				return -1;
			break;
		default:
			return -1;
		}
	}
	if (x->pos - start > NFS41_CB_SEC_MAX)
		return -1;
	out->p = x->p + start;
	out->len = (uint32_t)(x->pos - start);
	return 0;
}

/*
 * RFC 8881 2.10.8.2: the flavours a client offers for its callbacks:
 * its first AUTH_SYS parameters, AUTH_NONE, and its RPCSEC_GSS handles
 * (at most NFS41_CB_GSS_OFFERS, of a known service and handles nfsd
 * could hold; whose contexts nfsd holds is cb_gss41.c's question).  -1
 * when nothing usable is offered.
 */
int
nfs41_cb_sec_pick(const struct nfs4_opaque *sec, struct nfs41_cb_sec *out)
{
	struct xdrbuf_in x;
	struct nfs4_opaque v, hc;
	struct nfs41_cb_gss_offer *g;
	uint32_t n, flavor, w, i;
	int none = 0;

	memset(out, 0, sizeof(*out));
	xdrbuf_in_init(&x, sec->p, sec->len);
	if (xdrbuf_get_u32(&x, &n) == -1)
		return -1;
	while (n-- > 0) {
		if (xdrbuf_get_u32(&x, &flavor) == -1)
			return -1;
		switch (flavor) {
		case NFS4_AUTH_NONE:
			none = 1;
			break;
		case NFS4_AUTH_SYS:
			if (out->usable && out->flavor == NFS4_AUTH_SYS) {
				/* The first one offered. */
				if (xdrbuf_get_u32(&x, &w) == -1 ||
				    nfs41_get_opaque(&x, &v, 255) == -1 ||
				    xdrbuf_skip(&x, 8) == -1 ||
				    xdrbuf_get_u32(&x, &w) == -1 || w > 16 ||
				    xdrbuf_skip(&x, (size_t)w * 4) == -1)
					return -1;
				break;
			}
			out->usable = 1;
			out->flavor = NFS4_AUTH_SYS;
			if (xdrbuf_get_u32(&x, &out->stamp) == -1 ||
			    nfs41_get_opaque(&x, &v, 255) == -1 ||
			    xdrbuf_get_u32(&x, &out->uid) == -1 ||
			    xdrbuf_get_u32(&x, &out->gid) == -1 ||
			    xdrbuf_get_u32(&x, &out->ngids) == -1 ||
			    out->ngids > 16)
				return -1;
			memcpy(out->machine, v.p, v.len);
			out->machine[v.len] = '\0';
			for (i = 0; i < out->ngids; i++)
				if (xdrbuf_get_u32(&x, &out->gids[i]) ==
				    -1)
					return -1;
			break;
		case NFS4_RPCSEC_GSS:
			/* gss_cb_handles4 (RFC 2203's rpc_gss_svc_t 1-3). */
			if (xdrbuf_get_u32(&x, &w) == -1 ||
			    nfs41_get_opaque(&x, &v, NFS4_OPAQUE_LIMIT) == -1 ||
			    nfs41_get_opaque(&x, &hc, NFS4_OPAQUE_LIMIT) == -1)
				return -1;
			out->gss_offered++;
			if (out->ngss == NFS41_CB_GSS_OFFERS || w < 1 || w > 3 ||
			    v.len == 0 || v.len > NFS41_CB_GSS_HANDLE_MAX ||
			    hc.len > NFS41_CB_GSS_HANDLE_MAX)
				break;
			g = &out->gss[out->ngss++];
			g->service = w;
			memcpy(g->server, v.p, v.len);
			g->server_len = v.len;
			memcpy(g->client, hc.p, hc.len);
			g->client_len = hc.len;
			break;
		default:
			return -1;
		}
	}
	if (!out->usable && none) {
		out->usable = 1;
		out->flavor = NFS4_AUTH_NONE;
	}
	return out->usable || out->ngss > 0 ? 0 : -1;
}

/* RFC 8881 18.36: CREATE_SESSION4args. */
static uint32_t
nfs41_decode_create_session(struct xdrbuf_in *x,
    struct nfs41_create_session_args *a)
{
	if (xdrbuf_get_u64(x, &a->clientid) == -1 ||
	    xdrbuf_get_u32(x, &a->sequence) == -1 ||
	    xdrbuf_get_u32(x, &a->flags) == -1 ||
	    nfs41_get_channel(x, &a->fore) == -1 ||
	    nfs41_get_channel(x, &a->back) == -1 ||
	    xdrbuf_get_u32(x, &a->cb_program) == -1 ||
	    nfs41_get_cb_sec(x, &a->cb_sec) == -1)
		return NFS4ERR_BADXDR;
	return NFS4_OK;
}

int
nfs41_op_known(uint32_t op)
{
	return op >= OP_BACKCHANNEL_CTL && op <= NFS41_OP_LAST;
}

/* The rest of a 4.1 op after its number: NFS4_OK or the op's status. */
uint32_t
nfs41_decode_body(struct xdrbuf_in *x, struct nfs4_op *op)
{
	int bad = 0;

	switch (op->opnum) {
	case OP_BACKCHANNEL_CTL:
		bad = xdrbuf_get_u32(x, &op->u.backchannel_ctl.cb_program) ==
		    -1 || nfs41_get_cb_sec(x, &op->u.backchannel_ctl.cb_sec) ==
		    -1;
		break;
	case OP_BIND_CONN_TO_SESSION:
		bad = xdrbuf_get_fixed(x, op->u.bind_conn.sessionid,
		    NFS41_SESSIONID_SIZE) == -1 ||
		    xdrbuf_get_u32(x, &op->u.bind_conn.dir) == -1 ||
		    xdrbuf_get_bool(x, &op->u.bind_conn.rdma) == -1;
		break;
	case OP_EXCHANGE_ID:
		return nfs41_decode_exchange_id(x, &op->u.exchange_id);
	case OP_CREATE_SESSION:
		return nfs41_decode_create_session(x, &op->u.create_session);
	case OP_DESTROY_SESSION:
		bad = xdrbuf_get_fixed(x, op->u.destroy_session.sessionid,
		    NFS41_SESSIONID_SIZE);
		break;
	case OP_SECINFO_NO_NAME: {
		uint32_t style;

		if (xdrbuf_get_u32(x, &style) == -1 ||
		    style > SECINFO_STYLE4_PARENT)
			return NFS4ERR_BADXDR;
		op->u.secinfo_no_name.style = style;
		break;
	}
	case OP_SEQUENCE:
		bad = xdrbuf_get_fixed(x, op->u.sequence.sessionid,
		    NFS41_SESSIONID_SIZE) == -1 ||
		    xdrbuf_get_u32(x, &op->u.sequence.sequenceid) == -1 ||
		    xdrbuf_get_u32(x, &op->u.sequence.slotid) == -1 ||
		    xdrbuf_get_u32(x, &op->u.sequence.highest_slotid) == -1 ||
		    xdrbuf_get_bool(x, &op->u.sequence.cachethis) == -1;
		break;
	case OP_DESTROY_CLIENTID:
		bad = xdrbuf_get_u64(x, &op->u.clientid.clientid);
		break;
	case OP_RECLAIM_COMPLETE:
		bad = xdrbuf_get_bool(x, &op->u.reclaim_complete.one_fs);
		break;
	case OP_GET_DIR_DELEGATION: {
		struct nfs41_get_dir_delegation_args *a =
		    &op->u.get_dir_delegation;
		uint64_t sec;
		uint32_t nsec;

		/* The two attr_notice4 delays: nfstime4 each, unused. */
		bad = xdrbuf_get_bool(x, &a->signal) == -1 ||
		    nfs4_get_bitmap(x, &a->types) == -1 ||
		    xdrbuf_get_u64(x, &sec) == -1 ||
		    xdrbuf_get_u32(x, &nsec) == -1 ||
		    xdrbuf_get_u64(x, &sec) == -1 ||
		    xdrbuf_get_u32(x, &nsec) == -1 ||
		    nfs4_get_bitmap(x, &a->child_attrs) == -1 ||
		    nfs4_get_bitmap(x, &a->dir_attrs) == -1;
		break;
	}
	case OP_WANT_DELEGATION:
		/* RFC 8881 18.49.1: want and deleg_claim4, as OPEN's. */
		if (xdrbuf_get_u32(x, &op->u.open.want) == -1 ||
		    xdrbuf_get_u32(x, &op->u.open.claim) == -1)
			return NFS4ERR_BADXDR;
		switch (op->u.open.claim) {
		case CLAIM_FH:
		case CLAIM_DELEG_PREV_FH:
			break;
		case CLAIM_PREVIOUS:
			bad = xdrbuf_get_u32(x, &op->u.open.delegate_type) == -1;
			break;
		default:
			return NFS4ERR_BADXDR;
		}
		break;
	case OP_FREE_STATEID:
	case OP_GETDEVICEINFO:
	case OP_GETDEVICELIST:
	case OP_LAYOUTCOMMIT:
	case OP_LAYOUTGET:
	case OP_LAYOUTRETURN:
	case OP_SET_SSV:
	case OP_TEST_STATEID:
		/* Answered NOTSUPP, which ends the COMPOUND: not decoded. */
		break;
	default:
		return NFS4ERR_OP_ILLEGAL;
	}
	return bad ? NFS4ERR_BADXDR : NFS4_OK;
}

/* The body of a 4.1 op's result whose status is NFS4_OK. */
void
nfs41_put_resok(struct xdrbuf_out *o, const struct nfs4_res *r)
{
	switch (r->opnum) {
	case OP_EXCHANGE_ID:
		xdrbuf_put_u64(o, r->u.exchange_id.clientid);
		xdrbuf_put_u32(o, r->u.exchange_id.sequenceid);
		xdrbuf_put_u32(o, r->u.exchange_id.flags);
		/* eir_state_protect: spr_mach_ops with SP4_MACH_CRED. */
		xdrbuf_put_u32(o, r->u.exchange_id.protect);
		if (r->u.exchange_id.protect == SP4_MACH_CRED) {
			nfs4_put_bitmap(o, &r->u.exchange_id.enforce);
			nfs4_put_bitmap(o, &r->u.exchange_id.allow);
		}
		xdrbuf_put_u64(o, r->u.exchange_id.owner_minor);
		xdrbuf_put_opaque(o, r->u.exchange_id.owner_major.p,
		    r->u.exchange_id.owner_major.len);
		xdrbuf_put_opaque(o, r->u.exchange_id.scope.p,
		    r->u.exchange_id.scope.len);
		xdrbuf_put_u32(o, 1);			/* eir_server_impl_id */
		xdrbuf_put_opaque(o, r->u.exchange_id.impl_domain.p,
		    r->u.exchange_id.impl_domain.len);
		xdrbuf_put_opaque(o, r->u.exchange_id.impl_name.p,
		    r->u.exchange_id.impl_name.len);
		xdrbuf_put_u64(o, 0);			/* nii_date */
		xdrbuf_put_u32(o, 0);
		break;
	case OP_CREATE_SESSION:
		xdrbuf_put_fixed(o, r->u.create_session.sessionid,
		    NFS41_SESSIONID_SIZE);
		xdrbuf_put_u32(o, r->u.create_session.sequence);
		xdrbuf_put_u32(o, r->u.create_session.flags);
		nfs41_put_channel(o, &r->u.create_session.fore);
		nfs41_put_channel(o, &r->u.create_session.back);
		break;
	case OP_SEQUENCE:
		xdrbuf_put_fixed(o, r->u.sequence.sessionid,
		    NFS41_SESSIONID_SIZE);
		xdrbuf_put_u32(o, r->u.sequence.sequenceid);
		xdrbuf_put_u32(o, r->u.sequence.slotid);
		xdrbuf_put_u32(o, r->u.sequence.highest_slotid);
		xdrbuf_put_u32(o, r->u.sequence.target_highest_slotid);
		xdrbuf_put_u32(o, r->u.sequence.status_flags);
		break;
	case OP_BIND_CONN_TO_SESSION:
		xdrbuf_put_fixed(o, r->u.bind_conn.sessionid,
		    NFS41_SESSIONID_SIZE);
		xdrbuf_put_u32(o, r->u.bind_conn.dir);
		xdrbuf_put_u32(o, r->u.bind_conn.rdma ? 1 : 0);
		break;
	case OP_WANT_DELEGATION:
		nfs4_put_open_delegation(o, &r->u.open);
		break;
	case OP_GET_DIR_DELEGATION:
		/* RFC 8881 18.39.2: GET_DIR_DELEGATION4res_non_fatal. */
		xdrbuf_put_u32(o, r->u.get_dir_delegation.status);
		if (r->u.get_dir_delegation.status != GDD4_OK) {
			xdrbuf_put_u32(o, 0);	/* will_signal_deleg_avail */
			break;
		}
		xdrbuf_put_fixed(o, r->u.get_dir_delegation.verf,
		    NFS4_VERIFIER_SIZE);
		nfs4_put_stateid(o, &r->u.get_dir_delegation.stateid);
		xdrbuf_put_u32(o, 1);		/* gddr_notification */
		xdrbuf_put_u32(o, r->u.get_dir_delegation.notification);
		xdrbuf_put_u32(o, 0);		/* gddr_child_attributes */
		xdrbuf_put_u32(o, 0);		/* gddr_dir_attributes */
		break;
	default:
		/* BACKCHANNEL_CTL, DESTROY_*, RECLAIM_COMPLETE: status alone. */
		break;
	}
}
