## blockd/: the file system store library (Berkeley DB metadata, backing
## files), its unit, model, crash and fsck tests, a direct-call bench,
## and dittofs-blockd, the daemon around the store.

noinst_LIBRARIES += blockd/libblockstore.a
blockd_libblockstore_a_SOURCES = blockd/store.h blockd/store_int.h \
	blockd/store.c blockd/store_db.c blockd/store_backing.c \
	blockd/store_inode.c blockd/store_dir.c blockd/store_xattr.c \
	blockd/store_share.c blockd/store_upgrade.c \
	blockd/store_ops.c blockd/store_open.c blockd/store_stream.c \
	blockd/store_xattr_ops.c \
	blockd/handle.c blockd/fsck.c \
	common/acl.c common/acl.h common/casefold.c common/casefold.h common/casefold_table.h
blockd_libblockstore_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)

BLOCKSTORE_TEST_LIBS = blockd/libblockstore.a $(DB_LIBS) $(OPENSSL_LIBS)
BLOCKSTORE_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests

check_PROGRAMS += tests/unit/test_store tests/unit/test_handle \
	tests/unit/test_fsck tests/unit/test_store_crash tests/unit/store_model \
	tests/unit/test_store_open
TESTS += tests/unit/test_store tests/unit/test_handle \
	tests/unit/test_fsck tests/unit/test_store_crash tests/unit/store_model \
	tests/unit/test_store_open

tests_unit_test_store_open_SOURCES = tests/unit/test_store_open.c
tests_unit_test_store_open_CPPFLAGS = $(BLOCKSTORE_TEST_CPPFLAGS)
tests_unit_test_store_open_LDADD = $(BLOCKSTORE_TEST_LIBS)

tests_unit_test_store_SOURCES = tests/unit/test_store.c
tests_unit_test_store_CPPFLAGS = $(BLOCKSTORE_TEST_CPPFLAGS)
tests_unit_test_store_LDADD = $(BLOCKSTORE_TEST_LIBS)

tests_unit_test_handle_SOURCES = tests/unit/test_handle.c
tests_unit_test_handle_CPPFLAGS = $(BLOCKSTORE_TEST_CPPFLAGS)
tests_unit_test_handle_LDADD = $(BLOCKSTORE_TEST_LIBS)

tests_unit_test_fsck_SOURCES = tests/unit/test_fsck.c
tests_unit_test_fsck_CPPFLAGS = $(BLOCKSTORE_TEST_CPPFLAGS)
tests_unit_test_fsck_LDADD = $(BLOCKSTORE_TEST_LIBS)

tests_unit_test_store_crash_SOURCES = tests/unit/test_store_crash.c
tests_unit_test_store_crash_CPPFLAGS = $(BLOCKSTORE_TEST_CPPFLAGS)
tests_unit_test_store_crash_LDADD = $(BLOCKSTORE_TEST_LIBS)

tests_unit_store_model_SOURCES = tests/unit/store_model.c
tests_unit_store_model_CPPFLAGS = $(BLOCKSTORE_TEST_CPPFLAGS)
tests_unit_store_model_LDADD = $(BLOCKSTORE_TEST_LIBS)

# Direct calls, no IPC: what the store itself costs.  Not a test.
noinst_PROGRAMS += bench/blockd_store_bench
bench_blockd_store_bench_SOURCES = bench/blockd_store_bench.c
bench_blockd_store_bench_LDADD = $(BLOCKSTORE_TEST_LIBS)

# dittofs-blockd: the daemon around the store.
sbin_PROGRAMS += blockd/dittofs-blockd
blockd_dittofs_blockd_SOURCES = blockd/blockd.c blockd/blockd.h \
	blockd/ops.c
blockd_dittofs_blockd_LDADD = blockd/libblockstore.a $(DITTOFS_COMMON_LIBS) \
	$(DB_LIBS) $(OPENSSL_LIBS)
