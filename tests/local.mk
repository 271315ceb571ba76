## tests/: unit tests of common/, integration tests of the suite, and
## the small protocol clients they use.
AM_TESTS_ENVIRONMENT += DITTOFS_SBINDIR='$(abs_top_builddir)/tests/sbin'; \
	export DITTOFS_SBINDIR;

check_PROGRAMS += tests/unit/test_conf tests/unit/test_ipc \
	tests/unit/test_syncer
TESTS += tests/unit/test_conf tests/unit/test_ipc tests/unit/test_syncer
tests_unit_test_syncer_SOURCES = tests/unit/test_syncer.c
tests_unit_test_syncer_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_syncer_LDADD = $(DITTOFS_COMMON_LIBS)
tests_unit_test_conf_SOURCES = tests/unit/test_conf.c
tests_unit_test_conf_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_conf_LDADD = $(DITTOFS_COMMON_LIBS)
tests_unit_test_ipc_SOURCES = tests/unit/test_ipc.c
tests_unit_test_ipc_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_ipc_LDADD = $(DITTOFS_COMMON_LIBS)

# util.c: the Kerberos configuration copied before a chroot.
check_PROGRAMS += tests/unit/test_util
TESTS += tests/unit/test_util
tests_unit_test_util_SOURCES = tests/unit/test_util.c
tests_unit_test_util_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_util_LDADD = $(DITTOFS_COMMON_LIBS)

# The ACL model (common/acl.c) and its decoder's fuzz target.
check_PROGRAMS += tests/unit/test_acl
TESTS += tests/unit/test_acl
tests_unit_test_acl_SOURCES = tests/unit/test_acl.c common/acl.c \
	common/acl.h tests/fuzz/fuzz_acl.c tests/fuzz/fuzz.h
tests_unit_test_acl_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/tests/fuzz

# Small protocol clients the integration tests drive.
check_PROGRAMS += tests/clients/ipc-probe
tests_clients_ipc_probe_SOURCES = tests/clients/ipc-probe.c
tests_clients_ipc_probe_LDADD = $(DITTOFS_COMMON_LIBS)

# The daemons as dittofs-run finds them: tests/sbin in the build tree.
check_DATA = tests/sbin/.stamp
tests/sbin/.stamp: $(sbin_PROGRAMS)
	$(AM_V_GEN)$(MKDIR_P) tests/sbin && \
	for p in $(sbin_PROGRAMS); do \
	  ln -sf "$(abs_top_builddir)/$$p" tests/sbin/; done && touch $@
clean-local: clean-tests-sbin
clean-tests-sbin:
	rm -rf tests/sbin

TESTS += tests/integration/test_run.sh
EXTRA_DIST += tests/integration/test_run.sh tests/integration/lib.sh tests/clients/oncrpc.py \
	tests/integration/smblib.sh

# blockd over its socket: operations, errors, and the crash test.
check_PROGRAMS += tests/clients/bd-check
tests_clients_bd_check_SOURCES = tests/clients/bd-check.c tests/clients/bdc.c \
	tests/clients/bdc.h tests/clients/fz.c tests/clients/fz.h
tests_clients_bd_check_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/tests/clients
tests_clients_bd_check_LDADD = $(DITTOFS_COMMON_LIBS)
check_PROGRAMS += tests/clients/st-check
tests_clients_st_check_SOURCES = tests/clients/st-check.c tests/clients/fz.c \
	tests/clients/fz.h
tests_clients_st_check_CPPFLAGS = $(tests_clients_bd_check_CPPFLAGS)
tests_clients_st_check_LDADD = $(DITTOFS_COMMON_LIBS)
TESTS += tests/integration/test_blockd.sh
EXTRA_DIST += tests/integration/test_blockd.sh

# The RPC transports' connection policy (common/connlimit.c), and
# MOUNT's DUMP list and the reply cache key (nfsd/mount.c, nfsd/drc.c).
check_PROGRAMS += tests/unit/test_connlimit tests/unit/test_nfs_mount
TESTS += tests/unit/test_connlimit tests/unit/test_nfs_mount
tests_unit_test_connlimit_SOURCES = tests/unit/test_connlimit.c
tests_unit_test_connlimit_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_connlimit_LDADD = $(DITTOFS_COMMON_LIBS)
tests_unit_test_nfs_mount_SOURCES = tests/unit/test_nfs_mount.c nfsd/mount.c
tests_unit_test_nfs_mount_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/nfsd
tests_unit_test_nfs_mount_LDADD = nfsd/libnfsdwire.a $(DITTOFS_COMMON_LIBS) \
	$(TIRPC_LIBS)

# Hostile connections (idle, half records, garbage, unread replies, UDP
# DUMP floods) beside a normal client: limits and memory caps.
check_PROGRAMS += tests/clients/hostile
tests_clients_hostile_SOURCES = tests/clients/hostile.c tests/clients/rpcbuf.h tests/clients/rpcrd.h
TESTS += tests/integration/test_soak.sh
EXTRA_DIST += tests/integration/test_soak.sh

# NFSv4.0's wire layer (nfsd/v4/): COMPOUND XDR with the fuzz
# target tests/fuzz/fuzz_nfs4.c, fattr4, id mapping.
NFS4_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/nfsd/v4 -I$(top_srcdir)/tests/fuzz
NFS4_TEST_LIBS = nfsd/libnfs4.a $(DITTOFS_COMMON_LIBS)
check_PROGRAMS += tests/unit/test_nfs4_xdr tests/unit/test_nfs4_attr \
	tests/unit/test_nfs4_idmap
TESTS += tests/unit/test_nfs4_xdr tests/unit/test_nfs4_attr \
	tests/unit/test_nfs4_idmap
tests_unit_test_nfs4_xdr_SOURCES = tests/unit/test_nfs4_xdr.c \
	tests/unit/nfs4_build.h tests/fuzz/fuzz_nfs4.c tests/fuzz/fuzz.h
tests_unit_test_nfs4_xdr_CPPFLAGS = $(NFS4_TEST_CPPFLAGS)
tests_unit_test_nfs4_xdr_LDADD = $(NFS4_TEST_LIBS)
tests_unit_test_nfs4_attr_SOURCES = tests/unit/test_nfs4_attr.c \
	tests/unit/nfs4_build.h
tests_unit_test_nfs4_attr_CPPFLAGS = $(NFS4_TEST_CPPFLAGS)
tests_unit_test_nfs4_attr_LDADD = $(NFS4_TEST_LIBS)
# The callback program's pure parts: the callback address, CB_RECALL.
check_PROGRAMS += tests/unit/test_nfs4_callback
TESTS += tests/unit/test_nfs4_callback
tests_unit_test_nfs4_callback_SOURCES = tests/unit/test_nfs4_callback.c
tests_unit_test_nfs4_callback_CPPFLAGS = $(NFS4_TEST_CPPFLAGS)
tests_unit_test_nfs4_callback_LDADD = $(NFS4_TEST_LIBS)
tests_unit_test_nfs4_idmap_SOURCES = tests/unit/test_nfs4_idmap.c
tests_unit_test_nfs4_idmap_CPPFLAGS = $(NFS4_TEST_CPPFLAGS)
tests_unit_test_nfs4_idmap_LDADD = $(NFS4_TEST_LIBS)
# NFSv4.1 (issue 24): nfsd's mirror of the sessions and the 4.1 ops'
# XDR; then the sessions against the daemons (tests/clients/nfs41probe.py).
check_PROGRAMS += tests/unit/test_nfs4_session
TESTS += tests/unit/test_nfs4_session
tests_unit_test_nfs4_session_SOURCES = tests/unit/test_nfs4_session.c
tests_unit_test_nfs4_session_CPPFLAGS = $(NFS4_TEST_CPPFLAGS)
tests_unit_test_nfs4_session_LDADD = $(NFS4_TEST_LIBS)
TESTS += tests/integration/test_nfs41.sh
EXTRA_DIST += tests/integration/test_nfs41.sh tests/clients/nfs41probe.py

# stated's NFSv4.1 clients, sessions and slot tables (stated/session_table.c).
check_PROGRAMS += tests/unit/test_stated_session
TESTS += tests/unit/test_stated_session
tests_unit_test_stated_session_SOURCES = tests/unit/test_stated_session.c
tests_unit_test_stated_session_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests -I$(top_srcdir)/stated
tests_unit_test_stated_session_LDADD = stated/libsessiontable.a \
	stated/libclients.a stated/liblocktable.a $(DB_LIBS)
# ... and over stated's socket, across a SIGKILL of the "front end".
TESTS += tests/integration/test_stated_session.sh
EXTRA_DIST += tests/integration/test_stated_session.sh
# ... and v4.1 clients' opens and locks, reclaimed after a stated restart.
TESTS += tests/integration/test_stated_v41.sh
EXTRA_DIST += tests/integration/test_stated_v41.sh
# bench/nfs4load (bench/compare's NFSv4.0 host rows) against nfsd: every
# phase completes with a figure and no error.
TESTS += tests/integration/test_nfs4load.sh
EXTRA_DIST += tests/integration/test_nfs4load.sh
TESTS += tests/integration/test_smbload.sh
EXTRA_DIST += tests/integration/test_smbload.sh
# ... and under RPCSEC_GSS (krb5, krb5i, krb5p) with a KDC of its own:
# bench/compare's host4_krb5*_ rows; a tampered ticket or key fails it.
TESTS += tests/integration/test_bench_krb5.sh
EXTRA_DIST += tests/integration/test_bench_krb5.sh
# nfsd's krb5 mechanism (the OpenSSL path of common/krb5_cfx.c) against
# MIT's GSS-API, each AES enctype, both ends, with a KDC of its own.
TESTS += tests/integration/test_krb5_cfx.sh
EXTRA_DIST += tests/integration/test_krb5_cfx.sh
# SMB sessions of Kerberos expire with their tickets (smbtorture's
# smb2.session.expire*), with a KDC of its own.
TESTS += tests/integration/test_smb_krb5.sh
EXTRA_DIST += tests/integration/test_smb_krb5.sh
# SMB alternate data streams as the store's named streams (smbd/stream.c).
TESTS += tests/integration/test_smb_streams.sh
EXTRA_DIST += tests/integration/test_smb_streams.sh
# SMB directory leases, broken by SMB and NFS changes (smbd/lease.c).
TESTS += tests/integration/test_smb_dirlease.sh
EXTRA_DIST += tests/integration/test_smb_dirlease.sh
