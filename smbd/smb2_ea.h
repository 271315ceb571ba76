/*
 * smbd/smb2_ea.h: a CREATE's context list checked as a whole (MS-SMB2
 * 2.2.13.2), and extended attributes on the wire: the
 * FILE_FULL_EA_INFORMATION chain of an ExtA context or a SET_INFO
 * (MS-FSCC 2.4.15), the FILE_GET_EA_INFORMATION list of a QUERY_INFO
 * (2.4.15.1), their entries encoded.  Pure: no I/O, no events, so
 * tests/unit/test_smb2_ea.c drives it directly (and fuzzes it).
 */
#ifndef DITTOFS_SMBD_SMB2_EA_H
#define DITTOFS_SMBD_SMB2_EA_H

#include <stddef.h>
#include <stdint.h>

/* An EA name: 1 to 255 bytes of ASCII; a value: at most 65535 bytes. */
#define SMB2_EA_NAME_MAX	255
#define SMB2_EA_VALUE_MAX	65535
/* A FILE_FULL_EA_INFORMATION entry's fixed part, before the name. */
#define SMB2_EA_FULL_HDR	8
/* FILE_NEED_EA: the one flag an entry may carry. */
#define SMB2_EA_FLAG_NEED	0x80u

/*
 * Every element of a CREATE's context chain: inside the chain, Next a
 * multiple of 8 and at least the element's header, name (4 bytes or
 * more) and data inside their element, data 8-byte aligned and apart
 * from the name and the header.  0, or -1 for a malformed list.
 */
int	 smb2_ctx_chain_check(const uint8_t *chain, size_t len);
/*
 * The context named by the nlen bytes of name (4 for "MxAc", 16 for a
 * GUID-named one) in a checked chain: 1 with *data, *datalen, 0 when
 * there is none, 2 when there are more than one.
 */
int	 smb2_ctx_get(const uint8_t *chain, size_t len, const uint8_t *name,
	    size_t nlen, const uint8_t **data, size_t *datalen);

struct smb2_ea {
	uint8_t		 flags;
	char		 name[SMB2_EA_NAME_MAX + 1];	/* upper case */
	size_t		 namelen;
	const uint8_t	*value;
	size_t		 valuelen;
};

/*
 * MS-FSCC 2.4.15: one name checked (ASCII, no control characters, none
 * of "*+,/:;<=>?[\]|) and folded to upper case into out (namelen + 1
 * bytes, NUL terminated): 0, or -1 (STATUS_INVALID_EA_NAME).
 */
int	 smb2_ea_name(const uint8_t *name, size_t namelen, char *out);
/*
 * The next entry of a FILE_FULL_EA_INFORMATION chain at *off (0 to
 * start): 1 with *ea and *off moved on, 0 at the end, -1 for a bad
 * chain with *status: STATUS_INVALID_PARAMETER for a NextEntryOffset
 * past the buffer, not a multiple of 4 or short of its entry, a name
 * not NUL terminated; STATUS_INVALID_EA_NAME for a bad name or a flag
 * other than FILE_NEED_EA (MS-FSA 2.1.5.15.5).
 */
int	 smb2_ea_next(const uint8_t *buf, size_t len, size_t *off,
	    struct smb2_ea *ea, uint32_t *status);
/*
 * The same for a FILE_GET_EA_INFORMATION list (NextEntryOffset,
 * EaNameLength, name, NUL): the name alone is set.
 */
int	 smb2_ea_get_next(const uint8_t *buf, size_t len, size_t *off,
	    struct smb2_ea *ea, uint32_t *status);
/*
 * MS-FSA 2.1.5.15.5: the EAs of a file take at most 64 KiB - 5 bytes,
 * each counted as its packed size (5 bytes, its name and its value);
 * beyond it STATUS_EA_TOO_LARGE.
 */
#define SMB2_EA_TOTAL_MAX	(65536 - 5)
#define smb2_ea_packed_size(namelen, valuelen)	(5 + (namelen) + (valuelen))
/* An entry's size in a FILE_FULL_EA_INFORMATION list, 4-byte aligned. */
size_t	 smb2_ea_full_size(size_t namelen, size_t valuelen);
/*
 * One FILE_FULL_EA_INFORMATION entry at out (NextEntryOffset 0; the
 * caller sets the previous one's): its unaligned length, or 0 when
 * outmax is short.
 */
size_t	 smb2_ea_encode(const char *name, size_t namelen,
	    const uint8_t *value, size_t valuelen, uint8_t flags,
	    uint8_t *out, size_t outmax);

#endif
