/*
 * dittofs-statd's NSM service (X/Open XNFS chapter 11): the SM
 * procedures, one handler each, the monitor list they keep, and
 * SM_NOTIFY to the monitored hosts.  See statd.c for who may release
 * whose locks.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "statd.h"
#include "stated_lock.h"
#include "util.h"

void
statd_save(struct statd_env *env)
{
	if (monitor_store_save(&env->store, &env->mon) == -1)
		log_warn("saving the monitor list");
}

static void
statd_notify_sent(void *arg, int status, XDR *xdrs)
{
	char *host = arg;

	if (status != 0)
		log_info("SM_NOTIFY to %s: %s", host, strerror(-status));
	else
		log_debug("SM_NOTIFY to %s delivered", host);
	free(host);
}

/* Tell every monitored host our new state (XNFS: SM_NOTIFY). */
static void
statd_notify_all(struct statd_env *env, const char *why)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	static const uint8_t zero[16];
	struct stat_chge sc;
	socklen_t len;
	size_t i, j, n = 0;
	char *host;

	sc.mon_name = env->name;
	sc.state = env->mon.state;
	for (i = 0; i < env->mon.n; i++) {
		const struct monitor_entry *e = &env->mon.v[i];

		/* One SM_NOTIFY per host and address (several my_ids). */
		for (j = 0; j < i; j++)
			if (strcmp(env->mon.v[j].mon_name, e->mon_name) == 0 &&
			    memcmp(env->mon.v[j].priv, e->priv,
			    MONITOR_PRIV_SIZE) == 0)
				break;
		if (j < i)
			continue;
		memset(&ss, 0, sizeof(ss));
		if (memcmp(e->priv, mapped, 12) == 0) {
			sin->sin_family = AF_INET;
			memcpy(&sin->sin_addr, e->priv + 12, 4);
			len = sizeof(*sin);
		} else if (memcmp(e->priv, zero, 16) != 0) {
			sin6->sin6_family = AF_INET6;
			memcpy(&sin6->sin6_addr, e->priv, 16);
			len = sizeof(*sin6);
		} else if (util_sockaddr_parse(e->mon_name, 0, &ss, &len) ==
		    -1) {
			/* No address and no resolver in the chroot. */
			log_info("SM_NOTIFY: no address for %s", e->mon_name);
			continue;
		}
		if ((host = strdup(e->mon_name)) == NULL)
			continue;
		if (rpcclnt_call(env->calls, (struct sockaddr *)&ss, len,
		    SM_PROG, SM_VERS, SM_PROC_NOTIFY, (xdrproc_t)xdr_stat_chge,
		    &sc, 5, statd_notify_sent, host) == -1) {
			free(host);
			continue;
		}
		n++;
		env->notifies_out++;
	}
	log_info("state %d (%s): SM_NOTIFY sent to %zu host(s)",
	    env->mon.state, why, n);
}

void
statd_bump(struct statd_env *env, const char *why)
{
	env->mon.state = monitor_next_state(env->mon.state);
	statd_save(env);
	statd_notify_all(env, why);
}

static void
statd_release_reply(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	char *host = arg;
	struct st_reply rep;

	memset(&rep, 0, sizeof(rep));
	if (msg != NULL && msg->hdr.type == ST_REPLY &&
	    ipc_decode(msg, (xdrproc_t)xdr_st_reply, &rep) == 0) {
		log_info_rl("%s rebooted: %llu lock(s) and share(s) released",
		    host, (unsigned long long)rep.count);
		xdr_free((xdrproc_t)xdr_st_reply, &rep);
	} else
		log_warnx_rl("%s rebooted: stated did not release its locks",
		    host);
	free(host);
}

/* host: lockd's host key, "name@address" (lockd/nlm.c, nlm_host_key). */
static void
statd_release(struct statd_env *env, const char *host)
{
	struct ipc_channel *ch = env->stated != NULL ?
	    ipc_client_channel(env->stated) : NULL;
	struct st_host_req req;
	char *copy;

	if (ch == NULL) {
		log_warnx_rl("%s rebooted, but stated is not connected", host);
		return;
	}
	if ((copy = strdup(host)) == NULL)
		return;
	memset(&req, 0, sizeof(req));
	req.protocol = ST_PROTOCOL_NLM;
	req.host = (char *)host;
	req.flags = ST_HOST_REBOOTED;
	if (ipc_call(ch, ST_RELEASE_HOST, -1, (xdrproc_t)xdr_st_host_req,
	    &req, statd_release_reply, copy) == -1)
		free(copy);
}

static int
statd_local(struct rpcsvc_call *call, const char *what)
{
	if (call->peer_loopback)
		return 1;
	log_warnx_rl("%s from %s refused: only local callers may", what,
	    call->peer_addr);
	return 0;
}

/* The sender's address as SM_MON's priv holds it (IPv4 mapped). */
static void
statd_priv_of(const struct rpcsvc_call *call, uint8_t *priv)
{
	memset(priv, 0, MONITOR_PRIV_SIZE);
	if (call->peer.ss_family == AF_INET) {
		priv[10] = priv[11] = 0xff;
		memcpy(priv + 12, &((const struct sockaddr_in *)
		    &call->peer)->sin_addr, 4);
	} else if (call->peer.ss_family == AF_INET6)
		memcpy(priv, &((const struct sockaddr_in6 *)
		    &call->peer)->sin6_addr, 16);
}

/*
 * XNFS 11: SM_NOTIFY, a monitored host rebooted.  Only for a name we
 * monitor at the sender's address: many clients may share an address
 * (NAT, slirp), so the address alone names no host, and anyone may
 * claim a name, so the name alone proves nothing.
 */
static void
statd_notified(struct statd_env *env, struct rpcsvc_call *call,
    const struct stat_chge *c)
{
	uint8_t priv[MONITOR_PRIV_SIZE];
	char *key;

	env->notifies_in++;
	statd_priv_of(call, priv);
	if (c->mon_name[0] != '\0' &&
	    monitor_find(&env->mon, c->mon_name, priv) != NULL) {
		log_info_rl("SM_NOTIFY from %s: %s has state %d",
		    call->peer_addr, c->mon_name, c->state);
		if (asprintf(&key, "%s@%s", c->mon_name, call->peer_addr) ==
		    -1) {
			log_warn("SM_NOTIFY");
			return;
		}
		statd_release(env, key);
		free(key);
		return;
	}
	/* Anyone can send these: the limiter says how many it held back. */
	env->notifies_ignored++;
	log_warnx_rl("SM_NOTIFY from %s for %.64s ignored: not monitored at "
	    "that address", call->peer_addr, c->mon_name);
}

/* NSM calls are small. */
#define SM_RECORD_MAX	(64 * 1024)

/* XNFS 11: the SM procedures, one handler each. */
static void
statd_proc_null(struct rpcsvc_call *call, void *args, void *arg)
{
	(void)args;
	(void)arg;
	rpcsvc_reply(call, NULL);
}

static void
statd_proc_stat(struct rpcsvc_call *call, void *args, void *arg)
{
	struct statd_env *env = arg;
	struct sm_stat_res res;

	(void)args;
	memset(&res, 0, sizeof(res));
	res.res_stat = stat_succ;
	res.state = env->mon.state;
	rpcsvc_reply(call, &res);
}

static void
statd_proc_mon(struct rpcsvc_call *call, void *args, void *arg)
{
	struct statd_env *env = arg;
	struct mon *m = args;
	struct sm_stat_res res;

	memset(&res, 0, sizeof(res));
	res.state = env->mon.state;
	res.res_stat = stat_fail;
	if (statd_local(call, "SM_MON") &&
	    monitor_add(&env->mon, m->mon_id.mon_name,
	    m->mon_id.my_id.my_name, m->mon_id.my_id.my_prog,
	    m->mon_id.my_id.my_vers, m->mon_id.my_id.my_proc,
	    (const uint8_t *)m->priv) == 0) {
		res.res_stat = stat_succ;
		statd_save(env);
		log_debug("monitoring %s", m->mon_id.mon_name);
	}
	rpcsvc_reply(call, &res);
}

static void
statd_proc_unmon(struct rpcsvc_call *call, void *args, void *arg)
{
	struct statd_env *env = arg;
	struct mon_id *id = args;
	struct sm_stat st;

	if (statd_local(call, "SM_UNMON") &&
	    monitor_remove(&env->mon, id->mon_name, id->my_id.my_name,
	    id->my_id.my_prog, id->my_id.my_vers, id->my_id.my_proc) > 0)
		statd_save(env);
	st.state = env->mon.state;
	rpcsvc_reply(call, &st);
}

static void
statd_proc_unmon_all(struct rpcsvc_call *call, void *args, void *arg)
{
	struct statd_env *env = arg;
	struct my_id *id = args;
	struct sm_stat st;

	if (statd_local(call, "SM_UNMON_ALL") &&
	    monitor_remove(&env->mon, NULL, id->my_name, id->my_prog,
	    id->my_vers, id->my_proc) > 0)
		statd_save(env);
	st.state = env->mon.state;
	rpcsvc_reply(call, &st);
}

static void
statd_proc_simu_crash(struct rpcsvc_call *call, void *args, void *arg)
{
	struct statd_env *env = arg;

	(void)args;
	if (statd_local(call, "SM_SIMU_CRASH"))
		statd_bump(env, "SM_SIMU_CRASH");
	rpcsvc_reply(call, NULL);
}

static void
statd_proc_notify(struct rpcsvc_call *call, void *args, void *arg)
{
	statd_notified(arg, call, args);
	rpcsvc_reply(call, NULL);
}

static const struct rpcsvc_proc sm_procs[] = {
	[SM_PROC_NULL] = { "NULL", NULL, 0, NULL, statd_proc_null,
	    RPCSVC_CACHE_NONE },
	[SM_PROC_STAT] = { "STAT", (xdrproc_t)xdr_sm_name,
	    sizeof(struct sm_name), (xdrproc_t)xdr_sm_stat_res,
	    statd_proc_stat, RPCSVC_CACHE_NONE },
	[SM_PROC_MON] = { "MON", (xdrproc_t)xdr_mon, sizeof(struct mon),
	    (xdrproc_t)xdr_sm_stat_res, statd_proc_mon, RPCSVC_CACHE_NONE },
	[SM_PROC_UNMON] = { "UNMON", (xdrproc_t)xdr_mon_id,
	    sizeof(struct mon_id), (xdrproc_t)xdr_sm_stat, statd_proc_unmon,
	    RPCSVC_CACHE_NONE },
	[SM_PROC_UNMON_ALL] = { "UNMON_ALL", (xdrproc_t)xdr_my_id,
	    sizeof(struct my_id), (xdrproc_t)xdr_sm_stat,
	    statd_proc_unmon_all, RPCSVC_CACHE_NONE },
	[SM_PROC_SIMU_CRASH] = { "SIMU_CRASH", NULL, 0, NULL,
	    statd_proc_simu_crash, RPCSVC_CACHE_NONE },
	[SM_PROC_NOTIFY] = { "NOTIFY", (xdrproc_t)xdr_stat_chge,
	    sizeof(struct stat_chge), NULL, statd_proc_notify,
	    RPCSVC_CACHE_NONE },
};

static const struct rpcsvc_version sm_versions[] = {
	{ SM_VERS, sm_procs, sizeof(sm_procs) / sizeof(sm_procs[0]) },
};

static const struct rpcsvc_program sm_program = {
	.name = "NSM",
	.prog = SM_PROG,
	.vers_min = SM_VERS,
	.vers_max = SM_VERS,
	.record_max = SM_RECORD_MAX,
	.versions = sm_versions,
	.nversions = 1,
};

const struct rpcsvc_program *const statd_sm_programs[] = {
	&sm_program, NULL
};

