#!/bin/bash
# Integration: bench/nfs4load under RPCSEC_GSS (sec=krb5, krb5i, krb5p
# in its URL: bench/compare's host4_krb5*_ and, with version=3,
# host3_krb5*_ rows) against nfsd, with a
# real MIT KDC of the test's own (krb5lib.sh) in a private network
# namespace, small sizes.  Per flavour: every phase reports a non-zero
# figure under its host4_<flavour>_ row, the tool exits 0 (no NFS4
# error, no reply whose verifier or body did not check) and nfsd counted
# no bad verifier or body; NFSv4.1 sessions under krb5p too, and NFSv3
# under each flavour.  The share
# takes Kerberos only, so AUTH_SYS is refused there: the figures were
# made under RPCSEC_GSS.  A ticket the server cannot decrypt (a byte of
# it flipped in the credential cache), a service key the KDC no longer
# has (the key changed under the keytab), and no ticket at all each
# make nfs4load fail with the reason; so does one bit flipped in a
# reply's verifier or krb5i/krb5p body on the way (a proxy), while the
# same proxy untouched passes.  No timing is asserted.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/krb5lib.sh"

krb5_suite nfsd "$0" "$@"
KDIR=$SUITE_DIR/krb5
P=2049
LOAD=$(cd "$top_builddir" && pwd)/bench/nfs4load
PHASES="write read randwrite randread create openclose getattr lookup access readdir remove"

check "a realm: kdb5_util create -s, krb5kdc -n on loopback" \
    krb5_realm_setup "$KDIR"
check "nfs/localhost with a random key, in a keytab" \
    krb5_addprinc_keytab nfs/localhost "$KDIR/nfs.keytab"
UPASS=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
check "root@$KRB5_REALM with a password" krb5_addprinc_password root "$UPASS"
check "kinit root into a ccache of the test's own" \
    krb5_kinit root "$UPASS" "$KDIR/ccache.root"
chmod 644 "$KDIR/nfs.keytab"

cat >> "$SUITE_CONF" <<CONF
root squash = no
security = krb5p krb5i krb5

[nfsd]
port = $P

[gssd]
keytab = $KDIR/nfs.keytab
realm = $KRB5_REALM
CONF

suite_start
check "stated, blockd, gssd and nfsd come up" \
    suite_wait_ready stated blockd gssd nfsd
check "nfsd is connected to gssd" suite_wait 30 gssd_has_nfsd
check "nfsd answers an NFSv4 COMPOUND" suite_wait 10 sh -c "PYTHONPATH=$ONCRPC_PYTHONPATH python3 $top_srcdir/tests/clients/nfs4probe.py $P minor 0 | grep -q 'STATUS 0'"

# run NAME CCACHE SEC [VERSION] ARGS...: nfs4load under SEC with the
# ticket in CCACHE; its output in NAME.out, NAME.err, its status NAME.rc.
run() {
	local name=$1 cc=$2 sec=$3 vers=$4
	shift 4
	KRB5CCNAME=FILE:$cc timeout 300 "$LOAD" \
	    --url "nfs://127.0.0.1/export?version=$vers&nfsport=$P&sec=$sec&service=nfs@localhost" \
	    --size 4 --seconds 1 --files 40 --dir "$name" "$@" \
	    >"$SUITE_DIR/$name.out" 2>"$SUITE_DIR/$name.err"
	echo $? >"$SUITE_DIR/$name.rc"
	sed 's/^/# /' "$SUITE_DIR/$name.out" "$SUITE_DIR/$name.err"
}

figure() { sed -n "s/^RESULT name=$2 value=\([0-9.]*\) .*/\1/p" "$SUITE_DIR/$1.out"; }
nonzero() { awk -v v="$1" 'BEGIN { exit !(v != "" && v + 0 > 0) }'; }

# NFSv3 (version=3: bench/compare's host3_krb5*_ rows): every phase but
# openclose, which v3 has not.
for shape in "krb5 4" "krb5i 4" "krb5p 4" "krb5p 4.1" "krb5 3" "krb5i 3" \
    "krb5p 3"; do
	set -- $shape
	sec=$1 vers=$2
	name=$sec-v${vers//./}
	row=host4${vers#4}
	row=${row/./}_$sec
	phases=$PHASES
	if [ "$vers" = 3 ]; then
		row=host3_$sec
		phases=${PHASES/openclose /}
	fi
	run "$name" "$KDIR/ccache.root" "$sec" "$vers" --conns 2 --depth 4
	check "$name: nfs4load exits 0" test "$(cat "$SUITE_DIR/$name.rc")" = 0
	check "$name: no error printed" sh -c "! grep -v '^nfs4load: [0-9]* connections' '$SUITE_DIR/$name.err' | grep -q ."
	for p in $phases; do
		check "$name: ${row}_$p ran, a non-zero figure ($(figure "$name" "${row}_$p"))" \
		    nonzero "$(figure "$name" "${row}_$p")"
	done
	check "$name: no row without its flavour" sh -c "! grep '^RESULT' '$SUITE_DIR/$name.out' | grep -v -q 'name=${row}_'"
	[ "$vers" != 3 ] ||
	    check "$name: no openclose row (v3 has no OPEN)" sh -c "! grep -q '_openclose ' '$SUITE_DIR/$name.out'"
done

# One call in flight: the sequence numbers and verifiers in order, and
# LATENCY lines as the AUTH_SYS rows have.
run one "$KDIR/ccache.root" krb5i 4 --conns 1 --depth 1 --tests getattr,create
check "one: nfs4load exits 0 at one call in flight" test "$(cat "$SUITE_DIR/one.rc")" = 0
check "one: a LATENCY line for getattr" grep -q '^LATENCY name=host4_krb5i_getattr ' "$SUITE_DIR/one.out"
# nfsd's own count: a context per connection, and not one call dropped
# or refused for a bad verifier or body.
status=$(suite_ctl status nfsd 2>&1 | sed -n 's/.*\(RPCSEC_GSS: .*\)/\1/p')
diag "nfsd: $status"
check "nfsd made the 15 RPCSEC_GSS contexts (2+2+2+2+2+2+2+1 connections)" \
    sh -c "echo '$status' | grep -q ' 15 made, 0 refused'"
check "nfsd dropped no call and saw no bad verifier or body" \
    sh -c "echo '$status' | grep -q 'dropped (replays, window) 0, bad verifiers 0, bad bodies 0'"

# The share takes Kerberos alone: AUTH_SYS is refused (so the figures
# above were made under RPCSEC_GSS, not beside it).
# sys_refused VERSION NAME WANT WHAT: nfs4load under AUTH_SYS fails with WANT.
sys_refused() {
	timeout 60 "$LOAD" --url "nfs://127.0.0.1/export?version=$1&nfsport=$P" \
	    --tests getattr --size 1 --dir "$2" >"$SUITE_DIR/$2.out" 2>"$SUITE_DIR/$2.err"
	rc=$?
	sed 's/^/# /' "$SUITE_DIR/$2.err"
	check "AUTH_SYS$4 on the Kerberos share: nfs4load fails (exit $rc), $3" \
	    sh -c "[ $rc -ne 0 ] && grep -q '$3' '$SUITE_DIR/$2.err'"
}
sys_refused 4 sys "NFS4 status 10016" ""
sys_refused 3 sys3 "RPC call refused" " over NFSv3"

# Every reply is checked: a proxy (python, below) that flips one bit in
# each reply after a connection's first (its INIT's): in the verifier's
# MIC (mode verf), or in the middle of the body's data (mode body:
# krb5i's MIC covers it, krb5p's wrap token is it).  Untouched (mode none) the run goes through it.
cat > "$SUITE_DIR/flip.py" <<'PY'
import socket, struct, sys, threading
listen, upstream, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def readn(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            raise EOFError
        b += d
    return b
def up(c, u):
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            u.sendall(d)
    except OSError:
        pass
    u.close()
def down(c, u):
    n = 0
    first = True
    try:
        while True:
            mark = struct.unpack(">I", readn(u, 4))[0]
            frag = bytearray(readn(u, mark & 0x7fffffff))
            if first:
                n += 1
                if n > 1 and mode != "none" and len(frag) > 24:
                    vlen = struct.unpack(">I", frag[16:20])[0]
                    if mode == "verf":
                        frag[20 + vlen - 1] ^= 0x01
                    else:
                        # The middle of the databody (krb5i) or of the
                        # wrap token (krb5p), past its length.
                        at = 24 + vlen
                        blen = struct.unpack(">I", frag[at:at + 4])[0]
                        frag[at + 4 + blen // 2] ^= 0x01
            first = bool(mark & 0x80000000)
            c.sendall(struct.pack(">I", mark) + bytes(frag))
    except (EOFError, OSError):
        pass
    c.close()
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", listen))
srv.listen(16)
print("listening", flush=True)
while True:
    c, _ = srv.accept()
    u = socket.create_connection(("127.0.0.1", upstream))
    threading.Thread(target=up, args=(c, u), daemon=True).start()
    threading.Thread(target=down, args=(c, u), daemon=True).start()
PY
# through MODE SEC EXPECT: nfs4load under SEC through the proxy in MODE
# on port 2050; EXPECT: ok, or the error nfs4load must print.
through() {
	local mode=$1 sec=$2 want=$3 pid name=flip-$1-$2 rc
	python3 "$SUITE_DIR/flip.py" 2050 $P "$mode" >"$SUITE_DIR/$name.proxy" 2>&1 &
	pid=$!
	suite_wait 10 grep -q listening "$SUITE_DIR/$name.proxy"
	KRB5CCNAME=FILE:$KDIR/ccache.root timeout 120 "$LOAD" \
	    --url "nfs://127.0.0.1/export?version=4&nfsport=2050&sec=$sec&service=nfs@localhost" \
	    --conns 1 --depth 2 --size 1 --tests getattr --dir "$name" \
	    >"$SUITE_DIR/$name.out" 2>"$SUITE_DIR/$name.err"
	rc=$?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	sed 's/^/# /' "$SUITE_DIR/$name.err"
	if [ "$want" = ok ]; then
		check "through the proxy untouched, $sec: nfs4load exits 0" test $rc = 0
	else
		check "one bit flipped ($mode) in $sec replies: nfs4load fails: $want" \
		    sh -c "[ $rc -ne 0 ] && grep -q '$want' '$SUITE_DIR/$name.err' && ! grep -q '^RESULT' '$SUITE_DIR/$name.out'"
	fi
}
through none krb5p ok
through verf krb5 "a reply verifier that is not the MIC of its call"
through verf krb5p "a reply verifier that is not the MIC of its call"
through body krb5i "a krb5i reply whose MIC does not check"
through body krb5p "a krb5p reply that does not unwrap"

# A ticket the server cannot read: nfs/localhost's ticket fetched into a
# copy of the cache (kvno: it is the cache's last entry), then a byte of
# its encrypted part flipped.
cp "$KDIR/ccache.root" "$KDIR/ccache.bad"
check "kvno nfs/localhost into a copy of the cache" \
    env KRB5CCNAME=FILE:$KDIR/ccache.bad timeout 30 kvno -q nfs/localhost
run good-ticket "$KDIR/ccache.bad" krb5p 4 --tests getattr --size 1
check "with that ticket as fetched, nfs4load works" test "$(cat "$SUITE_DIR/good-ticket.rc")" = 0
cp "$KDIR/ccache.bad" "$KDIR/ccache.bad2"
python3 -c '
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
# The file ends with the last ticket, then an empty second ticket (4
# zero bytes): 16 bytes before them is the ticket cipher text.
b[len(b) - 4 - 16] ^= 0x40
open(p, "wb").write(bytes(b))' "$KDIR/ccache.bad"
check "the flipped byte changed the cache" sh -c "! cmp -s '$KDIR/ccache.bad' '$KDIR/ccache.bad2'"
run bad-ticket "$KDIR/ccache.bad" krb5p 4 --tests getattr --size 1
check "a tampered ticket: nfs4load fails, no context" \
    sh -c "[ \$(cat '$SUITE_DIR/bad-ticket.rc') -ne 0 ] && grep -q 'no RPCSEC_GSS context' '$SUITE_DIR/bad-ticket.err'"
check "a tampered ticket: no RESULT line" sh -c "! grep -q '^RESULT' '$SUITE_DIR/bad-ticket.out'"

run no-ticket "$KDIR/ccache.none" krb5 4 --tests getattr --size 1
check "no ticket: nfs4load fails, no context" \
    sh -c "[ \$(cat '$SUITE_DIR/no-ticket.rc') -ne 0 ] && grep -q 'no RPCSEC_GSS context' '$SUITE_DIR/no-ticket.err'"

# The service's key changed at the KDC and not in gssd's keytab: a new
# ticket is sealed with a key the server does not have.
check "nfs/localhost gets a new random key at the KDC" \
    sh -c "timeout 30 kadmin.local -r '$KRB5_REALM' -q 'cpw -randkey nfs/localhost' >/dev/null 2>&1"
check "kinit root again (a fresh cache)" \
    krb5_kinit root "$UPASS" "$KDIR/ccache.rekeyed"
run bad-key "$KDIR/ccache.rekeyed" krb5i 4 --tests getattr --size 1
check "a service key the keytab does not have: nfs4load fails, no context" \
    sh -c "[ \$(cat '$SUITE_DIR/bad-key.rc') -ne 0 ] && grep -q 'no RPCSEC_GSS context' '$SUITE_DIR/bad-key.err'"

suite_stop
tap_done
