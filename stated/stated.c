/*
 * dittofs-stated main: the lock and share-reservation table, the grace
 * period and the client records behind it (DESIGN.md section 5).
 *
 * Grace (nfsdcld's model; see clients.h).  At start the clients whose
 * record shows state in an earlier epoch are the reclaimable ones.  If
 * there are none, there is no grace period.  Otherwise, for "grace
 * period" seconds, only their reclaims are granted.  NLM has no
 * RECLAIM_COMPLETE, so a reclaimable client is done when it sends a
 * request that is not a reclaim (a client reclaims first, then goes on),
 * or when it is released (FREE_ALL, SM_NOTIFY: it rebooted and holds
 * nothing); grace ends early when every reclaimable client is done, or
 * by "dittofsctl grace end".  At the end of grace the clients that did
 * not reclaim lose their right to.
 *
 * It also keeps nfsd's duplicate request cache (drc.h), in memory, so
 * that it outlives an nfsd restart: nfsd stores entries one way and
 * reads them all back after each connect (nfsd/drc.c says why).
 *
 * What it tells a front end unasked (a queued lock granted, later a
 * recall, a break, a revoked state id) is a push (common/stated_push.x),
 * kept in push.c until that front end acknowledges it and sent again
 * each time it says HELLO after a reconnect.
 *
 * The message sets are common/stated_*.x, one per subsystem; the one
 * handler table below says which role may send which.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "stated.h"

/* Berkeley DB in its chroot: files, mmap'ed regions, fsync. */
static const char *const stated_syscalls[] = {
	"openat", "open", "unlinkat", "unlink", "renameat", "rename",
	"mkdirat", "mkdir", "ftruncate", "fallocate", "fsync", "fdatasync",
	"getdents64", "flock", "access", "faccessat", "faccessat2",
	"readlink", "readlinkat", "stat", "lstat", "statfs", "fchmod",
	"pread64", "pwrite64", "getcwd",
	NULL
};

#define FRONT_ENDS	(IPC_ROLE_BIT(IPC_ROLE_NFSD) | \
			 IPC_ROLE_BIT(IPC_ROLE_SMBD) | \
			 IPC_ROLE_BIT(IPC_ROLE_LOCKD))
#define CTL		IPC_ROLE_BIT(IPC_ROLE_CTL)
#define STATD		IPC_ROLE_BIT(IPC_ROLE_STATD)
#define NFSD		IPC_ROLE_BIT(IPC_ROLE_NFSD)

static struct stated_env *
stated_env_of(struct ipc_peer *peer)
{
	struct daemon *d = ipc_peer_server_arg(peer);

	return d->env;
}

/*
 * Whether stated is in grace: the lock table's flag is the one record
 * of it (it holds waiters back and refuses new locks in grace); the
 * daemon only reads it, and sets it when grace starts and ends.
 */
static int
stated_in_grace(const struct stated_env *env)
{
	return env->locks != NULL && lock_table_in_grace(env->locks);
}

static void
stated_grace_end(struct stated_env *env, const char *why)
{
	struct stated_client *cl;
	size_t i;

	if (!stated_in_grace(env))
		return;
	env->grace_pending = 0;
	lock_table_grace_set(env->locks, 0);
	if (env->ev_grace != NULL)
		evtimer_del(env->ev_grace);
	/* Who did not come back in time may not reclaim later. */
	for (i = 0; (cl = clients_at(env->clients, i)) != NULL; i++)
		if (cl->reclaimable && !cl->reclaimed &&
		    cl->epoch != clients_epoch(env->clients))
			clients_clear_state(env->clients, cl);
	log_info("grace period ended: %s", why);
}

static void
stated_grace_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	stated_grace_end(arg, "time is up");
}

/* A reclaimable client has nothing more to reclaim. */
static void
stated_client_done(struct stated_env *env, struct stated_client *cl,
    const char *why)
{
	if (!stated_in_grace(env) || cl == NULL || !cl->reclaimable ||
	    cl->done)
		return;
	cl->done = 1;
	log_info("client %s has finished reclaiming (%s)", cl->name, why);
	if (--env->grace_pending == 0)
		stated_grace_end(env, "every known client has reclaimed");
}

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

static void
stated_reply(struct ipc_peer *peer, struct ipc_msg *msg,
    struct st_reply *rep)
{
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_REPLY, -1,
	    (xdrproc_t)xdr_st_reply, rep);
}

static void
stated_reply_status(struct ipc_peer *peer, struct ipc_msg *msg, int status)
{
	struct st_reply rep;

	memset(&rep, 0, sizeof(rep));
	rep.status = status;
	stated_reply(peer, msg, &rep);
}

static int
stated_decode(struct ipc_peer *peer, struct ipc_msg *msg, xdrproc_t proc,
    void *obj)
{
	if (ipc_decode(msg, proc, obj) == -1) {
		log_warnx_rl("%s: malformed message type %u", ipc_peer_name(peer),
		    msg->hdr.type);
		ipc_reply_error(ipc_peer_channel(peer), msg, EBADMSG, NULL);
		return -1;
	}
	stated_env_of(peer)->requests++;
	return 0;
}

/*
 * Which protocol's state each front end may touch: what its own
 * protocol could claim (DESIGN.md section 6).  A taken-over nfsd may
 * not take or free NLM locks, nor lockd SMB ones.
 */
static const struct {
	enum ipc_role	 role;
	int		 protocol;
} stated_role_protocols[] = {
	{ IPC_ROLE_LOCKD, ST_PROTOCOL_NLM },
	{ IPC_ROLE_STATD, ST_PROTOCOL_NLM },
	{ IPC_ROLE_NFSD, ST_PROTOCOL_NFSV4 },
	{ IPC_ROLE_SMBD, ST_PROTOCOL_SMB },
};

static int
stated_protocol_ok(struct ipc_peer *peer, int protocol)
{
	size_t i;

	for (i = 0; i < sizeof(stated_role_protocols) /
	    sizeof(stated_role_protocols[0]); i++)
		if (stated_role_protocols[i].role == ipc_peer_role(peer) &&
		    stated_role_protocols[i].protocol == protocol)
			return 1;
	log_warnx_rl("%s: state of protocol %d refused to its role",
	    ipc_peer_name(peer), protocol);
	return 0;
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

static int
stated_file_in(const st_file *in, struct lock_file_id *out)
{
	if (in->st_file_len == 0 || in->st_file_len > LOCK_FILE_ID_MAX)
		return -1;
	out->len = in->st_file_len;
	memcpy(out->data, in->st_file_val, in->st_file_len);
	return 0;
}

static void
stated_desc_out(const struct lock_info *i, st_lock_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->file.st_file_len = (u_int)i->file->len;
	d->file.st_file_val = (char *)i->file->data;
	d->owner.protocol = i->owner.protocol;
	d->owner.client_id = i->owner.client_id;
	d->owner.host = (char *)(i->owner.host ? i->owner.host : "");
	d->owner.bytes.bytes_len = (u_int)i->owner.bytes_len;
	d->owner.bytes.bytes_val = (char *)i->owner.bytes;
	d->owner.svid = i->owner.svid;
	d->offset = i->offset;
	d->length = i->length;
	d->exclusive = i->type == LOCK_EXCLUSIVE;
	d->waiting = i->waiting;
}

static void
stated_share_out(const struct lock_share_info *i, st_share_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->file.st_file_len = (u_int)i->file->len;
	d->file.st_file_val = (char *)i->file->data;
	d->owner.protocol = i->owner.protocol;
	d->owner.client_id = i->owner.client_id;
	d->owner.host = (char *)(i->owner.host ? i->owner.host : "");
	d->owner.bytes.bytes_len = (u_int)i->owner.bytes_len;
	d->owner.bytes.bytes_val = (char *)i->owner.bytes;
	d->owner.svid = i->owner.svid;
	d->access = i->access;
	d->deny = i->deny;
}

/*
 * Room for one more record at this address: drop a record of that
 * address that holds nothing and waits for nothing (and has nothing to
 * reclaim in this grace period).  0, or -1 if every one holds state.
 */
static int
stated_client_make_room(struct stated_env *env, int protocol,
    const char *addr)
{
	struct stated_client *cl;
	size_t i;

	for (i = 0; (cl = clients_at(env->clients, i)) != NULL; i++) {
		if (cl->protocol != protocol || strcmp(cl->addr, addr) != 0 ||
		    cl->epoch != 0 || (cl->reclaimable && !cl->done) ||
		    lock_table_client_records(env->locks,
		    (enum lock_protocol)protocol, cl->id) != 0)
			continue;
		return clients_remove(env->clients, cl);
	}
	return -1;
}

/*
 * The client record behind an owner.  NLM owners are named by host, and
 * their client id is the record's.  Other protocols bring their own id
 * (their records come with their issues).  A new host beyond "clients
 * per address" is refused: -1 (ST_LIMIT), else 0 with *clp set or NULL.
 */
static int
stated_client_of(struct stated_env *env, struct lock_owner *o,
    const char *addr, struct stated_client **clp)
{
	struct stated_client *cl;

	*clp = NULL;
	if (o->protocol != LOCK_PROTOCOL_NLM || o->host == NULL)
		return 0;
	if (clients_find(env->clients, o->protocol, o->host) == NULL &&
	    addr != NULL && clients_count_addr(env->clients, o->protocol,
	    addr) >= env->clients_per_addr &&
	    stated_client_make_room(env, o->protocol, addr) == -1) {
		env->limit_hits++;
		log_warnx_rl("%s: already %zu client records at "
		    "this address (clients per address); host %.64s refused",
		    addr, env->clients_per_addr, o->host);
		return -1;
	}
	if ((cl = clients_get(env->clients, o->protocol, o->host, addr)) ==
	    NULL)
		return 0;
	o->client_id = cl->id;
	*clp = cl;
	return 0;
}

/*
 * Grace rules shared by LOCK and SHARE; returns an st_status to answer
 * at once, or -1 to go on to the table.
 */
static int
stated_grace_check(struct stated_env *env, struct stated_client *cl,
    int reclaim)
{
	if (reclaim) {
		if (!stated_in_grace(env))
			return ST_NO_GRACE;
		if (cl == NULL || !cl->reclaimable || cl->done)
			return ST_NOT_KNOWN;
		return -1;
	}
	if (stated_in_grace(env) && cl != NULL && cl->reclaimable)
		stated_client_done(env, cl, "sent a request that is not a "
		    "reclaim");
	return stated_in_grace(env) ? ST_GRACE : -1;
}

/* The client now holds state: durable before the grant is answered. */
static int
stated_note_state(struct stated_env *env, struct stated_client *cl)
{
	if (cl == NULL)
		return 0;
	if (clients_note_state(env->clients, cl) == -1) {
		log_warnx("client %s: record not stored", cl->name);
		return -1;
	}
	return 0;
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

static void
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

/* Sends a kept push (again) to a front end's connection. */
static void
stated_push_send(struct stated_env *env, struct ipc_peer *peer,
    struct push_entry *p)
{
	uint8_t *m;
	size_t len;

	if ((m = push_message(p, &len)) == NULL ||
	    ipc_send(ipc_peer_channel(peer), ST_PUSH, 0, 0, -1, m, len) == -1)
		log_warn("push %llu to %s (kept; sent again at its next "
		    "HELLO)", (unsigned long long)p->id, ipc_peer_name(peer));
	else
		env->pushes_sent++;
	free(m);
}

/*
 * Keeps a push for the front end behind peer and sends it: it stays
 * until that front end acknowledges it (stated_push.x).  0 or -1.
 */
static int
stated_push(struct stated_env *env, struct ipc_peer *peer,
    const st_push_body *body)
{
	struct push_entry *p;
	uint8_t *b;
	size_t len;
	uint64_t id;

	if ((b = ipc_encode((xdrproc_t)xdr_st_push_body, body, &len)) == NULL) {
		log_warn("push to %s: encoding", ipc_peer_name(peer));
		return -1;
	}
	id = push_queue_add(env->pushes, ipc_peer_role(peer),
	    ipc_peer_name(peer), b, len);
	free(b);
	if (id == 0) {
		env->pushes_refused++;
		if (errno == ENOSPC)
			log_warnx_rl("%s has %d pushes without an ACK: push "
			    "not kept", ipc_peer_name(peer), STATED_PUSH_MAX);
		else
			log_warn("push to %s not kept", ipc_peer_name(peer));
		return -1;
	}
	p = push_queue_find(env->pushes, id);
	p->attempt++;
	stated_push_send(env, peer, p);
	return 0;
}

/* The lock table granted a queued request (called inside the table). */
static void
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

struct stated_find_cookie {
	uint64_t	cookie;
};

static int
stated_find_cookie_cb(void *arg, const struct lock_info *i)
{
	const struct stated_find_cookie *f = arg;

	return i->waiting && i->cookie == f->cookie;
}

static void
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
	lr = lock_table_lock(env->locks, &rq, &holder);
	rep.status = stated_status_of(lr);
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

static void
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
	stated_reply(peer, msg, &rep);
out:
	xdr_free((xdrproc_t)xdr_st_range_req, &req);
}

static void
stated_share(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_share_req req;
	struct st_reply rep;
	struct lock_share_request rq;
	struct lock_share_info other;
	struct stated_client *cl;
	st_share_desc sd;
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
	rep.status = stated_status_of(lock_table_share(env->locks, &rq,
	    &other));
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

static void
stated_unshare(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_unshare_req req;
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
	stated_reply_status(peer, msg, stated_status_of(
	    lock_table_unshare(env->locks, &file, &owner)));
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

static void
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

static void
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
	stated_waiters_prune(env);
	stated_reply(peer, msg, &rep);
}

static void
stated_grace_info(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_grace_reply rep;
	struct stated_client *cl;
	st_client_desc *v;
	size_t i, n = clients_count(env->clients);

	memset(&rep, 0, sizeof(rep));
	rep.in_grace = stated_in_grace(env);
	rep.seconds_left = stated_in_grace(env) ?
	    env->grace_end - time(NULL) : 0;
	if (rep.seconds_left < 0)
		rep.seconds_left = 0;
	rep.epoch = clients_epoch(env->clients);
	rep.pending = env->grace_pending;
	if (n > ST_LIST_MAX)
		n = ST_LIST_MAX;
	if ((v = calloc(n ? n : 1, sizeof(*v))) == NULL) {
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM, NULL);
		return;
	}
	for (i = 0; i < n; i++) {
		cl = clients_at(env->clients, i);
		v[i].protocol = cl->protocol;
		v[i].host = cl->name;
		v[i].addr = cl->addr;
		v[i].client_id = cl->id;
		v[i].epoch = cl->epoch;
		v[i].reclaimable = cl->reclaimable;
		v[i].reclaimed = cl->reclaimed;
		v[i].done = cl->done;
	}
	rep.clients.clients_len = (u_int)n;
	rep.clients.clients_val = v;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_GRACE_REPLY, -1,
	    (xdrproc_t)xdr_st_grace_reply, &rep);
	free(v);
}

static void
stated_ctl_grace_end(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	int was = stated_in_grace(env);

	stated_grace_end(env, "ended by dittofsctl");
	stated_reply_status(peer, msg, was ? ST_OK : ST_NO_GRACE);
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

static int
stated_list_lock_cb(void *arg, const struct lock_info *i)
{
	struct stated_list *l = arg;
	size_t need = 96 + i->file->len + i->owner.bytes_len +
	    (i->owner.host ? strlen(i->owner.host) : 0);

	if (l->nlocks >= l->cap || l->bytes + need > STATED_LIST_BYTES) {
		l->truncated = 1;
		return 1;
	}
	stated_desc_out(i, &l->locks[l->nlocks++]);
	l->bytes += need;
	return 0;
}

static int
stated_list_share_cb(void *arg, const struct lock_share_info *i)
{
	struct stated_list *l = arg;
	size_t need = 96 + i->file->len + i->owner.bytes_len +
	    (i->owner.host ? strlen(i->owner.host) : 0);

	if (l->nshares >= l->cap || l->bytes + need > STATED_LIST_BYTES) {
		l->truncated = 1;
		return 1;
	}
	stated_share_out(i, &l->shares[l->nshares++]);
	l->bytes += need;
	return 0;
}

static void
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
 * nfsd's duplicate request cache (drc.h).  Only nfsd may send these (the
 * handler table says so); what it sends is still checked: the XDR bounds
 * the batch and each reply, the table bounds the entries.  A PUT is one
 * way: a malformed one is a protocol violation and closes the channel,
 * since there is no reply to carry an error.
 */
#define STATED_DRC_CHUNK_BYTES	(512 * 1024)

static void
stated_drc_put(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_drc_put req;
	struct drc_table_key k;
	st_drc_entry *e;
	size_t nomem = 0;
	u_int i;

	memset(&req, 0, sizeof(req));
	if (ipc_decode(msg, (xdrproc_t)xdr_st_drc_put, &req) == -1) {
		log_warnx_rl("%s: malformed DRC_PUT of %zu bytes; disconnecting",
		    ipc_peer_name(peer), msg->len);
		ipc_channel_close(ipc_peer_channel(peer), NULL);
		return;
	}
	env->requests++;
	for (i = 0; i < req.entries.entries_len; i++) {
		e = &req.entries.entries_val[i];
		memset(&k, 0, sizeof(k));
		memcpy(k.addr, e->addr, sizeof(k.addr));
		k.xid = e->xid;
		k.prog = e->prog;
		k.vers = e->vers;
		k.proc = e->proc;
		k.args_sum = e->args_sum;
		if (drc_table_put(env->drc, &k,
		    (const uint8_t *)e->reply.reply_val,
		    e->reply.reply_len) == -1) {
			if (errno == ENOMEM)
				nomem++;
			env->drc_refused++;
			continue;
		}
		env->drc_puts++;
	}
	if (nomem > 0)
		log_warnx("%s: %zu reply cache entr%s not kept: out of memory",
		    ipc_peer_name(peer), nomem, nomem == 1 ? "y" : "ies");
	xdr_free((xdrproc_t)xdr_st_drc_put, &req);
}

struct stated_drc_chunk {
	st_drc_entry	*v;
	size_t		 n;
};

static void
stated_drc_chunk_cb(void *arg, const struct drc_table_key *k,
    const uint8_t *reply, size_t len)
{
	struct stated_drc_chunk *c = arg;
	st_drc_entry *e = &c->v[c->n++];

	memcpy(e->addr, k->addr, sizeof(e->addr));
	e->xid = k->xid;
	e->prog = k->prog;
	e->vers = k->vers;
	e->proc = k->proc;
	e->args_sum = k->args_sum;
	/* The table's memory, unchanged until the reply is encoded. */
	e->reply.reply_len = (u_int)len;
	e->reply.reply_val = (char *)(uintptr_t)reply;
}

static void
stated_drc_dump(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_drc_dump_req req;
	struct st_drc_dump_reply rep;
	struct stated_drc_chunk c;
	uint64_t next;
	int eof;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_drc_dump_req, &req) ==
	    -1)
		return;
	memset(&c, 0, sizeof(c));
	if ((c.v = calloc(ST_DRC_BATCH_MAX, sizeof(*c.v))) == NULL) {
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM, NULL);
		return;
	}
	drc_table_dump(env->drc, req.cursor, ST_DRC_BATCH_MAX,
	    STATED_DRC_CHUNK_BYTES, stated_drc_chunk_cb, &c, &next, &eof);
	memset(&rep, 0, sizeof(rep));
	rep.entries.entries_len = (u_int)c.n;
	rep.entries.entries_val = c.v;
	rep.cursor = next;
	rep.eof = eof;
	rep.total = drc_table_count(env->drc);
	if (ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_DRC_DUMP_REPLY, -1,
	    (xdrproc_t)xdr_st_drc_dump_reply, &rep) == -1)
		log_warn("%s: DRC_DUMP reply", ipc_peer_name(peer));
	if (req.cursor == 0)
		log_info("%s reads the reply cache: %zu entr%s",
		    ipc_peer_name(peer), drc_table_count(env->drc),
		    drc_table_count(env->drc) == 1 ? "y" : "ies");
	free(c.v);
}

/* A front end acknowledges a push (one way: no reply). */
static void
stated_push_ack(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_push_ack ack;

	memset(&ack, 0, sizeof(ack));
	if (ipc_decode(msg, (xdrproc_t)xdr_st_push_ack, &ack) == -1) {
		log_warnx_rl("%s: malformed PUSH_ACK; disconnecting",
		    ipc_peer_name(peer));
		ipc_channel_close(ipc_peer_channel(peer), NULL);
		return;
	}
	env->requests++;
	/* A repeated push is acknowledged twice: the second finds none. */
	if (push_queue_ack(env->pushes, ipc_peer_role(peer),
	    ipc_peer_name(peer), ack.push_id) == -1)
		log_debug("%s: ACK of push %llu, which it does not have",
		    ipc_peer_name(peer), (unsigned long long)ack.push_id);
	else if (ack.status != ST_OK)
		log_info("%s: push %llu done with status %d",
		    ipc_peer_name(peer), (unsigned long long)ack.push_id,
		    (int)ack.status);
	xdr_free((xdrproc_t)xdr_st_push_ack, &ack);
}

struct stated_resend {
	struct stated_env	*env;
	struct ipc_peer		*peer;
};

static void
stated_resend_cb(void *arg, struct push_entry *p)
{
	struct stated_resend *r = arg;

	stated_push_send(r->env, r->peer, p);
}

/* A front end said HELLO: what it did not acknowledge goes out again. */
static void
stated_peer_hello(struct ipc_peer *peer, void *arg)
{
	struct daemon *d = arg;
	struct stated_resend r = { d->env, peer };
	size_t n;

	n = push_queue_resend(r.env->pushes, ipc_peer_role(peer),
	    ipc_peer_name(peer), stated_resend_cb, &r);
	if (n > 0)
		log_info("%s is back: %zu push(es) without an ACK sent again",
		    ipc_peer_name(peer), n);
}

const struct ipc_handler stated_handlers[] = {
	{ ST_LOCK, FRONT_ENDS, stated_lock },
	{ ST_UNLOCK, FRONT_ENDS, stated_range },
	{ ST_TEST, FRONT_ENDS, stated_range },
	{ ST_CANCEL, FRONT_ENDS, stated_range },
	{ ST_SHARE, FRONT_ENDS, stated_share },
	{ ST_UNSHARE, FRONT_ENDS, stated_unshare },
	{ ST_RELEASE_HOST, FRONT_ENDS | STATD, stated_release_host },
	{ ST_RELEASE_CLIENT, FRONT_ENDS, stated_release_client },
	{ ST_GRACE_INFO, FRONT_ENDS | STATD, stated_grace_info },
	{ ST_DRC_PUT, NFSD, stated_drc_put },
	{ ST_DRC_DUMP, NFSD, stated_drc_dump },
	{ ST_PUSH_ACK, FRONT_ENDS, stated_push_ack },
};
const size_t stated_nhandlers = sizeof(stated_handlers) /
    sizeof(stated_handlers[0]);

static const struct ipc_handler stated_ctl_handlers[] = {
	{ ST_GRACE_INFO, CTL, stated_grace_info },
	{ ST_GRACE_END, CTL, stated_ctl_grace_end },
	{ ST_LOCKS, CTL, stated_ctl_locks },
};

/*
 * A front end went away: cancel the requests it queued (it re-announces
 * them when it comes back).  A cancel may grant other waiters, even of
 * this front end: those are detached first, so each is seen once.
 */
static void
stated_peer_gone(struct ipc_peer *peer, void *arg)
{
	struct daemon *d = arg;
	struct stated_env *env = d->env;
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

static void
stated_sweep_host(struct stated_env *env, const struct lock_owner *o)
{
	struct stated_client *cl;

	if (o->protocol == LOCK_PROTOCOL_NLM && o->host != NULL &&
	    (cl = clients_find(env->clients, o->protocol, o->host)) != NULL)
		cl->has_state = 1;
}

static int
stated_sweep_lock_cb(void *arg, const struct lock_info *i)
{
	stated_sweep_host(arg, &i->owner);
	return 0;
}

static int
stated_sweep_share_cb(void *arg, const struct lock_share_info *i)
{
	stated_sweep_host(arg, &i->owner);
	return 0;
}

/* Clients that hold nothing any more need not reclaim after a restart. */
static void
stated_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stated_env *env = arg;
	struct stated_client *cl;
	size_t i;

	for (i = 0; (cl = clients_at(env->clients, i)) != NULL; i++)
		cl->has_state = 0;
	lock_table_foreach_lock(env->locks, NULL, stated_sweep_lock_cb, env);
	lock_table_foreach_share(env->locks, NULL, stated_sweep_share_cb, env);
	for (i = 0; (cl = clients_at(env->clients, i)) != NULL; i++) {
		if (cl->has_state || cl->epoch == 0)
			continue;
		/* In grace, a client that has not reclaimed yet keeps it. */
		if (stated_in_grace(env) && cl->reclaimable && !cl->done &&
		    cl->epoch != clients_epoch(env->clients))
			continue;
		clients_clear_state(env->clients, cl);
	}
	clients_checkpoint(env->clients);
}

static void
stated_pre_init(struct daemon *d)
{
	struct stated_env *env = d->env;
	struct sched_param sp = { .sched_priority = 0 };

	env->daemon = d;
	/*
	 * SCHED_BATCH: woken, stated does not preempt the process that
	 * woke it.  nfsd stores each reply-cache entry here just before it
	 * sends the reply; where both share a CPU, stated ran first and
	 * every non-idempotent reply waited for it (bench/RESULTS.md,
	 * session 8).  A sender that waits for an answer sleeps, so stated
	 * runs at once; only on a CPU busy with other work does it wait
	 * for its turn instead of taking it.
	 */
	if (sched_setscheduler(0, SCHED_BATCH, &sp) == -1)
		log_warn("sched_setscheduler SCHED_BATCH");
	TAILQ_INIT(&env->waiters);
	daemon_allow_peer(d, IPC_ROLE_NFSD, 0);
	daemon_allow_peer(d, IPC_ROLE_SMBD, 0);
	daemon_allow_peer(d, IPC_ROLE_LOCKD, 0);
	daemon_allow_peer(d, IPC_ROLE_STATD, 0);
	daemon_serve(d, "stated.sock", stated_handlers, stated_nhandlers);
	ipc_server_set_peer_callbacks(d->service, stated_peer_hello,
	    stated_peer_gone);
}

static void
stated_clients_log(const char *msg)
{
	log_warnx("%s", msg);
}

/* The per-host limits of dittofs.conf(5), at start and on reload. */
static void
stated_limits(struct daemon *d)
{
	struct stated_env *env = d->env;

	env->locks_per_host = (size_t)conf_get_int(d->conf, "stated",
	    "locks per host");
	env->clients_per_addr = (size_t)conf_get_int(d->conf, "stated",
	    "clients per address");
	if (env->locks != NULL)
		lock_table_set_client_max(env->locks, env->locks_per_host);
}

static void
stated_post_init(struct daemon *d)
{
	struct stated_env *env = d->env;
	struct stated_client *cl;
	struct timeval tv = { STATED_SWEEP_SECONDS, 0 };
	char dir[PATH_MAX + 16], err[512];
	long long grace = conf_get_int(d->conf, "stated", "grace period");
	size_t i;

	if ((env->locks = lock_table_new(stated_grant_cb, env)) == NULL)
		fatal("lock table");
	if ((env->pushes = push_queue_new(STATED_PUSH_MAX)) == NULL)
		fatal("push queue");
	stated_limits(d);
	/* As many entries as nfsd keeps itself: one knob for both. */
	if ((env->drc = drc_table_new((size_t)conf_get_int(d->conf, "nfsd",
	    "reply cache size"))) == NULL)
		fatal("reply cache");
	snprintf(dir, sizeof(dir), "%s/clients", d->sandbox.chroot[0] ? "" :
	    d->state_dir);
	if (clients_open(dir, stated_clients_log, &env->clients, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	for (i = 0; (cl = clients_at(env->clients, i)) != NULL; i++)
		if (cl->reclaimable)
			env->grace_pending++;
	log_info("epoch %llu; %zu client record(s), %u may reclaim",
	    (unsigned long long)clients_epoch(env->clients),
	    clients_count(env->clients), env->grace_pending);
	env->ev_grace = evtimer_new(d->base, stated_grace_timer_cb, env);
	env->ev_sweep = event_new(d->base, -1, EV_PERSIST, stated_sweep_cb,
	    env);
	if (env->ev_grace == NULL || env->ev_sweep == NULL ||
	    event_add(env->ev_sweep, &tv) == -1)
		fatalx("timers");
	if (env->grace_pending > 0 && grace > 0) {
		struct timeval gt = { (time_t)grace, 0 };

		env->grace_end = time(NULL) + grace;
		lock_table_grace_set(env->locks, 1);
		evtimer_add(env->ev_grace, &gt);
		log_info("grace period: %lld s for %u client(s) to reclaim",
		    grace, env->grace_pending);
	} else {
		env->grace_pending = 0;
		log_info("no grace period: no client had state");
	}
}

static void
stated_stop(struct daemon *d)
{
	struct stated_env *env = d->env;

	while (!TAILQ_EMPTY(&env->waiters))
		stated_waiter_free(env, TAILQ_FIRST(&env->waiters));
	if (env->ev_grace != NULL)
		event_free(env->ev_grace);
	if (env->ev_sweep != NULL)
		event_free(env->ev_sweep);
	env->ev_grace = env->ev_sweep = NULL;
	clients_close(env->clients);
	env->clients = NULL;
	lock_table_free(env->locks);
	env->locks = NULL;
	drc_table_free(env->drc);
	env->drc = NULL;
	push_queue_free(env->pushes);
	env->pushes = NULL;
}

static void
stated_reload(struct daemon *d)
{
	struct stated_env *env = d->env;
	size_t max = (size_t)conf_get_int(d->conf, "nfsd", "reply cache size");

	stated_limits(d);
	if (env->drc != NULL && max != drc_table_max(env->drc)) {
		drc_table_resize(env->drc, max);
		log_info("reply cache: at most %zu entries", max);
	}
}

static void
stated_status(struct daemon *d, char *buf, size_t len)
{
	struct stated_env *env = d->env;
	struct lock_table_stats st;

	memset(&st, 0, sizeof(st));
	if (env->locks != NULL)
		lock_table_stats(env->locks, &st);
	snprintf(buf, len, "%zu front end(s) connected; epoch %llu; %s; "
	    "%zu lock(s), %zu waiter(s), %zu share(s) on %zu file(s); "
	    "%zu client record(s); %llu refused by a per-host limit; "
	    "reply cache %zu entr%s, %zu bytes; %zu push(es) awaiting an "
	    "ACK, %llu sent, %llu not kept",
	    ipc_server_peer_count(d->service),
	    env->clients ? (unsigned long long)clients_epoch(env->clients) :
	    0ULL, stated_in_grace(env) ? "in grace" : "not in grace", st.locks,
	    st.waiters, st.shares, st.files,
	    env->clients ? clients_count(env->clients) : 0,
	    (unsigned long long)env->limit_hits,
	    env->drc ? drc_table_count(env->drc) : 0,
	    env->drc && drc_table_count(env->drc) == 1 ? "y" : "ies",
	    env->drc ? drc_table_bytes(env->drc) : 0,
	    env->pushes ? push_queue_total(env->pushes) : 0,
	    (unsigned long long)env->pushes_sent,
	    (unsigned long long)env->pushes_refused);
}

static const struct daemon_def stated_def = {
	.name = "stated",
	.role = IPC_ROLE_STATED,
	.chroot = DAEMON_CHROOT_STATE,
	.syscalls = stated_syscalls,
	.pre_init = stated_pre_init,
	.post_init = stated_post_init,
	.reload = stated_reload,
	.stop = stated_stop,
	.status = stated_status,
	.ctl_handlers = stated_ctl_handlers,
	.nctl_handlers = sizeof(stated_ctl_handlers) /
	    sizeof(stated_ctl_handlers[0]),
};

int
main(int argc, char *argv[])
{
	struct stated_env env;

	memset(&env, 0, sizeof(env));
	return daemon_main(argc, argv, &stated_def, &env);
}
