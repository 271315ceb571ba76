/*
 * stated's pushes waiting for their ACK (push.h says the rules).  One
 * list in id order: a front end has at most STATED_PUSH_MAX of them and
 * there are a handful of front ends, so a walk is cheap and keeps the
 * order of resends obvious.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "push.h"

struct push_queue {
	TAILQ_HEAD(, push_entry) entries;
	size_t			 max;
	size_t			 total;
	uint64_t		 next_id;
};

static int
push_entry_of(const struct push_entry *p, uint32_t role, const char *name)
{
	return p->role == role && strcmp(p->name, name) == 0;
}

struct push_queue *
push_queue_new(size_t max)
{
	struct push_queue *q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	TAILQ_INIT(&q->entries);
	q->max = max;
	return q;
}

static void
push_entry_free(struct push_queue *q, struct push_entry *p)
{
	TAILQ_REMOVE(&q->entries, p, entry);
	q->total--;
	free(p->body);
	free(p);
}

void
push_queue_free(struct push_queue *q)
{
	if (q == NULL)
		return;
	while (!TAILQ_EMPTY(&q->entries))
		push_entry_free(q, TAILQ_FIRST(&q->entries));
	free(q);
}

uint64_t
push_queue_add(struct push_queue *q, uint32_t role, const char *name,
    const void *body, size_t len)
{
	struct push_entry *p;

	if (strlen(name) > PUSH_NAME_MAX) {
		errno = EINVAL;
		return 0;
	}
	if (push_queue_count(q, role, name) >= q->max) {
		errno = ENOSPC;
		return 0;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (len > 0 && (p->body = malloc(len)) == NULL)) {
		free(p);
		errno = ENOMEM;
		return 0;
	}
	if (len > 0)
		memcpy(p->body, body, len);
	p->len = len;
	p->id = ++q->next_id;
	p->role = role;
	strcpy(p->name, name);
	TAILQ_INSERT_TAIL(&q->entries, p, entry);
	q->total++;
	return p->id;
}

struct push_entry *
push_queue_find(struct push_queue *q, uint64_t id)
{
	struct push_entry *p;

	TAILQ_FOREACH(p, &q->entries, entry)
		if (p->id == id)
			return p;
	return NULL;
}

int
push_queue_ack(struct push_queue *q, uint32_t role, const char *name,
    uint64_t id)
{
	struct push_entry *p;

	/* Another front end cannot retire what was pushed to this one. */
	if ((p = push_queue_find(q, id)) == NULL ||
	    !push_entry_of(p, role, name))
		return -1;
	push_entry_free(q, p);
	return 0;
}

size_t
push_queue_resend(struct push_queue *q, uint32_t role, const char *name,
    push_queue_cb cb, void *arg)
{
	struct push_entry *p;
	size_t n = 0;

	TAILQ_FOREACH(p, &q->entries, entry) {
		if (!push_entry_of(p, role, name))
			continue;
		p->attempt++;
		cb(arg, p);
		n++;
	}
	return n;
}

size_t
push_queue_count(const struct push_queue *q, uint32_t role, const char *name)
{
	const struct push_entry *p;
	size_t n = 0;

	TAILQ_FOREACH(p, &q->entries, entry)
		n += push_entry_of(p, role, name);
	return n;
}

size_t
push_queue_total(const struct push_queue *q)
{
	return q->total;
}

/* XDR of st_push: push_id (hyper), attempt (int), then the body. */
uint8_t *
push_message(const struct push_entry *p, size_t *len)
{
	uint8_t *m;
	int i;

	if ((m = malloc(12 + p->len)) == NULL)
		return NULL;
	for (i = 0; i < 8; i++)
		m[i] = (uint8_t)(p->id >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		m[8 + i] = (uint8_t)(p->attempt >> (24 - 8 * i));
	if (p->len > 0)
		memcpy(m + 12, p->body, p->len);
	*len = 12 + p->len;
	return m;
}
