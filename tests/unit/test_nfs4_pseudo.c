/*
 * nfsd/v4/pseudo.c: the NFSv4 pseudo file system made from the export
 * table: handles, LOOKUP down to a share's root, LOOKUPP back out, the
 * refusal at a crossing, and READDIR listing only what leads to a share
 * the client may use.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "conf.h"
#include "nfsd/v4/proc.h"
#include "tap.h"

static struct nfs4_opaque
name(const char *s)
{
	struct nfs4_opaque o = { (const uint8_t *)s, (uint32_t)strlen(s) };

	return o;
}

static void
addr4(const char *text, uint8_t a[16])
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, text, &sin.sin_addr);
	export_addr_from_sockaddr((struct sockaddr *)&sin, a);
}

/* The names of a READDIR page (entries with an empty fattr4). */
static void
readdir_names(const struct xdrbuf_out *o, char *out, size_t size)
{
	struct xdrbuf_in x;
	const uint8_t *p;
	uint32_t more, len, w;
	uint64_t cookie;

	out[0] = '\0';
	xdrbuf_in_init(&x, o->buf, o->len);
	while (xdrbuf_get_u32(&x, &more) == 0 && more == 1) {
		if (xdrbuf_get_u64(&x, &cookie) == -1 ||
		    xdrbuf_get_opaque(&x, &p, &len, 255) == -1)
			return;
		if (strlen(out) + len + 2 < size) {
			strncat(out, (const char *)p, len);
			strcat(out, " ");
		}
		xdrbuf_get_u32(&x, &w);		/* bitmap words: 0 */
		xdrbuf_get_u32(&x, &w);		/* attrlist4: 0 bytes */
	}
}

int
main(void)
{
	static const char text[] =
	    "[share export]\npath = /export\ninsecure = yes\n"
	    "[share deep]\npath = /a/b/deep\ninsecure = yes\n"
	    "[share private]\npath = /p/private\nclients = 127.0.0.2\n"
	    "insecure = yes\n"
	    "[share inner]\npath = /export/in\ninsecure = yes\n"
	    "[share innerdeep]\npath = /export/x/y\ninsecure = yes\n";
	struct nfsd_env env;
	struct rpcsvc_call call;
	struct nfs4_call v;
	struct nfs4_work work;
	struct nfs4_fh root, fh, next;
	struct export *deep, *priv, *exp;
	struct conf *conf;
	struct nfs4_opaque n;
	char err[256], names[256];

	memset(&env, 0, sizeof(env));
	conf = conf_parse_string(text, "test.conf", err, sizeof(err));
	tap_ok(conf != NULL && export_table_load(&env.exports, conf, err,
	    sizeof(err)) == 0 && env.exports.nexports == 5, "five shares");
	if (conf == NULL)
		return tap_done();
	deep = export_by_path(&env.exports, "/a/b/deep", 9);
	priv = export_by_path(&env.exports, "/p/private", 10);
	exp = export_by_path(&env.exports, "/export", 7);
	memset(deep->root_fh, 0xd, 33);
	deep->root_len = 33;
	memset(exp->root_fh, 0xe, 33);
	exp->root_len = 33;

	nfs4_pseudo_root(&env, &root);
	tap_ok(root.pseudo && root.len == NFS4_PSEUDO_FHLEN &&
	    memcmp(root.data, NFS4_PSEUDO_MAGIC, 4) == 0 &&
	    strcmp(root.path, "/") == 0, "the root: a pseudo handle of \"/\"");

	n = name("a");
	tap_ok(nfs4_pseudo_lookup(&env, &root, &n, &fh) == NFS4_OK &&
	    fh.pseudo && strcmp(fh.path, "/a") == 0, "LOOKUP a: pseudo /a");
	n = name("b");
	tap_ok(nfs4_pseudo_lookup(&env, &fh, &n, &next) == NFS4_OK &&
	    next.pseudo && strcmp(next.path, "/a/b") == 0, "then b: /a/b");
	fh = next;
	n = name("deep");
	tap_ok(nfs4_pseudo_lookup(&env, &fh, &n, &next) == NFS4_OK &&
	    !next.pseudo && next.exp == deep && next.len == 33 &&
	    memcmp(next.data, deep->root_fh, 33) == 0,
	    "then deep: the share's root handle");
	n = name("nope");
	tap_ok(nfs4_pseudo_lookup(&env, &fh, &n, &next) == NFS4ERR_NOENT,
	    "a name on no share's path: NOENT");
	n = name("export");
	tap_ok(nfs4_pseudo_lookup(&env, &root, &n, &next) == NFS4_OK &&
	    next.exp == exp, "LOOKUP export from the root: that share");

	nfs4_pseudo_fh(&fh, "/a/b");
	tap_ok(nfs4_pseudo_from_fh(&env, fh.data, fh.len, &next) == 0 &&
	    strcmp(next.path, "/a/b") == 0, "a pseudo handle back to /a/b");
	nfs4_pseudo_fh(&fh, "/zzz");
	tap_ok(nfs4_pseudo_from_fh(&env, fh.data, fh.len, &next) == -1,
	    "the handle of a path that is no node: refused (STALE)");
	nfs4_pseudo_fh(&fh, "/export");
	tap_ok(nfs4_pseudo_from_fh(&env, fh.data, fh.len, &next) == -1,
	    "a share's path is no pseudo node");

	tap_ok(nfs4_pseudo_parent(&env, "/a/b/deep", &next) == NFS4_OK &&
	    next.pseudo && strcmp(next.path, "/a/b") == 0,
	    "LOOKUPP from deep's root: /a/b");
	tap_ok(nfs4_pseudo_parent(&env, "/a", &next) == NFS4_OK &&
	    strcmp(next.path, "/") == 0, "LOOKUPP from /a: /");
	tap_ok(nfs4_pseudo_parent(&env, "/", &next) == NFS4ERR_NOENT,
	    "LOOKUPP from /: NOENT");
	tap_ok(nfs4_pseudo_parent(&env, "/export/in", &next) == NFS4_OK &&
	    next.exp == exp, "LOOKUPP from a share inside a share: its root");
	tap_ok(nfs4_pseudo_is_node(&env, "/export/x") &&
	    !nfs4_pseudo_is_node(&env, "/export") &&
	    !nfs4_pseudo_is_node(&env, "/export/in") &&
	    !nfs4_pseudo_is_node(&env, "/export/q"),
	    "a path inside a share on the way to a nested one is a node "
	    "(a LOOKUP the share cannot answer goes there); shares and other "
	    "paths are not");

	memset(&call, 0, sizeof(call));
	memset(&v, 0, sizeof(v));
	v.nfs.rpc = &call;
	v.nfs.env = &env;
	addr4("127.0.0.1", call.peer_key);
	call.peer_port = 40000;
	tap_ok(nfs4_pseudo_enter(&v, priv) == NFS4ERR_ACCESS,
	    "into a share whose clients exclude us: ACCESS");
	tap_ok(nfs4_pseudo_enter(&v, deep) == NFS4_OK, "into another: OK");

	xdrbuf_out_init(&v.scratch);
	v.w = &work;
	v.w->cur = root;
	v.op.u.readdir.maxcount = 4096;
	tap_ok(nfs4_pseudo_readdir(&v) == NFS4_OK && v.res.u.readdir.eof,
	    "READDIR of /: one page");
	readdir_names(&v.scratch, names, sizeof(names));
	tap_ok(strcmp(names, "export a ") == 0,
	    "it lists export and a, not p (only private is below): \"%s\"",
	    names);
	xdrbuf_out_free(&v.scratch);

	addr4("127.0.0.2", call.peer_key);
	xdrbuf_out_init(&v.scratch);
	tap_ok(nfs4_pseudo_readdir(&v) == NFS4_OK, "READDIR as 127.0.0.2");
	readdir_names(&v.scratch, names, sizeof(names));
	tap_ok(strcmp(names, "export a p ") == 0,
	    "a client of private sees p: \"%s\"", names);
	xdrbuf_out_free(&v.scratch);

	xdrbuf_out_init(&v.scratch);
	v.op.u.readdir.maxcount = 40;
	tap_ok(nfs4_pseudo_readdir(&v) == NFS4ERR_TOOSMALL,
	    "READDIR with no room for one entry: TOOSMALL");
	xdrbuf_out_free(&v.scratch);

	export_table_clear(&env.exports);
	conf_free(conf);
	return tap_done();
}
