#!/bin/bash
# e2e: an NFSv4.0 read delegation held by the Linux kernel client (in a
# QEMU guest) is recalled over the client's callback path when a second
# client writes the file (issue 23: "a delegation recalled by a write
# from a second mount").  The guest mounts the export twice, through two
# addresses of the server (10.0.2.2 and 10.0.2.3), which makes two
# NFSv4.0 clients with their own client ids in one kernel.  Mount A opens
# the file for reading and keeps it open; nfsd's CB_NULL reached A's
# callback service, so A holds a read delegation (dittofsctl v4 lists
# it).  Mount B writes the file: its OPEN gets NFS4ERR_DELAY while nfsd
# sends A a CB_RECALL, A returns the delegation (DELEGRETURN in A's
# mountstats), B's retry goes through and A reads B's bytes.  The guest
# is on a tap device (tests/e2e/locking.sh) so nfsd can call it back.
#
# With E2E_DELEG_A_VERS=4.1 (test_nfs41_deleg_kernel.sh) mount A is an
# NFSv4.1 client, whose delegation is recalled over its session's
# backchannel (CB_SEQUENCE + CB_RECALL on A's own connection), B staying
# a v4.0 client: one kernel's 4.1 mounts share a client id, so the second
# client must be another version.
set -u
A_VERS=${E2E_DELEG_A_VERS:-4.0}
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/e2e/locking.sh"
locking_setup "$@"
ip addr add 10.0.2.3/24 dev $TAP || skip_all "cannot add a second address"
cat >> "$SUITE_CONF" <<CONF

[stated]
lease time = 30
# A writes the file first: with write delegations it would hold a write
# delegation, not the read one this test is about.
write delegations = no
CONF

e2e_guest_turn
suite_start
check "the suite comes up" suite_wait_ready blockd stated nfsd
printf 'first\n' > "$SUITE_DIR/f.src"

{ echo "A_VERS=$A_VERS"; cat <<'GUEST'
set -u
fail=0
t() { if "$@"; then echo "ok: $*"; else echo "FAIL($?): $*"; fail=1; fi; }
A=/mnt/a
B=/mnt/b
mkdir -p $A $B
e2e-helper mount 10.0.2.2:/export $A nfs \
    vers=$A_VERS,addr=10.0.2.2,clientaddr=10.0.2.15,proto=tcp,port=2049,hard || exit 1
e2e-helper mount 10.0.2.3:/export $B nfs \
    vers=4.0,addr=10.0.2.3,clientaddr=10.0.2.15,proto=tcp,port=2049,hard,lookupcache=none || exit 1
echo "GUEST mounted A and B"
grep -E ' /mnt/(a|b) ' /proc/mounts | sed 's/^/mounts: /'
grep -q " $A nfs4 .*vers=$A_VERS" /proc/mounts && echo "GUEST A is vers=$A_VERS"
echo first > $A/f
sync
# The callback probe follows SETCLIENTID_CONFIRM: open again after it.
sleep 2
cat $A/f > /dev/null
exec 3< $A/f
echo "GUEST A holds f open"
# The host says go by making the file "go"; B looks it up each time
# (lookupcache=none).
i=0
until [ -e $B/go ]; do
	i=$((i + 1)); [ $i -lt 600 ] || { echo "no go from the host"; break; }
	sleep 0.2
done
echo "GUEST B writes f"
t sh -c "echo second > $B/f"
echo "GUEST B wrote f"
t sh -c "test \"\$(cat $A/f)\" = second"
grep -E '^[[:space:]]*(DELEGRETURN|OPEN):' /proc/self/mountstats | sed 's/^/mountstats: /'
awk -v m=" $A " '$0 ~ "mounted on" { on = index($0, m) > 0 } on && $1 == "DELEGRETURN:" { print "A DELEGRETURN " $2 }' /proc/self/mountstats
exec 3<&-
exit $fail
GUEST
} > "$SUITE_DIR/guest.sh"

locking_guest_start "$SUITE_DIR/guest.sh" 300
locking_guest_mounted "GUEST mounted A and B" "the guest mounts the export through two addresses, A vers=$A_VERS, B vers=4.0"
check "guest: /proc/mounts says A is vers=$A_VERS" wait_guest "GUEST A is vers=$A_VERS" 30
check "guest: A holds the file open" wait_guest "GUEST A holds f open" 90
v4_deleg() { suite_ctl v4 2>&1 | grep -q "delegation read granted"; }
check "dittofsctl v4: a read delegation granted to A" suite_wait 20 v4_deleg
suite_ctl v4 2>&1 | sed 's/^/# /'
check "the host says go (the file go, made through blockd)" test -n "$(locking_fh go)"
check "guest: B's write went through" wait_guest "GUEST B wrote f" 120
check "guest: B wrote (after the recall)" guest_said "ok: sh -c echo second > /mnt/b/f"
check "guest: A reads B's bytes" wait_guest "ok: sh -c test" 60
check "guest: A returned the delegation (DELEGRETURN in its mountstats)" \
    wait_guest '^A DELEGRETURN [1-9]' 60
check "nfsd logged no callback failure" sh -c "! grep -E 'callback .*(failed|refused|timed out)' '$SUITE_DIR/run.log'"
recalled_returned() {
	suite_ctl status stated 2>&1 |
	    grep -qE ' [1-9][0-9]* recall\(s\), 0 revocation\(s\), [1-9][0-9]* return'
}
check "stated counted a recall and a return, no revocation" recalled_returned
suite_ctl status stated 2>&1 | sed 's/^/# /'
locking_guest_end
check "SIGTERM to dittofs-run stops everything" suite_stop
tap_done
