/*
 * smbd/smb2_shortname.h: 8.3 names (MS-FSCC 2.1.5.2.1), the ShortName of
 * FileBothDirectoryInformation and FileIdBothDirectoryInformation and
 * the answer of FileAlternateNameInformation (MS-FSCC 2.4.8, 2.4.17,
 * 2.4.5).  Nothing is stored: a name's 8.3 name is computed from the name
 * and the file's inode number, so that it never collides within a
 * directory:
 *
 *   - a name that is an 8.3 name already, in upper case and without a
 *     '~' ("README.TXT"), is its own and has no other;
 *   - any other name gets its first legal characters in upper case (7
 *     less the digits that follow; others are '_', spaces and dots
 *     left out), '~', the inode number in base 36 (upper case), and '.'
 *     with up to 3 characters of its extension ("torture_search.txt",
 *     inode 1234: "TORTU~YA.TXT").
 *
 * The first kind has no '~', the second exactly one, followed by a
 * number no other inode has; so two names of one directory share an 8.3
 * name only when they are links of one file.  An inode number of more
 * than 7 base-36 digits (above 78 billion) gives no 8.3 name.  Pure: no
 * I/O, so tests/unit/test_smb2_shortname.c drives it directly.
 */
#ifndef DITTOFS_SMBD_SMB2_SHORTNAME_H
#define DITTOFS_SMBD_SMB2_SHORTNAME_H

#include <stddef.h>
#include <stdint.h>

/* "BASENAME.EXT"; FileBothDirectoryInformation's 24 bytes of UTF-16. */
#define SMB2_SHORTNAME_MAX	12

/* 1 when name (UTF-8, NUL terminated) is an 8.3 name of its own. */
int	smb2_shortname_own(const char *name);

/*
 * The 8.3 name of name, a link to inode ino, in out (NUL terminated,
 * ASCII): its length, or 0 when it has none ("." and "..", a name of its
 * own, an inode number too large).
 */
size_t	smb2_shortname(const char *name, uint64_t ino,
	    char out[SMB2_SHORTNAME_MAX + 1]);

/*
 * 1 when name has the shape of a generated 8.3 name (a base of 7
 * characters at most with one '~' and base-36 digits in either case,
 * an extension of 1 to 3), with the inode number it names in *ino.  A
 * shape only: smb2_shortname_match says whether a file's name gives it.
 */
int	smb2_shortname_ino(const char *name, uint64_t *ino);

/* 1 when name, a link to inode ino, has the 8.3 name asked (any case). */
int	smb2_shortname_match(const char *asked, const char *name,
	    uint64_t ino);

#endif
