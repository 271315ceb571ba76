/*
 * smbd/smb2_tunnel.c: the tunnel cache of 8.3 names (smb2_tunnel.h).
 */
#include <string.h>
#include <strings.h>

#include "smb2_tunnel.h"

static int
smb2_tunnel_live(const struct smb2_tunnel_entry *t, uint64_t now_ms)
{
	return t->when_ms != 0 && now_ms >= t->when_ms &&
	    now_ms - t->when_ms < SMB2_TUNNEL_AGE_MS;
}

void
smb2_tunnel_add(struct smb2_tunnel *c, size_t share, const uint8_t *dir,
    size_t dirlen, const char *shortname, const char *name, uint64_t now_ms)
{
	struct smb2_tunnel_entry *t, *slot = NULL;
	size_t i, slen = strlen(shortname), nlen = strlen(name);

	if (dirlen > SMB2_TUNNEL_FH_MAX || slen == 0 ||
	    slen > SMB2_SHORTNAME_MAX || nlen == 0 ||
	    nlen > SMB2_TUNNEL_NAME_MAX || now_ms == 0)
		return;
	/* The same key again, else a free or stale slot, else the oldest. */
	for (i = 0; i < SMB2_TUNNEL_MAX; i++) {
		t = &c->e[i];
		if (t->when_ms != 0 && t->share == share &&
		    t->dirlen == dirlen && memcmp(t->dir, dir, dirlen) == 0 &&
		    strcasecmp(t->shortname, shortname) == 0) {
			slot = t;
			break;
		}
		if (slot == NULL || (smb2_tunnel_live(slot, now_ms) &&
		    (!smb2_tunnel_live(t, now_ms) ||
		    t->when_ms < slot->when_ms)))
			slot = t;
	}
	slot->when_ms = now_ms;
	slot->share = share;
	memcpy(slot->dir, dir, dirlen);
	slot->dirlen = dirlen;
	memcpy(slot->shortname, shortname, slen + 1);
	memcpy(slot->name, name, nlen + 1);
}

const char *
smb2_tunnel_find(const struct smb2_tunnel *c, size_t share,
    const uint8_t *dir, size_t dirlen, const char *shortname,
    uint64_t now_ms)
{
	const struct smb2_tunnel_entry *t;
	size_t i;

	for (i = 0; i < SMB2_TUNNEL_MAX; i++) {
		t = &c->e[i];
		if (smb2_tunnel_live(t, now_ms) && t->share == share &&
		    t->dirlen == dirlen && memcmp(t->dir, dir, dirlen) == 0 &&
		    strcasecmp(t->shortname, shortname) == 0)
			return t->name;
	}
	return NULL;
}
