## common/: the library every daemon and tool links.

IPC_MESSAGES = common/ipc_msg common/blockd_msg common/stated_msg
BUILT_SOURCES += $(IPC_MESSAGES:=.h) $(IPC_MESSAGES:=_xdr.c)
CLEANFILES += $(IPC_MESSAGES:=.h) $(IPC_MESSAGES:=_xdr.c)
EXTRA_DIST += $(IPC_MESSAGES:=.x)

# Generated XDR code is not ours to warn about.
noinst_LIBRARIES += common/libipcxdr.a
nodist_common_libipcxdr_a_SOURCES = $(IPC_MESSAGES:=_xdr.c) \
	$(IPC_MESSAGES:=.h)
common_libipcxdr_a_CFLAGS = -std=gnu11 -w

noinst_LIBRARIES += common/libdittofs.a
common_libdittofs_a_SOURCES = \
	common/log.c common/log.h \
	common/conf.c common/conf.h \
	common/ipc.c common/ipc.h \
	common/sandbox.c common/sandbox.h \
	common/daemon.c common/daemon.h \
	common/util.c common/util.h common/perm.h \
	common/rpcbind.c common/rpcbind.h \
	common/syncer.c common/syncer.h \
	common/xdrbuf.c common/xdrbuf.h \
	common/rpcmsg.c common/rpcmsg.h \
	common/connlimit.c common/connlimit.h
common_libdittofs_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCAP_CFLAGS) \
	$(SECCOMP_CFLAGS) $(TIRPC_CFLAGS)

# What a program linking libdittofs needs.
DITTOFS_COMMON_LIBS = common/libdittofs.a common/libipcxdr.a \
	$(LIBEVENT_LIBS) $(TIRPC_LIBS) $(LIBCAP_LIBS) $(SECCOMP_LIBS)

