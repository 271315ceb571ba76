#!/bin/bash
# Integration: bench/nfs4load, the NFSv4.0 load generator of
# bench/compare's host4_* rows, against dittofs-nfsd in a private network
# namespace, with small sizes: every phase reports a non-zero figure, the
# tool exits 0 (no NFS4 error, no reply it could not parse), and its
# directory is gone afterwards.  One connection with one call in flight,
# several with many, and FILE_SYNC writes in the creates; NFSv3
# (version=3, rows host3_*); nfsload's v4 mode (a version=4 URL runs
# nfs4load).  No timing is asserted.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
suite_in_netns "$0" "$@"
suite_users
SUITE_WITH=nfsd
suite_setup
P=2049
cat >> "$SUITE_CONF" <<CONF
root squash = no

[nfsd]
port = $P
mount port = 20048
CONF
LOAD=$(cd "$top_builddir" && pwd)/bench/nfs4load
PROBE4() { PYTHONPATH="$ONCRPC_PYTHONPATH" python3 "$top_srcdir/tests/clients/nfs4probe.py" "$P" "$@"; }
PHASES="write read randwrite randread create openclose getattr lookup access readdir remove"

suite_start
check "blockd, stated and nfsd come up" suite_wait_ready blockd stated nfsd
check "nfsd answers an NFSv4 COMPOUND" suite_wait 10 sh -c "PYTHONPATH=$ONCRPC_PYTHONPATH python3 $top_srcdir/tests/clients/nfs4probe.py $P minor 0 | grep -q 'STATUS 0'"

# run NAME ARGS...: nfs4load with ARGS; its output in $SUITE_DIR/NAME.out
# and its exit status in $SUITE_DIR/NAME.rc.
run() {
	local name=$1
	shift
	timeout 300 "$LOAD" --url "nfs://127.0.0.1/export?version=${VERS:-4}&nfsport=$P${URL_MORE:-}" \
	    --size 4 --seconds 1 --files 60 --dir "$name" "$@" \
	    >"$SUITE_DIR/$name.out" 2>"$SUITE_DIR/$name.err"
	echo $? >"$SUITE_DIR/$name.rc"
	sed 's/^/# /' "$SUITE_DIR/$name.out" "$SUITE_DIR/$name.err"
}

# A phase's figure, as printed: RESULT name=host4_PHASE value=V unit=U.
figure() { sed -n "s/^RESULT name=host${ROWS:-4}_$2 value=\([0-9.]*\) .*/\1/p" "$SUITE_DIR/$1.out"; }
nonzero() { awk -v v="$1" 'BEGIN { exit !(v != "" && v + 0 > 0) }'; }

# v41: the same over NFSv4.1 sessions (version=4.1: SEQUENCE on each
# call's slot), rows host41_*.  v3: NFSv3 (version=3, MOUNT on the mount
# port), rows host3_*, every phase but openclose (v3 has no OPEN).
for shape in "one --conns 1 --depth 1" "many --conns 3 --depth 8" \
    "sync --conns 2 --depth 4 --create-bytes 3000" "v41 --conns 2 --depth 8" \
    "v3 --conns 2 --depth 8 --create-bytes 3000"; do
	set -- $shape
	name=$1
	shift
	phases=$PHASES URL_MORE=
	case $name in
	v41) VERS=4.1 ROWS=41 ;;
	v3) VERS=3 ROWS=3 URL_MORE="&mountport=20048"
	    phases=${PHASES/openclose /} ;;
	*) VERS=4 ROWS=4 ;;
	esac
	run "$name" "$@"
	check "$name: nfs4load exits 0" test "$(cat "$SUITE_DIR/$name.rc")" = 0
	check "$name: no error printed" sh -c "! grep -v '^nfs4load: [0-9]* connections' '$SUITE_DIR/$name.err' | grep -q ."
	for p in $phases; do
		check "$name: $p ran, a non-zero figure ($(figure "$name" "$p"))" nonzero "$(figure "$name" "$p")"
	done
	check "$name: its directory is removed" test "$(PROBE4 path "/export/$name")" = "ERR 2"
done
VERS=4 ROWS=4 URL_MORE=
check "v3: its rows are host3_*, no openclose" sh -c "grep -q '^RESULT name=host3_' '$SUITE_DIR/v3.out' && ! grep -v -q '^RESULT name=host3_' '$SUITE_DIR/v3.out' && ! grep -q openclose '$SUITE_DIR/v3.out'"
check "v41: its rows are host41_*, none host4_*" sh -c "grep -q '^RESULT name=host41_' '$SUITE_DIR/v41.out' && ! grep -q '^RESULT name=host4_' '$SUITE_DIR/v41.out'"
check "v41: its sessions had all 8 slots in use (SEQUENCE on each call's slot)" sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF v4 sessions | grep -q 'slots 8 used 8 '"
# At one call in flight each phase also has its latency percentiles.
check "one: a LATENCY line per timed op phase" test "$(grep -c '^LATENCY name=host4_' "$SUITE_DIR/one.out")" -ge 10

# nfsload (libnfs, NFSv3) given a version=4 URL runs nfs4load.
NFSLOAD=$(cd "$top_builddir" && pwd)/bench/nfsload
if [ -x "$NFSLOAD" ]; then
	timeout 120 "$NFSLOAD" --url "nfs://127.0.0.1/export?version=4&nfsport=$P" \
	    --size 1 --seconds 1 --tests getattr --dir v4mode >"$SUITE_DIR/v4mode.out" 2>&1
	sed 's/^/# /' "$SUITE_DIR/v4mode.out"
	check "nfsload with version=4 runs nfs4load: host4_getattr ($(figure v4mode getattr))" nonzero "$(figure v4mode getattr)"
else
	skip "no bench/nfsload (libnfs-dev)" "nfsload with version=4 runs nfs4load"
fi

# A phase against a server that refuses it is an error, not a figure:
# a share that does not exist.
timeout 60 "$LOAD" --url "nfs://127.0.0.1/nonexistent?nfsport=$P" --tests getattr \
    >"$SUITE_DIR/bad.out" 2>"$SUITE_DIR/bad.err"
rc=$?
sed 's/^/# /' "$SUITE_DIR/bad.err"
check "a missing export: nfs4load fails (exit $rc) with the NFS4 status" sh -c "[ $rc -ne 0 ] && grep -q 'NFS4 status 2' '$SUITE_DIR/bad.err'"

suite_stop
tap_done
