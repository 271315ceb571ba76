/* nfsd/fhcache.c: nodes, the fd limit, drops and deferred closes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "nfsd.h"
#include "perm.h"
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

/*
 * The fd fast path's permission check is common/perm.h's perm_io, the
 * rule blockd applies to BD_OPEN_IO (test_store checks that side): with
 * NFS's flags a READ needs read or execute permission, as in knfsd.
 */
static int
permits(unsigned int mode, unsigned int uid, unsigned int gid,
    unsigned int flags)
{
	struct nfs_attr a;
	bd_cred cred;
	unsigned int groups[1] = { gid };

	memset(&a, 0, sizeof(a));
	a.type = 1;
	a.mode = mode;
	a.uid = 1000;
	a.gid = 50;
	memset(&cred, 0, sizeof(cred));
	cred.uid = uid;
	cred.gid = gid;
	cred.groups.groups_len = 1;
	cred.groups.groups_val = groups;
	return nfs_attr_permits(&a, &cred, flags);
}

static void
test_permits(void)
{
	const unsigned int nfs_read = PERM_IO_READ | PERM_IO_OWNER_OVERRIDE |
	    PERM_IO_READ_IF_EXEC;
	const unsigned int nfs_write = PERM_IO_WRITE |
	    PERM_IO_OWNER_OVERRIDE;

	tap_ok(permits(0711, 2000, 2000, nfs_read), "0711: another uid's "
	    "READ (execute permission)");
	tap_ok(!permits(0711, 2000, 2000, PERM_IO_READ), "0711: not a "
	    "plain read");
	tap_ok(!permits(0700, 2000, 2000, nfs_read), "0700: no READ for "
	    "another uid");
	tap_ok(!permits(0604, 2000, 50, nfs_read), "0604: the group's bits "
	    "count for a member, not the others'");
	tap_ok(permits(0400, 1000, 1000, nfs_write), "0400: its owner may "
	    "WRITE (owner override)");
	tap_ok(!permits(0400, 1000, 1000, PERM_IO_WRITE), "0400: not "
	    "without the override");
	tap_ok(!permits(0644, 2000, 2000, nfs_write), "0644: no WRITE for "
	    "another uid");
	tap_ok(permits(0, 0, 0, nfs_read) && permits(0, 0, 0, nfs_write),
	    "root may read and write a 0000 file");
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
	test_permits();
	return tap_done();
}
