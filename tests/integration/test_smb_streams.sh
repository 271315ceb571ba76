#!/bin/bash
# Integration: SMB alternate data streams as the store's named streams
# (smbd/stream.c, blockd/store_stream.c), in a private network
# namespace.  tests/clients/smb2probe.py (through gssd-stub.py): a
# stream made by CREATE of no file, written, its end of file set and
# queried on the stream's handle (FileStandardInformation), read back,
# its renames (to :s2, listed so and its handle reading its data, to
# ::$DATA without ReplaceIfExists OBJECT_NAME_COLLISION, back to :s1;
# another stream with data renamed to the file's empty "::$DATA", the
# file's data then renamed to ":u", the bytes read where they went),
# its overwrite (another case of its name)
# emptying it, FileStreamInformation (and BUFFER_OVERFLOW with the
# first entry in a buffer too small for two), FILE_NAMED_STREAMS; an
# open of the file for DELETE while the stream is open without
# FILE_SHARE_DELETE: SHARING_VIOLATION (an open without DELETE goes
# through: share modes are per stream); a directory's stream, listed
# without "::$DATA"; a 256-byte stream name: OBJECT_NAME_INVALID and a
# log line.  Then through dittofs-gssd
# with a user of its database:
# smbclient puts 256 KiB to "file:stream" and gets it back (sha256
# equal), the file's own data stays apart, `allinfo' lists "::$DATA"
# and ":stream:$DATA" with their sizes (and the file's 8.3 name as its
# altname), "file::$DATA" is the file, a
# type other than $DATA is refused (NT_STATUS_OBJECT_NAME_INVALID), a
# stream of a file that does not exist makes the file, `ls' lists no
# stream, and deleting the file takes its streams (their backing files
# leave the store).  The store's 32 streams a file: a 33rd is refused
# with NT_STATUS_INSUFFICIENT_RESOURCES and a log line.  A wildcard in
# the file's part of a stream's path is NT_STATUS_OBJECT_NAME_INVALID;
# a read-only file and its stream are not written over
# (NT_STATUS_ACCESS_DENIED), and are once the attribute is cleared.
# Then smbtorture's smb2.streams subtests that pass (smbclient's `del' lists
# the directory first and cannot name a stream: deleting one stream by
# delete on close is smb2.streams.io's).
#
# NFSv4 named attributes (OPENATTR) are not served by nfsd (its
# OPENATTR answers NFS4ERR_NOTSUPP), so no NFS client sees the streams
# here yet.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
suite_in_netns "$0" "$@"
suite_users
SUITE_WITH="smbd"
suite_setup
S=445
sed -i '/^\[share export\]$/a root squash = no' "$SUITE_CONF"
cat >> "$SUITE_CONF" <<CONF

[smbd]
port = $S

[run]
restart delay max = 2

# Caseless names (blockd's case-insensitive lookup), as Windows has them:
# smbtorture's smb2.streams.names3 opens a stream by its path in upper
# case.
[share ci]
path = /ci
insecure = yes
root squash = no
case insensitive = yes
CONF
# has TEXT REGEX: the text has a line matching the extended regex.
has() { printf '%s\n' "$1" | grep -Eq -- "$2"; }
# clean TEXT: smbclient's output names no NT_STATUS (every command ran).
clean() { ! printf '%s\n' "$1" | grep -q NT_STATUS; }
# hasnt TEXT REGEX: no line matches.
hasnt() { ! has "$@"; }
U=smbtest%Pass-w0rd
SMBC() { timeout 60 smbclient //127.0.0.1/export -p $S -m SMB3 -U $U -c "$1" 2>&1; }

# First tests/clients/gssd-stub.py stands in for gssd (a session key
# the probe knows): tests/clients/smb2probe.py's stream steps, each a
# PASS or FAIL line.  Then the suite starts again with dittofs-gssd for
# smbclient and smbtorture.
GSSD_BIN=$SBINDIR/dittofs-gssd
KEY=00112233445566778899aabbccddeeff
[ -x "$GSSD_BIN" ] && printf '\n[gssd]\nenable = no\n' >> "$SUITE_CONF"
mkdir -p "$SUITE_DIR/run"
python3 "$top_srcdir/tests/clients/gssd-stub.py" "$SUITE_DIR/run" 0 0 $KEY \
    > "$SUITE_DIR/stub.log" 2>&1 &
STUB=$!
trap '[ -n "$STUB" ] && kill "$STUB" 2>/dev/null; suite_cleanup' EXIT
suite_start
check "blockd and smbd come up (gssd-stub.py as gssd)" suite_wait_ready blockd smbd
check "smbd answers NEGOTIATE" suite_wait 10 sh -c "python3 $top_srcdir/tests/clients/smb2probe.py $S alive | grep -q ALIVE"
out=$(timeout 60 python3 "$top_srcdir/tests/clients/smb2probe.py" $S streams 210 $KEY probe.txt 2>&1)
echo "$out" | sed 's/^/# /'
while IFS= read -r line; do
	case $line in
	PASS\ *) ok "smb2probe streams: ${line#PASS }" ;;
	FAIL\ *) not_ok "smb2probe streams: ${line#FAIL }" ;;
	esac
done <<EOF2
$out
EOF2
check "smb2probe streams: 26 steps passed" test "$(printf '%s\n' "$out" | grep -c '^PASS ')" = 26
check "smbd logged the stream name too long" grep -q "a stream name longer than the store's 255 bytes" "$SUITE_DIR/run.log"
check "dittofs-run stops the suite for the restart with gssd" suite_stop
kill "$STUB" 2>/dev/null
STUB=
rm -f "$SUITE_DIR/run/gssd.sock"
if [ ! -x "$GSSD_BIN" ]; then
	skip "dittofs-gssd is not built (SMB logins)" "smbclient and smbtorture on streams"
	tap_done
	exit
fi
if ! command -v smbclient >/dev/null; then
	skip "no smbclient (Debian: smbclient)" "smbclient and smbtorture on streams"
	tap_done
	exit
fi
sed -i '/^\[gssd\]$/,/^enable = no$/d' "$SUITE_CONF"
suite_start
check "blockd, gssd and smbd come up" suite_wait_ready blockd gssd smbd
check "smbd connects to gssd" suite_wait 20 sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status smbd | grep -q 'gssd connected'"
out=$(echo 'Pass-w0rd' | suite_ctl user add smbtest --uid 0 --gid 0 2>&1)
check "dittofsctl user add smbtest ($out)" test "$out" = "user smbtest added"

head -c 262144 /dev/urandom > "$SUITE_DIR/ads.bin"
echo "the file's own data" > "$SUITE_DIR/base.txt"
out=$(SMBC "put $SUITE_DIR/base.txt f.txt; put $SUITE_DIR/ads.bin f.txt:ads")
echo "$out" | sed 's/^/# /'
check "smbclient put f.txt, then 256 KiB to f.txt:ads" clean "$out"
out=$(SMBC "get f.txt:ads $SUITE_DIR/ads.back; get f.txt $SUITE_DIR/base.back")
check "smbclient get f.txt:ads: the stream's bytes (sha256)" test "$(sha256sum < "$SUITE_DIR/ads.bin")" = "$(sha256sum < "$SUITE_DIR/ads.back" 2>/dev/null)"
check "smbclient get f.txt: the file's own data, not the stream's" cmp -s "$SUITE_DIR/base.txt" "$SUITE_DIR/base.back"
out=$(SMBC "get f.txt:ads:\$DATA $SUITE_DIR/ads2.back")
check "f.txt:ads:\$DATA is the same stream" cmp -s "$SUITE_DIR/ads.bin" "$SUITE_DIR/ads2.back"
out=$(SMBC "get f.txt::\$DATA $SUITE_DIR/base2.back")
check "f.txt::\$DATA is the file's own data" cmp -s "$SUITE_DIR/base.txt" "$SUITE_DIR/base2.back"
out=$(SMBC "allinfo f.txt")
echo "$out" | sed 's/^/# /'
check "allinfo lists ::\$DATA with the file's size" has "$out" '^stream: \[::\$DATA\], 20 bytes$'
check "allinfo lists :ads:\$DATA with the stream's size" has "$out" '^stream: \[:ads:\$DATA\], 262144 bytes$'
# FileAlternateNameInformation: f.txt (lower case) is not an 8.3 name of
# its own: F, '~' and its inode number in base 36, its extension.
check "allinfo's altname of f.txt is its 8.3 name F~<inode>.TXT" has "$out" '^altname: F~[0-9A-Z]+\.TXT$'
out=$(SMBC "get f.txt:ads:\$FOO $SUITE_DIR/x")
check "a type other than \$DATA: NT_STATUS_OBJECT_NAME_INVALID ($out)" has "$out" 'NT_STATUS_OBJECT_NAME_INVALID'
out=$(SMBC "ls")
echo "$out" | sed 's/^/# /'
check "ls lists f.txt" has "$out" '^ +f\.txt +'
check "ls lists no stream" hasnt "$out" ':ads'

# A stream of a file that does not exist makes the file (as NTFS does).
out=$(SMBC "put $SUITE_DIR/base.txt new.txt:s1")
check "put new.txt:s1 (no new.txt before): accepted ($out)" clean "$out"
out=$(SMBC "allinfo new.txt")
check "new.txt was made, empty" has "$out" '^stream: \[::\$DATA\], 0 bytes$'
check "... with its stream" has "$out" '^stream: \[:s1:\$DATA\], 20 bytes$'

# Deleting the file takes its streams: the stream's backing file (the
# one whose bytes are ads.bin's) goes from blockd's store once the file
# is removed.
backing() {
	find "$SUITE_DIR/state" -type f -size 262144c -regextype egrep \
	    -regex '.*/[0-9a-f]{16}' -exec sha256sum {} + 2>/dev/null |
	    grep -c "^$(sha256sum < "$SUITE_DIR/ads.bin" | cut -d' ' -f1) "
}
check "the store keeps f.txt:ads in a backing file of its own" test "$(backing)" = 1
out=$(SMBC "del f.txt")
check "del f.txt ($out)" clean "$out"
out=$(SMBC "get f.txt:ads $SUITE_DIR/gone")
check "f.txt:ads is gone with f.txt: NT_STATUS_OBJECT_NAME_NOT_FOUND" has "$out" 'NT_STATUS_OBJECT_NAME_NOT_FOUND'
check "... and so is its backing file" suite_wait 30 sh -c "test \"\$(find '$SUITE_DIR/state' -type f -size 262144c | wc -l)\" = 0"

# An overwrite of a file's data drops its streams (NTFS does; MS-FSA
# 2.1.5.1.2.1): smbclient's put of an existing file is OVERWRITE_IF.
echo "other data" > "$SUITE_DIR/other.txt"
out=$(SMBC "put $SUITE_DIR/base.txt ow.txt; put $SUITE_DIR/base.txt ow.txt:s; allinfo ow.txt")
check "ow.txt has its stream :s" has "$out" '^stream: \[:s:\$DATA\], 20 bytes$'
out=$(SMBC "put $SUITE_DIR/other.txt ow.txt; allinfo ow.txt")
echo "$out" | sed 's/^/# /'
check "put over ow.txt (OVERWRITE_IF): its stream is gone" hasnt "$out" ':s:\$DATA'
check "... and its data is the new data" has "$out" '^stream: \[::\$DATA\], 11 bytes$'

# The store's limit: 32 streams a file.
cmds=
for i in $(seq 1 33); do cmds="$cmds put $SUITE_DIR/base.txt many.txt:s$i;"; done
out=$(SMBC "$cmds")
check "32 streams of many.txt made, the 33rd refused: one error" test "$(printf '%s\n' "$out" | grep -c NT_STATUS)" = 1
check "... NT_STATUS_INSUFFICIENT_RESOURCES" has "$out" NT_STATUS_INSUFFICIENT_RESOURCES
out=$(SMBC "allinfo many.txt")
check "allinfo many.txt: 33 streams (::\$DATA and 32)" test "$(printf '%s\n' "$out" | grep -c '^stream: ')" = 33
check "smbd logged the limit" grep -q "named streams (the store's limit) reached" "$SUITE_DIR/run.log"

# MS-FSCC 2.1.5.2: a wildcard in the file's part of a stream's path.
out=$(SMBC 'allinfo "many*.txt:s1"')
check "allinfo many*.txt:s1: NT_STATUS_OBJECT_NAME_INVALID" has "$out" NT_STATUS_OBJECT_NAME_INVALID
# MS-FSA 2.1.5.1.2.1: a read-only file opens for reading, not writing.
out=$(SMBC "put $SUITE_DIR/base.txt ro.txt; put $SUITE_DIR/base.txt ro.txt:s; setmode ro.txt +r")
check "ro.txt and its stream :s made, FILE_ATTRIBUTE_READONLY set ($out)" clean "$out"
out=$(SMBC "put $SUITE_DIR/other.txt ro.txt")
check "put over the read-only ro.txt: NT_STATUS_ACCESS_DENIED" has "$out" NT_STATUS_ACCESS_DENIED
out=$(SMBC "put $SUITE_DIR/other.txt ro.txt:s")
check "... and over its stream :s too" has "$out" NT_STATUS_ACCESS_DENIED
out=$(SMBC "get ro.txt $SUITE_DIR/ro.back; get ro.txt:s $SUITE_DIR/ro.s.back; setmode ro.txt -r")
check "both read back as they were, the attribute cleared ($out)" sh -c "cmp -s '$SUITE_DIR/base.txt' '$SUITE_DIR/ro.back' && cmp -s '$SUITE_DIR/base.txt' '$SUITE_DIR/ro.s.back'"
out=$(SMBC "put $SUITE_DIR/other.txt ro.txt")
check "... then ro.txt takes a write again ($out)" clean "$out"

if command -v smbtorture >/dev/null; then
	# dir: "file:stream" with FILE_DIRECTORY_FILE and "dir::$DATA" are
	# refused as Windows does, a directory lists no stream; io: a stream
	# of no file makes the file, data in and out, names and types in
	# any case, FileStreamInformation, delete on close of a stream, the
	# file's delete; sharemodes: share modes per stream; names: a
	# wildcard in the file's part ("stream*:name") refused
	# (OBJECT_NAME_INVALID), wildcards in a stream's name served; names2:
	# every ASCII character in a stream name; rename: a stream renamed
	# onto another (empty) one with ReplaceIfExists; rename2: a stream
	# renamed to itself, onto another, to "<file>:<stream>" (its own
	# file, in use: SHARING_VIOLATION) and to "::$DATA" (the file's
	# empty data replaced); attributes1: a read-only file, and
	# FileBasicInformation of an open without FILE_READ_ATTRIBUTES
	# (ACCESS_DENIED); delete: a file deleted while one of its streams
	# stays open answers DELETE_PENDING to an open of its name or of the
	# stream until that stream's last close, then it is gone; zero-byte:
	# an empty stream is listed; basefile-rename-with-open-stream: a file
	# with a stream open is not renamed (ACCESS_DENIED); attributes2:
	# the file's times and DOS attributes set through a stream's handle,
	# FILE_ATTRIBUTE_NORMAL kept by a later open for writing (ARCHIVE
	# marks data written, not an open).
	# create-disposition passes too; OVERWRITE and SUPERSEDE of a file
	# drop its named streams, as NTFS does.
	#
	# Failing, and why: names3 on the case-sensitive share "export" (it
	# opens the file's whole path in upper case, and a case-sensitive
	# share answers OBJECT_PATH_NOT_FOUND, as it should; on the caseless
	# share "ci" it passes, stream names found whatever their case).
	for t in dir io sharemodes names names2 rename rename2 attributes1 attributes2 delete zero-byte create-disposition basefile-rename-with-open-stream; do
		torture_check "smbtorture smb2.streams.$t" //127.0.0.1/export -p $S -U $U --option=torture:smbd=false "smb2.streams.$t"
	done
	out=$(timeout 180 smbtorture //127.0.0.1/ci -p $S -U $U --option=torture:smbd=false smb2.streams.names3 2>&1)
	check "smbtorture smb2.streams.names3 on a case-insensitive share" has "$out" '^success: names3'
	printf '%s\n' "$out" | tail -4 | sed 's/^/# /'
	out=$(timeout 180 smbtorture //127.0.0.1/export -p $S -U $U --option=torture:smbd=false smb2.streams.names3 2>&1)
	check "smbtorture smb2.streams.names3 on the case-sensitive share: its upper-case path is not found" has "$out" 'OBJECT_PATH_NOT_FOUND'
else
	skip "no smbtorture (Debian: samba-testsuite)" "smbtorture smb2.streams"
fi
check "smbd was never restarted" sh -c "! grep -q 'smbd (pid [0-9]*) killed' '$SUITE_DIR/run.log'"
check "dittofs-run stops everything" suite_stop
tap_done
