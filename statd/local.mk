## dittofs-statd: NSM v1 (issue 5).  Its XDR code comes from
## lockd/local.mk (libnlmxdr.a), its RPC server from common/rpcsvc.c.
noinst_LIBRARIES += statd/libmonitor.a
statd_libmonitor_a_SOURCES = statd/monitor.c statd/monitor.h

sbin_PROGRAMS += statd/dittofs-statd
statd_dittofs_statd_SOURCES = statd/statd.c statd/statd.h statd/nsm.c
statd_dittofs_statd_CPPFLAGS = $(LOCKD_CPPFLAGS) -I$(top_srcdir)/statd
statd_dittofs_statd_LDADD = statd/libmonitor.a lockd/libnlmshare.a \
	lockd/libnlmxdr.a $(DITTOFS_COMMON_LIBS)

# Unit tests: NLM and NSM decoding, the RPC header, statd's state file.
check_PROGRAMS += tests/unit/test_nlm_decode tests/unit/test_nsm_monitor
TESTS += tests/unit/test_nlm_decode tests/unit/test_nsm_monitor
tests_unit_test_nlm_decode_SOURCES = tests/unit/test_nlm_decode.c lockd/nlm.c
tests_unit_test_nlm_decode_CPPFLAGS = $(LOCKD_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_test_nlm_decode_LDADD = lockd/libnlmshare.a lockd/libnlmxdr.a \
	$(DITTOFS_COMMON_LIBS)
# The NLM and NSM fuzz targets on a pseudo-random corpus (no libFuzzer).
check_PROGRAMS += tests/unit/test_nlm_fuzz
TESTS += tests/unit/test_nlm_fuzz
tests_unit_test_nlm_fuzz_SOURCES = tests/unit/test_nlm_fuzz.c \
	tests/fuzz/fuzz_nlm.c tests/fuzz/fuzz_nsm.c tests/fuzz/fuzz.h \
	lockd/nlm.c
tests_unit_test_nlm_fuzz_CPPFLAGS = $(LOCKD_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/tests/fuzz -I$(top_srcdir)/statd
tests_unit_test_nlm_fuzz_LDADD = statd/libmonitor.a lockd/libnlmshare.a \
	lockd/libnlmxdr.a $(DITTOFS_COMMON_LIBS)
tests_unit_test_nsm_monitor_SOURCES = tests/unit/test_nsm_monitor.c
tests_unit_test_nsm_monitor_CPPFLAGS = $(LOCKD_CPPFLAGS) \
	-I$(top_srcdir)/tests -I$(top_srcdir)/statd
tests_unit_test_nsm_monitor_LDADD = statd/libmonitor.a lockd/libnlmxdr.a \
	$(DITTOFS_COMMON_LIBS)
# statd's NSM procedures (nsm.c) end to end under fuzzing, through the
# RPC server they run on.
check_PROGRAMS += tests/unit/test_nsm_fuzz
TESTS += tests/unit/test_nsm_fuzz
tests_unit_test_nsm_fuzz_SOURCES = tests/unit/test_nsm_fuzz.c \
	tests/fuzz/fuzz_nsm_proc.c tests/fuzz/fuzz.h statd/nsm.c statd/statd.h
tests_unit_test_nsm_fuzz_CPPFLAGS = $(LOCKD_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/tests/fuzz -I$(top_srcdir)/statd
tests_unit_test_nsm_fuzz_LDADD = statd/libmonitor.a lockd/libnlmxdr.a \
	$(DITTOFS_COMMON_LIBS)
