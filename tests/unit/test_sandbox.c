/*
 * common/sandbox.c's seccomp filter: socket(2) only for the daemon's
 * families, ioctl(2) only for the listed requests, prlimit64(2) only to
 * read.  Each case runs in a child that installs the filter; a forbidden
 * call must kill it with SIGSYS, an allowed one must not.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"
#include "tap.h"

enum probe {
	PROBE_UNIX,
	PROBE_INET,
	PROBE_INET6,
	PROBE_NETLINK,
	PROBE_FIONREAD,
	PROBE_TIOCSTI,
	PROBE_FIONBIO,
	PROBE_RLIMIT_GET,
	PROBE_RLIMIT_SET,
};

/* -1: could not run; else the child's wait status. */
static int
run(unsigned int families, enum probe p)
{
	pid_t pid;
	int status, fds[2], n = 0, on = 1;
	struct rlimit rl;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return -1;
	if (pid > 0) {
		if (waitpid(pid, &status, 0) == -1)
			return -1;
		return status;
	}
	if (pipe(fds) == -1)
		_exit(3);
	if (sandbox_seccomp(NULL, families, 0) == -1)
		_exit(2);
	switch (p) {
	case PROBE_UNIX:
		_exit(socket(AF_UNIX, SOCK_STREAM, 0) >= 0 ? 0 : 1);
	case PROBE_INET:
		_exit(socket(AF_INET, SOCK_DGRAM, 0) >= 0 ? 0 : 1);
	case PROBE_INET6:
		_exit(socket(AF_INET6, SOCK_STREAM, 0) >= 0 ? 0 : 1);
	case PROBE_NETLINK:
		_exit(socket(AF_NETLINK, SOCK_RAW, 0) >= 0 ? 0 : 1);
	case PROBE_FIONREAD:
		_exit(ioctl(fds[0], FIONREAD, &n) == 0 ? 0 : 1);
	case PROBE_TIOCSTI:
		_exit(ioctl(fds[0], TIOCSTI, "x") == 0 ? 0 : 1);
	case PROBE_FIONBIO:
		_exit(ioctl(fds[0], FIONBIO, &on) == 0 ? 0 : 1);
	case PROBE_RLIMIT_GET:
		_exit(prlimit(0, RLIMIT_NOFILE, NULL, &rl) == 0 ? 0 : 1);
	case PROBE_RLIMIT_SET:
		if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
			_exit(1);
		_exit(prlimit(0, RLIMIT_NOFILE, &rl, NULL) == 0 ? 0 : 1);
	}
	_exit(4);
}

static int
allowed(int status)
{
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int
killed(int status)
{
	return status != -1 && WIFSIGNALED(status) &&
	    WTERMSIG(status) == SIGSYS;
}

static const char *
what(int status)
{
	static char buf[64];

	if (status == -1)
		return "not run";
	if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "signal %d", WTERMSIG(status));
	else
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(status));
	return buf;
}

int
main(void)
{
	/* blockd's and stated's policy: AF_UNIX only. */
	const unsigned int local = SANDBOX_AF_UNIX;
	/* nfsd's, lockd's and statd's. */
	const unsigned int network = SANDBOX_AF_UNIX | SANDBOX_AF_NETWORK;
	int st;

	st = run(local, PROBE_UNIX);
	tap_ok(allowed(st), "AF_UNIX only: socket(AF_UNIX) works (%s)",
	    what(st));
	st = run(local, PROBE_INET);
	tap_ok(killed(st), "AF_UNIX only: socket(AF_INET) is killed by "
	    "SIGSYS (%s)", what(st));
	st = run(local, PROBE_INET6);
	tap_ok(killed(st), "AF_UNIX only: socket(AF_INET6) is killed (%s)",
	    what(st));
	st = run(0, PROBE_UNIX);
	tap_ok(allowed(st), "no families named: AF_UNIX still works (%s)",
	    what(st));
	st = run(network, PROBE_INET);
	tap_ok(allowed(st), "network daemon: socket(AF_INET) works (%s)",
	    what(st));
	st = run(network, PROBE_INET6);
	tap_ok(allowed(st), "network daemon: socket(AF_INET6) works (%s)",
	    what(st));
	st = run(network, PROBE_NETLINK);
	tap_ok(killed(st), "network daemon: socket(AF_NETLINK) is killed "
	    "(%s)", what(st));
	st = run(network | SANDBOX_AF_NETLINK, PROBE_NETLINK);
	tap_ok(allowed(st), "AF_NETLINK when asked for (%s)", what(st));

	st = run(local, PROBE_FIONREAD);
	tap_ok(allowed(st), "ioctl(FIONREAD), libevent's, works (%s)",
	    what(st));
	st = run(local, PROBE_TIOCSTI);
	tap_ok(killed(st), "ioctl(TIOCSTI), not listed, is killed (%s)",
	    what(st));
	st = run(network, PROBE_FIONBIO);
	tap_ok(killed(st), "ioctl(FIONBIO), not listed, is killed (%s)",
	    what(st));

	st = run(local, PROBE_RLIMIT_GET);
	tap_ok(allowed(st), "prlimit64 reading a limit works (%s)", what(st));
	st = run(local, PROBE_RLIMIT_SET);
	tap_ok(killed(st), "prlimit64 setting a limit is killed (%s)",
	    what(st));
	return tap_done();
}
