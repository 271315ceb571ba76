#!/bin/bash
# e2e: NFSv4 owner strings and ACLs as the Linux kernel client sees them
# (issue 23: "idmap visible from the guest (nfs4_getfacl, ls -l names)").
# The guest runs Debian's nfsidmap through the kernel's request-key
# upcall, with the same idmapping domain as nfsd and its own passwd(5),
# in which "daemon" is uid 7001 (the server's is 1).  A file chowned to 1
# over the mount must then show as daemon/7001 in the guest: nfsd sent
# "daemon@dittofs.test", not the number.  An id no name has stays a
# number both ways.  nfs4_getfacl (nfs4-acl-tools) reads the file's ACL
# attribute: the mode's owner, group and everyone entries.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
suite_need_root
[ "${DITTOFS_E2E:-yes}" = no ] &&
    skip_all "end-to-end tests turned off (configure --disable-e2e)"
suite_in_netns "$0" "$@"
. "$top_srcdir/tests/e2e/lib.sh"
for tool in nfsidmap request-key nfs4_getfacl ldd; do
	command -v $tool >/dev/null ||
	    skip_all "$tool not installed (see deps/e2e.list)"
done
getent passwd daemon | grep -q '^daemon:x:1:1:' ||
    skip_all "the host has no daemon user with uid 1"
suite_users
SUITE_WITH=nfsd
suite_setup
cat >> "$SUITE_CONF" <<CONF
root squash = no

[nfsd]
port = 2049
mount port = 20048
rpcbind = no
nfsv4 domain = dittofs.test
# Names to AUTH_SYS callers too: the guest's idmapper is the test.
nfsv4 numeric owners = no
CONF

# The guest's idmapper: request-key (the kernel runs /sbin/request-key),
# nfsidmap and its nsswitch plugin with their libraries, and the files
# they read.
GFILES=()
gfile() { GFILES+=(--file "$1:${2:-$1}"); }
GETC=$SUITE_DIR/guest-etc
mkdir -p "$GETC"
printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:7001:7001:daemon:/:/bin/false\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$GETC/passwd"
printf 'root:x:0:\ndaemon:x:7001:\nnogroup:x:65534:\n' >"$GETC/group"
printf 'passwd: files\ngroup: files\n' >"$GETC/nsswitch.conf"
printf '[General]\nDomain = dittofs.test\n[Translation]\nMethod = nsswitch\n' >"$GETC/idmapd.conf"
printf 'create id_resolver * * /usr/sbin/nfsidmap -t 600 %%k %%d\n' >"$GETC/request-key.conf"
for f in passwd group nsswitch.conf idmapd.conf request-key.conf; do
	gfile "$GETC/$f" "/etc/$f"
done
PLUGIN=$(find /usr/lib /lib -path '*libnfsidmap/nsswitch.so' 2>/dev/null | head -1)
[ -n "$PLUGIN" ] || skip_all "no libnfsidmap nsswitch plugin"
for b in "$(command -v request-key)" "$(command -v nfsidmap)" \
    "$(command -v nfs4_getfacl)" "$PLUGIN"; do
	case $b in
	*request-key) gfile "$b" /sbin/request-key ;;
	*nfsidmap) gfile "$b" /usr/sbin/nfsidmap ;;
	*nfs4_getfacl) gfile "$b" /usr/bin/nfs4_getfacl ;;
	*) gfile "$b" ;;
	esac
	for lib in $(ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		case " ${GFILES[*]} " in *" $lib:$lib "*) ;; *) gfile "$lib" ;; esac
	done
done
NSS=$(find /lib /usr/lib -name 'libnss_files.so.2' 2>/dev/null | head -1)
[ -n "$NSS" ] && gfile "$NSS"

cat > "$SUITE_DIR/guest.sh" <<'GUEST'
set -u
fail=0
t() { if "$@"; then echo "ok: $*"; else echo "FAIL: $*"; fail=1; fi; }
cd "$E2E_MNT" || exit 1
echo hello > owned
t chown 1:1 owned
echo 3 > /proc/sys/vm/drop_caches
ls -ln owned | sed 's/^/ls -ln: /'
ls -l owned | sed 's/^/ls -l: /'
t sh -c 'test "$(stat -c %u:%g owned)" = 7001:7001 # by name'
t sh -c 'test "$(stat -c %U:%G owned)" = daemon:daemon # names'
echo hello > unnamed
t chown 4242:4343 unnamed
echo 3 > /proc/sys/vm/drop_caches
t sh -c 'test "$(stat -c %u:%g unnamed)" = 4242:4343 # numeric'
chmod 640 owned
nfs4_getfacl owned > /e2e/work/acl 2>&1
sed 's/^/getfacl: /' /e2e/work/acl
t grep -q '^A::OWNER@:' /e2e/work/acl
t grep -q 'GROUP@:' /e2e/work/acl
t grep -q 'EVERYONE@:' /e2e/work/acl
exit $fail
GUEST

e2e_guest_turn
suite_start
check "the suite comes up" suite_wait_ready blockd stated nfsd
out=$(timeout 400 "$top_srcdir/tests/e2e/guest-run" \
    --nfs vers=4.0,port=2049,path=/export,hard "${GFILES[@]}" \
    --script "$SUITE_DIR/guest.sh" --timeout 360 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
if [ $rc -eq 77 ]; then
	skip "no accelerator or guest could boot (guest-run 77)" "kernel NFSv4.0 idmapping"
else
	said() { echo "$out" | grep -qF -- "$1"; }
	check "guest: chown 1:1 over the mount" said "ok: chown 1:1 owned"
	check "guest: the owner came as a name (daemon is 7001 in the guest, 1 on the server)" said "ok: sh -c test \"\$(stat -c %u:%g owned)\" = 7001:7001"
	check "guest: ls -l shows daemon daemon" said "ok: sh -c test \"\$(stat -c %U:%G owned)\" = daemon:daemon"
	check "guest: an id without a name stays a number" said "ok: sh -c test \"\$(stat -c %u:%g unnamed)\" = 4242:4343"
	check "guest: nfs4_getfacl shows an OWNER@ allow entry" said "ok: grep -q ^A::OWNER@:"
	check "guest: and GROUP@ and EVERYONE@ entries" sh -c "echo \"\$0\" | grep -qF 'ok: grep -q GROUP@:' && echo \"\$0\" | grep -qF 'ok: grep -q EVERYONE@:'" "$out"
	check "guest-run exit status 0" test $rc -eq 0
fi
check "SIGTERM to dittofs-run stops everything" suite_stop
tap_done
