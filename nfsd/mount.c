/*
 * MOUNT v3 (RFC 1813 appendix I), and v1 for everything but MNT (showmount
 * and older tools ask v1 for EXPORT and DUMP; the two agree on those).
 * Served on the MOUNT port (TCP and UDP) and on the NFS port, so that a
 * client that cannot reach rpcbind can use mountport= the NFS port.
 * MNT takes an export's path, answered at once from the share's root
 * handle, or a directory below it, answered once blockd has looked up
 * each component in turn.
 *
 * The DUMP list keeps each (client address, path) once, the path
 * normalized (mount_path_normalize), and is bounded per client address
 * and in total ([nfsd] mount list per client, mount list size): past
 * either bound a MNT still succeeds but is not listed.  DUMP is answered
 * in full on TCP only; over UDP it answers an empty list, so that a
 * small datagram from a forged address cannot draw a large reply
 * (Linux's showmount -a and -d ask over TCP).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockd/store.h"
#include "log.h"
#include "nfsd.h"

/* RFC 1813 5.2: the MOUNT procedures (the same numbers in v1). */
#define MOUNTPROC_NULL		0
#define MOUNTPROC_MNT		1
#define MOUNTPROC_DUMP		2
#define MOUNTPROC_UMNT		3
#define MOUNTPROC_UMNTALL	4
#define MOUNTPROC_EXPORT	5

#define MNT3_OK			0
#define MNT3ERR_PERM		1
#define MNT3ERR_NOENT		2
#define MNT3ERR_ACCES		13
#define MNT3ERR_IO		5
#define MNT3ERR_NOTDIR		20
#define MNT3ERR_INVAL		22
#define MNT3ERR_NAMETOOLONG	63
#define MNT3ERR_NOTSUPP		10004
#define MNT3ERR_SERVERFAULT	10006

/* DUMP lists the client's address. */
static void
mount_host(const struct nfs_call *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s", r->rpc->peer_addr);
}

static int
mount_get_path(struct nfs_call *r, const uint8_t **path, uint32_t *len)
{
	struct xdrbuf_in x;

	xdrbuf_in_init(&x, r->rpc->args, r->rpc->args_len);
	if (xdrbuf_get_opaque(&x, path, len, MNT_PATH_MAX) == -1) {
		log_warnx_rl("%s: MOUNT: malformed path argument",
		    r->rpc->peer_name);
		rpcsvc_reply_error(r->rpc, RPC_GARBAGE_ARGS);
		return -1;
	}
	return 0;
}

/*
 * The path as MNT, UMNT and DUMP know it: repeated '/' collapsed, no
 * trailing '/' (but "/" itself), every component a file name.  0 and
 * the path in out (NUL-ended, out_len without the NUL), or the
 * mountstat3 to answer: MNT3ERR_INVAL for a "." or ".." component,
 * MNT3ERR_NAMETOOLONG for a component over MNT_NAME_MAX bytes,
 * MNT3ERR_NOENT for a path that is not absolute or holds a NUL.
 */
uint32_t
mount_path_normalize(const uint8_t *in, size_t len, char *out,
    size_t *out_len)
{
	size_t i = 0, start, n = 0, clen;

	if (len == 0 || len > MNT_PATH_MAX || in[0] != '/' ||
	    memchr(in, '\0', len) != NULL)
		return MNT3ERR_NOENT;
	for (;;) {
		while (i < len && in[i] == '/')
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && in[i] != '/')
			i++;
		clen = i - start;
		if ((clen == 1 && in[start] == '.') || (clen == 2 &&
		    in[start] == '.' && in[start + 1] == '.'))
			return MNT3ERR_INVAL;
		if (clen > MNT_NAME_MAX)
			return MNT3ERR_NAMETOOLONG;
		/* Never longer than the input, which fits. */
		out[n++] = '/';
		memcpy(out + n, in + start, clen);
		n += clen;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	*out_len = n;
	return 0;
}

static void
mount_list_add(struct nfsd_env *env, const char *host, const char *path)
{
	struct mount_entry *m;
	size_t mine = 0;

	LIST_FOREACH(m, &env->mounts, entry) {
		if (strcmp(m->host, host) != 0)
			continue;
		if (strcmp(m->path, path) == 0)
			return;
		mine++;
	}
	if (mine >= env->mounts_per_client || env->nmounts >= env->mounts_max) {
		log_debug("%s: MNT %s not listed for DUMP: the list is full "
		    "(%zu for this address, %zu in all)", host, path, mine,
		    env->nmounts);
		return;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return;
	snprintf(m->host, sizeof(m->host), "%s", host);
	snprintf(m->path, sizeof(m->path), "%s", path);
	LIST_INSERT_HEAD(&env->mounts, m, entry);
	env->nmounts++;
}

static void
mount_list_remove(struct nfsd_env *env, const char *host, const char *path)
{
	struct mount_entry *m, *next;

	for (m = LIST_FIRST(&env->mounts); m != NULL; m = next) {
		next = LIST_NEXT(m, entry);
		if (strcmp(m->host, host) != 0 ||
		    (path != NULL && strcmp(m->path, path) != 0))
			continue;
		LIST_REMOVE(m, entry);
		env->nmounts--;
		free(m);
	}
}

/* The one table from errno (blockd's statuses) to mountstat3. */
static const struct {
	int		 err;
	uint32_t	 status;
} mount_errno_table[] = {
	{ EPERM, MNT3ERR_PERM },
	{ ENOENT, MNT3ERR_NOENT },
	{ EIO, MNT3ERR_IO },
	{ EACCES, MNT3ERR_ACCES },
	{ ENOTDIR, MNT3ERR_NOTDIR },
	{ EINVAL, MNT3ERR_INVAL },
	{ ENAMETOOLONG, MNT3ERR_NAMETOOLONG },
	{ ENOTSUP, MNT3ERR_NOTSUPP },
};

static uint32_t
mount_status_from_errno(int err)
{
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(mount_errno_table) /
	    sizeof(mount_errno_table[0]); i++)
		if (mount_errno_table[i].err == err)
			return mount_errno_table[i].status;
	return MNT3ERR_SERVERFAULT;
}

/*
 * A MNT of a directory below an export's path: the rest of the path,
 * looked up one component at a time from the share's root with the
 * caller's squashed credential, so that blockd checks search permission
 * on every directory on the way.  Lives in the call's struct mount_call.
 */
struct mount_walk {
	char		 path[MNT_PATH_MAX + 1];	/* as asked, NUL-ended */
	size_t		 pos;		/* where the next component starts */
	size_t		 end;		/* the path's length without '/'s */
	uint8_t		 fh[NFS3_FHSIZE];	/* of the last component */
	size_t		 fhlen;
};

/* A MOUNT call's state (rpcsvc_call->state). */
struct mount_call {
	struct nfs_call		 nfs;		/* first: the same pointer */
	struct mount_walk	*walk;		/* MNT below an export */
};

#define MOUNT_WALK(r)	(((struct mount_call *)(r))->walk)

/* The results in r->rpc->out: the call and its walk go. */
static void
mount_reply(struct nfs_call *r)
{
	free(MOUNT_WALK(r));
	MOUNT_WALK(r) = NULL;
	rpcsvc_reply_body(r->rpc);
}

/* The next component at or after *pos; 0 when there is none. */
static size_t
mount_component(const char *path, size_t end, size_t *pos)
{
	size_t start;

	while (*pos < end && path[*pos] == '/')
		(*pos)++;
	start = *pos;
	while (*pos < end && path[*pos] != '/')
		(*pos)++;
	return *pos - start;
}

/* MNT3_OK: the handle and the flavors we take. */
static void
mount_reply_ok(struct nfs_call *r, const char *path, const uint8_t *fh,
    size_t fhlen)
{
	char host[64];
	uint32_t fl[4];
	size_t i, n, rest;
	struct export *e;

	mount_host(r, host, sizeof(host));
	mount_list_add(r->env, host, path);
	log_info_rl("%s: mounted %s", r->rpc->peer_name, path);
	xdrbuf_put_u32(&r->rpc->out, MNT3_OK);
	xdrbuf_put_opaque(&r->rpc->out, fh, (uint32_t)fhlen);
	/* RFC 2623 2.7: the share's flavours, as "security" orders them. */
	e = export_by_mount_path(&r->env->exports, path, strlen(path), &rest);
	n = e != NULL ? export_flavors(e, fl) : 0;
	if (n == 1 && fl[0] == RPC_AUTH_UNIX) {
		xdrbuf_put_u32(&r->rpc->out, 2);
		xdrbuf_put_u32(&r->rpc->out, RPC_AUTH_UNIX);
		xdrbuf_put_u32(&r->rpc->out, RPC_AUTH_NULL);
	} else {
		xdrbuf_put_u32(&r->rpc->out, (uint32_t)n);
		for (i = 0; i < n; i++)
			xdrbuf_put_u32(&r->rpc->out, fl[i]);
	}
	mount_reply(r);
}

static void
mount_reply_status(struct nfs_call *r, uint32_t status)
{
	xdrbuf_put_u32(&r->rpc->out, status);
	mount_reply(r);
}

static void	mount_walk_next(struct nfs_call *);

/* Why the walk failed, and where when not at the last component. */
static void
mount_walk_log(struct nfs_call *r, const char *why)
{
	struct mount_walk *w = MOUNT_WALK(r);

	if (w->pos < w->end)
		log_info_rl("%s: MNT %s: %s (at %.*s)", r->rpc->peer_name,
		    w->path, why, (int)w->pos, w->path);
	else
		log_info_rl("%s: MNT %s: %s", r->rpc->peer_name, w->path, why);
}

static void
mount_walk_done(void *arg, int status, void *reply, int fd)
{
	struct nfs_call *r = arg;
	struct mount_walk *w = MOUNT_WALK(r);
	bd_entry_reply *rep = reply;

	if (status != 0) {
		mount_walk_log(r, strerror(-status));
		mount_reply_status(r, mount_status_from_errno(status));
		return;
	}
	if (rep->attr.type != STORE_TYPE_DIR) {
		mount_walk_log(r, "not a directory");
		mount_reply_status(r, MNT3ERR_NOTDIR);
		return;
	}
	if (rep->fh.bd_fh_len == 0 || rep->fh.bd_fh_len > NFS3_FHSIZE) {
		log_warnx("%s: MNT %s: handle of %u bytes from blockd",
		    r->rpc->peer_name, w->path, rep->fh.bd_fh_len);
		mount_reply_status(r, MNT3ERR_SERVERFAULT);
		return;
	}
	memcpy(w->fh, rep->fh.bd_fh_val, rep->fh.bd_fh_len);
	w->fhlen = rep->fh.bd_fh_len;
	mount_walk_next(r);
}

static void
mount_walk_next(struct nfs_call *r)
{
	struct mount_walk *w = MOUNT_WALK(r);
	bd_dirop_req req;
	size_t len;

	if ((len = mount_component(w->path, w->end, &w->pos)) == 0) {
		mount_reply_ok(r, w->path, w->fh, w->fhlen);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.cred = r->bcred;
	req.dir.bd_fh_len = (u_int)w->fhlen;
	req.dir.bd_fh_val = (char *)w->fh;
	req.name.bd_name_len = (u_int)len;
	req.name.bd_name_val = w->path + w->pos - len;
	bdc_call(r->env->bdc, BD_LOOKUP, (xdrproc_t)xdr_bd_dirop_req, &req,
	    (xdrproc_t)xdr_bd_entry_reply, sizeof(bd_entry_reply),
	    mount_walk_done, r);
}

/* RFC 1813 I.5.1: MNT, of an export's path or a directory below it. */
static void
mount_proc_mnt(struct nfs_call *r)
{
	struct export *e = NULL;
	struct mount_walk *w;
	const uint8_t *path;
	uint32_t len, status;
	size_t rest = 0, pos, end;
	char pathbuf[MNT_PATH_MAX + 1];

	if (mount_get_path(r, &path, &len) == -1)
		return;
	/* The path as the mount list keeps it. */
	if ((status = mount_path_normalize(path, len, pathbuf, &end)) != 0) {
		log_info_rl("%s: MNT of %u bytes refused: %s",
		    r->rpc->peer_name, len, status == MNT3ERR_INVAL ?
		    "\".\" or \"..\" in the path" :
		    status == MNT3ERR_NAMETOOLONG ? "a component is too long" :
		    "not an absolute path");
		mount_reply_status(r, status);
		return;
	}
	e = export_by_mount_path(&r->env->exports, pathbuf, end, &rest);
	if (e == NULL) {
		log_info_rl("%s: MNT %s: no such export", r->rpc->peer_name,
		    pathbuf);
		mount_reply_status(r, MNT3ERR_NOENT);
		return;
	}
	if (!export_client_allowed(e, r->rpc->peer_key) ||
	    !export_port_allowed(e, r->rpc->peer_port)) {
		log_warnx_rl("%s: MNT %s refused (clients = %s%s)",
		    r->rpc->peer_name, pathbuf, e->clients_text,
		    export_port_allowed(e, r->rpc->peer_port) ? "" :
		    ", not from a port below 1024");
		mount_reply_status(r, MNT3ERR_ACCES);
		return;
	}
	if (e->root_len == 0) {
		log_warnx("%s: MNT %s: share root not known yet (blockd)",
		    r->rpc->peer_name, pathbuf);
		mount_reply_status(r, MNT3ERR_SERVERFAULT);
		return;
	}
	pos = rest;
	if (mount_component(pathbuf, end, &pos) == 0) {
		mount_reply_ok(r, pathbuf, e->root_fh, e->root_len);
		return;
	}
	/* Below the export: nothing of e is kept, a reload may free it. */
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		log_warn("%s: MNT", r->rpc->peer_name);
		mount_reply_status(r, MNT3ERR_SERVERFAULT);
		return;
	}
	memcpy(w->path, pathbuf, end + 1);
	w->end = end;
	w->pos = rest;
	memcpy(w->fh, e->root_fh, e->root_len);
	w->fhlen = e->root_len;
	MOUNT_WALK(r) = w;
	export_squash(e, &r->rpc->auth.msg.cred, &r->bcred, r->bgroups);
	mount_walk_next(r);
}

/* RFC 1813 I.5.2: DUMP */
static void
mount_proc_dump(struct nfs_call *r)
{
	struct mount_entry *m;

	if (r->rpc->conn == NULL) {
		/* UDP: an empty list (see the top of this file). */
		xdrbuf_put_u32(&r->rpc->out, 0);
		mount_reply(r);
		return;
	}
	LIST_FOREACH(m, &r->env->mounts, entry) {
		xdrbuf_put_u32(&r->rpc->out, 1);
		xdrbuf_put_opaque(&r->rpc->out, m->host,
		    (uint32_t)strlen(m->host));
		xdrbuf_put_opaque(&r->rpc->out, m->path,
		    (uint32_t)strlen(m->path));
	}
	xdrbuf_put_u32(&r->rpc->out, 0);
	mount_reply(r);
}

/* RFC 1813 I.5.3 and I.5.4: UMNT, UMNTALL */
static void
mount_proc_umnt(struct nfs_call *r, int all)
{
	const uint8_t *path;
	uint32_t len;
	size_t plen;
	char host[64], pathbuf[MNT_PATH_MAX + 1];

	mount_host(r, host, sizeof(host));
	if (all) {
		mount_list_remove(r->env, host, NULL);
	} else {
		if (mount_get_path(r, &path, &len) == -1)
			return;
		/* A path that MNT would refuse was never listed. */
		if (mount_path_normalize(path, len, pathbuf, &plen) == 0)
			mount_list_remove(r->env, host, pathbuf);
	}
	mount_reply(r);
}

/* RFC 1813 I.5.5: EXPORT; groups are the words of "clients". */
static void
mount_proc_export(struct nfs_call *r)
{
	struct export_table *t = &r->env->exports;
	const char *p, *start;
	size_t i;

	for (i = 0; i < t->nexports; i++) {
		struct export *e = &t->exports[i];

		xdrbuf_put_u32(&r->rpc->out, 1);
		xdrbuf_put_opaque(&r->rpc->out, e->path,
		    (uint32_t)strlen(e->path));
		for (p = e->clients_text; *p != '\0';) {
			while (*p == ',' || isspace((unsigned char)*p))
				p++;
			if (*p == '\0')
				break;
			start = p;
			while (*p != '\0' && *p != ',' &&
			    !isspace((unsigned char)*p))
				p++;
			xdrbuf_put_u32(&r->rpc->out, 1);
			xdrbuf_put_opaque(&r->rpc->out, start,
			    (uint32_t)(p - start));
		}
		xdrbuf_put_u32(&r->rpc->out, 0);
	}
	xdrbuf_put_u32(&r->rpc->out, 0);
	mount_reply(r);
}

static void
mount_null(struct rpcsvc_call *call, void *args, void *arg)
{
	mount_reply(nfs_call_init(call, arg));
}

static void
mount_mnt(struct rpcsvc_call *call, void *args, void *arg)
{
	mount_proc_mnt(nfs_call_init(call, arg));
}

static void
mount_dump(struct rpcsvc_call *call, void *args, void *arg)
{
	mount_proc_dump(nfs_call_init(call, arg));
}

static void
mount_umnt(struct rpcsvc_call *call, void *args, void *arg)
{
	mount_proc_umnt(nfs_call_init(call, arg), 0);
}

static void
mount_umntall(struct rpcsvc_call *call, void *args, void *arg)
{
	mount_proc_umnt(nfs_call_init(call, arg), 1);
}

static void
mount_export(struct rpcsvc_call *call, void *args, void *arg)
{
	mount_proc_export(nfs_call_init(call, arg));
}

#define MOUNT_RPC(proc, name, fn) \
	[proc] = { name, NULL, 0, NULL, fn, RPCSVC_CACHE_NONE }

/* v1 has no MNT here: its handles are 32 bytes, ours do not fit. */
static const struct rpcsvc_proc mount_v1_procs[] = {
	MOUNT_RPC(MOUNTPROC_NULL, "NULL", mount_null),
	MOUNT_RPC(MOUNTPROC_MNT, "MNT", NULL),
	MOUNT_RPC(MOUNTPROC_DUMP, "DUMP", mount_dump),
	MOUNT_RPC(MOUNTPROC_UMNT, "UMNT", mount_umnt),
	MOUNT_RPC(MOUNTPROC_UMNTALL, "UMNTALL", mount_umntall),
	MOUNT_RPC(MOUNTPROC_EXPORT, "EXPORT", mount_export),
};

static const struct rpcsvc_proc mount_v3_procs[] = {
	MOUNT_RPC(MOUNTPROC_NULL, "NULL", mount_null),
	MOUNT_RPC(MOUNTPROC_MNT, "MNT", mount_mnt),
	MOUNT_RPC(MOUNTPROC_DUMP, "DUMP", mount_dump),
	MOUNT_RPC(MOUNTPROC_UMNT, "UMNT", mount_umnt),
	MOUNT_RPC(MOUNTPROC_UMNTALL, "UMNTALL", mount_umntall),
	MOUNT_RPC(MOUNTPROC_EXPORT, "EXPORT", mount_export),
};

static const struct rpcsvc_version mount_versions[] = {
	{ MOUNT_V1, mount_v1_procs, MOUNTPROC_EXPORT + 1 },
	{ MOUNT_V3, mount_v3_procs, MOUNTPROC_EXPORT + 1 },
};

const struct rpcsvc_program mount_program = {
	.name = "MOUNT",
	.prog = MOUNT_PROGRAM,
	.vers_min = MOUNT_V1,
	.vers_max = MOUNT_V3,
	.record_max = MOUNT_RECORD_MAX,
	.versions = mount_versions,
	.nversions = 2,
	.state_size = sizeof(struct mount_call),
};
