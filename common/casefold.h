/*
 * common/casefold.h: the name folding of case-insensitive shares.  blockd
 * keys a caseless directory's entries by folded names (blockd/store_dir.c);
 * a front end that caches names of such a directory (its attributes carry
 * STORE_ATTR_CASELESS) keys them the same way.
 *
 * What is folded, to its Unicode simple case folding (CaseFolding.txt,
 * status C), in UTF-8: ASCII A-Z; the capitals of Latin-1 Supplement
 * (U+00C0-U+00DE but U+00D7) and MICRO SIGN U+00B5; of Latin Extended-A
 * (U+0100-U+017E, but U+0130, U+0131, U+0138 and U+0149, which have no
 * simple folding, and U+017F, whose folding "s" is shorter); of Greek
 * (U+0386-U+03AB) and final sigma U+03C2; of Cyrillic and Cyrillic
 * Supplement (U+0400-U+052F); of Armenian (U+0531-U+0556).  Every folding
 * keeps the encoding's length, so a folded name has its name's length.
 * Other code points, and bytes that are not valid UTF-8, are compared as
 * they are.  ß, the Turkish dotted and dotless i, and characters that
 * fold only with a full (multi-character) folding are not folded.
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

#endif
