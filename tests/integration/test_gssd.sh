#!/bin/bash
# Integration: dittofs-gssd under dittofs-run.  It drops to its user in
# its chroot with seccomp; dittofsctl user add/list/passwd/del keeps the
# SMB password database (mode 0600, gssd's, no password in it); a front
# end (gss-check as role nfsd) logs in with NTLMv2 through SPNEGO and
# gets the user's uid, gid and the 16-byte session key, and Samba's own
# client (ntlm_auth) does too; wrong passwords, NTLMv1, malformed and
# truncated tokens, Kerberos, too many contexts, another connection's
# context and an expired one get their status; roles that may not send
# a message are refused; map to guest; the database outlives kill -9.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
suite_users
SUITE_EXTRA_CONF='[gssd]
contexts per peer = 8
context timeout = 5'
suite_setup
GSS=$top_builddir/tests/clients/gss-check
SOCK=$SUITE_DIR/run/gssd.sock
fe() { "$GSS" -s "$SOCK" -r nfsd -u dittofs-nfsd "$@" 2>&1; }

suite_start
check "gssd comes up under dittofs-run" suite_wait_ready gssd
GSSD=$(suite_pid gssd)
diag "gssd pid $GSSD: $(grep -E '^(Uid|CapEff|NoNewPrivs|Seccomp):' /proc/$GSSD/status | tr '\n\t' '  ')"
check "gssd runs as dittofs-gssd" test "$(proc_field "$GSSD" Uid | awk '{print $1 $2 $3 $4}')" = "$(id -u dittofs-gssd)$(id -u dittofs-gssd)$(id -u dittofs-gssd)$(id -u dittofs-gssd)"
check "gssd: CapEff is 0" test "$(proc_field "$GSSD" CapEff)" = 0000000000000000
check "gssd: NoNewPrivs is 1" test "$(proc_field "$GSSD" NoNewPrivs)" = 1
check "gssd: Seccomp is 2 (filter)" test "$(proc_field "$GSSD" Seccomp)" = 2
check "gssd: chroot to its state directory" test "$(readlink /proc/$GSSD/root)" = "$SUITE_DIR/state/gssd"

# The password database.
out=$(echo 's3cret' | suite_ctl user add alice --uid 1234 --gid 567 2>&1)
check "dittofsctl user add alice" test "$out" = "user alice added"
out=$(echo 'other' | suite_ctl user add ALICE --uid 1 --gid 1 2>&1)
check "adding her again is refused" sh -c "echo '$out' | grep -q 'user exists'"
out=$(suite_ctl user list)
check "user list shows alice with her ids" sh -c "echo '$out' | grep -Eq '^alice +1234 +567$'"
DB=$SUITE_DIR/state/gssd/smbpasswd
check "the database is gssd's, mode 0600" test "$(stat -c '%U %a' "$DB")" = "dittofs-gssd 600"
check "the database holds the NT hash, not the password" sh -c "! grep -q s3cret '$DB' && grep -q '^alice:1234:567:[0-9a-f]\{32\}$' '$DB'"

# Logins as a front end.
check "NTLMv2 through SPNEGO: COMPLETE, uid, gid, 16-byte key, signing" \
    test "$(fe login alice s3cret)" = "COMPLETE uid=1234 gid=567 keylen=16 flags=4 user=alice"
check "Kerberos listed first: COMPLETE, gssd's mechListMIC checked" \
    test "$(fe login alice s3cret krb5first)" = "COMPLETE uid=1234 gid=567 keylen=16 flags=4 user=alice"
check "bare NTLMSSP: COMPLETE" \
    test "$(fe login alice s3cret raw)" = "COMPLETE uid=1234 gid=567 keylen=16 flags=4 user=alice"
check "the name in another case: the database's spelling comes back" \
    test "$(fe login ALICE s3cret)" = "COMPLETE uid=1234 gid=567 keylen=16 flags=4 user=alice"
check "a wrong password: DENIED" test "$(fe login alice wrong)" = DENIED
check "an unknown user (map to guest = never): DENIED" test "$(fe login bob s3cret)" = DENIED
check "an NTLMv1 response: DENIED" test "$(fe login alice s3cret v1)" = DENIED
check "a truncated AUTHENTICATE: BAD_TOKEN" test "$(fe truncated alice s3cret)" = BAD_TOKEN
check "a malformed SPNEGO token: BAD_TOKEN" test "$(fe garbage)" = BAD_TOKEN
check "GSSD_MECH_KRB5 without a keytab: UNSUPPORTED" test "$(fe krb5)" = UNSUPPORTED
check "tokens naming Kerberos in a malformed framing: BAD_TOKEN; a well-framed one, no keytab: UNSUPPORTED" \
    test "$(fe krb5bad)" = "BAD_TOKEN BAD_TOKEN BAD_TOKEN BAD_TOKEN BAD_TOKEN BAD_TOKEN UNSUPPORTED"
check "... logged" grep -q "a Kerberos token, but Kerberos is off" "$SUITE_DIR/run.log"
check "SPNEGO listing Kerberos alone, no keytab: UNSUPPORTED" \
    test "$(fe krb5only)" = UNSUPPORTED
check "... and logged" grep -q "none of the client's 1 mechanisms" \
    "$SUITE_DIR/run.log"
check "an empty first SPNEGO token: the NegTokenInit2 offering NTLMSSP" \
    test "$(fe offer)" = "CONTINUE offer ntlmssp"
check "a finished context is gone: its AUTHENTICATE again gets NO_CONTEXT" \
    test "$(fe replay alice s3cret)" = "first COMPLETE, again NO_CONTEXT"
check "anonymous: COMPLETE as the guest, no key" \
    test "$(fe anonymous)" = "COMPLETE uid=$(id -u nobody) gid=$(id -g nobody) keylen=0 flags=2 user="
if command -v ntlm_auth >/dev/null; then
	check "Samba's SPNEGO client logs in; it accepts gssd's final token" \
	    test "$(fe samba alice s3cret spnego)" = "COMPLETE uid=1234 gid=567 keylen=16 flags=4 user=alice"
	check "Samba's NTLMSSP client logs in" \
	    test "$(fe samba alice s3cret ntlmssp)" = "COMPLETE uid=1234 gid=567 keylen=16 flags=4 user=alice"
	check "Samba's client with a wrong password: DENIED" \
	    test "$(fe samba alice nope spnego)" = DENIED
else
	skip "no ntlm_auth (samba)" "Samba's clients"
fi

# Limits and contexts.
check "the 9th context of one connection: LIMIT (contexts per peer = 8)" \
    test "$(fe limit 8)" = LIMIT
check "another connection's context: NO_CONTEXT" test "$(fe foreign)" = NO_CONTEXT
check "contexts go with their connection" \
    suite_wait 5 sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status gssd | grep -q ' 0 context(s) in creation'"
check "an unfinished context expires (context timeout = 5)" \
    test "$(fe expire 11)" = NO_CONTEXT
check "malformed tokens are logged" grep -q 'malformed SPNEGO token' "$SUITE_DIR/run.log"

# Roles.
check "role nfsd may not list users (disconnected)" test "$(fe users)" = refused
check "the refused message is logged with the role" sh -c "grep -q 'which role nfsd may not send' '$SUITE_DIR/run.log'"
check "role ctl (root) lists users on gssd.sock" \
    test "$("$GSS" -s "$SOCK" -r ctl users 2>&1)" = "users 1"
check "role ctl may not send ACCEPT" \
    test "$("$GSS" -s "$SOCK" -r ctl login alice s3cret 2>&1)" = refused
check "role lockd may not connect" \
    test "$("$GSS" -s "$SOCK" -r lockd -u dittofs-lockd users 2>&1)" = refused

# A new password; the ids stay.
out=$(echo 'n3w' | suite_ctl user passwd alice 2>&1)
check "dittofsctl user passwd alice" test "$out" = "user alice changed"
check "the old password: DENIED" test "$(fe login alice s3cret)" = DENIED
check "the new password: COMPLETE with the same ids" \
    test "$(fe login alice n3w)" = "COMPLETE uid=1234 gid=567 keylen=16 flags=4 user=alice"

# Supplementary groups: dittofsctl sends them, logins carry them.
out=$(echo 'g' | suite_ctl user add grace --uid 2000 --gid 2000 --groups 100,200 2>&1)
check "user add --groups" test "$out" = "user grace added"
check "the groups are in her record" grep -q '^grace:2000:2000:[0-9a-f]\{32\}:100,200$' "$DB"
check "her login carries them" \
    test "$(fe login grace g)" = "COMPLETE uid=2000 gid=2000 keylen=16 flags=4 user=grace groups=100,200"
echo 'g2' | suite_ctl user passwd grace >/dev/null 2>&1
check "user passwd keeps them" \
    test "$(fe login grace g2)" = "COMPLETE uid=2000 gid=2000 keylen=16 flags=4 user=grace groups=100,200"
echo 'g3' | suite_ctl user passwd grace --groups '' >/dev/null 2>&1
check "user passwd --groups '' clears them" \
    test "$(fe login grace g3)" = "COMPLETE uid=2000 gid=2000 keylen=16 flags=4 user=grace"
echo 'g4' | suite_ctl user passwd grace --groups 300 >/dev/null 2>&1

# The database outlives gssd.
kill -9 "$GSSD"
check "dittofs-run restarts gssd after kill -9" \
    suite_wait 20 sh -c "p=\$(DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status gssd | awk '\$1 == \"gssd\" { print \$2 }'); [ -n \"\$p\" ] && [ \"\$p\" != $GSSD ]"
check "alice logs in after the restart" \
    suite_wait 10 sh -c "[ \"\$('$GSS' -s '$SOCK' -r nfsd -u dittofs-nfsd login alice n3w 2>&1)\" = 'COMPLETE uid=1234 gid=567 keylen=16 flags=4 user=alice' ]"
check "grace's ids and groups after the restart" \
    test "$(fe login grace g4)" = "COMPLETE uid=2000 gid=2000 keylen=16 flags=4 user=grace groups=300"
suite_ctl user del grace >/dev/null 2>&1

# map to guest = bad user, sent by dittofsctl reload.
sed -i 's/^context timeout = 5$/context timeout = 5\nmap to guest = bad user\nguest account = 4321:4322/' "$SUITE_CONF"
check "dittofsctl reload gssd" sh -c "suite_ctl() { DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF \"\$@\"; }; suite_ctl reload gssd | grep -q 'gssd: reloaded'"
out=$(fe login bob x)
diag "bob: $out"
check "an unknown user maps to the guest account" \
    test "$out" = "COMPLETE uid=4321 gid=4322 keylen=0 flags=1 user=4321:4322"
check "a known user with a wrong password is still DENIED" \
    test "$(fe login alice s3cret)" = DENIED

out=$(suite_ctl user del alice 2>&1)
check "dittofsctl user del alice" test "$out" = "user alice deleted"
check "user list is empty" test "$(suite_ctl user list | wc -l)" = 1
out=$(suite_ctl user del alice 2>&1)
check "deleting her again: no such user" sh -c "echo '$out' | grep -q 'no such user'"
diag "$(suite_ctl status gssd | tail -1)"

check "SIGTERM stops the suite" suite_stop

# Service mode: as dittofs-gssd.service starts it (its User=, Group= and
# capabilities, the directories tmpfiles.d and StateDirectory= make).
UNIT=$top_builddir/systemd/dittofs-gssd.service
if command -v setpriv >/dev/null && [ -f "$UNIT" ]; then
	key() { sed -n "s/^$1=//p" "$UNIT" | tail -n 1; }
	S2=$SUITE_DIR/svc
	install -d -m 1770 -o root -g dittofs "$S2/run"
	install -d -m 0750 -o root -g dittofs "$S2/state"
	install -d -m 0700 -o "$(key User)" -g "$(key Group)" "$S2/state/gssd"
	printf '[global]\nstate directory = %s/state\nrun directory = %s/run\n' \
	    "$S2" "$S2" > "$S2/dittofs.conf"
	caps=-all
	for c in $(key AmbientCapabilities); do
		caps="$caps,+$(echo "${c#CAP_}" | tr 'A-Z' 'a-z')"
	done
	setpriv --reuid="$(key User)" --regid="$(key Group)" --init-groups \
	    --inh-caps="$caps" --ambient-caps="$caps" --bounding-set="$caps" \
	    "$SBINDIR/dittofs-gssd" -d -f "$S2/dittofs.conf" > "$S2/gssd.log" 2>&1 &
	SVC=$!
	check "service mode: gssd.sock appears" suite_wait 10 test -S "$S2/run/gssd.sock"
	check "service mode: uid $(key User), CapEff 0, Seccomp 2, chrooted" \
	    suite_wait 5 sh -c "[ \"\$(awk '\$1 == \"Uid:\" { print \$2 }' /proc/$SVC/status)\" = $(id -u dittofs-gssd) ] && grep -q '^CapEff:.*0000000000000000' /proc/$SVC/status && grep -q '^Seccomp:.*2' /proc/$SVC/status && [ \"\$(readlink /proc/$SVC/root)\" = '$S2/state/gssd' ]"
	out=$(echo 'pw1' | DITTOFS_SBINDIR=$SBINDIR "$CTL" -f "$S2/dittofs.conf" user add carol --uid 77 --gid 78 2>&1)
	check "service mode: root adds a user over gssd.ctl" test "$out" = "user carol added"
	check "service mode: she logs in" \
	    test "$("$GSS" -s "$S2/run/gssd.sock" -r nfsd -u dittofs-nfsd login carol pw1 2>&1)" = "COMPLETE uid=77 gid=78 keylen=16 flags=4 user=carol"
	kill "$SVC"
	wait "$SVC" 2>/dev/null
else
	skip "no setpriv or no generated unit" "service mode"
fi
tap_done
