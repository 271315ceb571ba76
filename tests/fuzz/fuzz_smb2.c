/*
 * Fuzz target: smbd's wire decoders (smbd/smb2.h): the header, a
 * compound chain walked to its end, the credit window, NEGOTIATE (SMB2
 * with its contexts, and SMB1), CREATE with its durable handle contexts
 * (smb2_durable.h, and the state blob smbd keeps in stated), LOCK
 * (smb2_lock.h), and the
 * name conversions; an SMB3 transform header, and the message in it
 * when it decrypts with the key fuzz_smb2_transform_key gives its
 * session id (the cipher: 1 + the id's low two bits), which is walked
 * as above.  Every offset a decoder accepts must lie inside the input.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "smb2.h"
#include "smb2_durable.h"
#include "smb2_lock.h"
#include "smbd.h"

static void
fuzz_smb2_inside(const uint8_t *base, size_t size, const uint8_t *p,
    size_t len)
{
	if (p == NULL && len == 0)
		return;
	if (p < base || p > base + size || len > (size_t)(base + size - p))
		__builtin_trap();
}

void
fuzz_smb2_transform_key(uint64_t session_id, uint8_t key[32])
{
	size_t i;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)(session_id >> (8 * (i % 8))) ^ (uint8_t)i;
}

static void
fuzz_smb2_transform(const uint8_t *data, size_t size)
{
	struct smb2_transform t;
	uint8_t key[32], *plain;

	if (smb2_transform_decode(data, size, &t) == -1)
		return;
	if (t.original_size != size - SMB2_TRANSFORM_SIZE)
		__builtin_trap();
	if ((plain = malloc(size)) == NULL)
		return;
	memcpy(plain, data, size);
	fuzz_smb2_transform_key(t.session_id, key);
	if (smb2_decrypt(1 + (t.session_id & 3), key, plain, size) == 0)
		(void)fuzz_smb2_one(plain + SMB2_TRANSFORM_SIZE,
		    size - SMB2_TRANSFORM_SIZE);
	free(plain);
}

int
fuzz_smb2_one(const uint8_t *data, size_t size)
{
	static const uint8_t guid[16], salt[32];
	struct smb2_server_params sp;
	struct smb2_negotiated neg;
	struct smb2_create_req cr;
	struct smb2_durable_req dq;
	struct smb2_durable_state ds;
	struct smb2_lock_req lq;
	struct smb2_lock_element le;
	struct smb2_credits cred;
	struct smb2_hdr h;
	uint8_t out[1024];
	char name[1024];
	size_t off = 0, len, n, msgs = 0;
	uint16_t d, i;
	int k;

	memset(&sp, 0, sizeof(sp));
	sp.guid = guid;
	sp.salt = salt;
	sp.max_read = sp.max_write = sp.max_transact = 1 << 20;
	smb2_credits_init(&cred, 64);
	fuzz_smb2_transform(data, size);
	(void)smb1_negotiate_dialect(data, size, &d);
	if (smb2_chain_first(data, size, &len) == -1)
		return 0;
	do {
		if (off + len > size || len < SMB2_HDR_SIZE)
			__builtin_trap();
		msgs++;
		if (smb2_hdr_decode(data + off, len, &h) == 0)
			(void)smb2_credits_take(&cred, h.message_id,
			    h.credit_charge);
		if (cred.size > cred.max)
			__builtin_trap();
		(void)smb2_credits_grant(&cred, h.credits);
		if (smb2_negotiate(data + off, len, &sp, &neg, out,
		    sizeof(out), &n) == 0 && n > sizeof(out))
			__builtin_trap();
		if (smb2_create_decode(data + off, len, &cr) == 0) {
			fuzz_smb2_inside(data + off, len, cr.name,
			    cr.name_len);
			fuzz_smb2_inside(data + off, len, cr.contexts,
			    cr.contexts_len);
			if (cr.name != NULL &&
			    smbd_utf16_to_utf8(cr.name, cr.name_len, name,
			    sizeof(name)) > (ssize_t)sizeof(name))
				__builtin_trap();
			/* A reconnect is never a request too. */
			if ((smb2_durable_parse(cr.contexts, cr.contexts_len,
			    0x311, &dq) == 0 && dq.version != 0 &&
			    dq.reconnect != 0) ||
			    (smb2_durable_parse(cr.contexts, cr.contexts_len,
			    0x210, &dq) == 0 && dq.version == 2))
				__builtin_trap();
		}
		if (smb2_lock_decode(data + off, len, &lq) == 0) {
			fuzz_smb2_inside(data + off, len, lq.elements,
			    (size_t)lq.count * SMB2_LOCK_ELEMENT_SIZE);
			if (smb2_lock_sequence_bucket(lq.sequence) >
			    SMB2_LOCK_SEQUENCE_BUCKETS)
				__builtin_trap();
			for (i = 0; i < lq.valid; i++) {
				smb2_lock_element_get(&lq, i, &le);
				if (!smb2_lock_range_ok(le.offset, le.length))
					__builtin_trap();
			}
		}
	} while ((k = smb2_chain_next(data, size, &off, &len)) == 1 &&
	    msgs < 1024);
	if (smbd_utf8_to_utf16((const char *)data, size, out, sizeof(out)) >
	    (ssize_t)sizeof(out))
		__builtin_trap();
	/* The name is what follows the layout's fixed parts. */
	if (smb2_durable_state_decode(data, size, &ds) == 0) {
		n = SMB2_DURABLE_STATE_FIXED;
		if (smb2_get32(data) >= 2)
			n += SMB2_DURABLE_STATE_LEASE;
		if (smb2_get32(data) == 3)
			n += SMB2_DURABLE_STATE_REPLAY;
		if (ds.fhlen > sizeof(ds.fh) ||
		    ds.dir_fhlen > sizeof(ds.dir_fh) ||
		    strlen(ds.name) != size - n)
			__builtin_trap();
		for (i = 0; i < SMB2_LOCK_SEQUENCE_BUCKETS; i++)
			if (ds.lock_sequence.number[i] > 0x0f)
				__builtin_trap();
	}
	return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_smb2_one(data, size);
}
#endif
