## bench/: side-by-side benchmarks against peer servers (issue 4).
## bench/compare runs them; nfsload is its host-side libnfs load generator
## (compare compiles it into the e2e cache itself when the build has none).
if HAVE_LIBNFS
noinst_PROGRAMS += bench/nfsload
bench_nfsload_SOURCES = bench/nfsload.c
bench_nfsload_CFLAGS = $(AM_CFLAGS) $(LIBNFS_CFLAGS)
bench_nfsload_LDADD = $(LIBNFS_LIBS)
endif
dist_noinst_SCRIPTS += bench/compare
EXTRA_DIST += bench/README.md bench/RESULTS.md bench/ours.conf.in \
	bench/nfsload.c
