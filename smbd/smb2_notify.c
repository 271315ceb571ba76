/*
 * smbd/smb2_notify.c: CHANGE_NOTIFY's request and the
 * FILE_NOTIFY_INFORMATION entries of its response (smb2_notify.h).
 */
#include <stdlib.h>
#include <string.h>

#include "smb2.h"
#include "smb2_notify.h"
#include "status.h"

#define SMB2_NOTIFY_REQ_SIZE	32

/* MS-SMB2 2.2.35, 3.3.5.19; MS-FSA 2.1.5.10 */
uint32_t
smb2_notify_decode(const uint8_t *msg, size_t msglen, uint32_t max_transact,
    struct smb2_notify_req *q)
{
	const uint8_t *b = msg + SMB2_HDR_SIZE;

	memset(q, 0, sizeof(*q));
	if (smb2_body_check(msglen, SMB2_NOTIFY_REQ_SIZE) == -1 ||
	    smb2_get16(b) != SMB2_NOTIFY_REQ_SIZE)
		return STATUS_INVALID_PARAMETER;
	q->flags = smb2_get16(b + 2);
	q->outmax = smb2_get32(b + 4);
	q->file_id = b + 8;
	q->filter = smb2_get32(b + 24);
	/*
	 * Filter bits MS-FSCC does not define are taken and match nothing,
	 * as Windows takes them (smbtorture smb2.notify.mask asks for each
	 * of the 32 bits alone).  A filter of none is refused by the
	 * request that makes the watch (notify.c): a later one's is not
	 * looked at (smbtorture smb2.notify.rec sends 0 then).
	 */
	if (q->outmax > max_transact)
		return STATUS_INVALID_PARAMETER;
	return STATUS_SUCCESS;
}

/* MS-FSCC 2.4.42 */
int
smb2_notify_buf_add(struct smb2_notify_buf *nb, size_t limit,
    uint32_t action, const uint8_t *name, size_t nlen)
{
	size_t size, cap;
	uint8_t *p;

	if (nlen > limit)
		return -1;
	size = (SMB2_NOTIFY_ENTRY_FIXED + nlen + 3) & ~(size_t)3;
	if (nb->len + size > limit || nb->len + size < nb->len)
		return -1;
	if (nb->len + size > nb->cap) {
		cap = nb->cap ? nb->cap : 256;
		while (cap < nb->len + size)
			cap *= 2;
		if ((p = realloc(nb->data, cap)) == NULL)
			return -1;
		nb->data = p;
		nb->cap = cap;
	}
	if (nb->len > 0)
		smb2_put32(nb->data + nb->last, (uint32_t)(nb->len - nb->last));
	p = nb->data + nb->len;
	memset(p, 0, size);
	smb2_put32(p + 4, action);
	smb2_put32(p + 8, (uint32_t)nlen);
	if (nlen > 0)
		memcpy(p + SMB2_NOTIFY_ENTRY_FIXED, name, nlen);
	nb->last = nb->len;
	nb->len += size;
	return 0;
}

int
smb2_notify_buf_last_is(const struct smb2_notify_buf *nb, uint32_t action,
    const uint8_t *name, size_t nlen)
{
	const uint8_t *p;

	if (nb->len == 0)
		return 0;
	p = nb->data + nb->last;
	return smb2_get32(p + 4) == action && smb2_get32(p + 8) == nlen &&
	    (nlen == 0 || memcmp(p + SMB2_NOTIFY_ENTRY_FIXED, name, nlen) == 0);
}

void
smb2_notify_buf_clear(struct smb2_notify_buf *nb)
{
	free(nb->data);
	memset(nb, 0, sizeof(*nb));
}

/* MS-SMB2 2.2.36 */
size_t
smb2_notify_response(uint8_t *out, const uint8_t *data, size_t dlen)
{
	memset(out, 0, SMB2_NOTIFY_RSP_FIXED + 1);
	smb2_put16(out, 9);
	if (dlen == 0)
		return SMB2_NOTIFY_RSP_FIXED + 1;
	smb2_put16(out + 2, SMB2_HDR_SIZE + SMB2_NOTIFY_RSP_FIXED);
	smb2_put32(out + 4, (uint32_t)dlen);
	memcpy(out + SMB2_NOTIFY_RSP_FIXED, data, dlen);
	return SMB2_NOTIFY_RSP_FIXED + dlen;
}
