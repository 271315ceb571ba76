/*
 * POSIX permission checks on mode bits: Linux generic_permission() with
 * root holding CAP_DAC_OVERRIDE.  blockd decides with it (store_ops.c);
 * a front end answers an access query from the attributes it holds with
 * the same rules, and blockd tells it when those attributes change
 * (DESIGN.md section 4).
 *
 * One evaluator: the mode rules below are what common/acl.c decides on
 * the mode's minimal ACL (RFC 8881 6.4.1), for every mode, caller and
 * request (tests/unit/test_acl.c checks it), so an inode without an ACL
 * is decided here without building one.  An inode with an ACL is decided
 * by the *_acl functions, which call acl.c: only blockd does that (a
 * front end's fast path does not decide for such an inode, see
 * dittofs-blockd(8)).  Header-only; the *_acl functions need acl.c.
 */
#ifndef DITTOFS_PERM_H
#define DITTOFS_PERM_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "common/acl.h"

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

/*
 * Opening a regular file for I/O (store.h STORE_IO_* are these bits).
 * The rule blockd applies to BD_OPEN_IO and a front end to every READ
 * and WRITE it serves from an fd it holds: one rule, so that holding an
 * fd never changes an answer.
 */
#define PERM_IO_READ		0x01
#define PERM_IO_WRITE		0x02
/* The owner may read and write whatever the mode says (knfsd's
 * NFSD_MAY_OWNER_OVERRIDE: a client that created a file 0444 still
 * writes its data). */
#define PERM_IO_OWNER_OVERRIDE	0x04
/* A read is allowed with execute permission too, so that binaries run
 * (knfsd's NFSD_MAY_READ_IF_EXEC: the client checked EXECUTE). */
#define PERM_IO_READ_IF_EXEC	0x08
#define PERM_IO_ALL		0x0f

/* 0 if w may open o (a regular file) for the PERM_IO_* in flags. */
static inline int
perm_io(const struct perm_who *w, const struct perm_obj *o,
    unsigned int flags)
{
	int want = 0, rv;

	if ((flags & PERM_IO_OWNER_OVERRIDE) && w->uid == o->uid)
		return 0;
	if (flags & PERM_IO_READ)
		want |= PERM_READ;
	if (flags & PERM_IO_WRITE)
		want |= PERM_WRITE;
	rv = perm_check(w, o, want);
	if (rv != 0 && (flags & PERM_IO_READ_IF_EXEC) && want == PERM_READ &&
	    !o->is_dir)
		rv = perm_check(w, o, PERM_EXEC);
	return rv;
}

static inline void
perm_acl_cred(const struct perm_who *w, struct acl_cred *c)
{
	c->uid = w->uid;
	c->gid = w->gid;
	c->groups = w->groups;
	c->ngroups = w->ngroups;
}

/*
 * perm_access with an ACL (NULL: the mode's), in ACE terms: READ is
 * READ_DATA; on a directory LOOKUP is EXECUTE and, with EXECUTE,
 * MODIFY is ADD_FILE and DELETE_CHILD, EXTEND is ADD_FILE and DELETE is
 * DELETE_CHILD; on a file MODIFY is WRITE_DATA, EXTEND APPEND_DATA.
 */
static inline uint32_t
perm_access_acl(const struct perm_who *w, const struct perm_obj *o,
    const struct acl *acl)
{
	struct acl_cred c;
	uint32_t held, g = 0;

	if (acl == NULL)
		return perm_access(w, o);
	perm_acl_cred(w, &c);
	held = acl_access(acl, o->uid, o->gid, o->is_dir, &c,
	    ACL_MASK_ALL);
	if (held & ACL_READ_DATA)
		g |= PERM_ACCESS_READ;
	if (o->is_dir) {
		if (!(held & ACL_EXECUTE))
			return g;
		g |= PERM_ACCESS_LOOKUP;
		if ((held & (ACL_ADD_FILE | ACL_DELETE_CHILD)) ==
		    (ACL_ADD_FILE | ACL_DELETE_CHILD))
			g |= PERM_ACCESS_MODIFY;
		if (held & ACL_ADD_FILE)
			g |= PERM_ACCESS_EXTEND;
		if (held & ACL_DELETE_CHILD)
			g |= PERM_ACCESS_DELETE;
	} else {
		if (held & ACL_WRITE_DATA)
			g |= PERM_ACCESS_MODIFY;
		if (held & ACL_APPEND_DATA)
			g |= PERM_ACCESS_EXTEND;
		if (held & ACL_EXECUTE)
			g |= PERM_ACCESS_EXECUTE;
	}
	return g;
}

/*
 * Every ACE bit (common/acl.h) w holds on o, whose ACL is acl (as
 * Windows owners hold: acl_access_windows; NULL: none of its own, the
 * mode's minimal one decides as acl_access), DELETE aside (the
 * store decides it with the directory: ops_may_delete).  With no ACL of
 * its own, a writer also holds WRITE_ATTRIBUTES (POSIX lets it set the
 * times) and the owner WRITE_OWNER (chgrp), as the store's SETATTR
 * rules allow.  Root holds every bit, EXECUTE of a file no class may
 * execute too, as Samba answers root's maximal access (an SMB open for
 * EXECUTE reads the data; running it is the client's business).  What
 * an SMB CREATE's DesiredAccess is checked against (MS-FSA
 * 2.1.5.1.2.1), in blockd and in a front end's fast path.
 */
static inline uint32_t
perm_access_mask(const struct perm_who *w, const struct perm_obj *o,
    const struct acl *acl)
{
	struct acl_cred c;
	struct acl mode_acl;
	uint32_t held;

	if (w->uid == 0)
		return ACL_MASK_ALL & ~(uint32_t)ACL_DELETE;
	perm_acl_cred(w, &c);
	if (acl == NULL) {
		acl_from_mode(o->mode, o->is_dir, &mode_acl);
		held = acl_access(&mode_acl, o->uid, o->gid, o->is_dir, &c,
		    ACL_MASK_ALL);
		if (held & ACL_WRITE_DATA)
			held |= ACL_WRITE_ATTRIBUTES;
		if (w->uid == o->uid)
			held |= ACL_WRITE_OWNER;
	} else
		held = acl_access_windows(acl, o->uid, o->gid, o->is_dir, &c,
		    ACL_MASK_ALL);
	return held & ~(uint32_t)ACL_DELETE;
}

/* perm_io with an ACL (NULL: the mode's): READ_DATA and WRITE_DATA. */
static inline int
perm_io_acl(const struct perm_who *w, const struct perm_obj *o,
    const struct acl *acl, unsigned int flags)
{
	struct acl_cred c;
	uint32_t want = 0;
	int rv;

	if (acl == NULL)
		return perm_io(w, o, flags);
	if ((flags & PERM_IO_OWNER_OVERRIDE) && w->uid == o->uid)
		return 0;
	perm_acl_cred(w, &c);
	if (flags & PERM_IO_READ)
		want |= ACL_READ_DATA;
	if (flags & PERM_IO_WRITE)
		want |= ACL_WRITE_DATA;
	rv = acl_check(acl, o->uid, o->gid, o->is_dir, &c, want);
	if (rv != 0 && (flags & PERM_IO_READ_IF_EXEC) &&
	    want == ACL_READ_DATA && !o->is_dir)
		rv = acl_check(acl, o->uid, o->gid, o->is_dir, &c,
		    ACL_EXECUTE);
	return rv;
}

/*
 * Linux should_remove_suid(): a write or truncate by a caller without
 * CAP_FSETID (here: anyone but root) clears set-uid, and set-gid where
 * group execute is set (without it, set-gid means mandatory locking).
 * Returns the mode to store, or mode itself when nothing is to clear.
 */
static inline uint32_t
perm_write_kill_privs(uint32_t uid, uint32_t mode)
{
	if (uid == 0)
		return mode;
	mode &= ~(uint32_t)04000;
	if ((mode & 02010) == 02010)
		mode &= ~(uint32_t)02000;
	return mode;
}

#endif
