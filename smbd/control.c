/*
 * smbd's own control messages (common/smbd_msg.x) on its .ctl socket:
 * `dittofsctl smb sessions' and `dittofsctl smb opens' read the same
 * list: every session of every connection with its user, client
 * address, dialect and signing, its tree connects and its open files.
 * The reply stays under the IPC frame's limit: past about 1 MiB of
 * entries it is cut and says so (truncated).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "perm.h"
#include "smbd.h"
#include "smbd_msg.h"

/* Room left for entries, each counted by its strings and fixed part. */
#define SMBD_CTL_BUDGET		(IPC_BODY_MAX - 64 * 1024)

static const char *
smbd_ctl_share(struct smbd_env *env, size_t share)
{
	if (share == SMBD_SHARE_IPC)
		return "IPC$";
	return share < env->nshares ? env->shares[share].name : "?";
}

static void
smbd_ctl_free(struct smbd_ctl_sessions_reply *rep)
{
	u_int i;

	for (i = 0; i < rep->sessions.sessions_len; i++) {
		free(rep->sessions.sessions_val[i].trees.trees_val);
		free(rep->sessions.sessions_val[i].opens.opens_val);
	}
	free(rep->sessions.sessions_val);
}

/* One session's trees and opens; -1 when out of memory. */
static int
smbd_ctl_session_fill(struct smbd_env *env, struct smbd_conn *c,
    struct smbd_session *s, smbd_ctl_session *d, size_t *budget)
{
	struct smbd_tree *t;
	struct smbd_open *o;
	size_t n, cost;

	d->session_id = s->id;
	d->client = c->peer;
	d->user = s->state == SMBD_SESSION_VALID ? s->user : "";
	d->uid = s->uid;
	d->gid = s->gid;
	d->dialect = c->neg.dialect;
	d->valid = s->state == SMBD_SESSION_VALID;
	d->guest = s->guest != 0;
	d->anonymous = s->anonymous != 0;
	d->signing_required = s->signing_required != 0;
	d->signing = s->has_key != 0;
	d->channels = (u_int)(1 + s->nchannels);
	if (s->ntrees > 0 && (d->trees.trees_val = calloc(s->ntrees,
	    sizeof(*d->trees.trees_val))) == NULL)
		return -1;
	n = 0;
	TAILQ_FOREACH(t, &s->trees, entry) {
		d->trees.trees_val[n].tree_id = t->id;
		d->trees.trees_val[n].share = (char *)smbd_ctl_share(env,
		    t->share);
		n++;
	}
	d->trees.trees_len = (u_int)n;
	n = 0;
	TAILQ_FOREACH(o, &c->opens, entry)
		if (o->session_id == s->id)
			n++;
	if (n > 0 && (d->opens.opens_val = calloc(n,
	    sizeof(*d->opens.opens_val))) == NULL)
		return -1;
	n = 0;
	TAILQ_FOREACH(o, &c->opens, entry) {
		smbd_ctl_open *e;

		if (o->session_id != s->id)
			continue;
		cost = 64 + (o->path != NULL ? strlen(o->path) : 0);
		if (cost > *budget)
			break;
		*budget -= cost;
		e = &d->opens.opens_val[n++];
		e->file_id = o->id;
		e->tree_id = o->tree_id;
		e->share = (char *)smbd_ctl_share(env, o->share);
		e->path = o->path != NULL ? o->path : o->name;
		e->directory = o->is_dir != 0;
		e->pipe = o->pipe != NULL;
		e->readable = o->pipe != NULL || (o->access & PERM_IO_READ);
		e->writable = o->pipe != NULL || (o->access & PERM_IO_WRITE);
		e->delete_on_close = o->delete_pending != 0;
		e->oplock = o->oplock;
		e->oplock_breaking = o->oplock_breaking != 0;
	}
	d->opens.opens_len = (u_int)n;
	return 0;
}

void
smbd_ctl_sessions(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct daemon *d = ipc_peer_server_arg(peer);
	struct smbd_env *env = d->env;
	struct smbd_ctl_sessions_reply rep;
	struct smbd_session *s;
	struct smbd_conn *c;
	size_t n = 0, budget = SMBD_CTL_BUDGET;

	memset(&rep, 0, sizeof(rep));
	TAILQ_FOREACH(c, &env->conns, entry)
		if (!c->closing)
			n += c->nsessions;
	if (n > 0 && (rep.sessions.sessions_val = calloc(n,
	    sizeof(*rep.sessions.sessions_val))) == NULL) {
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM, NULL);
		return;
	}
	n = 0;
	TAILQ_FOREACH(c, &env->conns, entry) {
		if (c->closing)
			continue;
		TAILQ_FOREACH(s, &c->sessions, entry) {
			if (budget < 1024 + 300 * s->ntrees) {
				rep.truncated = 1;
				break;
			}
			budget -= 512 + 300 * s->ntrees;
			if (smbd_ctl_session_fill(env, c, s,
			    &rep.sessions.sessions_val[n++], &budget) == -1) {
				rep.sessions.sessions_len = (u_int)n;
				smbd_ctl_free(&rep);
				ipc_reply_error(ipc_peer_channel(peer), msg,
				    ENOMEM, NULL);
				return;
			}
		}
	}
	rep.sessions.sessions_len = (u_int)n;
	if (budget < 1024)
		rep.truncated = 1;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, SMBD_CTL_SESSIONS_REPLY,
	    -1, (xdrproc_t)xdr_smbd_ctl_sessions_reply, &rep);
	smbd_ctl_free(&rep);
}
