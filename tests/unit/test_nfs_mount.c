/*
 * nfsd/mount.c's DUMP list and nfsd/drc.c's key, without a network:
 * mount_path_normalize (repeated and trailing '/', "." and "..", long
 * components, relative paths), MNT of one directory under many
 * spellings listed once, the list bounded per client address and in
 * total, DUMP answered in full on TCP and empty on UDP; and the reply
 * cache key: the call's checksum covers the credential and the
 * arguments but not the verifier, and entries differing only in the
 * client's port are distinct.  mount.c is linked with stubs for the
 * RPC layer and blockd, and called through its program table.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "nfsd.h"
#include "tap.h"

/* Stubs: what mount.c calls outside itself. */
static uint8_t reply[65536];
static size_t reply_len;
static uint32_t reply_error;

void
bdc_call(struct bdc *b, uint32_t type, xdrproc_t p, const void *a,
    xdrproc_t rp, size_t rs, bdc_done_fn *fn, void *arg)
{
	fn(arg, -5, NULL, -1);		/* EIO: never reached by the tests */
}

/* The test's calls have no head reserved: out is the body. */
void
rpcsvc_reply_body(struct rpcsvc_call *call)
{
	reply_len = call->out.len < sizeof(reply) ? call->out.len : 0;
	memcpy(reply, call->out.buf, reply_len);
	reply_error = 0;
	xdrbuf_out_free(&call->out);
}

void
rpcsvc_reply_error(struct rpcsvc_call *call, uint32_t stat)
{
	reply_len = 0;
	reply_error = stat;
	xdrbuf_out_free(&call->out);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
norm(const char *in, const char *want)
{
	char out[MNT_PATH_MAX + 1];
	size_t len = 0;
	uint32_t st;

	st = mount_path_normalize((const uint8_t *)in, strlen(in), out, &len);
	if (want == NULL)
		return st != 0;
	return st == 0 && strcmp(out, want) == 0 && len == strlen(want);
}

static void
test_normalize(void)
{
	char out[MNT_PATH_MAX + 1], big[MNT_PATH_MAX + 2];
	size_t len;

	tap_ok(norm("/export", "/export"), "/export stays");
	tap_ok(norm("/a//b", "/a/b"), "/a//b is /a/b");
	tap_ok(norm("/a///b", "/a/b"), "/a///b is /a/b");
	tap_ok(norm("//a/b/", "/a/b"), "//a/b/ is /a/b");
	tap_ok(norm("/a/b////", "/a/b"), "trailing slashes go");
	tap_ok(norm("/", "/") && norm("///", "/"), "/ and /// are /");
	tap_ok(norm("/a/.../b", "/a/.../b") && norm("/a/.b/c.", "/a/.b/c."),
	    "names that merely start or end with dots stay");
	tap_ok(mount_path_normalize((const uint8_t *)"/a/./b", 6, out,
	    &len) == 22, "a \".\" component: MNT3ERR_INVAL");
	tap_ok(mount_path_normalize((const uint8_t *)"/a/..", 5, out,
	    &len) == 22, "a \"..\" component: MNT3ERR_INVAL");
	tap_ok(mount_path_normalize((const uint8_t *)"/..//x", 6, out,
	    &len) == 22, "\"..\" at the top: MNT3ERR_INVAL");
	tap_ok(norm("a/b", NULL) && norm("", NULL), "relative or empty: refused");
	tap_ok(mount_path_normalize((const uint8_t *)"/a\0b", 4, out,
	    &len) == 2, "a NUL inside: MNT3ERR_NOENT");
	memset(big, 'n', sizeof(big));
	big[0] = '/';
	tap_ok(mount_path_normalize((const uint8_t *)big, 257, out,
	    &len) == 63, "a 256-byte component: MNT3ERR_NAMETOOLONG");
	tap_ok(mount_path_normalize((const uint8_t *)big, MNT_PATH_MAX + 1,
	    out, &len) != 0, "longer than MNT_PATH_MAX: refused");
}

/* A MOUNT v3 call through mount_program's table; the reply's first word. */
static uint32_t
mount_call(struct nfsd_env *env, const char *peer, uint32_t proc,
    const char *path, int udp)
{
	static uint8_t args[MNT_PATH_MAX + 8];
	static uint64_t state[1024];	/* mount.c's struct mount_call */
	const struct rpcsvc_version *v = &mount_program.versions[1];
	struct rpcsvc_call r;
	size_t n = 0, len;

	memset(&r, 0, sizeof(r));
	memset(state, 0, sizeof(state));
	r.state = state;
	r.udp_fd = udp ? 3 : -1;
	r.conn = udp ? NULL : (struct rpcsvc_conn *)&r;	/* never used */
	snprintf(r.peer_addr, sizeof(r.peer_addr), "%s", peer);
	snprintf(r.peer_name, sizeof(r.peer_name), "%s:800", peer);
	r.peer_port = 800;
	r.peer_key[10] = r.peer_key[11] = 0xff;
	r.peer_key[12] = 127;
	r.peer_key[15] = 1;
	r.auth.msg.prog = MOUNT_PROGRAM;
	r.auth.msg.vers = MOUNT_V3;
	r.auth.msg.proc = proc;
	if (path != NULL) {
		len = strlen(path);
		args[0] = args[1] = 0;
		args[2] = (uint8_t)(len >> 8);
		args[3] = (uint8_t)len;
		memcpy(args + 4, path, len);
		n = 4 + ((len + 3) & ~(size_t)3);
		memset(args + 4 + len, 0, n - 4 - len);
	}
	r.args = args;
	r.args_len = n;
	xdrbuf_out_init(&r.out);
	reply_len = 0;
	reply_error = 99;
	if (v->vers != MOUNT_V3 || proc >= v->nprocs ||
	    v->procs[proc].handler == NULL)
		return 0xfffffffe;
	v->procs[proc].handler(&r, NULL, env);
	return reply_len >= 4 ? get32(reply) : 0xffffffff;
}

/* DUMP: the number of entries; *spellings those naming path. */
static size_t
dump(struct nfsd_env *env, int udp, const char *path, size_t *same,
    size_t *bytes)
{
	size_t off = 0, n = 0, hl, pl;

	*same = 0;
	mount_call(env, "127.0.0.1", 2, NULL, udp);
	*bytes = reply_len;
	while (off + 4 <= reply_len && get32(reply + off) == 1) {
		off += 4;
		hl = get32(reply + off);
		off += 4 + ((hl + 3) & ~(size_t)3);
		pl = get32(reply + off);
		if (path != NULL && pl == strlen(path) &&
		    memcmp(reply + off + 4, path, pl) == 0)
			(*same)++;
		off += 4 + ((pl + 3) & ~(size_t)3);
		n++;
	}
	return n;
}

static void
test_dump(void)
{
	const char *text = "[share export]\npath = /export\n"
	    "[share other]\npath = /other\n";
	struct nfsd_env env;
	struct conf *conf;
	char err[256], p[64];
	size_t n, same, bytes, i;
	int ok;

	memset(&env, 0, sizeof(env));
	LIST_INIT(&env.mounts);
	env.mounts_per_client = 3;
	env.mounts_max = 5;
	conf = conf_parse_string(text, "t.conf", err, sizeof(err));
	if (!tap_ok(conf != NULL && export_table_load(&env.exports, conf, err,
	    sizeof(err)) == 0, "two exports (%s)", conf ? "ok" : err))
		return;
	for (i = 0; i < env.exports.nexports; i++) {
		env.exports.exports[i].root_len = 8;	/* known to blockd */
		memset(env.exports.exports[i].root_fh, 0x11 * (int)(i + 1), 8);
	}
	ok = 1;
	ok &= mount_call(&env, "127.0.0.1", 1, "/export", 0) == 0;
	ok &= mount_call(&env, "127.0.0.1", 1, "/export/", 0) == 0;
	ok &= mount_call(&env, "127.0.0.1", 1, "//export//", 0) == 0;
	ok &= mount_call(&env, "127.0.0.1", 1, "///export", 0) == 0;
	tap_ok(ok, "MNT of /export under four spellings: MNT3_OK");
	n = dump(&env, 0, "/export", &same, &bytes);
	tap_ok(n == 1 && same == 1, "DUMP over TCP lists it once (%zu "
	    "entries, %zu of /export)", n, same);
	tap_ok(mount_call(&env, "127.0.0.1", 1, "/export/../other", 0) == 22,
	    "MNT through \"..\": MNT3ERR_INVAL");
	tap_ok(dump(&env, 0, NULL, &same, &bytes) == 1,
	    "... and it is not listed");
	n = dump(&env, 1, NULL, &same, &bytes);
	tap_ok(n == 0 && bytes == 4, "DUMP over UDP: an empty list (%zu "
	    "bytes)", bytes);
	mount_call(&env, "127.0.0.1", 1, "/other", 0);
	for (i = 0; i < 6; i++) {
		snprintf(p, sizeof(p), "127.0.0.%zu", 10 + i);
		mount_call(&env, p, 1, "/export", 0);
		mount_call(&env, p, 1, "/other", 0);
	}
	tap_ok(env.nmounts == 5, "the list stops at its total (%zu of 5)",
	    env.nmounts);
	mount_call(&env, "127.0.0.1", 4, NULL, 0);	/* UMNTALL */
	tap_ok(env.nmounts == 3, "UMNTALL takes one client's out (%zu left)",
	    env.nmounts);
	mount_call(&env, "127.0.0.1", 1, "/export", 0);
	mount_call(&env, "127.0.0.1", 1, "/other", 0);
	mount_call(&env, "127.0.0.1", 3, "/other//", 0);	/* UMNT */
	tap_ok(env.nmounts == 4, "UMNT of /other// takes /other out (%zu)",
	    env.nmounts);
	/* Per client: 127.0.0.99 may list 3 of its paths, no more. */
	mount_call(&env, "127.0.0.1", 4, NULL, 0);
	for (i = 10; i < 16; i++) {
		snprintf(p, sizeof(p), "127.0.0.%zu", i);
		mount_call(&env, p, 4, NULL, 0);
	}
	tap_ok(env.nmounts == 0, "everyone unmounted");
	env.mounts_max = 100;
	env.exports.exports[0].root_len = 8;
	/* Subdirectories would need blockd: distinct exports instead. */
	mount_call(&env, "127.0.0.99", 1, "/export", 0);
	mount_call(&env, "127.0.0.99", 1, "/other", 0);
	env.mounts_per_client = 1;
	mount_call(&env, "127.0.0.98", 1, "/export", 0);
	mount_call(&env, "127.0.0.98", 1, "/other", 0);
	tap_ok(env.nmounts == 3, "one path per client: the second of "
	    "127.0.0.98 is not listed (%zu entries)", env.nmounts);
	tap_ok(mount_call(&env, "127.0.0.98", 1, "/other", 0) == 0,
	    "... though its MNT succeeds");
	mount_call(&env, "127.0.0.99", 4, NULL, 0);
	mount_call(&env, "127.0.0.98", 4, NULL, 0);
	export_table_clear(&env.exports);
	conf_free(conf);
}

/* An AUTH_UNIX call record: uid, verifier flavor, and the arguments. */
static size_t
call_record(uint8_t *b, uint32_t uid, uint32_t verf, const char *args)
{
	uint32_t w[] = { 0x1234, 0, 2, NFS_PROGRAM, NFS_V3, 12, 1, 24,
	    0, 0, uid, uid, 1, uid, verf, 0 };
	size_t i, n = 0, len = strlen(args);

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		b[n++] = (uint8_t)(w[i] >> 24);
		b[n++] = (uint8_t)(w[i] >> 16);
		b[n++] = (uint8_t)(w[i] >> 8);
		b[n++] = (uint8_t)w[i];
	}
	/* stamp 0, machine name of 0 bytes: the body is 24 bytes. */
	memcpy(b + n, args, len);
	return n + len;
}

static void
test_drc_key(void)
{
	uint8_t a[256], b[256];
	size_t la, lb, off = 64;
	struct drc *d = drc_new(16);
	struct drc_key k1, k2;
	const uint8_t *saved;
	size_t savedlen;
	uint32_t s1, s2;

	la = call_record(a, 0, 0, "REMOVE-args-x");
	lb = call_record(b, 0, 0, "REMOVE-args-x");
	s1 = drc_call_checksum(a, la, off);
	tap_ok(s1 == drc_call_checksum(b, lb, off),
	    "the same call: the same checksum");
	lb = call_record(b, 1000, 0, "REMOVE-args-x");
	tap_ok(drc_call_checksum(b, lb, off) != s1,
	    "another credential (uid 1000): another checksum");
	lb = call_record(b, 0, 6, "REMOVE-args-x");
	tap_ok(drc_call_checksum(b, lb, off) == s1,
	    "another verifier: the same checksum (a retransmission)");
	lb = call_record(b, 0, 0, "REMOVE-args-y");
	tap_ok(drc_call_checksum(b, lb, off) != s1,
	    "other arguments: another checksum");
	s2 = drc_call_checksum(a, 30, 64);
	tap_ok(s2 == drc_call_checksum(a, 30, 64),
	    "a short record is read within its length");

	memset(&k1, 0, sizeof(k1));
	k1.addr[10] = k1.addr[11] = 0xff;
	k1.addr[12] = 10;
	k1.port = 900;
	k1.xid = 0x1234;
	k1.prog = NFS_PROGRAM;
	k1.vers = NFS_V3;
	k1.proc = 12;
	k1.args_sum = s1;
	k2 = k1;
	k2.port = 901;
	tap_ok(drc_lookup(d, &k1, &saved, &savedlen) == DRC_MISS,
	    "client A (port 900): a miss");
	drc_complete(d, &k1, (const uint8_t *)"reply-A", 7);
	tap_ok(drc_lookup(d, &k2, &saved, &savedlen) == DRC_MISS,
	    "client B behind the same address (port 901), same xid and "
	    "call: a miss, not A's reply");
	drc_complete(d, &k2, (const uint8_t *)"reply-B", 7);
	tap_ok(drc_lookup(d, &k1, &saved, &savedlen) == DRC_HIT &&
	    savedlen == 7 && memcmp(saved, "reply-A", 7) == 0,
	    "A's retransmission: A's reply");
	tap_ok(drc_lookup(d, &k2, &saved, &savedlen) == DRC_HIT &&
	    savedlen == 7 && memcmp(saved, "reply-B", 7) == 0,
	    "B's retransmission: B's reply");
	drc_free(d);
}

int
main(void)
{
	test_normalize();
	test_dump();
	test_drc_key();
	return tap_done();
}
