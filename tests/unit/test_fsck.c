/*
 * tests/unit/test_fsck.c: corrupt a store on purpose; store_fsck must
 * find each fault, repair it, and leave a store that checks clean.  Also
 * the repair store_open does by itself after an unclean stop.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define STORE_INTERNAL	/* to corrupt the database directly */

#include <sys/stat.h>
#include <sys/wait.h>

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

static struct store_cred cr;
static char dir[] = "/tmp/dittofs-test-fsck-XXXXXX";

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static struct store *
open_store(struct store_fh *root)
{
	struct store *s;
	int rv;

	if ((rv = store_open(dir, NULL, &s)) != 0 ||
	    (rv = store_share_root(s, "s", 1, root, NULL)) != 0) {
		tap_diag("open: %s", strerror(-rv));
		exit(1);
	}
	return s;
}

static uint64_t
ino_of(struct store *s, const struct store_fh *d, const char *name)
{
	struct store_attr a;

	if (store_lookup(s, &cr, d, name, strlen(name), NULL, &a) != 0)
		return 0;
	return a.ino;
}

/* Write cookies.db's record (dir, cookie) raw: value as given. */
static int
cookie_put(struct store *s, uint64_t dirino, uint64_t cookie,
    const void *val, size_t len)
{
	uint8_t k[16];
	DBT key, data;
	int rv;

	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	store_put64(k, dirino);
	store_put64(k + 8, cookie);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = sizeof(k);
	data.data = (void *)val;
	data.size = (u_int32_t)len;
	rv = s->cookies->put(s->cookies, s->txn, &key, &data, 0) == 0 ? 0 :
	    -EIO;
	return store_txn_end(s, rv);
}

/* A cookie value of format 2: ino (8 bytes, big endian), type, name. */
static size_t
cookie_value(uint8_t *v, uint64_t ino, uint8_t type, const char *name)
{
	store_put64(v, ino);
	v[8] = type;
	memcpy(v + 9, name, strlen(name));
	return 9 + strlen(name);
}

/* The entry name of dir as readdir lists it, plus; 0 if not listed. */
static int
listed(struct store *s, const struct store_fh *dirfh, const char *name,
    struct store_dirent *out)
{
	struct store_dirent ents[16];
	uint8_t verf[8];
	size_t n, i;
	int eof;

	if (store_readdir(s, &cr, dirfh, 0, verf, ents, 16, 1, &n, &eof) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (strcmp(ents[i].name, name) == 0) {
			*out = ents[i];
			return 1;
		}
	}
	return 0;
}

/* fsck finds want faults, repair fixes them, a second check is clean. */
static void
fsck_cycle(const char *what, int want)
{
	int found, repaired, after;

	found = store_fsck(dir, 0, NULL);
	repaired = store_fsck(dir, 1, stdout);
	after = store_fsck(dir, 0, stdout);
	if (want < 0)
		tap_ok(found > 0, "%s: found (%d faults)", what, found);
	else
		tap_ok(found == want, "%s: found %d fault(s) (want %d)", what,
		    found, want);
	TAP_EQ_INT(repaired, found, "%s: repair handles them", what);
	TAP_EQ_INT(after, 0, "%s: clean after repair", what);
}

static void
backing_path(uint64_t ino, char *buf, size_t size)
{
	char rel[64];

	store_backing_path(ino, rel, sizeof(rel));
	snprintf(buf, size, "%s/data/%s", dir, rel);
}

static void
log_capture(void *arg, const char *msg)
{
	int *n = arg;

	if (strstr(msg, "unclean") != NULL)
		(*n)++;
}

/* A raw xattrs.db record of ino: put (val) or delete (val NULL). */
static int
xrecord(struct store *s, uint64_t ino, const char *name, size_t len,
    const void *val, size_t vlen)
{
	int rv;

	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	rv = val != NULL ? store_blob_put(s, ino, name, len, val, vlen) :
	    store_blob_del(s, ino, name, len);
	return store_txn_end(s, rv);
}

/* Streams and caseless directories, as fsck sees them (format 3). */
static void
test_format3(void)
{
	struct store *s;
	struct store_open op;
	struct store_fh root, ci, fh;
	struct store_named ents[8];
	struct store_dirent ent;
	enum store_opened what;
	uint8_t v[8], val[STORE_COOKIE_VAL_MAX];
	size_t n, vlen;
	uint64_t ino;
	int fd, rv;

	s = open_store(&root);
	store_create(s, &cr, &root, N("st"), 0644, STORE_CREATE_GUARDED, NULL,
	    &fh, NULL);
	memset(&op, 0, sizeof(op));
	op.disp = STORE_DISP_OPEN_IF;
	op.io = STORE_IO_WRITE;
	rv = store_stream_open(s, &cr, &fh, N("a"), &op, &what, &fd, NULL,
	    NULL);
	if (fd >= 0)
		close(fd);
	if (rv == 0)
		rv = store_stream_open(s, &cr, &fh, N("b"), &op, &what, &fd,
		    NULL, NULL);
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(rv, 0, "streams a and b of st");
	ino = ino_of(s, &root, "st");
	store_close(s);
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 0,
	    "a file with streams checks clean");

	s = open_store(&root);
	TAP_EQ_INT(xrecord(s, ino, "\0:a", 3, NULL, 0), 0,
	    "drop stream a's record behind the store's back");
	store_close(s);
	fsck_cycle("a stream no file names", 1);
	s = open_store(&root);
	rv = store_named_list(s, &cr, &fh, ents, 8, &n);
	tap_ok(rv == 0 && n == 1 && strcmp(ents[0].name, "b") == 0,
	    "stream b is left");
	store_put64(v, ino);
	TAP_EQ_INT(xrecord(s, ino, "\0:z", 3, v, sizeof(v)), 0,
	    "a stream record z naming the file itself");
	store_close(s);
	fsck_cycle("a stream record that names no stream", 1);

	s = open_store(&root);
	rv = store_share_open(s, "ci", 1, STORE_SHARE_CASELESS, NULL, &ci,
	    NULL);
	if (rv == 0)
		rv = store_create(s, &cr, &ci, N("File"), 0644,
		    STORE_CREATE_GUARDED, NULL, &fh, NULL);
	TAP_EQ_INT(rv, 0, "File in a caseless share");
	store_close(s);
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 0,
	    "a caseless directory checks clean (key file, name File)");
	s = open_store(&root);
	store_share_open(s, "ci", 0, 0, NULL, &ci, NULL);
	rv = listed(s, &ci, "File", &ent) ? 0 : -ENOENT;
	vlen = cookie_value(val, ent.ino, STORE_TYPE_REG, "Other");
	if (rv == 0)
		rv = cookie_put(s, ino_of(s, &ci, "."), ent.cookie, val,
		    vlen);
	TAP_EQ_INT(rv, 0, "its cookie record renamed Other");
	store_close(s);
	/* Both sides see it: a stale cookie, a dirent whose cookie differs. */
	fsck_cycle("a caseless cookie record that folds to another name", 2);
	s = open_store(&root);
	TAP_EQ_INT(store_lookup(s, &cr, &ci, N("FILE"), NULL, NULL), 0,
	    "FILE is found after the repair");
	store_close(s);
}

int
main(void)
{
	struct store_options opt;
	struct store_inode ip, dp;
	struct store_fh root, d, fh;
	struct store_attr a;
	struct store_dirent ents[16], ent;
	struct store *s, *s2;
	char path[512], buf[16];
	uint64_t ia, ib, ic, ie, id, il, iu, cookie;
	uint8_t verf[8], val[STORE_COOKIE_VAL_MAX];
	size_t n, i, vlen;
	int eof, fd, rv, found, unclean = 0;
	pid_t pid;

	memset(&cr, 0, sizeof(cr));
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	TAP_EQ_INT(store_fsck(dir, 0, NULL), -ENOENT,
	    "fsck of a directory with no store: ENOENT");
	s = open_store(&root);
	store_mkdir(s, &cr, &root, N("d"), 0755, &d, NULL);
	store_create(s, &cr, &root, N("a"), 0644, STORE_CREATE_GUARDED, NULL,
	    &fh, NULL);
	store_create(s, &cr, &root, N("b"), 0644, STORE_CREATE_GUARDED, NULL,
	    &fh, NULL);
	store_link(s, &cr, &fh, &d, N("b2"), NULL);
	store_create(s, &cr, &d, N("c"), 0644, STORE_CREATE_GUARDED, NULL,
	    &fh, NULL);
	store_create(s, &cr, &d, N("e"), 0644, STORE_CREATE_GUARDED, NULL,
	    &fh, NULL);
	store_symlink(s, &cr, &d, N("l"), N("a"), &fh, NULL);
	store_mkdir(s, &cr, &d, N("sub"), 0755, &fh, NULL);
	store_setattr(s, &cr, &fh, &(struct store_sattr){ 0 }, NULL);
	store_create(s, &cr, &root, N("u"), 0644, STORE_CREATE_GUARDED, NULL,
	    &fh, NULL);	/* stays unbacked: no file, and no fault */
	/* a and b get their backing files */
	store_lookup(s, &cr, &root, N("a"), &fh, NULL);
	TAP_EQ_INT(store_open_io(s, &cr, &fh, STORE_IO_WRITE, &fd, NULL), 0,
	    "open_io a");
	if (fd >= 0)
		close(fd);
	store_lookup(s, &cr, &root, N("b"), &fh, NULL);
	TAP_EQ_INT(store_open_io(s, &cr, &fh, STORE_IO_READ, &fd, NULL), 0,
	    "open_io b");
	if (fd >= 0)
		close(fd);
	ia = ino_of(s, &root, "a");
	iu = ino_of(s, &root, "u");
	ib = ino_of(s, &root, "b");
	ic = ino_of(s, &d, "c");
	ie = ino_of(s, &d, "e");
	id = ino_of(s, &root, "d");
	TAP_EQ_INT(store_fsck(dir, 0, stdout), -EBUSY,
	    "fsck of an open store: EBUSY");
	store_close(s);
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 0, "fresh store: no faults");
	backing_path(iu, path, sizeof(path));
	tap_ok(access(path, F_OK) == -1, "an unbacked file has no backing "
	    "file");

	/*
	 * A file of an unbacked inode (its BACKED transaction lost in a
	 * crash): adopted, data kept.
	 */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	tap_ok(fd >= 0 && write(fd, "kept", 4) == 4, "plant a file for u");
	if (fd >= 0)
		close(fd);
	fsck_cycle("file of an unbacked inode", 1);
	s = open_store(&root);
	rv = store_lookup(s, &cr, &root, N("u"), &fh, &a);
	tap_ok(rv == 0 && a.size == 4, "u adopted its file (size %llu)",
	    (unsigned long long)a.size);
	store_close(s);

	/* backing file of a deleted */
	backing_path(ia, path, sizeof(path));
	tap_ok(unlink(path) == 0, "delete a's backing file");
	fsck_cycle("missing backing file", 1);
	s = open_store(&root);
	rv = store_lookup(s, &cr, &root, N("a"), &fh, &a);
	tap_ok(rv == 0 && a.size == 0, "a usable again, empty");
	store_close(s);

	/* orphan backing file and stray entries in the data tree */
	backing_path(0xabcdef, path, sizeof(path));
	snprintf(buf, sizeof(buf), "%s", "x");
	{
		char d1[512];
		size_t len = strlen(dir) + strlen("/data/cd");

		/* data/cd/ab: bits 8-15 then 16-23 of the inode number */
		snprintf(d1, sizeof(d1), "%.*s", (int)len, path);
		mkdir(d1, 0700);
		snprintf(d1, sizeof(d1), "%.*s", (int)len + 3, path);
		mkdir(d1, 0700);
	}
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	tap_ok(fd >= 0 && write(fd, buf, 1) == 1, "plant an orphan %s",
	    path + strlen(dir));
	if (fd >= 0)
		close(fd);
	fsck_cycle("orphan backing file", 1);
	tap_ok(access(path, F_OK) == -1, "orphan removed");
	snprintf(path, sizeof(path), "%s/data/cd/ab/junk", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	if (fd >= 0)
		close(fd);
	fsck_cycle("stray file in the data tree", 1);

	/* dangling dirent: inode c deleted under its name */
	s = open_store(&root);
	store_txn_begin(s);
	rv = store_inode_get(s, ic, &ip);
	if (rv == 0)
		rv = store_inode_del(s, &ip);
	TAP_EQ_INT(store_txn_end(s, rv), 0, "corrupt: delete inode c only");
	store_close(s);
	fsck_cycle("dangling dirent", -1);
	s = open_store(&root);
	TAP_EQ_INT(store_lookup(s, &cr, &d, N("c"), &fh, NULL), -ENOENT,
	    "dangling name removed");

	/* wrong link count */
	store_txn_begin(s);
	rv = store_inode_get(s, ib, &ip);
	ip.nlink = 5;
	if (rv == 0)
		rv = store_inode_put(s, &ip);
	TAP_EQ_INT(store_txn_end(s, rv), 0, "corrupt: b nlink 5");
	store_close(s);
	fsck_cycle("wrong link count", 1);
	s = open_store(&root);
	rv = store_lookup(s, &cr, &root, N("b"), &fh, &a);
	tap_ok(rv == 0 && a.nlink == 2, "b nlink back to 2");

	/* unreachable inode: dirent of e removed, the inode kept */
	store_txn_begin(s);
	rv = store_inode_get(s, id, &dp);
	if (rv == 0)
		rv = store_dirent_del(s, &dp, N("e"));
	if (rv == 0)
		rv = store_inode_put(s, &dp);
	TAP_EQ_INT(store_txn_end(s, rv), 0, "corrupt: unlink e's dirent only");
	store_close(s);
	fsck_cycle("unreachable inode", 1);
	s = open_store(&root);
	snprintf(path, sizeof(path), "orphan.%016llx", (unsigned long long)ie);
	rv = store_lookup(s, &cr, &root, N(path), &fh, &a);
	tap_ok(rv == 0 && a.ino == ie && a.nlink == 1,
	    "e linked into the root as %s", path);

	/* a dirent whose cookie record is gone: readdir would skip it */
	rv = store_readdir(s, &cr, &d, 0, verf, ents, 16, 0, &n, &eof);
	cookie = 0;
	for (i = 0; i < n; i++)
		if (strcmp(ents[i].name, "l") == 0)
			cookie = ents[i].cookie;
	store_txn_begin(s);
	{
		uint8_t k[16];
		DBT key;

		store_put64(k, id);
		store_put64(k + 8, cookie);
		memset(&key, 0, sizeof(key));
		key.data = k;
		key.size = sizeof(k);
		rv = s->cookies->del(s->cookies, s->txn, &key, 0);
	}
	TAP_EQ_INT(store_txn_end(s, rv), 0, "corrupt: drop l's cookie");
	store_close(s);
	fsck_cycle("missing cookie", 1);
	s = open_store(&root);
	rv = store_readdir(s, &cr, &d, 0, verf, ents, 16, 0, &n, &eof);
	found = 0;
	for (i = 0; i < n; i++)
		if (strcmp(ents[i].name, "l") == 0 && ents[i].cookie == cookie)
			found = 1;
	tap_ok(rv == 0 && found, "readdir sees l again, same cookie");

	/*
	 * A cookie record whose ino is wrong (that of a): readdir lists
	 * what the record says, so fsck must put it right from the dirent.
	 */
	il = ino_of(s, &d, "l");
	vlen = cookie_value(val, ia, STORE_TYPE_LNK, "l");
	TAP_EQ_INT(cookie_put(s, id, cookie, val, vlen), 0,
	    "corrupt: l's cookie record names a's inode");
	tap_ok(listed(s, &d, "l", &ent) && ent.ino == ia,
	    "readdir takes the ino from the cookie record alone");
	store_close(s);
	fsck_cycle("cookie record with a wrong ino", 1);
	s = open_store(&root);
	tap_ok(listed(s, &d, "l", &ent) && ent.ino == il &&
	    ent.attr.ino == il && ent.type == STORE_TYPE_LNK &&
	    ent.attr.type == STORE_TYPE_LNK && ent.cookie == cookie,
	    "repaired: l lists its own inode again");

	/* The same with the type: a symlink listed as a directory. */
	vlen = cookie_value(val, il, STORE_TYPE_DIR, "l");
	TAP_EQ_INT(cookie_put(s, id, cookie, val, vlen), 0,
	    "corrupt: l's cookie record says directory");
	tap_ok(listed(s, &d, "l", &ent) && ent.type == STORE_TYPE_DIR,
	    "readdir takes the type from the cookie record alone");
	store_close(s);
	fsck_cycle("cookie record with a wrong type", 1);
	s = open_store(&root);
	tap_ok(listed(s, &d, "l", &ent) && ent.ino == il &&
	    ent.type == STORE_TYPE_LNK, "repaired: l is a symlink again");

	/*
	 * A record in format 1's form (the bare name) that names no entry
	 * by its cookie: readdir refuses it rather than list garbage, and
	 * fsck deletes it.
	 */
	TAP_EQ_INT(cookie_put(s, id, 999999, "l", 1), 0,
	    "corrupt: a bare-name cookie record after the last entry");
	TAP_EQ_INT(store_readdir(s, &cr, &d, 0, verf, ents, 16, 0, &n, &eof),
	    -EIO, "readdir of a bad cookie record: EIO");
	store_close(s);
	fsck_cycle("bare-name cookie record", 1);
	s = open_store(&root);
	rv = store_readdir(s, &cr, &d, 0, verf, ents, 16, 0, &n, &eof);
	tap_ok(rv == 0 && eof && listed(s, &d, "l", &ent) &&
	    ent.cookie == cookie, "repaired: d lists again, l unchanged");

	/* wrong directory entry count and nlink */
	store_txn_begin(s);
	rv = store_inode_get(s, id, &dp);
	dp.size += 3;
	dp.nlink = 9;
	if (rv == 0)
		rv = store_inode_put(s, &dp);
	TAP_EQ_INT(store_txn_end(s, rv), 0, "corrupt: d's counts");
	store_close(s);
	fsck_cycle("directory counts", 2);

	/*
	 * Unclean stop: a child creates files, opens them (which makes
	 * their backing files) and dies without store_sync or store_close.
	 * Their backing files exist, their transactions are lost:
	 * store_open must notice and remove the orphans.
	 */
	fflush(stdout);
	if ((pid = fork()) == 0) {
		s2 = open_store(&root);
		for (i = 0; i < 20; i++) {
			snprintf(path, sizeof(path), "lost%zu", i);
			store_create(s2, &cr, &root, N(path), 0644,
			    STORE_CREATE_GUARDED, NULL, &fh, NULL);
			if (store_open_io(s2, &cr, &fh, STORE_IO_WRITE, &fd,
			    NULL) == 0)
				close(fd);
		}
		_exit(0);
	}
	waitpid(pid, &rv, 0);
	found = store_fsck(dir, 0, NULL);
	tap_ok(found >= 20, "after an unclean stop: %d orphans seen by fsck",
	    found);
	memset(&opt, 0, sizeof(opt));
	opt.log = log_capture;
	opt.log_arg = &unclean;
	rv = store_open(dir, &opt, &s);
	tap_ok(rv == 0 && unclean == 1, "store_open notices the unclean stop");
	store_close(s);
	TAP_EQ_INT(store_fsck(dir, 0, stdout), 0, "and repairs it on open");
	s = open_store(&root);
	TAP_EQ_INT(store_lookup(s, &cr, &root, N("lost0"), &fh, NULL),
	    -ENOENT, "unsynced creates are gone, not half there");
	store_close(s);
	unclean = 0;
	rv = store_open(dir, &opt, &s);
	tap_ok(rv == 0 && unclean == 0, "a clean close means no scan");
	store_close(s);

	test_format3();

	if (tap_failed == 0)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		tap_diag("kept %s", dir);
	return tap_done();
}
