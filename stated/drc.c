/*
 * stated's copy of the NFS duplicate request cache; see drc.h.  Two
 * hashes (by key for put and get, by sequence number so that a dump
 * resumes in O(1)) and an LRU list whose order is the sequence order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "drc.h"
#include "hash.h"

struct drc_table_entry {
	struct drc_table_key		 key;
	uint64_t			 seq;
	uint8_t				*reply;
	size_t				 len;
	struct drc_table_entry		*next_key;	/* hash chains */
	struct drc_table_entry		*next_seq;
	TAILQ_ENTRY(drc_table_entry)	 lru;
};

struct drc_table {
	struct drc_table_entry		**by_key;
	struct drc_table_entry		**by_seq;
	size_t				 nbuckets;
	TAILQ_HEAD(, drc_table_entry)	 lru;		/* oldest first */
	size_t				 n;
	size_t				 max;
	size_t				 bytes;
	uint64_t			 seq;
};

/* FNV-1a over the key's fields (no padding in the struct, but be sure). */
static size_t
drc_table_key_hash(const struct drc_table *t, const struct drc_table_key *k)
{
	uint32_t v[6] = { k->port, k->xid, k->prog, k->vers, k->proc,
	    k->args_sum };

	return (size_t)(hash_fnv1a64_add(hash_fnv1a64(k->addr,
	    sizeof(k->addr)), v, sizeof(v)) % t->nbuckets);
}

static size_t
drc_table_seq_hash(const struct drc_table *t, uint64_t seq)
{
	return (size_t)(seq % t->nbuckets);
}

static int
drc_table_key_equal(const struct drc_table_key *a,
    const struct drc_table_key *b)
{
	return memcmp(a->addr, b->addr, sizeof(a->addr)) == 0 &&
	    a->port == b->port && a->xid == b->xid && a->prog == b->prog && a->vers == b->vers &&
	    a->proc == b->proc && a->args_sum == b->args_sum;
}

struct drc_table *
drc_table_new(size_t max_entries)
{
	struct drc_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->max = max_entries > 0 ? max_entries : 1;
	/* About one entry per bucket at the bound; the bound may change. */
	t->nbuckets = 1024;
	while (t->nbuckets < t->max && t->nbuckets < (1u << 20))
		t->nbuckets <<= 1;
	t->by_key = calloc(t->nbuckets, sizeof(*t->by_key));
	t->by_seq = calloc(t->nbuckets, sizeof(*t->by_seq));
	if (t->by_key == NULL || t->by_seq == NULL) {
		free(t->by_key);
		free(t->by_seq);
		free(t);
		return NULL;
	}
	TAILQ_INIT(&t->lru);
	return t;
}

static struct drc_table_entry **
drc_table_find_key(const struct drc_table *t, const struct drc_table_key *k)
{
	struct drc_table_entry **pp = &t->by_key[drc_table_key_hash(t, k)];

	for (; *pp != NULL; pp = &(*pp)->next_key)
		if (drc_table_key_equal(&(*pp)->key, k))
			break;
	return pp;
}

static struct drc_table_entry **
drc_table_find_seq(const struct drc_table *t, uint64_t seq)
{
	struct drc_table_entry **pp = &t->by_seq[drc_table_seq_hash(t, seq)];

	for (; *pp != NULL; pp = &(*pp)->next_seq)
		if ((*pp)->seq == seq)
			break;
	return pp;
}

/* Out of the sequence hash and the list; still in the key hash. */
static void
drc_table_unlink_seq(struct drc_table *t, struct drc_table_entry *e)
{
	struct drc_table_entry **pp = drc_table_find_seq(t, e->seq);

	if (*pp == e)
		*pp = e->next_seq;
	TAILQ_REMOVE(&t->lru, e, lru);
}

/* The newest: next sequence number, at the tail. */
static void
drc_table_link_seq(struct drc_table *t, struct drc_table_entry *e)
{
	size_t b;

	e->seq = ++t->seq;
	b = drc_table_seq_hash(t, e->seq);
	e->next_seq = t->by_seq[b];
	t->by_seq[b] = e;
	TAILQ_INSERT_TAIL(&t->lru, e, lru);
}

static void
drc_table_remove(struct drc_table *t, struct drc_table_entry *e)
{
	struct drc_table_entry **pp = drc_table_find_key(t, &e->key);

	if (*pp == e)
		*pp = e->next_key;
	drc_table_unlink_seq(t, e);
	t->bytes -= e->len;
	t->n--;
	free(e->reply);
	free(e);
}

void
drc_table_free(struct drc_table *t)
{
	struct drc_table_entry *e;

	if (t == NULL)
		return;
	while ((e = TAILQ_FIRST(&t->lru)) != NULL) {
		TAILQ_REMOVE(&t->lru, e, lru);
		free(e->reply);
		free(e);
	}
	free(t->by_key);
	free(t->by_seq);
	free(t);
}

void
drc_table_resize(struct drc_table *t, size_t max_entries)
{
	t->max = max_entries > 0 ? max_entries : 1;
	while (t->n > t->max)
		drc_table_remove(t, TAILQ_FIRST(&t->lru));
}

int
drc_table_put(struct drc_table *t, const struct drc_table_key *k,
    const uint8_t *reply, size_t len)
{
	struct drc_table_entry **pp, *e;
	uint8_t *copy;
	size_t b;

	if (len == 0 || len > DRC_TABLE_REPLY_MAX) {
		errno = EINVAL;
		return -1;
	}
	if ((copy = malloc(len)) == NULL)
		return -1;
	memcpy(copy, reply, len);
	pp = drc_table_find_key(t, k);
	if ((e = *pp) != NULL) {
		/* A reply replaced (the same, after an nfsd reconnect). */
		t->bytes -= e->len;
		free(e->reply);
		e->reply = copy;
		e->len = len;
		t->bytes += len;
		drc_table_unlink_seq(t, e);
		drc_table_link_seq(t, e);
		return 0;
	}
	while (t->n >= t->max)
		drc_table_remove(t, TAILQ_FIRST(&t->lru));
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		free(copy);
		return -1;
	}
	e->key = *k;
	e->reply = copy;
	e->len = len;
	b = drc_table_key_hash(t, k);
	e->next_key = t->by_key[b];
	t->by_key[b] = e;
	drc_table_link_seq(t, e);
	t->n++;
	t->bytes += len;
	return 0;
}

int
drc_table_get(const struct drc_table *t, const struct drc_table_key *k,
    const uint8_t **reply, size_t *len)
{
	struct drc_table_entry *e = *drc_table_find_key(t, k);

	if (e == NULL)
		return -1;
	*reply = e->reply;
	*len = e->len;
	return 0;
}

size_t
drc_table_dump(struct drc_table *t, uint64_t cursor, size_t max_entries,
    size_t max_bytes, drc_table_dump_fn *fn, void *arg, uint64_t *next,
    int *eof)
{
	struct drc_table_entry *e;
	size_t n = 0, bytes = 0;

	*next = cursor;
	if (cursor == 0)
		e = TAILQ_FIRST(&t->lru);
	else if ((e = *drc_table_find_seq(t, cursor)) != NULL)
		e = TAILQ_NEXT(e, lru);
	else {
		/* Evicted or replaced since: the first one after it. */
		TAILQ_FOREACH(e, &t->lru, lru)
			if (e->seq > cursor)
				break;
	}
	for (; e != NULL && n < max_entries; e = TAILQ_NEXT(e, lru)) {
		if (n > 0 && bytes + e->len > max_bytes)
			break;
		fn(arg, &e->key, e->reply, e->len);
		bytes += e->len;
		*next = e->seq;
		n++;
	}
	*eof = e == NULL;
	return n;
}

size_t
drc_table_count(const struct drc_table *t)
{
	return t->n;
}

size_t
drc_table_bytes(const struct drc_table *t)
{
	return t->bytes;
}

size_t
drc_table_max(const struct drc_table *t)
{
	return t->max;
}
