## bench/: side-by-side benchmarks against peer servers (issue 4).
## bench/compare runs them; nfsload is its host-side libnfs load generator
## (compare compiles it into the e2e cache itself when the build has none).
if HAVE_LIBNFS
noinst_PROGRAMS += bench/nfsload
bench_nfsload_SOURCES = bench/nfsload.c bench/loadgen.h
bench_nfsload_CFLAGS = $(AM_CFLAGS) $(LIBNFS_CFLAGS)
bench_nfsload_LDADD = $(LIBNFS_LIBS)
endif
# nfs4load: the NFSv4.0 twin of nfsload, a small COMPOUND client of its
# own on plain sockets (libnfs 4.0 cannot send an NFSv4 WRITE above
# about 3.9 KB).
# With sec=krb5, krb5i or krb5p in its URL it speaks RPCSEC_GSS
# (bench/loadgss.h) with nfsd's krb5 mechanism (common/librpcsecgss.a).
noinst_PROGRAMS += bench/nfs4load
bench_nfs4load_SOURCES = bench/nfs4load.c bench/loadgen.h bench/loadnet.h \
	bench/loadgss.h bench/loadgss_init.h
bench_nfs4load_CPPFLAGS = $(AM_CPPFLAGS) $(GSSAPI_CFLAGS)
bench_nfs4load_LDADD = $(RPCSEC_GSS_LIBS) $(DITTOFS_COMMON_LIBS)
dist_noinst_SCRIPTS += bench/compare
EXTRA_DIST += bench/README.md bench/RESULTS.md bench/ours.conf.in \
	bench/nfsload.c bench/loadgen.h

# blockd's own benchmark over IPC (issue 6): bench/blockd-bench runs it.
noinst_PROGRAMS += bench/blockd_bench
bench_blockd_bench_SOURCES = bench/blockd_bench.c tests/clients/bdc.c \
	tests/clients/bdc.h
bench_blockd_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/clients
bench_blockd_bench_LDADD = $(DITTOFS_COMMON_LIBS)
dist_noinst_SCRIPTS += bench/blockd-bench
# smbload: the SMB2/3 load generator of bench/compare's smb_* and
# smbsealed_* rows, a client of its own (NTLMv2, signing, sealing) on
# smbd's wire library and gssd's NTLM cryptography.
noinst_PROGRAMS += bench/smbload
bench_smbload_SOURCES = bench/smbload.c bench/loadgen.h bench/loadnet.h
bench_smbload_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) \
	-I$(top_srcdir)/smbd -I$(top_srcdir)/gssd
bench_smbload_LDADD = smbd/libsmb2.a gssd/libgssdauth.a $(OPENSSL_LIBS)
# gsswrap_bench: MIT's gss_wrap, gss_unwrap and gss_get_mic against nfsd's
# krb5 mechanism (the OpenSSL path of common/krb5_cfx.c) on one context
# made in-process; with -c the cross-check of
# tests/integration/test_krb5_cfx.sh.
noinst_PROGRAMS += bench/gsswrap_bench
bench_gsswrap_bench_SOURCES = bench/gsswrap_bench.c
bench_gsswrap_bench_CPPFLAGS = $(AM_CPPFLAGS) $(GSSAPI_CFLAGS)
bench_gsswrap_bench_LDADD = $(RPCSEC_GSS_LIBS) $(DITTOFS_COMMON_LIBS)
