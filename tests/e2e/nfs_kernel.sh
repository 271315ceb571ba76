# tests/e2e/nfs_kernel.sh: the body of test_nfs3_kernel.sh and
# test_nfs4_kernel.sh, test_nfs41_kernel.sh and test_nfs4_default_kernel.sh,
# which set E2E_NFS_VERS (3, 4.0, 4.1, default) and source it.
# The Linux kernel NFS client (Debian's, in a QEMU guest through
# tests/e2e/guest-run) against dittofs-nfsd, in a private network
# namespace (ports 2049/20048 there clash with nothing), runs
# tests/e2e/workloads/posix.sh: issue 3's file operations, cp -a of a
# 2,000-file tree with checksums, a tar round trip, an fsx-style
# integrity run of 10,000 operations with 0 mismatches; and restart in
# place: kill -9 of nfsd during a 512 MiB copy on a hard mount, the copy
# finishes intact.
set -u
case $E2E_NFS_VERS in
3)	E2E_NFS_NAME=v3
	E2E_NFS_OPTS=vers=3,port=2049,mountport=20048,path=/export,hard ;;
4.0)	E2E_NFS_NAME=v4.0
	E2E_NFS_OPTS=vers=4.0,port=2049,path=/export,hard ;;
4.1)	E2E_NFS_NAME=v4.1
	E2E_NFS_OPTS=vers=4.1,port=2049,path=/export,hard ;;
default) # vers=4, what mount.nfs starts from without vers= (the
	# harness mounts with mount(2), whose own default is v3, and for
	# vers=4 the guest's init negotiates as mount.nfs does): Linux
	# asks for 4.2, is refused (NFS4ERR_MINOR_VERS_MISMATCH) and lands
	# on 4.1.
	E2E_NFS_NAME="v4 (default minor version)"
	E2E_NFS_OPTS=vers=4,port=2049,path=/export,hard ;;
*)	echo "Bail out! E2E_NFS_VERS=$E2E_NFS_VERS: 3, 4.0, 4.1 or default"; exit 1 ;;
esac
# The minor version the mount must end up with, as /proc/mounts says it.
case $E2E_NFS_VERS in
4.1|default) E2E_NFS_MOUNTED=4.1 ;;
*) E2E_NFS_MOUNTED=$E2E_NFS_VERS ;;
esac
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
# lib.sh's [share export] is the last section: the keys below join it.
SUITE_WITH=nfsd
suite_setup
cat >> "$SUITE_CONF" <<CONF
root squash = no

[nfsd]
port = 2049
mount port = 20048
rpcbind = no
CONF
FSX=$SUITE_DIR/nfs-fsx
if ! ${CC:-cc} -std=c11 -O2 -static -o "$FSX" "$top_srcdir/tests/clients/nfs-fsx.c" 2>"$SUITE_DIR/cc.err"; then
	echo "1..0 # SKIP cannot build a static nfs-fsx: $(head -1 "$SUITE_DIR/cc.err")"
	exit 0
fi
e2e_guest_turn
suite_start
check "the suite comes up" suite_wait_ready blockd stated nfsd

# The host side of the restart: once the big file's backing file passes
# 64 MiB, kill nfsd once (bounded: gives up after 15 minutes).
kill_nfsd_mid_copy() {
	local i=0 pid
	while [ $i -lt 9000 ]; do
		if [ -n "$(find "$SUITE_DIR/state/blockd/data" -type f -size +64M 2>/dev/null | head -1)" ]; then
			suite_ctl v4 sessions > "$SUITE_DIR/sessions.before" 2>&1
			pid=$(suite_pid nfsd)
			[ -n "$pid" ] && kill -KILL "$pid" && echo "$pid" > "$SUITE_DIR/killed"
			# v4.1: the sessions once the new nfsd served the
			# client (loaded its session from stated), while the
			# guest still has it mounted (its umount ends it).
			i=0
			[ "$E2E_NFS_MOUNTED" = 4.1 ] || i=600
			while [ $i -lt 600 ]; do
				if suite_ctl status nfsd 2>/dev/null |
				    grep -q ' [1-9][0-9]* loaded from stated'; then
					suite_ctl v4 sessions > "$SUITE_DIR/sessions.after" 2>&1
					break
				fi
				sleep 0.1
				i=$((i + 1))
			done
			return
		fi
		sleep 0.1
		i=$((i + 1))
	done
}
kill_nfsd_mid_copy &
KILLER=$!
out=$(timeout 900 "$top_srcdir/tests/e2e/guest-run" \
    --nfs "$E2E_NFS_OPTS" \
    --file "$FSX:/e2e/bin/nfs-fsx" --script "$top_srcdir/tests/e2e/workloads/posix.sh" \
    --mem 1536 --timeout 840 2>&1)
rc=$?
kill "$KILLER" 2>/dev/null
wait "$KILLER" 2>/dev/null
echo "$out" | sed 's/^/# /'
if [ $rc -eq 77 ]; then
	skip "no accelerator or guest could boot (guest-run 77)" "kernel NFS$E2E_NFS_NAME client"
else
	for what in "echo hello" "echo more" "truncate" "mv f g" "ln g h" "ln -s" "mkdir -p" "dotdot" "chmod" "chown" "touch -d" "mkfifo" "rm -rf a g" "file blksize" "test 2000" "cp -a" "cmp /e2e/work/sum.src /e2e/work/sum.nfs" "tar -C" "sum.untar" "nfs-fsx"; do
		check "guest: $what" sh -c "echo \"\$0\" | grep -F 'ok: ' | grep -qF -- '$what'" "$out"
	done
	if [ "$E2E_NFS_VERS" = 3 ]; then
		check "guest: dir blksize" sh -c "echo \"\$0\" | grep -F 'ok: ' | grep -qF -- 'dir blksize'" "$out"
	fi
	check "nfsd was killed (kill -9) during the 512 MiB copy" test -s "$SUITE_DIR/killed"
	check "guest: the copy across the restart finished and reads back identical" \
	    sh -c "echo \"\$0\" | grep -q 'ok: test restart copy'" "$out"
	check "guest: mounted as NFS version $E2E_NFS_MOUNTED (/proc/mounts)" \
	    sh -c "echo \"\$0\" | grep -qx 'mounted: vers=$E2E_NFS_MOUNTED'" "$out"
	if [ "$E2E_NFS_MOUNTED" = 4.1 ]; then
		# The session lives in stated: the restarted nfsd served it,
		# the client made no new one (the same session ids, and one).
		sed 's/^/# before: /' "$SUITE_DIR/sessions.before" 2>/dev/null
		sed 's/^/# after: /' "$SUITE_DIR/sessions.after"
		check "the v4.1 session survived the nfsd restart (the same session, no new one)" \
		    sh -c 'a=$(grep -oiE "session [0-9a-f]{32}" "$1" | sort); b=$(grep -oiE "session [0-9a-f]{32}" "$2" | sort); [ -n "$a" ] && [ "$a" = "$b" ]' sh \
		    "$SUITE_DIR/sessions.before" "$SUITE_DIR/sessions.after"
	fi
	check "guest-run exit status 0" test $rc -eq 0
fi
check "nfsd still runs" suite_has_pid nfsd
check "SIGTERM to dittofs-run stops everything" suite_stop
tap_done
