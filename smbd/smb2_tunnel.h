/*
 * smbd/smb2_tunnel.h: the tunnel cache (MS-FSA 2.1.1.2), for 8.3 names
 * only.  A file deleted through its 8.3 name leaves (directory, 8.3
 * name, long name) here; a CREATE of that 8.3 name in that directory
 * within SMB2_TUNNEL_AGE_MS that finds no file of either name makes the
 * file under the long name again, as Windows' tunnel cache gives back a
 * long name to programs that save through 8.3 names (delete, then make
 * again).  An 8.3 name here is computed from the inode number
 * (smb2_shortname.h), so without the cache the new file would be named
 * "ABCDE~1Z.TXT" itself and the long name would be gone.
 *
 * Bounded: SMB2_TUNNEL_MAX entries for all directories, the oldest
 * replaced first; an entry older than SMB2_TUNNEL_AGE_MS is never
 * found.  Only the name comes back (not the creation time or object id
 * MS-FSA also carries).  Pure: the caller gives the time, so
 * tests/unit/test_smb2_tunnel.c drives it directly.
 */
#ifndef DITTOFS_SMBD_SMB2_TUNNEL_H
#define DITTOFS_SMBD_SMB2_TUNNEL_H

#include <stddef.h>
#include <stdint.h>

#include "smb2_shortname.h"

#define SMB2_TUNNEL_MAX		64
#define SMB2_TUNNEL_AGE_MS	15000	/* MS-FSA 2.1.1.2: 15 seconds */
#define SMB2_TUNNEL_FH_MAX	64	/* a directory's handle, bytes */
#define SMB2_TUNNEL_NAME_MAX	255	/* a long name, bytes of UTF-8 */

struct smb2_tunnel_entry {
	uint64_t	when_ms;	/* 0: free */
	size_t		share;
	uint8_t		dir[SMB2_TUNNEL_FH_MAX];
	size_t		dirlen;
	char		shortname[SMB2_SHORTNAME_MAX + 1];
	char		name[SMB2_TUNNEL_NAME_MAX + 1];
};

struct smb2_tunnel {
	struct smb2_tunnel_entry e[SMB2_TUNNEL_MAX];
};

/*
 * Remember that name (long, NUL terminated) left directory dir of share
 * through its 8.3 name shortname at now_ms (a monotonic clock, never 0).
 * A directory handle or a name too long for an entry is not kept.
 */
void	 smb2_tunnel_add(struct smb2_tunnel *, size_t share,
	    const uint8_t *dir, size_t dirlen, const char *shortname,
	    const char *name, uint64_t now_ms);
/*
 * The long name that left dir through shortname (any case) less than
 * SMB2_TUNNEL_AGE_MS before now_ms, or NULL.
 */
const char *smb2_tunnel_find(const struct smb2_tunnel *, size_t share,
	    const uint8_t *dir, size_t dirlen, const char *shortname,
	    uint64_t now_ms);

#endif
