/*
 * nfsd/v4/idmap.c: owner strings to ids and back, from passwd(5) and
 * group(5) text, with the numeric fallback, the domain check and the
 * table bound.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "nfs4.h"
#include "tap.h"

static const char passwd[] =
    "root:x:0:0:root:/root:/bin/sh\n"
    "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
    "bob:x:1001:1001::/home/bob:/bin/sh\n"
    "alias:x:1000:1000:second name of uid 1000:/:/bin/false\n"
    "at@sign:x:3000:3000::/:/bin/false\n";
static const char group[] =
    "root:x:0:\n"
    "staff:x:50:alice,bob\n";

static struct nfs4_idmap *
load(const char *domain, int numeric, size_t max, int *rv)
{
	struct nfs4_idmap *m;
	FILE *p, *g;

	if ((m = nfs4_idmap_new(domain, numeric, max)) == NULL)
		return NULL;
	p = fmemopen((void *)passwd, sizeof(passwd) - 1, "r");
	g = fmemopen((void *)group, sizeof(group) - 1, "r");
	*rv = nfs4_idmap_load_files(m, p, g);
	if (p != NULL)
		fclose(p);
	if (g != NULL)
		fclose(g);
	return m;
}

static uint32_t
to_uid(const struct nfs4_idmap *m, const char *s, uint32_t *id)
{
	*id = 0xdeadbeef;
	return nfs4_idmap_name_to_uid(m, (const uint8_t *)s, strlen(s), id);
}

int
main(void)
{
	struct nfs4_idmap *m;
	char buf[NFS4_IDMAP_STRING_MAX + 1], dom[NFS4_IDMAP_DOMAIN_MAX + 1];
	uint32_t id;
	size_t n;
	int rv;

	m = load("example.org", 1, 64, &rv);
	tap_ok(m != NULL && rv == 0 && nfs4_idmap_count(m, 0) == 4 &&
	    nfs4_idmap_count(m, 1) == 2,
	    "passwd and group read (a name with '@' skipped)");
	if (m == NULL)
		return tap_done();

	/* Outbound. */
	n = nfs4_idmap_uid_to_name(m, 1000, buf, sizeof(buf));
	tap_ok(n == 17 && strcmp(buf, "alice@example.org") == 0,
	    "uid 1000 is alice@example.org (the first name wins)");
	nfs4_idmap_gid_to_name(m, 50, buf, sizeof(buf));
	tap_ok(strcmp(buf, "staff@example.org") == 0, "gid 50 is staff@");
	nfs4_idmap_uid_to_name(m, 4242, buf, sizeof(buf));
	tap_ok(strcmp(buf, "4242") == 0, "an unknown uid is sent as 4242");
	nfs4_idmap_gid_to_name(m, 1000, buf, sizeof(buf));
	tap_ok(strcmp(buf, "1000") == 0,
	    "gid 1000 (no group of that id) is numeric, users aside");
	nfs4_idmap_uid_to_name(m, 3000, buf, sizeof(buf));
	tap_ok(strcmp(buf, "3000") == 0,
	    "a user whose name has '@' is sent as a number");

	/* Inbound. */
	tap_ok(to_uid(m, "bob@example.org", &id) == NFS4_OK && id == 1001,
	    "bob@example.org is 1001");
	tap_ok(to_uid(m, "alias@example.org", &id) == NFS4_OK && id == 1000,
	    "a second name of a uid maps to it");
	tap_ok(to_uid(m, "bob@EXAMPLE.Org", &id) == NFS4_OK && id == 1001,
	    "the domain compares without case");
	tap_ok(to_uid(m, "Bob@example.org", &id) == NFS4ERR_BADOWNER,
	    "the name compares with case");
	tap_ok(to_uid(m, "bob@example.com", &id) == NFS4ERR_BADOWNER &&
	    id == 0xdeadbeef, "another domain: BADOWNER");
	tap_ok(to_uid(m, "bob@example.org.evil", &id) == NFS4ERR_BADOWNER,
	    "a domain with our domain as prefix: BADOWNER");
	tap_ok(to_uid(m, "carol@example.org", &id) == NFS4ERR_BADOWNER,
	    "an unknown name: BADOWNER");
	tap_ok(to_uid(m, "bob", &id) == NFS4ERR_BADOWNER,
	    "a bare name: BADOWNER");
	tap_ok(to_uid(m, "@example.org", &id) == NFS4ERR_BADOWNER &&
	    to_uid(m, "", &id) == NFS4ERR_BADOWNER,
	    "empty name, empty string: BADOWNER");
	tap_ok(to_uid(m, "1001", &id) == NFS4_OK && id == 1001 &&
	    to_uid(m, "0", &id) == NFS4_OK && id == 0 &&
	    to_uid(m, "4294967295", &id) == NFS4_OK && id == UINT32_MAX,
	    "numeric ids accepted");
	tap_ok(to_uid(m, "4294967296", &id) == NFS4ERR_BADOWNER &&
	    to_uid(m, "0100", &id) == NFS4ERR_BADOWNER &&
	    to_uid(m, "-1", &id) == NFS4ERR_BADOWNER &&
	    to_uid(m, "10 ", &id) == NFS4ERR_BADOWNER,
	    "overflow, leading zero, sign, trailing space: BADOWNER");
	tap_ok(nfs4_idmap_name_to_gid(m, (const uint8_t *)"staff@example.org",
	    17, &id) == NFS4_OK && id == 50, "staff@example.org is gid 50");
	tap_ok(nfs4_idmap_name_to_gid(m, (const uint8_t *)"bob@example.org",
	    15, &id) == NFS4ERR_BADOWNER, "a user's name is not a group");
	tap_ok(nfs4_idmap_name_to_uid(m, (const uint8_t *)"bob@example.org\0x",
	    17, &id) == NFS4ERR_BADOWNER, "an embedded NUL: BADOWNER");
	nfs4_idmap_free(m);

	/* numeric ids = no. */
	m = load("example.org", 0, 64, &rv);
	tap_ok(m != NULL && to_uid(m, "1001", &id) == NFS4ERR_BADOWNER &&
	    to_uid(m, "bob@example.org", &id) == NFS4_OK,
	    "numeric ids off: a number is BADOWNER, a name still maps");
	nfs4_idmap_free(m);

	/* The bound. */
	m = load("example.org", 1, 2, &rv);
	tap_ok(m != NULL && rv == -1 && nfs4_idmap_count(m, 0) == 2,
	    "a table of 2 keeps 2 users and says it is full");
	nfs4_idmap_uid_to_name(m, 1001, buf, sizeof(buf));
	tap_ok(strcmp(buf, "1001") == 0, "a user past the bound is numeric");
	nfs4_idmap_free(m);

	/* A rebuild replaces the tables. */
	m = load("example.org", 1, 64, &rv);
	{
		static const char other[] = "zed:x:1001:1001::/:/bin/sh\n";
		FILE *p = fmemopen((void *)other, sizeof(other) - 1, "r");

		tap_ok(p != NULL && nfs4_idmap_load_files(m, p, NULL) == 0 &&
		    nfs4_idmap_count(m, 0) == 1 &&
		    to_uid(m, "bob@example.org", &id) == NFS4ERR_BADOWNER &&
		    to_uid(m, "zed@example.org", &id) == NFS4_OK && id == 1001,
		    "loading again replaces what was there");
		if (p != NULL)
			fclose(p);
	}
	nfs4_idmap_free(m);

	/* The domain. */
	nfs4_idmap_default_domain(dom, sizeof(dom));
	tap_ok(dom[0] != '\0' && dom[0] != '.', "default domain \"%s\"", dom);
	m = nfs4_idmap_new(NULL, 1, NFS4_IDMAP_ENTRIES_MAX);
	tap_ok(m != NULL && strcmp(nfs4_idmap_domain(m), dom) == 0,
	    "no domain configured: the default");
	tap_ok(m != NULL && nfs4_idmap_load_nss(m) == 0 &&
	    nfs4_idmap_count(m, 0) >= 1,
	    "nsswitch lists %zu users", m != NULL ? nfs4_idmap_count(m, 0) : 0);
	nfs4_idmap_free(m);
	{
		char longdom[NFS4_IDMAP_DOMAIN_MAX + 2];

		memset(longdom, 'd', sizeof(longdom) - 1);
		longdom[sizeof(longdom) - 1] = '\0';
		tap_ok(nfs4_idmap_new(longdom, 1, 16) == NULL,
		    "a domain over %d bytes is refused", NFS4_IDMAP_DOMAIN_MAX);
	}
	return tap_done();
}
