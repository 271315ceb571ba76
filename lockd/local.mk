## dittofs-lockd: NLM v1, v3, v4 (issue 5), on the ONC RPC server and
## client of common/ (rpcsvc.c, rpcclnt.c), as statd is.

BUILT_SOURCES += lockd/nlm_prot.h lockd/nlm_prot_xdr.c \
	statd/sm_prot.h statd/sm_prot_xdr.c
CLEANFILES += lockd/nlm_prot.h lockd/nlm_prot_xdr.c \
	statd/sm_prot.h statd/sm_prot_xdr.c
EXTRA_DIST += lockd/nlm_prot.x statd/sm_prot.x

# Generated XDR code is not ours to warn about.
noinst_LIBRARIES += lockd/libnlmxdr.a
nodist_lockd_libnlmxdr_a_SOURCES = lockd/nlm_prot_xdr.c lockd/nlm_prot.h \
	statd/sm_prot_xdr.c statd/sm_prot.h
lockd_libnlmxdr_a_CFLAGS = -std=gnu11 -w
lockd_libnlmxdr_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/lockd \
	-I$(top_builddir)/statd

LOCKD_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/lockd -I$(top_builddir)/lockd \
	-I$(top_builddir)/statd

noinst_LIBRARIES += lockd/libnlmshare.a
# share.c (lockd's share rules) and hosts.c (the hosts it monitors) are
# a library so that everything linking nlm.c, the NLM decoder's unit
# test too, finds them.
lockd_libnlmshare_a_SOURCES = lockd/share.c lockd/hosts.c
lockd_libnlmshare_a_CPPFLAGS = $(LOCKD_CPPFLAGS)

sbin_PROGRAMS += lockd/dittofs-lockd
lockd_dittofs_lockd_SOURCES = lockd/lockd.c lockd/lockd.h lockd/nlm.c
lockd_dittofs_lockd_CPPFLAGS = $(LOCKD_CPPFLAGS)
lockd_dittofs_lockd_LDADD = lockd/libnlmshare.a lockd/libnlmxdr.a \
	$(DITTOFS_COMMON_LIBS)

# The NLM/NSM test client the integration test drives.
check_PROGRAMS += tests/clients/nlm-client
tests_clients_nlm_client_SOURCES = tests/clients/nlm-client.c
tests_clients_nlm_client_CPPFLAGS = $(LOCKD_CPPFLAGS)
tests_clients_nlm_client_CFLAGS = $(AM_CFLAGS) -std=gnu11
tests_clients_nlm_client_LDADD = lockd/libnlmxdr.a $(DITTOFS_COMMON_LIBS)

# NLM and NSM end to end on loopback namespaces (root, rpcbind).
TESTS += tests/integration/test_locking.sh
EXTRA_DIST += tests/integration/test_locking.sh

# Share rules (reserved ports, @netgroup clients) through MOUNT, NFS, NLM.
TESTS += tests/integration/test_exports.sh
EXTRA_DIST += tests/integration/test_exports.sh

# The one NLM encoder of each shape against rpcgen's, every version.
check_PROGRAMS += tests/unit/test_nlm_encode
TESTS += tests/unit/test_nlm_encode
tests_unit_test_nlm_encode_SOURCES = tests/unit/test_nlm_encode.c lockd/nlm.c
tests_unit_test_nlm_encode_CPPFLAGS = $(LOCKD_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_nlm_encode_LDADD = lockd/libnlmshare.a lockd/libnlmxdr.a \
	$(DITTOFS_COMMON_LIBS)

# The hosts lockd monitors: SM_MON, the linger before SM_UNMON, the cap.
check_PROGRAMS += tests/unit/test_nlm_hosts
TESTS += tests/unit/test_nlm_hosts
tests_unit_test_nlm_hosts_SOURCES = tests/unit/test_nlm_hosts.c
tests_unit_test_nlm_hosts_CPPFLAGS = $(LOCKD_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_nlm_hosts_LDADD = lockd/libnlmshare.a lockd/libnlmxdr.a \
	$(DITTOFS_COMMON_LIBS)
