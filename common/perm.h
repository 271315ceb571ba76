/*
 * POSIX permission checks on mode bits: Linux generic_permission() with
 * root holding CAP_DAC_OVERRIDE.  blockd decides with it (store_ops.c);
 * a front end answers an access query from the attributes it holds with
 * the same rules, and blockd tells it when those attributes change
 * (DESIGN.md section 4).  Header-only: the store library links no
 * other part of common/.
 */
#ifndef DITTOFS_PERM_H
#define DITTOFS_PERM_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#define PERM_EXEC	1
#define PERM_WRITE	2
#define PERM_READ	4

/* The bits of an access query, as NFSv3 ACCESS3_* numbers them. */
#define PERM_ACCESS_READ	0x01
#define PERM_ACCESS_LOOKUP	0x02
#define PERM_ACCESS_MODIFY	0x04
#define PERM_ACCESS_EXTEND	0x08
#define PERM_ACCESS_DELETE	0x10
#define PERM_ACCESS_EXECUTE	0x20

/* Who asks. */
struct perm_who {
	uint32_t	 uid;
	uint32_t	 gid;
	const uint32_t	*groups;
	size_t		 ngroups;
};

/* The object: its type (directory or not), mode and owners. */
struct perm_obj {
	int		 is_dir;
	uint32_t	 mode;
	uint32_t	 uid;
	uint32_t	 gid;
};

static inline int
perm_in_group(const struct perm_who *w, uint32_t gid)
{
	size_t i;

	if (w->gid == gid)
		return 1;
	for (i = 0; i < w->ngroups; i++)
		if (w->groups[i] == gid)
			return 1;
	return 0;
}

/* 0 if w may do want (PERM_* bits) to o, else -EACCES. */
static inline int
perm_check(const struct perm_who *w, const struct perm_obj *o, int want)
{
	uint32_t bits;

	if (w->uid == 0) {
		/* Root may execute only what someone may execute. */
		if ((want & PERM_EXEC) && !o->is_dir && !(o->mode & 0111))
			return -EACCES;
		return 0;
	}
	if (w->uid == o->uid)
		bits = (o->mode >> 6) & 7;
	else if (perm_in_group(w, o->gid))
		bits = (o->mode >> 3) & 7;
	else
		bits = o->mode & 7;
	if ((bits & (uint32_t)want) != (uint32_t)want)
		return -EACCES;
	return 0;
}

/* Every PERM_ACCESS_* bit w holds on o. */
static inline uint32_t
perm_access(const struct perm_who *w, const struct perm_obj *o)
{
	uint32_t g = 0;

	if (perm_check(w, o, PERM_READ) == 0)
		g |= PERM_ACCESS_READ;
	if (o->is_dir) {
		if (perm_check(w, o, PERM_EXEC) == 0)
			g |= PERM_ACCESS_LOOKUP;
		if (perm_check(w, o, PERM_WRITE | PERM_EXEC) == 0)
			g |= PERM_ACCESS_MODIFY | PERM_ACCESS_EXTEND |
			    PERM_ACCESS_DELETE;
	} else {
		if (perm_check(w, o, PERM_WRITE) == 0)
			g |= PERM_ACCESS_MODIFY | PERM_ACCESS_EXTEND;
		if (perm_check(w, o, PERM_EXEC) == 0)
			g |= PERM_ACCESS_EXECUTE;
	}
	return g;
}

#endif
