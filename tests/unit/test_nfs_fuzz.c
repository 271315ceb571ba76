/*
 * The fuzz targets of tests/fuzz/ on random bytes and on mutations of
 * valid calls, for builds without libFuzzer.  A decoder bug shows as a
 * crash (or an ASan report with --enable-sanitizers).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tap.h"

static uint32_t fuzz_state = 0x9e3779b9u;

static uint32_t
fuzz_rand(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 17;
	fuzz_state ^= fuzz_state << 5;
	return fuzz_state;
}

static size_t
put32(uint8_t *p, size_t off, uint32_t v)
{
	p[off] = (uint8_t)(v >> 24);
	p[off + 1] = (uint8_t)(v >> 16);
	p[off + 2] = (uint8_t)(v >> 8);
	p[off + 3] = (uint8_t)v;
	return off + 4;
}

/* A valid AUTH_UNIX call header then a WRITE-like body, as a seed. */
static size_t
seed_call(uint8_t *p)
{
	size_t n = 0;

	n = put32(p, n, 7);		/* xid */
	n = put32(p, n, 0);
	n = put32(p, n, 2);
	n = put32(p, n, 100003);
	n = put32(p, n, 3);
	n = put32(p, n, 7);
	n = put32(p, n, 1);		/* AUTH_UNIX */
	n = put32(p, n, 28);
	n = put32(p, n, 0);
	n = put32(p, n, 4);
	memcpy(p + n, "host", 4);
	n += 4;
	n = put32(p, n, 1000);
	n = put32(p, n, 1000);
	n = put32(p, n, 1);
	n = put32(p, n, 1000);
	n = put32(p, n, 0);
	n = put32(p, n, 0);
	return n;
}

static size_t
seed_args(uint8_t *p)
{
	size_t n = 1, i;

	p[0] = 7;			/* WRITE */
	n = put32(p, n, 8);
	for (i = 0; i < 8; i++)
		p[n++] = (uint8_t)i;
	n = put32(p, n, 0);
	n = put32(p, n, 4096);
	n = put32(p, n, 5);
	n = put32(p, n, 0);
	n = put32(p, n, 5);
	memcpy(p + n, "hello\0\0\0", 8);
	return n + 8;
}

int
main(void)
{
	uint8_t buf[512], seed[512];
	size_t len, seedlen, i, j;
	int iters = getenv("FUZZ_ITERATIONS") ? atoi(getenv("FUZZ_ITERATIONS")) :
	    200000;

	for (i = 0; i < (size_t)iters; i++) {
		len = fuzz_rand() % sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)fuzz_rand();
		fuzz_rpcmsg_one(buf, len);
		fuzz_nfs3_one(buf, len);
	}
	tap_ok(1, "%d random inputs: no crash", iters);

	seedlen = seed_call(seed);
	for (i = 0; i < (size_t)iters; i++) {
		memcpy(buf, seed, seedlen);
		len = seedlen;
		for (j = fuzz_rand() % 4 + 1; j > 0; j--)
			buf[fuzz_rand() % seedlen] = (uint8_t)fuzz_rand();
		if (fuzz_rand() % 4 == 0)
			len = fuzz_rand() % (seedlen + 1);
		fuzz_rpcmsg_one(buf, len);
	}
	tap_ok(1, "%d mutated RPC call headers: no crash", iters);

	for (int p = 0; p < 24; p++) {
		seedlen = seed_args(seed);
		for (i = 0; i < (size_t)iters / 24; i++) {
			memcpy(buf, seed, seedlen);
			buf[0] = (uint8_t)p;
			len = seedlen;
			for (j = fuzz_rand() % 3 + 1; j > 0; j--)
				buf[1 + fuzz_rand() % (seedlen - 1)] =
				    (uint8_t)fuzz_rand();
			if (fuzz_rand() % 3 == 0)
				len = fuzz_rand() % (seedlen + 1);
			fuzz_nfs3_one(buf, len);
		}
	}
	tap_ok(1, "mutated arguments of every NFSv3 procedure: no crash");
	return tap_done();
}
