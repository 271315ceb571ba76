/*
 * NFSv4 owner and owner_group strings (RFC 7530 5.9) to and from uids
 * and gids.  Outbound: "name@domain" for an id the tables know, the
 * decimal id otherwise.  Inbound: "name@domain" with our domain (case
 * aside), and a bare decimal id when numeric ids are accepted, as the
 * Linux client sends them with nfs4_disable_idmapping; anything else is
 * NFS4ERR_BADOWNER, upon which that client falls back to names.
 *
 * nfsd is chrooted after start, out of reach of nsswitch, so the tables
 * are read before (nfs4_idmap_load_nss()) into hash tables of bounded
 * size; nfs4_idmap_load_files() reads passwd(5) and group(5) streams
 * instead, for the tests and for a rebuild from a given source.
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hash.h"
#include "nfs4.h"

struct nfs4_idmap_entry {
	struct nfs4_idmap_entry	*next_id;
	struct nfs4_idmap_entry	*next_name;
	struct nfs4_idmap_entry	*next_all;
	uint32_t		 id;
	size_t			 namelen;
	char			 name[];
};

struct nfs4_idmap_table {
	struct nfs4_idmap_entry	**by_id;
	struct nfs4_idmap_entry	**by_name;
	struct nfs4_idmap_entry	*all;
	size_t			 count;
};

struct nfs4_idmap {
	char			 domain[NFS4_IDMAP_DOMAIN_MAX + 1];
	int			 numeric_in;
	size_t			 max;
	size_t			 nbuckets;	/* a power of two */
	struct nfs4_idmap_table	 users;
	struct nfs4_idmap_table	 groups;
};

/*
 * FNV-1a, unkeyed (common/hash.h): what fills the tables is the host's
 * user database, not the client, so no client can lengthen a chain; it
 * only chooses which one a lookup walks.
 */
static uint32_t
nfs4_idmap_hash_id(uint32_t id)
{
	return hash_fnv1a32(&id, sizeof(id));
}

static int
nfs4_idmap_table_init(struct nfs4_idmap_table *t, size_t n)
{
	t->by_id = calloc(n, sizeof(*t->by_id));
	t->by_name = calloc(n, sizeof(*t->by_name));
	return t->by_id == NULL || t->by_name == NULL ? -1 : 0;
}

static void
nfs4_idmap_table_clear(struct nfs4_idmap_table *t, size_t n)
{
	struct nfs4_idmap_entry *e, *next;

	for (e = t->all; e != NULL; e = next) {
		next = e->next_all;
		free(e);
	}
	t->all = NULL;
	t->count = 0;
	if (t->by_id != NULL)
		memset(t->by_id, 0, n * sizeof(*t->by_id));
	if (t->by_name != NULL)
		memset(t->by_name, 0, n * sizeof(*t->by_name));
}

/*
 * domain: NULL for nfs4_idmap_default_domain()'s.  numeric_in: accept
 * bare decimal ids.  max_entries bounds users and groups each.
 */
struct nfs4_idmap *
nfs4_idmap_new(const char *domain, int numeric_in, size_t max_entries)
{
	struct nfs4_idmap *m;
	size_t n = 64;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if (domain == NULL || *domain == '\0')
		nfs4_idmap_default_domain(m->domain, sizeof(m->domain));
	else if (strlen(domain) >= sizeof(m->domain)) {
		free(m);
		return NULL;
	} else
		strcpy(m->domain, domain);
	m->numeric_in = numeric_in;
	m->max = max_entries;
	while (n < max_entries / 8 && n < 8192)
		n *= 2;
	m->nbuckets = n;
	if (nfs4_idmap_table_init(&m->users, n) == -1 ||
	    nfs4_idmap_table_init(&m->groups, n) == -1) {
		nfs4_idmap_free(m);
		return NULL;
	}
	return m;
}

void
nfs4_idmap_free(struct nfs4_idmap *m)
{
	if (m == NULL)
		return;
	nfs4_idmap_table_clear(&m->users, m->nbuckets);
	nfs4_idmap_table_clear(&m->groups, m->nbuckets);
	free(m->users.by_id);
	free(m->users.by_name);
	free(m->groups.by_id);
	free(m->groups.by_name);
	free(m);
}

const char *
nfs4_idmap_domain(const struct nfs4_idmap *m)
{
	return m->domain;
}

size_t
nfs4_idmap_count(const struct nfs4_idmap *m, int groups)
{
	return groups ? m->groups.count : m->users.count;
}

static struct nfs4_idmap_entry *
nfs4_idmap_by_id(const struct nfs4_idmap *m, const struct nfs4_idmap_table *t,
    uint32_t id)
{
	struct nfs4_idmap_entry *e;

	e = t->by_id[nfs4_idmap_hash_id(id) & (m->nbuckets - 1)];
	for (; e != NULL; e = e->next_id)
		if (e->id == id)
			return e;
	return NULL;
}

static struct nfs4_idmap_entry *
nfs4_idmap_by_name(const struct nfs4_idmap *m,
    const struct nfs4_idmap_table *t, const void *name, size_t len)
{
	struct nfs4_idmap_entry *e;

	e = t->by_name[hash_fnv1a32(name, len) & (m->nbuckets - 1)];
	for (; e != NULL; e = e->next_name)
		if (e->namelen == len && memcmp(e->name, name, len) == 0)
			return e;
	return NULL;
}

/*
 * 0; 1 when the name and the id are both known already (the first of
 * a name or an id wins, as nsswitch answers); -1 when the table is full
 * or out of memory.  Names that could not be written back (empty, too
 * long, with '@') are skipped (1).
 */
static int
nfs4_idmap_add(struct nfs4_idmap *m, struct nfs4_idmap_table *t,
    const char *name, uint32_t id)
{
	struct nfs4_idmap_entry *e;
	size_t len = strlen(name), h;
	int have_id, have_name;

	if (len == 0 || len > NFS4_IDMAP_NAME_MAX || strchr(name, '@') != NULL)
		return 1;
	have_id = nfs4_idmap_by_id(m, t, id) != NULL;
	have_name = nfs4_idmap_by_name(m, t, name, len) != NULL;
	if (have_id && have_name)
		return 1;
	if (t->count >= m->max)
		return -1;
	if ((e = calloc(1, sizeof(*e) + len + 1)) == NULL)
		return -1;
	e->id = id;
	e->namelen = len;
	memcpy(e->name, name, len + 1);
	if (!have_id) {
		h = nfs4_idmap_hash_id(id) & (m->nbuckets - 1);
		e->next_id = t->by_id[h];
		t->by_id[h] = e;
	}
	if (!have_name) {
		h = hash_fnv1a32(name, len) & (m->nbuckets - 1);
		e->next_name = t->by_name[h];
		t->by_name[h] = e;
	}
	e->next_all = t->all;
	t->all = e;
	t->count++;
	return 0;
}

int
nfs4_idmap_add_user(struct nfs4_idmap *m, const char *name, uint32_t uid)
{
	return nfs4_idmap_add(m, &m->users, name, uid);
}

int
nfs4_idmap_add_group(struct nfs4_idmap *m, const char *name, uint32_t gid)
{
	return nfs4_idmap_add(m, &m->groups, name, gid);
}

/*
 * Every user and group nsswitch lists, before the chroot.  0, or -1
 * when a table filled up (the rest is then numeric; the caller logs).
 */
int
nfs4_idmap_load_nss(struct nfs4_idmap *m)
{
	struct passwd *pw;
	struct group *gr;
	int full = 0;

	nfs4_idmap_table_clear(&m->users, m->nbuckets);
	nfs4_idmap_table_clear(&m->groups, m->nbuckets);
	setpwent();
	while (!full && (pw = getpwent()) != NULL)
		full = nfs4_idmap_add_user(m, pw->pw_name, pw->pw_uid) == -1;
	endpwent();
	setgrent();
	while (full < 2 && (gr = getgrent()) != NULL)
		if (nfs4_idmap_add_group(m, gr->gr_name, gr->gr_gid) == -1)
			full = 2;
	endgrent();
	return full ? -1 : 0;
}

/* The same from passwd(5) and group(5) streams (either may be NULL). */
int
nfs4_idmap_load_files(struct nfs4_idmap *m, FILE *passwd, FILE *group)
{
	struct passwd *pw;
	struct group *gr;
	int rv = 0;

	nfs4_idmap_table_clear(&m->users, m->nbuckets);
	nfs4_idmap_table_clear(&m->groups, m->nbuckets);
	while (passwd != NULL && (pw = fgetpwent(passwd)) != NULL)
		if (nfs4_idmap_add_user(m, pw->pw_name, pw->pw_uid) == -1) {
			rv = -1;
			break;
		}
	while (group != NULL && (gr = fgetgrent(group)) != NULL)
		if (nfs4_idmap_add_group(m, gr->gr_name, gr->gr_gid) == -1) {
			rv = -1;
			break;
		}
	return rv;
}

/*
 * The host's DNS domain: what follows the first dot of its name, or of
 * the canonical name the resolver gives it; else "localdomain".  This
 * is the default that nfsidmap(5) uses on Linux clients too.
 */
int
nfs4_idmap_default_domain(char *buf, size_t size)
{
	struct addrinfo hints, *ai = NULL;
	char host[256];
	const char *dot = NULL;

	memset(host, 0, sizeof(host));
	if (gethostname(host, sizeof(host) - 1) == 0) {
		if ((dot = strchr(host, '.')) == NULL) {
			memset(&hints, 0, sizeof(hints));
			hints.ai_flags = AI_CANONNAME;
			if (getaddrinfo(host, NULL, &hints, &ai) == 0 &&
			    ai->ai_canonname != NULL)
				dot = strchr(ai->ai_canonname, '.');
		}
	}
	if (dot != NULL && dot[1] != '\0' && strlen(dot + 1) < size)
		snprintf(buf, size, "%s", dot + 1);
	else
		snprintf(buf, size, "localdomain");
	if (ai != NULL)
		freeaddrinfo(ai);
	return 0;
}

static size_t
nfs4_idmap_to_name(const struct nfs4_idmap *m,
    const struct nfs4_idmap_table *t, uint32_t id, char *buf, size_t size)
{
	const struct nfs4_idmap_entry *e;
	int n;

	if ((e = nfs4_idmap_by_id(m, t, id)) != NULL)
		n = snprintf(buf, size, "%s@%s", e->name, m->domain);
	else
		n = snprintf(buf, size, "%u", id);
	return n < 0 ? 0 : (size_t)n;
}

/* The string for a uid; its length (as snprintf: may exceed size). */
size_t
nfs4_idmap_uid_to_name(const struct nfs4_idmap *m, uint32_t uid, char *buf,
    size_t size)
{
	return nfs4_idmap_to_name(m, &m->users, uid, buf, size);
}

size_t
nfs4_idmap_gid_to_name(const struct nfs4_idmap *m, uint32_t gid, char *buf,
    size_t size)
{
	return nfs4_idmap_to_name(m, &m->groups, gid, buf, size);
}

/* A decimal id without sign, leading zeros or overflow. */
static int
nfs4_idmap_numeric(const uint8_t *p, size_t len, uint32_t *id)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10 || (len > 1 && p[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

static uint32_t
nfs4_idmap_from_name(const struct nfs4_idmap *m,
    const struct nfs4_idmap_table *t, const uint8_t *p, size_t len,
    uint32_t *id)
{
	const struct nfs4_idmap_entry *e;
	const uint8_t *at = NULL;
	size_t i, dlen;

	if (len == 0 || len > NFS4_IDMAP_STRING_MAX)
		return NFS4ERR_BADOWNER;
	for (i = len; i > 0; i--)
		if (p[i - 1] == '@') {
			at = p + i - 1;
			break;
		}
	if (at == NULL)
		return m->numeric_in && nfs4_idmap_numeric(p, len, id) == 0 ?
		    NFS4_OK : NFS4ERR_BADOWNER;
	dlen = len - (size_t)(at - p) - 1;
	if (dlen != strlen(m->domain) ||
	    strncasecmp((const char *)at + 1, m->domain, dlen) != 0)
		return NFS4ERR_BADOWNER;
	if ((e = nfs4_idmap_by_name(m, t, p, (size_t)(at - p))) == NULL)
		return NFS4ERR_BADOWNER;
	*id = e->id;
	return NFS4_OK;
}

/* NFS4_OK and *uid, or NFS4ERR_BADOWNER. */
uint32_t
nfs4_idmap_name_to_uid(const struct nfs4_idmap *m, const uint8_t *p,
    size_t len, uint32_t *uid)
{
	return nfs4_idmap_from_name(m, &m->users, p, len, uid);
}

uint32_t
nfs4_idmap_name_to_gid(const struct nfs4_idmap *m, const uint8_t *p,
    size_t len, uint32_t *gid)
{
	return nfs4_idmap_from_name(m, &m->groups, p, len, gid);
}
