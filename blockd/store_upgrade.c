/*
 * blockd/store_upgrade.c: the upgrades of an older store to format 4, run
 * at open: format 1's cookies.db rewritten (format 2's records), format
 * 3's caseless directories keyed again by format 4's folding table, and
 * the format number (3 adds caseless directories, which no older store
 * has).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockd/store_int.h"
#include "common/casefold.h"

/*
 * Cookie records per transaction of that upgrade.  A transaction keeps
 * a lock on every page it read or wrote until it ends, and each record
 * costs a dirents.db search: a batch holds at most a few thousand locks.
 * One transaction for a whole store of 3 million entries ran out of
 * set_lk_max_locks' 50000 (measured; 1 million fitted).
 */
#define STORE_UPGRADE_BATCH	1000

struct store_upgrade {
	size_t		rewritten;
	size_t		kept;		/* format 2 already */
	size_t		unmatched;	/* name no dirent: left for fsck */
};

/* One record of an upgrade's walk: cur on it, aux a cursor beside. */
typedef int store_upgrade_fn(struct store *, DBC *cur, DBC *aux, DBT *key,
    const DBT *data, void *arg);

/*
 * Each record of db through fn, with a cursor on aux for it to use,
 * STORE_UPGRADE_BATCH records per transaction; the transaction that
 * reaches the last record also sets the format.  A crash therefore
 * leaves the new format complete, or the old one with some batches
 * done, which the next open walks again from the start: fn must know a
 * record it did already.
 */
static int
store_upgrade_walk(struct store *s, DB *db, DB *aux, store_upgrade_fn *fn,
    void *arg)
{
	DBT key, data;
	DBC *cur, *acur;
	u_int32_t flag = DB_FIRST;
	size_t n;
	int done = 0, ret, rv = 0;

	memset(&key, 0, sizeof(key));
	/* Outlives each batch's cursor: where the next batch starts. */
	key.flags = DB_DBT_REALLOC;
	while (!done && rv == 0) {
		if ((rv = store_txn_begin(s)) != 0)
			break;
		cur = acur = NULL;
		if ((ret = db->cursor(db, s->txn, &cur, 0)) != 0 ||
		    (ret = aux->cursor(aux, s->txn, &acur, 0)) != 0) {
			rv = store_dberr(s, "upgrade: cursor", ret);
			goto end;
		}
		memset(&data, 0, sizeof(data));
		ret = cur->get(cur, &key, &data, flag);
		for (n = 0; ret == 0 && n < STORE_UPGRADE_BATCH; n++) {
			if ((rv = fn(s, cur, acur, &key, &data, arg)) != 0)
				goto end;
			ret = cur->get(cur, &key, &data, DB_NEXT);
		}
		/* ret 0: a full batch; key is the next batch's first. */
		if (ret == DB_NOTFOUND) {
			done = 1;
			rv = store_meta_put_u64(s, "format", STORE_FORMAT);
		} else if (ret != 0)
			rv = store_dberr(s, "upgrade: next record", ret);
end:
		if (acur != NULL && (ret = acur->close(acur)) != 0 && rv == 0)
			rv = store_dberr(s, "cursor close", ret);
		if (cur != NULL && (ret = cur->close(cur)) != 0 && rv == 0)
			rv = store_dberr(s, "cursor close", ret);
		rv = store_txn_end(s, rv);
		flag = DB_SET_RANGE;
	}
	free(key.data);
	return rv;
}

/*
 * Is there a dirent (dir, name) with this cookie?  1 and its ino and
 * type if so, 0 if not, or a negative errno.  A bad dirent record counts
 * as none: fsck reports it.
 */
static int
store_upgrade_match(struct store *s, DBC *dcur, uint64_t dir,
    uint64_t cookie, const uint8_t *name, size_t len, uint64_t *inop,
    enum store_type *typep)
{
	uint8_t k[8 + STORE_NAME_MAX];
	const uint8_t *v;
	DBT key, data;
	int ret;

	if (len == 0 || len > STORE_NAME_MAX)
		return 0;
	store_put64(k, dir);
	memcpy(k + 8, name, len);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = (u_int32_t)(8 + len);
	ret = dcur->get(dcur, &key, &data, DB_SET);
	if (ret == DB_NOTFOUND)
		return 0;
	if (ret != 0)
		return store_dberr(s, "upgrade: get dirent", ret);
	v = data.data;
	if (data.size != 17 || store_get64(v + 8) != cookie)
		return 0;
	*inop = store_get64(v);
	*typep = (enum store_type)v[16];
	return 1;
}

/* The cookie record under cur (key, data) in format 2. */
static int
store_upgrade_record(struct store *s, DBC *cur, DBC *dcur, DBT *key,
    const DBT *data, void *arg)
{
	struct store_upgrade *u = arg;
	uint8_t v[STORE_COOKIE_VAL_MAX];
	const uint8_t *val = data->data, *name;
	enum store_type type;
	uint64_t dir, cookie, ino;
	size_t len;
	DBT nd;
	int ret, rv;

	if (key->size != 16) {
		u->unmatched++;
		return 0;
	}
	dir = store_get64(key->data);
	cookie = store_get64((const uint8_t *)key->data + 8);
	/* Format 1: the value is the name. */
	name = val;
	len = data->size;
	rv = store_upgrade_match(s, dcur, dir, cookie, name, len, &ino,
	    &type);
	if (rv == 0 && data->size > 9) {
		/* Rewritten before a crash cut the upgrade short? */
		name = val + 9;
		len = data->size - 9;
		rv = store_upgrade_match(s, dcur, dir, cookie, name, len, &ino,
		    &type);
		if (rv == 1 && store_get64(val) == ino &&
		    val[8] == (uint8_t)type) {
			u->kept++;
			return 0;
		}
	}
	if (rv < 0)
		return rv;
	if (rv == 0) {
		u->unmatched++;
		return 0;
	}
	memset(&nd, 0, sizeof(nd));
	nd.data = v;
	nd.size = (u_int32_t)store_cookie_encode(v, ino, type,
	    (const char *)name, len);
	if ((ret = cur->put(cur, key, &nd, DB_CURRENT)) != 0)
		return store_dberr(s, "upgrade: put cookie", ret);
	u->rewritten++;
	return 0;
}

/*
 * Format 1 to 4: every cookies.db value becomes (ino, type, name), taken
 * from the dirent it names (dirents.db is the truth); nothing else
 * differs.
 *
 * In batches (store_upgrade_walk): a crash leaves format 4 complete, or
 * format 1 with some batches rewritten.  A record tells its form by
 * the dirent it matches: read either way, its name must name the dirent
 * that has its cookie, and only one dirent of a directory has a given
 * cookie.  A record that names none either way (there are none in a
 * consistent store) is left as it is for fsck, which deletes it.
 */
int
store_upgrade_cookies(struct store *s)
{
	struct store_upgrade u;
	int rv;

	memset(&u, 0, sizeof(u));
	if ((rv = store_upgrade_walk(s, s->cookies, s->dirents,
	    store_upgrade_record, &u)) != 0)
		return rv;
	store_log(s, "%s: store format 1 upgraded to %d: %zu cookie records "
	    "rewritten, %zu were already, %zu name no entry (for fsck)",
	    s->dir, STORE_FORMAT, u.rewritten, u.kept, u.unmatched);
	/* Flush it now, and checkpoint if it wrote much log. */
	return store_sync(s);
}

/*
 * Format 2 to 4: nothing to rewrite (a format 2 store has no caseless
 * directory), the number alone, in one transaction made durable now.
 */
int
store_upgrade_format(struct store *s, uint64_t from)
{
	int rv;

	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	rv = store_txn_end(s, store_meta_put_u64(s, "format", STORE_FORMAT));
	if (rv != 0)
		return rv;
	store_log(s, "%s: store format %llu upgraded to %d", s->dir,
	    (unsigned long long)from, STORE_FORMAT);
	return store_sync(s);
}

struct store_rekey {
	uint64_t	dir;		/* the directory last seen */
	int		caseless;	/* its STORE_INODE_CASELESS */
	size_t		rekeyed;
	size_t		renamed;	/* collided: store_rekey_rename */
	size_t		skipped;	/* no cookie record: fsck's */
};

/* Is there a dirent (dir, key)?  1, 0 or a negative errno. */
static int
store_rekey_taken(struct store *s, uint64_t dir, const uint8_t *key,
    size_t len)
{
	int rv;

	rv = store_dirent_get(s, dir, (const char *)key, len, NULL, NULL,
	    NULL);
	return rv == 0 ? 1 : rv == -ENOENT ? 0 : rv;
}

/*
 * name (len bytes) collides in directory dir with a name the old table
 * kept apart: the first free "name~N" (N from 1, the name cut at a
 * character to fit), folded into k + 8; its length, or 0 if none is
 * free up to ~999.
 */
static size_t
store_rekey_rename(struct store *s, uint64_t dir, const char *name,
    size_t len, char *out, uint8_t *k, int *errp)
{
	char suffix[8];
	size_t base, slen;
	int n, rv;

	for (n = 1; n < 1000; n++) {
		slen = (size_t)snprintf(suffix, sizeof(suffix), "~%d", n);
		base = len + slen <= STORE_NAME_MAX ? len :
		    STORE_NAME_MAX - slen;
		/* Not inside a UTF-8 sequence. */
		while (base > 0 && base < len &&
		    ((unsigned char)name[base] & 0xc0) == 0x80)
			base--;
		memcpy(out, name, base);
		memcpy(out + base, suffix, slen);
		store_put64(k, dir);
		casefold(out, base + slen, (char *)k + 8);
		if ((rv = store_rekey_taken(s, dir, k + 8, base + slen)) < 0) {
			*errp = rv;
			return 0;
		}
		if (rv == 0)
			return base + slen;
	}
	return 0;
}

/*
 * The dirent under cur (key, data): in a caseless directory, its key
 * made again from its cookie record's name by today's table.
 */
static int
store_rekey_record(struct store *s, DBC *cur, DBC *icur, DBT *key,
    const DBT *data, void *arg)
{
	struct store_rekey *r = arg;
	uint8_t k[8 + STORE_NAME_MAX], ck[16], cv[STORE_COOKIE_VAL_MAX];
	uint8_t v[17];
	char renamed[STORE_NAME_MAX];
	struct store_inode dp;
	enum store_type type;
	const char *name;
	uint64_t dir, ino;
	size_t len, klen;
	DBT nk, nd, cd, ckey;
	int ret, rv;

	if (key->size <= 8 || key->size > 8 + STORE_NAME_MAX ||
	    data->size != sizeof(v))
		return 0;		/* fsck's to report */
	/* The cursor's buffer: the puts below may reuse it. */
	memcpy(v, data->data, sizeof(v));
	dir = store_get64(key->data);
	if (dir != r->dir) {
		rv = store_inode_get_cur(s, icur, dir, &dp);
		if (rv != 0 && rv != -ENOENT)
			return rv;
		r->dir = dir;
		r->caseless = rv == 0 && (dp.flags & STORE_INODE_CASELESS);
	}
	if (!r->caseless)
		return 0;
	store_put64(ck, dir);
	memcpy(ck + 8, v + 8, 8);
	memset(&ckey, 0, sizeof(ckey));
	memset(&cd, 0, sizeof(cd));
	ckey.data = ck;
	ckey.size = sizeof(ck);
	cd.data = cv;
	cd.ulen = sizeof(cv);
	cd.flags = DB_DBT_USERMEM;
	ret = s->cookies->get(s->cookies, s->txn, &ckey, &cd, 0);
	if (ret != 0 && ret != DB_NOTFOUND && ret != DB_BUFFER_SMALL)
		return store_dberr(s, "upgrade: get cookie", ret);
	if (ret != 0 || store_cookie_decode(cv, cd.size, &ino, &type, &name,
	    &len) != 0 || len != key->size - 8) {
		r->skipped++;
		return 0;
	}
	store_put64(k, dir);
	casefold(name, len, (char *)k + 8);
	if (memcmp(k + 8, (uint8_t *)key->data + 8, len) == 0)
		return 0;
	klen = 8 + len;
	if ((rv = store_rekey_taken(s, dir, k + 8, len)) < 0)
		return rv;
	if (rv == 1) {
		rv = 0;
		len = store_rekey_rename(s, dir, name, len, renamed, k, &rv);
		if (rv != 0)
			return rv;
		if (len == 0) {
			store_log(s, "directory %llx: \"%.*s\" is another "
			    "entry's name now and no other name is free: "
			    "left for fsck", (unsigned long long)dir,
			    (int)(key->size - 8), (char *)key->data + 8);
			r->skipped++;
			return 0;
		}
		store_log(s, "directory %llx: \"%.*s\" is another entry's "
		    "name once folded by format 4's table: renamed \"%.*s\"",
		    (unsigned long long)dir, (int)(cd.size - 9),
		    (char *)cv + 9, (int)len, renamed);
		klen = 8 + len;
		memset(&cd, 0, sizeof(cd));
		cd.data = cv;
		cd.size = (u_int32_t)store_cookie_encode(cv, ino, type,
		    renamed, len);
		if ((ret = s->cookies->put(s->cookies, s->txn, &ckey, &cd,
		    0)) != 0)
			return store_dberr(s, "upgrade: put cookie", ret);
		r->renamed++;
	} else
		r->rekeyed++;
	memset(&nk, 0, sizeof(nk));
	nk.data = k;
	nk.size = (u_int32_t)klen;
	memset(&nd, 0, sizeof(nd));
	nd.data = v;
	nd.size = sizeof(v);
	if ((ret = s->dirents->put(s->dirents, s->txn, &nk, &nd,
	    DB_NOOVERWRITE)) != 0)
		return store_dberr(s, "upgrade: put dirent", ret);
	if ((ret = cur->del(cur, 0)) != 0)
		return store_dberr(s, "upgrade: del dirent", ret);
	return 0;
}

/*
 * Format 3 to 4: the dirents.db keys of caseless directories made again
 * by common/casefold.c's table of format 4 (every letter of the BMP; format 3's
 * folded Latin-1, Latin Extended-A, Greek, Cyrillic and Armenian, and
 * folds them as before), from the names as made that the cookie records
 * keep.  Two names the old table kept apart and the new one folds alike
 * (Ａ and ａ, made on a format 3 store) cannot both keep theirs: the one
 * met second is renamed name~1 (or ~2...), logged.
 *
 * In batches (store_upgrade_walk): a crash leaves format 3 with some
 * keys made again, and a key that is already its name's folding is left
 * alone when the next open starts over.
 */
int
store_upgrade_rekey(struct store *s)
{
	struct store_rekey r;
	int rv;

	memset(&r, 0, sizeof(r));
	if ((rv = store_upgrade_walk(s, s->dirents, s->inodes,
	    store_rekey_record, &r)) != 0)
		return rv;
	store_log(s, "%s: store format 3 upgraded to %d: %zu names of "
	    "caseless directories keyed again by the new folding, %zu "
	    "renamed, %zu without a cookie record (for fsck)", s->dir,
	    STORE_FORMAT, r.rekeyed, r.renamed, r.skipped);
	return store_sync(s);
}
