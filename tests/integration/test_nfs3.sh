#!/bin/bash
# Integration: dittofs-nfsd on NFS port 2049 and MOUNT port 20048, in a
# private network namespace with its own rpcbind (tests/e2e/in-netns):
# rpcinfo -p, showmount -e, libnfs-utils copies in and out with sha256
# compare, the RPC error paths through tests/clients/rpc-probe, export
# policy (read only, clients, handles of another share), the sandbox in
# /proc/PID/status, and blockd and nfsd killed under it.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
suite_in_netns "$0" "$@"
suite_users
# lib.sh's [share export] is the last section: the keys below join it.
SUITE_WITH=nfsd
suite_setup
PROBE=$top_builddir/tests/clients/rpc-probe
P=2049
M=20048
cat >> "$SUITE_CONF" <<CONF
root squash = no

[share ro]
path = /ro
read only = yes
root squash = no

[share private]
path = /private
clients = 127.0.0.2
root squash = no

[nfsd]
port = $P
mount port = $M

[run]
# nfsd is killed many times below: keep each restart within 2 s.
restart delay max = 2
CONF
Q="?version=3&nfsport=$P&mountport=$M"
URL=nfs://127.0.0.1

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
check "nfsd answers NULL on $P" suite_wait 10 sh -c "$PROBE -p $P null | grep -q SUCCESS"
NFSD=$(suite_pid nfsd)

# The sandbox while serving port 2049 (started as root).
uid=$(proc_field "$NFSD" Uid)
diag "nfsd pid $NFSD: Uid $uid CapEff $(proc_field "$NFSD" CapEff) NoNewPrivs $(proc_field "$NFSD" NoNewPrivs) Seccomp $(proc_field "$NFSD" Seccomp)"
check "nfsd: no uid field is 0" sh -c "echo '$uid' | awk '{ for (i = 1; i <= 4; i++) if (\$i == 0) exit 1 }'"
check "nfsd: runs as dittofs-nfsd" test "$(echo "$uid" | awk '{print $1}')" = "$(id -u dittofs-nfsd)"
check "nfsd: CapEff is 0" test "$(proc_field "$NFSD" CapEff)" = 0000000000000000
check "nfsd: NoNewPrivs is 1" test "$(proc_field "$NFSD" NoNewPrivs)" = 1
check "nfsd: Seccomp is 2" test "$(proc_field "$NFSD" Seccomp)" = 2
check "nfsd: chroot to the run directory" test "$(readlink /proc/$NFSD/root)" = "$SUITE_DIR/run"

# rpcbind and showmount.
if [ -n "$RPCBIND_PID" ]; then
	out=$(rpcinfo -p 127.0.0.1 2>&1)
	diag "$(echo "$out" | grep -E 'nfs|mount|10000[35]' | tr '\n' ';')"
	check "rpcinfo -p lists NFS v3 on tcp $P" sh -c "echo '$out' | grep -Eq '100003 +3 +tcp +$P'"
	check "rpcinfo -p lists MOUNT v3 on tcp and udp $M" sh -c "echo '$out' | grep -Eq '100005 +3 +tcp +$M' && echo '$out' | grep -Eq '100005 +3 +udp +$M'"
	out=$(timeout 20 showmount -e 127.0.0.1 2>&1)
	diag "showmount: $(echo "$out" | tr '\n' ';')"
	check "showmount -e lists /export, /ro and /private 127.0.0.2" sh -c "echo '$out' | grep -q '^/export' && echo '$out' | grep -q '^/ro' && echo '$out' | grep -Eq '^/private +127.0.0.2'"
else
	skip "no rpcbind" "rpcinfo -p"
	skip "no rpcbind" "rpcinfo -p (MOUNT)"
	skip "no rpcbind" "showmount -e"
fi

# libnfs-utils: copies in and out, sha256 compared.
if command -v nfs-cp >/dev/null; then
	head -c 5000000 /dev/urandom > "$SUITE_DIR/big.in"
	head -c 1234 /dev/urandom > "$SUITE_DIR/small.in"
	: > "$SUITE_DIR/empty.in"
	for f in big small empty; do
		timeout 60 nfs-cp "$SUITE_DIR/$f.in" "$URL/export/$f$Q" >/dev/null 2>"$SUITE_DIR/cp.err"
		check "nfs-cp $f in" test $? -eq 0
		timeout 60 nfs-cp "$URL/export/$f$Q" "$SUITE_DIR/$f.out" >/dev/null 2>>"$SUITE_DIR/cp.err"
		check "nfs-cp $f out, same sha256" test "$(sha256sum < "$SUITE_DIR/$f.in")" = "$(sha256sum < "$SUITE_DIR/$f.out" 2>/dev/null)"
	done
	out=$(timeout 20 nfs-ls "$URL/export/$Q" 2>&1)
	check "nfs-ls lists the files with their sizes" sh -c "echo '$out' | grep -q ' 5000000 big' && echo '$out' | grep -q ' 1234 small'"
	# MOUNT on the NFS port too (mountport = the NFS port).
	out=$(timeout 20 nfs-ls "$URL/export/?version=3&nfsport=$P&mountport=$P" 2>&1)
	check "MOUNT answers on the NFS port" sh -c "echo '$out' | grep -q ' big'"
	timeout 20 nfs-cp "$SUITE_DIR/small.in" "$URL/ro/x$Q" >/dev/null 2>"$SUITE_DIR/ro.err"
	check "a read-only share refuses a create" sh -c "grep -q ROFS $SUITE_DIR/ro.err"
	timeout 20 nfs-ls "$URL/private/$Q" >/dev/null 2>"$SUITE_DIR/priv.err"
	check "a share for 127.0.0.2 refuses 127.0.0.1's MNT" test -s "$SUITE_DIR/priv.err"
else
	skip "no libnfs-utils" "nfs-cp"
fi

# RPC error paths (tests/clients/rpc-probe), then the daemon still answers.
check "garbage arguments: GARBAGE_ARGS" test "$($PROBE -p $P garbage)" = GARBAGE_ARGS
check "truncated record: connection closed" test "$($PROBE -p $P truncated)" = closed
check "4 GiB record length: connection closed, no allocation" test "$($PROBE -p $P huge)" = closed
check "unknown procedure: PROC_UNAVAIL" test "$($PROBE -p $P badproc)" = PROC_UNAVAIL
check "NFS version 2: PROG_MISMATCH 3 3" test "$($PROBE -p $P badvers)" = "PROG_MISMATCH 3 3"
check "unknown program: PROG_UNAVAIL" test "$($PROBE -p $P badprog)" = PROG_UNAVAIL
check "RPC version 3: RPC_MISMATCH 2 2" test "$($PROBE -p $P rpcvers)" = "RPC_MISMATCH 2 2"
check "AUTH_UNIX with bad lengths: AUTH_ERROR badcred" test "$($PROBE -p $P authbad)" = "AUTH_ERROR 1"
check "unknown auth flavor: AUTH_ERROR badcred" test "$($PROBE -p $P authflavor)" = "AUTH_ERROR 1"
ROOT=$($PROBE -p $M mnt /export)
RO=$($PROBE -p $M mnt /ro)
diag "root handle $ROOT"
check "MNT of /export gives a handle" test ${#ROOT} -gt 16
check "MNT of an unknown path: MNT3ERR_NOENT" test "$($PROBE -p $M mnt /nope)" = "MNT3ERR 2"
check "bad handle: NFS3ERR_BADHANDLE" test "$($PROBE -p $P getattr 0102030405)" = NFS3ERR_BADHANDLE
check "forged handle (MAC broken): NFS3ERR_STALE" test "$($PROBE -p $P stale "$ROOT")" = NFS3ERR_STALE
check "the root handle works" test "$($PROBE -p $P getattr "$ROOT")" = NFS3_OK
check "create in the read-only share by handle: NFS3ERR_ROFS" test "$($PROBE -p $P create "$RO" f)" = NFS3ERR_ROFS
check "rename from one share into another: NFS3ERR_XDEV" test "$($PROBE -p $P rename "$ROOT" small "$RO" small)" = NFS3ERR_XDEV
PRIV=$($PROBE -p $M -s 127.0.0.2 mnt /private)
check "127.0.0.2 mounts /private" test ${#PRIV} -gt 16
check "its handle from 127.0.0.1: NFS3ERR_ACCES" test "$($PROBE -p $P getattr "$PRIV")" = NFS3ERR_ACCES
check "its handle from 127.0.0.2: NFS3_OK" test "$($PROBE -p $P -s 127.0.0.2 getattr "$PRIV")" = NFS3_OK
check "nfsd survived all of it (same pid)" test "$(suite_pid nfsd)" = "$NFSD"

# blockd killed: nfsd reconnects, re-announces its shares, serves again.
BLOCKD=$(suite_pid blockd)
kill -KILL "$BLOCKD"
restarted() { local p; p=$(suite_pid "$1"); [ -n "$p" ] && [ "$p" != "$2" ]; }
check "blockd restarted" suite_wait 20 restarted blockd "$BLOCKD"
check "nfsd serves GETATTR again after blockd's restart" suite_wait 20 sh -c "test \"\$($PROBE -p $P getattr $ROOT)\" = NFS3_OK"
if command -v nfs-cp >/dev/null; then
	rm -f "$SUITE_DIR/big.out2"
	timeout 60 nfs-cp "$URL/export/big$Q" "$SUITE_DIR/big.out2" >/dev/null 2>&1
	check "data read after blockd's restart matches" test "$(sha256sum < "$SUITE_DIR/big.in")" = "$(sha256sum < "$SUITE_DIR/big.out2" 2>/dev/null)"
fi
check "nfsd was not restarted by that" test "$(suite_pid nfsd)" = "$NFSD"

# nfsd killed: dittofs-run starts a new one, handles stay valid.
kill -KILL "$NFSD"
check "nfsd restarted after kill -9" suite_wait 20 restarted nfsd "$NFSD"
check "an old handle works with the new nfsd" suite_wait 20 sh -c "test \"\$($PROBE -p $P getattr $ROOT)\" = NFS3_OK"

# Restart in place: dittofs-run holds the listening sockets, so a client
# that connects while nfsd is dead waits in the backlog and is served
# by the next nfsd, which watches its sockets only once it knows every
# share's root (no MNT3ERR_SERVERFAULT in between).
for round in 1 2 3; do
	NFSD=$(suite_pid nfsd)
	kill -KILL "$NFSD"
	rm -f "$SUITE_DIR/big.out3"
	timeout 60 nfs-cp "$URL/export/big$Q" "$SUITE_DIR/big.out3" >/dev/null 2>"$SUITE_DIR/restart.err"
	check "kill -9 nfsd, round $round: a client connecting at once reads identical data" \
	    cmp -s "$SUITE_DIR/big.in" "$SUITE_DIR/big.out3"
	suite_wait 20 restarted nfsd "$NFSD"
done

# The duplicate request cache outlives nfsd (it is kept in stated): a
# REMOVE retransmitted with the same xid, on a new connection, after
# kill -9 gets the original NFS3_OK, where running it again would say
# NFS3ERR_NOENT; another xid does say NOENT, so the check can fail.
drc_remove() { "$PROBE" -p $P -x "$1" remove "$ROOT" "$2"; }
stated_has_drc() { suite_ctl status stated 2>/dev/null | grep -q 'reply cache [1-9]'; }
gone() { ! kill -0 "$1" 2>/dev/null; }
check "DRC: create drc1" test "$($PROBE -p $P -x 0x0d1c0000 create "$ROOT" drc1)" = NFS3_OK
check "DRC: REMOVE drc1, xid 0x0d1c0001: NFS3_OK" test "$(drc_remove 0x0d1c0001 drc1)" = NFS3_OK
check "DRC: the same xid again: NFS3_OK (replayed)" test "$(drc_remove 0x0d1c0001 drc1)" = NFS3_OK
check "DRC: another xid: NFS3ERR_NOENT (it did run once)" test "$(drc_remove 0x0d1c0002 drc1)" = NFS3ERR_NOENT
check "DRC: stated holds the entries" suite_wait 5 stated_has_drc
diag "$(suite_ctl status stated 2>&1 | grep -o 'reply cache[^;]*' | head -1)"
NFSD=$(suite_pid nfsd)
kill -KILL "$NFSD"
suite_wait 5 gone "$NFSD"
# At once: the probe waits in the backlog dittofs-run holds, and the new
# nfsd answers only after reading the cache back from stated.
out=$(drc_remove 0x0d1c0001 drc1)
check "DRC: kill -9 nfsd, same xid at once on a new connection: NFS3_OK from the cache (got $out)" test "$out" = NFS3_OK
check "DRC: nfsd restarted" suite_wait 20 restarted nfsd "$NFSD"
check "DRC: after the restart, a new xid: NFS3ERR_NOENT" test "$(drc_remove 0x0d1c0003 drc1)" = NFS3ERR_NOENT
check "DRC: the new nfsd logged reading the cache back" grep -q 'read back from stated' "$SUITE_DIR/run.log"
# stated killed: nfsd gives the new one what it holds, so an nfsd restart
# after that still finds the entry.
STATED=$(suite_pid stated)
kill -KILL "$STATED"
check "DRC: stated restarted" suite_wait 20 restarted stated "$STATED"
check "DRC: nfsd sent its entries to the new stated" suite_wait 10 stated_has_drc
NFSD=$(suite_pid nfsd)
kill -KILL "$NFSD"
suite_wait 5 gone "$NFSD"
out=$(drc_remove 0x0d1c0001 drc1)
check "DRC: kill -9 stated, then nfsd: the same xid still gets NFS3_OK (got $out)" test "$out" = NFS3_OK
check "DRC: nfsd restarted again" suite_wait 20 restarted nfsd "$NFSD"
check "DRC: a new xid still gets NFS3ERR_NOENT" test "$(drc_remove 0x0d1c0004 drc1)" = NFS3ERR_NOENT
# The gate: while stated does not answer, a new nfsd does not serve (up
# to 5 s), so a retransmission waiting in the backlog still finds the
# cache.  Past that it serves without it, and says so.
STATED=$(suite_pid stated)
NFSD=$(suite_pid nfsd)
kill -STOP "$STATED"
kill -KILL "$NFSD"
suite_wait 5 gone "$NFSD"
drc_remove 0x0d1c0001 drc1 > "$SUITE_DIR/drc.out" &
PROBE_PID=$!
sleep 3
check "DRC: stated stopped: the restarted nfsd does not answer yet" kill -0 "$PROBE_PID"
kill -CONT "$STATED"
wait "$PROBE_PID"
check "DRC: stated resumed: the same xid gets NFS3_OK (got $(cat "$SUITE_DIR/drc.out"))" test "$(cat "$SUITE_DIR/drc.out")" = NFS3_OK
NFSD=$(suite_pid nfsd)
kill -STOP "$STATED"
kill -KILL "$NFSD"
suite_wait 5 gone "$NFSD"
out=$(drc_remove 0x0d1c0001 drc1)
kill -CONT "$STATED"
check "DRC: stated stopped past 5 s: nfsd serves without the cache (NOENT: the window, documented; got $out)" test "$out" = NFS3ERR_NOENT
check "DRC: ... and logs that it does" grep -q "WITHOUT the reply cache" "$SUITE_DIR/run.log"

check "SIGTERM to dittofs-run stops everything" suite_stop
if [ "$tap_fail" -ne 0 ]; then
	diag "dittofs-run log:"
	sed 's/^/# /' "$SUITE_DIR/run.log" | tail -80
fi
tap_done
