#!/bin/bash
# Integration: NFSv4.0 from dittofs-nfsd on the NFS port, in a private
# network namespace: libnfs-utils with version=4 (nfs-ls, nfs-cp both
# ways with the content compared, nfs-cat), and tests/clients/nfs4probe.py
# for what libnfs cannot send: the pseudo file system (PUTROOTFH, LOOKUP
# down to a share, its fsid and mounted_on_fileid), minor version 2 (4.1 is test_nfs41.sh's),
# an op after a failing op, an unknown op, a share whose clients exclude
# us refused at the crossing, SECINFO, the state ops (SETCLIENTID,
# OPEN with a retransmitted seqid, OPEN_CONFIRM, WRITE, READ, CLOSE),
# a v4 lock against an NLM lock both ways, and kill -9 of nfsd between
# OPEN and WRITE with the same stateid working after the restart.  Also:
# shares nested in another's path reached as junctions, a retransmitted
# GUARDED4/EXCLUSIVE4 OPEN answered from stated's kept result, nfsd's
# stateid cache (no ST_V4_CHECK for repeated READs, a revoked client's
# stateid refused), GETATTR/LOOKUP/ACCESS from the caches with the change
# attribute right, READ through the file-data reply (read path =
# sendfile), and the [nfsd] nfsv4 keys (ops and tag limits at a reload,
# nfsv4 = no at a restart).
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

[share private]
path = /private
clients = 127.0.0.2
root squash = no
insecure = yes

[share deep]
path = /a/b/deep
root squash = no
insecure = yes

[share inner]
path = /export/in
root squash = no
insecure = yes

[share innerdeep]
path = /export/x/y
root squash = no
insecure = yes

[share secret]
path = /export/secret
clients = 127.0.0.2
root squash = no
insecure = yes

[nfsd]
port = $P
mount port = $M

[run]
restart delay max = 2
CONF
PROBE4() { PYTHONPATH="$ONCRPC_PYTHONPATH" python3 "$top_srcdir/tests/clients/nfs4probe.py" "$P" "$@"; }
NLMC=$(cd "$top_builddir" && pwd)/tests/clients/nlm-client
Q="?version=4&nfsport=$P"
URL=nfs://127.0.0.1

RPCBIND_PID=
if command -v rpcbind >/dev/null; then
	rpcbind -f &
	RPCBIND_PID=$!
	suite_wait 10 sh -c "rpcinfo -p 127.0.0.1" || diag "rpcbind did not start"
fi
stop_rpcbind() { [ -n "$RPCBIND_PID" ] && kill "$RPCBIND_PID" 2>/dev/null; }
trap 'stop_rpcbind; suite_cleanup' EXIT

suite_start
check "blockd, stated and nfsd come up" suite_wait_ready blockd stated nfsd
check "nfsd answers an NFSv4 COMPOUND" suite_wait 10 sh -c "PYTHONPATH=$ONCRPC_PYTHONPATH python3 $top_srcdir/tests/clients/nfs4probe.py $P minor 0 | grep -q 'STATUS 0'"

# The pseudo fs: / and /a and /a/b are pseudo directories; deep is a share.
root=$(PROBE4 path /)
diag "/: $root"
a=$(PROBE4 path /a/b)
diag "/a/b: $a"
deep=$(PROBE4 path /a/b/deep)
diag "/a/b/deep: $deep"
exp=$(PROBE4 path /export)
diag "/export: $exp"
field() { echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }
check "PUTROOTFH: a directory" test "$(field "$root" type)" = 2
check "LOOKUP through the pseudo fs: /a/b is a directory" test "$(field "$a" type)" = 2
check "LOOKUP into the share /a/b/deep" test "$(field "$deep" type)" = 2
check "the share's fsid is not the pseudo fs's" test "$(field "$deep" fsid)" != "$(field "$a" fsid)"
check "two shares have two fsids" test "$(field "$deep" fsid)" != "$(field "$exp" fsid)"
check "mounted_on_fileid of a share's root is not its fileid" test "$(field "$deep" mounted_on)" != "$(field "$deep" fileid)"

# A share nested in another's path: a junction at its name, with its
# own fsid and rules, and LOOKUPP back out.
inner=$(PROBE4 path /export/in)
diag "/export/in: $inner"
check "LOOKUP from a share into a share nested in it (/export/in)" test "$(field "$inner" type)" = 2
check "the nested share has its own fsid" test "$(field "$inner" fsid)" != "$(field "$exp" fsid)" -a -n "$(field "$inner" fsid)"
check "its root is the nested share's (PUTFH of it gives the same fsid)" test "$(PROBE4 fhpath "$(field "$inner" fh)" | cut -d' ' -f1-6)" = "$(echo "$inner" | cut -d' ' -f1-6)"
check "LOOKUPP from the nested share's root: the outer share's root" test "$(field "$(PROBE4 path /export/in/..)" fileid)" = "$(field "$exp" fileid)"
check "a nested share two levels down (/export/x/y) through its parent" test "$(PROBE4 path /export/x/y | cut -d' ' -f1-2)" = "OK type"
xy=$(PROBE4 path /export/x/y)
check "... whose root is its own share's (fsid)" test "$(field "$xy" fsid)" != "$(field "$exp" fsid)" -a -n "$(field "$xy" fsid)"
check "a nested share whose clients exclude us: refused at the crossing" test "$(PROBE4 path /export/secret)" = "ERR 13"
check "SECINFO of a nested share's name: its flavours" test "$(PROBE4 secinfo /export in)" = "STATUS 0 FLAVORS 1 0"
check "SECINFO of a nested share that excludes us: refused" test "$(PROBE4 secinfo /export secret | cut -d' ' -f1-2)" = "STATUS 13"
mk=$(PROBE4 mkdir /export x)
diag "mkdir: $mk"
check "a real directory x in /export" test "$(echo "$mk" | cut -d' ' -f1-2)" = "MKDIR 0"
check "/export/x/y through the real directory: the nested share" test "$(field "$(PROBE4 path /export/x/y)" fsid)" = "$(field "$xy" fsid)"
check "PUTFH of that directory, LOOKUP y: the nested share (a kernel client's way)" test "$(field "$(PROBE4 fhpath "$(field "$mk" fh)" y)" fsid)" = "$(field "$xy" fsid)"
check "LOOKUP of a name the pseudo fs lacks: NOENT" test "$(PROBE4 path /a/nope)" = "ERR 2"
check "minor version 2 (not served): MINOR_VERS_MISMATCH, no results" test "$(PROBE4 minor 2)" = "STATUS 10021 RESULTS 0"
check "an op after a failing op is not run" test "$(PROBE4 afterfail)" = "STATUS 2 RESULTS 2"
check "an unknown op: OP_ILLEGAL" test "$(PROBE4 illegal)" = "STATUS 10044 RESULTS 2 OP 10044"
check "a share whose clients exclude us: refused at the crossing" test "$(PROBE4 path /private)" = "ERR 13"
check "SECINFO of a share: AUTH_SYS, AUTH_NONE" test "$(PROBE4 secinfo / export)" = "STATUS 0 FLAVORS 1 0"
check "CREATE a directory, RENAME (SAVEFH), REMOVE, then it is gone" test "$(PROBE4 dirops /export)" = "CREATE 0 RENAME 0 REMOVE 0 LOOKUP 2"
check "CREATE in the pseudo fs: ROFS" test "$(PROBE4 dirops /a | cut -d' ' -f1-2)" = "CREATE 30"

# libnfs over NFSv4.0.
head -c 3000 /dev/urandom > "$SUITE_DIR/small.in"
check "nfs-cp to the server (v4)" timeout 30 nfs-cp "$SUITE_DIR/small.in" "$URL/export/small$Q"
check "nfs-ls lists it (v4)" sh -c "timeout 30 nfs-ls '$URL/export$Q' | grep -q small"
check "nfs-cp from the server (v4)" timeout 30 nfs-cp "$URL/export/small$Q" "$SUITE_DIR/small.out"
check "content is the same both ways" cmp "$SUITE_DIR/small.in" "$SUITE_DIR/small.out"
check "nfs-cat (v4)" sh -c "timeout 30 nfs-cat '$URL/export/small$Q' | cmp - '$SUITE_DIR/small.in'"
check "nfs-ls of the pseudo root lists the shares" sh -c "timeout 30 nfs-ls '$URL/$Q' | grep -q export"

# State: SETCLIENTID, OPEN (again with the same seqid), OPEN_CONFIRM,
# WRITE, READ, CLOSE.
ST=$SUITE_DIR/v4state.json
check "OPEN, and the retransmitted OPEN gets the same stateid" test "$(PROBE4 open "$ST" /export/v4file)" = "OPEN ok REPLAY same"
# RFC 7530 9.1.7, 16.16.5: a GUARDED4 or EXCLUSIVE4 create whose reply
# was lost, sent again with the same seqid: the kept result, not EXIST.
check "GUARDED4 OPEN retransmitted: the kept stateid and file, not EXIST" test "$(PROBE4 openhow "$SUITE_DIR/guarded.json" /export/v4guarded guarded)" = "OPEN ok REPLAY same FH same"
check "EXCLUSIVE4 OPEN retransmitted, then the same verifier again: ok" test "$(PROBE4 openhow "$SUITE_DIR/excl.json" /export/v4excl exclusive)" = "OPEN ok REPLAY same FH same AGAIN ok"
check "a new GUARDED4 OPEN of an existing name is still EXIST" test "$(PROBE4 openhow "$SUITE_DIR/guarded2.json" /export/v4guarded guarded)" = "ERR 17"
check "WRITE and READ with the open's stateid" test "$(PROBE4 write "$ST" hello-v4)" = "READ hello-v4"
# READ's data read into the reply itself (read path = pread): its
# length, padding and eof, with an op after it.
check "READ of 3 bytes at 2" test "$(PROBE4 readat "$ST" 2 3)" = "READ eof 0 len 3 llo NEXT 0"
check "READ past the end: the rest, eof" test "$(PROBE4 readat "$ST" 6 100)" = "READ eof 1 len 2 v4 NEXT 0"
check "READ beyond the end: nothing, eof" test "$(PROBE4 readat "$ST" 20 10)" = "READ eof 1 len 0  NEXT 0"
# Stable WRITE and COMMIT: synced off nfsd's event loop (common/syncer.c,
# counted in its status as for NFSv3), and the data in the store's file.
syncs() { suite_ctl status nfsd 2>/dev/null | sed -n 's/.*syncs \([0-9]*\) off the loop.*/\1/p'; }
S0=$(syncs)
check "WRITE FILE_SYNC answers, READ sees the data" test "$(PROBE4 write "$ST" filesync-v4)" = "READ filesync-v4"
S1=$(syncs)
check "the FILE_SYNC WRITE was synced off the loop ($S0 -> $S1)" test "${S1:-0}" -gt "${S0:-0}"
check "WRITE UNSTABLE + COMMIT answer with one verifier" test "$(PROBE4 commit "$ST" committed-v4)" = "COMMIT ok same"
S2=$(syncs)
check "the COMMIT was synced off the loop ($S1 -> $S2)" test "${S2:-0}" -gt "${S1:-0}"
check "the committed data is in the store's backing file" grep -rqs committed-v4 "$SUITE_DIR/state"

# Per-op counters in nfsd's status: one WRITE and one COMMIT more, and
# PUTFH counted once per COMPOUND that sent it.
v4op() { suite_ctl status nfsd 2>/dev/null | sed -n "s/.*NFSv4 ops:.* $1 \([0-9]*\).*/\1/p"; }
W0=$(v4op WRITE) C0=$(v4op COMMIT) P0=$(v4op PUTFH)
diag "$(suite_ctl status nfsd 2>/dev/null | grep -o 'NFSv4 ops:.*')"
PROBE4 commit "$ST" counted-v4 >/dev/null
W1=$(v4op WRITE) C1=$(v4op COMMIT) P1=$(v4op PUTFH)
check "status counts NFSv4 WRITE ops ($W0 -> $W1)" test "${W1:-0}" -eq $((${W0:-0} + 1))
check "status counts NFSv4 COMMIT ops ($C0 -> $C1)" test "${C1:-0}" -eq $((${C0:-0} + 1))
check "status counts NFSv4 PUTFH ops ($P0 -> $P1)" test "${P1:-0}" -eq $((${P0:-0} + 1))
check "WRITE with a made-up stateid: BAD_STATEID" test "$(PROBE4 badstateid "$ST")" = "ERR 10025"
check "SETATTR of the size with the open's stateid" test "$(PROBE4 truncate "$ST" 5)" = "SIZE 5"
check "SETATTR of an acl, GETATTR reads the store's ACL back" test "$(PROBE4 acl "$ST")" = "ACL OWNER@:0:1001a7 EVERYONE@:0:100081"
check "SETATTR of the size with a made-up stateid: BAD_STATEID" test "$(PROBE4 truncate "$ST" 2 bad)" = "ERR 10025"

# nfsd's stateid cache: READs with a stateid stated validated once ask
# it nothing more; a revoked client's stateid is refused at the next
# READ (stated pushes ST_PUSH_REVOKED to nfsd).
ST3=$SUITE_DIR/v4cache.json
check "OPEN for the stateid cache" test "$(PROBE4 open "$ST3" /export/v4cache | cut -d' ' -f1-2)" = "OPEN ok"
check "WRITE and READ once" test "$(PROBE4 write "$ST3" cached-v4)" = "READ cached-v4"
sidstat() { suite_ctl status nfsd 2>/dev/null | sed -n "s/.*NFSv4 stateids: \([0-9]*\) checked by stated, \([0-9]*\) from the cache.*/\\$1/p"; }
K0=$(sidstat 1) H0=$(sidstat 2)
check "20 READs with the open's stateid" test "$(PROBE4 reads "$ST3" 20)" = "READS 20 ok"
K1=$(sidstat 1) H1=$(sidstat 2)
diag "stateids checked by stated $K0 -> $K1, from the cache $H0 -> $H1"
check "no ST_V4_CHECK to stated for them" test -n "$K1" -a "$K1" = "$K0"
check "all 20 answered from nfsd's stateid cache" test "$((${H1:-0} - ${H0:-0}))" -eq 20
# GETATTR, LOOKUP and ACCESS answered from nfsd's caches (the handle
# cache's current attributes, the name cache, the mode's access), as
# NFSv3's are: no LOOKUP, GETATTR or ACCESS to blockd once warm, and the
# change attribute still moves with a WRITE through nfsd's fd.
bdn() { suite_ctl status nfsd 2>/dev/null | sed -n 's/.*to blockd: \(.*\); NFSv3 calls.*/\1/p' | tr ',' '\n' | awk -v k="$1" '$1 == k { print $2 }'; }
field4() { echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }
m0=$(PROBE4 meta /export/v4cache 1)
BL0=$(bdn lookup) BG0=$(bdn getattr) BA0=$(bdn access)
m1=$(PROBE4 meta /export/v4cache 10)
BL1=$(bdn lookup) BG1=$(bdn getattr) BA1=$(bdn access)
diag "meta: $m0 / $m1; blockd lookup $BL0 -> $BL1, getattr $BG0 -> $BG1, access $BA0 -> $BA1"
check "10 x LOOKUP, ACCESS, GETATTR of a file answered" test "$(echo "$m1" | cut -d' ' -f1-3)" = "META 10 ok"
check "no LOOKUP to blockd for them" test -n "$BL1" -a "${BL1:-x}" = "${BL0:-y}"
check "no GETATTR to blockd for them" test "${BG1:-0}" = "${BG0:-0}"
check "no ACCESS to blockd for them" test "${BA1:-0}" = "${BA0:-0}"
check "the same access and change as blockd's first answer" test "$(field4 "$m1" access)/$(field4 "$m1" change)" = "$(field4 "$m0" access)/$(field4 "$m0" change)"
PROBE4 write "$ST3" change-moves-v4 >/dev/null
m2=$(PROBE4 meta /export/v4cache 1)
check "a WRITE moves the change attribute the cache answers" test "$(field4 "$m2" change)" != "$(field4 "$m1" change)" -a "$(field4 "$m2" size)" = 15

# READDIR from nfsd's directory cache (dircache.c, NFSv3's), with each
# entry's attributes from the handle cache: no BD_READDIR while nothing
# changed, in one READDIR or several (a small maxcount); a file made
# through NFSv3 or by another v4 client, and a REMOVE, show in the next
# listing (blockd's notes drop the listing).
check "a directory for the listings" test "$(PROBE4 mkdir /export rd | cut -d' ' -f1-2)" = "MKDIR 0"
for f in a b c; do PROBE4 v3create /export/rd "$f" >/dev/null; done
check "READDIR lists what NFSv3 made" test "$(PROBE4 readdir /export/rd 1)" = "READDIR 1 ok entries 3 names a,b,c calls 1"
RD0=$(bdn readdir)
check "10 READDIRs of it answered" test "$(PROBE4 readdir /export/rd 10)" = "READDIR 10 ok entries 3 names a,b,c calls 10"
RD1=$(bdn readdir)
check "at most one BD_READDIR for them (${RD0:-0} -> ${RD1:-0})" test "$((${RD1:-0} - ${RD0:-0}))" -le 1
rl=$(PROBE4 readdir /export/rd 5 150)
check "listings of two READDIRs each (maxcount 150): $rl" test "$rl" = "READDIR 5 ok entries 3 names a,b,c calls 10"
RD2=$(bdn readdir)
check "... at most one BD_READDIR for the 10 (${RD1:-0} -> ${RD2:-0})" test "$((${RD2:-0} - ${RD1:-0}))" -le 1
check "an NFSv3 CREATE in it" test "$(PROBE4 v3create /export/rd v3new)" = "V3CREATE 0"
check "... is in the next v4 READDIR" test "$(PROBE4 readdir /export/rd 1)" = "READDIR 1 ok entries 4 names a,b,c,v3new calls 1"
check "another v4 client's OPEN create in it" test "$(PROBE4 open "$SUITE_DIR/rd.json" /export/rd/v4new | cut -d' ' -f1-2)" = "OPEN ok"
check "... is in the next READDIR" test "$(PROBE4 readdir /export/rd 1)" = "READDIR 1 ok entries 5 names a,b,c,v3new,v4new calls 1"
check "a v4 REMOVE of a" test "$(PROBE4 remove /export/rd a)" = "REMOVE 0"
check "... is gone from the next READDIR" test "$(PROBE4 readdir /export/rd 1)" = "READDIR 1 ok entries 4 names b,c,v3new,v4new calls 1"

# OPEN of an existing name from the caches: the name from the name
# cache, the access from the cached mode (common/perm.h's rule), so an
# OPEN + CLOSE is one call to stated each and nothing to blockd.  A
# chmod that takes the access away, or a REMOVE, holds at the next OPEN.
check "OPEN + CLOSE of b" test "$(PROBE4 opens /export/rd/b 1)" = "OPENS 1 ok"
OL0=$(bdn lookup) OA0=$(bdn access)
check "10 x OPEN + CLOSE of b" test "$(PROBE4 opens /export/rd/b 10)" = "OPENS 10 ok"
OL1=$(bdn lookup) OA1=$(bdn access)
check "no BD_LOOKUP for those OPENs (${OL0:-0} -> ${OL1:-0})" test "${OL1:-0}" = "${OL0:-0}"
check "no BD_ACCESS for those OPENs (${OA0:-0} -> ${OA1:-0})" test "${OA1:-0}" = "${OA0:-0}"
check "an NFSv3 file p, mode 0644" test "$(PROBE4 v3create /export/rd p)" = "V3CREATE 0"
check "uid 1000 OPENs p for reading" test "$(PROBE4 opens /export/rd/p 3 1000)" = "OPENS 3 ok"
check "chmod 0600 of p" test "$(PROBE4 chmod /export/rd/p 600)" = "CHMOD 0"
check "uid 1000's next OPEN of p: ACCESS" test "$(PROBE4 opens /export/rd/p 1 1000)" = "ERR 13"
check "uid 1000 may not OPEN b for writing (0644)" test "$(PROBE4 opens /export/rd/b 1 1000 2)" = "ERR 13"
check "OPEN of c" test "$(PROBE4 opens /export/rd/c 2)" = "OPENS 2 ok"
check "an NFSv3 REMOVE of c" test "$(PROBE4 v3remove /export/rd c)" = "V3REMOVE 0"
check "the next OPEN of c: NOENT" test "$(PROBE4 opens /export/rd/c 1)" = "ERR 2"

CID=$(python3 -c "import json; print('%x' % json.load(open('$ST3'))['clientid'])")
check "dittofsctl v4 revoke of that client" suite_ctl v4 revoke "$CID"
check "the next READ with its stateid: ADMIN_REVOKED" test "$(PROBE4 reads "$ST3" 1)" = "ERR 10047"
check "the anonymous stateid still READs (special stateids keep their rules)" test "$(PROBE4 anonread "$ST3")" = "READ change-moves-v4"

# A v4 lock against NLM, both ways (nlm-client plays a v3 client).
FH=$(python3 -c "import json; print(json.load(open('$ST'))['fh'])")
check "v4 LOCK 0-100" test "$(PROBE4 lock "$ST" 0 100)" = "LOCK ok"
check "an NLM lock on the same range is denied" sh -c "'$NLMC' -T tcp -x lock $FH 0 100 | grep -q denied"
check "v4 LOCKU" test "$(PROBE4 locku "$ST" 0 100)" = "LOCKU ok"
check "an NLM lock, now free, is granted" sh -c "'$NLMC' -T tcp -x lock $FH 200 100 | grep -q granted"
check "v4 LOCKT over the NLM lock: denied" test "$(PROBE4 lockt "$ST" 250 10)" = "LOCKT denied"
check "v4 LOCK over the NLM lock: denied" test "$(PROBE4 lock "$ST" 200 10)" = "LOCK denied"

# Random ops with random arguments: answered, nfsd still the same process.
NFSD=$(suite_pid nfsd)
g=$(PROBE4 garbage 300 7)
diag "random COMPOUNDs: $g"
check "300 COMPOUNDs of random ops are all answered" test "$g" = "SENT 300 ANSWERED 300"
check "nfsd survived them" test "$(suite_pid nfsd)" = "$NFSD"

# kill -9 of nfsd between OPEN and WRITE: the same stateid afterwards.
ST2=$SUITE_DIR/v4state2.json
check "OPEN before the kill" test "$(PROBE4 open "$ST2" /export/v4kill | cut -d' ' -f1-2)" = "OPEN ok"
NFSD=$(suite_pid nfsd)
kill -KILL "$NFSD"
restarted() { local p; p=$(suite_pid "$1"); [ -n "$p" ] && [ "$p" != "$2" ]; }
check "nfsd restarted after kill -9" suite_wait 20 restarted nfsd "$NFSD"
check "the same stateid WRITEs and READs after the restart" suite_wait 20 sh -c "test \"\$(PYTHONPATH=$ONCRPC_PYTHONPATH python3 $top_srcdir/tests/clients/nfs4probe.py $P write $ST2 after-kill)\" = 'READ after-kill'"
check "CLOSE after the restart" test "$(PROBE4 close "$ST2")" = "CLOSE ok"

# READ as the last op of its COMPOUND through rpcsvc's file-data reply
# (read path = sendfile, as NFSv3's READ): nfsd restarted with it.
sed -i "s/^mount port = $M\$/&\nread path = sendfile/" "$SUITE_CONF"
NFSD=$(suite_pid nfsd)
kill -KILL "$NFSD"
check "nfsd restarted with read path = sendfile" suite_wait 20 restarted nfsd "$NFSD"
rfile() { suite_ctl status nfsd 2>/dev/null | sed -n 's/.*NFSv4 READs with file data \([0-9]*\).*/\1/p'; }
ST4=$SUITE_DIR/v4sendfile.json
check "OPEN (sendfile)" suite_wait 20 sh -c "PYTHONPATH=$ONCRPC_PYTHONPATH python3 $top_srcdir/tests/clients/nfs4probe.py $P open $ST4 /export/v4sendfile | grep -q 'OPEN ok'"
R0=$(rfile)
check "WRITE, then READ last in the COMPOUND: the data, padded" test "$(PROBE4 write "$ST4" sendfile-v4)" = "READ sendfile-v4"
check "nfs-cat (v4) of 3000 bytes through the file reply" sh -c "timeout 30 nfs-cat '$URL/export/small$Q' | cmp - '$SUITE_DIR/small.in'"
R1=$(rfile)
check "those READs went through the file-data reply ($R0 -> $R1)" test "${R1:-0}" -ge "$((${R0:-0} + 2))"
check "a READ with an op after it still answers" test "$(PROBE4 readmid "$ST4")" = "READ sendfile-v4 NEXT 0"

# [nfsd] nfsv4 compound ops max and nfsv4 tag max, at a reload; then
# nfsv4 = no at a restart: a v4 call gets PROG_MISMATCH 3..3.
check "a COMPOUND of 10 ops runs (default max 128)" test "$(PROBE4 ops 10)" = "STATUS 0 RESULTS 10"
check "a tag of 9 bytes is fine (default max 256)" test "$(PROBE4 ops 2 ninebytes)" = "STATUS 0 RESULTS 2"
sed -i "s/^mount port = $M\$/&\nnfsv4 compound ops max = 8\nnfsv4 tag max = 4/" "$SUITE_CONF"
check "nfsd reloads" suite_ctl reload nfsd
check "a COMPOUND of 10 ops with max 8: RESOURCE at the 9th" test "$(PROBE4 ops 10)" = "STATUS 10018 RESULTS 9"
check "8 ops still run" test "$(PROBE4 ops 8)" = "STATUS 0 RESULTS 8"
check "a tag of 9 bytes with max 4: RESOURCE, no op run" test "$(PROBE4 ops 2 ninebytes)" = "STATUS 10018 RESULTS 0"
check "NFSv4 NULL answers while nfsv4 = yes" test "$(PROBE4 null)" = "OK"
sed -i "s/^mount port = $M\$/&\nnfsv4 = no/" "$SUITE_CONF"
NFSD=$(suite_pid nfsd)
kill -KILL "$NFSD"
check "nfsd restarted with nfsv4 = no" suite_wait 20 restarted nfsd "$NFSD"
check "a v4 call: PROG_MISMATCH 3..3" suite_wait 20 sh -c "test \"\$(PYTHONPATH=$ONCRPC_PYTHONPATH python3 $top_srcdir/tests/clients/nfs4probe.py $P null)\" = 'PROG_MISMATCH 3 3'"

suite_stop
tap_done
