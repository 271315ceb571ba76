#!/bin/bash
# The e2e harness's self-test (TAP): in a network namespace of its own,
# start rpcbind and nfs-ganesha exporting a temporary directory, boot the
# guest, mount the export with NFSv3, 4.0, 4.1 and 4.2 (and, when Samba is
# installed, a Samba share with SMB 3.1.1, plain and sealed) in one boot,
# and on each: write a file from the guest and read it back after dropping the
# guest's caches, check the host sees the same bytes in the exported
# directory, and read a file the host wrote. Then bench/nfsload (when
# built) runs every phase briefly against the same export. Everything it
# starts is stopped by pid at the end, also on failure. Skips (with the
# reason) when it is not root, when a package is missing or when no
# accelerator can boot the guest.
#
# Env: E2E_SELFTEST_TIMEOUT (seconds for the guest run, default 300),
#      E2E_SELFTEST_MIB (MiB written per mount, default 8).
set -u

srcdir=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
e2e=$srcdir/tests/e2e
. "$srcdir/tests/tap.sh"
. "$e2e/lib.sh"
. "$e2e/peers.sh"

skip_all() {
	skip "$1" "e2e self-test"
	tap_done
	exit 0
}

if [ -z "${E2E_IN_NETNS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || skip_all "needs root for a private network namespace"
	unshare --net --mount true 2>/dev/null ||
	    skip_all "cannot create network/mount namespaces"
	command -v ip >/dev/null || skip_all "no ip (iproute2)"
	exec "$e2e/in-netns" "$0" "$@"
fi

for tool in qemu-system-x86_64 rpcbind ganesha.nfsd cpio sha256sum; do
	command -v "$tool" >/dev/null || skip_all "$tool not installed (see deps/e2e.list)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/dittofs-selftest.XXXXXX")
cleanup() {
	peer_samba_stop
	peer_ganesha_stop
	peer_rpcbind_stop
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

t0=$SECONDS
guest=$("$e2e/build-guest" --quiet 2>"$work/build.err")
case $? in
0) ok "guest image ready ($(sed -n 's/^kernel=//p' "$guest/info"))" ;;
77) skip_all "cannot build the guest: $(tail -n 1 "$work/build.err")" ;;
*) not_ok "guest image build"; sed 's/^/# /' "$work/build.err"; tap_done; exit 1 ;;
esac

if peer_rpcbind_start 2>"$work/peer.err"; then
	ok "rpcbind started in the namespace (pid $RPCBIND_PID)"
else
	not_ok "rpcbind started"; sed 's/^/# /' "$work/peer.err"; tap_done; exit 1
fi
export_dir=$work/export
if peer_ganesha_start "$work/ganesha" "$export_dir" /export 2>"$work/peer.err"; then
	ok "nfs-ganesha started (pid $GANESHA_PID)"
else
	not_ok "nfs-ganesha started"; sed 's/^/# /' "$work/peer.err"; tap_done; exit 1
fi

head -c 1048576 /dev/urandom >"$export_dir/from-host"
host_sha=$(sha256sum "$export_dir/from-host" | cut -d' ' -f1)
mib=${E2E_SELFTEST_MIB:-8}

# What the guest mounts: a label and the host directory behind each.
set -- --nfs "vers=3,port=$GANESHA_NFS_PORT,mountport=$GANESHA_MNT_PORT,path=$export_dir" \
    --nfs "vers=4.0,port=$GANESHA_NFS_PORT,path=/export" \
    --nfs "vers=4.1,port=$GANESHA_NFS_PORT,path=/export" \
    --nfs "vers=4.2,port=$GANESHA_NFS_PORT,path=/export"
labels=("NFS vers=3" "NFS vers=4.0" "NFS vers=4.1" "NFS vers=4.2")
hostdirs=("$export_dir" "$export_dir" "$export_dir" "$export_dir")

# SMB 3.1.1 through cifs.ko against Samba, plain and sealed (encrypted),
# when Samba is installed.
share_dir=$work/share
if ! command -v smbd >/dev/null; then
	skip "smbd not installed (samba)" "Samba started for the SMB mounts"
elif peer_samba_start "$work/samba" "$share_dir" 2>"$work/peer.err"; then
	ok "Samba started (pid $SAMBA_PID)"
	cp "$export_dir/from-host" "$share_dir/from-host"
	creds="port=$SAMBA_PORT,username=$SAMBA_USER,password=$SAMBA_PASSWORD"
	set -- "$@" --cifs "share=$SAMBA_SHARE,$creds" \
	    --cifs "share=$SAMBA_SHARE,$creds,seal"
	labels+=("SMB 3.1.1" "SMB 3.1.1 sealed")
	hostdirs+=("$share_dir" "$share_dir")
else
	not_ok "Samba started"; sed 's/^/# /' "$work/peer.err"
fi

cat >"$work/guest.sh" <<'EOF'
# In the guest: for each mount, read the host's file, write one of ours,
# drop caches, read ours back. The host checks the digests.
i=0
while eval "m=\${E2E_MNT$i:-}"; [ -n "$m" ]; do
	echo "CHECK $i from_host $(sha256sum "$m/from-host" | cut -d' ' -f1)"
	echo "CHECK $i written $(e2e-helper gen $((i + 1)) $((MIB * 1048576)) |
	    tee "$m/from-guest-$i" | sha256sum | cut -d' ' -f1)"
	sync
	echo 3 >/proc/sys/vm/drop_caches
	echo "CHECK $i read $(sha256sum "$m/from-guest-$i" | cut -d' ' -f1)"
	i=$((i + 1))
done
EOF

e2e_guest_turn
"$e2e/guest-run" "$@" --script "$work/guest.sh" --env "MIB=$mib" \
    --timeout "${E2E_SELFTEST_TIMEOUT:-300}" >"$work/out" 2>"$work/err"
rc=$?
accel=$(sed -n 's/^guest-run: accelerator used: \([a-z]*\).*/\1/p' "$work/err")
grep -E '^guest-run: (accelerator|[a-z]+: (init|mounted|QEMU))' "$work/err" | sed 's/^/# /'
case $rc in
0) ok "guest booted ($accel), made ${#labels[@]} mounts and ran the script" ;;
77)
	diag "$(grep SKIP "$work/err")"
	skip "$(sed -n 's/^guest-run: SKIP: //p' "$work/err" | head -n 1)" "guest run"
	tap_done
	exit 0 ;;
*)
	not_ok "guest run (exit $rc)"
	sed 's/^/# /' "$work/err" "$work/out" | tail -n 60 ;;
esac

same() { [ -n "$1" ] && [ "$1" = "$2" ]; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
for i in "${!labels[@]}"; do
	v=${labels[$i]}
	got() { sed -n "s/^CHECK $i $1 //p" "$work/out"; }
	written=$(got written)
	check "$v: guest reads the host's file" same "$(got from_host)" "$host_sha"
	check "$v: guest reads back what it wrote (caches dropped)" \
	    same "$written" "$(got read)"
	on_host=$(sha256sum "${hostdirs[$i]}/from-guest-$i" 2>/dev/null | cut -d' ' -f1)
	check "$v: the exported directory holds what the guest wrote" \
	    same "$written" "$on_host"
done

# The host-side load generator, briefly, against the same export.
nfsload=${top_builddir:-.}/bench/nfsload
if [ -x "$nfsload" ]; then
	if timeout 120 "$nfsload" --size 8 --seconds 1 --files 100 --conns 2 --depth 8 \
	    --url "nfs://127.0.0.1$export_dir?version=3&nfsport=$GANESHA_NFS_PORT&mountport=$GANESHA_MNT_PORT" \
	    >"$work/nfsload.out" 2>&1 &&
	    [ "$(grep -c "^RESULT name=host_" "$work/nfsload.out")" -eq 10 ]; then
		ok "bench/nfsload ran every phase against nfs-ganesha"
	else
		not_ok "bench/nfsload against nfs-ganesha"
		sed 's/^/# /' "$work/nfsload.out"
	fi
else
	skip "bench/nfsload not built (libnfs-dev missing?)" "bench/nfsload against nfs-ganesha"
fi

if [ -n "$SAMBA_PID" ]; then
	pid=$SAMBA_PID
	peer_samba_stop
	check "Samba stopped" eval "! alive $pid"
fi
pid=$GANESHA_PID
peer_ganesha_stop
check "nfs-ganesha stopped" eval "! alive $pid"
pid=$RPCBIND_PID
peer_rpcbind_stop
check "rpcbind stopped" eval "! alive $pid"
diag "self-test took $((SECONDS - t0)) s"
tap_done
