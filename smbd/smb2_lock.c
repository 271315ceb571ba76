/*
 * SMB2 LOCK's wire form and Windows' byte-range rules (smb2_lock.h).
 */
#include <string.h>

#include "smb2.h"
#include "smb2_lock.h"
#include "status.h"

#define SMB2_LOCK_FIXED		24	/* before the first element */

int
smb2_lock_range_ok(uint64_t offset, uint64_t length)
{
	return length == 0 || offset + (length - 1) >= offset;
}

unsigned int
smb2_lock_sequence_bucket(uint32_t sequence)
{
	uint32_t index = sequence >> 4;

	return index >= 1 && index <= SMB2_LOCK_SEQUENCE_BUCKETS ?
	    (unsigned int)index : 0;
}

int
smb2_lock_sequence_replay(const struct smb2_lock_sequence *ls,
    uint32_t sequence)
{
	unsigned int b = smb2_lock_sequence_bucket(sequence);

	return b != 0 && (ls->valid & (1ull << (b - 1))) != 0 &&
	    ls->number[b - 1] == (sequence & 0x0f);
}

void
smb2_lock_sequence_forget(struct smb2_lock_sequence *ls, uint32_t sequence)
{
	unsigned int b = smb2_lock_sequence_bucket(sequence);

	if (b != 0)
		ls->valid &= ~(1ull << (b - 1));
}

void
smb2_lock_sequence_record(struct smb2_lock_sequence *ls, uint32_t sequence)
{
	unsigned int b = smb2_lock_sequence_bucket(sequence);

	if (b == 0)
		return;
	ls->valid |= 1ull << (b - 1);
	ls->number[b - 1] = (uint8_t)(sequence & 0x0f);
}

/* MS-SMB2 2.2.26, 3.3.5.14 */
uint32_t
smb2_lock_decode(const uint8_t *msg, size_t msglen, struct smb2_lock_req *q)
{
	const uint8_t *b = msg + SMB2_HDR_SIZE;
	struct smb2_lock_element e;
	uint16_t i;

	memset(q, 0, sizeof(*q));
	if (smb2_body_check(msglen, 48) == -1 || smb2_get16(b) != 48)
		return STATUS_INVALID_PARAMETER;
	q->count = smb2_get16(b + 2);
	q->sequence = smb2_get32(b + 4);
	q->file_id = b + 8;
	q->elements = b + SMB2_LOCK_FIXED;
	if (q->count == 0 || (msglen - SMB2_HDR_SIZE - SMB2_LOCK_FIXED) /
	    SMB2_LOCK_ELEMENT_SIZE < q->count)
		return STATUS_INVALID_PARAMETER;
	q->unlock = (smb2_get32(q->elements + 16) & SMB2_LOCKFLAG_UNLOCK) != 0;
	q->valid = q->count;
	for (i = 0; i < q->count; i++) {
		smb2_lock_element_get(q, i, &e);
		if (q->unlock) {
			if (e.flags != SMB2_LOCKFLAG_UNLOCK) {
				q->valid = i;
				q->after = STATUS_INVALID_PARAMETER;
				break;
			}
			continue;
		}
		switch (e.flags) {
		case SMB2_LOCKFLAG_SHARED:
		case SMB2_LOCKFLAG_EXCLUSIVE:
			/* Only a lone lock may wait. */
			if (q->count > 1)
				return STATUS_INVALID_PARAMETER;
			q->blocking = 1;
			break;
		case SMB2_LOCKFLAG_SHARED | SMB2_LOCKFLAG_FAIL_IMMEDIATELY:
		case SMB2_LOCKFLAG_EXCLUSIVE | SMB2_LOCKFLAG_FAIL_IMMEDIATELY:
			break;
		default:
			return STATUS_INVALID_PARAMETER;
		}
	}
	for (i = 0; i < q->valid; i++) {
		smb2_lock_element_get(q, i, &e);
		if (!smb2_lock_range_ok(e.offset, e.length))
			return STATUS_INVALID_LOCK_RANGE;
	}
	return STATUS_SUCCESS;
}

void
smb2_lock_element_get(const struct smb2_lock_req *q, uint16_t i,
    struct smb2_lock_element *e)
{
	const uint8_t *p = q->elements + (size_t)i * SMB2_LOCK_ELEMENT_SIZE;

	e->offset = smb2_get64(p);
	e->length = smb2_get64(p + 8);
	e->flags = smb2_get32(p + 16);
}

/* Access rights (MS-DTYP 2.4.3, MS-SMB2 2.2.13.1.1). */
#define SMB2_FILE_READ_DATA		0x00000001u
#define SMB2_FILE_WRITE_DATA		0x00000002u
#define SMB2_FILE_APPEND_DATA		0x00000004u
#define SMB2_FILE_EXECUTE		0x00000020u
#define SMB2_DELETE			0x00010000u
#define SMB2_MAXIMUM_ALLOWED		0x02000000u
#define SMB2_GENERIC_ALL		0x10000000u
#define SMB2_GENERIC_EXECUTE		0x20000000u
#define SMB2_GENERIC_WRITE		0x40000000u
#define SMB2_GENERIC_READ		0x80000000u

unsigned int
smb2_share_access(uint32_t d)
{
	unsigned int a = 0;

	if (d & (SMB2_FILE_READ_DATA | SMB2_FILE_EXECUTE | SMB2_GENERIC_READ |
	    SMB2_GENERIC_EXECUTE | SMB2_GENERIC_ALL | SMB2_MAXIMUM_ALLOWED))
		a |= 1;
	if (d & (SMB2_FILE_WRITE_DATA | SMB2_FILE_APPEND_DATA |
	    SMB2_GENERIC_WRITE | SMB2_GENERIC_ALL | SMB2_MAXIMUM_ALLOWED))
		a |= 2;
	if (d & (SMB2_DELETE | SMB2_GENERIC_ALL | SMB2_MAXIMUM_ALLOWED))
		a |= 4;
	return a;
}

/* FILE_SHARE_READ 1, WRITE 2, DELETE 4: what is not shared is denied. */
unsigned int
smb2_share_deny(uint32_t share_access)
{
	return ~share_access & 7u;
}

int
smb2_brl_overlap(uint64_t o1, uint64_t l1, uint64_t o2, uint64_t l2)
{
	/* Last bytes; a range never passes 2^64 - 1 (smb2_lock_range_ok). */
	if (l1 == 0 && l2 == 0)
		return 0;
	if (l1 == 0)
		return o1 > o2 && o1 - o2 < l2;
	if (l2 == 0)
		return o2 > o1 && o2 - o1 < l1;
	return o1 <= o2 + (l2 - 1) && o2 <= o1 + (l1 - 1);
}

static int
smb2_brl_same_owner(const struct smb2_brl *l, uint64_t sid, uint64_t fid)
{
	return l->session_id == sid && l->file_id == fid;
}

int
smb2_brl_lock_conflict(const struct smb2_brl_list *list, uint64_t sid,
    uint64_t fid, uint64_t offset, uint64_t length, int exclusive,
    int zero_only)
{
	const struct smb2_brl *l;

	TAILQ_FOREACH(l, list, entry) {
		if (zero_only && l->length != 0)
			continue;
		if (!smb2_brl_overlap(l->offset, l->length, offset, length))
			continue;
		if (exclusive || (l->exclusive &&
		    !smb2_brl_same_owner(l, sid, fid)))
			return 1;
	}
	return 0;
}

int
smb2_brl_io_conflict(const struct smb2_brl_list *list, uint64_t sid,
    uint64_t fid, uint64_t offset, uint64_t length, int write)
{
	const struct smb2_brl *l;
	int mine;

	if (length == 0)
		return 0;
	TAILQ_FOREACH(l, list, entry) {
		if (l->length == 0 ||
		    !smb2_brl_overlap(l->offset, l->length, offset, length))
			continue;
		mine = smb2_brl_same_owner(l, sid, fid);
		if (write ? !(mine && l->exclusive) : (l->exclusive && !mine))
			return 1;
	}
	return 0;
}

struct smb2_brl *
smb2_brl_find(struct smb2_brl_list *list, uint64_t sid, uint64_t fid,
    uint64_t offset, uint64_t length)
{
	struct smb2_brl *l, *shared = NULL;

	TAILQ_FOREACH(l, list, entry) {
		if (!smb2_brl_same_owner(l, sid, fid) || l->offset != offset ||
		    l->length != length)
			continue;
		if (l->exclusive)
			return l;
		if (shared == NULL)
			shared = l;
	}
	return shared;
}
