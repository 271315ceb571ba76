/*
 * A small ONC RPC layer (RFC 5531) for dittofs-lockd and dittofs-statd:
 * servers over TCP (record marking) and UDP on a libevent loop, calls
 * answered asynchronously (a call outlives its dispatch while lockd asks
 * stated and blockd), and an asynchronous UDP client with a port lookup
 * through the peer's rpcbind (PMAP v2 GETPORT) for callbacks (NLM
 * GRANTED, the _RES messages, SM_NOTIFY).
 *
 * The messages themselves are read and written by common/rpcmsg.c,
 * the code nfsd's RPC server uses too.
 *
 * Every length read from the wire is checked against what is left of
 * the message and against its bound before use.
 *
 * The connection policy (connections in total and per address, the idle
 * timeout, queued output per connection and in total) is
 * common/connlimit.c's, the same as nfsd's, read from the daemon's
 * section by rpc_service_configure.
 */
#ifndef DITTOFS_LOCKD_RPC_H
#define DITTOFS_LOCKD_RPC_H

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

#define RPC_RECORD_MAX		(64 * 1024)	/* NLM and NSM calls are small */
#define RPC_CONN_CALLS_MAX	128		/* in flight per connection */
#define RPC_ADDR_MAX		64

/* accept_stat */
enum rpc_accept {
	RPC_ACCEPT_SUCCESS = RPC_SUCCESS,
	RPC_ACCEPT_PROG_UNAVAIL = RPC_PROG_UNAVAIL,
	RPC_ACCEPT_PROG_MISMATCH = RPC_PROG_MISMATCH,
	RPC_ACCEPT_PROC_UNAVAIL = RPC_PROC_UNAVAIL,
	RPC_ACCEPT_GARBAGE_ARGS = RPC_GARBAGE_ARGS,
	RPC_ACCEPT_SYSTEM_ERR = RPC_SYSTEM_ERR
};

struct rpc_service;
struct rpc_conn;

/* An incoming call; answer it with rpc_reply*() or rpc_call_drop(). */
struct rpc_call {
	struct rpc_service	*svc;
	struct rpc_conn		*conn;		/* TCP; NULL for UDP */
	int			 udp_fd;
	struct sockaddr_storage	 peer;
	socklen_t		 peer_len;
	char			 peer_addr[RPC_ADDR_MAX];	/* numeric */
	int			 peer_loopback;
	struct rpcauth_call	 auth;	/* header, flavour, identity */
	uint8_t			*args;
	size_t			 args_len;
};

typedef void	 rpc_dispatch_fn(struct rpc_call *, void *arg);

struct rpc_stats {
	uint64_t	calls;
	uint64_t	garbage;	/* dropped or refused as malformed */
	uint64_t	conns;
};

/* rpc.c: wire helpers (unit-tested) */
void		 rpc_addr_string(const struct sockaddr *, char *, size_t,
		    int *loopback);

/* rpc.c: server */
struct rpc_service *rpc_service_new(struct event_base *, uint32_t prog,
		    uint32_t vers_min, uint32_t vers_max, rpc_dispatch_fn *,
		    void *arg);
void		 rpc_service_free(struct rpc_service *);
/*
 * The limits of [section] (max connections, connections per address,
 * idle timeout, output per connection, output total); until called, the
 * defaults of lockd's section.  0, or -1 if the timer cannot be set.
 */
int		 rpc_service_configure(struct rpc_service *,
		    const struct conf *, const char *section);
/* Adopt listening TCP and bound UDP sockets (either may be -1). */
int		 rpc_service_listen(struct rpc_service *, int tcp_fd,
		    int udp_fd);
int		 rpc_bind_sockets(const char *addr, int port, int *tcp_fd,
		    int *udp_fd);
int		 rpc_socket_port(int fd);
struct rpcbind	*rpc_register(struct daemon *, uint32_t prog,
		    uint32_t vers_min, uint32_t vers_max, int tcp_port,
		    int udp_port);
int		 rpc_client_socket(int reserved);
void		 rpc_service_stats(const struct rpc_service *,
		    struct rpc_stats *);

int		 rpc_decode_args(struct rpc_call *, xdrproc_t, void *);
int		 rpc_call_alive(const struct rpc_call *);
void		 rpc_reply(struct rpc_call *, xdrproc_t, const void *);
void		 rpc_reply_error(struct rpc_call *, enum rpc_accept);
void		 rpc_call_drop(struct rpc_call *);

/* rpc.c: client (UDP, asynchronous) */
struct rpc_client;

/* status 0 and xdrs set to the results, or a negative errno value. */
typedef void	 rpc_result_fn(void *arg, int status, XDR *xdrs);

struct rpc_client *rpc_client_new(struct event_base *, int udp_fd);
void		 rpc_client_free(struct rpc_client *);
/* A port of 0 in addr: look it up with the peer's rpcbind first. */
int		 rpc_client_call(struct rpc_client *, const struct sockaddr *,
		    socklen_t, uint32_t prog, uint32_t vers, uint32_t proc,
		    xdrproc_t, const void *args, unsigned int tries,
		    rpc_result_fn *, void *arg);

#endif
