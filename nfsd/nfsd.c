/*
 * dittofs-nfsd main: NFSv3 and MOUNT v3 for the DittoFS suite.
 *
 * With privileges (pre_init): read the exports (host names resolve
 * here, before the chroot), the host's boot id (the write verifier),
 * bind the NFS and MOUNT sockets, register with rpcbind if it runs (on
 * a connection kept to unregister at a clean stop).
 * Sandboxed (post_init): chroot to the run directory, where blockd.sock
 * and stated.sock are, so that a restarted blockd or stated can be
 * reached again.
 *
 * The sockets are watched (nfsd_listen) only once every share's root is
 * known and the duplicate request cache is read back from stated (drc.c),
 * or stated stayed away NFSD_DRC_WAIT_SECONDS: until then clients wait in
 * the listen backlog.
 */
#define _GNU_SOURCE
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include "daemon.h"
#include "hash.h"
#include "log.h"
#include "nfsd.h"
#include "nfsd_msg.h"
#include "rpcbind.h"
#include "rpcsec_gss.h"
#include "rpcsvc.h"
#include "sandbox.h"
#include "syncer.h"
#include "util.h"
#include "nfsd/v3/nfs3.h"
#include "nfsd/v4/proc.h"

#define NFSD_BOOT_ID		"/proc/sys/kernel/random/boot_id"

/* NFS: version 3 (v3/proc.c) and 4 (v4/proc.c) on the one port. */
static const struct rpcsvc_version nfs_versions[] = {
	{ NFS_V3, nfs3_rpc_procs, NFS3_NPROC },
	{ NFS_V4, nfs4_rpc_procs, NFS4_NPROC },
};

#define NFSD_MAX(a, b)	((a) > (b) ? (a) : (b))

const struct rpcsvc_program nfs_program = {
	.name = "NFS",
	.prog = NFS_PROGRAM,
	.vers_min = NFS_V3,
	.vers_max = NFS_V4,
	.record_max = NFS_RECORD_MAX,
	.versions = nfs_versions,
	.nversions = sizeof(nfs_versions) / sizeof(nfs_versions[0]),
	.cache = &nfsd_drc_ops,
	.state_size = NFSD_MAX(sizeof(struct nfs3_call),
	    sizeof(struct nfs4_call)),
};

/* [nfsd] nfsv4 = no: version 3 alone (a v4 call: PROG_MISMATCH 3..3). */
static const struct rpcsvc_program nfs_program_v3 = {
	.name = "NFS",
	.prog = NFS_PROGRAM,
	.vers_min = NFS_V3,
	.vers_max = NFS_V3,
	.record_max = NFS_RECORD_MAX,
	.versions = nfs_versions,
	.nversions = 1,
	.cache = &nfsd_drc_ops,
	.state_size = sizeof(struct nfs3_call),
};

/* The NFS port serves both programs, the MOUNT port MOUNT alone. */
static const struct rpcsvc_program *const nfsd_programs[] = {
	&nfs_program, &mount_program, NULL
};
static const struct rpcsvc_program *const nfsd_programs_v3[] = {
	&nfs_program_v3, &mount_program, NULL
};
static const struct rpcsvc_program *const nfsd_mount_programs[] = {
	&mount_program, NULL
};

/*
 * The reply cache behind rpcsvc's hook, keyed as drc.c says: the
 * checksum of the call is taken while its record is at hand.
 */
static void
nfsd_drc_key(const struct rpcsvc_call *call, struct drc_key *k)
{
	memcpy(k->addr, call->peer_key, 16);
	k->port = call->peer_port;
	k->xid = call->auth.msg.xid;
	k->prog = call->auth.msg.prog;
	k->vers = call->auth.msg.vers;
	k->proc = call->auth.msg.proc;
	k->args_sum = call->cache_sum;
}

static enum rpcsvc_cache_verdict
nfsd_drc_lookup(void *arg, struct rpcsvc_call *call, const uint8_t *rec,
    size_t len, const uint8_t **body, size_t *body_len)
{
	struct nfsd_env *env = arg;
	struct drc_key k;

	if (call->auth.ctx != NULL) {
		/*
		 * RPCSEC_GSS: a retransmission carries a new seq_num and
		 * verifier (RFC 2203 5.3.3.1), and krb5i/krb5p a new body:
		 * the context's handle and the unwrapped arguments.
		 */
		size_t n = call->auth.args_len < DRC_CHECKSUM_ARGS ?
		    call->auth.args_len : DRC_CHECKSUM_ARGS;

		call->cache_sum = hash_fnv1a32_add(hash_fnv1a32(
		    call->auth.ctx->handle, call->auth.ctx->handle_len),
		    call->auth.args, n);
	} else
		call->cache_sum = drc_call_checksum(rec, len,
		    call->auth.msg.args_off);
	nfsd_drc_key(call, &k);
	switch (drc_lookup(env->drc, &k, body, body_len)) {
	case DRC_IN_PROGRESS:
		return RPCSVC_CACHE_IN_PROGRESS;
	case DRC_HIT:
		return RPCSVC_CACHE_HIT;
	default:
		return RPCSVC_CACHE_MISS;
	}
}

/* Kept, and mirrored to stated: the reply waits until it is sent. */
static int
nfsd_drc_complete(void *arg, struct rpcsvc_call *call, const uint8_t *body,
    size_t len)
{
	struct nfsd_env *env = arg;
	struct drc_key k;

	nfsd_drc_key(call, &k);
	drc_complete(env->drc, &k, body, len);
	return stated_client_drc_put(env->sdc, &k, body, len) == 0;
}

static void
nfsd_drc_abandon(void *arg, struct rpcsvc_call *call)
{
	struct nfsd_env *env = arg;
	struct drc_key k;

	nfsd_drc_key(call, &k);
	drc_abandon(env->drc, &k);
}

const struct rpcsvc_cache_ops nfsd_drc_ops = {
	.lookup = nfsd_drc_lookup,
	.complete = nfsd_drc_complete,
	.abandon = nfsd_drc_abandon,
};

/*
 * Beyond sandbox.c's base: the data path on held fds; openat because
 * libkrb5 looks for its configuration (absent in the chroot) when an
 * RPCSEC_GSS context is imported.
 */
static const char *const nfsd_syscalls[] = {
	"sendfile", "splice", "fdatasync", "fsync", "recvmmsg", "sendmmsg",
	"io_setup", "io_destroy", "io_submit", "io_getevents",
	"io_pgetevents", "openat", NULL
};

/*
 * The write verifier (RFC 1813 3.3.7) must change only when unstable
 * data may have been lost.  Unstable writes sit in the host's page
 * cache, which survives nfsd and blockd restarts but not a reboot of
 * the host: so the verifier is derived from the host's boot id.
 */
static void
nfsd_write_verf(struct nfsd_env *env)
{
	char buf[64];
	uint64_t h = 14695981039346656037ull;
	ssize_t n;
	int fd, i;

	fd = open(NFSD_BOOT_ID, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || (n = read(fd, buf, sizeof(buf))) <= 0) {
		log_warn("%s: using a random write verifier", NFSD_BOOT_ID);
		if (fd != -1)
			close(fd);
		if (getrandom(env->write_verf, sizeof(env->write_verf), 0) !=
		    (ssize_t)sizeof(env->write_verf))
			fatal("getrandom");
		return;
	}
	close(fd);
	for (i = 0; i < n; i++) {
		h ^= (uint8_t)buf[i];
		h *= 1099511628211ull;
	}
	for (i = 0; i < NFS3_WRITEVERFSIZE; i++)
		env->write_verf[i] = (uint8_t)(h >> (56 - 8 * i));
}

/*
 * Before the chroot: libtirpc reads /etc/netconfig.  NFSv4 is not
 * registered: its clients go to the NFS port without asking rpcbind
 * (RFC 7530 3.1).
 */
static void
nfsd_rpcbind_register(struct nfsd_env *env)
{
	int fails = 0;

	if (!conf_get_bool(env->daemon->conf, "nfsd", "rpcbind"))
		return;
	if (env->daemon->start == DAEMON_START_DEV) {
		log_info("rpcbind: development start; not registering");
		return;
	}
	if (!rpcbind_running()) {
		log_info("rpcbind is not running; not registering (clients "
		    "need port=%u,mountport=%u)", env->nfs_port,
		    env->mount_port);
		return;
	}
	if ((env->rpcbind = rpcbind_open(daemon_section_get(env->daemon,
	    "user"))) == NULL)
		fatalx("out of memory");
	fails += rpcbind_set(env->rpcbind, NFS_PROGRAM, NFS_V3, "tcp",
	    env->nfs_port);
	fails += rpcbind_set(env->rpcbind, MOUNT_PROGRAM, MOUNT_V3, "tcp",
	    env->mount_port);
	fails += rpcbind_set(env->rpcbind, MOUNT_PROGRAM, MOUNT_V1, "tcp",
	    env->mount_port);
	if (env->mount_udp != -1) {
		fails += rpcbind_set(env->rpcbind, MOUNT_PROGRAM, MOUNT_V3,
		    "udp", env->mount_port);
		fails += rpcbind_set(env->rpcbind, MOUNT_PROGRAM, MOUNT_V1,
		    "udp", env->mount_port);
	}
	log_info("rpcbind: registered NFS v3 (tcp %u) and MOUNT v1/v3 "
	    "(tcp%s %u)%s", env->nfs_port, env->mount_udp != -1 ? ", udp" : "",
	    env->mount_port, fails ? ", with failures" : "");
}

/*
 * NFSv4's owner strings (v4/idmap.c): the name service's users and
 * groups, read before the chroot hides it.
 */
static void
nfsd_idmap_load(struct nfsd_env *env)
{
	const char *domain = conf_get(env->daemon->conf, "nfsd",
	    "nfsv4 domain");

	env->idmap = nfs4_idmap_new(domain != NULL && *domain ? domain : NULL,
	    conf_get_bool(env->daemon->conf, "nfsd", "nfsv4 numeric ids"),
	    NFS4_IDMAP_ENTRIES_MAX);
	if (env->idmap == NULL)
		fatalx("NFSv4 id mapping: out of memory");
	if (nfs4_idmap_load_nss(env->idmap) == -1)
		log_warnx("NFSv4 id mapping: more than %d users or groups; "
		    "the rest are numeric", NFS4_IDMAP_ENTRIES_MAX);
	env->v4_boot = time(NULL);
	env->v4_lease = NFS4_LEASE_TIME;
	log_info("NFSv4 id domain %s: %zu users, %zu groups",
	    nfs4_idmap_domain(env->idmap), nfs4_idmap_count(env->idmap, 0),
	    nfs4_idmap_count(env->idmap, 1));
}

static int
nfsd_socket(struct daemon *d, const char *name, const char *addr,
    unsigned int port, int udp)
{
	int fd = daemon_take_listen_fd(d, name);

	if (fd != -1) {
		int fl = fcntl(fd, F_GETFL);

		if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
			fatal("%s: fcntl", name);
		log_info("%s: socket passed by the service manager", name);
		return fd;
	}
	fd = util_listen_inet(addr, port, udp ? SOCK_DGRAM : SOCK_STREAM);
	if (fd == -1)
		fatal("%s: bind %s port %u/%s", name, addr, port,
		    udp ? "udp" : "tcp");
	return fd;
}

/*
 * NFSv4.1's server_owner and server_scope (RFC 8881 2.10.4): [nfsd]
 * nfsv4.1 server owner, else the host's name, read before the sandbox.
 */
static void
nfsd_v41_owner(struct nfsd_env *env)
{
	const char *owner = conf_get(env->daemon->conf, "nfsd",
	    "nfsv4.1 server owner");

	if (owner != NULL && *owner != '\0')
		snprintf(env->v41_owner, sizeof(env->v41_owner), "%s", owner);
	else if (gethostname(env->v41_owner, sizeof(env->v41_owner) - 1) ==
	    -1 || env->v41_owner[0] == '\0')
		snprintf(env->v41_owner, sizeof(env->v41_owner), "dittofs");
	env->v41_owner[sizeof(env->v41_owner) - 1] = '\0';
}

static void
nfsd_pre_init(struct daemon *d)
{
	struct nfsd_env *env = d->env;
	const char *addr = daemon_section_get(d, "address");
	const char *path = daemon_section_get(d, "read path");
	struct rlimit rl;
	char err[512];

	env->daemon = d;
	env->base = d->base;
	LIST_INIT(&env->mounts);
	if (export_table_load(&env->exports, d->conf, err, sizeof(err)) == -1)
		fatalx("exports: %s", err);
	if (env->exports.nexports == 0)
		log_warnx("no [share NAME] section: nothing to export");
	nfsd_write_verf(env);
	nfsd_v41_owner(env);
	if (strcmp(path, "sendfile") == 0)
		env->read_path = NFSD_READ_SENDFILE;
	else if (strcmp(path, "pread") == 0)
		env->read_path = NFSD_READ_PREAD;
	else
		fatalx("[nfsd] read path = %s: expected pread or sendfile",
		    path);
	env->nfs_port = (unsigned int)conf_get_int(d->conf, "nfsd", "port");
	env->mount_port = (unsigned int)conf_get_int(d->conf, "nfsd",
	    "mount port");
	if ((env->nfs_port < 1024 || env->mount_port < 1024) &&
	    !sandbox_may_bind_reserved())
		log_warnx("not root: ports below 1024 that are not passed in "
		    "(dittofs-nfsd.socket) will fail to bind");
	env->nfs_tcp = nfsd_socket(d, "nfs", addr, env->nfs_port, 0);
	env->mount_tcp = env->mount_udp = -1;
	if (env->mount_port != env->nfs_port) {
		env->mount_tcp = nfsd_socket(d, "mount", addr,
		    env->mount_port, 0);
		env->mount_udp = nfsd_socket(d, "mount-udp", addr,
		    env->mount_port, 1);
	}
	nfsd_rpcbind_register(env);
	nfsd_idmap_load(env);
	if (conf_get_bool(d->conf, "gssd", "enable")) {
		rpcsec_gss_krb5_init();
		/* gssd's callback contexts name it (gssd/initiate.c). */
		if (util_krb5_conf_copy(d->run_dir) == -1)
			log_info("Kerberos configuration not copied to %s: "
			    "%s; NFSv4.0 callbacks under RPCSEC_GSS may not "
			    "work", d->run_dir, strerror(errno));
	}
	/* One fd per held file: ask for what the hard limit allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit(RLIMIT_NOFILE)");
	}
	log_info("NFSv3 and NFSv4.0 on %s port %u, MOUNT on port %u (tcp%s) and on the "
	    "NFS port; %zu export(s); READ data by %s", addr, env->nfs_port,
	    env->mount_port, env->mount_udp != -1 ? ", udp" : "",
	    env->exports.nexports,
	    env->read_path == NFSD_READ_SENDFILE ? "sendfile" : "pread");
}

struct nfsd_root_call {
	struct nfsd_env	*env;
	char		*name;
};

void
nfsd_serve_check(struct nfsd_env *env)
{
	int drc = stated_client_drc_loaded(env->sdc);

	if (env->serving || !env->roots_known ||
	    (!drc && !env->drc_wait_over))
		return;
	env->serving = 1;
	if (env->ev_drc_wait != NULL)
		evtimer_del(env->ev_drc_wait);
	if (rpcsvc_listen_programs(env->svc, env->nfs_tcp, -1,
	    env->v4_enabled ? nfsd_programs : nfsd_programs_v3) == -1 ||
	    (env->mount_tcp != -1 &&
	    rpcsvc_listen_programs(env->svc, env->mount_tcp, env->mount_udp,
	    nfsd_mount_programs) == -1))
		fatalx("cannot watch the NFS and MOUNT sockets");
	log_info("serving: every share's root is known%s", drc ?
	    ", the reply cache is read back from stated" :
	    "; WITHOUT the reply cache of before this start");
}

/* Stated is away: serve without the entries of before this start. */
static void
nfsd_drc_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	struct nfsd_env *env = arg;

	env->drc_wait_over = 1;
	if (stated_client_drc_loaded(env->sdc))
		return;
	log_warnx("stated has not given back the reply cache in %d s; "
	    "retransmissions of requests answered before this start will "
	    "run again", NFSD_DRC_WAIT_SECONDS);
	nfsd_serve_check(env);
}

/* A share root asked for has answered: serve, if that was all. */
static void
nfsd_root_answered(struct nfsd_env *env)
{
	if (env->roots_pending > 0)
		env->roots_pending--;
	if (env->roots_pending == 0)
		env->roots_known = 1;
	nfsd_serve_check(env);
}

static void
nfsd_root_done(void *arg, int status, void *reply, int fd)
{
	struct nfsd_root_call *rc = arg;
	bd_entry_reply *rep = reply;
	struct export *e = NULL;
	size_t i;

	for (i = 0; i < rc->env->exports.nexports; i++)
		if (strcmp(rc->env->exports.exports[i].name, rc->name) == 0)
			e = &rc->env->exports.exports[i];
	if (status != 0)
		log_warnx("share %s: blockd's SHARE_ROOT failed: %s", rc->name,
		    strerror(-status));
	else if (rep->fh.bd_fh_len == 0 || rep->fh.bd_fh_len > NFS3_FHSIZE)
		log_warnx("share %s: root handle of %u bytes", rc->name,
		    rep->fh.bd_fh_len);
	else if (e != NULL) {
		memcpy(e->root_fh, rep->fh.bd_fh_val, rep->fh.bd_fh_len);
		e->root_len = rep->fh.bd_fh_len;
		e->share_id = rep->attr.share;
		log_info("share %s: %s is share id %u", e->name, e->path,
		    e->share_id);
	}
	nfsd_root_answered(rc->env);
	free(rc->name);
	free(rc);
}

void
nfsd_roots_refresh(struct nfsd_env *env)
{
	struct nfsd_root_call *rc;
	bd_share_root_req req;
	size_t i;

	env->roots_pending = env->exports.nexports;
	if (env->roots_pending == 0) {
		env->roots_pending = 1;
		nfsd_root_answered(env);
	}
	for (i = 0; i < env->exports.nexports; i++) {
		struct export *e = &env->exports.exports[i];

		if ((rc = calloc(1, sizeof(*rc))) == NULL ||
		    (rc->name = strdup(e->name)) == NULL) {
			free(rc);
			log_warn("share %s", e->name);
			nfsd_root_answered(env);
			continue;
		}
		rc->env = env;
		req.name = e->name;
		req.create = 1;
		bdc_call(env->bdc, BD_SHARE_ROOT,
		    (xdrproc_t)xdr_bd_share_root_req, &req,
		    (xdrproc_t)xdr_bd_entry_reply, sizeof(bd_entry_reply),
		    nfsd_root_done, rc);
	}
}

/* blockd_client.c's hooks: nfsd's caches and its shares' roots. */
static void
nfsd_bdc_drop(void *arg)
{
	struct nfsd_env *env = arg;

	fhcache_drop_all(env->fhcache);
	namecache_drop_all(env->namecache);
	dircache_drop_all(env->dircache);
}

static void
nfsd_bdc_ready(void *arg)
{
	nfsd_roots_refresh(arg);
}

static void
nfsd_bdc_notify(void *arg, const bd_notify *n)
{
	nfs3_notify(arg, n);
}

static const struct bdc_hooks nfsd_bdc_hooks = {
	.ready = nfsd_bdc_ready,
	.drop = nfsd_bdc_drop,
	.notify = nfsd_bdc_notify,
};

static size_t
nfsd_awaiting(struct daemon *d)
{
	struct nfsd_env *env = d->env;

	return env->bdc != NULL ? bdc_inflight(env->bdc) : 0;
}

/* [nfsd] nfsv4 compound ops max, nfsv4 tag max: at start and reload. */
static void
nfsd_v4_configure(struct nfsd_env *env)
{
	struct conf *conf = env->daemon->conf;

	env->v4_ops_max = (uint32_t)conf_get_int(conf, "nfsd",
	    "nfsv4 compound ops max");
	env->v4_tag_max = (uint32_t)conf_get_int(conf, "nfsd",
	    "nfsv4 tag max");
	/* RFC 7530 5.9: numbers to AUTH_SYS callers, who send numbers. */
	env->v4_numeric_owners = conf_get_bool(conf, "nfsd",
	    "nfsv4 numeric owners") && conf_get_bool(conf, "nfsd",
	    "nfsv4 numeric ids");
	/* Per COMPOUND: a reload turns minor version 1 on or off. */
	env->v41_enabled = conf_get_bool(conf, "nfsd", "nfsv4.1");
	/* Lowered: CB_RECALL_SLOT to sessions of more (v4/proc41.c). */
	nfs41_slots_configure(env, (uint32_t)conf_get_int(conf, "stated",
	    "nfsv4.1 slots per session"));
}

/*
 * RPCSEC_GSS beside AUTH_NONE and AUTH_SYS, its contexts made by gssd
 * ([gssd] enable); AUTH_SYS is still found first in the table.
 */
static void
nfsd_gss_start(struct nfsd_env *env)
{
	struct daemon *d = env->daemon;
	char path[PATH_MAX];
	uid_t uid = daemon_role_uid(d, IPC_ROLE_GSSD);

	if (!conf_get_bool(d->conf, "gssd", "enable"))
		return;
	if (snprintf(path, sizeof(path), "%s/gssd.sock",
	    d->sandbox.chroot[0] ? "" : d->run_dir) >= (int)sizeof(path))
		fatalx("run directory path too long");
	if ((env->gss = rpcsec_gss_new(&rpcsec_gss_krb5)) == NULL ||
	    rpcsec_gss_use_gssd(env->gss, env->base, path,
	    uid != (uid_t)-1 ? (long)uid : -1, (size_t)conf_get_int(d->conf,
	    "nfsd", "gss contexts in creation per host")) == -1)
		fatalx("RPCSEC_GSS: out of memory");
	env->flavors[0] = &rpcauth_sys;
	env->flavors[1] = &rpcauth_none;
	env->flavors[2] = rpcsec_gss_flavor(env->gss);
	env->flavors[3] = NULL;
	rpcsvc_set_flavors(env->svc, env->flavors);
}

static void
nfsd_post_init(struct daemon *d)
{
	struct nfsd_env *env = d->env;
	char path[PATH_MAX], spath[PATH_MAX];
	long long nodes = conf_get_int(d->conf, "nfsd", "handle cache size");
	long long fds = conf_get_int(d->conf, "nfsd", "fd cache size");
	struct timeval wait = { NFSD_DRC_WAIT_SECONDS, 0 };

	/* Inside the chroot the run directory is "/". */
	if (snprintf(path, sizeof(path), "%s/blockd.sock",
	    d->sandbox.chroot[0] ? "" : d->run_dir) >= (int)sizeof(path) ||
	    snprintf(spath, sizeof(spath), "%s/stated.sock",
	    d->sandbox.chroot[0] ? "" : d->run_dir) >= (int)sizeof(spath))
		fatalx("run directory path too long");
	env->fhcache = fhcache_new((size_t)nodes, (size_t)fds);
	if (env->fhcache != NULL &&
	    fhcache_defer_close(env->fhcache, d->base,
	    DAEMON_PRIORITY_IDLE) == -1)
		fatalx("out of memory");
	env->namecache = namecache_new((size_t)conf_get_int(d->conf, "nfsd",
	    "name cache size"));
	env->dircache = dircache_new((size_t)conf_get_int(d->conf, "nfsd",
	    "directory cache size"));
	env->drc = drc_new((size_t)conf_get_int(d->conf, "nfsd",
	    "reply cache size"));
	env->bdc = bdc_new(d->base, path, IPC_ROLE_NFSD, "nfsd",
	    daemon_role_uid(d, IPC_ROLE_BLOCKD), &nfsd_bdc_hooks, env);
	env->sdc = stated_client_new(env, spath);
	/* Delegations need stated, which keeps them (v4/callback.c). */
	if (conf_get_bool(d->conf, "stated", "enable") &&
	    (env->deleg = nfs4_deleg_new(env)) == NULL)
		fatalx("out of memory");
	env->syncer = syncer_new(d->base);
	/* [nfsd] max connections, idle timeout, output ... (connlimit.h) */
	nfsd_v4_configure(env);
	env->v4_enabled = conf_get_bool(d->conf, "nfsd", "nfsv4");
	if (!env->v4_enabled)
		log_info("nfsv4 = no: NFSv3 alone on the NFS port");
	if ((env->v41 = nfs41_mirror_new(NFSD_V41_SESSIONS_MAX)) == NULL ||
	    (env->v41_back = nfs41_back_new(env)) == NULL)
		fatalx("out of memory");
	nfs41_conns_init(env);
	if ((env->v4_stateids = nfs4_stateid_cache_new((size_t)conf_get_int(
	    d->conf, "nfsd", "nfsv4 stateid cache size"))) == NULL &&
	    conf_get_int(d->conf, "nfsd", "nfsv4 stateid cache size") > 0)
		fatalx("out of memory");
	if ((env->svc = rpcsvc_new(d->base, env->v4_enabled ? nfsd_programs :
	    nfsd_programs_v3, env)) == NULL ||
	    rpcsvc_configure(env->svc, d->conf, "nfsd") == -1)
		fatalx("cannot start the RPC server");
	nfsd_gss_start(env);
	env->mounts_per_client = (size_t)conf_get_int(d->conf, "nfsd",
	    "mount list per client");
	env->mounts_max = (size_t)conf_get_int(d->conf, "nfsd",
	    "mount list size");
	d->busy_poll_us = (unsigned int)conf_get_int(d->conf, "nfsd",
	    "busy poll");
	env->ev_drc_wait = evtimer_new(env->base, nfsd_drc_wait_cb, env);
	if (env->fhcache == NULL || env->namecache == NULL ||
	    env->dircache == NULL ||
	    env->drc == NULL || env->bdc == NULL ||
	    env->sdc == NULL || env->syncer == NULL ||
	    env->ev_drc_wait == NULL)
		fatalx("out of memory");
	/*
	 * nfsd_serve_check waits for the share roots (nfsd_root_answered)
	 * and the reply cache (stated_client.c), or for NFSD_DRC_WAIT_SECONDS.
	 */
	if (conf_get_bool(d->conf, "stated", "enable")) {
		if (evtimer_add(env->ev_drc_wait, &wait) == -1)
			fatalx("evtimer_add");
		stated_client_start(env->sdc);
	} else {
		log_warnx("[stated] enable = no: the reply cache will not "
		    "survive a restart of nfsd");
		env->drc_wait_over = 1;
	}
	bdc_start(env->bdc);
}

static void
nfsd_reload(struct daemon *d)
{
	struct nfsd_env *env = d->env;
	char err[512];

	if (rpcsvc_configure(env->svc, d->conf, "nfsd") == -1)
		log_warnx("the idle connection timer was not set again");
	env->mounts_per_client = (size_t)conf_get_int(d->conf, "nfsd",
	    "mount list per client");
	env->mounts_max = (size_t)conf_get_int(d->conf, "nfsd",
	    "mount list size");
	if (env->gss != NULL)
		rpcsec_gss_set_per_host(env->gss, (size_t)conf_get_int(
		    d->conf, "nfsd", "gss contexts in creation per host"));
	nfsd_v4_configure(env);
	if (conf_get_bool(d->conf, "nfsd", "nfsv4") != env->v4_enabled)
		log_warnx("nfsv4 changes at the next start of nfsd, not at a "
		    "reload");
	if (export_table_load(&env->exports, d->conf, err, sizeof(err)) ==
	    -1) {
		log_warnx("exports not reloaded: %s", err);
		return;
	}
	log_info("%zu export(s)", env->exports.nexports);
	if (bdc_ready(env->bdc))
		nfsd_roots_refresh(env);
}

static void
nfsd_stop(struct daemon *d)
{
	struct nfsd_env *env = d->env;

	/* At a clean stop; a restart registers again. */
	rpcbind_close(env->rpcbind, "NFS and MOUNT");
	env->rpcbind = NULL;
	rpcsvc_free(env->svc);
	env->svc = NULL;
	rpcsec_gss_free(env->gss);
	env->gss = NULL;
	syncer_free(env->syncer);
	env->syncer = NULL;
}

void
nfsd_sync(struct nfsd_env *env, struct fhnode *n, int full,
    void (*done)(void *, int), void *arg)
{
	n->unsynced = 0;
	syncer_sync(env->syncer, n->io->fd, full, done, arg);
}

void
nfsd_sync_failed(struct nfsd_env *env, const uint8_t *fh, size_t fhlen,
    const char *peer, const char *what, int err)
{
	struct fhnode *n;

	log_warnx("%s: %s: sync: %s", peer, what, strerror(err));
	if ((n = fhcache_get(env->fhcache, fh, fhlen)) != NULL)
		n->unsynced = 1;
}

static const char *
nfsd_v3_name(size_t i)
{
	return nfs3_rpc_procs[i].name;
}

static const char *
nfsd_v4_name(size_t i)
{
	return i == 0 ? "unknown" : nfs4_op_name((uint32_t)i);
}

static void
nfsd_status(struct daemon *d, char *buf, size_t len)
{
	struct nfsd_env *env = d->env;
	size_t nodes = 0, fds = 0, names = 0, lists = 0, ents = 0;
	char calls[512], v3[512], v4[1024], deleg[256], gss[256], back[256];
	struct rpcsec_gss_stats gs;
	size_t v41_bytes = 0, v41_sessions;
	uint64_t async = 0, inline_ = 0;
	struct rpcsvc_stats st = { 0 };

	if (env->fhcache != NULL)
		nodes = fhcache_count(env->fhcache, &fds);
	if (env->namecache != NULL)
		names = namecache_count(env->namecache);
	if (env->dircache != NULL)
		lists = dircache_count(env->dircache, &ents);
	if (env->svc != NULL)
		rpcsvc_stats_get(env->svc, &st);
	bdc_calls_text(env->bdc, calls, sizeof(calls));
	util_counts_text(v3, sizeof(v3), env->v3_calls, NFS3_NPROC,
	    nfsd_v3_name);
	util_counts_text(v4, sizeof(v4), env->v4_ops, NFSD_V4_OPS,
	    nfsd_v4_name);
	if (env->syncer != NULL)
		syncer_counts(env->syncer, &async, &inline_);
	nfs4_deleg_status(env, deleg, sizeof(deleg));
	nfs41_back_status(env, back, sizeof(back));
	if (env->gss != NULL) {
		rpcsec_gss_stats_get(env->gss, &gs);
		snprintf(gss, sizeof(gss), "%zu context(s), %llu made, %llu "
		    "refused, %llu fetched back from gssd, %llu destroyed, "
		    "%llu expired; dropped (replays, window) %llu, bad "
		    "verifiers %llu, bad bodies %llu, INITs over the per-host "
		    "limit %llu", gs.contexts, (unsigned long long)gs.created,
		    (unsigned long long)gs.refused,
		    (unsigned long long)gs.fetched,
		    (unsigned long long)gs.destroyed,
		    (unsigned long long)gs.expired,
		    (unsigned long long)gs.dropped,
		    (unsigned long long)gs.bad_verf,
		    (unsigned long long)gs.bad_body,
		    (unsigned long long)gs.limited);
	} else
		snprintf(gss, sizeof(gss), "off ([gssd] enable = no)");
	v41_sessions = nfs41_mirror_count(env->v41, &v41_bytes);
	snprintf(buf, len, "NFSv3 port %u, MOUNT port %u; %zu export(s); "
	    "%zu connection(s), %zu bytes of output queued, %llu "
	    "refused; blockd %s; stated %s; %zu handle(s) cached, "
	    "%zu fd(s) held, %zu name(s), %zu listing(s) of %zu entries; "
	    "DRC %zu%s; %llu call(s), %llu bad, %llu read(s) and %llu "
	    "write(s) on connections; syncs %llu off the loop, "
	    "%llu on it; NFSv4 stateids: %llu checked by stated, %llu "
	    "from the cache (%zu cached), %llu renewal(s); NFSv4 READs "
	    "with file data %llu; NFSv4 GETATTR, LOOKUP, ACCESS from the "
	    "caches %llu; to blockd: %s; "
	    "NFSv3 calls: %s; NFSv4 ops: %s; delegations: %s; "
	    "NFSv4.1 %s: %zu session(s) mirrored, %zu reply bytes kept, "
	    "%llu loaded from stated, %llu retries answered from the "
	    "mirror, %llu slot(s) done, %llu not told to stated, "
	    "backchannels: %s; RPCSEC_GSS: %s",
	    env->nfs_port,
	    env->mount_port, env->exports.nexports, st.open, st.out_queued,
	    (unsigned long long)st.refused,
	    env->bdc != NULL && bdc_ready(env->bdc) ? "connected" :
	    "not connected",
	    env->sdc != NULL && stated_client_ready(env->sdc) ? "connected" :
	    "not connected", nodes, fds, names, lists, ents,
	    env->drc != NULL ? drc_count(env->drc) : 0,
	    stated_client_drc_loaded(env->sdc) ? " (read back from stated)" :
	    "",
	    (unsigned long long)st.calls,
	    (unsigned long long)st.garbage, (unsigned long long)st.reads,
	    (unsigned long long)st.writes, (unsigned long long)async,
	    (unsigned long long)inline_, (unsigned long long)env->v4_checks,
	    (unsigned long long)env->v4_check_hits,
	    nfs4_stateid_cache_count(env->v4_stateids),
	    (unsigned long long)env->v4_renews,
	    (unsigned long long)env->v4_read_file,
	    (unsigned long long)env->v4_cache_answers, calls, v3, v4, deleg,
	    env->v4_enabled && env->v41_enabled ? "on" : "off", v41_sessions,
	    v41_bytes, (unsigned long long)env->v41_loads,
	    (unsigned long long)env->v41_replays,
	    (unsigned long long)env->v41_slot_dones,
	    (unsigned long long)env->v41_slot_dones_lost, back, gss);
}

static const struct ipc_handler nfsd_ctl_handlers[] = {
	{ NFSD_CTL_SESSIONS, IPC_ROLE_BIT(IPC_ROLE_CTL), nfsd_ctl_sessions },
};

static const struct daemon_def nfsd_def = {
	.name = "nfsd",
	.role = IPC_ROLE_NFSD,
	.chroot = DAEMON_CHROOT_RUN,
	.syscalls = nfsd_syscalls,
	.socket_families = SANDBOX_AF_NETWORK,
	.pre_init = nfsd_pre_init,
	.post_init = nfsd_post_init,
	.reload = nfsd_reload,
	.stop = nfsd_stop,
	.status = nfsd_status,
	.awaiting = nfsd_awaiting,
	.ctl_handlers = nfsd_ctl_handlers,
	.nctl_handlers = sizeof(nfsd_ctl_handlers) /
	    sizeof(nfsd_ctl_handlers[0]),
};

int
main(int argc, char *argv[])
{
	struct nfsd_env env;

	memset(&env, 0, sizeof(env));
	env.nfs_tcp = env.mount_tcp = env.mount_udp = -1;
	return daemon_main(argc, argv, &nfsd_def, &env);
}
