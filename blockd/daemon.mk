## dittofs-blockd (the daemon; the store library is in blockd/local.mk)
sbin_PROGRAMS += blockd/dittofs-blockd
blockd_dittofs_blockd_SOURCES = blockd/blockd.c blockd/blockd.h
blockd_dittofs_blockd_LDADD = $(DITTOFS_COMMON_LIBS)
