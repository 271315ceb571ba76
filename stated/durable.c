/*
 * stated's SMB durable handles (common/stated_durable.x): smbd's record
 * of each open it made durable (MS-SMB2 3.3.5.9.6, 3.3.5.9.10), kept
 * here so that the open's share mode, locks and oplock, which the lock
 * and grant tables hold under the open's own id, outlive its connection
 * and smbd itself.  A disconnected open waits for its reconnect
 * (3.3.5.9.7, 3.3.5.9.12) for its timeout; then, or when its oplock is
 * recalled meanwhile, everything of it goes (3.3.4.x scavenger).
 *
 * Kept in memory: a restart of stated loses them, as it loses the
 * locks they stand for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hash.h"
#include "log.h"
#include "stated.h"

/* One record per durable open, at most this many. */
#define STATED_DURABLE_MAX	65536
/* Buckets of the by-id hash: a power of two, a record or so each. */
#define STATED_DURABLE_BUCKETS	65536

struct stated_durable {
	TAILQ_ENTRY(stated_durable) entry;
	LIST_ENTRY(stated_durable) by_id;
	st_durable_open		 open;		/* as smbd sent it */
	uint32_t		 fe_role;
	char			 fe_name[64];
	int			 connected;
	int			 purge;		/* its oplock was recalled */
	int			 doomed;	/* delete on close (DOOM) */
	struct timespec		 since;		/* disconnected, monotonic */
};

/*
 * Records by open id, so that finding one costs the same with 65,536
 * kept as with one.  The ids are smbd's (a counter under a tag), not a
 * client's choice: an unkeyed hash does.
 */
struct stated_durable_hash {
	LIST_HEAD(, stated_durable) buckets[STATED_DURABLE_BUCKETS];
};

static void	stated_durable_timer(struct stated_env *);

static size_t
stated_durable_bucket(uint64_t id)
{
	return (size_t)(hash_fnv1a64(&id, sizeof(id)) &
	    (STATED_DURABLE_BUCKETS - 1));
}

static struct stated_durable *
stated_durable_find(struct stated_env *env, uint64_t id)
{
	struct stated_durable *d;

	LIST_FOREACH(d, &env->durable_hash->buckets[stated_durable_bucket(id)],
	    by_id)
		if (d->open.id == id)
			return d;
	return NULL;
}

/* Everything the open's id holds: share mode, locks, oplock. */
static size_t
stated_durable_release_id(struct stated_env *env, uint64_t id)
{
	size_t n;

	n = lock_table_release_client(env->locks, LOCK_PROTOCOL_SMB, id);
	n += grant_release_holder(env->caching, LOCK_PROTOCOL_SMB, id);
	return n;
}

static void
stated_durable_free(struct stated_env *env, struct stated_durable *d)
{
	TAILQ_REMOVE(&env->durables, d, entry);
	LIST_REMOVE(d, by_id);
	env->ndurables--;
	xdr_free((xdrproc_t)xdr_st_durable_open, &d->open);
	free(d);
}

static size_t
stated_durable_user_count(struct stated_env *env, const char *user)
{
	struct stated_durable *d;
	size_t n = 0;

	TAILQ_FOREACH(d, &env->durables, entry)
		if (strcmp(d->open.user, user) == 0)
			n++;
	return n;
}

static int
stated_durable_id_ok(uint64_t id)
{
	return (id >> 56) == ST_DURABLE_ID_TAG;
}

/* MS-SMB2 3.3.5.9.6, 3.3.5.9.10: smbd made an open durable. */
void
stated_durable_open(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct stated_durable *d, *old;
	struct lock_file_id file;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		stated_reply_status(peer, msg, ST_NOMEM);
		return;
	}
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_durable_open,
	    &d->open) == -1) {
		free(d);
		return;
	}
	if (!stated_protocol_ok(peer, ST_PROTOCOL_SMB) ||
	    !stated_durable_id_ok(d->open.id) ||
	    (d->open.dh_version != 1 && d->open.dh_version != 2) ||
	    stated_file_in(&d->open.file, &file) == -1) {
		xdr_free((xdrproc_t)xdr_st_durable_open, &d->open);
		free(d);
		stated_reply_status(peer, msg, ST_INVALID);
		return;
	}
	if ((old = stated_durable_find(env, d->open.id)) != NULL)
		stated_durable_free(env, old);	/* announced again */
	else if (env->ndurables >= STATED_DURABLE_MAX ||
	    (env->durable_per_user > 0 && stated_durable_user_count(env,
	    d->open.user) >= env->durable_per_user)) {
		env->limit_hits++;
		log_warnx_rl("%s: %s holds its smb durable handles per user "
		    "(%zu; %d in all): this open is not durable",
		    ipc_peer_name(peer), d->open.user, env->durable_per_user,
		    STATED_DURABLE_MAX);
		xdr_free((xdrproc_t)xdr_st_durable_open, &d->open);
		free(d);
		stated_reply_status(peer, msg, ST_LIMIT);
		return;
	}
	d->fe_role = (uint32_t)ipc_peer_role(peer);
	snprintf(d->fe_name, sizeof(d->fe_name), "%s", ipc_peer_name(peer));
	d->connected = 1;
	TAILQ_INSERT_TAIL(&env->durables, d, entry);
	LIST_INSERT_HEAD(&env->durable_hash->buckets[stated_durable_bucket(
	    d->open.id)], d, by_id);
	env->ndurables++;
	stated_reply_status(peer, msg, ST_OK);
}

static int
stated_durable_id_in(struct ipc_peer *peer, struct ipc_msg *msg,
    uint64_t *id)
{
	struct st_durable_id_req req;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_durable_id_req,
	    &req) == -1)
		return -1;
	if (!stated_protocol_ok(peer, ST_PROTOCOL_SMB) ||
	    !stated_durable_id_ok(req.id)) {
		stated_reply_status(peer, msg, ST_INVALID);
		return -1;
	}
	*id = req.id;
	return 0;
}

/* The open closed, or was never made durable: all of it goes. */
void
stated_durable_close(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct stated_durable *d;
	struct st_reply rep;
	uint64_t id;

	if (stated_durable_id_in(peer, msg, &id) == -1)
		return;
	if ((d = stated_durable_find(env, id)) != NULL)
		stated_durable_free(env, d);
	memset(&rep, 0, sizeof(rep));
	rep.count = stated_durable_release_id(env, id);
	stated_reply(peer, msg, &rep);
}

/* ST_DURABLE_DOOM: the open is to be deleted on close, or no more. */
void
stated_durable_doom(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_durable_doom_req req;
	struct stated_durable *d;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_durable_doom_req,
	    &req) == -1)
		return;
	if (!stated_protocol_ok(peer, ST_PROTOCOL_SMB) ||
	    !stated_durable_id_ok(req.id)) {
		stated_reply_status(peer, msg, ST_INVALID);
		return;
	}
	if ((d = stated_durable_find(env, req.id)) == NULL) {
		stated_reply_status(peer, msg, ST_NOT_FOUND);
		return;
	}
	d->doomed = req.doomed != 0;
	stated_reply_status(peer, msg, ST_OK);
}

/*
 * A doomed record released unclaimed: the front end that had it last
 * deletes its file (stated_push.x), now or at its next HELLO.
 */
static void
stated_durable_doomed(struct stated_env *env, struct stated_durable *d)
{
	st_push_body body;
	st_push_durable_doomed *p = &body.st_push_body_u.durable_doomed;

	memset(&body, 0, sizeof(body));
	body.kind = ST_PUSH_DURABLE_DOOMED;
	p->id = d->open.id;
	p->file = d->open.file;
	p->path = d->open.path;
	p->state.state_len = d->open.state.state_len;
	p->state.state_val = d->open.state.state_val;
	if (stated_push_to(env, d->fe_role, d->fe_name, &body) == -1)
		log_warnx("durable handle %016llx of %s (%s): its delete on "
		    "close could not be passed on to %s",
		    (unsigned long long)d->open.id, d->open.user,
		    d->open.path, d->fe_name);
	else
		log_info("durable handle %016llx of %s (%s): its delete on "
		    "close passed on to %s", (unsigned long long)d->open.id,
		    d->open.user, d->open.path, d->fe_name);
}

/*
 * Its connection went: it waits, unless its oplock was broken meanwhile
 * (smbd sent it again with oplock 0): then it goes at once.
 */
static void
stated_durable_detach(struct stated_env *env, struct stated_durable *d)
{
	d->connected = 0;
	if (clock_gettime(CLOCK_MONOTONIC, &d->since) == -1)
		fatal("clock_gettime");
	if (d->open.oplock == 0 && !d->open.resilient) {
		d->purge = 1;
		if (env->ev_durable != NULL)
			event_active(env->ev_durable, EV_TIMEOUT, 1);
		return;
	}
	stated_durable_timer(env);
}

/* MS-SMB2 3.3.7.1: its connection went; it waits for a reconnect. */
void
stated_durable_disconnect(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct stated_durable *d;
	uint64_t id;

	if (stated_durable_id_in(peer, msg, &id) == -1)
		return;
	if ((d = stated_durable_find(env, id)) == NULL) {
		/* Not durable after all: nothing to keep. */
		stated_durable_release_id(env, id);
		stated_reply_status(peer, msg, ST_NOT_FOUND);
		return;
	}
	stated_durable_detach(env, d);
	log_info("durable handle %016llx of %s (%s): disconnected, kept "
	    "%u ms", (unsigned long long)id, d->open.user, d->open.path,
	    d->open.timeout_ms);
	stated_reply_status(peer, msg, ST_OK);
}

/* The locks the table holds for a durable open, for its reconnect. */
struct stated_durable_locks {
	uint64_t	 id;
	st_durable_lock	*v;
	size_t		 n, cap;
};

static int
stated_durable_lock_cb(void *arg, const struct lock_info *i)
{
	struct stated_durable_locks *l = arg;

	if (i->waiting || i->owner.protocol != LOCK_PROTOCOL_SMB ||
	    i->owner.client_id != l->id)
		return 0;
	if (l->n == l->cap)
		return 1;
	l->v[l->n].offset = i->offset;
	l->v[l->n].length = i->length;
	l->v[l->n].exclusive = i->type == LOCK_EXCLUSIVE;
	l->n++;
	return 0;
}

/* MS-SMB2 3.3.5.9.7, 3.3.5.9.12: DHnC, DH2C. */
void
stated_durable_reconnect(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_durable_reconnect_req req;
	struct st_durable_reconnect_reply rep;
	struct stated_durable_locks l;
	struct stated_durable *d;
	struct lock_file_id file;

	memset(&req, 0, sizeof(req));
	memset(&rep, 0, sizeof(rep));
	memset(&l, 0, sizeof(l));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_durable_reconnect_req,
	    &req) == -1)
		return;
	if (!stated_protocol_ok(peer, ST_PROTOCOL_SMB) ||
	    (req.dh_version != 1 && req.dh_version != 2)) {
		rep.status = ST_INVALID;
		goto out;
	}
	if ((d = stated_durable_find(env, req.id)) == NULL || d->connected ||
	    d->purge || (req.dh_version == 2 && memcmp(req.create_guid,
	    d->open.create_guid, ST_DURABLE_GUID_SIZE) != 0)) {
		rep.status = ST_NOT_FOUND;
		goto out;
	}
	if (strcmp(req.user, d->open.user) != 0) {
		log_warnx_rl("%s: durable handle %016llx of %s: a reconnect "
		    "as %s refused", ipc_peer_name(peer),
		    (unsigned long long)req.id, d->open.user, req.user);
		rep.status = ST_DENIED;
		goto out;
	}
	l.id = d->open.id;
	l.cap = ST_DURABLE_LOCKS_MAX;
	if ((l.v = calloc(l.cap, sizeof(*l.v))) == NULL) {
		rep.status = ST_NOMEM;
		goto out;
	}
	if (stated_file_in(&d->open.file, &file) == 0)
		lock_table_foreach_lock(env->locks, &file,
		    stated_durable_lock_cb, &l);
	d->connected = 1;
	d->fe_role = (uint32_t)ipc_peer_role(peer);
	snprintf(d->fe_name, sizeof(d->fe_name), "%s", ipc_peer_name(peer));
	log_info("durable handle %016llx of %s (%s): reconnected, %zu "
	    "lock(s)", (unsigned long long)d->open.id, d->open.user,
	    d->open.path, l.n);
	rep.status = ST_OK;
	rep.open.open_len = 1;
	rep.open.open_val = &d->open;
	rep.locks.locks_len = (u_int)l.n;
	rep.locks.locks_val = l.v;
out:
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_DURABLE_RECONNECT_REPLY,
	    -1, (xdrproc_t)xdr_st_durable_reconnect_reply, &rep);
	free(l.v);
	xdr_free((xdrproc_t)xdr_st_durable_reconnect_req, &req);
}

/*
 * A recall of an SMB grant (v4.c's grant event, inside the grant
 * table): a disconnected durable open cannot acknowledge its break, so
 * it goes (MS-SMB2 3.3.4.6), from the timer, outside the table.  Also
 * for a CREATE that met its share mode (MS-SMB2 3.3.5.9, lease.c).  1
 * when it goes, 0 when the id is no disconnected durable open.
 */
int
stated_durable_recalled(struct stated_env *env, uint64_t client_id)
{
	struct stated_durable *d;

	if (!stated_durable_id_ok(client_id) ||
	    (d = stated_durable_find(env, client_id)) == NULL ||
	    d->connected)
		return 0;
	d->purge = 1;
	if (env->ev_durable != NULL)
		event_active(env->ev_durable, EV_TIMEOUT, 1);
	return 1;
}

/* Another open's ids with no record: made by an smbd that died early. */
struct stated_durable_orphans {
	struct stated_env	*env;
	uint64_t		*v;
	size_t			 n, cap;
};

static void
stated_durable_orphan_add(struct stated_durable_orphans *o,
    const struct lock_owner *w)
{
	size_t i;

	if (w->protocol != LOCK_PROTOCOL_SMB || w->host == NULL ||
	    strcmp(w->host, ST_DURABLE_HOST) != 0 ||
	    stated_durable_find(o->env, w->client_id) != NULL)
		return;
	for (i = 0; i < o->n; i++)
		if (o->v[i] == w->client_id)
			return;
	if (o->n < o->cap)
		o->v[o->n++] = w->client_id;
}

static int
stated_durable_orphan_lock_cb(void *arg, const struct lock_info *i)
{
	stated_durable_orphan_add(arg, &i->owner);
	return 0;
}

static int
stated_durable_orphan_share_cb(void *arg, const struct lock_share_info *i)
{
	stated_durable_orphan_add(arg, &i->owner);
	return 0;
}

/*
 * smbd's channel went (it died, or was restarted): its durable opens
 * are disconnected, and the rest of what it held under open ids (opens
 * that asked for durability and did not get it) goes.
 */
void
stated_durable_peer_gone(struct stated_env *env, struct ipc_peer *peer)
{
	struct stated_durable_orphans o;
	struct stated_durable *d;
	size_t i, n = 0, released = 0;

	if (ipc_peer_role(peer) != IPC_ROLE_SMBD)
		return;
	TAILQ_FOREACH(d, &env->durables, entry)
		if (d->connected &&
		    d->fe_role == (uint32_t)ipc_peer_role(peer) &&
		    strcmp(d->fe_name, ipc_peer_name(peer)) == 0) {
			stated_durable_detach(env, d);
			n++;
		}
	memset(&o, 0, sizeof(o));
	o.env = env;
	o.cap = 4096;
	if ((o.v = calloc(o.cap, sizeof(*o.v))) != NULL) {
		lock_table_foreach_share(env->locks, NULL,
		    stated_durable_orphan_share_cb, &o);
		lock_table_foreach_lock(env->locks, NULL,
		    stated_durable_orphan_lock_cb, &o);
		for (i = 0; i < o.n; i++)
			released += stated_durable_release_id(env, o.v[i]);
		free(o.v);
	}
	if (n > 0 || released > 0)
		log_info("%s went: %zu durable handle(s) wait for their "
		    "clients, %zu lock(s) and share(s) of other opens "
		    "released", ipc_peer_name(peer), n, released);
}

/* The scavenger: expired or recalled disconnected opens go. */
static void
stated_durable_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stated_env *env = arg;
	struct stated_durable *d, *next;
	struct timespec now;
	long long ms;
	size_t n;

	(void)fd;
	(void)what;
	env->durable_timer_on = 0;
	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		fatal("clock_gettime");
	for (d = TAILQ_FIRST(&env->durables); d != NULL; d = next) {
		next = TAILQ_NEXT(d, entry);
		if (d->connected)
			continue;
		ms = (long long)(now.tv_sec - d->since.tv_sec) * 1000 +
		    (now.tv_nsec - d->since.tv_nsec) / 1000000;
		if (!d->purge && ms < (long long)d->open.timeout_ms)
			continue;
		n = stated_durable_release_id(env, d->open.id);
		log_info("durable handle %016llx of %s (%s): %s; %zu lock(s), "
		    "share(s) and grant(s) released",
		    (unsigned long long)d->open.id, d->open.user,
		    d->open.path, !d->purge ? "not reconnected within its "
		    "timeout" : d->open.oplock == 0 ? "disconnected after its "
		    "oplock was broken" : "its oplock was recalled while "
		    "disconnected", n);
		env->durable_scavenged++;
		if (d->doomed)
			stated_durable_doomed(env, d);
		stated_durable_free(env, d);
	}
	stated_durable_timer(env);
}

/* Once a second while an open waits for its client. */
static void
stated_durable_timer(struct stated_env *env)
{
	struct stated_durable *d;
	struct timeval tv = { 1, 0 };

	if (env->durable_timer_on || env->ev_durable == NULL)
		return;
	TAILQ_FOREACH(d, &env->durables, entry)
		if (!d->connected)
			break;
	if (d == NULL)
		return;
	if (evtimer_add(env->ev_durable, &tv) == -1)
		fatal("durable handle timer");
	env->durable_timer_on = 1;
}

void
stated_durable_init(struct stated_env *env, struct event_base *base)
{
	size_t i;

	TAILQ_INIT(&env->durables);
	if ((env->durable_hash = malloc(sizeof(*env->durable_hash))) == NULL)
		fatal("durable handle hash");
	for (i = 0; i < STATED_DURABLE_BUCKETS; i++)
		LIST_INIT(&env->durable_hash->buckets[i]);
	if ((env->ev_durable = evtimer_new(base, stated_durable_timer_cb,
	    env)) == NULL)
		fatal("durable handle timer");
}

void
stated_durable_stop(struct stated_env *env)
{
	while (!TAILQ_EMPTY(&env->durables))
		stated_durable_free(env, TAILQ_FIRST(&env->durables));
	free(env->durable_hash);
	env->durable_hash = NULL;
	if (env->ev_durable != NULL)
		event_free(env->ev_durable);
	env->ev_durable = NULL;
}

/* dittofsctl smb opens: the durable handles, connected or not. */
void
stated_durable_ctl_list(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_durable_list_reply rep;
	struct stated_durable *d;
	struct timespec now;
	st_durable_desc *v;
	size_t n = 0, bytes = 0;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		fatal("clock_gettime");
	memset(&rep, 0, sizeof(rep));
	if ((v = calloc(env->ndurables ? env->ndurables : 1,
	    sizeof(*v))) == NULL) {
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM, NULL);
		return;
	}
	TAILQ_FOREACH(d, &env->durables, entry) {
		bytes += 128 + strlen(d->open.user) + strlen(d->open.path);
		if (bytes > IPC_BODY_MAX / 2) {
			rep.truncated = 1;
			break;
		}
		v[n].id = d->open.id;
		v[n].dh_version = d->open.dh_version;
		v[n].file = d->open.file;
		v[n].user = d->open.user;
		v[n].path = d->open.path;
		v[n].oplock = d->open.oplock;
		v[n].timeout_ms = d->open.timeout_ms;
		v[n].disconnected = d->connected ? -1 :
		    (int64_t)(now.tv_sec - d->since.tv_sec);
		v[n].front_end = d->fe_name;
		n++;
	}
	rep.opens.opens_len = (u_int)n;
	rep.opens.opens_val = v;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_DURABLE_LIST_REPLY, -1,
	    (xdrproc_t)xdr_st_durable_list_reply, &rep);
	free(v);
}

/* For dittofsctl status stated. */
void
stated_durable_status(struct stated_env *env, char *buf, size_t len)
{
	struct stated_durable *d;
	size_t waiting = 0;

	TAILQ_FOREACH(d, &env->durables, entry)
		if (!d->connected)
			waiting++;
	snprintf(buf, len, "SMB durable handles: %zu, %zu waiting for their "
	    "client, %llu released unclaimed", env->ndurables, waiting,
	    (unsigned long long)env->durable_scavenged);
}
