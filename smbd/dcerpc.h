/*
 * smbd/dcerpc.h: connection-oriented DCE/RPC (C706 chapter 12, MS-RPCE
 * 2.2.2) over the named pipes of IPC$, with the NDR (C706 chapter 14)
 * that srvsvc and wkssvc need.  Pure: no I/O, no events, no smbd
 * state, so tests/unit/test_dcerpc.c and tests/fuzz/fuzz_dcerpc.c
 * drive it alone.  What an interface answers from (the shares, the
 * server's name, whether the caller is an administrator) comes in a
 * struct dcerpc_server with each write.
 */
#ifndef DITTOFS_SMBD_DCERPC_H
#define DITTOFS_SMBD_DCERPC_H

#include <stddef.h>
#include <stdint.h>

/* PDU types (C706 12.6.4). */
#define DCERPC_REQUEST		0
#define DCERPC_RESPONSE		2
#define DCERPC_FAULT		3
#define DCERPC_BIND		11
#define DCERPC_BIND_ACK		12
#define DCERPC_BIND_NAK		13
#define DCERPC_ALTER_CONTEXT	14
#define DCERPC_ALTER_CONTEXT_RESP 15
#define DCERPC_AUTH3		16
#define DCERPC_SHUTDOWN		17
#define DCERPC_CO_CANCEL	18
#define DCERPC_ORPHANED		19

#define DCERPC_PFC_FIRST_FRAG	0x01
#define DCERPC_PFC_LAST_FRAG	0x02
#define DCERPC_PFC_DID_NOT_EXECUTE 0x20
#define DCERPC_PFC_OBJECT_UUID	0x80

#define DCERPC_HDR_SIZE		16
/* The largest fragment either side sends: Windows' and Samba's. */
#define DCERPC_FRAG_MAX		4280
/* MS-RPCE 3.3.1.5.6: a client may not offer less. */
#define DCERPC_FRAG_MIN		1432
/* A request's stub data, reassembled from its fragments. */
#define DCERPC_REQUEST_MAX	(64 * 1024)
/* Responses waiting to be read from one pipe. */
#define DCERPC_OUTPUT_MAX	(1024 * 1024)
#define DCERPC_CONTEXTS_MAX	8	/* accepted, per pipe */
#define DCERPC_BIND_CONTEXTS_MAX 16	/* offered in one BIND */

/* Fault codes (C706 appendix E, MS-RPCE 2.2.2.11). */
#define DCERPC_FAULT_OP_RNG_ERROR	0x1c010002u
#define DCERPC_FAULT_UNK_IF		0x1c010003u
#define DCERPC_FAULT_PROTO_ERROR	0x1c01000bu
#define DCERPC_FAULT_CONTEXT_MISMATCH	0x1c00001au
#define DCERPC_FAULT_ACCESS_DENIED	0x00000005u
#define DCERPC_FAULT_NDR		0x000006f7u	/* bad stub data */
#define DCERPC_FAULT_REMOTE_NO_MEMORY	0x1c000022u

/* BIND_ACK results (C706 12.6.3.1, MS-RPCE 2.2.2.4). */
#define DCERPC_ACCEPTANCE		0
#define DCERPC_PROVIDER_REJECTION	2
#define DCERPC_NEGOTIATE_ACK		3
#define DCERPC_REASON_ABSTRACT_SYNTAX	1
#define DCERPC_REASON_TRANSFER_SYNTAXES	2
/* BIND_NAK reasons (C706 12.6.3.2, MS-RPCE 2.2.2.5). */
#define DCERPC_NAK_NOT_SPECIFIED	0
#define DCERPC_NAK_LOCAL_LIMIT		2
#define DCERPC_NAK_PROTOCOL_VERSION	4
#define DCERPC_NAK_AUTH_TYPE		8

/* Windows errors (WERROR) the interfaces answer with (MS-ERREF 2.2). */
#define WERR_OK			0x00000000u
#define WERR_ACCESS_DENIED	0x00000005u
#define WERR_INVALID_PARAMETER	0x00000057u
#define WERR_INVALID_LEVEL	0x0000007cu
#define WERR_NET_NAME_NOT_FOUND	0x00000906u
#define WERR_DEVICE_NOT_SHARED	0x00000907u

/* Share types (MS-SRVS 2.2.2.4). */
#define STYPE_DISKTREE		0x00000000u
#define STYPE_IPC		0x00000003u
#define STYPE_SPECIAL		0x80000000u
#define STYPE_IPC_HIDDEN	(STYPE_IPC | STYPE_SPECIAL)

/* The NDR writer: little-endian, 4-byte referent ids, grows. */
struct ndr_out {
	uint8_t		*buf;
	size_t		 len, cap;
	int		 failed;	/* out of memory: the result is void */
	uint32_t	 next_ref;
};

void	 ndr_out_init(struct ndr_out *);
void	 ndr_out_free(struct ndr_out *);
void	 ndr_align(struct ndr_out *, size_t);
void	 ndr_u8(struct ndr_out *, uint8_t);
void	 ndr_u16(struct ndr_out *, uint16_t);
void	 ndr_u32(struct ndr_out *, uint32_t);
void	 ndr_bytes(struct ndr_out *, const void *, size_t);
/* A unique or full pointer: a new referent id, or 0 for NULL. */
void	 ndr_ptr(struct ndr_out *, int present);
/* A conformant varying UTF-16 string with its NUL ([string] wchar_t *). */
void	 ndr_string(struct ndr_out *, const char *utf8);

/* The NDR reader: every read checked; a short input sets failed. */
struct ndr_in {
	const uint8_t	*p;
	size_t		 len, off;
	int		 failed;
};

void	 ndr_in_init(struct ndr_in *, const uint8_t *, size_t);
void	 ndr_in_align(struct ndr_in *, size_t);
uint16_t ndr_in_u16(struct ndr_in *);
uint32_t ndr_in_u32(struct ndr_in *);
/*
 * A conformant varying UTF-16 string (the pointer, if any, read by the
 * caller), as UTF-8 with its NUL in out: 0, or -1 (failed set) when it
 * is malformed or longer than outmax - 1 bytes.
 */
int	 ndr_in_string(struct ndr_in *, char *out, size_t outmax);
/* Whether an info level is one of n (the arms of an interface's union). */
int	 dcerpc_level_in(uint32_t level, const uint16_t *levels, size_t n);

/* What the interfaces answer from. */
struct dcerpc_share {
	const char	*name;
	uint32_t	 type;		/* STYPE_* */
	const char	*comment;
	const char	*path;		/* NULL: none (levels 2, 502) */
};

struct dcerpc_server {
	const char			*name;		/* NetBIOS-like */
	const char			*domain;
	const char			*comment;
	const struct dcerpc_share	*shares;
	size_t				 nshares;
	int				 admin;	/* may read levels 2, 502 */
	int				 anonymous; /* or guest: no 501 */
};

/*
 * An operation: the stub data of the request in `in', the response's
 * into `out'.  Returns 0, or a fault code (DCERPC_FAULT_*).
 */
typedef uint32_t dcerpc_op_fn(const struct dcerpc_server *, uint16_t opnum,
	    struct ndr_in *in, struct ndr_out *out);

struct dcerpc_interface {
	const char	*pipe;		/* its pipe in IPC$ */
	uint8_t		 uuid[16];	/* as NDR puts it on the wire */
	uint16_t	 major, minor;
	dcerpc_op_fn	*call;
};

/* The interface served on a pipe of IPC$ (any case), or NULL. */
const struct dcerpc_interface *dcerpc_interface_by_pipe(const char *);

/* Responses waiting: one message (one PDU) each (message-mode pipe). */
struct dcerpc_msg {
	uint8_t			*data;
	size_t			 len, off;	/* off: read so far */
	struct dcerpc_msg	*next;
};

/* One pipe's association (C706 12.4). */
struct dcerpc_conn {
	const struct dcerpc_interface *iface;
	int		 bound;
	uint16_t	 max_xmit, max_recv;
	uint32_t	 assoc_group;
	uint16_t	 ctx_ids[DCERPC_CONTEXTS_MAX];	/* accepted */
	size_t		 nctx;
	/* Bytes of a PDU written in pieces. */
	uint8_t		*in;
	size_t		 inlen;
	/* A request being reassembled from its fragments. */
	int		 in_request;
	uint32_t	 req_call_id;
	uint16_t	 req_ctx, req_opnum;
	uint8_t		*req;
	size_t		 reqlen;
	/* Responses to be read. */
	struct dcerpc_msg *out_head, *out_tail;
	size_t		 outbytes;
	/* Counters; limited: calls refused for the size limits above. */
	uint64_t	 calls, faults, limited;
};

struct dcerpc_conn *dcerpc_conn_new(const struct dcerpc_interface *);
void	 dcerpc_conn_free(struct dcerpc_conn *);
/*
 * Bytes a client wrote to the pipe: whole PDUs are answered (their
 * responses queued), a partial one kept for the next write.  0, or -1
 * for input no PDU can start with (the pipe should be treated as
 * broken).
 */
int	 dcerpc_write(struct dcerpc_conn *, const uint8_t *, size_t,
	    const struct dcerpc_server *);
/*
 * Read from the first waiting message, at most max bytes: the count,
 * with *more set when that message has bytes left (the pipe's
 * STATUS_BUFFER_OVERFLOW).
 */
size_t	 dcerpc_read(struct dcerpc_conn *, uint8_t *, size_t max, int *more);
/* Bytes waiting to be read, every message counted. */
size_t	 dcerpc_pending(const struct dcerpc_conn *);

/* srvsvc.c (MS-SRVS), wkssvc.c (MS-WKST) */
extern const struct dcerpc_interface srvsvc_interface;
extern const struct dcerpc_interface wkssvc_interface;

#endif
