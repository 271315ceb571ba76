#!/bin/bash
# Integration: Kerberos for NFS (RPCSEC_GSS, RFC 2203) with a real MIT
# KDC of the test's own (krb5lib.sh) in a private network namespace.
# gssd reads the nfs/localhost keytab; our client (tests/clients/
# krb5-client, with root@DITTO.TEST's ticket: the local user root by
# gssd's rule) makes a context through nfsd and gssd, then NULL,
# GETATTR, CREATE, WRITE and READ back under krb5, krb5i and krb5p; a
# tampered krb5i body is refused and a replayed sequence number gets no
# reply.  nfsd is killed with SIGKILL while the client waits:
# dittofs-run restarts it, and the same context goes on (nfsd fetches it
# back from gssd).  A share with security = krb5i refuses krb5 with
# AUTH_TOOWEAK and lists its flavour to MOUNT; a client without a ticket
# makes no context.  SMB logs in with Kerberos in SPNEGO's shapes and
# with a bare Kerberos token (no SPNEGO), through gssd alone and through
# smbd.  The daemons ran under seccomp without a forbidden call.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/krb5lib.sh"

krb5_suite "nfsd smbd" "$0" "$@"
CLIENT=$top_builddir/tests/clients/krb5-client
KDIR=$SUITE_DIR/krb5
P=2049

check "a realm: kdb5_util create -s, krb5kdc -n on loopback" \
    krb5_realm_setup "$KDIR"
check "nfs/localhost with a random key, in a keytab" \
    krb5_addprinc_keytab nfs/localhost "$KDIR/nfs.keytab"
# smbclient will not try Kerberos with "localhost": another name, and -I.
check "cifs/dittofs.test too" \
    krb5_addprinc_keytab cifs/dittofs.test "$KDIR/nfs.keytab"
check "host/localhost, in another keytab" \
    krb5_addprinc_keytab host/localhost "$KDIR/other.keytab"
check "svc/dittofs.test, a service the principal map names" \
    krb5_addprinc_keytab svc/dittofs.test "$KDIR/svc.keytab"
check "kinit as nfs/localhost (a machine credential)" \
    krb5_kinit_keytab nfs/localhost "$KDIR/nfs.keytab" "$KDIR/ccache.machine"
check "kinit as svc/dittofs.test" \
    krb5_kinit_keytab svc/dittofs.test "$KDIR/svc.keytab" "$KDIR/ccache.svc"
printf '# test map\nsvc/dittofs.test@%s 4242:4243\n' "$KRB5_REALM" \
    > "$KDIR/principals"
UPASS=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
check "root@$KRB5_REALM with a password" krb5_addprinc_password root "$UPASS"
check "kinit root into a ccache of the test's own" \
    krb5_kinit root "$UPASS" "$KDIR/ccache.root"
chmod 644 "$KDIR/nfs.keytab"

cat >> "$SUITE_CONF" <<CONF
root squash = no

[share strict]
path = /strict
security = krb5i
root squash = no
insecure = yes

[smbd]
port = 445

[gssd]
keytab = $KDIR/nfs.keytab
realm = $KRB5_REALM
principal map = $KDIR/principals
CONF

suite_start
check "stated, blockd, gssd and nfsd come up" \
    suite_wait_ready stated blockd gssd nfsd
check "nfsd serves MOUNT" suite_wait 20 "$CLIENT" -m -p $P -e /export
expect "gssd says Kerberos is on" "Kerberos: on" suite_ctl status gssd
check "nfsd is connected to gssd" suite_wait 30 gssd_has_nfsd

# nfsd_restart WHAT: kill -9 nfsd, check that dittofs-run starts another.
nfsd_restart() {
	NFSD_PID=$(suite_pid nfsd)
	kill -KILL "$NFSD_PID" 2>/dev/null
	check "$1" \
	    suite_wait 30 sh -c "p=\$(DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status nfsd 2>/dev/null | awk '\$1 == \"nfsd\" { print \$2 }'); [ -n \"\$p\" ] && [ \"\$p\" != $NFSD_PID ]"
	suite_wait 20 "$CLIENT" -m -p $P -e /export
}

# client_restart WHAT OUT CMD...: krb5-client -k as CMD, its lines into
# OUT; at its "waiting", nfsd_restart WHAT, then it goes on; rc: its exit.
client_restart() {
	what=$1 out=$2
	shift 2
	: > "$out"
	coproc KC { "$@" 2>&1; }
	KCPID=$KC_PID
	exec 3<&"${KC[0]}" 4>&"${KC[1]}"
	while IFS= read -r -t 60 line <&3; do
		echo "$line" >> "$out"
		[ "$line" = waiting ] && break
	done
	nfsd_restart "$what"
	# In a subshell: a client already gone (its lines say why) is a
	# failed check below, not a SIGPIPE that ends the test.
	(echo go >&4) 2>/dev/null || diag "the client was gone before go"
	while IFS= read -r -t 60 line <&3; do
		echo "$line" >> "$out"
	done
	wait "$KCPID" 2>/dev/null
	rc=$?
	exec 3<&- 4>&-
}

# The client's checks, with a kill -9 of nfsd in the middle.
OUT=$SUITE_DIR/client.out
client_restart "dittofs-run restarts nfsd after kill -9" "$OUT" \
    env KRB5CCNAME=FILE:$KDIR/ccache.root timeout 120 "$CLIENT" -k \
    -p $P -e /export
client_results "" "$OUT"
check "the client saw every check hold (exit 0)" test "$rc" = 0
expect "gssd handed the context back to the restarted nfsd" \
    "handed back 1" suite_ctl status gssd
expect "the restarted nfsd fetched it back" "1 fetched back from gssd" \
    suite_ctl status nfsd

# Share security: krb5i is the weakest /strict takes.
expect "MOUNT of /strict lists krb5i (390004) alone" "flavors: 390004\$" \
    "$CLIENT" -m -p $P -e /strict
expect "krb5 on /strict: AUTH_TOOWEAK" "krb5: auth error 5" \
    env KRB5CCNAME=FILE:$KDIR/ccache.root "$CLIENT" -s krb5 -p $P -e /strict
expect "krb5i on /strict: NFS3_OK" "krb5i: nfs status 0" \
    env KRB5CCNAME=FILE:$KDIR/ccache.root "$CLIENT" -s krb5i -p $P -e /strict
expect "MOUNT of /export still lists AUTH_SYS and AUTH_NONE" \
    "flavors: 1 0" "$CLIENT" -m -p $P -e /export
PROBE4() { PYTHONPATH="$ONCRPC_PYTHONPATH" timeout 30 python3 "$top_srcdir/tests/clients/nfs4probe.py" "$P" "$@"; }
expect "NFSv4 AUTH_SYS LOOKUP into /strict: NFS4ERR_WRONGSEC" "ERR 10016" \
    PROBE4 path /strict
expect "NFSv4 SECINFO of strict: RPCSEC_GSS (6) alone" \
    "STATUS 0 FLAVORS 6\$" PROBE4 secinfo / strict
expect "NFSv4 SECINFO of export: AUTH_SYS, AUTH_NONE" \
    "STATUS 0 FLAVORS 1 0" PROBE4 secinfo / export

# Bad input: a garbage INIT token, a ticket for a service gssd has no key of.
expect "a garbage INIT token: GSS_S_DEFECTIVE_TOKEN, no handle" \
    "gss_major 0x90000 handle 0" "$CLIENT" -g -p $P -e /export
KRB5CCNAME=FILE:$KDIR/ccache.root "$CLIENT" -S host -p $P -e /export \
    > "$SUITE_DIR/other.out" 2>&1
check "a ticket for host/localhost (not in the keytab) makes no context" \
    test $? = 2
diag "$(cat "$SUITE_DIR/other.out")"
check "gssd still runs after them" suite_has_pid gssd

# gssd's rule: a machine principal no map names is nobody; the map's.
KRB5CCNAME=FILE:$KDIR/ccache.machine "$CLIENT" -s krb5 -p $P -e /export \
    > /dev/null 2>&1
check "nfs/localhost@$KRB5_REALM (no map entry) is nobody" \
    grep -q "context of nfs/localhost@$KRB5_REALM as nobody (uid 65534" \
    "$SUITE_DIR/run.log"
KRB5CCNAME=FILE:$KDIR/ccache.svc "$CLIENT" -s krb5 -p $P -e /export \
    > /dev/null 2>&1
check "svc/dittofs.test@$KRB5_REALM is the map's 4242:4243" \
    grep -q "context of svc/dittofs.test@$KRB5_REALM as 4242 (uid 4242 gid 4243)" \
    "$SUITE_DIR/run.log"

# NFSv4.1 SP4_MACH_CRED (RFC 8881 18.35.3): nfs/localhost's context is
# the machine credential of an EXCHANGE_ID; root's context and AUTH_SYS
# are other principals, refused with WRONG_CRED; SP4_MACH_CRED under
# AUTH_SYS or plain krb5 is INVAL.
# The check lives in stated: nfsd is killed after CREATE_SESSION.
OUT=$SUITE_DIR/mach.out
client_restart "SP4_MACH_CRED: dittofs-run restarts nfsd after kill -9" \
    "$OUT" env KRB5CCNAME=FILE:$KDIR/ccache.machine timeout 120 "$CLIENT" \
    -k -p $P -e /export -M "FILE:$KDIR/ccache.root"
client_results "SP4_MACH_CRED: " "$OUT"
check "SP4_MACH_CRED: the client saw every check hold (exit 0)" \
    test "$rc" = 0

# Contexts the clients above made and did not destroy, without keys.
expect "dittofsctl gss lists root@$KRB5_REALM's contexts, krb5, uid 0" \
    "root@$KRB5_REALM *krb5 *0 *0 " suite_ctl gss
expect "... and svc/dittofs.test's as 4242:4243" \
    "svc/dittofs.test@$KRB5_REALM *krb5 *4242 *4243 " suite_ctl gss

# No ticket: no context.
KRB5CCNAME=FILE:$KDIR/ccache.none "$CLIENT" -p $P -e /export \
    > "$SUITE_DIR/noticket.out" 2>&1
check "a principal without a ticket makes no context (exit 2)" test $? = 2
diag "$(cat "$SUITE_DIR/noticket.out")"

# SMB NEGOTIATE's SPNEGO hint is gssd's offer: Kerberos (it has the
# keytab) before NTLMSSP (MS-SPNG 3.2.5.2).
hint_krb5() {
	timeout 30 python3 "$top_srcdir/tests/clients/smb2probe.py" 445 \
	    negotiate 311 2>&1 | tee "$SUITE_DIR/hint.out" |
	    grep -q 'HINT krb5,ntlmssp$'
}
check "NEGOTIATE's hint names Kerberos and NTLMSSP (once smbd has gssd's)" \
    suite_wait 10 hint_krb5
diag "$(cat "$SUITE_DIR/hint.out")"

# SMB: SPNEGO with a Kerberos AP-REQ, checked by gssd.
if command -v smbclient >/dev/null; then
	head -c 100000 /dev/urandom > "$SUITE_DIR/in.bin"
	SMBK() { KRB5CCNAME=FILE:$KDIR/ccache.root timeout 60 smbclient \
	    //dittofs.test/export -I 127.0.0.1 -p 445 --use-kerberos=required \
	    --use-krb5-ccache=FILE:$KDIR/ccache.root -m SMB3 "$@" \
	    >> "$SUITE_DIR/smbclient.out" 2>&1; }
	check "smbclient with root's Kerberos ticket: put" \
	    SMBK -c "put $SUITE_DIR/in.bin krb5.bin"
	check "smbclient with Kerberos: get" \
	    SMBK -c "get krb5.bin $SUITE_DIR/out.bin"
	check "smbclient with Kerberos: sha256 of get equals put" \
	    test "$(sha256sum < "$SUITE_DIR/in.bin")" = "$(sha256sum < "$SUITE_DIR/out.bin" 2>/dev/null)"
	check "gssd logged root@$KRB5_REALM in with Kerberos" \
	    grep -q "root@$KRB5_REALM logged in with Kerberos as root" "$SUITE_DIR/run.log"
	KRB5CCNAME=FILE:$KDIR/ccache.none timeout 60 smbclient \
	    //dittofs.test/export -I 127.0.0.1 -p 445 --use-kerberos=required \
	    --use-krb5-ccache=FILE:$KDIR/ccache.none -m SMB3 -c ls \
	    > /dev/null 2>&1
	check "smbclient without a ticket cannot log in" test $? != 0
	tail -5 "$SUITE_DIR/smbclient.out" | while IFS= read -r l; do diag "$l"; done
else
	skip "no smbclient (Debian: smbclient)" "smbclient with Kerberos"
fi

# SPNEGO shapes (RFC 4178) from our own client (krb5-client -N makes
# the tokens, smb2probe.py krb5 sends them): the session completes,
# then a signed TREE_CONNECT, CREATE, WRITE and READ back.
# spnego_shape NAME SHAPE WANT [krb5-client options]: the probe's lines
# into $SUITE_DIR/spnego-NAME.out, "SETUP WANT" among them.
spnego_shape() {
	name=$1 shape=$2 want=$3
	shift 3
	KRB5CCNAME=FILE:$KDIR/ccache.root timeout 60 python3 \
	    "$top_srcdir/tests/clients/smb2probe.py" 445 krb5 202 "$CLIENT" \
	    -N "$shape" -S cifs -H dittofs.test "$@" \
	    > "$SUITE_DIR/spnego-$name.out" 2>&1
	if grep -q "^SETUP $want" "$SUITE_DIR/spnego-$name.out"; then
		ok "SPNEGO $shape${*:+ ($*)}: SETUP $want"
	else
		not_ok "SPNEGO $shape${*:+ ($*)}: SETUP $want"
		while IFS= read -r l; do diag "$l"; done \
		    < "$SUITE_DIR/spnego-$name.out"
	fi
}
# spnego_done NAME: the session's file steps and the client's checks held.
spnego_done() {
	f=$SUITE_DIR/spnego-$1.out
	check "... $1: TREE_CONNECT, CREATE, WRITE, READ back, all signed" \
	    test "$(grep -c '^PASS' "$f")" = 4 -a "$(grep -c '^FAIL\|client: FAIL' "$f")" = 0
	check "... $1: the client's checks held (exit 0)" \
	    grep -q '^CLIENT EXIT 0' "$f"
}
spnego_shape opt "krb5+,ntlmssp" "0x0 1 legs"
spnego_done opt
spnego_shape first "krb5,ntlmssp" "0x0 2 legs"
spnego_done first
check "... first: Kerberos chosen, no MIC asked (the client's first choice)" \
    grep -q '^client: chosen krb5$' "$SUITE_DIR/spnego-first.out"
spnego_shape alone "krb5" "0x0 2 legs"
spnego_done alone
spnego_shape alone-opt "krb5+" "0x0 1 legs"
spnego_done alone-opt
spnego_shape second "negoex,krb5" "0x0 3 legs"
spnego_done second
check "... second: Kerberos chosen with request-mic, both MICs" \
    sh -c "grep -q '^client: chosen krb5 request-mic' $SUITE_DIR/spnego-second.out && grep -q '^client: mics both' $SUITE_DIR/spnego-second.out && grep -q '^client: ok: the server.s mechListMIC verifies' $SUITE_DIR/spnego-second.out"
spnego_shape second-ms "negoex,ms-krb5" "0x0 3 legs"
spnego_done second-ms
check "... second-ms: the server names ms-krb5 back" \
    grep -q '^client: chosen ms-krb5 request-mic' "$SUITE_DIR/spnego-second-ms.out"
spnego_shape ntlm-first "ntlmssp+,krb5" "0xc0000016 1 legs"
check "... ntlm-first: NTLMSSP (the client's first choice) is chosen" \
    grep -q '^client: chosen ntlmssp$' "$SUITE_DIR/spnego-ntlm-first.out"
spnego_shape badmic "negoex,krb5" "0xc000006d 3 legs" -x
check "gssd logged the mechListMIC that does not verify" \
    grep -q "mechListMIC does not verify" "$SUITE_DIR/run.log"
spnego_shape foreign "krb5,ntlmssp" "0xc000006d 2 legs" -S host -H localhost
spnego_shape foreign-opt "krb5+,ntlmssp" "0xc000006d 1 legs" -S host -H localhost
spnego_shape nothing "negoex" "0xc00000bb 1 legs"

# A bare Kerberos token (RFC 4121 4.1, no SPNEGO framing): as smbd passes
# a SESSION_SETUP's buffer (GSSD_MECH_SPNEGO) and as GSSD_MECH_KRB5,
# from gss-check (libgssapi_krb5 makes the token, checks gssd's AP-REP
# and compares the session keys), then through smbd (krb5-client -N raw).
GSS=$top_builddir/tests/clients/gss-check
krb5fe() {
	ccache=$1
	shift
	KRB5CCNAME=FILE:$KDIR/$ccache "$GSS" -s "$SUITE_DIR/run/gssd.sock" \
	    -r smbd -u dittofs-smbd "$@" 2>&1
}
ROOT_OK=$(printf 'COMPLETE uid=0 gid=0 keylen=16 flags=4 user=root\nmutual ok, same key')
out=$(krb5fe ccache.root krb5 cifs@dittofs.test)
check "bare krb5 token (SMB's way): COMPLETE as root, gssd's AP-REP completes ours, same key" \
    test "$out" = "$ROOT_OK"
[ "$out" = "$ROOT_OK" ] || diag "$out"
out=$(krb5fe ccache.root krb5 cifs@dittofs.test ms-krb5)
check "... with Microsoft's OID in the token: the same" test "$out" = "$ROOT_OK"
[ "$out" = "$ROOT_OK" ] || diag "$out"
out=$(krb5fe ccache.root krb5 cifs@dittofs.test krb5 krb5)
check "... as GSSD_MECH_KRB5: the same" test "$out" = "$ROOT_OK"
[ "$out" = "$ROOT_OK" ] || diag "$out"
check "gssd logged the bare token's login" \
    grep -q "root@$KRB5_REALM logged in with Kerberos as root (uid 0 gid 0), a bare token" \
    "$SUITE_DIR/run.log"
out=$(krb5fe ccache.svc krb5 cifs@dittofs.test)
check "... svc/dittofs.test: the principal map's 4242:4243, as with SPNEGO" \
    test "$out" = "$(printf 'COMPLETE uid=4242 gid=4243 keylen=16 flags=4 user=4242\nmutual ok, same key')"
[ "${out%%$'\n'*}" = "COMPLETE uid=4242 gid=4243 keylen=16 flags=4 user=4242" ] || diag "$out"
out=$(krb5fe ccache.root krb5 host@localhost)
check "... a ticket for host/localhost (not in gssd's keytab): DENIED" \
    test "$out" = DENIED
[ "$out" = DENIED ] || diag "$out"
out=$(krb5fe ccache.root krb5)
check "GSSD_MECH_KRB5 with an empty token: BAD_TOKEN" test "$out" = BAD_TOKEN
BAD6="BAD_TOKEN BAD_TOKEN BAD_TOKEN BAD_TOKEN BAD_TOKEN BAD_TOKEN"
out=$(krb5fe ccache.root krb5bad)
check "tokens naming Kerberos in a malformed framing: BAD_TOKEN; an AP-REQ of the right shape, its ticket empty: libkrb5 refuses it, DENIED" \
    test "$out" = "$BAD6 DENIED"
[ "$out" = "$BAD6 DENIED" ] || diag "$out"
check "... logged" grep -q "malformed Kerberos token" "$SUITE_DIR/run.log"
spnego_shape raw "raw" "0x0 1 legs"
spnego_done raw
check "... raw: gssd's bare AP-REP completed the client's context" \
    grep -q "^client: ok: the server's bare AP-REP completes" "$SUITE_DIR/spnego-raw.out"
spnego_shape raw-ms "raw-ms" "0x0 1 legs"
spnego_done raw-ms
spnego_shape raw-foreign "raw" "0xc000006d 1 legs" -S host -H localhost

check "no forbidden system call under seccomp (no SIGSYS)" \
    sh -c "! grep -q 'seccomp: forbidden\|killed by signal 31' $SUITE_DIR/run.log"
check "gssd still runs" suite_has_pid gssd
check "a clean stop" suite_stop
grep -i "gssd\|rpcsec\|kerberos\|seccomp" "$SUITE_DIR/run.log" | tail -20 |
    while IFS= read -r l; do diag "$l"; done
tap_done
