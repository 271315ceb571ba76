# Workload: the standard figure set, one process per phase (under TCG a
# fork+exec costs tens of ms, so nothing here forks per file).
#   seq_write, seq_read      MB/s, E2E_SEQ_MIB MiB (default 256), 1 MiB I/O
#   rand_write, rand_read    IOPS, 4 KiB O_DIRECT, one in flight,
#                            E2E_RAND_SECONDS each (default 10; 0 skips)
#   small_create/stat/remove files/s, E2E_SMALL_COUNT files (default 2000)
#                            of E2E_SMALL_BYTES bytes (default 4096)
#   tree_mkdir, tree_ls, tree_rm   entries/s, a tree E2E_TREE_DEPTH deep
#                            (3), E2E_TREE_FANOUT wide (8), E2E_TREE_FILES
#                            empty files per directory (4); ls -lR and
#                            rm -rf are one busybox process each
#   integrity                1/0, E2E_INTEGRITY_MIB MiB (default 32)
# Env: E2E_MNT (the mount to use), E2E_PREFIX (prefix of RESULT names),
# E2E_GROUPS (which of the groups seq rand small tree integrity to run, in
# this order; default all).
set -u
p=${E2E_PREFIX:-}
base=${E2E_MNT:?no mount}/e2e-standard.$$
mkdir -p "$base" || exit 1
fail=0
run() { "$@" || { echo "FAILED: $*"; fail=1; }; }
groups=" ${E2E_GROUPS:-seq rand small tree integrity} "
want() { case $groups in *" $1 "*) return 0 ;; esac; return 1; }

seq_mib=${E2E_SEQ_MIB:-256}
rand_s=${E2E_RAND_SECONDS:-10}
[ "$rand_s" -gt 0 ] || groups=$(echo "$groups" | sed 's/ rand / /')
if want seq || want rand; then
	# rand reads and writes the file seq wrote (it writes one if only
	# rand runs).
	if want seq; then
		run e2e-helper seqwrite "${p}seq_write" "$base/seq" "$seq_mib"
		run e2e-helper seqread "${p}seq_read" "$base/seq"
	elif ! e2e-helper seqwrite "${p}seq_write" "$base/seq" "$seq_mib" >/dev/null; then
		echo "FAILED: writing $base/seq for rand"
		fail=1
	fi
fi
if want rand; then
	rand_mib=${E2E_RAND_MIB:-64}
	[ "$rand_mib" -le "$seq_mib" ] || rand_mib=$seq_mib
	run e2e-helper randio "${p}rand_write" "$base/seq" "$rand_mib" "$rand_s" write
	echo 3 >/proc/sys/vm/drop_caches
	run e2e-helper randio "${p}rand_read" "$base/seq" "$rand_mib" "$rand_s" read
fi
rm -f "$base/seq"

if want small; then
	run e2e-helper smallfiles "${p}small" "$base/small" \
	    "${E2E_SMALL_COUNT:-2000}" "${E2E_SMALL_BYTES:-4096}"
	rmdir "$base/small"
fi

if want tree; then
	out=$(e2e-helper mktree "${p}tree_mkdir" "$base/tree" "${E2E_TREE_DEPTH:-3}" \
	    "${E2E_TREE_FANOUT:-8}" "${E2E_TREE_FILES:-4}") || fail=1
	echo "$out" | grep '^RESULT'
	entries=$(echo "$out" | sed -n 's/^ENTRIES //p')
	if [ -n "$entries" ]; then
		run e2e-helper time "${p}tree_ls" entries/s "$entries" --drop-caches -- \
		    sh -c 'exec ls -lR "$1" >/dev/null' sh "$base/tree"
		run e2e-helper time "${p}tree_rm" entries/s "$entries" --drop-caches -- \
		    rm -rf "$base/tree"
	fi
fi

if ! want integrity; then
	rm -rf "$base"
	exit $fail
fi
mib=${E2E_INTEGRITY_MIB:-32}
written=$(e2e-helper gen 1 $((mib * 1048576)) | tee "$base/integrity" | sha256sum | cut -d' ' -f1)
sync
echo 3 >/proc/sys/vm/drop_caches
read_back=$(sha256sum "$base/integrity" | cut -d' ' -f1)
if [ -n "$written" ] && [ "$written" = "$read_back" ]; then
	echo "RESULT name=${p}integrity value=1 unit=ok"
else
	echo "sha256 written $written, read back $read_back"
	echo "RESULT name=${p}integrity value=0 unit=ok"
	fail=1
fi
rm -rf "$base"
exit $fail
