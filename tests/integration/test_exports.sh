#!/bin/bash
# Integration: who may use a share (dittofs.conf(5) `clients`,
# `insecure`), through nfsd's MOUNT and NFS and lockd's NLM:
#  - a share left at its defaults wants a reserved source port (knfsd's
#    `secure`): MNT and NFS calls from an unprivileged port are refused;
#  - `clients = @netgroup` takes the hosts of a files-backed netgroup,
#    resolved before the chroot and kept across a reload.
# The netgroup lives in /etc/netgroup of an overlay over /etc inside this
# test's private mount namespace: the host's own files are never touched.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
for tool in rpcbind rpcinfo python3 setpriv; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP needs $tool"
		exit 0
	fi
done
if ! grep -qw overlay /proc/filesystems; then
	echo "1..0 # SKIP needs overlayfs for a private /etc"
	exit 0
fi
suite_users
suite_in_netns "$0" "$@"

# A private /etc: the netgroup, a host name for one member, nsswitch.
ETC_TMP=$(mktemp -d /tmp/dittofs-etc.XXXXXX)
mkdir "$ETC_TMP/up" "$ETC_TMP/work"
if ! mount -t overlay overlay -o "lowerdir=/etc,upperdir=$ETC_TMP/up,workdir=$ETC_TMP/work" /etc; then
	rm -rf "$ETC_TMP"
	echo "1..0 # SKIP cannot mount an overlay over /etc in the namespace"
	exit 0
fi
cat > /etc/netgroup <<'NG'
dfs-lab (dfs-allowed,,) (-,nobody,) dfs-inner
dfs-inner (127.0.0.4,,) (10.77.0.2,,)
NG
printf '127.0.0.2\tdfs-allowed\n' >> /etc/hosts
sed -i 's/^netgroup:.*/netgroup: files/' /etc/nsswitch.conf
grep -q '^netgroup:' /etc/nsswitch.conf || echo 'netgroup: files' >> /etc/nsswitch.conf

# NLM clients (libtirpc) cannot choose their source address: give them
# addresses of their own, which the kernel then sends from.
ip addr add 10.77.0.2/32 dev lo && ip addr add 10.77.0.3/32 dev lo ||
    diag "cannot add 10.77.0.2 and 10.77.0.3 to lo"

SUITE_WITH=nfsd
suite_setup
P=2049
M=20048
cat >> "$SUITE_CONF" <<CONF

# Defaults: clients = *, insecure = no.
[share secure]
path = /secure
root squash = no

[share lab]
path = /lab
clients = @dfs-lab
insecure = yes
root squash = no

[nfsd]
port = $P
mount port = $M

[lockd]
log level = debug
CONF
PROBE=$top_builddir/tests/clients/rpc-probe
NLMC=$(cd "$top_builddir" && pwd)/tests/clients/nlm-client

# resv SRC mnt PATH | resv SRC getattr HEXFH: a call from a reserved
# source port (below 1024), which rpc-probe does not make.
resv() {
	PYTHONPATH="$ONCRPC_PYTHONPATH" python3 - "$P" "$M" "$@" <<'PY'
import sys
from oncrpc import opaque, u32
import oncrpc

nfs_port, mount_port, src, cmd, arg = int(sys.argv[1]), int(sys.argv[2]), \
    sys.argv[3], sys.argv[4], sys.argv[5]

def call(port, prog, vers, proc, body):
    return oncrpc.results(oncrpc.call(port, prog, vers, proc, body,
                                      machine=b"resv", src=src,
                                      reserved=True))

if cmd == "mnt":
    rep = call(mount_port, 100005, 3, 1, opaque(arg.encode()))
    if u32(rep, 0) != 0:
        print("MNT3ERR %d" % u32(rep, 0))
    else:
        print(rep[8:8 + u32(rep, 4)].hex())
elif cmd == "getattr":
    rep = call(nfs_port, 100003, 3, 1, opaque(bytes.fromhex(arg)))
    print("NFS3_OK" if u32(rep, 0) == 0 else "NFS3ERR %d" % u32(rep, 0))
PY
}

RPCBIND_PID=
rpcbind -f &
RPCBIND_PID=$!
suite_wait 10 sh -c "rpcinfo -p 127.0.0.1" || diag "rpcbind did not start"
exports_cleanup() {
	[ -n "$RPCBIND_PID" ] && kill "$RPCBIND_PID" 2>/dev/null
	suite_cleanup
	umount /etc 2>/dev/null
	rm -rf "$ETC_TMP"
}
trap exports_cleanup EXIT

suite_start
check "the suite comes up with @netgroup clients" suite_wait_ready blockd stated nfsd lockd
if ! suite_has_pid nfsd; then
	grep -E "clients|netgroup|fatal" "$SUITE_DIR/run.log" | head -5 | while read -r l; do diag "log: $l"; done
fi
suite_wait 10 sh -c "rpcinfo -p 127.0.0.1 | grep -q '100005 *3 *tcp'"

# The reserved-port default, MOUNT and NFS.
check "default share, unprivileged source port: MNT3ERR_ACCES" test "$($PROBE -p $M mnt /secure)" = "MNT3ERR 13"
check "nfsd logs why" suite_wait 5 grep -q "MNT /secure refused (clients = \*, not from a port below 1024)" "$SUITE_DIR/run.log"
SEC=$(resv 127.0.0.1 mnt /secure)
check "default share, reserved source port: MNT gives a handle" test ${#SEC} -gt 16
check "its handle from a reserved port: NFS3_OK" test "$(resv 127.0.0.1 getattr "$SEC")" = NFS3_OK
check "its handle from an unprivileged port: NFS3ERR_ACCES" test "$($PROBE -p $P getattr "$SEC")" = NFS3ERR_ACCES
if command -v nfs-ls >/dev/null; then
	URL="nfs://127.0.0.1/secure/?version=3&nfsport=$P&mountport=$M"
	timeout 20 nfs-ls "$URL" >/dev/null 2>&1; rc_root=$?
	timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups nfs-ls "$URL" >/dev/null 2>&1; rc_user=$?
	check "libnfs as root (a reserved port) lists the default share" test $rc_root = 0
	check "libnfs as a user (an unprivileged port) is refused" test $rc_user != 0
else
	skip "no nfs-ls (libnfs-utils)" "libnfs as root lists the default share"
	skip "no nfs-ls (libnfs-utils)" "libnfs as a user is refused"
fi
check "the opt-out share (insecure = yes) takes an unprivileged port" test "$($PROBE -p $M mnt /export | wc -c)" -gt 16

# @netgroup: dfs-allowed (127.0.0.2), and 127.0.0.4 through a nested
# group; (-,nobody,) names no host.  127.0.0.3 is in none.
LAB=$($PROBE -p $M -s 127.0.0.2 mnt /lab)
check "a netgroup member (by host name) mounts /lab" test ${#LAB} -gt 16
check "a member of a nested netgroup mounts /lab" test "$($PROBE -p $M -s 127.0.0.4 mnt /lab | wc -c)" -gt 16
check "a host outside the netgroup: MNT3ERR_ACCES" test "$($PROBE -p $M -s 127.0.0.3 mnt /lab)" = "MNT3ERR 13"
check "the member's handle from outside the netgroup: NFS3ERR_ACCES" test "$($PROBE -p $P -s 127.0.0.3 getattr "$LAB")" = NFS3ERR_ACCES
check "and from the member: NFS3_OK" test "$($PROBE -p $P -s 127.0.0.2 getattr "$LAB")" = NFS3_OK

# NLM follows the same rules (lockd resolved the netgroup too):
# 10.77.0.2 is in dfs-inner, 10.77.0.3 in no group.
FH=$("$NLMC" fh -b "$SUITE_DIR/run/blockd.sock" -S lab -n lockfile)
check "a handle in /lab from blockd" test -n "$FH"
nlm() { "$NLMC" -s "$1" -H "$2" -p 1 -x lock "$FH" 0 10 2>&1; }
out=$(nlm 10.77.0.2 member)
diag "member: $out"
check "NLM LOCK from the netgroup member: granted" sh -c "echo '$out' | grep -q 'LOCK granted'"
out=$(nlm 10.77.0.3 outsider)
diag "outsider: $out"
check "NLM LOCK from outside the netgroup: NLM4_FAILED" sh -c "echo '$out' | grep -q 'LOCK failed'"
check "lockd logs the refusal" suite_wait 5 grep -q "NLM from 10.77.0.3 refused: not a client of share lab" "$SUITE_DIR/run.log"

# A reload inside the chroot cannot read /etc/netgroup: an unchanged
# clients list keeps what was resolved at start.
suite_ctl reload nfsd lockd > "$SUITE_DIR/reload.out" 2>&1
check "dittofsctl reload nfsd lockd" suite_wait 5 sh -c "test \$(grep -c 'configuration reloaded' '$SUITE_DIR/run.log') -ge 2"
check "no daemon refused the reloaded shares" sh -c "! grep -E 'exports not reloaded|shares kept as they were' '$SUITE_DIR/run.log'"
check "after the reload the member still mounts /lab" test "$($PROBE -p $M -s 127.0.0.2 mnt /lab)" = "$LAB"
check "and the outsider is still refused" test "$($PROBE -p $M -s 127.0.0.3 mnt /lab)" = "MNT3ERR 13"
# A changed list with a name in it cannot be resolved in the sandbox:
# the reload is refused, and nfsd lives on with the rules it had.
NFSD=$(suite_pid nfsd)
sed -i 's/^clients = @dfs-lab$/clients = @dfs-lab, 127.0.0.3, dfs-allowed/' "$SUITE_CONF"
suite_ctl reload nfsd > "$SUITE_DIR/reload2.out" 2>&1
check "a reload naming a new host is refused (names resolve at start)" \
    suite_wait 5 grep -q "exports not reloaded: .*can be resolved only at start" "$SUITE_DIR/run.log"
check "nfsd survived it" test "$(suite_pid nfsd)" = "$NFSD"
check "the old rules still apply: 127.0.0.3 is refused" test "$($PROBE -p $M -s 127.0.0.3 mnt /lab)" = "MNT3ERR 13"

check "SIGTERM stops the suite" suite_stop
check "no daemon died on its own (no abort, segfault or seccomp kill)" \
    sh -c "! grep -E 'killed by signal (6|11|31)' '$SUITE_DIR/run.log'"
tap_done
