#!/bin/bash
# Integration: NFSv4.1 sessions of dittofs-nfsd (issue 24, RFC 8881), in
# a private network namespace, with tests/clients/nfs41probe.py: a client
# id and a session (EXCHANGE_ID, CREATE_SESSION), SEQUENCE + PUTROOTFH +
# GETATTR, the same slot and sequence id twice with sa_cachethis (a
# byte-identical reply), a misordered sequence id, a false retry, an
# uncached retry, kill -9 of nfsd with the kept reply still answered
# byte for byte after the restart (from stated: ST_SESSION_LOAD), the
# placement rules (SEQUENCE first, the v4.0-only and pNFS ops NOTSUPP,
# op 59 ILLEGAL), minor version 2, SECINFO_NO_NAME, BIND_CONN_TO_SESSION,
# the backchannel (CB_NULL, CB_SEQUENCE + CB_RECALL of a delegation),
# state protection refused, DESTROY_CLIENTID while a session stays,
# DESTROY_SESSION, garbage session ids and slots past the table, and
# [nfsd] nfsv4.1 = no at a reload.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
suite_in_netns "$0" "$@"
suite_users
SUITE_WITH=nfsd
suite_setup
P=2049
M=20048
cat >> "$SUITE_CONF" <<CONF
root squash = no

[nfsd]
port = $P
mount port = $M
rpcbind = no
nfsv4.1 server owner = probe-server

[stated]
nfsv4.1 slots per session = 8
nfsv4.1 cached reply max = 8192
# Low, for CB_RECALL_ANY: asked at three delegations, to keep two.
nfsv4 delegations per client = 4
# A slow run (retries of a Python client under load) must not see the
# client's lease run out and its session reaped.
lease time = 900

[run]
restart delay max = 2
CONF
PROBE() { PYTHONPATH="$ONCRPC_PYTHONPATH" python3 "$top_srcdir/tests/clients/nfs41probe.py" "$P" "$@"; }
trap 'suite_cleanup' EXIT

suite_start
check "blockd, stated and nfsd come up" suite_wait_ready blockd stated nfsd
check "nfsd answers a COMPOUND of minor version 1" suite_wait 10 sh -c "PYTHONPATH=$ONCRPC_PYTHONPATH python3 $top_srcdir/tests/clients/nfs41probe.py $P nosequence | grep -q 'STATUS 10071'"

ST=$SUITE_DIR/v41.json
s=$(PROBE session "$ST")
diag "session: $s"
check "EXCHANGE_ID + CREATE_SESSION" test "$(echo "$s" | cut -d' ' -f1-2)" = "SESSION ok"
check "eir_server_impl_id says dittofs" test "$(echo "$s" | awk '{ print $4 }')" = "dittofs-nfsd"
check "server_owner is the configured one" test "$(echo "$s" | awk '{ print $6 }')" = "probe-server"
check "the slots stated negotiated (8)" test "$(echo "$s" | awk '{ print $8 }')" = 8

check "SEQUENCE + PUTROOTFH + GETATTR: a directory" test "$(PROBE getattr "$ST")" = "STATUS 0 TYPE 2"
check "the next sequence id on the slot" test "$(PROBE getattr "$ST")" = "STATUS 0 TYPE 2"
check "another slot" test "$(PROBE getattr "$ST" 3)" = "STATUS 0 TYPE 2"
check "the same slot and sequence id twice (sa_cachethis): byte-identical" test "$(PROBE replay "$ST" 2)" = "REPLAY same"
check "and once more" test "$(PROBE again "$ST")" = "AGAIN same"
check "a misordered sequence id: SEQ_MISORDERED" test "$(PROBE misordered "$ST")" = "STATUS 10063"
check "the same slot and sequence id, another body: SEQ_FALSE_RETRY" test "$(PROBE falseretry "$ST")" = "STATUS 10076"
check "a retry of an uncached request: RETRY_UNCACHED_REP" test "$(PROBE uncached "$ST")" = "FIRST 0 AGAIN 10068"

# kill -9 of nfsd: the kept reply comes from stated's copy (LOAD).
NFSD=$(suite_pid nfsd)
kill -KILL "$NFSD"
restarted() { local p; p=$(suite_pid "$1"); [ -n "$p" ] && [ "$p" != "$2" ]; }
check "nfsd restarted after kill -9" suite_wait 20 restarted nfsd "$NFSD"
check "after the restart the retry gets the same bytes" suite_wait 20 sh -c "test \"\$(PYTHONPATH=$ONCRPC_PYTHONPATH python3 $top_srcdir/tests/clients/nfs41probe.py $P again $ST)\" = 'AGAIN same'"
check "a false retry is still one after the restart" test "$(PROBE falseretry "$ST")" = "STATUS 10076"
check "the session goes on after the restart" test "$(PROBE getattr "$ST")" = "STATUS 0 TYPE 2"
loaded() { suite_ctl status nfsd 2>/dev/null | sed -n 's/.* \([0-9]*\) loaded from stated.*/\1/p'; }
check "nfsd loaded the session from stated" test "$(loaded)" -ge 1

# The backchannel across kill -9 of nfsd: the new nfsd knows no binding
# (CB_PATH_DOWN flags), the client binds again, and the callback slot's
# sequence id goes on from stated's copy (2 after 1).
BST=$SUITE_DIR/v41-back.json
check "a backchannel and a recall before the restart" test "$(PROBE backsave "$BST" /export/d41-before | cut -d' ' -f13-16)" = "RECALL same SEQ 1"
# BACKCHANNEL_CTL (RFC 8881 18.33) is kept in stated: after the restart
# the callbacks go to its program with its credential, not CREATE_SESSION's.
CST=$SUITE_DIR/v41-ctl.json
r=$(PROBE backctl "$CST")
diag "BACKCHANNEL_CTL: $r"
check "BACKCHANNEL_CTL to another program and AUTH_SYS uid 999: NFS4_OK (CB_NULL before it as uid 4321)" test "$(echo "$r" | cut -d' ' -f1-2,9-10)" = "CTL 0 UID 4321"
NFSD=$(suite_pid nfsd)
kill -KILL "$NFSD"
check "nfsd restarted after kill -9" suite_wait 20 restarted nfsd "$NFSD"
suite_wait 20 sh -c "PYTHONPATH=$ONCRPC_PYTHONPATH python3 $top_srcdir/tests/clients/nfs41probe.py $P minor 0 | grep -q 'STATUS 0'"
r=$(PROBE backagain "$BST" /export/d41-after)
diag "after the restart: $r"
check "after the restart: CB_PATH_DOWN flags, bound again, CB_NULL, flags clear" test "$(echo "$r" | cut -d' ' -f1-8)" = "DOWN 513 BIND 3 NULL 1 UP 0"
check "a delegation recalled over the new binding, callback sequence id 2" test "$(echo "$r" | cut -d' ' -f9-)" = "GRANT read CONFLICT 10008 RECALL same SEQ 2 RETURN 0 RETRY 0"
r=$(PROBE backctl "$CST" again)
diag "BACKCHANNEL_CTL's session after the restart: $r"
check "after the restart: CB_NULL to BACKCHANNEL_CTL's program as its uid 999" test "$(echo "$r" | cut -d' ' -f1-6,13-14)" = "BIND 0 NULL 1 PROG 0x40000123 UID 999"

# Where ops may stand, and what 4.1 refuses.
check "an op before SEQUENCE: OP_NOT_IN_SESSION" test "$(PROBE nosequence)" = "STATUS 10071"
check "SEQUENCE not first: SEQUENCE_POS" test "$(PROBE seqpos "$ST")" = "STATUS 10064 RESULTS 3"
check "EXCHANGE_ID not alone without SEQUENCE: NOT_ONLY_OP" test "$(PROBE notonly)" = "STATUS 10081"
for op in renew setclientid_confirm open_confirm release_lockowner; do
	check "$op (v4.0 only) in a 4.1 COMPOUND: NOTSUPP" test "$(PROBE v40op "$ST" $op)" = "STATUS 10004 RESULTS 3"
done
check "LAYOUTGET (pNFS): NOTSUPP" test "$(PROBE v40op "$ST" layoutget)" = "STATUS 10004 RESULTS 3"
check "op 59, past 4.1's table: OP_ILLEGAL" test "$(PROBE illegal "$ST")" = "STATUS 10044 OP 10044"
check "minor version 2: MINOR_VERS_MISMATCH" test "$(PROBE minor 2)" = "STATUS 10021"
check "minor version 0 still served" test "$(PROBE minor 0)" = "STATUS 0"
check "SECINFO_NO_NAME: AUTH_SYS, AUTH_NONE" test "$(PROBE secinfo "$ST")" = "STATUS 0 FLAVORS 1 0"
check "RECLAIM_COMPLETE" test "$(PROBE reclaim "$ST")" = "STATUS 0"
check "BIND_CONN_TO_SESSION fore or both: both" test "$(PROBE bind "$ST" 3)" = "BIND 0 DIR 3"
check "BIND_CONN_TO_SESSION fore alone: fore" test "$(PROBE bind "$ST" 1)" = "BIND 0 DIR 1"
check "BIND_CONN_TO_SESSION back alone: back" test "$(PROBE bind "$ST" 2)" = "BIND 0 DIR 2"
check "BIND_CONN_TO_SESSION of a direction of no kind: INVAL" test "$(PROBE bind "$ST" 5)" = "BIND 22 DIR 0"

# The backchannel (RFC 8881 2.10.3.1, 18.34, 20.9): SEQUENCE flags
# CB_PATH_DOWN and CB_PATH_DOWN_SESSION (0x201 = 513) until a connection
# is bound back; nfsd probes it with CB_NULL; then a read delegation, and
# a v4.0 client's OPEN for writing makes nfsd send CB_SEQUENCE (this
# session, sequence id 1) + CB_RECALL over the client's own connection.
r=$(PROBE back /export/d41-bind)
diag "bound later: $r"
check "no backchannel: CB_PATH_DOWN flags; BIND_CONN_TO_SESSION both; CB_NULL; flags clear" test "$(echo "$r" | cut -d' ' -f1-8)" = "DOWN 513 BIND 3 NULL 1 UP 0"
check "a v4.1 client with a backchannel gets a read delegation; a v4.0 write gets DELAY" test "$(echo "$r" | cut -d' ' -f9-12)" = "GRANT read CONFLICT 10008"
check "CB_RECALL comes over the client's connection after CB_SEQUENCE of its session, sequence id 1" test "$(echo "$r" | cut -d' ' -f13-16)" = "RECALL same SEQ 1"
check "DELEGRETURN, and the v4.0 OPEN goes through" test "$(echo "$r" | cut -d' ' -f17-)" = "RETURN 0 RETRY 0"
r=$(PROBE backchan /export/d41-create)
diag "bound at CREATE_SESSION: $r"
check "CREATE_SESSION with CONN_BACK_CHAN: no flags, CB_NULL, a delegation recalled over it" test "$r" = "DOWN 0 NULL 1 UP 0 GRANT read CONFLICT 10008 RECALL same SEQ 1 RETURN 0 RETRY 0"
# RFC 8881 2.10.8.2: callbacks with the credential the client offered.
r=$(PROBE backsec sys)
diag "AUTH_SYS offered: $r"
check "callback_sec_parms AUTH_SYS: CB_NULL with the client's own stamp, machine, uid, gid and groups" test "$r" = "FLAGS 0 NULL 1 FLAVOR 1 STAMP 77 MACHINE probe-host UID 4321 GID 8765 GIDS 1"
r=$(PROBE backsec none)
check "callback_sec_parms AUTH_NONE alone: CB_NULL with AUTH_NONE" test "$r" = "FLAGS 0 NULL 1 FLAVOR 0"
r=$(PROBE backsec gsssys)
check "RPCSEC_GSS naming no context, then AUTH_SYS: AUTH_SYS" test "$(echo "$r" | cut -d' ' -f1-6)" = "FLAGS 0 NULL 1 FLAVOR 1"
r=$(PROBE backsec gss)
diag "RPCSEC_GSS alone: $r"
check "callback_sec_parms RPCSEC_GSS alone, its handle naming no context: CREATE_SESSION is NFS4ERR_NOENT (RFC 8881 18.36.3), no CB_NULL" test "$r" = "STATUS 2 NULL 0"
check "EXCHANGE_ID with SP4_MACH_CRED under AUTH_SYS: INVAL (RFC 8881 18.35.3: krb5i or krb5p only; test_krb5.sh has the rest)" test "$(PROBE sp4 1)" = "STATUS 22"
check "EXCHANGE_ID with SP4_SSV: ENCR_ALG_UNSUPP" test "$(PROBE sp4 2)" = "STATUS 10079"
check "OPEN with CLAIM_FH (4.1) opens the current file: a directory is ISDIR" test "$(PROBE claimfh "$ST" /export)" = "STATUS 21 RESULTS 4"
check "the current stateid when no op set one: BAD_STATEID" test "$(PROBE curstateid "$ST" /export)" = "STATUS 10025 RESULTS 4"
check "a made-up session id: BADSESSION" test "$(PROBE badsession)" = "STATUS 10052"
check "a slot past the table: BADSLOT" test "$(PROBE badslot "$ST")" = "STATUS 10053"
check "DESTROY_CLIENTID while its session stays: CLIENTID_BUSY" test "$(PROBE destroyclient "$ST")" = "STATUS 10074"
check "DESTROY_SESSION, then SEQUENCE of it: BADSESSION" test "$(PROBE destroy "$ST")" = "DESTROY 0 SEQUENCE 10052"
check "DESTROY_CLIENTID without sessions" test "$(PROBE destroyclient "$ST")" = "STATUS 0"

# Trunking (RFC 8881 2.10.5): several connections of one session; one
# that goes does not take the session with it.
r=$(LIST_CMD="DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF v4 sessions" PROBE trunk)
diag "trunking: $r"
check "a second connection bound to the session serves it, and still does when the first is gone" test "$(echo "$r" | cut -d' ' -f1-8)" = "BIND 0 B 0 AFTER 0 NEW 0"
check "dittofsctl v4 sessions lists the session's connections: two (fore), then the one gone and the new one" test "$(echo "$r" | cut -d' ' -f9-)" = "LISTED fore,fore THEN fore,fore"

# RFC 8881 20.6: a v4.1 client at three quarters of its delegations per
# client is asked to keep half (CB_RECALL_ANY, read and write ones).
check "three read delegations, then CB_RECALL_ANY keep 2, both kinds" test "$(PROBE recallany /export)" = "DELEGATIONS 3 RECALL_ANY keep 2 mask 3"

# RFC 8881 18.16.3: 4.1's delegation wants in OPEN's share_access: no
# delegation and why (OPEN_DELEGATE_NONE_EXT, WND4_NOT_WANTED) for
# WANT_NO_DELEG; an open by CLAIM_FH gets a delegation as one by name
# does; a want of no kind is INVAL.
r=$(PROBE want /export/want41)
diag "wants: $r"
check "OPEN with WANT_NO_DELEG: OPEN_DELEGATE_NONE_EXT, WND4_NOT_WANTED" test "$(echo "$r" | cut -d' ' -f1-3)" = "NODELEG 3 0"
check "OPEN by CLAIM_FH: a read delegation" test "$(echo "$r" | cut -d' ' -f4-5)" = "CLAIMFH 1"
check "OPEN with a want of no kind: INVAL" test "$(echo "$r" | cut -d' ' -f6-7)" = "BADWANT 22"

# RFC 8881 18.16.3, 5.8.1.14: EXCLUSIVE4_1 sets its attributes (the
# verifier is kept apart from them), suppattr_exclcreat says which; 4.0
# sees neither attribute 75 nor a third supported_attrs word.
r=$(PROBE excl41 /export/excl41)
diag "EXCLUSIVE4_1: $r"
check "EXCLUSIVE4_1 with mode 0600: created 0600, attrset says mode" test "$(echo "$r" | cut -d' ' -f1-4)" = "ATTRSET 0,2 MODE 600"
check "EXCLUSIVE4_1 again with its verifier: the same file; another verifier: EXIST" test "$(echo "$r" | cut -d' ' -f5-8)" = "RETRY 0 OTHER 17"
check "4.1's supported_attrs has suppattr_exclcreat; its value is what EXCLUSIVE4_1 sets" test "$(echo "$r" | cut -d' ' -f9-14)" = "SUPPORTED 800 ASKED 1,0,800 EXCLCREAT 1010,410032"
check "4.0's supported_attrs has two words and no attribute 75" test "$(echo "$r" | cut -d' ' -f15-16)" = "V40 1/2"

# RFC 8881 10.9, 18.39, 20.4: directory delegations.  Holder A (with a
# backchannel) asks add, remove, rename and directory attribute
# notifications; each change by someone else comes as CB_NOTIFY, A's own
# change as nothing; C, who asked ADD alone, has its delegation recalled
# by a remove, and returns it.
r=$(DIRDELEG_CTL="DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF v4" PROBE dirdeleg /export/dd41)
diag "directory delegations: $r"
f() { echo "$r" | cut -d' ' -f"$1"; }
check "GET_DIR_DELEGATION: granted, add/remove/rename/directory attributes (mask 30), READDIR's cookie verifier" test "$(f 1-6)" = "GRANT 0 MASK 30 VERF same"
check "GET_DIR_DELEGATION without a backchannel: GDD4_UNAVAIL" test "$(f 7-8)" = "NOBACK 1"
check "an NFSv3 CREATE in the directory: CB_NOTIFY ADD_ENTRY with the name" test "$(f 9-10)" = "V3ADD add:v3file"
check "another v4.1 client's REMOVE: CB_NOTIFY REMOVE_ENTRY" test "$(f 11-12)" = "REMOVE remove:v3file"
check "another v4.1 client's RENAME: CB_NOTIFY RENAME_ENTRY, old and new name" test "$(f 13-14)" = "RENAME rename:r1>r2"
check "another v4.1 client's SETATTR of the directory: CB_NOTIFY CHANGE_DIR_ATTRS" test "$(f 15-16)" = "CHMOD dirattrs"
check "the holder's own OPEN create in the directory: no CB_NOTIFY (an NFSv3 create after it: its own alone)" test "$(f 17-18)" = "OWN add:mark"
check "with a second holder asking ADD alone, an NFSv3 REMOVE: the first told" test "$(f 19-20)" = "LAST remove:r2"
check "the second's delegation recalled (CB_RECALL of its stateid), and DELEGRETURN returns it" test "$(f 21-24)" = "RECALL same RETURN 0"
check "dittofsctl v4 lists both directory delegations" test "$(f 25-26)" = "LISTED yes"

check "a CB_NOTIFY the holder refuses: its directory delegation recalled" test "$(PROBE notifyfail /export/dd41-fail)" = "NOTIFY add:told RECALL same"

# A directory delegation across kill -9 of nfsd: stated keeps it and its
# mask; the new nfsd learns the directory from stated, the client binds
# its session again, and an NFSv3 create is told as before.
DST=$SUITE_DIR/v41-dir.json
check "a directory delegation before the restart" test "$(PROBE dirsave "$DST" /export/dd41-restart)" = "GRANT 0"
NFSD=$(suite_pid nfsd)
kill -KILL "$NFSD"
check "nfsd restarted after kill -9" suite_wait 20 restarted nfsd "$NFSD"
suite_wait 20 sh -c "PYTHONPATH=$ONCRPC_PYTHONPATH python3 $top_srcdir/tests/clients/nfs41probe.py $P minor 0 | grep -q 'STATUS 0'"
check "after the restart: bound again, an NFSv3 create told by CB_NOTIFY" test "$(PROBE diragain "$DST" /export/dd41-restart)" = "BIND 3 NOTIFY add:after"

# RFC 8881 18.49: WANT_DELEGATION of the current file, granted as OPEN's
# is for a file the client has open, or OPEN_DELEGATE_NONE_EXT and why.
r=$(PROBE wantdeleg /export/wd41)
diag "WANT_DELEGATION: $r"
check "WANT_DELEGATION (any, CLAIM_FH) of a file open for reading: a read delegation" test "$(echo "$r" | cut -d' ' -f1-2)" = "GRANT 1"
check "asked again: the one held" test "$(echo "$r" | cut -d' ' -f3-4)" = "AGAIN 1"
check "WANT_NO_DELEG: NONE_EXT, WND4_NOT_WANTED; WANT_CANCEL: NONE_EXT, WND4_CANCELLED" test "$(echo "$r" | cut -d' ' -f5-10)" = "NODELEG 3 0 CANCEL 3 7"
check "of a directory: NONE_EXT, WND4_IS_DIR" test "$(echo "$r" | cut -d' ' -f11-13)" = "DIR 3 8"
check "of a file the client has not open: NONE_EXT, WND4_RESOURCE" test "$(echo "$r" | cut -d' ' -f14-16)" = "NOOPEN 3 2"
check "a want of no kind: INVAL" test "$(echo "$r" | cut -d' ' -f17-18)" = "BADWANT 22"

# RFC 8881 18.46.3: a reply past the session's ca_maxresponsesize is
# REP_TOO_BIG, one to keep past ca_maxresponsesize_cached
# REP_TOO_BIG_TO_CACHE (it was kept not and answered).
r=$(PROBE toobig /export/big41)
diag "reply sizes: $r"
check "a READ whose reply fits the session's sizes" test "$(echo "$r" | cut -d' ' -f1-4)" = "WRITE 0 CACHED 0"
check "a READ past ca_maxresponsesize: REP_TOO_BIG" test "$(echo "$r" | cut -d' ' -f5-6)" = "BIG 10066"
check "a READ to keep past ca_maxresponsesize_cached: REP_TOO_BIG_TO_CACHE" test "$(echo "$r" | cut -d' ' -f7-8)" = "KEPT 10067"
check "the same READ not to be kept" test "$(echo "$r" | cut -d' ' -f9-10)" = "PLAIN 0"

# dittofsctl v4 destroy: a session by hand, then a client with its
# sessions; the client finds them gone.
ST2=$SUITE_DIR/v41-destroy.json
check "another session" sh -c "PYTHONPATH=$ONCRPC_PYTHONPATH python3 $top_srcdir/tests/clients/nfs41probe.py $P session $ST2 | grep -q 'SESSION ok'"
SID2=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['session'])" "$ST2")
check "it works" test "$(PROBE getattr "$ST2")" = "STATUS 0 TYPE 2"
check "dittofsctl v4 destroy SESSIONID" test "$(suite_ctl v4 destroy "$SID2")" = "NFSv4.1 session $SID2 destroyed"
check "its next SEQUENCE: BADSESSION" test "$(PROBE getattr "$ST2")" = "STATUS 10052 TYPE 0"
check "dittofsctl v4 destroy of it again: no such session" test "$(suite_ctl v4 destroy "$SID2")" = "no such NFSv4.1 session"
check "a new session of a new client" sh -c "PYTHONPATH=$ONCRPC_PYTHONPATH python3 $top_srcdir/tests/clients/nfs41probe.py $P session $ST2 | grep -q 'SESSION ok'"
SID3=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['session'])" "$ST2")
CID3=$(python3 -c "import json,sys; print('%016x' % json.load(open(sys.argv[1]))['clientid'])" "$ST2")
check "dittofsctl v4 sessions lists the client and its session" sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF v4 sessions | grep -q '$SID3' && DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF v4 sessions | grep -q '^$CID3'"
check "dittofsctl v4 destroy CLIENTID, with its session" test "$(suite_ctl v4 destroy "$CID3")" = "NFSv4.1 client $CID3 destroyed"
check "the session went with it" test "$(PROBE getattr "$ST2")" = "STATUS 10052 TYPE 0"
check "dittofsctl v4 sessions lists neither" sh -c "! DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF v4 sessions | grep -Eq '$SID3|^$CID3'"

# RFC 8881 20.8: [stated] nfsv4.1 slots per session lowered (8 to 4) and
# nfsd reloaded: a session of 8 slots gets CB_RECALL_SLOT (target highest
# slot id 3) over its backchannel, and SEQUENCE says 3 from then on.
r=$(RELOAD_CMD="sed -i 's/^nfsv4.1 slots per session = 8\$/nfsv4.1 slots per session = 4/' $SUITE_CONF && DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF reload nfsd" PROBE recallslot)
diag "slots lowered: $r"
check "slots per session lowered at a reload: CB_RECALL_SLOT to a session of more, SEQUENCE's target lowered" test "$(echo "$r" | cut -d' ' -f1-6)" = "SLOTS 8 RECALL_SLOT 3 TARGET 3"
# RFC 8881 2.10.6.1: the client's highest slot id under the target gives
# the others back: SEQUENCE's highest slot id 3, slot 5 BADSLOT, and
# stated keeps 4 slots for the session.
check "a SEQUENCE under the target: the table shrinks (highest slot id 3, slot 5 BADSLOT)" test "$(echo "$r" | cut -d' ' -f7-10)" = "HIGHEST 3 SLOT5 10053"
check "dittofsctl v4 sessions: the session has 4 slots in stated" sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF v4 sessions | grep -q 'session $(echo "$r" | cut -d' ' -f12) slots 4 '"
sed -i 's/^nfsv4.1 slots per session = 4$/nfsv4.1 slots per session = 8/' "$SUITE_CONF"
check "nfsd reloads with the slots as they were" suite_ctl reload nfsd

NFSD=$(suite_pid nfsd)
check "nfsd survived it all" test "$(suite_pid nfsd)" = "$NFSD"

# [nfsd] nfsv4.1 = no at a reload: minor version 1 is refused.
sed -i "s/^mount port = $M\$/&\nnfsv4.1 = no/" "$SUITE_CONF"
check "nfsd reloads" suite_ctl reload nfsd
check "nfsv4.1 = no: minor version 1 is MINOR_VERS_MISMATCH" test "$(PROBE minor 1)" = "STATUS 10021"
check "and minor version 0 is served" test "$(PROBE minor 0)" = "STATUS 0"

suite_stop
tap_done
