/*
 * Privilege separation, in the order DESIGN.md section 6 gives.  A step
 * that fails ends the process: a daemon that could not sandbox itself
 * must not serve.
 */
#define _GNU_SOURCE
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

/*
 * What every daemon needs: glibc, libevent's epoll loop, IPC over Unix
 * sockets with fd passing, syslog, timers, and file I/O on descriptors
 * it already holds.  Daemons add their own (opening files, networking).
 */
static const char *const sandbox_base_syscalls[] = {
	"read", "write", "readv", "writev", "pread64", "pwrite64",
	"preadv", "pwritev", "close", "lseek", "fstat", "newfstatat",
	"statx", "fcntl", "dup", "dup2", "dup3",
	"mmap", "munmap", "mremap", "mprotect", "brk", "madvise",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	"restart_syscall", "exit", "exit_group", "futex", "set_robust_list",
	"get_robust_list", "rseq", "getrandom", "sched_yield", "sched_getaffinity", "sysinfo",
	"getpid", "gettid", "getppid", "getuid", "geteuid", "getgid",
	"getegid", "getgroups", "getresuid", "getresgid",
	"clock_gettime", "clock_getres", "gettimeofday", "time",
	"nanosleep", "clock_nanosleep",
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
	"epoll_pwait", "poll", "ppoll", "select", "pselect6",
	"eventfd2", "pipe", "pipe2", "timerfd_create", "timerfd_settime",
	"timerfd_gettime",
	"connect", "accept", "accept4", "sendto", "recvfrom",
	"sendmsg", "recvmsg", "shutdown", "getsockopt", "setsockopt",
	"getsockname", "getpeername",
	"uname", "getrlimit", "umask", "tgkill", "gettid",
	"fstatfs",
	NULL
};

/*
 * socket, ioctl and prlimit64 are allowed below only with the arguments
 * a daemon uses.  ioctl: FIONREAD is how libevent sizes a read
 * (evbuffer_read); the integration tests, run with "sandbox debug",
 * showed no other request.
 */
static const unsigned long sandbox_ioctls[] = {
	FIONREAD,
};

static const struct {
	unsigned int	flag;
	int		family;
} sandbox_families[] = {
	{ SANDBOX_AF_UNIX, AF_UNIX },
	{ SANDBOX_AF_INET, AF_INET },
	{ SANDBOX_AF_INET6, AF_INET6 },
	{ SANDBOX_AF_NETLINK, AF_NETLINK },
};

/* Process-wide, like the log state: set once, never cleared. */
static int sandbox_is_confined;

int
sandbox_confined(void)
{
	return sandbox_is_confined;
}

int
sandbox_resolve_user(const char *user, struct sandbox_ids *ids)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		if (errno == 0)
			errno = ENOENT;
		return -1;
	}
	ids->uid = pw->pw_uid;
	ids->gid = pw->pw_gid;
	return 0;
}

int
sandbox_chroot(const char *dir)
{
	if (chroot(dir) == -1 || chdir("/") == -1)
		return -1;
	sandbox_is_confined = 1;
	return 0;
}

int
sandbox_drop_bounding_set(void)
{
	cap_value_t cap;

	for (cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (cap_drop_bound(cap) == -1 && errno != EINVAL)
			return -1;
	}
	return 0;
}

int
sandbox_set_ids(const struct sandbox_ids *ids)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (setgroups(1, &ids->gid) == -1 ||
	    setresgid(ids->gid, ids->gid, ids->gid) == -1 ||
	    setresuid(ids->uid, ids->uid, ids->uid) == -1)
		return -1;
	/* Check that nothing can be taken back. */
	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1)
		return -1;
	if (ruid != ids->uid || euid != ids->uid || suid != ids->uid ||
	    rgid != ids->gid || egid != ids->gid || sgid != ids->gid) {
		errno = EPERM;
		return -1;
	}
	if (ids->uid != 0 && setuid(0) != -1) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int
sandbox_drop_capabilities(void)
{
	cap_t caps;
	int rc;

	if ((caps = cap_init()) == NULL)
		return -1;
	rc = cap_set_proc(caps);
	cap_free(caps);
	if (rc == -1)
		return -1;
	/* Ambient capabilities would survive an exec; there is none. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL)
		return -1;
	return 0;
}

int
sandbox_no_new_privs(void)
{
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

int
sandbox_have_capability(int cap)
{
	cap_flag_value_t value = CAP_CLEAR;
	cap_t caps;

	if ((caps = cap_get_proc()) == NULL)
		return 0;
	if (cap_get_flag(caps, (cap_value_t)cap, CAP_EFFECTIVE, &value) == -1)
		value = CAP_CLEAR;
	cap_free(caps);
	return value == CAP_SET;
}

/* Root, or a service holding CAP_NET_BIND_SERVICE. */
int
sandbox_may_bind_reserved(void)
{
	return geteuid() == 0 ||
	    sandbox_have_capability(CAP_NET_BIND_SERVICE);
}

/*
 * In debug mode a forbidden syscall traps here instead of killing the
 * process: say which one, and let it fail with ENOSYS.
 */
static void
sandbox_sigsys(int sig, siginfo_t *info, void *context)
{
	char msg[192];
	int n;

	unsigned long a0 = 0, a1 = 0, a2 = 0;

#if defined(__x86_64__)
	a0 = (unsigned long)((ucontext_t *)context)->uc_mcontext.gregs[REG_RDI];
	a1 = (unsigned long)((ucontext_t *)context)->uc_mcontext.gregs[REG_RSI];
	a2 = (unsigned long)((ucontext_t *)context)->uc_mcontext.gregs[REG_RDX];
#elif defined(__aarch64__)
	a0 = ((ucontext_t *)context)->uc_mcontext.regs[0];
	a1 = ((ucontext_t *)context)->uc_mcontext.regs[1];
	a2 = ((ucontext_t *)context)->uc_mcontext.regs[2];
#endif
	/* The arguments: socket's family, ioctl's request, ... */
	n = snprintf(msg, sizeof(msg), "seccomp: forbidden syscall %d "
	    "(scmp_sys_resolver %d), arguments %#lx %#lx %#lx; failing it "
	    "with ENOSYS\n", info->si_syscall, info->si_syscall, a0, a1, a2);
	if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0)
		n = 0;
#if defined(__x86_64__)
	((ucontext_t *)context)->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#elif defined(__aarch64__)
	((ucontext_t *)context)->uc_mcontext.regs[0] = (unsigned long)-ENOSYS;
#endif
}

static int
sandbox_allow(scmp_filter_ctx ctx, const char *const *names)
{
	int nr;

	for (; names != NULL && *names != NULL; names++) {
		nr = seccomp_syscall_resolve_name(*names);
		if (nr == __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) < 0) {
			log_warnx("seccomp: cannot allow %s", *names);
			return -1;
		}
	}
	return 0;
}

/* socket, ioctl and prlimit64, each with its arguments checked. */
static int
sandbox_allow_checked(scmp_filter_ctx ctx, unsigned int families)
{
	size_t i;

	families |= SANDBOX_AF_UNIX;
	for (i = 0; i < sizeof(sandbox_families) /
	    sizeof(sandbox_families[0]); i++) {
		if (!(families & sandbox_families[i].flag))
			continue;
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
		    SCMP_A0(SCMP_CMP_EQ,
		    (scmp_datum_t)sandbox_families[i].family)) < 0) {
			log_warnx("seccomp: cannot allow socket family %d",
			    sandbox_families[i].family);
			return -1;
		}
	}
	for (i = 0; i < sizeof(sandbox_ioctls) / sizeof(sandbox_ioctls[0]);
	    i++) {
		/* The request is an int in the kernel: compare 32 bits. */
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
		    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu,
		    (scmp_datum_t)sandbox_ioctls[i])) < 0) {
			log_warnx("seccomp: cannot allow ioctl %#lx",
			    sandbox_ioctls[i]);
			return -1;
		}
	}
	/* Reading a limit (new_limit NULL), never setting one. */
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1,
	    SCMP_A2(SCMP_CMP_EQ, 0)) < 0) {
		log_warnx("seccomp: cannot allow prlimit64");
		return -1;
	}
	return 0;
}

int
sandbox_seccomp(const char *const *extra, unsigned int families, int debug)
{
	scmp_filter_ctx ctx;
	uint32_t deny = SCMP_ACT_KILL_PROCESS;
	int rc;

	if (debug) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sandbox_sigsys;
		sa.sa_flags = SA_SIGINFO;
		if (sigaction(SIGSYS, &sa, NULL) == -1)
			return -1;
		deny = SCMP_ACT_TRAP;
	}
	if ((ctx = seccomp_init(deny)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if (sandbox_allow(ctx, sandbox_base_syscalls) == -1 ||
	    sandbox_allow(ctx, extra) == -1 ||
	    sandbox_allow_checked(ctx, families) == -1) {
		seccomp_release(ctx);
		errno = EINVAL;
		return -1;
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	sandbox_is_confined = 1;
	return 0;
}

void
sandbox_enter(const struct sandbox_spec *spec, struct sandbox_report *rep)
{
	struct sandbox_ids ids;
	int root = geteuid() == 0;

	memset(rep, 0, sizeof(*rep));
	if (root && spec->user != NULL) {
		if (sandbox_resolve_user(spec->user, &ids) == -1)
			fatal("sandbox: user %s (create it, e.g. with "
			    "systemd-sysusers)", spec->user);
		if (ids.uid == 0)
			fatalx("sandbox: user %s is root", spec->user);
	}
	if (spec->chroot_dir != NULL &&
	    (root || sandbox_have_capability(CAP_SYS_CHROOT))) {
		if (sandbox_chroot(spec->chroot_dir) == -1)
			fatal("sandbox: chroot %s", spec->chroot_dir);
		snprintf(rep->chroot, sizeof(rep->chroot), "%s",
		    spec->chroot_dir);
	} else if (spec->chroot_dir != NULL && spec->service)
		log_warnx("sandbox: no CAP_SYS_CHROOT (the unit's "
		    "AmbientCapabilities=): not confined to %s",
		    spec->chroot_dir);
	if (root && spec->user != NULL) {
		if (sandbox_drop_bounding_set() == -1)
			fatal("sandbox: capability bounding set");
		if (sandbox_set_ids(&ids) == -1)
			fatal("sandbox: change to user %s", spec->user);
		rep->privileges_dropped = 1;
	} else if (spec->service) {
		/* The service manager changed the user; the bounding set is
		 * its CapabilityBoundingSet= (no CAP_SETPCAP to drop it). */
		rep->privileges_dropped = 1;
	} else if (!root)
		log_info("running as uid %u without root: keeping this user%s",
		    (unsigned)getuid(), rep->chroot[0] ? "" :
		    " and the root directory");
	if (sandbox_drop_capabilities() == -1)
		fatal("sandbox: drop capabilities");
	if (sandbox_no_new_privs() == -1)
		fatal("sandbox: no_new_privs");
	if (sandbox_seccomp(spec->syscalls, spec->socket_families,
	    spec->seccomp_debug) == -1)
		fatal("sandbox: seccomp");
	rep->seccomp = 1;
	rep->seccomp_debug = spec->seccomp_debug;
	rep->uid = getuid();
	rep->gid = getgid();
	if (spec->seccomp_debug)
		log_warnx("seccomp in debug mode: forbidden syscalls are "
		    "logged and fail, the process is not killed");
}
