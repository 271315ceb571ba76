/*
 * Client records in Berkeley DB (see clients.h).  One B-tree:
 *   "m"                     -> epoch (8), next id (8)         big endian
 *   "c" protocol(1) name    -> id (8), epoch (8), addr length (2), addr
 * A record that does not decode is logged and skipped, never trusted.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <db.h>

#include "clients.h"

#define CLIENTS_META_KEY	"m"
#define CLIENTS_REC_PREFIX	'c'
#define CLIENTS_REC_FIXED	18	/* id, epoch, addr length */
#define CLIENTS_MAX		(1u << 20)
#define CLIENTS_PROTOCOL_NLM	1	/* stated_common.x ST_PROTOCOL_NLM */

struct stated_clients {
	DB_ENV			*env;
	DB			*db;
	clients_log_fn		 log;
	uint64_t		 epoch;
	uint64_t		 next_id;
	struct stated_client	**v;
	size_t			 n;
	size_t			 cap;
};

static void
clients_logf(struct stated_clients *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (c->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->log(buf);
}

static void
clients_put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t
clients_get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int
clients_put(struct stated_clients *c, const void *k, size_t klen,
    const void *d, size_t dlen, int sync)
{
	DB_TXN *txn = NULL;
	DBT key, data;
	int ret;

	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = (void *)k;
	key.size = (u_int32_t)klen;
	data.data = (void *)d;
	data.size = (u_int32_t)dlen;
	if ((ret = c->env->txn_begin(c->env, NULL, &txn, 0)) != 0)
		goto fail;
	if ((ret = c->db->put(c->db, txn, &key, &data, 0)) != 0) {
		txn->abort(txn);
		goto fail;
	}
	if ((ret = txn->commit(txn, sync ? 0 : DB_TXN_NOSYNC)) != 0)
		goto fail;
	return 0;
fail:
	clients_logf(c, "client records: put: %s", db_strerror(ret));
	return -1;
}

static int
clients_store_meta(struct stated_clients *c, int sync)
{
	uint8_t buf[16];

	clients_put64(buf, c->epoch);
	clients_put64(buf + 8, c->next_id);
	return clients_put(c, CLIENTS_META_KEY, 1, buf, sizeof(buf), sync);
}

static int
clients_store(struct stated_clients *c, const struct stated_client *cl,
    int sync)
{
	uint8_t key[2 + CLIENTS_NAME_MAX], data[CLIENTS_REC_FIXED +
	    CLIENTS_ADDR_MAX];
	size_t nlen = strlen(cl->name), alen = strlen(cl->addr);

	key[0] = CLIENTS_REC_PREFIX;
	key[1] = (uint8_t)cl->protocol;
	memcpy(key + 2, cl->name, nlen);
	clients_put64(data, cl->id);
	clients_put64(data + 8, cl->epoch);
	data[16] = (uint8_t)(alen >> 8);
	data[17] = (uint8_t)alen;
	memcpy(data + CLIENTS_REC_FIXED, cl->addr, alen);
	return clients_put(c, key, 2 + nlen, data, CLIENTS_REC_FIXED + alen,
	    sync);
}

static struct stated_client *
clients_add(struct stated_clients *c, int protocol, const char *name,
    size_t nlen, const char *addr, size_t alen)
{
	struct stated_client *cl, **grown;

	if (c->n >= CLIENTS_MAX || nlen == 0 || nlen > CLIENTS_NAME_MAX ||
	    alen > CLIENTS_ADDR_MAX || protocol < 1 || protocol > 255)
		return NULL;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;

		if ((grown = reallocarray(c->v, cap, sizeof(*grown))) == NULL)
			return NULL;
		c->v = grown;
		c->cap = cap;
	}
	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return NULL;
	if ((cl->name = strndup(name, nlen)) == NULL) {
		free(cl);
		return NULL;
	}
	memcpy(cl->addr, addr, alen);
	cl->addr[alen] = '\0';
	cl->protocol = protocol;
	c->v[c->n++] = cl;
	return cl;
}

/* Read every record; bump the epoch. */
static int
clients_load(struct stated_clients *c)
{
	struct stated_client *cl;
	DBC *cur;
	DBT key, data;
	const uint8_t *k, *d;
	size_t alen;
	int ret;

	if ((ret = c->db->cursor(c->db, NULL, &cur, 0)) != 0)
		return ret;
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	while ((ret = cur->get(cur, &key, &data, DB_NEXT)) == 0) {
		k = key.data;
		d = data.data;
		if (key.size == 1 && k[0] == 'm') {
			if (data.size != 16) {
				clients_logf(c, "client records: bad meta "
				    "record (%u bytes)", data.size);
				continue;
			}
			c->epoch = clients_get64(d);
			c->next_id = clients_get64(d + 8);
			continue;
		}
		if (key.size < 3 || k[0] != CLIENTS_REC_PREFIX ||
		    data.size < CLIENTS_REC_FIXED ||
		    memchr(k + 2, '\0', key.size - 2) != NULL) {
			clients_logf(c, "client records: malformed record "
			    "skipped");
			continue;
		}
		alen = (size_t)d[16] << 8 | d[17];
		if (alen != data.size - CLIENTS_REC_FIXED ||
		    alen > CLIENTS_ADDR_MAX) {
			clients_logf(c, "client records: malformed record "
			    "skipped");
			continue;
		}
		cl = clients_add(c, k[1], (const char *)k + 2, key.size - 2,
		    (const char *)d + CLIENTS_REC_FIXED, alen);
		if (cl == NULL) {
			clients_logf(c, "client records: record skipped");
			continue;
		}
		cl->id = clients_get64(d);
		cl->epoch = clients_get64(d + 8);
		cl->reclaimable = cl->epoch != 0;
		if (cl->id >= c->next_id)
			c->next_id = cl->id + 1;
	}
	cur->close(cur);
	return ret == DB_NOTFOUND ? 0 : ret;
}

/*
 * NLM records of earlier versions are keyed by caller_name alone; now by
 * caller_name@address (lockd's host key).  A record that has its
 * address gets the new key, so that its client may still reclaim after
 * the upgrade, from that address only.  One transaction per record.
 */
static void
clients_migrate_nlm(struct stated_clients *c)
{
	uint8_t okey[2 + CLIENTS_NAME_MAX], nkey[2 + CLIENTS_NAME_MAX],
	    data[CLIENTS_REC_FIXED + CLIENTS_ADDR_MAX];
	struct stated_client *cl;
	char *name;
	size_t i, olen, nlen, alen, n = 0;
	DB_TXN *txn;
	DBT k, d;

	for (i = 0; i < c->n; i++) {
		cl = c->v[i];
		if (cl->protocol != CLIENTS_PROTOCOL_NLM ||
		    strchr(cl->name, '@') != NULL || cl->addr[0] == '\0')
			continue;
		olen = strlen(cl->name);
		alen = strlen(cl->addr);
		nlen = olen + 1 + alen;
		if (nlen > CLIENTS_NAME_MAX ||
		    asprintf(&name, "%s@%s", cl->name, cl->addr) == -1)
			continue;
		if (clients_find(c, cl->protocol, name) != NULL) {
			free(name);
			continue;
		}
		okey[0] = nkey[0] = CLIENTS_REC_PREFIX;
		okey[1] = nkey[1] = (uint8_t)cl->protocol;
		memcpy(okey + 2, cl->name, olen);
		memcpy(nkey + 2, name, nlen);
		clients_put64(data, cl->id);
		clients_put64(data + 8, cl->epoch);
		data[16] = (uint8_t)(alen >> 8);
		data[17] = (uint8_t)alen;
		memcpy(data + CLIENTS_REC_FIXED, cl->addr, alen);
		memset(&k, 0, sizeof(k));
		memset(&d, 0, sizeof(d));
		d.data = data;
		d.size = (u_int32_t)(CLIENTS_REC_FIXED + alen);
		txn = NULL;
		if (c->env->txn_begin(c->env, NULL, &txn, 0) != 0) {
			free(name);
			continue;
		}
		k.data = nkey;
		k.size = (u_int32_t)(2 + nlen);
		if (c->db->put(c->db, txn, &k, &d, 0) != 0)
			goto abort;
		k.data = okey;
		k.size = (u_int32_t)(2 + olen);
		if (c->db->del(c->db, txn, &k, 0) != 0)
			goto abort;
		if (txn->commit(txn, 0) != 0) {
			free(name);
			continue;
		}
		free(cl->name);
		cl->name = name;
		n++;
		continue;
abort:
		txn->abort(txn);
		free(name);
	}
	if (n > 0)
		clients_logf(c, "client records: %zu NLM record(s) now keyed "
		    "by name and address", n);
}

int
clients_open(const char *dir, clients_log_fn log, struct stated_clients **cp,
    char *err, size_t errlen)
{
	struct stated_clients *c;
	int ret;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->log = log;
	c->next_id = 1;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
		free(c);
		return -1;
	}
	if ((ret = db_env_create(&c->env, 0)) != 0)
		goto fail;
	/* One process uses it (DB_PRIVATE); recovery runs at every open. */
	if ((ret = c->env->log_set_config(c->env, DB_LOG_AUTO_REMOVE, 1)) != 0 ||
	    (ret = c->env->open(c->env, dir, DB_CREATE | DB_INIT_TXN |
	    DB_INIT_LOG | DB_INIT_LOCK | DB_INIT_MPOOL | DB_RECOVER |
	    DB_PRIVATE, 0600)) != 0)
		goto fail;
	if ((ret = db_create(&c->db, c->env, 0)) != 0 ||
	    (ret = c->db->open(c->db, NULL, "clients.db", NULL, DB_BTREE,
	    DB_CREATE | DB_AUTO_COMMIT, 0600)) != 0)
		goto fail;
	if ((ret = clients_load(c)) != 0)
		goto fail;
	clients_migrate_nlm(c);
	c->epoch++;
	if (clients_store_meta(c, 1) == -1) {
		snprintf(err, errlen, "cannot store the new epoch");
		clients_close(c);
		return -1;
	}
	*cp = c;
	return 0;
fail:
	snprintf(err, errlen, "client records in %s: %s", dir,
	    db_strerror(ret));
	clients_close(c);
	return -1;
}

void
clients_close(struct stated_clients *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->db != NULL)
		c->db->close(c->db, 0);
	if (c->env != NULL) {
		if (c->db != NULL)
			c->env->txn_checkpoint(c->env, 0, 0, 0);
		c->env->close(c->env, 0);
	}
	for (i = 0; i < c->n; i++) {
		free(c->v[i]->name);
		free(c->v[i]);
	}
	free(c->v);
	free(c);
}

int
clients_checkpoint(struct stated_clients *c)
{
	return c->env->txn_checkpoint(c->env, 0, 0, 0) == 0 ? 0 : -1;
}

uint64_t
clients_epoch(const struct stated_clients *c)
{
	return c->epoch;
}

size_t
clients_count(const struct stated_clients *c)
{
	return c->n;
}

struct stated_client *
clients_at(struct stated_clients *c, size_t i)
{
	return i < c->n ? c->v[i] : NULL;
}

struct stated_client *
clients_find(struct stated_clients *c, int protocol, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i]->protocol == protocol &&
		    strcmp(c->v[i]->name, name) == 0)
			return c->v[i];
	return NULL;
}

struct stated_client *
clients_get(struct stated_clients *c, int protocol, const char *name,
    const char *addr)
{
	struct stated_client *cl;
	size_t alen = addr ? strlen(addr) : 0;

	if ((cl = clients_find(c, protocol, name)) != NULL) {
		if (alen > 0 && alen <= CLIENTS_ADDR_MAX &&
		    strcmp(cl->addr, addr) != 0) {
			memcpy(cl->addr, addr, alen + 1);
			if (cl->epoch != 0)
				clients_store(c, cl, 0);
		}
		return cl;
	}
	if (alen > CLIENTS_ADDR_MAX)
		alen = 0;
	if ((cl = clients_add(c, protocol, name, strlen(name), addr ? addr :
	    "", alen)) == NULL)
		return NULL;
	cl->id = c->next_id++;
	return cl;
}

size_t
clients_count_addr(const struct stated_clients *c, int protocol,
    const char *addr)
{
	size_t i, n = 0;

	for (i = 0; i < c->n; i++)
		if (c->v[i]->protocol == protocol &&
		    strcmp(c->v[i]->addr, addr) == 0)
			n++;
	return n;
}

int
clients_remove(struct stated_clients *c, struct stated_client *cl)
{
	uint8_t key[2 + CLIENTS_NAME_MAX];
	size_t nlen = strlen(cl->name), i;
	DB_TXN *txn = NULL;
	DBT k;
	int ret;

	key[0] = CLIENTS_REC_PREFIX;
	key[1] = (uint8_t)cl->protocol;
	memcpy(key + 2, cl->name, nlen);
	memset(&k, 0, sizeof(k));
	k.data = key;
	k.size = (u_int32_t)(2 + nlen);
	/* Holding nothing, it needs no log flush: a crash keeps it, idle. */
	if ((ret = c->env->txn_begin(c->env, NULL, &txn, 0)) != 0)
		goto fail;
	ret = c->db->del(c->db, txn, &k, 0);
	if (ret != 0 && ret != DB_NOTFOUND) {
		txn->abort(txn);
		goto fail;
	}
	if ((ret = txn->commit(txn, DB_TXN_NOSYNC)) != 0)
		goto fail;
	for (i = 0; i < c->n; i++) {
		if (c->v[i] == cl) {
			c->v[i] = c->v[--c->n];
			break;
		}
	}
	free(cl->name);
	free(cl);
	return 0;
fail:
	clients_logf(c, "client records: delete: %s", db_strerror(ret));
	return -1;
}

int
clients_note_state(struct stated_clients *c, struct stated_client *cl)
{
	uint64_t old = cl->epoch;

	if (cl->epoch == c->epoch)
		return 0;
	cl->epoch = c->epoch;
	/*
	 * next_id first, so that an id once stored is never given again;
	 * the record's log flush makes both durable.
	 */
	if (clients_store_meta(c, 0) == -1 || clients_store(c, cl, 1) == -1) {
		cl->epoch = old;
		return -1;
	}
	return 0;
}

int
clients_clear_state(struct stated_clients *c, struct stated_client *cl)
{
	if (cl->epoch == 0)
		return 0;
	cl->epoch = 0;
	return clients_store(c, cl, 0);
}
