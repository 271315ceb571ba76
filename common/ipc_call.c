/*
 * A request and its decoded reply over an ipc_client (ipc_call.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "ipc_call.h"
#include "log.h"

struct ipc_client_req {
	uint32_t		 type;
	uint32_t		 rep_type;
	xdrproc_t		 rep_proc;
	size_t			 rep_size;
	ipc_client_done_fn	*done;
	void			*arg;
};

static void
ipc_client_call_reply(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct ipc_client_req *c = arg;
	void *rep = NULL;
	int status = 0;

	if (msg == NULL)
		status = -ENOTCONN;
	else {
		if (msg->fd != -1) {
			close(msg->fd);
			msg->fd = -1;
		}
		if (msg->hdr.type != c->rep_type ||
		    (rep = calloc(1, c->rep_size)) == NULL ||
		    ipc_decode(msg, c->rep_proc, rep) == -1) {
			log_warnx("%s: reply of type %u to request %u "
			    "(expected %u)", ipc_channel_name(ch),
			    msg->hdr.type, c->type, c->rep_type);
			free(rep);
			rep = NULL;
			status = -EPROTO;
		}
	}
	c->done(c->arg, status, rep);
	if (rep != NULL) {
		xdr_free(c->rep_proc, rep);
		free(rep);
	}
	free(c);
}

void
ipc_client_call(struct ipc_client *cl, uint32_t type, xdrproc_t proc,
    const void *req, uint32_t rep_type, xdrproc_t rep_proc, size_t rep_size,
    ipc_client_done_fn *done, void *arg)
{
	struct ipc_channel *ch;
	struct ipc_client_req *c;

	if (cl == NULL || (ch = ipc_client_channel(cl)) == NULL ||
	    !ipc_client_ready(cl) || (c = calloc(1, sizeof(*c))) == NULL) {
		done(arg, -ENOTCONN, NULL);
		return;
	}
	c->type = type;
	c->rep_type = rep_type;
	c->rep_proc = rep_proc;
	c->rep_size = rep_size;
	c->done = done;
	c->arg = arg;
	if (ipc_call(ch, type, -1, proc, req, ipc_client_call_reply, c) ==
	    -1) {
		free(c);
		done(arg, -ENOTCONN, NULL);
	}
}
