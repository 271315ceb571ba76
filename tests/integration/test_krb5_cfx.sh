#!/bin/bash
# Integration: nfsd's krb5 mechanism (common/rpcsec_gss_krb5.c) against
# MIT's GSS-API on real contexts, one per enctype the KDC issues: a KDC
# of the test's own (krb5lib.sh) with nfs/localhost and alice keyed for
# aes128/aes256-cts-hmac-sha1-96 (RFC 3962) and aes128-cts-hmac-sha256-128,
# aes256-cts-hmac-sha384-192 (RFC 8009).  For each, bench/gsswrap_bench -c
# makes the context in one process and checks that the AES enctypes take
# the OpenSSL path (krb5_cfx.c), that MIT unwraps and verifies our Wrap
# and MIC tokens and we MIT's, as the acceptor and as the initiator, at
# lengths from 0 to 65537 (0, multiples of 16 and not), and that a
# changed token is refused on both sides.  With KRB5_CFX_BENCH=SECONDS
# in the environment, gsswrap_bench's timings of each enctype (MIT's
# against ours) follow as diagnostics.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/krb5lib.sh"

suite_need_root
if ! krb5_have_kdc; then
	echo "1..0 # SKIP no MIT KDC (Debian: krb5-kdc, krb5-user)"
	exit 0
fi
suite_in_netns "$0" "$@"
BENCH=$top_builddir/bench/gsswrap_bench
KDIR=$(mktemp -d /tmp/krb5cfx.XXXXXX)
trap 'krb5_realm_stop; rm -rf "$KDIR"' EXIT
ALL=aes256-cts-hmac-sha1-96:normal,aes128-cts-hmac-sha1-96:normal
ALL=$ALL,aes128-cts-hmac-sha256-128:normal,aes256-cts-hmac-sha384-192:normal
has() { echo "$1" | grep -q -- "$2"; }
kadmin() { timeout 30 kadmin.local -r "$KRB5_REALM" -q "$1" > /dev/null 2>&1; }

check "a realm: kdb5_util create -s, krb5kdc -n on loopback" \
    krb5_realm_setup "$KDIR"
check "nfs/localhost keyed for the four AES enctypes" \
    kadmin "addprinc -randkey -e $ALL nfs/localhost"
check "... all four in its keytab" \
    kadmin "ktadd -k $KDIR/nfs.keytab -e $ALL nfs/localhost"
check "alice keyed for them too" kadmin "addprinc -pw alice-pw -e $ALL alice"
check "kinit alice" krb5_kinit alice alice-pw "$KDIR/ccache"

for e in 17 18 19 20; do
	out=$(KRB5CCNAME=FILE:$KDIR/ccache KRB5_KTNAME=FILE:$KDIR/nfs.keytab \
	    timeout 120 "$BENCH" -c -e "$e" 2>&1)
	rc=$?
	echo "$out" | grep '^#' | sed "s/^# /# enctype $e: /"
	check "enctype $e: the context's key is enctype $e" \
	    has "$out" "^# acceptor: protocol 1, key enctype $e,"
	check "enctype $e: our import takes the OpenSSL path" \
	    has "$out" '^# our path: OpenSSL'

	n=$(echo "$out" | grep -c '^ok ')
	bad=$(echo "$out" | grep '^not ok ')
	check "enctype $e: gsswrap_bench -c exits 0" test "$rc" = 0
	check "enctype $e: $n checks of ours against MIT's, none failed" \
	    test "$n" -gt 200 -a -z "$bad"
	[ -n "$bad" ] && echo "$bad" | sed 's/^/# /'
	[ "$rc" != 0 ] && echo "$out" | grep -v '^ok ' | tail -5 | sed 's/^/# /'
	if [ -n "${KRB5_CFX_BENCH:-}" ]; then
		KRB5CCNAME=FILE:$KDIR/ccache KRB5_KTNAME=FILE:$KDIR/nfs.keytab \
		    timeout 300 "$BENCH" -e "$e" -t "$KRB5_CFX_BENCH" 2>&1 |
		    grep -v '^#' | sed "s/^/# enctype $e: /"
	fi
done
tap_done
