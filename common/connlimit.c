/*
 * Connection limits for the RPC transports; see connlimit.h.
 *
 * Addresses are counted in a chained hash table with about one bucket
 * per allowed connection, so a lookup is short however the addresses
 * are chosen (there are never more entries than connections).  The
 * connections with nothing in flight are kept in one list ordered by
 * their last progress, oldest first: an expiry check looks at the head
 * only, and progress moves a connection to the tail.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "connlimit.h"

struct connlimit_addr {
	uint8_t			 addr[16];
	size_t			 conns;
	struct connlimit_addr	*next;
};

struct connlimit {
	struct connlimit_conf		 conf;
	struct connlimit_addr		**buckets;
	size_t				 nbuckets;	/* a power of two */
	size_t				 conns;
	size_t				 out_total;
	TAILQ_HEAD(, connlimit_conn)	 idle;
	uint64_t			 refusals;
};

void
connlimit_conf_read(struct connlimit_conf *lc, const struct conf *conf,
    const char *section)
{
	memset(lc, 0, sizeof(*lc));
	lc->max_conns = (size_t)conf_get_int(conf, section, "max connections");
	lc->max_per_addr = (size_t)conf_get_int(conf, section,
	    "connections per address");
	lc->idle_seconds = (unsigned int)conf_get_int(conf, section,
	    "idle timeout");
	lc->out_per_conn = (size_t)conf_get_int(conf, section,
	    "output per connection") * 1024 * 1024;
	lc->out_total = (size_t)conf_get_int(conf, section, "output total") *
	    1024 * 1024;
}

static uint32_t
connlimit_hash(const uint8_t addr[16])
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i < 16; i++) {
		h ^= addr[i];
		h *= 16777619u;
	}
	return h;
}

struct connlimit *
connlimit_new(const struct connlimit_conf *lc)
{
	struct connlimit *cl;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return NULL;
	cl->nbuckets = 64;
	while (cl->nbuckets < lc->max_conns && cl->nbuckets < (1u << 20))
		cl->nbuckets <<= 1;
	if ((cl->buckets = calloc(cl->nbuckets, sizeof(*cl->buckets))) ==
	    NULL) {
		free(cl);
		return NULL;
	}
	TAILQ_INIT(&cl->idle);
	connlimit_set_conf(cl, lc);
	return cl;
}

void
connlimit_free(struct connlimit *cl)
{
	struct connlimit_addr *a, *next;
	size_t i;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->nbuckets; i++)
		for (a = cl->buckets[i]; a != NULL; a = next) {
			next = a->next;
			free(a);
		}
	free(cl->buckets);
	free(cl);
}

void
connlimit_set_conf(struct connlimit *cl, const struct connlimit_conf *lc)
{
	cl->conf = *lc;
	if (cl->conf.max_conns == 0)
		cl->conf.max_conns = 1;
}

const struct connlimit_conf *
connlimit_conf(const struct connlimit *cl)
{
	return &cl->conf;
}

size_t
connlimit_per_addr(const struct connlimit *cl)
{
	size_t n = cl->conf.max_per_addr;

	if (n == 0)
		n = cl->conf.max_conns / CONNLIMIT_ADDR_SHARE;
	return n > 0 ? n : 1;
}

static struct connlimit_addr **
connlimit_find(const struct connlimit *cl, const uint8_t addr[16])
{
	struct connlimit_addr **pp;

	pp = &cl->buckets[connlimit_hash(addr) & (cl->nbuckets - 1)];
	for (; *pp != NULL; pp = &(*pp)->next)
		if (memcmp((*pp)->addr, addr, 16) == 0)
			break;
	return pp;
}

size_t
connlimit_addr_count(const struct connlimit *cl, const uint8_t addr[16])
{
	struct connlimit_addr *a = *connlimit_find(cl, addr);

	return a != NULL ? a->conns : 0;
}

static void
connlimit_idle_insert(struct connlimit *cl, struct connlimit_conn *c,
    time_t now)
{
	c->last_progress = now;
	TAILQ_INSERT_TAIL(&cl->idle, c, idle_entry);
	c->on_idle = 1;
}

static void
connlimit_idle_remove(struct connlimit *cl, struct connlimit_conn *c)
{
	if (!c->on_idle)
		return;
	TAILQ_REMOVE(&cl->idle, c, idle_entry);
	c->on_idle = 0;
}

enum connlimit_verdict
connlimit_admit(struct connlimit *cl, struct connlimit_conn *c, void *owner,
    const uint8_t addr[16], time_t now)
{
	struct connlimit_addr **pp, *a;

	memset(c, 0, sizeof(*c));
	if (cl->conns >= cl->conf.max_conns)
		return CONNLIMIT_TOTAL;
	pp = connlimit_find(cl, addr);
	if ((a = *pp) != NULL && a->conns >= connlimit_per_addr(cl))
		return CONNLIMIT_ADDR;
	if (a == NULL) {
		if ((a = calloc(1, sizeof(*a))) == NULL)
			return CONNLIMIT_TOTAL;
		memcpy(a->addr, addr, 16);
		*pp = a;
	}
	a->conns++;
	cl->conns++;
	c->owner = owner;
	memcpy(c->addr, addr, 16);
	c->a = a;
	c->admitted = 1;
	connlimit_idle_insert(cl, c, now);
	return CONNLIMIT_OK;
}

void
connlimit_release(struct connlimit *cl, struct connlimit_conn *c)
{
	struct connlimit_addr **pp;

	if (!c->admitted)
		return;
	connlimit_idle_remove(cl, c);
	cl->out_total -= c->out_bytes;
	c->out_bytes = 0;
	cl->conns--;
	if (--c->a->conns == 0) {
		pp = connlimit_find(cl, c->addr);
		*pp = c->a->next;
		free(c->a);
	}
	c->a = NULL;
	c->admitted = 0;
}

void
connlimit_progress(struct connlimit *cl, struct connlimit_conn *c,
    time_t now)
{
	if (!c->on_idle)
		return;		/* busy: not watched */
	connlimit_idle_remove(cl, c);
	connlimit_idle_insert(cl, c, now);
}

void
connlimit_inflight(struct connlimit *cl, struct connlimit_conn *c,
    int delta, time_t now)
{
	if (!c->admitted)
		return;
	if (delta > 0) {
		c->inflight += (unsigned int)delta;
		connlimit_idle_remove(cl, c);
	} else if (c->inflight >= (unsigned int)-delta) {
		c->inflight -= (unsigned int)-delta;
		if (c->inflight == 0 && !c->on_idle)
			connlimit_idle_insert(cl, c, now);
	}
}

void
connlimit_out_add(struct connlimit *cl, struct connlimit_conn *c, size_t n)
{
	if (!c->admitted)
		return;
	c->out_bytes += n;
	cl->out_total += n;
}

void
connlimit_out_done(struct connlimit *cl, struct connlimit_conn *c, size_t n)
{
	if (!c->admitted)
		return;
	if (n > c->out_bytes)
		n = c->out_bytes;
	c->out_bytes -= n;
	cl->out_total -= n;
}

int
connlimit_may_read(const struct connlimit *cl, const struct connlimit_conn *c)
{
	if (c->out_bytes >= cl->conf.out_per_conn)
		return 0;
	/* Over the total: only those with nothing queued go on. */
	if (c->out_bytes > 0 && cl->out_total >= cl->conf.out_total)
		return 0;
	return 1;
}

struct connlimit_conn *
connlimit_expired(struct connlimit *cl, time_t now)
{
	struct connlimit_conn *c = TAILQ_FIRST(&cl->idle);

	if (c == NULL || cl->conf.idle_seconds == 0 ||
	    now - c->last_progress < (time_t)cl->conf.idle_seconds)
		return NULL;
	return c;
}

time_t
connlimit_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return time(NULL);
	return ts.tv_sec;
}

unsigned int
connlimit_sweep_seconds(const struct connlimit *cl)
{
	unsigned int s = cl->conf.idle_seconds / 4;

	if (s < 1)
		s = 1;
	if (s > 30)
		s = 30;
	return s;
}

void
connlimit_refused(struct connlimit *cl)
{
	cl->refusals++;
}

size_t
connlimit_count(const struct connlimit *cl)
{
	return cl->conns;
}

size_t
connlimit_out_total(const struct connlimit *cl)
{
	return cl->out_total;
}

uint64_t
connlimit_refusals(const struct connlimit *cl)
{
	return cl->refusals;
}
