#!/bin/bash
# e2e: the Linux kernel NFSv3 client against dittofs-nfsd
# (tests/e2e/nfs_kernel.sh says what runs).
E2E_NFS_VERS=3
. "$top_srcdir/tests/e2e/nfs_kernel.sh"
