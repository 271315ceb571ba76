/*
 * stated's caching grants (stated/grant.c): grant, conflict and recall
 * (once), the holder's own requests never conflicting, reads against
 * read grants, return, revocation after the lease and forgetting a
 * lease later, release of a holder, the lookups and the counts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grant.h"
#include "tap.h"

#define NFSV4	2	/* LOCK_PROTOCOL_NFSV4 */
#define SMB	3

struct events {
	size_t		 recalls;
	size_t		 revokes;
	uint64_t	 last_id;
	uint64_t	 last_client;
};

static void
event_cb(void *arg, const struct grant *g, enum grant_event e)
{
	struct events *ev = arg;

	if (e == GRANT_EVENT_RECALL)
		ev->recalls++;
	else if (e == GRANT_EVENT_REVOKE)
		ev->revokes++;
	ev->last_id = g->id;
	ev->last_client = g->holder.client_id;
}

static struct lock_file_id
file(int n)
{
	struct lock_file_id f;

	memset(&f, 0, sizeof(f));
	f.len = 16;
	f.data[11] = (uint8_t)n;
	return f;
}

static struct grant_holder
holder(int protocol, uint64_t client)
{
	struct grant_holder h;

	memset(&h, 0, sizeof(h));
	h.protocol = protocol;
	h.client_id = client;
	h.fe_role = 4;
	strcpy(h.fe_name, "nfsd");
	return h;
}

static int
count_files_cb(void *arg, const struct lock_file_id *f)
{
	(void)f;
	(*(size_t *)arg)++;
	return 0;
}

int
main(void)
{
	struct grant_table *t;
	struct events ev;
	struct lock_file_id f1 = file(1), f2 = file(2);
	struct grant_holder a = holder(NFSV4, 0xa), b = holder(NFSV4, 0xb),
	    s = holder(SMB, 0xa);
	const struct grant *g, *ga, *gb;
	struct grant_stats st;
	uint8_t sa[16] = { 1 }, sb[16] = { 2 }, sc[16] = { 3 }, fh[8] = { 9 };
	size_t n, i;

	memset(&ev, 0, sizeof(ev));
	if ((t = grant_table_new(event_cb, &ev)) == NULL)
		return 1;
	grant_table_set_now(t, 1000);

	ga = grant_add(t, &f1, &a, GRANT_READ, sa, sizeof(sa), fh, sizeof(fh));
	tap_ok(ga != NULL && ga->state == GRANT_GRANTED, "a read grant");
	tap_ok(ga != NULL && ga->handle_len == sizeof(fh) &&
	    memcmp(ga->handle, fh, sizeof(fh)) == 0 &&
	    strcmp(ga->holder.fe_name, "nfsd") == 0,
	    "it keeps the handle and the holder's front end");
	g = grant_add(t, &f1, &a, GRANT_READ, sc, sizeof(sc), NULL, 0);
	tap_ok(g == NULL && errno == EEXIST,
	    "a second grant of one holder on one file: EEXIST");
	g = grant_add(t, &f2, &b, GRANT_READ, sa, sizeof(sa), NULL, 0);
	tap_ok(g == NULL && errno == EEXIST, "a stateid in use: EEXIST");
	g = grant_add(t, &f2, &b, 7, sc, sizeof(sc), NULL, 0);
	tap_ok(g == NULL && errno == EINVAL, "a level of no kind: EINVAL");
	gb = grant_add(t, &f1, &b, GRANT_READ, sb, sizeof(sb), NULL, 0);
	tap_ok(gb != NULL, "another holder's read grant on the same file");
	TAP_EQ_INT(grant_file_count(t, &f1), 2, "two grants on the file");
	TAP_EQ_INT(grant_holder_count(t, NFSV4, 0xa), 1, "a holds one");
	tap_ok(grant_find(t, sb, sizeof(sb)) == gb, "found by its stateid");
	tap_ok(grant_of(t, &f1, NFSV4, 0xb) == gb, "found by file and holder");
	tap_ok(grant_of(t, &f1, SMB, 0xa) == NULL,
	    "the same client id of another protocol is another holder");

	/* Reads do not conflict with read grants. */
	TAP_EQ_INT(grant_conflict(t, &f1, NFSV4, 0xc, 0), 0,
	    "a read by a third client: no conflict");
	TAP_EQ_INT(ev.recalls, 0, "and no recall");
	/* A holder's own write never conflicts with its own grant. */
	TAP_EQ_INT(grant_conflict(t, &f1, NFSV4, 0xa, 1), 1,
	    "a's write conflicts with b's grant only");
	TAP_EQ_INT(ev.recalls, 1, "one recall: b's");
	TAP_EQ_INT(ev.last_client, 0xb, "sent for b");
	tap_ok(gb->state == GRANT_RECALLING && ga->state == GRANT_GRANTED,
	    "b's grant is recalling, a's still granted");
	TAP_EQ_INT(grant_file_recalling(t, &f1), 1, "one recall on the file");
	/* A write of someone else: both outstanding, a recalled once. */
	grant_table_set_now(t, 1005);
	TAP_EQ_INT(grant_conflict(t, &f1, SMB, 0xa, 1), 2,
	    "an SMB write: two grants outstanding");
	TAP_EQ_INT(ev.recalls, 2, "a recalled now; b not again");
	TAP_EQ_INT(grant_conflict(t, &f1, 0, 0, 1), 2,
	    "a write with no state (NFSv3): both still outstanding");
	TAP_EQ_INT(ev.recalls, 2, "and no recall is repeated");
	TAP_EQ_INT(grant_conflict(t, &f2, 0, 0, 1), 0,
	    "another file: nothing outstanding");

	/* b returns; a does not, and is revoked after the lease. */
	tap_ok(grant_return(t, sb, sizeof(sb), NFSV4, 0xa) == -1,
	    "another holder cannot return b's grant");
	tap_ok(grant_return(t, sb, sizeof(sb), NFSV4, 0xb) == 0,
	    "b returns its grant");
	tap_ok(grant_find(t, sb, sizeof(sb)) == NULL, "and it is gone");
	tap_ok(grant_return(t, sb, sizeof(sb), NFSV4, 0xb) == -1,
	    "a second return finds none");
	grant_table_set_now(t, 1010);
	TAP_EQ_INT(grant_expire(t, 10), 0,
	    "5 s after its recall, a lease of 10: not revoked");
	grant_table_set_now(t, 1015);
	TAP_EQ_INT(grant_expire(t, 10), 1, "a lease after the recall: revoked");
	TAP_EQ_INT(ev.revokes, 1, "one revoke event");
	g = grant_find(t, sa, sizeof(sa));
	tap_ok(g != NULL && g->state == GRANT_REVOKED,
	    "the revoked grant is still found by its stateid");
	TAP_EQ_INT(grant_conflict(t, &f1, 0, 0, 1), 0,
	    "a revoked grant conflicts with nothing");
	TAP_EQ_INT(grant_file_count(t, &f1), 0, "nor counts on its file");
	tap_ok(grant_of(t, &f1, NFSV4, 0xa) == NULL,
	    "a holds no live grant on the file");
	ga = grant_add(t, &f1, &a, GRANT_READ, sc, sizeof(sc), NULL, 0);
	tap_ok(ga != NULL, "a may be granted the file again");
	grant_stats(t, &st);
	tap_ok(st.granted == 1 && st.recalling == 0 && st.revoked == 1 &&
	    st.recalls == 2 && st.revokes == 1 && st.returns == 1,
	    "the counts: 1 granted, 1 revoked; 2 recalls, 1 revoke, 1 return");
	grant_table_set_now(t, 1030);
	TAP_EQ_INT(grant_expire(t, 10), 0, "the next expiry revokes nothing");
	tap_ok(grant_find(t, sa, sizeof(sa)) == NULL,
	    "a lease after its revocation the revoked grant is forgotten");

	/* A write grant conflicts with reads too. */
	g = grant_add(t, &f2, &s, GRANT_WRITE, sb, sizeof(sb), NULL, 0);
	tap_ok(g != NULL, "an SMB write grant");
	TAP_EQ_INT(grant_conflict(t, &f2, NFSV4, 0xb, 0), 1,
	    "a read of another holder conflicts with a write grant");
	TAP_EQ_INT(ev.recalls, 3, "and recalls it");
	n = 0;
	grant_foreach_file(t, count_files_cb, &n);
	TAP_EQ_INT(n, 2, "two files have grants");
	TAP_EQ_INT(grant_release_holder(t, SMB, 0xa), 1,
	    "the SMB holder's grant goes with its state");
	TAP_EQ_INT(grant_release_holder(t, NFSV4, 0xa), 1, "so does a's");
	n = 0;
	grant_foreach_file(t, count_files_cb, &n);
	TAP_EQ_INT(n, 0, "no file has a grant left");

	/* Many, to grow the hash; each found again. */
	for (i = 0; i < 1000; i++) {
		uint8_t sid[16];
		struct lock_file_id f = file((int)i);

		memset(sid, 0, sizeof(sid));
		memcpy(sid, &i, sizeof(i));
		sid[15] = 0x77;
		f.data[0] = (uint8_t)(i >> 8);
		if (grant_add(t, &f, &b, GRANT_READ, sid, sizeof(sid), NULL,
		    0) == NULL)
			break;
	}
	TAP_EQ_INT(grant_holder_count(t, NFSV4, 0xb), 1000,
	    "1000 grants of one holder");
	for (n = 0, i = 0; i < 1000; i++) {
		uint8_t sid[16];

		memset(sid, 0, sizeof(sid));
		memcpy(sid, &i, sizeof(i));
		sid[15] = 0x77;
		n += grant_find(t, sid, sizeof(sid)) != NULL;
	}
	TAP_EQ_INT(n, 1000, "each found by its stateid after the table grew");
	grant_table_free(t);
	return tap_done();
}
