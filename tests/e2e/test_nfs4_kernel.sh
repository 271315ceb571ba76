#!/bin/bash
# e2e: the Linux kernel NFSv4.0 client (mount -o vers=4.0) against
# dittofs-nfsd (tests/e2e/nfs_kernel.sh says what runs).
E2E_NFS_VERS=4.0
. "$top_srcdir/tests/e2e/nfs_kernel.sh"
