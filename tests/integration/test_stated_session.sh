#!/bin/bash
# Integration: stated's NFSv4.1 sessions over its socket (issue 24,
# common/stated_session.x).  A "front end" (st-check, as dittofs-nfsd)
# makes a session and sends SLOT_DONE, then is killed with SIGKILL; a new
# connection LOADs the slots and the kept reply byte for byte; a lockd
# connection that sends a session message is closed; dittofsctl v4
# sessions lists what is left; damaged session messages leave stated
# standing.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
suite_users
SUITE_EXTRA_CONF='[stated]
nfsv4.1 slots per session = 16
nfsv4.1 cached reply max = 8192
nfsv4.1 sessions per client = 4'
suite_setup
ST=$top_builddir/tests/clients/st-check
SOCK=$SUITE_DIR/run/stated.sock

st_tap() {
	local line
	while read -r line; do
		case "$line" in
		"ok "*) ok "stated: ${line#ok * - }" ;;
		"not ok "*) not_ok "stated: ${line#not ok * - }" ;;
		"#"*) echo "$line" ;;
		esac
	done < "$1"
}

suite_start
check "stated comes up" suite_wait_ready stated
STATED=$(suite_pid stated)

"$ST" session "$SOCK" > "$SUITE_DIR/st-session.out" 2>&1
st_tap "$SUITE_DIR/st-session.out"
check "st-check session produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/st-session.out"
check "st-check session passed" sh -c "! grep -q '^not ok' '$SUITE_DIR/st-session.out'"
check "stated logged the lockd connection's refused message" \
    grep -q "st-session-lockd" "$SUITE_DIR/run.log"
check "stated logged the refused fifth session" \
    grep -q "CREATE_SESSION refused by a limit (nfsv4.1 sessions per client.*NFS4ERR_NOSPC" "$SUITE_DIR/run.log"

suite_ctl v4 sessions > "$SUITE_DIR/sessions.out" 2>&1
sed 's/^/# /' "$SUITE_DIR/sessions.out"
check "dittofsctl v4 sessions lists the kept client" \
    grep -Eq '^[0-9a-f]{16} st-check-session-kept +127\.0\.0\.1 +leased .* st-check$' \
    "$SUITE_DIR/sessions.out"
check "and its session: 16 slots (the configured cap), one used, 100 bytes kept" \
    grep -Eq '^  session [0-9a-f]{32} slots 16 used 1 cached 100 bytes; request 1048576 reply 1048576 kept 8192; back channel unbound, callback sequence 0$' \
    "$SUITE_DIR/sessions.out"
check "the destroyed client is not listed" \
    sh -c "! grep -q 'st-check-session-id ' '$SUITE_DIR/sessions.out'"
check "dittofsctl status counts the NFSv4.1 client and session" \
    sh -c "DITTOFS_SBINDIR=$SBINDIR '$CTL' -f '$SUITE_CONF' status stated | grep -q 'NFSv4.1: 1 client(s), 1 session(s)'"

# Damaged requests of every stated message set, session ones included.
"$ST" fuzz "$SOCK" 2000 "${DITTOFS_FUZZ_SEED:-$(date +%s)}" \
    > "$SUITE_DIR/st-fuzz.out" 2>&1
st_tap "$SUITE_DIR/st-fuzz.out"
check "stated fuzz run produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/st-fuzz.out"
check "stated survived all of it: the same process" test "$(suite_pid stated)" = "$STATED"

suite_stop
if [ "$tap_fail" -ne 0 ]; then
	diag "dittofs-run log:"
	sed 's/^/# /' "$SUITE_DIR/run.log" | tail -60
fi
tap_done
