/*
 * Fuzz target: smbd's DCE/RPC (smbd/dcerpc.c) and the NDR decoders of
 * srvsvc and wkssvc behind it.  The first byte picks the pipe and
 * whether a valid BIND goes first (so that REQUESTs reach the
 * interfaces); the rest is written to the pipe in one or two pieces.
 * Every response must be a whole PDU whose length field is its length.
 */
#include <string.h>

#include "dcerpc.h"
#include "fuzz.h"
#include "smb2.h"

/* A BIND of srvsvc 3.0 or wkssvc 1.0 with NDR, call id 1. */
size_t
fuzz_dcerpc_bind(const struct dcerpc_interface *iface, uint8_t *out)
{
	static const uint8_t ndr[20] = {
		0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11,
		0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60,
		0x02, 0x00, 0x00, 0x00
	};
	size_t n = 72;

	memset(out, 0, n);
	out[0] = 5;
	out[2] = DCERPC_BIND;
	out[3] = DCERPC_PFC_FIRST_FRAG | DCERPC_PFC_LAST_FRAG;
	out[4] = 0x10;
	smb2_put16(out + 8, (uint16_t)n);
	smb2_put32(out + 12, 1);
	smb2_put16(out + 16, DCERPC_FRAG_MAX);
	smb2_put16(out + 18, DCERPC_FRAG_MAX);
	out[24] = 1;				/* one context */
	smb2_put16(out + 28, 0);		/* its id */
	out[30] = 1;				/* one transfer syntax */
	memcpy(out + 32, iface->uuid, 16);
	smb2_put16(out + 48, iface->major);
	smb2_put16(out + 50, iface->minor);
	memcpy(out + 52, ndr, 20);
	return n;
}

static void
fuzz_dcerpc_drain(struct dcerpc_conn *c)
{
	static uint8_t buf[DCERPC_FRAG_MAX + 64];
	size_t n, total = dcerpc_pending(c), got = 0;
	int more;

	while (dcerpc_pending(c) > 0) {
		n = dcerpc_read(c, buf, sizeof(buf), &more);
		if (more || n < DCERPC_HDR_SIZE || smb2_get16(buf + 8) != n ||
		    n > DCERPC_FRAG_MAX)
			__builtin_trap();
		got += n;
	}
	if (got != total)
		__builtin_trap();
}

int
fuzz_dcerpc_one(const uint8_t *data, size_t size)
{
	static const struct dcerpc_server srv_template;
	static const struct dcerpc_share shares[] = {
		{ "export", STYPE_DISKTREE, "", "" },
		{ "IPC$", STYPE_IPC_HIDDEN, "IPC Service", "" },
	};
	struct dcerpc_server srv = srv_template;
	const struct dcerpc_interface *iface;
	struct dcerpc_conn *c;
	uint8_t bind[128];
	size_t cut;
	char s[64];
	struct ndr_in in;

	if (size < 1)
		return 0;
	srv.name = "FUZZ";
	srv.domain = "WORKGROUP";
	srv.shares = shares;
	srv.nshares = 2;
	srv.admin = (data[0] & 4) != 0;
	iface = dcerpc_interface_by_pipe(data[0] & 1 ? "wkssvc" : "srvsvc");
	if (iface == NULL || (c = dcerpc_conn_new(iface)) == NULL)
		return 0;
	if (data[0] & 2)
		(void)dcerpc_write(c, bind, fuzz_dcerpc_bind(iface, bind),
		    &srv);
	fuzz_dcerpc_drain(c);
	data++;
	size--;
	/* Two pieces: a PDU written in parts must come out the same. */
	cut = size > 0 ? (size_t)data[0] % (size + 1) : 0;
	if (dcerpc_write(c, data, cut, &srv) == 0)
		(void)dcerpc_write(c, data + cut, size - cut, &srv);
	fuzz_dcerpc_drain(c);
	dcerpc_conn_free(c);
	/* The NDR string reader alone. */
	ndr_in_init(&in, data, size);
	while (!in.failed && ndr_in_string(&in, s, sizeof(s)) == 0)
		if (strlen(s) >= sizeof(s))
			__builtin_trap();
	if (in.off > in.len)
		__builtin_trap();
	return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_dcerpc_one(data, size);
}
#endif
