/*
 * smbd/smb2_notify.h: CHANGE_NOTIFY on the wire (MS-SMB2 2.2.35, 2.2.36)
 * and the FILE_NOTIFY_INFORMATION entries it returns (MS-FSCC 2.4.42),
 * kept in a bounded buffer between requests.  Pure: no I/O, no events,
 * so tests/unit/test_smb2_notify.c drives it directly.
 */
#ifndef DITTOFS_SMBD_SMB2_NOTIFY_H
#define DITTOFS_SMBD_SMB2_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#define SMB2_WATCH_TREE			0x0001
/* MS-SMB2 2.2.35: the CompletionFilter */
#define FILE_NOTIFY_CHANGE_FILE_NAME	0x00000001u
#define FILE_NOTIFY_CHANGE_DIR_NAME	0x00000002u
#define FILE_NOTIFY_CHANGE_ATTRIBUTES	0x00000004u
#define FILE_NOTIFY_CHANGE_SIZE		0x00000008u
#define FILE_NOTIFY_CHANGE_LAST_WRITE	0x00000010u
#define FILE_NOTIFY_CHANGE_LAST_ACCESS	0x00000020u
#define FILE_NOTIFY_CHANGE_CREATION	0x00000040u
#define FILE_NOTIFY_CHANGE_EA		0x00000080u
#define FILE_NOTIFY_CHANGE_SECURITY	0x00000100u
/* MS-FSCC 2.4.42: Action */
#define FILE_ACTION_ADDED		1
#define FILE_ACTION_REMOVED		2
#define FILE_ACTION_MODIFIED		3
#define FILE_ACTION_RENAMED_OLD_NAME	4
#define FILE_ACTION_RENAMED_NEW_NAME	5
/* A FILE_NOTIFY_INFORMATION's fixed part; entries are 4-byte aligned. */
#define SMB2_NOTIFY_ENTRY_FIXED		12
/* The response's fixed part (2.2.36), before the entries. */
#define SMB2_NOTIFY_RSP_FIXED		8

/* A CHANGE_NOTIFY request's fields. */
struct smb2_notify_req {
	uint16_t	 flags;		/* SMB2_WATCH_TREE */
	uint32_t	 outmax;	/* OutputBufferLength */
	const uint8_t	*file_id;	/* 16 bytes */
	uint32_t	 filter;	/* CompletionFilter */
};

/*
 * Decode a CHANGE_NOTIFY (2.2.35): 0, or STATUS_INVALID_PARAMETER for a
 * bad size, a CompletionFilter of 0 or with unknown bits (MS-FSA
 * 2.1.5.10), an OutputBufferLength above max_transact (3.3.5.19).
 */
uint32_t smb2_notify_decode(const uint8_t *msg, size_t msglen,
	    uint32_t max_transact, struct smb2_notify_req *);

/* Entries kept for a watch: FILE_NOTIFY_INFORMATION, chained. */
struct smb2_notify_buf {
	uint8_t		*data;
	size_t		 len, cap;
	size_t		 last;		/* offset of the last entry */
};

/*
 * One entry (name: UTF-16LE, nlen bytes) after the others, the previous
 * one's NextEntryOffset set: 0, or -1 when it would take the buffer past
 * limit bytes or memory ran out (the buffer is then as it was).
 */
int	 smb2_notify_buf_add(struct smb2_notify_buf *, size_t limit,
	    uint32_t action, const uint8_t *name, size_t nlen);
/* The last entry kept is action on name (nlen bytes of UTF-16LE). */
int	 smb2_notify_buf_last_is(const struct smb2_notify_buf *,
	    uint32_t action, const uint8_t *name, size_t nlen);
void	 smb2_notify_buf_clear(struct smb2_notify_buf *);
/*
 * The response body (2.2.36) of dlen bytes of entries: out has room for
 * SMB2_NOTIFY_RSP_FIXED + dlen bytes (+ 1 when dlen is 0); the length
 * written.
 */
size_t	 smb2_notify_response(uint8_t *out, const uint8_t *data, size_t dlen);

#endif
