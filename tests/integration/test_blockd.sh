#!/bin/bash
# Integration: dittofs-blockd serves the file system over its socket
# (operations and their errors, fd passing, change notifications), takes
# thousands of damaged requests without a crash (and so does stated), and
# survives kill -9 during a create/write/rename storm from three clients:
# afterwards every acknowledged operation is there, nothing is half
# there, and `dittofsctl fsck` on the stopped store finds no fault.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
# nfsd too (its fd fast path against blockd's rule): a network of our own.
suite_in_netns "$0" "$@"
suite_users
SUITE_WITH=nfsd
suite_setup
BD=$top_builddir/tests/clients/bd-check
SOCK=$SUITE_DIR/run/blockd.sock
# bd-check acts as a front end with uid 0 in share export.  Share ro is
# read-only, share squash gets root squash at a reload (below), and a
# front end that leaves 64 KiB unread gets a resync note.
# conf_set SECTION KEY VALUE: KEY in [SECTION] of the suite's file, added
# at the section's top or changed where it is set already.
conf_set() {
	if sed -n "/^\[$1\]\$/,/^\[/p" "$SUITE_CONF" | grep -q "^$2 = "; then
		sed -i "/^\[$1\]\$/,/^\[/ s/^$2 = .*/$2 = $3/" "$SUITE_CONF"
	else
		sed -i "/^\[$1\]\$/a $2 = $3" "$SUITE_CONF"
	fi
}
conf_set "share export" "root squash" no
conf_set "share export" insecure yes
conf_set blockd "notify queue limit" 64
cat >> "$SUITE_CONF" <<CONF

# The shortest lease, so that st-check v4 sees one run out.
[stated]
lease time = 10

[share ro]
path = /ro
read only = yes
root squash = no

[share allsq]
path = /allsq
all squash = yes
anonuid = 4321
anongid = 4321

[share squash]
path = /squash
root squash = no
anonuid = 4321
anongid = 4321

[share ci]
path = /ci
root squash = no
case insensitive = yes

[nfsd]
rpcbind = no
CONF
P=2049
M=20048

# NFSv3 calls with an AUTH_UNIX uid, one per run:
#   nfsio UID mnt PATH                -> hex handle or "MNT3ERR n"
#   nfsio UID create HEXDIR NAME MODE -> hex handle or "NFS3ERR n"
#   nfsio UID write HEXFH DATA        -> NFS3_OK or "NFS3ERR n" (FILE_SYNC)
#   nfsio UID read HEXFH              -> "NFS3_OK n" (bytes) or "NFS3ERR n"
#   nfsio UID mode HEXFH              -> the mode in octal, or "NFS3ERR n"
#   nfsio UID access HEXFH            -> ACCESS3 bits granted of all six,
#                                        in hex, or "NFS3ERR n"
nfsio() {
	PYTHONPATH="$ONCRPC_PYTHONPATH" python3 - "$P" "$M" "$@" <<'PY'
import struct, sys
from oncrpc import opaque, u32
import oncrpc

nfs_port, mount_port, uid, cmd = (int(sys.argv[1]), int(sys.argv[2]),
    int(sys.argv[3]), sys.argv[4])
args = sys.argv[5:]

def call(port, prog, proc, body):
    return oncrpc.results(oncrpc.call(port, prog, 3, proc, body, uid=uid,
                                      machine=b"nfsio"))

if cmd == "mnt":
    rep = call(mount_port, 100005, 1, opaque(args[0].encode()))
    print("MNT3ERR %d" % u32(rep, 0) if u32(rep, 0) else
        rep[8:8 + u32(rep, 4)].hex())
elif cmd == "create":
    fh, name, mode = bytes.fromhex(args[0]), args[1].encode(), int(args[2], 8)
    sattr = struct.pack(">IIIIIIII", 1, mode, 0, 0, 0, 0, 0, 0)
    rep = call(nfs_port, 100003, 8,
        opaque(fh) + opaque(name) + struct.pack(">I", 0) + sattr)
    if u32(rep, 0) != 0 or u32(rep, 4) != 1:
        print("NFS3ERR %d" % u32(rep, 0))
    else:
        print(rep[12:12 + u32(rep, 8)].hex())
elif cmd == "write":
    fh, data = bytes.fromhex(args[0]), args[1].encode()
    rep = call(nfs_port, 100003, 7, opaque(fh) +
        struct.pack(">QII", 0, len(data), 2) + opaque(data))
    print("NFS3ERR %d" % u32(rep, 0) if u32(rep, 0) else "NFS3_OK")
elif cmd == "read":
    rep = call(nfs_port, 100003, 6, opaque(bytes.fromhex(args[0])) +
        struct.pack(">QI", 0, 4096))
    if u32(rep, 0) != 0:
        print("NFS3ERR %d" % u32(rep, 0))
    else:
        off = 8 + (84 if u32(rep, 4) else 0)
        print("NFS3_OK %d" % u32(rep, off))
elif cmd == "access":
    rep = call(nfs_port, 100003, 4, opaque(bytes.fromhex(args[0])) +
        struct.pack(">I", 0x3f))
    if u32(rep, 0) != 0:
        print("NFS3ERR %d" % u32(rep, 0))
    else:
        off = 8 + (84 if u32(rep, 4) else 0)
        print("%x" % u32(rep, off))
elif cmd == "mode":
    rep = call(nfs_port, 100003, 1, opaque(bytes.fromhex(args[0])))
    print("NFS3ERR %d" % u32(rep, 0) if u32(rep, 0) else
        "%o" % (u32(rep, 8) & 0o7777))
PY
}

suite_start
check "stated, blockd and nfsd come up" suite_wait_ready stated blockd nfsd

# A client's TAP lines (file $1), renumbered into ours, named for $2.
bd_tap() {
	local line
	while read -r line; do
		case "$line" in
		"ok "*) ok "$2: ${line#ok * - }" ;;
		"not ok "*) not_ok "$2: ${line#not ok * - }" ;;
		"#"*) echo "$line" ;;
		esac
	done < "$1"
}

# The operations.
"$BD" smoke "$SOCK" > "$SUITE_DIR/smoke.out" 2>&1
bd_tap "$SUITE_DIR/smoke.out" blockd
check "smoke run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/smoke.out"
# The smoke run's removed 20 MiB file, held open until it exited: blockd
# looks again every second, then frees it in pieces (bounded wait).
held_freed() {
	for _ in $(seq 60); do
		DITTOFS_SBINDIR=$SBINDIR $CTL -f "$SUITE_CONF" status blockd |
		    grep -q ' 0 removed files being trimmed, 0 held open' &&
		    return 0
		sleep 0.5
	done
	return 1
}
check "blockd frees a held removed file once its front end closed it" \
    held_freed

# Open by name with a disposition (BD_OPEN), the fd with its reply.
"$BD" open "$SOCK" > "$SUITE_DIR/open.out" 2>&1
bd_tap "$SUITE_DIR/open.out" blockd
check "open run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/open.out"

# Named streams: opened with an fd, listed with the xattrs, removed.
"$BD" streams "$SOCK" > "$SUITE_DIR/streams.out" 2>&1
bd_tap "$SUITE_DIR/streams.out" blockd
check "streams run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/streams.out"

# Share ci is case-insensitive, export is not; a later configuration
# that says otherwise changes neither, and blockd says so in its log.
"$BD" caseless "$SOCK" > "$SUITE_DIR/caseless.out" 2>&1
bd_tap "$SUITE_DIR/caseless.out" blockd
check "caseless run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/caseless.out"
conf_set "share ci" "case insensitive" no
conf_set "share export" "case insensitive" yes
check "blockd reloads the configuration (case rules flipped)" \
    suite_ctl reload blockd
check "blockd logs that share ci stays case-insensitive" suite_wait 10 \
    grep -q 'share ci: "case insensitive = no" ignored' "$SUITE_DIR/run.log"
check "and that share export stays case-sensitive" \
    grep -q 'share export: "case insensitive = yes" ignored' "$SUITE_DIR/run.log"
"$BD" caseless "$SOCK" > "$SUITE_DIR/caseless2.out" 2>&1
bd_tap "$SUITE_DIR/caseless2.out" "blockd after the reload"
check "caseless run after the reload produced results" \
    grep -q '^1\.\.[1-9]' "$SUITE_DIR/caseless2.out"
conf_set "share ci" "case insensitive" yes
conf_set "share export" "case insensitive" no

# What blockd enforces itself, whatever a front end claims (issue 21).
# Share squash gets its 0777 directory while root is root there, then
# root squash by a reload: blockd applies the share's rules it read last.
check "a directory in share squash, before its root squash" \
    test "$("$BD" prep "$SOCK" 2>&1)" = ok
conf_set "share squash" "root squash" yes
check "blockd reloads the configuration" suite_ctl reload blockd
"$BD" policy "$SOCK" > "$SUITE_DIR/policy.out" 2>&1
bd_tap "$SUITE_DIR/policy.out" blockd
check "policy run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/policy.out"

# lockd's user and role: it may resolve handles, nothing else.
BLOCKD=$(suite_pid blockd)
BD_CHECK_USER=dittofs-lockd "$BD" lockd "$SOCK" > "$SUITE_DIR/lockd.out" 2>&1
bd_tap "$SUITE_DIR/lockd.out" blockd
check "lockd run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/lockd.out"
check "what lockd sent made no file" test "$("$BD" entry "$SOCK" remove suid)" = ENOENT
check "blockd logged lockd's forbidden message" \
    grep -q "which role lockd may not send; disconnecting" "$SUITE_DIR/run.log"
check "blockd is the same process" test "$(suite_pid blockd)" = "$BLOCKD"

# statd needs nothing of blockd: it may not even connect.
check "statd's user and role: HELLO refused" \
    test "$(BD_CHECK_USER=dittofs-statd "$BD" hello "$SOCK" statd)" = refused
check "lockd's user and role: HELLO accepted" \
    test "$(BD_CHECK_USER=dittofs-lockd "$BD" hello "$SOCK" lockd)" = accepted

# A front end that reads nothing while 6000 changes are made.
"$BD" overflow "$SOCK" 6000 > "$SUITE_DIR/overflow.out" 2>&1
bd_tap "$SUITE_DIR/overflow.out" blockd
check "overflow run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/overflow.out"
check "blockd's status counts the resyncs" \
    sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status blockd | grep -Eq ' [1-9][0-9]* resyncs'"

# Through nfsd: READ of a 0711 file by another uid gets one answer,
# whether or not nfsd holds an fd of it (the owner's write gave it one),
# and a write by uid 65534 through nfsd clears set-uid even though nfsd
# holds an fd that root's write opened.
ROOT=$(nfsio 0 mnt /export)
check "MNT /export ($ROOT)" sh -c "test ${#ROOT} -gt 16"
F711=$(nfsio 0 create "$ROOT" nfs711 711)
R1=$(nfsio 1000 read "$F711")
check "0711: another uid's READ, no fd held: NFS3_OK ($R1)" test "$R1" = "NFS3_OK 0"
check "0711: the owner writes" test "$(nfsio 0 write "$F711" hello)" = NFS3_OK
R2=$(nfsio 1000 read "$F711")
check "0711: another uid's READ, an fd held: the same answer ($R2)" test "$R2" = "NFS3_OK 5"
F700=$(nfsio 0 create "$ROOT" nfs700 700)
check "0700: another uid's READ, no fd held: NFS3ERR_ACCES" test "$(nfsio 1000 read "$F700")" = "NFS3ERR 13"
nfsio 0 write "$F700" hello >/dev/null
check "0700: another uid's READ, an fd held: NFS3ERR_ACCES" test "$(nfsio 1000 read "$F700")" = "NFS3ERR 13"
FSUID=$(nfsio 0 create "$ROOT" nfssuid 4777)
check "a 04777 file made through nfsd" test "$(nfsio 0 mode "$FSUID")" = 4777
check "root writes it (nfsd now holds a writable fd)" test "$(nfsio 0 write "$FSUID" root)" = NFS3_OK
check "root's write keeps set-uid" test "$(nfsio 0 mode "$FSUID")" = 4777
check "uid 65534 writes it" test "$(nfsio 65534 write "$FSUID" nobody)" = NFS3_OK
check "and set-uid is gone (04777 -> 0777)" test "$(nfsio 0 mode "$FSUID")" = 777

# NFSv4 ACLs (issue 22), set past nfsd as another front end would:
# blockd keeps the mode in agreement, so an NFSv3 client's GETATTR
# shows it, and evaluates the ACL itself, so a deny ACE for one named
# user holds over NFSv3 whether or not nfsd holds an fd of the file.
FA=$(nfsio 0 create "$ROOT" aclmode 644)
check "ACL OWNER@ rwx, EVERYONE@ r set through blockd" \
    test "$("$BD" entry "$SOCK" acl aclmode 'A:OWNER@:rwx,A:EVERYONE@:r')" = ok
check "NFSv3 GETATTR shows the mode that agrees: 0744" \
    test "$(nfsio 0 mode "$FA")" = 744
check "a malformed ACL is refused" \
    test "$("$BD" entry "$SOCK" acl aclmode 'A:OWNER@:q')" = EINVAL
FD=$(nfsio 0 create "$ROOT" acldeny 644)
check "root writes a 0644 file" test "$(nfsio 0 write "$FD" secret)" = NFS3_OK
check "uid 1000 reads it before" test "$(nfsio 1000 read "$FD")" = "NFS3_OK 6"
check "a deny of READ_DATA to uid 1000, before the mode's ACEs" \
    test "$("$BD" entry "$SOCK" acl acldeny '+D:1000:r')" = ok
check "NFSv3 GETATTR still shows 0644" test "$(nfsio 0 mode "$FD")" = 644
check "uid 1001's READ: NFS3_OK (nfsd now holds an fd)" \
    test "$(nfsio 1001 read "$FD")" = "NFS3_OK 6"
check "uid 1000's READ: NFS3ERR_ACCES" \
    test "$(nfsio 1000 read "$FD")" = "NFS3ERR 13"
A1000=$(nfsio 1000 access "$FD")
check "uid 1000's ACCESS: no READ ($A1000)" \
    test "$A1000" = "$(printf %x $((0x$A1000 & ~1)))"
A1001=$(nfsio 1001 access "$FD")
check "uid 1001's ACCESS: READ ($A1001)" \
    test "$(( 0x$A1001 & 1 ))" = 1
check "chmod 0666 through blockd keeps the deny" \
    test "$("$BD" entry "$SOCK" chmod acldeny 666)" = ok
check "NFSv3 GETATTR shows 0666" test "$(nfsio 0 mode "$FD")" = 666
check "uid 1000's READ still: NFS3ERR_ACCES" \
    test "$(nfsio 1000 read "$FD")" = "NFS3ERR 13"
check "uid 1000 may write it now (0666)" \
    test "$(nfsio 1000 write "$FD" x)" = NFS3_OK

# nfsd stopped while more notes than the notify queue limit are made,
# then a chmod whose note it never gets: when it runs again it reads a
# resync note first, drops its caches (the fd it held for uid 1000's
# READ too) and refuses that READ.
FR=$(nfsio 0 create "$ROOT" resync 644)
nfsio 0 write "$FR" data >/dev/null
check "uid 1000 reads a 0644 file through nfsd (it holds the fd)" \
    test "$(nfsio 1000 read "$FR")" = "NFS3_OK 4"
NFSD=$(suite_pid nfsd)
kill -STOP "$NFSD"
check "6000 changes while nfsd is stopped" test "$("$BD" flood "$SOCK" 6000)" = ok
check "and a chmod 0600 of that file" test "$("$BD" entry "$SOCK" chmod resync 600)" = ok
kill -CONT "$NFSD"
check "uid 1000's READ now: NFS3ERR_ACCES" test "$(nfsio 1000 read "$FR")" = "NFS3ERR 13"
check "nfsd logged the resync" grep -q "notifications were left out" "$SUITE_DIR/run.log"
check "nfsd is the same process" test "$(suite_pid nfsd)" = "$NFSD"

# A front end gone bad: damaged requests (DITTOFS_FUZZ_SEED replays a
# run); blockd answers or drops each, and neither crashes nor restarts.
BLOCKD=$(suite_pid blockd)
"$BD" fuzz "$SOCK" 5000 "${DITTOFS_FUZZ_SEED:-$(date +%s)}" \
    > "$SUITE_DIR/fuzz.out" 2>&1
bd_tap "$SUITE_DIR/fuzz.out" blockd
check "fuzz run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/fuzz.out"
check "blockd survived it: the same process" test "$(suite_pid blockd)" = "$BLOCKD"

# The same for stated, which holds the locks, shares and reply cache.
STATED=$(suite_pid stated)
"$top_builddir/tests/clients/st-check" fuzz "$SUITE_DIR/run/stated.sock" 5000 \
    "${DITTOFS_FUZZ_SEED:-$(date +%s)}" > "$SUITE_DIR/st-fuzz.out" 2>&1
bd_tap "$SUITE_DIR/st-fuzz.out" stated
check "stated fuzz run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/st-fuzz.out"
check "stated survived it: the same process" test "$(suite_pid stated)" = "$STATED"

# A front end touches only its own protocol's state (DESIGN.md 6).
"$top_builddir/tests/clients/st-check" roles "$SUITE_DIR/run/stated.sock" \
    > "$SUITE_DIR/st-roles.out" 2>&1
bd_tap "$SUITE_DIR/st-roles.out" stated
check "stated roles run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/st-roles.out"

# NFSv4.0 state outlives a front end killed with SIGKILL (DESIGN.md 1),
# and a lockd connection may not touch it.
"$top_builddir/tests/clients/st-check" v4 "$SUITE_DIR/run/stated.sock" \
    > "$SUITE_DIR/st-v4.out" 2>&1
bd_tap "$SUITE_DIR/st-v4.out" stated
check "stated v4 run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/st-v4.out"
V4ID=$(suite_ctl v4 | awk '$2 == "st-check-v4-id" { print $1 }')
diag "st-check's NFSv4 client: $V4ID"
# v4_listed STATE: dittofsctl v4 shows st-check's client in that state.
v4_listed() { suite_ctl v4 | grep -Eq "^$V4ID st-check-v4-id .* $1 "; }
check "dittofsctl v4 lists st-check's client (leased, or lapsed after st-check's wait)" v4_listed '(leased|lapsed)'

check "dittofsctl v4 revoke drops its state" sh -c "DITTOFS_SBINDIR=$SBINDIR '$CTL' -f '$SUITE_CONF' v4 revoke '$V4ID' | grep -q revoked"
check "and lists it as expired" v4_listed expired

out=$(suite_ctl fsck 2>&1)
check "fsck refuses while blockd runs" sh -c "echo '$out' | grep -q 'blockd is running'"

# Crash: three clients storm, blockd is killed under them.
BLOCKD=$(suite_pid blockd)
for i in 1 2 3; do
	"$BD" storm "$SOCK" storm$i "$SUITE_DIR/storm$i.log" \
	    > "$SUITE_DIR/storm$i.out" 2>&1 &
	eval "STORM$i=\$!"
done
# Let each client get some rounds acknowledged, then kill: each of the
# three (a client slow to start on a loaded machine found blockd already
# killed, and then had nothing to verify).
enough_rounds() {
	local i
	for i in 1 2 3; do
		[ "$(grep -c rename "$SUITE_DIR/storm$i.log" 2>/dev/null)" -ge 40 ] ||
		    return 1
	done
}
suite_wait 30 enough_rounds
kill -KILL "$BLOCKD"
for i in 1 2 3; do
	eval "wait \$STORM$i"
done
diag "$(cat "$SUITE_DIR"/storm*.out | tr '\n' ' ')"
restarted() {
	local p
	p=$(suite_pid blockd)
	[ -n "$p" ] && [ "$p" != "$BLOCKD" ]
}
check "blockd restarts after kill -9 (recovery on open)" suite_wait 20 restarted
for i in 1 2 3; do
	out=$("$BD" verify "$SOCK" storm$i "$SUITE_DIR/storm$i.log" 2>&1)
	echo "$out" | grep '^#'
	check "storm$i: every acknowledged create/write/rename survived" \
	    sh -c "echo '$out' | grep -q '^ok 2 '"
done

check "SIGTERM stops the suite" suite_stop
out=$(suite_ctl fsck 2>&1)
rc=$?
diag "$out"
check "dittofsctl fsck: the store after the crash has no fault" test $rc -eq 0

# A fault fsck must find: a backing file removed behind blockd's back.
victim=$(find "$SUITE_DIR/state/blockd/data" -type f | head -1)
if [ -n "$victim" ]; then
	rm -f "$victim"
	out=$(suite_ctl fsck 2>&1)
	rc=$?
	diag "$(echo "$out" | tail -2)"
	check "fsck reports a missing backing file and exits non-zero" test $rc -eq 1
	suite_ctl fsck --repair >/dev/null 2>&1
	check "fsck --repair mends it; a second check is clean" suite_ctl fsck
else
	not_ok "a backing file to remove was found"
fi
if [ "$tap_fail" -ne 0 ]; then
	diag "dittofs-run log:"
	sed 's/^/# /' "$SUITE_DIR/run.log" | tail -60
fi
tap_done
