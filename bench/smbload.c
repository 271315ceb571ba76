/*
 * smbload: a host-side SMB2/3 load generator, nfs4load's SMB twin, for
 * bench/compare's smb_* and smbsealed_* rows against our smbd and Samba.
 *
 * A small SMB2 client of its own on plain sockets: NEGOTIATE of 3.1.1
 * (SHA-512 preauth integrity, the AES-128-GCM and -CCM ciphers) with
 * 3.0.2, 3.0 and 2.1 offered as well, SESSION_SETUP with NTLMSSP NTLMv2
 * in SPNEGO (the key exchanged, as Windows and smbclient do), every
 * request signed (HMAC-SHA256 for 2.1, AES-128-CMAC for 3.x), or with
 * -e every request after SESSION_SETUP sealed in a TRANSFORM_HEADER
 * (AES-128-GCM or -CCM, whichever the server picks); TREE_CONNECT.
 * Several TCP connections, each a session of its own, with many
 * requests in flight on each, within the credits the server grants.
 * Every reply's status is checked and its signature (or its AEAD tag)
 * verified: an error stops the run with a message and exit status 1.
 *
 * The wire helpers, key derivation (SP800-108, MS-SMB2 3.1.4.2),
 * signing and the AEAD come from smbd's pure wire library (smbd/smb2.h),
 * MD4, RC4 and HMAC-MD5 from gssd's ntcrypto.c; a symmetric mistake
 * shared with our server would show against Samba, which this client
 * is run against in the same bench.
 *
 * Figures, as nfs4load's with the smb_ (sealed: smbsealed_) prefix:
 *   RESULT name=smb_<phase> value=V unit=U      (MB = 10^6 bytes)
 *   LATENCY name=smb_<phase> p50=.. p90=.. p99=.. unit=us n=COUNT
 *     (at one request in flight: --conns 1 --depth 1)
 *
 * usage: smbload --url smb://[USER@]HOST[:PORT]/SHARE
 *            [--user USER[%PASSWORD]] [-e] [--dialect 311|302|300|210]
 *            [--conns N] [--depth N] [--size MIB] [--seconds S]
 *            [--files N] [--tests LIST] [--dir NAME]
 * The password, unless --user gives it: $SMBLOAD_PASSWORD.
 *
 * Phases (--tests, comma list, default all of them in this order):
 *   write     1 MiB (or MaxWriteSize) WRITEs of --size MiB to one file,
 *             then FLUSH, MB/s
 *   read      READs of that file, sequential, MB/s
 *   randwrite 4 KiB WRITEs at random offsets for --seconds, then
 *             FLUSH (in the time), IOPS
 *   randread  4 KiB READs at random offsets for --seconds, IOPS
 *   create    up to --files new files, each CREATE (FILE_CREATE) then
 *             CLOSE, files/s
 *   getattr   a stat by name as the Linux cifs client sends it: one
 *             compound of CREATE + QUERY_INFO (FileAllInformation) +
 *             CLOSE of a random file of create's, for --seconds, ops/s
 *   readdir   whole listings of create's directory: CREATE of the
 *             directory, QUERY_DIRECTORY (FileIdBothDirectoryInformation,
 *             64 KiB) until STATUS_NO_MORE_FILES, CLOSE; entries/s
 *   remove    create's files, each one compound of CREATE with
 *             DELETE_ON_CLOSE + CLOSE, as cifs's unlink, files/s
 * Everything is made under a fresh directory (--dir, default
 * smbload.PID) of the share and removed at the end.
 */
#define _POSIX_C_SOURCE 200809L
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

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

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "loadgen.h"
#include "loadnet.h"
#include "ntcrypto.h"
#include "smb2.h"

#define MAX_CONNS	LOADGEN_MAX_CONNS
#define MAX_DEPTH	LOADGEN_MAX_DEPTH
#define MAX_LAT		LOADGEN_MAX_LAT
#define RAND_BLOCK	4096
#define IO_MAX		(1024u * 1024)
#define DIR_OUT		65536u

/* NTSTATUS values this client expects. */
#define STATUS_SUCCESS			0x00000000u
#define STATUS_PENDING			0x00000103u
#define STATUS_NO_MORE_FILES		0x80000006u
#define STATUS_MORE_PROCESSING		0xc0000016u

/* MS-FSCC and MS-SMB2 2.2.13 values of the CREATEs sent. */
#define ACCESS_READ_DATA	0x00000001u
#define ACCESS_WRITE_DATA	0x00000002u
#define ACCESS_READ_ATTRIBUTES	0x00000080u
#define ACCESS_DELETE		0x00010000u
#define ACCESS_SYNCHRONIZE	0x00100000u
#define ACCESS_GENERIC_ALL	0x10000000u
#define SHARE_ALL		0x00000007u
#define FILE_OPEN		1
#define FILE_CREATE		2
#define FILE_OPEN_IF		3
#define OPT_DIRECTORY		0x00000001u
#define OPT_NON_DIRECTORY	0x00000040u
#define OPT_DELETE_ON_CLOSE	0x00001000u
#define ATTR_NORMAL		0x00000080u
#define ATTR_DIRECTORY		0x00000010u
#define INFO_FILE		1
#define CLASS_ALL_INFORMATION	18
#define CLASS_ID_BOTH_DIR	37
#define QDIR_RESTART_SCANS	0x01
#define SESSION_FLAG_GUEST	0x0001
#define SESSION_FLAG_NULL	0x0002
#define SESSION_FLAG_ENCRYPT	0x0004
#define SHAREFLAG_ENCRYPT	0x00008000u

/* MS-NLMP 2.2.2.5: the flags this client asks for. */
#define NTLM_UNICODE		0x00000001u
#define NTLM_REQUEST_TARGET	0x00000004u
#define NTLM_SIGN		0x00000010u
#define NTLM_NTLM		0x00000200u
#define NTLM_ALWAYS_SIGN	0x00008000u
#define NTLM_ESS		0x00080000u
#define NTLM_128		0x20000000u
#define NTLM_KEY_EXCH		0x40000000u
#define NTLM_56			0x80000000u
#define NTLM_FLAGS	(NTLM_UNICODE | NTLM_REQUEST_TARGET | NTLM_SIGN | \
	NTLM_NTLM | NTLM_ALWAYS_SIGN | NTLM_ESS | NTLM_128 | NTLM_KEY_EXCH | \
	NTLM_56)
#define AV_EOL			0
#define AV_TIMESTAMP		7

enum phase {
	PHASE_WRITE,
	PHASE_READ,
	PHASE_RANDWRITE,
	PHASE_RANDREAD,
	PHASE_CREATE,
	PHASE_GETATTR,
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
	{ "getattr", "ops/s" },
	{ "readdir", "entries/s" },
	{ "remove", "files/s" },
};

/* What a slot's next (or outstanding) request is. */
enum step {
	STEP_IDLE,
	STEP_WRITE,		/* sl->offset, sl->length on the data file */
	STEP_READ,
	STEP_CREATE,		/* a new file, then STEP_CLOSE */
	STEP_CLOSE,		/* sl->fid */
	STEP_GETATTR,		/* compound: CREATE, QUERY_INFO, CLOSE */
	STEP_REMOVE,		/* compound: CREATE (delete on close), CLOSE */
	STEP_OPENDIR,		/* then STEP_QUERYDIR until the end */
	STEP_QUERYDIR,
};

struct buf {
	uint8_t	*p;
	size_t	 len;
	size_t	 cap;
};

/* One request (or compound) in flight. */
struct slot {
	enum step	 step;
	int		 blocked;	/* waits for credits to be sent */
	uint64_t	 mid;		/* its first message id */
	uint32_t	 span;		/* message ids it took */
	uint32_t	 left;		/* replies still owed */
	uint64_t	 index;		/* the file it works on */
	uint64_t	 offset;
	uint32_t	 length;
	uint8_t		 fid[16];
	int		 restart;	/* QUERY_DIRECTORY from the start */
	uint64_t	 entries;
	double		 issued;
};

struct load;

struct conn {
	struct load	*load;
	int		 fd;
	int		 index;
	uint16_t	 dialect;
	uint16_t	 cipher;	/* 0: not sealing */
	uint16_t	 sign_alg;
	int		 signing;	/* the session signs from here on */
	int		 sealing;	/* ... or seals */
	uint64_t	 session_id;
	uint32_t	 tree_id;
	uint8_t		 sign_key[SMB2_KEY_SIZE];
	uint8_t		 enc_key[SMB2_CIPHER_KEY_MAX];	/* client to server */
	uint8_t		 dec_key[SMB2_CIPHER_KEY_MAX];	/* server to client */
	uint8_t		 salt[SMB2_NONCE_SALT_SIZE];
	uint64_t	 nonce_count;
	uint8_t		 preauth[SMB2_PREAUTH_HASH_SIZE];
	uint32_t	 max_read;
	uint32_t	 max_write;
	uint64_t	 next_mid;
	uint32_t	 credits;	/* granted and not yet used */
	uint32_t	 owed;		/* charged to requests in flight */
	uint32_t	 want;		/* the window to ask for */
	struct buf	 out;
	size_t		 out_sent;
	struct buf	 in;
	uint8_t		*frame;		/* the current frame's messages */
	size_t		 frame_len;
	size_t		 frame_off;
	int		 frame_sealed;
	int		 inflight;
	int		 nblocked;
	uint8_t		 data_fid[16];
	int		 data_open;
	struct slot	 slots[MAX_DEPTH];
};

struct load {
	struct conn	 conns[MAX_CONNS];
	int		 nconns;
	int		 depth;
	int		 seal;
	uint16_t	 dialect_max;
	const char	*user;
	const char	*password;
	char		 host[256];
	char		 share[256];
	char		 dir[256];
	enum phase	 phase;
	double		 deadline;
	uint32_t	 chunk;
	uint64_t	 file_bytes;
	uint64_t	 next_offset;
	uint64_t	 next_index;
	uint64_t	 limit_index;
	uint64_t	 files_made;
	uint64_t	 ops_done;
	uint64_t	 bytes_done;
	uint64_t	 rng;
	uint8_t		*wbuf;
	double		*lat;
	size_t		 nlat;
	char		 error[512];
};

/* A reply, as far as this client reads it. */
struct reply {
	const uint8_t	*msg;
	size_t		 len;
	uint32_t	 status;
	uint16_t	 command;
	uint64_t	 mid;
	uint32_t	 flags;
	uint64_t	 session_id;
	uint32_t	 tree_id;
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
}

/* Buffers. */

static void
buf_reserve(struct buf *b, size_t more)
{
	size_t cap;

	if (b->len + more <= b->cap)
		return;
	cap = b->cap > 0 ? b->cap : 4096;
	while (cap < b->len + more)
		cap *= 2;
	if ((b->p = realloc(b->p, cap)) == NULL)
		loadgen_fatalx("out of memory");
	b->cap = cap;
}

static uint8_t *
buf_add(struct buf *b, size_t n)
{
	uint8_t *p;

	buf_reserve(b, n);
	p = b->p + b->len;
	memset(p, 0, n);
	b->len += n;
	return p;
}

static void
buf_put(struct buf *b, const void *data, size_t n)
{
	memcpy(buf_add(b, n), data, n);
}

/* Names: UTF-16LE of ASCII (the names this client makes). */
static size_t
utf16(const char *s, uint8_t *out, size_t max)
{
	int n = ntcrypto_utf16le(s, out, max, 0);

	if (n < 0)
		loadgen_fatalx("name too long or not UTF-8: %s", s);
	return (size_t)n;
}

/*
 * Requests.  A chain (one message, or a compound) is built into
 * call_buf after a 4-byte Direct TCP header; msg_start opens the next
 * message, chain_end signs or seals the lot and queues it on c.
 */
static struct buf call_buf;
static struct buf seal_buf;
static size_t chain_msgs[4];
static int chain_count;
static int chain_asked;		/* CreditRequest filled in already */

static void
chain_begin(void)
{
	call_buf.len = 0;
	buf_add(&call_buf, 4);
	chain_count = 0;
	chain_asked = 0;
}

/* A message of command cmd with a fixed body of body bytes (returned);
 * charge credits; related: a compound's follower. */
static uint8_t *
msg_start(struct conn *c, uint16_t cmd, size_t body, uint16_t charge,
    int related)
{
	uint8_t *h;
	size_t at;

	if (chain_count > 0) {
		size_t prev = chain_msgs[chain_count - 1];

		while ((call_buf.len - 4) % 8 != 0)
			buf_add(&call_buf, 1);
		smb2_put32(call_buf.p + prev + 20, (uint32_t)(call_buf.len -
		    prev));
	}
	at = call_buf.len;
	chain_msgs[chain_count++] = at;
	h = buf_add(&call_buf, SMB2_HDR_SIZE + body);
	smb2_put32(h, SMB2_MAGIC);
	smb2_put16(h + 4, 64);
	smb2_put16(h + 6, c->dialect >= SMB2_DIALECT_210 ? charge : 0);
	smb2_put16(h + 12, cmd);
	smb2_put32(h + 16, related ? SMB2_FLAGS_RELATED_OPERATIONS : 0);
	smb2_put64(h + 24, c->next_mid);
	/* A follower names the same session and tree, as cifs's do; its
	 * FileId is the all-ones one of the CREATE before it. */
	smb2_put32(h + 36, c->tree_id);
	smb2_put64(h + 40, c->session_id);
	c->next_mid += charge > 0 ? charge : 1;
	c->credits -= charge > 0 ? charge : 1;
	c->owed += charge > 0 ? charge : 1;
	return call_buf.p + at + SMB2_HDR_SIZE;
}

/* The body of the message being built, for offsets. */
static size_t
msg_offset(void)
{
	return call_buf.len - chain_msgs[chain_count - 1];
}

/*
 * Credits to ask for in each message: what it uses, and in the last
 * one what the window (granted and not used, plus charged to requests
 * in flight) lacks of c->want.
 */
static void
chain_credits(struct conn *c)
{
	uint32_t total = c->credits + c->owed, ask;
	int i;

	for (i = 0; i < chain_count; i++) {
		uint8_t *h = call_buf.p + chain_msgs[i];
		uint16_t charge = smb2_get16(h + 6);

		ask = charge > 0 ? charge : 1;
		if (i == chain_count - 1 && total < c->want)
			ask += c->want - total < 256 ? c->want - total : 256;
		smb2_put16(h + 14, (uint16_t)ask);
	}
	chain_asked = 1;
}

static void
conn_queue(struct conn *c, const uint8_t *p, size_t n)
{
	if (c->out_sent > 0 && c->out_sent == c->out.len)
		c->out.len = c->out_sent = 0;
	buf_put(&c->out, p, n);
}

static void
chain_end(struct conn *c)
{
	size_t len = call_buf.len - 4, i, end;
	uint8_t nonce[16], *p;

	if (!chain_asked)
		chain_credits(c);
	if (c->sealing) {
		seal_buf.len = 0;
		p = buf_add(&seal_buf, 4 + SMB2_TRANSFORM_SIZE + len);
		smb2_nonce_make(c->cipher, c->nonce_count++, c->salt, nonce);
		if (smb2_encrypt(c->cipher, c->enc_key, nonce, c->session_id,
		    call_buf.p + 4, len, p + 4) == -1)
			loadgen_fatalx("encryption failed");
		len += SMB2_TRANSFORM_SIZE;
		p[0] = 0;
		p[1] = (uint8_t)(len >> 16);
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
		conn_queue(c, p, 4 + len);
		return;
	}
	if (c->signing)
		for (i = 0; i < (size_t)chain_count; i++) {
			uint8_t *h = call_buf.p + chain_msgs[i];

			end = i + 1 < (size_t)chain_count ? chain_msgs[i + 1] :
			    call_buf.len;
			smb2_put32(h + 16, smb2_get32(h + 16) |
			    SMB2_FLAGS_SIGNED);
			if (smb2_sign(c->sign_alg, c->sign_key, h,
			    end - chain_msgs[i]) == -1)
				loadgen_fatalx("signing failed");
		}
	p = call_buf.p;
	p[0] = 0;
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	conn_queue(c, call_buf.p, call_buf.len);
}

/* Connections. */

/* One read of what the socket has (a blocking one in setup and
 * teardown, after poll); -1 on EOF or an error. */
static int
conn_read(struct conn *c)
{
	return loadnet_read(c->fd, &c->in.p, &c->in.len, &c->in.cap);
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

/*
 * Take the next whole frame off c->in into c->frame (decrypted when
 * it is a TRANSFORM): 1, 0 when none is complete yet, -1 for a bad
 * one (L->error says why).
 */
static int
conn_take_frame(struct conn *c)
{
	struct load *L = c->load;
	size_t n;
	uint8_t *f;

	if (c->in.len < 4)
		return 0;
	if (c->in.p[0] != 0) {
		load_fail(L, "connection %d: not a Direct TCP frame", c->index);
		return -1;
	}
	n = (size_t)c->in.p[1] << 16 | (size_t)c->in.p[2] << 8 | c->in.p[3];
	if (c->in.len < 4 + n)
		return 0;
	free(c->frame);
	if ((c->frame = malloc(n > 0 ? n : 1)) == NULL)
		loadgen_fatalx("out of memory");
	memcpy(c->frame, c->in.p + 4, n);
	memmove(c->in.p, c->in.p + 4 + n, c->in.len - 4 - n);
	c->in.len -= 4 + n;
	f = c->frame;
	c->frame_off = 0;
	c->frame_len = n;
	c->frame_sealed = n >= 4 && smb2_get32(f) == SMB2_TRANSFORM_MAGIC;
	if (c->frame_sealed) {
		struct smb2_transform t;

		if (c->cipher == 0 || smb2_transform_decode(f, n, &t) == -1 ||
		    t.session_id != c->session_id ||
		    smb2_decrypt(c->cipher, c->dec_key, f, n) == -1) {
			load_fail(L, "connection %d: a sealed reply that does "
			    "not decrypt", c->index);
			return -1;
		}
		c->frame_off = SMB2_TRANSFORM_SIZE;
		c->frame_len = SMB2_TRANSFORM_SIZE + t.original_size;
	} else if (c->sealing) {
		load_fail(L, "connection %d: a reply in the clear on a sealed "
		    "session", c->index);
		return -1;
	}
	return 1;
}

/*
 * The next reply message on c: 1 with r set, 0 when none is there yet,
 * -1 for a broken one (L->error says why).  Its signature is checked
 * here, and the credits it grants are counted.
 */
static int
conn_next_reply(struct conn *c, struct reply *r)
{
	struct load *L = c->load;
	struct smb2_hdr h;
	size_t len;
	int got;

	while (c->frame == NULL || c->frame_off >= c->frame_len) {
		if ((got = conn_take_frame(c)) <= 0)
			return got;
	}
	len = c->frame_len - c->frame_off;
	if (smb2_hdr_decode(c->frame + c->frame_off, len, &h) == -1) {
		load_fail(L, "connection %d: a reply that is not SMB2",
		    c->index);
		return -1;
	}
	if (h.next_command != 0) {
		if (h.next_command % 8 != 0 || h.next_command < SMB2_HDR_SIZE ||
		    h.next_command > len) {
			load_fail(L, "connection %d: a bad NextCommand",
			    c->index);
			return -1;
		}
		len = h.next_command;
	}
	r->msg = c->frame + c->frame_off;
	r->len = len;
	c->frame_off += len;
	r->status = h.status;
	r->command = h.command;
	r->mid = h.message_id;
	r->flags = h.flags;
	r->session_id = h.session_id;
	r->tree_id = h.tree_id;
	if (!(h.flags & SMB2_FLAGS_SERVER_TO_REDIR)) {
		load_fail(L, "connection %d: a request from the server",
		    c->index);
		return -1;
	}
	c->credits += h.credits;
	if (!(h.status == STATUS_PENDING &&
	    (h.flags & SMB2_FLAGS_ASYNC_COMMAND))) {
		uint32_t charge = h.credit_charge > 0 ? h.credit_charge : 1;

		c->owed -= charge < c->owed ? charge : c->owed;
	}
	/* An interim reply is not signed (MS-SMB2 3.3.4.2). */
	if (c->signing && !c->frame_sealed && !(h.status == STATUS_PENDING &&
	    (h.flags & SMB2_FLAGS_ASYNC_COMMAND))) {
		if (!(h.flags & SMB2_FLAGS_SIGNED) ||
		    smb2_verify(c->sign_alg, c->sign_key, r->msg, len) == -1) {
			load_fail(L, "connection %d: %s reply (mid %" PRIu64
			    ") with a %s signature", c->index,
			    smb2_command_name(h.command), h.message_id,
			    (h.flags & SMB2_FLAGS_SIGNED) ? "bad" : "missing");
			return -1;
		}
	}
	return 1;
}

/*
 * The chain in call_buf and its reply, blocking, for setup and
 * teardown: the reply to message id mid (others, late replies of a
 * failed phase, are passed over).  Fails hard on a broken connection.
 */
static void
conn_call(struct conn *c, uint64_t mid, struct reply *r)
{
	struct pollfd pfd;
	int got;

	chain_end(c);
	for (;;) {
		if (conn_flush(c) == -1)
			loadgen_fatalx("connection %d: write: %s", c->index,
			    strerror(errno));
		while ((got = conn_next_reply(c, r)) > 0) {
			if (r->mid == mid && !(r->status == STATUS_PENDING &&
			    (r->flags & SMB2_FLAGS_ASYNC_COMMAND)))
				return;
		}
		if (got < 0)
			loadgen_fatalx("%s", c->load->error);
		pfd.fd = c->fd;
		pfd.events = POLLIN | (c->out.len > c->out_sent ? POLLOUT : 0);
		if (poll(&pfd, 1, 60000) == 0)
			loadgen_fatalx("connection %d: no reply for 60 s",
			    c->index);
		if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) &&
		    conn_read(c) == -1)
			loadgen_fatalx("connection %d: closed by the server",
			    c->index);
	}
}

/* The reply's body of at least n fixed bytes, or a hard failure. */
static const uint8_t *
reply_body(const struct reply *r, size_t n, const char *what)
{
	if (r->len < SMB2_HDR_SIZE + n)
		loadgen_fatalx("%s: a short reply", what);
	return r->msg + SMB2_HDR_SIZE;
}

static void
check_status(const struct reply *r, const char *what)
{
	if (r->status != STATUS_SUCCESS)
		loadgen_fatalx("%s: status 0x%08x (%s)", what, r->status,
		    smb2_status_name(r->status));
}

/* A reply's buffer named by a 16-bit offset and a 32-bit length. */
static const uint8_t *
reply_buffer(const struct reply *r, uint32_t off, uint32_t len)
{
	if (len == 0)
		return r->msg;
	if (off < SMB2_HDR_SIZE || off > r->len || len > r->len - off)
		return NULL;
	return r->msg + off;
}

/* MS-SMB2 2.2.3: NEGOTIATE, with the 3.1.1 contexts. */
static void
conn_negotiate(struct load *L, struct conn *c)
{
	static const uint16_t all[] = { SMB2_DIALECT_210, SMB2_DIALECT_300,
	    SMB2_DIALECT_302, SMB2_DIALECT_311 };
	uint16_t dialects[4];
	uint8_t *b, guid[16], salt[32];
	const uint8_t *rb, *ctx;
	struct reply r;
	size_t i, n = 0, ctx_at;
	uint32_t off, count;

	for (i = 0; i < 4; i++)
		if (all[i] <= L->dialect_max)
			dialects[n++] = all[i];
	if (RAND_bytes(guid, sizeof(guid)) != 1 ||
	    RAND_bytes(salt, sizeof(salt)) != 1 ||
	    RAND_bytes(c->salt, sizeof(c->salt)) != 1)
		loadgen_fatalx("RAND_bytes failed");
	/* The one credit a connection starts with (3.2.4.2.2). */
	c->credits = 1;
	c->want = 64;
	chain_begin();
	b = msg_start(c, SMB2_NEGOTIATE, 36, 0, 0);
	smb2_put16(b, 36);
	smb2_put16(b + 2, (uint16_t)n);
	smb2_put16(b + 4, SMB2_NEGOTIATE_SIGNING_ENABLED |
	    SMB2_NEGOTIATE_SIGNING_REQUIRED);
	smb2_put32(b + 8, SMB2_GLOBAL_CAP_LARGE_MTU |
	    SMB2_GLOBAL_CAP_ENCRYPTION);
	memcpy(b + 12, guid, 16);
	for (i = 0; i < n; i++)
		smb2_put16(buf_add(&call_buf, 2), dialects[i]);
	if (dialects[n - 1] == SMB2_DIALECT_311) {
		while ((call_buf.len - 4) % 8 != 0)
			buf_add(&call_buf, 1);
		ctx_at = msg_offset();
		b = call_buf.p + 4 + SMB2_HDR_SIZE;
		smb2_put32(b + 28, (uint32_t)ctx_at);
		smb2_put16(b + 32, 2);
		/* Preauth integrity: SHA-512 with a salt. */
		b = buf_add(&call_buf, 8 + 38);
		smb2_put16(b, SMB2_PREAUTH_INTEGRITY_CAPABILITIES);
		smb2_put16(b + 2, 38);
		smb2_put16(b + 8, 1);
		smb2_put16(b + 10, 32);
		smb2_put16(b + 12, SMB2_PREAUTH_SHA512);
		memcpy(b + 14, salt, 32);
		while ((call_buf.len - 4) % 8 != 0)
			buf_add(&call_buf, 1);
		/* Encryption: AES-128-GCM, then AES-128-CCM. */
		b = buf_add(&call_buf, 8 + 6);
		smb2_put16(b, SMB2_ENCRYPTION_CAPABILITIES);
		smb2_put16(b + 2, 6);
		smb2_put16(b + 8, 2);
		smb2_put16(b + 10, SMB2_CIPHER_AES128_GCM);
		smb2_put16(b + 12, SMB2_CIPHER_AES128_CCM);
	}
	/* The hash is over the message as sent: credits asked first. */
	chain_credits(c);
	memset(c->preauth, 0, sizeof(c->preauth));
	smb2_preauth_update(c->preauth, call_buf.p + 4, call_buf.len - 4);
	conn_call(c, 0, &r);
	check_status(&r, "NEGOTIATE");
	rb = reply_body(&r, 64, "NEGOTIATE");
	c->dialect = smb2_get16(rb + 4);
	for (i = 0; i < n && dialects[i] != c->dialect; i++)
		;
	if (i == n)
		loadgen_fatalx("NEGOTIATE: the server picked dialect 0x%04x, "
		    "not offered", c->dialect);
	c->max_read = smb2_get32(rb + 32);
	c->max_write = smb2_get32(rb + 36);
	c->sign_alg = c->dialect >= SMB2_DIALECT_300 ? SMB2_SIGN_AES_CMAC :
	    SMB2_SIGN_HMAC_SHA256;
	if (c->dialect >= SMB2_DIALECT_300 && c->dialect < SMB2_DIALECT_311 &&
	    (smb2_get32(rb + 24) & SMB2_GLOBAL_CAP_ENCRYPTION))
		c->cipher = SMB2_CIPHER_AES128_CCM;
	if (c->dialect == SMB2_DIALECT_311) {
		smb2_preauth_update(c->preauth, r.msg, r.len);
		count = smb2_get16(rb + 6);
		off = smb2_get32(rb + 60);
		for (; count > 0; count--) {
			uint16_t type, dlen;

			if ((ctx = reply_buffer(&r, off, 8)) == NULL)
				loadgen_fatalx("NEGOTIATE: a context past "
				    "the reply");
			type = smb2_get16(ctx);
			dlen = smb2_get16(ctx + 2);
			if (reply_buffer(&r, off + 8, dlen) == NULL)
				loadgen_fatalx("NEGOTIATE: a context past "
				    "the reply");
			if (type == SMB2_ENCRYPTION_CAPABILITIES && dlen >= 4 &&
			    smb2_get16(ctx + 8) == 1)
				c->cipher = smb2_get16(ctx + 10);
			off = (off + 8 + dlen + 7) & ~7u;
		}
	}
	if (L->seal && c->cipher != SMB2_CIPHER_AES128_GCM &&
	    c->cipher != SMB2_CIPHER_AES128_CCM)
		loadgen_fatalx("-e: the server (dialect 0x%04x) offers no "
		    "AES-128 cipher", c->dialect);
}

/*
 * DER, built from the inside out: *p is the start of what is built so
 * far (*n bytes), with room before it; wrap it in a tag and a length,
 * or put fixed bytes before it.
 */
static void
der_wrap(uint8_t **p, size_t *n, uint8_t tag)
{
	uint8_t head[4];
	size_t h = 2;

	head[0] = tag;
	if (*n < 0x80)
		head[1] = (uint8_t)*n;
	else if (*n < 0x100) {
		head[1] = 0x81;
		head[2] = (uint8_t)*n;
		h = 3;
	} else {
		head[1] = 0x82;
		head[2] = (uint8_t)(*n >> 8);
		head[3] = (uint8_t)*n;
		h = 4;
	}
	*p -= h;
	memcpy(*p, head, h);
	*n += h;
}

static void
der_prepend(uint8_t **p, size_t *n, const uint8_t *bytes, size_t len)
{
	*p -= len;
	memcpy(*p, bytes, len);
	*n += len;
}

/*
 * RFC 4178: the NTLMSSP token wrapped, first as a NegTokenInit naming
 * NTLMSSP (init), then as a NegTokenResp's responseToken.
 */
static size_t
spnego_wrap(int init, const uint8_t *tok, size_t toklen, uint8_t *out,
    size_t outmax)
{
	static const uint8_t spnego_oid[] = { 0x06, 0x06, 0x2b, 0x06, 0x01,
	    0x05, 0x05, 0x02 };
	static const uint8_t mechs[] = { 0xa0, 0x0e, 0x30, 0x0c, 0x06, 0x0a,
	    0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a };
	uint8_t tmp[4096], *p = tmp + sizeof(tmp);
	size_t n = 0;

	if (toklen > 3000)
		loadgen_fatalx("an NTLMSSP token too long");
	der_prepend(&p, &n, tok, toklen);
	der_wrap(&p, &n, 0x04);			/* OCTET STRING */
	der_wrap(&p, &n, 0xa2);			/* mechToken, responseToken */
	if (init)
		der_prepend(&p, &n, mechs, sizeof(mechs));
	der_wrap(&p, &n, 0x30);			/* SEQUENCE */
	der_wrap(&p, &n, init ? 0xa0 : 0xa1);	/* NegTokenInit, Resp */
	if (init) {
		der_prepend(&p, &n, spnego_oid, sizeof(spnego_oid));
		der_wrap(&p, &n, 0x60);		/* [APPLICATION 0] */
	}
	if (n > outmax)
		loadgen_fatalx("a SPNEGO token too long");
	memcpy(out, p, n);
	return n;
}

/* A SESSION_SETUP carrying token; its reply in r. */
static void
session_setup_send(struct conn *c, const uint8_t *tok, size_t len,
    struct reply *r)
{
	uint64_t mid = c->next_mid;
	uint8_t *b;

	chain_begin();
	b = msg_start(c, SMB2_SESSION_SETUP, 24, 1, 0);
	smb2_put16(b, 25);
	b[3] = SMB2_NEGOTIATE_SIGNING_ENABLED | SMB2_NEGOTIATE_SIGNING_REQUIRED;
	smb2_put16(b + 12, SMB2_HDR_SIZE + 24);
	smb2_put16(b + 14, (uint16_t)len);
	buf_put(&call_buf, tok, len);
	/* The hash is over the message as sent: credits asked first. */
	chain_credits(c);
	if (c->dialect == SMB2_DIALECT_311)
		smb2_preauth_update(c->preauth, call_buf.p + 4,
		    call_buf.len - 4);
	conn_call(c, mid, r);
}

/* The NTLMSSP token inside a SPNEGO reply: from its signature on. */
static const uint8_t *
find_ntlmssp(const uint8_t *p, size_t len, size_t *toklen)
{
	size_t i;

	for (i = 0; i + 12 <= len; i++)
		if (memcmp(p + i, "NTLMSSP\0", 8) == 0 &&
		    smb2_get32(p + i + 8) == 2) {
			*toklen = len - i;
			return p + i;
		}
	return NULL;
}

/* An NTLMSSP field (length, max, offset) pointing at data. */
static void
ntlm_field(uint8_t *msg, size_t at, size_t off, size_t len)
{
	smb2_put16(msg + at, (uint16_t)len);
	smb2_put16(msg + at + 2, (uint16_t)len);
	smb2_put32(msg + at + 4, (uint32_t)off);
}

/*
 * MS-NLMP 3.1.5.1.2 and 3.3.2: the AUTHENTICATE message for the
 * CHALLENGE in chal, NTLMv2, the session key exchanged (RC4 of a random
 * key under the session base key): into out, its length returned,
 * the exported session key in key.
 */
static size_t
ntlm_authenticate(struct load *L, const uint8_t *chal, size_t chlen,
    uint8_t *out, size_t outmax, uint8_t key[16])
{
	uint8_t nt_hash[16], owf[16], proof[16], base[16], lm[24];
	uint8_t user16[512], userup[512], dom16[512], ws16[64], temp[2048];
	uint8_t cc[8], erk[16];
	const uint8_t *ti, *dom, *av;
	struct ntcrypto_rc4 rc4;
	size_t tilen, domlen, ulen, wslen, tlen, pos, off, erklen = 0;
	uint64_t ts = 0;
	uint32_t flags;
	int have_ts = 0, n;

	if (chlen < 48)
		loadgen_fatalx("NTLMSSP: a short CHALLENGE");
	flags = smb2_get32(chal + 20);
	domlen = smb2_get16(chal + 12);
	off = smb2_get32(chal + 16);
	if (off > chlen || domlen > chlen - off || domlen > sizeof(dom16))
		loadgen_fatalx("NTLMSSP: CHALLENGE's target name past it");
	dom = chal + off;
	tilen = smb2_get16(chal + 40);
	off = smb2_get32(chal + 44);
	if (off > chlen || tilen > chlen - off || tilen > 1024)
		loadgen_fatalx("NTLMSSP: CHALLENGE's target info past it");
	ti = chal + off;
	if (!(flags & NTLM_UNICODE))
		loadgen_fatalx("NTLMSSP: the server does not speak Unicode");
	/* MsvAvTimestamp: the server's time, used instead of ours. */
	for (av = ti; av + 4 <= ti + tilen; av += 4 + smb2_get16(av + 2)) {
		uint16_t id = smb2_get16(av), alen = smb2_get16(av + 2);

		if (id == AV_EOL || av + 4 + alen > ti + tilen)
			break;
		if (id == AV_TIMESTAMP && alen == 8) {
			ts = smb2_get64(av + 4);
			have_ts = 1;
		}
	}
	if (!have_ts) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		ts = ((uint64_t)now.tv_sec + 11644473600ULL) * 10000000ULL +
		    (uint64_t)now.tv_nsec / 100;
	}
	if (RAND_bytes(cc, sizeof(cc)) != 1 || RAND_bytes(key, 16) != 1)
		loadgen_fatalx("RAND_bytes failed");
	if (ntcrypto_nt_hash(L->password, nt_hash) == -1)
		loadgen_fatalx("the password is not UTF-8");
	if ((n = ntcrypto_utf16le(L->user, user16, sizeof(user16), 0)) < 0 ||
	    ntcrypto_utf16le(L->user, userup, sizeof(userup), 1) != n)
		loadgen_fatalx("bad user name %s", L->user);
	ulen = (size_t)n;
	memcpy(dom16, dom, domlen);
	/* NTOWFv2: HMAC-MD5 of the upper-cased user and the domain. */
	ntcrypto_hmac_md5(nt_hash, 16, userup, ulen, dom16, domlen, NULL, 0,
	    owf);
	/* The blob: 1, 1, zeros, the time, the client challenge, zeros,
	 * the target info, zeros. */
	memset(temp, 0, 28);
	temp[0] = 1;
	temp[1] = 1;
	smb2_put64(temp + 8, ts);
	memcpy(temp + 16, cc, 8);
	memcpy(temp + 28, ti, tilen);
	tlen = 28 + tilen;
	memset(temp + tlen, 0, 4);
	tlen += 4;
	ntcrypto_hmac_md5(owf, 16, chal + 24, 8, temp, tlen, NULL, 0, proof);
	ntcrypto_hmac_md5(owf, 16, proof, 16, NULL, 0, NULL, 0, base);
	/* LMv2, or zeros when the server sent its time (3.3.2). */
	memset(lm, 0, sizeof(lm));
	if (!have_ts) {
		ntcrypto_hmac_md5(owf, 16, chal + 24, 8, cc, 8, NULL, 0, lm);
		memcpy(lm + 16, cc, 8);
	}
	/* KEY_EXCH: the exported key, RC4 under the key exchange key;
	 * without it the session key is the base key itself. */
	if (flags & NTLM_KEY_EXCH) {
		memcpy(erk, key, 16);
		ntcrypto_rc4_init(&rc4, base, 16);
		ntcrypto_rc4(&rc4, erk, 16);
		erklen = 16;
	} else
		memcpy(key, base, 16);
	wslen = utf16("SMBLOAD", ws16, sizeof(ws16));
	pos = 64;
	if (pos + 24 + 16 + tlen + domlen + ulen + wslen + 16 > outmax)
		loadgen_fatalx("NTLMSSP: AUTHENTICATE too long");
	memset(out, 0, 64);
	memcpy(out, "NTLMSSP\0", 8);
	smb2_put32(out + 8, 3);
	ntlm_field(out, 12, pos, 24);
	memcpy(out + pos, lm, 24);
	pos += 24;
	ntlm_field(out, 20, pos, 16 + tlen);
	memcpy(out + pos, proof, 16);
	memcpy(out + pos + 16, temp, tlen);
	pos += 16 + tlen;
	ntlm_field(out, 28, pos, domlen);
	memcpy(out + pos, dom16, domlen);
	pos += domlen;
	ntlm_field(out, 36, pos, ulen);
	memcpy(out + pos, user16, ulen);
	pos += ulen;
	ntlm_field(out, 44, pos, wslen);
	memcpy(out + pos, ws16, wslen);
	pos += wslen;
	ntlm_field(out, 52, pos, erklen);
	memcpy(out + pos, erk, erklen);
	pos += erklen;
	smb2_put32(out + 60, NTLM_FLAGS & flags);
	OPENSSL_cleanse(nt_hash, sizeof(nt_hash));
	OPENSSL_cleanse(owf, sizeof(owf));
	OPENSSL_cleanse(base, sizeof(base));
	return pos;
}

/* MS-SMB2 3.2.4.2.3: SESSION_SETUP, NTLMSSP in SPNEGO, two legs. */
static void
conn_session_setup(struct load *L, struct conn *c)
{
	uint8_t neg[32], tok[4096], auth[3072], key[16];
	const uint8_t *rb, *sec, *chal;
	struct reply r;
	size_t len, chlen;
	uint16_t sflags;

	memset(neg, 0, sizeof(neg));
	memcpy(neg, "NTLMSSP\0", 8);
	smb2_put32(neg + 8, 1);
	smb2_put32(neg + 12, NTLM_FLAGS);
	len = spnego_wrap(1, neg, sizeof(neg), tok, sizeof(tok));
	session_setup_send(c, tok, len, &r);
	if (r.status != STATUS_MORE_PROCESSING)
		loadgen_fatalx("SESSION_SETUP (NTLMSSP NEGOTIATE): status "
		    "0x%08x (%s)", r.status, smb2_status_name(r.status));
	if (c->dialect == SMB2_DIALECT_311)
		smb2_preauth_update(c->preauth, r.msg, r.len);
	c->session_id = r.session_id;
	rb = reply_body(&r, 8, "SESSION_SETUP");
	if ((sec = reply_buffer(&r, smb2_get16(rb + 4), smb2_get16(rb + 6))) ==
	    NULL || (chal = find_ntlmssp(sec, smb2_get16(rb + 6), &chlen)) ==
	    NULL)
		loadgen_fatalx("SESSION_SETUP: no NTLMSSP CHALLENGE");
	len = ntlm_authenticate(L, chal, chlen, auth, sizeof(auth), key);
	len = spnego_wrap(0, auth, len, tok, sizeof(tok));
	session_setup_send(c, tok, len, &r);
	/* The keys, from the hash up to this last request (3.2.5.3.1). */
	if (smb2_signing_key(c->dialect, key, 16, c->preauth,
	    c->sign_key) == -1)
		loadgen_fatalx("signing key derivation failed");
	if (L->seal && smb2_cipher_keys(c->dialect, c->cipher, key, 16,
	    c->preauth, c->dec_key, c->enc_key) == -1)
		loadgen_fatalx("encryption key derivation failed");
	OPENSSL_cleanse(key, sizeof(key));
	if (r.status != STATUS_SUCCESS)
		loadgen_fatalx("SESSION_SETUP as %s: status 0x%08x (%s)",
		    L->user, r.status, smb2_status_name(r.status));
	rb = reply_body(&r, 8, "SESSION_SETUP");
	sflags = smb2_get16(rb + 2);
	if (sflags & (SESSION_FLAG_GUEST | SESSION_FLAG_NULL))
		loadgen_fatalx("SESSION_SETUP: logged on as guest or "
		    "anonymous, not as %s: no signing", L->user);
	/* The last reply is signed with the new key: check it. */
	if (!(r.flags & SMB2_FLAGS_SIGNED) ||
	    smb2_verify(c->sign_alg, c->sign_key, r.msg, r.len) == -1)
		loadgen_fatalx("SESSION_SETUP: the final reply's signature "
		    "is %s", (r.flags & SMB2_FLAGS_SIGNED) ? "bad" : "missing");
	if ((sflags & SESSION_FLAG_ENCRYPT) && !L->seal)
		loadgen_fatalx("the server wants this session sealed: -e");
	c->signing = 1;
	c->sealing = L->seal;
}

static void
conn_tree_connect(struct load *L, struct conn *c)
{
	char path[600];
	uint8_t *b, p16[1200];
	const uint8_t *rb;
	struct reply r;
	uint64_t mid = c->next_mid;
	size_t n;

	snprintf(path, sizeof(path), "\\\\%s\\%s", L->host, L->share);
	n = utf16(path, p16, sizeof(p16));
	chain_begin();
	b = msg_start(c, SMB2_TREE_CONNECT, 8, 1, 0);
	smb2_put16(b, 9);
	smb2_put16(b + 4, SMB2_HDR_SIZE + 8);
	smb2_put16(b + 6, (uint16_t)n);
	buf_put(&call_buf, p16, n);
	conn_call(c, mid, &r);
	check_status(&r, "TREE_CONNECT");
	rb = reply_body(&r, 16, "TREE_CONNECT");
	c->tree_id = r.tree_id;
	if ((smb2_get32(rb + 4) & SHAREFLAG_ENCRYPT) && !L->seal)
		loadgen_fatalx("share %s wants encryption: -e", L->share);
}

/* Raise c's credits to want (ECHOs asking for them); what it got. */
static uint32_t
conn_credits(struct conn *c, uint32_t want)
{
	struct reply r;
	uint64_t mid;
	uint8_t *b;
	int i;

	c->want = want;
	for (i = 0; i < 16 && c->credits < want; i++) {
		uint32_t before = c->credits;

		mid = c->next_mid;
		chain_begin();
		b = msg_start(c, SMB2_ECHO, 4, 1, 0);
		smb2_put16(b, 4);
		conn_call(c, mid, &r);
		check_status(&r, "ECHO");
		if (c->credits <= before)
			break;
	}
	return c->credits;
}

/* CREATE: the message's body after the fixed part (name at 120). */
static void
put_create(struct conn *c, const char *name, uint32_t access,
    uint32_t attrs, uint32_t disposition, uint32_t options, int related)
{
	uint8_t n16[1024], *b;
	size_t n = name[0] != '\0' ? utf16(name, n16, sizeof(n16)) : 0;

	b = msg_start(c, SMB2_CREATE, 56, 1, related);
	smb2_put16(b, 57);
	smb2_put32(b + 4, 2);			/* impersonation */
	smb2_put32(b + 24, access);
	smb2_put32(b + 28, attrs);
	smb2_put32(b + 32, SHARE_ALL);
	smb2_put32(b + 36, disposition);
	smb2_put32(b + 40, options);
	smb2_put16(b + 44, SMB2_HDR_SIZE + 56);
	smb2_put16(b + 46, (uint16_t)n);
	if (n > 0)
		buf_put(&call_buf, n16, n);
	else
		buf_add(&call_buf, 1);
}

static void
put_close(struct conn *c, const uint8_t fid[16], int related)
{
	uint8_t *b = msg_start(c, SMB2_CLOSE, 24, 1, related);

	smb2_put16(b, 24);
	if (related)
		memset(b + 8, 0xff, 16);
	else
		memcpy(b + 8, fid, 16);
}

static void
put_query_info(struct conn *c, int related)
{
	uint8_t *b = msg_start(c, SMB2_QUERY_INFO, 40, 1, related);

	smb2_put16(b, 41);
	b[2] = INFO_FILE;
	b[3] = CLASS_ALL_INFORMATION;
	smb2_put32(b + 4, 4096);
	memset(b + 24, 0xff, 16);
	buf_add(&call_buf, 1);
}

static void
put_query_dir(struct conn *c, const uint8_t fid[16], int restart)
{
	uint8_t s16[4], *b = msg_start(c, SMB2_QUERY_DIRECTORY, 32, 1, 0);
	size_t n = utf16("*", s16, sizeof(s16));

	smb2_put16(b, 33);
	b[2] = CLASS_ID_BOTH_DIR;
	b[3] = restart ? QDIR_RESTART_SCANS : 0;
	memcpy(b + 8, fid, 16);
	smb2_put16(b + 24, SMB2_HDR_SIZE + 32);
	smb2_put16(b + 26, (uint16_t)n);
	smb2_put32(b + 28, DIR_OUT);
	buf_put(&call_buf, s16, n);
}

/* WRITE or READ of len bytes at off on fid. */
static void
put_io(struct conn *c, int write, const uint8_t fid[16], uint64_t off,
    uint32_t len, const uint8_t *data)
{
	uint16_t charge = smb2_credit_charge_for(len);
	uint8_t *b;

	b = msg_start(c, write ? SMB2_WRITE : SMB2_READ, 48, charge, 0);
	smb2_put16(b, 49);
	if (write) {
		smb2_put16(b + 2, SMB2_HDR_SIZE + 48);
		smb2_put32(b + 4, len);
		smb2_put64(b + 8, off);
		memcpy(b + 16, fid, 16);
		buf_put(&call_buf, data, len);
	} else {
		b[2] = 0x50;
		smb2_put32(b + 4, len);
		smb2_put64(b + 8, off);
		memcpy(b + 16, fid, 16);
		smb2_put32(b + 32, len);	/* minimum count */
		buf_add(&call_buf, 1);
	}
}

static void
file_name(const struct load *L, char *buf, size_t len, uint64_t index)
{
	snprintf(buf, len, "%s\\f%07" PRIu64, L->dir, index);
}

/* The credits step s of slot sl needs. */
static uint32_t
step_charge(const struct slot *sl)
{
	switch (sl->step) {
	case STEP_WRITE:
	case STEP_READ:
		return smb2_credit_charge_for(sl->length);
	case STEP_GETATTR:
		return 3;
	case STEP_REMOVE:
		return 2;
	default:
		return 1;
	}
}

/* Build and queue slot s's request, or mark it blocked for credits. */
static void
slot_send(struct conn *c, int s, enum step step)
{
	struct load *L = c->load;
	struct slot *sl = &c->slots[s];
	char name[300];
	uint32_t need;

	sl->step = step;
	need = step_charge(sl);
	if (c->credits < need) {
		if (!sl->blocked) {
			sl->blocked = 1;
			c->nblocked++;
		}
		return;
	}
	if (sl->blocked) {
		sl->blocked = 0;
		c->nblocked--;
	}
	sl->mid = c->next_mid;
	chain_begin();
	switch (step) {
	case STEP_WRITE:
	case STEP_READ:
		put_io(c, step == STEP_WRITE, c->data_fid, sl->offset,
		    sl->length, L->wbuf);
		sl->left = 1;
		break;
	case STEP_CREATE:
		file_name(L, name, sizeof(name), sl->index);
		put_create(c, name, ACCESS_READ_DATA | ACCESS_WRITE_DATA |
		    ACCESS_READ_ATTRIBUTES | ACCESS_SYNCHRONIZE, ATTR_NORMAL,
		    FILE_CREATE, OPT_NON_DIRECTORY, 0);
		sl->left = 1;
		break;
	case STEP_CLOSE:
		put_close(c, sl->fid, 0);
		sl->left = 1;
		break;
	case STEP_GETATTR:
		file_name(L, name, sizeof(name), sl->index);
		put_create(c, name, ACCESS_READ_ATTRIBUTES |
		    ACCESS_SYNCHRONIZE, 0, FILE_OPEN, 0, 0);
		put_query_info(c, 1);
		put_close(c, NULL, 1);
		sl->left = 3;
		break;
	case STEP_REMOVE:
		file_name(L, name, sizeof(name), sl->index);
		put_create(c, name, ACCESS_DELETE | ACCESS_SYNCHRONIZE |
		    ACCESS_READ_ATTRIBUTES, 0, FILE_OPEN,
		    OPT_NON_DIRECTORY | OPT_DELETE_ON_CLOSE, 0);
		put_close(c, NULL, 1);
		sl->left = 2;
		break;
	case STEP_OPENDIR:
		put_create(c, L->dir, ACCESS_READ_DATA |
		    ACCESS_READ_ATTRIBUTES | ACCESS_SYNCHRONIZE, 0, FILE_OPEN,
		    OPT_DIRECTORY, 0);
		sl->left = 1;
		break;
	case STEP_QUERYDIR:
		put_query_dir(c, sl->fid, sl->restart);
		sl->left = 1;
		break;
	default:
		loadgen_fatalx("slot_send: step %d", (int)step);
	}
	sl->span = (uint32_t)(c->next_mid - sl->mid);
	chain_end(c);
	c->inflight++;
}

/* Queue the next operation of the phase on slot s: 1 queued, 0 done. */
static int
issue(struct conn *c, int s)
{
	struct load *L = c->load;
	struct slot *sl = &c->slots[s];

	if (L->error[0] != '\0' || loadgen_now() >= L->deadline)
		return 0;
	sl->issued = loadgen_now();
	switch (L->phase) {
	case PHASE_WRITE:
	case PHASE_READ:
		if (L->next_offset >= L->file_bytes)
			return 0;
		sl->offset = L->next_offset;
		sl->length = L->chunk;
		L->next_offset += L->chunk;
		slot_send(c, s, L->phase == PHASE_WRITE ? STEP_WRITE :
		    STEP_READ);
		return 1;
	case PHASE_RANDWRITE:
	case PHASE_RANDREAD:
		sl->offset = (loadgen_random(&L->rng) %
		    (L->file_bytes / RAND_BLOCK)) * RAND_BLOCK;
		sl->length = RAND_BLOCK;
		slot_send(c, s, L->phase == PHASE_RANDWRITE ? STEP_WRITE :
		    STEP_READ);
		return 1;
	case PHASE_CREATE:
	case PHASE_REMOVE:
		if (L->next_index >= L->limit_index)
			return 0;
		sl->index = L->next_index++;
		slot_send(c, s, L->phase == PHASE_CREATE ? STEP_CREATE :
		    STEP_REMOVE);
		return 1;
	case PHASE_GETATTR:
		if (L->files_made == 0)
			return 0;
		sl->index = loadgen_random(&L->rng) % L->files_made;
		slot_send(c, s, STEP_GETATTR);
		return 1;
	case PHASE_READDIR:
		sl->entries = 0;
		slot_send(c, s, STEP_OPENDIR);
		return 1;
	default:
		return 0;
	}
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

/* The entries of a FileIdBothDirectoryInformation listing, but "."
 * and "..", as NFSv4's READDIR has none. */
static int
count_entries(const uint8_t *p, size_t len, uint64_t *n)
{
	size_t off = 0;
	uint32_t next, nlen;

	for (;;) {
		if (len - off < 104)
			return -1;
		nlen = smb2_get32(p + off + 60);
		if (nlen > len - off - 104)
			return -1;
		if (!((nlen == 2 || nlen == 4) && smb2_get16(p + off + 104) ==
		    '.' && (nlen == 2 || smb2_get16(p + off + 106) == '.')))
			(*n)++;
		next = smb2_get32(p + off);
		if (next == 0)
			return 0;
		if (next > len - off)
			return -1;
		off += next;
	}
}

/* A reply for slot s: the next request of its operation, or a new one. */
static void
slot_reply(struct conn *c, int s, const struct reply *r)
{
	struct load *L = c->load;
	struct slot *sl = &c->slots[s];
	const uint8_t *rb, *data;
	uint32_t n;

	if (r->status != STATUS_SUCCESS && !(sl->step == STEP_QUERYDIR &&
	    r->status == STATUS_NO_MORE_FILES)) {
		load_fail(L, "%s: %s failed with status 0x%08x (%s)",
		    phase_info[L->phase].name, smb2_command_name(r->command),
		    r->status, smb2_status_name(r->status));
		sl->left = 0;
		c->inflight--;
		sl->step = STEP_IDLE;
		return;
	}
	rb = r->msg + SMB2_HDR_SIZE;
	if (--sl->left > 0) {
		/* A compound's earlier reply: check its shape only. */
		if (r->command == SMB2_QUERY_INFO && (r->len < SMB2_HDR_SIZE +
		    8 || reply_buffer(r, smb2_get16(rb + 2),
		    smb2_get32(rb + 4)) == NULL || smb2_get32(rb + 4) < 24))
			load_fail(L, "getattr: a QUERY_INFO reply without "
			    "the file's information");
		return;
	}
	c->inflight--;
	switch (sl->step) {
	case STEP_WRITE:
		if (r->len < SMB2_HDR_SIZE + 8 ||
		    (n = smb2_get32(rb + 4)) != sl->length) {
			load_fail(L, "%s: a short WRITE",
			    phase_info[L->phase].name);
			return;
		}
		L->bytes_done += n;
		op_done(c, sl, 1);
		break;
	case STEP_READ:
		if (r->len < SMB2_HDR_SIZE + 16 ||
		    (n = smb2_get32(rb + 4)) != sl->length ||
		    (data = reply_buffer(r, rb[2], n)) == NULL) {
			load_fail(L, "%s: a short or bad READ reply",
			    phase_info[L->phase].name);
			return;
		}
		L->bytes_done += n;
		op_done(c, sl, 1);
		break;
	case STEP_CREATE:
	case STEP_OPENDIR:
		if (r->len < SMB2_HDR_SIZE + 88) {
			load_fail(L, "a short CREATE reply");
			return;
		}
		memcpy(sl->fid, rb + 64, 16);
		if (sl->step == STEP_OPENDIR) {
			sl->restart = 1;
			slot_send(c, s, STEP_QUERYDIR);
		} else
			slot_send(c, s, STEP_CLOSE);
		return;
	case STEP_QUERYDIR:
		if (r->status == STATUS_NO_MORE_FILES) {
			slot_send(c, s, STEP_CLOSE);
			return;
		}
		if (r->len < SMB2_HDR_SIZE + 8 ||
		    (data = reply_buffer(r, smb2_get16(rb + 2),
		    smb2_get32(rb + 4))) == NULL ||
		    count_entries(data, smb2_get32(rb + 4), &sl->entries) ==
		    -1) {
			load_fail(L, "readdir: a bad QUERY_DIRECTORY reply");
			return;
		}
		sl->restart = 0;
		slot_send(c, s, STEP_QUERYDIR);
		return;
	case STEP_CLOSE:
		if (L->phase == PHASE_CREATE) {
			L->files_made++;
			op_done(c, sl, 1);
		} else
			op_done(c, sl, sl->entries);
		break;
	case STEP_GETATTR:
	case STEP_REMOVE:
		op_done(c, sl, 1);
		break;
	default:
		load_fail(L, "a reply for an idle slot");
		return;
	}
	issue(c, s);
}

/* The slot whose request took message id mid, or -1. */
static int
slot_of(const struct conn *c, uint64_t mid)
{
	int s;

	for (s = 0; s < c->load->depth; s++) {
		const struct slot *sl = &c->slots[s];

		if (sl->step != STEP_IDLE && !sl->blocked && sl->left > 0 &&
		    mid >= sl->mid && mid < sl->mid + sl->span)
			return s;
	}
	return -1;
}

/* Handle every complete reply on c; -1 on a broken connection. */
static int
conn_replies(struct conn *c)
{
	struct reply r;
	int got, s;

	while ((got = conn_next_reply(c, &r)) > 0) {
		if (r.status == STATUS_PENDING &&
		    (r.flags & SMB2_FLAGS_ASYNC_COMMAND))
			continue;	/* the final reply follows */
		if ((s = slot_of(c, r.mid)) == -1) {
			load_fail(c->load, "connection %d: a reply to no "
			    "request (mid %" PRIu64 ")", c->index, r.mid);
			return -1;
		}
		slot_reply(c, s, &r);
	}
	if (got < 0)
		return -1;
	/* Requests that waited for the credits these replies granted. */
	for (s = 0; c->nblocked > 0 && s < c->load->depth; s++)
		if (c->slots[s].blocked)
			slot_send(c, s, c->slots[s].step);
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
			if (c->nblocked > 0 && c->inflight == 0) {
				load_fail(L, "connection %d: no credits left "
				    "(%u) and nothing in flight", i,
				    c->credits);
				return loadgen_now() - t0;
			}
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

/* CREATE of name (blocking); its status, the file id in fid. */
static uint32_t
create_sync(struct conn *c, const char *name, uint32_t access,
    uint32_t attrs, uint32_t disposition, uint32_t options, uint8_t fid[16])
{
	struct reply r;
	uint64_t mid = c->next_mid;

	chain_begin();
	put_create(c, name, access, attrs, disposition, options, 0);
	conn_call(c, mid, &r);
	if (r.status == STATUS_SUCCESS) {
		if (r.len < SMB2_HDR_SIZE + 88)
			loadgen_fatalx("a short CREATE reply");
		memcpy(fid, r.msg + SMB2_HDR_SIZE + 64, 16);
	}
	return r.status;
}

static uint32_t
close_sync(struct conn *c, const uint8_t fid[16])
{
	struct reply r;
	uint64_t mid = c->next_mid;

	chain_begin();
	put_close(c, fid, 0);
	conn_call(c, mid, &r);
	return r.status;
}

/* Remove name (a directory with dir): open to delete on close, close. */
static uint32_t
remove_sync(struct conn *c, const char *name, int dir)
{
	uint8_t fid[16];
	uint32_t st;

	st = create_sync(c, name, ACCESS_DELETE | ACCESS_SYNCHRONIZE, 0,
	    FILE_OPEN, (dir ? OPT_DIRECTORY : OPT_NON_DIRECTORY) |
	    OPT_DELETE_ON_CLOSE, fid);
	if (st != STATUS_SUCCESS)
		return st;
	return close_sync(c, fid);
}

static uint32_t
flush_sync(struct conn *c, const uint8_t fid[16])
{
	struct reply r;
	uint64_t mid = c->next_mid;
	uint8_t *b;

	chain_begin();
	b = msg_start(c, SMB2_FLUSH, 24, 1, 0);
	smb2_put16(b, 24);
	memcpy(b + 8, fid, 16);
	conn_call(c, mid, &r);
	return r.status;
}

/* smb://[USER@]HOST[:PORT]/SHARE */
static void
parse_url(struct load *L, const char *url, char *port, size_t portlen,
    const char **user)
{
	const char *p, *slash, *colon, *at;
	size_t n;

	if (strncmp(url, "smb://", 6) != 0)
		loadgen_fatalx("the URL must start smb:// (%s)", url);
	p = url + 6;
	if ((slash = strchr(p, '/')) == NULL)
		loadgen_fatalx("no share in %s", url);
	at = memchr(p, '@', (size_t)(slash - p));
	if (at != NULL) {
		static char u[256];

		snprintf(u, sizeof(u), "%.*s", (int)(at - p), p);
		*user = u;
		p = at + 1;
	}
	colon = memchr(p, ':', (size_t)(slash - p));
	snprintf(port, portlen, "445");
	n = (size_t)((colon != NULL ? colon : slash) - p);
	if (n == 0 || n >= sizeof(L->host))
		loadgen_fatalx("bad host in %s", url);
	memcpy(L->host, p, n);
	L->host[n] = '\0';
	if (colon != NULL)
		snprintf(port, portlen, "%.*s", (int)(slash - colon - 1),
		    colon + 1);
	snprintf(L->share, sizeof(L->share), "%s", slash + 1);
	n = strcspn(L->share, "/?");
	L->share[n] = '\0';
	if (n == 0)
		loadgen_fatalx("no share in %s", url);
}

static void
report(struct load *L, double seconds)
{
	loadgen_report(L->seal ? "smbsealed" : "smb", &phase_info[L->phase],
	    L->phase == PHASE_WRITE || L->phase == PHASE_READ ?
	    L->bytes_done : L->ops_done, seconds, L->lat, L->nlat);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: smbload --url smb://[USER@]HOST[:PORT]/SHARE\n"
	    "               [--user USER[%%PASSWORD]] [-e] "
	    "[--dialect 311|302|300|210]\n"
	    "               [--conns N (4)] [--depth N (16)] [--size MIB (256)]\n"
	    "               [--seconds S (5)] [--files N (5000)] [--dir NAME]\n"
	    "               [--tests write,read,randwrite,randread,create,"
	    "getattr,\n"
	    "                        readdir,remove]\n"
	    "       the password: --user's, else $SMBLOAD_PASSWORD\n");
	exit(2);
}

/* Take smbload's own options out of argv; loadgen_options the rest. */
static int
own_options(struct load *L, int argc, char **argv, char **rest,
    const char **user)
{
	int i, n = 0;

	L->dialect_max = SMB2_DIALECT_311;
	rest[n++] = argv[0];
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-e") == 0 ||
		    strcmp(argv[i], "--seal") == 0)
			L->seal = 1;
		else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			*user = argv[++i];
		else if (strcmp(argv[i], "--dialect") == 0 && i + 1 < argc) {
			long d = strtol(argv[++i], NULL, 16);

			if (d != SMB2_DIALECT_210 && d != SMB2_DIALECT_300 &&
			    d != SMB2_DIALECT_302 && d != SMB2_DIALECT_311)
				usage();
			L->dialect_max = (uint16_t)d;
		} else
			rest[n++] = argv[i];
	}
	rest[n] = NULL;
	return n;
}

int
main(int argc, char **argv)
{
	static struct load L;
	static char userbuf[256];
	struct loadgen_opts o;
	char port[32], name[300], **rest, *pct;
	const char *user = NULL;
	uint8_t fid[16];
	int want[PHASE_COUNT], i, p, s, failed = 0, nrest;
	uint64_t k;
	uint32_t st, need, got;
	double t;

	loadgen_prog = "smbload";
	if ((rest = calloc((size_t)argc + 1, sizeof(*rest))) == NULL)
		loadgen_fatalx("out of memory");
	nrest = own_options(&L, argc, argv, rest, &user);
	loadgen_options(nrest, rest, &o, "smbload", usage);
	L.nconns = o.conns;
	L.depth = o.depth;
	parse_url(&L, o.url, port, sizeof(port), &user);
	if (user == NULL)
		loadgen_fatalx("no user: --user or smb://USER@HOST/SHARE");
	snprintf(userbuf, sizeof(userbuf), "%s", user);
	L.user = userbuf;
	if ((pct = strchr(userbuf, '%')) != NULL) {
		*pct = '\0';
		L.password = pct + 1;
	} else if ((L.password = getenv("SMBLOAD_PASSWORD")) == NULL)
		loadgen_fatalx("no password: --user USER%%PASSWORD or "
		    "$SMBLOAD_PASSWORD");
	snprintf(L.dir, sizeof(L.dir), "%s", o.dir);
	loadgen_want(o.tests, phase_info, PHASE_COUNT, want);
	/* Reads need the file write makes; the name phases need create's
	 * files, and remove cleans them up. */
	if (want[PHASE_READ] || want[PHASE_RANDWRITE] ||
	    want[PHASE_RANDREAD])
		want[PHASE_WRITE] = 1;
	if (want[PHASE_GETATTR] || want[PHASE_READDIR])
		want[PHASE_CREATE] = 1;
	if (want[PHASE_CREATE])
		want[PHASE_REMOVE] = 1;

	L.rng = 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid() ^
	    (uint64_t)time(NULL) << 20;
	L.chunk = IO_MAX;
	for (i = 0; i < L.nconns; i++) {
		struct conn *c = &L.conns[i];

		c->load = &L;
		c->index = i;
		c->fd = loadnet_connect(L.host, port);
		conn_negotiate(&L, c);
		conn_session_setup(&L, c);
		conn_tree_connect(&L, c);
		if (c->max_write < L.chunk)
			L.chunk = c->max_write;
		if (c->max_read < L.chunk)
			L.chunk = c->max_read;
	}
	if (L.chunk < RAND_BLOCK)
		loadgen_fatalx("the server's MaxReadSize/MaxWriteSize is "
		    "below 4 KiB");
	if (L.conns[0].dialect < SMB2_DIALECT_210 && L.chunk > 65536)
		L.chunk = 65536;
	/* Enough credits for every request in flight at its largest. */
	need = (uint32_t)L.depth * smb2_credit_charge_for(L.chunk) + 4;
	for (i = 0; i < L.nconns; i++)
		if ((got = conn_credits(&L.conns[i], need)) < (uint32_t)L.depth *
		    3 + 1)
			loadgen_fatalx("the server grants %u credits: --depth "
			    "%d needs %u", got, L.depth, (uint32_t)L.depth * 3 +
			    1);
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
		L.wbuf[k] = (uint8_t)loadgen_random(&L.rng);

	st = create_sync(&L.conns[0], L.dir, ACCESS_READ_DATA |
	    ACCESS_READ_ATTRIBUTES | ACCESS_SYNCHRONIZE, ATTR_DIRECTORY,
	    FILE_CREATE, OPT_DIRECTORY, fid);
	if (st != STATUS_SUCCESS)
		loadgen_fatalx("create directory %s in %s: status 0x%08x (%s)",
		    L.dir, L.share, st, smb2_status_name(st));
	close_sync(&L.conns[0], fid);
	fprintf(stderr, "smbload: %d connections x %d in flight, dialect "
	    "%x, %s, %" PRIu32 " KiB sequential I/O, %" PRIu64 " MiB file, "
	    "%lds timed phases\n", L.nconns, L.depth, L.conns[0].dialect,
	    L.seal ? (L.conns[0].cipher == SMB2_CIPHER_AES128_GCM ?
	    "sealed (AES-128-GCM)" : "sealed (AES-128-CCM)") :
	    (L.conns[0].dialect >= SMB2_DIALECT_300 ? "signed (AES-128-CMAC)" :
	    "signed (HMAC-SHA256)"), L.chunk / 1024, L.file_bytes >> 20,
	    o.seconds);
	snprintf(name, sizeof(name), "%s\\data", L.dir);
	if (want[PHASE_WRITE])
		for (i = 0; i < L.nconns; i++) {
			st = create_sync(&L.conns[i], name, ACCESS_READ_DATA |
			    ACCESS_WRITE_DATA | ACCESS_READ_ATTRIBUTES |
			    ACCESS_SYNCHRONIZE, ATTR_NORMAL, FILE_OPEN_IF,
			    OPT_NON_DIRECTORY, L.conns[i].data_fid);
			if (st != STATUS_SUCCESS)
				loadgen_fatalx("open %s: status 0x%08x (%s)",
				    name, st, smb2_status_name(st));
			L.conns[i].data_open = 1;
		}
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
		/* Sequential and remove phases run to their count. */
		t = run_phase(&L, L.phase == PHASE_WRITE ||
		    L.phase == PHASE_READ || L.phase == PHASE_REMOVE ?
		    (double)o.seconds * 60 : (double)o.seconds);
		/* Written data is on disk in its own phase (nfs4load.c). */
		if ((L.phase == PHASE_WRITE || L.phase == PHASE_RANDWRITE) &&
		    L.error[0] == '\0') {
			double t0 = loadgen_now();

			if ((st = flush_sync(&L.conns[0], L.conns[0].data_fid)) !=
			    STATUS_SUCCESS)
				load_fail(&L, "FLUSH: status 0x%08x (%s)", st,
				    smb2_status_name(st));
			t += loadgen_now() - t0;
		}
		if (L.phase == PHASE_WRITE && L.error[0] == '\0' &&
		    L.bytes_done != L.file_bytes)
			load_fail(&L, "write: %" PRIu64 " of %" PRIu64
			    " bytes written", L.bytes_done, L.file_bytes);
		if (L.error[0] != '\0') {
			fprintf(stderr, "smbload: %s\n", L.error);
			failed = 1;
			break;
		}
		report(&L, t);
	}

	/* Clean up, after a failure too: replies still owed to the failed
	 * phase are passed over by message id. */
	for (i = 0; i < L.nconns; i++) {
		struct conn *c = &L.conns[i];

		for (s = 0; s < L.depth; s++)
			if (c->slots[s].blocked)
				c->slots[s].blocked = 0;
		fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) & ~O_NONBLOCK);
		if (c->data_open && close_sync(c, c->data_fid) !=
		    STATUS_SUCCESS)
			fprintf(stderr, "smbload: close data failed\n");
	}
	if (want[PHASE_WRITE])
		remove_sync(&L.conns[0], name, 0);
	for (k = 0; failed && k < L.files_made + (uint64_t)L.nconns *
	    (uint64_t)L.depth; k++) {
		file_name(&L, name, sizeof(name), k);
		remove_sync(&L.conns[0], name, 0);
	}
	if ((st = remove_sync(&L.conns[0], L.dir, 1)) != STATUS_SUCCESS) {
		fprintf(stderr, "smbload: remove %s: status 0x%08x (%s)\n",
		    L.dir, st, smb2_status_name(st));
		failed = 1;
	}
	for (i = 0; i < L.nconns; i++)
		close(L.conns[i].fd);
	free(L.wbuf);
	free(L.lat);
	free(rest);
	return failed;
}
