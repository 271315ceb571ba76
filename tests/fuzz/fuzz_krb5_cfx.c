/*
 * Fuzz target of common/krb5_cfx.c's token decoders: the first byte
 * picks the enctype (17 to 20) and whether the acceptor holds a subkey;
 * the rest is a peer's Wrap token (unwrapped) and a MIC token of a fixed
 * message (verified).  Whatever the bytes, no read or write outside them
 * and the output buffer; a refused token leaves no plain text.
 * tests/unit/test_krb5_cfx.c drives it with random bytes and with
 * mutations of real initiator tokens.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "krb5_cfx.h"
#include "xdrbuf.h"

static const uint8_t fuzz_krb5_key[32] = "fuzz krb5 cfx key, 32 bytes long";
static const uint8_t fuzz_krb5_sub[32] = "fuzz krb5 cfx subkey of 32 bytes";

/* The two ends of selector sel (ini may be NULL); 0 or -1. */
int
fuzz_krb5_cfx_ends(uint8_t sel, struct krb5_cfx **ini, struct krb5_cfx **acc)
{
	struct krb5_cfx_key k, s;
	int32_t enctype = 17 + (sel & 3);
	size_t len = enctype == 17 || enctype == 19 ? 16 : 32;

	k.enctype = s.enctype = enctype;
	k.data = fuzz_krb5_key;
	s.data = fuzz_krb5_sub;
	k.len = s.len = len;
	if (ini != NULL)
		*ini = krb5_cfx_new(1, 0, 0, &k, sel & 4 ? &s : NULL);
	*acc = krb5_cfx_new(0, 0, 0, &k, sel & 4 ? &s : NULL);
	return *acc != NULL && (ini == NULL || *ini != NULL) ? 0 : -1;
}

/* 1 when the bytes passed as a Wrap or a MIC token, 0 otherwise. */
int
fuzz_krb5_cfx_one(const uint8_t *data, size_t size)
{
	static struct krb5_cfx *acc[8];
	struct xdrbuf_out out;
	uint8_t sel;
	int passed = 0;

	if (size < 1)
		return 0;
	sel = data[0] & 7;
	if (acc[sel] == NULL && fuzz_krb5_cfx_ends(sel, NULL, &acc[sel]) == -1)
		return 0;
	xdrbuf_out_init(&out);
	if (krb5_cfx_unwrap(acc[sel], data + 1, size - 1, &out) == 0)
		passed = 1;
	else if (out.len != 0)
		abort();	/* a refused token leaves nothing behind */
	if (krb5_cfx_verify_mic(acc[sel], (const uint8_t *)"fuzz", 4,
	    data + 1, size - 1) == 0)
		passed = 1;
	xdrbuf_out_free(&out);
	return passed;
}

#ifdef FUZZ_LIBFUZZER
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)fuzz_krb5_cfx_one(data, size);
	return 0;
}
#endif
