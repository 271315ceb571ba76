#!/bin/bash
# Integration: one file through SMB and NFS at once, in a private
# network namespace, with stated's one lock and share table between
# them: an SMB lock (tests/clients/smb2probe.py, sessions through
# tests/clients/gssd-stub.py) denies an NLM lock of the same range
# (tests/clients/nlm-client through dittofs-lockd) and the other way
# round; an SMB open that denies write makes an NFSv4 OPEN for write
# fail with NFS4ERR_SHARE_DENIED (tests/clients/nfs4probe.py) while one
# for read succeeds; and when the SMB open goes, both succeed again.
# An SMB lease granted after nfsd connected is broken by an NFSv3 WRITE
# (NFS3ERR_JUKEBOX until the break is acknowledged).
# A CREATE with a SecD context sets an ACL NFSv4 shows and NFSv3
# enforces.  Then kill -9 of smbd while it holds a lock: the restarted
# smbd frees what the old one left in stated (its clients' opens died
# with it).
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
suite_in_netns "$0" "$@"
suite_users
SUITE_WITH="nfsd smbd"
suite_setup
P=2049
M=20048
S=445
KEY=00112233445566778899aabbccddeeff
# nlm-client and nfs4probe come as uid 0.
sed -i '/^\[share export\]$/a root squash = no' "$SUITE_CONF"
cat >> "$SUITE_CONF" <<CONF

[nfsd]
port = $P
mount port = $M

[smbd]
port = $S

[stated]
# Small, so that a fifth lease of one session is refused.
smb leases per session = 4

[run]
restart delay max = 2
CONF
if [ -x "$SBINDIR/dittofs-gssd" ]; then
	printf '\n[gssd]\nenable = no\n' >> "$SUITE_CONF"
fi
PROBE4() { PYTHONPATH="$ONCRPC_PYTHONPATH" timeout 30 python3 "$top_srcdir/tests/clients/nfs4probe.py" "$P" "$@"; }
SMB() { timeout 30 python3 "$top_srcdir/tests/clients/smb2probe.py" "$S" "$@"; }
NLMC=$(cd "$top_builddir" && pwd)/tests/clients/nlm-client

RPCBIND_PID=
STUB=
HOLDER=
cross_cleanup() {
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
	[ -n "$STUB" ] && kill "$STUB" 2>/dev/null
	[ -n "$RPCBIND_PID" ] && kill "$RPCBIND_PID" 2>/dev/null
	suite_cleanup
}
trap cross_cleanup EXIT
if ! command -v rpcbind >/dev/null; then
	echo "1..0 # SKIP no rpcbind (lockd registers with it)"
	exit 0
fi
rpcbind -f &
RPCBIND_PID=$!
suite_wait 10 sh -c "rpcinfo -p 127.0.0.1" || diag "rpcbind did not start"
mkdir -p "$SUITE_DIR/run"
python3 "$top_srcdir/tests/clients/gssd-stub.py" "$SUITE_DIR/run" 0 0 $KEY \
    > "$SUITE_DIR/stub.log" 2>&1 &
STUB=$!

suite_start
check "blockd, stated, lockd, nfsd and smbd come up" suite_wait_ready blockd stated lockd nfsd smbd
check "smbd connects to stated and gssd" suite_wait 20 sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status smbd | grep -q 'gssd connected.*stated connected'"
check "nfsd answers NFSv4" suite_wait 20 sh -c "PYTHONPATH=$ONCRPC_PYTHONPATH python3 $top_srcdir/tests/clients/nfs4probe.py $P minor 0 | grep -q 'STATUS 0'"
check "lockd is registered" suite_wait 20 sh -c "rpcinfo -p 127.0.0.1 | grep -q nlockmgr"

# SMB oplocks and leases as grants in stated, asked as smbd asks them:
# granted, refused to another client, broken by its write with the
# RECALL pushed to smbd, lowered, returned; nfsd may not ask them.
"$top_builddir/tests/clients/st-check" smb-grant "$SUITE_DIR/run/stated.sock" \
    > "$SUITE_DIR/st-smb.out" 2>&1
sed 's/^/# /' "$SUITE_DIR/st-smb.out"
check "stated: SMB grants (st-check smb-grant) all pass" sh -c "grep -q '^1\.\.[1-9]' '$SUITE_DIR/st-smb.out' && ! grep -q '^not ok' '$SUITE_DIR/st-smb.out'"

ST=$SUITE_DIR/v4.json
check "an NFSv4 OPEN creates /export/cross" test "$(PROBE4 open "$ST" /export/cross | cut -d' ' -f1-2)" = "OPEN ok"
check "... and CLOSEs it" test "$(PROBE4 close "$ST")" = "CLOSE ok"
FH=$(python3 -c "import json; print(json.load(open('$ST'))['fh'])")

# hold ARGS...: an SMB open kept by a probe in the background; its
# first line is read into HELD.  release: it closes and exits.
HOLD_IN=$SUITE_DIR/hold.in
HOLD_OUT=$SUITE_DIR/hold.out
hold() {
	rm -f "$HOLD_IN"
	mkfifo "$HOLD_IN"
	: > "$HOLD_OUT"
	SMB hold 311 $KEY "${HOLD_NAME:-cross}" "$@" < "$HOLD_IN" > "$HOLD_OUT" 2>&1 &
	HOLDER=$!
	exec 7> "$HOLD_IN"
	suite_wait 20 grep -q '^\(HELD\|FAIL\)' "$HOLD_OUT"
	HELD=$(head -1 "$HOLD_OUT")
}
# A holder that failed is gone: writing to it must not end the test.
trap '' PIPE
release() {
	echo go >&7 2>/dev/null
	exec 7>&-
	wait "$HOLDER" 2>/dev/null
	HOLDER=
	RELEASED=$(sed -n 2p "$HOLD_OUT")
}

# An SMB lock against NLM.
hold lock 0 100
check "SMB: an exclusive lock of 0-100 ($HELD)" test "$HELD" = HELD
out=$("$NLMC" -T tcp -x lock "$FH" 50 10 2>&1)
check "NLM: a write lock of 50-10 under it is denied ($out)" sh -c "echo '$out' | grep -q denied"
out=$("$NLMC" -T tcp lock "$FH" 99 1 2>&1)
check "NLM: a read lock of its last byte is denied too ($out)" sh -c "echo '$out' | grep -q denied"
out=$("$NLMC" -T tcp -x lock "$FH" 100 10 2>&1)
check "NLM: a write lock of 100-10, past it, is granted ($out)" sh -c "echo '$out' | grep -q granted"
check "NLM: unlock 100-10" sh -c "'$NLMC' -T tcp -x unlock $FH 100 10 | grep -q granted"
release
check "the SMB open closes ($RELEASED)" test "$RELEASED" = RELEASED
out=$("$NLMC" -T tcp -x lock "$FH" 50 10 2>&1)
check "NLM: 50-10 is granted once the SMB open closed ($out)" sh -c "echo '$out' | grep -q granted"

# An NLM lock against SMB.
check "SMB: LOCK of 0-100 over the NLM lock: LOCK_NOT_GRANTED" test "$(SMB trylock 311 $KEY cross 0 100)" = "LOCK 0xc0000055"
check "SMB: LOCK of 60-40, beside it: SUCCESS" test "$(SMB trylock 311 $KEY cross 60 40)" = "LOCK 0x0"
check "NLM: unlock 50-10" sh -c "'$NLMC' -T tcp -x unlock $FH 50 10 | grep -q granted"
check "SMB: LOCK of 0-100 after the NLM unlock: SUCCESS" test "$(SMB trylock 311 $KEY cross 0 100)" = "LOCK 0x0"

# An SMB open that denies write, against NFSv4 OPENs.
hold denywrite
check "SMB: an open for read and write, sharing read only ($HELD)" test "$HELD" = HELD
check "NFSv4: OPEN for write: NFS4ERR_SHARE_DENIED" test "$(PROBE4 opens /export/cross 1 0 2)" = "ERR 10015"
check "NFSv4: OPEN for read and write: NFS4ERR_SHARE_DENIED" test "$(PROBE4 opens /export/cross 1 0 3)" = "ERR 10015"
check "NFSv4: OPEN for read: granted" test "$(PROBE4 opens /export/cross 1 0 1)" = "OPENS 1 ok"
check "stated lists the SMB share reservation" sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF locks 2>&1 | grep -qi smb"
release
check "the SMB open closes ($RELEASED)" test "$RELEASED" = RELEASED
check "NFSv4: OPEN for write once it closed: granted" test "$(PROBE4 opens /export/cross 1 0 2)" = "OPENS 1 ok"

# A DACL set by CREATE's SecD context (smbd/security.c) is the file's
# ACL for NFS too: NFSv4's acl attribute shows it, NFSv3 enforces it.
check "SMB: CREATE of secd with a SecD denying uid 1000 write" test "$(SMB secd 311 $KEY secd 1000)" = "SECD 0x0"
acl=$(PROBE4 getacl /export/secd)
u1000=$(getent passwd 1000 | cut -d: -f1)
check "NFSv4: its acl is the SecD's DACL ($acl)" sh -c "echo '$acl' | grep -Eq '^ACL (1000|${u1000:-1000}@[^ ]*):1:0:6 EVERYONE@:0:0:1f01ff\$'"
check "NFSv3: WRITE as uid 1000: NFS3ERR_ACCES" test "$(PROBE4 v3write /export/secd 1000 abc)" = "V3WRITE 13"
check "NFSv3: WRITE as uid 1001: NFS3_OK" test "$(PROBE4 v3write /export/secd 1001 abc)" = "V3WRITE 0"
# An SMB batch oplock broken by an NFSv4 OPEN for write, through
# stated's recall: NFS4ERR_DELAY until the SMB client acknowledges the
# OPLOCK_BREAK, then the OPEN goes through.
opens_ok() { test "$(PROBE4 opens /export/cross 1 0 2)" = "OPENS 1 ok"; }
hold oplock
check "SMB: an open of cross with a batch oplock ($HELD)" test "$HELD" = "HELD 9"
check "dittofsctl smb opens shows its oplock" sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF smb opens | grep -E 'cross \(oplock batch\)$'"
out=$(PROBE4 opens /export/cross 1 0 2)
check "NFSv4: OPEN for write meanwhile: NFS4ERR_DELAY ($out)" test "$out" = "ERR 10008"
check "SMB: the holder gets OPLOCK_BREAK to none" suite_wait 20 grep -q '^BREAK 18 0' "$HOLD_OUT"
check "SMB: ... and acknowledges it" suite_wait 10 grep -q '^ACKED 0x0' "$HOLD_OUT"
check "NFSv4: OPEN for write after the acknowledgment: granted" suite_wait 10 opens_ok
release
check "the SMB open closes" grep -q '^RELEASED' "$HOLD_OUT"

# An SMB lease (v2, RWH) broken the same way: a writer leaves it
# nothing, and the LEASE_BREAK asks an acknowledgment (it holds W, H).
hold lease
check "SMB: an open of cross with an RWH lease ($HELD)" test "$HELD" = "HELD 7"
out=$(PROBE4 opens /export/cross 1 0 2)
check "NFSv4: OPEN for write meanwhile: NFS4ERR_DELAY ($out)" test "$out" = "ERR 10008"
check "SMB: the holder gets LEASE_BREAK RWH to none, ack required" suite_wait 20 grep -q '^BREAK 18 7 0 1$' "$HOLD_OUT"
check "SMB: ... and acknowledges it" suite_wait 10 grep -q '^ACKED 0x0' "$HOLD_OUT"
check "NFSv4: OPEN for write after the acknowledgment: granted" suite_wait 10 opens_ok
release
check "the SMB open closes" grep -q '^RELEASED' "$HOLD_OUT"
# An NFSv3 WRITE of a file an SMB lease was granted on after nfsd
# connected to stated (a new file, in no set of nfsd's yet): stated's
# ST_PUSH_GRANT_FILE put it in nfsd's set of files with grants, so the
# WRITE asks stated, which breaks the lease; NFS3ERR_JUKEBOX until the
# SMB client acknowledges, then the WRITE goes through.
v3write_ok() { test "$(PROBE4 v3write /export/v3lease 0 nfs-data)" = "V3WRITE 0"; }
HOLD_NAME=v3lease hold lease
check "SMB: an open of the new file v3lease with an RWH lease ($HELD)" test "$HELD" = "HELD 7"
out=$(PROBE4 v3write /export/v3lease 0 nfs-data)
check "NFSv3: WRITE meanwhile: NFS3ERR_JUKEBOX ($out)" test "$out" = "V3WRITE 10008"
check "SMB: the holder gets LEASE_BREAK RWH to none, ack required" suite_wait 20 grep -q '^BREAK 18 7 0 1$' "$HOLD_OUT"
check "SMB: ... and acknowledges it" suite_wait 10 grep -q '^ACKED 0x0' "$HOLD_OUT"
check "NFSv3: WRITE after the acknowledgment: NFS3_OK" suite_wait 10 v3write_ok
release
check "the SMB open closes" grep -q '^RELEASED' "$HOLD_OUT"

# Leases by client and key (MS-SMB2 3.3.1.4): two connections of one
# ClientGuid share a lease, another ClientGuid's open breaks it.
# steps LABEL COMMAND: a probe command whose lines are PASS or FAIL
# steps, each a check.
steps() {
	local label=$1 out=$SUITE_DIR/$2
	SMB "$2" 311 $KEY > "$out" 2>&1 || echo "FAIL probe: exit status $?" >> "$out"
	[ -s "$out" ] || echo "FAIL probe: no output" > "$out"
	sed "s/^/# /" "$out"
	grep -q "^Traceback" "$out" && echo "FAIL probe: it died" >> "$out"
	while read -r verdict rest; do
		case "$verdict" in
		PASS|FAIL) check "$label: $rest" test "$verdict" = PASS ;;
		TIMEOUT|CLOSED) check "$label: the probe ran to its end ($verdict)" false ;;
		esac
	done < "$out"
}
steps "lease of a client" leaseclient
# A CREATE that meets a sharing violation breaks H of another client's
# lease (MS-SMB2 3.3.5.9): the CREATE waits for the acknowledgment, then
# is a sharing violation if the holder kept its handle, or goes through
# if it closed it.
steps "sharing violation" leaseshare
# [stated] smb leases per session holds for leases of many keys: a lease
# is its client's and key's in stated, so smbd counts the session's.
out=$(SMB leaselimit 311 $KEY 6)
check "six files with six lease keys in one session: four leases ([stated] smb leases per session = 4) ($out)" test "$out" = "LEASES 4 of 6"
check "the limit is logged" grep -q 'smb leases per session (4) reached' "$SUITE_DIR/run.log"
# Each oplock is its open's in stated: smbd counts a session's.
out=$(SMB oplocklimit 311 $KEY 6)
check "six files asking for batch oplocks in one session: four granted, the same limit ($out)" test "$out" = "OPLOCKS 4 of 6"
# kill -9 of smbd holding a lock: the next smbd frees it.
hold lock 0 10
check "SMB: a lock of 0-10 before the kill ($HELD)" test "$HELD" = HELD
SMBD=$(suite_pid smbd)
kill -KILL "$SMBD"
exec 7>&-
wait "$HOLDER" 2>/dev/null
HOLDER=
restarted() { local p; p=$(suite_pid "$1"); [ -n "$p" ] && [ "$p" != "$2" ]; }
check "smbd restarted after kill -9" suite_wait 20 restarted smbd "$SMBD"
check "the new smbd connects to stated" suite_wait 20 sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status smbd | grep -q 'stated connected'"
out=$("$NLMC" -T tcp -x lock "$FH" 0 10 2>&1)
check "NLM: 0-10, left by the killed smbd, is free again ($out)" sh -c "echo '$out' | grep -q granted"
check "NLM: unlock 0-10" sh -c "'$NLMC' -T tcp -x unlock $FH 0 10 | grep -q granted"
check "dittofs-run stops everything" suite_stop
tap_done
