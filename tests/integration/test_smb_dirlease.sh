#!/bin/bash
# Integration: SMB directory leases (smbd/lease.c; MS-SMB2 3.3.5.9.11),
# broken by blockd's notes of every protocol's changes, in a private
# network namespace with nfsd and smbd on one share.  Through
# tests/clients/gssd-stub.py sessions (tests/clients/smb2probe.py
# dirlease, at 3.0 and 3.1.1): RH granted where RWH is asked, none to a
# v1 context or an oplock, no break of a change made through an open
# whose ParentLeaseKey is the lease's, and a break to none of another
# session's create, rename and delete in the directory, and H (RH to R) by
# an open of the directory that meets a sharing violation.  Then the
# share's root leased by SMB and changed by NFSv3 (tests/clients/
# rpc-probe): CREATE, RENAME and REMOVE each break the lease (smb2probe
# dirwait), as do an NFSv4.0 CREATE (tests/clients/nfs4probe.py), and
# NFSv3 and NFSv4.0 SETATTRs of an entry that no SMB client has open.
# Then, when dittofs-gssd is built, smbtorture's
# smb2.lease.v2_request and v2_request_parent, which need
# SMB2_GLOBAL_CAP_DIRECTORY_LEASING.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/smblib.sh"

suite_need_root
suite_in_netns "$0" "$@"
smb_stub_suite
if python3 -c 'import cryptography' 2>/dev/null; then
	for d in 300 311; do
		smb_probe "directory lease, dialect $d" dirlease $d $KEY "dl$d"
	done
else
	skip "no python3 cryptography (Debian: python3-cryptography)" "directory leases through the stub"
fi

# The share's root leased by SMB (3.1.1), changed by NFSv3: each change
# breaks the lease to none, acknowledged.
ROOT=$("$RPCP" -p $M mnt /export)
check "MOUNT gives the root's handle ($ROOT)" sh -c "test \${#1} -gt 16" _ "$ROOT"
# nfs_breaks WHAT WANT COMMAND...: SMB leases the root, an NFS client
# does WHAT (COMMAND, which prints WANT first).  The file is emptied
# before the client starts: the previous step's LEASED must not let
# COMMAND run before this client holds its lease (the background job's
# own redirection may come late).
nfs_breaks() {
	local what=$1 want=$2 out=$SUITE_DIR/dirwait.out got
	shift 2
	: > "$out"
	SMB dirwait 311 $KEY "" > "$out" 2>&1 &
	SMB_BG=$!
	check "SMB leases the share's root: RH" suite_wait 20 grep -q '^LEASED 3$' "$out"
	got=$("$@" 2>&1)
	check "$what ($got)" test "${got%% fh *}" = "$want"
	check "$what: the SMB client's lease broke, RH to none, ack required" suite_wait 30 grep -q '^BREAK 3 0 1$' "$out"
	check "$what: the break acknowledged" suite_wait 30 grep -q '^ACK 0x0$' "$out"
	wait "$SMB_BG" 2>/dev/null
	SMB_BG=
	sed 's/^/# /' "$out"
}
nfs_breaks "NFSv3 CREATE nfs-dl" NFS3_OK "$RPCP" -p $P create "$ROOT" nfs-dl
nfs_breaks "NFSv3 RENAME nfs-dl to nfs-dl2" NFS3_OK "$RPCP" -p $P rename "$ROOT" nfs-dl "$ROOT" nfs-dl2
nfs_breaks "NFSv3 REMOVE nfs-dl2" NFS3_OK "$RPCP" -p $P remove "$ROOT" nfs-dl2
nfs_breaks "NFSv4.0 CREATE of directory nfs4-dl" "MKDIR 0" env PYTHONPATH="$ONCRPC_PYTHONPATH" timeout 30 python3 "$top_srcdir/tests/clients/nfs4probe.py" $P mkdir /export nfs4-dl
# An entry's attributes and size changed by NFS, the file open by no SMB
# client: the listing the lease caches shows them, so it breaks
# (blockd's ENTRY_ATTR note names the directory of the file's name).
PROBE4() { env PYTHONPATH="$ONCRPC_PYTHONPATH" timeout 30 python3 "$top_srcdir/tests/clients/nfs4probe.py" $P "$@"; }
check "NFSv3 CREATE nfs-attr (no lease held)" test "$("$RPCP" -p $P create "$ROOT" nfs-attr)" = NFS3_OK
nfs_breaks "NFSv3 SETATTR of nfs-attr's mode" "V3SETATTR 0" PROBE4 v3setattr /export/nfs-attr 600
nfs_breaks "NFSv3 SETATTR of nfs-attr's size" "V3SETATTR 0" PROBE4 v3setattr /export/nfs-attr size=100
nfs_breaks "NFSv4.0 SETATTR of nfs-attr's mode" "CHMOD 0" PROBE4 chmod /export/nfs-attr 644

kill "$SMB_STUB" 2>/dev/null
wait "$SMB_STUB" 2>/dev/null
SMB_STUB=

# smbtorture through the real dittofs-gssd: the directory lease subtests
# of smb2.lease (Samba 4.17 has no smb2.dirlease suite).
if [ ! -x "$GSSD_BIN" ]; then
	skip "dittofs-gssd is not built on this branch" "smbtorture smb2.lease directory subtests"
elif ! command -v smbtorture >/dev/null; then
	skip "no smbtorture (Debian: samba-testsuite)" "smbtorture smb2.lease directory subtests"
else
	check "dittofs-run stops the suite for the restart with gssd" suite_stop
	rm -f "$SUITE_DIR/run/gssd.sock"
	sed -i '/^\[gssd\]$/,/^enable = no$/d' "$SUITE_CONF"
	suite_start
	check "blockd, gssd and smbd come up" suite_wait_ready blockd gssd smbd
	check "smbd connects to gssd" suite_wait 10 sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status smbd | grep -q 'gssd connected'"
	out=$(echo 'Pass-w0rd' | suite_ctl user add smbtest --uid 0 --gid 0 2>&1)
	check "dittofs-run user add smbtest ($out)" test "$out" = "user smbtest added"
	for t in smb2.lease.v2_request smb2.lease.v2_request_parent; do
		torture_check "smbtorture $t" //127.0.0.1/export -p $S -U smbtest%Pass-w0rd --target=samba3 --option=torture:smbd=false "$t"
	done
fi
check "dittofs-run stops everything" suite_stop
tap_done
