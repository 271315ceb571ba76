## common/: the library every daemon and tool links.

IPC_MESSAGES = common/ipc_msg common/blockd_msg \
	common/stated_common common/stated_lock common/stated_client \
	common/stated_drc common/stated_push common/stated_v4 \
	common/stated_session \
	common/stated_grant common/stated_durable \
	common/gssd_msg common/smbd_msg common/nfsd_msg
BUILT_SOURCES += $(IPC_MESSAGES:=.h) $(IPC_MESSAGES:=_xdr.c)
CLEANFILES += $(IPC_MESSAGES:=.h) $(IPC_MESSAGES:=_xdr.c)
EXTRA_DIST += $(IPC_MESSAGES:=.x)

# Generated XDR code is not ours to warn about.
noinst_LIBRARIES += common/libipcxdr.a
nodist_common_libipcxdr_a_SOURCES = $(IPC_MESSAGES:=_xdr.c) \
	$(IPC_MESSAGES:=.h)
common_libipcxdr_a_CFLAGS = -std=gnu11 -w

noinst_LIBRARIES += common/libdittofs.a
common_libdittofs_a_SOURCES = \
	common/log.c common/log.h \
	common/conf.c common/conf.h \
	common/ipc.c common/ipc.h \
	common/ipc_call.c common/ipc_call.h \
	common/stated_util.c common/stated_util.h \
	common/sandbox.c common/sandbox.h \
	common/daemon.c common/daemon.h \
	common/util.c common/util.h common/perm.h common/hash.h \
	common/acl.c common/acl.h \
	common/rpcbind.c common/rpcbind.h \
	common/syncer.c common/syncer.h \
	common/xdrbuf.c common/xdrbuf.h \
	common/rpcmsg.c common/rpcmsg.h \
	common/rpcauth.c common/rpcauth.h \
	common/rpcsvc.c common/rpcsvc.h \
	common/rpcclnt.c common/rpcclnt.h \
	common/share_rules.c common/share_rules.h \
	common/connlimit.c common/connlimit.h \
	common/kdc_send.c common/kdc_send.h \
	common/blockd_client.c common/blockd_client.h
common_libdittofs_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCAP_CFLAGS) \
	$(SECCOMP_CFLAGS) $(TIRPC_CFLAGS)

# RPCSEC_GSS (RFC 2203) for nfsd: the flavour and its krb5 mechanism,
# apart so that only who serves it links libgssapi_krb5.
noinst_LIBRARIES += common/librpcsecgss.a
common_librpcsecgss_a_SOURCES = common/rpcsec_gss.c common/rpcsec_gss.h \
	common/rpcsec_gss_krb5.c common/rpcsec_gss_clnt.c \
	common/krb5_cfx.c common/krb5_cfx.h
common_librpcsecgss_a_CPPFLAGS = $(AM_CPPFLAGS) $(GSSAPI_CFLAGS) \
	$(OPENSSL_CFLAGS) $(TIRPC_CFLAGS)
RPCSEC_GSS_LIBS = common/librpcsecgss.a $(GSSAPI_LIBS) $(OPENSSL_LIBS)

# The RPCSEC_GSS flavour with a fake mechanism: the credential, the
# header's MIC, the window, krb5i and krb5p bodies, the reply verifier;
# and the fuzz target of the credential decoder.
check_PROGRAMS += tests/unit/test_rpcsec_gss
TESTS += tests/unit/test_rpcsec_gss
tests_unit_test_rpcsec_gss_SOURCES = tests/unit/test_rpcsec_gss.c \
	tests/fuzz/fuzz_rpcsec_gss.c tests/fuzz/fuzz.h
tests_unit_test_rpcsec_gss_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests -I$(top_srcdir)/tests/fuzz $(TIRPC_CFLAGS)
tests_unit_test_rpcsec_gss_LDADD = $(RPCSEC_GSS_LIBS) $(DITTOFS_COMMON_LIBS)

# RFC 4121 tokens for the AES enctypes on OpenSSL (krb5_cfx.c): the
# known answers of RFC 3961, 3962 and 8009, tokens between two ends, and
# the fuzz target of the token decoders.
check_PROGRAMS += tests/unit/test_krb5_cfx
TESTS += tests/unit/test_krb5_cfx
tests_unit_test_krb5_cfx_SOURCES = tests/unit/test_krb5_cfx.c \
	tests/fuzz/fuzz_krb5_cfx.c tests/fuzz/fuzz.h
tests_unit_test_krb5_cfx_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/tests/fuzz
tests_unit_test_krb5_cfx_LDADD = $(RPCSEC_GSS_LIBS) $(DITTOFS_COMMON_LIBS)

# What a program linking libdittofs needs.
DITTOFS_COMMON_LIBS = common/libdittofs.a common/libipcxdr.a \
	$(LIBEVENT_LIBS) $(TIRPC_LIBS) $(LIBCAP_LIBS) $(SECCOMP_LIBS)


# The log rate limiter.
check_PROGRAMS += tests/unit/test_log
TESTS += tests/unit/test_log
tests_unit_test_log_SOURCES = tests/unit/test_log.c
tests_unit_test_log_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_log_LDADD = $(DITTOFS_COMMON_LIBS)

# The seccomp filter's argument checks (socket families, ioctl, prlimit64).
check_PROGRAMS += tests/unit/test_sandbox
TESTS += tests/unit/test_sandbox
tests_unit_test_sandbox_SOURCES = tests/unit/test_sandbox.c
tests_unit_test_sandbox_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_sandbox_LDADD = $(DITTOFS_COMMON_LIBS)

# Share rules (clients, insecure), as nfsd and lockd apply them.
check_PROGRAMS += tests/unit/test_share_rules
TESTS += tests/unit/test_share_rules
tests_unit_test_share_rules_SOURCES = tests/unit/test_share_rules.c
tests_unit_test_share_rules_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_share_rules_LDADD = $(DITTOFS_COMMON_LIBS)

# The one unkeyed hash (FNV-1a), its published values.
check_PROGRAMS += tests/unit/test_hash
TESTS += tests/unit/test_hash
tests_unit_test_hash_SOURCES = tests/unit/test_hash.c
tests_unit_test_hash_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests

# The RPC authentication flavour hook: AUTH_SYS bytes, an RPCSEC_GSS-shaped
# test flavour (wrap, unwrap, reply verifier, sequence window).
check_PROGRAMS += tests/unit/test_rpcauth
TESTS += tests/unit/test_rpcauth
tests_unit_test_rpcauth_SOURCES = tests/unit/test_rpcauth.c
tests_unit_test_rpcauth_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_rpcauth_LDADD = $(DITTOFS_COMMON_LIBS)

# The RPC server's program table, over UDP and TCP on loopback.
check_PROGRAMS += tests/unit/test_rpcsvc
TESTS += tests/unit/test_rpcsvc
tests_unit_test_rpcsvc_SOURCES = tests/unit/test_rpcsvc.c
tests_unit_test_rpcsvc_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	$(TIRPC_CFLAGS)
tests_unit_test_rpcsvc_LDADD = $(DITTOFS_COMMON_LIBS)

# The KDC relay's network side: kdc entries, UDP and TCP (RFC 4120 7.2)
# against fake KDCs on loopback, hostile replies.
check_PROGRAMS += tests/unit/test_kdc_send
TESTS += tests/unit/test_kdc_send
tests_unit_test_kdc_send_SOURCES = tests/unit/test_kdc_send.c
tests_unit_test_kdc_send_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_kdc_send_LDADD = $(DITTOFS_COMMON_LIBS)

# The name folding of case-insensitive shares (common/casefold.c) and its
# table, which tools/gen_casefold.pl makes from Perl's Unicode data.
check_PROGRAMS += tests/unit/test_casefold
TESTS += tests/unit/test_casefold tests/unit/test_casefold_table.sh
tests_unit_test_casefold_SOURCES = tests/unit/test_casefold.c \
	common/casefold.c common/casefold.h common/casefold_table.h
tests_unit_test_casefold_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
EXTRA_DIST += tools/gen_casefold.pl tests/unit/test_casefold_table.sh
