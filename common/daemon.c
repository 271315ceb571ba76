/*
 * The shared daemon lifecycle.  Order (DESIGN.md section 6): options ->
 * config -> directories, sockets and the daemon's pre_init with
 * privileges -> sandbox -> post_init -> READY=1 -> event loop.
 */
#define _GNU_SOURCE
#include "config.h"
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "util.h"

#if defined(__SANITIZE_ADDRESS__)
/*
 * --enable-sanitizers: LeakSanitizer's exit-time scan needs prctl, clone,
 * ptrace and /proc, which the seccomp allowlist and the chroot deny, so
 * a sandboxed daemon would die of SIGSYS on its way out.  Leak checking
 * is off for the daemons by default; ASAN_OPTIONS can still turn it on.
 */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

#define SD_LISTEN_FDS_START 3

static void
daemon_usage(const struct daemon_def *def)
{
	fprintf(stderr, "usage: dittofs-%s [-dnvV] [-f file]\n", def->name);
	exit(2);
}

const char *
daemon_section_get(struct daemon *d, const char *key)
{
	return conf_get(d->conf, d->def->name, key);
}

static void
daemon_apply_log_level(struct daemon *d)
{
	enum log_level level = LOG_LEVEL_INFO;
	const char *text = daemon_section_get(d, "log level");

	if (text != NULL)
		log_level_parse(text, &level);
	if (d->verbose)
		level = LOG_LEVEL_DEBUG;
	log_set_level(level);
}

uid_t
daemon_role_uid(struct daemon *d, enum ipc_role role)
{
	if ((unsigned int)role >= IPC_ROLE_COUNT)
		return (uid_t)-1;
	return d->role_uid[role];
}

/*
 * Before the chroot, while /etc/passwd is in reach: the uid of every
 * role with a configured user (development: ours for all of them).
 */
static void
daemon_resolve_roles(struct daemon *d)
{
	struct sandbox_ids ids;
	const char *user;
	unsigned int role;

	for (role = 0; role < IPC_ROLE_COUNT; role++) {
		d->role_uid[role] = (uid_t)-1;
		if (d->start == DAEMON_START_DEV) {
			d->role_uid[role] = geteuid();
			continue;
		}
		user = conf_get(d->conf, ipc_role_name((enum ipc_role)role),
		    "user");
		if (user == NULL)
			continue;
		if (sandbox_resolve_user(user, &ids) == -1)
			log_warn("user %s for role %s", user,
			    ipc_role_name((enum ipc_role)role));
		else
			d->role_uid[role] = ids.uid;
	}
}

void
daemon_allow_peer(struct daemon *d, enum ipc_role role, int accept_fds)
{
	uid_t uid = daemon_role_uid(d, role);

	if (uid == (uid_t)-1 || d->npolicy == DAEMON_POLICY_MAX)
		return;
	d->policy[d->npolicy].role = role;
	d->policy[d->npolicy].uid = uid;
	d->policy[d->npolicy].accept_fds = accept_fds;
	d->npolicy++;
}

/* systemd socket activation: LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES. */
static void
daemon_collect_listen_fds(struct daemon *d)
{
	const char *pid = getenv("LISTEN_PID");
	const char *fds = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES");
	long n, i;
	char *copy = NULL, *save = NULL, *name;

	if (pid == NULL || fds == NULL || atol(pid) != (long)getpid())
		return;
	n = atol(fds);
	if (n < 0 || n > DAEMON_LISTEN_MAX)
		fatalx("LISTEN_FDS=%s: too many", fds);
	if (n > 0 && (d->listen_fds = calloc((size_t)n,
	    sizeof(*d->listen_fds))) == NULL)
		fatal("LISTEN_FDS");
	if (names != NULL && (copy = strdup(names)) == NULL)
		fatal("strdup");
	name = copy ? strtok_r(copy, ":", &save) : NULL;
	for (i = 0; i < n; i++) {
		struct daemon_listen_fd *l = &d->listen_fds[d->nlisten_fds++];

		l->fd = SD_LISTEN_FDS_START + (int)i;
		if (fcntl(l->fd, F_SETFD, FD_CLOEXEC) == -1)
			fatal("LISTEN_FDS fd %d", l->fd);
		snprintf(l->name, sizeof(l->name), "%s",
		    name != NULL ? name : "unknown");
		name = name ? strtok_r(NULL, ":", &save) : NULL;
	}
	free(copy);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

int
daemon_take_listen_fd(struct daemon *d, const char *name)
{
	size_t i;
	int fd;

	for (i = 0; i < d->nlisten_fds; i++) {
		if (d->listen_fds[i].fd != -1 &&
		    strcmp(d->listen_fds[i].name, name) == 0) {
			fd = d->listen_fds[i].fd;
			d->listen_fds[i].fd = -1;
			return fd;
		}
	}
	return -1;
}

int
daemon_listen_unix(struct daemon *d, const char *leaf)
{
	char path[PATH_MAX];
	int fd;

	if ((fd = daemon_take_listen_fd(d, leaf)) != -1) {
		int fl = fcntl(fd, F_GETFL);

		if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
			fatal("%s: fcntl", leaf);
		log_info("%s: socket passed by the service manager", leaf);
		return fd;
	}
	if (conf_run_path(d->conf, leaf, path, sizeof(path)) == -1)
		fatal("%s", leaf);
	fd = ipc_listen_unix(path, d->group != (gid_t)-1 ? 0660 : 0600,
	    d->group);
	if (fd == -1)
		fatal("listen on %s", path);
	return fd;
}

/* sd_notify(3)'s datagram protocol; the socket is opened before chroot. */
static void
daemon_notify_open(struct daemon *d)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;

	d->notify_fd = -1;
	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("NOTIFY_SOCKET too long");
		return;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(path));
	d->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (d->notify_fd == -1 ||
	    connect(d->notify_fd, (struct sockaddr *)&sun, len) == -1) {
		log_warn("NOTIFY_SOCKET %s", path);
		if (d->notify_fd != -1)
			close(d->notify_fd);
		d->notify_fd = -1;
	}
	unsetenv("NOTIFY_SOCKET");
}

void
daemon_notify(struct daemon *d, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (d->notify_fd == -1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n <= 0 || (size_t)n >= sizeof(buf))
		return;
	if (send(d->notify_fd, buf, (size_t)n, MSG_NOSIGNAL) == -1)
		log_warn("sd_notify");
}

int
daemon_notify_fd(struct daemon *d, int fd, const char *fmt, ...)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct cmsghdr *cm;
	struct msghdr mh;
	struct iovec iov;
	char buf[512];
	va_list ap;
	int n;

	if (d->notify_fd == -1)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n <= 0 || (size_t)n >= sizeof(buf))
		return -1;
	memset(&mh, 0, sizeof(mh));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = buf;
	iov.iov_len = (size_t)n;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd != -1) {
		mh.msg_control = cmsgbuf.buf;
		mh.msg_controllen = sizeof(cmsgbuf.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	if (sendmsg(d->notify_fd, &mh, MSG_NOSIGNAL) == -1) {
		log_warn_rl("sd_notify (%.40s)", buf);
		return -1;
	}
	return 0;
}

void
daemon_status_fill(struct daemon *d, struct ipc_status_reply *st,
    char *detail, size_t detail_len)
{
	memset(st, 0, sizeof(*st));
	st->name = (char *)d->def->name;
	st->software = (char *)PACKAGE_VERSION;
	st->pid = (u_int)getpid();
	st->uid = (u_int)getuid();
	st->gid = (u_int)getgid();
	st->start_time = d->start_time;
	st->privileges_dropped = d->sandbox.privileges_dropped;
	st->chroot = d->sandbox.chroot;
	st->seccomp = d->sandbox.seccomp;
	st->seccomp_debug = d->sandbox.seccomp_debug;
	detail[0] = '\0';
	if (d->def->status != NULL)
		d->def->status(d, detail, detail_len);
	st->detail = detail;
}

static void
daemon_ctl_status(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct daemon *d = ipc_peer_server_arg(peer);
	struct ipc_status_reply st;
	struct ipc_status_peer *peers = NULL;
	struct ipc_peer *p;
	char detail[IPC_DETAIL_MAX];
	size_t n = 0;

	daemon_status_fill(d, &st, detail, sizeof(detail));
	if (d->service != NULL && ipc_server_peer_count(d->service) > 0) {
		peers = calloc(ipc_server_peer_count(d->service),
		    sizeof(*peers));
		if (peers == NULL) {
			ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM,
			    NULL);
			return;
		}
		for (p = ipc_server_peer_first(d->service); p != NULL;
		    p = ipc_server_peer_next(p)) {
			if (ipc_peer_role(p) == IPC_ROLE_NONE)
				continue;
			peers[n].role = ipc_peer_role(p);
			peers[n].pid = (u_int)ipc_peer_pid(p);
			peers[n].uid = (u_int)ipc_peer_uid(p);
			peers[n].name = (char *)ipc_peer_name(p);
			n++;
		}
	}
	st.peers.peers_len = (u_int)n;
	st.peers.peers_val = peers;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, IPC_CTL_STATUS_REPLY, -1,
	    (xdrproc_t)xdr_ipc_status_reply, &st);
	free(peers);
}

static int
daemon_apply_conf(struct daemon *d, struct conf *conf)
{
	conf_free(d->conf);
	d->conf = conf;
	daemon_apply_log_level(d);
	if (d->def->reload != NULL)
		d->def->reload(d);
	log_info("configuration reloaded from %s", conf->path);
	return 0;
}

static void
daemon_ctl_reload(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct daemon *d = ipc_peer_server_arg(peer);
	struct ipc_ctl_reload req;
	struct conf *conf;
	char err[512];

	memset(&req, 0, sizeof(req));
	if (ipc_decode(msg, (xdrproc_t)xdr_ipc_ctl_reload, &req) == -1) {
		ipc_reply_error(ipc_peer_channel(peer), msg, EBADMSG, NULL);
		return;
	}
	conf = conf_parse_string(req.text, req.path, err, sizeof(err));
	if (conf == NULL) {
		log_warnx("reload refused: %s", err);
		ipc_reply_error(ipc_peer_channel(peer), msg, EINVAL, err);
	} else {
		daemon_apply_conf(d, conf);
		ipc_send(ipc_peer_channel(peer), IPC_CTL_OK, msg->hdr.id,
		    IPC_F_REPLY, -1, NULL, 0);
	}
	xdr_free((xdrproc_t)xdr_ipc_ctl_reload, &req);
}

/* Does the daemon's seccomp list let it open a file (the config)? */
static int
daemon_may_open(const struct daemon *d)
{
	const char *const *p;

	for (p = d->def->syscalls; p != NULL && *p != NULL; p++)
		if (strcmp(*p, "openat") == 0)
			return 1;
	return 0;
}

static void
daemon_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	struct conf *conf;
	char err[512];

	switch (sig) {
	case SIGHUP:
		/* Its seccomp filter would kill it at the open: say so. */
		if (!daemon_may_open(d)) {
			log_warnx("reload: SIGHUP ignored, %s cannot open "
			    "files here; use dittofsctl reload %s",
			    d->def->name, d->def->name);
			return;
		}
		conf = conf_load(d->conf_path, err, sizeof(err));
		if (conf == NULL) {
			log_warnx("reload: %s%s", err, d->sandbox.chroot[0] ?
			    " (inside a chroot use dittofsctl reload)" : "");
			return;
		}
		daemon_apply_conf(d, conf);
		return;
	case SIGTERM:
	case SIGINT:
		log_info("stopping on signal %d", (int)sig);
		daemon_notify(d, "STOPPING=1");
		if (d->def->stop != NULL)
			d->def->stop(d);
		event_base_loopexit(d->base, NULL);
		return;
	}
}

void
daemon_serve(struct daemon *d, const char *leaf,
    const struct ipc_handler *handlers, size_t nhandlers)
{
	int fd = daemon_listen_unix(d, leaf);

	d->service = ipc_server_new(d->base, fd, d->def->role, d->def->name,
	    handlers, nhandlers, d->policy, d->npolicy, d);
	if (d->service == NULL)
		fatalx("%s: cannot serve", leaf);
}

static void
daemon_ctl_open(struct daemon *d)
{
	static const struct ipc_handler common[] = {
		{ IPC_CTL_STATUS, IPC_ROLE_BIT(IPC_ROLE_CTL),
		    daemon_ctl_status },
		{ IPC_CTL_RELOAD, IPC_ROLE_BIT(IPC_ROLE_CTL),
		    daemon_ctl_reload },
	};
	static struct ipc_peer_policy policy[2];
	size_t ncommon = sizeof(common) / sizeof(common[0]), n;
	char leaf[64];
	int fd;

	n = ncommon + d->def->nctl_handlers;
	if ((d->ctl_table = calloc(n, sizeof(*d->ctl_table))) == NULL)
		fatal("calloc");
	memcpy(d->ctl_table, common, sizeof(common));
	if (d->def->nctl_handlers > 0)
		memcpy(d->ctl_table + ncommon, d->def->ctl_handlers,
		    d->def->nctl_handlers * sizeof(*d->ctl_table));
	/* root, and the invoking user when that is not root. */
	policy[0].role = IPC_ROLE_CTL;
	policy[0].uid = 0;
	policy[1].role = IPC_ROLE_CTL;
	policy[1].uid = geteuid();
	snprintf(leaf, sizeof(leaf), "%s.ctl", d->def->name);
	fd = daemon_listen_unix(d, leaf);
	d->ctl = ipc_server_new(d->base, fd, d->def->role, d->def->name,
	    d->ctl_table, n, policy, 2, d);
	if (d->ctl == NULL)
		fatalx("%s: cannot serve", leaf);
}

const char *
daemon_start_name(enum daemon_start start)
{
	switch (start) {
	case DAEMON_START_ROOT:
		return "root";
	case DAEMON_START_SERVICE:
		return "service";
	case DAEMON_START_DEV:
		break;
	}
	return "development";
}

/* ROOT, SERVICE or DEV: see daemon.h. */
static enum daemon_start
daemon_start_mode(struct daemon *d)
{
	const char *user = daemon_section_get(d, "user");
	struct sandbox_ids ids;

	if (geteuid() == 0)
		return DAEMON_START_ROOT;
	if (user != NULL && sandbox_resolve_user(user, &ids) == 0 &&
	    ids.uid == geteuid())
		return DAEMON_START_SERVICE;
	return DAEMON_START_DEV;
}

/*
 * As root: the run directory is root's and the suite group's (0750; the
 * daemons make their sockets before they change user), the state
 * directory the daemon user's.  As the service user, the run directory
 * is the one tmpfiles.d made (1770 root:dittofs: every daemon adds its
 * sockets, none removes another's) and the state directory its own.
 */
static void
daemon_prepare_dirs(struct daemon *d)
{
	const char *user = daemon_section_get(d, "user");
	const char *group = conf_get(d->conf, "global", "group");
	const char *data;
	struct sandbox_ids ids;
	int root = geteuid() == 0;

	snprintf(d->run_dir, sizeof(d->run_dir), "%s",
	    conf_get(d->conf, "global", "run directory"));
	data = strcmp(d->def->name, "blockd") == 0 ?
	    daemon_section_get(d, "data directory") : NULL;
	if (data != NULL)
		snprintf(d->state_dir, sizeof(d->state_dir), "%s", data);
	else if (conf_state_path(d->conf, d->def->name, d->state_dir,
	    sizeof(d->state_dir)) == -1)
		fatal("state directory");
	d->group = (gid_t)-1;
	ids.uid = (uid_t)-1;
	ids.gid = (gid_t)-1;
	if (d->start != DAEMON_START_DEV &&
	    util_lookup_group(group, &d->group) == -1)
		fatal("group %s (create it, e.g. with systemd-sysusers)",
		    group);
	if (root && sandbox_resolve_user(user, &ids) == -1)
		fatal("user %s (create it, e.g. with systemd-sysusers)", user);
	if (root) {
		if (util_mkdir(d->run_dir, 0750, 0, d->group) == -1)
			fatal("run directory %s", d->run_dir);
	} else if (util_mkdir(d->run_dir, d->start == DAEMON_START_SERVICE ?
	    01770 : 0700, (uid_t)-1, d->group) == -1)
		fatal("run directory %s", d->run_dir);
	if (util_mkdir(d->state_dir, 0700, ids.uid, ids.gid) == -1)
		fatal("state directory %s", d->state_dir);
}

uint64_t
daemon_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * The event loop.  While requests on IPC await their replies, look for
 * ready events without sleeping for up to busy_poll_us first: on these
 * machines waking a process that sleeps on another CPU costs 50-70 us,
 * more than blockd takes to answer most requests (bench/README.md).
 */
static void
daemon_loop(struct daemon *d)
{
	cpu_set_t cpus;
	uint64_t until;
	int rc;

	/*
	 * On one CPU the peer can only answer once this process sleeps, so
	 * polling delays it (measured: LOOKUP p50 280 us without the poll,
	 * 344-399 us with it, nfsd and blockd both on one CPU).
	 */
	if (d->busy_poll_us > 0 &&
	    sched_getaffinity(0, sizeof(cpus), &cpus) == 0 &&
	    CPU_COUNT(&cpus) < 2) {
		log_info("one CPU to run on: busy poll off");
		d->busy_poll_us = 0;
	}
	for (;;) {
		if (d->busy_poll_us > 0 && d->def->awaiting != NULL &&
		    d->def->awaiting(d) > 0) {
			until = daemon_usec() + d->busy_poll_us;
			do {
				if (event_base_loop(d->base,
				    EVLOOP_NONBLOCK) == -1)
					fatalx("event loop failed");
				if (event_base_got_exit(d->base) ||
				    event_base_got_break(d->base))
					return;
			} while (d->def->awaiting(d) > 0 &&
			    daemon_usec() < until);
		}
		if ((rc = event_base_loop(d->base, EVLOOP_ONCE)) == -1)
			fatalx("event loop failed");
		if (rc == 1 || event_base_got_exit(d->base) ||
		    event_base_got_break(d->base))
			return;
	}
}

/*
 * A READ's or WRITE's megabyte is allocated and freed per request.
 * glibc gives freed memory at the top of the heap back (brk) past 128
 * KiB, and maps blocks past its threshold afresh, so every request
 * faulted in 256 new pages or more: the most of an SMB READ's time here.
 * Freed memory stays mapped up to DAEMON_HEAP_KEEP, for the next one.
 */
#define DAEMON_HEAP_KEEP	(64 * 1024 * 1024)
#define DAEMON_MMAP_ABOVE	(16 * 1024 * 1024)

static void
daemon_malloc_tune(void)
{
	if (mallopt(M_TRIM_THRESHOLD, DAEMON_HEAP_KEEP) != 1 ||
	    mallopt(M_MMAP_THRESHOLD, DAEMON_MMAP_ABOVE) != 1)
		log_warnx("mallopt: the heap keeps its defaults");
}

int
daemon_main(int argc, char **argv, const struct daemon_def *def, void *env)
{
	static const int signals[] = { SIGTERM, SIGINT, SIGHUP };
	struct daemon d;
	struct sandbox_spec spec;
	char ident[64], err[1024];
	int ch, check_only = 0;
	size_t i;

	daemon_malloc_tune();
	memset(&d, 0, sizeof(d));
	d.def = def;
	d.env = env;
	d.notify_fd = -1;
	d.conf_dirfd = -1;
	snprintf(d.conf_path, sizeof(d.conf_path), "%s", CONF_DEFAULT_PATH);
	while ((ch = getopt(argc, argv, "df:nvV")) != -1) {
		switch (ch) {
		case 'd':
			d.foreground = 1;
			break;
		case 'f':
			if (snprintf(d.conf_path, sizeof(d.conf_path), "%s",
			    optarg) >= (int)sizeof(d.conf_path))
				fatalx("config path too long");
			break;
		case 'n':
			check_only = 1;
			d.foreground = 1;
			break;
		case 'v':
			d.verbose++;
			break;
		case 'V':
			printf("dittofs-%s %s\n", def->name, PACKAGE_VERSION);
			return 0;
		default:
			daemon_usage(def);
		}
	}
	if (optind != argc)
		daemon_usage(def);
	snprintf(ident, sizeof(ident), "dittofs-%s", def->name);
	log_init(ident, d.foreground, d.verbose ? LOG_LEVEL_DEBUG :
	    LOG_LEVEL_INFO);
	if ((d.conf = conf_load(d.conf_path, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (check_only) {
		printf("%s: configuration OK\n", d.conf_path);
		return 0;
	}
	daemon_apply_log_level(&d);
	if (!conf_get_bool(d.conf, def->name, "enable")) {
		log_info("disabled in %s ([%s] enable = no)", d.conf_path,
		    def->name);
		/* Under systemd a clean exit before READY=1 is a failure. */
		daemon_notify_open(&d);
		daemon_notify(&d, "READY=1\nSTATUS=disabled ([%s] enable = no)",
		    def->name);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	d.start_time = time(NULL);
	/*
	 * Events run at DAEMON_PRIORITY_NORMAL unless set otherwise; one
	 * at DAEMON_PRIORITY_IDLE runs only in a loop turn with nothing
	 * else to do, i.e. after the replies of the turns before it left.
	 */
	if ((d.base = event_base_new()) == NULL ||
	    event_base_priority_init(d.base, DAEMON_PRIORITIES) == -1)
		fatalx("event_base_new");
	d.start = daemon_start_mode(&d);
	daemon_resolve_roles(&d);
	if (d.start == DAEMON_START_SERVICE)
		log_info("started as its user %s (service mode)",
		    daemon_section_get(&d, "user"));
	daemon_collect_listen_fds(&d);
	daemon_notify_open(&d);
	daemon_prepare_dirs(&d);
	daemon_ctl_open(&d);
	if (def->pre_init != NULL)
		def->pre_init(&d);

	memset(&spec, 0, sizeof(spec));
	spec.user = daemon_section_get(&d, "user");
	spec.service = d.start == DAEMON_START_SERVICE;
	switch (def->chroot) {
	case DAEMON_CHROOT_STATE:
		spec.chroot_dir = d.state_dir;
		break;
	case DAEMON_CHROOT_RUN:
		spec.chroot_dir = d.run_dir;
		break;
	case DAEMON_CHROOT_NONE:
		break;
	}
	spec.syscalls = def->syscalls;
	spec.socket_families = def->socket_families | SANDBOX_AF_UNIX;
	spec.seccomp_debug = conf_get_bool(d.conf, def->name, "sandbox debug");
	sandbox_enter(&spec, &d.sandbox);
	d.uid = d.sandbox.uid;
	d.gid = d.sandbox.gid;
	log_info("sandboxed: uid %u gid %u%s%s, no capabilities, "
	    "no_new_privs, seccomp%s", (unsigned)d.uid, (unsigned)d.gid,
	    d.sandbox.chroot[0] ? ", chroot " : "", d.sandbox.chroot,
	    d.sandbox.seccomp_debug ? " (debug)" : "");

	if (def->post_init != NULL)
		def->post_init(&d);
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		d.ev_signals[i] = evsignal_new(d.base, signals[i],
		    daemon_signal_cb, &d);
		if (d.ev_signals[i] == NULL ||
		    evsignal_add(d.ev_signals[i], NULL) == -1)
			fatalx("signal %d", signals[i]);
	}
	for (i = 0; i < d.nlisten_fds; i++)
		if (d.listen_fds[i].fd != -1)
			log_warnx("socket %s passed but not used",
			    d.listen_fds[i].name);
	daemon_notify(&d, "READY=1\nSTATUS=serving\nMAINPID=%d",
	    (int)getpid());
	log_info("ready");
	daemon_loop(&d);

	ipc_server_free(d.service);
	ipc_server_free(d.ctl);
	free(d.ctl_table);
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		event_free(d.ev_signals[i]);
	event_base_free(d.base);
	conf_free(d.conf);
	if (d.notify_fd != -1)
		close(d.notify_fd);
	free(d.listen_fds);
	log_info("stopped");
	return 0;
}
