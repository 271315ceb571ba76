/*
 * blockd/fsck.c: consistency check and repair of a store.
 *
 * store_check() runs on an open store: store_open() uses its backing-file
 * part after an unclean stop (rule 2 at the top of store.c), store_fsck()
 * all of it on a store nobody has open.  The scans only collect faults;
 * repairs that touch the database run afterwards in their own
 * transactions, because a cursor's read locks and a writing transaction
 * in the same thread would wait for each other forever.
 *
 * Repairs: dangling dirents and stray cookie or xattr records are
 * deleted; a cookie record that disagrees with its dirent (the ino, type
 * and name readdir lists) is rewritten from the dirent; link counts,
 * directory entry counts and parent pointers are set from the dirents;
 * an inode no dirent reaches is linked into its share's root as
 * "orphan.<inode>" (never deleted: it may hold data); a BACKED regular
 * inode without its backing file gets an empty one; a backing file of a
 * regular inode that is not BACKED is adopted (BACKED set); a backing
 * file without a regular inode is deleted; an ACL record that is not a
 * valid common/acl.h encoding, or an ACL flag without a record, is
 * dropped (the mode rules); an ACL record its inode does not claim (an
 * older store's opaque blob) is deleted.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockd/store_int.h"
#include "common/casefold.h"

struct fsck_ino {
	uint64_t	ino;
	uint64_t	parent;
	uint64_t	size;
	uint64_t	refdir;		/* the dir of the (first) dirent */
	uint32_t	nlink;
	uint32_t	share;
	uint32_t	refs;
	uint32_t	subdirs;
	uint32_t	entries;
	uint8_t		type;
	uint8_t		isroot;
	uint8_t		hastarget;
	uint8_t		aclflag;	/* STORE_INODE_ACL */
	uint8_t		hasacl;		/* an ACL record */
	uint8_t		caseless;	/* STORE_INODE_CASELESS: folded keys */
	uint8_t		stream;		/* STORE_INODE_STREAM: no dirent */
};

struct fsck_share {
	uint32_t	id;
	uint64_t	root;
};

enum fsck_fix_kind {
	FSCK_DEL_DIRENT,	/* raw dirents.db key */
	FSCK_DEL_COOKIE,	/* raw cookies.db key */
	FSCK_PUT_COOKIE,	/* raw key, value */
	FSCK_PUT_DIRENT,	/* raw key, value */
	FSCK_DEL_XATTR,		/* raw xattrs.db key */
	FSCK_SET_INODE,		/* ino: nlink, size, parent */
	FSCK_PUT_SYMLINK,	/* ino: a placeholder target */
	FSCK_ORPHAN,		/* ino: link into its share root */
	FSCK_SET_META,		/* "files" and "next_ino" */
	FSCK_DROP_ACL,		/* ino: no ACL, the mode rules */
	FSCK_DEL_INODE		/* ino: a stream no file names */
};

struct fsck_fix {
	enum fsck_fix_kind kind;
	uint64_t	ino;
	uint32_t	nlink;
	uint64_t	size;
	uint64_t	parent;
	uint8_t		*key;
	size_t		keylen;
	uint8_t		*val;
	size_t		vallen;
};

struct fsck {
	struct store	*s;
	FILE		*report;
	int		 flags;
	int		 faults;
	int		 err;		/* a negative errno: stop */
	struct fsck_ino	*inos;
	size_t		 ninos, inos_cap;
	struct fsck_share *shares;
	size_t		 nshares, shares_cap;
	struct fsck_fix	*fixes;
	size_t		 nfixes, fixes_cap;
};

static void	fsck_fault(struct fsck *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	fsck_backing(struct fsck *);
static int	fsck_namespace(struct fsck *);
static int	fsck_apply(struct fsck *);

static void
fsck_fault(struct fsck *f, const char *fmt, ...)
{
	va_list ap;

	f->faults++;
	if (f->report == NULL)
		return;
	fprintf(f->report, "fault: ");
	va_start(ap, fmt);
	vfprintf(f->report, fmt, ap);
	va_end(ap);
	fprintf(f->report, "%s\n", (f->flags & STORE_CHECK_REPAIR) ?
	    " (repaired)" : "");
}

static int
fsck_grow(void **arrayp, size_t *capp, size_t need, size_t size)
{
	size_t cap;
	void *p;

	if (need <= *capp)
		return 0;
	cap = *capp ? *capp * 2 : 256;
	while (cap < need)
		cap *= 2;
	if ((p = reallocarray(*arrayp, cap, size)) == NULL)
		return -ENOMEM;
	*arrayp = p;
	*capp = cap;
	return 0;
}

static struct fsck_fix *
fsck_fix_add(struct fsck *f, enum fsck_fix_kind kind, const void *key,
    size_t keylen, const void *val, size_t vallen)
{
	struct fsck_fix *x;

	if (!(f->flags & STORE_CHECK_REPAIR))
		return NULL;
	if (fsck_grow((void **)&f->fixes, &f->fixes_cap, f->nfixes + 1,
	    sizeof(*f->fixes)) != 0) {
		f->err = -ENOMEM;
		return NULL;
	}
	x = &f->fixes[f->nfixes];
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	if (keylen > 0) {
		if ((x->key = malloc(keylen)) == NULL) {
			f->err = -ENOMEM;
			return NULL;
		}
		memcpy(x->key, key, keylen);
		x->keylen = keylen;
	}
	if (vallen > 0) {
		if ((x->val = malloc(vallen)) == NULL) {
			free(x->key);
			f->err = -ENOMEM;
			return NULL;
		}
		memcpy(x->val, val, vallen);
		x->vallen = vallen;
	}
	f->nfixes++;
	return x;
}

static void
fsck_fixes_free(struct fsck *f)
{
	size_t i;

	for (i = 0; i < f->nfixes; i++) {
		free(f->fixes[i].key);
		free(f->fixes[i].val);
	}
	f->nfixes = 0;
}

static struct fsck_ino *
fsck_ino_find(struct fsck *f, uint64_t ino)
{
	size_t lo = 0, hi = f->ninos, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (f->inos[mid].ino == ino)
			return &f->inos[mid];
		if (f->inos[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static uint64_t
fsck_share_root(struct fsck *f, uint32_t share)
{
	size_t i;

	for (i = 0; i < f->nshares; i++)
		if (f->shares[i].id == share)
			return f->shares[i].root;
	return 0;
}

static int
fsck_fsync_dir(struct store *s, const char *path)
{
	int fd, rv = 0;

	if ((fd = openat(s->datafd, path, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return -errno;
	if (fsync(fd) == -1)
		rv = -errno;
	(void)close(fd);
	return rv;
}

static int
fsck_hex_name(const char *name, uint64_t *ino)
{
	size_t i;
	uint64_t v = 0;

	if (strlen(name) != 16)
		return 0;
	for (i = 0; i < 16; i++) {
		if (!isxdigit((unsigned char)name[i]) ||
		    isupper((unsigned char)name[i]))
			return 0;
		v = v << 4 | (uint64_t)(isdigit((unsigned char)name[i]) ?
		    name[i] - '0' : name[i] - 'a' + 10);
	}
	*ino = v;
	return 1;
}

/* One shard directory data/AB/CD: every file must be a live regular inode. */
static int
fsck_backing_leaf(struct fsck *f, const char *leaf)
{
	struct store_inode ip;
	struct dirent *de;
	char path[16 + NAME_MAX + 2], want[64];
	uint64_t ino;
	DIR *d;
	int removed = 0, rv;

	if ((rv = store_dir_open(f->s->datafd, leaf, &d)) != 0)
		return rv;
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", leaf, de->d_name);
		if (!fsck_hex_name(de->d_name, &ino)) {
			fsck_fault(f, "data/%s: not a backing file name", path);
			goto drop;
		}
		store_backing_path(ino, want, sizeof(want));
		if (strcmp(want, path) != 0) {
			fsck_fault(f, "data/%s: in the wrong directory", path);
			goto drop;
		}
		rv = store_inode_get(f->s, ino, &ip);
		if (rv == 0 && ip.type == STORE_TYPE_REG)
			continue;
		if (rv != 0 && rv != -ENOENT) {
			(void)closedir(d);
			return rv;
		}
		fsck_fault(f, "data/%s: orphan backing file", path);
drop:
		if (!(f->flags & STORE_CHECK_REPAIR))
			continue;
		if (unlinkat(f->s->datafd, path, 0) == -1 &&
		    unlinkat(f->s->datafd, path, AT_REMOVEDIR) == -1) {
			if (f->report != NULL)
				fprintf(f->report, "unlink data/%s: %s\n",
				    path, strerror(errno));
			continue;
		}
		removed = 1;
	}
	rv = errno ? -errno : 0;
	(void)closedir(d);
	if (rv == 0 && removed)
		rv = fsck_fsync_dir(f->s, leaf);
	return rv;
}

/*
 * A file of an inode that is not BACKED: its BACKED transaction was lost
 * after the file was made, and a front end may have written and synced
 * data through it that its client was told is stable.  Keep it (rule 2
 * at the top of store.c).
 */
static int
fsck_adopt(struct store *s, uint64_t ino)
{
	struct store_inode ip;
	int rv;

	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if ((rv = store_inode_get(s, ino, &ip)) == 0) {
		ip.flags |= STORE_INODE_BACKED;
		rv = store_inode_put(s, &ip);
	}
	return store_txn_end(s, rv);
}

/* A BACKED inode lost its file: the data is gone, keep the name usable. */
static int
fsck_make_empty(struct store *s, uint64_t ino)
{
	char leaf[64];
	int fd, rv;

	if ((fd = store_backing_make(s, ino, O_WRONLY)) < 0)
		return fd;
	s->txn_created = 0;
	(void)close(fd);
	store_backing_path(ino, leaf, sizeof(leaf));
	leaf[5] = '\0';		/* "AB/CD" */
	if ((rv = fsck_fsync_dir(s, leaf)) == 0)
		rv = fsck_fsync_dir(s, ".");
	return rv;
}

/*
 * Walk data/AB/CD: every file must belong to a regular inode.  Then every
 * BACKED regular inode must have its file, and no other one may.
 */
static int
fsck_backing(struct fsck *f)
{
	struct store *s = f->s;
	struct store_inode ip;
	struct dirent *de, *de2;
	struct stat st;
	char mid[16], leaf[16];
	DBT key, data;
	DBC *cur;
	DIR *d, *d2;
	struct fsck_backing_fix {
		uint64_t	ino;
		int		adopt;
	} *todo = NULL;
	size_t ntodo = 0, todo_cap = 0, i;
	int ret, rv = 0, have;

	if ((rv = store_dir_open(s->datafd, ".", &d)) != 0)
		return rv;
	while (rv == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (strlen(de->d_name) != 2 || fstatat(s->datafd, de->d_name,
		    &st, AT_SYMLINK_NOFOLLOW) == -1 || !S_ISDIR(st.st_mode)) {
			fsck_fault(f, "data/%s: stray entry", de->d_name);
			continue;
		}
		memcpy(mid, de->d_name, 3);	/* 2 chars and the NUL */
		if ((rv = store_dir_open(s->datafd, mid, &d2)) != 0)
			break;
		while (rv == 0 && (errno = 0, de2 = readdir(d2)) != NULL) {
			if (strcmp(de2->d_name, ".") == 0 ||
			    strcmp(de2->d_name, "..") == 0)
				continue;
			snprintf(leaf, sizeof(leaf), "%.2s/%.2s", mid,
			    de2->d_name);
			if (strlen(de2->d_name) != 2 || fstatat(s->datafd,
			    leaf, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
			    !S_ISDIR(st.st_mode)) {
				fsck_fault(f, "data/%s/%s: stray entry", mid,
				    de2->d_name);
				continue;
			}
			rv = fsck_backing_leaf(f, leaf);
		}
		if (rv == 0 && errno != 0)
			rv = -errno;
		(void)closedir(d2);
	}
	if (rv == 0 && errno != 0)
		rv = -errno;
	(void)closedir(d);
	if (rv != 0)
		return rv;

	if ((ret = s->inodes->cursor(s->inodes, NULL, &cur, 0)) != 0)
		return store_dberr(s, "cursor inodes", ret);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	while ((ret = cur->get(cur, &key, &data, DB_NEXT)) == 0) {
		if (key.size != 8 || store_inode_decode(data.data, data.size,
		    store_get64(key.data), &ip) != 0) {
			fsck_fault(f, "bad inode record");
			continue;
		}
		if (ip.type != STORE_TYPE_REG)
			continue;
		have = store_backing_stat(s, ip.ino, &st) == 0 &&
		    S_ISREG(st.st_mode);
		if (have == !!(ip.flags & STORE_INODE_BACKED))
			continue;
		if (have)
			fsck_fault(f, "inode %llx: backing file not recorded, "
			    "to adopt", (unsigned long long)ip.ino);
		else
			fsck_fault(f, "inode %llx: backing file missing",
			    (unsigned long long)ip.ino);
		if (fsck_grow((void **)&todo, &todo_cap, ntodo + 1,
		    sizeof(*todo)) != 0) {
			rv = -ENOMEM;
			break;
		}
		todo[ntodo].ino = ip.ino;
		todo[ntodo++].adopt = have;
	}
	if (rv == 0 && ret != DB_NOTFOUND)
		rv = store_dberr(s, "scan inodes", ret);
	if ((ret = cur->close(cur)) != 0 && rv == 0)
		rv = store_dberr(s, "cursor close", ret);
	for (i = 0; rv == 0 && i < ntodo &&
	    (f->flags & STORE_CHECK_REPAIR); i++) {
		if (todo[i].adopt)
			rv = fsck_adopt(s, todo[i].ino);
		else
			rv = fsck_make_empty(s, todo[i].ino);
	}
	free(todo);
	return rv;
}

static int
fsck_load(struct fsck *f)
{
	struct store *s = f->s;
	struct store_inode ip;
	struct fsck_ino *fi;
	DBT key, data;
	DBC *cur;
	const char *pfx = "share:";
	uint8_t *v;
	int ret, rv = 0;

	f->ninos = 0;
	f->nshares = 0;
	if ((ret = s->inodes->cursor(s->inodes, NULL, &cur, 0)) != 0)
		return store_dberr(s, "cursor inodes", ret);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	while ((ret = cur->get(cur, &key, &data, DB_NEXT)) == 0) {
		if (key.size != 8 || store_inode_decode(data.data, data.size,
		    store_get64(key.data), &ip) != 0)
			continue;	/* reported by the backing check */
		if ((rv = fsck_grow((void **)&f->inos, &f->inos_cap,
		    f->ninos + 1, sizeof(*f->inos))) != 0)
			break;
		fi = &f->inos[f->ninos++];
		memset(fi, 0, sizeof(*fi));
		fi->ino = ip.ino;
		fi->parent = ip.parent;
		fi->size = ip.size;
		fi->nlink = ip.nlink;
		fi->share = ip.share;
		fi->type = (uint8_t)ip.type;
		fi->aclflag = (ip.flags & STORE_INODE_ACL) != 0;
		fi->caseless = ip.type == STORE_TYPE_DIR &&
		    (ip.flags & STORE_INODE_CASELESS);
		fi->stream = (ip.flags & STORE_INODE_STREAM) != 0;
	}
	if (rv == 0 && ret != DB_NOTFOUND)
		rv = store_dberr(s, "scan inodes", ret);
	if ((ret = cur->close(cur)) != 0 && rv == 0)
		rv = store_dberr(s, "cursor close", ret);
	if (rv != 0)
		return rv;

	if ((ret = s->meta->cursor(s->meta, NULL, &cur, 0)) != 0)
		return store_dberr(s, "cursor meta", ret);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	while ((ret = cur->get(cur, &key, &data, DB_NEXT)) == 0) {
		if (key.size <= strlen(pfx) ||
		    memcmp(key.data, pfx, strlen(pfx)) != 0)
			continue;
		if (data.size != 12)
			continue;
		if ((rv = fsck_grow((void **)&f->shares, &f->shares_cap,
		    f->nshares + 1, sizeof(*f->shares))) != 0)
			break;
		v = data.data;
		f->shares[f->nshares].id = (uint32_t)v[0] << 24 |
		    (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
		f->shares[f->nshares].root = store_get64(v + 4);
		if ((fi = fsck_ino_find(f, f->shares[f->nshares].root)) ==
		    NULL)
			fsck_fault(f, "share %.*s: root inode missing",
			    (int)(key.size - strlen(pfx)),
			    (char *)key.data + strlen(pfx));
		else
			fi->isroot = 1;
		f->nshares++;
	}
	if (rv == 0 && ret != DB_NOTFOUND)
		rv = store_dberr(s, "scan meta", ret);
	if ((ret = cur->close(cur)) != 0 && rv == 0)
		rv = store_dberr(s, "cursor close", ret);
	return rv;
}

static int
fsck_dirents(struct fsck *f)
{
	struct store *s = f->s;
	struct fsck_ino *dir, *child;
	DBT key, data, ck, cd;
	DBC *cur;
	uint8_t ckey[16], *v, nv[17], cv[STORE_COOKIE_VAL_MAX];
	char folded[STORE_NAME_MAX];
	uint64_t dino, cino, cookie;
	size_t cvlen;
	int ret, rv = 0, ok;

	if ((ret = s->dirents->cursor(s->dirents, NULL, &cur, 0)) != 0)
		return store_dberr(s, "cursor dirents", ret);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	while ((ret = cur->get(cur, &key, &data, DB_NEXT)) == 0) {
		if (key.size <= 8 || key.size > 8 + STORE_NAME_MAX ||
		    data.size != 17) {
			fsck_fault(f, "bad dirent record");
			fsck_fix_add(f, FSCK_DEL_DIRENT, key.data, key.size,
			    NULL, 0);
			continue;
		}
		dino = store_get64(key.data);
		v = data.data;
		cino = store_get64(v);
		cookie = store_get64(v + 8);
		dir = fsck_ino_find(f, dino);
		child = fsck_ino_find(f, cino);
		if (dir == NULL || dir->type != STORE_TYPE_DIR ||
		    child == NULL || child->isroot || child->stream) {
			fsck_fault(f, "dirent %llx/%.*s -> %llx: %s",
			    (unsigned long long)dino, (int)(key.size - 8),
			    (char *)key.data + 8, (unsigned long long)cino,
			    dir == NULL ? "no such directory" :
			    dir->type != STORE_TYPE_DIR ? "not a directory" :
			    child == NULL ? "no such inode" :
			    child->isroot ? "to a root" : "to a stream");
			fsck_fix_add(f, FSCK_DEL_DIRENT, key.data, key.size,
			    NULL, 0);
			store_put64(ckey, dino);
			store_put64(ckey + 8, cookie);
			fsck_fix_add(f, FSCK_DEL_COOKIE, ckey, sizeof(ckey),
			    NULL, 0);
			continue;
		}
		if (child->type == STORE_TYPE_DIR && child->refs > 0) {
			fsck_fault(f, "directory %llx linked twice (%llx/%.*s)",
			    (unsigned long long)cino, (unsigned long long)dino,
			    (int)(key.size - 8), (char *)key.data + 8);
			fsck_fix_add(f, FSCK_DEL_DIRENT, key.data, key.size,
			    NULL, 0);
			store_put64(ckey, dino);
			store_put64(ckey + 8, cookie);
			fsck_fix_add(f, FSCK_DEL_COOKIE, ckey, sizeof(ckey),
			    NULL, 0);
			continue;
		}
		if (v[16] != child->type) {
			fsck_fault(f, "dirent %llx/%.*s: wrong type",
			    (unsigned long long)dino, (int)(key.size - 8),
			    (char *)key.data + 8);
			memcpy(nv, v, sizeof(nv));
			nv[16] = child->type;
			fsck_fix_add(f, FSCK_PUT_DIRENT, key.data, key.size,
			    nv, sizeof(nv));
		}
		child->refs++;
		if (child->refs == 1)
			child->refdir = dino;
		dir->entries++;
		if (child->type == STORE_TYPE_DIR)
			dir->subdirs++;

		/*
		 * Its cookie record must name it, or readdir would not see
		 * it, and carry its ino and type (the inode's, should this
		 * dirent's be wrong), which readdir lists without looking
		 * further.
		 */
		store_put64(ckey, dino);
		store_put64(ckey + 8, cookie);
		cvlen = store_cookie_encode(cv, cino, child->type,
		    (char *)key.data + 8, key.size - 8);
		memset(&ck, 0, sizeof(ck));
		memset(&cd, 0, sizeof(cd));
		ck.data = ckey;
		ck.size = sizeof(ckey);
		ret = s->cookies->get(s->cookies, NULL, &ck, &cd, 0);
		if (ret != 0 && ret != DB_NOTFOUND) {
			rv = store_dberr(s, "get cookie", ret);
			break;
		}
		ok = ret == 0 && cd.size == cvlen &&
		    memcmp(cd.data, cv, cvlen) == 0;
		/*
		 * A caseless directory's key is the folded name; its cookie
		 * record keeps the name as made, which must fold to the key.
		 * A repair can only give it the folded one.
		 */
		if (!ok && ret == 0 && dir->caseless && cd.size == cvlen &&
		    memcmp(cd.data, cv, 9) == 0) {
			casefold((char *)cd.data + 9, cvlen - 9, folded);
			ok = memcmp(folded, (char *)key.data + 8,
			    cvlen - 9) == 0;
		}
		if (!ok) {
			fsck_fault(f, "dirent %llx/%.*s: cookie %llu %s",
			    (unsigned long long)dino, (int)(key.size - 8),
			    (char *)key.data + 8, (unsigned long long)cookie,
			    ret == DB_NOTFOUND ? "missing" :
			    "record disagrees");
			fsck_fix_add(f, FSCK_PUT_COOKIE, ckey, sizeof(ckey),
			    cv, cvlen);
		}
	}
	if (rv == 0 && ret != DB_NOTFOUND)
		rv = store_dberr(s, "scan dirents", ret);
	if ((ret = cur->close(cur)) != 0 && rv == 0)
		rv = store_dberr(s, "cursor close", ret);
	return rv;
}

/*
 * Every cookie record must be the cookie of the dirent it names.  What
 * else it carries (ino, type) fsck_dirents compares with that dirent.
 */
static int
fsck_cookies(struct fsck *f)
{
	struct store *s = f->s;
	DBT key, data;
	DBC *cur;
	uint64_t dino, cookie, have;
	char name[STORE_NAME_MAX];
	struct fsck_ino *dir;
	size_t len;
	int ret, rv = 0, r;

	if ((ret = s->cookies->cursor(s->cookies, NULL, &cur, 0)) != 0)
		return store_dberr(s, "cursor cookies", ret);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	while ((ret = cur->get(cur, &key, &data, DB_NEXT)) == 0) {
		/* (ino 8, type 1, name): see store_cookie_encode */
		if (key.size != 16 || data.size <= 9 ||
		    data.size > STORE_COOKIE_VAL_MAX) {
			fsck_fault(f, "bad cookie record");
			fsck_fix_add(f, FSCK_DEL_COOKIE, key.data, key.size,
			    NULL, 0);
			continue;
		}
		dino = store_get64(key.data);
		cookie = store_get64((uint8_t *)key.data + 8);
		len = data.size - 9;
		memcpy(name, (uint8_t *)data.data + 9, len);
		if ((dir = fsck_ino_find(f, dino)) != NULL && dir->caseless)
			casefold(name, len, name);
		r = store_dirent_get(s, dino, name, len, NULL, NULL, &have);
		if (r != 0 && r != -ENOENT) {
			rv = r;
			break;
		}
		if (r == 0 && have == cookie)
			continue;
		fsck_fault(f, "cookie %llx/%llu: stale",
		    (unsigned long long)dino, (unsigned long long)cookie);
		fsck_fix_add(f, FSCK_DEL_COOKIE, key.data, key.size, NULL, 0);
	}
	if (rv == 0 && ret != DB_NOTFOUND)
		rv = store_dberr(s, "scan cookies", ret);
	if ((ret = cur->close(cur)) != 0 && rv == 0)
		rv = store_dberr(s, "cursor close", ret);
	return rv;
}

/*
 * An ACL record: an ACL in common/acl.h's encoding that its inode's
 * STORE_INODE_ACL flag claims.  Without the flag it is the opaque blob
 * of an older store, which no code reads: dropped.
 */
static void
fsck_acl(struct fsck *f, struct fsck_ino *fi, const DBT *key)
{
	uint8_t buf[STORE_ACL_MAX];
	struct fsck_fix *x;
	struct acl acl;
	size_t len;
	int rv;

	fi->hasacl = 1;
	if (!fi->aclflag) {
		fsck_fault(f, "inode %llx: an ACL record the inode does not "
		    "claim (an old opaque blob)", (unsigned long long)fi->ino);
		fsck_fix_add(f, FSCK_DEL_XATTR, key->data, key->size, NULL, 0);
		return;
	}
	rv = store_blob_get(f->s, fi->ino, STORE_XNAME_ACL,
	    sizeof(STORE_XNAME_ACL) - 1, buf, sizeof(buf), &len);
	if (rv == 0 && acl_decode(buf, len, &acl) == 0)
		return;
	if (rv == -EIO || rv == -ENOMEM) {
		f->err = rv;
		return;
	}
	fsck_fault(f, "inode %llx: ACL record is not a valid ACL",
	    (unsigned long long)fi->ino);
	if ((x = fsck_fix_add(f, FSCK_DROP_ACL, NULL, 0, NULL, 0)) != NULL)
		x->ino = fi->ino;
}

/*
 * A stream record: it must name a stream inode of this file, which it
 * reaches (a stream no record names is unreachable: fsck_inodes).
 */
static void
fsck_stream(struct fsck *f, struct fsck_ino *fi, const DBT *key)
{
	struct fsck_ino *si = NULL;
	uint8_t v[8];
	size_t len = 0;
	int rv;

	rv = store_blob_get(f->s, fi->ino, (const char *)key->data + 8,
	    key->size - 8, v, sizeof(v), &len);
	if (rv == -EIO || rv == -ENOMEM) {
		f->err = rv;
		return;
	}
	if (rv == 0 && len == sizeof(v))
		si = fsck_ino_find(f, store_get64(v));
	if (si != NULL && si->stream && si->parent == fi->ino &&
	    si->refs == 0) {
		si->refs++;
		return;
	}
	fsck_fault(f, "inode %llx: stream record %.*s names no stream of it",
	    (unsigned long long)fi->ino,
	    (int)(key->size - 8 - STORE_XNAME_STREAM_LEN),
	    (const char *)key->data + 8 + STORE_XNAME_STREAM_LEN);
	fsck_fix_add(f, FSCK_DEL_XATTR, key->data, key->size, NULL, 0);
}

static int
fsck_xattrs(struct fsck *f)
{
	struct store *s = f->s;
	struct fsck_ino *fi;
	DBT key, data;
	DBC *cur;
	int ret, rv = 0;

	if ((ret = s->xattrs->cursor(s->xattrs, NULL, &cur, 0)) != 0)
		return store_dberr(s, "cursor xattrs", ret);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	data.flags = DB_DBT_PARTIAL;
	while ((ret = cur->get(cur, &key, &data, DB_NEXT)) == 0) {
		if (key.size <= 8 ||
		    (fi = fsck_ino_find(f, store_get64(key.data))) == NULL) {
			fsck_fault(f, "xattr of a missing inode");
			fsck_fix_add(f, FSCK_DEL_XATTR, key.data, key.size,
			    NULL, 0);
			continue;
		}
		if (key.size - 8 == sizeof(STORE_XNAME_SYMLINK) - 1 &&
		    memcmp((uint8_t *)key.data + 8, STORE_XNAME_SYMLINK,
		    key.size - 8) == 0)
			fi->hastarget = 1;
		if (key.size - 8 == sizeof(STORE_XNAME_ACL) - 1 &&
		    memcmp((uint8_t *)key.data + 8, STORE_XNAME_ACL,
		    key.size - 8) == 0)
			fsck_acl(f, fi, &key);
		if (key.size > 8 + STORE_XNAME_STREAM_LEN &&
		    memcmp((uint8_t *)key.data + 8, STORE_XNAME_STREAM,
		    STORE_XNAME_STREAM_LEN) == 0)
			fsck_stream(f, fi, &key);
	}
	if (ret != DB_NOTFOUND)
		rv = store_dberr(s, "scan xattrs", ret);
	if ((ret = cur->close(cur)) != 0 && rv == 0)
		rv = store_dberr(s, "cursor close", ret);
	return rv;
}

static void
fsck_inodes(struct fsck *f)
{
	struct fsck_ino *fi;
	struct fsck_fix *x;
	uint64_t files, next, maxino = 0;
	uint32_t nlink;
	uint64_t entries, parent;
	size_t i;

	for (i = 0; i < f->ninos && f->err == 0; i++) {
		fi = &f->inos[i];
		if (fi->ino > maxino)
			maxino = fi->ino;
		if (fi->stream && fi->refs == 0) {
			/* Its data has no name to reach it by. */
			fsck_fault(f, "stream inode %llx: no file names it",
			    (unsigned long long)fi->ino);
			if ((x = fsck_fix_add(f, FSCK_DEL_INODE, NULL, 0, NULL,
			    0)) != NULL)
				x->ino = fi->ino;
			continue;
		}
		if (!fi->isroot && fi->refs == 0) {
			fsck_fault(f, "inode %llx: unreachable",
			    (unsigned long long)fi->ino);
			if (fsck_share_root(f, fi->share) == 0) {
				if (f->report != NULL)
					fprintf(f->report, "inode %llx: no "
					    "share root to link it to\n",
					    (unsigned long long)fi->ino);
				continue;
			}
			if ((x = fsck_fix_add(f, FSCK_ORPHAN, NULL, 0, NULL,
			    0)) != NULL)
				x->ino = fi->ino;
			continue;	/* counts are fixed on the next pass */
		}
		if (fi->type == STORE_TYPE_DIR) {
			nlink = 2 + fi->subdirs;
			entries = fi->entries;
			parent = fi->isroot ? fi->ino : fi->refdir;
		} else {
			nlink = fi->refs;
			entries = fi->size;
			parent = fi->parent;
		}
		if (fi->aclflag && !fi->hasacl) {
			fsck_fault(f, "inode %llx: ACL flag without an ACL",
			    (unsigned long long)fi->ino);
			if ((x = fsck_fix_add(f, FSCK_DROP_ACL, NULL, 0,
			    NULL, 0)) != NULL)
				x->ino = fi->ino;
		}
		if (fi->type == STORE_TYPE_LNK && !fi->hastarget) {
			fsck_fault(f, "symlink %llx: no target",
			    (unsigned long long)fi->ino);
			if ((x = fsck_fix_add(f, FSCK_PUT_SYMLINK, NULL, 0,
			    NULL, 0)) != NULL)
				x->ino = fi->ino;
		}
		if (nlink == fi->nlink && entries == fi->size &&
		    parent == fi->parent)
			continue;
		if (nlink != fi->nlink)
			fsck_fault(f, "inode %llx: nlink %u, should be %u",
			    (unsigned long long)fi->ino, fi->nlink, nlink);
		if (entries != fi->size)
			fsck_fault(f, "directory %llx: %llu entries counted, "
			    "%llu recorded", (unsigned long long)fi->ino,
			    (unsigned long long)entries,
			    (unsigned long long)fi->size);
		if (parent != fi->parent)
			fsck_fault(f, "directory %llx: parent %llx, should be "
			    "%llx", (unsigned long long)fi->ino,
			    (unsigned long long)fi->parent,
			    (unsigned long long)parent);
		if ((x = fsck_fix_add(f, FSCK_SET_INODE, NULL, 0, NULL, 0)) !=
		    NULL) {
			x->ino = fi->ino;
			x->nlink = nlink;
			x->size = entries;
			x->parent = parent;
		}
	}
	if (f->err != 0)
		return;
	if (store_meta_get_u64(f->s, "files", &files) != 0 ||
	    store_meta_get_u64(f->s, "next_ino", &next) != 0) {
		fsck_fault(f, "meta records missing");
		files = next = 0;
	}
	if (files != f->ninos || next <= maxino) {
		fsck_fault(f, "meta: files %llu (counted %zu), next inode %llx "
		    "(highest %llx)", (unsigned long long)files, f->ninos,
		    (unsigned long long)next, (unsigned long long)maxino);
		if ((x = fsck_fix_add(f, FSCK_SET_META, NULL, 0, NULL, 0)) !=
		    NULL) {
			x->size = f->ninos;
			x->ino = next > maxino ? next : maxino + 1;
			if (x->ino < STORE_ROOT_INO_FIRST)
				x->ino = STORE_ROOT_INO_FIRST;
		}
	}
}

static int
fsck_raw(struct store *s, DB *db, const struct fsck_fix *x, int put)
{
	DBT key, data;
	int ret;

	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = x->key;
	key.size = (u_int32_t)x->keylen;
	if (put) {
		data.data = x->val;
		data.size = (u_int32_t)x->vallen;
		ret = db->put(db, s->txn, &key, &data, 0);
	} else {
		ret = db->del(db, s->txn, &key, 0);
		if (ret == DB_NOTFOUND)
			ret = 0;
	}
	if (ret != 0)
		return store_dberr(s, "fsck repair", ret);
	return 0;
}

static int
fsck_apply_one(struct fsck *f, const struct fsck_fix *x)
{
	struct store *s = f->s;
	struct store_inode ip, root;
	char name[64];
	static const char lost[] = "(lost by fsck)";
	int rv;

	switch (x->kind) {
	case FSCK_DEL_DIRENT:
		return fsck_raw(s, s->dirents, x, 0);
	case FSCK_PUT_DIRENT:
		return fsck_raw(s, s->dirents, x, 1);
	case FSCK_DEL_COOKIE:
		return fsck_raw(s, s->cookies, x, 0);
	case FSCK_PUT_COOKIE:
		return fsck_raw(s, s->cookies, x, 1);
	case FSCK_DEL_XATTR:
		return fsck_raw(s, s->xattrs, x, 0);
	case FSCK_SET_INODE:
		if ((rv = store_inode_get(s, x->ino, &ip)) != 0)
			return rv;
		ip.nlink = x->nlink;
		ip.size = x->size;
		ip.parent = x->parent;
		return store_inode_put(s, &ip);
	case FSCK_PUT_SYMLINK:
		if ((rv = store_inode_get(s, x->ino, &ip)) != 0)
			return rv;
		ip.size = sizeof(lost) - 1;
		if ((rv = store_blob_put(s, ip.ino, STORE_XNAME_SYMLINK,
		    sizeof(STORE_XNAME_SYMLINK) - 1, lost,
		    sizeof(lost) - 1)) != 0)
			return rv;
		return store_inode_put(s, &ip);
	case FSCK_ORPHAN:
		if ((rv = store_inode_get(s, x->ino, &ip)) != 0 ||
		    (rv = store_inode_get(s, fsck_share_root(f, ip.share),
		    &root)) != 0)
			return rv;
		snprintf(name, sizeof(name), "orphan.%016llx",
		    (unsigned long long)ip.ino);
		if ((rv = store_dirent_add(s, &root, name, strlen(name),
		    ip.ino, ip.type)) != 0)
			return rv;
		if (ip.type == STORE_TYPE_DIR) {
			ip.parent = root.ino;
			if ((rv = store_inode_put(s, &ip)) != 0)
				return rv;
		}
		if (f->report != NULL)
			fprintf(f->report, "inode %llx linked as %s\n",
			    (unsigned long long)ip.ino, name);
		return store_inode_put(s, &root);
	case FSCK_SET_META:
		if ((rv = store_meta_put_u64(s, "files", x->size)) != 0)
			return rv;
		return store_meta_put_u64(s, "next_ino", x->ino);
	case FSCK_DEL_INODE:
		if ((rv = store_inode_get(s, x->ino, &ip)) != 0)
			return rv;
		return store_inode_del(s, &ip);
	case FSCK_DROP_ACL:
		if ((rv = store_inode_get(s, x->ino, &ip)) != 0)
			return rv;
		ip.flags &= ~(uint32_t)STORE_INODE_ACL;
		rv = store_blob_del(s, ip.ino, STORE_XNAME_ACL,
		    sizeof(STORE_XNAME_ACL) - 1);
		if (rv != 0 && rv != -ENODATA)
			return rv;
		return store_inode_put(s, &ip);
	}
	return -EINVAL;
}

/* Each fix in its own transaction: a big repair must not run out of locks. */
static int
fsck_apply(struct fsck *f)
{
	size_t i;
	int rv;

	for (i = 0; i < f->nfixes; i++) {
		if ((rv = store_txn_begin(f->s)) != 0)
			return rv;
		rv = fsck_apply_one(f, &f->fixes[i]);
		if ((rv = store_txn_end(f->s, rv)) != 0)
			return rv;
	}
	return 0;
}

static int
fsck_namespace(struct fsck *f)
{
	int rv;

	/*
	 * Cookies before dirents: the fixes run in the order found, so a
	 * record that both find wrong (it names another dirent) is deleted,
	 * then put right, in one pass.
	 */
	if ((rv = fsck_load(f)) != 0 ||
	    (rv = fsck_cookies(f)) != 0 ||
	    (rv = fsck_dirents(f)) != 0 ||
	    (rv = fsck_xattrs(f)) != 0)
		return rv;
	fsck_inodes(f);
	if (f->err != 0)
		return f->err;
	return fsck_apply(f);
}

int
store_check(struct store *s, int flags, FILE *report)
{
	struct fsck f;
	int pass, found, before, rv = 0;

	memset(&f, 0, sizeof(f));
	f.s = s;
	f.report = report;
	f.flags = flags;
	if (flags & STORE_CHECK_BACKING) {
		if ((rv = fsck_backing(&f)) != 0)
			goto out;
	}
	if (flags & STORE_CHECK_NAMESPACE) {
		if ((rv = fsck_namespace(&f)) != 0)
			goto out;
		fsck_fixes_free(&f);
		found = f.faults;
		/*
		 * A repair can uncover more (an orphan linked back changes
		 * link counts): repeat until a pass finds nothing.  What
		 * these passes find follows from the first pass's faults.
		 */
		for (pass = 1; (flags & STORE_CHECK_REPAIR) && pass < 4;
		    pass++) {
			before = f.faults;
			if ((rv = fsck_namespace(&f)) != 0)
				goto out;
			fsck_fixes_free(&f);
			if (f.faults == before)
				break;
		}
		if (pass == 4 && report != NULL)
			fprintf(report, "faults remain after repair\n");
		f.faults = found;
	}
	if ((flags & STORE_CHECK_REPAIR) && (rv = store_sync(s)) != 0)
		goto out;
	rv = f.faults;
out:
	fsck_fixes_free(&f);
	free(f.fixes);
	free(f.inos);
	free(f.shares);
	return rv;
}

static void
fsck_log(void *arg, const char *msg)
{
	FILE *report = arg;

	if (report != NULL)
		fprintf(report, "%s\n", msg);
}

int
store_fsck(const char *dir, int repair, FILE *report)
{
	struct store_options opt;
	struct store *s;
	struct stat st;
	char path[4096];
	int rv;

	if ((size_t)snprintf(path, sizeof(path), "%s/db/meta.db", dir) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	if (stat(path, &st) == -1) {
		rv = -errno;
		if (report != NULL)
			fprintf(report, "%s: no store here: %s\n", dir,
			    strerror(errno));
		return rv;
	}
	memset(&opt, 0, sizeof(opt));
	opt.log = fsck_log;
	opt.log_arg = report;
	if ((rv = store_open_flags(dir, &opt, STORE_OPEN_NOREPAIR, &s)) != 0) {
		if (report != NULL)
			fprintf(report, "%s: %s\n", dir, rv == -EBUSY ?
			    "the store is in use (is blockd running?)" :
			    strerror(-rv));
		return rv;
	}
	rv = store_check(s, STORE_CHECK_BACKING | STORE_CHECK_NAMESPACE |
	    (repair ? STORE_CHECK_REPAIR : 0), report);
	/*
	 * Leave an unrepaired store marked unclean, so that the next open
	 * at least fixes its backing files.
	 */
	if (rv == 0 || (rv > 0 && repair))
		s->dirty = 0;
	else
		s->dirty = 1;
	store_close(s);
	return rv;
}
