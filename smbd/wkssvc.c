/*
 * wkssvc (MS-WKST): NetWkstaGetInfo (0) level 100, what clients ask to
 * learn the server's name and domain.  Other levels answer
 * ERROR_INVALID_LEVEL, other operations a fault (nca_s_op_rng_error).
 */
#include <string.h>

#include "dcerpc.h"

#define WKSSVC_NET_WKSTA_GET_INFO	0
#define WKSSVC_NAME_MAX			256
#define PLATFORM_ID_NT			500

/* MS-WKST 3.2.4.1: NetrWkstaGetInfo. */
static uint32_t
wkssvc_get_info(const struct dcerpc_server *srv, struct ndr_in *in,
    struct ndr_out *o)
{
	char unc[WKSSVC_NAME_MAX];
	uint32_t level;

	if (ndr_in_u32(in) != 0)
		(void)ndr_in_string(in, unc, sizeof(unc));
	level = ndr_in_u32(in);
	if (in->failed)
		return DCERPC_FAULT_NDR;
	ndr_u32(o, level);			/* the union's switch */
	if (level != 100) {
		ndr_u32(o, WERR_INVALID_LEVEL);
		return 0;
	}
	/* WKSTA_INFO_100 */
	ndr_ptr(o, 1);
	ndr_u32(o, PLATFORM_ID_NT);
	ndr_ptr(o, 1);				/* computername */
	ndr_ptr(o, 1);				/* langroup */
	ndr_u32(o, 6);				/* version major */
	ndr_u32(o, 1);				/* version minor */
	ndr_string(o, srv->name);
	ndr_string(o, srv->domain);
	ndr_u32(o, WERR_OK);
	return 0;
}

static uint32_t
wkssvc_call(const struct dcerpc_server *srv, uint16_t opnum,
    struct ndr_in *in, struct ndr_out *out)
{
	if (opnum == WKSSVC_NET_WKSTA_GET_INFO)
		return wkssvc_get_info(srv, in, out);
	return DCERPC_FAULT_OP_RNG_ERROR;
}

/* 6bffd098-a112-3610-9833-46c3f87e345a version 1.0 */
const struct dcerpc_interface wkssvc_interface = {
	.pipe = "wkssvc",
	.uuid = { 0x98, 0xd0, 0xff, 0x6b, 0x12, 0xa1, 0x10, 0x36,
	    0x98, 0x33, 0x46, 0xc3, 0xf8, 0x7e, 0x34, 0x5a },
	.major = 1,
	.minor = 0,
	.call = wkssvc_call,
};
