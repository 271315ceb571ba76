/*
 * gssd/principal.c: the rule of gssd(8).  user@REALM of our realm is
 * the local user with its groups; other realms, service principals and
 * unknown users are nobody; the administrator's map wins; bad map lines
 * are refused with their line number.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "principal.h"
#include "tap.h"

int
main(void)
{
	struct principal_map *m = principal_map_new(65534, 65533);
	struct principal_id id;
	char err[256];
	FILE *f;
	static const char map[] =
	    "# the administrator's map\n"
	    "nfs/client.example.org@EXAMPLE.ORG  1500:1600\n"
	    "host/build@EXAMPLE.ORG alice   # as alice\n"
	    "bob@OTHER.ORG bob\n";

	tap_ok(m != NULL, "a map");
	tap_ok(principal_map_add_user(m, "alice", 1000, 100) == 0 &&
	    principal_map_add_user(m, "bob", 1001, 100) == 0 &&
	    principal_map_add_user(m, "alice", 9999, 9999) == 0,
	    "users (alice twice: the first wins)");
	tap_ok(principal_map_add_group(m, "alice", 27) == 0 &&
	    principal_map_add_group(m, "alice", 44) == 0 &&
	    principal_map_add_group(m, "nobody-here", 5) == -1,
	    "groups of known users only");
	tap_ok(principal_map_resolve(m, "alice@EXAMPLE.ORG", "EXAMPLE.ORG",
	    &id) == 0 && id.uid == 1000 && id.gid == 100 && id.ngroups == 2 &&
	    id.groups[1] == 44 && strcmp(id.user, "alice") == 0,
	    "alice@EXAMPLE.ORG is alice, with her groups");
	tap_ok(principal_map_resolve(m, "alice@OTHER.ORG", "EXAMPLE.ORG",
	    &id) == 1 && id.uid == 65534 && id.gid == 65533,
	    "alice of another realm is nobody");
	tap_ok(principal_map_resolve(m, "nfs/alice@EXAMPLE.ORG",
	    "EXAMPLE.ORG", &id) == 1 && id.uid == 65534,
	    "a service principal is nobody");
	tap_ok(principal_map_resolve(m, "carol@EXAMPLE.ORG", "EXAMPLE.ORG",
	    &id) == 1 && id.uid == 65534, "an unknown user is nobody");
	tap_ok(principal_map_resolve(m, "alice", "EXAMPLE.ORG", &id) == 1 &&
	    principal_map_resolve(m, "@EXAMPLE.ORG", "EXAMPLE.ORG", &id) == 1,
	    "no realm, no name: nobody");
	tap_ok(principal_map_resolve(m, "alice@EXAMPLE.ORG", NULL, &id) == 1,
	    "without a realm of ours, no user principal maps");

	f = fmemopen((void *)(uintptr_t)map, strlen(map), "r");
	tap_ok(f != NULL && principal_map_load_file(m, f, err,
	    sizeof(err)) == 0 && principal_map_entries(m) == 3,
	    "the map file: three entries");
	if (f != NULL)
		fclose(f);
	tap_ok(principal_map_resolve(m, "nfs/client.example.org@EXAMPLE.ORG",
	    "EXAMPLE.ORG", &id) == 0 && id.uid == 1500 && id.gid == 1600,
	    "a machine principal mapped to UID:GID");
	tap_ok(principal_map_resolve(m, "host/build@EXAMPLE.ORG",
	    "EXAMPLE.ORG", &id) == 0 && id.uid == 1000 && id.ngroups == 2,
	    "a service principal mapped to a user");
	tap_ok(principal_map_resolve(m, "bob@OTHER.ORG", "EXAMPLE.ORG",
	    &id) == 0 && id.uid == 1001, "another realm's user, mapped");

	f = fmemopen((void *)(uintptr_t)"ok@R 1:2\nbad@R 1:x\n", 19, "r");
	tap_ok(f != NULL && principal_map_load_file(m, f, err,
	    sizeof(err)) == -1 && strstr(err, "line 2") != NULL,
	    "a bad UID:GID is refused at its line (%s)", err);
	if (f != NULL)
		fclose(f);
	f = fmemopen((void *)(uintptr_t)"a@R b c\n", 8, "r");
	tap_ok(f != NULL && principal_map_load_file(m, f, err,
	    sizeof(err)) == -1 && strstr(err, "line 1") != NULL,
	    "three words on a line are refused");
	if (f != NULL)
		fclose(f);
	principal_map_free(m);
	return tap_done();
}
