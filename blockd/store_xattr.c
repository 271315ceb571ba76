/*
 * blockd/store_xattr.c: named blobs of an inode in xattrs.db: user xattrs,
 * a symlink's target, the ACL.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/types.h>

#include <errno.h>
#include <string.h>

#include "blockd/store_int.h"

/*
 * cur on the first record of ino (or past it), its key in k (of ksize
 * bytes, room for the longest key); data gets no value (a zero-length
 * partial get): the walks here need only the names.
 */
static int
xattr_first(DBC *cur, uint64_t ino, uint8_t *k, size_t ksize, DBT *key,
    DBT *data)
{
	store_put64(k, ino);
	memset(key, 0, sizeof(*key));
	memset(data, 0, sizeof(*data));
	key->data = k;
	key->size = 8;
	key->ulen = (u_int32_t)ksize;
	key->flags = DB_DBT_USERMEM;
	data->flags = DB_DBT_PARTIAL;
	return cur->get(cur, key, data, DB_SET_RANGE);
}

int
store_xattr_names(struct store *s, DBC *cur, uint64_t ino,
    int (*each)(void *, const uint8_t *, size_t), void *arg)
{
	uint8_t k[8 + STORE_XKEY_MAX + 1];
	DBT key, data;
	int ret, rv = 0;

	for (ret = xattr_first(cur, ino, k, sizeof(k), &key, &data);
	    ret == 0; ret = cur->get(cur, &key, &data, DB_NEXT)) {
		if (key.size < 9 || store_get64(k) != ino)
			break;
		if (k[8] == '\0')
			continue;	/* internal: symlink target, ACL */
		if ((rv = each(arg, k + 8, key.size - 8)) != 0)
			return rv;
	}
	if (ret != 0 && ret != DB_NOTFOUND)
		return store_dberr(s, "list xattrs", ret);
	return 0;
}

/* xattrs.db: (ino, name) -> value; also symlink targets and ACLs. */
int
store_blob_get(struct store *s, uint64_t ino, const char *name,
    size_t namelen, void *buf, size_t bufsize, size_t *lenp)
{
	uint8_t k[8 + STORE_XKEY_MAX + 1];
	DBT key, data;
	int ret;

	if (namelen > STORE_XKEY_MAX)
		return -ERANGE;
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	store_put64(k, ino);
	memcpy(k + 8, name, namelen);
	key.data = k;
	key.size = (u_int32_t)(8 + namelen);
	data.data = buf;
	data.ulen = (u_int32_t)bufsize;
	data.flags = DB_DBT_USERMEM;
	ret = s->xattrs->get(s->xattrs, s->txn, &key, &data, 0);
	if (ret == DB_NOTFOUND)
		return -ENODATA;
	if (ret == DB_BUFFER_SMALL) {
		*lenp = data.size;
		return bufsize == 0 ? 0 : -ERANGE;
	}
	if (ret != 0)
		return store_dberr(s, "get xattr", ret);
	*lenp = data.size;
	return 0;
}

int
store_blob_put(struct store *s, uint64_t ino, const char *name,
    size_t namelen, const void *value, size_t len)
{
	uint8_t k[8 + STORE_XKEY_MAX + 1];
	DBT key, data;
	int ret;

	if (namelen > STORE_XKEY_MAX)
		return -ERANGE;
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	store_put64(k, ino);
	memcpy(k + 8, name, namelen);
	key.data = k;
	key.size = (u_int32_t)(8 + namelen);
	data.data = (void *)value;
	data.size = (u_int32_t)len;
	if ((ret = s->xattrs->put(s->xattrs, s->txn, &key, &data, 0)) != 0)
		return store_dberr(s, "put xattr", ret);
	return 0;
}

int
store_blob_del(struct store *s, uint64_t ino, const char *name,
    size_t namelen)
{
	uint8_t k[8 + STORE_XKEY_MAX + 1];
	DBT key;
	int ret;

	if (namelen > STORE_XKEY_MAX)
		return -ERANGE;
	memset(&key, 0, sizeof(key));
	store_put64(k, ino);
	memcpy(k + 8, name, namelen);
	key.data = k;
	key.size = (u_int32_t)(8 + namelen);
	ret = s->xattrs->del(s->xattrs, s->txn, &key, 0);
	if (ret == DB_NOTFOUND)
		return -ENODATA;
	if (ret != 0)
		return store_dberr(s, "del xattr", ret);
	return 0;
}

/*
 * Every blob of ino, or (user_only) its user xattrs alone: the records
 * whose name does not start with NUL.
 */
int
store_blob_del_all(struct store *s, uint64_t ino, int user_only)
{
	uint8_t k[8 + STORE_XKEY_MAX + 1];
	DBT key, data;
	DBC *c;
	int ret, rv = 0;

	if ((ret = s->xattrs->cursor(s->xattrs, s->txn, &c, 0)) != 0)
		return store_dberr(s, "cursor xattrs", ret);
	for (ret = xattr_first(c, ino, k, sizeof(k), &key, &data); ret == 0;
	    ret = c->get(c, &key, &data, DB_NEXT)) {
		if (key.size < 8 || store_get64(k) != ino)
			break;
		if (user_only && (key.size == 8 || k[8] == '\0'))
			continue;
		if ((ret = c->del(c, 0)) != 0)
			break;
	}
	if (ret != 0 && ret != DB_NOTFOUND)
		rv = store_dberr(s, "del xattrs", ret);
	if ((ret = c->close(c)) != 0 && rv == 0)
		rv = store_dberr(s, "close cursor", ret);
	return rv;
}
