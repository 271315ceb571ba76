/*
 * smbd/smb2_shortname.c: 8.3 names (MS-FSCC 2.1.5.2.1) from a name and
 * its inode number: names that are their own, generated names (upper
 * case, '~' and the inode in base 36, the extension's first three),
 * characters beyond ASCII, leading and trailing dots, the largest inode
 * number served; then 20000 random names of one directory, every 8.3 name
 * a valid one and no two alike in any case, and each generated one read
 * back (smb2_shortname_ino) as its inode number.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smb2_shortname.h"
#include "tap.h"

static const char *
shortname(const char *name, uint64_t ino)
{
	static char out[SMB2_SHORTNAME_MAX + 1];

	if (smb2_shortname(name, ino, out) != strlen(out))
		return "(length differs)";
	return out;
}

#define TAP_EQ_NAME(name, ino, want) do {				\
	const char *got_ = shortname(name, ino);			\
	tap_ok(strcmp(got_, want) == 0, "%s, inode %llu: \"%s\"",	\
	    name, (unsigned long long)(ino), want) ? 1 :		\
	    (tap_diag("  got \"%s\"", got_), 0);			\
} while (0)

static void
test_known(void)
{
	tap_ok(smb2_shortname_own("README.TXT"), "README.TXT is its own");
	tap_ok(smb2_shortname_own("A") && smb2_shortname_own("12345678.ABC")
	    && smb2_shortname_own("$X{1}@!.#%&"), "so are A, 12345678.ABC "
	    "and names of the other legal characters");
	tap_ok(!smb2_shortname_own("readme.txt"), "readme.txt (lower case) "
	    "is not");
	tap_ok(!smb2_shortname_own("123456789.TXT") &&
	    !smb2_shortname_own("A.TEXT") && !smb2_shortname_own("A.B.C") &&
	    !smb2_shortname_own(".TXT") && !smb2_shortname_own("A.") &&
	    !smb2_shortname_own("") && !smb2_shortname_own("A B") &&
	    !smb2_shortname_own("A+B") && !smb2_shortname_own("A~1"),
	    "nor a long base or extension, two dots, an empty base or "
	    "extension, a space, '+', '~'");
	TAP_EQ_NAME("README.TXT", 5, "");
	TAP_EQ_NAME(".", 5, "");
	TAP_EQ_NAME("..", 5, "");
	TAP_EQ_NAME("torture_search.txt", 1234, "TORTU~YA.TXT");
	TAP_EQ_NAME("torture_search.txt", 1, "TORTUR~1.TXT");
	TAP_EQ_NAME("readme.txt", 35, "README~Z.TXT");
	TAP_EQ_NAME("a", 36, "A~10");
	TAP_EQ_NAME("T013-13.txt.3", 7, "T013-1~7.3");
	TAP_EQ_NAME(".bashrc", 8, "BASHRC~8");
	TAP_EQ_NAME("trailing.", 9, "TRAILI~9");
	TAP_EQ_NAME("long.extension", 10, "LONG~A.EXT");
	TAP_EQ_NAME("a b+c[d].t t", 11, "AB_C_D~B.TT");
	TAP_EQ_NAME("caf\xc3\xa9.txt", 12, "CAF_~C.TXT");
	TAP_EQ_NAME("TORTU~YA.TXT", 13, "TORTU_~D.TXT");
	TAP_EQ_NAME("x", 78364164095ULL, "~ZZZZZZZ");
	TAP_EQ_NAME("x", 78364164096ULL, "");
}

/* An 8.3 name: base 1-8, extension 0 or 1-3, legal characters. */
static int
valid(const char *s)
{
	const char *dot = strchr(s, '.');
	size_t base = dot != NULL ? (size_t)(dot - s) : strlen(s);
	size_t ext = dot != NULL ? strlen(dot + 1) : 0;
	const char *p;

	for (p = s; *p != '\0'; p++)
		if (p != dot && !isupper((unsigned char)*p) &&
		    !isdigit((unsigned char)*p) &&
		    strchr("!#$%&'()-@^_`{}~", *p) == NULL)
			return 0;
	return base >= 1 && base <= 8 && ext <= 3 &&
	    (dot == NULL || (ext >= 1 && strchr(dot + 1, '.') == NULL));
}

static int
cmp_case(const void *a, const void *b)
{
	return strcasecmp(a, b);
}

/* 8.3 names read back as inode numbers, and matched against names. */
static void
test_parse(void)
{
	uint64_t ino = 0;

	tap_ok(smb2_shortname_ino("TORTU~YA.TXT", &ino) && ino == 1234,
	    "TORTU~YA.TXT names inode 1234");
	ino = 0;
	tap_ok(smb2_shortname_ino("tortu~ya.txt", &ino) && ino == 1234,
	    "... so does tortu~ya.txt");
	tap_ok(smb2_shortname_ino("~ZZZZZZZ", &ino) && ino == 78364164095ULL,
	    "~ZZZZZZZ names the largest inode number served");
	tap_ok(smb2_shortname_ino("A~10", &ino) && ino == 36 &&
	    smb2_shortname_ino("BASHRC~8", &ino) && ino == 8,
	    "A~10 and BASHRC~8: no extension");
	tap_ok(!smb2_shortname_ino("README.TXT", &ino) &&
	    !smb2_shortname_ino("A~", &ino) && !smb2_shortname_ino("A~.TXT",
	    &ino) && !smb2_shortname_ino("A~~1", &ino) &&
	    !smb2_shortname_ino("ABCDEF~12", &ino) &&
	    !smb2_shortname_ino("~ZZZZZZZZ", &ino) &&
	    !smb2_shortname_ino("A~1.TEXT", &ino) &&
	    !smb2_shortname_ino("A~1.", &ino) &&
	    !smb2_shortname_ino("A.B~1", &ino) &&
	    !smb2_shortname_ino("A~1.B.C", &ino) &&
	    !smb2_shortname_ino("A~01", &ino) &&
	    !smb2_shortname_ino("A~1-", &ino),
	    "not a name without '~' or digits, with two '~', a base "
	    "beyond 8, a long or empty extension, two dots, a leading zero, "
	    "a character not a digit after '~'");
	tap_ok(smb2_shortname_match("tortu~ya.txt", "torture_search.txt",
	    1234), "torture_search.txt, inode 1234, is tortu~ya.txt");
	tap_ok(!smb2_shortname_match("TORTU~YA.TXT", "torture_search.txt",
	    1235) && !smb2_shortname_match("TORTU~YA.TXT", "other.txt",
	    1234) && !smb2_shortname_match("TORTU~YA.TX", "torture_search.txt",
	    1234) && !smb2_shortname_match("README.TXT", "README.TXT", 1),
	    "... not with another inode, another name, another extension; "
	    "a name of its own matches nothing");
}

#define RANDOM_NAMES	20000

static void
test_random(void)
{
	static const char pool[] = "abcXYZ019.~ _-+$\xc3\xa9";
	static char names[RANDOM_NAMES][SMB2_SHORTNAME_MAX + 1];
	char name[24];
	size_t i, k, len, invalid = 0, same = 0, own = 0, unread = 0;
	uint64_t ino, back;

	srand(83);
	for (i = 0; i < RANDOM_NAMES; i++) {
		/* Distinct names: each ends in '@' (not in pool) and i. */
		len = (size_t)rand() % 8;
		for (k = 0; k < len; k++)
			name[k] = pool[rand() % (sizeof(pool) - 1)];
		name[len] = '\0';
		if (rand() % 3 == 0) {
			/* Some are their own 8.3 names, unique by i. */
			snprintf(name, sizeof(name), "N%zu.%c", i,
			    "ABC~"[rand() % 4]);
		} else
			snprintf(name + len, sizeof(name) - len, "@%zu", i);
		ino = (uint64_t)i * 7919 + (uint64_t)rand() % 7919;
		if (smb2_shortname(name, ino, names[i]) != 0 &&
		    (!smb2_shortname_ino(names[i], &back) || back != ino ||
		    !smb2_shortname_match(names[i], name, ino)))
			unread++;
		if (names[i][0] == '\0') {
			if (!smb2_shortname_own(name)) {
				invalid++;
				continue;
			}
			own++;
			if (strlen(name) > SMB2_SHORTNAME_MAX) {
				invalid++;
				continue;
			}
			memcpy(names[i], name, strlen(name) + 1);
		}
		if (!valid(names[i]))
			invalid++;
	}
	qsort(names, RANDOM_NAMES, sizeof(names[0]), cmp_case);
	for (i = 1; i < RANDOM_NAMES; i++)
		if (strcasecmp(names[i - 1], names[i]) == 0)
			same++;
	tap_ok(invalid == 0, "%d random names (%zu their own): each has a "
	    "valid 8.3 name (%zu not)", RANDOM_NAMES, own, invalid);
	tap_ok(same == 0, "... and no two are alike in any case (%zu are)",
	    same);
	tap_ok(unread == 0, "... and each generated one reads back as its "
	    "inode number and matches its name (%zu not)", unread);
}

int
main(void)
{
	test_known();
	test_parse();
	test_random();
	return tap_done();
}
