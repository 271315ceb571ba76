/*
 * tests/unit/test_store_crash.c: kill -9 during a storm, then recover.
 *
 * A child process opens the store and runs batches of creates (with a
 * write; some by store_open_name with its fd), renames, removes and write+commit; after each batch it calls
 * store_sync() and only then reports the batch's operations as done on a
 * pipe, the way blockd sends replies.  The parent SIGKILLs it at a random
 * moment, reopens the store (recovery and repair), and checks: store_fsck
 * finds no fault, every operation reported done is there, nothing is half
 * there (a file under both its old and new name), and committed data
 * reads back.  Several rounds run on the same store.
 *
 * First, adoption: a child creates a file (durably), opens it (which
 * makes its backing file in a transaction that is not flushed), writes
 * and fdatasyncs through the fd, and is killed.  The data was stable as
 * far as a client could tell: after recovery it must be there.
 *
 * DITTOFS_SEED overrides the seed, DITTOFS_CRASH_ROUNDS the rounds.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blockd/store.h"
#include "tap.h"

#define CRASH_ITEMS	50000		/* per round */
#define CRASH_BATCH_MAX	16
#define CRASH_DATA_OFF	4096
#define CRASH_DATA_LEN	128

enum crash_state {
	CRASH_NONE,
	CRASH_CREATED,		/* f<i> */
	CRASH_RENAMED,		/* g<i> */
	CRASH_REMOVED
};

struct crash_rec {
	uint32_t	op;	/* 'C', 'R', 'X', 'W' */
	uint32_t	item;
};

struct crash_rng {
	uint64_t	x;
};

static uint64_t
crash_rand(struct crash_rng *r)
{
	r->x ^= r->x >> 12;
	r->x ^= r->x << 25;
	r->x ^= r->x >> 27;
	return r->x * 2685821657736338717ULL;
}

static void
crash_pattern(uint32_t item, uint8_t *buf, size_t len, int salt)
{
	size_t k;

	for (k = 0; k < len; k++)
		buf[k] = (uint8_t)(item * (salt ? 7u : 31u) + k * 3u + salt);
}

static int
crash_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
crash_write(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, uint32_t item, int salt, off_t off,
    size_t len)
{
	uint8_t buf[CRASH_DATA_LEN];
	int fd, rv;

	if ((rv = store_open_io(s, c, fh, STORE_IO_WRITE, &fd, NULL)) != 0)
		return rv;
	crash_pattern(item, buf, len, salt);
	rv = pwrite(fd, buf, len, off) == (ssize_t)len ? 0 : -EIO;
	close(fd);
	return rv;
}

/* CREATE by name with a write fd, and 64 bytes through it. */
static int
crash_open_write(struct store *s, const struct store_cred *c,
    const struct store_fh *dir, const char *name, uint32_t item,
    struct store_fh *fh)
{
	struct store_open op;
	uint8_t buf[64];
	int fd, rv;

	memset(&op, 0, sizeof(op));
	op.disp = STORE_DISP_CREATE;
	op.mode = 0644;
	op.access = op.io = STORE_IO_WRITE;
	if ((rv = store_open_name(s, c, dir, name, strlen(name), &op, fh,
	    NULL, NULL, &fd)) != 0)
		return rv;
	crash_pattern(item, buf, sizeof(buf), 0);
	rv = pwrite(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf) ? 0 :
	    -EIO;
	close(fd);
	return rv;
}

/* The child: never returns. */
static void
crash_child(const char *dir, int wfd, uint32_t base, uint64_t seed,
    int dirsync)
{
	struct store_options opt;
	struct crash_rec recs[CRASH_BATCH_MAX];
	struct store_cred c;
	struct store_fh root, fh;
	struct crash_rng rng;
	struct store *s;
	uint8_t *state, *busy;
	uint32_t *done;		/* items whose create was synced */
	uint32_t ndone = 0, next = 0, item, k, n, tries;
	char name[32], name2[32];
	int rv;

	memset(&c, 0, sizeof(c));
	rng.x = seed | 1;
	state = calloc(CRASH_ITEMS, 1);
	busy = calloc(CRASH_ITEMS, 1);
	done = calloc(CRASH_ITEMS, sizeof(*done));
	if (state == NULL || busy == NULL || done == NULL)
		_exit(2);
	memset(&opt, 0, sizeof(opt));
	opt.dirsync = dirsync;
	if (store_open(dir, &opt, &s) != 0 ||
	    store_share_root(s, "crash", 1, &root, NULL) != 0)
		_exit(3);
	for (;;) {
		n = 1 + (uint32_t)(crash_rand(&rng) % CRASH_BATCH_MAX);
		for (k = 0; k < n; k++) {
			unsigned int op = (unsigned int)(crash_rand(&rng) % 10);

			item = 0;
			if (op >= 5 && ndone > 0) {
				/* an item whose last step is durable */
				for (tries = 0; tries < 8; tries++) {
					item = done[crash_rand(&rng) % ndone];
					if (!busy[item] &&
					    state[item] != CRASH_REMOVED)
						break;
				}
				if (tries == 8)
					op = 0;
			} else
				op = 0;
			if (op < 5) {
				if (next == CRASH_ITEMS)
					_exit(0);
				item = next++;
				snprintf(name, sizeof(name), "f%u",
				    base + item);
				/*
				 * A quarter made and written in one
				 * store_open_name (the backing file in the
				 * creating transaction); of the others half
				 * stay unbacked until 'W'.
				 */
				if ((crash_rand(&rng) & 3) == 0) {
					if (crash_open_write(s, &c, &root,
					    name, base + item, &fh) != 0)
						_exit(4);
				} else if ((rv = store_create(s, &c, &root,
				    name, strlen(name), 0644,
				    STORE_CREATE_GUARDED, NULL, &fh,
				    NULL)) != 0 ||
				    ((crash_rand(&rng) & 1) &&
				    (rv = crash_write(s, &c, &fh, base + item,
				    0, 0, 64)) != 0))
					_exit(4);
				recs[k].op = 'C';
			} else if (op < 7 && state[item] == CRASH_CREATED) {
				snprintf(name, sizeof(name), "f%u",
				    base + item);
				snprintf(name2, sizeof(name2), "g%u",
				    base + item);
				if (store_rename(s, &c, &root, name,
				    strlen(name), &root, name2,
				    strlen(name2)) != 0)
					_exit(5);
				recs[k].op = 'R';
			} else if (op < 8 && state[item] == CRASH_RENAMED) {
				snprintf(name, sizeof(name), "g%u",
				    base + item);
				if (store_remove(s, &c, &root, name,
				    strlen(name)) != 0)
					_exit(6);
				recs[k].op = 'X';
			} else {
				snprintf(name, sizeof(name), "%c%u",
				    state[item] == CRASH_CREATED ? 'f' : 'g',
				    base + item);
				if (store_lookup(s, &c, &root, name,
				    strlen(name), &fh, NULL) != 0 ||
				    crash_write(s, &c, &fh, base + item, 1,
				    CRASH_DATA_OFF, CRASH_DATA_LEN) != 0 ||
				    store_commit(s, &fh) != 0)
					_exit(7);
				recs[k].op = 'W';
			}
			recs[k].item = base + item;
			busy[item] = 1;
		}
		/* Durable first, then "reply". */
		if (store_sync(s) != 0)
			_exit(8);
		for (k = 0; k < n; k++) {
			item = recs[k].item - base;
			busy[item] = 0;
			switch (recs[k].op) {
			case 'C':
				state[item] = CRASH_CREATED;
				done[ndone++] = item;
				break;
			case 'R':
				state[item] = CRASH_RENAMED;
				break;
			case 'X':
				state[item] = CRASH_REMOVED;
				break;
			}
		}
		if (write(wfd, recs, n * sizeof(recs[0])) !=
		    (ssize_t)(n * sizeof(recs[0])))
			_exit(9);
	}
}

static void
crash_apply(uint8_t *state, uint8_t *wrote, const struct crash_rec *r)
{
	switch (r->op) {
	case 'C':
		state[r->item] = CRASH_CREATED;
		break;
	case 'R':
		state[r->item] = CRASH_RENAMED;
		break;
	case 'X':
		state[r->item] = CRASH_REMOVED;
		break;
	case 'W':
		wrote[r->item] = 1;
		break;
	}
}

/* Check the recovered store against what was reported done. */
static int
crash_verify(const char *dir, const uint8_t *state, const uint8_t *wrote,
    uint32_t nitems, unsigned long *present)
{
	struct store_dirent *ents;
	struct store_cred c;
	struct store_fh root;
	struct store_attr a;
	struct store *s;
	uint8_t *seen_f, *seen_g, verf[8], buf[CRASH_DATA_LEN],
	    want[CRASH_DATA_LEN];
	uint64_t cookie = 0;
	unsigned long bad = 0;
	size_t n, i;
	uint32_t item;
	int eof = 0, fd, rv;

	memset(&c, 0, sizeof(c));
	*present = 0;
	seen_f = calloc(nitems, 1);
	seen_g = calloc(nitems, 1);
	ents = calloc(256, sizeof(*ents));
	if (seen_f == NULL || seen_g == NULL || ents == NULL)
		return -1;
	if ((rv = store_open(dir, NULL, &s)) != 0) {
		tap_diag("open: %s", strerror(-rv));
		return -1;
	}
	if (store_share_root(s, "crash", 0, &root, NULL) != 0) {
		/* the child may have died before creating it */
		store_close(s);
		for (i = 0; i < nitems; i++)
			if (state[i] != CRASH_NONE)
				bad++;
		goto out;
	}
	while (!eof) {
		if ((rv = store_readdir(s, &c, &root, cookie, verf, ents, 256,
		    1, &n, &eof)) != 0) {
			tap_diag("readdir: %s", strerror(-rv));
			bad++;
			break;
		}
		for (i = 0; i < n; i++) {
			cookie = ents[i].cookie;
			item = (uint32_t)strtoul(ents[i].name + 1, NULL, 10);
			if (item >= nitems || ents[i].attr.nlink != 1 ||
			    ents[i].type != STORE_TYPE_REG) {
				tap_diag("unexpected entry %s", ents[i].name);
				bad++;
				continue;
			}
			(*present)++;
			if (ents[i].name[0] == 'f')
				seen_f[item] = 1;
			else
				seen_g[item] = 1;
			if (!wrote[item])
				continue;
			/* committed data must be there */
			crash_pattern(item, want, sizeof(want), 1);
			if (store_open_io(s, &c, &ents[i].fh, STORE_IO_READ,
			    &fd, &a) != 0 || pread(fd, buf, sizeof(buf),
			    CRASH_DATA_OFF) != (ssize_t)sizeof(buf) ||
			    memcmp(buf, want, sizeof(buf)) != 0) {
				tap_diag("%s: committed data lost",
				    ents[i].name);
				bad++;
			}
			if (fd >= 0)
				close(fd);
		}
	}
	for (i = 0; i < nitems; i++) {
		if (seen_f[i] && seen_g[i]) {
			tap_diag("item %zu half renamed: both names", i);
			bad++;
		}
		switch (state[i]) {
		case CRASH_CREATED:	/* a rename may have followed */
			if (!seen_f[i] && !seen_g[i]) {
				tap_diag("f%zu: reported created, missing", i);
				bad++;
			}
			break;
		case CRASH_RENAMED:	/* a remove may have followed */
			if (seen_f[i]) {
				tap_diag("g%zu: reported renamed, old name "
				    "back", i);
				bad++;
			}
			break;
		case CRASH_REMOVED:
			if (seen_f[i] || seen_g[i]) {
				tap_diag("%zu: reported removed, present", i);
				bad++;
			}
			break;
		}
	}
	store_close(s);
out:
	free(seen_f);
	free(seen_g);
	free(ents);
	return bad ? -1 : 0;
}

/* Rule 2 at the top of blockd/store.c: a synced write is never lost. */
static void
crash_adopt(void)
{
	struct store_cred c;
	struct store_fh root, fh;
	struct store_attr a;
	struct store *s;
	uint8_t buf[4096], want[4096];
	char dir[] = "/tmp/dittofs-test-adopt-XXXXXX", ready;
	int p[2], fd, status, rv;
	pid_t pid;

	memset(&c, 0, sizeof(c));
	crash_pattern(77, want, sizeof(want), 1);
	if (mkdtemp(dir) == NULL || pipe(p) == -1) {
		perror("adopt setup");
		exit(1);
	}
	fflush(stdout);
	if ((pid = fork()) == -1) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		close(p[0]);
		if (store_open(dir, NULL, &s) != 0 ||
		    store_share_root(s, "adopt", 1, &root, NULL) != 0 ||
		    store_create(s, &c, &root, "a", 1, 0644,
		    STORE_CREATE_GUARDED, NULL, &fh, NULL) != 0 ||
		    store_sync(s) != 0 ||
		    store_open_io(s, &c, &fh, STORE_IO_WRITE, &fd, NULL) != 0 ||
		    pwrite(fd, want, sizeof(want), 0) !=
		    (ssize_t)sizeof(want) ||
		    fdatasync(fd) == -1 || write(p[1], "r", 1) != 1)
			_exit(2);
		for (;;)
			pause();	/* no store_sync: BACKED not durable */
	}
	close(p[1]);
	rv = (int)read(p[0], &ready, 1);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(p[0]);
	tap_ok(rv == 1 && WIFSIGNALED(status),
	    "adopt: child wrote and fdatasynced, killed before a log flush");
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 1,
	    "adopt: before recovery, one unrecorded backing file");
	rv = store_open(dir, NULL, &s);
	if (rv == 0)
		rv = store_share_root(s, "adopt", 0, &root, NULL);
	if (rv == 0)
		rv = store_lookup(s, &c, &root, "a", 1, &fh, &a);
	if (rv == 0)
		rv = store_open_io(s, &c, &fh, STORE_IO_READ, &fd, NULL);
	tap_ok(rv == 0 && a.size == sizeof(want) &&
	    pread(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf) &&
	    memcmp(buf, want, sizeof(buf)) == 0,
	    "adopt: after recovery the synced data is there");
	if (rv == 0) {
		close(fd);
		store_close(s);
	}
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 0,
	    "adopt: fsck after recovery: no faults");
	if (tap_failed == 0)
		nftw(dir, crash_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		tap_diag("kept %s", dir);
}

int
main(void)
{
	struct crash_rec recs[512];
	struct crash_rng rng;
	struct pollfd pfd;
	struct timespec t0, t;
	uint8_t *state, *wrote;
	unsigned long nrecs, present;
	uint64_t seed = 424242;
	uint32_t nitems;
	char dir[] = "/tmp/dittofs-test-crash-XXXXXX";
	const char *env;
	int rounds = 6, round, p[2], status, faults, ms, killed_at, rv;
	ssize_t r;
	size_t k;
	pid_t pid;

	if ((env = getenv("DITTOFS_SEED")) != NULL)
		seed = strtoull(env, NULL, 0);
	if ((env = getenv("DITTOFS_CRASH_ROUNDS")) != NULL)
		rounds = atoi(env);
	tap_diag("seed %llu, %d rounds", (unsigned long long)seed, rounds);
	crash_adopt();
	rng.x = seed | 1;
	nitems = (uint32_t)rounds * CRASH_ITEMS;
	state = calloc(nitems, 1);
	wrote = calloc(nitems, 1);
	if (state == NULL || wrote == NULL || mkdtemp(dir) == NULL) {
		perror("setup");
		return 1;
	}
	for (round = 0; round < rounds; round++) {
		if (pipe(p) == -1) {
			perror("pipe");
			return 1;
		}
		fflush(stdout);
		if ((pid = fork()) == -1) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			close(p[0]);
			/* odd rounds: fsync shard directories too */
			crash_child(dir, p[1], (uint32_t)round * CRASH_ITEMS,
			    crash_rand(&rng), round & 1);
		}
		close(p[1]);
		/* Let it run 50..550 ms, reading its reports as they come. */
		killed_at = 50 + (int)(crash_rand(&rng) % 500);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		nrecs = 0;
		pfd.fd = p[0];
		pfd.events = POLLIN;
		for (;;) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			ms = (int)((t.tv_sec - t0.tv_sec) * 1000 +
			    (t.tv_nsec - t0.tv_nsec) / 1000000);
			if (ms >= killed_at)
				break;
			if (poll(&pfd, 1, killed_at - ms) <= 0)
				continue;
			/* whole records: the child writes them atomically */
			if ((r = read(p[0], recs, sizeof(recs))) <= 0)
				break;
			for (k = 0; k < (size_t)r / sizeof(recs[0]); k++)
				crash_apply(state, wrote, &recs[k]);
			nrecs += (size_t)r / sizeof(recs[0]);
		}
		kill(pid, SIGKILL);
		while ((r = read(p[0], recs, sizeof(recs))) > 0) {
			for (k = 0; k < (size_t)r / sizeof(recs[0]); k++)
				crash_apply(state, wrote, &recs[k]);
			nrecs += (size_t)r / sizeof(recs[0]);
		}
		close(p[0]);
		if (waitpid(pid, &status, 0) == -1) {
			perror("waitpid");
			return 1;
		}
		tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		    "round %d%s: child killed after %d ms, %lu ops reported "
		    "done", round, (round & 1) ? " (dirsync)" : "", killed_at,
		    nrecs);

		/* Before recovery: only orphan backing files are allowed. */
		faults = store_fsck(dir, 0, NULL);
		tap_diag("round %d: %d backing-file orphans before recovery",
		    round, faults);
		/* apart: present must be read after crash_verify set it */
		rv = crash_verify(dir, state, wrote, nitems, &present);
		TAP_EQ_INT(rv, 0, "round %d: every op reported done is there, "
		    "nothing half done (%lu files)", round, present);
		TAP_EQ_INT(store_fsck(dir, 0, stdout), 0,
		    "round %d: fsck after recovery: no faults", round);
	}
	if (tap_failed == 0 && getenv("DITTOFS_KEEP") == NULL)
		nftw(dir, crash_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		tap_diag("kept %s", dir);
	free(state);
	free(wrote);
	return tap_done();
}
