/*
 * Randomized test of stated's lock table against a brute-force model.
 *
 * The model knows, for every byte of a few small files and every owner,
 * whether that owner holds it shared, exclusive or not at all, plus the
 * FIFO queue of each file and the share reservations.  It applies the
 * rules of lock_table.h in the most literal way: conflicts byte by byte,
 * wake-up as "grant the first grantable waiter, repeat", and deadlock as
 * "the wait-for graph, rebuilt from scratch, would have a cycle".  After
 * every operation the table's whole state (every held range, every queued
 * request, every reservation, the counters) must equal the model's, every
 * result must match, TEST and DENIED must name a real first holder, and
 * grants must come in the model's order.
 *
 * Windows owners (lock_table.h "Windows rules") are modelled apart: as a
 * list of lock records per file, which stack and go only by an unlock of
 * their exact range.  A first run has the six POSIX owners alone, a
 * second adds two Windows owners, so POSIX and Windows locks meet.
 *
 * Files are 64 bytes plus one cell standing for bytes 64 .. UINT64_MAX,
 * so that "to the end of the file" is exercised too.  DITTOFS_SEED sets
 * the seed and DITTOFS_MODEL_OPS the number of operations (300000, about
 * 2 s; the run stops early after a minute of CPU on a slow machine).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stated/lock_table.h"
#include "tap.h"

#define NFILES		3
#define NBYTES		64
#define NCELLS		(NBYTES + 1)	/* the last is 64 .. UINT64_MAX */
#define MAXOWNERS	8		/* the second run's; the first has 6 */
#define MAXQUEUE	48
#define MAXWL		256		/* Windows locks per file */
#define MAXGRANTS	256

#define NONE		0		/* model modes; else enum lock_type */

struct model_waiter {
	int		 owner;
	int		 first, last;	/* cells */
	uint64_t	 offset, length;
	int		 type;		/* enum lock_type */
	uint64_t	 cookie;
};

/* A Windows lock: a record of its own. */
struct model_wlock {
	int		 owner;
	int		 first, last;
	int		 type;
};

struct model {
	uint8_t			 mode[NFILES][NCELLS][MAXOWNERS]; /* POSIX */
	struct model_wlock	 wl[NFILES][MAXWL];	/* Windows */
	int			 wl_len[NFILES];
	uint8_t			 windows[MAXOWNERS];	/* its semantics */
	struct model_waiter	 queue[NFILES][MAXQUEUE];
	int			 queue_len[NFILES];
	uint8_t			 share_held[NFILES][MAXOWNERS];
	uint8_t			 share_access[NFILES][MAXOWNERS];
	uint8_t			 share_deny[NFILES][MAXOWNERS];
};

struct grant_log {
	int		 count[NFILES];
	uint64_t	 cookie[NFILES][MAXGRANTS];
	int		 owner[NFILES][MAXGRANTS];
};

struct run {
	struct lock_table	*table;
	struct model		 m;
	struct grant_log	 expect, got;
	struct lock_owner	 owners[MAXOWNERS];
	int			 nowners;
	uint64_t		 rng;
	uint64_t		 cookie;
	unsigned long		 op;
	int			 failed;
	char			 what[160];	/* the current operation */
	unsigned long		 n_ok, n_denied, n_blocked, n_deadlock;
	unsigned long		 n_retransmit, n_grants, n_cancel, n_test;
	unsigned long		 n_test_denied, n_release, n_share_denied;
	unsigned long		 n_empty, n_multi;
	unsigned long		 n_wstack, n_wunlock, n_wnotfound, n_wself;
};

static uint64_t
rnd(struct run *r)
{
	/* splitmix64: small, and the same everywhere for a given seed. */
	uint64_t	 z = (r->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
rnd_below(struct run *r, int n)
{
	return (int)(rnd(r) % (uint64_t)n);
}

static void
fail(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fail(struct run *r, const char *fmt, ...)
{
	va_list	 ap;
	char	 buf[256];

	if (r->failed++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tap_diag("op %lu (%s): %s", r->op, r->what, buf);
}

static struct lock_file_id
file_id(int f)
{
	struct lock_file_id	 id;

	memset(&id, 0, sizeof(id));
	id.len = 9;
	id.data[0] = 0xf0;
	id.data[8] = (uint8_t)f;
	return id;
}

static int
file_index(const struct lock_file_id *id)
{
	if (id->len != 9 || id->data[0] != 0xf0 || id->data[8] >= NFILES)
		return -1;
	return id->data[8];
}

static int
owner_index(const struct run *r, const struct lock_owner *o)
{
	const char	*h1, *h2;
	int		 i;

	for (i = 0; i < r->nowners; i++) {
		const struct lock_owner *p = &r->owners[i];

		h1 = p->host ? p->host : "";
		h2 = o->host ? o->host : "";
		if (p->protocol == o->protocol &&
		    p->semantics == o->semantics &&
		    p->client_id == o->client_id && p->svid == o->svid &&
		    strcmp(h1, h2) == 0 && p->bytes_len == o->bytes_len &&
		    memcmp(p->bytes, o->bytes, p->bytes_len) == 0)
			return i;
	}
	return -1;
}

static void
owners_init(struct run *r)
{
	static const char	*bytes[MAXOWNERS] =
	    { "o0", "o0", "o2", "o3", "o4", "o5", "w6", "w7" };
	static const enum lock_protocol	 proto[MAXOWNERS] = {
	    LOCK_PROTOCOL_NLM, LOCK_PROTOCOL_NLM, LOCK_PROTOCOL_NLM,
	    LOCK_PROTOCOL_NFSV4, LOCK_PROTOCOL_NFSV4, LOCK_PROTOCOL_SMB,
	    LOCK_PROTOCOL_SMB, LOCK_PROTOCOL_SMB };
	static const char	*host[MAXOWNERS] =
	    { "alpha", "alpha", "beta", NULL, NULL, NULL, NULL, NULL };
	static const uint64_t	 client[MAXOWNERS] =
	    { 0, 0, 0, 7, 7, 9, 9, 9 };
	int			 i;

	/* Owners 0 and 1 differ only by svid; 6 and 7 are Windows ones. */
	for (i = 0; i < MAXOWNERS; i++) {
		memset(&r->owners[i], 0, sizeof(r->owners[i]));
		r->owners[i].protocol = proto[i];
		r->owners[i].client_id = client[i];
		r->owners[i].host = host[i];
		r->owners[i].bytes = bytes[i];
		r->owners[i].bytes_len = 2;
		r->owners[i].svid = (uint32_t)(i + 1);
		r->owners[i].semantics = i >= 6 ? LOCK_SEMANTICS_WINDOWS :
		    LOCK_SEMANTICS_POSIX;
	}
}

static void
grant_cb(void *arg, const struct lock_info *info)
{
	struct run	*r = arg;
	int		 f = file_index(info->file);
	int		 o = owner_index(r, &info->owner);

	if (f < 0 || o < 0) {
		fail(r, "grant for an unknown file or owner");
		return;
	}
	if (info->waiting)
		fail(r, "grant flagged as waiting");
	if (r->got.count[f] >= MAXGRANTS) {
		fail(r, "too many grants");
		return;
	}
	r->got.cookie[f][r->got.count[f]] = info->cookie;
	r->got.owner[f][r->got.count[f]] = o;
	r->got.count[f]++;
}

/* Model */

static int
modes_conflict(int a, int b)
{
	return a != NONE && b != NONE &&
	    (a == LOCK_EXCLUSIVE || b == LOCK_EXCLUSIVE);
}

/*
 * A lock of holder, of type held, stands in the way of a request of
 * owner (-1: no owner) of the given type: across owners by type; one's
 * own only for a Windows owner asking for exclusive.
 */
static int
model_conflicts(const struct model *m, int holder, int held, int owner,
    int type)
{
	if (holder == owner)
		return m->windows[owner] && type == LOCK_EXCLUSIVE;
	return modes_conflict(held, type);
}

/* The owner of a lock in [first, last] in the request's way, or -1. */
static int
model_holder_conflict(const struct model *m, int f, int owner, int first,
    int last, int type)
{
	const struct model_wlock	*l;
	int				 c, p, i;

	for (c = first; c <= last; c++)
		for (p = 0; p < MAXOWNERS; p++)
			if (p != owner && modes_conflict(m->mode[f][c][p],
			    type))
				return p;
	for (i = 0; i < m->wl_len[f]; i++) {
		l = &m->wl[f][i];
		if (l->first <= last && first <= l->last &&
		    model_conflicts(m, l->owner, l->type, owner, type))
			return l->owner;
	}
	return -1;
}

/* Earlier waiter a holds later waiter b back (the fairness rule). */
static int
waiter_blocks(const struct model *m, const struct model_waiter *a,
    const struct model_waiter *b)
{
	return a->first <= b->last && b->first <= a->last &&
	    model_conflicts(m, a->owner, a->type, b->owner, b->type);
}

/* An edge of the wait-for graph: one's own locks make none. */
static int
waiters_conflict(const struct model_waiter *a, const struct model_waiter *b)
{
	return a->owner != b->owner && a->first <= b->last &&
	    b->first <= a->last && modes_conflict(a->type, b->type);
}

/* The wait-for graph as lock_table.h defines it; 1 if it has a cycle. */
static int
model_has_cycle(const struct model *m)
{
	int	 reach[MAXOWNERS][MAXOWNERS];
	int	 f, i, j, k, p;

	memset(reach, 0, sizeof(reach));
	for (f = 0; f < NFILES; f++) {
		for (i = 0; i < m->queue_len[f]; i++) {
			const struct model_waiter *w = &m->queue[f][i];
			int c;

			for (c = w->first; c <= w->last; c++)
				for (p = 0; p < MAXOWNERS; p++)
					if (p != w->owner && modes_conflict(
					    m->mode[f][c][p], w->type))
						reach[w->owner][p] = 1;
			for (j = 0; j < m->wl_len[f]; j++) {
				const struct model_wlock *l = &m->wl[f][j];

				if (l->owner != w->owner &&
				    l->first <= w->last &&
				    w->first <= l->last &&
				    modes_conflict(l->type, w->type))
					reach[w->owner][l->owner] = 1;
			}
			for (j = 0; j < i; j++)
				if (waiters_conflict(&m->queue[f][j], w))
					reach[w->owner][m->queue[f][j].owner] =
					    1;
		}
	}
	for (k = 0; k < MAXOWNERS; k++)
		for (i = 0; i < MAXOWNERS; i++)
			for (j = 0; j < MAXOWNERS; j++)
				if (reach[i][k] && reach[k][j])
					reach[i][j] = 1;
	for (i = 0; i < MAXOWNERS; i++)
		if (reach[i][i])
			return 1;
	return 0;
}

static void
model_set(struct model *m, int f, int owner, int first, int last, int mode)
{
	int	 c;

	for (c = first; c <= last; c++)
		m->mode[f][c][owner] = (uint8_t)mode;
}

/* A Windows grant: one more record. */
static int
model_wadd(struct model *m, int f, int owner, int first, int last, int type)
{
	if (m->wl_len[f] == MAXWL)
		return -1;
	m->wl[f][m->wl_len[f]++] = (struct model_wlock){ owner, first, last,
	    type };
	return 0;
}

static void
model_wremove(struct model *m, int f, int i)
{
	memmove(&m->wl[f][i], &m->wl[f][i + 1],
	    (size_t)(m->wl_len[f] - i - 1) * sizeof(m->wl[f][0]));
	m->wl_len[f]--;
}

/* A grant by the owner's rules; -1 when the model is full. */
static int
model_grant(struct model *m, int f, int owner, int first, int last, int type)
{
	if (m->windows[owner])
		return model_wadd(m, f, owner, first, last, type);
	model_set(m, f, owner, first, last, type);
	return 0;
}

static void
model_dequeue(struct model *m, int f, int i)
{
	memmove(&m->queue[f][i], &m->queue[f][i + 1],
	    (size_t)(m->queue_len[f] - i - 1) * sizeof(m->queue[f][0]));
	m->queue_len[f]--;
}

static int
model_same_waiter(const struct model_waiter *w, int owner, int first,
    int last, int type)
{
	return w->owner == owner && w->first == first && w->last == last &&
	    w->type == type;
}

static int
model_grantable(const struct model *m, int f, int i)
{
	const struct model_waiter	*w = &m->queue[f][i];
	int				 j;

	if (model_holder_conflict(m, f, w->owner, w->first, w->last,
	    w->type) != -1)
		return 0;
	for (j = 0; j < i; j++)
		if (waiter_blocks(m, &m->queue[f][j], w))
			return 0;
	return 1;
}

/* Grant the first grantable waiter, again and again. */
static void
model_wake(struct run *r, int f)
{
	struct model	*m = &r->m;
	int		 i;

	for (;;) {
		for (i = 0; i < m->queue_len[f]; i++)
			if (model_grantable(m, f, i))
				break;
		if (i == m->queue_len[f])
			return;
		if (model_grant(m, f, m->queue[f][i].owner,
		    m->queue[f][i].first, m->queue[f][i].last,
		    m->queue[f][i].type) == -1) {
			fail(r, "model: too many Windows locks");
			return;
		}
		if (r->expect.count[f] < MAXGRANTS) {
			r->expect.cookie[f][r->expect.count[f]] =
			    m->queue[f][i].cookie;
			r->expect.owner[f][r->expect.count[f]] =
			    m->queue[f][i].owner;
			r->expect.count[f]++;
		}
		r->n_grants++;
		model_dequeue(m, f, i);
	}
}

static void
model_wake_all(struct run *r)
{
	int	 f;

	for (f = 0; f < NFILES; f++)
		model_wake(r, f);
}

static void
model_strip_owner(struct model *m, int o)
{
	int	 f, i;

	for (f = 0; f < NFILES; f++) {
		for (i = 0; i < m->queue_len[f]; )
			if (m->queue[f][i].owner == o)
				model_dequeue(m, f, i);
			else
				i++;
		model_set(m, f, o, 0, NCELLS - 1, NONE);
		for (i = 0; i < m->wl_len[f]; )
			if (m->wl[f][i].owner == o)
				model_wremove(m, f, i);
			else
				i++;
		m->share_held[f][o] = 0;
	}
}

/* Checking a reported holder */

static int
cell_of_end(uint64_t end)
{
	if (end == UINT64_MAX)
		return NCELLS - 1;
	if (end >= NBYTES)
		return -1;
	return (int)end;
}

/*
 * A reported conflict must be one of the other owners' maximal runs
 * (POSIX) or a Windows lock record in the way (its owner's own, for a
 * Windows exclusive request), with the lowest start of all such.
 */
static void
check_holder(struct run *r, int f, int owner, int first, int last,
    int type, const struct lock_info *h)
{
	const struct model		*m = &r->m;
	const struct model_wlock	*l;
	int				 p, c, s, i, best = NCELLS, hs, he;

	for (c = first; c <= last; c++)
		for (p = 0; p < MAXOWNERS; p++)
			if (p != owner && modes_conflict(m->mode[f][c][p],
			    type)) {
				s = c;
				while (s > 0 && m->mode[f][s - 1][p] ==
				    m->mode[f][c][p])
					s--;
				if (s < best)
					best = s;
			}
	for (i = 0; i < m->wl_len[f]; i++) {
		l = &m->wl[f][i];
		if (l->first <= last && first <= l->last && l->first < best &&
		    model_conflicts(m, l->owner, l->type, owner, type))
			best = l->first;
	}
	p = owner_index(r, &h->owner);
	if (file_index(h->file) != f || p < 0 ||
	    (p == owner && !m->windows[p])) {
		fail(r, "holder names the wrong file or owner");
		return;
	}
	if (h->offset >= NCELLS || (he = cell_of_end(h->end)) < 0 ||
	    (int)h->offset > he || h->waiting) {
		fail(r, "holder range %llu-%llu out of the model",
		    (unsigned long long)h->offset,
		    (unsigned long long)h->end);
		return;
	}
	hs = (int)h->offset;
	if (h->length != (h->end == UINT64_MAX ? 0 : h->end - h->offset + 1))
		fail(r, "holder length %llu does not match its end",
		    (unsigned long long)h->length);
	if (m->windows[p]) {
		for (i = 0; i < m->wl_len[f]; i++) {
			l = &m->wl[f][i];
			if (l->owner == p && l->first == hs && l->last == he &&
			    l->type == (int)h->type)
				break;
		}
		if (i == m->wl_len[f])
			fail(r, "holder %d-%d is no Windows lock of owner %d",
			    hs, he, p);
		else if (he < first || hs > last ||
		    !model_conflicts(m, p, h->type, owner, type))
			fail(r, "holder %d-%d does not conflict", hs, he);
		if (hs != best)
			fail(r, "holder starts at %d, first conflict starts "
			    "at %d", hs, best);
		return;
	}
	for (c = hs; c <= he; c++)
		if (m->mode[f][c][p] != h->type) {
			fail(r, "holder owner %d does not hold %s at %d", p,
			    h->type == LOCK_SHARED ? "S" : "X", c);
			return;
		}
	if ((hs > 0 && m->mode[f][hs - 1][p] == h->type) ||
	    (he < NCELLS - 1 && m->mode[f][he + 1][p] == h->type))
		fail(r, "holder %d-%d is not a whole lock", hs, he);
	if (he < first || hs > last || !modes_conflict(h->type, type))
		fail(r, "holder %d-%d does not conflict", hs, he);
	if (hs != best)
		fail(r, "holder starts at %d, first conflict starts at %d", hs,
		    best);
}

/* Comparing the whole state */

struct seen {
	struct run	*r;
	uint8_t		 mode[NFILES][NCELLS][MAXOWNERS];
	int		 runs;
	int		 waiters[NFILES];
	uint64_t	 last_start[NFILES];
	int		 any[NFILES];
	uint8_t		 share_held[NFILES][MAXOWNERS];
	uint8_t		 share_access[NFILES][MAXOWNERS];
	uint8_t		 share_deny[NFILES][MAXOWNERS];
	struct model_wlock wl[NFILES][MAXWL];
	int		 wl_len[NFILES];
};

static int
wlock_cmp(const void *a, const void *b)
{
	const struct model_wlock *x = a, *y = b;

	if (x->owner != y->owner)
		return x->owner - y->owner;
	if (x->first != y->first)
		return x->first - y->first;
	if (x->last != y->last)
		return x->last - y->last;
	return x->type - y->type;
}

static int
seen_lock(void *arg, const struct lock_info *info)
{
	struct seen		*s = arg;
	struct run		*r = s->r;
	const struct model	*m = &r->m;
	int			 f = file_index(info->file);
	int			 o = owner_index(r, &info->owner);
	int			 first, last, c, i;

	if (f < 0 || o < 0) {
		fail(r, "listing shows an unknown file or owner");
		return 1;
	}
	if (info->waiting) {
		i = s->waiters[f]++;
		if (i >= m->queue_len[f]) {
			fail(r, "file %d: more waiters than the model's %d",
			    f, m->queue_len[f]);
			return 1;
		}
		if (m->queue[f][i].owner != o ||
		    m->queue[f][i].offset != info->offset ||
		    m->queue[f][i].length != info->length ||
		    m->queue[f][i].type != (int)info->type ||
		    m->queue[f][i].cookie != info->cookie) {
			fail(r, "file %d: waiter %d is owner %d cookie %llu, "
			    "model says owner %d cookie %llu", f, i, o,
			    (unsigned long long)info->cookie,
			    m->queue[f][i].owner,
			    (unsigned long long)m->queue[f][i].cookie);
			return 1;
		}
		return 0;
	}
	if (s->waiters[f] > 0)
		fail(r, "held lock listed after a waiter");
	if (s->any[f] && info->offset < s->last_start[f])
		fail(r, "file %d: locks not sorted by start", f);
	s->any[f] = 1;
	s->last_start[f] = info->offset;
	/* Byte 64 starts the last cell: [64, max] is a lock of its own. */
	if (info->offset >= NCELLS || (last = cell_of_end(info->end)) < 0 ||
	    (int)info->offset > last) {
		fail(r, "lock %llu-%llu outside the model",
		    (unsigned long long)info->offset,
		    (unsigned long long)info->end);
		return 1;
	}
	first = (int)info->offset;
	if (m->windows[o]) {
		if (s->wl_len[f] == MAXWL) {
			fail(r, "file %d: too many Windows locks listed", f);
			return 1;
		}
		s->wl[f][s->wl_len[f]++] = (struct model_wlock){ o, first,
		    last, (int)info->type };
		return 0;
	}
	for (c = first; c <= last; c++) {
		if (s->mode[f][c][o] != NONE) {
			fail(r, "file %d owner %d: locks overlap at %d", f, o,
			    c);
			return 1;
		}
		s->mode[f][c][o] = (uint8_t)info->type;
	}
	s->runs++;
	return 0;
}

static int
seen_share(void *arg, const struct lock_share_info *info)
{
	struct seen	*s = arg;
	int		 f = file_index(info->file);
	int		 o = owner_index(s->r, &info->owner);

	if (f < 0 || o < 0 || s->share_held[f][o]) {
		fail(s->r, "bad or duplicate share reservation");
		return 1;
	}
	s->share_held[f][o] = 1;
	s->share_access[f][o] = (uint8_t)info->access;
	s->share_deny[f][o] = (uint8_t)info->deny;
	return 0;
}

static void
compare_state(struct run *r)
{
	static struct seen	 s;
	static struct model_wlock wl_model[MAXWL];
	const struct model	*m = &r->m;
	struct lock_table_stats	 st;
	int			 f, c, o, runs = 0, waiters = 0, shares = 0;
	int			 wlocks = 0;
	int			 files = 0, owners = 0, file_used, i;
	int			 owner_used[MAXOWNERS];

	memset(&s, 0, sizeof(s));
	s.r = r;
	lock_table_foreach_lock(r->table, NULL, seen_lock, &s);
	lock_table_foreach_share(r->table, NULL, seen_share, &s);
	if (r->failed)
		return;
	if (memcmp(s.mode, m->mode, sizeof(s.mode)) != 0) {
		for (i = 0; i < NFILES * NCELLS * MAXOWNERS; i++) {
			f = i / (NCELLS * MAXOWNERS);
			c = i / MAXOWNERS % NCELLS;
			o = i % MAXOWNERS;
			if (s.mode[f][c][o] != m->mode[f][c][o]) {
				fail(r, "file %d byte %d owner %d: table %d, "
				    "model %d", f, c, o, s.mode[f][c][o],
				    m->mode[f][c][o]);
				return;
			}
		}
	}
	memset(owner_used, 0, sizeof(owner_used));
	for (f = 0; f < NFILES; f++) {
		if (s.waiters[f] != m->queue_len[f]) {
			fail(r, "file %d: %d waiters, model %d", f,
			    s.waiters[f], m->queue_len[f]);
			return;
		}
		file_used = m->queue_len[f] > 0;
		for (i = 0; i < m->queue_len[f]; i++)
			owner_used[m->queue[f][i].owner] = 1;
		/* Windows locks: the same multiset, in any order. */
		if (s.wl_len[f] != m->wl_len[f]) {
			fail(r, "file %d: %d Windows locks, model %d", f,
			    s.wl_len[f], m->wl_len[f]);
			return;
		}
		memcpy(wl_model, m->wl[f], sizeof(wl_model));
		qsort(wl_model, (size_t)m->wl_len[f], sizeof(wl_model[0]),
		    wlock_cmp);
		qsort(s.wl[f], (size_t)s.wl_len[f], sizeof(s.wl[f][0]),
		    wlock_cmp);
		if (memcmp(wl_model, s.wl[f], (size_t)m->wl_len[f] *
		    sizeof(wl_model[0])) != 0) {
			fail(r, "file %d: Windows locks differ", f);
			return;
		}
		for (i = 0; i < m->wl_len[f]; i++)
			file_used = owner_used[m->wl[f][i].owner] = 1;
		wlocks += m->wl_len[f];
		waiters += m->queue_len[f];
		for (o = 0; o < MAXOWNERS; o++) {
			/* Maximal runs: the canonical form of o's locks. */
			for (c = 0; c < NCELLS; c++)
				if (m->mode[f][c][o] != NONE && (c == 0 ||
				    m->mode[f][c - 1][o] != m->mode[f][c][o]))
					runs++;
			for (c = 0; c < NCELLS; c++)
				if (m->mode[f][c][o] != NONE)
					file_used = owner_used[o] = 1;
			if (m->share_held[f][o]) {
				file_used = owner_used[o] = 1;
				shares++;
			}
			if (s.share_held[f][o] != m->share_held[f][o] ||
			    (m->share_held[f][o] &&
			    (s.share_access[f][o] != m->share_access[f][o] ||
			    s.share_deny[f][o] != m->share_deny[f][o]))) {
				fail(r, "file %d owner %d: share differs", f,
				    o);
				return;
			}
		}
		files += file_used;
	}
	for (o = 0; o < MAXOWNERS; o++)
		owners += owner_used[o];
	if (s.runs != runs)
		fail(r, "%d locks listed, model has %d maximal runs", s.runs,
		    runs);
	lock_table_stats(r->table, &st);
	if (st.locks != (size_t)(runs + wlocks) ||
	    st.waiters != (size_t)waiters ||
	    st.shares != (size_t)shares || st.files != (size_t)files ||
	    st.owners != (size_t)owners)
		fail(r, "stats %zu/%zu/%zu/%zu/%zu, model %d/%d/%d/%d/%d "
		    "(locks/waiters/shares/files/owners)", st.locks,
		    st.waiters, st.shares, st.files, st.owners, runs + wlocks,
		    waiters, shares, files, owners);
	if (model_has_cycle(m))
		fail(r, "the wait-for graph has a cycle");
	for (f = 0; f < NFILES; f++)
		for (i = 0; i < m->queue_len[f]; i++)
			if (model_grantable(m, f, i))
				fail(r, "file %d: waiter %d could be granted",
				    f, i);
	if (s.runs == 0 && wlocks == 0 && waiters == 0 && shares == 0)
		r->n_empty++;
}

static void
compare_grants(struct run *r)
{
	int	 f, i;

	for (f = 0; f < NFILES; f++) {
		if (r->expect.count[f] >= 2)
			r->n_multi++;
		if (r->got.count[f] != r->expect.count[f]) {
			fail(r, "file %d: %d grants, model %d", f,
			    r->got.count[f], r->expect.count[f]);
			break;
		}
		for (i = 0; i < r->got.count[f]; i++)
			if (r->got.cookie[f][i] != r->expect.cookie[f][i] ||
			    r->got.owner[f][i] != r->expect.owner[f][i]) {
				fail(r, "file %d grant %d: cookie %llu, model "
				    "%llu", f, i,
				    (unsigned long long)r->got.cookie[f][i],
				    (unsigned long long)r->expect.cookie[f][i]);
				break;
			}
	}
	memset(&r->got, 0, sizeof(r->got));
	memset(&r->expect, 0, sizeof(r->expect));
}

/* Operations */

static void
pick_range(struct run *r, int *first, int *last, uint64_t *offset,
    uint64_t *length)
{
	int	 off = rnd_below(r, NBYTES), len;

	switch (rnd_below(r, 10)) {
	case 0:
		len = 0;			/* to the end */
		break;
	case 1: case 2: case 3: case 4:
		len = 1 + rnd_below(r, 4);
		break;
	default:
		len = 1 + rnd_below(r, 16);
		break;
	}
	if (off + len > NBYTES)
		len = NBYTES - off;
	*offset = (uint64_t)off;
	*length = (uint64_t)len;
	*first = off;
	*last = len == 0 ? NCELLS - 1 : off + len - 1;
}

static void
op_lock(struct run *r, int block)
{
	struct model		*m = &r->m;
	static struct model	 trial;
	struct lock_request	 req;
	struct lock_info	 h;
	enum lock_result	 got, want;
	int			 f, o, first, last, type, i, holder;
	int			 retransmit = 0;

	f = rnd_below(r, NFILES);
	o = rnd_below(r, r->nowners);
	pick_range(r, &first, &last, &req.offset, &req.length);
	type = rnd_below(r, 2) ? LOCK_SHARED : LOCK_EXCLUSIVE;
	/* Room for this lock and every waiter's: else no Windows lock. */
	if (m->windows[o] && m->wl_len[f] >= MAXWL - MAXQUEUE - 1)
		return;
	if (block && m->queue_len[f] > 0 && rnd_below(r, 8) == 0) {
		/* Retransmit a queued request. */
		i = rnd_below(r, m->queue_len[f]);
		o = m->queue[f][i].owner;
		first = m->queue[f][i].first;
		last = m->queue[f][i].last;
		req.offset = m->queue[f][i].offset;
		req.length = m->queue[f][i].length;
		type = m->queue[f][i].type;
	}
	if (block && m->queue_len[f] == MAXQUEUE)
		block = 0;
	memset(&h, 0, sizeof(h));
	req.file = file_id(f);
	req.owner = r->owners[o];
	req.type = type;
	req.flags = block ? LOCK_REQUEST_BLOCK : 0;
	req.cookie = ++r->cookie;
	snprintf(r->what, sizeof(r->what), "lock%s f%d o%d %d-%d %s",
	    block ? "w" : "", f, o, first, last, type == LOCK_SHARED ? "S" :
	    "X");

	/* The model's answer. */
	want = LOCK_OK;
	for (i = 0; block && i < m->queue_len[f]; i++) {
		if (model_same_waiter(&m->queue[f][i], o, first, last, type)) {
			m->queue[f][i].cookie = req.cookie;
			want = LOCK_BLOCKED;
			retransmit = 1;
			r->n_retransmit++;
			break;
		}
	}
	holder = model_holder_conflict(m, f, o, first, last, type);
	if (want == LOCK_OK && holder != -1) {
		if (!block)
			want = LOCK_DENIED;
		else {
			trial = *m;
			trial.queue[f][trial.queue_len[f]++] =
			    (struct model_waiter){ o, first, last, req.offset,
			    req.length, type, req.cookie };
			want = model_has_cycle(&trial) ? LOCK_DEADLOCK :
			    LOCK_BLOCKED;
		}
	} else if (want == LOCK_OK) {
		trial = *m;
		model_grant(&trial, f, o, first, last, type);
		if (model_has_cycle(&trial))
			want = LOCK_DEADLOCK;
	}

	got = lock_table_lock(r->table, &req, &h);
	if (got != want) {
		fail(r, "table says %s, model says %s",
		    lock_table_result_str(got), lock_table_result_str(want));
		return;
	}
	switch (want) {
	case LOCK_OK:
		r->n_ok++;
		for (i = 0; m->windows[o] && i < m->wl_len[f]; i++)
			if (m->wl[f][i].owner == o && m->wl[f][i].first <=
			    last && first <= m->wl[f][i].last) {
				r->n_wstack++;
				break;
			}
		model_grant(m, f, o, first, last, type);
		model_wake(r, f);
		break;
	case LOCK_DENIED:
		r->n_denied++;
		if (owner_index(r, &h.owner) == o)
			r->n_wself++;
		check_holder(r, f, o, first, last, type, &h);
		break;
	case LOCK_BLOCKED:
		r->n_blocked++;
		if (!retransmit)
			m->queue[f][m->queue_len[f]++] = (struct model_waiter){
			    o, first, last, req.offset, req.length, type,
			    req.cookie };
		break;
	case LOCK_DEADLOCK:
		r->n_deadlock++;
		break;
	default:
		break;
	}
}

/*
 * A Windows unlock: the model's record of exactly [first, last], an
 * exclusive one first; its index or -1.
 */
static int
model_wfind(const struct model *m, int f, int o, int first, int last)
{
	int	 i, found = -1;

	for (i = 0; i < m->wl_len[f]; i++) {
		if (m->wl[f][i].owner != o || m->wl[f][i].first != first ||
		    m->wl[f][i].last != last)
			continue;
		if (found == -1 || (m->wl[f][found].type != LOCK_EXCLUSIVE &&
		    m->wl[f][i].type == LOCK_EXCLUSIVE))
			found = i;
	}
	return found;
}

static void
op_unlock(struct run *r)
{
	struct model		*m = &r->m;
	struct lock_file_id	 id;
	uint64_t		 offset, length;
	enum lock_result	 got, want = LOCK_OK;
	int			 f, o, first, last, i, n;

	f = rnd_below(r, NFILES);
	o = rnd_below(r, r->nowners);
	pick_range(r, &first, &last, &offset, &length);
	if (rnd_below(r, 8) == 0) {
		offset = length = 0;
		first = 0;
		last = NCELLS - 1;
	}
	if (m->windows[o] && rnd_below(r, 4) != 0) {
		/* Mostly one of its locks, so that exact unlocks happen. */
		for (i = n = 0; i < m->wl_len[f]; i++)
			n += m->wl[f][i].owner == o;
		for (i = 0, n = n ? rnd_below(r, n) : -1; n >= 0 &&
		    i < m->wl_len[f]; i++) {
			if (m->wl[f][i].owner != o || n-- > 0)
				continue;
			first = m->wl[f][i].first;
			last = m->wl[f][i].last;
			offset = (uint64_t)first;
			length = last == NCELLS - 1 ? 0 :
			    (uint64_t)(last - first + 1);
			break;
		}
	}
	snprintf(r->what, sizeof(r->what), "unlock f%d o%d %d-%d", f, o,
	    first, last);
	if (m->windows[o] && (i = model_wfind(m, f, o, first, last)) == -1)
		want = LOCK_NOT_FOUND;
	id = file_id(f);
	got = lock_table_unlock(r->table, &id, &r->owners[o], offset, length);
	if (got != want) {
		fail(r, "unlock says %s, model says %s",
		    lock_table_result_str(got), lock_table_result_str(want));
		return;
	}
	if (!m->windows[o])
		model_set(m, f, o, first, last, NONE);
	else if (want == LOCK_OK) {
		r->n_wunlock++;
		model_wremove(m, f, i);
	} else
		r->n_wnotfound++;
	model_wake(r, f);
}

static void
op_test(struct run *r)
{
	struct lock_file_id	 id;
	struct lock_info	 h;
	uint64_t		 offset, length;
	enum lock_result	 got, want;
	int			 f, o, first, last, type;

	f = rnd_below(r, NFILES);
	o = rnd_below(r, r->nowners + 1);	/* nowners: no owner */
	pick_range(r, &first, &last, &offset, &length);
	type = rnd_below(r, 2) ? LOCK_SHARED : LOCK_EXCLUSIVE;
	snprintf(r->what, sizeof(r->what), "test f%d o%d %d-%d %s", f, o,
	    first, last, type == LOCK_SHARED ? "S" : "X");
	id = file_id(f);
	memset(&h, 0, sizeof(h));
	got = lock_table_test(r->table, &id,
	    o < r->nowners ? &r->owners[o] : NULL, offset, length,
	    (enum lock_type)type, &h);
	if (o == r->nowners)
		o = -1;
	want = model_holder_conflict(&r->m, f, o, first, last, type) != -1 ?
	    LOCK_DENIED : LOCK_OK;
	r->n_test++;
	if (got != want)
		fail(r, "test says %s, model says %s",
		    lock_table_result_str(got), lock_table_result_str(want));
	else if (got == LOCK_DENIED) {
		r->n_test_denied++;
		check_holder(r, f, o, first, last, type, &h);
	}
}

static void
op_cancel(struct run *r)
{
	struct model		*m = &r->m;
	struct lock_file_id	 id;
	uint64_t		 offset, length;
	enum lock_result	 got, want = LOCK_NOT_FOUND;
	int			 f, o, first, last, type, i;

	f = rnd_below(r, NFILES);
	o = rnd_below(r, r->nowners);
	pick_range(r, &first, &last, &offset, &length);
	type = rnd_below(r, 2) ? LOCK_SHARED : LOCK_EXCLUSIVE;
	if (m->queue_len[f] > 0 && rnd_below(r, 4) != 0) {
		i = rnd_below(r, m->queue_len[f]);
		o = m->queue[f][i].owner;
		first = m->queue[f][i].first;
		last = m->queue[f][i].last;
		offset = m->queue[f][i].offset;
		length = m->queue[f][i].length;
		type = m->queue[f][i].type;
	}
	snprintf(r->what, sizeof(r->what), "cancel f%d o%d %d-%d %s", f, o,
	    first, last, type == LOCK_SHARED ? "S" : "X");
	for (i = 0; i < m->queue_len[f]; i++)
		if (model_same_waiter(&m->queue[f][i], o, first, last, type))
			break;
	if (i < m->queue_len[f])
		want = LOCK_OK;
	id = file_id(f);
	got = lock_table_cancel(r->table, &id, &r->owners[o], offset, length,
	    (enum lock_type)type);
	if (got != want) {
		fail(r, "cancel says %s, model says %s",
		    lock_table_result_str(got), lock_table_result_str(want));
		return;
	}
	if (want == LOCK_OK) {
		r->n_cancel++;
		model_dequeue(m, f, i);
		model_wake(r, f);
	}
}

static void
op_share(struct run *r)
{
	struct model			*m = &r->m;
	struct lock_share_request	 req;
	struct lock_share_info		 info;
	struct lock_file_id		 id;
	enum lock_result		 got, want = LOCK_OK;
	int				 f, o, p;
	unsigned int			 access, deny;

	f = rnd_below(r, NFILES);
	o = rnd_below(r, r->nowners);
	if (rnd_below(r, 3) == 0) {
		snprintf(r->what, sizeof(r->what), "unshare f%d o%d", f, o);
		id = file_id(f);
		if ((got = lock_table_unshare(r->table, &id, &r->owners[o])) !=
		    LOCK_OK)
			fail(r, "unshare says %s", lock_table_result_str(got));
		m->share_held[f][o] = 0;
		return;
	}
	access = (unsigned int)rnd_below(r, LOCK_SHARE_ALL + 1);
	deny = (unsigned int)rnd_below(r, 2) ? 0 :
	    (unsigned int)rnd_below(r, LOCK_SHARE_ALL + 1);
	snprintf(r->what, sizeof(r->what), "share f%d o%d %u/%u", f, o,
	    access, deny);
	for (p = 0; p < MAXOWNERS; p++)
		if (p != o && m->share_held[f][p] &&
		    ((access & m->share_deny[f][p]) ||
		    (deny & m->share_access[f][p])))
			want = LOCK_DENIED;
	memset(&req, 0, sizeof(req));
	req.file = file_id(f);
	req.owner = r->owners[o];
	req.access = access;
	req.deny = deny;
	got = lock_table_share(r->table, &req, &info);
	if (got != want) {
		fail(r, "share says %s, model says %s",
		    lock_table_result_str(got), lock_table_result_str(want));
		return;
	}
	if (got == LOCK_OK) {
		m->share_held[f][o] = 1;
		m->share_access[f][o] = (uint8_t)access;
		m->share_deny[f][o] = (uint8_t)deny;
	} else {
		r->n_share_denied++;
		p = owner_index(r, &info.owner);
		if (p < 0 || p == o || !m->share_held[f][p] ||
		    info.access != m->share_access[f][p] ||
		    info.deny != m->share_deny[f][p] ||
		    !((access & info.deny) || (deny & info.access)))
			fail(r, "share conflict names a wrong reservation");
	}
}

static void
op_release(struct run *r)
{
	struct lock_file_id	 id;
	int			 o, f, k;

	r->n_release++;
	switch (rnd_below(r, 5)) {
	case 0:
		o = rnd_below(r, r->nowners);
		snprintf(r->what, sizeof(r->what), "release owner %d", o);
		lock_table_release_owner(r->table, &r->owners[o]);
		model_strip_owner(&r->m, o);
		break;
	case 1:
		k = rnd_below(r, 2);
		snprintf(r->what, sizeof(r->what), "release host %s",
		    k ? "beta" : "alpha");
		lock_table_release_host(r->table, LOCK_PROTOCOL_NLM,
		    k ? "beta" : "alpha");
		/* All stripped before any wake: as the table does. */
		for (o = 0; o < r->nowners; o++)
			if (r->owners[o].protocol == LOCK_PROTOCOL_NLM &&
			    strcmp(r->owners[o].host, k ? "beta" : "alpha") ==
			    0)
				model_strip_owner(&r->m, o);
		break;
	case 2:
	case 3:
		k = rnd_below(r, 2);
		snprintf(r->what, sizeof(r->what), "release client %s",
		    k ? "smb 9" : "nfsv4 7");
		lock_table_release_client(r->table,
		    k ? LOCK_PROTOCOL_SMB : LOCK_PROTOCOL_NFSV4, k ? 9 : 7);
		for (o = 0; o < r->nowners; o++)
			if (r->owners[o].protocol == (k ? LOCK_PROTOCOL_SMB :
			    LOCK_PROTOCOL_NFSV4) &&
			    r->owners[o].client_id == (k ? 9u : 7u))
				model_strip_owner(&r->m, o);
		break;
	default:
		f = rnd_below(r, NFILES);
		snprintf(r->what, sizeof(r->what), "release file %d", f);
		id = file_id(f);
		lock_table_release_file(r->table, &id);
		memset(r->m.mode[f], 0, sizeof(r->m.mode[f]));
		memset(r->m.share_held[f], 0, sizeof(r->m.share_held[f]));
		r->m.queue_len[f] = 0;
		r->m.wl_len[f] = 0;
		return;
	}
	model_wake_all(r);
}

/*
 * Everything released, a fresh start from time to time.  Four calls, and
 * each wakes what the earlier ones freed, so the model follows step by step.
 */
static void
op_reset(struct run *r)
{
	snprintf(r->what, sizeof(r->what), "release everything");
	lock_table_release_host(r->table, LOCK_PROTOCOL_NLM, "alpha");
	model_strip_owner(&r->m, 0);
	model_strip_owner(&r->m, 1);
	model_wake_all(r);
	lock_table_release_host(r->table, LOCK_PROTOCOL_NLM, "beta");
	model_strip_owner(&r->m, 2);
	model_wake_all(r);
	lock_table_release_client(r->table, LOCK_PROTOCOL_NFSV4, 7);
	model_strip_owner(&r->m, 3);
	model_strip_owner(&r->m, 4);
	model_wake_all(r);
	lock_table_release_client(r->table, LOCK_PROTOCOL_SMB, 9);
	model_strip_owner(&r->m, 5);
	model_strip_owner(&r->m, 6);
	model_strip_owner(&r->m, 7);
	model_wake_all(r);
}

static void
one_op(struct run *r)
{
	int	 k = rnd_below(r, 1000);

	if (k < 250)
		op_lock(r, 0);
	else if (k < 450)
		op_lock(r, 1);
	else if (k < 780)
		op_unlock(r);
	else if (k < 840)
		op_cancel(r);
	else if (k < 900)
		op_test(r);
	else if (k < 980)
		op_share(r);
	else if (k < 997)
		op_release(r);
	else
		op_reset(r);
}

/* One run of ops operations with the first nowners owners. */
static void
run_model(struct run *r, int nowners, unsigned long ops, uint64_t seed)
{
	clock_t		 started = clock();
	int		 i;

	memset(r, 0, sizeof(*r));
	owners_init(r);
	r->nowners = nowners;
	for (i = 0; i < nowners; i++)
		r->m.windows[i] =
		    r->owners[i].semantics == LOCK_SEMANTICS_WINDOWS;
	r->rng = seed;
	r->table = lock_table_new(grant_cb, r);
	if (!tap_ok(r->table != NULL, "lock_table_new"))
		return;
	for (r->op = 1; r->op <= ops && !r->failed; r->op++) {
		/* Slow machines (valgrind, emulation) stop early, not hang. */
		if ((r->op & 1023) == 0 &&
		    clock() - started > 60 * CLOCKS_PER_SEC) {
			tap_diag("time limit: stopping after %lu ops", r->op);
			break;
		}
		one_op(r);
		if (r->failed)
			break;
		/* A TEST after every change, against the new state. */
		compare_grants(r);
		compare_state(r);
		op_test(r);
	}
	tap_ok(!r->failed, "%d owners (%s): table matches the model after "
	    "every operation", nowners, nowners > 6 ? "POSIX and Windows" :
	    "POSIX");
	tap_diag("%lu ops in %.2f s: %lu granted at once, %lu denied, "
	    "%lu blocked (%lu retransmitted), %lu deadlocks, %lu wake-up "
	    "grants (%lu wake-ups granting several), %lu cancels, "
	    "%lu tests (%lu denied), %lu releases, %lu share conflicts, "
	    "%lu times empty; Windows: %lu stacked, %lu denied by their "
	    "own lock, %lu exact unlocks, %lu unlocks not found", r->op - 1,
	    (double)(clock() - started) / CLOCKS_PER_SEC, r->n_ok,
	    r->n_denied, r->n_blocked, r->n_retransmit, r->n_deadlock,
	    r->n_grants, r->n_multi, r->n_cancel, r->n_test,
	    r->n_test_denied, r->n_release, r->n_share_denied, r->n_empty,
	    r->n_wstack, r->n_wself, r->n_wunlock, r->n_wnotfound);
	if (ops >= 10000) {
		tap_ok(r->n_deadlock > 0 && r->n_blocked > 0 &&
		    r->n_grants > 0 && r->n_cancel > 0 &&
		    r->n_retransmit > 0 && r->n_denied > 0 &&
		    r->n_test_denied > 0 && r->n_share_denied > 0 &&
		    r->n_multi > 0, "every outcome was exercised");
		if (nowners > 6)
			tap_ok(r->n_wstack > 0 && r->n_wself > 0 &&
			    r->n_wunlock > 0 && r->n_wnotfound > 0,
			    "Windows locks stacked, met their own, were "
			    "unlocked exactly and missed");
	}
	lock_table_free(r->table);
}

int
main(void)
{
	static struct run	 r;
	const char		*env;
	unsigned long		 ops = 300000;
	uint64_t		 seed = 0x5eed0f10c4ab1e5ULL;

	if ((env = getenv("DITTOFS_SEED")) != NULL)
		seed = strtoull(env, NULL, 0);
	if ((env = getenv("DITTOFS_MODEL_OPS")) != NULL)
		ops = strtoul(env, NULL, 0);
	tap_diag("seed %llu (DITTOFS_SEED), %lu operations "
	    "(DITTOFS_MODEL_OPS) per run", (unsigned long long)seed, ops);
	/* POSIX owners alone, then with two Windows owners among them. */
	run_model(&r, 6, ops, seed);
	run_model(&r, MAXOWNERS, ops, seed);
	return tap_done();
}
