/*
 * blockd/store_ops.c: the file system operations of the store (their
 * xattr and ACL ones: store_xattr_ops.c).
 *
 * Each operation that changes something runs in one transaction
 * (store_txn_begin/store_txn_end) and commits it without a log flush;
 * store_sync() makes it durable.  Permission checks follow Linux's
 * generic_permission(), may_create(), may_delete() and setattr rules,
 * in the same order, so that a client sees the errors a local program
 * would see.  An inode with an ACL of its own (STORE_INODE_ACL) is
 * decided by common/acl.c in the ACE terms of RFC 8881 6.2.1.3.2:
 * ADD_FILE / ADD_SUBDIRECTORY to create, DELETE_CHILD on the directory
 * or DELETE on the object to remove, WRITE_ACL to chmod or set the ACL,
 * WRITE_OWNER to chgrp, WRITE_ATTRIBUTES to set times.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockd/store_int.h"
#include "common/casefold.h"


/* common/perm.h's rules, on a credential and an inode of the store. */
static void
ops_perm_args(const struct store_cred *c, const struct store_inode *ip,
    struct perm_who *w, struct perm_obj *o)
{
	w->uid = c->uid;
	w->gid = c->gid;
	w->groups = c->groups;
	w->ngroups = c->ngroups < STORE_NGROUPS_MAX ? c->ngroups :
	    STORE_NGROUPS_MAX;
	if (ip != NULL) {
		o->is_dir = ip->type == STORE_TYPE_DIR;
		o->mode = ip->mode;
		o->uid = ip->uid;
		o->gid = ip->gid;
	}
}

static int
ops_in_group(const struct store_cred *c, uint32_t gid)
{
	struct perm_who w;

	ops_perm_args(c, NULL, &w, NULL);
	return perm_in_group(&w, gid);
}

static int
ops_permission(const struct store_cred *c, const struct store_inode *ip,
    int want)
{
	struct perm_who w;
	struct perm_obj o;

	ops_perm_args(c, ip, &w, &o);
	return perm_check(&w, &o, want);
}

int
ops_is_owner(const struct store_cred *c, const struct store_inode *ip)
{
	return c->uid == 0 || c->uid == ip->uid;
}

/* The ACL stored for ip (it has STORE_INODE_ACL), decoded. */
static int
ops_acl_load(struct store *s, const struct store_inode *ip, struct acl *acl)
{
	uint8_t buf[STORE_ACL_MAX];
	size_t len;
	int rv;

	rv = store_blob_get(s, ip->ino, STORE_XNAME_ACL,
	    sizeof(STORE_XNAME_ACL) - 1, buf, sizeof(buf), &len);
	if (rv == 0 && acl_decode(buf, len, acl) != 0)
		rv = -EINVAL;
	if (rv == -EIO)
		return rv;
	if (rv != 0) {
		store_log(s, "inode %llx: bad ACL record: %s",
		    (unsigned long long)ip->ino, strerror(-rv));
		return -EIO;
	}
	return 0;
}

/* ip's ACL: its own, or its mode's (RFC 8881 6.4.1). */
int
ops_acl(struct store *s, const struct store_inode *ip, struct acl *acl)
{
	if (!(ip->flags & STORE_INODE_ACL)) {
		acl_from_mode(ip->mode, ip->type == STORE_TYPE_DIR, acl);
		return 0;
	}
	return ops_acl_load(s, ip, acl);
}

/*
 * acl becomes ip's (the caller writes ip back): the mode's 0777 bits
 * say what the ACL says (RFC 8881 6.4.2), and an ACL that is the mode's
 * is not stored, so that the mode rules alone (and a front end's fast
 * path may decide).
 */
int
ops_acl_store(struct store *s, struct store_inode *ip, const struct acl *acl)
{
	uint8_t buf[STORE_ACL_MAX];
	int isdir = ip->type == STORE_TYPE_DIR, rv;
	size_t len;

	ip->mode = (ip->mode & 07000) | acl_to_mode(acl, isdir);
	if (acl_is_trivial(acl, isdir)) {
		ip->flags &= ~(uint32_t)STORE_INODE_ACL;
		rv = store_blob_del(s, ip->ino, STORE_XNAME_ACL,
		    sizeof(STORE_XNAME_ACL) - 1);
		return rv == -ENODATA ? 0 : rv;
	}
	if ((rv = acl_encode(acl, buf, sizeof(buf), &len)) != 0)
		return rv;
	ip->flags |= STORE_INODE_ACL;
	return store_blob_put(s, ip->ino, STORE_XNAME_ACL,
	    sizeof(STORE_XNAME_ACL) - 1, buf, len);
}

/*
 * May c do to ip what the mode bits may (MAY_*), or, when ip has an ACL
 * of its own, the ACE bits acl_want?  Without one the mode decides
 * (common/perm.h: the same answer as the mode's ACL would give).
 */
int
ops_allowed(struct store *s, const struct store_cred *c,
    const struct store_inode *ip, int may, uint32_t acl_want)
{
	struct perm_who w;
	struct acl_cred ac;
	struct acl acl;
	int rv;

	if (!(ip->flags & STORE_INODE_ACL))
		return ops_permission(c, ip, may);
	if ((rv = ops_acl_load(s, ip, &acl)) != 0)
		return rv;
	ops_perm_args(c, NULL, &w, NULL);
	perm_acl_cred(&w, &ac);
	return acl_check(&acl, ip->uid, ip->gid, ip->type == STORE_TYPE_DIR,
	    &ac, acl_want);
}

/* ip has an ACL of its own that grants c every bit of acl_want. */
int
ops_acl_grants(struct store *s, const struct store_cred *c,
    const struct store_inode *ip, uint32_t acl_want)
{
	return (ip->flags & STORE_INODE_ACL) &&
	    ops_allowed(s, c, ip, 0, acl_want) == 0;
}

/* A name that may be created or removed. */
int
ops_name_check(const char *name, size_t len)
{
	if (len == 0)
		return -EINVAL;
	if (len > STORE_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(name, '/', len) != NULL || memchr(name, '\0', len) != NULL)
		return -EINVAL;
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return -EINVAL;
	return 0;
}

/*
 * Search permission on a directory as c needs it, in mode bits and in
 * ACE bits: none when c bypasses traverse checking (store.h).
 */
int
ops_search_may(const struct store_cred *c)
{
	return (c->flags & STORE_CRED_BYPASS_TRAVERSE) ? 0 : MAY_EXEC;
}

uint32_t
ops_search_ace(const struct store_cred *c)
{
	return (c->flags & STORE_CRED_BYPASS_TRAVERSE) ? 0 : ACL_EXECUTE;
}

/* The directory a handle names, searchable by c. */
int
ops_dir(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, struct store_inode *dp)
{
	int rv;

	if ((rv = store_fh_resolve(s, fh, dp)) != 0)
		return rv;
	if (dp->type != STORE_TYPE_DIR)
		return -ENOTDIR;
	return ops_allowed(s, c, dp, ops_search_may(c), ops_search_ace(c));
}

void
ops_touch(struct store_inode *ip, const struct timespec *now)
{
	ip->ctime = *now;
	store_change_bump(ip, now);
}

/* ip's metadata changed now (ctime, change), written back. */
int
ops_touch_put(struct store *s, struct store_inode *ip)
{
	struct timespec now;

	store_now(&now);
	ops_touch(ip, &now);
	return store_inode_put(s, ip);
}

void
ops_dir_modified(struct store_inode *dp, const struct timespec *now)
{
	dp->mtime = *now;
	ops_touch(dp, now);
}

/* Linux may_delete() after the lookup: sticky directories. */
static int
ops_sticky(const struct store_cred *c, const struct store_inode *dp,
    const struct store_inode *ip)
{
	if (!(dp->mode & S_ISVTX) || c->uid == 0 || c->uid == dp->uid ||
	    c->uid == ip->uid)
		return 0;
	return -EPERM;
}

int
ops_reply(struct store *s, const struct store_inode *ip,
    struct store_fh *fh, struct store_attr *attr)
{
	int rv;

	if (fh != NULL && (rv = store_fh_encode(s, ip->share, ip->ino,
	    ip->generation, fh)) != 0)
		return rv;
	if (attr != NULL)
		return store_attr_fill(s, ip, attr);
	return 0;
}

int
store_lookup(struct store *s, const struct store_cred *c,
    const struct store_fh *dirfh, const char *name, size_t len,
    struct store_fh *fh, struct store_attr *attr)
{
	struct store_inode dp, ip;
	uint64_t ino;
	int rv;

	if ((rv = ops_dir(s, c, dirfh, &dp)) != 0)
		return rv;
	if (len == 0)
		return -ENOENT;
	if (len > STORE_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(name, '/', len) != NULL || memchr(name, '\0', len) != NULL)
		return -EINVAL;
	if (len == 1 && name[0] == '.')
		return ops_reply(s, &dp, fh, attr);
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		/* A share root is its own parent, as "/" is. */
		if ((rv = store_inode_get(s, dp.parent, &ip)) != 0)
			return rv == -ENOENT ? -EIO : rv;
		return ops_reply(s, &ip, fh, attr);
	}
	if ((rv = store_dirent_find(s, &dp, name, len, &ino, NULL, NULL,
	    NULL)) != 0)
		return rv;
	if ((rv = store_inode_get(s, ino, &ip)) != 0) {
		if (rv == -ENOENT) {
			store_log(s, "dirent to missing inode %llx",
			    (unsigned long long)ino);
			return -EIO;
		}
		return rv;
	}
	return ops_reply(s, &ip, fh, attr);
}

int
store_getattr(struct store *s, const struct store_fh *fh,
    struct store_attr *attr)
{
	struct store_inode ip;
	int rv;

	if ((rv = store_fh_resolve(s, fh, &ip)) != 0)
		return rv;
	return store_attr_fill(s, &ip, attr);
}

/* The permission part of setattr: Linux setattr_prepare() and friends. */
static int
ops_setattr_check(struct store *s, const struct store_cred *c,
    const struct store_inode *ip, const struct store_sattr *sa)
{
	int rv;

	if (sa->mask & STORE_SATTR_SIZE) {
		if (ip->type == STORE_TYPE_DIR)
			return -EISDIR;
		if (ip->type != STORE_TYPE_REG)
			return -EINVAL;
		if ((rv = ops_allowed(s, c, ip, MAY_WRITE,
		    ACL_WRITE_DATA)) != 0)
			return rv;
	}
	if ((sa->mask & STORE_SATTR_UID) && c->uid != 0 &&
	    !(c->uid == ip->uid && sa->uid == ip->uid))
		return -EPERM;
	/* WRITE_OWNER: chgrp to a group of one's own, as the owner may. */
	if ((sa->mask & STORE_SATTR_GID) && c->uid != 0 &&
	    !((c->uid == ip->uid || ops_acl_grants(s, c, ip,
	    ACL_WRITE_OWNER)) &&
	    (sa->gid == ip->gid || ops_in_group(c, sa->gid))))
		return -EPERM;
	if ((sa->mask & STORE_SATTR_MODE) && !ops_is_owner(c, ip) &&
	    !ops_acl_grants(s, c, ip, ACL_WRITE_ACL))
		return -EPERM;
	if ((sa->mask & (STORE_SATTR_ATIME | STORE_SATTR_MTIME |
	    STORE_SATTR_CTIME | STORE_SATTR_BTIME)) && !ops_is_owner(c, ip) &&
	    !ops_acl_grants(s, c, ip, ACL_WRITE_ATTRIBUTES))
		return -EPERM;
	if (sa->mask & STORE_SATTR_DOS) {
		if (sa->dos & ~(uint32_t)STORE_DOS_SETTABLE)
			return -EINVAL;
		if (!ops_is_owner(c, ip) &&
		    !ops_acl_grants(s, c, ip, ACL_WRITE_ATTRIBUTES))
			return -EPERM;
	}
	/* "Now" needs only write permission (utimes(2) with NULL). */
	if ((sa->mask & (STORE_SATTR_ATIME_NOW | STORE_SATTR_MTIME_NOW |
	    STORE_SATTR_ARCHIVE)) &&
	    !ops_is_owner(c, ip) &&
	    ops_allowed(s, c, ip, MAY_WRITE, ACL_WRITE_DATA) != 0 &&
	    !ops_acl_grants(s, c, ip, ACL_WRITE_ATTRIBUTES))
		return -EACCES;
	return 0;
}

/*
 * A ctime set on a backed file: the backing file's ctime, which no call
 * can set and the times just set moved, is its floor (store_inode.c).
 * After the data changes, like them: a failure here leaves only the
 * backing file's times moved.
 */
static int
ops_ctime_floor(struct store *s, struct store_inode *ip)
{
	struct stat st;
	int rv;

	if ((rv = store_backing_stat(s, ip->ino, &st)) != 0)
		return rv;
	ip->ctime_floor = store_ts_ns(&st.st_ctim);
	return store_inode_put(s, ip);
}

/* RFC 8881 6.4.1.1: a chmod of an inode with an ACL adjusts the ACL. */
static int
ops_chmod_acl(struct store *s, struct store_inode *ip, uint32_t mode)
{
	struct acl acl, out;
	uint32_t keep = ip->mode;
	int rv;

	if ((rv = ops_acl_load(s, ip, &acl)) != 0)
		return rv;
	if ((rv = acl_chmod(&acl, mode, ip->type == STORE_TYPE_DIR,
	    &out)) != 0)
		return rv;
	rv = ops_acl_store(s, ip, &out);
	ip->mode = keep;	/* the caller sets the mode it computed */
	return rv;
}

/*
 * A chown or chgrp, from any protocol, sets the numeric owner or group,
 * and the owner or group SID an SMB client set beside it (common/acl.h
 * ACL_SIDOWNER_*) goes: 1 if one went.
 */
static int
ops_chown_acl(struct store *s, struct store_inode *ip,
    const struct store_sattr *sa)
{
	struct acl acl;
	uint32_t keep = ip->mode, drop = 0;
	int rv;

	if (!(ip->flags & STORE_INODE_ACL))
		return 0;
	if ((rv = ops_acl_load(s, ip, &acl)) != 0)
		return rv;
	if (sa->mask & STORE_SATTR_UID)
		drop |= ACL_SIDOWNER_OWNER;
	if (sa->mask & STORE_SATTR_GID)
		drop |= ACL_SIDOWNER_GROUP;
	if ((acl.sidowner & drop) == 0)
		return 0;
	acl.sidowner &= ~drop;
	rv = ops_acl_store(s, ip, &acl);
	ip->mode = keep;	/* the caller sets the mode it computed */
	return rv == 0 ? 1 : rv;
}

/*
 * The body of setattr inside a transaction the caller holds: check sa
 * against ip, change ip (written back), then the backing file.  The data
 * changes come last, so nothing after them can fail the transaction;
 * *what gets the notification bits.  creating: ip was made by c in this
 * transaction, and a size is its open(O_CREAT|O_TRUNC): allowed whatever
 * the mode, as open(2) allows it to the creator.
 */
int
ops_setattr_apply(struct store *s, const struct store_cred *c,
    struct store_inode *ipp, const struct store_sattr *sa, int creating,
    unsigned int *what)
{
	struct store_inode ip = *ipp;
	struct store_sattr check = *sa;
	struct timespec now, ts[2];
	char path[64];
	uint32_t mode, gid;
	int fd, rv, backed, make = 0;

	if (creating)
		check.mask &= ~(unsigned int)STORE_SATTR_SIZE;
	if ((rv = ops_setattr_check(s, c, &ip, &check)) != 0)
		return rv;
	store_now(&now);
	mode = ip.mode;
	if (sa->mask & (STORE_SATTR_UID | STORE_SATTR_GID)) {
		/* Linux chown_common(): a chown kills setuid (and setgid). */
		if (ip.type != STORE_TYPE_DIR) {
			mode &= ~(uint32_t)S_ISUID;
			if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
				mode &= ~(uint32_t)S_ISGID;
		}
		if ((sa->mask & STORE_SATTR_UID) && sa->uid != ip.uid) {
			ip.uid = sa->uid;
			*what |= STORE_NOTIFY_OWNER;
		}
		if ((sa->mask & STORE_SATTR_GID) && sa->gid != ip.gid) {
			ip.gid = sa->gid;
			*what |= STORE_NOTIFY_OWNER;
		}
		if ((rv = ops_chown_acl(s, &ip, sa)) < 0)
			return rv;
		if (rv > 0)
			*what |= STORE_NOTIFY_OWNER | STORE_NOTIFY_ACL;
	}
	if (sa->mask & STORE_SATTR_MODE) {
		mode = sa->mode & 07777;
		gid = ip.gid;
		if (c->uid != 0 && !ops_in_group(c, gid))
			mode &= ~(uint32_t)S_ISGID;
	}
	/* A truncate kills privileges like a write does (common/perm.h). */
	if ((sa->mask & STORE_SATTR_SIZE) && ip.type == STORE_TYPE_REG)
		mode = perm_write_kill_privs(c->uid, mode);
	/* A file made with its DOS word has ARCHIVE too (MS-FSCC 2.6). */
	if (sa->mask & STORE_SATTR_DOS)
		ip.dos = sa->dos | (creating && ip.type == STORE_TYPE_REG ?
		    STORE_DOS_ARCHIVE : 0);
	/* A data change: after the word set, as a write after it would. */
	if (((sa->mask & STORE_SATTR_SIZE) && !creating) ||
	    (sa->mask & STORE_SATTR_ARCHIVE))
		ip.dos |= STORE_DOS_ARCHIVE;
	if ((sa->mask & STORE_SATTR_MODE) && (ip.flags & STORE_INODE_ACL)) {
		if ((rv = ops_chmod_acl(s, &ip, mode)) != 0)
			return rv;
		*what |= STORE_NOTIFY_ACL;
	}
	if (mode != ip.mode) {
		ip.mode = mode;
		*what |= STORE_NOTIFY_MODE;
	}
	ts[0].tv_sec = ts[1].tv_sec = 0;
	ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
	if (sa->mask & STORE_SATTR_ATIME_NOW)
		ts[0] = now;
	else if (sa->mask & STORE_SATTR_ATIME)
		ts[0] = sa->atime;
	if (sa->mask & STORE_SATTR_MTIME_NOW)
		ts[1] = now;
	else if (sa->mask & STORE_SATTR_MTIME)
		ts[1] = sa->mtime;
	backed = ip.type == STORE_TYPE_REG && (ip.flags & STORE_INODE_BACKED);
	if (!backed) {
		/* Times live in the record, as for any non-regular inode. */
		if (ts[0].tv_nsec != UTIME_OMIT)
			ip.atime = ts[0];
		if (ts[1].tv_nsec != UTIME_OMIT)
			ip.mtime = ts[1];
		else if (sa->mask & STORE_SATTR_SIZE)
			ip.mtime = now;	/* as ftruncate(2) does */
		if ((sa->mask & STORE_SATTR_SIZE) && sa->size > 0) {
			/* Data now: the file gets its backing file (rule 0). */
			ip.flags |= STORE_INODE_BACKED;
			make = 1;
			ts[0] = ip.atime;
			ts[1] = ip.mtime;
		}
	}
	ops_touch(&ip, &now);
	if (sa->mask & STORE_SATTR_CTIME)
		ip.ctime = sa->ctime;
	if (sa->mask & STORE_SATTR_BTIME)
		ip.btime = sa->btime;
	if ((rv = store_inode_put(s, &ip)) != 0)
		return rv;
	*ipp = ip;
	/* The data changes come last: nothing after them can fail the txn. */
	fd = -1;
	if (make) {
		if ((fd = store_backing_make(s, ip.ino, O_WRONLY)) < 0)
			return fd;
	} else if (backed && (sa->mask & STORE_SATTR_SIZE)) {
		if ((fd = store_backing_open(s, ip.ino, O_WRONLY)) < 0)
			return fd;
	}
	if (fd >= 0) {
		if (ftruncate(fd, (off_t)sa->size) == -1 ||
		    ((make || ts[0].tv_nsec != UTIME_OMIT ||
		    ts[1].tv_nsec != UTIME_OMIT) && futimens(fd, ts) == -1)) {
			rv = -errno;
			(void)close(fd);
			return rv;
		}
		if (close(fd) == -1)
			return -errno;
		store_datasync_add(s, ip.ino);
	} else if (backed && (ts[0].tv_nsec != UTIME_OMIT ||
	    ts[1].tv_nsec != UTIME_OMIT)) {
		store_backing_path(ip.ino, path, sizeof(path));
		if (utimensat(s->datafd, path, ts, AT_SYMLINK_NOFOLLOW) == -1)
			return -errno;
	}
	if ((sa->mask & STORE_SATTR_CTIME) && (backed || make))
		return ops_ctime_floor(s, ipp);
	return 0;
}

int
store_setattr(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, const struct store_sattr *sa,
    struct store_attr *attr)
{
	struct store_inode ip;
	unsigned int what = 0;
	int rv;

	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if ((rv = store_fh_resolve(s, fh, &ip)) != 0 ||
	    (rv = ops_setattr_apply(s, c, &ip, sa, 0, &what)) != 0)
		goto out;
	if (what)
		store_note(s, &ip, what);
out:
	if ((rv = store_txn_end(s, rv)) != 0)
		return rv;
	if (attr != NULL)
		return store_attr_fill(s, &ip, attr);
	return 0;
}

/*
 * fh resolved into ip, and ip's own ACL into acl with *own pointing at
 * it (NULL: it has none, its mode rules): the start of an access check.
 */
static int
ops_access_load(struct store *s, const struct store_fh *fh,
    struct store_inode *ip, struct acl *acl, const struct acl **own)
{
	int rv;

	*own = NULL;
	if ((rv = store_fh_resolve(s, fh, ip)) != 0)
		return rv;
	if (!(ip->flags & STORE_INODE_ACL))
		return 0;
	*own = acl;
	return ops_acl_load(s, ip, acl);
}

/* knfsd's nfs3_regaccess and nfs3_diraccess maps. */
int
store_access(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, uint32_t want, uint32_t *granted,
    struct store_attr *attr)
{
	struct store_inode ip;
	struct perm_who w;
	struct perm_obj o;
	struct acl acl;
	const struct acl *own;
	int rv;

	if ((rv = ops_access_load(s, fh, &ip, &acl, &own)) != 0)
		return rv;
	ops_perm_args(c, &ip, &w, &o);
	*granted = (own != NULL ? perm_access_acl(&w, &o, own) :
	    perm_access(&w, &o)) & want;
	if (attr != NULL)
		return store_attr_fill(s, &ip, attr);
	return 0;
}

/* The ACE bits c holds on ip (perm_access_mask), by its ACL or mode. */
static int
ops_access_bits(struct store *s, const struct store_cred *c,
    const struct store_inode *ip, uint32_t *held)
{
	struct perm_who w;
	struct perm_obj o;
	struct acl acl;
	int rv;

	if ((ip->flags & STORE_INODE_ACL) &&
	    (rv = ops_acl_load(s, ip, &acl)) != 0)
		return rv;
	ops_perm_args(c, ip, &w, &o);
	*held = perm_access_mask(&w, &o, (ip->flags & STORE_INODE_ACL) ?
	    &acl : NULL);
	return 0;
}

/*
 * MS-FSA 2.1.5.1.2.1: the ACE bits c holds on fh (perm_access_mask),
 * DELETE when ops_may_delete would let c remove it from dirfh (NULL:
 * none), so that an SMB open is granted what the store will do, and
 * READ_ATTRIBUTES when dirfh grants LIST_DIRECTORY.
 */
int
store_access_mask(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, const struct store_fh *dirfh,
    uint32_t *granted, struct store_attr *attr)
{
	struct store_inode ip, dp;
	uint32_t dirheld;
	int rv;

	if ((rv = store_fh_resolve(s, fh, &ip)) != 0 ||
	    (rv = ops_access_bits(s, c, &ip, granted)) != 0)
		return rv;
	if (dirfh == NULL || store_fh_resolve(s, dirfh, &dp) != 0 ||
	    dp.type != STORE_TYPE_DIR || dp.share != ip.share)
		goto out;
	if (ops_may_delete(s, c, &dp, &ip, ip.type == STORE_TYPE_DIR) == 0)
		*granted |= ACL_DELETE;
	/* MS-FSA 2.1.5.1.2.1: FILE_LIST_DIRECTORY there reads attributes. */
	if (!(*granted & ACL_READ_ATTRIBUTES)) {
		if ((rv = ops_access_bits(s, c, &dp, &dirheld)) != 0)
			return rv;
		if (dirheld & ACL_LIST_DIRECTORY)
			*granted |= ACL_READ_ATTRIBUTES;
	}
out:
	if (attr != NULL)
		return store_attr_fill(s, &ip, attr);
	return 0;
}

/*
 * RFC 8881 6.4.3: a new inode inherits its directory's inheritable ACEs
 * (acl_inherit: CREATOR OWNER and CREATOR GROUP become its owner and
 * group), with its create mode applied as a chmod would (6.4.1.1) when
 * the client gave one; when it gave none (mode_default) the inherited
 * ACEs stand as they are (Windows' inheritance, MS-DTYP 2.5.3.4), or,
 * when the directory passes on nothing, the new inode gets Windows'
 * default DACL (its owner and LOCAL SYSTEM full control), and the mode
 * follows from the ACL (6.4.2).  With a mode and no ACE that applies to
 * the new inode itself the mode decides.
 */
static int
ops_inherit(struct store *s, const struct store_inode *dp,
    struct store_inode *ip, int mode_default)
{
	struct acl parent, inherited, acl;
	int isdir = ip->type == STORE_TYPE_DIR, rv, effective;
	uint32_t mode = ip->mode;

	if ((rv = ops_acl_load(s, dp, &parent)) != 0)
		return rv;
	if ((effective = acl_inherit(&parent, isdir, ip->uid, ip->gid,
	    &inherited)) < 0)
		return effective;
	if (mode_default) {
		if (inherited.count == 0)
			acl_windows_default(ip->uid, &inherited);
		return ops_acl_store(s, ip, &inherited);
	}
	if (effective == 0 && inherited.count == 0)
		return 0;
	if ((rv = acl_chmod(&inherited, mode, isdir, &acl)) != 0)
		return rv;
	rv = ops_acl_store(s, ip, &acl);
	ip->mode = mode;	/* what acl_to_mode says, setuid bits kept */
	return rv;
}

/*
 * A new inode of nw's type (mode, rdev, target; a regular file's
 * exclusive verifier) named name in dp, inside the caller's transaction:
 * Linux's may_create() (write and search on the directory; ADD_FILE or
 * ADD_SUBDIRECTORY with an ACL), inode_init_owner() (setgid
 * directories), RFC 8881 6.4.3 inheritance; the entry, the inode and dp
 * are written.  The caller has checked that name is free.
 */
int
ops_new_inode(struct store *s, const struct store_cred *c,
    struct store_inode *dp, const char *name, size_t len,
    const struct store_new *nw, struct store_inode *ip)
{
	static const uint8_t zero[STORE_VERF_SIZE];
	const uint8_t *verf = nw->verf != NULL ? nw->verf : zero;
	struct timespec now;
	uint64_t ino;
	int rv;

	if ((rv = ops_allowed(s, c, dp, MAY_WRITE | ops_search_may(c),
	    ops_search_ace(c) | (nw->type == STORE_TYPE_DIR ?
	    ACL_ADD_SUBDIRECTORY : ACL_ADD_FILE))) != 0)
		return rv;
	if (nw->type == STORE_TYPE_DIR && dp->nlink >= STORE_LINK_MAX)
		return -EMLINK;
	if ((rv = store_inode_alloc(s, &ino)) != 0)
		return rv;
	store_now(&now);
	memset(ip, 0, sizeof(*ip));
	ip->ino = ino;
	ip->type = nw->type;
	/* Linux vfs_mkdir(): setuid and setgid come only by inheritance. */
	ip->mode = nw->mode & (nw->type == STORE_TYPE_DIR ? 01777 : 07777);
	ip->uid = c->uid;
	ip->gid = c->gid;
	if (dp->mode & S_ISGID) {
		ip->gid = dp->gid;
		if (nw->type == STORE_TYPE_DIR)
			ip->mode |= S_ISGID;
		else if ((ip->mode & (S_ISGID | S_IXGRP)) ==
		    (S_ISGID | S_IXGRP) && c->uid != 0 &&
		    !ops_in_group(c, dp->gid))
			ip->mode &= ~(uint32_t)S_ISGID;
	}
	ip->nlink = 1;
	ip->share = dp->share;
	ip->generation = s->epoch;
	ip->rdev = nw->rdev;
	ip->atime = ip->mtime = ip->ctime = ip->btime = now;
	ip->change = store_ts_ns(&now);
	/* A new file is data no backup has seen (MS-FSCC 2.6). */
	if (nw->type == STORE_TYPE_REG)
		ip->dos = STORE_DOS_ARCHIVE;
	/* A file's: where its first name is (store_file_parent). */
	ip->parent = dp->ino;
	switch (nw->type) {
	case STORE_TYPE_DIR:
		ip->nlink = 2;
		ip->next_cookie = STORE_COOKIE_FIRST;
		/* A share's case rule holds in every directory of it. */
		ip->flags |= dp->flags & STORE_INODE_CASELESS;
		dp->nlink++;
		store_note(s, dp, STORE_NOTIFY_NLINK);
		break;
	case STORE_TYPE_LNK:
		ip->mode = 0777;
		ip->size = nw->targetlen;
		if ((rv = store_blob_put(s, ino, STORE_XNAME_SYMLINK,
		    sizeof(STORE_XNAME_SYMLINK) - 1, nw->target,
		    nw->targetlen)) != 0)
			return rv;
		break;
	case STORE_TYPE_REG:
		if (nw->how == STORE_CREATE_EXCLUSIVE) {
			ip->flags |= STORE_INODE_EXCL;
			memcpy(ip->verf, verf, STORE_VERF_SIZE);
		}
		break;
	default:
		break;
	}
	if (nw->type != STORE_TYPE_LNK && (dp->flags & STORE_INODE_ACL) &&
	    (rv = ops_inherit(s, dp, ip, nw->mode_default)) != 0)
		return rv;
	if ((rv = store_dirent_add(s, dp, name, len, ino, nw->type)) != 0 ||
	    (rv = store_inode_put(s, ip)) != 0)
		return rv;
	ops_dir_modified(dp, &now);
	/* A regular file gets its backing file at its first open_io. */
	return store_inode_put(s, dp);
}

/*
 * Common body of mkdir, symlink and mknod (regular files: store_open.c):
 * Linux's filename_create() (EEXIST), then ops_new_inode, then what the
 * creator asked beyond the mode, in the same transaction.
 */
static int
ops_make(struct store *s, const struct store_cred *c,
    const struct store_fh *dirfh, const char *name, size_t len,
    const struct store_new *nw, struct store_fh *fh, struct store_attr *attr)
{
	struct store_inode dp, ip;
	struct store_sattr rest;
	unsigned int what = 0;
	int rv;

	memset(&rest, 0, sizeof(rest));
	if (nw->sattr != NULL) {
		rest = *nw->sattr;
		rest.mask &= ~(unsigned int)STORE_SATTR_MODE;
	}
	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if ((rv = ops_dir(s, c, dirfh, &dp)) != 0 ||
	    (rv = ops_name_check(name, len)) != 0)
		goto out;
	rv = store_dirent_find(s, &dp, name, len, NULL, NULL, NULL, NULL);
	if (rv == 0)
		rv = -EEXIST;
	if (rv != -ENOENT ||
	    (rv = ops_new_inode(s, c, &dp, name, len, nw, &ip)) != 0)
		goto out;
	/* Last: its data changes (a size) cannot be undone. */
	if (rest.mask != 0)
		rv = ops_setattr_apply(s, c, &ip, &rest, 1, &what);
out:
	if ((rv = store_txn_end(s, rv)) != 0)
		return rv;
	return ops_reply(s, &ip, fh, attr);
}

/* What each kind of node needs, checked before any transaction. */
static int
ops_new_check(const struct store_cred *c, const struct store_new *nw)
{
	switch (nw->type) {
	case STORE_TYPE_REG:
		if (nw->how != STORE_CREATE_UNCHECKED &&
		    nw->how != STORE_CREATE_GUARDED &&
		    nw->how != STORE_CREATE_EXCLUSIVE)
			return -EINVAL;
		return 0;
	case STORE_TYPE_DIR:
		return 0;
	case STORE_TYPE_LNK:
		if (nw->targetlen == 0)
			return -ENOENT;		/* symlink(2) with "" */
		if (nw->targetlen > STORE_SYMLINK_MAX)
			return -ENAMETOOLONG;
		if (memchr(nw->target, '\0', nw->targetlen) != NULL)
			return -EINVAL;
		return 0;
	case STORE_TYPE_CHR:
	case STORE_TYPE_BLK:
		/* Linux: CAP_MKNOD. */
		if (c->uid != 0)
			return -EPERM;
		return 0;
	case STORE_TYPE_FIFO:
	case STORE_TYPE_SOCK:
		return 0;
	default:
		return -EINVAL;
	}
}

int
store_make(struct store *s, const struct store_cred *c,
    const struct store_fh *dirfh, const char *name, size_t len,
    const struct store_new *in, struct store_fh *fh, struct store_attr *attr)
{
	struct store_new nw = *in;
	int rv;

	if ((rv = ops_new_check(c, &nw)) != 0)
		return rv;
	switch (nw.type) {
	case STORE_TYPE_REG:
		/* NFSv3 CREATE: an open by name that makes (store_open.c). */
		return store_create_sattr(s, c, dirfh, name, len, nw.mode,
		    nw.how, nw.verf, nw.sattr, nw.mode_default, fh, attr);
	case STORE_TYPE_LNK:
		nw.mode = 0777;
		/* FALLTHROUGH */
	default:
		nw.how = STORE_CREATE_GUARDED;
		break;
	}
	if (nw.type == STORE_TYPE_FIFO || nw.type == STORE_TYPE_SOCK)
		nw.rdev = 0;
	if (nw.type != STORE_TYPE_LNK) {
		nw.target = NULL;
		nw.targetlen = 0;
	}
	return ops_make(s, c, dirfh, name, len, &nw, fh, attr);
}

int
store_create(struct store *s, const struct store_cred *c,
    const struct store_fh *dirfh, const char *name, size_t len,
    uint32_t mode, enum store_createhow how,
    const uint8_t verf[STORE_VERF_SIZE], struct store_fh *fh,
    struct store_attr *attr)
{
	if (how != STORE_CREATE_UNCHECKED && how != STORE_CREATE_GUARDED &&
	    how != STORE_CREATE_EXCLUSIVE)
		return -EINVAL;
	return store_create_sattr(s, c, dirfh, name, len, mode, how, verf,
	    NULL, 0, fh, attr);
}

int
store_mkdir(struct store *s, const struct store_cred *c,
    const struct store_fh *dirfh, const char *name, size_t len,
    uint32_t mode, struct store_fh *fh, struct store_attr *attr)
{
	struct store_new nw;

	memset(&nw, 0, sizeof(nw));
	nw.type = STORE_TYPE_DIR;
	nw.mode = mode;
	return store_make(s, c, dirfh, name, len, &nw, fh, attr);
}

int
store_symlink(struct store *s, const struct store_cred *c,
    const struct store_fh *dirfh, const char *name, size_t len,
    const char *target, size_t targetlen, struct store_fh *fh,
    struct store_attr *attr)
{
	struct store_new nw;

	memset(&nw, 0, sizeof(nw));
	nw.type = STORE_TYPE_LNK;
	nw.target = target;
	nw.targetlen = targetlen;
	return store_make(s, c, dirfh, name, len, &nw, fh, attr);
}

int
store_mknod(struct store *s, const struct store_cred *c,
    const struct store_fh *dirfh, const char *name, size_t len,
    enum store_type type, uint32_t mode, uint64_t rdev,
    struct store_fh *fh, struct store_attr *attr)
{
	struct store_new nw;

	/* Regular files and directories have calls of their own. */
	if (type == STORE_TYPE_REG || type == STORE_TYPE_DIR ||
	    type == STORE_TYPE_LNK)
		return -EINVAL;
	memset(&nw, 0, sizeof(nw));
	nw.type = type;
	nw.mode = mode;
	nw.rdev = rdev;
	return store_make(s, c, dirfh, name, len, &nw, fh, attr);
}

int
store_link(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, const struct store_fh *dirfh,
    const char *name, size_t len, struct store_attr *attr)
{
	struct store_inode ip, dp;
	struct timespec now;
	int rv;

	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if ((rv = store_fh_resolve(s, fh, &ip)) != 0 ||
	    (rv = ops_dir(s, c, dirfh, &dp)) != 0)
		goto out;
	if (ip.share != dp.share) {
		rv = -EXDEV;
		goto out;
	}
	if ((rv = ops_name_check(name, len)) != 0)
		goto out;
	rv = store_dirent_find(s, &dp, name, len, NULL, NULL, NULL, NULL);
	if (rv == 0) {
		rv = -EEXIST;
		goto out;
	}
	if (rv != -ENOENT || (rv = ops_allowed(s, c, &dp, MAY_WRITE |
	    ops_search_may(c), ops_search_ace(c) | ACL_ADD_FILE)) != 0)
		goto out;
	if (ip.type == STORE_TYPE_DIR) {
		rv = -EPERM;
		goto out;
	}
	if (ip.nlink >= STORE_LINK_MAX) {
		rv = -EMLINK;
		goto out;
	}
	store_now(&now);
	if ((rv = store_dirent_add(s, &dp, name, len, ip.ino, ip.type)) != 0)
		goto out;
	ip.nlink++;
	ip.parent = dp.ino;	/* its newest name's (store_file_parent) */
	ops_touch(&ip, &now);
	ops_dir_modified(&dp, &now);
	if ((rv = store_inode_put(s, &ip)) != 0 ||
	    (rv = store_inode_put(s, &dp)) != 0)
		goto out;
	store_note(s, &ip, STORE_NOTIFY_NLINK);
out:
	if ((rv = store_txn_end(s, rv)) != 0)
		return rv;
	if (attr != NULL)
		return store_attr_fill(s, &ip, attr);
	return 0;
}

/* Drop one link of ip (a dirent already gone); delete it at zero. */
int
ops_unlinked(struct store *s, struct store_inode *ip,
    const struct timespec *now)
{
	if (ip->type == STORE_TYPE_DIR)
		ip->nlink = 0;
	else if (ip->nlink > 0)
		ip->nlink--;
	if (ip->nlink == 0) {
		store_note(s, ip, STORE_NOTIFY_REMOVED);
		return store_inode_del(s, ip);
	}
	ops_touch(ip, now);
	store_note(s, ip, STORE_NOTIFY_NLINK);
	return store_inode_put(s, ip);
}

/*
 * Linux may_delete(): write and search, sticky, then the type.  With an
 * ACL on the directory or the object (RFC 8881 6.2.1.3.2): EXECUTE on
 * the directory, and DELETE_CHILD on it or DELETE on the object.
 */
int
ops_may_delete(struct store *s, const struct store_cred *c,
    const struct store_inode *dp, const struct store_inode *ip, int isdir)
{
	int rv;

	if (!((dp->flags | ip->flags) & STORE_INODE_ACL))
		rv = ops_permission(c, dp, MAY_WRITE | ops_search_may(c));
	else if ((rv = ops_allowed(s, c, dp, ops_search_may(c),
	    ops_search_ace(c))) == 0 &&
	    (rv = ops_allowed(s, c, dp, MAY_WRITE | ops_search_may(c),
	    ACL_DELETE_CHILD)) != 0 && ops_acl_grants(s, c, ip, ACL_DELETE))
		rv = 0;
	if (rv != 0 || (rv = ops_sticky(c, dp, ip)) != 0)
		return rv;
	if (isdir && ip->type != STORE_TYPE_DIR)
		return -ENOTDIR;
	if (!isdir && ip->type == STORE_TYPE_DIR)
		return -EISDIR;
	return 0;
}

static int
ops_remove(struct store *s, const struct store_cred *c,
    const struct store_fh *dirfh, const char *name, size_t len, int isdir)
{
	struct store_inode dp, ip;
	struct timespec now;
	uint64_t ino;
	int rv;

	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if ((rv = ops_dir(s, c, dirfh, &dp)) != 0 ||
	    (rv = ops_name_check(name, len)) != 0 ||
	    (rv = store_dirent_find(s, &dp, name, len, &ino, NULL, NULL,
	    NULL)) != 0)
		goto out;
	if ((rv = store_inode_get(s, ino, &ip)) != 0) {
		if (rv == -ENOENT)
			rv = -EIO;
		goto out;
	}
	if ((rv = ops_may_delete(s, c, &dp, &ip, isdir)) != 0)
		goto out;
	if (isdir && ip.size != 0) {
		rv = -ENOTEMPTY;
		goto out;
	}
	store_now(&now);
	if ((rv = store_dirent_del(s, &dp, name, len)) != 0 ||
	    (rv = ops_unlinked(s, &ip, &now)) != 0)
		goto out;
	if (isdir) {
		dp.nlink--;
		store_note(s, &dp, STORE_NOTIFY_NLINK);
	}
	ops_dir_modified(&dp, &now);
	rv = store_inode_put(s, &dp);
out:
	return store_txn_end(s, rv);
}

int
store_remove(struct store *s, const struct store_cred *c,
    const struct store_fh *dirfh, const char *name, size_t len)
{
	return ops_remove(s, c, dirfh, name, len, 0);
}

int
store_rmdir(struct store *s, const struct store_cred *c,
    const struct store_fh *dirfh, const char *name, size_t len)
{
	return ops_remove(s, c, dirfh, name, len, 1);
}

/* Is ancestor one of dir, dir's parent, ... up to the share root? */
static int
ops_is_ancestor(struct store *s, uint64_t ancestor,
    const struct store_inode *dir, int *yes)
{
	struct store_inode ip;
	uint64_t ino = dir->ino, parent = dir->parent;
	int rv, depth;

	*yes = 0;
	/* The depth bound only guards against a corrupt parent chain. */
	for (depth = 0; depth < 1000000; depth++) {
		if (ino == ancestor) {
			*yes = 1;
			return 0;
		}
		if (parent == ino)
			return 0;
		if ((rv = store_inode_get(s, parent, &ip)) != 0)
			return rv == -ENOENT ? -EIO : rv;
		ino = ip.ino;
		parent = ip.parent;
	}
	store_log(s, "directory %llx: parent loop",
	    (unsigned long long)dir->ino);
	return -EIO;
}

/*
 * Linux do_renameat2() and vfs_rename(), in their order: the lookups,
 * the lock_rename() trap (EINVAL, ENOTEMPTY), same inode (nothing to
 * do), may_delete() of the source, may_create() or may_delete() of the
 * target, write permission on a directory changing parent, then the
 * file system's ENOTEMPTY and EMLINK.  One transaction: all or nothing.
 */
int
store_rename(struct store *s, const struct store_cred *c,
    const struct store_fh *fdirfh, const char *from, size_t flen,
    const struct store_fh *tdirfh, const char *to, size_t tlen)
{
	struct store_inode fdir, tdir, src, dst, *fdp, *tdp;
	struct timespec now;
	char stored[STORE_NAME_MAX];
	size_t storedlen;
	uint64_t sino, dino;
	int rv, yes, have_dst, isdir, moved, recase;

	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	fdp = &fdir;
	tdp = &tdir;
	if ((rv = store_fh_resolve(s, fdirfh, fdp)) != 0 ||
	    (rv = store_fh_resolve(s, tdirfh, tdp)) != 0)
		goto out;
	if (fdp->type != STORE_TYPE_DIR || tdp->type != STORE_TYPE_DIR) {
		rv = -ENOTDIR;
		goto out;
	}
	if (fdp->ino == tdp->ino)
		tdp = fdp;		/* one inode, one copy to update */
	if (fdp->share != tdp->share) {
		rv = -EXDEV;
		goto out;
	}
	if ((rv = ops_allowed(s, c, fdp, ops_search_may(c),
	    ops_search_ace(c))) != 0 ||
	    (rv = ops_allowed(s, c, tdp, ops_search_may(c),
	    ops_search_ace(c))) != 0 ||
	    (rv = ops_name_check(from, flen)) != 0 ||
	    (rv = ops_name_check(to, tlen)) != 0)
		goto out;
	if ((rv = store_dirent_find(s, fdp, from, flen, &sino, NULL, stored,
	    &storedlen)) != 0)
		goto out;
	rv = store_dirent_find(s, tdp, to, tlen, &dino, NULL, NULL, NULL);
	if (rv != 0 && rv != -ENOENT)
		goto out;
	have_dst = rv == 0;
	if ((rv = store_inode_get(s, sino, &src)) != 0 ||
	    (have_dst && (rv = store_inode_get(s, dino, &dst)) != 0)) {
		if (rv == -ENOENT)
			rv = -EIO;
		goto out;
	}
	isdir = src.type == STORE_TYPE_DIR;
	moved = fdp != tdp;
	if (moved) {
		if ((rv = ops_is_ancestor(s, src.ino, tdp, &yes)) != 0)
			goto out;
		if (yes) {
			rv = -EINVAL;
			goto out;
		}
		if (have_dst) {
			if ((rv = ops_is_ancestor(s, dst.ino, fdp, &yes)) != 0)
				goto out;
			if (yes) {
				rv = -ENOTEMPTY;
				goto out;
			}
		}
	}
	/*
	 * A caseless directory's entry renamed to its own name in another
	 * case: the name changes (Windows renames so); else rename(2)'s
	 * same file, no change.
	 */
	recase = have_dst && fdp == tdp && (fdp->flags &
	    STORE_INODE_CASELESS) && casefold_eq(from, flen, to, tlen) &&
	    (storedlen != tlen || memcmp(stored, to, tlen) != 0);
	if (have_dst && dst.ino == src.ino && !recase) {
		rv = 0;			/* rename(2): same file, no change */
		goto out;
	}
	if (recase)
		have_dst = 0;
	if ((rv = ops_may_delete(s, c, fdp, &src, isdir)) != 0)
		goto out;
	if (have_dst)
		rv = ops_may_delete(s, c, tdp, &dst, isdir);
	else
		rv = ops_allowed(s, c, tdp, MAY_WRITE | ops_search_may(c),
		    ops_search_ace(c) | (isdir ? ACL_ADD_SUBDIRECTORY :
		    ACL_ADD_FILE));
	if (rv != 0)
		goto out;
	/* Its ".." changes: Linux wants write permission on it. */
	if (isdir && moved && (rv = ops_allowed(s, c, &src, MAY_WRITE,
	    ACL_ADD_FILE)) != 0)
		goto out;
	if (have_dst && isdir && dst.size != 0) {
		rv = -ENOTEMPTY;
		goto out;
	}
	if (isdir && moved && !have_dst && tdp->nlink >= STORE_LINK_MAX) {
		rv = -EMLINK;
		goto out;
	}

	store_now(&now);
	if (have_dst) {
		if ((rv = store_dirent_del(s, tdp, to, tlen)) != 0 ||
		    (rv = ops_unlinked(s, &dst, &now)) != 0)
			goto out;
		if (isdir)
			tdp->nlink--;
	}
	s->note_rename = STORE_NOTIFY_RENAME;
	if ((rv = store_dirent_del(s, fdp, from, flen)) == 0)
		rv = store_dirent_add(s, tdp, to, tlen, src.ino, src.type);
	s->note_rename = 0;
	if (rv != 0)
		goto out;
	if (isdir && moved) {
		fdp->nlink--;
		tdp->nlink++;
	}
	/* A directory's parent; a file's newest name's (store_file_parent). */
	src.parent = tdp->ino;
	if (isdir && (moved || have_dst)) {
		store_note(s, fdp, STORE_NOTIFY_NLINK);
		store_note(s, tdp, STORE_NOTIFY_NLINK);
	}
	ops_touch(&src, &now);
	ops_dir_modified(fdp, &now);
	if (moved)
		ops_dir_modified(tdp, &now);
	if ((rv = store_inode_put(s, &src)) != 0 ||
	    (rv = store_inode_put(s, fdp)) != 0 ||
	    (moved && (rv = store_inode_put(s, tdp)) != 0))
		goto out;
	/* Its record's note says a rename moved its ctime (store.h). */
	store_note(s, &src, STORE_NOTIFY_RENAME);
out:
	return store_txn_end(s, rv);
}

static void
ops_cookie_verf(const struct store_inode *dp, uint8_t verf[STORE_VERF_SIZE])
{
	/* Cookies never go stale, so the verifier never needs to change. */
	store_put64(verf, dp->ino ^ ((uint64_t)dp->generation << 40));
}

/* One more user xattr name (store_xattr_names). */
static int
ops_xattr_counted(void *arg, const uint8_t *name, size_t len)
{
	uint32_t *n = arg;

	(void)name;
	(void)len;
	(*n)++;
	return 0;
}

/*
 * SMB's access-based enumeration: 1 when c holds READ_DATA,
 * READ_ATTRIBUTES and READ_NAMED_ATTRS on ip as an SMB open is granted
 * them (perm_access_mask: the owner holds no READ_ATTRIBUTES beyond what
 * the ACL grants), 0 when not.
 */
static int
ops_readable(struct store *s, const struct store_cred *c,
    const struct store_inode *ip)
{
	const uint32_t want = ACL_READ_DATA | ACL_READ_ATTRIBUTES |
	    ACL_READ_NAMED_ATTRS;
	uint32_t held;
	int rv;

	if ((rv = ops_access_bits(s, c, ip, &held)) != 0)
		return rv;
	return (held & want) == want;
}

int
store_readdir(struct store *s, const struct store_cred *c,
    const struct store_fh *dirfh, uint64_t cookie,
    uint8_t verf[STORE_VERF_SIZE], struct store_dirent *ents,
    size_t maxents, int plus, size_t *nents, int *eof)
{
	struct store_inode dp, ip;
	struct store_dirent *e;
	const char *name;
	uint8_t k[16];
	DBT key, data;
	DBC *cur, *icur = NULL, *xcur = NULL;
	size_t n = 0, len;
	int ret, rv;

	*nents = 0;
	*eof = 0;
	if ((rv = store_fh_resolve(s, dirfh, &dp)) != 0)
		return rv;
	if (dp.type != STORE_TYPE_DIR)
		return -ENOTDIR;
	if ((rv = ops_allowed(s, c, &dp, MAY_READ, ACL_LIST_DIRECTORY)) != 0)
		return rv;
	if (verf != NULL)
		ops_cookie_verf(&dp, verf);
	/*
	 * The cookie records in order carry name, ino and type: one B-tree
	 * walk.  One cursor per database for the whole batch, not one per
	 * get.
	 */
	if ((ret = s->cookies->cursor(s->cookies, s->txn, &cur, 0)) != 0)
		return store_dberr(s, "cursor cookies", ret);
	if (plus && (ret = s->inodes->cursor(s->inodes, s->txn, &icur,
	    0)) != 0) {
		(void)cur->close(cur);
		return store_dberr(s, "cursor inodes", ret);
	}
	if ((plus & STORE_READDIR_XATTRS) && (ret = s->xattrs->cursor(
	    s->xattrs, s->txn, &xcur, 0)) != 0) {
		(void)icur->close(icur);
		(void)cur->close(cur);
		return store_dberr(s, "cursor xattrs", ret);
	}
	store_put64(k, dp.ino);
	store_put64(k + 8, cookie == UINT64_MAX ? cookie : cookie + 1);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = sizeof(k);
	key.ulen = sizeof(k);
	key.flags = DB_DBT_USERMEM;
	e = ents;
	for (ret = cur->get(cur, &key, &data, DB_SET_RANGE); ret == 0;
	    ret = cur->get(cur, &key, &data, DB_NEXT)) {
		if (key.size != 16 || store_get64(k) != dp.ino)
			break;
		if (n == maxents)
			goto done;	/* more to come: not eof */
		e = &ents[n];
		memset(e, 0, sizeof(*e));
		if ((rv = store_cookie_decode(data.data, data.size, &e->ino,
		    &e->type, &name, &len)) != 0)
			goto done;
		memcpy(e->name, name, len);
		e->name[len] = '\0';
		e->namelen = (uint16_t)len;
		e->cookie = store_get64(k + 8);
		if (plus) {
			if ((rv = store_inode_get_cur(s, icur, e->ino,
			    &ip)) != 0 ||
			    (rv = ops_reply(s, &ip, &e->fh, &e->attr)) != 0) {
				if (rv == -ENOENT)
					rv = -EIO;
				goto done;
			}
			if ((plus & STORE_READDIR_READABLE) &&
			    (rv = ops_readable(s, c, &ip)) != 1) {
				if (rv < 0)
					goto done;
				rv = 0;
				continue;	/* not listed */
			}
			rv = 0;
		}
		if (xcur != NULL && (rv = store_xattr_names(s, xcur, e->ino,
		    ops_xattr_counted, &e->xattrs)) != 0)
			goto done;
		n++;
	}
	if (ret != 0 && ret != DB_NOTFOUND)
		rv = store_dberr(s, "readdir", ret);
	else
		*eof = 1;
done:
	if (xcur != NULL && (ret = xcur->close(xcur)) != 0 && rv == 0)
		rv = store_dberr(s, "cursor close", ret);
	if (icur != NULL && (ret = icur->close(icur)) != 0 && rv == 0)
		rv = store_dberr(s, "cursor close", ret);
	if ((ret = cur->close(cur)) != 0 && rv == 0)
		rv = store_dberr(s, "cursor close", ret);
	*nents = n;
	return rv;
}

/* ino's name in directory dir: -ENOENT when dir does not list it. */
static int
ops_name_in(struct store *s, uint64_t dir, uint64_t ino, char *name,
    size_t *namelen)
{
	const char *n;
	enum store_type type;
	uint64_t child;
	uint8_t k[16];
	DBT key, data;
	DBC *cur;
	size_t len;
	int ret, rv;

	/* No index by inode: the directory's cookie records, in order. */
	if ((ret = s->cookies->cursor(s->cookies, s->txn, &cur, 0)) != 0)
		return store_dberr(s, "cursor cookies", ret);
	store_put64(k, dir);
	store_put64(k + 8, 0);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = k;
	key.size = sizeof(k);
	key.ulen = sizeof(k);
	key.flags = DB_DBT_USERMEM;
	rv = -ENOENT;
	for (ret = cur->get(cur, &key, &data, DB_SET_RANGE); ret == 0;
	    ret = cur->get(cur, &key, &data, DB_NEXT)) {
		if (key.size != 16 || store_get64(k) != dir)
			break;
		if (store_cookie_decode(data.data, data.size, &child, &type,
		    &n, &len) != 0 || child != ino)
			continue;
		memcpy(name, n, len);
		*namelen = len;
		rv = 0;
		break;
	}
	if (ret != 0 && ret != DB_NOTFOUND)
		rv = store_dberr(s, "cursor cookies", ret);
	if ((ret = cur->close(cur)) != 0 && rv == 0)
		rv = store_dberr(s, "cursor close", ret);
	return rv;
}

/*
 * ino's parent, its handle and ino's name in it (store_dir_parent and
 * store_file_parent say which for each kind of inode).
 */
static int
ops_parent(struct store *s, uint64_t ino, int dir, uint64_t *parent,
    struct store_fh *parentfh, char *name, size_t *namelen)
{
	struct store_inode ip, pp;
	int rv;

	if (namelen != NULL)
		*namelen = 0;
	if ((rv = store_inode_get(s, ino, &ip)) != 0)
		return rv;
	if (dir != (ip.type == STORE_TYPE_DIR))
		return dir ? -ENOTDIR : -EISDIR;
	/* A stream's parent is its file; 0: made before files kept one. */
	if (!dir && ((ip.flags & STORE_INODE_STREAM) || ip.parent == 0 ||
	    ip.nlink == 0))
		return -ENOENT;
	if ((rv = store_inode_get(s, ip.parent, &pp)) != 0)
		return dir && rv == -ENOENT ? -EIO : rv;
	if (pp.type != STORE_TYPE_DIR)
		return dir ? -EIO : -ENOENT;
	*parent = pp.ino;
	if (parentfh != NULL && (rv = store_fh_encode(s, pp.share, pp.ino,
	    pp.generation, parentfh)) != 0)
		return rv;
	if (name == NULL || pp.ino == ino)
		return 0;
	/* A file's name that gave it this parent may have gone since. */
	if ((rv = ops_name_in(s, pp.ino, ino, name, namelen)) == -ENOENT &&
	    dir) {
		store_log(s, "directory %llx: not listed by its parent %llx",
		    (unsigned long long)ino, (unsigned long long)pp.ino);
		rv = -EIO;
	}
	return rv;
}

int
store_dir_parent(struct store *s, uint64_t ino, uint64_t *parent,
    struct store_fh *parentfh, char *name, size_t *namelen)
{
	return ops_parent(s, ino, 1, parent, parentfh, name, namelen);
}

int
store_file_parent(struct store *s, uint64_t ino, uint64_t *parent,
    struct store_fh *parentfh, char *name, size_t *namelen)
{
	return ops_parent(s, ino, 0, parent, parentfh, name, namelen);
}

/*
 * A name of inode ino in directory dirfh, found without the name: the
 * one that gave ino its parent (ops_parent), and only when that parent
 * is dirfh's directory; what LOOKUP of that name would answer.
 */
int
store_lookup_ino(struct store *s, const struct store_cred *c,
    const struct store_fh *dirfh, uint64_t ino, char *name, size_t *namelen,
    struct store_fh *fh, struct store_attr *attr)
{
	struct store_inode dp, ip;
	uint64_t parent;
	int rv;

	*namelen = 0;
	if ((rv = ops_dir(s, c, dirfh, &dp)) != 0)
		return rv;
	if (ino == dp.ino)
		return -ENOENT;
	if ((rv = store_inode_get(s, ino, &ip)) != 0)
		return rv;
	if ((rv = ops_parent(s, ino, ip.type == STORE_TYPE_DIR, &parent, NULL,
	    name, namelen)) != 0)
		return rv == -EIO ? rv : -ENOENT;
	if (parent != dp.ino || ip.share != dp.share || *namelen == 0) {
		*namelen = 0;
		return -ENOENT;
	}
	return ops_reply(s, &ip, fh, attr);
}

int
store_readlink(struct store *s, const struct store_fh *fh, char *buf,
    size_t bufsize, size_t *lenp)
{
	struct store_inode ip;
	size_t len = 0;
	int rv;

	if ((rv = store_fh_resolve(s, fh, &ip)) != 0)
		return rv;
	if (ip.type != STORE_TYPE_LNK)
		return -EINVAL;
	if (bufsize == 0)
		return -ERANGE;
	rv = store_blob_get(s, ip.ino, STORE_XNAME_SYMLINK,
	    sizeof(STORE_XNAME_SYMLINK) - 1, buf, bufsize - 1, &len);
	if (rv == -ENODATA)
		rv = -EIO;
	if (rv != 0)
		return rv;
	buf[len] = '\0';
	*lenp = len;
	return 0;
}

int
store_statfs(struct store *s, const struct store_fh *fh,
    struct store_statfs *sf)
{
	struct store_inode ip;
	struct statvfs vfs;
	uint64_t files;
	int rv;

	if ((rv = store_fh_resolve(s, fh, &ip)) != 0)
		return rv;
	if (fstatvfs(s->datafd, &vfs) == -1)
		return -errno;
	if ((rv = store_meta_get_u64(s, "files", &files)) != 0)
		return rv;
	memset(sf, 0, sizeof(*sf));
	sf->bytes_total = (uint64_t)vfs.f_blocks * vfs.f_frsize;
	sf->bytes_free = (uint64_t)vfs.f_bfree * vfs.f_frsize;
	sf->bytes_avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	/* Each regular file costs one host inode; others cost none. */
	sf->files_used = files;
	sf->files_free = vfs.f_ffree;
	sf->files_avail = vfs.f_favail;
	sf->files_total = files + vfs.f_ffree;
	return 0;
}

/*
 * open_io of an unbacked file: make its backing file with the record's
 * times, so that reading an empty file does not change its mtime, and
 * set BACKED in one transaction (rule 1 at the top of store.c).  The
 * reply promises nothing about BACKED: if a crash loses it, open adopts
 * the backing file with whatever was synced into it (rule 2), so the
 * transaction is lazy and the reply does not wait for a log flush.
 */
static int
ops_open_make(struct store *s, const struct store_inode *seen, int oflags,
    int *fdp, struct store_attr *attr)
{
	struct store_inode ip;
	struct timespec ts[2];
	struct stat st;
	int fd = -1, rv;

	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	store_txn_lazy(s);
	if ((rv = store_inode_get(s, seen->ino, &ip)) != 0)
		goto out;
	if (ip.generation != seen->generation ||
	    (ip.flags & STORE_INODE_BACKED)) {
		rv = -EAGAIN;		/* cannot happen: one thread */
		goto out;
	}
	ip.flags |= STORE_INODE_BACKED;
	if ((rv = store_inode_put(s, &ip)) != 0)
		goto out;
	if ((fd = store_backing_make(s, ip.ino, oflags)) < 0) {
		rv = fd;
		goto out;
	}
	ts[0] = ip.atime;
	ts[1] = ip.mtime;
	if (futimens(fd, ts) == -1 || (attr != NULL && fstat(fd, &st) == -1))
		rv = -errno;
out:
	if ((rv = store_txn_end(s, rv)) != 0) {
		if (fd >= 0)
			(void)close(fd);
		return rv;
	}
	if (attr != NULL)
		store_attr_fill_stat(&ip, &st, attr);
	*fdp = fd;
	return 0;
}

/*
 * The first open for writing by a caller that may not keep set-uid and
 * set-gid (common/perm.h): they go now, before that caller's data does,
 * as a write(2) would clear them.  Front ends write through the fd they
 * are given, so this open is the store's one chance; a front end asks
 * again rather than write through an fd it holds while the bits are set
 * (nfsd/nfs3.c), and every front end hears of the change.  For the same
 * reason the DOS archive bit is set here when it is clear (its data is
 * about to change), with change moved: both are metadata, durable with
 * the reply (a crash cannot leave change below what a client saw).
 * In the caller's transaction: 1 if ip changed (the caller writes it).
 * io: the open's STORE_IO_* (STORE_IO_ARCHIVE_LATER leaves ARCHIVE to
 * the opener's STORE_SATTR_ARCHIVE).
 */
int
ops_write_prep(struct store *s, const struct store_cred *c,
    struct store_inode *ip, int io)
{
	struct timespec now;
	uint32_t mode;
	unsigned int what = 0;

	mode = perm_write_kill_privs(c->uid, ip->mode);
	if (mode != ip->mode) {
		ip->mode = mode;
		what |= STORE_NOTIFY_MODE;
	}
	if (!(io & STORE_IO_ARCHIVE_LATER) && !(ip->dos & STORE_DOS_ARCHIVE)) {
		ip->dos |= STORE_DOS_ARCHIVE;
		what |= STORE_NOTIFY_ATTR;
	}
	if (what == 0)
		return 0;
	store_now(&now);
	/* ARCHIVE alone moves change, not ctime: NFSv3 sees no change. */
	if (what & STORE_NOTIFY_MODE)
		ops_touch(ip, &now);
	else
		store_change_bump(ip, &now);
	if (what & STORE_NOTIFY_MODE)
		store_note(s, ip, STORE_NOTIFY_MODE);
	return 1;
}

static int
ops_open_write_prep(struct store *s, const struct store_cred *c,
    struct store_inode *ip, int io)
{
	int rv;

	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if ((rv = store_inode_get(s, ip->ino, ip)) == 0 &&
	    (rv = ops_write_prep(s, c, ip, io)) == 1)
		rv = store_inode_put(s, ip);
	return store_txn_end(s, rv);
}

/* open_io's permission rule (common/perm.h's perm_io, or its ACL's). */
int
ops_io_check(struct store *s, const struct store_cred *c,
    const struct store_inode *ip, int flags)
{
	struct perm_who w;
	struct perm_obj o;
	struct acl acl;
	int rv;

	memset(&o, 0, sizeof(o));
	ops_perm_args(c, ip, &w, &o);
	if (ip->flags & STORE_INODE_ACL) {
		if ((rv = ops_acl_load(s, ip, &acl)) != 0)
			return rv;
		return perm_io_acl(&w, &o, &acl, (unsigned int)flags);
	}
	return perm_io(&w, &o, (unsigned int)flags);
}

/* The write prep is due: set-uid bits to kill or ARCHIVE to set. */
int
ops_write_prep_due(const struct store_cred *c, const struct store_inode *ip,
    int io)
{
	return perm_write_kill_privs(c->uid, ip->mode) != ip->mode ||
	    (!(io & STORE_IO_ARCHIVE_LATER) && !(ip->dos & STORE_DOS_ARCHIVE));
}

int
store_open_io(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, int flags, int *fdp, struct store_attr *attr)
{
	struct store_inode ip;
	struct stat st;
	int oflags, fd, rv;

	*fdp = -1;
	if (!(flags & (STORE_IO_READ | STORE_IO_WRITE)) ||
	    (flags & ~STORE_IO_ALL))
		return -EINVAL;
	if ((rv = store_fh_resolve(s, fh, &ip)) != 0)
		return rv;
	if (ip.type == STORE_TYPE_DIR)
		return -EISDIR;
	if (ip.type != STORE_TYPE_REG)
		return -EINVAL;
	if ((rv = ops_io_check(s, c, &ip, flags & PERM_IO_ALL)) != 0)
		return rv;
	if ((flags & STORE_IO_WRITE) && ops_write_prep_due(c, &ip, flags) &&
	    (rv = ops_open_write_prep(s, c, &ip, flags)) != 0)
		return rv;
	oflags = (flags & STORE_IO_WRITE) ? O_RDWR : O_RDONLY;
	if (!(ip.flags & STORE_INODE_BACKED))
		return ops_open_make(s, &ip, oflags, fdp, attr);
	if ((fd = store_backing_open(s, ip.ino, oflags)) < 0) {
		store_log(s, "inode %llx: open backing file: %s",
		    (unsigned long long)ip.ino, strerror(-fd));
		return fd == -ENOENT ? -EIO : fd;
	}
	if (attr != NULL) {
		if (fstat(fd, &st) == -1) {
			rv = -errno;
			(void)close(fd);
			return rv;
		}
		store_attr_fill_stat(&ip, &st, attr);
	}
	*fdp = fd;
	return 0;
}

/*
 * RFC 1813 3.3.21: COMMIT.  Data a front end wrote is now stable, and
 * its change shows: change moves past the backing file's ctime (so a
 * write within the host's timestamp granularity of the last one still
 * moves it) and ARCHIVE is set, in a transaction the reply waits for.
 */
int
store_commit(struct store *s, const struct store_fh *fh)
{
	struct store_inode ip;
	struct timespec now;
	struct stat st;
	uint64_t floor;
	int fd, rv;

	if ((rv = store_fh_resolve(s, fh, &ip)) != 0)
		return rv;
	if (ip.type == STORE_TYPE_DIR)
		return -EISDIR;
	if (ip.type != STORE_TYPE_REG)
		return -EINVAL;
	if (!(ip.flags & STORE_INODE_BACKED))
		return 0;		/* no data, nothing to make stable */
	if ((fd = store_backing_open(s, ip.ino, O_RDONLY)) < 0)
		return fd == -ENOENT ? -EIO : fd;
	rv = 0;
	if (fdatasync(fd) == -1 || fstat(fd, &st) == -1)
		rv = -errno;
	if (close(fd) == -1 && rv == 0)
		rv = -errno;
	if (rv != 0)
		return rv;
	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if ((rv = store_inode_get(s, ip.ino, &ip)) != 0)
		goto out;
	store_now(&now);
	if ((floor = store_ts_ns(&st.st_ctim)) > ip.change)
		ip.change = floor;
	store_change_bump(&ip, &now);
	ip.dos |= STORE_DOS_ARCHIVE;
	rv = store_inode_put(s, &ip);
out:
	return store_txn_end(s, rv);
}
