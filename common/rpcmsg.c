/*
 * ONC RPC messages (RFC 5531): the call header with its credential and
 * verifier, AUTH_UNIX (AUTH_SYS) bodies, and reply headers.  Pure
 * functions over buffers; tests/fuzz/fuzz_rpcmsg.c feeds them garbage.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rpcmsg.h"

const char *
rpcmsg_verdict_name(enum rpcmsg_verdict v)
{
	switch (v) {
	case RPCMSG_OK:
		return "ok";
	case RPCMSG_DROP:
		return "too short for an xid";
	case RPCMSG_NOT_CALL:
		return "not a call";
	case RPCMSG_RPC_MISMATCH:
		return "RPC version not 2";
	case RPCMSG_AUTH_BADCRED:
		return "bad credential";
	case RPCMSG_AUTH_BADVERF:
		return "bad verifier";
	case RPCMSG_GARBAGE:
		return "malformed call header";
	case RPCMSG_AUTH_ERROR:
		return "refused by the authentication flavour";
	case RPCMSG_AUTH_DROP:
		return "discarded by the authentication flavour";
	}
	return "?";
}

/* RFC 5531 appendix A: AUTH_SYS; the body must hold exactly this. */
int
rpcmsg_decode_auth_unix(const uint8_t *body, size_t len, struct rpc_cred *c)
{
	struct xdrbuf_in x;
	const uint8_t *name;
	uint32_t stamp, namelen, n, i;

	xdrbuf_in_init(&x, body, len);
	if (xdrbuf_get_u32(&x, &stamp) == -1 ||
	    xdrbuf_get_opaque(&x, &name, &namelen,
	    RPC_AUTH_UNIX_NAME_MAX) == -1 ||
	    xdrbuf_get_u32(&x, &c->uid) == -1 ||
	    xdrbuf_get_u32(&x, &c->gid) == -1 ||
	    xdrbuf_get_u32(&x, &n) == -1 || n > RPC_AUTH_UNIX_GIDS_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if (xdrbuf_get_u32(&x, &c->groups[i]) == -1)
			return -1;
	if (xdrbuf_in_left(&x) != 0)
		return -1;
	c->ngroups = n;
	memcpy(c->machine, name, namelen);
	c->machine[namelen] = '\0';
	c->flavor = RPC_AUTH_UNIX;
	return 0;
}

/*
 * RFC 5531 9: the call header up to the verifier.  Only the sizes are
 * checked here; what the credential and verifier say is the flavour's.
 */
enum rpcmsg_verdict
rpcmsg_decode_header(const uint8_t *rec, size_t len, struct rpcmsg_header *h)
{
	struct xdrbuf_in x;
	uint32_t type, rpcvers;

	memset(h, 0, sizeof(*h));
	xdrbuf_in_init(&x, rec, len);
	if (xdrbuf_get_u32(&x, &h->xid) == -1)
		return RPCMSG_DROP;
	if (xdrbuf_get_u32(&x, &type) == -1 || type != RPC_CALL)
		return RPCMSG_NOT_CALL;
	if (xdrbuf_get_u32(&x, &rpcvers) == -1)
		return RPCMSG_GARBAGE;
	if (rpcvers != RPC_VERSION)
		return RPCMSG_RPC_MISMATCH;
	if (xdrbuf_get_u32(&x, &h->prog) == -1 ||
	    xdrbuf_get_u32(&x, &h->vers) == -1 ||
	    xdrbuf_get_u32(&x, &h->proc) == -1)
		return RPCMSG_GARBAGE;
	if (xdrbuf_get_u32(&x, &h->cred.flavor) == -1 ||
	    xdrbuf_get_opaque(&x, &h->cred.body, &h->cred.len,
	    RPC_AUTH_BODY_MAX) == -1)
		return RPCMSG_AUTH_BADCRED;
	h->cred_end = x.pos;
	if (xdrbuf_get_u32(&x, &h->verf.flavor) == -1 ||
	    xdrbuf_get_opaque(&x, &h->verf.body, &h->verf.len,
	    RPC_AUTH_BODY_MAX) == -1)
		return RPCMSG_OK;
	h->verf_ok = 1;
	h->args_off = x.pos;
	return RPCMSG_OK;
}

/* RFC 5531 appendix A: AUTH_NONE and AUTH_SYS, each with AUTH_NULL verifiers. */
enum rpcmsg_verdict
rpcmsg_verify_none_sys(const struct rpcmsg_header *h, struct rpc_cred *cred)
{
	memset(cred, 0, sizeof(*cred));
	switch (h->cred.flavor) {
	case RPC_AUTH_NULL:
		if (h->cred.len != 0)
			return RPCMSG_AUTH_BADCRED;
		cred->flavor = RPC_AUTH_NULL;
		break;
	case RPC_AUTH_UNIX:
		if (rpcmsg_decode_auth_unix(h->cred.body, h->cred.len,
		    cred) == -1)
			return RPCMSG_AUTH_BADCRED;
		break;
	default:
		return RPCMSG_AUTH_BADCRED;
	}
	if (!h->verf_ok || h->verf.flavor != RPC_AUTH_NULL || h->verf.len != 0)
		return RPCMSG_AUTH_BADVERF;
	return RPCMSG_OK;
}

/* RFC 5531 9: call body; args_off is where the procedure's arguments start. */
enum rpcmsg_verdict
rpcmsg_decode_call(const uint8_t *rec, size_t len, struct rpcmsg_call *call)
{
	struct rpcmsg_header h;
	enum rpcmsg_verdict v;

	memset(call, 0, sizeof(*call));
	v = rpcmsg_decode_header(rec, len, &h);
	call->xid = h.xid;
	call->prog = h.prog;
	call->vers = h.vers;
	call->proc = h.proc;
	if (v != RPCMSG_OK)
		return v;
	if ((v = rpcmsg_verify_none_sys(&h, &call->cred)) != RPCMSG_OK)
		return v;
	call->args_off = h.args_off;
	return RPCMSG_OK;
}

/* A denied reply: the buffer is rewritten from the record mark on. */
void
rpcmsg_reply_denied(struct xdrbuf_out *o, uint32_t xid, uint32_t reject_stat,
    uint32_t detail)
{
	o->len = 4;
	xdrbuf_put_u32(o, xid);
	xdrbuf_put_u32(o, RPC_REPLY);
	xdrbuf_put_u32(o, RPC_MSG_DENIED);
	xdrbuf_put_u32(o, reject_stat);
	if (reject_stat == RPC_MISMATCH) {
		xdrbuf_put_u32(o, RPC_VERSION);
		xdrbuf_put_u32(o, RPC_VERSION);
	} else
		xdrbuf_put_u32(o, detail);
}

/*
 * A call header with an AUTH_NULL credential and verifier, for the
 * callbacks a server makes (NLM GRANTED, SM_NOTIFY, rpcbind GETPORT).
 */
void
rpcmsg_call_header(struct xdrbuf_out *o, uint32_t xid, uint32_t prog,
    uint32_t vers, uint32_t proc)
{
	xdrbuf_put_u32(o, xid);
	xdrbuf_put_u32(o, RPC_CALL);
	xdrbuf_put_u32(o, RPC_VERSION);
	xdrbuf_put_u32(o, prog);
	xdrbuf_put_u32(o, vers);
	xdrbuf_put_u32(o, proc);
	xdrbuf_put_u32(o, RPC_AUTH_NULL);
	xdrbuf_put_u32(o, 0);
	xdrbuf_put_u32(o, RPC_AUTH_NULL);
	xdrbuf_put_u32(o, 0);
}

/*
 * The same with an AUTH_SYS credential (RFC 5531 appendix A: root of
 * machine, no groups) when machine is not NULL: what an NFSv4 client's
 * callback service wants for CB_COMPOUND.
 */
void
rpcmsg_call_header_sys(struct xdrbuf_out *o, uint32_t xid, uint32_t prog,
    uint32_t vers, uint32_t proc, const char *machine)
{
	struct rpcmsg_sys_cred c;

	rpcmsg_sys_root(&c, machine);
	rpcmsg_call_header_cred(o, xid, prog, vers, proc, &c);
}

/* Root of machine, no groups; AUTH_NULL when machine is NULL. */
void
rpcmsg_sys_root(struct rpcmsg_sys_cred *c, const char *machine)
{
	memset(c, 0, sizeof(*c));
	if (machine == NULL)
		return;
	c->flavor = RPC_AUTH_UNIX;
	c->stamp = (uint32_t)time(NULL);
	snprintf(c->machine, sizeof(c->machine), "%s", machine);
}

/* The same with cred (NULL, or flavour RPC_AUTH_NULL: AUTH_NULL). */
void
rpcmsg_call_header_cred(struct xdrbuf_out *o, uint32_t xid, uint32_t prog,
    uint32_t vers, uint32_t proc, const struct rpcmsg_sys_cred *cred)
{
	const char *z;
	uint32_t mlen, n, i;

	rpcmsg_call_header(o, xid, prog, vers, proc);
	if (cred == NULL || cred->flavor != RPC_AUTH_UNIX)
		return;
	z = memchr(cred->machine, '\0', sizeof(cred->machine));
	mlen = z != NULL ? (uint32_t)(z - cred->machine) :
	    RPC_AUTH_UNIX_NAME_MAX;
	n = cred->ngids < RPC_AUTH_UNIX_GIDS_MAX ? cred->ngids :
	    RPC_AUTH_UNIX_GIDS_MAX;
	o->len -= 16;
	xdrbuf_put_u32(o, RPC_AUTH_UNIX);
	xdrbuf_put_u32(o, 4 + 4 + (mlen + 3) / 4 * 4 + 12 + 4 * n);
	xdrbuf_put_u32(o, cred->stamp);
	xdrbuf_put_opaque(o, cred->machine, mlen);
	xdrbuf_put_u32(o, cred->uid);
	xdrbuf_put_u32(o, cred->gid);
	xdrbuf_put_u32(o, n);
	for (i = 0; i < n; i++)
		xdrbuf_put_u32(o, cred->gids[i]);
	xdrbuf_put_u32(o, RPC_AUTH_NULL);
	xdrbuf_put_u32(o, 0);
}

/*
 * RFC 5531 9: a reply to such a call.  0 with *xid and *accept_stat set
 * (RPC_SYSTEM_ERR for MSG_DENIED) and *res_off where an accepted reply's
 * results start; -1 for what is not a whole reply header.
 */
int
rpcmsg_decode_reply(const uint8_t *rec, size_t len, uint32_t *xid,
    uint32_t *accept_stat, size_t *res_off)
{
	struct xdrbuf_in x;
	const uint8_t *body;
	uint32_t type, stat, flavor, blen;

	xdrbuf_in_init(&x, rec, len);
	if (xdrbuf_get_u32(&x, xid) == -1 ||
	    xdrbuf_get_u32(&x, &type) == -1 || type != RPC_REPLY ||
	    xdrbuf_get_u32(&x, &stat) == -1)
		return -1;
	if (stat != RPC_MSG_ACCEPTED) {
		*accept_stat = RPC_SYSTEM_ERR;
		*res_off = len;
		return 0;
	}
	if (xdrbuf_get_u32(&x, &flavor) == -1 ||
	    xdrbuf_get_opaque(&x, &body, &blen, RPC_AUTH_BODY_MAX) == -1 ||
	    xdrbuf_get_u32(&x, accept_stat) == -1)
		return -1;
	*res_off = x.pos;
	return 0;
}
