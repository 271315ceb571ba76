/*
 * common/casefold.h: the name folding of case-insensitive shares.  blockd
 * keys a caseless directory's entries by folded names (blockd/store_dir.c);
 * a front end that caches names of such a directory (its attributes carry
 * STORE_ATTR_CASELESS) keys them the same way.
 *
 * What is folded: two letters of the Basic Multilingual Plane are the
 * same when one is the other's Unicode simple uppercase mapping or both
 * have the same one, as Windows' upcase table compares names (UTF-16
 * code units: nothing past U+FFFF folds).  A name folds, in UTF-8, each
 * letter to one member of its class (its lower case where the class
 * has one), by the table tools/gen_casefold.pl made from the Unicode
 * data (common/casefold_table.h), never by a locale.  Every folding
 * keeps the encoding's length, so a folded name has its name's length:
 * a mapping between code points of different UTF-8 lengths is left out
 * (U+0131 dotless i, U+017F long s, U+0250 turned a and 28 more of
 * Latin Extended, IPA, Cyrillic Extended-C and Greek stay as they are).
 * Bytes that are not valid UTF-8 are compared as they are.  Letters
 * that case only by a full (multi-character) mapping, as sharp s, or
 * that another letter's lower case maps back to only in one direction
 * (U+212A KELVIN SIGN, U+2126 OHM SIGN, U+1E9E capital sharp s), are
 * not folded: Windows keeps them apart too.
 *
 * Store format 4 keys caseless directories by this table; format 3's
 * table folded only Latin-1, Latin Extended-A, Greek, Cyrillic and
 * Armenian, and blockd rekeys such a store at open (store_upgrade.c).
 *
 * Pure code, like common/acl.c: no allocation, no I/O.
 */
#ifndef DITTOFS_CASEFOLD_H
#define DITTOFS_CASEFOLD_H

#include <stddef.h>

/* out gets len bytes: in folded.  in and out may be the same. */
void	 casefold(const char *in, size_t len, char *out);
/* 1 if a and b are the same name once folded. */
int	 casefold_eq(const char *a, size_t alen, const char *b, size_t blen);
/* The code point a BMP code point folds to (itself if none). */
unsigned int casefold_cp(unsigned int);

#endif
