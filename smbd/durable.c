/*
 * smbd's durable handles (MS-SMB2 3.3.5.9.6, 3.3.5.9.7, 3.3.5.9.10,
 * 3.3.5.9.12), kept in stated (common/stated_durable.x) so that they
 * outlive a connection and smbd itself:
 *
 *   CREATE with DHnQ or DH2Q   the open gets an id of its own (its
 *              persistent FileId, ST_DURABLE_ID_TAG on top) as the owner
 *              of its share mode, locks and oplock in stated; once it
 *              holds a batch oplock (leases are not granted yet) it is
 *              recorded there with ST_DURABLE_OPEN and answered
 *              durable, with [smbd] durable handle timeout (v1) or the
 *              client's Timeout capped by it (v2).  Directories are
 *              never durable; a persistent handle is answered as not
 *              persistent.
 *   connection lost, LOGOFF
 *              ST_DURABLE_DISCONNECT: stated keeps it.
 *   CLOSE, TREE_DISCONNECT, or not made durable after all:
 *              ST_DURABLE_CLOSE, everything of the id goes.
 *   CREATE with DHnC or DH2C   ST_DURABLE_RECONNECT by the persistent
 *              FileId (and CreateGuid), for the session's user; the open
 *              is made again from what stated kept (file.c), with its
 *              locks and oplock.
 *
 * The pure part (the contexts and the state blob) is tested alone:
 * tests/unit/test_smbd_durable.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "ipc_call.h"
#include "log.h"
#include "smbd.h"
#include "smb2_lease.h"
#include "stated_durable.h"
#include "stated_lock.h"
#include "stated_util.h"
#include "status.h"

#define SMBD_DURABLE_DIALECT_3	0x0300
#define SMBD_DHANDLE_FLAG_PERSISTENT	0x00000002u

/* MS-SMB2 2.2.13.2.3, .4, .11, .12: the durable contexts of a CREATE. */
uint32_t
smbd_durable_parse(const uint8_t *ctx, size_t len, uint16_t dialect,
    struct smbd_durable_req *q)
{
	const uint8_t *dhnq, *dh2q, *dhnc, *dh2c;
	size_t lnq, l2q, lnc, l2c;
	int hnq, h2q, hnc, h2c;

	memset(q, 0, sizeof(*q));
	if ((hnq = smb2_create_ctx_find(ctx, len, "DHnQ", &dhnq, &lnq)) < 0 ||
	    (h2q = smb2_create_ctx_find(ctx, len, "DH2Q", &dh2q, &l2q)) < 0 ||
	    (hnc = smb2_create_ctx_find(ctx, len, "DHnC", &dhnc, &lnc)) < 0 ||
	    (h2c = smb2_create_ctx_find(ctx, len, "DH2C", &dh2c, &l2c)) < 0)
		return STATUS_INVALID_PARAMETER;
	/* v2 belongs to the SMB 3.x dialects alone: ignored below. */
	if (dialect < SMBD_DURABLE_DIALECT_3)
		h2q = h2c = 0;
	if (hnc) {
		/* 3.3.5.9.7: DHnQ with it is ignored, v2 is refused. */
		if (h2q || h2c || lnc != 16)
			return STATUS_INVALID_PARAMETER;
		q->reconnect = 1;
		q->persistent = smb2_get64(dhnc);
		q->volatile_id = smb2_get64(dhnc + 8);
		return STATUS_SUCCESS;
	}
	if (h2c) {
		/* 3.3.5.9.12 */
		if (hnq || h2q || l2c != 36)
			return STATUS_INVALID_PARAMETER;
		q->reconnect = 2;
		q->persistent = smb2_get64(dh2c);
		q->volatile_id = smb2_get64(dh2c + 8);
		memcpy(q->guid, dh2c + 16, sizeof(q->guid));
		q->flags = smb2_get32(dh2c + 32);
		return STATUS_SUCCESS;
	}
	if (h2q) {
		/* 3.3.5.9.10 */
		if (hnq || l2q != 32)
			return STATUS_INVALID_PARAMETER;
		q->version = 2;
		q->timeout_ms = smb2_get32(dh2q);
		q->flags = smb2_get32(dh2q + 4);
		memcpy(q->guid, dh2q + 16, sizeof(q->guid));
		return STATUS_SUCCESS;
	}
	if (hnq) {
		/* 3.3.5.9.6 */
		if (lnq != 16)
			return STATUS_INVALID_PARAMETER;
		q->version = 1;
	}
	return STATUS_SUCCESS;
}

/* The timeout granted: v1 the server's, v2 the client's capped by it. */
uint32_t
smbd_durable_timeout(const struct smbd_durable_req *q, uint32_t server_ms)
{
	if (q->version == 2 && q->timeout_ms != 0 &&
	    q->timeout_ms < server_ms)
		return q->timeout_ms;
	return server_ms;
}

/*
 * 2.2.14.2.3, 2.2.14.2.12: the response context, Next 0, at out (8-byte
 * aligned): its length (32), or 0 when outmax is short.
 */
size_t
smbd_durable_encode(int version, uint32_t timeout_ms, uint8_t *out,
    size_t outmax)
{
	if (outmax < SMBD_DURABLE_RSP_SIZE)
		return 0;
	memset(out, 0, SMBD_DURABLE_RSP_SIZE);
	smb2_put16(out + 4, 16);		/* NameOffset */
	smb2_put16(out + 6, 4);			/* NameLength */
	smb2_put16(out + 10, 24);		/* DataOffset */
	smb2_put32(out + 12, 8);		/* DataLength */
	memcpy(out + 16, version == 2 ? "DH2Q" : "DHnQ", 4);
	if (version == 2)
		smb2_put32(out + 24, timeout_ms);	/* Flags 0 */
	return SMBD_DURABLE_RSP_SIZE;
}

/* What smbd needs to take the open up again (ST_DURABLE_OPEN state). */
#define SMBD_DURABLE_STATE_FIXED	(4 * 8 + 2 * (4 + BD_FH_MAX))

size_t
smbd_durable_state_encode(const struct smbd_durable_state *st, uint8_t *out,
    size_t outmax)
{
	size_t nlen = strlen(st->name), off;

	if (st->fhlen > BD_FH_MAX || st->dir_fhlen > BD_FH_MAX ||
	    outmax < SMBD_DURABLE_STATE_FIXED + nlen)
		return 0;
	memset(out, 0, SMBD_DURABLE_STATE_FIXED);
	smb2_put32(out, 1);			/* this layout */
	smb2_put32(out + 4, st->share_id);
	smb2_put32(out + 8, (uint32_t)st->is_dir);
	smb2_put32(out + 12, st->access);
	smb2_put32(out + 16, st->options);
	smb2_put32(out + 20, st->desired);
	smb2_put32(out + 24, st->share_access);
	smb2_put32(out + 28, st->oplock);
	off = 32;
	smb2_put32(out + off, st->fhlen);
	memcpy(out + off + 4, st->fh, st->fhlen);
	off += 4 + BD_FH_MAX;
	smb2_put32(out + off, st->dir_fhlen);
	memcpy(out + off + 4, st->dir_fh, st->dir_fhlen);
	off += 4 + BD_FH_MAX;
	memcpy(out + off, st->name, nlen);
	return off + nlen;
}

/* 0, or -1 for a blob this smbd did not write. */
int
smbd_durable_state_decode(const uint8_t *in, size_t len,
    struct smbd_durable_state *st)
{
	size_t off, nlen;

	memset(st, 0, sizeof(*st));
	if (len < SMBD_DURABLE_STATE_FIXED || smb2_get32(in) != 1)
		return -1;
	st->share_id = smb2_get32(in + 4);
	st->is_dir = smb2_get32(in + 8) != 0;
	st->access = smb2_get32(in + 12);
	st->options = smb2_get32(in + 16);
	st->desired = smb2_get32(in + 20);
	st->share_access = smb2_get32(in + 24);
	st->oplock = smb2_get32(in + 28);
	off = 32;
	if ((st->fhlen = smb2_get32(in + off)) > BD_FH_MAX ||
	    smb2_get32(in + off + 4 + BD_FH_MAX) > BD_FH_MAX)
		return -1;
	memcpy(st->fh, in + off + 4, st->fhlen);
	off += 4 + BD_FH_MAX;
	st->dir_fhlen = smb2_get32(in + off);
	memcpy(st->dir_fh, in + off + 4, st->dir_fhlen);
	off += 4 + BD_FH_MAX;
	nlen = len - off;
	if (nlen > BD_NAME_MAX || memchr(in + off, '\0', nlen) != NULL)
		return -1;
	memcpy(st->name, in + off, nlen);
	st->name[nlen] = '\0';
	return 0;
}

/* A fresh open id of a durable request: tagged, never a session's. */
uint64_t
smbd_durable_new_id(void)
{
	uint64_t id;

	if (RAND_bytes((uint8_t *)&id, sizeof(id)) != 1)
		fatalx("RAND_bytes");
	id &= 0x00ffffffffffffffull;
	if (id == 0)
		id = 1;
	return id | (uint64_t)ST_DURABLE_ID_TAG << 56;
}

int
smbd_durable_id(uint64_t id)
{
	return (id >> 56) == ST_DURABLE_ID_TAG;
}

/* ---- stated ---- */

static void
smbd_durable_quiet_done(void *arg, int status, void *reply)
{
	const char *what = arg;
	st_reply *rep = reply;

	if (status != 0)
		log_warnx_rl("stated: %s: %s", what, status == -ENOTCONN ?
		    "not connected" : "refused");
	else if (rep->status != ST_OK && rep->status != ST_NOT_FOUND)
		log_warnx_rl("stated: %s: status %d", what, (int)rep->status);
}

static void
smbd_durable_tell(struct smbd_env *env, uint32_t type, uint64_t id,
    const char *what)
{
	st_durable_id_req req;

	if (!smbd_stated_ready(env))
		return;
	memset(&req, 0, sizeof(req));
	req.id = id;
	ipc_client_call(env->stated, type, (xdrproc_t)xdr_st_durable_id_req,
	    &req, ST_REPLY, (xdrproc_t)xdr_st_reply, sizeof(st_reply),
	    smbd_durable_quiet_done, (void *)(uintptr_t)what);
}

/*
 * An open owned by its own id goes: released in stated by a CLOSE or a
 * TREE_DISCONNECT (or when it was not made durable); a durable one whose
 * connection or session went is kept there for its reconnect (a LOGOFF
 * too: smbtorture's durable-open.reopen3 and reopen4, as Windows and
 * Samba do).
 */
void
smbd_durable_open_gone(struct smbd_conn *c, struct smbd_open *o)
{
	if (o->durable && !o->closed) {
		smbd_durable_tell(c->env, ST_DURABLE_DISCONNECT, o->owner_id,
		    "DURABLE_DISCONNECT");
		c->env->durable_disconnects++;
	} else
		smbd_durable_tell(c->env, ST_DURABLE_CLOSE, o->owner_id,
		    "DURABLE_CLOSE");
	o->durable = 0;
}

struct smbd_durable_call {
	struct smbd_conn	*c;	/* held */
	uint64_t		 id;
	smbd_durable_done_fn	*done;
	smbd_durable_reconnect_fn *reconnected;
	void			*arg;
};

static void
smbd_durable_open_done(void *arg, int status, void *reply)
{
	struct smbd_durable_call *dc = arg;
	st_reply *rep = reply;
	int ok = status == 0 && rep->status == ST_OK;

	if (!ok)
		log_warnx_rl("%s: stated kept no durable handle (%s): the "
		    "open is not durable", dc->c->peer, status != 0 ?
		    "not connected" : rep->status == ST_LIMIT ? "its limit" :
		    "refused");
	dc->done(dc->arg, ok);
	smbd_conn_release(dc->c);
	free(dc);
}

/* 3.3.5.9.6, 3.3.5.9.10: stated records the open; done(arg, granted). */
void
smbd_durable_register(struct smbd_conn *c, struct smbd_session *s,
    const struct smbd_open *o, const struct smbd_durable_req *q,
    uint32_t share_access, smbd_durable_done_fn *done, void *arg)
{
	struct smbd_durable_state st;
	struct smbd_durable_call *dc;
	st_durable_open req;
	uint8_t blob[ST_DURABLE_STATE_MAX];
	size_t blen;

	memset(&st, 0, sizeof(st));
	st.share_id = c->env->shares[o->share].share_id;
	st.is_dir = o->is_dir;
	st.access = o->access;
	st.options = o->options;
	st.desired = o->desired;
	st.share_access = share_access;
	st.oplock = o->oplock;
	memcpy(st.fh, o->fh, o->fhlen);
	st.fhlen = o->fhlen;
	memcpy(st.dir_fh, o->dir_fh, o->dir_fhlen);
	st.dir_fhlen = o->dir_fhlen;
	snprintf(st.name, sizeof(st.name), "%s", o->name);
	if (!smbd_stated_ready(c->env) || smbd_durable_id(o->owner_id) == 0 ||
	    smbd_file_id(o) == NULL ||
	    (blen = smbd_durable_state_encode(&st, blob, sizeof(blob))) == 0 ||
	    (dc = calloc(1, sizeof(*dc))) == NULL) {
		done(arg, 0);
		return;
	}
	dc->c = c;
	smbd_conn_hold(c);
	dc->done = done;
	dc->arg = arg;
	memset(&req, 0, sizeof(req));
	req.id = o->owner_id;
	req.dh_version = (u_int)q->version;
	memcpy(req.create_guid, q->guid, sizeof(req.create_guid));
	req.file.st_file_len = ST_FILE_ID_LEN;
	req.file.st_file_val = (char *)(uintptr_t)smbd_file_id(o);
	req.user = s->user;
	req.timeout_ms = smbd_durable_timeout(q, c->env->durable_timeout_ms);
	req.oplock = o->oplock;
	req.access = smb2_share_access(o->desired);
	req.deny = smb2_share_deny(share_access);
	req.path = o->path != NULL ? o->path : (char *)"";
	req.state.state_len = (u_int)blen;
	req.state.state_val = (char *)blob;
	ipc_client_call(c->env->stated, ST_DURABLE_OPEN,
	    (xdrproc_t)xdr_st_durable_open, &req, ST_REPLY,
	    (xdrproc_t)xdr_st_reply, sizeof(st_reply), smbd_durable_open_done,
	    dc);
}

static void
smbd_durable_reconnect_done(void *arg, int status, void *reply)
{
	struct smbd_durable_call *dc = arg;
	st_durable_reconnect_reply *rep = reply;
	struct smbd_durable_state st;
	uint32_t answer;

	if (status != 0) {
		log_warnx_rl("%s: durable reconnect: stated %s", dc->c->peer,
		    status == -ENOTCONN ? "is not connected" : "refused it");
		answer = STATUS_OBJECT_NAME_NOT_FOUND;
	} else if (rep->status == ST_DENIED)
		answer = STATUS_ACCESS_DENIED;
	else if (rep->status != ST_OK || rep->open.open_len != 1 ||
	    smbd_durable_state_decode((const uint8_t *)
	    rep->open.open_val[0].state.state_val,
	    rep->open.open_val[0].state.state_len, &st) == -1)
		answer = STATUS_OBJECT_NAME_NOT_FOUND;
	else {
		dc->reconnected(dc->arg, STATUS_SUCCESS, &rep->open.open_val[0],
		    &st, rep->locks.locks_val, rep->locks.locks_len);
		smbd_conn_release(dc->c);
		free(dc);
		return;
	}
	dc->reconnected(dc->arg, answer, NULL, NULL, NULL, 0);
	smbd_conn_release(dc->c);
	free(dc);
}

/* 3.3.5.9.7, 3.3.5.9.12: the open stated kept, for this session's user. */
void
smbd_durable_reconnect(struct smbd_conn *c, struct smbd_session *s,
    const struct smbd_durable_req *q, smbd_durable_reconnect_fn *done,
    void *arg)
{
	struct smbd_durable_call *dc;
	st_durable_reconnect_req req;

	if (!smbd_durable_id(q->persistent) || !smbd_stated_ready(c->env) ||
	    (dc = calloc(1, sizeof(*dc))) == NULL) {
		done(arg, STATUS_OBJECT_NAME_NOT_FOUND, NULL, NULL, NULL, 0);
		return;
	}
	dc->c = c;
	smbd_conn_hold(c);
	dc->reconnected = done;
	dc->arg = arg;
	memset(&req, 0, sizeof(req));
	req.id = q->persistent;
	req.dh_version = (u_int)q->reconnect;
	memcpy(req.create_guid, q->guid, sizeof(req.create_guid));
	req.user = s->user;
	ipc_client_call(c->env->stated, ST_DURABLE_RECONNECT,
	    (xdrproc_t)xdr_st_durable_reconnect_req, &req,
	    ST_DURABLE_RECONNECT_REPLY,
	    (xdrproc_t)xdr_st_durable_reconnect_reply,
	    sizeof(st_durable_reconnect_reply), smbd_durable_reconnect_done,
	    dc);
}

/* A reconnect that failed after stated gave the open: it goes. */
void
smbd_durable_drop(struct smbd_env *env, uint64_t id)
{
	smbd_durable_tell(env, ST_DURABLE_CLOSE, id, "DURABLE_CLOSE");
}

/* A reconnect stated granted that smbd cannot take: it waits again. */
void
smbd_durable_drop_connection(struct smbd_env *env, uint64_t id)
{
	smbd_durable_tell(env, ST_DURABLE_DISCONNECT, id,
	    "DURABLE_DISCONNECT");
}
