/*
 * nfsd's side of stated's protocol (common/stated_drc.x): today, the
 * copy of the duplicate request cache that outlives nfsd (drc.c says
 * why and what is still lost).
 *
 * Completed entries are collected during a loop iteration and leave in
 * one ST_DRC_PUT (ST_DRC_BATCH_MAX entries per message) from an event
 * that runs before the loop polls again; the clients' replies held for
 * them are written right after (rpcsvc_release_held).  No reply comes back:
 * the request path never waits for stated.
 *
 * After every (re)connect the whole cache is read back with ST_DRC_DUMP,
 * a chunk per call.  The first complete read opens nfsd's gate (nfsd.c:
 * nfsd_serve_check).  Entries nfsd holds that stated did not return (it
 * restarted, or missed them while away) are then sent to it again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"
#include "ipc_call.h"
#include "log.h"
#include "nfsd.h"
#include "stated_drc.h"
#include "stated_push.h"
#include "stated_util.h"

/* Entries waiting for the flush; beyond this they are not mirrored. */
#define SDC_PENDING_MAX		65536
/* A reply body: at least its nfsstat3. */
#define SDC_REPLY_MIN		4

struct stated_client {
	struct nfsd_env		*env;
	struct ipc_client	*client;
	struct event		*ev_flush;
	int			 flush_scheduled;
	int			 corked;	/* stated_client_send_before */
	st_drc_entry		*pending;
	size_t			 npending;
	size_t			 cap;
	int			 unsupported;	/* stated without a DRC */
	int			 loading;
	int			 loaded;	/* once since this start */
	uint32_t		 stamp;		/* of the current read-back */
	size_t			 restored;
	size_t			 resent;
	size_t			 chunks;
	uint64_t		 dropped;
};

static void
stated_client_pending_clear(struct stated_client *s)
{
	size_t i;

	for (i = 0; i < s->npending; i++)
		free(s->pending[i].reply.reply_val);
	s->npending = 0;
}

static void
stated_client_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stated_client *s = arg;
	struct ipc_channel *ch = ipc_client_channel(s->client);
	struct st_drc_put put;
	size_t off, n;

	s->flush_scheduled = 0;
	for (off = 0; ch != NULL && off < s->npending; off += n) {
		n = s->npending - off;
		if (n > ST_DRC_BATCH_MAX)
			n = ST_DRC_BATCH_MAX;
		put.entries.entries_len = (u_int)n;
		put.entries.entries_val = s->pending + off;
		if (ipc_send_xdr(ch, ST_DRC_PUT, 0, 0, -1,
		    (xdrproc_t)xdr_st_drc_put, &put) == -1) {
			if (s->dropped++ == 0)
				log_warn("stated: DRC_PUT of %zu entries", n);
			break;
		}
	}
	stated_client_pending_clear(s);
	/* The one-way messages gathered this turn, in one write. */
	if (s->corked && ch != NULL)
		ipc_channel_cork(ch, 0);
	s->corked = 0;
	rpcsvc_release_held(s->env->svc);
}

int
stated_client_send_before(struct stated_client *s, struct rpcsvc_call *call,
    uint32_t type, xdrproc_t proc, const void *obj, int now)
{
	struct ipc_channel *ch = stated_client_channel(s);

	if (ch == NULL)
		return -1;
	if (!s->corked) {
		ipc_channel_cork(ch, 1);
		s->corked = 1;
	}
	if (ipc_send_xdr(ch, type, 0, 0, -1, proc, obj) == -1)
		return -1;
	if (now) {
		/* What was gathered goes now, and the replies it held. */
		stated_client_flush_cb(-1, 0, s);
		return 0;
	}
	rpcsvc_hold_reply(call);
	if (!s->flush_scheduled) {
		s->flush_scheduled = 1;
		event_active(s->ev_flush, EV_TIMEOUT, 1);
	}
	return 0;
}

int
stated_client_drc_put(struct stated_client *s, const struct drc_key *k,
    const uint8_t *reply, size_t len)
{
	st_drc_entry *e, *grown;
	size_t cap;

	if (s == NULL || s->unsupported || !ipc_client_ready(s->client) ||
	    len == 0 || len > ST_DRC_REPLY_MAX)
		return -1;
	if (s->npending == s->cap) {
		if (s->cap >= SDC_PENDING_MAX) {
			s->dropped++;
			return -1;
		}
		cap = s->cap ? s->cap * 2 : 64;
		if ((grown = reallocarray(s->pending, cap, sizeof(*grown))) ==
		    NULL)
			return -1;
		s->pending = grown;
		s->cap = cap;
	}
	e = &s->pending[s->npending];
	memset(e, 0, sizeof(*e));
	if ((e->reply.reply_val = malloc(len)) == NULL)
		return -1;
	memcpy(e->reply.reply_val, reply, len);
	e->reply.reply_len = (u_int)len;
	memcpy(e->addr, k->addr, sizeof(e->addr));
	e->port = k->port;
	e->xid = k->xid;
	e->prog = k->prog;
	e->vers = k->vers;
	e->proc = k->proc;
	e->args_sum = k->args_sum;
	s->npending++;
	if (!s->flush_scheduled) {
		s->flush_scheduled = 1;
		event_active(s->ev_flush, EV_TIMEOUT, 1);
	}
	return 0;
}

/* After a read-back: what stated did not return goes to it again. */
static void
stated_client_resend_cb(void *arg, const struct drc_key *k,
    const uint8_t *reply, size_t len, uint32_t stamp)
{
	struct stated_client *s = arg;

	if (stamp != s->stamp && stated_client_drc_put(s, k, reply, len) == 0)
		s->resent++;
}

static void	stated_client_dump_reply(struct ipc_channel *,
		    struct ipc_msg *, void *);

static void
stated_client_dump_request(struct stated_client *s, struct ipc_channel *ch,
    uint64_t cursor)
{
	struct st_drc_dump_req req;

	req.cursor = cursor;
	if (ipc_call(ch, ST_DRC_DUMP, -1, (xdrproc_t)xdr_st_drc_dump_req, &req,
	    stated_client_dump_reply, s) == -1) {
		log_warn("stated: DRC_DUMP");
		s->loading = 0;
		ipc_channel_close(ch, "DRC_DUMP failed");
	}
}

static void
stated_client_dump_done(struct stated_client *s, const char *how)
{
	s->loading = 0;
	log_info("reply cache: %zu entr%s read back from stated in %zu "
	    "chunk(s)%s", s->restored, s->restored == 1 ? "y" : "ies",
	    s->chunks, how);
	s->resent = 0;
	drc_foreach_done(s->env->drc, stated_client_resend_cb, s);
	if (s->resent > 0)
		log_info("reply cache: %zu entr%s that stated lacked sent "
		    "again", s->resent, s->resent == 1 ? "y" : "ies");
	if (!s->loaded) {
		s->loaded = 1;
		nfsd_serve_check(s->env);
	}
}

static void
stated_client_dump_reply(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct stated_client *s = arg;
	struct st_drc_dump_reply rep;
	struct ipc_error err;
	struct drc_key k;
	st_drc_entry *e;
	size_t bad = 0;
	u_int i;

	if (msg == NULL) {
		s->loading = 0;		/* the next on_ready starts over */
		return;
	}
	if (msg->fd != -1) {
		close(msg->fd);
		msg->fd = -1;
	}
	if (msg->hdr.type == IPC_ERROR) {
		memset(&err, 0, sizeof(err));
		if (ipc_decode(msg, (xdrproc_t)xdr_ipc_error, &err) == 0) {
			log_warnx("stated keeps no reply cache (%s): serving "
			    "with nfsd's own, which a restart loses",
			    err.message);
			xdr_free((xdrproc_t)xdr_ipc_error, &err);
		}
		s->unsupported = 1;
		stated_client_dump_done(s, ", none: stated does not keep it");
		return;
	}
	memset(&rep, 0, sizeof(rep));
	if (msg->hdr.type != ST_DRC_DUMP_REPLY ||
	    ipc_decode(msg, (xdrproc_t)xdr_st_drc_dump_reply, &rep) == -1) {
		log_warnx("stated: bad DRC_DUMP reply (type %u)",
		    msg->hdr.type);
		s->loading = 0;
		ipc_channel_close(ch, "bad DRC_DUMP reply");
		return;
	}
	s->chunks++;
	for (i = 0; i < rep.entries.entries_len; i++) {
		e = &rep.entries.entries_val[i];
		/*
		 * Never replay what is not a reply body of NFS (rpcsvc
		 * heads it again for the retransmission's xid).
		 */
		if (e->reply.reply_len < SDC_REPLY_MIN ||
		    e->prog != NFS_PROGRAM) {
			bad++;
			continue;
		}
		memset(&k, 0, sizeof(k));
		memcpy(k.addr, e->addr, sizeof(k.addr));
		k.port = e->port;
		k.xid = e->xid;
		k.prog = e->prog;
		k.vers = e->vers;
		k.proc = e->proc;
		k.args_sum = e->args_sum;
		if (drc_restore(s->env->drc, &k,
		    (const uint8_t *)e->reply.reply_val, e->reply.reply_len,
		    s->stamp) == 0)
			s->restored++;
	}
	if (bad > 0)
		log_warnx("stated: %zu reply cache entr%s ignored: not an NFS "
		    "reply", bad, bad == 1 ? "y" : "ies");
	if (rep.eof)
		stated_client_dump_done(s, "");
	else if (rep.entries.entries_len == 0)
		stated_client_dump_done(s,
		    ", cut short: stated sent an empty chunk");
	else
		stated_client_dump_request(s, ch, rep.cursor);
	xdr_free((xdrproc_t)xdr_st_drc_dump_reply, &rep);
}

static void
stated_client_on_ready(struct ipc_client *cl, void *arg)
{
	struct stated_client *s = arg;
	struct ipc_channel *ch = ipc_client_channel(cl);

	if (ch == NULL)
		return;
	s->unsupported = 0;	/* this stated may be newer */
	s->loading = 1;
	s->stamp++;
	if (s->stamp == 0)
		s->stamp = 1;		/* 0 is a local completion's */
	s->restored = 0;
	s->chunks = 0;
	stated_client_dump_request(s, ch, 0);
	nfs4_deleg_connected(s->env);
}

static void
stated_client_on_lost(struct ipc_client *cl, void *arg)
{
	struct stated_client *s = arg;

	s->loading = 0;
	nfs4_state_stated_lost(s->env);
}

/*
 * ST_PUSH_GRANT_FILE: a file got a grant through another front end (an
 * SMB lease): into the set of files an NFSv3 WRITE or SETATTR asks
 * stated about (v4/callback.c), so that it breaks the lease.  1 when
 * the push was this kind (acknowledged here), else 0.
 */
static int
stated_client_grant_file(struct stated_client *s, struct ipc_channel *ch,
    struct ipc_msg *msg)
{
	struct st_push p;
	const struct st_push_grant_file *f;
	st_status status = ST_OK;

	memset(&p, 0, sizeof(p));
	if (ipc_decode(msg, (xdrproc_t)xdr_st_push, &p) == -1)
		return 0;		/* nfs4_deleg_push says so */
	if (p.body.kind != ST_PUSH_GRANT_FILE) {
		xdr_free((xdrproc_t)xdr_st_push, &p);
		return 0;
	}
	f = &p.body.st_push_body_u.grant_file;
	if (f->file.st_file_len == 16)
		nfs4_deleg_file_add(s->env, (const uint8_t *)f->file.st_file_val,
		    f->level, f->holder);
	else
		status = ST_INVALID;
	if (st_push_ack_send(ch, p.push_id, status) == -1)
		log_warnx("stated: ST_PUSH_ACK of push %llu not sent (it "
		    "comes again)", (unsigned long long)p.push_id);
	xdr_free((xdrproc_t)xdr_st_push, &p);
	return 1;
}

/* stated's unasked messages: pushes (recalls of delegations, v4/callback.c). */
static void
stated_client_dispatch(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct stated_client *s = arg;

	if (msg->fd != -1) {
		close(msg->fd);
		msg->fd = -1;
	}
	if (msg->hdr.type == ST_PUSH) {
		if (!stated_client_grant_file(s, ch, msg))
			nfs4_deleg_push(s->env, msg);
		return;
	}
	log_warnx("stated: unexpected message type %u", msg->hdr.type);
}

struct ipc_channel *
stated_client_channel(struct stated_client *s)
{
	if (s == NULL || !ipc_client_ready(s->client))
		return NULL;
	return ipc_client_channel(s->client);
}

struct stated_client *
stated_client_new(struct nfsd_env *env, const char *path)
{
	struct stated_client *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->env = env;
	s->client = ipc_client_new(env->base, path, IPC_ROLE_NFSD, "nfsd", 0,
	    stated_client_dispatch, s);
	s->ev_flush = event_new(env->base, -1, 0, stated_client_flush_cb, s);
	if (s->client == NULL || s->ev_flush == NULL) {
		stated_client_free(s);
		return NULL;
	}
	ipc_client_expect_uid(s->client,
	    daemon_role_uid(env->daemon, IPC_ROLE_STATED));
	ipc_client_set_callbacks(s->client, stated_client_on_ready,
	    stated_client_on_lost);
	ipc_client_set_backoff(s->client, 50, 1000);
	return s;
}

void
stated_client_start(struct stated_client *s)
{
	ipc_client_start(s->client);
}

int
stated_client_ready(const struct stated_client *s)
{
	return ipc_client_ready(s->client);
}

int
stated_client_drc_loaded(const struct stated_client *s)
{
	return s != NULL && s->loaded;
}

void
stated_client_free(struct stated_client *s)
{
	if (s == NULL)
		return;
	if (s->ev_flush != NULL)
		event_free(s->ev_flush);
	stated_client_pending_clear(s);
	free(s->pending);
	ipc_client_free(s->client);
	free(s);
}

/*
 * A request of stated's other message sets (the NFSv4 state today):
 * common/ipc_call.h says what done gets.  The request path waits for
 * these: NFSv4's state is stated's alone.
 */
void
stated_client_call(struct stated_client *s, uint32_t type, xdrproc_t proc,
    const void *req, uint32_t rep_type, xdrproc_t rep_proc, size_t rep_size,
    stated_client_done_fn *done, void *arg)
{
	ipc_client_call(s != NULL ? s->client : NULL, type, proc, req,
	    rep_type, rep_proc, rep_size, done, arg);
}
