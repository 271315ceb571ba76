/*
 * Duplicate request cache (RFC 1813 has none; see Juszczak, "Improving
 * the performance and correctness of an NFS server", 1989): the replies
 * of non-idempotent procedures, keyed by client address, xid, program,
 * version, procedure and a checksum of the arguments, so that a
 * retransmission after a reconnect gets the original reply instead of
 * running again (a second REMOVE would say NOENT).
 *
 * This in-process cache is lost with nfsd; the interface is kept small
 * (lookup, complete, abandon) so that it can move into dittofs-stated
 * and survive a restart, as issue 3 asks.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "nfsd.h"

#define DRC_BUCKETS	4096

struct drc_entry {
	struct drc_key		 key;
	int			 done;
	uint8_t			*reply;
	size_t			 len;
	struct drc_entry	*next;		/* hash chain */
	TAILQ_ENTRY(drc_entry)	 lru;
};

struct drc {
	struct drc_entry	*buckets[DRC_BUCKETS];
	TAILQ_HEAD(, drc_entry)	 lru;		/* oldest first */
	size_t			 n;
	size_t			 max;
};

/* FNV-1a: cheap, and collisions only cost a compare. */
uint32_t
drc_checksum(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t
drc_hash(const struct drc_key *k)
{
	return drc_checksum((const uint8_t *)k, sizeof(*k)) % DRC_BUCKETS;
}

struct drc *
drc_new(size_t max)
{
	struct drc *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	TAILQ_INIT(&d->lru);
	d->max = max > 0 ? max : 1;
	return d;
}

static struct drc_entry **
drc_find(struct drc *d, const struct drc_key *k)
{
	struct drc_entry **pp = &d->buckets[drc_hash(k)];

	for (; *pp != NULL; pp = &(*pp)->next)
		if (memcmp(&(*pp)->key, k, sizeof(*k)) == 0)
			break;
	return pp;
}

static void
drc_remove(struct drc *d, struct drc_entry **pp)
{
	struct drc_entry *e = *pp;

	*pp = e->next;
	TAILQ_REMOVE(&d->lru, e, lru);
	free(e->reply);
	free(e);
	d->n--;
}

void
drc_free(struct drc *d)
{
	struct drc_entry *e;

	if (d == NULL)
		return;
	while ((e = TAILQ_FIRST(&d->lru)) != NULL)
		drc_remove(d, drc_find(d, &e->key));
	free(d);
}

enum drc_verdict
drc_lookup(struct drc *d, const struct drc_key *k, const uint8_t **reply,
    size_t *len)
{
	struct drc_entry **pp = drc_find(d, k), *e;

	if ((e = *pp) != NULL) {
		if (!e->done)
			return DRC_IN_PROGRESS;
		TAILQ_REMOVE(&d->lru, e, lru);
		TAILQ_INSERT_TAIL(&d->lru, e, lru);
		*reply = e->reply;
		*len = e->len;
		return DRC_HIT;
	}
	while (d->n >= d->max)
		drc_remove(d, drc_find(d, &TAILQ_FIRST(&d->lru)->key));
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return DRC_MISS;	/* run it uncached */
	e->key = *k;
	e->next = d->buckets[drc_hash(k)];
	d->buckets[drc_hash(k)] = e;
	TAILQ_INSERT_TAIL(&d->lru, e, lru);
	d->n++;
	return DRC_MISS;
}

void
drc_complete(struct drc *d, const struct drc_key *k, const uint8_t *reply,
    size_t len)
{
	struct drc_entry **pp = drc_find(d, k), *e = *pp;

	if (e == NULL)
		return;		/* evicted meanwhile */
	free(e->reply);
	if ((e->reply = malloc(len > 0 ? len : 1)) == NULL) {
		drc_remove(d, pp);
		return;
	}
	memcpy(e->reply, reply, len);
	e->len = len;
	e->done = 1;
}

void
drc_abandon(struct drc *d, const struct drc_key *k)
{
	struct drc_entry **pp = drc_find(d, k);

	if (*pp != NULL)
		drc_remove(d, pp);
}

size_t
drc_count(const struct drc *d)
{
	return d->n;
}
