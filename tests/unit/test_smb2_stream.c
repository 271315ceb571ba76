/*
 * smbd/smb2_stream.c: a CREATE's last component split into the file and
 * its stream (MS-FSCC 2.1.5.3, 2.1.5.4: "file:name", "file:name:$DATA"
 * in any case, "file::$DATA" for the file's data; an empty name, another
 * type, a third ':' or a name over the store's 255 bytes refused with
 * STATUS_OBJECT_NAME_INVALID), a rename's ":name" target, and
 * FileStreamInformation's entries (MS-FSCC 2.4.44): names as
 * ":name:$DATA" in UTF-16LE, sizes, 8-byte aligned chaining, an entry
 * that does not fit left out; then 20000 random names.
 */
#include <stdlib.h>
#include <string.h>

#include "smb2.h"
#include "smb2_stream.h"
#include "status.h"
#include "tap.h"

static uint32_t
split(const char *in, char *file, enum smb2_stream_kind *kind, char *name,
    int *toolong)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s", in);
	name[0] = '\0';
	*toolong = 0;
	*kind = 99;
	uint32_t st = smb2_stream_split(buf, kind, name,
	    SMB2_STREAM_NAME_MAX + 1, toolong);
	strcpy(file, buf);
	return st;
}

static void
test_split(void)
{
	enum smb2_stream_kind kind;
	char file[1024], name[SMB2_STREAM_NAME_MAX + 1], big[600];
	int toolong;

	TAP_EQ_INT(split("plain.txt", file, &kind, name, &toolong), 0,
	    "a name without ':' is accepted");
	tap_ok(kind == SMB2_STREAM_NONE && strcmp(file, "plain.txt") == 0,
	    "... and names no stream");
	TAP_EQ_INT(split("f.txt:Stream One", file, &kind, name, &toolong), 0,
	    "file:name");
	tap_ok(kind == SMB2_STREAM_NAMED && strcmp(file, "f.txt") == 0 &&
	    strcmp(name, "Stream One") == 0, "... the file and the stream "
	    "(%s, %s)", file, name);
	TAP_EQ_INT(split("f.txt:Second:$DaTa", file, &kind, name, &toolong),
	    0, "file:name:$DaTa (the type in any case)");
	tap_ok(kind == SMB2_STREAM_NAMED && strcmp(name, "Second") == 0,
	    "... the stream's name without its type");
	TAP_EQ_INT(split("f.txt::$DATA", file, &kind, name, &toolong), 0,
	    "file::$DATA");
	tap_ok(kind == SMB2_STREAM_DEFAULT && strcmp(file, "f.txt") == 0,
	    "... is the file's own data");
	TAP_EQ_INT(split("f.txt:?Stream*", file, &kind, name, &toolong), 0,
	    "wildcards are stream name characters");
	TAP_EQ_INT(split("f.txt:", file, &kind, name, &toolong),
	    STATUS_OBJECT_NAME_INVALID, "file: (nothing after ':') refused");
	TAP_EQ_INT(split("f.txt:name:", file, &kind, name, &toolong),
	    STATUS_OBJECT_NAME_INVALID, "file:name: (empty type) refused");
	TAP_EQ_INT(split("f.txt:name:$FOO", file, &kind, name, &toolong),
	    STATUS_OBJECT_NAME_INVALID, "a type other than $DATA refused");
	TAP_EQ_INT(split("f.txt:name:$INDEX_ALLOCATION", file, &kind, name,
	    &toolong), STATUS_OBJECT_NAME_INVALID,
	    "$INDEX_ALLOCATION refused too");
	TAP_EQ_INT(split("f.txt:a:$DATA:x", file, &kind, name, &toolong),
	    STATUS_OBJECT_NAME_INVALID, "a third ':' refused");
	TAP_EQ_INT(split(":name", file, &kind, name, &toolong),
	    STATUS_OBJECT_NAME_INVALID, "a stream of no file name refused");
	TAP_EQ_INT(split("stream*:?Stream*:$DATA", file, &kind, name,
	    &toolong), STATUS_OBJECT_NAME_INVALID,
	    "a wildcard in the file's part refused (stream*:name)");
	TAP_EQ_INT(split("f?.txt:s", file, &kind, name, &toolong),
	    STATUS_OBJECT_NAME_INVALID, "... '?' too");
	TAP_EQ_INT(split("f<.txt:s", file, &kind, name, &toolong),
	    STATUS_OBJECT_NAME_INVALID, "... and '<'");
	TAP_EQ_INT(split("f.txt:a/b", file, &kind, name, &toolong),
	    STATUS_OBJECT_NAME_INVALID, "'/' in a stream name refused");
	memset(big, 'x', 255);
	big[255] = '\0';
	snprintf(file, sizeof(file), "f:%s", big);
	TAP_EQ_INT(split(file, file, &kind, name, &toolong), 0,
	    "a 255-byte stream name is accepted");
	memset(big, 'x', 256);
	big[256] = '\0';
	snprintf(file, sizeof(file), "f:%s", big);
	TAP_EQ_INT(split(file, file, &kind, name, &toolong),
	    STATUS_OBJECT_NAME_INVALID, "a 256-byte stream name is refused");
	tap_ok(toolong, "... and said to be too long (for the log line)");
}

static void
test_target(void)
{
	enum smb2_stream_kind kind;
	char name[SMB2_STREAM_NAME_MAX + 1];

	TAP_EQ_INT(smb2_stream_target(":After:$DATA", &kind, name,
	    sizeof(name)), 0, "rename target :name:$DATA");
	tap_ok(kind == SMB2_STREAM_NAMED && strcmp(name, "After") == 0,
	    "... names the stream After");
	TAP_EQ_INT(smb2_stream_target("::$DATA", &kind, name, sizeof(name)),
	    0, "rename target ::$DATA");
	tap_ok(kind == SMB2_STREAM_DEFAULT, "... is the default stream");
	TAP_EQ_INT(smb2_stream_target("dir\\file", &kind, name,
	    sizeof(name)), 0, "a path is no stream target");
	tap_ok(kind == SMB2_STREAM_NONE, "... kind NONE");
	TAP_EQ_INT(smb2_stream_target(":x:", &kind, name, sizeof(name)),
	    STATUS_OBJECT_NAME_INVALID, "target :x: refused");
}

static void
test_list(void)
{
	struct smb2_stream_list l;
	uint8_t buf[256];
	static const uint8_t def[] = { ':', 0, ':', 0, '$', 0, 'D', 0, 'A', 0,
	    'T', 0, 'A', 0 };
	static const uint8_t ab[] = { ':', 0, 'a', 0, 'b', 0, ':', 0, '$', 0,
	    'D', 0, 'A', 0, 'T', 0, 'A', 0 };

	memset(&l, 0, sizeof(l));
	memset(buf, 0xee, sizeof(buf));
	l.buf = buf;
	l.cap = sizeof(buf);
	TAP_EQ_INT(smb2_stream_list_add(&l, "", 0, 10, 4096), 0,
	    "the default stream listed");
	TAP_EQ_INT(smb2_stream_list_add(&l, "ab", 2, 3, 0), 0,
	    "a named stream listed");
	tap_ok(smb2_get32(buf + 4) == sizeof(def) &&
	    memcmp(buf + 24, def, sizeof(def)) == 0, "first entry: \"::$DATA\"");
	tap_ok(smb2_get64(buf + 8) == 10 && smb2_get64(buf + 16) == 4096,
	    "... its size and allocation size");
	/* 24 + 14 = 38, aligned to 40 */
	TAP_EQ_INT(smb2_get32(buf), 40, "NextEntryOffset: 8-byte aligned");
	tap_ok(smb2_get32(buf + 40) == 0 && smb2_get32(buf + 44) == sizeof(ab)
	    && memcmp(buf + 64, ab, sizeof(ab)) == 0,
	    "second entry: \":ab:$DATA\", the last (NextEntryOffset 0)");
	TAP_EQ_INT(smb2_get64(buf + 48), 3, "... its size");
	TAP_EQ_INT((int)l.used, 64 + (int)sizeof(ab), "used: up to its name");
	l.cap = l.used + 8;
	TAP_EQ_INT(smb2_stream_list_add(&l, "c", 1, 0, 0), -1,
	    "an entry that does not fit is refused");
	TAP_EQ_INT(smb2_get32(buf + 40), 0, "... and the last entry stays last");
	TAP_EQ_INT((int)l.count, 2, "two entries");
}

/* Random names of ':', '$', letters, '/': never past a buffer (ASan). */
static void
test_random(void)
{
	static const char alphabet[] = "::$$DATAdata/xX\\";
	enum smb2_stream_kind kind;
	char buf[600], name[SMB2_STREAM_NAME_MAX + 1];
	uint8_t out[128];
	struct smb2_stream_list l;
	size_t i, n, j, named = 0, bad = 0;
	int toolong;

	srand(7);
	for (i = 0; i < 20000; i++) {
		/* Mostly short; one in ten up to the buffer. */
		n = (size_t)rand() % (i % 10 == 0 ? sizeof(buf) - 1 : 24);
		for (j = 0; j < n; j++)
			buf[j] = alphabet[rand() % (sizeof(alphabet) - 1)];
		buf[n] = '\0';
		if (smb2_stream_split(buf, &kind, name, sizeof(name),
		    &toolong) != 0)
			bad++;
		else if (kind == SMB2_STREAM_NAMED) {
			named++;
			if (strchr(name, ':') != NULL || strchr(buf, ':') !=
			    NULL || strlen(name) > SMB2_STREAM_NAME_MAX)
				break;
			memset(&l, 0, sizeof(l));
			l.buf = out;
			l.cap = (size_t)rand() % sizeof(out);
			(void)smb2_stream_list_add(&l, name, strlen(name), 1, 1);
			if (l.used > l.cap)
				break;
		}
	}
	tap_ok(i == 20000, "20000 random names: %zu streams, %zu refused; a "
	    "stream's name never holds ':', an entry never passes its buffer",
	    named, bad);
}

int
main(void)
{
	test_split();
	test_target();
	test_list();
	test_random();
	return tap_done();
}
