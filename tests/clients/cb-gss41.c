/*
 * cb-gss41: an NFSv4.1 client whose backchannel takes RPCSEC_GSS (RFC
 * 8881 2.10.8.3), for tests/integration/test_cb_gss41.sh.  With the
 * caller's ticket (KRB5CCNAME) it makes a context with nfs@localhost on
 * nfsd and does EXCHANGE_ID and CREATE_SESSION (CONN_BACK_CHAN) under
 * it, offering for callbacks that context: gcbp_handle_from_server its
 * handle, gcbp_handle_from_client one of ours, gcbp_service the
 * context's service.  nfsd's callbacks come over the same connection
 * and must carry an RPCSEC_GSS_DATA credential with our handle and the
 * service, sequence numbers that grow, a header MIC and a body that
 * check with our context's keys (nfsd's are the acceptor's); the
 * replies carry our verifier and body.  CB_NULL first; an OPEN then gets
 * a read delegation, TRIGGER (a shell command: another client's write)
 * makes nfsd recall it, and the CB_RECALL must come after CB_SEQUENCE
 * of our session, naming the delegation; DELEGRETURN ends it.
 * BACKCHANNEL_CTL naming an unknown handle alone is NFS4ERR_NOENT; with
 * our handle again it is answered and a CB_NULL under GSS follows.
 * With -r RESTART (a shell command that kill -9s nfsd and waits for the
 * new one): on a new connection, SEQUENCE under the same context (nfsd
 * fetches it back from gssd) and BIND_CONN_TO_SESSION; the CB_NULL that
 * follows must come under GSS as before, its sequence number above
 * every one the killed nfsd used.
 *
 *   cb-gss41 -p PORT -e EXPORT -f FILE -s krb5|krb5i|krb5p [-t TRIGGER]
 *            [-r RESTART] [-m unknown|badverf|foreign]
 *     -m unknown  CREATE_SESSION offering only a handle nfsd never gave
 *                 must be NFS4ERR_NOENT; offering it and AUTH_SYS, the
 *                 session is made and its CB_NULL comes under AUTH_SYS.
 *     -m badverf  our replies' verifiers are spoilt: nfsd must not take
 *                 the CB_NULL's answer, so the OPEN gets no delegation.
 *     -m foreign  CREATE_SESSION offers, beside AUTH_SYS, the handle of
 *                 a context another principal made (its ticket in the
 *                 ccache CB41_FOREIGN_CCACHE names): the CB_NULL comes
 *                 under AUTH_SYS; so it does after RESTART, once that
 *                 context was used on the new nfsd and our session
 *                 came back from stated.
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

#define CB_HANDLE	"cbh41-client"

enum { OP_BACKCHANNEL_CTL = 40, OP_BIND_CONN_TO_SESSION = 41,
	OP_EXCHANGE_ID = 42, OP_CREATE_SESSION = 43, OP_SEQUENCE = 53,
	OP_CB_SEQUENCE = 11 };

/* What a callback that came was like. */
struct cb_seen {
	uint32_t	proc;
	uint32_t	flavor;
	uint32_t	gss_proc;
	uint32_t	service;
	uint32_t	seq;
	int		handle_ok;	/* ours, gcbp_handle_from_client */
	int		header_mic;	/* checked with our context */
	int		body_ok;	/* its krb5i/krb5p body */
	int		compound_ok;	/* CB_SEQUENCE then CB_RECALL */
	uint8_t		session[16];
	uint32_t	cb_seqid;
	uint8_t		stateid[16];
};

static struct side cl;		/* ours, with nfsd */
static int nfs_fd = -1;
static uint32_t xid = 0x43410000;
static struct cb_seen seen[16];
static int nseen;
static int spoil_verifier;	/* -m badverf */
static uint8_t sessionid[16];
static uint32_t slot_seq;

/* ---- nfsd's callbacks, over our connection ---- */

/* CB_COMPOUND's args taken apart (seen), its results into res. */
static void
cb_compound(const struct buf *args, struct cb_seen *s, struct buf *res)
{
	struct rd a = { args->b, args->n, 0, 0 };
	size_t n;
	uint32_t nops, op1, op2, slot, high;

	rdopaque(&a, &n);		/* tag */
	rd32(&a);			/* minorversion */
	rd32(&a);			/* callback_ident */
	nops = rd32(&a);
	op1 = rd32(&a);
	if (a.bad || nops != 2 || op1 != OP_CB_SEQUENCE ||
	    a.pos + 16 > a.len)
		return;
	memcpy(s->session, a.p + a.pos, 16);
	a.pos += 16;
	s->cb_seqid = rd32(&a);
	slot = rd32(&a);
	high = rd32(&a);
	rd32(&a);			/* cachethis */
	n = rd32(&a);			/* referring_call_lists: none */
	op2 = rd32(&a);
	if (a.bad || n != 0 || op2 != OP_CB_RECALL || a.pos + 16 > a.len)
		return;
	memcpy(s->stateid, a.p + a.pos, 16);
	s->compound_ok = 1;
	put32(res, 0);
	putopaque(res, "", 0);
	put32(res, 2);
	put32(res, OP_CB_SEQUENCE);
	put32(res, 0);
	putraw(res, s->session, 16);
	put32(res, s->cb_seqid);
	put32(res, slot);
	put32(res, high);
	put32(res, high);
	put32(res, OP_CB_RECALL);
	put32(res, 0);
}

/* A call of nfsd's on our connection: taken apart, noted, answered. */
static int
cb_serve(const struct buf *rec)
{
	struct cb_seen *s = &seen[nseen < 16 ? nseen : 15];
	struct side cb = cl;
	struct rd r = { rec->b, rec->n, 0, 0 }, c;
	struct buf args, res, b;
	const uint8_t *cred, *v, *h;
	size_t cn, vn, hn, cred_end;
	uint32_t x, vf;
	uint8_t q[4];

	memset(s, 0, sizeof(*s));
	if (nseen < 16)
		nseen++;
	x = rd32(&r);
	rd32(&r);
	if (rd32(&r) != 2 || rd32(&r) != CB_PROG || rd32(&r) != 1)
		return -1;
	s->proc = rd32(&r);
	s->flavor = rd32(&r);
	cred = rdopaque(&r, &cn);
	cred_end = r.pos;
	vf = rd32(&r);
	v = rdopaque(&r, &vn);
	if (r.bad)
		return -1;
	res.n = 0;
	args.n = 0;
	if (s->flavor != RPCSEC_GSS) {
		putraw(&args, r.p + r.pos, r.len - r.pos);
		if (s->proc == 1)
			cb_compound(&args, s, &res);
		reply_accepted(&b, x);
		put32(&b, 0);
		put32(&b, 0);
		put32(&b, 0);
		putraw(&b, res.b, res.n);
		return send_rec(nfs_fd, &b);
	}
	c = (struct rd){ cred, cn, 0, 0 };
	rd32(&c);
	s->gss_proc = rd32(&c);
	s->seq = rd32(&c);
	s->service = rd32(&c);
	h = rdopaque(&c, &hn);
	s->handle_ok = !c.bad && hn == strlen(CB_HANDLE) &&
	    memcmp(h, CB_HANDLE, hn) == 0;
	s->header_mic = vf == RPCSEC_GSS && mic_ok(cl.ctx, rec->b, cred_end,
	    v, vn);
	cb.service = s->service;
	if (s->gss_proc != GSS_DATA || s->service < 1 || s->service > 3 ||
	    body_get(&cb, s->seq, &r, &args) == -1)
		return 0;		/* unanswered: nfsd's call fails */
	s->body_ok = 1;
	if (s->proc == 1)
		cb_compound(&args, s, &res);
	reply_accepted(&b, x);
	put32(&b, RPCSEC_GSS);
	q[0] = s->seq >> 24; q[1] = s->seq >> 16; q[2] = s->seq >> 8;
	q[3] = s->seq;
	vn = b.n;
	if (mic_put(cl.ctx, q, 4, &b) == -1)
		return -1;
	if (spoil_verifier && b.n > vn + 4 + 20)
		b.b[vn + 4 + 20] ^= 0x5a; /* past the token's 16-byte head */
	put32(&b, 0);
	if (body_put(&cb, s->seq, &res, &b) == -1)
		return -1;
	return send_rec(nfs_fd, &b);
}

/* The next record on fd that is not a call (callbacks served meanwhile). */
static int
recv_reply(int fd, struct buf *b)
{
	for (;;) {
		if (recv_rec(fd, b) == -1)
			return -1;
		if (b->n >= 8 && get32(b->b + 4) == 0) {
			if (cb_serve(b) == -1)
				return -1;
			continue;
		}
		return 0;
	}
}

/* Callbacks until want of them came, or WAIT_MS without one. */
static int
wait_callbacks(int want)
{
	struct pollfd pfd = { 0, POLLIN, 0 };
	struct buf b;

	pfd.fd = nfs_fd;
	while (nseen < want) {
		if (poll(&pfd, 1, WAIT_MS) <= 0 || recv_rec(nfs_fd, &b) == -1)
			return -1;
		if (b.n < 8 || get32(b.b + 4) != 0 || cb_serve(&b) == -1)
			return -1;
	}
	return 0;
}

/* ---- our calls ---- */
/*
 * A COMPOUND (minorversion 1) of ops under our context: its status
 * (10006, NFS4ERR_SERVERFAULT, when no reply came), the results in res
 * and r past their head.
 */
static uint32_t
compound(const struct buf *ops, uint32_t nops, struct buf *res, struct rd *r)
{
	struct buf args;

	compound_args_put(&args, "cbgss41", 1, ops, nops);
	if (data_call(nfs_fd, recv_reply, &cl, xid++, NFS_PROG, 4, 1, &args,
	    res) == -1)
		return 10006;
	return compound_status(res, r);
}

static void
put_sequence(struct buf *ops)
{
	put32(ops, OP_SEQUENCE);
	putraw(ops, sessionid, 16);
	put32(ops, ++slot_seq);
	put32(ops, 0);
	put32(ops, 0);
	put32(ops, 0);
}

/* Past SEQUENCE's result (op, status, resok). */
static void
skip_sequence(struct rd *r)
{
	rd32(r);
	if (rd32(r) == 0)
		rdskip(r, 16 + 5 * 4);
}

static const struct nfs4_calls calls = { compound, put_sequence,
	skip_sequence, 0, "cb-gss41-owner" };

static uint32_t
exchange_id(uint64_t *clientid, uint32_t *seq)
{
	struct buf ops, res;
	struct rd r;
	char name[64];
	uint32_t st;

	snprintf(name, sizeof(name), "cb-gss41-client-%d", (int)getpid());
	ops.n = 0;
	put32(&ops, OP_EXCHANGE_ID);
	putraw(&ops, "gss41vrf", 8);
	putopaque(&ops, name, (uint32_t)strlen(name));
	put32(&ops, 0x00010000);	/* EXCHGID4_FLAG_USE_NON_PNFS */
	put32(&ops, 0);			/* SP4_NONE */
	put32(&ops, 0);			/* client_impl_id<> */
	if ((st = compound(&ops, 1, &res, &r)) != 0)
		return st;
	rd32(&r);
	rd32(&r);
	*clientid = (uint64_t)rd32(&r) << 32;
	*clientid |= rd32(&r);
	*seq = rd32(&r);
	return r.bad ? 10006 : 0;
}

static void
put_channel(struct buf *b, uint32_t size, uint32_t ops, uint32_t reqs)
{
	put32(b, 0);			/* headerpadsize */
	put32(b, size);
	put32(b, size);
	put32(b, size / 2);
	put32(b, ops);
	put32(b, reqs);
	put32(b, 0);			/* rdma_ird<> */
}

/* gss_cb_handles4 naming server (len), our handle, our service. */
static void
put_gss_sec(struct buf *b, const uint8_t *server, size_t len)
{
	put32(b, RPCSEC_GSS);
	put32(b, cl.service);
	putopaque(b, server, (uint32_t)len);
	putopaque(b, CB_HANDLE, (uint32_t)strlen(CB_HANDLE));
}

/* CREATE_SESSION (CONN_BACK_CHAN) offering sec (a count, then each). */
static uint32_t
create_session(uint64_t clientid, uint32_t seq, const struct buf *sec)
{
	struct buf ops, res;
	struct rd r;
	uint32_t st;

	ops.n = 0;
	put32(&ops, OP_CREATE_SESSION);
	put32(&ops, (uint32_t)(clientid >> 32));
	put32(&ops, (uint32_t)clientid);
	put32(&ops, seq);
	put32(&ops, 2);			/* CREATE_SESSION4_FLAG_CONN_BACK_CHAN */
	put_channel(&ops, 7168, 8, 4);
	put_channel(&ops, 4096, 2, 1);
	put32(&ops, CB_PROG);
	putraw(&ops, sec->b, sec->n);
	if ((st = compound(&ops, 1, &res, &r)) != 0)
		return st;
	rd32(&r);
	rd32(&r);
	if (r.pos + 16 > r.len)
		return 10006;
	memcpy(sessionid, r.p + r.pos, 16);
	slot_seq = 0;
	return 0;
}

/* BACKCHANNEL_CTL after SEQUENCE: the status of the COMPOUND. */
static uint32_t
backchannel_ctl(const struct buf *sec)
{
	struct buf ops, res;
	struct rd r;

	ops.n = 0;
	put_sequence(&ops);
	put32(&ops, OP_BACKCHANNEL_CTL);
	put32(&ops, CB_PROG);
	putraw(&ops, sec->b, sec->n);
	return compound(&ops, 2, &res, &r);
}

/* After nfsd's restart: SEQUENCE, then BIND_CONN_TO_SESSION (both). */
static uint32_t
rebind(int port)
{
	struct buf ops, res;
	struct rd r;
	uint32_t st;

	close(nfs_fd);
	if ((nfs_fd = loopback_connect(port)) == -1)
		return 10006;
	ops.n = 0;
	put_sequence(&ops);
	if ((st = compound(&ops, 1, &res, &r)) != 0)
		return st;
	ops.n = 0;
	put32(&ops, OP_BIND_CONN_TO_SESSION);
	putraw(&ops, sessionid, 16);
	put32(&ops, 3);			/* CDFC4_BACK_OR_BOTH */
	put32(&ops, 0);			/* no RDMA */
	return compound(&ops, 1, &res, &r);
}

/*
 * After nfsd's restart: rebind (our context, on a new connection), and
 * the new nfsd's CB_NULL: its index in seen.
 */
static int
rebind_cb_null(int port)
{
	char line[128];
	uint32_t st;
	int first;

	st = rebind(port);
	snprintf(line, sizeof(line), "on a new connection, SEQUENCE and "
	    "BIND_CONN_TO_SESSION under our context: %u", st);
	check(st == 0, line);
	first = nseen;
	check(wait_callbacks(first + 1) == 0 && seen[first].proc == 0,
	    "the restarted nfsd's CB_NULL came");
	return first;
}

/* A GSS callback as it must be: our handle, service, MIC and body. */
static void
check_gss_callback(const struct cb_seen *s, const char *what)
{
	char line[256];

	snprintf(line, sizeof(line), "%s: flavour %u, RPCSEC_GSS_DATA, "
	    "service %s, sequence number %u", what, s->flavor,
	    sec_name(s->service), s->seq);
	check(s->flavor == RPCSEC_GSS && s->gss_proc == GSS_DATA &&
	    s->service == cl.service, line);
	snprintf(line, sizeof(line), "%s: the credential's handle is our "
	    "gcbp_handle_from_client", what);
	check(s->handle_ok, line);
	snprintf(line, sizeof(line), "%s: its header MIC checks with our "
	    "context", what);
	check(s->header_mic, line);
	snprintf(line, sizeof(line), "%s: its %s body checks", what,
	    sec_name(s->service));
	check(s->body_ok, line);
}

/*
 * CREATE_SESSION offering the handle (len) and AUTH_SYS: the session is
 * made and its CB_NULL comes under AUTH_SYS, not under what (the
 * handle's description); 0, or -1 without a session.
 */
static int
session_beside_sys(uint64_t clientid, uint32_t seq, const uint8_t *handle,
    size_t len, const char *what)
{
	struct buf sec;
	uint32_t st;
	char line[160];

	sec.n = 0;
	put32(&sec, 2);
	put_gss_sec(&sec, handle, len);
	put32(&sec, 1);			/* AUTH_SYS */
	put32(&sec, 41);
	putopaque(&sec, "gss41-host", 10);
	put32(&sec, 0);
	put32(&sec, 0);
	put32(&sec, 0);
	st = create_session(clientid, seq, &sec);
	snprintf(line, sizeof(line), "CREATE_SESSION offering %s and "
	    "AUTH_SYS", what);
	check(st == 0, line);
	if (st != 0)
		return -1;
	check(wait_callbacks(1) == 0, "a CB_NULL came");
	snprintf(line, sizeof(line), "it came under AUTH_SYS (flavour %u), "
	    "not %s", seen[0].flavor, what);
	check(seen[0].proc == 0 && seen[0].flavor == 1, line);
	return 0;
}

/* RFC 8881 18.36.3: an unknown handle alone, then beside AUTH_SYS. */
static void
unknown_handle(uint64_t clientid, uint32_t seq)
{
	struct buf sec;
	uint32_t st;
	char line[128];

	sec.n = 0;
	put32(&sec, 1);
	put_gss_sec(&sec, (const uint8_t *)"no-such-context", 15);
	st = create_session(clientid, seq, &sec);
	snprintf(line, sizeof(line), "CREATE_SESSION offering only a handle "
	    "nfsd never gave: %u (NFS4ERR_NOENT is 2)", st);
	check(st == 2, line);
	session_beside_sys(clientid, seq, (const uint8_t *)"no-such-context",
	    15, "the unknown handle");
}

/*
 * RFC 8881 2.10.8.3: a context of another principal's is not ours to
 * offer, before nfsd's restart nor after it, when the new nfsd holds
 * that context again and our session comes back from stated.
 */
static void
foreign_handle(int port, uint64_t clientid, uint32_t seq,
    const char *restart)
{
	const char *ccache = getenv("CB41_FOREIGN_CCACHE");
	struct side other;
	struct buf args, res;
	OM_uint32 minor;
	char line[160];
	int fd, first;

	memset(&other, 0, sizeof(other));
	other.service = cl.service;
	if (ccache == NULL || restart == NULL ||
	    GSS_ERROR(gss_krb5_ccache_name(&minor, ccache, NULL)) ||
	    (fd = loopback_connect(port)) == -1 ||
	    client_context(fd, &xid, NFS_PROG, 4, "nfs@localhost",
	    &other) == -1) {
		check(0, "a context of the other principal's (-r and "
		    "CB41_FOREIGN_CCACHE)");
		return;
	}
	check(1, "a context of the other principal's on its own connection");
	if (session_beside_sys(clientid, seq, other.handle, other.handle_len,
	    "the other principal's context") == -1)
		return;
	check(system(restart) == 0, "nfsd killed and back");
	close(fd);
	args.n = 0;
	fd = loopback_connect(port);
	check(fd != -1 && data_call(fd, recv_rec, &other, xid++, NFS_PROG, 4,
	    0, &args, &res) == 0, "a NULL call under the other principal's "
	    "context on the new nfsd (it holds that context again)");
	first = rebind_cb_null(port);
	snprintf(line, sizeof(line), "it came under AUTH_SYS (flavour %u) "
	    "again, not the other principal's context", seen[first].flavor);
	check(seen[first].flavor == 1, line);
	if (fd != -1)
		close(fd);
}

int
main(int argc, char *argv[])
{
	struct options o = { 2049, "export", "cbgss41", 1, NULL, NULL, "" };
	struct buf sec;
	uint8_t deleg[16], fh[128];
	size_t fhlen;
	uint64_t clientid;
	uint32_t seq, st, high;
	char line[512];
	int type, first, i;
	pid_t pid = -1;

	if (options_parse(argc, argv, 'r', "cb-gss41 -p PORT -e EXPORT -f FILE "
	    "-s SEC [-t TRIGGER] [-r RESTART] [-m unknown|badverf|foreign]",
	    &o) == -1)
		return 1;
	cl.service = o.service;
	if ((nfs_fd = loopback_connect(o.port)) == -1 ||
	    client_context(nfs_fd, &xid, NFS_PROG, 4, "nfs@localhost",
	    &cl) == -1) {
		printf("no context with nfs@localhost\n");
		return 2;
	}
	checkf(1, "a %s context with nfsd", sec_name(cl.service));
	st = exchange_id(&clientid, &seq);
	check(st == 0, "EXCHANGE_ID under it");
	if (st != 0)
		return 1;
	if (strcmp(o.mode, "unknown") == 0) {
		unknown_handle(clientid, seq);
		return failures ? 1 : 0;
	}
	if (strcmp(o.mode, "foreign") == 0) {
		foreign_handle(o.port, clientid, seq, o.restart);
		return failures ? 1 : 0;
	}
	sec.n = 0;
	put32(&sec, 1);
	put_gss_sec(&sec, cl.handle, cl.handle_len);
	st = create_session(clientid, seq, &sec);
	check(st == 0, "CREATE_SESSION (CONN_BACK_CHAN) offering our context "
	    "for callbacks");
	if (st != 0)
		return 1;
	spoil_verifier = strcmp(o.mode, "badverf") == 0;
	check(wait_callbacks(1) == 0 && seen[0].proc == 0,
	    "a CB_NULL came over our connection");
	check_gss_callback(&seen[0], "CB_NULL");
	/*
	 * No wait: our answer is ahead of the OPEN on this connection, and
	 * nfsd tells stated the path's state ahead of the OPEN's request.
	 */
	type = open_file(&calls, clientid, o.export, o.file, deleg, fh,
	    &fhlen);
	checkf(type == !spoil_verifier, "OPEN: %s delegation",
	    deleg_name(type));
	if (spoil_verifier || type != 1)
		return failures ? 1 : 0;
	if (o.trigger != NULL && (pid = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", o.trigger, (char *)NULL);
		_exit(127);
	}
	first = nseen;
	check(wait_callbacks(first + 1) == 0 && seen[first].proc == 1,
	    "a CB_COMPOUND came when another client wrote the file");
	check_gss_callback(&seen[first], "CB_COMPOUND");
	check(seen[first].seq > seen[0].seq, "its sequence number is above "
	    "the CB_NULL's");
	check(seen[first].compound_ok && memcmp(seen[first].session,
	    sessionid, 16) == 0, "CB_SEQUENCE of our session, then CB_RECALL");
	check(memcmp(seen[first].stateid + 4, deleg + 4, 12) == 0,
	    "CB_RECALL names the delegation's stateid");
	check(delegreturn(&calls, deleg, fh, fhlen) == 0, "DELEGRETURN");
	if (pid > 0)
		waitpid(pid, NULL, 0);
	/* RFC 8881 18.33.3: BACKCHANNEL_CTL, an unknown handle alone. */
	sec.n = 0;
	put32(&sec, 1);
	put_gss_sec(&sec, (const uint8_t *)"no-such-context", 15);
	st = backchannel_ctl(&sec);
	snprintf(line, sizeof(line), "BACKCHANNEL_CTL offering only a handle "
	    "nfsd never gave: %u (NFS4ERR_NOENT is 2)", st);
	check(st == 2, line);
	sec.n = 0;
	put32(&sec, 1);
	put_gss_sec(&sec, cl.handle, cl.handle_len);
	first = nseen;
	check(backchannel_ctl(&sec) == 0, "BACKCHANNEL_CTL offering our "
	    "context again");
	check(wait_callbacks(first + 1) == 0 && seen[first].proc == 0,
	    "a CB_NULL came after it");
	check_gss_callback(&seen[first], "that CB_NULL");
	check(seen[first].seq > seen[first - 1].seq, "its sequence number "
	    "is above the CB_COMPOUND's");
	if (o.restart == NULL)
		return failures ? 1 : 0;
	/* RFC 8881 2.10.8.3 across a restart of nfsd: stated's session. */
	for (high = 0, i = 0; i < nseen; i++)
		if (seen[i].seq > high)
			high = seen[i].seq;
	check(system(o.restart) == 0, "nfsd killed and back");
	first = rebind_cb_null(o.port);
	check_gss_callback(&seen[first], "the restarted nfsd's CB_NULL");
	snprintf(line, sizeof(line), "its sequence number %u is above the "
	    "killed nfsd's %u", seen[first].seq, high);
	check(seen[first].seq > high, line);
	return failures ? 1 : 0;
}
