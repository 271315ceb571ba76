/*
 * blockd/store_inode.c: inode records (inodes.db) and their encoding, the
 * counters in meta.db, and the attribute snapshot of an inode.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "blockd/store_int.h"

/*
 * An inode record, version 3 (160 bytes):
 *	0 version, 1 type, 4 flags, 8 mode, 12 uid, 16 gid, 20 nlink,
 *	24 share, 28 generation, 32 rdev, 40 change, 48 parent, 56 size,
 *	64 next_cookie, 72 atime, 88 mtime, 104 ctime, 120 btime (16 each),
 *	136 verf, 144 dos, 148 zero, 152 ctime_floor.
 * Version 2 (152 bytes) ended at the zero word: it reads with
 * ctime_floor 0.
 * Version 1 (144 bytes) ended at verf: it reads with dos 0 and its change
 * taken to at least its ctime in ns (the floor every move keeps, below),
 * so a store from before the rule still never shows change going back.
 */
void
store_inode_encode(const struct store_inode *ip, uint8_t *p)
{
	memset(p, 0, STORE_INODE_RECLEN);
	p[0] = 3;			/* record version */
	p[1] = (uint8_t)ip->type;
	store_put32(p + 4, ip->flags);
	store_put32(p + 8, ip->mode);
	store_put32(p + 12, ip->uid);
	store_put32(p + 16, ip->gid);
	store_put32(p + 20, ip->nlink);
	store_put32(p + 24, ip->share);
	store_put32(p + 28, ip->generation);
	store_put64(p + 32, ip->rdev);
	store_put64(p + 40, ip->change);
	store_put64(p + 48, ip->parent);
	store_put64(p + 56, ip->size);
	store_put64(p + 64, ip->next_cookie);
	store_put_ts(p + 72, &ip->atime);
	store_put_ts(p + 88, &ip->mtime);
	store_put_ts(p + 104, &ip->ctime);
	store_put_ts(p + 120, &ip->btime);
	memcpy(p + 136, ip->verf, STORE_VERF_SIZE);
	store_put32(p + 144, ip->dos);
	store_put64(p + 152, ip->ctime_floor);
}

int
store_inode_decode(const uint8_t *p, size_t len, uint64_t ino,
    struct store_inode *ip)
{
	uint64_t floor;

	if (len < 2 || p[1] < STORE_TYPE_REG || p[1] > STORE_TYPE_SOCK ||
	    !((p[0] == 3 && len == STORE_INODE_RECLEN) ||
	    (p[0] == 2 && len == STORE_INODE_RECLEN_V2) ||
	    (p[0] == 1 && len == STORE_INODE_RECLEN_V1)))
		return -EIO;
	memset(ip, 0, sizeof(*ip));
	ip->ino = ino;
	ip->type = (enum store_type)p[1];
	ip->flags = store_get32(p + 4);
	ip->mode = store_get32(p + 8);
	ip->uid = store_get32(p + 12);
	ip->gid = store_get32(p + 16);
	ip->nlink = store_get32(p + 20);
	ip->share = store_get32(p + 24);
	ip->generation = store_get32(p + 28);
	ip->rdev = store_get64(p + 32);
	ip->change = store_get64(p + 40);
	ip->parent = store_get64(p + 48);
	ip->size = store_get64(p + 56);
	ip->next_cookie = store_get64(p + 64);
	store_get_ts(p + 72, &ip->atime);
	store_get_ts(p + 88, &ip->mtime);
	store_get_ts(p + 104, &ip->ctime);
	store_get_ts(p + 120, &ip->btime);
	memcpy(ip->verf, p + 136, STORE_VERF_SIZE);
	if (p[0] >= 2) {
		ip->dos = store_get32(p + 144);
		if (p[0] == 3)
			ip->ctime_floor = store_get64(p + 152);
		return 0;
	}
	/* Version 1: derive what it did not keep. */
	if ((floor = store_ts_ns(&ip->ctime)) > ip->change)
		ip->change = floor;
	if (ip->btime.tv_sec == 0 && ip->btime.tv_nsec == 0)
		ip->btime = ip->ctime;
	return 0;
}

/* A time in ns since the epoch (0 before it): change's floor. */
uint64_t
store_ts_ns(const struct timespec *ts)
{
	if (ts->tv_sec < 0)
		return 0;
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/*
 * Move the change attribute: past its value and to at least now in ns.
 * The floor keeps it ahead of a backed file's ctime folded in by
 * store_attr_fill_stat, and of any value a lost lazy transaction showed.
 */
void
store_change_bump(struct store_inode *ip, const struct timespec *now)
{
	uint64_t t = store_ts_ns(now);

	ip->change = ip->change + 1 > t ? ip->change + 1 : t;
}

int
store_inode_get(struct store *s, uint64_t ino, struct store_inode *ip)
{
	return store_inode_get_cur(s, NULL, ino, ip);
}

/* With cur (a cursor on inodes.db), for many gets in a row: no cursor each. */
int
store_inode_get_cur(struct store *s, DBC *cur, uint64_t ino,
    struct store_inode *ip)
{
	uint8_t k[8], rec[STORE_INODE_RECLEN];
	DBT key, data;
	int ret;

	store_put64(k, ino);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = sizeof(k);
	data.data = rec;
	data.ulen = sizeof(rec);
	data.flags = DB_DBT_USERMEM;
	ret = cur != NULL ? cur->get(cur, &key, &data, DB_SET) :
	    s->inodes->get(s->inodes, s->txn, &key, &data, 0);
	if (ret == DB_NOTFOUND)
		return -ENOENT;
	if (ret != 0)
		return store_dberr(s, "get inode", ret);
	if (store_inode_decode(rec, data.size, ino, ip) != 0) {
		store_log(s, "inode %llx: bad record",
		    (unsigned long long)ino);
		return -EIO;
	}
	return 0;
}

int
store_inode_put(struct store *s, const struct store_inode *ip)
{
	uint8_t k[8], rec[STORE_INODE_RECLEN];
	DBT key, data;
	int ret;

	store_put64(k, ip->ino);
	store_inode_encode(ip, rec);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = sizeof(k);
	data.data = rec;
	data.size = sizeof(rec);
	if ((ret = s->inodes->put(s->inodes, s->txn, &key, &data, 0)) != 0)
		return store_dberr(s, "put inode", ret);
	/* Nobody can have cached an inode this operation made. */
	if (ip->ino != s->txn_new_ino)
		store_note(s, ip, STORE_NOTIFY_ATTR);
	return 0;
}

/*
 * Delete an inode with its xattrs, named streams, symlink target and
 * ACL; a BACKED inode's backing file goes after the next log flush
 * (rule 1).
 */
int
store_inode_del(struct store *s, const struct store_inode *ip)
{
	uint8_t k[8];
	DBT key;
	uint64_t files;
	int ret, rv;

	/* Its named streams go with it (their records with its xattrs). */
	if ((rv = store_stream_del_all(s, ip)) != 0)
		return rv;
	store_put64(k, ip->ino);
	memset(&key, 0, sizeof(key));
	key.data = k;
	key.size = sizeof(k);
	if ((ret = s->inodes->del(s->inodes, s->txn, &key, 0)) != 0)
		return store_dberr(s, "del inode", ret);
	if ((rv = store_blob_del_all(s, ip->ino, 0)) != 0)
		return rv;

	if ((rv = store_meta_get_u64(s, "files", &files)) != 0)
		return rv;
	if ((rv = store_meta_put_u64(s, "files", files ? files - 1 : 0)) != 0)
		return rv;
	if (ip->type == STORE_TYPE_REG && (ip->flags & STORE_INODE_BACKED)) {
		if (s->ntxn_unlinks == STORE_TXN_UNLINKS_MAX) {
			store_log(s, "too many unlinks in one operation");
			return -EIO;
		}
		s->txn_unlinks[s->ntxn_unlinks++] = ip->ino;
	}
	return 0;
}

/* A fresh inode number; counts the inode in "files". */
int
store_inode_alloc(struct store *s, uint64_t *inop)
{
	uint64_t next, files;
	int rv;

	if ((rv = store_meta_get_u64(s, "next_ino", &next)) != 0)
		return rv;
	if ((rv = store_meta_put_u64(s, "next_ino", next + 1)) != 0)
		return rv;
	if ((rv = store_meta_get_u64(s, "files", &files)) != 0)
		return rv;
	if ((rv = store_meta_put_u64(s, "files", files + 1)) != 0)
		return rv;
	s->txn_new_ino = next;
	*inop = next;
	return 0;
}

int
store_meta_get_u64(struct store *s, const char *name, uint64_t *v)
{
	uint8_t buf[8];
	DBT key, data;
	int ret;

	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = (void *)name;
	key.size = (u_int32_t)strlen(name);
	data.data = buf;
	data.ulen = sizeof(buf);
	data.flags = DB_DBT_USERMEM;
	ret = s->meta->get(s->meta, s->txn, &key, &data, 0);
	if (ret == DB_NOTFOUND)
		return -ENOENT;
	if (ret != 0)
		return store_dberr(s, name, ret);
	if (data.size != sizeof(buf))
		return -EIO;
	*v = store_get64(buf);
	return 0;
}

int
store_meta_put_u64(struct store *s, const char *name, uint64_t v)
{
	uint8_t buf[8];
	DBT key, data;
	int ret;

	store_put64(buf, v);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = (void *)name;
	key.size = (u_int32_t)strlen(name);
	data.data = buf;
	data.size = sizeof(buf);
	if ((ret = s->meta->put(s->meta, s->txn, &key, &data, 0)) != 0)
		return store_dberr(s, name, ret);
	return 0;
}

static int
store_ts_after(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* The attributes of ip; a BACKED regular file's data ones from st. */
void
store_attr_fill_stat(const struct store_inode *ip, const struct stat *st,
    struct store_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->type = ip->type;
	a->mode = ip->mode & 07777;
	a->nlink = ip->nlink;
	a->uid = ip->uid;
	a->gid = ip->gid;
	a->rdev = ip->rdev;
	a->share = ip->share;
	a->generation = ip->generation;
	a->ino = ip->ino;
	a->change = ip->change;
	a->dos = ip->dos;
	a->atime = ip->atime;
	a->mtime = ip->mtime;
	a->ctime = ip->ctime;
	a->btime = ip->btime;
	if (ip->flags & STORE_INODE_ACL)
		a->flags |= STORE_ATTR_ACL;
	if (ip->flags & STORE_INODE_CASELESS)
		a->flags |= STORE_ATTR_CASELESS;
	switch (ip->type) {
	case STORE_TYPE_REG:
		if (st == NULL) {
			/* unbacked: empty, the record's times */
			a->flags |= STORE_ATTR_UNBACKED;
			break;
		}
		a->size = (uint64_t)st->st_size;
		a->used = (uint64_t)st->st_blocks * 512;
		/* Writes through a front end's fd move the file's ctime. */
		if (store_ts_ns(&st->st_ctim) > a->change)
			a->change = store_ts_ns(&st->st_ctim);
		a->atime = st->st_atim;
		a->mtime = st->st_mtim;
		/*
		 * Writes through a front end's fd move only the file's;
		 * a ctime set (STORE_SATTR_CTIME) stands until one.
		 */
		if (store_ts_after(&st->st_ctim, &a->ctime) &&
		    store_ts_ns(&st->st_ctim) > ip->ctime_floor)
			a->ctime = st->st_ctim;
		break;
	case STORE_TYPE_DIR:
		a->size = 4096;
		a->used = 4096;
		break;
	case STORE_TYPE_LNK:
		a->size = ip->size;
		break;
	default:
		break;
	}
}

int
store_attr_fill(struct store *s, const struct store_inode *ip,
    struct store_attr *a)
{
	struct stat st;
	int rv;

	if (ip->type != STORE_TYPE_REG || !(ip->flags & STORE_INODE_BACKED)) {
		store_attr_fill_stat(ip, NULL, a);
		return 0;
	}
	if ((rv = store_backing_stat(s, ip->ino, &st)) != 0) {
		store_log(s, "inode %llx: backing file: %s",
		    (unsigned long long)ip->ino, strerror(-rv));
		return -EIO;
	}
	store_attr_fill_stat(ip, &st, a);
	return 0;
}
