/*
 * smbd/smb2_lease.h: oplocks and leases on the wire (MS-SMB2 2.2.13
 * RequestedOplockLevel, 2.2.13.2 create contexts, 2.2.13.2.8 and
 * 2.2.13.2.10 lease requests v1 and v2, 2.2.14.2.10 the response,
 * 2.2.23 break notifications, 2.2.24 acknowledgments), and the rules
 * that say what a client may hold and what a conflict breaks it to
 * (3.3.5.9.8, 3.3.5.22; MS-FSA 2.1.5.17).  Oplocks are held here as the
 * lease states they stand for (level II: R, exclusive: RW, batch: RWH),
 * so one rule serves both; stated's grant level of a state is
 * smb2_lease_grant_level.  Pure: no I/O, no events, so
 * tests/unit/test_smb2_lease.c drives it directly.
 */
#ifndef DITTOFS_SMBD_SMB2_LEASE_H
#define DITTOFS_SMBD_SMB2_LEASE_H

#include <stddef.h>
#include <stdint.h>

/* 2.2.13: RequestedOplockLevel, 2.2.14: OplockLevel */
#define SMB2_OPLOCK_LEVEL_NONE		0x00u
#define SMB2_OPLOCK_LEVEL_II		0x01u
#define SMB2_OPLOCK_LEVEL_EXCLUSIVE	0x08u
#define SMB2_OPLOCK_LEVEL_BATCH		0x09u
#define SMB2_OPLOCK_LEVEL_LEASE		0xffu

/* 2.2.13.2.8: LeaseState */
#define SMB2_LEASE_READ			0x01u
#define SMB2_LEASE_HANDLE		0x02u
#define SMB2_LEASE_WRITE		0x04u
#define SMB2_LEASE_ALL			0x07u

/* 2.2.13.2.10, 2.2.14.2.10: Flags of a lease context (v2) */
#define SMB2_LEASE_FLAG_BREAK_IN_PROGRESS	0x02u
#define SMB2_LEASE_FLAG_PARENT_KEY_SET		0x04u
/* 2.2.23.2: Flags of a lease break notification */
#define SMB2_LEASE_BREAK_ACK_REQUIRED		0x01u

#define SMB2_LEASE_KEY_SIZE		16
#define SMB2_LEASE_V1_SIZE		32
#define SMB2_LEASE_V2_SIZE		52
/* A create context's fixed part (2.2.13.2) before its name. */
#define SMB2_CREATE_CTX_HDR		16
/* A lease response context, v2, with its 8-byte aligned name. */
#define SMB2_LEASE_RSP_MAX		(SMB2_CREATE_CTX_HDR + 8 + \
					 SMB2_LEASE_V2_SIZE)

#define SMB2_OPLOCK_BREAK_SIZE		24	/* 2.2.23.1, 2.2.24.1 */
#define SMB2_LEASE_BREAK_SIZE		44	/* 2.2.23.2 */
#define SMB2_LEASE_ACK_SIZE		36	/* 2.2.24.2, 2.2.25.2 */

/* What a lease request or response carries. */
struct smb2_lease {
	int		 version;	/* 1 or 2 */
	uint8_t		 key[SMB2_LEASE_KEY_SIZE];
	uint32_t	 state;		/* SMB2_LEASE_* */
	uint32_t	 flags;
	uint8_t		 parent_key[SMB2_LEASE_KEY_SIZE];
	uint16_t	 epoch;		/* v2 */
};

/*
 * The create context named `name' (4 bytes, as "RqLs") in a CREATE's
 * context chain (2.2.13.2), every element checked on the way: each
 * inside the chain, Next 8-byte aligned and forward, name and data
 * inside their element (smb2_ctx_chain_check's rules: smb2_ea.h).
 * 1 with *data, *len of the first one found, 0
 * when there is none, -1 for a malformed chain.
 */
int	 smb2_create_ctx_find(const uint8_t *chain, size_t len,
	    const char *name, const uint8_t **data, size_t *datalen);

/*
 * A lease request context's data (RqLs): v1 by its 32 bytes, v2 by 52;
 * other sizes -1.  The state is taken as sent (smb2_lease_grantable
 * says what of it may be held).
 */
int	 smb2_lease_decode(const uint8_t *, size_t, struct smb2_lease *);
/*
 * The response context (2.2.14.2.10) of a granted lease, Next 0: its
 * length, or 0 when out is smaller than needed.
 */
size_t	 smb2_lease_encode(const struct smb2_lease *, uint8_t *out,
	    size_t outmax);

/* What a lease may be granted of a requested state: R, RH, RW, RWH, 0. */
uint32_t smb2_lease_grantable(uint32_t requested);
/* An oplock level as the lease state it stands for, and back. */
uint32_t smb2_oplock_to_lease(uint8_t level);
uint8_t	 smb2_lease_to_oplock(uint32_t state);

/* Why a held state is broken (another client's request on the file). */
enum smb2_break_cause {
	SMB2_BREAK_OPEN = 1,	/* an open that shares with the holder */
	SMB2_BREAK_OPEN_SHARING,/* one the holder's handle stands in the
				   way of (sharing, overwrite, delete) */
	SMB2_BREAK_WRITE	/* data changed: WRITE, truncate, NFS write */
};

/*
 * The state a held one must go down to before the request may go on;
 * the held state itself when it need not be broken.
 */
uint32_t smb2_lease_break_to(uint32_t held, enum smb2_break_cause);
/* stated's grant level of a state: 2 (write) with W, 1 with R, else 0. */
int	 smb2_lease_grant_level(uint32_t state);

/* 2.2.23.1: an OPLOCK_BREAK notification's body (24 bytes). */
void	 smb2_oplock_break_encode(uint8_t *out, uint8_t level,
	    uint64_t persistent, uint64_t volatile_id);
/* 2.2.23.2: a LEASE_BREAK notification's body (44 bytes). */
void	 smb2_lease_break_encode(uint8_t *out, const uint8_t *key,
	    uint16_t new_epoch, uint32_t current, uint32_t new_state,
	    int ack_required);

/* An OPLOCK_BREAK request: an oplock's or a lease's acknowledgment. */
struct smb2_break_ack {
	int		 lease;		/* 2.2.24.2, else 2.2.24.1 */
	uint8_t		 oplock;	/* oplock: the level acknowledged */
	const uint8_t	*file_id;	/* oplock: 16 bytes */
	uint8_t		 key[SMB2_LEASE_KEY_SIZE];	/* lease */
	uint32_t	 state;		/* lease: the state acknowledged */
};
/* 0, or -1 for a malformed acknowledgment (STATUS_INVALID_PARAMETER). */
int	 smb2_break_ack_decode(const uint8_t *msg, size_t msglen,
	    struct smb2_break_ack *);
/*
 * 3.3.5.22.1, 3.3.5.22.2: an acknowledgment of a break to `to': 0 when
 * it may be taken, else the NTSTATUS to answer it with.
 */
uint32_t smb2_oplock_ack_check(uint8_t to, uint8_t acked);
uint32_t smb2_lease_ack_check(uint32_t to, uint32_t acked);

#endif
