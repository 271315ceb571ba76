/*
 * nfsload: a host-side NFS load generator on libnfs's async API.
 *
 * An emulated guest's kernel client caps what it can push (TCG, slirp), so
 * this measures the server's own capacity from the host: several TCP
 * connections, many requests in flight on each, every phase bounded in
 * time and in count. Figures are printed as
 *   RESULT name=host_<phase> value=V unit=U      (MB = 10^6 bytes)
 * and, at one request in flight (--conns 1 --depth 1), the percentiles
 * of each operation's time:
 *   LATENCY name=host_<phase> p50=.. p90=.. p99=.. unit=us n=COUNT
 *
 * usage: nfsload --url 'nfs://127.0.0.1/export?version=3&nfsport=P&mountport=M'
 *            [--conns N] [--depth N] [--size MIB] [--seconds S]
 *            [--files N] [--tests LIST] [--dir NAME]
 *
 * Phases (--tests, comma list, default all of them in this order):
 *   write     sequential write of --size MiB (then COMMIT), MB/s
 *   read      sequential read of that file, MB/s
 *   randwrite 4 KiB writes at random offsets for --seconds, then
 *             COMMIT (in the time), IOPS
 *   randread  4 KiB reads at random offsets for --seconds, IOPS
 *   create    create+close up to --files empty files, files/s; with
 *             --create-bytes N, each file gets N bytes in one FILE_SYNC
 *             write before the close (what a kernel client's close of a
 *             small new file sends)
 *   getattr   GETATTR on an open handle for --seconds, ops/s
 *   lookup    stat of create's files by name (LOOKUP) for --seconds, ops/s
 *   access    access(2) of create's files by name for --seconds, ops/s
 *   readdir   list create's directory (READDIRPLUS) for --seconds,
 *             entries/s
 *   remove    remove the files made by create, files/s
 * Everything is made under a fresh directory (--dir, default
 * nfsload.PID) in the export and removed at the end. NFSv3 only: libnfs
 * 4.0 encodes every NFSv4 COMPOUND into a fixed 4 KiB buffer, so a WRITE
 * above about 3.9 KB fails inside libnfs ("ZDR error: Failed to encode
 * COMPOUND4args") before anything is sent, against any server.  NFSv4.0
 * load is bench/nfs4load's, our own COMPOUND client: given a URL with
 * version=4, nfsload runs it with the same arguments.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <nfsc/libnfs.h>

#include "loadgen.h"

#define MAX_CONNS	LOADGEN_MAX_CONNS
#define RAND_BLOCK	4096

enum phase {
	PHASE_WRITE,
	PHASE_READ,
	PHASE_RANDWRITE,
	PHASE_RANDREAD,
	PHASE_CREATE,
	PHASE_GETATTR,
	PHASE_LOOKUP,
	PHASE_ACCESS,
	PHASE_READDIR,
	PHASE_REMOVE,
	PHASE_COUNT
};

static const struct loadgen_phase phase_info[PHASE_COUNT] = {
	{ "write", "MB/s" },
	{ "read", "MB/s" },
	{ "randwrite", "IOPS" },
	{ "randread", "IOPS" },
	{ "create", "files/s" },
	{ "getattr", "ops/s" },
	{ "lookup", "ops/s" },
	{ "access", "ops/s" },
	{ "readdir", "entries/s" },
	{ "remove", "files/s" },
};

struct conn {
	struct nfs_context	*nfs;
	struct nfsfh		*fh;
	int			 inflight;
	double			 issued;	/* --depth 1: the op's start */
	struct load		*load;
};

struct load {
	struct conn	 conns[MAX_CONNS];
	int		 nconns;
	int		 depth;
	enum phase	 phase;
	double		 deadline;
	int		 stopping;
	uint64_t	 chunk;		/* sequential I/O size */
	uint64_t	 file_bytes;	/* size of the data file */
	uint64_t	 next_offset;
	uint64_t	 next_index;
	uint64_t	 limit_index;	/* files to create / remove */
	uint64_t	 create_bytes;	/* written into each created file */
	uint64_t	 files_made;
	uint64_t	 ops_done;
	uint64_t	 bytes_done;
	uint64_t	 rng;
	unsigned char	*wbuf;
	double		*lat;		/* --depth 1: per-op seconds */
	size_t		 nlat;
	char		 error[512];
};

#define MAX_LAT		LOADGEN_MAX_LAT

static void
load_fail(struct load *L, const char *what, struct nfs_context *nfs,
    void *data)
{
	if (L->error[0] == '\0')
		snprintf(L->error, sizeof(L->error), "%s: %s", what,
		    data != NULL ? (const char *)data :
		    nfs != NULL ? nfs_get_error(nfs) : "failed");
	L->stopping = 1;
}

static int issue(struct conn *c);

/*
 * A reply on c; 0 when it failed (the load stops).  At one request in
 * flight each op's time is kept for the percentiles.
 */
static int
op_finished(struct conn *c, int err, const char *what,
    struct nfs_context *nfs, void *data)
{
	struct load *L = c->load;

	if (L->depth == 1 && L->lat != NULL && L->nlat < MAX_LAT)
		L->lat[L->nlat++] = loadgen_now() - c->issued;
	c->inflight--;
	if (err < 0) {
		load_fail(c->load, what, nfs, data);
		return 0;
	}
	return 1;
}

/* Keep depth requests in flight on c while the phase lasts. */
static void
refill(struct conn *c)
{
	while (c->inflight < c->load->depth && issue(c) == 1)
		;
}

static void
io_done(int err, struct nfs_context *nfs, void *data, void *private_data)
{
	struct conn *c = private_data;
	struct load *L = c->load;

	if (!op_finished(c, err, phase_info[L->phase].name, nfs, data))
		return;
	L->ops_done++;
	L->bytes_done += (uint64_t)err;
	refill(c);
}

static void
create_closed(struct conn *c, struct nfs_context *nfs, struct nfsfh *fh)
{
	struct load *L = c->load;

	/* An NFSv3 close sends nothing; it frees the handle. */
	nfs_close(nfs, fh);
	L->ops_done++;
	L->files_made++;
	refill(c);
}

/* A created file being written (--create-bytes). */
struct create_op {
	struct conn	*c;
	struct nfsfh	*fh;
};

static void
create_written(int err, struct nfs_context *nfs, void *data,
    void *private_data)
{
	struct create_op *op = private_data;
	struct conn *c = op->c;
	struct nfsfh *fh = op->fh;

	free(op);
	if (!op_finished(c, err, "create write", nfs, data)) {
		nfs_close(nfs, fh);
		return;
	}
	create_closed(c, nfs, fh);
}

static void
create_done(int err, struct nfs_context *nfs, void *data, void *private_data)
{
	struct conn *c = private_data;
	struct load *L = c->load;

	if (err >= 0 && L->create_bytes > 0) {
		/* The op goes on: one stable write, then the close. */
		struct create_op *op = malloc(sizeof(*op));

		if (op != NULL) {
			op->c = c;
			op->fh = data;
			if (nfs_pwrite_async(nfs, data, 0, L->create_bytes,
			    L->wbuf, create_written, op) == 0)
				return;
			free(op);
		}
		nfs_close(nfs, data);
		err = -EIO;
		data = (void *)"queue create write";
	}
	if (!op_finished(c, err, "create", nfs, data))
		return;
	create_closed(c, nfs, data);
}

static void
meta_done(int err, struct nfs_context *nfs, void *data, void *private_data)
{
	struct conn *c = private_data;
	struct load *L = c->load;

	if (!op_finished(c, err, phase_info[L->phase].name, nfs, data))
		return;
	L->ops_done++;
	refill(c);
}

static void
readdir_done(int err, struct nfs_context *nfs, void *data, void *private_data)
{
	struct conn *c = private_data;
	struct load *L = c->load;
	struct nfsdir *dir = data;

	if (!op_finished(c, err, "readdir", nfs, data))
		return;
	while (nfs_readdir(nfs, dir) != NULL)
		L->ops_done++;
	nfs_closedir(nfs, dir);
	refill(c);
}

/* Queue one more request on c for the current phase: 1 queued, 0 done. */
static int
issue(struct conn *c)
{
	struct load *L = c->load;
	char name[64];
	uint64_t off;
	int rc = 0;

	if (L->stopping || loadgen_now() >= L->deadline)
		return 0;
	switch (L->phase) {
	case PHASE_WRITE:
	case PHASE_READ:
		if (L->next_offset >= L->file_bytes)
			return 0;
		off = L->next_offset;
		L->next_offset += L->chunk;
		rc = L->phase == PHASE_WRITE ?
		    nfs_pwrite_async(c->nfs, c->fh, off, L->chunk, L->wbuf,
			io_done, c) :
		    nfs_pread_async(c->nfs, c->fh, off, L->chunk, io_done, c);
		break;
	case PHASE_RANDWRITE:
	case PHASE_RANDREAD:
		off = (loadgen_random(&L->rng) % (L->file_bytes / RAND_BLOCK)) *
		    RAND_BLOCK;
		rc = L->phase == PHASE_RANDWRITE ?
		    nfs_pwrite_async(c->nfs, c->fh, off, RAND_BLOCK, L->wbuf,
			io_done, c) :
		    nfs_pread_async(c->nfs, c->fh, off, RAND_BLOCK, io_done,
			c);
		break;
	case PHASE_CREATE:
		if (L->next_index >= L->limit_index)
			return 0;
		snprintf(name, sizeof(name), "f%07" PRIu64, L->next_index++);
		/* O_SYNC: libnfs then writes FILE_SYNC. */
		rc = nfs_create_async(c->nfs, name,
		    L->create_bytes > 0 ? O_WRONLY | O_SYNC : O_WRONLY, 0644,
		    create_done, c);
		break;
	case PHASE_GETATTR:
		rc = nfs_fstat64_async(c->nfs, c->fh, meta_done, c);
		break;
	case PHASE_LOOKUP:
	case PHASE_ACCESS:
		if (L->files_made == 0)
			return 0;
		snprintf(name, sizeof(name), "f%07" PRIu64,
		    loadgen_random(&L->rng) % L->files_made);
		rc = L->phase == PHASE_LOOKUP ?
		    nfs_stat64_async(c->nfs, name, meta_done, c) :
		    nfs_access_async(c->nfs, name, 4 /* R_OK */, meta_done, c);
		break;
	case PHASE_READDIR:
		rc = nfs_opendir_async(c->nfs, ".", readdir_done, c);
		break;
	case PHASE_REMOVE:
		if (L->next_index >= L->limit_index)
			return 0;
		snprintf(name, sizeof(name), "f%07" PRIu64, L->next_index++);
		rc = nfs_unlink_async(c->nfs, name, meta_done, c);
		break;
	default:
		return 0;
	}
	if (rc != 0) {
		load_fail(L, "queue request", c->nfs, NULL);
		return 0;
	}
	c->inflight++;
	c->issued = loadgen_now();
	return 1;
}

/* Run the current phase until nothing is in flight; returns seconds. */
static double
run_phase(struct load *L, double max_seconds)
{
	struct pollfd pfds[MAX_CONNS];
	double t0 = loadgen_now();
	int i, busy;

	L->deadline = t0 + max_seconds;
	L->stopping = 0;
	L->ops_done = 0;
	L->bytes_done = 0;
	L->nlat = 0;
	for (i = 0; i < L->nconns; i++)
		refill(&L->conns[i]);
	for (;;) {
		busy = 0;
		for (i = 0; i < L->nconns; i++) {
			pfds[i].fd = nfs_get_fd(L->conns[i].nfs);
			pfds[i].events = (short)nfs_which_events(L->conns[i].nfs);
			pfds[i].revents = 0;
			busy += L->conns[i].inflight;
		}
		if (busy == 0)
			break;
		/* Past the deadline by far: a server that stopped answering. */
		if (loadgen_now() > L->deadline + 60) {
			load_fail(L, "timeout", NULL, "no reply for 60 s");
			break;
		}
		if (poll(pfds, (nfds_t)L->nconns, 1000) == -1) {
			if (errno == EINTR)
				continue;
			load_fail(L, "poll", NULL, strerror(errno));
			break;
		}
		for (i = 0; i < L->nconns; i++)
			if (nfs_service(L->conns[i].nfs, pfds[i].revents) < 0) {
				load_fail(L, "connection", L->conns[i].nfs,
				    NULL);
				return loadgen_now() - t0;
			}
	}
	return loadgen_now() - t0;
}

static void
report(struct load *L, double seconds)
{
	loadgen_report("host", &phase_info[L->phase],
	    L->phase == PHASE_WRITE || L->phase == PHASE_READ ?
	    L->bytes_done : L->ops_done, seconds, L->lat, L->nlat);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: nfsload --url 'nfs://HOST/PATH?version=3&nfsport=P&mountport=M'\n"
	    "               [--conns N (4)] [--depth N (16)] [--size MIB (256)]\n"
	    "               [--seconds S (5)] [--files N (5000)] [--dir NAME]\n"
	    "               [--create-bytes N (0)]\n"
	    "               [--tests write,read,randwrite,randread,create,getattr,remove]\n");
	exit(2);
}

static void
connect_all(struct load *L, const char *url_string)
{
	int i;

	for (i = 0; i < L->nconns; i++) {
		struct conn *c = &L->conns[i];
		struct nfs_url *url;

		c->load = L;
		c->nfs = nfs_init_context();
		if (c->nfs == NULL)
			loadgen_fatalx("nfs_init_context failed");
		/* Every readdir goes to the server. */
		nfs_set_dircache(c->nfs, 0);
		url = nfs_parse_url_dir(c->nfs, url_string);
		if (url == NULL)
			loadgen_fatalx("bad URL %s: %s", url_string,
			    nfs_get_error(c->nfs));
		if (nfs_mount(c->nfs, url->server, url->path) != 0)
			loadgen_fatalx("mount %s:%s: %s", url->server, url->path,
			    nfs_get_error(c->nfs));
		nfs_destroy_url(url);
	}
}

/*
 * An NFSv4 URL: the same command line to nfs4load, from nfsload's own
 * directory (else PATH).  libnfs 4.0 cannot carry NFSv4 load itself.
 */
static void
run_nfs4load(char **argv)
{
	const char *slash = strrchr(argv[0], '/');
	char path[4096];

	if (slash != NULL) {
		snprintf(path, sizeof(path), "%.*snfs4load",
		    (int)(slash - argv[0] + 1), argv[0]);
		argv[0] = path;
		execv(path, argv);
	} else {
		argv[0] = (char *)"nfs4load";
		execvp("nfs4load", argv);
	}
	loadgen_fatalx("NFSv4 is nfs4load's (libnfs 4.0 cannot send an NFSv4 "
	    "WRITE above about 3.9 KB), and %s: %s", argv[0],
	    strerror(errno));
}

int
main(int argc, char **argv)
{
	static struct load L;
	struct loadgen_opts o;
	char path[512];
	int want[PHASE_COUNT], i, p, failed = 0;
	double t;

	loadgen_prog = "nfsload";
	loadgen_options(argc, argv, &o, "nfsload", usage);
	if (strstr(o.url, "version=4") != NULL)
		run_nfs4load(argv);
	L.nconns = o.conns;
	L.depth = o.depth;
	loadgen_want(o.tests, phase_info, PHASE_COUNT, want);
	/* Reads need the file that write makes; remove needs create's. */
	if (want[PHASE_READ] || want[PHASE_RANDWRITE] || want[PHASE_RANDREAD] ||
	    want[PHASE_GETATTR])
		want[PHASE_WRITE] = 1;
	if (want[PHASE_LOOKUP] || want[PHASE_ACCESS] || want[PHASE_READDIR])
		want[PHASE_CREATE] = 1;
	if (want[PHASE_CREATE])
		want[PHASE_REMOVE] = 1;

	connect_all(&L, o.url);
	L.chunk = nfs_get_writemax(L.conns[0].nfs);
	if (nfs_get_readmax(L.conns[0].nfs) < L.chunk)
		L.chunk = nfs_get_readmax(L.conns[0].nfs);
	if (L.chunk > 1024 * 1024 || L.chunk == 0)
		L.chunk = 1024 * 1024;
	if ((uint64_t)o.create_bytes > L.chunk)
		loadgen_fatalx("--create-bytes above the write size %" PRIu64, L.chunk);
	L.create_bytes = (uint64_t)o.create_bytes;
	L.file_bytes = (uint64_t)o.size_mib * 1024 * 1024;
	L.file_bytes -= L.file_bytes % L.chunk;
	if (L.file_bytes < L.chunk)
		L.file_bytes = L.chunk;
	L.wbuf = malloc(L.chunk);
	if (L.depth == 1)
		L.lat = malloc(MAX_LAT * sizeof(*L.lat));
	if (L.wbuf == NULL || (L.depth == 1 && L.lat == NULL))
		loadgen_fatalx("out of memory");
	L.rng = 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid();
	for (uint64_t k = 0; k < L.chunk; k++)
		L.wbuf[k] = (unsigned char)loadgen_random(&L.rng);

	if (nfs_mkdir(L.conns[0].nfs, o.dir) != 0)
		loadgen_fatalx("mkdir %s: %s", o.dir, nfs_get_error(L.conns[0].nfs));
	for (i = 0; i < L.nconns; i++)
		if (nfs_chdir(L.conns[i].nfs, o.dir) != 0)
			loadgen_fatalx("chdir %s: %s", o.dir,
			    nfs_get_error(L.conns[i].nfs));
	fprintf(stderr, "nfsload: %d connections x %d in flight, %" PRIu64
	    " KiB sequential I/O, %" PRIu64 " MiB file, %lds timed phases\n",
	    L.nconns, L.depth, L.chunk / 1024, L.file_bytes >> 20, o.seconds);

	if (want[PHASE_WRITE]) {
		struct nfsfh *fh;
		if (nfs_creat(L.conns[0].nfs, "data", 0644, &fh) != 0)
			loadgen_fatalx("create data: %s", nfs_get_error(L.conns[0].nfs));
		nfs_close(L.conns[0].nfs, fh);
		for (i = 0; i < L.nconns; i++)
			if (nfs_open(L.conns[i].nfs, "data", 2 /* O_RDWR */,
			    &L.conns[i].fh) != 0)
				loadgen_fatalx("open data: %s",
				    nfs_get_error(L.conns[i].nfs));
	}

	for (p = 0; p < PHASE_COUNT && !failed; p++) {
		if (!want[p])
			continue;
		L.phase = (enum phase)p;
		L.next_offset = 0;
		L.next_index = 0;
		switch (L.phase) {
		case PHASE_CREATE:
			L.limit_index = (uint64_t)o.files;
			break;
		case PHASE_REMOVE:
			L.limit_index = L.files_made;
			break;
		default:
			break;
		}
		/* Sequential and remove phases run to their count. */
		t = run_phase(&L, L.phase == PHASE_WRITE ||
		    L.phase == PHASE_READ || L.phase == PHASE_REMOVE ?
		    (double)o.seconds * 60 : (double)o.seconds);
		/* Written data is on disk in the phase that wrote it: left
		 * dirty, the kernel's writeback 30 s later lands on another
		 * phase (a server's durable removes wait behind it). */
		if ((L.phase == PHASE_WRITE || L.phase == PHASE_RANDWRITE) &&
		    L.error[0] == '\0') {
			double t0 = loadgen_now();
			if (nfs_fsync(L.conns[0].nfs, L.conns[0].fh) != 0)
				load_fail(&L, "commit", L.conns[0].nfs, NULL);
			t += loadgen_now() - t0;
		}
		if (L.error[0] != '\0') {
			fprintf(stderr, "nfsload: %s\n", L.error);
			failed = 1;
			break;
		}
		report(&L, t);
	}

	for (i = 0; i < L.nconns; i++)
		if (L.conns[i].fh != NULL)
			nfs_close(L.conns[i].nfs, L.conns[i].fh);
	/* Clean up; files left by a failed create phase are removed too. */
	if (want[PHASE_WRITE])
		nfs_unlink(L.conns[0].nfs, "data");
	for (uint64_t k = 0; failed && k < L.files_made + 64; k++) {
		snprintf(path, sizeof(path), "f%07" PRIu64, k);
		nfs_unlink(L.conns[0].nfs, path);
	}
	/* libnfs resolves every path, even "/x", from the cwd. */
	if (nfs_chdir(L.conns[0].nfs, "..") != 0 ||
	    nfs_rmdir(L.conns[0].nfs, o.dir) != 0)
		fprintf(stderr, "nfsload: rmdir %s: %s\n", o.dir,
		    nfs_get_error(L.conns[0].nfs));
	for (i = 0; i < L.nconns; i++)
		nfs_destroy_context(L.conns[i].nfs);
	free(L.wbuf);
	free(L.lat);
	return failed;
}
