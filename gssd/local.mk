## gssd/: dittofs-gssd, and its library of pure parts (NTLM's
## cryptography, the SPNEGO and NTLMSSP codecs, the password file) that
## the daemon, dittofsctl, the unit tests and the fuzz target link.
noinst_LIBRARIES += gssd/libgssdauth.a
gssd_libgssdauth_a_SOURCES = gssd/ntcrypto.c gssd/ntcrypto.h \
	gssd/spnego.c gssd/spnego.h gssd/ntlm.c gssd/ntlm.h \
	gssd/userdb.c gssd/userdb.h gssd/principal.c gssd/principal.h
gssd_libgssdauth_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)

sbin_PROGRAMS += gssd/dittofs-gssd
gssd_dittofs_gssd_SOURCES = gssd/gssd.c gssd/gssd.h gssd/krb5.c \
	gssd/initiate.c
gssd_dittofs_gssd_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) \
	$(GSSAPI_CFLAGS) $(KRB5_CFLAGS)
gssd_dittofs_gssd_LDADD = gssd/libgssdauth.a $(DITTOFS_COMMON_LIBS) \
	$(OPENSSL_LIBS) $(GSSAPI_LIBS) $(KRB5_LIBS)

# Principal -> uid, gid, groups: the rule of gssd(8), the map file.
check_PROGRAMS += tests/unit/test_principal
TESTS += tests/unit/test_principal
tests_unit_test_principal_SOURCES = tests/unit/test_principal.c
tests_unit_test_principal_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/gssd
tests_unit_test_principal_LDADD = gssd/libgssdauth.a

# Our RPCSEC_GSS client (krb5, krb5i, krb5p against nfsd), for
# test_krb5.sh with a KDC of its own.
check_PROGRAMS += tests/clients/krb5-client
# Its context is made by the load generators' loop (bench/loadgss_init.h).
tests_clients_krb5_client_SOURCES = tests/clients/krb5-client.c tests/clients/rpcrd.h \
	tests/clients/check.h bench/loadgss_init.h
tests_clients_krb5_client_CPPFLAGS = $(AM_CPPFLAGS) $(GSSAPI_CFLAGS) \
	-I$(top_srcdir)/gssd -I$(top_srcdir)/bench
tests_clients_krb5_client_LDADD = gssd/libgssdauth.a $(RPCSEC_GSS_LIBS) \
	$(DITTOFS_COMMON_LIBS)
TESTS += tests/integration/test_krb5.sh
EXTRA_DIST += tests/integration/test_krb5.sh \
	tests/integration/krb5lib.sh

# What the two callback clients below share: records, RPCSEC_GSS on
# either side of a call, the INIT exchange and DATA calls, the NFSv4
# COMPOUNDs both send (OPEN, DELEGRETURN), their command line, check().
gssrpc_sources = tests/clients/gssrpc.c tests/clients/gssrpc.h \
	tests/clients/rpcbuf.h tests/clients/rpcrd.h tests/clients/check.h

# An NFSv4.0 client whose callback service takes RPCSEC_GSS (RFC 7530
# 3.3.3): gssd initiates, nfsd calls; for test_cb_gss.sh.
check_PROGRAMS += tests/clients/cb-gss
tests_clients_cb_gss_SOURCES = tests/clients/cb-gss.c $(gssrpc_sources)
tests_clients_cb_gss_CPPFLAGS = $(AM_CPPFLAGS) $(GSSAPI_CFLAGS)
tests_clients_cb_gss_LDADD = $(GSSAPI_LIBS)
TESTS += tests/integration/test_cb_gss.sh
EXTRA_DIST += tests/integration/test_cb_gss.sh

# The NFSv4.1 backchannel under RPCSEC_GSS (RFC 8881 2.10.8.3): nfsd
# calls back with the client's fore channel context; for test_cb_gss41.sh.
check_PROGRAMS += tests/clients/cb-gss41
tests_clients_cb_gss41_SOURCES = tests/clients/cb-gss41.c $(gssrpc_sources)
tests_clients_cb_gss41_CPPFLAGS = $(AM_CPPFLAGS) $(GSSAPI_CFLAGS)
tests_clients_cb_gss41_LDADD = $(GSSAPI_LIBS)
TESTS += tests/integration/test_cb_gss41.sh
EXTRA_DIST += tests/integration/test_cb_gss41.sh

# MS-NLMP's published values and the acceptor's refusals; SPNEGO's DER
# round trips and malformed input, with the fuzz target's function.
check_PROGRAMS += tests/unit/test_ntlm tests/unit/test_spnego
TESTS += tests/unit/test_ntlm tests/unit/test_spnego
tests_unit_test_ntlm_SOURCES = tests/unit/test_ntlm.c tests/clients/gss-check.h
tests_unit_test_ntlm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/gssd
tests_unit_test_ntlm_LDADD = gssd/libgssdauth.a $(OPENSSL_LIBS)
tests_unit_test_spnego_SOURCES = tests/unit/test_spnego.c \
	tests/fuzz/fuzz_spnego.c tests/fuzz/fuzz.h
tests_unit_test_spnego_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/gssd -I$(top_srcdir)/tests/fuzz
tests_unit_test_spnego_LDADD = gssd/libgssdauth.a $(OPENSSL_LIBS)

# The password file.
check_PROGRAMS += tests/unit/test_userdb
TESTS += tests/unit/test_userdb
tests_unit_test_userdb_SOURCES = tests/unit/test_userdb.c
tests_unit_test_userdb_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/gssd
tests_unit_test_userdb_LDADD = gssd/libgssdauth.a $(OPENSSL_LIBS)

# A front end's side of a login (role nfsd or smbd), for test_gssd.sh.
check_PROGRAMS += tests/clients/gss-check
tests_clients_gss_check_SOURCES = tests/clients/gss-check.c \
	tests/clients/gss-check.h
tests_clients_gss_check_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/gssd \
	$(GSSAPI_CFLAGS)
tests_clients_gss_check_LDADD = gssd/libgssdauth.a $(DITTOFS_COMMON_LIBS) \
	$(OPENSSL_LIBS) $(GSSAPI_LIBS)
TESTS += tests/integration/test_gssd.sh
EXTRA_DIST += tests/integration/test_gssd.sh
