/*
 * NFSv4.1 directory delegations, nfsd's side (RFC 8881 10.9, 18.39,
 * 20.4; the state is stated's, common/stated_grant.x):
 *
 * - GET_DIR_DELEGATION asks stated (ST_GRANT_V4_DIR_DELEGATE) for a
 *   grant of the directory, with the notifications asked that nfsd
 *   sends: NOTIFY4_ADD_ENTRY, _REMOVE_ENTRY, _RENAME_ENTRY and
 *   _CHANGE_DIR_ATTRS (no child attributes, no cookies, no attribute
 *   values).  The directory joins the set of files with grants
 *   (callback.c), so its notes are looked at.
 * - blockd's notes (BD_NOTIFY, after every committed change made by
 *   any protocol) of a directory in that set are gathered per
 *   directory and per changer, and sent to stated once per turn of the
 *   loop (ST_GRANT_V4_DIR_CHANGE) with what happened; stated says whom
 *   to tell, and recalls the rest (their CB_RECALL comes back as any
 *   recall does, ST_PUSH_RECALL, and goes through backchan.c).  Those
 *   to tell get one CB_NOTIFY each over their backchannel.
 * - Whose change it is.  A v4.1 COMPOUND op that may change a
 *   directory (CREATE, OPEN, LINK, REMOVE, RENAME, SETATTR) is listed
 *   while it runs, with its directories and names.  blockd sends a
 *   change's notes before its reply, on the one channel, so a note of
 *   that op arrives while the op is listed.  A note of an entry is the
 *   client's when a listed op of that client names that directory and
 *   name and no op of another client does; a note of the directory's
 *   own record when listed ops on it are that client's alone.  Any
 *   other note (NFSv3, SMB, v4.0, or one that cannot be told) is
 *   nobody's: every holder hears of it.  So a holder is never left
 *   untold of another's change, except when another protocol changes
 *   the very same name (or, for the directory's attributes, the same
 *   directory) at the same instant as the holder's own op.
 * - The directory's own attributes move with every entry change: a
 *   note of them in a batch that has entry notes is taken as part of
 *   them, not as a CHANGE_DIR_ATTRS.  The directory's removal, too
 *   many changes for one batch, or notes lost (BD_NOTIFY_RESYNC)
 *   recall instead; so does a CB_NOTIFY that is lost (not queued, not
 *   answered, or answered with an error), for its holder alone.
 */
#include <sys/queue.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockd/store.h"
#include "log.h"
#include "nfsd/v4/proc.h"
#include "stated_grant.h"
#include "stated_util.h"

#define NFS41_DIR_EVENTS_MAX	32	/* per batch; beyond: recall */
#define NFS41_DIR_BATCHES_MAX	256	/* pending; beyond: sent now */
#define NFS41_DIR_NAME_MAX	255

/* What nfsd tells of (RFC 8881 20.4.1). */
#define NFS41_DIR_NOTIFY_SUPPORTED \
	(1u << NOTIFY4_ADD_ENTRY | 1u << NOTIFY4_REMOVE_ENTRY | \
	1u << NOTIFY4_RENAME_ENTRY | 1u << NOTIFY4_CHANGE_DIR_ATTRS)

struct nfs41_dir_event {
	uint32_t		 type;		/* NOTIFY4_* */
	uint8_t			 name[NFS41_DIR_NAME_MAX];
	uint32_t		 name_len;
	uint8_t			 newname[NFS41_DIR_NAME_MAX];
	uint32_t		 newname_len;
};

/* One directory's changes by one changer, in this turn of the loop. */
struct nfs41_dir_batch {
	TAILQ_ENTRY(nfs41_dir_batch) entry;
	struct nfsd_env		*env;
	uint8_t			 id[16];	/* stated's file id */
	uint64_t		 clientid;	/* the changer; 0: nobody's */
	uint8_t			 fh[NFS4_FHSIZE];
	uint32_t		 fh_len;
	int			 dir_attrs;	/* its own record changed */
	int			 unnotifiable;	/* removed, or too much */
	struct nfs41_dir_event	 ev[NFS41_DIR_EVENTS_MAX];
	size_t			 n;
};

TAILQ_HEAD(nfs41_dir_batches, nfs41_dir_batch);

struct nfs41_dirs {
	struct nfsd_env		*env;
	struct nfs41_dir_batches pending;
	size_t			 npending;
	int			 flush_queued;
	TAILQ_HEAD(, nfs41_dir_changer) changers;
	/* A rename's old name (its DEL), until its new name's ADD. */
	struct nfs41_dir_batch	*rename_batch;	/* NULL: none open */
	uint32_t		 rename_share;
	uint64_t		 rename_ino;
	uint64_t		 grants;
	uint64_t		 refusals;
	uint64_t		 changes;
	uint64_t		 notifies;
	uint64_t		 recalls;
	uint64_t		 resyncs;
	uint64_t		 lost;		/* CB_NOTIFYs */
};

/* ---- whose change it is ---- */

static int
nfs41_dir_changes(uint32_t op)
{
	switch (op) {
	case OP_CREATE:
	case OP_OPEN:
	case OP_LINK:
	case OP_REMOVE:
	case OP_RENAME:
	case OP_SETATTR:
		return 1;
	}
	return 0;
}

/* Before the op runs: listed, when a v4.1 client's op changes a name. */
void
nfs41_dir_changer_begin(struct nfs4_call *v)
{
	struct nfs41_dirs *d = v->nfs.env->v41_dirs;
	struct nfs41_dir_changer *c = &v->w->changer;
	const struct nfs4_opaque *none = NULL;

	if (d == NULL || c->listed || v->c.minorversion <
	    NFS41_MINOR_VERSION || v->w->v41.clientid == 0 ||
	    !nfs41_dir_changes(v->op.opnum) || !v->w->cur.set ||
	    v->w->cur.pseudo)
		return;
	memset(c, 0, sizeof(*c));
	c->clientid = v->w->v41.clientid;
	c->cur = &v->w->cur;
	switch (v->op.opnum) {
	case OP_CREATE:
		c->cur_name = &v->op.u.create.name;
		break;
	case OP_OPEN:
		c->cur_name = &v->op.u.open.name;
		break;
	case OP_LINK:
	case OP_REMOVE:
		c->cur_name = &v->op.u.name.name;
		break;
	case OP_RENAME:
		c->cur_name = &v->op.u.rename.newname;
		if (v->w->saved.set && !v->w->saved.pseudo) {
			c->saved = &v->w->saved;
			c->saved_name = &v->op.u.rename.oldname;
		}
		break;
	default:
		c->cur_name = none;	/* SETATTR: the object itself */
		break;
	}
	/* The op may move the current file: the directory is copied. */
	memcpy(c->dir, c->cur->data, c->cur->len);
	c->dir_len = c->cur->len;
	if (c->saved != NULL) {
		memcpy(c->saved_dir, c->saved->data, c->saved->len);
		c->saved_dir_len = c->saved->len;
	}
	c->listed = 1;
	TAILQ_INSERT_TAIL(&d->changers, c, entry);
}

void
nfs41_dir_changer_end(struct nfs4_call *v)
{
	struct nfs41_dirs *d;
	struct nfs41_dir_changer *c;

	if (v->w == NULL || !(c = &v->w->changer)->listed ||
	    (d = v->nfs.env->v41_dirs) == NULL)
		return;
	TAILQ_REMOVE(&d->changers, c, entry);
	c->listed = 0;
}

static int
nfs41_same_bytes(const uint8_t *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* One listed op's claim on a note of directory fh (name: an entry). */
static int
nfs41_dir_changer_claims(const struct nfs41_dir_changer *c, const bd_fh *fh,
    const bd_name *name)
{
	int cur = nfs41_same_bytes(c->dir, c->dir_len, fh->bd_fh_val,
	    fh->bd_fh_len);
	int saved = c->saved_dir_len > 0 && nfs41_same_bytes(c->saved_dir,
	    c->saved_dir_len, fh->bd_fh_val, fh->bd_fh_len);

	if (name == NULL)
		return cur || saved;
	return (cur && c->cur_name != NULL && nfs41_same_bytes(c->cur_name->p,
	    c->cur_name->len, name->bd_name_val, name->bd_name_len)) ||
	    (saved && nfs41_same_bytes(c->saved_name->p, c->saved_name->len,
	    name->bd_name_val, name->bd_name_len));
}

/* The v4.1 client whose op made the note, or 0: nobody's, or unknown. */
static uint64_t
nfs41_dir_changer_of(struct nfs41_dirs *d, const bd_notify *n)
{
	const struct nfs41_dir_changer *c;
	const bd_name *name = n->what & STORE_NOTIFY_DIRENT ? &n->name : NULL;
	uint64_t who = 0;

	TAILQ_FOREACH(c, &d->changers, entry) {
		if (!nfs41_dir_changer_claims(c, &n->fh, name))
			continue;
		if (who != 0 && who != c->clientid)
			return 0;	/* two clients: it cannot be told */
		who = c->clientid;
	}
	return who;
}

/* ---- the changes of a turn ---- */

static void	nfs41_dir_flush(struct nfs41_dirs *);

static void
nfs41_dir_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct nfs41_dirs *d = arg;

	(void)fd;
	(void)what;
	d->flush_queued = 0;
	nfs41_dir_flush(d);
}

static struct nfs41_dir_batch *
nfs41_dir_batch_get(struct nfs41_dirs *d, const uint8_t id[16],
    uint64_t clientid, const bd_fh *fh)
{
	struct nfs41_dir_batch *b;
	struct timeval now = { 0, 0 };

	TAILQ_FOREACH(b, &d->pending, entry)
		if (b->clientid == clientid && memcmp(b->id, id, 16) == 0)
			return b;
	if (d->npending >= NFS41_DIR_BATCHES_MAX)
		nfs41_dir_flush(d);
	if (fh->bd_fh_len == 0 || fh->bd_fh_len > NFS4_FHSIZE ||
	    (b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->env = d->env;
	memcpy(b->id, id, 16);
	b->clientid = clientid;
	memcpy(b->fh, fh->bd_fh_val, fh->bd_fh_len);
	b->fh_len = fh->bd_fh_len;
	TAILQ_INSERT_TAIL(&d->pending, b, entry);
	d->npending++;
	if (!d->flush_queued) {
		if (event_base_once(d->env->base, -1, EV_TIMEOUT,
		    nfs41_dir_flush_cb, d, &now) == -1)
			log_warnx_rl("NFSv4.1 directory notes: not sent");
		else
			d->flush_queued = 1;
	}
	return b;
}

static void
nfs41_dir_event_add(struct nfs41_dir_batch *b, uint32_t type,
    const bd_name *name)
{
	struct nfs41_dir_event *e;

	if (b->n >= NFS41_DIR_EVENTS_MAX || name->bd_name_len == 0 ||
	    name->bd_name_len > NFS41_DIR_NAME_MAX) {
		if (!b->unnotifiable)
			log_info_rl("NFSv4.1: more than %d changes of a "
			    "delegated directory at once; its delegations are "
			    "recalled", NFS41_DIR_EVENTS_MAX);
		b->unnotifiable = 1;
		return;
	}
	e = &b->ev[b->n++];
	e->type = type;
	memcpy(e->name, name->bd_name_val, name->bd_name_len);
	e->name_len = name->bd_name_len;
}

/*
 * A rename's new name: in the directory of its old one, the REMOVE just
 * added becomes the RENAME; elsewhere it is an ADD here (and stays a
 * REMOVE there).
 */
static void
nfs41_dir_rename_new(struct nfs41_dirs *d, struct nfs41_dir_batch *b,
    const bd_notify *n)
{
	struct nfs41_dir_event *e;

	if (b != NULL && d->rename_batch == b && b->n > 0 &&
	    d->rename_share == n->share && d->rename_ino == n->ino &&
	    (e = &b->ev[b->n - 1])->type == NOTIFY4_REMOVE_ENTRY &&
	    n->name.bd_name_len > 0 &&
	    n->name.bd_name_len <= NFS41_DIR_NAME_MAX) {
		e->type = NOTIFY4_RENAME_ENTRY;
		memcpy(e->newname, n->name.bd_name_val, n->name.bd_name_len);
		e->newname_len = n->name.bd_name_len;
	} else if (b != NULL)
		nfs41_dir_event_add(b, NOTIFY4_ADD_ENTRY, &n->name);
	d->rename_batch = NULL;
}

/* blockd's note (nfs3_notify passes every one). */
void
nfs41_dir_note(struct nfsd_env *env, const bd_notify *n)
{
	struct nfs41_dirs *d = env->v41_dirs;
	struct nfs41_dir_batch *b = NULL;
	uint8_t id[16];
	uint32_t what = n->what;

	if (d == NULL)
		return;
	if (what & BD_NOTIFY_RESYNC) {
		/* Notes were lost: every directory delegation goes. */
		d->rename_batch = NULL;
		if (nfs4_deleg_maybe(env))
			nfs41_dir_recall_all(env);
		return;
	}
	if (nfs4_deleg_lookup_kind(env, n->share, n->ino, 1, id) == 0)
		b = nfs41_dir_batch_get(d, id, nfs41_dir_changer_of(d, n),
		    &n->fh);
	if (!(what & STORE_NOTIFY_DIRENT)) {
		if (b == NULL)
			return;
		if (what & STORE_NOTIFY_REMOVED)
			b->unnotifiable = 1;
		else
			b->dir_attrs = 1;
		return;
	}
	if ((what & STORE_NOTIFY_RENAME) && (what & STORE_NOTIFY_ENTRY_ADD)) {
		nfs41_dir_rename_new(d, b, n);
		return;
	}
	d->rename_batch = NULL;
	if (b == NULL)
		return;
	if (what & STORE_NOTIFY_ENTRY_DEL) {
		nfs41_dir_event_add(b, NOTIFY4_REMOVE_ENTRY, &n->name);
		if (what & STORE_NOTIFY_RENAME) {
			d->rename_batch = b;
			d->rename_share = n->share;
			d->rename_ino = n->ino;
		}
	} else if (what & STORE_NOTIFY_ENTRY_ADD)
		nfs41_dir_event_add(b, NOTIFY4_ADD_ENTRY, &n->name);
	else
		b->unnotifiable = 1;	/* an entry note that says neither */
}

/* What the batch holds, as NOTIFY4_* bits for stated. */
static uint32_t
nfs41_dir_batch_types(const struct nfs41_dir_batch *b)
{
	uint32_t types = 0;
	size_t i;

	for (i = 0; i < b->n; i++)
		types |= 1u << b->ev[i].type;
	/* The directory's times move with its entries: part of them. */
	if (b->dir_attrs && b->n == 0)
		types |= 1u << NOTIFY4_CHANGE_DIR_ATTRS;
	if (b->unnotifiable)
		types |= ST_GRANT_DIR_UNNOTIFIABLE;
	return types;
}

/* One CB_NOTIFY to a holder that asked for all the batch holds. */
static int
nfs41_dir_tell(struct nfs41_dir_batch *b, const st_grant_dir_holder *h)
{
	struct nfs41_notify_event ev[NFS41_DIR_EVENTS_MAX + 1];
	struct nfs4_stateid sid;
	struct nfs4_opaque fh;
	struct xdrbuf_out o;
	size_t i, n = 0;
	int rc;

	for (i = 0; i < b->n; i++, n++) {
		ev[n].type = b->ev[i].type;
		ev[n].name.p = b->ev[i].name;
		ev[n].name.len = b->ev[i].name_len;
		ev[n].newname.p = b->ev[i].newname;
		ev[n].newname.len = b->ev[i].newname_len;
	}
	if (b->dir_attrs && b->n == 0) {
		memset(&ev[n], 0, sizeof(ev[n]));
		ev[n++].type = NOTIFY4_CHANGE_DIR_ATTRS;
	}
	nfs4_stateid_from_st(&sid, &h->stateid);
	fh.p = b->fh;
	fh.len = b->fh_len;
	xdrbuf_out_init(&o);
	nfs41_cb_put_notify(&o, &sid, &fh, ev, n);
	rc = o.failed ? -1 : nfs41_back_notify(b->env, h->clientid, o.buf,
	    o.len);
	xdrbuf_out_free(&o);
	return rc;
}

static void	nfs41_dir_change_send(struct nfsd_env *, const uint8_t *,
		    uint64_t, uint32_t, const struct nfs4_stateid *,
		    struct nfs41_dir_batch *);

static void
nfs41_dir_change_done(void *arg, int status, void *reply)
{
	struct nfs41_dir_batch *b = arg;
	st_grant_dir_change_reply *rep = reply;
	struct nfs41_dirs *d;
	struct nfs4_stateid sid;
	u_int i;

	if (b == NULL)
		return;			/* a recall of them all */
	d = b->env->v41_dirs;
	if (status != 0) {
		log_warnx_rl("stated: a delegated directory's change not "
		    "told (%s)", strerror(-status));
		free(b);
		return;
	}
	d->recalls += rep->recalled;
	/* None left (all returned): its notes need not be looked at. */
	if (rep->grants == 0)
		nfs4_deleg_file_remove(b->env, b->id);
	for (i = 0; i < rep->notify.notify_len; i++) {
		if (nfs41_dir_tell(b, &rep->notify.notify_val[i]) == 0) {
			d->notifies++;
			continue;
		}
		/* Not to be told: the delegation goes back instead. */
		nfs4_stateid_from_st(&sid, &rep->notify.notify_val[i].stateid);
		nfs41_dir_notify_lost(b->env, rep->notify.notify_val[i].
		    clientid, &sid);
	}
	free(b);
}

static void
nfs41_dir_change_send(struct nfsd_env *env, const uint8_t *id,
    uint64_t clientid, uint32_t types, const struct nfs4_stateid *one,
    struct nfs41_dir_batch *b)
{
	st_grant_dir_change_req req;
	st_v4_stateid s;

	memset(&req, 0, sizeof(req));
	req.file.st_file_len = id != NULL ? 16 : 0;
	req.file.st_file_val = (char *)(uintptr_t)id;
	req.clientid = clientid;
	req.types = types;
	if (one != NULL) {
		s.seqid = one->seqid;
		memcpy(s.other, one->other, sizeof(s.other));
		req.stateid.stateid_len = 1;
		req.stateid.stateid_val = &s;
	}
	stated_client_call(env->sdc, ST_GRANT_V4_DIR_CHANGE,
	    (xdrproc_t)xdr_st_grant_dir_change_req, &req,
	    ST_GRANT_DIR_CHANGE_REPLY, (xdrproc_t)xdr_st_grant_dir_change_reply,
	    sizeof(st_grant_dir_change_reply), nfs41_dir_change_done, b);
}

static void
nfs41_dir_flush(struct nfs41_dirs *d)
{
	struct nfs41_dir_batch *b;

	d->rename_batch = NULL;
	while ((b = TAILQ_FIRST(&d->pending)) != NULL) {
		TAILQ_REMOVE(&d->pending, b, entry);
		d->npending--;
		if (b->n == 0 && !b->dir_attrs && !b->unnotifiable) {
			free(b);
			continue;
		}
		d->changes++;
		nfs41_dir_change_send(d->env, b->id, b->clientid,
		    nfs41_dir_batch_types(b), NULL, b);
	}
}

/* Notes were lost (or cannot be told): every directory delegation. */
void
nfs41_dir_recall_all(struct nfsd_env *env)
{
	if (env->v41_dirs == NULL)
		return;
	env->v41_dirs->resyncs++;
	log_warnx_rl("NFSv4.1: blockd's notes were lost; every directory "
	    "delegation is recalled");
	nfs41_dir_change_send(env, NULL, 0, ST_GRANT_DIR_UNNOTIFIABLE, NULL,
	    NULL);
}

/*
 * A CB_NOTIFY that could not be queued, failed or was refused: its
 * holder missed changes, so that delegation is recalled (CB_RECALL).
 */
void
nfs41_dir_notify_lost(struct nfsd_env *env, uint64_t clientid,
    const struct nfs4_stateid *sid)
{
	if (env->v41_dirs == NULL)
		return;
	env->v41_dirs->lost++;
	log_warnx_rl("NFSv4.1 client %016llx: a CB_NOTIFY was lost; its "
	    "directory delegation is recalled", (unsigned long long)clientid);
	nfs41_dir_change_send(env, NULL, 0, 0, sid, NULL);
}

/* ---- GET_DIR_DELEGATION ---- */

static void
nfs41_gdd_unavail(struct nfs4_call *v)
{
	memset(&v->res.u, 0, sizeof(v->res.u));
	v->res.u.get_dir_delegation.status = GDD4_UNAVAIL;
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs41_gdd_done(void *arg, int status, void *reply)
{
	struct nfs4_call *v = arg;
	st_grant_delegate_reply *rep = reply;
	struct nfs41_dirs *d = v->nfs.env->v41_dirs;
	uint64_t verf;
	uint32_t st;
	int i;

	if (status == 0 && rep->status != ST4_OK) {
		nfs4_fail(v, nfs4_stated_status(0, rep->status));
		return;
	}
	if (status != 0 || rep->level != ST_GRANT_DIR) {
		d->refusals++;
		if (status == 0 && rep->why == ST_GRANT_NONE_CALLBACK)
			nfs4_deleg_callback_state(v->nfs.env,
			    v->w->v41.clientid, 0);
		nfs41_gdd_unavail(v);
		return;
	}
	d->grants++;
	st = v->op.u.get_dir_delegation.types.w[0] &
	    NFS41_DIR_NOTIFY_SUPPORTED;
	memset(&v->res.u, 0, sizeof(v->res.u));
	v->res.u.get_dir_delegation.status = GDD4_OK;
	/* blockd's cookie verifier (store_ops.c): cookies never go stale. */
	verf = v->attr.ino ^ ((uint64_t)v->attr.generation << 40);
	for (i = 0; i < NFS4_VERIFIER_SIZE; i++)
		v->res.u.get_dir_delegation.verf[i] =
		    (uint8_t)(verf >> (56 - 8 * i));
	nfs4_stateid_from_st(&v->res.u.get_dir_delegation.stateid,
	    &rep->stateid);
	v->res.u.get_dir_delegation.notification = st;
	/* Its notes are looked at from now on. */
	nfs4_deleg_file_add(v->nfs.env, v->file, ST_GRANT_DIR, 0);
	nfs4_op_done(v, NFS4_OK);
}

static void
nfs41_gdd_file(struct nfs4_call *v)
{
	st_grant_dir_delegate_req req;

	if (v->attr.type != STORE_TYPE_DIR) {
		nfs4_fail(v, NFS4ERR_NOTDIR);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.clientid = v->w->v41.clientid;
	req.file.st_file_len = sizeof(v->file);
	req.file.st_file_val = (char *)v->file;
	req.handle.handle_len = v->w->cur.len;
	req.handle.handle_val = (char *)v->w->cur.data;
	req.notify = v->op.u.get_dir_delegation.types.w[0] &
	    NFS41_DIR_NOTIFY_SUPPORTED;
	nfs4_stated(v, ST_GRANT_V4_DIR_DELEGATE,
	    (xdrproc_t)xdr_st_grant_dir_delegate_req, &req,
	    ST_GRANT_DELEGATE_REPLY, (xdrproc_t)xdr_st_grant_delegate_reply,
	    sizeof(st_grant_delegate_reply), nfs41_gdd_done);
}

/* RFC 8881 18.39: GET_DIR_DELEGATION of the current directory. */
void
nfs41_op_get_dir_delegation(struct nfs4_call *v)
{
	/* The pseudo file system changes with the configuration alone. */
	if (v->w->cur.pseudo || v->nfs.env->v41_dirs == NULL ||
	    v->nfs.env->deleg == NULL || v->w->v41.clientid == 0) {
		nfs41_gdd_unavail(v);
		return;
	}
	nfs4_file_get(v, nfs41_gdd_file);
}

/* ---- life ---- */

struct nfs41_dirs *
nfs41_dirs_new(struct nfsd_env *env)
{
	struct nfs41_dirs *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->env = env;
	TAILQ_INIT(&d->pending);
	TAILQ_INIT(&d->changers);
	return d;
}

void
nfs41_dirs_free(struct nfs41_dirs *d)
{
	struct nfs41_dir_batch *b;

	if (d == NULL)
		return;
	while ((b = TAILQ_FIRST(&d->pending)) != NULL) {
		TAILQ_REMOVE(&d->pending, b, entry);
		free(b);
	}
	free(d);
}

void
nfs41_dirs_status(const struct nfsd_env *env, char *buf, size_t len)
{
	const struct nfs41_dirs *d = env->v41_dirs;

	if (d == NULL) {
		snprintf(buf, len, "off");
		return;
	}
	snprintf(buf, len, "%llu granted, %llu refused; %llu change(s) "
	    "sent to stated, %llu CB_NOTIFY (%llu lost), %llu recalled, %llu "
	    "resync(s)", (unsigned long long)d->grants,
	    (unsigned long long)d->refusals, (unsigned long long)d->changes,
	    (unsigned long long)d->notifies, (unsigned long long)d->lost,
	    (unsigned long long)d->recalls, (unsigned long long)d->resyncs);
}
