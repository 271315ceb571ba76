/*
 * gssd/principal.h: Kerberos principal -> uid, gid and groups, by the
 * rule of gssd(8):
 *   1. a principal the administrator's map file names: that entry;
 *   2. "user@REALM" (no '/' in the name) in gssd's realm: the local
 *      user "user" of the host's name service (nsswitch);
 *   3. anything else ("nfs/host@REALM", other realms, unknown users):
 *      nobody (the anonymous ids).
 * gssd is chrooted, so the name service is read into a bounded table
 * before (principal_map_load_nss); the map file too.
 */
#ifndef DITTOFS_GSSD_PRINCIPAL_H
#define DITTOFS_GSSD_PRINCIPAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PRINCIPAL_GROUPS_MAX	64	/* GSSD_GROUPS_MAX */
#define PRINCIPAL_NAME_MAX	255

struct principal_id {
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	groups[PRINCIPAL_GROUPS_MAX];
	size_t		ngroups;
	char		user[PRINCIPAL_NAME_MAX + 1];	/* "" for nobody */
};

struct principal_map;

struct principal_map *principal_map_new(uint32_t anon_uid, uint32_t anon_gid);
void	 principal_map_free(struct principal_map *);
/* A local user (the name service's); -1 when full or a bad name. */
int	 principal_map_add_user(struct principal_map *, const char *name,
	    uint32_t uid, uint32_t gid);
/* A supplementary group of a known user; -1 when unknown or full. */
int	 principal_map_add_group(struct principal_map *, const char *name,
	    uint32_t gid);
/* Every user and group nsswitch lists (before the chroot); 0 or -1. */
int	 principal_map_load_nss(struct principal_map *, size_t max);
/*
 * The administrator's map: one "PRINCIPAL USER" or "PRINCIPAL UID:GID"
 * a line ('#' comments).  0, or -1 with the line's fault in err.
 */
int	 principal_map_load_file(struct principal_map *, FILE *,
	    char *err, size_t errlen);
/* 0: mapped by rule 1 or 2; 1: nobody (rule 3).  Never fails. */
int	 principal_map_resolve(const struct principal_map *,
	    const char *principal, const char *realm, struct principal_id *);
size_t	 principal_map_users(const struct principal_map *);
size_t	 principal_map_entries(const struct principal_map *);

#endif
