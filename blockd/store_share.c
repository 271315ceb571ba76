/*
 * blockd/store_share.c: shares: a name in meta.db maps to its root directory
 * and share id.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "blockd/store_int.h"

#define STORE_SHARE_KEY		"share:"

static int
store_share_name_ok(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len <= STORE_NAME_MAX;
}

int
store_share_root(struct store *s, const char *name, int create,
    struct store_fh *fh, struct store_attr *attr)
{
	return store_share_open(s, name, create, 0, NULL, fh, attr);
}

/*
 * A share's flags live in its root directory's record (CASELESS, which
 * every mkdir in it inherits): set once, when the root is made.
 */
int
store_share_open(struct store *s, const char *name, int create,
    unsigned int flags, unsigned int *have, struct store_fh *fh,
    struct store_attr *attr)
{
	char k[sizeof(STORE_SHARE_KEY) + STORE_NAME_MAX];
	uint8_t v[12];
	struct store_inode root;
	DBT key, data;
	uint64_t ino, shareid;
	int ret, rv;

	if (!store_share_name_ok(name) ||
	    (flags & ~(unsigned int)STORE_SHARE_CASELESS))
		return -EINVAL;
	snprintf(k, sizeof(k), "%s%s", STORE_SHARE_KEY, name);
	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = (u_int32_t)strlen(k);
	data.data = v;
	data.ulen = sizeof(v);
	data.flags = DB_DBT_USERMEM;
	ret = s->meta->get(s->meta, s->txn, &key, &data, 0);
	if (ret == 0) {
		if (data.size != sizeof(v)) {
			rv = -EIO;
			goto out;
		}
		ino = store_get64(v + 4);
		rv = store_inode_get(s, ino, &root);
		goto out;
	}
	if (ret != DB_NOTFOUND) {
		rv = store_dberr(s, "get share", ret);
		goto out;
	}
	if (!create) {
		rv = -ENOENT;
		goto out;
	}
	if ((rv = store_meta_get_u64(s, "next_share", &shareid)) != 0 ||
	    (rv = store_meta_put_u64(s, "next_share", shareid + 1)) != 0 ||
	    (rv = store_inode_alloc(s, &ino)) != 0)
		goto out;
	if (shareid > UINT32_MAX) {
		rv = -EOVERFLOW;
		goto out;
	}
	memset(&root, 0, sizeof(root));
	root.ino = ino;
	root.type = STORE_TYPE_DIR;
	root.mode = 0755;
	root.nlink = 2;
	root.share = (uint32_t)shareid;
	root.generation = s->epoch;
	root.parent = ino;
	root.next_cookie = STORE_COOKIE_FIRST;
	if (flags & STORE_SHARE_CASELESS)
		root.flags |= STORE_INODE_CASELESS;
	store_now(&root.ctime);
	root.atime = root.mtime = root.btime = root.ctime;
	root.change = store_ts_ns(&root.ctime);
	if ((rv = store_inode_put(s, &root)) != 0)
		goto out;
	store_put32(v, (uint32_t)shareid);
	store_put64(v + 4, ino);
	data.data = v;
	data.size = sizeof(v);
	data.flags = 0;
	if ((ret = s->meta->put(s->meta, s->txn, &key, &data, 0)) != 0)
		rv = store_dberr(s, "put share", ret);
out:
	if ((rv = store_txn_end(s, rv)) != 0)
		return rv;
	if (create && (rv = store_sync(s)) != 0)
		return rv;
	if (have != NULL)
		*have = (root.flags & STORE_INODE_CASELESS) ?
		    STORE_SHARE_CASELESS : 0;
	if ((rv = store_fh_encode(s, root.share, root.ino, root.generation,
	    fh)) != 0)
		return rv;
	if (attr != NULL)
		return store_attr_fill(s, &root, attr);
	return 0;
}
