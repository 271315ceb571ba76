# Sourced by integration tests: run a private instance of the suite.
#
#   suite_in_netns "$0" "$@"  rerun the test in a network namespace
#   suite_setup            temp dir, config, users; sets SUITE_DIR, SUITE_CONF
#                          (SUITE_WITH="nfsd smbd" enables nfsd and smbd,
#                          which are off otherwise; SUITE_EXTRA_CONF is
#                          appended)
#   suite_start            dittofs-run in the background; SUITE_RUN_PID
#   suite_wait_ready D...  wait until each daemon answers dittofsctl status
#   suite_pid D            the daemon's pid, from its control socket
#   suite_stop             SIGTERM dittofs-run and wait for every process
#   torture_check DESC A...  smbtorture A... as one check (skips told apart)
#
# Everything is bounded in time and cleaned up by an EXIT trap.

: "${top_builddir:=.}"
: "${top_srcdir:=.}"
SBINDIR=${DITTOFS_SBINDIR:-$top_builddir/tests/sbin}
CTL="$SBINDIR/dittofsctl"
# The Python tests' ONC RPC module (tests/clients/oncrpc.py).
ONCRPC_PYTHONPATH=$(cd "$top_srcdir" && pwd)/tests/clients

suite_need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root (daemons drop to their own users)"
		exit 0
	fi
}

# suite_in_netns "$0" "$@": run this test again inside a private network
# namespace of its own (tests/e2e/in-netns), unless it already is.
suite_in_netns() {
	local rc
	[ "${E2E_IN_NETNS:-}" = 1 ] && return 0
	"$top_srcdir/tests/e2e/in-netns" "$@"
	rc=$?
	[ $rc -eq 77 ] && echo "1..0 # SKIP cannot create a network namespace"
	exit $rc
}

# The daemons' users, as packaging creates them (idempotent).
suite_users() {
	getent passwd dittofs-stated >/dev/null && return 0
	if ! command -v systemd-sysusers >/dev/null; then
		echo "1..0 # SKIP no dittofs users and no systemd-sysusers"
		exit 0
	fi
	systemd-sysusers "$(cd "$top_srcdir" && pwd)/systemd/dittofs-sysusers.conf" >/dev/null
}

suite_setup() {
	SUITE_DIR=$(mktemp -d /tmp/dittofs-test.XXXXXX)
	chmod 755 "$SUITE_DIR"
	SUITE_CONF=$SUITE_DIR/dittofs.conf
	cat > "$SUITE_CONF" <<CONF
[global]
state directory = $SUITE_DIR/state
run directory = $SUITE_DIR/run

[blockd]
# Checkpoints (Berkeley DB log trimming) run under seccomp in every test.
checkpoint interval = 1
CONF
	# Network front ends bind real ports: only tests that ask for one
	# get it (SUITE_WITH="nfsd smbd"), so parallel tests never collide.
	# Before the share: tests append that share's keys to the file.
	case " ${SUITE_WITH:-} " in
	*" nfsd "*) ;;
	*) printf '\n[nfsd]\nenable = no\n' >> "$SUITE_CONF" ;;
	esac
	case " ${SUITE_WITH:-} " in
	*" smbd "*) ;;
	*) printf '\n[smbd]\nenable = no\n' >> "$SUITE_CONF" ;;
	esac
	cat >> "$SUITE_CONF" <<CONF

# Test clients (rpc-probe, python probes, libnfs as a user, guests
# behind QEMU's user network) send from unprivileged ports: this share
# opts out of the reserved-port default.  Tests of that default
# (test_exports.sh) configure shares of their own.
[share export]
path = /export
insecure = yes
CONF
	# Anything else a test wants, verbatim.
	[ -n "${SUITE_EXTRA_CONF:-}" ] && printf '\n%s\n' "$SUITE_EXTRA_CONF" >> "$SUITE_CONF"
	trap suite_cleanup EXIT
}

suite_start() {
	DITTOFS_SBINDIR=$SBINDIR "$SBINDIR/dittofs-run" -f "$SUITE_CONF" \
	    > "$SUITE_DIR/run.log" 2>&1 &
	SUITE_RUN_PID=$!
}

suite_ctl() {
	DITTOFS_SBINDIR=$SBINDIR "$CTL" -f "$SUITE_CONF" "$@"
}

# suite_pid DAEMON: pid from the control socket's status reply.
suite_pid() {
	suite_ctl status "$1" 2>/dev/null | awk -v d="$1" '$1 == d && $2 ~ /^[0-9]+$/ { print $2 }'
}

# proc_sockets PID: the inodes of PID's sockets, one a line.
proc_sockets() {
	ls -l "/proc/$1/fd" 2>/dev/null |
	    sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p' | sort -u
}

# proc_inet_sockets PID: those of them that are TCP or UDP sockets (IPv4
# or IPv6) of this network namespace, one a line.
proc_inet_sockets() {
	proc_sockets "$1" > "$SUITE_DIR/sockets.$1"
	for f in tcp udp tcp6 udp6 raw raw6; do
		awk 'NR > 1 { print $10 }' "/proc/net/$f" 2>/dev/null
	done | sort -u | comm -12 - "$SUITE_DIR/sockets.$1"
}

# suite_wait TIMEOUT CMD...: retry CMD every 0.1 s until it succeeds.
suite_wait() {
	local limit=$(( $1 * 10 )) i=0
	shift
	while [ $i -lt $limit ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

suite_has_pid() {
	[ -n "$(suite_pid "$1")" ]
}

suite_wait_ready() {
	local d
	for d in "$@"; do
		suite_wait 20 suite_has_pid "$d" || return 1
	done
}

# proc_field PID FIELD: a line of /proc/PID/status, value only.
proc_field() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print; exit }' "/proc/$1/status"
}

suite_stop() {
	[ -n "${SUITE_RUN_PID:-}" ] || return 0
	kill -TERM "$SUITE_RUN_PID" 2>/dev/null
	suite_wait 20 sh -c "! kill -0 $SUITE_RUN_PID"
	local rc=$?
	wait "$SUITE_RUN_PID" 2>/dev/null
	SUITE_RUN_PID=
	return $rc
}

suite_cleanup() {
	local p
	if [ -n "${SUITE_RUN_PID:-}" ]; then
		kill -TERM "$SUITE_RUN_PID" 2>/dev/null
		sleep 1
		kill -KILL "$SUITE_RUN_PID" 2>/dev/null
	fi
	# Anything still running from this instance's config.
	for p in $(pgrep -f "$SUITE_CONF" 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null
	done
	if [ -n "${SUITE_KEEP:-}" ]; then
		echo "# kept $SUITE_DIR"
	else
		rm -rf "$SUITE_DIR"
	fi
}

# torture_check DESC ARG...: smbtorture ARG... (at most 180 s) as one
# check, its output in $SUITE_DIR/torture.out.  It passes when
# smbtorture exits 0, reports no failure or error, and at least one
# subtest succeeded: a run that only skipped is a failure, since every
# name a test lists is one that ought to run here.  Each subtest
# smbtorture skipped in a run that passed is reported on its own as a
# TAP skip with smbtorture's reason, so that a skip never counts as a
# pass.  A failure's last lines become diagnostics.
torture_check() {
	local desc=$1 out="$SUITE_DIR/torture.out" rc=0 name reason
	shift
	timeout 180 smbtorture "$@" > "$out" 2>&1 || rc=$?
	if [ $rc -ne 0 ] || grep -q '^\(failure\|error\): ' "$out" ||
	    ! grep -q '^success: ' "$out"; then
		not_ok "$desc"
		grep -v '^time:' "$out" | tail -8 |
		    while IFS= read -r l; do diag "$l"; done
		return 1
	fi
	ok "$desc"
	# subunit: "skip: NAME" alone, or "skip: NAME [" with the reason on
	# the lines up to "]".
	awk '
	    inr && /^\]$/ { print name "\t" reason; inr = 0; next }
	    inr { reason = reason (reason == "" ? "" : " ") $0; next }
	    /^skip: / {
		name = substr($0, 7)
		if (name ~ / \[$/) {
			sub(/ \[$/, "", name); reason = ""; inr = 1
		} else
			print name "\t"
	    }' "$out" > "$out.skips"
	# Not a pipe: skip counts the TAP lines in this shell.
	while IFS='	' read -r name reason; do
		skip "smbtorture skipped it: ${reason:-no reason given}" \
		    "$desc: $name"
	done < "$out.skips"
}
