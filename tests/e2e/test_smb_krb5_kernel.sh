#!/bin/bash
# e2e: Kerberos logins of the Linux kernel SMB client (issue 26).  A
# realm of the test's own (tests/integration/krb5lib.sh: MIT's KDC in
# this test's network namespace); dittofs-gssd holds the keytab of
# cifs/server.dittofs.test and maps alice@DITTO.TEST to 4242:4242.  The
# guest's cifs.ko asks userspace for its SPNEGO blob through the
# kernel's request-key: the guest has Debian's request-key, cifs.upcall
# and kinit with their libraries, an /etc/request-key.conf that hands
# cifs.spnego keys to cifs.upcall, and krb5.conf, /etc/hosts and passwd
# from krb5_guest_files.  alice gets a ticket with kinit in the guest
# (/tmp/krb5cc_4242, where cifs.upcall looks for uid 4242's).  Three
# vers=3.1.1 mounts of //server.dittofs.test/export with cruid=4242
# (cifs.upcall makes the blob with that uid's ticket): sec=krb5,
# sec=krb5i (signed) and sec=krb5 with seal; on each alice creates,
# writes and reads back a file whose sha256 equals the source's, in a
# directory root gave to uid 4242 beforehand (smbcacls --chown from the
# host, as a uid-0 user of `dittofsctl user add`).  A mount with
# cruid=4243 (bob, who has no ticket) is refused with ENOKEY.  The
# mounts name their user (username=), as mount.cifs would: cifs.ko
# refuses a mount without one, sec=krb5 too.  The server's side: gssd
# logs alice's Kerberos logins as uid 4242, the files' owner (smbcacls)
# is S-1-22-1-4242, bob never logs in, smbd counts the sealed mount's
# transforms and no bad signature.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/krb5lib.sh"

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
suite_need_root
[ "${DITTOFS_E2E:-yes}" = no ] &&
    skip_all "end-to-end tests turned off (configure --disable-e2e)"
krb5_have_kdc || skip_all "no MIT KDC (Debian: krb5-kdc, krb5-user)"
suite_in_netns "$0" "$@"
. "$top_srcdir/tests/e2e/lib.sh"
UPCALL_BIN=$(command -v cifs.upcall || echo /usr/sbin/cifs.upcall)
REQKEY_BIN=$(command -v request-key || echo /sbin/request-key)
for tool in "$UPCALL_BIN" "$REQKEY_BIN" kinit ldd smbclient smbcacls; do
	command -v "$tool" >/dev/null ||
	    skip_all "$tool not installed (see deps/e2e.list, deps/test.list)"
done
suite_users
[ -x "$SBINDIR/dittofs-gssd" ] || skip_all "dittofs-gssd is not built"
SUITE_WITH=smbd
suite_setup
trap 'krb5_realm_stop; suite_cleanup' EXIT
KDIR=$SUITE_DIR/krb5
check "a realm: kdb5_util create -s, krb5kdc -n" krb5_realm_setup "$KDIR"
KDC_PORT=$(sed -n 's/^[[:space:]]*kdc = 127.0.0.1:\([0-9]*\)$/\1/p' "$KDIR/krb5.conf")
check "cifs/server.dittofs.test in the server's keytab" \
    krb5_addprinc_keytab cifs/server.dittofs.test "$KDIR/smb.keytab"
APASS=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
check "alice@$KRB5_REALM with a password" krb5_addprinc_password alice "$APASS"
check "bob@$KRB5_REALM (who will have no ticket)" \
    krb5_addprinc_password bob "$APASS"
printf 'alice@%s 4242:4242\nbob@%s 4243:4243\n' "$KRB5_REALM" "$KRB5_REALM" \
    > "$KDIR/principals"
chmod 644 "$KDIR/smb.keytab"

cat >> "$SUITE_CONF" <<CONF
root squash = no

[smbd]
port = 445

[gssd]
keytab = $KDIR/smb.keytab
realm = $KRB5_REALM
principal map = $KDIR/principals
CONF

# The guest's Kerberos client side (krb5lib.sh) with cifs.upcall and
# request-key, and the kernel's request-key rule for cifs.spnego keys.
GFILES=()
krb5_guest_files "$SUITE_DIR/guest-etc" "$KDC_PORT" \
    "$UPCALL_BIN:/usr/sbin/cifs.upcall" "$REQKEY_BIN:/sbin/request-key" \
    "$(command -v kinit):/usr/bin/kinit"
printf 'create cifs.spnego * * /usr/sbin/cifs.upcall %%k\n' \
    > "$SUITE_DIR/guest-etc/request-key.conf"
krb5_guest_gfile "$SUITE_DIR/guest-etc/request-key.conf" /etc/request-key.conf

cat > "$SUITE_DIR/guest.sh" <<'GUEST'
set -u
fail=0
t() { if "$@"; then echo "ok: $*"; else echo "FAIL($?): $*"; fail=1; fi; }
hostname client.dittofs.test
# alice's ticket where cifs.upcall looks for uid 4242's.
echo "$E2E_KRB5_PASS" | KRB5CCNAME=FILE:/tmp/krb5cc_4242 kinit alice > /e2e/work/kinit.log 2>&1
t chown 4242:4242 /tmp/krb5cc_4242
cat /e2e/work/kinit.log
dd if=/dev/urandom of=/e2e/work/src bs=1024 count=1536 2>/dev/null
SRC=$(sha256sum < /e2e/work/src | cut -d' ' -f1)
chmod 644 /e2e/work/src
# No name resolution in the kernel's mount path: ip=; the name in the
# UNC is what cifs.upcall asks a ticket for (cifs/server.dittofs.test).
UNC=//server.dittofs.test/export
O=ip=10.0.2.2,port=445,vers=3.1.1,hard
M=/mnt/k
mkdir -p $M
for m in krb5 krb5i seal; do
	case $m in
	seal) o="$O,sec=krb5,seal" ;;
	*) o="$O,sec=$m" ;;
	esac
	o="$o,username=alice,cruid=4242,uid=4242,gid=4242"
	if ! timeout 120 e2e-helper mount $UNC $M cifs "$o"; then
		echo "FAIL: mount $m cruid=4242"
		fail=1
		continue
	fi
	echo "ok: mount $m cruid=4242"
	t su -s /bin/sh alice -c "cp /e2e/work/src $M/alice/$m-file"
	sync
	echo 3 > /proc/sys/vm/drop_caches
	t sh -c "test \"\$(sha256sum < $M/alice/$m-file | cut -d' ' -f1)\" = $SRC # $m sha256"
	timeout 60 umount $M || { echo "FAIL: umount $m"; fail=1; }
done
# bob has no ticket: cifs.upcall has nothing to make a blob with.
if timeout 120 e2e-helper mount $UNC $M cifs "$O,sec=krb5,username=bob,cruid=4243,uid=4243,gid=4243" 2> /e2e/work/bob.err; then
	echo "FAIL: bob without a ticket mounted"
	fail=1
	timeout 60 umount $M
else
	echo "ok: bob without a ticket refused: $(cat /e2e/work/bob.err)"
fi
dmesg | grep -i 'cifs\|smb' | tail -20 | sed 's/^/dmesg: /'
exit $fail
GUEST

e2e_guest_turn
suite_start
check "the suite comes up" suite_wait_ready blockd gssd smbd
expect "gssd says Kerberos is on" "Kerberos: on" suite_ctl status gssd
check "smbd connects to gssd" suite_wait 20 sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status smbd | grep -q 'gssd connected'"
# alice's directory: made by a uid-0 user of gssd's password database,
# given to uid 4242 by its owner SID.
APW=e2e-Admin-w0rd
out=$(echo "$APW" | suite_ctl user add admin --uid 0 --gid 0 2>&1)
check "dittofsctl user add admin (uid 0) ($out)" test "$out" = "user admin added"
SMBC() { timeout 60 smbclient //127.0.0.1/export -p 445 -m SMB3 -U "admin%$APW" -c "$1" 2>&1; }
CACLS() { timeout 60 smbcacls //127.0.0.1/export -m SMB3 --numeric -U "admin%$APW" "$@" 2>&1; }
out=$(SMBC 'mkdir alice')
check "smbclient mkdir alice ($out)" sh -c "! echo \"\$0\" | grep -q NT_STATUS_" "$out"
check "smbcacls --chown S-1-22-1-4242 alice" CACLS alice --chown S-1-22-1-4242

out=$(timeout 900 "$top_srcdir/tests/e2e/guest-run" --modules cifs \
    "${GFILES[@]}" --env "E2E_KRB5_PASS=$APASS" \
    --script "$SUITE_DIR/guest.sh" --mem 1024 --timeout 800 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
if [ $rc -eq 77 ]; then
	skip "no accelerator or guest could boot (guest-run 77)" "kernel SMB Kerberos client"
else
	said() { echo "$out" | grep '^ok: ' | grep -qF -- "$1"; }
	check "guest: alice's kinit against the KDC of the namespace" said "ok: chown 4242:4242 /tmp/krb5cc_4242"
	for m in krb5 krb5i seal; do
		case $m in
		seal) what="sec=krb5,seal" ;;
		*) what="sec=$m" ;;
		esac
		check "guest: vers=3.1.1 $what cruid=4242 mounts" said "ok: mount $m cruid=4242"
		check "guest: $m: alice creates and writes a file" said "ok: su -s /bin/sh alice -c cp /e2e/work/src /mnt/k/alice/$m-file"
		check "guest: $m: it reads back with the same sha256" said "# $m sha256"
		out2=$(CACLS alice/$m-file)
		check "smbcacls: alice/$m-file is owned by S-1-22-1-4242 (alice's mapped uid)" sh -c "echo \"\$0\" | grep -qx 'OWNER:S-1-22-1-4242'" "$out2"
	done
	# ENOKEY: cifs.upcall found no ticket (the session setup's key),
	# not a mount option the kernel refused.
	check "guest: bob without a ticket is refused at mount (ENOKEY)" \
	    sh -c "echo \"\$0\" | grep -q '^ok: bob without a ticket refused: .*: Required key not available\$'" "$out"
	check "guest-run exit status 0" test $rc -eq 0
fi
n=$(grep -c "smbd: alice@$KRB5_REALM logged in with Kerberos as .* (uid 4242 gid 4242)\$" "$SUITE_DIR/run.log")
check "gssd: alice logged in to smbd with Kerberos as uid 4242, once a mount ($n)" \
    test "$n" -ge 3
check "gssd: bob never logged in" sh -c "! grep -q 'bob@$KRB5_REALM logged in' '$SUITE_DIR/run.log'"
status=$(suite_ctl status smbd 2>&1)
check "smbd decrypted the sealed mount's transforms" sh -c "echo \"\$0\" | grep -q '[1-9][0-9]* transform(s) decrypted'" "$status"
check "smbd saw no bad signature (the krb5i mount signs with Kerberos' session key)" sh -c "echo \"\$0\" | grep -q ' 0 bad signature(s)'" "$status"
grep -E 'gssd|Kerberos|SPNEGO' "$SUITE_DIR/run.log" 2>/dev/null | tail -20 | sed 's/^/# run.log: /'
check "smbd still runs" suite_has_pid smbd
check "SIGTERM to dittofs-run stops everything" suite_stop
tap_done
