/*
 * smbd/smb2_ea.c: a CREATE's context list checked, and extended
 * attributes on the wire (smb2_ea.h).
 */
#include <string.h>

#include "smb2.h"
#include "smb2_ea.h"
#include "status.h"

#define SMB2_CTX_HDR	16

/* MS-SMB2 2.2.13.2: every element, each inside its own. */
int
smb2_ctx_chain_check(const uint8_t *chain, size_t len)
{
	size_t off = 0, elen;
	uint32_t next, dlen;
	uint16_t noff, nlen, doff;
	const uint8_t *e;

	if (chain == NULL || len == 0)
		return 0;
	for (;;) {
		if (len - off < SMB2_CTX_HDR)
			return -1;
		e = chain + off;
		next = smb2_get32(e);
		noff = smb2_get16(e + 4);
		nlen = smb2_get16(e + 6);
		doff = smb2_get16(e + 10);
		dlen = smb2_get32(e + 12);
		if (next != 0 && (next % 8 != 0 || next < SMB2_CTX_HDR + 4 ||
		    next > len - off))
			return -1;
		elen = next != 0 ? next : len - off;
		if (noff < SMB2_CTX_HDR || nlen < 4 || noff > elen ||
		    nlen > elen - noff)
			return -1;
		if (dlen != 0 && (doff % 8 != 0 || doff < SMB2_CTX_HDR ||
		    doff > elen || dlen > elen - doff ||
		    (doff < noff + nlen && noff < doff + dlen)))
			return -1;
		if (next == 0)
			return 0;
		off += next;
	}
}

int
smb2_ctx_get(const uint8_t *chain, size_t len, const uint8_t *name,
    size_t nlen, const uint8_t **data, size_t *datalen)
{
	size_t off = 0;
	uint32_t next;
	const uint8_t *e;
	int found = 0;

	*data = NULL;
	*datalen = 0;
	if (chain == NULL || len == 0)
		return 0;
	for (;;) {
		e = chain + off;
		next = smb2_get32(e);
		if (smb2_get16(e + 6) == nlen &&
		    memcmp(e + smb2_get16(e + 4), name, nlen) == 0) {
			if (found++)
				return 2;
			*datalen = smb2_get32(e + 12);
			*data = *datalen != 0 ? e + smb2_get16(e + 10) : NULL;
		}
		if (next == 0)
			return found;
		off += next;
	}
}

/* MS-FSCC 2.4.15: an EA name's characters, folded as NTFS keeps them. */
int
smb2_ea_name(const uint8_t *name, size_t namelen, char *out)
{
	static const char bad[] = "\"*+,/:;<=>?[\\]|";
	size_t i;
	uint8_t ch;

	if (namelen == 0 || namelen > SMB2_EA_NAME_MAX)
		return -1;
	for (i = 0; i < namelen; i++) {
		ch = name[i];
		if (ch < 0x20 || ch >= 0x7f || strchr(bad, ch) != NULL)
			return -1;
		out[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') :
		    (char)ch;
	}
	out[namelen] = '\0';
	return 0;
}

/* An entry of size `need' at off: where the next one starts, or -1. */
static int
smb2_ea_step(const uint8_t *buf, size_t len, size_t off, size_t need,
    size_t *next_off)
{
	uint32_t next = smb2_get32(buf + off);

	if (need > len - off)
		return -1;
	if (next == 0) {
		*next_off = len;
		return 0;
	}
	if (next % 4 != 0 || next < need || next >= len - off)
		return -1;
	*next_off = off + next;
	return 0;
}

int
smb2_ea_next(const uint8_t *buf, size_t len, size_t *off, struct smb2_ea *ea,
    uint32_t *status)
{
	size_t o = *off, nlen, vlen, next;

	*status = STATUS_INVALID_PARAMETER;
	if (o >= len)
		return 0;
	if (len - o < SMB2_EA_FULL_HDR)
		return -1;
	ea->flags = buf[o + 4];
	nlen = buf[o + 5];
	vlen = smb2_get16(buf + o + 6);
	if (smb2_ea_step(buf, len, o, SMB2_EA_FULL_HDR + nlen + 1 + vlen,
	    &next) == -1 || buf[o + SMB2_EA_FULL_HDR + nlen] != '\0')
		return -1;
	/* MS-FSA 2.1.5.15.5: a bad flag is a bad name. */
	if ((ea->flags & ~SMB2_EA_FLAG_NEED) != 0 ||
	    smb2_ea_name(buf + o + SMB2_EA_FULL_HDR, nlen, ea->name) == -1) {
		*status = STATUS_INVALID_EA_NAME;
		return -1;
	}
	ea->namelen = nlen;
	ea->value = buf + o + SMB2_EA_FULL_HDR + nlen + 1;
	ea->valuelen = vlen;
	*off = next;
	*status = STATUS_SUCCESS;
	return 1;
}

int
smb2_ea_get_next(const uint8_t *buf, size_t len, size_t *off,
    struct smb2_ea *ea, uint32_t *status)
{
	size_t o = *off, nlen, next;

	*status = STATUS_INVALID_PARAMETER;
	if (o >= len)
		return 0;
	if (len - o < 5)
		return -1;
	nlen = buf[o + 4];
	if (smb2_ea_step(buf, len, o, 5 + nlen + 1, &next) == -1 ||
	    buf[o + 5 + nlen] != '\0')
		return -1;
	if (smb2_ea_name(buf + o + 5, nlen, ea->name) == -1) {
		*status = STATUS_INVALID_EA_NAME;
		return -1;
	}
	ea->namelen = nlen;
	ea->flags = 0;
	ea->value = NULL;
	ea->valuelen = 0;
	*off = next;
	*status = STATUS_SUCCESS;
	return 1;
}

size_t
smb2_ea_full_size(size_t namelen, size_t valuelen)
{
	return (SMB2_EA_FULL_HDR + namelen + 1 + valuelen + 3) & ~(size_t)3;
}

size_t
smb2_ea_encode(const char *name, size_t namelen, const uint8_t *value,
    size_t valuelen, uint8_t flags, uint8_t *out, size_t outmax)
{
	size_t n = SMB2_EA_FULL_HDR + namelen + 1 + valuelen;

	if (namelen > SMB2_EA_NAME_MAX || valuelen > SMB2_EA_VALUE_MAX ||
	    outmax < n)
		return 0;
	smb2_put32(out, 0);
	out[4] = flags;
	out[5] = (uint8_t)namelen;
	smb2_put16(out + 6, (uint16_t)valuelen);
	memcpy(out + SMB2_EA_FULL_HDR, name, namelen);
	out[SMB2_EA_FULL_HDR + namelen] = '\0';
	if (valuelen != 0)
		memcpy(out + SMB2_EA_FULL_HDR + namelen + 1, value, valuelen);
	return n;
}
