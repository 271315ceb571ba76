/*
 * SMB security descriptors <-> the store's NFSv4 ACL model; the rules
 * are in secdesc.h.  Every offset and length read from the wire is
 * checked against the buffer before use.
 */
#include <string.h>

#include "secdesc.h"
#include "smb2.h"

#define SID_AUTH_WORLD		1
#define SID_AUTH_CREATOR	3
#define SID_AUTH_UNIX		22
#define SID_CREATOR_OWNER	0
#define SID_CREATOR_GROUP	1
#define SID_OWNER_RIGHTS	4
#define SID_UNIX_USER		1
#define SID_UNIX_GROUP		2

#define ACE_ALLOWED		0
#define ACE_DENIED		1
#define ACE_OI			0x01
#define ACE_CI			0x02
#define ACE_NP			0x04
#define ACE_IO			0x08
#define ACE_INHERITED		0x10

#define SD_HEADER		20
#define ACL_HEADER		8
#define ACE_HEADER		8

/*
 * MS-DTYP 2.4.2.2: one SID at buf[off..len).  0 and its size, or -1 if
 * malformed.
 */
static int
sid_read(const uint8_t *buf, size_t len, size_t off, struct acl_sid *s,
    size_t *size)
{
	size_t n, i;

	if (off > len || len - off < 8 || buf[off] != 1)
		return -1;
	n = buf[off + 1];
	if (n > ACL_SID_SUB_MAX || len - off - 8 < 4 * n)
		return -1;
	memset(s, 0, sizeof(*s));
	for (i = 0; i < 6; i++)
		s->auth = s->auth << 8 | buf[off + 2 + i];
	s->nsub = (uint8_t)n;
	for (i = 0; i < n; i++)
		s->sub[i] = smb2_get32(buf + off + 8 + 4 * i);
	*size = 8 + 4 * n;
	return 0;
}

static size_t
sid_write(uint8_t *p, const struct acl_sid *s)
{
	size_t i;

	p[0] = 1;
	p[1] = s->nsub;
	for (i = 0; i < 6; i++)
		p[2 + i] = (uint8_t)(s->auth >> (8 * (5 - i)));
	for (i = 0; i < s->nsub && i < ACL_SID_SUB_MAX; i++)
		smb2_put32(p + 8 + 4 * i, s->sub[i]);
	return 8 + 4 * (size_t)s->nsub;
}

/* A SID of one or two sub-authorities, written. */
static size_t
sid_write2(uint8_t *p, uint64_t auth, uint8_t nsub, uint32_t sub0,
    uint32_t sub1)
{
	struct acl_sid s;

	memset(&s, 0, sizeof(s));
	s.auth = auth;
	s.nsub = nsub;
	s.sub[0] = sub0;
	s.sub[1] = sub1;
	return sid_write(p, &s);
}

static int
sid_is(const struct acl_sid *s, uint64_t auth, uint8_t nsub, uint32_t sub0)
{
	return s->auth == auth && s->nsub == nsub && s->sub[0] == sub0;
}

/* MS-SMB2 2.2.13.1.1 and MS-DTYP 2.4.3: generic rights to file rights. */
uint32_t
secdesc_mask_to_acl(uint32_t m)
{
	uint32_t out = m & ACL_MASK_ALL;

	if (m & SECDESC_GENERIC_ALL)
		out |= ACL_MASK_ALL;
	if (m & SECDESC_GENERIC_READ)
		out |= ACL_READ_ACL | ACL_SYNCHRONIZE | ACL_READ_DATA |
		    ACL_READ_ATTRIBUTES | ACL_READ_NAMED_ATTRS;
	if (m & SECDESC_GENERIC_WRITE)
		out |= ACL_READ_ACL | ACL_SYNCHRONIZE | ACL_WRITE_DATA |
		    ACL_APPEND_DATA | ACL_WRITE_ATTRIBUTES |
		    ACL_WRITE_NAMED_ATTRS;
	if (m & SECDESC_GENERIC_EXECUTE)
		out |= ACL_READ_ACL | ACL_SYNCHRONIZE | ACL_READ_ATTRIBUTES |
		    ACL_EXECUTE;
	return out;
}

/*
 * One ACE's SID to its who: a SID with no rule of its own is kept in
 * the ACL's table (STATUS_INVALID_ACL when that is full).
 */
static uint32_t
secdesc_ace_who(const struct acl_sid *s, struct acl *acl, struct acl_ace *a)
{
	int idx;

	a->id = 0;
	if (sid_is(s, SID_AUTH_WORLD, 1, 0))
		a->who = ACL_WHO_EVERYONE;
	else if (sid_is(s, SID_AUTH_CREATOR, 1, SID_OWNER_RIGHTS))
		a->who = ACL_WHO_OWNER;
	else if (sid_is(s, SID_AUTH_CREATOR, 1, SID_CREATOR_OWNER)) {
		/* Windows evaluates CREATOR OWNER only when inherited. */
		a->who = ACL_WHO_OWNER;
		a->flags |= ACL_FLAG_INHERIT_ONLY;
	} else if (sid_is(s, SID_AUTH_CREATOR, 1, SID_CREATOR_GROUP)) {
		a->who = ACL_WHO_GROUP;
	} else if (sid_is(s, SID_AUTH_UNIX, 2, SID_UNIX_USER)) {
		a->who = ACL_WHO_ID;
		a->id = s->sub[1];
	} else if (sid_is(s, SID_AUTH_UNIX, 2, SID_UNIX_GROUP)) {
		a->who = ACL_WHO_ID;
		a->id = s->sub[1];
		a->flags |= ACL_FLAG_IDENTIFIER_GROUP;
	} else {
		if ((idx = acl_sid_add(acl, s)) < 0)
			return STATUS_INVALID_ACL;
		a->who = ACL_WHO_SID;
		a->id = (uint32_t)idx;
	}
	return 0;
}

/* MS-DTYP 2.4.5: an ACL at buf[off..len) into the model. */
static uint32_t
secdesc_acl_read(const uint8_t *buf, size_t len, size_t off,
    struct acl *acl)
{
	size_t size, count, i, p, end, sidlen;
	struct acl_ace *a;
	struct acl_sid s;
	uint32_t st;
	uint8_t f;

	acl->aclflags = 0;
	acl->count = 0;
	acl->nsids = 0;
	acl->sidowner = 0;
	if (off > len || len - off < ACL_HEADER ||
	    (buf[off] != 2 && buf[off] != 4))
		return STATUS_INVALID_ACL;
	size = smb2_get16(buf + off + 2);
	count = smb2_get16(buf + off + 4);
	if (size < ACL_HEADER || size > len - off)
		return STATUS_INVALID_ACL;
	end = off + size;
	if (count == 0) {
		/* Empty: nobody is granted anything. */
		a = &acl->ace[acl->count++];
		memset(a, 0, sizeof(*a));
		a->type = ACL_TYPE_ALLOW;
		a->who = ACL_WHO_EVERYONE;
		return 0;
	}
	if (count > ACL_ACES_MAX)
		return STATUS_INVALID_ACL;
	for (i = 0, p = off + ACL_HEADER; i < count; i++, p += size) {
		if (end - p < ACE_HEADER)
			return STATUS_INVALID_ACL;
		size = smb2_get16(buf + p + 2);
		if (size < ACE_HEADER + 8 || size > end - p || (size & 3))
			return STATUS_INVALID_ACL;
		if (buf[p] != ACE_ALLOWED && buf[p] != ACE_DENIED)
			return STATUS_INVALID_ACL;
		if (sid_read(buf, p + size, p + ACE_HEADER, &s, &sidlen) != 0)
			return STATUS_INVALID_SID;
		a = &acl->ace[acl->count];
		memset(a, 0, sizeof(*a));
		a->type = buf[p] == ACE_ALLOWED ? ACL_TYPE_ALLOW :
		    ACL_TYPE_DENY;
		f = buf[p + 1];
		if (f & ACE_OI)
			a->flags |= ACL_FLAG_FILE_INHERIT;
		if (f & ACE_CI)
			a->flags |= ACL_FLAG_DIRECTORY_INHERIT;
		if (f & ACE_NP)
			a->flags |= ACL_FLAG_NO_PROPAGATE_INHERIT;
		if (f & ACE_IO)
			a->flags |= ACL_FLAG_INHERIT_ONLY;
		if (f & ACE_INHERITED)
			a->flags |= ACL_FLAG_INHERITED;
		a->mask = secdesc_mask_to_acl(smb2_get32(buf + p + 4));
		if ((st = secdesc_ace_who(&s, acl, a)) != 0)
			return st;
		acl->count++;
	}
	return 0;
}

void
secdesc_null_dacl(struct acl *acl)
{
	acl->aclflags = 0;
	acl->count = 1;
	acl->nsids = 0;
	acl->sidowner = 0;
	memset(&acl->ace[0], 0, sizeof(acl->ace[0]));
	acl->ace[0].type = ACL_TYPE_ALLOW;
	acl->ace[0].who = ACL_WHO_EVERYONE;
	acl->ace[0].mask = ACL_MASK_ALL;
}

/*
 * MS-DTYP 2.4.6: the DACL's control bits kept with the ACL (RFC 8881
 * 6.4.3.3's aclflag4).  SE_DACL_AUTO_INHERITED is taken only with
 * SE_DACL_AUTO_INHERIT_REQ, which asks for it to be set (as Windows
 * does: a client alone does not claim the DACL was computed by
 * inheritance).
 */
static uint32_t
secdesc_control_to_aclflags(uint16_t control)
{
	const uint16_t auto_inherit = SECDESC_SE_DACL_AUTO_INHERITED |
	    SECDESC_SE_DACL_AUTO_INHERIT_REQ;
	uint32_t f = 0;

	if ((control & auto_inherit) == auto_inherit)
		f |= ACL_AUTO_INHERIT;
	if (control & SECDESC_SE_DACL_PROTECTED)
		f |= ACL_PROTECTED;
	if (control & SECDESC_SE_DACL_DEFAULTED)
		f |= ACL_DEFAULTED;
	return f;
}

static uint16_t
secdesc_aclflags_to_control(uint32_t f)
{
	uint16_t control = 0;

	if (f & ACL_AUTO_INHERIT)
		control |= SECDESC_SE_DACL_AUTO_INHERITED;
	if (f & ACL_PROTECTED)
		control |= SECDESC_SE_DACL_PROTECTED;
	if (f & ACL_DEFAULTED)
		control |= SECDESC_SE_DACL_DEFAULTED;
	return control;
}

/*
 * The owner (S-1-22-1-U) or group (S-1-22-2-G) at off: its id, or its
 * SID kept as it is when it names no Unix id of that kind (*sidp set
 * and bit added to *sidowner).  -1 if malformed.
 */
static int
secdesc_owner_read(const uint8_t *buf, size_t len, size_t off,
    uint32_t sub0, uint32_t *id, struct acl_sid *sidp, uint32_t bit,
    uint32_t *sidowner)
{
	struct acl_sid s;
	size_t sidlen;

	if (sid_read(buf, len, off, &s, &sidlen) != 0)
		return -1;
	if (sid_is(&s, SID_AUTH_UNIX, 2, sub0))
		*id = s.sub[1];
	else {
		*sidp = s;
		*sidowner |= bit;
	}
	return 0;
}

/* MS-DTYP 2.4.6: SECURITY_DESCRIPTOR, self-relative. */
uint32_t
secdesc_parse(const uint8_t *buf, size_t len, struct secdesc *sd)
{
	uint32_t owner, group, dacl, st;
	uint16_t control;

	memset(sd, 0, sizeof(*sd));
	if (len < SD_HEADER || buf[0] != 1)
		return STATUS_INVALID_SECURITY_DESCR;
	control = smb2_get16(buf + 2);
	if (!(control & SECDESC_SE_SELF_RELATIVE))
		return STATUS_INVALID_SECURITY_DESCR;
	owner = smb2_get32(buf + 4);
	group = smb2_get32(buf + 8);
	dacl = smb2_get32(buf + 16);
	if (owner != 0) {
		if (secdesc_owner_read(buf, len, owner, SID_UNIX_USER,
		    &sd->uid, &sd->owner_sid, ACL_SIDOWNER_OWNER,
		    &sd->sidowner) != 0)
			return STATUS_INVALID_OWNER;
		sd->present |= SECDESC_OWNER;
	}
	if (group != 0) {
		if (secdesc_owner_read(buf, len, group, SID_UNIX_GROUP,
		    &sd->gid, &sd->group_sid, ACL_SIDOWNER_GROUP,
		    &sd->sidowner) != 0)
			return STATUS_INVALID_PRIMARY_GROUP;
		sd->present |= SECDESC_GROUP;
	}
	if (control & SECDESC_SE_DACL_PRESENT) {
		if (dacl == 0)
			secdesc_null_dacl(&sd->dacl);
		else if ((st = secdesc_acl_read(buf, len, dacl,
		    &sd->dacl)) != 0)
			return st;
		/* The DACL's control bits go with it, a NULL one's too. */
		sd->dacl.aclflags = secdesc_control_to_aclflags(control);
		sd->present |= SECDESC_DACL;
	}
	return 0;
}

/* The SID of an ACE's who; 0 if it has none. */
static size_t
secdesc_ace_sid(const struct acl *acl, const struct acl_ace *a, uint8_t *p)
{
	const struct acl_sid *s;

	switch (a->who) {
	case ACL_WHO_EVERYONE:
		return sid_write2(p, SID_AUTH_WORLD, 1, 0, 0);
	case ACL_WHO_OWNER:
		return sid_write2(p, SID_AUTH_CREATOR, 1,
		    (a->flags & ACL_FLAG_INHERIT_ONLY) ? SID_CREATOR_OWNER :
		    SID_OWNER_RIGHTS, 0);
	case ACL_WHO_GROUP:
		return sid_write2(p, SID_AUTH_CREATOR, 1, SID_CREATOR_GROUP,
		    0);
	case ACL_WHO_ID:
		return sid_write2(p, SID_AUTH_UNIX, 2,
		    (a->flags & ACL_FLAG_IDENTIFIER_GROUP) ? SID_UNIX_GROUP :
		    SID_UNIX_USER, a->id);
	case ACL_WHO_SID:
		if ((s = acl_ace_sid(acl, a)) == NULL ||
		    s->nsub > ACL_SID_SUB_MAX)
			return 0;
		return sid_write(p, s);
	}
	return 0;
}

static uint8_t
secdesc_ace_flags(uint16_t f)
{
	uint8_t out = 0;

	if (f & ACL_FLAG_FILE_INHERIT)
		out |= ACE_OI;
	if (f & ACL_FLAG_DIRECTORY_INHERIT)
		out |= ACE_CI;
	if (f & ACL_FLAG_NO_PROPAGATE_INHERIT)
		out |= ACE_NP;
	if (f & ACL_FLAG_INHERIT_ONLY)
		out |= ACE_IO;
	if (f & ACL_FLAG_INHERITED)
		out |= ACE_INHERITED;
	return out;
}

/* An empty DACL as the store keeps it: one EVERYONE@ ALLOW of no bits. */
static int
secdesc_dacl_empty(const struct acl *acl)
{
	const struct acl_ace *a = &acl->ace[0];

	return acl->count == 1 && a->type == ACL_TYPE_ALLOW &&
	    a->who == ACL_WHO_EVERYONE && a->flags == 0 && a->mask == 0;
}

/*
 * A NULL DACL as the store keeps it: one EVERYONE@ ALLOW of every bit,
 * nothing inherited or inheritable (MS-DTYP 2.4.6: no protection).
 */
static int
secdesc_dacl_null(const struct acl *acl)
{
	const struct acl_ace *a = &acl->ace[0];

	return acl->count == 1 && a->type == ACL_TYPE_ALLOW &&
	    a->who == ACL_WHO_EVERYONE && a->flags == 0 &&
	    a->mask == ACL_MASK_ALL;
}

size_t
secdesc_build(const struct secdesc *sd, uint32_t want, uint8_t *buf,
    size_t bufsize)
{
	uint8_t tmp[SECDESC_BUILD_MAX];
	const struct acl_ace *a;
	size_t off = SD_HEADER, aclstart, n, i, count = 0;
	uint16_t control = SECDESC_SE_SELF_RELATIVE;

	memset(tmp, 0, SD_HEADER);
	tmp[0] = 1;
	if ((want & SECDESC_OWNER) && (sd->present & SECDESC_OWNER)) {
		smb2_put32(tmp + 4, (uint32_t)off);
		if (sd->sidowner & ACL_SIDOWNER_OWNER)
			off += sid_write(tmp + off, &sd->owner_sid);
		else
			off += sid_write2(tmp + off, SID_AUTH_UNIX, 2,
			    SID_UNIX_USER, sd->uid);
	}
	if ((want & SECDESC_GROUP) && (sd->present & SECDESC_GROUP)) {
		smb2_put32(tmp + 8, (uint32_t)off);
		if (sd->sidowner & ACL_SIDOWNER_GROUP)
			off += sid_write(tmp + off, &sd->group_sid);
		else
			off += sid_write2(tmp + off, SID_AUTH_UNIX, 2,
			    SID_UNIX_GROUP, sd->gid);
	}
	if ((want & SECDESC_DACL) && (sd->present & SECDESC_DACL))
		control |= secdesc_aclflags_to_control(sd->dacl.aclflags);
	if ((want & SECDESC_DACL) && (sd->present & SECDESC_DACL) &&
	    secdesc_dacl_null(&sd->dacl)) {
		/* Read back as it was set: present, at offset 0. */
		control |= SECDESC_SE_DACL_PRESENT;
	} else if ((want & SECDESC_DACL) && (sd->present & SECDESC_DACL)) {
		control |= SECDESC_SE_DACL_PRESENT;
		smb2_put32(tmp + 16, (uint32_t)off);
		aclstart = off;
		off += ACL_HEADER;
		for (i = 0; i < sd->dacl.count && i < ACL_ACES_MAX; i++) {
			a = &sd->dacl.ace[i];
			/* AUDIT/ALARM belong in a SACL. */
			if ((a->type != ACL_TYPE_ALLOW &&
			    a->type != ACL_TYPE_DENY) ||
			    secdesc_dacl_empty(&sd->dacl))
				continue;
			tmp[off] = a->type == ACL_TYPE_ALLOW ? ACE_ALLOWED :
			    ACE_DENIED;
			tmp[off + 1] = secdesc_ace_flags(a->flags);
			smb2_put32(tmp + off + 4, a->mask & ACL_MASK_ALL);
			if ((n = secdesc_ace_sid(&sd->dacl, a,
			    tmp + off + ACE_HEADER)) == 0)
				return 0;
			smb2_put16(tmp + off + 2, (uint16_t)(ACE_HEADER + n));
			off += ACE_HEADER + n;
			count++;
		}
		tmp[aclstart] = 2;
		tmp[aclstart + 1] = 0;
		smb2_put16(tmp + aclstart + 2, (uint16_t)(off - aclstart));
		smb2_put16(tmp + aclstart + 4, (uint16_t)count);
		smb2_put16(tmp + aclstart + 6, 0);
	}
	smb2_put16(tmp + 2, control);
	if (off <= bufsize)
		memcpy(buf, tmp, off);
	return off;
}
