#!/bin/sh
# Every systemd service unit scores an exposure of 2.0 or lower under
# "systemd-analyze security --offline=yes" (no running systemd needed),
# lets through the system calls its daemon makes, and passes
# "systemd-analyze verify" with the daemons it names.
. "$top_srcdir/tests/tap.sh"

limit=2.0
units=$(ls "$top_builddir"/systemd/*.service 2>/dev/null)

if [ -z "$units" ]; then
	not_ok "no generated units in $top_builddir/systemd (run make)"
	tap_done
	exit
fi
if ! command -v systemd-analyze >/dev/null 2>&1; then
	for unit in $units; do
		skip "systemd-analyze not installed" \
		    "$(basename "$unit"): exposure"
	done
	tap_done
	exit
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

for unit in $units; do
	name=$(basename "$unit")
	out=$(systemd-analyze security --offline=yes "$unit" 2>&1)
	# "→ Overall exposure level for NAME: 1.6 OK 🙂"
	score=$(printf '%s\n' "$out" |
	    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -z "$score" ]; then
		printf '%s\n' "$out" | sed 's/^/# /'
		not_ok "$name: no exposure score"
	elif awk -v s="$score" -v l="$limit" 'BEGIN { exit !(s <= l) }'; then
		ok "$name: exposure $score <= $limit"
	else
		printf '%s\n' "$out" | grep '✗' | sed 's/^/# /'
		not_ok "$name: exposure $score > $limit"
	fi
done

# The unit's system call filter must let through every call that the
# daemon's own seccomp allowlist (common/sandbox.c plus <name>/<name>.c)
# permits, and the calls of its start as the unit's user (directories,
# sockets, chroot, dropping the capabilities; as strace shows them): a
# call allowed by one filter and denied by the other fails only under
# systemd.
start_calls="mkdir chmod unlink bind listen chroot chdir capget capset prctl
seccomp"
expand() {
	for f in "$@"; do
		case $f in
		@*) systemd-analyze syscall-filter "$f" 2>/dev/null |
		    awk 'NR > 1 && $1 !~ /^#/ { print $1 }' |
		    while read -r g; do expand "$g"; done ;;
		*) echo "$f" ;;
		esac
	done
}
allowlist() {
	sed -n '/_syscalls\[\] = {/,/NULL/p' "$@" |
	    grep -o '"[a-z0-9_]*"' | tr -d '"'
}
for unit in $units; do
	name=$(basename "$unit" .service)
	daemon=${name#dittofs-}
	source=$top_srcdir/$daemon/$daemon.c
	if [ ! -f "$source" ]; then
		not_ok "$name.service: no $source for its allowlist"
		continue
	fi
	: >"$tmp/allowed"
	mode=
	while read -r filter; do
		case $filter in
		"~"*)	[ -n "$mode" ] || mode=deny
			# shellcheck disable=SC2086
			expand ${filter#"~"} | sort -u >"$tmp/minus"
			sort -u "$tmp/allowed" | comm -23 - "$tmp/minus" \
			    >"$tmp/next" && mv "$tmp/next" "$tmp/allowed" ;;
		*)	[ -n "$mode" ] || mode=allow
			# shellcheck disable=SC2086
			expand $filter >>"$tmp/allowed" ;;
		esac
	done <<EOF_FILTER
$(sed -n 's/^SystemCallFilter=//p' "$unit")
EOF_FILTER
	if [ "$mode" != allow ]; then
		not_ok "$name.service: SystemCallFilter= is not an allow list"
		continue
	fi
	sort -u -o "$tmp/allowed" "$tmp/allowed"
	# shellcheck disable=SC2086
	denied=$( (allowlist "$top_srcdir/common/sandbox.c" "$source";
	    printf '%s\n' $start_calls) | sort -u |
	    comm -23 - "$tmp/allowed" | tr '\n' ' ')
	if [ -z "$denied" ]; then
		ok "$name.service: filter allows the daemon's system calls"
	else
		diag "denied by the unit: $denied"
		not_ok "$name.service: filter allows the daemon's system calls"
	fi
done

# verify loads the unit as systemd would and checks that every command
# exists, so point the commands at the daemons of this build.
sbindir=$DITTOFS_SBINDIR
if [ -z "$sbindir" ] || [ ! -d "$sbindir" ]; then
	for unit in $units; do
		skip "no built daemons in DITTOFS_SBINDIR" \
		    "$(basename "$unit"): systemd-analyze verify"
	done
	tap_done
	exit
fi
cp "$top_srcdir/systemd/dittofs.target" "$top_srcdir"/systemd/*.socket "$tmp/"
# Documentation= must name pages that exist: ours, as man(1) finds them.
man=--man=no
if command -v man >/dev/null 2>&1; then
	for page in "$top_srcdir"/man/*.[578]; do
		[ -f "$page" ] || continue
		section=${page##*.}
		mkdir -p "$tmp/man/man$section"
		cp "$page" "$tmp/man/man$section/"
	done
	man=--man=yes
fi
for unit in $units; do
	name=$(basename "$unit")
	sed "s|^\(Exec[A-Za-z]*=\)[^ ]*/|\1$sbindir/|" "$unit" >"$tmp/$name"
done
for unit in $units; do
	name=$(basename "$unit")
	if out=$(cd "$tmp" && MANPATH="$tmp/man" \
	    systemd-analyze verify $man "./$name" 2>&1) &&
	    [ -z "$out" ]; then
		ok "$name: systemd-analyze verify"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		not_ok "$name: systemd-analyze verify"
	fi
done
tap_done
