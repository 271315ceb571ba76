/*
 * common/rpcauth.h: ONC RPC authentication flavours as a hook (RFC 5531
 * 8.2, RFC 2203).  A server holds a table of flavours; each checks a
 * call's credential and verifier, may unwrap the call's body before it
 * is decoded and wrap the reply's body after it is encoded (RPCSEC_GSS
 * integrity and privacy), and makes the reply's verifier.  AUTH_NONE and
 * AUTH_SYS are here; a sequence window and per-context state serve
 * RPCSEC_GSS-shaped flavours, and a flavour may answer control calls
 * itself or hold a call and resume it (rpcsvc_call_resume):
 * common/rpcsec_gss.c is RPCSEC_GSS on this hook.
 */
#ifndef DITTOFS_COMMON_RPCAUTH_H
#define DITTOFS_COMMON_RPCAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "rpcmsg.h"
#include "xdrbuf.h"

#define RPCSEC_GSS		6
#define RPCSEC_GSS_CREDPROBLEM	13	/* RFC 2203 4: new auth_stat values */
#define RPCSEC_GSS_CTXPROBLEM	14
#define RPCAUTH_SEQ_MAX		0x80000000u	/* RFC 2203 5.3.3.1: MAXSEQ */
#define RPCAUTH_WINDOW_MAX	256
#define RPCAUTH_HANDLE_MAX	32
#define RPCAUTH_CONTEXTS_MAX	1024
/* RFC 2203 5: rpc_gss_service_t, the protection a call asks for. */
#define RPCSEC_GSS_SVC_NONE	1
#define RPCSEC_GSS_SVC_INTEGRITY 2
#define RPCSEC_GSS_SVC_PRIVACY	3

/*
 * A share's "security" (dittofs.conf(5)) as bits: what a call is, by
 * rpcauth_sec_bit.  AUTH_NONE counts as sys (it is squashed anyway).
 */
#define RPCAUTH_SEC_SYS		0x1u
#define RPCAUTH_SEC_KRB5	0x2u	/* 1 << RPCSEC_GSS_SVC_NONE */
#define RPCAUTH_SEC_KRB5I	0x4u
#define RPCAUTH_SEC_KRB5P	0x8u

/* Control calls (rpcauth_call.control): the flavour's, not the program's. */
#define RPCAUTH_CONTROL_NONE	0
#define RPCAUTH_CONTROL_HOLD	1	/* context unknown here: fetch, resume */
#define RPCAUTH_CONTROL_INIT	2	/* RPCSEC_GSS_INIT, CONTINUE_INIT */
#define RPCAUTH_CONTROL_DESTROY	3	/* RPCSEC_GSS_DESTROY */

/* RFC 2203 5.3.3.1: which sequence numbers a context has seen. */
struct rpcauth_seqwin {
	uint32_t	size;		/* 1 .. RPCAUTH_WINDOW_MAX */
	uint32_t	highest;
	int		started;
	uint64_t	seen[RPCAUTH_WINDOW_MAX / 64];	/* bit i: highest - i */
};

/* One security context (an RPCSEC_GSS handle); priv is the flavour's. */
struct rpcauth_context {
	uint8_t			 handle[RPCAUTH_HANDLE_MAX];
	uint32_t		 handle_len;
	struct rpcauth_seqwin	 window;
	void			*priv;
};

struct rpcauth_contexts;
struct rpcauth_flavor;
struct rpcsvc_call;

/* A call as its flavour accepted it. */
struct rpcauth_call {
	struct rpcmsg_call		 msg;	/* identity in msg.cred */
	const struct rpcauth_flavor	*flavor;
	struct rpcauth_context		*ctx;
	uint32_t			 seq;
	uint32_t			 service;	/* the flavour's */
	uint32_t			 auth_stat;	/* RPCMSG_AUTH_ERROR */
	int				 control;	/* RPCAUTH_CONTROL_* */
	const uint8_t			*handle;	/* into the record */
	uint32_t			 handle_len;
	const uint8_t			*args;	/* the body to decode */
	size_t				 args_len;
	uint8_t				*plain;	/* owned: an unwrapped body */
	/* The reply's verifier, made when the call is accepted. */
	uint32_t			 rverf_flavor;
	uint32_t			 rverf_len;
	uint8_t				 rverf[RPC_AUTH_BODY_MAX];
};

struct rpcauth_flavor {
	uint32_t	 flavor;
	const char	*name;
	void		*arg;
	/*
	 * Check the credential and verifier of h (the record is rec) and
	 * set call->msg.cred, ctx, seq, service.  RPCMSG_OK,
	 * RPCMSG_AUTH_BADCRED/BADVERF, RPCMSG_AUTH_ERROR with
	 * call->auth_stat, or RPCMSG_AUTH_DROP (no reply at all).
	 */
	enum rpcmsg_verdict (*verify)(const struct rpcauth_flavor *,
	    struct rpcauth_call *, const struct rpcmsg_header *h,
	    const uint8_t *rec);
	/*
	 * The call body into plain; -1: GARBAGE_ARGS; 1: call->args and
	 * args_len set by the flavour (into body: nothing to unwrap).
	 * NULL: no wrapping.
	 */
	int	(*unwrap)(const struct rpcauth_flavor *, struct rpcauth_call *,
	    const uint8_t *body, size_t len, struct xdrbuf_out *plain);
	/*
	 * The encoded results into out; -1: SYSTEM_ERR; 1: as they are.
	 * NULL: as they are.
	 */
	int	(*wrap)(const struct rpcauth_flavor *, struct rpcauth_call *,
	    const uint8_t *res, size_t len, struct xdrbuf_out *out);
	/* The reply verifier into call->rverf*; NULL: AUTH_NULL. */
	int	(*reply_verf)(const struct rpcauth_flavor *,
	    struct rpcauth_call *);
	/*
	 * A control call (call->auth.control set by verify): the flavour
	 * answers it with rpcsvc_reply*() or drops it, or, for
	 * RPCAUTH_CONTROL_HOLD (verify said RPCMSG_AUTH_DROP), holds it and
	 * later hands it to rpcsvc_call_resume.  NULL: none.
	 */
	void	(*control)(const struct rpcauth_flavor *, struct rpcsvc_call *);
};

/* The share "security" bit of an accepted call: a branch for AUTH_SYS. */
static inline unsigned int
rpcauth_sec_bit(const struct rpcauth_call *call)
{
	if (call->flavor == NULL || call->flavor->flavor != RPCSEC_GSS)
		return RPCAUTH_SEC_SYS;
	return 1u << (call->service & 3);
}
/* "krb5p krb5i krb5 sys" into bits (and the order, strongest first). */
int	 rpcauth_sec_parse(const char *, unsigned int *mask,
	    uint32_t order[4], size_t *n);
const char *rpcauth_sec_name(unsigned int bit);

extern const struct rpcauth_flavor rpcauth_none;
extern const struct rpcauth_flavor rpcauth_sys;
/* AUTH_NONE and AUTH_SYS, NULL-terminated: what every server takes today. */
extern const struct rpcauth_flavor *const rpcauth_default[];

void	 rpcauth_seqwin_init(struct rpcauth_seqwin *, uint32_t size);
/* 0: a new sequence number, now recorded; -1: a replay or below the window. */
int	 rpcauth_seqwin_check(struct rpcauth_seqwin *, uint32_t seq);

struct rpcauth_contexts *rpcauth_contexts_new(void);
void	 rpcauth_contexts_free(struct rpcauth_contexts *);
/* NULL when the handle is too long or the table is full. */
struct rpcauth_context *rpcauth_context_new(struct rpcauth_contexts *,
	    const uint8_t *handle, uint32_t handle_len, uint32_t window,
	    void *priv);
struct rpcauth_context *rpcauth_context_find(struct rpcauth_contexts *,
	    const uint8_t *handle, uint32_t handle_len);
void	 rpcauth_context_free(struct rpcauth_contexts *,
	    struct rpcauth_context *);
size_t	 rpcauth_contexts_count(const struct rpcauth_contexts *);
struct rpcauth_context *rpcauth_context_at(struct rpcauth_contexts *,
	    size_t);

/*
 * Read a call's header, pick its flavour from table and let it verify
 * and unwrap.  RPCMSG_OK: call->args/args_len are the arguments.  Else
 * as rpcmsg_decode_call; RPCMSG_AUTH_DROP: send nothing.  Clear the
 * call with rpcauth_call_clear in every case.
 */
enum rpcmsg_verdict rpcauth_accept(const struct rpcauth_flavor *const *table,
	    const uint8_t *rec, size_t len, struct rpcauth_call *call);
void	 rpcauth_call_clear(struct rpcauth_call *);
/* The auth_stat of a denied reply for verdict v. */
uint32_t rpcauth_denied_stat(const struct rpcauth_call *,
	    enum rpcmsg_verdict v);

/*
 * Replies.  The head (record mark, xid, REPLY, MSG_ACCEPTED, the
 * verifier, accept_stat) is reserved at the start of the reply buffer
 * before the results are encoded after it, then written by
 * rpcauth_reply_finish, which wraps a successful reply's results.
 */
size_t	 rpcauth_reply_head(const struct rpcauth_call *);
int	 rpcauth_reply_begin(const struct rpcauth_call *, struct xdrbuf_out *);
int	 rpcauth_reply_finish(struct rpcauth_call *, struct xdrbuf_out *,
	    uint32_t accept_stat);

#endif
