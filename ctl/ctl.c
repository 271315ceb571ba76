/*
 * dittofsctl: the administrator's tool over the daemons' control
 * sockets (<run directory>/<daemon>.ctl).
 */
#define _GNU_SOURCE
#include "config.h"

#include <sys/socket.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "gssd_msg.h"
#include "ipc.h"
#include "log.h"
#include "nfsd_msg.h"
#include "ntcrypto.h"
#include "sandbox.h"
#include "smbd_msg.h"
#include "stated_client.h"
#include "stated_durable.h"
#include "stated_grant.h"
#include "stated_lock.h"
#include "stated_v4.h"
#include "stated_session.h"
#include "store.h"
#include "util.h"

static const char *const ctl_daemons[] = { "blockd", "stated", "statd",
    "lockd", "nfsd", "smbd", "gssd" };
#define CTL_NDAEMONS (sizeof(ctl_daemons) / sizeof(ctl_daemons[0]))

struct ctl_env {
	struct conf	*conf;
	const char	*conf_path;
	char		 bindir[4096];
};

static void
ctl_usage(void)
{
	fprintf(stderr,
	    "usage: dittofsctl [-f file] command [args]\n"
	    "commands:\n"
	    "  status [daemon ...]   pid, user, sandbox and uptime of each\n"
	    "  reload [daemon ...]   send the checked configuration\n"
	    "  fsck [--repair]       check (and repair) a stopped store\n"
	    "  locks                 byte-range locks and share reservations\n"
	    "  grace [end]           show (or end) stated's grace period\n"
	    "  v4 [revoke CLIENTID]  NFSv4 clients and their state (or revoke)\n"
	    "  v4 destroy ID         destroy an NFSv4.1 session or client id\n"
	    "  v4 sessions           NFSv4.1 clients and their sessions\n"
	    "  smb sessions          SMB sessions and their tree connects\n"
	    "  smb opens             SMB open files (and pipes of IPC$)\n"
	    "  user add NAME [--uid U] [--gid G] [--groups G,...]\n"
	    "                        an SMB user (password: stdin)\n"
	    "  user passwd NAME [--uid U] [--gid G] [--groups G,...]\n"
	    "  user del NAME | user list          the SMB password database\n"
	    "  gss                   RPCSEC_GSS contexts gssd keeps\n"
	    "  check                 check the configuration file\n");
	exit(2);
}

static int
ctl_connect(struct ctl_env *env, const char *daemon)
{
	struct ipc_hello_reply hello;
	char leaf[64], path[4096];
	int fd;

	snprintf(leaf, sizeof(leaf), "%s.ctl", daemon);
	if (conf_run_path(env->conf, leaf, path, sizeof(path)) == -1)
		return -1;
	if ((fd = ipc_connect_unix(path)) == -1)
		return -1;
	if (ipc_sync_hello(fd, IPC_ROLE_CTL, "dittofsctl", &hello) == -1) {
		close(fd);
		return -1;
	}
	xdr_free((xdrproc_t)xdr_ipc_hello_reply, &hello);
	return fd;
}

/* What the kernel says of a process: the daemon cannot fake this. */
static void
ctl_proc_status(pid_t pid, char *buf, size_t len)
{
	char path[64], line[256], uid[32] = "?", caps[32] = "?";
	char nnp[8] = "?", seccomp[8] = "?";
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(buf, len, "(no /proc entry)");
		return;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "Uid: %31s", uid) == 1 ||
		    sscanf(line, "CapEff: %31s", caps) == 1 ||
		    sscanf(line, "NoNewPrivs: %7s", nnp) == 1 ||
		    sscanf(line, "Seccomp: %7s", seccomp) == 1)
			continue;
	}
	fclose(fp);
	snprintf(buf, len, "uid=%s caps=%s nnp=%s seccomp=%s", uid, caps,
	    nnp, seccomp);
}

static int
ctl_installed(struct ctl_env *env, const char *daemon)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/dittofs-%s", env->bindir, daemon);
	return access(path, X_OK) == 0;
}

static int
ctl_status_one(struct ctl_env *env, const char *daemon)
{
	struct ipc_status_reply st;
	struct ipc_sync_reply reply;
	char proc[160], uptime[32];
	int fd;

	fd = ctl_connect(env, daemon);
	if (fd == -1) {
		if (!ctl_installed(env, daemon) ||
		    !conf_get_bool(env->conf, daemon, "enable"))
			return 0;
		printf("%-8s %-7s not running (%s)\n", daemon, "-",
		    strerror(errno));
		return 1;
	}
	if (ipc_sync_send(fd, IPC_CTL_STATUS, 2, 0, -1, NULL, NULL) == -1 ||
	    ipc_sync_recv(fd, &reply) == -1) {
		printf("%-8s %-7s no answer (%s)\n", daemon, "-",
		    strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	memset(&st, 0, sizeof(st));
	if (reply.hdr.type != IPC_CTL_STATUS_REPLY ||
	    ipc_sync_decode(&reply, (xdrproc_t)xdr_ipc_status_reply,
	    &st) == -1) {
		printf("%-8s %-7s bad status reply\n", daemon, "-");
		ipc_sync_reply_free(&reply);
		return 1;
	}
	ipc_sync_reply_free(&reply);
	ctl_proc_status((pid_t)st.pid, proc, sizeof(proc));
	util_uptime_text((long long)(time(NULL) - st.start_time), uptime,
	    sizeof(uptime));
	printf("%-8s %-7u %-10s %s%s%s\n", daemon, st.pid, uptime, proc,
	    st.chroot[0] ? " chroot=" : "", st.chroot);
	if (st.detail[0] != '\0')
		printf("%-8s %-7s %s\n", "", "", st.detail);
	for (u_int i = 0; i < st.peers.peers_len; i++)
		printf("%-8s %-7s peer %s %s pid %u uid %u\n", "", "",
		    ipc_role_name(st.peers.peers_val[i].role),
		    st.peers.peers_val[i].name, st.peers.peers_val[i].pid,
		    st.peers.peers_val[i].uid);
	xdr_free((xdrproc_t)xdr_ipc_status_reply, &st);
	return 0;
}

static int
ctl_for_daemons(struct ctl_env *env, int argc, char **argv,
    int (*fn)(struct ctl_env *, const char *))
{
	int failed = 0, i;
	size_t j;

	if (argc == 0) {
		for (j = 0; j < CTL_NDAEMONS; j++)
			failed |= fn(env, ctl_daemons[j]);
		return failed;
	}
	for (i = 0; i < argc; i++) {
		for (j = 0; j < CTL_NDAEMONS; j++)
			if (strcmp(argv[i], ctl_daemons[j]) == 0)
				break;
		if (j == CTL_NDAEMONS) {
			fprintf(stderr, "dittofsctl: unknown daemon %s\n",
			    argv[i]);
			return 2;
		}
		failed |= fn(env, argv[i]);
	}
	return failed;
}

static int
ctl_reload_one(struct ctl_env *env, const char *daemon)
{
	struct ipc_ctl_reload req;
	struct ipc_sync_reply reply;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int fd, rc = 0;

	if ((fd = ctl_connect(env, daemon)) == -1) {
		/* Not running: nothing to reload.  Anything else fails. */
		if (errno == ENOENT || errno == ECONNREFUSED)
			return 0;
		printf("%s: reload failed: %s\n", daemon, strerror(errno));
		return 1;
	}
	if ((mem = open_memstream(&text, &len)) == NULL ||
	    conf_dump(env->conf, mem) == -1 || fclose(mem) == EOF) {
		close(fd);
		return 1;
	}
	req.path = (char *)env->conf_path;
	req.text = text;
	if (ipc_sync_send(fd, IPC_CTL_RELOAD, 2, 0, -1,
	    (xdrproc_t)xdr_ipc_ctl_reload, &req) == -1 ||
	    ipc_sync_recv(fd, &reply) == -1) {
		printf("%s: reload failed: %s\n", daemon, strerror(errno));
		rc = 1;
	} else {
		if (reply.hdr.type == IPC_CTL_OK)
			printf("%s: reloaded\n", daemon);
		else {
			printf("%s: reload refused\n", daemon);
			rc = 1;
		}
		ipc_sync_reply_free(&reply);
	}
	free(text);
	close(fd);
	return rc;
}

/*
 * Check blockd's store while blockd is stopped.  As root it becomes the
 * blockd user first, so that whatever the check writes (recovery, the
 * repairs) stays blockd's.  Exit: 0 clean, 1 faults found (repaired
 * with --repair), 2 usage, 8 could not check.
 */
static int
ctl_fsck(struct ctl_env *env, int argc, char **argv)
{
	const char *dir = conf_get(env->conf, "blockd", "data directory");
	char path[4096];
	int repair = 0, fd, faults;

	if (argc == 2 && strcmp(argv[1], "--repair") == 0)
		repair = 1;
	else if (argc != 1)
		ctl_usage();
	if (dir == NULL) {
		if (conf_state_path(env->conf, "blockd", path,
		    sizeof(path)) == -1)
			return 8;
		dir = path;
	}
	if ((fd = ctl_connect(env, "blockd")) != -1) {
		close(fd);
		fprintf(stderr, "dittofsctl: blockd is running; stop it before "
		    "fsck\n");
		return 8;
	}
	if (geteuid() == 0) {
		struct sandbox_ids ids;
		const char *user = conf_get(env->conf, "blockd", "user");

		if (sandbox_resolve_user(user, &ids) == -1 ||
		    sandbox_set_ids(&ids) == -1) {
			fprintf(stderr, "dittofsctl: become %s: %s\n", user,
			    strerror(errno));
			return 8;
		}
	}
	faults = store_fsck(dir, repair, stdout);
	if (faults < 0) {
		fprintf(stderr, "dittofsctl: fsck %s: %s\n", dir,
		    strerror(-faults));
		return 8;
	}
	printf("%s: %d fault%s%s\n", dir, faults, faults == 1 ? "" : "s",
	    faults > 0 ? (repair ? ", repaired" : "; run with --repair") :
	    "");
	return faults > 0 ? 1 : 0;
}

/*
 * A request of no body to daemon name's control socket, its reply in
 * *rep: 0, or -1 (said on stderr unless quiet).
 */
static int
ctl_daemon_call(struct ctl_env *env, const char *name, uint32_t type,
    struct ipc_sync_reply *rep, int quiet)
{
	int fd;

	if ((fd = ctl_connect(env, name)) == -1) {
		if (!quiet)
			fprintf(stderr, "dittofsctl: %s: %s\n", name,
			    strerror(errno));
		return -1;
	}
	if (ipc_sync_send(fd, type, 3, 0, -1, NULL, NULL) == -1 ||
	    ipc_sync_recv(fd, rep) == -1) {
		if (!quiet)
			fprintf(stderr, "dittofsctl: %s: %s\n", name,
			    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (rep->hdr.type == IPC_ERROR) {
		if (!quiet)
			fprintf(stderr, "dittofsctl: %s refused the request\n",
			    name);
		ipc_sync_reply_free(rep);
		return -1;
	}
	return 0;
}

/* The same to stated, errors said. */
static int
ctl_stated_call(struct ctl_env *env, uint32_t type,
    struct ipc_sync_reply *rep)
{
	return ctl_daemon_call(env, "stated", type, rep, 0);
}

/* A request of no body to stated, its reply decoded into obj: 0, or -1. */
static int
ctl_stated_get(struct ctl_env *env, uint32_t type, xdrproc_t decode,
    void *obj)
{
	struct ipc_sync_reply rep;
	int rc;

	if (ctl_stated_call(env, type, &rep) == -1)
		return -1;
	if ((rc = ipc_sync_decode(&rep, decode, obj)) == -1)
		fprintf(stderr, "dittofsctl: malformed reply\n");
	ipc_sync_reply_free(&rep);
	return rc;
}

static const char *
ctl_protocol_name(int p)
{
	return p == ST_PROTOCOL_NLM ? "nlm" : p == ST_PROTOCOL_NFSV4 ?
	    "nfsv4" : p == ST_PROTOCOL_SMB ? "smb" : "?";
}

/* share:inode:generation, as lockd and nfsd build file ids. */
static void
ctl_file_name(const st_file *f, char *buf, size_t len)
{
	const uint8_t *p = (const uint8_t *)f->st_file_val;
	uint64_t ino = 0;
	size_t i, n = 0;

	if (f->st_file_len == 16) {
		for (i = 0; i < 8; i++)
			ino = ino << 8 | p[4 + i];
		snprintf(buf, len, "%u:%llu:%u", (unsigned)(p[0] << 24 |
		    p[1] << 16 | p[2] << 8 | p[3]), (unsigned long long)ino,
		    (unsigned)(p[12] << 24 | p[13] << 16 | p[14] << 8 | p[15]));
		return;
	}
	for (i = 0; i < f->st_file_len && n + 3 < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%02x", p[i]);
}

/* Owner (or id) bytes: printable as they are, else hex; the length. */
static size_t
ctl_bytes_name(const char *bytes, size_t blen, char *buf, size_t len)
{
	size_t i, n = 0;
	int printable = blen > 0;

	buf[0] = '\0';
	for (i = 0; i < blen; i++)
		if (bytes[i] < 0x21 || bytes[i] > 0x7e)
			printable = 0;
	if (printable)
		n = (size_t)snprintf(buf, len, "%.*s", (int)blen, bytes);
	else
		for (i = 0; i < blen && n + 3 < len; i++)
			n += (size_t)snprintf(buf + n, len - n, "%02x",
			    (unsigned char)bytes[i]);
	return n;
}

static void
ctl_owner_name(const st_owner *o, char *buf, size_t len)
{
	size_t n = ctl_bytes_name(o->bytes.bytes_val, o->bytes.bytes_len, buf,
	    len);

	if (n < len)
		snprintf(buf + n, len - n, "%ssvid %u", n ? "/" : "",
		    o->svid);
}

static int
ctl_locks(struct ctl_env *env)
{
	struct ipc_sync_reply rep;
	struct st_locks_reply lr;
	char file[80], owner[96], range[48];
	u_int i;

	if (ctl_stated_call(env, ST_LOCKS, &rep) == -1)
		return 1;
	memset(&lr, 0, sizeof(lr));
	if (ipc_sync_decode(&rep, (xdrproc_t)xdr_st_locks_reply, &lr) == -1) {
		fprintf(stderr, "dittofsctl: malformed reply\n");
		ipc_sync_reply_free(&rep);
		return 1;
	}
	printf("%-24s %-27s %-9s %-24s %-16s %s\n", "FILE", "RANGE", "TYPE",
	    "OWNER", "HOST", "PROTOCOL");
	for (i = 0; i < lr.locks.locks_len; i++) {
		st_lock_desc *l = &lr.locks.locks_val[i];

		ctl_file_name(&l->file, file, sizeof(file));
		ctl_owner_name(&l->owner, owner, sizeof(owner));
		if (l->length == 0)
			snprintf(range, sizeof(range), "%llu-EOF",
			    (unsigned long long)l->offset);
		else
			snprintf(range, sizeof(range), "%llu-%llu",
			    (unsigned long long)l->offset,
			    (unsigned long long)(l->offset + l->length - 1));
		printf("%-24s %-27s %-9s %-24s %-16s %s\n", file, range,
		    l->waiting ? (l->exclusive ? "wait-wr" : "wait-rd") :
		    (l->exclusive ? "write" : "read"), owner,
		    l->owner.host[0] ? l->owner.host : "-",
		    ctl_protocol_name(l->owner.protocol));
	}
	for (i = 0; i < lr.shares.shares_len; i++) {
		st_share_desc *s = &lr.shares.shares_val[i];

		ctl_file_name(&s->file, file, sizeof(file));
		ctl_owner_name(&s->owner, owner, sizeof(owner));
		snprintf(range, sizeof(range), "share %s%s%s deny %s%s%s",
		    s->access & ST_SHARE_READ ? "r" : "",
		    s->access & ST_SHARE_WRITE ? "w" : "",
		    s->access & ST_SHARE_DELETE ? "d" : "",
		    s->deny & ST_SHARE_READ ? "r" : "",
		    s->deny & ST_SHARE_WRITE ? "w" : "",
		    s->deny ? (s->deny & ST_SHARE_DELETE ? "d" : "") : "-");
		printf("%-24s %-27s %-9s %-24s %-16s %s\n", file, range,
		    "share", owner, s->owner.host[0] ? s->owner.host : "-",
		    ctl_protocol_name(s->owner.protocol));
	}
	if (lr.truncated)
		printf("(list truncated)\n");
	xdr_free((xdrproc_t)xdr_st_locks_reply, &lr);
	ipc_sync_reply_free(&rep);
	return 0;
}

static int
ctl_grace(struct ctl_env *env, int argc, char **argv)
{
	struct ipc_sync_reply rep;
	struct st_grace_reply gr;
	struct st_reply sr;
	u_int i;

	if (argc > 0 && strcmp(argv[0], "end") == 0) {
		if (ctl_stated_call(env, ST_GRACE_END, &rep) == -1)
			return 1;
		memset(&sr, 0, sizeof(sr));
		if (ipc_sync_decode(&rep, (xdrproc_t)xdr_st_reply, &sr) == -1) {
			ipc_sync_reply_free(&rep);
			return 1;
		}
		printf("%s\n", sr.status == ST_OK ? "grace period ended" :
		    "not in grace");
		xdr_free((xdrproc_t)xdr_st_reply, &sr);
		ipc_sync_reply_free(&rep);
		return 0;
	}
	if (argc > 0)
		ctl_usage();
	if (ctl_stated_call(env, ST_GRACE_INFO, &rep) == -1)
		return 1;
	memset(&gr, 0, sizeof(gr));
	if (ipc_sync_decode(&rep, (xdrproc_t)xdr_st_grace_reply, &gr) == -1) {
		ipc_sync_reply_free(&rep);
		return 1;
	}
	if (gr.in_grace)
		printf("in grace: %lld s left, %u client(s) still reclaiming; "
		    "epoch %llu\n", (long long)gr.seconds_left, gr.pending,
		    (unsigned long long)gr.epoch);
	else
		printf("not in grace; epoch %llu\n",
		    (unsigned long long)gr.epoch);
	if (gr.clients.clients_len > 0)
		printf("%-8s %-24s %-16s %-6s %-6s %s\n", "PROTOCOL", "CLIENT",
		    "ADDRESS", "ID", "EPOCH", "RECLAIM");
	for (i = 0; i < gr.clients.clients_len; i++) {
		st_client_desc *c = &gr.clients.clients_val[i];

		printf("%-8s %-24s %-16s %-6llu %-6llu %s\n",
		    ctl_protocol_name(c->protocol), c->host,
		    c->addr[0] ? c->addr : "-",
		    (unsigned long long)c->client_id,
		    (unsigned long long)c->epoch, !c->reclaimable ? "-" :
		    c->reclaimed ? (c->done ? "reclaimed, done" :
		    "reclaiming") : c->done ? "done" : gr.in_grace ?
		    "may reclaim" : "did not reclaim");
	}
	xdr_free((xdrproc_t)xdr_st_grace_reply, &gr);
	ipc_sync_reply_free(&rep);
	return 0;
}

/* NFSv4.1 clients with their sessions and the slots each uses. */

/* stated_session.x ST_SESSION_BACK_*: a session's backchannel. */
static const char *
ctl_back_state(u_int state)
{
	switch (state) {
	case ST_SESSION_BACK_NONE:
		return "unbound";
	case ST_SESSION_BACK_BOUND:
		return "bound";
	case ST_SESSION_BACK_UP:
		return "up";
	case ST_SESSION_BACK_DOWN:
		return "down";
	default:
		return "?";
	}
}

/*
 * nfsd's word on a session: the connections it is used over, each on a
 * line under the session's.  Sessions nfsd has not mirrored since it
 * started (no COMPOUND yet) have none.
 */
static void
ctl_v4_conns(const struct nfsd_ctl_sessions_reply *nr, const char *sid)
{
	static const char *dirs[] = { "-", "fore", "back", "fore and back" };
	char hex[2 * ST_SESSION_ID_SIZE + 1];
	u_int i, j, k;

	for (i = 0; nr != NULL && i < nr->sessions.sessions_len; i++) {
		nfsd_ctl_session *s = &nr->sessions.sessions_val[i];

		for (k = 0; k < ST_SESSION_ID_SIZE; k++)
			snprintf(hex + 2 * k, 3, "%02x",
			    (unsigned char)s->sessionid[k]);
		if (strcmp(hex, sid) != 0)
			continue;
		for (j = 0; j < s->conns.conns_len; j++)
			printf("    connection %s (%s)\n",
			    s->conns.conns_val[j].addr,
			    dirs[s->conns.conns_val[j].dir & 3]);
	}
}

static int
ctl_v4_sessions(struct ctl_env *env)
{
	struct st_session_list_reply lr;
	struct nfsd_ctl_sessions_reply nr;
	struct ipc_sync_reply rep;
	int have_conns = 0;
	char owner[96], sid[2 * ST_SESSION_ID_SIZE + 1];
	u_int i, j, k;

	memset(&lr, 0, sizeof(lr));
	if (ctl_stated_get(env, ST_SESSION_LIST,
	    (xdrproc_t)xdr_st_session_list_reply, &lr) == -1)
		return 1;
	/* The connections are nfsd's to know; stated's list stands alone. */
	memset(&nr, 0, sizeof(nr));
	if (ctl_daemon_call(env, "nfsd", NFSD_CTL_SESSIONS, &rep, 1) == 0) {
		have_conns = rep.hdr.type == NFSD_CTL_SESSIONS_REPLY &&
		    ipc_sync_decode(&rep,
		    (xdrproc_t)xdr_nfsd_ctl_sessions_reply, &nr) == 0;
		ipc_sync_reply_free(&rep);
	}
	printf("lease %u s; %llu of %llu bytes for sessions\n", lr.lease,
	    (unsigned long long)lr.bytes, (unsigned long long)lr.bytes_max);
	printf("%-16s %-24s %-16s %-12s %-6s %s\n", "CLIENTID", "ID",
	    "ADDRESS", "STATE", "IDLE", "IMPLEMENTATION");
	for (i = 0; i < lr.clients.clients_len; i++) {
		st_session_client_desc *c = &lr.clients.clients_val[i];

		ctl_bytes_name(c->ownerid.ownerid_val, c->ownerid.ownerid_len,
		    owner, sizeof(owner));
		printf("%016llx %-24.24s %-16s %-12s %-6lld %s\n",
		    (unsigned long long)c->clientid, owner,
		    c->addr[0] ? c->addr : "-", !c->confirmed ? "unconfirmed" :
		    c->lapsed ? "lapsed" : "leased", (long long)c->idle,
		    c->impl_name[0] ? c->impl_name : "-");
		/* Its opens and locks: dittofsctl v4 lists them. */
		if (c->opens > 0 || c->locks > 0)
			printf("  state %u open(s), %u lock state(s)\n",
			    c->opens, c->locks);
		for (j = 0; j < c->sessions.sessions_len; j++) {
			st_session_desc *s = &c->sessions.sessions_val[j];

			for (k = 0; k < ST_SESSION_ID_SIZE; k++)
				snprintf(sid + 2 * k, 3, "%02x",
				    (unsigned char)s->sessionid[k]);
			printf("  session %s", sid);
			printf(" slots %u used %u cached %u bytes; request %u "
			    "reply %u kept %u", s->slots, s->slots_used,
			    s->cached_bytes, s->maxrequestsize,
			    s->maxresponsesize, s->maxresponsesize_cached);
			if (s->flags & ST_SESSION_FLAG_CONN_BACK_CHAN ||
			    s->back != ST_SESSION_BACK_NONE)
				printf("; back channel %s, callback sequence "
				    "%u", ctl_back_state(s->back), s->cb_seqid);
			printf("\n");
			ctl_v4_conns(have_conns ? &nr : NULL, sid);
		}
	}
	if (lr.truncated)
		printf("(list truncated)\n");
	if (!have_conns)
		printf("(nfsd did not answer: connections not listed)\n");
	else if (nr.truncated)
		printf("(nfsd's connection list truncated)\n");
	xdr_free((xdrproc_t)xdr_st_session_list_reply, &lr);
	xdr_free((xdrproc_t)xdr_nfsd_ctl_sessions_reply, &nr);
	return 0;
}

/* A client's delegations (stated_grant.x), under its line of ctl_v4. */
static void
ctl_v4_delegations(const struct st_grant_list_reply *gl, uint64_t clientid)
{
	char file[80];
	u_int i;

	for (i = 0; gl != NULL && i < gl->grants.grants_len; i++) {
		st_grant_desc *g = &gl->grants.grants_val[i];

		if (g->protocol != ST_PROTOCOL_NFSV4 ||
		    g->client_id != clientid)
			continue;
		ctl_file_name(&g->file, file, sizeof(file));
		printf("  delegation %s %s %-24s via %s, %lld s", g->level ==
		    ST_GRANT_WRITE ? "write" : g->level == ST_GRANT_DIR ?
		    "directory" : "read", g->state ==
		    ST_GRANT_GRANTED ? "granted" : g->state ==
		    ST_GRANT_RECALLING ? "recalling" : "revoked", file,
		    g->front_end, (long long)g->age);
		if (g->recall_age >= 0)
			printf(", recalled %lld s ago",
			    (long long)g->recall_age);
		printf("\n");
	}
}

/* MS-SMB2 2.2.14 OplockLevel, after an open's path. */
static const char *
ctl_smb_oplock(unsigned int level)
{
	switch (level) {
	case 0x01:
		return " (oplock II)";
	case 0x08:
		return " (oplock exclusive)";
	case 0x09:
		return " (oplock batch)";
	}
	return "";
}

/* A request of stated_session.x to stated: its nfsstat4, or -1. */
static int
ctl_session_call(struct ctl_env *env, uint32_t type, xdrproc_t encode,
    const void *req)
{
	struct ipc_sync_reply rep;
	st_session_reply sr;
	int fd;

	if ((fd = ctl_connect(env, "stated")) == -1) {
		fprintf(stderr, "dittofsctl: stated: %s\n", strerror(errno));
		return -1;
	}
	if (ipc_sync_send(fd, type, 3, 0, -1, encode, req) == -1 ||
	    ipc_sync_recv(fd, &rep) == -1) {
		fprintf(stderr, "dittofsctl: stated: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	memset(&sr, 0, sizeof(sr));
	if (rep.hdr.type != ST_SESSION_REPLY || ipc_sync_decode(&rep,
	    (xdrproc_t)xdr_st_session_reply, &sr) == -1) {
		fprintf(stderr, "dittofsctl: stated refused the request\n");
		ipc_sync_reply_free(&rep);
		return -1;
	}
	ipc_sync_reply_free(&rep);
	return (int)sr.status;
}

/*
 * v4 destroy ID: an NFSv4.1 session (32 hex digits) or a client id (16),
 * the client's sessions first.  stated tells nfsd to forget them; the
 * client finds its session gone (NFS4ERR_BADSESSION) and sets up anew.
 */
static int
ctl_v4_destroy(struct ctl_env *env, const char *id)
{
	st_session_clientid_req creq;
	st_session_id_req sreq;
	struct st_session_list_reply lr;
	st_session_client_desc *c;
	char *end;
	u_int i, j;
	int st, k;

	memset(&sreq, 0, sizeof(sreq));
	if (strlen(id) == 2 * ST_SESSION_ID_SIZE) {
		for (k = 0; k < ST_SESSION_ID_SIZE; k++) {
			unsigned int b;

			if (sscanf(id + 2 * k, "%2x", &b) != 1 ||
			    !isxdigit((unsigned char)id[2 * k]) ||
			    !isxdigit((unsigned char)id[2 * k + 1]))
				ctl_usage();
			sreq.sessionid[k] = (char)b;
		}
		if ((st = ctl_session_call(env, ST_SESSION_DESTROY,
		    (xdrproc_t)xdr_st_session_id_req, &sreq)) == -1)
			return 1;
		if (st != ST41_OK) {
			printf("no such NFSv4.1 session\n");
			return 1;
		}
		printf("NFSv4.1 session %s destroyed\n", id);
		return 0;
	}
	errno = 0;
	creq.clientid = strtoull(id, &end, 16);
	if (errno != 0 || *end != '\0' || end == id || strlen(id) > 16)
		ctl_usage();
	/* Its sessions, from the listing. */
	memset(&lr, 0, sizeof(lr));
	if (ctl_stated_get(env, ST_SESSION_LIST,
	    (xdrproc_t)xdr_st_session_list_reply, &lr) == -1)
		return 1;
	for (i = 0; i < lr.clients.clients_len; i++) {
		c = &lr.clients.clients_val[i];
		if (c->clientid != creq.clientid)
			continue;
		for (j = 0; j < c->sessions.sessions_len; j++) {
			memcpy(sreq.sessionid,
			    c->sessions.sessions_val[j].sessionid,
			    ST_SESSION_ID_SIZE);
			(void)ctl_session_call(env, ST_SESSION_DESTROY,
			    (xdrproc_t)xdr_st_session_id_req, &sreq);
		}
	}
	xdr_free((xdrproc_t)xdr_st_session_list_reply, &lr);
	if ((st = ctl_session_call(env, ST_SESSION_DESTROY_CLIENTID,
	    (xdrproc_t)xdr_st_session_clientid_req, &creq)) == -1)
		return 1;
	if (st != ST41_OK) {
		printf("NFSv4.1 client %016llx not destroyed: status %d\n",
		    (unsigned long long)creq.clientid, st);
		return 1;
	}
	printf("NFSv4.1 client %016llx destroyed\n",
	    (unsigned long long)creq.clientid);
	return 0;
}

/* NFSv4 clients with their opens, locks and delegations; or revoke one. */
static int
ctl_v4(struct ctl_env *env, int argc, char **argv)
{
	struct ipc_sync_reply rep, grep_;
	struct st_v4_clients_reply cr;
	struct st_grant_list_reply gl;
	struct st_v4_clientid_req req;
	int have_grants = 0;
	struct st_v4_reply vr;
	char file[80], owner[96], *end;
	u_int i, j;
	int fd;

	if (argc == 1 && strcmp(argv[0], "sessions") == 0)
		return ctl_v4_sessions(env);
	if (argc == 2 && strcmp(argv[0], "destroy") == 0)
		return ctl_v4_destroy(env, argv[1]);
	if (argc == 2 && strcmp(argv[0], "revoke") == 0) {
		memset(&req, 0, sizeof(req));
		errno = 0;
		req.clientid = strtoull(argv[1], &end, 16);
		if (errno != 0 || *end != '\0' || end == argv[1])
			ctl_usage();
		if ((fd = ctl_connect(env, "stated")) == -1) {
			fprintf(stderr, "dittofsctl: stated: %s\n",
			    strerror(errno));
			return 1;
		}
		memset(&vr, 0, sizeof(vr));
		if (ipc_sync_send(fd, ST_V4_REVOKE, 3, 0, -1,
		    (xdrproc_t)xdr_st_v4_clientid_req, &req) == -1 ||
		    ipc_sync_recv(fd, &rep) == -1) {
			fprintf(stderr, "dittofsctl: stated: %s\n",
			    strerror(errno));
			close(fd);
			return 1;
		}
		close(fd);
		if (rep.hdr.type != ST_V4_REPLY || ipc_sync_decode(&rep,
		    (xdrproc_t)xdr_st_v4_reply, &vr) == -1) {
			fprintf(stderr, "dittofsctl: stated refused the "
			    "request\n");
			ipc_sync_reply_free(&rep);
			return 1;
		}
		ipc_sync_reply_free(&rep);
		if (vr.status != ST4_OK) {
			printf("no such NFSv4 client\n");
			return 1;
		}
		printf("state of NFSv4 client %016llx revoked\n",
		    (unsigned long long)req.clientid);
		return 0;
	}
	if (argc > 0)
		ctl_usage();
	if (ctl_stated_call(env, ST_V4_CLIENTS, &rep) == -1)
		return 1;
	memset(&cr, 0, sizeof(cr));
	if (ipc_sync_decode(&rep, (xdrproc_t)xdr_st_v4_clients_reply, &cr) ==
	    -1) {
		fprintf(stderr, "dittofsctl: malformed reply\n");
		ipc_sync_reply_free(&rep);
		return 1;
	}
	/* Delegations, from a stated that keeps them. */
	memset(&gl, 0, sizeof(gl));
	if (ctl_stated_call(env, ST_GRANT_LIST, &grep_) == 0) {
		if (grep_.hdr.type == ST_GRANT_LIST_REPLY &&
		    ipc_sync_decode(&grep_, (xdrproc_t)xdr_st_grant_list_reply,
		    &gl) == 0)
			have_grants = 1;
		ipc_sync_reply_free(&grep_);
	}
	printf("lease %u s\n", cr.lease);
	printf("%-16s %-24s %-16s %-12s %-6s %-5s %s\n", "CLIENTID", "ID",
	    "ADDRESS", "STATE", "IDLE", "OPENS", "OWNERS");
	for (i = 0; i < cr.clients.clients_len; i++) {
		st_v4_client_desc *c = &cr.clients.clients_val[i];

		ctl_bytes_name(c->id.id_val, c->id.id_len, owner,
		    sizeof(owner));
		/* A v4.1 client (its clientid's top bit): its state too. */
		printf("%016llx %-24.24s %-16s %-12s %-6lld %-5u %u%s\n",
		    (unsigned long long)c->clientid, owner,
		    c->addr[0] ? c->addr : "-", c->expired ? "expired" :
		    !c->confirmed ? "unconfirmed" : c->lapsed ? "lapsed" :
		    "leased", (long long)c->idle, c->opens, c->owners,
		    c->clientid >> 63 ? " (NFSv4.1)" : "");
		for (j = 0; j < c->states.states_len; j++) {
			st_v4_state_desc *s = &c->states.states_val[j];

			ctl_file_name(&s->file, file, sizeof(file));
			ctl_bytes_name(s->owner.owner_val, s->owner.owner_len,
			    owner, sizeof(owner));
			if (s->lock)
				printf("  lock  %-24s owner %s seqid %u\n",
				    file, owner, s->stateid.seqid);
			else
				printf("  open  %-24s owner %s access %s%s "
				    "deny %s%s%s seqid %u\n", file, owner,
				    s->access & 1 ? "r" : "",
				    s->access & 2 ? "w" : "",
				    s->deny & 1 ? "r" : "",
				    s->deny & 2 ? "w" : "",
				    s->deny ? "" : "-", s->stateid.seqid);
		}
		ctl_v4_delegations(have_grants ? &gl : NULL, c->clientid);
	}
	if (cr.truncated || (have_grants && gl.truncated))
		printf("(list truncated)\n");
	if (have_grants)
		xdr_free((xdrproc_t)xdr_st_grant_list_reply, &gl);
	xdr_free((xdrproc_t)xdr_st_v4_clients_reply, &cr);
	ipc_sync_reply_free(&rep);
	return 0;
}

static const char *
ctl_smb_dialect(unsigned int d)
{
	switch (d) {
	case 0x0202:
		return "2.0.2";
	case 0x0210:
		return "2.1";
	case 0x0300:
		return "3.0";
	case 0x0302:
		return "3.0.2";
	case 0x0311:
		return "3.1.1";
	}
	return "-";
}

/*
 * The durable handles stated keeps (common/stated_durable.x), those of
 * no connection too (a killed smbd's, a dropped client's).
 */
static void
ctl_smb_durable(struct ctl_env *env)
{
	struct st_durable_list_reply dl;
	struct ipc_sync_reply rep;
	char file[64], state[48];
	u_int i;

	if (ctl_stated_call(env, ST_DURABLE_LIST, &rep) == -1)
		return;
	memset(&dl, 0, sizeof(dl));
	if (rep.hdr.type != ST_DURABLE_LIST_REPLY || ipc_sync_decode(&rep,
	    (xdrproc_t)xdr_st_durable_list_reply, &dl) == -1) {
		fprintf(stderr, "dittofsctl: stated: malformed reply\n");
		ipc_sync_reply_free(&rep);
		return;
	}
	ipc_sync_reply_free(&rep);
	printf("%-24s %-16s %-3s %-12s %-22s %-8s %-24s %s\n", "DURABLE",
	    "FILEID", "VER", "USER", "STATE", "TIMEOUT", "FILE", "PATH");
	for (i = 0; i < dl.opens.opens_len; i++) {
		st_durable_desc *d = &dl.opens.opens_val[i];

		ctl_file_name(&d->file, file, sizeof(file));
		if (d->disconnected < 0)
			snprintf(state, sizeof(state), "connected");
		else
			snprintf(state, sizeof(state), "disconnected %llds",
			    (long long)d->disconnected);
		printf("durable %-16s %016llx v%-2u %-12s %-22s %-8u %-24s "
		    "%s%s\n", d->front_end, (unsigned long long)d->id,
		    d->dh_version, d->user, state, d->timeout_ms / 1000, file,
		    d->path, ctl_smb_oplock(d->oplock));
	}
	if (dl.truncated)
		printf("(list truncated)\n");
	xdr_free((xdrproc_t)xdr_st_durable_list_reply, &dl);
}

/* SMB sessions (with their trees) or open files, from smbd. */
static int
ctl_smb(struct ctl_env *env, int argc, char **argv)
{
	struct smbd_ctl_sessions_reply sr;
	struct ipc_sync_reply rep;
	char user[80];
	int fd, opens;
	u_int i, j;

	if (argc != 1 || (strcmp(argv[0], "sessions") != 0 &&
	    strcmp(argv[0], "opens") != 0))
		ctl_usage();
	opens = strcmp(argv[0], "opens") == 0;
	if ((fd = ctl_connect(env, "smbd")) == -1) {
		fprintf(stderr, "dittofsctl: smbd: %s\n", strerror(errno));
		/* Durable handles outlive smbd: stated still lists them. */
		if (opens)
			ctl_smb_durable(env);
		return 1;
	}
	if (ipc_sync_send(fd, SMBD_CTL_SESSIONS, 3, 0, -1, NULL, NULL) == -1 ||
	    ipc_sync_recv(fd, &rep) == -1) {
		fprintf(stderr, "dittofsctl: smbd: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	memset(&sr, 0, sizeof(sr));
	if (rep.hdr.type != SMBD_CTL_SESSIONS_REPLY || ipc_sync_decode(&rep,
	    (xdrproc_t)xdr_smbd_ctl_sessions_reply, &sr) == -1) {
		fprintf(stderr, "dittofsctl: smbd refused the request\n");
		ipc_sync_reply_free(&rep);
		return 1;
	}
	ipc_sync_reply_free(&rep);
	if (!opens)
		printf("%-16s %-16s %-20s %-6s %-9s %-4s %s\n", "SESSION",
		    "CLIENT", "USER", "DIALECT", "SIGNING", "CHAN", "TREES");
	else
		printf("%-16s %-8s %-16s %-12s %-6s %s\n", "SESSION", "FILEID",
		    "CLIENT", "SHARE", "MODE", "PATH");
	for (i = 0; i < sr.sessions.sessions_len; i++) {
		smbd_ctl_session *s = &sr.sessions.sessions_val[i];

		if (!s->valid)
			snprintf(user, sizeof(user), "(logging on)");
		else
			snprintf(user, sizeof(user), "%s%s", s->user,
			    s->guest ? " (guest)" : s->anonymous ?
			    " (anonymous)" : "");
		if (!opens) {
			printf("%016llx %-16s %-20s %-7s %-9s %-4u",
			    (unsigned long long)s->session_id, s->client,
			    user, ctl_smb_dialect(s->dialect),
			    s->signing_required ? "required" : s->signing ?
			    "enabled" : "off", s->channels);
			for (j = 0; j < s->trees.trees_len; j++)
				printf("%s%s(%u)", j ? " " : " ",
				    s->trees.trees_val[j].share,
				    s->trees.trees_val[j].tree_id);
			printf("%s\n", s->trees.trees_len ? "" : " -");
			continue;
		}
		for (j = 0; j < s->opens.opens_len; j++) {
			smbd_ctl_open *o = &s->opens.opens_val[j];

			printf("%016llx %-8llu %-16s %-12s %s%s%s%s%-*s %s%s%s%s\n",
			    (unsigned long long)s->session_id,
			    (unsigned long long)o->file_id, s->client,
			    o->share, o->pipe ? "p" : o->directory ? "d" :
			    "-", o->readable ? "r" : "-",
			    o->writable ? "w" : "-",
			    o->delete_on_close ? "D" : "-", 2, "",
			    o->path[0] ? o->path : "\\",
			    o->pipe ? " (pipe)" : "",
			    ctl_smb_oplock(o->oplock),
			    o->oplock_breaking ? " (breaking)" : "");
		}
	}
	if (sr.truncated)
		printf("(list truncated)\n");
	xdr_free((xdrproc_t)xdr_smbd_ctl_sessions_reply, &sr);
	if (opens)
		ctl_smb_durable(env);
	return 0;
}

/*
 * The SMB password database, in gssd.  The password is read here and
 * turned into its NT hash (MD4 of UTF-16LE, MS-NLMP 3.3.1); only the
 * hash goes to gssd, over its control socket.
 */
#define CTL_PASSWORD_MAX	256

/* One line of the password: a prompt without echo on a terminal. */
static int
ctl_read_password(const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO), restore = 0;
	size_t n;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			quiet.c_lflag |= ECHONL;
			restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) ==
			    0;
		}
	}
	if (fgets(buf, (int)len, stdin) == NULL)
		buf[0] = '\0';
	if (restore)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (n == len - 1) {
		fprintf(stderr, "dittofsctl: password longer than %d bytes\n",
		    CTL_PASSWORD_MAX - 2);
		return -1;
	}
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

static int
ctl_new_hash(uint8_t hash[16])
{
	char pw[CTL_PASSWORD_MAX], again[CTL_PASSWORD_MAX];
	int rc = -1;

	if (ctl_read_password("New SMB password: ", pw, sizeof(pw)) == -1)
		goto out;
	if (isatty(STDIN_FILENO)) {
		if (ctl_read_password("Retype it: ", again, sizeof(again)) ==
		    -1)
			goto out;
		if (strcmp(pw, again) != 0) {
			fprintf(stderr, "dittofsctl: the passwords differ\n");
			goto out;
		}
	}
	if (pw[0] == '\0') {
		fprintf(stderr, "dittofsctl: empty password refused\n");
		goto out;
	}
	if (ntcrypto_nt_hash(pw, hash) == -1) {
		fprintf(stderr, "dittofsctl: the password is not UTF-8\n");
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(again, sizeof(again));
	return rc;
}

/* One request to gssd's control socket; 0, or 1 with a message. */
static int
ctl_gssd_call(struct ctl_env *env, uint32_t type, xdrproc_t proc,
    const void *obj, struct ipc_sync_reply *rep)
{
	int fd;

	if ((fd = ctl_connect(env, "gssd")) == -1) {
		fprintf(stderr, "dittofsctl: gssd: %s\n", strerror(errno));
		return 1;
	}
	if (ipc_sync_send(fd, type, 4, 0, -1, proc, obj) == -1 ||
	    ipc_sync_recv(fd, rep) == -1) {
		fprintf(stderr, "dittofsctl: gssd: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

static int
ctl_gssd_status(struct ipc_sync_reply *rep, const char *what,
    const char *name)
{
	struct gssd_status_reply st;
	int rc = 1;

	memset(&st, 0, sizeof(st));
	if (rep->hdr.type != GSSD_OK ||
	    ipc_sync_decode(rep, (xdrproc_t)xdr_gssd_status_reply, &st) ==
	    -1)
		fprintf(stderr, "dittofsctl: gssd refused the request\n");
	else if (st.status != GSSD_COMPLETE)
		fprintf(stderr, "dittofsctl: user %s: %s\n", name, st.message);
	else {
		printf("user %s %s\n", name, what);
		rc = 0;
	}
	xdr_free((xdrproc_t)xdr_gssd_status_reply, &st);
	ipc_sync_reply_free(rep);
	return rc;
}

/* The users gssd has (free with xdr_free); 0, or 1 with a message. */
static int
ctl_user_fetch(struct ctl_env *env, struct gssd_user_list_reply *list)
{
	struct ipc_sync_reply rep;
	int rc = 0;

	if (ctl_gssd_call(env, GSSD_USER_LIST, NULL, NULL, &rep) != 0)
		return 1;
	memset(list, 0, sizeof(*list));
	if (rep.hdr.type != GSSD_USER_LIST_REPLY ||
	    ipc_sync_decode(&rep, (xdrproc_t)xdr_gssd_user_list_reply,
	    list) == -1) {
		fprintf(stderr, "dittofsctl: gssd refused the request\n");
		rc = 1;
	}
	ipc_sync_reply_free(&rep);
	return rc;
}

static int
ctl_user_list(struct ctl_env *env)
{
	struct gssd_user_list_reply list;
	u_int i;

	if (ctl_user_fetch(env, &list) != 0)
		return 1;
	printf("%-24s %10s %10s\n", "USER", "UID", "GID");
	for (i = 0; i < list.users.users_len; i++)
		printf("%-24s %10u %10u\n", list.users.users_val[i].user,
		    list.users.users_val[i].uid, list.users.users_val[i].gid);
	xdr_free((xdrproc_t)xdr_gssd_user_list_reply, &list);
	return 0;
}

static int
ctl_parse_id(const char *text, u_int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v >= UINT32_MAX) {
		fprintf(stderr, "dittofsctl: bad id %s\n", text);
		return -1;
	}
	*out = (u_int)v;
	return 0;
}

/* "G1,G2,...": numeric group ids; 0, or -1 with a message. */
static int
ctl_parse_groups(const char *text, u_int *groups, u_int *n)
{
	char *copy, *rest, *one;
	int rc = 0;

	*n = 0;
	if ((rest = copy = strdup(text)) == NULL)
		return -1;
	while (rc == 0 && *text != '\0' && (one = strsep(&rest, ",")) != NULL) {
		if (*n == GSSD_GROUPS_MAX) {
			fprintf(stderr, "dittofsctl: more than %d groups\n",
			    GSSD_GROUPS_MAX);
			rc = -1;
		} else
			rc = ctl_parse_id(one, &groups[(*n)++]);
	}
	free(copy);
	return rc;
}

/* The host's supplementary groups of a user, its primary one left out. */
static void
ctl_host_groups(const struct passwd *pw, u_int *groups, u_int *n)
{
	gid_t g[GSSD_GROUPS_MAX + 1];
	int ng = GSSD_GROUPS_MAX + 1, i;

	*n = 0;
	if (getgrouplist(pw->pw_name, pw->pw_gid, g, &ng) == -1) {
		fprintf(stderr, "dittofsctl: %s is in more than %d groups: "
		    "the first ones are kept\n", pw->pw_name, GSSD_GROUPS_MAX);
		ng = GSSD_GROUPS_MAX + 1;
	}
	for (i = 0; i < ng && *n < GSSD_GROUPS_MAX; i++)
		if (g[i] != pw->pw_gid)
			groups[(*n)++] = (u_int)g[i];
}

static int
ctl_user_groups(struct ctl_env *env, const char *name, u_int *groups,
    u_int n)
{
	struct gssd_user_groups_req req;
	struct gssd_status_reply st;
	struct ipc_sync_reply rep;
	int rc = 1;

	req.user = (char *)name;
	req.groups.groups_len = n;
	req.groups.groups_val = groups;
	if (ctl_gssd_call(env, GSSD_USER_GROUPS,
	    (xdrproc_t)xdr_gssd_user_groups_req, &req, &rep) != 0)
		return 1;
	memset(&st, 0, sizeof(st));
	if (rep.hdr.type != GSSD_OK ||
	    ipc_sync_decode(&rep, (xdrproc_t)xdr_gssd_status_reply, &st) ==
	    -1)
		fprintf(stderr, "dittofsctl: gssd refused the groups\n");
	else if (st.status != GSSD_COMPLETE)
		fprintf(stderr, "dittofsctl: user %s: groups: %s\n", name,
		    st.message);
	else
		rc = 0;
	xdr_free((xdrproc_t)xdr_gssd_status_reply, &st);
	ipc_sync_reply_free(&rep);
	return rc;
}

/*
 * user add NAME [--uid U] [--gid G] [--groups G,...]: the ids default to
 * the host's user of that name (with its supplementary groups); user
 * passwd NAME keeps them unless given.
 */
static int
ctl_user(struct ctl_env *env, int argc, char **argv)
{
	struct gssd_user_set_req set;
	struct gssd_user_name_req del;
	struct ipc_sync_reply rep;
	struct passwd *pw;
	uint8_t hash[16];
	u_int groups[GSSD_GROUPS_MAX], ngroups = 0;
	int i, have_uid = 0, have_gid = 0, have_groups = 0, rc, create;

	if (argc == 1 && strcmp(argv[0], "list") == 0)
		return ctl_user_list(env);
	if (argc == 2 && strcmp(argv[0], "del") == 0) {
		del.user = argv[1];
		if (ctl_gssd_call(env, GSSD_USER_DEL,
		    (xdrproc_t)xdr_gssd_user_name_req, &del, &rep) != 0)
			return 1;
		return ctl_gssd_status(&rep, "deleted", argv[1]);
	}
	if (argc < 2 || (strcmp(argv[0], "add") != 0 &&
	    strcmp(argv[0], "passwd") != 0))
		ctl_usage();
	create = strcmp(argv[0], "add") == 0;
	memset(&set, 0, sizeof(set));
	set.user = argv[1];
	set.create = create;
	for (i = 2; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--uid") == 0) {
			if (ctl_parse_id(argv[++i], &set.uid) == -1)
				return 2;
			have_uid = 1;
		} else if (i + 1 < argc && strcmp(argv[i], "--gid") == 0) {
			if (ctl_parse_id(argv[++i], &set.gid) == -1)
				return 2;
			have_gid = 1;
		} else if (i + 1 < argc && strcmp(argv[i], "--groups") == 0) {
			if (ctl_parse_groups(argv[++i], groups, &ngroups) ==
			    -1)
				return 2;
			have_groups = 1;
		} else
			ctl_usage();
	}
	if (!create && (!have_uid || !have_gid)) {
		/* passwd: the ids gssd has, unless given. */
		struct gssd_user_list_reply list;
		u_int j;
		int found = 0;

		if (ctl_user_fetch(env, &list) != 0)
			return 1;
		for (j = 0; j < list.users.users_len; j++)
			if (strcasecmp(list.users.users_val[j].user,
			    argv[1]) == 0) {
				if (!have_uid)
					set.uid = list.users.users_val[j].uid;
				if (!have_gid)
					set.gid = list.users.users_val[j].gid;
				found = 1;
			}
		xdr_free((xdrproc_t)xdr_gssd_user_list_reply, &list);
		if (!found) {
			fprintf(stderr, "dittofsctl: user %s: no such user\n",
			    argv[1]);
			return 1;
		}
		have_uid = have_gid = 1;
	}
	if ((!have_uid || !have_gid || (create && !have_groups)) &&
	    (pw = getpwnam(argv[1])) != NULL) {
		if (!have_uid)
			set.uid = pw->pw_uid;
		if (!have_gid)
			set.gid = pw->pw_gid;
		if (!have_groups)
			ctl_host_groups(pw, groups, &ngroups);
		have_uid = have_gid = have_groups = 1;
	}
	if (!have_uid || !have_gid) {
		fprintf(stderr, "dittofsctl: %s is no user of this host: give "
		    "--uid and --gid\n", argv[1]);
		return 2;
	}
	if (ctl_new_hash(hash) == -1)
		return 1;
	memcpy(set.nt_hash, hash, 16);
	explicit_bzero(hash, sizeof(hash));
	rc = ctl_gssd_call(env, GSSD_USER_SET,
	    (xdrproc_t)xdr_gssd_user_set_req, &set, &rep);
	explicit_bzero(set.nt_hash, sizeof(set.nt_hash));
	if (rc != 0 || ctl_gssd_status(&rep, create ? "added" : "changed",
	    argv[1]) != 0)
		return 1;
	return have_groups ? ctl_user_groups(env, argv[1], groups, ngroups) :
	    0;
}

/* gssd's RPCSEC_GSS contexts: principal, identity, mechanism, end. */
static int
ctl_gss(struct ctl_env *env)
{
	struct gssd_rpcsec_list_reply list;
	struct ipc_sync_reply rep;
	time_t now = time(NULL);
	u_int i;
	int rc = 0;

	if (ctl_gssd_call(env, GSSD_RPCSEC_LIST, NULL, NULL, &rep) != 0)
		return 1;
	memset(&list, 0, sizeof(list));
	if (rep.hdr.type != GSSD_RPCSEC_LIST_REPLY ||
	    ipc_sync_decode(&rep, (xdrproc_t)xdr_gssd_rpcsec_list_reply,
	    &list) == -1) {
		fprintf(stderr, "dittofsctl: gssd refused the request\n");
		ipc_sync_reply_free(&rep);
		return 1;
	}
	printf("%-40s %-5s %10s %10s %s\n", "PRINCIPAL", "MECH", "UID", "GID",
	    "EXPIRES IN");
	for (i = 0; i < list.contexts.contexts_len; i++) {
		gssd_rpcsec_entry *e = &list.contexts.contexts_val[i];

		printf("%-40s %-5s %10u %10u %llds\n", e->principal, e->mech,
		    e->uid, e->gid, (long long)e->expires - (long long)now);
	}
	xdr_free((xdrproc_t)xdr_gssd_rpcsec_list_reply, &list);
	ipc_sync_reply_free(&rep);
	return rc;
}

/* The command; main frees the configuration whatever it returns. */
static int
ctl_command(struct ctl_env *env, int argc, char *argv[])
{
	if (strcmp(argv[0], "check") == 0) {
		printf("%s: configuration OK\n", env->conf_path);
		return 0;
	}
	if (strcmp(argv[0], "status") == 0) {
		printf("%-8s %-7s %-10s %s\n", "DAEMON", "PID", "UPTIME",
		    "SANDBOX (from /proc)");
		return ctl_for_daemons(env, argc - 1, argv + 1,
		    ctl_status_one) ? 3 : 0;
	}
	if (strcmp(argv[0], "fsck") == 0)
		return ctl_fsck(env, argc, argv);
	if (strcmp(argv[0], "locks") == 0)
		return ctl_locks(env);
	if (strcmp(argv[0], "grace") == 0)
		return ctl_grace(env, argc - 1, argv + 1);
	if (strcmp(argv[0], "smb") == 0)
		return ctl_smb(env, argc - 1, argv + 1);
	if (strcmp(argv[0], "v4") == 0)
		return ctl_v4(env, argc - 1, argv + 1);
	if (strcmp(argv[0], "user") == 0 && argc >= 2)
		return ctl_user(env, argc - 1, argv + 1);
	if (strcmp(argv[0], "gss") == 0)
		return ctl_gss(env);
	if (strcmp(argv[0], "reload") == 0)
		return ctl_for_daemons(env, argc - 1, argv + 1,
		    ctl_reload_one) ? 1 : 0;
	ctl_usage();
	return 1;	/* not reached: ctl_usage exits */
}

int
main(int argc, char *argv[])
{
	struct ctl_env env;
	const char *bindir;
	char err[1024];
	int ch, rc;

	memset(&env, 0, sizeof(env));
	env.conf_path = CONF_DEFAULT_PATH;
	bindir = getenv("DITTOFS_SBINDIR");
	snprintf(env.bindir, sizeof(env.bindir), "%s",
	    bindir != NULL ? bindir : SBINDIR);
	log_init("dittofsctl", 1, LOG_LEVEL_WARN);
	while ((ch = getopt(argc, argv, "+f:")) != -1) {
		switch (ch) {
		case 'f':
			env.conf_path = optarg;
			break;
		default:
			ctl_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		ctl_usage();
	if ((env.conf = conf_load(env.conf_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dittofsctl: %s\n", err);
		return 2;
	}
	rc = ctl_command(&env, argc, argv);
	conf_free(env.conf);
	return rc;
}
