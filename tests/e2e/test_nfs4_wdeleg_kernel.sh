#!/bin/bash
# e2e: an NFSv4.0 write delegation held by the Linux kernel client (in a
# QEMU guest) is recalled when a second client reads the file (issue 23:
# write delegations; any access of another client conflicts).  As in
# test_nfs4_deleg_kernel.sh the guest mounts the export twice, through
# two addresses of the server, which makes two NFSv4.0 clients.  Mount A
# opens the file for writing and keeps it open: A holds a write
# delegation (dittofsctl v4 lists it) and writes under it.  Mount B
# reads the file: its OPEN gets NFS4ERR_DELAY while nfsd sends A a
# CB_RECALL, A flushes what it wrote and returns the delegation
# (DELEGRETURN in A's mountstats), and B reads A's bytes.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/e2e/locking.sh"
locking_setup "$@"
ip addr add 10.0.2.3/24 dev $TAP || skip_all "cannot add a second address"
cat >> "$SUITE_CONF" <<CONF

[stated]
lease time = 30
CONF

e2e_guest_turn
suite_start
check "the suite comes up" suite_wait_ready blockd stated nfsd

cat > "$SUITE_DIR/guest.sh" <<'GUEST'
set -u
fail=0
t() { if "$@"; then echo "ok: $*"; else echo "FAIL($?): $*"; fail=1; fi; }
A=/mnt/a
B=/mnt/b
mkdir -p $A $B
e2e-helper mount 10.0.2.2:/export $A nfs \
    vers=4.0,addr=10.0.2.2,clientaddr=10.0.2.15,proto=tcp,port=2049,hard || exit 1
e2e-helper mount 10.0.2.3:/export $B nfs \
    vers=4.0,addr=10.0.2.3,clientaddr=10.0.2.15,proto=tcp,port=2049,hard,lookupcache=none || exit 1
echo "GUEST mounted A and B"
# The callback probe follows SETCLIENTID_CONFIRM: open after it.
ls $A > /dev/null
sleep 2
exec 3> $A/w
echo "GUEST A holds w open for writing"
printf 'from-A\n' >&3
echo "GUEST A wrote w"
i=0
until [ -e $B/go ]; do
	i=$((i + 1)); [ $i -lt 600 ] || { echo "no go from the host"; break; }
	sleep 0.2
done
echo "GUEST B reads w"
t sh -c "test \"\$(cat $B/w)\" = from-A"
echo "GUEST B read w"
awk -v m=" $A " '$0 ~ "mounted on" { on = index($0, m) > 0 } on && $1 == "DELEGRETURN:" { print "A DELEGRETURN " $2 }' /proc/self/mountstats
exec 3>&-
exit $fail
GUEST

locking_guest_start "$SUITE_DIR/guest.sh" 300
locking_guest_mounted "GUEST mounted A and B" "the guest mounts the export through two addresses, vers=4.0"
check "guest: A holds the file open for writing" wait_guest "GUEST A wrote w" 90
v4_wdeleg() { suite_ctl v4 2>&1 | grep -q "delegation write granted"; }
check "dittofsctl v4: a write delegation granted to A" suite_wait 20 v4_wdeleg
suite_ctl v4 2>&1 | sed 's/^/# /'
check "the host says go (the file go, made through blockd)" test -n "$(locking_fh go)"
check "guest: B's read went through" wait_guest "GUEST B read w" 120
check "guest: B read A's bytes (flushed on the recall)" guest_said "ok: sh -c test"
check "guest: A returned the delegation (DELEGRETURN in its mountstats)" \
    wait_guest '^A DELEGRETURN [1-9]' 60
recalled_returned() {
	suite_ctl status stated 2>&1 |
	    grep -qE ' [1-9][0-9]* recall\(s\), 0 revocation\(s\), [1-9][0-9]* return'
}
check "stated counted a recall and a return, no revocation" recalled_returned
suite_ctl status stated 2>&1 | sed 's/^/# /'
locking_guest_end
check "SIGTERM to dittofs-run stops everything" suite_stop
tap_done
