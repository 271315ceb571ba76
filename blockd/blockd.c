/*
 * dittofs-blockd main.  It accepts front ends (HELLO, role and uid
 * checked) and answers its control socket; the file-system operations
 * are served from the store (store.h) as they are wired to messages.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "blockd.h"
#include "daemon.h"
#include "log.h"

/* Its chroot is the data directory: Berkeley DB plus backing files. */
static const char *const blockd_syscalls[] = {
	"openat", "open", "unlinkat", "unlink", "renameat", "renameat2",
	"rename", "mkdirat", "mkdir", "linkat", "symlinkat", "readlinkat",
	"ftruncate", "truncate", "fallocate", "fsync", "fdatasync",
	"sync_file_range", "getdents64", "flock", "access", "faccessat",
	"faccessat2", "readlink", "stat", "lstat", "statfs", "fchmod",
	"fchown", "utimensat", "futimesat", "copy_file_range", "lseek",
	"fgetxattr", "fsetxattr", "flistxattr", "fremovexattr",
	"sendfile", "splice",
	NULL
};

static void
blockd_pre_init(struct daemon *d)
{
	daemon_allow_peer(d, IPC_ROLE_NFSD, 0);
	daemon_allow_peer(d, IPC_ROLE_SMBD, 0);
	daemon_allow_peer(d, IPC_ROLE_LOCKD, 0);
	/* No file-system messages yet: they land with the store. */
	daemon_serve(d, "blockd.sock", NULL, 0);
}

static void
blockd_status(struct daemon *d, char *buf, size_t len)
{
	snprintf(buf, len, "data in %s; %zu front end(s) connected",
	    d->state_dir, ipc_server_peer_count(d->service));
}

static const struct daemon_def blockd_def = {
	.name = "blockd",
	.role = IPC_ROLE_BLOCKD,
	.chroot = DAEMON_CHROOT_STATE,
	.syscalls = blockd_syscalls,
	.pre_init = blockd_pre_init,
	.status = blockd_status,
};

int
main(int argc, char *argv[])
{
	struct blockd_env env = { 0 };

	return daemon_main(argc, argv, &blockd_def, &env);
}
