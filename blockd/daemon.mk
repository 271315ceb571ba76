## dittofs-blockd (the daemon; the store library is in blockd/local.mk)
sbin_PROGRAMS += blockd/dittofs-blockd
blockd_dittofs_blockd_SOURCES = blockd/blockd.c blockd/blockd.h \
	blockd/ops.c
blockd_dittofs_blockd_LDADD = blockd/libblockstore.a $(DITTOFS_COMMON_LIBS) \
	$(DB_LIBS) $(OPENSSL_LIBS)
