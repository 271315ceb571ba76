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
 *   IOCTL FSCTL_LMR_REQUEST_RESILIENCY (3.3.5.15.9)
 *              an open that is its own owner is recorded the same way,
 *              resilient: kept whatever its oplock, for the resiliency's
 *              Timeout, reconnected by DHnC.  The sequence buckets of
 *              its LOCKs (3.3.5.14, lock.c) go into the record too.
 *
 * The wire part (the contexts and the state blob) is smb2_durable.c,
 * tested alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "blockd_client.h"
#include "ipc_call.h"
#include "log.h"
#include "smbd.h"
#include "smb2_lease.h"
#include "stated_durable.h"
#include "stated_lock.h"
#include "stated_push.h"
#include "stated_util.h"
#include "status.h"

/* The state blob's sizes are blockd's. */
_Static_assert(SMB2_DURABLE_FH_MAX == BD_FH_MAX, "SMB2_DURABLE_FH_MAX");
_Static_assert(SMB2_DURABLE_NAME_MAX == BD_NAME_MAX, "SMB2_DURABLE_NAME_MAX");

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
smbd_durable_tell(struct smbd_env *env, uint32_t type, uint64_t id,
    const char *what)
{
	st_durable_id_req req;

	if (!smbd_stated_ready(env))
		return;
	memset(&req, 0, sizeof(req));
	req.id = id;
	smbd_stated_tell(env, type, (xdrproc_t)xdr_st_durable_id_req, &req,
	    what);
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
		/* 3.3.5.9.13: an AppInstanceId may close it while it waits. */
		smbd_app_disconnected(c, o);
		c->env->durable_disconnects++;
	} else
		smbd_durable_tell(c->env, ST_DURABLE_CLOSE, o->owner_id,
		    "DURABLE_CLOSE");
	o->durable = 0;
}

struct smbd_resilient_call {
	struct smbd_conn	*c;	/* held by the durable call */
	uint64_t		 file_id;
	int			 durable;	/* as it was before */
	uint32_t		 timeout_ms;
	smbd_durable_done_fn	*done;
	void			*arg;
};

struct smbd_durable_call {
	struct smbd_conn	*c;	/* held */
	smbd_durable_done_fn	*done;
	smbd_durable_reconnect_fn *reconnected;
	void			*arg;
};

/* A call to stated on behalf of the connection, which it holds. */
static struct smbd_durable_call *
smbd_durable_call_new(struct smbd_conn *c, void *arg)
{
	struct smbd_durable_call *dc;

	if ((dc = calloc(1, sizeof(*dc))) == NULL)
		return NULL;
	dc->c = c;
	smbd_conn_hold(c);
	dc->arg = arg;
	return dc;
}

static void
smbd_durable_call_free(struct smbd_durable_call *dc)
{
	smbd_conn_release(dc->c);
	free(dc);
}

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
	smbd_durable_call_free(dc);
}

/* 3.3.5.9.6, 3.3.5.9.10: stated records the open; done(arg, granted). */
void
smbd_durable_register(struct smbd_conn *c, struct smbd_session *s,
    const struct smbd_open *o, const struct smb2_durable_req *q,
    uint32_t share_access, smbd_durable_done_fn *done, void *arg)
{
	struct smb2_durable_state st;
	struct smbd_durable_call *dc;
	st_durable_open req;
	uint8_t blob[ST_DURABLE_STATE_MAX];
	size_t blen;

	memset(&st, 0, sizeof(st));
	st.share_id = c->env->shares[o->share].share_id;
	st.is_dir = o->is_dir;
	st.access = o->access;
	st.options = o->options;
	st.delete_pending = o->delete_pending;
	st.delete_disposed = o->delete_disposed;
	st.desired = o->desired;
	st.share_access = share_access;
	st.oplock = o->oplock;
	memcpy(st.fh, o->fh, o->fhlen);
	st.fhlen = o->fhlen;
	memcpy(st.dir_fh, o->dir_fh, o->dir_fhlen);
	st.dir_fhlen = o->dir_fhlen;
	snprintf(st.name, sizeof(st.name), "%s", o->name);
	if (o->lease != NULL) {
		st.lease_version = (uint32_t)o->lease->l.version;
		memcpy(st.lease_key, o->lease->l.key, sizeof(st.lease_key));
		st.lease_state = o->lease->l.state;
		st.lease_epoch = o->lease->l.epoch;
		st.has_client_guid = 1;
		memcpy(st.client_guid, o->lease->client_guid,
		    sizeof(st.client_guid));
	}
	st.resilient = o->resilient;
	st.lock_sequence = o->lock_sequence;
	st.alloc = o->alloc;
	st.position = o->position;
	/* Whose delete on close smbd carries out if stated releases it. */
	if (o->delete_pending) {
		st.has_cred = 1;
		st.uid = o->uid;
		st.gid = o->gid;
		st.ngroups = o->ngroups < SMB2_DURABLE_GROUPS_MAX ?
		    o->ngroups : SMB2_DURABLE_GROUPS_MAX;
		memcpy(st.groups, o->groups, st.ngroups * sizeof(st.groups[0]));
	}
	if (!smbd_stated_ready(c->env) || smbd_durable_id(o->owner_id) == 0 ||
	    smbd_file_id(o) == NULL ||
	    (blen = smb2_durable_state_encode(&st, blob, sizeof(blob))) == 0 ||
	    (dc = smbd_durable_call_new(c, arg)) == NULL) {
		done(arg, 0);
		return;
	}
	dc->done = done;
	memset(&req, 0, sizeof(req));
	req.id = o->owner_id;
	req.dh_version = (u_int)q->version;
	memcpy(req.create_guid, q->guid, sizeof(req.create_guid));
	req.file.st_file_len = ST_FILE_ID_LEN;
	req.file.st_file_val = (char *)(uintptr_t)smbd_file_id(o);
	req.user = s->user;
	/* A resilient open's timeout was checked by its IOCTL. */
	req.timeout_ms = o->resilient ? q->timeout_ms :
	    smb2_durable_timeout(q, c->env->durable_timeout_ms);
	req.resilient = o->resilient != 0;
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
	/* After the record on the same channel: it is to be deleted. */
	if (o->delete_pending) {
		st_durable_doom_req dr;

		memset(&dr, 0, sizeof(dr));
		dr.id = o->owner_id;
		dr.doomed = 1;
		smbd_stated_tell(c->env, ST_DURABLE_DOOM,
		    (xdrproc_t)xdr_st_durable_doom_req, &dr, "DURABLE_DOOM");
	}
}

/*
 * Delete on close of durable handles stated released unclaimed (its
 * timeout, a recall while disconnected): ST_PUSH_DURABLE_DOOMED
 * (common/stated_push.x).  smbd removes the file as the open's user
 * (the record's layout 5), once LOOKUP shows its name still names the
 * open's file, and acknowledges the push when blockd answered.  A CREATE
 * whose sharing violation stated's release ended waits for it and runs
 * again (file.c): the file it opened is gone.  Kept a while once done.
 */
#define SMBD_DOOM_KEEP_SEC	30

struct smbd_durable_doom {
	LIST_ENTRY(smbd_durable_doom) entry;
	struct smbd_env		*env;
	uint64_t		 push_id;
	uint64_t		 id;
	uint8_t			 file[ST_FILE_ID_LEN];
	int			 done;
	struct timespec		 at;		/* done, monotonic */
	struct smb2_durable_state st;
};

static void
smbd_durable_doom_finish(struct smbd_durable_doom *dm, int status)
{
	struct smbd_env *env = dm->env;
	struct ipc_channel *ch;

	if (status != 0 && status != -ENOENT)
		log_warnx("durable handle %016llx: delete on close of %s: %s",
		    (unsigned long long)dm->id, dm->st.name, strerror(-status));
	else if (status == 0) {
		env->durable_dooms++;
		log_info("durable handle %016llx: released unclaimed, %s "
		    "deleted on close", (unsigned long long)dm->id,
		    dm->st.name);
	}
	if ((ch = ipc_client_channel(env->stated)) != NULL &&
	    st_push_ack_send(ch, dm->push_id, ST_OK) == -1)
		log_warn("stated: ST_PUSH_ACK");
	dm->done = 1;
	if (clock_gettime(CLOCK_MONOTONIC, &dm->at) == -1)
		fatal("clock_gettime");
	smbd_create_doom_done(env, dm->file);
}

static void
smbd_durable_doom_removed(void *arg, int status, void *reply, int fd)
{
	bd_wcc_reply *rep = reply;

	(void)fd;
	smbd_durable_doom_finish(arg, status != 0 ? status : rep->status);
}

/* The open's name in its parent, as the open's user. */
static void
smbd_durable_doom_dirop(struct smbd_durable_doom *dm, bd_dirop_req *req)
{
	memset(req, 0, sizeof(*req));
	req->cred.uid = dm->st.uid;
	req->cred.gid = dm->st.gid;
	req->cred.groups.groups_len = dm->st.ngroups;
	req->cred.groups.groups_val = dm->st.groups;
	req->dir.bd_fh_len = dm->st.dir_fhlen;
	req->dir.bd_fh_val = (char *)dm->st.dir_fh;
	req->name.bd_name_len = (u_int)strlen(dm->st.name);
	req->name.bd_name_val = dm->st.name;
}

static void
smbd_durable_doom_looked(void *arg, int status, void *reply, int fd)
{
	struct smbd_durable_doom *dm = arg;
	bd_entry_reply *rep = reply;
	bd_dirop_req req;

	(void)fd;
	if (status == 0)
		status = rep->status;
	if (status != 0) {
		smbd_durable_doom_finish(dm, status);
		return;
	}
	/* Renamed away, or another file by that name now: left alone. */
	if (rep->fh.bd_fh_len != dm->st.fhlen ||
	    memcmp(rep->fh.bd_fh_val, dm->st.fh, dm->st.fhlen) != 0) {
		log_warnx("durable handle %016llx: %s names another file "
		    "now: not deleted", (unsigned long long)dm->id,
		    dm->st.name);
		smbd_durable_doom_finish(dm, -ENOENT);
		return;
	}
	smbd_durable_doom_dirop(dm, &req);
	bdc_call(dm->env->bdc, BD_REMOVE, (xdrproc_t)xdr_bd_dirop_req, &req,
	    (xdrproc_t)xdr_bd_wcc_reply, sizeof(bd_wcc_reply),
	    smbd_durable_doom_removed, dm);
}

/* Done ones kept past SMBD_DOOM_KEEP_SEC go. */
static void
smbd_durable_doom_expire(struct smbd_env *env)
{
	struct smbd_durable_doom *dm, *next;
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		fatal("clock_gettime");
	for (dm = LIST_FIRST(&env->dooms); dm != NULL; dm = next) {
		next = LIST_NEXT(dm, entry);
		if (dm->done && now.tv_sec - dm->at.tv_sec > SMBD_DOOM_KEEP_SEC) {
			LIST_REMOVE(dm, entry);
			free(dm);
		}
	}
}

/* 0: no delete on close of the file lately; 1: under way; 2: done. */
int
smbd_durable_doomed_file(struct smbd_env *env, const uint8_t *file)
{
	struct smbd_durable_doom *dm;

	smbd_durable_doom_expire(env);
	LIST_FOREACH(dm, &env->dooms, entry)
		if (memcmp(dm->file, file, ST_FILE_ID_LEN) == 0)
			return dm->done ? 2 : 1;
	return 0;
}

/* The push; its ACK goes once blockd answered.  1: taken, else 0. */
int
smbd_durable_doomed(struct smbd_env *env, const struct st_push *p)
{
	const st_push_durable_doomed *d = &p->body.st_push_body_u.durable_doomed;
	struct smbd_durable_doom *dm;
	bd_dirop_req req;

	smbd_durable_doom_expire(env);
	if ((dm = calloc(1, sizeof(*dm))) == NULL)
		return 0;
	if (d->file.st_file_len != ST_FILE_ID_LEN ||
	    smb2_durable_state_decode((const uint8_t *)d->state.state_val,
	    d->state.state_len, &dm->st) == -1 || !dm->st.has_cred ||
	    dm->st.is_dir || dm->st.name[0] == '\0') {
		log_warnx("stated: delete on close of durable handle %016llx "
		    "(%s): its record is not one this smbd can carry out",
		    (unsigned long long)d->id, d->path);
		free(dm);
		return 0;
	}
	dm->env = env;
	dm->push_id = p->push_id;
	dm->id = d->id;
	memcpy(dm->file, d->file.st_file_val, ST_FILE_ID_LEN);
	LIST_INSERT_HEAD(&env->dooms, dm, entry);
	smbd_durable_doom_dirop(dm, &req);
	bdc_call(env->bdc, BD_LOOKUP, (xdrproc_t)xdr_bd_dirop_req, &req,
	    (xdrproc_t)xdr_bd_entry_reply, sizeof(bd_entry_reply),
	    smbd_durable_doom_looked, dm);
	return 1;
}

static void
smbd_durable_reconnect_done(void *arg, int status, void *reply)
{
	struct smbd_durable_call *dc = arg;
	st_durable_reconnect_reply *rep = reply;
	struct smb2_durable_state st;
	uint32_t answer;

	if (status != 0) {
		log_warnx_rl("%s: durable reconnect: stated %s", dc->c->peer,
		    status == -ENOTCONN ? "is not connected" : "refused it");
		answer = STATUS_OBJECT_NAME_NOT_FOUND;
	} else if (rep->status == ST_DENIED)
		answer = STATUS_ACCESS_DENIED;
	else if (rep->status != ST_OK || rep->open.open_len != 1 ||
	    smb2_durable_state_decode((const uint8_t *)
	    rep->open.open_val[0].state.state_val,
	    rep->open.open_val[0].state.state_len, &st) == -1)
		answer = STATUS_OBJECT_NAME_NOT_FOUND;
	else {
		dc->reconnected(dc->arg, STATUS_SUCCESS, &rep->open.open_val[0],
		    &st, rep->locks.locks_val, rep->locks.locks_len);
		smbd_durable_call_free(dc);
		return;
	}
	dc->reconnected(dc->arg, answer, NULL, NULL, NULL, 0);
	smbd_durable_call_free(dc);
}

/* 3.3.5.9.7, 3.3.5.9.12: the open stated kept, for this session's user. */
void
smbd_durable_reconnect(struct smbd_conn *c, struct smbd_session *s,
    const struct smb2_durable_req *q, smbd_durable_reconnect_fn *done,
    void *arg)
{
	struct smbd_durable_call *dc;
	st_durable_reconnect_req req;

	if (!smbd_durable_id(q->persistent) || !smbd_stated_ready(c->env) ||
	    (dc = smbd_durable_call_new(c, arg)) == NULL) {
		done(arg, STATUS_OBJECT_NAME_NOT_FOUND, NULL, NULL, NULL, 0);
		return;
	}
	dc->reconnected = done;
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

static void
smbd_durable_announce_done(void *arg, int granted)
{
	(void)arg;
	(void)granted;
}

/* A durable open of smbd's sent to stated again, as it stands: 1, or 0. */
static int
smbd_durable_announce_open(struct smbd_conn *c, struct smbd_open *o)
{
	struct smb2_durable_req q;
	struct smbd_session *s;

	if (!o->durable || (s = smbd_session_find(c, o->session_id)) == NULL)
		return 0;
	memset(&q, 0, sizeof(q));
	q.version = o->durable;
	q.timeout_ms = o->durable_timeout_ms;
	memcpy(q.guid, o->create_guid, sizeof(q.guid));
	smbd_durable_register(c, s, o, &q, o->share_access,
	    smbd_durable_announce_done, NULL);
	return 1;
}

/*
 * stated's channel came back (stated counts its loss as the disconnect
 * of every open): the durable opens smbd still has are its again.
 */
void
smbd_durable_announce(struct smbd_env *env)
{
	struct smbd_conn *c;
	struct smbd_open *o;
	size_t n = 0;

	TAILQ_FOREACH(c, &env->conns, entry) {
		if (c->closing)
			continue;
		TAILQ_FOREACH(o, &c->opens, entry)
			n += (size_t)smbd_durable_announce_open(c, o);
	}
	if (n > 0)
		log_info("stated: %zu durable handle(s) announced again", n);
}

/*
 * The batch oplock that made the open durable was broken and
 * acknowledged (3.3.5.22.1): it is durable no more.  stated is told (the
 * record without its oplock goes with the connection, a killed smbd's
 * too), and a lost connection closes it.
 */
void
smbd_durable_oplock_lost(struct smbd_conn *c, struct smbd_open *o)
{
	(void)smbd_durable_announce_open(c, o);
	/* A resilient open is kept without its oplock (stated too). */
	if (!o->resilient)
		o->durable = 0;
}

/*
 * 3.3.5.14: a LOCK of a durable or resilient open changed its lock
 * sequence buckets: stated's record holds them, so that a replay after
 * a reconnect, or after smbd restarted, is still seen as one.
 */
void
smbd_durable_update(struct smbd_conn *c, struct smbd_open *o)
{
	(void)smbd_durable_announce_open(c, o);
}

static void
smbd_durable_resilient_done(void *arg, int granted)
{
	struct smbd_resilient_call *rc = arg;
	struct smbd_open *o;

	/* Not recorded (stated away, its limit): the open is as it was. */
	if (!granted && (o = smbd_open_find(rc->c, rc->file_id)) != NULL) {
		o->resilient = 0;
		o->durable = rc->durable;
		o->durable_timeout_ms = rc->timeout_ms;
	}
	rc->done(rc->arg, granted);
	free(rc);
}

/*
 * MS-SMB2 3.3.5.15.9: FSCTL_LMR_REQUEST_RESILIENCY.  An open that is its
 * own owner in stated (its CREATE asked to be durable) is kept there as
 * a durable one is, with the resiliency's timeout, and is reconnected by
 * a DHnC.  Another's share mode and locks are its session's in stated,
 * so it goes with its connection: it is resilient for LOCK's replays
 * alone (3.3.5.14).  done(arg, granted).
 */
void
smbd_durable_resilient(struct smbd_conn *c, struct smbd_session *s,
    struct smbd_open *o, uint32_t timeout_ms, smbd_durable_done_fn *done,
    void *arg)
{
	struct smb2_durable_req q;
	struct smbd_resilient_call *rc;

	if (o->is_dir) {
		done(arg, 0);
		return;
	}
	if (!smbd_durable_id(o->owner_id)) {
		log_debug("%s: %s resilient for LOCK replays, not kept past "
		    "its connection (no durable request at its CREATE)",
		    c->peer, o->path != NULL ? o->path : o->name);
		o->resilient = 1;
		done(arg, 1);
		return;
	}
	if ((rc = calloc(1, sizeof(*rc))) == NULL) {
		done(arg, 0);
		return;
	}
	rc->c = c;
	rc->file_id = o->id;
	rc->durable = o->durable;
	rc->timeout_ms = o->durable_timeout_ms;
	rc->done = done;
	rc->arg = arg;
	o->resilient = 1;
	o->durable = 1;
	o->durable_timeout_ms = timeout_ms;
	memset(&q, 0, sizeof(q));
	q.version = 1;
	q.timeout_ms = timeout_ms;
	memcpy(q.guid, o->create_guid, sizeof(q.guid));
	smbd_durable_register(c, s, o, &q, o->share_access,
	    smbd_durable_resilient_done, rc);
}

struct smbd_resiliency {
	struct smbd_req	*r;
	uint8_t		 file_id[16];
};

static void
smbd_durable_resiliency_done(void *arg, int granted)
{
	struct smbd_resiliency *w = arg;
	struct smbd_req *r = w->r;
	uint8_t out[48];

	if (!granted) {
		free(w);
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	/* MS-SMB2 2.2.32: no input, no output. */
	smbd_ioctl_header(out, SMB2_FSCTL_LMR_REQUEST_RESILIENCY, w->file_id,
	    0);
	free(w);
	smbd_reply(r, STATUS_SUCCESS, out, sizeof(out));
}

/*
 * MS-SMB2 3.3.5.15.9: an IOCTL FSCTL_LMR_REQUEST_RESILIENCY of the open
 * its FileId names; MaxResiliencyTimeout is [smbd] durable handle
 * timeout (0: not served).
 */
void
smbd_durable_ioctl_resiliency(struct smbd_req *r, struct smbd_session *s,
    const uint8_t *in, uint32_t len)
{
	struct smbd_conn *c = r->conn;
	const uint8_t *fid = r->msg + SMB2_HDR_SIZE + 8;
	struct smbd_resiliency *w;
	struct smbd_open *o;
	uint32_t st, timeout_ms;

	if (c->neg.dialect == SMB2_DIALECT_202) {
		smbd_reply_error(r, STATUS_INVALID_DEVICE_REQUEST);
		return;
	}
	if (c->env->durable_timeout_ms == 0) {
		smbd_reply_error(r, STATUS_NOT_SUPPORTED);
		return;
	}
	if ((o = smbd_req_open(r, s, fid)) == NULL)
		return;
	if ((st = smb2_resiliency_parse(in, len, c->env->durable_timeout_ms,
	    &timeout_ms)) != STATUS_SUCCESS) {
		log_warnx_rl("%s: FSCTL_LMR_REQUEST_RESILIENCY: short, or a "
		    "Timeout above %u ms", c->peer, c->env->durable_timeout_ms);
		smbd_reply_error(r, st);
		return;
	}
	if (o->is_dir || o->pipe != NULL) {
		smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	w->r = r;
	memcpy(w->file_id, fid, sizeof(w->file_id));
	smbd_durable_resilient(c, s, o, timeout_ms,
	    smbd_durable_resiliency_done, w);
}
