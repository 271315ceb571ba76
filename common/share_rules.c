/*
 * A share's client list and port rule (share_rules.h).  Addresses are
 * kept as 16 bytes, IPv4 as an IPv4-mapped IPv6 address, so one prefix
 * comparison serves both families.
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
#include "sandbox.h"
#include "share_rules.h"

void
share_rules_addr(const struct sockaddr *sa, uint8_t addr[16])
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
share_rules_add_client(struct share_client **list, size_t *n,
    const struct share_client *c)
{
	struct share_client *grown;

	grown = reallocarray(*list, *n + 1, sizeof(*grown));
	if (grown == NULL)
		return -1;
	grown[*n] = *c;
	*list = grown;
	(*n)++;
	return 0;
}

/* Every address a host name has now; 0 and *added = 0 if it has none. */
static int
share_rules_add_host(const char *host, struct share_client **list, size_t *n,
    size_t *added, char *err, size_t errlen)
{
	struct share_client c;
	struct addrinfo hints, *res, *ai;
	int rc;

	*added = 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, NULL, &hints, &res)) != 0) {
		snprintf(err, errlen, "client '%s': %s", host,
		    gai_strerror(rc));
		return rc == EAI_NONAME || rc == EAI_NODATA ? 0 : -1;
	}
	memset(&c, 0, sizeof(c));
	c.kind = SHARE_CLIENT_NET;
	c.prefix = 128;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		share_rules_addr(ai->ai_addr, c.addr);
		if (share_rules_add_client(list, n, &c) == -1) {
			freeaddrinfo(res);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		(*added)++;
	}
	freeaddrinfo(res);
	return 0;
}

/*
 * exports(5)'s @group: the hosts of an NIS netgroup, from the host's
 * name service (nsswitch.conf "netgroup:").  A triple with an empty
 * host field matches every host, as innetgr(3) has it; "-" matches none.
 * Members whose names do not resolve are left out; a group that yields
 * no address at all is an error, so a typo cannot lock every client out
 * without a word.
 */
static int
share_rules_add_netgroup(const char *group, struct share_client **list,
    size_t *n, char *err, size_t errlen)
{
	struct share_client any;
	char *host, *user, *domain, herr[256];
	size_t added, total = 0;
	int rc = 0;

	if (setnetgrent(group) == 0) {
		endnetgrent();
		snprintf(err, errlen, "netgroup '%s' not found", group);
		return -1;
	}
	while (rc == 0 && getnetgrent(&host, &user, &domain) == 1) {
		if (host == NULL) {
			memset(&any, 0, sizeof(any));
			any.kind = SHARE_CLIENT_ANY;
			rc = share_rules_add_client(list, n, &any);
			if (rc == -1)
				snprintf(err, errlen, "out of memory");
			total++;
			continue;
		}
		if (host[0] == '\0' || strcmp(host, "-") == 0)
			continue;
		rc = share_rules_add_host(host, list, n, &added, herr,
		    sizeof(herr));
		if (rc == -1)
			snprintf(err, errlen, "netgroup '%s': %s", group, herr);
		total += added;
	}
	endnetgrent();
	if (rc == 0 && total == 0) {
		snprintf(err, errlen, "netgroup '%s' has no host that "
		    "resolves", group);
		return -1;
	}
	return rc;
}

/* One word of a client list. */
static int
share_rules_parse_client(const char *word, struct share_client **list,
    size_t *n, char *err, size_t errlen)
{
	struct share_client c;
	struct in_addr a4;
	struct in6_addr a6;
	char host[256], *slash, *end;
	long prefix = -1;
	size_t added;

	memset(&c, 0, sizeof(c));
	if (strcmp(word, "*") == 0) {
		c.kind = SHARE_CLIENT_ANY;
		return share_rules_add_client(list, n, &c);
	}
	if (snprintf(host, sizeof(host), "%s", word) >= (int)sizeof(host)) {
		snprintf(err, errlen, "client '%.40s...' too long", word);
		return -1;
	}
	if (host[0] == '@' && sandbox_confined()) {
		snprintf(err, errlen, "netgroup '%s' can be resolved only at "
		    "start (restart the daemon to change it)", host + 1);
		return -1;
	}
	if (host[0] == '@') {
		if (host[1] == '\0') {
			snprintf(err, errlen, "'@' names no netgroup");
			return -1;
		}
		return share_rules_add_netgroup(host + 1, list, n, err, errlen);
	}
	if ((slash = strchr(host, '/')) != NULL) {
		*slash = '\0';
		prefix = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || prefix < 0) {
			snprintf(err, errlen, "bad prefix in client '%s'", word);
			return -1;
		}
	}
	c.kind = SHARE_CLIENT_NET;
	if (inet_pton(AF_INET, host, &a4) == 1) {
		if (prefix > 32) {
			snprintf(err, errlen, "bad prefix in client '%s'", word);
			return -1;
		}
		c.addr[10] = c.addr[11] = 0xff;
		memcpy(c.addr + 12, &a4, 4);
		c.prefix = 96 + (unsigned int)(prefix < 0 ? 32 : prefix);
		return share_rules_add_client(list, n, &c);
	}
	if (inet_pton(AF_INET6, host, &a6) == 1) {
		if (prefix > 128) {
			snprintf(err, errlen, "bad prefix in client '%s'", word);
			return -1;
		}
		memcpy(c.addr, &a6, 16);
		c.prefix = (unsigned int)(prefix < 0 ? 128 : prefix);
		return share_rules_add_client(list, n, &c);
	}
	if (prefix >= 0) {
		snprintf(err, errlen, "a host name takes no prefix: '%s'", word);
		return -1;
	}
	/* A host name: every address it has now, and it must have one. */
	if (sandbox_confined()) {
		snprintf(err, errlen, "host name '%s' can be resolved only at "
		    "start (restart the daemon to change it)", host);
		return -1;
	}
	if (share_rules_add_host(host, list, n, &added, err, errlen) == -1)
		return -1;
	return added > 0 ? 0 : -1;
}

int
share_rules_parse_clients(const char *text, struct share_client **list,
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
		if (share_rules_parse_client(word, list, n, err, errlen) == -1)
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

int
share_rules_load(struct share_rules *r, const struct conf_section *s,
    const struct share_rules *prev, char *err, size_t errlen)
{
	const char *text = conf_section_get(s, "share", "clients");

	memset(r, 0, sizeof(*r));
	r->insecure = conf_section_get_bool(s, "share", "insecure");
	if ((r->clients_text = strdup(text)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (prev != NULL && prev->clients_text != NULL &&
	    prev->nclients > 0 && strcmp(prev->clients_text, text) == 0) {
		r->clients = reallocarray(NULL, prev->nclients,
		    sizeof(*r->clients));
		if (r->clients == NULL) {
			snprintf(err, errlen, "out of memory");
			share_rules_clear(r);
			return -1;
		}
		memcpy(r->clients, prev->clients,
		    prev->nclients * sizeof(*r->clients));
		r->nclients = prev->nclients;
		return 0;
	}
	if (share_rules_parse_clients(text, &r->clients, &r->nclients, err,
	    errlen) == -1) {
		share_rules_clear(r);
		return -1;
	}
	return 0;
}

void
share_rules_clear(struct share_rules *r)
{
	free(r->clients_text);
	free(r->clients);
	memset(r, 0, sizeof(*r));
}

static int
share_rules_client_match(const struct share_client *c, const uint8_t addr[16])
{
	unsigned int bytes, bits;

	if (c->kind == SHARE_CLIENT_ANY)
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
share_rules_client_allowed(const struct share_rules *r,
    const uint8_t addr[16])
{
	size_t i;

	for (i = 0; i < r->nclients; i++)
		if (share_rules_client_match(&r->clients[i], addr))
			return 1;
	return 0;
}

int
share_rules_port_allowed(const struct share_rules *r, unsigned int port)
{
	return r->insecure || port < SHARE_RESERVED_PORT_END;
}

int
share_rules_check(const struct share_rules *r, const uint8_t addr[16],
    unsigned int port)
{
	return share_rules_client_allowed(r, addr) &&
	    share_rules_port_allowed(r, port) ? 0 : -1;
}

void
share_squash_load(struct share_squash *q, const struct conf_section *s)
{
	q->root = conf_section_get_bool(s, "share", "root squash");
	q->all = conf_section_get_bool(s, "share", "all squash");
	q->anonuid = (uint32_t)conf_section_get_int(s, "share", "anonuid");
	q->anongid = (uint32_t)conf_section_get_int(s, "share", "anongid");
}

size_t
share_rules_squash(const struct share_squash *q, int anon, uint32_t *uid,
    uint32_t *gid, uint32_t *groups, size_t ngroups)
{
	size_t i;

	if (anon || q->all) {
		*uid = q->anonuid;
		*gid = q->anongid;
		return 0;
	}
	if (!q->root)
		return ngroups;
	if (*uid == 0)
		*uid = q->anonuid;
	if (*gid == 0)
		*gid = q->anongid;
	for (i = 0; i < ngroups; i++)
		if (groups[i] == 0)
			groups[i] = q->anongid;
	return ngroups;
}
