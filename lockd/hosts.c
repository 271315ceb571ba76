/*
 * The NLM hosts lockd knows (lockd.h, struct hosts): which it asked
 * statd to monitor (SM_MON), which hold nothing any more and linger
 * before lockd unmonitors them (SM_UNMON), and the cap on how many there
 * are.  A host is lockd's host key, "caller_name@address"; statd keys
 * its monitor list by the name and the address (priv), but SM_UNMON
 * names only mon_name (XNFS 11), so a name is unmonitored when the last
 * of its keys goes.  Pure bookkeeping, time passed in: nlm.c does the
 * calls and the timer, tests/unit/test_nlm_hosts.c drives this directly.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "lockd.h"

void
hosts_init(struct hosts *h, size_t max)
{
	memset(h, 0, sizeof(*h));
	h->max = max;
}

static void
hosts_entry_free(struct hosts_entry *e)
{
	free(e->key);
	free(e->name);
}

void
hosts_clear(struct hosts *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		hosts_entry_free(&h->v[i]);
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

struct hosts_entry *
hosts_find(const struct hosts *h, const char *key)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcmp(h->v[i].key, key) == 0)
			return &h->v[i];
	return NULL;
}

/* Is another monitored entry of e's name left? */
static int
hosts_name_monitored(const struct hosts *h, const struct hosts_entry *e)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (&h->v[i] != e && h->v[i].monitored &&
		    strcmp(h->v[i].name, e->name) == 0)
			return 1;
	return 0;
}

/*
 * Remove entry i; 1 and its name in *unmon (the caller's to free) if
 * that name must be unmonitored, else 0 with *unmon NULL.
 */
static int
hosts_remove(struct hosts *h, size_t i, char **unmon)
{
	struct hosts_entry *e = &h->v[i];

	*unmon = NULL;
	if (e->monitored && !hosts_name_monitored(h, e)) {
		*unmon = e->name;
		e->name = NULL;
	}
	hosts_entry_free(e);
	h->v[i] = h->v[--h->n];
	return *unmon != NULL;
}

/* The entry idle longest, or -1. */
static ssize_t
hosts_oldest_idle(const struct hosts *h)
{
	ssize_t best = -1;
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->v[i].idle_since != 0 && (best == -1 ||
		    h->v[i].idle_since < h->v[best].idle_since))
			best = (ssize_t)i;
	return best;
}

int
hosts_admit(struct hosts *h, const char *key, time_t now, char **unmon)
{
	struct hosts_entry *grown, *e;
	const char *at;
	ssize_t idle;

	*unmon = NULL;
	if (hosts_find(h, key) != NULL)
		return 0;
	if ((at = strrchr(key, '@')) == NULL)
		return -1;
	if (h->n >= h->max) {
		/* Full: one that holds nothing makes room, unmonitored now. */
		if ((idle = hosts_oldest_idle(h)) == -1)
			return -1;
		hosts_remove(h, (size_t)idle, unmon);
	}
	if (h->n == h->alloc) {
		size_t alloc = h->alloc ? h->alloc * 2 : 16;

		if ((grown = reallocarray(h->v, alloc, sizeof(*grown))) ==
		    NULL)
			return -1;
		h->v = grown;
		h->alloc = alloc;
	}
	e = &h->v[h->n];
	memset(e, 0, sizeof(*e));
	if ((e->key = strdup(key)) == NULL ||
	    (e->name = strndup(key, (size_t)(at - key))) == NULL) {
		hosts_entry_free(e);
		return -1;
	}
	/* Until stated says it holds something, it holds nothing. */
	e->idle_since = now;
	h->n++;
	return 1;
}

int
hosts_update(struct hosts *h, const char *key, uint64_t held, time_t now)
{
	struct hosts_entry *e = hosts_find(h, key);

	if (e == NULL)
		return 0;
	if (held == 0) {
		if (e->idle_since == 0)
			e->idle_since = now;
		return 0;
	}
	e->idle_since = 0;
	if (e->monitored)
		return 0;
	e->monitored = 1;
	return 1;
}

int
hosts_expire(struct hosts *h, time_t now, unsigned int linger, char **unmon)
{
	size_t i;

	*unmon = NULL;
	for (i = 0; i < h->n; i++)
		if (h->v[i].idle_since != 0 &&
		    now - h->v[i].idle_since >= (time_t)linger) {
			hosts_remove(h, i, unmon);
			return 1;
		}
	return 0;
}

long
hosts_next_expiry(const struct hosts *h, time_t now, unsigned int linger)
{
	ssize_t i = hosts_oldest_idle(h);
	time_t left;

	if (i == -1)
		return -1;
	left = h->v[i].idle_since + (time_t)linger - now;
	return left > 0 ? (long)left : 0;
}

size_t
hosts_monitored(const struct hosts *h)
{
	size_t i, n = 0;

	for (i = 0; i < h->n; i++)
		n += h->v[i].monitored != 0;
	return n;
}
