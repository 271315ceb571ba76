/*
 * bd-check: drives dittofs-blockd over its socket for the integration
 * tests.
 *
 *   bd-check smoke SOCK           operations and error cases, as TAP
 *   bd-check storm SOCK DIR LOG   create+write+rename until the socket
 *                                 dies; each acknowledged op is appended
 *                                 to LOG
 *   bd-check verify SOCK DIR LOG  every acknowledged op is there, and
 *                                 nothing is half there
 *   bd-check entry SOCK OP PATH [NAME2]
 *                                 OP (create, remove, rename to NAME2)
 *                                 on PATH (a name, or dir/.../name) in
 *                                 the share, as another front end
 *                                 would; prints ok or the errno name
 *   bd-check fuzz SOCK COUNT SEED  COUNT damaged requests (a front end
 *                                 gone bad), as TAP; SEED replays a run
 *
 * As root it becomes dittofs-nfsd first (blockd checks SO_PEERCRED).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdc.h"
#include "tap.h"

#define SHARE	"export"
#define IO_READ		0x01
#define IO_WRITE	0x02

static const char *user = "dittofs-nfsd";

static void
connect_or_die(struct bdc *c, const char *sock)
{
	if (bdc_connect(c, sock, user) == -1) {
		perror(sock);
		exit(2);
	}
}

static int
readdir_count(struct bdc *c, const bd_fh *dir, int plus)
{
	struct bd_readdir_req req;
	struct bd_readdir_reply rep;
	int total = 0, eof = 0;

	memset(&req, 0, sizeof(req));
	req.cred = c->cred;
	req.dir = *dir;
	req.maxents = 100;
	req.plus = plus;
	while (!eof) {
		memset(&rep, 0, sizeof(rep));
		if (bdc_call(c, BD_READDIR, (xdrproc_t)xdr_bd_readdir_req, &req,
		    (xdrproc_t)xdr_bd_readdir_reply, &rep, NULL) == -1 ||
		    rep.status != 0)
			return -1;
		total += (int)rep.entries.entries_len;
		eof = rep.eof;
		if (rep.entries.entries_len > 0)
			req.cookie = rep.entries.entries_val[
			    rep.entries.entries_len - 1].cookie;
		if (plus && rep.entries.entries_len > 0 &&
		    rep.entries.entries_val[0].fh.bd_fh_len == 0)
			total = -1000;	/* plus without handles */
		xdr_free((xdrproc_t)xdr_bd_readdir_reply, &rep);
		if (total < 0)
			return total;
	}
	return total;
}

static int
setattr_mode(struct bdc *c, const bd_fh *fh, unsigned int mode)
{
	struct bd_setattr_req req;
	struct bd_wcc_reply rep;

	memset(&req, 0, sizeof(req));
	req.cred = c->cred;
	req.fh = *fh;
	req.sattr.mask = 0x01;
	req.sattr.mode = mode;
	memset(&rep, 0, sizeof(rep));
	if (bdc_call(c, BD_SETATTR, (xdrproc_t)xdr_bd_setattr_req, &req,
	    (xdrproc_t)xdr_bd_wcc_reply, &rep, NULL) == -1)
		return -EIO;
	return rep.status;
}

static int
smoke(const char *sock)
{
	struct bdc c, other;
	bd_fh root, dir, file, fh2, bad;
	bd_attr attr;
	char longname[300];
	int fd, rc;

	connect_or_die(&c, sock);
	tap_ok(bdc_share_root(&c, SHARE, &root) == 0, "share root of %s",
	    SHARE);
	bdc_rmdir(&c, &root, "smoke");	/* left over from a failed run */
	tap_ok(bdc_mkdir(&c, &root, "smoke", 0755, &dir) == 0, "mkdir");
	TAP_EQ_INT(bdc_mkdir(&c, &root, "smoke", 0755, NULL), -EEXIST,
	    "mkdir of an existing name: EEXIST");
	tap_ok(bdc_create(&c, &dir, "a", 0600, 1, &file, &attr) == 0 &&
	    attr.type == 1 && attr.mode == 0600, "guarded create, mode 0600");
	TAP_EQ_INT(bdc_create(&c, &dir, "a", 0600, 1, NULL, NULL), -EEXIST,
	    "guarded create of an existing name: EEXIST");
	rc = bdc_open_io(&c, &file, IO_READ | IO_WRITE, &fd, &attr);
	tap_ok(rc == 0 && fd >= 0, "open_io read-write passes an fd");
	tap_ok(fd >= 0 && pwrite(fd, "hello, world", 12, 0) == 12,
	    "write through the passed fd, no IPC");
	if (fd >= 0)
		close(fd);
	memset(&attr, 0, sizeof(attr));
	rc = bdc_getattr(&c, &file, &attr);
	tap_ok(rc == 0 && attr.size == 12, "getattr sees the size of what "
	    "was written (%llu)", (unsigned long long)attr.size);
	tap_ok(bdc_lookup(&c, &dir, "a", &fh2, &attr) == 0 &&
	    fh2.bd_fh_len == file.bd_fh_len &&
	    memcmp(fh2.bd_fh_val, file.bd_fh_val, file.bd_fh_len) == 0,
	    "lookup gives the same handle");
	bdc_fh_free(&fh2);
	TAP_EQ_INT(bdc_lookup(&c, &dir, "missing", NULL, NULL), -ENOENT,
	    "lookup of a missing name: ENOENT");

	/* Another user may not read a 0600 file of root's. */
	connect_or_die(&other, sock);
	bdc_set_cred(&other, 1000, 1000);
	rc = bdc_open_io(&other, &file, IO_READ, &fd, NULL);
	TAP_EQ_INT(rc, -EACCES, "open_io by another user on 0600: EACCES");
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(bdc_create(&other, &dir, "b", 0644, 0, NULL, NULL), -EACCES,
	    "create in a 0755 root dir by another user: EACCES");

	tap_ok(bdc_rename(&c, &dir, "a", &dir, "b") == 0, "rename a -> b");
	TAP_EQ_INT(bdc_lookup(&c, &dir, "a", NULL, NULL), -ENOENT,
	    "old name gone after rename");
	tap_ok(bdc_lookup(&c, &dir, "b", NULL, NULL) == 0, "new name there");
	TAP_EQ_INT(readdir_count(&c, &dir, 0), 1, "readdir: one entry");
	TAP_EQ_INT(readdir_count(&c, &dir, 1), 1, "readdirplus: one entry, "
	    "with handle");
	TAP_EQ_INT(bdc_rmdir(&c, &root, "smoke"), -ENOTEMPTY,
	    "rmdir of a non-empty dir: ENOTEMPTY");
	TAP_EQ_INT(bdc_lookup(&c, &dir, "x/y", NULL, NULL), -EINVAL,
	    "a name with '/': EINVAL");
	/* 255 bytes is the limit; the XDR layer cannot even carry 256. */
	memset(longname, 'n', 255);
	longname[255] = '\0';
	tap_ok(bdc_create(&c, &dir, longname, 0644, 0, NULL, NULL) == 0 &&
	    bdc_remove(&c, &dir, longname) == 0, "a 255-byte name works");

	/* Handles: forged, truncated. */
	bdc_fh_copy(&bad, &file);
	bad.bd_fh_val[bad.bd_fh_len - 1] ^= 0x5a;
	TAP_EQ_INT(bdc_getattr(&c, &bad, NULL), -ESTALE,
	    "a handle with a forged MAC: ESTALE");
	bad.bd_fh_len = 3;
	TAP_EQ_INT(bdc_getattr(&c, &bad, NULL), -EBADMSG,
	    "a 3-byte handle: EBADMSG (BADHANDLE)");
	bdc_fh_free(&bad);

	/* A front end that holds the fd hears of a mode change. */
	rc = bdc_open_io(&c, &file, IO_READ, &fd, NULL);
	if (fd >= 0)
		close(fd);
	{
		unsigned int before = c.notifies, other_before;

		/* Read what is queued for it (earlier removals) first. */
		bdc_getattr(&other, &root, NULL);
		other_before = other.notifies;
		TAP_EQ_INT(setattr_mode(&other, &file, 0644), -EPERM,
		    "chmod by another user: EPERM");
		tap_ok(setattr_mode(&c, &file, 0640) == 0, "chmod by the "
		    "owner");
		/* It is queued before the reply, so it has arrived. */
		TAP_EQ_INT(c.notifies - before, 1, "BD_NOTIFY reaches the "
		    "front end holding the fd");
		bdc_getattr(&other, &root, NULL);
		TAP_EQ_INT(other.notifies - other_before, 1, "and every other "
		    "front end: they cache access decisions");
		/*
		 * mkdir and rmdir in the root reach every front end, the
		 * one that made them too: the root's entry "nlink" and its
		 * record, twice each, and the new directory's removal.
		 */
		before = c.notifies;
		other_before = other.notifies;
		tap_ok(bdc_mkdir(&c, &root, "nlink", 0755, NULL) == 0 &&
		    bdc_rmdir(&c, &root, "nlink") == 0, "mkdir and rmdir "
		    "in the root");
		bdc_getattr(&other, &root, NULL);
		TAP_EQ_INT(other.notifies - other_before, 5, "entry, "
		    "record and removal notes reach every front end");
		TAP_EQ_INT(c.notifies - before, 5, "and the one that made "
		    "the changes");
	}

	tap_ok(bdc_remove(&c, &dir, "b") == 0, "remove");
	TAP_EQ_INT(bdc_getattr(&c, &file, NULL), -ESTALE,
	    "the removed file's handle: ESTALE");
	tap_ok(bdc_rmdir(&c, &root, "smoke") == 0, "rmdir");
	bdc_fh_free(&file);
	bdc_fh_free(&dir);
	bdc_fh_free(&root);
	bdc_close(&other);
	bdc_close(&c);
	return tap_done();
}

static void
log_line(int fd, const char *op, long n)
{
	char line[64];
	int len = snprintf(line, sizeof(line), "%s %ld\n", op, n);

	if (write(fd, line, (size_t)len) != len)
		exit(3);
}

/* Until the connection dies: create fN, write it, rename to gN. */
static int
storm(const char *sock, const char *name, const char *logpath)
{
	struct bdc c;
	bd_fh root, dir, file;
	char fname[32], gname[32];
	int logfd, fd;
	long n;

	/* The log first: connecting as root drops to the nfsd user. */
	logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644);
	if (logfd == -1) {
		perror(logpath);
		return 2;
	}
	connect_or_die(&c, sock);
	if (bdc_share_root(&c, SHARE, &root) != 0)
		return 2;
	if (bdc_mkdir(&c, &root, name, 0755, &dir) != 0) {
		fprintf(stderr, "storm %s: mkdir failed\n", name);
		return 2;
	}
	for (n = 0;; n++) {
		snprintf(fname, sizeof(fname), "f%ld", n);
		snprintf(gname, sizeof(gname), "g%ld", n);
		if (bdc_create(&c, &dir, fname, 0644, 1, &file, NULL) != 0)
			break;
		log_line(logfd, "create", n);
		if (bdc_open_io(&c, &file, IO_READ | IO_WRITE, &fd, NULL) != 0)
			break;
		/* Data written and fdatasync'ed is acknowledged stable. */
		if (pwrite(fd, fname, strlen(fname), 0) < 0 ||
		    fdatasync(fd) == -1) {
			close(fd);
			break;
		}
		close(fd);
		log_line(logfd, "write", n);
		bdc_fh_free(&file);
		if (bdc_rename(&c, &dir, fname, &dir, gname) != 0)
			break;
		log_line(logfd, "rename", n);
	}
	printf("storm %s: %ld rounds before the connection ended\n", name, n);
	return 0;
}

static int
verify(const char *sock, const char *name, const char *logpath)
{
	struct bdc c;
	bd_fh root, dir, fh;
	bd_attr attr;
	FILE *fp;
	char op[16], fname[32], gname[32], buf[32];
	long n, last = -1, *state = NULL, cap = 0;
	int f_there, g_there, fd, bad = 0, i;

	connect_or_die(&c, sock);
	if ((fp = fopen(logpath, "r")) == NULL)
		return 2;
	while (fscanf(fp, "%15s %ld", op, &n) == 2) {
		if (n >= cap) {
			long ncap = (n + 1) * 2;

			state = realloc(state, (size_t)ncap * sizeof(*state));
			for (i = (int)cap; i < ncap; i++)
				state[i] = 0;
			cap = ncap;
		}
		state[n] = strcmp(op, "create") == 0 ? 1 :
		    strcmp(op, "write") == 0 ? 2 : 3;
		if (n > last)
			last = n;
	}
	fclose(fp);
	if (bdc_share_root(&c, SHARE, &root) != 0 ||
	    bdc_lookup(&c, &root, name, &dir, NULL) != 0) {
		tap_ok(0, "%s: the storm's directory survived", name);
		return tap_done();
	}
	for (n = 0; n <= last + 1; n++) {
		long s = n <= last ? state[n] : 0;

		snprintf(fname, sizeof(fname), "f%ld", n);
		snprintf(gname, sizeof(gname), "g%ld", n);
		f_there = bdc_lookup(&c, &dir, fname, NULL, NULL) == 0;
		g_there = bdc_lookup(&c, &dir, gname, &fh, &attr) == 0;
		if (s == 3 && (!g_there || f_there)) {
			tap_diag("%s: rename %ld acknowledged but f=%d g=%d",
			    name, n, f_there, g_there);
			bad++;
		}
		if ((s == 1 || s == 2) && f_there + g_there != 1) {
			tap_diag("%s: create %ld acknowledged, f=%d g=%d", name,
			    n, f_there, g_there);
			bad++;
		}
		if (s == 0 && n <= last) {
			tap_diag("%s: a hole in the log at %ld", name, n);
			bad++;
		}
		/* Written and synced data must read back. */
		if (s >= 2) {
			bd_fh *which = g_there ? &fh : NULL;
			bd_fh ffh;

			if (which == NULL && bdc_lookup(&c, &dir, fname, &ffh,
			    NULL) == 0)
				which = &ffh;
			memset(buf, 0, sizeof(buf));
			if (which == NULL || bdc_open_io(&c, which, IO_READ,
			    &fd, NULL) != 0 || pread(fd, buf, sizeof(buf), 0) !=
			    (ssize_t)strlen(fname) || strcmp(buf, fname) != 0) {
				tap_diag("%s: data of %ld lost ('%s')", name, n,
				    buf);
				bad++;
			}
			if (which != NULL && fd >= 0)
				close(fd);
			if (which == &ffh)
				bdc_fh_free(&ffh);
		}
		if (g_there)
			bdc_fh_free(&fh);
	}
	/* Past the log's end + 1 nothing may exist. */
	snprintf(fname, sizeof(fname), "f%ld", last + 2);
	if (bdc_lookup(&c, &dir, fname, NULL, NULL) == 0)
		bad++;
	TAP_EQ_INT(readdir_count(&c, &dir, 0) >= 0, 1, "%s: directory reads",
	    name);
	tap_ok(bad == 0 && last >= 0, "%s: all %ld acknowledged rounds are "
	    "there, nothing half there", name, last + 1);
	free(state);
	return tap_done();
}

/* One change to the share root, made past nfsd. */
static int
entry(const char *sock, const char *op, const char *path, const char *name2)
{
	struct bdc c;
	bd_fh dir, next;
	char comp[256];
	const char *name = path, *slash;
	int rc;

	connect_or_die(&c, sock);
	memset(&dir, 0, sizeof(dir));
	rc = bdc_share_root(&c, SHARE, &dir);
	/* Down to the directory that holds the last component. */
	while (rc == 0 && (slash = strchr(name, '/')) != NULL) {
		if ((size_t)(slash - name) >= sizeof(comp)) {
			rc = -ENAMETOOLONG;
			break;
		}
		memcpy(comp, name, (size_t)(slash - name));
		comp[slash - name] = '\0';
		if ((rc = bdc_lookup(&c, &dir, comp, &next, NULL)) == 0) {
			bdc_fh_free(&dir);
			dir = next;
		}
		name = slash + 1;
	}
	if (rc != 0)
		;
	else if (strcmp(op, "create") == 0)
		rc = bdc_create(&c, &dir, name, 0644, 1, NULL, NULL);
	else if (strcmp(op, "remove") == 0)
		rc = bdc_remove(&c, &dir, name);
	else if (strcmp(op, "rename") == 0 && name2 != NULL)
		rc = bdc_rename(&c, &dir, name, &dir, name2);
	else {
		fprintf(stderr, "bd-check entry: unknown op %s\n", op);
		return 2;
	}
	printf("%s\n", rc == 0 ? "ok" : strerrorname_np(-rc));
	bdc_fh_free(&dir);
	bdc_close(&c);
	return rc == 0 ? 0 : 1;
}

/*
 * fuzz: a front end gone bad.  N requests, one at a time, of blockd's
 * own types (and a few others), each built field by field from handles
 * and names that exist, then, one time in two, damaged: bits flipped,
 * words set to edge values, cut short, lengthened, or replaced by noise.
 * A few claim to be replies, a few carry an fd (which a front end
 * never sends blockd), a few claim one and send none.  blockd must
 * answer every request (a BD_REPLY, IPC_ERROR or IPC_PONG with its id),
 * drop the connection only for those fds, and then still serve a good
 * request.
 */
struct fz {
	uint8_t		 b[2048];
	size_t		 n;
	uint64_t	 rng;
	bd_fh		 fhs[4];
};

static uint32_t
fz_rand(struct fz *z)
{
	/* xorshift64*: the seed replays a run exactly. */
	z->rng ^= z->rng >> 12;
	z->rng ^= z->rng << 25;
	z->rng ^= z->rng >> 27;
	return (uint32_t)((z->rng * 2685821657736338717ULL) >> 32);
}

static void
fz_u32(struct fz *z, uint32_t v)
{
	if (z->n + 4 > sizeof(z->b))
		return;
	z->b[z->n++] = (uint8_t)(v >> 24);
	z->b[z->n++] = (uint8_t)(v >> 16);
	z->b[z->n++] = (uint8_t)(v >> 8);
	z->b[z->n++] = (uint8_t)v;
}

static void
fz_opaque(struct fz *z, const void *p, size_t len)
{
	if (z->n + 4 + len + 3 > sizeof(z->b))
		len = 0;
	fz_u32(z, (uint32_t)len);
	memcpy(z->b + z->n, p, len);
	z->n += len;
	while (z->n % 4 != 0)
		z->b[z->n++] = 0;
}

static uint32_t
fz_edge(struct fz *z)
{
	static const uint32_t edge[] = { 0, 1, 2, 3, 7, 64, 65, 255, 256,
	    4095, 4096, 65536, 1u << 20, 0x7fffffff, 0x80000000, 0xffffffff };

	return edge[fz_rand(z) % (sizeof(edge) / sizeof(edge[0]))];
}

/* One field of a request: see the shapes below. */
static void
fz_field(struct fz *z, char f)
{
	static const uint32_t ids[] = { 0, 0, 1000, 65534 };
	char name[300];
	size_t len, i;
	uint32_t k;

	switch (f) {
	case 'C':		/* bd_cred */
		fz_u32(z, ids[fz_rand(z) % 4]);
		fz_u32(z, ids[fz_rand(z) % 4]);
		k = fz_rand(z) % 40 == 0 ? 33 : fz_rand(z) % 3;
		fz_u32(z, k);
		for (i = 0; i < k; i++)
			fz_u32(z, ids[fz_rand(z) % 4]);
		break;
	case 'F':		/* bd_fh: one that exists, or one that does not */
		k = fz_rand(z) % 6;
		if (k < 4)
			fz_opaque(z, z->fhs[k].bd_fh_val, z->fhs[k].bd_fh_len);
		else {
			len = k == 4 ? z->fhs[1].bd_fh_len : fz_rand(z) % 65;
			for (i = 0; i < len; i++)
				name[i] = (char)fz_rand(z);
			fz_opaque(z, name, len);
		}
		break;
	case 'N':		/* bd_name */
		switch (fz_rand(z) % 8) {
		case 0: fz_opaque(z, "", 0); break;
		case 1: fz_opaque(z, "..", 2); break;
		case 2: fz_opaque(z, "x/y", 3); break;
		case 3: fz_opaque(z, "a\0b", 3); break;
		case 4:
			len = fz_rand(z) % 2 ? 255 : 256;
			memset(name, 'n', len);
			fz_opaque(z, name, len);
			break;
		default:
			name[0] = "abcdefgh"[fz_rand(z) % 8];
			fz_opaque(z, name, 1);
			break;
		}
		break;
	case 'S':		/* bd_sattr: mask mode uid gid size atime mtime */
		fz_u32(z, fz_rand(z) % 64);
		fz_u32(z, fz_rand(z) % 3 ? fz_rand(z) & 07777 : fz_edge(z));
		fz_u32(z, ids[fz_rand(z) % 4]);
		fz_u32(z, ids[fz_rand(z) % 4]);
		fz_u32(z, fz_rand(z) % 4 ? 0 : fz_edge(z));
		fz_u32(z, fz_rand(z) % 4 ? fz_rand(z) % 70000 : fz_edge(z));
		for (i = 0; i < 2; i++) {
			fz_u32(z, fz_rand(z) % 4 ? 0 : fz_edge(z));
			fz_u32(z, fz_rand(z) % 2 ? 1700000000 : fz_edge(z));
			fz_u32(z, fz_rand(z) % 2 ? 0 : fz_edge(z));
		}
		break;
	case 'U':
		fz_u32(z, fz_rand(z) % 2 ? fz_rand(z) % 8 : fz_edge(z));
		break;
	case 'B':
		fz_u32(z, fz_rand(z) % 8 ? fz_rand(z) % 2 : fz_edge(z));
		break;
	case 'H':
		fz_u32(z, fz_rand(z) % 2 ? 0 : fz_edge(z));
		fz_u32(z, fz_rand(z) % 2 ? fz_rand(z) % 8 : fz_edge(z));
		break;
	case 'V':		/* a fixed 8-byte verifier */
		fz_u32(z, fz_rand(z));
		fz_u32(z, fz_rand(z));
		break;
	case 'O':		/* variable opaque: a target, an xattr value */
		len = fz_rand(z) % 300;
		for (i = 0; i < len; i++)
			name[i] = (char)('a' + fz_rand(z) % 26);
		fz_opaque(z, name, len);
		break;
	}
}

/* The request layouts of common/blockd_msg.x, BD_SHARE_ROOT = 100 on. */
static const char *const fz_shapes[] = {
	"NB", "CFN", "CF", "CFSBHU", "CFU", "CFNUVS", "CFNS", "CFNOS",
	"CFNUHS", "CFFN", "CFN", "CFN", "CFNFN", "CFHUB", "CF", "CF",
	"CFU", "CF", "CFNOU", "CFNOU", "CFNOU", "CFNOU",
};

static void
fz_damage(struct fz *z)
{
	unsigned int k, hits = 1 + fz_rand(z) % 4;
	uint32_t v;
	size_t at;

	while (hits-- > 0) {
		k = fz_rand(z) % 10;
		if (k < 4 && z->n > 0) {
			at = fz_rand(z) % z->n;
			z->b[at] ^= (uint8_t)(1u << (fz_rand(z) % 8));
		} else if (k < 7 && z->n >= 4) {
			at = (fz_rand(z) % (z->n / 4)) * 4;
			v = fz_edge(z);
			z->b[at] = (uint8_t)(v >> 24);
			z->b[at + 1] = (uint8_t)(v >> 16);
			z->b[at + 2] = (uint8_t)(v >> 8);
			z->b[at + 3] = (uint8_t)v;
		} else if (k < 8) {
			z->n = z->n > 0 ? fz_rand(z) % z->n : 0;
		} else if (k < 9) {
			for (at = fz_rand(z) % 64; at > 0 &&
			    z->n < sizeof(z->b); at--)
				z->b[z->n++] = (uint8_t)fz_rand(z);
		} else {
			z->n = fz_rand(z) % 200;
			for (at = 0; at < z->n; at++)
				z->b[at] = (uint8_t)fz_rand(z);
		}
	}
}

/* A raw frame: blockd's header, z's body, an fd if fd != -1. */
static int
fz_send(int sock, uint32_t type, uint32_t id, uint16_t flags, int fd,
    const struct fz *z)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct ipc_hdr hdr;
	struct iovec iov[2];
	struct msghdr mh;
	ssize_t n;

	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = (uint32_t)z->n;
	hdr.id = id;
	hdr.flags = flags;
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)z->b;
	iov[1].iov_len = z->n;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = z->n > 0 ? 2 : 1;
	if (fd != -1) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), &fd, sizeof(int));
	}
	n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	return n == (ssize_t)(sizeof(hdr) + z->n) ? 0 : -1;
}

/*
 * The answer to request id: 1 answered, 0 the connection is gone, -1
 * something else (a wrong id or type, or nothing in 30 s).
 */
static int
fz_answer(struct bdc *c, uint32_t id, uint32_t *type, int *status)
{
	struct ipc_sync_reply r;
	struct pollfd p;

	for (;;) {
		p.fd = c->fd;
		p.events = POLLIN;
		if (poll(&p, 1, 30000) != 1)
			return -1;
		if (ipc_sync_recv(c->fd, &r) == -1)
			return 0;
		if (r.fd != -1)
			close(r.fd);
		*type = r.hdr.type;
		/* Every BD_REPLY body starts with its status. */
		*status = -1;
		if (r.hdr.type == BD_REPLY && r.hdr.len >= 4)
			*status = (int)(((uint32_t)r.body[0] << 24) |
			    ((uint32_t)r.body[1] << 16) |
			    ((uint32_t)r.body[2] << 8) | r.body[3]);
		if (r.hdr.type == BD_NOTIFY) {
			ipc_sync_reply_free(&r);
			continue;
		}
		ipc_sync_reply_free(&r);
		if (r.hdr.id != id || !(r.hdr.flags & IPC_F_REPLY) ||
		    (*type != BD_REPLY && *type != IPC_ERROR &&
		    *type != IPC_PONG))
			return -1;
		return 1;
	}
}

static int
fuzz(const char *sock, const char *count, const char *seed)
{
	struct fz z;
	struct bdc c;
	bd_fh root;
	uint32_t type, got, id = 1000;
	unsigned long n, i, answered = 0, dropped = 0, claimed = 0;
	unsigned long unanswered = 0, damaged = 0, wrongdrop = 0, done = 0;
	uint16_t flags;
	char dirname[64];
	int fd, rc, nofd, status;

	memset(&z, 0, sizeof(z));
	n = strtoul(count, NULL, 10);
	z.rng = strtoull(seed, NULL, 0) * 2 + 1;
	printf("# seed %s, %lu requests\n", seed, n);
	connect_or_die(&c, sock);
	if (bdc_share_root(&c, SHARE, &root) != 0) {
		tap_ok(0, "share root of %s", SHARE);
		return tap_done();
	}
	/* A directory of its own (what an earlier run left is fuzzed). */
	snprintf(dirname, sizeof(dirname), "fuzz.%ld", (long)getpid());
	rc = bdc_mkdir(&c, &root, dirname, 0777, &z.fhs[1]);
	if (rc == 0)
		rc = bdc_create(&c, &z.fhs[1], "f", 0666, 0, &z.fhs[2], NULL);
	if (rc == 0)
		rc = bdc_mkdir(&c, &z.fhs[1], "d", 0777, &z.fhs[3]);
	if (!tap_ok(rc == 0, "a directory, a file and a subdirectory to aim "
	    "at (%s)", rc == 0 ? "made" : strerror(-rc)))
		return tap_done();
	bdc_fh_copy(&z.fhs[0], &root);

	for (i = 0; i < n; i++) {
		type = BD_SHARE_ROOT + fz_rand(&z) % 22;
		got = 0;
		flags = 0;
		fd = -1;
		nofd = 0;
		z.n = 0;
		for (const char *f = fz_shapes[type - BD_SHARE_ROOT]; *f; f++)
			fz_field(&z, *f);
		if (fz_rand(&z) % 2) {
			fz_damage(&z);
			damaged++;
		}
		switch (fz_rand(&z) % 100) {
		case 0: type = IPC_PING; break;
		case 1: type = BD_REPLY; break;
		case 2: type = BD_NOTIFY; break;
		case 3: type = fz_rand(&z); break;
		case 4: flags = IPC_F_REPLY; break;
		case 5: case 6: fd = open("/dev/null", O_RDONLY); break;
		case 7: nofd = fz_rand(&z) % 4 == 0; break;
		}
		if (fd != -1 || nofd)
			flags |= IPC_F_FD;
		rc = fz_send(c.fd, type, ++id, flags, fd, &z);
		if (fd != -1)
			close(fd);
		/* A claimed reply gets none; the next request tells. */
		if (rc == 0 && (flags & IPC_F_REPLY)) {
			claimed++;
			continue;
		}
		rc = rc == 0 ? fz_answer(&c, id, &got, &status) : 0;
		if (rc == 1) {
			answered++;
			done += status == 0;
			continue;
		}
		if (rc == -1) {
			/* Each would wait its 30 s: one tells enough. */
			printf("# request %lu (type %u, id %u): no proper "
			    "answer (type %u); stopping\n", i, type, id, got);
			unanswered++;
			break;
		} else {
			dropped++;
			if (!(flags & IPC_F_FD) && wrongdrop++ == 0)
				printf("# request %lu (type %u): the "
				    "connection dropped\n", i, type);
		}
		bdc_close(&c);
		connect_or_die(&c, sock);
	}
	printf("# %lu answered (%lu of them done: status 0), %lu damaged, "
	    "%lu claimed to be replies, %lu connections dropped\n", answered,
	    done, damaged, claimed, dropped);
	tap_ok(unanswered == 0, "every request answered with its id "
	    "(%lu not)", unanswered);
	tap_ok(wrongdrop == 0, "the connection dropped only for an fd sent "
	    "or promised (%lu times for something else)", wrongdrop);
	tap_ok(answered >= n - n / 10, "at least 90 %% of them answered "
	    "(%lu of %lu)", answered, n);
	/* blockd still serves, the same handles, on a new connection. */
	bdc_close(&c);
	connect_or_die(&c, sock);
	tap_ok(bdc_getattr(&c, &root, NULL) == 0 &&
	    bdc_lookup(&c, &root, dirname, NULL, NULL) == 0,
	    "afterwards blockd answers a good GETATTR and LOOKUP");
	for (i = 0; i < 4; i++)
		bdc_fh_free(&z.fhs[i]);
	bdc_fh_free(&root);
	bdc_close(&c);
	return tap_done();
}

int
main(int argc, char *argv[])
{
	if (getenv("BD_CHECK_USER") != NULL)
		user = getenv("BD_CHECK_USER");
	if (argc == 3 && strcmp(argv[1], "smoke") == 0)
		return smoke(argv[2]);
	if (argc == 5 && strcmp(argv[1], "storm") == 0)
		return storm(argv[2], argv[3], argv[4]);
	if (argc == 5 && strcmp(argv[1], "verify") == 0)
		return verify(argv[2], argv[3], argv[4]);
	if (argc == 5 && strcmp(argv[1], "fuzz") == 0)
		return fuzz(argv[2], argv[3], argv[4]);
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "entry") == 0)
		return entry(argv[2], argv[3], argv[4],
		    argc == 6 ? argv[5] : NULL);
	fprintf(stderr, "usage: bd-check smoke SOCK | storm SOCK DIR LOG | "
	    "verify SOCK DIR LOG | entry SOCK OP NAME [NAME2] | "
	    "fuzz SOCK COUNT SEED\n");
	return 2;
}
