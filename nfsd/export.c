/*
 * Exports: one per [share NAME] section.  The share's name is what blockd
 * knows it by; its path is what clients mount.  Client lists are
 * addresses, CIDR networks, host names (resolved when the configuration
 * is read, before the chroot) or '*'.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "nfsd.h"

void
export_addr_from_sockaddr(const struct sockaddr *sa, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		addr[10] = 0xff;
		addr[11] = 0xff;
		memcpy(addr + 12, &sin->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 =
		    (const struct sockaddr_in6 *)sa;

		memcpy(addr, &sin6->sin6_addr, 16);
	}
}

static int
export_add_client(struct export_client **list, size_t *n,
    const struct export_client *c)
{
	struct export_client *grown;

	grown = reallocarray(*list, *n + 1, sizeof(*grown));
	if (grown == NULL)
		return -1;
	grown[*n] = *c;
	*list = grown;
	(*n)++;
	return 0;
}

/* One word of a client list. */
static int
export_parse_client(const char *word, struct export_client **list,
    size_t *n, char *err, size_t errlen)
{
	struct export_client c;
	struct in_addr a4;
	struct in6_addr a6;
	struct addrinfo hints, *res, *ai;
	char host[256], *slash, *end;
	long prefix = -1;
	int rc;

	memset(&c, 0, sizeof(c));
	if (strcmp(word, "*") == 0) {
		c.kind = EXPORT_CLIENT_ANY;
		return export_add_client(list, n, &c);
	}
	if (snprintf(host, sizeof(host), "%s", word) >= (int)sizeof(host)) {
		snprintf(err, errlen, "client '%.40s...' too long", word);
		return -1;
	}
	if ((slash = strchr(host, '/')) != NULL) {
		*slash = '\0';
		prefix = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || prefix < 0) {
			snprintf(err, errlen, "bad prefix in client '%s'", word);
			return -1;
		}
	}
	c.kind = EXPORT_CLIENT_NET;
	if (inet_pton(AF_INET, host, &a4) == 1) {
		if (prefix > 32) {
			snprintf(err, errlen, "bad prefix in client '%s'", word);
			return -1;
		}
		c.addr[10] = c.addr[11] = 0xff;
		memcpy(c.addr + 12, &a4, 4);
		c.prefix = 96 + (unsigned int)(prefix < 0 ? 32 : prefix);
		return export_add_client(list, n, &c);
	}
	if (inet_pton(AF_INET6, host, &a6) == 1) {
		if (prefix > 128) {
			snprintf(err, errlen, "bad prefix in client '%s'", word);
			return -1;
		}
		memcpy(c.addr, &a6, 16);
		c.prefix = (unsigned int)(prefix < 0 ? 128 : prefix);
		return export_add_client(list, n, &c);
	}
	if (prefix >= 0) {
		snprintf(err, errlen, "a host name takes no prefix: '%s'", word);
		return -1;
	}
	/* A host name: every address it has now. */
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, NULL, &hints, &res)) != 0) {
		snprintf(err, errlen, "client '%s': %s", word,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		export_addr_from_sockaddr(ai->ai_addr, c.addr);
		c.prefix = 128;
		if (export_add_client(list, n, &c) == -1) {
			freeaddrinfo(res);
			return -1;
		}
	}
	freeaddrinfo(res);
	return 0;
}

/* "10.0.0.0/8, host, 2001:db8::/32 *": commas and blanks separate. */
int
export_parse_clients(const char *text, struct export_client **list,
    size_t *n, char *err, size_t errlen)
{
	char word[512];
	const char *p = text, *start;
	size_t len;

	*list = NULL;
	*n = 0;
	for (;;) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ',' && !isspace((unsigned char)*p))
			p++;
		len = (size_t)(p - start);
		if (len >= sizeof(word)) {
			snprintf(err, errlen, "client name too long");
			goto fail;
		}
		memcpy(word, start, len);
		word[len] = '\0';
		if (export_parse_client(word, list, n, err, errlen) == -1)
			goto fail;
	}
	if (*n == 0) {
		snprintf(err, errlen, "empty client list");
		goto fail;
	}
	return 0;
fail:
	free(*list);
	*list = NULL;
	*n = 0;
	return -1;
}

static int
export_match(const struct export_client *c, const uint8_t addr[16])
{
	unsigned int bytes, bits;

	if (c->kind == EXPORT_CLIENT_ANY)
		return 1;
	bytes = c->prefix / 8;
	bits = c->prefix % 8;
	if (memcmp(c->addr, addr, bytes) != 0)
		return 0;
	if (bits != 0) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits));

		if ((c->addr[bytes] & mask) != (addr[bytes] & mask))
			return 0;
	}
	return 1;
}

int
export_client_allowed(const struct export *e, const uint8_t addr[16])
{
	size_t i;

	for (i = 0; i < e->nclients; i++)
		if (export_match(&e->clients[i], addr))
			return 1;
	return 0;
}

int
export_port_allowed(const struct export *e, unsigned int port)
{
	return e->insecure || port < 1024;
}

static void
export_free_one(struct export *e)
{
	free(e->name);
	free(e->path);
	free(e->clients_text);
	free(e->clients);
}

void
export_table_clear(struct export_table *t)
{
	size_t i;

	for (i = 0; i < t->nexports; i++)
		export_free_one(&t->exports[i]);
	free(t->exports);
	t->exports = NULL;
	t->nexports = 0;
}

/* Paths compare without trailing slashes: "/export/" is "/export". */
static size_t
export_path_len(const char *p, size_t len)
{
	while (len > 1 && p[len - 1] == '/')
		len--;
	return len;
}

struct export *
export_by_path(struct export_table *t, const char *path, size_t len)
{
	size_t i;

	len = export_path_len(path, len);
	for (i = 0; i < t->nexports; i++) {
		struct export *e = &t->exports[i];

		if (strlen(e->path) == len && memcmp(e->path, path, len) == 0)
			return e;
	}
	return NULL;
}

/*
 * Longest match, so that an export inside another one ("/export/lab"
 * in "/export") takes what is below it.  Export paths have no trailing
 * '/' except "/" itself, which contains every absolute path.
 */
struct export *
export_by_mount_path(struct export_table *t, const char *path, size_t len,
    size_t *rest)
{
	struct export *best = NULL;
	size_t i, elen, bestlen = 0;

	len = export_path_len(path, len);
	for (i = 0; i < t->nexports; i++) {
		struct export *e = &t->exports[i];

		elen = strlen(e->path);
		if (elen == 0 || elen > len || memcmp(e->path, path, elen) != 0)
			continue;
		if (elen < len && path[elen] != '/' && e->path[elen - 1] != '/')
			continue;
		if (best == NULL || elen > bestlen) {
			best = e;
			bestlen = elen;
		}
	}
	*rest = bestlen;
	return best;
}

struct export *
export_by_share(struct export_table *t, uint32_t share)
{
	size_t i;

	for (i = 0; i < t->nexports; i++)
		if (t->exports[i].root_len > 0 &&
		    t->exports[i].share_id == share)
			return &t->exports[i];
	return NULL;
}

int
export_table_load(struct export_table *t, const struct conf *conf,
    char *err, size_t errlen)
{
	const struct conf_section *s = NULL;
	struct export_table nt = { NULL, 0 };
	struct export *e, *grown;
	char cerr[256];
	size_t len;

	while ((s = conf_next_section(conf, "share", s)) != NULL) {
		grown = reallocarray(nt.exports, nt.nexports + 1,
		    sizeof(*grown));
		if (grown == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		nt.exports = grown;
		e = &nt.exports[nt.nexports++];
		memset(e, 0, sizeof(*e));
		e->name = strdup(s->name);
		e->path = strdup(conf_section_get(s, "share", "path"));
		e->clients_text = strdup(conf_section_get(s, "share",
		    "clients"));
		if (e->name == NULL || e->path == NULL ||
		    e->clients_text == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		len = export_path_len(e->path, strlen(e->path));
		e->path[len] = '\0';
		if (len > MNT_PATH_MAX) {
			snprintf(err, errlen, "[share %s]: path too long",
			    e->name);
			goto fail;
		}
		if (export_by_path(&nt, e->path, len) != e) {
			snprintf(err, errlen, "[share %s]: path %s is "
			    "exported twice", e->name, e->path);
			goto fail;
		}
		e->read_only = conf_section_get_bool(s, "share", "read only");
		e->root_squash = conf_section_get_bool(s, "share",
		    "root squash");
		e->all_squash = conf_section_get_bool(s, "share", "all squash");
		e->insecure = conf_section_get_bool(s, "share", "insecure");
		e->anonuid = (uint32_t)conf_section_get_int(s, "share",
		    "anonuid");
		e->anongid = (uint32_t)conf_section_get_int(s, "share",
		    "anongid");
		if (export_parse_clients(e->clients_text, &e->clients,
		    &e->nclients, cerr, sizeof(cerr)) == -1) {
			snprintf(err, errlen, "[share %s] clients: %s",
			    e->name, cerr);
			goto fail;
		}
	}
	/* Keep what blockd told us about shares that stay. */
	for (size_t i = 0; i < nt.nexports; i++) {
		for (size_t j = 0; j < t->nexports; j++) {
			if (strcmp(nt.exports[i].name, t->exports[j].name))
				continue;
			memcpy(nt.exports[i].root_fh, t->exports[j].root_fh,
			    t->exports[j].root_len);
			nt.exports[i].root_len = t->exports[j].root_len;
			nt.exports[i].share_id = t->exports[j].share_id;
		}
	}
	export_table_clear(t);
	*t = nt;
	return 0;
fail:
	export_table_clear(&nt);
	return -1;
}

/*
 * exports(5) semantics: root_squash maps uid 0 and gid 0 (also among the
 * groups) to the anonymous ids; all_squash maps everyone; AUTH_NULL is
 * always anonymous.
 */
void
export_squash(const struct export *e, const struct rpc_cred *in,
    bd_cred *out, uint32_t groups[RPC_AUTH_UNIX_GIDS_MAX])
{
	uint32_t i, n = 0;

	memset(out, 0, sizeof(*out));
	out->groups.groups_val = groups;
	if (in->flavor != RPC_AUTH_UNIX || e->all_squash) {
		out->uid = e->anonuid;
		out->gid = e->anongid;
		return;
	}
	out->uid = in->uid;
	out->gid = in->gid;
	if (e->root_squash) {
		if (out->uid == 0)
			out->uid = e->anonuid;
		if (out->gid == 0)
			out->gid = e->anongid;
	}
	for (i = 0; i < in->ngroups && i < RPC_AUTH_UNIX_GIDS_MAX; i++) {
		uint32_t g = in->groups[i];

		if (e->root_squash && g == 0)
			g = e->anongid;
		groups[n++] = g;
	}
	out->groups.groups_len = n;
}
