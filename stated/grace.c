/*
 * dittofs-stated: the grace period and the client records behind it
 * (common/stated_client.x; the records themselves are clients.c's).
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
 * Whether stated is in grace has one record, the lock table's flag: it
 * holds waiters back and refuses new locks in grace.  This file sets it
 * when grace starts and ends, and everyone else reads it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "stated.h"

/*
 * Whether stated is in grace: the lock table's flag is the one record
 * of it (it holds waiters back and refuses new locks in grace); the
 * daemon only reads it, and sets it when grace starts and ends.
 */
int
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
void
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
int
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
int
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
int
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

void
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

void
stated_ctl_grace_end(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	int was = stated_in_grace(env);

	stated_grace_end(env, "ended by dittofsctl");
	stated_reply_status(peer, msg, was ? ST_OK : ST_NO_GRACE);
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
	if (env->v4 != NULL) {
		stated_v4_sweep(env);
		v4_state_mark_records(env->v4);
	}
	if (env->sessions != NULL)
		stated_session_sweep(env);
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

/*
 * At start: the clients that may reclaim, the timers, and the grace
 * period if anyone may reclaim and "grace period" is not 0.
 */
void
stated_grace_init(struct stated_env *env, struct event_base *base,
    long long grace)
{
	struct stated_client *cl;
	struct timeval tv = { STATED_SWEEP_SECONDS, 0 };
	size_t i;

	for (i = 0; (cl = clients_at(env->clients, i)) != NULL; i++)
		if (cl->reclaimable)
			env->grace_pending++;
	log_info("epoch %llu; %zu client record(s), %u may reclaim",
	    (unsigned long long)clients_epoch(env->clients),
	    clients_count(env->clients), env->grace_pending);
	env->ev_grace = evtimer_new(base, stated_grace_timer_cb, env);
	env->ev_sweep = event_new(base, -1, EV_PERSIST, stated_sweep_cb,
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
