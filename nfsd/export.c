/*
 * Exports: one per [share NAME] section.  The share's name is what blockd
 * knows it by; its path is what clients mount.  Who may use it (clients,
 * source port) is common/share_rules.c, which lockd applies too.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "nfsd.h"

void
export_addr_from_sockaddr(const struct sockaddr *sa, uint8_t addr[16])
{
	share_rules_addr(sa, addr);
}

int
export_client_allowed(const struct export *e, const uint8_t addr[16])
{
	return share_rules_client_allowed(&e->rules, addr);
}

int
export_port_allowed(const struct export *e, unsigned int port)
{
	return share_rules_port_allowed(&e->rules, port);
}

/* RFC 2623 2.2 and RFC 7530 3.2.1: the Kerberos V5 pseudoflavours. */
size_t
export_flavors(const struct export *e, uint32_t out[4])
{
	size_t i;

	for (i = 0; i < e->nsec; i++)
		switch (e->sec_order[i]) {
		case RPCAUTH_SEC_KRB5P:
			out[i] = 390005;
			break;
		case RPCAUTH_SEC_KRB5I:
			out[i] = 390004;
			break;
		case RPCAUTH_SEC_KRB5:
			out[i] = 390003;
			break;
		default:
			out[i] = RPC_AUTH_UNIX;
			break;
		}
	return e->nsec;
}

/*
 * security = "krb5p krb5i krb5 sys": a call at least as strong as the
 * weakest listed is taken (sys: every flavour, as before).
 */
static int
export_security_load(struct export *e, const char *text)
{
	unsigned int mask, weakest;

	if (rpcauth_sec_parse(text, &mask, e->sec_order, &e->nsec) == -1)
		return -1;
	weakest = mask & -mask;
	e->sec_mask = (RPCAUTH_SEC_KRB5P << 1) - weakest;
	return 0;
}

static void
export_free_one(struct export *e)
{
	free(e->name);
	free(e->path);
	share_rules_clear(&e->rules);
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
	const struct share_rules *prev;
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
		if (e->name == NULL || e->path == NULL) {
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
		share_squash_load(&e->squash, s);
		if (export_security_load(e, conf_section_get(s, "share",
		    "security")) == -1) {
			snprintf(err, errlen, "[share %s] security = %s: "
			    "expected krb5p, krb5i, krb5 or sys, each once",
			    e->name, conf_section_get(s, "share", "security"));
			goto fail;
		}
		prev = NULL;
		for (size_t j = 0; j < t->nexports; j++)
			if (strcmp(t->exports[j].name, e->name) == 0)
				prev = &t->exports[j].rules;
		if (share_rules_load(&e->rules, s, prev, cerr,
		    sizeof(cerr)) == -1) {
			snprintf(err, errlen, "[share %s] clients: %s",
			    e->name, cerr);
			goto fail;
		}
		e->clients_text = e->rules.clients_text;
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
	out->uid = in->uid;
	out->gid = in->gid;
	for (i = 0; i < in->ngroups && i < RPC_AUTH_UNIX_GIDS_MAX; i++)
		groups[n++] = in->groups[i];
	out->groups.groups_len = (u_int)share_rules_squash(&e->squash,
	    in->flavor != RPC_AUTH_UNIX, &out->uid, &out->gid, groups, n);
}
