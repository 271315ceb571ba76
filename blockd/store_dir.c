/*
 * blockd/store_dir.c: directory entries (dirents.db) and readdir cookies
 * (cookies.db).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/types.h>

#include <errno.h>
#include <string.h>

#include "blockd/store_int.h"
#include "common/casefold.h"

static size_t
store_dirent_key(uint8_t *k, uint64_t dir, const char *name, size_t len)
{
	store_put64(k, dir);
	memcpy(k + 8, name, len);
	return 8 + len;
}

/* key: the cookies.db record (dir, cookie), in ck (16 bytes). */
static void
store_cookie_key(DBT *key, uint8_t *ck, uint64_t dir, uint64_t cookie)
{
	store_put64(ck, dir);
	store_put64(ck + 8, cookie);
	memset(key, 0, sizeof(*key));
	key->data = ck;
	key->size = 16;
}

/* The key of name in dp: folded in a caseless directory. */
static size_t
store_dirent_key_of(uint8_t *k, const struct store_inode *dp,
    const char *name, size_t len)
{
	store_put64(k, dp->ino);
	if (dp->flags & STORE_INODE_CASELESS)
		casefold(name, len, (char *)k + 8);
	else
		memcpy(k + 8, name, len);
	return 8 + len;
}

/* dirents.db: (dir, name) -> (ino, cookie, type) */
static int
store_dirent_get_key(struct store *s, uint8_t *k, size_t klen,
    uint64_t *inop, enum store_type *typep, uint64_t *cookiep)
{
	uint8_t v[17];
	DBT key, data;
	int ret;

	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = (u_int32_t)klen;
	data.data = v;
	data.ulen = sizeof(v);
	data.flags = DB_DBT_USERMEM;
	ret = s->dirents->get(s->dirents, s->txn, &key, &data, 0);
	if (ret == DB_NOTFOUND)
		return -ENOENT;
	if (ret != 0)
		return store_dberr(s, "get dirent", ret);
	if (data.size != sizeof(v))
		return -EIO;
	if (inop != NULL)
		*inop = store_get64(v);
	if (cookiep != NULL)
		*cookiep = store_get64(v + 8);
	if (typep != NULL)
		*typep = (enum store_type)v[16];
	return 0;
}

int
store_dirent_get(struct store *s, uint64_t dir, const char *name,
    size_t len, uint64_t *inop, enum store_type *typep, uint64_t *cookiep)
{
	uint8_t k[8 + STORE_NAME_MAX];

	if (len > STORE_NAME_MAX)
		return -ENOENT;
	return store_dirent_get_key(s, k, store_dirent_key(k, dir, name, len),
	    inop, typep, cookiep);
}

/* The name as made, from the cookie record: a caseless dir's key is not. */
static int
store_dirent_stored(struct store *s, uint64_t dir, uint64_t cookie,
    char *name, size_t *lenp)
{
	uint8_t ck[16], cv[STORE_COOKIE_VAL_MAX];
	const char *n;
	enum store_type type;
	uint64_t ino;
	DBT key, data;
	size_t len;
	int ret;

	store_cookie_key(&key, ck, dir, cookie);
	memset(&data, 0, sizeof(data));
	data.data = cv;
	data.ulen = sizeof(cv);
	data.flags = DB_DBT_USERMEM;
	ret = s->cookies->get(s->cookies, s->txn, &key, &data, 0);
	if (ret == DB_NOTFOUND || ret == DB_BUFFER_SMALL ||
	    (ret == 0 && store_cookie_decode(cv, data.size, &ino, &type, &n,
	    &len) != 0)) {
		store_log(s, "directory %llx: cookie %llu: no such record",
		    (unsigned long long)dir, (unsigned long long)cookie);
		return -EIO;
	}
	if (ret != 0)
		return store_dberr(s, "get cookie", ret);
	memcpy(name, n, len);
	*lenp = len;
	return 0;
}

int
store_dirent_find(struct store *s, const struct store_inode *dp,
    const char *name, size_t len, uint64_t *inop, enum store_type *typep,
    char *stored, size_t *storedlen)
{
	uint8_t k[8 + STORE_NAME_MAX];
	uint64_t cookie;
	int rv;

	if (len > STORE_NAME_MAX)
		return -ENOENT;
	if ((rv = store_dirent_get_key(s, k, store_dirent_key_of(k, dp, name,
	    len), inop, typep, &cookie)) != 0 || stored == NULL)
		return rv;
	if (dp->flags & STORE_INODE_CASELESS)
		return store_dirent_stored(s, dp->ino, cookie, stored,
		    storedlen);
	memcpy(stored, name, len);
	*storedlen = len;
	return 0;
}

/*
 * cookies.db: (dir, cookie) -> (ino, type, name), which is what readdir
 * walks: a listing reads nothing else (plus: the inodes).  The dirent is
 * the truth; the cookie record copies its ino and type.
 */
size_t
store_cookie_encode(uint8_t *v, uint64_t ino, enum store_type type,
    const char *name, size_t len)
{
	store_put64(v, ino);
	v[8] = (uint8_t)type;
	memcpy(v + 9, name, len);
	return 9 + len;
}

/* -EIO for a value that is not one: damage, or format 1's bare name. */
int
store_cookie_decode(const uint8_t *v, size_t size, uint64_t *inop,
    enum store_type *typep, const char **namep, size_t *lenp)
{
	if (size <= 9 || size > STORE_COOKIE_VAL_MAX ||
	    v[8] < STORE_TYPE_REG || v[8] > STORE_TYPE_SOCK)
		return -EIO;
	*inop = store_get64(v);
	*typep = (enum store_type)v[8];
	*namep = (const char *)v + 9;
	*lenp = size - 9;
	return 0;
}

/*
 * Add name to directory dp with the next cookie; updates dp in memory,
 * the caller writes it.  The cookie record (above) is what readdir
 * walks, so a cookie names a position that survives restarts and other
 * entries' changes.
 */
int
store_dirent_add(struct store *s, struct store_inode *dp, const char *name,
    size_t len, uint64_t ino, enum store_type type)
{
	uint8_t k[8 + STORE_NAME_MAX], v[17], ck[16];
	uint8_t cv[STORE_COOKIE_VAL_MAX];
	DBT key, data;
	uint64_t cookie;
	int ret;

	cookie = dp->next_cookie++;
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = (u_int32_t)store_dirent_key_of(k, dp, name, len);
	store_put64(v, ino);
	store_put64(v + 8, cookie);
	v[16] = (uint8_t)type;
	data.data = v;
	data.size = sizeof(v);
	ret = s->dirents->put(s->dirents, s->txn, &key, &data,
	    DB_NOOVERWRITE);
	if (ret == DB_KEYEXIST)
		return -EEXIST;
	if (ret != 0)
		return store_dberr(s, "put dirent", ret);

	store_cookie_key(&key, ck, dp->ino, cookie);
	memset(&data, 0, sizeof(data));
	data.data = cv;
	data.size = (u_int32_t)store_cookie_encode(cv, ino, type, name, len);
	if ((ret = s->cookies->put(s->cookies, s->txn, &key, &data, 0)) != 0)
		return store_dberr(s, "put cookie", ret);
	dp->size++;
	store_note_entry(s, dp, name, len, STORE_NOTIFY_ENTRY_ADD |
	    (type == STORE_TYPE_DIR ? STORE_NOTIFY_ENTRY_DIR : 0));
	return 0;
}

/*
 * Remove name (any case in a caseless directory) from dp; updates dp in
 * memory.  The note names the entry as it was made.
 */
int
store_dirent_del(struct store *s, struct store_inode *dp, const char *name,
    size_t len)
{
	uint8_t k[8 + STORE_NAME_MAX], ck[16];
	char stored[STORE_NAME_MAX];
	enum store_type type;
	uint64_t cookie;
	size_t klen;
	DBT key;
	int ret, rv;

	if (len > STORE_NAME_MAX)
		return -ENOENT;
	klen = store_dirent_key_of(k, dp, name, len);
	if ((rv = store_dirent_get_key(s, k, klen, NULL, &type, &cookie)) != 0)
		return rv;
	if ((dp->flags & STORE_INODE_CASELESS) &&
	    (rv = store_dirent_stored(s, dp->ino, cookie, stored, &len)) == 0)
		name = stored;
	else if (rv != 0)
		return rv;
	memset(&key, 0, sizeof(key));
	key.data = k;
	key.size = (u_int32_t)klen;
	if ((ret = s->dirents->del(s->dirents, s->txn, &key, 0)) != 0)
		return store_dberr(s, "del dirent", ret);
	store_cookie_key(&key, ck, dp->ino, cookie);
	if ((ret = s->cookies->del(s->cookies, s->txn, &key, 0)) != 0)
		return store_dberr(s, "del cookie", ret);
	if (dp->size > 0)
		dp->size--;
	store_note_entry(s, dp, name, len, STORE_NOTIFY_ENTRY_DEL |
	    (type == STORE_TYPE_DIR ? STORE_NOTIFY_ENTRY_DIR : 0));
	return 0;
}
