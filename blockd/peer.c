/*
 * A set of inode numbers per front end: open addressing with linear
 * probing and backward-shift deletion (no tombstones).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blockd.h"

#define BLOCKD_HELD_MAX	(1u << 24)	/* a front end's fd cache is far less */

static size_t
blockd_held_slot(uint64_t ino, size_t cap)
{
	/* Fibonacci hashing spreads sequential inode numbers. */
	return (size_t)((ino * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
}

static int
blockd_held_grow(struct blockd_held *h)
{
	struct blockd_held bigger;
	size_t i;

	bigger.cap = h->cap ? h->cap * 2 : 64;
	if (bigger.cap > BLOCKD_HELD_MAX)
		return -ENOSPC;
	bigger.count = 0;
	if ((bigger.slots = calloc(bigger.cap, sizeof(uint64_t))) == NULL)
		return -ENOMEM;
	for (i = 0; i < h->cap; i++)
		if (h->slots[i] != 0)
			blockd_held_add(&bigger, h->slots[i]);
	free(h->slots);
	*h = bigger;
	return 0;
}

int
blockd_held_add(struct blockd_held *h, uint64_t ino)
{
	size_t i;
	int rc;

	if (ino == 0)
		return -EINVAL;
	if ((h->count + 1) * 4 > h->cap * 3 && (rc = blockd_held_grow(h)) < 0)
		return rc;
	for (i = blockd_held_slot(ino, h->cap); h->slots[i] != 0;
	    i = (i + 1) & (h->cap - 1))
		if (h->slots[i] == ino)
			return 0;
	h->slots[i] = ino;
	h->count++;
	return 0;
}

int
blockd_held_contains(const struct blockd_held *h, uint64_t ino)
{
	size_t i;

	if (h->cap == 0 || ino == 0)
		return 0;
	for (i = blockd_held_slot(ino, h->cap); h->slots[i] != 0;
	    i = (i + 1) & (h->cap - 1))
		if (h->slots[i] == ino)
			return 1;
	return 0;
}

void
blockd_held_remove(struct blockd_held *h, uint64_t ino)
{
	size_t i, j, home;

	if (h->cap == 0 || ino == 0)
		return;
	for (i = blockd_held_slot(ino, h->cap); h->slots[i] != ino;
	    i = (i + 1) & (h->cap - 1))
		if (h->slots[i] == 0)
			return;
	h->slots[i] = 0;
	h->count--;
	/* Shift later members of the run back over the hole. */
	for (j = (i + 1) & (h->cap - 1); h->slots[j] != 0;
	    j = (j + 1) & (h->cap - 1)) {
		home = blockd_held_slot(h->slots[j], h->cap);
		if (((j - home) & (h->cap - 1)) >= ((j - i) & (h->cap - 1))) {
			h->slots[i] = h->slots[j];
			h->slots[j] = 0;
			i = j;
		}
	}
}

void
blockd_held_clear(struct blockd_held *h)
{
	free(h->slots);
	memset(h, 0, sizeof(*h));
}
