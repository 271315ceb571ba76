#!/bin/bash
# Integration: the daemons started the way their systemd units start
# them, without systemd: as the unit's User= and Group=, with the unit's
# AmbientCapabilities= and CapabilityBoundingSet= (setpriv), nfsd's port
# 2049 passed in as dittofs-nfsd.socket would (systemd-socket-activate),
# the run and state directories made as tmpfiles.d and StateDirectory=
# make them.  In a private network namespace with its own rpcbind.
#
# Checks: every daemon serves without ever having been root (uid, no
# capability, no_new_privs, seccomp, chroot), NFS and NLM work across
# them, statd's calls leave from a reserved port, and a client does not
# talk to a socket that the wrong user put at a peer's path.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
for tool in setpriv systemd-socket-activate; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP no $tool"
		exit 0
	fi
done
suite_in_netns "$0" "$@"
suite_users
SUITE_WITH=nfsd
suite_setup
UNITS=$top_builddir/systemd
NLMC=$(cd "$top_builddir" && pwd)/tests/clients/nlm-client
P=2049
M=20048
cat >> "$SUITE_CONF" <<CONF
root squash = no

[nfsd]
port = $P
mount port = $M
CONF

RPCBIND_PID=
if command -v rpcbind >/dev/null; then
	rpcbind -f &
	RPCBIND_PID=$!
	suite_wait 10 sh -c "rpcinfo -p 127.0.0.1" || diag "rpcbind did not start"
fi
PIDS=()
stop_all() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "$RPCBIND_PID" ] && kill "$RPCBIND_PID" 2>/dev/null
	suite_cleanup
}
trap stop_all EXIT

# unit_key NAME KEY: the value of KEY= in the generated unit (last one).
unit_key() {
	sed -n "s/^$2=//p" "$UNITS/dittofs-$1.service" | tail -n 1
}
# CAP_SYS_CHROOT CAP_NET_BIND_SERVICE -> +sys_chroot,+net_bind_service
setpriv_caps() {
	local out=-all c
	for c in $1; do
		c=${c#CAP_}
		out="$out,+$(echo "$c" | tr 'A-Z' 'a-z')"
	done
	echo "$out"
}

# tmpfiles.d's lines for the run directory and the state parent.
grep -q '^d /run/dittofs 1770 root dittofs' "$UNITS/tmpfiles.d/dittofs.conf" &&
    grep -q '/lib/dittofs 0750 root dittofs' "$UNITS/tmpfiles.d/dittofs.conf"
check "tmpfiles.d: run directory 1770 root:dittofs, state parent 0750" test $? -eq 0
install -d -m 1770 -o root -g dittofs "$SUITE_DIR/run"
install -d -m 0750 -o root -g dittofs "$SUITE_DIR/state"

# start NAME [socket-activate options]: as dittofs-NAME.service would.
start() {
	local name=$1 user group caps bound sdir
	shift
	user=$(unit_key "$name" User)
	group=$(unit_key "$name" Group)
	caps=$(unit_key "$name" AmbientCapabilities)
	bound=$(unit_key "$name" CapabilityBoundingSet)
	sdir=$(unit_key "$name" StateDirectory)
	# StateDirectory=dittofs/NAME, StateDirectoryMode=0700: the daemon's
	# state directory is $SUITE_DIR/state/NAME.
	install -d -m "$(unit_key "$name" StateDirectoryMode)" -o "$user" \
	    -g "$group" "$SUITE_DIR/state/${sdir#dittofs/}"
	"$@" setpriv --reuid="$user" --regid="$group" --init-groups \
	    --inh-caps="$(setpriv_caps "$caps")" \
	    --ambient-caps="$(setpriv_caps "$caps")" \
	    --bounding-set="$(setpriv_caps "$bound")" \
	    "$SBINDIR/dittofs-$name" -d -f "$SUITE_CONF" \
	    >"$SUITE_DIR/$name.log" 2>&1 &
	PIDS+=($!)
}

for d in stated blockd nfsd lockd statd; do
	check "dittofs-$d.service: User=dittofs-$d Group=dittofs" \
	    test "$(unit_key $d User)/$(unit_key $d Group)" = "dittofs-$d/dittofs"
done
start stated
check "stated comes up as its user" suite_wait_ready stated
start blockd
check "blockd comes up as its user" suite_wait_ready blockd
start nfsd systemd-socket-activate -l "0.0.0.0:$P" --fdname=nfs --
# Like a socket unit, systemd-socket-activate starts the service at the
# first connection (systemd itself also starts it with dittofs.target).
suite_wait 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$P"
check "nfsd comes up with port $P passed in" suite_wait_ready nfsd
start statd
check "statd comes up as its user" suite_wait_ready statd
start lockd
check "lockd comes up as its user" suite_wait_ready lockd

# dir_fds_inside PID ROOT: every directory the process holds open is ROOT
# or below it (DESIGN.md section 6: openat on such an fd cannot escape).
dir_fds_inside() {
	local f t
	for f in /proc/$1/fd/*; do
		[ -d "$f" ] || continue
		t=$(readlink "$f")
		case $t in
		"$2"|"$2"/*) ;;
		*) diag "fd $(basename "$f") of $1 is the directory $t"; return 1 ;;
		esac
	done
}

for d in stated blockd nfsd lockd statd; do
	pid=$(suite_pid $d)
	[ -n "$pid" ] || { not_ok "$d: running"; continue; }
	uid=$(id -u dittofs-$d)
	diag "$d pid $pid: Uid $(proc_field "$pid" Uid) CapEff $(proc_field "$pid" CapEff) CapBnd $(proc_field "$pid" CapBnd) NoNewPrivs $(proc_field "$pid" NoNewPrivs) Seccomp $(proc_field "$pid" Seccomp) root $(readlink /proc/$pid/root)"
	check "$d: every uid is dittofs-$d's" test "$(proc_field "$pid" Uid)" = "$uid $uid $uid $uid"
	check "$d: CapEff and CapAmb are 0" test "$(proc_field "$pid" CapEff)/$(proc_field "$pid" CapAmb)" = 0000000000000000/0000000000000000
	check "$d: NoNewPrivs 1, Seccomp 2" test "$(proc_field "$pid" NoNewPrivs)/$(proc_field "$pid" Seccomp)" = 1/2
	case $d in
	stated|blockd) root=$SUITE_DIR/state/$d ;;
	*) root=$SUITE_DIR/run ;;
	esac
	check "$d: chroot to $root" test "$(readlink /proc/$pid/root)" = "$root"
	check "$d: no directory descriptor leads outside $root" \
	    dir_fds_inside "$pid" "$root"
	check "$d: says it started in service mode" grep -q "started as its user dittofs-$d (service mode)" "$SUITE_DIR/$d.log"
	check "$d: dittofsctl status shows its uid and seccomp" sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status $d | grep -q 'uid=$uid .*seccomp=2'"
done

out=$(ls -l "$SUITE_DIR/run")
diag "$(echo "$out" | tr '\n' ';')"
check "sockets belong to their daemons, group dittofs, mode 0660" sh -c "echo '$out' | grep 'stated.sock' | grep -q '^srw-rw---- .* dittofs-stated dittofs'"

# rpcbind: registered as the service users, over rpcbind's Unix socket.
if [ -n "$RPCBIND_PID" ]; then
	out=$(rpcinfo -p 127.0.0.1 2>&1)
	diag "$(echo "$out" | grep -E '10000[3]|100005|100021|100024' | tr '\n' ';')"
	check "rpcinfo -p: NFS v3 on tcp $P" sh -c "echo '$out' | grep -Eq '100003 +3 +tcp +$P'"
	check "rpcinfo -p: NLM v4 and NSM v1" sh -c "echo '$out' | grep -Eq '100021 +4 +tcp' && echo '$out' | grep -Eq '100024 +1 +tcp'"
else
	skip "no rpcbind" "rpcinfo -p: NFS"
	skip "no rpcbind" "rpcinfo -p: NLM and NSM"
fi

# NFS through nfsd, blockd and stated.
if command -v nfs-cp >/dev/null; then
	Q="?version=3&nfsport=$P&mountport=$M"
	head -c 300000 /dev/urandom > "$SUITE_DIR/f.in"
	timeout 60 nfs-cp "$SUITE_DIR/f.in" "nfs://127.0.0.1/export/f$Q" >/dev/null 2>"$SUITE_DIR/cp.err"
	timeout 60 nfs-cp "nfs://127.0.0.1/export/f$Q" "$SUITE_DIR/f.out" >/dev/null 2>>"$SUITE_DIR/cp.err"
	check "nfs-cp in and out, same sha256" test "$(sha256sum < "$SUITE_DIR/f.in")" = "$(sha256sum < "$SUITE_DIR/f.out" 2>/dev/null)"
else
	skip "no libnfs-utils" "nfs-cp in and out"
fi

# NLM through lockd and stated: two hosts conflict.
FH=$("$NLMC" fh -b "$SUITE_DIR/run/blockd.sock" -S export -n lockfile 2>"$SUITE_DIR/fh.err")
if [ -n "$FH" ]; then
	out=$("$NLMC" -H hostA -p 1 -x lock "$FH" 0 10 2>&1)
	check "NLM: hostA locks" sh -c "echo '$out' | grep -q 'LOCK granted'"
	out=$("$NLMC" -H hostB -p 2 -x test "$FH" 0 10 2>&1)
	check "NLM: hostB's TEST sees hostA's lock" sh -c "echo '$out' | grep -q 'TEST denied'"
else
	diag "$(cat "$SUITE_DIR/fh.err")"
	not_ok "NLM: a file handle from blockd"
	not_ok "NLM: hostB's TEST sees hostA's lock"
fi

# statd's outgoing calls leave from a reserved port (CAP_NET_BIND_SERVICE
# from the unit, used before the drop).
STATD=$(suite_pid statd)
out=$(ss -uanp 2>/dev/null | grep "pid=$STATD,")
diag "statd's UDP sockets: $(echo "$out" | awk '{print $4}' | tr '\n' ' ')"
check "statd holds a UDP socket on a reserved port" sh -c "echo '$out' | awk '{ n = split(\$4, a, \":\"); if (a[n] + 0 < 1024) f = 1 } END { exit !f }'"

# A socket at stated's path made by another user is not talked to: stop
# stated, let dittofs-nfsd's user (who can write to the run directory)
# listen there, and see lockd refuse it, then come back to the real one.
STATED=$(suite_pid stated)
kill -TERM "$STATED"
wait "$STATED" 2>/dev/null	# started by start(): a child of this shell
rm -f "$SUITE_DIR/run/stated.sock"
setpriv --reuid=dittofs-nfsd --regid=dittofs --init-groups /usr/bin/python3 -c '
import os, socket, sys, time
os.umask(0)
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(8)
conns = []
end = time.time() + 30
s.settimeout(1)
while time.time() < end:
    try:
        conns.append(s.accept()[0])
    except socket.timeout:
        pass
' "$SUITE_DIR/run/stated.sock" 2>"$SUITE_DIR/fake.err" &
FAKE=$!
diag "fake stated.sock: $(sleep 1; ls -l "$SUITE_DIR/run/stated.sock" 2>&1; cat "$SUITE_DIR/fake.err")"
check "lockd refuses a stated.sock served by dittofs-nfsd" suite_wait 15 grep -q "stated.sock: served by uid $(id -u dittofs-nfsd), expected uid $(id -u dittofs-stated)" "$SUITE_DIR/lockd.log"
kill "$FAKE" 2>/dev/null
wait "$FAKE" 2>/dev/null
rm -f "$SUITE_DIR/run/stated.sock"
start stated
check "stated comes back" suite_wait_ready stated
if [ -n "$FH" ]; then
	check "lockd reconnects to the real stated: hostA's lock still holds" suite_wait 15 sh -c "'$NLMC' -H hostB -p 2 -x test '$FH' 0 10 2>&1 | grep -q 'TEST denied'"
else
	not_ok "lockd reconnects to the real stated"
fi

for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
# Children of this shell: wait reaps them; a watchdog bounds the wait.
(sleep 15; kill -KILL "${PIDS[@]}" 2>/dev/null) &
watchdog=$!
stopped=0
for p in "${PIDS[@]}"; do
	wait "$p" && stopped=$((stopped + 1))
done
kill "$watchdog" 2>/dev/null
check "every daemon exits 0 on SIGTERM" test $stopped -eq ${#PIDS[@]}
PIDS=()
tap_done
