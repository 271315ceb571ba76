/*
 * smbd/smb2_stream.c: stream names and FileStreamInformation
 * (smb2_stream.h).
 */
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "smbd.h"		/* smbd_utf8_to_utf16 (utf16.c) */
#include "smb2_stream.h"
#include "status.h"

/* "name[:type]" after the file's ':' (MS-FSCC 2.1.5.3, 2.1.5.4). */
static uint32_t
smb2_stream_rest(char *rest, enum smb2_stream_kind *kind, char *name,
    size_t namemax, int *toolong)
{
	char *type;
	size_t len;

	if ((type = strchr(rest, ':')) != NULL) {
		*type++ = '\0';
		/* Only $DATA, in any case; "name:" names no type at all. */
		if (strchr(type, ':') != NULL || strcasecmp(type, "$DATA") != 0)
			return STATUS_OBJECT_NAME_INVALID;
	}
	len = strlen(rest);
	if (len == 0) {
		if (type == NULL)
			return STATUS_OBJECT_NAME_INVALID;	/* "file:" */
		*kind = SMB2_STREAM_DEFAULT;
		name[0] = '\0';
		return 0;
	}
	if (strchr(rest, '/') != NULL || strchr(rest, '\\') != NULL)
		return STATUS_OBJECT_NAME_INVALID;
	if (len > SMB2_STREAM_NAME_MAX || len >= namemax) {
		if (toolong != NULL)
			*toolong = 1;
		return STATUS_OBJECT_NAME_INVALID;
	}
	memcpy(name, rest, len + 1);
	*kind = SMB2_STREAM_NAMED;
	return 0;
}

uint32_t
smb2_stream_split(char *comp, enum smb2_stream_kind *kind, char *name,
    size_t namemax, int *toolong)
{
	char *p;

	*kind = SMB2_STREAM_NONE;
	if (toolong != NULL)
		*toolong = 0;
	if ((p = strchr(comp, ':')) == NULL)
		return 0;
	*p++ = '\0';
	/*
	 * MS-FSCC 2.1.5.2: no wildcard in a file's name.  smbd serves
	 * such names made by other protocols, but a stream's path names
	 * one file, as Windows has it ("stream*:name" refused).
	 */
	if (comp[0] == '\0' || strpbrk(comp, "*?<>\"") != NULL)
		return STATUS_OBJECT_NAME_INVALID;
	return smb2_stream_rest(p, kind, name, namemax, toolong);
}

uint32_t
smb2_stream_target(const char *target, enum smb2_stream_kind *kind,
    char *name, size_t namemax)
{
	char buf[SMB2_STREAM_NAME_MAX + 16];

	*kind = SMB2_STREAM_NONE;
	if (target[0] != ':')
		return 0;
	if (strlen(target + 1) >= sizeof(buf))
		return STATUS_OBJECT_NAME_INVALID;
	memcpy(buf, target + 1, strlen(target + 1) + 1);
	return smb2_stream_rest(buf, kind, name, namemax, NULL);
}

/* MS-FSCC 2.4.44: FILE_STREAM_INFORMATION */
int
smb2_stream_list_add(struct smb2_stream_list *l, const char *name,
    size_t namelen, uint64_t size, uint64_t alloc)
{
	size_t at = (l->used + 7) & ~(size_t)7, nlen = 0;
	uint8_t *p;
	ssize_t k;

	if (at + SMB2_STREAM_INFO_FIXED > l->cap)
		return -1;
	p = l->buf + at + SMB2_STREAM_INFO_FIXED;
	/* ":" name ":$DATA", each piece in UTF-16LE. */
	if ((k = smbd_utf8_to_utf16(":", 1, p, l->cap - at -
	    SMB2_STREAM_INFO_FIXED)) < 0)
		return -1;
	nlen += (size_t)k;
	if (namelen > 0 && (k = smbd_utf8_to_utf16(name, namelen, p + nlen,
	    l->cap - at - SMB2_STREAM_INFO_FIXED - nlen)) < 0)
		return -1;
	nlen += namelen > 0 ? (size_t)k : 0;
	if ((k = smbd_utf8_to_utf16(":$DATA", 6, p + nlen, l->cap - at -
	    SMB2_STREAM_INFO_FIXED - nlen)) < 0)
		return -1;
	nlen += (size_t)k;
	p = l->buf + at;
	memset(p, 0, SMB2_STREAM_INFO_FIXED);
	if (l->count > 0)
		smb2_put32(l->buf + l->last, (uint32_t)(at - l->last));
	smb2_put32(p + 4, (uint32_t)nlen);
	smb2_put64(p + 8, size);
	smb2_put64(p + 16, alloc);
	l->last = at;
	l->used = at + SMB2_STREAM_INFO_FIXED + nlen;
	l->count++;
	return 0;
}
