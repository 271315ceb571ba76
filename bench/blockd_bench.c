/*
 * blockd_bench: a front end's view of dittofs-blockd's speed.  Over the
 * real socket (IPC, permission checks, durable commits), it times N
 * creates, lookups, getattrs, one readdir of the whole directory, and N
 * removes, with 1 and with DEPTH requests in flight, and prints ops/s.
 * With several requests in flight, group commit should make one log
 * flush serve many creates.
 *
 *   blockd_bench SOCK [N [DEPTH]]     (defaults 10000 and 16)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bdc.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct bench {
	struct bdc	 c;
	bd_fh		 dir;
	bd_fh		*fhs;
	long		 n;
	int		 depth;
	char		 prefix[32];
};

enum phase { CREATE, LOOKUP, GETATTR, REMOVE };

static void
bench_name(const struct bench *b, long i, char *buf, size_t len)
{
	snprintf(buf, len, "%s%06ld", b->prefix, i);
}

/* Send request i of the phase. */
static int
bench_send(struct bench *b, enum phase ph, long i)
{
	char name[64];
	struct bd_create_req cr;
	struct bd_dirop_req dr;
	struct bd_fh_req fr;

	bench_name(b, i, name, sizeof(name));
	switch (ph) {
	case CREATE:
		memset(&cr, 0, sizeof(cr));
		cr.cred = b->c.cred;
		cr.dir = b->dir;
		cr.name.bd_name_len = (u_int)strlen(name);
		cr.name.bd_name_val = name;
		cr.how = 1;
		cr.sattr.mask = 0x01;
		cr.sattr.mode = 0644;
		return bdc_send(&b->c, BD_CREATE, (xdrproc_t)xdr_bd_create_req,
		    &cr, NULL);
	case LOOKUP:
	case REMOVE:
		dr.cred = b->c.cred;
		dr.dir = b->dir;
		dr.name.bd_name_len = (u_int)strlen(name);
		dr.name.bd_name_val = name;
		return bdc_send(&b->c, ph == LOOKUP ? BD_LOOKUP : BD_REMOVE,
		    (xdrproc_t)xdr_bd_dirop_req, &dr, NULL);
	case GETATTR:
		fr.cred = b->c.cred;
		fr.fh = b->fhs[i];
		return bdc_send(&b->c, BD_GETATTR, (xdrproc_t)xdr_bd_fh_req,
		    &fr, NULL);
	}
	return -1;
}

/* Receive one reply; ids were handed out in order from first_id. */
static int
bench_recv(struct bench *b, enum phase ph, uint32_t first_id)
{
	struct bd_entry_reply er;
	struct bd_attr_reply ar;
	struct bd_wcc_reply wr;
	uint32_t id;
	int status;

	switch (ph) {
	case CREATE:
	case LOOKUP:
		memset(&er, 0, sizeof(er));
		if (bdc_recv(&b->c, (xdrproc_t)xdr_bd_entry_reply, &er, &id,
		    NULL) == -1)
			return -1;
		status = er.status;
		if (status == 0 && ph == CREATE)
			bdc_fh_copy(&b->fhs[id - first_id], &er.fh);
		xdr_free((xdrproc_t)xdr_bd_entry_reply, &er);
		return status;
	case GETATTR:
		memset(&ar, 0, sizeof(ar));
		if (bdc_recv(&b->c, (xdrproc_t)xdr_bd_attr_reply, &ar, &id,
		    NULL) == -1)
			return -1;
		return ar.status;
	case REMOVE:
		memset(&wr, 0, sizeof(wr));
		if (bdc_recv(&b->c, (xdrproc_t)xdr_bd_wcc_reply, &wr, &id,
		    NULL) == -1)
			return -1;
		return wr.status;
	}
	return -1;
}

static double
bench_phase(struct bench *b, enum phase ph, int depth)
{
	long sent = 0, done = 0;
	uint32_t first_id = b->c.next_id;
	double t0 = now();
	int rc;

	while (done < b->n) {
		while (sent < b->n && sent - done < depth)
			if (bench_send(b, ph, sent++) == -1) {
				perror("send");
				exit(1);
			}
		if ((rc = bench_recv(b, ph, first_id)) != 0) {
			if (rc == -1 && errno != 0)
				fprintf(stderr, "phase %d: connection lost: "
				    "%s\n", ph, strerror(errno));
			else
				fprintf(stderr, "phase %d: status %s\n", ph,
				    strerror(-rc));
			exit(1);
		}
		done++;
	}
	return (double)b->n / (now() - t0);
}

static double
bench_readdir(struct bench *b, long *entries)
{
	struct bd_readdir_req req;
	struct bd_readdir_reply rep;
	double t0 = now();
	int eof = 0;

	memset(&req, 0, sizeof(req));
	req.cred = b->c.cred;
	req.dir = b->dir;
	req.maxents = BD_READDIR_MAX;
	*entries = 0;
	while (!eof) {
		memset(&rep, 0, sizeof(rep));
		if (bdc_call(&b->c, BD_READDIR, (xdrproc_t)xdr_bd_readdir_req,
		    &req, (xdrproc_t)xdr_bd_readdir_reply, &rep, NULL) == -1 ||
		    rep.status != 0) {
			fprintf(stderr, "readdir failed\n");
			exit(1);
		}
		*entries += rep.entries.entries_len;
		eof = rep.eof;
		if (rep.entries.entries_len > 0)
			req.cookie = rep.entries.entries_val[
			    rep.entries.entries_len - 1].cookie;
		xdr_free((xdrproc_t)xdr_bd_readdir_reply, &rep);
	}
	return now() - t0;
}

static void
bench_run(struct bench *b, int depth)
{
	double create, lookup, getattr, remove, rd;
	bd_fh root;
	long entries, i;
	char dname[32];

	snprintf(dname, sizeof(dname), "bench-%d-%d", (int)getpid(), depth);
	snprintf(b->prefix, sizeof(b->prefix), "f");
	if (bdc_share_root(&b->c, "export", &root) != 0 ||
	    bdc_mkdir(&b->c, &root, dname, 0755, &b->dir) != 0) {
		fprintf(stderr, "setup failed\n");
		exit(1);
	}
	create = bench_phase(b, CREATE, depth);
	lookup = bench_phase(b, LOOKUP, depth);
	getattr = bench_phase(b, GETATTR, depth);
	rd = bench_readdir(b, &entries);
	remove = bench_phase(b, REMOVE, depth);
	printf("%-9d %10.0f %10.0f %10.0f %10.0f %12.3f (%ld)\n", depth,
	    create, lookup, getattr, remove, rd, entries);
	fflush(stdout);
	bdc_rmdir(&b->c, &root, dname);
	for (i = 0; i < b->n; i++)
		bdc_fh_free(&b->fhs[i]);
	bdc_fh_free(&b->dir);
	bdc_fh_free(&root);
	b->depth = depth;
	b->fhs[0].bd_fh_len = 0;
	(void)create;
}

int
main(int argc, char *argv[])
{
	struct bench b;
	int depth;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: blockd_bench SOCK [N [DEPTH]]\n");
		return 2;
	}
	memset(&b, 0, sizeof(b));
	b.n = argc > 2 ? atol(argv[2]) : 10000;
	depth = argc > 3 ? atoi(argv[3]) : 16;
	if (b.n <= 0 || depth <= 0 || depth > 1024)
		return 2;
	if ((b.fhs = calloc((size_t)b.n, sizeof(*b.fhs))) == NULL)
		return 1;
	if (bdc_connect(&b.c, argv[1], "dittofs-nfsd") == -1) {
		perror(argv[1]);
		return 1;
	}
	printf("blockd over IPC, %ld files per phase; ops/s (readdir: seconds "
	    "for the whole directory, entries)\n", b.n);
	printf("%-9s %10s %10s %10s %10s %12s\n", "in-flight", "create",
	    "lookup", "getattr", "remove", "readdir");
	bench_run(&b, 1);
	bench_run(&b, depth);
	bdc_close(&b.c);
	free(b.fhs);
	return 0;
}
