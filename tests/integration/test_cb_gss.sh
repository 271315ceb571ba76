#!/bin/bash
# Integration: NFSv4.0 callbacks under RPCSEC_GSS (RFC 7530 3.3.3), with
# a real MIT KDC of the test's own (krb5lib.sh).  gssd's keytab holds
# nfs/localhost, the server's; tests/clients/cb-gss is a client whose
# machine principal is nfs/cbclient.dittofs.test and whose callback
# service accepts contexts with that principal's key.  Under krb5,
# krb5i and krb5p in turn: SETCLIENTID under the flavour; nfsd's CB_NULL
# probe comes after an RPCSEC_GSS_INIT that gssd initiated as
# nfs/localhost, under the same service, its header's MIC checked (and
# nfsd checks the reply's); an OPEN gets a read delegation; an NFSv3
# WRITE of another client makes stated recall it, and the CB_RECALL
# comes the same way, naming the delegation.  Once more under krb5i
# with a kill -9 of nfsd between the OPEN and the WRITE: the new nfsd's
# CB_RECALL still comes under RPCSEC_GSS krb5i (stated kept the
# callback's security with the client), and stated's and nfsd's logs
# say so.  A krb5 client whose
# callback refuses the INIT, one with no callback listener and one with
# a user's ticket (root@REALM: no host to call back) get no delegation;
# nfsd logs why.  gssd opens no network socket: its tickets (an AS and a
# TGS exchange, then reused) came through nfsd's KDC relay, the KDC saw
# them, and after the recalls gssd is alive (its seccomp filter kills it
# on socket(AF_INET)) and holds no TCP or UDP socket.  The KDC answers
# UDP requests with KRB_ERR_RESPONSE_TOO_BIG (its largest datagram is
# 200 bytes), so gssd's AS request goes out again over TCP (RFC 4120
# 7.2.1), and its TGS request over TCP at once: three KDC messages.
# A hostile nfsd (gss-check) that answers gssd's KDC message with
# garbage, with gssd's own request, or with no reply gets an error, and
# gssd forgets that context.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/krb5lib.sh"

krb5_suite nfsd "$0" "$@"
CLIENT=$top_builddir/tests/clients/cb-gss
KRB5_UDP_PREFERENCE_LIMIT=1465
KRB5_KDC_MAX_DGRAM=200
krb5_cb_realm
UPASS=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
check "root@$KRB5_REALM with a password" krb5_addprinc_password root "$UPASS"
check "kinit root (a user's ticket)" \
    krb5_kinit root "$UPASS" "$KDIR/ccache.root"
printf 'nfs/%s@%s 0:0\n' "$CBHOST" "$KRB5_REALM" > "$KDIR/principals"
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
CONF

suite_start
check "stated, blockd, gssd and nfsd come up" \
    suite_wait_ready stated blockd gssd nfsd
expect "gssd says Kerberos is on" "Kerberos: on" suite_ctl status gssd
check "nfsd is connected to gssd" suite_wait 30 gssd_has_nfsd
check "gssd will initiate callback contexts as nfs/localhost" \
    grep -q "NFSv4.0 GSS callbacks as nfs/localhost@$KRB5_REALM" \
    "$SUITE_DIR/run.log"

TRIGGER="PYTHONPATH=$ONCRPC_PYTHONPATH timeout 60 python3 $top_srcdir/tests/clients/nfs4probe.py $P v3write"

# run_client WHAT CCACHE ARGS...: cb-gss with the ticket in CCACHE (and
# the client's keytab for its callback service), its lines as tests.
run_client() {
	local what=$1 ccache=$2 out=$SUITE_DIR/cb-$1.out rc
	shift 2
	KRB5CCNAME=FILE:$KDIR/$ccache KRB5_KTNAME=FILE:$KDIR/client.keytab \
	    timeout 120 "$CLIENT" -p $P -e /export -f "cb-$what" "$@" \
	    > "$out" 2>&1
	rc=$?
	client_results "$what: " "$out"
	check "$what: every check held (exit 0)" test "$rc" = 0
}

for sec in krb5 krb5i krb5p; do
	run_client $sec ccache.cb -s $sec \
	    -t "$TRIGGER /export/cb-$sec 0 w$sec > $SUITE_DIR/trigger-$sec.out"
done
expect "gssd made the callback contexts (two per client: probe, recall)" \
    "callback contexts made 6, failed 0" suite_ctl status gssd
expect "nfsd counts the RPCSEC_GSS callbacks" \
    "6 callback call(s) under RPCSEC_GSS" suite_ctl status nfsd
for sec in krb5 krb5i krb5p; do
	check "stated logged the $sec client's recall with its callback's service" \
	    grep -q "recalled through nfsd (callback under RPCSEC_GSS $sec)" \
	    "$SUITE_DIR/run.log"
done

# The KDC relay: gssd's tickets came through nfsd, once, then reused.
kdc_messages() {
	suite_ctl status gssd |
	    sed -n 's/.*KDC messages through nfsd \([0-9]*\).*/\1/p'
}
KDC_MESSAGES=$(kdc_messages)
diag "gssd's KDC messages through nfsd: $KDC_MESSAGES"
check "gssd's tickets came through nfsd: an AS request over UDP, again over TCP, a TGS request; reused for 6 contexts" \
    test "$KDC_MESSAGES" = 3
check "the KDC issued nfs/localhost's TGT and its ticket for nfs/$CBHOST" \
    sh -c "grep -q 'AS_REQ.*ISSUE.*nfs/localhost@$KRB5_REALM for krbtgt/$KRB5_REALM@$KRB5_REALM' '$KDIR/kdc.log' &&
	grep -q 'TGS_REQ.*ISSUE.*nfs/localhost@$KRB5_REALM for nfs/$CBHOST@$KRB5_REALM' '$KDIR/kdc.log'"
GSSD_PID=$(suite_pid gssd)
check "gssd is alive after the GSS callbacks (socket(AF_INET) would have killed it)" \
    test -n "$GSSD_PID" -a -d "/proc/$GSSD_PID"
check "gssd's seccomp filter is on (Seccomp: 2)" \
    grep -q "^Seccomp:[[:space:]]*2" "/proc/$GSSD_PID/status"
check "gssd holds sockets (its IPC ones), so the next check sees them" \
    test -n "$(proc_sockets "$GSSD_PID")"
check "none of gssd's sockets is a TCP or UDP one (/proc/net)" \
    test -z "$(proc_inet_sockets "$GSSD_PID")"
NFSD_PID=$(suite_pid nfsd)
check "the check sees inet sockets: nfsd's listener is one" \
    test -n "$(proc_inet_sockets "$NFSD_PID")"

# kill -9 of nfsd while the client holds a delegation: the callback's
# security is stated's, so the next nfsd recalls under krb5i too.
cat > "$SUITE_DIR/restart-nfsd.sh" <<EOF
#!/bin/sh
pid() {
	DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status nfsd 2>/dev/null |
	    awk '\$1 == "nfsd" && \$2 ~ /^[0-9]+\$/ { print \$2 }'
}
old=\$(pid)
[ -n "\$old" ] && kill -KILL "\$old" || exit 1
i=0
while [ \$i -lt 300 ]; do
	new=\$(pid)
	[ -n "\$new" ] && [ "\$new" != "\$old" ] && exit 0
	sleep 0.1
	i=\$((i + 1))
done
exit 1
EOF
chmod 755 "$SUITE_DIR/restart-nfsd.sh"
NFSD_BEFORE=$(suite_pid nfsd)
run_client restart ccache.cb -s krb5i -k "$SUITE_DIR/restart-nfsd.sh" \
    -t "$TRIGGER /export/cb-restart 0 wrestart > $SUITE_DIR/trigger-restart.out"
nfsd_is_new() { p=$(suite_pid nfsd); [ -n "$p" ] && [ "$p" != "$NFSD_BEFORE" ]; }
check "nfsd is another process than before (kill -9, restarted)" nfsd_is_new
expect "the new nfsd made its CB_RECALL under RPCSEC_GSS" \
    "1 callback call(s) under RPCSEC_GSS" suite_ctl status nfsd
check "it logged the CB_RECALL under RPCSEC_GSS krb5i" \
    grep -q "CB_RECALL sent under RPCSEC_GSS krb5i" "$SUITE_DIR/run.log"
check "stated logged the recall with the krb5i callback (twice now)" \
    test "$(grep -c 'recalled through nfsd (callback under RPCSEC_GSS krb5i)' "$SUITE_DIR/run.log")" = 2
check "the new nfsd's contexts used gssd's tickets: no KDC message since" \
    test "$(kdc_messages)" = "$KDC_MESSAGES"
check "gssd logged the contexts toward nfs/$CBHOST" \
    grep -q "NFSv4.0 GSS callback context as nfs/localhost@$KRB5_REALM with nfs/$CBHOST@$KRB5_REALM" \
    "$SUITE_DIR/run.log"

# No usable callback: no delegation (refused INIT, no listener).
run_client refuse ccache.cb -s krb5 -m refuse
check "nfsd logged the refused callback context" \
    grep -q "under RPCSEC_GSS: the client's callback service refused the context" \
    "$SUITE_DIR/run.log"
run_client closed ccache.cb -s krb5i -m closed

# A user's ticket (root@REALM): no host to call back.
run_client nohost ccache.root -s krb5 -m nohost
check "nfsd logged that root@$KRB5_REALM names no host" \
    grep -q "SETCLIENTID as root@$KRB5_REALM, which names no host" \
    "$SUITE_DIR/run.log"

# A hostile nfsd's KDC replies: an error each, the context forgotten.
GSS=$top_builddir/tests/clients/gss-check
for mode in garbage echo none; do
	"$GSS" -s "$SUITE_DIR/run/gssd.sock" -r nfsd -u dittofs-nfsd kdc \
	    "nfs/hostile-$mode.dittofs.test@$KRB5_REALM" $mode \
	    > "$SUITE_DIR/kdc-$mode.out" 2>&1
	diag "kdc $mode: $(tr '\n' ' ' < "$SUITE_DIR/kdc-$mode.out")"
	check "hostile nfsd, KDC reply $mode: gssd asked for the KDC of $KRB5_REALM, then answered ERROR and forgot the context" \
	    test "$(cat "$SUITE_DIR/kdc-$mode.out")" = "KDC_SEND realm=$KRB5_REALM kdcs=1
ERROR NO_CONTEXT"
done
check "gssd logged the garbage reply's error" \
    grep -q "NFSv4.0 GSS callback context with nfs/hostile-garbage.dittofs.test@$KRB5_REALM: " \
    "$SUITE_DIR/run.log"
check "gssd logged that no KDC answered" \
    grep -q "NFSv4.0 GSS callback context with nfs/hostile-none.dittofs.test@$KRB5_REALM: no KDC answered" \
    "$SUITE_DIR/run.log"

check "no forbidden system call under seccomp (no SIGSYS)" \
    sh -c "! grep -q 'seccomp: forbidden\|killed by signal 31' $SUITE_DIR/run.log"
check "gssd still runs" suite_has_pid gssd
check "nfsd still runs" suite_has_pid nfsd
check "a clean stop" suite_stop
grep -i "callback\|seccomp" "$SUITE_DIR/run.log" | tail -20 |
    while IFS= read -r l; do diag "$l"; done
tap_done
