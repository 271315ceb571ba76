/*
 * common/rpcclnt.h: an asynchronous ONC RPC client over UDP (RFC 5531)
 * on a libevent loop, with a port lookup through the peer's rpcbind
 * (PMAP v2 GETPORT), for the callbacks front ends make (NLM GRANTED,
 * the _RES messages, SM_NOTIFY); and one over TCP.
 */
#ifndef DITTOFS_COMMON_RPCCLNT_H
#define DITTOFS_COMMON_RPCCLNT_H

#include <sys/socket.h>
#include <stdint.h>

#include <rpc/rpc.h>
#include <event2/event.h>

#define RPCCLNT_MSG_MAX		(64 * 1024)	/* a call or its reply */

struct rpcclnt;

/* status 0 and xdrs set to the results, or a negative errno value. */
typedef void	 rpcclnt_result_fn(void *arg, int status, XDR *xdrs);

struct rpcclnt	*rpcclnt_new(struct event_base *, int udp_fd);
void		 rpcclnt_free(struct rpcclnt *);
/* A port of 0 in addr: look it up with the peer's rpcbind first. */
int		 rpcclnt_call(struct rpcclnt *, const struct sockaddr *,
		    socklen_t, uint32_t prog, uint32_t vers, uint32_t proc,
		    xdrproc_t, const void *args, unsigned int tries,
		    rpcclnt_result_fn *, void *arg);
/*
 * Over TCP: one connection to one peer (the NFSv4.0 callback channel),
 * its calls answered by xid or failed at timeout_ms (-ETIMEDOUT) or when
 * the connection goes (-ECONNRESET).
 */
struct rpcclnt_tcp;

struct rpcclnt_tcp *rpcclnt_tcp_new(struct event_base *,
		    const struct sockaddr *, socklen_t);
void		 rpcclnt_tcp_free(struct rpcclnt_tcp *);
/* 1 once the connection was made (a failure before: cannot connect). */
int		 rpcclnt_tcp_connected(const struct rpcclnt_tcp *);
/* Later calls carry AUTH_SYS as root of machine (NFSv4.0 callbacks). */
int		 rpcclnt_tcp_auth_sys(struct rpcclnt_tcp *, const char *machine);
int		 rpcclnt_tcp_call(struct rpcclnt_tcp *, uint32_t prog,
		    uint32_t vers, uint32_t proc, xdrproc_t, const void *args,
		    unsigned int timeout_ms, rpcclnt_result_fn *, void *arg);
/*
 * A call whose record the caller built whole, from its xid on (one of
 * rpcclnt_tcp_xid): RPCSEC_GSS signs the header.  fn gets the whole
 * reply record from the xid on, whatever it says (status 0), or a
 * negative errno value and no record.
 */
typedef void	 rpcclnt_record_fn(void *arg, int status, const uint8_t *rec,
		    size_t len);
uint32_t	 rpcclnt_tcp_xid(struct rpcclnt_tcp *);
int		 rpcclnt_tcp_send(struct rpcclnt_tcp *, uint32_t xid,
		    const uint8_t *rec, size_t len, unsigned int timeout_ms,
		    rpcclnt_record_fn *, void *arg);

/* A UDP socket for outgoing calls, on a reserved port if asked. */
int		 rpcclnt_socket(int reserved);

#endif
