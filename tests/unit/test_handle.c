/*
 * tests/unit/test_handle.c: file handles are stable, unforgeable, and go
 * stale (not to another file) when their inode is gone.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define STORE_INTERNAL	/* to forge handles with a valid MAC */

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockd/store.h"
#include "tap.h"

#define N(s)	(s), strlen(s)

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
fh_eq(const struct store_fh *a, const struct store_fh *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

int
main(void)
{
	struct store_cred root_cred;
	struct store *s, *s2;
	struct store_fh root, root2, other, fh, fh2, gone, bad, forged;
	struct store_attr a, a2, oa;
	char dir[] = "/tmp/dittofs-test-handle-XXXXXX";
	char dir2[] = "/tmp/dittofs-test-handle2-XXXXXX";
	unsigned int i, stale, badmsg;
	int rv;

	memset(&root_cred, 0, sizeof(root_cred));
	if (mkdtemp(dir) == NULL || mkdtemp(dir2) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if (!tap_ok(store_open(dir, NULL, &s) == 0, "open store"))
		return tap_done();
	store_share_root(s, "a", 1, &root, NULL);
	store_share_root(s, "b", 1, &other, &oa);
	rv = store_create(s, &root_cred, &root, N("f"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh, &a);
	tap_ok(rv == 0 && fh.len <= STORE_HANDLE_MAX && fh.len >= 16,
	    "handle of %u bytes fits NFSv3's 64", fh.len);
	store_create(s, &root_cred, &root, N("gone"), 0644,
	    STORE_CREATE_GUARDED, NULL, &gone, NULL);
	store_remove(s, &root_cred, &root, N("gone"));
	TAP_EQ_INT(store_getattr(s, &gone, &a2), -ESTALE,
	    "handle of a removed file: ESTALE");

	/* every single-byte corruption is refused */
	stale = badmsg = 0;
	for (i = 0; i < fh.len; i++) {
		bad = fh;
		bad.data[i] ^= 0x40;
		rv = store_getattr(s, &bad, &a2);
		if (rv == -ESTALE)
			stale++;
		else if (rv == -EBADMSG)
			badmsg++;
	}
	tap_ok(stale + badmsg == fh.len && badmsg == 1,
	    "each flipped byte refused (%u stale, %u malformed)", stale,
	    badmsg);
	bad = fh;
	bad.len = 0;
	TAP_EQ_INT(store_getattr(s, &bad, &a2), -EBADMSG,
	    "empty handle: EBADMSG");
	bad.len = fh.len - 1;
	TAP_EQ_INT(store_getattr(s, &bad, &a2), -EBADMSG,
	    "short handle: EBADMSG");
	bad.len = STORE_HANDLE_MAX;
	TAP_EQ_INT(store_getattr(s, &bad, &a2), -EBADMSG,
	    "long handle: EBADMSG");

	/* valid MAC, wrong contents: forged with the store's own key */
	store_fh_encode(s, a.share, a.ino, a.generation + 1, &forged);
	TAP_EQ_INT(store_getattr(s, &forged, &a2), -ESTALE,
	    "reused inode number with another generation: ESTALE");
	store_fh_encode(s, oa.share, a.ino, a.generation, &forged);
	TAP_EQ_INT(store_getattr(s, &forged, &a2), -ESTALE,
	    "right inode, another share: ESTALE");
	store_fh_encode(s, a.share, a.ino + 1000, a.generation, &forged);
	TAP_EQ_INT(store_getattr(s, &forged, &a2), -ESTALE,
	    "inode never allocated: ESTALE");
	store_fh_encode(s, a.share, a.ino, a.generation, &forged);
	tap_ok(fh_eq(&forged, &fh), "encoding is deterministic");

	/* another store's handles mean nothing here */
	if (!tap_ok(store_open(dir2, NULL, &s2) == 0, "open second store"))
		return tap_done();
	store_share_root(s2, "a", 1, &root2, NULL);
	TAP_EQ_INT(store_getattr(s, &root2, &a2), -ESTALE,
	    "root handle of another store: ESTALE");
	TAP_EQ_INT(store_getattr(s2, &fh, &a2), -ESTALE,
	    "and the other way round");
	tap_ok(!fh_eq(&root, &root2), "two stores' roots differ");
	store_close(s2);

	/* stable across restarts */
	store_close(s);
	if (!tap_ok(store_open(dir, NULL, &s) == 0, "reopen"))
		return tap_done();
	rv = store_share_root(s, "a", 0, &fh2, NULL);
	tap_ok(rv == 0 && fh_eq(&fh2, &root), "root handle after reopen");
	rv = store_getattr(s, &fh, &a2);
	tap_ok(rv == 0 && a2.ino == a.ino, "file handle valid after reopen");
	TAP_EQ_INT(store_getattr(s, &gone, &a2), -ESTALE,
	    "removed file still stale after reopen");
	store_create(s, &root_cred, &root, N("new"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, &a2);
	tap_ok(a2.generation != a.generation && a2.ino > a.ino,
	    "a new epoch gives new generations (%u -> %u)", a.generation,
	    a2.generation);
	store_close(s);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	nftw(dir2, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
