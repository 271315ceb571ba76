## stated/: dittofs-stated, and the libraries it is made of, each a pure
## data structure that the daemon and the unit tests both link: the lock
## and share table, the client records, the reply cache.
sbin_PROGRAMS += stated/dittofs-stated
stated_dittofs_stated_SOURCES = stated/stated.c stated/stated.h \
	stated/lock.c stated/grace.c stated/v4.c stated/session.c \
	stated/lease.c stated/durable.c
stated_dittofs_stated_LDADD = stated/libv4state.a \
	stated/libsessiontable.a stated/libgrant.a stated/libclients.a \
	stated/liblocktable.a \
	stated/libstateddrc.a stated/libpush.a \
	$(DITTOFS_COMMON_LIBS) $(DB_LIBS)

# The byte-range lock and share-reservation table (issue 5).
noinst_LIBRARIES += stated/liblocktable.a
stated_liblocktable_a_SOURCES = stated/lock_table.c stated/lock_table.h

check_PROGRAMS += tests/unit/test_lock_table tests/unit/test_lock_model \
	tests/unit/test_share_table
TESTS += tests/unit/test_lock_table tests/unit/test_lock_model \
	tests/unit/test_share_table
tests_unit_test_lock_table_SOURCES = tests/unit/test_lock_table.c
tests_unit_test_lock_table_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_lock_table_LDADD = stated/liblocktable.a
# Randomized against a brute-force model; DITTOFS_SEED and
# DITTOFS_MODEL_OPS override the fixed seed and the operation count.
tests_unit_test_lock_model_SOURCES = tests/unit/test_lock_model.c
tests_unit_test_lock_model_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_lock_model_LDADD = stated/liblocktable.a
tests_unit_test_share_table_SOURCES = tests/unit/test_share_table.c
tests_unit_test_share_table_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_share_table_LDADD = stated/liblocktable.a

# Client records in Berkeley DB (issue 5).
noinst_LIBRARIES += stated/libclients.a
stated_libclients_a_SOURCES = stated/clients.c stated/clients.h

check_PROGRAMS += tests/unit/test_stated_clients
TESTS += tests/unit/test_stated_clients
tests_unit_test_stated_clients_SOURCES = tests/unit/test_stated_clients.c
tests_unit_test_stated_clients_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/stated
tests_unit_test_stated_clients_LDADD = stated/libclients.a $(DB_LIBS)

# nfsd's duplicate request cache, kept in stated so that it outlives an
# nfsd restart.
noinst_LIBRARIES += stated/libstateddrc.a
stated_libstateddrc_a_SOURCES = stated/drc.c stated/drc.h

check_PROGRAMS += tests/unit/test_stated_drc
TESTS += tests/unit/test_stated_drc
tests_unit_test_stated_drc_SOURCES = tests/unit/test_stated_drc.c
tests_unit_test_stated_drc_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/stated
tests_unit_test_stated_drc_LDADD = stated/libstateddrc.a common/libipcxdr.a \
	$(TIRPC_LIBS)

# Pushes to front ends kept until acknowledged (common/stated_push.x).
noinst_LIBRARIES += stated/libpush.a
stated_libpush_a_SOURCES = stated/push.c stated/push.h

check_PROGRAMS += tests/unit/test_stated_push
TESTS += tests/unit/test_stated_push
tests_unit_test_stated_push_SOURCES = tests/unit/test_stated_push.c
tests_unit_test_stated_push_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/stated
tests_unit_test_stated_push_LDADD = stated/libpush.a

# NFSv4.0 clients, owners and state ids on the lock table (issue 23).
noinst_LIBRARIES += stated/libv4state.a
stated_libv4state_a_SOURCES = stated/v4state.c stated/v4state.h

check_PROGRAMS += tests/unit/test_stated_v4
TESTS += tests/unit/test_stated_v4
tests_unit_test_stated_v4_SOURCES = tests/unit/test_stated_v4.c
tests_unit_test_stated_v4_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/stated
tests_unit_test_stated_v4_LDADD = stated/libv4state.a \
	stated/libsessiontable.a stated/libgrant.a stated/libclients.a \
	stated/liblocktable.a $(DB_LIBS)

# v4.1 clients' open, lock and stateid state: v4state on the session table.
check_PROGRAMS += tests/unit/test_v4state41
TESTS += tests/unit/test_v4state41
tests_unit_test_v4state41_SOURCES = tests/unit/test_v4state41.c
tests_unit_test_v4state41_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/stated
tests_unit_test_v4state41_LDADD = stated/libv4state.a \
	stated/libsessiontable.a stated/libgrant.a stated/libclients.a \
	stated/liblocktable.a $(DB_LIBS)

# NFSv4.1 clients, sessions and slot tables (issue 24, stated_session.x);
# its unit test is in tests/local.mk.
noinst_LIBRARIES += stated/libsessiontable.a
stated_libsessiontable_a_SOURCES = stated/session_table.c \
	stated/session_table.h
# Caching grants: NFSv4 delegations, later SMB leases and oplocks.
noinst_LIBRARIES += stated/libgrant.a
stated_libgrant_a_SOURCES = stated/grant.c stated/grant.h

check_PROGRAMS += tests/unit/test_stated_grant
TESTS += tests/unit/test_stated_grant
tests_unit_test_stated_grant_SOURCES = tests/unit/test_stated_grant.c
tests_unit_test_stated_grant_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/stated
tests_unit_test_stated_grant_LDADD = stated/libv4state.a \
	stated/libsessiontable.a stated/libgrant.a \
	stated/libclients.a stated/liblocktable.a $(DB_LIBS)
