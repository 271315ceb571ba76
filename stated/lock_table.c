/*
 * The byte-range lock table and share-reservation table of dittofs-stated.
 * The rules are in lock_table.h; this file says how they are kept.
 *
 * Files and owners live in two hash tables keyed with SipHash under a
 * per-table random key, because owner bytes and host names come from
 * clients and must not let one of them pile every entry into one bucket.
 * A file holds its locks in one list sorted by start (all owners mixed),
 * its queued requests in FIFO order and its share reservations.  An owner
 * links the same records again, so that releasing an owner, a client or
 * a host touches only what they hold.  Files and owners are freed as soon
 * as nothing refers to them.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/queue.h>
#include <sys/random.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lock_table.h"

struct lock_hash_link {
	struct lock_hash_link	*next;
	uint64_t		 hash;
};

struct lock_hash {
	struct lock_hash_link	**buckets;
	size_t			  size;		/* a power of two */
	size_t			  count;
};

struct lock_table_range;
struct lock_table_waiter;
struct lock_table_share;

/* What one client (protocol, client id) holds and waits for, counted. */
struct lock_table_client {
	struct lock_hash_link	 link;		/* first: the hash casts */
	enum lock_protocol	 protocol;
	uint64_t		 client_id;
	size_t			 owners;	/* owners that point here */
	size_t			 records;	/* locks, waiters, shares */
};

struct lock_table_owner {
	struct lock_hash_link	 link;		/* first: the hash casts */
	enum lock_protocol	 protocol;
	uint64_t		 client_id;
	uint32_t		 svid;
	enum lock_semantics	 semantics;
	struct lock_table_client *client;	/* NULL for client id 0 */
	char			*host;		/* NUL-terminated, same block */
	size_t			 host_len;
	uint8_t			*bytes;		/* in this block */
	size_t			 bytes_len;
	LIST_HEAD(, lock_table_range)	 ranges;
	LIST_HEAD(, lock_table_waiter)	 waiters;
	LIST_HEAD(, lock_table_share)	 shares;
	uint64_t		 visited;	/* deadlock search generation */
	uint64_t		 target;	/* deadlock search goal */
	struct lock_table_owner	*release_next;	/* release batch */
};

struct lock_table_file {
	struct lock_hash_link	 link;		/* first: the hash casts */
	struct lock_file_id	 id;
	/* Sorted by start; named, as insertion walks it backwards. */
	TAILQ_HEAD(lock_table_range_list, lock_table_range) ranges;
	TAILQ_HEAD(, lock_table_waiter)	 waiters;	/* FIFO */
	LIST_HEAD(, lock_table_share)	 shares;
	int			 dirty;		/* on the table's wake list */
	TAILQ_ENTRY(lock_table_file)	 dirty_entry;
};

struct lock_table_range {
	struct lock_table_file	*file;
	struct lock_table_owner	*owner;
	uint64_t		 start;
	uint64_t		 end;		/* inclusive */
	enum lock_type		 type;
	TAILQ_ENTRY(lock_table_range)	 file_entry;
	LIST_ENTRY(lock_table_range)	 owner_entry;
};

struct lock_table_waiter {
	struct lock_table_file	*file;
	struct lock_table_owner	*owner;
	uint64_t		 start;
	uint64_t		 end;
	uint64_t		 offset;	/* as asked, for the grant */
	uint64_t		 length;
	enum lock_type		 type;
	uint64_t		 cookie;
	TAILQ_ENTRY(lock_table_waiter)	 file_entry;
	LIST_ENTRY(lock_table_waiter)	 owner_entry;
};

struct lock_table_share {
	struct lock_table_file	*file;
	struct lock_table_owner	*owner;
	unsigned int		 access;
	unsigned int		 deny;
	LIST_ENTRY(lock_table_share)	 file_entry;
	LIST_ENTRY(lock_table_share)	 owner_entry;
};

struct lock_table {
	struct lock_hash	 files;
	struct lock_hash	 owners;
	struct lock_hash	 clients;
	size_t			 client_max;	/* records per client; 0: any */
	uint64_t		 hash_key[2];
	lock_table_grant_cb	 grant_cb;
	void			*grant_arg;
	int			 grace;
	int			 busy;		/* inside a callback */
	uint64_t		 generation;	/* deadlock searches */
	struct lock_table_owner	**stack;	/* deadlock search */
	size_t			 stack_size;
	TAILQ_HEAD(, lock_table_file)	 dirty;	/* files to wake */
	struct lock_table_stats	 stats;
};

#define LOCK_HASH_INITIAL	64

/*
 * SipHash-2-4, fed incrementally so that an owner's fields need not be
 * copied into one buffer first.
 */
struct lock_siphash {
	uint64_t	 v0, v1, v2, v3;
	uint64_t	 tail;
	size_t		 tail_len;
	uint64_t	 total;
};

#define LOCK_ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void
lock_siphash_round(struct lock_siphash *s)
{
	s->v0 += s->v1; s->v1 = LOCK_ROTL(s->v1, 13); s->v1 ^= s->v0;
	s->v0 = LOCK_ROTL(s->v0, 32);
	s->v2 += s->v3; s->v3 = LOCK_ROTL(s->v3, 16); s->v3 ^= s->v2;
	s->v0 += s->v3; s->v3 = LOCK_ROTL(s->v3, 21); s->v3 ^= s->v0;
	s->v2 += s->v1; s->v1 = LOCK_ROTL(s->v1, 17); s->v1 ^= s->v2;
	s->v2 = LOCK_ROTL(s->v2, 32);
}

static void
lock_siphash_compress(struct lock_siphash *s, uint64_t m)
{
	s->v3 ^= m;
	lock_siphash_round(s);
	lock_siphash_round(s);
	s->v0 ^= m;
}

static void
lock_siphash_init(struct lock_siphash *s, const uint64_t key[2])
{
	s->v0 = key[0] ^ 0x736f6d6570736575ULL;
	s->v1 = key[1] ^ 0x646f72616e646f6dULL;
	s->v2 = key[0] ^ 0x6c7967656e657261ULL;
	s->v3 = key[1] ^ 0x7465646279746573ULL;
	s->tail = 0;
	s->tail_len = 0;
	s->total = 0;
}

static void
lock_siphash_update(struct lock_siphash *s, const void *data, size_t len)
{
	const uint8_t	*p = data;
	size_t		 i;

	for (i = 0; i < len; i++) {
		s->tail |= (uint64_t)p[i] << (8 * s->tail_len);
		if (++s->tail_len == 8) {
			lock_siphash_compress(s, s->tail);
			s->tail = 0;
			s->tail_len = 0;
		}
	}
	s->total += len;
}

static void
lock_siphash_u64(struct lock_siphash *s, uint64_t v)
{
	uint8_t	 b[8];
	int	 i;

	/* Byte order fixed so the hash does not depend on the host. */
	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	lock_siphash_update(s, b, sizeof(b));
}

static uint64_t
lock_siphash_final(struct lock_siphash *s)
{
	lock_siphash_compress(s, (s->total << 56) | s->tail);
	s->v2 ^= 0xff;
	lock_siphash_round(s);
	lock_siphash_round(s);
	lock_siphash_round(s);
	lock_siphash_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

static int
lock_hash_init(struct lock_hash *h)
{
	h->buckets = calloc(LOCK_HASH_INITIAL, sizeof(*h->buckets));
	if (h->buckets == NULL)
		return -1;
	h->size = LOCK_HASH_INITIAL;
	h->count = 0;
	return 0;
}

static void
lock_hash_insert(struct lock_hash *h, struct lock_hash_link *link)
{
	struct lock_hash_link	**buckets, *l, *next;
	size_t			  i, size;

	/* Grow at load 1; if memory is short, longer chains still work. */
	if (h->count >= h->size && h->size <= SIZE_MAX / 2 /
	    sizeof(*buckets)) {
		size = h->size * 2;
		if ((buckets = calloc(size, sizeof(*buckets))) != NULL) {
			for (i = 0; i < h->size; i++) {
				for (l = h->buckets[i]; l != NULL; l = next) {
					next = l->next;
					l->next = buckets[l->hash & (size - 1)];
					buckets[l->hash & (size - 1)] = l;
				}
			}
			free(h->buckets);
			h->buckets = buckets;
			h->size = size;
		}
	}
	i = link->hash & (h->size - 1);
	link->next = h->buckets[i];
	h->buckets[i] = link;
	h->count++;
}

static void
lock_hash_remove(struct lock_hash *h, struct lock_hash_link *link)
{
	struct lock_hash_link	**lp;

	for (lp = &h->buckets[link->hash & (h->size - 1)]; *lp != NULL;
	    lp = &(*lp)->next) {
		if (*lp == link) {
			*lp = link->next;
			h->count--;
			return;
		}
	}
}

/* A change from inside a callback would pull records from under it. */
static void
lock_table_enter(struct lock_table *t)
{
	if (t->busy)
		abort();
}

static int
lock_range_make(uint64_t offset, uint64_t length, uint64_t *start,
    uint64_t *end)
{
	if (length == 0) {
		*start = offset;
		*end = UINT64_MAX;
		return 0;
	}
	if (length - 1 > UINT64_MAX - offset)
		return -1;
	*start = offset;
	*end = offset + (length - 1);
	return 0;
}

static uint64_t
lock_range_length(uint64_t start, uint64_t end)
{
	/* [start, UINT64_MAX] is "to the end", whatever start is. */
	if (end == UINT64_MAX)
		return 0;
	return end - start + 1;
}

static int
lock_overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 <= e2 && s2 <= e1;
}

static int
lock_types_conflict(enum lock_type a, enum lock_type b)
{
	return a == LOCK_EXCLUSIVE || b == LOCK_EXCLUSIVE;
}

/*
 * Whether a lock of holder (held, or queued before) stands in the way
 * of a request of owner o (lock_table.h): across owners by type; an
 * owner's own lock only when a Windows owner asks for exclusive.  o may
 * be NULL: a TEST for no one in particular.
 */
static int
lock_conflicts(const struct lock_table_owner *holder, enum lock_type held,
    const struct lock_table_owner *o, enum lock_type type)
{
	if (holder == o)
		return o->semantics == LOCK_SEMANTICS_WINDOWS &&
		    type == LOCK_EXCLUSIVE;
	return lock_types_conflict(held, type);
}

static int
lock_file_id_valid(const struct lock_file_id *id)
{
	return id != NULL && id->len >= 1 && id->len <= LOCK_FILE_ID_MAX;
}

static int
lock_owner_valid(const struct lock_owner *o)
{
	if (o == NULL)
		return 0;
	if (o->protocol != LOCK_PROTOCOL_NLM &&
	    o->protocol != LOCK_PROTOCOL_NFSV4 &&
	    o->protocol != LOCK_PROTOCOL_SMB)
		return 0;
	if (o->semantics != LOCK_SEMANTICS_POSIX &&
	    o->semantics != LOCK_SEMANTICS_WINDOWS)
		return 0;
	if (o->bytes_len > LOCK_OWNER_MAX ||
	    (o->bytes_len > 0 && o->bytes == NULL))
		return 0;
	if (o->host != NULL && strnlen(o->host, LOCK_HOST_MAX + 1) >
	    LOCK_HOST_MAX)
		return 0;
	return 1;
}

static uint64_t
lock_owner_hash(const struct lock_table *t, const struct lock_owner *o,
    size_t host_len)
{
	struct lock_siphash	 s;

	/* Lengths go in too, so that host "ab" + owner "c" != "a" + "bc". */
	lock_siphash_init(&s, t->hash_key);
	lock_siphash_u64(&s, (uint64_t)o->protocol);
	lock_siphash_u64(&s, o->client_id);
	lock_siphash_u64(&s, o->svid);
	lock_siphash_u64(&s, (uint64_t)o->semantics);
	lock_siphash_u64(&s, host_len);
	lock_siphash_update(&s, o->host, host_len);
	lock_siphash_u64(&s, o->bytes_len);
	lock_siphash_update(&s, o->bytes, o->bytes_len);
	return lock_siphash_final(&s);
}

static struct lock_table_client *
lock_client_get(struct lock_table *t, enum lock_protocol protocol,
    uint64_t client_id, int create)
{
	struct lock_table_client	*c;
	struct lock_hash_link		*l;
	struct lock_siphash		 s;
	uint64_t			 hash;

	lock_siphash_init(&s, t->hash_key);
	lock_siphash_u64(&s, (uint64_t)protocol);
	lock_siphash_u64(&s, client_id);
	hash = lock_siphash_final(&s);
	for (l = t->clients.buckets[hash & (t->clients.size - 1)]; l != NULL;
	    l = l->next) {
		c = (struct lock_table_client *)l;
		if (l->hash == hash && c->protocol == protocol &&
		    c->client_id == client_id)
			return c;
	}
	if (!create || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->link.hash = hash;
	c->protocol = protocol;
	c->client_id = client_id;
	lock_hash_insert(&t->clients, &c->link);
	return c;
}

/* A record of owner o came or went: its client's count follows. */
static void
lock_client_count(struct lock_table_owner *o, int delta)
{
	if (o->client != NULL)
		o->client->records += (size_t)(ssize_t)delta;
}

/* The client is at its limit: no new lock, waiter or reservation. */
static int
lock_client_full(struct lock_table *t, const struct lock_owner *owner)
{
	struct lock_table_client	*c;

	if (t->client_max == 0 || owner->client_id == 0)
		return 0;
	c = lock_client_get(t, owner->protocol, owner->client_id, 0);
	return c != NULL && c->records >= t->client_max;
}

static void
lock_owner_view(const struct lock_table_owner *o, struct lock_owner *out)
{
	out->protocol = o->protocol;
	out->client_id = o->client_id;
	out->host = o->host_len > 0 ? o->host : NULL;
	out->bytes = o->bytes;
	out->bytes_len = o->bytes_len;
	out->svid = o->svid;
	out->semantics = o->semantics;
}

/* Finds the owner; creates it when create is set (NULL: out of memory). */
static struct lock_table_owner *
lock_owner_get(struct lock_table *t, const struct lock_owner *desc,
    int create)
{
	struct lock_table_owner	*o;
	struct lock_hash_link	*l;
	size_t			 host_len;
	uint64_t		 hash;

	host_len = desc->host != NULL ? strlen(desc->host) : 0;
	hash = lock_owner_hash(t, desc, host_len);
	for (l = t->owners.buckets[hash & (t->owners.size - 1)]; l != NULL;
	    l = l->next) {
		o = (struct lock_table_owner *)l;
		if (l->hash == hash && o->protocol == desc->protocol &&
		    o->client_id == desc->client_id &&
		    o->svid == desc->svid && o->semantics == desc->semantics &&
		    o->host_len == host_len &&
		    o->bytes_len == desc->bytes_len &&
		    memcmp(o->host, desc->host != NULL ? desc->host : "",
		    host_len) == 0 &&
		    (desc->bytes_len == 0 ||
		    memcmp(o->bytes, desc->bytes, desc->bytes_len) == 0))
			return o;
	}
	if (!create)
		return NULL;

	/* One block: the record, then the host string, then the bytes. */
	if ((o = calloc(1, sizeof(*o) + host_len + 1 + desc->bytes_len)) ==
	    NULL)
		return NULL;
	o->link.hash = hash;
	o->protocol = desc->protocol;
	o->client_id = desc->client_id;
	o->svid = desc->svid;
	o->semantics = desc->semantics;
	o->host = (char *)(o + 1);
	o->host_len = host_len;
	if (host_len > 0)
		memcpy(o->host, desc->host, host_len);
	o->host[host_len] = '\0';
	o->bytes = (uint8_t *)o->host + host_len + 1;
	o->bytes_len = desc->bytes_len;
	if (desc->bytes_len > 0)
		memcpy(o->bytes, desc->bytes, desc->bytes_len);
	LIST_INIT(&o->ranges);
	LIST_INIT(&o->waiters);
	LIST_INIT(&o->shares);
	if (desc->client_id != 0) {
		if ((o->client = lock_client_get(t, desc->protocol,
		    desc->client_id, 1)) == NULL) {
			free(o);
			return NULL;
		}
		o->client->owners++;
	}
	lock_hash_insert(&t->owners, &o->link);
	t->stats.owners++;
	return o;
}

static void
lock_owner_gc(struct lock_table *t, struct lock_table_owner *o)
{
	if (o == NULL || !LIST_EMPTY(&o->ranges) ||
	    !LIST_EMPTY(&o->waiters) || !LIST_EMPTY(&o->shares))
		return;
	lock_hash_remove(&t->owners, &o->link);
	t->stats.owners--;
	if (o->client != NULL && --o->client->owners == 0) {
		lock_hash_remove(&t->clients, &o->client->link);
		free(o->client);
	}
	free(o);
}

static uint64_t
lock_file_hash(const struct lock_table *t, const struct lock_file_id *id)
{
	struct lock_siphash	 s;

	lock_siphash_init(&s, t->hash_key);
	lock_siphash_update(&s, id->data, id->len);
	return lock_siphash_final(&s);
}

static struct lock_table_file *
lock_file_get(struct lock_table *t, const struct lock_file_id *id,
    int create)
{
	struct lock_table_file	*f;
	struct lock_hash_link	*l;
	uint64_t		 hash;

	hash = lock_file_hash(t, id);
	for (l = t->files.buckets[hash & (t->files.size - 1)]; l != NULL;
	    l = l->next) {
		f = (struct lock_table_file *)l;
		if (l->hash == hash && f->id.len == id->len &&
		    memcmp(f->id.data, id->data, id->len) == 0)
			return f;
	}
	if (!create)
		return NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->link.hash = hash;
	f->id.len = id->len;
	memcpy(f->id.data, id->data, id->len);
	TAILQ_INIT(&f->ranges);
	TAILQ_INIT(&f->waiters);
	LIST_INIT(&f->shares);
	lock_hash_insert(&t->files, &f->link);
	t->stats.files++;
	return f;
}

static void
lock_file_gc(struct lock_table *t, struct lock_table_file *f)
{
	if (f == NULL || !TAILQ_EMPTY(&f->ranges) ||
	    !TAILQ_EMPTY(&f->waiters) || !LIST_EMPTY(&f->shares) || f->dirty)
		return;
	lock_hash_remove(&t->files, &f->link);
	t->stats.files--;
	free(f);
}

static void
lock_file_mark_dirty(struct lock_table *t, struct lock_table_file *f)
{
	if (!f->dirty) {
		f->dirty = 1;
		TAILQ_INSERT_TAIL(&t->dirty, f, dirty_entry);
	}
}

/* Keeps the file's list sorted by start; equal starts keep arrival order. */
static void
lock_file_insert_range(struct lock_table_file *f, struct lock_table_range *n)
{
	struct lock_table_range	*r;

	TAILQ_FOREACH_REVERSE(r, &f->ranges, lock_table_range_list,
	    file_entry) {
		if (r->start <= n->start) {
			TAILQ_INSERT_AFTER(&f->ranges, r, n, file_entry);
			return;
		}
	}
	TAILQ_INSERT_HEAD(&f->ranges, n, file_entry);
}

static void
lock_range_free(struct lock_table *t, struct lock_table_range *r)
{
	TAILQ_REMOVE(&r->file->ranges, r, file_entry);
	LIST_REMOVE(r, owner_entry);
	t->stats.locks--;
	lock_client_count(r->owner, -1);
	free(r);
}

static void
lock_waiter_free(struct lock_table *t, struct lock_table_waiter *w)
{
	TAILQ_REMOVE(&w->file->waiters, w, file_entry);
	LIST_REMOVE(w, owner_entry);
	t->stats.waiters--;
	lock_client_count(w->owner, -1);
	free(w);
}

static void
lock_share_free(struct lock_table *t, struct lock_table_share *s)
{
	LIST_REMOVE(s, file_entry);
	LIST_REMOVE(s, owner_entry);
	t->stats.shares--;
	lock_client_count(s->owner, -1);
	free(s);
}

static void
lock_info_from_range(const struct lock_table_range *r, struct lock_info *out)
{
	memset(out, 0, sizeof(*out));
	out->file = &r->file->id;
	lock_owner_view(r->owner, &out->owner);
	out->offset = r->start;
	out->length = lock_range_length(r->start, r->end);
	out->end = r->end;
	out->type = r->type;
}

static void
lock_info_from_waiter(const struct lock_table_waiter *w,
    struct lock_info *out)
{
	memset(out, 0, sizeof(*out));
	out->file = &w->file->id;
	lock_owner_view(w->owner, &out->owner);
	out->offset = w->offset;
	out->length = w->length;
	out->end = w->end;
	out->type = w->type;
	out->waiting = 1;
	out->cookie = w->cookie;
}

/*
 * The first lock, by start, held by someone other than owner (which may
 * be NULL) that conflicts with [start, end] of the given type.
 */
static struct lock_table_range *
lock_file_conflict(struct lock_table_file *f, struct lock_table_owner *owner,
    uint64_t start, uint64_t end, enum lock_type type)
{
	struct lock_table_range	*r;

	TAILQ_FOREACH(r, &f->ranges, file_entry) {
		if (r->start > end)
			break;
		if (r->end >= start &&
		    lock_conflicts(r->owner, r->type, owner, type))
			return r;
	}
	return NULL;
}

/* Whether the fairness rule holds w back (lock_table.h). */
static int
lock_waiter_blocked(struct lock_table_file *f, struct lock_table_waiter *w)
{
	struct lock_table_waiter	*v;

	if (lock_file_conflict(f, w->owner, w->start, w->end, w->type) != NULL)
		return 1;
	TAILQ_FOREACH(v, &f->waiters, file_entry) {
		if (v == w)
			break;
		if (lock_overlap(v->start, v->end, w->start, w->end) &&
		    lock_conflicts(v->owner, v->type, w->owner, w->type))
			return 1;
	}
	return 0;
}

/*
 * Gives owner o the lock [start, end] of the given type on f, keeping o's
 * ranges disjoint and merged.  Sets *weakened when some byte o held
 * exclusive became shared, which may let others in.  Both records it may
 * need are allocated first, so that a failure changes nothing.
 */
static int
lock_range_apply(struct lock_table *t, struct lock_table_file *f,
    struct lock_table_owner *o, uint64_t start, uint64_t end,
    enum lock_type type, int *weakened)
{
	struct lock_table_range	*r, *next, *add, *split, *tail = NULL;
	uint64_t		 new_start = start, new_end = end;
	int			 adjacent;

	*weakened = 0;
	if ((add = calloc(1, sizeof(*add))) == NULL)
		return -1;
	if ((split = calloc(1, sizeof(*split))) == NULL) {
		free(add);
		return -1;
	}
	for (r = TAILQ_FIRST(&f->ranges); r != NULL; r = next) {
		next = TAILQ_NEXT(r, file_entry);
		if (r->start > end && (end == UINT64_MAX ||
		    r->start > end + 1))
			break;
		if (r->owner != o)
			continue;
		adjacent = (start > 0 && r->end == start - 1) ||
		    (end < UINT64_MAX && r->start == end + 1);
		if (r->type == type) {
			if (!adjacent && !lock_overlap(r->start, r->end,
			    start, end))
				continue;
			if (r->start < new_start)
				new_start = r->start;
			if (r->end > new_end)
				new_end = r->end;
			lock_range_free(t, r);
			continue;
		}
		if (!lock_overlap(r->start, r->end, start, end))
			continue;
		if (r->type == LOCK_EXCLUSIVE)
			*weakened = 1;
		if (r->start < start && r->end > end) {
			split->file = f;
			split->owner = o;
			split->start = end + 1;
			split->end = r->end;
			split->type = r->type;
			LIST_INSERT_HEAD(&o->ranges, split, owner_entry);
			t->stats.locks++;
			lock_client_count(o, 1);
			tail = split;
			split = NULL;
			r->end = start - 1;
		} else if (r->start < start) {
			r->end = start - 1;
		} else if (r->end > end) {
			/* Its start moves: take it out, put it back sorted. */
			TAILQ_REMOVE(&f->ranges, r, file_entry);
			r->start = end + 1;
			tail = r;
		} else
			lock_range_free(t, r);
	}
	add->file = f;
	add->owner = o;
	add->start = new_start;
	add->end = new_end;
	add->type = type;
	lock_file_insert_range(f, add);
	LIST_INSERT_HEAD(&o->ranges, add, owner_entry);
	t->stats.locks++;
	lock_client_count(o, 1);
	if (tail != NULL)
		lock_file_insert_range(f, tail);
	free(split);
	return 0;
}

/* A Windows lock: a record of its own, whatever o holds already. */
static int
lock_range_add(struct lock_table *t, struct lock_table_file *f,
    struct lock_table_owner *o, uint64_t start, uint64_t end,
    enum lock_type type)
{
	struct lock_table_range	*add;

	if ((add = calloc(1, sizeof(*add))) == NULL)
		return -1;
	add->file = f;
	add->owner = o;
	add->start = start;
	add->end = end;
	add->type = type;
	lock_file_insert_range(f, add);
	LIST_INSERT_HEAD(&o->ranges, add, owner_entry);
	t->stats.locks++;
	lock_client_count(o, 1);
	return 0;
}

/* Grants o [start, end] by its owner's rules; -1 when out of memory. */
static int
lock_range_grant(struct lock_table *t, struct lock_table_file *f,
    struct lock_table_owner *o, uint64_t start, uint64_t end,
    enum lock_type type, int *weakened)
{
	*weakened = 0;
	if (o->semantics == LOCK_SEMANTICS_WINDOWS)
		return lock_range_add(t, f, o, start, end, type);
	return lock_range_apply(t, f, o, start, end, type, weakened);
}

/*
 * A Windows unlock: the lock of o on f with exactly [start, end], an
 * exclusive one first (MS-FSA 2.1.5.9).  NULL when there is none.
 */
static struct lock_table_range *
lock_range_exact(struct lock_table_file *f, struct lock_table_owner *o,
    uint64_t start, uint64_t end)
{
	struct lock_table_range	*r, *found = NULL;

	LIST_FOREACH(r, &o->ranges, owner_entry) {
		if (r->file != f || r->start != start || r->end != end)
			continue;
		if (found == NULL || (found->type != LOCK_EXCLUSIVE &&
		    r->type == LOCK_EXCLUSIVE))
			found = r;
	}
	return found;
}

/*
 * Takes [start, end] out of owner o's locks on f.  Returns 1 when
 * something was unlocked, 0 when nothing was held there, -1 when a split
 * needed memory (then nothing changed).
 */
static int
lock_range_remove(struct lock_table *t, struct lock_table_file *f,
    struct lock_table_owner *o, uint64_t start, uint64_t end)
{
	struct lock_table_range	*r, *next, *split, *tail = NULL;
	int			 changed = 0;

	if ((split = calloc(1, sizeof(*split))) == NULL)
		return -1;
	for (r = TAILQ_FIRST(&f->ranges); r != NULL; r = next) {
		next = TAILQ_NEXT(r, file_entry);
		if (r->start > end)
			break;
		if (r->owner != o || !lock_overlap(r->start, r->end,
		    start, end))
			continue;
		changed = 1;
		if (r->start < start && r->end > end) {
			split->file = f;
			split->owner = o;
			split->start = end + 1;
			split->end = r->end;
			split->type = r->type;
			LIST_INSERT_HEAD(&o->ranges, split, owner_entry);
			t->stats.locks++;
			lock_client_count(o, 1);
			tail = split;
			split = NULL;
			r->end = start - 1;
		} else if (r->start < start) {
			r->end = start - 1;
		} else if (r->end > end) {
			TAILQ_REMOVE(&f->ranges, r, file_entry);
			r->start = end + 1;
			tail = r;
		} else
			lock_range_free(t, r);
	}
	if (tail != NULL)
		lock_file_insert_range(f, tail);
	free(split);
	return changed;
}

/*
 * Grants, in queue order, every waiter of f that the fairness rule lets
 * through.  A grant only adds to what its owner holds, so waiters skipped
 * earlier in the pass stay blocked, unless the grant also downgraded some
 * of the owner's exclusive bytes: then the pass starts over.
 */
static void
lock_file_wake(struct lock_table *t, struct lock_table_file *f)
{
	struct lock_table_waiter	*w, *next;
	struct lock_info		 info;
	int				 weakened;

	if (t->grace)
		return;
 again:
	for (w = TAILQ_FIRST(&f->waiters); w != NULL; w = next) {
		next = TAILQ_NEXT(w, file_entry);
		if (lock_waiter_blocked(f, w))
			continue;
		/* Out of memory: the waiter stays, the next wake retries. */
		if (lock_range_grant(t, f, w->owner, w->start, w->end,
		    w->type, &weakened) == -1)
			return;
		TAILQ_REMOVE(&f->waiters, w, file_entry);
		LIST_REMOVE(w, owner_entry);
		t->stats.waiters--;
		lock_client_count(w->owner, -1);
		if (t->grant_cb != NULL) {
			lock_info_from_waiter(w, &info);
			info.waiting = 0;
			t->busy = 1;
			t->grant_cb(t->grant_arg, &info);
			t->busy = 0;
		}
		free(w);
		if (weakened)
			goto again;
	}
}

/* Wakes every file on the dirty list, then frees what became unused. */
static void
lock_table_wake_dirty(struct lock_table *t)
{
	struct lock_table_file	*f;

	TAILQ_FOREACH(f, &t->dirty, dirty_entry)
		lock_file_wake(t, f);
	while ((f = TAILQ_FIRST(&t->dirty)) != NULL) {
		TAILQ_REMOVE(&t->dirty, f, dirty_entry);
		f->dirty = 0;
		lock_file_gc(t, f);
	}
}

static int
lock_search_push(struct lock_table *t, size_t *depth,
    struct lock_table_owner *o, uint64_t generation)
{
	struct lock_table_owner	**stack;
	size_t			  size;

	if (o->visited == generation)
		return 0;
	if (*depth == t->stack_size) {
		size = t->stack_size ? t->stack_size * 2 : 64;
		if ((stack = reallocarray(t->stack, size, sizeof(*stack))) ==
		    NULL)
			return -1;
		t->stack = stack;
		t->stack_size = size;
	}
	o->visited = generation;
	t->stack[(*depth)++] = o;
	return 0;
}

/*
 * Walks the wait-for graph (lock_table.h) from the owners already pushed
 * and answers 1 when it meets an owner whose target is this generation,
 * 0 when it does not, -1 when out of memory.  Each owner is expanded once.
 */
static int
lock_search_run(struct lock_table *t, size_t depth, uint64_t generation)
{
	struct lock_table_owner		*o;
	struct lock_table_waiter	*w, *v;
	struct lock_table_range		*r;
	struct lock_table_file		*f;

	while (depth > 0) {
		o = t->stack[--depth];
		if (o->target == generation)
			return 1;
		LIST_FOREACH(w, &o->waiters, owner_entry) {
			f = w->file;
			TAILQ_FOREACH(r, &f->ranges, file_entry) {
				if (r->start > w->end)
					break;
				if (r->owner != o && r->end >= w->start &&
				    lock_types_conflict(r->type, w->type) &&
				    lock_search_push(t, &depth, r->owner,
				    generation) == -1)
					return -1;
			}
			TAILQ_FOREACH(v, &f->waiters, file_entry) {
				if (v == w)
					break;
				if (v->owner != o && lock_overlap(v->start,
				    v->end, w->start, w->end) &&
				    lock_types_conflict(v->type, w->type) &&
				    lock_search_push(t, &depth, v->owner,
				    generation) == -1)
					return -1;
			}
		}
	}
	return 0;
}

/*
 * Would queueing o's request close a cycle?  It would wait for the
 * holders and earlier waiters it conflicts with; a cycle means one of
 * them already waits, transitively, for o.
 */
static int
lock_deadlock_if_queued(struct lock_table *t, struct lock_table_file *f,
    struct lock_table_owner *o, uint64_t start, uint64_t end,
    enum lock_type type)
{
	struct lock_table_range		*r;
	struct lock_table_waiter	*v;
	uint64_t			 generation = ++t->generation;
	size_t				 depth = 0;

	o->target = generation;
	TAILQ_FOREACH(r, &f->ranges, file_entry) {
		if (r->start > end)
			break;
		if (r->owner != o && r->end >= start &&
		    lock_types_conflict(r->type, type) &&
		    lock_search_push(t, &depth, r->owner, generation) == -1)
			return -1;
	}
	TAILQ_FOREACH(v, &f->waiters, file_entry) {
		if (v->owner != o && lock_overlap(v->start, v->end, start,
		    end) && lock_types_conflict(v->type, type) &&
		    lock_search_push(t, &depth, v->owner, generation) == -1)
			return -1;
	}
	return lock_search_run(t, depth, generation);
}

/*
 * Would granting o's request now close a cycle?  The waiters of others
 * that it conflicts with would then wait for o; a cycle means o already
 * waits, transitively, for one of them.  Only edges into o change with
 * the grant, so searching the graph as it stands is exact.
 */
static int
lock_deadlock_if_granted(struct lock_table *t, struct lock_table_file *f,
    struct lock_table_owner *o, uint64_t start, uint64_t end,
    enum lock_type type)
{
	struct lock_table_waiter	*v;
	uint64_t			 generation = ++t->generation;
	size_t				 depth = 0;
	int				 targets = 0;

	TAILQ_FOREACH(v, &f->waiters, file_entry) {
		if (v->owner != o && lock_overlap(v->start, v->end, start,
		    end) && lock_types_conflict(v->type, type)) {
			v->owner->target = generation;
			targets++;
		}
	}
	if (targets == 0 || LIST_EMPTY(&o->waiters))
		return 0;
	if (lock_search_push(t, &depth, o, generation) == -1)
		return -1;
	return lock_search_run(t, depth, generation);
}

struct lock_table *
lock_table_new(lock_table_grant_cb grant_cb, void *arg)
{
	struct lock_table	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	/* Keyed per table: clients choose owner bytes and host names. */
	if (getrandom(t->hash_key, sizeof(t->hash_key), 0) !=
	    (ssize_t)sizeof(t->hash_key)) {
		free(t);
		return NULL;
	}
	if (lock_hash_init(&t->files) == -1) {
		free(t);
		return NULL;
	}
	if (lock_hash_init(&t->owners) == -1) {
		free(t->files.buckets);
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	if (lock_hash_init(&t->clients) == -1) {
		free(t->files.buckets);
		free(t->owners.buckets);
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->grant_cb = grant_cb;
	t->grant_arg = arg;
	TAILQ_INIT(&t->dirty);
	return t;
}

void
lock_table_free(struct lock_table *t)
{
	struct lock_hash_link	*l, *next;
	struct lock_table_file	*f;
	struct lock_table_range	*r;
	struct lock_table_waiter *w;
	struct lock_table_share	*s;
	size_t			 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->files.size; i++) {
		for (l = t->files.buckets[i]; l != NULL; l = next) {
			next = l->next;
			f = (struct lock_table_file *)l;
			while ((r = TAILQ_FIRST(&f->ranges)) != NULL) {
				TAILQ_REMOVE(&f->ranges, r, file_entry);
				free(r);
			}
			while ((w = TAILQ_FIRST(&f->waiters)) != NULL) {
				TAILQ_REMOVE(&f->waiters, w, file_entry);
				free(w);
			}
			while ((s = LIST_FIRST(&f->shares)) != NULL) {
				LIST_REMOVE(s, file_entry);
				free(s);
			}
			free(f);
		}
	}
	for (i = 0; i < t->owners.size; i++) {
		for (l = t->owners.buckets[i]; l != NULL; l = next) {
			next = l->next;
			free(l);
		}
	}
	for (i = 0; i < t->clients.size; i++) {
		for (l = t->clients.buckets[i]; l != NULL; l = next) {
			next = l->next;
			free(l);
		}
	}
	free(t->files.buckets);
	free(t->owners.buckets);
	free(t->clients.buckets);
	free(t->stack);
	free(t);
}

/*
 * NLM4_LOCK, NFSv4 LOCK, SMB2 LOCK.  On LOCK_DENIED the first conflicting
 * holder is stored in *conflict when it is not NULL.
 */
enum lock_result
lock_table_lock(struct lock_table *t, const struct lock_request *req,
    struct lock_info *conflict)
{
	struct lock_table_file		*f;
	struct lock_table_owner		*o;
	struct lock_table_range		*holder;
	struct lock_table_waiter	*w;
	enum lock_result		 res;
	uint64_t			 start, end;
	int				 block, reclaim, weakened, dead;

	lock_table_enter(t);
	if (req == NULL || !lock_file_id_valid(&req->file) ||
	    !lock_owner_valid(&req->owner) ||
	    (req->type != LOCK_SHARED && req->type != LOCK_EXCLUSIVE) ||
	    (req->flags & ~(LOCK_REQUEST_BLOCK | LOCK_REQUEST_RECLAIM)) != 0)
		return LOCK_INVALID;
	if (lock_range_make(req->offset, req->length, &start, &end) == -1)
		return LOCK_RANGE;
	reclaim = (req->flags & LOCK_REQUEST_RECLAIM) != 0;
	block = (req->flags & LOCK_REQUEST_BLOCK) != 0 && !reclaim;
	if (t->grace && !reclaim)
		return LOCK_GRACE;
	if (!t->grace && reclaim)
		return LOCK_NO_GRACE;
	if (lock_client_full(t, &req->owner))
		return LOCK_LIMIT;

	if ((f = lock_file_get(t, &req->file, 1)) == NULL)
		return LOCK_NOMEM;
	if ((o = lock_owner_get(t, &req->owner, 1)) == NULL) {
		lock_file_gc(t, f);
		return LOCK_NOMEM;
	}

	if (block) {
		LIST_FOREACH(w, &o->waiters, owner_entry) {
			if (w->file == f && w->start == start &&
			    w->end == end && w->type == req->type) {
				/* A retransmission keeps its place. */
				w->cookie = req->cookie;
				res = LOCK_BLOCKED;
				goto done;
			}
		}
	}

	if ((holder = lock_file_conflict(f, o, start, end, req->type)) !=
	    NULL) {
		if (!block) {
			if (conflict != NULL)
				lock_info_from_range(holder, conflict);
			res = LOCK_DENIED;
			goto done;
		}
		dead = lock_deadlock_if_queued(t, f, o, start, end, req->type);
		if (dead != 0) {
			res = dead == 1 ? LOCK_DEADLOCK : LOCK_NOMEM;
			goto done;
		}
		if ((w = calloc(1, sizeof(*w))) == NULL) {
			res = LOCK_NOMEM;
			goto done;
		}
		w->file = f;
		w->owner = o;
		w->start = start;
		w->end = end;
		w->offset = req->offset;
		w->length = req->length;
		w->type = req->type;
		w->cookie = req->cookie;
		TAILQ_INSERT_TAIL(&f->waiters, w, file_entry);
		LIST_INSERT_HEAD(&o->waiters, w, owner_entry);
		t->stats.waiters++;
		lock_client_count(o, 1);
		res = LOCK_BLOCKED;
		goto done;
	}

	dead = lock_deadlock_if_granted(t, f, o, start, end, req->type);
	if (dead != 0) {
		res = dead == 1 ? LOCK_DEADLOCK : LOCK_NOMEM;
		goto done;
	}
	if (lock_range_grant(t, f, o, start, end, req->type, &weakened) ==
	    -1) {
		res = LOCK_NOMEM;
		goto done;
	}
	if (weakened)
		lock_file_wake(t, f);
	res = LOCK_OK;
 done:
	lock_owner_gc(t, o);
	lock_file_gc(t, f);
	return res;
}

/*
 * NLM4_UNLOCK, NFSv4 LOCKU: what o holds of the range goes.  SMB2 LOCK
 * with UNLOCK: the lock of exactly that range goes, or LOCK_NOT_FOUND.
 */
enum lock_result
lock_table_unlock(struct lock_table *t, const struct lock_file_id *file,
    const struct lock_owner *owner, uint64_t offset, uint64_t length)
{
	struct lock_table_file	*f;
	struct lock_table_owner	*o;
	struct lock_table_range	*r;
	uint64_t		 start, end;
	int			 changed;

	lock_table_enter(t);
	if (!lock_file_id_valid(file) || !lock_owner_valid(owner))
		return LOCK_INVALID;
	if (lock_range_make(offset, length, &start, &end) == -1)
		return LOCK_RANGE;
	if ((f = lock_file_get(t, file, 0)) == NULL ||
	    (o = lock_owner_get(t, owner, 0)) == NULL)
		return owner->semantics == LOCK_SEMANTICS_WINDOWS ?
		    LOCK_NOT_FOUND : LOCK_OK;
	if (o->semantics == LOCK_SEMANTICS_WINDOWS) {
		if ((r = lock_range_exact(f, o, start, end)) == NULL)
			return LOCK_NOT_FOUND;
		lock_range_free(t, r);
		changed = 1;
	} else if ((changed = lock_range_remove(t, f, o, start, end)) == -1)
		return LOCK_NOMEM;
	if (changed)
		lock_file_wake(t, f);
	lock_owner_gc(t, o);
	lock_file_gc(t, f);
	return LOCK_OK;
}

/*
 * NLM4_TEST, NFSv4 LOCKT, F_GETLK: LOCK_OK when the lock could be
 * granted now, else LOCK_DENIED and the first conflicting holder (lowest
 * start) in *holder.  owner may be NULL: then every lock counts.
 */
enum lock_result
lock_table_test(struct lock_table *t, const struct lock_file_id *file,
    const struct lock_owner *owner, uint64_t offset, uint64_t length,
    enum lock_type type, struct lock_info *holder)
{
	struct lock_table_file	*f;
	struct lock_table_owner	*o = NULL;
	struct lock_table_range	*r;
	uint64_t		 start, end;

	if (!lock_file_id_valid(file) ||
	    (owner != NULL && !lock_owner_valid(owner)) ||
	    (type != LOCK_SHARED && type != LOCK_EXCLUSIVE))
		return LOCK_INVALID;
	if (lock_range_make(offset, length, &start, &end) == -1)
		return LOCK_RANGE;
	if ((f = lock_file_get(t, file, 0)) == NULL)
		return LOCK_OK;
	/* An owner the table does not know holds nothing: NULL will do. */
	if (owner != NULL)
		o = lock_owner_get(t, owner, 0);
	if ((r = lock_file_conflict(f, o, start, end, type)) == NULL)
		return LOCK_OK;
	if (holder != NULL)
		lock_info_from_range(r, holder);
	return LOCK_DENIED;
}

/* NLM4_CANCEL: drops the queued request that matches exactly. */
enum lock_result
lock_table_cancel(struct lock_table *t, const struct lock_file_id *file,
    const struct lock_owner *owner, uint64_t offset, uint64_t length,
    enum lock_type type)
{
	struct lock_table_file		*f;
	struct lock_table_owner		*o;
	struct lock_table_waiter	*w;
	uint64_t			 start, end;

	lock_table_enter(t);
	if (!lock_file_id_valid(file) || !lock_owner_valid(owner) ||
	    (type != LOCK_SHARED && type != LOCK_EXCLUSIVE))
		return LOCK_INVALID;
	if (lock_range_make(offset, length, &start, &end) == -1)
		return LOCK_RANGE;
	if ((f = lock_file_get(t, file, 0)) == NULL ||
	    (o = lock_owner_get(t, owner, 0)) == NULL)
		return LOCK_NOT_FOUND;
	LIST_FOREACH(w, &o->waiters, owner_entry) {
		if (w->file == f && w->start == start && w->end == end &&
		    w->type == type)
			break;
	}
	if (w == NULL)
		return LOCK_NOT_FOUND;
	lock_waiter_free(t, w);
	/* Later waiters held back only by this one may go now. */
	lock_file_wake(t, f);
	lock_owner_gc(t, o);
	lock_file_gc(t, f);
	return LOCK_OK;
}

/*
 * Takes everything from o: its queued requests first, so that waking the
 * files it leaves cannot grant it anything.  The files go on the dirty
 * list; o is freed by the caller after the wake.
 */
static size_t
lock_owner_strip(struct lock_table *t, struct lock_table_owner *o)
{
	struct lock_table_waiter	*w;
	struct lock_table_range		*r;
	struct lock_table_share		*s;
	size_t				 n = 0;

	while ((w = LIST_FIRST(&o->waiters)) != NULL) {
		lock_file_mark_dirty(t, w->file);
		lock_waiter_free(t, w);
		n++;
	}
	while ((r = LIST_FIRST(&o->ranges)) != NULL) {
		lock_file_mark_dirty(t, r->file);
		lock_range_free(t, r);
		n++;
	}
	while ((s = LIST_FIRST(&o->shares)) != NULL) {
		lock_file_mark_dirty(t, s->file);
		lock_share_free(t, s);
		n++;
	}
	return n;
}

/* NFSv4 RELEASE_LOCKOWNER, SMB close: all of one owner. */
size_t
lock_table_release_owner(struct lock_table *t, const struct lock_owner *owner)
{
	struct lock_table_owner	*o;
	size_t			 n;

	lock_table_enter(t);
	if (!lock_owner_valid(owner) ||
	    (o = lock_owner_get(t, owner, 0)) == NULL)
		return 0;
	n = lock_owner_strip(t, o);
	lock_table_wake_dirty(t);
	lock_owner_gc(t, o);
	return n;
}

/*
 * Releases every owner that match() selects.  All of them are stripped
 * before any file is woken, so that no waiter of a released owner is
 * granted on the way.
 */
static size_t
lock_table_release_matching(struct lock_table *t,
    int (*match)(const struct lock_table_owner *, const void *),
    const void *arg)
{
	struct lock_table_owner	*o, *batch = NULL;
	struct lock_hash_link	*l;
	size_t			 i, n = 0;

	for (i = 0; i < t->owners.size; i++) {
		for (l = t->owners.buckets[i]; l != NULL; l = l->next) {
			o = (struct lock_table_owner *)l;
			if (!match(o, arg))
				continue;
			n += lock_owner_strip(t, o);
			o->release_next = batch;
			batch = o;
		}
	}
	lock_table_wake_dirty(t);
	while ((o = batch) != NULL) {
		batch = o->release_next;
		lock_owner_gc(t, o);
	}
	return n;
}

struct lock_client_match {
	enum lock_protocol	 protocol;
	uint64_t		 client_id;
};

static int
lock_match_client(const struct lock_table_owner *o, const void *arg)
{
	const struct lock_client_match	*m = arg;

	return o->protocol == m->protocol && o->client_id == m->client_id;
}

struct lock_host_match {
	enum lock_protocol	 protocol;
	const char		*host;
	size_t			 host_len;
};

static int
lock_match_host(const struct lock_table_owner *o, const void *arg)
{
	const struct lock_host_match	*m = arg;

	return o->protocol == m->protocol && o->host_len == m->host_len &&
	    memcmp(o->host, m->host, m->host_len) == 0;
}

/* NFSv4 lease expiry, SMB session loss: all owners of one client id. */
size_t
lock_table_release_client(struct lock_table *t, enum lock_protocol protocol,
    uint64_t client_id)
{
	struct lock_client_match	 m;

	lock_table_enter(t);
	m.protocol = protocol;
	m.client_id = client_id;
	return lock_table_release_matching(t, lock_match_client, &m);
}

/*
 * NLM4_FREE_ALL, SM_NOTIFY: all owners that came from one host name.  An
 * empty name matches nothing: owners without a host are not one host.
 */
size_t
lock_table_release_host(struct lock_table *t, enum lock_protocol protocol,
    const char *host)
{
	struct lock_host_match	 m;

	lock_table_enter(t);
	if (host == NULL || host[0] == '\0' ||
	    strnlen(host, LOCK_HOST_MAX + 1) > LOCK_HOST_MAX)
		return 0;
	m.protocol = protocol;
	m.host = host;
	m.host_len = strlen(host);
	return lock_table_release_matching(t, lock_match_host, &m);
}

/*
 * The file is going away (removed, share unexported): drop its locks,
 * reservations and queued requests.  Queued requests are dropped, not
 * granted: there is nothing left to lock.
 */
size_t
lock_table_release_file(struct lock_table *t, const struct lock_file_id *file)
{
	struct lock_table_file		*f;
	struct lock_table_owner		*o;
	struct lock_table_range		*r;
	struct lock_table_waiter	*w;
	struct lock_table_share		*s;
	size_t				 n = 0;

	lock_table_enter(t);
	if (!lock_file_id_valid(file) ||
	    (f = lock_file_get(t, file, 0)) == NULL)
		return 0;
	while ((w = TAILQ_FIRST(&f->waiters)) != NULL) {
		o = w->owner;
		lock_waiter_free(t, w);
		lock_owner_gc(t, o);
		n++;
	}
	while ((r = TAILQ_FIRST(&f->ranges)) != NULL) {
		o = r->owner;
		lock_range_free(t, r);
		lock_owner_gc(t, o);
		n++;
	}
	while ((s = LIST_FIRST(&f->shares)) != NULL) {
		o = s->owner;
		lock_share_free(t, s);
		lock_owner_gc(t, o);
		n++;
	}
	lock_file_gc(t, f);
	return n;
}

/*
 * NLM4_SHARE, NFSv4 OPEN share_access/share_deny, SMB2 CREATE share
 * access.  Replaces the owner's reservation on the file, after checking
 * it against every other owner's.  On LOCK_DENIED the first conflicting
 * reservation is stored in *conflict when it is not NULL.
 */
enum lock_result
lock_table_share(struct lock_table *t, const struct lock_share_request *req,
    struct lock_share_info *conflict)
{
	struct lock_table_file	*f;
	struct lock_table_owner	*o;
	struct lock_table_share	*s, *mine = NULL;
	int			 reclaim;

	lock_table_enter(t);
	if (req == NULL || !lock_file_id_valid(&req->file) ||
	    !lock_owner_valid(&req->owner) ||
	    (req->access & ~LOCK_SHARE_ALL) != 0 ||
	    (req->deny & ~LOCK_SHARE_ALL) != 0 ||
	    (req->flags & ~LOCK_REQUEST_RECLAIM) != 0)
		return LOCK_INVALID;
	reclaim = (req->flags & LOCK_REQUEST_RECLAIM) != 0;
	if (t->grace && !reclaim)
		return LOCK_GRACE;
	if (!t->grace && reclaim)
		return LOCK_NO_GRACE;
	if (lock_client_full(t, &req->owner))
		return LOCK_LIMIT;

	if ((f = lock_file_get(t, &req->file, 1)) == NULL)
		return LOCK_NOMEM;
	if ((o = lock_owner_get(t, &req->owner, 1)) == NULL) {
		lock_file_gc(t, f);
		return LOCK_NOMEM;
	}
	LIST_FOREACH(s, &f->shares, file_entry) {
		if (s->owner == o) {
			mine = s;
			continue;
		}
		if ((req->access & s->deny) != 0 ||
		    (req->deny & s->access) != 0) {
			if (conflict != NULL) {
				conflict->file = &f->id;
				lock_owner_view(s->owner, &conflict->owner);
				conflict->access = s->access;
				conflict->deny = s->deny;
			}
			lock_owner_gc(t, o);
			lock_file_gc(t, f);
			return LOCK_DENIED;
		}
	}
	if (mine == NULL) {
		if ((mine = calloc(1, sizeof(*mine))) == NULL) {
			lock_owner_gc(t, o);
			lock_file_gc(t, f);
			return LOCK_NOMEM;
		}
		mine->file = f;
		mine->owner = o;
		LIST_INSERT_HEAD(&f->shares, mine, file_entry);
		LIST_INSERT_HEAD(&o->shares, mine, owner_entry);
		t->stats.shares++;
		lock_client_count(o, 1);
	}
	mine->access = req->access;
	mine->deny = req->deny;
	return LOCK_OK;
}

/* NLM4_UNSHARE, NFSv4 CLOSE, SMB2 CLOSE.  Not holding one is fine. */
enum lock_result
lock_table_unshare(struct lock_table *t, const struct lock_file_id *file,
    const struct lock_owner *owner)
{
	struct lock_table_file	*f;
	struct lock_table_owner	*o;
	struct lock_table_share	*s;

	lock_table_enter(t);
	if (!lock_file_id_valid(file) || !lock_owner_valid(owner))
		return LOCK_INVALID;
	if ((f = lock_file_get(t, file, 0)) == NULL ||
	    (o = lock_owner_get(t, owner, 0)) == NULL)
		return LOCK_OK;
	LIST_FOREACH(s, &o->shares, owner_entry) {
		if (s->file == f) {
			lock_share_free(t, s);
			break;
		}
	}
	lock_owner_gc(t, o);
	lock_file_gc(t, f);
	return LOCK_OK;
}

/*
 * Entering grace holds queued requests back; leaving it lets through
 * whatever became grantable meanwhile.
 */
void
lock_table_grace_set(struct lock_table *t, int on)
{
	struct lock_table_file	*f;
	struct lock_hash_link	*l;
	size_t			 i;

	lock_table_enter(t);
	if (t->grace == (on != 0))
		return;
	t->grace = on != 0;
	if (t->grace)
		return;
	for (i = 0; i < t->files.size; i++) {
		for (l = t->files.buckets[i]; l != NULL; l = l->next) {
			f = (struct lock_table_file *)l;
			if (!TAILQ_EMPTY(&f->waiters))
				lock_file_mark_dirty(t, f);
		}
	}
	lock_table_wake_dirty(t);
}

int
lock_table_in_grace(const struct lock_table *t)
{
	return t->grace;
}

static int
lock_file_foreach_lock(struct lock_table_file *f, lock_table_lock_cb cb,
    void *arg)
{
	struct lock_table_range		*r;
	struct lock_table_waiter	*w;
	struct lock_info		 info;
	int				 rv;

	TAILQ_FOREACH(r, &f->ranges, file_entry) {
		lock_info_from_range(r, &info);
		if ((rv = cb(arg, &info)) != 0)
			return rv;
	}
	TAILQ_FOREACH(w, &f->waiters, file_entry) {
		lock_info_from_waiter(w, &info);
		if ((rv = cb(arg, &info)) != 0)
			return rv;
	}
	return 0;
}

/*
 * For dittofsctl locks and for checks: calls cb for every held lock
 * (sorted by start) and then every queued request (in queue order) of
 * one file, or of all files when file is NULL.
 */
int
lock_table_foreach_lock(struct lock_table *t, const struct lock_file_id *file,
    lock_table_lock_cb cb, void *arg)
{
	struct lock_table_file	*f;
	struct lock_hash_link	*l;
	size_t			 i;
	int			 busy = t->busy, rv = 0;

	t->busy = 1;
	if (file != NULL) {
		if (lock_file_id_valid(file) &&
		    (f = lock_file_get(t, file, 0)) != NULL)
			rv = lock_file_foreach_lock(f, cb, arg);
	} else {
		for (i = 0; i < t->files.size && rv == 0; i++) {
			for (l = t->files.buckets[i]; l != NULL && rv == 0;
			    l = l->next)
				rv = lock_file_foreach_lock(
				    (struct lock_table_file *)l, cb, arg);
		}
	}
	t->busy = busy;
	return rv;
}

static int
lock_file_foreach_share(struct lock_table_file *f, lock_table_share_cb cb,
    void *arg)
{
	struct lock_table_share	*s;
	struct lock_share_info	 info;
	int			 rv;

	LIST_FOREACH(s, &f->shares, file_entry) {
		info.file = &f->id;
		lock_owner_view(s->owner, &info.owner);
		info.access = s->access;
		info.deny = s->deny;
		if ((rv = cb(arg, &info)) != 0)
			return rv;
	}
	return 0;
}

int
lock_table_foreach_share(struct lock_table *t,
    const struct lock_file_id *file, lock_table_share_cb cb, void *arg)
{
	struct lock_table_file	*f;
	struct lock_hash_link	*l;
	size_t			 i;
	int			 busy = t->busy, rv = 0;

	t->busy = 1;
	if (file != NULL) {
		if (lock_file_id_valid(file) &&
		    (f = lock_file_get(t, file, 0)) != NULL)
			rv = lock_file_foreach_share(f, cb, arg);
	} else {
		for (i = 0; i < t->files.size && rv == 0; i++) {
			for (l = t->files.buckets[i]; l != NULL && rv == 0;
			    l = l->next)
				rv = lock_file_foreach_share(
				    (struct lock_table_file *)l, cb, arg);
		}
	}
	t->busy = busy;
	return rv;
}

void
lock_table_stats(const struct lock_table *t, struct lock_table_stats *out)
{
	*out = t->stats;
}

void
lock_table_set_client_max(struct lock_table *t, size_t max)
{
	t->client_max = max;
}

size_t
lock_table_client_records(struct lock_table *t, enum lock_protocol protocol,
    uint64_t client_id)
{
	struct lock_table_client	*c;

	c = lock_client_get(t, protocol, client_id, 0);
	return c != NULL ? c->records : 0;
}

const char *
lock_table_result_str(enum lock_result res)
{
	switch (res) {
	case LOCK_OK:
		return "ok";
	case LOCK_DENIED:
		return "denied";
	case LOCK_BLOCKED:
		return "blocked";
	case LOCK_DEADLOCK:
		return "deadlock";
	case LOCK_GRACE:
		return "grace";
	case LOCK_NO_GRACE:
		return "no grace";
	case LOCK_NOT_FOUND:
		return "not found";
	case LOCK_INVALID:
		return "invalid";
	case LOCK_RANGE:
		return "range";
	case LOCK_NOMEM:
		return "out of memory";
	case LOCK_LIMIT:
		return "client limit";
	}
	return "unknown";
}
