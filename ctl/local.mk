## dittofsctl
sbin_PROGRAMS += ctl/dittofsctl
ctl_dittofsctl_SOURCES = ctl/ctl.c
ctl_dittofsctl_LDADD = $(DITTOFS_COMMON_LIBS)
