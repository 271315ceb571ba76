/*
 * blockd/store_xattr_ops.c: the operations on an inode's named data:
 * user xattrs (store_xattr_*) and its NFSv4 ACL (store_acl_*), on the
 * blobs of store_xattr.c, with store_ops.c's permission rules.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/types.h>

#include <errno.h>
#include <string.h>

#include "blockd/store_int.h"

/* Linux setxattr(2)/getxattr(2): ERANGE for a bad name length. */
static int
ops_xattr_name(const char *name, size_t len)
{
	if (len == 0 || len > STORE_XATTR_NAME_MAX)
		return -ERANGE;
	if (memchr(name, '\0', len) != NULL)
		return -EINVAL;
	return 0;
}

int
store_xattr_get(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, const char *name, size_t namelen,
    void *buf, size_t bufsize, size_t *lenp)
{
	struct store_inode ip;
	int rv;

	*lenp = 0;
	if ((rv = ops_xattr_name(name, namelen)) != 0)
		return rv;
	if ((rv = store_fh_resolve(s, fh, &ip)) != 0 ||
	    (rv = ops_allowed(s, c, &ip, MAY_READ, ACL_READ_NAMED_ATTRS)) != 0)
		return rv;
	return store_blob_get(s, ip.ino, name, namelen, buf, bufsize, lenp);
}

int
store_xattr_set(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, const char *name, size_t namelen,
    const void *value, size_t valuelen, int flags)
{
	struct store_inode ip;
	struct timespec now;
	size_t len;
	int rv;

	if ((rv = ops_xattr_name(name, namelen)) != 0)
		return rv;
	if (valuelen > STORE_XATTR_SIZE_MAX)
		return -E2BIG;
	if ((flags & ~(STORE_XATTR_CREATE | STORE_XATTR_REPLACE)) ||
	    flags == (STORE_XATTR_CREATE | STORE_XATTR_REPLACE))
		return -EINVAL;
	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if ((rv = store_fh_resolve(s, fh, &ip)) != 0 ||
	    (rv = ops_allowed(s, c, &ip, MAY_WRITE,
	    ACL_WRITE_NAMED_ATTRS)) != 0)
		goto out;
	rv = store_blob_get(s, ip.ino, name, namelen, NULL, 0, &len);
	if (rv != 0 && rv != -ENODATA)
		goto out;
	if (rv == 0 && (flags & STORE_XATTR_CREATE)) {
		rv = -EEXIST;
		goto out;
	}
	if (rv == -ENODATA && (flags & STORE_XATTR_REPLACE))
		goto out;
	store_now(&now);
	ops_touch(&ip, &now);
	if ((rv = store_blob_put(s, ip.ino, name, namelen, value,
	    valuelen)) != 0)
		goto out;
	rv = store_inode_put(s, &ip);
out:
	return store_txn_end(s, rv);
}

/* listxattr(2)'s buffer: the names, each NUL terminated. */
struct xattr_listing {
	char	*buf;
	size_t	 bufsize, total;
};

static int
xattr_list_one(void *arg, const uint8_t *name, size_t nlen)
{
	struct xattr_listing *l = arg;

	if (l->bufsize != 0) {
		if (l->total + nlen + 1 > l->bufsize)
			return -ERANGE;
		memcpy(l->buf + l->total, name, nlen);
		l->buf[l->total + nlen] = '\0';
	}
	l->total += nlen + 1;
	return 0;
}

int
store_xattr_list(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, char *buf, size_t bufsize, size_t *lenp)
{
	struct xattr_listing l = { buf, bufsize, 0 };
	struct store_inode ip;
	DBC *cur;
	int ret, rv;

	(void)c;	/* listxattr(2) needs no permission on the file */
	*lenp = 0;
	if ((rv = store_fh_resolve(s, fh, &ip)) != 0)
		return rv;
	if ((ret = s->xattrs->cursor(s->xattrs, s->txn, &cur, 0)) != 0)
		return store_dberr(s, "cursor xattrs", ret);
	rv = store_xattr_names(s, cur, ip.ino, xattr_list_one, &l);
	if ((ret = cur->close(cur)) != 0 && rv == 0)
		rv = store_dberr(s, "cursor close", ret);
	if (rv == 0)
		*lenp = l.total;
	return rv;
}

int
store_xattr_remove(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, const char *name, size_t namelen)
{
	struct store_inode ip;
	int rv;

	if ((rv = ops_xattr_name(name, namelen)) != 0)
		return rv;
	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if ((rv = store_fh_resolve(s, fh, &ip)) != 0 ||
	    (rv = ops_allowed(s, c, &ip, MAY_WRITE,
	    ACL_WRITE_NAMED_ATTRS)) != 0 ||
	    (rv = store_blob_del(s, ip.ino, name, namelen)) != 0)
		goto out;
	rv = ops_touch_put(s, &ip);
out:
	return store_txn_end(s, rv);
}

int
store_acl_get(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, void *buf, size_t bufsize, size_t *lenp)
{
	struct store_inode ip;
	struct acl acl;
	int rv;

	*lenp = 0;
	if ((rv = store_fh_resolve(s, fh, &ip)) != 0 ||
	    (rv = ops_allowed(s, c, &ip, 0, ACL_READ_ACL)) != 0 ||
	    (rv = ops_acl(s, &ip, &acl)) != 0)
		return rv;
	return acl_encode(&acl, buf, bufsize, lenp);
}

/*
 * What an ACL being set keeps of the inode's ACL.  An owner or group SID
 * that it names (version 4) other than the one kept: only root may name
 * one (Windows' SeRestorePrivilege, MS-FSA 2.1.5.16), as only root gives
 * a file away; one it does not name is kept as it was.  Written without
 * its flags (ACL_FLAGS_UNSAID: NFSv4's acl attribute), it keeps the
 * inode's AUTO_INHERIT and PROTECTED, and DEFAULTED goes.  0, -EPERM,
 * or the old ACL's read error.
 */
static int
ops_acl_kept(struct store *s, const struct store_cred *c,
    const struct store_inode *ip, struct acl *acl)
{
	struct acl old;
	int rv;

	old.sidowner = 0;
	old.aclflags = 0;
	if ((ip->flags & STORE_INODE_ACL) &&
	    (rv = ops_acl(s, ip, &old)) != 0)
		return rv;
	if (c->uid != 0 && (((acl->sidowner & ACL_SIDOWNER_OWNER) &&
	    (!(old.sidowner & ACL_SIDOWNER_OWNER) ||
	    !acl_sid_equal(&acl->owner_sid, &old.owner_sid))) ||
	    ((acl->sidowner & ACL_SIDOWNER_GROUP) &&
	    (!(old.sidowner & ACL_SIDOWNER_GROUP) ||
	    !acl_sid_equal(&acl->group_sid, &old.group_sid)))))
		return -EPERM;
	acl_sidowner_keep(acl, &old);
	if (acl->aclflags & ACL_FLAGS_UNSAID)
		acl->aclflags = old.aclflags &
		    (ACL_AUTO_INHERIT | ACL_PROTECTED);
	return 0;
}

/* RFC 8881 6.4.1.2: setting the ACL sets the mode that agrees with it. */
int
store_acl_set(struct store *s, const struct store_cred *c,
    const struct store_fh *fh, const void *buf, size_t len)
{
	struct store_inode ip;
	struct timespec now;
	struct acl acl;
	unsigned int what = STORE_NOTIFY_ACL;
	uint32_t mode;
	int rv;

	if (len > STORE_ACL_MAX)
		return -E2BIG;
	if ((rv = store_txn_begin(s)) != 0)
		return rv;
	if ((rv = store_fh_resolve(s, fh, &ip)) != 0)
		goto out;
	if (!ops_is_owner(c, &ip) && !ops_acl_grants(s, c, &ip,
	    ACL_WRITE_ACL)) {
		rv = -EPERM;
		goto out;
	}
	if (len == 0)
		acl_from_mode(ip.mode, ip.type == STORE_TYPE_DIR, &acl);
	else if (acl_decode(buf, len, &acl) != 0) {
		rv = -EINVAL;
		goto out;
	}
	if ((rv = ops_acl_kept(s, c, &ip, &acl)) != 0)
		goto out;
	mode = ip.mode;
	if ((rv = ops_acl_store(s, &ip, &acl)) != 0)
		goto out;
	if (ip.mode != mode)
		what |= STORE_NOTIFY_MODE;
	store_now(&now);
	ops_touch(&ip, &now);
	if ((rv = store_inode_put(s, &ip)) != 0)
		goto out;
	store_note(s, &ip, what);
out:
	return store_txn_end(s, rv);
}
