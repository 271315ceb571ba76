/*
 * dittofs-run main.  Back ends (blockd, stated) start first; the front
 * ends start when every back end has said READY=1 on the notify socket,
 * which dittofs-run provides as systemd would (NOTIFY_SOCKET).
 */
#define _GNU_SOURCE
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "run.h"
#include "util.h"

/* In start order; the first ones are back ends. */
static const struct {
	const char	*name;
	int		 backend;
} run_daemons[] = {
	{ "blockd", 1 },
	{ "stated", 1 },
	/* gssd: front ends' logins; they re-dial it, so it starts with them. */
	{ "gssd", 0 },
	{ "statd", 0 },
	{ "lockd", 0 },
	{ "nfsd", 0 },
	{ "smbd", 0 },
};

/*
 * The network sockets a front end serves.  dittofs-run binds them once
 * and passes them at every start (LISTEN_FDS, as systemd's .socket
 * units do), so while a front end restarts, clients wait in the listen
 * backlog instead of being refused.  A row whose port equals the
 * "unless same as" key's port is skipped (MOUNT on the NFS port).
 */
static const struct run_listen {
	const char	*daemon;
	const char	*name;		/* the daemon's daemon_take_listen_fd */
	const char	*port_key;
	int		 type;		/* SOCK_STREAM or SOCK_DGRAM */
	const char	*unless_same_as;
} run_listens[] = {
	{ "nfsd", "nfs", "port", SOCK_STREAM, NULL },
	{ "nfsd", "mount", "mount port", SOCK_STREAM, "port" },
	{ "nfsd", "mount-udp", "mount port", SOCK_DGRAM, "port" },
	{ "smbd", "smb", "port", SOCK_STREAM, NULL },
};

/*
 * Who may keep descriptors in dittofs-run's file descriptor store, and
 * how many: smbd its client connections (smbd/fdstore.c), at most its
 * [smbd] max connections, and never more than RUN_STORE_MAX (their
 * names must fit in one LISTEN_FDNAMES variable).
 */
static const struct run_fdstore {
	const char	*daemon;
	const char	*max_key;
} run_fdstores[] = {
	{ "smbd", "max connections" },
};

#define RUN_STORE_MAX		1024
#define RUN_STORE_NAME_MAX	63	/* a daemon's listen fd name */
/* Descriptors one notify message may carry. */
#define RUN_NOTIFY_FDS		8

#define RUN_STOP_GRACE_SECONDS	10
#define RUN_STABLE_SECONDS	60

/* The limit dittofs-run was given, which the daemons start with. */
static struct rlimit run_nofile;

static void	run_start_child(struct run_child *);
static void	run_notify_cb(evutil_socket_t, short, void *);
static void	run_start_front_ends(struct run_env *);

static void
run_usage(void)
{
	fprintf(stderr, "usage: dittofs-run [-nvV] [-b bindir] [-f file]\n");
	exit(2);
}

static struct run_child *
run_child_by_pid(struct run_env *env, pid_t pid)
{
	size_t i;

	for (i = 0; i < env->nchildren; i++)
		if (env->children[i].pid == pid)
			return &env->children[i];
	return NULL;
}

static int
run_backends_ready(struct run_env *env)
{
	size_t i;

	for (i = 0; i < env->nchildren; i++)
		if (env->children[i].backend &&
		    env->children[i].state != RUN_CHILD_READY)
			return 0;
	return 1;
}

/*
 * In the child, before exec: the listening sockets, then the stored
 * descriptors, at fd 3.. as sd_listen_fds(3) wants them.
 */
static void
run_pass_listen_fds(struct run_child *c)
{
	size_t n = c->nlisten + c->nstore, i;
	char *names, num[32];
	int *high, base;

	if (n == 0)
		return;
	if ((names = calloc(n, RUN_STORE_NAME_MAX + 2)) == NULL ||
	    (high = calloc(n, sizeof(*high))) == NULL)
		_exit(126);
	/* Move them out of the way first, then down to 3, 4, ... */
	base = 3 + (int)n > 64 ? 3 + (int)n : 64;
	for (i = 0; i < n; i++) {
		int fd = i < c->nlisten ? c->listen_fds[i] :
		    c->store[i - c->nlisten].fd;

		if ((high[i] = fcntl(fd, F_DUPFD, base)) == -1)
			_exit(126);
	}
	for (i = 0; i < n; i++) {
		if (dup2(high[i], 3 + (int)i) == -1)
			_exit(126);
		close(high[i]);
		if (i > 0)
			strcat(names, ":");
		strcat(names, i < c->nlisten ? c->listen_names[i] :
		    c->store[i - c->nlisten].name);
	}
	snprintf(num, sizeof(num), "%zu", n);
	setenv("LISTEN_FDS", num, 1);
	snprintf(num, sizeof(num), "%d", (int)getpid());
	setenv("LISTEN_PID", num, 1);
	setenv("LISTEN_FDNAMES", names, 1);
}

/* NAME=value on a line of a notify message, or NULL. */
static const char *
run_notify_field(const char *msg, const char *name, char *out, size_t len)
{
	size_t nl = strlen(name), vl;
	const char *p = msg, *end;

	while (p != NULL && *p != '\0') {
		end = strchr(p, '\n');
		vl = end != NULL ? (size_t)(end - p) : strlen(p);
		if (vl > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			vl -= nl + 1;
			if (vl >= len)
				return NULL;
			memcpy(out, p + nl + 1, vl);
			out[vl] = '\0';
			return out;
		}
		p = end != NULL ? end + 1 : NULL;
	}
	return NULL;
}

/* NAME=1 on a line of a notify message. */
static int
run_notify_is_set(const char *msg, const char *name)
{
	char v[4];

	return run_notify_field(msg, name, v, sizeof(v)) != NULL &&
	    strcmp(v, "1") == 0;
}

/* A name fit for LISTEN_FDNAMES: printable, no ':', not too long. */
static int
run_fdname_ok(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > RUN_STORE_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~' || name[i] == ':')
			return 0;
	return 1;
}

/*
 * FDSTORE=1 and FDSTOREREMOVE=1 (sd_notify(3)): keep the descriptors a
 * child sent, or drop those of a name.  Whatever is not kept is closed.
 */
static void
run_fdstore_message(struct run_child *c, const char *msg, int *fds,
    size_t nfds)
{
	char name[RUN_FDNAME_MAX + 1];
	size_t i, j;

	if (run_notify_field(msg, "FDNAME", name, sizeof(name)) == NULL)
		snprintf(name, sizeof(name), "stored");
	if (run_notify_is_set(msg, "FDSTOREREMOVE")) {
		for (i = 0, j = 0; i < c->nstore; i++) {
			if (strcmp(c->store[i].name, name) == 0)
				close(c->store[i].fd);
			else
				c->store[j++] = c->store[i];
		}
		c->nstore = j;
	}
	for (i = 0; i < nfds; i++) {
		if (!run_notify_is_set(msg, "FDSTORE") || c->store_max == 0) {
			log_warnx_rl("%s (pid %d) sent a descriptor dittofs-run "
			    "does not keep for it", c->name, (int)c->pid);
			close(fds[i]);
		} else if (!run_fdname_ok(name)) {
			log_warnx_rl("%s: descriptor name not kept: %.64s",
			    c->name, name);
			close(fds[i]);
		} else if (c->nstore == c->store_max) {
			log_warnx_rl("%s: file descriptor store full (%zu)",
			    c->name, c->store_max);
			close(fds[i]);
		} else {
			c->store[c->nstore].fd = fds[i];
			snprintf(c->store[c->nstore].name,
			    sizeof(c->store[0].name), "%s", name);
			c->nstore++;
		}
	}
}

static void
run_bind_listens(struct run_env *env, struct run_child *c)
{
	const char *addr = conf_get(env->conf, c->name, "address");
	size_t i;

	for (i = 0; i < sizeof(run_listens) / sizeof(run_listens[0]); i++) {
		const struct run_listen *l = &run_listens[i];
		long long port;
		int fd;

		if (strcmp(l->daemon, c->name) != 0)
			continue;
		port = conf_get_int(env->conf, c->name, l->port_key);
		if (l->unless_same_as != NULL && port ==
		    conf_get_int(env->conf, c->name, l->unless_same_as))
			continue;
		if (c->nlisten == RUN_LISTEN_MAX)
			fatalx("%s: too many sockets", c->name);
		fd = util_listen_inet(addr, (unsigned int)port, l->type);
		if (fd == -1)
			fatal("%s: %s socket on %s port %lld", c->name, l->name,
			    addr, port);
		c->listen_fds[c->nlisten] = fd;
		snprintf(c->listen_names[c->nlisten],
		    sizeof(c->listen_names[0]), "%s", l->name);
		c->nlisten++;
		log_debug("%s: holding %s socket, %s port %lld", c->name,
		    l->name, addr, port);
	}
}

static void
run_start_child(struct run_child *c)
{
	struct run_env *env = c->env;
	char *argv[6];
	int argc = 0;
	pid_t pid;

	argv[argc++] = c->path;
	argv[argc++] = (char *)"-d";
	if (env->verbose)
		argv[argc++] = (char *)"-v";
	argv[argc++] = (char *)"-f";
	argv[argc++] = env->conf_path;
	argv[argc] = NULL;
	pid = fork();
	if (pid == -1) {
		log_warn("fork for %s", c->name);
		c->state = RUN_CHILD_WAITING;
		return;
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (run_nofile.rlim_cur != 0)
			(void)setrlimit(RLIMIT_NOFILE, &run_nofile);
		setenv("NOTIFY_SOCKET", env->notify_path, 1);
		run_pass_listen_fds(c);
		execv(c->path, argv);
		fprintf(stderr, "dittofs-run: exec %s: %s\n", c->path,
		    strerror(errno));
		_exit(127);
	}
	c->pid = pid;
	c->state = RUN_CHILD_STARTING;
	c->started = time(NULL);
	log_info("started %s, pid %d", c->name, (int)pid);
}

static void
run_restart_cb(evutil_socket_t fd, short what, void *arg)
{
	struct run_child *c = arg;

	if (c->env->stopping)
		return;
	/* A front end waits for the back ends, as at first start. */
	if (!c->backend && !run_backends_ready(c->env)) {
		c->state = RUN_CHILD_STOPPED;
		return;
	}
	run_start_child(c);
}

static void
run_child_exited(struct run_child *c, int status)
{
	struct run_env *env = c->env;
	struct timeval tv;
	long delay_min = conf_get_int(env->conf, "run", "restart delay");
	long delay_max = conf_get_int(env->conf, "run", "restart delay max");

	if (WIFSIGNALED(status))
		log_warnx("%s (pid %d) killed by signal %d", c->name,
		    (int)c->pid, WTERMSIG(status));
	else if (!env->stopping || WEXITSTATUS(status) != 0)
		log_warnx("%s (pid %d) exited with status %d", c->name,
		    (int)c->pid, WEXITSTATUS(status));
	c->pid = 0;
	c->state = RUN_CHILD_STOPPED;
	if (env->stopping)
		return;
	/*
	 * A daemon that ran a while comes back at once: its clients are
	 * waiting in the held backlog.  One that keeps dying backs off.
	 */
	if (time(NULL) - c->started >= RUN_STABLE_SECONDS)
		c->delay = 0;
	else if (c->delay == 0)
		c->delay = (unsigned int)delay_min;
	else if (c->delay * 2 <= (unsigned int)delay_max)
		c->delay *= 2;
	else
		c->delay = (unsigned int)delay_max;
	c->restarts++;
	c->state = RUN_CHILD_WAITING;
	tv.tv_sec = c->delay;
	tv.tv_usec = 0;
	log_info("restarting %s in %u s (restart %u)", c->name, c->delay,
	    c->restarts);
	evtimer_add(c->ev_restart, &tv);
}

static int
run_all_stopped(struct run_env *env)
{
	size_t i;

	for (i = 0; i < env->nchildren; i++)
		if (env->children[i].pid != 0)
			return 0;
	return 1;
}

static void
run_reap(struct run_env *env)
{
	struct run_child *c;
	pid_t pid;
	int status;

	/*
	 * What a dead child sent before it died (descriptors to keep) is
	 * read while its pid still names it.
	 */
	run_notify_cb(env->notify_fd, EV_READ, env);
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((c = run_child_by_pid(env, pid)) != NULL)
			run_child_exited(c, status);
	}
	if (env->stopping && run_all_stopped(env))
		event_base_loopexit(env->base, NULL);
}

static void
run_stop_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct run_env *env = arg;
	size_t i;

	for (i = 0; i < env->nchildren; i++)
		if (env->children[i].pid != 0) {
			log_warnx("%s did not stop; killing it",
			    env->children[i].name);
			kill(env->children[i].pid, SIGKILL);
		}
}

static void
run_stop(struct run_env *env)
{
	struct timeval tv = { RUN_STOP_GRACE_SECONDS, 0 };
	size_t i;

	if (env->stopping)
		return;
	env->stopping = 1;
	/* Front ends first, back ends last: reverse start order. */
	for (i = env->nchildren; i-- > 0;) {
		struct run_child *c = &env->children[i];

		evtimer_del(c->ev_restart);
		if (c->pid != 0 && kill(c->pid, SIGTERM) == -1)
			log_warn("kill %s", c->name);
	}
	evtimer_add(env->ev_stop_timeout, &tv);
	if (run_all_stopped(env))
		event_base_loopexit(env->base, NULL);
}

static void
run_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct run_env *env = arg;
	size_t i;

	switch (sig) {
	case SIGCHLD:
		run_reap(env);
		break;
	case SIGTERM:
	case SIGINT:
		log_info("stopping all daemons");
		run_stop(env);
		break;
	case SIGHUP:
		for (i = 0; i < env->nchildren; i++)
			if (env->children[i].pid != 0)
				kill(env->children[i].pid, SIGHUP);
		break;
	}
}

/* READY=1 from a child: credentials say which one. */
static void
run_notify_cb(evutil_socket_t fd, short what, void *arg)
{
	struct run_env *env = arg;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(struct ucred)) +
				    CMSG_SPACE(sizeof(int) * RUN_NOTIFY_FDS)];
	} cmsgbuf;
	struct run_child *c;
	struct cmsghdr *cm;
	struct ucred cred;
	struct msghdr mh;
	struct iovec iov;
	char buf[1024];
	int fds[RUN_NOTIFY_FDS];
	size_t nfds, i, k;
	ssize_t n;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf) - 1;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cmsgbuf.buf;
		mh.msg_controllen = sizeof(cmsgbuf.buf);
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n == -1)
			return;
		buf[n] = '\0';
		cred.pid = 0;
		nfds = 0;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		    cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET)
				continue;
			if (cm->cmsg_type == SCM_CREDENTIALS &&
			    cm->cmsg_len >= CMSG_LEN(sizeof(cred)))
				memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
			else if (cm->cmsg_type == SCM_RIGHTS) {
				k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				for (i = 0; i < k && nfds < RUN_NOTIFY_FDS;
				    i++)
					memcpy(&fds[nfds++], CMSG_DATA(cm) +
					    i * sizeof(int), sizeof(int));
			}
		}
		if ((c = run_child_by_pid(env, cred.pid)) == NULL) {
			for (i = 0; i < nfds; i++)
				close(fds[i]);
			continue;
		}
		if (nfds > 0 || run_notify_is_set(buf, "FDSTOREREMOVE"))
			run_fdstore_message(c, buf, fds, nfds);
		if (strstr(buf, "READY=1") != NULL &&
		    c->state == RUN_CHILD_STARTING) {
			c->state = RUN_CHILD_READY;
			log_info("%s (pid %d) is ready", c->name, (int)c->pid);
			if (c->backend && run_backends_ready(env))
				run_start_front_ends(env);
		}
	}
}

static void
run_start_front_ends(struct run_env *env)
{
	size_t i;

	for (i = 0; i < env->nchildren; i++) {
		struct run_child *c = &env->children[i];

		if (!c->backend && c->state == RUN_CHILD_STOPPED)
			run_start_child(c);
	}
}

static void
run_open_notify(struct run_env *env)
{
	struct sockaddr_un sun;
	int on = 1;

	if (conf_run_path(env->conf, "run.notify", env->notify_path,
	    sizeof(env->notify_path)) == -1)
		fatal("notify socket path");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(env->notify_path) >= sizeof(sun.sun_path))
		fatalx("%s: path too long", env->notify_path);
	strcpy(sun.sun_path, env->notify_path);
	env->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (env->notify_fd == -1)
		fatal("notify socket");
	if (unlink(env->notify_path) == -1 && errno != ENOENT)
		fatal("unlink %s", env->notify_path);
	if (bind(env->notify_fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("bind %s", env->notify_path);
	/* Daemons send READY=1 after dropping to their own users. */
	if (chmod(env->notify_path, 0666) == -1)
		fatal("chmod %s", env->notify_path);
	if (setsockopt(env->notify_fd, SOL_SOCKET, SO_PASSCRED, &on,
	    sizeof(on)) == -1)
		fatal("SO_PASSCRED");
	env->ev_notify = event_new(env->base, env->notify_fd,
	    EV_READ | EV_PERSIST, run_notify_cb, env);
	if (env->ev_notify == NULL || event_add(env->ev_notify, NULL) == -1)
		fatalx("notify event");
}

/* The stored connections: up to the hard limit here (run_raise_nofile). */
static void
run_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("getrlimit");
	run_nofile = rl;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit RLIMIT_NOFILE");
	}
}

static void
run_open_fdstore(struct run_env *env, struct run_child *c)
{
	size_t i;
	long long max;

	for (i = 0; i < sizeof(run_fdstores) / sizeof(run_fdstores[0]); i++) {
		if (strcmp(run_fdstores[i].daemon, c->name) != 0)
			continue;
		max = conf_get_int(env->conf, c->name, run_fdstores[i].max_key);
		c->store_max = max > RUN_STORE_MAX ? RUN_STORE_MAX :
		    max > 0 ? (size_t)max : 0;
		if (c->store_max > 0 &&
		    (c->store = calloc(c->store_max, sizeof(*c->store))) == NULL)
			fatal("%s: descriptor store", c->name);
	}
}

static void
run_collect_children(struct run_env *env)
{
	size_t i;

	for (i = 0; i < sizeof(run_daemons) / sizeof(run_daemons[0]); i++) {
		struct run_child *c;
		char path[PATH_MAX];

		if (!conf_get_bool(env->conf, run_daemons[i].name, "enable"))
			continue;
		if (snprintf(path, sizeof(path), "%s/dittofs-%s", env->bindir,
		    run_daemons[i].name) >= (int)sizeof(path))
			fatalx("bindir too long");
		if (access(path, X_OK) == -1) {
			log_debug("%s: not built or not installed; skipped",
			    path);
			continue;
		}
		c = &env->children[env->nchildren++];
		c->name = run_daemons[i].name;
		c->backend = run_daemons[i].backend;
		snprintf(c->path, sizeof(c->path), "%s", path);
		c->env = env;
		c->ev_restart = evtimer_new(env->base, run_restart_cb, c);
		if (c->ev_restart == NULL)
			fatalx("evtimer_new");
		run_bind_listens(env, c);
		run_open_fdstore(env, c);
	}
	if (env->nchildren == 0)
		fatalx("no daemon to run (bindir %s)", env->bindir);
}

int
main(int argc, char *argv[])
{
	static const int signals[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };
	struct run_env env;
	const char *bindir;
	char err[1024];
	int ch, check_only = 0;
	size_t i;

	memset(&env, 0, sizeof(env));
	snprintf(env.conf_path, sizeof(env.conf_path), "%s",
	    CONF_DEFAULT_PATH);
	bindir = getenv("DITTOFS_SBINDIR");
	snprintf(env.bindir, sizeof(env.bindir), "%s",
	    bindir != NULL ? bindir : SBINDIR);
	while ((ch = getopt(argc, argv, "b:df:nvV")) != -1) {
		switch (ch) {
		case 'b':
			snprintf(env.bindir, sizeof(env.bindir), "%s", optarg);
			break;
		case 'd':
			break;	/* always in the foreground */
		case 'f':
			if (snprintf(env.conf_path, sizeof(env.conf_path),
			    "%s", optarg) >= (int)sizeof(env.conf_path))
				fatalx("config path too long");
			break;
		case 'n':
			check_only = 1;
			break;
		case 'v':
			env.verbose = 1;
			break;
		case 'V':
			printf("dittofs-run %s\n", PACKAGE_VERSION);
			return 0;
		default:
			run_usage();
		}
	}
	if (optind != argc)
		run_usage();
	log_init("dittofs-run", 1, env.verbose ? LOG_LEVEL_DEBUG :
	    LOG_LEVEL_INFO);
	/* The daemons are given an absolute path: they chdir and chroot. */
	if (env.conf_path[0] != '/') {
		char cwd[PATH_MAX], full[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) == NULL)
			fatal("getcwd");
		if (snprintf(full, sizeof(full), "%s/%s", cwd, env.conf_path) >=
		    (int)sizeof(full))
			fatalx("config path too long");
		memcpy(env.conf_path, full, sizeof(full));
	}
	if ((env.conf = conf_load(env.conf_path, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (check_only) {
		printf("%s: configuration OK\n", env.conf_path);
		return 0;
	}
	if ((env.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	{
		const char *rundir = conf_get(env.conf, "global",
		    "run directory");
		gid_t gid = (gid_t)-1;

		if (geteuid() == 0 && util_lookup_group(conf_get(env.conf,
		    "global", "group"), &gid) == -1)
			fatal("group %s (create it, e.g. with "
			    "systemd-sysusers)", conf_get(env.conf, "global",
			    "group"));
		if (util_mkdir(rundir, geteuid() == 0 ? 0750 : 0700,
		    geteuid() == 0 ? 0 : (uid_t)-1, gid) == -1)
			fatal("run directory %s", rundir);
	}
	run_raise_nofile();
	run_collect_children(&env);
	run_open_notify(&env);
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		env.ev_signals[i] = evsignal_new(env.base, signals[i],
		    run_signal_cb, &env);
		if (env.ev_signals[i] == NULL ||
		    evsignal_add(env.ev_signals[i], NULL) == -1)
			fatalx("signal %d", signals[i]);
	}
	env.ev_stop_timeout = evtimer_new(env.base, run_stop_timeout_cb, &env);
	if (env.ev_stop_timeout == NULL)
		fatalx("evtimer_new");
	for (i = 0; i < env.nchildren; i++)
		if (env.children[i].backend)
			run_start_child(&env.children[i]);
	if (run_backends_ready(&env))
		run_start_front_ends(&env);
	if (event_base_dispatch(env.base) == -1)
		fatalx("event loop failed");
	for (i = 0; i < env.nchildren; i++) {
		size_t j;

		event_free(env.children[i].ev_restart);
		for (j = 0; j < env.children[i].nlisten; j++)
			close(env.children[i].listen_fds[j]);
		for (j = 0; j < env.children[i].nstore; j++)
			close(env.children[i].store[j].fd);
		free(env.children[i].store);
	}
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		event_free(env.ev_signals[i]);
	event_free(env.ev_stop_timeout);
	event_free(env.ev_notify);
	close(env.notify_fd);
	unlink(env.notify_path);
	event_base_free(env.base);
	conf_free(env.conf);
	log_info("all daemons stopped");
	return 0;
}
