/*
 * nlm-client: an NLM (v1, v3, v4) and NSM test client for the
 * integration tests, on libtirpc.  One command per run; NLM keeps no
 * connection state, so a lock taken by one run stays held after it.
 * -H names the host it plays (caller_name), so one program plays
 * several hosts.  For GRANTED callbacks and _RES messages it runs a
 * small NLM service of its own, registered with the local rpcbind.
 *
 *   nlm-client fh -b BLOCKD_SOCK -u USER -S SHARE -n NAME
 *   nlm-client [opts] test|lock|unlock|cancel FH OFF LEN
 *   nlm-client [opts] share FH ACCESS DENY      (r, w, rw, none)
 *   nlm-client [opts] unshare FH
 *   nlm-client [opts] freeall
 *   nlm-client [opts] notify STATE              (SM_NOTIFY to the server)
 *   nlm-client [opts] mon                       (SM_STAT to the server)
 *   nlm-client [opts] flood FH COUNT            (COUNT locks, one per line
 *                                               of output: see below)
 * opts: -s server -V vers -T tcp|udp -H host -p svid -o owner -x
 *       (exclusive) -B (block) -R (reclaim) -M (_MSG form, wait for _RES)
 *       -W secs (wait for GRANTED) -D (refuse the GRANTED callback)
 *       -b ADDR (call from this local address: another host on the same
 *       machine, for the tests of who may free or take whose lock)
 *       -N (flood: a new caller name HOST-i for each lock, else one host
 *       with a new range 10*i..10*i+4 for each)
 *       -C tcp|udp (the callback service on that transport only; both
 *       by default; deadtcp: on UDP, with rpcbind naming for TCP a port
 *       where nothing listens)
 *
 * flood prints "FLOOD granted G nolocks N other O".
 *
 * Output: one line per result, e.g. "LOCK granted", "TEST denied svid 7
 * excl 1 off 0 len 10", "GRANTED callback svid 7 off 0 len 10 excl 1
 * via tcp".
 */
#define _GNU_SOURCE
#include <sys/select.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rpc/rpc.h>
#include <rpc/pmap_clnt.h>

#include "blockd_msg.h"
#include "ipc.h"
#include "nlm_prot.h"
#include "sandbox.h"
#include "sm_prot.h"

static const char *server = "127.0.0.1";
static const char *nettype = "udp";
static const char *host = "hostA";
static const char *owner;
static int vers = 4, svid = 1, exclusive, block, reclaim, msg_form;
static int refuse_grant;
static const char *bind_addr;
static int flood_names;
static const char *cb_transport;
static int wait_secs;
static int done;
static int granted_seen;
static char ownbuf[256];

static bool_t
xdr_nothing(XDR *xdrs, void *unused)
{
	return TRUE;
}

static void
usage(void)
{
	fprintf(stderr, "usage: see tests/clients/nlm-client.c\n");
	exit(2);
}

static const char *
stat_name(int s)
{
	static const char *const n[] = { "granted", "denied", "denied_nolocks",
	    "blocked", "denied_grace_period", "deadlck", "rofs", "stale_fh",
	    "fbig", "failed" };

	return s >= 0 && s < 10 ? n[s] : "?";
}

static int
hex_decode(const char *hex, char *out, size_t max)
{
	size_t n = strlen(hex) / 2, i;
	unsigned int b;

	if (n > max || strlen(hex) % 2)
		return -1;
	for (i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (char)b;
	}
	return (int)n;
}

/* fh: create (or find) a file through blockd and print its handle. */
/* The next reply, past blockd's notifications (we are a front end). */
static int
recv_reply(int fd, struct ipc_sync_reply *rep)
{
	for (;;) {
		if (ipc_sync_recv(fd, rep) == -1)
			return -1;
		if (rep->hdr.type != BD_NOTIFY)
			return 0;
		ipc_sync_reply_free(rep);
	}
}

static int
cmd_fh(int argc, char **argv)
{
	const char *sock = NULL, *user = "dittofs-nfsd", *share = "export";
	const char *name = "file";
	struct sandbox_ids ids;
	struct ipc_hello_reply hello;
	struct ipc_sync_reply rep;
	struct bd_share_root_req sr;
	struct bd_create_req cr;
	struct bd_entry_reply er;
	char rootfh[BD_FH_MAX];
	u_int rootlen;
	int ch, fd;
	u_int i;

	optind = 1;
	while ((ch = getopt(argc, argv, "b:u:S:n:")) != -1) {
		switch (ch) {
		case 'b': sock = optarg; break;
		case 'u': user = optarg; break;
		case 'S': share = optarg; break;
		case 'n': name = optarg; break;
		default: usage();
		}
	}
	if (sock == NULL)
		usage();
	if (geteuid() == 0) {
		if (sandbox_resolve_user(user, &ids) == -1 ||
		    setgid(ids.gid) == -1 || setuid(ids.uid) == -1) {
			perror(user);
			return 1;
		}
	}
	if ((fd = ipc_connect_unix(sock)) == -1 ||
	    ipc_sync_hello(fd, IPC_ROLE_NFSD, "nlm-client", &hello) == -1) {
		perror(sock);
		return 1;
	}
	xdr_free((xdrproc_t)xdr_ipc_hello_reply, &hello);
	memset(&rep, 0, sizeof(rep));
	rep.fd = -1;
	memset(&sr, 0, sizeof(sr));
	sr.name = (char *)share;
	memset(&er, 0, sizeof(er));
	if (ipc_sync_send(fd, BD_SHARE_ROOT, 1, 0, -1,
	    (xdrproc_t)xdr_bd_share_root_req, &sr) == -1 ||
	    recv_reply(fd, &rep) == -1 ||
	    ipc_sync_decode(&rep, (xdrproc_t)xdr_bd_entry_reply, &er) == -1 ||
	    er.status != 0) {
		fprintf(stderr, "share root failed (%d)\n", er.status);
		xdr_free((xdrproc_t)xdr_bd_entry_reply, &er);
		ipc_sync_reply_free(&rep);
		close(fd);
		return 1;
	}
	rootlen = er.fh.bd_fh_len;
	memcpy(rootfh, er.fh.bd_fh_val, rootlen);
	xdr_free((xdrproc_t)xdr_bd_entry_reply, &er);
	ipc_sync_reply_free(&rep);
	memset(&cr, 0, sizeof(cr));
	cr.dir.bd_fh_len = rootlen;
	cr.dir.bd_fh_val = rootfh;
	cr.name.bd_name_len = (u_int)strlen(name);
	cr.name.bd_name_val = (char *)name;
	cr.how = 0;
	cr.sattr.mask = 0x01;
	cr.sattr.mode = 0666;
	memset(&er, 0, sizeof(er));
	if (ipc_sync_send(fd, BD_CREATE, 2, 0, -1,
	    (xdrproc_t)xdr_bd_create_req, &cr) == -1 ||
	    recv_reply(fd, &rep) == -1 ||
	    ipc_sync_decode(&rep, (xdrproc_t)xdr_bd_entry_reply, &er) == -1 ||
	    er.status != 0) {
		fprintf(stderr, "create failed (%d)\n", er.status);
		xdr_free((xdrproc_t)xdr_bd_entry_reply, &er);
		ipc_sync_reply_free(&rep);
		close(fd);
		return 1;
	}
	for (i = 0; i < er.fh.bd_fh_len; i++)
		printf("%02x", (unsigned char)er.fh.bd_fh_val[i]);
	printf("\n");
	xdr_free((xdrproc_t)xdr_bd_entry_reply, &er);
	ipc_sync_reply_free(&rep);
	close(fd);
	return 0;
}

/* "tcp" or "udp": what the call came over. */
static const char *
xprt_transport(SVCXPRT *xprt)
{
	socklen_t len = sizeof(int);
	int type = 0;

	if (getsockopt(xprt->xp_fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1)
		return "?";
	return type == SOCK_STREAM ? "tcp" : "udp";
}

/* The callback service: GRANTED and the _RES messages. */
static void
callback_dispatch(struct svc_req *rq, SVCXPRT *xprt)
{
	union {
		nlm4_testargs	t4;
		nlm_testargs	t;
		nlm4_testres	tr4;
		nlm_testres	tr;
		nlm_res		r;
	} a;
	nlm_res res;
	xdrproc_t proc;
	int v4 = rq->rq_vers == NLM4_VERS;

	memset(&a, 0, sizeof(a));
	switch (rq->rq_proc) {
	case NLMPROC_NULL:
		svc_sendreply(xprt, (xdrproc_t)xdr_nothing, NULL);
		return;
	case NLMPROC_GRANTED:
	case NLMPROC_GRANTED_MSG:
		proc = v4 ? (xdrproc_t)xdr_nlm4_testargs :
		    (xdrproc_t)xdr_nlm_testargs;
		if (!svc_getargs(xprt, proc, (char *)&a)) {
			svcerr_decode(xprt);
			return;
		}
		if (v4)
			printf("GRANTED callback svid %d off %llu len %llu "
			    "excl %d via %s\n", a.t4.alock.svid,
			    (unsigned long long)a.t4.alock.l_offset,
			    (unsigned long long)a.t4.alock.l_len,
			    a.t4.exclusive, xprt_transport(xprt));
		else
			printf("GRANTED callback svid %d off %u len %u excl "
			    "%d via %s\n", a.t.alock.uppid, a.t.alock.l_offset,
			    a.t.alock.l_len, a.t.exclusive,
			    xprt_transport(xprt));
		fflush(stdout);
		granted_seen = 1;
		memset(&res, 0, sizeof(res));
		res.stat = refuse_grant ? LCK_DENIED : LCK_GRANTED;
		if (v4)
			res.cookie = a.t4.cookie;
		else
			res.cookie = a.t.cookie;
		svc_sendreply(xprt, (xdrproc_t)xdr_nlm_res, (char *)&res);
		svc_freeargs(xprt, proc, (char *)&a);
		done = 1;
		return;
	case NLMPROC_TEST_RES:
		proc = v4 ? (xdrproc_t)xdr_nlm4_testres :
		    (xdrproc_t)xdr_nlm_testres;
		if (!svc_getargs(xprt, proc, (char *)&a)) {
			svcerr_decode(xprt);
			return;
		}
		if (v4)
			printf("TEST_RES %s%s\n",
			    stat_name(a.tr4.test_stat.stat),
			    a.tr4.test_stat.stat == LCK_DENIED ? " (holder)" :
			    "");
		else
			printf("TEST_RES %s\n", stat_name(a.tr.test_stat.stat));
		svc_sendreply(xprt, (xdrproc_t)xdr_nothing, NULL);
		svc_freeargs(xprt, proc, (char *)&a);
		done = 1;
		return;
	case NLMPROC_LOCK_RES:
	case NLMPROC_CANCEL_RES:
	case NLMPROC_UNLOCK_RES:
	case NLMPROC_GRANTED_RES:
		if (!svc_getargs(xprt, (xdrproc_t)xdr_nlm_res, (char *)&a)) {
			svcerr_decode(xprt);
			return;
		}
		printf("%s %s\n", rq->rq_proc == NLMPROC_LOCK_RES ? "LOCK_RES" :
		    rq->rq_proc == NLMPROC_CANCEL_RES ? "CANCEL_RES" :
		    rq->rq_proc == NLMPROC_UNLOCK_RES ? "UNLOCK_RES" :
		    "GRANTED_RES", stat_name(a.r.stat));
		svc_sendreply(xprt, (xdrproc_t)xdr_nothing, NULL);
		svc_freeargs(xprt, (xdrproc_t)xdr_nlm_res, (char *)&a);
		/* LOCK_RES blocked: wait on for GRANTED if asked. */
		if (!(rq->rq_proc == NLMPROC_LOCK_RES && a.r.stat ==
		    LCK_BLOCKED && wait_secs > 0))
			done = 1;
		return;
	default:
		svcerr_noproc(xprt);
	}
}

static SVCXPRT *cb_udp, *cb_tcp;

static void
callback_start(void)
{
	int v;

	int udp = cb_transport == NULL || strcmp(cb_transport, "udp") == 0 ||
	    strcmp(cb_transport, "deadtcp") == 0;
	int tcp = cb_transport == NULL || strcmp(cb_transport, "tcp") == 0;
	int dead = cb_transport != NULL && strcmp(cb_transport, "deadtcp") == 0;
	u_short dead_port = 0;

	if (udp)
		cb_udp = svcudp_create(RPC_ANYSOCK);
	if (tcp)
		cb_tcp = svctcp_create(RPC_ANYSOCK, 0, 0);
	if ((udp && cb_udp == NULL) || (tcp && cb_tcp == NULL)) {
		fprintf(stderr, "callback service\n");
		exit(1);
	}
	if (dead) {
		struct sockaddr_in sin;
		socklen_t len = sizeof(sin);
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		/* A port the kernel gave and took back: connect is refused. */
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		if (fd == -1 || bind(fd, (struct sockaddr *)&sin,
		    sizeof(sin)) == -1 || getsockname(fd,
		    (struct sockaddr *)&sin, &len) == -1) {
			perror("dead port");
			exit(1);
		}
		dead_port = ntohs(sin.sin_port);
		close(fd);
	}
	for (v = 1; v <= 4; v++) {
		if (v == 2)
			continue;
		pmap_unset(NLM_PROG, (u_long)v);
		if ((udp && !svc_register(cb_udp, NLM_PROG, (u_long)v,
		    callback_dispatch, IPPROTO_UDP)) ||
		    (tcp && !svc_register(cb_tcp, NLM_PROG, (u_long)v,
		    callback_dispatch, IPPROTO_TCP)) ||
		    (dead && !pmap_set(NLM_PROG, (u_long)v, IPPROTO_TCP,
		    dead_port))) {
			fprintf(stderr, "cannot register the callback "
			    "service (rpcbind?)\n");
			exit(1);
		}
	}
}

static void
callback_stop(void)
{
	int v;

	for (v = 1; v <= 4; v++)
		if (v != 2)
			pmap_unset(NLM_PROG, (u_long)v);
}

static void
callback_wait(int secs)
{
	time_t end = time(NULL) + secs;
	fd_set fds;
	struct timeval tv;

	while (!done && time(NULL) < end) {
		fds = svc_fdset;
		tv.tv_sec = 0;
		tv.tv_usec = 100000;
		if (select(FD_SETSIZE, &fds, NULL, NULL, &tv) > 0)
			svc_getreqset(&fds);
	}
}

static void
fill_lock(nlm_lock *l, nlm4_lock *l4, char *fh, int fhlen,
    unsigned long long off, unsigned long long len)
{
	if (l4 != NULL) {
		l4->caller_name = (char *)host;
		l4->fh.nlm_netobj_len = (u_int)fhlen;
		l4->fh.nlm_netobj_val = fh;
		l4->oh.nlm_netobj_len = (u_int)strlen(owner);
		l4->oh.nlm_netobj_val = (char *)owner;
		l4->svid = svid;
		l4->l_offset = off;
		l4->l_len = len;
	} else {
		l->caller_name = (char *)host;
		l->fh.nlm_netobj_len = (u_int)fhlen;
		l->fh.nlm_netobj_val = fh;
		l->oh.nlm_netobj_len = (u_int)strlen(owner);
		l->oh.nlm_netobj_val = (char *)owner;
		l->uppid = svid;
		l->l_offset = (u_int)off;
		l->l_len = (u_int)len;
	}
}

static int
call(CLIENT *cl, u_long proc, xdrproc_t ax, void *args, xdrproc_t rx,
    void *res)
{
	struct timeval tv = { 10, 0 };
	enum clnt_stat st;

	if (msg_form) {
		/* One-way: the server's void reply is all we wait for. */
		st = clnt_call(cl, proc + (NLMPROC_TEST_MSG - NLMPROC_TEST),
		    ax, args, (xdrproc_t)xdr_nothing, NULL, tv);
	} else
		st = clnt_call(cl, proc, ax, args, rx, res, tv);
	if (st != RPC_SUCCESS) {
		printf("RPC error: %s\n", clnt_sperrno(st));
		return -1;
	}
	return 0;
}

/*
 * A client of the server's prog and vers; with -b, its socket bound to
 * that local address first, so the server sees another host.
 */
static CLIENT *
client_create(u_long prog, u_long version)
{
	struct sockaddr_in sin, local;
	struct timeval wait = { 1, 0 };
	int tcp = strcmp(nettype, "tcp") == 0, fd;
	u_short port;

	if (bind_addr == NULL)
		return clnt_create(server, prog, version, nettype);
	memset(&sin, 0, sizeof(sin));
	memset(&local, 0, sizeof(local));
	sin.sin_family = local.sin_family = AF_INET;
	if (inet_pton(AF_INET, server, &sin.sin_addr) != 1 ||
	    inet_pton(AF_INET, bind_addr, &local.sin_addr) != 1) {
		fprintf(stderr, "-b and -s take IPv4 addresses\n");
		return NULL;
	}
	if ((port = pmap_getport(&sin, prog, version, tcp ? IPPROTO_TCP :
	    IPPROTO_UDP)) == 0)
		return NULL;
	sin.sin_port = htons(port);
	if ((fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&local, sizeof(local)) == -1 ||
	    (tcp && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)) {
		perror(bind_addr);
		return NULL;
	}
	return tcp ? clnttcp_create(&sin, prog, version, &fd, 0, 0) :
	    clntudp_create(&sin, prog, version, wait, &fd);
}

/* COUNT plain LOCKs, counting the answers (one host, or many names). */
static int
cmd_flood(CLIENT *cl, const char *fh, int fhlen, int count)
{
	char name[300], cookie[4] = "fl01";
	struct timeval tv = { 10, 0 };
	int i, granted = 0, nolocks = 0, other = 0;
	nlm4_lockargs a4;
	nlm_res r;

	for (i = 0; i < count; i++) {
		memset(&a4, 0, sizeof(a4));
		memset(&r, 0, sizeof(r));
		a4.cookie.nlm_netobj_len = 4;
		a4.cookie.nlm_netobj_val = cookie;
		a4.exclusive = 1;
		a4.state = 1;
		snprintf(name, sizeof(name), "%s-%d", host, i);
		a4.alock.caller_name = flood_names ? name : (char *)host;
		a4.alock.fh.nlm_netobj_len = (u_int)fhlen;
		a4.alock.fh.nlm_netobj_val = (char *)fh;
		a4.alock.oh.nlm_netobj_len = (u_int)strlen(owner);
		a4.alock.oh.nlm_netobj_val = (char *)owner;
		a4.alock.svid = svid;
		a4.alock.l_offset = (flood_names ? 1000000 : 0) +
		    (uint64_t)i * 10;
		a4.alock.l_len = 5;
		if (clnt_call(cl, NLMPROC_LOCK, (xdrproc_t)xdr_nlm4_lockargs,
		    (char *)&a4, (xdrproc_t)xdr_nlm_res, (char *)&r, tv) !=
		    RPC_SUCCESS)
			other++;
		else if (r.stat == LCK_GRANTED)
			granted++;
		else if (r.stat == LCK_DENIED_NOLOCKS)
			nolocks++;
		else
			other++;
		xdr_free((xdrproc_t)xdr_nlm_res, (char *)&r);
	}
	printf("FLOOD granted %d nolocks %d other %d\n", granted, nolocks,
	    other);
	return 0;
}

int
main(int argc, char *argv[])
{
	char fh[1024], cookie[4] = "ck01";
	int ch, fhlen = 0, rc = 0, v4;
	unsigned long long off = 0, len = 0;
	const char *cmd;
	CLIENT *cl;

	while ((ch = getopt(argc, argv, "+s:V:T:H:p:o:xBRMW:Db:NC:")) != -1) {
		switch (ch) {
		case 'b': bind_addr = optarg; break;
		case 'N': flood_names = 1; break;
		case 'C': cb_transport = optarg; break;
		case 's': server = optarg; break;
		case 'V': vers = atoi(optarg); break;
		case 'T': nettype = optarg; break;
		case 'H': host = optarg; break;
		case 'p': svid = atoi(optarg); break;
		case 'o': owner = optarg; break;
		case 'x': exclusive = 1; break;
		case 'B': block = 1; break;
		case 'R': reclaim = 1; break;
		case 'M': msg_form = 1; break;
		case 'W': wait_secs = atoi(optarg); break;
		case 'D': refuse_grant = 1; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	cmd = argv[0];
	if (strcmp(cmd, "fh") == 0)
		return cmd_fh(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (owner == NULL) {
		snprintf(ownbuf, sizeof(ownbuf), "%d@%s", svid, host);
		owner = ownbuf;
	}
	v4 = vers == 4;

	if (strcmp(cmd, "notify") == 0 || strcmp(cmd, "mon") == 0) {
		struct timeval tv = { 10, 0 };
		enum clnt_stat st;

		if ((cl = client_create(SM_PROG, SM_VERS)) == NULL) {
			printf("%s\n", clnt_spcreateerror("statd"));
			return 1;
		}
		if (strcmp(cmd, "notify") == 0) {
			stat_chge sc;

			if (argc < 2)
				usage();
			sc.mon_name = (char *)host;
			sc.state = atoi(argv[1]);
			st = clnt_call(cl, SM_PROC_NOTIFY,
			    (xdrproc_t)xdr_stat_chge, (char *)&sc,
			    (xdrproc_t)xdr_nothing, NULL, tv);
			printf("NOTIFY %s\n", st == RPC_SUCCESS ? "sent" :
			    clnt_sperrno(st));
		} else {
			sm_name sn;
			sm_stat_res r;

			sn.mon_name = (char *)host;
			memset(&r, 0, sizeof(r));
			st = clnt_call(cl, SM_PROC_STAT,
			    (xdrproc_t)xdr_sm_name, (char *)&sn,
			    (xdrproc_t)xdr_sm_stat_res, (char *)&r, tv);
			if (st == RPC_SUCCESS)
				printf("STAT %s state %d\n", r.res_stat ==
				    stat_succ ? "succ" : "fail", r.state);
			else
				printf("STAT %s\n", clnt_sperrno(st));
		}
		clnt_destroy(cl);
		return st == RPC_SUCCESS ? 0 : 1;
	}

	if (strcmp(cmd, "freeall") != 0) {
		if (argc < 2 || (fhlen = hex_decode(argv[1], fh, sizeof(fh))) <
		    0)
			usage();
		if (argc >= 4) {
			off = strtoull(argv[2], NULL, 0);
			len = strtoull(argv[3], NULL, 0);
		}
	}
	if ((cl = client_create(NLM_PROG, (u_long)vers)) == NULL) {
		printf("%s\n", clnt_spcreateerror("lockd"));
		return 1;
	}
	if (msg_form || wait_secs > 0)
		callback_start();

	if (strcmp(cmd, "flood") == 0) {
		if (vers != 4 || argc < 3)
			usage();
		rc = cmd_flood(cl, fh, fhlen, atoi(argv[2]));
	} else if (strcmp(cmd, "test") == 0) {
		nlm_testargs a;
		nlm4_testargs a4;
		nlm_testres r;
		nlm4_testres r4;

		memset(&a, 0, sizeof(a));
		memset(&a4, 0, sizeof(a4));
		memset(&r, 0, sizeof(r));
		memset(&r4, 0, sizeof(r4));
		a.cookie.nlm_netobj_len = a4.cookie.nlm_netobj_len = 4;
		a.cookie.nlm_netobj_val = a4.cookie.nlm_netobj_val = cookie;
		a.exclusive = a4.exclusive = exclusive;
		fill_lock(v4 ? NULL : &a.alock, v4 ? &a4.alock : NULL, fh,
		    fhlen, off, len);
		if (call(cl, NLMPROC_TEST, v4 ? (xdrproc_t)xdr_nlm4_testargs :
		    (xdrproc_t)xdr_nlm_testargs, v4 ? (void *)&a4 : (void *)&a,
		    v4 ? (xdrproc_t)xdr_nlm4_testres :
		    (xdrproc_t)xdr_nlm_testres, v4 ? (void *)&r4 : (void *)&r)
		    == -1)
			rc = 1;
		else if (!msg_form && v4) {
			nlm4_holder *h = &r4.test_stat.nlm4_testrply_u.holder;

			if (r4.test_stat.stat == LCK_DENIED)
				printf("TEST denied svid %d excl %d off %llu "
				    "len %llu oh %.*s\n", h->svid,
				    h->exclusive,
				    (unsigned long long)h->l_offset,
				    (unsigned long long)h->l_len,
				    (int)h->oh.nlm_netobj_len,
				    h->oh.nlm_netobj_val);
			else
				printf("TEST %s\n",
				    stat_name(r4.test_stat.stat));
		} else if (!msg_form) {
			nlm_holder *h = &r.test_stat.nlm_testrply_u.holder;

			if (r.test_stat.stat == LCK_DENIED)
				printf("TEST denied svid %d excl %d off %u "
				    "len %u oh %.*s\n", h->uppid, h->exclusive,
				    h->l_offset, h->l_len,
				    (int)h->oh.nlm_netobj_len,
				    h->oh.nlm_netobj_val);
			else
				printf("TEST %s\n",
				    stat_name(r.test_stat.stat));
		}
		xdr_free(v4 ? (xdrproc_t)xdr_nlm4_testres :
		    (xdrproc_t)xdr_nlm_testres, v4 ? (void *)&r4 : (void *)&r);
	} else if (strcmp(cmd, "lock") == 0 || strcmp(cmd, "cancel") == 0) {
		nlm_lockargs a;
		nlm4_lockargs a4;
		nlm_res r;
		int is_lock = strcmp(cmd, "lock") == 0;
		u_long proc = is_lock ? NLMPROC_LOCK : NLMPROC_CANCEL;

		memset(&a, 0, sizeof(a));
		memset(&a4, 0, sizeof(a4));
		memset(&r, 0, sizeof(r));
		a.cookie.nlm_netobj_len = a4.cookie.nlm_netobj_len = 4;
		a.cookie.nlm_netobj_val = a4.cookie.nlm_netobj_val = cookie;
		a.block = a4.block = block;
		a.exclusive = a4.exclusive = exclusive;
		a.reclaim = a4.reclaim = reclaim;
		a.state = a4.state = 1;
		fill_lock(v4 ? NULL : &a.alock, v4 ? &a4.alock : NULL, fh,
		    fhlen, off, len);
		/* cancargs is lockargs without the last two fields. */
		if (call(cl, proc, is_lock ? (v4 ?
		    (xdrproc_t)xdr_nlm4_lockargs :
		    (xdrproc_t)xdr_nlm_lockargs) : (v4 ?
		    (xdrproc_t)xdr_nlm4_cancargs :
		    (xdrproc_t)xdr_nlm_cancargs), v4 ? (void *)&a4 :
		    (void *)&a, (xdrproc_t)xdr_nlm_res, &r) == -1)
			rc = 1;
		else if (!msg_form) {
			printf("%s %s\n", is_lock ? "LOCK" : "CANCEL",
			    stat_name(r.stat));
			if (r.stat == LCK_BLOCKED && wait_secs > 0) {
				callback_wait(wait_secs);
				if (!granted_seen)
					printf("no GRANTED callback\n");
			}
		}
		xdr_free((xdrproc_t)xdr_nlm_res, &r);
	} else if (strcmp(cmd, "unlock") == 0) {
		nlm_unlockargs a;
		nlm4_unlockargs a4;
		nlm_res r;

		memset(&a, 0, sizeof(a));
		memset(&a4, 0, sizeof(a4));
		memset(&r, 0, sizeof(r));
		a.cookie.nlm_netobj_len = a4.cookie.nlm_netobj_len = 4;
		a.cookie.nlm_netobj_val = a4.cookie.nlm_netobj_val = cookie;
		fill_lock(v4 ? NULL : &a.alock, v4 ? &a4.alock : NULL, fh,
		    fhlen, off, len);
		if (call(cl, NLMPROC_UNLOCK, v4 ?
		    (xdrproc_t)xdr_nlm4_unlockargs :
		    (xdrproc_t)xdr_nlm_unlockargs, v4 ? (void *)&a4 :
		    (void *)&a, (xdrproc_t)xdr_nlm_res, &r) == -1)
			rc = 1;
		else if (!msg_form)
			printf("UNLOCK %s\n", stat_name(r.stat));
		xdr_free((xdrproc_t)xdr_nlm_res, &r);
	} else if (strcmp(cmd, "share") == 0 || strcmp(cmd, "unshare") == 0) {
		nlm_shareargs a;
		nlm_shareres r;
		struct timeval tv = { 10, 0 };
		enum clnt_stat st;
		int is_share = strcmp(cmd, "share") == 0;
		const char *acc = argc > 2 ? argv[2] : "rw";
		const char *deny = argc > 3 ? argv[3] : "none";

		memset(&a, 0, sizeof(a));
		memset(&r, 0, sizeof(r));
		a.cookie.nlm_netobj_len = 4;
		a.cookie.nlm_netobj_val = cookie;
		a.share.caller_name = (char *)host;
		a.share.fh.nlm_netobj_len = (u_int)fhlen;
		a.share.fh.nlm_netobj_val = fh;
		a.share.oh.nlm_netobj_len = (u_int)strlen(owner);
		a.share.oh.nlm_netobj_val = (char *)owner;
		a.share.access = (strchr(acc, 'r') ? fsa_R : 0) |
		    (strchr(acc, 'w') ? fsa_W : 0);
		a.share.mode = strcmp(deny, "none") == 0 ? fsm_DN :
		    (fsh_mode)((strchr(deny, 'r') ? fsm_DR : 0) |
		    (strchr(deny, 'w') ? fsm_DW : 0));
		a.reclaim = reclaim;
		st = clnt_call(cl, is_share ? NLMPROC_SHARE : NLMPROC_UNSHARE,
		    (xdrproc_t)xdr_nlm_shareargs, (char *)&a,
		    (xdrproc_t)xdr_nlm_shareres, (char *)&r, tv);
		if (st != RPC_SUCCESS) {
			printf("RPC error: %s\n", clnt_sperrno(st));
			rc = 1;
		} else
			printf("%s %s\n", is_share ? "SHARE" : "UNSHARE",
			    stat_name(r.stat));
		xdr_free((xdrproc_t)xdr_nlm_shareres, &r);
	} else if (strcmp(cmd, "freeall") == 0) {
		nlm_notify a;
		struct timeval tv = { 10, 0 };
		enum clnt_stat st;

		a.name = (char *)host;
		a.state = 0;
		st = clnt_call(cl, NLMPROC_FREE_ALL, (xdrproc_t)xdr_nlm_notify,
		    (char *)&a, (xdrproc_t)xdr_nothing, NULL, tv);
		printf("FREE_ALL %s\n", st == RPC_SUCCESS ? "sent" :
		    clnt_sperrno(st));
		rc = st != RPC_SUCCESS;
	} else
		usage();

	if (msg_form && rc == 0) {
		callback_wait(wait_secs > 0 ? wait_secs : 10);
		if (!done)
			printf("no _RES message\n");
	}
	if (msg_form || wait_secs > 0)
		callback_stop();
	clnt_destroy(cl);
	return rc;
}
