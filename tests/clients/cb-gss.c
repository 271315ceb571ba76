/*
 * cb-gss: an NFSv4.0 client whose callback service takes RPCSEC_GSS
 * (RFC 7530 3.3.3), for tests/integration/test_cb_gss.sh.  With the
 * caller's ticket (KRB5CCNAME: a machine principal nfs/HOST) it makes a
 * context with nfs@localhost on nfsd, does SETCLIENTID and
 * SETCLIENTID_CONFIRM under it, and listens for callbacks as the
 * acceptor nfs/HOST (its key in KRB5_KTNAME): nfsd's CB_NULL probe must
 * come after an RPCSEC_GSS_INIT, under the same service as the
 * SETCLIENTID, with a header MIC that checks; an OPEN then gets a read
 * delegation, TRIGGER (a shell command: another client's write) makes
 * nfsd recall it, and the CB_RECALL must come the same way, naming the
 * delegation; DELEGRETURN ends it.  With -k, RESTART (a shell command:
 * kill -9 of nfsd, and wait for the next) runs between the OPEN and
 * TRIGGER, and the client then connects and makes its context again and
 * RENEWs: the CB_RECALL the new nfsd sends must still come under
 * RPCSEC_GSS with the SETCLIENTID's service, which that nfsd never saw
 * (stated keeps it).  Last, a SETCLIENTID of the same id
 * under AUTH_SYS as root (which the principal map makes our principal's
 * uid too) must be NFS4ERR_CLID_INUSE: the client id is the principal's.
 *
 *   cb-gss -p PORT -e EXPORT -f FILE -s krb5|krb5i|krb5p [-t TRIGGER]
 *          [-k RESTART] [-m refuse|closed|nohost]
 *     -m refuse  the callback service refuses the INIT (GSS_S_FAILURE)
 *     -m closed  the callback address has no listener
 *     -m nohost  the ticket is a user's (no host to call back): no
 *                callback may come
 *     in these cases the OPEN must get no delegation.
 * One line per check ("ok: ..." or "FAIL: ..."); exit 0 when all held,
 * 2 when no context with nfsd could be made, 1 otherwise.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

#include "check.h"
#include "gssrpc.h"

#define WINDOW		16

enum { OP_RENEW = 30, OP_SETCLIENTID = 35, OP_SETCLIENTID_CONFIRM = 36 };

static struct side cl;		/* ours, with nfsd */
static struct side cb;		/* nfsd's, with our callback service */
static int nfs_fd = -1;
static uint32_t xid = 0x43420000;

/* ---- our client of nfsd ---- */

/* A connection to nfsd and a context with nfs@localhost over it. */
static int
nfs_connect_context(int port)
{
	if ((nfs_fd = loopback_connect(port)) == -1)
		return -1;
	return client_context(nfs_fd, &xid, NFS_PROG, 4, "nfs@localhost",
	    &cl);
}

/*
 * A COMPOUND of ops under our context (sys: AUTH_SYS as root instead):
 * its status (10006, NFS4ERR_SERVERFAULT, when no reply came), the
 * results in res and r past their head.
 */
static uint32_t
compound_as(int sys, const struct buf *ops, uint32_t nops, struct buf *res,
    struct rd *r)
{
	struct buf args, b, rep, cred;
	struct rd h;
	const uint8_t *v;
	size_t vn;
	uint32_t vf, x;

	compound_args_put(&args, "cbgss", 0, ops, nops);
	b.n = 0;
	if (sys) {
		/* RFC 5531 appendix A: authsys_parms of root. */
		cred.n = 0;
		put32(&cred, 0);
		putopaque(&cred, "cb-gss", 6);
		put32(&cred, 0);
		put32(&cred, 0);
		put32(&cred, 0);
		put32(&b, x = xid++);
		put32(&b, 0);
		put32(&b, 2);
		put32(&b, NFS_PROG);
		put32(&b, 4);
		put32(&b, 1);
		put32(&b, 1);
		putopaque(&b, cred.b, (uint32_t)cred.n);
		put32(&b, 0);
		put32(&b, 0);
		putraw(&b, args.b, args.n);
		if (send_rec(nfs_fd, &b) == -1 || recv_rec(nfs_fd, &rep) == -1)
			return 10006;
		h = (struct rd){ rep.b, rep.n, 0, 0 };
		if (reply_head(&h, x, &v, &vn, &vf) == -1)
			return 10006;
		res->n = 0;
		putraw(res, h.p + h.pos, h.len - h.pos);
	} else if (data_call(nfs_fd, recv_rec, &cl, xid++, NFS_PROG, 4, 1,
	    &args, res) == -1)
		return 10006;
	return compound_status(res, r);
}

static uint32_t
compound(const struct buf *ops, uint32_t nops, struct buf *res, struct rd *r)
{
	return compound_as(0, ops, nops, res, r);
}

static const struct nfs4_calls calls = { compound, NULL, NULL, 1,
	"cb-gss-owner" };

/* SETCLIENTID of our name (sys: AUTH_SYS): its status, id and confirm. */
static uint32_t
setclientid_as(int sys, int cbport, uint64_t *clientid, uint8_t confirm[8])
{
	struct buf ops, res;
	struct rd r;
	char uaddr[64], name[64];
	uint8_t verf[8];
	uint32_t st;

	snprintf(uaddr, sizeof(uaddr), "127.0.0.1.%d.%d", cbport >> 8,
	    cbport & 255);
	snprintf(name, sizeof(name), "cb-gss-client-%d", (int)getpid());
	memcpy(verf, sys ? "sysverf!" : "gssverf!", 8);
	ops.n = 0;
	put32(&ops, OP_SETCLIENTID);
	putraw(&ops, verf, 8);
	putopaque(&ops, name, (uint32_t)strlen(name));
	put32(&ops, CB_PROG);
	putopaque(&ops, "tcp", 3);
	putopaque(&ops, uaddr, (uint32_t)strlen(uaddr));
	put32(&ops, 7);			/* callback_ident */
	if ((st = compound_as(sys, &ops, 1, &res, &r)) != 0)
		return st;
	rd32(&r);
	rd32(&r);
	*clientid = (uint64_t)rd32(&r) << 32;
	*clientid |= rd32(&r);
	if (r.bad || r.len - r.pos < 8)
		return 10006;
	memcpy(confirm, r.p + r.pos, 8);
	return 0;
}

static int
setclientid(int cbport, uint64_t *clientid)
{
	struct buf ops, res;
	struct rd r;
	uint8_t confirm[8];
	uint64_t id;

	if (setclientid_as(0, cbport, &id, confirm) != 0)
		return -1;
	ops.n = 0;
	put32(&ops, OP_SETCLIENTID_CONFIRM);
	put32(&ops, (uint32_t)(id >> 32));
	put32(&ops, (uint32_t)id);
	putraw(&ops, confirm, 8);
	if (compound(&ops, 1, &res, &r) != 0)
		return -1;
	*clientid = id;
	return 0;
}

/* RFC 7530 16.29: RENEW of our clientid; its status. */
static uint32_t
renew(uint64_t clientid)
{
	struct buf ops, res;
	struct rd r;

	ops.n = 0;
	put32(&ops, OP_RENEW);
	put32(&ops, (uint32_t)(clientid >> 32));
	put32(&ops, (uint32_t)clientid);
	return compound(&ops, 1, &res, &r);
}

/*
 * After nfsd's restart: a connection and a context of our own again,
 * tried a few times (the new nfsd may still be connecting to gssd).
 */
static int
reconnect(int port)
{
	OM_uint32 minor;
	int tries;

	for (tries = 0; tries < 40; tries++) {
		if (nfs_fd != -1)
			close(nfs_fd);
		nfs_fd = -1;
		if (cl.ctx != GSS_C_NO_CONTEXT)
			gss_delete_sec_context(&minor, &cl.ctx,
			    GSS_C_NO_BUFFER);
		cl.seq = 0;
		cl.handle_len = 0;
		if (nfs_connect_context(port) == 0)
			return 0;
		usleep(250000);
	}
	return -1;
}

/* ---- our callback service: the acceptor ---- */

enum cb_what { CB_NONE, CB_NULLPROC, CB_RECALLED, CB_BAD };

struct cb_seen {
	uint32_t	flavor;		/* of the DATA call */
	uint32_t	service;
	uint8_t		stateid[16];
	int		header_mic;	/* the call's verifier checked */
	char		initiator[256];
};

/* RPCSEC_GSS_INIT of nfsd's: accepted (or refused), answered. */
static int
cb_init(int fd, uint32_t x, const uint8_t *tok, size_t tn, int refuse,
    struct cb_seen *seen)
{
	gss_buffer_desc in = { tn, (void *)(uintptr_t)tok }, out =
	    GSS_C_EMPTY_BUFFER, name;
	gss_name_t src = GSS_C_NO_NAME;
	OM_uint32 major, minor;
	struct buf b;
	uint8_t w[4] = { 0, 0, 0, WINDOW };

	major = refuse ? GSS_S_FAILURE : gss_accept_sec_context(&minor,
	    &cb.ctx, GSS_C_NO_CREDENTIAL, &in, GSS_C_NO_CHANNEL_BINDINGS, &src,
	    NULL, &out, NULL, NULL, NULL);
	reply_accepted(&b, x);
	if (major == GSS_S_COMPLETE) {
		put32(&b, RPCSEC_GSS);
		if (mic_put(cb.ctx, w, 4, &b) == -1)
			return -1;
		if (!GSS_ERROR(gss_display_name(&minor, src, &name, NULL))) {
			snprintf(seen->initiator, sizeof(seen->initiator),
			    "%.*s", (int)name.length, (char *)name.value);
			gss_release_buffer(&minor, &name);
		}
	} else {
		put32(&b, 0);
		put32(&b, 0);
	}
	put32(&b, 0);			/* SUCCESS */
	memcpy(cb.handle, "cbhandle", 8);
	cb.handle_len = 8;
	putopaque(&b, cb.handle,
	    GSS_ERROR(major) ? 0 : 8);
	put32(&b, major);
	put32(&b, 0);
	put32(&b, WINDOW);
	putopaque(&b, out.value, (uint32_t)out.length);
	gss_release_buffer(&minor, &out);
	if (src != GSS_C_NO_NAME)
		gss_release_name(&minor, &src);
	return send_rec(fd, &b);
}

/* A DATA call of nfsd's: checked, answered; what it was. */
static enum cb_what
cb_data(int fd, const struct buf *rec, size_t cred_end, uint32_t x,
    uint32_t proc, uint32_t seq, struct rd *r, struct cb_seen *seen)
{
	struct buf args, res, b;
	struct rd a;
	const uint8_t *v;
	size_t vn, n;
	uint32_t vf, nops, op;
	uint8_t s[4] = { seq >> 24, seq >> 16, seq >> 8, seq };
	enum cb_what what = CB_NULLPROC;

	vf = rd32(r);
	v = rdopaque(r, &vn);
	seen->header_mic = !r->bad && vf == RPCSEC_GSS &&
	    mic_ok(cb.ctx, rec->b, cred_end, v, vn);
	if (body_get(&cb, seq, r, &args) == -1)
		return CB_BAD;
	res.n = 0;
	if (proc == 1) {
		a = (struct rd){ args.b, args.n, 0, 0 };
		rdopaque(&a, &n);	/* tag */
		rd32(&a);		/* minorversion */
		rd32(&a);		/* callback_ident */
		nops = rd32(&a);
		op = rd32(&a);
		if (a.bad || nops != 1 || op != OP_CB_RECALL ||
		    a.pos + 16 > a.len)
			return CB_BAD;
		memcpy(seen->stateid, a.p + a.pos, 16);
		what = CB_RECALLED;
		put32(&res, 0);
		putopaque(&res, "", 0);
		put32(&res, 1);
		put32(&res, OP_CB_RECALL);
		put32(&res, 0);
	}
	reply_accepted(&b, x);
	put32(&b, RPCSEC_GSS);
	if (mic_put(cb.ctx, s, 4, &b) == -1)
		return CB_BAD;
	put32(&b, 0);
	if (body_put(&cb, seq, &res, &b) == -1 || send_rec(fd, &b) == -1)
		return CB_BAD;
	return what;
}

/* One callback connection, until a DATA call came (or it closed). */
static enum cb_what
cb_serve(int lfd, int refuse, int wait_ms, struct cb_seen *seen)
{
	struct pollfd pfd = { lfd, POLLIN, 0 };
	struct buf rec;
	struct rd r;
	const uint8_t *cred, *tok;
	size_t cn, tn, cred_end;
	uint32_t x, proc, cf, gproc, seq, svc;
	enum cb_what what = CB_NONE;
	int fd;

	if (poll(&pfd, 1, wait_ms) <= 0 || (fd = accept(lfd, NULL, NULL)) ==
	    -1)
		return CB_NONE;
	while (what == CB_NONE && recv_rec(fd, &rec) == 0) {
		r = (struct rd){ rec.b, rec.n, 0, 0 };
		x = rd32(&r);
		if (rd32(&r) != 0 || rd32(&r) != 2 || rd32(&r) != CB_PROG ||
		    rd32(&r) != 1) {
			what = CB_BAD;
			break;
		}
		proc = rd32(&r);
		seen->flavor = cf = rd32(&r);
		cred = rdopaque(&r, &cn);
		cred_end = r.pos;
		if (r.bad || cf != RPCSEC_GSS) {
			what = CB_BAD;
			break;
		}
		{
			struct rd c = { cred, cn, 0, 0 };

			rd32(&c);
			gproc = rd32(&c);
			seq = rd32(&c);
			seen->service = svc = rd32(&c);
		}
		if (gproc == GSS_INIT) {
			rd32(&r);
			rdopaque(&r, &tn);	/* AUTH_NULL verifier */
			tok = rdopaque(&r, &tn);
			cb.service = svc;
			if (r.bad || cb_init(fd, x, tok, tn, refuse, seen) ==
			    -1)
				what = CB_BAD;
			continue;
		}
		if (gproc != GSS_DATA || cb.ctx == GSS_C_NO_CONTEXT) {
			what = CB_BAD;
			break;
		}
		what = cb_data(fd, &rec, cred_end, x, proc, seq, &r, seen);
	}
	close(fd);
	return what;
}

int
main(int argc, char *argv[])
{
	struct options o = { 2049, "export", "cbgss", 1, NULL, NULL, "" };
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	struct cb_seen seen;
	enum cb_what what;
	uint8_t deleg[16], fh[128];
	size_t fhlen;
	uint64_t clientid;
	OM_uint32 minor;
	char line[512];
	int lfd, cbport, type;
	pid_t pid = -1;

	if (options_parse(argc, argv, 'k', "cb-gss -p PORT -e EXPORT -f FILE "
	    "-s SEC [-t TRIGGER] [-k RESTART] [-m refuse|closed|nohost]",
	    &o) == -1)
		return 1;
	cl.service = o.service;
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) == -1 ||
	    listen(lfd, 4) == -1)
		return 1;
	cbport = ntohs(sin.sin_port);
	if (strcmp(o.mode, "closed") == 0)
		close(lfd);
	if (nfs_connect_context(o.port) == -1) {
		printf("no context with nfs@localhost\n");
		return 2;
	}
	checkf(1, "a %s context with nfsd", sec_name(cl.service));
	check(setclientid(cbport, &clientid) == 0,
	    "SETCLIENTID and SETCLIENTID_CONFIRM under it");
	memset(&seen, 0, sizeof(seen));
	if (strcmp(o.mode, "nohost") == 0) {
		what = cb_serve(lfd, 0, 3000, &seen);
		check(what == CB_NONE && seen.flavor == 0, "no callback "
		    "comes to a principal that names no host");
	} else if (strcmp(o.mode, "refuse") == 0) {
		what = cb_serve(lfd, 1, WAIT_MS, &seen);
		check(what == CB_NONE && seen.flavor == RPCSEC_GSS,
		    "nfsd's callback INIT came and was refused; no call "
		    "followed");
	} else if (strcmp(o.mode, "closed") != 0) {
		what = cb_serve(lfd, 0, WAIT_MS, &seen);
		snprintf(line, sizeof(line), "CB_NULL after RPCSEC_GSS_INIT "
		    "from %s, under %s (flavour %u, service %s)",
		    seen.initiator, sec_name(seen.service), seen.flavor,
		    sec_name(seen.service));
		check(what == CB_NULLPROC && seen.flavor == RPCSEC_GSS &&
		    seen.service == cl.service, line);
		check(seen.header_mic, "the CB_NULL header's MIC checks");
	}
	sleep(1);			/* nfsd tells stated the path's state */
	type = open_file(&calls, clientid, o.export, o.file, deleg, fh,
	    &fhlen);
	checkf(type == (*o.mode == '\0'), "OPEN: %s delegation",
	    deleg_name(type));
	if (*o.mode != '\0' || type != 1)
		return failures ? 1 : 0;
	if (o.restart != NULL) {
		check(system(o.restart) == 0, "nfsd killed (-9) and started "
		    "again");
		check(reconnect(o.port) == 0, "a new connection and context "
		    "with the new nfsd");
		check(renew(clientid) == 0, "RENEW through the new nfsd: the "
		    "client and its delegation live on in stated");
	}
	if (o.trigger != NULL && (pid = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", o.trigger, (char *)NULL);
		_exit(127);
	}
	memset(&seen, 0, sizeof(seen));
	/* The recall comes with a context of its own: the probe's ends. */
	if (cb.ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &cb.ctx, GSS_C_NO_BUFFER);
	what = cb_serve(lfd, 0, WAIT_MS, &seen);
	snprintf(line, sizeof(line), "CB_RECALL after RPCSEC_GSS_INIT from "
	    "%s, under %s (flavour %u)", seen.initiator,
	    sec_name(seen.service), seen.flavor);
	check(what == CB_RECALLED && seen.flavor == RPCSEC_GSS &&
	    seen.service == cl.service, line);
	check(seen.header_mic, "the CB_RECALL header's MIC checks");
	check(memcmp(seen.stateid + 4, deleg + 4, 12) == 0,
	    "CB_RECALL names the delegation's stateid");
	check(delegreturn(&calls, deleg, fh, fhlen) == 0, "DELEGRETURN");
	/* RFC 7530 16.33.5: the id is the GSS principal's, not root's. */
	check(setclientid_as(1, cbport, &clientid, deleg) == 10017,
	    "SETCLIENTID of the same id under AUTH_SYS as root: "
	    "NFS4ERR_CLID_INUSE (another principal, the client has state)");
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return failures ? 1 : 0;
}
