# Guest side of tests/e2e/test_cross_kernel.sh: one share through an
# NFSv4.1 mount ($E2E_MNT0) and a cifs mount ($E2E_MNT1) in one boot.
# Each step prints "ok: NAME" or "FAIL: NAME"; lock-helper's lines are
# passed on.
N=$E2E_MNT0
S=$E2E_MNT1
t() {
	name=$1
	shift
	if "$@"; then echo "ok: $name"; else echo "FAIL: $name"; fi
}
sum() { sha256sum "$1" | cut -d' ' -f1; }

# Content, both ways, 4 MiB each.
e2e-helper gen 7 4194304 > /e2e/work/a
e2e-helper gen 8 4194304 > /e2e/work/b
cp /e2e/work/a "$N/x1"
# With a write delegation the client's close only starts its writes,
# and a recall may see it return the delegation before they all landed
# (they go on under its open): sync, as an application that needs its
# data on the server would.  The appends below meet the recall itself.
sync
cp "$S/x1" /e2e/work/a.smb
t "written over NFS, read over SMB" test "$(sum /e2e/work/a.smb)" = "$(sum /e2e/work/a)"
echo "x1 read over SMB: $(stat -c %s /e2e/work/a.smb) bytes, first difference: $(cmp /e2e/work/a /e2e/work/a.smb 2>&1 | head -1)"
cp /e2e/work/b "$S/x2"
t "written over SMB, read over NFS" test "$(sum "$N/x2")" = "$(sum /e2e/work/b)"
# One file, appended through each in turn.
printf 'one\n' > "$N/x3"
printf 'two\n' >> "$S/x3"
printf 'three\n' >> "$N/x3"
t "appends through both, read over SMB" test "$(cat "$S/x3")" = "$(printf 'one\ntwo\nthree')"
t "and over NFS" test "$(cat "$N/x3")" = "$(printf 'one\ntwo\nthree')"
echo "x1: $(stat -c %s "$N/x1") bytes over NFS, $(stat -c %s "$S/x1") over SMB"
echo "x3 over SMB: $(od -c "$S/x3" | head -3 | tr '\n' '|')"
echo "x3 over NFS: $(od -c "$N/x3" | head -3 | tr '\n' '|')"

# Byte-range locks: an SMB lock (cifs sends SMB2 LOCK) holds off an
# NFSv4.1 LOCK of an overlapping range, not of another range; and the
# other way round.
: > "$N/lk"
# across HOLDER OTHER H O TAG: H (through HOLDER) holds bytes 0-99 for
# at most 12 s, meanwhile O (through OTHER) tries 50-59 and 200-209.
across() {
	lock-helper hold fcntl "$1/lk" 0 100 "$1/lk" 4000 12 > /e2e/work/h$5 2>&1 &
	H=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q LOCKED /e2e/work/h$5; do
		sleep 0.2
		i=$((i + 1))
	done
	t "$3 holds bytes 0-99" grep -q LOCKED /e2e/work/h$5
	lock-helper try fcntl "$2/lk" 50 10 > /e2e/work/t$5a 2>&1
	t "$4 lock of bytes 50-59: denied" grep -q DENIED /e2e/work/t$5a
	lock-helper try fcntl "$2/lk" 200 10 > /e2e/work/t$5b 2>&1
	t "$4 lock of bytes 200-209: granted" grep -q GRANTED /e2e/work/t$5b
	wait $H
	cat /e2e/work/h$5 /e2e/work/t$5a /e2e/work/t$5b | sed 's/^/lock: /'
}
across "$S" "$N" SMB NFS 1
across "$N" "$S" NFS SMB 2

# A lease broken by an NFS write: cifs reads the file under a lease
# (its cache), NFS writes it, and cifs reads the new bytes.
printf 'AAAAAAAA' > "$S/ls"
cat "$S/ls" > /dev/null
echo "MARK before the NFS write"
printf 'BBBBBBBB' > "$N/ls"
t "SMB reads what NFS wrote over its cached copy" test "$(cat "$S/ls")" = BBBBBBBB
t "and NFS reads it too" test "$(cat "$N/ls")" = BBBBBBBB
