/* nfsd/dircache.c: listings assembled from batches, lookups, limits. */
#include <stdio.h>
#include <string.h>

#include "nfsd.h"
#include "tap.h"

static bd_dirent ents[16];
static char names[16][8];
static char fhs[16][8];

/* A batch of n entries with cookies first, first+1, ... */
static void
batch(bd_readdir_reply *rep, uint64_t first, u_int n, int eof)
{
	u_int i;

	memset(rep, 0, sizeof(*rep));
	memset(ents, 0, sizeof(ents));
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "e%llu",
		    (unsigned long long)(first + i));
		snprintf(fhs[i], sizeof(fhs[i]), "fh%llu",
		    (unsigned long long)(first + i));
		ents[i].ino = 100 + first + i;
		ents[i].cookie = first + i;
		ents[i].name.bd_name_val = names[i];
		ents[i].name.bd_name_len = (u_int)strlen(names[i]);
		ents[i].fh.bd_fh_val = fhs[i];
		ents[i].fh.bd_fh_len = (u_int)strlen(fhs[i]);
	}
	rep->entries.entries_val = ents;
	rep->entries.entries_len = n;
	rep->eof = eof;
	memcpy(rep->verf, "VERF0001", 8);
}

int
main(void)
{
	struct dircache *c, *off;
	const struct dirlist *l;
	bd_readdir_reply rep;
	size_t nents;

	c = dircache_new(8);
	batch(&rep, 3, 3, 0);
	rep.parent.type = 2;
	rep.parent.ino = 42;
	rep.parent_fh.bd_fh_val = "PARENT";
	rep.parent_fh.bd_fh_len = 6;
	dircache_add(c, 7, 0, &rep);
	tap_ok(dircache_get(c, 7) == NULL,
	    "a listing not read to its end is not served");
	batch(&rep, 9, 2, 1);
	dircache_add(c, 7, 8, &rep);
	tap_ok(dircache_get(c, 7) == NULL,
	    "a batch from after where the listing stopped: ignored");
	batch(&rep, 5, 3, 1);
	dircache_add(c, 7, 4, &rep);
	l = dircache_get(c, 7);
	tap_ok(l != NULL && l->n == 5 && l->ents[4]->cookie == 7 &&
	    l->ents[4]->ino == 107 && l->ents[4]->namelen == 2 &&
	    memcmp(l->ents[4]->name, "e7", 2) == 0 &&
	    l->ents[4]->fhlen == 3 && memcmp(l->ents[4]->fh, "fh7", 3) == 0,
	    "the batch that goes on completes it: five entries in order");
	tap_ok(l != NULL && l->parent_ino == 42 && l->parent_fhlen == 6 &&
	    memcmp(l->parent_fh, "PARENT", 6) == 0 &&
	    memcmp(l->verf, "VERF0001", 8) == 0,
	    "\"..\" and the verifier from the first batch");
	tap_ok(l != NULL && dircache_list_after(l, 0) == 0 &&
	    dircache_list_after(l, 3) == 1 && dircache_list_after(l, 5) == 3 &&
	    dircache_list_after(l, 7) == 5 && dircache_list_after(l, 99) == 5,
	    "dircache_list_after finds the entry after a cookie");
	TAP_EQ_INT((int)dircache_count(c, &nents), 1, "one listing");
	TAP_EQ_INT((int)nents, 5, "of five entries");

	batch(&rep, 3, 4, 1);
	dircache_add(c, 8, 0, &rep);
	tap_ok(dircache_get(c, 8) != NULL && dircache_get(c, 7) == NULL,
	    "over the entry limit the least recently used listing goes");
	batch(&rep, 3, 2, 1);
	dircache_add(c, 8, 0, &rep);
	l = dircache_get(c, 8);
	tap_ok(l != NULL && l->n == 2, "reading from the start again "
	    "replaces the listing");
	dircache_drop(c, 8);
	tap_ok(dircache_get(c, 8) == NULL && dircache_count(c, &nents) == 0 &&
	    nents == 0, "a drop forgets the listing");
	batch(&rep, 3, 9, 1);
	dircache_add(c, 9, 0, &rep);
	tap_ok(dircache_get(c, 9) == NULL, "a listing larger than the whole "
	    "cache is not kept");
	batch(&rep, 3, 2, 1);
	dircache_add(c, 10, 0, &rep);
	dircache_drop_all(c);
	tap_ok(dircache_get(c, 10) == NULL, "drop_all forgets everything");
	dircache_free(c);

	off = dircache_new(0);
	batch(&rep, 3, 2, 1);
	dircache_add(off, 7, 0, &rep);
	tap_ok(dircache_get(off, 7) == NULL, "size 0: the cache is off");
	dircache_free(off);
	return tap_done();
}
