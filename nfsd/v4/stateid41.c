/*
 * NFSv4.1's TEST_STATEID (RFC 8881 18.48) and FREE_STATEID (18.38)
 * through stated (ST_V4_TEST_STATEID, ST_V4_FREE_STATEID of
 * common/stated_v4.x), which keeps every stateid.
 *
 * The COMPOUND decoder (xdr.c) reads only the opnum of these two ops:
 * each decodes its own arguments from the COMPOUND (v->c.x) and writes
 * its whole result (xdr41_stateid.c), as READ does, then goes on with
 * nfs4_op_next.  The clientid sent is the session's
 * (nfs4_call_clientid41), so that stated answers BAD_STATEID for a
 * stateid of another client.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nfsd/v4/proc.h"
#include "nfsd/v4/stateid41.h"

static void
nfs4_stateid41_stateid(st_v4_stateid *o, const struct nfs4_stateid *s)
{
	o->seqid = s->seqid;
	memcpy(o->other, s->other, ST_V4_OTHER_SIZE);
}

static void
nfs4_test_stateid_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_v4_test_stateid_reply *rep = reply;
	uint32_t st, *codes = NULL, n = 0, i;

	st = nfs4_stated_status(status, rep != NULL ?
	    (uint32_t)rep->status : NFS4ERR_SERVERFAULT);
	if (st == NFS4_OK) {
		n = rep->results.results_len;
		if (n > 0 && (codes = calloc(n, sizeof(*codes))) == NULL)
			st = NFS4ERR_SERVERFAULT;
		for (i = 0; codes != NULL && i < n; i++)
			codes[i] = (uint32_t)rep->results.results_val[i];
	}
	nfs4_encode_test_stateid(v->co.o, st, codes, n);
	v->co.count++;
	free(codes);
	nfs4_op_next(v, st);
}

/* RFC 8881 18.48: TEST_STATEID */
void
nfs4_op_test_stateid(struct nfs4_call *v)
{
	struct nfs4_test_stateid_args a;
	st_v4_test_stateid_req req;
	st_v4_stateid *ids = NULL;
	uint32_t st, i;

	if ((st = nfs4_decode_test_stateid(v->c.x, &a)) == NFS4_OK &&
	    a.count > 0 && (ids = calloc(a.count, sizeof(*ids))) == NULL)
		st = NFS4ERR_SERVERFAULT;
	if (st != NFS4_OK) {
		if (st == NFS4ERR_BADXDR)
			log_info_rl("%s: NFSv4.1 TEST_STATEID: malformed "
			    "arguments", v->nfs.rpc->peer_name);
		nfs4_test_stateid_args_free(&a);
		nfs4_encode_test_stateid(v->co.o, st, NULL, 0);
		v->co.count++;
		nfs4_op_next(v, st);
		return;
	}
	for (i = 0; i < a.count; i++)
		nfs4_stateid41_stateid(&ids[i], &a.ids[i]);
	memset(&req, 0, sizeof(req));
	req.clientid = nfs4_call_clientid41(v);
	req.stateids.stateids_len = a.count;
	req.stateids.stateids_val = ids;
	stated_client_call(v->nfs.env->sdc, ST_V4_TEST_STATEID,
	    (xdrproc_t)xdr_st_v4_test_stateid_req, &req,
	    ST_V4_TEST_STATEID_REPLY, (xdrproc_t)xdr_st_v4_test_stateid_reply,
	    sizeof(st_v4_test_stateid_reply), nfs4_test_stateid_done, v);
	free(ids);
	nfs4_test_stateid_args_free(&a);
}

static void
nfs4_free_stateid_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_v4_reply *rep = reply;
	uint32_t st;

	st = nfs4_stated_status(status, rep != NULL ?
	    (uint32_t)rep->status : NFS4ERR_SERVERFAULT);
	/* The freed stateid must not pass from the cache any more. */
	if (st == NFS4_OK)
		nfs4_stateid_cache_drop_client(v->nfs.env->v4_stateids,
		    nfs4_call_clientid41(v));
	nfs4_encode_free_stateid(v->co.o, st);
	v->co.count++;
	nfs4_op_next(v, st);
}

/* RFC 8881 18.38: FREE_STATEID */
void
nfs4_op_free_stateid(struct nfs4_call *v)
{
	st_v4_free_stateid_req req;
	struct nfs4_stateid sid;
	uint32_t st;

	if ((st = nfs4_decode_free_stateid(v->c.x, &sid)) != NFS4_OK) {
		log_info_rl("%s: NFSv4.1 FREE_STATEID: malformed arguments",
		    v->nfs.rpc->peer_name);
		nfs4_encode_free_stateid(v->co.o, st);
		v->co.count++;
		nfs4_op_next(v, st);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.clientid = nfs4_call_clientid41(v);
	nfs4_stateid41_stateid(&req.stateid, &sid);
	stated_client_call(v->nfs.env->sdc, ST_V4_FREE_STATEID,
	    (xdrproc_t)xdr_st_v4_free_stateid_req, &req, ST_V4_REPLY,
	    (xdrproc_t)xdr_st_v4_reply, sizeof(st_v4_reply),
	    nfs4_free_stateid_done, v);
}
