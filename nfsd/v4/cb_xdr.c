/*
 * The NFSv4.0 callback program on the wire (RFC 7530 15.1 of
 * CB_COMPOUND, 16 of its operations; XDR of RFC 7531): the calls nfsd
 * makes when stated asks for a delegation back (CB_RECALL) or for a
 * write delegation holder's size and change (CB_GETATTR), and the
 * decoder of the client's reply, and the callback address.  The reply
 * and the address come from the network: they are checked like any
 * request.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "nfs4.h"

/* CB_COMPOUND4args up to the ops: tag, minorversion 0, ident, one op. */
static void
nfs4_cb_header(struct xdrbuf_out *o, const struct nfs4_opaque *tag,
    uint32_t callback_ident)
{
	if (tag != NULL)
		xdrbuf_put_opaque(o, tag->p, tag->len);
	else
		xdrbuf_put_u32(o, 0);
	xdrbuf_put_u32(o, NFS4_MINOR_VERSION);
	xdrbuf_put_u32(o, callback_ident);
	xdrbuf_put_u32(o, 1);
}

/* RFC 7530 16.2 (callback): the CB_RECALL op, 4.0's and 4.1's. */
static void
nfs4_cb_put_recall(struct xdrbuf_out *o, const struct nfs4_stateid *stateid,
    int truncate, const struct nfs4_opaque *fh)
{
	xdrbuf_put_u32(o, OP_CB_RECALL);
	nfs4_put_stateid(o, stateid);
	xdrbuf_put_u32(o, truncate ? 1 : 0);
	xdrbuf_put_opaque(o, fh->p, fh->len);
}

void
nfs4_cb_encode_recall(struct xdrbuf_out *o, const struct nfs4_opaque *tag,
    uint32_t callback_ident, const struct nfs4_stateid *stateid, int truncate,
    const struct nfs4_opaque *fh)
{
	nfs4_cb_header(o, tag, callback_ident);
	nfs4_cb_put_recall(o, stateid, truncate, fh);
}

/* RFC 7530 16.1 (callback): CB_GETATTR4args. */
void
nfs4_cb_encode_getattr(struct xdrbuf_out *o, const struct nfs4_opaque *tag,
    uint32_t callback_ident, const struct nfs4_opaque *fh,
    const struct nfs4_bitmap *request)
{
	nfs4_cb_header(o, tag, callback_ident);
	xdrbuf_put_u32(o, OP_CB_GETATTR);
	xdrbuf_put_opaque(o, fh->p, fh->len);
	nfs4_put_bitmap(o, request);
}

/*
 * CB_COMPOUND4res: the status, the tag and the first result (we send
 * one op).  0, or -1 when the reply does not parse.  A reply with no
 * result keeps opnum OP_CB_ILLEGAL and opstatus the COMPOUND's status.
 */
int
nfs4_cb_decode_res(struct xdrbuf_in *x, struct nfs4_cb_res *r)
{
	memset(r, 0, sizeof(*r));
	r->opnum = OP_CB_ILLEGAL;
	if (xdrbuf_get_u32(x, &r->status) == -1 ||
	    xdrbuf_get_opaque(x, &r->tag.p, &r->tag.len, NFS4_TAG_MAX) == -1 ||
	    xdrbuf_get_u32(x, &r->nops) == -1)
		return -1;
	r->opstatus = r->status;
	if (r->nops == 0)
		return 0;
	if (xdrbuf_get_u32(x, &r->opnum) == -1 ||
	    xdrbuf_get_u32(x, &r->opstatus) == -1)
		return -1;
	switch (r->opnum) {
	case OP_CB_GETATTR:
		if (r->opstatus != NFS4_OK)
			return 0;
		if (nfs4_get_bitmap(x, &r->attrs.mask) == -1 ||
		    xdrbuf_get_opaque(x, &r->attrs.vals.p, &r->attrs.vals.len,
		    NFS4_ATTRVALS_MAX) == -1)
			return -1;
		return 0;
	case OP_CB_RECALL:
	case OP_CB_ILLEGAL:
		return 0;
	default:
		return -1;
	}
}

/* RFC 8881 20.9: CB_SEQUENCE4args on slot 0, then one more op. */
static void
nfs41_cb_header(struct xdrbuf_out *o, const uint8_t *sessionid,
    uint32_t seqid)
{
	xdrbuf_put_u32(o, 0);			/* tag */
	xdrbuf_put_u32(o, 1);			/* minorversion */
	xdrbuf_put_u32(o, 0);			/* callback_ident: 4.0's */
	xdrbuf_put_u32(o, 2);
	xdrbuf_put_u32(o, OP_CB_SEQUENCE);
	xdrbuf_put_fixed(o, sessionid, NFS41_SESSIONID_SIZE);
	xdrbuf_put_u32(o, seqid);
	xdrbuf_put_u32(o, 0);			/* slotid */
	xdrbuf_put_u32(o, 0);			/* highest_slotid */
	xdrbuf_put_u32(o, 0);			/* cachethis */
	xdrbuf_put_u32(o, 0);			/* referring_call_lists */
}

void
nfs41_cb_encode_recall(struct xdrbuf_out *o, const uint8_t *sessionid,
    uint32_t seqid, const struct nfs4_stateid *stateid, int truncate,
    const struct nfs4_opaque *fh)
{
	nfs41_cb_header(o, sessionid, seqid);
	nfs4_cb_put_recall(o, stateid, truncate, fh);
}

void
nfs41_cb_encode_recall_any(struct xdrbuf_out *o, const uint8_t *sessionid,
    uint32_t seqid, uint32_t keep)
{
	nfs41_cb_header(o, sessionid, seqid);
	xdrbuf_put_u32(o, OP_CB_RECALL_ANY);
	xdrbuf_put_u32(o, keep);
	xdrbuf_put_u32(o, 1);			/* craa_type_mask: one word */
	xdrbuf_put_u32(o, 1u << RCA4_TYPE_MASK_RDATA_DLG |
	    1u << RCA4_TYPE_MASK_WDATA_DLG);
}

void
nfs41_cb_put_recall_slot(struct xdrbuf_out *o, uint32_t target)
{
	xdrbuf_put_u32(o, OP_CB_RECALL_SLOT);
	xdrbuf_put_u32(o, target);
}

void
nfs41_cb_encode_op(struct xdrbuf_out *o, const uint8_t *sessionid,
    uint32_t seqid, const uint8_t *op, size_t len)
{
	nfs41_cb_header(o, sessionid, seqid);
	xdrbuf_put_fixed(o, op, len);
}

/* RFC 8881 20.4.1: notify_entry4, a name with no attributes. */
static void
nfs41_put_notify_entry(struct xdrbuf_out *o, const struct nfs4_opaque *name)
{
	xdrbuf_put_opaque(o, name->p, name->len);
	xdrbuf_put_u32(o, 0);			/* ne_attrs: attrmask */
	xdrbuf_put_u32(o, 0);			/* attr_vals */
}

/* notify_remove4: the entry, its cookie unknown (0). */
static void
nfs41_put_notify_remove(struct xdrbuf_out *o, const struct nfs4_opaque *name)
{
	nfs41_put_notify_entry(o, name);
	xdrbuf_put_u64(o, 0);
}

/* notify_add4: no entry replaced, no cookie, no previous entry. */
static void
nfs41_put_notify_add(struct xdrbuf_out *o, const struct nfs4_opaque *name)
{
	xdrbuf_put_u32(o, 0);			/* nad_old_entry<1> */
	nfs41_put_notify_entry(o, name);
	xdrbuf_put_u32(o, 0);			/* nad_new_entry_cookie<1> */
	xdrbuf_put_u32(o, 0);			/* nad_prev_entry<1> */
	xdrbuf_put_u32(o, 0);			/* nad_last_entry */
}

/*
 * RFC 8881 20.4: CB_NOTIFY4args.  One notify4 per change, its mask the
 * one bit of its type and notify_vals its value, so the client reads
 * them in the order they happened.
 */
void
nfs41_cb_put_notify(struct xdrbuf_out *o, const struct nfs4_stateid *stateid,
    const struct nfs4_opaque *fh, const struct nfs41_notify_event *ev,
    size_t n)
{
	static const struct nfs4_opaque none = { NULL, 0 };
	struct xdrbuf_out v;
	size_t i;

	xdrbuf_put_u32(o, OP_CB_NOTIFY);
	nfs4_put_stateid(o, stateid);
	xdrbuf_put_opaque(o, fh->p, fh->len);
	xdrbuf_put_u32(o, (uint32_t)n);
	for (i = 0; i < n; i++) {
		xdrbuf_out_init(&v);
		switch (ev[i].type) {
		case NOTIFY4_ADD_ENTRY:
			nfs41_put_notify_add(&v, &ev[i].name);
			break;
		case NOTIFY4_REMOVE_ENTRY:
			nfs41_put_notify_remove(&v, &ev[i].name);
			break;
		case NOTIFY4_RENAME_ENTRY:
			nfs41_put_notify_remove(&v, &ev[i].name);
			nfs41_put_notify_add(&v, &ev[i].newname);
			break;
		default:
			/* notify_attr4 of the directory itself. */
			nfs41_put_notify_entry(&v, &none);
			break;
		}
		xdrbuf_put_u32(o, 1);		/* notify_mask: one word */
		xdrbuf_put_u32(o, 1u << (ev[i].type & 31));
		if (v.failed)
			o->failed = 1;
		xdrbuf_put_opaque(o, v.buf, (uint32_t)v.len);
		xdrbuf_out_free(&v);
	}
}

int
nfs41_cb_decode_res(struct xdrbuf_in *x, const uint8_t *sessionid,
    struct nfs41_cb_res *r)
{
	struct nfs4_opaque tag;
	uint8_t sid[NFS41_SESSIONID_SIZE];
	uint32_t nops, opnum, v;

	memset(r, 0, sizeof(*r));
	r->opnum = OP_CB_ILLEGAL;
	if (xdrbuf_get_u32(x, &r->status) == -1 ||
	    xdrbuf_get_opaque(x, &tag.p, &tag.len, NFS4_TAG_MAX) == -1 ||
	    xdrbuf_get_u32(x, &nops) == -1)
		return -1;
	r->seq_status = r->opstatus = r->status;
	if (nops == 0)
		return 0;
	if (xdrbuf_get_u32(x, &opnum) == -1 || opnum != OP_CB_SEQUENCE ||
	    xdrbuf_get_u32(x, &r->seq_status) == -1)
		return -1;
	if (r->seq_status != NFS4_OK)
		return 0;
	/* CB_SEQUENCE4resok: the session, sequence id and slots. */
	if (xdrbuf_get_fixed(x, sid, sizeof(sid)) == -1 ||
	    memcmp(sid, sessionid, NFS41_SESSIONID_SIZE) != 0 ||
	    xdrbuf_get_u32(x, &v) == -1 || xdrbuf_get_u32(x, &v) == -1 ||
	    xdrbuf_get_u32(x, &v) == -1 || xdrbuf_get_u32(x, &v) == -1)
		return -1;
	if (nops < 2)
		return 0;
	if (xdrbuf_get_u32(x, &r->opnum) == -1 ||
	    xdrbuf_get_u32(x, &r->opstatus) == -1)
		return -1;
	return 0;
}

/* r_addr of netid tcp or tcp6 (RFC 5665 5.2.3): host, then .p1.p2. */
int
nfs4_cb_sockaddr(const char *netid, const char *uaddr,
    struct sockaddr_storage *ss, socklen_t *len)
{
	char host[NFS4_UADDR_MAX + 1], *p1, *p2, *end;
	unsigned long hi, lo;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	if (strlen(uaddr) > NFS4_UADDR_MAX)
		return -1;
	strcpy(host, uaddr);
	if ((p2 = strrchr(host, '.')) == NULL)
		return -1;
	*p2++ = '\0';
	if ((p1 = strrchr(host, '.')) == NULL)
		return -1;
	*p1++ = '\0';
	hi = strtoul(p1, &end, 10);
	if (*p1 == '\0' || *end != '\0' || hi > 255)
		return -1;
	lo = strtoul(p2, &end, 10);
	if (*p2 == '\0' || *end != '\0' || lo > 255 || (hi == 0 && lo == 0))
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (strcmp(netid, "tcp") == 0 &&
	    inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)(hi << 8 | lo));
		*len = sizeof(*sin);
		return 0;
	}
	if (strcmp(netid, "tcp6") == 0 &&
	    inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)(hi << 8 | lo));
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}
