/*
 * Connection-oriented DCE/RPC over a named pipe (C706 chapter 12,
 * MS-RPCE 2.2.2) and the NDR it carries (C706 chapter 14): BIND and
 * ALTER_CONTEXT with the NDR transfer syntax (NDR64 refused per
 * context, bind time feature negotiation acknowledged with no
 * feature), REQUEST reassembled from its fragments, RESPONSE cut into
 * fragments the client can take, FAULT for what is not served.  No
 * authentication: the pipe is inside an SMB session that has one.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dcerpc.h"
#include "smb2.h"
#include "smbd.h"

/* 8a885d04-1ceb-11c9-9fe8-08002b104860 version 2: NDR. */
static const uint8_t dcerpc_ndr_syntax[20] = {
	0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11,
	0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60,
	0x02, 0x00, 0x00, 0x00
};
/* 6cb71c2c-9812-4540-...: bind time feature negotiation's prefix. */
static const uint8_t dcerpc_btfn_prefix[8] = {
	0x2c, 0x1c, 0xb7, 0x6c, 0x12, 0x98, 0x40, 0x45
};

/* NDR writer. */
void
ndr_out_init(struct ndr_out *o)
{
	memset(o, 0, sizeof(*o));
	o->next_ref = 0x00020000;
}

void
ndr_out_free(struct ndr_out *o)
{
	free(o->buf);
	memset(o, 0, sizeof(*o));
}

static int
ndr_reserve(struct ndr_out *o, size_t more)
{
	size_t cap;
	uint8_t *p;

	if (o->failed)
		return -1;
	if (more > DCERPC_OUTPUT_MAX || o->len + more > DCERPC_OUTPUT_MAX) {
		o->failed = 1;
		return -1;
	}
	if (o->len + more <= o->cap)
		return 0;
	cap = o->cap ? o->cap : 256;
	while (cap < o->len + more)
		cap *= 2;
	if ((p = realloc(o->buf, cap)) == NULL) {
		o->failed = 1;
		return -1;
	}
	o->buf = p;
	o->cap = cap;
	return 0;
}

void
ndr_bytes(struct ndr_out *o, const void *p, size_t len)
{
	if (len == 0 || ndr_reserve(o, len) == -1)
		return;
	memcpy(o->buf + o->len, p, len);
	o->len += len;
}

void
ndr_align(struct ndr_out *o, size_t n)
{
	static const uint8_t zero[8];
	size_t pad = (n - (o->len % n)) % n;

	ndr_bytes(o, zero, pad);
}

void
ndr_u8(struct ndr_out *o, uint8_t v)
{
	ndr_bytes(o, &v, 1);
}

void
ndr_u16(struct ndr_out *o, uint16_t v)
{
	uint8_t b[2];

	ndr_align(o, 2);
	smb2_put16(b, v);
	ndr_bytes(o, b, 2);
}

void
ndr_u32(struct ndr_out *o, uint32_t v)
{
	uint8_t b[4];

	ndr_align(o, 4);
	smb2_put32(b, v);
	ndr_bytes(o, b, 4);
}

void
ndr_ptr(struct ndr_out *o, int present)
{
	if (!present) {
		ndr_u32(o, 0);
		return;
	}
	ndr_u32(o, o->next_ref);
	o->next_ref += 4;
}

/* C706 14.3.4.2: maximum count, offset, actual count, characters. */
void
ndr_string(struct ndr_out *o, const char *s)
{
	size_t len = strlen(s);
	uint8_t *u;
	ssize_t n;

	if ((u = malloc(2 * len + 2)) == NULL) {
		o->failed = 1;
		return;
	}
	if ((n = smbd_utf8_to_utf16(s, len, u, 2 * len)) < 0)
		n = 0;
	u[n] = u[n + 1] = 0;
	ndr_u32(o, (uint32_t)n / 2 + 1);
	ndr_u32(o, 0);
	ndr_u32(o, (uint32_t)n / 2 + 1);
	ndr_bytes(o, u, (size_t)n + 2);
	free(u);
}

/* NDR reader. */
void
ndr_in_init(struct ndr_in *in, const uint8_t *p, size_t len)
{
	memset(in, 0, sizeof(*in));
	in->p = p;
	in->len = len;
}

void
ndr_in_align(struct ndr_in *in, size_t n)
{
	size_t pad = (n - (in->off % n)) % n;

	if (in->failed || pad > in->len - in->off) {
		in->failed = 1;
		return;
	}
	in->off += pad;
}

/* n bytes at the aligned position, or NULL (failed set). */
static const uint8_t *
ndr_in_take(struct ndr_in *in, size_t n)
{
	const uint8_t *p;

	ndr_in_align(in, n);
	if (in->failed || in->len - in->off < n) {
		in->failed = 1;
		return NULL;
	}
	p = in->p + in->off;
	in->off += n;
	return p;
}

uint16_t
ndr_in_u16(struct ndr_in *in)
{
	const uint8_t *p = ndr_in_take(in, 2);

	return p != NULL ? smb2_get16(p) : 0;
}

uint32_t
ndr_in_u32(struct ndr_in *in)
{
	const uint8_t *p = ndr_in_take(in, 4);

	return p != NULL ? smb2_get32(p) : 0;
}

int
dcerpc_level_in(uint32_t level, const uint16_t *levels, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (levels[i] == level)
			return 1;
	return 0;
}

int
ndr_in_string(struct ndr_in *in, char *out, size_t outmax)
{
	uint32_t max, offset, actual;
	ssize_t n;
	size_t bytes;

	max = ndr_in_u32(in);
	offset = ndr_in_u32(in);
	actual = ndr_in_u32(in);
	if (in->failed || offset != 0 || actual > max || actual == 0 ||
	    actual > (in->len - in->off) / 2 || outmax == 0) {
		in->failed = 1;
		return -1;
	}
	bytes = (size_t)actual * 2;
	/* [string]: the last character is the NUL, not part of the name. */
	if (smb2_get16(in->p + in->off + bytes - 2) != 0 ||
	    (n = smbd_utf16_to_utf8(in->p + in->off, bytes - 2, out,
	    outmax - 1)) < 0 || memchr(out, '\0', (size_t)n) != NULL) {
		in->failed = 1;
		return -1;
	}
	out[n] = '\0';
	in->off += bytes;
	return 0;
}

/* The interfaces, by their pipe's name. */
static const struct dcerpc_interface *const dcerpc_interfaces[] = {
	&srvsvc_interface,
	&wkssvc_interface,
};

const struct dcerpc_interface *
dcerpc_interface_by_pipe(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(dcerpc_interfaces) /
	    sizeof(dcerpc_interfaces[0]); i++)
		if (strcasecmp(dcerpc_interfaces[i]->pipe, name) == 0)
			return dcerpc_interfaces[i];
	return NULL;
}

struct dcerpc_conn *
dcerpc_conn_new(const struct dcerpc_interface *iface)
{
	struct dcerpc_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->iface = iface;
	c->max_xmit = c->max_recv = DCERPC_FRAG_MAX;
	return c;
}

static void
dcerpc_request_reset(struct dcerpc_conn *c)
{
	free(c->req);
	c->req = NULL;
	c->reqlen = 0;
	c->in_request = 0;
}

void
dcerpc_conn_free(struct dcerpc_conn *c)
{
	struct dcerpc_msg *m;

	if (c == NULL)
		return;
	while ((m = c->out_head) != NULL) {
		c->out_head = m->next;
		free(m->data);
		free(m);
	}
	dcerpc_request_reset(c);
	free(c->in);
	free(c);
}

/* Queue a PDU whose header the caller left room for: fill it, queue. */
static void
dcerpc_queue(struct dcerpc_conn *c, struct ndr_out *o, uint8_t type,
    uint8_t flags, uint32_t call_id)
{
	struct dcerpc_msg *m;
	uint8_t *h = o->buf;

	if (o->failed || o->len < DCERPC_HDR_SIZE || o->len > 0xffff ||
	    c->outbytes + o->len > DCERPC_OUTPUT_MAX ||
	    (m = calloc(1, sizeof(*m))) == NULL) {
		ndr_out_free(o);
		return;
	}
	h[0] = 5;
	h[1] = 0;
	h[2] = type;
	h[3] = flags;
	h[4] = 0x10;		/* little-endian, ASCII, IEEE floats */
	h[5] = h[6] = h[7] = 0;
	smb2_put16(h + 8, (uint16_t)o->len);
	smb2_put16(h + 10, 0);
	smb2_put32(h + 12, call_id);
	m->data = o->buf;
	m->len = o->len;
	o->buf = NULL;
	ndr_out_free(o);
	if (c->out_tail != NULL)
		c->out_tail->next = m;
	else
		c->out_head = m;
	c->out_tail = m;
	c->outbytes += m->len;
}

static void
dcerpc_pdu_start(struct ndr_out *o)
{
	static const uint8_t zero[DCERPC_HDR_SIZE];

	ndr_out_init(o);
	ndr_bytes(o, zero, sizeof(zero));
}

/* MS-RPCE 2.2.2.11: FAULT, with DID_NOT_EXECUTE when it did not. */
static void
dcerpc_fault(struct dcerpc_conn *c, uint32_t call_id, uint16_t ctx,
    uint32_t status)
{
	struct ndr_out o;
	int ran = status != DCERPC_FAULT_OP_RNG_ERROR &&
	    status != DCERPC_FAULT_UNK_IF &&
	    status != DCERPC_FAULT_CONTEXT_MISMATCH &&
	    status != DCERPC_FAULT_PROTO_ERROR;

	c->faults++;
	dcerpc_pdu_start(&o);
	ndr_u32(&o, 0);			/* alloc hint */
	ndr_u16(&o, ctx);
	ndr_u8(&o, 0);			/* cancel count */
	ndr_u8(&o, 0);
	ndr_u32(&o, status);
	ndr_u32(&o, 0);
	dcerpc_queue(c, &o, DCERPC_FAULT, DCERPC_PFC_FIRST_FRAG |
	    DCERPC_PFC_LAST_FRAG | (ran ? 0 : DCERPC_PFC_DID_NOT_EXECUTE),
	    call_id);
}

static void
dcerpc_bind_nak(struct dcerpc_conn *c, uint32_t call_id, uint16_t reason)
{
	struct ndr_out o;

	dcerpc_pdu_start(&o);
	ndr_u16(&o, reason);
	/* p_rt_versions_supported: 5.0 */
	ndr_u8(&o, 1);
	ndr_u8(&o, 5);
	ndr_u8(&o, 0);
	ndr_align(&o, 4);
	dcerpc_queue(c, &o, DCERPC_BIND_NAK, DCERPC_PFC_FIRST_FRAG |
	    DCERPC_PFC_LAST_FRAG, call_id);
}

static int
dcerpc_ctx_accepted(const struct dcerpc_conn *c, uint16_t id)
{
	size_t i;

	for (i = 0; i < c->nctx; i++)
		if (c->ctx_ids[i] == id)
			return 1;
	return 0;
}

/*
 * C706 12.6.4.3, 12.6.4.1 and MS-RPCE 3.3.1.5.3: BIND and
 * ALTER_CONTEXT.  Each presentation context is accepted when it names
 * this pipe's interface (the version's major number equal, its minor
 * no higher) with NDR among its transfer syntaxes; NDR64 alone is a
 * provider rejection (transfer syntaxes not supported).
 */
static void
dcerpc_bind(struct dcerpc_conn *c, const uint8_t *pdu, size_t len,
    int alter)
{
	uint32_t call_id = smb2_get32(pdu + 12);
	const uint8_t *p = pdu + DCERPC_HDR_SIZE;
	size_t off, left = len - DCERPC_HDR_SIZE, i, k;
	uint16_t max_xmit, max_recv, ctx_id;
	uint32_t assoc;
	uint8_t nctx, nsyn;
	struct ndr_out o;
	char addr[32];
	size_t alen;

	if (left < 12 || (pdu[3] & (DCERPC_PFC_FIRST_FRAG |
	    DCERPC_PFC_LAST_FRAG)) != (DCERPC_PFC_FIRST_FRAG |
	    DCERPC_PFC_LAST_FRAG)) {
		if (alter)
			dcerpc_fault(c, call_id, 0, DCERPC_FAULT_PROTO_ERROR);
		else
			dcerpc_bind_nak(c, call_id, DCERPC_NAK_NOT_SPECIFIED);
		return;
	}
	if (smb2_get16(pdu + 10) != 0) {
		/* An auth verifier: the SMB session authenticates. */
		if (alter)
			dcerpc_fault(c, call_id, 0,
			    DCERPC_FAULT_ACCESS_DENIED);
		else
			dcerpc_bind_nak(c, call_id, DCERPC_NAK_AUTH_TYPE);
		return;
	}
	if (!alter && c->bound) {
		dcerpc_bind_nak(c, call_id, DCERPC_NAK_NOT_SPECIFIED);
		return;
	}
	if (alter && !c->bound) {
		dcerpc_fault(c, call_id, 0, DCERPC_FAULT_PROTO_ERROR);
		return;
	}
	max_xmit = smb2_get16(p);
	max_recv = smb2_get16(p + 2);
	assoc = smb2_get32(p + 4);
	nctx = p[8];
	if (nctx == 0 || nctx > DCERPC_BIND_CONTEXTS_MAX) {
		if (alter)
			dcerpc_fault(c, call_id, 0, DCERPC_FAULT_PROTO_ERROR);
		else
			dcerpc_bind_nak(c, call_id, DCERPC_NAK_LOCAL_LIMIT);
		return;
	}
	if (!alter && (max_xmit < DCERPC_FRAG_MIN ||
	    max_recv < DCERPC_FRAG_MIN)) {
		dcerpc_bind_nak(c, call_id, DCERPC_NAK_NOT_SPECIFIED);
		return;
	}
	dcerpc_pdu_start(&o);
	if (!alter) {
		c->max_xmit = max_recv < DCERPC_FRAG_MAX ? max_recv :
		    DCERPC_FRAG_MAX;
		c->max_recv = max_xmit < DCERPC_FRAG_MAX ? max_xmit :
		    DCERPC_FRAG_MAX;
		c->assoc_group = assoc != 0 ? assoc : 0x53f0;
	}
	ndr_u16(&o, c->max_xmit);
	ndr_u16(&o, c->max_recv);
	ndr_u32(&o, c->assoc_group);
	/* sec_addr: the pipe's name for a BIND, empty for an alter. */
	if (alter) {
		ndr_u16(&o, 0);
	} else {
		alen = (size_t)snprintf(addr, sizeof(addr), "\\PIPE\\%s",
		    c->iface->pipe) + 1;
		ndr_u16(&o, (uint16_t)alen);
		ndr_bytes(&o, addr, alen);
	}
	ndr_align(&o, 4);
	ndr_u8(&o, nctx);
	ndr_u8(&o, 0);
	ndr_u16(&o, 0);
	off = 12;
	for (i = 0; i < nctx; i++) {
		uint16_t result = DCERPC_PROVIDER_REJECTION;
		uint16_t reason = DCERPC_REASON_ABSTRACT_SYNTAX;
		const uint8_t *syn = NULL;
		int ours, btfn = 0;

		if (left - off < 24) {
			ndr_out_free(&o);
			if (alter)
				dcerpc_fault(c, call_id, 0,
				    DCERPC_FAULT_PROTO_ERROR);
			else
				dcerpc_bind_nak(c, call_id,
				    DCERPC_NAK_NOT_SPECIFIED);
			return;
		}
		ctx_id = smb2_get16(p + off);
		nsyn = p[off + 2];
		ours = memcmp(p + off + 4, c->iface->uuid, 16) == 0 &&
		    smb2_get16(p + off + 20) == c->iface->major &&
		    smb2_get16(p + off + 22) <= c->iface->minor;
		off += 24;
		if (nsyn == 0 || (left - off) / 20 < nsyn) {
			ndr_out_free(&o);
			if (alter)
				dcerpc_fault(c, call_id, 0,
				    DCERPC_FAULT_PROTO_ERROR);
			else
				dcerpc_bind_nak(c, call_id,
				    DCERPC_NAK_NOT_SPECIFIED);
			return;
		}
		for (k = 0; k < nsyn; k++) {
			const uint8_t *ts = p + off + 20 * k;

			if (memcmp(ts, dcerpc_btfn_prefix, 8) == 0 &&
			    smb2_get32(ts + 16) == 1)
				btfn = 1;
			else if (ours && memcmp(ts, dcerpc_ndr_syntax,
			    20) == 0)
				syn = ts;
		}
		off += 20 * (size_t)nsyn;
		if (btfn) {
			/* MS-RPCE 3.3.1.5.3: no feature offered. */
			result = DCERPC_NEGOTIATE_ACK;
			reason = 0;
		} else if (syn != NULL && (dcerpc_ctx_accepted(c, ctx_id) ||
		    c->nctx < DCERPC_CONTEXTS_MAX)) {
			result = DCERPC_ACCEPTANCE;
			reason = 0;
			if (!dcerpc_ctx_accepted(c, ctx_id))
				c->ctx_ids[c->nctx++] = ctx_id;
		} else if (ours)
			reason = DCERPC_REASON_TRANSFER_SYNTAXES;
		ndr_u16(&o, result);
		ndr_u16(&o, reason);
		if (result == DCERPC_ACCEPTANCE)
			ndr_bytes(&o, syn, 20);
		else {
			static const uint8_t zero[20];

			ndr_bytes(&o, zero, 20);
		}
	}
	if (c->nctx > 0)
		c->bound = 1;
	dcerpc_queue(c, &o, alter ? DCERPC_ALTER_CONTEXT_RESP :
	    DCERPC_BIND_ACK, DCERPC_PFC_FIRST_FRAG | DCERPC_PFC_LAST_FRAG,
	    call_id);
}

/* The response's stub data, in fragments of at most max_xmit bytes. */
static void
dcerpc_respond(struct dcerpc_conn *c, uint32_t call_id, uint16_t ctx,
    const uint8_t *stub, size_t len)
{
	size_t room = ((size_t)c->max_xmit - DCERPC_HDR_SIZE - 8) & ~(size_t)7;
	size_t off = 0, n;
	struct ndr_out o;
	uint8_t flags;

	if (len > DCERPC_OUTPUT_MAX - c->outbytes) {
		c->limited++;
		dcerpc_fault(c, call_id, ctx, DCERPC_FAULT_REMOTE_NO_MEMORY);
		return;
	}
	do {
		n = len - off < room ? len - off : room;
		flags = (off == 0 ? DCERPC_PFC_FIRST_FRAG : 0) |
		    (off + n == len ? DCERPC_PFC_LAST_FRAG : 0);
		dcerpc_pdu_start(&o);
		ndr_u32(&o, (uint32_t)(len - off));	/* alloc hint */
		ndr_u16(&o, ctx);
		ndr_u8(&o, 0);
		ndr_u8(&o, 0);
		ndr_bytes(&o, stub + off, n);
		dcerpc_queue(c, &o, DCERPC_RESPONSE, flags, call_id);
		off += n;
	} while (off < len);
}

/* C706 12.6.4.9: REQUEST, reassembled; the call when it is whole. */
static void
dcerpc_request(struct dcerpc_conn *c, const uint8_t *pdu, size_t len,
    const struct dcerpc_server *srv)
{
	uint32_t call_id = smb2_get32(pdu + 12), st;
	uint8_t flags = pdu[3];
	size_t hdr = DCERPC_HDR_SIZE + 8;
	struct ndr_out o;
	struct ndr_in in;
	uint16_t ctx, opnum;
	uint8_t *p;

	if (len < hdr) {
		dcerpc_fault(c, call_id, 0, DCERPC_FAULT_PROTO_ERROR);
		return;
	}
	ctx = smb2_get16(pdu + 20);
	opnum = smb2_get16(pdu + 22);
	if (flags & DCERPC_PFC_OBJECT_UUID)
		hdr += 16;
	if (!c->bound || len < hdr || smb2_get16(pdu + 10) != 0) {
		dcerpc_request_reset(c);
		dcerpc_fault(c, call_id, ctx, !c->bound || len < hdr ?
		    DCERPC_FAULT_PROTO_ERROR : DCERPC_FAULT_ACCESS_DENIED);
		return;
	}
	if (flags & DCERPC_PFC_FIRST_FRAG) {
		if (c->in_request) {
			/* A new call while one is still arriving. */
			dcerpc_request_reset(c);
			dcerpc_fault(c, call_id, ctx,
			    DCERPC_FAULT_PROTO_ERROR);
			return;
		}
		c->in_request = 1;
		c->req_call_id = call_id;
		c->req_ctx = ctx;
		c->req_opnum = opnum;
	} else if (!c->in_request || call_id != c->req_call_id) {
		dcerpc_request_reset(c);
		dcerpc_fault(c, call_id, ctx, DCERPC_FAULT_PROTO_ERROR);
		return;
	}
	if (len - hdr > DCERPC_REQUEST_MAX - c->reqlen) {
		c->limited++;
		dcerpc_request_reset(c);
		dcerpc_fault(c, call_id, ctx, DCERPC_FAULT_REMOTE_NO_MEMORY);
		return;
	}
	if (len > hdr) {
		if ((p = realloc(c->req, c->reqlen + (len - hdr))) == NULL) {
			dcerpc_request_reset(c);
			dcerpc_fault(c, call_id, ctx,
			    DCERPC_FAULT_REMOTE_NO_MEMORY);
			return;
		}
		c->req = p;
		memcpy(c->req + c->reqlen, pdu + hdr, len - hdr);
		c->reqlen += len - hdr;
	}
	if (!(flags & DCERPC_PFC_LAST_FRAG))
		return;
	ctx = c->req_ctx;
	opnum = c->req_opnum;
	c->calls++;
	if (!dcerpc_ctx_accepted(c, ctx)) {
		dcerpc_request_reset(c);
		dcerpc_fault(c, call_id, ctx, DCERPC_FAULT_CONTEXT_MISMATCH);
		return;
	}
	ndr_in_init(&in, c->req, c->reqlen);
	ndr_out_init(&o);
	st = c->iface->call(srv, opnum, &in, &o);
	if (st == 0 && o.failed)
		st = DCERPC_FAULT_REMOTE_NO_MEMORY;
	if (st != 0)
		dcerpc_fault(c, call_id, ctx, st);
	else
		dcerpc_respond(c, call_id, ctx, o.buf, o.len);
	ndr_out_free(&o);
	dcerpc_request_reset(c);
}

/* One whole PDU. */
static void
dcerpc_pdu(struct dcerpc_conn *c, const uint8_t *pdu, size_t len,
    const struct dcerpc_server *srv)
{
	uint32_t call_id = smb2_get32(pdu + 12);

	/* 5.0 or 5.1, little-endian integers (drep). */
	if (pdu[0] != 5 || pdu[1] > 1 || (pdu[4] & 0xf0) != 0x10) {
		if (pdu[2] == DCERPC_BIND)
			dcerpc_bind_nak(c, call_id,
			    DCERPC_NAK_PROTOCOL_VERSION);
		else
			dcerpc_fault(c, call_id, 0, DCERPC_FAULT_PROTO_ERROR);
		return;
	}
	switch (pdu[2]) {
	case DCERPC_BIND:
		dcerpc_bind(c, pdu, len, 0);
		return;
	case DCERPC_ALTER_CONTEXT:
		dcerpc_bind(c, pdu, len, 1);
		return;
	case DCERPC_REQUEST:
		dcerpc_request(c, pdu, len, srv);
		return;
	case DCERPC_AUTH3:
	case DCERPC_CO_CANCEL:
	case DCERPC_ORPHANED:
		/* No answer: no authentication, calls run to their end. */
		if (pdu[2] == DCERPC_ORPHANED)
			dcerpc_request_reset(c);
		return;
	}
	dcerpc_fault(c, call_id, 0, DCERPC_FAULT_PROTO_ERROR);
}

int
dcerpc_write(struct dcerpc_conn *c, const uint8_t *data, size_t len,
    const struct dcerpc_server *srv)
{
	size_t flen, off = 0;
	uint8_t *p;

	/* The common case: whole PDUs, nothing kept from before. */
	while (c->inlen == 0 && len - off >= DCERPC_HDR_SIZE) {
		flen = smb2_get16(data + off + 8);
		if (flen < DCERPC_HDR_SIZE)
			return -1;
		if (flen > len - off)
			break;
		dcerpc_pdu(c, data + off, flen, srv);
		off += flen;
	}
	if (off == len)
		return 0;
	/* A PDU in pieces: kept until it is whole (at most 64 KiB). */
	if (len - off > 0xffff - c->inlen + DCERPC_HDR_SIZE ||
	    (p = realloc(c->in, c->inlen + (len - off))) == NULL) {
		free(c->in);
		c->in = NULL;
		c->inlen = 0;
		return -1;
	}
	c->in = p;
	memcpy(c->in + c->inlen, data + off, len - off);
	c->inlen += len - off;
	off = 0;
	while (c->inlen - off >= DCERPC_HDR_SIZE) {
		flen = smb2_get16(c->in + off + 8);
		if (flen < DCERPC_HDR_SIZE) {
			free(c->in);
			c->in = NULL;
			c->inlen = 0;
			return -1;
		}
		if (flen > c->inlen - off)
			break;
		dcerpc_pdu(c, c->in + off, flen, srv);
		off += flen;
	}
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
	if (c->inlen == 0) {
		free(c->in);
		c->in = NULL;
	}
	return 0;
}

size_t
dcerpc_read(struct dcerpc_conn *c, uint8_t *out, size_t max, int *more)
{
	struct dcerpc_msg *m = c->out_head;
	size_t n;

	*more = 0;
	if (m == NULL)
		return 0;
	n = m->len - m->off < max ? m->len - m->off : max;
	memcpy(out, m->data + m->off, n);
	m->off += n;
	c->outbytes -= n;
	if (m->off < m->len) {
		*more = 1;
		return n;
	}
	c->out_head = m->next;
	if (c->out_head == NULL)
		c->out_tail = NULL;
	free(m->data);
	free(m);
	return n;
}

size_t
dcerpc_pending(const struct dcerpc_conn *c)
{
	return c->outbytes;
}
