#!/bin/bash
# Integration: bench/smbload, the SMB2/3 load generator of bench/compare's
# smb_* and smbsealed_* rows, against dittofs-smbd (with dittofs-gssd and
# a user of `dittofsctl user add`) in a private network namespace, with
# small sizes: the tool exits 0 (every status and signature good) and
# every phase reports a non-zero figure; signed over 3.1.1 (AES-CMAC) at
# one request in flight and at many, over 2.1 (HMAC-SHA256), sealed
# (-e, rows smbsealed_*); its directory is gone afterwards.  And it
# fails, with the status, when a phase fails (a share that does not
# exist; a wrong password; a file of create's taken away by a second
# client mid-run), so the generator cannot pass by ignoring errors.
# No timing is asserted.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
suite_in_netns "$0" "$@"
suite_users
SUITE_WITH=smbd
suite_setup
P=445
sed -i '/^\[share export\]$/a root squash = no' "$SUITE_CONF"
cat >> "$SUITE_CONF" <<CONF

[smbd]
port = $P
CONF
LOAD=$(cd "$top_builddir" && pwd)/bench/smbload
PHASES="write read randwrite randread create getattr readdir remove"

if [ ! -x "$SBINDIR/dittofs-gssd" ]; then
	echo "1..0 # SKIP no dittofs-gssd (smbd's logins)"
	exit 0
fi

suite_start
check "blockd, gssd and smbd come up" suite_wait_ready blockd gssd smbd
check "smbd connects to gssd" suite_wait 10 sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status smbd | grep -q 'gssd connected'"
out=$(echo 'Load-pw1' | suite_ctl user add loaduser --uid 0 --gid 0 2>&1)
check "dittofsctl user add loaduser ($out)" test "$out" = "user loaduser added"

# run NAME ARGS...: smbload with ARGS; its output in $SUITE_DIR/NAME.out,
# its errors in NAME.err and its exit status in NAME.rc.
run() {
	local name=$1
	shift
	SMBLOAD_PASSWORD=Load-pw1 timeout 300 "$LOAD" \
	    --url "smb://loaduser@127.0.0.1:$P/export" \
	    --size 4 --seconds 1 --files 200 --dir "$name" "$@" \
	    >"$SUITE_DIR/$name.out" 2>"$SUITE_DIR/$name.err"
	echo $? >"$SUITE_DIR/$name.rc"
	sed 's/^/# /' "$SUITE_DIR/$name.out" "$SUITE_DIR/$name.err"
}

# A phase's figure, as printed: RESULT name=ROWS_PHASE value=V unit=U.
figure() { sed -n "s/^RESULT name=${3:-smb}_$2 value=\([0-9.]*\) .*/\1/p" "$SUITE_DIR/$1.out"; }
nonzero() { awk -v v="$1" 'BEGIN { exit !(v != "" && v + 0 > 0) }'; }

for shape in "one --conns 1 --depth 1" "many --conns 3 --depth 8" \
    "smb21 --conns 2 --depth 4 --dialect 210" "sealed --conns 2 --depth 8 -e"; do
	set -- $shape
	name=$1
	shift
	rows=smb
	[ "$name" = sealed ] && rows=smbsealed
	run "$name" "$@"
	check "$name: smbload exits 0" test "$(cat "$SUITE_DIR/$name.rc")" = 0
	check "$name: no error printed" sh -c "! grep -v '^smbload: [0-9]* connections' '$SUITE_DIR/$name.err' | grep -q ."
	for p in $PHASES; do
		check "$name: $p ran, a non-zero figure ($(figure "$name" "$p" $rows))" nonzero "$(figure "$name" "$p" $rows)"
	done
	check "$name: its directory is removed (a second run may make it again)" \
	    sh -c "SMBLOAD_PASSWORD=Load-pw1 timeout 60 '$LOAD' --url 'smb://loaduser@127.0.0.1:$P/export' --size 1 --tests getattr --files 1 --dir '$name' >/dev/null 2>&1"
done
check "one: a LATENCY line per phase" test "$(grep -c '^LATENCY name=smb_' "$SUITE_DIR/one.out")" -ge 8
check "many: dialect 3.1.1, signed with AES-128-CMAC" grep -q 'dialect 311, signed (AES-128-CMAC)' "$SUITE_DIR/many.err"
check "smb21: dialect 2.1, signed with HMAC-SHA256" grep -q 'dialect 210, signed (HMAC-SHA256)' "$SUITE_DIR/smb21.err"
check "sealed: sealed with AES-128-GCM, rows smbsealed_* only" sh -c "grep -q 'sealed (AES-128-GCM)' '$SUITE_DIR/sealed.err' && ! grep -q '^RESULT name=smb_' '$SUITE_DIR/sealed.out'"

# A phase against a server that refuses it is an error, not a figure.
SMBLOAD_PASSWORD=Load-pw1 timeout 60 "$LOAD" --url "smb://loaduser@127.0.0.1:$P/nonexistent" \
    --tests getattr >"$SUITE_DIR/bad.out" 2>"$SUITE_DIR/bad.err"
rc=$?
sed 's/^/# /' "$SUITE_DIR/bad.err"
check "a missing share: smbload fails (exit $rc) with the status" sh -c "[ $rc -ne 0 ] && grep -q 'TREE_CONNECT: status 0xc00000cc' '$SUITE_DIR/bad.err' && ! grep -q '^RESULT' '$SUITE_DIR/bad.out'"
SMBLOAD_PASSWORD=wrong timeout 60 "$LOAD" --url "smb://loaduser@127.0.0.1:$P/export" \
    --tests getattr >"$SUITE_DIR/pw.out" 2>"$SUITE_DIR/pw.err"
rc=$?
sed 's/^/# /' "$SUITE_DIR/pw.err"
check "a wrong password: smbload fails (exit $rc) with LOGON_FAILURE" sh -c "[ $rc -ne 0 ] && grep -q 'status 0xc000006d' '$SUITE_DIR/pw.err'"

# A phase that fails midway stops the run: one of create's files is
# taken away by a second client (smbclient) during getattr's phase, so
# a CREATE of getattr (or of remove, after it) answers
# OBJECT_NAME_NOT_FOUND.  smbload must report it and exit non-zero,
# with no remove figure.
if ! command -v smbclient >/dev/null; then
	skip "no smbclient (Debian: smbclient)" "a phase that fails midway stops the run"
else
	SMBLOAD_PASSWORD=Load-pw1 timeout 300 "$LOAD" --url "smb://loaduser@127.0.0.1:$P/export" \
	    --conns 1 --depth 1 --files 50 --seconds 4 --tests getattr --dir race \
	    >"$SUITE_DIR/race.out" 2>"$SUITE_DIR/race.err" &
	RACE=$!
	check "the racing run's files exist" suite_wait 20 sh -c "smbclient //127.0.0.1/export -p $P -U loaduser%Load-pw1 -m SMB3 -c 'ls race\\f0000049' 2>/dev/null | grep -q f0000049"
	smbclient //127.0.0.1/export -p $P -U loaduser%Load-pw1 -m SMB3 -c 'del race\f0000010' >"$SUITE_DIR/del.out" 2>&1
	sed 's/^/# /' "$SUITE_DIR/del.out"
	wait $RACE
	rc=$?
	sed 's/^/# /' "$SUITE_DIR/race.out" "$SUITE_DIR/race.err"
	check "a file gone under getattr's phase: smbload fails (exit $rc)" test $rc -ne 0
	check "... saying which phase and status stopped it (OBJECT_NAME_NOT_FOUND)" grep -Eiq '^smbload: (getattr|remove): create failed with status 0xc0000034' "$SUITE_DIR/race.err"
	ph=$(sed -n 's/^smbload: \([a-z]*\): .*/\1/p' "$SUITE_DIR/race.err")
	check "... with no figure for the phase that failed ($ph), nor for remove" sh -c "[ -n '$ph' ] && ! grep -Eq '^RESULT name=smb_($ph|remove) ' '$SUITE_DIR/race.out'"

fi
suite_stop
tap_done
