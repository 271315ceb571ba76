/*
 * tests/unit/test_syncer.c: fsync and fdatasync by Linux AIO, called
 * back on the event loop (common/syncer.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "syncer.h"
#include "tap.h"

#define MANY	(SYNCER_DEPTH + 40)	/* more than the kernel takes */

struct result {
	int	called;
	int	err;
};

static void
on_done(void *arg, int err)
{
	struct result *res = arg;

	res->called++;
	res->err = err;
}

/* Run the loop until every result was called back, or 10 s passed. */
static int
wait_all(struct event_base *base, struct result *res, size_t n)
{
	size_t i, done;
	int rounds;

	for (rounds = 0; rounds < 1000; rounds++) {
		for (done = 0, i = 0; i < n; i++)
			done += res[i].called != 0;
		if (done == n)
			return 1;
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(10000);
	}
	return 0;
}

int
main(void)
{
	char path[] = "/tmp/dittofs-test-syncer-XXXXXX";
	static struct result res[MANY];
	struct event_base *base;
	struct syncer *s;
	uint64_t async, inline_;
	char buf[4096];
	int fd, i, ok, once;

	base = event_base_new();
	if ((fd = mkstemp(path)) == -1 || base == NULL) {
		tap_ok(0, "setup");
		return tap_done();
	}
	memset(buf, 'x', sizeof(buf));
	tap_ok((s = syncer_new(base)) != NULL, "syncer_new");
	if (s == NULL)
		return tap_done();

	tap_ok(pwrite(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf),
	    "dirty a file");
	syncer_sync(s, fd, 1, on_done, &res[0]);
	syncer_counts(s, &async, &inline_);
	tap_ok(async == 1 && inline_ == 0, "the fsync went to the kernel "
	    "(async %llu, inline %llu)", (unsigned long long)async,
	    (unsigned long long)inline_);
	tap_ok(wait_all(base, res, 1) && res[0].called == 1 &&
	    res[0].err == 0, "its callback ran once from the loop, no error");

	memset(res, 0, sizeof(res));
	syncer_sync(s, fd, 0, on_done, &res[0]);
	/* The kernel holds the file: the fd may go at once. */
	once = dup(fd);
	tap_ok(once >= 0 && close(once) == 0, "a dup closed while it runs");
	tap_ok(wait_all(base, res, 1) && res[0].err == 0,
	    "fdatasync: called back, no error");

	memset(res, 0, sizeof(res));
	syncer_sync(s, -1, 0, on_done, &res[0]);
	tap_ok(res[0].called == 1 || wait_all(base, res, 1),
	    "a bad fd is called back");
	TAP_EQ_INT(res[0].err, EBADF, "with EBADF");

	memset(res, 0, sizeof(res));
	for (i = 0; i < MANY; i++) {
		if (pwrite(fd, buf, sizeof(buf), (off_t)i * 4096) == -1)
			break;
		syncer_sync(s, fd, i & 1, on_done, &res[i]);
	}
	syncer_counts(s, &async, &inline_);
	tap_ok(inline_ > 0, "past SYNCER_DEPTH in flight, syncs run inline "
	    "(%llu)", (unsigned long long)inline_);
	ok = wait_all(base, res, MANY);
	for (i = 0; ok && i < MANY; i++)
		if (res[i].called != 1 || res[i].err != 0)
			ok = 0;
	tap_ok(ok, "all %d called back once, without error", MANY);

	/* Free with a sync in the kernel: it is waited for, not called. */
	memset(res, 0, sizeof(res));
	syncer_sync(s, fd, 1, on_done, &res[0]);
	syncer_free(s);
	TAP_EQ_INT(res[0].called, 0, "syncer_free drops the callback");

	close(fd);
	unlink(path);
	event_base_free(base);
	return tap_done();
}
