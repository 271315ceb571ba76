#!/bin/bash
# e2e: the Linux kernel NFSv4 client, vers=4 (4.2 refused: 4.1), against dittofs-nfsd
# (tests/e2e/nfs_kernel.sh says what runs).
E2E_NFS_VERS=default
. "$top_srcdir/tests/e2e/nfs_kernel.sh"
