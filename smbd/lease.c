/*
 * smbd's oplocks (MS-SMB2 3.3.5.9 RequestedOplockLevel, 3.3.4.6 the
 * break, 3.3.5.22.1 its acknowledgment) as caching grants in stated
 * (common/stated_grant.x ST_GRANT_SMB*), so that NFS and NLM see them:
 *
 *   CREATE     first asks ST_GRANT_CONFLICT for the file: the grants it
 *              conflicts with (another session's oplock, an NFSv4
 *              delegation) are recalled, and the CREATE waits, asking
 *              again every SMBD_BREAK_POLL_MS, until none is
 *              outstanding or [smbd] oplock break timeout has passed.
 *              Then, when the client asked for an oplock, ST_GRANT_SMB:
 *              the level stated allows (level II for a read grant; the
 *              exclusive or batch asked for a write grant).
 *   RECALL     stated's push for one of ours (whatever asked: an SMB
 *              CREATE, an NLM lock, an NFSv4 OPEN or an NFS write that
 *              asks ST_GRANT_CONFLICT): an OPLOCK_BREAK notification to
 *              level none goes to the holder's connection.
 *   OPLOCK_BREAK  the client's acknowledgment: the grant goes back to
 *              stated (ST_GRANT_SMB_RETURN) and the waiting CREATE goes
 *              on at its next poll.
 *   CLOSE      an open with an oplock gives it back.
 *
 * The holder in stated is the open's owner (protocol SMB, its session's
 * id, or the open's own for one that asked to be durable: durable.c),
 * the grant's name the owner's and the open's id, 16 bytes.  Leases
 * (create contexts, smb2_lease.h) are not granted yet.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "ipc_call.h"
#include "log.h"
#include "smbd.h"
#include "smb2_lease.h"
#include "stated_grant.h"
#include "stated_lock.h"
#include "stated_push.h"
#include "stated_util.h"
#include "perm.h"
#include "status.h"

#define SMBD_BREAK_POLL_MS	100

/* The grant's name in stated: session id, open id. */
static void
smbd_lease_sid(uint8_t out[16], uint64_t session_id, uint64_t open_id)
{
	smb2_put64(out, session_id);
	smb2_put64(out + 8, open_id);
}

/* A break acknowledged, an open gone: stated forgets or lowers it. */
static void
smbd_lease_return_done(void *arg, int status, void *reply)
{
	st_reply *rep = reply;

	(void)arg;
	if (status != 0)
		log_warnx_rl("stated: oplock return: %s", status ==
		    -ENOTCONN ? "not connected" : "refused");
	else if (rep->status != ST_OK && rep->status != ST_NOT_FOUND)
		log_warnx_rl("stated: oplock return: status %d",
		    (int)rep->status);
}

static void
smbd_lease_return(struct smbd_env *env, uint64_t session_id,
    uint64_t open_id, unsigned int level)
{
	st_grant_smb_return_req req;
	uint8_t sid[16];

	if (!smbd_stated_ready(env))
		return;
	smbd_lease_sid(sid, session_id, open_id);
	memset(&req, 0, sizeof(req));
	req.client_id = session_id;
	req.stateid.stateid_len = sizeof(sid);
	req.stateid.stateid_val = (char *)sid;
	req.level = level;
	ipc_client_call(env->stated, ST_GRANT_SMB_RETURN,
	    (xdrproc_t)xdr_st_grant_smb_return_req, &req, ST_REPLY,
	    (xdrproc_t)xdr_st_reply, sizeof(st_reply), smbd_lease_return_done,
	    NULL);
}

/* ---- CREATE: conflicts, then the oplock ---- */

struct smbd_lease_op {
	struct smbd_conn	*c;		/* held */
	uint64_t		 session_id;
	uint64_t		 open_id;	/* 0: none yet */
	uint8_t			 file[ST_FILE_ID_LEN];
	int			 write;
	uint8_t			 wanted;	/* SMB2_OPLOCK_LEVEL_* */
	struct timespec		 deadline;
	struct event		*ev;
	smbd_lease_done_fn	*done;
	void			*arg;
};

static void	smbd_lease_conflict_ask(struct smbd_lease_op *);

static void
smbd_lease_op_end(struct smbd_lease_op *op, uint8_t level)
{
	smbd_lease_done_fn *done = op->done;
	void *arg = op->arg;

	if (op->ev != NULL)
		event_free(op->ev);
	smbd_conn_release(op->c);
	free(op);
	done(arg, level);
}

static void
smbd_lease_granted(void *arg, int status, void *reply)
{
	struct smbd_lease_op *op = arg;
	st_grant_smb_reply *rep = reply;
	uint8_t level = SMB2_OPLOCK_LEVEL_NONE;

	if (status == 0 && rep->status == ST_OK) {
		if (rep->level == ST_GRANT_WRITE)
			level = op->wanted;
		else if (rep->level == ST_GRANT_READ)
			level = SMB2_OPLOCK_LEVEL_II;
		if (rep->why == ST_GRANT_NONE_LIMIT)
			log_warnx_rl("%s: [stated] smb leases per session "
			    "reached: no oplock", op->c->peer);
	}
	smbd_lease_op_end(op, level);
}

/* MS-SMB2 3.3.5.9: the oplock asked for, as stated allows it. */
static void
smbd_lease_grant(struct smbd_lease_op *op)
{
	st_grant_smb_req req;
	uint8_t sid[16];

	if (op->wanted != SMB2_OPLOCK_LEVEL_II &&
	    op->wanted != SMB2_OPLOCK_LEVEL_EXCLUSIVE &&
	    op->wanted != SMB2_OPLOCK_LEVEL_BATCH) {
		smbd_lease_op_end(op, SMB2_OPLOCK_LEVEL_NONE);
		return;
	}
	smbd_lease_sid(sid, op->session_id, op->open_id);
	memset(&req, 0, sizeof(req));
	req.file.st_file_len = ST_FILE_ID_LEN;
	req.file.st_file_val = (char *)op->file;
	req.client_id = op->session_id;
	req.stateid.stateid_len = sizeof(sid);
	req.stateid.stateid_val = (char *)sid;
	req.handle.handle_len = sizeof(sid);
	req.handle.handle_val = (char *)sid;
	req.level = op->wanted == SMB2_OPLOCK_LEVEL_II ? ST_GRANT_READ :
	    ST_GRANT_WRITE;
	ipc_client_call(op->c->env->stated, ST_GRANT_SMB,
	    (xdrproc_t)xdr_st_grant_smb_req, &req, ST_GRANT_SMB_REPLY,
	    (xdrproc_t)xdr_st_grant_smb_reply, sizeof(st_grant_smb_reply),
	    smbd_lease_granted, op);
}

static void
smbd_lease_poll(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	smbd_lease_conflict_ask(arg);
}

static int
smbd_lease_past(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec &&
	    now.tv_nsec >= t->tv_nsec);
}

static void
smbd_lease_conflict_done(void *arg, int status, void *reply)
{
	struct smbd_lease_op *op = arg;
	st_grant_conflict_reply *rep = reply;
	struct timeval tv = { 0, SMBD_BREAK_POLL_MS * 1000 };

	if (status == 0 && rep->outstanding > 0 && !op->c->closing) {
		if (!smbd_lease_past(&op->deadline)) {
			if (op->ev == NULL && (op->ev = evtimer_new(
			    op->c->env->base, smbd_lease_poll, op)) == NULL)
				fatal("oplock break timer");
			if (evtimer_add(op->ev, &tv) == -1)
				fatal("oplock break timer");
			return;
		}
		log_warnx_rl("%s: an oplock or delegation was not given back "
		    "within [smbd] oplock break timeout (%u s): the open goes "
		    "on without it", op->c->peer, op->c->env->break_timeout);
	}
	if (status == 0 && rep->outstanding > 0)
		op->wanted = SMB2_OPLOCK_LEVEL_NONE;
	smbd_lease_grant(op);
}

static void
smbd_lease_conflict_ask(struct smbd_lease_op *op)
{
	st_grant_conflict_req req;

	if (!smbd_stated_ready(op->c->env)) {
		smbd_lease_op_end(op, SMB2_OPLOCK_LEVEL_NONE);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.file.st_file_len = ST_FILE_ID_LEN;
	req.file.st_file_val = (char *)op->file;
	req.protocol = ST_PROTOCOL_SMB;
	req.client_id = op->session_id;
	req.write = op->write;
	ipc_client_call(op->c->env->stated, ST_GRANT_CONFLICT,
	    (xdrproc_t)xdr_st_grant_conflict_req, &req,
	    ST_GRANT_CONFLICT_REPLY, (xdrproc_t)xdr_st_grant_conflict_reply,
	    sizeof(st_grant_conflict_reply), smbd_lease_conflict_done, op);
}

void
smbd_lease_open(struct smbd_conn *c, const struct smbd_open *o,
    uint8_t wanted, smbd_lease_done_fn *done, void *arg)
{
	struct smbd_lease_op *op;
	const uint8_t *file;

	/* Attributes only (no data): it breaks nothing, gets nothing. */
	if (o->is_dir || o->access == 0 || (file = smbd_file_id(o)) == NULL ||
	    !smbd_stated_ready(c->env) || (op = calloc(1,
	    sizeof(*op))) == NULL) {
		done(arg, SMB2_OPLOCK_LEVEL_NONE);
		return;
	}
	op->c = c;
	smbd_conn_hold(c);
	op->session_id = o->owner_id;
	op->open_id = o->id;
	memcpy(op->file, file, ST_FILE_ID_LEN);
	op->write = (o->access & PERM_IO_WRITE) != 0;
	op->wanted = wanted;
	op->done = done;
	op->arg = arg;
	clock_gettime(CLOCK_MONOTONIC, &op->deadline);
	op->deadline.tv_sec += c->env->break_timeout;
	smbd_lease_conflict_ask(op);
}

/* The open goes (CLOSE, LOGOFF, the connection): its oplock too. */
void
smbd_lease_open_gone(struct smbd_env *env, struct smbd_open *o)
{
	if (o->oplock == SMB2_OPLOCK_LEVEL_NONE && !o->oplock_breaking)
		return;
	smbd_lease_return(env, o->owner_id, o->id, 0);
	o->oplock = SMB2_OPLOCK_LEVEL_NONE;
	o->oplock_breaking = 0;
}

/* ---- The break (3.3.4.6) and its acknowledgment (3.3.5.22.1) ---- */

static struct smbd_open *
smbd_lease_find(struct smbd_env *env, uint64_t session_id, uint64_t open_id,
    struct smbd_conn **cp)
{
	struct smbd_conn *c;
	struct smbd_open *o;

	TAILQ_FOREACH(c, &env->conns, entry)
		if ((o = smbd_open_find(c, open_id)) != NULL &&
		    o->owner_id == session_id) {
			*cp = c;
			return o;
		}
	return NULL;
}

/* stated's ST_PUSH_RECALL of one of our grants. */
int
smbd_lease_recall(struct smbd_env *env, const struct st_push *p)
{
	const struct st_push_grant *g = &p->body.st_push_body_u.grant;
	struct smbd_async a;
	struct smbd_conn *c;
	struct smbd_open *o;
	uint8_t body[SMB2_OPLOCK_BREAK_SIZE];
	uint64_t sess, oid;

	if (g->holder.protocol != ST_PROTOCOL_SMB ||
	    g->stateid.stateid_len != 16)
		return ST_NOT_FOUND;
	sess = smb2_get64((const uint8_t *)g->stateid.stateid_val);
	oid = smb2_get64((const uint8_t *)g->stateid.stateid_val + 8);
	if ((o = smbd_lease_find(env, sess, oid, &c)) == NULL ||
	    o->oplock == SMB2_OPLOCK_LEVEL_NONE) {
		/* Gone meanwhile (or before a restart): nothing to wait for. */
		smbd_lease_return(env, sess, oid, 0);
		return ST_NOT_FOUND;
	}
	if (o->oplock_breaking)
		return ST_OK;		/* a repeat */
	o->oplock_breaking = 1;
	env->oplock_breaks++;
	smb2_oplock_break_encode(body, SMB2_OPLOCK_LEVEL_NONE, o->id, o->id);
	memset(&a, 0, sizeof(a));
	a.message_id = UINT64_MAX;
	a.command = SMB2_OPLOCK_BREAK;
	smbd_reply_async(c, &a, STATUS_SUCCESS, body, sizeof(body));
	return ST_OK;
}

/* MS-SMB2 3.3.5.22: OPLOCK_BREAK, an acknowledgment. */
void
smbd_oplock_break(struct smbd_req *r)
{
	struct smbd_session *s;
	struct smbd_open *o;
	struct smb2_break_ack ack;
	uint8_t out[SMB2_OPLOCK_BREAK_SIZE];
	uint32_t st;

	if (smb2_break_ack_decode(r->msg, r->len, &ack) == -1) {
		smbd_bad(r, "OPLOCK_BREAK");
		return;
	}
	if (ack.lease) {
		/* No lease is ever granted: none to acknowledge. */
		smbd_reply_error(r, STATUS_INVALID_OPLOCK_PROTOCOL);
		return;
	}
	if ((s = smbd_req_session(r)) == NULL ||
	    smbd_req_tree(r, s) == NULL ||
	    (o = smbd_req_open(r, s, ack.file_id)) == NULL)
		return;
	if (!o->oplock_breaking) {
		smbd_reply_error(r, STATUS_INVALID_OPLOCK_PROTOCOL);
		return;
	}
	if ((st = smb2_oplock_ack_check(SMB2_OPLOCK_LEVEL_NONE,
	    ack.oplock)) != 0) {
		smbd_reply_error(r, st);
		return;
	}
	o->oplock_breaking = 0;
	o->oplock = SMB2_OPLOCK_LEVEL_NONE;
	smbd_lease_return(r->conn->env, o->owner_id, o->id, 0);
	smbd_durable_oplock_lost(r->conn, o);
	smb2_oplock_break_encode(out, SMB2_OPLOCK_LEVEL_NONE, o->id, o->id);
	smbd_reply(r, STATUS_SUCCESS, out, sizeof(out));
}
