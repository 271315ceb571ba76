/*
 * NFSv4.0 attributes (RFC 7530 5): fattr4 encoded from a neutral
 * struct nfs4_attr_src for GETATTR and READDIR, decoded into the
 * settable struct nfs4_sattr for SETATTR, CREATE and OPEN, and compared
 * for VERIFY and NVERIFY (by encoding ours for the client's mask and
 * comparing the bytes, RFC 7530 16.35.4).  ACLs are common/acl.h's
 * model; owners go through idmap.c.
 */
#include <string.h>

#include "nfs4.h"

#define NFS4_W(n)	(1u << ((n) % 32))

/* RFC 7530 5.6, 5.7: what we serve (mandatory and the recommended ones). */
static const uint32_t nfs4_supported[NFS4_BITMAP_WORDS] = {
	NFS4_W(FATTR4_SUPPORTED_ATTRS) | NFS4_W(FATTR4_TYPE) |
	NFS4_W(FATTR4_FH_EXPIRE_TYPE) | NFS4_W(FATTR4_CHANGE) |
	NFS4_W(FATTR4_SIZE) | NFS4_W(FATTR4_LINK_SUPPORT) |
	NFS4_W(FATTR4_SYMLINK_SUPPORT) | NFS4_W(FATTR4_NAMED_ATTR) |
	NFS4_W(FATTR4_FSID) | NFS4_W(FATTR4_UNIQUE_HANDLES) |
	NFS4_W(FATTR4_LEASE_TIME) | NFS4_W(FATTR4_RDATTR_ERROR) |
	NFS4_W(FATTR4_ACL) | NFS4_W(FATTR4_ACLSUPPORT) |
	NFS4_W(FATTR4_CANSETTIME) | NFS4_W(FATTR4_CASE_INSENSITIVE) |
	NFS4_W(FATTR4_CASE_PRESERVING) | NFS4_W(FATTR4_CHOWN_RESTRICTED) |
	NFS4_W(FATTR4_FILEHANDLE) | NFS4_W(FATTR4_FILEID) |
	NFS4_W(FATTR4_FILES_AVAIL) | NFS4_W(FATTR4_FILES_FREE) |
	NFS4_W(FATTR4_FILES_TOTAL) | NFS4_W(FATTR4_FS_LOCATIONS) |
	NFS4_W(FATTR4_HOMOGENEOUS) | NFS4_W(FATTR4_MAXFILESIZE) |
	NFS4_W(FATTR4_MAXLINK) | NFS4_W(FATTR4_MAXNAME) |
	NFS4_W(FATTR4_MAXREAD) | NFS4_W(FATTR4_MAXWRITE),
	NFS4_W(FATTR4_MODE) | NFS4_W(FATTR4_NO_TRUNC) |
	NFS4_W(FATTR4_NUMLINKS) | NFS4_W(FATTR4_OWNER) |
	NFS4_W(FATTR4_OWNER_GROUP) | NFS4_W(FATTR4_RAWDEV) |
	NFS4_W(FATTR4_SPACE_AVAIL) | NFS4_W(FATTR4_SPACE_FREE) |
	NFS4_W(FATTR4_SPACE_TOTAL) | NFS4_W(FATTR4_SPACE_USED) |
	NFS4_W(FATTR4_TIME_ACCESS) | NFS4_W(FATTR4_TIME_ACCESS_SET) |
	NFS4_W(FATTR4_TIME_CREATE) | NFS4_W(FATTR4_TIME_DELTA) |
	NFS4_W(FATTR4_TIME_METADATA) | NFS4_W(FATTR4_TIME_MODIFY) |
	NFS4_W(FATTR4_TIME_MODIFY_SET) | NFS4_W(FATTR4_MOUNTED_ON_FILEID),
	NFS4_W(FATTR4_SUPPATTR_EXCLCREAT)	/* minor version 1 and up */
};

/* RFC 7530 5.6, 5.7: the attributes a client may set (R/W, or W). */
static const uint32_t nfs4_writable[NFS4_BITMAP_WORDS] = {
	NFS4_W(FATTR4_SIZE) | NFS4_W(FATTR4_ACL) | NFS4_W(FATTR4_ARCHIVE) |
	NFS4_W(FATTR4_HIDDEN),
	NFS4_W(FATTR4_MIMETYPE) | NFS4_W(FATTR4_MODE) |
	NFS4_W(FATTR4_OWNER) | NFS4_W(FATTR4_OWNER_GROUP) |
	NFS4_W(FATTR4_SYSTEM) | NFS4_W(FATTR4_TIME_ACCESS_SET) |
	NFS4_W(FATTR4_TIME_BACKUP) | NFS4_W(FATTR4_TIME_CREATE) |
	NFS4_W(FATTR4_TIME_MODIFY_SET)
};

/*
 * Of those, the ones we set.  time_create is writable in 4.0, but the
 * store keeps no birth time a client could set: ATTRNOTSUPP.
 */
static const uint32_t nfs4_settable[NFS4_BITMAP_WORDS] = {
	NFS4_W(FATTR4_SIZE) | NFS4_W(FATTR4_ACL),
	NFS4_W(FATTR4_MODE) | NFS4_W(FATTR4_OWNER) |
	NFS4_W(FATTR4_OWNER_GROUP) | NFS4_W(FATTR4_TIME_ACCESS_SET) |
	NFS4_W(FATTR4_TIME_MODIFY_SET)
};

/* Write-only: GETATTR, READDIR and VERIFY asking for them are INVAL. */
static const uint32_t nfs4_writeonly[NFS4_BITMAP_WORDS] = {
	0,
	NFS4_W(FATTR4_TIME_ACCESS_SET) | NFS4_W(FATTR4_TIME_MODIFY_SET)
};

void
nfs4_attr_supported(struct nfs4_bitmap *b, uint32_t minor)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->w, nfs4_supported, sizeof(b->w));
	if (minor == 0)
		b->w[2] = 0;		/* past 4.0's attributes */
}

/*
 * RFC 8881 5.8.1.14, 18.16.3: what an EXCLUSIVE4_1 create sets from its
 * attributes: all we set (the store keeps the verifier apart, so the
 * times are free too).
 */
static void
nfs4_attr_exclcreat(struct nfs4_bitmap *b)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->w, nfs4_settable, sizeof(b->w));
}

/* The values that do not come from the object, and sane others. */
void
nfs4_attr_src_defaults(struct nfs4_attr_src *s)
{
	memset(s, 0, sizeof(*s));
	s->type = NF4REG;
	s->fh_expire_type = FH4_PERSISTENT;
	s->link_support = 1;
	s->symlink_support = 1;
	s->unique_handles = 1;
	s->lease_time = NFS4_LEASE_TIME;
	s->aclsupport = ACL4_SUPPORT_ALLOW_ACL | ACL4_SUPPORT_DENY_ACL;
	s->cansettime = 1;
	s->case_preserving = 1;
	s->chown_restricted = 1;
	s->fs_root = "/";
	s->homogeneous = 1;
	s->maxfilesize = INT64_MAX;
	s->maxlink = UINT32_MAX;
	s->maxname = NFS4_NAME_MAX;
	s->maxread = NFS4_MAXIO;
	s->maxwrite = NFS4_MAXIO;
	s->no_trunc = 1;
	s->numlinks = 1;
	s->time_delta.nsec = 1;
}

static void
nfs4_put_time(struct xdrbuf_out *o, const struct nfs4_time *t)
{
	xdrbuf_put_u64(o, (uint64_t)t->sec);
	xdrbuf_put_u32(o, t->nsec);
}

static void
nfs4_put_bool(struct xdrbuf_out *o, int b)
{
	xdrbuf_put_u32(o, b ? 1 : 0);
}

/* RFC 7530 7.9 (fs_locations): the root path, and no locations. */
static void
nfs4_put_fs_locations(struct xdrbuf_out *o, const char *root)
{
	const char *p, *end;
	size_t count_at = o->len;
	uint32_t n = 0;

	xdrbuf_put_u32(o, 0);
	for (p = root != NULL ? root : ""; *p != '\0'; p = end) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, '/');
		if (end == NULL)
			end = p + strlen(p);
		xdrbuf_put_opaque(o, p, (uint32_t)(end - p));
		n++;
	}
	xdrbuf_put_u32_at(o, count_at, n);
	xdrbuf_put_u32(o, 0);		/* locations<> */
}

/*
 * RFC 7530 6.2.1: an nfsace4's who from the model's.  A Windows SID
 * with no uid or gid (common/acl.h) is its string form, "S-1-5-32-544":
 * RFC 8881 6.2.1.5 leaves a who that is no user@domain and no special
 * identifier to the server, and nfs4_getfacl prints it as it is.
 */
static size_t
nfs4_ace_who(const struct acl *acl, const struct acl_ace *a,
    const struct nfs4_idmap *m, int numeric, char *buf, size_t size)
{
	const struct acl_sid *sid;

	switch (a->who) {
	case ACL_WHO_OWNER:
		return (size_t)snprintf(buf, size, "OWNER@");
	case ACL_WHO_GROUP:
		return (size_t)snprintf(buf, size, "GROUP@");
	case ACL_WHO_EVERYONE:
		return (size_t)snprintf(buf, size, "EVERYONE@");
	case ACL_WHO_SID:
		if ((sid = acl_ace_sid(acl, a)) == NULL)
			return (size_t)snprintf(buf, size, "nobody");
		return acl_sid_format(sid, buf, size);
	default:
		if (numeric)
			return (size_t)snprintf(buf, size, "%u", a->id);
		if (a->flags & ACL_FLAG_IDENTIFIER_GROUP)
			return nfs4_idmap_gid_to_name(m, a->id, buf, size);
		return nfs4_idmap_uid_to_name(m, a->id, buf, size);
	}
}

static void
nfs4_put_acl(struct xdrbuf_out *o, const struct nfs4_attr_src *s,
    const struct nfs4_idmap *m)
{
	struct acl mode_acl;
	const struct acl *acl = s->acl;
	char who[NFS4_IDMAP_STRING_MAX + 1];
	size_t i, n;

	if (acl == NULL) {
		acl_from_mode(s->mode, s->type == NF4DIR, &mode_acl);
		acl = &mode_acl;
	}
	xdrbuf_put_u32(o, (uint32_t)acl->count);
	for (i = 0; i < acl->count && i < ACL_ACES_MAX; i++) {
		xdrbuf_put_u32(o, acl->ace[i].type);
		xdrbuf_put_u32(o, acl->ace[i].flags);
		xdrbuf_put_u32(o, acl->ace[i].mask);
		n = nfs4_ace_who(acl, &acl->ace[i], m, s->numeric_ids, who,
		    sizeof(who));
		if (n >= sizeof(who))
			n = sizeof(who) - 1;
		xdrbuf_put_opaque(o, who, (uint32_t)n);
	}
}

/* RFC 7530 5.9: "name@domain", or the decimal id when numeric. */
static void
nfs4_put_id(struct xdrbuf_out *o, const struct nfs4_idmap *m, uint32_t id,
    int group, int numeric)
{
	char buf[NFS4_IDMAP_STRING_MAX + 1];
	size_t n;

	if (numeric)
		n = (size_t)snprintf(buf, sizeof(buf), "%u", id);
	else
		n = group ? nfs4_idmap_gid_to_name(m, id, buf, sizeof(buf)) :
		    nfs4_idmap_uid_to_name(m, id, buf, sizeof(buf));
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	xdrbuf_put_opaque(o, buf, (uint32_t)n);
}

/* One attribute's value (attrlist4 is the values in ascending order). */
static void
nfs4_put_attr(struct xdrbuf_out *o, unsigned int n,
    const struct nfs4_attr_src *s, const struct nfs4_idmap *m)
{
	struct nfs4_bitmap sup;

	switch (n) {
	case FATTR4_SUPPORTED_ATTRS:
		nfs4_attr_supported(&sup, s->minor);
		nfs4_put_bitmap(o, &sup);
		break;
	case FATTR4_SUPPATTR_EXCLCREAT:
		nfs4_attr_exclcreat(&sup);
		nfs4_put_bitmap(o, &sup);
		break;
	case FATTR4_TYPE:
		xdrbuf_put_u32(o, s->type);
		break;
	case FATTR4_FH_EXPIRE_TYPE:
		xdrbuf_put_u32(o, s->fh_expire_type);
		break;
	case FATTR4_CHANGE:
		xdrbuf_put_u64(o, s->change);
		break;
	case FATTR4_SIZE:
		xdrbuf_put_u64(o, s->size);
		break;
	case FATTR4_LINK_SUPPORT:
		nfs4_put_bool(o, s->link_support);
		break;
	case FATTR4_SYMLINK_SUPPORT:
		nfs4_put_bool(o, s->symlink_support);
		break;
	case FATTR4_NAMED_ATTR:
		nfs4_put_bool(o, s->named_attr);
		break;
	case FATTR4_FSID:
		xdrbuf_put_u64(o, s->fsid_major);
		xdrbuf_put_u64(o, s->fsid_minor);
		break;
	case FATTR4_UNIQUE_HANDLES:
		nfs4_put_bool(o, s->unique_handles);
		break;
	case FATTR4_LEASE_TIME:
		xdrbuf_put_u32(o, s->lease_time);
		break;
	case FATTR4_RDATTR_ERROR:
		xdrbuf_put_u32(o, s->rdattr_error);
		break;
	case FATTR4_ACL:
		nfs4_put_acl(o, s, m);
		break;
	case FATTR4_ACLSUPPORT:
		xdrbuf_put_u32(o, s->aclsupport);
		break;
	case FATTR4_CANSETTIME:
		nfs4_put_bool(o, s->cansettime);
		break;
	case FATTR4_CASE_INSENSITIVE:
		nfs4_put_bool(o, s->case_insensitive);
		break;
	case FATTR4_CASE_PRESERVING:
		nfs4_put_bool(o, s->case_preserving);
		break;
	case FATTR4_CHOWN_RESTRICTED:
		nfs4_put_bool(o, s->chown_restricted);
		break;
	case FATTR4_FILEHANDLE:
		xdrbuf_put_opaque(o, s->fh, s->fhlen);
		break;
	case FATTR4_FILEID:
		xdrbuf_put_u64(o, s->fileid);
		break;
	case FATTR4_FILES_AVAIL:
		xdrbuf_put_u64(o, s->files_avail);
		break;
	case FATTR4_FILES_FREE:
		xdrbuf_put_u64(o, s->files_free);
		break;
	case FATTR4_FILES_TOTAL:
		xdrbuf_put_u64(o, s->files_total);
		break;
	case FATTR4_FS_LOCATIONS:
		nfs4_put_fs_locations(o, s->fs_root);
		break;
	case FATTR4_HOMOGENEOUS:
		nfs4_put_bool(o, s->homogeneous);
		break;
	case FATTR4_MAXFILESIZE:
		xdrbuf_put_u64(o, s->maxfilesize);
		break;
	case FATTR4_MAXLINK:
		xdrbuf_put_u32(o, s->maxlink);
		break;
	case FATTR4_MAXNAME:
		xdrbuf_put_u32(o, s->maxname);
		break;
	case FATTR4_MAXREAD:
		xdrbuf_put_u64(o, s->maxread);
		break;
	case FATTR4_MAXWRITE:
		xdrbuf_put_u64(o, s->maxwrite);
		break;
	case FATTR4_MODE:
		xdrbuf_put_u32(o, s->mode & 07777);
		break;
	case FATTR4_NO_TRUNC:
		nfs4_put_bool(o, s->no_trunc);
		break;
	case FATTR4_NUMLINKS:
		xdrbuf_put_u32(o, s->numlinks);
		break;
	case FATTR4_OWNER:
		nfs4_put_id(o, m, s->uid, 0, s->numeric_ids);
		break;
	case FATTR4_OWNER_GROUP:
		nfs4_put_id(o, m, s->gid, 1, s->numeric_ids);
		break;
	case FATTR4_RAWDEV:
		xdrbuf_put_u32(o, s->rawdev_major);
		xdrbuf_put_u32(o, s->rawdev_minor);
		break;
	case FATTR4_SPACE_AVAIL:
		xdrbuf_put_u64(o, s->space_avail);
		break;
	case FATTR4_SPACE_FREE:
		xdrbuf_put_u64(o, s->space_free);
		break;
	case FATTR4_SPACE_TOTAL:
		xdrbuf_put_u64(o, s->space_total);
		break;
	case FATTR4_SPACE_USED:
		xdrbuf_put_u64(o, s->space_used);
		break;
	case FATTR4_TIME_ACCESS:
		nfs4_put_time(o, &s->atime);
		break;
	case FATTR4_TIME_CREATE:
		nfs4_put_time(o, &s->crtime);
		break;
	case FATTR4_TIME_DELTA:
		nfs4_put_time(o, &s->time_delta);
		break;
	case FATTR4_TIME_METADATA:
		nfs4_put_time(o, &s->ctime);
		break;
	case FATTR4_TIME_MODIFY:
		nfs4_put_time(o, &s->mtime);
		break;
	case FATTR4_MOUNTED_ON_FILEID:
		xdrbuf_put_u64(o, s->mounted_on_fileid);
		break;
	}
}

/* What of the request we answer: ours, less what this object lacks. */
static void
nfs4_attr_answer(const struct nfs4_bitmap *req, const struct nfs4_attr_src *s,
    struct nfs4_bitmap *ans)
{
	size_t i;

	memset(ans, 0, sizeof(*ans));
	for (i = 0; i < NFS4_BITMAP_WORDS; i++)
		ans->w[i] = req->w[i] & nfs4_supported[i] & ~s->omit.w[i];
	if (s->minor == 0)
		ans->w[2] = 0;		/* past 4.0's attributes */
}

static int
nfs4_attr_any(const struct nfs4_bitmap *b, const uint32_t *set)
{
	size_t i;

	for (i = 0; i < NFS4_BITMAP_WORDS; i++)
		if (b->w[i] & set[i])
			return 1;
	return 0;
}

static void
nfs4_attr_put_vals(struct xdrbuf_out *o, const struct nfs4_bitmap *ans,
    const struct nfs4_attr_src *s, const struct nfs4_idmap *m)
{
	unsigned int n;

	for (n = 0; n <= FATTR4_LAST; n++)
		if (nfs4_bitmap_isset(ans, n))
			nfs4_put_attr(o, n, s, m);
}

/*
 * RFC 7530 16.7 (GETATTR), 16.24 (READDIR): a whole fattr4 for the
 * attributes requested that we have; the others are left out of the
 * mask (not an error).  INVAL for a write-only attribute (16.7.4);
 * RESOURCE when out of memory.
 */
uint32_t
nfs4_fattr_encode(struct xdrbuf_out *o, const struct nfs4_bitmap *request,
    const struct nfs4_attr_src *s, const struct nfs4_idmap *m)
{
	struct nfs4_bitmap ans;
	size_t len_at;

	if (nfs4_attr_any(request, nfs4_writeonly))
		return NFS4ERR_INVAL;
	nfs4_attr_answer(request, s, &ans);
	nfs4_put_bitmap(o, &ans);
	len_at = o->len;
	xdrbuf_put_u32(o, 0);
	nfs4_attr_put_vals(o, &ans, s, m);
	if (o->failed)
		return NFS4ERR_RESOURCE;
	xdrbuf_put_u32_at(o, len_at, (uint32_t)(o->len - len_at - 4));
	return NFS4_OK;
}

/*
 * RFC 7530 16.30.4 (SETATTR): ATTRNOTSUPP for an attribute we do not
 * support or set (checked first, as knfsd does), INVAL for a read-only
 * one.
 */
static uint32_t
nfs4_sattr_mask_check(const struct nfs4_bitmap *mask)
{
	size_t i;

	if (mask->beyond)
		return NFS4ERR_ATTRNOTSUPP;
	for (i = 0; i < NFS4_BITMAP_WORDS; i++)
		if (mask->w[i] & ~(nfs4_supported[i] | nfs4_writable[i]))
			return NFS4ERR_ATTRNOTSUPP;
	for (i = 0; i < NFS4_BITMAP_WORDS; i++)
		if (mask->w[i] & nfs4_writable[i] & ~nfs4_settable[i])
			return NFS4ERR_ATTRNOTSUPP;
	for (i = 0; i < NFS4_BITMAP_WORDS; i++)
		if (mask->w[i] & ~nfs4_settable[i])
			return NFS4ERR_INVAL;
	return NFS4_OK;
}

static uint32_t
nfs4_get_time(struct xdrbuf_in *x, struct nfs4_time *t)
{
	uint64_t sec;

	if (xdrbuf_get_u64(x, &sec) == -1 || xdrbuf_get_u32(x, &t->nsec) == -1)
		return NFS4ERR_BADXDR;
	t->sec = (int64_t)sec;
	return t->nsec >= 1000000000u ? NFS4ERR_INVAL : NFS4_OK;
}

/* settime4 */
static uint32_t
nfs4_get_settime(struct xdrbuf_in *x, int *server, struct nfs4_time *t)
{
	uint32_t how;

	if (xdrbuf_get_u32(x, &how) == -1)
		return NFS4ERR_BADXDR;
	switch (how) {
	case SET_TO_SERVER_TIME4:
		*server = 1;
		return NFS4_OK;
	case SET_TO_CLIENT_TIME4:
		*server = 0;
		return nfs4_get_time(x, t);
	default:
		return NFS4ERR_BADXDR;
	}
}

static int
nfs4_who_is(const struct nfs4_opaque *w, const char *s)
{
	return w->len == strlen(s) && memcmp(w->p, s, w->len) == 0;
}

/*
 * A who in a SID's string form (nfs4_ace_who): S-1-22-1-U is uid U,
 * S-1-22-2-G gid G and S-1-1-0 EVERYONE@, as smbd maps them
 * (smbd/secdesc.h); any other SID is kept in acl's table.  1 if who is
 * a SID (*status NFS4_OK, or NFS4ERR_INVAL when the table is full), 0
 * if it is not one.
 */
static int
nfs4_get_ace_sid(const struct nfs4_opaque *who, struct acl *acl,
    struct acl_ace *a, uint32_t *status)
{
	struct acl_sid sid;
	int idx;

	if (acl_sid_parse((const char *)who->p, who->len, &sid) != 0)
		return 0;
	*status = NFS4_OK;
	if (sid.auth == 22 && sid.nsub == 2 && sid.sub[0] == 1) {
		a->who = ACL_WHO_ID;
		a->id = sid.sub[1];
		a->flags &= ~(uint16_t)ACL_FLAG_IDENTIFIER_GROUP;
	} else if (sid.auth == 22 && sid.nsub == 2 && sid.sub[0] == 2) {
		a->who = ACL_WHO_ID;
		a->id = sid.sub[1];
		a->flags |= ACL_FLAG_IDENTIFIER_GROUP;
	} else if (sid.auth == 1 && sid.nsub == 1 && sid.sub[0] == 0) {
		a->who = ACL_WHO_EVERYONE;
		a->flags &= ~(uint16_t)ACL_FLAG_IDENTIFIER_GROUP;
	} else if ((idx = acl_sid_add(acl, &sid)) < 0)
		*status = NFS4ERR_INVAL;
	else {
		a->who = ACL_WHO_SID;
		a->id = (uint32_t)idx;
	}
	return 1;
}

/* RFC 7530 6.2.1: one nfsace4 into the model's ACE. */
static uint32_t
nfs4_get_ace(struct xdrbuf_in *x, const struct nfs4_idmap *m,
    struct acl *acl, struct acl_ace *a)
{
	struct nfs4_opaque who;
	uint32_t type, flag, mask, id, status;

	if (xdrbuf_get_u32(x, &type) == -1 || xdrbuf_get_u32(x, &flag) == -1 ||
	    xdrbuf_get_u32(x, &mask) == -1 ||
	    xdrbuf_get_opaque(x, &who.p, &who.len, NFS4_OPAQUE_LIMIT) == -1)
		return NFS4ERR_BADXDR;
	if (type > ACL_TYPE_ALARM || (flag & ~(uint32_t)ACL_FLAGS_ALL) ||
	    (mask & ~(uint32_t)ACL_MASK_ALL))
		return NFS4ERR_INVAL;
	memset(a, 0, sizeof(*a));
	a->type = (uint8_t)type;
	a->flags = (uint16_t)flag;
	a->mask = mask;
	if (nfs4_who_is(&who, "OWNER@"))
		a->who = ACL_WHO_OWNER;
	else if (nfs4_who_is(&who, "GROUP@"))
		a->who = ACL_WHO_GROUP;
	else if (nfs4_who_is(&who, "EVERYONE@"))
		a->who = ACL_WHO_EVERYONE;
	else if (nfs4_get_ace_sid(&who, acl, a, &status)) {
		if (status != NFS4_OK)
			return status;
	} else {
		/*
		 * A named user or group.  The other special identifiers
		 * (INTERACTIVE@, NETWORK@, ...) have no place in the
		 * model: the idmap does not know them either (BADOWNER).
		 */
		status = (flag & ACL_FLAG_IDENTIFIER_GROUP) ?
		    nfs4_idmap_name_to_gid(m, who.p, who.len, &id) :
		    nfs4_idmap_name_to_uid(m, who.p, who.len, &id);
		if (status != NFS4_OK)
			return status;
		a->who = ACL_WHO_ID;
		a->id = id;
	}
	return NFS4_OK;
}

static uint32_t
nfs4_get_acl(struct xdrbuf_in *x, const struct nfs4_idmap *m, struct acl *acl)
{
	uint32_t n, i, status;

	if (xdrbuf_get_u32(x, &n) == -1)
		return NFS4ERR_BADXDR;
	/* Each nfsace4 takes at least 16 bytes. */
	if (n > xdrbuf_in_left(x) / 16)
		return NFS4ERR_BADXDR;
	if (n > ACL_ACES_MAX)
		return NFS4ERR_INVAL;
	/* The acl attribute has no aclflag4: blockd keeps the file's. */
	acl->aclflags = ACL_FLAGS_UNSAID;
	acl->count = n;
	acl->nsids = 0;
	acl->sidowner = 0;
	for (i = 0; i < n; i++)
		if ((status = nfs4_get_ace(x, m, acl, &acl->ace[i])) !=
		    NFS4_OK)
			return status;
	return NFS4_OK;
}

static uint32_t
nfs4_get_owner_id(struct xdrbuf_in *x, const struct nfs4_idmap *m,
    int group, uint32_t *id)
{
	const uint8_t *p;
	uint32_t len;

	if (xdrbuf_get_opaque(x, &p, &len, NFS4_OPAQUE_LIMIT) == -1)
		return NFS4ERR_BADXDR;
	return group ? nfs4_idmap_name_to_gid(m, p, len, id) :
	    nfs4_idmap_name_to_uid(m, p, len, id);
}

static uint32_t
nfs4_get_sattr_one(struct xdrbuf_in *x, unsigned int n,
    const struct nfs4_idmap *m, struct nfs4_sattr *sa)
{
	switch (n) {
	case FATTR4_SIZE:
		return xdrbuf_get_u64(x, &sa->size) == -1 ? NFS4ERR_BADXDR :
		    NFS4_OK;
	case FATTR4_ACL:
		return nfs4_get_acl(x, m, &sa->acl);
	case FATTR4_MODE:
		if (xdrbuf_get_u32(x, &sa->mode) == -1)
			return NFS4ERR_BADXDR;
		return sa->mode & ~07777u ? NFS4ERR_INVAL : NFS4_OK;
	case FATTR4_OWNER:
		return nfs4_get_owner_id(x, m, 0, &sa->uid);
	case FATTR4_OWNER_GROUP:
		return nfs4_get_owner_id(x, m, 1, &sa->gid);
	case FATTR4_TIME_ACCESS_SET:
		return nfs4_get_settime(x, &sa->atime_server, &sa->atime);
	case FATTR4_TIME_MODIFY_SET:
		return nfs4_get_settime(x, &sa->mtime_server, &sa->mtime);
	default:
		return NFS4ERR_ATTRNOTSUPP;	/* the mask check let it by */
	}
}

/*
 * RFC 7530 16.30 (SETATTR), 16.4 (CREATE), 16.16 (OPEN): a client's
 * fattr4 into what we set.  NFS4_OK; ATTRNOTSUPP, INVAL (above, or a
 * bad value), BADOWNER (an owner, group or ACE who we cannot map),
 * BADXDR (the values do not match the mask exactly).
 */
uint32_t
nfs4_fattr_decode_sattr(const struct nfs4_fattr_raw *f,
    const struct nfs4_idmap *m, struct nfs4_sattr *sa)
{
	struct xdrbuf_in x;
	unsigned int n;
	uint32_t status;

	memset(sa, 0, sizeof(*sa));
	if ((status = nfs4_sattr_mask_check(&f->mask)) != NFS4_OK)
		return status;
	sa->mask = f->mask;
	xdrbuf_in_init(&x, f->vals.p, f->vals.len);
	for (n = 0; n <= FATTR4_LAST; n++)
		if (nfs4_bitmap_isset(&f->mask, n) &&
		    (status = nfs4_get_sattr_one(&x, n, m, sa)) != NFS4_OK)
			return status;
	return xdrbuf_in_left(&x) == 0 ? NFS4_OK : NFS4ERR_BADXDR;
}

/*
 * RFC 7530 16.35 (VERIFY), 16.15 (NVERIFY).  VERIFY: NFS4_OK when the
 * client's values equal ours, else NOT_SAME; NVERIFY: SAME when equal,
 * else NFS4_OK.  ATTRNOTSUPP for an attribute we do not have for this
 * object; INVAL for rdattr_error or a write-only one.
 */
uint32_t
nfs4_fattr_verify(const struct nfs4_fattr_raw *f,
    const struct nfs4_attr_src *s, const struct nfs4_idmap *m, int nverify)
{
	struct nfs4_bitmap ans;
	struct xdrbuf_out o;
	size_t i;
	int same;

	if (f->mask.beyond)
		return NFS4ERR_ATTRNOTSUPP;
	nfs4_attr_answer(&f->mask, s, &ans);
	for (i = 0; i < NFS4_BITMAP_WORDS; i++)
		if (ans.w[i] != f->mask.w[i])
			return NFS4ERR_ATTRNOTSUPP;
	if (nfs4_attr_any(&f->mask, nfs4_writeonly) ||
	    nfs4_bitmap_isset(&f->mask, FATTR4_RDATTR_ERROR))
		return NFS4ERR_INVAL;
	xdrbuf_out_init(&o);
	nfs4_attr_put_vals(&o, &ans, s, m);
	if (o.failed) {
		xdrbuf_out_free(&o);
		return NFS4ERR_RESOURCE;
	}
	same = o.len == f->vals.len &&
	    (o.len == 0 || memcmp(o.buf, f->vals.p, o.len) == 0);
	xdrbuf_out_free(&o);
	if (nverify)
		return same ? NFS4ERR_SAME : NFS4_OK;
	return same ? NFS4_OK : NFS4ERR_NOT_SAME;
}

/*
 * RFC 7530 10.4.3: what a write delegation's holder answers to
 * CB_GETATTR, change and size (each only if its bit is set).  Any other
 * attribute is more than we asked for, and cannot be skipped: BADXDR.
 */
uint32_t
nfs4_fattr_decode_change_size(const struct nfs4_fattr_raw *f,
    uint64_t *change, uint64_t *size)
{
	struct xdrbuf_in x;

	if (f->mask.beyond || f->mask.w[1] != 0 || f->mask.w[2] != 0 ||
	    (f->mask.w[0] & ~(NFS4_W(FATTR4_CHANGE) | NFS4_W(FATTR4_SIZE))))
		return NFS4ERR_BADXDR;
	xdrbuf_in_init(&x, f->vals.p, f->vals.len);
	if (nfs4_bitmap_isset(&f->mask, FATTR4_CHANGE) &&
	    xdrbuf_get_u64(&x, change) == -1)
		return NFS4ERR_BADXDR;
	if (nfs4_bitmap_isset(&f->mask, FATTR4_SIZE) &&
	    xdrbuf_get_u64(&x, size) == -1)
		return NFS4ERR_BADXDR;
	return xdrbuf_in_left(&x) == 0 ? NFS4_OK : NFS4ERR_BADXDR;
}
