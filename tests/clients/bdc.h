/*
 * bdc: a blocking client of dittofs-blockd for tests and benchmarks.
 * It speaks the front ends' protocol (common/blockd_msg.x) as role
 * nfsd, one request at a time or pipelined.
 */
#ifndef DITTOFS_BDC_H
#define DITTOFS_BDC_H

#include <stdint.h>

#include "blockd_msg.h"
#include "ipc.h"

struct bdc {
	int		fd;
	uint32_t	next_id;
	bd_cred		cred;
	unsigned int	groups[1];
	unsigned int	notifies;	/* BD_NOTIFY messages seen */
	unsigned int	resyncs;	/* of them BD_NOTIFY_RESYNC */
};

/* Connect to path; as root, first become user (so SO_PEERCRED fits). */
int	bdc_connect(struct bdc *, const char *path, const char *user);
/* The same, saying HELLO as another front end's role. */
int	bdc_connect_as(struct bdc *, const char *path, const char *user,
	    enum ipc_role);
void	bdc_close(struct bdc *);
void	bdc_set_cred(struct bdc *, unsigned int uid, unsigned int gid);

/* One request, its BD_REPLY decoded into rep; *fd_out gets a passed fd. */
int	bdc_call(struct bdc *, uint32_t type, xdrproc_t req_proc,
	    const void *req, xdrproc_t rep_proc, void *rep, int *fd_out);
/* Pipelining: send without waiting; receive in order of arrival. */
int	bdc_send(struct bdc *, uint32_t type, xdrproc_t, const void *,
	    uint32_t *id);
int	bdc_recv(struct bdc *, xdrproc_t rep_proc, void *rep, uint32_t *id,
	    int *fd_out);

/* Conveniences returning the reply status (0 or -errno). */
/* Any request answered by a bd_entry_reply; -EIO if the call failed. */
int	bdc_entry_call(struct bdc *, uint32_t type, xdrproc_t, const void *,
	    bd_fh *out, bd_attr *attr);
int	bdc_share_root(struct bdc *, const char *name, bd_fh *out);
int	bdc_lookup(struct bdc *, const bd_fh *dir, const char *name,
	    bd_fh *out, bd_attr *attr);
int	bdc_create(struct bdc *, const bd_fh *dir, const char *name,
	    unsigned int mode, unsigned int how, bd_fh *out, bd_attr *attr);
int	bdc_mkdir(struct bdc *, const bd_fh *dir, const char *name,
	    unsigned int mode, bd_fh *out);
int	bdc_getattr(struct bdc *, const bd_fh *, bd_attr *);
int	bdc_remove(struct bdc *, const bd_fh *dir, const char *name);
int	bdc_rmdir(struct bdc *, const bd_fh *dir, const char *name);
int	bdc_rename(struct bdc *, const bd_fh *from, const char *fname,
	    const bd_fh *to, const char *tname);
int	bdc_open_io(struct bdc *, const bd_fh *, unsigned int flags,
	    int *fd, bd_attr *);
/* BD_OPEN: what bd_open_req carries beyond cred, dir and name. */
struct bdc_open_args {
	unsigned int	disposition;	/* 1 OPEN .. 7 SUPERSEDE */
	char		verf[BD_VERF_SIZE];
	unsigned int	mode;
	bd_sattr	sattr;
	unsigned int	access;
	unsigned int	io;
	unsigned int	flags;
};
/* *fd (may be NULL: closed) gets the fd that came with the reply, or -1. */
int	bdc_open(struct bdc *, const bd_fh *dir, const char *name,
	    const struct bdc_open_args *, bd_fh *out, bd_attr *attr,
	    unsigned int *opened, int *fd, bd_wcc *wcc);
void	bdc_fh_copy(bd_fh *dst, const bd_fh *src);
void	bdc_fh_free(bd_fh *);

#endif
