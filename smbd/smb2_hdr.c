/*
 * The SMB2 header, compound chains and the credit window (MS-SMB2
 * 2.2.1, 3.3.5.2): the first bytes smbd reads of every message, so
 * every length and offset is checked here before anything uses it.
 */
#include <string.h>

#include "smb2.h"

/* MS-SMB2 2.2.1.1, 2.2.1.2 */
int
smb2_hdr_decode(const uint8_t *p, size_t len, struct smb2_hdr *h)
{
	if (len < SMB2_HDR_SIZE || smb2_get32(p) != SMB2_MAGIC ||
	    smb2_get16(p + 4) != SMB2_HDR_SIZE)
		return -1;
	memset(h, 0, sizeof(*h));
	h->credit_charge = smb2_get16(p + 6);
	h->status = smb2_get32(p + 8);
	h->command = smb2_get16(p + 12);
	h->credits = smb2_get16(p + 14);
	h->flags = smb2_get32(p + 16);
	h->next_command = smb2_get32(p + 20);
	h->message_id = smb2_get64(p + 24);
	if (h->flags & SMB2_FLAGS_ASYNC_COMMAND)
		h->async_id = smb2_get64(p + 32);
	else
		h->tree_id = smb2_get32(p + 36);
	h->session_id = smb2_get64(p + 40);
	memcpy(h->signature, p + 48, SMB2_SIGNATURE_SIZE);
	return 0;
}

void
smb2_hdr_encode(uint8_t *p, const struct smb2_hdr *h)
{
	memset(p, 0, SMB2_HDR_SIZE);
	smb2_put32(p, SMB2_MAGIC);
	smb2_put16(p + 4, SMB2_HDR_SIZE);
	smb2_put16(p + 6, h->credit_charge);
	smb2_put32(p + 8, h->status);
	smb2_put16(p + 12, h->command);
	smb2_put16(p + 14, h->credits);
	smb2_put32(p + 16, h->flags);
	smb2_put32(p + 20, h->next_command);
	smb2_put64(p + 24, h->message_id);
	if (h->flags & SMB2_FLAGS_ASYNC_COMMAND)
		smb2_put64(p + 32, h->async_id);
	else
		smb2_put32(p + 36, h->tree_id);
	smb2_put64(p + 40, h->session_id);
	memcpy(p + 48, h->signature, SMB2_SIGNATURE_SIZE);
}

/* The length of the message at off: to its NextCommand, or the end. */
static int
smb2_chain_len(const uint8_t *p, size_t framelen, size_t off, size_t *len)
{
	uint32_t next;

	if (off > framelen || framelen - off < SMB2_HDR_SIZE)
		return -1;
	next = smb2_get32(p + off + 20);
	if (next == 0) {
		*len = framelen - off;
		return 0;
	}
	/* MS-SMB2 3.3.5.2.7: 8-byte aligned, a whole header, in the frame. */
	if ((next & 7) != 0 || next < SMB2_HDR_SIZE || next > framelen - off)
		return -1;
	*len = next;
	return 0;
}

int
smb2_chain_first(const uint8_t *p, size_t framelen, size_t *len)
{
	return smb2_chain_len(p, framelen, 0, len);
}

int
smb2_chain_next(const uint8_t *p, size_t framelen, size_t *off, size_t *len)
{
	size_t here = *off;

	if (here > framelen || framelen - here < SMB2_HDR_SIZE)
		return -1;
	if (smb2_get32(p + here + 20) == 0)
		return 0;
	here += *len;
	if (smb2_chain_len(p, framelen, here, len) == -1)
		return -1;
	*off = here;
	return 1;
}

/*
 * MS-SMB2 3.3.5.2.6: the body must hold the command's StructureSize
 * (an odd size counts a variable buffer's first byte, which may be
 * absent when the buffer is empty).
 */
int
smb2_body_check(size_t msglen, size_t structure_size)
{
	size_t fixed = structure_size & ~(size_t)1;

	if (msglen < SMB2_HDR_SIZE)
		return -1;
	return msglen - SMB2_HDR_SIZE >= fixed ? 0 : -1;
}

int
smb2_buffer_check(size_t msglen, size_t fixed_end, uint32_t off,
    uint32_t len)
{
	if (len == 0)
		return 0;
	if (off < fixed_end || off > msglen || len > msglen - off)
		return -1;
	return 0;
}

void
smb2_credits_init(struct smb2_credits *c, uint32_t max)
{
	memset(c, 0, sizeof(*c));
	if (max < 1)
		max = 1;
	if (max > SMB2_CREDIT_WINDOW_MAX)
		max = SMB2_CREDIT_WINDOW_MAX;
	c->max = max;
	/* MS-SMB2 3.3.1.1: a new connection may send message id 0. */
	c->size = 1;
}

static int
smb2_credits_bit(const struct smb2_credits *c, uint64_t id)
{
	uint32_t i = (uint32_t)(id % SMB2_CREDIT_WINDOW_MAX);

	return (c->used[i / 8] >> (i % 8)) & 1;
}

static void
smb2_credits_set(struct smb2_credits *c, uint64_t id, int on)
{
	uint32_t i = (uint32_t)(id % SMB2_CREDIT_WINDOW_MAX);

	if (on)
		c->used[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		c->used[i / 8] &= (uint8_t)~(1u << (i % 8));
}

/* MS-SMB2 3.3.5.2.10 */
int
smb2_channel_seq_take(struct smb2_channel_seq *q, uint16_t csn, int replay)
{
	uint16_t ahead = (uint16_t)(csn - q->sequence);

	if (ahead == 0) {
		if (replay && q->outstanding_pre > 0)
			return -1;
		q->outstanding++;
		return 0;
	}
	if (ahead > 0x7fff)
		return -1;
	/* A newer channel sequence: what is outstanding is of an older. */
	q->outstanding_pre += q->outstanding;
	q->sequence = csn;
	if (replay && q->outstanding_pre > 0) {
		q->outstanding = 0;
		return -1;
	}
	q->outstanding = 1;
	return 0;
}

void
smb2_channel_seq_done(struct smb2_channel_seq *q, uint16_t csn)
{
	if (csn == q->sequence) {
		if (q->outstanding > 0)
			q->outstanding--;
	} else if (q->outstanding_pre > 0)
		q->outstanding_pre--;
}

/* MS-SMB2 3.3.5.2.3: each id of the charge in the window, once. */
int
smb2_credits_take(struct smb2_credits *c, uint64_t mid, uint16_t charge)
{
	uint32_t n = charge ? charge : 1, i;

	if (mid < c->low || mid - c->low > c->size ||
	    n > c->size - (mid - c->low))
		return -1;
	for (i = 0; i < n; i++)
		if (smb2_credits_bit(c, mid + i))
			return -1;
	for (i = 0; i < n; i++)
		smb2_credits_set(c, mid + i, 1);
	while (c->size > 0 && smb2_credits_bit(c, c->low)) {
		smb2_credits_set(c, c->low, 0);
		c->low++;
		c->size--;
	}
	return 0;
}

/*
 * MS-SMB2 3.3.1.2: grant what was asked (at least one) while the
 * window stays within max; a client is never left without a credit.
 */
uint16_t
smb2_credits_grant(struct smb2_credits *c, uint16_t asked)
{
	uint32_t g = asked ? asked : 1;

	if (c->size >= c->max)
		g = c->size == 0 ? 1 : 0;
	else if (g > c->max - c->size)
		g = c->max - c->size;
	c->size += g;
	return (uint16_t)g;
}

uint16_t
smb2_credit_charge_for(uint32_t len)
{
	return len == 0 ? 1 : (uint16_t)((len - 1) / 65536 + 1);
}

/* MS-SMB2 2.2.13 */
int
smb2_create_decode_any(const uint8_t *msg, size_t msglen,
    struct smb2_create_req *c)
{
	const uint8_t *b = msg + SMB2_HDR_SIZE;
	uint16_t noff;
	uint32_t coff;

	if (smb2_body_check(msglen, 57) == -1 || smb2_get16(b) != 57)
		return -1;
	memset(c, 0, sizeof(*c));
	c->oplock = b[3];
	c->impersonation = smb2_get32(b + 4);
	c->desired = smb2_get32(b + 24);
	c->attributes = smb2_get32(b + 28);
	c->share_access = smb2_get32(b + 32);
	c->disposition = smb2_get32(b + 36);
	c->options = smb2_get32(b + 40);
	noff = smb2_get16(b + 44);
	c->name_len = smb2_get16(b + 46);
	coff = smb2_get32(b + 48);
	c->contexts_len = smb2_get32(b + 52);
	if ((c->name_len & 1) ||
	    smb2_buffer_check(msglen, SMB2_HDR_SIZE + 56, noff,
	    c->name_len) == -1 ||
	    smb2_buffer_check(msglen, SMB2_HDR_SIZE + 56, coff,
	    c->contexts_len) == -1)
		return -1;
	c->name = c->name_len ? msg + noff : NULL;
	c->contexts = c->contexts_len ? msg + coff : NULL;
	return 0;
}

int
smb2_create_decode(const uint8_t *msg, size_t msglen,
    struct smb2_create_req *c)
{
	if (smb2_create_decode_any(msg, msglen, c) == -1 ||
	    c->disposition > 5)
		return -1;
	return 0;
}
