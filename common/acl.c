/*
 * common/acl.c: the NFSv4 ACL model (RFC 8881 section 6): evaluation,
 * the mode <-> ACL mapping, chmod, inheritance and the stored encoding.
 * See acl.h for the contract of each function.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/acl.h"

/* What every class holds in a mode's ACL, and what the owner adds. */
#define ACL_BASE_EVERYONE	(ACL_READ_ATTRIBUTES | ACL_READ_ACL | \
	ACL_SYNCHRONIZE)
#define ACL_BASE_OWNER		(ACL_WRITE_ATTRIBUTES | ACL_WRITE_ACL)
/* RFC 8881 6.2.1.3.2: the owner may always read and write these. */
#define ACL_OWNER_ALWAYS	(ACL_READ_ACL | ACL_WRITE_ACL | \
	ACL_READ_ATTRIBUTES | ACL_WRITE_ATTRIBUTES)

static int
acl_in_group(const struct acl_cred *c, uint32_t gid)
{
	size_t i;

	if (c->gid == gid)
		return 1;
	for (i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return 1;
	return 0;
}

static int
acl_sid_is(const struct acl_sid *s, uint64_t auth, uint8_t nsub,
    uint32_t sub0, uint32_t sub1)
{
	return s->auth == auth && s->nsub == nsub && s->sub[0] == sub0 &&
	    (nsub < 2 || s->sub[1] == sub1);
}

/* acl.h: who holds a SID. */
static int
acl_sid_held(const struct acl_sid *s, const struct acl_cred *c)
{
	if (acl_sid_is(s, 1, 1, 0, 0))			/* Everyone */
		return 1;
	if (acl_sid_is(s, 5, 1, 11, 0) ||		/* Authenticated Users */
	    acl_sid_is(s, 5, 2, 32, 545))		/* BUILTIN\Users */
		return c->uid != ACL_UID_ANONYMOUS;
	if (acl_sid_is(s, 5, 2, 32, 544) ||		/* Administrators */
	    acl_sid_is(s, 5, 1, 18, 0))			/* Local System */
		return c->uid == 0;
	if (s->auth == 22 && s->nsub == 2 && s->sub[0] == 1)
		return c->uid == s->sub[1];
	if (s->auth == 22 && s->nsub == 2 && s->sub[0] == 2)
		return acl_in_group(c, s->sub[1]);
	return 0;
}

/* RFC 8881 6.2.1.5: does the ACE's who include the caller? */
static int
acl_ace_matches(const struct acl *acl, const struct acl_ace *a,
    uint32_t owner, uint32_t group, const struct acl_cred *c)
{
	const struct acl_sid *s;

	switch (a->who) {
	case ACL_WHO_OWNER:
		return c->uid == owner;
	case ACL_WHO_GROUP:
		return acl_in_group(c, group);
	case ACL_WHO_EVERYONE:
		return 1;
	case ACL_WHO_ID:
		if (a->flags & ACL_FLAG_IDENTIFIER_GROUP)
			return acl_in_group(c, a->id);
		return c->uid == a->id;
	case ACL_WHO_SID:
		return (s = acl_ace_sid(acl, a)) != NULL && acl_sid_held(s, c);
	default:
		return 0;
	}
}

/* An ACE for a named user, group or SID (not OWNER@, GROUP@, EVERYONE@). */
static int
acl_ace_named(const struct acl_ace *a)
{
	return a->who == ACL_WHO_ID || a->who == ACL_WHO_SID;
}

/* An ALLOW or DENY ACE that applies to the object itself. */
static int
acl_ace_effective(const struct acl_ace *a)
{
	return (a->type == ACL_TYPE_ALLOW || a->type == ACL_TYPE_DENY) &&
	    !(a->flags & ACL_FLAG_INHERIT_ONLY);
}

/* The evaluation, the owner holding owner_always whatever the ACEs say. */
static uint32_t
acl_eval(const struct acl *acl, uint32_t owner, uint32_t group,
    int is_dir, const struct acl_cred *c, uint32_t want,
    uint32_t owner_always)
{
	const struct acl_ace *a;
	uint32_t allowed = 0, denied = 0;
	size_t i;

	want &= ACL_MASK_ALL;
	if (c->uid == 0) {
		if (!is_dir && (want & ACL_EXECUTE) &&
		    !(acl_to_mode(acl, is_dir) & 0111))
			want &= ~(uint32_t)ACL_EXECUTE;
		return want;
	}
	if (c->uid == owner)
		allowed = want & owner_always;
	for (i = 0; i < acl->count && allowed != want; i++) {
		a = &acl->ace[i];
		if (!acl_ace_effective(a) ||
		    !acl_ace_matches(acl, a, owner, group, c))
			continue;
		/* A bit is decided by the first ACE that names it. */
		if (a->type == ACL_TYPE_ALLOW)
			allowed |= a->mask & want & ~denied;
		else
			denied |= a->mask & want & ~allowed;
	}
	return allowed;
}

/* RFC 8881 6.2.1: evaluation */
uint32_t
acl_access(const struct acl *acl, uint32_t owner, uint32_t group,
    int is_dir, const struct acl_cred *c, uint32_t want)
{
	return acl_eval(acl, owner, group, is_dir, c, want, ACL_OWNER_ALWAYS);
}

/* MS-DTYP 2.5.3.2: the owner's implicit READ_CONTROL and WRITE_DAC. */
uint32_t
acl_access_windows(const struct acl *acl, uint32_t owner, uint32_t group,
    int is_dir, const struct acl_cred *c, uint32_t want)
{
	uint32_t implicit = ACL_READ_ACL | ACL_WRITE_ACL;
	size_t i;

	for (i = 0; i < acl->count; i++)
		if (acl_ace_effective(&acl->ace[i]) &&
		    acl->ace[i].who == ACL_WHO_OWNER)
			implicit = 0;	/* OWNER RIGHTS decides */
	return acl_eval(acl, owner, group, is_dir, c, want, implicit);
}

int
acl_check(const struct acl *acl, uint32_t owner, uint32_t group,
    int is_dir, const struct acl_cred *c, uint32_t want)
{
	want &= ACL_MASK_ALL;
	if (acl_access(acl, owner, group, is_dir, c, want) != want)
		return -EACCES;
	return 0;
}

uint32_t
acl_mode_mask(uint32_t rwx, int is_dir)
{
	uint32_t m = 0;

	if (rwx & 4)
		m |= ACL_READ_DATA | ACL_READ_NAMED_ATTRS;
	if (rwx & 2) {
		m |= ACL_WRITE_DATA | ACL_APPEND_DATA | ACL_WRITE_NAMED_ATTRS;
		if (is_dir)
			m |= ACL_DELETE_CHILD;
	}
	if (rwx & 1)
		m |= ACL_EXECUTE;
	return m;
}

static int
acl_add(struct acl *acl, uint8_t type, uint8_t who, uint16_t flags,
    uint32_t mask, uint32_t id)
{
	struct acl_ace *a;

	if (acl->count >= ACL_ACES_MAX)
		return -ENOSPC;
	a = &acl->ace[acl->count++];
	a->type = type;
	a->who = who;
	a->flags = flags;
	a->mask = mask;
	a->id = id;
	return 0;
}

/* a, an ACE of from, appended to acl with flags and mask. */
static int
acl_add_from(struct acl *acl, const struct acl *from,
    const struct acl_ace *a, uint16_t flags, uint32_t mask)
{
	const struct acl_sid *s;

	if (a->who != ACL_WHO_SID)
		return acl_add(acl, a->type, a->who, flags, mask, a->id);
	if ((s = acl_ace_sid(from, a)) == NULL)
		return -EINVAL;
	return acl_add_sid_ace(acl, a->type, flags, mask, s);
}

int
acl_sid_equal(const struct acl_sid *a, const struct acl_sid *b)
{
	size_t i;

	if (a->auth != b->auth || a->nsub != b->nsub)
		return 0;
	for (i = 0; i < a->nsub && i < ACL_SID_SUB_MAX; i++)
		if (a->sub[i] != b->sub[i])
			return 0;
	return 1;
}

void
acl_sidowner_keep(struct acl *to, const struct acl *from)
{
	if ((from->sidowner & ACL_SIDOWNER_OWNER) &&
	    !(to->sidowner & ACL_SIDOWNER_OWNER)) {
		to->owner_sid = from->owner_sid;
		to->sidowner |= ACL_SIDOWNER_OWNER;
	}
	if ((from->sidowner & ACL_SIDOWNER_GROUP) &&
	    !(to->sidowner & ACL_SIDOWNER_GROUP)) {
		to->group_sid = from->group_sid;
		to->sidowner |= ACL_SIDOWNER_GROUP;
	}
}

int
acl_sid_add(struct acl *acl, const struct acl_sid *s)
{
	size_t i;

	if (s->nsub > ACL_SID_SUB_MAX || s->auth >> 48 != 0 ||
	    acl->nsids > ACL_SIDS_MAX)
		return -EINVAL;
	for (i = 0; i < acl->nsids; i++)
		if (acl_sid_equal(&acl->sid[i], s))
			return (int)i;
	if (acl->nsids == ACL_SIDS_MAX)
		return -ENOSPC;
	memset(&acl->sid[i], 0, sizeof(acl->sid[i]));
	acl->sid[i].auth = s->auth;
	acl->sid[i].nsub = s->nsub;
	memcpy(acl->sid[i].sub, s->sub, s->nsub * sizeof(s->sub[0]));
	acl->nsids++;
	return (int)i;
}

int
acl_add_sid_ace(struct acl *acl, uint8_t type, uint16_t flags,
    uint32_t mask, const struct acl_sid *s)
{
	int idx;

	if (acl->count >= ACL_ACES_MAX)
		return -ENOSPC;
	if ((idx = acl_sid_add(acl, s)) < 0)
		return idx;
	return acl_add(acl, type, ACL_WHO_SID, flags, mask, (uint32_t)idx);
}

const struct acl_sid *
acl_ace_sid(const struct acl *acl, const struct acl_ace *a)
{
	if (a->who != ACL_WHO_SID || a->id >= acl->nsids ||
	    a->id >= ACL_SIDS_MAX)
		return NULL;
	return &acl->sid[a->id];
}

/* MS-DTYP 2.4.2.1: the string form of a SID. */
int
acl_sid_parse(const char *str, size_t len, struct acl_sid *s)
{
	uint64_t v;
	size_t i = 4, start;
	int n = -1;

	memset(s, 0, sizeof(*s));
	if (len < 5 || memcmp(str, "S-1-", 4) != 0)
		return -EINVAL;
	for (;;) {
		start = i;
		v = 0;
		while (i < len && str[i] >= '0' && str[i] <= '9') {
			v = v * 10 + (uint64_t)(str[i] - '0');
			/* No leading zeros: one string per SID. */
			if (v >> 48 != 0 || (i > start && str[start] == '0'))
				return -EINVAL;
			i++;
		}
		if (i == start)
			return -EINVAL;
		if (n < 0)
			s->auth = v;
		else if (n >= ACL_SID_SUB_MAX || v > UINT32_MAX)
			return -EINVAL;
		else
			s->sub[n] = (uint32_t)v;
		n++;
		if (i == len)
			break;
		if (str[i++] != '-')
			return -EINVAL;
	}
	s->nsub = (uint8_t)n;
	return 0;
}

size_t
acl_sid_format(const struct acl_sid *s, char *buf, size_t size)
{
	char tmp[ACL_SID_STRING_MAX + 1];
	size_t n, i;

	n = (size_t)snprintf(tmp, sizeof(tmp), "S-1-%llu",
	    (unsigned long long)s->auth);
	for (i = 0; i < s->nsub && i < ACL_SID_SUB_MAX; i++)
		n += (size_t)snprintf(tmp + n, sizeof(tmp) - n, "-%lu",
		    (unsigned long)s->sub[i]);
	if (size > 0) {
		memcpy(buf, tmp, n < size ? n : size - 1);
		buf[n < size ? n : size - 1] = '\0';
	}
	return n;
}

/* The minimal ACL of mode, appended to acl (room checked by callers). */
static int
acl_add_mode(struct acl *acl, uint32_t mode, int is_dir)
{
	uint32_t u = (mode >> 6) & 7, g = (mode >> 3) & 7, o = mode & 7;
	uint32_t m;
	int rv;

	/* The owner: its bits, and nothing that GROUP@/EVERYONE@ give. */
	if ((rv = acl_add(acl, ACL_TYPE_ALLOW, ACL_WHO_OWNER, 0,
	    acl_mode_mask(u, is_dir) | ACL_BASE_EVERYONE | ACL_BASE_OWNER,
	    0)) != 0)
		return rv;
	if ((m = acl_mode_mask((g | o) & ~u, is_dir)) != 0 &&
	    (rv = acl_add(acl, ACL_TYPE_DENY, ACL_WHO_OWNER, 0, m, 0)) != 0)
		return rv;
	/* The group: its bits, and nothing more that EVERYONE@ gives. */
	if ((m = acl_mode_mask(g, is_dir)) != 0 &&
	    (rv = acl_add(acl, ACL_TYPE_ALLOW, ACL_WHO_GROUP, 0, m, 0)) != 0)
		return rv;
	if ((m = acl_mode_mask(o & ~g, is_dir)) != 0 &&
	    (rv = acl_add(acl, ACL_TYPE_DENY, ACL_WHO_GROUP, 0, m, 0)) != 0)
		return rv;
	return acl_add(acl, ACL_TYPE_ALLOW, ACL_WHO_EVERYONE, 0,
	    acl_mode_mask(o, is_dir) | ACL_BASE_EVERYONE, 0);
}

/* RFC 8881 6.4.1: setting the mode, no ACL given */
void
acl_from_mode(uint32_t mode, int is_dir, struct acl *acl)
{
	acl->aclflags = 0;
	acl->count = 0;
	acl->nsids = 0;
	acl->sidowner = 0;
	(void)acl_add_mode(acl, mode, is_dir);	/* at most 5 ACEs */
}

/*
 * r, w and x of one mode class: the ACL walked for the special whos in
 * whos (ACL_WHO_* bits) only, as for a caller who is exactly that class.
 */
static uint32_t
acl_class_bits(const struct acl *acl, unsigned int whos)
{
	const uint32_t want = ACL_READ_DATA | ACL_WRITE_DATA | ACL_EXECUTE;
	const struct acl_ace *a;
	uint32_t allowed = 0, denied = 0, bits = 0;
	size_t i;

	for (i = 0; i < acl->count && allowed != want; i++) {
		a = &acl->ace[i];
		if (!acl_ace_effective(a) || acl_ace_named(a) ||
		    !(whos & (1u << a->who)))
			continue;
		if (a->type == ACL_TYPE_ALLOW)
			allowed |= a->mask & want & ~denied;
		else
			denied |= a->mask & want & ~allowed;
	}
	if (allowed & ACL_READ_DATA)
		bits |= 4;
	if (allowed & ACL_WRITE_DATA)
		bits |= 2;
	if (allowed & ACL_EXECUTE)
		bits |= 1;
	return bits;
}

/* RFC 8881 6.4.2: the mode that agrees with the ACL */
uint32_t
acl_to_mode(const struct acl *acl, int is_dir)
{
	const unsigned int owner = 1u << ACL_WHO_OWNER;
	const unsigned int group = 1u << ACL_WHO_GROUP;
	const unsigned int every = 1u << ACL_WHO_EVERYONE;

	(void)is_dir;
	return acl_class_bits(acl, owner | every) << 6 |
	    acl_class_bits(acl, group | every) << 3 |
	    acl_class_bits(acl, every);
}

int
acl_is_trivial(const struct acl *acl, int is_dir)
{
	struct acl m;
	size_t i;

	if (acl->aclflags != 0 || acl->sidowner != 0)
		return 0;	/* a mode has no place for them */
	acl_from_mode(acl_to_mode(acl, is_dir), is_dir, &m);
	if (m.count != acl->count)
		return 0;
	for (i = 0; i < m.count; i++)
		if (m.ace[i].type != acl->ace[i].type ||
		    m.ace[i].who != acl->ace[i].who ||
		    m.ace[i].flags != acl->ace[i].flags ||
		    m.ace[i].mask != acl->ace[i].mask ||
		    m.ace[i].id != acl->ace[i].id)
			return 0;
	return 1;
}

/* RFC 8881 6.4.1.1 and 6.4.1.2: setting the mode of an object with an ACL */
int
acl_chmod(const struct acl *in, uint32_t mode, int is_dir, struct acl *out)
{
	const struct acl_ace *a;
	uint32_t rwx_all, lacking;
	size_t i;
	int rv;

	rwx_all = acl_mode_mask(7, is_dir);
	lacking = rwx_all & ~acl_mode_mask((mode >> 3) & 7, is_dir);
	out->aclflags = in->aclflags;
	out->count = 0;
	out->nsids = 0;
	out->sidowner = 0;
	acl_sidowner_keep(out, in);	/* a chmod keeps the owner */
	for (i = 0; i < in->count; i++) {
		a = &in->ace[i];
		if (!acl_ace_named(a) &&
		    (a->type == ACL_TYPE_ALLOW || a->type == ACL_TYPE_DENY)) {
			/* The mode replaces these; what they pass on stays. */
			if (!is_dir || !(a->flags & (ACL_FLAG_FILE_INHERIT |
			    ACL_FLAG_DIRECTORY_INHERIT)))
				continue;
			if ((rv = acl_add(out, a->type, a->who,
			    a->flags | ACL_FLAG_INHERIT_ONLY, a->mask,
			    a->id)) != 0)
				return rv;
			continue;
		}
		if ((rv = acl_add_from(out, in, a, a->flags,
		    a->type == ACL_TYPE_ALLOW &&
		    !(a->flags & ACL_FLAG_INHERIT_ONLY) ?
		    a->mask & ~lacking : a->mask)) != 0)
			return rv;
	}
	return acl_add_mode(out, mode, is_dir);
}

/* An INHERIT_ONLY OWNER@ or GROUP@: SMB's CREATOR OWNER, CREATOR GROUP. */
static int
acl_ace_creator(const struct acl_ace *a)
{
	return (a->who == ACL_WHO_OWNER || a->who == ACL_WHO_GROUP) &&
	    (a->flags & ACL_FLAG_INHERIT_ONLY);
}

/* RFC 8881 6.4.3, MS-DTYP 2.5.3.4.2: creating an object in a directory */
int
acl_inherit(const struct acl *parent, int is_dir, uint32_t owner,
    uint32_t group, struct acl *out)
{
	const uint16_t clear = ACL_FLAGS_INHERIT | ACL_FLAG_INHERITED;
	const struct acl_ace *a;
	size_t i;
	int effective = 0;
	uint16_t f, inherited;
	int applies, passes;

	out->count = 0;
	out->nsids = 0;
	out->sidowner = 0;	/* a new object's owner is its creator */
	out->aclflags = parent->aclflags & ACL_AUTO_INHERIT;
	inherited = (parent->aclflags & ACL_AUTO_INHERIT) ?
	    ACL_FLAG_INHERITED : 0;
	for (i = 0; i < parent->count; i++) {
		a = &parent->ace[i];
		f = a->flags;
		applies = (f & (is_dir ? ACL_FLAG_DIRECTORY_INHERIT :
		    ACL_FLAG_FILE_INHERIT)) != 0;
		/* A directory passes it on to its own children. */
		passes = is_dir && !(f & ACL_FLAG_NO_PROPAGATE_INHERIT) &&
		    (f & (ACL_FLAG_FILE_INHERIT | ACL_FLAG_DIRECTORY_INHERIT));
		if (applies && (!passes || acl_ace_creator(a))) {
			/* For the object alone; a creator's becomes an id. */
			if (acl_ace_creator(a)) {
				if (acl_add(out, a->type, ACL_WHO_ID,
				    (uint16_t)((f & ~clear &
				    ~ACL_FLAG_IDENTIFIER_GROUP) | inherited |
				    (a->who == ACL_WHO_GROUP ?
				    ACL_FLAG_IDENTIFIER_GROUP : 0)), a->mask,
				    a->who == ACL_WHO_GROUP ? group : owner) != 0)
					return -ENOSPC;
			} else if (acl_add_from(out, parent, a,
			    (uint16_t)((f & ~clear) | inherited), a->mask) != 0)
				return -ENOSPC;
			effective++;
			applies = 0;	/* what passes on is INHERIT_ONLY */
		}
		if (applies) {
			/* Both for the directory and for its children. */
			f &= (uint16_t)~(ACL_FLAG_INHERIT_ONLY |
			    ACL_FLAG_INHERITED);
			effective++;
		} else if (passes)
			f = (uint16_t)((f & ~ACL_FLAG_INHERITED) |
			    ACL_FLAG_INHERIT_ONLY);
		else
			continue;
		if (acl_add_from(out, parent, a, f | inherited, a->mask) != 0)
			return -ENOSPC;
	}
	return effective;
}

/* MS-DTYP 2.5.3.4.2: the token's default DACL */
void
acl_windows_default(uint32_t owner, struct acl *acl)
{
	const struct acl_sid system = { .auth = 5, .nsub = 1, .sub = { 18 } };

	acl->aclflags = 0;
	acl->count = 0;
	acl->nsids = 0;
	acl->sidowner = 0;
	(void)acl_add(acl, ACL_TYPE_ALLOW, ACL_WHO_ID, 0, ACL_MASK_ALL, owner);
	(void)acl_add_sid_ace(acl, ACL_TYPE_ALLOW, 0, ACL_MASK_ALL, &system);
}

static void
acl_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
acl_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* One SID in the stored form: sub-authority count, authority, subs. */
static uint8_t *
acl_sid_put(uint8_t *p, const struct acl_sid *s)
{
	size_t k;

	*p++ = s->nsub;
	for (k = 0; k < 6; k++)
		*p++ = (uint8_t)(s->auth >> (8 * (5 - k)));
	for (k = 0; k < s->nsub; k++, p += 4)
		acl_put32(p, s->sub[k]);
	return p;
}

/* One SID of the stored form at *pp (advanced), bounded by end. */
static int
acl_sid_get(const uint8_t **pp, const uint8_t *end, struct acl_sid *s)
{
	const uint8_t *p = *pp;
	size_t k;

	if (end - p < 7 || p[0] > ACL_SID_SUB_MAX ||
	    (size_t)(end - p - 7) < 4 * (size_t)p[0])
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->nsub = *p++;
	for (k = 0; k < 6; k++)
		s->auth = s->auth << 8 | *p++;
	for (k = 0; k < s->nsub; k++, p += 4)
		s->sub[k] = acl_get32(p);
	*pp = p;
	return 0;
}

static int
acl_sid_bad(const struct acl_sid *s)
{
	return s->nsub > ACL_SID_SUB_MAX || s->auth >> 48 != 0;
}

/*
 * The stored form, big-endian: version (1 byte), ACE count (2), in
 * version 2 the SID count (1), then per ACE type (1), who (1), flags
 * (2), mask (4), id (4), then in version 2 per SID its sub-authority
 * count (1), authority (6) and sub-authorities (4 each).  A SID ACE's
 * id indexes the encoded table, which holds the SIDs that ACEs name in
 * order of first use (acl's own table may hold others, or another
 * order).  Versions 3 and 4 as common/acl.h says.
 */
int
acl_encode(const struct acl *acl, uint8_t *buf, size_t bufsize,
    size_t *len)
{
	const struct acl_sid *used[ACL_SIDS_MAX], *s;
	const struct acl_ace *a;
	uint32_t ids[ACL_ACES_MAX];
	uint8_t *p;
	size_t i, j, need, nused = 0, header;

	if (acl->count > ACL_ACES_MAX)
		return -EINVAL;
	for (i = 0; i < acl->count; i++) {
		a = &acl->ace[i];
		ids[i] = a->id;
		if (a->who != ACL_WHO_SID)
			continue;
		if ((s = acl_ace_sid(acl, a)) == NULL ||
		    s->nsub > ACL_SID_SUB_MAX || s->auth >> 48 != 0)
			return -EINVAL;
		for (j = 0; j < nused && !acl_sid_equal(used[j], s); j++)
			;
		if (j == nused) {
			if (nused == ACL_SIDS_MAX)
				return -EINVAL;
			used[nused++] = s;
		}
		ids[i] = (uint32_t)j;
	}
	if ((acl->aclflags & ~(uint32_t)(ACL_ACLFLAGS_ALL | ACL_FLAGS_UNSAID)) ||
	    (acl->sidowner & ~(uint32_t)ACL_SIDOWNER_ALL) ||
	    ((acl->sidowner & ACL_SIDOWNER_OWNER) &&
	    acl_sid_bad(&acl->owner_sid)) ||
	    ((acl->sidowner & ACL_SIDOWNER_GROUP) &&
	    acl_sid_bad(&acl->group_sid)))
		return -EINVAL;
	header = nused > 0 || acl->aclflags != 0 || acl->sidowner != 0 ?
	    ACL_HEADER_SID_SIZE : ACL_HEADER_SIZE;
	need = header + ACL_ACE_SIZE * acl->count;
	for (j = 0; j < nused; j++)
		need += 7 + 4 * (size_t)used[j]->nsub;
	if (acl->sidowner != 0)
		need++;
	if (acl->sidowner & ACL_SIDOWNER_OWNER)
		need += 7 + 4 * (size_t)acl->owner_sid.nsub;
	if (acl->sidowner & ACL_SIDOWNER_GROUP)
		need += 7 + 4 * (size_t)acl->group_sid.nsub;
	if (bufsize < need)
		return -ERANGE;
	if (acl->aclflags != 0 || acl->sidowner != 0) {
		buf[0] = acl->sidowner != 0 ? ACL_VERSION_OWNER :
		    ACL_VERSION_FLAGS;
		buf[1] = (uint8_t)acl->aclflags;
		buf[2] = (uint8_t)acl->count;	/* <= ACL_ACES_MAX */
		buf[3] = (uint8_t)nused;
	} else {
		buf[0] = nused > 0 ? ACL_VERSION_SID : ACL_VERSION;
		buf[1] = (uint8_t)(acl->count >> 8);
		buf[2] = (uint8_t)acl->count;
		if (nused > 0)
			buf[3] = (uint8_t)nused;
	}
	p = buf + header;
	for (i = 0; i < acl->count; i++, p += ACL_ACE_SIZE) {
		a = &acl->ace[i];
		p[0] = a->type;
		p[1] = a->who;
		p[2] = (uint8_t)(a->flags >> 8);
		p[3] = (uint8_t)a->flags;
		acl_put32(p + 4, a->mask);
		acl_put32(p + 8, ids[i]);
	}
	for (j = 0; j < nused; j++)
		p = acl_sid_put(p, used[j]);
	if (acl->sidowner != 0) {
		*p++ = (uint8_t)acl->sidowner;
		if (acl->sidowner & ACL_SIDOWNER_OWNER)
			p = acl_sid_put(p, &acl->owner_sid);
		if (acl->sidowner & ACL_SIDOWNER_GROUP)
			p = acl_sid_put(p, &acl->group_sid);
	}
	*len = need;
	return 0;
}

int
acl_decode(const uint8_t *buf, size_t len, struct acl *acl)
{
	struct acl_ace *a;
	struct acl_sid *s;
	const uint8_t *p, *end;
	size_t i, j, k, count, nsids = 0, header, named = 0;
	uint32_t aclflags = 0;

	acl->aclflags = 0;
	acl->count = 0;
	acl->nsids = 0;
	acl->sidowner = 0;
	if (len < ACL_HEADER_SIZE || (buf[0] != ACL_VERSION &&
	    buf[0] != ACL_VERSION_SID && buf[0] != ACL_VERSION_FLAGS &&
	    buf[0] != ACL_VERSION_OWNER))
		return -EINVAL;
	header = ACL_HEADER_SIZE;
	count = (size_t)buf[1] << 8 | buf[2];
	if (buf[0] == ACL_VERSION_FLAGS || buf[0] == ACL_VERSION_OWNER) {
		/* Flags, known (some in version 3); then as version 2. */
		if (len < ACL_HEADER_SID_SIZE ||
		    (buf[0] == ACL_VERSION_FLAGS && buf[1] == 0) ||
		    (buf[1] & ~(ACL_ACLFLAGS_ALL | ACL_FLAGS_UNSAID)) ||
		    buf[3] > ACL_SIDS_MAX)
			return -EINVAL;
		aclflags = buf[1];
		count = buf[2];
		nsids = buf[3];
		header = ACL_HEADER_SID_SIZE;
	} else if (buf[0] == ACL_VERSION_SID) {
		if (len < ACL_HEADER_SID_SIZE)
			return -EINVAL;
		nsids = buf[3];
		header = ACL_HEADER_SID_SIZE;
		/* Version 2 is for ACLs with a SID, and no more than fit. */
		if (nsids == 0 || nsids > ACL_SIDS_MAX)
			return -EINVAL;
	}
	if (count > ACL_ACES_MAX || (len - header) / ACL_ACE_SIZE < count)
		return -EINVAL;
	if (nsids == 0 && buf[0] != ACL_VERSION_OWNER &&
	    len != header + ACL_ACE_SIZE * count)
		return -EINVAL;
	p = buf + header;
	for (i = 0; i < count; i++, p += ACL_ACE_SIZE) {
		a = &acl->ace[i];
		a->type = p[0];
		a->who = p[1];
		a->flags = (uint16_t)(p[2] << 8 | p[3]);
		a->mask = acl_get32(p + 4);
		a->id = acl_get32(p + 8);
		if (a->type > ACL_TYPE_ALARM ||
		    a->who < ACL_WHO_OWNER || a->who > ACL_WHO_SID ||
		    (a->flags & ~ACL_FLAGS_ALL) ||
		    (a->mask & ~ACL_MASK_ALL))
			return -EINVAL;
		/* Audit flags belong to AUDIT and ALARM ACEs. */
		if ((a->type == ACL_TYPE_ALLOW || a->type == ACL_TYPE_DENY) &&
		    (a->flags & (ACL_FLAG_SUCCESSFUL_ACCESS |
		    ACL_FLAG_FAILED_ACCESS)))
			return -EINVAL;
		/* The table in order of first use: the next, or a seen one. */
		if (a->who == ACL_WHO_SID) {
			if (a->id > named || a->id >= nsids)
				return -EINVAL;
			if (a->id == named)
				named++;
			continue;
		}
		/* A special who names nobody else. */
		if (a->who != ACL_WHO_ID && (a->id != 0 ||
		    ((a->flags & ACL_FLAG_IDENTIFIER_GROUP) &&
		    a->who != ACL_WHO_GROUP)))
			return -EINVAL;
	}
	if (named != nsids)
		return -EINVAL;
	end = buf + len;
	for (j = 0; j < nsids; j++) {
		s = &acl->sid[j];
		if (acl_sid_get(&p, end, s) != 0)
			return -EINVAL;
		for (k = 0; k < j; k++)
			if (acl_sid_equal(&acl->sid[k], s))
				return -EINVAL;
	}
	if (buf[0] == ACL_VERSION_OWNER) {
		/* Version 4: which of the two follow, some and known. */
		if (p == end || *p == 0 || (*p & ~ACL_SIDOWNER_ALL))
			return -EINVAL;
		acl->sidowner = *p++;
		if (((acl->sidowner & ACL_SIDOWNER_OWNER) &&
		    acl_sid_get(&p, end, &acl->owner_sid) != 0) ||
		    ((acl->sidowner & ACL_SIDOWNER_GROUP) &&
		    acl_sid_get(&p, end, &acl->group_sid) != 0)) {
			acl->sidowner = 0;
			return -EINVAL;
		}
	}
	if (p != end) {
		acl->sidowner = 0;
		return -EINVAL;
	}
	acl->aclflags = aclflags;
	acl->count = count;
	acl->nsids = nsids;
	return 0;
}
