/*
 * Directed tests of the share reservations in stated's lock table: NLM
 * SHARE/UNSHARE semantics, and the NFSv4 and SMB modes mapped onto them.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "stated/lock_table.h"
#include "tap.h"

#define R	LOCK_SHARE_READ
#define W	LOCK_SHARE_WRITE
#define D	LOCK_SHARE_DELETE
#define RW	(LOCK_SHARE_READ | LOCK_SHARE_WRITE)

static struct lock_file_id
fid(uint64_t n)
{
	struct lock_file_id	 id;

	memset(&id, 0, sizeof(id));
	id.len = sizeof(n);
	memcpy(id.data, &n, sizeof(n));
	return id;
}

static struct lock_owner
owner(enum lock_protocol protocol, uint64_t client, const char *host,
    const char *bytes)
{
	struct lock_owner	 o;

	memset(&o, 0, sizeof(o));
	o.protocol = protocol;
	o.client_id = client;
	o.host = host;
	o.bytes = bytes;
	o.bytes_len = strlen(bytes);
	return o;
}

static enum lock_result
share(struct lock_table *t, uint64_t file, struct lock_owner o,
    unsigned int access, unsigned int deny, int flags,
    struct lock_share_info *conflict)
{
	struct lock_share_request	 req;

	memset(&req, 0, sizeof(req));
	req.file = fid(file);
	req.owner = o;
	req.access = access;
	req.deny = deny;
	req.flags = flags;
	return lock_table_share(t, &req, conflict);
}

static enum lock_result
unshare(struct lock_table *t, uint64_t file, struct lock_owner o)
{
	struct lock_file_id	 id = fid(file);

	return lock_table_unshare(t, &id, &o);
}

static int
count_share(void *arg, const struct lock_share_info *info)
{
	size_t	*n = arg;

	(void)info;
	(*n)++;
	return 0;
}

static size_t
shares_on(struct lock_table *t, uint64_t file)
{
	struct lock_file_id	 id = fid(file);
	size_t			 n = 0;

	lock_table_foreach_share(t, &id, count_share, &n);
	return n;
}

static void
test_matrix(void)
{
	struct lock_table	*t = lock_table_new(NULL, NULL);
	struct lock_owner	 a = owner(LOCK_PROTOCOL_NLM, 0, "alpha", "a");
	struct lock_owner	 b = owner(LOCK_PROTOCOL_NLM, 0, "beta", "b");
	unsigned int		 aa, ad, ba, bd;
	int			 bad = 0, want;
	enum lock_result	 res;

	tap_diag("every access/deny pair of two owners");
	/* The rule, written out: access meets deny, either way round. */
	for (aa = 0; aa <= RW; aa++)
	for (ad = 0; ad <= RW; ad++)
	for (ba = 0; ba <= RW; ba++)
	for (bd = 0; bd <= RW; bd++) {
		if (share(t, 1, a, aa, ad, 0, NULL) != LOCK_OK)
			bad++;
		want = ((aa & R) && (bd & R)) || ((aa & W) && (bd & W)) ||
		    ((ba & R) && (ad & R)) || ((ba & W) && (ad & W));
		res = share(t, 1, b, ba, bd, 0, NULL);
		if (res != (want ? LOCK_DENIED : LOCK_OK)) {
			tap_diag("  A %u/%u B %u/%u: %s", aa, ad, ba, bd,
			    lock_table_result_str(res));
			bad++;
		}
		unshare(t, 1, a);
		unshare(t, 1, b);
	}
	tap_ok(bad == 0, "256 pairs follow the NLM rule");
	lock_table_free(t);
}

static void
test_share_rules(void)
{
	struct lock_table	*t = lock_table_new(NULL, NULL);
	struct lock_owner	 a = owner(LOCK_PROTOCOL_NLM, 0, "alpha", "a");
	struct lock_owner	 b = owner(LOCK_PROTOCOL_NLM, 0, "beta", "b");
	struct lock_owner	 c = owner(LOCK_PROTOCOL_NFSV4, 7, NULL, "c");
	struct lock_owner	 s = owner(LOCK_PROTOCOL_SMB, 9, NULL, "fid1");
	struct lock_share_info	 info;
	struct lock_table_stats	 st;
	struct lock_request	 req;
	struct lock_file_id	 f1 = fid(1), f3 = fid(3);

	tap_diag("share reservations");
	TAP_EQ_INT(share(t, 1, a, R, W, 0, NULL), LOCK_OK,
	    "A reads, denies write");
	TAP_EQ_INT(share(t, 1, b, R, 0, 0, NULL), LOCK_OK,
	    "B reads, denies nothing");
	TAP_EQ_INT(share(t, 1, c, W, 0, 0, &info), LOCK_DENIED,
	    "NFSv4 C writing is denied by A");
	tap_ok(info.owner.protocol == LOCK_PROTOCOL_NLM &&
	    strcmp(info.owner.host, "alpha") == 0 && info.access == R &&
	    info.deny == W && info.file->len == f1.len,
	    "conflict reports A's reservation");
	TAP_EQ_INT(share(t, 1, c, R, R, 0, NULL), LOCK_DENIED,
	    "C denying read is denied by A and B reading");
	TAP_EQ_INT(share(t, 1, a, RW, 0, 0, NULL), LOCK_OK,
	    "A replaces its own reservation: read-write, deny none");
	TAP_EQ_INT(shares_on(t, 1), 2, "still one reservation per owner");
	TAP_EQ_INT(share(t, 1, a, RW, W, 0, NULL), LOCK_OK,
	    "own reservation never conflicts with itself");
	TAP_EQ_INT(share(t, 1, b, RW, 0, 0, NULL), LOCK_DENIED,
	    "B's upgrade to write denied by A; B keeps read");
	TAP_EQ_INT(share(t, 1, c, W, 0, 0, NULL), LOCK_DENIED,
	    "write still denied");
	TAP_EQ_INT(unshare(t, 1, a), LOCK_OK, "A unshares");
	TAP_EQ_INT(unshare(t, 1, a), LOCK_OK, "unshare of nothing is fine");
	TAP_EQ_INT(share(t, 1, c, W, 0, 0, NULL), LOCK_OK,
	    "C writes once A is gone");
	TAP_EQ_INT(share(t, 2, s, R | D, 0, 0, NULL), LOCK_OK,
	    "SMB open with delete access");
	TAP_EQ_INT(share(t, 2, c, R, D, 0, NULL), LOCK_DENIED,
	    "deny delete meets delete access");
	TAP_EQ_INT(share(t, 2, c, R, W, 0, NULL), LOCK_OK,
	    "deny write does not");

	/* Byte-range locks and reservations are separate (as in NLM). */
	memset(&req, 0, sizeof(req));
	req.file = fid(1);
	req.owner = a;
	req.type = LOCK_EXCLUSIVE;
	TAP_EQ_INT(lock_table_lock(t, &req, NULL), LOCK_OK,
	    "byte-range lock ignores reservations");

	TAP_EQ_INT(lock_table_release_host(t, LOCK_PROTOCOL_NLM, "beta"), 1,
	    "release host beta drops its reservation");
	TAP_EQ_INT(lock_table_release_client(t, LOCK_PROTOCOL_NFSV4, 7), 2,
	    "release client 7 drops C's two reservations");
	TAP_EQ_INT(lock_table_release_owner(t, &a), 1,
	    "release owner A: its lock");
	TAP_EQ_INT(lock_table_release_owner(t, &s), 1,
	    "release owner S: its reservation");
	lock_table_stats(t, &st);
	tap_ok(st.files == 0 && st.owners == 0 && st.shares == 0,
	    "all freed");

	share(t, 3, a, R, RW, 0, NULL);
	share(t, 3, b, 0, 0, 0, NULL);
	TAP_EQ_INT(lock_table_release_file(t, &f3), 2,
	    "release file drops both");
	lock_table_stats(t, &st);
	tap_ok(st.files == 0 && st.owners == 0 && st.shares == 0,
	    "all freed");

	TAP_EQ_INT(share(t, 1, a, 8, 0, 0, NULL), LOCK_INVALID,
	    "unknown access bit");
	TAP_EQ_INT(share(t, 1, a, R, 8, 0, NULL), LOCK_INVALID,
	    "unknown deny bit");
	TAP_EQ_INT(share(t, 1, a, R, 0, LOCK_REQUEST_BLOCK, NULL),
	    LOCK_INVALID, "blocking makes no sense for a share");
	TAP_EQ_INT(share(t, 1, a, R, 0, LOCK_REQUEST_RECLAIM, NULL),
	    LOCK_NO_GRACE, "reclaim outside grace");
	lock_table_grace_set(t, 1);
	TAP_EQ_INT(share(t, 1, a, R, 0, 0, NULL), LOCK_GRACE,
	    "new share refused in grace");
	TAP_EQ_INT(share(t, 1, a, R, W, LOCK_REQUEST_RECLAIM, NULL), LOCK_OK,
	    "reclaimed share granted in grace");
	TAP_EQ_INT(share(t, 1, b, W, 0, LOCK_REQUEST_RECLAIM, NULL),
	    LOCK_DENIED, "conflicting reclaim denied");
	lock_table_grace_set(t, 0);
	lock_table_free(t);
}

int
main(void)
{
	test_matrix();
	test_share_rules();
	return tap_done();
}
