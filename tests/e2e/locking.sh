# tests/e2e/locking.sh: what the guest locking tests share
# (test_locking_kernel.sh, NLM over an NFSv3 mount; test_nfs4_locking_kernel.sh,
# NFSv4.0 locks against NLM).  Sourced after tap.sh and integration/lib.sh.
#
# Topology: the server, its rpcbind and QEMU run in a private network
# namespace (tests/e2e/in-netns).  The guest is attached to a tap device
# there (guest-run --net tap=...), not to slirp: lockd calls the client
# back (GRANTED) through the rpcbind at the client's address, and through
# slirp that address is 127.0.0.1, i.e. our own rpcbind, where lockd
# itself is registered for NLM.  On the tap the guest is 10.0.2.15 and
# runs its own rpcbind and rpc.statd (Debian's, copied in with their
# shared libraries), which the kernel client needs to lock over NLM.
#
# The host and guest take turns through the lock server itself: the guest
# holds a lock until the host locks a byte of a "baton" file (the guest
# polls it with F_GETLK; tests/e2e/lock-helper.c), and the host follows
# the guest's live output.  Every wait is bounded.
#
# Use: locking_setup (skips the whole test when something is missing),
# write the guest's script after locking_guest_prologue's lines, then
# locking_guest_start SCRIPT SECS and locking_guest_mounted.

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# locking_setup: the network namespace, the tap device, the suite's
# configuration (nfsd on 2049/20048, lockd at debug), the host's NLM
# client, the static lock-helper, the guest's files and the host's
# rpcbind.  Sets TAP, NLMC, HELPER, GFILES, GOUT, RPCBIND.
locking_setup() {
	suite_need_root
	[ "${DITTOFS_E2E:-yes}" = no ] &&
	    skip_all "end-to-end tests turned off (configure --disable-e2e)"
	suite_in_netns "$0" "$@"
	. "$top_srcdir/tests/e2e/lib.sh"
	local tool
	for tool in qemu-system-x86_64 rpcbind rpcinfo rpc.statd flock ldd ip; do
		command -v $tool >/dev/null ||
		    skip_all "$tool not installed (see deps/e2e-locking.list)"
	done
	[ -c /dev/net/tun ] || skip_all "no /dev/net/tun for the guest's tap device"
	TAP=dfslk0
	ip tuntap add dev $TAP mode tap 2>/dev/null ||
	    skip_all "cannot create a tap device in the namespace"
	ip addr add 10.0.2.2/24 dev $TAP && ip link set $TAP up ||
	    skip_all "cannot configure the tap device"

	suite_users
	# lib.sh's [share export] is the last section: the first keys join it.
	SUITE_WITH=nfsd
	suite_setup
	cat >> "$SUITE_CONF" <<CONF
root squash = no

[nfsd]
port = 2049
mount port = 20048
rpcbind = no

[lockd]
log level = debug

[run]
restart delay = 0
CONF

	NLMC=$(cd "$top_builddir" && pwd)/tests/clients/nlm-client
	[ -x "$NLMC" ] || skip_all "tests/clients/nlm-client not built"
	HELPER=$SUITE_DIR/lock-helper
	if ! ${CC:-cc} -std=c11 -O2 -static -o "$HELPER" \
	    "$top_srcdir/tests/e2e/lock-helper.c" 2>"$SUITE_DIR/cc.err"; then
		skip_all "cannot build a static lock-helper: $(head -1 "$SUITE_DIR/cc.err")"
	fi
	locking_guest_files
	GOUT=$SUITE_DIR/guest.out

	rpcbind -f >"$SUITE_DIR/rpcbind.log" 2>&1 &
	RPCBIND=$!
	GUEST=
	trap locking_cleanup EXIT
	suite_wait 5 rpcinfo -p 127.0.0.1 || skip_all "rpcbind does not start"
}

# The guest's rpcbind, rpc.statd and util-linux flock: the binaries, the
# shared libraries ldd names and the loader, a few files from /etc.
locking_guest_files() {
	local getc=$SUITE_DIR/guest-etc f b lib
	GFILES=()
	mkdir -p "$getc"
	printf 'root:x:0:0:root:/root:/bin/sh\n_rpc:x:102:65534::/run/rpcbind:/bin/false\nstatd:x:103:65534::/var/lib/nfs:/bin/false\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$getc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$getc/group"
	printf 'passwd: files\ngroup: files\nhosts: files\nservices: files\nprotocols: files\nrpc: files\n' >"$getc/nsswitch.conf"
	printf '127.0.0.1 localhost\n10.0.2.15 dittofs-e2e-guest\n10.0.2.2 dittofs-e2e-server\n' >"$getc/hosts"
	for f in passwd group nsswitch.conf hosts; do
		GFILES+=(--file "$getc/$f:/etc/$f")
	done
	for f in /etc/netconfig /etc/services /etc/protocols /etc/rpc; do
		[ -r $f ] && GFILES+=(--file "$f:$f")
	done
	for b in "$(command -v rpcbind)" "$(command -v rpc.statd)" \
	    "$(command -v rpcinfo)" "$(command -v flock)"; do
		GFILES+=(--file "$b:/usr/sbin/${b##*/}")
		for lib in $(ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
			case " ${GFILES[*]} " in
			*" $lib:$lib "*) ;;
			*) GFILES+=(--file "$lib:$lib") ;;
			esac
		done
	done
}

locking_cleanup() {
	[ -z "$GUEST" ] || kill -TERM "$GUEST" 2>/dev/null
	[ -z "$GUEST" ] || wait "$GUEST" 2>/dev/null
	e2e_kill_pid "$RPCBIND"
	ip link del $TAP 2>/dev/null
	suite_cleanup
}

# nlmc ARGS: the host's NLM client, host "dittofs-host", svid 11.
nlmc() { "$NLMC" -s 127.0.0.1 -H dittofs-host -p 11 "$@" 2>&1; }
# nlmc_says ANSWER OP ARGS: the host's exclusive OP (lock, test) is
# answered ANSWER ("LOCK granted", "TEST denied", ...).  An answer
# denied_grace_period is a delegation being recalled (the guest's v4.0
# mount may hold one of the file, and its locks then live in the guest
# until it gives the delegation back): asked again each second, as
# Linux's lockd does, up to 30 times.
nlmc_says() {
	local want=$1 i=0 out=
	shift
	while :; do
		out=$(nlmc -x "$@")
		case $out in *denied_grace_period*) ;; *) break ;; esac
		[ $i -lt 30 ] || break
		sleep 1
		i=$((i + 1))
	done
	case "$out " in "$want "*) return 0 ;; esac
	echo "# last answer: $out"
	return 1
}
# locking_fh NAME: the file handle of a file in the export, from blockd.
locking_fh() { "$NLMC" fh -b "$SUITE_DIR/run/blockd.sock" -S export -n "$1"; }
# wait_guest PATTERN SECS: the guest printed a line matching PATTERN
# (grep -E) within SECS seconds, while the guest still runs.
wait_guest() {
	local deadline=$((SECONDS + $2))
	while [ $SECONDS -lt $deadline ]; do
		grep -qE -- "$1" "$GOUT" 2>/dev/null && return 0
		kill -0 "$GUEST" 2>/dev/null || { grep -qE -- "$1" "$GOUT"; return; }
		sleep 0.2
	done
	return 1
}
# guest_said PATTERN: the guest printed it (so far).
guest_said() { grep -qE -- "$1" "$GOUT"; }
locks_show() { suite_ctl locks 2>&1 | grep -E -- "$1"; }
locks_has() { suite_ctl locks 2>&1 | grep -qE -- "$1"; }
# restarted DAEMON OLDPID: dittofs-run runs a new DAEMON.
restarted() {
	local p
	p=$(suite_pid "$1")
	[ -n "$p" ] && [ "$p" != "$2" ]
}

# locking_guest_prologue: the first lines of the guest's script: its
# rpcbind and rpc.statd (the kernel's NLM client needs both: lockd
# registers with rpcbind at mount time; SM_MON goes to statd), a
# "GUEST daemons up" line, and t() that prints "ok: CMD" or "FAIL(rc): CMD".
locking_guest_prologue() {
	cat <<'GUEST'
set -u
hostname dittofs-e2e-guest
mkdir -p /run/rpcbind /var/lib/nfs/sm /var/lib/nfs/sm.bak /var/run
chown _rpc /run/rpcbind
rpcbind -f > /e2e/work/rpcbind.log 2>&1 &
i=0
until rpcinfo -p 127.0.0.1 >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "no rpcbind in the guest"; cat /e2e/work/rpcbind.log; exit 1; }
	sleep 0.2
done
rpc.statd -F -d --no-notify > /e2e/work/statd.log 2>&1 &
i=0
until rpcinfo -p 127.0.0.1 2>/dev/null | grep -q status; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "no rpc.statd in the guest"; cat /e2e/work/statd.log; exit 1; }
	sleep 0.2
done
echo "GUEST daemons up"
fail=0
t() { if "$@"; then echo "ok: $*"; else echo "FAIL($?): $*"; fail=1; fi; }
GUEST
}

# locking_guest_start SCRIPT SECS: boot the guest on the tap device with
# the nfs module, the guest files and lock-helper, running SCRIPT for at
# most SECS seconds, its output in $GOUT; sets GUEST and GSTART.
locking_guest_start() {
	GSTART=$SECONDS
	timeout $(($2 + 30)) "$top_srcdir/tests/e2e/guest-run" --net tap=$TAP \
	    --modules nfs "${GFILES[@]}" --file "$HELPER:/e2e/bin/lock-helper" \
	    --script "$1" --timeout "$2" >"$GOUT" 2>&1 &
	GUEST=$!
}

# locking_guest_mounted LINE WHAT: wait (180 s) for the guest to print
# LINE once it has mounted; if it does not, end the test: a skip when no
# guest could boot, else a failure of WHAT.
locking_guest_mounted() {
	local rc
	if wait_guest "$1|SKIP|mount failed" 180 && guest_said "$1"; then
		ok "$2 after $((SECONDS - GSTART)) s"
		return
	fi
	wait "$GUEST"
	rc=$?
	GUEST=
	sed 's/^/# /' "$GOUT"
	if [ $rc -eq 77 ]; then
		skip "no accelerator or guest could boot (guest-run 77)" "$2"
	else
		not_ok "$2"
	fi
	check "SIGTERM to dittofs-run stops everything" suite_stop
	tap_done
	exit
}

# locking_guest_end: wait for the guest, show its output, check its
# exit status and that no daemon died on its own.
locking_guest_end() {
	local rc
	wait "$GUEST"
	rc=$?
	GUEST=
	sed 's/^/# /' "$GOUT"
	check "guest-run exit status 0 (took $((SECONDS - GSTART)) s)" test $rc -eq 0
	check "no daemon died on its own (no abort, segfault or seccomp kill)" \
	    sh -c "! grep -E 'killed by signal (6|11|31)' '$SUITE_DIR/run.log'"
}
