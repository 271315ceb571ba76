/*
 * RPC over TCP under RPCSEC_GSS for the callback test clients: see
 * gssrpc.h.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
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

#include "gssrpc.h"

/* One record, in one fragment. */
int
send_rec(int fd, const struct buf *b)
{
	uint8_t mark[4] = { 0x80 | (uint8_t)(b->n >> 24),
	    (uint8_t)(b->n >> 16), (uint8_t)(b->n >> 8), (uint8_t)b->n };

	return write(fd, mark, 4) == 4 &&
	    write(fd, b->b, b->n) == (ssize_t)b->n ? 0 : -1;
}

static int
readn(int fd, uint8_t *p, size_t n)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t got;

	while (n > 0) {
		if (poll(&pfd, 1, WAIT_MS) <= 0 || (got = read(fd, p, n)) <= 0)
			return -1;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* One record (of one fragment), WAIT_MS at the most for each part. */
int
recv_rec(int fd, struct buf *b)
{
	uint8_t mark[4];
	uint32_t n;

	if (readn(fd, mark, 4) == -1)
		return -1;
	n = get32(mark) & 0x7fffffffu;
	if (n > sizeof(b->b) || readn(fd, b->b, n) == -1)
		return -1;
	b->n = n;
	return 0;
}

/* ---- the GSS per-message work, either side ---- */

int
mic_put(gss_ctx_id_t ctx, const uint8_t *p, size_t n, struct buf *b)
{
	gss_buffer_desc in = { n, (void *)(uintptr_t)p }, out;
	OM_uint32 minor;

	if (GSS_ERROR(gss_get_mic(&minor, ctx, GSS_C_QOP_DEFAULT, &in, &out)))
		return -1;
	putopaque(b, out.value, (uint32_t)out.length);
	gss_release_buffer(&minor, &out);
	return 0;
}

int
mic_ok(gss_ctx_id_t ctx, const uint8_t *p, size_t n, const uint8_t *m,
    size_t mlen)
{
	gss_buffer_desc in = { n, (void *)(uintptr_t)p };
	gss_buffer_desc tok = { mlen, (void *)(uintptr_t)m };
	OM_uint32 minor;

	return !GSS_ERROR(gss_verify_mic(&minor, ctx, &in, &tok, NULL));
}

/* A body (seq + data) as service wants it, appended to b. */
int
body_put(const struct side *s, uint32_t seq, const struct buf *data,
    struct buf *b)
{
	struct buf in;
	gss_buffer_desc plain, sealed;
	OM_uint32 minor;
	int conf;

	if (s->service == 1) {
		putraw(b, data->b, data->n);
		return 0;
	}
	in.n = 0;
	put32(&in, seq);
	putraw(&in, data->b, data->n);
	if (s->service == 2) {
		putopaque(b, in.b, (uint32_t)in.n);
		return mic_put(s->ctx, in.b, in.n, b);
	}
	plain.value = in.b;
	plain.length = in.n;
	if (GSS_ERROR(gss_wrap(&minor, s->ctx, 1, GSS_C_QOP_DEFAULT, &plain,
	    &conf, &sealed)) || !conf)
		return -1;
	putopaque(b, sealed.value, (uint32_t)sealed.length);
	gss_release_buffer(&minor, &sealed);
	return 0;
}

/* A body of the service taken apart: its data into out, seq checked. */
int
body_get(const struct side *s, uint32_t seq, struct rd *r, struct buf *out)
{
	const uint8_t *d, *m;
	size_t dn, mn;
	gss_buffer_desc in, plain;
	OM_uint32 minor;
	int conf = 0;

	out->n = 0;
	if (s->service == 1) {
		putraw(out, r->p + r->pos, r->len - r->pos);
		return 0;
	}
	d = rdopaque(r, &dn);
	if (r->bad)
		return -1;
	if (s->service == 2) {
		m = rdopaque(r, &mn);
		if (r->bad || !mic_ok(s->ctx, d, dn, m, mn))
			return -1;
		putraw(out, d, dn);
	} else {
		in.value = (void *)(uintptr_t)d;
		in.length = dn;
		if (GSS_ERROR(gss_unwrap(&minor, s->ctx, &in, &plain, &conf,
		    NULL)) || !conf)
			return -1;
		putraw(out, plain.value, plain.length);
		gss_release_buffer(&minor, &plain);
	}
	if (out->n < 4 || get32(out->b) != seq)
		return -1;
	memmove(out->b, out->b + 4, out->n - 4);
	out->n -= 4;
	return 0;
}

/* The call head through the RPCSEC_GSS credential. */
void
head_put(struct buf *b, uint32_t x, uint32_t prog, uint32_t vers,
    uint32_t proc, const struct side *s, uint32_t gproc, uint32_t seq)
{
	struct buf cred;

	put32(b, x);
	put32(b, 0);
	put32(b, 2);
	put32(b, prog);
	put32(b, vers);
	put32(b, proc);
	cred.n = 0;
	put32(&cred, 1);
	put32(&cred, gproc);
	put32(&cred, seq);
	put32(&cred, s->service);
	putopaque(&cred, s->handle, (uint32_t)s->handle_len);
	put32(b, RPCSEC_GSS);
	putopaque(b, cred.b, (uint32_t)cred.n);
}

/* ---- calls and replies ---- */

/* A TCP connection to 127.0.0.1:port: its descriptor, or -1. */
int
loopback_connect(int port)
{
	struct sockaddr_in sin;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A reply's head: accepted and SUCCESS, its verifier; 0 or -1. */
int
reply_head(struct rd *r, uint32_t want_xid, const uint8_t **v, size_t *vn,
    uint32_t *vflavor)
{
	if (rd32(r) != want_xid || rd32(r) != 1 || rd32(r) != 0)
		return -1;
	*vflavor = rd32(r);
	*v = rdopaque(r, vn);
	return rd32(r) != 0 || r->bad ? -1 : 0;
}


/* The head of an accepted reply to x, up to its verifier. */
void
reply_accepted(struct buf *b, uint32_t x)
{
	b->n = 0;
	put32(b, x);
	put32(b, 1);
	put32(b, 0);
}

/*
 * RFC 2203 5.2: the INIT exchange on fd with target (a service@host
 * name, such as nfs@localhost) for prog and vers, from the caller's
 * ticket (KRB5CCNAME): s's context and handle; 0 or -1.
 */
int
client_context(int fd, uint32_t *xid, uint32_t prog, uint32_t vers,
    const char *target_name, struct side *s)
{
	gss_buffer_desc nb = { strlen(target_name), (void *)(uintptr_t)
	    target_name }, in = { 0, NULL }, out;
	gss_name_t target;
	OM_uint32 major, minor, amajor;
	struct buf b, rep;
	struct rd r;
	const uint8_t *v, *h, *tok;
	size_t vn, hn, tn;
	uint32_t vf, win, x;
	uint8_t w[4];
	int rc = -1;

	if (GSS_ERROR(gss_import_name(&minor, &nb, GSS_C_NT_HOSTBASED_SERVICE,
	    &target)))
		return -1;
	s->ctx = GSS_C_NO_CONTEXT;
	for (;;) {
		major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL,
		    &s->ctx, target, (gss_OID)gss_mech_krb5, GSS_C_MUTUAL_FLAG |
		    GSS_C_INTEG_FLAG | GSS_C_CONF_FLAG, 0,
		    GSS_C_NO_CHANNEL_BINDINGS, in.length ? &in : NULL, NULL,
		    &out, NULL, NULL);
		if (GSS_ERROR(major)) {
			fprintf(stderr, "gss_init_sec_context: major %#x "
			    "minor %u\n", major, minor);
			goto out;
		}
		if (out.length == 0)
			break;
		b.n = 0;
		head_put(&b, x = (*xid)++, prog, vers, 0, s, GSS_INIT, 0);
		put32(&b, 0);
		put32(&b, 0);
		putopaque(&b, out.value, (uint32_t)out.length);
		gss_release_buffer(&minor, &out);
		if (send_rec(fd, &b) == -1 || recv_rec(fd, &rep) == -1)
			goto out;
		r = (struct rd){ rep.b, rep.n, 0, 0 };
		if (reply_head(&r, x, &v, &vn, &vf) == -1) {
			fprintf(stderr, "INIT: reply not accepted\n");
			goto out;
		}
		h = rdopaque(&r, &hn);
		amajor = rd32(&r);
		rd32(&r);
		win = rd32(&r);
		tok = rdopaque(&r, &tn);
		if (r.bad || GSS_ERROR(amajor) || hn > sizeof(s->handle)) {
			fprintf(stderr, "INIT: gss_major %#x\n", amajor);
			goto out;
		}
		memcpy(s->handle, h, hn);
		s->handle_len = hn;
		if (major == GSS_S_COMPLETE || tn == 0) {
			w[0] = win >> 24; w[1] = win >> 16; w[2] = win >> 8;
			w[3] = win;
			if (major != GSS_S_COMPLETE && tn == 0)
				goto out;
			if (!mic_ok(s->ctx, w, 4, v, vn)) {
				fprintf(stderr, "INIT: the window's MIC\n");
				goto out;
			}
			break;
		}
		in.value = (void *)(uintptr_t)tok;
		in.length = tn;
	}
	rc = 0;
 out:
	gss_release_name(&minor, &target);
	return rc;
}

/*
 * RFC 2203 5.3: a DATA call of proc with args under s (its next
 * sequence number) on fd, the reply taken by receive: its verifier and
 * body checked, the results into res; 0 or -1.
 */
int
data_call(int fd, recv_fn receive, struct side *s, uint32_t x, uint32_t prog,
    uint32_t vers, uint32_t proc, const struct buf *args, struct buf *res)
{
	struct buf b, rep;
	struct rd r;
	const uint8_t *v;
	size_t vn, hn;
	uint32_t vf;
	uint8_t q[4];

	b.n = 0;
	s->seq++;
	head_put(&b, x, prog, vers, proc, s, GSS_DATA, s->seq);
	hn = b.n;
	put32(&b, RPCSEC_GSS);
	if (mic_put(s->ctx, b.b, hn, &b) == -1 ||
	    body_put(s, s->seq, args, &b) == -1 ||
	    send_rec(fd, &b) == -1 || receive(fd, &rep) == -1)
		return -1;
	r = (struct rd){ rep.b, rep.n, 0, 0 };
	if (reply_head(&r, x, &v, &vn, &vf) == -1)
		return -1;
	q[0] = s->seq >> 24; q[1] = s->seq >> 16; q[2] = s->seq >> 8;
	q[3] = s->seq;
	if (vf != RPCSEC_GSS || !mic_ok(s->ctx, q, 4, v, vn))
		return -1;
	return body_get(s, s->seq, &r, res);
}

const char *
sec_name(uint32_t s)
{
	return s == 1 ? "krb5" : s == 2 ? "krb5i" : s == 3 ? "krb5p" : "?";
}

/* ---- NFSv4 over it ---- */

/* COMPOUND4args of ops: the tag, the minor version, the ops. */
void
compound_args_put(struct buf *args, const char *tag, uint32_t minor,
    const struct buf *ops, uint32_t nops)
{
	args->n = 0;
	putopaque(args, tag, (uint32_t)strlen(tag));
	put32(args, minor);
	put32(args, nops);
	putraw(args, ops->b, ops->n);
}

/* COMPOUND4res's status, the reader past the tag and count. */
uint32_t
compound_status(struct buf *res, struct rd *r)
{
	size_t n;
	uint32_t st;

	*r = (struct rd){ res->b, res->n, 0, 0 };
	st = rd32(r);
	rdopaque(r, &n);
	rd32(r);
	return r->bad ? 10006 : st;
}

/*
 * PUTROOTFH, LOOKUP export, OPEN for reading (created if need be) of
 * file by owner, GETFH: appended to ops.
 */
static void
open_ops_put(struct buf *ops, uint64_t clientid, uint32_t seqid,
    const char *owner, const char *export, const char *file)
{
	put32(ops, OP_PUTROOTFH);
	put32(ops, OP_LOOKUP);
	putopaque(ops, export, (uint32_t)strlen(export));
	put32(ops, OP_OPEN);
	put32(ops, seqid);
	put32(ops, 1);			/* OPEN4_SHARE_ACCESS_READ */
	put32(ops, 0);
	put32(ops, (uint32_t)(clientid >> 32));
	put32(ops, (uint32_t)clientid);
	putopaque(ops, owner, (uint32_t)strlen(owner));
	put32(ops, 1);			/* OPEN4_CREATE */
	put32(ops, 0);			/* UNCHECKED4 */
	put32(ops, 0);			/* bitmap4 empty */
	put32(ops, 0);			/* attrlist4 empty */
	put32(ops, 0);			/* CLAIM_NULL */
	putopaque(ops, file, (uint32_t)strlen(file));
	put32(ops, OP_GETFH);
}

/*
 * Their results, r at PUTROOTFH's: the delegation type (0 none, 1
 * read), its stateid and the file handle (128 bytes at the most); -1
 * when they are not so.
 */
static int
open_results_get(struct rd *r, uint8_t deleg[16], uint8_t *fh,
    size_t *fhlen)
{
	const uint8_t *p;
	size_t n;
	uint32_t i, type;

	for (i = 0; i < 2; i++) {	/* PUTROOTFH, LOOKUP */
		rd32(r);
		rd32(r);
	}
	rd32(r);
	rd32(r);
	r->pos += 16 + 4 + 16 + 4;	/* stateid, change_info4, rflags */
	n = rd32(r);			/* attrset */
	r->pos += 4 * n;
	type = rd32(r);
	if (type == 1) {		/* OPEN_DELEGATE_READ */
		if (r->pos + 16 > r->len)
			return -1;
		memcpy(deleg, r->p + r->pos, 16);
		r->pos += 16 + 4 + 12;	/* recall, nfsace4 type flag mask */
		rdopaque(r, &n);
	} else if (type != 0)
		return -1;		/* a write delegation: not asked for */
	rd32(r);
	rd32(r);
	p = rdopaque(r, &n);
	if (r->bad || n > 128)
		return -1;
	memcpy(fh, p, n);
	*fhlen = n;
	return (int)type;
}

/* An OPEN's delegation type, for a check's line. */
const char *
deleg_name(int type)
{
	return type == 1 ? "a read" : type == 0 ? "no" : "failed:";
}

/*
 * RFC 7530 16.16, RFC 8881 18.16: OPEN for reading (created if need
 * be) of export/file, through c: the delegation type (0 none, 1 read),
 * its stateid and the file handle.  -1: the OPEN failed.
 */
int
open_file(const struct nfs4_calls *c, uint64_t clientid, const char *export,
    const char *file, uint8_t deleg[16], uint8_t *fh, size_t *fhlen)
{
	struct buf ops, res;
	struct rd r;

	ops.n = 0;
	if (c->head_put != NULL)
		c->head_put(&ops);
	open_ops_put(&ops, clientid, c->open_seqid, c->owner, export, file);
	if (c->compound(&ops, c->head_put != NULL ? 5 : 4, &res, &r) != 0)
		return -1;
	if (c->head_skip != NULL)
		c->head_skip(&r);
	return open_results_get(&r, deleg, fh, fhlen);
}

/* DELEGRETURN of the delegation on fh, through c: its status. */
uint32_t
delegreturn(const struct nfs4_calls *c, const uint8_t deleg[16],
    const uint8_t *fh, size_t fhlen)
{
	struct buf ops, res;
	struct rd r;

	ops.n = 0;
	if (c->head_put != NULL)
		c->head_put(&ops);
	put32(&ops, OP_PUTFH);
	putopaque(&ops, fh, (uint32_t)fhlen);
	put32(&ops, OP_DELEGRETURN);
	putraw(&ops, deleg, 16);
	return c->compound(&ops, c->head_put != NULL ? 3 : 2, &res, &r);
}

/* ---- the command line ---- */

/*
 * -p PORT -e EXPORT -f FILE -s krb5|krb5i|krb5p -t TRIGGER -m MODE and
 * RESTART behind restart_opt into o (its defaults kept for what is not
 * given); -1 and usage on stderr for anything else.
 */
int
options_parse(int argc, char *argv[], char restart_opt, const char *usage,
    struct options *o)
{
	char optstring[] = "p:e:f:s:t:m:X:";
	int c;

	optstring[sizeof(optstring) - 3] = restart_opt;
	while ((c = getopt(argc, argv, optstring)) != -1) {
		if (c == restart_opt) {
			o->restart = optarg;
			continue;
		}
		switch (c) {
		case 'p': o->port = atoi(optarg); break;
		case 'e': o->export = optarg + (optarg[0] == '/'); break;
		case 'f': o->file = optarg; break;
		case 's':
			o->service = strcmp(optarg, "krb5p") == 0 ? 3 :
			    strcmp(optarg, "krb5i") == 0 ? 2 : 1;
			break;
		case 't': o->trigger = optarg; break;
		case 'm': o->mode = optarg; break;
		default:
			fprintf(stderr, "usage: %s\n", usage);
			return -1;
		}
	}
	return 0;
}
