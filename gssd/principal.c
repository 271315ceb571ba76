/*
 * Kerberos principals to local identities (gssd/principal.h): a table
 * of the name service's users with their groups, read before the
 * chroot, and the administrator's map file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "principal.h"

struct principal_user {
	char		*name;
	size_t		 order;		/* first listed wins */
	uint32_t	 uid;
	uint32_t	 gid;
	uint32_t	 groups[PRINCIPAL_GROUPS_MAX];
	size_t		 ngroups;
};

struct principal_entry {
	char		*principal;
	char		*user;		/* NULL: ids below */
	uint32_t	 uid;
	uint32_t	 gid;
};

struct principal_map {
	struct principal_user	*users;
	size_t			 nusers;
	size_t			 cap;
	int			 sorted;
	struct principal_entry	*entries;
	size_t			 nentries;
	uint32_t		 anon_uid;
	uint32_t		 anon_gid;
};

struct principal_map *
principal_map_new(uint32_t anon_uid, uint32_t anon_gid)
{
	struct principal_map *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->anon_uid = anon_uid;
	m->anon_gid = anon_gid;
	m->sorted = 1;
	return m;
}

void
principal_map_free(struct principal_map *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nusers; i++)
		free(m->users[i].name);
	for (i = 0; i < m->nentries; i++) {
		free(m->entries[i].principal);
		free(m->entries[i].user);
	}
	free(m->users);
	free(m->entries);
	free(m);
}

static int
principal_user_cmp(const void *a, const void *b)
{
	const struct principal_user *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Sorted by name, the first listed of equal names kept. */
static void
principal_map_sort(struct principal_map *m)
{
	size_t i, j;

	if (m->sorted)
		return;
	qsort(m->users, m->nusers, sizeof(*m->users), principal_user_cmp);
	for (i = j = 0; i < m->nusers; i++) {
		if (j > 0 && strcmp(m->users[j - 1].name,
		    m->users[i].name) == 0) {
			free(m->users[i].name);
			continue;
		}
		m->users[j++] = m->users[i];
	}
	m->nusers = j;
	m->sorted = 1;
}

static struct principal_user *
principal_map_user(struct principal_map *m, const char *name)
{
	size_t lo = 0, hi;

	principal_map_sort(m);
	hi = m->nusers;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, m->users[mid].name);

		if (c == 0)
			return &m->users[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int
principal_map_add_user(struct principal_map *m, const char *name,
    uint32_t uid, uint32_t gid)
{
	struct principal_user *u;
	size_t n;

	if (*name == '\0' || strlen(name) > PRINCIPAL_NAME_MAX)
		return -1;
	if (m->nusers == m->cap) {
		n = m->cap == 0 ? 64 : m->cap * 2;
		if ((u = reallocarray(m->users, n, sizeof(*u))) == NULL)
			return -1;
		m->users = u;
		m->cap = n;
	}
	u = &m->users[m->nusers];
	memset(u, 0, sizeof(*u));
	if ((u->name = strdup(name)) == NULL)
		return -1;
	u->order = m->nusers;
	u->uid = uid;
	u->gid = gid;
	m->nusers++;
	m->sorted = 0;
	return 0;
}

int
principal_map_add_group(struct principal_map *m, const char *name,
    uint32_t gid)
{
	struct principal_user *u;
	size_t i;

	if ((u = principal_map_user(m, name)) == NULL)
		return -1;
	for (i = 0; i < u->ngroups; i++)
		if (u->groups[i] == gid)
			return 0;
	if (u->ngroups == PRINCIPAL_GROUPS_MAX)
		return -1;
	u->groups[u->ngroups++] = gid;
	return 0;
}

int
principal_map_load_nss(struct principal_map *m, size_t max)
{
	struct passwd *pw;
	struct group *gr;
	size_t n = 0;
	char **mem;
	int full = 0;

	setpwent();
	while ((pw = getpwent()) != NULL) {
		if (n++ >= max) {
			full = 1;
			break;
		}
		if (principal_map_add_user(m, pw->pw_name, pw->pw_uid,
		    pw->pw_gid) == -1)
			full = 1;
	}
	endpwent();
	setgrent();
	while ((gr = getgrent()) != NULL)
		for (mem = gr->gr_mem; mem != NULL && *mem != NULL; mem++)
			(void)principal_map_add_group(m, *mem, gr->gr_gid);
	endgrent();
	return full ? -1 : 0;
}

static int
principal_parse_ids(const char *s, uint32_t *uid, uint32_t *gid)
{
	unsigned long u, g;
	char *end;

	errno = 0;
	u = strtoul(s, &end, 10);
	if (end == s || *end != ':' || errno != 0 || u > UINT32_MAX - 1)
		return -1;
	s = end + 1;
	g = strtoul(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || g > UINT32_MAX - 1)
		return -1;
	*uid = (uint32_t)u;
	*gid = (uint32_t)g;
	return 0;
}

int
principal_map_load_file(struct principal_map *m, FILE *f, char *err,
    size_t errlen)
{
	char line[1024], *p, *principal, *who, *extra, *save = NULL;
	struct principal_entry *e;
	size_t lineno = 0;

	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "line %zu: too long", lineno);
			return -1;
		}
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		principal = strtok_r(line, " \t\r\n", &save);
		if (principal == NULL)
			continue;
		who = strtok_r(NULL, " \t\r\n", &save);
		extra = strtok_r(NULL, " \t\r\n", &save);
		if (who == NULL || extra != NULL ||
		    strlen(principal) > PRINCIPAL_NAME_MAX ||
		    strlen(who) > PRINCIPAL_NAME_MAX) {
			snprintf(err, errlen, "line %zu: expected PRINCIPAL "
			    "USER or PRINCIPAL UID:GID", lineno);
			return -1;
		}
		if ((e = reallocarray(m->entries, m->nentries + 1,
		    sizeof(*e))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		m->entries = e;
		e = &m->entries[m->nentries];
		memset(e, 0, sizeof(*e));
		if (strchr(who, ':') != NULL) {
			if (principal_parse_ids(who, &e->uid, &e->gid) == -1) {
				snprintf(err, errlen, "line %zu: %s is not "
				    "UID:GID", lineno, who);
				return -1;
			}
		} else if ((e->user = strdup(who)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if ((e->principal = strdup(principal)) == NULL) {
			free(e->user);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		m->nentries++;
	}
	return 0;
}

static int
principal_from_user(struct principal_map *m, const char *name,
    struct principal_id *id)
{
	struct principal_user *u;

	if ((u = principal_map_user(m, name)) == NULL)
		return -1;
	id->uid = u->uid;
	id->gid = u->gid;
	memcpy(id->groups, u->groups, u->ngroups * sizeof(u->groups[0]));
	id->ngroups = u->ngroups;
	snprintf(id->user, sizeof(id->user), "%s", u->name);
	return 0;
}

int
principal_map_resolve(const struct principal_map *cm, const char *principal,
    const char *realm, struct principal_id *id)
{
	struct principal_map *m = (struct principal_map *)(uintptr_t)cm;
	char name[PRINCIPAL_NAME_MAX + 1];
	const char *at;
	size_t i;

	memset(id, 0, sizeof(*id));
	id->uid = m->anon_uid;
	id->gid = m->anon_gid;
	/* 1: the administrator's map. */
	for (i = 0; i < m->nentries; i++) {
		struct principal_entry *e = &m->entries[i];

		if (strcmp(e->principal, principal) != 0)
			continue;
		if (e->user == NULL) {
			id->uid = e->uid;
			id->gid = e->gid;
			snprintf(id->user, sizeof(id->user), "%u",
			    (unsigned)e->uid);
			return 0;
		}
		if (principal_from_user(m, e->user, id) == 0)
			return 0;
		return 1;	/* a map line naming an unknown user */
	}
	/* 2: user@REALM, a user principal of our realm. */
	if ((at = strrchr(principal, '@')) == NULL || at == principal ||
	    (size_t)(at - principal) > PRINCIPAL_NAME_MAX ||
	    realm == NULL || strcmp(at + 1, realm) != 0)
		return 1;
	memcpy(name, principal, (size_t)(at - principal));
	name[at - principal] = '\0';
	if (strchr(name, '/') != NULL)
		return 1;	/* a service: nfs/host, host/..., ... */
	return principal_from_user(m, name, id) == 0 ? 0 : 1;
}

size_t
principal_map_users(const struct principal_map *m)
{
	return m->nusers;
}

size_t
principal_map_entries(const struct principal_map *m)
{
	return m->nentries;
}
