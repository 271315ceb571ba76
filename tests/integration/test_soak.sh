#!/bin/bash
# Integration: the RPC transports' limits (common/connlimit.c) under
# hostile clients (tests/clients/hostile), in a private network namespace.
#   1. Idle connections, and ones that send half a record, are closed
#      after the idle timeout: nfsd, lockd and statd.
#   2. One address gets no more than its share of the connections, and
#      the total is bounded (statd: two addresses fill it).
#   3. Connections that send READs and never read the replies: nfsd's
#      memory stays under its cap while a normal client is answered.
#   4. The soak: about 1,000 hostile connections of every kind (idle,
#      half records, garbage, unread NULLs and READs) from 127.0.0.2-5,
#      redialled as they are closed, plus UDP DUMP floods, for 60 s,
#      while a normal client from 127.0.0.1 keeps calling NFS, MOUNT, NLM
#      and NSM: every call is answered, and every front end's VmRSS stays
#      under the cap its man page gives (nfsd 256 MiB, lockd and statd
#      64 MiB), and a UDP DUMP answers 28 bytes (an empty list).
# No timed assertions: "answered" means within rpc-probe's 30 s.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
suite_in_netns "$0" "$@"
suite_users
SUITE_WITH=nfsd
suite_setup
PROBE=$top_builddir/tests/clients/rpc-probe
HOSTILE=$top_builddir/tests/clients/hostile
P=2049
M=20048
L=4045
S=4046
IDLE=4
cat >> "$SUITE_CONF" <<CONF
root squash = no

[nfsd]
port = $P
mount port = $M
idle timeout = $IDLE
connections per address = 50

[lockd]
port = $L
idle timeout = $IDLE
connections per address = 20

# The total is more than the soak's four hostile addresses may hold
# (4 x 5), so the normal client always finds a slot.
[statd]
port = $S
idle timeout = $IDLE
max connections = 30
connections per address = 5
CONF
# A thousand sockets here, and nfsd's own limit comes from ours.
[ "$(ulimit -n)" -lt 8192 ] && ulimit -n 8192 2>/dev/null

START=$(date +%s)
suite_start
check "blockd, stated, nfsd, lockd and statd come up" suite_wait_ready blockd stated nfsd lockd statd
check "nfsd answers NULL" suite_wait 10 sh -c "$PROBE -p $P null | grep -q SUCCESS"
check "lockd answers NULL" suite_wait 10 sh -c "$PROBE -p $L -P 100021 -V 4 null | grep -q SUCCESS"
check "statd answers NULL" suite_wait 10 sh -c "$PROBE -p $S -P 100024 -V 1 null | grep -q SUCCESS"
NFSD=$(suite_pid nfsd)
LOCKD=$(suite_pid lockd)
STATD=$(suite_pid statd)
ROOT=$($PROBE -p $M mnt /export)
check "MNT /export" test ${#ROOT} -gt 16
BIG=$($HOSTILE -p $P mkfile "$ROOT" big 268435456)
check "a sparse 256 MiB file to READ ($BIG)" test ${#BIG} -gt 16

rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# rss_watch PID OUT: the peak VmRSS (kB) of PID, sampled every 0.2 s into
# OUT until killed; apart from the normal client, whose calls may wait.
rss_watch() {
	local max=0 r
	echo 0 > "$2"
	while :; do
		r=$(rss_kb "$1")
		if [ "${r:-0}" -gt "$max" ]; then
			max=$r
			echo "$max" > "$2"
		fi
		sleep 0.2
	done
}
# field NAME LINE: the number after NAME in hostile's line.
field() { awk -v f="$1" '{ for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }' <<<"$2"; }
T=$SUITE_DIR

# 1. Idle and half-record connections, all three front ends at once.
$HOSTILE -p $P -s 127.0.0.6 -n 20 -t 12 idle > $T/idle.nfsd &
H1=$!
$HOSTILE -p $P -s 127.0.0.6 -n 10 -t 12 half > $T/half.nfsd &
H2=$!
$HOSTILE -p $L -s 127.0.0.6 -n 10 -t 12 idle > $T/idle.lockd &
H3=$!
$HOSTILE -p $S -s 127.0.0.6 -n 10 -t 12 half > $T/half.statd &
wait $H1 $H2 $H3 $!
for f in idle.nfsd half.nfsd idle.lockd half.statd; do
	diag "$f: $(cat $T/$f)"
done
check "nfsd closed 20 idle connections (idle timeout $IDLE s)" test "$(field closed "$(cat $T/idle.nfsd)")" = 20
check "nfsd closed 10 connections stuck in half a record" test "$(field closed "$(cat $T/half.nfsd)")" = 10
check "lockd closed 10 idle connections" test "$(field closed "$(cat $T/idle.lockd)")" = 10
check "statd closed 10 connections stuck in half a record" test "$(field closed "$(cat $T/half.statd)")" = 10

# 2. Per address, and the total.
$HOSTILE -p $P -s 127.0.0.7 -n 80 -t 3 idle > $T/addr.nfsd &
H=$!
sleep 1
out=$($PROBE -p $P getattr "$ROOT")
check "while 127.0.0.7 holds its 50, 127.0.0.1 is served ($out)" test "$out" = NFS3_OK
wait $H
diag "addr.nfsd: $(cat $T/addr.nfsd)"
check "nfsd: 80 from one address, 50 stay open (connections per address)" test "$(field open "$(cat $T/addr.nfsd)")" = 50
check "nfsd logged the refusals" grep -q "too many from this address" "$SUITE_DIR/run.log"
$HOSTILE -p $L -s 127.0.0.7 -n 30 -t 2 idle > $T/addr.lockd
diag "addr.lockd: $(cat $T/addr.lockd)"
check "lockd: 30 from one address, 20 stay open" test "$(field open "$(cat $T/addr.lockd)")" = 20
$HOSTILE -p $S -s 127.0.0.8 -n 10 -t 2 idle > $T/addr.statd
diag "addr.statd: $(cat $T/addr.statd)"
check "statd: 10 from one address, 5 stay open" test "$(field open "$(cat $T/addr.statd)")" = 5
$HOSTILE -p $S -s 127.0.1.1,127.0.1.2,127.0.1.3,127.0.1.4,127.0.1.5,127.0.1.6,127.0.1.7,127.0.1.8 -n 40 -t 2 idle > $T/total.statd
diag "total.statd: $(cat $T/total.statd)"
check "statd: 5 from each of eight addresses, 30 stay open (max connections)" test "$(field open "$(cat $T/total.statd)")" = 30
check "lockd and statd logged refusals" sh -c "grep -q 'dittofs-lockd.*refused: too many' '$SUITE_DIR/run.log' && grep -q 'dittofs-statd.*refused: too many' '$SUITE_DIR/run.log'"

# 3. Replies never read: 40 connections each asking 64 MiB.
before=$(rss_kb "$NFSD")
rss_watch "$NFSD" $T/rss.read &
W=$!
$HOSTILE -p $P -s 127.0.0.10,127.0.0.11 -n 40 -k 64 -f "$BIG" -t 10 read > $T/read.nfsd &
H=$!
answered=0
tries=0
while kill -0 $H 2>/dev/null; do
	tries=$((tries + 1))
	[ "$($PROBE -p $P getattr "$ROOT")" = NFS3_OK ] && answered=$((answered + 1))
	sleep 0.5
done
wait $H
kill $W
wait $W 2>/dev/null
max=$(cat $T/rss.read)
diag "read.nfsd: $(cat $T/read.nfsd); nfsd VmRSS $before kB before, at most $max kB during; $(suite_ctl status nfsd 2>/dev/null | grep -o '[0-9]* bytes of output queued')"
check "nfsd's VmRSS stayed under 256 MiB with 40 connections not reading ($max kB)" test "$max" -lt 262144
check "the normal client was answered every time ($answered of $tries)" test "$answered" -eq "$tries"

# 4. The soak.
HOSTS=127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5
SOAK=60
$HOSTILE -p $P -u $M -s $HOSTS -n 800 -k 64 -f "$BIG" -r -t $SOAK mix > $T/soak.nfsd &
H1=$!
$HOSTILE -p $L -s $HOSTS -n 100 -k 5000 -P 100021 -V 4 -r -t $SOAK mix > $T/soak.lockd &
H2=$!
$HOSTILE -p $S -s $HOSTS -n 100 -k 5000 -P 100024 -V 1 -r -t $SOAK mix > $T/soak.statd &
H3=$!
calls=0
fails=0
declare -A peak pid=([nfsd]=$NFSD [lockd]=$LOCKD [statd]=$STATD [stated]=$(suite_pid stated) [blockd]=$(suite_pid blockd))
WATCH=
for d in "${!pid[@]}"; do
	rss_watch "${pid[$d]}" $T/rss.$d &
	WATCH="$WATCH $!"
done
# answer WANT CMD...: one call of the normal client, and its verdict.
answer() {
	local want=$1 got
	shift
	got=$("$@" 2>&1)
	calls=$((calls + 1))
	if [ "$got" != "$want" ]; then
		fails=$((fails + 1))
		diag "not answered as expected: $* -> $got"
	fi
}
while kill -0 $H1 2>/dev/null; do
	answer NFS3_OK $PROBE -p $P getattr "$ROOT"
	answer "$ROOT" $PROBE -p $M mnt /export
	answer SUCCESS $PROBE -p $P null
	answer SUCCESS $PROBE -p $L -P 100021 -V 4 null
	answer SUCCESS $PROBE -p $S -P 100024 -V 1 null
	sleep 0.2
done
wait $H1 $H2 $H3
kill $WATCH
wait $WATCH 2>/dev/null
for d in "${!pid[@]}"; do
	peak[$d]=$(cat $T/rss.$d)
done
for f in soak.nfsd soak.lockd soak.statd; do
	diag "$f: $(cat $T/$f)"
done
diag "peak VmRSS (kB): nfsd ${peak[nfsd]}, lockd ${peak[lockd]}, statd ${peak[statd]}, stated ${peak[stated]}, blockd ${peak[blockd]}"
diag "nfsd: $(suite_ctl status nfsd 2>/dev/null | grep -o '[0-9]* connection(s)[^;]*')"
opened=$(field opened "$(cat $T/soak.nfsd)")
check "the soak made at least 1,000 hostile connections to nfsd ($opened)" test "${opened:-0}" -ge 1000
check "every normal call was answered ($((calls - fails)) of $calls)" test "$fails" -eq 0
check "... and there were calls ($calls)" test "$calls" -ge 25
check "nfsd's VmRSS stayed under 256 MiB (${peak[nfsd]} kB)" test "${peak[nfsd]}" -lt 262144
check "lockd's VmRSS stayed under 64 MiB (${peak[lockd]} kB)" test "${peak[lockd]}" -lt 65536
check "statd's VmRSS stayed under 64 MiB (${peak[statd]} kB)" test "${peak[statd]}" -lt 65536
u=$(cat $T/soak.nfsd)
ur=$(field udp-replies "$u")
ub=$(field udp-bytes "$u")
check "UDP DUMP floods were answered ($ur replies)" test "${ur:-0}" -gt 0
check "... each with an empty list: 28 bytes ($ub bytes in all)" test "${ub:-1}" -eq $(( ${ur:-0} * 28 ))
check "nfsd closed idle or stuck connections during the soak" grep -q "idle or stuck" "$SUITE_DIR/run.log"
check "nfsd, lockd and statd were never restarted" test "$(suite_pid nfsd) $(suite_pid lockd) $(suite_pid statd)" = "$NFSD $LOCKD $STATD"
check "nfsd answers after the soak" test "$($PROBE -p $P getattr "$ROOT")" = NFS3_OK
# The log limiter (common/log.c): from one place in the code at most ten
# lines a minute and one that counts the rest; nfsd, lockd and statd
# each have their refusal line.
lines=$(grep -c "refused: too many" "$SUITE_DIR/run.log")
minutes=$(( ($(date +%s) - START) / 60 + 1 ))
check "refusals were rate-limited ($lines lines in under $minutes min)" \
    test "$lines" -le $(( 3 * 11 * minutes ))
check "... and the limiter said how many it left out" \
    grep -q "similar messages suppressed" "$SUITE_DIR/run.log"

check "SIGTERM to dittofs-run stops everything" suite_stop
if [ "$tap_fail" -ne 0 ]; then
	diag "dittofs-run log:"
	grep -v "refused: too many" "$SUITE_DIR/run.log" | sed 's/^/# /' | tail -60
fi
tap_done
