/*
 * nfsd/v4/stateid41.h: NFSv4.1's TEST_STATEID (RFC 8881 18.48) and
 * FREE_STATEID (18.38).  The wire parts are xdr41_stateid.c (pure, in
 * libnfs4.a), the ops stateid41.c, which asks stated (ST_V4_TEST_STATEID,
 * ST_V4_FREE_STATEID of common/stated_v4.x).
 */
#ifndef DITTOFS_NFSD_V4_STATEID41_H
#define DITTOFS_NFSD_V4_STATEID41_H

#include <stdint.h>

#include "nfsd/v4/nfs4.h"

/* Operation numbers (RFC 8881 16.2.1). */
#define NFS4_OP_FREE_STATEID	45
#define NFS4_OP_TEST_STATEID	55
/* Stateids per TEST_STATEID: stated's ST_V4_TEST_STATEID_MAX. */
#define NFS4_TEST_STATEID_MAX	1024
/* stateid4 on the wire: seqid and other. */
#define NFS4_STATEID_WIRE	(4 + NFS4_OTHER_SIZE)
/* NFS4ERR_REP_TOO_BIG (RFC 8881 15.1.3.6): more than we answer. */
#define NFS4_STATEID41_TOO_BIG	10066

struct nfs4_test_stateid_args {
	uint32_t		 count;
	struct nfs4_stateid	*ids;		/* count of them, malloc'ed */
};

/* xdr41_stateid.c: NFS4_OK, NFS4ERR_BADXDR, too big, SERVERFAULT. */
uint32_t nfs4_decode_test_stateid(struct xdrbuf_in *,
	    struct nfs4_test_stateid_args *);
void	 nfs4_test_stateid_args_free(struct nfs4_test_stateid_args *);
uint32_t nfs4_decode_free_stateid(struct xdrbuf_in *, struct nfs4_stateid *);
/* A whole nfs_resop4 (opnum, status, body) after the others. */
void	 nfs4_encode_test_stateid(struct xdrbuf_out *, uint32_t status,
	    const uint32_t *codes, uint32_t n);
void	 nfs4_encode_free_stateid(struct xdrbuf_out *, uint32_t status);

#endif
