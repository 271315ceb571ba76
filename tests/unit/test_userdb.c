/*
 * gssd/userdb.c: the SMB password file.  Records survive a reopen
 * (groups too), names match in any ASCII case, add/change/delete say
 * EEXIST/ENOENT/ENOSPC/EINVAL, the file is 0600 with no temporary left,
 * and a damaged file is refused rather than half read.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "userdb.h"

static void
write_file(const char *dir, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, USERDB_FILE);
	if ((fp = fopen(path, "w")) != NULL) {
		fputs(text, fp);
		fclose(fp);
	}
}

int
main(void)
{
	char dir[] = "/tmp/test_userdb.XXXXXX", path[512], err[256];
	uint8_t h1[16], h2[16];
	uint32_t groups[2] = { 100, 200 };
	const struct userdb_entry *e;
	struct userdb *db;
	struct stat st;

	if (mkdtemp(dir) == NULL)
		return 1;
	memset(h1, 0x11, 16);
	memset(h2, 0x22, 16);
	db = userdb_open(dir, 2, err, sizeof(err));
	tap_ok(db != NULL && db->nusers == 0, "no file: an empty database");
	tap_ok(userdb_set(db, "Alice", h1, 1000, 100, 1) == 0,
	    "add Alice");
	tap_ok(userdb_set(db, "ALICE", h2, 1, 1, 1) == -1 && errno == EEXIST,
	    "add ALICE again: EEXIST");
	tap_ok(userdb_set(db, "bob", h2, 1, 1, 0) == -1 && errno == ENOENT,
	    "change an absent user: ENOENT");
	tap_ok(userdb_set(db, "a:b", h2, 1, 1, 1) == -1 && errno == EINVAL &&
	    userdb_set(db, "", h2, 1, 1, 1) == -1 &&
	    userdb_set(db, "tab\there", h2, 1, 1, 1) == -1 &&
	    userdb_set(db, "\xff\xfe", h2, 1, 1, 1) == -1,
	    "names with ':', empty, a control or bad UTF-8: EINVAL");
	tap_ok(userdb_set_groups(db, "alice", groups, 2) == 0, "groups set");
	tap_ok(userdb_set(db, "bob", h2, 2000, 200, 1) == 0 &&
	    userdb_set(db, "carol", h2, 1, 1, 1) == -1 && errno == ENOSPC,
	    "beyond the maximum: ENOSPC");
	tap_ok(userdb_set(db, "alice", h2, 1001, 101, 0) == 0,
	    "change alice's password and ids");
	snprintf(path, sizeof(path), "%s/%s", dir, USERDB_FILE);
	tap_ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "the file is mode 0600");
	snprintf(path, sizeof(path), "%s/%s.tmp", dir, USERDB_FILE);
	tap_ok(access(path, F_OK) == -1, "no temporary file left");
	userdb_free(db);

	db = userdb_open(dir, 2, err, sizeof(err));
	e = db != NULL ? userdb_find(db, "ALICE") : NULL;
	tap_ok(e != NULL && strcmp(e->name, "Alice") == 0 &&
	    memcmp(e->nt_hash, h2, 16) == 0 && e->uid == 1001 &&
	    e->gid == 101 && e->ngroups == 2 && e->groups[1] == 200,
	    "reopened: Alice as spelt, her new hash, ids and groups");
	tap_ok(userdb_del(db, "alice") == 0 && userdb_find(db, "Alice") ==
	    NULL && userdb_del(db, "alice") == -1 && errno == ENOENT,
	    "delete, then delete again: ENOENT");
	tap_ok(userdb_find(db, "bob") != NULL && userdb_find(db, "bob")->ngroups
	    == 0, "bob stays, without groups");
	userdb_free(db);

	write_file(dir, "eve:1:1:zz112233445566778899aabbccddeeff\n");
	tap_ok(userdb_open(dir, 8, err, sizeof(err)) == NULL &&
	    strstr(err, ":1: malformed") != NULL, "a bad hash: refused (%s)",
	    err);
	write_file(dir, "eve:1:1:00112233445566778899aabbccddeeff:1,x\n");
	tap_ok(userdb_open(dir, 8, err, sizeof(err)) == NULL,
	    "a bad group: refused");
	write_file(dir, "eve:1:1:00112233445566778899aabbccddeeff\n"
	    "EVE:1:1:00112233445566778899aabbccddeeff\n");
	tap_ok(userdb_open(dir, 8, err, sizeof(err)) == NULL &&
	    strstr(err, "twice") != NULL, "a user listed twice: refused");
	write_file(dir, "eve:1:1:00112233445566778899aabbccddeeff");
	tap_ok(userdb_open(dir, 8, err, sizeof(err)) == NULL,
	    "an unterminated last line: refused");
	write_file(dir, "eve:4294967296:1:00112233445566778899aabbccddeeff\n");
	tap_ok(userdb_open(dir, 8, err, sizeof(err)) == NULL,
	    "a uid beyond 32 bits: refused");

	snprintf(path, sizeof(path), "%s/%s", dir, USERDB_FILE);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
