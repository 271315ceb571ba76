## common/: the library every daemon and tool links.

# rpcgen output for the IPC message bodies.
common/ipc_msg.h: common/ipc_msg.x
	$(AM_V_GEN)$(MKDIR_P) common && rm -f $@ && \
	  $(RPCGEN) -h -o $@ $(srcdir)/common/ipc_msg.x
common/ipc_msg_xdr.c: common/ipc_msg.x common/ipc_msg.h
	$(AM_V_GEN)$(MKDIR_P) common && rm -f $@ && \
	  $(RPCGEN) -c -o $@.tmp $(srcdir)/common/ipc_msg.x && \
	  sed 's|#include ".*ipc_msg.h"|#include "ipc_msg.h"|' $@.tmp > $@ && \
	  rm -f $@.tmp

common/blockd_msg.h: common/blockd_msg.x
	$(AM_V_GEN)$(MKDIR_P) common && rm -f $@ && \
	  $(RPCGEN) -h -o $@ $(srcdir)/common/blockd_msg.x
common/blockd_msg_xdr.c: common/blockd_msg.x common/blockd_msg.h
	$(AM_V_GEN)$(MKDIR_P) common && rm -f $@ && \
	  $(RPCGEN) -c -o $@.tmp $(srcdir)/common/blockd_msg.x && \
	  sed 's|#include ".*blockd_msg.h"|#include "blockd_msg.h"|' $@.tmp > $@ && \
	  rm -f $@.tmp

BUILT_SOURCES += common/ipc_msg.h common/ipc_msg_xdr.c \
	common/blockd_msg.h common/blockd_msg_xdr.c
CLEANFILES += common/ipc_msg.h common/ipc_msg_xdr.c \
	common/blockd_msg.h common/blockd_msg_xdr.c
EXTRA_DIST += common/ipc_msg.x common/blockd_msg.x

# Generated XDR code is not ours to warn about.
noinst_LIBRARIES += common/libipcxdr.a
nodist_common_libipcxdr_a_SOURCES = common/ipc_msg_xdr.c common/ipc_msg.h \
	common/blockd_msg_xdr.c common/blockd_msg.h
common_libipcxdr_a_CFLAGS = -std=gnu11 -w

noinst_LIBRARIES += common/libdittofs.a
common_libdittofs_a_SOURCES = \
	common/log.c common/log.h \
	common/conf.c common/conf.h \
	common/ipc.c common/ipc.h \
	common/sandbox.c common/sandbox.h \
	common/daemon.c common/daemon.h \
	common/util.c common/util.h
common_libdittofs_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCAP_CFLAGS) $(SECCOMP_CFLAGS)

# What a program linking libdittofs needs.
DITTOFS_COMMON_LIBS = common/libdittofs.a common/libipcxdr.a \
	$(LIBEVENT_LIBS) $(TIRPC_LIBS) $(LIBCAP_LIBS) $(SECCOMP_LIBS)
