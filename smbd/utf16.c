/*
 * Names: UTF-16LE on the wire (MS-SMB2 2.2.13 and others), UTF-8 in
 * the store.  Unpaired surrogates and invalid UTF-8 are refused.
 */
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "smbd.h"

ssize_t
smbd_utf16_to_utf8(const uint8_t *in, size_t len, char *out, size_t outmax)
{
	size_t i, o = 0;
	uint32_t cp, lo;

	if (len & 1)
		return -1;
	for (i = 0; i < len; i += 2) {
		cp = (uint32_t)(in[i] | in[i + 1] << 8);
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (i + 3 >= len)
				return -1;
			lo = (uint32_t)(in[i + 2] | in[i + 3] << 8);
			if (lo < 0xdc00 || lo > 0xdfff)
				return -1;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		} else if (cp >= 0xdc00 && cp <= 0xdfff)
			return -1;
		if (cp < 0x80) {
			if (o + 1 > outmax)
				return -1;
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			if (o + 2 > outmax)
				return -1;
			out[o++] = (char)(0xc0 | cp >> 6);
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			if (o + 3 > outmax)
				return -1;
			out[o++] = (char)(0xe0 | cp >> 12);
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			if (o + 4 > outmax)
				return -1;
			out[o++] = (char)(0xf0 | cp >> 18);
			out[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	return (ssize_t)o;
}

ssize_t
smbd_utf8_to_utf16(const char *s, size_t len, uint8_t *out, size_t outmax)
{
	const uint8_t *in = (const uint8_t *)s;
	size_t i = 0, o = 0, n, k;
	uint32_t cp, hi, lo;

	while (i < len) {
		if (in[i] < 0x80) {
			cp = in[i];
			n = 1;
		} else if ((in[i] & 0xe0) == 0xc0) {
			cp = in[i] & 0x1f;
			n = 2;
		} else if ((in[i] & 0xf0) == 0xe0) {
			cp = in[i] & 0x0f;
			n = 3;
		} else if ((in[i] & 0xf8) == 0xf0) {
			cp = in[i] & 0x07;
			n = 4;
		} else
			return -1;
		if (n > len - i)
			return -1;
		for (k = 1; k < n; k++) {
			if ((in[i + k] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (in[i + k] & 0x3f);
		}
		i += n;
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
		    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		if (cp >= 0x10000) {
			if (o + 4 > outmax)
				return -1;
			hi = 0xd800 + ((cp - 0x10000) >> 10);
			lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);
			smb2_put16(out + o, (uint16_t)hi);
			smb2_put16(out + o + 2, (uint16_t)lo);
			o += 4;
		} else {
			if (o + 2 > outmax)
				return -1;
			smb2_put16(out + o, (uint16_t)cp);
			o += 2;
		}
	}
	return (ssize_t)o;
}
