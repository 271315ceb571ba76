#!/bin/bash
# Integration: the NFSv4.1 backchannel under RPCSEC_GSS (RFC 8881
# 2.10.8.3), with a real MIT KDC of the test's own (krb5lib.sh).
# tests/clients/cb-gss41 makes a context with nfs/localhost as
# nfs/cbclient.dittofs.test and offers it in CREATE_SESSION's
# callback_sec_parms4; under krb5, krb5i and krb5p in turn, nfsd's
# CB_NULL comes over the client's connection with an RPCSEC_GSS_DATA
# credential carrying the client's handle, a header MIC and a body made
# with that context's keys; an OPEN gets a read delegation, an NFSv3
# WRITE of another client makes stated recall it, and CB_SEQUENCE +
# CB_RECALL come the same way, the client's verifier and body checked by
# nfsd; DELEGRETURN ends it.  BACKCHANNEL_CTL naming an unknown handle
# alone is NFS4ERR_NOENT, with the context again it is taken and probed.
# Under krb5i, nfsd is then killed (-9): the client's session and
# context come back (stated, gssd), and the new nfsd's CB_NULL comes
# under the context again with higher sequence numbers.  A CREATE_SESSION
# offering only a handle nfsd never gave is NFS4ERR_NOENT; offering it
# beside AUTH_SYS, callbacks go under AUTH_SYS; so do they when the
# handle is of another principal's context, also after kill -9 of nfsd
# (stated keeps the offer's principal).  A client whose replies'
# verifiers do not check gets no delegation.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/krb5lib.sh"

krb5_suite nfsd "$0" "$@"
CLIENT=$top_builddir/tests/clients/cb-gss41
krb5_cb_realm
printf 'nfs/%s@%s 0:0\n' "$CBHOST" "$KRB5_REALM" > "$KDIR/principals"
# Another machine's principal, whose context a client must not offer.
OTHER=other.dittofs.test
check "nfs/$OTHER (another client) in its keytab" \
    krb5_addprinc_keytab "nfs/$OTHER" "$KDIR/other.keytab"
check "kinit as nfs/$OTHER" \
    krb5_kinit_keytab "nfs/$OTHER" "$KDIR/other.keytab" "$KDIR/ccache.other"
printf 'nfs/%s@%s 0:0\n' "$OTHER" "$KRB5_REALM" >> "$KDIR/principals"
chmod 644 "$KDIR/nfs.keytab"

cat >> "$SUITE_CONF" <<CONF
root squash = no

[stated]
lease time = 10

[nfsd]
port = $P
mount port = 20048

[gssd]
keytab = $KDIR/nfs.keytab
realm = $KRB5_REALM
principal map = $KDIR/principals

[run]
restart delay = 0
CONF

suite_start
check "stated, blockd, gssd and nfsd come up" \
    suite_wait_ready stated blockd gssd nfsd
check "nfsd is connected to gssd" suite_wait 30 gssd_has_nfsd

TRIGGER="PYTHONPATH=$ONCRPC_PYTHONPATH timeout 60 python3 $top_srcdir/tests/clients/nfs4probe.py $P v3write"

# kill -9 nfsd; a new one, connected to gssd again (cb-gss41 -r).
restarted() {
	local p
	p=$(suite_pid nfsd)
	[ -n "$p" ] && [ "$p" != "$1" ]
}
kill_nfsd() {
	local old
	old=$(suite_pid nfsd)
	[ -n "$old" ] && kill -KILL "$old" &&
	    suite_wait 30 restarted "$old" && suite_wait 30 gssd_has_nfsd
}
# The client runs it through sh: a script of its own.
{
	echo '#!/bin/bash'
	printf 'SBINDIR=%q CTL=%q SUITE_CONF=%q\n' "$SBINDIR" "$CTL" "$SUITE_CONF"
	declare -f suite_ctl suite_pid suite_wait gssd_has_nfsd restarted \
	    kill_nfsd
	echo kill_nfsd
} > "$SUITE_DIR/kill-nfsd"
chmod +x "$SUITE_DIR/kill-nfsd"

# run_client WHAT ARGS...: cb-gss41 with the client's ticket, its lines
# as tests.
run_client() {
	local what=$1 out=$SUITE_DIR/cb41-$1.out rc
	shift
	KRB5CCNAME=FILE:$KDIR/ccache.cb timeout 180 "$CLIENT" -p $P \
	    -e /export -f "cb41-$what" "$@" > "$out" 2>&1
	rc=$?
	client_results "$what: " "$out"
	check "$what: every check held (exit 0)" test "$rc" = 0
}

for sec in krb5 krb5p krb5i; do
	extra=()
	[ $sec = krb5i ] && extra=(-r "$SUITE_DIR/kill-nfsd")
	run_client $sec -s $sec "${extra[@]}" \
	    -t "$TRIGGER /export/cb41-$sec 0 w$sec > $SUITE_DIR/trigger-$sec.out"
done
check "nfsd logged the BACKCHANNEL_CTL handle naming no context" \
    grep -q "offers RPCSEC_GSS handles for callbacks that name no context of nfs/$CBHOST@$KRB5_REALM here" \
    "$SUITE_DIR/run.log"

# The restarted nfsd made one: the krb5i client's CB_NULL.
expect "nfsd counts the backchannel's calls under RPCSEC_GSS" \
    "1 call(s) under RPCSEC_GSS" suite_ctl status nfsd

run_client unknown -s krb5i -m unknown
check "nfsd logged that AUTH_SYS is used in place of the unknown handle" \
    grep -q "name no context of nfs/$CBHOST@$KRB5_REALM here; AUTH_SYS is used" \
    "$SUITE_DIR/run.log"

# Another principal's context offered beside AUTH_SYS: AUTH_SYS, also
# after kill -9 of nfsd, when the session comes back from stated and the
# new nfsd holds that context again.
CB41_FOREIGN_CCACHE=FILE:$KDIR/ccache.other run_client foreign -s krb5i \
    -m foreign -r "$SUITE_DIR/kill-nfsd"

# A reply whose verifier does not check: no working backchannel.
run_client badverf -s krb5i -m badverf
check "nfsd logged the reply's verifier that does not check" \
    grep -q "a callback under RPCSEC_GSS: the reply's verifier does not check" \
    "$SUITE_DIR/run.log"

check "no forbidden system call under seccomp (no SIGSYS)" \
    sh -c "! grep -q 'seccomp: forbidden\|killed by signal 31' $SUITE_DIR/run.log"
check "gssd still runs" suite_has_pid gssd
check "nfsd still runs" suite_has_pid nfsd
check "a clean stop" suite_stop
grep -i "callback\|backchannel\|RPCSEC_GSS\|seccomp" "$SUITE_DIR/run.log" |
    tail -30 | while IFS= read -r l; do diag "$l"; done
tap_done
