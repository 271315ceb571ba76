/*
 * nfsd/v4/attr.c: bitmap4 bounds, fattr4 encodings byte for byte as
 * RFC 7530 5 lays them out, settable decode with its ATTRNOTSUPP,
 * INVAL, BADOWNER and BADXDR cases, round trips, and VERIFY/NVERIFY.
 */
#include <stdint.h>
#include <string.h>

#include "nfs4.h"
#include "nfs4_build.h"
#include "tap.h"

static struct nfs4_idmap *m;

static int
same(const struct xdrbuf_out *o, const struct wb *w, const char *what)
{
	if (o->len == w->n && memcmp(o->buf, w->b, w->n) == 0)
		return 1;
	tap_diag("%s: got %zu bytes, want %zu", what, o->len, w->n);
	return 0;
}

static void
mask2(struct nfs4_bitmap *b, uint32_t w0, uint32_t w1)
{
	memset(b, 0, sizeof(*b));
	b->w[0] = w0;
	b->w[1] = w1;
}

#define B(n)	(1u << ((n) % 32))

/* A fattr_raw over w's bytes. */
static void
raw(struct nfs4_fattr_raw *f, uint32_t w0, uint32_t w1, const struct wb *w)
{
	mask2(&f->mask, w0, w1);
	f->vals.p = w->b;
	f->vals.len = (uint32_t)w->n;
}

static void
test_bitmap(void)
{
	struct wb w;
	struct xdrbuf_in x;
	struct nfs4_bitmap b;
	int i;

	w.n = 0;
	w32(&w, NFS4_BITMAP_WIRE_MAX);
	for (i = 0; i < NFS4_BITMAP_WIRE_MAX; i++)
		w32(&w, i == 5 ? 1 : (i == 1 ? B(FATTR4_MODE) : 0));
	xdrbuf_in_init(&x, w.b, w.n);
	tap_ok(nfs4_get_bitmap(&x, &b) == 0 && b.beyond &&
	    nfs4_bitmap_isset(&b, FATTR4_MODE) && x.pos == w.n,
	    "8-word bitmap4: kept words, a later bit noted");
	w.n = 0;
	w32(&w, NFS4_BITMAP_WIRE_MAX + 1);
	for (i = 0; i <= NFS4_BITMAP_WIRE_MAX; i++)
		w32(&w, 0);
	xdrbuf_in_init(&x, w.b, w.n);
	tap_ok(nfs4_get_bitmap(&x, &b) == -1, "9-word bitmap4 refused");
	w.n = 0;
	w32(&w, 2);
	w32(&w, 1);
	xdrbuf_in_init(&x, w.b, w.n);
	tap_ok(nfs4_get_bitmap(&x, &b) == -1, "truncated bitmap4 refused");
	w.n = 0;
	w32(&w, 0);
	xdrbuf_in_init(&x, w.b, w.n);
	tap_ok(nfs4_get_bitmap(&x, &b) == 0 && b.w[0] == 0 && b.w[1] == 0 &&
	    !b.beyond, "empty bitmap4");
	tap_ok(!nfs4_bitmap_isset(&b, 200), "a bit past our words is clear");
}

static void
src_sample(struct nfs4_attr_src *s)
{
	nfs4_attr_src_defaults(s);
	s->type = NF4REG;
	s->size = 0x123456789ull;
	s->fileid = 77;
	s->mode = 02640;		/* setgid: all 12 bits travel */
	s->uid = 1000;
	s->gid = 4242;		/* no name: numeric */
	s->mtime.sec = 1700000000;
	s->mtime.nsec = 5;
	s->change = 99;
}

static void
test_encode(void)
{
	struct nfs4_attr_src s;
	struct nfs4_bitmap req, sup;
	struct xdrbuf_out o;
	struct wb w;
	const char *owner = "alice@example.org";

	/* type, size, fileid, mode, owner, owner_group, time_modify. */
	src_sample(&s);
	mask2(&req, B(FATTR4_TYPE) | B(FATTR4_SIZE) | B(FATTR4_FILEID),
	    B(FATTR4_MODE) | B(FATTR4_OWNER) | B(FATTR4_OWNER_GROUP) |
	    B(FATTR4_TIME_MODIFY));
	xdrbuf_out_init(&o);
	tap_ok(nfs4_fattr_encode(&o, &req, &s, m) == NFS4_OK,
	    "GETATTR encodes");
	w.n = 0;
	w32(&w, 2);
	w32(&w, 0x00100012);		/* type (1), size (4), fileid (20) */
	w32(&w, 0x00200032);		/* mode 33, owner 36, group 37,
					   time_modify 53 */
	w32(&w, 4 + 8 + 8 + 4 + (4 + 20) + (4 + 4) + 12);
	w32(&w, NF4REG);
	w64(&w, 0x123456789ull);
	w64(&w, 77);
	w32(&w, 02640);
	wstr(&w, owner);
	wstr(&w, "4242");
	w64(&w, 1700000000);
	w32(&w, 5);
	tap_ok(same(&o, &w, "getattr"),
	    "fattr4 byte for byte: names for known ids, numbers otherwise");
	xdrbuf_out_free(&o);

	/* To an AUTH_SYS caller with numeric owners: numbers, ACL too. */
	src_sample(&s);
	s.numeric_ids = 1;
	mask2(&req, 0, B(FATTR4_OWNER) | B(FATTR4_OWNER_GROUP));
	xdrbuf_out_init(&o);
	tap_ok(nfs4_fattr_encode(&o, &req, &s, m) == NFS4_OK, "GETATTR of "
	    "owner and owner_group, numeric");
	w.n = 0;
	w32(&w, 2);
	w32(&w, 0);
	w32(&w, 0x00000030);
	w32(&w, (4 + 4) + (4 + 4));
	wstr(&w, "1000");
	wstr(&w, "4242");
	tap_ok(same(&o, &w, "numeric owners"), "numeric: \"1000\" for alice "
	    "too");
	xdrbuf_out_free(&o);

	/* Attributes we lack are left out, not an error. */
	mask2(&req, B(FATTR4_SIZE) | B(FATTR4_ARCHIVE) | B(FATTR4_HIDDEN),
	    B(FATTR4_QUOTA_USED) | B(FATTR4_SYSTEM));
	xdrbuf_out_init(&o);
	w.n = 0;
	w32(&w, 1);
	w32(&w, B(FATTR4_SIZE));
	w32(&w, 8);
	w64(&w, 0x123456789ull);
	tap_ok(nfs4_fattr_encode(&o, &req, &s, m) == NFS4_OK &&
	    same(&o, &w, "unsupported"),
	    "archive, hidden, quota_used, system: left out of the mask");
	xdrbuf_out_free(&o);

	/* Write-only attributes cannot be read. */
	mask2(&req, B(FATTR4_SIZE), B(FATTR4_TIME_MODIFY_SET));
	xdrbuf_out_init(&o);
	tap_ok(nfs4_fattr_encode(&o, &req, &s, m) == NFS4ERR_INVAL,
	    "GETATTR of time_modify_set: INVAL");
	xdrbuf_out_free(&o);

	/* supported_attrs says what we serve; omit takes one away. */
	mask2(&req, B(FATTR4_SUPPORTED_ATTRS) | B(FATTR4_ACL), 0);
	s.omit.w[0] = B(FATTR4_ACL);
	xdrbuf_out_init(&o);
	nfs4_attr_supported(&sup, 0);
	w.n = 0;
	w32(&w, 1);
	w32(&w, B(FATTR4_SUPPORTED_ATTRS));
	w32(&w, 12);
	w32(&w, 2);
	w32(&w, sup.w[0]);
	w32(&w, sup.w[1]);
	tap_ok(nfs4_fattr_encode(&o, &req, &s, m) == NFS4_OK &&
	    same(&o, &w, "supported_attrs"),
	    "supported_attrs encodes; an omitted acl is left out");
	tap_ok((sup.w[0] & (B(FATTR4_SUPPORTED_ATTRS) | B(FATTR4_TYPE) |
	    B(FATTR4_FH_EXPIRE_TYPE) | B(FATTR4_CHANGE) | B(FATTR4_SIZE) |
	    B(FATTR4_LINK_SUPPORT) | B(FATTR4_SYMLINK_SUPPORT) |
	    B(FATTR4_NAMED_ATTR) | B(FATTR4_FSID) | B(FATTR4_UNIQUE_HANDLES) |
	    B(FATTR4_LEASE_TIME) | B(FATTR4_RDATTR_ERROR) |
	    B(FATTR4_FILEHANDLE))) == (B(FATTR4_SUPPORTED_ATTRS) |
	    B(FATTR4_TYPE) | B(FATTR4_FH_EXPIRE_TYPE) | B(FATTR4_CHANGE) |
	    B(FATTR4_SIZE) | B(FATTR4_LINK_SUPPORT) |
	    B(FATTR4_SYMLINK_SUPPORT) | B(FATTR4_NAMED_ATTR) |
	    B(FATTR4_FSID) | B(FATTR4_UNIQUE_HANDLES) |
	    B(FATTR4_LEASE_TIME) | B(FATTR4_RDATTR_ERROR) |
	    B(FATTR4_FILEHANDLE)) &&
	    (sup.w[0] & B(FATTR4_ARCHIVE)) == 0 &&
	    (sup.w[1] & B(FATTR4_MOUNTED_ON_FILEID)) &&
	    (sup.w[1] & B(FATTR4_SPACE_USED)) &&
	    (sup.w[1] & B(FATTR4_RAWDEV)),
	    "every mandatory attribute is supported, archive is not");
	xdrbuf_out_free(&o);

	/* fs_locations "none": the root path, no locations. */
	s.fs_root = "/export//a/";
	mask2(&req, B(FATTR4_FS_LOCATIONS) | B(FATTR4_FSID), 0);
	s.fsid_major = 1;
	s.fsid_minor = 2;
	xdrbuf_out_init(&o);
	w.n = 0;
	w32(&w, 1);
	w32(&w, B(FATTR4_FSID) | B(FATTR4_FS_LOCATIONS));
	w32(&w, 16 + 4 + 12 + 8 + 4);
	w64(&w, 1);
	w64(&w, 2);
	w32(&w, 2);
	wstr(&w, "export");
	wstr(&w, "a");
	w32(&w, 0);
	tap_ok(nfs4_fattr_encode(&o, &req, &s, m) == NFS4_OK &&
	    same(&o, &w, "fs_locations"),
	    "fsid, fs_locations with the root's components and no locations");
	xdrbuf_out_free(&o);

	/* acl from the mode when the object has none of its own. */
	src_sample(&s);
	s.mode = 0600;
	mask2(&req, B(FATTR4_ACL), 0);
	{
		struct acl want;
		struct nfs4_fattr_raw f;
		struct nfs4_sattr sa;
		size_t lenpos;

		acl_from_mode(0600, 0, &want);
		xdrbuf_out_init(&o);
		tap_ok(nfs4_fattr_encode(&o, &req, &s, m) == NFS4_OK,
		    "acl from the mode encodes");
		/* Decode it back: skip bitmap (2 words) and length. */
		lenpos = 8;
		mask2(&f.mask, B(FATTR4_ACL), 0);
		f.vals.p = o.buf + lenpos + 4;
		f.vals.len = (uint32_t)(o.len - lenpos - 4);
		tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4_OK &&
		    sa.acl.count == want.count && want.count > 0 &&
		    memcmp(sa.acl.ace, want.ace,
		    want.count * sizeof(want.ace[0])) == 0,
		    "acl round trip: the mode's %zu ACEs", want.count);
		xdrbuf_out_free(&o);
	}
	/* Windows SID ACEs: their string form as the who, and back. */
	{
		static struct acl have;
		struct nfs4_fattr_raw f;
		struct nfs4_sattr sa;
		struct acl_sid sid;
		const struct acl_sid *p0, *p1;
		static const char *const sids[] = { "S-1-5-32-544",
		    "S-1-5-21-1004336348-1177238915-682003330-1001" };
		size_t i;
		int found = 0;

		acl_from_mode(0640, 0, &have);
		for (i = 0; i < 2; i++) {
			(void)acl_sid_parse(sids[i], strlen(sids[i]), &sid);
			(void)acl_add_sid_ace(&have, (uint8_t)i,
			    ACL_FLAG_FILE_INHERIT, ACL_READ_DATA, &sid);
		}
		src_sample(&s);
		s.mode = 0640;
		s.acl = &have;
		xdrbuf_out_init(&o);
		tap_ok(nfs4_fattr_encode(&o, &req, &s, m) == NFS4_OK,
		    "an acl with SID ACEs encodes");
		for (i = 0; i + 12 <= o.len; i++)
			if (memcmp(o.buf + i, "S-1-5-32-544", 12) == 0)
				found = 1;
		tap_ok(found, "the who S-1-5-32-544 is on the wire");
		mask2(&f.mask, B(FATTR4_ACL), 0);
		f.vals.p = o.buf + 12;
		f.vals.len = (uint32_t)(o.len - 12);
		tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4_OK &&
		    sa.acl.count == have.count && sa.acl.nsids == 2 &&
		    (p0 = acl_ace_sid(&sa.acl, &sa.acl.ace[have.count - 2])) !=
		    NULL &&
		    (p1 = acl_ace_sid(&sa.acl, &sa.acl.ace[have.count - 1])) !=
		    NULL && acl_sid_equal(p0, &have.sid[0]) &&
		    acl_sid_equal(p1, &have.sid[1]) &&
		    sa.acl.ace[have.count - 1].type == ACL_TYPE_DENY &&
		    sa.acl.ace[have.count - 1].flags == ACL_FLAG_FILE_INHERIT,
		    "SETATTR of what GETATTR gave keeps both SID ACEs");
		xdrbuf_out_free(&o);
		s.acl = NULL;
	}
}

static void
test_sattr(void)
{
	struct nfs4_attr_src s;
	struct nfs4_bitmap req;
	struct nfs4_fattr_raw f;
	struct nfs4_sattr sa;
	struct xdrbuf_out o;
	struct wb w;
	uint32_t st;
	int i;

	/* Round trip of every settable attribute we read back. */
	src_sample(&s);
	s.gid = 50;
	s.acl = NULL;
	mask2(&req, B(FATTR4_SIZE) | B(FATTR4_ACL),
	    B(FATTR4_MODE) | B(FATTR4_OWNER) | B(FATTR4_OWNER_GROUP));
	xdrbuf_out_init(&o);
	nfs4_fattr_encode(&o, &req, &s, m);
	mask2(&f.mask, req.w[0], req.w[1]);
	/* bitmap4 of 2 words (12 bytes), the length, then the values. */
	f.vals.p = o.buf + 16;
	f.vals.len = (uint32_t)(o.len - 16);
	st = nfs4_fattr_decode_sattr(&f, m, &sa);
	tap_ok(st == NFS4_OK && sa.size == s.size && sa.mode == 02640 &&
	    sa.uid == 1000 && sa.gid == 50 && sa.acl.count > 0 &&
	    nfs4_bitmap_isset(&sa.mask, FATTR4_OWNER_GROUP),
	    "size, acl, mode, owner, owner_group: encode then decode");
	xdrbuf_out_free(&o);

	/* time_access_set to the server's time, time_modify_set given. */
	w.n = 0;
	w32(&w, SET_TO_SERVER_TIME4);
	w32(&w, SET_TO_CLIENT_TIME4);
	w64(&w, 1234);
	w32(&w, 999999999);
	raw(&f, 0, B(FATTR4_TIME_ACCESS_SET) | B(FATTR4_TIME_MODIFY_SET), &w);
	tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4_OK &&
	    sa.atime_server && !sa.mtime_server && sa.mtime.sec == 1234 &&
	    sa.mtime.nsec == 999999999, "settime4 both ways");
	w.b[w.n - 1] = 0x00;
	w.b[w.n - 2] = 0xca;
	w.b[w.n - 3] = 0x9a;
	w.b[w.n - 4] = 0x3b;		/* 1000000000 ns */
	tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4ERR_INVAL,
	    "nseconds of 1e9: INVAL");
	w.n = 0;
	w32(&w, 2);
	raw(&f, 0, B(FATTR4_TIME_ACCESS_SET), &w);
	tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4ERR_BADXDR,
	    "time_how4 2: BADXDR");

	/* Mask checks, before any value is read. */
	{
		static const struct {
			uint32_t	 w0, w1;
			uint32_t	 want;
			const char	*what;
		} cases[] = {
			{ B(FATTR4_ARCHIVE), 0, NFS4ERR_ATTRNOTSUPP, "archive" },
			{ B(FATTR4_HIDDEN), 0, NFS4ERR_ATTRNOTSUPP, "hidden" },
			{ 0, B(FATTR4_TIME_CREATE), NFS4ERR_ATTRNOTSUPP,
			    "time_create" },
			{ 0, B(FATTR4_QUOTA_USED), NFS4ERR_ATTRNOTSUPP,
			    "quota_used (read-only, unsupported)" },
			{ 0, 1u << 28, NFS4ERR_ATTRNOTSUPP, "attribute 60" },
			{ B(FATTR4_TYPE), 0, NFS4ERR_INVAL, "type" },
			{ B(FATTR4_SIZE) | B(FATTR4_CHANGE), 0, NFS4ERR_INVAL,
			    "size with change" },
			{ 0, B(FATTR4_TIME_MODIFY), NFS4ERR_INVAL,
			    "time_modify" },
			{ 0, B(FATTR4_NUMLINKS), NFS4ERR_INVAL, "numlinks" },
		};

		w.n = 0;
		w64(&w, 0);
		for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
			raw(&f, cases[i].w0, cases[i].w1, &w);
			tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) ==
			    cases[i].want, "SETATTR of %s: %u", cases[i].what,
			    cases[i].want);
		}
		raw(&f, B(FATTR4_SIZE), 0, &w);
		f.mask.beyond = 1;
		tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) ==
		    NFS4ERR_ATTRNOTSUPP, "a bit past word 1: ATTRNOTSUPP");
	}

	/* Values that do not fit the mask. */
	w.n = 0;
	w64(&w, 10);
	w32(&w, 0);
	raw(&f, B(FATTR4_SIZE), 0, &w);
	tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4ERR_BADXDR,
	    "bytes left after the values: BADXDR");
	w.n = 4;
	tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4ERR_BADXDR,
	    "values cut short: BADXDR");
	w.n = 0;
	w32(&w, 010644);
	raw(&f, 0, B(FATTR4_MODE), &w);
	tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4ERR_INVAL,
	    "mode with file type bits: INVAL");

	/* Owners. */
	w.n = 0;
	wstr(&w, "alice@other.org");
	raw(&f, 0, B(FATTR4_OWNER), &w);
	tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4ERR_BADOWNER,
	    "owner in another domain: BADOWNER");
	w.n = 0;
	wstr(&w, "2000");
	raw(&f, 0, B(FATTR4_OWNER_GROUP), &w);
	tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4_OK && sa.gid == 2000,
	    "numeric owner_group");

	/* ACLs. */
	w.n = 0;
	w32(&w, 2);
	w32(&w, ACL_TYPE_DENY);
	w32(&w, ACL_FLAG_IDENTIFIER_GROUP);
	w32(&w, ACL_WRITE_DATA);
	wstr(&w, "staff@example.org");
	w32(&w, ACL_TYPE_ALLOW);
	w32(&w, 0);
	w32(&w, ACL_READ_DATA);
	wstr(&w, "EVERYONE@");
	raw(&f, B(FATTR4_ACL), 0, &w);
	tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4_OK &&
	    sa.acl.count == 2 && sa.acl.ace[0].type == ACL_TYPE_DENY &&
	    sa.acl.ace[0].who == ACL_WHO_ID && sa.acl.ace[0].id == 50 &&
	    sa.acl.ace[1].who == ACL_WHO_EVERYONE &&
	    sa.acl.ace[1].mask == ACL_READ_DATA, "ACL with a named group");
	w.n = 0;
	w32(&w, 1);
	w32(&w, ACL_TYPE_ALLOW);
	w32(&w, 0);
	w32(&w, ACL_READ_DATA);
	wstr(&w, "INTERACTIVE@");
	raw(&f, B(FATTR4_ACL), 0, &w);
	tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4ERR_BADOWNER,
	    "ACE for INTERACTIVE@: BADOWNER");
	/* SIDs in their string form (smbd's rule for the S-1-22 ones). */
	w.n = 0;
	w32(&w, 4);
	w32(&w, ACL_TYPE_ALLOW);
	w32(&w, ACL_FLAG_IDENTIFIER_GROUP);
	w32(&w, ACL_READ_DATA);
	wstr(&w, "S-1-22-1-50");
	w32(&w, ACL_TYPE_ALLOW);
	w32(&w, 0);
	w32(&w, ACL_READ_DATA);
	wstr(&w, "S-1-22-2-60");
	w32(&w, ACL_TYPE_ALLOW);
	w32(&w, 0);
	w32(&w, ACL_READ_DATA);
	wstr(&w, "S-1-1-0");
	w32(&w, ACL_TYPE_DENY);
	w32(&w, 0);
	w32(&w, ACL_WRITE_DATA);
	wstr(&w, "S-1-5-21-1-2-3-500");
	raw(&f, B(FATTR4_ACL), 0, &w);
	tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4_OK &&
	    sa.acl.count == 4 && sa.acl.ace[0].who == ACL_WHO_ID &&
	    sa.acl.ace[0].id == 50 && sa.acl.ace[0].flags == 0 &&
	    sa.acl.ace[1].who == ACL_WHO_ID && sa.acl.ace[1].id == 60 &&
	    sa.acl.ace[1].flags == ACL_FLAG_IDENTIFIER_GROUP &&
	    sa.acl.ace[2].who == ACL_WHO_EVERYONE &&
	    sa.acl.ace[3].who == ACL_WHO_SID && sa.acl.nsids == 1 &&
	    sa.acl.sid[0].auth == 5 && sa.acl.sid[0].nsub == 5 &&
	    sa.acl.sid[0].sub[4] == 500,
	    "S-1-22-1-50 uid 50, S-1-22-2-60 gid 60, S-1-1-0 EVERYONE@, "
	    "a domain SID kept");
	w.n = 0;
	w32(&w, 1);
	w32(&w, ACL_TYPE_ALLOW);
	w32(&w, 0);
	w32(&w, ACL_READ_DATA);
	wstr(&w, "S-1-5-");
	raw(&f, B(FATTR4_ACL), 0, &w);
	tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4ERR_BADOWNER,
	    "a malformed SID is a name nobody has: BADOWNER");
	w.n = 0;
	w32(&w, 1);
	w32(&w, ACL_TYPE_ALLOW);
	w32(&w, 0);
	w32(&w, 0x00800000);
	wstr(&w, "OWNER@");
	raw(&f, B(FATTR4_ACL), 0, &w);
	tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4ERR_INVAL,
	    "ACE mask bit we do not know: INVAL");
	w.n = 0;
	w32(&w, ACL_ACES_MAX + 1);
	for (i = 0; i <= ACL_ACES_MAX; i++) {
		w32(&w, 0);
		w32(&w, 0);
		w32(&w, 1);
		wstr(&w, "OWNER@");
	}
	raw(&f, B(FATTR4_ACL), 0, &w);
	tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4ERR_INVAL,
	    "%d ACEs: INVAL", ACL_ACES_MAX + 1);
	w.n = 0;
	w32(&w, 0x10000000);
	w32(&w, 0);
	raw(&f, B(FATTR4_ACL), 0, &w);
	tap_ok(nfs4_fattr_decode_sattr(&f, m, &sa) == NFS4ERR_BADXDR,
	    "ACE count beyond the bytes: BADXDR");
}

static void
test_verify(void)
{
	struct nfs4_attr_src s;
	struct nfs4_fattr_raw f;
	struct wb w;

	src_sample(&s);
	w.n = 0;
	w64(&w, s.size);
	w32(&w, 02640);
	wstr(&w, "alice@example.org");
	raw(&f, B(FATTR4_SIZE), B(FATTR4_MODE) | B(FATTR4_OWNER), &w);
	tap_ok(nfs4_fattr_verify(&f, &s, m, 0) == NFS4_OK &&
	    nfs4_fattr_verify(&f, &s, m, 1) == NFS4ERR_SAME,
	    "equal values: VERIFY OK, NVERIFY SAME");
	s.size++;
	tap_ok(nfs4_fattr_verify(&f, &s, m, 0) == NFS4ERR_NOT_SAME &&
	    nfs4_fattr_verify(&f, &s, m, 1) == NFS4_OK,
	    "a different size: VERIFY NOT_SAME, NVERIFY OK");
	s.size--;
	w.n -= 4;
	f.vals.len = (uint32_t)w.n;
	tap_ok(nfs4_fattr_verify(&f, &s, m, 0) == NFS4ERR_NOT_SAME,
	    "shorter values: NOT_SAME");
	raw(&f, B(FATTR4_ARCHIVE), 0, &w);
	tap_ok(nfs4_fattr_verify(&f, &s, m, 0) == NFS4ERR_ATTRNOTSUPP,
	    "VERIFY of archive: ATTRNOTSUPP");
	raw(&f, B(FATTR4_RDATTR_ERROR), 0, &w);
	tap_ok(nfs4_fattr_verify(&f, &s, m, 0) == NFS4ERR_INVAL,
	    "VERIFY of rdattr_error: INVAL");
	raw(&f, 0, B(FATTR4_TIME_ACCESS_SET), &w);
	tap_ok(nfs4_fattr_verify(&f, &s, m, 1) == NFS4ERR_INVAL,
	    "NVERIFY of time_access_set: INVAL");
	s.omit.w[0] = B(FATTR4_ACL);
	raw(&f, B(FATTR4_ACL), 0, &w);
	tap_ok(nfs4_fattr_verify(&f, &s, m, 0) == NFS4ERR_ATTRNOTSUPP,
	    "VERIFY of an attribute this object lacks: ATTRNOTSUPP");
}

/* RFC 8881 5.8.1.14: suppattr_exclcreat, 4.1's and not 4.0's. */
static void
test_minor41(void)
{
	struct nfs4_attr_src s;
	struct nfs4_bitmap req, sup;
	struct xdrbuf_out o;
	struct wb w;

	nfs4_attr_supported(&sup, 0);
	tap_ok(sup.w[2] == 0, "4.0's supported_attrs: two words");
	nfs4_attr_supported(&sup, 1);
	tap_ok(sup.w[2] == B(FATTR4_SUPPATTR_EXCLCREAT) &&
	    sup.w[1] & B(FATTR4_MOUNTED_ON_FILEID),
	    "4.1's supported_attrs: suppattr_exclcreat too");

	src_sample(&s);
	memset(&req, 0, sizeof(req));
	req.w[2] = B(FATTR4_SUPPATTR_EXCLCREAT);
	xdrbuf_out_init(&o);
	w.n = 0;
	w32(&w, 0);			/* no attribute */
	w32(&w, 0);
	tap_ok(nfs4_fattr_encode(&o, &req, &s, m) == NFS4_OK &&
	    same(&o, &w, "exclcreat 4.0"),
	    "a 4.0 GETATTR of attribute 75 answers nothing for it");
	xdrbuf_out_free(&o);

	s.minor = 1;
	xdrbuf_out_init(&o);
	w.n = 0;
	w32(&w, 3);
	w32(&w, 0);
	w32(&w, 0);
	w32(&w, B(FATTR4_SUPPATTR_EXCLCREAT));
	w32(&w, 12);
	w32(&w, 2);			/* what EXCLUSIVE4_1 sets */
	w32(&w, B(FATTR4_SIZE) | B(FATTR4_ACL));
	w32(&w, B(FATTR4_MODE) | B(FATTR4_OWNER) | B(FATTR4_OWNER_GROUP) |
	    B(FATTR4_TIME_ACCESS_SET) | B(FATTR4_TIME_MODIFY_SET));
	tap_ok(nfs4_fattr_encode(&o, &req, &s, m) == NFS4_OK &&
	    same(&o, &w, "exclcreat 4.1"),
	    "a 4.1 GETATTR of suppattr_exclcreat: the settable attributes");
	xdrbuf_out_free(&o);

	/* supported_attrs itself, at 4.1: three words. */
	mask2(&req, B(FATTR4_SUPPORTED_ATTRS), 0);
	xdrbuf_out_init(&o);
	w.n = 0;
	w32(&w, 1);
	w32(&w, B(FATTR4_SUPPORTED_ATTRS));
	w32(&w, 16);
	w32(&w, 3);
	w32(&w, sup.w[0]);
	w32(&w, sup.w[1]);
	w32(&w, sup.w[2]);
	tap_ok(nfs4_fattr_encode(&o, &req, &s, m) == NFS4_OK &&
	    same(&o, &w, "supported_attrs 4.1"),
	    "a 4.1 GETATTR of supported_attrs has word 2");
	xdrbuf_out_free(&o);
}

int
main(void)
{
	if ((m = nfs4_idmap_new("example.org", 1, 64)) == NULL)
		return 1;
	nfs4_idmap_add_user(m, "alice", 1000);
	nfs4_idmap_add_group(m, "staff", 50);
	test_bitmap();
	test_encode();
	test_sattr();
	test_verify();
	test_minor41();
	nfs4_idmap_free(m);
	return tap_done();
}
