# tests/e2e/workloads/smb.sh: what a kernel SMB mount must do, run in the
# e2e guest by tests/e2e/test_smb_kernel.sh on each cifs mount ($E2E_MNT0
# plain, $E2E_MNT1 sealed): the items of the NFS list that apply to SMB
# without POSIX extensions (create, append, truncate, rename, mkdir, ls,
# rm, 8 MiB written and read back by sha256, cp -a of 600 files and a
# tar round trip with checksums, nfs-fsx), then on the first mount a
# copy of E2E_BIG_MIB MiB during which the host kills smbd (kill -9).
# Prints "ok: mN WHAT" or "FAIL: mN WHAT: why" per check.
set -u
fail=0
t() {
	l=$1
	shift
	if "$@" > /e2e/work/err 2>&1; then
		echo "ok: $l"
	else
		echo "FAIL: $l: $(head -c 300 /e2e/work/err | tr '\n' ' ')"
		fail=1
	fi
}
# A tree of 600 files (one awk process writes them all: a fork per
# file costs tens of ms under TCG).
mkdir -p /e2e/work/src
for d in 0 1 2 3 4 5 6 7 8 9; do
	mkdir -p /e2e/work/src/d$d/sub
done
awk 'BEGIN { srand(5); for (i = 0; i < 600; i++) {
	f = sprintf("/e2e/work/src/d%d/%sf%d", i % 10, i % 3 ? "" : "sub/", i)
	n = int(rand() * 40) + 1
	for (j = 0; j < n; j++) printf "%d %f line %d of file %d\n", i, rand(), j, i > f
	close(f) } }'
(cd /e2e/work/src && find . -type f | sort | xargs sha256sum) > /e2e/work/sum.src
echo "tree: $(wc -l < /e2e/work/sum.src) files"
i=0
while eval "m=\${E2E_MNT$i:-}"; [ -n "$m" ]; do
	cd "$m" || { echo "FAIL: m$i cd $m"; fail=1; i=$((i + 1)); continue; }
	grep " $m " /proc/mounts | sed 's/^/mount: /'
	t "m$i create" sh -c 'echo hello > f && test "$(cat f)" = hello'
	t "m$i append" sh -c 'echo more >> f && test "$(cat f)" = "hello
more"'
	t "m$i truncate" sh -c 'truncate -s 3 f && test "$(cat f)" = hel'
	t "m$i rename" sh -c 'mv f g && test ! -e f && test "$(cat g)" = hel'
	t "m$i mkdir" sh -c 'mkdir -p a/b/c/d && test -d a/b/c/d'
	t "m$i ls" sh -c 'touch a/b/x && test "$(ls a/b | tr "\n" " ")" = "c x "'
	t "m$i rm" sh -c 'rm -rf a g && test -z "$(ls)"'
	t "m$i write and read back 8 MiB" sh -c 'w=$(e2e-helper gen 7 8388608 | tee data | sha256sum) && sync && echo 3 > /proc/sys/vm/drop_caches && test "$w" = "$(sha256sum < data)" && rm data'
	t "m$i cp -a" cp -a /e2e/work/src "$m/tree"
	sync
	echo 3 > /proc/sys/vm/drop_caches
	(cd "$m/tree" && find . -type f | sort | xargs sha256sum) > /e2e/work/sum.m$i
	t "m$i cp -a checksums" cmp /e2e/work/sum.src /e2e/work/sum.m$i
	t "m$i tar" sh -c "tar -C $m -cf /e2e/work/t.tar tree && mkdir $m/untar && tar -C $m/untar -xf /e2e/work/t.tar"
	(cd "$m/untar/tree" && find . -type f | sort | xargs sha256sum) > /e2e/work/sum.untar$i
	t "m$i tar checksums" cmp /e2e/work/sum.src /e2e/work/sum.untar$i
	t "m$i rm -rf trees" rm -rf "$m/tree" "$m/untar" /e2e/work/t.tar
	t "m$i nfs-fsx" nfs-fsx -N ${E2E_FSX_OPS:-3000} -S 7 "$m/fsx.data"
	rm -f "$m/fsx.data"
	i=$((i + 1))
done
# Restart in place: the host kills smbd (kill -9) while this copy runs
# on the first (hard) mount; the copy must finish and read back the same.
cd /
rm -rf /e2e/work/src
head -c $((${E2E_BIG_MIB:-512} * 1048576)) /dev/urandom > /e2e/work/big
want=$(sha256sum < /e2e/work/big)
t "m0 big copy" cp /e2e/work/big "$E2E_MNT0/big"
sync
echo 3 > /proc/sys/vm/drop_caches
got=$(sha256sum < "$E2E_MNT0/big")
t "m0 restart copy $want" test "restart copy $want" = "restart copy $got"
exit $fail
