#!/bin/bash
# Integration: dittofs-blockd serves the file system over its socket
# (operations and their errors, fd passing, change notifications), takes
# thousands of damaged requests without a crash (and so does stated), and
# survives kill -9 during a create/write/rename storm from three clients:
# afterwards every acknowledged operation is there, nothing is half
# there, and `dittofsctl fsck` on the stopped store finds no fault.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
suite_users
suite_setup
BD=$top_builddir/tests/clients/bd-check
SOCK=$SUITE_DIR/run/blockd.sock

suite_start
check "stated and blockd come up" suite_wait_ready stated blockd

# A client's TAP lines (file $1), renumbered into ours, named for $2.
bd_tap() {
	local line
	while read -r line; do
		case "$line" in
		"ok "*) ok "$2: ${line#ok * - }" ;;
		"not ok "*) not_ok "$2: ${line#not ok * - }" ;;
		"#"*) echo "$line" ;;
		esac
	done < "$1"
}

# The operations.
"$BD" smoke "$SOCK" > "$SUITE_DIR/smoke.out" 2>&1
bd_tap "$SUITE_DIR/smoke.out" blockd
check "smoke run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/smoke.out"

# A front end gone bad: damaged requests (DITTOFS_FUZZ_SEED replays a
# run); blockd answers or drops each, and neither crashes nor restarts.
BLOCKD=$(suite_pid blockd)
"$BD" fuzz "$SOCK" 5000 "${DITTOFS_FUZZ_SEED:-$(date +%s)}" \
    > "$SUITE_DIR/fuzz.out" 2>&1
bd_tap "$SUITE_DIR/fuzz.out" blockd
check "fuzz run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/fuzz.out"
check "blockd survived it: the same process" test "$(suite_pid blockd)" = "$BLOCKD"

# The same for stated, which holds the locks, shares and reply cache.
STATED=$(suite_pid stated)
"$top_builddir/tests/clients/st-check" fuzz "$SUITE_DIR/run/stated.sock" 5000 \
    "${DITTOFS_FUZZ_SEED:-$(date +%s)}" > "$SUITE_DIR/st-fuzz.out" 2>&1
bd_tap "$SUITE_DIR/st-fuzz.out" stated
check "stated fuzz run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/st-fuzz.out"
check "stated survived it: the same process" test "$(suite_pid stated)" = "$STATED"

out=$(suite_ctl fsck 2>&1)
check "fsck refuses while blockd runs" sh -c "echo '$out' | grep -q 'blockd is running'"

# Crash: three clients storm, blockd is killed under them.
BLOCKD=$(suite_pid blockd)
for i in 1 2 3; do
	"$BD" storm "$SOCK" storm$i "$SUITE_DIR/storm$i.log" \
	    > "$SUITE_DIR/storm$i.out" 2>&1 &
	eval "STORM$i=\$!"
done
# Let each client get some rounds acknowledged, then kill.
enough_rounds() {
	[ "$(cat "$SUITE_DIR"/storm*.log 2>/dev/null | grep -c rename)" -ge 150 ]
}
suite_wait 30 enough_rounds
kill -KILL "$BLOCKD"
for i in 1 2 3; do
	eval "wait \$STORM$i"
done
diag "$(cat "$SUITE_DIR"/storm*.out | tr '\n' ' ')"
restarted() {
	local p
	p=$(suite_pid blockd)
	[ -n "$p" ] && [ "$p" != "$BLOCKD" ]
}
check "blockd restarts after kill -9 (recovery on open)" suite_wait 20 restarted
for i in 1 2 3; do
	out=$("$BD" verify "$SOCK" storm$i "$SUITE_DIR/storm$i.log" 2>&1)
	echo "$out" | grep '^#'
	check "storm$i: every acknowledged create/write/rename survived" \
	    sh -c "echo '$out' | grep -q '^ok 2 '"
done

check "SIGTERM stops the suite" suite_stop
out=$(suite_ctl fsck 2>&1)
rc=$?
diag "$out"
check "dittofsctl fsck: the store after the crash has no fault" test $rc -eq 0

# A fault fsck must find: a backing file removed behind blockd's back.
victim=$(find "$SUITE_DIR/state/blockd/data" -type f | head -1)
if [ -n "$victim" ]; then
	rm -f "$victim"
	out=$(suite_ctl fsck 2>&1)
	rc=$?
	diag "$(echo "$out" | tail -2)"
	check "fsck reports a missing backing file and exits non-zero" test $rc -eq 1
	suite_ctl fsck --repair >/dev/null 2>&1
	check "fsck --repair mends it; a second check is clean" suite_ctl fsck
else
	not_ok "a backing file to remove was found"
fi
if [ "$tap_fail" -ne 0 ]; then
	diag "dittofs-run log:"
	sed 's/^/# /' "$SUITE_DIR/run.log" | tail -60
fi
tap_done
