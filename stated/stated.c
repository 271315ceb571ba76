/*
 * dittofs-stated main.  Today it accepts front ends (HELLO, role and uid
 * checked) and answers its control socket; the lock table, clients,
 * sessions and grants arrive with their own issues.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "daemon.h"
#include "log.h"
#include "stated.h"

/* Berkeley DB in its chroot: files, mmap'ed regions, fsync. */
static const char *const stated_syscalls[] = {
	"openat", "open", "unlinkat", "unlink", "renameat", "rename",
	"mkdirat", "mkdir", "ftruncate", "fallocate", "fsync", "fdatasync",
	"getdents64", "flock", "access", "faccessat", "faccessat2",
	"readlink", "readlinkat", "stat", "lstat", "statfs", "fchmod",
	NULL
};

static void
stated_pre_init(struct daemon *d)
{
	daemon_allow_peer(d, IPC_ROLE_NFSD, 0);
	daemon_allow_peer(d, IPC_ROLE_SMBD, 0);
	daemon_allow_peer(d, IPC_ROLE_LOCKD, 0);
	daemon_allow_peer(d, IPC_ROLE_STATD, 0);
	/* No state messages yet: they land with the locking issue. */
	daemon_serve(d, "stated.sock", NULL, 0);
}

static void
stated_status(struct daemon *d, char *buf, size_t len)
{
	snprintf(buf, len, "%zu front end(s) connected",
	    ipc_server_peer_count(d->service));
}

static const struct daemon_def stated_def = {
	.name = "stated",
	.role = IPC_ROLE_STATED,
	.chroot = DAEMON_CHROOT_STATE,
	.syscalls = stated_syscalls,
	.pre_init = stated_pre_init,
	.status = stated_status,
};

int
main(int argc, char *argv[])
{
	struct stated_env env = { 0 };

	return daemon_main(argc, argv, &stated_def, &env);
}
