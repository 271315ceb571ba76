/*
 * smbd/smb2_durable.h: durable handles on the wire (MS-SMB2 2.2.13.2.3
 * DHnQ, 2.2.13.2.4 DHnC, 2.2.13.2.11 DH2Q, 2.2.13.2.12 DH2C, 2.2.14.2.3
 * and 2.2.14.2.12 the responses; 3.3.5.9.6, .7, .10, .12 the rules of
 * their combinations), and the blob smbd keeps in stated to make a
 * durable open again (smbd/durable.c).  Pure: no I/O, no events, so
 * tests/unit/test_smb2_durable.c drives it directly.
 */
#ifndef DITTOFS_SMBD_SMB2_DURABLE_H
#define DITTOFS_SMBD_SMB2_DURABLE_H

#include <stddef.h>
#include <stdint.h>

#include "smb2_lock.h"

#define SMB2_DURABLE_GUID_SIZE		16
#define SMB2_DURABLE_FLAG_PERSISTENT	0x00000002u
/* A response context (either version) with its name: 32 bytes. */
#define SMB2_DURABLE_RSP_SIZE		32
/* As blockd's BD_FH_MAX and BD_NAME_MAX (durable.c checks). */
#define SMB2_DURABLE_FH_MAX		64
#define SMB2_DURABLE_NAME_MAX		255
/* The state blob: fixed part, then the name. */
#define SMB2_DURABLE_STATE_FIXED	(32 + 2 * (4 + SMB2_DURABLE_FH_MAX))
/* Layout 2: the lease (version, key, state, epoch) before the name. */
#define SMB2_DURABLE_STATE_LEASE	(4 + 16 + 4 + 4)
/*
 * Layout 3: the lease part always, then resilient, the lock sequence
 * buckets' valid bits and their numbers (smb2_lock.h).
 */
#define SMB2_DURABLE_STATE_REPLAY	(4 + 8 + SMB2_LOCK_SEQUENCE_BUCKETS)
/*
 * Layout 4: layout 3's parts, then flags (1: the ClientGuid of the
 * lease is known: 3.3.5.9.7, 3.3.5.9.12 Open.ClientGuid), that
 * ClientGuid, the allocation CREATE's AllocationSize gave and the
 * FilePositionInformation of the open.
 */
#define SMB2_DURABLE_STATE_EXTRA	(4 + 16 + 8 + 8)
/*
 * Layout 5: layout 4's parts, then the user the open was made for
 * (uid, gid, the number of groups, at most SMB2_DURABLE_GROUPS_MAX of
 * them), whose delete on close smbd carries out when stated releases
 * the handle unclaimed.
 */
#define SMB2_DURABLE_GROUPS_MAX		16
#define SMB2_DURABLE_STATE_CRED		(4 + 4 + 4 + 4 * SMB2_DURABLE_GROUPS_MAX)

/* MS-SMB2 2.2.31: FSCTL_LMR_REQUEST_RESILIENCY, its input (2.2.31.3). */
#define SMB2_FSCTL_LMR_REQUEST_RESILIENCY	0x001401d4u
#define SMB2_RESILIENCY_REQUEST_SIZE		8

/* A CREATE's durable contexts. */
struct smb2_durable_req {
	int		 version;	/* asked: 1 DHnQ, 2 DH2Q; 0 none */
	int		 reconnect;	/* 1 DHnC, 2 DH2C; 0 none */
	uint32_t	 timeout_ms;	/* DH2Q */
	uint32_t	 flags;		/* DH2Q, DH2C */
	uint8_t		 guid[SMB2_DURABLE_GUID_SIZE];	/* CreateGuid */
	uint64_t	 persistent;	/* DHnC, DH2C: the FileId */
	uint64_t	 volatile_id;
};

/*
 * The options word of the blob holds the CREATE's CreateOptions (24
 * bits, MS-SMB2 2.2.13) and, above them, the open's delete on close as
 * it is now: DISPOSED, set by FileDispositionInformation; KEPT, the
 * CREATE's FILE_DELETE_ON_CLOSE undone by it.  A blob without them
 * reads as before (delete on close: the CREATE's option).
 */
#define SMB2_DURABLE_OPTIONS_DISPOSED	0x80000000u
#define SMB2_DURABLE_OPTIONS_KEPT	0x40000000u

/* What smbd keeps in stated to make the open again. */
struct smb2_durable_state {
	uint32_t	 share_id;
	int		 is_dir;
	uint32_t	 access;	/* PERM_IO_* */
	uint32_t	 options, desired, share_access, oplock;
	/*
	 * MS-FSA 2.1.5.14.3: the open's delete on close (its CREATE's, or
	 * FileDispositionInformation's: disposed), kept over a reconnect
	 */
	int		 delete_pending, delete_disposed;
	uint8_t		 fh[SMB2_DURABLE_FH_MAX];
	uint32_t	 fhlen;
	uint8_t		 dir_fh[SMB2_DURABLE_FH_MAX];
	uint32_t	 dir_fhlen;
	char		 name[SMB2_DURABLE_NAME_MAX + 1];
	/* Its lease (lease.c), when it has one: lease_version 1 or 2. */
	uint32_t	 lease_version;
	uint8_t		 lease_key[16];
	uint32_t	 lease_state;
	uint32_t	 lease_epoch;
	/* 3.3.5.15.9 Open.IsResilient; 3.3.5.14 Open.LockSequenceArray */
	int		 resilient;
	struct smb2_lock_sequence lock_sequence;
	/* Layout 4 (an older blob has none of these). */
	int		 has_client_guid;	/* its lease's */
	uint8_t		 client_guid[SMB2_DURABLE_GUID_SIZE];
	uint64_t	 alloc;		/* AllocationSize asked (AlSi) */
	uint64_t	 position;	/* FilePositionInformation */
	/* Layout 5 (has_cred; an older blob has none). */
	int		 has_cred;
	uint32_t	 uid, gid, ngroups;
	uint32_t	 groups[SMB2_DURABLE_GROUPS_MAX];
};

/*
 * The durable contexts of a context chain, for a connection of this
 * dialect (v2 is 3.x's alone, ignored below): STATUS_SUCCESS, or
 * STATUS_INVALID_PARAMETER for a malformed chain, a context of the
 * wrong size or a combination 3.3.5.9.7, .10 or .12 refuses.
 */
uint32_t smb2_durable_parse(const uint8_t *ctx, size_t len, uint16_t dialect,
	    struct smb2_durable_req *);
/* The timeout granted: v1 the server's, v2 the client's capped by it. */
uint32_t smb2_durable_timeout(const struct smb2_durable_req *,
	    uint32_t server_ms);
/*
 * The response context of a granted v1 or v2 request, Next 0, at out:
 * its length (SMB2_DURABLE_RSP_SIZE), or 0 when outmax is short.  v2
 * carries the timeout and is never persistent.
 */
size_t	 smb2_durable_encode(int version, uint32_t timeout_ms, uint8_t *out,
	    size_t outmax);
/*
 * MS-SMB2 3.3.5.15.9: a NETWORK_RESILIENCY_REQUEST against the server's
 * MaxResiliencyTimeout (max_ms): STATUS_SUCCESS and the timeout granted
 * (a Timeout of 0: max_ms), or STATUS_INVALID_PARAMETER for a short
 * input or a Timeout above max_ms.
 */
uint32_t smb2_resiliency_parse(const uint8_t *in, size_t len,
	    uint32_t max_ms, uint32_t *timeout_ms);
/* The state blob: its length, or 0 when it does not fit. */
size_t	 smb2_durable_state_encode(const struct smb2_durable_state *,
	    uint8_t *out, size_t outmax);
/* 0, or -1 for a blob this code did not write. */
int	 smb2_durable_state_decode(const uint8_t *, size_t,
	    struct smb2_durable_state *);

/*
 * MS-SMB2 3.3.5.9.7, 3.3.5.9.12: a reconnect names the lease the open
 * had, by its key, or no lease when it had none: 1, else 0 (the
 * reconnect is OBJECT_NAME_NOT_FOUND).  `lease' is the request's lease
 * context, NULL without one.
 */
struct smb2_lease;
int	 smb2_durable_lease_same(const struct smb2_durable_state *,
	    const struct smb2_lease *);

#endif
