/*
 * nfsd/v3: NFSv3 (RFC 1813).  proc.c holds the procedures, xdr.c the
 * argument decoders and the result encoders beside them (pure, fuzzed).
 * A call's state is a struct nfs3_call: what every NFS version needs
 * (struct nfs_call, nfsd.h) followed by what NFSv3's procedures keep
 * while they run.
 */
#ifndef DITTOFS_NFSD_V3_NFS3_H
#define DITTOFS_NFSD_V3_NFS3_H

#include "nfsd/nfsd.h"

/* RFC 1813 3.3: the procedures. */
#define NFSPROC3_NULL		0
#define NFSPROC3_GETATTR	1
#define NFSPROC3_SETATTR	2
#define NFSPROC3_LOOKUP		3
#define NFSPROC3_ACCESS		4
#define NFSPROC3_READLINK	5
#define NFSPROC3_READ		6
#define NFSPROC3_WRITE		7
#define NFSPROC3_CREATE		8
#define NFSPROC3_MKDIR		9
#define NFSPROC3_SYMLINK	10
#define NFSPROC3_MKNOD		11
#define NFSPROC3_REMOVE		12
#define NFSPROC3_RMDIR		13
#define NFSPROC3_RENAME		14
#define NFSPROC3_LINK		15
#define NFSPROC3_READDIR	16
#define NFSPROC3_READDIRPLUS	17
#define NFSPROC3_FSSTAT		18
#define NFSPROC3_FSINFO		19
#define NFSPROC3_PATHCONF	20
#define NFSPROC3_COMMIT		21

/* RFC 1813 2.5: ftype3 (the types MKNOD makes) and createmode3. */
#define NF3BLK			3
#define NF3CHR			4
#define NF3SOCK			6
#define NF3FIFO			7
#define NFS3_UNCHECKED		0
#define NFS3_GUARDED		1
#define NFS3_EXCLUSIVE		2

struct nfs3_sattr {
	int		set_mode, set_uid, set_gid, set_size;
	uint32_t	mode, uid, gid;
	uint64_t	size;
	uint32_t	atime_how, mtime_how;	/* 0 keep, 1 server, 2 client */
	struct timespec	atime, mtime;
};

struct nfs3_diropargs {
	const uint8_t	*fh;
	uint32_t	 fhlen;
	const uint8_t	*name;
	uint32_t	 namelen;
};

struct nfs3_args {
	const uint8_t	*fh;		/* the object or directory */
	uint32_t	 fhlen;
	struct nfs3_diropargs where;	/* LOOKUP, CREATE..., REMOVE, RMDIR */
	struct nfs3_diropargs to;	/* RENAME, LINK */
	struct nfs3_sattr sattr;
	int		 guard;
	struct timespec	 guard_ctime;
	uint32_t	 access;
	uint64_t	 offset;
	uint32_t	 count;
	uint32_t	 stable;
	const uint8_t	*data;
	uint32_t	 datalen;
	uint32_t	 createhow;
	uint8_t		 verf[8];
	uint64_t	 cookie;
	uint32_t	 dircount;
	uint32_t	 maxcount;
	const uint8_t	*target;	/* SYMLINK */
	uint32_t	 targetlen;
	uint32_t	 ftype;		/* MKNOD */
	uint32_t	 major, minor;
};

/* An NFSv3 call's state (rpcsvc_call->state). */
struct nfs3_call {
	struct nfs_call		 nfs;		/* first: the same pointer */
	struct nfs3_args	 args;
	unsigned int		 io_flags;	/* BD_OPEN_IO asked for */
	int			 io_opened;
	int			 retried;
	/* WRITE and COMMIT while their sync runs (common/syncer.h). */
	struct nfs_attr		 io_before;
	struct nfs_attr		 io_after;
	size_t			 io_done;
};

/* xdr.c: decoders */
int	 nfs3_xdr_decode_args(uint32_t proc, struct xdrbuf_in *,
	    struct nfs3_args *);
/* xdr.c: encoders (RFC 1813 2.5, 2.6) */
void	 nfs3_xdr_fattr(struct xdrbuf_out *, const struct nfs_attr *);
void	 nfs3_xdr_post_op(struct xdrbuf_out *, const struct nfs_attr *);
void	 nfs3_xdr_post_op_bd(struct xdrbuf_out *, const bd_attr *,
	    int valid);
void	 nfs3_xdr_wcc_attrs(struct xdrbuf_out *, const struct nfs_attr *,
	    const struct nfs_attr *);
void	 nfs3_xdr_wcc(struct xdrbuf_out *, const bd_wcc *);

/* proc.c */
int	 nfs3_status_from_errno(int);

#endif
