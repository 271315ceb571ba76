/*
 * common/rpcmsg.h: ONC RPC messages (RFC 5531) as every RPC server here
 * reads and writes them: the call header with its credential and
 * verifier, AUTH_SYS bodies, and reply headers.  Pure functions over
 * buffers; tests/fuzz/fuzz_rpcmsg.c feeds them garbage.
 */
#ifndef DITTOFS_COMMON_RPCMSG_H
#define DITTOFS_COMMON_RPCMSG_H

#include <stddef.h>
#include <stdint.h>

#include "xdrbuf.h"

#define RPC_VERSION		2
#define RPC_CALL		0
#define RPC_REPLY		1
#define RPC_MSG_ACCEPTED	0
#define RPC_MSG_DENIED		1
#define RPC_SUCCESS		0
#define RPC_PROG_UNAVAIL	1
#define RPC_PROG_MISMATCH	2
#define RPC_PROC_UNAVAIL	3
#define RPC_GARBAGE_ARGS	4
#define RPC_SYSTEM_ERR		5
#define RPC_MISMATCH		0
#define RPC_AUTH_ERROR		1
#define RPC_AUTH_OK		0
#define RPC_AUTH_BADCRED	1
#define RPC_AUTH_REJECTEDCRED	2
#define RPC_AUTH_BADVERF	3
#define RPC_AUTH_REJECTEDVERF	4
#define RPC_AUTH_TOOWEAK	5
#define RPC_AUTH_NULL		0
#define RPC_AUTH_UNIX		1
#define RPC_AUTH_BODY_MAX	400
#define RPC_AUTH_UNIX_NAME_MAX	255
#define RPC_AUTH_UNIX_GIDS_MAX	16
#define RPC_LAST_FRAGMENT	0x80000000u
struct rpc_cred {
	uint32_t	flavor;		/* RPC_AUTH_NULL or RPC_AUTH_UNIX */
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	ngroups;
	uint32_t	groups[RPC_AUTH_UNIX_GIDS_MAX];
	char		machine[RPC_AUTH_UNIX_NAME_MAX + 1];
};

struct rpcmsg_call {
	uint32_t	xid;
	uint32_t	prog;
	uint32_t	vers;
	uint32_t	proc;
	struct rpc_cred	cred;
	size_t		args_off;	/* arguments start here in the record */
};

enum rpcmsg_verdict {
	RPCMSG_OK,
	RPCMSG_DROP,		/* not even an xid: no reply possible */
	RPCMSG_NOT_CALL,	/* a reply or garbage type: ignore */
	RPCMSG_RPC_MISMATCH,	/* MSG_DENIED RPC_MISMATCH 2..2 */
	RPCMSG_AUTH_BADCRED,
	RPCMSG_AUTH_BADVERF,
	RPCMSG_GARBAGE,		/* header readable, credentials not */
	RPCMSG_AUTH_ERROR,	/* a flavour's refusal: auth_stat in the call */
	RPCMSG_AUTH_DROP,	/* a flavour's silent discard (RFC 2203 5.3.3.1) */
};

/* An opaque_auth (RFC 5531 8.2), pointing into the record. */
struct rpcmsg_opaque_auth {
	uint32_t	 flavor;
	const uint8_t	*body;
	uint32_t	 len;
};

/*
 * A call header with its credential and verifier still raw, for the
 * flavour hook (common/rpcauth.c).  cred_end is where the credential
 * ends: what an RPCSEC_GSS call verifier is a checksum of.  verf_ok is 0
 * when the verifier could not be read (args_off is then 0).
 */
struct rpcmsg_header {
	uint32_t			xid;
	uint32_t			prog;
	uint32_t			vers;
	uint32_t			proc;
	struct rpcmsg_opaque_auth	cred;
	struct rpcmsg_opaque_auth	verf;
	int				verf_ok;
	size_t				cred_end;
	size_t				args_off;
};

enum rpcmsg_verdict rpcmsg_decode_call(const uint8_t *, size_t,
	    struct rpcmsg_call *);
/* RPCMSG_OK with a readable credential; the verifier is for the flavour. */
enum rpcmsg_verdict rpcmsg_decode_header(const uint8_t *, size_t,
	    struct rpcmsg_header *);
/* AUTH_NONE and AUTH_SYS: the credential into cred, an AUTH_NULL verifier. */
enum rpcmsg_verdict rpcmsg_verify_none_sys(const struct rpcmsg_header *,
	    struct rpc_cred *);
int	 rpcmsg_decode_auth_unix(const uint8_t *, size_t, struct rpc_cred *);
/* Accepted replies: rpcauth_reply_begin and rpcauth_reply_finish. */
void	 rpcmsg_reply_denied(struct xdrbuf_out *, uint32_t xid,
	    uint32_t reject_stat, uint32_t detail);
const char *rpcmsg_verdict_name(enum rpcmsg_verdict);
/* The client side: a call header (AUTH_NULL), and a reply's header. */
void	 rpcmsg_call_header(struct xdrbuf_out *, uint32_t xid, uint32_t prog,
	    uint32_t vers, uint32_t proc);
void	 rpcmsg_call_header_sys(struct xdrbuf_out *, uint32_t xid,
	    uint32_t prog, uint32_t vers, uint32_t proc, const char *machine);
/*
 * A credential a call goes with (RFC 5531 appendix A): RPC_AUTH_NULL, or
 * RPC_AUTH_UNIX with these authsys_parms (a callback client's own,
 * RFC 8881 18.36 callback_sec_parms4).
 */
struct rpcmsg_sys_cred {
	uint32_t	flavor;
	uint32_t	stamp;
	char		machine[RPC_AUTH_UNIX_NAME_MAX + 1];
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	ngids;
	uint32_t	gids[RPC_AUTH_UNIX_GIDS_MAX];
};
void	 rpcmsg_sys_root(struct rpcmsg_sys_cred *, const char *machine);
void	 rpcmsg_call_header_cred(struct xdrbuf_out *, uint32_t xid,
	    uint32_t prog, uint32_t vers, uint32_t proc,
	    const struct rpcmsg_sys_cred *);
int	 rpcmsg_decode_reply(const uint8_t *, size_t, uint32_t *xid,
	    uint32_t *accept_stat, size_t *res_off);

#endif
