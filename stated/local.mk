## dittofs-stated
sbin_PROGRAMS += stated/dittofs-stated
stated_dittofs_stated_SOURCES = stated/stated.c stated/stated.h \
	stated/lock.c stated/grace.c
stated_dittofs_stated_LDADD = stated/libclients.a stated/liblocktable.a \
	stated/libstateddrc.a stated/libpush.a \
	$(DITTOFS_COMMON_LIBS) $(DB_LIBS)
