/*
 * dittofs-smbd main: SMB2 and SMB3 (MS-SMB2) for the DittoFS suite.
 *
 * With privileges (pre_init): read the shares, bind the SMB port (or
 * take the socket dittofs-run or systemd passed, so clients wait in its
 * backlog while smbd restarts).  Sandboxed (post_init): chrooted to the
 * run directory, where blockd.sock and gssd.sock are; connect to both,
 * learn each share's root from blockd, then serve.  Authentication is
 * gssd's: smbd passes security buffers along and keeps only the keys
 * gssd gives back.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "daemon.h"
#include "log.h"
#include "perm.h"
#include "smbd.h"
#include "smbd_msg.h"
#include "syncer.h"
#include "util.h"

/*
 * Beyond sandbox.c's base: the data path on held fds (ftruncate: a
 * named stream's end of file and overwrite, smbd/stream.c).
 */
static const char *const smbd_syscalls[] = {
	"accept4", "fdatasync", "fsync", "io_setup", "io_destroy",
	"io_submit", "io_getevents", "io_pgetevents", "getrandom",
	"ftruncate", NULL
};

static const char *const smbd_encrypt_names[] = {
	[SMBD_ENCRYPT_OFF] = "off",
	[SMBD_ENCRYPT_ENABLED] = "enabled",
	[SMBD_ENCRYPT_DESIRED] = "desired",
	[SMBD_ENCRYPT_REQUIRED] = "required",
};

int
smbd_encrypt_parse(const char *word, enum smbd_encrypt *e)
{
	size_t i;

	for (i = 0; i < sizeof(smbd_encrypt_names) /
	    sizeof(smbd_encrypt_names[0]); i++)
		if (word != NULL && strcasecmp(word, smbd_encrypt_names[i]) == 0) {
			*e = (enum smbd_encrypt)i;
			return 0;
		}
	return -1;
}

const char *
smbd_encrypt_name(enum smbd_encrypt e)
{
	return smbd_encrypt_names[e];
}

/* A word that is none of them: the strictest, said in the log. */
static enum smbd_encrypt
smbd_encrypt_value(const char *what, const char *word)
{
	enum smbd_encrypt e;

	if (smbd_encrypt_parse(word, &e) == 0)
		return e;
	log_warnx("%s = %s: expected off, enabled, desired or required; "
	    "taken as required", what, word);
	return SMBD_ENCRYPT_REQUIRED;
}

/* [smbd] encryption ciphers: names, best first, blanks or commas. */
static void
smbd_ciphers_load(struct smbd_env *env, const char *list)
{
	char buf[256], *p, *w;
	uint16_t id;
	size_t i;

	env->nciphers = 0;
	snprintf(buf, sizeof(buf), "%s", list != NULL ? list : "");
	for (p = buf; (w = strsep(&p, " \t,")) != NULL;) {
		if (*w == '\0')
			continue;
		if ((id = smb2_cipher_by_name(w)) == 0) {
			log_warnx("[smbd] encryption ciphers: %s is not a "
			    "cipher; left out", w);
			continue;
		}
		for (i = 0; i < env->nciphers && env->ciphers[i] != id; i++)
			;
		if (i == env->nciphers && env->nciphers < SMB2_CIPHERS_MAX)
			env->ciphers[env->nciphers++] = id;
	}
	if (env->nciphers == 0 && env->encryption != SMBD_ENCRYPT_OFF) {
		log_warnx("[smbd] encryption ciphers names no cipher: "
		    "encryption is off");
		env->encryption = SMBD_ENCRYPT_OFF;
	}
}

static void
smbd_shares_clear(struct smbd_env *env)
{
	size_t i;

	for (i = 0; i < env->nshares; i++)
		free(env->shares[i].name);
	env->nshares = 0;
}

static int
smbd_shares_load(struct smbd_env *env, const struct conf *conf)
{
	const struct conf_section *s = NULL;
	struct smbd_share *sh;
	char what[300];

	smbd_shares_clear(env);
	while ((s = conf_next_section(conf, "share", s)) != NULL) {
		if (env->nshares == SMBD_SHARES_MAX) {
			log_warnx("more than %d shares: the rest are not "
			    "served", SMBD_SHARES_MAX);
			break;
		}
		sh = &env->shares[env->nshares];
		memset(sh, 0, sizeof(*sh));
		if ((sh->name = strdup(s->name)) == NULL)
			return -1;
		sh->read_only = conf_section_get_bool(s, "share", "read only");
		sh->streams = conf_section_get_bool(s, "share", "smb streams");
		sh->access_based = conf_section_get_bool(s, "share",
		    "access based enumeration");
		share_squash_load(&sh->squash, s);
		snprintf(what, sizeof(what), "share %s: smb encrypt",
		    sh->name);
		sh->encrypt = smbd_encrypt_value(what,
		    conf_section_get(s, "share", "smb encrypt"));
		if (sh->encrypt == SMBD_ENCRYPT_REQUIRED &&
		    env->encryption == SMBD_ENCRYPT_OFF)
			log_warnx("share %s: smb encrypt = required, but [smbd] "
			    "encryption = off: no SMB client can use it",
			    sh->name);
		env->nshares++;
	}
	return 0;
}

struct smbd_root_call {
	struct smbd_env	*env;
	char		*name;
};

static void
smbd_root_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_root_call *rc = arg;
	struct smbd_env *env = rc->env;
	bd_entry_reply *rep = reply;
	size_t i;

	for (i = 0; i < env->nshares; i++) {
		struct smbd_share *sh = &env->shares[i];

		if (strcmp(sh->name, rc->name) != 0)
			continue;
		if (status != 0)
			log_warnx("share %s: blockd's SHARE_ROOT failed: %s",
			    sh->name, strerror(-status));
		else if (rep->fh.bd_fh_len == 0 ||
		    rep->fh.bd_fh_len > BD_FH_MAX)
			log_warnx("share %s: root handle of %u bytes",
			    sh->name, rep->fh.bd_fh_len);
		else {
			memcpy(sh->root_fh, rep->fh.bd_fh_val,
			    rep->fh.bd_fh_len);
			sh->root_len = rep->fh.bd_fh_len;
			sh->share_id = rep->attr.share;
			sh->known = 1;
			log_info("share %s: share id %u", sh->name,
			    sh->share_id);
		}
	}
	free(rc->name);
	free(rc);
}

void
smbd_shares_refresh(struct smbd_env *env)
{
	struct smbd_root_call *rc;
	bd_share_root_req req;
	size_t i;

	for (i = 0; i < env->nshares; i++) {
		if ((rc = calloc(1, sizeof(*rc))) == NULL ||
		    (rc->name = strdup(env->shares[i].name)) == NULL) {
			free(rc);
			log_warn("share %s", env->shares[i].name);
			continue;
		}
		rc->env = env;
		req.name = env->shares[i].name;
		req.create = 1;
		bdc_call(env->bdc, BD_SHARE_ROOT,
		    (xdrproc_t)xdr_bd_share_root_req, &req,
		    (xdrproc_t)xdr_bd_entry_reply, sizeof(bd_entry_reply),
		    smbd_root_done, rc);
	}
}

/* A channel to a daemon beside smbd, checked to be served by its user. */
struct ipc_client *
smbd_client_new(struct smbd_env *env, const char *sock, enum ipc_role role,
    ipc_dispatch_fn *dispatch)
{
	struct daemon *d = env->daemon;
	struct ipc_client *cl;
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s",
	    d->sandbox.chroot[0] ? "" : d->run_dir, sock);
	if ((cl = ipc_client_new(env->base, path, IPC_ROLE_SMBD, "smbd", 0,
	    dispatch, env)) == NULL)
		fatalx("%s client: out of memory", sock);
	if (daemon_role_uid(d, role) != (uid_t)-1)
		ipc_client_expect_uid(cl, daemon_role_uid(d, role));
	return cl;
}

static void
smbd_bdc_ready(void *arg)
{
	smbd_shares_refresh(arg);
	/* blockd counts watches afresh on a new channel. */
	smbd_notify_announce(arg);
	smbd_lease_dir_announce(arg);
}

/*
 * Notes missed: the watches of CHANGE_NOTIFY answer ENUM_DIR, and the
 * directory leases are broken.
 */
static void
smbd_bdc_drop(void *arg)
{
	smbd_notify_resync(arg);
	smbd_lease_dir_resync(arg);
}

/*
 * smbd caches nothing from blockd: notes feed CHANGE_NOTIFY and break
 * directory leases.
 */
static void
smbd_bdc_notify(void *arg, const bd_notify *n)
{
	smbd_notify_note(arg, n);
	smbd_lease_dir_note(arg, n);
}

/* A change below a directory watched with SMB2_WATCH_TREE. */
static void
smbd_bdc_notify_tree(void *arg, const bd_notify_tree *n)
{
	smbd_notify_tree_note(arg, n);
}

static const struct bdc_hooks smbd_bdc_hooks = {
	.ready = smbd_bdc_ready,
	.drop = smbd_bdc_drop,
	.notify = smbd_bdc_notify,
	.notify_tree = smbd_bdc_notify_tree,
};

static void
smbd_config(struct smbd_env *env, const struct conf *conf)
{
	env->max_read = (uint32_t)conf_get_int(conf, "smbd", "max read size");
	env->max_write = (uint32_t)conf_get_int(conf, "smbd",
	    "max write size");
	env->max_transact = (uint32_t)conf_get_int(conf, "smbd",
	    "max transact size");
	env->credits_max = (uint32_t)conf_get_int(conf, "smbd",
	    "credits max");
	env->signing_required = conf_get_bool(conf, "smbd",
	    "signing required");
	env->multichannel = conf_get_bool(conf, "smbd", "multichannel");
	env->encryption = smbd_encrypt_value("[smbd] encryption",
	    conf_get(conf, "smbd", "encryption"));
	smbd_ciphers_load(env, conf_get(conf, "smbd", "encryption ciphers"));
	env->opens_per_conn = (size_t)conf_get_int(conf, "smbd",
	    "open files per connection");
	env->break_timeout = (unsigned int)conf_get_int(conf, "smbd",
	    "oplock break timeout");
	env->durable_timeout_ms = (uint32_t)conf_get_int(conf, "smbd",
	    "durable handle timeout") * 1000;
	env->requests_per_conn = (size_t)conf_get_int(conf, "smbd",
	    "requests per connection");
	env->locks_per_open = (size_t)conf_get_int(conf, "smbd",
	    "locks per open");
	env->pending_locks_per_conn = (size_t)conf_get_int(conf, "smbd",
	    "pending locks per connection");
	env->notify_buffer = (size_t)conf_get_int(conf, "smbd",
	    "notify buffer size");
	env->notifies_per_conn = (size_t)conf_get_int(conf, "smbd",
	    "pending notifies per connection");
}

/*
 * The name srvsvc and wkssvc give: the host's first label, upper case,
 * at most 15 characters (a NetBIOS name's length).
 */
static void
smbd_server_name(struct smbd_env *env)
{
	char host[256];
	size_t i;

	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "dittofs");
	host[sizeof(host) - 1] = '\0';
	for (i = 0; i < SMBD_NAME_MAX - 1 && host[i] != '\0' &&
	    host[i] != '.'; i++)
		env->server_name[i] = (char)(host[i] >= 'a' && host[i] <= 'z' ?
		    host[i] - 'a' + 'A' : host[i]);
	env->server_name[i] = '\0';
}

static void
smbd_pre_init(struct daemon *d)
{
	struct smbd_env *env = d->env;
	const char *addr = daemon_section_get(d, "address");
	int fl;

	env->daemon = d;
	env->base = d->base;
	TAILQ_INIT(&env->conns);
	smbd_lock_init(env);
	smbd_notify_init(env);
	smbd_config(env, d->conf);
	if (smbd_shares_load(env, d->conf) == -1)
		fatalx("shares: out of memory");
	if (env->nshares == 0)
		log_warnx("no [share NAME] section: nothing to serve");
	if (RAND_bytes(env->server_guid, sizeof(env->server_guid)) != 1 ||
	    RAND_bytes((uint8_t *)&env->next_session_id,
	    sizeof(env->next_session_id)) != 1)
		fatalx("RAND_bytes");
	/* Session ids count from an unpredictable start (proc.c). */
	smbd_server_name(env);
	env->port = (unsigned int)conf_get_int(d->conf, "smbd", "port");
	if ((env->listen_fd = daemon_take_listen_fd(d, "smb")) != -1) {
		if ((fl = fcntl(env->listen_fd, F_GETFL)) == -1 ||
		    fcntl(env->listen_fd, F_SETFL, fl | O_NONBLOCK) == -1)
			fatal("smb: fcntl");
		log_info("smb: socket passed by the service manager");
	} else {
		if (env->port < 1024 && !sandbox_may_bind_reserved())
			log_warnx("not root: port %u will fail to bind unless "
			    "passed in (dittofs-smbd.socket)", env->port);
		env->listen_fd = util_listen_inet(addr, env->port,
		    SOCK_STREAM);
		if (env->listen_fd == -1)
			fatal("smb: bind %s port %u", addr, env->port);
	}
	log_info("SMB 2.0.2-3.1.1 on %s port %u; %zu share(s); signing %s; "
	    "encryption %s (%s first); reads up to %u, writes up to %u bytes",
	    addr, env->port, env->nshares, env->signing_required ?
	    "required" : "enabled", smbd_encrypt_name(env->encryption),
	    env->nciphers > 0 ? smb2_cipher_name(env->ciphers[0]) : "none",
	    env->max_read, env->max_write);
}

static void
smbd_post_init(struct daemon *d)
{
	struct smbd_env *env = d->env;
	struct connlimit_conf lc;
	char path[PATH_MAX + 32];
	struct timeval tv;

	snprintf(path, sizeof(path), "%s/blockd.sock",
	    d->sandbox.chroot[0] ? "" : d->run_dir);
	env->bdc = bdc_new(d->base, path, IPC_ROLE_SMBD, "smbd",
	    daemon_role_uid(d, IPC_ROLE_BLOCKD), &smbd_bdc_hooks, env);
	env->syncer = syncer_new(d->base);
	connlimit_conf_read(&lc, d->conf, "smbd");
	env->limits = connlimit_new(&lc);
	if (env->bdc == NULL || env->syncer == NULL || env->limits == NULL)
		fatalx("out of memory");
	smbd_fdstore_adopt(env, d);
	smbd_gssd_start(env);
	smbd_stated_start(env);
	bdc_start(env->bdc);
	env->ev_listen = event_new(d->base, env->listen_fd,
	    EV_READ | EV_PERSIST, smbd_accept, env);
	env->ev_sweep = event_new(d->base, -1, EV_PERSIST, smbd_sweep, env);
	tv.tv_sec = connlimit_sweep_seconds(env->limits);
	tv.tv_usec = 0;
	if (env->ev_listen == NULL || env->ev_sweep == NULL ||
	    event_add(env->ev_listen, NULL) == -1 ||
	    event_add(env->ev_sweep, &tv) == -1)
		fatalx("cannot watch the SMB socket");
}

static void
smbd_reload(struct daemon *d)
{
	struct smbd_env *env = d->env;
	struct connlimit_conf lc;

	smbd_config(env, d->conf);
	connlimit_conf_read(&lc, d->conf, "smbd");
	connlimit_set_conf(env->limits, &lc);
	if (smbd_shares_load(env, d->conf) == -1) {
		log_warnx("reload: shares: out of memory");
		return;
	}
	log_info("%zu share(s)", env->nshares);
	if (bdc_ready(env->bdc))
		smbd_shares_refresh(env);
}

static void
smbd_stop(struct daemon *d)
{
	struct smbd_env *env = d->env;
	struct smbd_conn *c, *next;

	if (env->ev_listen != NULL)
		event_free(env->ev_listen);
	if (env->ev_sweep != NULL)
		event_free(env->ev_sweep);
	env->ev_listen = env->ev_sweep = NULL;
	smbd_fdstore_stop(env);
	for (c = TAILQ_FIRST(&env->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (!c->closing)
			smbd_conn_close(c, "stopping");
	}
	syncer_free(env->syncer);
	env->syncer = NULL;
}

static const char *
smbd_command_counter_name(size_t i)
{
	return smb2_command_name((uint16_t)i);
}

static void
smbd_status(struct daemon *d, char *buf, size_t len)
{
	struct smbd_env *env = d->env;
	char calls[512], cmds[768], locks[384], notes[128];
	size_t sessions = 0, opens = 0;
	struct smbd_conn *c;

	TAILQ_FOREACH(c, &env->conns, entry) {
		sessions += c->nsessions;
		opens += c->nopens;
	}
	bdc_calls_text(env->bdc, calls, sizeof(calls));
	util_counts_text(cmds, sizeof(cmds), env->commands, SMB2_NCOMMANDS,
	    smbd_command_counter_name);
	smbd_lock_status(env, locks, sizeof(locks));
	smbd_notify_status(env, notes, sizeof(notes));
	snprintf(buf, len, "SMB port %u; %zu share(s); %zu connection(s), "
	    "%zu session(s), %zu open file(s); %llu refused; blockd %s; "
	    "gssd %s; %llu logon(s), %llu failed, %llu channel(s) bound; "
	    "%llu malformed, %llu bad "
	    "signature(s); %s; %s; %llu oplock or lease break(s) sent; "
	    "%llu RPC call(s), %llu fault(s); %llu "
	    "transform(s) decrypted, %llu undecryptable, %llu refused "
	    "unencrypted; commands: %s; to blockd: %s", env->port,
	    env->nshares, env->nconns, sessions, opens,
	    (unsigned long long)(env->limits ?
	    connlimit_refusals(env->limits) : 0),
	    env->bdc != NULL && bdc_ready(env->bdc) ? "connected" :
	    "not connected", env->gssd != NULL &&
	    ipc_client_ready(env->gssd) ? "connected" : "not connected",
	    (unsigned long long)env->logons,
	    (unsigned long long)env->logon_failures,
	    (unsigned long long)env->binds,
	    (unsigned long long)env->malformed,
	    (unsigned long long)env->bad_signatures, locks, notes,
	    (unsigned long long)env->oplock_breaks,
	    (unsigned long long)env->rpc_calls,
	    (unsigned long long)env->rpc_faults,
	    (unsigned long long)env->decrypted,
	    (unsigned long long)env->undecryptable,
	    (unsigned long long)env->unencrypted, cmds, calls);
}

static size_t
smbd_awaiting(struct daemon *d)
{
	struct smbd_env *env = d->env;

	return env->bdc != NULL ? bdc_inflight(env->bdc) : 0;
}

static const struct ipc_handler smbd_ctl_handlers[] = {
	{ SMBD_CTL_SESSIONS, IPC_ROLE_BIT(IPC_ROLE_CTL), smbd_ctl_sessions },
};

static const struct daemon_def smbd_def = {
	.name = "smbd",
	.role = IPC_ROLE_SMBD,
	.chroot = DAEMON_CHROOT_RUN,
	.syscalls = smbd_syscalls,
	.socket_families = SANDBOX_AF_NETWORK,
	.pre_init = smbd_pre_init,
	.post_init = smbd_post_init,
	.reload = smbd_reload,
	.stop = smbd_stop,
	.status = smbd_status,
	.awaiting = smbd_awaiting,
	.ctl_handlers = smbd_ctl_handlers,
	.nctl_handlers = sizeof(smbd_ctl_handlers) /
	    sizeof(smbd_ctl_handlers[0]),
};

int
main(int argc, char *argv[])
{
	static struct smbd_env env;

	memset(&env, 0, sizeof(env));
	env.listen_fd = -1;
	return daemon_main(argc, argv, &smbd_def, &env);
}
