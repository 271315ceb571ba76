/*
 * smbd/smb2_lease.c: oplocks and leases on the wire and their rules
 * (smb2_lease.h).
 */
#include <string.h>

#include "smb2.h"
#include "smb2_ea.h"
#include "smb2_lease.h"
#include "status.h"

/* MS-SMB2 2.2.13.2: the list checked whole (smb2_ea.c), then found. */
int
smb2_create_ctx_find(const uint8_t *chain, size_t len, const char *name,
    const uint8_t **data, size_t *datalen)
{
	int rc;

	if (smb2_ctx_chain_check(chain, len) == -1)
		return -1;
	rc = smb2_ctx_get(chain, len, (const uint8_t *)name, 4, data, datalen);
	return rc > 1 ? 1 : rc;
}

/* 2.2.13.2.8, 2.2.13.2.10 */
int
smb2_lease_decode(const uint8_t *p, size_t len, struct smb2_lease *l)
{
	if (p == NULL || (len != SMB2_LEASE_V1_SIZE &&
	    len != SMB2_LEASE_V2_SIZE))
		return -1;
	memset(l, 0, sizeof(*l));
	l->version = len == SMB2_LEASE_V1_SIZE ? 1 : 2;
	memcpy(l->key, p, SMB2_LEASE_KEY_SIZE);
	l->state = smb2_get32(p + 16);
	l->flags = smb2_get32(p + 20);
	if (l->version == 2) {
		l->flags &= SMB2_LEASE_FLAG_PARENT_KEY_SET;
		if (l->flags & SMB2_LEASE_FLAG_PARENT_KEY_SET)
			memcpy(l->parent_key, p + 32, SMB2_LEASE_KEY_SIZE);
		l->epoch = smb2_get16(p + 48);
	} else
		l->flags = 0;
	return 0;
}

/* 2.2.14.2.10: the context, its name "RqLs" padded to 8. */
size_t
smb2_lease_encode(const struct smb2_lease *l, uint8_t *out, size_t outmax)
{
	size_t dlen = l->version == 2 ? SMB2_LEASE_V2_SIZE :
	    SMB2_LEASE_V1_SIZE;
	size_t total = SMB2_CREATE_CTX_HDR + 8 + dlen;
	uint8_t *d;

	if (outmax < total)
		return 0;
	memset(out, 0, total);
	smb2_put16(out + 4, SMB2_CREATE_CTX_HDR);
	smb2_put16(out + 6, 4);
	smb2_put16(out + 10, SMB2_CREATE_CTX_HDR + 8);
	smb2_put32(out + 12, (uint32_t)dlen);
	memcpy(out + SMB2_CREATE_CTX_HDR, "RqLs", 4);
	d = out + SMB2_CREATE_CTX_HDR + 8;
	memcpy(d, l->key, SMB2_LEASE_KEY_SIZE);
	smb2_put32(d + 16, l->state);
	if (l->version == 2) {
		smb2_put32(d + 20, l->flags & (SMB2_LEASE_FLAG_BREAK_IN_PROGRESS |
		    SMB2_LEASE_FLAG_PARENT_KEY_SET));
		if (l->flags & SMB2_LEASE_FLAG_PARENT_KEY_SET)
			memcpy(d + 32, l->parent_key, SMB2_LEASE_KEY_SIZE);
		smb2_put16(d + 48, l->epoch);
	} else
		smb2_put32(d + 20, l->flags &
		    SMB2_LEASE_FLAG_BREAK_IN_PROGRESS);
	return total;
}

/* 3.3.5.9.8: a lease without R (H or W alone, or both) is none. */
uint32_t
smb2_lease_grantable(uint32_t requested)
{
	requested &= SMB2_LEASE_ALL;
	return (requested & SMB2_LEASE_READ) ? requested : 0;
}

uint32_t
smb2_oplock_to_lease(uint8_t level)
{
	switch (level) {
	case SMB2_OPLOCK_LEVEL_II:
		return SMB2_LEASE_READ;
	case SMB2_OPLOCK_LEVEL_EXCLUSIVE:
		return SMB2_LEASE_READ | SMB2_LEASE_WRITE;
	case SMB2_OPLOCK_LEVEL_BATCH:
		return SMB2_LEASE_ALL;
	}
	return 0;
}

uint8_t
smb2_lease_to_oplock(uint32_t state)
{
	if (!(state & SMB2_LEASE_READ))
		return SMB2_OPLOCK_LEVEL_NONE;
	if (!(state & SMB2_LEASE_WRITE))
		return SMB2_OPLOCK_LEVEL_II;
	return (state & SMB2_LEASE_HANDLE) ? SMB2_OPLOCK_LEVEL_BATCH :
	    SMB2_OPLOCK_LEVEL_EXCLUSIVE;
}

/*
 * MS-FSA 2.1.5.17 in short: a second open takes W (the holder must
 * flush what it cached, others may read now), one the holder's handle
 * would refuse or that overwrites takes H too (the holder must close
 * what it kept open), and a change of the data takes everything.
 */
uint32_t
smb2_lease_break_to(uint32_t held, enum smb2_break_cause cause)
{
	held &= SMB2_LEASE_ALL;
	switch (cause) {
	case SMB2_BREAK_OPEN:
		return held & ~SMB2_LEASE_WRITE;
	case SMB2_BREAK_OPEN_SHARING:
		return held & SMB2_LEASE_READ;
	case SMB2_BREAK_WRITE:
		return 0;
	}
	return 0;
}

int
smb2_lease_grant_level(uint32_t state)
{
	if (!(state & SMB2_LEASE_READ))
		return 0;
	return (state & SMB2_LEASE_WRITE) ? 2 : 1;
}

/* 2.2.23.1 */
void
smb2_oplock_break_encode(uint8_t *out, uint8_t level, uint64_t persistent,
    uint64_t volatile_id)
{
	memset(out, 0, SMB2_OPLOCK_BREAK_SIZE);
	smb2_put16(out, SMB2_OPLOCK_BREAK_SIZE);
	out[2] = level;
	smb2_put64(out + 8, persistent);
	smb2_put64(out + 16, volatile_id);
}

/* 2.2.23.2 */
void
smb2_lease_break_encode(uint8_t *out, const uint8_t *key, uint16_t new_epoch,
    uint32_t current, uint32_t new_state, int ack_required)
{
	memset(out, 0, SMB2_LEASE_BREAK_SIZE);
	smb2_put16(out, SMB2_LEASE_BREAK_SIZE);
	smb2_put16(out + 2, new_epoch);
	smb2_put32(out + 4, ack_required ? SMB2_LEASE_BREAK_ACK_REQUIRED : 0);
	memcpy(out + 8, key, SMB2_LEASE_KEY_SIZE);
	smb2_put32(out + 24, current);
	smb2_put32(out + 28, new_state);
}

/* 2.2.24.1, 2.2.24.2: told apart by StructureSize. */
int
smb2_break_ack_decode(const uint8_t *msg, size_t msglen,
    struct smb2_break_ack *a)
{
	const uint8_t *b = msg + SMB2_HDR_SIZE;

	if (msglen < SMB2_HDR_SIZE + 2)
		return -1;
	memset(a, 0, sizeof(*a));
	switch (smb2_get16(b)) {
	case SMB2_OPLOCK_BREAK_SIZE:
		if (smb2_body_check(msglen, SMB2_OPLOCK_BREAK_SIZE) == -1)
			return -1;
		a->oplock = b[2];
		a->file_id = b + 8;
		return 0;
	case SMB2_LEASE_ACK_SIZE:
		if (smb2_body_check(msglen, SMB2_LEASE_ACK_SIZE) == -1)
			return -1;
		a->lease = 1;
		memcpy(a->key, b + 8, SMB2_LEASE_KEY_SIZE);
		a->state = smb2_get32(b + 24);
		return 0;
	}
	return -1;
}

/* 3.3.5.22.1 */
uint32_t
smb2_oplock_ack_check(uint8_t to, uint8_t acked)
{
	if (acked != SMB2_OPLOCK_LEVEL_II && acked != SMB2_OPLOCK_LEVEL_NONE)
		return STATUS_INVALID_PARAMETER;
	if (acked == SMB2_OPLOCK_LEVEL_II && to == SMB2_OPLOCK_LEVEL_NONE)
		return STATUS_INVALID_OPLOCK_PROTOCOL;
	return 0;
}

/* 3.3.5.22.2: nothing beyond what the break left. */
uint32_t
smb2_lease_ack_check(uint32_t to, uint32_t acked)
{
	if ((acked & ~SMB2_LEASE_ALL) != 0 || (acked & ~to) != 0)
		return STATUS_REQUEST_NOT_ACCEPTED;
	return 0;
}
