#!/bin/bash
# Integration: kill -9 of smbd under a client that is sending.  smbd
# hands every connection it accepts to dittofs-run's file descriptor
# store (sd_notify FDSTORE=1, smbd/fdstore.c), so the kernel does not
# reset the connections of a killed smbd; the next smbd ends them with
# FIN and reads what their clients still send until they close.  Here
# tests/clients/smb2probe.py midsend has sent 64 KiB of a 512 KiB frame
# when smbd is killed; the rest must go out without a reset and the
# stream must end cleanly (the Linux cifs client reports a reset while
# it sends a WRITE as ECONNABORTED to the application instead of
# reconnecting: tests/e2e/test_smb_kernel.sh).  Connections smbd
# closed itself leave the store: the next smbd finds only the one.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
suite_in_netns "$0" "$@"
suite_users
SUITE_WITH=smbd
suite_setup
S=445
cat >> "$SUITE_CONF" <<CONF

[smbd]
port = $S

[gssd]
enable = no

[run]
restart delay = 1
restart delay max = 1
CONF
SMB() { timeout 60 python3 "$top_srcdir/tests/clients/smb2probe.py" "$S" "$@"; }
PROBE=
restart_cleanup() {
	[ -n "$PROBE" ] && kill "$PROBE" 2>/dev/null
	suite_cleanup
}
trap restart_cleanup EXIT
trap '' PIPE

suite_start
check "blockd, stated and smbd come up" suite_wait_ready blockd stated smbd
for i in 1 2 3; do
	out=$(SMB alive)
done
check "three connections answered and closed ($out)" test "$out" = ALIVE

mkfifo "$SUITE_DIR/mid.in"
SMB midsend < "$SUITE_DIR/mid.in" > "$SUITE_DIR/mid.out" 2>&1 &
PROBE=$!
exec 7> "$SUITE_DIR/mid.in"
check "the client sent 64 KiB of a 512 KiB frame" suite_wait 20 grep -q '^PARTIAL' "$SUITE_DIR/mid.out"
SMBD=$(suite_pid smbd)
check "kill -9 of smbd (pid $SMBD) in the middle of it" kill -KILL "$SMBD"
check "... it is gone" suite_wait 10 sh -c "! kill -0 $SMBD 2>/dev/null"
echo go >&7
exec 7>&-
wait "$PROBE"
PROBE=
out=$(tail -1 "$SUITE_DIR/mid.out")
check "the rest of the frame went out, no reset; the next smbd closed the stream ($out)" test "$out" = "MIDSEND SENT EOF"
new_smbd() { local p; p=$(suite_pid smbd); [ -n "$p" ] && [ "$p" != "$SMBD" ]; }
check "smbd restarted" suite_wait 20 new_smbd
check "the next smbd ended exactly the one connection the killed one had open" grep -q 'smbd\[[0-9]*\]: 1 connection(s) of the previous smbd: ending them cleanly' "$SUITE_DIR/run.log"
out=$(SMB alive)
check "a new connection is answered ($out)" test "$out" = ALIVE
grep -i 'warn\|store' "$SUITE_DIR/run.log" | tail -10 | sed 's/^/# /'
check "SIGTERM to dittofs-run stops everything" suite_stop
tap_done
