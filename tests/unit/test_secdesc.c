/*
 * smbd/secdesc.c against MS-DTYP 2.4.2-2.4.6 and the SID rule of
 * secdesc.h: descriptors as clients send them parsed into the ACL
 * model, the model built back byte for byte, round trips, NULL and
 * empty DACLs, Windows SIDs kept in the ACL's table, the refusals, and
 * the parser's fuzz target.
 */
#include <string.h>

#include "tap.h"
#include "fuzz.h"
#include "common/acl.h"
#include "status.h"
#include "secdesc.h"

/* A descriptor written as a client would: the test's own little encoder. */
struct wr {
	uint8_t	b[2048];
	size_t	len;
};

static void
w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
w32(uint8_t *p, uint32_t v)
{
	w16(p, (uint16_t)v);
	w16(p + 2, (uint16_t)(v >> 16));
}

/* S-1-auth-sub0[-sub1]: nsub 1 or 2. */
static size_t
wsid(uint8_t *p, uint8_t auth, int nsub, uint32_t s0, uint32_t s1)
{
	memset(p, 0, 8);
	p[0] = 1;
	p[1] = (uint8_t)nsub;
	p[7] = auth;
	w32(p + 8, s0);
	if (nsub > 1)
		w32(p + 12, s1);
	return 8 + 4 * (size_t)nsub;
}

static void
sd_start(struct wr *w, uint16_t control)
{
	memset(w->b, 0, sizeof(w->b));
	w->b[0] = 1;
	w16(w->b + 2, (uint16_t)(control | SECDESC_SE_SELF_RELATIVE));
	w->len = 20;
}

static void
sd_owner(struct wr *w, uint8_t auth, int nsub, uint32_t s0, uint32_t s1)
{
	w32(w->b + 4, (uint32_t)w->len);
	w->len += wsid(w->b + w->len, auth, nsub, s0, s1);
}

static void
sd_group(struct wr *w, uint8_t auth, int nsub, uint32_t s0, uint32_t s1)
{
	w32(w->b + 8, (uint32_t)w->len);
	w->len += wsid(w->b + w->len, auth, nsub, s0, s1);
}

static size_t acl_at;

static void
sd_dacl(struct wr *w)
{
	w32(w->b + 16, (uint32_t)w->len);
	acl_at = w->len;
	w->b[w->len] = 2;
	w16(w->b + w->len + 2, 8);
	w->len += 8;
}

static void
sd_ace(struct wr *w, uint8_t type, uint8_t flags, uint32_t mask,
    uint8_t auth, int nsub, uint32_t s0, uint32_t s1)
{
	size_t n;

	w->b[w->len] = type;
	w->b[w->len + 1] = flags;
	w32(w->b + w->len + 4, mask);
	n = 8 + wsid(w->b + w->len + 8, auth, nsub, s0, s1);
	w16(w->b + w->len + 2, (uint16_t)n);
	w->len += n;
	w16(w->b + acl_at + 2, (uint16_t)(w->len - acl_at));
	w16(w->b + acl_at + 4, (uint16_t)(w->b[acl_at + 4] + 1));
}

static int
ace_is(const struct acl_ace *a, uint8_t type, uint8_t who, uint16_t flags,
    uint32_t mask, uint32_t id)
{
	return a->type == type && a->who == who && a->flags == flags &&
	    a->mask == mask && a->id == id;
}

/* The same ACEs, a SID ACE naming the same SID (whatever its index). */
static int
acl_same(const struct acl *x, const struct acl *y)
{
	const struct acl_sid *sx, *sy;
	size_t i;

	if (x->count != y->count)
		return 0;
	for (i = 0; i < x->count; i++) {
		if (x->ace[i].who == ACL_WHO_SID) {
			sx = acl_ace_sid(x, &x->ace[i]);
			sy = acl_ace_sid(y, &y->ace[i]);
			if (sx == NULL || sy == NULL || !acl_sid_equal(sx, sy) ||
			    !ace_is(&x->ace[i], y->ace[i].type, ACL_WHO_SID,
			    y->ace[i].flags, y->ace[i].mask, x->ace[i].id))
				return 0;
			continue;
		}
		if (!ace_is(&x->ace[i], y->ace[i].type, y->ace[i].who,
		    y->ace[i].flags, y->ace[i].mask, y->ace[i].id))
			return 0;
	}
	return 1;
}

/* An ACE for S-1-auth-subs[0]-...-subs[nsub - 1]. */
static void
sd_ace_n(struct wr *w, uint8_t type, uint8_t flags, uint32_t mask,
    uint8_t auth, int nsub, const uint32_t *subs)
{
	uint8_t *p = w->b + w->len;
	size_t n;
	int i;

	p[0] = type;
	p[1] = flags;
	w32(p + 4, mask);
	memset(p + 8, 0, 8);
	p[8] = 1;
	p[9] = (uint8_t)nsub;
	p[15] = auth;
	for (i = 0; i < nsub; i++)
		w32(p + 16 + 4 * i, subs[i]);
	n = 16 + 4 * (size_t)nsub;
	w16(p + 2, (uint16_t)n);
	w->len += n;
	w16(w->b + acl_at + 2, (uint16_t)(w->len - acl_at));
	w16(w->b + acl_at + 4, (uint16_t)(w->b[acl_at + 4] + 1));
}

static void
add(struct acl *a, uint8_t type, uint8_t who, uint16_t flags, uint32_t mask,
    uint32_t id)
{
	struct acl_ace *e = &a->ace[a->count++];

	e->type = type;
	e->who = who;
	e->flags = flags;
	e->mask = mask;
	e->id = id;
}

/*
 * MS-DTYP 2.4.6: the DACL's control bits ride with the ACL;
 * SE_DACL_AUTO_INHERITED only with SE_DACL_AUTO_INHERIT_REQ.
 */
static void
test_control(void)
{
	static const struct {
		uint16_t	set;
		uint32_t	aclflags;
		uint16_t	get;
	} t[] = {
		{ 0, 0, 0 },
		{ 0x0400, 0, 0 },		/* AUTO_INHERITED alone */
		{ 0x0100, 0, 0 },		/* AUTO_INHERIT_REQ alone */
		{ 0x0500, ACL_AUTO_INHERIT, 0x0400 },
		{ 0x1000, ACL_PROTECTED, 0x1000 },
		{ 0x1508, ACL_AUTO_INHERIT | ACL_PROTECTED | ACL_DEFAULTED,
		    0x1408 },
	};
	uint8_t buf[SECDESC_BUILD_MAX];
	struct secdesc sd;
	struct wr w;
	size_t i, n;
	unsigned int bad = 0;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		sd_start(&w, (uint16_t)(SECDESC_SE_DACL_PRESENT | t[i].set));
		sd_dacl(&w);
		sd_ace(&w, 0, 0, 0x001200a9, 1, 1, 0, 0);
		if (secdesc_parse(w.b, w.len, &sd) != 0 ||
		    sd.dacl.aclflags != t[i].aclflags) {
			bad++;
			continue;
		}
		n = secdesc_build(&sd, SECDESC_DACL, buf, sizeof(buf));
		if (n < 4 || n > sizeof(buf) || (uint16_t)(buf[2] |
		    buf[3] << 8) != (SECDESC_SE_SELF_RELATIVE |
		    SECDESC_SE_DACL_PRESENT | t[i].get))
			bad++;
	}
	TAP_EQ_INT(bad, 0, "DACL control bits: parsed into the ACL's flags "
	    "(AUTO_INHERITED only with AUTO_INHERIT_REQ) and built back");
	/* A NULL DACL keeps them too. */
	sd_start(&w, SECDESC_SE_DACL_PRESENT | 0x1000);
	tap_ok(secdesc_parse(w.b, w.len, &sd) == 0 &&
	    sd.dacl.aclflags == ACL_PROTECTED, "a NULL DACL, PROTECTED");
}

/* What smbcacls or Windows sends, into the model. */
static void
test_parse_client(void)
{
	struct wr w;
	struct secdesc sd;
	const struct acl_ace *a = sd.dacl.ace;

	sd_start(&w, SECDESC_SE_DACL_PRESENT | SECDESC_SE_DACL_PROTECTED);
	sd_owner(&w, 22, 2, 1, 1000);
	sd_group(&w, 22, 2, 2, 100);
	sd_dacl(&w);
	sd_ace(&w, 1, 0, 0x00000002, 22, 2, 1, 2000);		/* DENY */
	sd_ace(&w, 0, 0x03, SECDESC_GENERIC_READ, 1, 1, 0, 0);	/* Everyone */
	sd_ace(&w, 0, 0x0b, SECDESC_GENERIC_ALL, 3, 1, 0, 0);	/* CREATOR OWNER */
	sd_ace(&w, 0, 0x10, 0x001f01ff, 22, 2, 2, 50);
	sd_ace(&w, 0, 0, 0x001200a9 | 0x02000000, 3, 1, 4, 0);	/* OWNER RIGHTS */
	sd_ace(&w, 1, 0x04 | 0x01, 0x00010000, 3, 1, 1, 0);	/* CREATOR GROUP */
	tap_ok(secdesc_parse(w.b, w.len, &sd) == 0, "client descriptor parsed");
	tap_ok(sd.present == (SECDESC_OWNER | SECDESC_GROUP | SECDESC_DACL) &&
	    sd.uid == 1000 && sd.gid == 100,
	    "owner S-1-22-1-1000 is uid 1000, group S-1-22-2-100 gid 100");
	tap_ok(sd.dacl.count == 6, "six ACEs");
	tap_ok(ace_is(&a[0], ACL_TYPE_DENY, ACL_WHO_ID, 0, ACL_WRITE_DATA,
	    2000), "DENY S-1-22-1-2000 WRITE_DATA: a named user");
	tap_ok(ace_is(&a[1], ACL_TYPE_ALLOW, ACL_WHO_EVERYONE,
	    ACL_FLAG_FILE_INHERIT | ACL_FLAG_DIRECTORY_INHERIT,
	    0x00120089, 0), "Everyone GENERIC_READ OI|CI: EVERYONE@ "
	    "FILE_GENERIC_READ, FILE_INHERIT|DIRECTORY_INHERIT");
	tap_ok(ace_is(&a[2], ACL_TYPE_ALLOW, ACL_WHO_OWNER,
	    ACL_FLAG_FILE_INHERIT | ACL_FLAG_DIRECTORY_INHERIT |
	    ACL_FLAG_INHERIT_ONLY, ACL_MASK_ALL, 0),
	    "CREATOR OWNER GENERIC_ALL OI|CI|IO: inheritable OWNER@, all bits");
	tap_ok(ace_is(&a[3], ACL_TYPE_ALLOW, ACL_WHO_ID,
	    ACL_FLAG_INHERITED | ACL_FLAG_IDENTIFIER_GROUP, ACL_MASK_ALL, 50),
	    "S-1-22-2-50 INHERITED: named group 50, INHERITED");
	tap_ok(ace_is(&a[4], ACL_TYPE_ALLOW, ACL_WHO_OWNER, 0, 0x001200a9,
	    0), "OWNER RIGHTS: OWNER@, MAXIMUM_ALLOWED dropped");
	tap_ok(ace_is(&a[5], ACL_TYPE_DENY, ACL_WHO_GROUP,
	    ACL_FLAG_FILE_INHERIT | ACL_FLAG_NO_PROPAGATE_INHERIT,
	    ACL_DELETE, 0), "CREATOR GROUP DENY OI|NP: GROUP@");
}

static void
test_generic(void)
{
	tap_ok(secdesc_mask_to_acl(SECDESC_GENERIC_READ) == 0x00120089,
	    "GENERIC_READ is FILE_GENERIC_READ");
	tap_ok(secdesc_mask_to_acl(SECDESC_GENERIC_WRITE) == 0x00120116,
	    "GENERIC_WRITE is FILE_GENERIC_WRITE");
	tap_ok(secdesc_mask_to_acl(SECDESC_GENERIC_EXECUTE) == 0x001200a0,
	    "GENERIC_EXECUTE is FILE_GENERIC_EXECUTE");
	tap_ok(secdesc_mask_to_acl(SECDESC_GENERIC_ALL) == ACL_MASK_ALL,
	    "GENERIC_ALL is FILE_ALL_ACCESS");
	tap_ok(secdesc_mask_to_acl(0x01000000 | 0x02000000 | 0xfe00 |
	    ACL_READ_DATA) == ACL_READ_DATA,
	    "ACCESS_SYSTEM_SECURITY, MAXIMUM_ALLOWED, reserved bits dropped");
}

/* The model, built, exactly as MS-DTYP lays it out. */
static void
test_build_bytes(void)
{
	static const uint8_t want[] = {
		1, 0, 0x04, 0x80,		/* DACL_PRESENT|SELF_RELATIVE */
		20, 0, 0, 0, 36, 0, 0, 0,	/* owner, group */
		0, 0, 0, 0, 52, 0, 0, 0,	/* no SACL, DACL */
		1, 2, 0, 0, 0, 0, 0, 22, 1, 0, 0, 0, 0xe8, 3, 0, 0,
		1, 2, 0, 0, 0, 0, 0, 22, 2, 0, 0, 0, 100, 0, 0, 0,
		2, 0, 52, 0, 2, 0, 0, 0,	/* ACL: 52 bytes, 2 ACEs */
		1, 0, 24, 0, 2, 0, 0, 0,	/* DENY WRITE_DATA */
		1, 2, 0, 0, 0, 0, 0, 22, 1, 0, 0, 0, 0xd0, 7, 0, 0,
		0, 0x13, 20, 0, 0xff, 1, 0x1f, 0, /* ALLOW OI|CI|INH */
		1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
	};
	struct secdesc sd;
	uint8_t buf[SECDESC_BUILD_MAX];
	size_t n;

	memset(&sd, 0, sizeof(sd));
	sd.present = SECDESC_OWNER | SECDESC_GROUP | SECDESC_DACL;
	sd.uid = 1000;
	sd.gid = 100;
	add(&sd.dacl, ACL_TYPE_DENY, ACL_WHO_ID, 0, ACL_WRITE_DATA, 2000);
	add(&sd.dacl, ACL_TYPE_ALLOW, ACL_WHO_EVERYONE, ACL_FLAG_FILE_INHERIT |
	    ACL_FLAG_DIRECTORY_INHERIT | ACL_FLAG_INHERITED, ACL_MASK_ALL, 0);
	add(&sd.dacl, ACL_TYPE_AUDIT, ACL_WHO_EVERYONE, 0, ACL_READ_DATA, 0);
	n = secdesc_build(&sd, SECDESC_OWNER | SECDESC_GROUP | SECDESC_DACL,
	    buf, sizeof(buf));
	tap_ok(n == sizeof(want) && memcmp(buf, want, n) == 0,
	    "owner, group and DACL laid out byte for byte (AUDIT left out)");

	memset(buf, 0xaa, sizeof(buf));
	n = secdesc_build(&sd, SECDESC_OWNER | SECDESC_GROUP | SECDESC_DACL,
	    buf, 40);
	tap_ok(n == sizeof(want) && buf[0] == 0xaa,
	    "too small a buffer: the size needed, nothing written");

	n = secdesc_build(&sd, SECDESC_DACL, buf, sizeof(buf));
	tap_ok(n == 20 + 52 && buf[4] == 0 && buf[8] == 0 && buf[16] == 20 &&
	    buf[2] == 0x04, "DACL only: no owner, no group");
	n = secdesc_build(&sd, SECDESC_OWNER, buf, sizeof(buf));
	tap_ok(n == 36 && buf[2] == 0 && buf[3] == 0x80 && buf[16] == 0,
	    "owner only: no DACL_PRESENT");
}

static void
test_round_trip(void)
{
	static const uint32_t modes[] = { 0, 0600, 0644, 0754, 0777, 0070,
	    0007, 0421 };
	struct secdesc sd, back;
	uint8_t buf[SECDESC_BUILD_MAX];
	const uint32_t all = SECDESC_OWNER | SECDESC_GROUP | SECDESC_DACL;
	size_t i, n;
	int ok = 1;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		memset(&sd, 0, sizeof(sd));
		sd.present = all;
		sd.uid = 4000000000u;
		sd.gid = 7;
		acl_from_mode(modes[i], (int)(i & 1), &sd.dacl);
		add(&sd.dacl, ACL_TYPE_DENY, ACL_WHO_ID, 0, ACL_WRITE_DATA |
		    ACL_APPEND_DATA, 1234);
		add(&sd.dacl, ACL_TYPE_ALLOW, ACL_WHO_ID,
		    ACL_FLAG_IDENTIFIER_GROUP | ACL_FLAG_DIRECTORY_INHERIT,
		    ACL_READ_DATA | ACL_EXECUTE, 99);
		add(&sd.dacl, ACL_TYPE_ALLOW, ACL_WHO_OWNER,
		    ACL_FLAG_FILE_INHERIT | ACL_FLAG_INHERIT_ONLY,
		    ACL_MASK_ALL, 0);
		add(&sd.dacl, ACL_TYPE_ALLOW, ACL_WHO_GROUP,
		    ACL_FLAG_NO_PROPAGATE_INHERIT | ACL_FLAG_FILE_INHERIT |
		    ACL_FLAG_INHERITED, ACL_READ_ACL, 0);
		n = secdesc_build(&sd, all, buf, sizeof(buf));
		if (n == 0 || secdesc_parse(buf, n, &back) != 0 ||
		    back.present != all || back.uid != sd.uid ||
		    back.gid != sd.gid || !acl_same(&back.dacl, &sd.dacl))
			ok = 0;
	}
	tap_ok(ok, "mode ACLs with named, inheritable and inherited ACEs: "
	    "model -> descriptor -> model is the identity");
}

static void
test_null_empty(void)
{
	struct wr w;
	struct secdesc sd;
	uint8_t buf[SECDESC_BUILD_MAX];
	size_t n;

	sd_start(&w, SECDESC_SE_DACL_PRESENT);		/* offset 0: NULL */
	tap_ok(secdesc_parse(w.b, w.len, &sd) == 0 &&
	    sd.present == SECDESC_DACL && sd.dacl.count == 1 &&
	    ace_is(&sd.dacl.ace[0], ACL_TYPE_ALLOW, ACL_WHO_EVERYONE, 0,
	    ACL_MASK_ALL, 0), "NULL DACL: EVERYONE@ allowed everything");
	n = secdesc_build(&sd, SECDESC_DACL, buf, sizeof(buf));
	tap_ok(n == 20 && (buf[2] & SECDESC_SE_DACL_PRESENT) &&
	    buf[16] == 0 && buf[17] == 0 && buf[18] == 0 && buf[19] == 0,
	    "and built back as a NULL DACL: present, offset 0 (%zu bytes)", n);
	sd.dacl.ace[0].flags = ACL_FLAG_INHERITED;
	n = secdesc_build(&sd, SECDESC_DACL, buf, sizeof(buf));
	tap_ok(n == 20 + 8 + 20 && buf[16] == 20,
	    "an inherited Everyone full control is an ACE, not a NULL DACL");

	sd_start(&w, SECDESC_SE_DACL_PRESENT);
	sd_dacl(&w);
	tap_ok(secdesc_parse(w.b, w.len, &sd) == 0 &&
	    sd.present == SECDESC_DACL && sd.dacl.count == 1 &&
	    ace_is(&sd.dacl.ace[0], ACL_TYPE_ALLOW, ACL_WHO_EVERYONE, 0, 0,
	    0), "empty DACL: one EVERYONE@ ACE that grants nothing");
	n = secdesc_build(&sd, SECDESC_DACL, buf, sizeof(buf));
	tap_ok(n == 28 && buf[20] == 2 && buf[22] == 8 && buf[24] == 0,
	    "and built back as an empty DACL");
	/* An ACE of no bits that is not the empty DACL's stays. */
	sd_start(&w, SECDESC_SE_DACL_PRESENT);
	sd_dacl(&w);
	sd_ace(&w, 0, 0, 0, 22, 2, 1, 1000);
	n = 0;
	tap_ok(secdesc_parse(w.b, w.len, &sd) == 0 && sd.dacl.count == 1 &&
	    (n = secdesc_build(&sd, SECDESC_DACL, buf, sizeof(buf))) ==
	    w.len && memcmp(buf, w.b, n) == 0,
	    "an ALLOW of no bits for uid 1000: built back as it came");
	sd_start(&w, SECDESC_SE_DACL_PRESENT);
	sd_dacl(&w);
	sd_ace(&w, 0, 0x03, 0, 1, 1, 0, 0);
	tap_ok(secdesc_parse(w.b, w.len, &sd) == 0 &&
	    (n = secdesc_build(&sd, SECDESC_DACL, buf, sizeof(buf))) ==
	    w.len && memcmp(buf, w.b, n) == 0,
	    "an inheritable Everyone ALLOW of no bits: built back");

	sd_start(&w, 0);
	sd_owner(&w, 22, 2, 1, 5);
	tap_ok(secdesc_parse(w.b, w.len, &sd) == 0 &&
	    sd.present == SECDESC_OWNER && sd.uid == 5,
	    "no DACL_PRESENT: no DACL change");
}

static void
test_refused(void)
{
	struct wr w;
	struct secdesc sd;
	size_t len;

	sd_start(&w, 0);
	sd_owner(&w, 5, 2, 32, 544);
	w.b[w.len - 16 + 1] = 16;		/* MS-DTYP: at most 15 */
	tap_ok(secdesc_parse(w.b, w.len, &sd) == STATUS_INVALID_OWNER,
	    "an owner SID with 16 sub-authorities: STATUS_INVALID_OWNER");
	sd_start(&w, 0);
	sd_group(&w, 5, 2, 32, 545);
	w.b[w.len - 16] = 2;			/* revision 2 */
	tap_ok(secdesc_parse(w.b, w.len, &sd) ==
	    STATUS_INVALID_PRIMARY_GROUP,
	    "a group SID of revision 2: STATUS_INVALID_PRIMARY_GROUP");
	sd_start(&w, 0);
	w32(w.b + 4, 200);			/* past the buffer */
	tap_ok(secdesc_parse(w.b, w.len, &sd) == STATUS_INVALID_OWNER,
	    "an owner offset past the end: STATUS_INVALID_OWNER");
	sd_start(&w, SECDESC_SE_DACL_PRESENT);
	sd_dacl(&w);
	w.b[w.len] = 0;
	w16(w.b + w.len + 2, 8 + 8 + 4 * 16);
	w.b[w.len + 8] = 1;
	w.b[w.len + 9] = 16;			/* MS-DTYP: at most 15 */
	w.b[w.len + 15] = 5;
	w.len += 8 + 8 + 4 * 16;
	w16(w.b + acl_at + 2, (uint16_t)(w.len - acl_at));
	w16(w.b + acl_at + 4, 1);
	tap_ok(secdesc_parse(w.b, w.len, &sd) == STATUS_INVALID_SID,
	    "an ACE's SID with 16 sub-authorities: STATUS_INVALID_SID");
	sd_start(&w, SECDESC_SE_DACL_PRESENT);
	sd_dacl(&w);
	sd_ace(&w, 5, 0, ACL_READ_DATA, 1, 1, 0, 0);	/* object ACE */
	tap_ok(secdesc_parse(w.b, w.len, &sd) == STATUS_INVALID_ACL,
	    "ACCESS_ALLOWED_OBJECT_ACE: STATUS_INVALID_ACL");

	sd_start(&w, SECDESC_SE_DACL_PRESENT);
	sd_dacl(&w);
	sd_ace(&w, 0, 0, ACL_READ_DATA, 1, 1, 0, 0);
	len = w.len;
	tap_ok(secdesc_parse(w.b, len - 1, &sd) == STATUS_INVALID_ACL,
	    "an ACL past the end of the buffer");
	w16(w.b + acl_at + 4, 2);
	tap_ok(secdesc_parse(w.b, len, &sd) == STATUS_INVALID_ACL,
	    "an AceCount past AclSize");
	w16(w.b + acl_at + 4, 1);
	w16(w.b + acl_at + 8 + 2, 40);
	tap_ok(secdesc_parse(w.b, len, &sd) == STATUS_INVALID_ACL,
	    "an AceSize past AclSize");
	w16(w.b + acl_at + 8 + 2, 20);
	w.b[acl_at + 8 + 9] = 3;		/* SubAuthorityCount past AceSize */
	tap_ok(secdesc_parse(w.b, len, &sd) == STATUS_INVALID_SID,
	    "a SID past its ACE");
	w.b[acl_at + 8 + 9] = 1;
	tap_ok(secdesc_parse(w.b, len, &sd) == 0, "(the same, repaired)");
	w.b[2] = 0x04;
	w.b[3] = 0;
	tap_ok(secdesc_parse(w.b, len, &sd) == STATUS_INVALID_SECURITY_DESCR,
	    "absolute form refused");
	tap_ok(secdesc_parse(w.b, 19, &sd) == STATUS_INVALID_SECURITY_DESCR,
	    "short header refused");
	sd_start(&w, 0);
	w32(w.b + 4, 0xfffffff0u);
	tap_ok(secdesc_parse(w.b, w.len, &sd) == STATUS_INVALID_OWNER,
	    "owner offset past the end");
}

/*
 * A DACL as Windows makes it for a new folder: SYSTEM, Administrators,
 * Authenticated Users, Users, CREATOR OWNER and a domain user.
 */
static void
test_windows_sids(void)
{
	static const uint32_t system[] = { 18 }, authusers[] = { 11 },
	    admins[] = { 32, 544 }, users[] = { 32, 545 },
	    domuser[] = { 21, 1004336348, 1177238915, 682003330, 1001 };
	static const uint32_t groups[] = { 100 };
	const struct acl_cred user = { 1000, 100, groups, 1 };
	const struct acl_cred anon = { ACL_UID_ANONYMOUS, 65534, NULL, 0 };
	const uint32_t all = SECDESC_OWNER | SECDESC_GROUP | SECDESC_DACL;
	struct wr w;
	struct secdesc sd, back;
	struct acl_sid s;
	const struct acl_sid *p;
	uint8_t buf[SECDESC_BUILD_MAX], enc[ACL_ENCODED_MAX];
	struct acl decoded;
	size_t n, len, i;
	uint32_t domain[5];

	sd_start(&w, SECDESC_SE_DACL_PRESENT);
	sd_owner(&w, 22, 2, 1, 1000);
	sd_group(&w, 22, 2, 2, 100);
	sd_dacl(&w);
	sd_ace_n(&w, 0, 0x03, 0x1f01ff, 5, 1, system);
	sd_ace_n(&w, 0, 0x03, 0x1f01ff, 5, 2, admins);
	sd_ace_n(&w, 0, 0x03, 0x1301bf, 5, 1, authusers);
	sd_ace_n(&w, 0, 0x03, 0x1200a9, 5, 2, users);
	sd_ace(&w, 0, 0x0b, 0x1f01ff, 3, 1, 0, 0);	/* CREATOR OWNER */
	sd_ace_n(&w, 1, 0, 0x2, 5, 5, domuser);
	len = w.len;
	tap_ok(secdesc_parse(w.b, len, &sd) == 0 && sd.present == all,
	    "Windows' DACL with well-known and domain SIDs: accepted");
	tap_ok(sd.dacl.count == 6 && sd.dacl.nsids == 5 &&
	    sd.dacl.ace[0].who == ACL_WHO_SID &&
	    sd.dacl.ace[3].who == ACL_WHO_SID &&
	    sd.dacl.ace[4].who == ACL_WHO_OWNER &&
	    sd.dacl.ace[5].who == ACL_WHO_SID &&
	    sd.dacl.ace[5].type == ACL_TYPE_DENY,
	    "five SID ACEs, five SIDs in the table; CREATOR OWNER is OWNER@");
	memset(&s, 0, sizeof(s));
	s.auth = 5;
	s.nsub = 5;
	memcpy(s.sub, domuser, sizeof(domuser));
	p = sd.dacl.count == 6 ? acl_ace_sid(&sd.dacl, &sd.dacl.ace[5]) :
	    NULL;
	tap_ok(p != NULL && acl_sid_equal(p, &s),
	    "the domain SID is kept whole");
	n = secdesc_build(&sd, all, buf, sizeof(buf));
	tap_ok(n == len && memcmp(buf, w.b, len) == 0,
	    "built back byte for byte (%zu bytes)", n);
	tap_ok(acl_encode(&sd.dacl, enc, sizeof(enc), &n) == 0 &&
	    enc[0] == ACL_VERSION_SID && acl_decode(enc, n, &decoded) == 0 &&
	    acl_same(&decoded, &sd.dacl),
	    "stored (version 2) and read back");
	/* What the ACL then lets callers do, by common/acl.h's rule. */
	TAP_EQ_INT(acl_access(&sd.dacl, 0, 0, 1, &user, 0x1f01ff),
	    0x1301bf, "uid 1000 gets Authenticated Users' modify");
	TAP_EQ_INT(acl_access(&sd.dacl, 0, 0, 1, &anon, 0x1f01ff), 0,
	    "the anonymous uid gets nothing");

	/* More distinct SIDs than the table holds. */
	sd_start(&w, SECDESC_SE_DACL_PRESENT);
	sd_dacl(&w);
	memcpy(domain, domuser, sizeof(domain));
	for (i = 0; i <= ACL_SIDS_MAX; i++) {
		domain[4] = 2000 + (uint32_t)i;
		sd_ace_n(&w, 0, 0, ACL_READ_DATA, 5, 5, domain);
	}
	tap_ok(secdesc_parse(w.b, w.len, &sd) == STATUS_INVALID_ACL,
	    "%d distinct SIDs: STATUS_INVALID_ACL", ACL_SIDS_MAX + 1);
	/* As many ACEs for one SID: one table entry. */
	sd_start(&w, SECDESC_SE_DACL_PRESENT);
	sd_dacl(&w);
	for (i = 0; i <= ACL_SIDS_MAX; i++)
		sd_ace_n(&w, i % 2, 0, ACL_READ_DATA, 5, 5, domuser);
	tap_ok(secdesc_parse(w.b, w.len, &sd) == 0 && sd.dacl.nsids == 1 &&
	    sd.dacl.count == ACL_SIDS_MAX + 1,
	    "%d ACEs of one SID: one table entry", ACL_SIDS_MAX + 1);
	n = secdesc_build(&sd, SECDESC_DACL, buf, sizeof(buf));
	tap_ok(n > 0 && secdesc_parse(buf, n, &back) == 0 &&
	    acl_same(&back.dacl, &sd.dacl), "and back");
}

static uint32_t rnd_state = 0x5ecde5c;

/* tests/fuzz/fuzz_secdesc.c on random and mutated descriptors. */
static void
test_fuzz(void)
{
	struct wr w;
	uint8_t buf[600];
	size_t len, j;
	int i;

	sd_start(&w, SECDESC_SE_DACL_PRESENT);
	sd_owner(&w, 22, 2, 1, 1000);
	sd_group(&w, 22, 2, 2, 100);
	sd_dacl(&w);
	sd_ace(&w, 1, 0x13, 0x2, 22, 2, 1, 2000);
	sd_ace(&w, 0, 0x0b, SECDESC_GENERIC_ALL, 3, 1, 0, 0);
	sd_ace(&w, 0, 0, 0x1f01ff, 1, 1, 0, 0);
	sd_ace(&w, 0, 0x03, 0x1200a9, 5, 2, 32, 545);
	sd_ace_n(&w, 1, 0, 0x2, 5, 5, (const uint32_t[]){ 21, 1, 2, 3, 1001 });
	for (i = 0; i < 20000; i++) {
		len = fuzz_next(&rnd_state) % sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)fuzz_next(&rnd_state);
		if (len > 4 && fuzz_next(&rnd_state) % 2) {
			buf[0] = 1;
			buf[3] |= 0x80;
		}
		fuzz_secdesc_one(buf, len);
	}
	for (i = 0; i < 20000; i++) {
		memcpy(buf, w.b, w.len);
		len = w.len;
		for (j = fuzz_next(&rnd_state) % 4 + 1; j > 0; j--)
			buf[fuzz_next(&rnd_state) % w.len] =
			    (uint8_t)fuzz_next(&rnd_state);
		if (fuzz_next(&rnd_state) % 4 == 0)
			len = fuzz_next(&rnd_state) % (w.len + 1);
		fuzz_secdesc_one(buf, len);
	}
	tap_ok(1, "fuzz_secdesc_one survived 40000 random and mutated inputs");
}

/*
 * An owner or group that names no Unix id of its kind (S-1-1-0, S-1-5-32-
 * 544, a user as group) is kept as its SID (sidowner) and built back so;
 * S-1-22-1-U as owner and S-1-22-2-G as group are the ids.
 */
static void
test_owner_sids(void)
{
	struct wr w;
	struct secdesc sd, back;
	uint8_t buf[SECDESC_BUILD_MAX];
	const uint32_t both = SECDESC_OWNER | SECDESC_GROUP;
	size_t n;

	sd_start(&w, 0);
	sd_owner(&w, 1, 1, 0, 0);		/* Everyone */
	sd_group(&w, 5, 2, 32, 544);		/* BUILTIN\Administrators */
	tap_ok(secdesc_parse(w.b, w.len, &sd) == 0 && sd.present == both &&
	    sd.sidowner == ACL_SIDOWNER_ALL &&
	    sd.owner_sid.auth == 1 && sd.owner_sid.nsub == 1 &&
	    sd.owner_sid.sub[0] == 0 && sd.group_sid.auth == 5 &&
	    sd.group_sid.nsub == 2 && sd.group_sid.sub[1] == 544,
	    "owner S-1-1-0, group S-1-5-32-544: kept as SIDs");
	n = secdesc_build(&sd, both, buf, sizeof(buf));
	tap_ok(n == w.len && memcmp(buf, w.b, n) == 0,
	    "built back byte for byte");
	sd_start(&w, 0);
	sd_owner(&w, 22, 2, 1, 1000);
	sd_group(&w, 22, 2, 1, 5);		/* a user as group */
	tap_ok(secdesc_parse(w.b, w.len, &sd) == 0 && sd.uid == 1000 &&
	    sd.sidowner == ACL_SIDOWNER_GROUP && sd.group_sid.auth == 22 &&
	    sd.group_sid.sub[0] == 1 && sd.group_sid.sub[1] == 5,
	    "owner S-1-22-1-1000 is uid 1000; group S-1-22-1-5 a SID");
	/* The largest owner and group: 15 sub-authorities each. */
	memset(&sd, 0, sizeof(sd));
	sd.present = both | SECDESC_DACL;
	sd.sidowner = ACL_SIDOWNER_ALL;
	sd.owner_sid.auth = 5;
	sd.owner_sid.nsub = ACL_SID_SUB_MAX;
	sd.group_sid = sd.owner_sid;
	sd.group_sid.sub[14] = 9;
	acl_from_mode(0644, 0, &sd.dacl);
	n = secdesc_build(&sd, both | SECDESC_DACL, buf, sizeof(buf));
	tap_ok(n > 0 && n <= SECDESC_BUILD_MAX &&
	    secdesc_parse(buf, n, &back) == 0 &&
	    back.sidowner == ACL_SIDOWNER_ALL &&
	    acl_sid_equal(&back.owner_sid, &sd.owner_sid) &&
	    acl_sid_equal(&back.group_sid, &sd.group_sid),
	    "owner and group of 15 sub-authorities: round trip");
}

int
main(void)
{
	test_parse_client();
	test_control();
	test_generic();
	test_build_bytes();
	test_round_trip();
	test_null_empty();
	test_refused();
	test_owner_sids();
	test_windows_sids();
	test_fuzz();
	return tap_done();
}
