/*
 * tests/unit/test_store.c: each store operation and its error cases.
 * Runs as any user: credentials are passed to the store, not assumed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define STORE_INTERNAL	/* test_upgrade makes a format 1 store by hand */

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockd/store.h"
#include "tap.h"

#define N(s)	(s), strlen(s)

struct notes {
	struct store_notify ev[64];
	size_t n;
};

static struct store_cred cr_root, cr_alice, cr_bob, cr_carol;

static void
cred_set(struct store_cred *c, uint32_t uid, uint32_t gid, uint32_t ngroups,
    const uint32_t *groups)
{
	memset(c, 0, sizeof(*c));
	c->uid = uid;
	c->gid = gid;
	c->ngroups = ngroups;
	if (ngroups)
		memcpy(c->groups, groups, ngroups * sizeof(*groups));
}

static void
on_notify(void *arg, const struct store_notify *ev)
{
	struct notes *nt = arg;

	if (nt->n < sizeof(nt->ev) / sizeof(nt->ev[0]))
		nt->ev[nt->n++] = *ev;
}

static unsigned int
notes_for(const struct notes *nt, uint64_t ino)
{
	unsigned int what = 0;
	size_t i;

	for (i = 0; i < nt->n; i++)
		if (nt->ev[i].ino == ino)
			what |= nt->ev[i].what;
	return what;
}

/* Record-change bits of ino, leaving out entry notes. */
static unsigned int
attr_notes_for(const struct notes *nt, uint64_t ino)
{
	unsigned int what = 0;
	size_t i;

	for (i = 0; i < nt->n; i++)
		if (nt->ev[i].ino == ino &&
		    !(nt->ev[i].what & STORE_NOTIFY_DIRENT))
			what |= nt->ev[i].what;
	return what;
}

/* The entry name of directory dir was noted as kind (ENTRY_ADD, ...). */
static int
entry_noted(const struct notes *nt, uint64_t dir, const char *name,
    unsigned int kind)
{
	size_t i;

	for (i = 0; i < nt->n; i++)
		if (nt->ev[i].ino == dir &&
		    nt->ev[i].what == (STORE_NOTIFY_DIRENT | kind) &&
		    nt->ev[i].namelen == strlen(name) &&
		    memcmp(nt->ev[i].name, name, nt->ev[i].namelen) == 0)
			return 1;
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_tree(const char *dir)
{
	if (nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == -1)
		tap_diag("cleanup of %s failed", dir);
}

static int
fh_eq(const struct store_fh *a, const struct store_fh *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

static struct store *
reopen(struct store *s, const char *dir, struct store_options *opt)
{
	int rv;

	store_close(s);
	if ((rv = store_open(dir, opt, &s)) != 0) {
		tap_diag("reopen: %s", strerror(-rv));
		exit(1);
	}
	return s;
}

static void
test_basic(struct store *s, const struct store_fh *root)
{
	struct store_attr a, a2;
	struct store_fh fh, fh2, dfh;
	char name[300];
	uint8_t verf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t verf2[8] = { 9 };
	int rv;

	rv = store_getattr(s, root, &a);
	tap_ok(rv == 0 && a.type == STORE_TYPE_DIR && a.mode == 0755 &&
	    a.nlink == 2 && a.uid == 0, "root is a 0755 directory, nlink 2");

	rv = store_create(s, &cr_root, root, N("f"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh, &a);
	tap_ok(rv == 0 && a.type == STORE_TYPE_REG && a.mode == 0644 &&
	    a.nlink == 1 && a.size == 0, "create regular file");
	tap_ok(fh.len > 0 && fh.len <= STORE_HANDLE_MAX, "handle is %u bytes",
	    fh.len);
	rv = store_lookup(s, &cr_root, root, N("f"), &fh2, &a2);
	tap_ok(rv == 0 && fh_eq(&fh, &fh2) && a2.ino == a.ino,
	    "lookup finds it with the same handle");
	TAP_EQ_INT(store_create(s, &cr_root, root, N("f"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL), -EEXIST,
	    "guarded create of an existing name: EEXIST");
	rv = store_create(s, &cr_root, root, N("f"), 0600,
	    STORE_CREATE_UNCHECKED, NULL, &fh2, &a2);
	tap_ok(rv == 0 && fh_eq(&fh, &fh2) && a2.mode == 0644,
	    "unchecked create of an existing file returns it");

	rv = store_create(s, &cr_root, root, N("x"), 0644,
	    STORE_CREATE_EXCLUSIVE, verf, &fh, &a);
	tap_ok(rv == 0, "exclusive create");
	rv = store_create(s, &cr_root, root, N("x"), 0644,
	    STORE_CREATE_EXCLUSIVE, verf, &fh2, &a2);
	tap_ok(rv == 0 && fh_eq(&fh, &fh2),
	    "retransmitted exclusive create with the same verifier succeeds");
	TAP_EQ_INT(store_create(s, &cr_root, root, N("x"), 0644,
	    STORE_CREATE_EXCLUSIVE, verf2, &fh2, &a2), -EEXIST,
	    "exclusive create with another verifier: EEXIST");
	TAP_EQ_INT(store_create(s, &cr_root, root, N("f"), 0644,
	    STORE_CREATE_EXCLUSIVE, verf, &fh2, &a2), -EEXIST,
	    "exclusive create over a non-exclusive file: EEXIST");

	memset(name, 'n', sizeof(name));
	TAP_EQ_INT(store_create(s, &cr_root, root, name, 256, 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL), -ENAMETOOLONG,
	    "256-byte name: ENAMETOOLONG");
	TAP_EQ_INT(store_create(s, &cr_root, root, name, 255, 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL), 0,
	    "255-byte name is fine");
	TAP_EQ_INT(store_lookup(s, &cr_root, root, name, 256, &fh2, NULL),
	    -ENAMETOOLONG, "lookup of a 256-byte name: ENAMETOOLONG");
	TAP_EQ_INT(store_create(s, &cr_root, root, "a/b", 3, 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL), -EINVAL,
	    "name with '/': EINVAL");
	TAP_EQ_INT(store_create(s, &cr_root, root, "a\0b", 3, 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL), -EINVAL,
	    "name with NUL: EINVAL");
	TAP_EQ_INT(store_mkdir(s, &cr_root, root, N("."), 0755, &fh2, NULL),
	    -EINVAL, "mkdir \".\": EINVAL");
	TAP_EQ_INT(store_create(s, &cr_root, root, N(".."), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL), -EINVAL,
	    "create \"..\": EINVAL");
	TAP_EQ_INT(store_create(s, &cr_root, root, "", 0, 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL), -EINVAL,
	    "empty name: EINVAL");
	TAP_EQ_INT(store_lookup(s, &cr_root, root, N("nope"), &fh2, NULL),
	    -ENOENT, "lookup of a missing name: ENOENT");
	TAP_EQ_INT(store_lookup(s, &cr_root, &fh, N("y"), &fh2, NULL),
	    -ENOTDIR, "lookup in a file: ENOTDIR");
	TAP_EQ_INT(store_create(s, &cr_root, &fh, N("y"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL), -ENOTDIR,
	    "create in a file: ENOTDIR");

	rv = store_mkdir(s, &cr_root, root, N("d"), 0755, &dfh, &a);
	tap_ok(rv == 0 && a.type == STORE_TYPE_DIR && a.nlink == 2,
	    "mkdir");
	rv = store_getattr(s, root, &a2);
	TAP_EQ_INT(a2.nlink, 3, "parent nlink counts the subdirectory");
	TAP_EQ_INT(store_mkdir(s, &cr_root, root, N("d"), 0755, &fh2, NULL),
	    -EEXIST, "mkdir of an existing name: EEXIST");
	rv = store_lookup(s, &cr_root, &dfh, N("."), &fh2, NULL);
	tap_ok(rv == 0 && fh_eq(&fh2, &dfh), "lookup \".\"");
	rv = store_lookup(s, &cr_root, &dfh, N(".."), &fh2, NULL);
	tap_ok(rv == 0 && fh_eq(&fh2, root), "lookup \"..\" gives the parent");
	rv = store_lookup(s, &cr_root, root, N(".."), &fh2, NULL);
	tap_ok(rv == 0 && fh_eq(&fh2, root), "\"..\" of the root is the root");

	TAP_EQ_INT(store_create(s, &cr_root, &dfh, N("inner"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL), 0, "create in subdir");
	TAP_EQ_INT(store_rmdir(s, &cr_root, root, N("d")), -ENOTEMPTY,
	    "rmdir of a non-empty directory: ENOTEMPTY");
	TAP_EQ_INT(store_rmdir(s, &cr_root, root, N("f")), -ENOTDIR,
	    "rmdir of a file: ENOTDIR");
	TAP_EQ_INT(store_remove(s, &cr_root, root, N("d")), -EISDIR,
	    "remove of a directory: EISDIR");
	TAP_EQ_INT(store_remove(s, &cr_root, root, N("zz")), -ENOENT,
	    "remove of a missing name: ENOENT");
	TAP_EQ_INT(store_rmdir(s, &cr_root, root, N("zz")), -ENOENT,
	    "rmdir of a missing name: ENOENT");
	TAP_EQ_INT(store_remove(s, &cr_root, &dfh, N("inner")), 0,
	    "remove");
	TAP_EQ_INT(store_getattr(s, &fh2, &a), -ESTALE,
	    "the removed file's handle is stale");
	TAP_EQ_INT(store_rmdir(s, &cr_root, root, N("d")), 0, "rmdir");
	rv = store_getattr(s, root, &a2);
	TAP_EQ_INT(a2.nlink, 2, "parent nlink back to 2");
	TAP_EQ_INT(store_getattr(s, &dfh, &a), -ESTALE,
	    "the removed directory's handle is stale");
	TAP_EQ_INT(store_create(s, &cr_root, &dfh, N("g"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL), -ESTALE,
	    "create in a removed directory: ESTALE");
}

static void
test_perms(struct store *s, const struct store_fh *root)
{
	struct store_sattr sa;
	struct store_attr a;
	struct store_fh home, fh, fh2, pub, sg;
	int rv;

	TAP_EQ_INT(store_create(s, &cr_alice, root, N("alice-f"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh, NULL), -EACCES,
	    "non-root create in a 0755 root-owned directory: EACCES");
	TAP_EQ_INT(store_mkdir(s, &cr_root, root, N("home"), 0700, &home,
	    NULL), 0, "mkdir home");
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_UID | STORE_SATTR_GID;
	sa.uid = 1000;
	sa.gid = 1000;
	TAP_EQ_INT(store_setattr(s, &cr_root, &home, &sa, &a), 0,
	    "root chowns home to alice");
	tap_ok(a.uid == 1000 && a.gid == 1000, "owner changed");
	TAP_EQ_INT(store_create(s, &cr_alice, &home, N("a"), 0640,
	    STORE_CREATE_GUARDED, NULL, &fh, &a), 0, "alice creates in home");
	tap_ok(a.uid == 1000 && a.gid == 1000, "new file owned by the caller");
	TAP_EQ_INT(store_lookup(s, &cr_bob, &home, N("a"), &fh2, NULL),
	    -EACCES, "bob cannot search alice's 0700 home: EACCES");
	TAP_EQ_INT(store_remove(s, &cr_bob, &home, N("a")), -EACCES,
	    "bob cannot remove in it: EACCES");

	/* chmod 0750: carol is in group 1000 by supplementary groups */
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_MODE;
	sa.mode = 0750;
	TAP_EQ_INT(store_setattr(s, &cr_bob, &home, &sa, NULL), -EPERM,
	    "chmod by a non-owner: EPERM");
	TAP_EQ_INT(store_setattr(s, &cr_alice, &home, &sa, NULL), 0,
	    "chmod by the owner");
	TAP_EQ_INT(store_lookup(s, &cr_carol, &home, N("a"), &fh2, &a), 0,
	    "group member (supplementary group) may search");
	TAP_EQ_INT(store_lookup(s, &cr_bob, &home, N("a"), &fh2, NULL),
	    -EACCES, "other still may not");
	TAP_EQ_INT(store_create(s, &cr_carol, &home, N("c"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL), -EACCES,
	    "group without write may not create");

	/* open_io permissions on 0640 file a */
	{
		int fd = -1;

		TAP_EQ_INT(store_open_io(s, &cr_carol, &fh, STORE_IO_READ,
		    &fd, NULL), 0, "group may open 0640 for reading");
		if (fd >= 0)
			close(fd);
		TAP_EQ_INT(store_open_io(s, &cr_carol, &fh, STORE_IO_WRITE,
		    &fd, NULL), -EACCES, "group may not open 0640 for writing");
		memset(&sa, 0, sizeof(sa));
		sa.mask = STORE_SATTR_MODE;
		sa.mode = 0444;
		TAP_EQ_INT(store_setattr(s, &cr_alice, &fh, &sa, NULL), 0,
		    "chmod 0444");
		TAP_EQ_INT(store_open_io(s, &cr_alice, &fh, STORE_IO_WRITE,
		    &fd, NULL), -EACCES, "owner may not write 0444");
		TAP_EQ_INT(store_open_io(s, &cr_alice, &fh, STORE_IO_WRITE |
		    STORE_IO_OWNER_OVERRIDE, &fd, NULL), 0,
		    "owner override opens 0444 for writing");
		if (fd >= 0)
			close(fd);
		TAP_EQ_INT(store_open_io(s, &cr_root, &fh, STORE_IO_WRITE,
		    &fd, NULL), 0, "root may write 0444");
		if (fd >= 0)
			close(fd);
	}

	/* setattr rules */
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_UID;
	sa.uid = 1001;
	TAP_EQ_INT(store_setattr(s, &cr_alice, &fh, &sa, NULL), -EPERM,
	    "chown to another user by non-root: EPERM");
	sa.mask = STORE_SATTR_GID;
	sa.gid = 1001;
	TAP_EQ_INT(store_setattr(s, &cr_alice, &fh, &sa, NULL), -EPERM,
	    "chgrp to a group the owner is not in: EPERM");
	sa.gid = 1000;
	TAP_EQ_INT(store_setattr(s, &cr_alice, &fh, &sa, NULL), 0,
	    "chgrp to own group");
	sa.mask = STORE_SATTR_SIZE;
	sa.size = 10;
	TAP_EQ_INT(store_setattr(s, &cr_alice, &fh, &sa, NULL), -EACCES,
	    "truncate without write permission: EACCES");
	TAP_EQ_INT(store_setattr(s, &cr_root, &home, &sa, NULL), -EISDIR,
	    "truncate a directory: EISDIR");
	sa.mask = STORE_SATTR_MODE;
	sa.mode = 06755;
	TAP_EQ_INT(store_setattr(s, &cr_alice, &fh, &sa, &a), 0,
	    "chmod 06755 by owner in the group");
	TAP_EQ_INT(a.mode, 06755, "setuid and setgid set");
	sa.mask = STORE_SATTR_SIZE;
	sa.size = 100;
	TAP_EQ_INT(store_setattr(s, &cr_alice, &fh, &sa, &a), 0, "truncate");
	tap_ok(a.size == 100 && a.mode == 0755,
	    "size 100, non-root truncate killed setuid/setgid (mode %o)",
	    a.mode);
	sa.mask = STORE_SATTR_MODE;
	sa.mode = 06755;
	TAP_EQ_INT(store_setattr(s, &cr_root, &fh, &sa, &a), 0, "root chmod");
	sa.mask = STORE_SATTR_UID | STORE_SATTR_GID;
	sa.uid = 1002;
	sa.gid = 1002;
	TAP_EQ_INT(store_setattr(s, &cr_root, &fh, &sa, &a), 0, "root chown");
	tap_ok(a.uid == 1002 && a.gid == 1002 && a.mode == 0755,
	    "chown killed setuid/setgid (mode %o)", a.mode);
	sa.mask = STORE_SATTR_MODE;
	sa.mode = 02755;
	TAP_EQ_INT(store_setattr(s, &cr_root, &fh, &sa, NULL), 0, "chmod");
	sa.mask = STORE_SATTR_UID;
	sa.uid = 1000;
	TAP_EQ_INT(store_setattr(s, &cr_root, &fh, &sa, NULL), 0, "chown");
	sa.mask = STORE_SATTR_MODE;
	sa.mode = 02755;
	TAP_EQ_INT(store_setattr(s, &cr_alice, &fh, &sa, &a), 0,
	    "owner outside the file's group sets mode 02755");
	TAP_EQ_INT(a.mode, 0755, "setgid dropped for a non-member");

	/* times */
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_MTIME | STORE_SATTR_ATIME;
	sa.mtime.tv_sec = 1000000000;
	sa.mtime.tv_nsec = 5;
	sa.atime.tv_sec = 1000000001;
	TAP_EQ_INT(store_setattr(s, &cr_bob, &fh, &sa, NULL), -EPERM,
	    "explicit times by a non-owner: EPERM");
	TAP_EQ_INT(store_setattr(s, &cr_alice, &fh, &sa, &a), 0,
	    "explicit times by the owner");
	tap_ok(a.mtime.tv_sec == 1000000000 && a.mtime.tv_nsec == 5 &&
	    a.atime.tv_sec == 1000000001, "times set on the backing file");
	sa.mask = STORE_SATTR_MTIME_NOW;
	TAP_EQ_INT(store_setattr(s, &cr_bob, &fh, &sa, NULL), -EACCES,
	    "\"now\" without write permission: EACCES");
	sa.mask = STORE_SATTR_MODE;
	sa.mode = 0666;
	TAP_EQ_INT(store_setattr(s, &cr_alice, &fh, &sa, NULL), 0,
	    "chmod 0666");
	sa.mask = STORE_SATTR_MTIME_NOW | STORE_SATTR_ATIME_NOW;
	TAP_EQ_INT(store_setattr(s, &cr_bob, &fh, &sa, &a), 0,
	    "\"now\" with write permission");
	tap_ok(a.mtime.tv_sec > 1000000000, "mtime is the server's time");
	sa.mask = STORE_SATTR_MTIME;
	sa.mtime.tv_sec = 12345;
	sa.mtime.tv_nsec = 0;
	TAP_EQ_INT(store_setattr(s, &cr_alice, &home, &sa, &a), 0,
	    "explicit mtime on a directory");
	TAP_EQ_INT(a.mtime.tv_sec, 12345, "directory mtime kept in the record");

	/* access */
	{
		uint32_t g = 0;

		TAP_EQ_INT(store_access(s, &cr_alice, &home, 0x3f, &g, NULL),
		    0, "access on a directory");
		TAP_EQ_INT(g, STORE_ACCESS_READ | STORE_ACCESS_LOOKUP |
		    STORE_ACCESS_MODIFY | STORE_ACCESS_EXTEND |
		    STORE_ACCESS_DELETE, "owner: all directory rights");
		store_access(s, &cr_carol, &home, 0x3f, &g, NULL);
		TAP_EQ_INT(g, STORE_ACCESS_READ | STORE_ACCESS_LOOKUP,
		    "group r-x: read and lookup");
		store_access(s, &cr_bob, &home, 0x3f, &g, NULL);
		TAP_EQ_INT(g, 0, "other ---: nothing");
		store_access(s, &cr_bob, &fh, 0x3f, &g, NULL);
		TAP_EQ_INT(g, STORE_ACCESS_READ | STORE_ACCESS_MODIFY |
		    STORE_ACCESS_EXTEND, "file 0666: read, modify, extend");
		store_access(s, &cr_bob, &fh, STORE_ACCESS_READ, &g, NULL);
		TAP_EQ_INT(g, STORE_ACCESS_READ, "only what was asked");
		store_access(s, &cr_root, &fh, 0x3f, &g, NULL);
		TAP_EQ_INT(g & STORE_ACCESS_EXECUTE, 0,
		    "root may not execute a file without x bits");
	}

	/* sticky directory */
	TAP_EQ_INT(store_mkdir(s, &cr_root, root, N("pub"), 01777, &pub, &a),
	    0, "mkdir sticky 1777");
	TAP_EQ_INT(a.mode, 01777, "mode kept");
	store_create(s, &cr_alice, &pub, N("alices"), 0666,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL);
	/* store_access_mask: ACE bits, DELETE as a remove would decide. */
	{
		uint32_t g = 0;

		TAP_EQ_INT(store_access_mask(s, &cr_alice, &fh2, &pub, &g,
		    NULL), 0, "access mask of alice's file in 1777");
		tap_ok((g & (ACL_READ_DATA | ACL_WRITE_DATA | ACL_DELETE |
		    ACL_WRITE_ATTRIBUTES | ACL_WRITE_OWNER)) == (ACL_READ_DATA |
		    ACL_WRITE_DATA | ACL_DELETE | ACL_WRITE_ATTRIBUTES |
		    ACL_WRITE_OWNER) && !(g & ACL_EXECUTE),
		    "owner: rw, DELETE, attributes, owner; no x");
		store_access_mask(s, &cr_bob, &fh2, &pub, &g, NULL);
		tap_ok((g & (ACL_READ_DATA | ACL_WRITE_DATA |
		    ACL_WRITE_ATTRIBUTES)) == (ACL_READ_DATA | ACL_WRITE_DATA |
		    ACL_WRITE_ATTRIBUTES) && !(g & (ACL_DELETE |
		    ACL_WRITE_OWNER | ACL_WRITE_ACL)),
		    "bob: rw of 0666, no DELETE in a sticky directory");
		store_access_mask(s, &cr_alice, &fh2, NULL, &g, NULL);
		TAP_EQ_INT(g & ACL_DELETE, 0, "no directory: no DELETE");
	}
	TAP_EQ_INT(store_remove(s, &cr_bob, &pub, N("alices")), -EPERM,
	    "sticky: bob may not remove alice's file: EPERM");
	TAP_EQ_INT(store_rename(s, &cr_bob, &pub, N("alices"), &pub,
	    N("bobs")), -EPERM, "sticky: nor rename it");
	TAP_EQ_INT(store_create(s, &cr_bob, &pub, N("bobs"), 0666,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL), 0,
	    "bob creates his own");
	TAP_EQ_INT(store_rename(s, &cr_bob, &pub, N("bobs"), &pub,
	    N("alices")), -EPERM, "sticky: nor replace it");
	TAP_EQ_INT(store_remove(s, &cr_alice, &pub, N("alices")), 0,
	    "sticky: the owner may");
	TAP_EQ_INT(store_remove(s, &cr_root, &pub, N("bobs")), 0,
	    "sticky: root may");

	/* setgid directory */
	TAP_EQ_INT(store_mkdir(s, &cr_root, root, N("sg"), 02777, &sg, &a),
	    0, "mkdir with mode 02777");
	TAP_EQ_INT(a.mode, 0777, "mkdir ignores setgid in the mode (Linux)");
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_GID | STORE_SATTR_MODE;
	sa.gid = 500;
	sa.mode = 02777;
	TAP_EQ_INT(store_setattr(s, &cr_root, &sg, &sa, &a), 0,
	    "chmod 02777, chgrp 500");
	TAP_EQ_INT(a.mode, 02777, "directory is setgid");
	rv = store_create(s, &cr_alice, &sg, N("f"), 02755,
	    STORE_CREATE_GUARDED, NULL, &fh2, &a);
	tap_ok(rv == 0 && a.gid == 500 && a.mode == 0755,
	    "file in setgid dir: dir's group, setgid dropped for non-member "
	    "(gid %u mode %o)", a.gid, a.mode);
	rv = store_mkdir(s, &cr_alice, &sg, N("sub"), 0755, &fh2, &a);
	tap_ok(rv == 0 && a.gid == 500 && a.mode == 02755,
	    "dir in setgid dir inherits group and setgid (gid %u mode %o)",
	    a.gid, a.mode);

	/* mknod rules */
	TAP_EQ_INT(store_mknod(s, &cr_alice, &pub, N("cdev"), STORE_TYPE_CHR,
	    0644, makedev(1, 3), &fh2, NULL), -EPERM,
	    "char device by non-root: EPERM");
	rv = store_mknod(s, &cr_root, &pub, N("cdev"), STORE_TYPE_CHR, 0644,
	    makedev(1, 3), &fh2, &a);
	tap_ok(rv == 0 && a.type == STORE_TYPE_CHR &&
	    a.rdev == makedev(1, 3), "char device by root keeps rdev");
	rv = store_mknod(s, &cr_alice, &pub, N("fifo"), STORE_TYPE_FIFO, 0600,
	    0, &fh2, &a);
	tap_ok(rv == 0 && a.type == STORE_TYPE_FIFO, "fifo");
	rv = store_mknod(s, &cr_alice, &pub, N("sock"), STORE_TYPE_SOCK, 0600,
	    0, &fh2, &a);
	tap_ok(rv == 0 && a.type == STORE_TYPE_SOCK, "socket");
	rv = store_mknod(s, &cr_root, &pub, N("bdev"), STORE_TYPE_BLK, 0600,
	    makedev(8, 1), &fh2, &a);
	tap_ok(rv == 0 && a.type == STORE_TYPE_BLK, "block device");
	TAP_EQ_INT(store_mknod(s, &cr_root, &pub, N("bad"), STORE_TYPE_DIR,
	    0600, 0, &fh2, NULL), -EINVAL, "mknod of a directory: EINVAL");
}

static void
test_links(struct store *s, const struct store_fh *root,
    const struct store_fh *other)
{
	struct store_attr a;
	struct store_fh fh, fh2, d1, d2, d3, lnk;
	char buf[64];
	size_t len;
	int rv;

	store_mkdir(s, &cr_root, root, N("L"), 0755, &d1, NULL);
	store_create(s, &cr_root, &d1, N("one"), 0644, STORE_CREATE_GUARDED,
	    NULL, &fh, NULL);
	rv = store_link(s, &cr_root, &fh, &d1, N("two"), &a);
	tap_ok(rv == 0 && a.nlink == 2, "link: nlink 2");
	rv = store_lookup(s, &cr_root, &d1, N("two"), &fh2, NULL);
	tap_ok(rv == 0 && fh_eq(&fh, &fh2), "both names, one handle");
	TAP_EQ_INT(store_link(s, &cr_root, &fh, &d1, N("two"), NULL), -EEXIST,
	    "link over an existing name: EEXIST");
	TAP_EQ_INT(store_link(s, &cr_root, &d1, root, N("dirlink"), NULL),
	    -EPERM, "link of a directory: EPERM");
	TAP_EQ_INT(store_link(s, &cr_root, &fh, other, N("x"), NULL), -EXDEV,
	    "link across shares: EXDEV");
	TAP_EQ_INT(store_remove(s, &cr_root, &d1, N("one")), 0,
	    "remove one name");
	rv = store_getattr(s, &fh, &a);
	tap_ok(rv == 0 && a.nlink == 1, "file lives on, nlink 1");

	/* symlinks */
	rv = store_symlink(s, &cr_alice, root, N("sl"), N("L/two"), &lnk, &a);
	TAP_EQ_INT(rv, -EACCES, "symlink without write permission: EACCES");
	rv = store_symlink(s, &cr_root, root, N("sl"), N("L/two"), &lnk, &a);
	tap_ok(rv == 0 && a.type == STORE_TYPE_LNK && a.size == 5 &&
	    a.mode == 0777, "symlink: size is the target length, mode 0777");
	rv = store_readlink(s, &lnk, buf, sizeof(buf), &len);
	tap_ok(rv == 0 && len == 5 && strcmp(buf, "L/two") == 0, "readlink");
	TAP_EQ_INT(store_readlink(s, &lnk, buf, 3, &len), -ERANGE,
	    "readlink into a short buffer: ERANGE");
	TAP_EQ_INT(store_readlink(s, &fh, buf, sizeof(buf), &len), -EINVAL,
	    "readlink of a file: EINVAL");
	TAP_EQ_INT(store_symlink(s, &cr_root, root, N("sl2"), "", 0, &fh2,
	    NULL), -ENOENT, "empty symlink target: ENOENT");
	TAP_EQ_INT(store_symlink(s, &cr_root, root, N("sl2"), "a\0b", 3, &fh2,
	    NULL), -EINVAL, "symlink target with NUL: EINVAL");
	TAP_EQ_INT(store_open_io(s, &cr_root, &lnk, STORE_IO_READ, &rv, NULL),
	    -EINVAL, "open_io of a symlink: EINVAL");

	/* rename */
	store_mkdir(s, &cr_root, root, N("R"), 0755, &d2, NULL);
	rv = store_rename(s, &cr_root, &d1, N("two"), &d2, N("moved"));
	TAP_EQ_INT(rv, 0, "rename across directories");
	rv = store_lookup(s, &cr_root, &d2, N("moved"), &fh2, NULL);
	tap_ok(rv == 0 && fh_eq(&fh, &fh2), "same handle after rename");
	TAP_EQ_INT(store_lookup(s, &cr_root, &d1, N("two"), &fh2, NULL),
	    -ENOENT, "old name gone");
	TAP_EQ_INT(store_rename(s, &cr_root, &d1, N("two"), &d2, N("x")),
	    -ENOENT, "rename of a missing name: ENOENT");
	store_create(s, &cr_root, &d2, N("victim"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL);
	TAP_EQ_INT(store_rename(s, &cr_root, &d2, N("moved"), &d2,
	    N("victim")), 0, "rename replacing a file");
	TAP_EQ_INT(store_getattr(s, &fh2, &a), -ESTALE,
	    "the replaced file is gone: ESTALE");
	store_link(s, &cr_root, &fh, &d2, N("alias"), NULL);
	TAP_EQ_INT(store_rename(s, &cr_root, &d2, N("alias"), &d2,
	    N("victim")), 0, "rename onto a hard link of itself: no-op");
	rv = store_lookup(s, &cr_root, &d2, N("alias"), &fh2, &a);
	tap_ok(rv == 0 && a.nlink == 2, "both names stay");

	/* directories */
	store_mkdir(s, &cr_root, &d2, N("sub"), 0755, &d3, NULL);
	store_mkdir(s, &cr_root, &d3, N("subsub"), 0755, &fh2, NULL);
	TAP_EQ_INT(store_rename(s, &cr_root, &d2, N("sub"), &d3, N("x")),
	    -EINVAL, "directory into itself: EINVAL");
	TAP_EQ_INT(store_rename(s, &cr_root, &d2, N("sub"), &fh2, N("x")),
	    -EINVAL, "directory into its own subtree: EINVAL");
	TAP_EQ_INT(store_rename(s, &cr_root, &d2, N("sub"), &d2, N("victim")),
	    -ENOTDIR, "directory over a file: ENOTDIR");
	TAP_EQ_INT(store_rename(s, &cr_root, &d2, N("victim"), &d2, N("sub")),
	    -EISDIR, "file over a directory: EISDIR");
	store_mkdir(s, &cr_root, &d2, N("full"), 0755, NULL == NULL ? &fh2 :
	    NULL, NULL);
	store_create(s, &cr_root, &fh2, N("content"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL);
	TAP_EQ_INT(store_rename(s, &cr_root, &d2, N("sub"), &d2, N("full")),
	    -ENOTEMPTY, "directory over a non-empty directory: ENOTEMPTY");
	store_mkdir(s, &cr_root, &d1, N("empty"), 0755, &fh2, NULL);
	rv = store_rename(s, &cr_root, &d2, N("sub"), &d1, N("empty"));
	TAP_EQ_INT(rv, 0, "directory over an empty directory elsewhere");
	TAP_EQ_INT(store_getattr(s, &fh2, &a), -ESTALE, "replaced dir gone");
	rv = store_getattr(s, &d1, &a);
	TAP_EQ_INT(a.nlink, 3, "target parent nlink: 2 + sub");
	rv = store_getattr(s, &d2, &a);
	TAP_EQ_INT(a.nlink, 3, "source parent nlink: 2 + full");
	rv = store_lookup(s, &cr_root, &d3, N(".."), &fh2, NULL);
	tap_ok(rv == 0 && fh_eq(&fh2, &d1), "\"..\" of the moved directory");
	TAP_EQ_INT(store_rename(s, &cr_root, root, N("R"), other, N("R")),
	    -EXDEV, "rename across shares: EXDEV");
	TAP_EQ_INT(store_rename(s, &cr_root, root, N("R"), root, N("a/b")),
	    -EINVAL, "rename to a name with '/': EINVAL");
	TAP_EQ_INT(store_rename(s, &cr_alice, &d2, N("victim"), &d2, N("v2")),
	    -EACCES, "rename without write permission: EACCES");
}

static void
test_readdir(struct store *s, const struct store_fh *root, const char *dir,
    struct store_options *opt, struct store **sp)
{
	struct store_dirent *ents;
	struct store_fh d, fh;
	struct store_attr a;
	uint8_t verf[8], verf2[8];
	char name[32], seen[200];
	uint64_t cookie, mid;
	size_t n, i, total;
	int eof, rv, ok, dup;

	ents = calloc(16, sizeof(*ents));
	store_mkdir(s, &cr_root, root, N("many"), 0755, &d, NULL);
	for (i = 0; i < 150; i++) {
		snprintf(name, sizeof(name), "e%03zu", i);
		if ((rv = store_create(s, &cr_root, &d, N(name), 0644,
		    STORE_CREATE_GUARDED, NULL, &fh, NULL)) != 0)
			break;
	}
	TAP_EQ_INT(i, 150, "150 entries created");
	memset(seen, 0, sizeof(seen));
	cookie = 0;
	total = 0;
	dup = 0;
	mid = 0;
	do {
		rv = store_readdir(s, &cr_root, &d, cookie, verf, ents, 7, 0,
		    &n, &eof);
		if (rv != 0)
			break;
		for (i = 0; i < n; i++) {
			unsigned int k = (unsigned int)atoi(ents[i].name + 1);

			if (k >= 150 || seen[k]++)
				dup++;
			cookie = ents[i].cookie;
			total++;
		}
		if (total >= 70 && mid == 0)
			mid = cookie;
	} while (!eof);
	tap_ok(rv == 0 && total == 150 && dup == 0,
	    "readdir in chunks of 7 sees each entry once (%zu)", total);

	/* cookies survive a restart */
	*sp = s = reopen(s, dir, opt);
	memset(seen, 0, sizeof(seen));
	cookie = mid;
	total = 0;
	ok = 1;
	do {
		rv = store_readdir(s, &cr_root, &d, cookie, verf2, ents, 16, 0,
		    &n, &eof);
		if (rv != 0)
			break;
		for (i = 0; i < n; i++) {
			if (ents[i].cookie <= mid)
				ok = 0;
			cookie = ents[i].cookie;
			total++;
		}
	} while (!eof);
	tap_ok(rv == 0 && ok && total > 0 && total < 150,
	    "after reopen, readdir resumes after the saved cookie (%zu more)",
	    total);
	tap_ok(memcmp(verf, verf2, 8) == 0, "cookie verifier unchanged");

	/* removing the entry at the cookie does not lose the rest */
	rv = store_readdir(s, &cr_root, &d, 0, verf, ents, 3, 0, &n, &eof);
	tap_ok(rv == 0 && n == 3 && !eof, "first three entries");
	cookie = ents[2].cookie;
	store_remove(s, &cr_root, &d, ents[2].name, ents[2].namelen);
	store_remove(s, &cr_root, &d, ents[1].name, ents[1].namelen);
	rv = store_readdir(s, &cr_root, &d, cookie, verf, ents, 1, 1, &n,
	    &eof);
	tap_ok(rv == 0 && n == 1 && strcmp(ents[0].name, "e003") == 0,
	    "a removed entry's cookie still resumes at the next (%s)",
	    n ? ents[0].name : "-");
	rv = store_getattr(s, &ents[0].fh, &a);
	tap_ok(rv == 0 && a.ino == ents[0].ino && ents[0].attr.ino == a.ino &&
	    ents[0].type == STORE_TYPE_REG, "readdir plus gives handle and "
	    "attributes");
	rv = store_readdir(s, &cr_root, &d, UINT64_MAX - 1, verf, ents, 4, 0,
	    &n, &eof);
	tap_ok(rv == 0 && n == 0 && eof, "cookie past the end: eof");
	TAP_EQ_INT(store_readdir(s, &cr_root, &fh, 0, verf, ents, 4, 0, &n,
	    &eof), -ENOTDIR, "readdir of a file: ENOTDIR");
	{
		struct store_sattr sa;

		memset(&sa, 0, sizeof(sa));
		sa.mask = STORE_SATTR_MODE;
		sa.mode = 0711;
		store_setattr(s, &cr_root, &d, &sa, NULL);
	}
	TAP_EQ_INT(store_readdir(s, &cr_alice, &d, 0, verf, ents, 4, 0, &n,
	    &eof), -EACCES, "readdir without read permission: EACCES");
	free(ents);
}

static void
test_io(struct store *s, const struct store_fh *root)
{
	struct store_statfs sf, sf2;
	struct store_attr a;
	struct store_fh fh, d;
	char buf[64];
	int fd, rv;

	store_create(s, &cr_root, root, N("io"), 0644, STORE_CREATE_GUARDED,
	    NULL, &fh, NULL);
	rv = store_open_io(s, &cr_root, &fh, STORE_IO_READ | STORE_IO_WRITE,
	    &fd, &a);
	tap_ok(rv == 0 && fd >= 0 && a.size == 0, "open_io read-write");
	tap_ok(pwrite(fd, "hello world", 11, 4096) == 11, "pwrite via fd");
	close(fd);
	rv = store_getattr(s, &fh, &a);
	tap_ok(rv == 0 && a.size == 4107, "getattr size from backing file");
	TAP_EQ_INT(store_commit(s, &fh), 0, "commit");
	rv = store_open_io(s, &cr_alice, &fh, STORE_IO_READ, &fd, &a);
	tap_ok(rv == 0 && pread(fd, buf, 11, 4096) == 11 &&
	    memcmp(buf, "hello world", 11) == 0, "read-only open reads it");
	tap_ok(write(fd, "x", 1) == -1, "a read-only fd cannot write");
	close(fd);
	TAP_EQ_INT(store_open_io(s, &cr_alice, &fh, STORE_IO_WRITE, &fd,
	    NULL), -EACCES, "open for writing without permission: EACCES");
	TAP_EQ_INT(store_open_io(s, &cr_root, root, STORE_IO_READ, &fd,
	    NULL), -EISDIR, "open_io of a directory: EISDIR");
	TAP_EQ_INT(store_open_io(s, &cr_root, &fh, 0, &fd, NULL), -EINVAL,
	    "open_io without a mode: EINVAL");
	TAP_EQ_INT(store_commit(s, root), -EISDIR, "commit a dir: EISDIR");

	rv = store_statfs(s, root, &sf);
	tap_ok(rv == 0 && sf.bytes_total > 0 && sf.bytes_avail <=
	    sf.bytes_total && sf.files_used > 0, "statfs (%llu files)",
	    (unsigned long long)sf.files_used);
	store_mkdir(s, &cr_root, root, N("statdir"), 0755, &d, NULL);
	rv = store_statfs(s, root, &sf2);
	TAP_EQ_INT(sf2.files_used, sf.files_used + 1, "statfs counts files");
}

/*
 * CREATE with owner or size (store_make): one transaction, so a refused
 * part leaves nothing behind; a size on a new file is its creat(2).
 */
static void
test_make_atomic(struct store *s, struct notes *nt, const struct store_fh *root)
{
	struct store_sattr sa;
	struct store_new nw;
	struct store_fh d, fh;
	struct store_attr a;

	store_mkdir(s, &cr_root, root, N("atomic"), 0777, &d, NULL);
	memset(&sa, 0, sizeof(sa));
	memset(&nw, 0, sizeof(nw));
	nw.type = STORE_TYPE_REG;
	nw.mode = 0644;
	nw.how = STORE_CREATE_UNCHECKED;
	nw.sattr = &sa;
	sa.mask = STORE_SATTR_UID;
	sa.uid = 0;
	TAP_EQ_INT(store_make(s, &cr_alice, &d, N("given"), &nw, &fh, &a),
	    -EPERM, "make: a file given to root by alice: EPERM");
	TAP_EQ_INT(store_lookup(s, &cr_alice, &d, N("given"), NULL, NULL),
	    -ENOENT, "make: and nothing was left behind");
	nw.type = STORE_TYPE_DIR;
	TAP_EQ_INT(store_make(s, &cr_alice, &d, N("gdir"), &nw, &fh, &a),
	    -EPERM, "make: the same for a directory");
	TAP_EQ_INT(store_lookup(s, &cr_alice, &d, N("gdir"), NULL, NULL),
	    -ENOENT, "make: no directory left behind");
	nw.type = STORE_TYPE_REG;
	sa.mask = STORE_SATTR_UID | STORE_SATTR_GID;
	sa.uid = 1001;
	sa.gid = 1001;
	tap_ok(store_make(s, &cr_root, &d, N("chowned"), &nw, &fh, &a) == 0 &&
	    a.uid == 1001 && a.gid == 1001, "make: root makes a file for bob "
	    "in one call (uid %u)", a.uid);
	nw.mode = 0444;
	sa.mask = STORE_SATTR_SIZE;
	sa.size = 0;
	tap_ok(store_make(s, &cr_alice, &d, N("ro"), &nw, &fh, &a) == 0 &&
	    a.mode == 0444 && a.uid == 1000, "make: 0444 with size 0 (creat "
	    "with O_TRUNC) by its creator");
	sa.size = 5;
	nw.mode = 0644;
	tap_ok(store_make(s, &cr_alice, &d, N("sized"), &nw, &fh, &a) == 0 &&
	    a.size == 5, "make: with a size: the backing file has it");
	/* Unchecked over an existing file: the size applies to it. */
	sa.size = 2;
	nt->n = 0;
	tap_ok(store_make(s, &cr_alice, &d, N("sized"), &nw, &fh, &a) == 0 &&
	    a.size == 2, "make: unchecked over an existing file truncates it");
	sa.mask = STORE_SATTR_UID;
	sa.uid = 0;
	TAP_EQ_INT(store_make(s, &cr_alice, &d, N("sized"), &nw, &fh, &a),
	    -EPERM, "make: unchecked over it, giving it to root: EPERM");
}

/* The first open for writing by non-root clears set-uid (perm.h). */
static void
test_kill_privs(struct store *s, struct notes *nt,
    const struct store_fh *root)
{
	struct store_sattr sa;
	struct store_fh fh;
	struct store_attr a;
	struct store_cred nobody;
	int fd;

	cred_set(&nobody, 65534, 65534, 0, NULL);
	store_create(s, &cr_root, root, N("suid"), 04777,
	    STORE_CREATE_GUARDED, NULL, &fh, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_MODE;
	sa.mode = 04777;
	store_setattr(s, &cr_root, &fh, &sa, NULL);
	TAP_EQ_INT(store_open_io(s, &cr_root, &fh, STORE_IO_WRITE, &fd, &a),
	    0, "suid: root opens for writing");
	close(fd);
	TAP_EQ_INT(a.mode & 07777, 04777, "suid: root's write keeps it");
	TAP_EQ_INT(store_open_io(s, &nobody, &fh, STORE_IO_READ, &fd, &a), 0,
	    "suid: nobody opens for reading");
	close(fd);
	TAP_EQ_INT(a.mode & 07777, 04777, "suid: a read keeps it");
	nt->n = 0;
	TAP_EQ_INT(store_open_io(s, &nobody, &fh, STORE_IO_WRITE, &fd, &a), 0,
	    "suid: nobody opens for writing");
	close(fd);
	TAP_EQ_INT(a.mode & 07777, 0777, "suid: set-uid gone (04777 -> 0777)");
	store_getattr(s, &fh, &a);
	TAP_EQ_INT(a.mode & 07777, 0777, "suid: and stored so");
	tap_ok(notes_for(nt, a.ino) & STORE_NOTIFY_MODE, "suid: front ends "
	    "are told of the mode change");
	sa.mode = 02777;
	store_setattr(s, &cr_root, &fh, &sa, NULL);
	store_open_io(s, &cr_alice, &fh, STORE_IO_WRITE, &fd, &a);
	close(fd);
	TAP_EQ_INT(a.mode & 07777, 0777, "sgid with group execute: gone");
	sa.mode = 02767;
	store_setattr(s, &cr_root, &fh, &sa, NULL);
	store_open_io(s, &cr_alice, &fh, STORE_IO_WRITE, &fd, &a);
	close(fd);
	TAP_EQ_INT(a.mode & 07777, 02767, "sgid without group execute: kept");
	sa.mode = 04777;
	store_setattr(s, &cr_root, &fh, &sa, NULL);
	sa.mask = STORE_SATTR_SIZE;
	sa.size = 0;
	TAP_EQ_INT(store_setattr(s, &nobody, &fh, &sa, &a), 0,
	    "suid: nobody truncates it");
	TAP_EQ_INT(a.mode & 07777, 0777, "suid: gone after the truncate");
}

/*
 * One I/O permission rule: for every mode and every class of caller,
 * store_open_io decides as common/perm.h's perm_io, which nfsd's fd fast
 * path applies too (nfsd/fhcache.c nfs_attr_permits).  With NFS's flags
 * a read needs read or execute permission, as in knfsd.
 */
static void
test_io_rule(struct store *s, const struct store_fh *root)
{
	static const unsigned int flagsets[] = {
		STORE_IO_READ,
		STORE_IO_WRITE,
		STORE_IO_READ | STORE_IO_WRITE,
		STORE_IO_READ | STORE_IO_OWNER_OVERRIDE |
		    STORE_IO_READ_IF_EXEC,
		STORE_IO_WRITE | STORE_IO_OWNER_OVERRIDE,
		STORE_IO_READ | STORE_IO_WRITE | STORE_IO_OWNER_OVERRIDE,
	};
	const struct store_cred *who[] = { &cr_root, &cr_alice, &cr_bob,
	    &cr_carol };
	struct store_sattr sa;
	struct store_fh fh;
	struct store_attr a;
	struct perm_who w;
	struct perm_obj o;
	unsigned int mode, i, k, bad = 0, cases = 0;
	int fd, rv, want;

	/* alice's file, group 50 (carol is in it). */
	store_create(s, &cr_root, root, N("rule"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_UID | STORE_SATTR_GID;
	sa.uid = 1000;
	sa.gid = 50;
	store_setattr(s, &cr_root, &fh, &sa, NULL);
	for (mode = 0; mode < 01000; mode++) {
		sa.mask = STORE_SATTR_MODE;
		sa.mode = mode;
		store_setattr(s, &cr_root, &fh, &sa, &a);
		for (i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
			w.uid = who[i]->uid;
			w.gid = who[i]->gid;
			w.groups = who[i]->groups;
			w.ngroups = who[i]->ngroups;
			o.is_dir = 0;
			o.mode = mode;
			o.uid = 1000;
			o.gid = 50;
			for (k = 0; k < sizeof(flagsets) / sizeof(flagsets[0]);
			    k++) {
				want = perm_io(&w, &o, flagsets[k]);
				/* root's writes would clear nothing here. */
				rv = store_open_io(s, who[i], &fh,
				    (int)flagsets[k], &fd, NULL);
				if (rv == 0)
					close(fd);
				cases++;
				if (rv != want && bad++ < 5)
					tap_diag("mode %04o uid %u flags %#x: "
					    "store %d, perm_io %d", mode,
					    w.uid, flagsets[k], rv, want);
			}
		}
	}
	TAP_EQ_INT(bad, 0, "open_io decides as perm_io in all %u cases",
	    cases);
	w.uid = 1001;
	w.gid = 1001;
	w.ngroups = 0;
	o.mode = 0711;
	TAP_EQ_INT(perm_io(&w, &o, STORE_IO_READ | STORE_IO_OWNER_OVERRIDE |
	    STORE_IO_READ_IF_EXEC), 0, "0711: another uid may READ (knfsd: "
	    "read if exec)");
	TAP_EQ_INT(perm_io(&w, &o, STORE_IO_READ), -EACCES,
	    "0711: but not open for plain reading");
	o.mode = 0700;
	TAP_EQ_INT(perm_io(&w, &o, STORE_IO_READ | STORE_IO_OWNER_OVERRIDE |
	    STORE_IO_READ_IF_EXEC), -EACCES, "0700: another uid may not READ");
	o.mode = 0400;
	w.uid = 1000;
	TAP_EQ_INT(perm_io(&w, &o, STORE_IO_WRITE | STORE_IO_OWNER_OVERRIDE),
	    0, "0400: the owner may write (owner override)");
	TAP_EQ_INT(perm_io(&w, &o, STORE_IO_WRITE), -EACCES,
	    "0400: not without the override");
}

static void	test_acl_basic(struct store *, const struct store_fh *);
static void	test_acl_sid(struct store *, const struct store_fh *);
static void	test_acl_flags_unsaid(struct store *, const struct store_fh *);

/*
 * STORE_READDIR_XATTRS: xa's one user xattr counted, the symlink's
 * target and the directory's ACL not.
 */
static void
test_readdir_xattrs(struct store *s, const struct store_fh *root)
{
	static struct store_dirent ents[64];
	struct store_fh d, f;
	size_t n, i;
	uint32_t got[3] = { 9, 9, 9 };
	int eof, rv;

	rv = store_mkdir(s, &cr_root, root, N("xd"), 0755, &d, NULL);
	if (rv == 0)
		rv = store_create(s, &cr_root, &d, N("one"), 0644,
		    STORE_CREATE_GUARDED, NULL, &f, NULL);
	if (rv == 0)
		rv = store_xattr_set(s, &cr_root, &f, N("user.x"), "v", 1, 0);
	if (rv == 0)
		rv = store_xattr_set(s, &cr_root, &f, N("user.y"), "w", 1, 0);
	if (rv == 0)
		rv = store_create(s, &cr_root, &d, N("none"), 0644,
		    STORE_CREATE_GUARDED, NULL, &f, NULL);
	if (rv == 0)
		rv = store_symlink(s, &cr_root, &d, N("ln"), N("one"), &f,
		    NULL);
	if (rv == 0)
		rv = store_readdir(s, &cr_root, &d, 0, NULL, ents, 64,
		    1 | STORE_READDIR_XATTRS, &n, &eof);
	for (i = 0; rv == 0 && i < n; i++) {
		if (strcmp(ents[i].name, "one") == 0)
			got[0] = ents[i].xattrs;
		else if (strcmp(ents[i].name, "none") == 0)
			got[1] = ents[i].xattrs;
		else if (strcmp(ents[i].name, "ln") == 0)
			got[2] = ents[i].xattrs;
	}
	tap_ok(rv == 0 && got[0] == 2 && got[1] == 0 && got[2] == 0,
	    "readdir with STORE_READDIR_XATTRS: 2 user xattrs, 0, a "
	    "symlink's target not counted (%u %u %u)", got[0], got[1],
	    got[2]);
}

static void
test_xattr(struct store *s, const struct store_fh *root)
{
	struct store_sattr sa;
	struct store_fh fh, lnk;
	char buf[256];
	size_t len;
	int rv;


	TAP_EQ_INT(store_create(s, &cr_root, root, N("xa"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh, NULL), 0, "create xa");
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_UID;
	sa.uid = 1000;
	TAP_EQ_INT(store_setattr(s, &cr_root, &fh, &sa, NULL), 0,
	    "give xa to alice");
	TAP_EQ_INT(store_xattr_set(s, &cr_root, &fh, N("user.a"), "1", 1, 0),
	    0, "xattr set");
	TAP_EQ_INT(store_xattr_set(s, &cr_root, &fh, N("user.b"), "22", 2,
	    STORE_XATTR_CREATE), 0, "xattr set create");
	TAP_EQ_INT(store_xattr_set(s, &cr_root, &fh, N("user.b"), "3", 1,
	    STORE_XATTR_CREATE), -EEXIST, "xattr create existing: EEXIST");
	TAP_EQ_INT(store_xattr_set(s, &cr_root, &fh, N("user.c"), "3", 1,
	    STORE_XATTR_REPLACE), -ENODATA, "xattr replace missing: ENODATA");
	TAP_EQ_INT(store_xattr_set(s, &cr_bob, &fh, N("user.c"), "3", 1, 0),
	    -EACCES, "xattr set without write permission: EACCES");
	TAP_EQ_INT(store_xattr_set(s, &cr_root, &fh, "a\0b", 3, "3", 1, 0),
	    -EINVAL, "xattr name with NUL: EINVAL");
	rv = store_xattr_get(s, &cr_bob, &fh, N("user.b"), buf, sizeof(buf),
	    &len);
	tap_ok(rv == 0 && len == 2 && memcmp(buf, "22", 2) == 0, "xattr get");
	rv = store_xattr_get(s, &cr_bob, &fh, N("user.b"), NULL, 0, &len);
	tap_ok(rv == 0 && len == 2, "xattr size query");
	TAP_EQ_INT(store_xattr_get(s, &cr_bob, &fh, N("user.b"), buf, 1,
	    &len), -ERANGE, "xattr get into a short buffer: ERANGE");
	TAP_EQ_INT(store_xattr_get(s, &cr_bob, &fh, N("user.z"), buf,
	    sizeof(buf), &len), -ENODATA, "xattr get missing: ENODATA");
	rv = store_xattr_list(s, &cr_bob, &fh, buf, sizeof(buf), &len);
	tap_ok(rv == 0 && len == 14 && memcmp(buf, "user.a\0user.b\0", 14) ==
	    0, "xattr list");
	TAP_EQ_INT(store_xattr_list(s, &cr_bob, &fh, buf, 5, &len), -ERANGE,
	    "xattr list into a short buffer: ERANGE");
	TAP_EQ_INT(store_xattr_remove(s, &cr_alice, &fh, N("user.a")), 0,
	    "xattr remove");
	TAP_EQ_INT(store_xattr_remove(s, &cr_alice, &fh, N("user.a")),
	    -ENODATA, "xattr remove missing: ENODATA");
	rv = store_xattr_list(s, &cr_bob, &fh, NULL, 0, &len);
	tap_ok(rv == 0 && len == 7, "xattr list size");
	store_symlink(s, &cr_root, root, N("xl"), N("target"), &lnk, NULL);
	rv = store_xattr_list(s, &cr_bob, &lnk, buf, sizeof(buf), &len);
	tap_ok(rv == 0 && len == 0, "symlink target not listed as an xattr");
	test_readdir_xattrs(s, root);

	test_acl_basic(s, &fh);
	test_acl_sid(s, &fh);
	test_acl_flags_unsaid(s, &fh);
}

/* acl with one named ACE put first: how a client adds one. */
static void
acl_prepend(struct acl *acl, uint8_t type, uint16_t flags, uint32_t mask,
    uint32_t id)
{
	memmove(&acl->ace[1], &acl->ace[0], acl->count * sizeof(acl->ace[0]));
	acl->count++;
	acl->ace[0].type = type;
	acl->ace[0].who = ACL_WHO_ID;
	acl->ace[0].flags = flags;
	acl->ace[0].mask = mask;
	acl->ace[0].id = id;
}

static int
acl_set_of(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, const struct acl *acl)
{
	uint8_t buf[ACL_ENCODED_MAX];
	size_t len;

	if (acl_encode(acl, buf, sizeof(buf), &len) != 0)
		return -999;
	return store_acl_set(s, c, fh, buf, len);
}

static int
acl_get_of(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, struct acl *acl)
{
	uint8_t buf[ACL_ENCODED_MAX];
	size_t len;
	int rv;

	if ((rv = store_acl_get(s, c, fh, buf, sizeof(buf), &len)) != 0)
		return rv;
	return acl_decode(buf, len, acl);
}

static int
acl_has_named(const struct acl *acl, uint8_t type, uint32_t mask,
    uint32_t id)
{
	size_t i;

	for (i = 0; i < acl->count; i++)
		if (acl->ace[i].who == ACL_WHO_ID && acl->ace[i].id == id &&
		    acl->ace[i].type == type &&
		    (acl->ace[i].mask & mask) == mask)
			return 1;
	return 0;
}

static int
open_read(struct store *s, const struct store_cred *c,
    const struct store_fh *fh)
{
	int fd, rv;

	rv = store_open_io(s, c, fh, STORE_IO_READ, &fd, NULL);
	if (rv == 0)
		close(fd);
	return rv;
}

/*
 * The ACL of xa (0644, alice's): stored in acl.c's encoding, evaluated
 * by the store for a named user, kept consistent with the mode.
 */
static void
test_acl_basic(struct store *s, const struct store_fh *fh)
{
	struct store_sattr sa;
	struct store_attr a;
	struct acl acl, got;
	uint32_t g;
	size_t len;

	acl_from_mode(0644, 0, &acl);
	acl_prepend(&acl, ACL_TYPE_DENY, 0, ACL_READ_DATA, 1001);
	TAP_EQ_INT(acl_set_of(s, &cr_bob, fh, &acl), -EPERM,
	    "ACL set by a non-owner: EPERM");
	TAP_EQ_INT(store_acl_set(s, &cr_alice, fh, "ACL", 3), -EINVAL,
	    "ACL set with a blob that is no ACL: EINVAL");
	TAP_EQ_INT(open_read(s, &cr_bob, fh), 0, "bob reads xa before");
	TAP_EQ_INT(acl_set_of(s, &cr_alice, fh, &acl), 0, "ACL set");
	tap_ok(acl_get_of(s, &cr_carol, fh, &got) == 0 &&
	    got.count == acl.count && memcmp(got.ace, acl.ace,
	    acl.count * sizeof(acl.ace[0])) == 0, "ACL get: as set");
	tap_ok(store_getattr(s, fh, &a) == 0 && a.mode == 0644 &&
	    (a.flags & STORE_ATTR_ACL), "mode 0644 agrees, STORE_ATTR_ACL");
	TAP_EQ_INT(open_read(s, &cr_bob, fh), -EACCES,
	    "named deny: bob may not open for read");
	TAP_EQ_INT(open_read(s, &cr_carol, fh), 0, "carol may");
	TAP_EQ_INT(store_access(s, &cr_bob, fh, STORE_ACCESS_READ, &g, NULL),
	    0, "access");
	TAP_EQ_INT(g, 0, "ACCESS: READ not granted to bob");
	store_access(s, &cr_carol, fh, STORE_ACCESS_READ, &g, NULL);
	TAP_EQ_INT(g, STORE_ACCESS_READ, "ACCESS: READ granted to carol");
	TAP_EQ_INT(store_xattr_get(s, &cr_bob, fh, N("user.b"), NULL, 0,
	    &len), 0, "bob still reads named attributes (not denied)");
	/* chmod keeps the named deny (RFC 8881 6.4.1.1). */
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_MODE;
	sa.mode = 0666;
	TAP_EQ_INT(store_setattr(s, &cr_alice, fh, &sa, &a), 0, "chmod 0666");
	TAP_EQ_INT(a.mode, 0666, "mode 0666");
	tap_ok(acl_get_of(s, &cr_alice, fh, &got) == 0 &&
	    acl_has_named(&got, ACL_TYPE_DENY, ACL_READ_DATA, 1001) &&
	    acl_to_mode(&got, 0) == 0666,
	    "chmod kept the named deny, the ACL says 0666");
	TAP_EQ_INT(open_read(s, &cr_bob, fh), -EACCES,
	    "bob still may not read after chmod");
	/* Setting an ACL sets the mode that agrees with it. */
	acl.count = 0;
	acl_prepend(&acl, ACL_TYPE_ALLOW, 0, ACL_READ_DATA, 1001);
	acl.ace[0].who = ACL_WHO_EVERYONE;
	acl.ace[0].id = 0;
	acl_prepend(&acl, ACL_TYPE_ALLOW, 0, ACL_READ_DATA | ACL_WRITE_DATA |
	    ACL_EXECUTE, 0);
	acl.ace[0].who = ACL_WHO_OWNER;
	TAP_EQ_INT(acl_set_of(s, &cr_alice, fh, &acl), 0,
	    "ACL: OWNER@ rwx, EVERYONE@ r");
	tap_ok(store_getattr(s, fh, &a) == 0 && a.mode == 0744,
	    "the mode follows: 0744");
	/* A mode's ACL is no ACL of its own. */
	acl_from_mode(0640, 0, &acl);
	TAP_EQ_INT(acl_set_of(s, &cr_alice, fh, &acl), 0, "ACL of mode 0640");
	tap_ok(store_getattr(s, fh, &a) == 0 && a.mode == 0640 &&
	    !(a.flags & STORE_ATTR_ACL), "mode 0640, no STORE_ATTR_ACL");
	TAP_EQ_INT(store_acl_set(s, &cr_alice, fh, NULL, 0), 0, "ACL clear");
	tap_ok(acl_get_of(s, &cr_bob, fh, &got) == 0 &&
	    acl_is_trivial(&got, 0) && acl_to_mode(&got, 0) == 0640,
	    "without an ACL, get says the mode's");
	sa.mode = 0644;
	store_setattr(s, &cr_alice, fh, &sa, NULL);
	TAP_EQ_INT(open_read(s, &cr_bob, fh), 0, "bob reads again");
}

/*
 * Windows SID ACEs (common/acl.h): stored in the second encoding, read
 * back with their SIDs, evaluated by the store by the rule: a DENY for
 * Authenticated Users refuses bob but not the anonymous uid; a chmod
 * keeps them.
 */
static void
test_acl_sid(struct store *s, const struct store_fh *fh)
{
	static const char *const sids[] = { "S-1-5-11",
	    "S-1-5-21-1004336348-1177238915-682003330-1001" };
	struct store_cred anon;
	struct store_sattr sa;
	struct store_attr a;
	struct acl acl, got;
	struct acl_sid sid;
	const struct acl_sid *p;
	size_t i;

	memset(&anon, 0, sizeof(anon));
	anon.uid = anon.gid = ACL_UID_ANONYMOUS;
	acl_from_mode(0644, 0, &acl);
	memmove(&acl.ace[2], &acl.ace[0], acl.count * sizeof(acl.ace[0]));
	acl.count += 2;
	for (i = 0; i < 2; i++) {
		(void)acl_sid_parse(sids[i], strlen(sids[i]), &sid);
		acl.ace[i].type = i == 0 ? ACL_TYPE_DENY : ACL_TYPE_ALLOW;
		acl.ace[i].who = ACL_WHO_SID;
		acl.ace[i].flags = 0;
		acl.ace[i].mask = ACL_READ_DATA | ACL_WRITE_DATA;
		acl.ace[i].id = (uint32_t)acl_sid_add(&acl, &sid);
	}
	TAP_EQ_INT(acl_set_of(s, &cr_alice, fh, &acl), 0,
	    "ACL with SID ACEs set");
	p = NULL;
	tap_ok(acl_get_of(s, &cr_carol, fh, &got) == 0 &&
	    got.count == acl.count && got.nsids == 2 &&
	    (p = acl_ace_sid(&got, &got.ace[1])) != NULL &&
	    acl_sid_equal(p, &acl.sid[1]) && got.ace[0].type == ACL_TYPE_DENY,
	    "ACL get: the SID ACEs as set");
	tap_ok(store_getattr(s, fh, &a) == 0 && a.mode == 0644 &&
	    (a.flags & STORE_ATTR_ACL), "mode 0644: SID ACEs give no bit");
	TAP_EQ_INT(open_read(s, &cr_bob, fh), -EACCES,
	    "DENY S-1-5-11: bob, an authenticated user, may not read");
	TAP_EQ_INT(open_read(s, &anon, fh), 0,
	    "the anonymous uid may (EVERYONE@ r)");
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_MODE;
	sa.mode = 0664;
	TAP_EQ_INT(store_setattr(s, &cr_alice, fh, &sa, &a), 0, "chmod 0664");
	tap_ok(acl_get_of(s, &cr_alice, fh, &got) == 0 && got.nsids == 2 &&
	    got.ace[0].who == ACL_WHO_SID && got.ace[1].who == ACL_WHO_SID &&
	    acl_to_mode(&got, 0) == 0664, "chmod kept the SID ACEs");
	TAP_EQ_INT(open_read(s, &cr_bob, fh), -EACCES,
	    "bob still may not read after chmod");
	TAP_EQ_INT(store_acl_set(s, &cr_alice, fh, NULL, 0), 0, "ACL clear");
	sa.mode = 0644;
	store_setattr(s, &cr_alice, fh, &sa, NULL);
	TAP_EQ_INT(open_read(s, &cr_bob, fh), 0, "bob reads again");
}

/*
 * An ACL whose writer cannot say its flags (NFSv4's acl attribute):
 * AUTO_INHERIT and PROTECTED stay as SMB set them, DEFAULTED goes; an
 * ACL that says its flags (an SMB security descriptor) sets them.
 */
static void
test_acl_flags_unsaid(struct store *s, const struct store_fh *fh)
{
	struct acl acl, got;

	acl_from_mode(0644, 0, &acl);
	acl_prepend(&acl, ACL_TYPE_DENY, 0, ACL_WRITE_DATA, 1001);
	acl.aclflags = ACL_AUTO_INHERIT | ACL_PROTECTED | ACL_DEFAULTED;
	TAP_EQ_INT(acl_set_of(s, &cr_alice, fh, &acl), 0,
	    "ACL set with AUTO_INHERIT, PROTECTED and DEFAULTED");
	acl_prepend(&acl, ACL_TYPE_DENY, 0, ACL_READ_DATA, 1002);
	acl.aclflags = ACL_FLAGS_UNSAID;
	TAP_EQ_INT(acl_set_of(s, &cr_alice, fh, &acl), 0,
	    "ACL set again without its flags said");
	tap_ok(acl_get_of(s, &cr_alice, fh, &got) == 0 &&
	    got.aclflags == (ACL_AUTO_INHERIT | ACL_PROTECTED) &&
	    got.count == acl.count, "... the new ACEs, AUTO_INHERIT and "
	    "PROTECTED kept, DEFAULTED gone");
	acl.aclflags = 0;
	TAP_EQ_INT(acl_set_of(s, &cr_alice, fh, &acl), 0,
	    "ACL set with no flags said to be none");
	tap_ok(acl_get_of(s, &cr_alice, fh, &got) == 0 && got.aclflags == 0,
	    "... its flags are none");
	acl_from_mode(0644, 0, &acl);
	acl.aclflags = ACL_FLAGS_UNSAID;
	TAP_EQ_INT(acl_set_of(s, &cr_alice, fh, &acl), 0,
	    "a mode's ACL without its flags said");
	tap_ok(acl_get_of(s, &cr_alice, fh, &got) == 0 && got.aclflags == 0 &&
	    acl_is_trivial(&got, 0), "... is the mode's again, no flags");
	TAP_EQ_INT(store_acl_set(s, &cr_alice, fh, NULL, 0), 0, "ACL clear");
}

/*
 * STORE_READDIR_READABLE (SMB's access-based enumeration): only what
 * the caller may read is listed, by mode or by ACL.
 */
static void
test_readdir_readable(struct store *s, const struct store_fh *root)
{
	struct store_dirent ents[8];
	struct store_sattr sa;
	struct store_fh d, f;
	struct acl acl;
	uint8_t verf[STORE_VERF_SIZE];
	size_t n = 0, i;
	int eof = 0, seen = 0, rv;

	store_mkdir(s, &cr_root, root, N("abe"), 0755, &d, NULL);
	store_create(s, &cr_root, &d, N("open"), 0644, STORE_CREATE_GUARDED,
	    NULL, &f, NULL);
	store_create(s, &cr_root, &d, N("private"), 0600,
	    STORE_CREATE_GUARDED, NULL, &f, NULL);
	store_create(s, &cr_root, &d, N("noea"), 0644, STORE_CREATE_GUARDED,
	    NULL, &f, NULL);
	acl_from_mode(0644, 0, &acl);
	acl_prepend(&acl, ACL_TYPE_DENY, 0, ACL_READ_NAMED_ATTRS, 1000);
	TAP_EQ_INT(acl_set_of(s, &cr_root, &f, &acl), 0,
	    "readable: noea denies uid 1000 READ_NAMED_ATTRS");
	/* Windows' owner holds READ_CONTROL, not READ_ATTRIBUTES. */
	store_create(s, &cr_root, &d, N("mine"), 0644, STORE_CREATE_GUARDED,
	    NULL, &f, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_UID;
	sa.uid = 1000;
	store_setattr(s, &cr_root, &f, &sa, NULL);
	acl.aclflags = 0;
	acl.count = 0;
	acl.nsids = 0;
	acl.sidowner = 0;
	acl_prepend(&acl, ACL_TYPE_ALLOW, 0, ACL_READ_DATA |
	    ACL_READ_NAMED_ATTRS | ACL_READ_ACL, 1000);
	TAP_EQ_INT(acl_set_of(s, &cr_root, &f, &acl), 0,
	    "readable: mine, alice's, grants her all reads but "
	    "READ_ATTRIBUTES");
	rv = store_readdir(s, &cr_alice, &d, 0, verf, ents, 8,
	    1 | STORE_READDIR_READABLE, &n, &eof);
	for (i = 0; i < n; i++)
		seen |= strcmp(ents[i].name, "open") == 0 ? 1 :
		    strcmp(ents[i].name, "private") == 0 ? 2 :
		    strcmp(ents[i].name, "noea") == 0 ? 4 : 8;
	tap_ok(rv == 0 && eof && n == 1 && seen == 1,
	    "readable: alice lists open alone, not the 0600 file, the one "
	    "whose ACL denies her, nor her own without READ_ATTRIBUTES (%zu "
	    "entries, seen %d)", n, seen);
	rv = store_readdir(s, &cr_root, &d, 0, verf, ents, 8,
	    1 | STORE_READDIR_READABLE, &n, &eof);
	TAP_EQ_INT(rv == 0 ? (int)n : rv, 4, "readable: root lists all four");
	rv = store_readdir(s, &cr_alice, &d, 0, verf, ents, 1,
	    1 | STORE_READDIR_READABLE, &n, &eof);
	tap_ok(rv == 0 && n == 1 && strcmp(ents[0].name, "open") == 0,
	    "readable: a batch of one skips what is not listed");
	rv = store_readdir(s, &cr_alice, &d, 0, verf, ents, 8, 1, &n, &eof);
	TAP_EQ_INT(rv == 0 ? (int)n : rv, 4,
	    "without the flag alice lists all four");
}

/*
 * STORE_CRED_BYPASS_TRAVERSE (Windows' bypass traverse checking, for SMB
 * callers of a share that says so): no search permission on the
 * directory to look up, create, remove or rename in it; its other
 * rights still count, and without the flag nothing changes.
 */
static void
test_bypass_traverse(struct store *s, const struct store_fh *root)
{
	struct store_cred smb = cr_alice;
	struct store_sattr chmod;
	struct store_fh d, f;
	struct store_attr a;

	smb.flags = STORE_CRED_BYPASS_TRAVERSE;
	memset(&chmod, 0, sizeof(chmod));
	chmod.mask = STORE_SATTR_MODE;
	store_mkdir(s, &cr_root, root, N("notrav"), 0733, &d, NULL);
	store_create(s, &cr_root, &d, N("f"), 0644, STORE_CREATE_GUARDED,
	    NULL, &f, NULL);
	TAP_EQ_INT(store_lookup(s, &cr_alice, &d, N("f"), &f, &a), 0,
	    "traverse: with search permission alice looks up f");
	/* Others may write in it, not search it. */
	chmod.mode = 0722;
	store_setattr(s, &cr_root, &d, &chmod, NULL);
	TAP_EQ_INT(store_lookup(s, &cr_alice, &d, N("f"), &f, &a), -EACCES,
	    "traverse: 0722, no search permission: EACCES");
	TAP_EQ_INT(store_lookup(s, &smb, &d, N("f"), &f, &a), 0,
	    "traverse: bypassing it, the lookup finds f");
	TAP_EQ_INT(store_create(s, &cr_alice, &d, N("g"), 0644,
	    STORE_CREATE_GUARDED, NULL, &f, NULL), -EACCES,
	    "traverse: a create without search permission: EACCES");
	TAP_EQ_INT(store_create(s, &smb, &d, N("g"), 0644,
	    STORE_CREATE_GUARDED, NULL, &f, NULL), 0,
	    "traverse: bypassing it, write permission is enough to create");
	TAP_EQ_INT(store_rename(s, &cr_alice, &d, N("g"), &d, N("h")),
	    -EACCES, "traverse: a rename without search permission: EACCES");
	TAP_EQ_INT(store_rename(s, &smb, &d, N("g"), &d, N("h")), 0,
	    "traverse: bypassing it, renamed");
	TAP_EQ_INT(store_remove(s, &cr_alice, &d, N("h")), -EACCES,
	    "traverse: a remove without search permission: EACCES");
	TAP_EQ_INT(store_remove(s, &smb, &d, N("h")), 0,
	    "traverse: bypassing it, removed");
	/* Its other rights still count. */
	chmod.mode = 0700;
	store_setattr(s, &cr_root, &d, &chmod, NULL);
	TAP_EQ_INT(store_create(s, &smb, &d, N("k"), 0644,
	    STORE_CREATE_GUARDED, NULL, &f, NULL), -EACCES,
	    "traverse: bypassing it, 0700 still refuses a create (no write)");
	TAP_EQ_INT(store_lookup(s, &smb, &d, N("f"), &f, &a), 0,
	    "traverse: bypassing it, 0700 still lets f be looked up");
}

/*
 * An owner or group SID kept beside the numeric ids (common/acl.h
 * version 4, an SMB owner such as Everyone): root's alone to set, kept
 * by an ACL set without one, the numeric owner unchanged; a chown drops
 * the owner's, a chgrp the group's.
 */
static void
test_acl_sidowner(struct store *s, const struct store_fh *root)
{
	struct store_fh f;
	struct store_sattr sa;
	struct store_attr a;
	struct acl acl, got;

	store_create(s, &cr_root, root, N("sidowner"), 0644,
	    STORE_CREATE_GUARDED, NULL, &f, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_UID;
	sa.uid = cr_alice.uid;
	store_setattr(s, &cr_root, &f, &sa, NULL);
	acl_from_mode(0644, 0, &acl);
	acl.sidowner = ACL_SIDOWNER_OWNER;
	(void)acl_sid_parse("S-1-1-0", 7, &acl.owner_sid);
	TAP_EQ_INT(acl_set_of(s, &cr_alice, &f, &acl), -EPERM,
	    "sidowner: the owner may not name Everyone as owner");
	TAP_EQ_INT(acl_set_of(s, &cr_root, &f, &acl), 0,
	    "sidowner: root may");
	tap_ok(acl_get_of(s, &cr_alice, &f, &got) == 0 &&
	    got.sidowner == ACL_SIDOWNER_OWNER &&
	    acl_sid_equal(&got.owner_sid, &acl.owner_sid),
	    "sidowner: read back with the ACL");
	tap_ok(store_getattr(s, &f, &a) == 0 && a.uid == cr_alice.uid,
	    "sidowner: the numeric owner is still alice");
	TAP_EQ_INT(acl_set_of(s, &cr_alice, &f, &acl), 0,
	    "sidowner: the owner may send the same owner SID back");
	acl_from_mode(0600, 0, &acl);
	acl.sidowner = ACL_SIDOWNER_GROUP;
	(void)acl_sid_parse("S-1-5-32-545", 12, &acl.group_sid);
	TAP_EQ_INT(acl_set_of(s, &cr_root, &f, &acl), 0,
	    "sidowner: root sets a group SID with another ACL");
	tap_ok(acl_get_of(s, &cr_alice, &f, &got) == 0 &&
	    got.sidowner == ACL_SIDOWNER_ALL,
	    "sidowner: an ACL set without the owner SID keeps it");
	sa.mask = STORE_SATTR_GID;
	sa.gid = 0;
	TAP_EQ_INT(store_setattr(s, &cr_root, &f, &sa, NULL), 0,
	    "sidowner: chgrp");
	tap_ok(acl_get_of(s, &cr_alice, &f, &got) == 0 &&
	    got.sidowner == ACL_SIDOWNER_OWNER,
	    "sidowner: a chgrp drops the group SID, keeps the owner's");
	sa.mask = STORE_SATTR_UID;
	sa.uid = cr_alice.uid;
	TAP_EQ_INT(store_setattr(s, &cr_root, &f, &sa, NULL), 0,
	    "sidowner: chown to the same uid");
	tap_ok(acl_get_of(s, &cr_alice, &f, &got) == 0 && got.sidowner == 0,
	    "sidowner: a chown drops the owner SID");
	tap_ok(store_getattr(s, &f, &a) == 0 && (a.mode & 0777) == 0600,
	    "sidowner: the mode is the ACL's still (0%o)", a.mode & 0777);
}

/*
 * RFC 8881 6.4.3 without a mode from the client (an SMB CREATE, an
 * NFSv4 OPEN or CREATE without one): the inherited ACEs stand as they
 * are and the mode follows from them; with a mode they are chmod'ed.
 */
static void
test_acl_inherit_nomode(struct store *s, const struct store_fh *root)
{
	struct store_fh d, f, sub;
	struct store_attr a;
	struct store_open o;
	struct store_new nw;
	struct acl acl, got;
	enum store_opened what;

	store_mkdir(s, &cr_root, root, N("inhn"), 0777, &d, NULL);
	acl_from_mode(0777, 1, &acl);
	/* Everyone reads what is made; the creator (OWNER@) has it all. */
	acl.ace[acl.count++] = (struct acl_ace){ ACL_TYPE_ALLOW,
	    ACL_WHO_EVERYONE, ACL_FLAG_FILE_INHERIT |
	    ACL_FLAG_DIRECTORY_INHERIT | ACL_FLAG_INHERIT_ONLY,
	    ACL_READ_DATA | ACL_READ_ATTRIBUTES | ACL_READ_ACL, 0 };
	acl.ace[acl.count++] = (struct acl_ace){ ACL_TYPE_ALLOW,
	    ACL_WHO_OWNER, ACL_FLAG_FILE_INHERIT |
	    ACL_FLAG_DIRECTORY_INHERIT | ACL_FLAG_INHERIT_ONLY,
	    ACL_MASK_ALL, 0 };
	acl.aclflags = ACL_AUTO_INHERIT;
	TAP_EQ_INT(acl_set_of(s, &cr_root, &d, &acl), 0,
	    "no mode: a directory, auto-inherited, whose inheritable ACEs "
	    "are EVERYONE@ read and OWNER@ (CREATOR OWNER) all");
	tap_ok(acl_get_of(s, &cr_root, &d, &got) == 0 &&
	    got.aclflags == ACL_AUTO_INHERIT,
	    "the directory's ACL keeps ACL_AUTO_INHERIT");
	memset(&o, 0, sizeof(o));
	o.disp = STORE_DISP_CREATE;
	o.mode = 0644;
	o.flags = STORE_OPEN_MODE_DEFAULT;
	TAP_EQ_INT(store_open_name(s, &cr_alice, &d, N("f"), &o, &f, &a,
	    &what, NULL), 0, "no mode: a file made with MODE_DEFAULT");
	tap_ok(acl_get_of(s, &cr_alice, &f, &got) == 0 && got.count == 2 &&
	    got.aclflags == ACL_AUTO_INHERIT &&
	    got.ace[0].who == ACL_WHO_EVERYONE &&
	    got.ace[0].flags == ACL_FLAG_INHERITED &&
	    got.ace[0].mask == (ACL_READ_DATA | ACL_READ_ATTRIBUTES |
	    ACL_READ_ACL) && got.ace[1].who == ACL_WHO_ID &&
	    got.ace[1].id == cr_alice.uid &&
	    got.ace[1].flags == ACL_FLAG_INHERITED &&
	    got.ace[1].mask == ACL_MASK_ALL,
	    "no mode: its ACL is the two inherited ACEs alone, INHERITED, "
	    "CREATOR OWNER's as alice's uid (%zu ACEs)", got.count);
	tap_ok((a.mode & 0777) == acl_to_mode(&got, 0) &&
	    (a.mode & 0777) == 0444,
	    "no mode: its mode follows from them (%o)", a.mode & 0777);
	o.flags = 0;
	TAP_EQ_INT(store_open_name(s, &cr_alice, &d, N("g"), &o, &f, &a,
	    &what, NULL), 0, "mode 0644 given: a file made");
	got.count = 0;
	tap_ok((a.mode & 0777) == 0644 && acl_get_of(s, &cr_alice, &f,
	    &got) == 0 && acl_to_mode(&got, 0) == 0644 &&
	    got.ace[0].flags == ACL_FLAG_INHERITED,
	    "mode 0644 given: the inherited ACEs chmod'ed to it (mode %o)",
	    a.mode & 0777);
	memset(&nw, 0, sizeof(nw));
	nw.type = STORE_TYPE_REG;
	nw.mode = 0644;
	nw.how = STORE_CREATE_UNCHECKED;
	nw.mode_default = 1;
	tap_ok(store_make(s, &cr_alice, &d, N("h"), &nw, &f, &a) == 0 &&
	    acl_get_of(s, &cr_alice, &f, &got) == 0 && got.count == 2 &&
	    got.ace[0].flags == ACL_FLAG_INHERITED && (a.mode & 0777) == 0444,
	    "no mode: a file store_make makes (NFS CREATE) inherits alike");
	memset(&nw, 0, sizeof(nw));
	nw.type = STORE_TYPE_DIR;
	nw.mode = 0755;
	nw.mode_default = 1;
	TAP_EQ_INT(store_make(s, &cr_alice, &d, N("sub"), &nw, &sub, &a), 0,
	    "no mode: a directory made");
	tap_ok(acl_get_of(s, &cr_alice, &sub, &got) == 0 && got.count == 3 &&
	    got.ace[0].flags == (ACL_FLAG_FILE_INHERIT |
	    ACL_FLAG_DIRECTORY_INHERIT | ACL_FLAG_INHERITED) &&
	    got.ace[1].who == ACL_WHO_ID && got.ace[1].id == cr_alice.uid &&
	    got.ace[1].flags == ACL_FLAG_INHERITED &&
	    got.ace[2].who == ACL_WHO_OWNER && got.ace[2].flags ==
	    (ACL_FLAG_FILE_INHERIT | ACL_FLAG_DIRECTORY_INHERIT |
	    ACL_FLAG_INHERIT_ONLY | ACL_FLAG_INHERITED) &&
	    (a.mode & 0777) == 0444,
	    "no mode: the directory's ACL is what it inherited: alice's uid "
	    "for it, CREATOR OWNER passed on again (mode %o)", a.mode & 0777);
	/* A directory with an ACL that passes nothing on: Windows' default. */
	acl_from_mode(0777, 1, &acl);
	acl.ace[acl.count++] = (struct acl_ace){ ACL_TYPE_ALLOW,
	    ACL_WHO_ID, 0, ACL_READ_DATA, 4242 };
	TAP_EQ_INT(acl_set_of(s, &cr_root, &d, &acl), 0,
	    "no mode: the directory's ACL now passes nothing on");
	memset(&nw, 0, sizeof(nw));
	nw.type = STORE_TYPE_REG;
	nw.mode = 0644;
	nw.how = STORE_CREATE_UNCHECKED;
	nw.mode_default = 1;
	tap_ok(store_make(s, &cr_alice, &d, N("dflt"), &nw, &f, &a) == 0 &&
	    acl_get_of(s, &cr_alice, &f, &got) == 0 && got.count == 2 &&
	    got.ace[0].who == ACL_WHO_ID && got.ace[0].id == cr_alice.uid &&
	    got.ace[0].mask == ACL_MASK_ALL && got.ace[0].flags == 0 &&
	    got.ace[1].who == ACL_WHO_SID && got.ace[1].mask == ACL_MASK_ALL,
	    "no mode: the token's default DACL, alice and SYSTEM full control "
	    "(%zu ACEs)", got.count);
	nw.mode_default = 0;
	tap_ok(store_make(s, &cr_alice, &d, N("dflt2"), &nw, &f, &a) == 0 &&
	    (a.mode & 0777) == 0644 && !(a.flags & STORE_ATTR_ACL),
	    "mode 0644 given there: the mode alone, no ACL");
}

/*
 * Directories: inheritance on create (RFC 8881 6.4.3), ADD_FILE,
 * DELETE_CHILD and DELETE, WRITE_ACL granted to a non-owner, and an old
 * opaque ACL blob read as no ACL.
 */
static void
test_acl_dirs(struct store *s, const struct store_fh *root)
{
	struct store_fh d, f, sub, g2;
	struct store_attr a;
	struct store_sattr sa;
	struct store_inode ip;
	struct acl acl, got;
	int rv;

	TAP_EQ_INT(store_mkdir(s, &cr_alice, root, N("acld"), 0777, &d, NULL),
	    -EACCES, "root dir not writable by alice");
	store_mkdir(s, &cr_root, root, N("acld"), 0777, &d, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_UID;
	sa.uid = 1000;
	store_setattr(s, &cr_root, &d, &sa, NULL);
	acl_from_mode(0777, 1, &acl);
	acl_prepend(&acl, ACL_TYPE_DENY, ACL_FLAG_FILE_INHERIT |
	    ACL_FLAG_INHERIT_ONLY, ACL_READ_DATA, 1001);
	acl_prepend(&acl, ACL_TYPE_DENY, 0, ACL_ADD_SUBDIRECTORY, 1002);
	TAP_EQ_INT(acl_set_of(s, &cr_alice, &d, &acl), 0,
	    "dir ACL: files inherit a deny of READ_DATA to bob");
	TAP_EQ_INT(store_create(s, &cr_alice, &d, N("inh"), 0644,
	    STORE_CREATE_GUARDED, NULL, &f, &a), 0, "create in it");
	tap_ok(a.mode == 0644 && (a.flags & STORE_ATTR_ACL),
	    "new file: mode as asked, an inherited ACL");
	tap_ok(acl_get_of(s, &cr_alice, &f, &got) == 0 &&
	    acl_has_named(&got, ACL_TYPE_DENY, ACL_READ_DATA, 1001) &&
	    got.ace[0].flags == 0,
	    "the deny was inherited (not marked INHERITED: the directory's "
	    "ACL is not ACL_AUTO_INHERIT)");
	TAP_EQ_INT(open_read(s, &cr_bob, &f), -EACCES,
	    "bob may not read the new file");
	TAP_EQ_INT(open_read(s, &cr_carol, &f), 0, "carol may");
	TAP_EQ_INT(store_mkdir(s, &cr_carol, &d, N("sub"), 0755, &sub, NULL),
	    -EACCES, "carol denied ADD_SUBDIRECTORY");
	TAP_EQ_INT(store_create(s, &cr_carol, &d, N("cf"), 0644,
	    STORE_CREATE_GUARDED, NULL, &g2, NULL), 0,
	    "carol may still ADD_FILE");
	TAP_EQ_INT(store_mkdir(s, &cr_bob, &d, N("sub"), 0755, &sub, &a), 0,
	    "bob makes a subdirectory");
	tap_ok((a.flags & STORE_ATTR_ACL) != 0,
	    "a subdirectory carries the file-inherit ACE on (inherit-only)");
	TAP_EQ_INT(store_create(s, &cr_bob, &sub, N("deep"), 0644,
	    STORE_CREATE_GUARDED, NULL, &g2, &a), 0, "create below it");
	tap_ok(a.flags & STORE_ATTR_ACL, "grandchild inherits too");
	TAP_EQ_INT(open_read(s, &cr_bob, &g2), -EACCES,
	    "the inherited deny binds bob on his own file");
	TAP_EQ_INT(store_open_io(s, &cr_bob, &g2, STORE_IO_READ |
	    STORE_IO_OWNER_OVERRIDE, &rv, NULL) == 0 ? (close(rv), 0) : -1, 0,
	    "...which knfsd's owner override allows");
	/* Delete: DELETE_CHILD on the directory or DELETE on the file. */
	acl_from_mode(0755, 1, &acl);
	TAP_EQ_INT(acl_set_of(s, &cr_alice, &d, &acl), 0, "dir back to 0755");
	TAP_EQ_INT(store_remove(s, &cr_carol, &d, N("cf")), -EACCES,
	    "carol may not remove from a 0755 dir");
	acl_prepend(&acl, ACL_TYPE_ALLOW, 0, ACL_DELETE_CHILD, 1002);
	TAP_EQ_INT(acl_set_of(s, &cr_alice, &d, &acl), 0,
	    "dir: DELETE_CHILD for carol");
	tap_ok(store_getattr(s, &d, &a) == 0 && a.mode == 0755,
	    "a named allow leaves the mode 0755");
	TAP_EQ_INT(store_remove(s, &cr_carol, &d, N("cf")), 0,
	    "carol removes with DELETE_CHILD");
	acl_from_mode(0755, 1, &acl);
	acl_set_of(s, &cr_alice, &d, &acl);
	acl_from_mode(0644, 0, &acl);
	acl_prepend(&acl, ACL_TYPE_ALLOW, 0, ACL_DELETE | ACL_WRITE_ACL, 1002);
	TAP_EQ_INT(acl_set_of(s, &cr_alice, &f, &acl), 0,
	    "file: DELETE and WRITE_ACL for carol");
	acl_from_mode(0600, 0, &acl);
	acl_prepend(&acl, ACL_TYPE_ALLOW, 0, ACL_DELETE | ACL_WRITE_ACL, 1002);
	TAP_EQ_INT(acl_set_of(s, &cr_carol, &f, &acl), 0,
	    "carol sets the ACL with WRITE_ACL");
	TAP_EQ_INT(acl_set_of(s, &cr_bob, &f, &acl), -EPERM,
	    "bob may not");
	/* setattr: WRITE_ACL for a chmod, WRITE_ATTRIBUTES, WRITE_OWNER. */
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_MODE;
	sa.mode = 0640;
	TAP_EQ_INT(store_setattr(s, &cr_carol, &f, &sa, NULL), 0,
	    "carol chmods with WRITE_ACL");
	TAP_EQ_INT(store_setattr(s, &cr_bob, &f, &sa, NULL), -EPERM,
	    "bob may not chmod");
	tap_ok(acl_get_of(s, &cr_alice, &f, &got) == 0 &&
	    acl_has_named(&got, ACL_TYPE_ALLOW, ACL_WRITE_ACL, 1002),
	    "the chmod kept carol's ACE");
	sa.mask = STORE_SATTR_MTIME;
	sa.mtime.tv_sec = 1000000;
	TAP_EQ_INT(store_setattr(s, &cr_carol, &f, &sa, NULL), -EPERM,
	    "carol may not set times without WRITE_ATTRIBUTES");
	sa.mask = STORE_SATTR_GID;
	sa.gid = 50;
	TAP_EQ_INT(store_setattr(s, &cr_carol, &f, &sa, NULL), -EPERM,
	    "nor chgrp without WRITE_OWNER");
	acl_from_mode(0640, 0, &acl);
	acl_prepend(&acl, ACL_TYPE_ALLOW, 0, ACL_DELETE |
	    ACL_WRITE_ATTRIBUTES | ACL_WRITE_OWNER, 1002);
	TAP_EQ_INT(acl_set_of(s, &cr_alice, &f, &acl), 0,
	    "file: WRITE_ATTRIBUTES and WRITE_OWNER for carol");
	sa.mask = STORE_SATTR_MTIME;
	TAP_EQ_INT(store_setattr(s, &cr_carol, &f, &sa, NULL), 0,
	    "carol sets times with WRITE_ATTRIBUTES");
	sa.mask = STORE_SATTR_GID;
	TAP_EQ_INT(store_setattr(s, &cr_carol, &f, &sa, NULL), 0,
	    "carol chgrps to a group of hers with WRITE_OWNER");
	sa.gid = 4242;
	TAP_EQ_INT(store_setattr(s, &cr_carol, &f, &sa, NULL), -EPERM,
	    "but not to a group she is not in");
	sa.mask = STORE_SATTR_UID;
	sa.uid = 1002;
	TAP_EQ_INT(store_setattr(s, &cr_carol, &f, &sa, NULL), -EPERM,
	    "nor take the file (chown is root's)");
	sa.mask = STORE_SATTR_MODE;
	sa.mode = 0644;
	TAP_EQ_INT(store_setattr(s, &cr_carol, &f, &sa, NULL), -EPERM,
	    "and without WRITE_ACL no chmod");
	TAP_EQ_INT(store_remove(s, &cr_carol, &d, N("inh")), 0,
	    "carol removes with DELETE on the file");
	/* An old store's opaque blob: no flag, no ACL. */
	TAP_EQ_INT(store_create(s, &cr_alice, &d, N("old"), 0600,
	    STORE_CREATE_GUARDED, NULL, &f, NULL), 0, "create old");
	rv = store_txn_begin(s);
	if (rv == 0 && (rv = store_fh_resolve(s, &f, &ip)) == 0)
		rv = store_blob_put(s, ip.ino, STORE_XNAME_ACL,
		    sizeof(STORE_XNAME_ACL) - 1, "opaque", 6);
	TAP_EQ_INT(store_txn_end(s, rv), 0, "an old opaque ACL blob");
	tap_ok(acl_get_of(s, &cr_alice, &f, &got) == 0 &&
	    acl_is_trivial(&got, 0) && acl_to_mode(&got, 0) == 0600,
	    "read as no ACL: the mode's");
	TAP_EQ_INT(open_read(s, &cr_alice, &f), 0, "its owner reads");
	TAP_EQ_INT(open_read(s, &cr_bob, &f), -EACCES, "bob does not");
	store_remove(s, &cr_alice, &d, N("old"));
}

/*
 * fsck validates ACL records: a corrupt one, a flag without a record and
 * an old opaque blob are faults; repair leaves the mode ruling.
 */
static void
test_acl_fsck(void)
{
	char dir[] = "/tmp/dittofs-test-aclfsck-XXXXXX";
	struct store_options opt;
	struct store_inode ip;
	struct store_fh root, f1, f2, f3;
	struct store_attr a;
	struct store *s;
	struct acl acl;
	int rv;

	if (mkdtemp(dir) == NULL) {
		tap_ok(0, "mkdtemp");
		return;
	}
	memset(&opt, 0, sizeof(opt));
	opt.cache_bytes = 8u << 20;
	if (store_open(dir, &opt, &s) != 0) {
		tap_ok(0, "store_open");
		return;
	}
	store_share_root(s, "main", 1, &root, NULL);
	store_create(s, &cr_root, &root, N("bad"), 0644, STORE_CREATE_GUARDED,
	    NULL, &f1, NULL);
	store_create(s, &cr_root, &root, N("gone"), 0644,
	    STORE_CREATE_GUARDED, NULL, &f2, NULL);
	store_create(s, &cr_root, &root, N("old"), 0644, STORE_CREATE_GUARDED,
	    NULL, &f3, NULL);
	acl_from_mode(0644, 0, &acl);
	acl_prepend(&acl, ACL_TYPE_DENY, 0, ACL_READ_DATA, 1001);
	acl_set_of(s, &cr_root, &f1, &acl);
	acl_set_of(s, &cr_root, &f2, &acl);
	store_close(s);
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 0, "ACL records: no faults");
	store_open(dir, &opt, &s);
	rv = store_txn_begin(s);
	if (rv == 0 && (rv = store_fh_resolve(s, &f1, &ip)) == 0)
		rv = store_blob_put(s, ip.ino, STORE_XNAME_ACL,
		    sizeof(STORE_XNAME_ACL) - 1, "\001\000\002", 3);
	if (rv == 0 && (rv = store_fh_resolve(s, &f2, &ip)) == 0)
		rv = store_blob_del(s, ip.ino, STORE_XNAME_ACL,
		    sizeof(STORE_XNAME_ACL) - 1);
	if (rv == 0 && (rv = store_fh_resolve(s, &f3, &ip)) == 0)
		rv = store_blob_put(s, ip.ino, STORE_XNAME_ACL,
		    sizeof(STORE_XNAME_ACL) - 1, "opaque", 6);
	TAP_EQ_INT(store_txn_end(s, rv), 0,
	    "corrupt one ACL, lose another, add an old blob");
	TAP_EQ_INT(open_read(s, &cr_bob, &f1), -EIO,
	    "a corrupt ACL refuses access (EIO), never grants it");
	store_close(s);
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 3, "fsck finds the three");
	TAP_EQ_INT(store_fsck(dir, 1, stdout), 3, "and repairs them");
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 0, "clean after repair");
	store_open(dir, &opt, &s);
	tap_ok(store_getattr(s, &f1, &a) == 0 && !(a.flags & STORE_ATTR_ACL) &&
	    a.mode == 0644 && open_read(s, &cr_bob, &f1) == 0,
	    "repaired: the mode rules");
	store_close(s);
	rm_tree(dir);
}

static void
test_notify(struct store *s, struct notes *nt, const struct store_fh *root)
{
	struct store_sattr sa;
	struct store_attr a, da, ra;
	struct store_fh fh, d, fh2;

	store_getattr(s, root, &ra);
	store_mkdir(s, &cr_root, root, N("nt"), 0777, &d, &da);
	nt->n = 0;
	store_create(s, &cr_root, &d, N("f"), 0644, STORE_CREATE_GUARDED,
	    NULL, &fh, &a);
	tap_ok(entry_noted(nt, da.ino, "f", STORE_NOTIFY_ENTRY_ADD) &&
	    attr_notes_for(nt, da.ino) == STORE_NOTIFY_ATTR &&
	    attr_notes_for(nt, a.ino) == 0,
	    "create notes the entry and the directory, not the new inode");
	nt->n = 0;
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_MODE;
	sa.mode = 0600;
	store_setattr(s, &cr_root, &fh, &sa, NULL);
	TAP_EQ_INT(notes_for(nt, a.ino), STORE_NOTIFY_MODE | STORE_NOTIFY_ATTR,
	    "chmod notifies");
	tap_ok(nt->n == 1 && nt->ev[0].fh.len > 0,
	    "the notification carries the handle");
	nt->n = 0;
	sa.mask = STORE_SATTR_UID;
	sa.uid = 7;
	store_setattr(s, &cr_root, &fh, &sa, NULL);
	TAP_EQ_INT(notes_for(nt, a.ino), STORE_NOTIFY_OWNER | STORE_NOTIFY_ATTR,
	    "chown notifies");
	nt->n = 0;
	sa.mask = STORE_SATTR_MTIME_NOW;
	store_setattr(s, &cr_root, &fh, &sa, NULL);
	tap_ok(nt->n == 1 && notes_for(nt, a.ino) == STORE_NOTIFY_ATTR,
	    "touch notifies the record only");
	nt->n = 0;
	store_link(s, &cr_root, &fh, &d, N("g"), NULL);
	TAP_EQ_INT(attr_notes_for(nt, a.ino),
	    STORE_NOTIFY_NLINK | STORE_NOTIFY_ATTR, "link notifies");
	tap_ok(entry_noted(nt, da.ino, "g", STORE_NOTIFY_ENTRY_ADD), "link notes the new entry");
	nt->n = 0;
	store_rename(s, &cr_root, &d, N("g"), root, N("h"));
	tap_ok(entry_noted(nt, da.ino, "g", STORE_NOTIFY_ENTRY_DEL | STORE_NOTIFY_RENAME) &&
	    entry_noted(nt, ra.ino, "h", STORE_NOTIFY_ENTRY_ADD | STORE_NOTIFY_RENAME) &&
	    attr_notes_for(nt, da.ino) == STORE_NOTIFY_ATTR &&
	    attr_notes_for(nt, ra.ino) == STORE_NOTIFY_ATTR,
	    "rename notes both entries and both directories");
	TAP_EQ_INT(attr_notes_for(nt, a.ino) & (STORE_NOTIFY_ATTR |
	    STORE_NOTIFY_RENAME), STORE_NOTIFY_ATTR | STORE_NOTIFY_RENAME,
	    "... and the renamed inode's record, marked RENAME");
	nt->n = 0;
	store_remove(s, &cr_root, root, N("h"));
	TAP_EQ_INT(attr_notes_for(nt, a.ino),
	    STORE_NOTIFY_NLINK | STORE_NOTIFY_ATTR,
	    "unlink of one name notifies nlink");
	tap_ok(entry_noted(nt, ra.ino, "h", STORE_NOTIFY_ENTRY_DEL), "unlink notes the entry");
	nt->n = 0;
	store_create(s, &cr_root, &d, N("v"), 0644, STORE_CREATE_GUARDED,
	    NULL, &fh2, NULL);
	nt->n = 0;
	store_rename(s, &cr_root, &d, N("v"), &d, N("f"));
	tap_ok(entry_noted(nt, da.ino, "v", STORE_NOTIFY_ENTRY_DEL | STORE_NOTIFY_RENAME) &&
	    entry_noted(nt, da.ino, "f", STORE_NOTIFY_ENTRY_ADD | STORE_NOTIFY_RENAME) &&
	    entry_noted(nt, da.ino, "f", STORE_NOTIFY_ENTRY_DEL) &&
	    (attr_notes_for(nt, a.ino) & STORE_NOTIFY_REMOVED),
	    "rename over a name notes both names and the removed inode");
	nt->n = 0;
	store_remove(s, &cr_root, &d, N("f"));
	tap_ok(attr_notes_for(nt, a.ino) == 0 &&
	    entry_noted(nt, da.ino, "f", STORE_NOTIFY_ENTRY_DEL),
	    "removing the renamed file notes its entry");
	nt->n = 0;
	TAP_EQ_INT(store_remove(s, &cr_root, &d, N("f")), -ENOENT,
	    "failed op");
	TAP_EQ_INT(nt->n, 0, "a failed op notifies nothing");
	{
		struct store_fh sd;

		nt->n = 0;
		store_mkdir(s, &cr_root, &d, N("sub"), 0755, &sd, NULL);
		tap_ok(entry_noted(nt, da.ino, "sub", STORE_NOTIFY_ENTRY_ADD |
		    STORE_NOTIFY_ENTRY_DIR), "mkdir notes a directory's entry");
		nt->n = 0;
		store_rmdir(s, &cr_root, &d, N("sub"));
		tap_ok(entry_noted(nt, da.ino, "sub", STORE_NOTIFY_ENTRY_DEL |
		    STORE_NOTIFY_ENTRY_DIR), "rmdir notes a directory's entry");
	}
	{
		struct acl acl;

		acl_from_mode(0755, 1, &acl);
		acl_prepend(&acl, ACL_TYPE_DENY, 0, ACL_READ_DATA, 1001);
		acl_set_of(s, &cr_root, &d, &acl);
	}
	tap_ok(notes_for(nt, da.ino) & STORE_NOTIFY_ACL, "ACL notifies");
}

/* store_dir_parent: tree watches' walk up (blockd/ops.c). */
static void
test_dir_parent(struct store *s, const struct store_fh *root)
{
	struct store_attr ra, pa, ca, fa;
	struct store_fh p, c, f, pfh;
	char name[STORE_NAME_MAX];
	uint64_t parent;
	size_t len;
	int i;

	store_getattr(s, root, &ra);
	store_mkdir(s, &cr_root, root, N("dp"), 0755, &p, &pa);
	/* Others before it, so that the walk over p's entries is one. */
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "before%d", i);
		store_create(s, &cr_root, &p, N(name), 0644,
		    STORE_CREATE_GUARDED, NULL, &f, NULL);
	}
	store_mkdir(s, &cr_root, &p, N("child"), 0755, &c, &ca);
	store_create(s, &cr_root, &p, N("file"), 0644, STORE_CREATE_GUARDED,
	    NULL, &f, &fa);
	TAP_EQ_INT(store_dir_parent(s, ca.ino, &parent, &pfh, name, &len), 0,
	    "store_dir_parent of a directory");
	tap_ok(parent == pa.ino && pfh.len == p.len &&
	    memcmp(pfh.data, p.data, p.len) == 0,
	    "... its parent's inode and handle");
	tap_ok(len == 5 && memcmp(name, "child", 5) == 0,
	    "... and its name there");
	TAP_EQ_INT(store_dir_parent(s, pa.ino, &parent, NULL, NULL, NULL), 0,
	    "without the name");
	TAP_EQ_INT((long long)parent, (long long)ra.ino,
	    "... the share's root is its parent");
	TAP_EQ_INT(store_dir_parent(s, ra.ino, &parent, NULL, name, &len), 0,
	    "the share's root");
	tap_ok(parent == ra.ino && len == 0, "... is its own parent, no name");
	TAP_EQ_INT(store_dir_parent(s, fa.ino, &parent, NULL, name, &len),
	    -ENOTDIR, "a file: ENOTDIR");
	store_rename(s, &cr_root, &p, N("child"), root, N("moved"));
	TAP_EQ_INT(store_dir_parent(s, ca.ino, &parent, NULL, name, &len), 0,
	    "after a rename into the root");
	tap_ok(parent == ra.ino && len == 5 && memcmp(name, "moved", 5) == 0,
	    "... the new parent and the new name");
	store_rmdir(s, &cr_root, root, N("moved"));
	TAP_EQ_INT(store_dir_parent(s, ca.ino, &parent, NULL, name, &len),
	    -ENOENT, "a removed directory: ENOENT");
}

/*
 * store_file_parent: the directory of a file's newest name, which
 * blockd's ENTRY_ATTR notes name (blockd/ops.c).
 */
static void
test_file_parent(struct store *s, const struct store_fh *root)
{
	struct store_attr ra, aa, ba, fa;
	struct store_fh a, b, f, pfh;
	char name[STORE_NAME_MAX];
	uint64_t parent;
	size_t len;

	store_getattr(s, root, &ra);
	store_mkdir(s, &cr_root, root, N("fpa"), 0755, &a, &aa);
	store_mkdir(s, &cr_root, root, N("fpb"), 0755, &b, &ba);
	store_create(s, &cr_root, &a, N("before"), 0644, STORE_CREATE_GUARDED,
	    NULL, &f, NULL);
	store_create(s, &cr_root, &a, N("f"), 0644, STORE_CREATE_GUARDED,
	    NULL, &f, &fa);
	TAP_EQ_INT(store_file_parent(s, fa.ino, &parent, &pfh, name, &len), 0,
	    "store_file_parent of a new file");
	tap_ok(parent == aa.ino && pfh.len == a.len &&
	    memcmp(pfh.data, a.data, a.len) == 0 && len == 1 &&
	    name[0] == 'f', "... the directory it was made in, its name");
	store_rename(s, &cr_root, &a, N("f"), &b, N("g"));
	TAP_EQ_INT(store_file_parent(s, fa.ino, &parent, NULL, name, &len), 0,
	    "after a rename to another directory");
	tap_ok(parent == ba.ino && len == 1 && name[0] == 'g',
	    "... the new directory and name");
	store_link(s, &cr_root, &f, root, N("fplink"), NULL);
	TAP_EQ_INT(store_file_parent(s, fa.ino, &parent, NULL, name, &len), 0,
	    "after a link into the root");
	tap_ok(parent == ra.ino && len == 6 && memcmp(name, "fplink", 6) == 0,
	    "... the link's directory and name");
	store_remove(s, &cr_root, root, N("fplink"));
	TAP_EQ_INT(store_file_parent(s, fa.ino, &parent, NULL, name, &len),
	    -ENOENT, "that name removed (another left): ENOENT");
	TAP_EQ_INT(store_file_parent(s, fa.ino, &parent, NULL, NULL, NULL), 0,
	    "... without the name, the directory still");
	TAP_EQ_INT(store_file_parent(s, aa.ino, &parent, NULL, NULL, NULL),
	    -EISDIR, "a directory: EISDIR");
	store_remove(s, &cr_root, &b, N("g"));
	TAP_EQ_INT(store_file_parent(s, fa.ino, &parent, NULL, NULL, NULL),
	    -ENOENT, "a removed file: ENOENT");
}

/*
 * store_lookup_ino: an entry found by its inode number in the directory
 * it was made in (a file, a directory), never in another, not a
 * directory's own, not without search permission.
 */
static void
test_lookup_ino(struct store *s, const struct store_fh *root)
{
	struct store_attr aa, da, fa, got;
	struct store_fh a, b, d, f, fh;
	char name[STORE_NAME_MAX];
	size_t len;

	store_mkdir(s, &cr_root, root, N("lia"), 0700, &a, &aa);
	store_mkdir(s, &cr_root, root, N("lib"), 0755, &b, NULL);
	store_mkdir(s, &cr_root, &a, N("a long dir"), 0755, &d, &da);
	store_create(s, &cr_root, &a, N("a long file.txt"), 0644,
	    STORE_CREATE_GUARDED, NULL, &f, &fa);
	TAP_EQ_INT(store_lookup_ino(s, &cr_root, &a, fa.ino, name, &len, &fh,
	    &got), 0, "store_lookup_ino of a file in its directory");
	tap_ok(len == 15 && memcmp(name, "a long file.txt", 15) == 0 &&
	    fh.len == f.len && memcmp(fh.data, f.data, f.len) == 0 &&
	    got.ino == fa.ino, "... its name, handle and attributes");
	TAP_EQ_INT(store_lookup_ino(s, &cr_root, &a, da.ino, name, &len, &fh,
	    &got), 0, "of a directory in its parent");
	tap_ok(len == 10 && memcmp(name, "a long dir", 10) == 0 &&
	    got.ino == da.ino, "... its name");
	TAP_EQ_INT(store_lookup_ino(s, &cr_root, &b, fa.ino, name, &len, &fh,
	    &got), -ENOENT, "the file's inode in another directory: ENOENT");
	TAP_EQ_INT(store_lookup_ino(s, &cr_root, &d, da.ino, name, &len, &fh,
	    &got), -ENOENT, "a directory's own inode: ENOENT");
	TAP_EQ_INT(store_lookup_ino(s, &cr_root, &a, aa.ino + 1000000, name,
	    &len, &fh, &got), -ENOENT, "an inode that does not exist: ENOENT");
	TAP_EQ_INT(store_lookup_ino(s, &cr_bob, &a, fa.ino, name, &len, &fh,
	    &got), -EACCES, "without search permission on the directory: "
	    "EACCES");
	TAP_EQ_INT(store_lookup_ino(s, &cr_root, &f, fa.ino, name, &len, &fh,
	    &got), -ENOTDIR, "in a file: ENOTDIR");
	store_rename(s, &cr_root, &a, N("a long file.txt"), &b, N("moved"));
	TAP_EQ_INT(store_lookup_ino(s, &cr_root, &a, fa.ino, name, &len, &fh,
	    &got), -ENOENT, "renamed to another directory: not in the first");
	TAP_EQ_INT(store_lookup_ino(s, &cr_root, &b, fa.ino, name, &len, &fh,
	    &got), 0, "... but in the other");
	tap_ok(len == 5 && memcmp(name, "moved", 5) == 0, "... by its new "
	    "name");
}

/*
 * Allocated bytes of ino's backing file (the layout of store.c), or -1
 * when it does not exist.
 */
static long long
backing_allocated(const char *dir, uint64_t ino)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/data/%02x/%02x/%016llx", dir,
	    (unsigned int)((ino >> 8) & 0xff),
	    (unsigned int)((ino >> 16) & 0xff), (unsigned long long)ino);
	if (stat(path, &st) == -1)
		return -1;
	return (long long)st.st_blocks * 512;
}

/* The backing file of ino exists. */
static int
backed(const char *dir, uint64_t ino)
{
	return backing_allocated(dir, ino) != -1;
}

static int
ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/*
 * A regular file has no backing file until its first open_io or a
 * setattr to a size > 0: until then it is empty and its times are the
 * record's.
 */
static void
test_unbacked(struct store *s, const struct store_fh *root, const char *dir)
{
	struct store_dirent ents[8];
	struct store_sattr sa;
	struct store_attr a, a2;
	struct store_fh d, fh, fh2;
	uint8_t verf[STORE_VERF_SIZE];
	char buf[8];
	size_t n, i;
	int eof, fd, rv, found;

	TAP_EQ_INT(store_sync(s), 0, "unbacked: sync before");
	tap_ok(!store_needs_sync(s), "nothing to sync after store_sync");
	store_mkdir(s, &cr_root, root, N("ub"), 0777, &d, NULL);
	tap_ok(store_needs_sync(s), "a mkdir needs a sync");
	store_sync(s);
	rv = store_create(s, &cr_alice, &d, N("f"), 0640,
	    STORE_CREATE_GUARDED, NULL, &fh, &a);
	tap_ok(rv == 0 && a.size == 0 && a.used == 0 &&
	    ts_eq(&a.mtime, &a.btime) && ts_eq(&a.ctime, &a.btime),
	    "create: size 0, used 0, the record's times");
	tap_ok(!backed(dir, a.ino), "create makes no backing file");
	tap_ok(store_needs_sync(s), "a create needs a sync");
	store_sync(s);
	rv = store_getattr(s, &fh, &a2);
	tap_ok(rv == 0 && a2.size == 0 && ts_eq(&a2.mtime, &a.mtime) &&
	    a2.uid == 1000 && a2.mode == 0640, "getattr of an unbacked file");
	tap_ok(!store_needs_sync(s), "a getattr needs no sync");
	TAP_EQ_INT(store_commit(s, &fh), 0, "commit of an unbacked file");

	rv = store_readdir(s, &cr_root, &d, 0, verf, ents, 8, 1, &n, &eof);
	found = 0;
	for (i = 0; i < n; i++)
		if (strcmp(ents[i].name, "f") == 0 && ents[i].attr.size == 0 &&
		    ts_eq(&ents[i].attr.mtime, &a.mtime) &&
		    ents[i].attr.ino == a.ino)
			found = 1;
	tap_ok(rv == 0 && found, "readdirplus of an unbacked file");

	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_MTIME | STORE_SATTR_ATIME;
	sa.mtime.tv_sec = 1000000000;
	sa.mtime.tv_nsec = 7;
	sa.atime.tv_sec = 1000000002;
	rv = store_setattr(s, &cr_alice, &fh, &sa, &a2);
	tap_ok(rv == 0 && a2.mtime.tv_sec == 1000000000 &&
	    a2.mtime.tv_nsec == 7 && a2.atime.tv_sec == 1000000002,
	    "setattr times of an unbacked file");
	tap_ok(!backed(dir, a.ino), "times make no backing file");
	sa.mask = STORE_SATTR_SIZE;
	sa.size = 0;
	rv = store_setattr(s, &cr_alice, &fh, &sa, &a2);
	tap_ok(rv == 0 && a2.size == 0 && a2.mtime.tv_sec > 1000000000 &&
	    !backed(dir, a.ino), "truncate to 0: mtime now, still unbacked");

	/* open_io makes the file and keeps the record's times */
	sa.mask = STORE_SATTR_MTIME;
	TAP_EQ_INT(store_setattr(s, &cr_alice, &fh, &sa, NULL), 0,
	    "set mtime again");
	store_sync(s);
	rv = store_open_io(s, &cr_bob, &fh, STORE_IO_READ, &fd, &a2);
	TAP_EQ_INT(rv, -EACCES, "open_io still checks permission first");
	tap_ok(!backed(dir, a.ino) && !store_needs_sync(s),
	    "a refused open_io makes nothing");
	rv = store_open_io(s, &cr_alice, &fh, STORE_IO_READ, &fd, &a2);
	tap_ok(rv == 0 && fd >= 0 && a2.size == 0 &&
	    a2.mtime.tv_sec == 1000000000 && a2.mtime.tv_nsec == 7 &&
	    a2.atime.tv_sec == 1000000002,
	    "first open_io (read): backing file with the record's times");
	tap_ok(backed(dir, a.ino), "the backing file exists now");
	tap_ok(!store_needs_sync(s),
	    "making it needs no flush (open adopts it if BACKED is lost)");
	if (fd >= 0)
		close(fd);
	store_sync(s);
	rv = store_open_io(s, &cr_alice, &fh, STORE_IO_WRITE, &fd, NULL);
	tap_ok(rv == 0 && pwrite(fd, "abc", 3, 0) == 3, "write through it");
	if (fd >= 0)
		close(fd);
	tap_ok(!store_needs_sync(s), "a second open_io needs no sync");
	rv = store_getattr(s, &fh, &a2);
	tap_ok(rv == 0 && a2.size == 3, "size from the backing file");

	/* setattr to a size > 0 makes the file too */
	rv = store_create(s, &cr_alice, &d, N("g"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, &a);
	sa.mask = STORE_SATTR_SIZE;
	sa.size = 5000;
	rv = store_setattr(s, &cr_alice, &fh2, &sa, &a2);
	tap_ok(rv == 0 && a2.size == 5000 && backed(dir, a.ino),
	    "truncate to 5000: backing file made");
	rv = store_open_io(s, &cr_alice, &fh2, STORE_IO_READ, &fd, NULL);
	tap_ok(rv == 0 && pread(fd, buf, 8, 0) == 8 && buf[0] == 0 &&
	    buf[7] == 0, "it reads zeros");
	if (fd >= 0)
		close(fd);

	/* rename and remove, unbacked over backed and back */
	rv = store_create(s, &cr_alice, &d, N("h"), 0644,
	    STORE_CREATE_GUARDED, NULL, NULL, &a);
	TAP_EQ_INT(store_rename(s, &cr_alice, &d, N("h"), &d, N("g")), 0,
	    "rename an unbacked file over a backed one");
	store_sync(s);
	rv = store_getattr(s, &fh2, &a2);
	TAP_EQ_INT(rv, -ESTALE, "the backed one is gone");
	rv = store_lookup(s, &cr_alice, &d, N("g"), &fh2, &a2);
	tap_ok(rv == 0 && a2.ino == a.ino && a2.size == 0 &&
	    !backed(dir, a.ino), "g is the unbacked one now");
	TAP_EQ_INT(store_rename(s, &cr_alice, &d, N("f"), &d, N("g")), 0,
	    "rename a backed file over an unbacked one");
	rv = store_lookup(s, &cr_alice, &d, N("g"), NULL, &a2);
	tap_ok(rv == 0 && a2.size == 3, "g is the backed one now");
	rv = store_create(s, &cr_alice, &d, N("i"), 0644,
	    STORE_CREATE_GUARDED, NULL, NULL, &a);
	store_sync(s);
	TAP_EQ_INT(store_remove(s, &cr_alice, &d, N("i")), 0,
	    "remove an unbacked file");
	tap_ok(store_needs_sync(s), "a remove needs a sync");
	TAP_EQ_INT(store_sync(s), 0, "and its sync has nothing to unlink");
	TAP_EQ_INT(store_remove(s, &cr_alice, &d, N("g")), 0,
	    "remove the backed one");
	store_sync(s);
	rv = store_lookup(s, &cr_alice, &d, N("g"), NULL, &a2);
	TAP_EQ_INT(rv, -ENOENT, "gone");

	TAP_EQ_INT(store_rmdir(s, &cr_root, root, N("ub")), 0,
	    "the directory is empty");
	store_sync(s);
}

/* Spare backing files: made ahead, renamed into place, kept by open. */
static void
test_spares(void)
{
	char dir[] = "/tmp/dittofs-test-spares-XXXXXX";
	char path[512], buf[4];
	struct store_options opt;
	struct store_fh root, fh, fh2, fh3;
	struct store_attr a, a2;
	struct store_sattr sa;
	struct store *s;
	size_t ready;
	uint64_t used, f_ino;
	int fd, i, made, rv;

	memset(&opt, 0, sizeof(opt));
	opt.cache_bytes = 8u << 20;
	if (mkdtemp(dir) == NULL || store_open(dir, &opt, &s) != 0 ||
	    store_share_root(s, "main", 1, &root, NULL) != 0) {
		tap_ok(0, "spares: setup");
		return;
	}
	store_spare_stats(s, &ready, &used);
	tap_ok(ready == 0 && used == 0, "spares: a new store has none");
	TAP_EQ_INT(store_spare_make(s), 1, "spares: one made");
	snprintf(path, sizeof(path), "%s/spare/00000000", dir);
	tap_ok(access(path, F_OK) == 0, "spares: it is spare/00000000");

	/* The first backing file: its shard directories do not exist yet. */
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_MTIME;
	sa.mtime.tv_sec = 1100000000;
	sa.mtime.tv_nsec = 9;
	rv = store_create(s, &cr_root, &root, N("f"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh, &a);
	TAP_EQ_INT(store_setattr(s, &cr_root, &fh, &sa, NULL), 0,
	    "spares: an unbacked file with its own mtime");
	f_ino = a.ino;
	store_sync(s);
	rv = store_open_io(s, &cr_root, &fh, STORE_IO_WRITE, &fd, &a2);
	store_spare_stats(s, &ready, &used);
	tap_ok(rv == 0 && ready == 0 && used == 1 && backed(dir, a.ino) &&
	    access(path, F_OK) == -1, "spares: open_io renamed the spare "
	    "into a new shard");
	tap_ok(rv == 0 && a2.size == 0 && !(a2.flags & STORE_ATTR_UNBACKED) &&
	    a2.mtime.tv_sec == 1100000000 && a2.mtime.tv_nsec == 9,
	    "spares: backed, empty, with the record's mtime");
	tap_ok(rv == 0 && pwrite(fd, "abc", 3, 0) == 3,
	    "spares: its fd writes");
	if (fd >= 0)
		close(fd);
	rv = store_getattr(s, &fh, &a2);
	tap_ok(rv == 0 && a2.size == 3, "spares: the data is the file's");

	for (made = 0, i = 0; i < STORE_SPARES_MAX + 5; i++)
		if (store_spare_make(s) == 1)
			made++;
	store_spare_stats(s, &ready, &used);
	tap_ok(made == STORE_SPARES_MAX && ready == STORE_SPARES_MAX,
	    "spares: the pool fills up to STORE_SPARES_MAX");
	TAP_EQ_INT(store_spare_make(s), 0, "spares: a full pool makes none");

	/* A file already at the path (a lost BACKED txn) is adopted. */
	rv = store_create(s, &cr_root, &root, N("g"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, &a);
	store_sync(s);
	snprintf(path, sizeof(path), "%s/data/%02x/%02x/%016llx", dir,
	    (unsigned int)((a.ino >> 8) & 0xff),
	    (unsigned int)((a.ino >> 16) & 0xff),
	    (unsigned long long)a.ino);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	tap_ok(fd >= 0 && write(fd, "zz", 2) == 2,
	    "spares: a backing file left for g");
	if (fd >= 0)
		close(fd);
	rv = store_open_io(s, &cr_root, &fh2, STORE_IO_READ, &fd, NULL);
	store_spare_stats(s, &ready, &used);
	tap_ok(rv == 0 && pread(fd, buf, 2, 0) == 2 &&
	    memcmp(buf, "zz", 2) == 0 && ready == STORE_SPARES_MAX,
	    "spares: it is adopted, no spare replaces it");
	if (fd >= 0)
		close(fd);

	/* A setattr to a size > 0 takes a spare too. */
	rv = store_create(s, &cr_root, &root, N("h"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh3, &a);
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_SIZE;
	sa.size = 10;
	TAP_EQ_INT(store_setattr(s, &cr_root, &fh3, &sa, NULL), 0,
	    "spares: truncate an unbacked file to 10");
	store_spare_stats(s, &ready, &used);
	rv = store_getattr(s, &fh3, &a2);
	tap_ok(rv == 0 && a2.size == 10 && backed(dir, a.ino) &&
	    ready == STORE_SPARES_MAX - 1 && used == 2,
	    "spares: its backing file is a spare");
	store_sync(s);

	/* Open keeps the empty spares and deletes anything else there. */
	store_close(s);
	snprintf(path, sizeof(path), "%s/spare/junk", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s/spare/ffff0000", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	tap_ok(fd >= 0 && write(fd, "x", 1) == 1, "spares: a stray file and "
	    "a non-empty one in spare/");
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(store_open(dir, &opt, &s), 0, "spares: reopen");
	store_spare_stats(s, &ready, &used);
	tap_ok(ready == STORE_SPARES_MAX - 1 && used == 0 &&
	    access(path, F_OK) == -1, "spares: the empty ones are kept, the "
	    "others are gone");
	snprintf(path, sizeof(path), "%s/spare/junk", dir);
	tap_ok(access(path, F_OK) == -1, "spares: junk is gone");
	TAP_EQ_INT(store_spare_make(s), 1, "spares: the next one is made");
	store_spare_stats(s, &ready, &used);
	TAP_EQ_INT((int)ready, STORE_SPARES_MAX, "spares: full again");
	TAP_EQ_INT(store_remove(s, &cr_root, &root, N("f")), 0,
	    "spares: remove f");
	TAP_EQ_INT(store_sync(s), 0, "spares: sync");
	rv = store_lookup(s, &cr_root, &root, N("f"), NULL, NULL);
	tap_ok(rv == -ENOENT && !backed(dir, f_ino),
	    "spares: f and its backing file are gone");
	store_close(s);
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 0, "spares: fsck finds no "
	    "fault");
	rm_tree(dir);
}

/* Fill a new file NAME with bytes through open_io; its inode number. */
static uint64_t
trim_file(struct store *s, const struct store_fh *root, const char *name,
    size_t bytes)
{
	static char chunk[1 << 20];
	struct store_fh fh;
	struct store_attr a;
	size_t off, n;
	int fd;

	memset(chunk, 'x', sizeof(chunk));
	if (store_create(s, &cr_root, root, name, strlen(name), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh, &a) != 0 ||
	    store_open_io(s, &cr_root, &fh, STORE_IO_WRITE, &fd, NULL) != 0)
		return 0;
	for (off = 0; off < bytes; off += n) {
		n = bytes - off < sizeof(chunk) ? bytes - off : sizeof(chunk);
		if (pwrite(fd, chunk, n, (off_t)off) != (ssize_t)n)
			break;
	}
	if (fdatasync(fd) == -1 || off < bytes)
		a.ino = 0;
	close(fd);
	return a.ino;
}

static void
test_trim(void)
{
	char dir[] = "/tmp/dittofs-test-trim-XXXXXX";
	struct store_options opt;
	struct store_fh root;
	struct store *s;
	uint64_t big, small, big2, steps;
	long long before, after;
	size_t queued;
	int rv, n, shrank;

	memset(&opt, 0, sizeof(opt));
	opt.cache_bytes = 8u << 20;
	if (mkdtemp(dir) == NULL || store_open(dir, &opt, &s) != 0 ||
	    store_share_root(s, "main", 1, &root, NULL) != 0) {
		tap_ok(0, "trim: setup");
		return;
	}
	big = trim_file(s, &root, "big", 3 * STORE_TRIM_STEP + 4096);
	small = trim_file(s, &root, "small", STORE_TRIM_STEP / 2);
	store_sync(s);
	tap_ok(big != 0 && small != 0 &&
	    backing_allocated(dir, big) > 3LL * STORE_TRIM_STEP,
	    "trim: a file of three steps and a page, and a small one");
	TAP_EQ_INT(store_trim_step(s), 0, "trim: nothing queued yet");
	TAP_EQ_INT(store_remove(s, &cr_root, &root, N("big")), 0,
	    "trim: remove the big one");
	TAP_EQ_INT(store_remove(s, &cr_root, &root, N("small")), 0,
	    "trim: and the small one");
	TAP_EQ_INT(store_sync(s), 0, "trim: sync");
	store_trim_stats(s, &queued, &steps);
	tap_ok(queued == 1 && backing_allocated(dir, big) > 0 &&
	    !backed(dir, small), "trim: the small one is unlinked, the big "
	    "one queued");

	/* Each step frees at most one step's worth, and frees some. */
	n = 0;
	shrank = 1;
	do {
		before = backing_allocated(dir, big);
		rv = store_trim_step(s);
		after = backing_allocated(dir, big);
		/* A page or two of extent tree may go with a step. */
		if (after != -1 && (before - after <= 0 ||
		    before - after > (long long)STORE_TRIM_STEP + 65536))
			shrank = 0;
		n++;
	} while (rv == 1 && n < 100);
	tap_ok(rv == 0 && !backed(dir, big), "trim: the steps end with "
	    "the file unlinked");
	tap_ok(shrank, "trim: every punch freed some, and one step at most");
	tap_ok(n >= 4 && n <= 5, "trim: %d calls for three steps and a page "
	    "(three punches, then the unlink)", n);
	store_trim_stats(s, &queued, &steps);
	tap_ok(queued == 0 && steps == (uint64_t)n, "trim: stats count them");

	/* What is still queued at close is unlinked then. */
	big2 = trim_file(s, &root, "big2", 2 * STORE_TRIM_STEP);
	TAP_EQ_INT(store_remove(s, &cr_root, &root, N("big2")), 0,
	    "trim: remove another big one");
	store_sync(s);
	store_trim_stats(s, &queued, &steps);
	tap_ok(big2 != 0 && queued == 1 && backed(dir, big2),
	    "trim: queued");
	store_close(s);
	tap_ok(!backed(dir, big2), "trim: close unlinks it");
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 0, "trim: fsck finds no "
	    "fault");
	rm_tree(dir);
}

/*
 * Berkeley DB zero-fills each new log file inside the flush that a
 * batch's replies wait for: the files stay small (STORE_LOG_FILE_BYTES),
 * so that stall stays short.  Enough creates and removes to fill a few.
 */
static void
test_log_files(void)
{
	char dir[] = "/tmp/dittofs-test-logs-XXXXXX";
	char path[600], name[32];
	struct store_options opt;
	struct store_fh root, fh;
	struct store *s;
	struct dirent *de;
	struct stat st;
	DIR *d;
	long long biggest = 0;
	unsigned long last = 0;
	int i, rv = 0, files = 0;

	memset(&opt, 0, sizeof(opt));
	opt.cache_bytes = 8u << 20;
	if (mkdtemp(dir) == NULL || store_open(dir, &opt, &s) != 0 ||
	    store_share_root(s, "main", 1, &root, NULL) != 0) {
		tap_ok(0, "log files: setup");
		return;
	}
	for (i = 0; i < 12000 && rv == 0; i++) {
		snprintf(name, sizeof(name), "f%d", i % 2000);
		if (i % 4000 < 2000)
			rv = store_create(s, &cr_root, &root, N(name), 0644,
			    STORE_CREATE_GUARDED, NULL, &fh, NULL);
		else
			rv = store_remove(s, &cr_root, &root, N(name));
		if (rv == 0 && i % 64 == 63)
			rv = store_sync(s);
	}
	TAP_EQ_INT(rv, 0, "log files: 6,000 creates and removes, synced "
	    "per 64");
	snprintf(path, sizeof(path), "%s/db", dir);
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, "log.", 4) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/db/%s", dir,
			    de->d_name);
			if (stat(path, &st) == 0 && st.st_size > biggest)
				biggest = st.st_size;
			if (strtoul(de->d_name + 4, NULL, 10) > last)
				last = strtoul(de->d_name + 4, NULL, 10);
			files++;
		}
		closedir(d);
	}
	tap_ok(files > 0 && last >= 2, "log files: the log moved on to a "
	    "new file (%d there, the last number %lu)", files, last);
	/* Berkeley DB fills one log buffer (a quarter) past the size. */
	tap_ok(biggest > 0 &&
	    biggest <= (long long)STORE_LOG_FILE_BYTES / 4 * 5,
	    "log files: each is at most %u bytes (biggest %lld), what one "
	    "zero-fill writes", STORE_LOG_FILE_BYTES / 4 * 5, biggest);
	store_close(s);
	rm_tree(dir);
}

/*
 * A removed big file that a front end still holds open: not trimmed
 * while it is open (its fd reads its data), trimmed once it is closed.
 */
static void
test_trim_held(void)
{
	char dir[] = "/tmp/dittofs-test-held-XXXXXX";
	static char buf[4096];
	struct store_options opt;
	struct store_fh root, fh;
	struct store_attr a;
	struct store *s;
	uint64_t big, big2;
	size_t queued, i;
	uint64_t steps;
	int fd = -1, rv, n, intact;

	memset(&opt, 0, sizeof(opt));
	opt.cache_bytes = 8u << 20;
	if (mkdtemp(dir) == NULL || store_open(dir, &opt, &s) != 0 ||
	    store_share_root(s, "main", 1, &root, NULL) != 0) {
		tap_ok(0, "held: setup");
		return;
	}
	big = trim_file(s, &root, "big", 2 * STORE_TRIM_STEP + 4096);
	rv = store_lookup(s, &cr_root, &root, N("big"), &fh, &a);
	if (rv == 0)
		rv = store_open_io(s, &cr_root, &fh, STORE_IO_READ, &fd, NULL);
	tap_ok(big != 0 && rv == 0, "held: a big file, open for reading");
	rv = store_rename(s, &cr_root, &root, N("big"), &root, N("moved"));
	tap_ok(rv == 0 && pread(fd, buf, 1, 0) == 1 && buf[0] == 'x',
	    "held: renamed while open, its fd reads on");
	TAP_EQ_INT(store_remove(s, &cr_root, &root, N("moved")), 0,
	    "held: removed while open");
	TAP_EQ_INT(store_sync(s), 0, "held: sync");
	store_trim_stats(s, &queued, &steps);
	TAP_EQ_INT(queued, 1, "held: queued for trimming");
	for (n = 0; n < 100 && store_trim_step(s) == 1; n++)
		continue;
	store_trim_stats(s, &queued, &steps);
	tap_ok(queued == 0 && store_trim_held(s) == 1 &&
	    backing_allocated(dir, big) > 2LL * STORE_TRIM_STEP,
	    "held: set aside, not punched, while a front end has it open");
	intact = 1;
	for (i = 0; i < 3; i++) {
		memset(buf, 0, sizeof(buf));
		if (pread(fd, buf, sizeof(buf), (off_t)(i * STORE_TRIM_STEP)) !=
		    sizeof(buf) || buf[0] != 'x' ||
		    buf[sizeof(buf) - 1] != 'x')
			intact = 0;
	}
	tap_ok(intact, "held: its fd still reads the data after the trim "
	    "pass, no zeros");
	TAP_EQ_INT(store_trim_retry(s), 1, "held: a retry queues it "
	    "again");
	for (n = 0; n < 100 && store_trim_step(s) == 1; n++)
		continue;
	tap_ok(store_trim_held(s) == 1 && backed(dir, big),
	    "held: still open: set aside again");
	(void)close(fd);
	fd = -1;
	TAP_EQ_INT(store_trim_retry(s), 1, "held: closed; retried");
	for (n = 0; n < 100 && store_trim_step(s) == 1; n++)
		continue;
	tap_ok(n >= 2 && store_trim_held(s) == 0 && !backed(dir, big),
	    "held: once closed it is trimmed in steps and unlinked (%d)", n);

	/* Held at close: unlinked, and the fd keeps the data. */
	big2 = trim_file(s, &root, "big2", 2 * STORE_TRIM_STEP);
	rv = store_lookup(s, &cr_root, &root, N("big2"), &fh, &a);
	if (rv == 0)
		rv = store_open_io(s, &cr_root, &fh, STORE_IO_READ, &fd, NULL);
	if (rv == 0)
		rv = store_remove(s, &cr_root, &root, N("big2"));
	if (rv == 0)
		rv = store_sync(s);
	for (n = 0; rv == 0 && n < 100 && store_trim_step(s) == 1; n++)
		continue;
	tap_ok(big2 != 0 && rv == 0 && store_trim_held(s) == 1,
	    "held: another one held");
	store_close(s);
	memset(buf, 0, sizeof(buf));
	tap_ok(!backed(dir, big2) && fd >= 0 &&
	    pread(fd, buf, sizeof(buf), STORE_TRIM_STEP) == sizeof(buf) &&
	    buf[0] == 'x', "held: close unlinks it, the fd still reads");
	if (fd >= 0)
		(void)close(fd);
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 0, "held: fsck finds no "
	    "fault");
	rm_tree(dir);
}

#define UPGRADE_BIG	2500	/* more than two of the upgrade's batches */

struct upgrade_log {
	char	line[512];
	int	n;
};

static void
upgrade_log_keep(void *arg, const char *msg)
{
	struct upgrade_log *lg = arg;

	if (strstr(msg, "upgraded") == NULL)
		return;
	snprintf(lg->line, sizeof(lg->line), "%s", msg);
	lg->n++;
}

/* Dies as the upgrade ends: its batches committed, its log not flushed. */
static void
upgrade_log_die(void *arg, const char *msg)
{
	(void)arg;
	if (strstr(msg, "upgraded") != NULL)
		raise(SIGKILL);
}

/*
 * Make the store at dir what format 1 left: each cookies.db value the
 * bare name (format 2's is ino 8 bytes, type 1 byte, name), format 1 in
 * meta.db.  Every keep-th record stays in format 2, as an upgrade that a
 * crash cut short leaves them.  Returns the records turned back, or -1.
 */
static long
make_format1(const char *dir, size_t keep)
{
	struct store *s;
	DBT key, data, nd;
	DBC *cur;
	char name[STORE_NAME_MAX];
	size_t i = 0;
	long n = 0;
	int ret, rv;

	if (store_open(dir, NULL, &s) != 0)
		return -1;
	if ((rv = store_txn_begin(s)) != 0) {
		store_close(s);
		return -1;
	}
	if (s->cookies->cursor(s->cookies, s->txn, &cur, 0) != 0) {
		store_txn_end(s, -EIO);
		store_close(s);
		return -1;
	}
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	while ((ret = cur->get(cur, &key, &data, DB_NEXT)) == 0) {
		if (i++ % keep == 0)
			continue;
		if (data.size <= 9 || data.size > 9 + STORE_NAME_MAX) {
			rv = -EIO;
			break;
		}
		memcpy(name, (char *)data.data + 9, data.size - 9);
		memset(&nd, 0, sizeof(nd));
		nd.data = name;
		nd.size = data.size - 9;
		if (cur->put(cur, &key, &nd, DB_CURRENT) != 0) {
			rv = -EIO;
			break;
		}
		n++;
	}
	if (rv == 0 && ret != DB_NOTFOUND)
		rv = -EIO;
	if (cur->close(cur) != 0 && rv == 0)
		rv = -EIO;
	if (rv == 0)
		rv = store_meta_put_u64(s, "format", 1);
	rv = store_txn_end(s, rv);
	store_close(s);
	return rv == 0 ? n : -1;
}

static int
set_format(const char *dir, uint64_t format)
{
	struct store *s;
	int rv;

	if ((rv = store_open(dir, NULL, &s)) != 0)
		return rv;
	if ((rv = store_txn_begin(s)) == 0)
		rv = store_txn_end(s, store_meta_put_u64(s, "format", format));
	store_close(s);
	return rv;
}

/*
 * Format 2: a cookie record carries the entry's ino and type, so readdir
 * reads nothing else.  A format 1 store, with some records rewritten
 * already as a crash during the upgrade leaves it, is upgraded at open
 * and lists what it listed before.
 */
static void
test_upgrade(void)
{
	struct {
		char		name[STORE_NAME_MAX + 1];
		uint64_t	ino;
		enum store_type	type;
		int		seen;
	} top[6];
	char dir[] = "/tmp/dittofs-test-upgrade-XXXXXX";
	struct store_options opt;
	struct upgrade_log lg;
	struct store_dirent *ents;
	struct store_fh root, big, fh;
	struct store_attr a, ra;
	struct store *s;
	uint64_t *inos, format, cookie = 0;
	uint8_t verf[8], ck[16], val[9 + 1];
	char name[32], *seen, *cp;
	size_t i, j, n, total, ntop = 0, nrew, nkept, nnone;
	long turned;
	int eof, rv, bad, status;
	pid_t pid;
	DBT key, data;

	ents = calloc(100, sizeof(*ents));
	inos = calloc(UPGRADE_BIG, sizeof(*inos));
	seen = calloc(UPGRADE_BIG, 1);
	if (ents == NULL || inos == NULL || seen == NULL ||
	    mkdtemp(dir) == NULL) {
		tap_ok(0, "upgrade: setup");
		return;
	}
	memset(&opt, 0, sizeof(opt));
	memset(&lg, 0, sizeof(lg));
	opt.log = upgrade_log_keep;
	opt.log_arg = &lg;
	if ((rv = store_open(dir, &opt, &s)) != 0 ||
	    (rv = store_share_root(s, "u", 1, &root, &ra)) != 0) {
		tap_ok(0, "upgrade: new store: %s", strerror(-rv));
		return;
	}
	memset(top, 0, sizeof(top));
	rv = store_mkdir(s, &cr_root, &root, N("big"), 0755, &big, &a);
	snprintf(top[ntop].name, sizeof(top[ntop].name), "big");
	top[ntop].ino = a.ino;
	top[ntop++].type = STORE_TYPE_DIR;
	if (rv == 0)
		rv = store_mkdir(s, &cr_root, &root, N("sub"), 0755, &fh, &a);
	snprintf(top[ntop].name, sizeof(top[ntop].name), "sub");
	top[ntop].ino = a.ino;
	top[ntop++].type = STORE_TYPE_DIR;
	if (rv == 0)
		rv = store_symlink(s, &cr_root, &root, N("ln"), N("x"), &fh,
		    &a);
	snprintf(top[ntop].name, sizeof(top[ntop].name), "ln");
	top[ntop].ino = a.ino;
	top[ntop++].type = STORE_TYPE_LNK;
	if (rv == 0)
		rv = store_mknod(s, &cr_root, &root, N("fifo"),
		    STORE_TYPE_FIFO, 0644, 0, &fh, &a);
	snprintf(top[ntop].name, sizeof(top[ntop].name), "fifo");
	top[ntop].ino = a.ino;
	top[ntop++].type = STORE_TYPE_FIFO;
	if (rv == 0)
		rv = store_create(s, &cr_root, &root, N("x"), 0644,
		    STORE_CREATE_GUARDED, NULL, &fh, &a);
	snprintf(top[ntop].name, sizeof(top[ntop].name), "x");
	top[ntop].ino = a.ino;
	top[ntop++].type = STORE_TYPE_REG;
	memset(top[ntop].name, 'L', STORE_NAME_MAX);
	if (rv == 0)
		rv = store_create(s, &cr_root, &root, N(top[ntop].name), 0644,
		    STORE_CREATE_GUARDED, NULL, &fh, &a);
	top[ntop].ino = a.ino;
	top[ntop++].type = STORE_TYPE_REG;
	for (i = 0; rv == 0 && i < UPGRADE_BIG; i++) {
		snprintf(name, sizeof(name), "f%04zu", i);
		rv = store_create(s, &cr_root, &big, N(name), 0644,
		    STORE_CREATE_GUARDED, NULL, &fh, &a);
		inos[i] = a.ino;
	}
	TAP_EQ_INT(rv, 0, "upgrade: %zu + %d entries made", ntop,
	    UPGRADE_BIG);

	rv = store_meta_get_u64(s, "format", &format);
	tap_ok(rv == 0 && format == 4, "a new store is format 4");
	rv = store_readdir(s, &cr_root, &root, 0, verf, ents, 100, 0, &n,
	    &eof);
	for (i = 0; rv == 0 && i < n; i++)
		if (strcmp(ents[i].name, "x") == 0)
			cookie = ents[i].cookie;
	store_put64(val, top[4].ino);
	val[8] = STORE_TYPE_REG;
	val[9] = 'x';
	store_put64(ck, ra.ino);
	store_put64(ck + 8, cookie);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = ck;
	key.size = sizeof(ck);
	rv = s->cookies->get(s->cookies, NULL, &key, &data, 0);
	tap_ok(rv == 0 && data.size == sizeof(val) &&
	    memcmp(data.data, val, sizeof(val)) == 0,
	    "the cookie record of x is (ino, type, name)");
	store_close(s);

	/* 6 + 2500 records; i % 3 == 0 keeps 836 of them in format 2 */
	turned = make_format1(dir, 3);
	TAP_EQ_INT(turned, (long)(ntop + UPGRADE_BIG) -
	    (long)((ntop + UPGRADE_BIG + 2) / 3),
	    "made format 1, a third of the records left in format 2");

	/*
	 * A process killed at the end of the upgrade, before its log
	 * flush: recovery keeps a prefix of its transactions, and the
	 * next open finishes the job, however many records that is.
	 */
	fflush(stdout);
	if ((pid = fork()) == 0) {
		opt.log = upgrade_log_die;
		_exit(store_open(dir, &opt, &s) == 0 ? 0 : 1);
	}
	tap_ok(pid > 0 && waitpid(pid, &status, 0) == pid &&
	    WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "an upgrade killed before its log flush");
	opt.log = upgrade_log_keep;
	rv = store_open(dir, &opt, &s);
	nrew = nkept = nnone = 0;
	cp = strstr(lg.line, "upgraded to 4: ");
	tap_ok(rv == 0 && lg.n == 1 && cp != NULL && sscanf(cp,
	    "upgraded to 4: %zu cookie records rewritten, %zu were already, "
	    "%zu name no entry", &nrew, &nkept, &nnone) == 3 &&
	    nrew + nkept == ntop + UPGRADE_BIG && nnone == 0 &&
	    nrew <= (size_t)turned, "open upgrades it: %s", lg.line);
	if (rv != 0) {
		tap_diag("open: %s", strerror(-rv));
		return;
	}
	rv = store_meta_get_u64(s, "format", &format);
	tap_ok(rv == 0 && format == 4, "format 4 after the upgrade");

	/* big, plain then plus, in chunks: each name once, its ino, type */
	for (j = 0; j < 2; j++) {
		memset(seen, 0, UPGRADE_BIG);
		total = bad = 0;
		cookie = 0;
		do {
			rv = store_readdir(s, &cr_root, &big, cookie, verf,
			    ents, 100, (int)j, &n, &eof);
			if (rv != 0)
				break;
			for (i = 0; i < n; i++) {
				unsigned long k = strtoul(ents[i].name + 1,
				    NULL, 10);

				cookie = ents[i].cookie;
				total++;
				if (k >= UPGRADE_BIG || seen[k]++ ||
				    ents[i].ino != inos[k] ||
				    ents[i].type != STORE_TYPE_REG ||
				    (j == 1 && (ents[i].attr.ino != inos[k] ||
				    ents[i].attr.type != STORE_TYPE_REG ||
				    store_getattr(s, &ents[i].fh, &a) != 0 ||
				    a.ino != inos[k])))
					bad++;
			}
		} while (!eof);
		tap_ok(rv == 0 && total == UPGRADE_BIG && bad == 0,
		    "upgraded: readdir%s of big lists %zu entries with their "
		    "inos and types (%d wrong)", j ? "plus" : "", total, bad);
	}
	rv = store_readdir(s, &cr_root, &root, 0, verf, ents, 100, 1, &n,
	    &eof);
	bad = 0;
	for (i = 0; rv == 0 && i < n; i++) {
		for (j = 0; j < ntop; j++)
			if (strcmp(ents[i].name, top[j].name) == 0)
				break;
		if (j == ntop || top[j].seen++ || ents[i].ino != top[j].ino ||
		    ents[i].type != top[j].type ||
		    ents[i].attr.ino != top[j].ino ||
		    ents[i].attr.type != top[j].type ||
		    ents[i].namelen != strlen(top[j].name))
			bad++;
	}
	tap_ok(rv == 0 && eof && n == ntop && bad == 0,
	    "upgraded: readdirplus of the root: directories, symlink, fifo, "
	    "1- and 255-byte names right");
	store_close(s);
	lg.n = 0;
	rv = store_open(dir, &opt, &s);
	tap_ok(rv == 0 && lg.n == 0, "a format 4 store is not upgraded again");
	if (rv == 0)
		store_close(s);
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 0,
	    "fsck of the upgraded store: no faults");

	/* Format 2 (before caseless directories): the number moves. */
	TAP_EQ_INT(set_format(dir, 2), 0, "set format 2");
	lg.n = 0;
	rv = store_open(dir, &opt, &s);
	tap_ok(rv == 0 && lg.n == 1 && strstr(lg.line,
	    "store format 2 upgraded to 4") != NULL,
	    "a format 2 store is upgraded to 4 at open");
	if (rv == 0) {
		rv = store_meta_get_u64(s, "format", &format);
		tap_ok(rv == 0 && format == 4, "format 4 after it");
		rv = store_lookup(s, &cr_root, &big, N("f0042"), &fh, &a);
		tap_ok(rv == 0 && a.ino == inos[42],
		    "its entries are found as before");
		store_close(s);
	}
	lg.n = 0;
	rv = store_open(dir, &opt, &s);
	tap_ok(rv == 0 && lg.n == 0, "and not upgraded again");
	if (rv == 0)
		store_close(s);

	TAP_EQ_INT(set_format(dir, 5), 0, "set format 5");
	TAP_EQ_INT(store_open(dir, &opt, &s), -EPROTO,
	    "an unknown format is refused: EPROTO");
	rm_tree(dir);
	free(seen);
	free(inos);
	free(ents);
}

/*
 * Move directory dirino's entry from key okey to key nkey (raw bytes, as
 * format 3's folding made them); cname: its cookie record's name too.
 */
static int
dirent_rekey(struct store *s, uint64_t dirino, const char *okey,
    const char *nkey, const char *cname)
{
	uint8_t k[8 + STORE_NAME_MAX], v[17], cv[STORE_COOKIE_VAL_MAX];
	DBT key, data;
	int rv;

	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	store_put64(k, dirino);
	memcpy(k + 8, okey, strlen(okey));
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = (u_int32_t)(8 + strlen(okey));
	data.data = v;
	data.ulen = sizeof(v);
	data.flags = DB_DBT_USERMEM;
	if (s->dirents->get(s->dirents, s->txn, &key, &data, 0) != 0 ||
	    data.size != sizeof(v) ||
	    s->dirents->del(s->dirents, s->txn, &key, 0) != 0)
		rv = -EIO;
	memcpy(k + 8, nkey, strlen(nkey));
	key.size = (u_int32_t)(8 + strlen(nkey));
	data.flags = 0;
	if (rv == 0 && s->dirents->put(s->dirents, s->txn, &key, &data,
	    DB_NOOVERWRITE) != 0)
		rv = -EIO;
	if (rv == 0 && cname != NULL) {
		store_put64(k, dirino);
		memcpy(k + 8, v + 8, 8);
		key.size = 16;
		memset(&data, 0, sizeof(data));
		data.data = cv;
		data.size = (u_int32_t)store_cookie_encode(cv,
		    store_get64(v), (enum store_type)v[16], cname,
		    strlen(cname));
		if (s->cookies->put(s->cookies, s->txn, &key, &data, 0) != 0)
			rv = -EIO;
	}
	return store_txn_end(s, rv);
}

/*
 * Format 4: a caseless directory's keys folded by the table of every
 * BMP letter.  A format 3 store (its keys as its table folded them: the
 * full-width letters not at all) is keyed again at open; two names that
 * fold alike now (made apart under format 3) leave one renamed name~1.
 */
static void
test_upgrade_rekey(void)
{
	char dir[] = "/tmp/dittofs-test-rekey-XXXXXX";
	/* U+FF21, U+FF22 full-width A, B; U+FF38, U+FF58 X, x */
	const char *wab = "\xef\xbc\xa1\xef\xbc\xa2" "c";
	const char *wab_low = "\xef\xbd\x81\xef\xbd\x82" "c";
	const char *wx = "\xef\xbc\xb8", *wx_low = "\xef\xbd\x98";
	char renamed[16];
	struct store_options opt;
	struct upgrade_log lg;
	struct store_fh ci, fh;
	struct store_attr a, ca;
	struct store_dirent ents[8];
	struct store *s;
	uint64_t format, iab, ix, itmp;
	uint8_t verf[8];
	size_t n, i, seen = 0;
	int rv, eof;

	if (mkdtemp(dir) == NULL) {
		tap_ok(0, "rekey: setup");
		return;
	}
	memset(&opt, 0, sizeof(opt));
	memset(&lg, 0, sizeof(lg));
	opt.log = upgrade_log_keep;
	opt.log_arg = &lg;
	if ((rv = store_open(dir, &opt, &s)) != 0) {
		tap_ok(0, "rekey: new store: %s", strerror(-rv));
		return;
	}
	rv = store_share_open(s, "ci", 1, STORE_SHARE_CASELESS, NULL, &ci,
	    &ca);
	if (rv == 0)
		rv = store_create(s, &cr_root, &ci, N(wab), 0644,
		    STORE_CREATE_GUARDED, NULL, &fh, &a);
	iab = a.ino;
	if (rv == 0)
		rv = store_create(s, &cr_root, &ci, N(wx), 0644,
		    STORE_CREATE_GUARDED, NULL, &fh, &a);
	ix = a.ino;
	if (rv == 0)
		rv = store_create(s, &cr_root, &ci, N("tmp"), 0644,
		    STORE_CREATE_GUARDED, NULL, &fh, &a);
	itmp = a.ino;
	TAP_EQ_INT(rv, 0, "rekey: a caseless share with %s, %s and tmp",
	    wab, wx);
	TAP_EQ_INT(store_lookup(s, &cr_root, &ci, N(wab_low), &fh, &a), 0,
	    "full-width a, b find A, B");
	TAP_EQ_INT(store_create(s, &cr_root, &ci, N(wx_low), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh, &a), -EEXIST,
	    "full-width x is full-width X's name: EEXIST");
	/* What format 3 made: A, B and X as they are, "tmp" named x. */
	rv = dirent_rekey(s, ca.ino, wab_low, wab, NULL);
	if (rv == 0)
		rv = dirent_rekey(s, ca.ino, wx_low, wx, NULL);
	if (rv == 0)
		rv = dirent_rekey(s, ca.ino, "tmp", wx_low, wx_low);
	if (rv == 0)
		rv = store_txn_begin(s);
	if (rv == 0)
		rv = store_txn_end(s, store_meta_put_u64(s, "format", 3));
	TAP_EQ_INT(rv, 0, "made a format 3 store: keys %s, %s, %s", wab, wx,
	    wx_low);
	store_close(s);

	lg.n = 0;
	rv = store_open(dir, &opt, &s);
	tap_ok(rv == 0 && lg.n == 1 && strstr(lg.line, "store format 3 "
	    "upgraded to 4: 1 names of caseless directories keyed again by "
	    "the new folding, 1 renamed, 0 without") != NULL,
	    "a format 3 store is keyed again at open: %s", lg.line);
	if (rv != 0)
		return;
	rv = store_meta_get_u64(s, "format", &format);
	tap_ok(rv == 0 && format == 4, "format 4 after it");
	store_share_open(s, "ci", 0, 0, NULL, &ci, NULL);
	rv = store_lookup(s, &cr_root, &ci, N(wab_low), &fh, &a);
	tap_ok(rv == 0 && a.ino == iab, "full-width a, b find A, B again");
	rv = store_lookup(s, &cr_root, &ci, N(wx), &fh, &a);
	tap_ok(rv == 0 && a.ino == itmp,
	    "full-width X finds the entry named x");
	snprintf(renamed, sizeof(renamed), "%s~1", wx);
	rv = store_lookup(s, &cr_root, &ci, N(renamed), &fh, &a);
	tap_ok(rv == 0 && a.ino == ix, "the one named X is %s now", renamed);
	rv = store_readdir(s, &cr_root, &ci, 0, verf, ents, 8, 0, &n, &eof);
	for (i = 0; rv == 0 && i < n; i++)
		if ((ents[i].ino == iab && strcmp(ents[i].name, wab) == 0) ||
		    (ents[i].ino == itmp &&
		    strcmp(ents[i].name, wx_low) == 0) ||
		    (ents[i].ino == ix && strcmp(ents[i].name, renamed) == 0))
			seen++;
	tap_ok(rv == 0 && eof && seen == 3,
	    "readdir lists the three names as made (and the rename)");
	store_close(s);
	lg.n = 0;
	rv = store_open(dir, &opt, &s);
	tap_ok(rv == 0 && lg.n == 0, "a format 4 store is not keyed again");
	if (rv == 0)
		store_close(s);
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 0,
	    "fsck of the keyed store: no faults");
	rm_tree(dir);
}

/* An inode record as a store of record version 1 or 2 wrote it. */
static int
put_old_record(struct store *s, const struct store_inode *ip, int version)
{
	uint8_t k[8], rec[STORE_INODE_RECLEN];
	DBT key, data;
	int rv;

	store_inode_encode(ip, rec);
	rec[0] = (uint8_t)version;
	store_put64(k, ip->ino);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = sizeof(k);
	data.data = rec;
	data.size = version == 1 ? STORE_INODE_RECLEN_V1 :
	    STORE_INODE_RECLEN_V2;
	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if (s->inodes->put(s->inodes, s->txn, &key, &data, 0) != 0)
		rv = -EIO;
	return store_txn_end(s, rv);
}

static uint64_t
ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* The change attribute, birth time, DOS word and allocation size. */
static void
test_attrs(void)
{
	char dir[] = "/tmp/dittofs-test-attrs-XXXXXX";
	static char buf[65536];
	struct store_options opt;
	struct store_fh root, fh, g, h;
	struct store_attr a0, a1, r0, r1;
	struct store_sattr sa;
	struct store_inode ip;
	struct store *s;
	uint64_t c0;
	int fd, rv;

	memset(&opt, 0, sizeof(opt));
	opt.cache_bytes = 8u << 20;
	if (mkdtemp(dir) == NULL || store_open(dir, &opt, &s) != 0 ||
	    store_share_root(s, "a", 1, &root, NULL) != 0) {
		tap_ok(0, "attrs: setup");
		return;
	}
	rv = store_create(s, &cr_root, &root, N("f"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh, &a0);
	TAP_EQ_INT(rv, 0, "attrs: create f");
	tap_ok(a0.dos == STORE_DOS_ARCHIVE && a0.change >= ts_ns(&a0.ctime),
	    "attrs: a new file has ARCHIVE, change at least its ctime in ns "
	    "(dos %#x)", a0.dos);

	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_MODE;
	sa.mode = 0600;
	rv = store_setattr(s, &cr_root, &fh, &sa, &a1);
	tap_ok(rv == 0 && a1.change > a0.change,
	    "attrs: change strictly increases across a setattr");
	tap_ok(a1.btime.tv_sec == a0.btime.tv_sec &&
	    a1.btime.tv_nsec == a0.btime.tv_nsec && a1.mode == 0600,
	    "attrs: birth time stays after a chmod");

	rv = store_getattr(s, &root, &r0);
	if (rv == 0)
		rv = store_create(s, &cr_root, &root, N("g"), 0644,
		    STORE_CREATE_GUARDED, NULL, &g, NULL);
	if (rv == 0)
		rv = store_getattr(s, &root, &r1);
	tap_ok(rv == 0 && r1.change > r0.change,
	    "attrs: a create in a directory moves the directory's change");

	sa.mask = STORE_SATTR_DOS;
	sa.dos = STORE_DOS_HIDDEN | STORE_DOS_SYSTEM;
	rv = store_setattr(s, &cr_root, &fh, &sa, &a0);
	if (rv == 0)
		rv = store_getattr(s, &fh, &a0);
	tap_ok(rv == 0 && a0.dos == (STORE_DOS_HIDDEN | STORE_DOS_SYSTEM) &&
	    a0.change > a1.change,
	    "attrs: DOS word set (archive cleared) and read back, change moved");
	TAP_EQ_INT(store_setattr(s, &cr_bob, &fh, &sa, NULL), -EPERM,
	    "attrs: DOS word set by a non-owner: EPERM");
	sa.dos = 0x10;		/* FILE_ATTRIBUTE_DIRECTORY: not settable */
	TAP_EQ_INT(store_setattr(s, &cr_root, &fh, &sa, NULL), -EINVAL,
	    "attrs: DOS word with a bit not settable: EINVAL");

	rv = store_getattr(s, &g, &a1);
	tap_ok(rv == 0 && (a1.flags & STORE_ATTR_UNBACKED) && a1.used == 0,
	    "attrs: an unbacked file allocates nothing");
	/* SMB's rule: ARCHIVE when data is written, not at the open. */
	fd = -1;
	rv = store_open_io(s, &cr_root, &fh, STORE_IO_WRITE |
	    STORE_IO_ARCHIVE_LATER, &fd, &a1);
	if (fd >= 0)
		(void)close(fd);
	tap_ok(rv == 0 && a1.dos == (STORE_DOS_HIDDEN | STORE_DOS_SYSTEM),
	    "attrs: an open for writing with STORE_IO_ARCHIVE_LATER leaves "
	    "ARCHIVE clear");
	sa.mask = STORE_SATTR_ARCHIVE;
	TAP_EQ_INT(store_setattr(s, &cr_bob, &fh, &sa, NULL), -EACCES,
	    "attrs: STORE_SATTR_ARCHIVE by one who may not write: EACCES");
	rv = store_setattr(s, &cr_root, &fh, &sa, NULL);
	if (rv == 0)
		rv = store_getattr(s, &fh, &a1);
	tap_ok(rv == 0 && a1.dos == (STORE_DOS_HIDDEN | STORE_DOS_SYSTEM |
	    STORE_DOS_ARCHIVE) && a1.change > a0.change,
	    "attrs: STORE_SATTR_ARCHIVE sets ARCHIVE alone and moves change");
	sa.mask = STORE_SATTR_DOS;
	sa.dos = STORE_DOS_HIDDEN | STORE_DOS_SYSTEM;
	rv = store_setattr(s, &cr_root, &fh, &sa, NULL);
	if (rv == 0)
		rv = store_getattr(s, &fh, &a0);
	tap_ok(rv == 0 && a0.dos == (STORE_DOS_HIDDEN | STORE_DOS_SYSTEM),
	    "attrs: DOS word set again (archive cleared)");
	fd = -1;
	rv = store_open_io(s, &cr_root, &fh, STORE_IO_WRITE, &fd, &a1);
	tap_ok(rv == 0 && (a1.dos & STORE_DOS_ARCHIVE) &&
	    (a1.dos & STORE_DOS_HIDDEN) && a1.change > a0.change,
	    "attrs: an open for writing sets ARCHIVE again and moves change");
	memset(buf, 'x', sizeof(buf));
	if (fd >= 0 && pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf))
		rv = -EIO;
	if (fd >= 0)
		(void)close(fd);
	if (rv == 0)
		rv = store_getattr(s, &fh, &a0);
	tap_ok(rv == 0 && a0.size == sizeof(buf) && a0.used > 0,
	    "attrs: allocation size of a written file > 0 (%llu)",
	    (unsigned long long)a0.used);
	c0 = a0.change;
	rv = store_commit(s, &fh);
	if (rv == 0)
		rv = store_sync(s);
	if (rv == 0)
		rv = store_getattr(s, &fh, &a0);
	tap_ok(rv == 0 && a0.change > c0,
	    "attrs: COMMIT after a write moves change");

	s = reopen(s, dir, &opt);
	rv = store_getattr(s, &fh, &a1);
	tap_ok(rv == 0 && a1.change == a0.change &&
	    a1.dos == a0.dos && a1.btime.tv_sec == a0.btime.tv_sec &&
	    a1.btime.tv_nsec == a0.btime.tv_nsec,
	    "attrs: change, DOS word and birth survive a reopen");
	sa.mask = STORE_SATTR_MODE;
	sa.mode = 0644;
	rv = store_setattr(s, &cr_root, &fh, &sa, &a0);
	tap_ok(rv == 0 && a0.change > a1.change,
	    "attrs: and change still moves up after it");

	/* Birth and change times as SMB sets them, on a backed file. */
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_BTIME | STORE_SATTR_CTIME | STORE_SATTR_MTIME;
	sa.btime.tv_sec = 1000000000;
	sa.btime.tv_nsec = 100;
	sa.ctime.tv_sec = 1100000000;
	sa.ctime.tv_nsec = 200;
	sa.mtime.tv_sec = 1050000000;
	TAP_EQ_INT(store_setattr(s, &cr_bob, &fh, &sa, NULL), -EPERM,
	    "attrs: birth and change times set by a non-owner: EPERM");
	rv = store_setattr(s, &cr_root, &fh, &sa, NULL);
	if (rv == 0)
		rv = store_getattr(s, &fh, &a1);
	tap_ok(rv == 0 && ts_eq(&a1.btime, &sa.btime) &&
	    ts_eq(&a1.ctime, &sa.ctime) && ts_eq(&a1.mtime, &sa.mtime) &&
	    a1.change > a0.change,
	    "attrs: birth, change and write times set on a backed file read "
	    "back (ctime %lld), change moved", (long long)a1.ctime.tv_sec);
	s = reopen(s, dir, &opt);
	rv = store_getattr(s, &fh, &a0);
	tap_ok(rv == 0 && ts_eq(&a0.btime, &sa.btime) &&
	    ts_eq(&a0.ctime, &sa.ctime),
	    "attrs: the birth and change times set survive a reopen");
	fd = -1;
	rv = store_open_io(s, &cr_root, &fh, STORE_IO_WRITE, &fd, NULL);
	if (fd >= 0 && pwrite(fd, "y", 1, 0) != 1)
		rv = -EIO;
	if (fd >= 0)
		(void)close(fd);
	if (rv == 0)
		rv = store_getattr(s, &fh, &a1);
	tap_ok(rv == 0 && ts_ns(&a1.ctime) > ts_ns(&sa.ctime) &&
	    ts_eq(&a1.btime, &sa.btime),
	    "attrs: a write after it moves ctime past the one set, not birth");
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_CTIME;
	sa.ctime.tv_sec = 1200000000;
	rv = store_setattr(s, &cr_root, &g, &sa, NULL);
	if (rv == 0)
		rv = store_getattr(s, &g, &a0);
	tap_ok(rv == 0 && ts_eq(&a0.ctime, &sa.ctime) &&
	    (a0.flags & STORE_ATTR_UNBACKED),
	    "attrs: a change time set on an unbacked file reads back");

	/* A record of version 1, with a small counter as change. */
	rv = store_create(s, &cr_root, &root, N("h"), 0644,
	    STORE_CREATE_GUARDED, NULL, &h, &a0);
	if (rv == 0)
		rv = store_inode_get(s, a0.ino, &ip);
	if (rv == 0) {
		ip.change = 5;
		ip.dos = STORE_DOS_HIDDEN;
		ip.btime.tv_sec = 0;
		ip.btime.tv_nsec = 0;
		rv = put_old_record(s, &ip, 1);
	}
	if (rv == 0)
		rv = store_getattr(s, &h, &a1);
	tap_ok(rv == 0 && a1.change == ts_ns(&a1.ctime) && a1.dos == 0 &&
	    a1.btime.tv_sec == a1.ctime.tv_sec &&
	    a1.btime.tv_nsec == a1.ctime.tv_nsec,
	    "attrs: a version 1 record reads with change its ctime in ns, "
	    "DOS 0, birth its ctime");
	sa.mask = STORE_SATTR_MODE;
	sa.mode = 0600;
	rv = store_setattr(s, &cr_root, &h, &sa, &a0);
	tap_ok(rv == 0 && a0.change > a1.change,
	    "attrs: setattr of it moves change up from there");
	rv = store_create(s, &cr_root, &root, N("h1"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh, &a0);
	if (rv == 0)
		rv = store_inode_get(s, a0.ino, &ip);
	if (rv == 0)
		rv = put_old_record(s, &ip, 1);
	TAP_EQ_INT(rv, 0, "attrs: another version 1 record left for fsck");
	rv = store_create(s, &cr_root, &root, N("h2"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh, &a0);
	if (rv == 0)
		rv = store_inode_get(s, a0.ino, &ip);
	if (rv == 0) {
		ip.dos = STORE_DOS_HIDDEN;
		ip.ctime_floor = 77;
		rv = put_old_record(s, &ip, 2);
	}
	if (rv == 0)
		rv = store_inode_get(s, a0.ino, &ip);
	tap_ok(rv == 0 && ip.dos == STORE_DOS_HIDDEN && ip.ctime_floor == 0,
	    "attrs: a version 2 record reads with its DOS word, no ctime "
	    "floor");
	store_close(s);
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 0,
	    "attrs: fsck accepts records of all three versions");
	rm_tree(dir);
}

int
main(void)
{
	static const uint32_t carol_groups[] = { 50, 1000 };
	struct store_options opt;
	struct store *s, *s2;
	struct store_fh root, other, fh, root2;
	struct store_attr a;
	struct notes nt;
	char dir[] = "/tmp/dittofs-test-store-XXXXXX";
	int rv;

	cred_set(&cr_root, 0, 0, 0, NULL);
	cred_set(&cr_alice, 1000, 1000, 0, NULL);
	cred_set(&cr_bob, 1001, 1001, 0, NULL);
	cred_set(&cr_carol, 1002, 1002, 2, carol_groups);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	memset(&nt, 0, sizeof(nt));
	memset(&opt, 0, sizeof(opt));
	opt.cache_bytes = 8u << 20;
	opt.notify = on_notify;
	opt.notify_arg = &nt;
	rv = store_open(dir, &opt, &s);
	if (!tap_ok(rv == 0, "store_open new store")) {
		tap_diag("%s", strerror(-rv));
		return tap_done();
	}
	TAP_EQ_INT(store_open(dir, &opt, &s2), -EBUSY,
	    "a second open of the same store: EBUSY");
	TAP_EQ_INT(store_share_root(s, "nope", 0, &root, NULL), -ENOENT,
	    "missing share without create: ENOENT");
	TAP_EQ_INT(store_share_root(s, "main", 1, &root, NULL), 0,
	    "create share main");
	TAP_EQ_INT(store_share_root(s, "other", 1, &other, &a), 0,
	    "create share other");
	TAP_EQ_INT(store_share_root(s, "main", 1, &fh, NULL), 0,
	    "share_root of an existing share");
	tap_ok(fh_eq(&fh, &root), "same root handle");

	test_basic(s, &root);
	test_perms(s, &root);
	test_links(s, &root, &other);
	TAP_EQ_INT(store_sync(s), 0, "store_sync");
	test_readdir(s, &root, dir, &opt, &s);
	test_io(s, &root);
	test_xattr(s, &root);
	test_acl_dirs(s, &root);
	test_acl_inherit_nomode(s, &root);
	test_acl_sidowner(s, &root);
	test_bypass_traverse(s, &root);
	test_readdir_readable(s, &root);
	test_notify(s, &nt, &root);
	test_dir_parent(s, &root);
	test_file_parent(s, &root);
	test_lookup_ino(s, &root);
	test_unbacked(s, &root, dir);
	test_make_atomic(s, &nt, &root);
	test_kill_privs(s, &nt, &root);
	test_io_rule(s, &root);

	s = reopen(s, dir, &opt);
	rv = store_share_root(s, "main", 0, &root2, NULL);
	tap_ok(rv == 0 && fh_eq(&root, &root2),
	    "root handle stable across reopen");
	rv = store_lookup(s, &cr_root, &root, N("io"), &fh, &a);
	tap_ok(rv == 0 && a.size == 4107, "data survives reopen");
	store_close(s);
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 0, "fsck after all tests: "
	    "no faults");
	rm_tree(dir);
	test_spares();
	test_trim();
	test_upgrade();
	test_upgrade_rekey();
	test_acl_fsck();
	test_attrs();
	test_trim_held();
	test_log_files();
	return tap_done();
}
