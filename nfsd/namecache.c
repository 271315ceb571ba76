/*
 * The name cache: (directory inode, name) -> the handle it names, or
 * that it names nothing.  It lets nfsd answer LOOKUP without asking
 * blockd.  An entry is stored from a blockd reply (LOOKUP, the creating
 * operations, REMOVE) and dropped by blockd's DIRENT notification, which
 * precedes on the same channel the reply of any operation after the
 * change (blockd/ops.c), so an entry never outlives the truth.
 * LRU-limited; the whole cache goes when the channel to blockd does.
 */
#include <stdlib.h>
#include <string.h>

#include "nfsd.h"

#define NAMECACHE_BUCKETS	16384

struct nameent {
	uint64_t		 dir;
	uint32_t		 hash;
	uint8_t			 fhlen;		/* 0: the name is absent */
	uint8_t			 fh[NFS3_FHSIZE];
	TAILQ_ENTRY(nameent)	 lru;
	struct nameent		*next;		/* hash chain */
	size_t			 namelen;
	char			 name[];
};

struct namecache {
	struct nameent		*buckets[NAMECACHE_BUCKETS];
	TAILQ_HEAD(, nameent)	 lru;		/* oldest first */
	size_t			 n, max;
};

struct namecache *
namecache_new(size_t max)
{
	struct namecache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	TAILQ_INIT(&c->lru);
	c->max = max;
	return c;
}

void
namecache_free(struct namecache *c)
{
	if (c == NULL)
		return;
	namecache_drop_all(c);
	free(c);
}

static uint32_t
namecache_hash(uint64_t dir, const char *name, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a over the inode, then name */
	size_t i;

	for (i = 0; i < 8; i++)
		h = (h ^ (uint8_t)(dir >> (i * 8))) * 16777619u;
	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

static struct nameent **
namecache_slot(struct namecache *c, uint64_t dir, const char *name,
    size_t len, uint32_t h)
{
	struct nameent **pp;

	for (pp = &c->buckets[h % NAMECACHE_BUCKETS]; *pp != NULL;
	    pp = &(*pp)->next)
		if ((*pp)->hash == h && (*pp)->dir == dir &&
		    (*pp)->namelen == len &&
		    memcmp((*pp)->name, name, len) == 0)
			break;
	return pp;
}

static void
namecache_unlink(struct namecache *c, struct nameent **pp)
{
	struct nameent *e = *pp;

	*pp = e->next;
	TAILQ_REMOVE(&c->lru, e, lru);
	c->n--;
	free(e);
}

int
namecache_get(struct namecache *c, uint64_t dir, const char *name,
    size_t len, const uint8_t **fh, size_t *fhlen)
{
	struct nameent *e;

	if (c->max == 0)
		return 0;
	e = *namecache_slot(c, dir, name, len,
	    namecache_hash(dir, name, len));
	if (e == NULL)
		return 0;
	TAILQ_REMOVE(&c->lru, e, lru);
	TAILQ_INSERT_TAIL(&c->lru, e, lru);
	*fh = e->fh;
	*fhlen = e->fhlen;
	return 1;
}

void
namecache_put(struct namecache *c, uint64_t dir, const char *name,
    size_t len, const uint8_t *fh, size_t fhlen)
{
	uint32_t h = namecache_hash(dir, name, len);
	struct nameent **pp, *e;

	if (c->max == 0 || len == 0 || len > 255 ||
	    fhlen > NFS3_FHSIZE)
		return;
	pp = namecache_slot(c, dir, name, len, h);
	if ((e = *pp) == NULL) {
		while (c->n >= c->max) {
			e = TAILQ_FIRST(&c->lru);
			namecache_unlink(c, namecache_slot(c, e->dir, e->name,
			    e->namelen, e->hash));
		}
		if ((e = malloc(sizeof(*e) + len)) == NULL)
			return;
		e->dir = dir;
		e->hash = h;
		e->namelen = len;
		memcpy(e->name, name, len);
		pp = &c->buckets[h % NAMECACHE_BUCKETS];
		e->next = *pp;
		*pp = e;
		c->n++;
	} else
		TAILQ_REMOVE(&c->lru, e, lru);
	TAILQ_INSERT_TAIL(&c->lru, e, lru);
	e->fhlen = (uint8_t)fhlen;
	if (fhlen > 0)
		memcpy(e->fh, fh, fhlen);
}

void
namecache_drop(struct namecache *c, uint64_t dir, const char *name,
    size_t len)
{
	struct nameent **pp;

	pp = namecache_slot(c, dir, name, len,
	    namecache_hash(dir, name, len));
	if (*pp != NULL)
		namecache_unlink(c, pp);
}

void
namecache_drop_all(struct namecache *c)
{
	struct nameent *e;
	size_t i;

	while ((e = TAILQ_FIRST(&c->lru)) != NULL) {
		TAILQ_REMOVE(&c->lru, e, lru);
		free(e);
	}
	for (i = 0; i < NAMECACHE_BUCKETS; i++)
		c->buckets[i] = NULL;
	c->n = 0;
}

size_t
namecache_count(const struct namecache *c)
{
	return c->n;
}
