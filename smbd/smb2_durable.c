/*
 * smbd/smb2_durable.c: durable handle contexts and smbd's state blob
 * (smb2_durable.h).
 */
#include <string.h>

#include "smb2.h"
#include "smb2_durable.h"
#include "smb2_lease.h"
#include "status.h"

#define SMB2_DURABLE_DIALECT_3	0x0300
#define SMB2_DURABLE_DELETE_ON_CLOSE	0x00001000u	/* CreateOptions */

/* MS-SMB2 2.2.13.2.3, .4, .11, .12: the durable contexts of a CREATE. */
uint32_t
smb2_durable_parse(const uint8_t *ctx, size_t len, uint16_t dialect,
    struct smb2_durable_req *q)
{
	const uint8_t *dhnq, *dh2q, *dhnc, *dh2c;
	size_t lnq, l2q, lnc, l2c;
	int hnq, h2q, hnc, h2c;

	memset(q, 0, sizeof(*q));
	if ((hnq = smb2_create_ctx_find(ctx, len, "DHnQ", &dhnq, &lnq)) < 0 ||
	    (h2q = smb2_create_ctx_find(ctx, len, "DH2Q", &dh2q, &l2q)) < 0 ||
	    (hnc = smb2_create_ctx_find(ctx, len, "DHnC", &dhnc, &lnc)) < 0 ||
	    (h2c = smb2_create_ctx_find(ctx, len, "DH2C", &dh2c, &l2c)) < 0)
		return STATUS_INVALID_PARAMETER;
	/* v2 belongs to the SMB 3.x dialects alone: ignored below. */
	if (dialect < SMB2_DURABLE_DIALECT_3)
		h2q = h2c = 0;
	if (hnc) {
		/* 3.3.5.9.7: DHnQ with it is ignored, v2 is refused. */
		if (h2q || h2c || lnc != 16)
			return STATUS_INVALID_PARAMETER;
		q->reconnect = 1;
		q->persistent = smb2_get64(dhnc);
		q->volatile_id = smb2_get64(dhnc + 8);
		return STATUS_SUCCESS;
	}
	if (h2c) {
		/* 3.3.5.9.12 */
		if (hnq || h2q || l2c != 36)
			return STATUS_INVALID_PARAMETER;
		q->reconnect = 2;
		q->persistent = smb2_get64(dh2c);
		q->volatile_id = smb2_get64(dh2c + 8);
		memcpy(q->guid, dh2c + 16, sizeof(q->guid));
		q->flags = smb2_get32(dh2c + 32);
		return STATUS_SUCCESS;
	}
	if (h2q) {
		/* 3.3.5.9.10 */
		if (hnq || l2q != 32)
			return STATUS_INVALID_PARAMETER;
		q->version = 2;
		q->timeout_ms = smb2_get32(dh2q);
		q->flags = smb2_get32(dh2q + 4);
		memcpy(q->guid, dh2q + 16, sizeof(q->guid));
		return STATUS_SUCCESS;
	}
	if (hnq) {
		/* 3.3.5.9.6 */
		if (lnq != 16)
			return STATUS_INVALID_PARAMETER;
		q->version = 1;
	}
	return STATUS_SUCCESS;
}

/* The timeout granted: v1 the server's, v2 the client's capped by it. */
uint32_t
smb2_durable_timeout(const struct smb2_durable_req *q, uint32_t server_ms)
{
	if (q->version == 2 && q->timeout_ms != 0 &&
	    q->timeout_ms < server_ms)
		return q->timeout_ms;
	return server_ms;
}

/*
 * 2.2.14.2.3, 2.2.14.2.12: the response context, Next 0, at out (8-byte
 * aligned): its length (32), or 0 when outmax is short.
 */
size_t
smb2_durable_encode(int version, uint32_t timeout_ms, uint8_t *out,
    size_t outmax)
{
	if (outmax < SMB2_DURABLE_RSP_SIZE)
		return 0;
	memset(out, 0, SMB2_DURABLE_RSP_SIZE);
	smb2_put16(out + 4, 16);		/* NameOffset */
	smb2_put16(out + 6, 4);			/* NameLength */
	smb2_put16(out + 10, 24);		/* DataOffset */
	smb2_put32(out + 12, 8);		/* DataLength */
	memcpy(out + 16, version == 2 ? "DH2Q" : "DHnQ", 4);
	if (version == 2)
		smb2_put32(out + 24, timeout_ms);	/* Flags 0 */
	return SMB2_DURABLE_RSP_SIZE;
}

uint32_t
smb2_resiliency_parse(const uint8_t *in, size_t len, uint32_t max_ms,
    uint32_t *timeout_ms)
{
	uint32_t t;

	if (len < SMB2_RESILIENCY_REQUEST_SIZE)
		return STATUS_INVALID_PARAMETER;
	/* Reserved (4 bytes) is ignored. */
	if ((t = smb2_get32(in)) > max_ms)
		return STATUS_INVALID_PARAMETER;
	*timeout_ms = t != 0 ? t : max_ms;
	return STATUS_SUCCESS;
}

/* The options word: the CREATE's, the delete on close as it is now. */
static uint32_t
smb2_durable_options(const struct smb2_durable_state *st)
{
	uint32_t w = st->options & ~(SMB2_DURABLE_OPTIONS_DISPOSED |
	    SMB2_DURABLE_OPTIONS_KEPT);

	if (st->delete_pending && st->delete_disposed)
		w |= SMB2_DURABLE_OPTIONS_DISPOSED;
	else if (!st->delete_pending && (w & SMB2_DURABLE_DELETE_ON_CLOSE))
		w |= SMB2_DURABLE_OPTIONS_KEPT;
	return w;
}

size_t
smb2_durable_state_encode(const struct smb2_durable_state *st, uint8_t *out,
    size_t outmax)
{
	size_t nlen = strlen(st->name), off;

	/* The first layout that holds all there is to keep. */
	int client = st->lease_version != 0 && st->has_client_guid;
	int five = st->has_cred;
	int four = five || client || st->alloc != 0 || st->position != 0;
	int replay = st->resilient || st->lock_sequence.valid != 0 || four;
	size_t lease = st->lease_version != 0 || replay ?
	    SMB2_DURABLE_STATE_LEASE : 0;
	size_t extra = replay ? SMB2_DURABLE_STATE_REPLAY : 0;
	size_t guid = four ? SMB2_DURABLE_STATE_EXTRA : 0;
	size_t cred = five ? SMB2_DURABLE_STATE_CRED : 0;
	unsigned int i;

	if (st->fhlen > SMB2_DURABLE_FH_MAX ||
	    st->dir_fhlen > SMB2_DURABLE_FH_MAX ||
	    st->ngroups > SMB2_DURABLE_GROUPS_MAX ||
	    outmax < SMB2_DURABLE_STATE_FIXED + lease + extra + guid + cred +
	    nlen)
		return 0;
	memset(out, 0, SMB2_DURABLE_STATE_FIXED + lease + extra + guid + cred);
	/* this layout */
	smb2_put32(out, five ? 5 : four ? 4 : replay ? 3 : lease != 0 ? 2 : 1);
	smb2_put32(out + 4, st->share_id);
	smb2_put32(out + 8, (uint32_t)st->is_dir);
	smb2_put32(out + 12, st->access);
	smb2_put32(out + 16, smb2_durable_options(st));
	smb2_put32(out + 20, st->desired);
	smb2_put32(out + 24, st->share_access);
	smb2_put32(out + 28, st->oplock);
	off = 32;
	smb2_put32(out + off, st->fhlen);
	memcpy(out + off + 4, st->fh, st->fhlen);
	off += 4 + SMB2_DURABLE_FH_MAX;
	smb2_put32(out + off, st->dir_fhlen);
	memcpy(out + off + 4, st->dir_fh, st->dir_fhlen);
	off += 4 + SMB2_DURABLE_FH_MAX;
	if (lease != 0) {
		smb2_put32(out + off, st->lease_version);
		memcpy(out + off + 4, st->lease_key, 16);
		smb2_put32(out + off + 20, st->lease_state);
		smb2_put32(out + off + 24, st->lease_epoch);
		off += lease;
	}
	if (extra != 0) {
		smb2_put32(out + off, st->resilient ? 1 : 0);
		smb2_put64(out + off + 4, st->lock_sequence.valid);
		for (i = 0; i < SMB2_LOCK_SEQUENCE_BUCKETS; i++)
			out[off + 12 + i] = st->lock_sequence.number[i] & 0x0f;
		off += extra;
	}
	if (guid != 0) {
		smb2_put32(out + off, client ? 1 : 0);
		if (client)
			memcpy(out + off + 4, st->client_guid, 16);
		smb2_put64(out + off + 20, st->alloc);
		smb2_put64(out + off + 28, st->position);
		off += guid;
	}
	if (cred != 0) {
		smb2_put32(out + off, st->uid);
		smb2_put32(out + off + 4, st->gid);
		smb2_put32(out + off + 8, st->ngroups);
		for (i = 0; i < st->ngroups; i++)
			smb2_put32(out + off + 12 + 4 * i, st->groups[i]);
		off += cred;
	}
	memcpy(out + off, st->name, nlen);
	return off + nlen;
}

/* 0, or -1 for a blob this smbd did not write. */
int
smb2_durable_state_decode(const uint8_t *in, size_t len,
    struct smb2_durable_state *st)
{
	size_t off, nlen, layout;
	unsigned int i;

	memset(st, 0, sizeof(*st));
	if (len < SMB2_DURABLE_STATE_FIXED || (layout = smb2_get32(in)) < 1 ||
	    layout > 5 || (layout == 2 && len <
	    SMB2_DURABLE_STATE_FIXED + SMB2_DURABLE_STATE_LEASE) ||
	    (layout == 3 && len < SMB2_DURABLE_STATE_FIXED +
	    SMB2_DURABLE_STATE_LEASE + SMB2_DURABLE_STATE_REPLAY) ||
	    (layout == 4 && len < SMB2_DURABLE_STATE_FIXED +
	    SMB2_DURABLE_STATE_LEASE + SMB2_DURABLE_STATE_REPLAY +
	    SMB2_DURABLE_STATE_EXTRA) ||
	    (layout == 5 && len < SMB2_DURABLE_STATE_FIXED +
	    SMB2_DURABLE_STATE_LEASE + SMB2_DURABLE_STATE_REPLAY +
	    SMB2_DURABLE_STATE_EXTRA + SMB2_DURABLE_STATE_CRED))
		return -1;
	st->share_id = smb2_get32(in + 4);
	st->is_dir = smb2_get32(in + 8) != 0;
	st->access = smb2_get32(in + 12);
	st->options = smb2_get32(in + 16);
	st->delete_disposed =
	    (st->options & SMB2_DURABLE_OPTIONS_DISPOSED) != 0;
	st->delete_pending = st->delete_disposed ||
	    ((st->options & SMB2_DURABLE_DELETE_ON_CLOSE) &&
	    !(st->options & SMB2_DURABLE_OPTIONS_KEPT));
	st->options &= ~(SMB2_DURABLE_OPTIONS_DISPOSED |
	    SMB2_DURABLE_OPTIONS_KEPT);
	st->desired = smb2_get32(in + 20);
	st->share_access = smb2_get32(in + 24);
	st->oplock = smb2_get32(in + 28);
	off = 32;
	if ((st->fhlen = smb2_get32(in + off)) > SMB2_DURABLE_FH_MAX ||
	    smb2_get32(in + off + 4 + SMB2_DURABLE_FH_MAX) > SMB2_DURABLE_FH_MAX)
		return -1;
	memcpy(st->fh, in + off + 4, st->fhlen);
	off += 4 + SMB2_DURABLE_FH_MAX;
	st->dir_fhlen = smb2_get32(in + off);
	memcpy(st->dir_fh, in + off + 4, st->dir_fhlen);
	off += 4 + SMB2_DURABLE_FH_MAX;
	if (layout >= 2) {
		st->lease_version = smb2_get32(in + off);
		memcpy(st->lease_key, in + off + 4, 16);
		st->lease_state = smb2_get32(in + off + 20);
		st->lease_epoch = smb2_get32(in + off + 24);
		/* Layout 3 or 4 without a lease: version 0. */
		if (st->lease_version > 2 || (st->lease_version == 0 &&
		    layout == 2))
			return -1;
		off += SMB2_DURABLE_STATE_LEASE;
	}
	if (layout >= 3) {
		if (smb2_get32(in + off) > 1)
			return -1;
		st->resilient = smb2_get32(in + off) == 1;
		st->lock_sequence.valid = smb2_get64(in + off + 4);
		for (i = 0; i < SMB2_LOCK_SEQUENCE_BUCKETS; i++) {
			if (in[off + 12 + i] > 0x0f)
				return -1;
			st->lock_sequence.number[i] = in[off + 12 + i];
		}
		off += SMB2_DURABLE_STATE_REPLAY;
	}
	if (layout >= 4) {
		/* Flags: 1, a lease's ClientGuid (none without a lease). */
		if (smb2_get32(in + off) > 1 || (smb2_get32(in + off) == 1 &&
		    st->lease_version == 0))
			return -1;
		st->has_client_guid = smb2_get32(in + off) == 1;
		memcpy(st->client_guid, in + off + 4, 16);
		st->alloc = smb2_get64(in + off + 20);
		st->position = smb2_get64(in + off + 28);
		off += SMB2_DURABLE_STATE_EXTRA;
	}
	if (layout == 5) {
		if ((st->ngroups = smb2_get32(in + off + 8)) >
		    SMB2_DURABLE_GROUPS_MAX)
			return -1;
		st->has_cred = 1;
		st->uid = smb2_get32(in + off);
		st->gid = smb2_get32(in + off + 4);
		for (i = 0; i < st->ngroups; i++)
			st->groups[i] = smb2_get32(in + off + 12 + 4 * i);
		off += SMB2_DURABLE_STATE_CRED;
	}
	nlen = len - off;
	if (nlen > SMB2_DURABLE_NAME_MAX || memchr(in + off, '\0', nlen) != NULL)
		return -1;
	memcpy(st->name, in + off, nlen);
	st->name[nlen] = '\0';
	return 0;
}

int
smb2_durable_lease_same(const struct smb2_durable_state *st,
    const struct smb2_lease *lease)
{
	if (st->lease_version == 0)
		return lease == NULL;
	return lease != NULL && memcmp(lease->key, st->lease_key,
	    SMB2_LEASE_KEY_SIZE) == 0;
}
