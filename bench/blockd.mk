## blockd's own benchmark over IPC (issue 6): bench/blockd-bench runs it.
noinst_PROGRAMS += bench/blockd_bench
bench_blockd_bench_SOURCES = bench/blockd_bench.c tests/clients/bdc.c \
	tests/clients/bdc.h
bench_blockd_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/clients
bench_blockd_bench_LDADD = $(DITTOFS_COMMON_LIBS)
dist_noinst_SCRIPTS += bench/blockd-bench
