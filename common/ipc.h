/*
 * IPC between DittoFS daemons: framed messages over Unix stream
 * sockets, at most one file descriptor per message (SCM_RIGHTS), XDR
 * bodies (ipc_msg.x), all on a libevent loop.
 *
 * Layers:
 *   ipc_channel  one connected socket: framing, fd passing, output
 *                queue coalesced per wakeup, request/reply matching.
 *   ipc_server   a listening socket: SO_PEERCRED, HELLO, and the
 *                per-role table of the message types a peer may send.
 *   ipc_client   a connection to a daemon that re-dials with back-off
 *                and says HELLO again after every reconnect.
 */
#ifndef DITTOFS_IPC_H
#define DITTOFS_IPC_H

#include <sys/types.h>
#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

#include <rpc/rpc.h>
#include <event2/event.h>

#include "ipc_msg.h"

struct ipc_hdr {
	uint32_t	type;
	uint32_t	len;	/* body bytes that follow the header */
	uint32_t	id;	/* request id; a reply carries the request's */
	uint16_t	flags;
	uint16_t	reserved;
};

#define IPC_HDR_SIZE	sizeof(struct ipc_hdr)
/* Large enough for a 1 MiB WRITE payload plus its XDR arguments. */
#define IPC_BODY_MAX	(1024 * 1024 + 64 * 1024)

#define IPC_F_FD	0x0001	/* a file descriptor rides with it */
#define IPC_F_REPLY	0x0002	/* answers request "id" */

struct ipc_msg {
	struct ipc_hdr	 hdr;
	const uint8_t	*body;	/* valid during the dispatch call only */
	size_t		 len;
	int		 fd;	/* -1, or owned by the handler */
};

struct ipc_channel;

/* A message arrived.  The handler owns msg->fd if it is not -1. */
typedef void	 ipc_dispatch_fn(struct ipc_channel *, struct ipc_msg *,
		    void *arg);
/* The channel died (peer closed, protocol error); it is freed after. */
typedef void	 ipc_close_fn(struct ipc_channel *, void *arg);
/* A reply to ipc_call arrived, or msg is NULL when the channel died. */
typedef void	 ipc_reply_fn(struct ipc_channel *, struct ipc_msg *,
		    void *arg);

/* A dispatch batch (one wakeup's messages) ended; output not sent yet. */
typedef void	 ipc_batch_fn(struct ipc_channel *, void *arg);

#define IPC_CHANNEL_ACCEPT_FDS	0x0001

struct ipc_channel *ipc_channel_new(struct event_base *, int fd,
		    unsigned int flags, ipc_dispatch_fn *, ipc_close_fn *,
		    void *arg);
void		 ipc_channel_free(struct ipc_channel *);
void		 ipc_channel_close(struct ipc_channel *, const char *why);
void		 ipc_channel_set_accept_fds(struct ipc_channel *, int);
void		 ipc_channel_set_name(struct ipc_channel *, const char *);
const char	*ipc_channel_name(const struct ipc_channel *);
int		 ipc_channel_fd(const struct ipc_channel *);
void		*ipc_channel_arg(const struct ipc_channel *);
void		 ipc_channel_set_arg(struct ipc_channel *, void *);
size_t		 ipc_channel_queued(const struct ipc_channel *);
void		 ipc_channel_set_batch_end(struct ipc_channel *,
		    ipc_batch_fn *, void *arg);
/* Called with the batch_end arg after the batch's replies were sent. */
void		 ipc_channel_set_batch_done(struct ipc_channel *,
		    ipc_batch_fn *);

/*
 * Queue a message; fd (or -1) is closed once sent (or if sending
 * fails).  Output is written when the current dispatch batch ends, so
 * replies to the requests read in one wakeup leave in one writev.
 */
int		 ipc_send(struct ipc_channel *, uint32_t type, uint32_t id,
		    uint16_t flags, int fd, const void *body, size_t len);
int		 ipc_send_xdr(struct ipc_channel *, uint32_t type,
		    uint32_t id, uint16_t flags, int fd, xdrproc_t,
		    const void *obj);
int		 ipc_reply_xdr(struct ipc_channel *, const struct ipc_msg *req,
		    uint32_t type, int fd, xdrproc_t, const void *obj);
int		 ipc_reply_error(struct ipc_channel *,
		    const struct ipc_msg *req, int code, const char *text);
/* Send a request and have fn called with its reply. */
int		 ipc_call(struct ipc_channel *, uint32_t type, int fd,
		    xdrproc_t, const void *obj, ipc_reply_fn *, void *arg);
void		 ipc_flush(struct ipc_channel *);
/*
 * Corked, messages queue until uncorked (then they leave in one write,
 * as within a dispatch batch): for one-way messages a caller gathers.
 */
void		 ipc_channel_cork(struct ipc_channel *, int on);

/* Decode a body; 0 on success.  Free with xdr_free(proc, obj). */
int		 ipc_decode(const struct ipc_msg *, xdrproc_t, void *obj);
uint8_t		*ipc_encode(xdrproc_t, const void *obj, size_t *len);

const char	*ipc_role_name(enum ipc_role);
int		 ipc_role_parse(const char *, enum ipc_role *);

/* Server side. */
struct ipc_server;
struct ipc_peer;

typedef void	 ipc_handler_fn(struct ipc_peer *, struct ipc_msg *);

#define IPC_ROLE_BIT(r)	(1u << (r))
#define IPC_ROLE_COUNT	(IPC_ROLE_GSSD + 1)

/* One row per message type the daemon handles: who may send it. */
struct ipc_handler {
	uint32_t	 type;
	uint32_t	 roles;		/* IPC_ROLE_BIT mask */
	ipc_handler_fn	*fn;
};

/* Which roles may connect, with what uid, and whether fds may ride. */
struct ipc_peer_policy {
	enum ipc_role	 role;
	uid_t		 uid;
	int		 accept_fds;
};

typedef void	 ipc_peer_fn(struct ipc_peer *, void *arg);

struct ipc_server *ipc_server_new(struct event_base *, int listen_fd,
		    enum ipc_role self, const char *self_name,
		    const struct ipc_handler *, size_t nhandlers,
		    const struct ipc_peer_policy *, size_t npolicy, void *arg);
void		 ipc_server_free(struct ipc_server *);
void		 ipc_server_set_peer_callbacks(struct ipc_server *,
		    ipc_peer_fn *on_hello, ipc_peer_fn *on_gone);
/* Called with the server's arg at the end of every peer's batch. */
void		 ipc_server_set_batch_end(struct ipc_server *, ipc_batch_fn *);
/* ... and after that batch's replies were sent. */
void		 ipc_server_set_batch_done(struct ipc_server *, ipc_batch_fn *);
/* Adopt an already connected socket as if it had been accepted. */
int		 ipc_server_adopt(struct ipc_server *, int fd);
size_t		 ipc_server_peer_count(const struct ipc_server *);
struct ipc_peer	*ipc_server_peer_first(struct ipc_server *);
struct ipc_peer	*ipc_server_peer_next(struct ipc_peer *);

struct ipc_channel *ipc_peer_channel(struct ipc_peer *);
enum ipc_role	 ipc_peer_role(const struct ipc_peer *);
const char	*ipc_peer_name(const struct ipc_peer *);
pid_t		 ipc_peer_pid(const struct ipc_peer *);
uid_t		 ipc_peer_uid(const struct ipc_peer *);
uint32_t	 ipc_peer_version(const struct ipc_peer *);
void		*ipc_peer_server_arg(const struct ipc_peer *);
void		*ipc_peer_data(const struct ipc_peer *);
void		 ipc_peer_set_data(struct ipc_peer *, void *);

/* Client side. */
struct ipc_client;

typedef void	 ipc_client_fn(struct ipc_client *, void *arg);

struct ipc_client *ipc_client_new(struct event_base *, const char *path,
		    enum ipc_role self, const char *self_name,
		    unsigned int channel_flags, ipc_dispatch_fn *, void *arg);
void		 ipc_client_free(struct ipc_client *);
/* Talk only to a server listening as uid or root (SO_PEERCRED); -1: any. */
void		 ipc_client_expect_uid(struct ipc_client *, uid_t);
void		 ipc_client_set_callbacks(struct ipc_client *,
		    ipc_client_fn *on_ready, ipc_client_fn *on_lost);
void		 ipc_client_set_backoff(struct ipc_client *,
		    unsigned int first_ms, unsigned int max_ms);
void		 ipc_client_start(struct ipc_client *);
struct ipc_channel *ipc_client_channel(struct ipc_client *);
int		 ipc_client_ready(const struct ipc_client *);
unsigned int	 ipc_client_connects(const struct ipc_client *);
uint32_t	 ipc_client_version(const struct ipc_client *);
const char	*ipc_client_peer_name(const struct ipc_client *);

/* Sockets. */
int		 ipc_listen_unix(const char *path, mode_t mode, gid_t gid);
int		 ipc_connect_unix(const char *path);



/*
 * Blocking use, for command-line tools and tests: one framed message
 * out, one in.  The reply body is malloc'ed into reply->body.
 */
struct ipc_sync_reply {
	struct ipc_hdr	 hdr;
	uint8_t		*body;
	int		 fd;
};

int	ipc_sync_send(int fd, uint32_t type, uint32_t id, uint16_t flags,
	    int pass_fd, xdrproc_t, const void *obj);
int	ipc_sync_recv(int fd, struct ipc_sync_reply *);
int	ipc_sync_hello(int fd, enum ipc_role, const char *name,
	    struct ipc_hello_reply *);
int	ipc_sync_decode(const struct ipc_sync_reply *, xdrproc_t, void *);
void	ipc_sync_reply_free(struct ipc_sync_reply *);
#endif
