/*
 * The one table from what blockd and stated answer to nfsstat4 (RFC
 * 7530 13): blockd's statuses are negative errno values, stated's the
 * ST_* of common/stated_common.x.
 */
#include <errno.h>

#include "nfs4.h"
#include "stated_common.h"

static const struct {
	int		 err;
	uint32_t	 status;
} nfs4_errno_table[] = {
	{ EPERM, NFS4ERR_PERM },
	{ ENOENT, NFS4ERR_NOENT },
	{ EIO, NFS4ERR_IO },
	{ ENXIO, NFS4ERR_NXIO },
	{ EACCES, NFS4ERR_ACCESS },
	{ EEXIST, NFS4ERR_EXIST },
	{ EXDEV, NFS4ERR_XDEV },
	{ ENOTDIR, NFS4ERR_NOTDIR },
	{ EISDIR, NFS4ERR_ISDIR },
	{ EINVAL, NFS4ERR_INVAL },
	{ EFBIG, NFS4ERR_FBIG },
	{ ENOSPC, NFS4ERR_NOSPC },
	{ EROFS, NFS4ERR_ROFS },
	{ EMLINK, NFS4ERR_MLINK },
	{ ENAMETOOLONG, NFS4ERR_NAMETOOLONG },
	{ ENOTEMPTY, NFS4ERR_NOTEMPTY },
	{ EDQUOT, NFS4ERR_DQUOT },
	{ ESTALE, NFS4ERR_STALE },
	{ EBADMSG, NFS4ERR_BADHANDLE },	/* blockd: malformed handle */
	{ ELOOP, NFS4ERR_SYMLINK },
	{ ENOTSUP, NFS4ERR_NOTSUPP },
	{ EDEADLK, NFS4ERR_DEADLOCK },
	{ EAGAIN, NFS4ERR_DELAY },	/* busy: try again */
	{ ENOTCONN, NFS4ERR_DELAY },	/* blockd away: retry later */
	{ ENOMEM, NFS4ERR_DELAY },
	{ ETIMEDOUT, NFS4ERR_DELAY },
	{ ENODATA, NFS4ERR_NOENT },
	{ ERANGE, NFS4ERR_INVAL },
	{ E2BIG, NFS4ERR_FBIG },	/* blockd: an xattr over its limit */
};

/* 0 or a negative (or positive) errno to nfsstat4. */
uint32_t
nfs4_status_from_errno(int err)
{
	size_t i;

	if (err < 0)
		err = -err;
	if (err == 0)
		return NFS4_OK;
	for (i = 0; i < sizeof(nfs4_errno_table) /
	    sizeof(nfs4_errno_table[0]); i++)
		if (nfs4_errno_table[i].err == err)
			return nfs4_errno_table[i].status;
	return NFS4ERR_SERVERFAULT;
}

/*
 * stated's st_status.  v4 locks do not block in stated (LOCKW is polled
 * by the client), so BLOCKED is DENIED; a per-client limit is RESOURCE
 * (issue 23: a client that opens a million files); stated short of
 * memory or of its disk is DELAY, which the client retries.
 */
static const uint32_t nfs4_st_table[] = {
	[ST_OK] = NFS4_OK,
	[ST_DENIED] = NFS4ERR_DENIED,
	[ST_BLOCKED] = NFS4ERR_DENIED,
	[ST_DEADLOCK] = NFS4ERR_DEADLOCK,
	[ST_GRACE] = NFS4ERR_GRACE,
	[ST_NO_GRACE] = NFS4ERR_NO_GRACE,
	[ST_NOT_FOUND] = NFS4ERR_BAD_STATEID,
	[ST_INVALID] = NFS4ERR_INVAL,
	[ST_RANGE] = NFS4ERR_INVAL, /* offset + length wraps */
	[ST_NOMEM] = NFS4ERR_DELAY,
	[ST_NOT_KNOWN] = NFS4ERR_RECLAIM_BAD,
	[ST_IO] = NFS4ERR_DELAY,
	[ST_LIMIT] = NFS4ERR_RESOURCE,
};

uint32_t
nfs4_status_from_st(int st)
{
	if (st < 0 || (size_t)st >= sizeof(nfs4_st_table) /
	    sizeof(nfs4_st_table[0]))
		return NFS4ERR_SERVERFAULT;
	return nfs4_st_table[st];
}
