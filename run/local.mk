## dittofs-run
sbin_PROGRAMS += run/dittofs-run
run_dittofs_run_SOURCES = run/run.c run/run.h
run_dittofs_run_LDADD = $(DITTOFS_COMMON_LIBS)
