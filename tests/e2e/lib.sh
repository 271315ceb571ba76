# Shell functions shared by the e2e harness and bench/ (bash; sourced).

# modprobe, ip, rpcbind, smbd live in sbin, which a user's PATH may lack.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac
case ":$PATH:" in *:/sbin:*) ;; *) PATH=$PATH:/sbin ;; esac

# The newest kernel that has both an image in /boot and a module tree.
e2e_default_kernel() {
	local v best=
	for v in $(ls /boot/vmlinuz-* 2>/dev/null | sed 's|^/boot/vmlinuz-||' | sort -V); do
		[ -d "/lib/modules/$v/kernel" ] && best=$v
	done
	[ -n "$best" ] && echo "$best"
}

# The cache directory, created if needed.
e2e_cache_dir() {
	local d
	for d in "${DITTOFS_E2E_CACHE:-}" /var/cache/dittofs-e2e \
	    "${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/dittofs-e2e"; do
		[ -n "$d" ] || continue
		if mkdir -p "$d" 2>/dev/null && [ -w "$d" ]; then
			echo "$d"
			return 0
		fi
		[ -n "${DITTOFS_E2E_CACHE:-}" ] && [ "$d" = "$DITTOFS_E2E_CACHE" ] && return 1
	done
	return 1
}

# e2e_extract_vmlinux BZIMAGE OUT: the uncompressed ELF vmlinux inside a
# bzImage (what the kernel's scripts/extract-vmlinux does), so QEMU can
# boot it through its PVH entry without in-guest decompression.
e2e_extract_vmlinux() {
	local img=$1 out=$2 magic cmd off
	for magic in '\xfd7zXZ\x00:xz -dc --single-stream' \
	    '\x28\xb5\x2f\xfd:zstd -dcq' '\x1f\x8b\x08:gzip -dcq'; do
		cmd=${magic#*:}
		command -v "${cmd%% *}" >/dev/null || continue
		for off in $(LC_ALL=C grep -obUaP "${magic%%:*}" "$img" | cut -d: -f1); do
			tail -c +$((off + 1)) "$img" | $cmd >"$out" 2>/dev/null || true
			if [ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				return 0
			fi
		done
	done
	rm -f "$out"
	return 1
}

# e2e_free_port: a TCP port nothing listens on in this network namespace.
e2e_free_port() {
	local p used
	used=$(awk 'NR > 1 { n = split($2, a, ":"); print a[n] }' \
	    /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u)
	while :; do
		p=$((20000 + RANDOM % 40000))
		echo "$used" | grep -qix "$(printf '%04x' "$p")" || { echo "$p"; return 0; }
	done
}

# e2e_wait_port PORT SECONDS: wait until something listens on TCP PORT.
e2e_wait_port() {
	local port=$1 deadline=$((SECONDS + $2)) hex
	hex=$(printf '%04X' "$port")
	while :; do
		if awk -v h=":$hex" '$2 ~ h"$" && $4 == "0A" { f = 1 } END { exit !f }' \
		    /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
			return 0
		fi
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.2
	done
}

# e2e_kill_pid PID: TERM, wait up to 10 s, then KILL; reap it when it is
# our child. Only that pid.
e2e_kill_pid() {
	local pid=$1 i state
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	for i in $(seq 50); do
		state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
		case $state in
		""|Z) wait "$pid" 2>/dev/null; return 0 ;;
		esac
		sleep 0.2
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# e2e_guest_turn: wait (up to an hour) for this test's turn to boot a
# guest, and hold it until the calling shell exits.  On two cores, two
# TCG guests at once slow each other past their time limits (an NFSv4.0
# run that takes 8 minutes alone timed out at 14 beside the NFSv3 one),
# so the e2e tests of one `make -j check` take turns.
e2e_guest_turn() {
	local d
	d=$(e2e_cache_dir) || d=${TMPDIR:-/tmp}
	exec 9>>"$d/guest.lock" || return 0
	flock -w 3600 9 || echo "# e2e: no turn after an hour; running anyway"
}
