/*
 * NFSv4.0 delegations, nfsd's side (RFC 7530 10.2-10.4; the state is
 * stated's, common/stated_grant.x):
 *
 * - The callback client (RFC 7530 3.3.3, 15.1 of the callback program):
 *   a CB_NULL probe of a client's callback after SETCLIENTID_CONFIRM,
 *   told to stated (ST_V4_CALLBACK), and CB_RECALL when stated pushes
 *   ST_PUSH_RECALL.  Each goes over its own TCP connection to the
 *   client's r_addr (netid "tcp" or "tcp6"), made for it and closed
 *   after, under the flavour of the client's SETCLIENTID (AUTH_SYS, or
 *   RPCSEC_GSS with cb_gss.c); the push carries everything (stateid,
 *   file handle, callback address and its security, which stated keeps
 *   with the client), so a restarted nfsd recalls what the one before
 *   granted, the way the one before would have.
 *   The push is acknowledged once the client answered, or the call
 *   failed: stated revokes what is not returned within the lease.
 * - The set of files that may have a grant (share and inode, with
 *   stated's whole file id): filled from stated's ST_GRANT_FILES after
 *   each connect and from the delegations nfsd hands out, emptied of a
 *   file when stated says it has none left; with each file, whether its
 *   grants are read ones only or a write delegation, and whose.  A
 *   request that changes a file (NFSv3 WRITE, SETATTR, CREATE, REMOVE,
 *   RENAME; NFSv4 WRITE, SETATTR, REMOVE, RENAME) or reads it (NFSv3
 *   READ, GETATTR; NFSv4 READ, GETATTR of size or change) asks stated
 *   (ST_GRANT_CONFLICT) only when its file is in the set, a read only
 *   when the file has a write delegation, and never for that
 *   delegation's holder: I/O to a file with no grant, or under one's
 *   own write delegation, costs a hash lookup, no round trip.  A
 *   request known by name (REMOVE, RENAME) looks the name up in blockd
 *   first, and only while the set is not empty.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockd/store.h"
#include "conf.h"
#include "gssd_msg.h"
#include "log.h"
#include "rpcclnt.h"
#include "nfsd/v4/proc.h"
#include "stated_grant.h"
#include "stated_push.h"
#include "stated_util.h"

#define NFS4_CB_TIMEOUT_MS	10000
#define NFS4_DELEG_BUCKETS	1024
#define NFS4_DELEG_FILES_MAX	(1024 * 1024)
#define NFS4_CB_DOWN_SLOTS	256
#define NFS4_PEER_SLOTS		1024

/* The NFSv4.0 client last seen on a connection (address and port). */
struct nfs4_peer_client {
	uint8_t			 key[16];
	unsigned int		 port;
	uint64_t		 clientid;
};

/*
 * A file that may have grants, with what stated last said of them:
 * level ST_GRANT_WRITE and its holder (whose own requests need not
 * ask), ST_GRANT_READ (reads need not ask), or 0, not known (every
 * request asks).
 */
struct nfs4_deleg_file {
	struct nfs4_deleg_file	*next;
	uint8_t			 id[16];	/* stated's file id */
	uint32_t		 level;
	uint64_t		 holder;
	int			 dir;		/* directory delegations */
};

struct nfs4_deleg {
	struct nfsd_env		*env;
	struct nfs4_deleg_file	*b[NFS4_DELEG_BUCKETS];
	size_t			 nfiles;
	int			 enabled;	/* [stated] delegations */
	int			 write_enabled;	/* [stated] write delegations */
	/* Clients whose callback is known down: no request for a grant. */
	uint64_t		 cb_down[NFS4_CB_DOWN_SLOTS];
	uint64_t		 probes;
	uint64_t		 recalls;
	uint64_t		 recall_failures;
	uint64_t		 conflicts;
	uint64_t		 spared;	/* conflict checks not asked */
	struct nfs4_peer_client	 peers[NFS4_PEER_SLOTS];
	uint64_t		 gss_callbacks;
};

/* ---- the set of files with grants ---- */

static size_t
nfs4_deleg_bucket(const uint8_t id[16])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int i;

	/* Share and inode: what every request of every version knows. */
	for (i = 0; i < 12; i++) {
		h ^= id[i];
		h *= 0x100000001b3ULL;
	}
	return (size_t)(h ^ (h >> 32)) & (NFS4_DELEG_BUCKETS - 1);
}

static struct nfs4_deleg_file **
nfs4_deleg_slot(struct nfs4_deleg *d, const uint8_t id[16], int whole)
{
	struct nfs4_deleg_file **p;

	for (p = &d->b[nfs4_deleg_bucket(id)]; *p != NULL; p = &(*p)->next)
		if (memcmp((*p)->id, id, whole ? 16 : 12) == 0)
			return p;
	return p;
}

/*
 * stated's word on the file's grants (level, write holder): kept.
 * ST_GRANT_DIR: a directory's (read) grants, whose notes dirdeleg.c
 * looks at.
 */
void
nfs4_deleg_file_add(struct nfsd_env *env, const uint8_t id[16],
    uint32_t level, uint64_t holder)
{
	struct nfs4_deleg *d = env->deleg;
	struct nfs4_deleg_file **p, *f;

	if (d == NULL)
		return;
	if ((f = *(p = nfs4_deleg_slot(d, id, 1))) == NULL) {
		/* Short of memory the set is incomplete: conflicts are
		 * missed. */
		if (d->nfiles >= NFS4_DELEG_FILES_MAX ||
		    (f = calloc(1, sizeof(*f))) == NULL) {
			log_warnx_rl("delegated files: set full; NFSv3 "
			    "writes may not recall a delegation");
			return;
		}
		memcpy(f->id, id, 16);
		*p = f;
		d->nfiles++;
	}
	if (level == ST_GRANT_DIR) {
		f->dir = 1;
		level = ST_GRANT_READ;
	}
	f->level = level == ST_GRANT_READ || level == ST_GRANT_WRITE ?
	    level : 0;
	f->holder = f->level == ST_GRANT_WRITE ? holder : 0;
}

/* A holder's grants went (revoked, its state purged): ask stated again. */
static void
nfs4_deleg_holder_gone(struct nfs4_deleg *d, uint64_t clientid)
{
	struct nfs4_deleg_file *f;
	size_t i;

	for (i = 0; i < NFS4_DELEG_BUCKETS; i++)
		for (f = d->b[i]; f != NULL; f = f->next)
			if (f->level == ST_GRANT_WRITE &&
			    f->holder == clientid) {
				f->level = 0;
				f->holder = 0;
			}
}

void
nfs4_deleg_file_remove(struct nfsd_env *env, const uint8_t id[16])
{
	struct nfs4_deleg *d = env->deleg;
	struct nfs4_deleg_file **p, *f;

	if (d == NULL || (f = *(p = nfs4_deleg_slot(d, id, 1))) == NULL)
		return;
	*p = f->next;
	free(f);
	d->nfiles--;
}

void
nfs4_deleg_returned(struct nfsd_env *env, const uint8_t id[16],
    uint64_t clientid)
{
	struct nfs4_deleg_file *f;

	if (env->deleg == NULL || (f = *nfs4_deleg_slot(env->deleg, id, 1)) ==
	    NULL)
		return;
	/* A write grant is the file's only one: none is left. */
	if (f->level == ST_GRANT_WRITE && f->holder == clientid)
		nfs4_deleg_file_remove(env, id);
}

static void
nfs4_deleg_files_clear(struct nfs4_deleg *d)
{
	struct nfs4_deleg_file *f;
	size_t i;

	for (i = 0; i < NFS4_DELEG_BUCKETS; i++)
		while ((f = d->b[i]) != NULL) {
			d->b[i] = f->next;
			free(f);
		}
	d->nfiles = 0;
}

int
nfs4_deleg_maybe(const struct nfsd_env *env)
{
	return env->deleg != NULL && env->deleg->nfiles > 0;
}

/*
 * The set's whole id of (share, inode), into id; 0, or -1 if none (dir:
 * or if it has no directory delegation).
 */
int
nfs4_deleg_lookup_kind(const struct nfsd_env *env, uint32_t share,
    uint64_t ino, int dir, uint8_t id[16])
{
	struct nfs4_deleg_file **p;
	uint8_t key[16];
	int i;

	if (!nfs4_deleg_maybe(env))
		return -1;
	for (i = 0; i < 4; i++)
		key[i] = (uint8_t)(share >> (24 - 8 * i));
	for (i = 0; i < 8; i++)
		key[4 + i] = (uint8_t)(ino >> (56 - 8 * i));
	memset(key + 12, 0, 4);
	if (*(p = nfs4_deleg_slot(env->deleg, key, 0)) == NULL ||
	    (dir && !(*p)->dir))
		return -1;
	memcpy(id, (*p)->id, 16);
	return 0;
}

int
nfs4_deleg_lookup(const struct nfsd_env *env, uint32_t share, uint64_t ino,
    uint8_t id[16])
{
	return nfs4_deleg_lookup_kind(env, share, ino, 0, id);
}

/* ---- whom to ask a delegation for ---- */

static size_t
nfs4_cb_slot(uint64_t clientid)
{
	return (size_t)((clientid * 0x9e3779b97f4a7c15ULL) >> 56) &
	    (NFS4_CB_DOWN_SLOTS - 1);
}

/* An OPEN of this client (write: one that writes): ask for a delegation? */
int
nfs4_deleg_wanted(const struct nfsd_env *env, uint64_t clientid, int write)
{
	const struct nfs4_deleg *d = env->deleg;

	return d != NULL && d->enabled && clientid != 0 &&
	    (!write || d->write_enabled) &&
	    d->cb_down[nfs4_cb_slot(clientid)] != clientid;
}

void
nfs4_deleg_callback_state(struct nfsd_env *env, uint64_t clientid, int up)
{
	struct nfs4_deleg *d = env->deleg;
	size_t i = nfs4_cb_slot(clientid);

	if (d == NULL)
		return;
	if (!up)
		d->cb_down[i] = clientid;
	else if (d->cb_down[i] == clientid)
		d->cb_down[i] = 0;
}

/*
 * ---- whose request it is ----
 *
 * An NFSv4.0 GETATTR or SETATTR with the anonymous stateid names no
 * client.  The client that a connection's earlier requests proved
 * (a stateid stated took, an OPEN, a RENEW) stands for it, so that a
 * holder's own GETATTR does not recall its delegation.  One slot per
 * (address, port), overwritten by the next client proved there.
 */
static size_t
nfs4_peer_slot(const uint8_t key[16], unsigned int port)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ port;
	int i;

	for (i = 0; i < 16; i++) {
		h ^= key[i];
		h *= 0x100000001b3ULL;
	}
	return (size_t)(h ^ (h >> 32)) & (NFS4_PEER_SLOTS - 1);
}

void
nfs4_deleg_peer_set(struct nfsd_env *env, const uint8_t key[16],
    unsigned int port, uint64_t clientid)
{
	struct nfs4_peer_client *p;

	if (env->deleg == NULL || clientid == 0)
		return;
	p = &env->deleg->peers[nfs4_peer_slot(key, port)];
	memcpy(p->key, key, 16);
	p->port = port;
	p->clientid = clientid;
}

uint64_t
nfs4_deleg_peer_get(const struct nfsd_env *env, const uint8_t key[16],
    unsigned int port)
{
	const struct nfs4_peer_client *p;

	if (env->deleg == NULL)
		return 0;
	p = &env->deleg->peers[nfs4_peer_slot(key, port)];
	if (p->port != port || memcmp(p->key, key, 16) != 0)
		return 0;
	return p->clientid;
}

/* ---- the security of a client's callbacks ---- */

/*
 * RFC 7530 3.3.3: the flavour of SETCLIENTID is the callbacks'.  stated
 * keeps it with the callback (common/stated_v4.x) and hands it back in
 * every push that recalls, so no nfsd keeps it: one killed and started
 * again calls back as it would have.
 */
void
nfs4_cb_sec_fill(const struct rpcauth_call *auth, st_v4_callback *cb,
    st_v4_cb_gss *gss)
{
	cb->gss.gss_len = 0;
	cb->gss.gss_val = NULL;
	if (auth->flavor == NULL || auth->flavor->flavor != RPCSEC_GSS)
		return;
	memset(gss, 0, sizeof(*gss));
	gss->service = auth->service;
	gss->principal = (char *)(uintptr_t)auth->msg.cred.machine;
	cb->gss.gss_len = 1;
	cb->gss.gss_val = gss;
}

/* For the log. */
static const char *
nfs4_cb_sec_name(const st_v4_callback *cb)
{
	if (cb->gss.gss_len != 1)
		return "AUTH_SYS";
	switch (cb->gss.gss_val[0].service) {
	case RPCSEC_GSS_SVC_NONE:	return "RPCSEC_GSS krb5";
	case RPCSEC_GSS_SVC_INTEGRITY:	return "RPCSEC_GSS krb5i";
	case RPCSEC_GSS_SVC_PRIVACY:	return "RPCSEC_GSS krb5p";
	default:			return "RPCSEC_GSS";
	}
}

/* ---- conflicts ---- */

struct nfs4_conflict {
	struct nfsd_env		*env;
	uint8_t			 id[16];
	nfs4_deleg_done_fn	*done;
	void			*arg;
};

static void
nfs4_conflict_done(void *arg, int status, void *reply)
{
	struct nfs4_conflict *c = arg;
	st_grant_conflict_reply *rep = reply;
	int delay;

	if (status != 0)
		delay = 1;		/* stated away: the client retries */
	else {
		if (rep->grants == 0)
			nfs4_deleg_file_remove(c->env, c->id);
		delay = rep->outstanding > 0;
		if (delay)
			c->env->deleg->conflicts++;
	}
	c->done(c->arg, delay);
	free(c);
}

/*
 * A request about to change the file id (write) of (protocol, client),
 * or of the client an NFSv4 stateid names: done(arg, 1) while a grant
 * it conflicts with is outstanding (recalled by stated now), else
 * done(arg, 0).  No round trip when the file is not in the set.
 */
void
nfs4_deleg_conflict(struct nfsd_env *env, const uint8_t id[16], int protocol,
    uint64_t clientid, const struct nfs4_stateid *sid, int write,
    nfs4_deleg_done_fn *done, void *arg)
{
	struct nfs4_conflict *c;
	struct nfs4_deleg_file *f;
	st_grant_conflict_req req;
	st_v4_stateid s;

	if (!nfs4_deleg_maybe(env) || (f = *nfs4_deleg_slot(env->deleg, id,
	    1)) == NULL) {
		done(arg, 0);
		return;
	}
	/*
	 * What stated last said of the file spares a round trip: a read
	 * meets read grants only; a write holder's own requests meet
	 * nothing (it holds the file's only grant).
	 */
	if (sid != NULL) {
		protocol = ST_PROTOCOL_NFSV4;
		clientid = nfs4_stateid_clientid(sid);
	}
	if ((!write && f->level == ST_GRANT_READ) ||
	    (f->level == ST_GRANT_WRITE && protocol == ST_PROTOCOL_NFSV4 &&
	    clientid == f->holder && clientid != 0)) {
		env->deleg->spared++;
		done(arg, 0);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		done(arg, 1);
		return;
	}
	c->env = env;
	memcpy(c->id, id, 16);
	c->done = done;
	c->arg = arg;
	memset(&req, 0, sizeof(req));
	req.file.st_file_len = 16;
	req.file.st_file_val = (char *)c->id;
	req.protocol = protocol;
	req.client_id = clientid;
	if (sid != NULL) {
		s.seqid = sid->seqid;
		memcpy(s.other, sid->other, sizeof(s.other));
		req.stateid.stateid_len = 1;
		req.stateid.stateid_val = &s;
	}
	req.write = write;
	stated_client_call(env->sdc, ST_GRANT_CONFLICT,
	    (xdrproc_t)xdr_st_grant_conflict_req, &req, ST_GRANT_CONFLICT_REPLY,
	    (xdrproc_t)xdr_st_grant_conflict_reply,
	    sizeof(st_grant_conflict_reply), nfs4_conflict_done, c);
}

/* A name in a directory: looked up (only while some file has a grant). */
struct nfs4_name_gate {
	struct nfsd_env		*env;
	nfs4_deleg_done_fn	*done;
	void			*arg;
};

static void
nfs4_name_gate_done(void *arg, int status, void *reply, int fd)
{
	struct nfs4_name_gate *g = arg;
	bd_entry_reply *rep = reply;
	uint8_t id[16];

	(void)fd;
	if (status != 0 || rep->attr.type != STORE_TYPE_REG) {
		/* The op itself says what is wrong. */
		g->done(g->arg, 0);
		free(g);
		return;
	}
	nfs4_file_id(id, &rep->attr);
	nfs4_deleg_conflict(g->env, id, 0, 0, NULL, 1, g->done, g->arg);
	free(g);
}

void
nfs4_deleg_name_gate(struct nfsd_env *env, const bd_cred *cred,
    const uint8_t *dir, size_t dirlen, const uint8_t *name, size_t namelen,
    nfs4_deleg_done_fn *done, void *arg)
{
	struct nfs4_name_gate *g;
	bd_dirop_req req;

	if (!nfs4_deleg_maybe(env)) {
		done(arg, 0);
		return;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		done(arg, 1);
		return;
	}
	g->env = env;
	g->done = done;
	g->arg = arg;
	memset(&req, 0, sizeof(req));
	req.cred = *cred;
	req.dir.bd_fh_len = (u_int)dirlen;
	req.dir.bd_fh_val = (char *)(uintptr_t)dir;
	req.name.bd_name_len = (u_int)namelen;
	req.name.bd_name_val = (char *)(uintptr_t)name;
	bdc_call(env->bdc, BD_LOOKUP, (xdrproc_t)xdr_bd_dirop_req, &req,
	    (xdrproc_t)xdr_bd_entry_reply, sizeof(bd_entry_reply),
	    nfs4_name_gate_done, g);
}

/* ---- the callback client ---- */

/* One callback call over a connection of its own. */
struct nfs4_cb_call {
	struct nfsd_env		*env;
	struct rpcclnt_tcp	*conn;
	struct nfs4_cb_gss	*gss;		/* RPCSEC_GSS: cb_gss.c */
	uint64_t		 clientid;
	uint64_t		 push_id;	/* RECALL: the push to ACK */
	int			 recall;
	uint8_t			*args;
	size_t			 args_len;
};

static bool_t
nfs4_cb_xdr_args(XDR *xdrs, void *arg)
{
	struct nfs4_cb_call *c = arg;

	return xdr_opaque(xdrs, (caddr_t)c->args, (u_int)c->args_len);
}

static void
nfs4_cb_free_cb(evutil_socket_t fd, short what, void *arg)
{
	struct nfs4_cb_call *c = arg;

	(void)fd;
	(void)what;
	rpcclnt_tcp_free(c->conn);
	nfs4_cb_gss_free(c->gss);
	free(c->args);
	free(c);
}

/* From inside the connection's own callback: freed on the next turn. */
static void
nfs4_cb_call_free(struct nfs4_cb_call *c)
{
	struct timeval now = { 0, 0 };

	if (event_base_once(c->env->base, -1, EV_TIMEOUT, nfs4_cb_free_cb, c,
	    &now) == -1)
		log_warnx("NFSv4 callback: connection not freed");
}

static void
nfs4_cb_state_done(void *arg, int status, void *reply)
{
	(void)arg;
	(void)reply;
	if (status != 0)
		log_warnx_rl("stated did not hear of a callback's state "
		    "(%s)", strerror(-status));
}

/* ST_V4_CALLBACK: whether the client's callback path answered. */
static void
nfs4_cb_tell_stated(struct nfsd_env *env, uint64_t clientid, int up)
{
	st_v4_callback_req req;

	memset(&req, 0, sizeof(req));
	req.clientid = clientid;
	req.up = up;
	stated_client_call(env->sdc, ST_V4_CALLBACK,
	    (xdrproc_t)xdr_st_v4_callback_req, &req, ST_V4_REPLY,
	    (xdrproc_t)xdr_st_v4_reply, sizeof(st_v4_reply),
	    nfs4_cb_state_done, NULL);
}

static void
nfs4_push_ack(struct nfsd_env *env, uint64_t push_id, st_status status)
{
	struct ipc_channel *ch = stated_client_channel(env->sdc);

	if (ch == NULL || st_push_ack_send(ch, push_id, status) == -1)
		log_warnx("stated: ST_PUSH_ACK of push %llu not sent (it "
		    "comes again)", (unsigned long long)push_id);
}

static void
nfs4_cb_reply(void *arg, int status, XDR *xdrs)
{
	struct nfs4_cb_call *c = arg;
	uint32_t cbstatus = 0;
	int ok;

	if (status == -ECANCELED)
		return;			/* being freed */
	ok = status == 0 && (!c->recall || xdr_u_int(xdrs, &cbstatus));
	if (!c->recall) {
		log_info_rl("NFSv4 client %016llx: callback path %s",
		    (unsigned long long)c->clientid, ok ? "up" : "down");
		nfs4_deleg_callback_state(c->env, c->clientid, ok);
		nfs4_cb_tell_stated(c->env, c->clientid, ok);
	} else {
		if (!ok || cbstatus != NFS4_OK) {
			c->env->deleg->recall_failures++;
			log_warnx_rl("NFSv4 client %016llx: CB_RECALL %s %u; "
			    "stated revokes the delegation after the lease",
			    (unsigned long long)c->clientid, ok ?
			    "answered" : "failed:", ok ? cbstatus :
			    (unsigned int)-status);
		}
		if (!ok)
			nfs4_cb_tell_stated(c->env, c->clientid, 0);
		nfs4_push_ack(c->env, c->push_id, ST_OK);
	}
	nfs4_cb_call_free(c);
}

/* RFC 7530 3.3.3: the call under the client's RPCSEC_GSS service. */
static int
nfs4_cb_start_gss(struct nfs4_cb_call *c, const st_v4_cb_gss *sec,
    uint32_t program, uint32_t proc)
{
	char target[GSSD_NAME_MAX + 1];

	if (sec->principal == NULL || nfs4_cb_gss_target(sec->principal,
	    target, sizeof(target)) == -1) {
		log_warnx_rl("NFSv4 client %016llx: SETCLIENTID as %s, which "
		    "names no host for an RPCSEC_GSS callback",
		    (unsigned long long)c->clientid, sec->principal != NULL ?
		    sec->principal : "(none)");
		errno = EACCES;
		return -1;
	}
	if ((c->gss = nfs4_cb_gss_call(c->env, c->conn, target, sec->service,
	    program, proc, c->args, c->args_len, NFS4_CB_TIMEOUT_MS,
	    nfs4_cb_reply, c)) == NULL)
		return -1;
	c->env->deleg->gss_callbacks++;
	return 0;
}

/* The call to the client's callback, under its SETCLIENTID's flavour. */
static int
nfs4_cb_start(struct nfs4_cb_call *c, const st_v4_callback *cb,
    uint32_t proc)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int rc, saved;

	if (cb->gss.gss_len > 1) {
		errno = EINVAL;
		return -1;
	}
	if (nfs4_cb_sockaddr(cb->netid, cb->uaddr, &ss, &len) == -1) {
		errno = EINVAL;
		return -1;
	}
	if ((c->conn = rpcclnt_tcp_new(c->env->base, (struct sockaddr *)&ss,
	    len)) == NULL)
		return -1;
	if (cb->gss.gss_len == 1)
		rc = nfs4_cb_start_gss(c, &cb->gss.gss_val[0], cb->cb_program,
		    proc);
	else
		rc = rpcclnt_tcp_auth_sys(c->conn, "dittofs") == -1 ||
		    rpcclnt_tcp_call(c->conn, cb->cb_program, NFS4_CB_VERSION,
		    proc,
		    c->args != NULL ? (xdrproc_t)nfs4_cb_xdr_args : NULL, c,
		    NFS4_CB_TIMEOUT_MS, nfs4_cb_reply, c) == -1 ? -1 : 0;
	if (rc == -1) {
		saved = errno;
		rpcclnt_tcp_free(c->conn);
		c->conn = NULL;
		errno = saved;
		return -1;
	}
	return 0;
}

/* RFC 7530 16.34.4: after SETCLIENTID_CONFIRM, CB_NULL on the callback. */
void
nfs4_cb_probe(struct nfsd_env *env, uint64_t clientid,
    const st_v4_callback *cb)
{
	struct nfs4_cb_call *c;

	if (env->deleg == NULL || (c = calloc(1, sizeof(*c))) == NULL)
		return;
	c->env = env;
	c->clientid = clientid;
	env->deleg->probes++;
	if (nfs4_cb_start(c, cb, NFS4_CB_PROC_NULL) == -1) {
		log_info_rl("NFSv4 client %016llx: callback %s %s: %s; no "
		    "delegations", (unsigned long long)clientid, cb->netid,
		    cb->uaddr, strerror(errno));
		nfs4_deleg_callback_state(env, clientid, 0);
		nfs4_cb_tell_stated(env, clientid, 0);
		free(c);
	}
}

/* RFC 7530 16.2 (callback): CB_RECALL of a delegation stated pushed. */
static st_status
nfs4_cb_recall(struct nfsd_env *env, const struct st_push *p)
{
	const struct st_push_grant *g = &p->body.st_push_body_u.grant;
	const st_v4_callback *cb;
	struct nfs4_cb_call *c;
	struct nfs4_stateid sid;
	struct nfs4_opaque fh;
	struct xdrbuf_out o;

	if (g->holder.protocol != ST_PROTOCOL_NFSV4 ||
	    g->stateid.stateid_len != NFS4_OTHER_SIZE ||
	    g->handle.handle_len == 0 || g->handle.handle_len > NFS4_FHSIZE)
		return ST_INVALID;
	/* A v4.1 client has no callback address: its backchannel. */
	if (g->v4_callback.v4_callback_len == 0 ||
	    g->v4_callback.v4_callback_val[0].netid == NULL ||
	    g->v4_callback.v4_callback_val[0].netid[0] == '\0') {
		env->deleg->recalls++;
		return nfs41_back_recall(env, p->push_id, g->holder.client_id,
		    (const uint8_t *)g->stateid.stateid_val,
		    (const uint8_t *)g->handle.handle_val,
		    g->handle.handle_len);
	}
	if (g->v4_callback.v4_callback_len != 1)
		return ST_INVALID;
	cb = &g->v4_callback.v4_callback_val[0];
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ST_NOMEM;
	c->env = env;
	c->clientid = g->holder.client_id;
	c->push_id = p->push_id;
	c->recall = 1;
	sid.seqid = 1;
	memcpy(sid.other, g->stateid.stateid_val, NFS4_OTHER_SIZE);
	fh.p = (const uint8_t *)g->handle.handle_val;
	fh.len = g->handle.handle_len;
	xdrbuf_out_init(&o);
	nfs4_cb_encode_recall(&o, NULL, cb->ident, &sid, 0, &fh);
	if (o.failed || (c->args = malloc(o.len)) == NULL) {
		xdrbuf_out_free(&o);
		free(c);
		return ST_NOMEM;
	}
	memcpy(c->args, o.buf, o.len);
	c->args_len = o.len;
	xdrbuf_out_free(&o);
	env->deleg->recalls++;
	if (nfs4_cb_start(c, cb, NFS4_CB_PROC_COMPOUND) == -1) {
		log_warnx_rl("NFSv4 client %016llx: CB_RECALL to %s %s: %s; "
		    "stated revokes the delegation after the lease",
		    (unsigned long long)c->clientid, cb->netid, cb->uaddr,
		    strerror(errno));
		env->deleg->recall_failures++;
		nfs4_cb_tell_stated(env, c->clientid, 0);
		free(c->args);
		free(c);
		return ST_OK;
	}
	log_info_rl("NFSv4 client %016llx: CB_RECALL sent under %s",
	    (unsigned long long)c->clientid, nfs4_cb_sec_name(cb));
	return -1;		/* ACKed when the client answers */
}

/* A push from stated (common/stated_push.x): recall or revocation. */
void
nfs4_deleg_push(struct nfsd_env *env, struct ipc_msg *msg)
{
	struct st_push p;
	int status;

	memset(&p, 0, sizeof(p));
	if (ipc_decode(msg, (xdrproc_t)xdr_st_push, &p) == -1) {
		log_warnx_rl("stated: malformed ST_PUSH");
		return;
	}
	switch (p.body.kind) {
	case ST_PUSH_RECALL:
		status = env->deleg != NULL ? (int)nfs4_cb_recall(env, &p) :
		    ST_INVALID;
		break;
	case ST_PUSH_REVOKED:
		/* An empty stateid: all of a client's state (v4/state.c). */
		if (env->deleg != NULL)
			nfs4_deleg_holder_gone(env->deleg,
			    p.body.st_push_body_u.revoked.client_id);
		if (p.body.st_push_body_u.revoked.stateid.stateid_len == 0) {
			status = nfs4_state_push(env, &p);
			break;
		}
		/* Its stateid may be in the cache: the client's go. */
		nfs4_stateid_cache_drop_client(env->v4_stateids,
		    p.body.st_push_body_u.revoked.client_id);
		log_warnx_rl("NFSv4 client %016llx: a delegation was revoked "
		    "(not returned within the lease after its recall)",
		    (unsigned long long)
		    p.body.st_push_body_u.revoked.client_id);
		status = ST_OK;
		break;
	case ST_PUSH_RECALL_ANY:
		status = nfs41_back_recall_any(env, p.push_id,
		    p.body.st_push_body_u.recall_any.clientid,
		    p.body.st_push_body_u.recall_any.keep);
		break;
	case ST_PUSH_FORGET:
		/* stated dropped a v4.1 session or client on its own. */
		if (p.body.st_push_body_u.forget.sessionid.sessionid_len == 16)
			nfs4_session_forget(env, (const uint8_t *)p.body.
			    st_push_body_u.forget.sessionid.sessionid_val);
		else {
			nfs4_client_forget(env,
			    p.body.st_push_body_u.forget.clientid);
			nfs4_stateid_cache_drop_client(env->v4_stateids,
			    p.body.st_push_body_u.forget.clientid);
		}
		status = ST_OK;
		break;
	default:
		log_warnx("stated: push %llu of kind %d, not nfsd's",
		    (unsigned long long)p.push_id, (int)p.body.kind);
		status = ST_INVALID;
		break;
	}
	if (status != -1)
		nfs4_push_ack(env, p.push_id, (st_status)status);
	xdr_free((xdrproc_t)xdr_st_push, &p);
}

/* After each connect to stated: the files that have grants. */
static void
nfs4_deleg_files_done(void *arg, int status, void *reply)
{
	struct nfsd_env *env = arg;
	st_grant_files_reply *rep = reply;
	u_int i;

	if (status != 0) {
		log_warnx("stated: no list of delegated files (%s); NFSv3 "
		    "writes recall only what this nfsd grants", strerror(
		    -status));
		return;
	}
	nfs4_deleg_files_clear(env->deleg);
	for (i = 0; i < rep->files.files_len; i++)
		if (rep->files.files_val[i].file.st_file_len == 16)
			nfs4_deleg_file_add(env, (const uint8_t *)
			    rep->files.files_val[i].file.st_file_val,
			    rep->files.files_val[i].level,
			    rep->files.files_val[i].holder);
	if (env->deleg->nfiles > 0)
		log_info("%zu delegated file(s) known from stated%s",
		    env->deleg->nfiles, rep->truncated ? " (list cut short)" :
		    "");
}

void
nfs4_deleg_connected(struct nfsd_env *env)
{
	if (env->deleg == NULL)
		return;
	stated_client_call(env->sdc, ST_GRANT_FILES,
	    /* No body at all: ipc_encode refuses an empty one. */
	    NULL, NULL, ST_GRANT_FILES_REPLY,
	    (xdrproc_t)xdr_st_grant_files_reply,
	    sizeof(st_grant_files_reply), nfs4_deleg_files_done, env);
}

struct nfs4_deleg *
nfs4_deleg_new(struct nfsd_env *env)
{
	struct nfs4_deleg *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	if ((env->v41_dirs = nfs41_dirs_new(env)) == NULL) {
		free(d);
		return NULL;
	}
	d->env = env;
	d->enabled = conf_get_bool(env->daemon->conf, "stated", "delegations");
	d->write_enabled = conf_get_bool(env->daemon->conf, "stated",
	    "write delegations");
	return d;
}

void
nfs4_deleg_free(struct nfs4_deleg *d)
{
	if (d == NULL)
		return;
	nfs41_dirs_free(d->env->v41_dirs);
	d->env->v41_dirs = NULL;
	nfs4_deleg_files_clear(d);
	free(d);
}

void
nfs4_deleg_status(const struct nfsd_env *env, char *buf, size_t len)
{
	const struct nfs4_deleg *d = env->deleg;

	if (d == NULL) {
		snprintf(buf, len, "off");
		return;
	}
	snprintf(buf, len, "%zu file(s) with grants; %llu callback probe(s), "
	    "%llu recall(s), %llu failed; %llu request(s) delayed, %llu "
	    "check(s) spared; %llu callback call(s) under RPCSEC_GSS",
	    d->nfiles, (unsigned long long)d->probes,
	    (unsigned long long)d->recalls,
	    (unsigned long long)d->recall_failures,
	    (unsigned long long)d->conflicts, (unsigned long long)d->spared,
	    (unsigned long long)d->gss_callbacks);
}
