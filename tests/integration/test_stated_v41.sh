#!/bin/bash
# Integration: stated's open and lock state for NFSv4.1 clients (issue
# 24, common/stated_v4.x with a v4.1 clientid).  A "front end" (st-check,
# as dittofs-nfsd) makes a v4.1 client with EXCHANGE_ID and
# CREATE_SESSION, opens and locks with ST_V4_OPEN and ST_V4_LOCK, meets
# a v4.0 client's deny in the one share table, tests and frees stateids;
# dittofsctl v4 lists the v4.1 client's open and lock; a lapsed v4.1
# client in a v4.0 client's way is purged and nfsd told; stated is
# killed, comes back in grace, and the v4.1 client reclaims.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
suite_users
SUITE_EXTRA_CONF='[stated]
grace period = 60
lease time = 10

[run]
restart delay = 0'
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

restarted() {
	local p
	p=$(suite_pid "$1")
	[ -n "$p" ] && [ "$p" != "$2" ]
}

suite_start
check "stated comes up" suite_wait_ready stated
STATED=$(suite_pid stated)

"$ST" v41 "$SOCK" > "$SUITE_DIR/st-v41.out" 2>&1
st_tap "$SUITE_DIR/st-v41.out"
check "st-check v41 produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/st-v41.out"
check "st-check v41 passed" sh -c "! grep -q '^not ok' '$SUITE_DIR/st-v41.out'"

suite_ctl v4 > "$SUITE_DIR/v4.out" 2>&1
sed 's/^/# /' "$SUITE_DIR/v4.out"
check "dittofsctl v4 lists the v4.1 client, marked so, with its opens" \
    grep -Eq '^[0-9a-f]{16} st-check-v41-client +127\.0\.0\.1 +leased +[0-9]+ +2 +.*\(NFSv4\.1\)$' \
    "$SUITE_DIR/v4.out"
check "and its lock" grep -Eq '^  lock  .* owner v4-lockr ' "$SUITE_DIR/v4.out"
suite_ctl v4 sessions > "$SUITE_DIR/sessions.out" 2>&1
sed 's/^/# /' "$SUITE_DIR/sessions.out"
check "dittofsctl v4 sessions counts its two opens and its lock state" \
    grep -A1 -E '^[0-9a-f]{16} st-check-v41-client ' "$SUITE_DIR/sessions.out" \
    | grep -q '^  state 2 open(s), 1 lock state(s)$'

# A lapsed v4.1 client in a v4.0 client's way (the shortest lease).
"$ST" v41-courtesy "$SOCK" > "$SUITE_DIR/st-v41c.out" 2>&1
st_tap "$SUITE_DIR/st-v41c.out"
check "st-check v41-courtesy produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/st-v41c.out"
check "st-check v41-courtesy passed" sh -c "! grep -q '^not ok' '$SUITE_DIR/st-v41c.out'"
check "stated logged the purge" grep -q "NFSv4.1 client .* had lapsed and was in the way\|lapsed client(s) in its way purged" "$SUITE_DIR/run.log"

# kill -9 stated: a new epoch; the v4.1 client held state, so grace.
kill -KILL "$STATED"
check "dittofs-run restarts stated" suite_wait 20 restarted stated "$STATED"
"$ST" v41-reclaim "$SOCK" > "$SUITE_DIR/st-v41r.out" 2>&1
st_tap "$SUITE_DIR/st-v41r.out"
check "st-check v41-reclaim produced results" grep -q '^1\.\.[1-9]' "$SUITE_DIR/st-v41r.out"
check "st-check v41-reclaim passed" sh -c "! grep -q '^not ok' '$SUITE_DIR/st-v41r.out'"

suite_stop
if [ "$tap_fail" -ne 0 ]; then
	diag "dittofs-run log:"
	sed 's/^/# /' "$SUITE_DIR/run.log" | tail -60
fi
tap_done
