#!/bin/bash
# Integration: NFSv4.0 read delegations (RFC 7530 10.2-10.4), with
# tests/clients/nfs4probe.py as two clients: A runs a callback server,
# B has none.  A's read-only OPEN gets a read delegation whose stateid
# READs.  B's OPEN for writing, an NFSv3 WRITE, B's REMOVE, B's RENAME
# of another file onto it, B's SETATTR of its size (NFS4ERR_DELAY,
# NFS3ERR_JUKEBOX) and an NLM write lock (denied_grace_period) each
# wait while stated has nfsd send CB_RECALL to A, and go through once A
# returned it (DELEGRETURN).  A delegation A never returns is revoked
# after the lease (10 s here) and the conflict goes through; a client
# whose callback does not answer gets no delegation; a delegation
# outlives kill -9 of nfsd (it is stated's) and the restarted nfsd
# recalls it; dittofsctl lists it.
#
# Write delegations: A's OPEN for reading and writing gets one; A's
# writes under it (with GETATTR in the COMPOUND), its own GETATTR and
# SETATTR recall nothing; another client's OPEN for reading, READ,
# GETATTR of size and change, SETATTR of the mode, an NFSv3 READ,
# GETATTR and CREATE over the file, and an NLM read lock each wait
# while it is recalled; A writes on while recalled, returns it, and
# its data is in the file.  Another client's SETATTR of any attribute
# recalls a read delegation, A's own does not.  CLAIM_DELEGATE_CUR
# checks its delegation stateid.  CREATE and OPEN set an acl given in
# their attributes.  Last, stated restarts: A reclaims its open and
# its write delegation with CLAIM_PREVIOUS in grace; CLAIM_DELEGATE_PREV
# and DELEGPURGE are NFS4ERR_NOTSUPP.
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

[stated]
lease time = 10
grace period = 15

[nfsd]
port = $P
mount port = 20048

[run]
restart delay max = 2
CONF
PROBE4() { PYTHONPATH="$ONCRPC_PYTHONPATH" timeout 120 python3 "$top_srcdir/tests/clients/nfs4probe.py" "$P" "$@"; }
NLM_CLIENT=$(cd "$top_builddir" && pwd)/tests/clients/nlm-client
export NLM_CLIENT

# nlm-client finds lockd through rpcbind.
RPCBIND_PID=
if command -v rpcbind >/dev/null; then
	rpcbind -f &
	RPCBIND_PID=$!
	suite_wait 10 sh -c "rpcinfo -p 127.0.0.1" || diag "rpcbind did not start"
fi
stop_rpcbind() { [ -n "$RPCBIND_PID" ] && kill "$RPCBIND_PID" 2>/dev/null; }
trap 'stop_rpcbind; suite_cleanup' EXIT

suite_start
check "blockd, stated and nfsd come up" suite_wait_ready blockd stated nfsd
check "nfsd answers an NFSv4 COMPOUND" suite_wait 10 sh -c "PYTHONPATH=$ONCRPC_PYTHONPATH python3 $top_srcdir/tests/clients/nfs4probe.py $P minor 0 | grep -q 'STATUS 0'"

# deleg_case MODE WHAT: A's delegation; WHAT (nfs4probe's MODE) waits
# and recalls it, and goes through once A returned it.
deleg_case() {
	r=$(PROBE4 deleg "/export/d-$1" "$1")
	diag "$1: $r"
	check "a read-only OPEN gets a read delegation; READ with its stateid ($1)" test "$(echo "$r" | cut -d' ' -f1-4)" = "GRANT read READ ok"
	check "$2 waits (DELAY, JUKEBOX, grace) and recalls the delegation" test "$(echo "$r" | cut -d' ' -f5-8)" = "CONFLICT 10008 RECALL same"
	check "after DELEGRETURN $2 goes through" test "$(echo "$r" | cut -d' ' -f9-12)" = "RETURN 0 RETRY 0"
}
deleg_case v4 "another client's OPEN of the file for writing"
check "the holder's OPEN with CLAIM_DELEGATE_CUR while returning it" test "$(echo "$r" | cut -d' ' -f13-14)" = "CLAIMCUR 0"
deleg_case v3 "an NFSv3 WRITE of the file"
deleg_case remove "another client's REMOVE of the file"
deleg_case rename "another client's RENAME of another file onto the file"
deleg_case truncate "another client's SETATTR of the file's size"
deleg_case nlm "an NLM write lock on the file"

# Write delegations (RFC 7530 10.4) and what conflicts with them.
wdeleg_case() {
	r=$(PROBE4 deleg40 write "/export/w-$1" "$1")
	diag "write $1: $r"
	check "an OPEN for writing gets a write delegation; writes under it ($1)" test "$(echo "$r" | cut -d' ' -f1-4)" = "GRANT write WRITE 0"
	check "the holder's own GETATTR and SETATTR recall nothing ($1)" test "$(echo "$r" | cut -d' ' -f5-9)" = "OWN 0 0 RECALLS 0"
	check "$2 waits and recalls the write delegation" test "$(echo "$r" | cut -d' ' -f10-13)" = "CONFLICT 10008 RECALL same"
	check "the holder writes on while recalled, returns it, then $2 goes" test "$(echo "$r" | cut -d' ' -f14-19)" = "FLUSH 0 RETURN 0 RETRY 0"
	check "the holder's writes are in the file ($1)" test "$(echo "$r" | cut -d' ' -f20-21)" = "DATA $3"
}
wdeleg_case open-read "another client's OPEN for reading" deleg40-data
wdeleg_case read "another client's READ" deleg40-data
wdeleg_case getattr "another client's GETATTR of size and change" deleg40-data
wdeleg_case setattr "another client's SETATTR of the mode" deleg40-data
wdeleg_case v3read "an NFSv3 READ" deleg40-data
wdeleg_case v3getattr "an NFSv3 GETATTR" deleg40-data
wdeleg_case v3create "an NFSv3 CREATE over the file" empty
wdeleg_case nlmread "an NLM read lock" deleg40-data

# The holder's own I/O under its write delegation asks stated nothing:
# its stateid was cached at the grant, and nfsd knows the holder.
HOOK=$SUITE_DIR/hook.sh
cat > "$HOOK" <<EOF
#!/bin/sh
DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status nfsd >> $SUITE_DIR/ownio.status 2>&1
EOF
chmod +x "$HOOK"
: > "$SUITE_DIR/ownio.status"
r=$(DELEG_HOOK=$HOOK PROBE4 deleg40 ownio /export/w-ownio 20)
diag "ownio: $r"
check "20 WRITEs with GETATTR under the write delegation, no recall" test "$r" = "GRANT write WRITES 0 RECALLS 0 RETURN 0"
checked=$(sed -n 's/.*NFSv4 stateids: \([0-9]*\) checked by stated.*/\1/p' "$SUITE_DIR/ownio.status" | tr '\n' ' ')
spared=$(sed -n 's/.* \([0-9]*\) check(s) spared.*/\1/p' "$SUITE_DIR/ownio.status" | tr '\n' ' ')
diag "stateids checked by stated: $checked; delegation checks spared: $spared"
two_same() { [ $# -eq 2 ] && [ "$1" = "$2" ]; }
grew_by() { [ $# -eq 3 ] && [ $(( $3 - $2 )) -ge "$1" ]; }
check "their stateid was never sent to stated to check" two_same $checked
check "nor asked stated about a conflict: at least 20 checks spared" grew_by 20 $spared

r=$(PROBE4 deleg40 setattr /export/d-setattr)
diag "setattr: $r"
check "a read delegation's holder SETATTRs the mode: no recall" test "$(echo "$r" | cut -d' ' -f1-6)" = "GRANT read OWN 0 RECALLS 0"
check "another client's SETATTR of the mode waits and recalls it" test "$(echo "$r" | cut -d' ' -f7-10)" = "OTHER 10008 RECALL same"
check "and goes once it is returned" test "$(echo "$r" | cut -d' ' -f11-14)" = "RETURN 0 RETRY 0"

r=$(PROBE4 deleg40 claimcur /export/d-claimcur)
diag "claimcur: $r"
check "CLAIM_DELEGATE_CUR: a made-up delegation stateid is BAD_STATEID" test "$(echo "$r" | cut -d' ' -f3-4)" = "BAD 10025"
check "CLAIM_DELEGATE_CUR: one of an earlier stated start is STALE_STATEID" test "$(echo "$r" | cut -d' ' -f5-6)" = "STALE 10023"
check "CLAIM_DELEGATE_CUR: another client's delegation is BAD_STATEID" test "$(echo "$r" | cut -d' ' -f7-8)" = "OTHER 10025"
check "CLAIM_DELEGATE_CUR: the client's own delegation opens" test "$(echo "$r" | cut -d' ' -f9-10)" = "OWN 0"

r=$(PROBE4 deleg40 aclcreate /export/acl-new)
diag "aclcreate: $r"
ACES="OWNER@:0:1001a7,EVERYONE@:0:100081"
check "CREATE with an acl sets it" test "$(echo "$r" | cut -d' ' -f1-4)" = "MKDIR 0 ACL $ACES"
check "OPEN creating with an acl in createattrs sets it" test "$(echo "$r" | cut -d' ' -f5-8)" = "OPEN 0 ACL $ACES"

r=$(PROBE4 deleg /export/d-nocb nocb)
diag "nocb: $r"
check "no delegation when the callback path does not answer" test "$r" = "GRANT none"

# Listed by dittofsctl while held: a delegation held over the listing.
HOOK=$SUITE_DIR/hook.sh
cat > "$HOOK" <<EOF
#!/bin/sh
DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF v4 > $SUITE_DIR/v4.list 2>&1
EOF
chmod +x "$HOOK"
r=$(DELEG_HOOK=$HOOK PROBE4 deleg /export/d-list v4)
diag "list: $r; $(grep -i deleg "$SUITE_DIR/v4.list" | head -3)"
check "dittofsctl v4 lists the delegation" grep -q "delegation read granted" "$SUITE_DIR/v4.list"

r=$(PROBE4 deleg /export/d-revoke revoke)
diag "revoke: $r"
check "a delegation never returned: the conflict waits (DELAY) and recalls it" test "$(echo "$r" | cut -d' ' -f5-8)" = "CONFLICT 10008 RECALL same"
check "after the lease it is revoked and the OPEN goes through" test "$(echo "$r" | cut -d' ' -f9-10)" = "RETRY 0"
check "the late DELEGRETURN finds it revoked: BAD_STATEID" test "$(echo "$r" | cut -d' ' -f11-12)" = "LATE 10025"
revoked_once() { suite_ctl status stated 2>/dev/null | grep -q "1 revocation(s)"; }
check "stated counts the revocation" revoked_once

# kill -9 of nfsd while A holds a delegation: the restarted nfsd recalls it.
cat > "$HOOK" <<EOF
#!/bin/sh
pid() { DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status nfsd 2>/dev/null | awk '\$1 == "nfsd" && \$2 ~ /^[0-9]+\$/ { print \$2 }'; }
old=\$(pid)
kill -KILL "\$old"
i=0
while [ \$i -lt 300 ]; do
	new=\$(pid)
	[ -n "\$new" ] && [ "\$new" != "\$old" ] && exit 0
	sleep 0.1
	i=\$((i + 1))
done
EOF
NFSD=$(suite_pid nfsd)
r=$(DELEG_HOOK=$HOOK PROBE4 deleg /export/d-restart v4)
diag "restart: $r"
check "nfsd restarted in between" test "$(suite_pid nfsd)" != "$NFSD"
check "after nfsd's restart the conflict still waits and the new nfsd recalls" test "$(echo "$r" | cut -d' ' -f5-8)" = "CONFLICT 10008 RECALL same"
check "and the delegation is returned to it" test "$(echo "$r" | cut -d' ' -f9-12)" = "RETURN 0 RETRY 0"

# Last (it leaves stated in grace): stated restarts while A holds a
# write delegation; A reclaims it with CLAIM_PREVIOUS.
cat > "$HOOK" <<EOF
#!/bin/sh
pid() { DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status stated 2>/dev/null | awk '\$1 == "stated" && \$2 ~ /^[0-9]+\$/ { print \$2 }'; }
old=\$(pid)
kill -KILL "\$old"
i=0
while [ \$i -lt 300 ]; do
	new=\$(pid)
	if [ -n "\$new" ] && [ "\$new" != "\$old" ] && DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status stated 2>/dev/null | grep -q 'peer nfsd'; then
		exit 0
	fi
	sleep 0.1
	i=\$((i + 1))
done
EOF
r=$(DELEG_HOOK=$HOOK PROBE4 deleg40 reclaim /export/w-reclaim)
diag "reclaim: $r"
check "a write delegation before stated's restart" test "$(echo "$r" | cut -d' ' -f1-2)" = "GRANT write"
check "after it the client id is stale" test "$(echo "$r" | cut -d' ' -f3-4)" = "RENEW 10022"
check "OPEN CLAIM_PREVIOUS in grace reclaims the write delegation" test "$(echo "$r" | cut -d' ' -f5-7)" = "RECLAIM 0 write"
check "CLAIM_DELEGATE_PREV and DELEGPURGE: NFS4ERR_NOTSUPP" test "$(echo "$r" | cut -d' ' -f8-11)" = "PREV 10004 PURGE 10004"
check "the reclaimed delegation is returned" test "$(echo "$r" | cut -d' ' -f12-13)" = "RETURN 0"

suite_stop
tap_done
