/* nfsd/xdrbuf.c and nfsd/v3/xdr.c: lengths are checked, not trusted. */
#include <stdint.h>
#include <string.h>

#include "v3/nfs3.h"
#include "tap.h"

static size_t
put32(uint8_t *p, size_t off, uint32_t v)
{
	p[off] = (uint8_t)(v >> 24);
	p[off + 1] = (uint8_t)(v >> 16);
	p[off + 2] = (uint8_t)(v >> 8);
	p[off + 3] = (uint8_t)v;
	return off + 4;
}

int
main(void)
{
	uint8_t b[256];
	struct xdrbuf_in x;
	struct xdrbuf_out o;
	struct nfs3_args a;
	const uint8_t *p;
	uint32_t v, len;
	uint64_t v64;
	size_t n;
	int bo;

	/* Primitive decoders. */
	n = put32(b, 0, 0xdeadbeef);
	xdrbuf_in_init(&x, b, 3);
	tap_ok(xdrbuf_get_u32(&x, &v) == -1, "u32 from 3 bytes fails");
	xdrbuf_in_init(&x, b, n);
	tap_ok(xdrbuf_get_u32(&x, &v) == 0 && v == 0xdeadbeef, "u32 decodes");
	xdrbuf_in_init(&x, b, 4);
	tap_ok(xdrbuf_get_u64(&x, &v64) == -1, "u64 from 4 bytes fails");
	put32(b, 0, 2);
	xdrbuf_in_init(&x, b, 4);
	tap_ok(xdrbuf_get_bool(&x, &bo) == -1, "bool 2 is not a bool");
	/* Opaque whose length runs past the end, or 4 GiB. */
	put32(b, 0, 5);
	memcpy(b + 4, "abcd", 4);
	xdrbuf_in_init(&x, b, 8);
	tap_ok(xdrbuf_get_opaque(&x, &p, &len, 64) == -1 && x.pos == 0,
	    "opaque of 5 bytes with 4 left fails and consumes nothing");
	put32(b, 0, 0xffffffff);
	xdrbuf_in_init(&x, b, 8);
	tap_ok(xdrbuf_get_opaque(&x, &p, &len, UINT32_MAX) == -1,
	    "opaque of 4 GiB fails");
	put32(b, 0, 65);
	memset(b + 4, 'x', 68);
	xdrbuf_in_init(&x, b, 72);
	tap_ok(xdrbuf_get_opaque(&x, &p, &len, 64) == -1,
	    "opaque over its maximum fails");
	put32(b, 0, 3);
	memcpy(b + 4, "abc", 4);
	xdrbuf_in_init(&x, b, 7);
	tap_ok(xdrbuf_get_opaque(&x, &p, &len, 64) == -1,
	    "opaque missing its padding fails");
	xdrbuf_in_init(&x, b, 8);
	tap_ok(xdrbuf_get_opaque(&x, &p, &len, 64) == 0 && len == 3 &&
	    memcmp(p, "abc", 3) == 0 && x.pos == 8, "opaque with padding");

	/* Encoders. */
	xdrbuf_out_init(&o);
	xdrbuf_put_opaque(&o, "abcde", 5);
	xdrbuf_put_u64(&o, 0x0102030405060708ull);
	tap_ok(o.len == 4 + 8 + 8 && o.buf[3] == 5 && o.buf[9] == 0 &&
	    o.buf[12] == 1 && o.buf[19] == 8, "encode opaque (padded) + u64");
	xdrbuf_out_free(&o);

	/* NFSv3 arguments. */
	n = put32(b, 0, 8);
	memset(b + n, 1, 8);
	n += 8;
	xdrbuf_in_init(&x, b, n);
	tap_ok(nfs3_xdr_decode_args(1, &x, &a) == 0 && a.fhlen == 8,
	    "GETATTR args");
	xdrbuf_in_init(&x, b, n - 1);
	tap_ok(nfs3_xdr_decode_args(1, &x, &a) == -1, "truncated GETATTR args");
	n = put32(b, 0, 65);
	memset(b + 4, 1, 68);
	xdrbuf_in_init(&x, b, 72);
	tap_ok(nfs3_xdr_decode_args(1, &x, &a) == -1,
	    "a 65-byte handle is garbage");
	xdrbuf_in_init(&x, b, 0);
	tap_ok(nfs3_xdr_decode_args(22, &x, &a) == -1, "procedure 22 has no args");
	/* WRITE whose count and data length disagree. */
	n = put32(b, 0, 4);
	n = put32(b, n, 0xaabbccdd);
	n = put32(b, n, 0);
	n = put32(b, n, 0);	/* offset */
	n = put32(b, n, 9);	/* count */
	n = put32(b, n, 0);	/* UNSTABLE */
	n = put32(b, n, 4);
	n = put32(b, n, 0x41424344);
	xdrbuf_in_init(&x, b, n);
	tap_ok(nfs3_xdr_decode_args(7, &x, &a) == -1,
	    "WRITE with count 9 and 4 data bytes is garbage");
	put32(b, 16, 4);
	xdrbuf_in_init(&x, b, n);
	tap_ok(nfs3_xdr_decode_args(7, &x, &a) == 0 && a.datalen == 4 &&
	    memcmp(a.data, "ABCD", 4) == 0, "WRITE args");
	put32(b, 20, 3);	/* stable_how 3 */
	xdrbuf_in_init(&x, b, n);
	tap_ok(nfs3_xdr_decode_args(7, &x, &a) == -1, "stable_how 3 is garbage");
	/* SETATTR with a bad time_how. */
	n = put32(b, 0, 4);
	n = put32(b, n, 1);
	n = put32(b, n, 0);
	n = put32(b, n, 0);
	n = put32(b, n, 0);
	n = put32(b, n, 0);
	n = put32(b, n, 3);	/* atime how 3 */
	n = put32(b, n, 0);
	n = put32(b, n, 0);
	xdrbuf_in_init(&x, b, n);
	tap_ok(nfs3_xdr_decode_args(2, &x, &a) == -1, "set_atime 3 is garbage");
	put32(b, 24, 1);
	xdrbuf_in_init(&x, b, n);
	tap_ok(nfs3_xdr_decode_args(2, &x, &a) == 0 && a.sattr.atime_how == 1,
	    "SETATTR args");
	/* CREATE EXCLUSIVE: the verifier. */
	n = put32(b, 0, 4);
	n = put32(b, n, 1);
	n = put32(b, n, 1);
	n = put32(b, n, 0x61000000);
	n = put32(b, n, 2);
	memcpy(b + n, "VERIFIER", 8);
	n += 8;
	xdrbuf_in_init(&x, b, n);
	tap_ok(nfs3_xdr_decode_args(8, &x, &a) == 0 && a.createhow == 2 &&
	    memcmp(a.verf, "VERIFIER", 8) == 0 && a.where.namelen == 1,
	    "CREATE EXCLUSIVE args");
	xdrbuf_in_init(&x, b, n - 1);
	tap_ok(nfs3_xdr_decode_args(8, &x, &a) == -1, "truncated verifier");
	return tap_done();
}
