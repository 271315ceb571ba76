/*
 * common/acl.c against RFC 8881 section 6: evaluation order, the special
 * whos, named users and groups, inheritance, mode <-> ACL for every mode,
 * chmod with named ACEs, the encoding's bounds, and agreement with
 * common/perm.h's mode rules (one evaluator, two spellings); Windows SID
 * ACEs: who holds which SID, their place in the mode rules, the second
 * encoding and the SID string form.
 */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "fuzz.h"
#include "common/acl.h"
#include "common/perm.h"

#define R	ACL_READ_DATA
#define W	ACL_WRITE_DATA
#define X	ACL_EXECUTE

static struct acl *
mk(struct acl *a)
{
	a->aclflags = 0;
	a->count = 0;
	a->nsids = 0;
	a->sidowner = 0;
	return a;
}

/* A SID from its string form. */
static struct acl_sid
sid(const char *str)
{
	struct acl_sid s;

	if (acl_sid_parse(str, strlen(str), &s) != 0)
		tap_ok(0, "test SID %s parses", str);
	return s;
}

static void
sidace(struct acl *a, uint8_t type, uint16_t flags, uint32_t mask,
    const char *str)
{
	struct acl_sid s = sid(str);

	if (acl_add_sid_ace(a, type, flags, mask, &s) != 0)
		tap_ok(0, "SID ACE for %s added", str);
}

static void
ace(struct acl *a, uint8_t type, uint8_t who, uint16_t flags,
    uint32_t mask, uint32_t id)
{
	struct acl_ace *e = &a->ace[a->count++];

	e->type = type;
	e->who = who;
	e->flags = flags;
	e->mask = mask;
	e->id = id;
}

static const uint32_t groups_staff[] = { 50, 60 };
static const struct acl_cred owner = { 100, 10, NULL, 0 };
static const struct acl_cred member = { 200, 20, groups_staff, 2 };
static const struct acl_cred inowngroup = { 300, 10, NULL, 0 };
static const struct acl_cred other = { 400, 40, NULL, 0 };
static const struct acl_cred root = { 0, 0, NULL, 0 };

/* Owner 100, group 10, a regular file. */
static uint32_t
got(const struct acl *a, const struct acl_cred *c, uint32_t want)
{
	return acl_access(a, 100, 10, 0, c, want);
}

static void
test_evaluation(void)
{
	struct acl a;

	/* Order matters: the first ACE naming a bit decides it. */
	ace(mk(&a), ACL_TYPE_DENY, ACL_WHO_ID, 0, R, 400);
	ace(&a, ACL_TYPE_ALLOW, ACL_WHO_EVERYONE, 0, R | W, 0);
	TAP_EQ_INT(got(&a, &other, R | W), W, "deny before allow: R denied");
	TAP_EQ_INT(got(&a, &member, R | W), R | W, "others get the allow");
	ace(mk(&a), ACL_TYPE_ALLOW, ACL_WHO_EVERYONE, 0, R | W, 0);
	ace(&a, ACL_TYPE_DENY, ACL_WHO_ID, 0, R, 400);
	TAP_EQ_INT(got(&a, &other, R | W), R | W,
	    "allow before deny: the later deny of an allowed bit is moot");
	/* A deny of a bit not yet allowed denies even if allowed later. */
	ace(mk(&a), ACL_TYPE_ALLOW, ACL_WHO_EVERYONE, 0, W, 0);
	ace(&a, ACL_TYPE_DENY, ACL_WHO_EVERYONE, 0, R | W, 0);
	ace(&a, ACL_TYPE_ALLOW, ACL_WHO_EVERYONE, 0, R, 0);
	TAP_EQ_INT(got(&a, &other, R | W), W, "deny of a not-yet-allowed bit");
	/* Nothing said: not granted. */
	mk(&a);
	TAP_EQ_INT(got(&a, &other, R), 0, "empty ACL grants nothing");
	TAP_EQ_INT(acl_check(&a, 100, 10, 0, &other, R), -EACCES,
	    "acl_check says EACCES");
	/* EVERYONE@ includes the owner. */
	ace(mk(&a), ACL_TYPE_DENY, ACL_WHO_EVERYONE, 0, W, 0);
	ace(&a, ACL_TYPE_ALLOW, ACL_WHO_OWNER, 0, R | W, 0);
	TAP_EQ_INT(got(&a, &owner, R | W), R, "EVERYONE@ deny applies to owner");
	/* A named user that happens to be the owner vs OWNER@. */
	ace(mk(&a), ACL_TYPE_DENY, ACL_WHO_ID, 0, W, 100);
	ace(&a, ACL_TYPE_ALLOW, ACL_WHO_OWNER, 0, R | W, 0);
	TAP_EQ_INT(got(&a, &owner, R | W), R, "named uid = owner: denied W");
	TAP_EQ_INT(acl_access(&a, 500, 10, 0, &owner, R | W), 0,
	    "OWNER@ does not match a non-owner with that named ACE");
	/* Named user: uid, not gid. */
	ace(mk(&a), ACL_TYPE_ALLOW, ACL_WHO_ID, 0, R, 20);
	TAP_EQ_INT(got(&a, &member, R), 0, "named uid 20 is not gid 20");
	/* IDENTIFIER_GROUP: gid, primary or in the groups list. */
	ace(mk(&a), ACL_TYPE_ALLOW, ACL_WHO_ID, ACL_FLAG_IDENTIFIER_GROUP, R,
	    20);
	TAP_EQ_INT(got(&a, &member, R), R, "named group: primary gid");
	ace(mk(&a), ACL_TYPE_ALLOW, ACL_WHO_ID, ACL_FLAG_IDENTIFIER_GROUP, R,
	    60);
	TAP_EQ_INT(got(&a, &member, R), R, "named group: supplementary gid");
	TAP_EQ_INT(got(&a, &other, R), 0, "named group: not a member");
	ace(mk(&a), ACL_TYPE_ALLOW, ACL_WHO_ID, 0, R, 60);
	TAP_EQ_INT(got(&a, &member, R), 0,
	    "without IDENTIFIER_GROUP the id is a uid");
	/* GROUP@: the owning group, through the groups list too. */
	ace(mk(&a), ACL_TYPE_ALLOW, ACL_WHO_GROUP, 0, R, 0);
	TAP_EQ_INT(got(&a, &inowngroup, R), R, "GROUP@: primary gid");
	TAP_EQ_INT(acl_access(&a, 100, 50, 0, &member, R), R,
	    "GROUP@: supplementary gid");
	TAP_EQ_INT(got(&a, &other, R), 0, "GROUP@: non-member");
	/* INHERIT_ONLY ACEs do not apply to the object. */
	ace(mk(&a), ACL_TYPE_DENY, ACL_WHO_EVERYONE,
	    ACL_FLAG_INHERIT_ONLY | ACL_FLAG_FILE_INHERIT, R, 0);
	ace(&a, ACL_TYPE_ALLOW, ACL_WHO_EVERYONE, 0, R, 0);
	TAP_EQ_INT(got(&a, &other, R), R, "INHERIT_ONLY deny ignored");
	/* AUDIT and ALARM are stored, not evaluated. */
	ace(mk(&a), ACL_TYPE_AUDIT, ACL_WHO_EVERYONE,
	    ACL_FLAG_FAILED_ACCESS, R, 0);
	ace(&a, ACL_TYPE_ALARM, ACL_WHO_EVERYONE, 0, R, 0);
	TAP_EQ_INT(got(&a, &other, R), 0, "AUDIT/ALARM grant nothing");
	/* The owner may always read and write the ACL and attributes. */
	ace(mk(&a), ACL_TYPE_DENY, ACL_WHO_EVERYONE, 0, ACL_MASK_ALL, 0);
	TAP_EQ_INT(got(&a, &owner, ACL_WRITE_ACL | ACL_READ_ACL |
	    ACL_WRITE_ATTRIBUTES | R), ACL_WRITE_ACL | ACL_READ_ACL |
	    ACL_WRITE_ATTRIBUTES, "owner keeps READ_ACL/WRITE_ACL/"
	    "WRITE_ATTRIBUTES under a deny-all");
	TAP_EQ_INT(got(&a, &other, ACL_WRITE_ACL), 0,
	    "a non-owner does not");
	/* Root: everything but execute of what no class may execute. */
	TAP_EQ_INT(got(&a, &root, R | W | ACL_DELETE), R | W | ACL_DELETE,
	    "root overrides a deny-all");
	TAP_EQ_INT(got(&a, &root, X), 0, "root: no execute without an x bit");
	TAP_EQ_INT(acl_access(&a, 100, 10, 1, &root, X), X,
	    "root searches any directory");
	acl_from_mode(0100, 0, &a);
	TAP_EQ_INT(got(&a, &root, X), X, "root executes 0100");
}

/* mode -> ACL -> mode, every permission mode, files and directories. */
static void
test_mode_round_trip(void)
{
	struct acl a;
	uint32_t mode, back;
	unsigned int bad = 0, nontrivial = 0, d;

	for (d = 0; d < 2; d++)
		for (mode = 0; mode < 010000; mode++) {
			acl_from_mode(mode, (int)d, &a);
			back = acl_to_mode(&a, (int)d);
			if (back != (mode & 0777)) {
				if (bad++ < 5)
					tap_diag("mode %04o -> %04o", mode,
					    back);
			}
			if (!acl_is_trivial(&a, (int)d))
				nontrivial++;
		}
	TAP_EQ_INT(bad, 0, "mode -> ACL -> mode keeps 0777 for all 4096 "
	    "modes, files and directories");
	TAP_EQ_INT(nontrivial, 0, "a mode's ACL is trivial");
	acl_from_mode(0640, 0, &a);
	ace(&a, ACL_TYPE_DENY, ACL_WHO_ID, 0, R, 1000);
	tap_ok(!acl_is_trivial(&a, 0), "a named ACE makes it non-trivial");
}

/*
 * The mode's ACL grants each class what perm_check grants: one rule,
 * for every 0777 mode, several callers and every rwx request.
 */
static void
test_perm_agrees(void)
{
	const struct acl_cred *cs[] = { &owner, &member, &inowngroup, &other,
	    &root };
	struct perm_who w;
	struct perm_obj o;
	struct acl a;
	uint32_t mode, want, am;
	unsigned int bad = 0, bad_access = 0, bad_io = 0, d, i, fl;
	int p, q;

	for (d = 0; d < 2; d++)
		for (mode = 0; mode < 01000; mode++) {
			acl_from_mode(mode, (int)d, &a);
			o.is_dir = (int)d;
			o.mode = mode;
			o.uid = 100;
			o.gid = 10;
			for (i = 0; i < 5; i++) {
				w.uid = cs[i]->uid;
				w.gid = cs[i]->gid;
				w.groups = cs[i]->groups;
				w.ngroups = cs[i]->ngroups;
				for (want = 1; want < 8; want++) {
					p = perm_check(&w, &o, (int)want);
					am = acl_mode_mask(want, (int)d);
					q = acl_check(&a, 100, 10, (int)d,
					    cs[i], am);
					if (p != q && bad++ < 5)
						tap_diag("mode %03o uid %u "
						    "want %u: perm %d acl %d",
						    mode, w.uid, want, p, q);
				}
				if (perm_access(&w, &o) !=
				    perm_access_acl(&w, &o, &a))
					bad_access++;
				for (fl = 1; !d && fl <= PERM_IO_ALL; fl++)
					if ((fl & 3) && perm_io(&w, &o, fl) !=
					    perm_io_acl(&w, &o, &a, fl))
						bad_io++;
			}
		}
	TAP_EQ_INT(bad, 0, "perm_check and the mode's ACL agree on every "
	    "mode, caller and request");
	TAP_EQ_INT(bad_access, 0, "perm_access and perm_access_acl agree");
	TAP_EQ_INT(bad_io, 0, "perm_io and perm_io_acl agree (knfsd's owner "
	    "override and read-if-exec kept)");
}

static int
has_ace(const struct acl *a, uint8_t type, uint8_t who, uint32_t id,
    uint32_t mask)
{
	size_t i;

	for (i = 0; i < a->count; i++)
		if (a->ace[i].type == type && a->ace[i].who == who &&
		    a->ace[i].id == id && (a->ace[i].mask & mask) == mask)
			return 1;
	return 0;
}

static void
test_chmod(void)
{
	struct acl a, b;
	const struct acl_cred u1000 = { 1000, 1000, NULL, 0 };
	const struct acl_cred u1001 = { 1001, 1001, NULL, 0 };

	acl_from_mode(0644, 0, &a);
	/* The named deny first, as a client would set it. */
	memmove(&a.ace[1], &a.ace[0], a.count * sizeof(a.ace[0]));
	a.count++;
	a.ace[0] = (struct acl_ace){ ACL_TYPE_DENY, ACL_WHO_ID, 0, R, 1000 };
	TAP_EQ_INT(acl_chmod(&a, 0666, 0, &b), 0, "chmod 0666");
	tap_ok(has_ace(&b, ACL_TYPE_DENY, ACL_WHO_ID, 1000, R),
	    "chmod keeps the named deny ACE");
	TAP_EQ_INT(acl_to_mode(&b, 0), 0666, "the ACL says 0666");
	TAP_EQ_INT(acl_access(&b, 100, 10, 0, &u1000, R | W), W,
	    "uid 1000 still denied READ_DATA");
	TAP_EQ_INT(acl_access(&b, 100, 10, 0, &u1001, R | W), R | W,
	    "uid 1001 reads and writes");
	/* A named allow keeps no bit the group class lacks (6.4.1.1). */
	acl_from_mode(0640, 0, &a);
	memmove(&a.ace[1], &a.ace[0], a.count * sizeof(a.ace[0]));
	a.count++;
	a.ace[0] = (struct acl_ace){ ACL_TYPE_ALLOW, ACL_WHO_ID, 0,
	    R | W | ACL_READ_ACL, 1001 };
	TAP_EQ_INT(acl_access(&a, 100, 10, 0, &u1001, R | W), R | W,
	    "named allow: R|W before chmod");
	TAP_EQ_INT(acl_chmod(&a, 0600, 0, &b), 0, "chmod 0600");
	TAP_EQ_INT(acl_access(&b, 100, 10, 0, &u1001, R | W | ACL_READ_ACL),
	    ACL_READ_ACL, "named allow loses r/w/x the group bits lack");
	TAP_EQ_INT(acl_to_mode(&b, 0), 0600, "the ACL says 0600");
	/* On a directory an inheritable OWNER@ ACE stays, inherit-only. */
	mk(&a);
	ace(&a, ACL_TYPE_ALLOW, ACL_WHO_OWNER, ACL_FLAG_FILE_INHERIT, R | W,
	    0);
	TAP_EQ_INT(acl_chmod(&a, 0755, 1, &b), 0, "chmod a directory");
	tap_ok(b.count > 0 && b.ace[0].who == ACL_WHO_OWNER &&
	    b.ace[0].flags == (ACL_FLAG_FILE_INHERIT | ACL_FLAG_INHERIT_ONLY),
	    "inheritable OWNER@ kept as INHERIT_ONLY");
	TAP_EQ_INT(acl_to_mode(&b, 1), 0755, "and the directory says 0755");
	/* No room: ENOSPC, never a cut ACL. */
	mk(&a);
	while (a.count < ACL_ACES_MAX)
		ace(&a, ACL_TYPE_DENY, ACL_WHO_ID, 0, R, (uint32_t)a.count);
	TAP_EQ_INT(acl_chmod(&a, 0644, 0, &b), -ENOSPC, "full ACL: ENOSPC");
}

static void
test_inherit(void)
{
	struct acl p, c;

	mk(&p);
	p.aclflags = ACL_AUTO_INHERIT;
	ace(&p, ACL_TYPE_DENY, ACL_WHO_ID, ACL_FLAG_FILE_INHERIT, R, 1000);
	ace(&p, ACL_TYPE_ALLOW, ACL_WHO_ID, ACL_FLAG_DIRECTORY_INHERIT, X,
	    1001);
	ace(&p, ACL_TYPE_ALLOW, ACL_WHO_ID, ACL_FLAG_FILE_INHERIT |
	    ACL_FLAG_DIRECTORY_INHERIT | ACL_FLAG_NO_PROPAGATE_INHERIT, W,
	    1002);
	ace(&p, ACL_TYPE_ALLOW, ACL_WHO_EVERYONE, 0, R, 0);
	TAP_EQ_INT(acl_inherit(&p, 0, 500, 600, &c), 2,
	    "a file inherits two ACEs");
	tap_ok(c.count == 2 && c.ace[0].id == 1000 &&
	    c.ace[0].flags == ACL_FLAG_INHERITED && c.ace[1].id == 1002 &&
	    c.ace[1].flags == ACL_FLAG_INHERITED &&
	    c.aclflags == ACL_AUTO_INHERIT,
	    "auto-inherit parent: FILE_INHERIT ACEs, inheritance flags off, "
	    "INHERITED on, the child's ACL auto-inherited too");
	TAP_EQ_INT(acl_inherit(&p, 1, 500, 600, &c), 2,
	    "a directory: two apply to it");
	tap_ok(c.count == 3 &&
	    c.ace[0].id == 1000 && c.ace[0].flags ==
	    (ACL_FLAG_FILE_INHERIT | ACL_FLAG_INHERIT_ONLY |
	    ACL_FLAG_INHERITED) &&
	    c.ace[1].id == 1001 && c.ace[1].flags ==
	    (ACL_FLAG_DIRECTORY_INHERIT | ACL_FLAG_INHERITED) &&
	    c.ace[2].id == 1002 && c.ace[2].flags == ACL_FLAG_INHERITED,
	    "file-only ACE rides as INHERIT_ONLY; NO_PROPAGATE stops");
	/* MS-DTYP 2.5.3.4.2: no INHERITED unless the parent auto-inherits. */
	p.aclflags = 0;
	TAP_EQ_INT(acl_inherit(&p, 1, 500, 600, &c), 2,
	    "a parent without ACL_AUTO_INHERIT: the same two apply");
	tap_ok(c.count == 3 && c.aclflags == 0 &&
	    c.ace[0].flags == (ACL_FLAG_FILE_INHERIT |
	    ACL_FLAG_INHERIT_ONLY) &&
	    c.ace[1].flags == ACL_FLAG_DIRECTORY_INHERIT &&
	    c.ace[2].flags == 0,
	    "and none is marked INHERITED, nor the ACL auto-inherited");
	mk(&p);
	ace(&p, ACL_TYPE_ALLOW, ACL_WHO_ID, ACL_FLAG_FILE_INHERIT |
	    ACL_FLAG_INHERIT_ONLY, R, 7);
	TAP_EQ_INT(acl_inherit(&p, 0, 500, 600, &c), 1,
	    "an INHERIT_ONLY ACE of the parent applies to the child");
	tap_ok(c.count == 1 && c.ace[0].flags == 0,
	    "and not INHERIT_ONLY there");
	acl_from_mode(0755, 1, &p);
	TAP_EQ_INT(acl_inherit(&p, 0, 500, 600, &c), 0,
	    "nothing inheritable: the mode decides");
	TAP_EQ_INT(c.count, 0, "no ACEs inherited");
	/* CREATOR OWNER and CREATOR GROUP: the new object's owner, group. */
	mk(&p);
	ace(&p, ACL_TYPE_ALLOW, ACL_WHO_OWNER, ACL_FLAG_FILE_INHERIT |
	    ACL_FLAG_DIRECTORY_INHERIT | ACL_FLAG_INHERIT_ONLY, W, 0);
	ace(&p, ACL_TYPE_DENY, ACL_WHO_GROUP, ACL_FLAG_FILE_INHERIT |
	    ACL_FLAG_INHERIT_ONLY, X, 0);
	ace(&p, ACL_TYPE_ALLOW, ACL_WHO_OWNER, ACL_FLAG_DIRECTORY_INHERIT |
	    ACL_FLAG_NO_PROPAGATE_INHERIT | ACL_FLAG_INHERIT_ONLY, R, 0);
	TAP_EQ_INT(acl_inherit(&p, 0, 500, 600, &c), 2,
	    "a file: CREATOR OWNER and CREATOR GROUP apply");
	tap_ok(c.count == 2 && c.ace[0].who == ACL_WHO_ID &&
	    c.ace[0].id == 500 && c.ace[0].flags == 0 &&
	    c.ace[0].mask == W && c.ace[1].who == ACL_WHO_ID &&
	    c.ace[1].id == 600 && c.ace[1].type == ACL_TYPE_DENY &&
	    c.ace[1].flags == ACL_FLAG_IDENTIFIER_GROUP,
	    "as the creator's uid 500 and the new file's gid 600");
	TAP_EQ_INT(acl_inherit(&p, 1, 500, 600, &c), 2,
	    "a directory: CREATOR OWNER twice, NO_PROPAGATE once");
	tap_ok(c.count == 4 &&
	    c.ace[0].who == ACL_WHO_ID && c.ace[0].id == 500 &&
	    c.ace[0].flags == 0 &&
	    c.ace[1].who == ACL_WHO_OWNER && c.ace[1].flags ==
	    (ACL_FLAG_FILE_INHERIT | ACL_FLAG_DIRECTORY_INHERIT |
	    ACL_FLAG_INHERIT_ONLY) &&
	    c.ace[2].who == ACL_WHO_GROUP && c.ace[2].flags ==
	    (ACL_FLAG_FILE_INHERIT | ACL_FLAG_INHERIT_ONLY) &&
	    c.ace[3].who == ACL_WHO_ID && c.ace[3].id == 500 &&
	    c.ace[3].flags == 0 && c.ace[3].mask == R,
	    "the uid's ACE for the directory, CREATOR OWNER passed on, "
	    "CREATOR GROUP for its files, the NO_PROPAGATE one as the uid's");
	/* Splitting never cuts an ACL: ENOSPC. */
	mk(&p);
	while (p.count < ACL_ACES_MAX)
		ace(&p, ACL_TYPE_ALLOW, ACL_WHO_OWNER, ACL_FLAG_DIRECTORY_INHERIT |
		    ACL_FLAG_INHERIT_ONLY, R, 0);
	TAP_EQ_INT(acl_inherit(&p, 1, 500, 600, &c), -ENOSPC,
	    "128 CREATOR OWNER ACEs for a directory: -ENOSPC");
	/* MS-DTYP 2.5.3.4.2: the token's default DACL. */
	acl_windows_default(500, &c);
	tap_ok(c.count == 2 && c.aclflags == 0 &&
	    c.ace[0].who == ACL_WHO_ID && c.ace[0].id == 500 &&
	    c.ace[0].mask == ACL_MASK_ALL && c.ace[0].flags == 0 &&
	    c.ace[1].who == ACL_WHO_SID && c.ace[1].mask == ACL_MASK_ALL,
	    "the default DACL: the owner and SYSTEM, full control");
	{
		const struct acl_cred sys = { 0, 0, NULL, 0 };
		const struct acl_cred stranger = { 501, 600, NULL, 0 };

		tap_ok(acl_access(&c, 500, 600, 0, &sys, ACL_WRITE_DATA) ==
		    ACL_WRITE_DATA && acl_access(&c, 500, 600, 0, &stranger,
		    ACL_WRITE_DATA) == 0,
		    "root holds it, another user nothing");
	}
}

static void
test_encoding(void)
{
	struct acl a, b;
	uint8_t buf[ACL_ENCODED_MAX + 16];
	size_t len, i;
	unsigned int bad;

	acl_from_mode(0751, 1, &a);
	ace(&a, ACL_TYPE_DENY, ACL_WHO_ID, ACL_FLAG_IDENTIFIER_GROUP |
	    ACL_FLAG_FILE_INHERIT, ACL_WRITE_OWNER | R, 0xfffffffeu);
	ace(&a, ACL_TYPE_AUDIT, ACL_WHO_EVERYONE, ACL_FLAG_FAILED_ACCESS,
	    ACL_DELETE, 0);
	TAP_EQ_INT(acl_encode(&a, buf, sizeof(buf), &len), 0, "encode");
	TAP_EQ_INT(len, ACL_HEADER_SIZE + ACL_ACE_SIZE * a.count,
	    "encoded size");
	TAP_EQ_INT(acl_decode(buf, len, &b), 0, "decode");
	tap_ok(b.count == a.count &&
	    memcmp(b.ace, a.ace, a.count * sizeof(a.ace[0])) == 0,
	    "round trip");
	TAP_EQ_INT(acl_encode(&a, buf, len - 1, &len), -ERANGE,
	    "encode into a short buffer: ERANGE");
	(void)acl_encode(&a, buf, sizeof(buf), &len);
	for (bad = 0, i = 0; i < len; i++)
		if (acl_decode(buf, i, &b) != -EINVAL)
			bad++;
	TAP_EQ_INT(bad, 0, "every truncation refused");
	TAP_EQ_INT(acl_decode(buf, len + 1, &b), -EINVAL,
	    "trailing byte refused");
	buf[0] = 4;
	TAP_EQ_INT(acl_decode(buf, len, &b), -EINVAL, "unknown version");
	/* Version 3: the ACL's flags; an old record reads as before. */
	buf[0] = ACL_VERSION;
	TAP_EQ_INT(acl_decode(buf, len, &b), 0, "version 1 decodes");
	TAP_EQ_INT(b.aclflags, 0, "with no ACL flags");
	a.aclflags = ACL_AUTO_INHERIT | ACL_PROTECTED;
	TAP_EQ_INT(acl_encode(&a, buf, sizeof(buf), &len), 0,
	    "encode with ACL flags");
	tap_ok(buf[0] == ACL_VERSION_FLAGS && len == ACL_HEADER_SID_SIZE +
	    ACL_ACE_SIZE * a.count, "as version 3, a 4-byte header");
	tap_ok(acl_decode(buf, len, &b) == 0 && b.aclflags == a.aclflags &&
	    b.count == a.count &&
	    memcmp(b.ace, a.ace, a.count * sizeof(a.ace[0])) == 0,
	    "version 3 round trip keeps the flags");
	acl_from_mode(0644, 0, &b);
	tap_ok(acl_is_trivial(&b, 0), "a mode's ACL is trivial");
	b.aclflags = ACL_PROTECTED;
	tap_ok(!acl_is_trivial(&b, 0), "not with ACL flags: it is stored");
	buf[1] = 0;
	TAP_EQ_INT(acl_decode(buf, len, &b), -EINVAL,
	    "version 3 without flags refused (it is version 1 or 2)");
	buf[1] = 0x08;
	TAP_EQ_INT(acl_decode(buf, len, &b), -EINVAL,
	    "version 3 with an unknown flag refused");
	a.aclflags = 0x10;
	TAP_EQ_INT(acl_encode(&a, buf, sizeof(buf), &len), -EINVAL,
	    "encoding an unknown ACL flag refused");
	a.aclflags = ACL_FLAGS_UNSAID;
	tap_ok(acl_encode(&a, buf, sizeof(buf), &len) == 0 &&
	    buf[0] == ACL_VERSION_FLAGS && acl_decode(buf, len, &b) == 0 &&
	    b.aclflags == ACL_FLAGS_UNSAID,
	    "an ACL whose flags are unsaid: version 3, round trip");
	a.aclflags = 0;
	(void)acl_encode(&a, buf, sizeof(buf), &len);
	buf[0] = ACL_VERSION_SID;
	TAP_EQ_INT(acl_decode(buf, len, &b), -EINVAL,
	    "version 2 without a SID table refused");
	buf[0] = ACL_VERSION;
	/* An old opaque blob is not an ACL. */
	TAP_EQ_INT(acl_decode((const uint8_t *)"ACL", 3, &b), -EINVAL,
	    "an old opaque blob is refused");
	/* Oversized: the count cap, whatever the length. */
	mk(&a);
	while (a.count < ACL_ACES_MAX)
		ace(&a, ACL_TYPE_ALLOW, ACL_WHO_ID, 0, R, (uint32_t)a.count);
	TAP_EQ_INT(acl_encode(&a, buf, sizeof(buf), &len), 0,
	    "encode 128 ACEs");
	TAP_EQ_INT(acl_decode(buf, len, &b), 0, "decode 128 ACEs");
	memset(buf + len, 0, ACL_ACE_SIZE);
	buf[len] = ACL_TYPE_ALLOW;
	buf[len + 1] = ACL_WHO_EVERYONE;
	buf[1] = 0;
	buf[2] = ACL_ACES_MAX + 1;
	TAP_EQ_INT(acl_decode(buf, len + ACL_ACE_SIZE, &b), -EINVAL,
	    "129 ACEs refused");
	buf[1] = 0xff;
	buf[2] = 0xff;
	TAP_EQ_INT(acl_decode(buf, 3, &b), -EINVAL, "count 65535 refused");
	/* Field checks. */
	acl_from_mode(0644, 0, &a);
	(void)acl_encode(&a, buf, sizeof(buf), &len);
	buf[3] = 4;
	TAP_EQ_INT(acl_decode(buf, len, &b), -EINVAL, "bad type");
	buf[3] = ACL_TYPE_ALLOW;
	buf[4] = 6;
	TAP_EQ_INT(acl_decode(buf, len, &b), -EINVAL, "bad who");
	buf[4] = ACL_WHO_SID;
	TAP_EQ_INT(acl_decode(buf, len, &b), -EINVAL,
	    "a SID ACE in version 1 (no table) refused");
	buf[4] = ACL_WHO_OWNER;
	buf[5] = 1;
	TAP_EQ_INT(acl_decode(buf, len, &b), -EINVAL, "unknown flag");
	buf[5] = 0;
	buf[9] |= 0x02;		/* mask bit 0x00000200: WRITE_RETENTION */
	TAP_EQ_INT(acl_decode(buf, len, &b), -EINVAL, "unknown mask bit");
	buf[9] &= (uint8_t)~0x02;
	buf[14] = 1;
	TAP_EQ_INT(acl_decode(buf, len, &b), -EINVAL, "OWNER@ with an id");
	buf[14] = 0;
	TAP_EQ_INT(acl_decode(buf, len, &b), 0, "restored: decodes");
}

/* common/acl.h's rule: who holds which SID. */
static void
test_sid_evaluation(void)
{
	static const uint32_t g545[] = { 545 };
	const struct acl_cred anon = { ACL_UID_ANONYMOUS, 65534, NULL, 0 };
	const struct acl_cred in545 = { 500, 40, g545, 1 };
	struct acl a;

	sidace(mk(&a), ACL_TYPE_ALLOW, 0, R, "S-1-5-11");
	TAP_EQ_INT(got(&a, &other, R | W), R,
	    "S-1-5-11 (Authenticated Users): held by uid 400");
	TAP_EQ_INT(got(&a, &anon, R), 0,
	    "S-1-5-11: not held by the anonymous uid");
	sidace(mk(&a), ACL_TYPE_ALLOW, 0, W, "S-1-5-32-545");
	TAP_EQ_INT(got(&a, &member, W), W,
	    "S-1-5-32-545 (BUILTIN\\Users): held by uid 200");
	TAP_EQ_INT(got(&a, &anon, W), 0,
	    "S-1-5-32-545: not held by the anonymous uid");
	sidace(mk(&a), ACL_TYPE_ALLOW, 0, R, "S-1-5-32-544");
	sidace(&a, ACL_TYPE_ALLOW, 0, W, "S-1-5-18");
	TAP_EQ_INT(got(&a, &other, R | W), 0,
	    "S-1-5-32-544 and S-1-5-18: not held by uid 400");
	TAP_EQ_INT(got(&a, &root, R | W), R | W, "held by root");
	/* A domain's SID, even with a familiar RID, matches nobody. */
	sidace(mk(&a), ACL_TYPE_ALLOW, 0, R | W,
	    "S-1-5-21-1004336348-1177238915-682003330-500");
	ace(&a, ACL_TYPE_ALLOW, ACL_WHO_EVERYONE, 0, X, 0);
	TAP_EQ_INT(got(&a, &owner, R | W | X), X,
	    "a domain SID: not held by the owner");
	TAP_EQ_INT(got(&a, &in545, R | W | X), X,
	    "a domain SID: not held by a member of gid 545");
	/* Unix SIDs in the table mean their uid and gid. */
	sidace(mk(&a), ACL_TYPE_ALLOW, 0, R, "S-1-22-1-400");
	sidace(&a, ACL_TYPE_ALLOW, 0, W, "S-1-22-2-60");
	TAP_EQ_INT(got(&a, &other, R | W), R, "S-1-22-1-400: uid 400");
	TAP_EQ_INT(got(&a, &member, R | W), W,
	    "S-1-22-2-60: a member of gid 60");
	sidace(mk(&a), ACL_TYPE_ALLOW, 0, R, "S-1-1-0");
	TAP_EQ_INT(got(&a, &anon, R), R, "S-1-1-0: held by anyone");
	/* DENY first, as any ACE: an authenticated caller is refused. */
	sidace(mk(&a), ACL_TYPE_DENY, 0, W, "S-1-5-11");
	ace(&a, ACL_TYPE_ALLOW, ACL_WHO_EVERYONE, 0, R | W, 0);
	TAP_EQ_INT(got(&a, &other, R | W), R,
	    "DENY S-1-5-11 then EVERYONE@ ALLOW: uid 400 may not write");
	TAP_EQ_INT(got(&a, &anon, R | W), R | W,
	    "... the anonymous uid may");
	/* INHERIT_ONLY SID ACEs are not evaluated. */
	sidace(mk(&a), ACL_TYPE_ALLOW, ACL_FLAG_INHERIT_ONLY |
	    ACL_FLAG_FILE_INHERIT, R, "S-1-5-11");
	TAP_EQ_INT(got(&a, &other, R), 0, "an INHERIT_ONLY SID ACE: no bits");
}

/* SID ACEs are named ACEs for the mode rules. */
static void
test_sid_mode(void)
{
	struct acl a, b, c;
	struct acl_sid s;
	const struct acl_sid *p;
	size_t n;

	acl_from_mode(0640, 0, &a);
	TAP_EQ_INT(acl_is_trivial(&a, 0), 1, "0640's ACL is trivial");
	sidace(&a, ACL_TYPE_ALLOW, 0, R | W | X, "S-1-5-32-544");
	TAP_EQ_INT(acl_to_mode(&a, 0), 0640,
	    "a SID ALLOW adds no mode bit (named ACE)");
	TAP_EQ_INT(acl_is_trivial(&a, 0), 0,
	    "a mode's ACL with a SID ACE is not trivial");
	TAP_EQ_INT(acl_chmod(&a, 0600, 0, &b), 0, "chmod 0600");
	p = b.count > 0 ? acl_ace_sid(&b, &b.ace[0]) : NULL;
	s = sid("S-1-5-32-544");
	tap_ok(p != NULL && acl_sid_equal(p, &s) && b.nsids == 1 &&
	    b.ace[0].mask == 0, "chmod 0600: the SID ACE stays, first, "
	    "with its SID, and keeps no r/w/x the group bits lack "
	    "(mask 0x%x)", b.count > 0 ? b.ace[0].mask : 0);
	TAP_EQ_INT(acl_to_mode(&b, 0), 0600, "chmod 0600: mode 0600");
	/* Inheritance carries the SID along, in the child's own table. */
	mk(&a);
	ace(&a, ACL_TYPE_ALLOW, ACL_WHO_OWNER, ACL_FLAG_FILE_INHERIT, R, 0);
	sidace(&a, ACL_TYPE_ALLOW, ACL_FLAG_DIRECTORY_INHERIT, W, "S-1-5-18");
	sidace(&a, ACL_TYPE_DENY, ACL_FLAG_FILE_INHERIT, X,
	    "S-1-5-21-1-2-3-1001");
	a.aclflags = ACL_AUTO_INHERIT;
	n = (size_t)acl_inherit(&a, 0, 500, 600, &c);
	TAP_EQ_INT(n, 2, "a file inherits two ACEs");
	s = sid("S-1-5-21-1-2-3-1001");
	p = c.count == 2 ? acl_ace_sid(&c, &c.ace[1]) : NULL;
	tap_ok(p != NULL && acl_sid_equal(p, &s) && c.nsids == 1 &&
	    c.ace[1].type == ACL_TYPE_DENY &&
	    c.ace[1].flags == ACL_FLAG_INHERITED,
	    "the file's SID ACE: the domain SID, its table of one");
}

static void
test_sid_encoding(void)
{
	struct acl a, b;
	struct acl_sid s, unused;
	uint8_t buf[ACL_ENCODED_MAX + 16];
	char str[ACL_SID_STRING_MAX + 1];
	size_t len, i, n;
	unsigned int bad;
	int rv;

	/* The ACL's table holds an unused SID and the used ones backwards. */
	mk(&a);
	unused = sid("S-1-5-32-546");
	(void)acl_sid_add(&a, &unused);
	s = sid("S-1-5-21-1-2-3-1001");
	(void)acl_sid_add(&a, &s);
	sidace(&a, ACL_TYPE_ALLOW, ACL_FLAG_FILE_INHERIT, R, "S-1-5-32-544");
	ace(&a, ACL_TYPE_ALLOW, ACL_WHO_OWNER, 0, R | W, 0);
	sidace(&a, ACL_TYPE_DENY, 0, W, "S-1-5-21-1-2-3-1001");
	sidace(&a, ACL_TYPE_ALLOW, 0, X, "S-1-5-32-544");
	TAP_EQ_INT(a.nsids, 3, "the ACL's own table: 3 SIDs");
	TAP_EQ_INT(acl_encode(&a, buf, sizeof(buf), &len), 0, "encode");
	TAP_EQ_INT(buf[0], ACL_VERSION_SID, "version 2");
	TAP_EQ_INT(buf[3], 2, "two SIDs encoded (the unused one is not)");
	TAP_EQ_INT(len, ACL_HEADER_SID_SIZE + 4 * ACL_ACE_SIZE +
	    (7 + 4 * 2) + (7 + 4 * 5), "encoded size");
	TAP_EQ_INT(acl_decode(buf, len, &b), 0, "decode");
	tap_ok(b.count == 4 && b.nsids == 2 &&
	    b.ace[0].who == ACL_WHO_SID && b.ace[0].id == 0 &&
	    b.ace[2].who == ACL_WHO_SID && b.ace[2].id == 1 &&
	    b.ace[3].id == 0 && b.ace[1].who == ACL_WHO_OWNER,
	    "decoded: the table in order of first use");
	n = acl_sid_format(&b.sid[0], str, sizeof(str));
	tap_ok(n == 12 && strcmp(str, "S-1-5-32-544") == 0,
	    "first SID: %s", str);
	(void)acl_sid_format(&b.sid[1], str, sizeof(str));
	tap_ok(strcmp(str, "S-1-5-21-1-2-3-1001") == 0, "second SID: %s", str);
	TAP_EQ_INT(acl_encode(&a, buf, len - 1, &n), -ERANGE,
	    "encode into a short buffer: ERANGE");
	for (bad = 0, i = 0; i < len; i++)
		if (acl_decode(buf, i, &b) != -EINVAL)
			bad++;
	TAP_EQ_INT(bad, 0, "every truncation refused");
	TAP_EQ_INT(acl_decode(buf, len + 1, &b), -EINVAL,
	    "trailing byte refused");
	/* The table's checks. */
	buf[3] = 0;
	TAP_EQ_INT(acl_decode(buf, len, &b), -EINVAL, "SID count 0 refused");
	buf[3] = 3;
	TAP_EQ_INT(acl_decode(buf, len, &b), -EINVAL,
	    "a SID no ACE names refused");
	buf[3] = 2;
	/* ACE 0 names SID 1 before SID 0 is named. */
	buf[ACL_HEADER_SID_SIZE + 11] = 1;
	TAP_EQ_INT(acl_decode(buf, len, &b), -EINVAL,
	    "a table out of order of first use refused");
	buf[ACL_HEADER_SID_SIZE + 11] = 0;
	i = ACL_HEADER_SID_SIZE + 4 * ACL_ACE_SIZE;
	buf[i] = ACL_SID_SUB_MAX + 1;
	TAP_EQ_INT(acl_decode(buf, len, &b), -EINVAL,
	    "16 sub-authorities refused");
	buf[i] = 2;
	TAP_EQ_INT(acl_decode(buf, len, &b), 0, "restored: decodes");
	/* The same SID twice in the table. */
	mk(&a);
	sidace(&a, ACL_TYPE_ALLOW, 0, R, "S-1-5-18");
	sidace(&a, ACL_TYPE_ALLOW, 0, W, "S-1-5-11");
	(void)acl_encode(&a, buf, sizeof(buf), &len);
	i = ACL_HEADER_SID_SIZE + 2 * ACL_ACE_SIZE;
	TAP_EQ_INT(buf[i + 7 + 4 * 1 + 0], 1, "second SID has one sub");
	buf[i + 7 + 4 * 1 + 7 + 3] = 18;	/* S-1-5-11 -> S-1-5-18 */
	TAP_EQ_INT(acl_decode(buf, len, &b), -EINVAL,
	    "a SID twice in the table refused");
	/* An ACL without SID ACEs stays version 1 whatever its table. */
	acl_from_mode(0644, 0, &a);
	(void)acl_sid_add(&a, &unused);
	TAP_EQ_INT(acl_encode(&a, buf, sizeof(buf), &len), 0, "encode");
	tap_ok(buf[0] == ACL_VERSION && len == ACL_HEADER_SIZE +
	    ACL_ACE_SIZE * a.count, "no SID ACE: version 1, as before");
	/* Bounds: ACL_SIDS_MAX distinct SIDs, then ENOSPC. */
	mk(&a);
	s = sid("S-1-5-21-1-2-3-0");
	for (i = 0, rv = 0; i < ACL_SIDS_MAX && rv == 0; i++) {
		s.sub[4] = (uint32_t)i;
		rv = acl_add_sid_ace(&a, ACL_TYPE_ALLOW, 0, R, &s);
	}
	TAP_EQ_INT(rv, 0, "%d distinct SIDs", ACL_SIDS_MAX);
	s.sub[4] = ACL_SIDS_MAX;
	TAP_EQ_INT(acl_add_sid_ace(&a, ACL_TYPE_ALLOW, 0, R, &s), -ENOSPC,
	    "one more: ENOSPC");
	s.sub[4] = 0;
	TAP_EQ_INT(acl_add_sid_ace(&a, ACL_TYPE_ALLOW, 0, W, &s), 0,
	    "a known one still adds");
	/*
	 * The largest: 128 ACEs, 32 SIDs of 15 sub-authorities, an owner
	 * and a group SID of as many.
	 */
	mk(&a);
	s = sid("S-1-281474976710655-1-2-3-4-5-6-7-8-9-10-11-12-13-14-0");
	for (i = 0; a.count < ACL_ACES_MAX; i++) {
		s.sub[14] = (uint32_t)(i % ACL_SIDS_MAX);
		(void)acl_add_sid_ace(&a, ACL_TYPE_ALLOW, 0, R, &s);
	}
	a.sidowner = ACL_SIDOWNER_ALL;
	a.owner_sid = a.group_sid = s;
	TAP_EQ_INT(acl_encode(&a, buf, sizeof(buf), &len), 0,
	    "encode the largest ACL");
	TAP_EQ_INT(len, ACL_ENCODED_MAX, "its size is ACL_ENCODED_MAX");
	TAP_EQ_INT(acl_decode(buf, len, &b), 0, "decode the largest ACL");
}

/* MS-DTYP 2.4.2.1: the string form. */
static void
test_sid_string(void)
{
	static const char *bad[] = { "", "S-1-", "S-1-5-", "S-2-5",
	    "s-1-5", "S-1-05", "S-1-5-4294967296", "S-1-5--1",
	    "S-1-281474976710656", "S-1-5-32-544 ",
	    "S-1-1-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16" };
	struct acl_sid s;
	char str[ACL_SID_STRING_MAX + 1];
	size_t i, n;

	TAP_EQ_INT(acl_sid_parse("S-1-5-32-544", 12, &s), 0, "S-1-5-32-544");
	tap_ok(s.auth == 5 && s.nsub == 2 && s.sub[0] == 32 &&
	    s.sub[1] == 544, "authority 5, subs 32 and 544");
	TAP_EQ_INT(acl_sid_parse("S-1-5", 5, &s), 0, "S-1-5: no sub");
	TAP_EQ_INT(s.nsub, 0, "S-1-5: nsub 0");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		TAP_EQ_INT(acl_sid_parse(bad[i], strlen(bad[i]), &s),
		    -EINVAL, "\"%s\" refused", bad[i]);
	(void)acl_sid_parse("S-1-281474976710655-4294967295-0", 32, &s);
	n = acl_sid_format(&s, str, sizeof(str));
	tap_ok(n == 32 && strcmp(str, "S-1-281474976710655-4294967295-0") ==
	    0, "largest values format back: %s", str);
	n = acl_sid_format(&s, str, 8);
	tap_ok(n == 32 && strcmp(str, "S-1-281") == 0,
	    "a short buffer: truncated, full length returned");
}

static uint32_t rnd_state = 0x2545f491u;

static uint32_t
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* tests/fuzz/fuzz_acl.c on random and mutated encodings. */
static void
test_fuzz(void)
{
	struct acl a;
	uint8_t seed[ACL_ENCODED_MAX], buf[ACL_ENCODED_MAX + 8];
	size_t seedlen, len, j;
	int i;

	acl_from_mode(0754, 1, &a);
	ace(&a, ACL_TYPE_DENY, ACL_WHO_ID, ACL_FLAG_FILE_INHERIT, R, 1000);
	sidace(&a, ACL_TYPE_ALLOW, ACL_FLAG_DIRECTORY_INHERIT, W,
	    "S-1-5-32-544");
	sidace(&a, ACL_TYPE_DENY, 0, X, "S-1-5-21-1-2-3-1001");
	sidace(&a, ACL_TYPE_ALLOW, ACL_FLAG_INHERIT_ONLY |
	    ACL_FLAG_FILE_INHERIT, R, "S-1-5-32-544");
	/* CREATOR OWNER, split in two where it passes on. */
	ace(&a, ACL_TYPE_ALLOW, ACL_WHO_OWNER, ACL_FLAG_FILE_INHERIT |
	    ACL_FLAG_DIRECTORY_INHERIT | ACL_FLAG_INHERIT_ONLY, W, 0);
	a.aclflags = ACL_AUTO_INHERIT;	/* version 3 */
	(void)acl_encode(&a, seed, sizeof(seed), &seedlen);
	for (i = 0; i < 20000; i++) {
		len = rnd() % sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)rnd();
		if (len > 0 && rnd() % 2)
			buf[0] = (uint8_t)(ACL_VERSION + rnd() % 3);
		fuzz_acl_one(buf, len);
	}
	for (i = 0; i < 20000; i++) {
		memcpy(buf, seed, seedlen);
		len = seedlen;
		for (j = rnd() % 3 + 1; j > 0; j--)
			buf[1 + rnd() % (seedlen - 1)] = (uint8_t)rnd();
		if (rnd() % 4 == 0)
			len = rnd() % (seedlen + 8);
		fuzz_acl_one(buf, len);
	}
	tap_ok(1, "fuzz_acl_one survived 40000 random and mutated inputs");
}

/*
 * acl_access_windows (MS-DTYP 2.5.3.2) and perm_access_mask, what an SMB
 * CREATE is checked against.
 */
static void
test_windows_owner(void)
{
	struct perm_who w = { 100, 10, NULL, 0 };
	struct perm_obj o = { 0, 0644, 100, 10 };
	struct acl a;
	uint32_t m;

	/* A DACL that grants the owner nothing: READ_CONTROL, WRITE_DAC. */
	ace(mk(&a), ACL_TYPE_ALLOW, ACL_WHO_EVERYONE, 0, R, 0);
	TAP_EQ_INT(acl_access_windows(&a, 100, 10, 0, &owner, ACL_MASK_ALL),
	    R | ACL_READ_ACL | ACL_WRITE_ACL,
	    "Windows owner: READ_CONTROL and WRITE_DAC beyond the ACEs");
	TAP_EQ_INT(acl_access(&a, 100, 10, 0, &owner, ACL_MASK_ALL),
	    R | ACL_READ_ACL | ACL_WRITE_ACL | ACL_READ_ATTRIBUTES |
	    ACL_WRITE_ATTRIBUTES, "NFSv4 owner: the attributes too");
	TAP_EQ_INT(acl_access_windows(&a, 100, 10, 0, &other, ACL_MASK_ALL),
	    R, "Windows: another user holds the ACEs' bits alone");
	/* An OWNER@ (OWNER RIGHTS) ACE: the ACEs decide alone. */
	ace(&a, ACL_TYPE_ALLOW, ACL_WHO_OWNER, 0, ACL_READ_ATTRIBUTES, 0);
	TAP_EQ_INT(acl_access_windows(&a, 100, 10, 0, &owner, ACL_MASK_ALL),
	    R | ACL_READ_ATTRIBUTES, "OWNER RIGHTS: no implicit bit");
	/* An inherit-only OWNER@ ACE does not apply to the object. */
	ace(mk(&a), ACL_TYPE_ALLOW, ACL_WHO_OWNER, ACL_FLAG_INHERIT_ONLY |
	    ACL_FLAG_FILE_INHERIT, R, 0);
	TAP_EQ_INT(acl_access_windows(&a, 100, 10, 1, &owner, ACL_MASK_ALL),
	    ACL_READ_ACL | ACL_WRITE_ACL, "inherit-only OWNER@: implicit kept");
	TAP_EQ_INT(acl_access_windows(&a, 100, 10, 1, &root, ACL_MASK_ALL),
	    ACL_MASK_ALL, "root holds every bit");

	/* perm_access_mask: the mode's ACL, and what POSIX adds. */
	m = perm_access_mask(&w, &o, NULL);
	tap_ok((m & (R | W | ACL_WRITE_ATTRIBUTES | ACL_WRITE_OWNER |
	    ACL_WRITE_ACL)) == (R | W | ACL_WRITE_ATTRIBUTES |
	    ACL_WRITE_OWNER | ACL_WRITE_ACL) && !(m & (X | ACL_DELETE)),
	    "0644, its owner: rw, attributes, owner, DAC; no x, no DELETE");
	w.uid = 200;
	w.gid = 10;
	m = perm_access_mask(&w, &o, NULL);
	tap_ok((m & (R | ACL_READ_ATTRIBUTES | ACL_READ_ACL)) ==
	    (R | ACL_READ_ATTRIBUTES | ACL_READ_ACL) && !(m & (W |
	    ACL_WRITE_ATTRIBUTES | ACL_WRITE_OWNER | ACL_WRITE_ACL)),
	    "0644, its group: reads, writes nothing");
	o.mode = 0664;
	tap_ok((perm_access_mask(&w, &o, NULL) & (W | ACL_WRITE_ATTRIBUTES))
	    == (W | ACL_WRITE_ATTRIBUTES), "0664, its group: a writer sets "
	    "attributes");
	w.uid = 0;
	TAP_EQ_INT(perm_access_mask(&w, &o, NULL),
	    ACL_MASK_ALL & ~ACL_DELETE, "root: every bit but DELETE");
	w.uid = 100;
	ace(mk(&a), ACL_TYPE_ALLOW, ACL_WHO_EVERYONE, 0, R | ACL_DELETE, 0);
	TAP_EQ_INT(perm_access_mask(&w, &o, &a),
	    R | ACL_READ_ACL | ACL_WRITE_ACL,
	    "with an ACL: Windows' owner rule, DELETE left to the store");
}

/*
 * Version 4: an owner or group SID kept beside the numeric ids (an SMB
 * owner such as Everyone): written only when one is kept, read back,
 * strict, kept by a chmod, not inherited, and never a mode's ACL.
 */
static void
test_sidowner(void)
{
	struct acl a, b, c;
	uint8_t buf[ACL_ENCODED_MAX + 16];
	size_t len, base;

	acl_from_mode(0644, 0, &a);
	TAP_EQ_INT(acl_encode(&a, buf, sizeof(buf), &len), 0,
	    "a mode's ACL encodes");
	TAP_EQ_INT(buf[0], ACL_VERSION, "without owner SIDs: version 1");
	base = len;
	a.sidowner = ACL_SIDOWNER_OWNER;
	a.owner_sid = sid("S-1-1-0");
	tap_ok(!acl_is_trivial(&a, 0), "an ACL with an owner SID is no "
	    "mode's (it is stored)");
	TAP_EQ_INT(acl_encode(&a, buf, sizeof(buf), &len), 0,
	    "with the owner S-1-1-0: encodes");
	TAP_EQ_INT(buf[0], ACL_VERSION_OWNER, "version 4");
	TAP_EQ_INT(buf[1], 0, "version 4 without ACL flags: flags byte 0");
	TAP_EQ_INT(len, base + 1 + 1 + (7 + 4), "its size: one byte more of "
	    "header, the which byte and the SID");
	TAP_EQ_INT(acl_decode(buf, len, &b), 0, "decodes");
	tap_ok(b.sidowner == ACL_SIDOWNER_OWNER &&
	    acl_sid_equal(&b.owner_sid, &a.owner_sid) && b.count == a.count,
	    "read back: the owner SID and the ACEs");
	/* Both, with ACL flags and a SID ACE. */
	a.sidowner = ACL_SIDOWNER_ALL;
	a.group_sid = sid("S-1-5-32-545");
	a.aclflags = ACL_PROTECTED;
	sidace(&a, ACL_TYPE_DENY, 0, W, "S-1-5-21-1-2-3-1001");
	TAP_EQ_INT(acl_encode(&a, buf, sizeof(buf), &len), 0,
	    "owner and group SIDs, flags, a SID ACE: encodes");
	TAP_EQ_INT(acl_decode(buf, len, &b), 0, "decodes");
	tap_ok(b.sidowner == ACL_SIDOWNER_ALL && b.aclflags == ACL_PROTECTED &&
	    acl_sid_equal(&b.owner_sid, &a.owner_sid) &&
	    acl_sid_equal(&b.group_sid, &a.group_sid) && b.nsids == 1,
	    "read back: both SIDs, the flags and the table");
	/* Strict. */
	TAP_EQ_INT(acl_decode(buf, len - 1, &c), -EINVAL, "truncated: EINVAL");
	tap_ok(c.sidowner == 0, "a refused record leaves no owner SID");
	buf[len] = 0;
	TAP_EQ_INT(acl_decode(buf, len + 1, &c), -EINVAL, "a byte after it: "
	    "EINVAL");
	a.sidowner = ACL_SIDOWNER_GROUP;
	TAP_EQ_INT(acl_encode(&a, buf, sizeof(buf), &len), 0, "group alone");
	base = len - (7 + 4 * 2) - 1;	/* the which byte */
	buf[base] = 0;
	TAP_EQ_INT(acl_decode(buf, len - (7 + 4 * 2), &c), -EINVAL,
	    "version 4 that keeps no SID: EINVAL");
	buf[base] = 0x04;
	TAP_EQ_INT(acl_decode(buf, len, &c), -EINVAL, "an unknown which bit: "
	    "EINVAL");
	a.sidowner = 0x04;
	TAP_EQ_INT(acl_encode(&a, buf, sizeof(buf), &len), -EINVAL,
	    "encoding an unknown which bit: EINVAL");
	a.sidowner = ACL_SIDOWNER_OWNER;
	a.owner_sid.nsub = ACL_SID_SUB_MAX + 1;
	TAP_EQ_INT(acl_encode(&a, buf, sizeof(buf), &len), -EINVAL,
	    "an owner SID out of bounds: EINVAL");
	/* A chmod keeps them; what a new file inherits has none. */
	acl_from_mode(0644, 1, &a);
	a.sidowner = ACL_SIDOWNER_ALL;
	a.owner_sid = sid("S-1-1-0");
	a.group_sid = sid("S-1-5-32-545");
	TAP_EQ_INT(acl_chmod(&a, 0600, 1, &b), 0, "chmod 0600");
	tap_ok(b.sidowner == ACL_SIDOWNER_ALL &&
	    acl_sid_equal(&b.owner_sid, &a.owner_sid) &&
	    acl_sid_equal(&b.group_sid, &a.group_sid),
	    "a chmod keeps the owner and group SIDs");
	ace(&a, ACL_TYPE_ALLOW, ACL_WHO_EVERYONE, ACL_FLAG_FILE_INHERIT, R, 0);
	tap_ok(acl_inherit(&a, 0, 100, 10, &c) == 1 && c.sidowner == 0,
	    "a new file inherits ACEs, not the owner SID");
	/* acl_sidowner_keep: what the new ACL lacks, from the old. */
	mk(&c);
	c.sidowner = ACL_SIDOWNER_GROUP;
	c.group_sid = sid("S-1-5-11");
	acl_sidowner_keep(&c, &a);
	tap_ok(c.sidowner == ACL_SIDOWNER_ALL &&
	    acl_sid_equal(&c.owner_sid, &a.owner_sid) &&
	    acl_sid_equal(&c.group_sid, &(struct acl_sid){ .auth = 5,
	    .nsub = 1, .sub = { 11 } }),
	    "keep: the old owner SID comes, the new group SID stays");
}

int
main(void)
{
	test_evaluation();
	test_mode_round_trip();
	test_perm_agrees();
	test_chmod();
	test_inherit();
	test_encoding();
	test_sid_evaluation();
	test_sid_mode();
	test_sid_encoding();
	test_sid_string();
	test_windows_owner();
	test_sidowner();
	test_fuzz();
	return tap_done();
}
