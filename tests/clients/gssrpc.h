/*
 * RPC over TCP under RPCSEC_GSS (RFC 2203) for the test clients that
 * build both ends of a callback by hand (cb-gss, cb-gss41): records
 * (RFC 5531 11), one side's context state, the call head with its
 * credential, MICs and the krb5i/krb5p bodies, a reply's head, the
 * INIT exchange and a DATA call of the initiator; and the NFSv4 pieces
 * both send and read over it: COMPOUND4args, the status of its
 * results, an OPEN for reading with its delegation and DELEGRETURN;
 * and the command line both take.  Buffers are rpcbuf.h's.
 */
#ifndef DITTOFS_TESTS_GSSRPC_H
#define DITTOFS_TESTS_GSSRPC_H

#include <stddef.h>
#include <stdint.h>

#include <gssapi/gssapi.h>

#include "rpcbuf.h"

#define NFS_PROG	100003
#define CB_PROG		0x40000000u
#define RPCSEC_GSS	6
#define GSS_INIT	1
#define GSS_DATA	0
#define WAIT_MS		20000	/* for a record, or a call of the peer's */

/* The NFSv4 operations both clients send or answer. */
enum { OP_DELEGRETURN = 8, OP_GETFH = 10, OP_LOOKUP = 15, OP_OPEN = 18,
	OP_PUTFH = 22, OP_PUTROOTFH = 24, OP_CB_RECALL = 4 };

/* One side's RPCSEC_GSS state. */
struct side {
	gss_ctx_id_t	ctx;
	uint8_t		handle[64];
	size_t		handle_len;
	uint32_t	service;	/* 1 krb5, 2 krb5i, 3 krb5p */
	uint32_t	seq;
};

/*
 * How a client sends its COMPOUNDs: compound (its status, the results
 * in res and r past their head), the ops put ahead of every call's own
 * and skipped in the results (NFSv4.1's SEQUENCE; NULL: none), and its
 * OPENs' seqid and owner.
 */
struct nfs4_calls {
	uint32_t	(*compound)(const struct buf *, uint32_t, struct buf *,
			    struct rd *);
	void		(*head_put)(struct buf *);
	void		(*head_skip)(struct rd *);
	uint32_t	  open_seqid;
	const char	 *owner;
};

/* The command line both clients take (options_parse). */
struct options {
	int		 port;
	const char	*export;
	const char	*file;
	uint32_t	 service;
	const char	*trigger;
	const char	*restart;
	const char	*mode;
};

/* A record's receiver: the next reply on fd into b; 0 or -1. */
typedef int (*recv_fn)(int fd, struct buf *b);

int		 send_rec(int, const struct buf *);
int		 recv_rec(int, struct buf *);
int		 loopback_connect(int);
int		 mic_put(gss_ctx_id_t, const uint8_t *, size_t, struct buf *);
int		 mic_ok(gss_ctx_id_t, const uint8_t *, size_t, const uint8_t *,
		    size_t);
int		 body_put(const struct side *, uint32_t, const struct buf *,
		    struct buf *);
int		 body_get(const struct side *, uint32_t, struct rd *,
		    struct buf *);
void		 head_put(struct buf *, uint32_t, uint32_t, uint32_t, uint32_t,
		    const struct side *, uint32_t, uint32_t);
int		 reply_head(struct rd *, uint32_t, const uint8_t **, size_t *,
		    uint32_t *);
void		 reply_accepted(struct buf *, uint32_t);
int		 client_context(int, uint32_t *, uint32_t, uint32_t,
		    const char *, struct side *);
int		 data_call(int, recv_fn, struct side *, uint32_t, uint32_t,
		    uint32_t, uint32_t, const struct buf *, struct buf *);
const char	*sec_name(uint32_t);

void		 compound_args_put(struct buf *, const char *, uint32_t,
		    const struct buf *, uint32_t);
uint32_t	 compound_status(struct buf *, struct rd *);
const char	*deleg_name(int);
int		 open_file(const struct nfs4_calls *, uint64_t, const char *,
		    const char *, uint8_t[16], uint8_t *, size_t *);
uint32_t	 delegreturn(const struct nfs4_calls *, const uint8_t[16],
		    const uint8_t *, size_t);

int		 options_parse(int, char *[], char, const char *,
		    struct options *);

#endif
