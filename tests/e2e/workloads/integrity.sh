# Workload: integrity. Write pseudo-random data through the mount, drop
# the guest's caches, read it back and compare sha256 digests.
# Env: E2E_MNT (mount point), E2E_INTEGRITY_MIB (default 32),
#      E2E_PREFIX (prefix of RESULT names, default none).
# Prints RESULT name=${E2E_PREFIX}integrity value=1|0 unit=ok; exits 1 on
# a mismatch.
set -u
mib=${E2E_INTEGRITY_MIB:-32}
dir=${E2E_MNT:?no mount}/e2e-integrity.$$
mkdir -p "$dir" || exit 1
f=$dir/data
written=$(e2e-helper gen 1 $((mib * 1048576)) | tee "$f" | sha256sum | cut -d' ' -f1)
sync
echo 3 >/proc/sys/vm/drop_caches
read_back=$(sha256sum "$f" | cut -d' ' -f1)
echo "sha256 written $written"
echo "sha256 read    $read_back"
rm -rf "$dir"
if [ -n "$written" ] && [ "$written" = "$read_back" ]; then
	echo "RESULT name=${E2E_PREFIX:-}integrity value=1 unit=ok"
else
	echo "RESULT name=${E2E_PREFIX:-}integrity value=0 unit=ok"
	exit 1
fi
