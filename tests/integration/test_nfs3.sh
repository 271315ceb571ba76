#!/bin/bash
# Integration: dittofs-nfsd on NFS port 2049 and MOUNT port 20048, in a
# private network namespace with its own rpcbind (tests/e2e/in-netns):
# rpcinfo -p, showmount -e, libnfs-utils copies in and out with sha256
# compare, the RPC error paths through tests/clients/rpc-probe, export
# policy (read only, clients, handles of another share), MNT of
# directories below an export, the sandbox in /proc/PID/status, blockd
# and nfsd killed under it, and rpcbind unregistration at a clean stop.
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
insecure = yes

[share private]
path = /private
clients = 127.0.0.2
root squash = no
insecure = yes

# Not below /export: a prefix on a component boundary only.
[share export2]
path = /export2
root squash = no
insecure = yes

# Case-insensitive: nfsd's name cache keys its names folded.
[share ci]
path = /ci
case insensitive = yes
root squash = no
insecure = yes

# Inside /export: MNT of what is below /export/in goes here.
[share inner]
path = /export/in
root squash = no
insecure = yes

[nfsd]
port = $P
mount port = $M

[run]
# nfsd is killed many times below: keep each restart within 2 s.
restart delay max = 2
CONF
Q="?version=3&nfsport=$P&mountport=$M"
URL=nfs://127.0.0.1

# A few raw calls rpc-probe does not make, with an AUTH_UNIX uid:
#   nfs3mini mkdir HEXDIR NAME MODE   -> hex handle or "NFS3ERR n"
#   nfs3mini mnt PATH UID             -> hex handle or "MNT3ERR n"
#   nfs3mini mntudp PATH UID          -> the same, over UDP
#   nfs3mini lookup HEXDIR NAME       -> hex handle or "NFS3ERR n"
#   nfs3mini rmdir HEXDIR NAME        -> "ok" or "NFS3ERR n"
#   nfs3mini dump                     -> MOUNT DUMP: "host path" lines
#   nfs3mini dumpudp                  -> the same, over UDP
nfs3mini() {
	PYTHONPATH="$ONCRPC_PYTHONPATH" python3 - "$P" "$M" "$@" <<'PY'
import struct, sys
from oncrpc import opaque, u32
import oncrpc

nfs_port, mount_port, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
args = sys.argv[4:]

def call(port, prog, vers, proc, uid, body, udp=False):
    return oncrpc.results(oncrpc.call(port, prog, vers, proc, body, uid=uid,
                                      machine=b"nfs3mini", udp=udp))

if cmd == "mkdir":
    fh, name, mode = bytes.fromhex(args[0]), args[1].encode(), int(args[2], 8)
    sattr = struct.pack(">IIIIIIII", 1, mode, 0, 0, 0, 0, 0, 0)
    rep = call(nfs_port, 100003, 3, 9, 0, opaque(fh) + opaque(name) + sattr)
    if u32(rep, 0) != 0 or u32(rep, 4) != 1:
        print("NFS3ERR %d" % u32(rep, 0))
    else:
        print(rep[12:12 + u32(rep, 8)].hex())
elif cmd == "lookup":
    fh, name = bytes.fromhex(args[0]), args[1].encode()
    rep = call(nfs_port, 100003, 3, 3, 0, opaque(fh) + opaque(name))
    if u32(rep, 0) != 0:
        print("NFS3ERR %d" % u32(rep, 0))
    else:
        print(rep[8:8 + u32(rep, 4)].hex())
elif cmd == "rmdir":
    fh, name = bytes.fromhex(args[0]), args[1].encode()
    rep = call(nfs_port, 100003, 3, 13, 0, opaque(fh) + opaque(name))
    print("ok" if u32(rep, 0) == 0 else "NFS3ERR %d" % u32(rep, 0))
elif cmd in ("dump", "dumpudp"):
    rep, off = call(mount_port, 100005, 3, 2, 0, b"", cmd == "dumpudp"), 0
    while u32(rep, off) == 1:
        n = u32(rep, off + 4)
        host = rep[off + 8:off + 8 + n].decode()
        off += 8 + n + (-n % 4)
        n = u32(rep, off)
        path = rep[off + 4:off + 4 + n].decode()
        off += 4 + n + (-n % 4)
        print(host, path)
elif cmd in ("mnt", "mntudp"):
    rep = call(mount_port, 100005, 3, 1, int(args[1]),
        opaque(args[0].encode()), cmd == "mntudp")
    if u32(rep, 0) != 0:
        print("MNT3ERR %d" % u32(rep, 0))
    else:
        print(rep[8:8 + u32(rep, 4)].hex())
PY
}

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
	# Registered on a connection of nfsd's user, kept for the unset at
	# stop: rpcbind lists that uid as the owner, not superuser.
	owners=$(rpcinfo 127.0.0.1 2>&1 | awk '$1 == 100003 || $1 == 100005 { print $NF }' | sort -u | tr '\n' ' ')
	diag "owners of 100003/100005: $owners"
	check "the registrations belong to dittofs-nfsd's uid" test "$owners" = "$(id -u dittofs-nfsd) "
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
	# nfs-cp ends with a COMMIT: its sync ran off nfsd's event loop.
	syncs=$(suite_ctl status nfsd 2>/dev/null | sed -n 's/.*syncs \([0-9]*\) off the loop.*/\1/p')
	check "the copies' COMMITs were synced off the event loop (${syncs:-none})" test "${syncs:-0}" -gt 0
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
check "NFS version 2: PROG_MISMATCH 3 4 (NFSv4 is served beside v3)" test "$($PROBE -p $P badvers)" = "PROG_MISMATCH 3 4"
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

# MNT of a directory below an export's path (RFC 1813 I.5.1: any path).
SUB=$(nfs3mini mkdir "$ROOT" sub 755)
DIR=$(nfs3mini mkdir "$SUB" dir 755)
LOCKED=$(nfs3mini mkdir "$ROOT" locked 700)
INNER=$(nfs3mini mkdir "$LOCKED" inner 755)
IN=$(nfs3mini mkdir "$ROOT" in 755)
nfs3mini mkdir "$IN" x 755 >/dev/null
check "MKDIR sub, sub/dir, locked (0700), locked/inner, in, in/x" sh -c "test ${#SUB} -gt 16 && test ${#DIR} -gt 16 && test ${#INNER} -gt 16 && test ${#IN} -gt 16"
check "create sub/dir/f" test "$($PROBE -p $P create "$DIR" f)" = NFS3_OK
check "create a file, plain" test "$($PROBE -p $P create "$ROOT" plain)" = NFS3_OK
check "MNT /export/sub/dir: the directory's handle" test "$($PROBE -p $M mnt /export/sub/dir)" = "$DIR"
check "MNT /export/sub/dir over UDP: the same handle" test "$(nfs3mini mntudp /export/sub/dir 0)" = "$DIR"
check "MNT /export/sub//dir/: the same handle" test "$($PROBE -p $M mnt /export/sub//dir/)" = "$DIR"
check "MNT /export/: the root handle" test "$($PROBE -p $M mnt /export/)" = "$ROOT"
check "MNT /export//sub///dir: the same handle" test "$($PROBE -p $M mnt /export//sub///dir)" = "$DIR"
# DUMP keeps one spelling of a path (nfsd/mount.c), and over UDP answers
# an empty list: a 40-byte datagram never draws the whole list.
out=$(nfs3mini dump)
diag "DUMP over TCP: $(echo "$out" | tr '\n' ';')"
check "DUMP lists /export/sub/dir once for 127.0.0.1, however it was spelt" test "$(echo "$out" | grep -c '^127.0.0.1 /export/sub/dir$')" = 1
check "DUMP lists no path with '//' or a trailing '/'" sh -c "! echo '$out' | grep -Eq '//|./\$'"
check "DUMP over UDP: an empty list" test -z "$(nfs3mini dumpudp)"
check "MNT of a missing subdirectory: MNT3ERR_NOENT" test "$($PROBE -p $M mnt /export/sub/nope)" = "MNT3ERR 2"
check "MNT of a file: MNT3ERR_NOTDIR" test "$($PROBE -p $M mnt /export/plain)" = "MNT3ERR 20"
check "MNT through a file: MNT3ERR_NOTDIR" test "$($PROBE -p $M mnt /export/plain/x)" = "MNT3ERR 20"
check "MNT with '..': MNT3ERR_INVAL" test "$($PROBE -p $M mnt /export/sub/..)" = "MNT3ERR 22"
check "MNT climbing out with '..': MNT3ERR_INVAL" test "$($PROBE -p $M mnt /export/../ro)" = "MNT3ERR 22"
check "MNT with '.': MNT3ERR_INVAL" test "$($PROBE -p $M mnt /export/./sub)" = "MNT3ERR 22"
check "MNT of a 256-byte component: MNT3ERR_NAMETOOLONG" test "$($PROBE -p $M mnt /export/$(printf 'n%.0s' $(seq 256)))" = "MNT3ERR 63"
EXPORT2=$($PROBE -p $M mnt /export2)
check "/export2 is a share of its own, not /export's" sh -c "test ${#EXPORT2} -gt 16 && test '$EXPORT2' != '$ROOT'"
check "MNT /export2/sub: MNT3ERR_NOENT (sub is in /export)" test "$($PROBE -p $M mnt /export2/sub)" = "MNT3ERR 2"
check "MNT /exportx: no export" test "$($PROBE -p $M mnt /exportx)" = "MNT3ERR 2"
INNERROOT=$($PROBE -p $M mnt /export/in)
check "MNT /export/in: the inner share's root, not /export's in" sh -c "test ${#INNERROOT} -gt 16 && test '$INNERROOT' != '$IN'"
check "MNT /export/in/x: MNT3ERR_NOENT (the longest export wins)" test "$($PROBE -p $M mnt /export/in/x)" = "MNT3ERR 2"
check "MNT /private/x from 127.0.0.1: MNT3ERR_ACCES (that export's clients)" test "$($PROBE -p $M mnt /private/x)" = "MNT3ERR 13"
check "MNT through a 0700 directory as uid 1000: MNT3ERR_ACCES" test "$(nfs3mini mnt /export/locked/inner 1000)" = "MNT3ERR 13"
check "... as uid 0: its handle" test "$(nfs3mini mnt /export/locked/inner 0)" = "$INNER"
check "MNT /export/locked as uid 1000: allowed (search is checked on the way)" test "$(nfs3mini mnt /export/locked 1000)" = "$LOCKED"
check "the subdirectory's handle works: GETATTR NFS3_OK" test "$($PROBE -p $P getattr "$DIR")" = NFS3_OK
check "and CREATE in it: NFS3_OK" test "$($PROBE -p $P create "$DIR" g)" = NFS3_OK
check "READDIRPLUS gives \"..\" of /export/sub/dir the handle of /export/sub" test "$($PROBE -p $P dotdot "$DIR")" = "$SUB"
check "... and \"..\" of the share root its own handle" test "$($PROBE -p $P dotdot "$ROOT")" = "$ROOT"

# nfsd answers LOOKUP from its name cache only while blockd has not said
# the entry changed: a change made past nfsd, by another front end on
# blockd's socket (bd-check as nfsd's user), shows in the next LOOKUP.
# Any change also makes the directory's attributes stale in nfsd until a
# reply brings them again, so a LOOKUP of another name (other) comes
# first each time: after it only the entry's own notification stands
# between the cache and a stale answer.
BDCHECK=$top_builddir/tests/clients/bd-check
BDSOCK=$SUITE_DIR/run/blockd.sock
nfsd_names() { suite_ctl status nfsd 2>/dev/null | sed -n 's/.* \([0-9]*\) name(s).*/\1/p'; }
other() { nfs3mini lookup "$ROOT" other >/dev/null; }
check "LOOKUP of a missing name: NFS3ERR_NOENT" test "$(nfs3mini lookup "$ROOT" coh1)" = "NFS3ERR 2"
check "nfsd keeps names it looked up ($(nfsd_names))" test "$(nfsd_names)" -gt 0
check "another front end creates that name" test "$($BDCHECK entry "$BDSOCK" create coh1)" = ok
other
H1=$(nfs3mini lookup "$ROOT" coh1)
check "LOOKUP finds it ($H1)" sh -c "test ${#H1} -gt 16"
bd_lookups() { suite_ctl status nfsd 2>/dev/null | sed -n 's/.*to blockd: .*lookup \([0-9]*\).*/\1/p'; }
N1=$(bd_lookups)
check "nfsd's status counts its LOOKUP calls to blockd ($N1)" test "${N1:-0}" -gt 0
v3calls() { suite_ctl status nfsd 2>/dev/null | sed -n "s/.*NFSv3 calls:.* $1 \([0-9]*\).*/\1/p"; }
L0=$(v3calls LOOKUP)
check "LOOKUP again: the same handle" test "$(nfs3mini lookup "$ROOT" coh1)" = "$H1"
L1=$(v3calls LOOKUP)
check "nfsd's status counts NFSv3 LOOKUP calls ($L0 -> $L1)" test "${L1:-0}" -eq $((${L0:-0} + 1))
check "and nfsd answered it itself (blockd lookups: $(bd_lookups))" test "$(bd_lookups)" = "$N1"
check "another front end renames it" test "$($BDCHECK entry "$BDSOCK" rename coh1 coh2)" = ok
other
check "LOOKUP of the old name: NFS3ERR_NOENT" test "$(nfs3mini lookup "$ROOT" coh1)" = "NFS3ERR 2"
check "LOOKUP of the new name: the same handle" test "$(nfs3mini lookup "$ROOT" coh2)" = "$H1"
check "another front end removes it" test "$($BDCHECK entry "$BDSOCK" remove coh2)" = ok
other
check "LOOKUP after the removal: NFS3ERR_NOENT" test "$(nfs3mini lookup "$ROOT" coh2)" = "NFS3ERR 2"
# A directory nfsd made itself is complete in its name cache: it answers
# LOOKUP of a name it has not seen there (NOENT) without blockd, and a
# change by another front end makes just that name unknown to it.
CD=$(nfs3mini mkdir "$ROOT" cdir 755)
N2=$(bd_lookups)
check "LOOKUP in a directory nfsd just made: NFS3ERR_NOENT" test "$(nfs3mini lookup "$CD" none)" = "NFS3ERR 2"
check "and nfsd answered it itself (blockd lookups: $(bd_lookups), were $N2)" test "$(bd_lookups)" = "$N2"
check "another front end creates cdir/late" test "$($BDCHECK entry "$BDSOCK" create cdir/late)" = ok
nfs3mini lookup "$CD" other >/dev/null
H2=$(nfs3mini lookup "$CD" late)
check "LOOKUP in cdir finds it ($H2)" sh -c "test ${#H2} -gt 16"
check "LOOKUP of another new name in cdir: still NFS3ERR_NOENT" test "$(nfs3mini lookup "$CD" none2)" = "NFS3ERR 2"
check "another front end removes cdir/late" test "$($BDCHECK entry "$BDSOCK" remove cdir/late)" = ok
nfs3mini lookup "$CD" other >/dev/null
check "LOOKUP of cdir/late after the removal: NFS3ERR_NOENT" test "$(nfs3mini lookup "$CD" late)" = "NFS3ERR 2"
# A case-insensitive share: nfsd's cache keys names as blockd does.  In
# a directory nfsd made (complete in its cache), README is what Readme
# names, not absent; once README is removed, Readme is gone too.
CI=$(nfs3mini mnt /ci 0)
CID=$(nfs3mini mkdir "$CI" d 755)
CIR=$(nfs3mini mkdir "$CID" Readme 755)
check "caseless share: MKDIR d, d/Readme ($CIR)" sh -c "test ${#CIR} -gt 16"
check "caseless share: LOOKUP of README gives Readme's handle" test "$(nfs3mini lookup "$CID" README)" = "$CIR"
check "caseless share: LOOKUP of readme too" test "$(nfs3mini lookup "$CID" readme)" = "$CIR"
check "caseless share: RMDIR README" test "$(nfs3mini rmdir "$CID" README)" = ok
check "caseless share: LOOKUP of Readme after it: NFS3ERR_NOENT" test "$(nfs3mini lookup "$CID" Readme)" = "NFS3ERR 2"
# The same for whole listings (nfsd/dircache.c): list the root twice so
# the second comes from the cache, change it past nfsd, refresh the
# directory's attributes with a LOOKUP, then list again.
if command -v nfs-ls >/dev/null; then
	listed() { timeout 20 nfs-ls "$URL/export/$Q" 2>/dev/null | grep -c " $1\$"; }
	listed coh4 >/dev/null
	check "a listing read twice lacks coh4" test "$(listed coh4)" = 0
	check "another front end creates coh4" test "$($BDCHECK entry "$BDSOCK" create coh4)" = ok
	other
	check "the next listing has coh4" test "$(listed coh4)" = 1
	check "another front end removes coh4" test "$($BDCHECK entry "$BDSOCK" remove coh4)" = ok
	other
	check "the next listing lacks it" test "$(listed coh4)" = 0
fi
check "CREATE through nfsd" test "$($PROBE -p $P create "$ROOT" coh3)" = NFS3_OK
H3=$(nfs3mini lookup "$ROOT" coh3)
check "LOOKUP of what nfsd created: its handle" sh -c "test ${#H3} -gt 16"
check "REMOVE through nfsd" test "$($PROBE -p $P remove "$ROOT" coh3)" = NFS3_OK
check "LOOKUP after nfsd's own REMOVE: NFS3ERR_NOENT" test "$(nfs3mini lookup "$ROOT" coh3)" = "NFS3ERR 2"
if command -v nfs-ls >/dev/null; then
	out=$(timeout 20 nfs-ls "$URL/export/sub/dir$Q" 2>&1)
	diag "nfs-ls of the mount /export/sub/dir: $(echo "$out" | tr '\n' ';')"
	check "nfs-ls mounts /export/sub/dir and lists f and g" sh -c "echo '$out' | grep -q ' f\$' && echo '$out' | grep -q ' g\$'"
	timeout 20 nfs-cp "$SUITE_DIR/small.in" "$URL/export/sub/dir/small$Q" >/dev/null 2>&1
	timeout 20 nfs-cp "$URL/export/sub/dir/small$Q" "$SUITE_DIR/small.sub" >/dev/null 2>&1
	check "nfs-cp in and out of the subdirectory mount, same sha256" test "$(sha256sum < "$SUITE_DIR/small.in")" = "$(sha256sum < "$SUITE_DIR/small.sub" 2>/dev/null)"
	check "nfs-ls of a missing subdirectory fails" sh -c "! timeout 20 nfs-ls '$URL/export/sub/nope$Q' >/dev/null 2>&1"
else
	skip "no libnfs-utils" "nfs-ls of a subdirectory mount"
fi
if [ -n "$RPCBIND_PID" ]; then
	out=$(timeout 20 showmount -a 127.0.0.1 2>&1)
	diag "showmount -a: $(echo "$out" | tr '\n' ';')"
	check "DUMP lists 127.0.0.1:/export/sub/dir as asked" sh -c "echo '$out' | grep -q '^127.0.0.1:/export/sub/dir\$'"
else
	skip "no rpcbind" "showmount -a"
fi
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
# A client that retransmits reconnects from its port (Linux reuses it):
# the cache is keyed by address and port, as knfsd's.  The probes' ports
# (20900-20902) are outside the reserved range, where root's RPC clients
# (libnfs, libtirpc) bind without SO_REUSEADDR and leave TIME_WAIT
# behind that a bind to the same port fails on, and outside the
# ephemeral range; every share here is "insecure = yes".
drc_remove() { "$PROBE" -p $P -S 20900 -x "$1" remove "$ROOT" "$2"; }
stated_has_drc() { suite_ctl status stated 2>/dev/null | grep -q 'reply cache [1-9]'; }
gone() { ! kill -0 "$1" 2>/dev/null; }
check "DRC: create drc1" test "$($PROBE -p $P -x 0x0d1c0000 create "$ROOT" drc1)" = NFS3_OK
check "DRC: REMOVE drc1, xid 0x0d1c0001: NFS3_OK" test "$(drc_remove 0x0d1c0001 drc1)" = NFS3_OK
check "DRC: the same xid again: NFS3_OK (replayed)" test "$(drc_remove 0x0d1c0001 drc1)" = NFS3_OK
check "DRC: another xid: NFS3ERR_NOENT (it did run once)" test "$(drc_remove 0x0d1c0002 drc1)" = NFS3ERR_NOENT
check "DRC: stated holds the entries" suite_wait 5 stated_has_drc
# Two clients behind one address (NAT) may use the same xid for the same
# call: the key has the source port and the credential, so each gets its
# own reply, not the other's.
check "DRC key: create drc5" test "$($PROBE -p $P -x 0x0d1c0010 create "$ROOT" drc5)" = NFS3_OK
check "DRC key: client A (port 20901) removes drc5, xid 0x0d1c0011: NFS3_OK" test "$($PROBE -p $P -S 20901 -x 0x0d1c0011 remove "$ROOT" drc5)" = NFS3_OK
out=$($PROBE -p $P -S 20902 -x 0x0d1c0011 remove "$ROOT" drc5)
check "DRC key: client B (port 20902), same xid and call: runs, NFS3ERR_NOENT, not A's reply (got $out)" test "$out" = NFS3ERR_NOENT
check "DRC key: A retransmits from port 20901: A's reply, NFS3_OK" test "$($PROBE -p $P -S 20901 -x 0x0d1c0011 remove "$ROOT" drc5)" = NFS3_OK
out=$($PROBE -p $P -S 20901 -u 1000 -x 0x0d1c0011 remove "$ROOT" drc5)
check "DRC key: port 20901, same xid and arguments, uid 1000: its own reply, not A's (got $out)" sh -c "test '$out' = NFS3ERR_NOENT || test '$out' = NFS3ERR_ACCES"
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

# A clean stop of nfsd alone (what systemctl restart does): it unsets its
# rpcbind registrations, and the one dittofs-run starts next registers
# again.  Seccomp must allow the unset: nfsd exits, it is not killed.
registered() { rpcinfo -p 127.0.0.1 2>/dev/null | grep -Eq "100003 +3 +tcp +$P"; }
if [ -n "$RPCBIND_PID" ]; then
	check "rpcbind lists NFS v3 after the kill -9 restarts" registered
	NFSD=$(suite_pid nfsd)
	kill -TERM "$NFSD"
	suite_wait 10 gone "$NFSD"
	check "SIGTERM nfsd: it unregistered from rpcbind" grep -q "rpcbind: unregistered NFS and MOUNT (5 of 5)" "$SUITE_DIR/run.log"
	check "SIGTERM nfsd: it exited (not killed by seccomp)" sh -c "! grep -q 'nfsd (pid $NFSD) killed' '$SUITE_DIR/run.log'"
	check "SIGTERM nfsd: restarted" suite_wait 20 restarted nfsd "$NFSD"
	check "SIGTERM nfsd: the new one registered again" suite_wait 20 registered
fi

check "SIGTERM to dittofs-run stops everything" suite_stop
if [ -n "$RPCBIND_PID" ]; then
	out=$(rpcinfo -p 127.0.0.1 2>&1)
	diag "rpcinfo -p after the stop: $(echo "$out" | tr '\n' ';')"
	check "rpcbind still runs" kill -0 "$RPCBIND_PID"
	check "after a clean stop rpcinfo -p lists neither 100003 nor 100005" sh -c "! echo '$out' | grep -Eq '10000[35]'"
else
	skip "no rpcbind" "rpcinfo -p after the stop"
fi
if [ "$tap_fail" -ne 0 ]; then
	diag "dittofs-run log:"
	sed 's/^/# /' "$SUITE_DIR/run.log" | tail -80
fi
tap_done
