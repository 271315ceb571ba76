/*
 * common/rpcsvc.h: the ONC RPC server (RFC 5531) of the front ends
 * (nfsd, lockd and statd): TCP with record marking (section 11) and UDP
 * on a libevent loop, and a program table.  A program names its
 * versions; a version its procedures, each with a name, its argument
 * decoder, its result encoder, its handler and its reply-cache class.
 * The server finds the procedure, decodes the arguments and calls the
 * handler; a call outlives its handler (lockd answers after stated and
 * blockd did) and is answered with rpcsvc_reply*() or dropped.
 *
 * A service may encode its results itself into call->out (after the
 * reply's head, rpcsvc_body_offset) and append data from a file, sent
 * by sendfile(2) after the encoded part (read into the reply when the
 * flavour wraps replies).  A program may have a reply cache
 * (struct rpcsvc_cache_ops): its RPCSVC_CACHE_REPLY procedures are
 * looked up there before they run, and their reply bodies stored there
 * after; a replay is headed again through the call's flavour.  A
 * listener serves a set of the programs.
 *
 * Call headers are read by common/rpcmsg.c, credentials and verifiers
 * by the flavour hook common/rpcauth.c, which also heads the replies.
 * The connection policy (connections in total and per address, the idle
 * timeout, queued output per connection and in total) is
 * common/connlimit.c's, read from the daemon's section by
 * rpcsvc_configure.  Every length read from the wire is checked
 * against what is left of the message and against its bound.
 */
#ifndef DITTOFS_COMMON_RPCSVC_H
#define DITTOFS_COMMON_RPCSVC_H

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include <rpc/rpc.h>
#include <event2/event.h>

#include "rpcauth.h"
#include "rpcmsg.h"

struct conf;
struct daemon;
struct rpcbind;

#define RPCSVC_CONN_CALLS_MAX	128		/* in flight per connection */
#define RPCSVC_ADDR_MAX		64
#define RPCSVC_NAME_MAX		(RPCSVC_ADDR_MAX + 8)	/* addr:port */
#define RPCSVC_LISTENERS_MAX	4
/* A reply's RPC header and fixed results, counted before it is built. */
#define RPCSVC_REPLY_SLACK	1024

struct rpcsvc;
struct rpcsvc_conn;
struct rpcsvc_call;

/* Whether a retransmission is answered from a reply cache. */
enum rpcsvc_cache {
	RPCSVC_CACHE_NONE,	/* idempotent: run it again */
	RPCSVC_CACHE_REPLY,	/* not idempotent: replay the reply */
};

/* A file descriptor shared by the service and replies still queued. */
struct rpcsvc_fd {
	int		fd;
	int		refs;
};

enum rpcsvc_cache_verdict {
	RPCSVC_CACHE_MISS,		/* new: recorded as in progress */
	RPCSVC_CACHE_IN_PROGRESS,	/* a retransmission: dropped */
	RPCSVC_CACHE_HIT,		/* done: its reply body again */
};

/*
 * A program's reply cache; arg is the service's (rpcsvc_new).  The key
 * is the cache's own: lookup may keep what it needs of the record in
 * call->cache_sum.
 */
struct rpcsvc_cache_ops {
	/* rec: the call's record; on a hit the reply body to send again. */
	enum rpcsvc_cache_verdict (*lookup)(void *arg, struct rpcsvc_call *,
	    const uint8_t *rec, size_t len, const uint8_t **body,
	    size_t *body_len);
	/*
	 * The successful reply's body (not wrapped, no RPC header): 1 to
	 * hold the connection's output until rpcsvc_release_held.
	 */
	int	(*complete)(void *arg, struct rpcsvc_call *,
	    const uint8_t *body, size_t len);
	/* No reply to keep: an error, a drop, or rpcsvc_cache_abandon. */
	void	(*abandon)(void *arg, struct rpcsvc_call *);
};

/* args: the decoded arguments (NULL without a decoder); arg: the service's. */
typedef void	 rpcsvc_handler_fn(struct rpcsvc_call *, void *args,
		    void *arg);

struct rpcsvc_proc {
	const char		*name;
	/* NULL: no arguments, or the handler reads call->args itself. */
	xdrproc_t		 decode;
	size_t			 args_size;
	xdrproc_t		 encode;	/* rpcsvc_reply's; NULL: void */
	rpcsvc_handler_fn	*handler;	/* NULL: PROC_UNAVAIL */
	enum rpcsvc_cache	 cache;
};

struct rpcsvc_version {
	uint32_t			 vers;
	const struct rpcsvc_proc	*procs;		/* by number */
	uint32_t			 nprocs;
};

struct rpcsvc_program {
	const char			*name;
	uint32_t			 prog;
	uint32_t			 vers_min;	/* PROG_MISMATCH */
	uint32_t			 vers_max;
	size_t				 record_max;	/* a call's record */
	const struct rpcsvc_version	*versions;
	size_t				 nversions;
	const struct rpcsvc_cache_ops	*cache;		/* NULL: none */
	size_t				 state_size;	/* call->state */
};

/* An incoming call; answer it with rpcsvc_reply*() or rpcsvc_call_drop(). */
struct rpcsvc_call {
	struct rpcsvc			*svc;
	struct rpcsvc_conn		*conn;		/* TCP; NULL for UDP */
	int				 udp_fd;
	struct sockaddr_storage		 peer;
	socklen_t			 peer_len;
	char				 peer_addr[RPCSVC_ADDR_MAX];
	char				 peer_name[RPCSVC_NAME_MAX];
	uint8_t				 peer_key[16];	/* IPv4 mapped */
	unsigned int			 peer_port;
	int				 peer_loopback;
	struct rpcauth_call		 auth;	/* header, flavour, identity */
	const struct rpcsvc_program *const *programs;	/* the listener's */
	const struct rpcsvc_program	*program;
	const struct rpcsvc_proc	*proc;
	uint8_t				*rec;	/* the record; owned */
	size_t				 rec_len;
	int				 rec_pooled;	/* back to the pool */
	const uint8_t			*args;	/* the raw arguments */
	size_t				 args_len;
	void				*decoded;	/* by proc->decode */
	void				*state;	/* program->state_size, zeroed */
	/* The reply: its head reserved, then the body. */
	struct xdrbuf_out		 out;
	struct rpcsvc_fd		*data_fd;	/* then file data */
	off_t				 data_off;
	size_t				 data_len;
	size_t				 reserved;	/* counted as output */
	int				 cache_held;	/* in progress */
	int				 hold_reply;	/* rpcsvc_hold_reply */
	uint32_t			 cache_sum;	/* the cache's */
};

struct rpcsvc_stats {
	uint64_t	calls;
	uint64_t	garbage;	/* dropped or refused as malformed */
	uint64_t	conns;		/* accepted */
	size_t		open;		/* connections open now */
	size_t		out_queued;	/* bytes, all connections */
	uint64_t	refused;	/* connections */
	/* System calls on TCP connections: pipelined calls share them. */
	uint64_t	reads;		/* read(2) */
	uint64_t	writes;		/* writev(2), sendfile(2), write(2) */
	uint64_t	recs_reused;	/* large records read into a kept buffer */
};

/* Wire helpers (unit-tested). */
void		 rpcsvc_addr_string(const struct sockaddr *, char *, size_t,
		    int *loopback);

/* programs: NULL-terminated; arg goes to every handler. */
struct rpcsvc	*rpcsvc_new(struct event_base *,
		    const struct rpcsvc_program *const *programs, void *arg);
void		 rpcsvc_free(struct rpcsvc *);
/*
 * The limits of [section] (max connections, connections per address,
 * idle timeout, output per connection, output total); until called, the
 * defaults of lockd's section.  0, or -1 if the timer cannot be set.
 */
int		 rpcsvc_configure(struct rpcsvc *, const struct conf *,
		    const char *section);
/* The flavours calls may use (NULL-terminated); rpcauth_default until. */
void		 rpcsvc_set_flavors(struct rpcsvc *,
		    const struct rpcauth_flavor *const *);
/* Adopt listening TCP and bound UDP sockets (either may be -1). */
int		 rpcsvc_listen(struct rpcsvc *, int tcp_fd, int udp_fd);
/* ... serving only programs (NULL-terminated, of rpcsvc_new's). */
int		 rpcsvc_listen_programs(struct rpcsvc *, int tcp_fd, int udp_fd,
		    const struct rpcsvc_program *const *programs);
int		 rpcsvc_bind_sockets(const char *addr, int port, int *tcp_fd,
		    int *udp_fd);
int		 rpcsvc_socket_port(int fd);
struct rpcbind	*rpcsvc_register(struct daemon *, uint32_t prog,
		    uint32_t vers_min, uint32_t vers_max, int tcp_port,
		    int udp_port);
void		 rpcsvc_stats_get(const struct rpcsvc *, struct rpcsvc_stats *);

/*
 * A call back to the peer over an accepted TCP connection (the NFSv4.1
 * backchannel): call->conn of one of its calls; an AUTH_SYS credential
 * as root of machine, or AUTH_NULL when machine is NULL.  fn gets 0 and
 * the results, or a negative errno value (-EPROTO: refused,
 * -ECONNRESET: the connection went); it is called once, whatever
 * happens, but not before the connection answers or goes.  -1: the
 * connection is gone or UDP (NULL), or RPCSVC_CONN_CALLS_MAX callbacks
 * wait already.
 */
typedef void	 rpcsvc_result_fn(void *arg, int status, XDR *xdrs);
int		 rpcsvc_back_call(struct rpcsvc_conn *, uint32_t prog,
		    uint32_t vers, uint32_t proc, const char *machine,
		    xdrproc_t, const void *args, rpcsvc_result_fn *, void *arg);
/* The same with the credential cred (rpcmsg_call_header_cred). */
int		 rpcsvc_back_call_cred(struct rpcsvc_conn *, uint32_t prog,
		    uint32_t vers, uint32_t proc,
		    const struct rpcmsg_sys_cred *cred, xdrproc_t,
		    const void *args, rpcsvc_result_fn *, void *arg);
/*
 * A call whose record the caller made (RPCSEC_GSS, whose header MIC
 * covers the xid): rec from the xid on, that xid from rpcsvc_back_xid.
 * fn gets 0 and the whole reply record, accepted or not, for the caller
 * to check; or a negative errno value as rpcsvc_back_call's does.
 */
typedef void	 rpcsvc_record_fn(void *arg, int status, const uint8_t *rec,
		    size_t len);
uint32_t	 rpcsvc_back_xid(struct rpcsvc_conn *);
int		 rpcsvc_back_call_record(struct rpcsvc_conn *, uint32_t xid,
		    const uint8_t *rec, size_t len, rpcsvc_record_fn *,
		    void *arg);
/*
 * A connection kept past its calls (a session's backchannel): held, it
 * stays valid memory after it closes, and rpcsvc_conn_alive says 0.
 */
struct rpcsvc_conn *rpcsvc_conn_ref(struct rpcsvc_conn *);
void		 rpcsvc_conn_release(struct rpcsvc_conn *);
int		 rpcsvc_conn_alive(const struct rpcsvc_conn *);

int		 rpcsvc_decode_args(struct rpcsvc_call *, xdrproc_t, void *);
int		 rpcsvc_call_alive(const struct rpcsvc_call *);
/* The results through the procedure's encoder. */
void		 rpcsvc_reply(struct rpcsvc_call *, const void *res);
/* The results through another encoder (NLM's results differ by version). */
void		 rpcsvc_reply_with(struct rpcsvc_call *, xdrproc_t,
		    const void *res);
void		 rpcsvc_reply_error(struct rpcsvc_call *, uint32_t accept_stat);
void		 rpcsvc_call_drop(struct rpcsvc_call *);
/* MSG_DENIED AUTH_ERROR (RFC 5531 9): AUTH_TOOWEAK, RPCSEC_GSS_*. */
void		 rpcsvc_reply_auth_error(struct rpcsvc_call *,
		    uint32_t auth_stat);
/* A call its flavour held (RPCAUTH_CONTROL_HOLD): accepted again. */
void		 rpcsvc_call_resume(struct rpcsvc_call *);

/*
 * Results the service encodes itself: into call->out, whose first
 * rpcsvc_body_offset bytes are the reply's head, then rpcsvc_reply_body.
 */
size_t		 rpcsvc_body_offset(const struct rpcsvc_call *);
void		 rpcsvc_reply_body(struct rpcsvc_call *);
/*
 * The body in call->out followed by len bytes of fd from off (zeros if
 * the file is shorter now) and their XDR padding: by sendfile on TCP,
 * read into the reply on UDP, when the flavour wraps replies or when
 * the reply goes to the cache.
 */
void		 rpcsvc_reply_file(struct rpcsvc_call *, struct rpcsvc_fd *,
		    off_t off, size_t len);
/* The reply will carry about n bytes more: counted as output now. */
void		 rpcsvc_reserve(struct rpcsvc_call *, size_t n);
/* This call's reply is not to be replayed (a transient error). */
void		 rpcsvc_cache_abandon(struct rpcsvc_call *);
/* The cache's entries are safe: write the output held for them. */
void		 rpcsvc_release_held(struct rpcsvc *);
/*
 * This call's reply (and what follows it on the connection) waits for
 * rpcsvc_release_held, as a cached reply does: for a service that
 * records it elsewhere first.
 */
void		 rpcsvc_hold_reply(struct rpcsvc_call *);

struct rpcsvc_fd *rpcsvc_fd_ref(struct rpcsvc_fd *);
void		 rpcsvc_fd_unref(struct rpcsvc_fd *);

#endif
