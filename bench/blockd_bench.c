/*
 * blockd_bench: a front end's view of dittofs-blockd's speed.  Over the
 * real socket (IPC, permission checks, durable commits), it times N
 * creates, lookups, getattrs, one readdir of the whole directory, and N
 * removes, with 1 and with DEPTH requests in flight, and prints ops/s.
 * With several requests in flight, group commit should make one log
 * flush serve many creates.  Then "create+write": N files each created,
 * opened for writing (BD_OPEN_IO: the backing file is made then), given
 * 4 KiB with pwrite through the passed fd and closed, with 1 and DEPTH
 * files in progress; and the removal of those written files.
 *
 *   blockd_bench SOCK [N [DEPTH]]     (defaults 10000 and 16)
 */
#define _GNU_SOURCE
#include <fcntl.h>
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

/* A request of the create+write phase awaiting its reply. */
struct bench_wait {
	long		item;
	int		open;	/* 0: BD_CREATE, 1: BD_OPEN_IO */
};

static void
bench_fail(const char *what, int rc)
{
	if (rc == -1 && errno != 0)
		fprintf(stderr, "%s: connection lost: %s\n", what,
		    strerror(errno));
	else
		fprintf(stderr, "%s: status %s\n", what, strerror(-rc));
	exit(1);
}

/*
 * N files, up to depth in progress: BD_CREATE, then on its reply
 * BD_OPEN_IO for writing, then on that reply 4 KiB pwrite and close.
 * Replies come back in request order, so a FIFO says whose each is.
 */
static double
bench_create_write(struct bench *b, int depth)
{
	struct bench_wait *fifo;
	struct bd_create_req cr;
	struct bd_open_io_req oreq;
	struct bd_entry_reply er;
	struct bd_attr_reply ar;
	char name[64], data[4096];
	size_t head = 0, tail = 0, cap;
	long started = 0, done = 0, item;
	double t0 = now();
	int fd, rc;

	memset(data, 'w', sizeof(data));
	cap = (size_t)depth * 2 + 2;
	if ((fifo = calloc(cap, sizeof(*fifo))) == NULL)
		exit(1);
	while (done < b->n) {
		while (started < b->n && started - done < depth) {
			bench_name(b, started, name, sizeof(name));
			memset(&cr, 0, sizeof(cr));
			cr.cred = b->c.cred;
			cr.dir = b->dir;
			cr.name.bd_name_len = (u_int)strlen(name);
			cr.name.bd_name_val = name;
			cr.how = 1;
			cr.sattr.mask = 0x01;
			cr.sattr.mode = 0644;
			if (bdc_send(&b->c, BD_CREATE,
			    (xdrproc_t)xdr_bd_create_req, &cr, NULL) == -1)
				bench_fail("send create", -1);
			fifo[tail % cap].item = started++;
			fifo[tail++ % cap].open = 0;
		}
		item = fifo[head % cap].item;
		if (!fifo[head++ % cap].open) {
			memset(&er, 0, sizeof(er));
			if ((rc = bdc_recv(&b->c, (xdrproc_t)xdr_bd_entry_reply,
			    &er, NULL, NULL)) == 0)
				rc = er.status;
			if (rc != 0)
				bench_fail("create+write: create", rc);
			memset(&oreq, 0, sizeof(oreq));
			oreq.cred = b->c.cred;
			oreq.fh = er.fh;
			oreq.flags = 0x02;	/* STORE_IO_WRITE */
			if (bdc_send(&b->c, BD_OPEN_IO,
			    (xdrproc_t)xdr_bd_open_io_req, &oreq, NULL) == -1)
				bench_fail("send open_io", -1);
			xdr_free((xdrproc_t)xdr_bd_entry_reply, &er);
			fifo[tail % cap].item = item;
			fifo[tail++ % cap].open = 1;
			continue;
		}
		memset(&ar, 0, sizeof(ar));
		if ((rc = bdc_recv(&b->c, (xdrproc_t)xdr_bd_attr_reply, &ar,
		    NULL, &fd)) == 0)
			rc = ar.status;
		if (rc != 0 || fd == -1)
			bench_fail("create+write: open_io", rc ? rc : -EBADF);
		if (pwrite(fd, data, sizeof(data), 0) != (ssize_t)sizeof(data))
			bench_fail("pwrite", -errno);
		close(fd);
		done++;
	}
	free(fifo);
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
	double create, lookup, getattr, remove, rd, cw, rmw;
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
	snprintf(b->prefix, sizeof(b->prefix), "w");
	cw = bench_create_write(b, depth);
	rmw = bench_phase(b, REMOVE, depth);
	printf("%-9d %10.0f %10.0f %10.0f %10.0f %12.3f (%ld) %12.0f %10.0f\n",
	    depth, create, lookup, getattr, remove, rd, entries, cw, rmw);
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
	printf("%-9s %10s %10s %10s %10s %12s %8s %12s %10s\n", "in-flight",
	    "create", "lookup", "getattr", "remove", "readdir", "", "create+wr",
	    "rm-written");
	bench_run(&b, 1);
	bench_run(&b, depth);
	bdc_close(&b.c);
	free(b.fhs);
	return 0;
}
