/*
 * nfs4load: a host-side NFSv4.0 load generator, nfsload's twin.
 *
 * libnfs 4.0 cannot carry this: its NFSv4 COMPOUND is encoded into a
 * fixed 4 KiB buffer (rpc_nfs4_compound_async passes no size hint), so
 * every WRITE of more than about 3.9 KB fails in the client with "ZDR
 * error: Failed to encode COMPOUND4args" before a byte is sent, against
 * any server; and its creates are GUARDED.  So this is a small async
 * NFSv4.0 client of its own: plain sockets, ONC RPC record marking, the
 * COMPOUNDs a Linux client sends for each operation, several TCP
 * connections with many calls in flight on each.
 *
 * With version=3 in the URL it speaks NFSv3 instead (RFC 1813), for
 * the Kerberos rows nfsload (libnfs 4.0: AUTH_SYS only) cannot make:
 * MOUNT (AUTH_SYS, on mountport= or the NFS port) for the export's
 * handle, FSINFO for the transfer size, then per phase the calls a
 * Linux v3 client sends (WRITE, READ, CREATE, GETATTR, LOOKUP, LOOKUP +
 * ACCESS, READDIRPLUS, REMOVE; openclose has no v3 counterpart and is
 * skipped); rows host3_* (host3_krb5p_* etc.).
 *
 * Per connection: SETCLIENTID + SETCLIENTID_CONFIRM (a client of its
 * own; with version=4.1 in the URL: EXCHANGE_ID + CREATE_SESSION +
 * RECLAIM_COMPLETE, every COMPOUND then led by SEQUENCE on the slot of
 * its call in flight, and the rows are host41_*), PUTROOTFH + LOOKUP
 * down to the export, and one open owner per
 * call in flight (an owner's seqid orders its OPEN, OPEN_CONFIRM and
 * CLOSE, so calls of different owners overlap).  OPEN_CONFIRM is sent
 * when the server asks for it (OPEN4_RESULT_CONFIRM).
 *
 * Figures, as nfsload's with the host4_ prefix:
 *   RESULT name=host4_<phase> value=V unit=U      (MB = 10^6 bytes)
 *   LATENCY name=host4_<phase> p50=.. p90=.. p99=.. unit=us n=COUNT
 *     (at one call in flight: --conns 1 --depth 1)
 *
 * With sec=krb5, krb5i or krb5p in the URL every call is RPCSEC_GSS
 * (RFC 2203, bench/loadgss.h): per connection a context with
 * service= (a host-based name, default nfs@HOST) from the credential
 * cache KRB5CCNAME names, made before SETCLIENTID or EXCHANGE_ID; each
 * reply's verifier and body checked; the rows host4_krb5p_* etc.
 *
 * usage: nfs4load --url 'nfs://127.0.0.1/export?nfsport=P[&sec=krb5p
 *            &service=nfs@localhost][&version=3&mountport=M]'
 *            [--conns N] [--depth N] [--size MIB] [--seconds S]
 *            [--files N] [--tests LIST] [--dir NAME] [--create-bytes N]
 *
 * Phases (--tests, comma list, default all of them in this order):
 *   write     sequential WRITE UNSTABLE of --size MiB, then COMMIT, MB/s
 *   read      sequential READ of that file, MB/s
 *   randwrite 4 KiB WRITEs UNSTABLE at random offsets for --seconds,
 *             then COMMIT (in the time), IOPS
 *   randread  4 KiB READs at random offsets for --seconds, IOPS
 *   create    up to --files new files, each OPEN (create, UNCHECKED4,
 *             mode 0644) + GETFH + GETATTR then CLOSE, as a Linux
 *             client's open(O_CREAT)+close; with --create-bytes N a
 *             WRITE FILE_SYNC of N bytes before the CLOSE; files/s
 *   openclose OPEN (no create) + GETFH + GETATTR then CLOSE of create's
 *             files, for --seconds, ops/s (one op = the open and close)
 *   getattr   PUTFH + GETATTR of the data file for --seconds, ops/s
 *   lookup    PUTFH + LOOKUP + GETFH + GETATTR of create's files, ops/s
 *   access    PUTFH + LOOKUP + ACCESS of create's files, ops/s
 *   readdir   whole listings of create's directory (READDIR with the
 *             attributes a Linux readdirplus asks for), entries/s
 *   remove    PUTFH + REMOVE of create's files, files/s
 * Everything is made under a fresh directory (--dir, default
 * nfs4load.PID) in the export and removed at the end.  Exit status 0
 * when every phase ran without an error.
 */
#define _POSIX_C_SOURCE 200809L
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loadgen.h"
#include "loadnet.h"
#include "loadgss.h"

#define MAX_CONNS	LOADGEN_MAX_CONNS
#define MAX_DEPTH	LOADGEN_MAX_DEPTH
#define MAX_FH		128
#define RAND_BLOCK	4096
#define MAX_LAT		LOADGEN_MAX_LAT
#define MAX_RECORD	(4u * 1024 * 1024)

/* RFC 7530's numbers, those this client sends or reads. */
#define NFS4_PROGRAM		100003
#define NFS4_VERSION		4
#define NFSPROC4_COMPOUND	1
#define OP_ACCESS		3
#define OP_CLOSE		4
#define OP_COMMIT		5
#define OP_CREATE		6
#define OP_GETATTR		9
#define OP_GETFH		10
#define OP_LOOKUP		15
#define OP_OPEN			18
#define OP_OPEN_CONFIRM		20
#define OP_PUTFH		22
#define OP_PUTROOTFH		24
#define OP_READ			25
#define OP_READDIR		26
#define OP_REMOVE		28
#define OP_RENEW		30
#define OP_SETCLIENTID		35
#define OP_SETCLIENTID_CONFIRM	36
#define OP_WRITE		38
#define OP_EXCHANGE_ID		42	/* RFC 8881 */
#define OP_CREATE_SESSION	43
#define OP_SEQUENCE		53
#define OP_RECLAIM_COMPLETE	58
#define SESSIONID_SIZE		16
/* RFC 1813's, for version=3. */
#define NFS3_VERSION		3
#define MOUNT_PROGRAM		100005
#define MOUNTPROC3_MNT		1
#define NFSPROC3_GETATTR	1
#define NFSPROC3_LOOKUP		3
#define NFSPROC3_ACCESS		4
#define NFSPROC3_READ		6
#define NFSPROC3_WRITE		7
#define NFSPROC3_CREATE		8
#define NFSPROC3_MKDIR		9
#define NFSPROC3_REMOVE		12
#define NFSPROC3_RMDIR		13
#define NFSPROC3_READDIRPLUS	17
#define NFSPROC3_FSINFO		19
#define NFSPROC3_COMMIT		21
#define ACCESS3_ALL		0x3f
#define FATTR3_SIZE		84
#define V3_MNT			0x10000	/* read_v3's name for MNT's reply */
#define OPEN4_SHARE_ACCESS_READ		1
#define OPEN4_SHARE_ACCESS_WRITE	2
#define OPEN4_SHARE_ACCESS_BOTH		3
#define OPEN4_RESULT_CONFIRM		2
#define UNSTABLE4		0
#define FILE_SYNC4		2
#define NF4DIR			2
/* The Linux client's GETATTR after a lookup or open (nfs4_fattr_bitmap). */
#define ATTR_WORD0	((1u << 1) | (1u << 3) | (1u << 4) | (1u << 8) | \
			 (1u << 20))
#define ATTR_WORD1	((1u << 1) | (1u << 3) | (1u << 4) | (1u << 5) | \
			 (1u << 9) | (1u << 13) | (1u << 15) | (1u << 20) | \
			 (1u << 21) | (1u << 23))
#define ATTR_RDATTR_ERROR	(1u << 11)
#define ATTR_MAXREAD		(1u << 30)
#define ATTR_MAXWRITE		(1u << 31)
#define ACCESS4_ALL		0x3f

enum phase {
	PHASE_WRITE,
	PHASE_READ,
	PHASE_RANDWRITE,
	PHASE_RANDREAD,
	PHASE_CREATE,
	PHASE_OPENCLOSE,
	PHASE_GETATTR,
	PHASE_LOOKUP,
	PHASE_ACCESS,
	PHASE_READDIR,
	PHASE_REMOVE,
	PHASE_COUNT
};

static const struct loadgen_phase phase_info[PHASE_COUNT] = {
	{ "write", "MB/s" },
	{ "read", "MB/s" },
	{ "randwrite", "IOPS" },
	{ "randread", "IOPS" },
	{ "create", "files/s" },
	{ "openclose", "ops/s" },
	{ "getattr", "ops/s" },
	{ "lookup", "ops/s" },
	{ "access", "ops/s" },
	{ "readdir", "entries/s" },
	{ "remove", "files/s" },
};

/* Where a slot's multi-call operation is. */
enum step {
	STEP_IDLE,
	STEP_IO,		/* one call: READ, WRITE, GETATTR, ... */
	STEP_OPEN,		/* OPEN sent; CONFIRM, WRITE, CLOSE follow */
	STEP_CONFIRM,
	STEP_WRITE,
	STEP_CLOSE,
	STEP_READDIR,
	STEP_LOOKUP,		/* v3 access: LOOKUP, then ACCESS */
};

struct fh {
	uint32_t	len;
	unsigned char	data[MAX_FH];
};

struct stateid {
	uint32_t	seqid;
	unsigned char	other[12];
};

struct xbuf {
	unsigned char	*p;
	size_t		 len;
	size_t		 cap;
};

struct xdec {
	const unsigned char	*p;
	size_t			 len;
	size_t			 off;
	int			 bad;
};

/* What a COMPOUND reply said, as far as this client reads it. */
struct result {
	uint32_t	status;
	uint32_t	failed_op;
	struct fh	fh;		/* GETFH */
	struct stateid	stateid;	/* OPEN, OPEN_CONFIRM, CLOSE */
	uint32_t	rflags;		/* OPEN */
	uint32_t	count;		/* WRITE count, READ bytes */
	int		eof;		/* READ, READDIR */
	uint64_t	entries;	/* READDIR */
	uint64_t	cookie;		/* READDIR: the last entry's */
	unsigned char	verf[8];	/* READDIR cookieverf, SETCLIENTID */
	uint64_t	clientid;	/* SETCLIENTID, EXCHANGE_ID */
	uint32_t	sequence;	/* EXCHANGE_ID */
	unsigned char	sessionid[SESSIONID_SIZE];	/* CREATE_SESSION */
	uint32_t	slots;		/* CREATE_SESSION: fore maxrequests */
	uint64_t	maxread;	/* GETATTR */
	uint64_t	maxwrite;
};

/* One call in flight: its owner's seqid lives here across phases. */
struct slot {
	enum step	step;
	uint32_t	xid;
	uint32_t	seqid;		/* this slot's open owner */
	uint64_t	index;		/* the file it works on */
	struct fh	fh;
	struct stateid	stateid;
	uint64_t	cookie;
	unsigned char	verf[8];
	double		issued;
	uint32_t	proc;		/* v3: the procedure of its call */
};

struct load;

struct conn {
	struct load	*load;
	int		 fd;
	int		 index;
	uint64_t	 clientid;
	unsigned char	 sessionid[SESSIONID_SIZE];	/* 4.1 */
	uint32_t	 slot_seq[MAX_DEPTH];		/* 4.1: each slot's */
	uint32_t	 xid_gen;
	struct xbuf	 out;
	size_t		 out_sent;
	unsigned char	*in;
	size_t		 in_len;
	size_t		 in_cap;
	struct xbuf	 record;	/* a reply's fragments so far */
	int		 inflight;
	struct stateid	 data_stateid;	/* its open of the data file */
	uint32_t	 data_seqid;
	struct slot	 slots[MAX_DEPTH];
	uint32_t	 call_proc;	/* v3: a blocking call's procedure */
	struct loadgss	 gss;		/* its RPCSEC_GSS context */
	uint32_t	 gss_seq[MAX_DEPTH];	/* each slot's call's */
	struct xdrbuf_out gss_call;
};

struct load {
	struct conn	 conns[MAX_CONNS];
	int		 minor;		/* 0 or 1 */
	int		 v3;		/* version=3: NFSv3 */
	char		 mount_port[32];	/* v3: MOUNT's, "" the NFS port */
	uint32_t	 gss_service;	/* 0: AUTH_SYS; else RPCSEC_GSS's */
	char		 gss_name[256];	/* the target, service@host */
	char		 prefix[32];	/* of the rows: host4, host41_krb5p */
	int		 nconns;
	int		 depth;
	enum phase	 phase;
	double		 deadline;
	int		 stopping;
	struct fh	 export_fh;
	struct fh	 dir_fh;
	struct fh	 data_fh;
	uint32_t	 chunk;
	uint64_t	 file_bytes;
	uint64_t	 next_offset;
	uint64_t	 next_index;
	uint64_t	 limit_index;
	uint64_t	 create_bytes;
	uint64_t	 files_made;
	uint64_t	 ops_done;
	uint64_t	 bytes_done;
	uint64_t	 rng;
	unsigned char	*wbuf;
	double		*lat;
	size_t		 nlat;
	char		 error[512];
	unsigned char	 verifier[8];
	char		 owner_prefix[32];
};

static void
load_fail(struct load *L, const char *fmt, ...)
{
	va_list ap;

	if (L->error[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(L->error, sizeof(L->error), fmt, ap);
		va_end(ap);
	}
	L->stopping = 1;
}

/* XDR encoding into a growing buffer. */

static void
xb_reserve(struct xbuf *b, size_t more)
{
	size_t cap;
	unsigned char *p;

	if (b->len + more <= b->cap)
		return;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL)
		loadgen_fatalx("out of memory");
	b->p = p;
	b->cap = cap;
}

static void
put32(struct xbuf *b, uint32_t v)
{
	xb_reserve(b, 4);
	b->p[b->len++] = (unsigned char)(v >> 24);
	b->p[b->len++] = (unsigned char)(v >> 16);
	b->p[b->len++] = (unsigned char)(v >> 8);
	b->p[b->len++] = (unsigned char)v;
}

static void
put64(struct xbuf *b, uint64_t v)
{
	put32(b, (uint32_t)(v >> 32));
	put32(b, (uint32_t)v);
}

static void
put_fixed(struct xbuf *b, const void *data, size_t n)
{
	size_t pad = (4 - n % 4) % 4;

	xb_reserve(b, n + pad);
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	memset(b->p + b->len + n, 0, pad);
	b->len += n + pad;
}

static void
put_opaque(struct xbuf *b, const void *data, size_t n)
{
	put32(b, (uint32_t)n);
	put_fixed(b, data, n);
}

static void
put_string(struct xbuf *b, const char *s)
{
	put_opaque(b, s, strlen(s));
}

static void
patch32(struct xbuf *b, size_t at, uint32_t v)
{
	b->p[at] = (unsigned char)(v >> 24);
	b->p[at + 1] = (unsigned char)(v >> 16);
	b->p[at + 2] = (unsigned char)(v >> 8);
	b->p[at + 3] = (unsigned char)v;
}

/* XDR decoding; a short or bad reply sets bad and yields zeros. */

static uint32_t
get32(struct xdec *d)
{
	const unsigned char *p;

	if (d->bad || d->len - d->off < 4) {
		d->bad = 1;
		return 0;
	}
	p = d->p + d->off;
	d->off += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
get64(struct xdec *d)
{
	uint64_t hi = get32(d);

	return hi << 32 | get32(d);
}

static const unsigned char *
get_fixed(struct xdec *d, size_t n)
{
	size_t padded = n + (4 - n % 4) % 4;
	const unsigned char *p;

	if (d->bad || padded < n || d->len - d->off < padded) {
		d->bad = 1;
		return NULL;
	}
	p = d->p + d->off;
	d->off += padded;
	return p;
}

static const unsigned char *
get_opaque(struct xdec *d, uint32_t *n, uint32_t max)
{
	*n = get32(d);
	if (*n > max) {
		d->bad = 1;
		return NULL;
	}
	return get_fixed(d, *n);
}

static void
skip_bitmap(struct xdec *d)
{
	uint32_t n = get32(d);

	if (n > 8)
		d->bad = 1;
	else
		get_fixed(d, 4u * n);
}

static void
get_stateid(struct xdec *d, struct stateid *s)
{
	const unsigned char *p;

	s->seqid = get32(d);
	if ((p = get_fixed(d, 12)) != NULL)
		memcpy(s->other, p, 12);
}

/* The COMPOUND's encoders. */

/*
 * The RPC call header and COMPOUND4args up to the op count: returns
 * where the count goes.  In 4.1 the first op is SEQUENCE on the slot of
 * the call (the xid's low byte: its slot in flight, 0 for the blocking
 * calls, which run alone), unless bare (EXCHANGE_ID, CREATE_SESSION);
 * compound_end counts it and takes the slot's next sequence id.
 */
static int seq_first;
static struct conn *seq_conn;	/* the SEQUENCE's slot, taken at the end */
static uint32_t seq_slot;
static size_t seq_at;
/* With RPCSEC_GSS the credential, verifier and body are made at the end:
 * the arguments start here, right after the procedure number. */
static struct conn *call_conn;
static size_t call_args_at;

/*
 * RFC 2203 5.3: the call in b (its arguments from call_args_at) under
 * the connection's context: the credential with the next sequence
 * number, the header's MIC, the body as the service says.  The number
 * is kept by the call's slot (the xid's low byte), for its reply.
 */
static void
gss_finish(struct conn *c, struct xbuf *b)
{
	uint32_t seq;

	if (loadgss_call(&c->gss, b->p + 4, call_args_at - 4,
	    b->p + call_args_at, b->len - call_args_at, &c->gss_call,
	    &seq) == -1)
		loadgen_fatalx("connection %d: %s", c->index, c->gss.error);
	c->gss_seq[b->p[7]] = seq;
	b->len = 4;
	xb_reserve(b, c->gss_call.len);
	memcpy(b->p + 4, c->gss_call.buf, c->gss_call.len);
	b->len += c->gss_call.len;
}

/*
 * The RPC call header of prog, vers, proc: under c's RPCSEC_GSS context
 * when it has one (the credential made by call_end), else AUTH_SYS.
 */
static void
call_start(struct conn *c, struct xbuf *b, uint32_t xid, uint32_t prog,
    uint32_t vers, uint32_t proc)
{
	size_t at;

	b->len = 0;
	put32(b, 0);			/* record mark, patched */
	put32(b, xid);
	put32(b, 0);			/* CALL */
	put32(b, 2);			/* RPC version */
	put32(b, prog);
	put32(b, vers);
	put32(b, proc);
	call_conn = c;
	call_args_at = b->len;
	seq_first = 0;
	if (c->gss.ctx == GSS_C_NO_CONTEXT) {
		put32(b, 1);		/* AUTH_SYS */
		at = b->len;
		put32(b, 0);		/* its length, patched */
		put32(b, 0);		/* stamp */
		put_string(b, "nfs4load");
		put32(b, 0);		/* uid */
		put32(b, 0);		/* gid */
		put32(b, 0);		/* no more groups */
		patch32(b, at, (uint32_t)(b->len - at - 4));
		put32(b, 0);		/* AUTH_NONE verifier */
		put32(b, 0);
		call_args_at = 0;
	}
}

static size_t
compound_start_bare(struct conn *c, struct xbuf *b, uint32_t xid, int bare)
{
	size_t at;
	uint32_t slot = xid & 0xff;

	call_start(c, b, xid, NFS4_PROGRAM, NFS4_VERSION, NFSPROC4_COMPOUND);
	put32(b, 0);			/* tag */
	put32(b, (uint32_t)c->load->minor);
	at = b->len;
	put32(b, 0);
	seq_first = c->load->minor > 0 && !bare;
	if (seq_first) {
		put32(b, OP_SEQUENCE);
		put_fixed(b, c->sessionid, SESSIONID_SIZE);
		seq_conn = c;
		seq_slot = slot;
		seq_at = b->len;
		put32(b, 0);		/* the slot's next, at the end */
		put32(b, slot);
		put32(b, (uint32_t)c->load->depth - 1);
		put32(b, 0);		/* not cached */
	}
	return at;
}

static size_t
compound_start(struct conn *c, struct xbuf *b, uint32_t xid)
{
	return compound_start_bare(c, b, xid, 0);
}

/* The call in b complete: its credential (RPCSEC_GSS), record mark. */
static void
call_end(struct xbuf *b)
{
	if (call_args_at > 0)
		gss_finish(call_conn, b);
	patch32(b, 0, 0x80000000u | (uint32_t)(b->len - 4));
}

static void
compound_end(struct xbuf *b, size_t count_at, uint32_t nops)
{
	/* A call started and not sent takes no sequence id. */
	if (seq_first)
		patch32(b, seq_at, ++seq_conn->slot_seq[seq_slot]);
	patch32(b, count_at, nops + (seq_first ? 1 : 0));
	call_end(b);
}

static void
op_putfh(struct xbuf *b, const struct fh *fh)
{
	put32(b, OP_PUTFH);
	put_opaque(b, fh->data, fh->len);
}

static void
op_getattr(struct xbuf *b, uint32_t w0, uint32_t w1)
{
	put32(b, OP_GETATTR);
	put32(b, 2);
	put32(b, w0);
	put32(b, w1);
}

static void
op_name(struct xbuf *b, uint32_t op, const char *name)
{
	put32(b, op);
	put_string(b, name);
}

static void
put_stateid(struct xbuf *b, const struct stateid *s)
{
	put32(b, s->seqid);
	put_fixed(b, s->other, 12);
}

/* OPEN4args: CLAIM_NULL of name in the current directory; with create,
 * UNCHECKED4 and mode 0644 as a Linux open(O_CREAT) sends. */
static void
op_open(struct load *L, struct xbuf *b, const struct conn *c, uint32_t seqid,
    uint32_t access, const char *owner, int create, const char *name)
{
	put32(b, OP_OPEN);
	put32(b, seqid);
	put32(b, access);
	put32(b, 0);			/* deny NONE */
	put64(b, c->clientid);
	put_opaque(b, owner, strlen(owner));
	put32(b, create ? 1 : 0);	/* OPEN4_CREATE / OPEN4_NOCREATE */
	if (create) {
		put32(b, 0);		/* UNCHECKED4 */
		put32(b, 2);		/* bitmap: mode */
		put32(b, 0);
		put32(b, 1u << (33 - 32));
		put32(b, 4);
		put32(b, 0644);
	}
	put32(b, 0);			/* CLAIM_NULL */
	put_string(b, name);
	(void)L;
}

static void
slot_owner(const struct load *L, const struct conn *c, int slot, char *buf,
    size_t len)
{
	snprintf(buf, len, "%s.%d.%d", L->owner_prefix, c->index, slot);
}

/* Reading a COMPOUND4res: every op's result up to the first failure. */

static void
skip_change_info(struct xdec *d)
{
	get32(d);
	get64(d);
	get64(d);
}

static void
skip_ace(struct xdec *d)
{
	uint32_t n;

	get32(d);
	get32(d);
	get32(d);
	get_opaque(d, &n, 1024);
}

static void
read_open(struct xdec *d, struct result *r)
{
	uint32_t deleg;

	get_stateid(d, &r->stateid);
	skip_change_info(d);
	r->rflags = get32(d);
	skip_bitmap(d);
	deleg = get32(d);
	if (deleg == 0)
		return;
	/* A delegation (none is expected: no callback is offered): read
	 * over it; it lapses with the lease. */
	get_stateid(d, &(struct stateid){ 0 });
	get32(d);			/* recall */
	if (deleg == 2) {		/* WRITE: nfs_space_limit4 */
		if (get32(d) == 1)
			get64(d);
		else {
			get32(d);
			get32(d);
		}
	} else if (deleg != 1)
		d->bad = 1;
	skip_ace(d);
}

static void
read_getattr(struct xdec *d, struct result *r)
{
	uint32_t n, w[8] = { 0 }, i, len;
	struct xdec a;
	const unsigned char *p;

	n = get32(d);
	if (n > 8) {
		d->bad = 1;
		return;
	}
	for (i = 0; i < n; i++)
		w[i] = get32(d);
	p = get_opaque(d, &len, 1u << 20);
	if (p == NULL)
		return;
	/* Only maxread and maxwrite are read, when they are all it has
	 * (the setup's GETATTR asks for nothing else). */
	if ((w[0] & ~(ATTR_MAXREAD | ATTR_MAXWRITE)) == 0 && w[1] == 0) {
		a = (struct xdec){ p, len, 0, 0 };
		if (w[0] & ATTR_MAXREAD)
			r->maxread = get64(&a);
		if (w[0] & ATTR_MAXWRITE)
			r->maxwrite = get64(&a);
	}
}

static void
read_readdir(struct xdec *d, struct result *r)
{
	const unsigned char *p;
	uint32_t n;

	if ((p = get_fixed(d, 8)) != NULL)
		memcpy(r->verf, p, 8);
	while (!d->bad && get32(d) != 0) {
		r->cookie = get64(d);
		get_opaque(d, &n, 4096);	/* name */
		skip_bitmap(d);
		get_opaque(d, &n, 1u << 20);	/* attrs */
		r->entries++;
	}
	r->eof = (int)get32(d);
}

/* Decode the COMPOUND4res in d into r; 0 when it parsed. */
static int
read_compound(struct xdec *d, struct result *r)
{
	uint32_t nres, i, op, st, n;
	const unsigned char *p;

	memset(r, 0, sizeof(*r));
	r->status = get32(d);
	get_opaque(d, &n, 1024);	/* tag */
	nres = get32(d);
	for (i = 0; i < nres && !d->bad; i++) {
		op = get32(d);
		st = get32(d);
		if (st != 0) {
			r->failed_op = op;
			break;
		}
		switch (op) {
		case OP_PUTFH:
		case OP_PUTROOTFH:
		case OP_LOOKUP:
		case OP_RENEW:
		case OP_SETCLIENTID_CONFIRM:
			break;
		case OP_GETFH:
			p = get_opaque(d, &r->fh.len, MAX_FH);
			if (p != NULL)
				memcpy(r->fh.data, p, r->fh.len);
			break;
		case OP_GETATTR:
			read_getattr(d, r);
			break;
		case OP_ACCESS:
			get32(d);
			get32(d);
			break;
		case OP_OPEN:
			read_open(d, r);
			break;
		case OP_OPEN_CONFIRM:
		case OP_CLOSE:
			get_stateid(d, &r->stateid);
			break;
		case OP_WRITE:
			r->count = get32(d);
			get32(d);
			get_fixed(d, 8);
			break;
		case OP_READ:
			r->eof = (int)get32(d);
			get_opaque(d, &r->count, MAX_RECORD);
			break;
		case OP_COMMIT:
			get_fixed(d, 8);
			break;
		case OP_READDIR:
			read_readdir(d, r);
			break;
		case OP_REMOVE:
			skip_change_info(d);
			break;
		case OP_CREATE:
			skip_change_info(d);
			skip_bitmap(d);
			break;
		case OP_SETCLIENTID:
			r->clientid = get64(d);
			if ((p = get_fixed(d, 8)) != NULL)
				memcpy(r->verf, p, 8);
			break;
		case OP_SEQUENCE:
			get_fixed(d, SESSIONID_SIZE);
			get_fixed(d, 20);
			break;
		case OP_RECLAIM_COMPLETE:
			break;
		case OP_EXCHANGE_ID:
			r->clientid = get64(d);
			r->sequence = get32(d);
			get32(d);		/* flags */
			if (get32(d) != 0)	/* state protection: none */
				d->bad = 1;
			get64(d);		/* server_owner */
			get_opaque(d, &n, 1024);
			get_opaque(d, &n, 1024);	/* scope */
			if (get32(d) == 1) {	/* impl id */
				get_opaque(d, &n, 1024);
				get_opaque(d, &n, 1024);
				get_fixed(d, 12);
			}
			break;
		case OP_CREATE_SESSION:
			if ((p = get_fixed(d, SESSIONID_SIZE)) != NULL)
				memcpy(r->sessionid, p, SESSIONID_SIZE);
			get32(d);
			get32(d);
			get_fixed(d, 20);	/* fore: ... maxoperations */
			r->slots = get32(d);
			if (get32(d) == 1)
				get32(d);
			get_fixed(d, 24);	/* back */
			if (get32(d) == 1)
				get32(d);
			break;
		default:
			d->bad = 1;
			break;
		}
	}
	if (r->status != 0 && r->failed_op == 0)
		r->failed_op = 1;
	return d->bad ? -1 : 0;
}

/* RFC 1813 2.6: post_op_attr, pre_op_attr, wcc_data. */
static void
skip_post_op_attr(struct xdec *d)
{
	if (get32(d) != 0)
		get_fixed(d, FATTR3_SIZE);
}

static void
skip_wcc_data(struct xdec *d)
{
	if (get32(d) != 0)
		get_fixed(d, 24);
	skip_post_op_attr(d);
}

static void
get_fh3(struct xdec *d, struct fh *fh)
{
	const unsigned char *p = get_opaque(d, &fh->len, MAX_FH);

	if (p != NULL)
		memcpy(fh->data, p, fh->len);
}

/*
 * Decode an NFSv3 (or MOUNT v3, proc V3_MNT) reply body of proc in d
 * into r, as far as this client reads it; 0 when it parsed.  A failed
 * call's status is all that is read.
 */
static int
read_v3(struct xdec *d, uint32_t proc, struct result *r)
{
	const unsigned char *p;
	uint32_t n;

	memset(r, 0, sizeof(*r));
	r->status = get32(d);
	r->failed_op = proc;
	if (r->status != 0)
		return d->bad ? -1 : 0;
	switch (proc) {
	case V3_MNT:
		get_fh3(d, &r->fh);
		break;
	case NFSPROC3_GETATTR:
		get_fixed(d, FATTR3_SIZE);
		break;
	case NFSPROC3_LOOKUP:
		get_fh3(d, &r->fh);
		skip_post_op_attr(d);
		skip_post_op_attr(d);
		break;
	case NFSPROC3_ACCESS:
		skip_post_op_attr(d);
		get32(d);
		break;
	case NFSPROC3_READ:
		skip_post_op_attr(d);
		get32(d);
		r->eof = (int)get32(d);
		get_opaque(d, &r->count, MAX_RECORD);
		break;
	case NFSPROC3_WRITE:
		skip_wcc_data(d);
		r->count = get32(d);
		get32(d);
		get_fixed(d, 8);
		break;
	case NFSPROC3_CREATE:
	case NFSPROC3_MKDIR:
		if (get32(d) != 0)	/* post_op_fh3 */
			get_fh3(d, &r->fh);
		skip_post_op_attr(d);
		skip_wcc_data(d);
		break;
	case NFSPROC3_REMOVE:
	case NFSPROC3_RMDIR:
	case NFSPROC3_COMMIT:
		skip_wcc_data(d);
		break;
	case NFSPROC3_READDIRPLUS:
		skip_post_op_attr(d);
		p = get_fixed(d, 8);		/* cookieverf */
		if (p != NULL)
			memcpy(r->verf, p, 8);
		while (!d->bad && get32(d) != 0) {
			get64(d);			/* fileid */
			get_opaque(d, &n, 4096);	/* name */
			r->cookie = get64(d);
			skip_post_op_attr(d);
			if (get32(d) != 0) {		/* post_op_fh3 */
				struct fh fh;

				get_fh3(d, &fh);
			}
			r->entries++;
		}
		r->eof = (int)get32(d);
		break;
	case NFSPROC3_FSINFO:
		skip_post_op_attr(d);
		r->maxread = get32(d);		/* rtmax */
		get32(d);
		get32(d);
		r->maxwrite = get32(d);		/* wtmax */
		break;
	default:
		d->bad = 1;
		break;
	}
	return d->bad ? -1 : 0;
}

/* A reply record's xid. */
static uint32_t
reply_xid(const struct xdec *d)
{
	struct xdec x = *d;

	return get32(&x);
}

/*
 * The RPC reply header in d, of the call xid on c: on success d is left
 * at the COMPOUND4res (with RPCSEC_GSS: the verifier checked, the body
 * checked or unwrapped, d then over the results); -1 on a denied or
 * failed call, *why saying why.
 */
static int
read_reply_header(struct conn *c, struct xdec *d, uint32_t xid,
    const char **why)
{
	struct xdrbuf_in in;
	const uint8_t *verf, *res;
	uint32_t n, flavor;
	size_t reslen;

	*why = "RPC call refused";
	if (c->gss.ctx != GSS_C_NO_CONTEXT) {
		xdrbuf_in_init(&in, d->p, d->len);
		if (loadgss_reply_header(&c->gss, &in, xid, &flavor, &verf,
		    &n) == -1 || loadgss_reply(&c->gss, c->gss_seq[xid & 0xff],
		    flavor, verf, n, &in, &res, &reslen) == -1) {
			*why = c->gss.error;
			return -1;
		}
		*d = (struct xdec){ res, reslen, 0, 0 };
		return 0;
	}
	if (get32(d) != xid)
		return -1;
	if (get32(d) != 1 || get32(d) != 0)	/* REPLY, MSG_ACCEPTED */
		return -1;
	get32(d);				/* verifier flavor */
	get_opaque(d, &n, 400);
	if (get32(d) != 0)			/* SUCCESS */
		return -1;
	return d->bad ? -1 : 0;
}

/* The reply's results: a COMPOUND4res, or v3's of proc. */
static int
read_result(struct conn *c, struct xdec *d, uint32_t proc, struct result *r)
{
	return c->load->v3 ? read_v3(d, proc, r) : read_compound(d, r);
}

/* Connections. */

/*
 * One whole reply record from c's input, or 0 when none is complete
 * yet; -1 on a framing error.  Fragments are joined in c->record.
 */
static int
conn_take_record(struct conn *c, struct xdec *d)
{
	size_t off = 0;
	uint32_t mark, flen;

	for (;;) {
		if (c->in_len - off < 4)
			break;
		mark = (uint32_t)c->in[off] << 24 |
		    (uint32_t)c->in[off + 1] << 16 |
		    (uint32_t)c->in[off + 2] << 8 | c->in[off + 3];
		flen = mark & 0x7fffffffu;
		if (flen > MAX_RECORD || c->record.len + flen > MAX_RECORD)
			return -1;
		if (c->in_len - off - 4 < flen)
			break;
		xb_reserve(&c->record, flen);
		memcpy(c->record.p + c->record.len, c->in + off + 4, flen);
		c->record.len += flen;
		off += 4 + flen;
		if (mark & 0x80000000u) {
			memmove(c->in, c->in + off, c->in_len - off);
			c->in_len -= off;
			*d = (struct xdec){ c->record.p, c->record.len, 0, 0 };
			return 1;
		}
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	return 0;
}

/* Read what the socket has; -1 on EOF or an error. */
static int
conn_read(struct conn *c)
{
	return loadnet_read(c->fd, &c->in, &c->in_len, &c->in_cap);
}

static int
conn_flush(struct conn *c)
{
	if (loadnet_flush(c->fd, c->out.p, c->out.len, &c->out_sent) == -1)
		return -1;
	if (c->out_sent == c->out.len)
		c->out.len = c->out_sent = 0;
	return 0;
}

/* Queue the call in b on c. */
static void
conn_queue(struct conn *c, const struct xbuf *b)
{
	if (c->out_sent > 0 && c->out_sent == c->out.len)
		c->out.len = c->out_sent = 0;
	xb_reserve(&c->out, b->len);
	memcpy(c->out.p + c->out.len, b->p, b->len);
	c->out.len += b->len;
}

/*
 * A call and its reply on c, blocking: for setup and teardown, with
 * nothing else in flight.  Returns the COMPOUND status, or fails hard
 * when the reply does not parse.
 */
/*
 * The call queued on c flushed, and the reply record to xid want in d;
 * blocking, for setup and teardown, with nothing else in flight.  The
 * record is taken: d points into c->record's memory, which stays until
 * the next record comes in.
 */
static void
conn_wait(struct conn *c, uint32_t want, struct xdec *d)
{
	struct pollfd pfd;
	int got;

	for (;;) {
		if (conn_flush(c) == -1)
			loadgen_fatalx("connection %d: write: %s", c->index,
			    strerror(errno));
		got = conn_take_record(c, d);
		if (got < 0)
			loadgen_fatalx("connection %d: bad record", c->index);
		if (got > 0) {
			c->record.len = 0;
			if (reply_xid(d) == want)
				return;
			/* A late reply to a call of a failed phase. */
			continue;
		}
		pfd.fd = c->fd;
		pfd.events = POLLIN | (c->out.len > c->out_sent ? POLLOUT : 0);
		if (poll(&pfd, 1, 60000) == 0)
			loadgen_fatalx("connection %d: no reply for 60 s", c->index);
		if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) &&
		    conn_read(c) == -1)
			loadgen_fatalx("connection %d: closed by the server",
			    c->index);
	}
}

/* loadgss_exchange_fn: an RPCSEC_GSS INIT call and its reply on c. */
static int
conn_exchange(void *arg, const uint8_t *call, size_t len,
    const uint8_t **reply, size_t *replylen)
{
	struct conn *c = arg;
	struct xbuf b = { 0 };
	struct xdec d;

	put32(&b, 0x80000000u | (uint32_t)len);
	xb_reserve(&b, len);
	memcpy(b.p + b.len, call, len);
	b.len += len;
	conn_queue(c, &b);
	free(b.p);
	conn_wait(c, (uint32_t)call[0] << 24 | (uint32_t)call[1] << 16 |
	    (uint32_t)call[2] << 8 | call[3], &d);
	*reply = d.p;
	*replylen = d.len;
	return 0;
}

static uint32_t
conn_call(struct conn *c, struct xbuf *b, struct result *r)
{
	struct xdec d;
	const char *why;
	uint32_t want = (uint32_t)b->p[4] << 24 |
	    (uint32_t)b->p[5] << 16 | (uint32_t)b->p[6] << 8 | b->p[7];

	conn_queue(c, b);
	conn_wait(c, want, &d);
	if (read_reply_header(c, &d, want, &why) == -1)
		loadgen_fatalx("connection %d: %s", c->index, why);
	if (read_result(c, &d, c->call_proc, r) == -1)
		loadgen_fatalx("connection %d: a reply that does not parse",
		    c->index);
	return r->status;
}

/* The async part: one call per slot in flight. */

static int issue(struct conn *c, int s);
static void op_done(struct conn *c, struct slot *sl, uint64_t n);

static uint32_t
slot_xid(struct conn *c, int s)
{
	c->xid_gen++;
	return (c->xid_gen << 8) | (uint32_t)s;
}

/* Send the call in b for slot s. */
static void
slot_send(struct conn *c, int s, struct xbuf *b, enum step step)
{
	struct slot *sl = &c->slots[s];

	sl->step = step;
	conn_queue(c, b);
	c->inflight++;
}

static void
file_name(char *buf, size_t len, uint64_t index)
{
	snprintf(buf, len, "f%07" PRIu64, index);
}

static struct xbuf call_buf;

/* The OPEN of slot s (create or not) of file sl->index. */
static void
send_open(struct conn *c, int s, int create)
{
	struct load *L = c->load;
	struct slot *sl = &c->slots[s];
	char name[32], owner[64];
	size_t at;

	file_name(name, sizeof(name), sl->index);
	slot_owner(L, c, s, owner, sizeof(owner));
	sl->xid = slot_xid(c, s);
	at = compound_start(c, &call_buf, sl->xid);
	op_putfh(&call_buf, &L->dir_fh);
	op_open(L, &call_buf, c, sl->seqid, create ?
	    OPEN4_SHARE_ACCESS_WRITE : OPEN4_SHARE_ACCESS_READ, owner, create,
	    name);
	put32(&call_buf, OP_GETFH);
	op_getattr(&call_buf, ATTR_WORD0, ATTR_WORD1);
	compound_end(&call_buf, at, 4);
	slot_send(c, s, &call_buf, STEP_OPEN);
}

static void
send_confirm(struct conn *c, int s)
{
	struct slot *sl = &c->slots[s];
	size_t at;

	sl->xid = slot_xid(c, s);
	at = compound_start(c, &call_buf, sl->xid);
	op_putfh(&call_buf, &sl->fh);
	put32(&call_buf, OP_OPEN_CONFIRM);
	put_stateid(&call_buf, &sl->stateid);
	put32(&call_buf, sl->seqid);
	compound_end(&call_buf, at, 2);
	slot_send(c, s, &call_buf, STEP_CONFIRM);
}

static void
send_write_sync(struct conn *c, int s)
{
	struct load *L = c->load;
	struct slot *sl = &c->slots[s];
	size_t at;

	sl->xid = slot_xid(c, s);
	at = compound_start(c, &call_buf, sl->xid);
	op_putfh(&call_buf, &sl->fh);
	put32(&call_buf, OP_WRITE);
	put_stateid(&call_buf, &sl->stateid);
	put64(&call_buf, 0);
	put32(&call_buf, FILE_SYNC4);
	put_opaque(&call_buf, L->wbuf, L->create_bytes);
	compound_end(&call_buf, at, 2);
	slot_send(c, s, &call_buf, STEP_WRITE);
}

static void
send_close(struct conn *c, int s)
{
	struct slot *sl = &c->slots[s];
	size_t at;

	sl->xid = slot_xid(c, s);
	at = compound_start(c, &call_buf, sl->xid);
	op_putfh(&call_buf, &sl->fh);
	put32(&call_buf, OP_CLOSE);
	put32(&call_buf, sl->seqid);
	put_stateid(&call_buf, &sl->stateid);
	compound_end(&call_buf, at, 2);
	slot_send(c, s, &call_buf, STEP_CLOSE);
}

static void
send_readdir(struct conn *c, int s)
{
	struct load *L = c->load;
	struct slot *sl = &c->slots[s];
	size_t at;

	sl->xid = slot_xid(c, s);
	at = compound_start(c, &call_buf, sl->xid);
	op_putfh(&call_buf, &L->dir_fh);
	put32(&call_buf, OP_READDIR);
	put64(&call_buf, sl->cookie);
	put_fixed(&call_buf, sl->verf, 8);
	put32(&call_buf, 8192);		/* dircount */
	put32(&call_buf, 32768);	/* maxcount */
	put32(&call_buf, 2);
	put32(&call_buf, ATTR_WORD0 | ATTR_RDATTR_ERROR);
	put32(&call_buf, ATTR_WORD1);
	compound_end(&call_buf, at, 2);
	slot_send(c, s, &call_buf, STEP_READDIR);
}

/* NFSv3 (version=3): one procedure a call, RFC 1813. */

static void
put_sattr3_mode(struct xbuf *b, uint32_t mode)
{
	put32(b, 1);			/* set_mode3 */
	put32(b, mode);
	put32(b, 0);			/* uid, gid, size: unchanged */
	put32(b, 0);
	put32(b, 0);
	put32(b, 0);			/* atime, mtime: DONT_CHANGE */
	put32(b, 0);
}

/* Slot s's next call, of proc, in call_buf: the header and fh. */
static void
call3_start(struct conn *c, int s, uint32_t proc, const struct fh *fh)
{
	struct slot *sl = &c->slots[s];

	sl->xid = slot_xid(c, s);
	call_start(c, &call_buf, sl->xid, NFS4_PROGRAM, NFS3_VERSION, proc);
	put_opaque(&call_buf, fh->data, fh->len);
}

/* The call in call_buf, started with call3_start, for slot s. */
static void
slot_send3(struct conn *c, int s, uint32_t proc, enum step step)
{
	c->slots[s].proc = proc;
	call_end(&call_buf);
	slot_send(c, s, &call_buf, step);
}

static void
send_readdir3(struct conn *c, int s)
{
	struct load *L = c->load;
	struct slot *sl = &c->slots[s];

	call3_start(c, s, NFSPROC3_READDIRPLUS, &L->dir_fh);
	put64(&call_buf, sl->cookie);
	put_fixed(&call_buf, sl->verf, 8);
	put32(&call_buf, 8192);		/* dircount */
	put32(&call_buf, 32768);	/* maxcount */
	slot_send3(c, s, NFSPROC3_READDIRPLUS, STEP_READDIR);
}

/* create --create-bytes: a WRITE FILE_SYNC of the new file sl->fh. */
static void
send_write_sync3(struct conn *c, int s)
{
	struct load *L = c->load;
	struct slot *sl = &c->slots[s];

	call3_start(c, s, NFSPROC3_WRITE, &sl->fh);
	put64(&call_buf, 0);
	put32(&call_buf, (uint32_t)L->create_bytes);
	put32(&call_buf, FILE_SYNC4);	/* FILE_SYNC, 2 in v3 too */
	put_opaque(&call_buf, L->wbuf, L->create_bytes);
	slot_send3(c, s, NFSPROC3_WRITE, STEP_WRITE);
}

/* access: the ACCESS of the file the LOOKUP found. */
static void
send_access3(struct conn *c, int s)
{
	struct slot *sl = &c->slots[s];

	call3_start(c, s, NFSPROC3_ACCESS, &sl->fh);
	put32(&call_buf, ACCESS3_ALL);
	slot_send3(c, s, NFSPROC3_ACCESS, STEP_IO);
}

/*
 * The next I/O of a read or write phase: its offset and length; 0 when
 * a sequential phase has covered the file.
 */
static int
next_io(struct load *L, uint64_t *off, uint32_t *len)
{
	if (L->phase == PHASE_WRITE || L->phase == PHASE_READ) {
		if (L->next_offset >= L->file_bytes)
			return 0;
		*off = L->next_offset;
		L->next_offset += L->chunk;
		*len = L->chunk;
		return 1;
	}
	*off = (loadgen_random(&L->rng) % (L->file_bytes / RAND_BLOCK)) *
	    RAND_BLOCK;
	*len = RAND_BLOCK;
	return 1;
}

/* issue for version=3. */
static int
issue3(struct conn *c, int s)
{
	struct load *L = c->load;
	struct slot *sl = &c->slots[s];
	const struct fh *fh = &L->data_fh;
	enum step step = STEP_IO;
	char name[32];
	uint64_t off = 0;
	uint32_t proc, len = 0;

	switch (L->phase) {
	case PHASE_WRITE:
	case PHASE_READ:
	case PHASE_RANDWRITE:
	case PHASE_RANDREAD:
		if (!next_io(L, &off, &len))
			return 0;
		proc = L->phase == PHASE_WRITE || L->phase == PHASE_RANDWRITE ?
		    NFSPROC3_WRITE : NFSPROC3_READ;
		break;
	case PHASE_GETATTR:
		proc = NFSPROC3_GETATTR;
		break;
	case PHASE_CREATE:
	case PHASE_REMOVE:
		if (L->next_index >= L->limit_index)
			return 0;
		sl->index = L->next_index++;
		proc = L->phase == PHASE_CREATE ? NFSPROC3_CREATE :
		    NFSPROC3_REMOVE;
		step = L->phase == PHASE_CREATE ? STEP_OPEN : STEP_IO;
		fh = &L->dir_fh;
		break;
	case PHASE_LOOKUP:
	case PHASE_ACCESS:
		if (L->files_made == 0)
			return 0;
		sl->index = loadgen_random(&L->rng) % L->files_made;
		proc = NFSPROC3_LOOKUP;
		step = L->phase == PHASE_ACCESS ? STEP_LOOKUP : STEP_IO;
		fh = &L->dir_fh;
		break;
	case PHASE_READDIR:
		sl->index = 0;		/* entries of this listing */
		sl->cookie = 0;
		memset(sl->verf, 0, sizeof(sl->verf));
		send_readdir3(c, s);
		return 1;
	default:
		return 0;		/* openclose: no v3 counterpart */
	}
	call3_start(c, s, proc, fh);
	if (fh == &L->dir_fh) {
		file_name(name, sizeof(name), sl->index);
		put_string(&call_buf, name);
		if (proc == NFSPROC3_CREATE) {
			put32(&call_buf, 0);	/* UNCHECKED */
			put_sattr3_mode(&call_buf, 0644);
		}
	} else if (proc == NFSPROC3_WRITE || proc == NFSPROC3_READ) {
		put64(&call_buf, off);
		put32(&call_buf, len);
		if (proc == NFSPROC3_WRITE) {
			put32(&call_buf, UNSTABLE4);	/* 0 in v3 too */
			put_opaque(&call_buf, L->wbuf, len);
		}
	}
	slot_send3(c, s, proc, step);
	return 1;
}

/* Queue the next call of the phase on slot s: 1 queued, 0 done. */
static int
issue(struct conn *c, int s)
{
	struct load *L = c->load;
	struct slot *sl = &c->slots[s];
	char name[32];
	uint64_t off;
	uint32_t len;
	size_t at;
	int nops = 2;

	if (L->stopping || loadgen_now() >= L->deadline)
		return 0;
	sl->issued = loadgen_now();
	if (L->v3)
		return issue3(c, s);
	switch (L->phase) {
	case PHASE_CREATE:
		if (L->next_index >= L->limit_index)
			return 0;
		sl->index = L->next_index++;
		send_open(c, s, 1);
		return 1;
	case PHASE_OPENCLOSE:
		if (L->files_made == 0)
			return 0;
		sl->index = loadgen_random(&L->rng) % L->files_made;
		send_open(c, s, 0);
		return 1;
	case PHASE_READDIR:
		sl->index = 0;		/* entries of this listing */
		sl->cookie = 0;
		memset(sl->verf, 0, sizeof(sl->verf));
		send_readdir(c, s);
		return 1;
	default:
		break;
	}
	sl->xid = slot_xid(c, s);
	at = compound_start(c, &call_buf, sl->xid);
	switch (L->phase) {
	case PHASE_WRITE:
	case PHASE_READ:
	case PHASE_RANDWRITE:
	case PHASE_RANDREAD:
		if (!next_io(L, &off, &len))
			return 0;
		op_putfh(&call_buf, &L->data_fh);
		put32(&call_buf, L->phase == PHASE_WRITE ||
		    L->phase == PHASE_RANDWRITE ? OP_WRITE : OP_READ);
		put_stateid(&call_buf, &c->data_stateid);
		put64(&call_buf, off);
		if (L->phase == PHASE_WRITE || L->phase == PHASE_RANDWRITE) {
			put32(&call_buf, UNSTABLE4);
			put_opaque(&call_buf, L->wbuf, len);
		} else
			put32(&call_buf, len);
		break;
	case PHASE_GETATTR:
		op_putfh(&call_buf, &L->data_fh);
		op_getattr(&call_buf, ATTR_WORD0, ATTR_WORD1);
		break;
	case PHASE_LOOKUP:
	case PHASE_ACCESS:
		if (L->files_made == 0)
			return 0;
		file_name(name, sizeof(name), loadgen_random(&L->rng) % L->files_made);
		op_putfh(&call_buf, &L->dir_fh);
		op_name(&call_buf, OP_LOOKUP, name);
		if (L->phase == PHASE_LOOKUP) {
			put32(&call_buf, OP_GETFH);
			op_getattr(&call_buf, ATTR_WORD0, ATTR_WORD1);
			nops = 4;
		} else {
			put32(&call_buf, OP_ACCESS);
			put32(&call_buf, ACCESS4_ALL);
			nops = 3;
		}
		break;
	case PHASE_REMOVE:
		if (L->next_index >= L->limit_index)
			return 0;
		file_name(name, sizeof(name), L->next_index++);
		op_putfh(&call_buf, &L->dir_fh);
		op_name(&call_buf, OP_REMOVE, name);
		break;
	default:
		return 0;
	}
	compound_end(&call_buf, at, (uint32_t)nops);
	slot_send(c, s, &call_buf, STEP_IO);
	return 1;
}

/* An operation of slot sl finished, counting n (a listing: entries). */
static void
op_done(struct conn *c, struct slot *sl, uint64_t n)
{
	struct load *L = c->load;

	if (L->depth == 1 && L->lat != NULL && L->nlat < MAX_LAT)
		L->lat[L->nlat++] = loadgen_now() - sl->issued;
	L->ops_done += n;
	sl->step = STEP_IDLE;
}

/* A reply for slot s: the next call of its operation, or a new one. */
static void
slot_reply(struct conn *c, int s, struct result *r)
{
	struct load *L = c->load;
	struct slot *sl = &c->slots[s];
	enum step step = sl->step;

	c->inflight--;
	/* Seqid-mutating ops move the owner's seqid on success. */
	if (r->status == 0 && !L->v3 && (step == STEP_OPEN ||
	    step == STEP_CONFIRM || step == STEP_CLOSE))
		sl->seqid++;
	if (r->status != 0) {
		load_fail(L, "%s: %s %u failed with NFS%d status %u",
		    phase_info[L->phase].name, L->v3 ? "procedure" : "op",
		    r->failed_op, L->v3 ? 3 : 4, r->status);
		sl->step = STEP_IDLE;
		return;
	}
	switch (step) {
	case STEP_IO:
		if (L->phase == PHASE_WRITE || L->phase == PHASE_READ)
			L->bytes_done += r->count;
		op_done(c, sl, 1);
		break;
	case STEP_OPEN:		/* v3: CREATE */
		sl->fh = r->fh;
		if (L->v3 && L->create_bytes == 0) {
			L->files_made++;
			op_done(c, sl, 1);
			break;
		}
		if (L->v3) {
			if (r->fh.len == 0) {
				load_fail(L, "create: CREATE gave no handle");
				sl->step = STEP_IDLE;
				return;
			}
			send_write_sync3(c, s);
			return;
		}
		sl->stateid = r->stateid;
		if (r->rflags & OPEN4_RESULT_CONFIRM)
			send_confirm(c, s);
		else if (L->phase == PHASE_CREATE && L->create_bytes > 0)
			send_write_sync(c, s);
		else
			send_close(c, s);
		return;
	case STEP_CONFIRM:
		sl->stateid = r->stateid;
		if (L->phase == PHASE_CREATE && L->create_bytes > 0)
			send_write_sync(c, s);
		else
			send_close(c, s);
		return;
	case STEP_WRITE:
		if (r->count != L->create_bytes) {
			load_fail(L, "create: short write %u", r->count);
			sl->step = STEP_IDLE;
			return;
		}
		if (L->v3) {		/* no CLOSE in v3 */
			L->files_made++;
			op_done(c, sl, 1);
			break;
		}
		send_close(c, s);
		return;
	case STEP_LOOKUP:		/* v3 access */
		sl->fh = r->fh;
		send_access3(c, s);
		return;
	case STEP_CLOSE:
		if (L->phase == PHASE_CREATE)
			L->files_made++;
		op_done(c, sl, 1);
		break;
	case STEP_READDIR:
		sl->index += r->entries;
		if (!r->eof && r->entries > 0) {
			sl->cookie = r->cookie;
			memcpy(sl->verf, r->verf, 8);
			if (L->v3)
				send_readdir3(c, s);
			else
				send_readdir(c, s);
			return;
		}
		op_done(c, sl, sl->index);
		break;
	default:
		load_fail(L, "a reply for an idle slot");
		return;
	}
	issue(c, s);
}

/* Handle every complete reply on c; -1 on a broken connection. */
static int
conn_replies(struct conn *c)
{
	struct result r;
	struct xdec d;
	const char *why;
	uint32_t xid;
	int got, s;

	while ((got = conn_take_record(c, &d)) > 0) {
		c->record.len = 0;
		xid = reply_xid(&d);
		s = (int)(xid & 0xff);
		if (s >= c->load->depth || c->slots[s].step == STEP_IDLE ||
		    c->slots[s].xid != xid) {
			load_fail(c->load, "connection %d: reply to no call "
			    "(xid %#x)", c->index, xid);
			return -1;
		}
		if (read_reply_header(c, &d, xid, &why) == -1) {
			load_fail(c->load, "connection %d: %s", c->index, why);
			return -1;
		}
		if (read_result(c, &d, c->slots[s].proc, &r) == -1) {
			load_fail(c->load, "connection %d: a reply that does "
			    "not parse (slot %d)", c->index, s);
			return -1;
		}
		slot_reply(c, s, &r);
	}
	if (got < 0) {
		load_fail(c->load, "connection %d: bad record", c->index);
		return -1;
	}
	return 0;
}

/* Run the current phase until nothing is in flight; returns seconds. */
static double
run_phase(struct load *L, double max_seconds)
{
	struct pollfd pfds[MAX_CONNS];
	double t0 = loadgen_now();
	int i, s, busy;

	L->deadline = t0 + max_seconds;
	L->stopping = 0;
	L->ops_done = 0;
	L->bytes_done = 0;
	L->nlat = 0;
	for (i = 0; i < L->nconns; i++)
		for (s = 0; s < L->depth; s++)
			if (issue(&L->conns[i], s) == 0)
				break;
	for (;;) {
		busy = 0;
		for (i = 0; i < L->nconns; i++) {
			struct conn *c = &L->conns[i];

			if (conn_flush(c) == -1) {
				load_fail(L, "connection %d: write: %s", i,
				    strerror(errno));
				return loadgen_now() - t0;
			}
			pfds[i].fd = c->fd;
			pfds[i].events = POLLIN |
			    (c->out.len > c->out_sent ? POLLOUT : 0);
			pfds[i].revents = 0;
			busy += c->inflight;
		}
		if (busy == 0)
			break;
		if (loadgen_now() > L->deadline + 60) {
			load_fail(L, "timeout: no reply for 60 s");
			break;
		}
		if (poll(pfds, (nfds_t)L->nconns, 1000) == -1) {
			if (errno == EINTR)
				continue;
			load_fail(L, "poll: %s", strerror(errno));
			break;
		}
		for (i = 0; i < L->nconns; i++) {
			struct conn *c = &L->conns[i];

			if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (conn_read(c) == -1) {
				load_fail(L, "connection %d closed by the "
				    "server", i);
				return loadgen_now() - t0;
			}
			if (conn_replies(c) == -1)
				return loadgen_now() - t0;
		}
	}
	return loadgen_now() - t0;
}

/* Setup and teardown, one blocking call at a time. */

static void
conn_setclientid(struct load *L, struct conn *c)
{
	struct result r;
	char id[64];
	size_t at;

	snprintf(id, sizeof(id), "%s.%d", L->owner_prefix, c->index);
	at = compound_start(c, &call_buf, ++c->xid_gen << 8);
	put32(&call_buf, OP_SETCLIENTID);
	put_fixed(&call_buf, L->verifier, 8);
	put_string(&call_buf, id);
	/* A callback nobody answers: no delegations, as in the v3 rows. */
	put32(&call_buf, 0x40000000);
	put_string(&call_buf, "tcp");
	put_string(&call_buf, "127.0.0.1.0.0");
	put32(&call_buf, 1);
	compound_end(&call_buf, at, 1);
	if (conn_call(c, &call_buf, &r) != 0)
		loadgen_fatalx("SETCLIENTID: NFS4 status %u", r.status);
	c->clientid = r.clientid;
	at = compound_start(c, &call_buf, ++c->xid_gen << 8);
	put32(&call_buf, OP_SETCLIENTID_CONFIRM);
	put64(&call_buf, r.clientid);
	put_fixed(&call_buf, r.verf, 8);
	compound_end(&call_buf, at, 1);
	if (conn_call(c, &call_buf, &r) != 0)
		loadgen_fatalx("SETCLIENTID_CONFIRM: NFS4 status %u", r.status);
}

/* 4.1 (RFC 8881 18.35, 18.36, 18.51): a client id and a session. */
static void
conn_session(struct load *L, struct conn *c)
{
	struct result r;
	char id[64];
	size_t at;
	int i;

	snprintf(id, sizeof(id), "%s.%d", L->owner_prefix, c->index);
	at = compound_start_bare(c, &call_buf, ++c->xid_gen << 8, 1);
	put32(&call_buf, OP_EXCHANGE_ID);
	put_fixed(&call_buf, L->verifier, 8);
	put_string(&call_buf, id);
	put32(&call_buf, 0);			/* flags */
	put32(&call_buf, 0);			/* SP4_NONE */
	put32(&call_buf, 0);			/* no implementation id */
	compound_end(&call_buf, at, 1);
	if (conn_call(c, &call_buf, &r) != 0)
		loadgen_fatalx("EXCHANGE_ID: NFS4 status %u", r.status);
	c->clientid = r.clientid;
	at = compound_start_bare(c, &call_buf, ++c->xid_gen << 8, 1);
	put32(&call_buf, OP_CREATE_SESSION);
	put64(&call_buf, r.clientid);
	put32(&call_buf, r.sequence);
	put32(&call_buf, 0);			/* no backchannel */
	for (i = 0; i < 2; i++) {
		put32(&call_buf, 0);		/* header pad */
		put32(&call_buf, MAX_RECORD);	/* max request */
		put32(&call_buf, MAX_RECORD);	/* max response */
		put32(&call_buf, 4096);		/* cached */
		put32(&call_buf, 16);		/* ops */
		put32(&call_buf, i == 0 ? (uint32_t)L->depth : 1);
		put32(&call_buf, 0);		/* no RDMA */
	}
	put32(&call_buf, 0x40000000);		/* callback program */
	put32(&call_buf, 1);
	put32(&call_buf, 0);			/* AUTH_NONE */
	compound_end(&call_buf, at, 1);
	if (conn_call(c, &call_buf, &r) != 0)
		loadgen_fatalx("CREATE_SESSION: NFS4 status %u", r.status);
	if (r.slots < (uint32_t)L->depth)
		loadgen_fatalx("the server grants %u slots per session: "
		    "--depth %u at most", r.slots, r.slots);
	memcpy(c->sessionid, r.sessionid, SESSIONID_SIZE);
	at = compound_start(c, &call_buf, ++c->xid_gen << 8);
	put32(&call_buf, OP_RECLAIM_COMPLETE);
	put32(&call_buf, 0);
	compound_end(&call_buf, at, 1);
	if (conn_call(c, &call_buf, &r) != 0)
		loadgen_fatalx("RECLAIM_COMPLETE: NFS4 status %u", r.status);
}

static void
conn_renew(struct conn *c)
{
	struct result r;
	size_t at;

	at = compound_start(c, &call_buf, ++c->xid_gen << 8);
	if (c->load->minor > 0)		/* SEQUENCE alone renews */
		compound_end(&call_buf, at, 0);
	else {
		put32(&call_buf, OP_RENEW);
		put64(&call_buf, c->clientid);
		compound_end(&call_buf, at, 1);
	}
	if (conn_call(c, &call_buf, &r) != 0)
		loadgen_fatalx("RENEW: NFS4 status %u", r.status);
}

/* PUTROOTFH, LOOKUP of every component of path, GETFH, and the
 * export's maxread and maxwrite. */
static void
lookup_export(struct load *L, struct conn *c, const char *path)
{
	struct result r;
	char *copy, *tok, *save;
	size_t at;
	uint32_t nops = 1;

	at = compound_start(c, &call_buf, ++c->xid_gen << 8);
	put32(&call_buf, OP_PUTROOTFH);
	if ((copy = strdup(path)) == NULL)
		loadgen_fatalx("out of memory");
	for (tok = strtok_r(copy, "/", &save); tok != NULL;
	    tok = strtok_r(NULL, "/", &save)) {
		op_name(&call_buf, OP_LOOKUP, tok);
		nops++;
	}
	free(copy);
	put32(&call_buf, OP_GETFH);
	op_getattr(&call_buf, ATTR_MAXREAD | ATTR_MAXWRITE, 0);
	compound_end(&call_buf, at, nops + 2);
	if (conn_call(c, &call_buf, &r) != 0)
		loadgen_fatalx("lookup of %s: op %u failed with NFS4 status %u",
		    path, r.failed_op, r.status);
	L->export_fh = r.fh;
	L->chunk = 1024 * 1024;
	if (r.maxwrite > 0 && r.maxwrite < L->chunk)
		L->chunk = (uint32_t)r.maxwrite;
	if (r.maxread > 0 && r.maxread < L->chunk)
		L->chunk = (uint32_t)r.maxread;
	if (L->chunk < RAND_BLOCK)
		loadgen_fatalx("the server's maxread/maxwrite is below 4 KiB");
}

/* One name in directory dir: CREATE (a directory), LOOKUP or REMOVE. */
static uint32_t
dir_op(struct conn *c, const struct fh *dir, uint32_t op, const char *name,
    struct fh *out)
{
	struct result r;
	size_t at;
	uint32_t nops = 2;

	at = compound_start(c, &call_buf, ++c->xid_gen << 8);
	op_putfh(&call_buf, dir);
	if (op == OP_CREATE) {
		put32(&call_buf, OP_CREATE);
		put32(&call_buf, NF4DIR);
		put_string(&call_buf, name);
		put32(&call_buf, 2);
		put32(&call_buf, 0);
		put32(&call_buf, 1u << (33 - 32));
		put32(&call_buf, 4);
		put32(&call_buf, 0755);
	} else
		op_name(&call_buf, op, name);
	if (out != NULL) {
		put32(&call_buf, OP_GETFH);
		nops++;
	}
	compound_end(&call_buf, at, nops);
	if (conn_call(c, &call_buf, &r) == 0 && out != NULL)
		*out = r.fh;
	return r.status;
}

/* Each connection opens the data file (the first creates it) with an
 * owner of its own, for READ and WRITE stateids. */
static void
open_data(struct load *L, struct conn *c, int create)
{
	struct result r;
	char owner[64];
	size_t at;

	snprintf(owner, sizeof(owner), "%s.%d.data", L->owner_prefix,
	    c->index);
	at = compound_start(c, &call_buf, ++c->xid_gen << 8);
	op_putfh(&call_buf, &L->dir_fh);
	put32(&call_buf, OP_OPEN);
	put32(&call_buf, c->data_seqid);
	put32(&call_buf, OPEN4_SHARE_ACCESS_BOTH);
	put32(&call_buf, 0);
	put64(&call_buf, c->clientid);
	put_string(&call_buf, owner);
	put32(&call_buf, create ? 1 : 0);
	if (create) {
		put32(&call_buf, 0);
		put32(&call_buf, 2);
		put32(&call_buf, 0);
		put32(&call_buf, 1u << (33 - 32));
		put32(&call_buf, 4);
		put32(&call_buf, 0644);
	}
	put32(&call_buf, 0);
	put_string(&call_buf, "data");
	put32(&call_buf, OP_GETFH);
	compound_end(&call_buf, at, 3);
	if (conn_call(c, &call_buf, &r) != 0)
		loadgen_fatalx("open data: op %u failed with NFS4 status %u",
		    r.failed_op, r.status);
	c->data_seqid++;
	L->data_fh = r.fh;
	c->data_stateid = r.stateid;
	if (r.rflags & OPEN4_RESULT_CONFIRM) {
		at = compound_start(c, &call_buf, ++c->xid_gen << 8);
		op_putfh(&call_buf, &L->data_fh);
		put32(&call_buf, OP_OPEN_CONFIRM);
		put_stateid(&call_buf, &c->data_stateid);
		put32(&call_buf, c->data_seqid);
		compound_end(&call_buf, at, 2);
		if (conn_call(c, &call_buf, &r) != 0)
			loadgen_fatalx("open data: OPEN_CONFIRM: NFS4 status %u",
			    r.status);
		c->data_seqid++;
		c->data_stateid = r.stateid;
	}
}

static uint32_t
close_data(struct load *L, struct conn *c)
{
	struct result r;
	size_t at;

	at = compound_start(c, &call_buf, ++c->xid_gen << 8);
	op_putfh(&call_buf, &L->data_fh);
	put32(&call_buf, OP_CLOSE);
	put32(&call_buf, c->data_seqid);
	put_stateid(&call_buf, &c->data_stateid);
	compound_end(&call_buf, at, 2);
	conn_call(c, &call_buf, &r);
	c->data_seqid++;
	return r.status;
}

static uint32_t
commit_data(struct load *L, struct conn *c)
{
	struct result r;
	size_t at;

	at = compound_start(c, &call_buf, ++c->xid_gen << 8);
	op_putfh(&call_buf, &L->data_fh);
	put32(&call_buf, OP_COMMIT);
	put64(&call_buf, 0);
	put32(&call_buf, 0);
	compound_end(&call_buf, at, 2);
	return conn_call(c, &call_buf, &r);
}

/*
 * version=3: one name in directory dir, blocking: CREATE (a file, mode
 * 0644), MKDIR (0755), LOOKUP, REMOVE or RMDIR; out (if given) the
 * handle, looked up when CREATE or MKDIR did not return one.
 */
static uint32_t
dir_op3(struct conn *c, const struct fh *dir, uint32_t proc, const char *name,
    struct fh *out)
{
	struct result r;

	call_start(c, &call_buf, ++c->xid_gen << 8, NFS4_PROGRAM,
	    NFS3_VERSION, proc);
	put_opaque(&call_buf, dir->data, dir->len);
	put_string(&call_buf, name);
	if (proc == NFSPROC3_CREATE)
		put32(&call_buf, 0);		/* UNCHECKED */
	if (proc == NFSPROC3_CREATE || proc == NFSPROC3_MKDIR)
		put_sattr3_mode(&call_buf, proc == NFSPROC3_MKDIR ? 0755 :
		    0644);
	call_end(&call_buf);
	c->call_proc = proc;
	if (conn_call(c, &call_buf, &r) != 0)
		return r.status;
	if (out != NULL && r.fh.len == 0 && proc != NFSPROC3_LOOKUP)
		return dir_op3(c, dir, NFSPROC3_LOOKUP, name, out);
	if (out != NULL)
		*out = r.fh;
	return 0;
}

/* A blocking call of proc on fh alone (GETATTR, FSINFO; COMMIT's range). */
static uint32_t
fh_op3(struct conn *c, uint32_t proc, const struct fh *fh, struct result *r)
{
	call_start(c, &call_buf, ++c->xid_gen << 8, NFS4_PROGRAM,
	    NFS3_VERSION, proc);
	put_opaque(&call_buf, fh->data, fh->len);
	if (proc == NFSPROC3_COMMIT) {
		put64(&call_buf, 0);
		put32(&call_buf, 0);		/* to the end */
	}
	call_end(&call_buf);
	c->call_proc = proc;
	return conn_call(c, &call_buf, r);
}

/*
 * version=3: MOUNT's MNT (RFC 1813 5.2.1) of path under AUTH_SYS, on a
 * connection of its own to mountport (or the NFS port), then FSINFO of
 * the export on c for the transfer size.
 */
static void
mount_export3(struct load *L, struct conn *c, const char *host,
    const char *port, const char *path)
{
	static struct conn m;
	struct result r;

	m.load = L;
	m.index = -1;
	m.gss.ctx = GSS_C_NO_CONTEXT;
	m.fd = loadnet_connect(host, L->mount_port[0] ? L->mount_port : port);
	call_start(&m, &call_buf, ++m.xid_gen << 8, MOUNT_PROGRAM, 3,
	    MOUNTPROC3_MNT);
	put_string(&call_buf, path);
	call_end(&call_buf);
	m.call_proc = V3_MNT;
	if (conn_call(&m, &call_buf, &r) != 0)
		loadgen_fatalx("MOUNT of %s: status %u", path, r.status);
	close(m.fd);
	free(m.out.p);
	free(m.in);
	free(m.record.p);
	L->export_fh = r.fh;
	if (fh_op3(c, NFSPROC3_FSINFO, &L->export_fh, &r) != 0)
		loadgen_fatalx("FSINFO of %s: status %u", path, r.status);
	L->chunk = 1024 * 1024;
	if (r.maxwrite > 0 && r.maxwrite < L->chunk)
		L->chunk = (uint32_t)r.maxwrite;
	if (r.maxread > 0 && r.maxread < L->chunk)
		L->chunk = (uint32_t)r.maxread;
	if (L->chunk < RAND_BLOCK)
		loadgen_fatalx("the server's rtmax/wtmax is below 4 KiB");
}

/* nfs://HOST[:PORT]/PATH[?nfsport=P&version=4...] */
static void
parse_url(struct load *L, const char *url, char *host, size_t hostlen,
    char *port, size_t portlen, char *path, size_t pathlen, int *minor)
{
	char sec[16] = "";

	const char *p, *slash, *q, *colon;
	size_t n;

	if (strncmp(url, "nfs://", 6) != 0)
		loadgen_fatalx("the URL must start nfs:// (%s)", url);
	p = url + 6;
	slash = strchr(p, '/');
	q = strchr(p, '?');
	if (slash == NULL || (q != NULL && q < slash))
		loadgen_fatalx("no path in %s", url);
	colon = memchr(p, ':', (size_t)(slash - p));
	snprintf(port, portlen, "2049");
	n = (size_t)((colon != NULL ? colon : slash) - p);
	if (n == 0 || n >= hostlen)
		loadgen_fatalx("bad host in %s", url);
	memcpy(host, p, n);
	host[n] = '\0';
	if (colon != NULL)
		snprintf(port, portlen, "%.*s", (int)(slash - colon - 1),
		    colon + 1);
	n = q != NULL ? (size_t)(q - slash) : strlen(slash);
	if (n >= pathlen)
		loadgen_fatalx("path too long in %s", url);
	memcpy(path, slash, n);
	path[n] = '\0';
	for (; q != NULL; q = strchr(q + 1, '&')) {
		if (strncmp(q + 1, "nfsport=", 8) == 0)
			snprintf(port, portlen, "%.*s",
			    (int)strcspn(q + 9, "&"), q + 9);
		else if (strncmp(q + 1, "sec=", 4) == 0) {
			snprintf(sec, sizeof(sec), "%.*s",
			    (int)strcspn(q + 5, "&"), q + 5);
			if (strcmp(sec, "sys") != 0 &&
			    (L->gss_service = loadgss_service(sec)) == 0)
				loadgen_fatalx("sec= takes sys, krb5, krb5i or "
				    "krb5p (%s)", url);
		} else if (strncmp(q + 1, "service=", 8) == 0)
			snprintf(L->gss_name, sizeof(L->gss_name), "%.*s",
			    (int)strcspn(q + 9, "&"), q + 9);
		else if (strncmp(q + 1, "mountport=", 10) == 0)
			snprintf(L->mount_port, sizeof(L->mount_port), "%.*s",
			    (int)strcspn(q + 11, "&"), q + 11);
		else if (strncmp(q + 1, "version=", 8) == 0) {
			if (strncmp(q + 9, "4.1", 3) == 0)
				*minor = 1;
			else if (q[9] == '3' && strchr("&", q[10]) != NULL)
				L->v3 = 1;
			else if (strncmp(q + 9, "4", 1) != 0 ||
			    strncmp(q + 9, "4.2", 3) == 0)
				loadgen_fatalx("nfs4load speaks NFSv3, 4.0 and "
				    "4.1 (%s)", url);
		}
	}
	/* Rows host4_*, host41_*, host3_*; under RPCSEC_GSS host4_krb5p_*
	 * etc. */
	snprintf(L->prefix, sizeof(L->prefix), "host%s%s%s%s",
	    L->v3 ? "3" : "4", *minor > 0 ? "1" : "",
	    L->gss_service != 0 ? "_" : "", L->gss_service != 0 ? sec : "");
	if (L->gss_service != 0 && L->gss_name[0] == '\0')
		snprintf(L->gss_name, sizeof(L->gss_name), "nfs@%.200s", host);
}

static void
report(struct load *L, double seconds)
{
	loadgen_report(L->prefix,
	    &phase_info[L->phase],
	    L->phase == PHASE_WRITE || L->phase == PHASE_READ ?
	    L->bytes_done : L->ops_done, seconds, L->lat, L->nlat);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: nfs4load --url 'nfs://HOST/PATH?nfsport=P[&version=4.1|3]"
	    "[&mountport=M]"
	    "[&sec=krb5|krb5i|krb5p][&service=nfs@HOST]'\n"
	    "               [--conns N (4)] [--depth N (16)] [--size MIB (256)]\n"
	    "               [--seconds S (5)] [--files N (5000)] [--dir NAME]\n"
	    "               [--create-bytes N (0)]\n"
	    "               [--tests write,read,randwrite,randread,create,"
	    "openclose,\n"
	    "                        getattr,lookup,access,readdir,remove]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct load L;
	struct loadgen_opts o;
	char host[256], port[32], path[1024], name[32];
	int want[PHASE_COUNT], i, p, failed = 0;
	uint64_t k;
	uint32_t st;
	double t;

	loadgen_prog = "nfs4load";
	loadgen_options(argc, argv, &o, "nfs4load", usage);
	L.nconns = o.conns;
	L.depth = o.depth;
	parse_url(&L, o.url, host, sizeof(host), port, sizeof(port), path,
	    sizeof(path), &L.minor);
	loadgen_want(o.tests, phase_info, PHASE_COUNT, want);
	if (L.v3)
		want[PHASE_OPENCLOSE] = 0;	/* no OPEN in NFSv3 */
	/* Reads need the file write makes; the name phases need create's
	 * files, and remove cleans them up. */
	if (want[PHASE_READ] || want[PHASE_RANDWRITE] ||
	    want[PHASE_RANDREAD] || want[PHASE_GETATTR])
		want[PHASE_WRITE] = 1;
	if (want[PHASE_OPENCLOSE] || want[PHASE_LOOKUP] ||
	    want[PHASE_ACCESS] || want[PHASE_READDIR])
		want[PHASE_CREATE] = 1;
	if (want[PHASE_CREATE])
		want[PHASE_REMOVE] = 1;

	L.rng = 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid() ^
	    (uint64_t)time(NULL) << 20;
	for (i = 0; i < 8; i++)
		L.verifier[i] = (unsigned char)loadgen_random(&L.rng);
	snprintf(L.owner_prefix, sizeof(L.owner_prefix), "nfs4load.%ld.%04x",
	    (long)getpid(), (unsigned)(loadgen_random(&L.rng) & 0xffff));
	for (i = 0; i < L.nconns; i++) {
		struct conn *c = &L.conns[i];

		c->load = &L;
		c->index = i;
		c->fd = loadnet_connect(host, port);
		/* RFC 2203 5.2: a context of its own per connection, from
		 * the credential cache (KRB5CCNAME). */
		if (L.gss_service != 0 && loadgss_create(&c->gss, L.gss_name,
		    L.gss_service, ++c->xid_gen << 8, NFS4_PROGRAM,
		    L.v3 ? NFS3_VERSION : NFS4_VERSION, conn_exchange,
		    c) == -1)
			loadgen_fatalx("connection %d: no RPCSEC_GSS context "
			    "with %s: %s", i, L.gss_name, c->gss.error);
		/*
		 * RFC 2203 5.3.3.1: no more calls in flight than the
		 * server's sequence window, or it may drop them unanswered
		 * (it keeps the window's worth of numbers; a call that
		 * is processed late falls out of it).
		 */
		if (L.gss_service != 0 && c->gss.window < (uint32_t)L.depth) {
			fprintf(stderr, "nfs4load: the server's RPCSEC_GSS "
			    "window is %u: %u calls in flight per "
			    "connection\n", c->gss.window, c->gss.window);
			L.depth = (int)c->gss.window;
		}
		c->xid_gen += 4;
		if (L.v3) {
			if (i == 0)
				mount_export3(&L, c, host, port, path);
			continue;
		}
		if (L.minor > 0)
			conn_session(&L, c);
		else
			conn_setclientid(&L, c);
		if (i == 0)
			lookup_export(&L, c, path);
	}
	if ((uint64_t)o.create_bytes > L.chunk)
		loadgen_fatalx("--create-bytes above the write size %" PRIu32,
		    L.chunk);
	L.create_bytes = (uint64_t)o.create_bytes;
	L.file_bytes = (uint64_t)o.size_mib * 1024 * 1024;
	L.file_bytes -= L.file_bytes % L.chunk;
	if (L.file_bytes < L.chunk)
		L.file_bytes = L.chunk;
	L.wbuf = malloc(L.chunk);
	if (L.depth == 1)
		L.lat = malloc(MAX_LAT * sizeof(*L.lat));
	if (L.wbuf == NULL || (L.depth == 1 && L.lat == NULL))
		loadgen_fatalx("out of memory");
	for (k = 0; k < L.chunk; k++)
		L.wbuf[k] = (unsigned char)loadgen_random(&L.rng);

	if ((st = L.v3 ? dir_op3(&L.conns[0], &L.export_fh, NFSPROC3_MKDIR,
	    o.dir, &L.dir_fh) : dir_op(&L.conns[0], &L.export_fh, OP_CREATE,
	    o.dir, &L.dir_fh)) != 0)
		loadgen_fatalx("create directory %s in %s failed: NFS4 status "
		    "%u", o.dir, path, st);
	fprintf(stderr, "nfs4load: %d connections x %d in flight, %" PRIu32
	    " KiB sequential I/O, %" PRIu64 " MiB file, %lds timed phases%s%s"
	    "\n", L.nconns, L.depth, L.chunk / 1024, L.file_bytes >> 20,
	    o.seconds, L.gss_service != 0 ? ", RPCSEC_GSS " : "",
	    L.gss_service != 0 ? L.prefix + strcspn(L.prefix, "_") + 1 : "");
	if (want[PHASE_WRITE] && L.v3 && (st = dir_op3(&L.conns[0],
	    &L.dir_fh, NFSPROC3_CREATE, "data", &L.data_fh)) != 0)
		loadgen_fatalx("create data: NFS3 status %u", st);
	for (i = 0; want[PHASE_WRITE] && !L.v3 && i < L.nconns; i++)
		open_data(&L, &L.conns[i], i == 0);
	for (i = 0; i < L.nconns; i++)
		fcntl(L.conns[i].fd, F_SETFL,
		    fcntl(L.conns[i].fd, F_GETFL) | O_NONBLOCK);

	for (p = 0; p < PHASE_COUNT && !failed; p++) {
		if (!want[p])
			continue;
		L.phase = (enum phase)p;
		L.next_offset = 0;
		L.next_index = 0;
		if (L.phase == PHASE_CREATE)
			L.limit_index = (uint64_t)o.files;
		else if (L.phase == PHASE_REMOVE)
			L.limit_index = L.files_made;
		/* The lease, from every client, before each phase. */
		for (i = 0; i < L.nconns && !L.v3; i++)
			conn_renew(&L.conns[i]);
		/* Sequential and remove phases run to their count. */
		t = run_phase(&L, L.phase == PHASE_WRITE ||
		    L.phase == PHASE_READ || L.phase == PHASE_REMOVE ?
		    (double)o.seconds * 60 : (double)o.seconds);
		/* Written data is on disk in the phase that wrote it: left
		 * dirty, the kernel's writeback 30 s later lands on another
		 * phase (a server's durable removes wait behind it). */
		if ((L.phase == PHASE_WRITE || L.phase == PHASE_RANDWRITE) &&
		    L.error[0] == '\0') {
			double t0 = loadgen_now();
			struct result cr;

			if ((L.v3 ? fh_op3(&L.conns[0], NFSPROC3_COMMIT,
			    &L.data_fh, &cr) : commit_data(&L, &L.conns[0])) != 0)
				load_fail(&L, "COMMIT failed");
			t += loadgen_now() - t0;
		}
		if (L.error[0] != '\0') {
			fprintf(stderr, "nfs4load: %s\n", L.error);
			failed = 1;
			break;
		}
		report(&L, t);
	}

	/* Clean up, after a failure too: replies still owed to the failed
	 * phase are passed over by xid. */
	for (i = 0; i < L.nconns && want[PHASE_WRITE] && !L.v3; i++)
		if (close_data(&L, &L.conns[i]) != 0)
			fprintf(stderr, "nfs4load: close data failed\n");
	if (want[PHASE_WRITE])
		L.v3 ? dir_op3(&L.conns[0], &L.dir_fh, NFSPROC3_REMOVE,
		    "data", NULL) : dir_op(&L.conns[0], &L.dir_fh, OP_REMOVE,
		    "data", NULL);
	for (k = 0; failed && k < L.files_made + (uint64_t)L.nconns *
	    (uint64_t)L.depth; k++) {
		file_name(name, sizeof(name), k);
		L.v3 ? dir_op3(&L.conns[0], &L.dir_fh, NFSPROC3_REMOVE, name,
		    NULL) : dir_op(&L.conns[0], &L.dir_fh, OP_REMOVE, name,
		    NULL);
	}
	if ((L.v3 ? dir_op3(&L.conns[0], &L.export_fh, NFSPROC3_RMDIR, o.dir,
	    NULL) : dir_op(&L.conns[0], &L.export_fh, OP_REMOVE, o.dir,
	    NULL)) != 0)
		fprintf(stderr, "nfs4load: remove %s failed\n", o.dir);
	for (i = 0; i < L.nconns; i++) {
		close(L.conns[i].fd);
		loadgss_free(&L.conns[i].gss);
		xdrbuf_out_free(&L.conns[i].gss_call);
	}
	free(L.wbuf);
	free(L.lat);
	return failed;
}
