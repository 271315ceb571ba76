/*
 * srvsvc (MS-SRVS), the operations clients use to list shares and to
 * name the server: NetShareEnumAll (15), NetShareGetInfo (16),
 * NetShareCheck (20), NetSrvGetInfo (21).  Levels 2 and 502 carry a
 * share's path and limits: like Windows, only an administrator reads
 * them (uid 0 here, dittofs-smbd(8)), and an anonymous or guest
 * session does not enumerate level 501 either; others get
 * ERROR_ACCESS_DENIED.  A level the interface defines but we do not
 * serve is answered ERROR_INVALID_LEVEL with a NULL arm, so that the
 * reply still decodes.  Every other operation is a fault
 * (nca_s_op_rng_error).
 */
#include <string.h>
#include <strings.h>

#include "dcerpc.h"

#define SRVSVC_NET_SHARE_ENUM_ALL	15
#define SRVSVC_NET_SHARE_GET_INFO	16
#define SRVSVC_NET_SHARE_CHECK		20
#define SRVSVC_NET_SRV_GET_INFO		21

#define SRVSVC_NAME_MAX		256
#define PLATFORM_ID_NT		500
/* SV_TYPE_WORKSTATION | SERVER | SERVER_UNIX | NT | SERVER_NT */
#define SRVSVC_SERVER_TYPE	0x00009803u
#define SRVSVC_VERSION_MAJOR	6
#define SRVSVC_VERSION_MINOR	1

/* [in,unique] [string] wchar_t *server_unc: read and dropped. */
static void
srvsvc_server_unc(struct ndr_in *in)
{
	char unc[SRVSVC_NAME_MAX];

	if (ndr_in_u32(in) != 0)
		(void)ndr_in_string(in, unc, sizeof(unc));
}

static int
srvsvc_level_known(uint32_t level)
{
	return level == 0 || level == 1 || level == 2 || level == 501 ||
	    level == 502;
}

/* The arms of the share info unions (MS-SRVS 2.2.3.6, 2.2.4.33). */
static int
srvsvc_share_level_defined(uint32_t level)
{
	return srvsvc_level_known(level) || level == 1004 || level == 1005 ||
	    level == 1006 || level == 1007 || level == 1501;
}

/* The arms of SERVER_INFO (MS-SRVS 2.2.3.7); each is a pointer. */
static int
srvsvc_srv_level_defined(uint32_t level)
{
	static const uint16_t levels[] = { 100, 101, 102, 402, 403, 502, 503,
	    599, 1005, 1010, 1016, 1017, 1018, 1107, 1501, 1502, 1503, 1506,
	    1509, 1510, 1511, 1512, 1513, 1514, 1515, 1516, 1518, 1520, 1521,
	    1522, 1523, 1524, 1525, 1528, 1529, 1530, 1533, 1534, 1535, 1536,
	    1537, 1538, 1539, 1540, 1541, 1542, 1543, 1544, 1545, 1546, 1547,
	    1548, 1549, 1550, 1552, 1553, 1554, 1555, 1556 };

	return dcerpc_level_in(level, levels, sizeof(levels) /
	    sizeof(levels[0]));
}

/* Who may read a level: 0 or the WERROR. */
static uint32_t
srvsvc_level_access(const struct dcerpc_server *srv, uint32_t level,
    int enumerating)
{
	if ((level == 2 || level == 502) && !srv->admin)
		return WERR_ACCESS_DENIED;
	if (level == 501 && enumerating && srv->anonymous)
		return WERR_ACCESS_DENIED;
	return WERR_OK;
}

/* The scalars of one SHARE_INFO_<level> (MS-SRVS 2.2.4.22 to .26). */
static void
srvsvc_info_scalars(struct ndr_out *o, uint32_t level,
    const struct dcerpc_share *sh)
{
	ndr_ptr(o, 1);				/* netname */
	if (level == 0)
		return;
	ndr_u32(o, sh->type);
	ndr_ptr(o, 1);				/* remark */
	if (level == 1)
		return;
	if (level == 501) {
		ndr_u32(o, 0);			/* csc_flags: manual */
		return;
	}
	ndr_u32(o, 0);				/* permissions */
	ndr_u32(o, 0xffffffffu);		/* max_uses: unlimited */
	ndr_u32(o, 0);				/* current_uses */
	ndr_ptr(o, sh->path != NULL);		/* path */
	ndr_ptr(o, 0);				/* passwd */
	if (level == 502) {
		ndr_u32(o, 0);			/* reserved (sd size) */
		ndr_ptr(o, 0);			/* security_descriptor */
	}
}

/* The deferred strings of the same, in the scalars' order. */
static void
srvsvc_info_buffers(struct ndr_out *o, uint32_t level,
    const struct dcerpc_share *sh)
{
	ndr_string(o, sh->name);
	if (level == 0)
		return;
	ndr_string(o, sh->comment != NULL ? sh->comment : "");
	if ((level == 2 || level == 502) && sh->path != NULL)
		ndr_string(o, sh->path);
}

/* MS-SRVS 3.1.4.8: NetrShareEnum (NetShareEnumAll's request). */
static uint32_t
srvsvc_share_enum_all(const struct dcerpc_server *srv, struct ndr_in *in,
    struct ndr_out *o)
{
	uint32_t level, sw, ctr, resume_ptr, werr = WERR_OK;
	size_t i, n = 0;

	srvsvc_server_unc(in);
	level = ndr_in_u32(in);
	sw = ndr_in_u32(in);
	ctr = ndr_in_u32(in);
	if (ctr != 0 && srvsvc_share_level_defined(level)) {
		(void)ndr_in_u32(in);		/* EntriesRead */
		if (ndr_in_u32(in) != 0)	/* Buffer: sent empty */
			return DCERPC_FAULT_NDR;
	}
	(void)ndr_in_u32(in);			/* PreferedMaximumLength */
	if ((resume_ptr = ndr_in_u32(in)) != 0)
		(void)ndr_in_u32(in);
	if (in->failed || sw != level)
		return DCERPC_FAULT_NDR;
	if (!srvsvc_level_known(level))
		werr = WERR_INVALID_LEVEL;
	else if ((werr = srvsvc_level_access(srv, level, 1)) == WERR_OK)
		n = srv->nshares;
	/* SHARE_ENUM_STRUCT: level, the union's switch and its arm. */
	ndr_u32(o, level);
	ndr_u32(o, level);
	if (srvsvc_share_level_defined(level) && !srvsvc_level_known(level))
		ndr_ptr(o, 0);
	else if (srvsvc_level_known(level)) {
		ndr_ptr(o, 1);
		ndr_u32(o, (uint32_t)n);	/* EntriesRead */
		ndr_ptr(o, n > 0);
		if (n > 0) {
			ndr_u32(o, (uint32_t)n);	/* conformance */
			for (i = 0; i < n; i++)
				srvsvc_info_scalars(o, level,
				    &srv->shares[i]);
			for (i = 0; i < n; i++)
				srvsvc_info_buffers(o, level,
				    &srv->shares[i]);
		}
	}
	ndr_u32(o, (uint32_t)n);		/* TotalEntries */
	ndr_ptr(o, resume_ptr != 0);
	if (resume_ptr != 0)
		ndr_u32(o, 0);
	ndr_u32(o, werr);
	return 0;
}

/* MS-SRVS 3.1.4.10: NetrShareGetInfo. */
static uint32_t
srvsvc_share_get_info(const struct dcerpc_server *srv, struct ndr_in *in,
    struct ndr_out *o)
{
	char name[SRVSVC_NAME_MAX];
	const struct dcerpc_share *sh = NULL;
	uint32_t level, werr = WERR_OK;
	size_t i;

	srvsvc_server_unc(in);
	if (ndr_in_string(in, name, sizeof(name)) == -1)
		return DCERPC_FAULT_NDR;
	level = ndr_in_u32(in);
	if (in->failed)
		return DCERPC_FAULT_NDR;
	for (i = 0; i < srv->nshares; i++)
		if (strcasecmp(srv->shares[i].name, name) == 0) {
			sh = &srv->shares[i];
			break;
		}
	if (!srvsvc_level_known(level) && level != 1005)
		werr = WERR_INVALID_LEVEL;
	else if (sh == NULL)
		werr = WERR_NET_NAME_NOT_FOUND;
	else
		werr = srvsvc_level_access(srv, level, 0);
	ndr_u32(o, level);			/* the union's switch */
	if (srvsvc_share_level_defined(level)) {
		ndr_ptr(o, werr == WERR_OK);
		if (werr == WERR_OK && level == 1005)
			ndr_u32(o, 0);		/* SHARE_INFO_1005: flags */
		else if (werr == WERR_OK) {
			srvsvc_info_scalars(o, level, sh);
			srvsvc_info_buffers(o, level, sh);
		}
	}
	ndr_u32(o, werr);
	return 0;
}

/* MS-SRVS 3.1.4.17: NetrServerGetInfo, levels 100, 101, 102. */
static uint32_t
srvsvc_srv_get_info(const struct dcerpc_server *srv, struct ndr_in *in,
    struct ndr_out *o)
{
	uint32_t level;

	srvsvc_server_unc(in);
	level = ndr_in_u32(in);
	if (in->failed)
		return DCERPC_FAULT_NDR;
	ndr_u32(o, level);
	if (level != 100 && level != 101 && level != 102) {
		if (srvsvc_srv_level_defined(level))
			ndr_ptr(o, 0);
		ndr_u32(o, WERR_INVALID_LEVEL);
		return 0;
	}
	ndr_ptr(o, 1);
	ndr_u32(o, PLATFORM_ID_NT);
	ndr_ptr(o, 1);				/* name */
	if (level >= 101) {
		ndr_u32(o, SRVSVC_VERSION_MAJOR);
		ndr_u32(o, SRVSVC_VERSION_MINOR);
		ndr_u32(o, SRVSVC_SERVER_TYPE);
		ndr_ptr(o, 1);			/* comment */
	}
	if (level == 102) {
		ndr_u32(o, 0xffffffffu);	/* users: no limit */
		ndr_u32(o, 15);			/* disc: autodisconnect */
		ndr_u32(o, 0);			/* hidden */
		ndr_u32(o, 240);		/* announce */
		ndr_u32(o, 3000);		/* anndelta */
		ndr_u32(o, 0);			/* licenses */
		ndr_ptr(o, 1);			/* userpath */
	}
	ndr_string(o, srv->name);
	if (level >= 101)
		ndr_string(o, srv->comment != NULL ? srv->comment : "");
	if (level == 102)
		ndr_string(o, "C:\\");
	ndr_u32(o, WERR_OK);
	return 0;
}

/*
 * MS-SRVS 3.1.4.14: NetrShareCheck.  No share has a local device path
 * (the store is not a host directory): NERR_DeviceNotShared.
 */
static uint32_t
srvsvc_share_check(const struct dcerpc_server *srv, struct ndr_in *in,
    struct ndr_out *o)
{
	char device[SRVSVC_NAME_MAX];
	uint32_t type = 0, werr = WERR_DEVICE_NOT_SHARED;
	size_t i;

	srvsvc_server_unc(in);
	if (ndr_in_string(in, device, sizeof(device)) == -1)
		return DCERPC_FAULT_NDR;
	for (i = 0; i < srv->nshares; i++)
		if (srv->shares[i].path != NULL &&
		    strcasecmp(srv->shares[i].path, device) == 0) {
			type = srv->shares[i].type;
			werr = WERR_OK;
			break;
		}
	ndr_u32(o, type);
	ndr_u32(o, werr);
	return 0;
}

static uint32_t
srvsvc_call(const struct dcerpc_server *srv, uint16_t opnum,
    struct ndr_in *in, struct ndr_out *out)
{
	switch (opnum) {
	case SRVSVC_NET_SHARE_ENUM_ALL:
		return srvsvc_share_enum_all(srv, in, out);
	case SRVSVC_NET_SHARE_GET_INFO:
		return srvsvc_share_get_info(srv, in, out);
	case SRVSVC_NET_SHARE_CHECK:
		return srvsvc_share_check(srv, in, out);
	case SRVSVC_NET_SRV_GET_INFO:
		return srvsvc_srv_get_info(srv, in, out);
	}
	return DCERPC_FAULT_OP_RNG_ERROR;
}

/* 4b324fc8-1670-01d3-1278-5a47bf6ee188 version 3.0 */
const struct dcerpc_interface srvsvc_interface = {
	.pipe = "srvsvc",
	.uuid = { 0xc8, 0x4f, 0x32, 0x4b, 0x70, 0x16, 0xd3, 0x01,
	    0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88 },
	.major = 3,
	.minor = 0,
	.call = srvsvc_call,
};
