/*
 * The SMB password database (userdb.h).  Small (at most a few thousand
 * users), so it lives in memory and the file is rewritten per change.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ntcrypto.h"
#include "userdb.h"

int
userdb_name_ok(const char *name)
{
	uint8_t buf[4 * USERDB_NAME_MAX];
	const unsigned char *p;
	size_t len = strlen(name);

	if (len == 0 || len > USERDB_NAME_MAX)
		return 0;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || *p == ':')
			return 0;
	return ntcrypto_utf16le(name, buf, sizeof(buf), 0) != -1;
}

static int
userdb_hex(const char *s, uint8_t out[16])
{
	unsigned int v;
	int i;

	if (strlen(s) != 32)
		return -1;
	for (i = 0; i < 16; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1 ||
		    strchr("0123456789abcdefABCDEF", s[2 * i]) == NULL ||
		    strchr("0123456789abcdefABCDEF", s[2 * i + 1]) == NULL)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static int
userdb_parse_line(char *line, struct userdb_entry *e)
{
	char *name, *uid, *gid, *hash, *groups, *one, *end;
	unsigned long u, g, sg;

	name = strsep(&line, ":");
	uid = strsep(&line, ":");
	gid = strsep(&line, ":");
	hash = strsep(&line, ":");
	groups = line;
	if (name == NULL || uid == NULL || gid == NULL || hash == NULL ||
	    !userdb_name_ok(name))
		return -1;
	errno = 0;
	u = strtoul(uid, &end, 10);
	if (errno != 0 || *end != '\0' || end == uid || u > UINT32_MAX)
		return -1;
	g = strtoul(gid, &end, 10);
	if (errno != 0 || *end != '\0' || end == gid || g > UINT32_MAX)
		return -1;
	if (userdb_hex(hash, e->nt_hash) == -1)
		return -1;
	e->ngroups = 0;
	while (groups != NULL && (one = strsep(&groups, ",")) != NULL) {
		errno = 0;
		sg = strtoul(one, &end, 10);
		if (errno != 0 || *end != '\0' || end == one ||
		    sg > UINT32_MAX || e->ngroups == USERDB_GROUPS_MAX)
			return -1;
		e->groups[e->ngroups++] = (uint32_t)sg;
	}
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->uid = (uint32_t)u;
	e->gid = (uint32_t)g;
	return 0;
}

struct userdb *
userdb_open(const char *dir, size_t max, char *err, size_t errlen)
{
	struct userdb *db;
	char line[USERDB_NAME_MAX + 128 + 11 * USERDB_GROUPS_MAX];
	FILE *fp;
	int lineno = 0;
	size_t len;

	if ((db = calloc(1, sizeof(*db))) == NULL ||
	    (db->users = calloc(max ? max : 1, sizeof(*db->users))) == NULL) {
		free(db);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	db->max = max;
	if (snprintf(db->path, sizeof(db->path), "%s/%s", dir, USERDB_FILE) >=
	    (int)sizeof(db->path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		goto fail;
	}
	if ((fp = fopen(db->path, "re")) == NULL) {
		if (errno == ENOENT)
			return db;
		snprintf(err, errlen, "%s: %s", db->path, strerror(errno));
		goto fail;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		len = strlen(line);
		if (len == 0 || line[len - 1] != '\n') {
			snprintf(err, errlen, "%s:%d: line too long or "
			    "unterminated", db->path, lineno);
			goto fail_fp;
		}
		line[len - 1] = '\0';
		if (db->nusers == db->max) {
			snprintf(err, errlen, "%s: more than %zu users",
			    db->path, db->max);
			goto fail_fp;
		}
		if (userdb_parse_line(line, &db->users[db->nusers]) == -1) {
			snprintf(err, errlen, "%s:%d: malformed record",
			    db->path, lineno);
			goto fail_fp;
		}
		if (userdb_find(db, db->users[db->nusers].name) != NULL) {
			snprintf(err, errlen, "%s:%d: user listed twice",
			    db->path, lineno);
			goto fail_fp;
		}
		db->nusers++;
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(fp);
	return db;
fail_fp:
	OPENSSL_cleanse(line, sizeof(line));
	fclose(fp);
fail:
	userdb_free(db);
	return NULL;
}

void
userdb_free(struct userdb *db)
{
	if (db == NULL)
		return;
	OPENSSL_cleanse(db->users, (db->max ? db->max : 1) *
	    sizeof(*db->users));
	free(db->users);
	free(db);
}

const struct userdb_entry *
userdb_find(const struct userdb *db, const char *name)
{
	size_t i;

	for (i = 0; i < db->nusers; i++)
		if (strcasecmp(db->users[i].name, name) == 0)
			return &db->users[i];
	return NULL;
}

/* Write the whole file anew: temporary file, fsync, rename, fsync dir. */
static int
userdb_save(const struct userdb *db)
{
	char tmp[PATH_MAX + 8], dir[PATH_MAX], *slash;
	FILE *fp;
	size_t i, g;
	int fd, j, saved;

	snprintf(tmp, sizeof(tmp), "%s.tmp", db->path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	for (i = 0; i < db->nusers; i++) {
		fprintf(fp, "%s:%u:%u:", db->users[i].name,
		    (unsigned)db->users[i].uid, (unsigned)db->users[i].gid);
		for (j = 0; j < 16; j++)
			fprintf(fp, "%02x", db->users[i].nt_hash[j]);
		for (g = 0; g < db->users[i].ngroups; g++)
			fprintf(fp, "%c%u", g == 0 ? ':' : ',',
			    (unsigned)db->users[i].groups[g]);
		fputc('\n', fp);
	}
	if (fflush(fp) == EOF || fsync(fileno(fp)) == -1) {
		saved = errno;
		fclose(fp);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (fclose(fp) == EOF || rename(tmp, db->path) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", db->path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	if ((fd = open(slash != NULL ? dir : ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return -1;
	if (fsync(fd) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}

/* Save; if that fails, e goes back to old (or away if just added). */
static int
userdb_commit(struct userdb *db, struct userdb_entry *e,
    struct userdb_entry *old, int added)
{
	int rc = 0, saved;

	if (userdb_save(db) == -1) {
		saved = errno;
		if (added)
			db->nusers--;
		else
			*e = *old;
		errno = saved;
		rc = -1;
	}
	OPENSSL_cleanse(old, sizeof(*old));
	return rc;
}

int
userdb_set(struct userdb *db, const char *name, const uint8_t nt_hash[16],
    uint32_t uid, uint32_t gid, int create)
{
	struct userdb_entry *e, old;
	int added = 0;

	if (!userdb_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	e = (struct userdb_entry *)userdb_find(db, name);
	if (e != NULL && create) {
		errno = EEXIST;
		return -1;
	}
	if (e == NULL && !create) {
		errno = ENOENT;
		return -1;
	}
	if (e == NULL) {
		if (db->nusers == db->max) {
			errno = ENOSPC;
			return -1;
		}
		e = &db->users[db->nusers++];
		memset(e, 0, sizeof(*e));
		snprintf(e->name, sizeof(e->name), "%s", name);
		added = 1;
	}
	old = *e;
	memcpy(e->nt_hash, nt_hash, 16);
	e->uid = uid;
	e->gid = gid;
	return userdb_commit(db, e, &old, added);
}

int
userdb_del(struct userdb *db, const char *name)
{
	struct userdb_entry *e, old;
	size_t at;

	if ((e = (struct userdb_entry *)userdb_find(db, name)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	at = (size_t)(e - db->users);
	old = *e;
	memmove(e, e + 1, (db->nusers - at - 1) * sizeof(*e));
	db->nusers--;
	if (userdb_save(db) == -1) {
		int saved = errno;

		memmove(db->users + at + 1, db->users + at,
		    (db->nusers - at) * sizeof(*e));
		db->users[at] = old;
		db->nusers++;
		OPENSSL_cleanse(&old, sizeof(old));
		errno = saved;
		return -1;
	}
	OPENSSL_cleanse(&old, sizeof(old));
	return 0;
}

int
userdb_set_groups(struct userdb *db, const char *name, const uint32_t *groups,
    size_t ngroups)
{
	struct userdb_entry *e, old;

	if ((e = (struct userdb_entry *)userdb_find(db, name)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	if (ngroups > USERDB_GROUPS_MAX) {
		errno = EINVAL;
		return -1;
	}
	old = *e;
	memcpy(e->groups, groups, ngroups * sizeof(*groups));
	e->ngroups = ngroups;
	return userdb_commit(db, e, &old, 0);
}
