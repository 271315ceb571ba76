/*
 * smbd's alternate data streams (MS-FSA 2.1.5.1, MS-FSCC 2.4.44) as the
 * store's named streams (blockd/store.h, store_stream.c): a data fork of
 * a file or a directory with a backing file of its own, opened by
 * BD_STREAM_OPEN with its fd in the reply, listed by BD_NAMED_LIST and
 * removed by BD_STREAM_REMOVE.  READ, WRITE, FLUSH and LOCK of a stream's
 * open work on that fd as a file's do (file.c, lock.c).
 *
 * A stream's share mode, locks and oplock state are its own (MS-FSA
 * 2.1.5.1.2: sharing is checked per stream): stated knows it by the
 * file's identity with the top bit of the inode number set and the hash
 * of the stream's name in the generation, a name no file has.
 *
 * Names: the store's names are case-sensitive bytes; a CREATE finds an
 * existing stream whatever the case of its name (NTFS's rule) through
 * the file's listing, and makes a new one by the name given.
 *
 * Renames (SET_INFO FileRenameInformation to ":name") are the store's
 * too (BD_STREAM_RENAME): a stream to another name of its file, a stream
 * to the file's data and back.
 *
 * Its oplock or lease is its own too (stated knows it by that name).
 * Not served (dittofs-smbd(8)): durable handles on
 * a stream's open (granted none).
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefold.h"
#include "hash.h"
#include "log.h"
#include "perm.h"
#include "smbd.h"
#include "status.h"

#define SMBD_STREAM_FILE_MODE	0644
/* FileStreamInformation's most: ::$DATA and 32 streams, 255-byte names. */
#define SMBD_STREAM_LIST_MAX	(64 * 1024)
/* MS-FSA 2.1.5.3's MAXFILESIZE (file.c): no stream grows to it either. */
#define SMBD_STREAM_SIZE_MAX	0xfffffff0000ull

/* A CREATE of a named stream, from the file's LOOKUP to STREAM_OPEN. */
struct smbd_stream_call {
	struct smbd_conn	*c;
	uint64_t		 session_id;
	uint8_t			 dir[BD_FH_MAX];
	uint32_t		 dirlen;
	char			 file[BD_NAME_MAX + 1];
	uint32_t		 disposition;	/* SMB2's (2.2.13) */
	uint32_t		 io;
	uint32_t		 attrs;
	struct smbd_stream_opened so;
	smbd_stream_done_fn	*done;
	void			*arg;
};

static void
smbd_stream_end(struct smbd_stream_call *sc, uint32_t status)
{
	if (status != STATUS_SUCCESS && sc->so.fd != -1) {
		close(sc->so.fd);
		sc->so.fd = -1;
	}
	sc->done(sc->arg, status, &sc->so);
	free(sc);
}

/* The session the CREATE came on, or NULL after ending it. */
static struct smbd_session *
smbd_stream_session(struct smbd_stream_call *sc)
{
	struct smbd_session *s = smbd_session_find(sc->c, sc->session_id);

	if (s == NULL)
		smbd_stream_end(sc, STATUS_USER_SESSION_DELETED);
	return s;
}

/* A request naming a stream of the file fh names, as the session. */
static void
smbd_stream_req(bd_stream_req *req, struct smbd_session *s,
    const uint8_t *fh, uint32_t fhlen, const char *name, size_t namelen)
{
	memset(req, 0, sizeof(*req));
	smbd_cred(s, &req->cred);
	req->fh.bd_fh_len = fhlen;
	req->fh.bd_fh_val = (char *)(uintptr_t)fh;
	req->name.bd_name_len = (u_int)namelen;
	req->name.bd_name_val = (char *)(uintptr_t)name;
}

/* stated's identity of a stream: its file's, marked and named. */
static void
smbd_stream_identity(bd_attr *a, const char *name)
{
	a->ino |= SMBD_STREAM_INO_MARK;
	a->generation ^= hash_fnv1a32(name, strlen(name));
}

static void
smbd_stream_opened(void *arg, int status, void *reply, int fd)
{
	struct smbd_stream_call *sc = arg;
	bd_stream_open_reply *rep = reply;
	struct stat st;
	int existed;

	sc->so.fd = fd;
	if (status == -ENOENT) {
		smbd_stream_end(sc, STATUS_OBJECT_NAME_NOT_FOUND);
		return;
	}
	if (status != 0) {
		smbd_stream_end(sc, smb2_status_from_errno(status));
		return;
	}
	if (fd == -1 || fstat(fd, &st) == -1) {
		log_warnx_rl("blockd: STREAM_OPEN answered without an fd");
		smbd_stream_end(sc, STATUS_INTERNAL_ERROR);
		return;
	}
	existed = rep->opened != 2;		/* STORE_OPENED_CREATED */
	sc->so.attr = rep->attr;
	sc->so.attr.type = 1;			/* a stream is data */
	sc->so.attr.size = (uint64_t)st.st_size;
	sc->so.attr.used = (uint64_t)st.st_blocks * 512;
	smbd_stream_identity(&sc->so.attr, sc->so.name);
	/* SUPERSEDE, OVERWRITE and OVERWRITE_IF of an existing stream. */
	sc->so.truncate = existed && (sc->disposition == 0 ||
	    sc->disposition == 4 || sc->disposition == 5);
	if (!existed)
		sc->so.action = 2;		/* FILE_CREATED */
	else if (sc->so.truncate) {
		sc->so.action = sc->disposition == 0 ? 0 : 3;
		sc->so.attr.size = sc->so.attr.used = 0;
	} else
		sc->so.action = 1;		/* FILE_OPENED */
	smbd_stream_end(sc, STATUS_SUCCESS);
}

/*
 * SMB2's dispositions as the store's for a stream: an overwrite opens
 * without truncating, and CREATE empties the stream once its share mode
 * is granted (file.c), as it does a file's data.
 */
static const uint32_t smbd_stream_dispositions[] = {
	3,	/* FILE_SUPERSEDE: OPEN_IF, then emptied */
	1,	/* FILE_OPEN */
	2,	/* FILE_CREATE */
	3,	/* FILE_OPEN_IF */
	1,	/* FILE_OVERWRITE: OPEN, then emptied */
	3,	/* FILE_OVERWRITE_IF: OPEN_IF, then emptied */
};

/*
 * The stream of a file's listing named name in any case: 1, and name
 * made its name as the store has it; *nstreams (may be NULL) counts the
 * file's streams.
 */
static int
smbd_stream_match(const bd_named_list_reply *rep, char *name,
    size_t *nstreams)
{
	size_t n = 0, len = strlen(name);
	const bd_named *e;
	int found = 0;
	u_int i;

	for (i = 0; i < rep->entries.entries_len; i++) {
		e = &rep->entries.entries_val[i];
		if (e->kind != 2)		/* a user xattr */
			continue;
		n++;
		if (!found && e->name.bd_name_len <= SMB2_STREAM_NAME_MAX &&
		    casefold_eq(e->name.bd_name_val, e->name.bd_name_len,
		    name, len)) {
			memcpy(name, e->name.bd_name_val, e->name.bd_name_len);
			name[e->name.bd_name_len] = '\0';
			found = 1;
		}
	}
	if (nstreams != NULL)
		*nstreams = n;
	return found;
}

static void
smbd_stream_listed(void *arg, int status, void *reply, int fd)
{
	struct smbd_stream_call *sc = arg;
	bd_named_list_reply *rep = reply;
	struct smbd_session *s;
	bd_stream_open_req req;
	size_t nstreams = 0;
	int found = 0;

	/* Without a listing, the name as given: the store decides. */
	if (status == 0)
		found = smbd_stream_match(rep, sc->so.name, &nstreams);
	if (!found && (sc->disposition == 1 || sc->disposition == 4)) {
		smbd_stream_end(sc, STATUS_OBJECT_NAME_NOT_FOUND);
		return;
	}
	if (!found && nstreams >= SMB2_STREAMS_MAX) {
		log_warnx_rl("%s: a file's %d named streams (the store's "
		    "limit) reached", sc->c->peer, SMB2_STREAMS_MAX);
		smbd_stream_end(sc, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	if ((s = smbd_stream_session(sc)) == NULL)
		return;
	memset(&req, 0, sizeof(req));
	smbd_cred(s, &req.cred);
	req.fh.bd_fh_len = sc->so.fhlen;
	req.fh.bd_fh_val = (char *)sc->so.fh;
	req.name.bd_name_len = (u_int)strlen(sc->so.name);
	req.name.bd_name_val = sc->so.name;
	req.disposition = smbd_stream_dispositions[sc->disposition];
	/* An fd to read at least; one to empty the stream with. */
	req.io = sc->io != 0 ? sc->io : PERM_IO_READ;
	if (sc->disposition == 0 || sc->disposition == 4 ||
	    sc->disposition == 5)
		req.io |= PERM_IO_WRITE;
	req.access = req.io;
	/* STORE_IO_ARCHIVE_LATER: ARCHIVE when data is written. */
	if (req.io & PERM_IO_WRITE)
		req.io |= 0x10;
	bdc_call(sc->c->env->bdc, BD_STREAM_OPEN,
	    (xdrproc_t)xdr_bd_stream_open_req, &req,
	    (xdrproc_t)xdr_bd_stream_open_reply, sizeof(bd_stream_open_reply),
	    smbd_stream_opened, sc);
}

/* The file is there (found or made): its streams, to match the name. */
static void
smbd_stream_file(struct smbd_stream_call *sc, const bd_fh *fh,
    const bd_attr *attr)
{
	struct smbd_session *s;
	bd_fh_req req;

	if (attr->type != 1 && attr->type != 2) {
		smbd_stream_end(sc, STATUS_OBJECT_NAME_NOT_FOUND);
		return;
	}
	memcpy(sc->so.fh, fh->bd_fh_val, fh->bd_fh_len);
	sc->so.fhlen = fh->bd_fh_len;
	if ((s = smbd_stream_session(sc)) == NULL)
		return;
	smbd_fh_fill(&req, s, sc->so.fh, sc->so.fhlen);
	bdc_call(sc->c->env->bdc, BD_NAMED_LIST, (xdrproc_t)xdr_bd_fh_req,
	    &req, (xdrproc_t)xdr_bd_named_list_reply,
	    sizeof(bd_named_list_reply), smbd_stream_listed, sc);
}

static void
smbd_stream_made(void *arg, int status, void *reply, int fd)
{
	struct smbd_stream_call *sc = arg;
	bd_open_reply *rep = reply;

	if (fd != -1)
		close(fd);
	if (status != 0) {
		smbd_stream_end(sc, smb2_status_from_errno(status));
		return;
	}
	smbd_stream_file(sc, &rep->fh, &rep->attr);
}

static void
smbd_stream_looked_up(void *arg, int status, void *reply, int fd)
{
	struct smbd_stream_call *sc = arg;
	bd_entry_reply *rep = reply;
	struct smbd_session *s;
	bd_open_req req;

	if (status == 0) {
		smbd_stream_file(sc, &rep->fh, &rep->attr);
		return;
	}
	/* MS-FSA 2.1.5.1: a stream of no file makes the file (as NTFS). */
	if (status != -ENOENT || sc->disposition == 1 ||
	    sc->disposition == 4) {
		smbd_stream_end(sc, smb2_status_from_errno(status));
		return;
	}
	if ((s = smbd_stream_session(sc)) == NULL)
		return;
	memset(&req, 0, sizeof(req));
	smbd_cred(s, &req.cred);
	req.dir.bd_fh_len = sc->dirlen;
	req.dir.bd_fh_val = (char *)sc->dir;
	req.name.bd_name_len = (u_int)strlen(sc->file);
	req.name.bd_name_val = sc->file;
	req.disposition = 3;		/* OPEN_IF: a racing maker wins */
	req.mode = SMBD_STREAM_FILE_MODE;
	if (sc->attrs & 0x27) {		/* readonly hidden system archive */
		req.sattr.mask = 0x100;	/* STORE_SATTR_DOS */
		req.sattr.dos = sc->attrs & 0x27;
	}
	bdc_call(sc->c->env->bdc, BD_OPEN, (xdrproc_t)xdr_bd_open_req, &req,
	    (xdrproc_t)xdr_bd_open_reply, sizeof(bd_open_reply),
	    smbd_stream_made, sc);
}

void
smbd_stream_create(struct smbd_conn *c, struct smbd_session *s,
    const uint8_t *dir, uint32_t dirlen, const char *file, const char *stream,
    uint32_t disposition, uint32_t io, uint32_t attrs,
    smbd_stream_done_fn *done, void *arg)
{
	struct smbd_stream_call *sc;
	bd_dirop_req req;

	if (disposition > 5 || strlen(file) > BD_NAME_MAX ||
	    strlen(stream) > SMB2_STREAM_NAME_MAX ||
	    (sc = calloc(1, sizeof(*sc))) == NULL) {
		done(arg, disposition > 5 ? STATUS_INVALID_PARAMETER :
		    STATUS_INSUFFICIENT_RESOURCES, NULL);
		return;
	}
	sc->c = c;
	sc->session_id = s->id;
	memcpy(sc->dir, dir, dirlen);
	sc->dirlen = dirlen;
	memcpy(sc->file, file, strlen(file) + 1);
	memcpy(sc->so.name, stream, strlen(stream) + 1);
	sc->disposition = disposition;
	sc->io = io;
	sc->attrs = attrs;
	sc->so.fd = -1;
	sc->so.io = io;
	sc->done = done;
	sc->arg = arg;
	memset(&req, 0, sizeof(req));
	smbd_cred(s, &req.cred);
	req.dir.bd_fh_len = dirlen;
	req.dir.bd_fh_val = (char *)(uintptr_t)dir;
	req.name.bd_name_len = (u_int)strlen(file);
	req.name.bd_name_val = (char *)(uintptr_t)file;
	bdc_call(c->env->bdc, BD_LOOKUP, (xdrproc_t)xdr_bd_dirop_req, &req,
	    (xdrproc_t)xdr_bd_entry_reply, sizeof(bd_entry_reply),
	    smbd_stream_looked_up, sc);
}

void
smbd_stream_attr(struct smbd_conn *c, uint64_t file_id, bd_attr *a)
{
	struct smbd_open *o = smbd_open_find(c, file_id);
	struct stat st;

	if (o == NULL || o->stream[0] == '\0' || o->fd == -1 ||
	    fstat(o->fd, &st) == -1)
		return;
	a->type = 1;
	a->size = (uint64_t)st.st_size;
	a->used = (uint64_t)st.st_blocks * 512;
}

/* QUERY_INFO FileStreamInformation: the file's size, then its streams. */
struct smbd_stream_query {
	struct smbd_req	*r;
	uint64_t	 session_id;
	uint8_t		 fh[BD_FH_MAX];
	uint32_t	 fhlen;
	uint32_t	 outmax;
	bd_attr		 attr;
};

static void
smbd_stream_query_out(struct smbd_stream_query *q,
    const bd_named_list_reply *rep)
{
	struct smb2_stream_list l;
	uint32_t st = STATUS_SUCCESS;
	uint8_t *p;
	const bd_named *e;
	u_int i;

	memset(&l, 0, sizeof(l));
	/* 33 entries of names of 255 bytes fit well below it. */
	l.cap = q->outmax < SMBD_STREAM_LIST_MAX ? q->outmax :
	    SMBD_STREAM_LIST_MAX;
	if ((l.buf = malloc(l.cap ? l.cap : 1)) == NULL) {
		smbd_reply_error(q->r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	/* MS-FSA 2.1.5.11.29: a directory has no unnamed data stream. */
	if (q->attr.type != 2 && smb2_stream_list_add(&l, "", 0,
	    q->attr.size, (q->attr.used + 4095) & ~(uint64_t)4095) == -1)
		st = STATUS_BUFFER_OVERFLOW;
	for (i = 0; st == STATUS_SUCCESS && i < rep->entries.entries_len;
	    i++) {
		e = &rep->entries.entries_val[i];
		if (e->kind == 2 && smb2_stream_list_add(&l,
		    e->name.bd_name_val, e->name.bd_name_len, e->size,
		    (e->used + 4095) & ~(uint64_t)4095) == -1)
			st = STATUS_BUFFER_OVERFLOW;
	}
	if ((p = smbd_reply_room(q->r, 8 + l.used)) == NULL) {
		free(l.buf);
		smbd_reply_error(q->r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	smb2_put16(p, 9);
	smb2_put16(p + 2, SMB2_HDR_SIZE + 8);
	smb2_put32(p + 4, (uint32_t)l.used);
	memcpy(p + 8, l.buf, l.used);
	free(l.buf);
	smbd_reply_in(q->r, st, 8 + l.used);
}

static void
smbd_stream_query_listed(void *arg, int status, void *reply, int fd)
{
	struct smbd_stream_query *q = arg;

	if (status != 0) {
		smbd_reply_error(q->r, smb2_status_from_errno(status));
		return;
	}
	smbd_stream_query_out(q, reply);
}

static void
smbd_stream_query_attr(void *arg, int status, void *reply, int fd)
{
	struct smbd_stream_query *q = arg;
	bd_attr_reply *rep = reply;
	struct smbd_session *s;
	bd_fh_req req;

	if (status != 0) {
		smbd_reply_error(q->r, smb2_status_from_errno(status));
		return;
	}
	if ((s = smbd_session_find(q->r->conn, q->session_id)) == NULL) {
		smbd_reply_error(q->r, STATUS_USER_SESSION_DELETED);
		return;
	}
	q->attr = rep->attr;
	smbd_fh_fill(&req, s, q->fh, q->fhlen);
	bdc_call(q->r->conn->env->bdc, BD_NAMED_LIST,
	    (xdrproc_t)xdr_bd_fh_req, &req,
	    (xdrproc_t)xdr_bd_named_list_reply, sizeof(bd_named_list_reply),
	    smbd_stream_query_listed, q);
}

/*
 * MS-FSCC 2.4.44, MS-FSA 2.1.5.11.29: the entries that fit, and
 * STATUS_BUFFER_OVERFLOW when one did not.
 */
void
smbd_stream_query(struct smbd_req *r, struct smbd_session *s,
    struct smbd_open *o, uint32_t outmax)
{
	struct smbd_stream_query *q;
	bd_fh_req req;

	/* MS-SMB2 3.3.5.20.1: 32, the fixed size Windows answers for. */
	if (outmax < 32) {
		smbd_reply_error(r, STATUS_INFO_LENGTH_MISMATCH);
		return;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	r->work = q;
	r->work_free = free;
	q->r = r;
	q->session_id = s->id;
	memcpy(q->fh, o->fh, o->fhlen);
	q->fhlen = o->fhlen;
	q->outmax = outmax;
	smbd_fh_fill(&req, s, q->fh, q->fhlen);
	bdc_call(r->conn->env->bdc, BD_GETATTR, (xdrproc_t)xdr_bd_fh_req,
	    &req, (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
	    smbd_stream_query_attr, q);
}

/* MS-FSA 2.1.5.15.4: FileEndOfFileInformation, on the stream's fd. */
void
smbd_stream_set_eof(struct smbd_req *r, struct smbd_open *o, uint64_t size)
{
	uint8_t ok[2] = { 2, 0 };

	if (o->fd == -1 || !(o->access & PERM_IO_WRITE)) {
		smbd_reply_error(r, STATUS_ACCESS_DENIED);
		return;
	}
	if (size >= SMBD_STREAM_SIZE_MAX) {
		smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return;
	}
	if (ftruncate(o->fd, (off_t)size) == -1) {
		smbd_reply_error(r, smb2_status_from_errno(errno));
		return;
	}
	smbd_lease_written(r->conn->env, o);
	smbd_archive_written(r->conn, smbd_session_find(r->conn,
	    o->session_id), o);
	smbd_reply(r, STATUS_SUCCESS, ok, sizeof(ok));
}

/* A SET_INFO FileRenameInformation of a stream, or to one. */
struct smbd_stream_move {
	struct smbd_req	*r;
	uint64_t	 session_id;
	uint64_t	 file_id;
	int		 replace;
	char		 to[SMB2_STREAM_NAME_MAX + 1];	/* "": the data */
};

/*
 * An open other than o of the stream name ("": the file's data) of o's
 * file, names matched in any case.
 */
static int
smbd_stream_in_use(struct smbd_env *env, const struct smbd_open *o,
    const char *name)
{
	struct smbd_conn *c;
	struct smbd_open *so;
	size_t len = strlen(name);

	TAILQ_FOREACH(c, &env->conns, entry)
		TAILQ_FOREACH(so, &c->opens, entry)
			if (so != o && so->share == o->share &&
			    so->fhlen == o->fhlen &&
			    memcmp(so->fh, o->fh, o->fhlen) == 0 &&
			    casefold_eq(so->stream, strlen(so->stream), name,
			    len))
				return 1;
	return 0;
}

/* The open the rename is of, or NULL after answering. */
static struct smbd_open *
smbd_stream_move_open(struct smbd_stream_move *m)
{
	struct smbd_open *o = smbd_open_find(m->r->conn, m->file_id);

	if (o == NULL)
		smbd_reply_error(m->r, STATUS_FILE_CLOSED);
	return o;
}

static void
smbd_stream_moved(void *arg, int status, void *reply, int fd)
{
	struct smbd_stream_move *m = arg;
	struct smbd_open *o;
	uint8_t ok[2] = { 2, 0 };
	uint32_t st;

	if (status != 0) {
		/* MS-FSA 2.1.5.15.11.1: an existing target not replaced. */
		st = status == -EEXIST ? STATUS_OBJECT_NAME_COLLISION :
		    status == -ENOTEMPTY ? STATUS_INVALID_PARAMETER :
		    status == -ENOENT ? STATUS_OBJECT_NAME_NOT_FOUND :
		    smb2_status_from_errno(status);
		smbd_reply_error(m->r, st);
		return;
	}
	if ((o = smbd_open_find(m->r->conn, m->file_id)) != NULL) {
		/*
		 * The open follows its data (the store moved the backing
		 * files: its fd reads what it read); its share mode and
		 * locks stay under the name it was opened by until it
		 * closes.
		 */
		if (o->stream[0] == '\0' && m->to[0] != '\0')
			m->r->conn->env->stream_opens++;
		else if (o->stream[0] != '\0' && m->to[0] == '\0')
			m->r->conn->env->stream_opens--;
		memcpy(o->stream, m->to, strlen(m->to) + 1);
	}
	smbd_reply(m->r, STATUS_SUCCESS, ok, sizeof(ok));
}

static void
smbd_stream_move_send(struct smbd_stream_move *m, struct smbd_open *o)
{
	struct smbd_session *s;
	bd_stream_rename_req req;

	/* MS-FSA 2.1.5.15.11.1: a target in use is not replaced. */
	if (smbd_stream_in_use(m->r->conn->env, o, m->to)) {
		smbd_reply_error(m->r, STATUS_ACCESS_DENIED);
		return;
	}
	if ((s = smbd_session_find(m->r->conn, m->session_id)) == NULL) {
		smbd_reply_error(m->r, STATUS_USER_SESSION_DELETED);
		return;
	}
	memset(&req, 0, sizeof(req));
	smbd_cred(s, &req.cred);
	req.fh.bd_fh_len = o->fhlen;
	req.fh.bd_fh_val = (char *)o->fh;
	req.from.bd_name_len = (u_int)strlen(o->stream);
	req.from.bd_name_val = o->stream;
	req.to.bd_name_len = (u_int)strlen(m->to);
	req.to.bd_name_val = m->to;
	req.replace = m->replace;
	bdc_call(m->r->conn->env->bdc, BD_STREAM_RENAME,
	    (xdrproc_t)xdr_bd_stream_rename_req, &req,
	    (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
	    smbd_stream_moved, m);
}

/* The file's streams: the target's name as the store has it. */
static void
smbd_stream_move_listed(void *arg, int status, void *reply, int fd)
{
	struct smbd_stream_move *m = arg;
	bd_named_list_reply *rep = reply;
	struct smbd_open *o;
	size_t len = strlen(m->to);
	uint8_t ok[2] = { 2, 0 };

	if (status != 0) {
		smbd_reply_error(m->r, smb2_status_from_errno(status));
		return;
	}
	if ((o = smbd_stream_move_open(m)) == NULL)
		return;
	/* To its own name: nothing, or a change of case only. */
	if (casefold_eq(o->stream, strlen(o->stream), m->to, len)) {
		if (strcmp(o->stream, m->to) == 0)
			smbd_reply(m->r, STATUS_SUCCESS, ok, sizeof(ok));
		else
			smbd_stream_move_send(m, o);
		return;
	}
	(void)smbd_stream_match(rep, m->to, NULL);
	smbd_stream_move_send(m, o);
}

/*
 * MS-FSA 2.1.5.15.11.1: a stream renamed to ":name[:$DATA]", to the
 * file's data ("::$DATA", only an empty one replaced), or the file's
 * data made a stream (no other open of it).  A stream renamed to a path
 * is no stream rename: to its own file's path the file is in use by the
 * very open (STATUS_SHARING_VIOLATION, as Windows answers), to another
 * STATUS_INVALID_PARAMETER.
 */
void
smbd_stream_rename(struct smbd_req *r, struct smbd_session *s,
    struct smbd_open *o, int replace, const uint8_t *target, uint32_t len)
{
	char t[2 * (SMB2_STREAM_NAME_MAX + 16)], *colon;
	struct smbd_stream_move *m;
	enum smb2_stream_kind kind;
	bd_fh_req req;
	ssize_t n;

	if ((n = smbd_utf16_to_utf8(target, len, t, sizeof(t) - 1)) < 0 ||
	    memchr(t, '\0', (size_t)n) != NULL) {
		smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return;
	}
	t[n] = '\0';
	if (t[0] != ':') {
		if ((colon = strchr(t, ':')) != NULL && o->path != NULL &&
		    casefold_eq(t, (size_t)(colon - t), o->path,
		    strlen(o->path)))
			smbd_reply_error(r, STATUS_SHARING_VIOLATION);
		else
			smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	r->work = m;
	r->work_free = free;
	m->r = r;
	m->session_id = s->id;
	m->file_id = o->id;
	m->replace = replace;
	if (smb2_stream_target(t, &kind, m->to, sizeof(m->to)) != 0 ||
	    (kind == SMB2_STREAM_DEFAULT && o->is_dir) ||
	    (o->is_dir && o->stream[0] == '\0')) {
		/* A directory has no data stream to trade. */
		smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return;
	}
	if (o->stream[0] == '\0' && smbd_stream_in_use(r->conn->env, o,
	    "")) {
		/* The file's data made a stream under another open. */
		smbd_reply_error(r, STATUS_SHARING_VIOLATION);
		return;
	}
	if (kind == SMB2_STREAM_DEFAULT) {
		if (o->stream[0] == '\0') {
			uint8_t ok[2] = { 2, 0 };

			smbd_reply(r, STATUS_SUCCESS, ok, sizeof(ok));
			return;
		}
		smbd_stream_move_send(m, o);
		return;
	}
	smbd_fh_fill(&req, s, o->fh, o->fhlen);
	bdc_call(r->conn->env->bdc, BD_NAMED_LIST, (xdrproc_t)xdr_bd_fh_req,
	    &req, (xdrproc_t)xdr_bd_named_list_reply,
	    sizeof(bd_named_list_reply), smbd_stream_move_listed, m);
}

/* A file's named streams removed one after the other. */
struct smbd_stream_drop {
	struct smbd_conn	*c;
	uint64_t		 session_id;
	uint8_t			 fh[BD_FH_MAX];
	uint32_t		 fhlen;
	bd_named_list_reply	 list;		/* its own copy */
	u_int			 at;
	void			(*done)(void *);
	void			*arg;
};

static void
smbd_stream_drop_end(struct smbd_stream_drop *sd)
{
	xdr_free((xdrproc_t)xdr_bd_named_list_reply, (char *)&sd->list);
	sd->done(sd->arg);
	free(sd);
}

static void
smbd_stream_drop_next(void *arg, int status, void *reply, int fd)
{
	struct smbd_stream_drop *sd = arg;
	struct smbd_session *s;
	bd_stream_req req;
	bd_named *e;

	if (status != 0 && status != -ENOENT)
		log_warnx_rl("%s: a stream of an overwritten file not "
		    "removed: %s", sd->c->peer, strerror(-status));
	while (sd->at < sd->list.entries.entries_len &&
	    sd->list.entries.entries_val[sd->at].kind != 2)
		sd->at++;
	if (sd->at == sd->list.entries.entries_len ||
	    (s = smbd_session_find(sd->c, sd->session_id)) == NULL) {
		smbd_stream_drop_end(sd);
		return;
	}
	e = &sd->list.entries.entries_val[sd->at++];
	smbd_stream_req(&req, s, sd->fh, sd->fhlen, e->name.bd_name_val,
	    e->name.bd_name_len);
	bdc_call(sd->c->env->bdc, BD_STREAM_REMOVE,
	    (xdrproc_t)xdr_bd_stream_req, &req,
	    (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
	    smbd_stream_drop_next, sd);
}

static void
smbd_stream_drop_listed(void *arg, int status, void *reply, int fd)
{
	struct smbd_stream_drop *sd = arg;
	bd_named_list_reply *rep = reply;

	if (status != 0) {
		log_warnx_rl("%s: the streams of an overwritten file not "
		    "listed: %s", sd->c->peer, strerror(-status));
		smbd_stream_drop_end(sd);
		return;
	}
	/* The reply is freed after this returns: keep the list. */
	sd->list = *rep;
	memset(rep, 0, sizeof(*rep));
	smbd_stream_drop_next(sd, 0, NULL, -1);
}

void
smbd_stream_drop_all(struct smbd_conn *c, struct smbd_session *s,
    const uint8_t *fh, uint32_t fhlen, void (*done)(void *), void *arg)
{
	struct smbd_stream_drop *sd;
	bd_fh_req req;

	if ((sd = calloc(1, sizeof(*sd))) == NULL) {
		log_warnx_rl("%s: the streams of an overwritten file kept "
		    "(out of memory)", c->peer);
		done(arg);
		return;
	}
	sd->c = c;
	sd->session_id = s->id;
	memcpy(sd->fh, fh, fhlen);
	sd->fhlen = fhlen;
	sd->done = done;
	sd->arg = arg;
	smbd_fh_fill(&req, s, fh, fhlen);
	bdc_call(c->env->bdc, BD_NAMED_LIST, (xdrproc_t)xdr_bd_fh_req, &req,
	    (xdrproc_t)xdr_bd_named_list_reply, sizeof(bd_named_list_reply),
	    smbd_stream_drop_listed, sd);
}

/* An open of a stream of the file fh names without ShareAccess bit need. */
static int
smbd_stream_opens(struct smbd_env *env, size_t share, const uint8_t *fh,
    uint32_t fhlen, uint32_t need)
{
	struct smbd_conn *c;
	struct smbd_open *so;

	/* Most servers have none open: no walk of every open. */
	if (env->stream_opens == 0)
		return 0;
	TAILQ_FOREACH(c, &env->conns, entry)
		TAILQ_FOREACH(so, &c->opens, entry)
			if (so->stream[0] != '\0' && so->share == share &&
			    so->fhlen == fhlen &&
			    memcmp(so->fh, fh, fhlen) == 0 &&
			    (need == 0 || !(so->share_access & need)))
				return 1;
	return 0;
}

int
smbd_stream_open_on(struct smbd_env *env, const struct smbd_open *o)
{
	return smbd_stream_opens(env, o->share, o->fh, o->fhlen, 0);
}

int
smbd_stream_deny_delete(struct smbd_env *env, size_t share,
    const uint8_t *fh, uint32_t fhlen)
{
	return smbd_stream_opens(env, share, fh, fhlen, 0x4);	/* SHARE_DELETE */
}

static void
smbd_stream_removed(void *arg, int status, void *reply, int fd)
{
	struct smbd_req *r = arg;

	if (status != 0)
		log_warnx_rl("%s: delete on close of a stream: %s",
		    r->conn->peer, strerror(-status));
	smbd_close_reply(r, NULL);
}

/* MS-FSA 2.1.5.4: the last close of a stream with delete pending. */
void
smbd_stream_close_remove(struct smbd_req *r, struct smbd_session *s,
    struct smbd_open *o)
{
	bd_stream_req req;

	smbd_stream_req(&req, s, o->fh, o->fhlen, o->stream,
	    strlen(o->stream));
	/* The bytes are copied by bdc_call before the open goes. */
	bdc_call(r->conn->env->bdc, BD_STREAM_REMOVE,
	    (xdrproc_t)xdr_bd_stream_req, &req,
	    (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
	    smbd_stream_removed, r);
	smbd_open_free(r->conn, o);
}

/*
 * MS-FSA 2.1.5.4: a file deleted (delete on close) while another open of
 * it stays, of its data or of a stream of it, goes with the last open of
 * it; until then it is listed, and its name answers STATUS_DELETE_PENDING
 * to a CREATE (of the file or a stream of it).  smbd keeps the name, and
 * the deleter's credentials for the BD_REMOVE made when the last open
 * goes.  Names match in any case (a case-sensitive share's twin in
 * another case waits too).  The record is smbd's alone: an NFS client
 * still sees the file until then, and an smbd restarted in between
 * leaves it there (dittofs-smbd(8)).
 */
struct smbd_stream_doomed {
	size_t			 share;
	uint8_t			 fh[BD_FH_MAX];
	uint32_t		 fhlen;
	uint8_t			 dir[BD_FH_MAX];
	uint32_t		 dirlen;
	char			 name[BD_NAME_MAX + 1];
	uint32_t		 uid, gid, ngroups;
	uint32_t		 groups[BD_NGROUPS_MAX];
	LIST_ENTRY(smbd_stream_doomed) entry;
};

/* An open of the file fh names (its data or a stream) other than except. */
static int
smbd_stream_file_opens(struct smbd_env *env, size_t share, const uint8_t *fh,
    uint32_t fhlen, const struct smbd_open *except)
{
	struct smbd_conn *c;
	struct smbd_open *so;

	TAILQ_FOREACH(c, &env->conns, entry)
		TAILQ_FOREACH(so, &c->opens, entry)
			if (so != except && so->share == share &&
			    so->fhlen == fhlen &&
			    memcmp(so->fh, fh, fhlen) == 0)
				return 1;
	return 0;
}

static struct smbd_stream_doomed *
smbd_stream_doomed_find(struct smbd_env *env, size_t share,
    const uint8_t *fh, uint32_t fhlen)
{
	struct smbd_stream_doomed *d;

	LIST_FOREACH(d, &env->doomed, entry)
		if (d->share == share && d->fhlen == fhlen &&
		    memcmp(d->fh, fh, fhlen) == 0)
			return d;
	return NULL;
}

int
smbd_stream_doom(struct smbd_env *env, struct smbd_session *s,
    const struct smbd_open *o)
{
	struct smbd_stream_doomed *d;

	if (o->is_dir || o->stream[0] != '\0' ||
	    !smbd_stream_file_opens(env, o->share, o->fh, o->fhlen, o))
		return 0;
	if (smbd_stream_doomed_find(env, o->share, o->fh, o->fhlen) != NULL)
		return 1;	/* another open's delete waits already */
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		log_warnx_rl("smbd: a deleted file open elsewhere "
		    "removed at once (out of memory)");
		return 0;
	}
	d->share = o->share;
	memcpy(d->fh, o->fh, o->fhlen);
	d->fhlen = o->fhlen;
	memcpy(d->dir, o->dir_fh, o->dir_fhlen);
	d->dirlen = o->dir_fhlen;
	memcpy(d->name, o->name, strlen(o->name) + 1);
	d->uid = s->uid;
	d->gid = s->gid;
	d->ngroups = s->ngroups;
	memcpy(d->groups, s->groups, s->ngroups * sizeof(s->groups[0]));
	LIST_INSERT_HEAD(&env->doomed, d, entry);
	return 1;
}

int
smbd_stream_doomed(struct smbd_env *env, size_t share, const uint8_t *dir,
    uint32_t dirlen, const char *name)
{
	struct smbd_stream_doomed *d;

	LIST_FOREACH(d, &env->doomed, entry)
		if (d->share == share && d->dirlen == dirlen &&
		    memcmp(d->dir, dir, dirlen) == 0 &&
		    casefold_eq(d->name, strlen(d->name), name, strlen(name)))
			return 1;
	return 0;
}

static void
smbd_stream_doomed_removed(void *arg, int status, void *reply, int fd)
{
	if (status != 0 && status != -ENOENT)
		log_warnx_rl("smbd: a deleted file not removed after its "
		    "last open's close: %s", strerror(-status));
}

void
smbd_stream_open_gone(struct smbd_env *env, const struct smbd_open *o)
{
	struct smbd_stream_doomed *d;
	bd_dirop_req req;

	if ((d = smbd_stream_doomed_find(env, o->share, o->fh,
	    o->fhlen)) == NULL || smbd_stream_file_opens(env, d->share, d->fh,
	    d->fhlen, NULL))
		return;
	LIST_REMOVE(d, entry);
	memset(&req, 0, sizeof(req));
	req.cred.uid = d->uid;
	req.cred.gid = d->gid;
	req.cred.groups.groups_len = d->ngroups;
	req.cred.groups.groups_val = d->groups;
	req.dir.bd_fh_len = d->dirlen;
	req.dir.bd_fh_val = (char *)d->dir;
	req.name.bd_name_len = (u_int)strlen(d->name);
	req.name.bd_name_val = d->name;
	/* The bytes are copied by bdc_call before d goes. */
	bdc_call(env->bdc, BD_REMOVE, (xdrproc_t)xdr_bd_dirop_req, &req,
	    (xdrproc_t)xdr_bd_wcc_reply, sizeof(bd_wcc_reply),
	    smbd_stream_doomed_removed, NULL);
	free(d);
}
