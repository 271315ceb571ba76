/* nfsd/namecache.c: names to handles, absent names, drops and the LRU. */
#include <stdio.h>
#include <string.h>

#include "nfsd.h"
#include "tap.h"

/*
 * 1 if (dir, name) is cached with handle want (wantlen 0: absent), dir
 * caseless or not.
 */
static int
holds_in(struct namecache *c, uint64_t dir, int caseless, const char *name,
    const char *want, size_t wantlen)
{
	const uint8_t *fh;
	size_t fhlen;

	if (!namecache_get(c, dir, caseless, name, strlen(name), &fh, &fhlen))
		return 0;
	return fhlen == wantlen && memcmp(fh, want, wantlen) == 0;
}

static int
holds(struct namecache *c, uint64_t dir, const char *name,
    const char *want, size_t wantlen)
{
	return holds_in(c, dir, 0, name, want, wantlen);
}

static int
known(struct namecache *c, uint64_t dir, const char *name)
{
	const uint8_t *fh;
	size_t fhlen;

	return namecache_get(c, dir, 0, name, strlen(name), &fh, &fhlen);
}

int
main(void)
{
	struct namecache *c, *off;
	char name[32];
	int i, kept;

	c = namecache_new(4);
	tap_ok(c != NULL, "new cache of 4 entries");
	tap_ok(!known(c, 1, "a"), "an empty cache knows nothing");
	namecache_put(c, 1, 0, "a", 1, (const uint8_t *)"HANDLE-A", 8);
	namecache_put(c, 1, 0, "b", 1, NULL, 0);
	tap_ok(holds(c, 1, "a", "HANDLE-A", 8), "a name gives its handle");
	tap_ok(holds(c, 1, "b", "", 0), "an absent name is known absent");
	tap_ok(!known(c, 2, "a"), "the same name in another directory: "
	    "unknown");
	tap_ok(!known(c, 1, "ab"), "a longer name: unknown");
	namecache_put(c, 1, 0, "b", 1, (const uint8_t *)"HANDLE-B", 8);
	tap_ok(holds(c, 1, "b", "HANDLE-B", 8) && namecache_count(c) == 2,
	    "a put replaces the entry, absent to present");
	namecache_drop(c, 1, "a", 1);
	tap_ok(!known(c, 1, "a") && holds(c, 1, "b", "HANDLE-B", 8),
	    "a drop forgets that name only");
	namecache_drop(c, 1, "zz", 2);
	TAP_EQ_INT((int)namecache_count(c), 1, "dropping an unknown name: "
	    "nothing changes");

	/* LRU: b is used, then 4 new names arrive; b was used last of
	 * the old ones, so the oldest new ones go first. */
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		namecache_put(c, 7, 0, name, strlen(name), NULL, 0);
	}
	tap_ok(known(c, 1, "b"), "b is used again");
	namecache_put(c, 7, 0, "n3", 2, NULL, 0);
	TAP_EQ_INT((int)namecache_count(c), 4, "never more than the limit");
	tap_ok(!known(c, 7, "n0") && known(c, 1, "b") && known(c, 7, "n3"),
	    "the least recently used entry went");
	for (i = 0, kept = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		namecache_put(c, (uint64_t)i, 0, name, strlen(name),
		    (const uint8_t *)name, strlen(name));
	}
	for (i = 996; i < 1000; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		kept += holds(c, (uint64_t)i, name, name, strlen(name));
	}
	tap_ok(kept == 4 && namecache_count(c) == 4,
	    "after 1000 puts the last 4 are there");
	namecache_drop_all(c);
	tap_ok(namecache_count(c) == 0 && !known(c, 999, "m999"),
	    "drop_all forgets everything");
	memset(name, 'x', sizeof(name));
	namecache_put(c, 1, 0, name, 256, NULL, 0);
	tap_ok(namecache_count(c) == 0, "a name over 255 bytes is not kept");
	namecache_free(c);

	/* Complete directories: a name without an entry is absent. */
	c = namecache_new(8);
	namecache_set_complete(c, 5);
	tap_ok(holds(c, 5, "x", "", 0) && namecache_count(c) == 0,
	    "complete dir: an unseen name is absent, no entry made");
	tap_ok(!known(c, 5, ".") && !known(c, 5, "..") &&
	    !known(c, 5, "a/b"), "complete dir: '.', '..' and a name with "
	    "'/' stay unknown");
	tap_ok(!known(c, 6, "x"), "another dir is not complete");
	namecache_put(c, 5, 0, "f", 1, (const uint8_t *)"HANDLE-F", 8);
	tap_ok(holds(c, 5, "f", "HANDLE-F", 8), "complete dir: a put name "
	    "gives its handle");
	namecache_drop(c, 5, "g", 1);
	tap_ok(!known(c, 5, "g") && holds(c, 5, "x", "", 0),
	    "complete dir: a note about an unseen name makes it unknown, "
	    "the others stay absent");
	namecache_put(c, 5, 0, "g", 1, NULL, 0);
	tap_ok(holds(c, 5, "g", "", 0), "complete dir: the reply's truth "
	    "replaces unknown");
	namecache_drop(c, 5, "f", 1);
	tap_ok(!known(c, 5, "f"), "complete dir: a note about a known name "
	    "makes it unknown");
	/* 2 entries of dir 5 now; 7 more names elsewhere evict one. */
	for (i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "o%d", i);
		namecache_put(c, 6, 0, name, strlen(name), NULL, 0);
	}
	tap_ok(!known(c, 5, "x"), "an entry of a complete dir evicted: it "
	    "is complete no more");
	namecache_set_complete(c, 9);
	namecache_drop_all(c);
	tap_ok(!known(c, 9, "x"), "drop_all forgets complete dirs too");
	for (i = 100; i < 110; i++)
		namecache_set_complete(c, (uint64_t)i);
	tap_ok(!known(c, 100, "x") && holds(c, 109, "x", "", 0),
	    "complete dirs are bounded: the oldest is forgotten");
	namecache_free(c);

	/* Caseless directories: names keyed folded, as blockd keys them. */
	c = namecache_new(16);
	namecache_put(c, 3, 1, "Readme", 6, (const uint8_t *)"HANDLE-R", 8);
	tap_ok(holds_in(c, 3, 1, "README", "HANDLE-R", 8) &&
	    holds_in(c, 3, 1, "readme", "HANDLE-R", 8),
	    "caseless dir: README and readme find what Readme stored");
	namecache_put(c, 4, 0, "Readme", 6, (const uint8_t *)"HANDLE-S", 8);
	tap_ok(!holds(c, 4, "README", "HANDLE-S", 8) &&
	    holds(c, 4, "Readme", "HANDLE-S", 8),
	    "case-sensitive dir: only the exact name");
	namecache_drop(c, 3, "readme", 6);
	tap_ok(!holds_in(c, 3, 1, "Readme", "HANDLE-R", 8),
	    "caseless dir: a note about readme drops Readme's entry");
	namecache_put(c, 3, 1, "\xc3\x84rger", 6, (const uint8_t *)"HANDLE-U",
	    8);
	tap_ok(holds_in(c, 3, 1, "\xc3\xa4RGER", "HANDLE-U", 8),
	    "caseless dir: UTF-8 capitals fold too");
	namecache_drop(c, 3, "\xc3\x84RGER", 6);
	tap_ok(!holds_in(c, 3, 1, "\xc3\xa4rger", "HANDLE-U", 8),
	    "caseless dir: a note in other case drops a UTF-8 name");
	namecache_set_complete(c, 8);
	namecache_put(c, 8, 1, "Readme", 6, (const uint8_t *)"HANDLE-C", 8);
	tap_ok(holds_in(c, 8, 1, "README", "HANDLE-C", 8),
	    "complete caseless dir: README is Readme, not absent");
	namecache_put(c, 8, 1, "README", 6, NULL, 0);
	tap_ok(holds_in(c, 8, 1, "Readme", "", 0),
	    "complete caseless dir: a REMOVE of README leaves Readme absent");
	namecache_free(c);

	off = namecache_new(0);
	namecache_set_complete(off, 1);
	tap_ok(!known(off, 1, "a"), "size 0: no complete dirs either");
	namecache_put(off, 1, 0, "a", 1, (const uint8_t *)"H", 1);
	tap_ok(off != NULL && !known(off, 1, "a") &&
	    namecache_count(off) == 0, "size 0: the cache is off");
	namecache_free(off);
	return tap_done();
}
