/*
 * krb5-client: an RPCSEC_GSS client of ours (RFC 2203) for
 * tests/integration/test_krb5.sh.  With the caller's Kerberos ticket
 * (KRB5CCNAME) it creates a context with nfs@HOST on nfsd, then does
 * NFSv3 NULL, GETATTR, CREATE, WRITE and READ back under krb5, krb5i and
 * krb5p; a krb5i call with a tampered body must come back GARBAGE_ARGS,
 * a replayed sequence number must get no reply at all, and the reply
 * verifiers and bodies are checked with the context.
 *
 *   krb5-client [-km] [-s SEC] -p PORT -e EXPORT [-H HOST] [-S SERVICE]
 *     (the server is 127.0.0.1:PORT; its principal SERVICE/HOST, by
 *     default nfs/localhost)
 *     -k  after the checks, print "waiting", read a line from stdin
 *         (the test kills nfsd meanwhile), connect again and go on with
 *         the same context (krb5p GETATTR and READ)
 *     -m  only MOUNT (AUTH_SYS) and print the export's flavours
 *     -s SEC  one flavour only: krb5, krb5i or krb5p; and print the NFS
 *         status or "auth error N" of a GETATTR, for the share checks
 *     -g  an INIT with a garbage token: print "gss_major N" of the reply
 *   (and a DESTROY of a second context under krb5i and krb5p with its
 *   void arguments unwrapped, as the Linux client sends it)
 *     -N SHAPE  no NFS: SPNEGO (RFC 4178) with Kerberos for an SMB
 *         SESSION_SETUP that tests/clients/smb2probe.py (its krb5
 *         command) sends: the client's tokens as "tok HEX" lines, the
 *         server's read back as "STATUS HEX" lines ("-": none); at the
 *         end "key HEX" (the session key) and exit 0.  SHAPE is the
 *         NegTokenInit's mechanism list, the client's first choice
 *         first: krb5, ms-krb5, ntlmssp, negoex, comma-separated; a
 *         "+" after the first sends its optimistic token (an AP-REQ,
 *         or an NTLMSSP NEGOTIATE).  The server's choice is printed
 *         ("chosen MECH") and a mechanism other than Kerberos ends it
 *         (exit 3); its mechListMIC must verify.
 *     -x  (with -N) a mechListMIC of ours that does not verify
 *     -M CCACHE2  NFSv4.1 SP4_MACH_CRED: the first context (KRB5CCNAME's
 *         principal) is the machine credential of an EXCHANGE_ID; a
 *         second one from CCACHE2 and AUTH_SYS must get WRONG_CRED for
 *         CREATE_SESSION, DESTROY_SESSION, EXCHANGE_ID, DESTROY_CLIENTID
 *         (with -k: "waiting" after CREATE_SESSION, as above)
 * Exit 0 when every check held, 2 when no context could be made (no
 * ticket, say), 1 otherwise; one line per check on stdout.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include "check.h"
#include "loadgss_init.h"
#include "rpcrd.h"
#include "spnego.h"

#define NFS_PROG	100003
#define MOUNT_PROG	100005
#define RPCSEC_GSS	6
#define BUF_MAX		(1 << 20)

struct buf {
	uint8_t	*p;
	size_t	 len;
	size_t	 cap;
};

static int fd = -1;
static const char *host = "localhost";	/* of nfs@HOST */
static const char *addr = "127.0.0.1";
static int port;
static uint32_t xid = 0x4b000000;
static gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
static uint8_t handle[64];
static size_t handle_len;
static uint32_t seq;
static int wait_restart;	/* -k */
static int big_writes = 1;	/* io_checks: big_write_checks too */
static int destroy_raw;		/* DESTROY's void body unwrapped, as Linux */
static uint8_t rootfh[64];
static size_t rootfh_len;

static void
put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 4 > b->cap) {
		b->cap = (b->len + n + 4) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			exit(1);
	}
	if (n > 0)		/* p may be NULL then */
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
put32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { v >> 24, v >> 16, v >> 8, v };

	put(b, x, 4);
}

static void
put64(struct buf *b, uint64_t v)
{
	put32(b, (uint32_t)(v >> 32));
	put32(b, (uint32_t)v);
}

static void
putopaque(struct buf *b, const void *p, size_t n)
{
	static const uint8_t zero[4];

	put32(b, (uint32_t)n);
	put(b, p, n);
	put(b, zero, (4 - (n & 3)) & 3);
}

static int
do_connect(void)
{
	struct sockaddr_in sin;

	if (fd != -1)
		close(fd);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, addr, &sin.sin_addr);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		fd = -1;
		return -1;
	}
	return 0;
}

static size_t frag_size;	/* 0: one fragment; else records split */

static int
writen(const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A record, in fragments of frag_size bytes when set (RFC 5531 11). */
static int
send_record(const struct buf *b)
{
	uint8_t mark[4];
	size_t off = 0, len;
	uint32_t n;

	do {
		len = b->len - off;
		if (frag_size > 0 && len > frag_size)
			len = frag_size;
		n = (uint32_t)len;
		if (off + len == b->len)
			n |= 0x80000000u;
		mark[0] = n >> 24;
		mark[1] = n >> 16;
		mark[2] = n >> 8;
		mark[3] = n;
		if (writen(mark, 4) == -1 || writen(b->p + off, len) == -1)
			return -1;
		off += len;
	} while (off < b->len);
	return 0;
}

static int
readn(uint8_t *p, size_t n, int timeout_ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t got;

	while (n > 0) {
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -1;
		if ((got = read(fd, p, n)) <= 0)
			return -1;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* One reply record (single fragment enough for our sizes). */
static int
recv_record(struct buf *b, int timeout_ms)
{
	uint8_t mark[4];
	uint32_t n;

	b->len = 0;
	if (readn(mark, 4, timeout_ms) == -1)
		return -1;
	n = get32(mark) & 0x7fffffffu;
	if (n > BUF_MAX)
		return -1;
	if (b->cap < n) {
		b->cap = n;
		if ((b->p = realloc(b->p, n)) == NULL)
			exit(1);
	}
	if (readn(b->p, n, timeout_ms) == -1)
		return -1;
	b->len = n;
	return 0;
}

static int
gss_mic(const uint8_t *p, size_t n, gss_buffer_desc *out)
{
	gss_buffer_desc in = { n, (void *)(uintptr_t)p };
	OM_uint32 minor;

	return GSS_ERROR(gss_get_mic(&minor, ctx, GSS_C_QOP_DEFAULT, &in,
	    out)) ? -1 : 0;
}

static int
gss_vmic(const uint8_t *p, size_t n, const uint8_t *m, size_t mlen)
{
	gss_buffer_desc in = { n, (void *)(uintptr_t)p };
	gss_buffer_desc tok = { mlen, (void *)(uintptr_t)m };
	OM_uint32 minor;

	return GSS_ERROR(gss_verify_mic(&minor, ctx, &in, &tok, NULL)) ?
	    -1 : 0;
}

/*
 * A call of prog/proc with args under RPCSEC_GSS (gss_proc, service),
 * or AUTH_SYS when gss_proc is -1.  tamper: flip a byte of the body.
 */
static void
build_call(struct buf *b, uint32_t prog, uint32_t vers, uint32_t proc,
    int gss_proc, uint32_t service, const struct buf *args, uint32_t s,
    int tamper)
{
	struct buf cred = { 0 }, body = { 0 };
	gss_buffer_desc mic, in, out;
	OM_uint32 minor;
	int conf;

	b->len = 0;
	put32(b, ++xid);
	put32(b, 0);
	put32(b, 2);
	put32(b, prog);
	put32(b, vers);
	put32(b, proc);
	if (gss_proc < 0) {
		put32(b, 1);
		put32(&cred, 0);
		putopaque(&cred, "krb5-client", 11);
		put32(&cred, 0);
		put32(&cred, 0);
		put32(&cred, 0);
		putopaque(b, cred.p, cred.len);
		put32(b, 0);
		put32(b, 0);
		put(b, args->p, args->len);
		free(cred.p);
		return;
	}
	put32(b, RPCSEC_GSS);
	put32(&cred, 1);
	put32(&cred, (uint32_t)gss_proc);
	put32(&cred, s);
	put32(&cred, service);
	putopaque(&cred, handle, gss_proc == 1 ? 0 : handle_len);
	putopaque(b, cred.p, cred.len);
	free(cred.p);
	if (gss_proc == 1 || gss_proc == 2) {
		put32(b, 0);
		put32(b, 0);
		put(b, args->p, args->len);
		return;
	}
	if (gss_mic(b->p, b->len, &mic) == -1) {
		fprintf(stderr, "gss_get_mic failed\n");
		exit(1);
	}
	put32(b, RPCSEC_GSS);
	putopaque(b, mic.value, mic.length);
	gss_release_buffer(&minor, &mic);
	if (service == 1 || (gss_proc == 3 && destroy_raw)) {
		put(b, args->p, args->len);
		return;
	}
	put32(&body, s);
	put(&body, args->p, args->len);
	if (service == 2) {
		gss_mic(body.p, body.len, &mic);
		if (tamper)
			body.p[body.len - 1] ^= 0x20;
		putopaque(b, body.p, body.len);
		putopaque(b, mic.value, mic.length);
		gss_release_buffer(&minor, &mic);
	} else {
		in.value = body.p;
		in.length = body.len;
		gss_wrap(&minor, ctx, 1, GSS_C_QOP_DEFAULT, &in, &conf, &out);
		if (tamper)
			((uint8_t *)out.value)[out.length / 2] ^= 0x20;
		putopaque(b, out.value, out.length);
		gss_release_buffer(&minor, &out);
	}
	free(body.p);
}

/*
 * The reply to the last call: accept_stat (or 100 + auth_stat when
 * denied, -1 when unreadable); the results, unwrapped, into res.
 */
static int
parse_reply(const struct buf *b, uint32_t service, uint32_t s,
    struct buf *res, int *verf_ok)
{
	struct rd r = { b->p, b->len, 0, 0 };
	const uint8_t *v, *d, *m;
	size_t vlen, dlen, mlen;
	uint32_t vflavor, stat;
	uint8_t sb[4];
	gss_buffer_desc in, out;
	OM_uint32 minor;
	int conf;

	res->len = 0;
	*verf_ok = 0;
	if (rd32(&r) != xid || rd32(&r) != 1)
		return -1;
	if (rd32(&r) == 1) {
		rd32(&r);
		return 100 + (int)rd32(&r);
	}
	vflavor = rd32(&r);
	v = rdopaque(&r, &vlen);
	stat = rd32(&r);
	if (r.bad)
		return -1;
	if (vflavor == RPCSEC_GSS && ctx != GSS_C_NO_CONTEXT) {
		sb[0] = s >> 24;
		sb[1] = s >> 16;
		sb[2] = s >> 8;
		sb[3] = s;
		*verf_ok = gss_vmic(sb, 4, v, vlen) == 0;
	}
	if (stat != 0)
		return (int)stat;
	if (service <= 1) {
		put(res, r.p + r.pos, r.len - r.pos);
		return 0;
	}
	d = rdopaque(&r, &dlen);
	if (r.bad)
		return -1;
	if (service == 2) {
		m = rdopaque(&r, &mlen);
		if (r.bad || gss_vmic(d, dlen, m, mlen) == -1 || dlen < 4 ||
		    get32(d) != s)
			return -2;
		put(res, d + 4, dlen - 4);
		return 0;
	}
	in.value = (void *)(uintptr_t)d;
	in.length = dlen;
	if (GSS_ERROR(gss_unwrap(&minor, ctx, &in, &out, &conf, NULL)) ||
	    !conf || out.length < 4 || get32(out.value) != s) {
		gss_release_buffer(&minor, &out);
		return -2;
	}
	put(res, (uint8_t *)out.value + 4, out.length - 4);
	gss_release_buffer(&minor, &out);
	return 0;
}

/* A DATA call of version vers and its reply (parse_reply's status). */
static int
call_vers(uint32_t prog, uint32_t vers, uint32_t proc, uint32_t service,
    const struct buf *args, struct buf *res, int *verf_ok)
{
	struct buf b = { 0 }, rep = { 0 };
	uint32_t s = ++seq;
	int rc;

	build_call(&b, prog, vers, proc, 0, service, args, s, 0);
	if (send_record(&b) == -1 || recv_record(&rep, 10000) == -1)
		rc = -1;
	else
		rc = parse_reply(&rep, service, s, res, verf_ok);
	free(b.p);
	free(rep.p);
	return rc;
}

static int
call(uint32_t prog, uint32_t proc, uint32_t service, const struct buf *args,
    struct buf *res, int *verf_ok)
{
	return call_vers(prog, 3, proc, service, args, res, verf_ok);
}

/*
 * NFSv4 COMPOUND of PUTROOTFH, LOOKUP name (none: GETATTR of the pseudo
 * root) under service: the COMPOUND's status, or -1 / 100 + auth_stat.
 */
static int
v4_lookup(uint32_t service, const char *name)
{
	struct buf a = { 0 }, res = { 0 };
	int rc, vok;

	put32(&a, 0);			/* tag */
	put32(&a, 0);			/* minorversion */
	put32(&a, 2);
	put32(&a, 24);			/* PUTROOTFH */
	if (name != NULL) {
		put32(&a, 15);		/* LOOKUP */
		putopaque(&a, name, strlen(name));
	} else {
		put32(&a, 9);		/* GETATTR: type */
		put32(&a, 1);
		put32(&a, 1u << 1);
	}
	rc = call_vers(NFS_PROG, 4, 1, service, &a, &res, &vok);
	if (rc == 0)
		rc = res.len >= 4 && vok ? (int)get32(res.p) : -1;
	free(a.p);
	free(res.p);
	return rc;
}

static int
mount_export(const char *path, int print_flavors)
{
	struct buf a = { 0 }, b = { 0 }, rep = { 0 };
	struct rd r;
	const uint8_t *fh;
	size_t n, i;
	uint32_t nfl;

	putopaque(&a, path, strlen(path));
	build_call(&b, MOUNT_PROG, 3, 1, -1, 0, &a, 0, 0);
	if (send_record(&b) == -1 || recv_record(&rep, 10000) == -1)
		return -1;
	r = (struct rd){ rep.p, rep.len, 0, 0 };
	rdskip(&r, 12);
	rd32(&r);
	rdopaque(&r, &n);
	if (rd32(&r) != 0 || rd32(&r) != 0)
		return -1;
	fh = rdopaque(&r, &n);
	if (r.bad || n > sizeof(rootfh))
		return -1;
	memcpy(rootfh, fh, n);
	rootfh_len = n;
	nfl = rd32(&r);
	if (print_flavors) {
		printf("flavors:");
		for (i = 0; i < nfl && !r.bad; i++)
			printf(" %u", rd32(&r));
		printf("\n");
	}
	free(a.p);
	free(b.p);
	free(rep.p);
	return 0;
}

/* An INIT whose token is not Kerberos: the server's gss_major. */
static int
garbage_init(void)
{
	struct buf a = { 0 }, b = { 0 }, rep = { 0 };
	struct rd r;
	size_t n;
	int rc = 0;

	putopaque(&a, "\x60\x05garbage-not-a-krb5-token", 27);
	build_call(&b, NFS_PROG, 3, 0, 1, 1, &a, 0, 0);
	if (send_record(&b) == -1 || recv_record(&rep, 10000) == -1) {
		printf("no reply\n");
		rc = 1;
		goto out;
	}
	r = (struct rd){ rep.p, rep.len, 0, 0 };
	rdskip(&r, 8);
	if (rd32(&r) != 0) {
		rd32(&r);
		printf("auth error %u\n", rd32(&r));
		goto out;
	}
	rd32(&r);
	rdopaque(&r, &n);
	rd32(&r);
	rdopaque(&r, &n);
	printf("gss_major %#x handle %zu\n", rd32(&r), n);
out:
	free(a.p);
	free(b.p);
	free(rep.p);
	return rc;
}

/* loadgss_exchange_fn: one INIT or CONTINUE_INIT call and its reply. */
static int
init_exchange(void *arg, const uint8_t *call, size_t len,
    const uint8_t **reply, size_t *replylen)
{
	struct buf *rep = arg, b = { 0 };

	put(&b, call, len);
	if (send_record(&b) == -1 || recv_record(rep, 10000) == -1) {
		free(b.p);
		return -1;
	}
	free(b.p);
	*reply = rep->p;
	*replylen = rep->len;
	return 0;
}

/*
 * RFC 2203 5.2: INIT, CONTINUE_INIT until the context is made (the
 * load generators' loop, bench/loadgss_init.h); it becomes ctx, handle.
 */
static int
make_context(const char *service)
{
	struct loadgss g;
	struct buf rep = { 0 };
	char name[512];
	int rc;

	snprintf(name, sizeof(name), "%s@%s", service, host);
	rc = loadgss_create(&g, name, LOADGSS_SVC_NONE, xid + 1, NFS_PROG, 3,
	    init_exchange, &rep);
	xid += 16;	/* past the xids of the INIT calls */
	free(rep.p);
	if (rc == -1 || g.handle_len > sizeof(handle)) {
		printf("no context: %s\n", g.error);
		loadgss_free(&g);
		return -1;
	}
	/* loadgss_create refuses a final verifier not the window's MIC. */
	printf("context: handle of %u bytes, window %u, its MIC checked\n",
	    (unsigned)g.handle_len, (unsigned)g.window);
	ctx = g.ctx;
	g.ctx = GSS_C_NO_CONTEXT;
	memcpy(handle, g.handle, g.handle_len);
	handle_len = g.handle_len;
	loadgss_free(&g);
	return 0;
}

static void
fh_args(struct buf *a, const uint8_t *fh, size_t len)
{
	a->len = 0;
	putopaque(a, fh, len);
}

static const char *const svc_names[] = { "", "krb5", "krb5i", "krb5p" };

static void
v4_checks(void)
{
	check(v4_lookup(3, NULL) == 0,
	    "krb5p: NFSv4 COMPOUND PUTROOTFH, GETATTR");
	check(v4_lookup(1, "export") == 0,
	    "krb5: NFSv4 LOOKUP into export (security = sys)");
	check(v4_lookup(1, "strict") == 10016,
	    "krb5: NFSv4 LOOKUP into strict (krb5i): NFS4ERR_WRONGSEC");
	check(v4_lookup(2, "strict") == 0,
	    "krb5i: NFSv4 LOOKUP into strict");
	check(v4_lookup(3, "strict") == 0,
	    "krb5p: NFSv4 LOOKUP into strict");
}

static void	 big_write_checks(uint32_t, const uint8_t *, size_t);

/* NFSv3 WRITE of data at off: 0 when the call and NFS3_OK came back. */
static int
v3_write(uint32_t service, const uint8_t *fh, size_t fhlen, uint64_t off,
    const uint8_t *data, size_t len, uint32_t stable)
{
	struct buf a = { 0 }, res = { 0 };
	int rc, vok;

	fh_args(&a, fh, fhlen);
	put64(&a, off);
	put32(&a, (uint32_t)len);
	put32(&a, stable);
	putopaque(&a, data, len);
	rc = call(NFS_PROG, 7, service, &a, &res, &vok);
	rc = rc == 0 && vok && res.len >= 4 && get32(res.p) == 0 ? 0 : -1;
	free(a.p);
	free(res.p);
	return rc;
}

/* NFSv3 READ of len at off: 0 when the data read equals data. */
static int
v3_read_same(uint32_t service, const uint8_t *fh, size_t fhlen,
    uint64_t off, const uint8_t *data, size_t len)
{
	struct buf a = { 0 }, res = { 0 };
	const uint8_t *p = NULL;
	struct rd r;
	size_t n = 0;
	int rc, vok;

	fh_args(&a, fh, fhlen);
	put64(&a, off);
	put32(&a, (uint32_t)len);
	rc = call(NFS_PROG, 6, service, &a, &res, &vok);
	r = (struct rd){ res.p, res.len, 0, 0 };
	if (rc == 0 && rd32(&r) == 0) {
		if (rd32(&r) == 1)
			rdskip(&r, 84);
		rd32(&r);
		rd32(&r);
		p = rdopaque(&r, &n);
	}
	rc = !r.bad && p != NULL && n == len && memcmp(p, data, n) == 0 ?
	    0 : -1;
	free(a.p);
	free(res.p);
	return rc;
}

static void
io_checks(uint32_t service)
{
	struct buf a = { 0 }, res = { 0 };
	uint8_t data[4096], fh[64];
	char name[64], what[128];
	size_t fhlen = 0, n;
	struct rd r;
	int rc, vok;
	const uint8_t *p;

	rc = call(NFS_PROG, 0, service, &a, &res, &vok);
	snprintf(what, sizeof(what), "%s: NULL, reply verifier checks",
	    svc_names[service]);
	check(rc == 0 && vok, what);

	fh_args(&a, rootfh, rootfh_len);
	rc = call(NFS_PROG, 1, service, &a, &res, &vok);
	snprintf(what, sizeof(what), "%s: GETATTR of the export's root",
	    svc_names[service]);
	check(rc == 0 && vok && res.len >= 4 && get32(res.p) == 0, what);

	snprintf(name, sizeof(name), "krb5-file-%s", svc_names[service]);
	fh_args(&a, rootfh, rootfh_len);
	putopaque(&a, name, strlen(name));
	put32(&a, 0);		/* UNCHECKED */
	put32(&a, 1);		/* mode 0644 */
	put32(&a, 0644);
	put32(&a, 0);
	put32(&a, 0);
	put32(&a, 0);
	put32(&a, 0);
	put32(&a, 0);
	rc = call(NFS_PROG, 8, service, &a, &res, &vok);
	r = (struct rd){ res.p, res.len, 0, 0 };
	if (rc == 0 && rd32(&r) == 0 && rd32(&r) == 1) {
		p = rdopaque(&r, &n);
		if (!r.bad && n <= sizeof(fh)) {
			memcpy(fh, p, n);
			fhlen = n;
		}
	}
	snprintf(what, sizeof(what), "%s: CREATE %s", svc_names[service],
	    name);
	check(fhlen > 0, what);
	if (fhlen == 0)
		return;

	for (n = 0; n < sizeof(data); n++)
		data[n] = (uint8_t)(n * 7 + service);
	snprintf(what, sizeof(what), "%s: WRITE 4096 bytes",
	    svc_names[service]);
	check(v3_write(service, fh, fhlen, 0, data, sizeof(data), 2) == 0,
	    what);			/* FILE_SYNC */
	snprintf(what, sizeof(what), "%s: READ back the same 4096 bytes",
	    svc_names[service]);
	check(v3_read_same(service, fh, fhlen, 0, data, sizeof(data)) == 0,
	    what);
	free(a.p);
	free(res.p);
	if (big_writes && service >= 2)
		big_write_checks(service, fh, fhlen);
}

/*
 * WRITEs of odd sizes under krb5i and krb5p, some in records of several
 * fragments (odd-sized too), each read back: the shapes of the Linux
 * client's WRITEs with page data (the opaque's XDR padding inside the
 * checksummed or sealed body), up to about a megabyte.
 */
static void
big_write_checks(uint32_t service, const uint8_t *fh, size_t fhlen)
{
	static const size_t sizes[] = { 1, 3, 4097, 65537, 262147, 1000001 };
	static const size_t frags[] = { 0, 1001, 0, 16383, 65537, 0 };
	uint8_t *data;
	char what[160];
	size_t i, j, total = 0;
	int rc;

	if ((data = malloc(1000001)) == NULL)
		exit(1);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (j = 0; j < sizes[i]; j++)
			data[j] = (uint8_t)(j * 13 + i + service);
		frag_size = frags[i];
		rc = v3_write(service, fh, fhlen, total, data, sizes[i], 0);
		frag_size = 0;
		snprintf(what, sizeof(what), "%s: WRITE of %zu bytes at %zu "
		    "(%s)", svc_names[service], sizes[i], total, frags[i] ?
		    "fragments" : "one fragment");
		check(rc == 0, what);
		snprintf(what, sizeof(what), "%s: READ back the %zu bytes",
		    svc_names[service], sizes[i]);
		check(v3_read_same(service, fh, fhlen, total, data,
		    sizes[i]) == 0, what);
		total += sizes[i];
	}
	free(data);
}

/* A tampered krb5i body: GARBAGE_ARGS; a replayed seq_num: silence. */
static void
bad_input_checks(void)
{
	struct buf a = { 0 }, b = { 0 }, rep = { 0 }, res = { 0 };
	uint32_t s;
	int rc, vok;

	fh_args(&a, rootfh, rootfh_len);
	s = ++seq;
	build_call(&b, NFS_PROG, 3, 1, 0, 2, &a, s, 1);
	rc = send_record(&b) == -1 || recv_record(&rep, 10000) == -1 ? -1 :
	    parse_reply(&rep, 2, s, &res, &vok);
	check(rc == 4, "krb5i: a tampered body is refused (GARBAGE_ARGS)");

	s = ++seq;
	build_call(&b, NFS_PROG, 3, 1, 0, 1, &a, s, 0);
	rc = send_record(&b) == -1 || recv_record(&rep, 10000) == -1 ? -1 :
	    parse_reply(&rep, 1, s, &res, &vok);
	check(rc == 0, "krb5: GETATTR before the replay");
	/* The same record again, then a new call: only its reply comes. */
	if (send_record(&b) == -1)
		check(0, "replay sent");
	rc = recv_record(&rep, 1500);
	check(rc == -1, "a replayed seq_num gets no reply");
	rc = call(NFS_PROG, 0, 1, &a, &res, &vok);
	check(rc == 0 && vok, "... and the next call is answered");
	/*
	 * A retransmission (same xid, a new seq_num and so a new krb5i
	 * body) of a REMOVE: the reply cache's answer, not NOENT.
	 */
	fh_args(&a, rootfh, rootfh_len);
	putopaque(&a, "krb5-file-krb5", 14);
	s = ++seq;
	build_call(&b, NFS_PROG, 3, 12, 0, 2, &a, s, 0);
	rc = send_record(&b) == -1 || recv_record(&rep, 10000) == -1 ? -1 :
	    parse_reply(&rep, 2, s, &res, &vok);
	check(rc == 0 && res.len >= 4 && get32(res.p) == 0,
	    "krb5i: REMOVE krb5-file-krb5");
	xid--;
	s = ++seq;
	build_call(&b, NFS_PROG, 3, 12, 0, 2, &a, s, 0);
	rc = send_record(&b) == -1 || recv_record(&rep, 10000) == -1 ? -1 :
	    parse_reply(&rep, 2, s, &res, &vok);
	check(rc == 0 && vok && res.len >= 4 && get32(res.p) == 0,
	    "krb5i: its retransmission (new seq_num) gets the cached reply");
	free(a.p);
	free(b.p);
	free(rep.p);
	free(res.p);
}

/* One GETATTR under sec: the NFS status, or "auth error N". */
static void
share_check(uint32_t service)
{
	struct buf a = { 0 }, res = { 0 };
	int rc, vok;

	fh_args(&a, rootfh, rootfh_len);
	rc = call(NFS_PROG, 1, service, &a, &res, &vok);
	if (rc >= 100)
		printf("%s: auth error %d\n", svc_names[service], rc - 100);
	else if (rc == 0 && res.len >= 4)
		printf("%s: nfs status %u\n", svc_names[service],
		    get32(res.p));
	else
		printf("%s: rc %d\n", svc_names[service], rc);
	free(a.p);
	free(res.p);
}

static void
destroy(void)
{
	struct buf a = { 0 }, b = { 0 }, rep = { 0 }, res = { 0 };
	uint32_t s = ++seq;
	int rc, vok;

	build_call(&b, NFS_PROG, 3, 0, 3, 1, &a, s, 0);
	rc = send_record(&b) == -1 || recv_record(&rep, 10000) == -1 ? -1 :
	    parse_reply(&rep, 1, s, &res, &vok);
	check(rc == 0 && vok, "DESTROY is answered");
	rc = call(NFS_PROG, 0, 1, &a, &res, &vok);
	check(rc == 100 + 13, "after DESTROY the handle is "
	    "RPCSEC_GSS_CREDPROBLEM");
	free(b.p);
	free(rep.p);
	free(res.p);
}

/*
 * NFSv4.1 SP4_MACH_CRED (RFC 8881 18.35.3): the context made first is
 * the machine credential, a second one (of the ccache given with -M) is
 * another principal; AUTH_SYS a third.
 */
struct gss_saved {
	gss_ctx_id_t	ctx;
	uint8_t		handle[64];
	size_t		handle_len;
};

static void
gss_save(struct gss_saved *g)
{
	g->ctx = ctx;
	memcpy(g->handle, handle, sizeof(handle));
	g->handle_len = handle_len;
}

static void
gss_use(const struct gss_saved *g)
{
	ctx = g->ctx;
	memcpy(handle, g->handle, sizeof(handle));
	handle_len = g->handle_len;
}

#define V41_SYS		0	/* AUTH_SYS instead of a GSS service */
#define OP_EXCHANGE_ID	42
#define OP_CREATE_SESSION 43
#define OP_DESTROY_SESSION 44
#define OP_DESTROY_CLIENTID 57
#define NFS4ERR_INVAL	22
#define NFS4ERR_WRONG_CRED 10082
#define V41_ENFORCE1	(1u << 9 | 1u << 10 | 1u << 11 | 1u << 12 | 1u << 25)

/*
 * A v4.1 COMPOUND of one op (its arguments in op) under service, or
 * AUTH_SYS: the op's status (or -1 / 100 + auth_stat); its results in
 * *r.
 */
static int
v41_op(uint32_t service, uint32_t opnum, const struct buf *op,
    struct buf *res, struct rd *r)
{
	struct buf a = { 0 }, b = { 0 }, rep = { 0 };
	uint32_t s = ++seq, st;
	int rc, vok;

	putopaque(&a, "", 0);
	put32(&a, 1);			/* minorversion */
	put32(&a, 1);
	put32(&a, opnum);
	put(&a, op->p, op->len);
	build_call(&b, NFS_PROG, 4, 1, service == V41_SYS ? -1 : 0,
	    service, &a, s, 0);
	if (send_record(&b) == -1 || recv_record(&rep, 10000) == -1)
		rc = -1;
	else
		rc = parse_reply(&rep, service == V41_SYS ? 1 : service, s,
		    res, &vok);
	free(a.p);
	free(b.p);
	free(rep.p);
	if (rc != 0)
		return rc;
	r->p = res->p;
	r->len = res->len;
	r->pos = 0;
	r->bad = 0;
	rd32(r);			/* the COMPOUND's status */
	rdopaque(r, &(size_t){ 0 });	/* tag */
	if (rd32(r) != 1 || rd32(r) != opnum)
		return -1;
	st = rd32(r);
	return r->bad ? -1 : (int)st;
}

/* EXCHANGE_ID of owner with SP4_MACH_CRED; its client id in *cid. */
static int
v41_exchange_id(uint32_t service, const char *owner, uint64_t *cid,
    uint32_t *how, uint32_t *enforce1)
{
	struct buf op = { 0 }, res = { 0 };
	struct rd r;
	int st;

	put(&op, "krb5mcvf", 8);
	putopaque(&op, owner, strlen(owner));
	put32(&op, 0);			/* eia_flags */
	put32(&op, 1);			/* SP4_MACH_CRED */
	put32(&op, 2);			/* spo_must_enforce */
	put32(&op, 0);
	put32(&op, V41_ENFORCE1);
	put32(&op, 1);			/* spo_must_allow: CLOSE, LOCKU */
	put32(&op, 1u << 4 | 1u << 14);
	put32(&op, 0);			/* no implementation id */
	st = v41_op(service, OP_EXCHANGE_ID, &op, &res, &r);
	*how = 99;
	*enforce1 = 0;
	if (st == 0) {
		*cid = (uint64_t)rd32(&r) << 32;
		*cid |= rd32(&r);
		rd32(&r);		/* sequenceid */
		rd32(&r);		/* flags */
		*how = rd32(&r);
		if (*how == 1 && rd32(&r) >= 2) {
			rd32(&r);
			*enforce1 = rd32(&r);
			if (rd32(&r) != 0)	/* spo_must_allow: none */
				*how = 98;
		}
	}
	free(op.p);
	free(res.p);
	return st;
}

static void
v41_channel(struct buf *op)
{
	put32(op, 0);			/* headerpadsize */
	put32(op, 65536);
	put32(op, 65536);
	put32(op, 4096);
	put32(op, 8);
	put32(op, 4);
	put32(op, 0);			/* no rdma_ird */
}

static int
v41_create_session(uint32_t service, uint64_t cid, uint32_t sequence,
    uint8_t sid[16])
{
	struct buf op = { 0 }, res = { 0 };
	struct rd r;
	int st;

	put64(&op, cid);
	put32(&op, sequence);
	put32(&op, 0);			/* no flags */
	v41_channel(&op);
	v41_channel(&op);
	put32(&op, 0x40000000);		/* cb_program */
	put32(&op, 1);			/* callback_sec_parms: AUTH_NONE */
	put32(&op, 0);
	st = v41_op(service, OP_CREATE_SESSION, &op, &res, &r);
	if (st == 0 && r.pos + 16 <= r.len)
		memcpy(sid, r.p + r.pos, 16);
	free(op.p);
	free(res.p);
	return st;
}

static int
v41_destroy(uint32_t service, uint32_t opnum, uint64_t cid,
    const uint8_t sid[16])
{
	struct buf op = { 0 }, res = { 0 };
	struct rd r;
	int st;

	if (opnum == OP_DESTROY_SESSION)
		put(&op, sid, 16);
	else
		put64(&op, cid);
	st = v41_op(service, opnum, &op, &res, &r);
	free(op.p);
	free(res.p);
	return st;
}

static int
mach_cred_checks(const char *ccache2)
{
	struct gss_saved mach, other;
	OM_uint32 minor;
	uint64_t cid = 0, cid2 = 0;
	uint32_t how, enforce1;
	uint8_t sid[16] = { 0 };
	char owner[64], line[64];
	int st;

	snprintf(owner, sizeof(owner), "krb5-client mach %d", (int)getpid());
	gss_save(&mach);
	if (gss_krb5_ccache_name(&minor, ccache2, NULL) != GSS_S_COMPLETE) {
		printf("no ccache %s\n", ccache2);
		return 2;
	}
	ctx = GSS_C_NO_CONTEXT;
	if (make_context("nfs") == -1)
		return 2;
	gss_save(&other);
	gss_use(&mach);

	st = v41_exchange_id(2, owner, &cid, &how, &enforce1);
	check(st == 0 && how == 1 && (enforce1 & V41_ENFORCE1) ==
	    V41_ENFORCE1, "krb5i: EXCHANGE_ID with SP4_MACH_CRED accepted, "
	    "enforcing BIND_CONN_TO_SESSION, EXCHANGE_ID, CREATE_SESSION, "
	    "DESTROY_SESSION, DESTROY_CLIENTID, allowing none");
	printf("  (status %d, spr_how %u, enforce word 1 %08x)\n", st, how,
	    enforce1);
	check(v41_exchange_id(V41_SYS, "krb5-client mach sys", &cid2, &how,
	    &enforce1) == NFS4ERR_INVAL,
	    "AUTH_SYS: EXCHANGE_ID with SP4_MACH_CRED is NFS4ERR_INVAL");
	check(v41_exchange_id(1, "krb5-client mach krb5", &cid2, &how,
	    &enforce1) == NFS4ERR_INVAL,
	    "krb5 (no integrity): EXCHANGE_ID with SP4_MACH_CRED is "
	    "NFS4ERR_INVAL");
	gss_use(&other);
	check(v41_create_session(2, cid, 1, sid) == NFS4ERR_WRONG_CRED,
	    "another principal: CREATE_SESSION is NFS4ERR_WRONG_CRED");
	check(v41_create_session(V41_SYS, cid, 1, sid) == NFS4ERR_WRONG_CRED,
	    "AUTH_SYS: CREATE_SESSION is NFS4ERR_WRONG_CRED");
	gss_use(&mach);
	check(v41_create_session(3, cid, 1, sid) == 0,
	    "krb5p, the machine principal: CREATE_SESSION");
	if (wait_restart) {
		/* nfsd is killed meanwhile: stated still knows. */
		printf("waiting\n");
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL)
			return 1;
		for (st = 0; st < 100 && do_connect() == -1; st++)
			usleep(200000);
		check(fd != -1, "connected again after the restart");
	}
	gss_use(&other);
	check(v41_destroy(2, OP_DESTROY_SESSION, 0, sid) ==
	    NFS4ERR_WRONG_CRED,
	    "another principal: DESTROY_SESSION is NFS4ERR_WRONG_CRED");
	check(v41_destroy(V41_SYS, OP_DESTROY_SESSION, 0, sid) ==
	    NFS4ERR_WRONG_CRED,
	    "AUTH_SYS: DESTROY_SESSION is NFS4ERR_WRONG_CRED");
	st = v41_exchange_id(2, owner, &cid2, &how, &enforce1);
	check(st == NFS4ERR_WRONG_CRED, "another principal: EXCHANGE_ID of "
	    "the same owner is NFS4ERR_WRONG_CRED");
	if (st != NFS4ERR_WRONG_CRED)
		printf("  (status %d)\n", st);
	gss_use(&mach);
	check(v41_destroy(2, OP_DESTROY_SESSION, 0, sid) == 0,
	    "the machine principal: DESTROY_SESSION");
	gss_use(&other);
	check(v41_destroy(2, OP_DESTROY_CLIENTID, cid, sid) ==
	    NFS4ERR_WRONG_CRED,
	    "another principal: DESTROY_CLIENTID is NFS4ERR_WRONG_CRED");
	gss_use(&mach);
	check(v41_destroy(2, OP_DESTROY_CLIENTID, cid, sid) == 0,
	    "the machine principal: DESTROY_CLIENTID");
	/* The other principal's context is this function's: it ends here. */
	gss_delete_sec_context(&minor, &other.ctx, GSS_C_NO_BUFFER);
	printf("%d failure(s)\n", failures);
	return failures == 0 ? 0 : 1;
}

/*
 * RPCSEC_GSS_DESTROY as the Linux client sends it under krb5i and krb5p
 * (net/sunrpc/auth_gss/auth_gss.c, gss_wrap_req: only RPCSEC_GSS_DATA
 * is wrapped): NULLPROC's void arguments unwrapped, the credential
 * naming the context's service.  nfsd took it for "a krb5i body that
 * does not check" and answered GARBAGE_ARGS, and the context stayed.
 */
static void
linux_destroy_checks(void)
{
	struct gss_saved main_ctx;
	struct buf a = { 0 }, b = { 0 }, rep = { 0 }, res = { 0 };
	char what[128];
	uint32_t service, s;
	int rc, vok;

	gss_save(&main_ctx);
	for (service = 2; service <= 3; service++) {
		ctx = GSS_C_NO_CONTEXT;
		if (make_context("nfs") == -1) {
			check(0, "a context to destroy");
			break;
		}
		rc = call(NFS_PROG, 0, service, &a, &res, &vok);
		snprintf(what, sizeof(what), "%s: NULL on a second context",
		    svc_names[service]);
		check(rc == 0 && vok, what);
		s = ++seq;
		destroy_raw = 1;
		build_call(&b, NFS_PROG, 3, 0, 3, service, &a, s, 0);
		destroy_raw = 0;
		rc = send_record(&b) == -1 || recv_record(&rep, 10000) == -1 ?
		    -1 : parse_reply(&rep, 1, s, &res, &vok);
		snprintf(what, sizeof(what), "%s: DESTROY with its void "
		    "arguments unwrapped (as Linux sends it) is answered",
		    svc_names[service]);
		check(rc == 0 && vok, what);
		if (rc != 0)
			printf("  (rc %d)\n", rc);
		rc = call(NFS_PROG, 0, service, &a, &res, &vok);
		snprintf(what, sizeof(what), "%s: after it the handle is "
		    "RPCSEC_GSS_CREDPROBLEM", svc_names[service]);
		check(rc == 100 + 13, what);
		gss_delete_sec_context(&(OM_uint32){ 0 }, &ctx, NULL);
	}
	gss_use(&main_ctx);
	free(b.p);
	free(rep.p);
	free(res.p);
}

static const struct {
	const char		*name;
	enum spnego_mech	 mech;
} spnego_names[] = {
	{ "krb5", SPNEGO_MECH_KRB5 },
	{ "ms-krb5", SPNEGO_MECH_MS_KRB5 },
	{ "ntlmssp", SPNEGO_MECH_NTLMSSP },
	{ "negoex", SPNEGO_MECH_NEGOEX },
};

static const char *
spnego_name(int mech)
{
	size_t i;

	for (i = 0; i < sizeof(spnego_names) / sizeof(spnego_names[0]); i++)
		if ((int)spnego_names[i].mech == mech)
			return spnego_names[i].name;
	return "other";
}

static int
is_krb5(int mech)
{
	return mech == SPNEGO_MECH_KRB5 || mech == SPNEGO_MECH_MS_KRB5;
}

/* A token to smb2probe.py: "tok HEX"; the token is freed. */
static void
pump_send(uint8_t *p, size_t n)
{
	size_t i;

	printf("tok ");
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
	fflush(stdout);
	free(p);
}

/* The server's next token: "STATUS HEX" or "STATUS -"; its length, -1. */
static ssize_t
pump_recv(uint8_t *buf, size_t max, unsigned long *status)
{
	static char line[2 * 65536 + 64];
	char *hex;
	size_t n = 0;
	unsigned int x;

	if (fgets(line, sizeof(line), stdin) == NULL)
		return -1;
	*status = strtoul(line, &hex, 16);
	while (*hex == ' ')
		hex++;
	while (n < max && sscanf(hex + 2 * n, "%2x", &x) == 1)
		buf[n++] = (uint8_t)x;
	return (ssize_t)n;
}

/* The OID in our Kerberos tokens: krb5's, or Microsoft's (-N raw-ms). */
static gss_OID pump_mech;

/* One step of our Kerberos context: its output token in *out. */
static int
pump_init(gss_name_t target, const uint8_t *in, size_t inlen,
    gss_buffer_desc *out, OM_uint32 *major)
{
	gss_buffer_desc ib = { inlen, (void *)(uintptr_t)in };
	OM_uint32 minor, m, c = 0;
	gss_buffer_desc t;

	*major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ctx,
	    target, pump_mech, GSS_C_MUTUAL_FLAG |
	    GSS_C_INTEG_FLAG, 0, GSS_C_NO_CHANNEL_BINDINGS, &ib, NULL, out,
	    NULL, NULL);
	if (GSS_ERROR(*major)) {
		gss_display_status(&m, minor, GSS_C_MECH_CODE, GSS_C_NO_OID,
		    &c, &t);
		printf("no context: %.*s\n", (int)t.length, (char *)t.value);
		fflush(stdout);
		return -1;
	}
	return 0;
}

/*
 * -N raw, raw-ms: a bare Kerberos InitialContextToken (RFC 4121 4.1),
 * as a client that skips SPNEGO sends it; the server's reply must be
 * the bare AP-REP that completes our context (mutual authentication).
 */
static int
raw_pump(gss_name_t target)
{
	static uint8_t in[65536];
	gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
	gss_buffer_set_t keys = GSS_C_NO_BUFFER_SET;
	OM_uint32 major, minor;
	unsigned long status;
	uint8_t *tok;
	ssize_t inlen;
	size_t i;

	if (pump_init(target, NULL, 0, &out, &major) == -1)
		return 2;
	if ((tok = malloc(out.length)) == NULL)
		return 1;
	memcpy(tok, out.value, out.length);
	pump_send(tok, out.length);
	gss_release_buffer(&minor, &out);
	if ((inlen = pump_recv(in, sizeof(in), &status)) == -1) {
		printf("no more from the server\n");
		return 1;
	}
	if (status != 0) {
		printf("setup status %#lx\n", status);
		return 1;
	}
	if (pump_init(target, in, (size_t)inlen, &out, &major) == -1)
		return 1;
	gss_release_buffer(&minor, &out);
	check(major == GSS_S_COMPLETE, "the server's bare AP-REP completes "
	    "our context (mutual authentication)");
	if (GSS_ERROR(gss_inquire_sec_context_by_oid(&minor, ctx,
	    GSS_C_INQ_SSPI_SESSION_KEY, &keys)) || keys->count < 1)
		return 1;
	printf("key ");
	for (i = 0; i < keys->elements[0].length && i < 16; i++)
		printf("%02x", ((uint8_t *)keys->elements[0].value)[i]);
	printf("\n");
	fflush(stdout);
	gss_release_buffer_set(&minor, &keys);
	return failures == 0 ? 0 : 1;
}

/*
 * RFC 4178 from the initiator's side, with Kerberos as the only
 * mechanism it can finish: the tokens toward target; mt (mtlen bytes)
 * is the DER of mechs, our mechTypes.
 */
static int
spnego_exchange(gss_name_t target, const enum spnego_mech *mechs, size_t n,
    int optimistic, const uint8_t *mt, size_t mtlen, int bad_mic)
{
	static const uint8_t ntlm_negotiate[32] = { 'N', 'T', 'L', 'M', 'S',
	    'S', 'P', 0, 1, 0, 0, 0, 0x35, 0x82, 0x08, 0xe2 };
	static uint8_t in[65536];
	struct spnego_token t;
	gss_buffer_desc out = GSS_C_EMPTY_BUFFER, mic = GSS_C_EMPTY_BUFFER;
	gss_buffer_desc mb;
	gss_buffer_set_t keys = GSS_C_NO_BUFFER_SET;
	OM_uint32 major = GSS_S_CONTINUE_NEEDED, minor;
	unsigned long status;
	uint8_t *tok;
	size_t toklen, i;
	ssize_t inlen;
	int chosen = -1, mic_needed = 0, mic_sent = 0;
	int mic_checked = 0, done = 0;

	if (optimistic && is_krb5(mechs[0])) {
		if (pump_init(target, NULL, 0, &out, &major) == -1)
			return 2;
	} else if (optimistic && mechs[0] == SPNEGO_MECH_NTLMSSP) {
		out.value = (void *)(uintptr_t)ntlm_negotiate;
		out.length = sizeof(ntlm_negotiate);
	}
	if (spnego_encode_init(mechs, n, out.length > 0 ? out.value : NULL,
	    out.length, NULL, &tok, &toklen) == -1)
		return 1;
	if (optimistic && is_krb5(mechs[0]))
		gss_release_buffer(&minor, &out);
	pump_send(tok, toklen);
	for (;;) {
		if ((inlen = pump_recv(in, sizeof(in), &status)) == -1) {
			printf("no more from the server\n");
			return 1;
		}
		if (status != 0 && status != 0xc0000016) {
			printf("setup status %#lx\n", status);
			return 1;
		}
		if (inlen == 0 || spnego_decode(in, (size_t)inlen, &t) == -1 ||
		    t.kind != SPNEGO_RESP) {
			printf("FAIL: the server's token is no NegTokenResp\n");
			return 1;
		}
		if (t.neg_state == SPNEGO_REJECT) {
			printf("rejected\n");
			return 1;
		}
		if (chosen == -1) {
			/* RFC 4178 4.2.2: the first reply names the mech. */
			if (t.supported_mech == -1) {
				printf("FAIL: no supportedMech\n");
				return 1;
			}
			chosen = t.supported_mech;
			printf("chosen %s%s\n", spnego_name(chosen),
			    t.neg_state == SPNEGO_REQUEST_MIC ?
			    " request-mic" : "");
			if (!is_krb5(chosen))
				return 3;
			mic_needed = chosen != (int)mechs[0] ||
			    t.neg_state == SPNEGO_REQUEST_MIC;
			if (ctx == GSS_C_NO_CONTEXT) {
				/* No optimistic AP-REQ: it goes now. */
				if (pump_init(target, NULL, 0, &out,
				    &major) == -1)
					return 2;
				if (spnego_encode_resp(-1, -1, out.value,
				    out.length, NULL, 0, &tok, &toklen) == -1)
					return 1;
				gss_release_buffer(&minor, &out);
				pump_send(tok, toklen);
				continue;
			}
		}
		if (t.response_token.p != NULL && major != GSS_S_COMPLETE) {
			if (pump_init(target, t.response_token.p,
			    t.response_token.len, &out, &major) == -1)
				return 1;
			gss_release_buffer(&minor, &out);
		}
		if (major != GSS_S_COMPLETE) {
			printf("FAIL: the server's reply left our context "
			    "incomplete\n");
			return 1;
		}
		if (t.mech_list_mic.p != NULL) {
			mb.value = (void *)(uintptr_t)mt;
			mb.length = mtlen;
			mic.value = (void *)(uintptr_t)t.mech_list_mic.p;
			mic.length = t.mech_list_mic.len;
			check(gss_verify_mic(&minor, ctx, &mb, &mic, NULL) ==
			    GSS_S_COMPLETE, "the server's mechListMIC verifies");
			mic_checked = 1;
		}
		if (t.neg_state == SPNEGO_ACCEPT_COMPLETED) {
			done = 1;
			break;
		}
		if (mic_sent || !(mic_needed || t.mech_list_mic.p != NULL)) {
			printf("FAIL: accept-incomplete with nothing to do\n");
			return 1;
		}
		/* RFC 4178 5: our mechListMIC over our mechTypes. */
		mb.value = (void *)(uintptr_t)mt;
		mb.length = mtlen;
		if (GSS_ERROR(gss_get_mic(&minor, ctx, GSS_C_QOP_DEFAULT, &mb,
		    &mic)))
			return 1;
		if (bad_mic)
			((uint8_t *)mic.value)[mic.length - 1] ^= 1;
		if (spnego_encode_resp(-1, -1, NULL, 0, mic.value, mic.length,
		    &tok, &toklen) == -1)
			return 1;
		gss_release_buffer(&minor, &mic);
		mic_sent = 1;
		pump_send(tok, toklen);
	}
	check(done && (!mic_needed || (mic_sent && mic_checked)),
	    "SPNEGO complete, the mechListMICs exchanged where RFC 4178 5 "
	    "wants them");
	if (GSS_ERROR(gss_inquire_sec_context_by_oid(&minor, ctx,
	    GSS_C_INQ_SSPI_SESSION_KEY, &keys)) || keys->count < 1)
		return 1;
	printf("mics %s\nkey ", mic_sent ? "both" : "none");
	for (i = 0; i < keys->elements[0].length && i < 16; i++)
		printf("%02x", ((uint8_t *)keys->elements[0].value)[i]);
	printf("\n");
	fflush(stdout);
	gss_release_buffer_set(&minor, &keys);
	return failures == 0 ? 0 : 1;
}

/* -N SHAPE: our mechTypes from SHAPE, the exchange toward SERVICE@host. */
static int
spnego_pump(const char *service, const char *shape, int bad_mic)
{
	enum spnego_mech mechs[SPNEGO_MECHS_MAX];
	gss_buffer_desc nb;
	gss_name_t target;
	OM_uint32 minor;
	uint8_t *mt;
	size_t n = 0, mtlen, i, len;
	char name[512], copy[256], *w, *save = NULL;
	int optimistic = 0, rc;

	pump_mech = strcmp(shape, "raw-ms") == 0 ? gss_mech_krb5_wrong :
	    gss_mech_krb5;
	if (strcmp(shape, "raw") == 0 || strcmp(shape, "raw-ms") == 0) {
		/* -N raw, raw-ms: a bare Kerberos token, no SPNEGO. */
		snprintf(name, sizeof(name), "%s@%s", service, host);
		nb.value = name;
		nb.length = strlen(name);
		if (GSS_ERROR(gss_import_name(&minor, &nb,
		    GSS_C_NT_HOSTBASED_SERVICE, &target)))
			return 1;
		rc = raw_pump(target);
		gss_release_name(&minor, &target);
		return rc;
	}
	snprintf(copy, sizeof(copy), "%s", shape);
	for (w = strtok_r(copy, ",", &save); w != NULL && n < SPNEGO_MECHS_MAX;
	    w = strtok_r(NULL, ",", &save)) {
		len = strlen(w);
		if (n == 0 && len > 0 && w[len - 1] == '+') {
			optimistic = 1;
			w[len - 1] = '\0';
		}
		for (i = 0; i < sizeof(spnego_names) / sizeof(spnego_names[0]);
		    i++)
			if (strcmp(w, spnego_names[i].name) == 0)
				break;
		if (i == sizeof(spnego_names) / sizeof(spnego_names[0])) {
			fprintf(stderr, "krb5-client: no mechanism %s\n", w);
			return 1;
		}
		mechs[n++] = spnego_names[i].mech;
	}
	if (n == 0 || spnego_encode_mech_types(mechs, n, &mt, &mtlen) == -1)
		return 1;
	snprintf(name, sizeof(name), "%s@%s", service, host);
	nb.value = name;
	nb.length = strlen(name);
	if (GSS_ERROR(gss_import_name(&minor, &nb, GSS_C_NT_HOSTBASED_SERVICE,
	    &target))) {
		free(mt);
		return 1;
	}
	rc = spnego_exchange(target, mechs, n, optimistic, mt, mtlen,
	    bad_mic);
	gss_release_name(&minor, &target);
	free(mt);
	return rc;
}

int
main(int argc, char *argv[])
{
	const char *export = NULL, *service = "nfs", *sec = NULL;
	const char *mach = NULL, *shape = NULL;
	int c, mount_only = 0, garbage = 0, bad_mic = 0, i;
	char line[64];

	while ((c = getopt(argc, argv, "e:gH:kmM:N:p:s:S:x")) != -1) {
		switch (c) {
		case 'g':
			garbage = 1;
			break;
		case 'e':
			export = optarg;
			break;
		case 'H':
			host = optarg;
			break;
		case 'k':
			wait_restart = 1;
			break;
		case 'm':
			mount_only = 1;
			break;
		case 'M':
			mach = optarg;
			break;
		case 'N':
			shape = optarg;
			break;
		case 'x':
			bad_mic = 1;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 's':
			sec = optarg;
			break;
		case 'S':
			service = optarg;
			break;
		default:
			return 1;
		}
	}
	if (shape != NULL)
		return spnego_pump(service, shape, bad_mic);
	if (export == NULL || port == 0) {
		fprintf(stderr, "usage: krb5-client [-km] -p PORT -e EXPORT "
		    "[-H HOST] [-S SERVICE] [-s SEC] [-M CCACHE2]\n"
		    "       krb5-client -N SHAPE [-x] [-H HOST] [-S SERVICE]\n");
		return 1;
	}
	if (do_connect() == -1 || mount_export(export, mount_only) == -1) {
		printf("cannot mount %s\n", export);
		return 1;
	}
	if (mount_only)
		return 0;
	if (garbage)
		return garbage_init();
	if (make_context(service) == -1)
		return 2;
	if (mach != NULL)
		return mach_cred_checks(mach);
	if (sec != NULL) {
		for (i = 1; i <= 3; i++)
			if (strcmp(sec, svc_names[i]) == 0)
				share_check((uint32_t)i);
		return 0;
	}
	for (i = 1; i <= 3; i++)
		io_checks((uint32_t)i);
	bad_input_checks();
	v4_checks();
	linux_destroy_checks();
	if (wait_restart) {
		printf("waiting\n");
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL)
			return 1;
		for (i = 0; i < 100 && do_connect() == -1; i++)
			usleep(200000);
		check(fd != -1, "connected again after the restart");
		io_checks(3);
	}
	destroy();
	printf("%d failure(s)\n", failures);
	return failures == 0 ? 0 : 1;
}
