## dittofsctl
sbin_PROGRAMS += ctl/dittofsctl
ctl_dittofsctl_SOURCES = ctl/ctl.c
ctl_dittofsctl_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/blockd
ctl_dittofsctl_LDADD = blockd/libblockstore.a $(DITTOFS_COMMON_LIBS) \
	$(DB_LIBS) $(OPENSSL_LIBS)
