# Sourced by integration tests: a Kerberos realm of the test's own, with
# MIT's KDC on loopback inside the test's network namespace.
#
#   krb5_realm_setup DIR   realm DITTO.TEST in DIR: krb5.conf, kdc.conf,
#                          the database (kdb5_util create -s, a generated
#                          master password), krb5kdc -n on a free port;
#                          exports KRB5_CONFIG and KRB5_KDC_PROFILE;
#                          KRB5_UDP_PREFERENCE_LIMIT (default 1: TCP)
#                          and KRB5_KDC_MAX_DGRAM (the KDC's largest UDP
#                          reply) if set, go into them
#   krb5_addprinc_keytab PRINC KEYTAB   a random key, added to KEYTAB
#   krb5_addprinc_password PRINC PASS   a user principal with a password
#   krb5_kinit PRINC PASS CCACHE        a ticket into CCACHE
#   krb5_kinit_keytab PRINC KEYTAB CCACHE  the same with a keytab's key
#   krb5_realm_stop        the KDC, by its pid (also from the EXIT trap
#                          when the test calls it there)
#   krb5_guest_files DIR KDC_PORT HOSTBIN:GUESTPATH...  an e2e guest's
#                          Kerberos client side, as guest-run --file
#                          arguments in the array GFILES
#   client_results PREFIX FILE   a test client's "ok: ..." and
#                          "FAIL: ..." lines (krb5-client, cb-gss) as
#                          tests, the rest as diagnostics
#
# Everything is bounded in time; the KDC's log is DIR/kdc.log.

KRB5_REALM=DITTO.TEST
KRB5_KDC_PID=

krb5_have_kdc() {
	command -v krb5kdc >/dev/null && command -v kdb5_util >/dev/null &&
	    command -v kadmin.local >/dev/null && command -v kinit >/dev/null
}

krb5_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

krb5_realm_setup() {
	local dir=$1 port pw i
	KRB5_DIR=$dir
	mkdir -p "$dir"
	port=$(krb5_free_port)
	pw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
	cat > "$dir/krb5.conf" <<EOF
[libdefaults]
	default_realm = $KRB5_REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	udp_preference_limit = ${KRB5_UDP_PREFERENCE_LIMIT:-1}
	default_ccache_name = FILE:$dir/ccache.default
[realms]
	$KRB5_REALM = {
		kdc = 127.0.0.1:$port
	}
[domain_realm]
	localhost = $KRB5_REALM
	dittofs.test = $KRB5_REALM
EOF
	cat > "$dir/kdc.conf" <<EOF
[kdcdefaults]
	kdc_ports = $port
	kdc_tcp_ports = $port
	${KRB5_KDC_MAX_DGRAM:+kdc_max_dgram_reply_size = $KRB5_KDC_MAX_DGRAM}
[realms]
	$KRB5_REALM = {
		database_name = $dir/principal
		key_stash_file = $dir/stash
		acl_file = $dir/kadm5.acl
		max_life = 1h
		max_renewable_life = 0
		supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
	}
[logging]
	kdc = FILE:$dir/kdc.log
	default = FILE:$dir/kdc.log
EOF
	: > "$dir/kadm5.acl"
	export KRB5_CONFIG=$dir/krb5.conf
	export KRB5_KDC_PROFILE=$dir/kdc.conf
	timeout 30 kdb5_util create -s -r "$KRB5_REALM" -P "$pw" \
	    > "$dir/kdb5_util.log" 2>&1 || return 1
	krb5kdc -n -r "$KRB5_REALM" > "$dir/krb5kdc.out" 2>&1 &
	KRB5_KDC_PID=$!
	for i in $(seq 1 100); do
		grep -q "commencing operation" "$dir/kdc.log" 2>/dev/null &&
		    return 0
		kill -0 "$KRB5_KDC_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

krb5_addprinc_keytab() {
	timeout 30 kadmin.local -r "$KRB5_REALM" -q "addprinc -randkey $1" \
	    > /dev/null 2>&1 &&
	timeout 30 kadmin.local -r "$KRB5_REALM" -q "ktadd -k $2 $1" \
	    > /dev/null 2>&1
}

krb5_addprinc_password() {
	timeout 30 kadmin.local -r "$KRB5_REALM" -q "addprinc -pw $2 $1" \
	    > /dev/null 2>&1
}

krb5_kinit() {
	echo "$2" | KRB5CCNAME=FILE:$3 timeout 30 kinit "$1@$KRB5_REALM" \
	    > /dev/null 2>&1
}

# krb5_kinit_keytab PRINC KEYTAB CCACHE: a ticket with the keytab's key.
krb5_kinit_keytab() {
	KRB5CCNAME=FILE:$3 timeout 30 kinit -k -t "$2" "$1@$KRB5_REALM" \
	    > /dev/null 2>&1
}

# krb5_suite WITH "$0" "$@": a Kerberos test's start: root, an MIT KDC
# (else the test is skipped), its own network namespace, the suite with
# the daemons WITH, and the realm stopped with it at exit.
krb5_suite() {
	local with=$1
	shift
	suite_need_root
	if ! krb5_have_kdc; then
		echo "1..0 # SKIP no MIT KDC (Debian: krb5-kdc, krb5-user)"
		exit 0
	fi
	suite_in_netns "$@"
	suite_users
	SUITE_WITH=$with
	suite_setup
	trap 'krb5_realm_stop; suite_cleanup' EXIT
}

krb5_realm_stop() {
	if [ -n "$KRB5_KDC_PID" ]; then
		kill -TERM "$KRB5_KDC_PID" 2>/dev/null
		wait "$KRB5_KDC_PID" 2>/dev/null
		KRB5_KDC_PID=
	fi
}

# krb5_guest_files DIR KDC_PORT HOSTBIN:GUESTPATH...: what an e2e guest
# (tests/e2e/guest-run) needs to be a Kerberos client of this realm,
# appended to the array GFILES as --file arguments.  Written in DIR:
# the guest's krb5.conf naming the KDC at 10.0.2.2:KDC_PORT (slirp
# brings it to the namespace's 127.0.0.1), an /etc/hosts that makes
# client.dittofs.test the guest (10.0.2.15) and server.dittofs.test the
# host (10.0.2.2), passwd and group with alice (4242) and bob (4243),
# and nsswitch.conf (files).  Each host binary goes to its guest path
# with the libraries ldd names, and glibc's files and dns NSS modules.
krb5_guest_gfile() { GFILES+=(--file "$1:${2:-$1}"); }
krb5_guest_files() {
	local dir=$1 port=$2 f b lib l
	shift 2
	mkdir -p "$dir" || return 1
	cat > "$dir/krb5.conf" <<EOF
[libdefaults]
	default_realm = $KRB5_REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	udp_preference_limit = 1
[realms]
	$KRB5_REALM = {
		kdc = 10.0.2.2:$port
	}
[domain_realm]
	.dittofs.test = $KRB5_REALM
	dittofs.test = $KRB5_REALM
EOF
	printf '127.0.0.1 localhost\n10.0.2.15 client.dittofs.test client\n10.0.2.2 server.dittofs.test server\n' >"$dir/hosts"
	printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:4242:4242:alice:/tmp:/bin/sh\nbob:x:4243:4243:bob:/tmp:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$dir/passwd"
	printf 'root:x:0:\nalice:x:4242:\nbob:x:4243:\nnogroup:x:65534:\n' >"$dir/group"
	printf 'passwd: files\ngroup: files\nhosts: files\n' >"$dir/nsswitch.conf"
	for f in krb5.conf hosts passwd group nsswitch.conf; do
		krb5_guest_gfile "$dir/$f" "/etc/$f"
	done
	for b in "$@"; do
		krb5_guest_gfile "${b%%:*}" "${b#*:}"
	done
	for b in "$@"; do
		for lib in $(ldd "${b%%:*}" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
			case " ${GFILES[*]} " in *" $lib:$lib "*) ;; *) krb5_guest_gfile "$lib" ;; esac
		done
	done
	for lib in libnss_files.so.2 libnss_dns.so.2; do
		l=$(find /lib /usr/lib -name "$lib" 2>/dev/null | head -1)
		[ -n "$l" ] && krb5_guest_gfile "$l"
	done
	return 0
}

# nfsd connects to gssd with back-off: a client before it gets no
# context (RPCSEC_GSS_CREDPROBLEM), so a test waits for this first.
gssd_has_nfsd() { suite_ctl status gssd 2>/dev/null | grep -q "peer nfsd"; }

client_results() {
	while IFS= read -r line; do
		case "$line" in
		ok:*) ok "$1${line#ok: }" ;;
		FAIL:*) not_ok "$1${line#FAIL: }" ;;
		*) diag "$line" ;;
		esac
	done < "$2"
}

# krb5_cb_realm: the realm of the callback tests (test_cb_gss.sh,
# test_cb_gss41.sh) as checks: the KDC, nfs/localhost in gssd's keytab
# ($KDIR/nfs.keytab), the client's machine principal nfs/$CBHOST in its
# keytab and kinit'd into $KDIR/ccache.cb.  Sets KDIR, P and CBHOST.
krb5_cb_realm() {
	KDIR=$SUITE_DIR/krb5
	P=2049
	CBHOST=cbclient.dittofs.test
	check "a realm: kdb5_util create -s, krb5kdc -n on loopback" \
	    krb5_realm_setup "$KDIR"
	check "nfs/localhost (the server) in gssd's keytab" \
	    krb5_addprinc_keytab nfs/localhost "$KDIR/nfs.keytab"
	check "nfs/$CBHOST (the client) in the client's keytab" \
	    krb5_addprinc_keytab "nfs/$CBHOST" "$KDIR/client.keytab"
	check "kinit as nfs/$CBHOST (the client's machine credential)" \
	    krb5_kinit_keytab "nfs/$CBHOST" "$KDIR/client.keytab" \
	    "$KDIR/ccache.cb"
}
