/*
 * smbd/smb2_stream.h: alternate data streams on the wire.  A CREATE's
 * last path component names a stream as "file:stream[:$DATA]" or the
 * file's own data as "file::$DATA" (MS-FSCC 2.1.5.3, 2.1.5.4; MS-FSA
 * 2.1.5.1); QUERY_INFO's FileStreamInformation (MS-FSCC 2.4.44) lists a
 * file's streams.  Pure: no I/O, so tests/unit/test_smb2_stream.c drives
 * it directly.  smbd/stream.c serves them through blockd.
 */
#ifndef DITTOFS_SMBD_SMB2_STREAM_H
#define DITTOFS_SMBD_SMB2_STREAM_H

#include <stddef.h>
#include <stdint.h>

/* The store's limits (blockd/store.h STORE_STREAMS_MAX, ..._NAME_MAX). */
#define SMB2_STREAMS_MAX		32
#define SMB2_STREAM_NAME_MAX		255	/* bytes of UTF-8 */
/* FileStreamInformation's entries: fixed part, 8-byte aligned. */
#define SMB2_STREAM_INFO_FIXED		24
/* FileFsAttributeInformation's FILE_NAMED_STREAMS (MS-FSCC 2.5.1). */
#define SMB2_FILE_NAMED_STREAMS		0x00040000u

enum smb2_stream_kind {
	SMB2_STREAM_NONE,	/* "file": no ':' at all */
	SMB2_STREAM_DEFAULT,	/* "file::$DATA": the file's own data */
	SMB2_STREAM_NAMED,	/* "file:name" or "file:name:$DATA" */
};

/*
 * Split the UTF-8 component comp (NUL terminated) at its first ':':
 * comp keeps the file's name, *kind says what follows, and a named
 * stream's name goes to name (namemax bytes with its NUL).  Returns 0,
 * or STATUS_OBJECT_NAME_INVALID for: an empty file or stream name with a
 * ':' ("file:", "file:name:", ":name" where a file must be named), a
 * type other than $DATA (any case), a third ':', a '/' or '\\' or NUL
 * in the stream name, a stream name longer than SMB2_STREAM_NAME_MAX.
 * *toolong is set (may be NULL) when that last one was the reason.
 */
uint32_t smb2_stream_split(char *comp, enum smb2_stream_kind *kind,
	    char *name, size_t namemax, int *toolong);

/* The same rules for a rename's target ":name[:$DATA]" (no file part). */
uint32_t smb2_stream_target(const char *target, enum smb2_stream_kind *kind,
	    char *name, size_t namemax);

/*
 * A FileStreamInformation listing being built in buf (cap bytes):
 * entries 8-byte aligned, each NextEntryOffset set when the next comes.
 */
struct smb2_stream_list {
	uint8_t		*buf;
	size_t		 cap;
	size_t		 used;
	size_t		 last;
	size_t		 count;
};

/*
 * One entry: name is the stream's (UTF-8; "" for the default stream,
 * listed "::$DATA"), listed as ":name:$DATA".  0, or -1 when it does not
 * fit in cap or the name is not valid UTF-8.
 */
int	 smb2_stream_list_add(struct smb2_stream_list *, const char *name,
	    size_t namelen, uint64_t size, uint64_t alloc);

#endif
