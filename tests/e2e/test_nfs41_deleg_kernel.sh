#!/bin/bash
# e2e: an NFSv4.1 read delegation held by the Linux kernel client is
# recalled over its session's backchannel when a v4.0 mount of the same
# guest writes the file (tests/e2e/test_nfs4_deleg_kernel.sh says how).
E2E_DELEG_A_VERS=4.1
. "$top_srcdir/tests/e2e/test_nfs4_deleg_kernel.sh"
