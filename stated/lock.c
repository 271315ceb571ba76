/*
 * dittofs-stated: byte-range locks and share reservations
 * (common/stated_lock.x) on the lock table (lock_table.h), the requests
 * it queued and the pushes of their grants.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "stated.h"

/* The lock table's results on the wire (the numbers agree; say so). */
static st_status
stated_status_of(enum lock_result r)
{
	switch (r) {
	case LOCK_OK:		return ST_OK;
	case LOCK_DENIED:	return ST_DENIED;
	case LOCK_BLOCKED:	return ST_BLOCKED;
	case LOCK_DEADLOCK:	return ST_DEADLOCK;
	case LOCK_GRACE:	return ST_GRACE;
	case LOCK_NO_GRACE:	return ST_NO_GRACE;
	case LOCK_NOT_FOUND:	return ST_NOT_FOUND;
	case LOCK_INVALID:	return ST_INVALID;
	case LOCK_RANGE:	return ST_RANGE;
	case LOCK_NOMEM:	return ST_NOMEM;
	case LOCK_LIMIT:	return ST_LIMIT;
	}
	return ST_INVALID;
}

/* Wire owner and file -> the table's; -1 if malformed or not the
 * sender's protocol. */
static int
stated_owner_in(struct ipc_peer *peer, const st_owner *in,
    struct lock_owner *out)
{
	memset(out, 0, sizeof(*out));
	if (in->protocol < ST_PROTOCOL_NLM || in->protocol > ST_PROTOCOL_SMB ||
	    !stated_protocol_ok(peer, in->protocol))
		return -1;
	out->protocol = (enum lock_protocol)in->protocol;
	/* SMB byte-range locks stack and unlock by exact range. */
	out->semantics = in->protocol == ST_PROTOCOL_SMB ?
	    LOCK_SEMANTICS_WINDOWS : LOCK_SEMANTICS_POSIX;
	out->client_id = in->client_id;
	out->host = in->host != NULL && in->host[0] != '\0' ? in->host : NULL;
	out->bytes = in->bytes.bytes_val;
	out->bytes_len = in->bytes.bytes_len;
	out->svid = in->svid;
	return 0;
}

/*
 * A conflicting holder that is a lapsed NFSv4 client's: its state is
 * purged (RFC 7530 9.6.4 courtesy ends here) and the table asked again.
 */
static int
stated_courtesy(struct stated_env *env, const struct lock_owner *holder)
{
	uint64_t id = holder->client_id;

	if (env->v4 == NULL || holder->protocol != LOCK_PROTOCOL_NFSV4)
		return 0;
	if (stated_session_courtesy(env, id)) {
		log_info("NFSv4.1 client %016llx had lapsed and was in the "
		    "way: its state and sessions are purged",
		    (unsigned long long)id);
		return 1;
	}
	stated_v4_clock(env);
	if (!v4_state_courtesy(env->v4, holder))
		return 0;
	log_info("NFSv4 client %016llx had lapsed and was in the way: its "
	    "state is purged", (unsigned long long)id);
	return 1;
}

/* A wire file id -> the table's; -1 if empty or too long. */
int
stated_file_in(const st_file *in, struct lock_file_id *out)
{
	if (in->st_file_len == 0 || in->st_file_len > LOCK_FILE_ID_MAX)
		return -1;
	out->len = in->st_file_len;
	memcpy(out->data, in->st_file_val, in->st_file_len);
	return 0;
}

/* The table's file and owner -> the wire's (pointing into the table). */
static void
stated_file_owner_out(const struct lock_file_id *f,
    const struct lock_owner *o, st_file *wf, st_owner *wo)
{
	wf->st_file_len = (u_int)f->len;
	wf->st_file_val = (char *)f->data;
	wo->protocol = o->protocol;
	wo->client_id = o->client_id;
	wo->host = (char *)(o->host ? o->host : "");
	wo->bytes.bytes_len = (u_int)o->bytes_len;
	wo->bytes.bytes_val = (char *)o->bytes;
	wo->svid = o->svid;
}

static void
stated_desc_out(const struct lock_info *i, st_lock_desc *d)
{
	memset(d, 0, sizeof(*d));
	stated_file_owner_out(i->file, &i->owner, &d->file, &d->owner);
	d->offset = i->offset;
	d->length = i->length;
	d->exclusive = i->type == LOCK_EXCLUSIVE;
	d->waiting = i->waiting;
}

static void
stated_share_out(const struct lock_share_info *i, st_share_desc *d)
{
	memset(d, 0, sizeof(*d));
	stated_file_owner_out(i->file, &i->owner, &d->file, &d->owner);
	d->access = i->access;
	d->deny = i->deny;
}

static struct stated_waiter *
stated_waiter_new(struct stated_env *env, struct ipc_peer *peer,
    const struct lock_request *rq, uint64_t fe_cookie)
{
	struct stated_waiter *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	if ((rq->owner.host != NULL &&
	    (w->host = strdup(rq->owner.host)) == NULL) ||
	    (rq->owner.bytes_len > 0 &&
	    (w->bytes = malloc(rq->owner.bytes_len)) == NULL)) {
		free(w->host);
		free(w);
		return NULL;
	}
	if (rq->owner.bytes_len > 0)
		memcpy(w->bytes, rq->owner.bytes, rq->owner.bytes_len);
	w->bytes_len = rq->owner.bytes_len;
	w->id = rq->cookie;
	w->peer = peer;
	w->fe_cookie = fe_cookie;
	w->file = rq->file;
	w->protocol = rq->owner.protocol;
	w->semantics = rq->owner.semantics;
	w->client_id = rq->owner.client_id;
	w->svid = rq->owner.svid;
	w->offset = rq->offset;
	w->length = rq->length;
	w->type = rq->type;
	(void)env;
	return w;
}

void
stated_waiter_free(struct stated_env *env, struct stated_waiter *w)
{
	TAILQ_REMOVE(&env->waiters, w, entry);
	free(w->host);
	free(w->bytes);
	free(w);
}

static void
stated_waiter_owner(const struct stated_waiter *w, struct lock_owner *o)
{
	memset(o, 0, sizeof(*o));
	o->protocol = w->protocol;
	o->semantics = w->semantics;
	o->client_id = w->client_id;
	o->host = w->host;
	o->bytes = w->bytes;
	o->bytes_len = w->bytes_len;
	o->svid = w->svid;
}

/* The lock table granted a queued request (called inside the table). */
void
stated_grant_cb(void *arg, const struct lock_info *info)
{
	struct stated_env *env = arg;
	struct stated_waiter *w;
	st_push_body body;

	env->grants++;
	TAILQ_FOREACH(w, &env->waiters, entry)
		if (w->id == info->cookie)
			break;
	if (info->owner.protocol == LOCK_PROTOCOL_NLM &&
	    info->owner.host != NULL) {
		struct stated_client *cl = clients_find(env->clients,
		    LOCK_PROTOCOL_NLM, info->owner.host);

		stated_note_state(env, cl);
	}
	if (w == NULL || w->peer == NULL) {
		/* Its front end is gone: the client will ask again. */
		log_info("granted a queued lock of %s whose front end is "
		    "gone; it stays held", info->owner.host ?
		    info->owner.host : "?");
		if (w != NULL)
			stated_waiter_free(env, w);
		return;
	}
	memset(&body, 0, sizeof(body));
	body.kind = ST_PUSH_GRANTED;
	body.st_push_body_u.granted.cookie = w->fe_cookie;
	stated_desc_out(info, &body.st_push_body_u.granted.lock);
	stated_push(env, w->peer, &body);
	stated_waiter_free(env, w);
}

/*
 * st_reply.count for LOCK, UNLOCK, CANCEL, SHARE and UNSHARE: the locks,
 * waiters and shares the owner's client holds after the request, so
 * that lockd knows when to stop having statd monitor the host.
 */
static uint64_t
stated_held(struct stated_env *env, const struct lock_owner *o)
{
	if (o->client_id == 0)
		return 0;
	return lock_table_client_records(env->locks, o->protocol,
	    o->client_id);
}

struct stated_find_cookie {
	uint64_t	cookie;
};

static int
stated_find_cookie_cb(void *arg, const struct lock_info *i)
{
	const struct stated_find_cookie *f = arg;

	return i->waiting && i->cookie == f->cookie;
}

void
stated_lock(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_lock_req req;
	struct st_reply rep;
	struct lock_request rq;
	struct lock_info holder;
	struct stated_client *cl;
	struct stated_waiter *w = NULL;
	struct stated_find_cookie fc;
	st_lock_desc hd;
	enum lock_result lr;
	int rc;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_lock_req, &req) == -1)
		return;
	memset(&rq, 0, sizeof(rq));
	memset(&rep, 0, sizeof(rep));
	if (stated_file_in(&req.file, &rq.file) == -1 ||
	    stated_owner_in(peer, &req.owner, &rq.owner) == -1 ||
	    (req.flags & ~(ST_LOCK_BLOCK | ST_LOCK_RECLAIM |
	    ST_LOCK_REQUEUE)) != 0) {
		stated_reply_status(peer, msg, ST_INVALID);
		goto out;
	}
	if (stated_client_of(env, &rq.owner, req.addr, &cl) == -1) {
		stated_reply_status(peer, msg, ST_LIMIT);
		goto out;
	}
	/* A front end's re-announcement is not the client's own word. */
	if ((req.flags & ST_LOCK_REQUEUE) && stated_in_grace(env)) {
		stated_reply_status(peer, msg, ST_GRACE);
		goto out;
	}
	if ((rc = stated_grace_check(env, cl,
	    req.flags & ST_LOCK_RECLAIM)) != -1) {
		stated_reply_status(peer, msg, rc);
		goto out;
	}
	/*
	 * A lock recalls the other protocols' caching grants of the file
	 * it conflicts with (NFSv4 delegations, v4.c: a write lock every
	 * one, a read lock write ones) and waits for them: NLM has no
	 * "later" but its grace answer, which a client retries after a
	 * few seconds (Linux: 5 s) whether it blocks or not.
	 */
	if (!(req.flags & ST_LOCK_RECLAIM) &&
	    stated_grant_recall(env, &rq.file, rq.owner.protocol,
	    rq.owner.client_id, req.exclusive, 1) > 0) {
		log_info_rl("host %.64s: %s lock waits for the recall of a "
		    "delegation", rq.owner.host ? rq.owner.host : "-",
		    req.exclusive ? "write" : "read");
		stated_reply_status(peer, msg, ST_GRACE);
		goto out;
	}
	rq.offset = req.offset;
	rq.length = req.length;
	rq.type = req.exclusive ? LOCK_EXCLUSIVE : LOCK_SHARED;
	rq.flags = (req.flags & ST_LOCK_BLOCK ? LOCK_REQUEST_BLOCK : 0) |
	    (req.flags & ST_LOCK_RECLAIM ? LOCK_REQUEST_RECLAIM : 0);
	if (rq.flags & LOCK_REQUEST_BLOCK) {
		rq.cookie = ++env->next_waiter_id;
		if ((w = stated_waiter_new(env, peer, &rq, req.cookie)) ==
		    NULL) {
			stated_reply_status(peer, msg, ST_NOMEM);
			goto out;
		}
	}
	/* A lapsed NFSv4 client in the way loses its state (courtesy). */
	while ((lr = lock_table_lock(env->locks, &rq, &holder)) ==
	    LOCK_DENIED && stated_courtesy(env, &holder.owner))
		;
	rep.status = stated_status_of(lr);
	rep.count = stated_held(env, &rq.owner);
	if (lr == LOCK_LIMIT) {
		env->limit_hits++;
		log_warnx_rl("host %.64s holds %zu lock(s), "
		    "waiter(s) and share(s) (locks per host): lock refused",
		    rq.owner.host ? rq.owner.host : "-",
		    lock_table_client_records(env->locks, rq.owner.protocol,
		    rq.owner.client_id));
	}
	switch (lr) {
	case LOCK_OK:
		if (cl != NULL && (rq.flags & LOCK_REQUEST_RECLAIM))
			cl->reclaimed = 1;
		/* Durable before the grant leaves (at the batch's end). */
		stated_note_state(env, cl);
		break;
	case LOCK_BLOCKED:
		/* A retransmission keeps its first place and cookie. */
		fc.cookie = rq.cookie;
		if (lock_table_foreach_lock(env->locks, &rq.file,
		    stated_find_cookie_cb, &fc)) {
			TAILQ_INSERT_TAIL(&env->waiters, w, entry);
			w = NULL;
		}
		break;
	case LOCK_DENIED:
	case LOCK_DEADLOCK:
		if (lr == LOCK_DENIED) {
			stated_desc_out(&holder, &hd);
			rep.holder.holder_len = 1;
			rep.holder.holder_val = &hd;
		}
		break;
	default:
		break;
	}
	stated_reply(peer, msg, &rep);
out:
	if (w != NULL) {
		free(w->host);
		free(w->bytes);
		free(w);
	}
	xdr_free((xdrproc_t)xdr_st_lock_req, &req);
}

void
stated_range(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_range_req req;
	struct st_reply rep;
	struct lock_file_id file;
	struct lock_owner owner;
	struct lock_info holder;
	struct stated_client *cl;
	struct stated_waiter *w;
	enum lock_type type;
	st_lock_desc hd;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_range_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	if (stated_file_in(&req.file, &file) == -1 ||
	    stated_owner_in(peer, &req.owner, &owner) == -1) {
		stated_reply_status(peer, msg, ST_INVALID);
		goto out;
	}
	if (owner.protocol == LOCK_PROTOCOL_NLM && owner.host != NULL &&
	    (cl = clients_find(env->clients, owner.protocol, owner.host)) !=
	    NULL)
		owner.client_id = cl->id;
	type = req.exclusive ? LOCK_EXCLUSIVE : LOCK_SHARED;
	switch (msg->hdr.type) {
	case ST_UNLOCK:
		rep.status = stated_status_of(lock_table_unlock(env->locks,
		    &file, &owner, req.offset, req.length));
		break;
	case ST_TEST:
		/* As Linux lockd: no answers from an incomplete table. */
		if (stated_in_grace(env)) {
			rep.status = ST_GRACE;
			break;
		}
		/*
		 * A delegation's holder may keep its locks to itself (Linux
		 * does): a TEST recalls what a LOCK of its type would and is
		 * answered as in grace until they are back, so it sees them.
		 */
		if (stated_grant_recall(env, &file, owner.protocol,
		    owner.client_id, req.exclusive, 1) > 0) {
			rep.status = ST_GRACE;
			break;
		}
		rep.status = stated_status_of(lock_table_test(env->locks,
		    &file, &owner, req.offset, req.length, type, &holder));
		if (rep.status == ST_DENIED) {
			stated_desc_out(&holder, &hd);
			rep.holder.holder_len = 1;
			rep.holder.holder_val = &hd;
		}
		break;
	case ST_CANCEL:
		rep.status = stated_status_of(lock_table_cancel(env->locks,
		    &file, &owner, req.offset, req.length, type));
		TAILQ_FOREACH(w, &env->waiters, entry) {
			if (w->peer == peer && w->file.len == file.len &&
			    memcmp(w->file.data, file.data, file.len) == 0 &&
			    w->svid == owner.svid && w->offset == req.offset &&
			    w->length == req.length && w->type == type &&
			    w->bytes_len == owner.bytes_len &&
			    (owner.bytes_len == 0 || memcmp(w->bytes,
			    owner.bytes, owner.bytes_len) == 0) &&
			    (w->host == NULL) == (owner.host == NULL) &&
			    (w->host == NULL || strcmp(w->host,
			    owner.host) == 0)) {
				stated_waiter_free(env, w);
				break;
			}
		}
		break;
	}
	rep.count = stated_held(env, &owner);
	stated_reply(peer, msg, &rep);
out:
	xdr_free((xdrproc_t)xdr_st_range_req, &req);
}

void
stated_share(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_share_req req;
	struct st_reply rep;
	struct lock_share_request rq;
	struct lock_share_info other;
	struct stated_client *cl;
	st_share_desc sd;
	enum lock_result lr;
	int rc;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_share_req, &req) == -1)
		return;
	memset(&rq, 0, sizeof(rq));
	memset(&rep, 0, sizeof(rep));
	if (stated_file_in(&req.file, &rq.file) == -1 ||
	    stated_owner_in(peer, &req.owner, &rq.owner) == -1 ||
	    (req.flags & ~ST_LOCK_RECLAIM) != 0) {
		stated_reply_status(peer, msg, ST_INVALID);
		goto out;
	}
	if (stated_client_of(env, &rq.owner, req.addr, &cl) == -1) {
		stated_reply_status(peer, msg, ST_LIMIT);
		goto out;
	}
	if ((rc = stated_grace_check(env, cl,
	    req.flags & ST_LOCK_RECLAIM)) != -1) {
		stated_reply_status(peer, msg, rc);
		goto out;
	}
	rq.access = req.access;
	rq.deny = req.deny;
	rq.flags = req.flags & ST_LOCK_RECLAIM ? LOCK_REQUEST_RECLAIM : 0;
	while ((lr = lock_table_share(env->locks, &rq, &other)) ==
	    LOCK_DENIED && stated_courtesy(env, &other.owner))
		;
	rep.status = stated_status_of(lr);
	rep.count = stated_held(env, &rq.owner);
	if (rep.status == ST_LIMIT) {
		env->limit_hits++;
		log_warnx_rl("host %.64s is at its limit (locks per "
		    "host): share refused", rq.owner.host ? rq.owner.host :
		    "-");
	}
	if (rep.status == ST_OK && cl != NULL) {
		if (rq.flags & LOCK_REQUEST_RECLAIM)
			cl->reclaimed = 1;
		stated_note_state(env, cl);
	}
	if (rep.status == ST_DENIED) {
		stated_share_out(&other, &sd);
		rep.share.share_len = 1;
		rep.share.share_val = &sd;
	}
	stated_reply(peer, msg, &rep);
out:
	xdr_free((xdrproc_t)xdr_st_share_req, &req);
}

void
stated_unshare(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_unshare_req req;
	struct st_reply rep;
	struct lock_file_id file;
	struct lock_owner owner;
	struct stated_client *cl;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_unshare_req, &req) ==
	    -1)
		return;
	if (stated_file_in(&req.file, &file) == -1 ||
	    stated_owner_in(peer, &req.owner, &owner) == -1) {
		stated_reply_status(peer, msg, ST_INVALID);
		goto out;
	}
	if (owner.protocol == LOCK_PROTOCOL_NLM && owner.host != NULL &&
	    (cl = clients_find(env->clients, owner.protocol, owner.host)) !=
	    NULL)
		owner.client_id = cl->id;
	memset(&rep, 0, sizeof(rep));
	rep.status = stated_status_of(lock_table_unshare(env->locks, &file,
	    &owner));
	rep.count = stated_held(env, &owner);
	stated_reply(peer, msg, &rep);
out:
	xdr_free((xdrproc_t)xdr_st_unshare_req, &req);
}

/* Drop the records of queued requests the table no longer has. */
static int
stated_waiter_alive_cb(void *arg, const struct lock_info *i)
{
	const struct stated_find_cookie *f = arg;

	return i->waiting && i->cookie == f->cookie;
}

static void
stated_waiters_prune(struct stated_env *env)
{
	struct stated_waiter *w, *next;
	struct stated_find_cookie fc;

	for (w = TAILQ_FIRST(&env->waiters); w != NULL; w = next) {
		next = TAILQ_NEXT(w, entry);
		fc.cookie = w->id;
		if (!lock_table_foreach_lock(env->locks, &w->file,
		    stated_waiter_alive_cb, &fc))
			stated_waiter_free(env, w);
	}
}

void
stated_release_host(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_host_req req;
	struct st_reply rep;
	struct stated_client *cl;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_host_req, &req) == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	if (req.protocol < ST_PROTOCOL_NLM || req.protocol > ST_PROTOCOL_SMB ||
	    req.host[0] == '\0' || !stated_protocol_ok(peer, req.protocol)) {
		stated_reply_status(peer, msg, ST_INVALID);
		goto out;
	}
	rep.count = lock_table_release_host(env->locks,
	    (enum lock_protocol)req.protocol, req.host);
	stated_waiters_prune(env);
	log_info("released %llu lock(s) and share(s) of host %s (%s, from %s)",
	    (unsigned long long)rep.count, req.host,
	    req.flags & ST_HOST_REBOOTED ? "it rebooted" : "FREE_ALL",
	    ipc_peer_name(peer));
	if ((cl = clients_find(env->clients, req.protocol, req.host)) !=
	    NULL) {
		stated_client_done(env, cl, "released");
		clients_clear_state(env->clients, cl);
	}
	stated_reply(peer, msg, &rep);
out:
	xdr_free((xdrproc_t)xdr_st_host_req, &req);
}

void
stated_release_client(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_client_req req;
	struct st_reply rep;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_client_req, &req) ==
	    -1)
		return;
	memset(&rep, 0, sizeof(rep));
	if (req.protocol < ST_PROTOCOL_NLM || req.protocol > ST_PROTOCOL_SMB ||
	    !stated_protocol_ok(peer, req.protocol)) {
		stated_reply_status(peer, msg, ST_INVALID);
		return;
	}
	rep.count = lock_table_release_client(env->locks,
	    (enum lock_protocol)req.protocol, req.client_id);
	/* An SMB session's oplocks and leases go with its opens. */
	if (req.protocol == ST_PROTOCOL_SMB)
		(void)grant_release_holder(env->caching, LOCK_PROTOCOL_SMB,
		    req.client_id);
	stated_waiters_prune(env);
	stated_reply(peer, msg, &rep);
}

/* dittofsctl locks: bounded so the reply fits one IPC message. */
struct stated_list {
	st_lock_desc	*locks;
	size_t		 nlocks;
	st_share_desc	*shares;
	size_t		 nshares;
	size_t		 bytes;
	size_t		 cap;
	int		 truncated;
	/* The table's memory is stable while we only read: copy anyway. */
};

#define STATED_LIST_BYTES	(IPC_BODY_MAX / 2)

/*
 * Room in the reply for one more entry of this file and owner, the n-th
 * of its kind?  Counts its bytes if so; marks the list truncated if not.
 */
static int
stated_list_room(struct stated_list *l, size_t n,
    const struct lock_file_id *f, const struct lock_owner *o)
{
	size_t need = 96 + f->len + o->bytes_len +
	    (o->host ? strlen(o->host) : 0);

	if (n >= l->cap || l->bytes + need > STATED_LIST_BYTES) {
		l->truncated = 1;
		return 0;
	}
	l->bytes += need;
	return 1;
}

static int
stated_list_lock_cb(void *arg, const struct lock_info *i)
{
	struct stated_list *l = arg;

	if (!stated_list_room(l, l->nlocks, i->file, &i->owner))
		return 1;
	stated_desc_out(i, &l->locks[l->nlocks++]);
	return 0;
}

static int
stated_list_share_cb(void *arg, const struct lock_share_info *i)
{
	struct stated_list *l = arg;

	if (!stated_list_room(l, l->nshares, i->file, &i->owner))
		return 1;
	stated_share_out(i, &l->shares[l->nshares++]);
	return 0;
}

void
stated_ctl_locks(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_locks_reply rep;
	struct stated_list l;

	memset(&l, 0, sizeof(l));
	l.cap = 8192;
	l.locks = calloc(l.cap, sizeof(*l.locks));
	l.shares = calloc(l.cap, sizeof(*l.shares));
	if (l.locks == NULL || l.shares == NULL) {
		free(l.locks);
		free(l.shares);
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM, NULL);
		return;
	}
	lock_table_foreach_lock(env->locks, NULL, stated_list_lock_cb, &l);
	lock_table_foreach_share(env->locks, NULL, stated_list_share_cb, &l);
	memset(&rep, 0, sizeof(rep));
	rep.locks.locks_len = (u_int)l.nlocks;
	rep.locks.locks_val = l.locks;
	rep.shares.shares_len = (u_int)l.nshares;
	rep.shares.shares_val = l.shares;
	rep.truncated = l.truncated;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_LOCKS_REPLY, -1,
	    (xdrproc_t)xdr_st_locks_reply, &rep);
	free(l.locks);
	free(l.shares);
}

/*
 * A front end went away: cancel the requests it queued (it re-announces
 * them when it comes back).  A cancel may grant other waiters, even of
 * this front end: those are detached first, so each is seen once.
 */
void
stated_waiters_cancel(struct stated_env *env, struct ipc_peer *peer)
{
	struct stated_waiter *w;
	struct lock_owner o;
	size_t n = 0;

	TAILQ_FOREACH(w, &env->waiters, entry)
		if (w->peer == peer)
			w->peer = NULL;
	for (;;) {
		TAILQ_FOREACH(w, &env->waiters, entry)
			if (w->peer == NULL)
				break;
		if (w == NULL)
			break;
		/* Out of the list first: the cancel cannot grant it. */
		TAILQ_REMOVE(&env->waiters, w, entry);
		stated_waiter_owner(w, &o);
		lock_table_cancel(env->locks, &w->file, &o, w->offset,
		    w->length, w->type);
		free(w->host);
		free(w->bytes);
		free(w);
		n++;
	}
	if (n > 0)
		log_info("%s went away: %zu queued request(s) cancelled",
		    ipc_peer_name(peer), n);
}
