# tests/integration/smblib.sh: what the SMB tests that run smbd with
# tests/clients/gssd-stub.py as gssd share.  Sourced after tap.sh and
# lib.sh.

# smb_stub_suite [SMBD_LINES]: in this test's namespace, a suite of nfsd
# (NFS port 2049, MOUNT 20048) and smbd (445, with SMBD_LINES added to
# its section) on the share export without root squash, gssd-stub.py
# as gssd (session key $KEY), started and checked ready.  Sets P, M, S,
# KEY, GSSD_BIN and RPCP (tests/clients/rpc-probe); SMB runs
# smb2probe.py on S.  A
# background helper's pid in SMB_BG is killed at exit with the stub.
smb_stub_suite() {
	suite_users
	SUITE_WITH="nfsd smbd"
	suite_setup
	P=2049
	M=20048
	S=445
	KEY=00112233445566778899aabbccddeeff
	# rpc-probe calls as uid 0.
	sed -i '/^\[share export\]$/a root squash = no' "$SUITE_CONF"
	cat >> "$SUITE_CONF" <<CONF

[nfsd]
port = $P
mount port = $M

[smbd]
port = $S
${1:-}

[run]
restart delay max = 2
CONF
	GSSD_BIN=$SBINDIR/dittofs-gssd
	if [ -x "$GSSD_BIN" ]; then
		printf '\n[gssd]\nenable = no\n' >> "$SUITE_CONF"
	fi
	RPCP=$(cd "$top_builddir" && pwd)/tests/clients/rpc-probe
	SMB_STUB=
	SMB_BG=
	trap smb_stub_cleanup EXIT
	mkdir -p "$SUITE_DIR/run"
	python3 "$top_srcdir/tests/clients/gssd-stub.py" "$SUITE_DIR/run" 0 0 \
	    $KEY > "$SUITE_DIR/stub.log" 2>&1 &
	SMB_STUB=$!
	suite_start
	check "blockd, stated, nfsd and smbd come up" \
	    suite_wait_ready blockd stated nfsd smbd
	check "smbd connects to blockd and gssd" suite_wait 20 sh -c \
	    "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status smbd | grep -q 'blockd connected; gssd connected'"
}

SMB() { timeout 60 python3 "$top_srcdir/tests/clients/smb2probe.py" "$S" "$@"; }

smb_stub_cleanup() {
	[ -n "$SMB_BG" ] && kill "$SMB_BG" 2>/dev/null
	[ -n "$SMB_STUB" ] && kill "$SMB_STUB" 2>/dev/null
	suite_cleanup
}

# smb_probe NAME ARGS...: smb2probe's PASS/FAIL lines as checks (and a
# failure when no step passed, or for a line that is neither).
smb_probe() {
	local name=$1 out line
	shift
	out=$(SMB "$@" 2>&1)
	printf '%s\n' "$out" | sed 's/^/# /'
	check "$name: some steps ran" sh -c "printf '%s\n' \"\$1\" | grep -q '^PASS'" _ "$out"
	while IFS= read -r line; do
		case $line in
		PASS*) check "$name: ${line#PASS }" true ;;
		FAIL*) check "$name: ${line#FAIL }" false ;;
		*) check "$name: $line" false ;;
		esac
	done <<PROBE
$out
PROBE
}
