/*
 * common/acl.h: the NFSv4 ACL model (RFC 8881 section 6), the one
 * evaluator of DittoFS.  blockd stores an inode's ACL in acl_encode()'s
 * format and decides every permission check with it (blockd/store_ops.c);
 * a front end's fast path either evaluates the same way or asks blockd.
 * SMB security descriptors and POSIX modes map onto this model.
 *
 * Pure code: no allocation, no I/O, no other part of common/, so that the
 * store library and the fuzz targets can link it alone.
 *
 * Root (uid 0) holds the equivalent of Linux's CAP_DAC_OVERRIDE: every
 * bit is granted except EXECUTE on a non-directory that no class (owner,
 * group, other: acl_to_mode()) may execute.  This is common/perm.h's rule
 * for modes, kept for ACLs.
 *
 * Windows SIDs (MS-DTYP 2.4.2) that name no uid or gid are kept as
 * ACL_WHO_SID ACEs, the SID in the ACL's table, so that an ACL set by a
 * Windows client (or edited by an NFSv4 client) keeps them.  Who holds
 * a SID, for NFS and SMB callers alike:
 *   S-1-1-0 (Everyone)                        every caller;
 *   S-1-5-11 (Authenticated Users) and
 *   S-1-5-32-545 (BUILTIN\Users)              every caller but the
 *                                             anonymous uid
 *                                             ACL_UID_ANONYMOUS (the
 *                                             default anonuid and guest);
 *   S-1-5-32-544 (BUILTIN\Administrators) and
 *   S-1-5-18 (Local System)                   uid 0 (who holds every bit
 *                                             anyway, as said above);
 *   S-1-22-1-U and S-1-22-2-G                 uid U, a member of gid G;
 *   any other SID (a domain's, ...)           nobody: it is kept and
 *                                             shown, as Windows keeps a
 *                                             SID it cannot resolve.
 */
#ifndef DITTOFS_ACL_H
#define DITTOFS_ACL_H

#include <stddef.h>
#include <stdint.h>

/* RFC 8881 6.2.1.1: ACE types.  AUDIT and ALARM are kept, not evaluated. */
#define ACL_TYPE_ALLOW			0
#define ACL_TYPE_DENY			1
#define ACL_TYPE_AUDIT			2
#define ACL_TYPE_ALARM			3

/* RFC 8881 6.2.1.4: ACE flags. */
#define ACL_FLAG_FILE_INHERIT		0x0001
#define ACL_FLAG_DIRECTORY_INHERIT	0x0002
#define ACL_FLAG_NO_PROPAGATE_INHERIT	0x0004
#define ACL_FLAG_INHERIT_ONLY		0x0008
#define ACL_FLAG_SUCCESSFUL_ACCESS	0x0010	/* AUDIT/ALARM only */
#define ACL_FLAG_FAILED_ACCESS		0x0020	/* AUDIT/ALARM only */
#define ACL_FLAG_IDENTIFIER_GROUP	0x0040
#define ACL_FLAG_INHERITED		0x0080
#define ACL_FLAGS_ALL			0x00ff
#define ACL_FLAGS_INHERIT		(ACL_FLAG_FILE_INHERIT | \
	ACL_FLAG_DIRECTORY_INHERIT | ACL_FLAG_NO_PROPAGATE_INHERIT | \
	ACL_FLAG_INHERIT_ONLY)

/*
 * RFC 8881 6.4.3.3 (aclflag4 of NFSv4.1's dacl attribute): the ACL's own
 * flags, SMB's SE_DACL_AUTO_INHERITED, SE_DACL_PROTECTED and
 * SE_DACL_DEFAULTED.
 */
#define ACL_AUTO_INHERIT		0x01
#define ACL_PROTECTED			0x02
#define ACL_DEFAULTED			0x04
#define ACL_ACLFLAGS_ALL		0x07
/*
 * Never stored: an ACL written by one who cannot say its flags (NFSv4's
 * acl attribute, which has no aclflag4: RFC 8881 6.2.3, 6.4.3.3).  The
 * store keeps the ACL's AUTO_INHERIT and PROTECTED as they were, so an
 * NFS client's edit of a Windows-protected DACL leaves it protected; it
 * drops DEFAULTED, the ACL being set explicitly now.
 */
#define ACL_FLAGS_UNSAID		0x80

/* RFC 8881 6.2.1.3: the access mask bits (same values as on the wire). */
#define ACL_READ_DATA			0x00000001
#define ACL_LIST_DIRECTORY		0x00000001
#define ACL_WRITE_DATA			0x00000002
#define ACL_ADD_FILE			0x00000002
#define ACL_APPEND_DATA			0x00000004
#define ACL_ADD_SUBDIRECTORY		0x00000004
#define ACL_READ_NAMED_ATTRS		0x00000008
#define ACL_WRITE_NAMED_ATTRS		0x00000010
#define ACL_EXECUTE			0x00000020
#define ACL_DELETE_CHILD		0x00000040
#define ACL_READ_ATTRIBUTES		0x00000080
#define ACL_WRITE_ATTRIBUTES		0x00000100
#define ACL_DELETE			0x00010000
#define ACL_READ_ACL			0x00020000
#define ACL_WRITE_ACL			0x00040000
#define ACL_WRITE_OWNER			0x00080000
#define ACL_SYNCHRONIZE			0x00100000
#define ACL_MASK_ALL			0x001f01ff

/* Who an ACE is for: the three special identifiers or a named id. */
#define ACL_WHO_OWNER			1	/* OWNER@ */
#define ACL_WHO_GROUP			2	/* GROUP@ */
#define ACL_WHO_EVERYONE		3	/* EVERYONE@ */
#define ACL_WHO_ID			4	/* uid, or gid with
						   IDENTIFIER_GROUP */
#define ACL_WHO_SID			5	/* id: index in the
						   ACL's SID table */

/* The caller who holds no "authenticated" SID (nobody). */
#define ACL_UID_ANONYMOUS		65534u

/* At most this many ACEs in an ACL; the decoder refuses more. */
#define ACL_ACES_MAX			128
/* At most this many distinct SIDs in an ACL's table. */
#define ACL_SIDS_MAX			32
/* MS-DTYP 2.4.2: a SID has at most 15 sub-authorities. */
#define ACL_SID_SUB_MAX			15
/* "S-1-" authority and 15 "-" sub-authorities, in decimal. */
#define ACL_SID_STRING_MAX		(4 + 15 + 15 * 11)
/*
 * The encoding: version 1 (no SID ACE): version, count (2 bytes), 12
 * bytes per ACE.  Version 2 (some SID ACE): version, count (2), SID
 * count (1), the ACEs, then per SID its sub-authority count (1), its
 * authority (6) and its sub-authorities (4 each).  Version 3 (some
 * ACL_ACLFLAGS bit set): version, the flags (1), count (1), SID count
 * (1, may be 0), then as version 2; the same size of header as version
 * 2, so ACL_ENCODED_MAX holds for every version.  An ACL without flags
 * is written as before, in version 1 or 2.  Version 4 (an owner or group
 * SID kept, struct acl's sidowner): the header of version 3 (its flags
 * byte may be 0), the ACEs and the SID table as version 2, then one
 * byte of ACL_SIDOWNER_* bits (some set) and the owner's SID, then the
 * group's, each present as its bit says, in the table's SID format.
 * An ACL without them is written as before, in version 1, 2 or 3.
 */
#define ACL_VERSION			1
#define ACL_VERSION_SID			2
#define ACL_VERSION_FLAGS		3
#define ACL_VERSION_OWNER		4
#define ACL_HEADER_SIZE			3
#define ACL_HEADER_SID_SIZE		4
#define ACL_ACE_SIZE			12
#define ACL_SID_SIZE_MAX		(7 + 4 * ACL_SID_SUB_MAX)
#define ACL_ENCODED_MAX			(ACL_HEADER_SID_SIZE + \
	ACL_ACE_SIZE * ACL_ACES_MAX + ACL_SID_SIZE_MAX * ACL_SIDS_MAX + \
	1 + 2 * ACL_SID_SIZE_MAX)

/*
 * The owner or group an SMB client named by a SID that is no Unix id
 * (S-1-1-0, S-1-5-32-544, a domain's user): kept with the ACL beside
 * the inode's numeric owner and group, which still decide OWNER@,
 * GROUP@ and what NFS shows; SMB shows the SID (dittofs-smbd(8)).
 */
#define ACL_SIDOWNER_OWNER		0x01
#define ACL_SIDOWNER_GROUP		0x02
#define ACL_SIDOWNER_ALL		0x03

struct acl_ace {
	uint8_t		type;		/* ACL_TYPE_* */
	uint8_t		who;		/* ACL_WHO_* */
	uint16_t	flags;		/* ACL_FLAG_* */
	uint32_t	mask;		/* ACL_* access bits */
	uint32_t	id;		/* ACL_WHO_ID: uid or gid;
					   ACL_WHO_SID: index in sid[];
					   else 0 */
};

/* MS-DTYP 2.4.2: S-1-auth-sub[0]-...-sub[nsub - 1]. */
struct acl_sid {
	uint64_t	auth;		/* 48 bits */
	uint8_t		nsub;		/* <= ACL_SID_SUB_MAX */
	uint32_t	sub[ACL_SID_SUB_MAX];
};

struct acl {
	uint32_t	aclflags;	/* ACL_AUTO_INHERIT, ... */
	size_t		count;
	struct acl_ace	ace[ACL_ACES_MAX];
	size_t		nsids;		/* entries of sid[] in use */
	struct acl_sid	sid[ACL_SIDS_MAX];
	uint32_t	sidowner;	/* ACL_SIDOWNER_*: which of the
					   two below are kept */
	struct acl_sid	owner_sid;
	struct acl_sid	group_sid;
};

/* Who asks (after the front end's squashing). */
struct acl_cred {
	uint32_t	 uid;
	uint32_t	 gid;
	const uint32_t	*groups;
	size_t		 ngroups;
};

/*
 * RFC 8881 6.2.1: the bits of want that cred holds on an object with
 * this ACL, owner and owning group.  The owner always holds READ_ACL,
 * WRITE_ACL, READ_ATTRIBUTES and WRITE_ATTRIBUTES (6.2.1.3.2); root as
 * said above.
 */
uint32_t acl_access(const struct acl *, uint32_t owner, uint32_t group,
	    int is_dir, const struct acl_cred *, uint32_t want);
/*
 * acl_access as Windows decides for an SMB open (MS-DTYP 2.5.3.2): the
 * owner holds READ_ACL and WRITE_ACL (READ_CONTROL, WRITE_DAC) beyond
 * what the ACEs grant, and nothing beyond them when an OWNER@ ACE (SMB's
 * OWNER RIGHTS, S-1-3-4) applies to the object; root as acl_access.
 */
uint32_t acl_access_windows(const struct acl *, uint32_t owner,
	    uint32_t group, int is_dir, const struct acl_cred *,
	    uint32_t want);
/* 0 if every bit of want is held, else -EACCES. */
int	 acl_check(const struct acl *, uint32_t owner, uint32_t group,
	    int is_dir, const struct acl_cred *, uint32_t want);

/* The access bits that a mode's r, w and x stand for. */
uint32_t acl_mode_mask(uint32_t rwx, int is_dir);
/* RFC 8881 6.4.1: the minimal ACL that says what the mode's 0777 says. */
void	 acl_from_mode(uint32_t mode, int is_dir, struct acl *);
/*
 * RFC 8881 6.4.2: the 0777 bits that agree with the ACL: owner, group
 * and other bits from what OWNER@, GROUP@ and EVERYONE@ are granted
 * (READ_DATA, WRITE_DATA, EXECUTE), named ACEs aside.
 */
uint32_t acl_to_mode(const struct acl *, int is_dir);
/* The ACL is the minimal one of a mode: storing the mode says it all. */
int	 acl_is_trivial(const struct acl *, int is_dir);
/*
 * RFC 8881 6.4.1.1/6.4.1.2: a chmod applied to an ACL.  Named ACEs stay
 * where they are (a named ALLOW keeps no r/w/x bit the mode's group
 * bits lack); the effective OWNER@, GROUP@ and EVERYONE@ ALLOW/DENY
 * ACEs go (on a directory an inheritable one stays as INHERIT_ONLY), and
 * the mode's minimal ACL follows the named ones.  -ENOSPC if the result
 * would exceed ACL_ACES_MAX.
 */
int	 acl_chmod(const struct acl *, uint32_t mode, int is_dir,
	    struct acl *);
/*
 * RFC 8881 6.4.3 and MS-DTYP 2.5.3.4.2: what a new file (is_dir 0) or
 * directory inherits from its parent's ACL: FILE_INHERIT ACEs for a
 * file, DIRECTORY_INHERIT ones for a directory (FILE_INHERIT-only ones
 * ride along on a directory as INHERIT_ONLY, for its files).  An
 * INHERIT_ONLY OWNER@ or GROUP@ ACE (CREATOR OWNER, CREATOR GROUP)
 * becomes, where it applies, an ACE for the new object's owner (uid
 * owner) or group (gid group), and stays as it was for the directory's
 * own children where it passes on.  The ACEs are marked INHERITED, and
 * the new ACL ACL_AUTO_INHERIT, when the parent's ACL is
 * ACL_AUTO_INHERIT (Windows' rule).  Returns the number of inherited
 * ACEs that apply to the new object itself, or -ENOSPC when what is
 * inherited would exceed ACL_ACES_MAX (a split creator's ACE is two).
 */
int	 acl_inherit(const struct acl *parent, int is_dir, uint32_t owner,
	    uint32_t group, struct acl *);
/*
 * MS-DTYP 2.5.3.4.2: the DACL a new object gets from the creator's token
 * when its directory passes on nothing: full control for the owner (uid
 * owner) and for LOCAL SYSTEM (S-1-5-18).
 */
void	 acl_windows_default(uint32_t owner, struct acl *);

/*
 * The index of sid in acl's table, added if new: -ENOSPC when the table
 * is full, -EINVAL for a SID out of bounds.
 */
int	 acl_sid_add(struct acl *, const struct acl_sid *);
/* An ACE for sid appended to acl: 0, -ENOSPC or -EINVAL. */
int	 acl_add_sid_ace(struct acl *, uint8_t type, uint16_t flags,
	    uint32_t mask, const struct acl_sid *);
/* The SID of an ACL_WHO_SID ACE of acl, NULL if its index is bad. */
const struct acl_sid *acl_ace_sid(const struct acl *, const struct acl_ace *);
int	 acl_sid_equal(const struct acl_sid *, const struct acl_sid *);
/* MS-DTYP 2.4.2.1: "S-1-5-32-544"; 0, or -EINVAL if not one. */
int	 acl_sid_parse(const char *, size_t len, struct acl_sid *);
/* The string form; its length (snprintf's rules). */
size_t	 acl_sid_format(const struct acl_sid *, char *, size_t);

/*
 * The owner and group SIDs (ACL_SIDOWNER_*) of from that to lacks, copied
 * to it: an ACL set without them keeps the ones kept before.
 */
void	 acl_sidowner_keep(struct acl *to, const struct acl *from);

/*
 * Encoding: *len set; 0, or -ERANGE if bufsize is too small.  Version 1
 * when no ACE is a SID's, so an ACL without one reads in any version;
 * else version 2 with the SIDs that ACEs name, in order of first use.
 */
int	 acl_encode(const struct acl *, uint8_t *buf, size_t bufsize,
	    size_t *len);
/*
 * Strict: -EINVAL unless buf is exactly one well-formed encoding of
 * either version (a version 2 table holds each SID once, every one
 * named by an ACE, in order of first use).
 */
int	 acl_decode(const uint8_t *buf, size_t len, struct acl *);

#endif
