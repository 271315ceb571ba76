## dittofsctl
sbin_PROGRAMS += ctl/dittofsctl
ctl_dittofsctl_SOURCES = ctl/ctl.c
ctl_dittofsctl_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/blockd \
	-I$(top_srcdir)/gssd
ctl_dittofsctl_LDADD = blockd/libblockstore.a gssd/libgssdauth.a \
	$(DITTOFS_COMMON_LIBS) \
	$(DB_LIBS) $(OPENSSL_LIBS)
