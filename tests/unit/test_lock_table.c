/*
 * Directed tests of stated's byte-range lock table: one block per rule of
 * lock_table.h.  The randomized comparison against a brute-force model is
 * in test_lock_model.c, share reservations in test_share_table.c.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/wait.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stated/lock_table.h"
#include "tap.h"

#define MAX	UINT64_MAX

/* Grants seen through the callback, in order. */
struct grants {
	size_t		 count;
	uint64_t	 cookie[64];
	enum lock_type	 type[64];
	uint64_t	 offset[64];
	uint64_t	 length[64];
	char		 owner[64][32];
};

static void
grant_record(void *arg, const struct lock_info *info)
{
	struct grants	*g = arg;
	size_t		 n;

	if (g->count >= 64)
		return;
	g->cookie[g->count] = info->cookie;
	g->type[g->count] = info->type;
	g->offset[g->count] = info->offset;
	g->length[g->count] = info->length;
	n = info->owner.bytes_len < 31 ? info->owner.bytes_len : 31;
	memcpy(g->owner[g->count], info->owner.bytes, n);
	g->owner[g->count][n] = '\0';
	g->count++;
}

static struct lock_file_id
fid(uint64_t n)
{
	struct lock_file_id	 id;
	int			 i;

	memset(&id, 0, sizeof(id));
	id.len = 16;
	/* Share 1, inode n. */
	id.data[0] = 1;
	for (i = 0; i < 8; i++)
		id.data[8 + i] = (uint8_t)(n >> (8 * i));
	return id;
}

static struct lock_owner
nlm(const char *host, const char *oh, uint32_t svid)
{
	struct lock_owner	 o;

	memset(&o, 0, sizeof(o));
	o.protocol = LOCK_PROTOCOL_NLM;
	o.client_id = 0;
	o.host = host;
	o.bytes = oh;
	o.bytes_len = strlen(oh);
	o.svid = svid;
	return o;
}

static struct lock_owner
nfs4(uint64_t client, const char *owner)
{
	struct lock_owner	 o;

	memset(&o, 0, sizeof(o));
	o.protocol = LOCK_PROTOCOL_NFSV4;
	o.client_id = client;
	o.bytes = owner;
	o.bytes_len = strlen(owner);
	return o;
}

/* An SMB open: Windows semantics, as stated gives every SMB owner. */
static struct lock_owner
smb(uint64_t client, const char *open)
{
	struct lock_owner	 o;

	memset(&o, 0, sizeof(o));
	o.protocol = LOCK_PROTOCOL_SMB;
	o.client_id = client;
	o.bytes = open;
	o.bytes_len = strlen(open);
	o.semantics = LOCK_SEMANTICS_WINDOWS;
	return o;
}

static enum lock_result
lk(struct lock_table *t, uint64_t file, struct lock_owner o, uint64_t off,
    uint64_t len, enum lock_type type, int flags, uint64_t cookie)
{
	struct lock_request	 req;

	memset(&req, 0, sizeof(req));
	req.file = fid(file);
	req.owner = o;
	req.offset = off;
	req.length = len;
	req.type = type;
	req.flags = flags;
	req.cookie = cookie;
	return lock_table_lock(t, &req, NULL);
}

static enum lock_result
unlk(struct lock_table *t, uint64_t file, struct lock_owner o, uint64_t off,
    uint64_t len)
{
	struct lock_file_id	 id = fid(file);

	return lock_table_unlock(t, &id, &o, off, len);
}

static enum lock_result
tst(struct lock_table *t, uint64_t file, struct lock_owner *o, uint64_t off,
    uint64_t len, enum lock_type type, struct lock_info *holder)
{
	struct lock_file_id	 id = fid(file);

	return lock_table_test(t, &id, o, off, len, type, holder);
}

/* What one owner holds (or waits for) on a file, as "S0-9 X10-max". */
struct describe {
	const struct lock_owner	*owner;
	int			 waiting;
	char			 buf[512];
};

static int
same_owner(const struct lock_owner *a, const struct lock_owner *b)
{
	const char	*ha = a->host ? a->host : "";
	const char	*hb = b->host ? b->host : "";

	return a->protocol == b->protocol && a->client_id == b->client_id &&
	    a->svid == b->svid && strcmp(ha, hb) == 0 &&
	    a->bytes_len == b->bytes_len &&
	    memcmp(a->bytes, b->bytes, a->bytes_len) == 0;
}

static int
describe_one(void *arg, const struct lock_info *info)
{
	struct describe	*d = arg;
	char		 end[32];
	size_t		 len = strlen(d->buf);

	if (info->waiting != d->waiting || !same_owner(&info->owner, d->owner))
		return 0;
	if (info->end == MAX)
		snprintf(end, sizeof(end), "max");
	else
		snprintf(end, sizeof(end), "%llu",
		    (unsigned long long)info->end);
	snprintf(d->buf + len, sizeof(d->buf) - len, "%s%c%llu-%s",
	    len ? " " : "", info->type == LOCK_SHARED ? 'S' : 'X',
	    (unsigned long long)info->offset, end);
	return 0;
}

static const char *
held_waiting(struct lock_table *t, uint64_t file, struct lock_owner o,
    int waiting)
{
	static struct describe	 d;
	struct lock_file_id	 id = fid(file);

	memset(&d, 0, sizeof(d));
	d.owner = &o;
	d.waiting = waiting;
	lock_table_foreach_lock(t, &id, describe_one, &d);
	return d.buf;
}

static const char *
held(struct lock_table *t, uint64_t file, struct lock_owner o)
{
	return held_waiting(t, file, o, 0);
}

#define HELD(t, f, o, want, name) do {					\
	const char *got_ = held(t, f, o);				\
	if (!tap_ok(strcmp(got_, want) == 0, "%s", name))		\
		tap_diag("  held \"%s\", expected \"%s\"", got_, want);	\
} while (0)

static int
table_empty(struct lock_table *t)
{
	struct lock_table_stats	 s;

	lock_table_stats(t, &s);
	if (s.files || s.owners || s.locks || s.waiters || s.shares)
		tap_diag("  left: %zu files %zu owners %zu locks %zu waiters "
		    "%zu shares", s.files, s.owners, s.locks, s.waiters,
		    s.shares);
	return !s.files && !s.owners && !s.locks && !s.waiters && !s.shares;
}

static void
test_conflicts(void)
{
	struct lock_table	*t = lock_table_new(NULL, NULL);
	struct lock_owner	 a = nlm("alpha", "oh-a", 1);
	struct lock_owner	 b = nlm("beta", "oh-b", 2);
	struct lock_info	 h;
	struct lock_request	 req;

	tap_diag("conflicts across owners");
	tap_ok(t != NULL, "lock_table_new");
	TAP_EQ_INT(lk(t, 1, a, 0, 10, LOCK_SHARED, 0, 0), LOCK_OK,
	    "A shared 0-9");
	TAP_EQ_INT(lk(t, 1, b, 5, 10, LOCK_SHARED, 0, 0), LOCK_OK,
	    "B shared 5-14 overlaps A shared");
	memset(&req, 0, sizeof(req));
	req.file = fid(1);
	req.owner = b;
	req.offset = 0;
	req.length = 1;
	req.type = LOCK_EXCLUSIVE;
	TAP_EQ_INT(lock_table_lock(t, &req, &h), LOCK_DENIED,
	    "B exclusive 0 conflicts with A shared");
	tap_ok(h.offset == 0 && h.length == 10 && h.type == LOCK_SHARED &&
	    same_owner(&h.owner, &a) && !h.waiting,
	    "denied lock reports holder A shared 0-9");
	TAP_EQ_INT(lk(t, 1, a, 14, 1, LOCK_EXCLUSIVE, 0, 0), LOCK_DENIED,
	    "A exclusive 14 conflicts with B shared");
	TAP_EQ_INT(lk(t, 1, a, 15, 0, LOCK_EXCLUSIVE, 0, 0), LOCK_OK,
	    "A exclusive 15-max touches B but does not overlap");
	TAP_EQ_INT(lk(t, 2, b, 0, 0, LOCK_EXCLUSIVE, 0, 0), LOCK_OK,
	    "other file is independent");
	TAP_EQ_INT(lk(t, 1, b, 100, 1, LOCK_SHARED, 0, 0), LOCK_DENIED,
	    "B shared 100 conflicts with A exclusive to the end");
	HELD(t, 1, a, "S0-9 X15-max", "A holds S0-9 X15-max");
	HELD(t, 1, b, "S5-14", "B holds S5-14");
	lock_table_free(t);
}

static void
test_same_owner(void)
{
	struct lock_table	*t = lock_table_new(NULL, NULL);
	struct lock_owner	 a = nlm("alpha", "oh-a", 1);
	struct lock_owner	 b = nlm("beta", "oh-b", 2);

	tap_diag("one owner: merge, split, upgrade, downgrade, unlock");
	lk(t, 1, a, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	TAP_EQ_INT(lk(t, 1, a, 5, 10, LOCK_EXCLUSIVE, 0, 0), LOCK_OK,
	    "own locks never conflict");
	HELD(t, 1, a, "X0-14", "overlapping same type merges");
	lk(t, 1, a, 15, 5, LOCK_EXCLUSIVE, 0, 0);
	HELD(t, 1, a, "X0-19", "adjacent same type merges");
	lk(t, 1, a, 30, 5, LOCK_EXCLUSIVE, 0, 0);
	HELD(t, 1, a, "X0-19 X30-34", "a gap keeps two locks");
	lk(t, 1, a, 20, 10, LOCK_EXCLUSIVE, 0, 0);
	HELD(t, 1, a, "X0-34", "filling the gap merges both sides");
	lk(t, 1, a, 10, 5, LOCK_SHARED, 0, 0);
	HELD(t, 1, a, "X0-9 S10-14 X15-34", "other type inside splits");
	lk(t, 1, a, 10, 5, LOCK_EXCLUSIVE, 0, 0);
	HELD(t, 1, a, "X0-34", "same type back merges all three");
	lk(t, 1, a, 0, 35, LOCK_SHARED, 0, 0);
	HELD(t, 1, a, "S0-34", "downgrade in place");
	lk(t, 1, a, 0, 35, LOCK_EXCLUSIVE, 0, 0);
	HELD(t, 1, a, "X0-34", "upgrade in place");
	lk(t, 1, a, 30, 10, LOCK_SHARED, 0, 0);
	HELD(t, 1, a, "X0-29 S30-39", "other type over the tail trims");
	lk(t, 1, a, 0, 5, LOCK_SHARED, 0, 0);
	HELD(t, 1, a, "S0-4 X5-29 S30-39", "other type over the head trims");
	lk(t, 1, a, 0, 50, LOCK_SHARED, 0, 0);
	HELD(t, 1, a, "S0-49", "covering lock swallows all");
	TAP_EQ_INT(unlk(t, 1, a, 10, 10), LOCK_OK, "unlock a sub-range");
	HELD(t, 1, a, "S0-9 S20-49", "sub-range unlock splits");
	TAP_EQ_INT(unlk(t, 1, a, 100, 10), LOCK_OK, "unlock of unheld range");
	TAP_EQ_INT(unlk(t, 1, a, 5, 20), LOCK_OK, "unlock across a gap");
	HELD(t, 1, a, "S0-4 S25-49", "both ends trimmed");
	TAP_EQ_INT(unlk(t, 9, a, 0, 0), LOCK_OK, "unlock on unknown file");
	TAP_EQ_INT(unlk(t, 1, b, 0, 0), LOCK_OK, "unlock by unknown owner");
	TAP_EQ_INT(unlk(t, 1, a, 0, 0), LOCK_OK, "unlock everything");
	HELD(t, 1, a, "", "nothing held");
	tap_ok(table_empty(t), "file and owner freed when unused");

	/* Upgrade is atomic: a refused upgrade keeps the shared lock. */
	lk(t, 1, a, 0, 10, LOCK_SHARED, 0, 0);
	lk(t, 1, b, 9, 1, LOCK_SHARED, 0, 0);
	TAP_EQ_INT(lk(t, 1, a, 0, 10, LOCK_EXCLUSIVE, 0, 0), LOCK_DENIED,
	    "upgrade refused while B shares byte 9");
	HELD(t, 1, a, "S0-9", "refused upgrade keeps A's shared lock");
	TAP_EQ_INT(lk(t, 1, a, 0, 9, LOCK_EXCLUSIVE, 0, 0), LOCK_OK,
	    "upgrade of the part B does not share");
	HELD(t, 1, a, "X0-8 S9-9", "partial upgrade splits");
	lock_table_free(t);
}

static void
test_ranges(void)
{
	struct lock_table	*t = lock_table_new(NULL, NULL);
	struct lock_owner	 a = nlm("alpha", "oh-a", 1);
	struct lock_owner	 b = nlm("beta", "oh-b", 2);
	struct lock_info	 h;

	tap_diag("64-bit ranges and overflow");
	TAP_EQ_INT(lk(t, 1, a, MAX, 1, LOCK_SHARED, 0, 0), LOCK_OK,
	    "last byte alone");
	TAP_EQ_INT(lk(t, 1, a, MAX, 2, LOCK_SHARED, 0, 0), LOCK_RANGE,
	    "offset max, length 2 overflows");
	TAP_EQ_INT(lk(t, 1, a, 2, MAX, LOCK_SHARED, 0, 0), LOCK_RANGE,
	    "offset 2, length max overflows");
	TAP_EQ_INT(lk(t, 1, a, MAX - 9, 11, LOCK_SHARED, 0, 0), LOCK_RANGE,
	    "one byte past the end overflows");
	TAP_EQ_INT(unlk(t, 1, a, MAX, 2), LOCK_RANGE,
	    "unlock range overflow");
	TAP_EQ_INT(tst(t, 1, &b, MAX, 2, LOCK_SHARED, NULL), LOCK_RANGE,
	    "test range overflow");
	TAP_EQ_INT(lk(t, 1, a, 0, MAX, LOCK_SHARED, 0, 0), LOCK_OK,
	    "offset 0, length max ends at max-1");
	HELD(t, 1, a, "S0-max", "touching the last byte merges to the end");
	TAP_EQ_INT(tst(t, 1, &b, 0, 0, LOCK_EXCLUSIVE, &h), LOCK_DENIED,
	    "test over everything");
	tap_ok(h.offset == 0 && h.length == 0 && h.end == MAX,
	    "whole-file holder reported as length 0");
	TAP_EQ_INT(unlk(t, 1, a, MAX, 1), LOCK_OK, "unlock the last byte");
	HELD(t, 1, a, "S0-18446744073709551614", "ends at max-1");
	TAP_EQ_INT(tst(t, 1, &b, 5, 0, LOCK_EXCLUSIVE, &h), LOCK_DENIED,
	    "test to the end");
	tap_ok(h.offset == 0 && h.length == MAX && h.end == MAX - 1,
	    "holder length max");
	TAP_EQ_INT(lk(t, 1, b, MAX, 0, LOCK_EXCLUSIVE, 0, 0), LOCK_OK,
	    "B exclusive on the last byte, length 0");
	TAP_EQ_INT(lk(t, 1, b, 1, MAX, LOCK_EXCLUSIVE, 0, 0), LOCK_DENIED,
	    "offset 1 length max reaches max exactly");
	TAP_EQ_INT(unlk(t, 1, a, 1, MAX - 1), LOCK_OK,
	    "unlock 1 .. max-1");
	HELD(t, 1, a, "S0-0", "byte 0 left");
	TAP_EQ_INT(lk(t, 1, b, 1, MAX - 1, LOCK_EXCLUSIVE, 0, 0), LOCK_OK,
	    "B 1 .. max-1 next to its max byte");
	HELD(t, 1, b, "X1-max", "merged up to max");
	TAP_EQ_INT(lk(t, 1, a, 0, 0, LOCK_SHARED, 0, 0), LOCK_DENIED,
	    "A to the end conflicts at byte 1");
	TAP_EQ_INT(lk(t, 1, a, 0, 1, LOCK_EXCLUSIVE, 0, 0), LOCK_OK,
	    "A upgrades byte 0, adjacent to B");
	HELD(t, 1, a, "X0-0", "A X0-0");
	lock_table_free(t);
}

/* lock_table.h "Windows rules", and POSIX and Windows owners mixed. */
static void
test_windows(void)
{
	struct grants		 g;
	struct lock_table	*t;
	struct lock_owner	 w = smb(9, "open-w");
	struct lock_owner	 v = smb(9, "open-v");
	struct lock_owner	 a = nlm("alpha", "oh-a", 1);
	struct lock_owner	 c = nfs4(7, "lo-c");
	struct lock_owner	 wp = smb(9, "open-w");
	struct lock_table_stats	 st;
	struct lock_info	 h;

	memset(&g, 0, sizeof(g));
	t = lock_table_new(grant_record, &g);
	tap_diag("Windows semantics: stacking, exact unlock, mixed owners");
	TAP_EQ_INT(lk(t, 1, w, 0, 10, LOCK_SHARED, 0, 0), LOCK_OK,
	    "W shared 0-9");
	TAP_EQ_INT(lk(t, 1, w, 5, 10, LOCK_SHARED, 0, 0), LOCK_OK,
	    "W shared 5-14 over its own shared lock");
	TAP_EQ_INT(lk(t, 1, w, 10, 5, LOCK_SHARED, 0, 0), LOCK_OK,
	    "W shared 10-14 stacks on it");
	HELD(t, 1, w, "S0-9 S5-14 S10-14", "Windows locks neither merge "
	    "nor split: three records");
	lock_table_stats(t, &st);
	TAP_EQ_INT(st.locks, 3, "three locks counted");
	TAP_EQ_INT(lk(t, 1, w, 20, 5, LOCK_EXCLUSIVE, 0, 0), LOCK_OK,
	    "W exclusive 20-24");
	TAP_EQ_INT(lk(t, 1, w, 20, 5, LOCK_SHARED, 0, 0), LOCK_OK,
	    "W shared over its own exclusive lock is allowed");
	TAP_EQ_INT(lk(t, 1, w, 22, 1, LOCK_EXCLUSIVE, 0, 0), LOCK_DENIED,
	    "W exclusive over its own lock conflicts");
	TAP_EQ_INT(tst(t, 1, &w, 0, 1, LOCK_EXCLUSIVE, &h), LOCK_DENIED,
	    "TEST says so too");
	tap_ok(h.owner.semantics == LOCK_SEMANTICS_WINDOWS && h.offset == 0 &&
	    h.length == 10, "holder is W's own first lock, with its semantics");
	TAP_EQ_INT(lk(t, 1, v, 0, 1, LOCK_SHARED, 0, 0), LOCK_OK,
	    "another open V shares W's shared range");
	TAP_EQ_INT(lk(t, 1, v, 21, 1, LOCK_SHARED, 0, 0), LOCK_DENIED,
	    "V shared conflicts with W's exclusive");

	/* Unlock by exact range. */
	TAP_EQ_INT(unlk(t, 1, w, 0, 5), LOCK_NOT_FOUND,
	    "a sub-range of a Windows lock: LOCK_NOT_FOUND");
	TAP_EQ_INT(unlk(t, 1, w, 0, 15), LOCK_NOT_FOUND,
	    "a range spanning two: LOCK_NOT_FOUND");
	TAP_EQ_INT(unlk(t, 9, w, 0, 10), LOCK_NOT_FOUND,
	    "a file it holds nothing on: LOCK_NOT_FOUND");
	HELD(t, 1, w, "S0-9 S5-14 S10-14 X20-24 S20-24", "nothing changed");
	TAP_EQ_INT(unlk(t, 1, w, 20, 5), LOCK_OK, "unlock 20-24");
	HELD(t, 1, w, "S0-9 S5-14 S10-14 S20-24",
	    "of two on the same range, the exclusive one went first");
	TAP_EQ_INT(lk(t, 1, v, 21, 1, LOCK_SHARED, 0, 0), LOCK_OK,
	    "so V may share it now");
	TAP_EQ_INT(unlk(t, 1, w, 5, 10), LOCK_OK, "unlock 5-14 exactly");
	HELD(t, 1, w, "S0-9 S10-14 S20-24", "only that record went");

	/* Mixed: a POSIX owner and Windows owners, either way. */
	TAP_EQ_INT(lk(t, 1, a, 12, 1, LOCK_EXCLUSIVE, 0, 0), LOCK_DENIED,
	    "NLM exclusive over W's shared: denied");
	TAP_EQ_INT(lk(t, 1, a, 12, 1, LOCK_SHARED, 0, 0), LOCK_OK,
	    "NLM shared over W's shared: granted");
	TAP_EQ_INT(lk(t, 1, c, 40, 10, LOCK_EXCLUSIVE, 0, 0), LOCK_OK,
	    "NFSv4 exclusive 40-49");
	TAP_EQ_INT(lk(t, 1, w, 45, 1, LOCK_SHARED, 0, 0), LOCK_DENIED,
	    "W shared over NFSv4's exclusive: denied");
	TAP_EQ_INT(lk(t, 1, w, 45, 1, LOCK_SHARED, LOCK_REQUEST_BLOCK, 77),
	    LOCK_BLOCKED, "W may wait for it");
	TAP_EQ_INT(unlk(t, 1, c, 45, 5), LOCK_OK,
	    "the POSIX owner unlocks part of its lock");
	TAP_EQ_INT(g.count, 1, "W's lock granted");
	tap_ok(g.count == 1 && g.cookie[0] == 77, "with its cookie");
	HELD(t, 1, c, "X40-44", "NFSv4 holds the rest");
	HELD(t, 1, w, "S0-9 S10-14 S20-24 S45-45", "W holds its grant");

	/* A wait for one's own lock ends when one unlocks it. */
	TAP_EQ_INT(lk(t, 2, w, 0, 10, LOCK_SHARED, 0, 0), LOCK_OK,
	    "W shared 0-9 on file 2");
	TAP_EQ_INT(lk(t, 2, w, 0, 10, LOCK_EXCLUSIVE, LOCK_REQUEST_BLOCK, 78),
	    LOCK_BLOCKED, "W's exclusive waits for its own shared lock, "
	    "not a deadlock");
	TAP_EQ_INT(unlk(t, 2, w, 0, 10), LOCK_OK, "W unlocks its shared lock");
	tap_ok(g.count == 2 && g.cookie[1] == 78, "its exclusive is granted");
	HELD(t, 2, w, "X0-9", "W holds X0-9 on file 2");

	/* Semantics are part of the owner. */
	wp.semantics = LOCK_SEMANTICS_POSIX;
	TAP_EQ_INT(lk(t, 2, wp, 0, 1, LOCK_SHARED, 0, 0), LOCK_DENIED,
	    "a POSIX owner with W's other fields is another owner: it "
	    "conflicts with W");
	wp.semantics = 2;
	TAP_EQ_INT(lk(t, 2, wp, 100, 1, LOCK_SHARED, 0, 0), LOCK_INVALID,
	    "unknown semantics: LOCK_INVALID");
	TAP_EQ_INT(lock_table_release_client(t, LOCK_PROTOCOL_SMB, 9), 7,
	    "releasing the SMB client frees its seven locks");
	lock_table_release_host(t, LOCK_PROTOCOL_NLM, "alpha");
	unlk(t, 1, c, 0, 0);
	tap_ok(table_empty(t), "all gone");
	lock_table_free(t);
}

static void
test_test(void)
{
	struct lock_table	*t = lock_table_new(NULL, NULL);
	struct lock_owner	 a = nlm("alpha", "oh-a", 101);
	struct lock_owner	 b = nlm("beta", "oh-b", 202);
	struct lock_owner	 c = nfs4(7, "c");
	struct lock_owner	 d = nlm("delta", "oh-d", 4);
	struct lock_info	 h;

	tap_diag("TEST reports the first conflicting holder");
	lk(t, 1, a, 10, 10, LOCK_SHARED, 0, 0);
	lk(t, 1, b, 0, 5, LOCK_SHARED, 0, 0);
	lk(t, 1, c, 30, 0, LOCK_EXCLUSIVE, 0, 0);
	TAP_EQ_INT(tst(t, 1, &d, 0, 0, LOCK_SHARED, &h), LOCK_DENIED,
	    "shared test conflicts with C exclusive only");
	tap_ok(h.offset == 30 && h.length == 0 && h.type == LOCK_EXCLUSIVE &&
	    h.owner.protocol == LOCK_PROTOCOL_NFSV4 && h.owner.client_id == 7,
	    "holder is C, NFSv4 client 7, 30 to the end");
	TAP_EQ_INT(tst(t, 1, &d, 0, 0, LOCK_EXCLUSIVE, &h), LOCK_DENIED,
	    "exclusive test");
	tap_ok(h.offset == 0 && h.length == 5 && same_owner(&h.owner, &b) &&
	    h.owner.svid == 202 && strcmp(h.owner.host, "beta") == 0,
	    "holder is B (lowest start), host beta, svid 202");
	TAP_EQ_INT(tst(t, 1, &d, 12, 3, LOCK_EXCLUSIVE, &h), LOCK_DENIED,
	    "exclusive test inside A");
	tap_ok(h.offset == 10 && h.length == 10 && same_owner(&h.owner, &a),
	    "holder is A's whole lock 10-19");
	TAP_EQ_INT(tst(t, 1, &d, 5, 5, LOCK_EXCLUSIVE, NULL), LOCK_OK,
	    "gap 5-9 is free");
	TAP_EQ_INT(tst(t, 1, &a, 10, 10, LOCK_EXCLUSIVE, NULL), LOCK_OK,
	    "own lock does not conflict");
	TAP_EQ_INT(tst(t, 1, &a, 0, 20, LOCK_EXCLUSIVE, &h), LOCK_DENIED,
	    "A over B's range");
	tap_ok(same_owner(&h.owner, &b), "A sees B, not itself");
	TAP_EQ_INT(tst(t, 1, NULL, 10, 1, LOCK_EXCLUSIVE, &h), LOCK_DENIED,
	    "no owner: every lock counts");
	TAP_EQ_INT(tst(t, 2, &d, 0, 0, LOCK_EXCLUSIVE, NULL), LOCK_OK,
	    "unknown file has no locks");
	TAP_EQ_INT(tst(t, 1, &d, 0, 1, 0, NULL), LOCK_INVALID, "bad type");
	lock_table_free(t);
}

static void
test_blocking(void)
{
	struct grants		 g;
	struct lock_table	*t = lock_table_new(grant_record, &g);
	struct lock_owner	 a = nlm("alpha", "a", 1);
	struct lock_owner	 b = nlm("beta", "b", 2);
	struct lock_owner	 c = nlm("gamma", "c", 3);
	struct lock_owner	 d = nlm("delta", "d", 4);
	struct lock_owner	 e = nlm("eps", "e", 5);
	struct lock_table_stats	 s;
	int			 B = LOCK_REQUEST_BLOCK;

	tap_diag("blocking requests: FIFO wake-up and fairness");
	memset(&g, 0, sizeof(g));
	lk(t, 1, a, 0, 100, LOCK_EXCLUSIVE, 0, 0);
	TAP_EQ_INT(lk(t, 1, b, 0, 10, LOCK_EXCLUSIVE, B, 1), LOCK_BLOCKED,
	    "B queued");
	TAP_EQ_INT(lk(t, 1, c, 0, 10, LOCK_EXCLUSIVE, B, 2), LOCK_BLOCKED,
	    "C queued");
	TAP_EQ_INT(lk(t, 1, d, 50, 10, LOCK_SHARED, B, 3), LOCK_BLOCKED,
	    "D queued");
	TAP_EQ_INT(lk(t, 1, e, 0, 10, LOCK_EXCLUSIVE, 0, 4), LOCK_DENIED,
	    "non-blocking E is denied, not queued");
	HELD(t, 1, b, "", "B holds nothing yet");
	tap_ok(strcmp(held_waiting(t, 1, b, 1), "X0-9") == 0,
	    "B listed as waiting");
	tap_ok(g.count == 0, "no grant yet");
	unlk(t, 1, a, 0, 0);
	tap_ok(g.count == 2 && g.cookie[0] == 1 && g.cookie[1] == 3,
	    "unlock grants B then D in queue order");
	tap_ok(strcmp(g.owner[0], "b") == 0 && g.offset[0] == 0 &&
	    g.length[0] == 10 && g.type[0] == LOCK_EXCLUSIVE,
	    "grant carries owner, range and type");
	HELD(t, 1, b, "X0-9", "B holds its lock after the grant");
	HELD(t, 1, d, "S50-59", "D holds its lock after the grant");
	unlk(t, 1, b, 0, 0);
	tap_ok(g.count == 3 && g.cookie[2] == 2, "then C after B unlocks");
	unlk(t, 1, c, 0, 0);
	unlk(t, 1, d, 0, 0);
	tap_ok(table_empty(t), "all gone");

	/* A later waiter does not overtake an earlier one it conflicts with. */
	memset(&g, 0, sizeof(g));
	lk(t, 1, a, 0, 100, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 1, b, 0, 50, LOCK_EXCLUSIVE, B, 1);
	lk(t, 1, c, 0, 10, LOCK_SHARED, B, 2);
	unlk(t, 1, a, 0, 10);
	tap_ok(g.count == 0,
	    "C's range is free but earlier B conflicts: C keeps waiting");
	TAP_EQ_INT(lk(t, 1, d, 0, 10, LOCK_SHARED, 0, 0), LOCK_OK,
	    "a new arrival is not held back by the queue");
	unlk(t, 1, d, 0, 0);
	unlk(t, 1, a, 0, 0);
	tap_ok(g.count == 1 && g.cookie[0] == 1, "B first");
	unlk(t, 1, b, 0, 0);
	tap_ok(g.count == 2 && g.cookie[1] == 2, "then C");
	unlk(t, 1, c, 0, 0);

	/* Readers granted together, a writer waits, a reader after it too. */
	memset(&g, 0, sizeof(g));
	lk(t, 1, a, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 1, b, 0, 10, LOCK_SHARED, B, 1);
	lk(t, 1, c, 0, 10, LOCK_SHARED, B, 2);
	lk(t, 1, d, 0, 10, LOCK_EXCLUSIVE, B, 3);
	lk(t, 1, e, 5, 1, LOCK_SHARED, B, 4);
	unlk(t, 1, a, 0, 0);
	tap_ok(g.count == 2 && g.cookie[0] == 1 && g.cookie[1] == 2,
	    "both readers granted, writer and later reader wait");
	unlk(t, 1, b, 0, 0);
	tap_ok(g.count == 2, "writer waits for the last reader");
	unlk(t, 1, c, 0, 0);
	tap_ok(g.count == 3 && g.cookie[2] == 3, "writer granted");
	unlk(t, 1, d, 0, 0);
	tap_ok(g.count == 4 && g.cookie[3] == 4, "last reader granted");
	lock_table_release_owner(t, &e);
	tap_ok(table_empty(t), "all gone");

	/* Downgrade wakes; a queued upgrade keeps the shared lock. */
	memset(&g, 0, sizeof(g));
	lk(t, 1, a, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 1, b, 0, 10, LOCK_SHARED, B, 1);
	lk(t, 1, a, 0, 10, LOCK_SHARED, 0, 0);
	tap_ok(g.count == 1 && g.cookie[0] == 1, "downgrade grants reader");
	TAP_EQ_INT(lk(t, 1, a, 0, 10, LOCK_EXCLUSIVE, B, 2), LOCK_BLOCKED,
	    "upgrade queued behind B's shared lock");
	HELD(t, 1, a, "S0-9", "queued upgrade keeps the shared lock");
	unlk(t, 1, b, 0, 0);
	tap_ok(g.count == 2 && g.cookie[1] == 2, "upgrade granted");
	HELD(t, 1, a, "X0-9", "upgraded");
	unlk(t, 1, a, 0, 0);

	/* The owner's own downgrade on grant lets an earlier waiter in. */
	memset(&g, 0, sizeof(g));
	lk(t, 1, a, 5, 5, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 1, b, 15, 5, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 1, c, 5, 5, LOCK_SHARED, B, 1);
	lk(t, 1, a, 5, 15, LOCK_SHARED, B, 2);
	unlk(t, 1, b, 0, 0);
	tap_ok(g.count == 2 && g.cookie[0] == 2 && g.cookie[1] == 1,
	    "A's grant downgrades 5-9, then earlier C gets in");
	HELD(t, 1, a, "S5-19", "A shared 5-19");
	lock_table_release_owner(t, &a);
	lock_table_release_owner(t, &c);

	/* Retransmission keeps the place. */
	memset(&g, 0, sizeof(g));
	lk(t, 1, a, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 1, b, 0, 10, LOCK_EXCLUSIVE, B, 1);
	lk(t, 1, c, 0, 10, LOCK_EXCLUSIVE, B, 2);
	TAP_EQ_INT(lk(t, 1, b, 0, 10, LOCK_EXCLUSIVE, B, 11), LOCK_BLOCKED,
	    "retransmitted blocking request");
	lock_table_stats(t, &s);
	tap_ok(s.waiters == 2, "not queued twice");
	unlk(t, 1, a, 0, 0);
	tap_ok(g.count == 1 && g.cookie[0] == 11,
	    "B still first, with the newest cookie");
	lock_table_release_owner(t, &b);
	lock_table_release_owner(t, &c);
	tap_ok(table_empty(t), "all gone");
	lock_table_free(t);
}

static void
test_cancel(void)
{
	struct grants		 g;
	struct lock_table	*t = lock_table_new(grant_record, &g);
	struct lock_owner	 a = nlm("alpha", "a", 1);
	struct lock_owner	 b = nlm("beta", "b", 2);
	struct lock_owner	 c = nlm("gamma", "c", 3);
	struct lock_file_id	 f1 = fid(1);
	int			 B = LOCK_REQUEST_BLOCK;

	tap_diag("cancel");
	memset(&g, 0, sizeof(g));
	lk(t, 1, a, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 1, b, 0, 10, LOCK_EXCLUSIVE, B, 1);
	lk(t, 1, c, 5, 5, LOCK_EXCLUSIVE, B, 2);
	unlk(t, 1, a, 5, 5);
	tap_ok(g.count == 0, "C's range is free but B is ahead");
	TAP_EQ_INT(lock_table_cancel(t, &f1, &b, 0, 10, LOCK_SHARED),
	    LOCK_NOT_FOUND, "cancel with the wrong type");
	TAP_EQ_INT(lock_table_cancel(t, &f1, &b, 0, 9, LOCK_EXCLUSIVE),
	    LOCK_NOT_FOUND, "cancel with the wrong range");
	TAP_EQ_INT(lock_table_cancel(t, &f1, &a, 0, 5, LOCK_EXCLUSIVE),
	    LOCK_NOT_FOUND, "cancel of a held lock is not a cancel");
	TAP_EQ_INT(lock_table_cancel(t, &f1, &b, 0, 10, LOCK_EXCLUSIVE),
	    LOCK_OK, "cancel B");
	tap_ok(g.count == 1 && g.cookie[0] == 2,
	    "C, held back only by B, granted on B's cancel");
	unlk(t, 1, a, 0, 0);
	tap_ok(g.count == 1, "cancelled B is never granted");
	HELD(t, 1, b, "", "B holds nothing");
	HELD(t, 1, a, "", "A holds nothing");
	lock_table_release_owner(t, &c);
	tap_ok(table_empty(t), "all gone");
	lock_table_free(t);
}

static void
test_deadlock(void)
{
	struct grants		 g;
	struct lock_table	*t = lock_table_new(grant_record, &g);
	struct lock_owner	 a = nlm("alpha", "a", 1);
	struct lock_owner	 b = nlm("beta", "b", 2);
	struct lock_owner	 c = nlm("gamma", "c", 3);
	struct lock_owner	 d = nlm("delta", "d", 4);
	struct lock_file_id	 f2 = fid(2);
	struct lock_table_stats	 s;
	int			 B = LOCK_REQUEST_BLOCK;

	tap_diag("deadlock detection");
	memset(&g, 0, sizeof(g));
	lk(t, 1, a, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 2, b, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	TAP_EQ_INT(lk(t, 2, a, 0, 10, LOCK_EXCLUSIVE, B, 1), LOCK_BLOCKED,
	    "A waits for B");
	TAP_EQ_INT(lk(t, 1, b, 5, 1, LOCK_SHARED, B, 2), LOCK_DEADLOCK,
	    "B waiting for A: two-owner deadlock");
	TAP_EQ_INT(lk(t, 1, b, 5, 1, LOCK_SHARED, 0, 2), LOCK_DENIED,
	    "without blocking it is a plain conflict");
	lock_table_stats(t, &s);
	tap_ok(s.waiters == 1, "refused request not queued");
	TAP_EQ_INT(lk(t, 1, b, 20, 1, LOCK_SHARED, B, 3), LOCK_OK,
	    "B on a free range is fine");
	lock_table_release_owner(t, &a);
	lock_table_release_owner(t, &b);
	tap_ok(table_empty(t), "all gone");

	/* Two readers both upgrading. */
	lk(t, 1, a, 0, 10, LOCK_SHARED, 0, 0);
	lk(t, 1, b, 0, 10, LOCK_SHARED, 0, 0);
	TAP_EQ_INT(lk(t, 1, a, 0, 10, LOCK_EXCLUSIVE, B, 1), LOCK_BLOCKED,
	    "A's upgrade waits for B");
	TAP_EQ_INT(lk(t, 1, b, 0, 10, LOCK_EXCLUSIVE, B, 2), LOCK_DEADLOCK,
	    "B's upgrade would wait for A: deadlock");
	HELD(t, 1, b, "S0-9", "B keeps its shared lock");
	memset(&g, 0, sizeof(g));
	unlk(t, 1, b, 0, 0);
	tap_ok(g.count == 1 && g.cookie[0] == 1, "A upgraded once B left");
	lock_table_release_owner(t, &a);

	/* Three owners in a ring. */
	lk(t, 1, a, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 2, b, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 3, c, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	TAP_EQ_INT(lk(t, 2, a, 0, 10, LOCK_EXCLUSIVE, B, 1), LOCK_BLOCKED,
	    "A waits for B");
	TAP_EQ_INT(lk(t, 3, b, 0, 10, LOCK_EXCLUSIVE, B, 2), LOCK_BLOCKED,
	    "B waits for C");
	TAP_EQ_INT(lk(t, 1, c, 0, 10, LOCK_EXCLUSIVE, B, 3), LOCK_DEADLOCK,
	    "C waiting for A closes a three-owner ring");
	TAP_EQ_INT(lk(t, 1, d, 0, 10, LOCK_EXCLUSIVE, B, 4), LOCK_BLOCKED,
	    "D waiting for A is no cycle");
	TAP_EQ_INT(lock_table_cancel(t, &f2, &a, 0, 10, LOCK_EXCLUSIVE),
	    LOCK_OK, "A cancels");
	TAP_EQ_INT(lk(t, 1, c, 0, 10, LOCK_EXCLUSIVE, B, 3), LOCK_BLOCKED,
	    "then C may wait for A");
	lock_table_release_owner(t, &a);
	lock_table_release_owner(t, &b);
	lock_table_release_owner(t, &c);
	lock_table_release_owner(t, &d);
	tap_ok(table_empty(t), "all gone");

	/*
	 * Through the queue: B waits behind A's waiter on file 1, so when A
	 * is granted there B still waits for A.
	 */
	lk(t, 1, c, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 1, a, 0, 10, LOCK_EXCLUSIVE, B, 1);
	lk(t, 2, b, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	TAP_EQ_INT(lk(t, 1, b, 0, 10, LOCK_EXCLUSIVE, B, 2), LOCK_BLOCKED,
	    "B waits for C and behind A");
	TAP_EQ_INT(lk(t, 2, a, 0, 10, LOCK_EXCLUSIVE, B, 3), LOCK_DEADLOCK,
	    "A waiting for B: cycle through the queue order");
	lock_table_release_owner(t, &a);
	lock_table_release_owner(t, &b);
	lock_table_release_owner(t, &c);

	/*
	 * Closing a cycle by a grant: A waits for B; B waits for 0-19 on
	 * file 3 where C holds 0-9.  Granting A 10-19 there would make B
	 * wait for A too.
	 */
	lk(t, 2, b, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 2, a, 0, 10, LOCK_EXCLUSIVE, B, 1);
	lk(t, 3, c, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 3, b, 0, 20, LOCK_EXCLUSIVE, B, 2);
	TAP_EQ_INT(lk(t, 3, a, 10, 10, LOCK_EXCLUSIVE, 0, 3), LOCK_DEADLOCK,
	    "a grant that would close a cycle is refused");
	TAP_EQ_INT(lk(t, 3, a, 10, 10, LOCK_EXCLUSIVE, B, 3), LOCK_DEADLOCK,
	    "also when asked to block");
	HELD(t, 3, a, "", "A got nothing");
	TAP_EQ_INT(lk(t, 3, d, 10, 10, LOCK_EXCLUSIVE, 0, 4), LOCK_OK,
	    "D, waiting for nobody, may take it");
	TAP_EQ_INT(lk(t, 3, a, 20, 10, LOCK_EXCLUSIVE, 0, 5), LOCK_OK,
	    "A beside B's wanted range is fine");
	lock_table_release_owner(t, &a);
	lock_table_release_owner(t, &b);
	lock_table_release_owner(t, &c);
	lock_table_release_owner(t, &d);
	tap_ok(table_empty(t), "all gone");
	lock_table_free(t);
}

static void
test_release(void)
{
	struct grants		 g;
	struct lock_table	*t = lock_table_new(grant_record, &g);
	struct lock_owner	 a1 = nlm("alpha", "a1", 1);
	struct lock_owner	 a2 = nlm("alpha", "a2", 2);
	struct lock_owner	 b = nlm("beta", "b", 3);
	struct lock_owner	 s = nlm("alpha", "smb", 4);
	struct lock_owner	 c1 = nfs4(7, "c1"), c2 = nfs4(7, "c2");
	struct lock_owner	 c3 = nfs4(8, "c3");
	struct lock_file_id	 f3 = fid(3);
	struct lock_table_stats	 st;
	int			 B = LOCK_REQUEST_BLOCK;

	tap_diag("release by owner, host, client, file");
	memset(&g, 0, sizeof(g));
	s.protocol = LOCK_PROTOCOL_SMB;
	lk(t, 1, a1, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 2, a1, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 1, a2, 20, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 1, b, 0, 30, LOCK_EXCLUSIVE, B, 1);
	lk(t, 2, a2, 0, 10, LOCK_EXCLUSIVE, B, 2);
	lk(t, 4, s, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 2, b, 0, 10, LOCK_SHARED, B, 3);
	TAP_EQ_INT(lock_table_release_host(t, LOCK_PROTOCOL_NLM, "alpha"), 4,
	    "host alpha: 3 locks and 1 waiter released");
	tap_ok(g.count == 2 && g.cookie[0] != 2 && g.cookie[1] != 2,
	    "B's waiters granted, alpha's own waiter dropped");
	HELD(t, 1, b, "X0-29", "B holds file 1");
	HELD(t, 2, b, "S0-9", "B holds file 2");
	HELD(t, 4, s, "X0-9", "SMB owner with the same host name kept");
	TAP_EQ_INT(lock_table_release_host(t, LOCK_PROTOCOL_NLM, "alpha"), 0,
	    "second release finds nothing");
	TAP_EQ_INT(lock_table_release_owner(t, &b), 2, "release owner B");
	TAP_EQ_INT(lock_table_release_owner(t, &b), 0, "again: nothing");
	lock_table_release_owner(t, &s);
	tap_ok(table_empty(t), "all gone");

	memset(&g, 0, sizeof(g));
	lk(t, 1, c1, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 1, c2, 10, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 1, c3, 0, 20, LOCK_SHARED, B, 1);
	TAP_EQ_INT(lock_table_release_client(t, LOCK_PROTOCOL_NFSV4, 8), 1,
	    "client 8: its waiter");
	lk(t, 1, c3, 0, 20, LOCK_SHARED, B, 1);
	TAP_EQ_INT(lock_table_release_client(t, LOCK_PROTOCOL_SMB, 7), 0,
	    "client id 7 of another protocol: nothing");
	TAP_EQ_INT(lock_table_release_host(t, LOCK_PROTOCOL_NFSV4, ""), 0,
	    "an empty host name matches nothing, not every hostless owner");
	TAP_EQ_INT(lock_table_release_client(t, LOCK_PROTOCOL_NFSV4, 7), 2,
	    "client 7: both lock owners");
	tap_ok(g.count == 1 && g.cookie[0] == 1,
	    "waiter granted once both owners are gone, not between");
	lock_table_release_owner(t, &c3);

	memset(&g, 0, sizeof(g));
	lk(t, 3, c1, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 3, c2, 0, 10, LOCK_EXCLUSIVE, B, 1);
	lk(t, 4, c2, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	TAP_EQ_INT(lock_table_release_file(t, &f3), 2,
	    "file 3: one lock, one waiter");
	tap_ok(g.count == 0, "waiters of a released file are not granted");
	HELD(t, 4, c2, "X0-9", "other file untouched");
	lock_table_stats(t, &st);
	tap_ok(st.files == 1 && st.owners == 1 && st.locks == 1,
	    "c1 and file 3 freed");
	lock_table_release_owner(t, &c2);
	tap_ok(table_empty(t), "all gone");
	lock_table_free(t);
}

/* Counting what each client holds, the table's own way, for the check. */
struct client_count {
	size_t		 n[4];		/* by client id 1..3 */
};

static int
count_lock_cb(void *arg, const struct lock_info *i)
{
	struct client_count	*c = arg;

	if (i->owner.client_id >= 1 && i->owner.client_id <= 3)
		c->n[i->owner.client_id]++;
	return 0;
}

static int
count_share_cb(void *arg, const struct lock_share_info *i)
{
	struct client_count	*c = arg;

	if (i->owner.client_id >= 1 && i->owner.client_id <= 3)
		c->n[i->owner.client_id]++;
	return 0;
}

/*
 * Random locks, unlocks, blocking requests, cancels, shares and
 * releases of three clients: after each, every client's count is what
 * the table lists for it (splits, merges, grants and releases counted).
 */
static void
test_client_counts(void)
{
	struct grants		 g;
	struct lock_table	*t = lock_table_new(grant_record, &g);
	struct lock_owner	 o[6];
	struct client_count	 c;
	struct lock_share_request sr;
	struct lock_share_info	 other;
	struct lock_file_id	 id;
	char			 hosts[3][16], ohs[6][8];
	unsigned int		 seed = 11;
	int			 i, k, bad = 0, cl, limited = 0;

	for (i = 0; i < 6; i++) {
		snprintf(hosts[i / 2], sizeof(hosts[0]), "h%d@10.0.0.%d",
		    i / 2, i / 2);
		snprintf(ohs[i], sizeof(ohs[0]), "o%d", i);
		o[i] = nlm(hosts[i / 2], ohs[i], (uint32_t)i);
		o[i].client_id = (uint64_t)(i / 2 + 1);
	}
	memset(&g, 0, sizeof(g));
	lock_table_set_client_max(t, 12);
	for (i = 0; i < 4000 && !bad; i++) {
		struct lock_owner *w = &o[rand_r(&seed) % 6];
		uint64_t off = rand_r(&seed) % 40, len = 1 + rand_r(&seed) % 8;
		enum lock_type ty = rand_r(&seed) % 2 ? LOCK_SHARED :
		    LOCK_EXCLUSIVE;

		g.count = 0;
		switch (rand_r(&seed) % 8) {
		case 0: case 1: case 2:
			limited += lk(t, 1 + rand_r(&seed) % 2, *w, off, len,
			    ty, 0, 0) == LOCK_LIMIT;
			break;
		case 3:
			limited += lk(t, 1, *w, off, len, ty,
			    LOCK_REQUEST_BLOCK, (uint64_t)i) == LOCK_LIMIT;
			break;
		case 4: case 5:
			unlk(t, 1 + rand_r(&seed) % 2, *w, off, len);
			break;
		case 6:
			id = fid(1);
			lock_table_cancel(t, &id, w, off, len, ty);
			memset(&sr, 0, sizeof(sr));
			sr.file = fid(3 + rand_r(&seed) % 3);
			sr.owner = *w;
			sr.access = LOCK_SHARE_READ;
			if (rand_r(&seed) % 2)
				lock_table_share(t, &sr, &other);
			else
				lock_table_unshare(t, &sr.file, w);
			break;
		default:
			if (rand_r(&seed) % 4 == 0)
				lock_table_release_host(t, LOCK_PROTOCOL_NLM,
				    w->host);
			else
				lock_table_release_owner(t, w);
			break;
		}
		memset(&c, 0, sizeof(c));
		lock_table_foreach_lock(t, NULL, count_lock_cb, &c);
		lock_table_foreach_share(t, NULL, count_share_cb, &c);
		for (cl = 1; cl <= 3; cl++) {
			k = (int)lock_table_client_records(t, LOCK_PROTOCOL_NLM,
			    (uint64_t)cl);
			if ((size_t)k != c.n[cl]) {
				tap_diag("op %d: client %d counted %d, holds "
				    "%zu", i, cl, k, c.n[cl]);
				bad = 1;
			}
		}
	}
	tap_ok(!bad, "4000 random operations: each client's count is what "
	    "it holds and waits for");
	tap_ok(limited > 0, "and the limit was reached (%d times)", limited);
	for (i = 0; i < 6; i++)
		lock_table_release_owner(t, &o[i]);
	tap_ok(table_empty(t), "all gone");
	lock_table_free(t);
}

/* Per-client limit: locks, waiters and shares of one client id. */
static void
test_client_limit(void)
{
	struct grants		 g;
	struct lock_table	*t = lock_table_new(grant_record, &g);
	struct lock_owner	 a1 = nlm("alpha@10.0.0.1", "a1", 1);
	struct lock_owner	 a2 = nlm("alpha@10.0.0.1", "a2", 2);
	struct lock_owner	 b = nlm("beta@10.0.0.1", "b", 3);
	struct lock_owner	 anon = nlm("gamma@10.0.0.1", "g", 4);
	struct lock_share_request sr;
	struct lock_share_info	 other;
	int			 i, B = LOCK_REQUEST_BLOCK;

	tap_diag("per-client limit");
	memset(&g, 0, sizeof(g));
	a1.client_id = a2.client_id = 1;
	b.client_id = 2;
	lock_table_set_client_max(t, 4);
	for (i = 0; i < 3; i++)
		lk(t, 1, a1, (uint64_t)i * 10, 5, LOCK_EXCLUSIVE, 0, 0);
	TAP_EQ_INT(lk(t, 1, a2, 100, 5, LOCK_EXCLUSIVE, 0, 0), LOCK_OK,
	    "a second owner of the client: the 4th record");
	TAP_EQ_INT((int)lock_table_client_records(t, LOCK_PROTOCOL_NLM, 1), 4,
	    "client 1 holds 4 records over two owners");
	TAP_EQ_INT(lk(t, 1, a1, 200, 5, LOCK_EXCLUSIVE, 0, 0), LOCK_LIMIT,
	    "the 5th lock of the client: LOCK_LIMIT");
	TAP_EQ_INT(lk(t, 1, a2, 300, 5, LOCK_SHARED, 0, 0), LOCK_LIMIT,
	    "from its other owner too");
	TAP_EQ_INT(lk(t, 1, b, 0, 5, LOCK_EXCLUSIVE, B, 9), LOCK_BLOCKED,
	    "another client queues behind it: its own count");
	TAP_EQ_INT(lk(t, 1, a1, 200, 5, LOCK_EXCLUSIVE, B, 0), LOCK_LIMIT,
	    "a blocking request of the full client is refused, not queued");
	memset(&sr, 0, sizeof(sr));
	sr.file = fid(2);
	sr.owner = a1;
	sr.access = LOCK_SHARE_READ;
	TAP_EQ_INT(lock_table_share(t, &sr, &other), LOCK_LIMIT,
	    "a share reservation of the full client: LOCK_LIMIT");
	HELD(t, 1, a1, "X0-4 X10-14 X20-24", "nothing changed for a1");
	TAP_EQ_INT(unlk(t, 1, a1, 10, 5), LOCK_OK, "unlocking is possible");
	TAP_EQ_INT(lk(t, 1, a1, 25, 5, LOCK_EXCLUSIVE, 0, 0), LOCK_OK,
	    "below the limit again: granted");
	TAP_EQ_INT((int)lock_table_client_records(t, LOCK_PROTOCOL_NLM, 1), 3,
	    "a lock that merges with a held one adds no record");
	TAP_EQ_INT(lk(t, 1, a1, 200, 5, LOCK_EXCLUSIVE, 0, 0), LOCK_OK,
	    "and one more fills it");
	TAP_EQ_INT(lock_table_release_host(t, LOCK_PROTOCOL_NLM,
	    "alpha@10.0.0.1"), 4, "release the host");
	TAP_EQ_INT((int)lock_table_client_records(t, LOCK_PROTOCOL_NLM, 1), 0,
	    "its count is back to 0");
	tap_ok(g.count == 1 && g.cookie[0] == 9, "b's waiter granted");
	for (i = 0; i < 10; i++)
		TAP_EQ_INT(lk(t, 3, anon, (uint64_t)i * 10, 5, LOCK_SHARED, 0,
		    0), LOCK_OK, "client id 0 is not counted (%d)", i);
	lock_table_release_owner(t, &b);
	lock_table_release_owner(t, &anon);
	tap_ok(table_empty(t), "all gone");
	lock_table_set_client_max(t, 0);
	for (i = 0; i < 10; i++)
		lk(t, 1, a1, (uint64_t)i * 10, 5, LOCK_EXCLUSIVE, 0, 0);
	TAP_EQ_INT((int)lock_table_client_records(t, LOCK_PROTOCOL_NLM, 1), 10,
	    "no limit: 10 records");
	lock_table_free(t);
}

static void
test_grace(void)
{
	struct grants		 g;
	struct lock_table	*t = lock_table_new(grant_record, &g);
	struct lock_owner	 a = nlm("alpha", "a", 1);
	struct lock_owner	 b = nlm("beta", "b", 2);
	int			 B = LOCK_REQUEST_BLOCK;
	int			 R = LOCK_REQUEST_RECLAIM;

	tap_diag("grace");
	memset(&g, 0, sizeof(g));
	tap_ok(!lock_table_in_grace(t), "not in grace at start");
	TAP_EQ_INT(lk(t, 1, a, 0, 10, LOCK_EXCLUSIVE, R, 0), LOCK_NO_GRACE,
	    "reclaim outside grace refused");
	lk(t, 1, a, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 1, b, 0, 10, LOCK_EXCLUSIVE, B, 1);
	lock_table_grace_set(t, 1);
	tap_ok(lock_table_in_grace(t), "in grace");
	TAP_EQ_INT(lk(t, 2, a, 0, 10, LOCK_EXCLUSIVE, 0, 0), LOCK_GRACE,
	    "new lock refused in grace");
	TAP_EQ_INT(lk(t, 2, a, 0, 10, LOCK_EXCLUSIVE, B, 0), LOCK_GRACE,
	    "new blocking lock refused in grace");
	TAP_EQ_INT(lk(t, 2, a, 0, 10, LOCK_EXCLUSIVE, R, 0), LOCK_OK,
	    "reclaim granted in grace");
	TAP_EQ_INT(lk(t, 2, b, 0, 10, LOCK_EXCLUSIVE, R | B, 0), LOCK_DENIED,
	    "conflicting reclaim denied, never queued");
	unlk(t, 1, a, 0, 0);
	tap_ok(g.count == 0, "queued request not granted in grace");
	lock_table_grace_set(t, 0);
	tap_ok(g.count == 1 && g.cookie[0] == 1,
	    "granted when grace ends");
	lock_table_release_owner(t, &a);
	lock_table_release_owner(t, &b);
	tap_ok(table_empty(t), "all gone");
	lock_table_free(t);
}

static void
test_identity(void)
{
	struct lock_table	*t = lock_table_new(NULL, NULL);
	struct lock_owner	 a = nlm("alpha", "oh", 1);
	struct lock_owner	 o;
	struct lock_table_stats	 s;
	char			 bin1[4] = { 'x', 0, 'y', 0 };
	char			 bin2[4] = { 'x', 0, 'y', 1 };

	tap_diag("owner identity");
	lk(t, 1, a, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	o = a;
	TAP_EQ_INT(lk(t, 1, o, 0, 10, LOCK_EXCLUSIVE, 0, 0), LOCK_OK,
	    "same fields: same owner");
	o = a; o.svid = 2;
	TAP_EQ_INT(lk(t, 1, o, 0, 10, LOCK_SHARED, 0, 0), LOCK_DENIED,
	    "another svid: another owner");
	o = a; o.host = "alphA";
	TAP_EQ_INT(lk(t, 1, o, 0, 10, LOCK_SHARED, 0, 0), LOCK_DENIED,
	    "another host: another owner");
	o = a; o.client_id = 1;
	TAP_EQ_INT(lk(t, 1, o, 0, 10, LOCK_SHARED, 0, 0), LOCK_DENIED,
	    "another client id: another owner");
	o = a; o.protocol = LOCK_PROTOCOL_SMB;
	TAP_EQ_INT(lk(t, 1, o, 0, 10, LOCK_SHARED, 0, 0), LOCK_DENIED,
	    "another protocol: another owner");
	o = a; o.bytes = "ohx"; o.bytes_len = 3;
	TAP_EQ_INT(lk(t, 1, o, 0, 10, LOCK_SHARED, 0, 0), LOCK_DENIED,
	    "longer owner bytes: another owner");
	o = a; o.bytes = bin1; o.bytes_len = 4;
	lk(t, 2, o, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	o.bytes = bin2;
	TAP_EQ_INT(lk(t, 2, o, 0, 10, LOCK_SHARED, 0, 0), LOCK_DENIED,
	    "binary owner bytes compared past a NUL");
	o = a; o.host = NULL;
	lk(t, 3, o, 0, 10, LOCK_EXCLUSIVE, 0, 0);
	o.host = "";
	TAP_EQ_INT(lk(t, 3, o, 0, 10, LOCK_EXCLUSIVE, 0, 0), LOCK_OK,
	    "no host and empty host are the same");
	o = a; o.bytes = NULL; o.bytes_len = 0;
	TAP_EQ_INT(lk(t, 4, o, 0, 10, LOCK_EXCLUSIVE, 0, 0), LOCK_OK,
	    "empty owner bytes allowed");
	lock_table_stats(t, &s);
	TAP_EQ_INT(s.owners, 4, "four owners interned");
	lock_table_free(t);
}

static void
test_invalid(void)
{
	struct lock_table	*t = lock_table_new(NULL, NULL);
	struct lock_owner	 a = nlm("alpha", "oh", 1), o;
	struct lock_request	 req;
	struct lock_file_id	 f = fid(1);
	static char		 big[LOCK_HOST_MAX + 2];

	tap_diag("invalid requests");
	memset(big, 'h', sizeof(big) - 1);
	TAP_EQ_INT(lk(t, 1, a, 0, 1, 0, 0, 0), LOCK_INVALID, "type 0");
	TAP_EQ_INT(lk(t, 1, a, 0, 1, 3, 0, 0), LOCK_INVALID, "type 3");
	TAP_EQ_INT(lk(t, 1, a, 0, 1, LOCK_SHARED, 0x10, 0), LOCK_INVALID,
	    "unknown flag");
	o = a; o.protocol = 0;
	TAP_EQ_INT(lk(t, 1, o, 0, 1, LOCK_SHARED, 0, 0), LOCK_INVALID,
	    "protocol 0");
	o = a; o.bytes_len = LOCK_OWNER_MAX + 1; o.bytes = big;
	TAP_EQ_INT(lk(t, 1, o, 0, 1, LOCK_SHARED, 0, 0), LOCK_INVALID,
	    "owner bytes too long");
	o = a; o.bytes_len = LOCK_OWNER_MAX; o.bytes = big;
	TAP_EQ_INT(lk(t, 1, o, 0, 1, LOCK_SHARED, 0, 0), LOCK_OK,
	    "owner bytes of the maximum length");
	o = a; o.bytes = NULL; o.bytes_len = 3;
	TAP_EQ_INT(lk(t, 1, o, 0, 1, LOCK_SHARED, 0, 0), LOCK_INVALID,
	    "NULL owner bytes with a length");
	o = a; o.host = big;
	TAP_EQ_INT(lk(t, 1, o, 0, 1, LOCK_SHARED, 0, 0), LOCK_INVALID,
	    "host name too long");
	big[LOCK_HOST_MAX] = '\0';
	TAP_EQ_INT(lk(t, 1, o, 0, 1, LOCK_SHARED, 0, 0), LOCK_OK,
	    "host name of the maximum length");
	memset(&req, 0, sizeof(req));
	req.owner = a;
	req.type = LOCK_SHARED;
	req.length = 1;
	TAP_EQ_INT(lock_table_lock(t, &req, NULL), LOCK_INVALID,
	    "empty file id");
	req.file.len = LOCK_FILE_ID_MAX + 1;
	TAP_EQ_INT(lock_table_lock(t, &req, NULL), LOCK_INVALID,
	    "file id too long");
	TAP_EQ_INT(lock_table_lock(t, NULL, NULL), LOCK_INVALID,
	    "NULL request");
	TAP_EQ_INT(lock_table_unlock(t, &f, NULL, 0, 0), LOCK_INVALID,
	    "unlock without owner");
	TAP_EQ_INT(lock_table_cancel(t, &f, &a, 0, 0, 0), LOCK_INVALID,
	    "cancel with bad type");
	tap_ok(strcmp(lock_table_result_str(LOCK_DEADLOCK), "deadlock") == 0,
	    "result names");
	lock_table_free(t);
}

static int
count_cb(void *arg, const struct lock_info *info)
{
	size_t	*n = arg;

	(void)info;
	return ++*n == 3 ? 42 : 0;
}

struct reenter {
	struct lock_table	*t;
	struct lock_owner	 o;
};

static void
reenter_grant(void *arg, const struct lock_info *info)
{
	struct reenter	*r = arg;

	(void)info;
	/* Reading is fine from a callback, changing is not. */
	if (tst(r->t, 1, &r->o, 0, 1, LOCK_SHARED, NULL) == LOCK_INVALID)
		_exit(3);
	lk(r->t, 2, r->o, 0, 1, LOCK_SHARED, 0, 0);
	_exit(0);
}

static void
test_foreach_and_callbacks(void)
{
	struct lock_table	*t = lock_table_new(NULL, NULL);
	struct lock_owner	 a = nlm("alpha", "a", 1);
	struct lock_owner	 b = nlm("beta", "b", 2);
	struct reenter		 r;
	size_t			 n = 0;
	pid_t			 pid;
	int			 status;

	tap_diag("iteration and callbacks");
	lk(t, 1, a, 0, 1, LOCK_SHARED, 0, 0);
	lk(t, 2, a, 0, 1, LOCK_SHARED, 0, 0);
	lk(t, 3, a, 0, 1, LOCK_EXCLUSIVE, 0, 0);
	lk(t, 3, b, 0, 1, LOCK_SHARED, LOCK_REQUEST_BLOCK, 9);
	lk(t, 4, a, 0, 1, LOCK_SHARED, 0, 0);
	TAP_EQ_INT(lock_table_foreach_lock(t, NULL, count_cb, &n), 42,
	    "iteration stops with the callback's value");
	TAP_EQ_INT(n, 3, "after three entries");
	tap_ok(strcmp(held_waiting(t, 3, b, 1), "S0-0") == 0,
	    "waiting entries listed");
	lock_table_free(t);

	/* A change from inside a callback must abort, not corrupt. */
	fflush(stdout);
	if ((pid = fork()) == 0) {
		r.t = lock_table_new(reenter_grant, &r);
		r.o = b;
		lk(r.t, 1, a, 0, 1, LOCK_EXCLUSIVE, 0, 0);
		lk(r.t, 1, b, 0, 1, LOCK_EXCLUSIVE, LOCK_REQUEST_BLOCK, 1);
		unlk(r.t, 1, a, 0, 1);
		_exit(2);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	    "changing the table from the grant callback aborts");
}

static void
test_scale(void)
{
	struct lock_table	*t = lock_table_new(NULL, NULL);
	struct lock_table_stats	 s;
	struct lock_owner	 o;
	char			 name[32];
	uint64_t		 i;
	int			 bad = 0;

	tap_diag("many files, owners and locks");
	for (i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "owner-%llu",
		    (unsigned long long)i);
		o = nfs4(i % 100, name);
		if (lk(t, i, o, i, 1, LOCK_EXCLUSIVE, 0, 0) != LOCK_OK)
			bad++;
	}
	o = nfs4(1, "one");
	for (i = 0; i < 5000; i++)
		if (lk(t, 0, o, 1000 + 2 * i, 1, LOCK_SHARED, 0, 0) != LOCK_OK)
			bad++;
	lock_table_stats(t, &s);
	tap_ok(bad == 0 && s.files == 20000 && s.owners == 20001 &&
	    s.locks == 25000, "20000 files, 20001 owners, 25000 locks");
	TAP_EQ_INT(lk(t, 0, o, 1000, 10000, LOCK_SHARED, 0, 0), LOCK_OK,
	    "one lock over 5000 merges them");
	lock_table_stats(t, &s);
	TAP_EQ_INT(s.locks, 20001, "merged into one");
	for (i = 0; i < 100; i++)
		lock_table_release_client(t, LOCK_PROTOCOL_NFSV4, i);
	tap_ok(table_empty(t), "released by client");
	lock_table_free(t);
}

int
main(void)
{
	test_conflicts();
	test_same_owner();
	test_ranges();
	test_test();
	test_windows();
	test_blocking();
	test_cancel();
	test_deadlock();
	test_release();
	test_client_limit();
	test_client_counts();
	test_grace();
	test_identity();
	test_invalid();
	test_foreach_and_callbacks();
	test_scale();
	return tap_done();
}
