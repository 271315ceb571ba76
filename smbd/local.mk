## dittofs-smbd: SMB 2.0.2 to 3.1.1 (MS-SMB2).  The wire code (header,
## compound chains, credits, NEGOTIATE, signing, names, statuses) is a
## library of its own so that unit tests and the fuzz target link it.
noinst_LIBRARIES += smbd/libsmb2.a
smbd_libsmb2_a_SOURCES = smbd/smb2.h smbd/status.h smbd/smb2_hdr.c \
	smbd/smb2_negotiate.c smbd/smb2_sign.c smbd/smb2_crypt.c smbd/status.c \
	smbd/utf16.c smbd/smb2_lock.c smbd/smb2_lock.h smbd/smb2_lease.c \
	smbd/smb2_lease.h smbd/dcerpc.h smbd/dcerpc.c smbd/srvsvc.c smbd/wkssvc.c \
	smbd/secdesc.c smbd/secdesc.h smbd/smb2_durable.c smbd/smb2_durable.h \
	smbd/smb2_notify.c smbd/smb2_notify.h smbd/smb2_stream.c \
	smbd/smb2_stream.h smbd/smb2_ea.c smbd/smb2_ea.h smbd/smb2_shortname.c \
	smbd/smb2_shortname.h smbd/smb2_filetime.c smbd/smb2_filetime.h \
	smbd/smb2_tunnel.c smbd/smb2_tunnel.h
smbd_libsmb2_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)

sbin_PROGRAMS += smbd/dittofs-smbd
smbd_dittofs_smbd_SOURCES = smbd/smbd.c smbd/smbd.h smbd/conn.c \
	smbd/proc.c smbd/file.c smbd/lock.c smbd/ipc.c smbd/control.c \
	smbd/security.c smbd/lease.c smbd/durable.c smbd/notify.c \
	smbd/stream.c common/casefold.c common/casefold.h common/casefold_table.h \
	smbd/fdstore.c smbd/create_ctx.c smbd/copychunk.c
smbd_dittofs_smbd_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
smbd_dittofs_smbd_LDADD = smbd/libsmb2.a $(DITTOFS_COMMON_LIBS) \
	$(OPENSSL_LIBS)

SMBD_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/smbd -I$(top_srcdir)/tests/fuzz
SMBD_TEST_LIBS = smbd/libsmb2.a $(DITTOFS_COMMON_LIBS) $(OPENSSL_LIBS)

# The wire code: header, chains, credits, NEGOTIATE; keys and signing.
check_PROGRAMS += tests/unit/test_smb2_hdr tests/unit/test_smb2_negotiate \
	tests/unit/test_smb2_sign
TESTS += tests/unit/test_smb2_hdr tests/unit/test_smb2_negotiate \
	tests/unit/test_smb2_sign
tests_unit_test_smb2_hdr_SOURCES = tests/unit/test_smb2_hdr.c \
	tests/fuzz/fuzz_smb2.c tests/fuzz/fuzz.h
tests_unit_test_smb2_hdr_CPPFLAGS = $(SMBD_TEST_CPPFLAGS) -DFUZZ_NO_MAIN
tests_unit_test_smb2_hdr_LDADD = $(SMBD_TEST_LIBS)
tests_unit_test_smb2_negotiate_SOURCES = tests/unit/test_smb2_negotiate.c
tests_unit_test_smb2_negotiate_CPPFLAGS = $(SMBD_TEST_CPPFLAGS)
tests_unit_test_smb2_negotiate_LDADD = $(SMBD_TEST_LIBS)
# LOCK's decoder, share bits, Windows' byte-range rules.
check_PROGRAMS += tests/unit/test_smb2_lock
TESTS += tests/unit/test_smb2_lock
tests_unit_test_smb2_lock_SOURCES = tests/unit/test_smb2_lock.c
tests_unit_test_smb2_lock_CPPFLAGS = $(SMBD_TEST_CPPFLAGS)
tests_unit_test_smb2_lock_LDADD = $(SMBD_TEST_LIBS)
# Oplocks and leases on the wire: create contexts, breaks, their rules.
# CHANGE_NOTIFY's request and FILE_NOTIFY_INFORMATION entries.
check_PROGRAMS += tests/unit/test_smb2_notify
TESTS += tests/unit/test_smb2_notify
tests_unit_test_smb2_notify_SOURCES = tests/unit/test_smb2_notify.c
tests_unit_test_smb2_notify_CPPFLAGS = $(SMBD_TEST_CPPFLAGS)
tests_unit_test_smb2_notify_LDADD = $(SMBD_TEST_LIBS)
# Stream names in a CREATE's path and FileStreamInformation's entries.
check_PROGRAMS += tests/unit/test_smb2_stream
TESTS += tests/unit/test_smb2_stream
tests_unit_test_smb2_stream_SOURCES = tests/unit/test_smb2_stream.c
tests_unit_test_smb2_stream_CPPFLAGS = $(SMBD_TEST_CPPFLAGS)
tests_unit_test_smb2_stream_LDADD = $(SMBD_TEST_LIBS)
# 8.3 names: their rule, and no two alike in a directory.
check_PROGRAMS += tests/unit/test_smb2_shortname
TESTS += tests/unit/test_smb2_shortname
tests_unit_test_smb2_shortname_SOURCES = tests/unit/test_smb2_shortname.c
tests_unit_test_smb2_shortname_CPPFLAGS = $(SMBD_TEST_CPPFLAGS)
tests_unit_test_smb2_shortname_LDADD = $(SMBD_TEST_LIBS)
# The tunnel cache of 8.3 names: found where and while it should be.
check_PROGRAMS += tests/unit/test_smb2_tunnel
TESTS += tests/unit/test_smb2_tunnel
tests_unit_test_smb2_tunnel_SOURCES = tests/unit/test_smb2_tunnel.c
tests_unit_test_smb2_tunnel_CPPFLAGS = $(SMBD_TEST_CPPFLAGS)
tests_unit_test_smb2_tunnel_LDADD = $(SMBD_TEST_LIBS)
# FILETIME and the store's times, before 1970 and at the ends.
check_PROGRAMS += tests/unit/test_smb2_filetime
TESTS += tests/unit/test_smb2_filetime
tests_unit_test_smb2_filetime_SOURCES = tests/unit/test_smb2_filetime.c
tests_unit_test_smb2_filetime_CPPFLAGS = $(SMBD_TEST_CPPFLAGS)
tests_unit_test_smb2_filetime_LDADD = $(SMBD_TEST_LIBS)
check_PROGRAMS += tests/unit/test_smb2_durable
TESTS += tests/unit/test_smb2_durable
tests_unit_test_smb2_durable_SOURCES = tests/unit/test_smb2_durable.c
tests_unit_test_smb2_durable_CPPFLAGS = $(SMBD_TEST_CPPFLAGS)
tests_unit_test_smb2_durable_LDADD = $(SMBD_TEST_LIBS)
check_PROGRAMS += tests/unit/test_smb2_lease
TESTS += tests/unit/test_smb2_lease
tests_unit_test_smb2_lease_SOURCES = tests/unit/test_smb2_lease.c
tests_unit_test_smb2_lease_CPPFLAGS = $(SMBD_TEST_CPPFLAGS)
tests_unit_test_smb2_lease_LDADD = $(SMBD_TEST_LIBS)
tests_unit_test_smb2_sign_SOURCES = tests/unit/test_smb2_sign.c \
	tests/unit/smb2_kbkdf.h
tests_unit_test_smb2_sign_CPPFLAGS = $(SMBD_TEST_CPPFLAGS)
tests_unit_test_smb2_sign_LDADD = $(SMBD_TEST_LIBS)

# SMB3 encryption (smbd/smb2_crypt.c): keys and transforms against
# known answers (tests/unit/gen_smb2_crypt.py made them), tampering,
# and the fuzz target over transforms.
check_PROGRAMS += tests/unit/test_smb2_crypt
TESTS += tests/unit/test_smb2_crypt
tests_unit_test_smb2_crypt_SOURCES = tests/unit/test_smb2_crypt.c \
	tests/unit/smb2_crypt_vectors.h tests/unit/smb2_kbkdf.h \
	tests/fuzz/fuzz_smb2.c tests/fuzz/fuzz.h
tests_unit_test_smb2_crypt_CPPFLAGS = $(SMBD_TEST_CPPFLAGS) -DFUZZ_NO_MAIN
tests_unit_test_smb2_crypt_LDADD = $(SMBD_TEST_LIBS)
EXTRA_DIST += tests/unit/gen_smb2_crypt.py

# DCE/RPC and NDR, srvsvc and wkssvc (smbd/dcerpc.h), with the fuzz
# target of the PDU and NDR decoders over random and mutated input.
check_PROGRAMS += tests/unit/test_dcerpc
TESTS += tests/unit/test_dcerpc
tests_unit_test_dcerpc_SOURCES = tests/unit/test_dcerpc.c \
	tests/fuzz/fuzz_dcerpc.c tests/fuzz/fuzz.h
tests_unit_test_dcerpc_CPPFLAGS = $(SMBD_TEST_CPPFLAGS) -DFUZZ_NO_MAIN
tests_unit_test_dcerpc_LDADD = $(SMBD_TEST_LIBS)

# The context list of a CREATE and EA chains (smbd/smb2_ea.c), with the
# fuzz target over random and mutated input.
check_PROGRAMS += tests/unit/test_smb2_ea
TESTS += tests/unit/test_smb2_ea
tests_unit_test_smb2_ea_SOURCES = tests/unit/test_smb2_ea.c \
	tests/fuzz/fuzz_smb2_ea.c tests/fuzz/fuzz.h
tests_unit_test_smb2_ea_CPPFLAGS = $(SMBD_TEST_CPPFLAGS) -DFUZZ_NO_MAIN
tests_unit_test_smb2_ea_LDADD = $(SMBD_TEST_LIBS)

# The daemon on loopback: privilege drop, our SMB2 client's checks, and
# smbclient through gssd when gssd is there.
TESTS += tests/integration/test_smbd.sh
EXTRA_DIST += tests/integration/test_smbd.sh tests/clients/smb2probe.py \
	tests/clients/gssd-stub.py
# SMB and NFS on one file: locks both ways with NLM, share modes against
# NFSv4 OPEN, what a killed smbd left freed by the next.
TESTS += tests/integration/test_smb_cross.sh
EXTRA_DIST += tests/integration/test_smb_cross.sh
# Durable handles v1 and v2 in stated, through kill -9 of smbd.
TESTS += tests/integration/test_smb_durable.sh
EXTRA_DIST += tests/integration/test_smb_durable.sh
# kill -9 of smbd under a sending client: its connection is held in
# dittofs-run's descriptor store and ended cleanly, never reset.
TESTS += tests/integration/test_smb_restart.sh
EXTRA_DIST += tests/integration/test_smb_restart.sh
# CHANGE_NOTIFY fed by SMB's and NFSv3's changes; smbtorture smb2.notify.
TESTS += tests/integration/test_smb_notify.sh
EXTRA_DIST += tests/integration/test_smb_notify.sh

# CREATE's MxAc, QFid, AlSi, ExtA, AppInstanceId; EAs by QUERY_INFO and
# SET_INFO; smbtorture's subtests of them.
TESTS += tests/integration/test_smb_create.sh
EXTRA_DIST += tests/integration/test_smb_create.sh

# Security descriptors <-> the store's ACL model, with the parser's
# fuzz target over random and mutated descriptors.
check_PROGRAMS += tests/unit/test_secdesc
TESTS += tests/unit/test_secdesc
tests_unit_test_secdesc_SOURCES = tests/unit/test_secdesc.c \
	tests/fuzz/fuzz_secdesc.c tests/fuzz/fuzz.h
tests_unit_test_secdesc_CPPFLAGS = $(SMBD_TEST_CPPFLAGS) -DFUZZ_NO_MAIN
tests_unit_test_secdesc_LDADD = $(SMBD_TEST_LIBS)
# Security descriptors with smbcacls, seen over NFSv4 and enforced over
# NFSv3; DOS attributes with smbclient's setmode.
TESTS += tests/integration/test_smb_acl.sh
EXTRA_DIST += tests/integration/test_smb_acl.sh
