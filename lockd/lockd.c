/*
 * dittofs-lockd main.  With privileges it binds its TCP and UDP ports,
 * a reserved port for callbacks, and registers NLM v1, v3 and v4 with
 * rpcbind; then it chroots to the run directory (it reaches stated.sock
 * and blockd.sock there), drops everything, and serves.
 */
#define _GNU_SOURCE
#include <sys/utsname.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lockd.h"
#include "log.h"
#include "rpcbind.h"

static const struct rpcsvc_program *const nlm_programs[] = {
	&nlm_program, NULL
};

/* Beyond sandbox.c's base: nothing; sockets are already there. */
static const char *const lockd_syscalls[] = {
	NULL
};

/* blockd tells front ends of changes to files they hold; lockd holds none. */
static void
lockd_blockd_message(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	if (msg->fd != -1)
		close(msg->fd);
}

static void
lockd_pre_init(struct daemon *d)
{
	struct lockd_env *env = d->env;
	const char *addr = daemon_section_get(d, "address");
	int port = (int)conf_get_int(d->conf, "lockd", "port");
	struct utsname u;
	char err[512];

	env->daemon = d;
	/* Host names and netgroups resolve here, before the chroot. */
	if (lockd_shares_load(env, d->conf, err, sizeof(err)) == -1)
		fatalx("%s", err);
	TAILQ_INIT(&env->blocks);
	hosts_init(&env->hosts, LOCKD_MONITOR_MAX);
	if (uname(&u) == 0)
		snprintf(env->hostname, sizeof(env->hostname), "%s",
		    u.nodename);
	else
		snprintf(env->hostname, sizeof(env->hostname), "dittofs");
	if (rpcsvc_bind_sockets(addr, port, &env->tcp_fd, &env->udp_fd) == -1)
		fatal("NLM on %s port %d", addr, port);
	env->port = rpcsvc_socket_port(env->tcp_fd);
	if ((env->callback_fd = rpcclnt_socket(
	    sandbox_may_bind_reserved())) == -1)
		fatal("callback socket");
	if (conf_get_bool(d->conf, "lockd", "rpcbind") &&
	    (env->rpcbind = rpcsvc_register(d, NLM_PROG, NLM_VERS, NLM4_VERS,
	    env->port, rpcsvc_socket_port(env->udp_fd))) != NULL)
		log_info("registered NLM v1, v3, v4 with rpcbind, port %d",
		    env->port);
	log_info("NLM on %s port %d (TCP and UDP)", addr, env->port);
}

static void
lockd_post_init(struct daemon *d)
{
	struct lockd_env *env = d->env;
	char stated[PATH_MAX + 32], blockd[PATH_MAX + 32];
	const char *dir = d->sandbox.chroot[0] ? "" : d->run_dir;

	snprintf(stated, sizeof(stated), "%s/stated.sock", dir);
	snprintf(blockd, sizeof(blockd), "%s/blockd.sock", dir);
	env->stated = ipc_client_new(d->base, stated, IPC_ROLE_LOCKD,
	    "lockd", 0, nlm_stated_message, env);
	env->blockd = ipc_client_new(d->base, blockd, IPC_ROLE_LOCKD,
	    "lockd", 0, lockd_blockd_message, env);
	if (env->stated == NULL || env->blockd == NULL)
		fatalx("IPC clients");
	ipc_client_expect_uid(env->stated, daemon_role_uid(d, IPC_ROLE_STATED));
	ipc_client_expect_uid(env->blockd, daemon_role_uid(d, IPC_ROLE_BLOCKD));
	ipc_client_set_callbacks(env->stated, nlm_stated_ready, NULL);
	ipc_client_set_callbacks(env->blockd, lockd_shares_blockd_ready, NULL);
	ipc_client_start(env->stated);
	ipc_client_start(env->blockd);
	env->callbacks = rpcclnt_new(d->base, env->callback_fd);
	env->svc = rpcsvc_new(d->base, nlm_programs, env);
	if (env->callbacks == NULL || env->svc == NULL ||
	    rpcsvc_configure(env->svc, d->conf, "lockd") == -1 ||
	    rpcsvc_listen(env->svc, env->tcp_fd, env->udp_fd) == -1)
		fatalx("NLM service");
}

static void
lockd_reload(struct daemon *d)
{
	struct lockd_env *env = d->env;
	char err[512];

	/* The connection limits, as nfsd applies its own at a reload. */
	if (env->svc != NULL && rpcsvc_configure(env->svc, d->conf,
	    "lockd") == -1)
		log_warnx("reload: the connection limits are not applied");
	if (lockd_shares_load(env, d->conf, err, sizeof(err)) == -1) {
		log_warnx("reload: shares kept as they were: %s", err);
		return;
	}
	lockd_shares_refresh(env);
}

static void
lockd_stop(struct daemon *d)
{
	struct lockd_env *env = d->env;

	/* At a clean stop; a restart registers again. */
	rpcbind_close(env->rpcbind, "NLM");
	env->rpcbind = NULL;
	rpcsvc_free(env->svc);
	env->svc = NULL;
	/* Pending callbacks end first: they point at blocked requests. */
	rpcclnt_free(env->callbacks);
	env->callbacks = NULL;
	nlm_blocks_free(env);
	ipc_client_free(env->stated);
	ipc_client_free(env->blockd);
	env->stated = env->blockd = NULL;
	hosts_clear(&env->hosts);
	if (env->hosts_timer != NULL)
		event_free(env->hosts_timer);
	env->hosts_timer = NULL;
	lockd_shares_clear(env);
}

static void
lockd_status(struct daemon *d, char *buf, size_t len)
{
	struct lockd_env *env = d->env;
	struct rpcsvc_stats st = { 0 };

	if (env->svc != NULL)
		rpcsvc_stats_get(env->svc, &st);
	snprintf(buf, len, "NLM port %d; stated %s, blockd %s; %llu calls, "
	    "%llu malformed; %zu blocked request(s); %llu GRANTED callbacks; "
	    "%zu host(s) monitored, %llu SM_UNMON, %llu refused at the cap",
	    env->port, env->stated && ipc_client_ready(env->stated) ?
	    "connected" : "not connected", env->blockd &&
	    ipc_client_ready(env->blockd) ? "connected" : "not connected",
	    (unsigned long long)st.calls, (unsigned long long)st.garbage,
	    env->nblocks, (unsigned long long)env->granted_callbacks,
	    hosts_monitored(&env->hosts),
	    (unsigned long long)env->unmonitored,
	    (unsigned long long)env->hosts_refused);
}

static const struct daemon_def lockd_def = {
	.name = "lockd",
	.role = IPC_ROLE_LOCKD,
	.chroot = DAEMON_CHROOT_RUN,
	.syscalls = lockd_syscalls,
	.socket_families = SANDBOX_AF_NETWORK,
	.pre_init = lockd_pre_init,
	.post_init = lockd_post_init,
	.reload = lockd_reload,
	.stop = lockd_stop,
	.status = lockd_status,
};

int
main(int argc, char *argv[])
{
	struct lockd_env env;

	memset(&env, 0, sizeof(env));
	env.tcp_fd = env.udp_fd = env.callback_fd = -1;
	return daemon_main(argc, argv, &lockd_def, &env);
}
