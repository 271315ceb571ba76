#!/bin/sh
# Build the libFuzzer targets when clang with libFuzzer is there;
# `make fuzz` runs this after `make`.  Then, e.g.:
#   tests/fuzz/fuzz_rpcmsg -max_total_time=60 tests/fuzz/corpus_rpcmsg
set -eu
top_srcdir=${1:-.}
top_builddir=${2:-.}
CC=${CLANG:-clang}
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "fuzz: no clang; skipped (the randomized unit test still runs)"
	exit 0
fi
if ! echo 'int LLVMFuzzerTestOneInput(const char*d,unsigned long n){return 0;}' |
    "$CC" -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
	echo "fuzz: $CC has no libFuzzer; skipped"
	exit 0
fi
SRCS="$top_srcdir/common/xdrbuf.c $top_srcdir/common/rpcmsg.c"
INC="-I$top_srcdir -I$top_srcdir/common -I$top_builddir/common -I$top_srcdir/nfsd -I$top_srcdir/tests/fuzz $(pkg-config --cflags libtirpc)"
# NFSv3's XDR (nfsd/v3/xdr.c): its encoders use the wire library's
# attribute helpers.
NFS3_SRCS="$top_srcdir/nfsd/v3/xdr.c $top_builddir/nfsd/libnfsdwire.a \
    $top_builddir/common/libdittofs.a $top_builddir/common/libipcxdr.a \
    $(pkg-config --libs libtirpc libevent libcap libseccomp)"
for t in rpcmsg nfs3; do
	extra=
	[ "$t" = nfs3 ] && extra=$NFS3_SRCS
	"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -DFUZZ_LIBFUZZER $INC \
	    -o "$top_builddir/tests/fuzz/fuzz_$t" "$top_srcdir/tests/fuzz/fuzz_$t.c" $SRCS $extra
	echo "built $top_builddir/tests/fuzz/fuzz_$t"
done
# The stored ACL encoding (common/acl.c), which blockd decodes.
"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -DFUZZ_LIBFUZZER $INC \
    -o "$top_builddir/tests/fuzz/fuzz_acl" "$top_srcdir/tests/fuzz/fuzz_acl.c" \
    "$top_srcdir/common/acl.c"
echo "built $top_builddir/tests/fuzz/fuzz_acl"
# NLM and NSM: lockd's decoder and statd's state readers, linked with
# the libraries make built (their generated XDR headers are there too).
b=$top_builddir
INC="$INC -I$top_srcdir/lockd -I$b/lockd -I$top_srcdir/statd -I$b/statd $(pkg-config --cflags libevent)"
LIBS="$b/statd/libmonitor.a $b/lockd/libnlmshare.a $b/lockd/libnlmxdr.a $b/common/libdittofs.a $b/common/libipcxdr.a $(pkg-config --libs libtirpc libevent libcap libseccomp)"
for t in nlm nsm; do
	"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -DFUZZ_LIBFUZZER $INC \
	    -o "$b/tests/fuzz/fuzz_$t" "$top_srcdir/tests/fuzz/fuzz_$t.c" \
	    "$top_srcdir/lockd/nlm.c" $LIBS
	echo "built $b/tests/fuzz/fuzz_$t"
done
# statd's NSM procedures end to end (statd/nsm.c on common/rpcsvc.c).
"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -DFUZZ_LIBFUZZER $INC \
    -o "$b/tests/fuzz/fuzz_nsm_proc" "$top_srcdir/tests/fuzz/fuzz_nsm_proc.c" \
    "$top_srcdir/statd/nsm.c" $LIBS
echo "built $b/tests/fuzz/fuzz_nsm_proc"
# SMB2: smbd's wire library (header, chains, credits, NEGOTIATE, CREATE,
# LOCK).
"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -DFUZZ_LIBFUZZER $INC \
    -I"$top_srcdir/smbd" -o "$b/tests/fuzz/fuzz_smb2" \
    "$top_srcdir/tests/fuzz/fuzz_smb2.c" "$top_srcdir/smbd/smb2_hdr.c" \
    "$top_srcdir/smbd/smb2_negotiate.c" "$top_srcdir/smbd/smb2_sign.c" \
    "$top_srcdir/smbd/status.c" "$top_srcdir/smbd/utf16.c" \
    "$top_srcdir/smbd/smb2_lock.c" \
    $(pkg-config --libs libcrypto)
echo "built $b/tests/fuzz/fuzz_smb2"
# smbd's DCE/RPC with srvsvc and wkssvc (smbd/dcerpc.c).
"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -DFUZZ_LIBFUZZER $INC \
    -I"$top_srcdir/smbd" -o "$b/tests/fuzz/fuzz_dcerpc" \
    "$top_srcdir/tests/fuzz/fuzz_dcerpc.c" "$top_srcdir/smbd/dcerpc.c" \
    "$top_srcdir/smbd/srvsvc.c" "$top_srcdir/smbd/wkssvc.c" \
    "$top_srcdir/smbd/utf16.c"
echo "built $b/tests/fuzz/fuzz_dcerpc"
# smbd's security descriptors (smbd/secdesc.c) into the ACL model.
"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -DFUZZ_LIBFUZZER $INC \
    -I"$top_srcdir/smbd" -o "$b/tests/fuzz/fuzz_secdesc" \
    "$top_srcdir/tests/fuzz/fuzz_secdesc.c" "$top_srcdir/smbd/secdesc.c" \
    "$top_srcdir/common/acl.c"
echo "built $b/tests/fuzz/fuzz_secdesc"
# smbd's CREATE context lists and EA chains (smbd/smb2_ea.c).
"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -DFUZZ_LIBFUZZER $INC \
    -I"$top_srcdir/smbd" -o "$b/tests/fuzz/fuzz_smb2_ea" \
    "$top_srcdir/tests/fuzz/fuzz_smb2_ea.c" "$top_srcdir/smbd/smb2_ea.c"
echo "built $b/tests/fuzz/fuzz_smb2_ea"
# gssd's SPNEGO and NTLMSSP parsers (gssd/spnego.c, gssd/ntlm.c).
"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -DFUZZ_LIBFUZZER \
    -I"$top_srcdir/gssd" -I"$top_srcdir/tests/fuzz" \
    -o "$b/tests/fuzz/fuzz_spnego" "$top_srcdir/tests/fuzz/fuzz_spnego.c" \
    "$top_srcdir/gssd/spnego.c" "$top_srcdir/gssd/ntlm.c" \
    "$top_srcdir/gssd/ntcrypto.c" $(pkg-config --libs libcrypto)
echo "built $b/tests/fuzz/fuzz_spnego"
# RPCSEC_GSS: the credential decoder, nfsd's flavour and its callbacks' replies on a fake
# mechanism (common/rpcsec_gss.c).
"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -DFUZZ_LIBFUZZER $INC \
    -o "$b/tests/fuzz/fuzz_rpcsec_gss" "$top_srcdir/tests/fuzz/fuzz_rpcsec_gss.c" \
    "$top_srcdir/common/rpcsec_gss.c" \
    "$top_srcdir/common/rpcsec_gss_clnt.c" $LIBS
echo "built $b/tests/fuzz/fuzz_rpcsec_gss"
# RFC 4121 Wrap and MIC tokens of the AES enctypes (common/krb5_cfx.c).
"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -DFUZZ_LIBFUZZER \
    -I"$top_srcdir/common" -I"$top_srcdir/tests/fuzz" \
    -o "$b/tests/fuzz/fuzz_krb5_cfx" "$top_srcdir/tests/fuzz/fuzz_krb5_cfx.c" \
    "$top_srcdir/common/krb5_cfx.c" "$top_srcdir/common/xdrbuf.c" \
    $(pkg-config --libs libcrypto)
echo "built $b/tests/fuzz/fuzz_krb5_cfx"
