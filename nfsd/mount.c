/*
 * MOUNT v3 (RFC 1813 appendix I), and v1 for everything but MNT (showmount
 * and older tools ask v1 for EXPORT and DUMP; the two agree on those).
 * Served on the MOUNT port (TCP and UDP) and on the NFS port, so that a
 * client that cannot reach rpcbind can use mountport= the NFS port.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nfsd.h"

#define MNT3_OK			0
#define MNT3ERR_PERM		1
#define MNT3ERR_NOENT		2
#define MNT3ERR_ACCES		13
#define MNT3ERR_NOTDIR		20
#define MNT3ERR_NAMETOOLONG	63
#define MNT3ERR_SERVERFAULT	10006

static void
mount_host(const struct nfs_req *r, char *buf, size_t len)
{
	const char *colon;
	size_t n;

	/* peername is "address:port"; DUMP lists the address. */
	colon = strrchr(r->peername, ':');
	n = colon != NULL ? (size_t)(colon - r->peername) : strlen(r->peername);
	if (n >= len)
		n = len - 1;
	memcpy(buf, r->peername, n);
	buf[n] = '\0';
}

static int
mount_get_path(struct nfs_req *r, const uint8_t **path, uint32_t *len)
{
	if (xdrbuf_get_opaque(&r->args, path, len, MNT_PATH_MAX) == -1) {
		log_warnx("%s: MOUNT: malformed path argument", r->peername);
		r->env->stat_errors++;
		rpc_reply_error(r, RPC_GARBAGE_ARGS);
		return -1;
	}
	return 0;
}

static void
mount_list_add(struct nfsd_env *env, const char *host, const char *path)
{
	struct mount_entry *m;

	LIST_FOREACH(m, &env->mounts, entry)
		if (strcmp(m->host, host) == 0 && strcmp(m->path, path) == 0)
			return;
	if (env->nmounts >= MOUNT_LIST_MAX)
		return;
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

/* RFC 1813 I.5.1: MNT */
static void
mount_proc_mnt(struct nfs_req *r)
{
	struct export *e;
	const uint8_t *path;
	uint32_t len;
	char host[64], pathbuf[MNT_PATH_MAX + 1];

	if (mount_get_path(r, &path, &len) == -1)
		return;
	memcpy(pathbuf, path, len);
	pathbuf[len] = '\0';
	e = memchr(path, '\0', len) == NULL ?
	    export_by_path(&r->env->exports, pathbuf, len) : NULL;
	if (e == NULL) {
		log_info("%s: MNT %s: no such export", r->peername, pathbuf);
		xdrbuf_put_u32(&r->out, MNT3ERR_NOENT);
	} else if (!export_client_allowed(e, r->addr) ||
	    !export_port_allowed(e, r->port)) {
		log_warnx("%s: MNT %s refused (clients = %s%s)", r->peername,
		    pathbuf, e->clients_text, export_port_allowed(e, r->port) ?
		    "" : ", not from a port below 1024");
		xdrbuf_put_u32(&r->out, MNT3ERR_ACCES);
	} else if (e->root_len == 0) {
		log_warnx("%s: MNT %s: share root not known yet (blockd)",
		    r->peername, pathbuf);
		xdrbuf_put_u32(&r->out, MNT3ERR_SERVERFAULT);
	} else {
		mount_host(r, host, sizeof(host));
		mount_list_add(r->env, host, e->path);
		log_info("%s: mounted %s", r->peername, e->path);
		xdrbuf_put_u32(&r->out, MNT3_OK);
		xdrbuf_put_opaque(&r->out, e->root_fh, (uint32_t)e->root_len);
		xdrbuf_put_u32(&r->out, 2);
		xdrbuf_put_u32(&r->out, RPC_AUTH_UNIX);
		xdrbuf_put_u32(&r->out, RPC_AUTH_NULL);
	}
	rpc_reply(r);
}

/* RFC 1813 I.5.2: DUMP */
static void
mount_proc_dump(struct nfs_req *r)
{
	struct mount_entry *m;

	LIST_FOREACH(m, &r->env->mounts, entry) {
		xdrbuf_put_u32(&r->out, 1);
		xdrbuf_put_opaque(&r->out, m->host, (uint32_t)strlen(m->host));
		xdrbuf_put_opaque(&r->out, m->path, (uint32_t)strlen(m->path));
	}
	xdrbuf_put_u32(&r->out, 0);
	rpc_reply(r);
}

/* RFC 1813 I.5.3 and I.5.4: UMNT, UMNTALL */
static void
mount_proc_umnt(struct nfs_req *r, int all)
{
	const uint8_t *path;
	uint32_t len;
	char host[64], pathbuf[MNT_PATH_MAX + 1];

	mount_host(r, host, sizeof(host));
	if (all) {
		mount_list_remove(r->env, host, NULL);
	} else {
		if (mount_get_path(r, &path, &len) == -1)
			return;
		memcpy(pathbuf, path, len);
		pathbuf[len] = '\0';
		while (len > 1 && pathbuf[len - 1] == '/')
			pathbuf[--len] = '\0';
		mount_list_remove(r->env, host, pathbuf);
	}
	rpc_reply(r);
}

/* RFC 1813 I.5.5: EXPORT; groups are the words of "clients". */
static void
mount_proc_export(struct nfs_req *r)
{
	struct export_table *t = &r->env->exports;
	const char *p, *start;
	size_t i;

	for (i = 0; i < t->nexports; i++) {
		struct export *e = &t->exports[i];

		xdrbuf_put_u32(&r->out, 1);
		xdrbuf_put_opaque(&r->out, e->path, (uint32_t)strlen(e->path));
		for (p = e->clients_text; *p != '\0';) {
			while (*p == ',' || isspace((unsigned char)*p))
				p++;
			if (*p == '\0')
				break;
			start = p;
			while (*p != '\0' && *p != ',' &&
			    !isspace((unsigned char)*p))
				p++;
			xdrbuf_put_u32(&r->out, 1);
			xdrbuf_put_opaque(&r->out, start,
			    (uint32_t)(p - start));
		}
		xdrbuf_put_u32(&r->out, 0);
	}
	xdrbuf_put_u32(&r->out, 0);
	rpc_reply(r);
}

void
mount_dispatch(struct nfs_req *r)
{
	switch (r->call.proc) {
	case 0:
		rpc_reply(r);
		return;
	case 1:
		if (r->call.vers != MOUNT_V3)
			break;	/* v1 handles are 32 bytes: ours do not fit */
		mount_proc_mnt(r);
		return;
	case 2:
		mount_proc_dump(r);
		return;
	case 3:
		mount_proc_umnt(r, 0);
		return;
	case 4:
		mount_proc_umnt(r, 1);
		return;
	case 5:
		mount_proc_export(r);
		return;
	}
	log_debug("%s: MOUNT v%u procedure %u unavailable", r->peername,
	    r->call.vers, r->call.proc);
	rpc_reply_error(r, RPC_PROC_UNAVAIL);
}
