/*
 * smbd/smb2_tunnel.c: an 8.3 name's long name found in its directory and
 * share only, in any case, for 15 seconds; the cache bounded, the
 * oldest entry going first, stale ones reused before live ones.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "smb2_tunnel.h"

static const uint8_t d1[] = { 1, 2, 3, 4 }, d2[] = { 1, 2, 3, 5 };

int
main(void)
{
	static struct smb2_tunnel c;
	char sn[16], ln[32];
	const char *p;
	int i, found;

	smb2_tunnel_add(&c, 0, d1, sizeof(d1), "ABCDE~1Z.TXT",
	    "abcdefgh long.txt", 1000);
	p = smb2_tunnel_find(&c, 0, d1, sizeof(d1), "abcde~1z.txt", 1000);
	tap_ok(p != NULL && strcmp(p, "abcdefgh long.txt") == 0,
	    "the long name comes back for its 8.3 name in any case");
	tap_ok(smb2_tunnel_find(&c, 0, d2, sizeof(d2), "ABCDE~1Z.TXT",
	    1000) == NULL && smb2_tunnel_find(&c, 1, d1, sizeof(d1),
	    "ABCDE~1Z.TXT", 1000) == NULL &&
	    smb2_tunnel_find(&c, 0, d1, 3, "ABCDE~1Z.TXT", 1000) == NULL,
	    "not in another directory or share");
	tap_ok(smb2_tunnel_find(&c, 0, d1, sizeof(d1), "ABCDE~1Y.TXT",
	    1000) == NULL, "not for another 8.3 name");
	tap_ok(smb2_tunnel_find(&c, 0, d1, sizeof(d1), "ABCDE~1Z.TXT",
	    1000 + SMB2_TUNNEL_AGE_MS - 1) != NULL &&
	    smb2_tunnel_find(&c, 0, d1, sizeof(d1), "ABCDE~1Z.TXT",
	    1000 + SMB2_TUNNEL_AGE_MS) == NULL,
	    "found for 15 s, not after");
	smb2_tunnel_add(&c, 0, d1, sizeof(d1), "ABCDE~1Z.TXT", "second",
	    2000);
	p = smb2_tunnel_find(&c, 0, d1, sizeof(d1), "ABCDE~1Z.TXT", 2000);
	tap_ok(p != NULL && strcmp(p, "second") == 0,
	    "the same 8.3 name again replaces its entry");

	/* Full: the oldest live entry goes; a stale one before any. */
	for (i = 0; i < SMB2_TUNNEL_MAX; i++) {
		snprintf(sn, sizeof(sn), "F~%d", i);
		snprintf(ln, sizeof(ln), "file number %d", i);
		smb2_tunnel_add(&c, 0, d2, sizeof(d2), sn, ln,
		    (uint64_t)(5000 + i));
	}
	tap_ok(smb2_tunnel_find(&c, 0, d1, sizeof(d1), "ABCDE~1Z.TXT",
	    5100) == NULL, "%d more entries push the oldest out",
	    SMB2_TUNNEL_MAX);
	for (found = 0, i = 0; i < SMB2_TUNNEL_MAX; i++) {
		snprintf(sn, sizeof(sn), "f~%d", i);
		found += smb2_tunnel_find(&c, 0, d2, sizeof(d2), sn,
		    5100) != NULL;
	}
	TAP_EQ_INT(found, SMB2_TUNNEL_MAX, "the %d new ones are all kept",
	    SMB2_TUNNEL_MAX);
	smb2_tunnel_add(&c, 0, d1, sizeof(d1), "NEW~1", "new one", 5200);
	tap_ok(smb2_tunnel_find(&c, 0, d2, sizeof(d2), "F~0", 5200) ==
	    NULL && smb2_tunnel_find(&c, 0, d2, sizeof(d2), "F~1", 5200) !=
	    NULL && smb2_tunnel_find(&c, 0, d1, sizeof(d1), "NEW~1", 5200) !=
	    NULL, "then the next oldest");
	smb2_tunnel_add(&c, 0, d1, sizeof(d1), "LATE~1", "late",
	    5000 + SMB2_TUNNEL_AGE_MS + 100);
	tap_ok(smb2_tunnel_find(&c, 0, d1, sizeof(d1), "NEW~1",
	    5000 + SMB2_TUNNEL_AGE_MS + 100) != NULL,
	    "a stale entry is reused before a live one");

	memset(ln, 'x', sizeof(ln));
	ln[sizeof(ln) - 1] = '\0';
	smb2_tunnel_add(&c, 0, d1, sizeof(d1), "LONGSHORTNAME", "n", 9000);
	smb2_tunnel_add(&c, 0, d1, sizeof(d1), "", "n", 9000);
	smb2_tunnel_add(&c, 0, d1, 65, "X~1", "n", 9000);
	tap_ok(smb2_tunnel_find(&c, 0, d1, sizeof(d1), "LONGSHORTNAME",
	    9000) == NULL && smb2_tunnel_find(&c, 0, d1, sizeof(d1), "",
	    9000) == NULL && smb2_tunnel_find(&c, 0, d1, 65, "X~1", 9000) ==
	    NULL, "an 8.3 name over 12 bytes, an empty one, a directory "
	    "handle over 64 bytes: not kept");
	return tap_done();
}
