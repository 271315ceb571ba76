#!/bin/bash
# e2e: the Linux kernel NFSv4.1 (mount -o vers=4.1) client against dittofs-nfsd
# (tests/e2e/nfs_kernel.sh says what runs).
E2E_NFS_VERS=4.1
. "$top_srcdir/tests/e2e/nfs_kernel.sh"
