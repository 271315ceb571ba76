/*
 * tests/unit/store_model.c: randomized model test of the store.
 *
 * One long random sequence of namespace and data operations is applied
 * both to the store and to a scratch directory on the local file system
 * (the model: Linux is the reference for POSIX semantics).  Every
 * operation must give the same result (0 or the same errno) on both, and
 * at checkpoints, some after a close/reopen of the store, the two trees
 * must match: names, types, modes, sizes, contents, symlink targets, link
 * counts, and which names share an inode.
 *
 * DITTOFS_SEED overrides the seed; DITTOFS_MODEL_OPS the number of
 * operations.  The run stops early after STORE_MODEL_SECONDS.
 * Needs root for the scratch side (chmod 0000 directories stay usable).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blockd/store.h"
#include "tap.h"

#define MODEL_OPS_DEFAULT	20000
#define MODEL_SECONDS		25
#define MODEL_CHECK_EVERY	1000
#define MODEL_REOPEN_EVERY	5000
#define MODEL_MAX_ENTRIES	400
#define MODEL_MAX_FILE		(320 * 1024)
#define MODEL_PATH_MAX		1024

struct model_entry {
	char		path[MODEL_PATH_MAX];	/* relative to the top */
	mode_t		type;			/* S_IFMT bits */
};

struct model {
	uint64_t	rng;
	char		top[64];		/* scratch directory */
	char		sdir[64];		/* store directory */
	struct store	*s;
	struct store_fh	root;
	struct store_cred cred;
	struct model_entry *ents;
	size_t		nents;
	unsigned long	ops;
	unsigned long	mismatches;
	unsigned long	errors_agreed;
	unsigned long	tree_faults;
	uint8_t		*buf;
	uint8_t		*buf2;
	/* local inode -> store inode, for the hard link check */
	uint64_t	(*inomap)[2];
	size_t		ninomap;
};

static uint64_t
model_rand(struct model *m)
{
	/* xorshift64*: deterministic for a seed, on every platform */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 2685821657736338717ULL;
}

static uint64_t
model_below(struct model *m, uint64_t n)
{
	return n ? model_rand(m) % n : 0;
}

static int
model_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
model_rm_tree(const char *dir)
{
	if (nftw(dir, model_rm_one, 16, FTW_DEPTH | FTW_PHYS) == -1)
		tap_diag("cleanup of %s failed", dir);
}

static void
model_collect(struct model *m, const char *rel)
{
	char path[MODEL_PATH_MAX * 2], sub[MODEL_PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", m->top, rel);
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
		    de->d_name) >= (int)sizeof(sub))
			continue;
		if (m->nents == MODEL_MAX_ENTRIES)
			continue;
		/* d_type spares a stat per entry; the walk runs often. */
		switch (de->d_type) {
		case DT_REG:
			st.st_mode = S_IFREG;
			break;
		case DT_DIR:
			st.st_mode = S_IFDIR;
			break;
		case DT_LNK:
			st.st_mode = S_IFLNK;
			break;
		default:
			snprintf(path, sizeof(path), "%s/%s", m->top, sub);
			if (lstat(path, &st) == -1)
				continue;
		}
		snprintf(m->ents[m->nents].path, MODEL_PATH_MAX, "%s", sub);
		m->ents[m->nents].type = st.st_mode & S_IFMT;
		m->nents++;
		if (S_ISDIR(st.st_mode))
			model_collect(m, sub);
	}
	closedir(d);
}

static void
model_refresh(struct model *m)
{
	m->nents = 0;
	model_collect(m, "");
}

/* A random directory: "" is the top. */
static const char *
model_pick_dir(struct model *m)
{
	size_t i, n = 0, k;

	for (i = 0; i < m->nents; i++)
		if (m->ents[i].type == S_IFDIR)
			n++;
	k = model_below(m, n + 1);
	if (k == n)
		return "";
	for (i = 0; i < m->nents; i++)
		if (m->ents[i].type == S_IFDIR && k-- == 0)
			return m->ents[i].path;
	return "";
}

static const struct model_entry *
model_pick(struct model *m, mode_t type)
{
	size_t i, n = 0, k;

	for (i = 0; i < m->nents; i++)
		if (type == 0 || m->ents[i].type == type)
			n++;
	if (n == 0)
		return NULL;
	k = model_below(m, n);
	for (i = 0; i < m->nents; i++)
		if ((type == 0 || m->ents[i].type == type) && k-- == 0)
			return &m->ents[i];
	return NULL;
}

static void
model_name(struct model *m, char *name, size_t size)
{
	static const char *names[] = { "a", "b", "c", "d", "e", "f", "g",
	    "h", "longer-name", "x.txt" };

	snprintf(name, size, "%s", names[model_below(m, 10)]);
}

/* Resolve rel (directories only in the walk) to a store handle. */
static int
model_resolve(struct model *m, const char *rel, struct store_fh *fh)
{
	char comp[MODEL_PATH_MAX];
	struct store_fh cur;
	const char *p = rel, *slash;
	size_t len;
	int rv;

	cur = m->root;
	while (*p != '\0') {
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		memcpy(comp, p, len);
		comp[len] = '\0';
		if ((rv = store_lookup(m->s, &m->cred, &cur, comp, len, &cur,
		    NULL)) != 0)
			return rv;
		p += len;
		if (*p == '/')
			p++;
	}
	*fh = cur;
	return 0;
}

static void
model_split(const char *rel, char *dir, const char **name)
{
	const char *slash = strrchr(rel, '/');

	if (slash == NULL) {
		dir[0] = '\0';
		*name = rel;
		return;
	}
	memcpy(dir, rel, (size_t)(slash - rel));
	dir[slash - rel] = '\0';
	*name = slash + 1;
}

static void
model_join(char *out, size_t size, const char *dir, const char *name)
{
	snprintf(out, size, "%s%s%s", dir, *dir ? "/" : "", name);
}

static void
model_abs(const struct model *m, char *out, size_t size, const char *rel)
{
	snprintf(out, size, "%s/%s", m->top, rel);
}

static void
model_agree(struct model *m, const char *what, const char *a,
    const char *b, int local, int store)
{
	if (local == store) {
		if (local != 0)
			m->errors_agreed++;
		return;
	}
	m->mismatches++;
	if (m->mismatches <= 10)
		tap_diag("op %lu %s %s %s: local %s, store %s", m->ops, what,
		    a, b ? b : "", local ? strerror(-local) : "ok",
		    store ? strerror(-store) : "ok");
}

static int
model_errno(int r)
{
	return r == -1 ? -errno : 0;
}

/* Store side of an operation naming (dir, name). */
static int
model_parent(struct model *m, const char *rel, struct store_fh *dfh,
    const char **name)
{
	char dir[MODEL_PATH_MAX];

	model_split(rel, dir, name);
	return model_resolve(m, dir, dfh);
}

/* Returns whether the namespace may have changed. */
static int
model_op(struct model *m)
{
	char a[MODEL_PATH_MAX * 2], b[MODEL_PATH_MAX * 2];
	char rel[MODEL_PATH_MAX], rel2[MODEL_PATH_MAX], name[32];
	const struct model_entry *e, *e2;
	struct store_fh dfh, dfh2, fh;
	struct store_sattr sa;
	const char *dir, *n1, *n2;
	uint32_t mode;
	uint64_t off, len, i;
	int op, lr, sr, fd;

	op = (int)model_below(m, 100);
	/* Keep the tree from growing without bound. */
	if (m->nents > 200 && op < 40)
		op = 70 + (int)model_below(m, 20);
	if (op < 14) {				/* create */
		dir = model_pick_dir(m);
		model_name(m, name, sizeof(name));
		model_join(rel, sizeof(rel), dir, name);
		model_abs(m, a, sizeof(a), rel);
		mode = (uint32_t)model_below(m, 010000);
		fd = open(a, O_CREAT | O_EXCL | O_WRONLY, mode);
		lr = model_errno(fd);
		if (fd != -1)
			close(fd);
		if ((sr = model_resolve(m, dir, &dfh)) == 0)
			sr = store_create(m->s, &m->cred, &dfh, name,
			    strlen(name), mode, STORE_CREATE_GUARDED, NULL,
			    &fh, NULL);
		model_agree(m, "create", rel, NULL, lr, sr);
	} else if (op < 24) {			/* mkdir */
		dir = model_pick_dir(m);
		model_name(m, name, sizeof(name));
		model_join(rel, sizeof(rel), dir, name);
		model_abs(m, a, sizeof(a), rel);
		mode = (uint32_t)model_below(m, 010000);
		lr = model_errno(mkdir(a, mode));
		if ((sr = model_resolve(m, dir, &dfh)) == 0)
			sr = store_mkdir(m->s, &m->cred, &dfh, name,
			    strlen(name), mode, &fh, NULL);
		model_agree(m, "mkdir", rel, NULL, lr, sr);
	} else if (op < 40) {			/* write */
		if ((e = model_pick(m, S_IFREG)) == NULL)
			return 0;
		off = model_below(m, MODEL_MAX_FILE - 32768);
		len = 1 + model_below(m, 32768);
		for (i = 0; i < len; i++)
			m->buf[i] = (uint8_t)model_rand(m);
		model_abs(m, a, sizeof(a), e->path);
		if ((fd = open(a, O_WRONLY)) == -1 ||
		    pwrite(fd, m->buf, len, (off_t)off) != (ssize_t)len)
			lr = -errno;
		else
			lr = 0;
		if (fd != -1)
			close(fd);
		if ((sr = model_resolve(m, e->path, &fh)) == 0 &&
		    (sr = store_open_io(m->s, &m->cred, &fh, STORE_IO_WRITE,
		    &fd, NULL)) == 0) {
			if (pwrite(fd, m->buf, len, (off_t)off) !=
			    (ssize_t)len)
				sr = -errno;
			close(fd);
		}
		model_agree(m, "write", e->path, NULL, lr, sr);
		return 0;
	} else if (op < 46) {			/* truncate */
		if ((e = model_pick(m, S_IFREG)) == NULL)
			return 0;
		len = model_below(m, MODEL_MAX_FILE);
		model_abs(m, a, sizeof(a), e->path);
		lr = model_errno(truncate(a, (off_t)len));
		memset(&sa, 0, sizeof(sa));
		sa.mask = STORE_SATTR_SIZE;
		sa.size = len;
		if ((sr = model_resolve(m, e->path, &fh)) == 0)
			sr = store_setattr(m->s, &m->cred, &fh, &sa, NULL);
		model_agree(m, "truncate", e->path, NULL, lr, sr);
		return 0;
	} else if (op < 62) {			/* rename */
		if ((e = model_pick(m, 0)) == NULL)
			return 1;
		if (model_below(m, 3) == 0 &&
		    (e2 = model_pick(m, 0)) != NULL) {
			snprintf(rel2, sizeof(rel2), "%s", e2->path);
		} else {
			dir = model_pick_dir(m);
			model_name(m, name, sizeof(name));
			model_join(rel2, sizeof(rel2), dir, name);
		}
		model_abs(m, a, sizeof(a), e->path);
		model_abs(m, b, sizeof(b), rel2);
		lr = model_errno(rename(a, b));
		if ((sr = model_parent(m, e->path, &dfh, &n1)) == 0 &&
		    (sr = model_parent(m, rel2, &dfh2, &n2)) == 0)
			sr = store_rename(m->s, &m->cred, &dfh, n1,
			    strlen(n1), &dfh2, n2, strlen(n2));
		model_agree(m, "rename", e->path, rel2, lr, sr);
	} else if (op < 68) {			/* link */
		if ((e = model_pick(m, 0)) == NULL)
			return 1;
		dir = model_pick_dir(m);
		model_name(m, name, sizeof(name));
		model_join(rel2, sizeof(rel2), dir, name);
		model_abs(m, a, sizeof(a), e->path);
		model_abs(m, b, sizeof(b), rel2);
		lr = model_errno(linkat(AT_FDCWD, a, AT_FDCWD, b, 0));
		if ((sr = model_resolve(m, e->path, &fh)) == 0 &&
		    (sr = model_resolve(m, dir, &dfh)) == 0)
			sr = store_link(m->s, &m->cred, &fh, &dfh, name,
			    strlen(name), NULL);
		model_agree(m, "link", e->path, rel2, lr, sr);
	} else if (op < 80) {			/* remove */
		if ((e = model_pick(m, 0)) == NULL)
			return 1;
		model_abs(m, a, sizeof(a), e->path);
		lr = model_errno(unlink(a));
		if ((sr = model_parent(m, e->path, &dfh, &n1)) == 0)
			sr = store_remove(m->s, &m->cred, &dfh, n1,
			    strlen(n1));
		model_agree(m, "remove", e->path, NULL, lr, sr);
	} else if (op < 88) {			/* rmdir */
		if ((e = model_pick(m, model_below(m, 4) ? S_IFDIR : 0)) ==
		    NULL)
			return 1;
		model_abs(m, a, sizeof(a), e->path);
		lr = model_errno(rmdir(a));
		if ((sr = model_parent(m, e->path, &dfh, &n1)) == 0)
			sr = store_rmdir(m->s, &m->cred, &dfh, n1,
			    strlen(n1));
		model_agree(m, "rmdir", e->path, NULL, lr, sr);
	} else if (op < 93) {			/* symlink */
		dir = model_pick_dir(m);
		model_name(m, name, sizeof(name));
		model_join(rel, sizeof(rel), dir, name);
		model_abs(m, a, sizeof(a), rel);
		snprintf(b, sizeof(b), "target-%llu/x",
		    (unsigned long long)model_below(m, 1000000));
		lr = model_errno(symlink(b, a));
		if ((sr = model_resolve(m, dir, &dfh)) == 0)
			sr = store_symlink(m->s, &m->cred, &dfh, name,
			    strlen(name), b, strlen(b), &fh, NULL);
		model_agree(m, "symlink", rel, NULL, lr, sr);
	} else {				/* chmod */
		e = model_pick(m, model_below(m, 2) ? S_IFREG : S_IFDIR);
		if (e == NULL)
			return 0;
		mode = (uint32_t)model_below(m, 010000);
		model_abs(m, a, sizeof(a), e->path);
		lr = model_errno(chmod(a, mode));
		memset(&sa, 0, sizeof(sa));
		sa.mask = STORE_SATTR_MODE;
		sa.mode = mode;
		if ((sr = model_resolve(m, e->path, &fh)) == 0)
			sr = store_setattr(m->s, &m->cred, &fh, &sa, NULL);
		model_agree(m, "chmod", e->path, NULL, lr, sr);
		return 0;
	}
	return 1;
}

static int
model_entcmp(const void *a, const void *b)
{
	const struct store_dirent *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int
model_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static mode_t
model_type_mode(enum store_type t)
{
	switch (t) {
	case STORE_TYPE_REG:
		return S_IFREG;
	case STORE_TYPE_DIR:
		return S_IFDIR;
	case STORE_TYPE_LNK:
		return S_IFLNK;
	case STORE_TYPE_CHR:
		return S_IFCHR;
	case STORE_TYPE_BLK:
		return S_IFBLK;
	case STORE_TYPE_FIFO:
		return S_IFIFO;
	case STORE_TYPE_SOCK:
		return S_IFSOCK;
	}
	return 0;
}

static void
model_fault(struct model *m, const char *path, const char *what)
{
	m->tree_faults++;
	if (m->tree_faults <= 10)
		tap_diag("tree differs at %s: %s", *path ? path : "/", what);
}

static int
model_read_all(int fd, uint8_t *buf, size_t size, size_t *len)
{
	ssize_t n;

	*len = 0;
	while (*len < size) {
		if ((n = pread(fd, buf + *len, size - *len, (off_t)*len)) ==
		    -1)
			return -1;
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	return 0;
}

static void
model_inomap(struct model *m, const char *path, uint64_t local,
    uint64_t store)
{
	size_t i;

	for (i = 0; i < m->ninomap; i++) {
		if (m->inomap[i][0] == local || m->inomap[i][1] == store) {
			if (m->inomap[i][0] != local ||
			    m->inomap[i][1] != store)
				model_fault(m, path, "hard link structure");
			return;
		}
	}
	if (m->ninomap < MODEL_MAX_ENTRIES) {
		m->inomap[m->ninomap][0] = local;
		m->inomap[m->ninomap][1] = store;
		m->ninomap++;
	}
}

static void
model_compare_entry(struct model *m, const char *rel,
    const struct store_dirent *e, const struct stat *st)
{
	char a[MODEL_PATH_MAX * 2], target[4200], starget[4200];
	size_t llen, slen;
	ssize_t n;
	int fd, rv;

	if (model_type_mode(e->type) != (st->st_mode & S_IFMT) ||
	    e->attr.type != e->type) {
		model_fault(m, rel, "type");
		return;
	}
	if (e->type != STORE_TYPE_LNK &&
	    e->attr.mode != (st->st_mode & 07777)) {
		model_fault(m, rel, "mode");
		tap_diag("  local %o store %o", st->st_mode & 07777,
		    e->attr.mode);
	}
	if (e->attr.nlink != st->st_nlink) {
		model_fault(m, rel, "nlink");
		tap_diag("  local %lu store %u", (unsigned long)st->st_nlink,
		    e->attr.nlink);
	}
	model_inomap(m, rel, st->st_ino, e->ino);
	if (e->type == STORE_TYPE_DIR)
		return;
	if (e->attr.size != (uint64_t)st->st_size) {
		model_fault(m, rel, "size");
		tap_diag("  local %lld store %llu", (long long)st->st_size,
		    (unsigned long long)e->attr.size);
		return;
	}
	model_abs(m, a, sizeof(a), rel);
	if (e->type == STORE_TYPE_LNK) {
		n = readlink(a, target, sizeof(target) - 1);
		rv = store_readlink(m->s, &e->fh, starget, sizeof(starget),
		    &slen);
		if (n < 0 || rv != 0 || (size_t)n != slen ||
		    memcmp(target, starget, slen) != 0)
			model_fault(m, rel, "symlink target");
		return;
	}
	if (e->type != STORE_TYPE_REG)
		return;
	/*
	 * Reading makes an unbacked file's backing file: every other
	 * checkpoint leaves empty files alone, so unbacked ones live on.
	 */
	if (st->st_size == 0 && (m->ops / MODEL_CHECK_EVERY) % 2 == 1)
		return;
	if ((fd = open(a, O_RDONLY)) == -1 ||
	    model_read_all(fd, m->buf, MODEL_MAX_FILE + 1, &llen) == -1) {
		model_fault(m, rel, "local read");
		if (fd != -1)
			close(fd);
		return;
	}
	close(fd);
	if (store_open_io(m->s, &m->cred, &e->fh, STORE_IO_READ, &fd,
	    NULL) != 0 ||
	    model_read_all(fd, m->buf2, MODEL_MAX_FILE + 1, &slen) == -1) {
		model_fault(m, rel, "store read");
		if (fd != -1)
			close(fd);
		return;
	}
	close(fd);
	if (llen != slen || memcmp(m->buf, m->buf2, llen) != 0)
		model_fault(m, rel, "contents");
}

/* Compare directory rel (store handle dfh) and everything below it. */
static void
model_compare_dir(struct model *m, const char *rel,
    const struct store_fh *dfh)
{
	struct store_dirent *ents = NULL, *tmp;
	char a[MODEL_PATH_MAX * 2], sub[MODEL_PATH_MAX];
	char **lnames = NULL;
	struct dirent *de;
	struct stat st;
	size_t nents = 0, cap = 0, n, nl = 0, i;
	uint64_t cookie = 0;
	uint8_t verf[STORE_VERF_SIZE];
	int eof = 0, rv;
	DIR *d;

	do {
		if (nents + 32 > cap) {
			cap = cap ? cap * 2 : 64;
			if ((tmp = reallocarray(ents, cap, sizeof(*ents))) ==
			    NULL)
				goto out;
			ents = tmp;
		}
		rv = store_readdir(m->s, &m->cred, dfh, cookie, verf,
		    ents + nents, 32, 1, &n, &eof);
		if (rv != 0) {
			model_fault(m, rel, "store readdir");
			goto out;
		}
		nents += n;
		if (n > 0)
			cookie = ents[nents - 1].cookie;
	} while (!eof);
	qsort(ents, nents, sizeof(*ents), model_entcmp);

	model_abs(m, a, sizeof(a), rel);
	if ((d = opendir(a)) == NULL) {
		model_fault(m, rel, "local opendir");
		goto out;
	}
	if ((lnames = calloc(MODEL_MAX_ENTRIES + 1, sizeof(*lnames))) ==
	    NULL) {
		closedir(d);
		goto out;
	}
	while ((de = readdir(d)) != NULL && nl < MODEL_MAX_ENTRIES) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((lnames[nl] = strdup(de->d_name)) != NULL)
			nl++;
	}
	closedir(d);
	qsort(lnames, nl, sizeof(*lnames), model_strcmp);
	if (nl != nents) {
		model_fault(m, rel, "number of entries");
		tap_diag("  local %zu store %zu", nl, nents);
		goto out;
	}
	for (i = 0; i < nl; i++) {
		if (strcmp(lnames[i], ents[i].name) != 0) {
			model_fault(m, rel, "names");
			tap_diag("  local %s store %s", lnames[i],
			    ents[i].name);
			goto out;
		}
		model_join(sub, sizeof(sub), rel, lnames[i]);
		model_abs(m, a, sizeof(a), sub);
		if (lstat(a, &st) == -1) {
			model_fault(m, sub, "local lstat");
			continue;
		}
		model_compare_entry(m, sub, &ents[i], &st);
		if (S_ISDIR(st.st_mode) && ents[i].type == STORE_TYPE_DIR)
			model_compare_dir(m, sub, &ents[i].fh);
	}
out:
	if (lnames != NULL)
		for (i = 0; i < nl; i++)
			free(lnames[i]);
	free(lnames);
	free(ents);
}

static int
model_checkpoint(struct model *m, const char *why)
{
	struct store_attr a;
	struct stat st;
	unsigned long before = m->tree_faults;

	m->ninomap = 0;
	if (store_getattr(m->s, &m->root, &a) != 0 ||
	    stat(m->top, &st) == -1 || a.nlink != st.st_nlink ||
	    a.mode != (st.st_mode & 07777))
		model_fault(m, "", "top directory");
	model_compare_dir(m, "", &m->root);
	return tap_ok(m->tree_faults == before,
	    "%s after %lu ops: trees match (%zu entries)", why, m->ops,
	    m->nents);
}

static int
model_reopen(struct model *m)
{
	int rv;

	store_close(m->s);
	m->s = NULL;
	if ((rv = store_open(m->sdir, NULL, &m->s)) != 0 ||
	    (rv = store_share_root(m->s, "model", 0, &m->root, NULL)) != 0) {
		tap_diag("reopen: %s", strerror(-rv));
		return rv;
	}
	return 0;
}

int
main(void)
{
	struct model m;
	const char *env;
	unsigned long nops, i;
	uint64_t seed = 20240611;
	time_t start;
	int rv;

	memset(&m, 0, sizeof(m));
	if ((env = getenv("DITTOFS_SEED")) != NULL)
		seed = strtoull(env, NULL, 0);
	nops = MODEL_OPS_DEFAULT;
	if ((env = getenv("DITTOFS_MODEL_OPS")) != NULL)
		nops = strtoul(env, NULL, 0);
	tap_diag("seed %llu (set DITTOFS_SEED to repeat), %lu ops",
	    (unsigned long long)seed, nops);
	if (geteuid() != 0) {
		tap_skip("not root", "model test needs root for the scratch "
		    "tree's permission semantics");
		return tap_done();
	}
	m.rng = seed ? seed : 1;
	umask(0);
	snprintf(m.top, sizeof(m.top), "/tmp/dittofs-model-XXXXXX");
	snprintf(m.sdir, sizeof(m.sdir), "/tmp/dittofs-model-store-XXXXXX");
	if (mkdtemp(m.top) == NULL || mkdtemp(m.sdir) == NULL ||
	    chmod(m.top, 0755) == -1) {
		perror("mkdtemp");
		return 1;
	}
	m.ents = calloc(MODEL_MAX_ENTRIES, sizeof(*m.ents));
	m.buf = malloc(MODEL_MAX_FILE + 1);
	m.buf2 = malloc(MODEL_MAX_FILE + 1);
	m.inomap = calloc(MODEL_MAX_ENTRIES, sizeof(*m.inomap));
	if (m.ents == NULL || m.buf == NULL || m.buf2 == NULL ||
	    m.inomap == NULL) {
		perror("malloc");
		return 1;
	}
	rv = store_open(m.sdir, NULL, &m.s);
	if (rv == 0)
		rv = store_share_root(m.s, "model", 1, &m.root, NULL);
	if (!tap_ok(rv == 0, "store opened"))
		return tap_done();

	start = time(NULL);
	model_refresh(&m);
	for (i = 0; i < nops; i++) {
		m.ops++;
		if (model_op(&m))
			model_refresh(&m);
		if (model_below(&m, 16) == 0 && store_sync(m.s) != 0)
			tap_ok(0, "store_sync");
		if (m.ops % MODEL_CHECK_EVERY == 0) {
			model_refresh(&m);
			if (m.ops % MODEL_REOPEN_EVERY == 0) {
				if (model_reopen(&m) != 0)
					break;
				model_checkpoint(&m, "reopen");
			} else
				model_checkpoint(&m, "checkpoint");
		}
		if (time(NULL) - start > MODEL_SECONDS) {
			tap_diag("time bound reached after %lu ops", m.ops);
			break;
		}
	}
	model_refresh(&m);
	model_checkpoint(&m, "final");
	tap_ok(m.mismatches == 0, "all %lu operations gave the same result "
	    "(%lu agreed errors, %lu mismatches)", m.ops, m.errors_agreed,
	    m.mismatches);
	if (m.s != NULL && model_reopen(&m) == 0)
		model_checkpoint(&m, "final reopen");
	store_close(m.s);
	TAP_EQ_INT(store_fsck(m.sdir, 0, stdout), 0, "fsck: no faults");
	if (tap_failed == 0) {
		model_rm_tree(m.top);
		model_rm_tree(m.sdir);
	} else
		tap_diag("kept %s and %s", m.top, m.sdir);
	free(m.ents);
	free(m.buf);
	free(m.buf2);
	free(m.inomap);
	return tap_done();
}
