/* nfsd/fhcache.c: nodes, the fd limit, drops and deferred closes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "nfsd.h"
#include "tap.h"

static int
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* How many fds this process has open. */
static int
open_fds(void)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static struct fhnode *
put(struct fhcache *c, const char *fh)
{
	struct nfs_attr a;

	memset(&a, 0, sizeof(a));
	a.type = 1;
	return fhcache_put(c, (const uint8_t *)fh, strlen(fh), &a);
}

static struct fhnode *
get(struct fhcache *c, const char *fh)
{
	return fhcache_get(c, (const uint8_t *)fh, strlen(fh));
}

int
main(void)
{
	struct event_base *base;
	struct fhcache *c;
	struct fhnode *a, *b, *n;
	int fa, fb, fc, i, before;
	char name[16];

	/* Without an event base every close is immediate. */
	c = fhcache_new(8, 1);
	tap_ok(c != NULL, "new cache of 8 nodes, 1 fd");
	a = put(c, "A");
	tap_ok(a != NULL && a->valid, "a put node is valid");
	fa = open("/dev/null", O_RDONLY);
	fhcache_set_io(c, a, fa, 0);
	tap_ok(a->io != NULL && a->io->fd == fa, "the fd is the node's");
	tap_ok(a->unsynced, "a new fd is not known to be synced");
	b = put(c, "B");
	fb = open("/dev/null", O_RDONLY);
	fhcache_set_io(c, b, fb, 0);
	tap_ok(a->io == NULL && !fd_open(fa),
	    "over the fd limit the older node's fd is closed at once");
	tap_ok(b->io != NULL && fd_open(fb), "the newer node keeps its fd");
	fhcache_invalidate(c, (const uint8_t *)"B", 1);
	tap_ok(get(c, "B") == b && !b->valid,
	    "invalidate keeps the node, not current");
	fhcache_drop(c, (const uint8_t *)"B", 1);
	tap_ok(get(c, "B") == NULL && !fd_open(fb),
	    "drop forgets the node and closes its fd");
	fhcache_free(c);

	/* With one, closes wait for the running callback to end. */
	base = event_base_new();
	c = fhcache_new(2, 4);
	tap_ok(base != NULL && event_base_priority_init(base, 3) == 0 &&
	    c != NULL && fhcache_defer_close(c, base, 2) == 0,
	    "deferred closes at the idle priority");
	a = put(c, "A");
	fa = open("/dev/null", O_RDONLY);
	fhcache_set_io(c, a, fa, 0);
	b = put(c, "B");
	fb = open("/dev/null", O_RDONLY);
	fhcache_set_io(c, b, fb, 0);
	fhcache_drop(c, (const uint8_t *)"A", 1);
	tap_ok(get(c, "A") == NULL && fd_open(fa),
	    "a dropped node's fd stays open until the loop runs");
	n = put(c, "C");
	put(c, "D");
	tap_ok(n != NULL && get(c, "B") == NULL && fd_open(fb),
	    "an evicted node's fd waits too");
	event_base_loop(base, EVLOOP_NONBLOCK);
	tap_ok(!fd_open(fa) && !fd_open(fb),
	    "one turn of the loop closes both");
	fc = open("/dev/null", O_RDONLY);
	fhcache_set_io(c, n, fc, 0);
	fhcache_drop(c, (const uint8_t *)"C", 1);
	tap_ok(fd_open(fc), "a later drop is deferred again");
	fhcache_free(c);
	tap_ok(!fd_open(fc), "free closes what waits");

	/* A loop that never idles still gets its fds back. */
	before = open_fds();
	c = fhcache_new(1, 1);
	tap_ok(c != NULL && fhcache_defer_close(c, base, 2) == 0,
	    "a cache of one node");
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "N%d", i);
		n = put(c, name);
		fhcache_set_io(c, n, open("/dev/null", O_RDONLY), 0);
	}
	tap_ok(open_fds() - before < 256,
	    "past 256 waiting closes they are done at once (%d open)",
	    open_fds() - before);
	fhcache_free(c);
	event_base_free(base);
	return tap_done();
}
