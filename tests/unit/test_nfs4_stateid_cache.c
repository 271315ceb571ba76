/*
 * nfsd's stateid cache (nfsd/v4/stateid_cache.c): a hit only for the
 * same other, seqid and handle, a write only with WRITE access; drops by
 * file, by client and all; the LRU bound; the batched renewal's clock.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "nfs4.h"
#include "tap.h"

/* A stateid as stated makes them: epoch, client counter, state counter. */
static struct nfs4_stateid
sid(uint32_t seqid, uint32_t client, uint32_t state)
{
	struct nfs4_stateid s;
	uint32_t w[3] = { 7, client, state };
	int i, j;

	s.seqid = seqid;
	for (i = 0; i < 3; i++)
		for (j = 0; j < 4; j++)
			s.other[4 * i + j] = (uint8_t)(w[i] >> (24 - 8 * j));
	return s;
}

int
main(void)
{
	struct nfs4_stateid_cache *c = nfs4_stateid_cache_new(4);
	struct nfs4_stateid a = sid(1, 1, 100), b = sid(2, 1, 101),
	    other = sid(1, 2, 200), s;
	const uint8_t fh1[] = "file-one", fh2[] = "file-two";
	uint32_t access;
	int i;

	tap_ok(c != NULL, "a cache of 4");
	tap_ok(nfs4_stateid_clientid(&a) == ((uint64_t)7 << 32 | 1),
	    "the client of a stateid: epoch and counter");
	tap_ok(!nfs4_stateid_cache_hit(c, &a, fh1, 8, 0), "empty: no hit");
	nfs4_stateid_cache_put(c, &a, fh1, 8, OPEN4_SHARE_ACCESS_READ, 100);
	tap_ok(nfs4_stateid_cache_hit(c, &a, fh1, 8, 0),
	    "a read-only open's stateid: a READ hits");
	tap_ok(!nfs4_stateid_cache_hit(c, &a, fh1, 8, 1),
	    "... a WRITE does not (stated says OPENMODE)");
	tap_ok(!nfs4_stateid_cache_hit(c, &a, fh2, 8, 0),
	    "... nor a READ of another file");
	s = a;
	s.seqid = 2;
	tap_ok(!nfs4_stateid_cache_hit(c, &s, fh1, 8, 0),
	    "... nor another seqid");
	s = a;
	s.other[11] ^= 0x80;
	tap_ok(!nfs4_stateid_cache_hit(c, &s, fh1, 8, 0),
	    "... nor another other");
	nfs4_stateid_cache_put(c, &s, fh1, 8, 3, 100);
	s.seqid = 1;
	tap_ok(nfs4_stateid_cache_access(c, &a, &access) && access == 1,
	    "the access of a cached state by its other");
	a.seqid = 2;
	nfs4_stateid_cache_put(c, &a, fh1, 8, 3, 100);
	tap_ok(nfs4_stateid_cache_hit(c, &a, fh1, 8, 1) &&
	    nfs4_stateid_cache_count(c) == 2,
	    "an upgrade replaces its entry: seqid 2 writes");
	a.seqid = 1;
	tap_ok(!nfs4_stateid_cache_hit(c, &a, fh1, 8, 0),
	    "and seqid 1 no longer hits (OLD_STATEID is stated's)");
	a.seqid = 2;
	nfs4_stateid_cache_put(c, &b, fh2, 8, 3, 100);
	nfs4_stateid_cache_put(c, &other, fh2, 8, 3, 100);
	tap_ok(nfs4_stateid_cache_drop_file(c, fh1, 8) == 2 &&
	    !nfs4_stateid_cache_hit(c, &a, fh1, 8, 0) &&
	    nfs4_stateid_cache_hit(c, &b, fh2, 8, 0),
	    "CLOSE drops the file's entries, not the others'");
	tap_ok(nfs4_stateid_cache_drop_client(c, nfs4_stateid_clientid(&b)) ==
	    1 && !nfs4_stateid_cache_hit(c, &b, fh2, 8, 0) &&
	    nfs4_stateid_cache_hit(c, &other, fh2, 8, 0),
	    "a REVOKED push drops the client's entries, not the others'");
	tap_ok(nfs4_stateid_cache_drop_client(c, 12345) == 0,
	    "a client with nothing cached: nothing dropped");

	/* Renewal: noted at the put, due an interval later, once. */
	tap_ok(!nfs4_stateid_cache_renew_due(c, nfs4_stateid_clientid(&other),
	    110, 20), "renewed at 100: no RENEW due at 110 (every 20)");
	tap_ok(nfs4_stateid_cache_renew_due(c, nfs4_stateid_clientid(&other),
	    120, 20), "due at 120");
	tap_ok(!nfs4_stateid_cache_renew_due(c, nfs4_stateid_clientid(&other),
	    121, 20), "and not again at 121");
	tap_ok(!nfs4_stateid_cache_renew_due(c, 999, 500, 20),
	    "a client with nothing cached renews by itself");

	/* The bound: the least recently used goes. */
	for (i = 0; i < 6; i++) {
		s = sid(1, 3, 300 + (uint32_t)i);
		nfs4_stateid_cache_put(c, &s, fh1, 8, 3, 100);
	}
	s = sid(1, 3, 305);
	tap_ok(nfs4_stateid_cache_count(c) == 4 &&
	    nfs4_stateid_cache_hit(c, &s, fh1, 8, 1) &&
	    !nfs4_stateid_cache_hit(c, &other, fh2, 8, 0),
	    "at 4 entries the least recently used goes");
	nfs4_stateid_cache_drop_all(c);
	tap_ok(nfs4_stateid_cache_count(c) == 0 &&
	    !nfs4_stateid_cache_hit(c, &s, fh1, 8, 0),
	    "stated lost: everything dropped");
	nfs4_stateid_cache_free(c);
	c = nfs4_stateid_cache_new(0);
	tap_ok(c == NULL && !nfs4_stateid_cache_hit(c, &s, fh1, 8, 0),
	    "size 0: no cache, never a hit");
	nfs4_stateid_cache_put(c, &s, fh1, 8, 3, 100);
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
