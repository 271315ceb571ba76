#!/bin/bash
# e2e: the Linux kernel NFSv3 client (Debian's, in a QEMU guest through
# tests/e2e/guest-run) against dittofs-nfsd, in a private network
# namespace (ports 2049/20048 there clash with nothing).  Issue 3's list:
# create/write/read/append/truncate/rename/link/symlink/mkdir -p/rm -rf/
# chmod/chown/touch -d/mkfifo, cp -a of a 2,000-file tree with
# checksums, tar x/c round trip, and an fsx-style integrity run of 10,000
# operations with 0 mismatches; and restart in place: kill -9 of nfsd
# during a 512 MiB copy on a hard mount, the copy finishes intact.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
if [ "${DITTOFS_E2E:-yes}" = no ]; then
	echo "1..0 # SKIP end-to-end tests turned off (configure --disable-e2e)"
	exit 0
fi
suite_in_netns "$0" "$@"
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
suite_start
check "the suite comes up" suite_wait_ready blockd stated nfsd

cat > "$SUITE_DIR/guest.sh" <<'GUEST'
set -u
fail=0
t() { if "$@"; then echo "ok: $*"; else echo "FAIL: $*"; fail=1; fi; }
cd "$E2E_MNT" || exit 1
t sh -c 'echo hello > f && test "$(cat f)" = hello'
t sh -c 'echo more >> f && test "$(cat f)" = "hello
more"'
t sh -c 'truncate -s 3 f && test "$(cat f)" = hel'
t sh -c 'mv f g && test ! -e f && test "$(cat g)" = hel'
t sh -c 'ln g h && test "$(stat -c %h g)" = 2'
t sh -c 'ln -s g s && test "$(readlink s)" = g && test "$(cat s)" = hel'
t sh -c 'mkdir -p a/b/c/d && test -d a/b/c/d'
t sh -c 'd=$(ls -ai a/b | awk "\$2 == \"..\" { print \$1 }"); test -n "$d" && test "$d" = "$(stat -c %i a)" # dotdot'
t sh -c 'chmod 640 g && test "$(stat -c %a g)" = 640'
t sh -c 'chown 1234:5678 g && test "$(stat -c %u:%g g)" = 1234:5678'
t sh -c 'touch -d "2020-02-02 02:02:02" g && test "$(stat -c %Y g)" = 1580608922'
t sh -c 'mkfifo p && test -p p'
t sh -c 'rm -rf a g h s p && test -z "$(ls)"'
# st_blksize: a file's is FSINFO's 1 MiB wtpref; a directory's is dtpref,
# which glibc's opendir sizes its buffer by (at 64 KiB it mapped one per
# opendir and ls -lR ran at half speed; 16 and 32 KiB measured fast).
t sh -c 'mkdir bs && : > bs/f && test "$(stat -c %o bs/f)" = 1048576 && test "$(stat -c %o bs)" -le 32768 && rm -r bs # blksize'
# A tree of 2,000 files: cp -a in, checksums compared.
# (one awk process writes them all: a fork per file costs tens of ms here)
mkdir -p /e2e/work/src
for d in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19; do
	mkdir -p /e2e/work/src/d$d/sub
done
awk 'BEGIN { srand(3); for (i = 0; i < 2000; i++) {
	f = sprintf("/e2e/work/src/d%d/%sf%d", i % 20, i % 3 ? "" : "sub/", i)
	n = int(rand() * 40) + 1
	for (j = 0; j < n; j++) printf "%d %f line %d of file %d\n", i, rand(), j, i > f
	close(f) } }'
n=$(find /e2e/work/src -type f | wc -l)
echo "tree: $n files"
t test "$n" -ge 2000
t cp -a /e2e/work/src "$E2E_MNT/tree"
sync; echo 3 > /proc/sys/vm/drop_caches
(cd /e2e/work/src && find . -type f | sort | xargs sha256sum) > /e2e/work/sum.src
(cd "$E2E_MNT/tree" && find . -type f | sort | xargs sha256sum) > /e2e/work/sum.nfs
t cmp /e2e/work/sum.src /e2e/work/sum.nfs
# tar c from the mount, tar x into it, compare.
t sh -c "tar -C $E2E_MNT -cf /e2e/work/t.tar tree && mkdir $E2E_MNT/untar && tar -C $E2E_MNT/untar -xf /e2e/work/t.tar"
(cd "$E2E_MNT/untar/tree" && find . -type f | sort | xargs sha256sum) > /e2e/work/sum.untar
t cmp /e2e/work/sum.src /e2e/work/sum.untar
t rm -rf "$E2E_MNT/tree" "$E2E_MNT/untar"
t nfs-fsx -N 10000 -S 7 "$E2E_MNT/fsx.data"
t rm -f "$E2E_MNT/fsx.data"
# Restart in place: the host kills nfsd (kill -9) while this copy runs
# on the hard mount; the copy must finish and read back identical.
rm -rf /e2e/work/src /e2e/work/t.tar
head -c 536870912 /dev/urandom > /e2e/work/big
want=$(sha256sum < /e2e/work/big)
t cp /e2e/work/big "$E2E_MNT/big"
sync; echo 3 > /proc/sys/vm/drop_caches
got=$(sha256sum < "$E2E_MNT/big")
t test "restart copy $want" = "restart copy $got"
exit $fail
GUEST
# The host side of the restart: once the big file's backing file passes
# 64 MiB, kill nfsd once (bounded: gives up after 15 minutes).
kill_nfsd_mid_copy() {
	local i=0 pid
	while [ $i -lt 9000 ]; do
		if [ -n "$(find "$SUITE_DIR/state/blockd/data" -type f -size +64M 2>/dev/null | head -1)" ]; then
			pid=$(suite_pid nfsd)
			[ -n "$pid" ] && kill -KILL "$pid" && echo "$pid" > "$SUITE_DIR/killed"
			return
		fi
		sleep 0.1
		i=$((i + 1))
	done
}
kill_nfsd_mid_copy &
KILLER=$!
out=$(timeout 900 "$top_srcdir/tests/e2e/guest-run" \
    --nfs vers=3,port=2049,mountport=20048,path=/export,hard \
    --file "$FSX:/e2e/bin/nfs-fsx" --script "$SUITE_DIR/guest.sh" \
    --mem 1536 --timeout 840 2>&1)
rc=$?
kill "$KILLER" 2>/dev/null
wait "$KILLER" 2>/dev/null
echo "$out" | sed 's/^/# /'
if [ $rc -eq 77 ]; then
	skip "no accelerator or guest could boot (guest-run 77)" "kernel NFSv3 client"
else
	for what in "echo hello" "echo more" "truncate" "mv f g" "ln g h" "ln -s" "mkdir -p" "dotdot" "chmod" "chown" "touch -d" "mkfifo" "rm -rf a g" "blksize" "test 2000" "cp -a" "cmp /e2e/work/sum.src /e2e/work/sum.nfs" "tar -C" "sum.untar" "nfs-fsx"; do
		check "guest: $what" sh -c "echo \"\$0\" | grep -F 'ok: ' | grep -qF -- '$what'" "$out"
	done
	check "nfsd was killed (kill -9) during the 512 MiB copy" test -s "$SUITE_DIR/killed"
	check "guest: the copy across the restart finished and reads back identical" \
	    sh -c "echo \"\$0\" | grep -q 'ok: test restart copy'" "$out"
	check "guest-run exit status 0" test $rc -eq 0
fi
check "nfsd still runs" suite_has_pid nfsd
check "SIGTERM to dittofs-run stops everything" suite_stop
tap_done
