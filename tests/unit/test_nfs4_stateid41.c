/*
 * NFSv4.1 TEST_STATEID and FREE_STATEID on the wire
 * (nfsd/v4/xdr41_stateid.c): a list within its bounds, one that claims
 * more stateids than the request holds, one past the cap; the results
 * as RFC 8881 18.48.2 and 18.38.2 lay them out; and random bytes, which
 * must never be read past their end (run under ASan in CI).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfsd/v4/stateid41.h"
#include "tap.h"

static void
put_stateid(struct xdrbuf_out *o, uint32_t seqid, uint8_t fill)
{
	uint8_t other[NFS4_OTHER_SIZE];

	memset(other, fill, sizeof(other));
	xdrbuf_put_u32(o, seqid);
	xdrbuf_put_fixed(o, other, sizeof(other));
}

static uint32_t
decode(const struct xdrbuf_out *o, struct nfs4_test_stateid_args *a)
{
	struct xdrbuf_in x;

	xdrbuf_in_init(&x, o->buf, o->len);
	return nfs4_decode_test_stateid(&x, a);
}

static uint32_t
word(const struct xdrbuf_out *o, size_t i)
{
	const uint8_t *p = o->buf + 4 * i;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

int
main(void)
{
	struct nfs4_test_stateid_args a;
	struct nfs4_stateid sid;
	struct xdrbuf_out o;
	struct xdrbuf_in x;
	uint32_t codes[2] = { 0, 10025 };
	uint8_t junk[64];
	int i, j;

	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, 2);
	put_stateid(&o, 0, 0xab);
	put_stateid(&o, 7, 0xcd);
	tap_ok(decode(&o, &a) == NFS4_OK && a.count == 2 &&
	    a.ids[0].seqid == 0 && a.ids[0].other[11] == 0xab &&
	    a.ids[1].seqid == 7 && a.ids[1].other[0] == 0xcd,
	    "TEST_STATEID of two stateids");
	nfs4_test_stateid_args_free(&a);
	xdrbuf_out_free(&o);

	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, 3);
	put_stateid(&o, 1, 1);
	tap_ok(decode(&o, &a) == NFS4ERR_BADXDR && a.ids == NULL &&
	    a.count == 0, "a count beyond the request's bytes: "
	    "NFS4ERR_BADXDR, nothing allocated");
	xdrbuf_out_free(&o);

	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, NFS4_TEST_STATEID_MAX + 1);
	for (i = 0; i <= NFS4_TEST_STATEID_MAX; i++)
		put_stateid(&o, 1, 2);
	tap_ok(decode(&o, &a) == NFS4_STATEID41_TOO_BIG && a.ids == NULL,
	    "more than %d stateids: NFS4ERR_REP_TOO_BIG",
	    NFS4_TEST_STATEID_MAX);
	xdrbuf_out_free(&o);

	xdrbuf_out_init(&o);
	xdrbuf_put_u32(&o, 0);
	tap_ok(decode(&o, &a) == NFS4_OK && a.count == 0, "an empty list");
	xdrbuf_out_free(&o);

	xdrbuf_out_init(&o);
	put_stateid(&o, 3, 9);
	xdrbuf_in_init(&x, o.buf, o.len);
	tap_ok(nfs4_decode_free_stateid(&x, &sid) == NFS4_OK &&
	    sid.seqid == 3 && sid.other[5] == 9, "FREE_STATEID's stateid");
	xdrbuf_in_init(&x, o.buf, o.len - 1);
	tap_ok(nfs4_decode_free_stateid(&x, &sid) == NFS4ERR_BADXDR,
	    "one byte short: NFS4ERR_BADXDR");
	xdrbuf_out_free(&o);

	xdrbuf_out_init(&o);
	nfs4_encode_test_stateid(&o, NFS4_OK, codes, 2);
	tap_ok(o.len == 20 && word(&o, 0) == 55 && word(&o, 1) == 0 &&
	    word(&o, 2) == 2 && word(&o, 3) == 0 && word(&o, 4) == 10025,
	    "TEST_STATEID4res: opnum 55, NFS4_OK, the codes in order");
	xdrbuf_out_free(&o);
	xdrbuf_out_init(&o);
	nfs4_encode_test_stateid(&o, NFS4ERR_BADXDR, NULL, 0);
	tap_ok(o.len == 8 && word(&o, 1) == NFS4ERR_BADXDR,
	    "an error: the status alone");
	xdrbuf_out_free(&o);
	xdrbuf_out_init(&o);
	nfs4_encode_free_stateid(&o, 10037);
	tap_ok(o.len == 8 && word(&o, 0) == 45 && word(&o, 1) == 10037,
	    "FREE_STATEID4res: opnum 45 and the status");
	xdrbuf_out_free(&o);

	/* Random bytes: every answer is one of the decoder's. */
	srandom(41);
	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)random() % sizeof(junk);
		uint32_t st;

		for (j = 0; j < (int)len; j++)
			junk[j] = (uint8_t)random();
		if (len >= 4 && random() % 2)
			junk[0] = junk[1] = 0;	/* small counts too */
		xdrbuf_in_init(&x, junk, len);
		st = nfs4_decode_test_stateid(&x, &a);
		if ((st != NFS4_OK && st != NFS4ERR_BADXDR &&
		    st != NFS4_STATEID41_TOO_BIG) || (st == NFS4_OK &&
		    a.count * (size_t)NFS4_STATEID_WIRE + 4 > len))
			break;
		nfs4_test_stateid_args_free(&a);
	}
	tap_ok(i == 20000, "20000 random requests decoded within their bytes");
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
