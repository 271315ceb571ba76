/*
 * dittofs-blockd main.  It opens the store inside its chroot (the data
 * directory), creates the root of every configured share, and serves the
 * front ends.  Group commit: handlers commit their transactions without
 * a log flush; at the end of each dispatch batch one store_sync() makes
 * them all durable, and only then do the batch's replies leave.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockd.h"
#include "daemon.h"
#include "log.h"

/* Its chroot is the data directory: Berkeley DB plus backing files. */
static const char *const blockd_syscalls[] = {
	"openat", "open", "unlinkat", "unlink", "renameat", "renameat2",
	"rename", "mkdirat", "mkdir", "rmdir", "linkat", "symlinkat",
	"readlinkat", "ftruncate", "truncate", "fallocate", "fsync",
	"fdatasync", "sync_file_range", "getdents64", "flock", "access",
	"faccessat", "faccessat2", "readlink", "stat", "lstat", "statfs",
	"fchmod", "utimensat", "futimesat", "copy_file_range",
	"fgetxattr", "fsetxattr", "flistxattr", "fremovexattr", "pread64",
	"pwrite64", "sendfile", "splice", "getcwd", "chdir", "fchdir",
	NULL
};

static void	blockd_trim_retry_later(struct blockd_env *);

static void
blockd_store_log(void *arg, const char *msg)
{
	log_warnx("store: %s", msg);
}

static void
blockd_batch_end(struct ipc_channel *ch, void *arg)
{
	struct daemon *d = arg;
	struct blockd_env *env = d->env;
	int rc;

	/* The store knows what it committed or created: one truth. */
	if (!store_needs_sync(env->store))
		return;
	env->syncs++;
	/*
	 * The replies queued in this batch promise durability.  If the log
	 * cannot be flushed none of them may leave: stop, and let recovery
	 * and the clients' retransmissions sort it out.
	 */
	if ((rc = store_sync_log(env->store)) < 0) {
		errno = -rc;
		fatal("store_sync");
	}
}

/* The batch's replies are out: unlink what is durably gone. */
static void
blockd_batch_done(struct ipc_channel *ch, void *arg)
{
	struct daemon *d = arg;
	struct blockd_env *env = d->env;
	size_t ready;
	uint64_t used;
	int rc;

	if ((rc = store_sync_after(env->store)) < 0)
		log_warnx("store: after sync: %s", strerror(-rc));
	blockd_trim_later(env);
	/*
	 * A batch that took a spare backed a file that its front end now
	 * writes and syncs (NFS: the WRITE that sent OPEN_IO).  A host
	 * create in the next idle turn would hold this CPU in the kernel
	 * while that sync waits for it: the refill waits for a batch that
	 * took none (the client's next CREATE, say).
	 */
	store_spare_stats(env->store, &ready, &used);
	if (used != env->spares_used_seen) {
		env->spares_used_seen = used;
		if (env->spare_queued) {
			event_del(env->ev_spare);
			env->spare_queued = 0;
		}
		return;
	}
	blockd_spare_later(env);
}

/*
 * Spare backing files (store.h): making one is a host create, 200-500 us
 * of kernel time here, which a file's first WRITE would otherwise wait
 * for.  One is made per loop turn with nothing else to do, until the
 * pool is full; a batch that used none queues the refill.
 */
static void
blockd_spare_cb(evutil_socket_t fd, short what, void *arg)
{
	struct blockd_env *env = arg;
	int rc;

	env->spare_queued = 0;
	/*
	 * The turn's replies may have woken their front ends on this CPU:
	 * they go first, for a host create is kernel time that nothing
	 * preempts.
	 */
	(void)sched_yield();
	if ((rc = store_spare_make(env->store)) < 0) {
		/* A full disk would fail every turn: try again later. */
		log_warnx("spare backing file: %s; next try in %d s",
		    strerror(-rc), BLOCKD_SPARE_RETRY_SECONDS);
		env->spare_retry_us = daemon_usec() +
		    (uint64_t)BLOCKD_SPARE_RETRY_SECONDS * 1000000;
		return;
	}
	if (rc > 0)
		blockd_spare_later(env);
}

/*
 * Big backing files of removed inodes (store.h, STORE_TRIM_STEP): one
 * step per loop turn with nothing else to do, so that a client's request
 * waits for one step at most, not for the whole file's blocks.
 */
static void
blockd_trim_cb(evutil_socket_t fd, short what, void *arg)
{
	struct blockd_env *env = arg;

	env->trim_queued = 0;
	if (store_trim_step(env->store) > 0)
		blockd_trim_later(env);
	else
		blockd_trim_retry_later(env);
}

/* Held backing files (store.h store_trim_retry): a look per second. */
static void
blockd_trim_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct blockd_env *env = arg;

	if (store_trim_retry(env->store) > 0)
		blockd_trim_later(env);
}

static void
blockd_trim_retry_later(struct blockd_env *env)
{
	struct timeval tv = { BLOCKD_TRIM_RETRY_SECONDS, 0 };

	if (env->ev_trim_retry == NULL ||
	    store_trim_held(env->store) == 0 ||
	    evtimer_pending(env->ev_trim_retry, NULL))
		return;
	if (evtimer_add(env->ev_trim_retry, &tv) == -1)
		log_warnx("trim retry timer");
}

void
blockd_trim_later(struct blockd_env *env)
{
	size_t queued;
	uint64_t steps;

	if (env->ev_trim == NULL || env->trim_queued)
		return;
	store_trim_stats(env->store, &queued, &steps);
	if (queued == 0)
		return;
	env->trim_queued = 1;
	event_active(env->ev_trim, EV_TIMEOUT, 1);
}

void
blockd_spare_later(struct blockd_env *env)
{
	size_t ready;
	uint64_t used;

	if (env->ev_spare == NULL || env->spare_queued)
		return;
	if (env->spare_retry_us != 0) {
		if (daemon_usec() < env->spare_retry_us)
			return;
		env->spare_retry_us = 0;
	}
	store_spare_stats(env->store, &ready, &used);
	if (ready == STORE_SPARES_MAX)
		return;
	env->spare_queued = 1;
	event_active(env->ev_spare, EV_TIMEOUT, 1);
}

static void
blockd_pre_init(struct daemon *d)
{
	struct blockd_env *env = d->env;

	env->daemon = d;
	daemon_allow_peer(d, IPC_ROLE_NFSD, 0);
	daemon_allow_peer(d, IPC_ROLE_SMBD, 0);
	daemon_allow_peer(d, IPC_ROLE_LOCKD, 0);
	daemon_serve(d, "blockd.sock", blockd_handlers, blockd_nhandlers);
	ipc_server_set_peer_callbacks(d->service, blockd_peer_hello,
	    blockd_peer_gone);
	ipc_server_set_batch_end(d->service, blockd_batch_end);
	ipc_server_set_batch_done(d->service, blockd_batch_done);
}

static void
blockd_checkpoint_cb(evutil_socket_t fd, short what, void *arg)
{
	struct blockd_env *env = arg;
	int rc;

	if ((rc = store_checkpoint(env->store)) < 0)
		log_warnx("checkpoint: %s", strerror(-rc));
}

const struct blockd_share *
blockd_share_by_id(const struct blockd_env *env, uint32_t id)
{
	size_t i;

	for (i = 0; i < env->nshares; i++)
		if (env->shares[i].id == id)
			return &env->shares[i];
	return NULL;
}

const struct blockd_share *
blockd_share_by_name(const struct blockd_env *env, const char *name)
{
	size_t i;

	for (i = 0; i < env->nshares; i++)
		if (strcmp(env->shares[i].name, name) == 0)
			return &env->shares[i];
	return NULL;
}

/*
 * Every [share NAME] gets its root now, so front ends find it, and its
 * rules: the configuration is the only place shares come from.
 */
static void
blockd_make_shares(struct daemon *d)
{
	struct blockd_env *env = d->env;
	const struct conf_section *s = NULL;
	struct blockd_share *shares = NULL, *sh, *grown;
	struct store_fh fh;
	struct store_attr attr;
	unsigned int want, have;
	size_t n = 0;
	int rc;

	while ((s = conf_next_section(d->conf, "share", s)) != NULL) {
		want = conf_section_get_bool(s, "share", "case insensitive") ?
		    STORE_SHARE_CASELESS : 0;
		rc = store_share_open(env->store, s->name, 1, want, &have,
		    &fh, &attr);
		if (rc < 0)
			fatalx("share %s: %s", s->name, strerror(-rc));
		/* Decided when the share was made: its names depend on it. */
		if (want != have)
			log_warnx("share %s: \"case insensitive = %s\" ignored: "
			    "the share was made case-%s and stays so",
			    s->name, want ? "yes" : "no",
			    have ? "insensitive" : "sensitive");
		if (strlen(s->name) > BD_NAME_MAX)
			fatalx("share %s: name too long", s->name);
		if ((grown = reallocarray(shares, n + 1,
		    sizeof(*shares))) == NULL)
			fatal("shares");
		shares = grown;
		sh = &shares[n++];
		memset(sh, 0, sizeof(*sh));
		snprintf(sh->name, sizeof(sh->name), "%s", s->name);
		sh->id = attr.share;
		sh->read_only = conf_section_get_bool(s, "share", "read only");
		sh->smb_bypass_traverse = conf_section_get_bool(s, "share",
		    "smb bypass traverse checking");
		share_squash_load(&sh->squash, s);
		log_debug("share %s: root inode %llu, share id %u%s%s%s%s",
		    s->name, (unsigned long long)attr.ino, sh->id,
		    sh->read_only ? ", read only" : "",
		    sh->squash.root ? ", root squash" : "",
		    sh->squash.all ? ", all squash" : "",
		    have ? ", case insensitive" : "");
	}
	free(env->shares);
	env->shares = shares;
	env->nshares = n;
	if ((rc = store_sync(env->store)) < 0)
		fatalx("store_sync: %s", strerror(-rc));
	blockd_trim_later(env);
}

static void
blockd_read_limits(struct daemon *d)
{
	struct blockd_env *env = d->env;

	env->notify_limit = (size_t)conf_get_int(d->conf, "blockd",
	    "notify queue limit") * 1024;
}

static void
blockd_post_init(struct daemon *d)
{
	struct blockd_env *env = d->env;
	struct store_options opt;
	struct timeval tv = { 0, 0 };
	const char *dir = d->sandbox.chroot[0] ? "/" : d->state_dir;
	int rc;

	memset(&opt, 0, sizeof(opt));
	opt.notify = blockd_ops_notify;
	opt.notify_arg = env;
	opt.log = blockd_store_log;
	if ((rc = store_open(dir, &opt, &env->store)) < 0)
		fatalx("store in %s: %s", d->state_dir, strerror(-rc));
	blockd_make_shares(d);
	blockd_read_limits(d);
	tv.tv_sec = conf_get_int(d->conf, "blockd", "checkpoint interval");
	env->ev_checkpoint = event_new(d->base, -1, EV_PERSIST,
	    blockd_checkpoint_cb, env);
	if (env->ev_checkpoint == NULL ||
	    event_add(env->ev_checkpoint, &tv) == -1)
		fatalx("checkpoint timer");
	env->ev_spare = event_new(d->base, -1, 0, blockd_spare_cb, env);
	if (env->ev_spare == NULL ||
	    event_priority_set(env->ev_spare, DAEMON_PRIORITY_IDLE) == -1)
		fatalx("idle event");
	blockd_spare_later(env);
	env->ev_trim = event_new(d->base, -1, 0, blockd_trim_cb, env);
	if (env->ev_trim == NULL ||
	    event_priority_set(env->ev_trim, DAEMON_PRIORITY_IDLE) == -1)
		fatalx("idle event");
	env->ev_trim_retry = evtimer_new(d->base, blockd_trim_retry_cb, env);
	if (env->ev_trim_retry == NULL)
		fatalx("trim retry timer");
}

static void
blockd_reload(struct daemon *d)
{
	blockd_make_shares(d);
	blockd_read_limits(d);
}

static void
blockd_stop(struct daemon *d)
{
	struct blockd_env *env = d->env;

	if (env->ev_checkpoint != NULL) {
		event_free(env->ev_checkpoint);
		env->ev_checkpoint = NULL;
	}
	if (env->ev_spare != NULL) {
		event_free(env->ev_spare);
		env->ev_spare = NULL;
	}
	env->spare_queued = 0;
	if (env->ev_trim != NULL) {
		event_free(env->ev_trim);
		env->ev_trim = NULL;
	}
	env->trim_queued = 0;
	if (env->ev_trim_retry != NULL) {
		event_free(env->ev_trim_retry);
		env->ev_trim_retry = NULL;
	}
	if (env->store != NULL) {
		store_close(env->store);
		env->store = NULL;
	}
	free(env->shares);
	env->shares = NULL;
	env->nshares = 0;
}

static void
blockd_status(struct daemon *d, char *buf, size_t len)
{
	struct blockd_env *env = d->env;
	size_t ready = 0, trims = 0, held = 0;
	uint64_t used = 0, steps = 0;

	if (env->store != NULL) {
		store_spare_stats(env->store, &ready, &used);
		store_trim_stats(env->store, &trims, &steps);
		held = store_trim_held(env->store);
	}
	snprintf(buf, len, "data in %s; %zu front end(s); %llu ops, %llu log "
	    "flushes, %llu notifications, %llu resyncs; %llu spare backing "
	    "files used, %zu ready; %zu removed files being trimmed, %zu "
	    "held open by a front end, %llu trim steps",
	    d->state_dir, ipc_server_peer_count(d->service),
	    (unsigned long long)env->ops, (unsigned long long)env->syncs,
	    (unsigned long long)env->notifies,
	    (unsigned long long)env->resyncs, (unsigned long long)used,
	    ready, trims, held, (unsigned long long)steps);
}

static const struct daemon_def blockd_def = {
	.name = "blockd",
	.role = IPC_ROLE_BLOCKD,
	.chroot = DAEMON_CHROOT_STATE,
	.syscalls = blockd_syscalls,
	.pre_init = blockd_pre_init,
	.post_init = blockd_post_init,
	.reload = blockd_reload,
	.stop = blockd_stop,
	.status = blockd_status,
};

int
main(int argc, char *argv[])
{
	struct blockd_env env;

	memset(&env, 0, sizeof(env));
	return daemon_main(argc, argv, &blockd_def, &env);
}
