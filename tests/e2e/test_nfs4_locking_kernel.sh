#!/bin/bash
# e2e: NFSv4.0 byte-range locks from the Linux kernel client (Debian's, in
# a QEMU guest) meet NLM locks in stated's one lock table.  The guest
# mounts the export twice, vers=4.0 (locks as LOCK/LOCKT/LOCKU) and vers=3
# with lock (NLM through dittofs-lockd); tests/clients/nlm-client is a
# second client host on the server's side.  Issue 23's guest list:
#   1. a v4.0 fcntl lock excludes the host's NLM client, a second guest
#      process on the same v4.0 mount, and a process on the v3 mount;
#   2. an NLM lock taken through the v3 mount excludes a process on the
#      v4.0 mount (fcntl and flock);
#   3. the host's NLM lock excludes the guest's v4.0 fcntl;
#   4. kill -9 of nfsd while the guest holds a v4.0 lock: the lock still
#      excludes the host, and the guest's unlock (its stateid from before
#      the restart) reaches the new nfsd.
# tests/e2e/locking.sh has the topology and the harness.  The guest run is
# bounded by 420 s.
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

declare -A FH
for f in f1 f2 f3 f4 baton; do
	FH[$f]=$(locking_fh $f)
done
check "file handles of f1 f2 f3 f4 baton" test -n "${FH[f1]}" -a -n "${FH[f2]}" \
    -a -n "${FH[f3]}" -a -n "${FH[f4]}" -a -n "${FH[baton]}"
# Step 3's lock, taken now: the guest finds it when it gets there.
expect "host NLM lock on f3 0-99" "LOCK granted" nlmc -x lock "${FH[f3]}" 0 100

{ locking_guest_prologue; cat <<'GUEST'; } > "$SUITE_DIR/guest.sh"
M4=/mnt/v4
M3=/mnt/v3
mkdir -p $M4 $M3
e2e-helper mount 10.0.2.2:/export $M4 nfs \
    vers=4.0,addr=10.0.2.2,clientaddr=10.0.2.15,proto=tcp,port=2049,hard || exit 1
e2e-helper mount 10.0.2.2:/export $M3 nfs \
    vers=3,addr=10.0.2.2,proto=tcp,mountproto=tcp,mountaddr=10.0.2.2,port=2049,mountport=20048,lock,hard || exit 1
echo "GUEST mounted v4.0 and v3"
grep -E " $M4 | $M3 " /proc/mounts | sed 's/^/guest mount: /'
cd $M4 || exit 1

# 1. v4.0 lock on f1, held until the host takes baton byte 1.
echo "STEP 1"
lock-helper hold fcntl f1 0 100 baton 1 120 &
H=$!
t lock-helper waitconflict $M3/f1 0 100 60
lock-helper try fcntl f1 50 10; echo "v4 second process f1 rc=$?"
lock-helper try fcntl $M3/f1 50 10; echo "v3 process f1 rc=$?"
echo "STEP 1 done"
wait $H; echo "hold f1 rc=$?"

# 2. NLM lock on f2 through the v3 mount, until baton byte 2.
echo "STEP 2"
(cd $M3 && exec lock-helper hold fcntl f2 0 100 baton 2 120) &
H=$!
# The v4.0 side opens f2 once the NLM lock is granted (F_GETLK on the
# v3 mount sees it here first): an OPEN before it may take a delegation
# of f2, which the NLM lock must then wait out (denied_grace_period,
# retried by the kernel's lockd), a slower path than the one this step
# is about.
t lock-helper waitconflict $M3/f2 0 100 90
t lock-helper waitconflict f2 0 100 60
lock-helper try fcntl f2 50 10; echo "v4 process f2 rc=$?"
flock -n -x f2 true; echo "v4 flock -n -x f2 rc=$?"
echo "STEP 2 done"
wait $H; echo "hold f2 rc=$?"

# 3. The host's NLM lock on f3.
echo "STEP 3"
t lock-helper waitconflict f3 0 100 60
lock-helper try fcntl f3 50 10; echo "v4 process f3 rc=$?"
echo "STEP 3 done"

# 4. v4.0 lock on f4 across kill -9 of nfsd, until baton byte 3.
echo "STEP 4"
t lock-helper hold fcntl f4 0 100 baton 3 240
echo "STEP 4 done"
t lock-helper waitconflict baton 4 1 240
cd /
umount $M4 && umount $M3 && echo "GUEST unmounted"
exit $fail
GUEST

locking_guest_start "$SUITE_DIR/guest.sh" 420
locking_guest_mounted "GUEST mounted v4.0 and v3" \
    "the guest mounts the export vers=4.0 and vers=3 with lock"

# 1.
check "guest: v4.0 fcntl write lock on f1 0-99" wait_guest "LOCKED fcntl f1" 90
check "host TEST on f1 50-59 reports the guest's v4.0 lock" nlmc_says "TEST denied" test "${FH[f1]}" 50 10
check "host LOCK on f1 50-59 is denied" nlmc_says "LOCK denied" lock "${FH[f1]}" 50 10
check "dittofsctl locks: f1 0-99 write, nfsv4" locks_has "0-99 *write .*nfsv4"
locks_show "nfsv4" | sed 's/^/# /'
check "guest: step 1 done" wait_guest "STEP 1 done" 90
check "guest: the v3 mount's F_GETLK (NLM TEST) sees the v4.0 lock" guest_said "ok: lock-helper waitconflict /mnt/v3/f1"
check "guest: a second process on the v4.0 mount is denied f1" guest_said "v4 second process f1 rc=1"
check "guest: a process on the v3 mount (NLM) is denied f1" guest_said "v3 process f1 rc=1"
check "host takes baton byte 1" nlmc_says "LOCK granted" lock "${FH[baton]}" 1 1
check "guest: releases f1 (its F_GETLK over v4.0 saw the host's NLM lock)" wait_guest "RELEASED fcntl f1" 60
check "host LOCK on f1 0-99 is granted now" nlmc_says "LOCK granted" lock "${FH[f1]}" 0 100
nlmc unlock "${FH[f1]}" 0 100 >/dev/null

# 2.
check "guest: NLM lock on f2 through the v3 mount" wait_guest "LOCKED fcntl f2" 90
check "guest: step 2 done" wait_guest "STEP 2 done" 90
check "guest: the v4.0 mount's F_GETLK (LOCKT) sees the NLM lock" guest_said "ok: lock-helper waitconflict f2"
check "guest: a v4.0 fcntl lock on f2 is denied" guest_said "v4 process f2 rc=1"
check "guest: a v4.0 flock on f2 is denied" guest_said "v4 flock -n -x f2 rc=1"
check "host takes baton byte 2" nlmc_says "LOCK granted" lock "${FH[baton]}" 2 1
check "guest: releases f2" wait_guest "RELEASED fcntl f2" 60

# 3.
check "guest: step 3 done" wait_guest "STEP 3 done" 90
check "guest: LOCKT sees the host's NLM lock on f3" guest_said "ok: lock-helper waitconflict f3"
check "guest: a v4.0 fcntl lock on f3 is denied" guest_said "v4 process f3 rc=1"
expect "host unlocks f3" "UNLOCK granted" nlmc unlock "${FH[f3]}" 0 100

# 4.
check "guest: v4.0 fcntl write lock on f4 0-99" wait_guest "LOCKED fcntl f4" 90
# Denied by the lock itself, not while a delegation is recalled: the
# kill below then finds the guest's lock in stated, not in the guest.
check "host LOCK on f4 is denied" nlmc_says "LOCK denied" lock "${FH[f4]}" 10 10
NFSD=$(suite_pid nfsd)
kill -KILL "$NFSD"
check "dittofs-run restarts nfsd after kill -9" suite_wait 20 restarted nfsd "$NFSD"
check "after the restart the guest's v4.0 lock still excludes the host" nlmc_says "LOCK denied" lock "${FH[f4]}" 10 10
check "dittofsctl locks: f4 0-99 still held, nfsv4" locks_has "0-99 *write .*nfsv4"
check "host takes baton byte 3" nlmc_says "LOCK granted" lock "${FH[baton]}" 3 1
check "guest: sees the baton through the new nfsd and releases f4" wait_guest "RELEASED fcntl f4" 120
check "host LOCK on f4 is granted now (the guest's LOCKU reached the new nfsd)" \
    nlmc_says "LOCK granted" lock "${FH[f4]}" 0 100
# The guest stays until here (baton byte 4): a delegation it still holds
# is recalled and given back, not left to expire with a guest gone.
check "host takes baton byte 4 (the guest may unmount)" nlmc_says "LOCK granted" lock "${FH[baton]}" 4 1
check "guest: unmounted both mounts" wait_guest "GUEST unmounted" 120

locking_guest_end
check "nfsd still runs" suite_has_pid nfsd
check "SIGTERM to dittofs-run stops everything" suite_stop
tap_done
