/*
 * A front end's side of blockd's protocol (common/blockd_msg.x), for
 * nfsd and smbd alike: asynchronous calls over an ipc_client that
 * reconnects with back-off.  While blockd is away, calls wait (up to
 * BDC_WAIT_SECONDS); calls in flight when it died are sent again if
 * they are idempotent, and end with -ENOTCONN (the protocol's "try
 * again") if they are not.  After every reconnect the front end's
 * caches are dropped (hooks->drop) and it asks again for what it needs
 * (hooks->ready), because notifications may have been missed meanwhile;
 * caches are dropped too when blockd says it left notes out
 * (BD_NOTIFY_RESYNC: we read too slowly), before anything after it is
 * read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blockd_client.h"
#include "ipc.h"
#include "log.h"
#include "util.h"

#define BDC_WAIT_SECONDS	5
#define BDC_QUEUE_MAX		8192
#define BDC_RETRIES_MAX		3

struct bdc_call {
	struct bdc		*b;
	uint32_t		 type;
	uint8_t			*body;
	size_t			 len;
	xdrproc_t		 rep_proc;
	size_t			 rep_size;
	bdc_done_fn		*done;
	void			*arg;
	int			 retries;
	time_t			 queued;
	TAILQ_ENTRY(bdc_call)	 entry;
};

struct bdc {
	const struct bdc_hooks	*hooks;
	void			*hooks_arg;
	struct ipc_client	*client;
	struct event		*ev_tick;
	TAILQ_HEAD(, bdc_call)	 waiting;
	size_t			 nwaiting;
	size_t			 inflight;
	/* calls made, by message type: what the front end could not answer itself */
	uint64_t		 calls[BD_STREAM_REMOVE - BD_SHARE_ROOT + 1];
	uint64_t		 resyncs;	/* BD_NOTIFY_RESYNC seen */
};

static const char *const bdc_call_names[] = {
	"share_root", "lookup", "getattr", "setattr", "access", "create",
	"mkdir", "symlink", "mknod", "link", "remove", "rmdir", "rename",
	"readdir", "readlink", "statfs", "open_io", "commit", "xattr_get",
	"xattr_set", "xattr_list", "xattr_remove", "acl_get", "acl_set",
	"open", "stream_open", "named_list", "stream_remove"
};

static const char *
bdc_call_name(size_t i)
{
	return bdc_call_names[i];
}

_Static_assert(sizeof(bdc_call_names) / sizeof(bdc_call_names[0]) ==
    BD_STREAM_REMOVE - BD_SHARE_ROOT + 1, "a name for each message type");

/* The body was encoded when the call was made: resend it as is. */
static bool_t
bdc_xdr_raw(XDR *xdrs, void *obj, u_int unused)
{
	struct bdc_call *c = obj;

	if (xdrs->x_op != XDR_ENCODE)
		return FALSE;
	return XDR_PUTBYTES(xdrs, (char *)c->body, (u_int)c->len);
}

static int
bdc_idempotent(uint32_t type)
{
	switch (type) {
	case BD_SHARE_ROOT:
	case BD_LOOKUP:
	case BD_GETATTR:
	case BD_ACCESS:
	case BD_ACCESS_MASK:
	case BD_LOOKUP_INO:
	case BD_READDIR:
	case BD_READDIR_READABLE:
	case BD_READLINK:
	case BD_STATFS:
	case BD_OPEN_IO:
	case BD_COMMIT:
	case BD_XATTR_GET:
	case BD_XATTR_LIST:
		return 1;
	}
	return 0;
}

static void
bdc_finish(struct bdc_call *c, int status, void *reply, int fd)
{
	c->done(c->arg, status, reply, fd);
	free(c->body);
	free(c);
}

static void	bdc_send(struct bdc *, struct bdc_call *);

static void
bdc_reply(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct bdc_call *c = arg;
	struct bdc *b = c->b;
	struct ipc_error err;
	void *rep;
	int status, fd;

	b->inflight--;
	if (msg == NULL) {
		/* blockd went away with this call unanswered. */
		if (bdc_idempotent(c->type) && c->retries++ < BDC_RETRIES_MAX) {
			c->queued = time(NULL);
			TAILQ_INSERT_TAIL(&b->waiting, c, entry);
			b->nwaiting++;
			return;
		}
		bdc_finish(c, -ENOTCONN, NULL, -1);
		return;
	}
	fd = msg->fd;
	if (fd != -1 && c->type != BD_OPEN_IO && c->type != BD_OPEN &&
	    c->type != BD_STREAM_OPEN) {
		close(fd);
		fd = -1;
	}
	if (msg->hdr.type == IPC_ERROR) {
		memset(&err, 0, sizeof(err));
		status = -EIO;
		if (ipc_decode(msg, (xdrproc_t)xdr_ipc_error, &err) == 0) {
			log_warnx("blockd refused message %u: %s", c->type,
			    err.message);
			if (err.code > 0)
				status = -err.code;
			xdr_free((xdrproc_t)xdr_ipc_error, &err);
		}
		if (fd != -1)
			close(fd);
		bdc_finish(c, status == -ENOSYS ? -ENOTSUP : status, NULL,
		    -1);
		return;
	}
	if (msg->hdr.type != BD_REPLY ||
	    (rep = calloc(1, c->rep_size)) == NULL) {
		log_warnx("blockd: unexpected reply type %u to %u",
		    msg->hdr.type, c->type);
		if (fd != -1)
			close(fd);
		bdc_finish(c, -EIO, NULL, -1);
		return;
	}
	if (ipc_decode(msg, c->rep_proc, rep) == -1) {
		log_warnx("blockd: undecodable reply to message %u", c->type);
		free(rep);
		if (fd != -1)
			close(fd);
		bdc_finish(c, -EIO, NULL, -1);
		return;
	}
	/* Every reply body starts with its status. */
	status = *(int *)rep;
	if (status > 0)
		status = -EIO;
	if (status != 0 && fd != -1) {
		close(fd);
		fd = -1;
	}
	c->done(c->arg, status, rep, fd);
	xdr_free(c->rep_proc, rep);
	free(rep);
	free(c->body);
	free(c);
}

static void
bdc_send(struct bdc *b, struct bdc_call *c)
{
	struct ipc_channel *ch = ipc_client_channel(b->client);

	if (ch == NULL) {
		if (b->nwaiting >= BDC_QUEUE_MAX) {
			bdc_finish(c, -ENOTCONN, NULL, -1);
			return;
		}
		c->queued = time(NULL);
		TAILQ_INSERT_TAIL(&b->waiting, c, entry);
		b->nwaiting++;
		return;
	}
	if (ipc_call(ch, c->type, -1, (xdrproc_t)bdc_xdr_raw, c, bdc_reply,
	    c) == -1) {
		log_warn("blockd: send message %u", c->type);
		bdc_finish(c, -ENOTCONN, NULL, -1);
		return;
	}
	b->inflight++;
}

void
bdc_call(struct bdc *b, uint32_t type, xdrproc_t proc, const void *obj,
    xdrproc_t rep_proc, size_t rep_size, bdc_done_fn *done, void *arg)
{
	struct bdc_call *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		done(arg, -ENOMEM, NULL, -1);
		return;
	}
	c->b = b;
	c->type = type;
	if (type >= BD_SHARE_ROOT && type <= BD_STREAM_REMOVE)
		b->calls[type - BD_SHARE_ROOT]++;
	c->rep_proc = rep_proc;
	c->rep_size = rep_size;
	c->done = done;
	c->arg = arg;
	if ((c->body = ipc_encode(proc, obj, &c->len)) == NULL) {
		log_warn("blockd: encode message %u", type);
		free(c);
		done(arg, -EINVAL, NULL, -1);
		return;
	}
	bdc_send(b, c);
}

/* Notifications may have been missed: nothing cached is current. */
static void
bdc_drop_caches(struct bdc *b)
{
	if (b->hooks->drop != NULL)
		b->hooks->drop(b->hooks_arg);
}

static void
bdc_dispatch(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct bdc *b = arg;
	bd_notify n;
	bd_notify_tree nt;

	if (msg->fd != -1) {
		close(msg->fd);
		msg->fd = -1;
	}
	switch (msg->hdr.type) {
	case BD_NOTIFY:
		memset(&n, 0, sizeof(n));
		if (ipc_decode(msg, (xdrproc_t)xdr_bd_notify, &n) == -1) {
			log_warnx("blockd: bad NOTIFY");
			return;
		}
		/*
		 * blockd left notes out (we read too slowly): every access
		 * decision, attribute, name and fd we hold may be stale.
		 */
		if (n.what & BD_NOTIFY_RESYNC) {
			b->resyncs++;
			log_warnx("blockd: notifications were left out; "
			    "dropping every cache (%llu time(s))",
			    (unsigned long long)b->resyncs);
			bdc_drop_caches(b);
		} else if (b->hooks->notify != NULL)
			b->hooks->notify(b->hooks_arg, &n);
		xdr_free((xdrproc_t)xdr_bd_notify, &n);
		return;
	case BD_NOTIFY_TREE:
		memset(&nt, 0, sizeof(nt));
		if (ipc_decode(msg, (xdrproc_t)xdr_bd_notify_tree, &nt) == -1) {
			log_warnx("blockd: bad NOTIFY_TREE");
			return;
		}
		if (b->hooks->notify_tree != NULL)
			b->hooks->notify_tree(b->hooks_arg, &nt);
		xdr_free((xdrproc_t)xdr_bd_notify_tree, &nt);
		return;
	default:
		log_warnx("blockd: unexpected message type %u",
		    msg->hdr.type);
		return;
	}
}

static void
bdc_on_ready(struct ipc_client *cl, void *arg)
{
	struct bdc *b = arg;
	struct bdc_call *c;
	TAILQ_HEAD(, bdc_call) q;

	/* What we held may have changed unnoticed. */
	bdc_drop_caches(b);
	if (b->hooks->ready != NULL)
		b->hooks->ready(b->hooks_arg);
	TAILQ_INIT(&q);
	TAILQ_CONCAT(&q, &b->waiting, entry);
	b->nwaiting = 0;
	while ((c = TAILQ_FIRST(&q)) != NULL) {
		TAILQ_REMOVE(&q, c, entry);
		bdc_send(b, c);
	}
}

static void
bdc_on_lost(struct ipc_client *cl, void *arg)
{
	bdc_drop_caches(arg);
}

/* Calls that waited too long for blockd end with JUKEBOX. */
static void
bdc_tick(evutil_socket_t fd, short what, void *arg)
{
	struct bdc *b = arg;
	struct bdc_call *c, *next;
	time_t now = time(NULL);

	for (c = TAILQ_FIRST(&b->waiting); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (now - c->queued < BDC_WAIT_SECONDS)
			continue;
		TAILQ_REMOVE(&b->waiting, c, entry);
		b->nwaiting--;
		bdc_finish(c, -ENOTCONN, NULL, -1);
	}
}

struct bdc *
bdc_new(struct event_base *base, const char *path, enum ipc_role role,
    const char *name, uid_t blockd_uid, const struct bdc_hooks *hooks,
    void *arg)
{
	struct bdc *b;
	struct timeval tv = { 1, 0 };

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->hooks = hooks;
	b->hooks_arg = arg;
	TAILQ_INIT(&b->waiting);
	b->client = ipc_client_new(base, path, role, name,
	    IPC_CHANNEL_ACCEPT_FDS, bdc_dispatch, b);
	b->ev_tick = event_new(base, -1, EV_PERSIST, bdc_tick, b);
	if (b->client == NULL || b->ev_tick == NULL ||
	    event_add(b->ev_tick, &tv) == -1) {
		bdc_free(b);
		return NULL;
	}
	ipc_client_expect_uid(b->client, blockd_uid);
	ipc_client_set_callbacks(b->client, bdc_on_ready, bdc_on_lost);
	ipc_client_set_backoff(b->client, 50, 1000);
	return b;
}

void
bdc_start(struct bdc *b)
{
	ipc_client_start(b->client);
}

int
bdc_ready(const struct bdc *b)
{
	return ipc_client_ready(b->client);
}

/* Requests sent to blockd whose replies have not come back. */
size_t
bdc_inflight(const struct bdc *b)
{
	return b->inflight;
}

void
bdc_free(struct bdc *b)
{
	struct bdc_call *c;

	if (b == NULL)
		return;
	while ((c = TAILQ_FIRST(&b->waiting)) != NULL) {
		TAILQ_REMOVE(&b->waiting, c, entry);
		bdc_finish(c, -ENOTCONN, NULL, -1);
	}
	if (b->ev_tick != NULL)
		event_free(b->ev_tick);
	ipc_client_free(b->client);
	free(b);
}

/* "getattr 12, open_io 3": the calls made so far, or "none". */
void
bdc_calls_text(const struct bdc *b, char *buf, size_t len)
{
	if (len == 0)
		return;
	if (b == NULL) {
		snprintf(buf, len, "none");
		return;
	}
	util_counts_text(buf, len, b->calls,
	    sizeof(b->calls) / sizeof(b->calls[0]), bdc_call_name);
}
