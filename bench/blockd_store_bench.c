/*
 * bench/blockd_store_bench.c: the store's own cost, by direct calls (no
 * IPC).  Creates with one store_sync per operation and per batch of 16
 * (what group commit buys), lookups, getattrs, readdir of a large
 * directory, removes; then create + open_io (which makes the backing
 * file) + 4 KiB pwrite + close, with a store_sync per 16 files, and the
 * removal of those files.
 *
 * usage: blockd_store_bench [-n creates] [-d dir]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blockd/store.h"

struct bench {
	struct store	*s;
	struct store_cred cred;
	struct store_fh	root;
	char		dir[256];
};

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
bench_fail(const char *what, int rv)
{
	fprintf(stderr, "%s: %s\n", what, strerror(-rv));
	exit(1);
}

/* n creates in directory d, with a store_sync every batch operations. */
static double
bench_creates(struct bench *b, const struct store_fh *d, const char *pfx,
    int n, int batch)
{
	struct store_fh fh;
	char name[64];
	double t0;
	int i, rv;

	t0 = bench_now();
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s%d", pfx, i);
		if ((rv = store_create(b->s, &b->cred, d, name, strlen(name),
		    0644, STORE_CREATE_GUARDED, NULL, &fh, NULL)) != 0)
			bench_fail("create", rv);
		if ((i + 1) % batch == 0 && (rv = store_sync(b->s)) != 0)
			bench_fail("sync", rv);
	}
	if ((rv = store_sync(b->s)) != 0)
		bench_fail("sync", rv);
	return n / (bench_now() - t0);
}

/* n files: create, open_io for writing, 4 KiB pwrite, close. */
static double
bench_create_write(struct bench *b, const struct store_fh *d, int n,
    int batch)
{
	struct store_fh fh;
	char name[64], data[4096];
	double t0;
	int i, fd, rv;

	memset(data, 'w', sizeof(data));
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "w%d", i);
		if ((rv = store_create(b->s, &b->cred, d, name, strlen(name),
		    0644, STORE_CREATE_GUARDED, NULL, &fh, NULL)) != 0)
			bench_fail("create", rv);
		if ((rv = store_open_io(b->s, &b->cred, &fh, STORE_IO_WRITE,
		    &fd, NULL)) != 0)
			bench_fail("open_io", rv);
		if (pwrite(fd, data, sizeof(data), 0) != (ssize_t)sizeof(data))
			bench_fail("pwrite", -errno);
		close(fd);
		if ((i + 1) % batch == 0 && (rv = store_sync(b->s)) != 0)
			bench_fail("sync", rv);
	}
	if ((rv = store_sync(b->s)) != 0)
		bench_fail("sync", rv);
	return n / (bench_now() - t0);
}

static double
bench_removes(struct bench *b, const struct store_fh *d, const char *pfx,
    int n, int batch)
{
	char name[64];
	double t0;
	int i, rv;

	t0 = bench_now();
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s%d", pfx, i);
		if ((rv = store_remove(b->s, &b->cred, d, name,
		    strlen(name))) != 0)
			bench_fail("remove", rv);
		if ((i + 1) % batch == 0 && (rv = store_sync(b->s)) != 0)
			bench_fail("sync", rv);
	}
	if ((rv = store_sync(b->s)) != 0)
		bench_fail("sync", rv);
	return n / (bench_now() - t0);
}

int
main(int argc, char *argv[])
{
	struct store_dirent *ents;
	struct store_attr a;
	struct store_fh d1, d16, big, wd, fh;
	struct bench b;
	char name[64];
	uint8_t verf[STORE_VERF_SIZE];
	uint64_t cookie;
	double t0, rate;
	size_t n, total;
	int ch, ncreates = 2000, nbig = 10000, i, rv, eof, keep = 0;

	memset(&b, 0, sizeof(b));
	snprintf(b.dir, sizeof(b.dir), "/tmp/dittofs-bench-XXXXXX");
	while ((ch = getopt(argc, argv, "n:d:")) != -1) {
		switch (ch) {
		case 'n':
			ncreates = atoi(optarg);
			break;
		case 'd':
			snprintf(b.dir, sizeof(b.dir), "%s", optarg);
			keep = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-n creates] [-d dir]\n",
			    argv[0]);
			return 1;
		}
	}
	if (!keep && mkdtemp(b.dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if ((rv = store_open(b.dir, NULL, &b.s)) != 0)
		bench_fail("open", rv);
	if ((rv = store_share_root(b.s, "bench", 1, &b.root, NULL)) != 0)
		bench_fail("share", rv);
	printf("store in %s\n", b.dir);
	store_mkdir(b.s, &b.cred, &b.root, "s1", 2, 0755, &d1, NULL);
	store_mkdir(b.s, &b.cred, &b.root, "s16", 3, 0755, &d16, NULL);
	store_mkdir(b.s, &b.cred, &b.root, "big", 3, 0755, &big, NULL);

	rate = bench_creates(&b, &d1, "a", ncreates / 4, 1);
	printf("create, store_sync per op:        %10.0f ops/s\n", rate);
	rate = bench_creates(&b, &d16, "b", ncreates, 16);
	printf("create, store_sync per 16 ops:    %10.0f ops/s\n", rate);
	rate = bench_creates(&b, &big, "c", nbig, 64);
	printf("create, store_sync per 64 ops:    %10.0f ops/s\n", rate);

	t0 = bench_now();
	for (i = 0; i < nbig; i++) {
		snprintf(name, sizeof(name), "c%d", (i * 7919) % nbig);
		if ((rv = store_lookup(b.s, &b.cred, &big, name, strlen(name),
		    &fh, &a)) != 0)
			bench_fail("lookup", rv);
	}
	printf("lookup (+attrs):                  %10.0f ops/s\n",
	    nbig / (bench_now() - t0));
	t0 = bench_now();
	for (i = 0; i < nbig; i++)
		if ((rv = store_getattr(b.s, &fh, &a)) != 0)
			bench_fail("getattr", rv);
	printf("getattr (regular file):           %10.0f ops/s\n",
	    nbig / (bench_now() - t0));
	t0 = bench_now();
	for (i = 0; i < nbig; i++)
		if ((rv = store_getattr(b.s, &big, &a)) != 0)
			bench_fail("getattr", rv);
	printf("getattr (directory, no stat):     %10.0f ops/s\n",
	    nbig / (bench_now() - t0));

	if ((ents = calloc(256, sizeof(*ents))) == NULL)
		return 1;
	for (i = 0; i < 2; i++) {
		t0 = bench_now();
		cookie = 0;
		total = 0;
		eof = 0;
		while (!eof) {
			if ((rv = store_readdir(b.s, &b.cred, &big, cookie,
			    verf, ents, 256, i, &n, &eof)) != 0)
				bench_fail("readdir", rv);
			total += n;
			if (n > 0)
				cookie = ents[n - 1].cookie;
		}
		printf("readdir%s of %zu entries:     %10.1f ms\n",
		    i ? "plus" : "    ", total, (bench_now() - t0) * 1000);
	}
	free(ents);

	t0 = bench_now();
	for (i = 0; i < nbig; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		if ((rv = store_remove(b.s, &b.cred, &big, name,
		    strlen(name))) != 0)
			bench_fail("remove", rv);
		if ((i + 1) % 16 == 0 && (rv = store_sync(b.s)) != 0)
			bench_fail("sync", rv);
	}
	if ((rv = store_sync(b.s)) != 0)
		bench_fail("sync", rv);
	printf("remove, store_sync per 16 ops:    %10.0f ops/s\n",
	    nbig / (bench_now() - t0));

	store_mkdir(b.s, &b.cred, &b.root, "w", 1, 0755, &wd, NULL);
	rate = bench_create_write(&b, &wd, ncreates, 16);
	printf("create+open_io+4K write, sync/16: %10.0f ops/s\n", rate);
	rate = bench_removes(&b, &wd, "w", ncreates, 16);
	printf("remove written, sync per 16 ops:  %10.0f ops/s\n", rate);
	store_close(b.s);
	if (!keep)
		nftw(b.dir, bench_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
