## tests/e2e/: the real-client harness (issue 4): Debian's kernel in a
## QEMU guest mounting servers on the host's loopback. See
## tests/e2e/README.md. The guest image is cached outside the tree
## ($DITTOFS_E2E_CACHE, /var/cache/dittofs-e2e or ~/.cache/dittofs-e2e).
TESTS += tests/e2e/selftest.sh
EXTRA_DIST += tests/e2e/README.md tests/e2e/build-guest tests/e2e/guest-run \
	tests/e2e/guest-init tests/e2e/guest-helper.c tests/e2e/in-netns \
	tests/e2e/lib.sh tests/e2e/peers.sh tests/e2e/selftest.sh \
	tests/e2e/workloads/standard.sh tests/e2e/workloads/integrity.sh \
	tests/e2e/workloads/paired.sh tests/e2e/workloads/posix.sh \
	tests/e2e/nfs_kernel.sh

# tests/e2e/test_locking_kernel.sh: NLM locking with the Linux kernel
# NFSv3 client in the e2e guest against lockd/statd/stated (issue 5's
# end-to-end list), the guest on a tap device so lockd can call it back.
# tests/e2e/lock-helper.c is compiled (gcc -static) by the test itself.
TESTS += tests/e2e/test_locking_kernel.sh
EXTRA_DIST += tests/e2e/test_locking_kernel.sh tests/e2e/lock-helper.c \
	tests/e2e/locking.sh

# tests/e2e/test_nfs4_locking_kernel.sh: NFSv4.0 locks from the guest's
# kernel client against NLM locks (a v3 mount in the same guest and the
# host's nlm-client), and across kill -9 of nfsd (issue 23).
TESTS += tests/e2e/test_nfs4_locking_kernel.sh
EXTRA_DIST += tests/e2e/test_nfs4_locking_kernel.sh

# tests/e2e/test_nfs4_idmap_kernel.sh: NFSv4 owner strings through the
# guest's nfsidmap (names, not numbers) and nfs4_getfacl (issue 23).
TESTS += tests/e2e/test_nfs4_idmap_kernel.sh
EXTRA_DIST += tests/e2e/test_nfs4_idmap_kernel.sh

# tests/e2e/test_nfs4_deleg_kernel.sh: a read delegation of the guest's
# kernel client recalled over its callback path by a second client's
# write (issue 23).
TESTS += tests/e2e/test_nfs4_deleg_kernel.sh
EXTRA_DIST += tests/e2e/test_nfs4_deleg_kernel.sh

# tests/e2e/test_nfs41_deleg_kernel.sh: the same with an NFSv4.1 holder,
# recalled over its session's backchannel by a v4.0 mount (issue 24).
TESTS += tests/e2e/test_nfs41_deleg_kernel.sh
EXTRA_DIST += tests/e2e/test_nfs41_deleg_kernel.sh

# tests/e2e/test_nfs4_wdeleg_kernel.sh: a write delegation of the
# guest's kernel client recalled by a second client's read; the holder's
# writes reach the store (issue 23).
TESTS += tests/e2e/test_nfs4_wdeleg_kernel.sh
EXTRA_DIST += tests/e2e/test_nfs4_wdeleg_kernel.sh
# tests/e2e/test_smb_kernel.sh: the guest's cifs.ko against smbd, as a
# user of `dittofsctl user add`, in the clear and sealed (SMB3
# encryption), and across kill -9 of smbd during a copy (issue 25).
TESTS += tests/e2e/test_smb_kernel.sh
EXTRA_DIST += tests/e2e/test_smb_kernel.sh tests/e2e/workloads/smb.sh
# tests/e2e/test_cross_kernel.sh: one share through the guest's NFSv4.1
# and cifs mounts at once: content both ways, byte-range locks across
# the protocols, a cifs lease broken by an NFS write (issue 25).
TESTS += tests/e2e/test_cross_kernel.sh
EXTRA_DIST += tests/e2e/test_cross_kernel.sh tests/e2e/workloads/cross.sh

# tests/e2e/test_krb5_kernel.sh: sec=krb5, krb5i and krb5p mounts of the
# guest's kernel client with its own rpc.gssd and keytab against nfsd
# and gssd, a realm of the test's own (issue 26), and (with 4.0) a
# delegation recalled over an RPCSEC_GSS callback to the guest's
# rpc.svcgssd; E2E_KRB5_VERS lists the NFS versions (default
# "3 4.0 4.1").
TESTS += tests/e2e/test_krb5_kernel.sh
EXTRA_DIST += tests/e2e/test_krb5_kernel.sh

# tests/e2e/test_smb_krb5_kernel.sh: vers=3.1.1 sec=krb5 cifs mounts
# (signed and sealed) of the guest's kernel client, its SPNEGO blob from
# cifs.upcall through request-key, against smbd and gssd with a realm of
# the test's own (issue 26); a user without a ticket is refused.
TESTS += tests/e2e/test_smb_krb5_kernel.sh
EXTRA_DIST += tests/e2e/test_smb_krb5_kernel.sh
