/*
 * IPC$ and its named pipes (MS-SMB2 3.3.5.9, 3.3.5.12, 3.3.5.13,
 * 3.3.5.15.1; MS-FSCC 2.3.30): a tree of IPC$ (proc.c) opens the
 * pipes of the interfaces dcerpc.c serves (srvsvc, wkssvc), in message
 * mode; WRITE and READ, or IOCTL FSCTL_PIPE_TRANSCEIVE, carry DCE/RPC
 * PDUs; CLOSE ends the association.  Everything else on IPC$ is
 * answered here too, so that file.c never sees a pipe.  The shares the
 * RPC interfaces list are the ones smbd serves, with IPC$.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dcerpc.h"
#include "log.h"
#include "smbd.h"
#include "status.h"

#define FSCTL_PIPE_PEEK			0x0011400cu
#define FSCTL_PIPE_WAIT			0x00110018u
#define FSCTL_PIPE_TRANSCEIVE		0x0011c017u
#define FILE_ATTRIBUTE_NORMAL		0x00000080u
#define SMBD_PIPE_ALLOCATION		4096
/* What one READ or IOCTL returns from a pipe at most. */
#define SMBD_PIPE_READ_MAX		(64 * 1024)

void
smbd_ipc_close_pipe(struct smbd_open *o)
{
	dcerpc_conn_free(o->pipe);
	o->pipe = NULL;
}

/* MS-SMB2 2.2.13, 3.3.5.9: CREATE of a pipe by its name. */
static void
smbd_ipc_create(struct smbd_req *r, struct smbd_session *s)
{
	struct smbd_conn *c = r->conn;
	const struct dcerpc_interface *iface;
	struct smb2_create_req cr;
	struct smbd_open *o;
	char name[64];
	uint8_t out[88];
	ssize_t n;

	if (smb2_create_decode(r->msg, r->len, &cr) == -1) {
		smbd_bad(r, "CREATE");
		return;
	}
	n = smbd_utf16_to_utf8(cr.name, cr.name_len, name, sizeof(name) - 1);
	if (n < 0) {
		smbd_reply_error(r, STATUS_OBJECT_NAME_INVALID);
		return;
	}
	name[n] = '\0';
	if (memchr(name, '\0', (size_t)n) != NULL ||
	    (iface = dcerpc_interface_by_pipe(name)) == NULL) {
		smbd_reply_error(r, STATUS_OBJECT_NAME_NOT_FOUND);
		return;
	}
	if (s->conn->nopens >= c->env->opens_per_conn) {
		log_warnx_rl("%s: [smbd] open files per connection (%zu) "
		    "reached", c->peer, c->env->opens_per_conn);
		smbd_reply_error(r, STATUS_TOO_MANY_OPENED_FILES);
		return;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL ||
	    (o->pipe = dcerpc_conn_new(iface)) == NULL ||
	    (o->path = strdup(iface->pipe)) == NULL) {
		if (o != NULL) {
			dcerpc_conn_free(o->pipe);
			free(o);
		}
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	o->id = ++c->env->next_file_id;
	o->session_id = s->id;
	o->tree_id = r->rel_tree;
	o->share = SMBD_SHARE_IPC;
	o->fd = -1;
	snprintf(o->name, sizeof(o->name), "%s", iface->pipe);
	smbd_open_insert(c, s, o);
	r->rel_file = o->id;
	memset(out, 0, sizeof(out));
	smb2_put16(out, 89);
	smb2_put32(out + 4, 1);			/* FILE_OPENED */
	smb2_put64(out + 40, SMBD_PIPE_ALLOCATION);
	smb2_put32(out + 56, FILE_ATTRIBUTE_NORMAL);
	smb2_put64(out + 64, o->id);
	smb2_put64(out + 72, o->id);
	smbd_reply(r, STATUS_SUCCESS, out, sizeof(out));
}

/* The pipe a request names (related: the one CREATE opened). */
static struct smbd_open *
smbd_ipc_pipe(struct smbd_req *r, struct smbd_session *s, const uint8_t *fid)
{
	struct smbd_open *o = smbd_req_open(r, s, fid);

	/* On a tree of IPC$ every open is a pipe. */
	if (o != NULL && o->pipe == NULL) {
		smbd_reply_error(r, STATUS_FILE_CLOSED);
		return NULL;
	}
	return o;
}

/* The body checked, then the pipe: NULL after a reply. */
static struct smbd_open *
smbd_ipc_args(struct smbd_req *r, struct smbd_session *s, size_t size,
    size_t fid_off)
{
	if (smb2_body_check(r->len, size) == -1 ||
	    smb2_get16(r->msg + SMB2_HDR_SIZE) != size) {
		smbd_bad(r, "body");
		return NULL;
	}
	return smbd_ipc_pipe(r, s, r->msg + SMB2_HDR_SIZE + fid_off);
}

/* What the RPC interfaces answer from: the shares, with IPC$. */
static uint32_t
smbd_ipc_write(struct smbd_req *r, struct smbd_session *s,
    struct smbd_open *o, const uint8_t *data, size_t len)
{
	struct smbd_env *env = r->conn->env;
	struct dcerpc_share shares[SMBD_SHARES_MAX + 1];
	struct dcerpc_server srv;
	uint64_t calls = o->pipe->calls, faults = o->pipe->faults;
	uint64_t limited = o->pipe->limited;
	size_t i, n = 0;

	/* No share has a local path a client could use: NULL. */
	for (i = 0; i < env->nshares; i++) {
		shares[n].name = env->shares[i].name;
		shares[n].type = STYPE_DISKTREE;
		shares[n].comment = "";
		shares[n].path = NULL;
		n++;
	}
	shares[n].name = "IPC$";
	shares[n].type = STYPE_IPC_HIDDEN;
	shares[n].comment = "IPC Service";
	shares[n].path = NULL;
	n++;
	memset(&srv, 0, sizeof(srv));
	srv.name = env->server_name;
	srv.domain = "WORKGROUP";
	srv.comment = "DittoFS";
	srv.shares = shares;
	srv.nshares = n;
	srv.admin = s->uid == 0 && !s->guest && !s->anonymous;
	srv.anonymous = s->guest || s->anonymous;
	if (dcerpc_write(o->pipe, data, len, &srv) == -1) {
		log_warnx_rl("%s: pipe %s: not DCE/RPC", r->conn->peer,
		    o->name);
		return STATUS_INVALID_PARAMETER;
	}
	if (o->pipe->limited != limited)
		log_warnx_rl("%s: pipe %s: a call past the DCE/RPC limits (64 "
		    "KiB of request, 1 MiB of unread answers): faulted",
		    r->conn->peer, o->name);
	env->rpc_calls += o->pipe->calls - calls;
	env->rpc_faults += o->pipe->faults - faults;
	return STATUS_SUCCESS;
}

/* MS-SMB2 3.3.5.13: WRITE to a pipe. */
static void
smbd_ipc_write_cmd(struct smbd_req *r, struct smbd_session *s)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct smbd_open *o;
	uint16_t doff;
	uint32_t len, st;
	uint8_t out[16];

	if ((o = smbd_ipc_args(r, s, 49, 16)) == NULL)
		return;
	doff = smb2_get16(b + 2);
	len = smb2_get32(b + 4);
	if (len > r->conn->env->max_write ||
	    smb2_buffer_check(r->len, SMB2_HDR_SIZE + 48, doff, len) == -1) {
		smbd_bad(r, "WRITE data");
		return;
	}
	if ((st = smbd_ipc_write(r, s, o, r->msg + doff, len)) != 0) {
		smbd_reply_error(r, st);
		return;
	}
	memset(out, 0, sizeof(out));
	smb2_put16(out, 17);
	smb2_put32(out + 4, len);
	smbd_reply(r, STATUS_SUCCESS, out, sizeof(out));
}

/* MS-SMB2 3.3.5.12: READ from a pipe, one message at most. */
static void
smbd_ipc_read_cmd(struct smbd_req *r, struct smbd_session *s)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct smbd_open *o;
	uint32_t len;
	uint8_t *p;
	size_t n;
	int more;

	if ((o = smbd_ipc_args(r, s, 49, 16)) == NULL)
		return;
	len = smb2_get32(b + 4);
	if (len > r->conn->env->max_read) {
		smbd_bad(r, "READ length");
		return;
	}
	if (len > SMBD_PIPE_READ_MAX)
		len = SMBD_PIPE_READ_MAX;
	if (dcerpc_pending(o->pipe) == 0) {
		/* No call in progress: nothing will come (not pended). */
		smbd_reply_error(r, STATUS_PIPE_EMPTY);
		return;
	}
	if ((p = smbd_reply_room(r, 16 + (size_t)len)) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	n = dcerpc_read(o->pipe, p + 16, len, &more);
	memset(p, 0, 16);
	smb2_put16(p, 17);
	p[2] = SMB2_HDR_SIZE + 16;
	smb2_put32(p + 4, (uint32_t)n);
	smbd_reply_in(r, more ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS,
	    16 + n);
}

/*
 * MS-SMB2 3.3.5.15.1, MS-FSCC 2.3.30: FSCTL_PIPE_TRANSCEIVE, a write
 * and the first message it brings back (BUFFER_OVERFLOW with what fits
 * when it is longer than MaxOutputResponse; READ takes the rest).
 */
static void
smbd_ipc_transceive(struct smbd_req *r, struct smbd_session *s)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct smbd_open *o;
	uint32_t ioff, ilen, omax, st;
	uint8_t *p, fid[16];
	size_t n;
	int more;

	if ((o = smbd_ipc_pipe(r, s, b + 8)) == NULL)
		return;
	ioff = smb2_get32(b + 24);
	ilen = smb2_get32(b + 28);
	omax = smb2_get32(b + 44);
	if (ilen > r->conn->env->max_transact ||
	    smb2_buffer_check(r->len, SMB2_HDR_SIZE + 56, ioff, ilen) == -1) {
		smbd_bad(r, "IOCTL input");
		return;
	}
	if (omax > r->conn->env->max_transact)
		omax = r->conn->env->max_transact;
	if (omax > SMBD_PIPE_READ_MAX)
		omax = SMBD_PIPE_READ_MAX;
	if (dcerpc_pending(o->pipe) > 0) {
		/* The last answer was not read: a transceive would mix. */
		smbd_reply_error(r, STATUS_PIPE_BUSY);
		return;
	}
	if ((st = smbd_ipc_write(r, s, o, r->msg + ioff, ilen)) != 0) {
		smbd_reply_error(r, st);
		return;
	}
	if ((p = smbd_reply_room(r, 48 + (size_t)omax)) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	n = dcerpc_read(o->pipe, p + 48, omax, &more);
	smb2_put64(fid, o->id);
	smb2_put64(fid + 8, o->id);
	smbd_ioctl_header(p, FSCTL_PIPE_TRANSCEIVE, fid, (uint32_t)n);
	smbd_reply_in(r, more ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS,
	    48 + n);
}

/*
 * MS-FSCC 2.3.31: FSCTL_PIPE_WAIT on IPC$ (no FileId): success when a
 * pipe of that name is served, since ours are always free.
 */
static void
smbd_ipc_wait(struct smbd_req *r)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE, *in;
	uint32_t ioff = smb2_get32(b + 24), ilen = smb2_get32(b + 28), nlen;
	char name[64];
	ssize_t n;
	uint8_t out[48];

	if (smb2_buffer_check(r->len, SMB2_HDR_SIZE + 56, ioff, ilen) == -1 ||
	    ilen < 14 || (nlen = smb2_get32(r->msg + ioff + 8)) >
	    ilen - 14) {
		smbd_bad(r, "FSCTL_PIPE_WAIT");
		return;
	}
	in = r->msg + ioff;
	if ((n = smbd_utf16_to_utf8(in + 14, nlen, name,
	    sizeof(name) - 1)) < 0) {
		smbd_reply_error(r, STATUS_OBJECT_NAME_INVALID);
		return;
	}
	name[n] = '\0';
	if (memchr(name, '\0', (size_t)n) != NULL ||
	    dcerpc_interface_by_pipe(name) == NULL) {
		smbd_reply_error(r, STATUS_OBJECT_NAME_NOT_FOUND);
		return;
	}
	smbd_ioctl_header(out, FSCTL_PIPE_WAIT, b + 8, 0);
	smbd_reply(r, STATUS_SUCCESS, out, sizeof(out));
}

/* MS-SMB2 3.3.5.10: CLOSE of a pipe; its association goes with it. */
static void
smbd_ipc_close(struct smbd_req *r, struct smbd_session *s)
{
	struct smbd_open *o;
	uint8_t out[60];

	if ((o = smbd_ipc_args(r, s, 24, 8)) == NULL)
		return;
	smbd_open_free(r->conn, o);
	memset(out, 0, sizeof(out));
	smb2_put16(out, 60);
	smbd_reply(r, STATUS_SUCCESS, out, sizeof(out));
}

static void
smbd_ipc_info_out(struct smbd_req *r, const uint8_t *data, size_t len,
    uint32_t outmax)
{
	uint8_t out[8 + 40];

	if (outmax < len) {
		smbd_reply_error(r, STATUS_INFO_LENGTH_MISMATCH);
		return;
	}
	smb2_put16(out, 9);
	smb2_put16(out + 2, SMB2_HDR_SIZE + 8);
	smb2_put32(out + 4, (uint32_t)len);
	memcpy(out + 8, data, len);
	smbd_reply(r, STATUS_SUCCESS, out, 8 + len);
}

/*
 * MS-SMB2 3.3.5.20 on a pipe, as Windows answers it: the standard
 * information (a delete-pending, 4 KiB allocated, empty file) and the
 * pipe's own (MS-FSCC 2.4.30, message mode, one instance per open).
 */
static void
smbd_ipc_query_info(struct smbd_req *r, struct smbd_session *s)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct smbd_open *o;
	uint32_t outmax;
	uint8_t buf[40];

	if ((o = smbd_ipc_args(r, s, 41, 24)) == NULL)
		return;
	outmax = smb2_get32(b + 4);
	memset(buf, 0, sizeof(buf));
	if (b[2] != 1) {		/* SMB2_0_INFO_FILE */
		smbd_reply_error(r, STATUS_NOT_SUPPORTED);
		return;
	}
	switch (b[3]) {
	case 5:			/* FileStandardInformation */
		smb2_put64(buf, SMBD_PIPE_ALLOCATION);
		smb2_put32(buf + 16, 1);	/* NumberOfLinks */
		buf[20] = 1;			/* DeletePending */
		smbd_ipc_info_out(r, buf, 24, outmax);
		return;
	case 24:		/* FilePipeLocalInformation */
		smb2_put32(buf, 1);		/* NamedPipeType: message */
		smb2_put32(buf + 4, 0);		/* configuration: inbound */
		smb2_put32(buf + 8, 0xffffffffu); /* MaximumInstances */
		smb2_put32(buf + 12, 1);	/* CurrentInstances */
		smb2_put32(buf + 16, DCERPC_FRAG_MAX);	/* InboundQuota */
		smb2_put32(buf + 20, (uint32_t)dcerpc_pending(o->pipe));
		smb2_put32(buf + 24, DCERPC_FRAG_MAX);	/* OutboundQuota */
		smb2_put32(buf + 28, 0);	/* WriteQuotaAvailable */
		smb2_put32(buf + 32, 3);	/* NamedPipeState: connected */
		smb2_put32(buf + 36, 1);	/* NamedPipeEnd: server */
		smbd_ipc_info_out(r, buf, 40, outmax);
		return;
	}
	smbd_reply_error(r, STATUS_NOT_SUPPORTED);
}

int
smbd_ipc_dispatch(struct smbd_req *r)
{
	struct smbd_session *s = smbd_session_find(r->conn, r->rel_session);
	struct smbd_tree *t;
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	uint32_t code;

	if (s == NULL || s->state != SMBD_SESSION_VALID ||
	    (t = smbd_tree_find(s, r->rel_tree)) == NULL || !t->ipc)
		return 0;
	switch (r->hdr.command) {
	case SMB2_CREATE:
		smbd_ipc_create(r, s);
		return 1;
	case SMB2_CLOSE:
		smbd_ipc_close(r, s);
		return 1;
	case SMB2_READ:
		smbd_ipc_read_cmd(r, s);
		return 1;
	case SMB2_WRITE:
		smbd_ipc_write_cmd(r, s);
		return 1;
	case SMB2_QUERY_INFO:
		smbd_ipc_query_info(r, s);
		return 1;
	case SMB2_IOCTL:
		/* The rest (VALIDATE_NEGOTIATE_INFO, ...): proc.c's. */
		if (smb2_body_check(r->len, 57) == -1 ||
		    smb2_get16(b) != 57)
			return 0;
		code = smb2_get32(b + 4);
		if (code == FSCTL_PIPE_TRANSCEIVE) {
			smbd_ipc_transceive(r, s);
			return 1;
		}
		if (code == FSCTL_PIPE_WAIT) {
			smbd_ipc_wait(r);
			return 1;
		}
		return 0;
	case SMB2_FLUSH:
	case SMB2_QUERY_DIRECTORY:
	case SMB2_SET_INFO:
	case SMB2_LOCK:
	case SMB2_CHANGE_NOTIFY:
		smbd_reply_error(r, STATUS_INVALID_DEVICE_REQUEST);
		return 1;
	}
	return 0;
}
