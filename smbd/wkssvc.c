/*
 * wkssvc (MS-WKST): NetWkstaGetInfo (0), levels 100, 101, 102 (what
 * clients ask to learn the server's name and domain) and 502 (the
 * workstation's tunables: all zero, none applies).  Other levels the
 * interface defines answer ERROR_INVALID_LEVEL with a NULL arm, other
 * operations a fault (nca_s_op_rng_error).
 */
#include <string.h>

#include "dcerpc.h"

#define WKSSVC_NET_WKSTA_GET_INFO	0
#define WKSSVC_NAME_MAX			256
#define PLATFORM_ID_NT			500

#define WKSSVC_INFO_502_FIELDS		35

/* The arms of WKSTA_INFO (MS-WKST 2.2.4.1); each is a pointer. */
static int
wkssvc_level_defined(uint32_t level)
{
	static const uint16_t levels[] = { 100, 101, 102, 502, 1010, 1011,
	    1012, 1013, 1018, 1023, 1027, 1028, 1032, 1033, 1041, 1042, 1043,
	    1044, 1045, 1046, 1047, 1048, 1049, 1050, 1051, 1052, 1053, 1054,
	    1055, 1056, 1057, 1058, 1059, 1060, 1061, 1062 };

	return dcerpc_level_in(level, levels, sizeof(levels) /
	    sizeof(levels[0]));
}

/* MS-WKST 3.2.4.1: NetrWkstaGetInfo. */
static uint32_t
wkssvc_get_info(const struct dcerpc_server *srv, struct ndr_in *in,
    struct ndr_out *o)
{
	char unc[WKSSVC_NAME_MAX];
	uint32_t level;
	size_t i;

	if (ndr_in_u32(in) != 0)
		(void)ndr_in_string(in, unc, sizeof(unc));
	level = ndr_in_u32(in);
	if (in->failed)
		return DCERPC_FAULT_NDR;
	ndr_u32(o, level);			/* the union's switch */
	if (level == 502) {
		/* WKSTA_INFO_502: 35 tunables, none of which applies. */
		ndr_ptr(o, 1);
		for (i = 0; i < WKSSVC_INFO_502_FIELDS; i++)
			ndr_u32(o, 0);
		ndr_u32(o, WERR_OK);
		return 0;
	}
	if (level != 100 && level != 101 && level != 102) {
		if (wkssvc_level_defined(level))
			ndr_ptr(o, 0);
		ndr_u32(o, WERR_INVALID_LEVEL);
		return 0;
	}
	/* WKSTA_INFO_100, 101 (+ lanroot), 102 (+ logged on users) */
	ndr_ptr(o, 1);
	ndr_u32(o, PLATFORM_ID_NT);
	ndr_ptr(o, 1);				/* computername */
	ndr_ptr(o, 1);				/* langroup */
	ndr_u32(o, 6);				/* version major */
	ndr_u32(o, 1);				/* version minor */
	if (level >= 101)
		ndr_ptr(o, 1);			/* lanroot */
	if (level == 102)
		ndr_u32(o, 0);			/* logged on users */
	ndr_string(o, srv->name);
	ndr_string(o, srv->domain);
	if (level >= 101)
		ndr_string(o, "");
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
