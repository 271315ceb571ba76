/*
 * Registration with the system rpcbind, and its undoing at a clean stop
 * so that rpcbind does not send clients to a server that is gone.  A
 * crash or kill -9 leaves the entries, which the next start replaces.
 *
 * rpcbind records the uid of the connection a registration came on as
 * its owner, and lets only that uid, or root, unset it.  So the
 * registrations are made on one connection to rpcbind.sock, opened
 * before the chroot hides the socket, with the daemon's user as the
 * effective uid, and kept for the unset at stop: they belong to the
 * daemon's user, and the process keeps no root power over rpcbind.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <netconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>
#include <rpc/rpcb_clnt.h>
#include <rpc/rpcb_prot.h>

#include "log.h"
#include "rpcbind.h"
#include "sandbox.h"

int
rpcbind_running(void)
{
	struct sockaddr_un sun;
	struct sockaddr_in sin;
	int fd, ok;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", RPCBIND_SOCK);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	if (ok)
		return 1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(111);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	close(fd);
	return ok;
}

static CLIENT *
rpcbind_connect(const char *user)
{
	struct sockaddr_un sun;
	struct sandbox_ids ids;
	struct netbuf nb;
	CLIENT *clnt;
	int fd, rc, saved;

	ids.uid = (uid_t)-1;
	if (geteuid() == 0 && sandbox_resolve_user(user, &ids) == -1)
		return NULL;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", RPCBIND_SOCK);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("rpcbind: socket");
		return NULL;
	}
	if (ids.uid != (uid_t)-1 && setresuid((uid_t)-1, ids.uid,
	    (uid_t)-1) == -1) {
		log_warn("rpcbind: seteuid %u", (unsigned)ids.uid);
		close(fd);
		return NULL;
	}
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	saved = errno;
	if (ids.uid != (uid_t)-1 && setresuid((uid_t)-1, 0, (uid_t)-1) == -1)
		fatal("rpcbind: seteuid back to root");
	if (rc == -1) {
		errno = saved;
		log_warn("rpcbind: connect %s", RPCBIND_SOCK);
		close(fd);
		return NULL;
	}
	nb.len = nb.maxlen = sizeof(sun);
	nb.buf = &sun;
	if ((clnt = clnt_vc_create(fd, &nb, RPCBPROG, RPCBVERS, 0, 0)) ==
	    NULL) {
		log_warnx("rpcbind: %s", clnt_spcreateerror("clnt_vc_create"));
		close(fd);
		return NULL;
	}
	/* CLNT_DESTROY closes it. */
	clnt_control(clnt, CLSET_FD_CLOSE, NULL);
	return clnt;
}

struct rpcbind *
rpcbind_open(const char *user)
{
	struct rpcbind *rb;

	if ((rb = calloc(1, sizeof(*rb))) == NULL)
		return NULL;
	if ((rb->clnt = rpcbind_connect(user)) == NULL)
		log_warnx("rpcbind: no connection of our own to %s; "
		    "registering without one, and not unregistering at stop",
		    RPCBIND_SOCK);
	return rb;
}

/*
 * RPCBPROC_SET or RPCBPROC_UNSET on the kept connection: 0 done, 1
 * refused by rpcbind, -1 no answer (the connection is gone).
 */
static int
rpcbind_call(CLIENT *clnt, rpcproc_t proc, uint32_t prog, uint32_t vers,
    const char *netid, const char *uaddr)
{
	struct timeval timeout = { 2, 0 };
	enum clnt_stat st;
	bool_t done = FALSE;
	RPCB parms;

	memset(&parms, 0, sizeof(parms));
	parms.r_prog = prog;
	parms.r_vers = vers;
	parms.r_netid = (char *)netid;
	parms.r_addr = (char *)uaddr;
	parms.r_owner = (char *)"";	/* rpcbind uses the socket's uid */
	st = clnt_call(clnt, proc, (xdrproc_t)xdr_rpcb, (char *)&parms,
	    (xdrproc_t)xdr_bool, (char *)&done, timeout);
	if (st != RPC_SUCCESS) {
		log_warnx("rpcbind: %s", clnt_sperrno(st));
		return -1;
	}
	return done ? 0 : 1;
}

int
rpcbind_set(struct rpcbind *rb, uint32_t prog, uint32_t vers,
    const char *netid, unsigned int port)
{
	struct netconfig *nc;
	struct sockaddr_in sin;
	struct netbuf nb;
	char uaddr[32];
	int ok;

	if ((nc = getnetconfigent(netid)) == NULL) {
		log_warnx("rpcbind: no netconfig entry for %s", netid);
		return -1;
	}
	/* As the starting user: root clears whoever registered before. */
	rpcb_unset(prog, vers, nc);
	if (rb->clnt != NULL) {
		snprintf(uaddr, sizeof(uaddr), "0.0.0.0.%u.%u",
		    (port >> 8) & 0xff, port & 0xff);
		ok = rpcbind_call(rb->clnt, RPCBPROC_SET, prog, vers, netid,
		    uaddr) == 0;
	} else {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		sin.sin_addr.s_addr = htonl(INADDR_ANY);
		nb.len = nb.maxlen = sizeof(sin);
		nb.buf = &sin;
		ok = rpcb_set(prog, vers, nc, &nb);
	}
	freenetconfigent(nc);
	if (!ok) {
		log_warnx("rpcbind: cannot register program %u version %u "
		    "on %s port %u", prog, vers, netid, port);
		return -1;
	}
	if (rb->clnt != NULL && rb->nset < RPCBIND_ENTRIES_MAX) {
		rb->set[rb->nset].prog = prog;
		rb->set[rb->nset].vers = vers;
		rb->set[rb->nset].netid = netid;
		rb->nset++;
	}
	return 0;
}

void
rpcbind_close(struct rpcbind *rb, const char *what)
{
	struct rpcbind_entry *r;
	size_t i, done = 0;
	int rc;

	if (rb == NULL)
		return;
	for (i = 0; rb->clnt != NULL && i < rb->nset; i++) {
		r = &rb->set[i];
		rc = rpcbind_call(rb->clnt, RPCBPROC_UNSET, r->prog, r->vers,
		    r->netid, "");
		if (rc == 0) {
			done++;
			continue;
		}
		log_warnx("rpcbind: cannot unset program %u version %u on %s",
		    r->prog, r->vers, r->netid);
		/* No answer: the connection is gone (rpcbind restarted). */
		if (rc == -1)
			break;
	}
	if (done > 0 && what != NULL)
		log_info("rpcbind: unregistered %s (%zu of %zu)", what, done,
		    rb->nset);
	if (rb->clnt != NULL)
		clnt_destroy(rb->clnt);
	free(rb);
}
