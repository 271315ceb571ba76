/*
 * Registration with the system rpcbind (RFC 1833), undone at a clean
 * stop: nfsd (NFS, MOUNT), lockd (NLM) and statd (NSM).
 */
#ifndef DITTOFS_RPCBIND_H
#define DITTOFS_RPCBIND_H

#include <stddef.h>
#include <stdint.h>

#define RPCBIND_SOCK		"/run/rpcbind.sock"
#define RPCBIND_ENTRIES_MAX	16

struct rpcbind_entry {
	uint32_t	 prog;
	uint32_t	 vers;
	const char	*netid;		/* "tcp" or "udp" */
};

struct rpcbind {
	/*
	 * libtirpc's CLIENT on rpcbind.sock, opened before the chroot and
	 * kept for the unset at stop; NULL when none could be had.
	 */
	struct __rpc_client	*clnt;
	struct rpcbind_entry	 set[RPCBIND_ENTRIES_MAX];
	size_t			 nset;
};

/* 1 when an rpcbind answers on its Unix socket or on port 111. */
int		 rpcbind_running(void);
/*
 * With privileges, before the chroot.  user: the daemon's user, who
 * will own the registrations.  NULL only when out of memory.
 */
struct rpcbind	*rpcbind_open(const char *user);
/* prog/vers on netid at port (any address), replacing an older one. */
int		 rpcbind_set(struct rpcbind *, uint32_t prog, uint32_t vers,
		    const char *netid, unsigned int port);
/* Unset what was set (what: for the log line, NULL: none) and free. */
void		 rpcbind_close(struct rpcbind *, const char *what);

#endif
