/*
 * The directory cache: the complete listing of a directory (cookie, ino,
 * name and handle of every entry, and ".."'s), assembled from blockd's
 * READDIRPLUS batches read from the start to eof, so that READDIR and
 * READDIRPLUS need no message to blockd while nothing changed.  blockd's
 * notes about the directory (its record, any entry) drop its listing; a
 * note precedes on the channel the reply of any later operation, so a
 * listing never outlives the truth.  The entries' attributes are not
 * kept here: nfs3.c takes them from the handle cache, and only while
 * they are current.  LRU-limited in entries.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "nfsd.h"

#define DIRCACHE_BUCKETS	1024

struct dircache {
	struct dirlist		*buckets[DIRCACHE_BUCKETS];
	TAILQ_HEAD(, dirlist)	 lru;		/* oldest first */
	size_t			 nlists, nents, max_ents;
};

struct dircache *
dircache_new(size_t max_ents)
{
	struct dircache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	TAILQ_INIT(&c->lru);
	c->max_ents = max_ents;
	return c;
}

static struct dirlist **
dircache_slot(struct dircache *c, uint64_t dir)
{
	struct dirlist **pp;

	for (pp = &c->buckets[dir % DIRCACHE_BUCKETS]; *pp != NULL;
	    pp = &(*pp)->next)
		if ((*pp)->dir == dir)
			break;
	return pp;
}

static void
dircache_unlink(struct dircache *c, struct dirlist **pp)
{
	struct dirlist *l = *pp;
	size_t i;

	*pp = l->next;
	TAILQ_REMOVE(&c->lru, l, lru);
	for (i = 0; i < l->n; i++)
		free(l->ents[i]);
	free(l->ents);
	c->nents -= l->n;
	c->nlists--;
	free(l);
}

void
dircache_drop(struct dircache *c, uint64_t dir)
{
	struct dirlist **pp = dircache_slot(c, dir);

	if (*pp != NULL)
		dircache_unlink(c, pp);
}

void
dircache_drop_all(struct dircache *c)
{
	while (!TAILQ_EMPTY(&c->lru)) {
		struct dirlist *l = TAILQ_FIRST(&c->lru);

		dircache_unlink(c, dircache_slot(c, l->dir));
	}
}

void
dircache_free(struct dircache *c)
{
	if (c == NULL)
		return;
	dircache_drop_all(c);
	free(c);
}

static int
dircache_append(struct dircache *c, struct dirlist *l, const bd_dirent *d)
{
	struct dirent_c *e, **ents;
	size_t len = d->name.bd_name_len;

	if (d->fh.bd_fh_len == 0 || d->fh.bd_fh_len > NFS3_FHSIZE)
		return -1;
	if (l->n == l->cap) {
		ents = reallocarray(l->ents, l->cap ? l->cap * 2 : 64,
		    sizeof(*ents));
		if (ents == NULL)
			return -1;
		l->ents = ents;
		l->cap = l->cap ? l->cap * 2 : 64;
	}
	if ((e = malloc(sizeof(*e) + len)) == NULL)
		return -1;
	e->ino = d->ino;
	e->cookie = d->cookie;
	e->fhlen = (uint8_t)d->fh.bd_fh_len;
	if (e->fhlen > 0)	/* an empty opaque decodes as NULL */
		memcpy(e->fh, d->fh.bd_fh_val, e->fhlen);
	e->namelen = len;
	if (len > 0)
		memcpy(e->name, d->name.bd_name_val, len);
	l->ents[l->n++] = e;
	c->nents++;
	return 0;
}

/*
 * A READDIRPLUS batch of directory dir from blockd, asked from cookie
 * from (0: the start).  The start makes a new listing; a batch that
 * starts within it (a client goes on after the last entry that fitted
 * its reply, which may be before the last one blockd gave) extends it
 * with what is new; eof completes it.  Anything else is ignored.
 */
void
dircache_add(struct dircache *c, uint64_t dir, uint64_t from,
    const bd_readdir_reply *rep)
{
	struct dirlist **pp, *l;
	u_int i;

	if (c->max_ents == 0)
		return;
	pp = dircache_slot(c, dir);
	if (from == 0) {
		if (*pp != NULL)
			dircache_unlink(c, pp);
		if ((l = calloc(1, sizeof(*l))) == NULL)
			return;
		l->dir = dir;
		memcpy(l->verf, rep->verf, sizeof(l->verf));
		if (rep->parent.type != 0 && rep->parent_fh.bd_fh_len > 0 &&
		    rep->parent_fh.bd_fh_len <= NFS3_FHSIZE) {
			l->parent_ino = rep->parent.ino;
			l->parent_fhlen = rep->parent_fh.bd_fh_len;
			memcpy(l->parent_fh, rep->parent_fh.bd_fh_val,
			    l->parent_fhlen);
		}
		pp = &c->buckets[dir % DIRCACHE_BUCKETS];
		l->next = *pp;
		*pp = l;
		TAILQ_INSERT_TAIL(&c->lru, l, lru);
		c->nlists++;
	} else {
		l = *pp;
		if (l == NULL || l->complete || l->n == 0 ||
		    from > l->ents[l->n - 1]->cookie)
			return;
		TAILQ_REMOVE(&c->lru, l, lru);
		TAILQ_INSERT_TAIL(&c->lru, l, lru);
	}
	for (i = 0; i < rep->entries.entries_len; i++) {
		const bd_dirent *d = &rep->entries.entries_val[i];

		if (l->n > 0 && d->cookie <= l->ents[l->n - 1]->cookie)
			continue;	/* had it from an earlier batch */
		if (dircache_append(c, l, d) != 0) {
			dircache_drop(c, dir);
			return;
		}
	}
	if (rep->eof)
		l->complete = 1;
	/* Over the limit: the oldest listings go, this one last. */
	while (c->nents > c->max_ents && !TAILQ_EMPTY(&c->lru)) {
		l = TAILQ_FIRST(&c->lru);
		dircache_unlink(c, dircache_slot(c, l->dir));
	}
}

const struct dirlist *
dircache_get(struct dircache *c, uint64_t dir)
{
	struct dirlist *l = *dircache_slot(c, dir);

	if (l == NULL || !l->complete)
		return NULL;
	TAILQ_REMOVE(&c->lru, l, lru);
	TAILQ_INSERT_TAIL(&c->lru, l, lru);
	return l;
}

/* The index of the first entry after cookie (n if none). */
size_t
dircache_list_after(const struct dirlist *l, uint64_t cookie)
{
	size_t lo = 0, hi = l->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (l->ents[mid]->cookie <= cookie)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t
dircache_count(const struct dircache *c, size_t *nents)
{
	if (nents != NULL)
		*nents = c->nents;
	return c->nlists;
}
