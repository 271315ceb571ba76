## tests/e2e/: the real-client harness (issue 4): Debian's kernel in a
## QEMU guest mounting servers on the host's loopback. See
## tests/e2e/README.md. The guest image is cached outside the tree
## ($DITTOFS_E2E_CACHE, /var/cache/dittofs-e2e or ~/.cache/dittofs-e2e).
TESTS += tests/e2e/selftest.sh
EXTRA_DIST += tests/e2e/README.md tests/e2e/build-guest tests/e2e/guest-run \
	tests/e2e/guest-init tests/e2e/guest-helper.c tests/e2e/in-netns \
	tests/e2e/lib.sh tests/e2e/peers.sh tests/e2e/selftest.sh \
	tests/e2e/workloads/standard.sh tests/e2e/workloads/integrity.sh \
	tests/e2e/workloads/paired.sh
