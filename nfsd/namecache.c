/*
 * The name cache: (directory inode, name) -> the handle it names, or
 * that it names nothing.  It lets nfsd answer LOOKUP without asking
 * blockd.  An entry is stored from a blockd reply (LOOKUP, the creating
 * operations, REMOVE) and dropped by blockd's DIRENT notification, which
 * precedes on the same channel the reply of any operation after the
 * change (blockd/ops.c), so an entry never outlives the truth.
 * LRU-limited; the whole cache goes when the channel to blockd does.
 *
 * A directory may also be known complete: every name it holds has an
 * entry, so a name without one is absent, and LOOKUP of a new name in
 * a directory nfsd made answers without blockd.  nfsd marks a directory
 * complete when its MKDIR's reply arrives (the new directory is empty,
 * and any note about it comes later on the channel).  Then a DIRENT
 * note leaves an "unknown" entry for its name, which the reply of
 * nfsd's own operation (or a LOOKUP) overwrites with the truth; losing
 * any entry of the directory to the LRU forgets that it is complete.
 *
 * A directory of a case-insensitive share (STORE_ATTR_CASELESS in its
 * attributes) keys its names folded (common/casefold.h), as blockd
 * does: "README" finds what "Readme" stored, and a note or a REMOVE
 * of "readme" drops it.  A note does not say whether its directory is
 * caseless: it drops the name both as it is and folded (in a
 * case-sensitive directory the folded one is at worst asked again).
 */
#include <stdlib.h>
#include <string.h>

#include "casefold.h"
#include "hash.h"
#include "nfsd.h"

#define NAMECACHE_BUCKETS	16384
#define NAMECACHE_DIR_BUCKETS	1024
#define NAMECACHE_UNKNOWN	0xff
#define NAMECACHE_NAME_MAX	255	/* longer names are never cached */	/* fhlen of an "ask blockd" entry */

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

/* A directory whose every name has an entry. */
struct compdir {
	uint64_t		 dir;
	struct compdir		*next;		/* hash chain */
	TAILQ_ENTRY(compdir)	 age;
};

struct namecache {
	struct nameent		*buckets[NAMECACHE_BUCKETS];
	TAILQ_HEAD(, nameent)	 lru;		/* oldest first */
	size_t			 n, max;
	struct compdir		*dirs[NAMECACHE_DIR_BUCKETS];
	TAILQ_HEAD(, compdir)	 dir_age;	/* oldest first */
	size_t			 ndirs;		/* at most max / 4 + 1 */
};

struct namecache *
namecache_new(size_t max)
{
	struct namecache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	TAILQ_INIT(&c->lru);
	TAILQ_INIT(&c->dir_age);
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
	uint8_t d[8];
	size_t i;

	/* FNV-1a over the inode (little endian), then the name. */
	for (i = 0; i < 8; i++)
		d[i] = (uint8_t)(dir >> (i * 8));
	return hash_fnv1a32_add(hash_fnv1a32(d, sizeof(d)), name, len);
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

static struct compdir **
namecache_dir_slot(struct namecache *c, uint64_t dir)
{
	struct compdir **pp;

	for (pp = &c->dirs[dir % NAMECACHE_DIR_BUCKETS]; *pp != NULL;
	    pp = &(*pp)->next)
		if ((*pp)->dir == dir)
			break;
	return pp;
}

static int
namecache_complete(struct namecache *c, uint64_t dir)
{
	return c->ndirs > 0 && *namecache_dir_slot(c, dir) != NULL;
}

/* dir is no longer known complete. */
static void
namecache_forget_dir(struct namecache *c, uint64_t dir)
{
	struct compdir **pp, *d;

	if (c->ndirs == 0 || *(pp = namecache_dir_slot(c, dir)) == NULL)
		return;
	d = *pp;
	*pp = d->next;
	TAILQ_REMOVE(&c->dir_age, d, age);
	c->ndirs--;
	free(d);
}

void
namecache_set_complete(struct namecache *c, uint64_t dir)
{
	struct compdir **pp, *d;

	if (c->max == 0 || *(pp = namecache_dir_slot(c, dir)) != NULL)
		return;
	if (c->ndirs > c->max / 4)
		namecache_forget_dir(c, TAILQ_FIRST(&c->dir_age)->dir);
	if ((d = malloc(sizeof(*d))) == NULL)
		return;
	d->dir = dir;
	pp = namecache_dir_slot(c, dir);
	d->next = *pp;
	*pp = d;
	TAILQ_INSERT_TAIL(&c->dir_age, d, age);
	c->ndirs++;
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

/* The LRU's oldest entry goes, and with it its directory's completeness. */
static void
namecache_evict(struct namecache *c)
{
	struct nameent *e = TAILQ_FIRST(&c->lru);

	namecache_forget_dir(c, e->dir);
	namecache_unlink(c, namecache_slot(c, e->dir, e->name, e->namelen,
	    e->hash));
}

/* The name as a caseless directory keys it, in buf; else name itself. */
static const char *
namecache_key(const char *name, size_t len, int caseless,
    char buf[NAMECACHE_NAME_MAX])
{
	if (!caseless || len > NAMECACHE_NAME_MAX)
		return name;
	casefold(name, len, buf);
	return buf;
}

static int
namecache_plain(const char *name, size_t len)
{
	if (len == 0 || len > NAMECACHE_NAME_MAX || memchr(name, '/', len) != NULL ||
	    memchr(name, '\0', len) != NULL)
		return 0;
	return !(name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')));
}

int
namecache_get(struct namecache *c, uint64_t dir, int caseless,
    const char *name, size_t len, const uint8_t **fh, size_t *fhlen)
{
	char buf[NAMECACHE_NAME_MAX];
	struct nameent *e;

	if (c->max == 0)
		return 0;
	name = namecache_key(name, len, caseless, buf);
	e = *namecache_slot(c, dir, name, len,
	    namecache_hash(dir, name, len));
	if (e == NULL) {
		/*
		 * No entry in a complete directory: no such name, if it is
		 * one blockd would look for (not "." or "..", no '/').
		 */
		*fh = NULL;
		*fhlen = 0;
		return namecache_complete(c, dir) && namecache_plain(name, len);
	}
	TAILQ_REMOVE(&c->lru, e, lru);
	TAILQ_INSERT_TAIL(&c->lru, e, lru);
	if (e->fhlen == NAMECACHE_UNKNOWN)
		return 0;
	*fh = e->fh;
	*fhlen = e->fhlen;
	return 1;
}

/* fhlen NAMECACHE_UNKNOWN: an entry that only says "ask blockd". */
static void
namecache_store(struct namecache *c, uint64_t dir, const char *name,
    size_t len, const uint8_t *fh, size_t fhlen)
{
	uint32_t h = namecache_hash(dir, name, len);
	struct nameent **pp, *e;

	pp = namecache_slot(c, dir, name, len, h);
	if ((e = *pp) == NULL) {
		while (c->n >= c->max)
			namecache_evict(c);
		if ((e = malloc(sizeof(*e) + len)) == NULL) {
			/* The name goes unrecorded: dir is not complete. */
			namecache_forget_dir(c, dir);
			return;
		}
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
	if (fhlen > 0 && fhlen != NAMECACHE_UNKNOWN)
		memcpy(e->fh, fh, fhlen);
}

void
namecache_put(struct namecache *c, uint64_t dir, int caseless,
    const char *name, size_t len, const uint8_t *fh, size_t fhlen)
{
	char buf[NAMECACHE_NAME_MAX];

	if (c->max == 0 || len == 0 || len > NAMECACHE_NAME_MAX ||
	    fhlen > NFS3_FHSIZE)
		return;
	namecache_store(c, dir, namecache_key(name, len, caseless, buf), len,
	    fh, fhlen);
}

static void
namecache_drop_key(struct namecache *c, uint64_t dir, const char *name,
    size_t len)
{
	struct nameent **pp;

	if (len > 0 && len <= NAMECACHE_NAME_MAX &&
	    namecache_complete(c, dir)) {
		namecache_store(c, dir, name, len, NULL, NAMECACHE_UNKNOWN);
		return;
	}
	pp = namecache_slot(c, dir, name, len,
	    namecache_hash(dir, name, len));
	if (*pp != NULL)
		namecache_unlink(c, pp);
}

void
namecache_drop(struct namecache *c, uint64_t dir, const char *name,
    size_t len)
{
	char buf[NAMECACHE_NAME_MAX];

	namecache_drop_key(c, dir, name, len);
	if (namecache_key(name, len, 1, buf) != name &&
	    memcmp(buf, name, len) != 0)
		namecache_drop_key(c, dir, buf, len);
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
	while (c->ndirs > 0)
		namecache_forget_dir(c, TAILQ_FIRST(&c->dir_age)->dir);
}

size_t
namecache_count(const struct namecache *c)
{
	return c->n;
}
