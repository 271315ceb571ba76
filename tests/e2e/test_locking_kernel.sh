#!/bin/bash
# e2e: NLM locking with the Linux kernel NFSv3 client (Debian's, in a
# QEMU guest through tests/e2e/guest-run) against dittofs-lockd, -statd
# and -stated, with tests/clients/nlm-client as a second client host on
# the server's side.  Issue 5's end-to-end list:
#   - a guest fcntl lock conflicts with the host client (TEST reports it,
#     LOCK is denied), and the host's lock conflicts with the guest's;
#   - the same for the guest's flock (Linux sends it as a whole-file
#     POSIX lock over NLM);
#   - a blocked `flock -w 30` in the guest is granted, by lockd's GRANTED
#     callback, when the host client unlocks;
#   - kill -9 lockd (dittofs-run restarts it) while the guest holds a
#     lock: the lock still excludes the host client, and the guest's
#     unlock reaches the new lockd.
#
# Topology: the server, its rpcbind and QEMU run in a private network
# namespace (tests/e2e/in-netns).  The guest is attached to a tap device
# there (guest-run --net tap=...), not to slirp: lockd calls the client
# back (GRANTED) through the rpcbind at the client's address, and through
# slirp that address is 127.0.0.1, i.e. our own rpcbind, where lockd
# itself is registered for NLM.  On the tap the guest is 10.0.2.15 and
# runs its own rpcbind and rpc.statd (Debian's, copied in with their
# shared libraries), which the kernel client needs to lock at all.
#
# The host and guest take turns through the lock server itself: the guest
# holds a lock until the host locks a byte of a "baton" file (the guest
# polls it with F_GETLK), and the host follows the guest's live output.
# Every wait is bounded; the guest run is bounded by 300 s.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
suite_need_root
[ "${DITTOFS_E2E:-yes}" = no ] &&
    skip_all "end-to-end tests turned off (configure --disable-e2e)"
suite_in_netns "$0" "$@"
. "$top_srcdir/tests/e2e/lib.sh"
for tool in qemu-system-x86_64 rpcbind rpcinfo rpc.statd flock ldd ip; do
	command -v $tool >/dev/null ||
	    skip_all "$tool not installed (see deps/e2e-locking.list)"
done
[ -c /dev/net/tun ] || skip_all "no /dev/net/tun for the guest's tap device"
TAP=dfslk0
ip tuntap add dev $TAP mode tap 2>/dev/null ||
    skip_all "cannot create a tap device in the namespace"
ip addr add 10.0.2.2/24 dev $TAP && ip link set $TAP up ||
    skip_all "cannot configure the tap device"

suite_users
# lib.sh's [share export] is the last section: the first keys join it.
SUITE_WITH=nfsd
suite_setup
cat >> "$SUITE_CONF" <<CONF
root squash = no

[nfsd]
port = 2049
mount port = 20048
rpcbind = no

[lockd]
log level = debug

[run]
restart delay = 0
CONF

NLMC=$(cd "$top_builddir" && pwd)/tests/clients/nlm-client
[ -x "$NLMC" ] || skip_all "tests/clients/nlm-client not built"
HELPER=$SUITE_DIR/lock-helper
if ! ${CC:-cc} -std=c11 -O2 -static -o "$HELPER" \
    "$top_srcdir/tests/e2e/lock-helper.c" 2>"$SUITE_DIR/cc.err"; then
	skip_all "cannot build a static lock-helper: $(head -1 "$SUITE_DIR/cc.err")"
fi

# The guest's rpcbind, rpc.statd and util-linux flock: the binaries, the
# shared libraries ldd names and the loader, a few files from /etc.
GFILES=()
gfile() { GFILES+=(--file "$1:${2:-$1}"); }
GETC=$SUITE_DIR/guest-etc
mkdir -p "$GETC"
printf 'root:x:0:0:root:/root:/bin/sh\n_rpc:x:102:65534::/run/rpcbind:/bin/false\nstatd:x:103:65534::/var/lib/nfs:/bin/false\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$GETC/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$GETC/group"
printf 'passwd: files\ngroup: files\nhosts: files\nservices: files\nprotocols: files\nrpc: files\n' >"$GETC/nsswitch.conf"
printf '127.0.0.1 localhost\n10.0.2.15 dittofs-e2e-guest\n10.0.2.2 dittofs-e2e-server\n' >"$GETC/hosts"
for f in passwd group nsswitch.conf hosts; do gfile "$GETC/$f" "/etc/$f"; done
for f in /etc/netconfig /etc/services /etc/protocols /etc/rpc; do
	[ -r $f ] && gfile $f
done
for b in "$(command -v rpcbind)" "$(command -v rpc.statd)" \
    "$(command -v rpcinfo)" "$(command -v flock)"; do
	gfile "$b" "/usr/sbin/${b##*/}"
	for lib in $(ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		case " ${GFILES[*]} " in *" $lib:$lib "*) ;; *) gfile "$lib" ;; esac
	done
done

rpcbind -f >"$SUITE_DIR/rpcbind.log" 2>&1 &
RPCBIND=$!
GUEST=
locking_cleanup() {
	[ -z "$GUEST" ] || kill -TERM "$GUEST" 2>/dev/null
	[ -z "$GUEST" ] || wait "$GUEST" 2>/dev/null
	e2e_kill_pid "$RPCBIND"
	ip link del $TAP 2>/dev/null
	suite_cleanup
}
trap locking_cleanup EXIT
suite_wait 5 rpcinfo -p 127.0.0.1 || skip_all "rpcbind does not start"

e2e_guest_turn
suite_start
check "the suite comes up" suite_wait_ready blockd stated statd lockd nfsd
check "lockd is registered (NLM v4 over TCP, which the kernel uses)" \
    suite_wait 10 sh -c "rpcinfo -p 127.0.0.1 | grep -q '100021 *4 *tcp'"

# The test files, created on the server side; the guest sees them.
declare -A FH
for f in f1 f2 f3 baton; do
	FH[$f]=$("$NLMC" fh -b "$SUITE_DIR/run/blockd.sock" -S export -n $f)
done
check "file handles of f1 f2 f3 baton" test -n "${FH[f1]}" -a -n "${FH[f2]}" -a -n "${FH[f3]}" -a -n "${FH[baton]}"

# nlmc ARGS: the host client, host "dittofs-host", svid 11.
nlmc() { "$NLMC" -s 127.0.0.1 -H dittofs-host -p 11 "$@" 2>&1; }
expect() {
	local desc=$1 want=$2 out
	shift 2
	out=$("$@")
	if echo "$out" | grep -q -- "$want"; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "wanted '$want', got: $out"
	fi
}
GOUT=$SUITE_DIR/guest.out
# wait_guest PATTERN SECS: the guest printed a line matching PATTERN
# (grep -E) within SECS seconds, while the guest still runs.
wait_guest() {
	local deadline=$((SECONDS + $2))
	while [ $SECONDS -lt $deadline ]; do
		grep -qE -- "$1" "$GOUT" 2>/dev/null && return 0
		kill -0 "$GUEST" 2>/dev/null || { grep -qE -- "$1" "$GOUT"; return; }
		sleep 0.2
	done
	return 1
}
# guest_said PATTERN: the guest printed it (so far).
guest_said() { grep -qE -- "$1" "$GOUT"; }
locks_show() { suite_ctl locks 2>&1 | grep -E -- "$1"; }
locks_has() { suite_ctl locks 2>&1 | grep -qE -- "$1"; }

cat > "$SUITE_DIR/guest.sh" <<'GUEST'
set -u
# rpcbind and rpc.statd: the kernel's NLM client needs both (lockd
# registers with rpcbind at mount time; SM_MON goes to statd).
hostname dittofs-e2e-guest
mkdir -p /run/rpcbind /var/lib/nfs/sm /var/lib/nfs/sm.bak /var/run
chown _rpc /run/rpcbind
rpcbind -f > /e2e/work/rpcbind.log 2>&1 &
i=0
until rpcinfo -p 127.0.0.1 >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "no rpcbind in the guest"; cat /e2e/work/rpcbind.log; exit 1; }
	sleep 0.2
done
rpc.statd -F -d --no-notify > /e2e/work/statd.log 2>&1 &
i=0
until rpcinfo -p 127.0.0.1 2>/dev/null | grep -q status; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "no rpc.statd in the guest"; cat /e2e/work/statd.log; exit 1; }
	sleep 0.2
done
echo "GUEST daemons up"
M=/mnt/nfs0
e2e-helper mount 10.0.2.2:/export $M nfs \
    vers=3,addr=10.0.2.2,proto=tcp,mountproto=tcp,mountaddr=10.0.2.2,port=2049,mountport=20048,lock,hard || exit 1
echo "GUEST mounted with lock"
rpcinfo -p 127.0.0.1 | sed 's/^/guest rpcinfo: /'
cd $M || exit 1
fail=0
t() { if "$@"; then echo "ok: $*"; else echo "FAIL($?): $*"; fail=1; fi; }

# 1. The guest's fcntl lock excludes the host; released on baton byte 1.
echo "STEP 1"
t lock-helper hold fcntl f1 0 100 baton 1 90
# 2. The host now holds f1 0-99: the guest's fcntl and flock are denied.
t lock-helper waitconflict f1 0 100 30
echo "STEP 2"
lock-helper try fcntl f1 50 10; echo "try fcntl f1 rc=$?"
lock-helper try fcntl-read f1 99 1; echo "try fcntl-read f1 rc=$?"
flock -n -x f1 true; echo "flock -n -x f1 rc=$?"
echo "STEP 2 done"
# 3. The guest's flock excludes the host; released on baton byte 2.
t lock-helper hold flock f2 0 0 baton 2 90
# 4. The host now holds f2: flock -n is denied, flock -w 30 waits and is
#    granted when the host unlocks.
t lock-helper waitconflict f2 0 0 30
echo "STEP 4"
flock -n -x f2 true; echo "flock -n -x f2 rc=$?"
flock -n -s f2 true; echo "flock -n -s f2 rc=$?"
echo "STEP 5 flock -w 30 starts at $(cut -d' ' -f1 /proc/uptime)"
flock -x -w 30 f2 -c 'echo "FLOCK-W granted at $(cut -d" " -f1 /proc/uptime)"'
echo "flock -w f2 rc=$?"
# 6. The guest holds f3 0-99 across a kill -9 of lockd; baton byte 3.
echo "STEP 6"
t lock-helper hold fcntl f3 0 100 baton 3 120
cd /
echo "statd log:"; sed 's/^/  statd: /' /e2e/work/statd.log | tail -20
exit $fail
GUEST

GSTART=$SECONDS
timeout 330 "$top_srcdir/tests/e2e/guest-run" --net tap=$TAP --modules nfs \
    "${GFILES[@]}" --file "$HELPER:/e2e/bin/lock-helper" \
    --script "$SUITE_DIR/guest.sh" --timeout 300 >"$GOUT" 2>&1 &
GUEST=$!

# Step 0: the guest boots, starts rpcbind and rpc.statd, mounts.
if ! wait_guest "GUEST mounted with lock|SKIP|mount failed" 180 ||
    ! guest_said "GUEST mounted with lock"; then
	wait "$GUEST"
	rc=$?
	GUEST=
	sed 's/^/# /' "$GOUT"
	if [ $rc -eq 77 ]; then
		skip "no accelerator or guest could boot (guest-run 77)" "kernel NLM client"
		check "SIGTERM to dittofs-run stops everything" suite_stop
		tap_done
		exit
	fi
	not_ok "the guest mounts with lock (rpcbind and rpc.statd in the guest)"
	check "SIGTERM to dittofs-run stops everything" suite_stop
	tap_done
	exit
fi
ok "the guest mounts with lock after $((SECONDS - GSTART)) s (rpcbind and rpc.statd in the guest)"

# 1. guest fcntl lock vs host.
check "guest: fcntl write lock on f1 0-99" wait_guest "LOCKED fcntl f1" 60
expect "host TEST on f1 50-59 reports the guest's lock" "TEST denied" nlmc -x test "${FH[f1]}" 50 10
diag "$(nlmc -x test "${FH[f1]}" 50 10)"
expect "host LOCK on f1 50-59 is denied" "LOCK denied" nlmc -x lock "${FH[f1]}" 50 10
expect "host read LOCK on f1 0-0 too" "LOCK denied" nlmc lock "${FH[f1]}" 0 1
check "dittofsctl locks: f1 0-99 write, host dittofs-e2e-guest, nlm" \
    locks_has "0-99 *write .*dittofs-e2e-guest@[0-9.]* *nlm"
locks_show "dittofs-e2e-guest" | sed 's/^/# /'
# lockd asked our statd to monitor the guest (SM_MON, its address in
# priv: ::ffff:10.0.2.15), so a reboot notice from it frees its locks.
check "the server's statd monitors dittofs-e2e-guest at 10.0.2.15" \
    grep -aqs "^mon dittofs-e2e-guest .*ffff0a00020f$" "$SUITE_DIR/state/statd/sm.a" "$SUITE_DIR/state/statd/sm.b"
expect "host LOCK beyond the range (f1 100-109) is granted" "LOCK granted" nlmc -x lock "${FH[f1]}" 100 10
nlmc unlock "${FH[f1]}" 100 10 >/dev/null
expect "host takes baton byte 1" "LOCK granted" nlmc -x lock "${FH[baton]}" 1 1
check "guest: releases f1" wait_guest "RELEASED fcntl f1" 30
expect "host LOCK on f1 0-99 is granted now" "LOCK granted" nlmc -x lock "${FH[f1]}" 0 100

# 2. host lock vs guest fcntl and flock.
check "guest: sees the host's lock (F_GETLK)" wait_guest "STEP 2 done" 60
check "guest: fcntl write lock on f1 50-59 denied (EAGAIN)" guest_said "DENIED fcntl f1: Resource temporarily unavailable"
check "guest: fcntl read lock on f1 99 denied" guest_said "DENIED fcntl-read f1"
check "guest: F_GETLK reports a write lock 0-99" guest_said "HOLDER pid .* type write start 0 len 100"
check "guest: flock -n -x f1 denied (flock is a whole-file NLM lock)" guest_said "flock -n -x f1 rc=1"
expect "host unlocks f1" "UNLOCK granted" nlmc unlock "${FH[f1]}" 0 100

# 3. guest flock vs host.
check "guest: flock -x on f2" wait_guest "LOCKED flock f2" 60
expect "host TEST on f2 1000-1009 reports the guest's flock" "TEST denied" nlmc -x test "${FH[f2]}" 1000 10
diag "$(nlmc -x test "${FH[f2]}" 0 1)"
expect "host read LOCK on f2 0 is denied" "LOCK denied" nlmc lock "${FH[f2]}" 0 1
check "dittofsctl locks: f2 whole file, host dittofs-e2e-guest" \
    locks_has "write .*dittofs-e2e-guest@[0-9.]* *nlm"
expect "host takes baton byte 2" "LOCK granted" nlmc -x lock "${FH[baton]}" 2 1
check "guest: releases f2" wait_guest "RELEASED flock f2" 30
expect "host LOCK on all of f2 is granted now" "LOCK granted" nlmc -x lock "${FH[f2]}" 0 0

# 4, 5. host lock vs guest flock; the blocked flock -w 30 is granted.
check "guest: sees the host's lock on f2" wait_guest "STEP 4" 60
check "guest: flock -n -x f2 denied" wait_guest "flock -n -x f2 rc=1" 20
check "guest: flock -n -s f2 denied" wait_guest "flock -n -s f2 rc=1" 20
check "guest: flock -w 30 on f2 started" wait_guest "STEP 5 flock -w 30" 20
check "lockd queued the guest's blocked lock (dittofsctl locks: wait-wr)" \
    suite_wait 20 locks_has "wait-wr.*dittofs-e2e-guest"
locks_show "dittofs-e2e-guest" | sed 's/^/# /'
sleep 1
T0=$SECONDS
expect "host unlocks f2" "UNLOCK granted" nlmc unlock "${FH[f2]}" 0 0
check "guest: flock -w 30 is granted" wait_guest "FLOCK-W granted" 35
took=$((SECONDS - T0))
diag "grant reached the guest ${took}s after the host's unlock"
check "within 10 s, i.e. by the GRANTED callback, not the client's 30 s re-poll" test $took -le 10
check "lockd called the guest back (granted ... to dittofs-e2e-guest (10.0.2.15))" \
    grep -q "granted a blocked write lock to dittofs-e2e-guest (10.0.2.15" "$SUITE_DIR/run.log"
check "the guest kernel accepted the GRANTED call" grep -q "GRANTED accepted by dittofs-e2e-guest" "$SUITE_DIR/run.log"
check "guest: flock -w exits 0" wait_guest "flock -w f2 rc=0" 20
check "the guest's flock is released again" suite_wait 20 sh -c "'$NLMC' -s 127.0.0.1 -H dittofs-host -p 11 -x test '${FH[f2]}' 0 0 | grep -q 'TEST granted'"

# 6. kill -9 lockd while the guest holds f3.
check "guest: fcntl write lock on f3 0-99" wait_guest "LOCKED fcntl f3" 60
expect "host LOCK on f3 is denied" "LOCK denied" nlmc -x lock "${FH[f3]}" 10 10
LOCKD=$(suite_pid lockd)
kill -KILL "$LOCKD"
restarted() {
	local p
	p=$(suite_pid "$1")
	[ -n "$p" ] && [ "$p" != "$2" ]
}
check "dittofs-run restarts lockd after kill -9" suite_wait 20 restarted lockd "$LOCKD"
check "the new lockd is registered" suite_wait 10 sh -c "rpcinfo -u 127.0.0.1 100021 4 >/dev/null"
expect "after the restart the guest's lock still excludes the host" "LOCK denied" nlmc -x lock "${FH[f3]}" 10 10
expect "and TEST still reports it" "TEST denied" nlmc -x test "${FH[f3]}" 0 100
check "dittofsctl locks: f3 0-99 still held by dittofs-e2e-guest" \
    locks_has "0-99 *write .*dittofs-e2e-guest@[0-9.]* *nlm"
expect "host takes baton byte 3" "LOCK granted" nlmc -x lock "${FH[baton]}" 3 1
check "guest: sees the baton through the new lockd and releases f3" wait_guest "RELEASED fcntl f3" 60
expect "host LOCK on f3 is granted now (the guest's UNLOCK reached the new lockd)" \
    "LOCK granted" nlmc -x lock "${FH[f3]}" 0 100

wait "$GUEST"
rc=$?
GUEST=
sed 's/^/# /' "$GOUT"
check "guest-run exit status 0 (took $((SECONDS - GSTART)) s)" test $rc -eq 0
check "lockd still runs" suite_has_pid lockd
check "no daemon died on its own (no abort, segfault or seccomp kill)" \
    sh -c "! grep -E 'killed by signal (6|11|31)' '$SUITE_DIR/run.log'"
check "SIGTERM to dittofs-run stops everything" suite_stop
tap_done
