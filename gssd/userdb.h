/*
 * The SMB password database: {user, NT hash, uid, gid} records in one
 * file of gssd's state directory ("smbpasswd", mode 0600, gssd's user),
 * rewritten whole at each change: written to a temporary file, fsync'ed,
 * renamed over the old one and the directory fsync'ed, so a crash leaves
 * the old file or the new one.  One line per user:
 *
 *   NAME:UID:GID:NTHASH-IN-HEX[:GROUP,GROUP,...]
 *
 * the supplementary groups (at most USERDB_GROUPS_MAX) as dittofsctl
 * found them in the host's name service.
 */
#ifndef DITTOFS_USERDB_H
#define DITTOFS_USERDB_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define USERDB_FILE		"smbpasswd"
#define USERDB_NAME_MAX		255	/* bytes of UTF-8 */
#define USERDB_GROUPS_MAX	64	/* GSSD_GROUPS_MAX */

struct userdb_entry {
	char		name[USERDB_NAME_MAX + 1];
	uint8_t		nt_hash[16];
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	groups[USERDB_GROUPS_MAX];
	size_t		ngroups;
};

struct userdb {
	char			 path[PATH_MAX];
	struct userdb_entry	*users;
	size_t			 nusers;
	size_t			 max;
};

/* dir/smbpasswd (absent: empty); NULL with err filled. */
struct userdb	*userdb_open(const char *dir, size_t max, char *err,
		    size_t errlen);
void		 userdb_free(struct userdb *);
/* A user name we store: 1-255 bytes of UTF-8, no ':' nor controls. */
int		 userdb_name_ok(const char *);
/* By name, ASCII letters in any case; NULL if absent. */
const struct userdb_entry *userdb_find(const struct userdb *,
		    const char *);
/*
 * Add or change (create: EEXIST if present; !create: ENOENT if absent),
 * then save; -1 with errno (EINVAL, ENOSPC, EEXIST, ENOENT, or the
 * file's) and nothing changed.
 */
int		 userdb_set(struct userdb *, const char *name,
		    const uint8_t nt_hash[16], uint32_t uid, uint32_t gid,
		    int create);
int		 userdb_del(struct userdb *, const char *name);
/* Replace a user's supplementary groups, then save (as userdb_set). */
int		 userdb_set_groups(struct userdb *, const char *name,
		    const uint32_t *groups, size_t ngroups);

#endif
