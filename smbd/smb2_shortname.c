/*
 * smbd/smb2_shortname.c: 8.3 names computed from a name and its inode
 * number (smb2_shortname.h says the rule and why it never collides).
 */
#include <string.h>
#include <strings.h>

#include "smb2_shortname.h"

/* Base-36 digits of an inode number after '~': 7 at most (8 less '~'). */
#define SHORTNAME_DIGITS_MAX	7

/*
 * A character an 8.3 name may hold besides the letters and digits
 * (MS-FSCC 2.1.5.2.1: ASCII, no space; the characters Windows leaves out
 * of short names, "*+,/:;<=>?[\]| and '.', are not).  '~' is kept for
 * the generated names.
 */
static int
shortname_special(int ch)
{
	return ch != '\0' && strchr("!#$%&'()-@^_`{}", ch) != NULL;
}

/* ch as a character of a generated name: upper case, or '_'. */
static char
shortname_char(unsigned char ch)
{
	if (ch >= 'a' && ch <= 'z')
		return (char)(ch - 'a' + 'A');
	if ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	    shortname_special(ch))
		return (char)ch;
	return '_';
}

int
smb2_shortname_own(const char *name)
{
	const char *dot = NULL, *p;
	size_t base, ext;

	for (p = name; *p != '\0'; p++) {
		if (*p == '.') {
			if (dot != NULL)
				return 0;
			dot = p;
		} else if (!((*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || shortname_special(*p)))
			return 0;
	}
	base = dot != NULL ? (size_t)(dot - name) : (size_t)(p - name);
	ext = dot != NULL ? strlen(dot + 1) : 0;
	return base >= 1 && base <= 8 && (dot == NULL || (ext >= 1 &&
	    ext <= 3));
}

/*
 * Append the characters of [from, to) as a generated name's, leaving out
 * spaces and dots, one '_' for each character beyond ASCII (its UTF-8
 * continuation bytes left out), at most max of them.
 */
static size_t
shortname_part(char *out, const char *from, const char *to, size_t max)
{
	const unsigned char *p;
	size_t n = 0;

	for (p = (const unsigned char *)from;
	    p < (const unsigned char *)to && n < max; p++) {
		if (*p == ' ' || *p == '.' || (*p & 0xc0) == 0x80)
			continue;
		out[n++] = shortname_char(*p);
	}
	return n;
}

size_t
smb2_shortname(const char *name, uint64_t ino,
    char out[SMB2_SHORTNAME_MAX + 1])
{
	static const char digit[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char num[SHORTNAME_DIGITS_MAX];
	const char *dot, *end = name + strlen(name);
	size_t ndigits = 0, n, i;

	out[0] = '\0';
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    smb2_shortname_own(name))
		return 0;
	do {
		if (ndigits == SHORTNAME_DIGITS_MAX)
			return 0;
		num[ndigits++] = digit[ino % 36];
		ino /= 36;
	} while (ino > 0);
	/* The extension: after the last '.', unless that is the first. */
	dot = strrchr(name, '.');
	if (dot == name || (dot != NULL && dot[1] == '\0'))
		dot = NULL;
	n = shortname_part(out, name, dot != NULL ? dot : end,
	    SHORTNAME_DIGITS_MAX - ndigits);
	out[n++] = '~';
	for (i = ndigits; i > 0; i--)
		out[n++] = num[i - 1];
	if (dot != NULL) {
		out[n] = '.';
		i = shortname_part(out + n + 1, dot + 1, end, 3);
		if (i > 0)
			n += 1 + i;
	}
	out[n] = '\0';
	return n;
}

/* ch's value as a base-36 digit of either case, or -1. */
static int
shortname_digit(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 10;
	return -1;
}

int
smb2_shortname_ino(const char *name, uint64_t *ino)
{
	const char *tilde = strchr(name, '~'), *p, *dot;
	size_t ndigits;
	uint64_t n = 0;
	int d;

	if (tilde == NULL || strchr(tilde + 1, '~') != NULL)
		return 0;
	for (p = tilde + 1; *p != '\0' && *p != '.'; p++) {
		if ((d = shortname_digit((unsigned char)*p)) == -1)
			return 0;
		n = n * 36 + (uint64_t)d;
	}
	ndigits = (size_t)(p - (tilde + 1));
	dot = *p == '.' ? p : NULL;
	if (ndigits == 0 || (size_t)(tilde - name) + ndigits >
	    SHORTNAME_DIGITS_MAX || (ndigits > 1 && tilde[1] == '0'))
		return 0;
	if (memchr(name, '.', (size_t)(tilde - name)) != NULL ||
	    (dot != NULL && (strlen(dot + 1) < 1 || strlen(dot + 1) > 3 ||
	    strchr(dot + 1, '.') != NULL)))
		return 0;
	*ino = n;
	return 1;
}

int
smb2_shortname_match(const char *asked, const char *name, uint64_t ino)
{
	char out[SMB2_SHORTNAME_MAX + 1];

	return smb2_shortname(name, ino, out) > 0 &&
	    strcasecmp(out, asked) == 0;
}
