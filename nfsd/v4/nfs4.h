/*
 * nfsd/v4/nfs4.h: NFSv4.0 (RFC 7530, XDR in RFC 7531) as nfsd sees it:
 * the protocol's numbers, our limits, and the decoded arguments and the
 * results of every operation.  The wire layer (xdr.c, attr.c, idmap.c,
 * error.c) is pure: it allocates only in idmap and touches no socket,
 * so the unit tests and the fuzz target link it alone (nfsd/libnfs4.a).
 *
 * Decoded arguments point into the request's record (struct
 * nfs4_opaque), as nfsd/nfs3_xdr.c does: they live as long as it does.
 * ACE types, flags and mask bits are common/acl.h's (same values as on
 * the wire).
 */
#ifndef DITTOFS_NFSD_V4_NFS4_H
#define DITTOFS_NFSD_V4_NFS4_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "xdrbuf.h"
#include "acl.h"

#define NFS4_PROGRAM		100003
#define NFS4_VERSION		4
#define NFS4_PROC_NULL		0
#define NFS4_PROC_COMPOUND	1
#define NFS4_MINOR_VERSION	0	/* RFC 7530 */
#define NFS41_MINOR_VERSION	1	/* RFC 8881: sessions */

/* RFC 7531: sizes of the protocol. */
#define NFS4_FHSIZE		128
#define NFS4_VERIFIER_SIZE	8
#define NFS4_OTHER_SIZE		12
#define NFS4_OPAQUE_LIMIT	1024	/* client ids, open and lock owners */

/*
 * Our limits.  Tag bytes and ops per COMPOUND are dittofs.conf(5)'s
 * [nfsd] nfsv4 tag max and nfsv4 compound ops max, whose defaults these
 * are (the processor passes the configured ones to nfs4_compound_begin);
 * the callback client keeps NFS4_TAG_MAX.
 */
#define NFS4_TAG_MAX		256	/* tag bytes; more: NFS4ERR_RESOURCE */
#define NFS4_COMPOUND_OPS_MAX	128	/* ops run; the next: RESOURCE */
#define NFS4_NAME_MAX		255	/* component4; blockd's limit */
#define NFS4_NAME_DECODE_MAX	4096	/* decoded, to say NAMETOOLONG */
#define NFS4_LINK_MAX		4095	/* linktext4 (a symlink's target) */
#define NFS4_LINK_DECODE_MAX	8192
#define NFS4_MAXIO		(1024 * 1024)	/* READ/WRITE data */
#define NFS4_ATTRVALS_MAX	65536	/* attrlist4 of one fattr4 */
#define NFS4_NETID_MAX		16	/* cb_client4's r_netid */
#define NFS4_UADDR_MAX		64	/* cb_client4's r_addr */
#define NFS4_BITMAP_WIRE_MAX	8	/* bitmap4 words accepted */
#define NFS4_BITMAP_WORDS	3	/* words that name an attribute we know */
#define NFS4_LEASE_TIME		90	/* seconds, until conf says */

/* RFC 7530 16: operation numbers. */
enum nfs4_opnum {
	OP_ACCESS = 3,
	OP_CLOSE = 4,
	OP_COMMIT = 5,
	OP_CREATE = 6,
	OP_DELEGPURGE = 7,
	OP_DELEGRETURN = 8,
	OP_GETATTR = 9,
	OP_GETFH = 10,
	OP_LINK = 11,
	OP_LOCK = 12,
	OP_LOCKT = 13,
	OP_LOCKU = 14,
	OP_LOOKUP = 15,
	OP_LOOKUPP = 16,
	OP_NVERIFY = 17,
	OP_OPEN = 18,
	OP_OPENATTR = 19,
	OP_OPEN_CONFIRM = 20,
	OP_OPEN_DOWNGRADE = 21,
	OP_PUTFH = 22,
	OP_PUTPUBFH = 23,
	OP_PUTROOTFH = 24,
	OP_READ = 25,
	OP_READDIR = 26,
	OP_READLINK = 27,
	OP_REMOVE = 28,
	OP_RENAME = 29,
	OP_RENEW = 30,
	OP_RESTOREFH = 31,
	OP_SAVEFH = 32,
	OP_SECINFO = 33,
	OP_SETATTR = 34,
	OP_SETCLIENTID = 35,
	OP_SETCLIENTID_CONFIRM = 36,
	OP_VERIFY = 37,
	OP_WRITE = 38,
	OP_RELEASE_LOCKOWNER = 39,
	/* RFC 8881 18: NFSv4.1's. */
	OP_BACKCHANNEL_CTL = 40,
	OP_BIND_CONN_TO_SESSION = 41,
	OP_EXCHANGE_ID = 42,
	OP_CREATE_SESSION = 43,
	OP_DESTROY_SESSION = 44,
	OP_FREE_STATEID = 45,
	OP_GET_DIR_DELEGATION = 46,
	OP_GETDEVICEINFO = 47,
	OP_GETDEVICELIST = 48,
	OP_LAYOUTCOMMIT = 49,
	OP_LAYOUTGET = 50,
	OP_LAYOUTRETURN = 51,
	OP_SECINFO_NO_NAME = 52,
	OP_SEQUENCE = 53,
	OP_SET_SSV = 54,
	OP_TEST_STATEID = 55,
	OP_WANT_DELEGATION = 56,
	OP_DESTROY_CLIENTID = 57,
	OP_RECLAIM_COMPLETE = 58,
	OP_ILLEGAL = 10044
};
#define NFS4_OP_FIRST		OP_ACCESS
#define NFS4_OP_LAST		OP_RELEASE_LOCKOWNER
#define NFS41_OP_LAST		OP_RECLAIM_COMPLETE

/* RFC 7530 16.1 (callback program): operation numbers. */
#define OP_CB_GETATTR		3
#define OP_CB_RECALL		4
#define OP_CB_NOTIFY		6	/* RFC 8881 20.4 */
#define OP_CB_RECALL_ANY	8	/* RFC 8881 20.6 */
#define OP_CB_RECALL_SLOT	10	/* RFC 8881 20.8 */
#define OP_CB_SEQUENCE		11	/* RFC 8881 20.9 */
#define RCA4_TYPE_MASK_RDATA_DLG 0
#define RCA4_TYPE_MASK_WDATA_DLG 1
#define OP_CB_ILLEGAL		10044

/* RFC 8881 20.4.1: notify_type4, bits of a notify4's mask. */
#define NOTIFY4_CHANGE_CHILD_ATTRS	0
#define NOTIFY4_CHANGE_DIR_ATTRS	1
#define NOTIFY4_REMOVE_ENTRY		2
#define NOTIFY4_ADD_ENTRY		3
#define NOTIFY4_RENAME_ENTRY		4
#define NOTIFY4_CHANGE_COOKIE_VERIFIER	5

/* RFC 8881 18.39.2: gddrnf4_status. */
#define GDD4_OK			0
#define GDD4_UNAVAIL		1

/* RFC 7530 13: nfsstat4. */
enum nfs4_status {
	NFS4_OK = 0,
	NFS4ERR_PERM = 1,
	NFS4ERR_NOENT = 2,
	NFS4ERR_IO = 5,
	NFS4ERR_NXIO = 6,
	NFS4ERR_ACCESS = 13,
	NFS4ERR_EXIST = 17,
	NFS4ERR_XDEV = 18,
	NFS4ERR_NOTDIR = 20,
	NFS4ERR_ISDIR = 21,
	NFS4ERR_INVAL = 22,
	NFS4ERR_FBIG = 27,
	NFS4ERR_NOSPC = 28,
	NFS4ERR_ROFS = 30,
	NFS4ERR_MLINK = 31,
	NFS4ERR_NAMETOOLONG = 63,
	NFS4ERR_NOTEMPTY = 66,
	NFS4ERR_DQUOT = 69,
	NFS4ERR_STALE = 70,
	NFS4ERR_BADHANDLE = 10001,
	NFS4ERR_BAD_COOKIE = 10003,
	NFS4ERR_NOTSUPP = 10004,
	NFS4ERR_TOOSMALL = 10005,
	NFS4ERR_SERVERFAULT = 10006,
	NFS4ERR_BADTYPE = 10007,
	NFS4ERR_DELAY = 10008,
	NFS4ERR_SAME = 10009,
	NFS4ERR_DENIED = 10010,
	NFS4ERR_EXPIRED = 10011,
	NFS4ERR_LOCKED = 10012,
	NFS4ERR_GRACE = 10013,
	NFS4ERR_FHEXPIRED = 10014,
	NFS4ERR_SHARE_DENIED = 10015,
	NFS4ERR_WRONGSEC = 10016,
	NFS4ERR_CLID_INUSE = 10017,
	NFS4ERR_RESOURCE = 10018,
	NFS4ERR_MOVED = 10019,
	NFS4ERR_NOFILEHANDLE = 10020,
	NFS4ERR_MINOR_VERS_MISMATCH = 10021,
	NFS4ERR_STALE_CLIENTID = 10022,
	NFS4ERR_STALE_STATEID = 10023,
	NFS4ERR_OLD_STATEID = 10024,
	NFS4ERR_BAD_STATEID = 10025,
	NFS4ERR_BAD_SEQID = 10026,
	NFS4ERR_NOT_SAME = 10027,
	NFS4ERR_LOCK_RANGE = 10028,
	NFS4ERR_SYMLINK = 10029,
	NFS4ERR_RESTOREFH = 10030,
	NFS4ERR_LEASE_MOVED = 10031,
	NFS4ERR_ATTRNOTSUPP = 10032,
	NFS4ERR_NO_GRACE = 10033,
	NFS4ERR_RECLAIM_BAD = 10034,
	NFS4ERR_RECLAIM_CONFLICT = 10035,
	NFS4ERR_BADXDR = 10036,
	NFS4ERR_LOCKS_HELD = 10037,
	NFS4ERR_OPENMODE = 10038,
	NFS4ERR_BADOWNER = 10039,
	NFS4ERR_BADCHAR = 10040,
	NFS4ERR_BADNAME = 10041,
	NFS4ERR_BAD_RANGE = 10042,
	NFS4ERR_LOCK_NOTSUPP = 10043,
	NFS4ERR_OP_ILLEGAL = 10044,
	NFS4ERR_DEADLOCK = 10045,
	NFS4ERR_FILE_OPEN = 10046,
	NFS4ERR_ADMIN_REVOKED = 10047,
	NFS4ERR_CB_PATH_DOWN = 10048,
	/* RFC 8881 15.1: NFSv4.1's. */
	NFS4ERR_BADSESSION = 10052,
	NFS4ERR_BADSLOT = 10053,
	NFS4ERR_COMPLETE_ALREADY = 10054,
	NFS4ERR_CONN_NOT_BOUND_TO_SESSION = 10055,
	NFS4ERR_SEQ_MISORDERED = 10063,
	NFS4ERR_SEQUENCE_POS = 10064,
	NFS4ERR_REQ_TOO_BIG = 10065,
	NFS4ERR_REP_TOO_BIG = 10066,
	NFS4ERR_REP_TOO_BIG_TO_CACHE = 10067,
	NFS4ERR_RETRY_UNCACHED_REP = 10068,
	NFS4ERR_TOO_MANY_OPS = 10070,
	NFS4ERR_OP_NOT_IN_SESSION = 10071,
	NFS4ERR_CLIENTID_BUSY = 10074,
	NFS4ERR_SEQ_FALSE_RETRY = 10076,
	NFS4ERR_BAD_HIGH_SLOT = 10077,
	NFS4ERR_DEADSESSION = 10078,
	NFS4ERR_ENCR_ALG_UNSUPP = 10079,
	NFS4ERR_NOT_ONLY_OP = 10081,
	NFS4ERR_WRONG_CRED = 10082
};

/* RFC 8881 18.35, 18.36, 18.46, 18.34: NFSv4.1's numbers. */
#define NFS41_SESSIONID_SIZE		16
#define EXCHGID4_FLAG_USE_NON_PNFS	0x00010000
#define EXCHGID4_FLAG_MASK_PNFS		0x00070000
#define EXCHGID4_FLAG_UPD_CONFIRMED_REC_A 0x40000000
#define EXCHGID4_FLAG_CONFIRMED_R	0x80000000
#define SP4_NONE			0
#define SP4_MACH_CRED			1
#define SP4_SSV				2
#define CREATE_SESSION4_FLAG_PERSIST	0x01
#define CREATE_SESSION4_FLAG_CONN_BACK_CHAN 0x02
#define SEQ4_STATUS_CB_PATH_DOWN	0x00000001
#define SEQ4_STATUS_CB_PATH_DOWN_SESSION 0x00000200
#define SECINFO_STYLE4_CURRENT_FH	0
#define SECINFO_STYLE4_PARENT		1
#define CDFC4_FORE			0x1	/* channel_dir_from_client4 */
#define CDFC4_BACK			0x2
#define CDFC4_FORE_OR_BOTH		0x3
#define CDFC4_BACK_OR_BOTH		0x7
#define CDFS4_FORE			0x1	/* channel_dir_from_server4 */
#define CDFS4_BACK			0x2
#define CDFS4_BOTH			0x3
#define NFS41_IMPL_MAX			1024	/* nfs_impl_id4 strings */
#define NFS41_CB_SEC_MAX		1024	/* callback_sec_parms4<> */

/* RFC 7530 5.6, 5.7: attribute numbers. */
#define FATTR4_SUPPORTED_ATTRS		0
#define FATTR4_TYPE			1
#define FATTR4_FH_EXPIRE_TYPE		2
#define FATTR4_CHANGE			3
#define FATTR4_SIZE			4
#define FATTR4_LINK_SUPPORT		5
#define FATTR4_SYMLINK_SUPPORT		6
#define FATTR4_NAMED_ATTR		7
#define FATTR4_FSID			8
#define FATTR4_UNIQUE_HANDLES		9
#define FATTR4_LEASE_TIME		10
#define FATTR4_RDATTR_ERROR		11
#define FATTR4_ACL			12
#define FATTR4_ACLSUPPORT		13
#define FATTR4_ARCHIVE			14
#define FATTR4_CANSETTIME		15
#define FATTR4_CASE_INSENSITIVE		16
#define FATTR4_CASE_PRESERVING		17
#define FATTR4_CHOWN_RESTRICTED		18
#define FATTR4_FILEHANDLE		19
#define FATTR4_FILEID			20
#define FATTR4_FILES_AVAIL		21
#define FATTR4_FILES_FREE		22
#define FATTR4_FILES_TOTAL		23
#define FATTR4_FS_LOCATIONS		24
#define FATTR4_HIDDEN			25
#define FATTR4_HOMOGENEOUS		26
#define FATTR4_MAXFILESIZE		27
#define FATTR4_MAXLINK			28
#define FATTR4_MAXNAME			29
#define FATTR4_MAXREAD			30
#define FATTR4_MAXWRITE			31
#define FATTR4_MIMETYPE			32
#define FATTR4_MODE			33
#define FATTR4_NO_TRUNC			34
#define FATTR4_NUMLINKS			35
#define FATTR4_OWNER			36
#define FATTR4_OWNER_GROUP		37
#define FATTR4_QUOTA_AVAIL_HARD		38
#define FATTR4_QUOTA_AVAIL_SOFT		39
#define FATTR4_QUOTA_USED		40
#define FATTR4_RAWDEV			41
#define FATTR4_SPACE_AVAIL		42
#define FATTR4_SPACE_FREE		43
#define FATTR4_SPACE_TOTAL		44
#define FATTR4_SPACE_USED		45
#define FATTR4_SYSTEM			46
#define FATTR4_TIME_ACCESS		47
#define FATTR4_TIME_ACCESS_SET		48
#define FATTR4_TIME_BACKUP		49
#define FATTR4_TIME_CREATE		50
#define FATTR4_TIME_DELTA		51
#define FATTR4_TIME_METADATA		52
#define FATTR4_TIME_MODIFY		53
#define FATTR4_TIME_MODIFY_SET		54
#define FATTR4_MOUNTED_ON_FILEID	55
/* RFC 8881 5.8.1.14: 4.1's one REQUIRED attribute beyond 4.0's. */
#define FATTR4_SUPPATTR_EXCLCREAT	75
#define FATTR4_LAST			FATTR4_SUPPATTR_EXCLCREAT

/* RFC 7530 5.8.1: nfs_ftype4. */
#define NF4REG		1
#define NF4DIR		2
#define NF4BLK		3
#define NF4CHR		4
#define NF4LNK		5
#define NF4SOCK		6
#define NF4FIFO		7
#define NF4ATTRDIR	8
#define NF4NAMEDATTR	9

/* RFC 7530 4.2.3: fh_expire_type. */
#define FH4_PERSISTENT		0x00
#define FH4_NOEXPIRE_WITH_OPEN	0x01
#define FH4_VOLATILE_ANY	0x02
#define FH4_VOL_MIGRATION	0x04
#define FH4_VOL_RENAME		0x08

/* RFC 7530 6.2.1: aclsupport. */
#define ACL4_SUPPORT_ALLOW_ACL	0x01
#define ACL4_SUPPORT_DENY_ACL	0x02
#define ACL4_SUPPORT_AUDIT_ACL	0x04
#define ACL4_SUPPORT_ALARM_ACL	0x08

/* RFC 7530 16.1: ACCESS bits. */
#define ACCESS4_READ		0x01
#define ACCESS4_LOOKUP		0x02
#define ACCESS4_MODIFY		0x04
#define ACCESS4_EXTEND		0x08
#define ACCESS4_DELETE		0x10
#define ACCESS4_EXECUTE		0x20

/* RFC 7530 16.16: OPEN. */
#define OPEN4_SHARE_ACCESS_READ		0x01
#define OPEN4_SHARE_ACCESS_WRITE	0x02
#define OPEN4_SHARE_ACCESS_BOTH		0x03
#define OPEN4_SHARE_DENY_NONE		0x00
#define OPEN4_SHARE_DENY_READ		0x01
#define OPEN4_SHARE_DENY_WRITE		0x02
#define OPEN4_SHARE_DENY_BOTH		0x03
#define OPEN4_NOCREATE			0
#define OPEN4_CREATE			1
#define UNCHECKED4			0	/* createmode4 */
#define GUARDED4			1
#define EXCLUSIVE4			2
#define EXCLUSIVE4_1			3	/* RFC 8881 18.16 */
#define CLAIM_NULL			0	/* open_claim_type4 */
#define CLAIM_PREVIOUS			1
#define CLAIM_DELEGATE_CUR		2
#define CLAIM_DELEGATE_PREV		3
#define CLAIM_FH			4	/* RFC 8881 18.16 */
#define CLAIM_DELEG_CUR_FH		5
#define CLAIM_DELEG_PREV_FH		6
#define OPEN_DELEGATE_NONE		0	/* open_delegation_type4 */
#define OPEN_DELEGATE_READ		1
#define OPEN_DELEGATE_WRITE		2
#define OPEN_DELEGATE_NONE_EXT		3	/* RFC 8881 18.16 */
/* RFC 8881 18.16.3: 4.1's wants in OPEN's share_access, above its access. */
#define OPEN4_SHARE_ACCESS_MASK		0x000000ff
#define OPEN4_SHARE_WANT_MASK		0x0000ff00
#define OPEN4_SHARE_WANT_NO_PREFERENCE	0x00000000
#define OPEN4_SHARE_WANT_READ_DELEG	0x00000100
#define OPEN4_SHARE_WANT_WRITE_DELEG	0x00000200
#define OPEN4_SHARE_WANT_ANY_DELEG	0x00000300
#define OPEN4_SHARE_WANT_NO_DELEG	0x00000400
#define OPEN4_SHARE_WANT_CANCEL		0x00000500
#define OPEN4_SHARE_WANT_SIGNAL		0x00010000	/* ..._WHEN_RESRC_AVAIL */
#define OPEN4_SHARE_WANT_PUSH		0x00020000	/* ..._WHEN_UNCONTENDED */
#define WND4_NOT_WANTED			0	/* why_no_delegation4 */
#define WND4_CONTENTION			1
#define WND4_RESOURCE			2
#define WND4_NOT_SUPP_FTYPE		3
#define WND4_CANCELLED			7
#define WND4_IS_DIR			8
#define OPEN4_RESULT_CONFIRM		0x02	/* rflags */
#define OPEN4_RESULT_LOCKTYPE_POSIX	0x04
#define NFS_LIMIT_SIZE			1	/* limit_by4 */
#define NFS_LIMIT_BLOCKS		2

/* RFC 7530 16.10: nfs_lock_type4. */
#define READ_LT			1
#define WRITE_LT		2
#define READW_LT		3
#define WRITEW_LT		4

/* RFC 7530 16.36: stable_how4. */
#define UNSTABLE4		0
#define DATA_SYNC4		1
#define FILE_SYNC4		2

/* RFC 7530 5.8.2.35 (settime4): time_how4. */
#define SET_TO_SERVER_TIME4	0
#define SET_TO_CLIENT_TIME4	1

/* RFC 7530 16.31: SECINFO flavours. */
#define NFS4_AUTH_NONE		0
#define NFS4_AUTH_SYS		1
#define NFS4_RPCSEC_GSS		6

/* A counted opaque or string, pointing into the request's record. */
struct nfs4_opaque {
	const uint8_t	*p;
	uint32_t	 len;
};

/* bitmap4: the words we keep, and whether a later word had a bit set. */
struct nfs4_bitmap {
	uint32_t	 w[NFS4_BITMAP_WORDS];
	int		 beyond;	/* a bit past FATTR4_LAST's words */
};

struct nfs4_stateid {
	uint32_t	 seqid;
	uint8_t		 other[NFS4_OTHER_SIZE];
};

struct nfs4_time {
	int64_t		 sec;
	uint32_t	 nsec;
};

/* fattr4 as it arrives: the mask, and the values not yet decoded. */
struct nfs4_fattr_raw {
	struct nfs4_bitmap	 mask;
	struct nfs4_opaque	 vals;
};

/* open_owner4 and lock_owner4. */
struct nfs4_owner {
	uint64_t		 clientid;
	struct nfs4_opaque	 owner;
};

struct nfs4_change_info {
	int		 atomic;
	uint64_t	 before;
	uint64_t	 after;
};

/* The arguments of every operation. */
struct nfs4_access_args {
	uint32_t		 access;
};
struct nfs4_close_args {
	uint32_t		 seqid;
	struct nfs4_stateid	 stateid;
};
struct nfs4_commit_args {
	uint64_t		 offset;
	uint32_t		 count;
};
struct nfs4_create_args {
	uint32_t		 type;		/* NF4* */
	struct nfs4_opaque	 linkdata;	/* NF4LNK */
	uint32_t		 specdata1;	/* NF4BLK, NF4CHR */
	uint32_t		 specdata2;
	struct nfs4_opaque	 name;
	struct nfs4_fattr_raw	 attrs;
};
struct nfs4_clientid_args {			/* DELEGPURGE, RENEW */
	uint64_t		 clientid;
};
struct nfs4_stateid_args {			/* DELEGRETURN */
	struct nfs4_stateid	 stateid;
};
struct nfs4_getattr_args {
	struct nfs4_bitmap	 request;
};
struct nfs4_name_args {		/* LINK, LOOKUP, REMOVE, SECINFO */
	struct nfs4_opaque	 name;
};
struct nfs4_lock_args {
	uint32_t		 locktype;
	int			 reclaim;
	uint64_t		 offset;
	uint64_t		 length;
	int			 new_lock_owner;
	/* new_lock_owner: open_to_lock_owner4 */
	uint32_t		 open_seqid;
	struct nfs4_stateid	 open_stateid;
	struct nfs4_owner	 lock_owner;
	/* else: exist_lock_owner4 */
	struct nfs4_stateid	 lock_stateid;
	uint32_t		 lock_seqid;	/* both cases */
};
struct nfs4_lockt_args {
	uint32_t		 locktype;
	uint64_t		 offset;
	uint64_t		 length;
	struct nfs4_owner	 owner;
};
struct nfs4_locku_args {
	uint32_t		 locktype;
	uint32_t		 seqid;
	struct nfs4_stateid	 stateid;
	uint64_t		 offset;
	uint64_t		 length;
};
struct nfs4_verify_args {			/* VERIFY, NVERIFY */
	struct nfs4_fattr_raw	 attrs;
};
struct nfs4_open_args {
	uint32_t		 seqid;
	uint32_t		 share_access;
	uint32_t		 want;		/* 4.1: OPEN4_SHARE_WANT_* */
	uint32_t		 share_deny;
	struct nfs4_owner	 owner;
	uint32_t		 opentype;	/* OPEN4_NOCREATE, OPEN4_CREATE */
	uint32_t		 createmode;	/* OPEN4_CREATE */
	struct nfs4_fattr_raw	 createattrs;	/* UNCHECKED4, GUARDED4,
						   EXCLUSIVE4_1 */
	int			 excl41;	/* EXCLUSIVE4_1: EXCLUSIVE4
						   with createattrs */
	uint8_t			 verf[NFS4_VERIFIER_SIZE]; /* EXCLUSIVE4 */
	uint32_t		 claim;		/* CLAIM_* */
	struct nfs4_opaque	 name;		/* NULL, DELEGATE_CUR/PREV */
	uint32_t		 delegate_type;	/* CLAIM_PREVIOUS */
	struct nfs4_stateid	 delegate_stateid; /* CLAIM_DELEGATE_CUR */
};
struct nfs4_openattr_args {
	int			 createdir;
};
struct nfs4_open_confirm_args {
	struct nfs4_stateid	 stateid;
	uint32_t		 seqid;
};
struct nfs4_open_downgrade_args {
	struct nfs4_stateid	 stateid;
	uint32_t		 seqid;
	uint32_t		 share_access;
	uint32_t		 share_deny;
};
struct nfs4_putfh_args {
	struct nfs4_opaque	 fh;
};
struct nfs4_read_args {
	struct nfs4_stateid	 stateid;
	uint64_t		 offset;
	uint32_t		 count;
};
struct nfs4_readdir_args {
	uint64_t		 cookie;
	uint8_t			 verf[NFS4_VERIFIER_SIZE];
	uint32_t		 dircount;
	uint32_t		 maxcount;
	struct nfs4_bitmap	 request;
};
struct nfs4_rename_args {
	struct nfs4_opaque	 oldname;
	struct nfs4_opaque	 newname;
};
struct nfs4_setattr_args {
	struct nfs4_stateid	 stateid;
	struct nfs4_fattr_raw	 attrs;
};
struct nfs4_setclientid_args {
	uint8_t			 verf[NFS4_VERIFIER_SIZE];
	struct nfs4_opaque	 id;
	uint32_t		 cb_program;
	struct nfs4_opaque	 cb_netid;
	struct nfs4_opaque	 cb_addr;
	uint32_t		 cb_ident;
};
struct nfs4_setclientid_confirm_args {
	uint64_t		 clientid;
	uint8_t			 verf[NFS4_VERIFIER_SIZE];
};
struct nfs4_write_args {
	struct nfs4_stateid	 stateid;
	uint64_t		 offset;
	uint32_t		 stable;
	struct nfs4_opaque	 data;
};
struct nfs4_release_lockowner_args {
	struct nfs4_owner	 owner;
};

/* RFC 8881 18.36.2: channel_attrs4 (ca_rdma_ird: at most one, kept). */
struct nfs41_channel {
	uint32_t		 headerpadsize;
	uint32_t		 maxrequestsize;
	uint32_t		 maxresponsesize;
	uint32_t		 maxresponsesize_cached;
	uint32_t		 maxoperations;
	uint32_t		 maxrequests;
	uint32_t		 nrdma_ird;
	uint32_t		 rdma_ird;
};
struct nfs41_exchange_id_args {
	uint8_t			 verf[NFS4_VERIFIER_SIZE];
	struct nfs4_opaque	 ownerid;
	uint32_t		 flags;
	uint32_t		 protect;		/* SP4_* */
	struct nfs4_bitmap	 enforce;		/* SP4_MACH_CRED's */
	struct nfs4_bitmap	 allow;
	int			 has_impl;
	struct nfs4_opaque	 impl_domain;
	struct nfs4_opaque	 impl_name;
};
struct nfs41_create_session_args {
	uint64_t		 clientid;
	uint32_t		 sequence;
	uint32_t		 flags;
	struct nfs41_channel	 fore;
	struct nfs41_channel	 back;
	uint32_t		 cb_program;
	struct nfs4_opaque	 cb_sec;	/* callback_sec_parms4<> as
						   it came, count included */
};
struct nfs41_sessionid_args {	/* DESTROY_SESSION */
	uint8_t			 sessionid[NFS41_SESSIONID_SIZE];
};
struct nfs41_sequence_args {
	uint8_t			 sessionid[NFS41_SESSIONID_SIZE];
	uint32_t		 sequenceid;
	uint32_t		 slotid;
	uint32_t		 highest_slotid;
	int			 cachethis;
};
struct nfs41_bind_conn_args {
	uint8_t			 sessionid[NFS41_SESSIONID_SIZE];
	uint32_t		 dir;		/* CDFC4_* */
	int			 rdma;
};
struct nfs41_backchannel_ctl_args {
	uint32_t		 cb_program;
	struct nfs4_opaque	 cb_sec;	/* as CREATE_SESSION's */
};
struct nfs41_reclaim_complete_args {
	int			 one_fs;
};
struct nfs41_secinfo_no_name_args {
	uint32_t		 style;		/* SECINFO_STYLE4_* */
};

/* RFC 8881 18.39.1: GET_DIR_DELEGATION4args (delays are not kept). */
struct nfs41_get_dir_delegation_args {
	int			 signal;	/* gdda_signal_deleg_avail */
	struct nfs4_bitmap	 types;		/* NOTIFY4_* bits */
	struct nfs4_bitmap	 child_attrs;
	struct nfs4_bitmap	 dir_attrs;
};

/* One decoded operation of a COMPOUND. */
struct nfs4_op {
	uint32_t	 opnum;		/* OP_ILLEGAL for one we do not know */
	union {
		struct nfs4_access_args			access;
		struct nfs4_close_args			close;
		struct nfs4_commit_args			commit;
		struct nfs4_create_args			create;
		struct nfs4_clientid_args		clientid;
		struct nfs4_stateid_args		delegreturn;
		struct nfs4_getattr_args		getattr;
		struct nfs4_name_args			name;
		struct nfs4_lock_args			lock;
		struct nfs4_lockt_args			lockt;
		struct nfs4_locku_args			locku;
		struct nfs4_verify_args			verify;
		struct nfs4_open_args			open;
		struct nfs4_openattr_args		openattr;
		struct nfs4_open_confirm_args		open_confirm;
		struct nfs4_open_downgrade_args		open_downgrade;
		struct nfs4_putfh_args			putfh;
		struct nfs4_read_args			read;
		struct nfs4_readdir_args		readdir;
		struct nfs4_rename_args			rename;
		struct nfs4_setattr_args		setattr;
		struct nfs4_setclientid_args		setclientid;
		struct nfs4_setclientid_confirm_args	setclientid_confirm;
		struct nfs4_write_args			write;
		struct nfs4_release_lockowner_args	release_lockowner;
		struct nfs41_exchange_id_args		exchange_id;
		struct nfs41_create_session_args	create_session;
		struct nfs41_sessionid_args		destroy_session;
		struct nfs41_sequence_args		sequence;
		struct nfs41_bind_conn_args		bind_conn;
		struct nfs41_backchannel_ctl_args	backchannel_ctl;
		struct nfs41_reclaim_complete_args	reclaim_complete;
		struct nfs41_secinfo_no_name_args	secinfo_no_name;
		struct nfs41_get_dir_delegation_args	get_dir_delegation;
		/* DESTROY_CLIENTID: clientid */
	} u;
};

/*
 * COMPOUND4args, decoded op by op: nfs4_compound_begin() reads tag,
 * minorversion and the op count; nfs4_compound_next() decodes one op.
 * The processor runs each op as it comes and stops at the first error.
 */
struct nfs4_compound {
	struct xdrbuf_in	*x;
	struct nfs4_opaque	 tag;
	uint32_t		 minorversion;
	uint32_t		 nops;		/* as the client said */
	uint32_t		 next;		/* ops decoded so far */
	uint32_t		 ops_max;
	uint32_t		 minor_max;	/* served: 0, or 1 */
};

/* Results. */
struct nfs4_lock_denied {
	uint64_t		 offset;
	uint64_t		 length;
	uint32_t		 locktype;
	struct nfs4_owner	 owner;
};

/* nfsace4, with who as a string (idmap made it). */
struct nfs4_ace {
	uint32_t		 type;
	uint32_t		 flag;
	uint32_t		 mask;
	struct nfs4_opaque	 who;
};

struct nfs4_open_res {
	struct nfs4_stateid	 stateid;
	struct nfs4_change_info	 cinfo;
	uint32_t		 rflags;
	struct nfs4_bitmap	 attrset;
	uint32_t		 deleg_type;	/* OPEN_DELEGATE_* */
	uint32_t		 deleg_why;	/* NONE_EXT: WND4_* */
	struct nfs4_stateid	 deleg_stateid;
	int			 deleg_recall;
	uint32_t		 limitby;	/* WRITE: NFS_LIMIT_* */
	uint64_t		 filesize;	/* NFS_LIMIT_SIZE */
	uint32_t		 num_blocks;	/* NFS_LIMIT_BLOCKS */
	uint32_t		 bytes_per_block;
	struct nfs4_ace		 permissions;
};

#define NFS4_SECINFO_MAX	8
struct nfs4_secinfo {
	uint32_t		 flavor;
	struct nfs4_opaque	 oid;		/* RPCSEC_GSS only */
	uint32_t		 qop;
	uint32_t		 service;
};

/*
 * One op's result for nfs4_encode_resop().  Only the member of opnum's
 * case is read, and only where the status has a body (NFS4_OK; LOCK and
 * LOCKT's DENIED; SETCLIENTID's CLID_INUSE; SETATTR's attrsset always).
 */
struct nfs4_res {
	uint32_t	 opnum;
	uint32_t	 status;
	union {
		struct {
			uint32_t supported;
			uint32_t access;
		} access;
		struct nfs4_stateid	 stateid;	/* CLOSE, LOCK, LOCKU,
							   OPEN_CONFIRM,
							   OPEN_DOWNGRADE */
		uint8_t			 verf[NFS4_VERIFIER_SIZE]; /* COMMIT */
		struct {
			struct nfs4_change_info	cinfo;
			struct nfs4_bitmap	attrset;
		} create;
		struct nfs4_opaque	 fattr;		/* GETATTR: an encoded
							   fattr4 (attr.c) */
		struct nfs4_opaque	 fh;		/* GETFH */
		struct nfs4_change_info	 cinfo;		/* LINK, REMOVE */
		struct nfs4_lock_denied	 denied;	/* LOCK, LOCKT */
		struct nfs4_open_res	 open;
		struct {
			int			eof;
			struct nfs4_opaque	data;
		} read;
		struct {
			uint8_t			verf[NFS4_VERIFIER_SIZE];
			struct nfs4_opaque	entries; /* readdir_entry()s */
			int			eof;
		} readdir;
		struct nfs4_opaque	 link;		/* READLINK */
		struct {
			struct nfs4_change_info	source;
			struct nfs4_change_info	target;
		} rename;
		struct {
			size_t			count;
			const struct nfs4_secinfo *flavors;
		} secinfo;
		struct nfs4_bitmap	 attrsset;	/* SETATTR */
		struct {
			uint64_t		clientid;
			uint8_t			verf[NFS4_VERIFIER_SIZE];
			struct nfs4_opaque	netid;	/* CLID_INUSE */
			struct nfs4_opaque	addr;
		} setclientid;
		struct {
			uint32_t		count;
			uint32_t		committed;
			uint8_t			verf[NFS4_VERIFIER_SIZE];
		} write;
		struct {
			uint64_t		clientid;
			uint32_t		sequenceid;
			uint32_t		flags;
			uint64_t		owner_minor;
			struct nfs4_opaque	owner_major;
			struct nfs4_opaque	scope;
			struct nfs4_opaque	impl_domain;
			struct nfs4_opaque	impl_name;
			uint32_t		protect;	/* spr_how */
			struct nfs4_bitmap	enforce;	/* spr_mach_ops */
			struct nfs4_bitmap	allow;
		} exchange_id;
		struct {
			uint8_t			sessionid[NFS41_SESSIONID_SIZE];
			uint32_t		sequence;
			uint32_t		flags;
			struct nfs41_channel	fore;
			struct nfs41_channel	back;
		} create_session;
		struct {
			uint8_t			sessionid[NFS41_SESSIONID_SIZE];
			uint32_t		sequenceid;
			uint32_t		slotid;
			uint32_t		highest_slotid;
			uint32_t		target_highest_slotid;
			uint32_t		status_flags;
		} sequence;
		struct {
			uint8_t			sessionid[NFS41_SESSIONID_SIZE];
			uint32_t		dir;	/* CDFS4_* */
			int			rdma;
		} bind_conn;
		struct {
			uint32_t		status;	/* GDD4_* */
			uint8_t			verf[NFS4_VERIFIER_SIZE];
			struct nfs4_stateid	stateid;
			uint32_t		notification; /* NOTIFY4_ bits */
		} get_dir_delegation;
	} u;
};

/* COMPOUND4res as it is built: the places of the status and the count. */
struct nfs4_compound_out {
	struct xdrbuf_out	*o;
	size_t			 status_at;
	size_t			 count_at;
	uint32_t		 count;
};

/* xdr.c */
/* open_delegation4 of an OPEN's result, or WANT_DELEGATION's. */
void		 nfs4_put_open_delegation(struct xdrbuf_out *,
		    const struct nfs4_open_res *);
const char	*nfs4_op_name(uint32_t);
int		 nfs4_op_known(uint32_t);
uint32_t	 nfs4_compound_begin(struct nfs4_compound *, struct xdrbuf_in *,
		    uint32_t tag_max, uint32_t ops_max);
/* The same, serving minor versions 0 to minor_max (0 or 1). */
uint32_t	 nfs4_compound_begin_minor(struct nfs4_compound *,
		    struct xdrbuf_in *, uint32_t tag_max, uint32_t ops_max,
		    uint32_t minor_max);
int		 nfs4_compound_more(const struct nfs4_compound *);
uint32_t	 nfs4_compound_next(struct nfs4_compound *, struct nfs4_op *);
uint32_t	 nfs4_decode_op(struct xdrbuf_in *, struct nfs4_op *);
/* An op of a COMPOUND of minor version minor (numbers past 39: 4.1's). */
uint32_t	 nfs4_decode_op_minor(struct xdrbuf_in *, struct nfs4_op *,
		    uint32_t minor);
/* 1: an op number of minor version 1 (40 to 58). */
int		 nfs41_op_known(uint32_t);
uint32_t	 nfs4_name_check(const struct nfs4_opaque *);
int		 nfs4_get_bitmap(struct xdrbuf_in *, struct nfs4_bitmap *);
int		 nfs4_get_stateid(struct xdrbuf_in *, struct nfs4_stateid *);
void		 nfs4_put_bitmap(struct xdrbuf_out *, const struct nfs4_bitmap *);
void		 nfs4_put_stateid(struct xdrbuf_out *,
		    const struct nfs4_stateid *);
void		 nfs4_compound_out_begin(struct nfs4_compound_out *,
		    struct xdrbuf_out *, const struct nfs4_opaque *tag);
void		 nfs4_compound_out_end(struct nfs4_compound_out *,
		    uint32_t status);
void		 nfs4_encode_resop(struct nfs4_compound_out *,
		    const struct nfs4_res *);
void		 nfs4_encode_readdir_entry(struct xdrbuf_out *, uint64_t cookie,
		    const struct nfs4_opaque *name,
		    const struct nfs4_opaque *fattr);
size_t		 nfs4_readdir_entry_size(uint32_t namelen, size_t fattrlen);

/* xdr41.c: NFSv4.1's ops, for xdr.c. */
uint32_t	 nfs41_decode_body(struct xdrbuf_in *, struct nfs4_op *);
void		 nfs41_put_resok(struct xdrbuf_out *, const struct nfs4_res *);

/*
 * session.c: nfsd's mirror of stated's NFSv4.1 sessions (the cost rule
 * of common/stated_session.x): each session's channel attributes and
 * slot table, so that SEQUENCE is checked here (RFC 8881 2.10.6.1) and
 * a retry answered from here.  stated keeps the durable copy; a session
 * nfsd does not know is loaded from it.  At most max sessions are kept,
 * the least recently used going first (it is loaded again when it comes
 * back).  A slot is busy while the COMPOUND of its sequence id runs.
 */
#define NFS41_DIGEST_SIZE	16	/* of a request, for false retries */
#define NFS41_REPLY_MAX		65536	/* a kept reply (stated's bound) */

struct nfs41_slot {
	uint32_t		 seqid;		/* 0: never used */
	int			 busy;
	int			 cached;	/* reply is the kept reply */
	uint8_t			 digest[NFS41_DIGEST_SIZE];
	uint32_t		 digest_len;	/* 0: not known */
	uint8_t			*reply;
	uint32_t		 reply_len;
};

/*
 * RFC 8881 2.10.8.2, 18.36: the credentials callbacks may go with, from
 * callback_sec_parms4 (xdr41.c): the client's RPCSEC_GSS handles
 * (cb_gss41.c uses the first whose context nfsd holds), else its
 * AUTH_SYS parameters if it offered them, else AUTH_NONE.
 */
#define NFS41_CB_GSS_OFFERS	4
#define NFS41_CB_GSS_HANDLE_MAX	32	/* RPCAUTH_HANDLE_MAX */
struct nfs41_cb_gss_offer {
	uint32_t		 service;	/* gcbp_service */
	uint8_t			 server[NFS41_CB_GSS_HANDLE_MAX];
	uint32_t		 server_len;	/* the fore channel's handle */
	uint8_t			 client[NFS41_CB_GSS_HANDLE_MAX];
	uint32_t		 client_len;	/* in the callbacks' credential */
};
struct nfs41_cb_sec {
	int			 usable;	/* flavor is */
	uint32_t		 flavor;	/* NFS4_AUTH_NONE or _SYS */
	uint32_t		 stamp;		/* authsys_parms */
	char			 machine[256];
	uint32_t		 uid;
	uint32_t		 gid;
	uint32_t		 ngids;
	uint32_t		 gids[16];
	uint32_t		 gss_offered;	/* RPCSEC_GSS elements */
	uint32_t		 ngss;		/* usable shape, in offer order */
	struct nfs41_cb_gss_offer gss[NFS41_CB_GSS_OFFERS];
	char			 principal[256]; /* of the op that offered
						   them; "": not known */
};
/* 0 when something usable may be in it (the GSS handles unchecked). */
int	 nfs41_cb_sec_pick(const struct nfs4_opaque *, struct nfs41_cb_sec *);

/*
 * A connection a session is used over (RFC 8881 2.10.3.1): fore once a
 * SEQUENCE of the session came on it, back once bound for callbacks.
 * conn is the server's connection, held through nfs41_conn_ops.
 */
#define NFS41_CONNS_MAX		16	/* nfsd_msg.x NFSD_CTL_CONNS_MAX */
#define NFS41_CONN_FORE		1
#define NFS41_CONN_BACK		2
struct nfs41_conn {
	void			*conn;
	unsigned int		 dir;		/* NFS41_CONN_* */
	char			 name[64];	/* the peer */
};

/* How the mirror holds, lets go of and asks after a connection. */
struct nfs41_conn_ops {
	void			*(*hold)(void *);
	void			 (*release)(void *);
	int			 (*alive)(const void *);
};

struct nfs41_session {
	uint8_t			 id[NFS41_SESSIONID_SIZE];
	uint64_t		 clientid;
	uint32_t		 flags;		/* csr_flags */
	struct nfs41_channel	 fore;
	struct nfs41_channel	 back;
	uint32_t		 cb_program;	/* BACKCHANNEL_CTL's, if any */
	struct nfs41_cb_sec	 cb_sec;	/* the same */
	uint32_t		 cb_seqid;	/* stated's, when loaded */
	uint32_t		 nslots;
	struct nfs41_slot	*slots;
	uint32_t		 lease;		/* seconds */
	time_t			 renewed;	/* as far as nfsd knows */
	uint64_t		 binds;		/* BIND_CONN_TO_SESSION seen */
	size_t			 cached_bytes;	/* of the slots' replies */
	struct nfs41_conn	*conns;		/* live ones and some gone */
	uint32_t		 nconns;
	struct nfs41_session	*lru_prev;
	struct nfs41_session	*lru_next;
	struct nfs41_session	*next;		/* hash chain */
};

enum nfs41_verdict {
	NFS41_SLOT_NEW,		/* the next sequence id: run it */
	NFS41_SLOT_REPLAY,	/* a retry of a kept reply: send it again */
	NFS41_SLOT_UNCACHED,	/* a retry, nothing kept */
	NFS41_SLOT_FALSE_RETRY,	/* same slot and id, another request */
	NFS41_SLOT_MISORDERED,
	NFS41_SLOT_BADSLOT,
	NFS41_SLOT_BUSY,	/* its first try still runs: DELAY */
};

struct nfs41_mirror;
struct nfs41_mirror *nfs41_mirror_new(size_t max);
void		 nfs41_mirror_free(struct nfs41_mirror *);
/* A session (and first in the LRU), or NULL. */
struct nfs41_session *nfs41_mirror_get(struct nfs41_mirror *,
		    const uint8_t *id);
/* A new or refreshed session of nslots empty slots; NULL: no memory. */
struct nfs41_session *nfs41_mirror_add(struct nfs41_mirror *,
		    const uint8_t *id, uint64_t clientid, uint32_t nslots);
void		 nfs41_mirror_drop(struct nfs41_mirror *, const uint8_t *id);
size_t		 nfs41_mirror_drop_client(struct nfs41_mirror *, uint64_t);
void		 nfs41_mirror_drop_all(struct nfs41_mirror *);
size_t		 nfs41_mirror_count(const struct nfs41_mirror *,
		    size_t *bytes);
void		 nfs41_mirror_foreach(struct nfs41_mirror *,
		    void (*)(void *, struct nfs41_session *), void *);
void		 nfs41_mirror_set_conn_ops(struct nfs41_mirror *,
		    const struct nfs41_conn_ops *);
/*
 * The session is used over conn (named name) in direction dir: 0, or -1
 * (NFS41_CONNS_MAX live ones already, or memory: not listed).  Cheap
 * when conn is known with that direction: SEQUENCE calls it each time.
 */
int		 nfs41_session_conn(struct nfs41_mirror *,
		    struct nfs41_session *, void *conn, const char *name,
		    unsigned int dir);
/* The connections gone (ops->alive 0) let go of. */
void		 nfs41_session_conns_prune(struct nfs41_mirror *,
		    struct nfs41_session *);
/* A slot as stated keeps it (LOAD): 0, or -1 (past the table, memory). */
int		 nfs41_slot_load(struct nfs41_session *, uint32_t slotid,
		    uint32_t seqid, int cached, const uint8_t *digest,
		    size_t digest_len, const uint8_t *reply, size_t reply_len);
/* RFC 8881 2.10.6.1: what SEQUENCE does with slotid and seqid. */
enum nfs41_verdict nfs41_slot_check(struct nfs41_session *, uint32_t slotid,
		    uint32_t seqid, const uint8_t *digest, size_t digest_len);
/* The slot's new sequence id is taken: busy until nfs41_slot_done. */
void		 nfs41_slot_begin(struct nfs41_session *, uint32_t slotid,
		    uint32_t seqid, const uint8_t *digest, size_t digest_len);
/* Its COMPOUND answered: reply kept if cached (0), or -1 (memory). */
int		 nfs41_slot_done(struct nfs41_session *, uint32_t slotid,
		    uint32_t seqid, int cached, const uint8_t *reply,
		    size_t reply_len);
/* Only slots 0..n-1 kept, when none above runs: 1, else 0. */
int		 nfs41_slots_shrink(struct nfs41_session *, uint32_t n);
/*
 * A request's digest (NFS41_DIGEST_SIZE bytes): two FNV-1a 64s of its
 * first NFS41_DIGEST_HEAD and last NFS41_DIGEST_TAIL bytes and length.
 */
#define NFS41_DIGEST_HEAD	1024
#define NFS41_DIGEST_TAIL	64
void		 nfs41_digest(const uint8_t *, size_t, uint8_t *out);

/* Bitmap helpers (xdr.c). */
static inline int
nfs4_bitmap_isset(const struct nfs4_bitmap *b, unsigned int n)
{
	return n / 32 < NFS4_BITMAP_WORDS && (b->w[n / 32] >> (n % 32) & 1);
}

static inline void
nfs4_bitmap_set(struct nfs4_bitmap *b, unsigned int n)
{
	if (n / 32 < NFS4_BITMAP_WORDS)
		b->w[n / 32] |= 1u << (n % 32);
}

/* attr.c: the attributes a settable fattr4 carries. */
struct nfs4_sattr {
	struct nfs4_bitmap	 mask;		/* what was given */
	uint64_t		 size;
	uint32_t		 mode;		/* 07777 */
	uint32_t		 uid;
	uint32_t		 gid;
	int			 atime_server;	/* SET_TO_SERVER_TIME4 */
	struct nfs4_time	 atime;
	int			 mtime_server;
	struct nfs4_time	 mtime;
	struct acl		 acl;
};

/*
 * What nfs4_fattr_encode() reads: filled from blockd's bd_attr, the
 * share's statfs and the filehandle by the processor.
 */
struct nfs4_attr_src {
	struct nfs4_bitmap	 omit;		/* ours, but not for this
						   object (e.g. acl) */
	uint32_t		 minor;		/* the COMPOUND's: 4.1's
						   attributes for 1 and up */
	int			 numeric_ids;	/* owner, owner_group and ACL
						   who as decimal ids */
	uint32_t		 type;		/* NF4* */
	uint32_t		 fh_expire_type;
	uint64_t		 change;
	uint64_t		 size;
	int			 link_support;
	int			 symlink_support;
	int			 named_attr;
	uint64_t		 fsid_major;
	uint64_t		 fsid_minor;
	int			 unique_handles;
	uint32_t		 lease_time;
	uint32_t		 rdattr_error;
	const uint8_t		*fh;
	uint32_t		 fhlen;
	const struct acl	*acl;		/* NULL: the mode's ACL */
	uint32_t		 aclsupport;
	int			 cansettime;
	int			 case_insensitive;
	int			 case_preserving;
	int			 chown_restricted;
	uint64_t		 fileid;
	uint64_t		 files_avail;
	uint64_t		 files_free;
	uint64_t		 files_total;
	const char		*fs_root;	/* fs_locations' root path */
	int			 homogeneous;
	uint64_t		 maxfilesize;
	uint32_t		 maxlink;
	uint32_t		 maxname;
	uint64_t		 maxread;
	uint64_t		 maxwrite;
	uint32_t		 mode;		/* 07777 */
	int			 no_trunc;
	uint32_t		 numlinks;
	uint32_t		 uid;
	uint32_t		 gid;
	uint32_t		 rawdev_major;
	uint32_t		 rawdev_minor;
	uint64_t		 space_avail;
	uint64_t		 space_free;
	uint64_t		 space_total;
	uint64_t		 space_used;
	struct nfs4_time	 atime;
	struct nfs4_time	 crtime;
	struct nfs4_time	 time_delta;
	struct nfs4_time	 ctime;		/* time_metadata */
	struct nfs4_time	 mtime;
	uint64_t		 mounted_on_fileid;
};

struct nfs4_idmap;

void		 nfs4_attr_supported(struct nfs4_bitmap *, uint32_t minor);
void		 nfs4_attr_src_defaults(struct nfs4_attr_src *);
uint32_t	 nfs4_fattr_encode(struct xdrbuf_out *,
		    const struct nfs4_bitmap *request,
		    const struct nfs4_attr_src *, const struct nfs4_idmap *);
uint32_t	 nfs4_fattr_decode_sattr(const struct nfs4_fattr_raw *,
		    const struct nfs4_idmap *, struct nfs4_sattr *);
uint32_t	 nfs4_fattr_verify(const struct nfs4_fattr_raw *,
		    const struct nfs4_attr_src *, const struct nfs4_idmap *,
		    int nverify);

/* idmap.c */
#define NFS4_IDMAP_ENTRIES_MAX	65536	/* users, and groups, kept */
#define NFS4_IDMAP_NAME_MAX	256	/* a user's or group's name */
#define NFS4_IDMAP_DOMAIN_MAX	256
#define NFS4_IDMAP_STRING_MAX	(NFS4_IDMAP_NAME_MAX + 1 + \
	NFS4_IDMAP_DOMAIN_MAX)

struct nfs4_idmap	*nfs4_idmap_new(const char *domain, int numeric_in,
			    size_t max_entries);
void		 nfs4_idmap_free(struct nfs4_idmap *);
const char	*nfs4_idmap_domain(const struct nfs4_idmap *);
int		 nfs4_idmap_add_user(struct nfs4_idmap *, const char *, uint32_t);
int		 nfs4_idmap_add_group(struct nfs4_idmap *, const char *,
		    uint32_t);
int		 nfs4_idmap_load_nss(struct nfs4_idmap *);
int		 nfs4_idmap_load_files(struct nfs4_idmap *, FILE *passwd,
		    FILE *group);
size_t		 nfs4_idmap_count(const struct nfs4_idmap *, int groups);
int		 nfs4_idmap_default_domain(char *, size_t);
size_t		 nfs4_idmap_uid_to_name(const struct nfs4_idmap *, uint32_t,
		    char *, size_t);
size_t		 nfs4_idmap_gid_to_name(const struct nfs4_idmap *, uint32_t,
		    char *, size_t);
uint32_t	 nfs4_idmap_name_to_uid(const struct nfs4_idmap *,
		    const uint8_t *, size_t, uint32_t *);
uint32_t	 nfs4_idmap_name_to_gid(const struct nfs4_idmap *,
		    const uint8_t *, size_t, uint32_t *);

/*
 * cb_xdr.c: the callback program (RFC 7530 16.1 of the callback
 * operations: CB_GETATTR, CB_RECALL), which nfsd calls on the client's
 * callback address for stated's recalls.
 */
#define NFS4_CB_VERSION		1
#define NFS4_CB_PROC_NULL	0
#define NFS4_CB_PROC_COMPOUND	1

struct nfs4_cb_res {
	uint32_t		 status;	/* CB_COMPOUND4res's */
	struct nfs4_opaque	 tag;
	uint32_t		 nops;
	uint32_t		 opnum;		/* the first result's */
	uint32_t		 opstatus;
	struct nfs4_fattr_raw	 attrs;		/* CB_GETATTR, NFS4_OK */
};

void		 nfs4_cb_encode_recall(struct xdrbuf_out *,
		    const struct nfs4_opaque *tag, uint32_t callback_ident,
		    const struct nfs4_stateid *, int truncate,
		    const struct nfs4_opaque *fh);
void		 nfs4_cb_encode_getattr(struct xdrbuf_out *,
		    const struct nfs4_opaque *tag, uint32_t callback_ident,
		    const struct nfs4_opaque *fh, const struct nfs4_bitmap *);
int		 nfs4_cb_decode_res(struct xdrbuf_in *, struct nfs4_cb_res *);

/*
 * The NFSv4.1 backchannel's CB_COMPOUND (RFC 8881 20): CB_SEQUENCE on
 * slot 0 (the only one nfsd uses, so highest_slotid 0, nothing cached),
 * then the op; and its reply: the CB_SEQUENCE's status and, when that
 * succeeded, the op's.
 */
struct nfs41_cb_res {
	uint32_t		 status;	/* CB_COMPOUND4res's */
	uint32_t		 seq_status;	/* CB_SEQUENCE's */
	uint32_t		 opnum;		/* the second result's */
	uint32_t		 opstatus;
};

void		 nfs41_cb_encode_recall(struct xdrbuf_out *,
		    const uint8_t *sessionid,
		    uint32_t seqid, const struct nfs4_stateid *, int truncate,
		    const struct nfs4_opaque *fh);
/* CB_RECALL_ANY: keep at most keep read and write delegations. */
void		 nfs41_cb_encode_recall_any(struct xdrbuf_out *,
		    const uint8_t *sessionid, uint32_t seqid, uint32_t keep);
/*
 * RFC 8881 20.4: one change of a directory for CB_NOTIFY: type
 * NOTIFY4_ADD_ENTRY, _REMOVE_ENTRY (name), _RENAME_ENTRY (name, then
 * newname) or _CHANGE_DIR_ATTRS (no name).  Entries go without
 * attributes or cookies (nfsd offers none in GET_DIR_DELEGATION).
 */
struct nfs41_notify_event {
	uint32_t		 type;
	struct nfs4_opaque	 name;
	struct nfs4_opaque	 newname;
};

/* The CB_NOTIFY op (number and CB_NOTIFY4args), events in order. */
void		 nfs41_cb_put_notify(struct xdrbuf_out *,
		    const struct nfs4_stateid *, const struct nfs4_opaque *fh,
		    const struct nfs41_notify_event *, size_t);
/* RFC 8881 20.8: the CB_RECALL_SLOT op (number and target). */
void		 nfs41_cb_put_recall_slot(struct xdrbuf_out *,
		    uint32_t target_highest_slotid);
/* CB_SEQUENCE on slot 0, then one op already encoded (op, len). */
void		 nfs41_cb_encode_op(struct xdrbuf_out *,
		    const uint8_t *sessionid, uint32_t seqid,
		    const uint8_t *op, size_t len);
/* 0, or -1 when the reply does not parse (or names another session). */
int		 nfs41_cb_decode_res(struct xdrbuf_in *,
		    const uint8_t *sessionid,
		    struct nfs41_cb_res *);
/* cb_client4's r_netid ("tcp", "tcp6") and r_addr: 0, or -1. */
int		 nfs4_cb_sockaddr(const char *netid, const char *uaddr,
		    struct sockaddr_storage *, socklen_t *);
uint32_t	 nfs4_fattr_decode_change_size(const struct nfs4_fattr_raw *,
		    uint64_t *change, uint64_t *size);

/* error.c */
uint32_t	 nfs4_status_from_errno(int);
uint32_t	 nfs4_status_from_st(int);

/*
 * stateid_cache.c: stateids stated validated, so that READ and WRITE
 * with one make no round trip to stated (RFC 7530 9.1.4).  An entry is
 * {other, seqid, the file's handle, the open's share access} and is
 * there only while the state is known to be current: CHECK replies and
 * confirmed OPEN and LOCK replies put it; CLOSE, OPEN_DOWNGRADE and
 * LOCKU drop the file's, RELEASE_LOCKOWNER and stated's REVOKED push the
 * client's, a lost stated channel all.  A hit needs the same seqid (an
 * older one is stated's NFS4ERR_OLD_STATEID to say), the same handle,
 * and for a write an open with WRITE access.  Special stateids are never
 * put.  The client of an entry is stated's (stated_v4.x): the first 8
 * bytes of other.  Per client, when stated last renewed its lease as far
 * as nfsd knows, for the batched RENEW a hit stands for (RFC 7530 9.5).
 * A NULL cache (size 0) never hits.
 */
struct nfs4_stateid_cache;
struct nfs4_stateid_cache *nfs4_stateid_cache_new(size_t max);
void		 nfs4_stateid_cache_free(struct nfs4_stateid_cache *);
uint64_t	 nfs4_stateid_clientid(const struct nfs4_stateid *);
void		 nfs4_stateid_cache_put(struct nfs4_stateid_cache *,
		    const struct nfs4_stateid *, const uint8_t *fh,
		    size_t fhlen, uint32_t access, time_t now);
/* The access of a cached state, by its other alone: 1, or 0. */
int		 nfs4_stateid_cache_access(struct nfs4_stateid_cache *,
		    const struct nfs4_stateid *, uint32_t *access);
int		 nfs4_stateid_cache_hit(struct nfs4_stateid_cache *,
		    const struct nfs4_stateid *, const uint8_t *fh,
		    size_t fhlen, int write);
size_t		 nfs4_stateid_cache_drop_file(struct nfs4_stateid_cache *,
		    const uint8_t *fh, size_t fhlen);
size_t		 nfs4_stateid_cache_drop_client(struct nfs4_stateid_cache *,
		    uint64_t clientid);
void		 nfs4_stateid_cache_drop_all(struct nfs4_stateid_cache *);
/* 1 (and now noted) when the client's last renewal is interval old. */
int		 nfs4_stateid_cache_renew_due(struct nfs4_stateid_cache *,
		    uint64_t clientid, time_t now, time_t interval);
size_t		 nfs4_stateid_cache_count(const struct nfs4_stateid_cache *);

#endif
