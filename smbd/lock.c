/*
 * smbd's byte-range locks and share modes, in stated's one table
 * (DESIGN.md section 5), so that they conflict with NLM's and NFSv4's
 * both ways.  The owner of both is the open: protocol SMB, client id
 * the session's id, owner bytes its FileId, host "smbd" (so that the
 * first connect after smbd's start frees what an earlier smbd left).
 *
 *   LOCK      MS-SMB2 3.3.5.14: the elements in order, one ST_LOCK or
 *             ST_UNLOCK each; a failed lock undoes the ones before it.
 *             A lone lock without FAIL_IMMEDIATELY that stated queues
 *             is answered STATUS_PENDING with an AsyncId (3.3.4.2) and
 *             finished when stated pushes ST_PUSH_GRANTED, or by CANCEL
 *             (ST_CANCEL, STATUS_CANCELLED), or when its open goes.
 *   CREATE    the sharing check (MS-FSA 2.1.5.1.2): ST_SHARE with the
 *             open's access and what it does not share; CLOSE takes it
 *             back (ST_UNSHARE).
 *   READ,     against the SMB locks of the file, kept here per file
 *   WRITE     (smb2_lock.h): no round trip.  NLM and NFSv4 locks are
 *             advisory, as NFS I/O treats them.
 *
 * Zero-length locks stay here: stated's length 0 means "to the end".
 * A LOGOFF or a lost connection frees the session's locks and shares
 * with one ST_RELEASE_CLIENT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "hash.h"
#include "ipc_call.h"
#include "log.h"
#include "smbd.h"
#include "stated_durable.h"
#include "stated_lock.h"
#include "stated_push.h"
#include "stated_util.h"
#include "status.h"

#define SMBD_STATED_HOST	"smbd"
#define SMBD_FILE_ID_LEN	ST_FILE_ID_LEN

struct smbd_file {
	uint8_t			 id[SMBD_FILE_ID_LEN];
	unsigned int		 refs;
	struct smb2_brl_list	 locks;
	size_t			 nlocks;
	unsigned int		 grants;	/* opens with an oplock or lease */
	LIST_ENTRY(smbd_file)	 entry;
};

/* A LOCK being answered, then maybe waiting in stated's queue. */
struct smbd_lockop {
	struct smbd_env			*env;
	struct smbd_conn		*c;	/* held */
	struct smbd_req			*r;	/* until answered */
	struct smbd_async		 a;
	uint64_t			 session_id;
	uint64_t			 owner_id;	/* in stated */
	uint64_t			 file_id;
	uint8_t				 file[SMBD_FILE_ID_LEN];
	struct smb2_lock_element	*el;
	uint16_t			 count;
	uint16_t			 at;	/* next element */
	uint32_t			 after;	/* when all ran */
	int				 unlock;
	int				 blocking;
	uint64_t			 cookie;
	uint32_t			 status;	/* the answer */
	int				 calling;	/* stated has it */
	int				 waiting;	/* PENDING sent */
	int				 cancel;	/* CANCEL came */
	int				 finished;
	int				 final_pending;
	/* 3.3.5.14: its LockSequence, recorded once it succeeds */
	int				 sequenced;
	uint32_t			 sequence;
	struct event			*ev_final;
	TAILQ_ENTRY(smbd_lockop)	 entry;
};

static void	smbd_lockop_step(struct smbd_lockop *);
static void	smbd_lockop_fail(struct smbd_lockop *, uint32_t);

/* The server's identity of a file (common/stated_common.x). */
static void
smbd_file_id_of(uint8_t f[SMBD_FILE_ID_LEN], const bd_attr *a)
{
	st_file_id(f, a->share, a->ino, a->generation);
}

void
smbd_lock_init(struct smbd_env *env)
{
	size_t i;

	for (i = 0; i < SMBD_FILE_BUCKETS; i++)
		LIST_INIT(&env->files[i]);
	TAILQ_INIT(&env->lockops);
	/* Cookies and AsyncIds never repeat an earlier smbd's. */
	if (RAND_bytes((uint8_t *)&env->next_lock_cookie,
	    sizeof(env->next_lock_cookie)) != 1 ||
	    RAND_bytes((uint8_t *)&env->next_async_id,
	    sizeof(env->next_async_id)) != 1)
		fatalx("RAND_bytes");
	env->next_lock_cookie &= 0x00ffffffffffffffull;
	env->next_async_id &= 0x00ffffffffffffffull;
}

int
smbd_file_attach(struct smbd_env *env, struct smbd_open *o,
    const bd_attr *attr)
{
	uint8_t id[SMBD_FILE_ID_LEN];
	struct smbd_file_bucket *b;
	struct smbd_file *f;

	smbd_file_id_of(id, attr);
	b = &env->files[hash_fnv1a32(id, sizeof(id)) % SMBD_FILE_BUCKETS];
	LIST_FOREACH(f, b, entry)
		if (memcmp(f->id, id, sizeof(id)) == 0)
			break;
	if (f == NULL) {
		if ((f = calloc(1, sizeof(*f))) == NULL)
			return -1;
		memcpy(f->id, id, sizeof(id));
		TAILQ_INIT(&f->locks);
		LIST_INSERT_HEAD(b, f, entry);
	}
	f->refs++;
	o->file = f;
	return 0;
}

int
smbd_file_same(const struct smbd_open *o, const bd_attr *attr)
{
	uint8_t id[SMBD_FILE_ID_LEN];

	smbd_file_id_of(id, attr);
	return o->file != NULL && memcmp(o->file->id, id, sizeof(id)) == 0;
}

void
smbd_file_grant_held(struct smbd_open *o, int held)
{
	held = held != 0;
	if (o->file == NULL || o->grant_held == held)
		return;
	o->grant_held = held;
	if (held)
		o->file->grants++;
	else
		o->file->grants--;
}

unsigned int
smbd_file_grants(const struct smbd_open *o)
{
	return o->file != NULL ? o->file->grants : 0;
}

static void
smbd_file_put(struct smbd_file *f)
{
	struct smb2_brl *l;

	if (--f->refs > 0)
		return;
	while ((l = TAILQ_FIRST(&f->locks)) != NULL) {
		TAILQ_REMOVE(&f->locks, l, entry);
		free(l);
	}
	LIST_REMOVE(f, entry);
	free(f);
}

/* stated's channel. */
int
smbd_stated_ready(const struct smbd_env *env)
{
	return env->stated != NULL && ipc_client_ready(env->stated);
}

/*
 * The owner of an open's locks and share mode: its session's id, or the
 * open's own when it asked to be durable (durable.c), under a host name
 * of its own so that RELEASE_HOST "smbd" leaves it.
 */
static void
smbd_owner(st_owner *w, uint8_t buf[8], uint64_t owner_id,
    uint64_t file_id)
{
	memset(w, 0, sizeof(*w));
	smb2_put64(buf, file_id);
	w->protocol = ST_PROTOCOL_SMB;
	w->client_id = owner_id;
	w->host = smbd_durable_id(owner_id) ? (char *)ST_DURABLE_HOST :
	    (char *)SMBD_STATED_HOST;
	w->bytes.bytes_len = 8;
	w->bytes.bytes_val = (char *)buf;
}

static void
smbd_stated_quiet_done(void *arg, int status, void *reply)
{
	const char *what = arg;
	st_reply *rep = reply;

	if (status != 0)
		log_warnx_rl("stated: %s: %s", what, status == -ENOTCONN ?
		    "not connected" : "refused");
	else if (rep->status != ST_OK && rep->status != ST_NOT_FOUND)
		log_warnx_rl("stated: %s: status %d", what, (int)rep->status);
}

/* A request whose answer changes nothing here: logged if it fails. */
void
smbd_stated_tell(struct smbd_env *env, uint32_t type, xdrproc_t proc,
    const void *req, const char *what)
{
	ipc_client_call(env->stated, type, proc, req, ST_REPLY,
	    (xdrproc_t)xdr_st_reply, sizeof(st_reply), smbd_stated_quiet_done,
	    (void *)(uintptr_t)what);
}

static void
smbd_stated_unlock(struct smbd_env *env, const uint8_t *file,
    uint64_t session_id, uint64_t file_id, uint64_t offset, uint64_t length)
{
	st_range_req req;
	uint8_t ob[8];

	memset(&req, 0, sizeof(req));
	req.file.st_file_len = SMBD_FILE_ID_LEN;
	req.file.st_file_val = (char *)(uintptr_t)file;
	smbd_owner(&req.owner, ob, session_id, file_id);
	req.offset = offset;
	req.length = length;
	smbd_stated_tell(env, ST_UNLOCK, (xdrproc_t)xdr_st_range_req, &req,
	    "UNLOCK");
}

static void
smbd_stated_cancel(struct smbd_env *env, const struct smbd_lockop *op,
    ipc_client_done_fn *done, void *arg)
{
	st_range_req req;
	uint8_t ob[8];

	memset(&req, 0, sizeof(req));
	req.file.st_file_len = SMBD_FILE_ID_LEN;
	req.file.st_file_val = (char *)(uintptr_t)op->file;
	smbd_owner(&req.owner, ob, op->owner_id, op->file_id);
	req.offset = op->el[0].offset;
	req.length = op->el[0].length;
	req.exclusive = (op->el[0].flags & SMB2_LOCKFLAG_EXCLUSIVE) != 0;
	ipc_client_call(env->stated, ST_CANCEL, (xdrproc_t)xdr_st_range_req,
	    &req, ST_REPLY, (xdrproc_t)xdr_st_reply, sizeof(st_reply), done,
	    arg);
}

/* The open an operation is for, if it is still there. */
static struct smbd_open *
smbd_lockop_open(struct smbd_lockop *op)
{
	struct smbd_open *o;

	if (op->c->closing ||
	    (o = smbd_open_find(op->c, op->file_id)) == NULL ||
	    o->session_id != op->session_id || o->file == NULL ||
	    memcmp(o->file->id, op->file, SMBD_FILE_ID_LEN) != 0)
		return NULL;
	return o;
}

static int
smbd_brl_add(struct smbd_open *o, const struct smb2_lock_element *e,
    uint64_t cookie)
{
	struct smb2_brl *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return -1;
	l->offset = e->offset;
	l->length = e->length;
	l->exclusive = (e->flags & SMB2_LOCKFLAG_EXCLUSIVE) != 0;
	l->session_id = o->session_id;
	l->file_id = o->id;
	l->cookie = cookie;
	TAILQ_INSERT_TAIL(&o->file->locks, l, entry);
	o->file->nlocks++;
	o->nlocks++;
	return 0;
}

static void
smbd_brl_remove(struct smbd_open *o, struct smb2_brl *l)
{
	TAILQ_REMOVE(&o->file->locks, l, entry);
	o->file->nlocks--;
	o->nlocks--;
	free(l);
}

/* The operation ends; freed once stated has nothing of it. */
static void
smbd_lockop_free(struct smbd_lockop *op)
{
	op->finished = 1;
	if (op->calling || op->final_pending)
		return;
	if (op->waiting)
		op->c->pending_locks--;
	TAILQ_REMOVE(&op->env->lockops, op, entry);
	if (op->ev_final != NULL)
		event_free(op->ev_final);
	free(op->el);
	smbd_conn_release(op->c);
	free(op);
}

/* The final async response, from the loop (no re-entry: 3.3.4.2). */
static void
smbd_lockop_final_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smbd_lockop *op = arg;
	uint8_t ok[4] = { 4, 0, 0, 0 };
	uint8_t err[9];

	op->final_pending = 0;
	if (!op->c->closing) {
		if (op->status == STATUS_SUCCESS)
			smbd_reply_async(op->c, &op->a, op->status, ok,
			    sizeof(ok));
		else {
			memset(err, 0, sizeof(err));
			err[0] = 9;
			smbd_reply_async(op->c, &op->a, op->status, err,
			    sizeof(err));
		}
	}
	smbd_lockop_free(op);
}

/*
 * MS-SMB2 3.3.5.14: the opens whose LOCKs carry a LockSequence the
 * server checks: resilient ones, and durable ones on 3.x (persistent
 * handles are not granted).
 */
static int
smbd_lock_sequenced(const struct smbd_conn *c, const struct smbd_open *o)
{
	return o->resilient ||
	    (o->durable && c->neg.dialect >= SMB2_DIALECT_300);
}

/*
 * A sequenced LOCK answered: a success is recorded in its bucket; either
 * way a durable or resilient open's buckets go to stated's record.
 */
static void
smbd_lock_sequence_done(struct smbd_lockop *op, uint32_t status)
{
	struct smbd_open *o;

	if ((o = smbd_lockop_open(op)) == NULL)
		return;
	if (status == STATUS_SUCCESS)
		smb2_lock_sequence_record(&o->lock_sequence, op->sequence);
	if (o->durable)
		smbd_durable_update(op->c, o);
}

/* Answer: at once while the request waits, later once PENDING went. */
static void
smbd_lockop_answer(struct smbd_lockop *op, uint32_t status)
{
	struct smbd_req *r = op->r;
	uint8_t ok[4] = { 4, 0, 0, 0 };

	if (status == STATUS_SUCCESS)
		op->env->locks_granted++;
	else if (status == STATUS_LOCK_NOT_GRANTED)
		op->env->locks_refused++;
	if (op->sequenced) {
		smbd_lock_sequence_done(op, status);
		op->sequenced = 0;
	}
	if (r != NULL) {
		op->r = NULL;
		smbd_lockop_free(op);
		if (status == STATUS_SUCCESS)
			smbd_reply(r, status, ok, sizeof(ok));
		else
			smbd_reply_error(r, status);
		return;
	}
	if (op->finished)
		return;
	op->status = status;
	op->finished = 1;
	if (op->ev_final == NULL && (op->ev_final = event_new(op->env->base,
	    -1, 0, smbd_lockop_final_cb, op)) == NULL) {
		log_warnx("LOCK: out of memory for its final response");
		smbd_lockop_free(op);
		return;
	}
	op->final_pending = 1;
	event_active(op->ev_final, EV_TIMEOUT, 1);
}

/*
 * stated's answer as SMB's status, the one table for LOCK (MS-SMB2
 * 3.3.5.14.2) and CREATE's share mode: status is the call's (0, or a
 * negative errno: stated away), rep its reply; what refuses a client
 * for a limit or stated's absence is logged.
 */
static uint32_t
smbd_status_from_stated(const char *peer, int share, int status,
    const st_reply *rep)
{
	const char *what = share ? "CREATE" : "LOCK";

	if (status != 0) {
		log_warnx_rl("%s: %s: stated %s", peer, what,
		    status == -ENOTCONN ? "is not connected" :
		    "refused the request");
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	switch (rep->status) {
	case ST_OK:
		return STATUS_SUCCESS;
	case ST_DENIED:
	case ST_DEADLOCK:
	case ST_GRACE:		/* stated's grace, or a delegation recalled */
		return share ? STATUS_SHARING_VIOLATION :
		    STATUS_LOCK_NOT_GRANTED;
	case ST_RANGE:
		return STATUS_INVALID_LOCK_RANGE;
	case ST_NOT_FOUND:
		return STATUS_RANGE_NOT_LOCKED;
	case ST_LIMIT:
	case ST_NOMEM:
		log_warnx_rl("%s: %s: [stated] locks per host reached for the "
		    "session", peer, what);
		return STATUS_INSUFFICIENT_RESOURCES;
	default:
		return STATUS_INTERNAL_ERROR;
	}
}

static uint32_t
smbd_lock_status_of(struct smbd_lockop *op, int status, const st_reply *rep)
{
	return smbd_status_from_stated(op->c->peer, 0, status, rep);
}

/* The blocked lock is answered STATUS_PENDING; the request goes on. */
static void
smbd_lockop_wait(struct smbd_lockop *op)
{
	struct smbd_req *r = op->r;

	op->r = NULL;
	op->waiting = 1;
	op->c->pending_locks++;
	op->env->locks_waited++;
	smbd_async_start(r, &op->a);
	smbd_reply_error(r, STATUS_PENDING);
}

static void
smbd_lockop_cancel_done(void *arg, int status, void *reply)
{
	struct smbd_lockop *op = arg;
	st_reply *rep = reply;

	op->calling = 0;
	if (op->finished) {
		smbd_lockop_free(op);
		return;
	}
	/* ST_NOT_FOUND: granted meanwhile, and the push says so. */
	if (status != 0 || rep->status == ST_OK)
		smbd_lockop_answer(op, STATUS_CANCELLED);
}

static void
smbd_lockop_lock_done(void *arg, int status, void *reply)
{
	struct smbd_lockop *op = arg;
	st_reply *rep = reply;
	struct smb2_lock_element *e = &op->el[op->at];
	struct smbd_open *o;
	uint32_t st;

	op->calling = 0;
	st = smbd_lock_status_of(op, status, rep);
	o = smbd_lockop_open(op);
	if (status == 0 && rep->status == ST_BLOCKED) {
		if (o == NULL || op->cancel || op->finished) {
			/* Not wanted any more. */
			op->calling = 1;
			smbd_stated_cancel(op->env, op, smbd_lockop_cancel_done,
			    op);
			if (!op->finished)
				smbd_lockop_answer(op, o == NULL ?
				    STATUS_FILE_CLOSED : STATUS_CANCELLED);
			return;
		}
		smbd_lockop_wait(op);
		return;
	}
	if (st == STATUS_SUCCESS) {
		if (o == NULL) {
			smbd_stated_unlock(op->env, op->file, op->owner_id,
			    op->file_id, e->offset, e->length);
			smbd_lockop_answer(op, STATUS_FILE_CLOSED);
			return;
		}
		if (smbd_brl_add(o, e, 0) == -1) {
			smbd_stated_unlock(op->env, op->file, op->owner_id,
			    op->file_id, e->offset, e->length);
			smbd_lockop_fail(op, STATUS_INSUFFICIENT_RESOURCES);
			return;
		}
		/*
		 * MS-FSA 2.1.5.7 (2.1.4.12): a byte-range lock breaks read
		 * caching as a write does: the other leases' R, and every
		 * level II oplock on the file, to none.
		 */
		smbd_lease_written(op->env, o);
		op->at++;
		smbd_lockop_step(op);
		return;
	}
	smbd_lockop_fail(op, st);
}

static void
smbd_lockop_unlock_done(void *arg, int status, void *reply)
{
	struct smbd_lockop *op = arg;
	st_reply *rep = reply;
	struct smb2_lock_element *e = &op->el[op->at];
	struct smbd_open *o;
	struct smb2_brl *l;
	uint32_t st;

	op->calling = 0;
	st = smbd_lock_status_of(op, status, rep);
	if ((o = smbd_lockop_open(op)) != NULL && (st == STATUS_SUCCESS ||
	    st == STATUS_RANGE_NOT_LOCKED) && (l = smb2_brl_find(
	    &o->file->locks, o->session_id, o->id, e->offset, e->length)) !=
	    NULL)
		smbd_brl_remove(o, l);
	if (op->finished) {
		smbd_lockop_free(op);
		return;
	}
	if (o == NULL) {
		smbd_lockop_answer(op, STATUS_FILE_CLOSED);
		return;
	}
	if (st != STATUS_SUCCESS) {
		smbd_lockop_answer(op, st);
		return;
	}
	op->at++;
	smbd_lockop_step(op);
}

/*
 * A lock element failed: the ones granted before it are undone, in
 * reverse (Windows does so), then the failure is the answer.
 */
static void
smbd_lockop_fail(struct smbd_lockop *op, uint32_t status)
{
	struct smbd_open *o = smbd_lockop_open(op);
	struct smb2_lock_element *e;
	struct smb2_brl *l;

	op->status = status;
	while (o != NULL && op->at > 0) {
		e = &op->el[--op->at];
		if ((l = smb2_brl_find(&o->file->locks, o->session_id, o->id,
		    e->offset, e->length)) != NULL)
			smbd_brl_remove(o, l);
		if (e->length != 0)
			smbd_stated_unlock(op->env, op->file, op->owner_id,
			    op->file_id, e->offset, e->length);
	}
	smbd_lockop_answer(op, status);
}

static void
smbd_lockop_step(struct smbd_lockop *op)
{
	struct smbd_env *env = op->env;
	struct smb2_lock_element *e;
	struct smbd_open *o;
	struct smb2_brl *l;
	st_lock_req lq;
	st_range_req rq;
	uint8_t ob[8];
	int excl;

	for (;;) {
		if (op->finished)
			return;
		if ((o = smbd_lockop_open(op)) == NULL) {
			smbd_lockop_answer(op, STATUS_FILE_CLOSED);
			return;
		}
		if (op->at == op->count) {
			smbd_lockop_answer(op, op->after != 0 ? op->after :
			    STATUS_SUCCESS);
			return;
		}
		e = &op->el[op->at];
		excl = (e->flags & SMB2_LOCKFLAG_EXCLUSIVE) != 0;
		if (e->length != 0)
			break;
		/* Zero-length: here alone. */
		if (op->unlock) {
			if ((l = smb2_brl_find(&o->file->locks, o->session_id,
			    o->id, e->offset, 0)) == NULL) {
				smbd_lockop_answer(op, STATUS_RANGE_NOT_LOCKED);
				return;
			}
			smbd_brl_remove(o, l);
		} else {
			if (smb2_brl_lock_conflict(&o->file->locks,
			    o->session_id, o->id, e->offset, 0, excl, 0)) {
				smbd_lockop_fail(op, STATUS_LOCK_NOT_GRANTED);
				return;
			}
			if (smbd_brl_add(o, e, 0) == -1) {
				smbd_lockop_fail(op,
				    STATUS_INSUFFICIENT_RESOURCES);
				return;
			}
		}
		op->at++;
	}
	if (op->unlock) {
		memset(&rq, 0, sizeof(rq));
		rq.file.st_file_len = SMBD_FILE_ID_LEN;
		rq.file.st_file_val = (char *)op->file;
		smbd_owner(&rq.owner, ob, op->owner_id, op->file_id);
		rq.offset = e->offset;
		rq.length = e->length;
		op->calling = 1;
		ipc_client_call(env->stated, ST_UNLOCK,
		    (xdrproc_t)xdr_st_range_req, &rq, ST_REPLY,
		    (xdrproc_t)xdr_st_reply, sizeof(st_reply),
		    smbd_lockop_unlock_done, op);
		return;
	}
	/* A lock over a zero-length one of another open. */
	if (smb2_brl_lock_conflict(&o->file->locks, o->session_id, o->id,
	    e->offset, e->length, excl, 1)) {
		smbd_lockop_fail(op, STATUS_LOCK_NOT_GRANTED);
		return;
	}
	memset(&lq, 0, sizeof(lq));
	lq.file.st_file_len = SMBD_FILE_ID_LEN;
	lq.file.st_file_val = (char *)op->file;
	smbd_owner(&lq.owner, ob, op->owner_id, op->file_id);
	lq.addr = op->c->peer;
	lq.offset = e->offset;
	lq.length = e->length;
	lq.exclusive = excl;
	if (op->blocking) {
		if (op->c->pending_locks >= env->pending_locks_per_conn)
			log_warnx_rl("%s: [smbd] pending locks per connection "
			    "(%zu) reached: a blocking LOCK fails at once",
			    op->c->peer, env->pending_locks_per_conn);
		else {
			lq.flags = ST_LOCK_BLOCK;
			lq.cookie = op->cookie = ++env->next_lock_cookie;
		}
	}
	op->calling = 1;
	ipc_client_call(env->stated, ST_LOCK, (xdrproc_t)xdr_st_lock_req, &lq,
	    ST_REPLY, (xdrproc_t)xdr_st_reply, sizeof(st_reply),
	    smbd_lockop_lock_done, op);
}

/* MS-SMB2 2.2.26, 3.3.5.14 */
void
smbd_lock(struct smbd_req *r)
{
	struct smbd_env *env = r->conn->env;
	struct smb2_lock_req q;
	struct smbd_session *s;
	struct smbd_open *o;
	struct smbd_lockop *op;
	uint32_t st;
	uint16_t i;

	/* The handle first: a bad one is FILE_CLOSED whatever the rest. */
	if ((o = smbd_file_args(r, 48, 8, &s)) == NULL)
		return;
	if ((st = smb2_lock_decode(r->msg, r->len, &q)) != STATUS_SUCCESS) {
		smbd_reply_error(r, st);
		return;
	}
	if (o->file == NULL) {
		smbd_reply_error(r, STATUS_INVALID_HANDLE);
		return;
	}
	/* 3.3.5.14: a replay of a LOCK that succeeded is not run again. */
	if (smbd_lock_sequenced(r->conn, o) &&
	    smb2_lock_sequence_replay(&o->lock_sequence, q.sequence)) {
		uint8_t ok[4] = { 4, 0, 0, 0 };

		log_debug("%s: LOCK sequence %#x replayed: answered as it "
		    "was", r->conn->peer, q.sequence);
		smbd_reply(r, STATUS_SUCCESS, ok, sizeof(ok));
		return;
	}
	if (!q.unlock && o->nlocks + q.count > env->locks_per_open) {
		log_warnx_rl("%s: [smbd] locks per open (%zu) reached",
		    r->conn->peer, env->locks_per_open);
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	if (!smbd_stated_ready(env)) {
		log_warnx_rl("%s: LOCK: stated is not connected",
		    r->conn->peer);
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	if ((op = calloc(1, sizeof(*op))) == NULL ||
	    (op->el = calloc(q.valid ? q.valid : 1, sizeof(*op->el))) ==
	    NULL) {
		free(op);
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	for (i = 0; i < q.valid; i++)
		smb2_lock_element_get(&q, i, &op->el[i]);
	op->env = env;
	op->c = r->conn;
	smbd_conn_hold(op->c);
	op->r = r;
	op->session_id = o->session_id;
	op->owner_id = o->owner_id;
	op->file_id = o->id;
	memcpy(op->file, o->file->id, SMBD_FILE_ID_LEN);
	op->count = q.valid;
	op->after = q.after;
	op->unlock = q.unlock;
	op->blocking = q.blocking;
	if (smbd_lock_sequenced(r->conn, o) &&
	    smb2_lock_sequence_bucket(q.sequence) != 0) {
		smb2_lock_sequence_forget(&o->lock_sequence, q.sequence);
		op->sequenced = 1;
		op->sequence = q.sequence;
	}
	TAILQ_INSERT_TAIL(&env->lockops, op, entry);
	smbd_lockop_step(op);
}

/* MS-SMB2 3.3.5.16: CANCEL of a LOCK, by AsyncId or MessageId. */
int
smbd_lock_cancel(struct smbd_req *r)
{
	struct smbd_env *env = r->conn->env;
	struct smbd_lockop *op;
	int async = (r->hdr.flags & SMB2_FLAGS_ASYNC_COMMAND) != 0;

	TAILQ_FOREACH(op, &env->lockops, entry) {
		if (op->c != r->conn || op->finished)
			continue;
		if (async ? op->waiting && op->a.async_id == r->hdr.async_id :
		    (op->waiting ? op->a.message_id : op->r != NULL ?
		    op->r->hdr.message_id : UINT64_MAX) == r->hdr.message_id)
			break;
	}
	if (op == NULL)
		return 0;
	if (!op->waiting || op->calling) {
		op->cancel = 1;		/* seen when stated answers */
		return 1;
	}
	op->cancel = 1;
	op->calling = 1;
	smbd_stated_cancel(env, op, smbd_lockop_cancel_done, op);
	return 1;
}

/* A pending LOCK whose open, session or connection goes. */
static void
smbd_lockop_abandon(struct smbd_lockop *op, uint32_t status)
{
	if (op->finished || op->r != NULL || !op->waiting)
		return;		/* a request in progress sees it itself */
	if (!op->calling) {
		op->calling = 1;
		smbd_stated_cancel(op->env, op, smbd_lockop_cancel_done, op);
	}
	smbd_lockop_answer(op, status);
}

void
smbd_lock_open_gone(struct smbd_conn *c, struct smbd_open *o)
{
	struct smbd_env *env = c->env;
	struct smbd_lockop *op, *next;
	struct smb2_brl *l, *lnext;
	st_unshare_req uq;
	uint8_t ob[8];
	int own;

	for (op = TAILQ_FIRST(&env->lockops); op != NULL; op = next) {
		next = TAILQ_NEXT(op, entry);
		if (op->c == c && op->file_id == o->id &&
		    op->session_id == o->session_id)
			smbd_lockop_abandon(op, STATUS_RANGE_NOT_LOCKED);
	}
	if (o->file == NULL) {
		/* A reconnect that failed: the lease it took back goes. */
		if (o->lease != NULL)
			smbd_lease_open_gone(env, o);
		return;
	}
	/* Owned by its own id: one message for all of it (durable.c). */
	own = smbd_durable_id(o->owner_id);
	for (l = TAILQ_FIRST(&o->file->locks); l != NULL; l = lnext) {
		lnext = TAILQ_NEXT(l, entry);
		if (l->session_id != o->session_id || l->file_id != o->id)
			continue;
		if (l->length != 0 && !own)
			smbd_stated_unlock(env, o->file->id, o->owner_id,
			    o->id, l->offset, l->length);
		smbd_brl_remove(o, l);
	}
	if (own) {
		smbd_durable_open_gone(c, o);
		o->oplock = 0;
		o->oplock_breaking = 0;
		o->shared = 0;
	}
	smbd_lease_open_gone(env, o);
	if (o->shared) {
		memset(&uq, 0, sizeof(uq));
		uq.file.st_file_len = SMBD_FILE_ID_LEN;
		uq.file.st_file_val = (char *)o->file->id;
		smbd_owner(&uq.owner, ob, o->owner_id, o->id);
		smbd_stated_tell(env, ST_UNSHARE,
		    (xdrproc_t)xdr_st_unshare_req, &uq, "UNSHARE");
		o->shared = 0;
	}
	smbd_file_grant_held(o, 0);
	smbd_file_put(o->file);
	o->file = NULL;
}

/* Whatever the session still holds in stated goes with one message. */
void
smbd_lock_session_gone(struct smbd_conn *c, struct smbd_session *s)
{
	st_client_req req;

	if (s->state != SMBD_SESSION_VALID)
		return;
	memset(&req, 0, sizeof(req));
	req.protocol = ST_PROTOCOL_SMB;
	req.client_id = s->id;
	smbd_stated_tell(c->env, ST_RELEASE_CLIENT,
	    (xdrproc_t)xdr_st_client_req, &req, "RELEASE_CLIENT");
}

void
smbd_lock_conn_gone(struct smbd_conn *c)
{
	struct smbd_lockop *op, *next;

	for (op = TAILQ_FIRST(&c->env->lockops); op != NULL; op = next) {
		next = TAILQ_NEXT(op, entry);
		if (op->c == c)
			smbd_lockop_abandon(op, STATUS_RANGE_NOT_LOCKED);
	}
}

int
smbd_lock_restore(struct smbd_open *o, uint64_t offset, uint64_t length,
    int exclusive)
{
	struct smb2_lock_element e;

	memset(&e, 0, sizeof(e));
	e.offset = offset;
	e.length = length;
	e.flags = exclusive ? SMB2_LOCKFLAG_EXCLUSIVE : SMB2_LOCKFLAG_SHARED;
	if (o->file == NULL)
		return -1;
	return smbd_brl_add(o, &e, 0);
}

int
smbd_lock_io_conflict(const struct smbd_open *o, uint64_t offset,
    uint64_t length, int write)
{
	if (o->file == NULL || o->file->nlocks == 0)
		return 0;
	return smb2_brl_io_conflict(&o->file->locks, o->session_id, o->id,
	    offset, length, write);
}

/*
 * CREATE's share mode (MS-FSA 2.1.5.1.2 through stated's table).  While
 * stated is in its grace period (after its restart, NFS and NLM clients
 * reclaim their opens and locks) it takes no new share: SMB has no
 * reclaim and no "try later" answer, so the CREATE waits, asking again
 * each second, at most SMBD_SHARE_GRACE_TRIES times, then is answered
 * STATUS_SHARING_VIOLATION.  Meanwhile file.c answers it STATUS_PENDING
 * (MS-SMB2 3.3.4.2); its CANCEL ends the wait (STATUS_CANCELLED).
 */
#define SMBD_SHARE_GRACE_TRIES	50

struct smbd_share_call {
	struct smbd_conn	*c;	/* held */
	struct event		*retry;
	unsigned int		 tries;
	uint8_t			 id[SMBD_FILE_ID_LEN];
	uint64_t		 owner_id, file_id;
	uint32_t		 access, deny;
	smbd_share_done_fn	*done;
	smbd_create_wait_fn	*wait;
	void			*arg;
};

static void	smbd_share_send(struct smbd_share_call *);

static void
smbd_share_call_done(struct smbd_share_call *sc, uint32_t st)
{
	struct smbd_conn *c = sc->c;

	if (st == STATUS_SHARING_VIOLATION)
		c->env->sharing_violations++;
	if (sc->retry != NULL)
		event_free(sc->retry);
	sc->done(sc->arg, st);
	free(sc);
	smbd_conn_release(c);
}

static void
smbd_share_retry_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct smbd_share_call *sc = arg;

	(void)fd;
	(void)ev;
	if (sc->c->closing) {
		smbd_share_call_done(sc, STATUS_SHARING_VIOLATION);
		return;
	}
	smbd_share_send(sc);
}

static void
smbd_share_reply(void *arg, int status, void *reply)
{
	struct smbd_share_call *sc = arg;
	const st_reply *rep = reply;
	struct timeval one = { 1, 0 };

	if (status == 0 && rep != NULL && rep->status == ST_GRACE &&
	    ++sc->tries < SMBD_SHARE_GRACE_TRIES && !sc->c->closing) {
		if (sc->tries == 1)
			log_info_rl("%s: CREATE waits for the end of stated's "
			    "grace period", sc->c->peer);
		if (sc->retry == NULL)
			sc->retry = evtimer_new(sc->c->env->base,
			    smbd_share_retry_cb, sc);
		if (sc->retry != NULL && sc->wait != NULL &&
		    sc->wait(sc->arg, sc->retry) == -1) {
			smbd_share_call_done(sc, STATUS_CANCELLED);
			return;
		}
		if (sc->retry != NULL && evtimer_add(sc->retry, &one) == 0)
			return;
	}
	smbd_share_call_done(sc, smbd_status_from_stated(sc->c->peer, 1,
	    status, reply));
}

static void
smbd_share_send(struct smbd_share_call *sc)
{
	st_share_req req;
	uint8_t ob[8];

	memset(&req, 0, sizeof(req));
	req.file.st_file_len = SMBD_FILE_ID_LEN;
	req.file.st_file_val = (char *)sc->id;
	smbd_owner(&req.owner, ob, sc->owner_id, sc->file_id);
	req.addr = sc->c->peer;
	req.access = sc->access;
	req.deny = sc->deny;
	ipc_client_call(sc->c->env->stated, ST_SHARE,
	    (xdrproc_t)xdr_st_share_req, &req, ST_REPLY,
	    (xdrproc_t)xdr_st_reply, sizeof(st_reply), smbd_share_reply, sc);
}

void
smbd_share_acquire(struct smbd_conn *c, uint64_t owner_id,
    uint64_t file_id, const bd_attr *attr, uint32_t desired,
    uint32_t share_access, smbd_share_done_fn *done,
    smbd_create_wait_fn *wait, void *arg)
{
	struct smbd_share_call *sc;

	if ((sc = calloc(1, sizeof(*sc))) == NULL) {
		done(arg, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	sc->c = c;
	smbd_conn_hold(c);
	sc->done = done;
	sc->wait = wait;
	sc->arg = arg;
	smbd_file_id_of(sc->id, attr);
	sc->owner_id = owner_id;
	sc->file_id = file_id;
	sc->access = smb2_share_access(desired);
	sc->deny = smb2_share_deny(share_access);
	smbd_share_send(sc);
}

/* Pushes (common/stated_push.x): a queued lock was granted. */
static st_status
smbd_push_granted(struct smbd_env *env, const struct st_push *p)
{
	const struct st_push_granted *g = &p->body.st_push_body_u.granted;
	struct smbd_lockop *op;
	struct smbd_open *o;

	TAILQ_FOREACH(op, &env->lockops, entry)
		if (op->waiting && op->cookie == g->cookie && !op->finished)
			break;
	if (op != NULL) {
		if ((o = smbd_lockop_open(op)) != NULL &&
		    smbd_brl_add(o, &op->el[0], op->cookie) == 0) {
			op->at = 1;
			smbd_lockop_answer(op, STATUS_SUCCESS);
			return ST_OK;
		}
		smbd_lockop_answer(op, o == NULL ? STATUS_RANGE_NOT_LOCKED :
		    STATUS_INSUFFICIENT_RESOURCES);
	}
	/* A repeat, or a lock no open waits for any more. */
	if (p->attempt > 1 || g->lock.file.st_file_len != SMBD_FILE_ID_LEN ||
	    g->lock.owner.protocol != ST_PROTOCOL_SMB ||
	    g->lock.owner.bytes.bytes_len != 8)
		return ST_NOT_FOUND;
	smbd_stated_unlock(env, (const uint8_t *)g->lock.file.st_file_val,
	    g->lock.owner.client_id,
	    smb2_get64((const uint8_t *)g->lock.owner.bytes.bytes_val),
	    g->lock.offset, g->lock.length);
	return ST_NOT_FOUND;
}

/* A granted lock, an oplock's recall (lease.c). */
static st_status
smbd_push_granted_cb(void *arg, const struct st_push *p)
{
	switch (p->body.kind) {
	case ST_PUSH_GRANTED:
		return smbd_push_granted(arg, p);
	case ST_PUSH_RECALL:
		return (st_status)smbd_lease_recall(arg, p);
	default:
		return ST_NOT_FOUND;
	}
}

const uint8_t *
smbd_file_id(const struct smbd_open *o)
{
	return o->file != NULL ? o->file->id : NULL;
}

static void
smbd_stated_message(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct st_push p;
	st_status status;

	/* A RECALL too (lease.c), which st_push_receive leaves out. */
	if (msg->hdr.type != ST_PUSH || msg->fd != -1) {
		st_push_receive(ch, msg, smbd_push_granted_cb, arg,
		    ST_NOT_FOUND, "smbd");
		return;
	}
	memset(&p, 0, sizeof(p));
	if (ipc_decode(msg, (xdrproc_t)xdr_st_push, &p) == -1) {
		log_warnx("stated: malformed ST_PUSH");
		return;
	}
	/* Acknowledged once blockd answered (durable.c). */
	if (p.body.kind == ST_PUSH_DURABLE_DOOMED &&
	    smbd_durable_doomed(arg, &p)) {
		xdr_free((xdrproc_t)xdr_st_push, &p);
		return;
	}
	status = smbd_push_granted_cb(arg, &p);
	if (st_push_ack_send(ch, p.push_id, status) == -1)
		log_warn("stated: ST_PUSH_ACK");
	xdr_free((xdrproc_t)xdr_st_push, &p);
}

/*
 * Connected.  The first time after smbd's start, what an earlier smbd
 * left in stated goes: its clients' opens died with its connections
 * (its durable opens, owned by their own ids, wait: durable.c).  Later
 * (stated's channel came back) the durable opens are announced again.
 */
static void
smbd_stated_on_ready(struct ipc_client *cl, void *arg)
{
	struct smbd_env *env = arg;
	st_host_req req;

	if (env->stated_cleared) {
		smbd_durable_announce(env);
		return;
	}
	env->stated_cleared = 1;
	memset(&req, 0, sizeof(req));
	req.protocol = ST_PROTOCOL_SMB;
	req.host = (char *)SMBD_STATED_HOST;
	smbd_stated_tell(env, ST_RELEASE_HOST, (xdrproc_t)xdr_st_host_req,
	    &req, "RELEASE_HOST");
}

/* stated cancels what smbd queued there: those LOCKs fail. */
static void
smbd_stated_on_lost(struct ipc_client *cl, void *arg)
{
	struct smbd_env *env = arg;
	struct smbd_lockop *op, *next;
	size_t n = 0;

	for (op = TAILQ_FIRST(&env->lockops); op != NULL; op = next) {
		next = TAILQ_NEXT(op, entry);
		if (op->waiting && !op->finished && !op->calling) {
			smbd_lockop_answer(op, STATUS_LOCK_NOT_GRANTED);
			n++;
		}
	}
	log_warnx("stated: connection lost; %zu pending LOCK(s) failed", n);
}

void
smbd_stated_start(struct smbd_env *env)
{
	env->stated = smbd_client_new(env, "stated.sock", IPC_ROLE_STATED,
	    smbd_stated_message);
	ipc_client_set_callbacks(env->stated, smbd_stated_on_ready,
	    smbd_stated_on_lost);
	ipc_client_set_backoff(env->stated, 50, 1000);
	ipc_client_start(env->stated);
}

void
smbd_lock_status(const struct smbd_env *env, char *buf, size_t len)
{
	snprintf(buf, len, "stated %s; locks %llu granted, %llu refused, "
	    "%llu waited; %llu sharing violation(s); durable handles %llu "
	    "granted, %llu reconnected, %llu left at a disconnect",
	    smbd_stated_ready(env) ? "connected" : "not connected",
	    (unsigned long long)env->locks_granted,
	    (unsigned long long)env->locks_refused,
	    (unsigned long long)env->locks_waited,
	    (unsigned long long)env->sharing_violations,
	    (unsigned long long)env->durable_granted,
	    (unsigned long long)env->durable_reconnects,
	    (unsigned long long)env->durable_disconnects);
}
