/*
 * common/acl.c: the NFSv4 ACL model (RFC 8881 section 6): evaluation,
 * the mode <-> ACL mapping, chmod, inheritance and the stored encoding.
 * See acl.h for the contract of each function.
 */
#include <errno.h>
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

/* RFC 8881 6.2.1.5: does the ACE's who include the caller? */
static int
acl_ace_matches(const struct acl_ace *a, uint32_t owner, uint32_t group,
    const struct acl_cred *c)
{
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
	default:
		return 0;
	}
}

/* An ALLOW or DENY ACE that applies to the object itself. */
static int
acl_ace_effective(const struct acl_ace *a)
{
	return (a->type == ACL_TYPE_ALLOW || a->type == ACL_TYPE_DENY) &&
	    !(a->flags & ACL_FLAG_INHERIT_ONLY);
}

/* RFC 8881 6.2.1: evaluation */
uint32_t
acl_access(const struct acl *acl, uint32_t owner, uint32_t group,
    int is_dir, const struct acl_cred *c, uint32_t want)
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
		allowed = want & ACL_OWNER_ALWAYS;
	for (i = 0; i < acl->count && allowed != want; i++) {
		a = &acl->ace[i];
		if (!acl_ace_effective(a) ||
		    !acl_ace_matches(a, owner, group, c))
			continue;
		/* A bit is decided by the first ACE that names it. */
		if (a->type == ACL_TYPE_ALLOW)
			allowed |= a->mask & want & ~denied;
		else
			denied |= a->mask & want & ~allowed;
	}
	return allowed;
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
	acl->count = 0;
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
		if (!acl_ace_effective(a) || a->who == ACL_WHO_ID ||
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
	out->count = 0;
	for (i = 0; i < in->count; i++) {
		a = &in->ace[i];
		if (a->who != ACL_WHO_ID &&
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
		if ((rv = acl_add(out, a->type, a->who, a->flags,
		    a->type == ACL_TYPE_ALLOW &&
		    !(a->flags & ACL_FLAG_INHERIT_ONLY) ?
		    a->mask & ~lacking : a->mask, a->id)) != 0)
			return rv;
	}
	return acl_add_mode(out, mode, is_dir);
}

/* RFC 8881 6.4.3: creating an object in a directory with an ACL */
size_t
acl_inherit(const struct acl *parent, int is_dir, struct acl *out)
{
	const struct acl_ace *a;
	size_t i, effective = 0;
	uint16_t f;

	out->count = 0;
	for (i = 0; i < parent->count; i++) {
		a = &parent->ace[i];
		f = a->flags;
		if (!is_dir) {
			if (!(f & ACL_FLAG_FILE_INHERIT))
				continue;
			f &= ~(uint16_t)ACL_FLAGS_INHERIT;
		} else if (f & ACL_FLAG_DIRECTORY_INHERIT) {
			if (f & ACL_FLAG_NO_PROPAGATE_INHERIT)
				f &= ~(uint16_t)ACL_FLAGS_INHERIT;
			else
				f &= ~(uint16_t)ACL_FLAG_INHERIT_ONLY;
		} else if (f & ACL_FLAG_FILE_INHERIT) {
			/* Not for the directory: for the files it will hold. */
			if (f & ACL_FLAG_NO_PROPAGATE_INHERIT)
				continue;
			f |= ACL_FLAG_INHERIT_ONLY;
		} else
			continue;
		f |= ACL_FLAG_INHERITED;
		if (acl_add(out, a->type, a->who, f, a->mask, a->id) != 0)
			break;	/* cannot happen: out has parent's room */
		if (!(f & ACL_FLAG_INHERIT_ONLY))
			effective++;
	}
	return effective;
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

/*
 * The stored form, big-endian: version (1 byte), ACE count (2), then per
 * ACE type (1), who (1), flags (2), mask (4), id (4).
 */
int
acl_encode(const struct acl *acl, uint8_t *buf, size_t bufsize,
    size_t *len)
{
	const struct acl_ace *a;
	uint8_t *p;
	size_t i, need;

	if (acl->count > ACL_ACES_MAX)
		return -EINVAL;
	need = ACL_HEADER_SIZE + ACL_ACE_SIZE * acl->count;
	if (bufsize < need)
		return -ERANGE;
	buf[0] = ACL_VERSION;
	buf[1] = (uint8_t)(acl->count >> 8);
	buf[2] = (uint8_t)acl->count;
	p = buf + ACL_HEADER_SIZE;
	for (i = 0; i < acl->count; i++, p += ACL_ACE_SIZE) {
		a = &acl->ace[i];
		p[0] = a->type;
		p[1] = a->who;
		p[2] = (uint8_t)(a->flags >> 8);
		p[3] = (uint8_t)a->flags;
		acl_put32(p + 4, a->mask);
		acl_put32(p + 8, a->id);
	}
	*len = need;
	return 0;
}

int
acl_decode(const uint8_t *buf, size_t len, struct acl *acl)
{
	struct acl_ace *a;
	const uint8_t *p;
	size_t i, count;

	acl->count = 0;
	if (len < ACL_HEADER_SIZE || buf[0] != ACL_VERSION)
		return -EINVAL;
	count = (size_t)buf[1] << 8 | buf[2];
	if (count > ACL_ACES_MAX ||
	    len != ACL_HEADER_SIZE + ACL_ACE_SIZE * count)
		return -EINVAL;
	p = buf + ACL_HEADER_SIZE;
	for (i = 0; i < count; i++, p += ACL_ACE_SIZE) {
		a = &acl->ace[i];
		a->type = p[0];
		a->who = p[1];
		a->flags = (uint16_t)(p[2] << 8 | p[3]);
		a->mask = acl_get32(p + 4);
		a->id = acl_get32(p + 8);
		if (a->type > ACL_TYPE_ALARM ||
		    a->who < ACL_WHO_OWNER || a->who > ACL_WHO_ID ||
		    (a->flags & ~ACL_FLAGS_ALL) ||
		    (a->mask & ~ACL_MASK_ALL))
			return -EINVAL;
		/* Audit flags belong to AUDIT and ALARM ACEs. */
		if ((a->type == ACL_TYPE_ALLOW || a->type == ACL_TYPE_DENY) &&
		    (a->flags & (ACL_FLAG_SUCCESSFUL_ACCESS |
		    ACL_FLAG_FAILED_ACCESS)))
			return -EINVAL;
		/* A special who names nobody else. */
		if (a->who != ACL_WHO_ID && (a->id != 0 ||
		    ((a->flags & ACL_FLAG_IDENTIFIER_GROUP) &&
		    a->who != ACL_WHO_GROUP)))
			return -EINVAL;
	}
	acl->count = count;
	return 0;
}
