/*
 * smbd/smb2_notify.c: CHANGE_NOTIFY requests decoded and checked
 * (MS-SMB2 2.2.35, 3.3.5.19: sizes, the CompletionFilter, the
 * OutputBufferLength against MaxTransactSize), FILE_NOTIFY_INFORMATION
 * entries chained and aligned (MS-FSCC 2.4.42) within a limit, the
 * response (2.2.36); then random CHANGE_NOTIFY bodies through the
 * decoder.
 */
#include <stdlib.h>
#include <string.h>

#include "smb2.h"
#include "smb2_notify.h"
#include "status.h"
#include "tap.h"

static uint8_t msg[SMB2_HDR_SIZE + 32];

static uint32_t
decode(uint16_t size, uint16_t flags, uint32_t outmax, uint32_t filter,
    size_t len, struct smb2_notify_req *q)
{
	memset(msg, 0, sizeof(msg));
	smb2_put16(msg + SMB2_HDR_SIZE, size);
	smb2_put16(msg + SMB2_HDR_SIZE + 2, flags);
	smb2_put32(msg + SMB2_HDR_SIZE + 4, outmax);
	memset(msg + SMB2_HDR_SIZE + 8, 0xab, 16);
	smb2_put32(msg + SMB2_HDR_SIZE + 24, filter);
	return smb2_notify_decode(msg, len, 65536, q);
}

static void
test_decode(void)
{
	struct smb2_notify_req q;

	TAP_EQ_INT(decode(32, SMB2_WATCH_TREE, 4096, 0x17, sizeof(msg), &q),
	    STATUS_SUCCESS, "a CHANGE_NOTIFY decodes");
	tap_ok(q.flags == SMB2_WATCH_TREE && q.outmax == 4096 &&
	    q.filter == 0x17 && q.file_id == msg + SMB2_HDR_SIZE + 8,
	    "... its flags, length, filter and FileId");
	TAP_EQ_INT(decode(32, 0, 65536, 1, sizeof(msg), &q), STATUS_SUCCESS,
	    "OutputBufferLength equal to MaxTransactSize: taken");
	TAP_EQ_INT(decode(32, 0, 0, 1, sizeof(msg), &q), STATUS_SUCCESS,
	    "OutputBufferLength 0: taken (its changes are ENUM_DIR)");
	TAP_EQ_INT(decode(32, 0, 65537, 1, sizeof(msg), &q),
	    STATUS_INVALID_PARAMETER, "above MaxTransactSize: "
	    "INVALID_PARAMETER");
	TAP_EQ_INT(decode(32, 0, 4096, 0, sizeof(msg), &q),
	    STATUS_SUCCESS, "a CompletionFilter of 0: taken (the request "
	    "that makes a watch refuses it, a later one's is ignored)");
	TAP_EQ_INT(decode(32, 0, 4096, 0x80000000u, sizeof(msg), &q),
	    STATUS_SUCCESS, "a filter bit MS-FSCC does not define: taken");
	TAP_EQ_INT(decode(32, 0, 4096, 0x00000fffu, sizeof(msg),
	    &q), STATUS_SUCCESS, "every known filter bit: taken");
	TAP_EQ_INT(decode(33, 0, 4096, 1, sizeof(msg), &q),
	    STATUS_INVALID_PARAMETER, "StructureSize 33: INVALID_PARAMETER");
	TAP_EQ_INT(decode(32, 0, 4096, 1, sizeof(msg) - 1, &q),
	    STATUS_INVALID_PARAMETER, "a body cut short: INVALID_PARAMETER");
}

/* The entries of a buffer by their NextEntryOffset: how many, or -1. */
static int
walk(const uint8_t *d, size_t len, uint32_t *actions, size_t *nlens)
{
	size_t pos = 0, next;
	int n = 0;

	while (len > 0) {
		if (pos + SMB2_NOTIFY_ENTRY_FIXED > len || (pos & 3) != 0)
			return -1;
		actions[n] = smb2_get32(d + pos + 4);
		nlens[n] = smb2_get32(d + pos + 8);
		if (pos + SMB2_NOTIFY_ENTRY_FIXED + nlens[n] > len)
			return -1;
		n++;
		if ((next = smb2_get32(d + pos)) == 0)
			break;
		pos += next;
	}
	return n;
}

static void
test_buf(void)
{
	struct smb2_notify_buf nb;
	const uint8_t a[2] = { 'a', 0 };
	const uint8_t bc[4] = { 'b', 0, 'c', 0 };
	uint8_t out[256];
	uint32_t actions[8];
	size_t nlens[8], n, len;

	memset(&nb, 0, sizeof(nb));
	tap_ok(smb2_notify_buf_add(&nb, 1024, FILE_ACTION_ADDED, a, 2) == 0,
	    "an entry kept");
	TAP_EQ_INT(nb.len, 16, "... 12 bytes and a 2-byte name, aligned to 16");
	TAP_EQ_INT(smb2_get32(nb.data), 0, "... the last: NextEntryOffset 0");
	tap_ok(smb2_notify_buf_add(&nb, 1024, FILE_ACTION_RENAMED_OLD_NAME,
	    bc, 4) == 0 && smb2_notify_buf_add(&nb, 1024,
	    FILE_ACTION_RENAMED_NEW_NAME, a, 2) == 0, "two more kept");
	TAP_EQ_INT(smb2_get32(nb.data), 16, "the first now points at the "
	    "second");
	TAP_EQ_INT(smb2_get32(nb.data + 16), 16, "the second at the third");
	TAP_EQ_INT(walk(nb.data, nb.len, actions, nlens), 3, "the chain "
	    "holds three entries, each 4-byte aligned");
	tap_ok(actions[0] == FILE_ACTION_ADDED &&
	    actions[1] == FILE_ACTION_RENAMED_OLD_NAME &&
	    actions[2] == FILE_ACTION_RENAMED_NEW_NAME && nlens[1] == 4 &&
	    memcmp(nb.data + 16 + 12, bc, 4) == 0, "... their actions, "
	    "lengths and names in order");
	n = nb.len;
	tap_ok(smb2_notify_buf_add(&nb, n + 15, FILE_ACTION_ADDED, a, 2) ==
	    -1 && nb.len == n, "an entry past the limit: refused, the "
	    "buffer as it was");
	tap_ok(smb2_notify_buf_add(&nb, n + 16, FILE_ACTION_ADDED, a, 2) == 0,
	    "one that just fits: kept");
	TAP_EQ_INT(walk(nb.data, nb.len, actions, nlens), 4, "four entries");
	tap_ok(smb2_notify_buf_last_is(&nb, FILE_ACTION_ADDED, a, 2) &&
	    !smb2_notify_buf_last_is(&nb, FILE_ACTION_MODIFIED, a, 2) &&
	    !smb2_notify_buf_last_is(&nb, FILE_ACTION_ADDED, bc, 4) &&
	    !smb2_notify_buf_last_is(&nb, FILE_ACTION_ADDED, bc, 2),
	    "the last entry is ADDED a, not MODIFIED a, nor ADDED bc or b");
	len = smb2_notify_response(out, nb.data, nb.len);
	tap_ok(len == SMB2_NOTIFY_RSP_FIXED + nb.len &&
	    smb2_get16(out) == 9 && smb2_get16(out + 2) == SMB2_HDR_SIZE + 8 &&
	    smb2_get32(out + 4) == nb.len &&
	    memcmp(out + 8, nb.data, nb.len) == 0, "the response: "
	    "StructureSize 9, the entries at offset 72 with their length");
	smb2_notify_buf_clear(&nb);
	tap_ok(nb.data == NULL && nb.len == 0, "cleared");
	tap_ok(!smb2_notify_buf_last_is(&nb, FILE_ACTION_ADDED, a, 2),
	    "... no last entry");
	len = smb2_notify_response(out, NULL, 0);
	tap_ok(len == 9 && smb2_get16(out) == 9 && smb2_get16(out + 2) == 0 &&
	    smb2_get32(out + 4) == 0, "an empty response: 9 bytes, no "
	    "buffer");
	tap_ok(smb2_notify_buf_add(&nb, 0, FILE_ACTION_ADDED, a, 2) == -1 &&
	    nb.len == 0, "a limit of 0 keeps nothing");
}

static void
test_random(void)
{
	struct smb2_notify_req q;
	uint32_t seed = 0x0f0f, st;
	uint8_t *m;
	size_t len, i, n, ok = 0;

	for (n = 0; n < 20000; n++) {
		seed = seed * 1103515245u + 12345u;
		len = (seed >> 8) % (SMB2_HDR_SIZE + 48);
		if ((m = malloc(len ? len : 1)) == NULL)
			abort();
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			m[i] = (uint8_t)(seed >> 16);
		}
		if (len >= SMB2_HDR_SIZE + 2 && (n & 1))
			smb2_put16(m + SMB2_HDR_SIZE, 32);
		st = smb2_notify_decode(m, len, 1048576, &q);
		if (st == STATUS_SUCCESS)
			ok++;
		free(m);
	}
	tap_ok(1, "20000 random CHANGE_NOTIFY bodies: %zu decoded, none read "
	    "past its end (ASan in CI)", ok);
}

int
main(void)
{
	test_decode();
	test_buf();
	test_random();
	return tap_done();
}
