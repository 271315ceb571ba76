#!/bin/bash
# Integration: SMB sessions set up with Kerberos (MS-SMB2 3.3.5.5.3)
# expire when the client's ticket does (3.3.5.2.9): smbtorture's
# smb2.session.expire* against a realm of the test's own (krb5lib.sh)
# whose cifs/dittofs.test tickets live a few seconds.  After the end,
# every request of the session but LOGOFF, CLOSE, unlocks and ECHO gets
# NETWORK_SESSION_EXPIRED, and a SESSION_SETUP with a fresh ticket
# (re-authentication) makes it valid again.  Then, with [smbd] signing
# required, smb2.session-require-signing.bug15397.  dittofs.test is
# 127.0.0.1 in a private /etc/hosts, bind-mounted in this test's own
# mount namespace.
# SMB_KRB5_PROBE_LIST="smb2.x.y ..." runs those subtests too, as PROBE
# PASS / PROBE FAIL diagnostics that do not count; SMB_KRB5_ONLY=TEST
# runs that one of the list alone.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/krb5lib.sh"

if ! command -v smbtorture >/dev/null; then
	echo "1..0 # SKIP no smbtorture (Debian: samba-testsuite)"
	exit 0
fi
krb5_suite "smbd" "$0" "$@"
KDIR=$SUITE_DIR/krb5
# Seconds a cifs/dittofs.test ticket lives: the expire tests sleep past it.
TICKET_LIFE=4

cp /etc/hosts "$SUITE_DIR/hosts"
printf '127.0.0.1\tdittofs.test\n' >> "$SUITE_DIR/hosts"
check "a private /etc/hosts with dittofs.test (this mount namespace's)" \
    mount --bind "$SUITE_DIR/hosts" /etc/hosts
check "dittofs.test is 127.0.0.1" \
    sh -c 'getent hosts dittofs.test | grep -q "^127\.0\.0\.1"'
check "a realm: kdb5_util create -s, krb5kdc -n on loopback" \
    krb5_realm_setup "$KDIR"
check "cifs/dittofs.test in gssd's keytab" \
    krb5_addprinc_keytab cifs/dittofs.test "$KDIR/cifs.keytab"
check "cifs/dittofs.test's tickets live $TICKET_LIFE seconds" \
    timeout 30 kadmin.local -r "$KRB5_REALM" \
    -q "modprinc -maxlife \"$TICKET_LIFE seconds\" cifs/dittofs.test"
UPASS=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
check "root@$KRB5_REALM with a password" krb5_addprinc_password root "$UPASS"
chmod 644 "$KDIR/cifs.keytab"

cat >> "$SUITE_CONF" <<CONF
root squash = no

[smbd]
port = 445

[gssd]
keytab = $KDIR/cifs.keytab
realm = $KRB5_REALM
CONF

suite_start
check "stated, blockd, gssd and smbd come up" \
    suite_wait_ready stated blockd gssd smbd
check "smbd is connected to gssd" suite_wait 30 \
    grep -q "dittofs-smbd.*connected to gssd" "$SUITE_DIR/run.log"

# smbtorture with root's password and Kerberos alone (no spaces in
# either, so the words split as they should).
TORTURE_ARGS="//dittofs.test/export -p 445 -U root%$UPASS --realm=$KRB5_REALM --use-kerberos=required --target=samba3 --option=torture:smbd=false"
torture() {
	timeout 180 smbtorture $TORTURE_ARGS "$1" > "$SUITE_DIR/torture.out" 2>&1
}

# torture_checks TEST...: each a check (SMB_KRB5_ONLY: that one alone).
torture_checks() {
	local t
	for t in "$@"; do
		[ -n "${SMB_KRB5_ONLY:-}" ] && [ "$t" != "$SMB_KRB5_ONLY" ] &&
		    continue
		torture_check "smbtorture $t" $TORTURE_ARGS "$t"
	done
}

# MS-SMB2 3.3.5.2.9: expiry, and re-authentication with a new ticket,
# plain, signed and encrypted; what an expired session may still do
# (expire2*); expire_disconnect: an expired session's connection.
torture_checks smb2.session.expire1n smb2.session.expire1s \
    smb2.session.expire1e smb2.session.expire2s smb2.session.expire2e \
    smb2.session.expire_disconnect
check "smbd logged a session's expiry" \
    grep -q "its Kerberos ticket has ended" "$SUITE_DIR/run.log"

# Multichannel with Kerberos: a bind authenticates through gssd with a
# ticket of its own, its channel's key from that ticket's session key.
torture_checks smb2.session.bind1 smb2.multichannel.generic.num_channels
check "smbd logged the Kerberos binds" \
    grep -q "of root: bound as a channel" "$SUITE_DIR/run.log"

# [smbd] signing required: NEGOTIATE says so (security mode 3) and
# sessions sign, as smbtorture's smb2.session-require-signing.bug15397
# wants (Samba's selftest runs it against a server that requires
# signing).
n=$(grep -c 'dittofs-smbd.*share(s)$' "$SUITE_DIR/run.log")
sed -i '/^\[smbd\]$/a signing required = yes' "$SUITE_CONF"
check "smbd reloads ([smbd] signing required = yes)" suite_ctl reload smbd
check "... and has read it" suite_wait 10 sh -c "test \$(grep -c 'dittofs-smbd.*share(s)\$' '$SUITE_DIR/run.log') -gt $n"
torture_checks smb2.session-require-signing.bug15397

for t in ${SMB_KRB5_PROBE_LIST:-}; do
	if torture "$t"; then
		diag "PROBE PASS $t"
	else
		diag "PROBE FAIL $t"
		grep -v '^time:' "$SUITE_DIR/torture.out" | tail -12 |
		    sed 's/^/PROBE   /' | while IFS= read -r l; do diag "$l"; done
	fi
	cp "$SUITE_DIR/torture.out" "$SUITE_DIR/probe.$t.out"
done

check "smbd still runs" suite_has_pid smbd
check "gssd still runs" suite_has_pid gssd
check "a clean stop" suite_stop
tap_done
