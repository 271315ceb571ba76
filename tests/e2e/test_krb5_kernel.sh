#!/bin/bash
# e2e: Kerberos NFS mounts of the Linux kernel client (issue 26).  A
# realm of the test's own (tests/integration/krb5lib.sh: MIT's KDC in
# this test's network namespace); dittofs-gssd holds the keytab of
# nfs/server.dittofs.test.  The guest runs Debian's rpc.gssd and kinit
# (copied in with their libraries), with its own krb5.conf naming the
# KDC at 10.0.2.2 (slirp brings it to the namespace's 127.0.0.1), an
# /etc/hosts that makes server.dittofs.test 10.0.2.2 (rpc.gssd builds
# the service name nfs@server.dittofs.test from the name mounted) and a
# keytab with its machine principal nfs/client.dittofs.test, mapped to
# root by gssd's principal map.  For each NFS version of
# $E2E_KRB5_VERS (default "3 4.0 4.1") and
# each of sec=krb5, krb5i, krb5p: mount, a user with a ticket (alice,
# kinit in the guest) creates, writes and reads back a file whose
# sha256 equals the source's; a user without a ticket (bob) cannot
# create a file in a directory open to all.  When 4.0 is among the
# versions: the guest also runs Debian's rpc.svcgssd with its keytab, so
# its NFSv4.0 callback service accepts RPCSEC_GSS (the kernel's
# callback server takes it only through that userspace acceptor); a
# sec=krb5 v4.0 mount holds a file open for reading with a delegation,
# an NFSv3 sec=krb5 write of the file from the same guest makes stated
# recall it, and nfsd's CB_RECALL goes under RPCSEC_GSS (gssd initiates
# as nfs/server.dittofs.test toward nfs/client.dittofs.test, the
# principal of the client's SETCLIENTID, under the SETCLIENTID's
# service: krb5i from Linux, whatever the mount's sec=, as it does its
# lease operations under krb5i); the guest returns it
# (DELEGRETURN in its mountstats) and the logs of nfsd and stated name
# the callback's RPCSEC_GSS service.  Last, a krb5p copy of 96 MiB
# across kill -9 of nfsd finishes and reads back intact.
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
GSSD_BIN=$(command -v rpc.gssd || echo /usr/sbin/rpc.gssd)
SVCGSSD_BIN=$(command -v rpc.svcgssd || echo /usr/sbin/rpc.svcgssd)
for tool in "$GSSD_BIN" "$SVCGSSD_BIN" kinit ldd; do
	command -v "$tool" >/dev/null ||
	    skip_all "$tool not installed (see deps/e2e.list)"
done
VERS=${E2E_KRB5_VERS:-3 4.0 4.1}
for v in $VERS; do
	case $v in
	3|4.0|4.1) ;;
	*) echo "Bail out! E2E_KRB5_VERS: $v is not 3, 4.0 or 4.1"; exit 1 ;;
	esac
done
suite_users
SUITE_WITH=nfsd
suite_setup
trap 'krb5_realm_stop; suite_cleanup' EXIT
KDIR=$SUITE_DIR/krb5
check "a realm: kdb5_util create -s, krb5kdc -n" krb5_realm_setup "$KDIR"
KDC_PORT=$(sed -n 's/^[[:space:]]*kdc = 127.0.0.1:\([0-9]*\)$/\1/p' "$KDIR/krb5.conf")
check "nfs/server.dittofs.test in the server's keytab" \
    krb5_addprinc_keytab nfs/server.dittofs.test "$KDIR/nfs.keytab"
check "nfs/client.dittofs.test in the guest's keytab" \
    krb5_addprinc_keytab nfs/client.dittofs.test "$KDIR/guest.keytab"
APASS=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
check "alice@$KRB5_REALM with a password" krb5_addprinc_password alice "$APASS"
check "bob@$KRB5_REALM (who will have no ticket)" \
    krb5_addprinc_password bob "$APASS"
printf 'nfs/client.dittofs.test@%s 0:0\nalice@%s 4242:4242\nbob@%s 4243:4243\n' \
    "$KRB5_REALM" "$KRB5_REALM" "$KRB5_REALM" > "$KDIR/principals"
chmod 644 "$KDIR/nfs.keytab"

cat >> "$SUITE_CONF" <<CONF
root squash = no
security = krb5p krb5i krb5

[nfsd]
port = 2049
mount port = 20048
rpcbind = no

[gssd]
keytab = $KDIR/nfs.keytab
realm = $KRB5_REALM
principal map = $KDIR/principals
CONF

# The guest's Kerberos: rpc.gssd, rpc.svcgssd and kinit with their
# libraries, the files they read (krb5lib.sh), and its keytab.
GFILES=()
gfile() { krb5_guest_gfile "$@"; }
krb5_guest_files "$SUITE_DIR/guest-etc" "$KDC_PORT" \
    "$GSSD_BIN:/usr/sbin/rpc.gssd" "$SVCGSSD_BIN:/usr/sbin/rpc.svcgssd" \
    "$(command -v kinit):/usr/bin/kinit"
gfile "$KDIR/guest.keytab" /etc/krb5.keytab
# rpc.svcgssd maps the caller's principal through libnfsidmap's plugin.
l=$(find /lib /usr/lib -path '*/libnfsidmap/nsswitch.so' 2>/dev/null | head -1)
[ -n "$l" ] && gfile "$l"

cat > "$SUITE_DIR/guest.sh" <<'GUEST'
set -u
fail=0
t() { if "$@"; then echo "ok: $*"; else echo "FAIL($?): $*"; fail=1; fi; }
hostname client.dittofs.test
# NFSv4.0 callbacks: the port the host forwards (--hostfwd), set before
# the first v4.0 mount starts the callback service.
echo "$E2E_CB_PORT" > /sys/module/nfs/parameters/callback_tcpport ||
    echo "FAIL: nfs.callback_tcpport"
mkdir -p /run/rpc_pipefs /var/lib/nfs
mount -t rpc_pipefs rpc_pipefs /run/rpc_pipefs || echo "FAIL: mount rpc_pipefs"
rpc.gssd -f -v -p /run/rpc_pipefs -k /etc/krb5.keytab > /e2e/work/gssd.log 2>&1 &
GSSD=$!
# The acceptor of the NFSv4.0 callback service's RPCSEC_GSS contexts
# (its replay cache lives in /var/tmp).
mkdir -p /var/tmp
chmod 1777 /var/tmp
rpc.svcgssd -f -vvv > /e2e/work/svcgssd.log 2>&1 &
SVCGSSD=$!
sleep 1
# alice's ticket where rpc.gssd looks for uid 4242's.
echo "$E2E_KRB5_PASS" | KRB5CCNAME=FILE:/tmp/krb5cc_4242 kinit alice > /e2e/work/kinit.log 2>&1
t chown 4242:4242 /tmp/krb5cc_4242
cat /e2e/work/kinit.log
as() { u=$1; shift; su -s /bin/sh "$u" -c "$*"; }
dd if=/dev/urandom of=/e2e/work/src bs=1024 count=1536 2>/dev/null
SRC=$(sha256sum < /e2e/work/src | cut -d' ' -f1)
chmod 644 /e2e/work/src
M=/mnt/k
mkdir -p $M
for v in $E2E_KRB5_VERS; do
	case $v in
	3) o="vers=3,addr=10.0.2.2,proto=tcp,mountproto=tcp,mountaddr=10.0.2.2,port=2049,mountport=20048,nolock" ;;
	4.0) o="vers=4.0,addr=10.0.2.2,clientaddr=127.0.0.1,proto=tcp,port=2049" ;;
	*) o="vers=$v,addr=10.0.2.2,proto=tcp,port=2049" ;;
	esac
	for s in krb5 krb5i krb5p; do
		if ! timeout 120 e2e-helper mount server.dittofs.test:/export $M nfs "$o,sec=$s,hard"; then
			echo "FAIL: mount v$v sec=$s"
			fail=1
			continue
		fi
		echo "ok: mount v$v sec=$s"
		d=$M/v$v-$s
		# root (the machine principal, root by gssd's map) makes the
		# directories; alice and bob have their own credentials.
		t mkdir -p $d/alice $d/open
		t chown 4242:4242 $d/alice
		t chmod 1777 $d/open
		t as alice "cp /e2e/work/src $d/alice/f # v$v $s"
		sync
		echo 3 > /proc/sys/vm/drop_caches
		t as alice "test \"\$(sha256sum < $d/alice/f | cut -d' ' -f1)\" = $SRC # v$v $s sha256"
		if as bob "echo x > $d/open/bob" 2> /e2e/work/bob.err; then
			echo "FAIL: bob without a ticket wrote v$v $s"
			fail=1
		else
			echo "ok: bob without a ticket refused v$v $s: $(cat /e2e/work/bob.err)"
		fi
		t sh -c "! test -e $d/open/bob # v$v $s no bob file"
		timeout 60 umount $M || { echo "FAIL: umount v$v $s"; fail=1; }
	done
done
# An NFSv4.0 delegation recalled over an RPCSEC_GSS callback: the v4.0
# mount's lease is the machine principal's (SETCLIENTID under Kerberos),
# the NFSv3 write of the same file conflicts with the delegation.
case " $E2E_KRB5_VERS " in
*" 4.0 "*)
	D=/mnt/d
	V3=/mnt/v3
	mkdir -p $D $V3
	if timeout 120 e2e-helper mount server.dittofs.test:/export $D nfs "vers=4.0,addr=10.0.2.2,clientaddr=127.0.0.1,proto=tcp,port=2049,sec=krb5,hard" &&
	    timeout 120 e2e-helper mount server.dittofs.test:/export $V3 nfs "vers=3,addr=10.0.2.2,proto=tcp,mountproto=tcp,mountaddr=10.0.2.2,port=2049,mountport=20048,nolock,sec=krb5,hard"; then
		echo "ok: deleg: mounts v4.0 and v3 sec=krb5"
		echo first > $D/deleg
		sync
		# nfsd probes the callback (CB_NULL under RPCSEC_GSS) after
		# SETCLIENTID_CONFIRM: open for reading once it answered.
		sleep 3
		exec 3< $D/deleg
		cat $D/deleg > /dev/null
		echo "GUEST deleg: f open for reading on v4.0"
		t sh -c "echo second > $V3/deleg # deleg v3 write"
		t sh -c "test \"\$(cat $D/deleg)\" = second # deleg v4.0 reads it"
		exec 3<&-
		awk -v m=" $D " '$0 ~ "mounted on" { on = index($0, m) > 0 } on && $1 == "DELEGRETURN:" { print "DELEG DELEGRETURN " $2 }' /proc/self/mountstats
		timeout 60 umount $V3
		timeout 60 umount $D
	else
		echo "FAIL: deleg: mounts"
		fail=1
	fi
	sed 's/^/rpc.svcgssd: /' /e2e/work/svcgssd.log | tail -20
	;;
esac
# kill -9 of nfsd during a krb5p copy (the host kills it once the
# file's backing file passes 32 MiB).
v=${E2E_KRB5_VERS##* }
case $v in
3) o="vers=3,addr=10.0.2.2,proto=tcp,mountproto=tcp,mountaddr=10.0.2.2,port=2049,mountport=20048,nolock" ;;
4.0) o="vers=4.0,addr=10.0.2.2,clientaddr=127.0.0.1,proto=tcp,port=2049" ;;
*) o="vers=$v,addr=10.0.2.2,proto=tcp,port=2049" ;;
esac
if timeout 120 e2e-helper mount server.dittofs.test:/export $M nfs "$o,sec=krb5p,hard"; then
	e2e-helper gen 7 100663296 > /e2e/work/big
	BIG=$(sha256sum < /e2e/work/big | cut -d' ' -f1)
	echo "GUEST restart copy starts"
	t cp /e2e/work/big $M/big
	rm -f /e2e/work/big
	sync
	echo 3 > /proc/sys/vm/drop_caches
	t sh -c "test \"\$(sha256sum < $M/big | cut -d' ' -f1)\" = $BIG # restart copy"
	timeout 60 umount $M
else
	echo "FAIL: mount for the restart copy"
	fail=1
fi
kill $GSSD $SVCGSSD 2>/dev/null
sed 's/^/rpc.gssd: /' /e2e/work/gssd.log | tail -40
exit $fail
GUEST

e2e_guest_turn
suite_start
check "the suite comes up" suite_wait_ready blockd stated gssd nfsd
expect "gssd says Kerberos is on" "Kerberos: on" suite_ctl status gssd

kill_nfsd_mid_copy() {
	local i=0 pid
	while [ $i -lt 9000 ]; do
		if [ -n "$(find "$SUITE_DIR/state/blockd/data" -type f -size +32M 2>/dev/null | head -1)" ]; then
			pid=$(suite_pid nfsd)
			[ -n "$pid" ] && kill -KILL "$pid" && echo "$pid" > "$SUITE_DIR/killed"
			return
		fi
		sleep 0.1
		i=$((i + 1))
	done
}
kill_nfsd_mid_copy &
KILLER=$!
CB_PORT=$(e2e_free_port)
out=$(timeout 1500 "$top_srcdir/tests/e2e/guest-run" --modules nfs,krb5 \
    "${GFILES[@]}" --env "E2E_KRB5_PASS=$APASS" --env "E2E_KRB5_VERS=$VERS" \
    --env "E2E_CB_PORT=$CB_PORT" --hostfwd "tcp:127.0.0.1:$CB_PORT-:$CB_PORT" \
    --script "$SUITE_DIR/guest.sh" --mem 1536 --timeout 1400 2>&1)
rc=$?
kill "$KILLER" 2>/dev/null
wait "$KILLER" 2>/dev/null
echo "$out" | sed 's/^/# /'
if [ $rc -eq 77 ]; then
	skip "no accelerator or guest could boot (guest-run 77)" "kernel NFS Kerberos client"
else
	said() { echo "$out" | grep '^ok: ' | grep -qF -- "$1"; }
	check "guest: alice's kinit against the KDC of the namespace" said "ok: chown 4242:4242 /tmp/krb5cc_4242"
	for v in $VERS; do
		for s in krb5 krb5i krb5p; do
			check "guest: v$v sec=$s mounts" said "ok: mount v$v sec=$s"
			check "guest: v$v $s: root (machine principal) makes directories" said "ok: mkdir -p /mnt/k/v$v-$s/alice"
			check "guest: v$v $s: alice creates and writes a file" said "ok: as alice cp /e2e/work/src /mnt/k/v$v-$s/alice/f # v$v $s"
			check "guest: v$v $s: it reads back with the same sha256" said "# v$v $s sha256"
			check "guest: v$v $s: bob without a ticket is refused" said "ok: bob without a ticket refused v$v $s"
			check "guest: v$v $s: and made no file" said "ok: sh -c ! test -e /mnt/k/v$v-$s/open/bob"
		done
	done
	case " $VERS " in
	*" 4.0 "*)
		check "guest: deleg: v4.0 and v3 sec=krb5 mount" said "ok: deleg: mounts"
		check "guest: deleg: the NFSv3 write of the delegated file went through" said "# deleg v3 write"
		check "guest: deleg: the v4.0 mount reads the new bytes" said "# deleg v4.0 reads it"
		deleg_returned() { echo "$out" | grep -qE '^DELEG DELEGRETURN [1-9]'; }
		check "guest: deleg: the v4.0 mount returned a delegation (DELEGRETURN in its mountstats)" deleg_returned
		check "nfsd: a CB_RECALL went under RPCSEC_GSS" \
		    grep -q "CB_RECALL sent under RPCSEC_GSS krb5" "$SUITE_DIR/run.log"
		check "stated: the delegation was recalled through nfsd over an RPCSEC_GSS callback" \
		    grep -q "recalled through nfsd (callback under RPCSEC_GSS krb5" "$SUITE_DIR/run.log"
		check "nfsd: no CB_RECALL failed" \
		    sh -c "! grep -q 'CB_RECALL.*fail' '$SUITE_DIR/run.log'"
		check "stated: no delegation revoked" \
		    sh -c "! grep -q 'not returned within the lease after its recall' '$SUITE_DIR/run.log'"
		grep -E 'CB_RECALL|callback path|recalled through|GSS callback' "$SUITE_DIR/run.log" | tail -20 | sed 's/^/# run.log: /'
		;;
	esac
	check "nfsd was killed (kill -9) during the krb5p copy" test -s "$SUITE_DIR/killed"
	check "guest: the krb5p copy across the restart finished" said "ok: cp /e2e/work/big /mnt/k/big"
	check "guest: and reads back identical" said "# restart copy"
	check "guest-run exit status 0" test $rc -eq 0
fi
check "nfsd still runs" suite_has_pid nfsd
grep -E 'gssd|rpcsec|GSS' "$SUITE_DIR/run.log" 2>/dev/null | tail -30 | sed 's/^/# run.log: /'
check "SIGTERM to dittofs-run stops everything" suite_stop
tap_done
