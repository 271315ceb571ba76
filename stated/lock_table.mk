## stated's byte-range lock and share-reservation table (issue 5): a pure
## data structure, so it is a library of its own that dittofs-stated and
## the unit tests both link.
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
