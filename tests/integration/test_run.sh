#!/bin/bash
# Integration: dittofs-run starts stated and blockd as root; each ends up
# sandboxed (own uid, no capabilities, no_new_privs, seccomp filter,
# chroot); a front end connects with its role; kill -9 of a daemon is
# followed by a restart and the front end's reconnect; SIGTERM stops all.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
suite_users
suite_setup
PROBE=$top_builddir/tests/clients/ipc-probe

# Config errors are refused with file:line before anything starts.
printf '[global]\nstate directory = %s/state\n[nfsd]\nprot = 1\n' \
    "$SUITE_DIR" > "$SUITE_DIR/bad.conf"
out=$("$SBINDIR/dittofs-run" -n -f "$SUITE_DIR/bad.conf" 2>&1)
rc=$?
check "a config with an unknown key is refused, naming file:line" \
    test $rc -ne 0 -a -n "$(echo "$out" | grep "bad.conf:4: unknown key 'prot' in \[nfsd\]")"
check "dittofs-stated -n accepts the good config" \
    "$SBINDIR/dittofs-stated" -n -f "$SUITE_CONF"

suite_start
check "stated and blockd come up" suite_wait_ready stated blockd

# check_sandbox NAME PID
check_sandbox() {
	local name=$1 pid=$2 uid caps nnp sc root want_root
	uid=$(proc_field "$pid" Uid)
	caps=$(proc_field "$pid" CapEff)
	nnp=$(proc_field "$pid" NoNewPrivs)
	sc=$(proc_field "$pid" Seccomp)
	diag "$name pid $pid: Uid $uid CapEff $caps NoNewPrivs $nnp Seccomp $sc"
	check "$name: no uid field is 0" sh -c "echo '$uid' | awk '{ for (i = 1; i <= 4; i++) if (\$i == 0) exit 1 }'"
	check "$name: runs as its own user" test "$(echo "$uid" | awk '{print $1}')" = "$(id -u dittofs-$name)"
	check "$name: CapEff is 0" test "$caps" = 0000000000000000
	check "$name: CapBnd is 0" test "$(proc_field "$pid" CapBnd)" = 0000000000000000
	check "$name: NoNewPrivs is 1" test "$nnp" = 1
	check "$name: Seccomp is 2 (filter)" test "$sc" = 2
	root=$(readlink "/proc/$pid/root")
	want_root=$SUITE_DIR/state/$name
	check "$name: chroot to $want_root" test "$root" = "$want_root"
}

STATED=$(suite_pid stated)
BLOCKD=$(suite_pid blockd)
check_sandbox stated "$STATED"
check_sandbox blockd "$BLOCKD"

# A front end, as the nfsd user, on blockd's socket.
"$PROBE" -s "$SUITE_DIR/run/blockd.sock" -r nfsd -u dittofs-nfsd -t 60 \
    > "$SUITE_DIR/probe.out" 2>"$SUITE_DIR/probe.err" &
PROBE_PID=$!
check "a front end (role nfsd, user dittofs-nfsd) says HELLO and pings" \
    suite_wait 10 grep -q pong "$SUITE_DIR/probe.out"
check "dittofsctl status lists it as blockd's peer" \
    suite_wait 5 sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status blockd | grep -q 'peer nfsd ipc-probe'"

# The wrong uid for a role is refused at HELLO.
out=$("$PROBE" -s "$SUITE_DIR/run/blockd.sock" -r nfsd -u dittofs-smbd -t 2 -1 2>/dev/null)
check "a peer with the smbd user claiming role nfsd is refused" test "$out" = refused
out=$("$PROBE" -s "$SUITE_DIR/run/stated.sock" -r blockd -u dittofs-blockd -t 2 -1 2>/dev/null)
check "a role stated does not serve (blockd) is refused" test "$out" = refused

# kill -9 blockd: dittofs-run restarts it, the front end reconnects.
kill -KILL "$BLOCKD"
# restarted DAEMON OLDPID: a new, numeric pid answers its control socket.
restarted() {
	local p
	p=$(suite_pid "$1")
	[ -n "$p" ] && [ "$p" != "$2" ]
}
check "dittofs-run restarts blockd after kill -9" suite_wait 20 restarted blockd "$BLOCKD"
NEW_BLOCKD=$(suite_pid blockd)
check "the front end noticed the loss" suite_wait 10 grep -q lost "$SUITE_DIR/probe.out"
check "and reconnected (second HELLO, ping answered)" \
    suite_wait 20 sh -c "grep -q 'ready 2' $SUITE_DIR/probe.out && [ \$(grep -c pong $SUITE_DIR/probe.out) -ge 2 ]"
[ -n "$NEW_BLOCKD" ] && check_sandbox blockd "$NEW_BLOCKD"

kill -KILL "$STATED"
check "dittofs-run restarts stated after kill -9" suite_wait 20 restarted stated "$STATED"

out=$(suite_ctl reload 2>&1)
check "dittofsctl reload reaches both daemons" sh -c "echo '$out' | grep -q 'stated: reloaded' && echo '$out' | grep -q 'blockd: reloaded'"

kill -TERM "$PROBE_PID" 2>/dev/null
wait "$PROBE_PID" 2>/dev/null
no_daemon_left() {
	! pgrep -f "dittofs-[a-z]+ -d -f $SUITE_CONF" >/dev/null
}
check "SIGTERM to dittofs-run stops everything" suite_stop
check "no daemon of this instance is left" no_daemon_left

# Socket activation: the service socket bound by the service manager
# (LISTEN_FDS/LISTEN_FDNAMES), the daemon started on first connection.
if command -v systemd-socket-activate >/dev/null; then
	rm -f "$SUITE_DIR/run/stated.sock"
	systemd-socket-activate -l "$SUITE_DIR/run/stated.sock" \
	    --fdname=stated.sock "$SBINDIR/dittofs-stated" -d -f "$SUITE_CONF" \
	    > "$SUITE_DIR/activate.log" 2>&1 &
	ACT_PID=$!
	suite_wait 5 test -S "$SUITE_DIR/run/stated.sock"
	# What a .socket unit's SocketMode=0660, SocketGroup=dittofs do.
	chgrp dittofs "$SUITE_DIR/run/stated.sock"
	chmod 0660 "$SUITE_DIR/run/stated.sock"
	out=$("$PROBE" -s "$SUITE_DIR/run/stated.sock" -r nfsd -u dittofs-nfsd -t 10 -1 2>/dev/null)
	check "a socket-activated stated answers on the passed socket" \
	    sh -c "echo '$out' | grep -qx pong"
	check "and says it used the passed socket" \
	    grep -q 'stated.sock: socket passed by the service manager' "$SUITE_DIR/activate.log"
	kill -TERM "$ACT_PID" 2>/dev/null
	suite_wait 10 sh -c "! kill -0 $ACT_PID 2>/dev/null"
	wait "$ACT_PID" 2>/dev/null
else
	skip "no systemd-socket-activate" "socket activation"
fi
if [ "$tap_fail" -ne 0 ]; then
	diag "dittofs-run log:"
	sed 's/^/# /' "$SUITE_DIR/run.log"
fi
tap_done
