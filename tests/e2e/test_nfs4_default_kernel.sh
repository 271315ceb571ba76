#!/bin/bash
# e2e: the Linux kernel NFSv4 with the default mount (no vers=: 4.2 refused, 4.1) client against dittofs-nfsd
# (tests/e2e/nfs_kernel.sh says what runs).
E2E_NFS_VERS=default
. "$top_srcdir/tests/e2e/nfs_kernel.sh"
