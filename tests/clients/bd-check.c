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
 *                                 OP (create, remove, rename to NAME2,
 *                                 chmod to octal NAME2, acl: set the
 *                                 NFSv4 ACL NAME2, see acl_parse)
 *                                 on PATH (a name, or dir/.../name) in
 *                                 the share, as another front end
 *                                 would; prints ok or the errno name
 *   bd-check fuzz SOCK COUNT SEED  COUNT damaged requests (a front end
 *                                 gone bad), as TAP; SEED replays a run
 *   bd-check prep SOCK            a 0777 directory "pub" in share squash
 *                                 (while its root squash is off)
 *   bd-check policy SOCK          what blockd enforces whatever a front
 *                                 end claims (read-only and squashing
 *                                 shares, shares from the configuration,
 *                                 atomic create, set-uid, I/O rule), TAP
 *   bd-check open SOCK            BD_OPEN: each disposition, the fd it
 *                                 passes, access, read-only share, TAP
 *   bd-check caseless SOCK        share ci finds names whatever their
 *                                 case, share export does not, TAP
 *   bd-check streams SOCK         named streams (fds) and the listing of
 *                                 named attributes, TAP
 *   bd-check lockd SOCK           as lockd (BD_CHECK_USER dittofs-lockd):
 *                                 what lockd's role may not send, TAP
 *   bd-check smbd SOCK            as smbd (BD_CHECK_USER dittofs-smbd):
 *                                 what it sends served, the rest not, TAP
 *   bd-check hello SOCK ROLE      says HELLO as ROLE (as BD_CHECK_USER);
 *                                 prints accepted or refused
 *   bd-check flood SOCK COUNT     COUNT mode changes of a scratch file
 *   bd-check overflow SOCK COUNT  a front end that does not read while
 *                                 COUNT notes are made: it gets a resync
 *                                 note, as TAP
 *
 * As root it becomes dittofs-nfsd first (blockd checks SO_PEERCRED).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/acl.h"
#include "bdc.h"
#include "fz.h"
#include "tap.h"

#define SHARE	"export"
#define IO_READ		0x01
#define IO_WRITE	0x02
#define IO_OWNER	0x04	/* STORE_IO_OWNER_OVERRIDE */
#define IO_READ_IF_EXEC	0x08
#define SATTR_MODE	0x01
#define SATTR_UID	0x02
#define SATTR_SIZE	0x08

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

static void	acl_smoke(struct bdc *, const bd_fh *);

/* SETATTR of the DOS word (STORE_SATTR_DOS, 0x100). */
static int
setattr_dos(struct bdc *c, const bd_fh *fh, unsigned int dos)
{
	struct bd_setattr_req req;
	struct bd_wcc_reply rep;

	memset(&req, 0, sizeof(req));
	req.cred = c->cred;
	req.fh = *fh;
	req.sattr.mask = 0x100;
	req.sattr.dos = dos;
	memset(&rep, 0, sizeof(rep));
	if (bdc_call(c, BD_SETATTR, (xdrproc_t)xdr_bd_setattr_req, &req,
	    (xdrproc_t)xdr_bd_wcc_reply, &rep, NULL) == -1)
		return -EIO;
	return rep.status;
}

/*
 * A removed file of more than one trim step (16 MiB) that this front end
 * holds open: blockd's idle turns do not free it in pieces, and the fd
 * reads its data (no zeros) until it is closed.
 */
static void
held_smoke(struct bdc *c, const bd_fh *root)
{
	static char chunk[1 << 20];
	bd_fh fh;
	size_t off;
	int fd = -1, i, rc, intact;

	memset(chunk, 'h', sizeof(chunk));
	rc = bdc_create(c, root, "held", 0644, 0, &fh, NULL);
	if (rc == 0)
		rc = bdc_open_io(c, &fh, IO_READ | IO_WRITE, &fd, NULL);
	for (off = 0; rc == 0 && off < (20u << 20); off += sizeof(chunk))
		if (pwrite(fd, chunk, sizeof(chunk), (off_t)off) !=
		    (ssize_t)sizeof(chunk) || fsync(fd) == -1)
			rc = -EIO;
	if (rc == 0)
		rc = bdc_rename(c, root, "held", root, "held2");
	if (rc == 0)
		rc = bdc_remove(c, root, "held2");
	/* Each round trip leaves blockd idle turns for its trim steps. */
	for (i = 0; rc == 0 && i < 200; i++)
		rc = bdc_getattr(c, root, NULL);
	intact = rc == 0;
	for (off = 0; intact && off < (20u << 20); off += sizeof(chunk))
		if (pread(fd, chunk, 4096, (off_t)off) != 4096 ||
		    chunk[0] != 'h' || chunk[4095] != 'h')
			intact = 0;
	tap_ok(intact, "a removed 20 MiB file held open: after 200 round "
	    "trips its fd still reads its data, no freed pieces");
	if (fd >= 0)
		close(fd);
	if (rc == 0)
		bdc_fh_free(&fh);
}

/* The change attribute, birth time and DOS word over the wire. */
static void
attr_smoke(struct bdc *c, const bd_fh *file)
{
	bd_attr a0, a1;
	int rc;

	rc = bdc_getattr(c, file, &a0);
	if (rc == 0)
		rc = setattr_dos(c, file, 0x2 | 0x20);	/* hidden, archive */
	if (rc == 0)
		rc = bdc_getattr(c, file, &a1);
	tap_ok(rc == 0 && a1.dos == (0x2 | 0x20) && a1.change > a0.change &&
	    a1.btime.sec == a0.btime.sec && a1.btime.nsec == a0.btime.nsec,
	    "SETATTR of the DOS word: read back, change moved, birth kept "
	    "(dos %#x)", a1.dos);
	TAP_EQ_INT(setattr_dos(c, file, 0x10), -EINVAL,
	    "SETATTR of a DOS bit not settable: EINVAL");
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

	acl_smoke(&c, &file);
	attr_smoke(&c, &file);
	held_smoke(&c, &root);
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

/*
 * An ACL from text: ACEs "T:WHO:MASK" joined by ','.  T is A (allow) or
 * D (deny); WHO is OWNER@, GROUP@, EVERYONE@, a uid, or g and a gid;
 * MASK letters: r READ_DATA, w WRITE_DATA and APPEND_DATA, x EXECUTE,
 * d DELETE, a WRITE_ACL.  Appended to acl; -EINVAL if malformed.
 */
static int
acl_parse(const char *spec, struct acl *acl)
{
	struct acl_ace *e;
	const char *p = spec;
	char *end;

	while (*p != '\0') {
		if (acl->count >= ACL_ACES_MAX || (p[0] != 'A' && p[0] != 'D') ||
		    p[1] != ':')
			return -EINVAL;
		e = &acl->ace[acl->count++];
		memset(e, 0, sizeof(*e));
		e->type = p[0] == 'A' ? ACL_TYPE_ALLOW : ACL_TYPE_DENY;
		p += 2;
		if (strncmp(p, "OWNER@:", 7) == 0) {
			e->who = ACL_WHO_OWNER;
			p += 6;
		} else if (strncmp(p, "GROUP@:", 7) == 0) {
			e->who = ACL_WHO_GROUP;
			p += 6;
		} else if (strncmp(p, "EVERYONE@:", 10) == 0) {
			e->who = ACL_WHO_EVERYONE;
			p += 9;
		} else {
			e->who = ACL_WHO_ID;
			if (*p == 'g') {
				e->flags |= ACL_FLAG_IDENTIFIER_GROUP;
				p++;
			}
			e->id = (uint32_t)strtoul(p, &end, 10);
			if (end == p)
				return -EINVAL;
			p = end;
		}
		if (*p++ != ':')
			return -EINVAL;
		for (; *p != '\0' && *p != ','; p++)
			switch (*p) {
			case 'r': e->mask |= ACL_READ_DATA; break;
			case 'w': e->mask |= ACL_WRITE_DATA | ACL_APPEND_DATA;
				break;
			case 'x': e->mask |= ACL_EXECUTE; break;
			case 'd': e->mask |= ACL_DELETE; break;
			case 'a': e->mask |= ACL_WRITE_ACL; break;
			default: return -EINVAL;
			}
		if (*p == ',')
			p++;
	}
	return 0;
}

/*
 * BD_ACL_SET of f from spec (acl_parse); a leading '+' puts the ACEs
 * before f's current ACL (BD_ACL_GET), as a client adds a named ACE.
 */
static int
acl_set_spec(struct bdc *c, const bd_fh *f, const char *spec)
{
	struct bd_acl_req req;
	struct bd_acl_reply rep;
	static struct acl acl, cur;
	uint8_t buf[ACL_ENCODED_MAX];
	size_t len, i;
	int rv, prepend = spec[0] == '+';

	acl.count = cur.count = 0;
	memset(&req, 0, sizeof(req));
	req.cred = c->cred;
	req.fh = *f;
	if (prepend) {
		memset(&rep, 0, sizeof(rep));
		if (bdc_call(c, BD_ACL_GET, (xdrproc_t)xdr_bd_acl_req, &req,
		    (xdrproc_t)xdr_bd_acl_reply, &rep, NULL) == -1)
			return -EIO;
		rv = rep.status;
		if (rv == 0 && acl_decode((uint8_t *)rep.acl.acl_val,
		    rep.acl.acl_len, &cur) != 0)
			rv = -EBADMSG;
		xdr_free((xdrproc_t)xdr_bd_acl_reply, &rep);
		if (rv != 0)
			return rv;
		spec++;
	}
	if ((rv = acl_parse(spec, &acl)) != 0)
		return rv;
	for (i = 0; i < cur.count && acl.count < ACL_ACES_MAX; i++)
		acl.ace[acl.count++] = cur.ace[i];
	if ((rv = acl_encode(&acl, buf, sizeof(buf), &len)) != 0)
		return rv;
	req.acl.acl_len = (u_int)len;
	req.acl.acl_val = (char *)buf;
	memset(&rep, 0, sizeof(rep));
	if (bdc_call(c, BD_ACL_SET, (xdrproc_t)xdr_bd_acl_req, &req,
	    (xdrproc_t)xdr_bd_acl_reply, &rep, NULL) == -1)
		return -EIO;
	rv = rep.status;
	xdr_free((xdrproc_t)xdr_bd_acl_reply, &rep);
	return rv;
}

/* BD_ACL_GET or _SET of f with data; the status, rep filled. */
static int
acl_call(struct bdc *c, uint32_t type, const bd_fh *f, const void *data,
    size_t len, struct bd_acl_reply *rep)
{
	struct bd_acl_req req;

	memset(&req, 0, sizeof(req));
	req.cred = c->cred;
	req.fh = *f;
	req.acl.acl_len = (u_int)len;
	req.acl.acl_val = (char *)data;
	memset(rep, 0, sizeof(*rep));
	if (bdc_call(c, type, (xdrproc_t)xdr_bd_acl_req, &req,
	    (xdrproc_t)xdr_bd_acl_reply, rep, NULL) == -1)
		return -EIO;
	return rep->status;
}

/* The ACL messages: the mode's ACL, strict decoding, the attr flag. */
static void
acl_smoke(struct bdc *c, const bd_fh *f)
{
	struct bd_acl_reply rep;
	static struct acl acl;
	bd_attr attr;
	uint32_t mode;
	int rv;

	rv = acl_call(c, BD_ACL_GET, f, NULL, 0, &rep);
	mode = rep.attr.mode;
	tap_ok(rv == 0 && acl_decode((uint8_t *)rep.acl.acl_val,
	    rep.acl.acl_len, &acl) == 0 && acl_is_trivial(&acl, 0) &&
	    acl_to_mode(&acl, 0) == (mode & 0777) && !(rep.attr.flags & 2),
	    "ACL_GET without an ACL of its own: the mode's (%o)", mode);
	xdr_free((xdrproc_t)xdr_bd_acl_reply, &rep);
	TAP_EQ_INT(acl_call(c, BD_ACL_GET, f, "x", 1, &rep), -EINVAL,
	    "ACL_GET carrying an ACL: EINVAL");
	xdr_free((xdrproc_t)xdr_bd_acl_reply, &rep);
	TAP_EQ_INT(acl_call(c, BD_ACL_SET, f, "\001\000\001", 3, &rep),
	    -EINVAL, "ACL_SET of a truncated ACL: EINVAL");
	xdr_free((xdrproc_t)xdr_bd_acl_reply, &rep);
	TAP_EQ_INT(acl_set_spec(c, f, "+D:4242:r"), 0,
	    "ACL_SET: a named deny before the mode's ACEs");
	tap_ok(bdc_getattr(c, f, &attr) == 0 && (attr.flags & 2) &&
	    attr.mode == mode, "the attributes flag it, the mode stays");
	TAP_EQ_INT(acl_call(c, BD_ACL_SET, f, NULL, 0, &rep), 0,
	    "ACL_SET of nothing drops the ACL");
	tap_ok(!(rep.attr.flags & 2) && rep.attr.mode == mode,
	    "no flag, the same mode");
	xdr_free((xdrproc_t)xdr_bd_acl_reply, &rep);
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
	else if (strcmp(op, "chmod") == 0 && name2 != NULL) {
		if ((rc = bdc_lookup(&c, &dir, name, &next, NULL)) == 0) {
			rc = setattr_mode(&c, &next,
			    (unsigned int)strtoul(name2, NULL, 8));
			bdc_fh_free(&next);
		}
	} else if (strcmp(op, "acl") == 0 && name2 != NULL) {
		if ((rc = bdc_lookup(&c, &dir, name, &next, NULL)) == 0) {
			rc = acl_set_spec(&c, &next, name2);
			bdc_fh_free(&next);
		}
	}
	else {
		fprintf(stderr, "bd-check entry: unknown op %s\n", op);
		return 2;
	}
	printf("%s\n", rc == 0 ? "ok" : strerrorname_np(-rc));
	bdc_fh_free(&dir);
	bdc_close(&c);
	return rc == 0 ? 0 : 1;
}

static int
share_root_create(struct bdc *c, const char *name, int create)
{
	struct bd_share_root_req req = { (char *)name, create };
	struct bd_entry_reply rep;
	int status;

	memset(&rep, 0, sizeof(rep));
	if (bdc_call(c, BD_SHARE_ROOT, (xdrproc_t)xdr_bd_share_root_req, &req,
	    (xdrproc_t)xdr_bd_entry_reply, &rep, NULL) == -1)
		return -EIO;
	status = rep.status;
	xdr_free((xdrproc_t)xdr_bd_entry_reply, &rep);
	return status;
}

/* CREATE with a sattr of our own; returns the status. */
static int
create_sattr(struct bdc *c, const bd_fh *dir, const char *name,
    const bd_sattr *sa, bd_fh *out, bd_attr *attr)
{
	struct bd_create_req req;

	memset(&req, 0, sizeof(req));
	req.cred = c->cred;
	req.dir = *dir;
	req.name.bd_name_len = (u_int)strlen(name);
	req.name.bd_name_val = (char *)name;
	req.how = 0;
	req.sattr = *sa;
	return bdc_entry_call(c, BD_CREATE, (xdrproc_t)xdr_bd_create_req, &req,
	    out, attr);
}

static int
setattr_size(struct bdc *c, const bd_fh *fh, uint64_t size)
{
	struct bd_setattr_req req;
	struct bd_wcc_reply rep;

	memset(&req, 0, sizeof(req));
	req.cred = c->cred;
	req.fh = *fh;
	req.sattr.mask = SATTR_SIZE;
	req.sattr.size = size;
	memset(&rep, 0, sizeof(rep));
	if (bdc_call(c, BD_SETATTR, (xdrproc_t)xdr_bd_setattr_req, &req,
	    (xdrproc_t)xdr_bd_wcc_reply, &rep, NULL) == -1)
		return -EIO;
	return rep.status;
}

static int
xattr_set(struct bdc *c, const bd_fh *fh)
{
	struct bd_xattr_req req;
	struct bd_xattr_reply rep;

	memset(&req, 0, sizeof(req));
	req.cred = c->cred;
	req.fh = *fh;
	req.name.name_len = 8;
	req.name.name_val = (char *)"user.bdc";
	req.value.value_len = 1;
	req.value.value_val = (char *)"x";
	memset(&rep, 0, sizeof(rep));
	if (bdc_call(c, BD_XATTR_SET, (xdrproc_t)xdr_bd_xattr_req, &req,
	    (xdrproc_t)xdr_bd_xattr_reply, &rep, NULL) == -1)
		return -EIO;
	xdr_free((xdrproc_t)xdr_bd_xattr_reply, &rep);
	return rep.status;
}

static int
access_bits(struct bdc *c, const bd_fh *fh, unsigned int want,
    unsigned int *granted)
{
	struct bd_access_req req;
	struct bd_access_reply rep;

	memset(&req, 0, sizeof(req));
	req.cred = c->cred;
	req.fh = *fh;
	req.want = want;
	memset(&rep, 0, sizeof(rep));
	if (bdc_call(c, BD_ACCESS, (xdrproc_t)xdr_bd_access_req, &req,
	    (xdrproc_t)xdr_bd_access_reply, &rep, NULL) == -1)
		return -EIO;
	*granted = rep.granted;
	return rep.status;
}

static unsigned int
mode_of(struct bdc *c, const bd_fh *fh)
{
	bd_attr a;

	memset(&a, 0, sizeof(a));
	if (bdc_getattr(c, fh, &a) != 0)
		return 0xffffffffu;
	return a.mode & 07777;
}

/* A file of root's in dir with mode (chmod'ed: no umask, no squash). */
static int
root_file(struct bdc *c, const bd_fh *dir, const char *name,
    unsigned int mode, bd_fh *out)
{
	bdc_remove(c, dir, name);
	if (bdc_create(c, dir, name, mode, 1, out, NULL) != 0)
		return -1;
	return setattr_mode(c, out, mode);
}

/* The operation's status, with the file's mode after OPEN_IO. */
static int
open_io_as(struct bdc *c, unsigned int uid, const bd_fh *fh,
    unsigned int flags)
{
	int fd, rc;

	bdc_set_cred(c, uid, uid);
	rc = bdc_open_io(c, fh, flags, &fd, NULL);
	if (fd >= 0)
		close(fd);
	bdc_set_cred(c, 0, 0);
	return rc;
}

/* BD_OPEN with a disposition and no more; the reply's opened in *opened. */
static int
open_as(struct bdc *c, const bd_fh *dir, const char *name,
    unsigned int disp, unsigned int io, bd_fh *out, bd_attr *attr,
    unsigned int *opened, int *fd)
{
	struct bdc_open_args a;

	memset(&a, 0, sizeof(a));
	a.disposition = disp;
	a.mode = 0640;
	a.access = io;
	a.io = io;
	memcpy(a.verf, "verifier", BD_VERF_SIZE);
	return bdc_open(c, dir, name, &a, out, attr, opened, fd, NULL);
}

static int
fd_reads(int fd, const char *data)
{
	char buf[64];
	ssize_t n;

	if (fd < 0)
		return 0;
	n = pread(fd, buf, sizeof(buf), 0);
	return n == (ssize_t)strlen(data) && memcmp(buf, data, n) == 0;
}

static int
fh_same(const bd_fh *a, const bd_fh *b)
{
	return a->bd_fh_len == b->bd_fh_len &&
	    memcmp(a->bd_fh_val, b->bd_fh_val, a->bd_fh_len) == 0;
}

/* BD_OPEN, each disposition, over the socket (as nfsd, uid 0). */
static int
open_check(const char *sock)
{
	struct bdc c;
	struct bdc_open_args a;
	bd_fh root, dir, f, f2, ro;
	bd_attr attr, attr2;
	bd_wcc wcc;
	unsigned int opened = 0;
	int fd, fd2, rc;

	connect_or_die(&c, sock);
	if (!tap_ok(bdc_share_root(&c, SHARE, &root) == 0 &&
	    bdc_share_root(&c, "ro", &ro) == 0, "open: share roots"))
		return tap_done();
	bdc_rmdir(&c, &root, "open");
	if (!tap_ok(bdc_mkdir(&c, &root, "open", 0777, &dir) == 0,
	    "open: mkdir open"))
		return tap_done();
	TAP_EQ_INT(open_as(&c, &dir, "f", 1, 0, NULL, NULL, NULL, NULL),
	    -ENOENT, "OPEN of a missing name: ENOENT");
	memset(&a, 0, sizeof(a));
	a.disposition = 2;
	a.mode = 0640;
	a.access = a.io = IO_READ | IO_WRITE;
	rc = bdc_open(&c, &dir, "f", &a, &f, &attr, &opened, &fd, &wcc);
	tap_ok(rc == 0 && opened == 2 && fd >= 0 && attr.type == 1 &&
	    attr.mode == 0640, "CREATE: created, mode 0640, an fd with the "
	    "reply");
	tap_ok(wcc.valid && wcc.after.change > wcc.before.change,
	    "the directory's wcc moved");
	tap_ok(fd >= 0 && pwrite(fd, "hello", 5, 0) == 5,
	    "write through the fd");
	if (fd >= 0)
		close(fd);
	tap_ok(bdc_getattr(&c, &f, &attr) == 0 && attr.size == 5,
	    "getattr sees 5 bytes");
	TAP_EQ_INT(open_as(&c, &dir, "f", 2, 0, NULL, NULL, NULL, NULL),
	    -EEXIST, "CREATE of an existing name: EEXIST");
	rc = open_as(&c, &dir, "f", 1, IO_READ, &f2, NULL, &opened, &fd);
	tap_ok(rc == 0 && opened == 1 && fh_same(&f, &f2) &&
	    fd_reads(fd, "hello"), "OPEN for reading: opened, the fd reads");
	bdc_fh_free(&f2);
	if (fd >= 0)
		close(fd);
	rc = open_as(&c, &dir, "f", 3, 0, NULL, NULL, &opened, NULL);
	tap_ok(rc == 0 && opened == 1, "OPEN_IF of an existing file: opened");
	rc = open_as(&c, &dir, "g", 3, 0, NULL, NULL, &opened, NULL);
	tap_ok(rc == 0 && opened == 2, "OPEN_IF of a missing name: created");
	rc = open_as(&c, &dir, "x", 4, 0, &f2, &attr, &opened, NULL);
	tap_ok(rc == 0 && opened == 2, "EXCLUSIVE: created");
	rc = open_as(&c, &dir, "x", 4, 0, NULL, &attr2, &opened, NULL);
	tap_ok(rc == 0 && opened == 2 && attr2.ino == attr.ino,
	    "EXCLUSIVE retried, same verifier: the same file");
	bdc_fh_free(&f2);
	memset(&a, 0, sizeof(a));
	a.disposition = 4;
	memcpy(a.verf, "another!", BD_VERF_SIZE);
	TAP_EQ_INT(bdc_open(&c, &dir, "x", &a, NULL, NULL, NULL, NULL, NULL),
	    -EEXIST, "EXCLUSIVE, another verifier: EEXIST");
	TAP_EQ_INT(open_as(&c, &dir, "o", 5, 0, NULL, NULL, NULL, NULL),
	    -ENOENT, "OVERWRITE of a missing name: ENOENT");
	rc = open_as(&c, &dir, "o", 6, 0, NULL, NULL, &opened, NULL);
	tap_ok(rc == 0 && opened == 2, "OVERWRITE_IF of a missing name: "
	    "created");
	rc = bdc_open_io(&c, &f, IO_READ, &fd2, NULL);
	rc = open_as(&c, &dir, "f", 5, IO_WRITE, NULL, &attr, &opened, &fd);
	tap_ok(rc == 0 && opened == 3 && attr.size == 0 && fd >= 0,
	    "OVERWRITE: truncated to 0, an fd");
	tap_ok(fd >= 0 && pwrite(fd, "old", 3, 0) == 3, "write \"old\"");
	if (fd >= 0)
		close(fd);
	rc = open_as(&c, &dir, "f", 7, IO_READ, &f2, &attr2, &opened, &fd);
	tap_ok(rc == 0 && opened == 4 && attr2.ino == attr.ino &&
	    attr2.size == 0 && fd_reads(fd, ""),
	    "SUPERSEDE: the same file emptied in place (MS-FSA 2.1.5.1.2), "
	    "its fd");
	if (fd >= 0)
		close(fd);
	tap_ok(fd_reads(fd2, ""), "an fd held on it before reads it emptied");
	if (fd2 >= 0)
		close(fd2);
	TAP_EQ_INT(bdc_getattr(&c, &f, NULL), 0,
	    "the file's handle from before still names it");
	bdc_fh_free(&f);
	TAP_EQ_INT(open_as(&c, &root, "open", 1, 0, NULL, NULL, NULL, NULL),
	    -EISDIR, "OPEN of a directory: EISDIR");
	TAP_EQ_INT(open_as(&c, &dir, "f", 9, 0, NULL, NULL, NULL, NULL),
	    -EINVAL, "disposition 9: EINVAL");
	TAP_EQ_INT(open_as(&c, &dir, "f", 1, 0x100, NULL, NULL, NULL, NULL),
	    -EINVAL, "io bits beyond STORE_IO_*: EINVAL");
	bdc_set_cred(&c, 1000, 1000);
	fd = 0;
	TAP_EQ_INT(open_as(&c, &dir, "f", 1, IO_READ, NULL, NULL, NULL, &fd),
	    -EACCES, "OPEN for reading of root's 0640 file by uid 1000: "
	    "EACCES");
	TAP_EQ_INT(fd, -1, "and no fd came");
	bdc_set_cred(&c, 0, 0);
	TAP_EQ_INT(open_as(&c, &ro, "f", 3, 0, NULL, NULL, NULL, NULL),
	    -EROFS, "OPEN_IF in the read-only share: EROFS");
	TAP_EQ_INT(open_as(&c, &ro, "f", 1, IO_READ, NULL, NULL, NULL, NULL),
	    -ENOENT, "OPEN for reading there is no change: ENOENT");
	TAP_EQ_INT(open_as(&c, &ro, "f", 1, IO_WRITE, NULL, NULL, NULL, NULL),
	    -EROFS, "OPEN for writing there: EROFS");
	bdc_remove(&c, &dir, "f");
	bdc_remove(&c, &dir, "f2");
	bdc_remove(&c, &dir, "g");
	bdc_remove(&c, &dir, "x");
	bdc_remove(&c, &dir, "o");
	tap_ok(bdc_rmdir(&c, &root, "open") == 0, "open: cleaned up");
	bdc_fh_free(&f2);
	bdc_fh_free(&dir);
	bdc_fh_free(&ro);
	bdc_fh_free(&root);
	bdc_close(&c);
	return tap_done();
}

/*
 * Share ci is case-insensitive, export is not, whatever the
 * configuration says now: the value each share was made with rules.
 */
static int
caseless(const char *sock)
{
	struct bdc c;
	bd_fh ci, root, f, f2;
	bd_attr attr;
	unsigned int opened = 0;
	int rc;

	connect_or_die(&c, sock);
	if (!tap_ok(bdc_share_root(&c, "ci", &ci) == 0 &&
	    bdc_share_root(&c, SHARE, &root) == 0, "caseless: share roots"))
		return tap_done();
	tap_ok(bdc_getattr(&c, &ci, &attr) == 0 && (attr.flags & 0x04),
	    "share ci's root says caseless (STORE_ATTR_CASELESS)");
	tap_ok(bdc_getattr(&c, &root, &attr) == 0 && !(attr.flags & 0x04),
	    "share %s's root does not", SHARE);
	bdc_remove(&c, &ci, "readme");
	rc = open_as(&c, &ci, "README", 2, 0, &f, NULL, &opened, NULL);
	tap_ok(rc == 0 && opened == 2, "ci: BD_OPEN CREATE README");
	tap_ok(bdc_lookup(&c, &ci, "readme", &f2, NULL) == 0 &&
	    fh_same(&f, &f2), "ci: lookup readme finds it");
	bdc_fh_free(&f2);
	TAP_EQ_INT(bdc_create(&c, &ci, "Readme", 0644, 1, NULL, NULL), -EEXIST,
	    "ci: a guarded CREATE of Readme: EEXIST");
	rc = open_as(&c, &ci, "rEaDmE", 3, 0, &f2, NULL, &opened, NULL);
	tap_ok(rc == 0 && opened == 1 && fh_same(&f, &f2),
	    "ci: BD_OPEN OPEN_IF rEaDmE opens it");
	bdc_fh_free(&f2);
	TAP_EQ_INT(bdc_rename(&c, &ci, "readme", &ci, "ReadMe.txt"), 0,
	    "ci: rename readme to ReadMe.txt");
	TAP_EQ_INT(bdc_lookup(&c, &ci, "README.TXT", NULL, NULL), 0,
	    "ci: lookup README.TXT finds it");
	TAP_EQ_INT(bdc_remove(&c, &ci, "readme.TXT"), 0,
	    "ci: remove readme.TXT");
	TAP_EQ_INT(bdc_lookup(&c, &ci, "ReadMe.txt", NULL, NULL), -ENOENT,
	    "ci: it is gone");
	bdc_fh_free(&f);
	bdc_remove(&c, &root, "CaseTest");
	TAP_EQ_INT(open_as(&c, &root, "CaseTest", 2, 0, NULL, NULL, NULL,
	    NULL), 0, "%s: create CaseTest", SHARE);
	TAP_EQ_INT(bdc_lookup(&c, &root, "casetest", NULL, NULL), -ENOENT,
	    "%s: lookup casetest: ENOENT, names are exact", SHARE);
	TAP_EQ_INT(bdc_remove(&c, &root, "CaseTest"), 0, "%s: remove "
	    "CaseTest", SHARE);
	bdc_fh_free(&ci);
	bdc_fh_free(&root);
	bdc_close(&c);
	return tap_done();
}

/* BD_STREAM_OPEN; *fd gets the stream's fd or -1. */
static int
stream_open(struct bdc *c, const bd_fh *fh, const char *name,
    unsigned int disp, unsigned int io, unsigned int *opened, int *fd,
    uint64_t *size)
{
	struct bd_stream_open_req req;
	struct bd_stream_open_reply rep;
	int got = -1;

	memset(&req, 0, sizeof(req));
	req.cred = c->cred;
	req.fh = *fh;
	req.name.bd_name_len = (u_int)strlen(name);
	req.name.bd_name_val = (char *)name;
	req.disposition = disp;
	req.access = req.io = io;
	memset(&rep, 0, sizeof(rep));
	*fd = -1;
	if (bdc_call(c, BD_STREAM_OPEN, (xdrproc_t)xdr_bd_stream_open_req,
	    &req, (xdrproc_t)xdr_bd_stream_open_reply, &rep, &got) == -1)
		return -EIO;
	*opened = rep.opened;
	*size = rep.size;
	*fd = got;
	return rep.status;
}

static int
stream_remove(struct bdc *c, const bd_fh *fh, const char *name)
{
	struct bd_stream_req req;
	struct bd_attr_reply rep;

	memset(&req, 0, sizeof(req));
	req.cred = c->cred;
	req.fh = *fh;
	req.name.bd_name_len = (u_int)strlen(name);
	req.name.bd_name_val = (char *)name;
	memset(&rep, 0, sizeof(rep));
	if (bdc_call(c, BD_STREAM_REMOVE, (xdrproc_t)xdr_bd_stream_req, &req,
	    (xdrproc_t)xdr_bd_attr_reply, &rep, NULL) == -1)
		return -EIO;
	return rep.status;
}

/* BD_STREAM_RENAME of fh's stream from to to ("": the file's data). */
static int
stream_rename(struct bdc *c, const bd_fh *fh, const char *from,
    const char *to, unsigned int replace)
{
	struct bd_stream_rename_req req;
	struct bd_attr_reply rep;

	memset(&req, 0, sizeof(req));
	req.cred = c->cred;
	req.fh = *fh;
	req.from.bd_name_len = (u_int)strlen(from);
	req.from.bd_name_val = (char *)from;
	req.to.bd_name_len = (u_int)strlen(to);
	req.to.bd_name_val = (char *)to;
	req.replace = replace;
	memset(&rep, 0, sizeof(rep));
	if (bdc_call(c, BD_STREAM_RENAME, (xdrproc_t)xdr_bd_stream_rename_req,
	    &req, (xdrproc_t)xdr_bd_attr_reply, &rep, NULL) == -1)
		return -EIO;
	return rep.status;
}

/* Named attributes of fh: "x:NAME:SIZE" or "s:NAME:SIZE" joined by ' '. */
static int
named_list(struct bdc *c, const bd_fh *fh, char *buf, size_t bufsize)
{
	struct bd_fh_req req;
	struct bd_named_list_reply rep;
	size_t off = 0;
	u_int i;
	int status;

	req.cred = c->cred;
	req.fh = *fh;
	memset(&rep, 0, sizeof(rep));
	buf[0] = '\0';
	if (bdc_call(c, BD_NAMED_LIST, (xdrproc_t)xdr_bd_fh_req, &req,
	    (xdrproc_t)xdr_bd_named_list_reply, &rep, NULL) == -1)
		return -EIO;
	for (i = 0; i < rep.entries.entries_len && off < bufsize; i++)
		off += (size_t)snprintf(buf + off, bufsize - off, "%s%s:%.*s:%llu",
		    i ? " " : "", rep.entries.entries_val[i].kind == 2 ? "s" :
		    "x", (int)rep.entries.entries_val[i].name.bd_name_len,
		    rep.entries.entries_val[i].name.bd_name_val,
		    (unsigned long long)rep.entries.entries_val[i].size);
	status = rep.status;
	xdr_free((xdrproc_t)xdr_bd_named_list_reply, &rep);
	return status;
}

static int	role_refused(const char *, enum ipc_role, uint32_t, xdrproc_t,
		    const void *);

/* Named streams and the listing over the socket (as nfsd, uid 0). */
static int
streams(const char *sock)
{
	struct bdc c;
	bd_fh root, f, ro;
	char list[512];
	unsigned int opened = 0;
	uint64_t size = 0;
	int fd, fd2, rc;

	connect_or_die(&c, sock);
	if (!tap_ok(bdc_share_root(&c, SHARE, &root) == 0 &&
	    bdc_share_root(&c, "ro", &ro) == 0, "streams: share roots"))
		return tap_done();
	bdc_remove(&c, &root, "streamed");
	rc = open_as(&c, &root, "streamed", 2, IO_WRITE, &f, NULL, NULL, &fd);
	tap_ok(rc == 0 && fd >= 0 && pwrite(fd, "main", 4, 0) == 4,
	    "a file with data");
	if (fd >= 0)
		close(fd);
	rc = stream_open(&c, &f, "ads", 3, IO_READ | IO_WRITE, &opened, &fd,
	    &size);
	tap_ok(rc == 0 && opened == 2 && fd >= 0 && size == 0,
	    "STREAM_OPEN OPEN_IF: a new stream, its fd with the reply");
	tap_ok(fd >= 0 && pwrite(fd, "alternate", 9, 0) == 9,
	    "write the stream through its fd");
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(xattr_set(&c, &f), 0, "a user xattr too");
	rc = named_list(&c, &f, list, sizeof(list));
	tap_ok(rc == 0 && strcmp(list, "s:ads:9 x:user.bdc:1") == 0,
	    "NAMED_LIST: the stream and the xattr (%s)", list);
	rc = stream_open(&c, &f, "ads", 1, IO_READ, &opened, &fd, &size);
	tap_ok(rc == 0 && opened == 1 && size == 9 && fd_reads(fd, "alternate"),
	    "STREAM_OPEN OPEN for reading: its data");
	rc = bdc_open_io(&c, &f, IO_READ, &fd2, NULL);
	tap_ok(rc == 0 && fd_reads(fd2, "main"), "the file's data is apart");
	if (fd2 >= 0)
		close(fd2);
	TAP_EQ_INT(stream_open(&c, &f, "a:b", 3, IO_READ, &opened, &fd2,
	    &size), -EINVAL, "a stream name with ':': EINVAL");
	TAP_EQ_INT(stream_open(&c, &f, "x", 4, IO_READ, &opened, &fd2,
	    &size), -EINVAL, "EXCLUSIVE: EINVAL");
	bdc_set_cred(&c, 1000, 1000);
	TAP_EQ_INT(stream_open(&c, &f, "mine", 3, IO_WRITE, &opened, &fd2,
	    &size), -EACCES, "uid 1000 makes a stream on root's 0640 file: "
	    "EACCES");
	TAP_EQ_INT(stream_remove(&c, &f, "ads"), -EACCES,
	    "uid 1000 removes one: EACCES");
	bdc_set_cred(&c, 0, 0);
	TAP_EQ_INT(stream_open(&c, &ro, "x", 3, IO_READ, &opened, &fd2,
	    &size), -EROFS, "a stream made in the read-only share: EROFS");
	TAP_EQ_INT(stream_remove(&c, &f, "ads"), 0, "STREAM_REMOVE");
	rc = named_list(&c, &f, list, sizeof(list));
	tap_ok(rc == 0 && strcmp(list, "x:user.bdc:1") == 0,
	    "the listing lost it (%s)", list);
	tap_ok(fd_reads(fd, "alternate"), "an fd held on it still reads");
	if (fd >= 0)
		close(fd);
	rc = stream_open(&c, &f, "two", 3, IO_WRITE, &opened, &fd, &size);
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(rc, 0, "another stream");
	TAP_EQ_INT(bdc_remove(&c, &root, "streamed"), 0,
	    "remove the file with its stream");
	tap_ok(role_refused(sock, IPC_ROLE_NFSD, BD_STREAM_RENAME,
	    (xdrproc_t)xdr_bd_stream_rename_req,
	    &(struct bd_stream_rename_req){ .fh = root }),
	    "nfsd: STREAM_RENAME (smbd's alone): disconnected");
	bdc_fh_free(&f);
	bdc_fh_free(&ro);
	bdc_fh_free(&root);
	bdc_close(&c);
	return tap_done();
}

/* Made while [share squash] has root squash = no. */
static int
prep(const char *sock)
{
	struct bdc c;
	bd_fh root, pub;
	int rc;

	connect_or_die(&c, sock);
	if ((rc = bdc_share_root(&c, "squash", &root)) != 0 ||
	    (rc = bdc_mkdir(&c, &root, "pub", 0777, &pub)) != 0 ||
	    (rc = setattr_mode(&c, &pub, 0777)) != 0) {
		fprintf(stderr, "prep: %s\n", strerror(-rc));
		return 1;
	}
	printf("ok\n");
	return 0;
}

/*
 * What blockd enforces itself, whatever the front end (here: one that
 * says it is nfsd) claims in its credentials.
 */
static int
policy(const char *sock)
{
	struct bdc c;
	bd_fh root, ro, sq, pub, dir, f;
	bd_sattr sa;
	bd_attr attr;
	unsigned int granted = 0, before;
	int rc;

	connect_or_die(&c, sock);
	if (!tap_ok(bdc_share_root(&c, SHARE, &root) == 0 &&
	    bdc_share_root(&c, "ro", &ro) == 0 &&
	    bdc_share_root(&c, "squash", &sq) == 0, "share roots of export, "
	    "ro and squash"))
		return tap_done();

	/* Shares come from the configuration only. */
	TAP_EQ_INT(share_root_create(&c, "made-up", 1), -EPERM,
	    "SHARE_ROOT with create of a share not configured: EPERM");
	TAP_EQ_INT(share_root_create(&c, "made-up", 0), -ENOENT,
	    "and it was not made: ENOENT");

	/* A read-only share: nothing changes, whoever claims what. */
	memset(&sa, 0, sizeof(sa));
	sa.mask = SATTR_MODE;
	sa.mode = 04755;
	TAP_EQ_INT(create_sattr(&c, &ro, "suid", &sa, NULL, NULL), -EROFS,
	    "read-only share: CREATE of a set-uid file as root: EROFS");
	TAP_EQ_INT(bdc_mkdir(&c, &ro, "d", 0777, NULL), -EROFS,
	    "read-only share: MKDIR: EROFS");
	TAP_EQ_INT(setattr_mode(&c, &ro, 0777), -EROFS,
	    "read-only share: SETATTR of the root: EROFS");
	tap_ok(bdc_getattr(&c, &ro, NULL) == 0 &&
	    bdc_lookup(&c, &ro, "none", NULL, NULL) == -ENOENT,
	    "read-only share: GETATTR and LOOKUP answer");
	TAP_EQ_INT(bdc_remove(&c, &ro, "none"), -EROFS,
	    "read-only share: REMOVE: EROFS");
	TAP_EQ_INT(bdc_rename(&c, &ro, "a", &ro, "b"), -EROFS,
	    "read-only share: RENAME: EROFS");
	TAP_EQ_INT(xattr_set(&c, &ro), -EROFS,
	    "read-only share: XATTR_SET: EROFS");
	rc = access_bits(&c, &ro, 0x3f, &granted);
	tap_ok(rc == 0 && (granted & 0x03) == 0x03 && (granted & 0x1c) == 0,
	    "read-only share: ACCESS grants root read and lookup, no "
	    "modify, extend or delete (%#x)", granted);

	/* An all-squash share: whoever is claimed is uid 4321. */
	if (tap_ok(bdc_share_root(&c, "allsq", &dir) == 0,
	    "share root of allsq")) {
		granted = 0;
		rc = access_bits(&c, &dir, 0x3f, &granted);
		tap_ok(rc == 0 && (granted & 0x1c) == 0, "all-squash share: "
		    "uid 0 may not modify root's 0755 share root (%#x)",
		    granted);
		TAP_EQ_INT(bdc_mkdir(&c, &dir, "d", 0777, NULL), -EACCES,
		    "all-squash share: nor make a directory there");
		bdc_fh_free(&dir);
	}

	/* A root-squash share: uid 0 is the anonymous user (4321). */
	if (!tap_ok(bdc_lookup(&c, &sq, "pub", &pub, NULL) == 0,
	    "squash share: the 0777 directory made before the reload"))
		return tap_done();
	bdc_remove(&c, &pub, "rootfile");
	memset(&attr, 0, sizeof(attr));
	sa.mask = SATTR_MODE;
	sa.mode = 04755;
	rc = create_sattr(&c, &pub, "rootfile", &sa, &f, &attr);
	tap_ok(rc == 0 && attr.uid == 4321 && attr.gid == 4321,
	    "root-squash share: CREATE as uid 0 makes a file of the "
	    "anonymous user (%d, uid %u gid %u)", rc, attr.uid, attr.gid);
	if (rc == 0)
		bdc_fh_free(&f);
	TAP_EQ_INT(bdc_create(&c, &sq, "x", 0644, 1, NULL, NULL), -EACCES,
	    "root-squash share: uid 0 may not write root's 0755 share root");

	/* CREATE with a chown that is refused: nothing is made. */
	bdc_rmdir(&c, &root, "atomic");
	if (!tap_ok(bdc_mkdir(&c, &root, "atomic", 0777, &dir) == 0 &&
	    setattr_mode(&c, &dir, 0777) == 0, "a 0777 directory"))
		return tap_done();
	bdc_set_cred(&c, 1000, 1000);
	sa.mask = SATTR_MODE | SATTR_UID;
	sa.mode = 0644;
	sa.uid = 0;
	TAP_EQ_INT(create_sattr(&c, &dir, "chowned", &sa, NULL, NULL), -EPERM,
	    "CREATE by uid 1000 giving the file to root: EPERM");
	TAP_EQ_INT(bdc_lookup(&c, &dir, "chowned", NULL, NULL), -ENOENT,
	    "and no file was left behind");
	sa.mask = SATTR_MODE | SATTR_SIZE;
	sa.mode = 0444;
	sa.size = 0;
	TAP_EQ_INT(create_sattr(&c, &dir, "ro-trunc", &sa, NULL, NULL), 0,
	    "CREATE 0444 with size 0 (creat(2) over NFS) is allowed");
	bdc_set_cred(&c, 0, 0);

	/* One I/O rule: read with execute permission, as knfsd. */
	if (!tap_ok(root_file(&c, &dir, "x711", 0711, &f) == 0,
	    "a 0711 file of root's"))
		return tap_done();
	TAP_EQ_INT(open_io_as(&c, 1000, &f,
	    IO_READ | IO_OWNER | IO_READ_IF_EXEC), 0,
	    "0711: another uid's read-if-exec open (NFS READ) is allowed");
	TAP_EQ_INT(open_io_as(&c, 1000, &f, IO_READ | IO_OWNER), -EACCES,
	    "0711: a plain read open by another uid: EACCES");
	TAP_EQ_INT(open_io_as(&c, 1000, &f, IO_WRITE | IO_OWNER), -EACCES,
	    "0711: a write open by another uid: EACCES");
	setattr_mode(&c, &f, 0700);
	TAP_EQ_INT(open_io_as(&c, 1000, &f,
	    IO_READ | IO_OWNER | IO_READ_IF_EXEC), -EACCES,
	    "0700: another uid's read-if-exec open: EACCES");
	bdc_fh_free(&f);

	/* Set-uid and set-gid go with a write or truncate by non-root. */
	if (!tap_ok(root_file(&c, &dir, "suid", 04777, &f) == 0 &&
	    mode_of(&c, &f) == 04777, "a 04777 file of root's"))
		return tap_done();
	TAP_EQ_INT(open_io_as(&c, 0, &f, IO_READ | IO_WRITE | IO_OWNER), 0,
	    "root opens it for writing");
	TAP_EQ_INT(mode_of(&c, &f), 04777, "root's write keeps set-uid");
	before = c.notifies;
	TAP_EQ_INT(open_io_as(&c, 65534, &f, IO_READ | IO_WRITE | IO_OWNER), 0,
	    "uid 65534 opens it for writing");
	TAP_EQ_INT(mode_of(&c, &f), 0777, "set-uid is gone (04777 -> 0777)");
	tap_ok(c.notifies > before, "and front ends were told (%u note(s))",
	    c.notifies - before);
	setattr_mode(&c, &f, 02777);
	open_io_as(&c, 65534, &f, IO_WRITE | IO_OWNER);
	TAP_EQ_INT(mode_of(&c, &f), 0777, "set-gid with group execute goes "
	    "too (02777 -> 0777)");
	setattr_mode(&c, &f, 02767);
	open_io_as(&c, 65534, &f, IO_WRITE | IO_OWNER);
	TAP_EQ_INT(mode_of(&c, &f), 02767, "set-gid without group execute "
	    "stays (02767)");
	setattr_mode(&c, &f, 04777);
	TAP_EQ_INT(open_io_as(&c, 65534, &f, IO_READ | IO_OWNER), 0,
	    "uid 65534 opens it for reading");
	TAP_EQ_INT(mode_of(&c, &f), 04777, "a read keeps set-uid");
	bdc_set_cred(&c, 65534, 65534);
	TAP_EQ_INT(setattr_size(&c, &f, 0), 0, "uid 65534 truncates it");
	bdc_set_cred(&c, 0, 0);
	TAP_EQ_INT(mode_of(&c, &f), 0777, "set-uid is gone after the "
	    "truncate");
	bdc_fh_free(&f);
	bdc_fh_free(&dir);
	bdc_fh_free(&pub);
	bdc_close(&c);
	return tap_done();
}

/* One request as role; 1 if blockd dropped the connection for it. */
static int
role_refused(const char *sock, enum ipc_role role, uint32_t type,
    xdrproc_t proc, const void *req)
{
	struct ipc_sync_reply r;
	struct bdc c;
	int closed;

	if (bdc_connect_as(&c, sock, user, role) == -1)
		return 0;
	if (bdc_send(&c, type, proc, req, NULL) == -1) {
		bdc_close(&c);
		return 0;
	}
	/* Any message back (a reply, an error) means it was served. */
	memset(&r, 0, sizeof(r));
	closed = ipc_sync_recv(c.fd, &r) == -1;
	if (!closed)
		ipc_sync_reply_free(&r);
	bdc_close(&c);
	return closed;
}

static int
lockd_refused(const char *sock, uint32_t type, xdrproc_t proc,
    const void *req)
{
	return role_refused(sock, IPC_ROLE_LOCKD, type, proc, req);
}

/* BD_WATCH of fh, on or off: the reply's status. */
static int
watch_call(struct bdc *c, const bd_fh *fh, int on)
{
	struct bd_watch_req req;
	struct bd_attr_reply rep;

	memset(&req, 0, sizeof(req));
	req.fh = *fh;
	req.on = on;
	memset(&rep, 0, sizeof(rep));
	if (bdc_call(c, BD_WATCH, (xdrproc_t)xdr_bd_watch_req, &req,
	    (xdrproc_t)xdr_bd_attr_reply, &rep, NULL) == -1)
		return -EIO;
	return rep.status;
}

/* A new file name in dir by OPEN_IF, as smbd makes one: its status. */
static int
smbd_make(struct bdc *c, const bd_fh *dir, const char *name)
{
	struct bdc_open_args oa;
	bd_fh f;
	int rc, fd = -1;

	memset(&oa, 0, sizeof(oa));
	oa.disposition = 3;		/* OPEN_IF */
	oa.mode = 0644;
	oa.access = IO_READ | IO_WRITE;
	memset(&f, 0, sizeof(f));
	rc = bdc_open(c, dir, name, &oa, &f, NULL, NULL, &fd, NULL);
	if (fd != -1)
		close(fd);
	bdc_fh_free(&f);
	return rc;
}

/* smbd renames streams (BD_STREAM_RENAME, smbd/stream.c). */
static void
smbd_streams(struct bdc *c, const bd_fh *f)
{
	char list[512];
	unsigned int opened;
	uint64_t size;
	int fd = -1, rc;

	stream_remove(c, f, "a");
	stream_remove(c, f, "b");
	stream_remove(c, f, "c");
	rc = stream_open(c, f, "a", 2, IO_WRITE, &opened, &fd, &size);
	tap_ok(rc == 0 && fd >= 0 && pwrite(fd, "alpha", 5, 0) == 5,
	    "smbd: STREAM_OPEN makes stream a, 5 bytes written");
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(stream_rename(c, f, "a", "b", 0), 0,
	    "smbd: STREAM_RENAME a to b");
	rc = named_list(c, f, list, sizeof(list));
	tap_ok(rc == 0 && strstr(list, "s:b:5") != NULL &&
	    strstr(list, "s:a:") == NULL, "smbd: listed as b (%s)", list);
	rc = stream_open(c, f, "b", 1, IO_READ, &opened, &fd, &size);
	tap_ok(rc == 0 && fd_reads(fd, "alpha"), "smbd: b reads a's data");
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(stream_rename(c, f, "a", "b", 1), -ENOENT,
	    "smbd: a is no more: ENOENT");
	rc = stream_open(c, f, "c", 2, IO_WRITE, &opened, &fd, &size);
	tap_ok(rc == 0 && fd >= 0 && pwrite(fd, "x", 1, 0) == 1,
	    "smbd: stream c, 1 byte");
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(stream_rename(c, f, "b", "c", 0), -EEXIST,
	    "smbd: b to c without replace: EEXIST");
	TAP_EQ_INT(stream_rename(c, f, "b", "c", 1), -ENOTEMPTY,
	    "smbd: b to c (1 byte) with replace: ENOTEMPTY");
	bdc_set_cred(c, 1000, 1000);
	TAP_EQ_INT(stream_rename(c, f, "b", "d", 0), -EACCES,
	    "smbd: uid 1000 renames a stream of root's 0644 file: EACCES");
	bdc_set_cred(c, 0, 0);
	stream_remove(c, f, "b");
	stream_remove(c, f, "c");
}

/*
 * smbd gets the notes of the directories it watches (BD_WATCH, for
 * CHANGE_NOTIFY) and no others: an idle smbd costs nothing.  Its own
 * changes make the notes here; another front end's would make the same.
 */
static void
smbd_watch(struct bdc *c, const bd_fh *root)
{
	bd_fh w, file;
	unsigned int before;

	memset(&w, 0, sizeof(w));
	memset(&file, 0, sizeof(file));
	if (!tap_ok(bdc_mkdir(c, root, "smbd-watch", 0755, &w) == 0 &&
	    smbd_make(c, &w, "first") == 0 &&
	    bdc_lookup(c, &w, "first", &file, NULL) == 0,
	    "smbd: a directory to watch, a file in it"))
		return;
	before = c->notifies;
	smbd_make(c, &w, "unwatched");
	TAP_EQ_INT(c->notifies - before, 0, "smbd: no notes of a directory "
	    "it does not watch");
	TAP_EQ_INT(watch_call(c, &w, 1), 0, "smbd: WATCH of the directory");
	before = c->notifies;
	smbd_make(c, &w, "watched");
	TAP_EQ_INT(c->notifies - before, 2, "smbd: a new name in it: its "
	    "entry's and its record's notes");
	before = c->notifies;
	smbd_make(c, root, "elsewhere");
	TAP_EQ_INT(c->notifies - before, 1, "smbd: of another directory, "
	    "its record's note alone, not its entry's");
	/* Watches are counted: one per open that watches. */
	TAP_EQ_INT(watch_call(c, &w, 1), 0, "smbd: a second WATCH of it");
	TAP_EQ_INT(watch_call(c, &w, 0), 0, "smbd: WATCH off once");
	before = c->notifies;
	smbd_make(c, &w, "still");
	TAP_EQ_INT(c->notifies - before, 2, "smbd: still watched: both "
	    "notes");
	TAP_EQ_INT(watch_call(c, &w, 0), 0, "smbd: WATCH off again");
	before = c->notifies;
	smbd_make(c, &w, "after");
	smbd_make(c, root, "after");
	TAP_EQ_INT(c->notifies - before, 0, "smbd: no notes once no "
	    "watch is left");
	TAP_EQ_INT(watch_call(c, &file, 1), -ENOTDIR, "smbd: WATCH of a "
	    "file: ENOTDIR");
	bdc_fh_free(&file);
	bdc_fh_free(&w);
}

/*
 * As smbd's user and role: what smbd/file.c and create_ctx.c send is
 * served (OPEN with its fd among it, ACCESS for MxAc, the xattrs and
 * NAMED_LIST for EAs), what it does not send disconnects it.
 */
static int
smbd_role(const char *sock)
{
	struct bdc c;
	struct bdc_open_args oa;
	struct bd_open_io_req oi;
	struct bd_symlink_req sl;
	struct bd_link_req lk;
	struct bd_acl_reply rep;
	struct bd_named_list_reply nl;
	unsigned int granted;
	bd_fh root, f;
	int fd = -1;

	if (bdc_connect_as(&c, sock, user, IPC_ROLE_SMBD) == -1) {
		perror(sock);
		return 2;
	}
	if (!tap_ok(bdc_share_root(&c, SHARE, &root) == 0,
	    "smbd: SHARE_ROOT answers"))
		return tap_done();
	TAP_EQ_INT(bdc_getattr(&c, &root, NULL), 0, "smbd: GETATTR answers");
	memset(&oa, 0, sizeof(oa));
	oa.disposition = 3;		/* OPEN_IF */
	oa.mode = 0644;
	oa.access = oa.io = IO_READ | IO_WRITE;
	memset(&f, 0, sizeof(f));
	tap_ok(bdc_open(&c, &root, "smbd-role", &oa, &f, NULL, NULL, &fd,
	    NULL) == 0 && fd != -1, "smbd: OPEN answers, with an fd");
	if (fd != -1)
		close(fd);
	/* Security descriptors (smbd/secdesc.c) are the store's ACL. */
	TAP_EQ_INT(acl_call(&c, BD_ACL_GET, &f, NULL, 0, &rep), 0,
	    "smbd: ACL_GET answers");
	xdr_free((xdrproc_t)xdr_bd_acl_reply, &rep);
	/* CREATE's MxAc and the EAs (smbd/create_ctx.c). */
	TAP_EQ_INT(access_bits(&c, &f, 0x3f, &granted), 0,
	    "smbd: ACCESS answers");
	TAP_EQ_INT(xattr_set(&c, &f), 0, "smbd: XATTR_SET answers");
	memset(&nl, 0, sizeof(nl));
	tap_ok(bdc_call(&c, BD_NAMED_LIST, (xdrproc_t)xdr_bd_fh_req,
	    &(struct bd_fh_req){ .cred = c.cred, .fh = f },
	    (xdrproc_t)xdr_bd_named_list_reply, &nl, NULL) == 0 &&
	    nl.status == 0 && nl.entries.entries_len == 1,
	    "smbd: NAMED_LIST answers (the EA just set)");
	xdr_free((xdrproc_t)xdr_bd_named_list_reply, &nl);
	smbd_streams(&c, &f);
	smbd_watch(&c, &root);
	bdc_close(&c);
	memset(&oi, 0, sizeof(oi));
	oi.fh = root;
	oi.flags = IO_READ;
	tap_ok(role_refused(sock, IPC_ROLE_SMBD, BD_OPEN_IO,
	    (xdrproc_t)xdr_bd_open_io_req, &oi), "smbd: OPEN_IO (not "
	    "smbd's): disconnected");
	memset(&sl, 0, sizeof(sl));
	sl.dir = root;
	tap_ok(role_refused(sock, IPC_ROLE_SMBD, BD_SYMLINK,
	    (xdrproc_t)xdr_bd_symlink_req, &sl), "smbd: SYMLINK: "
	    "disconnected");
	memset(&lk, 0, sizeof(lk));
	lk.fh = root;
	lk.dir = root;
	tap_ok(role_refused(sock, IPC_ROLE_SMBD, BD_LINK,
	    (xdrproc_t)xdr_bd_link_req, &lk), "smbd: LINK: disconnected");
	tap_ok(role_refused(sock, IPC_ROLE_SMBD, BD_READLINK,
	    (xdrproc_t)xdr_bd_fh_req, &(struct bd_fh_req){ .fh = root }),
	    "smbd: READLINK: disconnected");
	tap_ok(role_refused(sock, IPC_ROLE_SMBD, BD_COMMIT,
	    (xdrproc_t)xdr_bd_fh_req, &(struct bd_fh_req){ .fh = root }),
	    "smbd: COMMIT: disconnected");
	bdc_fh_free(&f);
	return tap_done();
}

/* As lockd's user and role: resolving handles is all it may do. */
static int
lockd(const char *sock)
{
	struct bdc c;
	struct bd_create_req cr;
	struct bd_setattr_req sr;
	struct bd_open_io_req oi;
	struct bd_acl_req ar;
	struct bd_open_req opr;
	bd_fh root, ro;

	if (bdc_connect_as(&c, sock, user, IPC_ROLE_LOCKD) == -1) {
		perror(sock);
		return 2;
	}
	if (!tap_ok(bdc_share_root(&c, SHARE, &root) == 0 &&
	    bdc_share_root(&c, "ro", &ro) == 0, "lockd: SHARE_ROOT answers"))
		return tap_done();
	TAP_EQ_INT(bdc_getattr(&c, &root, NULL), 0,
	    "lockd: GETATTR of a handle answers");
	TAP_EQ_INT(share_root_create(&c, "lockd-made", 1), -EPERM,
	    "lockd: SHARE_ROOT creating a new share: EPERM");
	TAP_EQ_INT(share_root_create(&c, "lockd-made", 0), -ENOENT,
	    "lockd: and no share was made");
	bdc_close(&c);

	memset(&cr, 0, sizeof(cr));
	cr.dir = ro;
	cr.name.bd_name_len = 4;
	cr.name.bd_name_val = (char *)"suid";
	cr.sattr.mask = SATTR_MODE;
	cr.sattr.mode = 04755;
	tap_ok(lockd_refused(sock, BD_CREATE, (xdrproc_t)xdr_bd_create_req,
	    &cr), "lockd: CREATE of a set-uid root file in the read-only "
	    "share: disconnected");
	cr.dir = root;
	tap_ok(lockd_refused(sock, BD_CREATE, (xdrproc_t)xdr_bd_create_req,
	    &cr), "lockd: CREATE in a writable share: disconnected");
	memset(&sr, 0, sizeof(sr));
	sr.fh = root;
	sr.sattr.mask = SATTR_MODE;
	sr.sattr.mode = 0777;
	tap_ok(lockd_refused(sock, BD_SETATTR, (xdrproc_t)xdr_bd_setattr_req,
	    &sr), "lockd: SETATTR: disconnected");
	memset(&oi, 0, sizeof(oi));
	oi.fh = root;
	oi.flags = IO_READ;
	tap_ok(lockd_refused(sock, BD_OPEN_IO, (xdrproc_t)xdr_bd_open_io_req,
	    &oi), "lockd: OPEN_IO: disconnected");
	memset(&ar, 0, sizeof(ar));
	ar.fh = root;
	tap_ok(lockd_refused(sock, BD_ACL_GET, (xdrproc_t)xdr_bd_acl_req,
	    &ar), "lockd: ACL_GET: disconnected");
	memset(&opr, 0, sizeof(opr));
	opr.dir = root;
	opr.name.bd_name_len = 4;
	opr.name.bd_name_val = (char *)"suid";
	opr.disposition = 3;		/* OPEN_IF */
	opr.mode = 04755;
	opr.io = IO_READ | IO_WRITE;
	tap_ok(lockd_refused(sock, BD_OPEN, (xdrproc_t)xdr_bd_open_req, &opr),
	    "lockd: OPEN (open-or-create with an fd): disconnected");
	tap_ok(lockd_refused(sock, BD_NAMED_LIST, (xdrproc_t)xdr_bd_fh_req,
	    &(struct bd_fh_req){ .fh = root }),
	    "lockd: NAMED_LIST: disconnected");
	tap_ok(lockd_refused(sock, BD_WATCH, (xdrproc_t)xdr_bd_watch_req,
	    &(struct bd_watch_req){ .fh = root, .on = 1 }),
	    "lockd: WATCH (smbd's alone): disconnected");
	tap_ok(lockd_refused(sock, BD_STREAM_RENAME,
	    (xdrproc_t)xdr_bd_stream_rename_req,
	    &(struct bd_stream_rename_req){ .fh = root }),
	    "lockd: STREAM_RENAME: disconnected");
	if (bdc_connect_as(&c, sock, user, IPC_ROLE_LOCKD) == 0) {
		tap_ok(bdc_lookup(&c, &root, "suid", NULL, NULL) == -EIO,
		    "lockd: LOOKUP: disconnected too");
		bdc_close(&c);
	}
	/* test_blockd.sh checks, as nfsd, that no "suid" was made. */
	return tap_done();
}

/* n mode changes of f, 64 in flight (group commit keeps it quick). */
static int
mode_flood(struct bdc *b, const bd_fh *f, long n)
{
	struct bd_setattr_req req;
	struct bd_wcc_reply rep;
	long sent, got;
	uint32_t id;
	int ok = 1;

	memset(&req, 0, sizeof(req));
	req.cred = b->cred;
	req.fh = *f;
	req.sattr.mask = SATTR_MODE;
	for (sent = got = 0; got < n && ok; got++) {
		while (sent < n && sent - got < 64) {
			req.sattr.mode = sent % 2 ? 0644 : 0640;
			if (bdc_send(b, BD_SETATTR,
			    (xdrproc_t)xdr_bd_setattr_req, &req, &id) == -1)
				ok = 0;
			sent++;
		}
		memset(&rep, 0, sizeof(rep));
		if (bdc_recv(b, (xdrproc_t)xdr_bd_wcc_reply, &rep, &id,
		    NULL) == -1 || rep.status != 0)
			ok = 0;
		xdr_free((xdrproc_t)xdr_bd_wcc_reply, &rep);
	}
	return ok ? 0 : -1;
}

/* count changes, for a front end stopped meanwhile (test_blockd.sh). */
static int
flood(const char *sock, const char *count)
{
	struct bdc c;
	bd_fh root, f;
	int rc;

	connect_or_die(&c, sock);
	if (bdc_share_root(&c, SHARE, &root) != 0 ||
	    root_file(&c, &root, "flood", 0644, &f) != 0)
		return 2;
	rc = mode_flood(&c, &f, strtol(count, NULL, 10));
	bdc_remove(&c, &root, "flood");
	printf("%s\n", rc == 0 ? "ok" : "failed");
	return rc == 0 ? 0 : 1;
}

/*
 * A front end (a) that reads nothing while another (b) makes count
 * changes: past blockd's notify queue limit, a gets one resync note in
 * place of the notes it could not be sent, and still its replies.
 */
static int
overflow(const char *sock, const char *count)
{
	struct bdc a, b;
	bd_fh root, f;
	long n = strtol(count, NULL, 10), i;

	connect_or_die(&a, sock);
	connect_or_die(&b, sock);
	if (!tap_ok(bdc_share_root(&b, SHARE, &root) == 0 &&
	    root_file(&b, &root, "overflow", 0644, &f) == 0,
	    "a file to change"))
		return tap_done();
	/* Read what was queued to a so far: from here on it reads nothing. */
	bdc_getattr(&a, &root, NULL);
	a.notifies = a.resyncs = 0;
	tap_ok(mode_flood(&b, &f, n) == 0, "%ld mode changes made", n);
	/* Now a reads everything queued, then its reply. */
	i = bdc_getattr(&a, &f, NULL);
	TAP_EQ_INT(i, 0, "the front end that did not read gets its reply");
	tap_diag("%u notes, %u of them resyncs, for %ld changes", a.notifies,
	    a.resyncs, n);
	tap_ok(a.resyncs >= 1, "it got a resync note (%u)", a.resyncs);
	tap_ok(a.notifies < n, "in place of notes left out (%u of %ld)",
	    a.notifies, n);
	tap_ok(b.resyncs == 0, "the front end that read got every note");
	bdc_remove(&b, &root, "overflow");
	bdc_fh_free(&f);
	bdc_close(&a);
	bdc_close(&b);
	return tap_done();
}

/*
 * fuzz: a front end gone bad (fz.h), aimed with handles and names that
 * exist: blockd must answer, then still serve a good request.
 */
struct bd_aim {
	bd_fh		 fhs[4];	/* the root, a dir, a file, a subdir */
};

/* One field of a request; the letters are those of bd_shapes (fz.h). */
static void
bd_field(struct fz *z, const struct bd_aim *aim, char f)
{
	struct xdrbuf_out *o = &z->out;
	static const uint32_t ids[] = { 0, 0, 1000, 65534 };
	char name[300];
	size_t len, i;
	uint32_t k;

	switch (f) {
	case 'C':		/* bd_cred */
		xdrbuf_put_u32(o, ids[fz_rand(z) % 4]);
		xdrbuf_put_u32(o, ids[fz_rand(z) % 4]);
		k = fz_rand(z) % 40 == 0 ? 33 : fz_rand(z) % 3;
		xdrbuf_put_u32(o, k);
		for (i = 0; i < k; i++)
			xdrbuf_put_u32(o, ids[fz_rand(z) % 4]);
		break;
	case 'F':		/* bd_fh: one that exists, or not */
		k = fz_rand(z) % 6;
		if (k < 4) {
			xdrbuf_put_opaque(o, aim->fhs[k].bd_fh_val,
			    aim->fhs[k].bd_fh_len);
			break;
		}
		len = k == 4 ? aim->fhs[1].bd_fh_len : fz_rand(z) % 65;
		for (i = 0; i < len; i++)
			name[i] = (char)fz_rand(z);
		xdrbuf_put_opaque(o, name, len);
		break;
	case 'N':		/* bd_name */
		switch (fz_rand(z) % 8) {
		case 0: xdrbuf_put_opaque(o, "", 0); break;
		case 1: xdrbuf_put_opaque(o, "..", 2); break;
		case 2: xdrbuf_put_opaque(o, "x/y", 3); break;
		case 3: xdrbuf_put_opaque(o, "a\0b", 3); break;
		case 4:
			len = fz_rand(z) % 2 ? 255 : 256;
			memset(name, 'n', len);
			xdrbuf_put_opaque(o, name, len);
			break;
		default:
			name[0] = "abcdefgh"[fz_rand(z) % 8];
			xdrbuf_put_opaque(o, name, 1);
			break;
		}
		break;
	case 'S':		/* bd_sattr: mask mode uid gid size times */
		xdrbuf_put_u32(o, fz_rand(z) % 64);
		xdrbuf_put_u32(o, fz_rand(z) % 3 ? fz_rand(z) & 07777 :
		    fz_edge(z));
		xdrbuf_put_u32(o, ids[fz_rand(z) % 4]);
		xdrbuf_put_u32(o, ids[fz_rand(z) % 4]);
		xdrbuf_put_u32(o, fz_rand(z) % 4 ? 0 : fz_edge(z));
		xdrbuf_put_u32(o, fz_rand(z) % 4 ? fz_rand(z) % 70000 :
		    fz_edge(z));
		for (i = 0; i < 2; i++) {
			xdrbuf_put_u32(o, fz_rand(z) % 4 ? 0 : fz_edge(z));
			xdrbuf_put_u32(o, fz_rand(z) % 2 ? 1700000000 :
			    fz_edge(z));
			xdrbuf_put_u32(o, fz_rand(z) % 2 ? 0 : fz_edge(z));
		}
		break;
	case 'V':		/* a fixed 8-byte verifier */
		xdrbuf_put_u32(o, fz_rand(z));
		xdrbuf_put_u32(o, fz_rand(z));
		break;
	case 'O':		/* variable opaque: a target, an xattr value */
		len = fz_rand(z) % 300;
		for (i = 0; i < len; i++)
			name[i] = (char)('a' + fz_rand(z) % 26);
		xdrbuf_put_opaque(o, name, len);
		break;
	default:
		fz_field(z, f);
		break;
	}
}

/* The request layouts of common/blockd_msg.x, BD_SHARE_ROOT = 100 on. */
static const char *const bd_shapes[] = {
	"NB", "CFN", "CF", "CFSBHU", "CFU", "CFNUVS", "CFNS", "CFNOS",
	"CFNUHS", "CFFN", "CFN", "CFN", "CFNFN", "CFHUB", "CF", "CF",
	"CFU", "CF", "CFNOU", "CFNOU", "CFNOU", "CFNOU", "CFO", "CFO",
	"CFNUVUSUUU", "CFNUUU", "CF", "CFN",
};

static uint32_t
bd_build(struct fz *z, void *arg)
{
	uint32_t type = fz_rand(z) % (sizeof(bd_shapes) / sizeof(bd_shapes[0]));
	const char *f;

	for (f = bd_shapes[type]; *f != '\0'; f++)
		bd_field(z, arg, *f);
	return BD_SHARE_ROOT + type;
}

static int
bd_oneway(uint32_t type)
{
	return 0;	/* blockd answers everything; even BD_NOTIFY, ENOSYS */
}

static int
fuzz(const char *sock, const char *count, const char *seed)
{
	struct bd_aim aim;
	struct fz_target t = { bd_build, bd_oneway, BD_REPLY, &aim };
	struct fz z;
	struct bdc c;
	unsigned long n = strtoul(count, NULL, 10);
	char dirname[64];
	int rc, i;

	memset(&aim, 0, sizeof(aim));
	fz_seed(&z, seed);
	printf("# seed %s, %lu requests\n", seed, n);
	connect_or_die(&c, sock);
	if (!tap_ok(bdc_share_root(&c, SHARE, &aim.fhs[0]) == 0,
	    "share root of %s", SHARE))
		return tap_done();
	/* A directory of its own (what an earlier run left is fuzzed). */
	snprintf(dirname, sizeof(dirname), "fuzz.%ld", (long)getpid());
	rc = bdc_mkdir(&c, &aim.fhs[0], dirname, 0777, &aim.fhs[1]);
	if (rc == 0)
		rc = bdc_create(&c, &aim.fhs[1], "f", 0666, 0, &aim.fhs[2],
		    NULL);
	if (rc == 0)
		rc = bdc_mkdir(&c, &aim.fhs[1], "d", 0777, &aim.fhs[3]);
	if (!tap_ok(rc == 0, "a directory, a file and a subdirectory to aim "
	    "at (%s)", rc == 0 ? "made" : strerror(-rc)))
		return tap_done();
	if (!fz_test(&z, &t, sock, n, tap_ok))
		return tap_done();
	/* blockd still serves, the same handles, on a new connection. */
	bdc_close(&c);
	connect_or_die(&c, sock);
	tap_ok(bdc_getattr(&c, &aim.fhs[0], NULL) == 0 &&
	    bdc_lookup(&c, &aim.fhs[0], dirname, NULL, NULL) == 0,
	    "afterwards blockd answers a good GETATTR and LOOKUP");
	for (i = 0; i < 4; i++)
		bdc_fh_free(&aim.fhs[i]);
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
	if (argc == 3 && strcmp(argv[1], "prep") == 0)
		return prep(argv[2]);
	if (argc == 3 && strcmp(argv[1], "policy") == 0)
		return policy(argv[2]);
	if (argc == 3 && strcmp(argv[1], "lockd") == 0)
		return lockd(argv[2]);
	if (argc == 3 && strcmp(argv[1], "smbd") == 0)
		return smbd_role(argv[2]);
	if (argc == 3 && strcmp(argv[1], "open") == 0)
		return open_check(argv[2]);
	if (argc == 3 && strcmp(argv[1], "caseless") == 0)
		return caseless(argv[2]);
	if (argc == 3 && strcmp(argv[1], "streams") == 0)
		return streams(argv[2]);
	if (argc == 4 && strcmp(argv[1], "hello") == 0) {
		struct bdc c;
		enum ipc_role role;

		if (ipc_role_parse(argv[3], &role) == -1)
			return 2;
		if (bdc_connect_as(&c, argv[2], user, role) == -1) {
			printf("refused\n");
			return 1;
		}
		printf("accepted\n");
		bdc_close(&c);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "flood") == 0)
		return flood(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "overflow") == 0)
		return overflow(argv[2], argv[3]);
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "entry") == 0)
		return entry(argv[2], argv[3], argv[4],
		    argc == 6 ? argv[5] : NULL);
	fprintf(stderr, "usage: bd-check smoke SOCK | storm SOCK DIR LOG | "
	    "verify SOCK DIR LOG | entry SOCK OP NAME [NAME2] "
	    "(OP: create, remove, rename, chmod, acl) | "
	    "fuzz SOCK COUNT SEED | prep SOCK | policy SOCK | lockd SOCK | "
	    "smbd SOCK | "
	    "open SOCK | caseless SOCK | streams SOCK | "
	    "overflow SOCK COUNT\n");
	return 2;
}
