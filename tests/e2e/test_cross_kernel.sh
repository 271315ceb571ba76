#!/bin/bash
# e2e: one share through the Linux kernel's NFS client (vers=4.1) and its
# cifs client (vers=3.1.1) in one QEMU guest, against dittofs-nfsd and
# dittofs-smbd at once (issue 25's cross-protocol test;
# tests/e2e/workloads/cross.sh is the guest's side): content written
# through one protocol reads back the same through the other, appends
# through both make one file, an SMB byte-range lock denies an NFSv4.1
# lock of an overlapping range and the other way round (stated's one
# lock table), and a file cifs has cached under a lease reads the bytes
# an NFS write put there, the write having broken the lease (smbd counts
# the break).  Share modes cannot be asked for by either kernel client
# (neither sends deny modes); tests/integration/test_smb_cross.sh checks
# them with our own clients.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
if [ "${DITTOFS_E2E:-yes}" = no ]; then
	echo "1..0 # SKIP end-to-end tests turned off (configure --disable-e2e)"
	exit 0
fi
suite_in_netns "$0" "$@"
. "$top_srcdir/tests/e2e/lib.sh"
suite_users
if [ ! -x "$SBINDIR/dittofs-gssd" ]; then
	echo "1..0 # SKIP dittofs-gssd is not built (SMB logins need it)"
	exit 0
fi
SUITE_WITH="nfsd smbd"
suite_setup
cat >> "$SUITE_CONF" <<CONF
root squash = no

[nfsd]
port = 2049
mount port = 20048
rpcbind = no

[smbd]
port = 445
CONF
HELPER=$SUITE_DIR/lock-helper
if ! ${CC:-cc} -std=c11 -O2 -static -o "$HELPER" \
    "$top_srcdir/tests/e2e/lock-helper.c" 2>"$SUITE_DIR/cc.err"; then
	echo "1..0 # SKIP cannot build a static lock-helper: $(head -1 "$SUITE_DIR/cc.err")"
	exit 0
fi
PASS=e2e-Cross-w0rd
e2e_guest_turn
suite_start
check "blockd, stated, gssd, nfsd and smbd come up" suite_wait_ready blockd stated gssd nfsd smbd
out=$(echo "$PASS" | suite_ctl user add e2euser --uid 0 --gid 0 2>&1)
check "dittofsctl user add e2euser ($out)" test "$out" = "user e2euser added"
breaks() { suite_ctl status smbd 2>/dev/null | sed -n 's/.* \([0-9]*\) oplock or lease break(s) sent.*/\1/p'; }
B0=$(breaks)
out=$(timeout 900 "$top_srcdir/tests/e2e/guest-run" \
    --nfs "path=/export,vers=4.1,port=2049" \
    --cifs "share=export,port=445,username=e2euser,password=$PASS,hard" \
    --file "$HELPER:/e2e/bin/lock-helper" \
    --script "$top_srcdir/tests/e2e/workloads/cross.sh" \
    --mem 1024 --timeout 800 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
if [ $rc -eq 77 ]; then
	skip "no accelerator or guest could boot (guest-run 77)" "NFS and SMB mounts of one share"
else
	for what in "written over NFS, read over SMB" "written over SMB, read over NFS" \
	    "appends through both, read over SMB" "and over NFS" \
	    "SMB holds bytes 0-99" "NFS lock of bytes 50-59: denied" \
	    "NFS lock of bytes 200-209: granted" "NFS holds bytes 0-99" \
	    "SMB lock of bytes 50-59: denied" "SMB lock of bytes 200-209: granted" \
	    "SMB reads what NFS wrote over its cached copy" "and NFS reads it too"; do
		check "guest: $what" sh -c "echo \"\$0\" | grep -qxF -- 'ok: $what'" "$out"
	done
	B1=$(breaks)
	check "smbd sent lease or oplock breaks (NFS writes and locks against SMB opens: ${B0:-?} before, ${B1:-?} after)" test "${B1:-0}" -gt "${B0:-0}"
	check "guest-run exit status 0" test $rc -eq 0
fi
grep -i 'warn\|refused' "$SUITE_DIR/run.log" | tail -20 | sed 's/^/# /'
check "SIGTERM to dittofs-run stops everything" suite_stop
tap_done
