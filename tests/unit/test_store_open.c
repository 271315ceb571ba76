/*
 * tests/unit/test_store_open.c: store_open_name, each disposition, the
 * fd it hands out and the access it checks; named streams and the one
 * listing of named attributes; case-insensitive shares
 * (every operation that finds a name, the case a name keeps, fsck;
 * common/casefold.c's folding is test_casefold.c's).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockd/store.h"
#include "tap.h"

#define N(s)	(s), strlen(s)

static struct store_cred cr_root, cr_alice, cr_bob;

static void
cred_set(struct store_cred *c, uint32_t uid, uint32_t gid)
{
	memset(c, 0, sizeof(*c));
	c->uid = uid;
	c->gid = gid;
}

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

/* One open_name with the usual arguments; *fd closed by the caller. */
static int
op(struct store *s, const struct store_cred *c, const struct store_fh *dir,
    const char *name, enum store_disposition disp, uint32_t mode, int io,
    struct store_fh *fh, struct store_attr *a, enum store_opened *what,
    int *fd)
{
	struct store_open o;

	memset(&o, 0, sizeof(o));
	o.disp = disp;
	o.mode = mode;
	o.access = io;
	o.io = io;
	return store_open_name(s, c, dir, name, strlen(name), &o, fh, a,
	    what, fd);
}

static int
write_all(int fd, const char *data)
{
	return pwrite(fd, data, strlen(data), 0) == (ssize_t)strlen(data);
}

/* The file's first bytes are data. */
static int
reads(int fd, const char *data)
{
	char buf[64];
	ssize_t n;

	n = pread(fd, buf, sizeof(buf), 0);
	return n == (ssize_t)strlen(data) && memcmp(buf, data, n) == 0;
}

/* Is name among dir's entries, spelt exactly so? */
static int
listed(struct store *s, const struct store_fh *dir, const char *name)
{
	struct store_dirent ents[32];
	size_t n, i;
	int eof;

	if (store_readdir(s, &cr_root, dir, 0, NULL, ents, 32, 0, &n,
	    &eof) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(ents[i].name, name) == 0)
			return 1;
	return 0;
}

static void
test_dispositions(struct store *s, const struct store_fh *root)
{
	struct store_fh d, fh, fh2;
	struct store_attr a, a2;
	enum store_opened what;
	int fd, rv;

	rv = store_mkdir(s, &cr_root, root, N("d"), 0777, &d, NULL);
	TAP_EQ_INT(rv, 0, "mkdir d 0777");

	/* OPEN */
	TAP_EQ_INT(op(s, &cr_alice, &d, "f", STORE_DISP_OPEN, 0644, 0, &fh,
	    &a, &what, NULL), -ENOENT, "OPEN of a missing name: ENOENT");
	TAP_EQ_INT(store_lookup(s, &cr_root, &d, N("f"), NULL, NULL), -ENOENT,
	    "and nothing was made");

	/* CREATE */
	rv = op(s, &cr_alice, &d, "f", STORE_DISP_CREATE, 0640,
	    STORE_IO_READ | STORE_IO_WRITE, &fh, &a, &what, &fd);
	tap_ok(rv == 0 && what == STORE_OPENED_CREATED && fd >= 0 &&
	    a.type == STORE_TYPE_REG && a.mode == 0640 && a.uid == 1000 &&
	    a.size == 0, "CREATE of a new name: created, mode 0640, an fd");
	tap_ok(fd >= 0 && write_all(fd, "hello"), "the fd writes");
	if (fd >= 0)
		close(fd);
	rv = store_getattr(s, &fh, &a);
	tap_ok(rv == 0 && a.size == 5 && !(a.flags & STORE_ATTR_UNBACKED),
	    "getattr sees the 5 bytes written through it");
	rv = store_lookup(s, &cr_alice, &d, N("f"), &fh2, NULL);
	tap_ok(rv == 0 && fh_eq(&fh, &fh2), "lookup finds it");
	TAP_EQ_INT(op(s, &cr_alice, &d, "f", STORE_DISP_CREATE, 0644, 0, &fh2,
	    NULL, &what, NULL), -EEXIST, "CREATE of an existing name: EEXIST");

	/* OPEN of what exists */
	rv = op(s, &cr_alice, &d, "f", STORE_DISP_OPEN, 0, STORE_IO_READ,
	    &fh2, &a, &what, &fd);
	tap_ok(rv == 0 && what == STORE_OPENED && fh_eq(&fh, &fh2) &&
	    a.size == 5, "OPEN of an existing file: opened, same handle");
	tap_ok(fd >= 0 && reads(fd, "hello"), "its fd reads the data");
	if (fd >= 0)
		close(fd);
	rv = op(s, &cr_alice, &d, "f", STORE_DISP_OPEN, 0, 0, &fh2, &a, &what,
	    NULL);
	tap_ok(rv == 0 && what == STORE_OPENED, "OPEN without an fd");

	/* OPEN_IF */
	rv = op(s, &cr_alice, &d, "f", STORE_DISP_OPEN_IF, 0600, 0, &fh2, &a,
	    &what, NULL);
	tap_ok(rv == 0 && what == STORE_OPENED && fh_eq(&fh, &fh2) &&
	    a.mode == 0640 && a.size == 5,
	    "OPEN_IF of an existing file: opened, its mode and data kept");
	rv = op(s, &cr_alice, &d, "g", STORE_DISP_OPEN_IF, 0600, 0, &fh2, &a,
	    &what, NULL);
	tap_ok(rv == 0 && what == STORE_OPENED_CREATED && a.mode == 0600,
	    "OPEN_IF of a missing name: created");

	/* EXCLUSIVE */
	{
		struct store_open o;
		uint8_t v1[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
		uint8_t v2[8] = { 2 };
		struct store_fh efh;

		memset(&o, 0, sizeof(o));
		o.disp = STORE_DISP_EXCLUSIVE;
		o.mode = 0644;
		TAP_EQ_INT(store_open_name(s, &cr_alice, &d, N("x"), &o, &efh,
		    NULL, &what, NULL), -EINVAL,
		    "EXCLUSIVE without a verifier: EINVAL");
		o.verf = v1;
		rv = store_open_name(s, &cr_alice, &d, N("x"), &o, &efh, &a,
		    &what, NULL);
		tap_ok(rv == 0 && what == STORE_OPENED_CREATED,
		    "EXCLUSIVE: created");
		rv = store_open_name(s, &cr_alice, &d, N("x"), &o, &fh2, &a2,
		    &what, NULL);
		tap_ok(rv == 0 && what == STORE_OPENED_CREATED &&
		    fh_eq(&efh, &fh2) && a2.ino == a.ino,
		    "EXCLUSIVE retried with the same verifier: the same file, "
		    "created again");
		o.verf = v2;
		TAP_EQ_INT(store_open_name(s, &cr_alice, &d, N("x"), &o, &fh2,
		    NULL, &what, NULL), -EEXIST,
		    "EXCLUSIVE with another verifier: EEXIST");
		TAP_EQ_INT(store_open_name(s, &cr_alice, &d, N("f"), &o, &fh2,
		    NULL, &what, NULL), -EEXIST,
		    "EXCLUSIVE over a file made otherwise: EEXIST");
		TAP_EQ_INT(store_open_name(s, &cr_alice, root, N("d"), &o,
		    &fh2, NULL, &what, NULL), -EEXIST,
		    "EXCLUSIVE over a directory: EEXIST");
	}

	/* OVERWRITE, OVERWRITE_IF */
	TAP_EQ_INT(op(s, &cr_alice, &d, "o", STORE_DISP_OVERWRITE, 0644, 0,
	    &fh2, NULL, &what, NULL), -ENOENT,
	    "OVERWRITE of a missing name: ENOENT");
	rv = op(s, &cr_alice, &d, "f", STORE_DISP_OVERWRITE, 0600,
	    STORE_IO_WRITE, &fh2, &a, &what, &fd);
	tap_ok(rv == 0 && what == STORE_OPENED_OVERWRITTEN &&
	    fh_eq(&fh, &fh2) && a.size == 0 && a.mode == 0640,
	    "OVERWRITE: the same file truncated to 0, its mode kept");
	tap_ok(fd >= 0 && write_all(fd, "again"), "and its fd writes");
	if (fd >= 0)
		close(fd);
	rv = op(s, &cr_alice, &d, "o", STORE_DISP_OVERWRITE_IF, 0644, 0,
	    &fh2, &a, &what, NULL);
	tap_ok(rv == 0 && what == STORE_OPENED_CREATED,
	    "OVERWRITE_IF of a missing name: created");
	rv = op(s, &cr_alice, &d, "f", STORE_DISP_OVERWRITE_IF, 0644, 0,
	    &fh2, &a, &what, NULL);
	tap_ok(rv == 0 && what == STORE_OPENED_OVERWRITTEN && a.size == 0,
	    "OVERWRITE_IF of an existing file: overwritten");
	TAP_EQ_INT(op(s, &cr_bob, &d, "o", STORE_DISP_OVERWRITE, 0644, 0,
	    &fh2, NULL, &what, NULL), -EACCES,
	    "OVERWRITE of another's 0644 file: EACCES");

	/* Types */
	TAP_EQ_INT(op(s, &cr_alice, root, "d", STORE_DISP_OPEN, 0, 0, &fh2,
	    NULL, &what, NULL), -EISDIR, "OPEN of a directory: EISDIR");
	TAP_EQ_INT(op(s, &cr_alice, root, "d", STORE_DISP_OPEN_IF, 0644, 0,
	    &fh2, NULL, &what, NULL), -EISDIR,
	    "OPEN_IF of a directory: EISDIR");
	TAP_EQ_INT(op(s, &cr_alice, root, "d", STORE_DISP_CREATE, 0644, 0,
	    &fh2, NULL, &what, NULL), -EEXIST, "CREATE of a directory: EEXIST");
	TAP_EQ_INT(store_symlink(s, &cr_alice, &d, N("l"), N("f"), NULL,
	    NULL), 0, "symlink l");
	TAP_EQ_INT(op(s, &cr_alice, &d, "l", STORE_DISP_OPEN, 0, 0, &fh2,
	    NULL, &what, NULL), -EINVAL, "OPEN of a symlink: EINVAL");
	TAP_EQ_INT(op(s, &cr_alice, &d, "l", STORE_DISP_SUPERSEDE, 0644, 0,
	    &fh2, NULL, &what, NULL), -EINVAL,
	    "SUPERSEDE of a symlink: EINVAL, it stays");
	TAP_EQ_INT(store_create(s, &cr_alice, &d, N("l"), 0644,
	    STORE_CREATE_UNCHECKED, NULL, &fh2, NULL), -EEXIST,
	    "an NFSv3 UNCHECKED create over it: EEXIST as before");

	/* Arguments */
	TAP_EQ_INT(op(s, &cr_alice, &d, "f", 0, 0, 0, &fh2, NULL, &what,
	    NULL), -EINVAL, "disposition 0: EINVAL");
	TAP_EQ_INT(op(s, &cr_alice, &d, "f", STORE_DISP_SUPERSEDE + 1, 0, 0,
	    &fh2, NULL, &what, NULL), -EINVAL, "disposition 8: EINVAL");
	TAP_EQ_INT(op(s, &cr_alice, &d, "f", STORE_DISP_OPEN, 0,
	    STORE_IO_OWNER_OVERRIDE, &fh2, NULL, &what, &fd), -EINVAL,
	    "an fd neither read nor write: EINVAL");
	TAP_EQ_INT(op(s, &cr_alice, &d, "f", STORE_DISP_OPEN, 0,
	    STORE_IO_READ, &fh2, NULL, &what, NULL), -EINVAL,
	    "an fd asked without a place for it: EINVAL");
	TAP_EQ_INT(op(s, &cr_alice, &d, "a/b", STORE_DISP_OPEN_IF, 0644, 0,
	    &fh2, NULL, &what, NULL), -EINVAL, "a name with '/': EINVAL");
}

static void
test_access(struct store *s, const struct store_fh *root)
{
	struct store_fh d, fh, fh2;
	struct store_attr a;
	struct store_sattr sa;
	struct store_open o;
	enum store_opened what;
	int fd, rv;

	TAP_EQ_INT(store_lookup(s, &cr_root, root, N("d"), &d, NULL), 0,
	    "access: d");
	/* The creator opens for writing whatever mode it asked. */
	rv = op(s, &cr_alice, &d, "ro", STORE_DISP_CREATE, 0444,
	    STORE_IO_READ | STORE_IO_WRITE, &fh, &a, &what, &fd);
	tap_ok(rv == 0 && fd >= 0 && a.mode == 0444,
	    "CREATE 0444 opened read-write by its creator, as open(2) does");
	tap_ok(fd >= 0 && write_all(fd, "ro data"), "and writes it");
	if (fd >= 0)
		close(fd);
	/* Once made, the mode rules. */
	TAP_EQ_INT(op(s, &cr_alice, &d, "ro", STORE_DISP_OPEN, 0,
	    STORE_IO_WRITE, &fh2, NULL, &what, &fd), -EACCES,
	    "OPEN of it for writing later: EACCES");
	TAP_EQ_INT(op(s, &cr_alice, &d, "ro", STORE_DISP_OPEN_IF, 0644,
	    STORE_IO_WRITE, &fh2, NULL, &what, &fd), -EACCES,
	    "OPEN_IF of it for writing: EACCES");
	rv = op(s, &cr_bob, &d, "ro", STORE_DISP_OPEN, 0, STORE_IO_READ,
	    &fh2, NULL, &what, &fd);
	tap_ok(rv == 0 && fd >= 0 && reads(fd, "ro data"),
	    "OPEN for reading by another user of a 0444 file");
	if (fd >= 0)
		close(fd);
	memset(&o, 0, sizeof(o));
	o.disp = STORE_DISP_OPEN;
	o.access = STORE_IO_WRITE | STORE_IO_OWNER_OVERRIDE;
	TAP_EQ_INT(store_open_name(s, &cr_alice, &d, N("ro"), &o, &fh2, NULL,
	    &what, NULL), 0, "the owner's override: allowed, as open_io's");
	TAP_EQ_INT(op(s, &cr_bob, &d, "ro", STORE_DISP_OVERWRITE, 0644, 0,
	    &fh2, NULL, &what, NULL), -EACCES,
	    "OVERWRITE without write permission: EACCES");
	rv = store_getattr(s, &fh, &a);
	tap_ok(rv == 0 && a.size == 7, "and the data is all there");

	/* A write-open kills set-uid bits, as open_io's does. */
	rv = op(s, &cr_alice, &d, "suid", STORE_DISP_CREATE, 04755, 0, &fh,
	    &a, &what, NULL);
	tap_ok(rv == 0 && a.mode == 04755, "a set-uid file of alice's");
	rv = op(s, &cr_alice, &d, "suid", STORE_DISP_OPEN, 0, STORE_IO_WRITE,
	    &fh2, &a, &what, &fd);
	tap_ok(rv == 0 && a.mode == 0755, "OPEN for writing drops set-uid "
	    "(mode %o)", a.mode);
	if (fd >= 0)
		close(fd);
	/* SMB's write-open: ARCHIVE waits for data (ARCHIVE_LATER). */
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_DOS;
	TAP_EQ_INT(store_setattr(s, &cr_alice, &fh, &sa, NULL), 0,
	    "its DOS word cleared");
	memset(&o, 0, sizeof(o));
	o.disp = STORE_DISP_OPEN;
	o.access = STORE_IO_WRITE;
	o.io = STORE_IO_WRITE | STORE_IO_ARCHIVE_LATER;
	rv = store_open_name(s, &cr_alice, &d, N("suid"), &o, &fh2, &a,
	    &what, &fd);
	tap_ok(rv == 0 && fd >= 0 && a.dos == 0, "OPEN for writing with "
	    "STORE_IO_ARCHIVE_LATER leaves ARCHIVE clear (dos %#x)", a.dos);
	o.access = STORE_IO_WRITE | STORE_IO_ARCHIVE_LATER;
	TAP_EQ_INT(store_open_name(s, &cr_alice, &d, N("suid"), &o, &fh2,
	    &a, &what, &fd), -EINVAL, "STORE_IO_ARCHIVE_LATER in access: "
	    "EINVAL (an fd's flag)");
	if (fd >= 0)
		close(fd);
	rv = op(s, &cr_alice, &d, "suid", STORE_DISP_OPEN, 0, STORE_IO_WRITE,
	    &fh2, &a, &what, &fd);
	tap_ok(rv == 0 && a.dos == STORE_DOS_ARCHIVE, "OPEN for writing "
	    "without it sets ARCHIVE (dos %#x)", a.dos);
	if (fd >= 0)
		close(fd);

	/* All or nothing: a refused attribute makes nothing, no fd. */
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_UID;
	sa.uid = 1001;
	memset(&o, 0, sizeof(o));
	o.disp = STORE_DISP_OPEN_IF;
	o.mode = 0644;
	o.sattr = &sa;
	o.access = o.io = STORE_IO_WRITE;
	fd = 7777;
	TAP_EQ_INT(store_open_name(s, &cr_alice, &d, N("half"), &o, &fh2,
	    NULL, &what, &fd), -EPERM,
	    "OPEN_IF creating a file for bob as alice: EPERM");
	tap_ok(fd == -1, "no fd");
	TAP_EQ_INT(store_lookup(s, &cr_root, &d, N("half"), NULL, NULL),
	    -ENOENT, "and no file");
	/* sattr asked applies to what is made. */
	sa.mask = STORE_SATTR_SIZE | STORE_SATTR_DOS;
	sa.size = 100;
	sa.dos = STORE_DOS_HIDDEN;
	rv = store_open_name(s, &cr_alice, &d, N("sized"), &o, &fh2, &a,
	    &what, &fd);
	tap_ok(rv == 0 && fd >= 0 && a.size == 100 &&
	    a.dos == (STORE_DOS_HIDDEN | STORE_DOS_ARCHIVE),
	    "OPEN_IF creating with a size and a DOS word: both set, and "
	    "ARCHIVE as any file made (size %llu, dos %#x)",
	    (unsigned long long)a.size, a.dos);
	if (fd >= 0)
		close(fd);
	/*
	 * Durability: an open that only gives a file its backing file needs
	 * no flush (store.c rule 2); one that also changed an attribute
	 * does.
	 */
	TAP_EQ_INT(op(s, &cr_alice, &d, "lazy", STORE_DISP_CREATE, 0644, 0,
	    &fh2, NULL, &what, NULL), 0, "an unbacked file");
	TAP_EQ_INT(op(s, &cr_alice, &d, "lazy2", STORE_DISP_CREATE, 0644, 0,
	    &fh2, NULL, &what, NULL), 0, "and another");
	TAP_EQ_INT(store_sync(s), 0, "sync");
	rv = op(s, &cr_alice, &d, "lazy", STORE_DISP_OPEN, 0, STORE_IO_READ,
	    &fh2, NULL, &what, &fd);
	tap_ok(rv == 0 && fd >= 0 && !store_needs_sync(s),
	    "OPEN with an fd of an unbacked file: nothing to flush");
	if (fd >= 0)
		close(fd);
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_DOS;
	sa.dos = STORE_DOS_READONLY;
	memset(&o, 0, sizeof(o));
	o.disp = STORE_DISP_OPEN_IF;
	o.sattr = &sa;
	o.access = o.io = STORE_IO_READ;
	rv = store_open_name(s, &cr_alice, &d, N("lazy2"), &o, &fh2, &a,
	    &what, &fd);
	tap_ok(rv == 0 && fd >= 0 && a.dos == STORE_DOS_READONLY &&
	    store_needs_sync(s), "OPEN_IF with an fd that sets a DOS word: "
	    "to be flushed before the reply");
	if (fd >= 0)
		close(fd);
	/* STORE_OPEN_SATTR_NEW: SMB's FILE_OPEN_IF, a new file's alone. */
	sa.dos = STORE_DOS_HIDDEN;
	o.flags = STORE_OPEN_SATTR_NEW;
	rv = store_open_name(s, &cr_alice, &d, N("lazy2"), &o, &fh2, &a,
	    &what, &fd);
	tap_ok(rv == 0 && what == STORE_OPENED &&
	    a.dos == STORE_DOS_READONLY, "OPEN_IF with STORE_OPEN_SATTR_NEW "
	    "of a file there: its DOS word left (%#x)", a.dos);
	if (fd >= 0)
		close(fd);
	sa.dos = STORE_DOS_READONLY;
	rv = store_open_name(s, &cr_alice, &d, N("ronew"), &o, &fh2, &a,
	    &what, &fd);
	tap_ok(rv == 0 && what == STORE_OPENED_CREATED &&
	    a.dos == (STORE_DOS_READONLY | STORE_DOS_ARCHIVE),
	    "OPEN_IF with STORE_OPEN_SATTR_NEW making a file: the word set "
	    "(%#x)", a.dos);
	if (fd >= 0)
		close(fd);
	o.flags = 0x80;
	TAP_EQ_INT(store_open_name(s, &cr_alice, &d, N("ronew"), &o, &fh2,
	    &a, &what, &fd), -EINVAL, "an unknown open flag: EINVAL");
	o.flags = 0;
	o.access = o.io = STORE_IO_WRITE;

	/* SMB's FileAttributes on an overwrite. */
	sa.mask = STORE_SATTR_DOS;
	sa.dos = STORE_DOS_SYSTEM;
	o.disp = STORE_DISP_OVERWRITE;
	o.io = 0;
	rv = store_open_name(s, &cr_alice, &d, N("sized"), &o, &fh2, &a,
	    &what, NULL);
	tap_ok(rv == 0 && what == STORE_OPENED_OVERWRITTEN && a.size == 0 &&
	    (a.dos & STORE_DOS_SYSTEM) && !(a.dos & STORE_DOS_HIDDEN),
	    "OVERWRITE with a DOS word: truncated, the word set (%#x)", a.dos);
}

/* A stream of fh opened with disp, READ|WRITE: its size, or -1. */
static int64_t
stream_size(struct store *s, const struct store_fh *fh, const char *name,
    enum store_disposition disp)
{
	struct store_open o;
	enum store_opened what;
	uint64_t size;
	int fd;

	memset(&o, 0, sizeof(o));
	o.disp = disp;
	o.access = o.io = STORE_IO_READ | STORE_IO_WRITE;
	if (store_stream_open(s, &cr_alice, fh, name, strlen(name), &o,
	    &what, &fd, &size, NULL) != 0)
		return -1;
	close(fd);
	return (int64_t)size;
}

/* MS-FSA 2.1.5.1.2: SUPERSEDE empties the file in place. */
static void
test_supersede(struct store *s, const struct store_fh *root)
{
	struct store_fh d, fh, fh2, lfh;
	struct store_attr a, a2;
	struct store_sattr sa;
	struct store_open o;
	enum store_opened what;
	size_t len;
	int fd, fd2, rv;

	TAP_EQ_INT(store_lookup(s, &cr_root, root, N("d"), &d, NULL), 0,
	    "supersede: d");
	rv = op(s, &cr_alice, &d, "s", STORE_DISP_CREATE, 0644,
	    STORE_IO_READ | STORE_IO_WRITE, &fh, &a, &what, &fd);
	tap_ok(rv == 0 && fd >= 0 && write_all(fd, "old data"),
	    "a file with data, an fd open on it");
	TAP_EQ_INT(store_xattr_set(s, &cr_alice, &fh, N("user.k"), "v", 1, 0),
	    0, "an xattr on it");
	tap_ok(stream_size(s, &fh, "ads", STORE_DISP_CREATE) == 0,
	    "a stream of it");
	TAP_EQ_INT(store_link(s, &cr_alice, &fh, &d, N("s.link"), NULL), 0,
	    "a second link to it");
	memset(&sa, 0, sizeof(sa));
	sa.mask = STORE_SATTR_DOS;
	sa.dos = STORE_DOS_SYSTEM | STORE_DOS_READONLY;
	TAP_EQ_INT(store_setattr(s, &cr_alice, &fh, &sa, &a), 0,
	    "its DOS word: SYSTEM and READONLY");
	sa.dos = STORE_DOS_HIDDEN;
	memset(&o, 0, sizeof(o));
	o.disp = STORE_DISP_SUPERSEDE;
	o.mode = 0600;
	o.sattr = &sa;
	o.access = o.io = STORE_IO_READ;
	rv = store_open_name(s, &cr_alice, &d, N("s"), &o, &fh2, &a2, &what,
	    &fd2);
	tap_ok(rv == 0 && what == STORE_OPENED_SUPERSEDED && fd2 >= 0 &&
	    fh_eq(&fh, &fh2) && a2.ino == a.ino && a2.size == 0 &&
	    a2.mode == 0644 && a2.nlink == 2,
	    "SUPERSEDE: the same file (handle, inode, mode, links), empty");
	tap_ok(a2.dos == (STORE_DOS_HIDDEN | STORE_DOS_ARCHIVE),
	    "its DOS word replaced by the one asked, ARCHIVE added (%#x)",
	    a2.dos);
	TAP_EQ_INT(store_xattr_get(s, &cr_alice, &fh, N("user.k"), NULL, 0,
	    &len), -ENODATA, "its xattrs gone (SMB's EAs are replaced)");
	tap_ok(stream_size(s, &fh, "ads", STORE_DISP_OPEN) == 0,
	    "its stream kept (the front end drops streams, as for an "
	    "overwrite)");
	tap_ok(fd >= 0 && write_all(fd, "after"),
	    "the fd opened before writes");
	tap_ok(fd2 >= 0 && reads(fd2, "after"),
	    "and the superseder reads what it wrote");
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
	rv = store_lookup(s, &cr_alice, &d, N("s.link"), &lfh, &a);
	tap_ok(rv == 0 && fh_eq(&lfh, &fh) && a.size == 5,
	    "its other link is the same file");
	rv = op(s, &cr_alice, &d, "s", STORE_DISP_SUPERSEDE, 0644, 0, &fh2,
	    &a2, &what, NULL);
	tap_ok(rv == 0 && what == STORE_OPENED_SUPERSEDED &&
	    fh_eq(&fh, &fh2) && a2.dos == STORE_DOS_ARCHIVE && a2.size == 0,
	    "SUPERSEDE without a DOS word: the word is ARCHIVE alone (%#x)",
	    a2.dos);
	sa.dos = STORE_DOS_ARCHIVE << 4;
	o.access = o.io = 0;
	TAP_EQ_INT(store_open_name(s, &cr_alice, &d, N("s"), &o, &fh2, NULL,
	    &what, NULL), -EINVAL, "SUPERSEDE with a DOS bit not settable: "
	    "EINVAL");
	rv = op(s, &cr_alice, &d, "s", STORE_DISP_OPEN, 0644, STORE_IO_WRITE,
	    &fh2, NULL, &what, &fd);
	tap_ok(rv == 0 && fd >= 0 && write_all(fd, "kept"), "data again");
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(op(s, &cr_bob, &d, "s", STORE_DISP_SUPERSEDE, 0644, 0,
	    &lfh, NULL, &what, NULL), -EACCES,
	    "SUPERSEDE by bob of alice's 0644 file: EACCES (its data goes: "
	    "write permission, as for an overwrite)");
	rv = store_getattr(s, &fh, &a);
	tap_ok(rv == 0 && a.size == 4, "the refused SUPERSEDE left its data");
	TAP_EQ_INT(op(s, &cr_alice, &d, "s3", STORE_DISP_CREATE, 0666, 0,
	    &fh2, NULL, &what, NULL), 0, "alice's 0666 file s3");
	rv = op(s, &cr_bob, &d, "s3", STORE_DISP_SUPERSEDE, 0644, 0, &lfh,
	    &a, &what, NULL);
	tap_ok(rv == 0 && fh_eq(&lfh, &fh2) && a.uid == cr_alice.uid &&
	    a.mode == 0666, "SUPERSEDE of it by bob in a 0777 directory: "
	    "allowed (he may write it and remove it), alice's file still");
	rv = op(s, &cr_alice, &d, "s2", STORE_DISP_SUPERSEDE, 0644, 0, &fh2,
	    &a, &what, NULL);
	tap_ok(rv == 0 && what == STORE_OPENED_CREATED,
	    "SUPERSEDE of a missing name: created");
	TAP_EQ_INT(store_mkdir(s, &cr_root, root, N("sticky"), 01777, &lfh,
	    NULL), 0, "a sticky 01777 directory");
	TAP_EQ_INT(op(s, &cr_alice, &lfh, "mine", STORE_DISP_CREATE, 0666, 0,
	    &fh2, NULL, &what, NULL), 0, "alice's file in it");
	TAP_EQ_INT(op(s, &cr_bob, &lfh, "mine", STORE_DISP_SUPERSEDE, 0644, 0,
	    &fh2, NULL, &what, NULL), -EPERM,
	    "SUPERSEDE by bob there: EPERM, as his remove would be");
	TAP_EQ_INT(op(s, &cr_bob, &lfh, "mine", STORE_DISP_OVERWRITE, 0644, 0,
	    &fh2, NULL, &what, NULL), 0,
	    "but OVERWRITE of the 0666 file is his to do");
}

/* store_stream_open with a disposition and io, access the same. */
static int
sop(struct store *s, const struct store_cred *c, const struct store_fh *fh,
    const char *name, size_t len, enum store_disposition disp, int io,
    enum store_opened *what, int *fd, uint64_t *size)
{
	struct store_open o;

	memset(&o, 0, sizeof(o));
	o.disp = disp;
	o.access = io;
	o.io = io;
	return store_stream_open(s, c, fh, name, len, &o, what, fd, size,
	    NULL);
}

static void
test_streams(struct store *s, const struct store_fh *root)
{
	struct store_fh d, f, ln;
	struct store_attr a;
	struct store_named ents[STORE_STREAMS_MAX + 4];
	struct store_statfs sf0, sf1;
	enum store_opened what;
	uint64_t size = 99;
	char name[300];
	size_t n, i;
	int fd, fd2, rv;

	TAP_EQ_INT(store_lookup(s, &cr_root, root, N("d"), &d, NULL), 0,
	    "streams: d");
	rv = op(s, &cr_alice, &d, "sf", STORE_DISP_CREATE, 0644,
	    STORE_IO_WRITE, &f, &a, &what, &fd);
	tap_ok(rv == 0 && fd >= 0 && write_all(fd, "main"),
	    "a file with data \"main\"");
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(sop(s, &cr_alice, &f, N("ads"), STORE_DISP_OPEN,
	    STORE_IO_READ, &what, &fd, &size), -ENOENT,
	    "OPEN of a missing stream: ENOENT");
	rv = sop(s, &cr_alice, &f, N("ads"), STORE_DISP_OPEN_IF,
	    STORE_IO_READ | STORE_IO_WRITE, &what, &fd, &size);
	tap_ok(rv == 0 && what == STORE_OPENED_CREATED && fd >= 0 &&
	    size == 0, "OPEN_IF: a new stream, an fd");
	tap_ok(fd >= 0 && write_all(fd, "stream data"),
	    "the stream's fd writes");
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(store_xattr_set(s, &cr_alice, &f, N("user.ea"), "v", 1,
	    0), 0, "and a user xattr");
	rv = store_named_list(s, &cr_alice, &f, ents, 8, &n);
	tap_ok(rv == 0 && n == 2 && ents[0].kind == STORE_NAMED_STREAM &&
	    strcmp(ents[0].name, "ads") == 0 && ents[0].size == 11 &&
	    ents[1].kind == STORE_NAMED_XATTR &&
	    strcmp(ents[1].name, "user.ea") == 0 && ents[1].size == 1,
	    "one listing: the stream (11 bytes) and the xattr (1 byte)");
	TAP_EQ_INT(store_named_list(s, &cr_alice, &f, ents, 1, &n), -E2BIG,
	    "a listing with room for one: E2BIG");
	rv = sop(s, &cr_bob, &f, N("ads"), STORE_DISP_OPEN, STORE_IO_READ,
	    &what, &fd, &size);
	tap_ok(rv == 0 && what == STORE_OPENED && size == 11 &&
	    reads(fd, "stream data"), "OPEN by another user of a 0644 "
	    "file's stream: its data");
	if (fd >= 0)
		close(fd);
	rv = store_open_io(s, &cr_alice, &f, STORE_IO_READ, &fd, &a);
	tap_ok(rv == 0 && a.size == 4 && reads(fd, "main"),
	    "the file's own data is apart (4 bytes)");
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(sop(s, &cr_bob, &f, N("bobs"), STORE_DISP_OPEN_IF,
	    STORE_IO_WRITE, &what, &fd, NULL), -EACCES,
	    "a new stream on alice's 0644 file by bob: EACCES");
	TAP_EQ_INT(sop(s, &cr_bob, &f, N("ads"), STORE_DISP_OVERWRITE,
	    STORE_IO_READ, &what, &fd, NULL), -EACCES,
	    "bob's OVERWRITE of it: EACCES");
	TAP_EQ_INT(sop(s, &cr_alice, &f, N("ads"), STORE_DISP_CREATE,
	    STORE_IO_READ, &what, &fd, NULL), -EEXIST,
	    "CREATE of an existing stream: EEXIST");
	rv = sop(s, &cr_alice, &f, N("ads"), STORE_DISP_OVERWRITE,
	    STORE_IO_WRITE, &what, &fd, &size);
	tap_ok(rv == 0 && what == STORE_OPENED_OVERWRITTEN && size == 0,
	    "OVERWRITE: truncated to 0");
	tap_ok(fd >= 0 && write_all(fd, "kept"), "written again");
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(sop(s, &cr_alice, &f, N("ads"), STORE_DISP_EXCLUSIVE,
	    STORE_IO_READ, &what, &fd, NULL), -EINVAL, "EXCLUSIVE: EINVAL");
	TAP_EQ_INT(sop(s, &cr_alice, &f, N("a:b"), STORE_DISP_OPEN_IF,
	    STORE_IO_READ, &what, &fd, NULL), -EINVAL, "a name with ':': "
	    "EINVAL");
	TAP_EQ_INT(sop(s, &cr_alice, &f, "", 0, STORE_DISP_OPEN_IF,
	    STORE_IO_READ, &what, &fd, NULL), -EINVAL, "an empty name: EINVAL");
	memset(name, 's', sizeof(name));
	TAP_EQ_INT(sop(s, &cr_alice, &f, name, 256, STORE_DISP_OPEN_IF,
	    STORE_IO_READ, &what, &fd, NULL), -ENAMETOOLONG,
	    "a 256-byte name: ENAMETOOLONG");
	rv = sop(s, &cr_alice, &f, name, 255, STORE_DISP_OPEN_IF,
	    STORE_IO_READ, &what, &fd, NULL);
	tap_ok(rv == 0, "a 255-byte name is fine");
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(sop(s, &cr_alice, &f, N("x"), STORE_DISP_OPEN_IF, 0, &what,
	    &fd, NULL), -EINVAL, "no fd asked: EINVAL");
	for (i = 2, rv = 0; rv == 0 && i < STORE_STREAMS_MAX; i++) {
		snprintf(name, sizeof(name), "s%zu", i);
		rv = sop(s, &cr_alice, &f, N(name), STORE_DISP_CREATE,
		    STORE_IO_READ, &what, &fd, NULL);
		if (fd >= 0)
			close(fd);
	}
	TAP_EQ_INT(rv, 0, "%d streams", STORE_STREAMS_MAX);
	TAP_EQ_INT(sop(s, &cr_alice, &f, N("one more"), STORE_DISP_CREATE,
	    STORE_IO_READ, &what, &fd, NULL), -ENOSPC,
	    "one more: ENOSPC (STORE_STREAMS_MAX)");
	rv = store_named_list(s, &cr_alice, &f, ents, STORE_STREAMS_MAX + 4,
	    &n);
	tap_ok(rv == 0 && n == STORE_STREAMS_MAX + 1,
	    "the listing has them all and the xattr (%zu)", n);
	TAP_EQ_INT(store_stream_remove(s, &cr_bob, &f, N("s2")), -EACCES,
	    "bob removes a stream of alice's 0644 file: EACCES");
	TAP_EQ_INT(store_stream_remove(s, &cr_alice, &f, N("s2")), 0,
	    "alice removes one");
	TAP_EQ_INT(store_stream_remove(s, &cr_alice, &f, N("s2")), -ENOENT,
	    "again: ENOENT");
	TAP_EQ_INT(sop(s, &cr_alice, &f, N("s2"), STORE_DISP_OPEN,
	    STORE_IO_READ, &what, &fd, NULL), -ENOENT, "it opens no more");

	/* Directories have streams; other types none. */
	rv = sop(s, &cr_root, &d, N("dirstream"), STORE_DISP_OPEN_IF,
	    STORE_IO_WRITE, &what, &fd, NULL);
	tap_ok(rv == 0 && what == STORE_OPENED_CREATED, "a directory's "
	    "stream");
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(store_lookup(s, &cr_root, &d, N("l"), &ln, NULL), 0,
	    "symlink l");
	TAP_EQ_INT(sop(s, &cr_alice, &ln, N("x"), STORE_DISP_OPEN_IF,
	    STORE_IO_READ, &what, &fd, NULL), -EINVAL,
	    "a symlink's stream: EINVAL");

	/* Removed with the file; an fd held on a stream still reads. */
	rv = sop(s, &cr_alice, &f, N("ads"), STORE_DISP_OPEN, STORE_IO_READ,
	    &what, &fd2, NULL);
	tap_ok(rv == 0 && reads(fd2, "kept"), "an fd held on stream ads");
	TAP_EQ_INT(store_sync(s), 0, "sync");
	TAP_EQ_INT(store_statfs(s, root, &sf0), 0, "statfs");
	TAP_EQ_INT(store_remove(s, &cr_alice, &d, N("sf")), 0,
	    "remove the file");
	TAP_EQ_INT(store_sync(s), 0, "sync");
	TAP_EQ_INT(store_statfs(s, root, &sf1), 0, "statfs");
	tap_ok(sf0.files_used - sf1.files_used == STORE_STREAMS_MAX,
	    "its inode and its %d streams' are gone (%llu fewer)",
	    STORE_STREAMS_MAX - 1, (unsigned long long)(sf0.files_used -
	    sf1.files_used));
	tap_ok(reads(fd2, "kept"), "the held fd still reads the stream");
	if (fd2 >= 0)
		close(fd2);
}

/* A stream of f made with data (NULL: none), its fd closed. */
static int
smake(struct store *s, const struct store_fh *f, const char *name,
    const char *data)
{
	enum store_opened what;
	int fd, rv;

	rv = sop(s, &cr_alice, f, N(name), STORE_DISP_CREATE,
	    STORE_IO_WRITE, &what, &fd, NULL);
	if (rv == 0 && data != NULL && !write_all(fd, data))
		rv = -EIO;
	if (fd >= 0)
		close(fd);
	return rv;
}

/* The stream name of f reads data (NULL: it is not there). */
static int
sreads(struct store *s, const struct store_fh *f, const char *name,
    const char *data)
{
	enum store_opened what;
	int fd, rv, ok;

	rv = sop(s, &cr_alice, f, N(name), STORE_DISP_OPEN, STORE_IO_READ,
	    &what, &fd, NULL);
	if (data == NULL)
		return rv == -ENOENT;
	ok = rv == 0 && reads(fd, data);
	if (fd >= 0)
		close(fd);
	return ok;
}

/* The file's own data: its size and what it reads. */
static int
freads(struct store *s, const struct store_fh *f, const char *data)
{
	struct store_attr a;
	int fd, ok;

	if (store_open_io(s, &cr_alice, f, STORE_IO_READ, &fd, &a) != 0)
		return 0;
	ok = a.size == strlen(data) && (data[0] == '\0' || reads(fd, data));
	close(fd);
	return ok;
}

/* store_stream_rename: MS-FSA 2.1.5.15.11.1's stream renames. */
static void
test_stream_rename(struct store *s, const struct store_fh *root)
{
	struct store_fh d, f;
	struct store_attr a;
	enum store_opened what;
	int fd, held, rv;

	TAP_EQ_INT(store_lookup(s, &cr_root, root, N("d"), &d, NULL), 0,
	    "stream rename: d");
	rv = op(s, &cr_alice, &d, "rf", STORE_DISP_CREATE, 0644,
	    STORE_IO_WRITE, &f, &a, &what, &fd);
	tap_ok(rv == 0 && fd >= 0 && write_all(fd, "main"),
	    "a file with data \"main\"");
	if (fd >= 0)
		close(fd);
	tap_ok(smake(s, &f, "a", "alpha") == 0 && smake(s, &f, "b",
	    NULL) == 0 && smake(s, &f, "c", "gamma") == 0,
	    "streams a (alpha), b (empty), c (gamma)");
	TAP_EQ_INT(store_stream_rename(s, &cr_alice, &f, N("a"), N("b"), 0),
	    -EEXIST, "a to b (there) without replace: EEXIST");
	TAP_EQ_INT(store_stream_rename(s, &cr_alice, &f, N("a"), N("c"), 1),
	    -ENOTEMPTY, "a to c (with data) with replace: ENOTEMPTY");
	TAP_EQ_INT(store_stream_rename(s, &cr_bob, &f, N("a"), N("z"), 1),
	    -EACCES, "bob renames a stream of alice's 0644 file: EACCES");
	TAP_EQ_INT(store_stream_rename(s, &cr_alice, &f, N("x"), N("y"), 1),
	    -ENOENT, "a stream that is not there: ENOENT");
	TAP_EQ_INT(store_stream_rename(s, &cr_alice, &f, N("a"), N("a:b"),
	    1), -EINVAL, "to a name with ':': EINVAL");
	TAP_EQ_INT(store_stream_rename(s, &cr_alice, &f, N("a"), N("b"), 1),
	    0, "a to b (empty) with replace");
	tap_ok(sreads(s, &f, "b", "alpha") && sreads(s, &f, "a", NULL) &&
	    sreads(s, &f, "c", "gamma") && freads(s, &f, "main"),
	    "b has a's data, a is gone, c and the file's data as they were");
	TAP_EQ_INT(store_stream_rename(s, &cr_alice, &f, N("b"), N("n"), 0),
	    0, "b to a new name n");
	tap_ok(sreads(s, &f, "n", "alpha") && sreads(s, &f, "b", NULL),
	    "n has the data, b is gone");
	TAP_EQ_INT(store_stream_rename(s, &cr_alice, &f, N("n"), N("n"), 0),
	    0, "n to itself: nothing done");
	TAP_EQ_INT(store_stream_rename(s, &cr_alice, &f, N("n"), "", 0, 1),
	    -ENOTEMPTY, "n to the file's data (4 bytes): ENOTEMPTY");
	TAP_EQ_INT(store_stream_rename(s, &cr_alice, &f, "", 0, "", 0, 1),
	    -EINVAL, "the data to the data: EINVAL");

	/* The file's data made a stream: the file is left empty. */
	TAP_EQ_INT(store_stream_open(s, &cr_alice, &f, N("n"),
	    &(struct store_open){ .disp = STORE_DISP_OPEN,
	    .access = STORE_IO_READ, .io = STORE_IO_READ }, &what, &held,
	    NULL, NULL), 0, "an fd held on n");
	TAP_EQ_INT(store_stream_rename(s, &cr_alice, &f, "", 0, N("m"), 0),
	    0, "the file's data to a new stream m");
	tap_ok(sreads(s, &f, "m", "main") && freads(s, &f, ""),
	    "m reads \"main\", the file's data is empty");
	TAP_EQ_INT(store_stream_rename(s, &cr_alice, &f, N("n"), "", 0, 0),
	    -EEXIST, "n to the file's data without replace: EEXIST");
	TAP_EQ_INT(store_stream_rename(s, &cr_alice, &f, N("n"), "", 0, 1),
	    0, "n to the (empty) file's data with replace");
	tap_ok(freads(s, &f, "alpha") && sreads(s, &f, "n", NULL) &&
	    sreads(s, &f, "m", "main"), "the file reads n's data, n is gone");
	tap_ok(held >= 0 && reads(held, "alpha"),
	    "the fd held on n reads its data still");
	if (held >= 0)
		close(held);
	TAP_EQ_INT(store_sync(s), 0, "sync");
	tap_ok(freads(s, &f, "alpha") && sreads(s, &f, "m", "main"),
	    "after the sync, as they were");
	rv = sop(s, &cr_root, &d, N("ds"), STORE_DISP_OPEN_IF,
	    STORE_IO_WRITE, &what, &fd, NULL);
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(store_stream_rename(s, &cr_root, &d, N("ds"), "", 0, 1),
	    -EISDIR, "a directory's stream to its data: EISDIR");
	TAP_EQ_INT(store_stream_rename(s, &cr_root, &d, "", 0, N("x"), 1),
	    -EISDIR, "a directory's data to a stream: EISDIR");
	TAP_EQ_INT(store_remove(s, &cr_alice, &d, N("rf")), 0,
	    "remove the file");
}

static void
test_caseless(struct store **sp, const char *dir)
{
	struct store *s = *sp;
	struct store_fh ci, cs, fh, fh2, sub, fh3;
	struct store_attr a, a2;
	enum store_opened what;
	unsigned int have;
	int rv;

	rv = store_share_open(s, "ci", 1, STORE_SHARE_CASELESS, &have, &ci,
	    &a);
	tap_ok(rv == 0 && have == STORE_SHARE_CASELESS &&
	    (a.flags & STORE_ATTR_CASELESS), "a caseless share made");
	rv = store_share_open(s, "main", 1, STORE_SHARE_CASELESS, &have, &cs,
	    &a);
	tap_ok(rv == 0 && have == 0 && !(a.flags & STORE_ATTR_CASELESS),
	    "an existing share asked to become caseless stays as it was "
	    "made");
	TAP_EQ_INT(store_share_open(s, "bad", 1, 0x80, &have, &fh, NULL),
	    -EINVAL, "an unknown share flag: EINVAL");
	TAP_EQ_INT(store_mkdir(s, &cr_root, &ci, N("pub"), 0777, &fh, NULL),
	    0, "mkdir pub");
	ci = fh;

	rv = op(s, &cr_alice, &ci, "README", STORE_DISP_CREATE, 0644, 0, &fh,
	    &a, &what, NULL);
	tap_ok(rv == 0 && what == STORE_OPENED_CREATED, "create README");
	rv = store_lookup(s, &cr_alice, &ci, N("readme"), &fh2, &a2);
	tap_ok(rv == 0 && fh_eq(&fh, &fh2), "lookup readme finds README");
	rv = store_lookup(s, &cr_alice, &ci, N("ReadMe"), &fh2, &a2);
	tap_ok(rv == 0 && fh_eq(&fh, &fh2), "and ReadMe too");
	tap_ok(listed(s, &ci, "README") && !listed(s, &ci, "readme"),
	    "readdir lists it as made: README");
	TAP_EQ_INT(store_create(s, &cr_alice, &ci, N("readme"), 0644,
	    STORE_CREATE_GUARDED, NULL, &fh2, NULL), -EEXIST,
	    "a guarded create of readme: EEXIST");
	TAP_EQ_INT(op(s, &cr_alice, &ci, "Readme", STORE_DISP_CREATE, 0644,
	    0, &fh2, NULL, &what, NULL), -EEXIST,
	    "CREATE of Readme: EEXIST");
	rv = op(s, &cr_alice, &ci, "readme", STORE_DISP_OPEN_IF, 0644, 0,
	    &fh2, NULL, &what, NULL);
	tap_ok(rv == 0 && what == STORE_OPENED && fh_eq(&fh, &fh2),
	    "OPEN_IF of readme opens README");
	rv = store_create(s, &cr_alice, &ci, N("rEADME"), 0644,
	    STORE_CREATE_UNCHECKED, NULL, &fh2, NULL);
	tap_ok(rv == 0 && fh_eq(&fh, &fh2), "an unchecked create finds it");
	rv = op(s, &cr_alice, &ci, "readme", STORE_DISP_SUPERSEDE, 0644, 0,
	    &fh2, &a2, &what, NULL);
	tap_ok(rv == 0 && what == STORE_OPENED_SUPERSEDED &&
	    listed(s, &ci, "README") && !listed(s, &ci, "readme"),
	    "SUPERSEDE of readme: the entry keeps its name README");
	fh = fh2;

	/* link, rename, remove */
	TAP_EQ_INT(store_link(s, &cr_alice, &fh, &ci, N("Other"), NULL), 0,
	    "link Other");
	TAP_EQ_INT(store_link(s, &cr_alice, &fh, &ci, N("OTHER"), NULL),
	    -EEXIST, "link OTHER: EEXIST");
	rv = store_lookup(s, &cr_alice, &ci, N("other"), &fh2, NULL);
	tap_ok(rv == 0 && fh_eq(&fh, &fh2), "lookup other finds Other");
	TAP_EQ_INT(store_rename(s, &cr_alice, &ci, N("oTHER"), &ci,
	    N("Notes.TXT")), 0, "rename oTHER to Notes.TXT");
	tap_ok(listed(s, &ci, "Notes.TXT") && !listed(s, &ci, "Other"),
	    "listed as Notes.TXT");
	TAP_EQ_INT(store_rename(s, &cr_alice, &ci, N("notes.txt"), &ci,
	    N("NOTES.txt")), 0, "rename notes.txt to NOTES.txt: its own "
	    "name in another case");
	tap_ok(listed(s, &ci, "NOTES.txt") && !listed(s, &ci, "Notes.TXT"),
	    "the name's case changed");
	rv = store_getattr(s, &fh, &a);
	tap_ok(rv == 0 && a.nlink == 2, "still two links");
	TAP_EQ_INT(store_rename(s, &cr_alice, &ci, N("notes.TXT"), &ci,
	    N("readme")), 0, "rename over the other link (readme)");
	tap_ok(listed(s, &ci, "NOTES.txt") && listed(s, &ci, "README"),
	    "rename(2): a link to the same file, no change");
	TAP_EQ_INT(store_remove(s, &cr_alice, &ci, N("notes.TXT")), 0,
	    "remove notes.TXT");
	TAP_EQ_INT(store_lookup(s, &cr_alice, &ci, N("NOTES.txt"), NULL,
	    NULL), -ENOENT, "NOTES.txt is gone");

	/* Directories inherit the rule; the other share does not have it. */
	TAP_EQ_INT(store_mkdir(s, &cr_alice, &ci, N("Sub"), 0755, &sub, &a),
	    0, "mkdir Sub");
	tap_ok(a.flags & STORE_ATTR_CASELESS, "Sub is caseless too");
	TAP_EQ_INT(store_mkdir(s, &cr_alice, &ci, N("SUB"), 0755, NULL,
	    NULL), -EEXIST, "mkdir SUB: EEXIST");
	TAP_EQ_INT(op(s, &cr_alice, &sub, "\xc3\x84pfel-\xce\xa3-"
	    "\xd0\x9f\xd0\xa0\xd0\x98", STORE_DISP_CREATE, 0644, 0, &fh3,
	    NULL, &what, NULL), 0, "create \"\xc3\x84pfel-\xce\xa3-"
	    "\xd0\x9f\xd0\xa0\xd0\x98\" in it");
	rv = store_lookup(s, &cr_alice, &sub, N("\xc3\xa4PFEL-\xcf\x83-"
	    "\xd0\xbf\xd1\x80\xd0\xb8"), &fh2, NULL);
	tap_ok(rv == 0 && fh_eq(&fh2, &fh3), "found as \"\xc3\xa4PFEL-"
	    "\xcf\x83-\xd0\xbf\xd1\x80\xd0\xb8\"");
	TAP_EQ_INT(store_rmdir(s, &cr_alice, &ci, N("sub")), -ENOTEMPTY,
	    "rmdir sub: ENOTEMPTY (found)");
	TAP_EQ_INT(store_remove(s, &cr_alice, &sub, N("\xc3\xa4pfel-\xcf\x82-"
	    "\xd0\xbf\xd1\x80\xd0\xb8")), 0, "remove it by another case, "
	    "final sigma");
	TAP_EQ_INT(store_rmdir(s, &cr_alice, &ci, N("sub")), 0, "rmdir sub");

	TAP_EQ_INT(store_lookup(s, &cr_root, &cs, N("d"), &fh2, NULL), 0,
	    "main: d");
	TAP_EQ_INT(op(s, &cr_alice, &fh2, "CASE", STORE_DISP_CREATE, 0644, 0,
	    &fh, NULL, &what, NULL), 0, "main: create CASE");
	TAP_EQ_INT(op(s, &cr_alice, &fh2, "case", STORE_DISP_CREATE, 0644, 0,
	    &fh3, NULL, &what, NULL), 0, "main: create case, another file");
	tap_ok(!fh_eq(&fh, &fh3), "two files");
	TAP_EQ_INT(store_lookup(s, &cr_alice, &fh2, N("Case"), NULL, NULL),
	    -ENOENT, "main: lookup Case: ENOENT, as before");

	/* The rule outlives a restart, and fsck knows it. */
	store_close(s);
	rv = store_fsck(dir, 0, stdout);
	TAP_EQ_INT(rv, 0, "fsck of a store with caseless directories: no "
	    "faults");
	if ((rv = store_open(dir, NULL, &s)) != 0) {
		tap_diag("reopen: %s", strerror(-rv));
		exit(1);
	}
	*sp = s;
	rv = store_share_open(s, "ci", 1, 0, &have, &fh2, NULL);
	tap_ok(rv == 0 && have == STORE_SHARE_CASELESS,
	    "after a reopen, asked without the flag: still caseless");
	rv = store_lookup(s, &cr_alice, &ci, N("ReadMe"), &fh2, NULL);
	tap_ok(rv == 0, "and readme still found by another case");
}

int
main(void)
{
	struct store *s;
	struct store_fh root;
	char dir[] = "/tmp/dittofs-test-store-open-XXXXXX";
	int rv;

	cred_set(&cr_root, 0, 0);
	cred_set(&cr_alice, 1000, 1000);
	cred_set(&cr_bob, 1001, 1001);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if ((rv = store_open(dir, NULL, &s)) != 0 ||
	    (rv = store_share_root(s, "main", 1, &root, NULL)) != 0) {
		tap_ok(0, "store: %s", strerror(-rv));
		return tap_done();
	}
	test_dispositions(s, &root);
	test_access(s, &root);
	test_supersede(s, &root);
	test_stream_rename(s, &root);
	test_streams(s, &root);
	test_caseless(&s, dir);
	store_close(s);
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 0, "fsck at the end: no faults");
	if (nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == -1)
		tap_diag("cleanup of %s failed", dir);
	return tap_done();
}
