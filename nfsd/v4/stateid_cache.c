/*
 * nfsd's cache of stateids stated has validated (nfs4.h says the rules):
 * so that READ and WRITE with a stateid nfsd saw recently make no round
 * trip to stated.  Entries are hashed by the stateid's "other" and kept
 * in LRU order up to a fixed number; clients, for the batched lease
 * renewal, in a second small hash.  No I/O, no clock: the caller passes
 * the time.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "nfs4.h"

#define SIDCACHE_BUCKETS	1024	/* entries' hash: a power of two */
#define SIDCACHE_CLIENT_BUCKETS	64

struct sid_entry {
	uint8_t			 other[NFS4_OTHER_SIZE];
	uint32_t		 seqid;
	uint32_t		 access;
	uint64_t		 clientid;
	uint8_t			 fh[NFS4_FHSIZE];
	uint32_t		 fhlen;
	struct sid_entry	*next;		/* hash chain */
	TAILQ_ENTRY(sid_entry)	 lru;
};

struct sid_client {
	uint64_t		 clientid;
	time_t			 renewed;	/* stated renewed it, as we know */
	size_t			 entries;
	struct sid_client	*next;
};

struct nfs4_stateid_cache {
	size_t			 max;
	size_t			 count;
	struct sid_entry	*b[SIDCACHE_BUCKETS];
	struct sid_client	*clients[SIDCACHE_CLIENT_BUCKETS];
	TAILQ_HEAD(, sid_entry)	 lru;
};

static uint32_t
sid_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static size_t
sid_hash(const uint8_t other[NFS4_OTHER_SIZE])
{
	uint32_t h = sid_get32(other + 8) * 2654435761u ^ sid_get32(other + 4);

	return (h ^ h >> 16) & (SIDCACHE_BUCKETS - 1);
}

static size_t
sid_client_hash(uint64_t clientid)
{
	return (size_t)((clientid ^ clientid >> 29) * 0x9e3779b97f4a7c15ull >>
	    58) & (SIDCACHE_CLIENT_BUCKETS - 1);
}

/* stated_v4.x: other = epoch (4), the client's counter (4), state (4). */
uint64_t
nfs4_stateid_clientid(const struct nfs4_stateid *sid)
{
	return (uint64_t)sid_get32(sid->other) << 32 |
	    sid_get32(sid->other + 4);
}

struct nfs4_stateid_cache *
nfs4_stateid_cache_new(size_t max)
{
	struct nfs4_stateid_cache *c;

	if (max == 0)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->max = max;
	TAILQ_INIT(&c->lru);
	return c;
}

static struct sid_client **
sid_client_slot(struct nfs4_stateid_cache *c, uint64_t clientid)
{
	struct sid_client **pp = &c->clients[sid_client_hash(clientid)];

	while (*pp != NULL && (*pp)->clientid != clientid)
		pp = &(*pp)->next;
	return pp;
}

static void
sid_entry_free(struct nfs4_stateid_cache *c, struct sid_entry *e)
{
	struct sid_entry **pp = &c->b[sid_hash(e->other)];
	struct sid_client **cp, *cl;

	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	TAILQ_REMOVE(&c->lru, e, lru);
	c->count--;
	cp = sid_client_slot(c, e->clientid);
	if ((cl = *cp) != NULL && --cl->entries == 0) {
		*cp = cl->next;
		free(cl);
	}
	free(e);
}

void
nfs4_stateid_cache_drop_all(struct nfs4_stateid_cache *c)
{
	if (c == NULL)
		return;
	while (!TAILQ_EMPTY(&c->lru))
		sid_entry_free(c, TAILQ_FIRST(&c->lru));
}

void
nfs4_stateid_cache_free(struct nfs4_stateid_cache *c)
{
	nfs4_stateid_cache_drop_all(c);
	free(c);
}

static struct sid_entry *
sid_find(struct nfs4_stateid_cache *c, const uint8_t other[NFS4_OTHER_SIZE])
{
	struct sid_entry *e;

	for (e = c->b[sid_hash(other)]; e != NULL; e = e->next)
		if (memcmp(e->other, other, NFS4_OTHER_SIZE) == 0)
			return e;
	return NULL;
}

void
nfs4_stateid_cache_put(struct nfs4_stateid_cache *c,
    const struct nfs4_stateid *sid, const uint8_t *fh, size_t fhlen,
    uint32_t access, time_t now)
{
	struct sid_client **cp, *cl;
	struct sid_entry *e;
	uint64_t clientid = nfs4_stateid_clientid(sid);
	size_t h;

	if (c == NULL || fhlen == 0 || fhlen > NFS4_FHSIZE)
		return;
	if ((e = sid_find(c, sid->other)) != NULL)
		sid_entry_free(c, e);
	if (c->count >= c->max)
		sid_entry_free(c, TAILQ_FIRST(&c->lru));
	cp = sid_client_slot(c, clientid);
	if ((cl = *cp) == NULL) {
		if ((cl = calloc(1, sizeof(*cl))) == NULL)
			return;
		cl->clientid = clientid;
		*cp = cl;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		if (cl->entries == 0) {
			*cp = cl->next;
			free(cl);
		}
		return;
	}
	/* stated renewed the lease when it answered about this state. */
	cl->renewed = now;
	cl->entries++;
	memcpy(e->other, sid->other, NFS4_OTHER_SIZE);
	e->seqid = sid->seqid;
	e->access = access;
	e->clientid = clientid;
	memcpy(e->fh, fh, fhlen);
	e->fhlen = (uint32_t)fhlen;
	h = sid_hash(e->other);
	e->next = c->b[h];
	c->b[h] = e;
	TAILQ_INSERT_TAIL(&c->lru, e, lru);
	c->count++;
}

int
nfs4_stateid_cache_access(struct nfs4_stateid_cache *c,
    const struct nfs4_stateid *sid, uint32_t *access)
{
	struct sid_entry *e;

	if (c == NULL || (e = sid_find(c, sid->other)) == NULL)
		return 0;
	*access = e->access;
	return 1;
}

int
nfs4_stateid_cache_hit(struct nfs4_stateid_cache *c,
    const struct nfs4_stateid *sid, const uint8_t *fh, size_t fhlen,
    int write)
{
	struct sid_entry *e;

	if (c == NULL || (e = sid_find(c, sid->other)) == NULL ||
	    e->seqid != sid->seqid || e->fhlen != fhlen ||
	    memcmp(e->fh, fh, fhlen) != 0 ||
	    (write && !(e->access & OPEN4_SHARE_ACCESS_WRITE)))
		return 0;
	TAILQ_REMOVE(&c->lru, e, lru);
	TAILQ_INSERT_TAIL(&c->lru, e, lru);
	return 1;
}

size_t
nfs4_stateid_cache_drop_file(struct nfs4_stateid_cache *c, const uint8_t *fh,
    size_t fhlen)
{
	struct sid_entry *e, *next;
	size_t n = 0;

	if (c == NULL)
		return 0;
	for (e = TAILQ_FIRST(&c->lru); e != NULL; e = next) {
		next = TAILQ_NEXT(e, lru);
		if (e->fhlen == fhlen && memcmp(e->fh, fh, fhlen) == 0) {
			sid_entry_free(c, e);
			n++;
		}
	}
	return n;
}

size_t
nfs4_stateid_cache_drop_client(struct nfs4_stateid_cache *c,
    uint64_t clientid)
{
	struct sid_entry *e, *next;
	size_t n = 0;

	if (c == NULL || *sid_client_slot(c, clientid) == NULL)
		return 0;
	for (e = TAILQ_FIRST(&c->lru); e != NULL; e = next) {
		next = TAILQ_NEXT(e, lru);
		if (e->clientid == clientid) {
			sid_entry_free(c, e);
			n++;
		}
	}
	return n;
}

int
nfs4_stateid_cache_renew_due(struct nfs4_stateid_cache *c, uint64_t clientid,
    time_t now, time_t interval)
{
	struct sid_client *cl;

	if (c == NULL || (cl = *sid_client_slot(c, clientid)) == NULL ||
	    now - cl->renewed < interval)
		return 0;
	cl->renewed = now;
	return 1;
}

size_t
nfs4_stateid_cache_count(const struct nfs4_stateid_cache *c)
{
	return c != NULL ? c->count : 0;
}
