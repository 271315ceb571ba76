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
# bd-check acts as a front end with uid 0 in share export.  Share ro is
# read-only, share squash gets root squash at a reload (below), and a
# front end that leaves 64 KiB unread gets a resync note.
sed -i -e '/^path = \/export$/a root squash = no' \
    -e '/^checkpoint interval = 1$/a notify queue limit = 64' "$SUITE_CONF"
cat >> "$SUITE_CONF" <<CONF

[share ro]
path = /ro
read only = yes
root squash = no

[share squash]
path = /squash
root squash = no
anonuid = 4321
anongid = 4321
CONF

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

# What blockd enforces itself, whatever a front end claims (issue 21).
# Share squash gets its 0777 directory while root is root there, then
# root squash by a reload: blockd applies the share's rules it read last.
check "a directory in share squash, before its root squash" \
    test "$("$BD" prep "$SOCK" 2>&1)" = ok
sed -i '/^\[share squash\]$/,/^$/ s/^root squash = no$/root squash = yes/' "$SUITE_CONF"
check "blockd reloads the configuration" suite_ctl reload blockd
"$BD" policy "$SOCK" > "$SUITE_DIR/policy.out" 2>&1
bd_tap "$SUITE_DIR/policy.out" blockd
check "policy run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/policy.out"

# lockd's user and role: it may resolve handles, nothing else.
BLOCKD=$(suite_pid blockd)
BD_CHECK_USER=dittofs-lockd "$BD" lockd "$SOCK" > "$SUITE_DIR/lockd.out" 2>&1
bd_tap "$SUITE_DIR/lockd.out" blockd
check "lockd run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/lockd.out"
check "what lockd sent made no file" test "$("$BD" entry "$SOCK" remove suid)" = ENOENT
check "blockd logged lockd's forbidden message" \
    grep -q "which role lockd may not send; disconnecting" "$SUITE_DIR/run.log"
check "blockd is the same process" test "$(suite_pid blockd)" = "$BLOCKD"

# A front end that reads nothing while 6000 changes are made.
"$BD" overflow "$SOCK" 6000 > "$SUITE_DIR/overflow.out" 2>&1
bd_tap "$SUITE_DIR/overflow.out" blockd
check "overflow run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/overflow.out"
check "blockd's status counts the resyncs" \
    sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status blockd | grep -Eq ' [1-9][0-9]* resyncs'"

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
