/*
 * dittofs-stated main: the lock and share-reservation table, the grace
 * period and the client records behind it (DESIGN.md section 5).  Each
 * message set has its file: lock.c (common/stated_lock.x), grace.c
 * (stated_client.x), the reply cache below (stated_drc.x), the pushes
 * below and in push.c (stated_push.x), NFSv4.0 state in v4.c on
 * v4state.c (stated_v4.x) and its delegations, caching grants, in v4.c
 * on grant.c (stated_grant.x), NFSv4.1 sessions in session.c on
 * session_table.c (stated_session.x).
 *
 * It also keeps nfsd's duplicate request cache (drc.h), in memory, so
 * that it outlives an nfsd restart: nfsd stores entries one way and
 * reads them all back after each connect (nfsd/drc.c says why).
 *
 * What it tells a front end unasked (a queued lock granted, a
 * delegation recalled or revoked, later an SMB break) is a push
 * (common/stated_push.x), kept in push.c until that front end
 * acknowledges it and sent again each time it says HELLO after a
 * reconnect.
 *
 * The message sets are common/stated_*.x, one per subsystem; the one
 * handler table below says which role may send which.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "stated.h"

/* Berkeley DB in its chroot: files, mmap'ed regions, fsync. */
static const char *const stated_syscalls[] = {
	"openat", "open", "unlinkat", "unlink", "renameat", "rename",
	"mkdirat", "mkdir", "ftruncate", "fallocate", "fsync", "fdatasync",
	"getdents64", "flock", "access", "faccessat", "faccessat2",
	"readlink", "readlinkat", "stat", "lstat", "statfs", "fchmod",
	"pread64", "pwrite64", "getcwd",
	NULL
};

#define FRONT_ENDS	(IPC_ROLE_BIT(IPC_ROLE_NFSD) | \
			 IPC_ROLE_BIT(IPC_ROLE_SMBD) | \
			 IPC_ROLE_BIT(IPC_ROLE_LOCKD))
#define CTL		IPC_ROLE_BIT(IPC_ROLE_CTL)
#define STATD		IPC_ROLE_BIT(IPC_ROLE_STATD)
#define NFSD		IPC_ROLE_BIT(IPC_ROLE_NFSD)
#define SMBD		IPC_ROLE_BIT(IPC_ROLE_SMBD)

struct stated_env *
stated_env_of(struct ipc_peer *peer)
{
	struct daemon *d = ipc_peer_server_arg(peer);

	return d->env;
}

void
stated_reply(struct ipc_peer *peer, struct ipc_msg *msg,
    struct st_reply *rep)
{
	ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_REPLY, -1,
	    (xdrproc_t)xdr_st_reply, rep);
}

void
stated_reply_status(struct ipc_peer *peer, struct ipc_msg *msg, int status)
{
	struct st_reply rep;

	memset(&rep, 0, sizeof(rep));
	rep.status = status;
	stated_reply(peer, msg, &rep);
}

int
stated_decode(struct ipc_peer *peer, struct ipc_msg *msg, xdrproc_t proc,
    void *obj)
{
	if (ipc_decode(msg, proc, obj) == -1) {
		log_warnx_rl("%s: malformed message type %u", ipc_peer_name(peer),
		    msg->hdr.type);
		ipc_reply_error(ipc_peer_channel(peer), msg, EBADMSG, NULL);
		return -1;
	}
	stated_env_of(peer)->requests++;
	return 0;
}

/*
 * Which protocol's state each front end may touch: what its own
 * protocol could claim (DESIGN.md section 6).  A taken-over nfsd may
 * not take or free NLM locks, nor lockd SMB ones.
 */
static const struct {
	enum ipc_role	 role;
	int		 protocol;
} stated_role_protocols[] = {
	{ IPC_ROLE_LOCKD, ST_PROTOCOL_NLM },
	{ IPC_ROLE_STATD, ST_PROTOCOL_NLM },
	{ IPC_ROLE_NFSD, ST_PROTOCOL_NFSV4 },
	{ IPC_ROLE_SMBD, ST_PROTOCOL_SMB },
};

int
stated_protocol_ok(struct ipc_peer *peer, int protocol)
{
	size_t i;

	for (i = 0; i < sizeof(stated_role_protocols) /
	    sizeof(stated_role_protocols[0]); i++)
		if (stated_role_protocols[i].role == ipc_peer_role(peer) &&
		    stated_role_protocols[i].protocol == protocol)
			return 1;
	log_warnx_rl("%s: state of protocol %d refused to its role",
	    ipc_peer_name(peer), protocol);
	return 0;
}

/* Sends a kept push (again) to a front end's connection. */
static void
stated_push_send(struct stated_env *env, struct ipc_peer *peer,
    struct push_entry *p)
{
	uint8_t *m;
	size_t len;

	if ((m = push_message(p, &len)) == NULL ||
	    ipc_send(ipc_peer_channel(peer), ST_PUSH, 0, 0, -1, m, len) == -1)
		log_warn("push %llu to %s (kept; sent again at its next "
		    "HELLO)", (unsigned long long)p->id, ipc_peer_name(peer));
	else
		env->pushes_sent++;
	free(m);
}

/*
 * Keeps a push for the front end named by role and HELLO name and sends
 * it if that front end is connected: it stays until that front end
 * acknowledges it (stated_push.x), and goes out again at its next
 * HELLO.  0 or -1.
 */
int
stated_push_to(struct stated_env *env, uint32_t role, const char *name,
    const st_push_body *body)
{
	struct ipc_peer *peer;
	struct push_entry *p;
	uint8_t *b;
	size_t len;
	uint64_t id;

	if ((b = ipc_encode((xdrproc_t)xdr_st_push_body, body, &len)) == NULL) {
		log_warn("push to %s: encoding", name);
		return -1;
	}
	id = push_queue_add(env->pushes, role, name, b, len);
	free(b);
	if (id == 0) {
		env->pushes_refused++;
		if (errno == ENOSPC)
			log_warnx_rl("%s has %d pushes without an ACK: push "
			    "not kept", name, STATED_PUSH_MAX);
		else
			log_warn("push to %s not kept", name);
		return -1;
	}
	p = push_queue_find(env->pushes, id);
	p->attempt++;
	for (peer = ipc_server_peer_first(env->daemon->service); peer != NULL;
	    peer = ipc_server_peer_next(peer)) {
		if ((uint32_t)ipc_peer_role(peer) == role &&
		    strcmp(ipc_peer_name(peer), name) == 0) {
			stated_push_send(env, peer, p);
			break;
		}
	}
	return 0;
}

/* To every nfsd connected now: what they all cache of a client. */
void
stated_push_nfsds(struct stated_env *env, const st_push_body *body)
{
	struct ipc_peer *peer;

	if (env->daemon == NULL || env->daemon->service == NULL)
		return;
	for (peer = ipc_server_peer_first(env->daemon->service); peer != NULL;
	    peer = ipc_server_peer_next(peer))
		if (ipc_peer_role(peer) == IPC_ROLE_NFSD)
			stated_push(env, peer, body);
}

/* To the front end behind peer (stated_push_to). */
int
stated_push(struct stated_env *env, struct ipc_peer *peer,
    const st_push_body *body)
{
	return stated_push_to(env, (uint32_t)ipc_peer_role(peer),
	    ipc_peer_name(peer), body);
}

/*
 * nfsd's duplicate request cache (drc.h).  Only nfsd may send these (the
 * handler table says so); what it sends is still checked: the XDR bounds
 * the batch and each reply, the table bounds the entries.  A PUT is one
 * way: a malformed one is a protocol violation and closes the channel,
 * since there is no reply to carry an error.
 */
#define STATED_DRC_CHUNK_BYTES	(512 * 1024)

static void
stated_drc_put(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_drc_put req;
	struct drc_table_key k;
	st_drc_entry *e;
	size_t nomem = 0;
	u_int i;

	memset(&req, 0, sizeof(req));
	if (ipc_decode(msg, (xdrproc_t)xdr_st_drc_put, &req) == -1) {
		log_warnx_rl("%s: malformed DRC_PUT of %zu bytes; disconnecting",
		    ipc_peer_name(peer), msg->len);
		ipc_channel_close(ipc_peer_channel(peer), NULL);
		return;
	}
	env->requests++;
	for (i = 0; i < req.entries.entries_len; i++) {
		e = &req.entries.entries_val[i];
		memset(&k, 0, sizeof(k));
		memcpy(k.addr, e->addr, sizeof(k.addr));
		k.port = e->port;
		k.xid = e->xid;
		k.prog = e->prog;
		k.vers = e->vers;
		k.proc = e->proc;
		k.args_sum = e->args_sum;
		if (drc_table_put(env->drc, &k,
		    (const uint8_t *)e->reply.reply_val,
		    e->reply.reply_len) == -1) {
			if (errno == ENOMEM)
				nomem++;
			env->drc_refused++;
			continue;
		}
		env->drc_puts++;
	}
	if (nomem > 0)
		log_warnx("%s: %zu reply cache entr%s not kept: out of memory",
		    ipc_peer_name(peer), nomem, nomem == 1 ? "y" : "ies");
	xdr_free((xdrproc_t)xdr_st_drc_put, &req);
}

struct stated_drc_chunk {
	st_drc_entry	*v;
	size_t		 n;
};

static void
stated_drc_chunk_cb(void *arg, const struct drc_table_key *k,
    const uint8_t *reply, size_t len)
{
	struct stated_drc_chunk *c = arg;
	st_drc_entry *e = &c->v[c->n++];

	memcpy(e->addr, k->addr, sizeof(e->addr));
	e->port = k->port;
	e->xid = k->xid;
	e->prog = k->prog;
	e->vers = k->vers;
	e->proc = k->proc;
	e->args_sum = k->args_sum;
	/* The table's memory, unchanged until the reply is encoded. */
	e->reply.reply_len = (u_int)len;
	e->reply.reply_val = (char *)(uintptr_t)reply;
}

static void
stated_drc_dump(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_drc_dump_req req;
	struct st_drc_dump_reply rep;
	struct stated_drc_chunk c;
	uint64_t next;
	int eof;

	memset(&req, 0, sizeof(req));
	if (stated_decode(peer, msg, (xdrproc_t)xdr_st_drc_dump_req, &req) ==
	    -1)
		return;
	memset(&c, 0, sizeof(c));
	if ((c.v = calloc(ST_DRC_BATCH_MAX, sizeof(*c.v))) == NULL) {
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM, NULL);
		return;
	}
	drc_table_dump(env->drc, req.cursor, ST_DRC_BATCH_MAX,
	    STATED_DRC_CHUNK_BYTES, stated_drc_chunk_cb, &c, &next, &eof);
	memset(&rep, 0, sizeof(rep));
	rep.entries.entries_len = (u_int)c.n;
	rep.entries.entries_val = c.v;
	rep.cursor = next;
	rep.eof = eof;
	rep.total = drc_table_count(env->drc);
	if (ipc_reply_xdr(ipc_peer_channel(peer), msg, ST_DRC_DUMP_REPLY, -1,
	    (xdrproc_t)xdr_st_drc_dump_reply, &rep) == -1)
		log_warn("%s: DRC_DUMP reply", ipc_peer_name(peer));
	if (req.cursor == 0)
		log_info("%s reads the reply cache: %zu entr%s",
		    ipc_peer_name(peer), drc_table_count(env->drc),
		    drc_table_count(env->drc) == 1 ? "y" : "ies");
	free(c.v);
}

/* A front end acknowledges a push (one way: no reply). */
static void
stated_push_ack(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct stated_env *env = stated_env_of(peer);
	struct st_push_ack ack;

	memset(&ack, 0, sizeof(ack));
	if (ipc_decode(msg, (xdrproc_t)xdr_st_push_ack, &ack) == -1) {
		log_warnx_rl("%s: malformed PUSH_ACK; disconnecting",
		    ipc_peer_name(peer));
		ipc_channel_close(ipc_peer_channel(peer), NULL);
		return;
	}
	env->requests++;
	/* A repeated push is acknowledged twice: the second finds none. */
	if (push_queue_ack(env->pushes, ipc_peer_role(peer),
	    ipc_peer_name(peer), ack.push_id) == -1)
		log_debug("%s: ACK of push %llu, which it does not have",
		    ipc_peer_name(peer), (unsigned long long)ack.push_id);
	else if (ack.status != ST_OK)
		log_info("%s: push %llu done with status %d",
		    ipc_peer_name(peer), (unsigned long long)ack.push_id,
		    (int)ack.status);
	xdr_free((xdrproc_t)xdr_st_push_ack, &ack);
}

struct stated_resend {
	struct stated_env	*env;
	struct ipc_peer		*peer;
};

static void
stated_resend_cb(void *arg, struct push_entry *p)
{
	struct stated_resend *r = arg;

	stated_push_send(r->env, r->peer, p);
}

/* A front end said HELLO: what it did not acknowledge goes out again. */
static void
stated_peer_hello(struct ipc_peer *peer, void *arg)
{
	struct daemon *d = arg;
	struct stated_resend r = { d->env, peer };
	size_t n;

	n = push_queue_resend(r.env->pushes, ipc_peer_role(peer),
	    ipc_peer_name(peer), stated_resend_cb, &r);
	if (n > 0)
		log_info("%s is back: %zu push(es) without an ACK sent again",
		    ipc_peer_name(peer), n);
}

const struct ipc_handler stated_handlers[] = {
	{ ST_LOCK, FRONT_ENDS, stated_lock },
	{ ST_UNLOCK, FRONT_ENDS, stated_range },
	{ ST_TEST, FRONT_ENDS, stated_range },
	{ ST_CANCEL, FRONT_ENDS, stated_range },
	{ ST_SHARE, FRONT_ENDS, stated_share },
	{ ST_UNSHARE, FRONT_ENDS, stated_unshare },
	{ ST_RELEASE_HOST, FRONT_ENDS | STATD, stated_release_host },
	{ ST_RELEASE_CLIENT, FRONT_ENDS, stated_release_client },
	{ ST_GRACE_INFO, FRONT_ENDS | STATD, stated_grace_info },
	{ ST_DRC_PUT, NFSD, stated_drc_put },
	{ ST_DRC_DUMP, NFSD, stated_drc_dump },
	{ ST_PUSH_ACK, FRONT_ENDS, stated_push_ack },
	/* NFSv4.0 state: nfsd's alone (and stated_role_protocols). */
	{ ST_V4_SETCLIENTID, NFSD, stated_v4_setclientid },
	{ ST_V4_SETCLIENTID_CONFIRM, NFSD, stated_v4_confirm },
	{ ST_V4_RENEW, NFSD, stated_v4_clientid },
	{ ST_V4_OPEN, NFSD, stated_v4_open },
	{ ST_V4_OPEN_REPLAY, NFSD, stated_v4_open_replay },
	{ ST_V4_OPEN_CONFIRM, NFSD, stated_v4_seqid },
	{ ST_V4_OPEN_DOWNGRADE, NFSD, stated_v4_seqid },
	{ ST_V4_CLOSE, NFSD, stated_v4_seqid },
	{ ST_V4_LOCK, NFSD, stated_v4_lock },
	{ ST_V4_LOCKT, NFSD, stated_v4_lockt },
	{ ST_V4_LOCKU, NFSD, stated_v4_seqid },
	{ ST_V4_RELEASE_LOCKOWNER, NFSD, stated_v4_release_lockowner },
	{ ST_V4_CHECK, NFSD, stated_v4_check },
	{ ST_V4_CALLBACK, NFSD, stated_v4_callback },
	{ ST_V4_TEST_STATEID, NFSD, stated_v4_test_stateid },
	{ ST_V4_FREE_STATEID, NFSD, stated_v4_free_stateid },
	/* NFSv4.1 sessions: nfsd's alone too. */
	{ ST_SESSION_EXCHANGE_ID, NFSD, stated_session_exchange_id },
	{ ST_SESSION_CREATE, NFSD, stated_session_create },
	{ ST_SESSION_DESTROY, NFSD, stated_session_destroy },
	{ ST_SESSION_DESTROY_CLIENTID, NFSD, stated_session_destroy_clientid },
	{ ST_SESSION_LOAD, NFSD, stated_session_load },
	{ ST_SESSION_SLOT_DONE, NFSD, stated_session_slot_done },
	{ ST_SESSION_BACK, NFSD, stated_session_back },
	{ ST_SESSION_BACK_CTL, NFSD, stated_session_back_ctl },
	{ ST_SESSION_SHRINK, NFSD, stated_session_shrink },
	{ ST_SESSION_MACH_CHECK, NFSD, stated_session_mach_check },
	{ ST_SESSION_RECLAIM_COMPLETE, NFSD, stated_session_reclaim_complete },
	/* Caching grants: NFSv4 delegations, nfsd's alone today. */
	{ ST_GRANT_V4_DELEGATE, NFSD, stated_grant_delegate },
	{ ST_GRANT_V4_RETURN, NFSD, stated_grant_return },
	{ ST_GRANT_CONFLICT, NFSD | SMBD, stated_grant_conflict },
	{ ST_GRANT_FILES, NFSD, stated_grant_files },
	{ ST_GRANT_V4_CLAIM_CUR, NFSD, stated_grant_claim_cur },
	{ ST_GRANT_V4_DIR_DELEGATE, NFSD, stated_grant_dir_delegate },
	{ ST_GRANT_V4_DIR_CHANGE, NFSD, stated_grant_dir_change },
	/* SMB oplocks and leases (lease.c): smbd's alone. */
	{ ST_GRANT_SMB, SMBD, stated_grant_smb },
	{ ST_GRANT_SMB_RETURN, SMBD, stated_grant_smb_return },
	{ ST_GRANT_SMB_LEASE, SMBD, stated_grant_smb_lease },
	{ ST_GRANT_SMB_OPLOCK, SMBD, stated_grant_smb_oplock },
	{ ST_GRANT_SMB_CONFLICT, SMBD, stated_grant_smb_conflict },
	/* SMB durable handles (durable.c): smbd's alone. */
	{ ST_DURABLE_OPEN, SMBD, stated_durable_open },
	{ ST_DURABLE_CLOSE, SMBD, stated_durable_close },
	{ ST_DURABLE_DISCONNECT, SMBD, stated_durable_disconnect },
	{ ST_DURABLE_DOOM, SMBD, stated_durable_doom },
	{ ST_DURABLE_RECONNECT, SMBD, stated_durable_reconnect },
};
const size_t stated_nhandlers = sizeof(stated_handlers) /
    sizeof(stated_handlers[0]);

static const struct ipc_handler stated_ctl_handlers[] = {
	{ ST_GRACE_INFO, CTL, stated_grace_info },
	{ ST_GRACE_END, CTL, stated_ctl_grace_end },
	{ ST_LOCKS, CTL, stated_ctl_locks },
	{ ST_V4_CLIENTS, CTL, stated_v4_ctl_clients },
	{ ST_V4_REVOKE, CTL, stated_v4_clientid },
	{ ST_SESSION_LIST, CTL, stated_session_ctl_list },
	{ ST_SESSION_DESTROY, CTL, stated_session_destroy },
	{ ST_SESSION_DESTROY_CLIENTID, CTL, stated_session_destroy_clientid },
	{ ST_GRANT_LIST, CTL, stated_grant_ctl_list },
	{ ST_DURABLE_LIST, CTL, stated_durable_ctl_list },
};

/*
 * A front end went away: its queued requests go (lock.c), smbd's
 * durable opens wait for their clients (durable.c).
 */
static void
stated_peer_gone(struct ipc_peer *peer, void *arg)
{
	struct daemon *d = arg;

	stated_waiters_cancel(d->env, peer);
	stated_durable_peer_gone(d->env, peer);
}

static void
stated_pre_init(struct daemon *d)
{
	struct stated_env *env = d->env;
	struct sched_param sp = { .sched_priority = 0 };

	env->daemon = d;
	/*
	 * SCHED_BATCH: woken, stated does not preempt the process that
	 * woke it.  nfsd stores each reply-cache entry here just before it
	 * sends the reply; where both share a CPU, stated ran first and
	 * every non-idempotent reply waited for it (bench/RESULTS.md,
	 * session 8).  A sender that waits for an answer sleeps, so stated
	 * runs at once; only on a CPU busy with other work does it wait
	 * for its turn instead of taking it.
	 */
	if (sched_setscheduler(0, SCHED_BATCH, &sp) == -1)
		log_warn("sched_setscheduler SCHED_BATCH");
	TAILQ_INIT(&env->waiters);
	daemon_allow_peer(d, IPC_ROLE_NFSD, 0);
	daemon_allow_peer(d, IPC_ROLE_SMBD, 0);
	daemon_allow_peer(d, IPC_ROLE_LOCKD, 0);
	daemon_allow_peer(d, IPC_ROLE_STATD, 0);
	daemon_serve(d, "stated.sock", stated_handlers, stated_nhandlers);
	ipc_server_set_peer_callbacks(d->service, stated_peer_hello,
	    stated_peer_gone);
}

static void
stated_clients_log(const char *msg)
{
	log_warnx("%s", msg);
}

/* NFSv4.1's lease and limits (dittofs.conf(5) [stated]). */
static void
stated_session_limits(struct daemon *d)
{
	struct session_limits lim;

	memset(&lim, 0, sizeof(lim));
	lim.sessions_per_client = (size_t)conf_get_int(d->conf, "stated",
	    "nfsv4.1 sessions per client");
	lim.slots_per_session = (size_t)conf_get_int(d->conf, "stated",
	    "nfsv4.1 slots per session");
	lim.max_request = (uint32_t)conf_get_int(d->conf, "stated",
	    "nfsv4.1 max request size");
	lim.max_response = (uint32_t)conf_get_int(d->conf, "stated",
	    "nfsv4.1 max response size");
	lim.cached_max = (uint32_t)conf_get_int(d->conf, "stated",
	    "nfsv4.1 cached reply max");
	lim.memory_max = (size_t)conf_get_int(d->conf, "stated",
	    "nfsv4.1 session memory") << 20;
	lim.clients_per_addr = (size_t)conf_get_int(d->conf, "stated",
	    "clients per address");
	stated_session_configure(d->env, conf_get_int(d->conf, "stated",
	    "lease time"), &lim);
}

/* The per-host limits of dittofs.conf(5), at start and on reload. */
static void
stated_limits(struct daemon *d)
{
	struct stated_env *env = d->env;

	env->locks_per_host = (size_t)conf_get_int(d->conf, "stated",
	    "locks per host");
	env->clients_per_addr = (size_t)conf_get_int(d->conf, "stated",
	    "clients per address");
	if (env->locks != NULL)
		lock_table_set_client_max(env->locks, env->locks_per_host);
	if (env->v4 != NULL) {
		stated_v4_configure(env, conf_get_int(d->conf, "stated",
		    "lease time"), (size_t)conf_get_int(d->conf, "stated",
		    "nfsv4 opens per client"), (size_t)conf_get_int(d->conf,
		    "stated", "nfsv4 owners per client"));
		v4_state_set_grants(env->v4, env->caching,
		    conf_get_bool(d->conf, "stated", "delegations"),
		    (size_t)conf_get_int(d->conf, "stated",
		    "nfsv4 delegations per client"));
		v4_state_set_write_delegations(env->v4,
		    conf_get_bool(d->conf, "stated", "write delegations"));
		v4_state_set_dir_delegations(env->v4,
		    conf_get_bool(d->conf, "stated", "directory delegations"));
	}
	env->smb_grants_max = (size_t)conf_get_int(d->conf, "stated",
	    "smb leases per session");
	env->durable_per_user = (size_t)conf_get_int(d->conf, "stated",
	    "smb durable handles per user");
	if (env->sessions != NULL)
		stated_session_limits(d);
}

static void
stated_post_init(struct daemon *d)
{
	struct stated_env *env = d->env;
	char dir[PATH_MAX + 16], err[512];
	long long grace = conf_get_int(d->conf, "stated", "grace period");

	if ((env->locks = lock_table_new(stated_grant_cb, env)) == NULL)
		fatal("lock table");
	if ((env->pushes = push_queue_new(STATED_PUSH_MAX)) == NULL)
		fatal("push queue");
	stated_limits(d);
	/* As many entries as nfsd keeps itself: one knob for both. */
	if ((env->drc = drc_table_new((size_t)conf_get_int(d->conf, "nfsd",
	    "reply cache size"))) == NULL)
		fatal("reply cache");
	snprintf(dir, sizeof(dir), "%s/clients", d->sandbox.chroot[0] ? "" :
	    d->state_dir);
	if (clients_open(dir, stated_clients_log, &env->clients, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	if ((env->v4 = v4_state_new(env->locks, env->clients,
	    clients_epoch(env->clients))) == NULL)
		fatal("NFSv4 state");
	if ((env->sessions = session_table_new(env->locks, env->clients,
	    clients_epoch(env->clients))) == NULL)
		fatal("NFSv4.1 sessions");
	/* One client table: v4.1 clients' opens and locks are v4state's. */
	v4_state_set_sessions(env->v4, env->sessions);
	stated_grant_init(env, d->base);
	stated_durable_init(env, d->base);
	stated_limits(d);
	/* RFC 7530 9.6.3: a grace period shorter than a lease loses
	 * reclaims of clients that renew once a lease. */
	if (grace > 0 && grace < v4_state_lease(env->v4))
		log_warnx("grace period %lld s is shorter than the lease "
		    "time %lld s: NFSv4 clients may not get to reclaim", grace,
		    (long long)v4_state_lease(env->v4));
	stated_grace_init(env, d->base, grace);
}

static void
stated_stop(struct daemon *d)
{
	struct stated_env *env = d->env;

	while (!TAILQ_EMPTY(&env->waiters))
		stated_waiter_free(env, TAILQ_FIRST(&env->waiters));
	if (env->ev_grace != NULL)
		event_free(env->ev_grace);
	if (env->ev_sweep != NULL)
		event_free(env->ev_sweep);
	if (env->ev_grant != NULL)
		event_free(env->ev_grant);
	env->ev_grace = env->ev_sweep = env->ev_grant = NULL;
	stated_durable_stop(env);
	session_table_free(env->sessions);
	env->sessions = NULL;
	grant_table_free(env->caching);
	env->caching = NULL;
	v4_state_free(env->v4);
	env->v4 = NULL;
	clients_close(env->clients);
	env->clients = NULL;
	lock_table_free(env->locks);
	env->locks = NULL;
	drc_table_free(env->drc);
	env->drc = NULL;
	push_queue_free(env->pushes);
	env->pushes = NULL;
}

static void
stated_reload(struct daemon *d)
{
	struct stated_env *env = d->env;
	size_t max = (size_t)conf_get_int(d->conf, "nfsd", "reply cache size");

	stated_limits(d);
	if (env->drc != NULL && max != drc_table_max(env->drc)) {
		drc_table_resize(env->drc, max);
		log_info("reply cache: at most %zu entries", max);
	}
}

static void
stated_status(struct daemon *d, char *buf, size_t len)
{
	struct stated_env *env = d->env;
	struct lock_table_stats st;
	struct v4_state_stats v4;
	struct session_table_stats ss;
	struct grant_stats gs;
	int n;

	memset(&gs, 0, sizeof(gs));
	if (env->caching != NULL)
		grant_stats(env->caching, &gs);
	memset(&st, 0, sizeof(st));
	memset(&v4, 0, sizeof(v4));
	memset(&ss, 0, sizeof(ss));
	if (env->sessions != NULL)
		session_table_stats(env->sessions, &ss);
	if (env->locks != NULL)
		lock_table_stats(env->locks, &st);
	if (env->v4 != NULL)
		v4_state_stats(env->v4, &v4);
	n = snprintf(buf, len, "%zu front end(s) connected; epoch %llu; %s; "
	    "%zu lock(s), %zu waiter(s), %zu share(s) on %zu file(s); "
	    "%zu client record(s); %llu refused by a per-host limit; "
	    "reply cache %zu entr%s, %zu bytes; %zu push(es) awaiting an "
	    "ACK, %llu sent, %llu not kept",
	    ipc_server_peer_count(d->service),
	    env->clients ? (unsigned long long)clients_epoch(env->clients) :
	    0ULL, stated_in_grace(env) ? "in grace" : "not in grace", st.locks,
	    st.waiters, st.shares, st.files,
	    env->clients ? clients_count(env->clients) : 0,
	    (unsigned long long)env->limit_hits,
	    env->drc ? drc_table_count(env->drc) : 0,
	    env->drc && drc_table_count(env->drc) == 1 ? "y" : "ies",
	    env->drc ? drc_table_bytes(env->drc) : 0,
	    env->pushes ? push_queue_total(env->pushes) : 0,
	    (unsigned long long)env->pushes_sent,
	    (unsigned long long)env->pushes_refused);
	if (n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "; NFSv4: %zu "
		    "client(s), %zu owner(s), %zu open(s), %zu lock state(s), "
		    "%llu lapsed client(s) purged for others; delegations: %zu "
		    "granted, %zu recalling, %zu revoked; %llu recall(s), "
		    "%llu revocation(s), %llu return(s)", v4.clients,
		    v4.owners, v4.opens, v4.locks, env->v4 ?
		    (unsigned long long)v4_state_courtesy_purges(env->v4) :
		    0ULL, gs.granted, gs.recalling, gs.revoked,
		    (unsigned long long)gs.recalls,
		    (unsigned long long)gs.revokes,
		    (unsigned long long)gs.returns);
	if (n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "; NFSv4.1: %zu "
		    "client(s), %zu session(s), %zu bytes of %zu, %llu lapsed "
		    "client(s) reaped, %llu slot update(s) refused", ss.clients,
		    ss.sessions, ss.bytes, env->session_memory_max,
		    (unsigned long long)ss.reaped,
		    (unsigned long long)env->session_slots_refused);
	if (n > 0 && (size_t)n + 2 < len) {
		buf[n++] = ';';
		buf[n++] = ' ';
		stated_durable_status(env, buf + n, len - (size_t)n);
	}
}

static const struct daemon_def stated_def = {
	.name = "stated",
	.role = IPC_ROLE_STATED,
	.chroot = DAEMON_CHROOT_STATE,
	.syscalls = stated_syscalls,
	.pre_init = stated_pre_init,
	.post_init = stated_post_init,
	.reload = stated_reload,
	.stop = stated_stop,
	.status = stated_status,
	.ctl_handlers = stated_ctl_handlers,
	.nctl_handlers = sizeof(stated_ctl_handlers) /
	    sizeof(stated_ctl_handlers[0]),
};

int
main(int argc, char *argv[])
{
	struct stated_env env;

	memset(&env, 0, sizeof(env));
	return daemon_main(argc, argv, &stated_def, &env);
}
