/* Blocking client of dittofs-blockd; see bdc.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdc.h"
#include "sandbox.h"

int
bdc_connect(struct bdc *c, const char *path, const char *user)
{
	return bdc_connect_as(c, path, user, IPC_ROLE_NFSD);
}

int
bdc_connect_as(struct bdc *c, const char *path, const char *user,
    enum ipc_role role)
{
	struct ipc_hello_reply hr;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_id = 100;
	if (user != NULL && geteuid() == 0) {
		struct sandbox_ids ids;

		if (sandbox_resolve_user(user, &ids) == -1 ||
		    sandbox_set_ids(&ids) == -1)
			return -1;
	}
	if ((c->fd = ipc_connect_unix(path)) == -1)
		return -1;
	if (ipc_sync_hello(c->fd, role, "bdc", &hr) == -1) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	xdr_free((xdrproc_t)xdr_ipc_hello_reply, &hr);
	bdc_set_cred(c, 0, 0);
	return 0;
}

void
bdc_close(struct bdc *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

void
bdc_set_cred(struct bdc *c, unsigned int uid, unsigned int gid)
{
	c->cred.uid = uid;
	c->cred.gid = gid;
	c->groups[0] = gid;
	c->cred.groups.groups_len = 1;
	c->cred.groups.groups_val = c->groups;
}

int
bdc_send(struct bdc *c, uint32_t type, xdrproc_t proc, const void *req,
    uint32_t *id)
{
	uint32_t my = c->next_id++;

	if (id != NULL)
		*id = my;
	return ipc_sync_send(c->fd, type, my, 0, -1, proc, req);
}

int
bdc_recv(struct bdc *c, xdrproc_t rep_proc, void *rep, uint32_t *id,
    int *fd_out)
{
	struct ipc_sync_reply r;
	int rc;

	if (fd_out != NULL)
		*fd_out = -1;
	/* Notifications may arrive between replies: skip them. */
	do {
		if (ipc_sync_recv(c->fd, &r) == -1)
			return -1;
		if (r.hdr.type == BD_NOTIFY) {
			bd_notify n;

			c->notifies++;
			memset(&n, 0, sizeof(n));
			if (ipc_sync_decode(&r, (xdrproc_t)xdr_bd_notify,
			    &n) == 0) {
				if (n.what & BD_NOTIFY_RESYNC)
					c->resyncs++;
				xdr_free((xdrproc_t)xdr_bd_notify, &n);
			}
			ipc_sync_reply_free(&r);
		}
	} while (r.hdr.type == BD_NOTIFY);
	if (id != NULL)
		*id = r.hdr.id;
	if (r.hdr.type != BD_REPLY) {
		ipc_sync_reply_free(&r);
		errno = EPROTO;
		return -1;
	}
	rc = ipc_sync_decode(&r, rep_proc, rep);
	if (rc == 0 && fd_out != NULL) {
		*fd_out = r.fd;
		r.fd = -1;
	}
	ipc_sync_reply_free(&r);
	if (rc == -1)
		errno = EBADMSG;
	return rc;
}

int
bdc_call(struct bdc *c, uint32_t type, xdrproc_t req_proc, const void *req,
    xdrproc_t rep_proc, void *rep, int *fd_out)
{
	if (bdc_send(c, type, req_proc, req, NULL) == -1)
		return -1;
	return bdc_recv(c, rep_proc, rep, NULL, fd_out);
}

void
bdc_fh_copy(bd_fh *dst, const bd_fh *src)
{
	dst->bd_fh_len = src->bd_fh_len;
	dst->bd_fh_val = malloc(src->bd_fh_len ? src->bd_fh_len : 1);
	if (dst->bd_fh_val == NULL)
		abort();
	memcpy(dst->bd_fh_val, src->bd_fh_val, src->bd_fh_len);
}

void
bdc_fh_free(bd_fh *fh)
{
	free(fh->bd_fh_val);
	fh->bd_fh_val = NULL;
	fh->bd_fh_len = 0;
}

static void
bdc_name(bd_name *n, const char *name)
{
	n->bd_name_len = (u_int)strlen(name);
	n->bd_name_val = (char *)name;
}

/* Entry replies: copy out fh/attr, free the decoded reply. */
static int
bdc_entry(struct bdc *c, uint32_t type, xdrproc_t req_proc, const void *req,
    bd_fh *out, bd_attr *attr)
{
	struct bd_entry_reply rep;
	int status;

	memset(&rep, 0, sizeof(rep));
	if (bdc_call(c, type, req_proc, req, (xdrproc_t)xdr_bd_entry_reply,
	    &rep, NULL) == -1)
		return -EIO;
	status = rep.status;
	if (status == 0 && out != NULL)
		bdc_fh_copy(out, &rep.fh);
	if (status == 0 && attr != NULL)
		*attr = rep.attr;
	xdr_free((xdrproc_t)xdr_bd_entry_reply, &rep);
	return status;
}

int
bdc_entry_call(struct bdc *c, uint32_t type, xdrproc_t req_proc,
    const void *req, bd_fh *out, bd_attr *attr)
{
	return bdc_entry(c, type, req_proc, req, out, attr);
}

int
bdc_share_root(struct bdc *c, const char *name, bd_fh *out)
{
	struct bd_share_root_req req = { (char *)name, 0 };

	return bdc_entry(c, BD_SHARE_ROOT, (xdrproc_t)xdr_bd_share_root_req,
	    &req, out, NULL);
}

int
bdc_lookup(struct bdc *c, const bd_fh *dir, const char *name, bd_fh *out,
    bd_attr *attr)
{
	struct bd_dirop_req req;

	req.cred = c->cred;
	req.dir = *dir;
	bdc_name(&req.name, name);
	return bdc_entry(c, BD_LOOKUP, (xdrproc_t)xdr_bd_dirop_req, &req, out,
	    attr);
}

int
bdc_create(struct bdc *c, const bd_fh *dir, const char *name,
    unsigned int mode, unsigned int how, bd_fh *out, bd_attr *attr)
{
	struct bd_create_req req;

	memset(&req, 0, sizeof(req));
	req.cred = c->cred;
	req.dir = *dir;
	bdc_name(&req.name, name);
	req.how = how;
	memcpy(req.verf, "verifier", BD_VERF_SIZE);
	req.sattr.mask = 0x01;		/* STORE_SATTR_MODE */
	req.sattr.mode = mode;
	return bdc_entry(c, BD_CREATE, (xdrproc_t)xdr_bd_create_req, &req, out,
	    attr);
}

int
bdc_mkdir(struct bdc *c, const bd_fh *dir, const char *name,
    unsigned int mode, bd_fh *out)
{
	struct bd_mkdir_req req;

	memset(&req, 0, sizeof(req));
	req.cred = c->cred;
	req.dir = *dir;
	bdc_name(&req.name, name);
	req.sattr.mask = 0x01;
	req.sattr.mode = mode;
	return bdc_entry(c, BD_MKDIR, (xdrproc_t)xdr_bd_mkdir_req, &req, out,
	    NULL);
}

int
bdc_getattr(struct bdc *c, const bd_fh *fh, bd_attr *attr)
{
	struct bd_fh_req req;
	struct bd_attr_reply rep;

	req.cred = c->cred;
	req.fh = *fh;
	memset(&rep, 0, sizeof(rep));
	if (bdc_call(c, BD_GETATTR, (xdrproc_t)xdr_bd_fh_req, &req,
	    (xdrproc_t)xdr_bd_attr_reply, &rep, NULL) == -1)
		return -EIO;
	if (rep.status == 0 && attr != NULL)
		*attr = rep.attr;
	return rep.status;
}

static int
bdc_wcc_op(struct bdc *c, uint32_t type, const bd_fh *dir, const char *name)
{
	struct bd_dirop_req req;
	struct bd_wcc_reply rep;

	req.cred = c->cred;
	req.dir = *dir;
	bdc_name(&req.name, name);
	memset(&rep, 0, sizeof(rep));
	if (bdc_call(c, type, (xdrproc_t)xdr_bd_dirop_req, &req,
	    (xdrproc_t)xdr_bd_wcc_reply, &rep, NULL) == -1)
		return -EIO;
	return rep.status;
}

int
bdc_remove(struct bdc *c, const bd_fh *dir, const char *name)
{
	return bdc_wcc_op(c, BD_REMOVE, dir, name);
}

int
bdc_rmdir(struct bdc *c, const bd_fh *dir, const char *name)
{
	return bdc_wcc_op(c, BD_RMDIR, dir, name);
}

int
bdc_rename(struct bdc *c, const bd_fh *from, const char *fname,
    const bd_fh *to, const char *tname)
{
	struct bd_rename_req req;
	struct bd_rename_reply rep;

	req.cred = c->cred;
	req.fromdir = *from;
	bdc_name(&req.from, fname);
	req.todir = *to;
	bdc_name(&req.to, tname);
	memset(&rep, 0, sizeof(rep));
	if (bdc_call(c, BD_RENAME, (xdrproc_t)xdr_bd_rename_req, &req,
	    (xdrproc_t)xdr_bd_rename_reply, &rep, NULL) == -1)
		return -EIO;
	return rep.status;
}

int
bdc_open_io(struct bdc *c, const bd_fh *fh, unsigned int flags, int *fd,
    bd_attr *attr)
{
	struct bd_open_io_req req;
	struct bd_attr_reply rep;

	req.cred = c->cred;
	req.fh = *fh;
	req.flags = flags;
	memset(&rep, 0, sizeof(rep));
	*fd = -1;
	if (bdc_call(c, BD_OPEN_IO, (xdrproc_t)xdr_bd_open_io_req, &req,
	    (xdrproc_t)xdr_bd_attr_reply, &rep, fd) == -1)
		return -EIO;
	if (rep.status == 0 && attr != NULL)
		*attr = rep.attr;
	if (rep.status != 0 && *fd != -1) {
		close(*fd);
		*fd = -1;
	}
	return rep.status;
}

int
bdc_open(struct bdc *c, const bd_fh *dir, const char *name,
    const struct bdc_open_args *a, bd_fh *out, bd_attr *attr,
    unsigned int *opened, int *fd, bd_wcc *wcc)
{
	struct bd_open_req req;
	struct bd_open_reply rep;
	int status, got = -1;

	memset(&req, 0, sizeof(req));
	req.cred = c->cred;
	req.dir = *dir;
	bdc_name(&req.name, name);
	req.disposition = a->disposition;
	memcpy(req.verf, a->verf, BD_VERF_SIZE);
	req.mode = a->mode;
	req.sattr = a->sattr;
	req.access = a->access;
	req.io = a->io;
	req.flags = a->flags;
	memset(&rep, 0, sizeof(rep));
	if (bdc_call(c, BD_OPEN, (xdrproc_t)xdr_bd_open_req, &req,
	    (xdrproc_t)xdr_bd_open_reply, &rep, &got) == -1)
		return -EIO;
	status = rep.status;
	if (status == 0 && out != NULL)
		bdc_fh_copy(out, &rep.fh);
	if (status == 0 && attr != NULL)
		*attr = rep.attr;
	if (opened != NULL)
		*opened = rep.opened;
	if (wcc != NULL)
		*wcc = rep.dir;
	if (fd != NULL)
		*fd = got;
	else if (got != -1)
		close(got);
	xdr_free((xdrproc_t)xdr_bd_open_reply, &rep);
	return status;
}
