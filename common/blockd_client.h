/*
 * common/blockd_client.h: a front end's asynchronous client of blockd
 * (common/blockd_msg.x), shared by nfsd and smbd.  The backing fd that
 * rides with OPEN_IO, OPEN and STREAM_OPEN replies is handed to the
 * caller, who owns it; any other fd is closed here.
 */
#ifndef DITTOFS_COMMON_BLOCKD_CLIENT_H
#define DITTOFS_COMMON_BLOCKD_CLIENT_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "ipc.h"
#include "blockd_msg.h"

struct bdc;

/* What the front end does when blockd's notes may have been missed. */
struct bdc_hooks {
	/* Connected again, before the waiting calls are sent. */
	void	(*ready)(void *arg);
	/* Drop everything cached from blockd (lost, resync, reconnect). */
	void	(*drop)(void *arg);
	/* A BD_NOTIFY other than a resync. */
	void	(*notify)(void *arg, const bd_notify *);
	/* A BD_NOTIFY_TREE (only a front end that sent BD_WATCH_TREE). */
	void	(*notify_tree)(void *arg, const bd_notify_tree *);
};

/* status: 0, a negative errno from blockd, or -ENOTCONN. */
typedef void	 bdc_done_fn(void *arg, int status, void *reply, int fd);

struct bdc	*bdc_new(struct event_base *, const char *path, enum ipc_role,
		    const char *name, uid_t blockd_uid,
		    const struct bdc_hooks *, void *arg);
void		 bdc_free(struct bdc *);
void		 bdc_start(struct bdc *);
int		 bdc_ready(const struct bdc *);
void		 bdc_calls_text(const struct bdc *, char *, size_t);
/*
 * Call blockd; done gets the decoded reply (rep_size bytes, freed after
 * done returns) or a status.  Idempotent calls survive a blockd restart
 * (they are sent again); the others end with -ENOTCONN.
 */
void		 bdc_call(struct bdc *, uint32_t type, xdrproc_t, const void *,
		    xdrproc_t rep_proc, size_t rep_size, bdc_done_fn *,
		    void *arg);
size_t		 bdc_inflight(const struct bdc *);

#endif
