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
# tests/e2e/locking.sh has the topology and the harness.  The guest run is
# bounded by 300 s.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/e2e/locking.sh"
locking_setup "$@"

e2e_guest_turn
suite_start
check "the suite comes up" suite_wait_ready blockd stated statd lockd nfsd
check "lockd is registered (NLM v4 over TCP, which the kernel uses)" \
    suite_wait 10 sh -c "rpcinfo -p 127.0.0.1 | grep -q '100021 *4 *tcp'"

# The test files, created on the server side; the guest sees them.
declare -A FH
for f in f1 f2 f3 baton; do
	FH[$f]=$(locking_fh $f)
done
check "file handles of f1 f2 f3 baton" test -n "${FH[f1]}" -a -n "${FH[f2]}" -a -n "${FH[f3]}" -a -n "${FH[baton]}"

{ locking_guest_prologue; cat <<'GUEST'; } > "$SUITE_DIR/guest.sh"
M=/mnt/nfs0
e2e-helper mount 10.0.2.2:/export $M nfs \
    vers=3,addr=10.0.2.2,proto=tcp,mountproto=tcp,mountaddr=10.0.2.2,port=2049,mountport=20048,lock,hard || exit 1
echo "GUEST mounted with lock"
rpcinfo -p 127.0.0.1 | sed 's/^/guest rpcinfo: /'
cd $M || exit 1

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

locking_guest_start "$SUITE_DIR/guest.sh" 300

# Step 0: the guest boots, starts rpcbind and rpc.statd, mounts.
locking_guest_mounted "GUEST mounted with lock" \
    "the guest mounts with lock (rpcbind and rpc.statd in the guest)"

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

locking_guest_end
check "lockd still runs" suite_has_pid lockd
check "SIGTERM to dittofs-run stops everything" suite_stop
tap_done
