## dittofs-stated's state beyond the lock table (issue 5): client records
## in Berkeley DB, a library the daemon and the unit tests both link.
noinst_LIBRARIES += stated/libclients.a
stated_libclients_a_SOURCES = stated/clients.c stated/clients.h

check_PROGRAMS += tests/unit/test_stated_clients
TESTS += tests/unit/test_stated_clients
tests_unit_test_stated_clients_SOURCES = tests/unit/test_stated_clients.c
tests_unit_test_stated_clients_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/stated
tests_unit_test_stated_clients_LDADD = stated/libclients.a $(DB_LIBS)

## nfsd's duplicate request cache, kept in stated so that it outlives an
## nfsd restart: a pure data structure, tested without the daemon.
noinst_LIBRARIES += stated/libstateddrc.a
stated_libstateddrc_a_SOURCES = stated/drc.c stated/drc.h

check_PROGRAMS += tests/unit/test_stated_drc
TESTS += tests/unit/test_stated_drc
tests_unit_test_stated_drc_SOURCES = tests/unit/test_stated_drc.c
tests_unit_test_stated_drc_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/stated
tests_unit_test_stated_drc_LDADD = stated/libstateddrc.a common/libipcxdr.a \
	$(TIRPC_LIBS)

## Pushes to front ends kept until acknowledged (common/stated_push.x).
noinst_LIBRARIES += stated/libpush.a
stated_libpush_a_SOURCES = stated/push.c stated/push.h

check_PROGRAMS += tests/unit/test_stated_push
TESTS += tests/unit/test_stated_push
tests_unit_test_stated_push_SOURCES = tests/unit/test_stated_push.c
tests_unit_test_stated_push_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/stated
tests_unit_test_stated_push_LDADD = stated/libpush.a
