# tests/e2e/workloads/posix.sh: what a kernel NFS mount must do, run in
# the e2e guest by tests/e2e/nfs_kernel.sh for each NFS version: the file
# operations of issue 3's list, cp -a of a 2,000-file tree and a tar
# round trip with checksums, nfs-fsx, and a 512 MiB copy during which the
# host kills nfsd.  Prints "ok: CMD" or "FAIL: CMD" per check.
set -u
fail=0
t() { if "$@"; then echo "ok: $*"; else echo "FAIL: $*"; fail=1; fi; }
cd "$E2E_MNT" || exit 1
# The version the mount negotiated (checked by the host).
echo "mounted: $(awk -v m="$E2E_MNT" '$2 == m { print $4 }' /proc/mounts | tr , '\n' | grep '^vers=')"
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
# st_blksize: a file's is the server's preferred write size, 1 MiB
# (NFSv3 FSINFO's wtpref, NFSv4's maxwrite).  Over NFSv3 a directory's
# is FSINFO's dtpref, which glibc's opendir sizes its buffer by (at 64
# KiB it mapped one per opendir and ls -lR ran at half speed; 16 and 32
# KiB measured fast).  NFSv4 has no dtpref: the Linux client takes
# maxread for it, so only NFSv3's directory size is checked.
if grep -q " $E2E_MNT nfs4 " /proc/mounts; then dir_bs_max=; else dir_bs_max=32768; fi
t sh -c 'mkdir bs && : > bs/f && test "$(stat -c %o bs/f)" = 1048576 && rm -r bs # file blksize'
if [ -n "$dir_bs_max" ]; then
	t sh -c "mkdir bs && test \"\$(stat -c %o bs)\" -le $dir_bs_max && rmdir bs # dir blksize"
fi
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
