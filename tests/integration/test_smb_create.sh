#!/bin/bash
# Integration: CREATE's contexts MxAc, QFid, AlSi, ExtA and
# AppInstanceId, and EAs through QUERY_INFO and SET_INFO
# (smbd/create_ctx.c), in a private network namespace, sessions through
# tests/clients/gssd-stub.py (uid 0).  tests/clients/smb2probe.py cctx:
# MxAc of the owner, QFid equal to FileInternalInformation and the
# share's volume id, ExtA then FileFullEaInformation (all, an EA list,
# single entries, an index, restart, a buffer too small),
# FileEaInformation's EaSize, SET_INFO FileFullEaInformation (a value of
# length 0 removes), malformed EA chains and bad EA names, malformed
# context lists (overlapping, unaligned, named twice, a wrong size), an
# unknown context ignored, FILE_SUPPORTS_EXTENDED_ATTRIBUTES.  MxAc of a
# user who may only read (root squashed to 65534 on the share's root)
# and on a read-only share.  AppInstanceId: a second client's durable
# open with the same id closes the first one's, connected (no oplock
# break, its CLOSE answers FILE_CLOSED) or disconnected and kept in
# stated (logged); with an AppInstanceVersion, a higher one closes the
# first open, an equal or lower one is STATUS_FILE_FORCED_CLOSED.
# smb2probe.py info: QUERY_INFO and SET_INFO classes
# (the four times of FileBasicInformation, granted access, position,
# mode, fixed sizes and BUFFER_OVERFLOW, allocation, delete pending,
# the object id FSCTLs, an FSCTL's open looked up before its code),
# the listing's 8.3 name as FileAlternateNameInformation's, files and
# a directory in a path opened by their 8.3 names (not a forged one), a file
# deleted while another open of it stays (listed, DELETE_PENDING, no
# rename of it or onto it, gone with that open), and the CreationTime
# set read back as NFSv4's time_create.  smb2probe.py supersede: a
# FILE_SUPERSEDE of a file another session holds open is that same
# file, emptied (MS-FSA 2.1.5.1.2), its attributes the superseder's and
# its EAs gone; what the other open writes next is read by name.  Then,
# with dittofs-gssd and smbtorture, the smbtorture subtests of these
# that pass.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
suite_in_netns "$0" "$@"
suite_users
SUITE_WITH="nfsd smbd"
suite_setup
P=2049
S=445
KEY=00112233445566778899aabbccddeeff
sed -i '/^\[share export\]$/a root squash = no' "$SUITE_CONF"
cat >> "$SUITE_CONF" <<CONF

[nfsd]
port = $P
mount port = 20048

[smbd]
port = $S
durable handle timeout = 300
oplock break timeout = 3

# uid 0 squashed to 65534 (the default): a user who may only read.
[share squashed]
path = /squashed

[share ro]
path = /ro
root squash = no
read only = yes

# Caseless names, for FileNormalizedNameInformation's stored case.
[share ci]
path = /ci
root squash = no
case insensitive = yes

# No named streams: smb2.create_no_streams.
[share nostreams]
path = /nostreams
root squash = no
smb streams = no

# smbtorture's smb2.ioctl.bug14788 connects to \\HOST\noperm as well.
[share noperm]
path = /noperm
root squash = no
CONF
if [ -x "$SBINDIR/dittofs-gssd" ]; then
	printf '\n[gssd]\nenable = no\n' >> "$SUITE_CONF"
fi
SMB() { timeout 60 python3 "$top_srcdir/tests/clients/smb2probe.py" "$S" "$@"; }
has() { printf '%s\n' "$1" | grep -Eq -- "$2"; }

STUB=
create_cleanup() {
	[ -n "$STUB" ] && kill "$STUB" 2>/dev/null
	[ -n "${HOLDER:-}" ] && kill "$HOLDER" 2>/dev/null
	suite_cleanup
}
trap create_cleanup EXIT
mkdir -p "$SUITE_DIR/run"
python3 "$top_srcdir/tests/clients/gssd-stub.py" "$SUITE_DIR/run" 0 0 $KEY \
    > "$SUITE_DIR/stub.log" 2>&1 &
STUB=$!

suite_start
check "blockd, stated, nfsd and smbd come up" suite_wait_ready blockd stated nfsd smbd
check "smbd connects to stated and gssd" suite_wait 20 sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status smbd | grep -q 'gssd connected.*stated connected'"
SMBD=$(suite_pid smbd)

if python3 -c 'import cryptography' 2>/dev/null; then D=311; else D=210; fi
# smb2probe's COMMAND, a check of each PASS/FAIL line it prints.
probe_checks() {
	SMB "$1" $D $KEY > "$SUITE_DIR/$1.out" 2>&1
	[ -s "$SUITE_DIR/$1.out" ] || echo "FAIL probe: no output" > "$SUITE_DIR/$1.out"
	grep -q '^Traceback' "$SUITE_DIR/$1.out" && { sed 's/^/# /' "$SUITE_DIR/$1.out"; echo "FAIL probe: it died" >> "$SUITE_DIR/$1.out"; }
	while read -r verdict rest; do
		case "$verdict" in PASS|FAIL) check "$1: $rest" test "$verdict" = PASS ;; esac
	done < "$SUITE_DIR/$1.out"
}
probe_checks cctx
probe_checks info
probe_checks supersede
# The creation time SET_INFO gave is the store's birth time: NFSv4's
# time_create reads it.
read -r _b bname bsec < <(grep '^BTIME' "$SUITE_DIR/info.out") || bname=
out=$(PYTHONPATH="$ONCRPC_PYTHONPATH" timeout 30 python3 "$top_srcdir/tests/clients/nfs4probe.py" $P btime "/export/${bname:-none}" 2>&1)
check "NFSv4 time_create of $bname is the CreationTime SMB set ($out, want ${bsec:-?})" test "$out" = "BTIME ${bsec:-x} 0"
check "the malformed EA chains and context lists were logged" sh -c "grep -q 'a malformed EA chain' '$SUITE_DIR/run.log' && grep -q 'malformed context list' '$SUITE_DIR/run.log' && grep -q 'a bad EA name' '$SUITE_DIR/run.log'"

# The share's root for root (owner, may write) and for root squashed
# to 65534 (may read and traverse: FILE_GENERIC_READ | TRAVERSE), and
# on a read-only share (nothing that changes).
out=$(SMB mxac $D $KEY export)
check "MxAc of the export's root for its owner: all but DELETE ($out)" test "$out" = "MXAC 0x0 0x0 0x1e01ff"
out=$(SMB mxac $D $KEY squashed)
check "MxAc of a root a squashed user may only read: 0x1200a9 ($out)" test "$out" = "MXAC 0x0 0x0 0x1200a9"
out=$(SMB mxac $D $KEY ro)
check "MxAc on a read-only share: no right that changes ($out)" test "$out" = "MXAC 0x0 0x0 0x1200a9"

if [ "$D" = 311 ]; then
	out=$(SMB appinst $D $KEY app-live.bin live)
	check "AppInstanceId: a second client's durable open goes through, the first's handle is closed, no break sent ($out)" test "$out" = "APP 0x0 0xc0000128 0"
	out=$(SMB appinst $D $KEY app-gone.bin gone)
	check "AppInstanceId: a disconnected durable open kept in stated is closed for the second client ($out)" test "$out" = "APP 0x0 - -"
	check "... and that was the app instance id's doing (logged)" grep -q 'app instance: the disconnected durable open .* of app-gone.bin is closed' "$SUITE_DIR/run.log"
	# The open the id closes is closed as by CLOSE (MS-SMB2 3.3.4.17):
	# one to be deleted on close deletes its file, which the second
	# client's FILE_OPEN_IF then makes anew (CreateAction FILE_CREATED).
	out=$(SMB appinst $D $KEY app-doc.bin doc)
	check "AppInstanceId closes a live open to be deleted on close: the file goes, the second open creates it ($out)" test "$out" = "APPDOC 0x0 2"
	out=$(SMB appinst $D $KEY app-docgone.bin docgone)
	check "AppInstanceId closes a disconnected one to be deleted on close: the same ($out)" test "$out" = "APPDOC 0x0 2"
	# AppInstanceVersion (3.1.1, MS-SMB2 3.3.5.9.13): a higher version
	# closes the older open as above; an equal or lower one fails
	# with STATUS_FILE_FORCED_CLOSED and leaves it open; either side
	# without a version: the id alone decides.
	out=$(SMB appinst $D $KEY app-v1.bin ver - 1.5 1.6)
	check "AppInstanceVersion 1.6 after 1.5: the first open is closed ($out)" test "$out" = "APP 0x0 0xc0000128 0"
	out=$(SMB appinst $D $KEY app-v2.bin ver - 2.0 1.9)
	check "AppInstanceVersion 1.9 after 2.0: STATUS_FILE_FORCED_CLOSED, the first open stays ($out)" test "$out" = "APP 0xc00000b6 0x0 0"
	out=$(SMB appinst $D $KEY app-v3.bin ver - 1.5 1.5)
	check "AppInstanceVersion equal (1.5): STATUS_FILE_FORCED_CLOSED ($out)" test "$out" = "APP 0xc00000b6 0x0 0"
	out=$(SMB appinst $D $KEY app-v4.bin ver - 1.5 1.4)
	check "AppInstanceVersion 1.4 after 1.5 (same high, lower low): STATUS_FILE_FORCED_CLOSED ($out)" test "$out" = "APP 0xc00000b6 0x0 0"
	out=$(SMB appinst $D $KEY app-v5.bin ver - - 0.1)
	check "AppInstanceVersion after an open without one: the first is closed ($out)" test "$out" = "APP 0x0 0xc0000128 0"
	check "... the refusal is logged" grep -q 'app instance: an open of app-v2.bin holds a version not below 1.9: STATUS_FILE_FORCED_CLOSED' "$SUITE_DIR/run.log"
else
	skip "no python3 cryptography (Debian: python3-cryptography)" "AppInstanceId needs SMB 3.x sessions"
fi
# An AppInstanceId is the same user's: root holds pub\\app-held.bin open
# with one (DH2Q, batch, denying all) while uid 1000 (below) asks with
# the same id: not closed, the share mode refuses it.
APPID=00112233445566778899aabbccddeeff
HOLDER=
if [ "$D" = 311 ]; then
	rm -f "$SUITE_DIR/app.in"
	mkfifo "$SUITE_DIR/app.in"
fi

# A user who is not root (the stub again, as uid 1000): a file root
# made in a directory whose DACL lets Everyone do anything and passes on
# CREATOR OWNER's full control and Everyone's read: read, and DELETE; a
# file of its own there: everything (CREATOR OWNER's, as its SID).
out=$(SMB mkpub $D $KEY pub)
check "root makes pub (Everyone: full control) and pub\\rootfile ($out)" test "$out" = "MKPUB 0x0 0x0"
if [ "$D" = 311 ]; then
	SMB appinst $D $KEY 'pub\app-held.bin' hold $APPID < "$SUITE_DIR/app.in" > "$SUITE_DIR/app.out" 2>&1 &
	HOLDER=$!
	exec 9> "$SUITE_DIR/app.in"
	suite_wait 20 grep -q '^APPHELD' "$SUITE_DIR/app.out"
	check "root holds pub\\app-held.bin with an AppInstanceId ($(head -1 "$SUITE_DIR/app.out"))" test "$(head -1 "$SUITE_DIR/app.out")" = "APPHELD 0x0 DH2Q"
fi
kill "$STUB"
wait "$STUB" 2>/dev/null
python3 "$top_srcdir/tests/clients/gssd-stub.py" "$SUITE_DIR/run" 1000 1000 $KEY \
    >> "$SUITE_DIR/stub.log" 2>&1 &
STUB=$!
check "the stub again as uid 1000: smbd's sessions go through it" suite_wait 30 sh -c "timeout 10 python3 $top_srcdir/tests/clients/smb2probe.py $S mxac $D $KEY export pub | grep -q '^MXAC 0x0'"
out=$(SMB mxac $D $KEY export 'pub\rootfile')
check "MxAc of root's file for uid 1000: read, and DELETE by the directory's DACL ($out)" test "$out" = "MXAC 0x0 0x0 0x130089"
out=$(SMB mxac $D $KEY export 'pub\own' file)
check "MxAc of uid 1000's own new file: everything ($out)" test "$out" = "MXAC 0x0 0x0 0x1f01ff"
if [ "$D" = 311 ]; then
	out=$(SMB appinst $D $KEY 'pub\app-held.bin' try $APPID)
	check "uid 1000 with root's AppInstanceId: root's open is not closed, SHARING_VIOLATION ($out)" test "$out" = "APP 0xc0000043"
	exec 9>&-
	wait "$HOLDER" 2>/dev/null
	HOLDER=
fi

check "smbd is still the same process" test "$(suite_pid smbd)" = "$SMBD"

if command -v smbtorture >/dev/null && [ -x "$SBINDIR/dittofs-gssd" ]; then
	check "dittofs-run stops the suite for the run with gssd" suite_stop
	kill "$STUB" 2>/dev/null
	STUB=
	sed -i '/^\[gssd\]$/,/^enable = no$/d' "$SUITE_CONF"
	suite_start
	check "blockd, gssd, stated and smbd come up" suite_wait_ready blockd gssd stated smbd
	check "smbd connects to gssd" suite_wait 20 sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status smbd | grep -q 'gssd connected.*stated connected'"
	out=$(echo 'Pass-w0rd' | suite_ctl user add smbtest --uid 0 --gid 0 2>&1)
	check "dittofsctl user add smbtest ($out)" test "$out" = "user smbtest added"
	# The subtests of these contexts and classes that pass
	# (CREATE_PROBE=1 tries a list, CREATE_PROBE_LIST another,
	# CREATE_PROBE_SHARE on a share other than export;
	# smb2.setinfo is test_smb_acl.sh's).  Not:
	# smb2.create.gentest (its access-mask table: root, this test's
	# user, is granted ACCESS_SYSTEM_SECURITY, and a plain user's ACL
	# from the file's mode lacks FILE_EXECUTE, FILE_DELETE_CHILD and the
	# GENERIC bits Windows' inherited ACL grants), smb2.create.aclfile (an owner S-1-1-0 is INVALID_OWNER),
	# .acldir (directory attributes in CREATE), smb2.maximum_allowed
	# (its user is root here, who holds every right; test_smb_acl.sh
	# runs smb2.acls as a user who is not),
	# smb2.create.nulldacl (a NULL DACL is stored as EVERYONE@ allowed
	# everything, a DACL where Windows keeps none), .quota-fake-file (no
	# quota files), and smb2.ea.acl_xattr (Samba's own acl_xattr_name
	# option).  smb2.getinfo.normalized runs on the caseless share "ci":
	# it opens a directory in another case than it made it and wants the
	# stored case back; on the case-sensitive "export" that open is
	# OBJECT_NAME_NOT_FOUND, as it should be.  So does smb2.dir.modify,
	# which changes files it made as t014-14.txt as T014-14.txt (and
	# wants a file deleted while another open of it stays listed).
	# smb2.compound_find.compound_find_close: a QUERY_DIRECTORY of 5000
	# entries (8 MiB asked for, 128 credits: this smbd's default credits
	# max) answered in full though the directory's CLOSE came meanwhile.
	# Then the subtests of suites no other list runs that pass with
	# this smbd (issue 25's inventory): tcon, secleak, mkdir, winattr, deny,
	# fileid.unique*, delete-on-close-perms (but the three "... Existing"
	# and READONLY, which test_smb_acl.sh runs as uid 1000: root is
	# granted the DELETE they want refused),
	# timestamps (not the delayed write time updates of Windows before
	# Server 2019, nor test_close_not_attrib, whose path has a "/"),
	# fileid.fileid and fileid-dir (a stream's QFid is its file's).
	# smb2.mangle removes a file by its 8.3 name, makes it again by
	# that name and then removes it by its old long name, which name
	# tunnelling gives (smbd's tunnel cache, dittofs-smbd(8)).
	CREATE_TORTURE="${CREATE_TORTURE-smb2.create.blob
	    smb2.create.dir-alloc-size smb2.durable-v2-open.app-instance
	    smb2.getinfo.complex smb2.getinfo.granted
	    smb2.getinfo.getinfo_access smb2.getinfo.qfile_buffercheck
	    smb2.getinfo.qfs_buffercheck smb2.getinfo.fsinfo
	    smb2.create.impersonation smb2.create.dosattr_tmp_dir
	    smb2.create.leading-slash smb2.create.mkdir-dup
	    smb2.credits.session_setup_credits_granted
	    smb2.credits.single_req_credits_granted smb2.credits.skipped_mid
	    smb2.compound_find.compound_find_close
	    smb2.tcon smb2.secleak smb2.mkdir smb2.winattr
	    smb2.deny.deny1 smb2.deny.deny2 smb2.fileid.unique
	    smb2.fileid.unique-dir smb2.delete-on-close-perms.OVERWRITE_IF
	    smb2.delete-on-close-perms.CREATE smb2.delete-on-close-perms.CREATE_IF
	    smb2.delete-on-close-perms.FIND_and_set_DOC
	    smb2.delete-on-close-perms.BUG14427
	    smb2.timestamps.time_t_15032385535
	    smb2.timestamps.time_t_10000000000
	    smb2.timestamps.time_t_4294967295 smb2.timestamps.time_t_1
	    smb2.timestamps.time_t_0 smb2.timestamps.freeze-thaw
	    smb2.timestamps.delayed-1write
	    smb2.timestamps.time_t_-1 smb2.timestamps.time_t_-2
	    smb2.timestamps.time_t_1968
	    smb2.fileid.fileid smb2.fileid.fileid-dir
	    smb2.ioctl.bug14788.NETWORK_INTERFACE
	    smb2.ioctl.bug14788.VALIDATE_NEGOTIATE
	    smb2.mangle}"
	if [ -n "${CREATE_PROBE:-}" ]; then
		for t in ${CREATE_PROBE_LIST:-smb2.create.gentest smb2.create.blob smb2.maximum_allowed.maximum_allowed smb2.maximum_allowed.read_only smb2.durable-v2-open.app-instance smb2.ea.acl_xattr smb2.getinfo.complex smb2.getinfo.fsinfo smb2.getinfo.qfs_buffercheck smb2.getinfo.qfile_buffercheck smb2.getinfo.qsec_buffercheck smb2.getinfo.granted smb2.getinfo.normalized smb2.getinfo.getinfo_access smb2.setinfo smb2.create.open smb2.create.dir-alloc-size}; do
			if timeout 120 smbtorture //127.0.0.1/${CREATE_PROBE_SHARE:-export} -p $S -U smbtest%Pass-w0rd --target=samba3 --option=torture:smbd=false $t > "$SUITE_DIR/t.out" 2>&1; then if grep -q '^skip' "$SUITE_DIR/t.out"; then diag "PROBE SKIP $t: $(grep -A1 '^skip' "$SUITE_DIR/t.out" | tail -1)"; else diag "PROBE PASS $t"; fi; else diag "PROBE FAIL $t: $(grep -E 'failure|error|Incorrect|should|line|c:[0-9]' "$SUITE_DIR/t.out" | head -4 | tr '\n' ' ')"; fi
		done
	fi
	for t in $CREATE_TORTURE; do
		torture_check "smbtorture $t" //127.0.0.1/export -p $S -U smbtest%Pass-w0rd --target=samba3 --option=torture:smbd=false "$t"
	done
	# A share without named streams: every stream name, "::$DATA"
	# too, is OBJECT_NAME_INVALID.
	torture_check "smbtorture smb2.create_no_streams.no_stream on the share without streams" //127.0.0.1/nostreams -p $S -U smbtest%Pass-w0rd --target=samba3 --option=torture:smbd=false smb2.create_no_streams.no_stream
	for t in smb2.getinfo.normalized \
	    smb2.dir.modify; do
		torture_check "smbtorture $t on the caseless share" //127.0.0.1/ci -p $S -U smbtest%Pass-w0rd --target=samba3 --option=torture:smbd=false "$t"
	done
	# Subtests whose names hold spaces, one a line, each run by its full
	# name.  On the caseless share, smb2.charset: wide-a (FULLWIDTH
	# LATIN CAPITAL A U+FF21 is the name of the file made as U+FF41, as
	# Windows' upcase table has it, and neither is "a"), the composite
	# and the naked diacritical (no Unicode normalization: a-umlaut and
	# a + COMBINING DIAERESIS are two names).  Not "Testing partial
	# surrogate": smbtorture's own client cannot convert the lone
	# surrogate it sends (NT_STATUS_NO_MEMORY before any request).
	while IFS= read -r t; do
		torture_check "smbtorture $t on the caseless share" //127.0.0.1/ci -p $S -U smbtest%Pass-w0rd --target=samba3 --option=torture:smbd=false "$t"
	done <<-EOF
	smb2.charset.Testing wide-a
	smb2.charset.Testing composite character (a umlaut)
	smb2.charset.Testing naked diacritical (umlaut)
	EOF
else
	skip "no smbtorture (Debian: samba-testsuite) or no dittofs-gssd" "smbtorture smb2.create, smb2.ea, smb2.getinfo, smb2.setinfo, smb2.maximum_allowed"
fi
check "dittofs-run stops everything" suite_stop
tap_done
