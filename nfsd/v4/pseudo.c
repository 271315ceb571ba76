/*
 * The NFSv4 pseudo file system (RFC 7530 7): the directories that join
 * the shares' paths, from "/" down to each share's root.  It is made
 * from the export table whenever it is used, so a reload changes it at
 * once.  A pseudo node is a path that is "/" or a strict prefix, on a
 * component boundary, of a share's path, and not itself a share; its
 * handle is NFS4_PSEUDO_MAGIC and a hash of the path (stable across
 * restarts of nfsd), 12 bytes, which no blockd handle (33) can be.
 *
 * Crossing into a share (LOOKUP from a pseudo node, PUTFH of a share's
 * handle) applies the share's rules: clients and the source port
 * (export.c, common/share_rules.c).  A client sees in a pseudo
 * directory only what leads to a share it may use.  A share nested in
 * another's path is crossed into by a LOOKUP inside the outer share
 * (proc.c's junctions); a path on the way that the outer share lacks is
 * a pseudo node as any other.
 */
#include <string.h>

#include "log.h"
#include "nfsd/v4/proc.h"

uint64_t
nfs4_pseudo_hash(const char *p, size_t len)
{
	uint64_t h = 14695981039346656037ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (uint8_t)p[i];
		h *= 1099511628211ull;
	}
	return h | 1;	/* never 0: a fileid */
}

void
nfs4_pseudo_fh(struct nfs4_fh *fh, const char *path)
{
	uint64_t h = nfs4_pseudo_hash(path, strlen(path));
	int i;

	memset(fh, 0, sizeof(*fh));
	fh->set = 1;
	fh->pseudo = 1;
	memcpy(fh->data, NFS4_PSEUDO_MAGIC, 4);
	for (i = 0; i < 8; i++)
		fh->data[4 + i] = (uint8_t)(h >> (56 - 8 * i));
	fh->len = NFS4_PSEUDO_FHLEN;
	strncpy(fh->path, path, sizeof(fh->path) - 1);
}

/* Does share e's path lie strictly below path (a component boundary)? */
static int
nfs4_pseudo_below(const struct export *e, const char *path)
{
	size_t n = strlen(path);

	if (strcmp(path, "/") == 0)
		return strcmp(e->path, "/") != 0;
	return strncmp(e->path, path, n) == 0 && e->path[n] == '/';
}

/* Is path a node of the pseudo fs? */
int
nfs4_pseudo_is_node(struct nfsd_env *env, const char *path)
{
	size_t i;

	for (i = 0; i < env->exports.nexports; i++)
		if (strcmp(env->exports.exports[i].path, path) == 0)
			return 0;
	if (strcmp(path, "/") == 0)
		return 1;
	for (i = 0; i < env->exports.nexports; i++)
		if (nfs4_pseudo_below(&env->exports.exports[i], path))
			return 1;
	return 0;
}

void
nfs4_pseudo_root(struct nfsd_env *env, struct nfs4_fh *fh)
{
	(void)env;
	nfs4_pseudo_fh(fh, "/");
}

/* A pseudo handle back to its node: every prefix of every share's path. */
int
nfs4_pseudo_from_fh(struct nfsd_env *env, const uint8_t *p, size_t len,
    struct nfs4_fh *fh)
{
	char path[MNT_PATH_MAX + 1];
	size_t i, k;

	if (len != NFS4_PSEUDO_FHLEN || memcmp(p, NFS4_PSEUDO_MAGIC, 4) != 0)
		return -1;
	nfs4_pseudo_fh(fh, "/");
	if (memcmp(fh->data, p, len) == 0)
		return 0;
	for (i = 0; i < env->exports.nexports; i++) {
		const char *ep = env->exports.exports[i].path;

		for (k = 1; ep[k] != '\0'; k++) {
			if (ep[k] != '/' || k > MNT_PATH_MAX)
				continue;
			memcpy(path, ep, k);
			path[k] = '\0';
			nfs4_pseudo_fh(fh, path);
			if (memcmp(fh->data, p, len) == 0 &&
			    nfs4_pseudo_is_node(env, path))
				return 0;
		}
	}
	return -1;
}

/* path + "/" + name; -1 if too long. */
static int
nfs4_pseudo_join(const char *path, const struct nfs4_opaque *name,
    char *out, size_t size)
{
	size_t n = strcmp(path, "/") == 0 ? 0 : strlen(path);

	if (n + 1 + name->len + 1 > size)
		return -1;
	memcpy(out, path, n);
	out[n] = '/';
	memcpy(out + n + 1, name->p, name->len);
	out[n + 1 + name->len] = '\0';
	return 0;
}

/* A share's root as a handle (its export's). */
static uint32_t
nfs4_pseudo_share_root(struct export *e, struct nfs4_fh *fh)
{
	if (e->root_len == 0)
		return NFS4ERR_DELAY;	/* blockd has not said yet */
	memset(fh, 0, sizeof(*fh));
	fh->set = 1;
	fh->exp = e;
	memcpy(fh->data, e->root_fh, e->root_len);
	fh->len = (uint32_t)e->root_len;
	return NFS4_OK;
}

/* RFC 7530 16.13 (LOOKUP) in the pseudo fs. */
uint32_t
nfs4_pseudo_lookup(struct nfsd_env *env, const struct nfs4_fh *dir,
    const struct nfs4_opaque *name, struct nfs4_fh *next)
{
	char path[MNT_PATH_MAX + 1];
	struct export *e;

	if (nfs4_pseudo_join(dir->path, name, path, sizeof(path)) == -1)
		return NFS4ERR_NAMETOOLONG;
	if ((e = export_by_path(&env->exports, path, strlen(path))) != NULL &&
	    strcmp(e->path, path) == 0)
		return nfs4_pseudo_share_root(e, next);
	if (!nfs4_pseudo_is_node(env, path))
		return NFS4ERR_NOENT;
	nfs4_pseudo_fh(next, path);
	return NFS4_OK;
}

/*
 * RFC 7530 16.14 (LOOKUPP): the parent of a pseudo node or of a share's
 * root (a share whose parent path is another share: that one's root).
 */
uint32_t
nfs4_pseudo_parent(struct nfsd_env *env, const char *path,
    struct nfs4_fh *next)
{
	char parent[MNT_PATH_MAX + 1];
	struct export *e;
	const char *slash;

	if (strcmp(path, "/") == 0)
		return NFS4ERR_NOENT;
	if (strlen(path) > MNT_PATH_MAX)
		return NFS4ERR_NAMETOOLONG;	/* a share's path can be */
	slash = strrchr(path, '/');
	if (slash == NULL || slash == path)
		strcpy(parent, "/");
	else {
		memcpy(parent, path, (size_t)(slash - path));
		parent[slash - path] = '\0';
	}
	if ((e = export_by_path(&env->exports, parent, strlen(parent))) !=
	    NULL && strcmp(e->path, parent) == 0)
		return nfs4_pseudo_share_root(e, next);
	nfs4_pseudo_fh(next, parent);
	return NFS4_OK;
}

/* A pseudo directory's attributes: read-only, owned by root. */
void
nfs4_pseudo_attr(struct nfsd_env *env, const struct nfs4_fh *fh,
    struct nfs4_attr_src *s)
{
	nfs4_attr_src_defaults(s);
	s->type = NF4DIR;
	s->change = (uint64_t)env->v4_boot;
	s->size = 4096;
	s->fsid_major = NFS4_PSEUDO_FSID_MAJOR;
	s->fsid_minor = 0;
	s->lease_time = env->v4_lease;
	s->fh = fh->data;
	s->fhlen = fh->len;
	s->fileid = nfs4_pseudo_hash(fh->path, strlen(fh->path));
	s->mounted_on_fileid = s->fileid;
	s->mode = 0555;
	s->numlinks = 2;
	s->atime.sec = s->mtime.sec = s->ctime.sec = s->crtime.sec =
	    env->v4_boot;
}

uint32_t
nfs4_pseudo_enter(struct nfs4_call *v, struct export *e)
{
	struct rpcsvc_call *call = v->nfs.rpc;

	if (!export_client_allowed(e, call->peer_key)) {
		log_warnx_rl("%s: NFSv4: not a client of %s (clients = %s)",
		    call->peer_name, e->path, e->clients_text);
		return NFS4ERR_ACCESS;
	}
	if (!export_port_allowed(e, call->peer_port)) {
		log_warnx_rl("%s: NFSv4: %s needs a source port below 1024",
		    call->peer_name, e->path);
		return NFS4ERR_ACCESS;
	}
	return NFS4_OK;
}

/* Does a share this client may use lie at or below path? */
static int
nfs4_pseudo_visible(struct nfs4_call *v, const char *path)
{
	struct nfsd_env *env = v->nfs.env;
	size_t i, n = strlen(path);

	for (i = 0; i < env->exports.nexports; i++) {
		struct export *e = &env->exports.exports[i];

		if ((strcmp(e->path, path) == 0 ||
		    (strncmp(e->path, path, n) == 0 && e->path[n] == '/')) &&
		    export_client_allowed(e, v->nfs.rpc->peer_key))
			return 1;
	}
	return 0;
}

/*
 * RFC 7530 16.24 (READDIR) of a pseudo directory: each child once, with
 * cookie 3 + its place among the shares, attributes as a pseudo node's.
 */
uint32_t
nfs4_pseudo_readdir(struct nfs4_call *v)
{
	struct nfsd_env *env = v->nfs.env;
	struct nfs4_readdir_args *a = &v->op.u.readdir;
	const char *dir = v->w->cur.path;
	size_t dn = strcmp(dir, "/") == 0 ? 0 : strlen(dir);
	struct xdrbuf_out *ents = &v->scratch, fa;
	struct nfs4_attr_src s;
	struct nfs4_fh child;
	struct nfs4_opaque name, fattr;
	char path[MNT_PATH_MAX + 1];
	size_t i, j, len, total = 0, sent = 0;
	uint32_t status = NFS4_OK;
	int dup, eof = 1;

	for (i = 0; i < env->exports.nexports; i++) {
		const char *ep = env->exports.exports[i].path;
		const char *c, *end;

		if (!nfs4_pseudo_below(&env->exports.exports[i], dir))
			continue;
		c = ep + dn + 1;
		end = strchr(c, '/');
		len = end != NULL ? (size_t)(end - c) : strlen(c);
		if (len == 0 || dn + 1 + len > MNT_PATH_MAX)
			continue;
		/* Once: the first share under this child names it. */
		for (dup = 0, j = 0; j < i && !dup; j++) {
			const char *q = env->exports.exports[j].path;

			dup = nfs4_pseudo_below(&env->exports.exports[j],
			    dir) && strncmp(q + dn + 1, c, len) == 0 &&
			    (q[dn + 1 + len] == '/' || q[dn + 1 + len] == '\0');
		}
		if (dup || 3 + i <= a->cookie)
			continue;
		memcpy(path, ep, dn + 1 + len);
		path[dn + 1 + len] = '\0';
		if (!nfs4_pseudo_visible(v, path))
			continue;
		nfs4_pseudo_fh(&child, path);
		nfs4_pseudo_attr(env, &child, &s);
		nfs4_attr_src_caller(v, &s);
		xdrbuf_out_init(&fa);
		if ((status = nfs4_fattr_encode(&fa, &a->request, &s,
		    env->idmap)) != NFS4_OK) {
			xdrbuf_out_free(&fa);
			break;
		}
		name.p = (const uint8_t *)c;
		name.len = (uint32_t)len;
		fattr.p = fa.buf;
		fattr.len = (uint32_t)fa.len;
		total += nfs4_readdir_entry_size(name.len, fattr.len);
		if (total + 32 > a->maxcount) {
			xdrbuf_out_free(&fa);
			eof = 0;
			break;
		}
		nfs4_encode_readdir_entry(ents, 3 + i, &name, &fattr);
		xdrbuf_out_free(&fa);
		sent++;
	}
	if (status == NFS4_OK && sent == 0 && !eof)
		status = NFS4ERR_TOOSMALL;
	if (status == NFS4_OK) {
		memset(v->res.u.readdir.verf, 0, NFS4_VERIFIER_SIZE);
		v->res.u.readdir.entries.p = ents->buf;
		v->res.u.readdir.entries.len = (uint32_t)ents->len;
		v->res.u.readdir.eof = eof;
	}
	return status;
}
