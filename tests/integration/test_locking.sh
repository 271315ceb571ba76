#!/bin/bash
# Integration: NLM through dittofs-lockd and dittofs-stated, NSM through
# dittofs-statd, with tests/clients/nlm-client playing two (and three)
# client hosts, and hostile ones: a third host at another address that
# names hostA, and a lock flood against the per-host limits.  The server runs in a private network namespace with a
# private /run and its own rpcbind; the client hosts live in a second
# namespace (own rpcbind, for the GRANTED callbacks and _RES messages)
# joined by a veth pair, so nothing touches the machine's port 111.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
for tool in unshare nsenter ip rpcbind rpcinfo; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP needs $tool"
		exit 0
	fi
done

# Into a private network and mount namespace, with /run of our own.
if [ -z "${DITTOFS_LOCKING_NS:-}" ]; then
	DITTOFS_LOCKING_NS=1 exec unshare -n -m --propagation private \
	    bash "$0" "$@"
fi
mount -t tmpfs -o mode=755 tmpfs /run || { echo "1..0 # SKIP cannot mount /run"; exit 0; }
ip link set lo up

suite_users
suite_setup
# nlm-client acts as a front end with uid 0: blockd squashes
# it on a root-squash share, and the share root is root's 0755.
grep -q '^root squash = ' "$SUITE_CONF" ||
    sed -i '/^path = \/export$/a root squash = no' "$SUITE_CONF"
cat >> "$SUITE_CONF" <<CONF

[stated]
grace period = 20
# Small, so that the flood at the end reaches them.
locks per host = 16
clients per address = 8

# lockd applies a share's clients and source-port rules as nfsd does.
[share lab]
path = /lab
clients = 10.231.0.99
root squash = no

[share secure]
path = /secure
clients = 10.231.0.0/24
root squash = no

[share open]
path = /open
clients = 10.231.0.2
insecure = yes
root squash = no

# Connection limits, lowered below by a reload (no restart).
[lockd]

[statd]

[run]
restart delay = 0
CONF

NLMC=$(cd "$top_builddir" && pwd)/tests/clients/nlm-client
SERVER=10.231.0.1
CLIENT_NS=
SRV_RPCBIND=
CLI_RPCBIND=
BG=

locking_cleanup() {
	local p
	for p in $BG $CLI_RPCBIND $SRV_RPCBIND $CLIENT_NS; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	suite_cleanup
}
trap locking_cleanup EXIT

# The client hosts' namespace: a holder process, its own /run.
unshare -n -m --propagation private sh -c \
    'mount -t tmpfs -o mode=755 tmpfs /run && exec sleep 3600' &
CLIENT_NS=$!
sleep 0.3
in_client() { nsenter -t "$CLIENT_NS" -n -m "$@"; }
ip link add dfs0 type veth peer name dfs1 netns "$CLIENT_NS"
ip addr add $SERVER/24 dev dfs0
ip link set dfs0 up
in_client ip link set lo up
in_client ip addr add 10.231.0.2/24 dev dfs1
# Other hosts on the client side: an attacker, and two flooders.
ATTACKER=10.231.0.3
in_client ip addr add $ATTACKER/24 dev dfs1
in_client ip addr add 10.231.0.4/24 dev dfs1
in_client ip addr add 10.231.0.5/24 dev dfs1
in_client ip link set dfs1 up

rpcbind -f >/dev/null 2>&1 &
SRV_RPCBIND=$!
# nsenter execs rpcbind: $! is rpcbind itself, for the cleanup.
nsenter -t "$CLIENT_NS" -n -m rpcbind -f >/dev/null 2>&1 &
CLI_RPCBIND=$!
suite_wait 5 rpcinfo -p 127.0.0.1
suite_wait 5 in_client rpcinfo -p 127.0.0.1

# nlmc HOST [opts] CMD ...: the client, as host HOST, from the client side.
nlmc() {
	local h=$1
	shift
	in_client "$NLMC" -s $SERVER -H "$h" "$@" 2>&1
}

# statd's one-file state of earlier versions, to be migrated (state 41).
mkdir -p "$SUITE_DIR/state/statd"
printf 'state 41\nstated-epoch 0\n' > "$SUITE_DIR/state/statd/sm"

suite_start
check "blockd, stated, statd and lockd come up" \
    suite_wait_ready blockd stated statd lockd
check "lockd is registered with rpcbind (NLM v4, UDP and TCP)" \
    suite_wait 10 sh -c "rpcinfo -p 127.0.0.1 | grep -q '100021 *4 *udp' && rpcinfo -p 127.0.0.1 | grep -q '100021 *4 *tcp'"
check "NLM v1 and v3 are registered too" \
    sh -c "rpcinfo -p 127.0.0.1 | grep -q '100021 *1 *udp' && rpcinfo -p 127.0.0.1 | grep -q '100021 *3 *tcp'"
check "statd is registered with rpcbind (NSM v1)" \
    suite_wait 10 sh -c "rpcinfo -p 127.0.0.1 | grep -q '100024 *1 *udp'"

LOCKD=$(suite_pid lockd)
diag "lockd pid $LOCKD: $(proc_field "$LOCKD" Uid) / CapEff $(proc_field "$LOCKD" CapEff) / Seccomp $(proc_field "$LOCKD" Seccomp)"
check "lockd runs as dittofs-lockd" test "$(proc_field "$LOCKD" Uid | awk '{print $1}')" = "$(id -u dittofs-lockd)"
check "lockd: CapEff 0, NoNewPrivs 1, Seccomp 2" test "$(proc_field "$LOCKD" CapEff)/$(proc_field "$LOCKD" NoNewPrivs)/$(proc_field "$LOCKD" Seccomp)" = 0000000000000000/1/2
check "lockd is chrooted to the run directory" test "$(readlink /proc/$LOCKD/root)" = "$SUITE_DIR/run"

# statd: no directory descriptor that could lead out of its chroot.
STATD=$(suite_pid statd)
no_dir_fd() {
	local f n=0
	for f in /proc/$1/fd/*; do
		n=$((n + 1))
		if [ -d "$f" ]; then
			diag "fd $(basename "$f") of $1 is the directory $(readlink "$f")"
			return 1
		fi
	done
	[ $n -gt 0 ]
}
check "statd is chrooted to the run directory" test "$(readlink /proc/$STATD/root)" = "$SUITE_DIR/run"
check "statd: CapEff 0, NoNewPrivs 1, Seccomp 2" test "$(proc_field "$STATD" CapEff)/$(proc_field "$STATD" NoNewPrivs)/$(proc_field "$STATD" Seccomp)" = 0000000000000000/1/2
check "statd holds no directory descriptor" no_dir_fd "$STATD"
check "statd keeps its state in the A/B pair" test -s "$SUITE_DIR/state/statd/sm.a" -o -s "$SUITE_DIR/state/statd/sm.b"
check "the old one-file state was migrated and removed" test ! -e "$SUITE_DIR/state/statd/sm"
# SIGHUP (dittofs-run passes it on): neither may open the config under
# its seccomp filter; they say so and go on, instead of being killed.
kill -HUP "$STATD" "$LOCKD"
check "SIGHUP: statd and lockd say to use dittofsctl reload" \
    suite_wait 5 sh -c "grep -q 'statd cannot open files here' '$SUITE_DIR/run.log' && grep -q 'lockd cannot open files here' '$SUITE_DIR/run.log'"
check "and both are still the same processes" test "$(suite_pid statd)/$(suite_pid lockd)" = "$STATD/$LOCKD"

# lockd's RPC errors over TCP: its call headers are read by common/rpcmsg.c.
PROBE=$top_builddir/tests/clients/rpc-probe
NLMPORT=$(rpcinfo -p 127.0.0.1 | awk '$1 == 100021 && $2 == 4 && $3 == "tcp" { print $4; exit }')
check "lockd: NLM v4 NULL over TCP" test "$($PROBE -p "$NLMPORT" -P 100021 -V 4 null)" = SUCCESS
check "lockd: unknown procedure: PROC_UNAVAIL" test "$($PROBE -p "$NLMPORT" -P 100021 -V 4 badproc)" = PROC_UNAVAIL
check "lockd: RPC version 3: RPC_MISMATCH 2 2" test "$($PROBE -p "$NLMPORT" -P 100021 -V 4 rpcvers)" = "RPC_MISMATCH 2 2"
check "lockd: AUTH_SYS with bad lengths: AUTH_ERROR badcred" test "$($PROBE -p "$NLMPORT" -P 100021 -V 4 authbad)" = "AUTH_ERROR 1"
check "lockd: unknown auth flavor: AUTH_ERROR badcred" test "$($PROBE -p "$NLMPORT" -P 100021 -V 4 authflavor)" = "AUTH_ERROR 1"
check "lockd: NLM v5: PROG_MISMATCH 1 4" test "$($PROBE -p "$NLMPORT" -P 100021 -V 5 null)" = "PROG_MISMATCH 1 4"

# A lowered "max connections" holds after a reload, without a restart.
HOSTILE=$top_builddir/tests/clients/hostile
field() { awk -v f="$1" '{ for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }' <<<"$2"; }
# limits_reload DAEMON PORT PID MAX: 12 idle connections from four
# addresses, then MAX after a reload that lowers max connections to MAX.
limits_reload() {
	local d=$1 port=$2 pid=$3 max=$4 out
	local srcs=127.0.0.21,127.0.0.22,127.0.0.23,127.0.0.24
	out=$($HOSTILE -p "$port" -s $srcs -n 12 -t 2 idle)
	diag "$d before the reload: $out"
	check "$d holds 12 connections under the default limits" test "$(field open "$out")" = 12
	sed -i "/^\\[$d\\]\$/a max connections = $max\\nconnections per address = $max" "$SUITE_CONF"
	check "dittofsctl reload $d" suite_ctl reload "$d"
	out=$($HOSTILE -p "$port" -s $srcs -n 12 -t 2 idle)
	diag "$d after max connections = $max: $out"
	check "after the reload $d keeps $max of 12 (max connections)" test "$(field open "$out")" = "$max"
	check "and it is the same $d" test "$(suite_pid "$d")" = "$pid"
	sed -i "/^max connections = $max\$/d; /^connections per address = $max\$/d" "$SUITE_CONF"
	check "$d's limits go back with another reload" suite_ctl reload "$d"
}
limits_reload lockd "$NLMPORT" "$LOCKD" 6
check "lockd still answers NULL over TCP" test "$($PROBE -p "$NLMPORT" -P 100021 -V 4 null)" = SUCCESS
limits_reload statd "$(rpcinfo -p 127.0.0.1 | awk '$1 == 100024 && $3 == "tcp" { print $4; exit }')" "$STATD" 5

FH=$("$NLMC" fh -b "$SUITE_DIR/run/blockd.sock" -S export -n locked-file)
FH2=$("$NLMC" fh -b "$SUITE_DIR/run/blockd.sock" -S export -n shared-file)
check "a file handle from blockd for the test files" test -n "$FH" -a -n "$FH2"
diag "handle $FH"

# lockd has statd monitor a host while it holds something (SM_MON), and
# stops (SM_UNMON) once it has held nothing for a few seconds.
statd_monitors() { suite_ctl status statd 2>/dev/null | grep -q "; $1 monitored;"; }
lockd_unmons() { suite_ctl status lockd 2>/dev/null | grep -q "$1 SM_UNMON"; }
check "statd monitors nobody yet" statd_monitors 0
expect "hostU locks 0-9" "LOCK granted" nlmc hostU -p 5 -x lock "$FH" 0 10
check "statd monitors hostU (SM_MON)" suite_wait 10 statd_monitors 1
for i in 1 2 3; do
	nlmc hostU -p 5 unlock "$FH" 0 10 >/dev/null
	nlmc hostU -p 5 -x lock "$FH" 0 10 >/dev/null
done
check "a lock/unlock loop within the linger: no SM_UNMON" lockd_unmons 0
check "and hostU is still monitored" statd_monitors 1
expect "hostU unlocks its last lock" "UNLOCK granted" nlmc hostU -p 5 unlock "$FH" 0 10
check "after the linger lockd sends SM_UNMON" suite_wait 20 lockd_unmons 1
check "statd's monitor list loses hostU" suite_wait 5 statd_monitors 0
expect "hostU opens a share" "SHARE granted" nlmc hostU -p 5 share "$FH" r none
check "a share has hostU monitored again" suite_wait 10 statd_monitors 1
expect "hostU unshares" "UNSHARE granted" nlmc hostU -p 5 unshare "$FH"
check "after its last share: unmonitored" suite_wait 20 statd_monitors 0
expect "hostU locks 0-9 and 20-29" "LOCK granted" nlmc hostU -p 5 -x lock "$FH" 20 10
nlmc hostU -p 5 -x lock "$FH" 0 10 >/dev/null
check "hostU monitored once more" suite_wait 10 statd_monitors 1
expect "hostU unlocks one of two" "UNLOCK granted" nlmc hostU -p 5 unlock "$FH" 20 10
sleep 7
check "holding one lock still, it stays monitored past the linger" statd_monitors 1
expect "hostU's FREE_ALL" "FREE_ALL sent" nlmc hostU freeall
check "FREE_ALL: unmonitored after the linger" suite_wait 20 statd_monitors 0
check "lockd sent three SM_UNMON" lockd_unmons 3

# Conflicts across hosts; TEST reports the holder.
expect "hostA takes a write lock on 0-99" "LOCK granted" nlmc hostA -p 11 -x lock "$FH" 0 100
expect "hostB's write lock on 50-59 is denied" "LOCK denied" nlmc hostB -p 22 -x lock "$FH" 50 10
expect "hostB's read lock too" "LOCK denied" nlmc hostB -p 22 lock "$FH" 90 20
expect "TEST from hostB reports hostA's lock (v4)" "TEST denied svid 11 excl 1 off 0 len 100 oh 11@hostA" nlmc hostB -p 22 -x test "$FH" 50 10
expect "TEST over TCP" "TEST denied svid 11" nlmc hostB -p 22 -T tcp -x test "$FH" 50 10
expect "TEST with NLM v1" "TEST denied svid 11 excl 1 off 0 len 100" nlmc hostB -p 22 -V 1 -x test "$FH" 50 10
expect "TEST with NLM v3" "TEST denied svid 11" nlmc hostB -p 22 -V 3 -x test "$FH" 50 10
expect "beyond hostA's range hostB locks" "LOCK granted" nlmc hostB -p 22 -x lock "$FH" 100 10
expect "hostA's own TEST sees no conflict with itself" "TEST granted" nlmc hostA -p 11 -x test "$FH" 0 100
expect "a handle blockd does not know is refused (stale)" "LOCK stale_fh" nlmc hostA -p 11 -x lock 0011223344 0 1

# Share rules (clients, insecure) apply to NLM as to MOUNT and NFS.
FH_LAB=$("$NLMC" fh -b "$SUITE_DIR/run/blockd.sock" -S lab -n f)
FH_SEC=$("$NLMC" fh -b "$SUITE_DIR/run/blockd.sock" -S secure -n f)
FH_OPEN=$("$NLMC" fh -b "$SUITE_DIR/run/blockd.sock" -S open -n f)
check "handles in shares lab, secure and open" test -n "$FH_LAB" -a -n "$FH_SEC" -a -n "$FH_OPEN"
# As an unprivileged user the client's RPC socket gets no reserved port.
nlmc_user() {
	local h=$1
	shift
	in_client setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$NLMC" -s $SERVER -H "$h" "$@" 2>&1
}
# Refusals are knfsd's: NLM4_FAILED, and LCK_DENIED_NOLOCKS before v4.
expect "a lock in a share whose clients exclude the caller fails (NLM4_FAILED)" "LOCK failed" nlmc hostA -p 11 -x lock "$FH_LAB" 0 10
expect "so does TEST there" "TEST failed" nlmc hostA -p 11 -x test "$FH_LAB" 0 10
expect "and NLM v3 LOCK_MSG: LOCK_RES denied_nolocks" "LOCK_RES denied_nolocks" nlmc hostA -p 11 -V 3 -M -x lock "$FH_LAB" 0 10
check "lockd logs the refusal" suite_wait 5 grep -q "refused: not a client of share lab" "$SUITE_DIR/run.log"
expect "from a reserved port a client of the secure share locks" "LOCK granted" nlmc hostA -p 11 -x lock "$FH_SEC" 0 10
expect "from an unprivileged port it fails (insecure = no is the default)" "LOCK failed" nlmc_user hostB -p 22 -x lock "$FH_SEC" 20 10
check "lockd logs the port refusal" suite_wait 5 grep -q "share secure needs a source port below 1024" "$SUITE_DIR/run.log"
expect "insecure = yes: an unprivileged port may lock" "LOCK granted" nlmc_user hostB -p 22 -x lock "$FH_OPEN" 0 10
nlmc hostA -p 11 unlock "$FH_SEC" 0 10 >/dev/null
nlmc_user hostB -p 22 unlock "$FH_OPEN" 0 10 >/dev/null

suite_ctl locks > "$SUITE_DIR/locks.out" 2>&1
check "dittofsctl locks lists file, range, type, owner, host, protocol" \
    grep -q "0-99 *write *11@hostA/svid 11 *hostA@10.231.0.2 *nlm" "$SUITE_DIR/locks.out"
sed "s/^/# /" "$SUITE_DIR/locks.out"

# A blocked lock granted by a callback when the holder unlocks.
nlmc hostB -p 22 -x -B -W 20 lock "$FH" 0 10 > "$SUITE_DIR/blocked.out" &
BG=$!
check "hostB's blocking lock is queued (LCK_BLOCKED)" \
    suite_wait 10 grep -q "LOCK blocked" "$SUITE_DIR/blocked.out"
check "dittofsctl locks shows the waiter" \
    suite_wait 5 sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF locks | grep -q 'wait-wr.*hostB'"
expect "hostA unlocks" "UNLOCK granted" nlmc hostA -p 11 unlock "$FH" 0 100
check "hostB gets the GRANTED callback" \
    suite_wait 15 grep -q "GRANTED callback svid 22 off 0 len 10" "$SUITE_DIR/blocked.out"
wait $BG 2>/dev/null
BG=
expect "hostB now holds 0-9" "TEST denied svid 22" nlmc hostA -p 11 -x test "$FH" 0 10
# The grant reached lockd as stated's push, which lockd acknowledged.
stated_pushes_acked() {
	suite_ctl status stated 2>/dev/null |
	    grep -q " 0 push(es) awaiting an ACK, [1-9][0-9]* sent"
}
check "lockd acknowledged stated's GRANTED push: none awaits an ACK" \
    suite_wait 5 stated_pushes_acked

# CANCEL of a queued request.
expect "hostA's blocking lock on 0-9 is queued" "LOCK blocked" nlmc hostA -p 11 -x -B lock "$FH" 0 10
expect "hostA cancels it" "CANCEL granted" nlmc hostA -p 11 -x cancel "$FH" 0 10
check "no waiter is left" sh -c "! DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF locks | grep -q wait-"
expect "a second CANCEL finds nothing" "CANCEL denied" nlmc hostA -p 11 -x cancel "$FH" 0 10
expect "hostB unlocks 0-9" "UNLOCK granted" nlmc hostB -p 22 unlock "$FH" 0 10
expect "and hostA was not given it" "TEST granted" nlmc hostB -p 22 -x test "$FH" 0 10

# A blocked request that came over TCP is granted over TCP, to the NLM
# port the client's rpcbind names for TCP, and over UDP when there is
# none there or it refuses the connection.
# granted_over CALLBACKS VIA WHAT: hostA holds 0-9; hostB asks for it
# over TCP, its callback service as nlm-client -C CALLBACKS has it; hostA
# unlocks; hostB gets GRANTED over VIA.
granted_over() {
	local cb=$1 via=$2 what=$3 out=$SUITE_DIR/blocked-$1.out
	nlmc hostA -p 11 -x lock "$FH" 0 10 >/dev/null
	nlmc hostB -p 22 -T tcp -C "$cb" -x -B -W 20 lock "$FH" 0 10 > "$out" &
	BG=$!
	check "$what: hostB's blocking lock over TCP is queued" \
	    suite_wait 10 grep -q "LOCK blocked" "$out"
	nlmc hostA -p 11 unlock "$FH" 0 10 >/dev/null
	check "$what: hostB gets GRANTED over $via" \
	    suite_wait 15 grep -q "GRANTED callback svid 22 off 0 len 10 excl 1 via $via" "$out"
	wait $BG 2>/dev/null
	BG=
	sed "s/^/# /" "$out"
	expect "$what: hostB holds 0-9" "TEST denied svid 22" nlmc hostA -p 11 -x test "$FH" 0 10
	nlmc hostB -p 22 unlock "$FH" 0 10 >/dev/null
}
granted_over tcp tcp "client on TCP only"
granted_over udp udp "no NLM over TCP in the client's rpcbind"
check "lockd logged the fallback" grep -q "over TCP: no NLM over TCP in its portmapper; trying UDP" "$SUITE_DIR/run.log"
granted_over deadtcp udp "its rpcbind names a TCP port where nothing listens"
check "lockd logged that it could not connect" grep -q "over TCP: cannot connect; trying UDP" "$SUITE_DIR/run.log"
expect "0-9 is free again" "TEST granted" nlmc hostA -p 11 -x test "$FH" 0 10

# Deadlock across hosts: the wait-for graph spans owners of every host.
nlmc hostA -p 11 -x lock "$FH" 0 10 >/dev/null
nlmc hostB -p 22 -x lock "$FH" 10 10 >/dev/null
expect "hostA waits for hostB's 10-19" "LOCK blocked" nlmc hostA -p 11 -x -B lock "$FH" 10 10
expect "hostB waiting for hostA's 0-9 would deadlock: NLM4_DEADLCK" "LOCK deadlck" nlmc hostB -p 22 -x -B lock "$FH" 0 10
expect "the same in NLM v3: LCK_DENIED" "LOCK denied" nlmc hostB -p 22 -V 3 -x -B lock "$FH" 0 10
nlmc hostA -p 11 -x cancel "$FH" 10 10 >/dev/null
nlmc hostA -p 11 unlock "$FH" 0 10 >/dev/null
nlmc hostB -p 22 unlock "$FH" 10 10 >/dev/null

# A refused GRANTED callback releases the lock again.
expect "hostB locks 0-9 again" "LOCK granted" nlmc hostB -p 22 -x lock "$FH" 0 10
nlmc hostA -p 11 -x -B -D -W 20 lock "$FH" 0 10 > "$SUITE_DIR/refused.out" &
BG=$!
suite_wait 10 grep -q "LOCK blocked" "$SUITE_DIR/refused.out"
nlmc hostB -p 22 unlock "$FH" 0 10 >/dev/null
check "hostA refuses the GRANTED callback" suite_wait 15 grep -q "GRANTED callback" "$SUITE_DIR/refused.out"
wait $BG 2>/dev/null
BG=
check "so the lock is released" suite_wait 5 sh -c "nsenter -t $CLIENT_NS -n -m '$NLMC' -s $SERVER -H hostB -p 22 -x test '$FH' 0 10 | grep -q 'TEST granted'"

# The _MSG forms, answered by _RES calls to the client's NLM service.
expect "LOCK_MSG is answered by LOCK_RES granted" "LOCK_RES granted" nlmc hostA -p 11 -M -x lock "$FH" 0 10
expect "TEST_MSG from hostB: TEST_RES denied" "TEST_RES denied" nlmc hostB -p 22 -M -x test "$FH" 0 10
expect "LOCK_MSG from hostB: LOCK_RES denied" "LOCK_RES denied" nlmc hostB -p 22 -M -x lock "$FH" 0 10
expect "UNLOCK_MSG: UNLOCK_RES granted" "UNLOCK_RES granted" nlmc hostA -p 11 -M unlock "$FH" 0 10
expect "NLM v3 TEST_MSG: TEST_RES granted" "TEST_RES granted" nlmc hostB -p 22 -V 3 -M -x test "$FH" 0 10
expect "CANCEL_MSG of nothing: CANCEL_RES denied" "CANCEL_RES denied" nlmc hostB -p 22 -M -x cancel "$FH" 0 10

# SHARE and UNSHARE (DOS share modes).
expect "hostA opens for read+write, denying write" "SHARE granted" nlmc hostA -p 11 share "$FH2" rw w
expect "hostB's open for write is refused" "SHARE denied" nlmc hostB -p 22 share "$FH2" w none
expect "hostB's open for read is fine" "SHARE granted" nlmc hostB -p 22 share "$FH2" r none
expect "hostA unshares" "UNSHARE granted" nlmc hostA -p 11 unshare "$FH2"
expect "hostB unshares" "UNSHARE granted" nlmc hostB -p 22 unshare "$FH2"
expect "now hostB may open for write" "SHARE granted" nlmc hostB -p 22 -o other share "$FH2" w none
expect "NLM v1 has no SHARE (procedure unavailable)" "unavailable" nlmc hostB -p 22 -V 1 share "$FH2" r none
nlmc hostB -p 22 -o other unshare "$FH2" >/dev/null

# FREE_ALL releases everything of one host.
nlmc hostA -p 11 -x lock "$FH" 200 10 >/dev/null
nlmc hostA -p 12 lock "$FH" 300 10 >/dev/null
nlmc hostB -p 22 -x lock "$FH" 400 10 >/dev/null
expect "hostA's FREE_ALL" "FREE_ALL sent" nlmc hostA freeall
check "hostA's locks are gone" suite_wait 5 sh -c "nsenter -t $CLIENT_NS -n -m '$NLMC' -s $SERVER -H hostB -p 22 -x test '$FH' 200 200 | grep -q 'TEST granted'"
expect "hostB's lock stays" "TEST denied svid 22" nlmc hostA -p 11 -x test "$FH" 400 10
nlmc hostB -p 22 unlock "$FH" 0 0 >/dev/null

# SM_NOTIFY from a rebooted client frees its locks (statd -> stated).
expect "hostA locks 500-509" "LOCK granted" nlmc hostA -p 11 -x lock "$FH" 500 10
expect "statd answers SM_STAT" "STAT succ state" nlmc hostA mon
expect "its state number went on from the migrated one (41 -> 43)" "STAT succ state 43" nlmc hostA mon
expect "hostA (rebooted) sends SM_NOTIFY to statd" "NOTIFY sent" nlmc hostA notify 3
check "hostA's locks are released" suite_wait 10 sh -c "nsenter -t $CLIENT_NS -n -m '$NLMC' -s $SERVER -H hostB -p 22 -x test '$FH' 500 10 | grep -q 'TEST granted'"

restarted() {
	local p
	p=$(suite_pid "$1")
	[ -n "$p" ] && [ "$p" != "$2" ]
}

# A third host, from another address, names hostA: it may neither free
# nor take hostA's lock (a lock belongs to a name and an address).
expect "hostA locks 520-529" "LOCK granted" nlmc hostA -p 11 -x lock "$FH" 520 10
# Each attack on its own: hostA holds the lock before each (a no-op
# when the attack before did nothing).
retake520() { nlmc hostA -p 11 -x lock "$FH" 520 10 >/dev/null; }
expect "the attacker, at $ATTACKER, sends FREE_ALL naming hostA" "FREE_ALL sent" nlmc hostA -b $ATTACKER freeall
check "stated released only what hostA holds from $ATTACKER (nothing)" \
    suite_wait 5 grep -q "released 0 lock(s) and share(s) of host hostA@$ATTACKER" "$SUITE_DIR/run.log"
expect "after the attacker's FREE_ALL hostA's lock is still held" "TEST denied svid 11" nlmc hostB -p 22 -x test "$FH" 520 10
retake520
expect "the attacker sends SM_NOTIFY naming hostA" "NOTIFY sent" nlmc hostA -b $ATTACKER notify 5
check "statd ignores it: hostA is not monitored at $ATTACKER" \
    suite_wait 5 grep -q "SM_NOTIFY from $ATTACKER for hostA ignored" "$SUITE_DIR/run.log"
expect "after the attacker's SM_NOTIFY hostA's lock is still held" "TEST denied svid 11" nlmc hostB -p 22 -x test "$FH" 520 10
retake520
expect "the attacker repeats hostA's caller_name, svid and oh in UNLOCK" "UNLOCK granted" nlmc hostA -b $ATTACKER -p 11 unlock "$FH" 520 10
expect "after the attacker's UNLOCK hostA's lock is still held" "TEST denied svid 11" nlmc hostB -p 22 -x test "$FH" 520 10
retake520
expect "the attacker's LOCK of the range as hostA is denied" "LOCK denied" nlmc hostA -b $ATTACKER -p 11 -x lock "$FH" 520 10
expect "over TCP too" "LOCK denied" nlmc hostA -b $ATTACKER -T tcp -p 11 -x lock "$FH" 520 10
expect "the attacker's TEST as hostA sees hostA's lock as another's" "TEST denied svid 11" nlmc hostA -b $ATTACKER -p 11 -x test "$FH" 520 10
expect "hostA's own SM_NOTIFY, from its address" "NOTIFY sent" nlmc hostA notify 7
check "releases hostA's lock" suite_wait 10 sh -c "nsenter -t $CLIENT_NS -n -m '$NLMC' -s $SERVER -H hostB -p 22 -x test '$FH' 520 10 | grep -q 'TEST granted'"

# statd restarts: its state number and monitor list survive.
STATE1=$(nlmc hostA mon | awk '/STAT succ/ { print $4 }')
expect "hostA locks 540-549 (monitored)" "LOCK granted" nlmc hostA -p 11 -x lock "$FH" 540 10
STATD=$(suite_pid statd)
kill -KILL "$STATD"
check "dittofs-run restarts statd" suite_wait 20 restarted statd "$STATD"
check "the new statd answers" suite_wait 10 sh -c "nsenter -t $CLIENT_NS -n -m '$NLMC' -s $SERVER -H hostA mon | grep -q 'STAT succ'"
STATE2=$(nlmc hostA mon | awk '/STAT succ/ { print $4 }')
diag "statd state $STATE1 before the restart, $STATE2 after"
check "the state number went on from the saved one" test "${STATE2:-0}" -eq $((${STATE1:-0} + 2))
check "the restarted statd holds no directory descriptor" no_dir_fd "$(suite_pid statd)"
expect "hostA's SM_NOTIFY still counts: the monitor list survived" "NOTIFY sent" nlmc hostA notify 9
check "and releases hostA's lock" suite_wait 10 sh -c "nsenter -t $CLIENT_NS -n -m '$NLMC' -s $SERVER -H hostB -p 22 -x test '$FH' 540 10 | grep -q 'TEST granted'"

# kill -9 lockd: the lock lives in stated and still excludes.
expect "hostA locks 600-609" "LOCK granted" nlmc hostA -p 11 -x lock "$FH" 600 10
kill -KILL "$LOCKD"
check "dittofs-run restarts lockd" suite_wait 20 restarted lockd "$LOCKD"
check "the new lockd is registered" suite_wait 10 sh -c "rpcinfo -u 127.0.0.1 100021 4 >/dev/null"
expect "after the lockd restart hostA's lock still excludes hostB" "LOCK denied" nlmc hostB -p 22 -x lock "$FH" 600 10
expect "and TEST still names hostA" "TEST denied svid 11" nlmc hostB -p 22 -x test "$FH" 600 10

# Garbage to lockd: dropped or refused, and lockd goes on.
printf 'garbage that is no RPC message at all' > /dev/udp/127.0.0.1/$(rpcinfo -p 127.0.0.1 | awk '$1 == 100021 && $2 == 4 && $3 == "udp" { print $4; exit }')
check "lockd survives garbage and answers NULL" sh -c "rpcinfo -u 127.0.0.1 100021 4 >/dev/null"
LOCKD=$(suite_pid lockd)

# kill -9 stated: a new epoch; hostA and hostB held locks, so grace.
expect "hostB locks 700-709" "LOCK granted" nlmc hostB -p 22 -x lock "$FH" 700 10
# A request still queued when stated goes: lockd re-announces it.
expect "hostA's blocking lock on 700-709 is queued" "LOCK blocked" nlmc hostA -p 11 -x -B lock "$FH" 700 10
STATED=$(suite_pid stated)
kill -KILL "$STATED"
check "dittofs-run restarts stated" suite_wait 20 restarted stated "$STATED"
suite_ctl grace > "$SUITE_DIR/grace.out" 2>&1
check "dittofsctl grace: in grace, 2 clients reclaiming" grep -q "in grace:.*2 client" "$SUITE_DIR/grace.out"
sed "s/^/# /" "$SUITE_DIR/grace.out"
check "lockd reconnects to the new stated" suite_wait 10 sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status stated | grep -q 'peer lockd'"
check "lockd's re-announced request is refused in grace and dropped" \
    suite_wait 10 grep -q "not re-queued" "$SUITE_DIR/run.log"
expect "an unknown host's lock is refused during grace" "LOCK denied_grace_period" nlmc hostC -p 33 -x lock "$FH" 800 10
expect "an unknown host may not reclaim" "LOCK denied" nlmc hostC -p 33 -x -R lock "$FH" 800 10
expect "TEST during grace: denied_grace_period" "TEST denied_grace_period" nlmc hostC -p 33 -x test "$FH" 600 10
expect "hostA reclaims its lock" "LOCK granted" nlmc hostA -p 11 -x -R lock "$FH" 600 10
expect "hostB reclaims its lock" "LOCK granted" nlmc hostB -p 22 -x -R lock "$FH" 700 10
expect "hostA's first new lock ends its reclaim but grace goes on" "LOCK denied_grace_period" nlmc hostA -p 11 -x lock "$FH" 900 10
expect "hostB's new lock ends the grace period early (all reclaimed)" "LOCK granted" nlmc hostB -p 22 -x lock "$FH" 900 10
check "dittofsctl grace: not in grace" sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF grace | grep -q 'not in grace'"
expect "the reclaimed lock excludes again" "TEST denied svid 11" nlmc hostC -p 33 -x test "$FH" 600 10
expect "a reclaim out of grace is refused" "LOCK denied_grace_period" nlmc hostA -p 11 -x -R lock "$FH" 1000 10

# Another restart; dittofsctl grace end lets everyone in.
STATED=$(suite_pid stated)
kill -KILL "$STATED"
check "stated restarts again" suite_wait 20 restarted stated "$STATED"
check "in grace again" sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF grace | grep -q 'in grace:'"
expect "dittofsctl grace end" "grace period ended" suite_ctl grace end
check "lockd is back on stated" suite_wait 10 sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status stated | grep -q 'peer lockd'"
expect "after grace end hostC locks" "LOCK granted" nlmc hostC -p 33 -x lock "$FH" 800 10

# A lockd restart while a request is blocked: it is re-queued or cancelled.
expect "hostA's blocking lock on hostC's range" "LOCK blocked" nlmc hostA -p 11 -x -B lock "$FH" 800 10
LOCKD=$(suite_pid lockd)
kill -KILL "$LOCKD"
check "lockd restarts" suite_wait 20 restarted lockd "$LOCKD"
check "its blocked request was cancelled cleanly in stated" suite_wait 10 sh -c "! DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF locks | grep -q wait-"

STATED_LAST=$(suite_pid stated)

# A lock flood: one host beyond "locks per host" (16), then new names
# from one address beyond "clients per address" (8).
FH3=$("$NLMC" fh -b "$SUITE_DIR/run/blockd.sock" -S export -n flooded-file)
expect "one host, 24 locks: 16 granted, 8 refused with NLM4_DENIED_NOLOCKS" \
    "FLOOD granted 16 nolocks 8 other 0" nlmc flooder -b 10.231.0.4 flood "$FH3" 24
check "the refusal is logged" grep -q "host flooder@10.231.0.4 holds 16 lock" "$SUITE_DIR/run.log"
expect "in NLM v3 the refusal is LCK_DENIED_NOLOCKS" "LOCK denied_nolocks" nlmc flooder -b 10.231.0.4 -V 3 -x lock "$FH3" 700 5
expect "unlocking at the limit is possible" "UNLOCK granted" nlmc flooder -b 10.231.0.4 unlock "$FH3" 0 10
expect "then one more lock is granted" "LOCK granted" nlmc flooder -b 10.231.0.4 -x lock "$FH3" 500 5
expect "another host is not held back by it" "LOCK granted" nlmc hostB -p 22 -x lock "$FH3" 600 5
expect "40 names from one address: 8 granted, 32 NLM4_DENIED_NOLOCKS" \
    "FLOOD granted 8 nolocks 32 other 0" nlmc name -N -b 10.231.0.5 flood "$FH3" 40
suite_ctl grace > "$SUITE_DIR/records.out" 2>&1
NREC=$(grep -c " 10.231.0.5 " "$SUITE_DIR/records.out")
diag "client records of 10.231.0.5: $NREC"
check "stated keeps at most 8 client records of that address" test "$NREC" -le 8 -a "$NREC" -gt 0
expect "the flooder frees its own locks (FREE_ALL from its address)" "FREE_ALL sent" nlmc flooder -b 10.231.0.4 freeall
check "which releases them" suite_wait 5 sh -c "nsenter -t $CLIENT_NS -n -m '$NLMC' -s $SERVER -H hostB -p 22 -x test '$FH3' 0 400 | grep -q 'TEST granted'"
for i in 0 1 2 3 4 5 6 7; do nlmc "name-$i" -b 10.231.0.5 freeall >/dev/null; done
check "a name's records that hold nothing make room for a new name" \
    suite_wait 5 sh -c "nsenter -t $CLIENT_NS -n -m '$NLMC' -s $SERVER -H newname -b 10.231.0.5 -x lock '$FH3' 2000000 5 | grep -q 'LOCK granted'"
check "stated still answers, and is still the same process" test "$(suite_pid stated)" = "$STATED_LAST"

# stated keeps a push until its front end acknowledges it, and sends it
# again when that front end reconnects (DESIGN.md 3); st-check plays two
# nfsd front ends.
"$top_builddir/tests/clients/st-check" push "$SUITE_DIR/run/stated.sock" \
    > "$SUITE_DIR/st-push.out" 2>&1
while read -r line; do
	case "$line" in
	"ok "*) ok "stated push: ${line#ok * - }" ;;
	"not ok "*) not_ok "stated push: ${line#not ok * - }" ;;
	"#"*) echo "$line" ;;
	esac
done < "$SUITE_DIR/st-push.out"
check "the push run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/st-push.out"

check "SIGTERM stops the suite" suite_stop
no_daemons() { ! pgrep -f "dittofs-.* -f $SUITE_CONF" >/dev/null; }
check "no daemon of this instance is left" no_daemons
# A clean stop unsets the registrations, also those of the restarted lockd.
out=$(rpcinfo -p 127.0.0.1 2>&1)
diag "rpcinfo -p after the stop: $(echo "$out" | tr '\n' ';')"
check "after a clean stop rpcinfo -p lists neither NLM nor NSM" \
    sh -c "! echo '$out' | grep -Eq '1000(21|24) '"
grep -E "fatal|killed by signal (6|11|31)" "$SUITE_DIR/run.log" | head -5 | while read -r l; do diag "log: $l"; done
check "no daemon died on its own (no abort, segfault or seccomp kill)" \
    sh -c "! grep -E 'killed by signal (6|11|31)' '$SUITE_DIR/run.log'"
tap_done
