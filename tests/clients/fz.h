/*
 * fz: a front end gone bad, for the integration tests.  A target (a
 * daemon's own request layouts) builds requests field by field; fz
 * damages one in two (bits flipped, words set to edge values, cut
 * short, lengthened, replaced by noise), sends a few with a false
 * reply flag, an fd, or a promised fd that never comes, and checks that
 * the daemon answers each request with its id and drops the connection
 * only for the fds (front ends send blockd and stated none) or after a
 * one-way message (which has no answer to carry an error).  The seed
 * replays a run exactly.
 */
#ifndef DITTOFS_FZ_H
#define DITTOFS_FZ_H

#include <stddef.h>
#include <stdint.h>

#include "xdrbuf.h"

struct fz {
	struct xdrbuf_out out;		/* the request body being built */
	uint64_t	 rng;
};

struct fz_target {
	/* Build a request into z->out (empty); return its message type. */
	uint32_t	(*build)(struct fz *, void *arg);
	/* 1 for a type the daemon never answers (one-way messages). */
	int		(*oneway)(uint32_t type);
	uint32_t	 reply;		/* its replies open with a status */
	void		*arg;
};

void		fz_seed(struct fz *, const char *seed);
uint32_t	fz_rand(struct fz *);
uint32_t	fz_edge(struct fz *);
/* U, B, H: a field all layouts have, put in z->out; 0 for others. */
int		fz_field(struct fz *, char);
/* A connection to path, HELLO done as role nfsd; -1 if none. */
int		fz_connect(const char *path);
/*
 * Send n requests over connections to path (role nfsd; the caller has
 * become the right user) and give the verdicts through the caller's
 * tap_ok (tap.h); 0 if a connection failed and nothing more was said.
 */
int		fz_test(struct fz *, const struct fz_target *, const char *path,
		    unsigned long n, int (*ok)(int, const char *, ...));

#endif
