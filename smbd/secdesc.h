/*
 * smbd/secdesc.h: SMB security descriptors (MS-DTYP 2.4.6, the
 * self-relative form) parsed into and built from the store's ACL model
 * (common/acl.h).  Pure code: no allocation, no I/O.
 *
 * The SID rule (dittofs-smbd(8)):
 *   S-1-22-1-U   uid U (Samba's "Unix User" authority)
 *   S-1-22-2-G   gid G ("Unix Group"): a named ACE gets IDENTIFIER_GROUP
 *   S-1-1-0      Everyone      <-> EVERYONE@
 *   S-1-3-4      OWNER RIGHTS  <-> OWNER@ on an ACE that applies
 *   S-1-3-0      CREATOR OWNER <-> OWNER@ on an INHERIT_ONLY ACE
 *   S-1-3-1      CREATOR GROUP <-> GROUP@ (Windows has no SID for an
 *                object's owning group, so GROUP@ always travels so)
 *   any other   an ACE of a DACL keeps it as an ACL_WHO_SID ACE (the SID
 *               in the ACL's table, common/acl.h, which says who holds
 *               BUILTIN\\Administrators, Authenticated Users, ...; a
 *               domain's SID matches nobody), built back as it came;
 *               more than ACL_SIDS_MAX distinct ones: STATUS_INVALID_ACL.
 * As owner S-1-22-1-U is uid U, as group S-1-22-2-G gid G; any other
 * SID is kept as the owner's or group's SID beside the numeric one
 * (common/acl.h ACL_SIDOWNER_*, set by root alone: blockd).  A
 * malformed owner is STATUS_INVALID_OWNER, a malformed group
 * STATUS_INVALID_PRIMARY_GROUP, a malformed SID of an ACE
 * STATUS_INVALID_SID.
 *
 * Access masks: the low 21 bits are the same values in both models
 * (FILE_READ_DATA = ACE4_READ_DATA, ..., SYNCHRONIZE); GENERIC_* bits
 * are mapped to the file rights they stand for (MS-SMB2 2.2.13.1.1);
 * ACCESS_SYSTEM_SECURITY, MAXIMUM_ALLOWED and reserved bits are dropped.
 * ACE flags: OI, CI, NP, IO map to FILE_INHERIT, DIRECTORY_INHERIT,
 * NO_PROPAGATE_INHERIT, INHERIT_ONLY; INHERITED_ACE to INHERITED.
 * ACE types: ACCESS_ALLOWED and ACCESS_DENIED; any other type in a DACL
 * is refused (STATUS_INVALID_ACL); a SACL is skipped unread.
 * A NULL DACL (present, no ACL) is EVERYONE@ allowed everything; an
 * empty DACL is one EVERYONE@ ALLOW ACE with no bits (the store drops
 * an ACL with no ACE at all), built back as an empty DACL; any other
 * ACE with no bits is kept and built as it is.
 * SE_DACL_AUTO_INHERITED, SE_DACL_PROTECTED and SE_DACL_DEFAULTED are
 * kept with the ACL (struct acl aclflags); SE_DACL_AUTO_INHERITED only
 * when SE_DACL_AUTO_INHERIT_REQ comes with it.
 */
#ifndef DITTOFS_SECDESC_H
#define DITTOFS_SECDESC_H

#include <stddef.h>
#include <stdint.h>

#include "common/acl.h"

/* MS-DTYP 2.4.7: SECURITY_INFORMATION (AdditionalInformation). */
#define SECDESC_OWNER		0x00000001u
#define SECDESC_GROUP		0x00000002u
#define SECDESC_DACL		0x00000004u
#define SECDESC_SACL		0x00000008u

/* MS-DTYP 2.4.6: control bits. */
#define SECDESC_SE_DACL_PRESENT		0x0004u
#define SECDESC_SE_DACL_DEFAULTED	0x0008u
#define SECDESC_SE_DACL_AUTO_INHERIT_REQ	0x0100u
#define SECDESC_SE_DACL_AUTO_INHERITED	0x0400u
#define SECDESC_SE_SACL_PRESENT		0x0010u
#define SECDESC_SE_DACL_PROTECTED	0x1000u
#define SECDESC_SE_SELF_RELATIVE	0x8000u

/* MS-ERREF 2.3: the statuses a descriptor earns (not in status.h). */
#define STATUS_INVALID_OWNER		0xc000005au
#define STATUS_INVALID_PRIMARY_GROUP	0xc000005bu
#define STATUS_INVALID_ACL		0xc0000077u
#define STATUS_INVALID_SID		0xc0000078u
#define STATUS_INVALID_SECURITY_DESCR	0xc0000079u

/* MS-SMB2 2.2.13.1.1: the GENERIC_* bits of an access mask. */
#define SECDESC_GENERIC_ALL		0x10000000u
#define SECDESC_GENERIC_EXECUTE		0x20000000u
#define SECDESC_GENERIC_WRITE		0x40000000u
#define SECDESC_GENERIC_READ		0x80000000u

/*
 * The largest descriptor secdesc_build() makes: owner and group, 128
 * ACEs of a 68-byte SID (15 sub-authorities) each.
 */
#define SECDESC_SID_MAX		68
#define SECDESC_BUILD_MAX	(20 + 2 * SECDESC_SID_MAX + 8 + \
	ACL_ACES_MAX * (8 + SECDESC_SID_MAX))

struct secdesc {
	uint32_t	present;	/* SECDESC_OWNER|GROUP|DACL */
	uint32_t	uid;		/* with SECDESC_OWNER */
	uint32_t	gid;		/* with SECDESC_GROUP */
	uint32_t	sidowner;	/* ACL_SIDOWNER_*: the owner or
					   group is the SID below, not the
					   id above */
	struct acl_sid	owner_sid;
	struct acl_sid	group_sid;
	struct acl	dacl;		/* with SECDESC_DACL */
};

/* A generic-mapped ACE mask in common/acl.h's bits. */
uint32_t secdesc_mask_to_acl(uint32_t);
/*
 * MS-DTYP 2.4.6: a self-relative descriptor, strictly bounded.  Returns
 * STATUS_SUCCESS or the status to answer; present says what it held.
 */
uint32_t secdesc_parse(const uint8_t *, size_t, struct secdesc *);
/*
 * A NULL DACL in the model (no protection: EVERYONE@ allowed every
 * bit), which secdesc_build writes back as a NULL DACL.
 */
void	 secdesc_null_dacl(struct acl *);
/*
 * The descriptor of what want (SECDESC_OWNER|GROUP|DACL) asks of sd;
 * returns its length, written only when it fits bufsize (the caller
 * answers STATUS_BUFFER_TOO_SMALL with it otherwise), 0 if the ACL
 * names a who that has no SID.
 */
size_t	 secdesc_build(const struct secdesc *, uint32_t want, uint8_t *,
	    size_t bufsize);

#endif
