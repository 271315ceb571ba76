/*
 * RFC 8881 18.38 FREE_STATEID and 18.48 TEST_STATEID: their arguments
 * and results on the wire, pure like xdr.c so that unit tests and the
 * fuzz target link them (libnfs4.a).  The ops are stateid41.c's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nfsd/v4/nfs4.h"
#include "nfsd/v4/stateid41.h"

/* TEST_STATEID4args: stateid4 ts_stateids<>. */
uint32_t
nfs4_decode_test_stateid(struct xdrbuf_in *x, struct nfs4_test_stateid_args *a)
{
	uint32_t n, i;

	memset(a, 0, sizeof(*a));
	if (xdrbuf_get_u32(x, &n) == -1)
		return NFS4ERR_BADXDR;
	/* 16 bytes each: never more than what is left of the request. */
	if (n > (x->len - x->pos) / NFS4_STATEID_WIRE)
		return NFS4ERR_BADXDR;
	if (n > NFS4_TEST_STATEID_MAX)
		return NFS4_STATEID41_TOO_BIG;
	if (n > 0 && (a->ids = calloc(n, sizeof(*a->ids))) == NULL)
		return NFS4ERR_SERVERFAULT;
	for (i = 0; i < n; i++) {
		if (nfs4_get_stateid(x, &a->ids[i]) == -1) {
			nfs4_test_stateid_args_free(a);
			return NFS4ERR_BADXDR;
		}
	}
	a->count = n;
	return NFS4_OK;
}

void
nfs4_test_stateid_args_free(struct nfs4_test_stateid_args *a)
{
	free(a->ids);
	a->ids = NULL;
	a->count = 0;
}

/* FREE_STATEID4args: stateid4 fsa_stateid. */
uint32_t
nfs4_decode_free_stateid(struct xdrbuf_in *x, struct nfs4_stateid *sid)
{
	return nfs4_get_stateid(x, sid) == -1 ? NFS4ERR_BADXDR : NFS4_OK;
}

/* nfs_resop4 of TEST_STATEID: opnum, status, then on NFS4_OK the codes. */
void
nfs4_encode_test_stateid(struct xdrbuf_out *o, uint32_t status,
    const uint32_t *codes, uint32_t n)
{
	uint32_t i;

	xdrbuf_put_u32(o, NFS4_OP_TEST_STATEID);
	xdrbuf_put_u32(o, status);
	if (status != NFS4_OK)
		return;
	xdrbuf_put_u32(o, n);
	for (i = 0; i < n; i++)
		xdrbuf_put_u32(o, codes[i]);
}

/* nfs_resop4 of FREE_STATEID: opnum, status. */
void
nfs4_encode_free_stateid(struct xdrbuf_out *o, uint32_t status)
{
	xdrbuf_put_u32(o, NFS4_OP_FREE_STATEID);
	xdrbuf_put_u32(o, status);
}
