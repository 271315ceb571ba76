/*
 * smbd's oplocks (MS-SMB2 3.3.5.9 RequestedOplockLevel, 3.3.4.6 the
 * break, 3.3.5.22.1 its acknowledgment) as caching grants in stated
 * (common/stated_grant.x ST_GRANT_SMB*), so that NFS and NLM see them:
 *
 *   CREATE     first asks ST_GRANT_CONFLICT for the file: the grants it
 *              conflicts with (another open's oplock, an NFSv4
 *              delegation) are recalled, and the CREATE waits, asking
 *              again every SMBD_BREAK_POLL_MS, until none is
 *              outstanding or [smbd] oplock break timeout has passed;
 *              file.c answers it STATUS_PENDING meanwhile (MS-SMB2
 *              3.3.4.2), and its CANCEL ends the wait.
 *              Then, when the client asked for an oplock, ST_GRANT_SMB_OPLOCK:
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
 * The holder in stated is the open itself (MS-FSA 2.1.5.17: an oplock
 * is its open's, so another open of the same session breaks it): the
 * open's own id for one that asked to be durable (durable.c), else a
 * name of its session and FileId (smbd_lease_oplock_holder); the
 * grant's name is the owner's and the open's id, 16 bytes.
 *
 * Leases (MS-SMB2 3.3.5.9.8, 3.3.5.9.11; smb2_lease.h on the wire) are
 * grants too: a read grant for R and RH, a write grant for RW and RWH.
 * A lease is its client's (3.3.1.4: the connection's ClientGuid, and
 * the session's user, so that nobody else can name it) and its key's:
 * every open of the client with that key on the file shares it (struct
 * smbd_lease, counted by its opens), whatever its session or
 * connection, and two keys are two holders that break each other.  Its
 * holder in stated is a name of (ClientGuid, user, key) with
 * SMBD_LEASE_ID_TAG on top, or the durable id of the open that made it
 * when that open asked to be durable (stated's durable record and the
 * lease then go together); the grant's name is the holder and the key
 * (24 bytes).  A second open asking for more than the lease holds
 * upgrades it (3.3.5.9.8): ST_GRANT_SMB_LEASE raises its grant when
 * only the lease's own opens hold the file.  An SMB open breaks W of the
 * others' leases and oplocks, an overwrite everything
 * (ST_GRANT_SMB_CONFLICT); a CREATE that meets a sharing violation
 * breaks H of the others' leases and their batch oplocks to level II,
 * sends disconnected durable opens on the file away, then checks the
 * share mode again.  A break not acknowledged within the timeout leaves
 * the oplock or lease at none (smbd_lease_breaks_expire).
 *
 * Breaks go down as far as the conflict needs (stated's push says
 * whether the request that recalled it writes, new_level): a reader's
 * leaves level II of a batch or exclusive oplock and RH or R of a lease
 * holding W; a writer's leaves nothing.  A break that takes W or H (an
 * exclusive or batch oplock; a lease holding W or H) waits for the
 * acknowledgment; one that does not (level II, a lease of R alone) is
 * told and done at once (3.3.4.6, 3.3.4.7).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "blockd/store.h"
#include "conf.h"
#include "hash.h"
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
/* The top byte of a lease's holder id in stated (never a session's). */
#define SMBD_LEASE_ID_TAG	0x4cu

/* The top byte of an oplock's holder id in stated (an open's own). */
#define SMBD_OPLOCK_ID_TAG	0x4fu

/*
 * MS-FSA 2.1.5.17: an oplock is its open's (Open.OplockKey, the open's
 * own when it has no lease key), so another open of the same session
 * breaks it as anyone's does.  Its holder in stated: a durable open's
 * own id, else a name of the session and FileId.
 */
static uint64_t
smbd_lease_oplock_holder(uint64_t owner_id, uint64_t open_id)
{
	uint8_t b[16];

	if (smbd_durable_id(owner_id))
		return owner_id;
	smb2_put64(b, owner_id);
	smb2_put64(b + 8, open_id);
	return (hash_fnv1a64(b, sizeof(b)) & 0x00ffffffffffffffull) |
	    (uint64_t)SMBD_OPLOCK_ID_TAG << 56;
}

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

/* A lease's grant name in stated: its owner, its key. */
#define SMBD_LEASE_SID_LEN	(8 + SMB2_LEASE_KEY_SIZE)

static void
smbd_lease_key_sid(uint8_t out[SMBD_LEASE_SID_LEN], uint64_t owner_id,
    const uint8_t *key)
{
	smb2_put64(out, owner_id);
	memcpy(out + 8, key, SMB2_LEASE_KEY_SIZE);
}

static void
smbd_lease_return_sid(struct smbd_env *env, uint64_t owner_id,
    const uint8_t *sid, size_t sidlen, unsigned int level)
{
	st_grant_smb_return_req req;

	if (!smbd_stated_ready(env))
		return;
	memset(&req, 0, sizeof(req));
	req.client_id = owner_id;
	req.stateid.stateid_len = (u_int)sidlen;
	req.stateid.stateid_val = (char *)(uintptr_t)sid;
	req.level = level;
	ipc_client_call(env->stated, ST_GRANT_SMB_RETURN,
	    (xdrproc_t)xdr_st_grant_smb_return_req, &req, ST_REPLY,
	    (xdrproc_t)xdr_st_reply, sizeof(st_reply), smbd_lease_return_done,
	    NULL);
}

static void
smbd_lease_return(struct smbd_env *env, uint64_t session_id,
    uint64_t open_id, unsigned int level)
{
	uint8_t sid[16];

	smbd_lease_sid(sid, session_id, open_id);
	smbd_lease_return_sid(env, smbd_lease_oplock_holder(session_id,
	    open_id), sid, sizeof(sid), level);
}

/* The client an open's session speaks for: ClientGuid, user. */
static void
smbd_lease_client(struct smbd_env *env, uint64_t session_id,
    uint8_t guid[16], uint32_t *uid)
{
	struct smbd_conn *c;
	struct smbd_session *s;

	memset(guid, 0, 16);
	*uid = 0;
	TAILQ_FOREACH(c, &env->conns, entry)
		if ((s = smbd_session_find(c, session_id)) != NULL) {
			memcpy(guid, c->neg.client_guid, 16);
			*uid = s->uid;
			return;
		}
}

/* MS-SMB2 3.3.1.4: the holder id of (ClientGuid, user, LeaseKey). */
static uint64_t
smbd_lease_holder(const uint8_t guid[16], uint32_t uid, const uint8_t *key)
{
	uint8_t b[16 + 4 + SMB2_LEASE_KEY_SIZE];
	uint64_t h;

	memcpy(b, guid, 16);
	smb2_put32(b + 16, uid);
	memcpy(b + 20, key, SMB2_LEASE_KEY_SIZE);
	h = hash_fnv1a64(b, sizeof(b)) & 0x00ffffffffffffffull;
	return h | (uint64_t)SMBD_LEASE_ID_TAG << 56;
}

/* A lease's new state to stated: lowered, or gone at none. */
static void
smbd_lease_state_tell(struct smbd_env *env, const struct smbd_lease *ls)
{
	uint8_t sid[SMBD_LEASE_SID_LEN];

	smbd_lease_key_sid(sid, ls->owner_id, ls->l.key);
	smbd_lease_return_sid(env, ls->owner_id, sid, sizeof(sid),
	    (unsigned int)smb2_lease_grant_level(ls->l.state));
}

/* ---- CREATE: conflicts, then the oplock ---- */

struct smbd_lease_op {
	struct smbd_conn	*c;		/* held */
	uint64_t		 session_id;
	uint64_t		 open_id;	/* 0: none yet */
	uint8_t			 file[ST_FILE_ID_LEN];
	int			 write;
	int			 data;		/* it overwrites */
	int			 attr;		/* a stat open: 1 of
						   attributes alone, 2 with
						   READ_CONTROL */
	uint8_t			 wanted;	/* SMB2_OPLOCK_LEVEL_* */
	struct smbd_open	*o;		/* the walk's, outlives us */
	int			 is_lease;
	struct smb2_lease	 lease;		/* asked, then granted */
	uint8_t			 guid[16];	/* lease: its client */
	uint32_t		 uid;
	uint64_t		 lease_id;	/* lease: its holder */
	struct smbd_lease	*upgrading;	/* lease: shared, asking more */
	struct timespec		 deadline;
	struct event		*ev;
	smbd_lease_done_fn	*done;
	smbd_create_wait_fn	*wait;
	void			*arg;
};

static void	smbd_lease_conflict_ask(struct smbd_lease_op *);
static void	smbd_lease_dir_watch(struct smbd_env *, const struct smbd_lease *,
		    int);
static void	smbd_lease_dir_closed(struct smbd_env *, const struct smbd_open *);
static void	smbd_lease_dir_watch_first(struct smbd_lease_op *,
		    struct smbd_lease *);
static unsigned int smbd_lease_answered(struct smbd_lease_op *, int,
		    const st_grant_smb_reply *);

static void
smbd_lease_op_end(struct smbd_lease_op *op, uint8_t level)
{
	smbd_lease_done_fn *done = op->done;
	void *arg = op->arg;

	if (op->ev != NULL)
		event_free(op->ev);
	if (level != SMB2_OPLOCK_LEVEL_NONE &&
	    level != SMBD_LEASE_KEY_ELSEWHERE)
		smbd_file_grant_held(op->o, 1);
	smbd_conn_release(op->c);
	free(op);
	done(arg, level);
}

/* The lease stated knows as (holder, key), on any open, or NULL. */
static struct smbd_lease *
smbd_lease_by_sid(struct smbd_env *env, uint64_t owner_id, const uint8_t *key)
{
	struct smbd_lease *ls;

	LIST_FOREACH(ls, &env->leases, entry)
		if (ls->owner_id == owner_id && memcmp(ls->l.key, key,
		    SMB2_LEASE_KEY_SIZE) == 0)
			return ls;
	return NULL;
}

/* MS-SMB2 3.3.1.4: the client's lease of that key, or NULL. */
static struct smbd_lease *
smbd_lease_of(struct smbd_env *env, const uint8_t guid[16], uint32_t uid,
    const uint8_t *key)
{
	struct smbd_lease *ls;

	LIST_FOREACH(ls, &env->leases, entry)
		if (ls->uid == uid && memcmp(ls->client_guid, guid, 16) == 0 &&
		    memcmp(ls->l.key, key, SMB2_LEASE_KEY_SIZE) == 0)
			return ls;
	return NULL;
}

/* The open's lease: one of its owner's shared, or a new one. */
static void
smbd_lease_attach(struct smbd_lease_op *op, uint32_t state)
{
	struct smbd_lease *ls;

	if ((ls = calloc(1, sizeof(*ls))) == NULL) {
		/* The grant goes back: no lease for the open. */
		op->lease.state = 0;
		if (state != 0) {
			struct smbd_lease tmp;

			memset(&tmp, 0, sizeof(tmp));
			memcpy(tmp.l.key, op->lease.key, SMB2_LEASE_KEY_SIZE);
			tmp.owner_id = op->lease_id;
			smbd_lease_state_tell(op->c->env, &tmp);
		}
		smbd_lease_op_end(op, SMB2_OPLOCK_LEVEL_NONE);
		return;
	}
	ls->l = op->lease;
	ls->l.state = state;
	/* 3.3.5.9.11: a new lease's epoch follows the client's. */
	if (ls->l.version == 2)
		ls->l.epoch++;
	ls->owner_id = op->lease_id;
	ls->session_id = op->o->session_id;
	memcpy(ls->client_guid, op->guid, sizeof(ls->client_guid));
	ls->uid = op->uid;
	memcpy(ls->file, op->file, sizeof(ls->file));
	ls->refs = 1;
	LIST_INSERT_HEAD(&op->c->env->leases, ls, entry);
	op->o->lease = ls;
	if (op->o->is_dir) {
		memcpy(ls->dir_fh, op->o->fh, op->o->fhlen);
		ls->dir_fhlen = op->o->fhlen;
		smbd_lease_dir_watch_first(op, ls);
		return;
	}
	smbd_lease_op_end(op, SMB2_OPLOCK_LEVEL_LEASE);
}

/*
 * ST_GRANT_SMB_LEASE (ST_GRANT_SMB_OPLOCK) of the grant named sid, held
 * by `holder', at level, the opens of it (the one being made and those
 * of the lease ls) named as its own, answered to `cb'.
 */
static void
smbd_lease_ask_own(struct smbd_lease_op *op, uint32_t type, uint64_t holder,
    const uint8_t *sid, size_t sidlen, const struct smbd_lease *ls,
    unsigned int level, ipc_client_done_fn *cb)
{
	st_grant_smb_lease_req req;
	st_grant_smb_own own[ST_GRANT_SMB_OWN_MAX];
	uint8_t bytes[ST_GRANT_SMB_OWN_MAX][8];
	struct smbd_conn *c;
	struct smbd_open *o;
	u_int n = 0;

	memset(&req, 0, sizeof(req));
	memset(own, 0, sizeof(own));
	own[n].client_id = op->o->owner_id;
	smb2_put64(bytes[n], op->o->id);
	n++;
	if (ls != NULL)
		TAILQ_FOREACH(c, &op->c->env->conns, entry)
			TAILQ_FOREACH(o, &c->opens, entry) {
				if (o->lease != ls || o == op->o ||
				    n == ST_GRANT_SMB_OWN_MAX)
					continue;
				own[n].client_id = o->owner_id;
				smb2_put64(bytes[n], o->id);
				n++;
			}
	for (u_int i = 0; i < n; i++) {
		own[i].bytes.bytes_len = 8;
		own[i].bytes.bytes_val = (char *)bytes[i];
	}
	req.file.st_file_len = ST_FILE_ID_LEN;
	req.file.st_file_val = (char *)op->file;
	req.client_id = holder;
	req.stateid.stateid_len = (u_int)sidlen;
	req.stateid.stateid_val = (char *)(uintptr_t)sid;
	req.level = level;
	req.own.own_len = n;
	req.own.own_val = own;
	ipc_client_call(op->c->env->stated, type,
	    (xdrproc_t)xdr_st_grant_smb_lease_req, &req, ST_GRANT_SMB_REPLY,
	    (xdrproc_t)xdr_st_grant_smb_reply, sizeof(st_grant_smb_reply),
	    cb, op);
}

/* ST_GRANT_SMB_LEASE of the lease at level (its opens, ls's). */
static void
smbd_lease_ask_key(struct smbd_lease_op *op, const struct smbd_lease *ls,
    unsigned int level, ipc_client_done_fn *cb)
{
	uint8_t sid[SMBD_LEASE_SID_LEN];

	smbd_lease_key_sid(sid, op->lease_id, op->lease.key);
	smbd_lease_ask_own(op, ST_GRANT_SMB_LEASE, op->lease_id, sid,
	    sizeof(sid), ls, level, cb);
}

/* MS-SMB2 3.3.5.9.8: a shared lease goes up to `state'. */
static void
smbd_lease_upgrade_to(struct smbd_lease_op *op, uint32_t state)
{
	struct smbd_lease *ls = op->upgrading;

	if (state != ls->l.state && (state & ls->l.state) == ls->l.state &&
	    !ls->breaking) {
		ls->l.state = state;
		/* 3.3.5.9.11: a changed lease's epoch goes up. */
		if (ls->l.version == 2)
			ls->l.epoch++;
	}
	smbd_lease_op_end(op, SMB2_OPLOCK_LEVEL_LEASE);
}

/* stated's word: upgraded only when the lease has the file alone. */
static void
smbd_lease_upgraded(void *arg, int status, void *reply)
{
	struct smbd_lease_op *op = arg;
	st_grant_smb_reply *rep = reply;

	if (status != 0 || rep->status != ST_OK || rep->why != 0 ||
	    rep->level == 0) {
		smbd_lease_op_end(op, SMB2_OPLOCK_LEVEL_LEASE);
		return;
	}
	smbd_lease_upgrade_to(op, op->lease.state);
}

/* Another open of the file (not `self') holds an oplock, not a lease. */
static int
smbd_lease_file_oplocked(struct smbd_env *env, const uint8_t *file,
    const struct smbd_open *self)
{
	struct smbd_conn *c;
	struct smbd_open *o;
	const uint8_t *f;

	TAILQ_FOREACH(c, &env->conns, entry)
		TAILQ_FOREACH(o, &c->opens, entry)
			if (o != self && o->lease == NULL &&
			    o->oplock != SMB2_OPLOCK_LEVEL_NONE &&
			    (f = smbd_file_id(o)) != NULL &&
			    memcmp(f, file, ST_FILE_ID_LEN) == 0)
				return 1;
	return 0;
}

/*
 * A stat open: no data (no fd) and no right beyond reading or writing
 * attributes, READ_CONTROL and SYNCHRONIZE (MS-FSA 2.1.5.1.2.1, as
 * Windows counts it: reading or writing EAs, DELETE, WRITE_DAC or
 * WRITE_OWNER make an open that breaks others' oplocks and leases, and
 * READ_CONTROL one that breaks oplocks, not leases: ST_GRANT_SMB_STAT).
 * A directory's opens are all as stat opens here: what breaks its
 * lease is a change of its entries (smbd_lease_dir_note).
 */
#define SMBD_READ_CONTROL	0x00020000u
#define SMBD_STAT_ACCESS	(0x00000080u | 0x00000100u | \
				 SMBD_READ_CONTROL | 0x00100000u)

static int
smbd_lease_stat_open(const struct smbd_open *o)
{
	/* A directory's open changes no data: its lease breaks by notes. */
	if (o->is_dir)
		return o->access == 0;
	return o->access == 0 && (o->granted & ~SMBD_STAT_ACCESS) == 0;
}

/*
 * Another open of the file for more than its attributes (MS-FSA
 * 2.1.5.17.2: an exclusive or batch oplock is the file's only open's).
 */
static int
smbd_lease_file_opened(struct smbd_env *env, const uint8_t *file,
    const struct smbd_open *self)
{
	struct smbd_conn *c;
	struct smbd_open *o;
	const uint8_t *f;

	TAILQ_FOREACH(c, &env->conns, entry)
		TAILQ_FOREACH(o, &c->opens, entry)
			if (o != self && !smbd_lease_stat_open(o) &&
			    (f = smbd_file_id(o)) != NULL &&
			    memcmp(f, file, ST_FILE_ID_LEN) == 0)
				return 1;
	return 0;
}

/* A lease on the file holds H. */
static int
smbd_lease_file_handle(struct smbd_env *env, const uint8_t *file)
{
	struct smbd_lease *ls;

	LIST_FOREACH(ls, &env->leases, entry)
		if ((ls->l.state & SMB2_LEASE_HANDLE) &&
		    memcmp(ls->file, file, ST_FILE_ID_LEN) == 0)
			return 1;
	return 0;
}

/* The grant level stated answered (0: none), the limit logged. */
static unsigned int
smbd_lease_answered(struct smbd_lease_op *op, int status,
    const st_grant_smb_reply *rep)
{
	if (status != 0 || rep->status != ST_OK)
		return 0;
	if (rep->why == ST_GRANT_NONE_LIMIT)
		log_warnx_rl("%s: [stated] smb leases per session reached: "
		    "no oplock or lease", op->c->peer);
	return rep->level;
}

static void
smbd_lease_key_granted(void *arg, int status, void *reply)
{
	struct smbd_lease_op *op = arg;
	uint32_t state = 0;

	switch (smbd_lease_answered(op, status, reply)) {
	case ST_GRANT_WRITE:
		state = op->lease.state;
		break;
	case ST_GRANT_READ:
		state = op->lease.state & ~SMB2_LEASE_WRITE;
		break;
	}
	smbd_lease_attach(op, state);
}

/*
 * [stated] smb leases per session: stated counts each holder's, a
 * lease's (a client and key) or an oplock's (its open), so the
 * session's own leases and oplocks are counted here.
 */
static int
smbd_lease_session_full(struct smbd_lease_op *op)
{
	struct smbd_env *env = op->c->env;
	struct smbd_session *s;
	struct smbd_lease *ls;
	struct smbd_open *o;
	long long max, n = 0;

	max = conf_get_int(env->daemon->conf, "stated", "smb leases per "
	    "session");
	LIST_FOREACH(ls, &env->leases, entry)
		n += ls->session_id == op->o->session_id;
	if ((s = smbd_session_find(op->c, op->o->session_id)) != NULL)
		TAILQ_FOREACH(o, &s->conn->opens, entry)
			n += o->session_id == s->id && o->lease == NULL &&
			    o->oplock != SMB2_OPLOCK_LEVEL_NONE;
	if (max <= 0 || n < max)
		return 0;
	log_warnx_rl("%s: [stated] smb leases per session (%lld) reached: "
	    "no oplock or lease", op->c->peer, max);
	return 1;
}

/* MS-SMB2 3.3.5.9.8, 3.3.5.9.11: the lease asked for, as stated allows. */
static void
smbd_lease_key_grant(struct smbd_lease_op *op)
{
	struct smbd_lease *ls;
	uint32_t wanted;

	wanted = smb2_lease_grantable(op->wanted == SMB2_OPLOCK_LEVEL_NONE ?
	    0 : op->lease.state);
	/* 3.3.5.9.11: a directory's lease caches R and H, never W. */
	if (op->o->is_dir)
		wanted &= ~SMB2_LEASE_WRITE;
	if ((ls = smbd_lease_of(op->c->env, op->guid, op->uid,
	    op->lease.key)) != NULL) {
		/* Another open of the lease: shared (3.3.1.4). */
		if (memcmp(ls->file, op->file, sizeof(ls->file)) != 0) {
			/* 3.3.5.9.8: a key is the client's for one file. */
			smbd_lease_op_end(op, SMBD_LEASE_KEY_ELSEWHERE);
			return;
		}
		ls->refs++;
		op->o->lease = ls;
		/*
		 * 3.3.5.9.8: upgraded when it asks for all the lease holds
		 * and more, and no break is on its way.
		 */
		if (ls->breaking || wanted == ls->l.state ||
		    (wanted & ls->l.state) != ls->l.state) {
			smbd_lease_op_end(op, SMB2_OPLOCK_LEVEL_LEASE);
			return;
		}
		/*
		 * All of it or nothing: H goes with the others' leases, W
		 * only when the lease has the file alone (stated says).
		 */
		op->upgrading = ls;
		op->lease.state = wanted;
		/*
		 * A lease broken to none (a file's or a directory's) gave
		 * its grant back: stated grants it again, so that the
		 * others' opens, NFS and the restart and durable rules see
		 * it.
		 */
		if ((wanted & SMB2_LEASE_WRITE) || ls->l.state == 0) {
			smbd_lease_ask_key(op, ls, (wanted &
			    SMB2_LEASE_WRITE) ? ST_GRANT_WRITE : ST_GRANT_READ,
			    smbd_lease_upgraded);
			return;
		}
		smbd_lease_upgrade_to(op, wanted);
		return;
	}
	/* MS-FSA 2.1.5.17: next to another open's oplock, R at most. */
	if (smbd_lease_file_oplocked(op->c->env, op->file, op->o))
		wanted &= SMB2_LEASE_READ;
	op->lease.state = wanted;
	if (op->lease.state == 0 || smbd_lease_session_full(op)) {
		smbd_lease_attach(op, 0);
		return;
	}
	smbd_lease_ask_key(op, NULL, (op->lease.state & SMB2_LEASE_WRITE) ?
	    ST_GRANT_WRITE : ST_GRANT_READ, smbd_lease_key_granted);
}

static void
smbd_lease_granted(void *arg, int status, void *reply)
{
	struct smbd_lease_op *op = arg;
	uint8_t level = SMB2_OPLOCK_LEVEL_NONE;

	switch (smbd_lease_answered(op, status, reply)) {
	case ST_GRANT_WRITE:
		level = op->wanted;
		break;
	case ST_GRANT_READ:
		level = SMB2_OPLOCK_LEVEL_II;
		break;
	}
	smbd_lease_op_end(op, level);
}

/* MS-SMB2 3.3.5.9: the oplock asked for, as stated allows it. */
static void
smbd_lease_grant(struct smbd_lease_op *op)
{
	uint8_t sid[16];

	if (op->is_lease) {
		smbd_lease_key_grant(op);
		return;
	}
	/* MS-FSA 2.1.5.17: no oplock next to a lease that holds H. */
	if ((op->wanted != SMB2_OPLOCK_LEVEL_II &&
	    op->wanted != SMB2_OPLOCK_LEVEL_EXCLUSIVE &&
	    op->wanted != SMB2_OPLOCK_LEVEL_BATCH) ||
	    smbd_lease_file_handle(op->c->env, op->file)) {
		smbd_lease_op_end(op, SMB2_OPLOCK_LEVEL_NONE);
		return;
	}
	/*
	 * MS-FSA 2.1.5.17.2: exclusive and batch only for the file's one
	 * open; next to others (those whose oplock this open broke too),
	 * level II, as Windows falls back to it (MS-SMB2 3.3.5.9).
	 */
	if (op->wanted != SMB2_OPLOCK_LEVEL_II &&
	    smbd_lease_file_opened(op->c->env, op->file, op->o))
		op->wanted = SMB2_OPLOCK_LEVEL_II;
	if (smbd_lease_session_full(op)) {
		smbd_lease_op_end(op, SMB2_OPLOCK_LEVEL_NONE);
		return;
	}
	smbd_lease_sid(sid, op->session_id, op->open_id);
	smbd_lease_ask_own(op, ST_GRANT_SMB_OPLOCK, smbd_lease_oplock_holder(
	    op->session_id, op->open_id), sid, sizeof(sid), NULL, op->wanted ==
	    SMB2_OPLOCK_LEVEL_II ? ST_GRANT_READ : ST_GRANT_WRITE,
	    smbd_lease_granted);
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

/*
 * MS-SMB2 3.3.2.5, 3.3.2.6 (the oplock and lease break acknowledgment
 * timers): an oplock or lease whose break was not acknowledged within
 * [smbd] oplock break timeout is no more (level none); an
 * acknowledgment after that is refused, no break being in progress.
 */
static void
smbd_lease_breaks_expire(struct smbd_env *env, const uint8_t *file)
{
	struct smbd_conn *c;
	struct smbd_open *o, *x;
	struct smbd_lease *ls;
	const uint8_t *f;

	TAILQ_FOREACH(c, &env->conns, entry)
		TAILQ_FOREACH(o, &c->opens, entry) {
			if ((f = smbd_file_id(o)) == NULL ||
			    memcmp(f, file, ST_FILE_ID_LEN) != 0)
				continue;
			if ((ls = o->lease) != NULL) {
				if (!ls->breaking)
					continue;
				ls->breaking = 0;
				ls->break_held = 0;
				ls->l.state = 0;
				smbd_lease_state_tell(env, ls);
				TAILQ_FOREACH(x, &c->opens, entry)
					if (x->lease == ls && x->durable)
						smbd_durable_oplock_lost(c, x);
				continue;
			}
			if (!o->oplock_breaking)
				continue;
			o->oplock_breaking = 0;
			o->oplock = SMB2_OPLOCK_LEVEL_NONE;
			smbd_file_grant_held(o, 0);
			smbd_lease_return(env, o->owner_id, o->id, 0);
			smbd_durable_oplock_lost(c, o);
		}
}

/*
 * MS-SMB2 3.3.2.5: the timeout counts from a break's last step, not
 * from the request that waits for it (a break of RWH goes on to RH, R
 * and none one acknowledgment at a time): a lease of the file breaking
 * for less than [smbd] oplock break timeout puts `deadline' off to its
 * end.  1 when it did.
 */
static int
smbd_lease_break_recent(struct smbd_env *env, const uint8_t *file,
    struct timespec *deadline)
{
	struct smbd_lease *ls;
	struct timespec end;
	int later = 0;

	LIST_FOREACH(ls, &env->leases, entry) {
		if (!ls->breaking || memcmp(ls->file, file, ST_FILE_ID_LEN) !=
		    0)
			continue;
		end = ls->break_sent;
		end.tv_sec += env->break_timeout;
		if (!smbd_lease_past(&end) && (end.tv_sec > deadline->tv_sec ||
		    (end.tv_sec == deadline->tv_sec &&
		    end.tv_nsec > deadline->tv_nsec))) {
			*deadline = end;
			later = 1;
		}
	}
	return later;
}

static void
smbd_lease_conflict_done(void *arg, int status, void *reply)
{
	struct smbd_lease_op *op = arg;
	st_grant_conflict_reply *rep = reply;
	struct timeval tv = { 0, SMBD_BREAK_POLL_MS * 1000 };

	if (status == 0 && rep->outstanding > 0 && op->c->closing) {
		smbd_lease_op_end(op, SMB2_OPLOCK_LEVEL_NONE);
		return;
	}
	if (status == 0 && rep->outstanding > 0) {
		/* What the holders write meanwhile changes the attributes. */
		op->o->recalled = 1;
		if (!smbd_lease_past(&op->deadline) ||
		    smbd_lease_break_recent(op->c->env, op->file,
		    &op->deadline)) {
			if (op->ev == NULL && (op->ev = evtimer_new(
			    op->c->env->base, smbd_lease_poll, op)) == NULL)
				fatal("oplock break timer");
			/* Cancelled, or its session gone: no oplock asked. */
			if (op->wait != NULL &&
			    op->wait(op->arg, op->ev) == -1) {
				smbd_lease_op_end(op, SMB2_OPLOCK_LEVEL_NONE);
				return;
			}
			if (evtimer_add(op->ev, &tv) == -1)
				fatal("oplock break timer");
			return;
		}
		log_warnx_rl("%s: an oplock, lease or delegation was not "
		    "given back within [smbd] oplock break timeout (%u s): "
		    "the open goes on, our oplocks and leases broken to none",
		    op->c->peer, op->c->env->break_timeout);
		smbd_lease_breaks_expire(op->c->env, op->file);
	}
	smbd_lease_grant(op);
}

static void
smbd_lease_conflict_ask(struct smbd_lease_op *op)
{
	st_grant_smb_conflict_req req;

	if (!smbd_stated_ready(op->c->env)) {
		smbd_lease_op_end(op, SMB2_OPLOCK_LEVEL_NONE);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.file.st_file_len = ST_FILE_ID_LEN;
	req.file.st_file_val = (char *)op->file;
	req.client_id = op->is_lease ? op->lease_id :
	    smbd_lease_oplock_holder(op->session_id, op->open_id);
	req.write = op->write;
	req.cause = op->attr == 1 ? ST_GRANT_SMB_ATTR : op->attr == 2 ?
	    ST_GRANT_SMB_STAT : op->data ? ST_GRANT_SMB_DATA :
	    ST_GRANT_SMB_OPEN;
	ipc_client_call(op->c->env->stated, ST_GRANT_SMB_CONFLICT,
	    (xdrproc_t)xdr_st_grant_smb_conflict_req, &req,
	    ST_GRANT_CONFLICT_REPLY, (xdrproc_t)xdr_st_grant_conflict_reply,
	    sizeof(st_grant_conflict_reply), smbd_lease_conflict_done, op);
}

/*
 * MS-SMB2 3.3.5.9.11: a directory is leased to a v2 lease context of a
 * 3.x connection (SMB2_GLOBAL_CAP_DIRECTORY_LEASING); no oplock, no v1.
 */
static int
smbd_lease_dir_may(const struct smbd_conn *c, const struct smb2_lease *lease,
    uint8_t wanted)
{
	return lease != NULL && wanted == SMB2_OPLOCK_LEVEL_LEASE &&
	    lease->version == 2 && c->neg.dialect >= SMB2_DIALECT_300;
}

void
smbd_lease_open(struct smbd_conn *c, struct smbd_open *o, uint8_t wanted,
    const struct smb2_lease *lease, int data, smbd_lease_done_fn *done,
    smbd_create_wait_fn *wait, void *arg)
{
	struct smbd_lease *ls;
	struct smbd_lease_op *op;
	const uint8_t *file;

	/*
	 * 3.3.5.9.8: a key the client holds on a file leases no directory
	 * (a directory's lease names no other file: smbd_lease_key_grant).
	 */
	if (o->is_dir && lease != NULL && wanted == SMB2_OPLOCK_LEVEL_LEASE) {
		uint8_t guid[16];
		uint32_t uid;

		smbd_lease_client(c->env, o->session_id, guid, &uid);
		if ((ls = smbd_lease_of(c->env, guid, uid, lease->key)) !=
		    NULL && (smbd_file_id(o) == NULL || memcmp(ls->file,
		    smbd_file_id(o), ST_FILE_ID_LEN) != 0)) {
			done(arg, SMBD_LEASE_KEY_ELSEWHERE);
			return;
		}
	}
	/*
	 * Attributes only (no data): it breaks no SMB grant, but may have
	 * an oplock that none holds (Windows grants the stat open that
	 * makes a file its batch oplock) or a lease (MS-SMB2 3.3.5.9.8: a
	 * stat open shares its client's lease, or starts one).  It still
	 * recalls an NFSv4 write delegation (ST_GRANT_SMB_ATTR): the size
	 * and times it reads are the holder's to say until its data is
	 * written.
	 */
	if ((o->is_dir && !smbd_lease_dir_may(c, lease, wanted)) ||
	    (file = smbd_file_id(o)) == NULL ||
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
	op->o = o;
	op->data = data;
	op->attr = !smbd_lease_stat_open(o) ? 0 : o->is_dir || (o->granted &
	    SMBD_READ_CONTROL) == 0 ? 1 : 2;
	if (lease != NULL && wanted == SMB2_OPLOCK_LEVEL_LEASE) {
		op->is_lease = 1;
		op->lease = *lease;
		/*
		 * Its holder: the lease's when the client has it already,
		 * else the open's durable id, or the client's and key's.
		 */
		smbd_lease_client(c->env, o->session_id, op->guid, &op->uid);
		if ((ls = smbd_lease_of(c->env, op->guid, op->uid,
		    lease->key)) != NULL)
			op->lease_id = ls->owner_id;
		else if (smbd_durable_id(o->owner_id))
			op->lease_id = o->owner_id;
		else
			op->lease_id = smbd_lease_holder(op->guid, op->uid,
			    lease->key);
	}
	op->done = done;
	op->wait = wait;
	op->arg = arg;
	clock_gettime(CLOCK_MONOTONIC, &op->deadline);
	op->deadline.tv_sec += c->env->break_timeout;
	smbd_lease_conflict_ask(op);
}

/*
 * MS-SMB2 3.3.5.9.7, 3.3.5.9.12: a durable open reconnected takes its
 * lease back; the grant stayed in stated under the open's own id.
 */
int
smbd_lease_restore(struct smbd_env *env, struct smbd_open *o,
    const uint8_t *file, const struct smb2_durable_state *st)
{
	struct smbd_lease *ls;

	if ((ls = smbd_lease_by_sid(env, o->owner_id, st->lease_key)) !=
	    NULL) {
		ls->refs++;
		o->lease = ls;
		o->oplock = SMB2_OPLOCK_LEVEL_LEASE;
		return 0;
	}
	if ((ls = calloc(1, sizeof(*ls))) == NULL)
		return -1;
	ls->l.version = (int)st->lease_version;
	memcpy(ls->l.key, st->lease_key, SMB2_LEASE_KEY_SIZE);
	ls->l.state = st->lease_state & SMB2_LEASE_ALL;
	ls->l.epoch = (uint16_t)st->lease_epoch;
	ls->owner_id = o->owner_id;
	smbd_lease_client(env, o->session_id, ls->client_guid, &ls->uid);
	memcpy(ls->file, file, sizeof(ls->file));
	ls->refs = 1;
	if (o->is_dir) {
		memcpy(ls->dir_fh, o->fh, o->fhlen);
		ls->dir_fhlen = o->fhlen;
		smbd_lease_dir_watch(env, ls, 1);
	}
	LIST_INSERT_HEAD(&env->leases, ls, entry);
	o->lease = ls;
	o->oplock = SMB2_OPLOCK_LEVEL_LEASE;
	return 0;
}

/* The open goes (CLOSE, LOGOFF, the connection): its oplock too. */
void
smbd_lease_open_gone(struct smbd_env *env, struct smbd_open *o)
{
	struct smbd_lease *ls;

	if (o->data_written && !o->is_dir)
		smbd_lease_dir_closed(env, o);
	smbd_file_grant_held(o, 0);
	if ((ls = o->lease) != NULL) {
		/* The lease goes with the last of its opens. */
		o->lease = NULL;
		o->oplock = SMB2_OPLOCK_LEVEL_NONE;
		if (--ls->refs > 0)
			return;
		/*
		 * A lease held by the durable open's own id stays in stated
		 * with the open's record (ST_DURABLE_DISCONNECT keeps it for
		 * the reconnect, ST_DURABLE_CLOSE releases it): a conflict
		 * meanwhile recalls it and sends the handle away.
		 */
		if ((ls->l.state != 0 || ls->breaking) &&
		    !(smbd_durable_id(o->owner_id) &&
		    ls->owner_id == o->owner_id)) {
			ls->l.state = 0;
			smbd_lease_state_tell(env, ls);
		}
		if (ls->dir_fhlen > 0)
			smbd_lease_dir_watch(env, ls, 0);
		LIST_REMOVE(ls, entry);
		free(ls);
		return;
	}
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

/*
 * The connection a break of the lease goes on: a live channel of one of
 * its opens' sessions, the one that open came on while it lives
 * (MS-SMB2 3.3.4.7).
 */
static struct smbd_conn *
smbd_lease_conn(struct smbd_env *env, const struct smbd_lease *ls)
{
	struct smbd_conn *c;
	struct smbd_open *o;

	TAILQ_FOREACH(c, &env->conns, entry)
		TAILQ_FOREACH(o, &c->opens, entry)
			if (o->lease == ls)
				return smbd_open_channel(o);
	return NULL;
}

/*
 * MS-SMB2 3.3.4.7: a step of a lease's break, to `to', sent on c; the
 * first step of a break (first) takes the epoch of a v2 lease one up,
 * the steps that follow its acknowledgment keep it.
 */
static void
smbd_lease_break_step(struct smbd_env *env, struct smbd_conn *c,
    struct smbd_lease *ls, uint32_t to, int first)
{
	struct smbd_async a;
	uint8_t body[SMB2_LEASE_BREAK_SIZE];
	int ack;

	ack = (ls->l.state & (SMB2_LEASE_WRITE | SMB2_LEASE_HANDLE)) != 0;
	if (ls->l.version == 2 && first)
		ls->l.epoch++;
	env->oplock_breaks++;
	clock_gettime(CLOCK_MONOTONIC, &ls->break_sent);
	smb2_lease_break_encode(body, ls->l.key, ls->l.version == 2 ?
	    ls->l.epoch : 0, ls->l.state, to, ack);
	if (ack) {
		ls->breaking = 1;
		ls->break_to = to;
		/*
		 * Only W holds back the request that broke it (its data is
		 * the holder's until written back): a lease of RH gives its
		 * grant up at once, its acknowledgment coming later.  A
		 * sharing violation or a rename waits for the acknowledgment
		 * itself (smbd_lease_share_break counts it).  A break of W
		 * holds it back until its last step (break_held).
		 */
		if (!ls->break_held) {
			uint8_t sid[SMBD_LEASE_SID_LEN];

			smbd_lease_key_sid(sid, ls->owner_id, ls->l.key);
			smbd_lease_return_sid(env, ls->owner_id, sid,
			    sizeof(sid), (unsigned int)
			    smb2_lease_grant_level(to));
		}
	} else {
		ls->l.state = to;
		ls->break_held = 0;
		smbd_lease_state_tell(env, ls);
	}
	memset(&a, 0, sizeof(a));
	a.message_id = UINT64_MAX;
	a.command = SMB2_OPLOCK_BREAK;
	smbd_reply_async(c, &a, STATUS_SUCCESS, body, sizeof(body));
}

/* MS-SMB2 3.3.4.7: the break of a lease to `to', sent on c. */
static void
smbd_lease_break_send(struct smbd_env *env, struct smbd_conn *c,
    struct smbd_lease *ls, uint32_t to)
{
	ls->break_need = to;
	ls->break_held = (ls->l.state & SMB2_LEASE_WRITE) != 0;
	smbd_lease_break_step(env, c, ls, to, 1);
}

/*
 * A lease's break acknowledged at its state: done when that is what
 * its conflicts need (stated hears the state, and the requests that
 * waited go on), else the next step (Windows' order: H before R, so RH
 * goes to R, then R to none), the requests waiting on.
 */
static void
smbd_lease_break_next(struct smbd_env *env, struct smbd_conn *c,
    struct smbd_lease *ls)
{
	uint32_t next;

	if ((ls->l.state & ~ls->break_need) == 0) {
		ls->break_held = 0;
		smbd_lease_state_tell(env, ls);
		return;
	}
	next = (ls->l.state & ~SMB2_LEASE_READ) ? SMB2_LEASE_READ &
	    ls->l.state : 0;
	if (!ls->break_held)
		smbd_lease_state_tell(env, ls);
	smbd_lease_break_step(env, c, ls, next, 0);
}

/* MS-SMB2 3.3.4.7: a lease's break, to what the conflict leaves. */
static int
smbd_lease_recall_key(struct smbd_env *env, const struct st_push_grant *g)
{
	const uint8_t *sid = (const uint8_t *)g->stateid.stateid_val;
	struct smbd_lease *ls;
	struct smbd_conn *c;
	uint64_t owner = smb2_get64(sid);
	uint32_t to;

	if ((ls = smbd_lease_by_sid(env, owner, sid + 8)) == NULL ||
	    (c = smbd_lease_conn(env, ls)) == NULL || ls->l.state == 0) {
		smbd_lease_return_sid(env, owner, sid, SMBD_LEASE_SID_LEN, 0);
		return ST_NOT_FOUND;
	}
	to = smb2_lease_break_to(ls->l.state, g->new_level == ST_GRANT_READ ?
	    SMB2_BREAK_OPEN : SMB2_BREAK_WRITE);
	if (to == ls->l.state)
		to = smb2_lease_break_to(ls->l.state, SMB2_BREAK_WRITE);
	if (ls->breaking) {
		/*
		 * A repeat, or a writer after a reader (MS-FSA 2.1.4.12):
		 * the break on its way goes on to what both need once
		 * acknowledged.
		 */
		ls->break_need &= to;
		return ST_OK;
	}
	smbd_lease_break_send(env, c, ls, to);
	return ST_OK;
}

/*
 * MS-SMB2 3.3.4.6: the break of an oplock to `to', sent on c; level II
 * goes to none at once (no acknowledgment comes), the others wait.
 */
static void
smbd_lease_oplock_break_send(struct smbd_env *env, struct smbd_conn *c,
    struct smbd_open *o, uint8_t to)
{
	struct smbd_async a;
	uint8_t body[SMB2_OPLOCK_BREAK_SIZE];

	env->oplock_breaks++;
	smb2_oplock_break_encode(body, to, o->id, o->id);
	if (o->oplock == SMB2_OPLOCK_LEVEL_II) {
		o->oplock = SMB2_OPLOCK_LEVEL_NONE;
		smbd_file_grant_held(o, 0);
		smbd_lease_return(env, o->owner_id, o->id, 0);
		smbd_durable_oplock_lost(c, o);
	} else {
		o->oplock_breaking = 1;
		o->oplock_break_to = to;
	}
	memset(&a, 0, sizeof(a));
	a.message_id = UINT64_MAX;
	a.command = SMB2_OPLOCK_BREAK;
	smbd_reply_async(c, &a, STATUS_SUCCESS, body, sizeof(body));
}

/* stated's ST_PUSH_RECALL of one of our grants. */
int
smbd_lease_recall(struct smbd_env *env, const struct st_push *p)
{
	const struct st_push_grant *g = &p->body.st_push_body_u.grant;
	struct smbd_conn *c;
	struct smbd_open *o;
	uint64_t sess, oid;
	uint8_t to;

	if (g->holder.protocol != ST_PROTOCOL_SMB)
		return ST_NOT_FOUND;
	if (g->stateid.stateid_len == SMBD_LEASE_SID_LEN)
		return smbd_lease_recall_key(env, g);
	if (g->stateid.stateid_len != 16)
		return ST_NOT_FOUND;
	sess = smb2_get64((const uint8_t *)g->stateid.stateid_val);
	oid = smb2_get64((const uint8_t *)g->stateid.stateid_val + 8);
	if ((o = smbd_lease_find(env, sess, oid, &c)) == NULL ||
	    o->oplock == SMB2_OPLOCK_LEVEL_NONE) {
		/* Gone meanwhile (or before a restart): nothing to wait for. */
		smbd_lease_return(env, sess, oid, 0);
		return ST_NOT_FOUND;
	}
	/* MS-SMB2 3.3.4.6: the channel it came on, or one left. */
	c = smbd_open_channel(o);
	if (o->oplock_breaking)
		return ST_OK;		/* a repeat */
	/* 3.3.4.6: a reader leaves level II of an exclusive or batch. */
	to = g->new_level == ST_GRANT_READ && o->oplock !=
	    SMB2_OPLOCK_LEVEL_II ? SMB2_OPLOCK_LEVEL_II :
	    SMB2_OPLOCK_LEVEL_NONE;
	smbd_lease_oplock_break_send(env, c, o, to);
	return ST_OK;
}

/*
 * The leases of the other opens of o's file that hold any of `need'
 * (not o's own lease) go down to what they hold of `keep', and with
 * level2 every level II oplock on it (o's too) to none.  Nothing waits:
 * a lease that held W or H acknowledges later.  The file's count of
 * grants says first whether there is anyone to break.
 */
static void
smbd_lease_break_others(struct smbd_env *env, const struct smbd_open *o,
    uint32_t need, uint32_t keep, int level2)
{
	struct smbd_lease *ls;
	struct smbd_conn *c;
	struct smbd_open *x;

	if (o->file == NULL || (smbd_file_grants(o) <=
	    (unsigned int)o->grant_held && !(level2 &&
	    o->oplock == SMB2_OPLOCK_LEVEL_II)))
		return;
	TAILQ_FOREACH(c, &env->conns, entry)
		TAILQ_FOREACH(x, &c->opens, entry) {
			if (x->file != o->file)
				continue;
			if ((ls = x->lease) != NULL) {
				if (ls != o->lease && !ls->breaking &&
				    (ls->l.state & need))
					smbd_lease_break_send(env,
					    smbd_open_channel(x), ls,
					    ls->l.state & keep);
			} else if (level2 && x->oplock ==
			    SMB2_OPLOCK_LEVEL_II && !x->oplock_breaking)
				smbd_lease_oplock_break_send(env,
				    smbd_open_channel(x), x,
				    SMB2_OPLOCK_LEVEL_NONE);
		}
}

/*
 * MS-FSA 2.1.5.3, 2.1.4.12 (a write breaks read caching): a lease of R
 * and a level II oplock are granted next to SMB opens that write
 * (grant_smb_level), so a WRITE breaks every other lease of R on the
 * file to none, and every level II oplock, its own too.
 */
void
smbd_lease_written(struct smbd_env *env, const struct smbd_open *o)
{
	smbd_lease_break_others(env, o, SMB2_LEASE_READ, 0, 1);
}

/*
 * MS-FSA 2.1.5.4, 2.1.4.12: the file's name goes (delete on close), so
 * the others' leases lose H: their handles name nothing any more.
 */
void
smbd_lease_unlinked(struct smbd_env *env, const struct smbd_open *o)
{
	smbd_lease_break_others(env, o, SMB2_LEASE_HANDLE,
	    SMB2_LEASE_READ | SMB2_LEASE_WRITE, 0);
}

/* ---- A sharing violation (MS-SMB2 3.3.5.9, MS-FSA 2.1.5.1.2) ---- */

struct smbd_lease_share {
	struct smbd_conn	*c;		/* held */
	uint8_t			 file[ST_FILE_ID_LEN];
	uint64_t		 client_id;	/* the CREATE's, in stated */
	int			 has_lease;
	uint8_t			 guid[16];	/* its lease's client, key */
	uint32_t		 uid;
	uint8_t			 key[SMB2_LEASE_KEY_SIZE];
	size_t			 found;		/* breaks and durables seen */
	struct timespec		 deadline;
	struct event		*ev;
	smbd_lease_sharing_fn	*done;
	smbd_create_wait_fn	*wait;
	void			*arg;
};

static void	smbd_lease_share_ask(struct smbd_lease_share *);

static void
smbd_lease_share_end(struct smbd_lease_share *sh, int again)
{
	smbd_lease_sharing_fn *done = sh->done;
	void *arg = sh->arg;

	if (sh->ev != NULL)
		event_free(sh->ev);
	smbd_conn_release(sh->c);
	free(sh);
	done(arg, again);
}

/* Another client's lease, or another key's, on the file. */
static int
smbd_lease_share_other(const struct smbd_lease_share *sh,
    const struct smbd_lease *ls)
{
	if (memcmp(ls->file, sh->file, ST_FILE_ID_LEN) != 0)
		return 0;
	return !sh->has_lease || ls->uid != sh->uid ||
	    memcmp(ls->client_guid, sh->guid, 16) != 0 ||
	    memcmp(ls->l.key, sh->key, SMB2_LEASE_KEY_SIZE) != 0;
}

/*
 * The others' leases on the file that hold H lose it, and batch oplocks
 * go to level II (send), and how many of them are still to acknowledge
 * a break.
 */
static size_t
smbd_lease_share_break(struct smbd_lease_share *sh, int send)
{
	struct smbd_env *env = sh->c->env;
	struct smbd_conn *c;
	struct smbd_open *o;
	struct smbd_lease *ls;
	const uint8_t *f;
	size_t n = 0;

	TAILQ_FOREACH(c, &env->conns, entry)
		TAILQ_FOREACH(o, &c->opens, entry) {
			if (o->lease == NULL) {
				/* MS-FSA 2.1.5.1.2: a batch oplock too. */
				if ((f = smbd_file_id(o)) == NULL ||
				    memcmp(f, sh->file, ST_FILE_ID_LEN) != 0)
					continue;
				if (send && o->oplock ==
				    SMB2_OPLOCK_LEVEL_BATCH &&
				    !o->oplock_breaking)
					smbd_lease_oplock_break_send(env,
					    smbd_open_channel(o), o,
					    SMB2_OPLOCK_LEVEL_II);
				n += o->oplock_breaking != 0;
				continue;
			}
			if ((ls = o->lease) == NULL ||
			    !smbd_lease_share_other(sh, ls))
				continue;
			if (!ls->breaking && send &&
			    (ls->l.state & SMB2_LEASE_HANDLE))
				smbd_lease_break_send(env,
				    smbd_open_channel(o), ls, ls->l.state &
				    ~SMB2_LEASE_HANDLE);
			n += ls->breaking != 0;
		}
	return n;
}

static void
smbd_lease_share_poll(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	smbd_lease_share_ask(arg);
}

static void
smbd_lease_share_asked(void *arg, int status, void *reply)
{
	struct smbd_lease_share *sh = arg;
	st_grant_conflict_reply *rep = reply;
	struct timeval tv = { 0, SMBD_BREAK_POLL_MS * 1000 };
	size_t n;

	n = smbd_lease_share_break(sh, 0);
	if (status == 0)
		n += rep->outstanding;
	sh->found += n;
	if (sh->c->closing || sh->found == 0) {
		/* Nothing stood in the way that a break could move. */
		smbd_lease_share_end(sh, 0);
		return;
	}
	if (n == 0) {
		smbd_lease_share_end(sh, 1);
		return;
	}
	if (smbd_lease_past(&sh->deadline)) {
		log_warnx_rl("%s: a break was not acknowledged within [smbd] "
		    "oplock break timeout (%u s): broken to none",
		    sh->c->peer, sh->c->env->break_timeout);
		smbd_lease_breaks_expire(sh->c->env, sh->file);
		smbd_lease_share_end(sh, 1);
		return;
	}
	if (sh->ev == NULL && (sh->ev = evtimer_new(sh->c->env->base,
	    smbd_lease_share_poll, sh)) == NULL)
		fatal("lease break timer");
	/* Cancelled, or its session gone: the violation stands. */
	if (sh->wait != NULL && sh->wait(sh->arg, sh->ev) == -1) {
		smbd_lease_share_end(sh, 0);
		return;
	}
	if (evtimer_add(sh->ev, &tv) == -1)
		fatal("lease break timer");
}

/* stated: the disconnected durable opens on the file go. */
static void
smbd_lease_share_ask(struct smbd_lease_share *sh)
{
	st_grant_smb_conflict_req req;

	if (!smbd_stated_ready(sh->c->env)) {
		smbd_lease_share_asked(sh, -ENOTCONN, NULL);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.file.st_file_len = ST_FILE_ID_LEN;
	req.file.st_file_val = (char *)sh->file;
	req.client_id = sh->client_id;
	req.cause = ST_GRANT_SMB_SHARING;
	ipc_client_call(sh->c->env->stated, ST_GRANT_SMB_CONFLICT,
	    (xdrproc_t)xdr_st_grant_smb_conflict_req, &req,
	    ST_GRANT_CONFLICT_REPLY, (xdrproc_t)xdr_st_grant_conflict_reply,
	    sizeof(st_grant_conflict_reply), smbd_lease_share_asked, sh);
}

void
smbd_lease_sharing(struct smbd_conn *c, struct smbd_open *o,
    const uint8_t *file, const struct smb2_lease *lease,
    smbd_lease_sharing_fn *done, smbd_create_wait_fn *wait, void *arg)
{
	struct smbd_lease_share *sh;
	struct smbd_lease *ls;

	if (file == NULL || (sh = calloc(1, sizeof(*sh))) == NULL) {
		done(arg, 0);
		return;
	}
	sh->c = c;
	smbd_conn_hold(c);
	memcpy(sh->file, file, ST_FILE_ID_LEN);
	sh->client_id = o->owner_id;
	if (lease != NULL) {
		sh->has_lease = 1;
		memcpy(sh->key, lease->key, SMB2_LEASE_KEY_SIZE);
		smbd_lease_client(c->env, o->session_id, sh->guid, &sh->uid);
		if ((ls = smbd_lease_of(c->env, sh->guid, sh->uid,
		    sh->key)) != NULL)
			sh->client_id = ls->owner_id;
		else if (!smbd_durable_id(o->owner_id))
			sh->client_id = smbd_lease_holder(sh->guid, sh->uid,
			    sh->key);
	}
	sh->done = done;
	sh->wait = wait;
	sh->arg = arg;
	clock_gettime(CLOCK_MONOTONIC, &sh->deadline);
	sh->deadline.tv_sec += c->env->break_timeout;
	sh->found = smbd_lease_share_break(sh, 1);
	smbd_lease_share_ask(sh);
}

/* MS-SMB2 3.3.5.22.2: a lease break acknowledged. */
static void
smbd_lease_ack(struct smbd_req *r, const struct smb2_break_ack *ack)
{
	struct smbd_conn *c;
	struct smbd_session *s;
	struct smbd_open *o;
	struct smbd_lease *ls;
	uint8_t out[SMB2_LEASE_ACK_SIZE];
	uint32_t st;

	if ((s = smbd_req_session(r)) == NULL ||
	    smbd_req_tree(r, s) == NULL)
		return;
	/* The connection's client's lease of that key (3.3.1.4). */
	ls = smbd_lease_of(r->conn->env, r->conn->neg.client_guid, s->uid,
	    ack->key);
	if (ls == NULL) {
		smbd_reply_error(r, STATUS_OBJECT_NAME_NOT_FOUND);
		return;
	}
	/*
	 * Names no FileId, yet it ends the replay eligibility of the
	 * lease's opens, refused or not (none here is persistent).
	 */
	TAILQ_FOREACH(c, &r->conn->env->conns, entry)
		TAILQ_FOREACH(o, &c->opens, entry)
			if (o->lease == ls)
				o->replay_eligible = 0;
	if (!ls->breaking) {
		smbd_reply_error(r, STATUS_UNSUCCESSFUL);
		return;
	}
	if ((st = smb2_lease_ack_check(ls->break_to, ack->state)) != 0) {
		/* 3.3.5.22.2: refused; the break is still to acknowledge. */
		smbd_reply_error(r, st);
		return;
	}
	ls->breaking = 0;
	ls->l.state = ack->state;
	/* 3.3.5.9.10: a durable open held by its H lease is no longer. */
	if (!(ls->l.state & SMB2_LEASE_HANDLE))
		TAILQ_FOREACH(c, &r->conn->env->conns, entry)
			TAILQ_FOREACH(o, &c->opens, entry)
				if (o->lease == ls && o->durable)
					smbd_durable_oplock_lost(c, o);
	memset(out, 0, sizeof(out));
	smb2_put16(out, SMB2_LEASE_ACK_SIZE);
	memcpy(out + 8, ls->l.key, SMB2_LEASE_KEY_SIZE);
	smb2_put32(out + 24, ls->l.state);
	smbd_reply(r, STATUS_SUCCESS, out, sizeof(out));
	/* Its next step, if the conflicts need it lower, after the answer. */
	smbd_lease_break_next(r->conn->env, r->conn, ls);
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
		smbd_lease_ack(r, &ack);
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
	if ((st = smb2_oplock_ack_check(o->oplock_break_to,
	    ack.oplock)) != 0) {
		smbd_reply_error(r, st);
		return;
	}
	o->oplock_breaking = 0;
	o->oplock = ack.oplock;
	smbd_file_grant_held(o, o->oplock != SMB2_OPLOCK_LEVEL_NONE);
	smbd_lease_return(r->conn->env, o->owner_id, o->id,
	    o->oplock == SMB2_OPLOCK_LEVEL_II ? ST_GRANT_READ : 0);
	smbd_durable_oplock_lost(r->conn, o);
	smb2_oplock_break_encode(out, o->oplock, o->id, o->id);
	smbd_reply(r, STATUS_SUCCESS, out, sizeof(out));
}

/*
 * ---- Directory leases (MS-SMB2 3.3.5.9.11; MS-FSA 2.1.4.12 with
 * PARENT_OBJECT) ----
 *
 * A directory's lease caches its listing: any change of its entries
 * breaks it to none, whichever protocol made the change.  What says so
 * is blockd's notes (bd_notify), which every front end's committed
 * change sends: smbd watches each leased directory (BD_WATCH, as
 * CHANGE_NOTIFY does, one per lease), so that an entry added, removed
 * or renamed, or the record of an entry that an SMB open has changed
 * (attributes, size, times), comes to smbd after it is committed.
 * Notes rather than stated's ST_GRANT_CONFLICT on the parent: blockd
 * already sends one for every committed change, whoever made it, and
 * nfsd's NFSv4.1 directory delegations are broken the same way; a
 * conflict would have every front end ask stated before each change in
 * a directory with grants.
 * The change has gone on already: the break does not hold it back
 * (the lease holds no W; its H is given back to stated at once and
 * acknowledged later, as a file lease's of RH).  Notes lost (a resync,
 * blockd's channel gone) break every directory lease.
 *
 * A change made through an open whose lease context named the
 * directory's lease key as its ParentLeaseKey (MS-FSA 2.1.4.12.2), by
 * the client that holds that lease, does not break it: smbd lists such
 * a change (directory, client, key) from the request to blockd until
 * its reply, and blockd sends the change's notes before that reply on
 * the same channel.  Another protocol's change of the same directory at
 * the very same moment is taken for the client's own.
 */
struct smbd_dirlease_change {
	LIST_ENTRY(smbd_dirlease_change) entry;
	uint64_t		 id;
	uint8_t			 dir[BD_FH_MAX];
	uint32_t		 dirlen;
	uint8_t			 guid[16];
	uint32_t		 uid;
	uint8_t			 key[SMB2_LEASE_KEY_SIZE];
	int			 all;	/* smbd's own: spares every lease */
};

static void
smbd_lease_dir_watch_done(void *arg, int status, void *reply, int fd)
{
	(void)arg;
	(void)reply;
	(void)fd;
	if (status != 0)
		log_warnx_rl("smbd: BD_WATCH of a leased directory: %s (its "
		    "lease may not be broken by others' changes)",
		    strerror(-status));
}

/* One watch more (on) or less of ls's directory in blockd's count. */
static void
smbd_lease_dir_watch(struct smbd_env *env, const struct smbd_lease *ls,
    int on)
{
	bd_watch_req req;

	/* Gone: blockd forgot; back: smbd_lease_dir_announce. */
	if (!bdc_ready(env->bdc))
		return;
	memset(&req, 0, sizeof(req));
	req.fh.bd_fh_len = ls->dir_fhlen;
	req.fh.bd_fh_val = (char *)(uintptr_t)ls->dir_fh;
	req.on = on;
	bdc_call(env->bdc, BD_WATCH, (xdrproc_t)xdr_bd_watch_req, &req,
	    (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
	    smbd_lease_dir_watch_done, NULL);
}

static void
smbd_lease_dir_watched(void *arg, int status, void *reply, int fd)
{
	struct smbd_lease_op *op = arg;
	bd_attr_reply *rep = reply;
	struct smbd_lease *ls = op->o->lease;

	(void)fd;
	if (status == 0)
		status = rep->status;
	if (status != 0 && ls != NULL && ls->l.state != 0) {
		/* Nothing would break it: it is none from the start. */
		log_warnx_rl("%s: BD_WATCH of a leased directory: %s: no "
		    "lease", op->c->peer, strerror(-status));
		ls->l.state = 0;
		smbd_lease_state_tell(op->c->env, ls);
	}
	/* Not watched: not to be unwatched, nor announced again. */
	if (status != 0 && ls != NULL)
		ls->dir_fhlen = 0;
	smbd_lease_op_end(op, SMB2_OPLOCK_LEVEL_LEASE);
}

/*
 * A new directory lease is answered once blockd watches the directory,
 * so that every change it commits after the client heard of the lease
 * breaks it (another front end's request may reach blockd first).
 */
static void
smbd_lease_dir_watch_first(struct smbd_lease_op *op, struct smbd_lease *ls)
{
	struct smbd_env *env = op->c->env;
	bd_watch_req req;

	if (!bdc_ready(env->bdc)) {
		smbd_lease_dir_watched(op, -ENOTCONN, NULL, -1);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.fh.bd_fh_len = ls->dir_fhlen;
	req.fh.bd_fh_val = (char *)ls->dir_fh;
	req.on = 1;
	bdc_call(env->bdc, BD_WATCH, (xdrproc_t)xdr_bd_watch_req, &req,
	    (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
	    smbd_lease_dir_watched, op);
}

/* The channel to blockd is back: every leased directory watched again. */
void
smbd_lease_dir_announce(struct smbd_env *env)
{
	struct smbd_lease *ls;

	LIST_FOREACH(ls, &env->leases, entry)
		if (ls->dir_fhlen > 0)
			smbd_lease_dir_watch(env, ls, 1);
}

/* The change under way in dir is the lease's holder's, with its key. */
static int
smbd_lease_dir_own(struct smbd_env *env, const struct smbd_lease *ls)
{
	struct smbd_dirlease_change *ch;

	LIST_FOREACH(ch, &env->dirlease_changes, entry)
		if (ch->dirlen == ls->dir_fhlen &&
		    memcmp(ch->dir, ls->dir_fh, ch->dirlen) == 0 &&
		    (ch->all || (ch->uid == ls->uid &&
		    memcmp(ch->guid, ls->client_guid, 16) == 0 &&
		    memcmp(ch->key, ls->l.key, SMB2_LEASE_KEY_SIZE) == 0)))
			return 1;
	return 0;
}

/* MS-FSA 2.1.4.12 (PARENT_OBJECT): dir's leases go to none. */
static void
smbd_lease_dir_break(struct smbd_env *env, const uint8_t *dir,
    uint32_t dirlen, int spare_own)
{
	struct smbd_lease *ls;
	struct smbd_conn *c;

	LIST_FOREACH(ls, &env->leases, entry) {
		if (ls->dir_fhlen == 0 || ls->l.state == 0 || ls->breaking ||
		    (dir != NULL && (ls->dir_fhlen != dirlen ||
		    memcmp(ls->dir_fh, dir, dirlen) != 0)))
			continue;
		if (spare_own && smbd_lease_dir_own(env, ls))
			continue;
		if ((c = smbd_lease_conn(env, ls)) == NULL)
			continue;
		smbd_lease_break_send(env, c, ls, 0);
	}
}

/* blockd's note of a committed change (smbd.c's bdc hook). */
void
smbd_lease_dir_note(struct smbd_env *env, const bd_notify *n)
{
	const uint8_t *fh = (const uint8_t *)n->fh.bd_fh_val;
	uint32_t fhlen = n->fh.bd_fh_len;
	struct smbd_lease *ls;
	struct smbd_conn *c;
	struct smbd_open *o;

	LIST_FOREACH(ls, &env->leases, entry)
		if (ls->dir_fhlen > 0 && ls->l.state != 0)
			break;
	if (ls == NULL || fhlen == 0 || fhlen > BD_FH_MAX)
		return;
	if (n->what & (STORE_NOTIFY_DIRENT | STORE_NOTIFY_REMOVED)) {
		/* An entry of the directory; or the directory itself gone. */
		smbd_lease_dir_break(env, fh, fhlen,
		    (n->what & STORE_NOTIFY_DIRENT) != 0);
		return;
	}
	/*
	 * A record names no directory: an entry's as seen through an SMB
	 * open of it (its parent then known).  A directory's own record
	 * moves with each of its entries' changes and is left alone.
	 */
	TAILQ_FOREACH(c, &env->conns, entry)
		TAILQ_FOREACH(o, &c->opens, entry)
			if (!o->is_dir && o->fhlen == fhlen && o->dir_fhlen >
			    0 && memcmp(o->fh, fh, fhlen) == 0) {
				smbd_lease_dir_break(env, o->dir_fh,
				    o->dir_fhlen, 1);
				return;
			}
}

/*
 * MS-FSA 2.1.5.4: the close of a file written through o sets its last
 * write time, which its directory's listing shows: the directory's
 * leases break, but the one o's ParentLeaseKey names.  Writes go to the
 * backing file without blockd, so no note says it.
 */
static void
smbd_lease_dir_closed(struct smbd_env *env, const struct smbd_open *o)
{
	struct smbd_dirlease_change ch;
	const struct smbd_lease *ol = o->lease;

	if (o->dir_fhlen == 0 || o->dir_fhlen > BD_FH_MAX)
		return;
	if (ol == NULL || !(ol->l.flags & SMB2_LEASE_FLAG_PARENT_KEY_SET)) {
		smbd_lease_dir_break(env, o->dir_fh, o->dir_fhlen, 0);
		return;
	}
	/* Listed for the break alone: nothing else runs meanwhile. */
	memset(&ch, 0, sizeof(ch));
	memcpy(ch.dir, o->dir_fh, o->dir_fhlen);
	ch.dirlen = o->dir_fhlen;
	memcpy(ch.guid, ol->client_guid, 16);
	ch.uid = ol->uid;
	memcpy(ch.key, ol->l.parent_key, SMB2_LEASE_KEY_SIZE);
	LIST_INSERT_HEAD(&env->dirlease_changes, &ch, entry);
	smbd_lease_dir_break(env, o->dir_fh, o->dir_fhlen, 1);
	LIST_REMOVE(&ch, entry);
}

/* Notes were lost: no directory lease can be trusted. */
void
smbd_lease_dir_resync(struct smbd_env *env)
{
	smbd_lease_dir_break(env, NULL, 0, 0);
}

/*
 * A change of dir listed (with a new id) until smbd_lease_dir_changed;
 * NULL when no directory lease is held (nothing to spare) or memory.
 */
static struct smbd_dirlease_change *
smbd_lease_dir_change_new(struct smbd_env *env, const uint8_t *dir,
    uint32_t dirlen)
{
	struct smbd_dirlease_change *ch;
	struct smbd_lease *ls;

	if (dirlen == 0 || dirlen > BD_FH_MAX)
		return NULL;
	LIST_FOREACH(ls, &env->leases, entry)
		if (ls->dir_fhlen > 0)
			break;
	if (ls == NULL || (ch = calloc(1, sizeof(*ch))) == NULL)
		return NULL;
	if (++env->next_dirlease_change == 0)
		env->next_dirlease_change = 1;
	ch->id = env->next_dirlease_change;
	memcpy(ch->dir, dir, dirlen);
	ch->dirlen = dirlen;
	LIST_INSERT_HEAD(&env->dirlease_changes, ch, entry);
	return ch;
}

uint64_t
smbd_lease_dir_changing(struct smbd_env *env, const uint8_t *dir,
    uint32_t dirlen, uint64_t session_id, const struct smb2_lease *lease)
{
	struct smbd_dirlease_change *ch;

	if (lease == NULL || !(lease->flags & SMB2_LEASE_FLAG_PARENT_KEY_SET) ||
	    (ch = smbd_lease_dir_change_new(env, dir, dirlen)) == NULL)
		return 0;
	smbd_lease_client(env, session_id, ch->guid, &ch->uid);
	memcpy(ch->key, lease->parent_key, SMB2_LEASE_KEY_SIZE);
	return ch->id;
}

/*
 * A change of smbd's own in dir that breaks no directory lease: the
 * ARCHIVE bit set after a file's first write (MS-FSA 2.1.5.4: the
 * close of the written file is what its directory's leases see,
 * smbd_lease_dir_closed).  0, or the id for smbd_lease_dir_changed.
 */
uint64_t
smbd_lease_dir_quiet(struct smbd_env *env, const uint8_t *dir,
    uint32_t dirlen)
{
	struct smbd_dirlease_change *ch;

	if ((ch = smbd_lease_dir_change_new(env, dir, dirlen)) == NULL)
		return 0;
	ch->all = 1;
	return ch->id;
}

void
smbd_lease_dir_changed(struct smbd_env *env, uint64_t id)
{
	struct smbd_dirlease_change *ch;

	if (id == 0)
		return;
	LIST_FOREACH(ch, &env->dirlease_changes, entry)
		if (ch->id == id) {
			LIST_REMOVE(ch, entry);
			free(ch);
			return;
		}
}
