/*
 * dittofs-statd: NSM v1 (X/Open XNFS chapter 11).  It keeps the NSM
 * state number and the monitor list (monitor.c) in its own state
 * directory, bumps the state number at every start and sends SM_NOTIFY
 * to every monitored host, so that clients reclaim; an SM_NOTIFY from a
 * client that rebooted makes stated release that host's NLM locks.  It
 * also watches stated's epoch: after a stated restart the locks are
 * gone, so it bumps its state and notifies the clients to reclaim.
 *
 * Who may release a host's locks: an SM_NOTIFY counts only for a name
 * statd monitors at the address the SM_NOTIFY comes from (lockd gave
 * that address in SM_MON's priv), and it releases only the locks that
 * name holds from that address (lockd keys NLM hosts by name and
 * address).  A third host can free nothing of another's.
 *
 * Sandbox: chroot to the run directory, where stated.sock is, so that
 * statd reconnects after a stated restart.  Its state is two fixed
 * files (monitor.h), opened before the chroot and kept as plain file
 * descriptors: statd holds no directory descriptor, and its seccomp
 * list has no open(2), openat(2) or rename(2) at all.
 */
#define _GNU_SOURCE
#include <sys/utsname.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "rpcbind.h"
#include "statd.h"
#include "stated_client.h"
#include "util.h"

/* Beyond sandbox.c's base: rewriting a state slot in place. */
static const char *const statd_syscalls[] = {
	"ftruncate", "fdatasync",
	NULL
};

static void
statd_mon_log(const char *msg)
{
	log_warnx_rl("%s", msg);
}

/* stated's answer to ST_GRACE_INFO: has it restarted since? */
static void
statd_epoch_reply(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct statd_env *env = arg;
	struct st_grace_reply gr;

	if (msg == NULL)
		return;
	memset(&gr, 0, sizeof(gr));
	if (msg->hdr.type != ST_GRACE_REPLY ||
	    ipc_decode(msg, (xdrproc_t)xdr_st_grace_reply, &gr) == -1) {
		log_warnx("stated: unexpected reply to ST_GRACE_INFO");
		return;
	}
	if (env->mon.stated_epoch != gr.epoch) {
		uint64_t old = env->mon.stated_epoch;

		env->mon.stated_epoch = gr.epoch;
		/* A stated restart lost the locks: clients must reclaim. */
		if (old != 0 && gr.in_grace)
			statd_bump(env, "stated restarted");
		else
			statd_save(env);
	}
	xdr_free((xdrproc_t)xdr_st_grace_reply, &gr);
}

static void
statd_stated_ready(struct ipc_client *cl, void *arg)
{
	struct statd_env *env = arg;

	ipc_call(ipc_client_channel(cl), ST_GRACE_INFO, -1, NULL, NULL,
	    statd_epoch_reply, env);
}

static void
statd_stated_message(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	if (msg->fd != -1)
		close(msg->fd);
	log_warnx("stated sent message type %u", msg->hdr.type);
}

/*
 * Before the sandbox: open the two state slots (kept as file
 * descriptors), load the newer valid one, and migrate the one-file
 * format of earlier versions if that is all there is.
 */
static void
statd_state_open(struct statd_env *env, const char *dir)
{
	char path[PATH_MAX];
	int rc;

	if (monitor_store_open(&env->store, dir) == -1)
		fatal("%s: state files", dir);
	if ((rc = monitor_store_load(&env->store, &env->mon)) == -1)
		fatal("%s: loading the monitor list", dir);
	snprintf(path, sizeof(path), "%s/%s", dir, MONITOR_LEGACY_FILE);
	if (rc == 1 || monitor_load_legacy(path, &env->mon) != 1)
		return;
	if (monitor_store_save(&env->store, &env->mon) == -1)
		fatal("%s: migrating the monitor list", dir);
	if (unlink(path) == -1)
		log_warn("%s", path);
	snprintf(path, sizeof(path), "%s/%s.tmp", dir, MONITOR_LEGACY_FILE);
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("%s", path);
	log_info("state %d and %zu monitored host(s) migrated to %s and %s",
	    env->mon.state, env->mon.n, MONITOR_SLOT_A, MONITOR_SLOT_B);
}

static void
statd_pre_init(struct daemon *d)
{
	struct statd_env *env = d->env;
	const char *addr = daemon_section_get(d, "address");
	const char *name = daemon_section_get(d, "name");
	int port = (int)conf_get_int(d->conf, "statd", "port");
	struct utsname u;

	env->daemon = d;
	env->mon.log = statd_mon_log;
	if (name != NULL)
		snprintf(env->name, sizeof(env->name), "%s", name);
	else if (uname(&u) == 0)
		snprintf(env->name, sizeof(env->name), "%s", u.nodename);
	else
		snprintf(env->name, sizeof(env->name), "dittofs");
	statd_state_open(env, d->state_dir);
	if (rpcsvc_bind_sockets(addr, port, &env->tcp_fd, &env->udp_fd) == -1)
		fatal("NSM on %s port %d", addr, port);
	env->port = rpcsvc_socket_port(env->tcp_fd);
	if ((env->call_fd = rpcclnt_socket(sandbox_may_bind_reserved())) == -1)
		fatal("call socket");
	if (conf_get_bool(d->conf, "statd", "rpcbind") &&
	    (env->rpcbind = rpcsvc_register(d, SM_PROG, SM_VERS, SM_VERS,
	    env->port, rpcsvc_socket_port(env->udp_fd))) != NULL)
		log_info("registered NSM v1 with rpcbind, port %d", env->port);
}

static void
statd_post_init(struct daemon *d)
{
	struct statd_env *env = d->env;
	char stated[PATH_MAX + 32];

	env->calls = rpcclnt_new(d->base, env->call_fd);
	env->svc = rpcsvc_new(d->base, statd_sm_programs, env);
	if (env->calls == NULL || env->svc == NULL ||
	    rpcsvc_configure(env->svc, d->conf, "statd") == -1 ||
	    rpcsvc_listen(env->svc, env->tcp_fd, env->udp_fd) == -1)
		fatalx("NSM service");
	snprintf(stated, sizeof(stated), "%s/stated.sock",
	    d->sandbox.chroot[0] ? "" : d->run_dir);
	env->stated = ipc_client_new(d->base, stated, IPC_ROLE_STATD, "statd",
	    0, statd_stated_message, env);
	if (env->stated == NULL)
		fatalx("IPC client");
	ipc_client_expect_uid(env->stated, daemon_role_uid(d, IPC_ROLE_STATED));
	ipc_client_set_callbacks(env->stated, statd_stated_ready, NULL);
	ipc_client_start(env->stated);
	/* A start is a reboot for our clients: they must reclaim. */
	statd_bump(env, "started");
}

/* dittofsctl reload (or SIGHUP): the connection limits of [statd]. */
static void
statd_reload(struct daemon *d)
{
	struct statd_env *env = d->env;

	if (env->svc != NULL && rpcsvc_configure(env->svc, d->conf,
	    "statd") == -1)
		log_warnx("reload: the connection limits are not applied");
}

static void
statd_stop(struct daemon *d)
{
	struct statd_env *env = d->env;

	/* At a clean stop; a restart registers again. */
	rpcbind_close(env->rpcbind, "NSM");
	env->rpcbind = NULL;
	rpcsvc_free(env->svc);
	rpcclnt_free(env->calls);
	ipc_client_free(env->stated);
	env->svc = NULL;
	env->calls = NULL;
	env->stated = NULL;
	monitor_clear(&env->mon);
	monitor_store_close(&env->store);
}

static void
statd_status(struct daemon *d, char *buf, size_t len)
{
	struct statd_env *env = d->env;

	snprintf(buf, len, "NSM port %d, name %s, state %d; %zu monitored; "
	    "stated %s; %llu SM_NOTIFY in (%llu ignored), %llu out",
	    env->port, env->name,
	    env->mon.state, env->mon.n, env->stated &&
	    ipc_client_ready(env->stated) ? "connected" : "not connected",
	    (unsigned long long)env->notifies_in,
	    (unsigned long long)env->notifies_ignored,
	    (unsigned long long)env->notifies_out);
}

static const struct daemon_def statd_def = {
	.name = "statd",
	.role = IPC_ROLE_STATD,
	.chroot = DAEMON_CHROOT_RUN,
	.syscalls = statd_syscalls,
	.socket_families = SANDBOX_AF_NETWORK,
	.pre_init = statd_pre_init,
	.post_init = statd_post_init,
	.reload = statd_reload,
	.stop = statd_stop,
	.status = statd_status,
};

int
main(int argc, char *argv[])
{
	struct statd_env env;

	memset(&env, 0, sizeof(env));
	env.tcp_fd = env.udp_fd = env.call_fd = -1;
	env.store.fd[0] = env.store.fd[1] = -1;
	return daemon_main(argc, argv, &statd_def, &env);
}
