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
