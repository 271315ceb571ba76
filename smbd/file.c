/*
 * smbd's file commands, through blockd (common/blockd_client.h) with
 * the session's uid, gid and groups: blockd applies the share's rules
 * and the permissions.  Data moves on the backing fd blockd hands over
 * with an OPEN (DESIGN.md section 4): READ and WRITE are pread and
 * pwrite here, without a round trip.
 *
 *   CREATE           MS-SMB2 3.3.5.9: the path walked by LOOKUP, a
 *                    file by BD_OPEN with the disposition, a directory
 *                    by LOOKUP or MKDIR; its share mode in stated
 *                    (lock.c)
 *   CLOSE            3.3.5.10, with the delete-on-close remove; its
 *                    locks and share mode go (smbd_open_free)
 *   READ, WRITE      3.3.5.12, 3.3.5.13; FLUSH 3.3.5.11
 *   QUERY_INFO       3.3.5.20: file and file system classes below,
 *                    security in security.c
 *   QUERY_DIRECTORY  3.3.5.18: READDIR with attributes, * and ?
 *   SET_INFO         3.3.5.21: basic, end of file, disposition, rename;
 *                    security in security.c
 *   named streams    "file:stream" in stream.c, from CREATE's walk here
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "casefold.h"
#include "log.h"
#include "perm.h"
#include "smbd.h"
#include "status.h"
#include "smb2_filetime.h"
#include "smb2_lease.h"
#include "smb2_shortname.h"
#include "stated_durable.h"
#include "stated_util.h"
#include "syncer.h"

#define FILE_ATTRIBUTE_READONLY		0x01
#define FILE_ATTRIBUTE_HIDDEN		0x02
#define FILE_ATTRIBUTE_SYSTEM		0x04
#define FILE_ATTRIBUTE_DIRECTORY	0x10
#define FILE_ATTRIBUTE_ARCHIVE		0x20
#define FILE_ATTRIBUTE_NORMAL		0x80
#define FILE_ATTRIBUTE_TEMPORARY	0x100
#define SMBD_DOS_SETTABLE		0x27	/* readonly hidden system archive */

#define FILE_DIRECTORY_FILE		0x00000001u
#define FILE_WRITE_THROUGH		0x00000002u
#define FILE_NON_DIRECTORY_FILE		0x00000040u
#define FILE_DELETE_ON_CLOSE		0x00001000u
#define FILE_CREATE_TREE_CONNECTION	0x00000080u
#define FILE_OPEN_BY_FILE_ID		0x00002000u
#define FILE_RESERVE_OPFILTER		0x00100000u
#define FILE_VALID_OPTION_FLAGS		0x00ffffffu
#define FILE_ATTRIBUTE_VALID_FLAGS	0x00007fb7u
/*
 * FileModeInformation (MS-FSCC 2.4.26): write-through, sequential only,
 * no intermediate buffering, the two synchronous-I/O bits, delete on
 * close; SET_INFO changes the first two (MS-FSA 2.1.5.14.9).
 */
#define SMBD_MODE_BITS			0x0000103eu
#define SMBD_MODE_SETTABLE		0x00000006u
#define SMBD_MODE_SYNC			0x00000030u

#define SMBD_READ_ACCESS	(0x00000001u | 0x00000020u | 0x80000000u | \
	0x20000000u | 0x10000000u | 0x02000000u)
#define SMBD_WRITE_ACCESS	(0x00000002u | 0x00000004u | 0x40000000u | \
	0x10000000u)
#define SMBD_DELETE_ACCESS	0x00010000u
#define SMBD_READ_ATTRIBUTES	0x00000080u
#define SMBD_MAXIMUM_ALLOWED	0x02000000u
#define SMBD_SYSTEM_SECURITY	0x01000000u	/* ACCESS_SYSTEM_SECURITY */
/* MS-DTYP 2.4.3: the bits of an access mask no right stands for. */
#define SMBD_RESERVED_ACCESS	0x0ce0fe00u
/* bd_attr flags: STORE_ATTR_ACL, an ACL only blockd decides with. */
#define SMBD_ATTR_ACL		0x02u
/* What changes anything, held by nobody on a read-only share. */
#define SMBD_ACL_CHANGES	(ACL_WRITE_DATA | ACL_APPEND_DATA | \
	ACL_WRITE_NAMED_ATTRS | ACL_DELETE_CHILD | ACL_WRITE_ATTRIBUTES | \
	ACL_DELETE | ACL_WRITE_ACL | ACL_WRITE_OWNER)

#define SMBD_NEW_FILE_MODE	0644
#define SMBD_COMPONENTS_MAX	128
/* The longest path FileNormalizedNameInformation answers. */
#define SMBD_NORMALIZED_MAX	4096
/* MS-FSA 2.1.5.3's MAXFILESIZE: a WRITE may not reach it. */
#define SMBD_MAXFILESIZE	0xfffffff0000ull

static uint64_t
smbd_filetime(const bd_time *t)
{
	return smb2_filetime(t->sec, t->nsec);
}

static void
smbd_time_from_filetime(uint64_t ft, bd_time *t)
{
	int64_t sec;
	uint32_t nsec;

	smb2_filetime_split(ft, &sec, &nsec);
	t->sec = sec;
	t->nsec = nsec;
}

static uint32_t
smbd_dos_attrs(const bd_attr *a)
{
	uint32_t d = a->dos & SMBD_DOS_SETTABLE;

	if (a->type == 2)
		d |= FILE_ATTRIBUTE_DIRECTORY;
	return d ? d : FILE_ATTRIBUTE_NORMAL;
}

void
smbd_cred(struct smbd_session *s, bd_cred *c)
{
	c->uid = s->uid;
	c->gid = s->gid;
	c->groups.groups_len = s->ngroups;
	c->groups.groups_val = s->groups;
}

void
smbd_open_user(struct smbd_open *o, const struct smbd_session *s)
{
	o->uid = s->uid;
	o->gid = s->gid;
	o->ngroups = s->ngroups;
	memcpy(o->groups, s->groups, s->ngroups * sizeof(s->groups[0]));
}

void
smbd_open_cred(const struct smbd_open *o, bd_cred *c)
{
	c->uid = o->uid;
	c->gid = o->gid;
	c->groups.groups_len = o->ngroups;
	c->groups.groups_val = (uint32_t *)(uintptr_t)o->groups;
}

/* A request naming an entry of a directory, as the session. */
static void
smbd_dirop_fill(bd_dirop_req *req, struct smbd_session *s,
    const uint8_t *dir, uint32_t dirlen, const char *name)
{
	memset(req, 0, sizeof(*req));
	smbd_cred(s, &req->cred);
	req->dir.bd_fh_len = dirlen;
	req->dir.bd_fh_val = (char *)(uintptr_t)dir;
	req->name.bd_name_len = (u_int)strlen(name);
	req->name.bd_name_val = (char *)(uintptr_t)name;
}

/* A request naming a file by its handle, as the session. */
void
smbd_fh_fill(bd_fh_req *req, struct smbd_session *s, const uint8_t *fh,
    uint32_t fhlen)
{
	memset(req, 0, sizeof(*req));
	smbd_cred(s, &req->cred);
	req->fh.bd_fh_len = fhlen;
	req->fh.bd_fh_val = (char *)(uintptr_t)fh;
}

static void
smbd_lookup(struct smbd_conn *c, const bd_dirop_req *req, bdc_done_fn *done,
    void *arg)
{
	bdc_call(c->env->bdc, BD_LOOKUP, (xdrproc_t)xdr_bd_dirop_req, req,
	    (xdrproc_t)xdr_bd_entry_reply, sizeof(bd_entry_reply), done, arg);
}

/* Times, sizes, attributes as CLOSE and the info classes put them. */
static void
smbd_put_times(uint8_t *p, const bd_attr *a)
{
	const bd_time *birth = a->btime.sec != 0 || a->btime.nsec != 0 ?
	    &a->btime : &a->ctime;

	smb2_put64(p, smbd_filetime(birth));
	smb2_put64(p + 8, smbd_filetime(&a->atime));
	smb2_put64(p + 16, smbd_filetime(&a->mtime));
	smb2_put64(p + 24, smbd_filetime(&a->ctime));
}

static uint64_t
smbd_alloc_size(const bd_attr *a)
{
	return a->type == 2 ? 0 : (a->used + 4095) & ~(uint64_t)4095;
}

static uint64_t
smbd_eof(const bd_attr *a)
{
	return a->type == 2 ? 0 : a->size;
}

/*
 * MS-SMB2 3.3.5.2.10: a 3.x request's ChannelSequence against its
 * open's (smb2_channel_seq_take): -1 for a WRITE, SET_INFO or IOCTL to
 * fail FILE_NOT_AVAILABLE, which the client replays once the older
 * ones are answered.  A message is counted once, however many times
 * its open is looked up.
 */
static int
smbd_channel_sequence(struct smbd_req *r, struct smbd_open *o)
{
	uint16_t csn = (uint16_t)r->hdr.status, cmd = r->hdr.command;
	int replay = (r->hdr.flags & SMB2_FLAGS_REPLAY_OPERATION) != 0;

	if (r->conn->neg.dialect < SMB2_DIALECT_300 ||
	    (r->csn_counted && r->csn_off == r->off))
		return 0;
	if (smb2_channel_seq_take(&o->channel_seq, csn, replay) == 0) {
		r->csn_counted = 1;
		r->csn_off = r->off;
		r->csn_open = o->id;
		r->csn = csn;
		return 0;
	}
	if (cmd != SMB2_WRITE && cmd != SMB2_SET_INFO && cmd != SMB2_IOCTL)
		return 0;
	log_info_rl("%s: %s%s of ChannelSequence %u, the open's %u (%u "
	    "older outstanding): FILE_NOT_AVAILABLE", r->conn->peer,
	    smb2_command_name(cmd), replay ? " replayed" : "", csn,
	    o->channel_seq.sequence, o->channel_seq.outstanding_pre);
	return -1;
}

/* 3.3.5.2.10: an answered request is no longer outstanding. */
void
smbd_channel_sequence_done(struct smbd_req *r)
{
	struct smbd_open *o;

	if (!r->csn_counted || r->csn_off != r->off)
		return;
	r->csn_counted = 0;
	if ((o = smbd_open_find(r->conn, r->csn_open)) != NULL)
		smb2_channel_seq_done(&o->channel_seq, r->csn);
}

/* The FileId a request names (or, related, the previous one's). */
struct smbd_open *
smbd_req_open(struct smbd_req *r, struct smbd_session *s, const uint8_t *fid)
{
	uint64_t p = smb2_get64(fid), v = smb2_get64(fid + 8);
	struct smbd_open *o;

	if (p == UINT64_MAX && v == UINT64_MAX &&
	    (r->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS))
		p = v = r->rel_file;
	if (p != v || (o = smbd_open_find(r->conn, v)) == NULL ||
	    o->session_id != s->id || o->tree_id != r->rel_tree) {
		smbd_reply_error(r, STATUS_FILE_CLOSED);
		return NULL;
	}
	if (smbd_channel_sequence(r, o) == -1) {
		smbd_reply_error(r, STATUS_FILE_NOT_AVAILABLE);
		return NULL;
	}
	/* MS-SMB2 3.3.5.2.7.2: the FileId a related operation next uses. */
	r->rel_file = o->id;
	/* 3.3.5.12 and the others: a replay of its CREATE is one no more. */
	o->replay_eligible = 0;
	return o;
}

/* Session, tree and open of a file command; NULL after a reply. */
struct smbd_open *
smbd_file_args(struct smbd_req *r, size_t size, size_t fid_off,
    struct smbd_session **sp)
{
	struct smbd_session *s;

	if (smb2_body_check(r->len, size) == -1 ||
	    smb2_get16(r->msg + SMB2_HDR_SIZE) != size) {
		smbd_bad(r, "body");
		return NULL;
	}
	if ((s = smbd_req_session(r)) == NULL ||
	    smbd_req_tree(r, s) == NULL)
		return NULL;
	*sp = s;
	return smbd_req_open(r, s, r->msg + SMB2_HDR_SIZE + fid_off);
}

/*
 * A path from the share's root, walked one LOOKUP at a time to the
 * last component's directory; then done() runs with dir and name.
 */
struct smbd_walk {
	struct smbd_req	*r;
	uint64_t	 session_id;
	size_t		 share;
	char		 path[BD_PATH_MAX + 1];
	char		*comp[SMBD_COMPONENTS_MAX];
	size_t		 ncomp, at;
	uint8_t		 dir[BD_FH_MAX];
	uint32_t	 dirlen;
	void		(*done)(struct smbd_walk *, uint32_t status);
	/* CREATE */
	uint32_t	 disposition;
	uint32_t	 options;
	uint32_t	 desired;
	uint32_t	 attrs;
	uint32_t	 share_access;
	struct smbd_open *open;		/* made, waiting for its share mode */
	int		 prechecked;	/* an overwrite's file looked up */
	int		 prechecking;	/* ... and its access being asked */
	uint8_t		 oplock;	/* RequestedOplockLevel */
	int		 oplocked;	/* breaks waited for, oplock asked */
	int		 has_lease;	/* RqLs with SMB2_OPLOCK_LEVEL_LEASE */
	int		 share_again;	/* H broken after a sharing violation */
	/*
	 * That violation ended by stated releasing a durable handle whose
	 * delete on close smbd carries out (durable.c): the CREATE waits
	 * for it (doom_wait) and runs again, once (doom_restarted).
	 */
	int		 doom_wait, doom_restarted;
	/*
	 * Its place among the CREATEs waiting for a sharing violation's
	 * breaks: the first to wait asks for its share mode first
	 * (smbd_create_share_again); `defer' its timer meanwhile.
	 */
	uint64_t	 share_wait;
	struct event	*defer;
	smbd_share_done_fn *share_done;
	struct smb2_lease lease;
	/* SET_INFO rename */
	uint64_t	 file_id;
	int		 replace;
	int		 lease_broken;	/* others' H broken first */
	/* lease.c: its changes of leased directories on their way */
	uint64_t	 dirlease_change, dirlease_change_to;
	bd_attr		 attr;
	uint8_t		 fh[BD_FH_MAX];
	uint32_t	 fhlen;
	int		 is_dir;
	int		 fd;
	uint32_t	 io;
	uint32_t	 action;
	/*
	 * MS-FSA 2.1.5.1.2.1: the ACE bits (= FILE_* rights) the caller
	 * holds on the file, known once asked (held_status: why not)
	 */
	int		 held_known;
	uint32_t	 held, held_status;
	int		 io_upgraded;	/* MAXIMUM_ALLOWED's write fd asked */
	struct smbd_secd *secd;		/* CREATE's SecD (security.c) */
	struct smbd_cctx *cctx;		/* MxAc, QFid, ... (create_ctx.c) */
	struct smb2_durable_req durable;	/* durable.c */
	struct st_durable_lock *relocks;	/* a reconnect's locks */
	size_t		 nrelocks;
	uint8_t		 refile[ST_FILE_ID_LEN];	/* ... its file */
	uint32_t	 reconnect_name;	/* ... its name parsed: status */
	/* stream.c: the last component's ":stream[:$DATA]" */
	enum smb2_stream_kind stream_kind;
	char		 stream[SMB2_STREAM_NAME_MAX + 1];
	int		 stream_truncate;	/* emptied once shared */
	/*
	 * A CREATE kept waiting (breaks, stated's grace): in c->creates for
	 * CANCEL; once answered STATUS_PENDING, r is the final response's.
	 */
	LIST_ENTRY(smbd_walk) entry;
	int		 listed;	/* in c->creates */
	int		 waiting;	/* a step waits, `wake' its timer */
	struct event	*wake;
	int		 cancelled;	/* CANCEL came while it waited */
	int		 async;		/* interim sent: r is the final's */
	struct smbd_async a;
	/*
	 * Components asked by their 8.3 names, found by the inode number
	 * their names carry (smb2_shortname.h): their long names, which
	 * comp[] then points to; shortname_tried: the last one's asked.
	 */
	char		 longnames[BD_PATH_MAX + 1];
	size_t		 longused;
	int		 shortname_tried;
	/* The last component's 8.3 name when it was asked by one. */
	char		 shortname[SMB2_SHORTNAME_MAX + 1];
};

static void
smbd_walk_free(void *arg)
{
	struct smbd_walk *w = arg;

	if (w->listed)
		LIST_REMOVE(w, entry);
	if (w->async)
		w->r->conn->pending_creates--;
	if (w->open != NULL) {
		smbd_lock_open_gone(w->r->conn, w->open);
		free(w->open->path);
		free(w->open);
	}
	if (w->fd != -1)
		close(w->fd);
	smbd_secd_free(w->secd);
	smbd_cctx_free(w->cctx);
	free(w->relocks);
	if (w->defer != NULL)
		event_free(w->defer);
	free(w);
}

/*
 * Split at '\\'; "" and "." refused, and ':' but in the last component,
 * where it names a stream (stream.c).  ".." takes the component before
 * it away, as Samba resolves it (smbtorture smb2.notify.tree
 * opens "dir\\sub\\.."), and climbing above the share's root is
 * STATUS_OBJECT_PATH_SYNTAX_BAD.
 */
static uint32_t
smbd_walk_parse(struct smbd_walk *w, const uint8_t *name, size_t len)
{
	ssize_t n;
	char *p, *q;
	uint32_t st;
	int toolong;

	w->longused = 0;
	w->shortname_tried = 0;
	w->shortname[0] = '\0';
	if (len == 0) {
		w->ncomp = 0;
		return 0;
	}
	if ((n = smbd_utf16_to_utf8(name, len, w->path,
	    sizeof(w->path) - 1)) < 0)
		return STATUS_OBJECT_NAME_INVALID;
	w->path[n] = '\0';
	if (memchr(w->path, '\0', (size_t)n) != NULL)
		return STATUS_OBJECT_NAME_INVALID;
	if (w->path[0] == '\\')
		return STATUS_INVALID_PARAMETER;
	if (n > 0 && w->path[n - 1] == '\\')
		w->path[n - 1] = '\0';
	w->ncomp = 0;
	for (p = w->path; p != NULL; p = q) {
		if ((q = strchr(p, '\\')) != NULL)
			*q++ = '\0';
		if (q == NULL && (st = smb2_stream_split(p, &w->stream_kind,
		    w->stream, sizeof(w->stream), &toolong)) != 0) {
			if (toolong)
				log_warnx_rl("%s: a stream name longer than "
				    "the store's %d bytes", w->r->conn->peer,
				    SMB2_STREAM_NAME_MAX);
			return st;
		}
		/* A share without streams has no stream names at all. */
		if (q == NULL && w->stream_kind != SMB2_STREAM_NONE &&
		    !w->r->conn->env->shares[w->share].streams)
			return STATUS_OBJECT_NAME_INVALID;
		if (strcmp(p, "..") == 0 && (q != NULL ||
		    w->stream_kind == SMB2_STREAM_NONE)) {
			if (w->ncomp == 0)
				return STATUS_OBJECT_PATH_SYNTAX_BAD;
			w->ncomp--;
			continue;
		}
		if (*p == '\0' || strcmp(p, ".") == 0 ||
		    strcmp(p, "..") == 0 || strchr(p, ':') != NULL ||
		    strchr(p, '/') != NULL)
			return STATUS_OBJECT_NAME_INVALID;
		if (strlen(p) > BD_NAME_MAX)
			return STATUS_OBJECT_NAME_INVALID;
		if (w->ncomp == SMBD_COMPONENTS_MAX)
			return STATUS_OBJECT_NAME_INVALID;
		w->comp[w->ncomp++] = p;
	}
	return 0;
}

static void	smbd_walk_step(struct smbd_walk *);

/* Into the directory a component's lookup found, or the walk's end. */
static void
smbd_walk_into(struct smbd_walk *w, int status, const bd_attr *attr,
    const bd_fh *fh)
{
	if (status != 0) {
		w->done(w, status == -ENOENT || status == -ENOTDIR ?
		    STATUS_OBJECT_PATH_NOT_FOUND :
		    smb2_status_from_errno(status));
		return;
	}
	if (attr->type != 2) {
		w->done(w, STATUS_OBJECT_PATH_NOT_FOUND);
		return;
	}
	memcpy(w->dir, fh->bd_fh_val, fh->bd_fh_len);
	w->dirlen = fh->bd_fh_len;
	w->at++;
	smbd_walk_step(w);
}

/* Milliseconds on CLOCK_MONOTONIC, never 0: the tunnel cache's clock. */
static uint64_t
smbd_tunnel_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 +
	    1;
}

/* The tunnelled long name's lookup: taken if no entry has it. */
static void
smbd_walk_tunnel_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;
	char *name = w->longnames + w->longused;

	(void)reply;
	(void)fd;
	if (status == -ENOENT) {
		log_debug("%s: 8.3 name %s made again: its long name %s "
		    "tunnelled", w->r->conn->peer, w->comp[w->at], name);
		w->comp[w->at] = name;
		w->longused += strlen(name) + 1;
	}
	w->done(w, 0);
}

/*
 * MS-FSA 2.1.1.2: the last component, an 8.3 name no file has now, left
 * this directory with its file's long name in the last 15 seconds
 * (smb2_tunnel.h): that name, if no entry has it either, is what the
 * walk ends on, so a CREATE makes the file under it again.  1 when
 * the lookup of it is on its way.
 */
static int
smbd_walk_tunnel(struct smbd_walk *w, const char *asked)
{
	struct smbd_conn *c = w->r->conn;
	struct smbd_session *s = smbd_session_find(c, w->session_id);
	const char *name;
	bd_dirop_req req;
	size_t len;

	name = smb2_tunnel_find(&c->env->tunnel, w->share, w->dir, w->dirlen,
	    asked, smbd_tunnel_now());
	if (name == NULL || s == NULL)
		return 0;
	len = strlen(name);
	if (w->longused + len + 1 > sizeof(w->longnames))
		return 0;
	memcpy(w->longnames + w->longused, name, len + 1);
	smbd_dirop_fill(&req, s, w->dir, w->dirlen,
	    w->longnames + w->longused);
	smbd_lookup(c, &req, smbd_walk_tunnel_done, w);
	return 1;
}

/*
 * The walk's component at, which no entry has as its name, was its 8.3
 * name (Windows resolves them in any component): the file of the inode
 * number it carries, if that is in this directory and its name gives
 * back exactly the 8.3 name asked.  Anything else is not found: the
 * last component then stays as asked (CREATE may make it), another
 * ends the walk.
 */
static void
smbd_walk_shortname_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;
	bd_lookup_ino_reply *rep = reply;
	const char *asked = w->comp[w->at];
	int last = w->at + 1 >= w->ncomp;
	uint64_t ino = 0;
	size_t len;
	char *name;

	(void)fd;
	len = status == 0 ? rep->name.bd_name_len : 0;
	name = w->longnames + w->longused;
	if (status == 0 && (len == 0 || len > BD_NAME_MAX ||
	    w->longused + len + 1 > sizeof(w->longnames) ||
	    memchr(rep->name.bd_name_val, '\0', len) != NULL))
		status = -ENOENT;
	if (status == 0) {
		memcpy(name, rep->name.bd_name_val, len);
		name[len] = '\0';
		if (!smb2_shortname_ino(asked, &ino) || rep->attr.ino != ino ||
		    !smb2_shortname_match(asked, name, ino)) {
			log_debug("%s: 8.3 name %s: inode %llx's name is not "
			    "its", w->r->conn->peer, asked,
			    (unsigned long long)rep->attr.ino);
			status = -ENOENT;
		}
	}
	if (status == 0) {
		w->comp[w->at] = name;
		w->longused += len + 1;
		if (last)
			snprintf(w->shortname, sizeof(w->shortname), "%s",
			    asked);
	}
	if (last && status != 0 && smbd_walk_tunnel(w, asked))
		return;
	if (last)
		w->done(w, 0);
	else
		smbd_walk_into(w, status, status == 0 ? &rep->attr : NULL,
		    status == 0 ? &rep->fh : NULL);
}

static void
smbd_walk_shortname(struct smbd_walk *w, uint64_t ino)
{
	struct smbd_conn *c = w->r->conn;
	struct smbd_session *s = smbd_session_find(c, w->session_id);
	bd_lookup_ino_req req;

	if (s == NULL) {
		w->done(w, STATUS_USER_SESSION_DELETED);
		return;
	}
	memset(&req, 0, sizeof(req));
	smbd_cred(s, &req.cred);
	req.dir.bd_fh_len = w->dirlen;
	req.dir.bd_fh_val = (char *)w->dir;
	req.ino = ino;
	bdc_call(c->env->bdc, BD_LOOKUP_INO, (xdrproc_t)xdr_bd_lookup_ino_req,
	    &req, (xdrproc_t)xdr_bd_lookup_ino_reply,
	    sizeof(bd_lookup_ino_reply), smbd_walk_shortname_done, w);
}

/* The last component looked up as named first: a name beats an 8.3 name. */
static void
smbd_walk_last_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;
	uint64_t ino;

	(void)reply;
	(void)fd;
	if (status == -ENOENT && smb2_shortname_ino(w->comp[w->at], &ino))
		smbd_walk_shortname(w, ino);
	else
		w->done(w, 0);
}

static void
smbd_walk_lookup_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;
	bd_entry_reply *rep = reply;
	uint64_t ino;

	if (status == -ENOENT && smb2_shortname_ino(w->comp[w->at], &ino)) {
		smbd_walk_shortname(w, ino);
		return;
	}
	smbd_walk_into(w, status, status == 0 ? &rep->attr : NULL,
	    status == 0 ? &rep->fh : NULL);
}

static void
smbd_walk_step(struct smbd_walk *w)
{
	struct smbd_conn *c = w->r->conn;
	struct smbd_session *s = smbd_session_find(c, w->session_id);
	bd_dirop_req req;
	uint64_t ino;

	if (s == NULL) {
		w->done(w, STATUS_USER_SESSION_DELETED);
		return;
	}
	if (w->ncomp == 0 || w->at + 1 >= w->ncomp) {
		if (w->ncomp == 0 || w->shortname_tried ||
		    !smb2_shortname_ino(w->comp[w->at], &ino)) {
			w->done(w, 0);
			return;
		}
		w->shortname_tried = 1;
		smbd_dirop_fill(&req, s, w->dir, w->dirlen, w->comp[w->at]);
		smbd_lookup(c, &req, smbd_walk_last_done, w);
		return;
	}
	smbd_dirop_fill(&req, s, w->dir, w->dirlen, w->comp[w->at]);
	smbd_lookup(c, &req, smbd_walk_lookup_done, w);
}

static struct smbd_walk *
smbd_walk_new(struct smbd_req *r, struct smbd_session *s, size_t share)
{
	struct smbd_walk *w = calloc(1, sizeof(*w));
	struct smbd_share *sh = &r->conn->env->shares[share];

	if (w == NULL)
		return NULL;
	w->r = r;
	w->fd = -1;
	w->session_id = s->id;
	w->share = share;
	memcpy(w->dir, sh->root_fh, sh->root_len);
	w->dirlen = sh->root_len;
	r->work = w;
	r->work_free = smbd_walk_free;
	return w;
}

/* The walk's session, or NULL after a reply: it logged off meanwhile. */
static struct smbd_session *
smbd_walk_session(struct smbd_walk *w)
{
	struct smbd_session *s = smbd_session_find(w->r->conn, w->session_id);

	if (s == NULL)
		smbd_reply_error(w->r, STATUS_USER_SESSION_DELETED);
	return s;
}

static const char *
smbd_walk_last(struct smbd_walk *w)
{
	return w->ncomp ? w->comp[w->ncomp - 1] : "";
}

/* The walked path, components joined by '\\' (dittofsctl smb opens). */
static char *
smbd_walk_path(const struct smbd_walk *w)
{
	size_t i, len = 1;
	char *p;

	for (i = 0; i < w->ncomp; i++)
		len += strlen(w->comp[i]) + 1;
	if ((p = malloc(len)) == NULL)
		return NULL;
	p[0] = '\0';
	for (i = 0; i < w->ncomp; i++) {
		if (i > 0)
			strcat(p, "\\");
		strcat(p, w->comp[i]);
	}
	return p;
}

static void	smbd_create_shared(void *, uint32_t);
static void	smbd_create_preshared(void *, uint32_t);
static void	smbd_create_walked(struct smbd_walk *, uint32_t);

/*
 * MS-SMB2 3.3.4.2: a CREATE that waits for the breaks it caused to be
 * acknowledged, or for the end of stated's grace period, is answered
 * STATUS_PENDING at once and finished async; in the middle of a compound
 * (3.3.5.2.7: only the last of a chain goes async) it stays synchronous,
 * as it does when [smbd] requests per connection of them wait already.
 */
static int
smbd_create_wait(void *arg, struct event *wake)
{
	struct smbd_walk *w = arg;
	struct smbd_req *r = w->r, *n;
	struct smbd_conn *c = r->conn;

	w->wake = wake;
	w->waiting = 1;
	if (!w->listed) {
		LIST_INSERT_HEAD(&c->creates, w, entry);
		w->listed = 1;
	}
	if (w->cancelled || c->closing ||
	    smbd_session_find(c, w->session_id) == NULL)
		return -1;
	if (w->async || r->hdr.next_command != 0 || r->work != w ||
	    c->pending_creates >= c->env->requests_per_conn ||
	    (n = smbd_async_detach(r, &w->a)) == NULL)
		return 0;
	w->r = n;
	w->async = 1;
	c->pending_creates++;
	/* The chain goes out; the requests read meanwhile run (a CANCEL). */
	smbd_reply_error(r, STATUS_PENDING);
	return w->cancelled || c->closing ? -1 : 0;
}

/*
 * The step that waited is over: 1 when the CREATE is answered for it,
 * cancelled (STATUS_CANCELLED: the open half made goes with the walk)
 * or its session gone.
 */
static int
smbd_create_stopped(struct smbd_walk *w)
{
	w->waiting = 0;
	w->wake = NULL;
	if (w->cancelled) {
		smbd_reply_error(w->r, STATUS_CANCELLED);
		return 1;
	}
	return smbd_walk_session(w) == NULL;
}

/* MS-SMB2 3.3.5.16: CANCEL of a CREATE that waits. */
int
smbd_create_cancel(struct smbd_req *r)
{
	int async = (r->hdr.flags & SMB2_FLAGS_ASYNC_COMMAND) != 0;
	struct smbd_walk *w;

	LIST_FOREACH(w, &r->conn->creates, entry) {
		if (async ? !w->async || w->a.async_id != r->hdr.async_id :
		    (w->async ? w->a.message_id : w->r->hdr.message_id) !=
		    r->hdr.message_id)
			continue;
		if (!w->waiting)
			return 1;	/* past its wait: it is answered soon */
		w->cancelled = 1;
		/* Its step asks once more now, and stops. */
		if (w->wake != NULL && evtimer_pending(w->wake, NULL))
			event_active(w->wake, EV_TIMEOUT, 1);
		return 1;
	}
	return 0;
}

/*
 * MS-SMB2 3.3.5.9: the sharing violation was a disconnected durable
 * handle's that stated released, and whose delete on close smbd carried
 * out (durable.c): the file this CREATE opened is gone.  What it made
 * goes and it runs again from the file's parent, once: it makes the
 * file anew, or finds none, as it would have after that handle's CLOSE.
 */
static void
smbd_create_restart(struct smbd_walk *w)
{
	struct smbd_open *o = w->open;

	w->doom_wait = 0;
	w->doom_restarted = 1;
	if (o != NULL) {
		smbd_lock_open_gone(w->r->conn, o);
		free(o->path);
		free(o);
		w->open = NULL;
	}
	if (w->fd != -1) {
		close(w->fd);
		w->fd = -1;
	}
	w->oplocked = 0;
	w->share_again = 0;
	w->held_known = 0;
	w->io_upgraded = 0;
	w->prechecking = 0;
	w->action = 0;
	log_debug("%s: CREATE of %s again: a durable handle's delete on "
	    "close removed the file it met", w->r->conn->peer,
	    smbd_walk_last(w));
	smbd_create_walked(w, STATUS_SUCCESS);
}

void
smbd_create_doom_done(struct smbd_env *env, const uint8_t *file)
{
	struct smbd_conn *c;
	struct smbd_walk *w, *next;
	const uint8_t *f;

	TAILQ_FOREACH(c, &env->conns, entry) {
		if (c->closing)
			continue;
		for (w = LIST_FIRST(&c->creates); w != NULL; w = next) {
			next = LIST_NEXT(w, entry);
			if (w->doom_wait && w->open != NULL &&
			    (f = smbd_file_id(w->open)) != NULL &&
			    memcmp(f, file, ST_FILE_ID_LEN) == 0)
				smbd_create_restart(w);
		}
	}
}

/*
 * A CREATE of the same file that waits for the same breaks since
 * before w: it asks for its share mode first, as the opens queued on a
 * file are granted in order (MS-FSA 2.1.5.1.2; smbtorture
 * smb2.replay.dhv2-pending1n-vs-violation-lease-close-windows).
 */
static int
smbd_create_share_first(const struct smbd_walk *w, const uint8_t *file)
{
	struct smbd_conn *c;
	struct smbd_walk *p;
	const uint8_t *f;

	TAILQ_FOREACH(c, &w->r->conn->env->conns, entry) {
		if (c->closing)
			continue;
		LIST_FOREACH(p, &c->creates, entry)
			if (p != w && p->waiting && p->share_again &&
			    p->share_wait < w->share_wait &&
			    p->open != NULL && !p->open->shared &&
			    (f = smbd_file_id(p->open)) != NULL &&
			    memcmp(f, file, ST_FILE_ID_LEN) == 0)
				return 1;
	}
	return 0;
}

static void	smbd_create_share_again(struct smbd_walk *,
		    smbd_share_done_fn *, int);

static void
smbd_create_deferred(evutil_socket_t fd, short what, void *arg)
{
	struct smbd_walk *w = arg;

	(void)fd;
	(void)what;
	smbd_create_share_again(w, w->share_done, 1);
}

/* The share mode asked again after the breaks, or the violation. */
static void
smbd_create_share_again(struct smbd_walk *w, smbd_share_done_fn *done,
    int again)
{
	struct smbd_open *o = w->open;
	struct timeval tv = { 0, 20 * 1000 };
	const uint8_t *f;

	if (smbd_create_stopped(w))
		return;
	if (!again) {
		done(w, STATUS_SHARING_VIOLATION);
		return;
	}
	if (o != NULL && (f = smbd_file_id(o)) != NULL &&
	    smbd_create_share_first(w, f)) {
		if (w->defer == NULL && (w->defer = evtimer_new(
		    w->r->conn->env->base, smbd_create_deferred, w)) == NULL)
			fatal("create timer");
		w->share_done = done;
		if (smbd_create_wait(w, w->defer) == -1) {
			done(w, STATUS_SHARING_VIOLATION);
			return;
		}
		if (evtimer_add(w->defer, &tv) == -1)
			fatal("create timer");
		return;
	}
	if (!w->doom_restarted && w->stream_kind == SMB2_STREAM_NONE &&
	    o != NULL && (f = smbd_file_id(o)) != NULL) {
		switch (smbd_durable_doomed_file(w->r->conn->env, f)) {
		case 1:
			w->doom_wait = 1;	/* smbd_create_doom_done */
			return;
		case 2:
			smbd_create_restart(w);
			return;
		}
	}
	o->shared = 1;
	smbd_share_acquire(w->r->conn, o->owner_id, o->id, &w->attr,
	    w->desired, w->share_access, done, smbd_create_wait, w);
}

static void
smbd_create_shared_again(void *arg, int again)
{
	smbd_create_share_again(arg, smbd_create_shared, again);
}

static void
smbd_create_preshared_again(void *arg, int again)
{
	smbd_create_share_again(arg, smbd_create_preshared, again);
}

/*
 * MS-SMB2 3.3.5.9: a sharing violation breaks H of the others' leases
 * and sends disconnected durable opens away (lease.c); then the share
 * mode is asked again, once.  1 when that is under way.
 */
static int
smbd_create_share_break(struct smbd_walk *w, uint32_t status,
    smbd_lease_sharing_fn *again)
{
	struct smbd_open *o = w->open;

	if (status != STATUS_SHARING_VIOLATION || w->share_again ||
	    o == NULL)
		return 0;
	w->share_again = 1;
	w->share_wait = ++w->r->conn->env->next_share_wait;
	smbd_lease_sharing(w->r->conn, o, smbd_file_id(o), w->has_lease ?
	    &w->lease : NULL, again, smbd_create_wait, w);
	return 1;
}

/* stated kept it, or not: durable or not (durable.c). */
static void
smbd_create_durable_done(void *arg, int granted)
{
	struct smbd_walk *w = arg;
	struct smbd_open *o = w->open;

	if (granted) {
		o->durable = w->durable.version;
		o->durable_timeout_ms = smb2_durable_timeout(&w->durable,
		    w->r->conn->env->durable_timeout_ms);
		memcpy(o->create_guid, w->durable.guid, sizeof(o->create_guid));
		w->r->conn->env->durable_granted++;
	}
	smbd_create_shared(w, STATUS_SUCCESS);
}

/*
 * The breaks it caused were acknowledged: its own oplock (lease.c).
 * MS-SMB2 3.3.5.9.6, 3.3.5.9.10: a file open asking to be durable is,
 * with a batch oplock or a lease that holds H.
 */
static void
smbd_create_oplocked_go(struct smbd_walk *w)
{
	struct smbd_open *o = w->open;
	struct smbd_session *s;

	if (w->durable.version != 0 && smbd_durable_id(o->owner_id) &&
	    !o->is_dir && (o->oplock == SMB2_OPLOCK_LEVEL_BATCH ||
	    (o->oplock == SMB2_OPLOCK_LEVEL_LEASE && o->lease != NULL &&
	    (o->lease->l.state & SMB2_LEASE_HANDLE))) &&
	    (s = smbd_session_find(w->r->conn, w->session_id)) != NULL) {
		smbd_durable_register(w->r->conn, s, o, &w->durable,
		    w->share_access, smbd_create_durable_done, w);
		return;
	}
	smbd_create_shared(w, STATUS_SUCCESS);
}

/* The attributes after the recalled holders wrote back (below). */
static void
smbd_create_refreshed(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;
	bd_attr_reply *rep = reply;

	(void)fd;
	if (status == 0 && rep->status == 0)
		w->attr = rep->attr;
	smbd_create_oplocked_go(w);
}

static void
smbd_create_oplocked(void *arg, uint8_t level)
{
	struct smbd_walk *w = arg;
	struct smbd_open *o = w->open;
	struct smbd_session *s;
	bd_fh_req fr;

	if (smbd_create_stopped(w))
		return;
	if (level == SMBD_LEASE_KEY_ELSEWHERE) {
		/* MS-SMB2 3.3.5.9.8: its key leases another file. */
		smbd_reply_error(w->r, STATUS_INVALID_PARAMETER);
		return;
	}
	o->oplock = level;
	/*
	 * A recalled NFSv4 write delegation's holder wrote its data back
	 * before it returned: the size and times read at the open are
	 * stale, and the client takes them from this CREATE's response.
	 */
	if (o->recalled && (s = smbd_session_find(w->r->conn,
	    w->session_id)) != NULL) {
		o->recalled = 0;
		smbd_fh_fill(&fr, s, o->fh, o->fhlen);
		bdc_call(w->r->conn->env->bdc, BD_GETATTR,
		    (xdrproc_t)xdr_bd_fh_req, &fr, (xdrproc_t)xdr_bd_attr_reply,
		    sizeof(bd_attr_reply), smbd_create_refreshed, w);
		return;
	}
	smbd_create_oplocked_go(w);
}

/* CREATE's response (2.2.14), with a durable context when granted. */
static void
smbd_create_answer(struct smbd_walk *w, struct smbd_open *o)
{
	struct smbd_req *r = w->r;
	struct smbd_conn *c = r->conn;
	uint8_t out[SMBD_CREATE_RSP_MAX];
	size_t len = 88, dlen;

	r->rel_file = o->id;
	o->create_action = w->action;
	memset(out, 0, sizeof(out));
	smb2_put16(out, 89);
	out[2] = o->oplock;
	smb2_put32(out + 4, w->action);
	smbd_put_times(out + 8, &w->attr);
	/* A reconnect's allocation: at least what AllocationSize asked. */
	smb2_put64(out + 40, w->attr.type == 1 &&
	    o->alloc > smbd_alloc_size(&w->attr) ? o->alloc :
	    smbd_alloc_size(&w->attr));
	smb2_put64(out + 48, smbd_eof(&w->attr));
	smb2_put32(out + 56, smbd_dos_attrs(&w->attr));
	smb2_put64(out + 64, o->id);
	smb2_put64(out + 72, o->id);
	if (o->durable && w->durable.version != 0) {
		/* Contexts right after the body: 64 + 88, 8-byte aligned. */
		len += smb2_durable_encode(o->durable, o->durable_timeout_ms,
		    out + 88, sizeof(out) - 88);
	}
	if (o->lease != NULL) {
		/*
		 * 2.2.14.2.10, 2.2.14.2.11: the lease as it is now, in the
		 * form (v1 or v2) it was made in, whichever the request's.
		 */
		struct smb2_lease l = o->lease->l;

		if (len > 88)
			smb2_put32(out + 88, (uint32_t)(len - 88));
		l.flags = o->lease->breaking ?
		    SMB2_LEASE_FLAG_BREAK_IN_PROGRESS : 0;
		if (l.version == 2 && (w->lease.flags &
		    SMB2_LEASE_FLAG_PARENT_KEY_SET)) {
			l.flags |= SMB2_LEASE_FLAG_PARENT_KEY_SET;
			memcpy(l.parent_key, w->lease.parent_key,
			    sizeof(l.parent_key));
		}
		if ((dlen = smb2_lease_encode(&l, out + len, sizeof(out) -
		    len)) != 0)
			len += dlen;
	}
	if (len > 88) {
		/* Contexts right after the body: 64 + 88, 8-byte aligned. */
		smb2_put32(out + 80, SMB2_HDR_SIZE + 88);
		smb2_put32(out + 84, (uint32_t)(len - 88));
	}
	if (w->cctx != NULL) {
		smbd_cctx_answer(r, o, w->cctx, &w->attr, w->action,
		    w->action == 2 ? w->secd : NULL, w->held, w->held_status,
		    out, len);
		return;
	}
	if (w->secd != NULL && w->action == 2) {	/* FILE_CREATED */
		smbd_secd_apply(r, smbd_session_find(c, w->session_id), o,
		    w->secd, out, len);
		return;
	}
	smbd_reply(r, STATUS_SUCCESS, out, len);
}

/* CREATE's reply and the open it makes (MS-SMB2 2.2.14). */
static void
smbd_create_shared(void *arg, uint32_t status)
{
	struct smbd_walk *w = arg;
	struct smbd_req *r = w->r;
	struct smbd_conn *c = r->conn;
	struct smbd_open *o = w->open;

	if (status != STATUS_SUCCESS) {
		/* The share mode refused: nothing to take back. */
		o->shared = 0;
		if (smbd_create_stopped(w))
			return;
		if (smbd_create_share_break(w, status,
		    smbd_create_shared_again))
			return;
		smbd_reply_error(r, status);
		return;
	}
	if (smbd_create_stopped(w))
		return;
	if (!w->oplocked) {
		w->oplocked = 1;
		smbd_lease_open(c, o, w->oplock, w->has_lease ? &w->lease :
		    NULL, w->action == 0 || w->action == 3,
		    smbd_create_oplocked, smbd_create_wait, w);
		return;
	}
	/* A stream's overwrite, now that its share mode allows it. */
	if (w->stream_truncate && ftruncate(w->fd, 0) == -1) {
		smbd_reply_error(r, smb2_status_from_errno(errno));
		return;
	}
	w->open = NULL;
	o->fd = w->fd;
	w->fd = -1;
	/* 3.3.5.9.10: its CreateGuid, durable or not, for a replay. */
	if (w->durable.version == 2) {
		memcpy(o->create_guid, w->durable.guid, sizeof(o->create_guid));
		o->replay_eligible = 1;
	}
	smbd_open_insert(c, smbd_session_find(c, w->session_id), o);
	if (o->stream[0] != '\0')
		c->env->stream_opens++;
	smbd_create_answer(w, o);
}

/* The open's fields from the walk (its id, file and share mode aside). */
static void
smbd_create_fill(struct smbd_walk *w, struct smbd_open *o)
{
	memcpy(o->fh, w->fh, w->fhlen);
	o->fhlen = w->fhlen;
	memcpy(o->dir_fh, w->dir, w->dirlen);
	o->dir_fhlen = w->dirlen;
	snprintf(o->name, sizeof(o->name), "%s", smbd_walk_last(w));
	memcpy(o->shortname, w->shortname, sizeof(o->shortname));
	free(o->path);
	o->path = smbd_walk_path(w);
	o->is_dir = w->is_dir;
	o->access = w->io;
	o->options = w->options;
	o->desired = w->desired;
	o->granted = smbd_desired_granted(w->desired);
	/* 3.3.5.9: MAXIMUM_ALLOWED is granted all the caller holds. */
	if ((w->desired & SMBD_MAXIMUM_ALLOWED) && w->held_known)
		o->granted = smbd_desired_granted(w->desired &
		    ~SMBD_MAXIMUM_ALLOWED) | w->held;
	o->mode = w->options & SMBD_MODE_BITS;
	o->share_access = w->share_access;
	o->delete_pending = (w->options & FILE_DELETE_ON_CLOSE) != 0 &&
	    w->ncomp > 0;
	memcpy(o->stream, w->stream, sizeof(o->stream));
}

/* A new open of the file w->attr names, kept in w->open; NULL: replied. */
static struct smbd_open *
smbd_create_alloc(struct smbd_walk *w)
{
	struct smbd_req *r = w->r;
	struct smbd_conn *c = r->conn;
	struct smbd_session *s;
	struct smbd_open *o;

	if ((s = smbd_session_find(c, w->session_id)) == NULL) {
		smbd_reply_error(r, STATUS_USER_SESSION_DELETED);
		return NULL;
	}
	if (s->conn->nopens >= c->env->opens_per_conn) {
		log_warnx_rl("%s: [smbd] open files per connection (%zu) "
		    "reached", c->peer, c->env->opens_per_conn);
		smbd_reply_error(r, STATUS_TOO_MANY_OPENED_FILES);
		return NULL;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return NULL;
	}
	/*
	 * One that asks to be durable is its own owner in stated, by its
	 * persistent FileId (durable.c); the others their session.
	 */
	if (w->durable.version != 0 && c->env->durable_timeout_ms > 0 &&
	    !(w->options & FILE_DIRECTORY_FILE))
		o->id = o->owner_id = smbd_durable_new_id();
	else {
		o->id = ++c->env->next_file_id;
		o->owner_id = w->session_id;
	}
	o->session_id = w->session_id;
	smbd_open_user(o, s);
	o->tree_id = r->rel_tree;
	o->share = w->share;
	o->fd = -1;
	/* 3.3.5.9: Open.ChannelSequence, the CREATE's (3.x) */
	if (c->neg.dialect >= SMB2_DIALECT_300)
		o->channel_seq.sequence = (uint16_t)r->hdr.status;
	if (smbd_file_attach(c->env, o, &w->attr) == -1) {
		free(o);
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return NULL;
	}
	w->open = o;
	return o;
}

static void	smbd_create_finish(struct smbd_walk *);
static void	smbd_create_overwritable(struct smbd_walk *);

/* The caller is root, as its share squashes it (who holds privileges). */
static int
smbd_create_root(struct smbd_walk *w)
{
	struct smbd_session *s;

	return (s = smbd_walk_session(w)) != NULL &&
	    smbd_sec_root(w->r->conn->env, w->share, s->uid, s->gid);
}

static void
smbd_create_held(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;
	bd_access_reply *rep = reply;

	if (smbd_walk_session(w) == NULL)
		return;
	w->held_known = 1;
	if (status != 0) {
		w->held = 0;
		w->held_status = smb2_status_from_errno(status);
		if (w->action != 2) {
			/* An existing file whose access is not known. */
			smbd_reply_error(w->r, w->held_status);
			return;
		}
	} else
		w->held = rep->granted;
	/* MS-FSA 2.1.5.1.2.1: a read-only file's maximal access writes
	 * none of its data. */
	if (w->attr.type == 1 && (w->attr.dos & FILE_ATTRIBUTE_READONLY))
		w->held &= ~(uint32_t)(ACL_WRITE_DATA | ACL_APPEND_DATA);
	if (w->prechecking)
		smbd_create_overwritable(w);
	else
		smbd_create_finish(w);
}

/*
 * MS-FSA 2.1.5.1.2.1: the access the caller holds on the file, as the
 * store decides it (common/perm.h perm_access_mask); 1 when it is asked
 * of blockd (BD_ACCESS_MASK, one round trip), 0 when known.  An inode
 * without an ACL of its own is decided here from its attributes, the
 * same evaluator on the same facts, when DELETE (which needs the
 * directory's) and the maximal access are not asked.
 */
static int
smbd_create_access(struct smbd_walk *w)
{
	struct smbd_conn *c = w->r->conn;
	struct smbd_share *sh = &c->env->shares[w->share];
	struct smbd_session *s;
	bd_access_mask_req req;
	struct perm_who who;
	struct perm_obj obj;
	uint32_t groups[BD_NGROUPS_MAX];

	if (w->held_known)
		return 0;
	if (w->action == 2 && !(w->desired & SMBD_MAXIMUM_ALLOWED) &&
	    !smbd_cctx_wants_access(w->cctx)) {
		w->held_known = 1;	/* a creator's own: nothing to ask */
		return 0;
	}
	if ((s = smbd_walk_session(w)) == NULL)
		return 1;
	if (!(w->desired & SMBD_MAXIMUM_ALLOWED) &&
	    !smbd_cctx_wants_access(w->cctx) &&
	    !(w->attr.flags & SMBD_ATTR_ACL) &&
	    !(smbd_desired_granted(w->desired) & SMBD_DELETE_ACCESS)) {
		/* The uid, gid and groups blockd would decide for. */
		memcpy(groups, s->groups, s->ngroups * sizeof(groups[0]));
		who.uid = s->uid;
		who.gid = s->gid;
		who.groups = groups;
		who.ngroups = share_rules_squash(&sh->squash, 0, &who.uid,
		    &who.gid, groups, s->ngroups);
		obj.is_dir = w->attr.type == 2;
		obj.mode = w->attr.mode;
		obj.uid = w->attr.uid;
		obj.gid = w->attr.gid;
		w->held = perm_access_mask(&who, &obj, NULL);
		if (sh->read_only)
			w->held &= ~SMBD_ACL_CHANGES;
		w->held_known = 1;
		return 0;
	}
	memset(&req, 0, sizeof(req));
	smbd_cred(s, &req.cred);
	req.fh.bd_fh_len = w->fhlen;
	req.fh.bd_fh_val = (char *)w->fh;
	if (w->ncomp > 0) {	/* the share's root has no directory */
		req.dir.bd_fh_len = w->dirlen;
		req.dir.bd_fh_val = (char *)w->dir;
	}
	bdc_call(c->env->bdc, BD_ACCESS_MASK,
	    (xdrproc_t)xdr_bd_access_mask_req, &req,
	    (xdrproc_t)xdr_bd_access_reply, sizeof(bd_access_reply),
	    smbd_create_held, w);
	return 1;
}

static uint32_t	smbd_create_held_io(const struct smbd_walk *);

static void
smbd_create_upgraded(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;
	bd_open_reply *rep = reply;

	if (smbd_walk_session(w) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	if (status == 0 && fd != -1 && rep->fh.bd_fh_len == w->fhlen &&
	    memcmp(rep->fh.bd_fh_val, w->fh, w->fhlen) == 0) {
		if (w->fd != -1)
			close(w->fd);
		w->fd = fd;
		w->io = smbd_create_held_io(w);
	} else {
		/* Replaced or refused meanwhile: what the fd has, held. */
		if (fd != -1)
			close(fd);
		if (!(w->io & PERM_IO_READ))
			w->held &= ~(uint32_t)ACL_READ_DATA;
		if (!(w->io & PERM_IO_WRITE))
			w->held &= ~(uint32_t)(ACL_WRITE_DATA |
			    ACL_APPEND_DATA);
	}
	smbd_create_finish(w);
}

/* The fd a MAXIMUM_ALLOWED open of a file has: what the caller holds. */
static uint32_t
smbd_create_held_io(const struct smbd_walk *w)
{
	uint32_t io = w->io;

	if (w->held & ACL_READ_DATA)
		io |= PERM_IO_READ;
	if (w->held & (ACL_WRITE_DATA | ACL_APPEND_DATA))
		io |= PERM_IO_WRITE;
	return io;
}

/*
 * 3.3.5.9: a MAXIMUM_ALLOWED open of a file reads and writes what its
 * caller holds (smbtorture smb2.notify.valid-req writes after one):
 * BD_OPEN opened it for what DesiredAccess named besides, so the file
 * is opened again by its name for the rest, one more round trip for
 * such a CREATE only.  1 when asked.
 */
static int
smbd_create_upgrade(struct smbd_walk *w)
{
	struct smbd_conn *c = w->r->conn;
	struct smbd_session *s;
	bd_open_req req;
	uint32_t io;

	if (w->io_upgraded || !(w->desired & SMBD_MAXIMUM_ALLOWED) ||
	    w->ncomp == 0 || w->is_dir || w->attr.type != 1 ||
	    w->stream_kind == SMB2_STREAM_NAMED ||
	    (io = smbd_create_held_io(w)) == w->io)
		return 0;
	if ((s = smbd_walk_session(w)) == NULL)
		return 1;
	w->io_upgraded = 1;
	memset(&req, 0, sizeof(req));
	smbd_cred(s, &req.cred);
	req.dir.bd_fh_len = w->dirlen;
	req.dir.bd_fh_val = (char *)w->dir;
	req.name.bd_name_len = (u_int)strlen(smbd_walk_last(w));
	req.name.bd_name_val = (char *)smbd_walk_last(w);
	req.disposition = 1;	/* FILE_OPEN */
	req.mode = SMBD_NEW_FILE_MODE;
	req.access = io;
	/* STORE_IO_ARCHIVE_LATER: ARCHIVE when data is written. */
	req.io = io | ((io & PERM_IO_WRITE) ? 0x10 : 0);
	bdc_call(c->env->bdc, BD_OPEN, (xdrproc_t)xdr_bd_open_req, &req,
	    (xdrproc_t)xdr_bd_open_reply, sizeof(bd_open_reply),
	    smbd_create_upgraded, w);
	return 1;
}

/*
 * MS-FSA 2.1.5.1.2.1: a file (or the stream asked) whose deletion is
 * pending, by FileDispositionInformation on one of its opens, opens no
 * more; before its share mode and oplocks, so that it breaks none.
 */
static int
smbd_create_delete_pending(struct smbd_env *env, const struct smbd_walk *w)
{
	struct smbd_conn *c;
	struct smbd_open *o;

	TAILQ_FOREACH(c, &env->conns, entry)
		TAILQ_FOREACH(o, &c->opens, entry)
			if (o->delete_disposed && o->delete_pending &&
			    (o->stream[0] == '\0' ||
			    strcmp(o->stream, w->stream) == 0) &&
			    smbd_file_same(o, &w->attr))
				return 1;
	return 0;
}

/*
 * MS-FSA 2.1.5.1.1, 2.1.5.1.2.1: what an open of an existing file asks
 * beyond what its caller holds is refused (reserved bits are never
 * held); SYSTEM_SECURITY wants SeSecurityPrivilege (root's alone).  A
 * file to be overwritten or superseded wants FILE_WRITE_DATA besides,
 * asked or not: its data goes (smbtorture's OVERWRITE_READ_ONLY_FILE).
 * 1 when answered so.
 */
static int
smbd_create_refused(struct smbd_walk *w)
{
	uint32_t want;

	if ((w->desired & SMBD_SYSTEM_SECURITY) && !smbd_create_root(w)) {
		smbd_reply_error(w->r, STATUS_PRIVILEGE_NOT_HELD);
		return 1;
	}
	want = smbd_desired_granted(w->desired & ~SMBD_MAXIMUM_ALLOWED) |
	    (w->desired & SMBD_RESERVED_ACCESS);
	if (w->prechecking)
		want |= ACL_WRITE_DATA;
	if (w->action != 2 && (want & ~w->held) != 0) {
		log_debug("%s: CREATE: access 0x%08x asked, 0x%08x held",
		    w->r->conn->peer, want, w->held);
		smbd_reply_error(w->r, STATUS_ACCESS_DENIED);
		return 1;
	}
	return 0;
}

/*
 * The open, made; then its share mode (lock.c): an open whose access
 * takes part in sharing asks stated, the others are answered at once.
 * An overwrite took its share mode before BD_OPEN (smbd_create_walked).
 * An existing file opens only for what the caller holds of it (MS-FSA
 * 2.1.5.1.2.1); a new one for all its creator asked, blockd having
 * checked ADD_FILE or ADD_SUBDIRECTORY on its directory.
 */
static void
smbd_create_finish(struct smbd_walk *w)
{
	struct smbd_conn *c = w->r->conn;
	struct smbd_open *o;

	if (smbd_create_access(w))
		return;
	if (smbd_create_refused(w))
		return;
	if (smbd_create_upgrade(w))
		return;

	/* MS-FSA 2.1.5.1.2: a file's DELETE meets its streams' opens. */
	if (w->stream_kind != SMB2_STREAM_NAMED &&
	    (w->desired & (SMBD_DELETE_ACCESS | 0x10000000u)) &&
	    smbd_stream_deny_delete(c->env, w->share, w->fh, w->fhlen)) {
		smbd_reply_error(w->r, STATUS_SHARING_VIOLATION);
		return;
	}
	if (smbd_create_delete_pending(c->env, w)) {
		smbd_reply_error(w->r, STATUS_DELETE_PENDING);
		return;
	}
	if ((o = w->open) != NULL) {
		if (smbd_file_same(o, &w->attr)) {
			smbd_create_fill(w, o);
			smbd_create_shared(w, STATUS_SUCCESS);
			return;
		}
		/* Replaced meanwhile: the new file's share mode instead. */
		w->open = NULL;
		smbd_lock_open_gone(c, o);
		free(o->path);
		free(o);
	}
	if ((o = smbd_create_alloc(w)) == NULL)
		return;
	smbd_create_fill(w, o);
	if (smb2_share_access(w->desired) == 0) {
		smbd_create_shared(w, STATUS_SUCCESS);
		return;
	}
	o->shared = 1;
	smbd_share_acquire(c, o->owner_id, o->id, &w->attr, w->desired,
	    w->share_access, smbd_create_shared, smbd_create_wait, w);
}

static void
smbd_create_entry(struct smbd_walk *w, const bd_entry_reply *rep,
    uint32_t action)
{
	memcpy(w->fh, rep->fh.bd_fh_val, rep->fh.bd_fh_len);
	w->fhlen = rep->fh.bd_fh_len;
	w->attr = rep->attr;
	w->is_dir = rep->attr.type == 2;
	w->action = action;
}

static void	smbd_create_dir(struct smbd_walk *, int make);

static void
smbd_create_mkdir_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;

	smbd_lease_dir_changed(w->r->conn->env, w->dirlease_change);
	w->dirlease_change = 0;

	if (status == -EEXIST && w->disposition == 3) {
		smbd_create_dir(w, 0);
		return;
	}
	if (status != 0) {
		smbd_reply_error(w->r, smb2_status_from_errno(status));
		return;
	}
	smbd_create_entry(w, reply, 2);
	smbd_create_finish(w);
}

static void
smbd_create_lookup_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;
	bd_entry_reply *rep = reply;

	if (status == -ENOENT && (w->options & FILE_DIRECTORY_FILE) &&
	    w->disposition == 3) {
		smbd_create_dir(w, 1);
		return;
	}
	if (status != 0) {
		smbd_reply_error(w->r, smb2_status_from_errno(status));
		return;
	}
	if (rep->attr.type == 2 && (w->options & FILE_NON_DIRECTORY_FILE)) {
		smbd_reply_error(w->r, STATUS_FILE_IS_A_DIRECTORY);
		return;
	}
	if (rep->attr.type != 2 && (w->options & FILE_DIRECTORY_FILE)) {
		smbd_reply_error(w->r, STATUS_NOT_A_DIRECTORY);
		return;
	}
	smbd_create_entry(w, rep, 1);
	smbd_create_finish(w);
}

/* A directory: LOOKUP (make 0) or MKDIR (make 1) of the last name. */
static void
smbd_create_dir(struct smbd_walk *w, int make)
{
	struct smbd_conn *c = w->r->conn;
	struct smbd_session *s;
	bd_dirop_req req;
	bd_mkdir_req mk;

	if ((s = smbd_walk_session(w)) == NULL)
		return;
	if (make) {
		memset(&mk, 0, sizeof(mk));
		smbd_cred(s, &mk.cred);
		mk.dir.bd_fh_len = w->dirlen;
		mk.dir.bd_fh_val = (char *)w->dir;
		mk.name.bd_name_len = (u_int)strlen(smbd_walk_last(w));
		mk.name.bd_name_val = (char *)smbd_walk_last(w);
		/*
		 * No mode (blockd's default, 0755): what the directory
		 * passes on stands as inherited.  The DOS attributes asked
		 * are the new directory's, as a new file's (MS-FSA 2.1.5.1.1).
		 */
		if (w->attrs & SMBD_DOS_SETTABLE) {
			mk.sattr.mask = 0x100;		/* STORE_SATTR_DOS */
			mk.sattr.dos = w->attrs & SMBD_DOS_SETTABLE;
		}
		w->dirlease_change = smbd_lease_dir_changing(c->env, w->dir,
		    w->dirlen, w->session_id, w->has_lease ? &w->lease : NULL);
		bdc_call(c->env->bdc, BD_MKDIR, (xdrproc_t)xdr_bd_mkdir_req,
		    &mk, (xdrproc_t)xdr_bd_entry_reply,
		    sizeof(bd_entry_reply), smbd_create_mkdir_done, w);
		return;
	}
	smbd_dirop_fill(&req, s, w->dir, w->dirlen, smbd_walk_last(w));
	smbd_lookup(c, &req, smbd_create_lookup_done, w);
}

static void
smbd_create_root_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;
	bd_attr_reply *rep = reply;

	if (status != 0) {
		smbd_reply_error(w->r, smb2_status_from_errno(status));
		return;
	}
	if (w->options & FILE_NON_DIRECTORY_FILE) {
		smbd_reply_error(w->r, STATUS_FILE_IS_A_DIRECTORY);
		return;
	}
	memcpy(w->fh, w->dir, w->dirlen);
	w->fhlen = w->dirlen;
	w->attr = rep->attr;
	w->is_dir = 1;
	w->action = 1;
	smbd_create_finish(w);
}

static void
smbd_create_streams_dropped(void *arg)
{
	smbd_create_finish(arg);
}

/*
 * MS-FSA 2.1.5.1.2.1: an existing file with FILE_ATTRIBUTE_READONLY
 * opens for no writing (its streams neither) and is not overwritten:
 * STATUS_ACCESS_DENIED; nor opened FILE_DELETE_ON_CLOSE:
 * STATUS_CANNOT_DELETE; 1 when answered so.
 */
static int
smbd_create_readonly(struct smbd_walk *w, const bd_attr *a, int overwrite)
{
	if (a->type != 1 || !(a->dos & FILE_ATTRIBUTE_READONLY))
		return 0;
	if (!overwrite && !(w->desired & SMBD_WRITE_ACCESS)) {
		/* Nor is it deleted on close. */
		if (!(w->options & FILE_DELETE_ON_CLOSE))
			return 0;
		smbd_reply_error(w->r, STATUS_CANNOT_DELETE);
		return 1;
	}
	smbd_reply_error(w->r, STATUS_ACCESS_DENIED);
	return 1;
}

/*
 * MS-FSA 2.1.5.1.2.1: an existing file that is HIDDEN or SYSTEM is
 * overwritten or superseded only by a CREATE whose FileAttributes keep
 * that attribute: STATUS_ACCESS_DENIED, and 1 when answered so.
 */
static int
smbd_create_hidden(struct smbd_walk *w, const bd_attr *a)
{
	const uint32_t kept = FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM;

	if (a->type != 1 || (a->dos & kept & ~w->attrs) == 0)
		return 0;
	log_debug("%s: CREATE: overwrite of a file with attributes 0x%x "
	    "asks 0x%x: access denied", w->r->conn->peer, a->dos, w->attrs);
	smbd_reply_error(w->r, STATUS_ACCESS_DENIED);
	return 1;
}

static void
smbd_create_open_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;
	bd_open_reply *rep = reply;
	struct smbd_session *s;
	static const uint32_t actions[] = { 1, 1, 2, 3, 0 };

	smbd_lease_dir_changed(w->r->conn->env, w->dirlease_change);
	w->dirlease_change = 0;

	if (status == -EISDIR && !(w->options & FILE_NON_DIRECTORY_FILE) &&
	    (w->disposition == 1 || w->disposition == 3)) {
		smbd_create_dir(w, 0);
		return;
	}
	if (status != 0) {
		if (fd != -1)
			close(fd);
		smbd_reply_error(w->r, status == -EISDIR ?
		    STATUS_FILE_IS_A_DIRECTORY : smb2_status_from_errno(status));
		return;
	}
	if (rep->opened == 1 && smbd_create_readonly(w, &rep->attr, 0)) {
		if (fd != -1)
			close(fd);
		return;
	}
	w->fd = fd;
	/* Another file than the one checked before (replaced meanwhile). */
	if (w->held_known && (rep->fh.bd_fh_len != w->fhlen ||
	    memcmp(rep->fh.bd_fh_val, w->fh, w->fhlen) != 0))
		w->held_known = 0;
	memcpy(w->fh, rep->fh.bd_fh_val, rep->fh.bd_fh_len);
	w->fhlen = rep->fh.bd_fh_len;
	w->attr = rep->attr;
	w->is_dir = 0;
	w->action = rep->opened < 5 ? actions[rep->opened] : 1;
	if (w->io != 0 && fd == -1) {
		log_warnx_rl("blockd: OPEN answered without an fd");
		smbd_reply_error(w->r, STATUS_INTERNAL_ERROR);
		return;
	}
	/* Overwritten or superseded: its named streams go (stream.c). */
	if ((rep->opened == 3 || rep->opened == 4) &&
	    (s = smbd_session_find(w->r->conn, w->session_id)) != NULL) {
		smbd_stream_drop_all(w->r->conn, s, w->fh, w->fhlen,
		    smbd_create_streams_dropped, w);
		return;
	}
	smbd_create_finish(w);
}

/* SMB2's CreateDisposition (2.2.13) as blockd's (bd_open_req). */
static const uint32_t smbd_dispositions[] = {
	7,	/* FILE_SUPERSEDE */
	1,	/* FILE_OPEN */
	2,	/* FILE_CREATE */
	3,	/* FILE_OPEN_IF */
	5,	/* FILE_OVERWRITE */
	6,	/* FILE_OVERWRITE_IF */
};

static void	smbd_create_walked(struct smbd_walk *, uint32_t);

/* The stream opened or made (stream.c): its open, as a file's. */
static void
smbd_create_stream_done(void *arg, uint32_t status,
    struct smbd_stream_opened *so)
{
	struct smbd_walk *w = arg;

	if (status != STATUS_SUCCESS) {
		smbd_reply_error(w->r, status);
		return;
	}
	if (so->action != 2 && smbd_create_readonly(w, &so->attr,
	    so->truncate)) {
		close(so->fd);
		return;
	}
	memcpy(w->fh, so->fh, so->fhlen);
	w->fhlen = so->fhlen;
	w->attr = so->attr;
	w->fd = so->fd;
	w->io = so->io;
	w->action = so->action;
	w->is_dir = 0;
	w->stream_truncate = so->truncate;
	memcpy(w->stream, so->name, sizeof(w->stream));
	smbd_create_finish(w);
}

/*
 * MS-FSA 2.1.5.1: "file::$DATA" is the file's data (a directory has
 * none), "file:name" a stream of it (stream.c), never a directory; its
 * oplock or lease is the stream's own (MS-FSA 2.1.5.17: per stream, by
 * the stream's identity in stated), no durable handle is granted on
 * it.  0 when answered or under way, 1 when CREATE goes on as for a
 * file.
 */
static int
smbd_create_stream(struct smbd_walk *w, struct smbd_session *s)
{
	uint32_t io = 0;

	if (w->options & FILE_DIRECTORY_FILE) {
		smbd_reply_error(w->r, STATUS_NOT_A_DIRECTORY);
		return 0;
	}
	if (w->stream_kind == SMB2_STREAM_DEFAULT) {
		w->options |= FILE_NON_DIRECTORY_FILE;
		return 1;
	}
	memset(&w->durable, 0, sizeof(w->durable));
	if (w->desired & SMBD_READ_ACCESS)
		io |= PERM_IO_READ;
	if (w->desired & SMBD_WRITE_ACCESS)
		io |= PERM_IO_WRITE;
	/* As for a file: a stream made or overwritten is written. */
	if (!w->r->conn->env->shares[w->share].read_only &&
	    (w->disposition == 0 || w->disposition >= 4))
		io |= PERM_IO_WRITE;
	smbd_stream_create(w->r->conn, s, w->dir, w->dirlen,
	    smbd_walk_last(w), w->stream, w->disposition, io, w->attrs,
	    smbd_create_stream_done, w);
	return 0;
}

static void
smbd_create_preshared(void *arg, uint32_t status)
{
	struct smbd_walk *w = arg;

	if (status != STATUS_SUCCESS)
		w->open->shared = 0;
	if (smbd_create_stopped(w))
		return;
	if (status != STATUS_SUCCESS) {
		if (smbd_create_share_break(w, status,
		    smbd_create_preshared_again))
			return;
		smbd_reply_error(w->r, status);
		return;
	}
	smbd_create_walked(w, 0);
}

/* FILE_SUPERSEDE, FILE_OVERWRITE and FILE_OVERWRITE_IF truncate. */
static int
smbd_overwrites(const struct smbd_walk *w)
{
	return w->disposition == 0 || w->disposition == 4 ||
	    w->disposition == 5;
}

/*
 * MS-FSA 2.1.5.1.1: a file a CREATE would make FILE_DELETE_ON_CLOSE and
 * FILE_ATTRIBUTE_READONLY (any disposition but FILE_OPEN and
 * FILE_OVERWRITE, which make none).
 */
static int
smbd_create_doc_readonly(const struct smbd_walk *w)
{
	return (w->options & FILE_DELETE_ON_CLOSE) &&
	    (w->attrs & FILE_ATTRIBUTE_READONLY) &&
	    w->stream_kind == SMB2_STREAM_NONE &&
	    w->disposition != 1 && w->disposition != 4;
}

/*
 * MS-FSA 2.1.5.1.2.1: the file an overwrite would truncate, its access
 * checked and then its share mode taken, before BD_OPEN truncates it:
 * an open refused changes nothing.  A CREATE that would make a
 * read-only file deleted on close looks first too.
 */
static void
smbd_create_precheck_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;
	bd_entry_reply *rep = reply;

	if (status == -ENOENT && smbd_create_doc_readonly(w)) {
		/* MS-FSA 2.1.5.1.1: a new file that could not be deleted. */
		smbd_reply_error(w->r, STATUS_CANNOT_DELETE);
		return;
	}
	if (status != 0 || rep->attr.type != 1 || !smbd_overwrites(w)) {
		/* Missing, or not a file: BD_OPEN says what follows. */
		smbd_create_walked(w, 0);
		return;
	}
	w->attr = rep->attr;
	memcpy(w->fh, rep->fh.bd_fh_val, rep->fh.bd_fh_len);
	w->fhlen = rep->fh.bd_fh_len;
	w->action = 1;
	if (w->stream_kind == SMB2_STREAM_NONE &&
	    (smbd_create_readonly(w, &rep->attr, 1) ||
	    smbd_create_hidden(w, &rep->attr)))
		return;		/* overwritten or superseded: not read-only,
				   hidden or system unless asked so */
	w->prechecking = 1;
	if (smbd_create_access(w))
		return;		/* smbd_create_held goes on */
	smbd_create_overwritable(w);
}

/* The file an overwrite would truncate may be: its share mode now. */
static void
smbd_create_overwritable(struct smbd_walk *w)
{
	struct smbd_open *o;

	if (smbd_create_refused(w))
		return;
	w->prechecking = 0;
	if (smb2_share_access(w->desired) == 0) {
		smbd_create_walked(w, 0);
		return;
	}
	if ((o = smbd_create_alloc(w)) == NULL)
		return;
	o->shared = 1;
	smbd_share_acquire(w->r->conn, o->owner_id, o->id, &w->attr,
	    w->desired, w->share_access, smbd_create_preshared,
	    smbd_create_wait, w);
}

static void
smbd_create_walked(struct smbd_walk *w, uint32_t status)
{
	struct smbd_conn *c = w->r->conn;
	struct smbd_session *s;
	bd_open_req req;
	bd_dirop_req dr;
	bd_fh_req fr;
	uint32_t disp = w->disposition;

	if (status != 0) {
		smbd_reply_error(w->r, status);
		return;
	}
	if ((s = smbd_walk_session(w)) == NULL)
		return;
	if (w->ncomp > 0 && smbd_stream_doomed(c->env, w->share, w->dir,
	    w->dirlen, smbd_walk_last(w))) {
		/* Deleted, a stream of it still open (stream.c). */
		smbd_reply_error(w->r, STATUS_DELETE_PENDING);
		return;
	}
	if (w->stream_kind != SMB2_STREAM_NONE && !smbd_create_stream(w, s))
		return;
	if (w->ncomp == 0) {
		/* The share's root. */
		smbd_fh_fill(&fr, s, w->dir, w->dirlen);
		bdc_call(c->env->bdc, BD_GETATTR, (xdrproc_t)xdr_bd_fh_req,
		    &fr, (xdrproc_t)xdr_bd_attr_reply,
		    sizeof(bd_attr_reply), smbd_create_root_done, w);
		return;
	}
	if (w->options & FILE_DIRECTORY_FILE) {
		if (disp == 2)
			smbd_create_dir(w, 1);
		else if (disp == 1 || disp == 3)
			smbd_create_dir(w, 0);
		else
			smbd_reply_error(w->r, STATUS_INVALID_PARAMETER);
		return;
	}
	/*
	 * FILE_SUPERSEDE and FILE_OVERWRITE(_IF) truncate in BD_OPEN: the
	 * access and sharing checks of an existing file come first.
	 */
	if (!w->prechecked && (smbd_overwrites(w) ||
	    smbd_create_doc_readonly(w))) {
		w->prechecked = 1;
		smbd_dirop_fill(&dr, s, w->dir, w->dirlen, smbd_walk_last(w));
		smbd_lookup(c, &dr, smbd_create_precheck_done, w);
		return;
	}
	w->io = 0;
	/* MAXIMUM_ALLOWED: the fd for what is held, once known. */
	if (w->desired & SMBD_READ_ACCESS & ~SMBD_MAXIMUM_ALLOWED)
		w->io |= PERM_IO_READ;
	if (w->desired & SMBD_WRITE_ACCESS)
		w->io |= PERM_IO_WRITE;
	if (!c->env->shares[w->share].read_only && disp != 1 &&
	    !(w->io & PERM_IO_WRITE) && (disp == 0 || disp >= 4))
		w->io |= PERM_IO_WRITE;
	memset(&req, 0, sizeof(req));
	smbd_cred(s, &req.cred);
	req.dir.bd_fh_len = w->dirlen;
	req.dir.bd_fh_val = (char *)w->dir;
	req.name.bd_name_len = (u_int)strlen(smbd_walk_last(w));
	req.name.bd_name_val = (char *)smbd_walk_last(w);
	req.disposition = smbd_dispositions[disp];
	req.mode = SMBD_NEW_FILE_MODE;
	/* MS-FSA 2.1.5.1.2.1: FileAttributes are a new file's, or an
	 * overwritten one's; FILE_OPEN_IF leaves a file it finds. */
	/* STORE_OPEN_MODE_DEFAULT: an inherited ACL stands (MS-DTYP 2.5.3.4). */
	req.flags = 0x02;
	if (disp != 1 && (w->attrs & SMBD_DOS_SETTABLE)) {
		req.sattr.mask = 0x100;		/* STORE_SATTR_DOS */
		req.sattr.dos = w->attrs & SMBD_DOS_SETTABLE;
		if (disp == 3)
			req.flags |= 0x04;	/* STORE_OPEN_SATTR_NEW */
	}
	req.access = w->io;
	/* STORE_IO_ARCHIVE_LATER: ARCHIVE when data is written. */
	req.io = w->io | ((w->io & PERM_IO_WRITE) ? 0x10 : 0);
	if (disp != 1)
		w->dirlease_change = smbd_lease_dir_changing(c->env, w->dir,
		    w->dirlen, w->session_id, w->has_lease ? &w->lease : NULL);
	bdc_call(c->env->bdc, BD_OPEN, (xdrproc_t)xdr_bd_open_req, &req,
	    (xdrproc_t)xdr_bd_open_reply, sizeof(bd_open_reply),
	    smbd_create_open_done, w);
}

static void
smbd_create_walk_done(struct smbd_walk *w, uint32_t status)
{
	smbd_create_walked(w, status);
}

/*
 * A reconnected durable open: its file opened again by BD_OPEN of its
 * name in its parent (FILE_OPEN, for its fd; smbd may not BD_OPEN_IO),
 * which must still be the same file; then its locks back in smbd's list
 * and the response, as an open of the file (FILE_OPENED).
 */
static void
smbd_create_reopened(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;
	struct smbd_conn *c = w->r->conn;
	struct smbd_open *o = w->open;
	bd_open_reply *rep = reply;
	size_t i;

	if (status == 0 && o->access != 0 && fd == -1)
		status = -EIO;
	if (status == 0)
		w->attr = rep->attr;
	if (status != 0 || smbd_file_attach(c->env, o, &w->attr) == -1 ||
	    memcmp(smbd_file_id(o), w->refile, ST_FILE_ID_LEN) != 0) {
		/* Gone, or another file by now: the durable open goes. */
		if (fd != -1)
			close(fd);
		log_warnx_rl("%s: durable handle %016llx: its file cannot be "
		    "opened again: released", c->peer,
		    (unsigned long long)o->owner_id);
		smbd_durable_drop(c->env, o->owner_id);
		o->durable = 0;
		o->shared = 0;
		o->oplock = 0;
		o->owner_id = o->session_id;	/* nothing left in stated */
		smbd_reply_error(w->r, STATUS_OBJECT_NAME_NOT_FOUND);
		return;
	}
	/* Its oplock or lease taken back counts on the file now. */
	smbd_file_grant_held(o, o->oplock != SMB2_OPLOCK_LEVEL_NONE);
	for (i = 0; i < w->nrelocks; i++)
		if (smbd_lock_restore(o, w->relocks[i].offset,
		    w->relocks[i].length, w->relocks[i].exclusive) == -1)
			log_warnx_rl("%s: durable handle %016llx: a lock not "
			    "restored here (out of memory)", c->peer,
			    (unsigned long long)o->owner_id);
	w->open = NULL;
	o->fd = fd;
	smbd_open_insert(c, smbd_session_find(c, w->session_id), o);
	c->env->durable_reconnects++;
	w->action = 1;
	smbd_create_answer(w, o);
}

/*
 * MS-SMB2 3.3.5.9.7, 3.3.5.9.12: an open with a lease is reconnected
 * only by the client the lease is of (Open.ClientGuid) naming that
 * lease, else OBJECT_NAME_NOT_FOUND, and (but when its file is to be
 * deleted on close) by the name it was opened by, else INVALID_PARAMETER
 * (the name compared as a caseless share would).  A request without the
 * lease is OBJECT_NAME_NOT_FOUND whatever its name, as Windows answers
 * (the spec lists the name first).  0 when it may go on.
 */
static uint32_t
smbd_create_reconnect_lease(const struct smbd_walk *w,
    const struct st_durable_open *d, const struct smb2_durable_state *st)
{
	struct smbd_conn *c = w->r->conn;
	const char *why;
	char *path;
	int same;

	if (st->lease_version == 0)
		return 0;
	if (st->has_client_guid && memcmp(st->client_guid,
	    c->neg.client_guid, sizeof(st->client_guid)) != 0)
		why = "from another client than its lease's";
	else if (!smb2_durable_lease_same(st, w->has_lease ? &w->lease : NULL))
		why = "without its lease key";
	else if (st->options & FILE_DELETE_ON_CLOSE)
		return 0;
	else {
		if (w->reconnect_name != 0 ||
		    (path = smbd_walk_path(w)) == NULL)
			same = 0;
		else {
			same = casefold_eq(path, strlen(path), d->path,
			    strlen(d->path));
			free(path);
		}
		if (same)
			return 0;
		log_warnx_rl("%s: durable handle %016llx: a reconnect names "
		    "another file than its lease's", c->peer,
		    (unsigned long long)d->id);
		return STATUS_INVALID_PARAMETER;
	}
	log_warnx_rl("%s: durable handle %016llx: a reconnect %s", c->peer,
	    (unsigned long long)d->id, why);
	return STATUS_OBJECT_NAME_NOT_FOUND;
}

/* What stated kept of the open (durable.c), or why not. */
static void
smbd_create_reconnected(void *arg, uint32_t status,
    const struct st_durable_open *d, const struct smb2_durable_state *st,
    const struct st_durable_lock *locks, size_t nlocks)
{
	struct smbd_walk *w = arg;
	struct smbd_req *r = w->r;
	struct smbd_conn *c = r->conn;
	struct smbd_session *s;
	struct smbd_open *o;
	bd_open_req req;

	if (status != STATUS_SUCCESS) {
		smbd_reply_error(r, status);
		return;
	}
	if ((status = smbd_create_reconnect_lease(w, d, st)) != 0) {
		/* Not this client's, or not this name: it waits on. */
		smbd_durable_drop_connection(c->env, d->id);
		smbd_reply_error(r, status);
		return;
	}
	if ((s = smbd_session_find(c, w->session_id)) == NULL ||
	    st->is_dir || st->name[0] == '\0' ||
	    st->share_id != c->env->shares[w->share].share_id ||
	    s->conn->nopens >= c->env->opens_per_conn ||
	    d->file.st_file_len != ST_FILE_ID_LEN ||
	    !smb2_durable_lease_same(st, w->has_lease ? &w->lease : NULL) ||
	    (o = calloc(1, sizeof(*o))) == NULL) {
		/* Not here: it waits in stated for a reconnect that can. */
		smbd_durable_drop_connection(c->env, d->id);
		smbd_reply_error(r, s == NULL ? STATUS_USER_SESSION_DELETED :
		    STATUS_OBJECT_NAME_NOT_FOUND);
		return;
	}
	if (nlocks > 0 && (w->relocks = calloc(nlocks,
	    sizeof(*w->relocks))) != NULL) {
		memcpy(w->relocks, locks, nlocks * sizeof(*locks));
		w->nrelocks = nlocks;
	}
	memcpy(w->refile, d->file.st_file_val, ST_FILE_ID_LEN);
	o->id = o->owner_id = d->id;
	o->session_id = s->id;
	smbd_open_user(o, s);
	o->tree_id = r->rel_tree;
	o->share = w->share;
	o->fd = -1;
	/* 3.3.5.9: Open.ChannelSequence, the reconnecting CREATE's (3.x) */
	if (c->neg.dialect >= SMB2_DIALECT_300)
		o->channel_seq.sequence = (uint16_t)r->hdr.status;
	memcpy(o->fh, st->fh, st->fhlen);
	o->fhlen = st->fhlen;
	memcpy(o->dir_fh, st->dir_fh, st->dir_fhlen);
	o->dir_fhlen = st->dir_fhlen;
	snprintf(o->name, sizeof(o->name), "%s", st->name);
	o->path = strdup(d->path);
	o->is_dir = st->is_dir;
	o->access = st->access;
	o->options = st->options;
	o->desired = st->desired;
	o->granted = smbd_desired_granted(st->desired);
	o->mode = st->options & SMBD_MODE_BITS;
	/*
	 * 3.3.5.9.7: its delete on close comes back with it, and the
	 * DeletePending FileDispositionInformation set (MS-FSA 2.1.5.14.3).
	 */
	o->delete_pending = st->delete_pending;
	o->delete_disposed = st->delete_disposed;
	o->share_access = st->share_access;
	o->shared = smb2_share_access(st->desired) != 0;
	o->oplock = (uint8_t)d->oplock;
	if (st->lease_version != 0 && smbd_lease_restore(c->env, o,
	    w->refile, st) == -1)
		o->oplock = SMB2_OPLOCK_LEVEL_NONE;
	o->durable = (int)d->dh_version;
	o->durable_timeout_ms = d->timeout_ms;
	memcpy(o->create_guid, d->create_guid, sizeof(o->create_guid));
	/* Its CreateGuid names it again (a DH2Q of it: DUPLICATE_OBJECTID). */
	o->replay_eligible = d->dh_version == 2;
	/* 3.3.5.9.7: a resilient open is reconnected as it was. */
	o->resilient = st->resilient;
	o->lock_sequence = st->lock_sequence;
	/* What CREATE's AllocationSize and FilePositionInformation set. */
	o->alloc = st->alloc;
	o->position = st->position;
	w->open = o;
	memset(&req, 0, sizeof(req));
	smbd_cred(s, &req.cred);
	req.dir.bd_fh_len = o->dir_fhlen;
	req.dir.bd_fh_val = (char *)o->dir_fh;
	req.name.bd_name_len = (u_int)strlen(o->name);
	req.name.bd_name_val = o->name;
	req.disposition = smbd_dispositions[1];		/* FILE_OPEN */
	req.mode = SMBD_NEW_FILE_MODE;
	req.access = o->access;
	/* STORE_IO_ARCHIVE_LATER, as the first open had it. */
	req.io = o->access | ((o->access & PERM_IO_WRITE) ? 0x10 : 0);
	bdc_call(c->env->bdc, BD_OPEN, (xdrproc_t)xdr_bd_open_req, &req,
	    (xdrproc_t)xdr_bd_open_reply, sizeof(bd_open_reply),
	    smbd_create_reopened, w);
}

static void
smbd_create_replayed(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;
	bd_attr_reply *rep = reply;
	struct smbd_open *o;
	uint8_t oplock;
	int durable;

	if ((o = smbd_open_find(w->r->conn, w->file_id)) == NULL ||
	    o->session_id != w->session_id) {
		smbd_reply_error(w->r, STATUS_FILE_CLOSED);
		return;
	}
	if (status != 0) {
		smbd_reply_error(w->r, smb2_status_from_errno(status));
		return;
	}
	w->attr = rep->attr;
	/* The answer the client missed: the first one's CreateAction. */
	w->action = o->create_action;
	if (o->lease != NULL) {
		smbd_create_answer(w, o);
		return;
	}
	/*
	 * An oplock's open answers the level the replay asks, durable
	 * only when that level could have made it so; the open itself
	 * keeps its oplock and its durability (smbtorture
	 * smb2.replay.replay-dhv2-oplock2, as Windows answers).
	 */
	oplock = o->oplock;
	durable = o->durable;
	o->oplock = w->oplock;
	if (w->oplock != SMB2_OPLOCK_LEVEL_BATCH)
		o->durable = 0;
	smbd_create_answer(w, o);
	o->oplock = oplock;
	o->durable = durable;
}

/*
 * A CREATE of this session's with the same CreateGuid that waits for
 * the breaks of others' oplocks or leases after its share mode was
 * granted: its open is made, not yet answered.  NULL when none (one
 * that waits for a sharing violation's H break has no open yet).
 */
static struct smbd_walk *
smbd_create_replay_pending(struct smbd_walk *w)
{
	struct smbd_walk *p;

	LIST_FOREACH(p, &w->r->conn->creates, entry)
		if (p != w && p->waiting && p->durable.version == 2 &&
		    p->session_id == w->session_id && p->open != NULL &&
		    p->open->shared && p->oplocked &&
		    memcmp(p->durable.guid, w->durable.guid,
		    sizeof(p->durable.guid)) == 0)
			return p;
	return NULL;
}

/*
 * MS-SMB2 3.3.5.9.10: a DH2Q whose CreateGuid names a replay-eligible
 * open of this client's (its ClientGuid): with
 * SMB2_FLAGS_REPLAY_OPERATION the same open of the session, on any of
 * its channels, is answered again (the client did not see the first
 * answer), without it STATUS_DUPLICATE_OBJECTID.  A replay that asks a lease the open
 * does not hold (another key, or a lease of an oplock's open, or none
 * of a lease's) is STATUS_ACCESS_DENIED, and so is one of a CREATE
 * still waiting for others' breaks, as Windows answers (Samba answers
 * FILE_NOT_AVAILABLE there).  1 when answered here.
 */
static int
smbd_create_replay(struct smbd_walk *w, struct smbd_session *s)
{
	struct smbd_req *r = w->r;
	struct smbd_conn *c;
	struct smbd_open *o = NULL;
	bd_fh_req fr;
	int replay = (r->hdr.flags & SMB2_FLAGS_REPLAY_OPERATION) != 0;

	if (replay && smbd_create_replay_pending(w) != NULL) {
		log_debug("%s: a replayed CREATE while the first waits for "
		    "breaks: ACCESS_DENIED", r->conn->peer);
		smbd_reply_error(r, STATUS_ACCESS_DENIED);
		return 1;
	}
	TAILQ_FOREACH(c, &r->conn->env->conns, entry) {
		if (c->closing)
			continue;
		if (memcmp(c->neg.client_guid, r->conn->neg.client_guid,
		    sizeof(c->neg.client_guid)) != 0)
			continue;
		TAILQ_FOREACH(o, &c->opens, entry)
			if (o->replay_eligible && !o->closed &&
			    memcmp(o->create_guid, w->durable.guid,
			    sizeof(o->create_guid)) == 0)
				break;
		if (o != NULL)
			break;
	}
	if (o == NULL)
		return 0;
	if (!replay || o->session_id != s->id) {
		smbd_reply_error(r, STATUS_DUPLICATE_OBJECTID);
		return 1;
	}
	if ((o->lease != NULL) != (w->has_lease != 0) || (o->lease != NULL &&
	    memcmp(o->lease->l.key, w->lease.key, sizeof(w->lease.key)) != 0)) {
		log_warnx_rl("%s: a replayed CREATE asks another lease than "
		    "its open's: ACCESS_DENIED", r->conn->peer);
		smbd_reply_error(r, STATUS_ACCESS_DENIED);
		return 1;
	}
	w->file_id = o->id;
	smbd_fh_fill(&fr, s, o->fh, o->fhlen);
	bdc_call(c->env->bdc, BD_GETATTR, (xdrproc_t)xdr_bd_fh_req, &fr,
	    (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
	    smbd_create_replayed, w);
	return 1;
}

/*
 * MS-SMB2 3.3.5.9.8, 3.3.5.9.11: a lease context counts with
 * RequestedOplockLevel LEASE on 2.1 and later (v2 on 3.x only; a v2
 * context on 2.1 is read as v1); without one a LEASE level asks none.
 */
static uint32_t
smbd_create_lease_parse(struct smbd_req *r, const struct smb2_create_req *cr,
    struct smbd_walk *w)
{
	const uint8_t *data;
	size_t dlen;
	int rc;

	/* A reconnect's lease names the open's, whatever the level. */
	if (cr->oplock != SMB2_OPLOCK_LEVEL_LEASE && !w->durable.reconnect)
		return 0;
	w->oplock = SMB2_OPLOCK_LEVEL_NONE;
	if (r->conn->neg.dialect < SMB2_DIALECT_210)
		return 0;
	if ((rc = smb2_create_ctx_find(cr->contexts, cr->contexts_len, "RqLs",
	    &data, &dlen)) == -1)
		return STATUS_INVALID_PARAMETER;
	if (rc == 0)
		return 0;
	if (r->conn->neg.dialect < SMB2_DIALECT_300 &&
	    dlen == SMB2_LEASE_V2_SIZE)
		dlen = SMB2_LEASE_V1_SIZE;
	if (smb2_lease_decode(data, dlen, &w->lease) == -1)
		return STATUS_INVALID_PARAMETER;
	w->has_lease = 1;
	w->oplock = SMB2_OPLOCK_LEVEL_LEASE;
	return 0;
}

/*
 * MS-SMB2 3.3.5.9 and MS-FSA 2.1.5.1: the DesiredAccess, CreateOptions
 * and FileAttributes a CREATE may not carry, as Windows answers them,
 * before the name is looked at: a reserved access bit is
 * STATUS_ACCESS_DENIED (whatever else is wrong); FILE_DIRECTORY_FILE with FILE_NON_DIRECTORY_FILE, an option bit above
 * FILE_VALID_OPTION_FLAGS or an attribute outside
 * FILE_ATTRIBUTE_VALID_FLAGS (FILE_ATTRIBUTE_VOLUME, _DEVICE and the
 * bits from 0x8000 up) is STATUS_INVALID_PARAMETER;
 * FILE_CREATE_TREE_CONNECTION, FILE_OPEN_BY_FILE_ID and
 * FILE_RESERVE_OPFILTER are STATUS_NOT_SUPPORTED.  0 when neither.
 */
static uint32_t
smbd_create_check(const struct smb2_create_req *cr)
{
	if (cr->desired & SMBD_RESERVED_ACCESS)
		return STATUS_ACCESS_DENIED;
	if ((cr->options & (FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE)) ==
	    (FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE) ||
	    (cr->options & ~FILE_VALID_OPTION_FLAGS) != 0 ||
	    (cr->attributes & ~FILE_ATTRIBUTE_VALID_FLAGS) != 0)
		return STATUS_INVALID_PARAMETER;
	if (cr->options & (FILE_CREATE_TREE_CONNECTION |
	    FILE_OPEN_BY_FILE_ID | FILE_RESERVE_OPFILTER))
		return STATUS_NOT_SUPPORTED;
	return 0;
}

/* MS-SMB2 2.2.13, 3.3.5.9 */
void
smbd_create(struct smbd_req *r)
{
	struct smb2_create_req cr;
	struct smb2_durable_req dq;
	struct smbd_session *s;
	struct smbd_tree *t;
	struct smbd_walk *w;
	struct smbd_cctx *cctx = NULL;
	uint32_t st, st2;
	char *path;

	/* A reconnect's other fields are not looked at (3.3.5.9.7). */
	if (smb2_create_decode_any(r->msg, r->len, &cr) == -1) {
		smbd_bad(r, "CREATE");
		return;
	}
	if ((st = smb2_durable_parse(cr.contexts, cr.contexts_len,
	    r->conn->neg.dialect, &dq)) == 0 && !dq.reconnect &&
	    cr.disposition > 5) {
		smbd_bad(r, "CREATE");
		return;
	}
	if ((s = smbd_req_session(r)) == NULL ||
	    (t = smbd_req_tree(r, s)) == NULL)
		return;
	/* The list checked whole, a malformed one logged (create_ctx.c). */
	if ((st2 = smbd_cctx_parse(r, cr.contexts, cr.contexts_len,
	    cr.desired, &cctx)) != 0 || st != 0) {
		smbd_cctx_free(cctx);
		smbd_reply_error(r, st2 != 0 ? st2 : st);
		return;
	}
	if ((w = smbd_walk_new(r, s, t->share)) == NULL) {
		smbd_cctx_free(cctx);
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	w->durable = dq;
	w->cctx = cctx;
	if (w->durable.reconnect) {
		/* 3.3.5.9.7, 3.3.5.9.12: no path validation, no open. */
		if ((st = smbd_create_lease_parse(r, &cr, w)) != 0) {
			smbd_reply_error(r, st);
			return;
		}
		/* The name, for a lease's (smbd_create_reconnect_lease). */
		w->reconnect_name = smbd_walk_parse(w, cr.name, cr.name_len);
		smbd_durable_reconnect(r->conn, s, &w->durable,
		    smbd_create_reconnected, w);
		return;
	}
	if ((st = smbd_create_check(&cr)) != 0) {
		log_debug("CREATE: access 0x%08x, options 0x%08x, attributes "
		    "0x%08x refused", cr.desired, cr.options, cr.attributes);
		smbd_reply_error(r, st);
		return;
	}
	/* 3.3.5.9: an ImpersonationLevel beyond SecurityDelegation. */
	if (cr.impersonation > 3) {
		smbd_reply_error(r, STATUS_BAD_IMPERSONATION_LEVEL);
		return;
	}
	w->desired = cr.desired;
	w->oplock = cr.oplock;
	if ((st = smbd_create_lease_parse(r, &cr, w)) != 0) {
		smbd_reply_error(r, st);
		return;
	}
	if (w->durable.version == 2 && smbd_create_replay(w, s))
		return;
	w->share_access = cr.share_access;
	w->attrs = cr.attributes;
	w->disposition = cr.disposition;
	w->options = cr.options;
	if ((st = smbd_secd_parse(cr.contexts, cr.contexts_len,
	    smbd_create_root(w), &w->secd)) != 0 ||
	    (st = smbd_walk_parse(w, cr.name, cr.name_len)) != 0) {
		smbd_reply_error(r, st);
		return;
	}
	if (w->cctx != NULL && w->durable.version == 2) {
		path = smbd_walk_path(w);
		st = smbd_cctx_app_close(r, w->cctx, w->share, path, 1);
		free(path);
		if (st != STATUS_SUCCESS) {
			smbd_reply_error(r, st);
			return;
		}
	}
	w->done = smbd_create_walk_done;
	smbd_walk_step(w);
}

/*
 * The ARCHIVE of a file's first write, in blockd: its note (a MODIFIED
 * for CHANGE_NOTIFY) comes before its reply, and the open's CLOSE waits
 * for that reply, so that a client that closed the file has its change
 * reported before anything it sends next (smbtorture
 * smb2.notify.valid-req counts the changes of a write, then closes and
 * asks again at once).
 */
struct smbd_archiving {
	struct smbd_env		*env;
	struct smbd_open	*o;	/* NULL once the open went */
	struct smbd_req		*close;	/* its CLOSE, answered after */
	uint64_t		 quiet;	/* smbd_lease_dir_quiet's */
};

/* CLOSE (2.2.15, 2.2.16): the attributes after, when asked. */
struct smbd_closing {
	struct smbd_req	*r;
	int		 postquery;
};

void
smbd_close_reply(struct smbd_req *r, const bd_attr *a)
{
	uint8_t out[60];

	memset(out, 0, sizeof(out));
	smb2_put16(out, 60);
	if (a != NULL) {
		smb2_put16(out + 2, 1);
		smbd_put_times(out + 8, a);
		smb2_put64(out + 40, smbd_alloc_size(a));
		smb2_put64(out + 48, smbd_eof(a));
		smb2_put32(out + 56, smbd_dos_attrs(a));
	}
	smbd_reply(r, STATUS_SUCCESS, out, sizeof(out));
}

static void
smbd_close_attr_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_req *r = arg;
	bd_attr_reply *rep = reply;

	smbd_close_reply(r, status == 0 ? &rep->attr : NULL);
}

static void
smbd_close_removed(void *arg, int status, void *reply, int fd)
{
	struct smbd_req *r = arg;

	smbd_lease_dir_changed(r->conn->env, r->dirlease_change);
	r->dirlease_change = 0;

	if (status != 0)
		log_warnx_rl("%s: delete on close: %s", r->conn->peer,
		    strerror(-status));
	smbd_close_reply(r, NULL);
}

void
smbd_close(struct smbd_req *r)
{
	struct smbd_session *s;
	struct smbd_open *o;
	bd_dirop_req req;
	bd_fh_req fr;
	int post;

	if ((o = smbd_file_args(r, 24, 8, &s)) == NULL)
		return;
	o->closed = 1;
	post = smb2_get16(r->msg + SMB2_HDR_SIZE + 2) & 1;
	if (o->delete_pending && o->stream[0] != '\0') {
		smbd_stream_close_remove(r, s, o);
		return;
	}
	if (o->delete_pending && smbd_stream_doom(r->conn->env, s, o)) {
		/*
		 * Removed with its last open (stream.c); its name goes for
		 * the others' leases now, as below.
		 */
		smbd_lease_unlinked(r->conn->env, o);
		smbd_open_free(r->conn, o);
		smbd_close_reply(r, NULL);
		return;
	}
	if (o->delete_pending) {
		smbd_lease_unlinked(r->conn->env, o);
		/* Deleted by its 8.3 name: its long name may come back. */
		if (o->shortname[0] != '\0')
			smb2_tunnel_add(&r->conn->env->tunnel, o->share,
			    o->dir_fh, o->dir_fhlen, o->shortname, o->name,
			    smbd_tunnel_now());
		smbd_dirop_fill(&req, s, o->dir_fh, o->dir_fhlen, o->name);
		r->dirlease_change = smbd_lease_dir_changing(r->conn->env,
		    o->dir_fh, o->dir_fhlen, o->session_id, o->lease != NULL ?
		    &o->lease->l : NULL);
		/* The bytes are copied by bdc_call before the open goes. */
		bdc_call(r->conn->env->bdc, o->is_dir ? BD_RMDIR : BD_REMOVE,
		    (xdrproc_t)xdr_bd_dirop_req, &req,
		    (xdrproc_t)xdr_bd_wcc_reply, sizeof(bd_wcc_reply),
		    smbd_close_removed, r);
		smbd_open_free(r->conn, o);
		return;
	}
	if (post) {
		smbd_fh_fill(&fr, s, o->fh, o->fhlen);
		bdc_call(r->conn->env->bdc, BD_GETATTR,
		    (xdrproc_t)xdr_bd_fh_req, &fr,
		    (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
		    smbd_close_attr_done, r);
		smbd_open_free(r->conn, o);
		return;
	}
	if (o->archiving != NULL) {
		/* Answered once its write's ARCHIVE is (and told). */
		o->archiving->close = r;
		smbd_open_free(r->conn, o);
		return;
	}
	smbd_open_free(r->conn, o);
	smbd_close_reply(r, NULL);
}

static void
smbd_flush_done(void *arg, int err)
{
	struct smbd_req *r = arg;
	uint8_t b[4] = { 4, 0, 0, 0 };

	if (err != 0) {
		smbd_reply_error(r, smb2_status_from_errno(err));
		return;
	}
	smbd_reply(r, STATUS_SUCCESS, b, sizeof(b));
}

/* MS-SMB2 3.3.5.11 */
void
smbd_flush(struct smbd_req *r)
{
	struct smbd_session *s;
	struct smbd_open *o;
	uint8_t b[4] = { 4, 0, 0, 0 };

	if ((o = smbd_file_args(r, 24, 8, &s)) == NULL)
		return;
	if (o->fd == -1 || !(o->access & PERM_IO_WRITE)) {
		if (o->is_dir)
			smbd_reply(r, STATUS_SUCCESS, b, sizeof(b));
		else
			smbd_reply_error(r, STATUS_ACCESS_DENIED);
		return;
	}
	syncer_sync(r->conn->env->syncer, o->fd, 0, smbd_flush_done, r);
}

/* MS-SMB2 2.2.19, 2.2.20, 3.3.5.12 */
void
smbd_read(struct smbd_req *r)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct smbd_session *s;
	struct smbd_open *o;
	uint32_t len, min;
	uint64_t off;
	uint8_t *p;
	ssize_t n;

	if ((o = smbd_file_args(r, 49, 16, &s)) == NULL)
		return;
	len = smb2_get32(b + 4);
	off = smb2_get64(b + 8);
	min = smb2_get32(b + 32);
	/* MS-FSA 2.1.5.2: no byte past 2^63 - 1. */
	if (len > r->conn->env->max_read || off > INT64_MAX ||
	    (uint64_t)len > (uint64_t)INT64_MAX - off ||
	    (r->conn->neg.dialect != SMB2_DIALECT_202 &&
	    r->hdr.credit_charge < smb2_credit_charge_for(len))) {
		smbd_bad(r, "READ length or credit charge");
		return;
	}
	if (o->is_dir) {
		smbd_reply_error(r, STATUS_INVALID_DEVICE_REQUEST);
		return;
	}
	if (o->fd == -1 || !(o->access & PERM_IO_READ)) {
		smbd_reply_error(r, STATUS_ACCESS_DENIED);
		return;
	}
	/* Windows' mandatory locks: another open's, as lock.c keeps them. */
	if (smbd_lock_io_conflict(o, off, len, 0)) {
		smbd_reply_error(r, STATUS_FILE_LOCK_CONFLICT);
		return;
	}
	if ((p = smbd_reply_room(r, 16 + (size_t)len)) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	n = len > 0 ? pread(o->fd, p + 16, len, (off_t)off) : 0;
	if (n < 0) {
		smbd_reply_error(r, smb2_status_from_errno(errno));
		return;
	}
	if ((n == 0 && len > 0) || (uint32_t)n < min) {
		smbd_reply_error(r, STATUS_END_OF_FILE);
		return;
	}
	memset(p, 0, 16);
	smb2_put16(p, 17);
	p[2] = SMB2_HDR_SIZE + 16;
	smb2_put32(p + 4, (uint32_t)n);
	smbd_reply_in(r, STATUS_SUCCESS, 16 + (size_t)n);
}

struct smbd_writing {
	struct smbd_req	*r;
	uint32_t	 count;
};

static void
smbd_write_reply(struct smbd_req *r, uint32_t count)
{
	uint8_t out[16];

	memset(out, 0, sizeof(out));
	smb2_put16(out, 17);
	smb2_put32(out + 4, count);
	smbd_reply(r, STATUS_SUCCESS, out, sizeof(out));
}

static void
smbd_write_synced(void *arg, int err)
{
	struct smbd_writing *w = arg;

	if (err != 0)
		smbd_reply_error(w->r, smb2_status_from_errno(err));
	else
		smbd_write_reply(w->r, w->count);
}

static void
smbd_archive_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_archiving *a = arg;

	(void)reply;
	(void)fd;
	/* A write permission taken away since the open: the bit stays. */
	if (status != 0)
		log_debug("ARCHIVE after a write: %s", strerror(-status));
	smbd_lease_dir_changed(a->env, a->quiet);
	if (a->o != NULL)
		a->o->archiving = NULL;
	if (a->close != NULL)
		smbd_close_reply(a->close, NULL);
	free(a);
}

/* The open goes (CLOSE, LOGOFF, the connection): its ARCHIVE stays. */
void
smbd_archive_open_gone(struct smbd_open *o)
{
	if (o->archiving != NULL)
		o->archiving->o = NULL;
	o->archiving = NULL;
}

void
smbd_archive_written(struct smbd_conn *c, struct smbd_session *s,
    struct smbd_open *o)
{
	bd_setattr_req req;
	struct smbd_archiving *a;

	if (o->archived || s == NULL)
		return;
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		log_warnx_rl("ARCHIVE after a write: out of memory");
		return;
	}
	o->archived = 1;
	a->env = c->env;
	/* Before the call: its answer may come at once. */
	a->o = o;
	o->archiving = a;
	/* Its note is no change a directory lease sees (the CLOSE is). */
	a->quiet = smbd_lease_dir_quiet(c->env, o->dir_fh, o->dir_fhlen);
	memset(&req, 0, sizeof(req));
	smbd_cred(s, &req.cred);
	req.fh.bd_fh_len = o->fhlen;
	req.fh.bd_fh_val = (char *)o->fh;
	req.sattr.mask = 0x800;		/* STORE_SATTR_ARCHIVE */
	bdc_call(c->env->bdc, BD_SETATTR, (xdrproc_t)xdr_bd_setattr_req, &req,
	    (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
	    smbd_archive_done, a);
}

void
smbd_write(struct smbd_req *r)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct smbd_session *s;
	struct smbd_open *o;
	struct smbd_writing *w;
	uint16_t doff;
	uint32_t len, flags;
	uint64_t off;
	ssize_t n;

	if ((o = smbd_file_args(r, 49, 16, &s)) == NULL)
		return;
	doff = smb2_get16(b + 2);
	len = smb2_get32(b + 4);
	off = smb2_get64(b + 8);
	flags = smb2_get32(b + 44);
	/* MS-FSA 2.1.5.3: no byte written at or past MAXFILESIZE. */
	if (len > r->conn->env->max_write || off > INT64_MAX ||
	    (len > 0 && off + len > SMBD_MAXFILESIZE) ||
	    smb2_buffer_check(r->len, SMB2_HDR_SIZE + 48, doff, len) == -1 ||
	    (r->conn->neg.dialect != SMB2_DIALECT_202 &&
	    r->hdr.credit_charge < smb2_credit_charge_for(len))) {
		smbd_bad(r, "WRITE data, length or credit charge");
		return;
	}
	if (o->fd == -1 || !(o->access & PERM_IO_WRITE)) {
		smbd_reply_error(r, STATUS_ACCESS_DENIED);
		return;
	}
	if (smbd_lock_io_conflict(o, off, len, 1)) {
		smbd_reply_error(r, STATUS_FILE_LOCK_CONFLICT);
		return;
	}
	n = len > 0 ? pwrite(o->fd, r->msg + doff, len, (off_t)off) : 0;
	if (n < 0) {
		smbd_reply_error(r, smb2_status_from_errno(errno));
		return;
	}
	if (n > 0) {
		smbd_lease_written(r->conn->env, o);
		smbd_archive_written(r->conn, s, o);
		o->data_written = 1;
	}
	/* SMB2_WRITEFLAG_WRITE_THROUGH, or an open that asked for it. */
	if ((flags & 1) || (o->options & FILE_WRITE_THROUGH)) {
		if ((w = calloc(1, sizeof(*w))) == NULL) {
			smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
			return;
		}
		w->r = r;
		w->count = (uint32_t)n;
		r->work = w;
		r->work_free = free;
		syncer_sync(r->conn->env->syncer, o->fd, 0, smbd_write_synced,
		    w);
		return;
	}
	smbd_write_reply(r, (uint32_t)n);
}

/* QUERY_INFO (2.2.37): the classes served, over blockd's attributes. */
#define SMB2_0_INFO_FILE	1
#define SMB2_0_INFO_FILESYSTEM	2
#define SMB2_0_INFO_SECURITY	3

struct smbd_query {
	struct smbd_req	*r;
	uint8_t		 type, class;
	uint32_t	 outmax;
	uint64_t	 file_id;
	char		 name[BD_NAME_MAX + 1];
	char		 path[SMBD_NORMALIZED_MAX + 1];	/* from the root */
	int		 delete_pending;
	int		 streams;	/* the share's smb streams */
	uint32_t	 granted, mode;
	uint64_t	 position, alloc;
	bd_attr		 attr;		/* FileAllInformation: while EAs are listed */
};

void
smbd_query_out(struct smbd_req *r, const uint8_t *data, size_t len,
    size_t fixed, uint32_t outmax)
{
	uint8_t *p;
	uint32_t st = STATUS_SUCCESS;

	if (outmax < fixed) {
		smbd_reply_error(r, STATUS_INFO_LENGTH_MISMATCH);
		return;
	}
	if (len > outmax) {
		len = outmax;
		st = STATUS_BUFFER_OVERFLOW;
	}
	if ((p = smbd_reply_room(r, 8 + len)) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	smb2_put16(p, 9);
	smb2_put16(p + 2, SMB2_HDR_SIZE + 8);
	smb2_put32(p + 4, (uint32_t)len);
	memcpy(p + 8, data, len);
	smbd_reply_in(r, st, 8 + len);
}

static size_t
smbd_info_basic(uint8_t *p, const bd_attr *a)
{
	memset(p, 0, 40);
	smbd_put_times(p, a);
	smb2_put32(p + 32, smbd_dos_attrs(a));
	return 40;
}

static size_t
smbd_info_standard(uint8_t *p, const bd_attr *a, int delete_pending)
{
	memset(p, 0, 24);
	smb2_put64(p, smbd_alloc_size(a));
	smb2_put64(p + 8, smbd_eof(a));
	/* MS-FSA 2.1.5.12.27: a link pending delete is not counted. */
	smb2_put32(p + 16, delete_pending && a->nlink > 0 ? a->nlink - 1 :
	    a->nlink);
	p[20] = (uint8_t)delete_pending;
	p[21] = a->type == 2;
	return 24;
}

/*
 * MS-SMB2 3.3.5.20.1, MS-FSCC 2.4: a class's answer (len bytes), whose
 * fixed part (as Windows sizes it) must fit in the output buffer.
 */
static void
smbd_query_file(struct smbd_query *q, const bd_attr *a, uint32_t ea_size)
{
	uint8_t buf[104 + 2 * (SMBD_NORMALIZED_MAX + 1) * 2];
	char shortname[SMB2_SHORTNAME_MAX + 1];
	size_t n = 0;
	ssize_t k;

	switch (q->class) {
	case 4:		/* FileBasicInformation */
		n = smbd_info_basic(buf, a);
		smbd_query_out(q->r, buf, n, 40, q->outmax);
		return;
	case 5:		/* FileStandardInformation */
		n = smbd_info_standard(buf, a, q->delete_pending);
		smbd_query_out(q->r, buf, n, 24, q->outmax);
		return;
	case 6:		/* FileInternalInformation */
		smb2_put64(buf, a->ino);
		smbd_query_out(q->r, buf, 8, 8, q->outmax);
		return;
	case 8:		/* FileAccessInformation: the open's granted access */
		smb2_put32(buf, q->granted);
		smbd_query_out(q->r, buf, 4, 4, q->outmax);
		return;
	case 14:	/* FilePositionInformation */
		smb2_put64(buf, q->position);
		smbd_query_out(q->r, buf, 8, 8, q->outmax);
		return;
	case 16:	/* FileModeInformation */
		smb2_put32(buf, q->mode);
		smbd_query_out(q->r, buf, 4, 4, q->outmax);
		return;
	case 17:	/* FileAlignmentInformation: FILE_BYTE_ALIGNMENT */
		smb2_put32(buf, 0);
		smbd_query_out(q->r, buf, 4, 4, q->outmax);
		return;
	case 18:	/* FileAllInformation */
		n = smbd_info_basic(buf, a);
		n += smbd_info_standard(buf + n, a, q->delete_pending);
		smb2_put64(buf + n, a->ino);	/* internal */
		n += 8;
		smb2_put32(buf + n, ea_size);
		smb2_put32(buf + n + 4, q->granted);
		smb2_put64(buf + n + 8, q->position);
		smb2_put32(buf + n + 16, q->mode);
		smb2_put32(buf + n + 20, 0);	/* alignment */
		n += 24;
		/*
		 * The name is the path from the share's root, as Windows
		 * answers it (the open's path, renames followed).  The
		 * share's root is named "\\" (MS-FSCC 2.4.2): Linux's
		 * cifs refuses an answer without a name (less than 101
		 * bytes) and mounts nothing.
		 */
		k = q->path[0] != '\0' ? smbd_utf8_to_utf16(q->path,
		    strlen(q->path), buf + n + 4, sizeof(buf) - n - 4) :
		    smbd_utf8_to_utf16("\\", 1, buf + n + 4,
		    sizeof(buf) - n - 4);
		if (k < 0)
			k = 0;
		smb2_put32(buf + n, (uint32_t)k);
		n += 4 + (size_t)k;
		smbd_query_out(q->r, buf, n, 104, q->outmax);
		return;
	case 21:	/* FileAlternateNameInformation (MS-FSCC 2.4.5) */
		/*
		 * The 8.3 name the listing gives (smb2_shortname.h); a name
		 * of its own answers itself, as NTFS's name in both
		 * namespaces does, and the root "\\" (smbclient's allinfo,
		 * which lists streams, stops without an answer).  Only an
		 * inode number too large for one has none.
		 */
		if (q->name[0] == '\0' || smb2_shortname_own(q->name))
			k = smbd_utf8_to_utf16(q->name[0] != '\0' ? q->name :
			    "\\", q->name[0] != '\0' ? strlen(q->name) : 1,
			    buf + 4, sizeof(buf) - 4);
		else if ((n = smb2_shortname(q->name, a->ino,
		    shortname)) > 0)
			k = smbd_utf8_to_utf16(shortname, n, buf + 4,
			    sizeof(buf) - 4);
		else {
			smbd_reply_error(q->r, STATUS_OBJECT_NAME_NOT_FOUND);
			return;
		}
		if (k < 0)
			k = 0;
		smb2_put32(buf, (uint32_t)k);
		smbd_query_out(q->r, buf, 4 + (size_t)k, 8, q->outmax);
		return;
	case 28:	/* FileCompressionInformation: not compressed */
		memset(buf, 0, 16);
		smb2_put64(buf, smbd_eof(a));
		smbd_query_out(q->r, buf, 16, 16, q->outmax);
		return;
	case 34:	/* FileNetworkOpenInformation */
		memset(buf, 0, 56);
		smbd_put_times(buf, a);
		smb2_put64(buf + 32, smbd_alloc_size(a));
		smb2_put64(buf + 40, smbd_eof(a));
		smb2_put32(buf + 48, smbd_dos_attrs(a));
		smbd_query_out(q->r, buf, 56, 56, q->outmax);
		return;
	case 35:	/* FileAttributeTagInformation */
		smb2_put32(buf, smbd_dos_attrs(a));
		smb2_put32(buf + 4, 0);
		smbd_query_out(q->r, buf, 8, 8, q->outmax);
		return;
	}
	smbd_reply_error(q->r, STATUS_INVALID_INFO_CLASS);
}

/* FileAllInformation's EaSize, from the file's EAs (create_ctx.c). */
static void
smbd_query_eas_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_query *q = arg;

	if (status != 0) {
		smbd_reply_error(q->r, smb2_status_from_errno(status));
		return;
	}
	smbd_query_file(q, &q->attr, smbd_ea_size(reply));
}

static void
smbd_query_attr_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_query *q = arg;
	bd_attr_reply *rep = reply;
	struct smbd_session *s;
	struct smbd_open *o;
	bd_fh_req fr;

	if (status != 0) {
		smbd_reply_error(q->r, smb2_status_from_errno(status));
		return;
	}
	smbd_stream_attr(q->r->conn, q->file_id, &rep->attr);
	/* The allocation this handle set: answered, not reserved. */
	if (rep->attr.type == 1 && q->alloc > rep->attr.used)
		rep->attr.used = q->alloc;
	if (q->class == 18 && (o = smbd_open_find(q->r->conn,
	    q->file_id)) != NULL && (s = smbd_session_find(q->r->conn,
	    o->session_id)) != NULL) {
		q->attr = rep->attr;
		smbd_fh_fill(&fr, s, o->fh, o->fhlen);
		bdc_call(q->r->conn->env->bdc, BD_NAMED_LIST,
		    (xdrproc_t)xdr_bd_fh_req, &fr,
		    (xdrproc_t)xdr_bd_named_list_reply,
		    sizeof(bd_named_list_reply), smbd_query_eas_done, q);
		return;
	}
	smbd_query_file(q, &rep->attr, 0);
}

static void
smbd_query_fs_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_query *q = arg;
	bd_statfs_reply *rep = reply;
	static const char fsname[] = "DittoFS";
	uint8_t buf[128];
	const uint32_t unit = 4096;
	ssize_t k;

	if (status != 0) {
		smbd_reply_error(q->r, smb2_status_from_errno(status));
		return;
	}
	memset(buf, 0, sizeof(buf));
	switch (q->class) {
	case 1:		/* FileFsVolumeInformation */
		smb2_put32(buf + 8, rep->attr.share);
		smbd_query_out(q->r, buf, 18, 24, q->outmax);
		return;
	case 3:		/* FileFsSizeInformation */
		smb2_put64(buf, rep->bytes_total / unit);
		smb2_put64(buf + 8, rep->bytes_avail / unit);
		smb2_put32(buf + 16, unit / 512);
		smb2_put32(buf + 20, 512);
		smbd_query_out(q->r, buf, 24, 24, q->outmax);
		return;
	case 4:		/* FileFsDeviceInformation: FILE_DEVICE_DISK */
		smb2_put32(buf, 7);
		smbd_query_out(q->r, buf, 8, 8, q->outmax);
		return;
	case 5:		/* FileFsAttributeInformation */
		/*
		 * case-preserving, case-sensitive search, unicode names,
		 * named streams (stream.c) but on a share without them,
		 * object ids (proc.c's), extended attributes (create_ctx.c)
		 */
		smb2_put32(buf, 0x00000003 | 0x00000004 |
		    (q->streams ? SMB2_FILE_NAMED_STREAMS : 0) |
		    0x00010000 | 0x00800000);
		smb2_put32(buf + 4, BD_NAME_MAX);
		k = smbd_utf8_to_utf16(fsname, sizeof(fsname) - 1, buf + 12,
		    sizeof(buf) - 12);
		smb2_put32(buf + 8, (uint32_t)k);
		smbd_query_out(q->r, buf, 12 + (size_t)k, 16, q->outmax);
		return;
	case 6:		/* FileFsControlInformation (MS-FSCC 2.5.2) */
		/*
		 * No quotas (dittofs-smbd(8)): no free-space filtering,
		 * default threshold and limit "none" (all ones), no
		 * FILE_VC_QUOTA_* flag.
		 */
		smb2_put64(buf + 24, UINT64_MAX);
		smb2_put64(buf + 32, UINT64_MAX);
		smbd_query_out(q->r, buf, 48, 48, q->outmax);
		return;
	case 7:		/* FileFsFullSizeInformation */
		smb2_put64(buf, rep->bytes_total / unit);
		smb2_put64(buf + 8, rep->bytes_avail / unit);
		smb2_put64(buf + 16, rep->bytes_free / unit);
		smb2_put32(buf + 24, unit / 512);
		smb2_put32(buf + 28, 512);
		smbd_query_out(q->r, buf, 32, 32, q->outmax);
		return;
	case 8:		/* FileFsObjectIdInformation (MS-FSCC 2.5.6) */
		/*
		 * The volume's object id: the share's id (the volume
		 * serial number of FileFsVolumeInformation) under a fixed
		 * tag, so it stays the same across restarts; no extended
		 * information.
		 */
		memcpy(buf, "DittoFS\0", 8);
		smb2_put32(buf + 12, rep->attr.share);
		smbd_query_out(q->r, buf, 64, 64, q->outmax);
		return;
	case 11:	/* FileFsSectorSizeInformation (MS-FSCC 2.5.8) */
		smb2_put32(buf, 512);
		smb2_put32(buf + 4, unit);
		smb2_put32(buf + 8, unit);
		smb2_put32(buf + 12, unit);
		/* SSINFO_FLAGS_ALIGNED_DEVICE, _PARTITION_ALIGNED_ON_DEVICE */
		smb2_put32(buf + 16, 0x00000001 | 0x00000002);
		smbd_query_out(q->r, buf, 28, 28, q->outmax);
		return;
	}
	smbd_reply_error(q->r, STATUS_INVALID_INFO_CLASS);
}

/*
 * FileNormalizedNameInformation (MS-SMB2 3.3.5.20.1, 3.1.1 only): the
 * path from the share's root with each name as the directory stores
 * it (a case-insensitive share finds "A\b" for "a\B"), with ":stream"
 * for a named stream; the root's is empty.  Each component is looked
 * up (its inode) and found by that inode in its directory's listing:
 * one LOOKUP and a READDIR or more per component.
 */
struct smbd_normq {
	struct smbd_req	*r;
	uint64_t	 session_id;
	uint32_t	 outmax;
	char		 path[SMBD_NORMALIZED_MAX + 1];	/* as opened */
	size_t		 pos;		/* the component being resolved */
	char		 comp[BD_NAME_MAX + 1];
	char		 out[SMBD_NORMALIZED_MAX + SMB2_STREAM_NAME_MAX + 2];
	size_t		 outlen;
	char		 stream[SMB2_STREAM_NAME_MAX + 1];
	uint8_t		 dir[BD_FH_MAX];
	uint32_t	 dirlen;
	uint8_t		 next[BD_FH_MAX];
	uint32_t	 nextlen;
	uint64_t	 ino;
	uint64_t	 cookie;
};

static void	smbd_normq_step(struct smbd_normq *);

static void
smbd_normq_answer(struct smbd_normq *nq)
{
	uint8_t buf[4 + 2 * (SMBD_NORMALIZED_MAX + SMB2_STREAM_NAME_MAX + 1)];
	ssize_t k;

	if (nq->stream[0] != '\0' && snprintf(nq->out + nq->outlen,
	    sizeof(nq->out) - nq->outlen, ":%s", nq->stream) >=
	    (int)(sizeof(nq->out) - nq->outlen)) {
		smbd_reply_error(nq->r, STATUS_NAME_TOO_LONG);
		return;
	}
	if ((k = smbd_utf8_to_utf16(nq->out, strlen(nq->out), buf + 4,
	    sizeof(buf) - 4)) < 0) {
		smbd_reply_error(nq->r, STATUS_NAME_TOO_LONG);
		return;
	}
	smb2_put32(buf, (uint32_t)k);
	smbd_query_out(nq->r, buf, 4 + (size_t)k, 8, nq->outmax);
}

/* The component's name as stored (or as opened, if not listed). */
static void
smbd_normq_found(struct smbd_normq *nq, const char *name, size_t len)
{
	if (nq->outlen + (nq->outlen > 0) + len >= sizeof(nq->out)) {
		smbd_reply_error(nq->r, STATUS_NAME_TOO_LONG);
		return;
	}
	if (nq->outlen > 0)
		nq->out[nq->outlen++] = '\\';
	memcpy(nq->out + nq->outlen, name, len);
	nq->outlen += len;
	nq->out[nq->outlen] = '\0';
	memcpy(nq->dir, nq->next, nq->nextlen);
	nq->dirlen = nq->nextlen;
	smbd_normq_step(nq);
}

static void	smbd_normq_listed(void *, int, void *, int);

/* The directory's listing from nq->cookie on. */
static void
smbd_normq_readdir(struct smbd_normq *nq)
{
	struct smbd_session *s;
	bd_readdir_req req;

	if ((s = smbd_session_find(nq->r->conn, nq->session_id)) == NULL) {
		smbd_reply_error(nq->r, STATUS_USER_SESSION_DELETED);
		return;
	}
	memset(&req, 0, sizeof(req));
	smbd_cred(s, &req.cred);
	req.dir.bd_fh_len = nq->dirlen;
	req.dir.bd_fh_val = (char *)nq->dir;
	req.cookie = nq->cookie;
	req.maxents = BD_READDIR_MAX;
	bdc_call(nq->r->conn->env->bdc, BD_READDIR,
	    (xdrproc_t)xdr_bd_readdir_req, &req,
	    (xdrproc_t)xdr_bd_readdir_reply, sizeof(bd_readdir_reply),
	    smbd_normq_listed, nq);
}

static void
smbd_normq_listed(void *arg, int status, void *reply, int fd)
{
	struct smbd_normq *nq = arg;
	bd_readdir_reply *rep = reply;
	u_int i;

	(void)fd;
	if (status != 0) {
		smbd_reply_error(nq->r, smb2_status_from_errno(status));
		return;
	}
	for (i = 0; i < rep->entries.entries_len; i++) {
		if (rep->entries.entries_val[i].ino == nq->ino) {
			smbd_normq_found(nq,
			    rep->entries.entries_val[i].name.bd_name_val,
			    rep->entries.entries_val[i].name.bd_name_len);
			return;
		}
		nq->cookie = rep->entries.entries_val[i].cookie;
	}
	/* Not listed (gone since): the name as the open has it. */
	if (rep->eof || rep->entries.entries_len == 0) {
		smbd_normq_found(nq, nq->comp, strlen(nq->comp));
		return;
	}
	smbd_normq_readdir(nq);
}

static void
smbd_normq_looked(void *arg, int status, void *reply, int fd)
{
	struct smbd_normq *nq = arg;
	bd_entry_reply *rep = reply;

	(void)fd;
	if (status != 0) {
		smbd_reply_error(nq->r, smb2_status_from_errno(status));
		return;
	}
	if (rep->fh.bd_fh_len > sizeof(nq->next)) {
		smbd_reply_error(nq->r, STATUS_INTERNAL_ERROR);
		return;
	}
	memcpy(nq->next, rep->fh.bd_fh_val, rep->fh.bd_fh_len);
	nq->nextlen = rep->fh.bd_fh_len;
	nq->ino = rep->attr.ino;
	nq->cookie = 0;
	smbd_normq_readdir(nq);
}

static void
smbd_normq_step(struct smbd_normq *nq)
{
	struct smbd_session *s;
	bd_dirop_req req;
	size_t n;

	while (nq->path[nq->pos] == '\\')
		nq->pos++;
	if (nq->path[nq->pos] == '\0') {
		smbd_normq_answer(nq);
		return;
	}
	n = strcspn(nq->path + nq->pos, "\\");
	if (n >= sizeof(nq->comp)) {
		smbd_reply_error(nq->r, STATUS_NAME_TOO_LONG);
		return;
	}
	memcpy(nq->comp, nq->path + nq->pos, n);
	nq->comp[n] = '\0';
	nq->pos += n;
	if ((s = smbd_session_find(nq->r->conn, nq->session_id)) == NULL) {
		smbd_reply_error(nq->r, STATUS_USER_SESSION_DELETED);
		return;
	}
	smbd_dirop_fill(&req, s, nq->dir, nq->dirlen, nq->comp);
	smbd_lookup(nq->r->conn, &req, smbd_normq_looked, nq);
}

static void
smbd_query_normalized(struct smbd_req *r, const struct smbd_open *o,
    uint32_t outmax)
{
	struct smbd_share *sh = &r->conn->env->shares[o->share];
	struct smbd_normq *nq;

	if (r->conn->neg.dialect < SMB2_DIALECT_311) {
		smbd_reply_error(r, STATUS_NOT_SUPPORTED);
		return;
	}
	if ((nq = calloc(1, sizeof(*nq))) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	r->work = nq;
	r->work_free = free;
	nq->r = r;
	nq->session_id = o->session_id;
	nq->outmax = outmax;
	if (snprintf(nq->path, sizeof(nq->path), "%s", o->path != NULL ?
	    o->path : "") >= (int)sizeof(nq->path)) {
		smbd_reply_error(r, STATUS_NAME_TOO_LONG);
		return;
	}
	snprintf(nq->stream, sizeof(nq->stream), "%s", o->stream);
	memcpy(nq->dir, sh->root_fh, sh->root_len);
	nq->dirlen = sh->root_len;
	smbd_normq_step(nq);
}

void
smbd_query_info(struct smbd_req *r)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct smbd_session *s;
	struct smbd_open *o;
	struct smbd_query *q;
	bd_fh_req fr;
	uint32_t outmax;

	if ((o = smbd_file_args(r, 41, 24, &s)) == NULL)
		return;
	if (b[2] == SMB2_0_INFO_SECURITY) {
		smbd_query_security(r, s, o, smb2_get32(b + 16),
		    smb2_get32(b + 4) < r->conn->env->max_transact ?
		    smb2_get32(b + 4) : r->conn->env->max_transact);
		return;
	}
	if (b[2] == SMB2_0_INFO_FILE && (b[3] == 7 || b[3] == 15)) {
		/* FileEaInformation, FileFullEaInformation (create_ctx.c) */
		smbd_ea_query(r, s, o, b[3], smb2_get32(b + 4) <
		    r->conn->env->max_transact ? smb2_get32(b + 4) :
		    r->conn->env->max_transact);
		return;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	r->work = q;
	r->work_free = free;
	q->r = r;
	q->type = b[2];
	q->class = b[3];
	q->outmax = smb2_get32(b + 4);
	if (q->outmax > r->conn->env->max_transact)
		q->outmax = r->conn->env->max_transact;
	q->delete_pending = o->delete_pending;
	q->streams = r->conn->env->shares[o->share].streams;
	q->granted = o->granted;
	q->position = o->position;
	q->mode = o->mode;
	q->alloc = o->alloc;
	q->file_id = o->id;
	snprintf(q->name, sizeof(q->name), "%s", o->name);
	snprintf(q->path, sizeof(q->path), "%s", o->path != NULL ? o->path :
	    o->name);
	if (q->type == SMB2_0_INFO_FILE && q->class == 22) {
		/* FileStreamInformation */
		smbd_stream_query(r, s, o, q->outmax);
		return;
	}
	if (q->type == SMB2_0_INFO_FILE && q->class == 48) {
		/* Its own work (the walk), in place of q's. */
		outmax = q->outmax;
		r->work = NULL;
		r->work_free = NULL;
		free(q);
		smbd_query_normalized(r, o, outmax);
		return;
	}
	/* MS-FSA 2.1.5.12: these classes need FILE_READ_ATTRIBUTES. */
	if (q->type == SMB2_0_INFO_FILE && (q->class == 4 || q->class == 18 ||
	    q->class == 34 || q->class == 35) &&
	    !(o->granted & SMBD_READ_ATTRIBUTES)) {
		smbd_reply_error(r, STATUS_ACCESS_DENIED);
		return;
	}
	smbd_fh_fill(&fr, s, o->fh, o->fhlen);
	switch (q->type) {
	case SMB2_0_INFO_FILE:
		bdc_call(r->conn->env->bdc, BD_GETATTR,
		    (xdrproc_t)xdr_bd_fh_req, &fr,
		    (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
		    smbd_query_attr_done, q);
		return;
	case SMB2_0_INFO_FILESYSTEM:
		bdc_call(r->conn->env->bdc, BD_STATFS,
		    (xdrproc_t)xdr_bd_fh_req, &fr,
		    (xdrproc_t)xdr_bd_statfs_reply, sizeof(bd_statfs_reply),
		    smbd_query_fs_done, q);
		return;
	}
	/* Quotas: not yet (dittofs-smbd(8)). */
	smbd_reply_error(r, STATUS_NOT_SUPPORTED);
}

/*
 * A name against a pattern with * and ? (and the DOS forms < > "),
 * ASCII letters in any case.
 */
static int
smbd_match(const char *pat, const char *name)
{
	char pc, nc;

	for (;;) {
		pc = *pat;
		if (pc == '\0')
			return *name == '\0';
		if (pc == '*' || pc == '<') {
			pat++;
			if (*pat == '\0')
				return 1;
			for (; *name != '\0'; name++)
				if (smbd_match(pat, name))
					return 1;
			return smbd_match(pat, name);
		}
		if (*name == '\0')
			return (pc == '>' || pc == '"') &&
			    smbd_match(pat + 1, name);
		nc = *name;
		if (pc == '"')
			pc = '.';
		if (pc != '?' && pc != '>') {
			if (pc >= 'A' && pc <= 'Z')
				pc = (char)(pc - 'A' + 'a');
			if (nc >= 'A' && nc <= 'Z')
				nc = (char)(nc - 'A' + 'a');
			if (pc != nc)
				return 0;
		}
		pat++;
		name++;
	}
}

/* An entry with EAs: where its EaSize goes, and its handle to list. */
struct smbd_listing_ea {
	struct smbd_listing *l;
	size_t		 off;
	uint32_t	 fhlen;
	uint8_t		 fh[BD_FH_MAX];
};

/* QUERY_DIRECTORY's state: the listing being encoded. */
struct smbd_listing {
	struct smbd_req	*r;
	uint64_t	 file_id;
	uint64_t	 session_id;
	uint8_t		 fh[BD_FH_MAX];		/* the directory's */
	uint32_t	 fhlen;
	struct smbd_dir_cursor dir;		/* the open's, as it goes */
	int		 readable_only;		/* access-based enumeration */
	uint8_t		 class;
	uint8_t		 flags;
	uint32_t	 outmax;
	uint8_t		*buf;
	size_t		 used;
	size_t		 last;		/* the previous entry's offset */
	int		 count;
	/* the entries whose EaSize BD_NAMED_LIST gives, before the answer */
	struct smbd_listing_ea *eas;
	size_t		 neas, eas_cap, eas_waiting;
	int		 eas_asked;
};

static void
smbd_listing_free(void *arg)
{
	struct smbd_listing *l = arg;

	free(l->eas);
	free(l->buf);
	free(l);
}

/* The classes with an EaSize (MS-FSCC 2.4): at 64 in each. */
static int
smbd_dirent_has_ea(uint8_t class)
{
	return class == 2 || class == 3 || class == 37 || class == 38;
}

/* The entry just put has EAs: its EaSize is asked before the answer. */
static int
smbd_listing_ea_add(struct smbd_listing *l, const bd_dirent *e)
{
	struct smbd_listing_ea *n;
	size_t cap;

	if (e->fh.bd_fh_len > BD_FH_MAX)
		return 0;
	if (l->neas == l->eas_cap) {
		cap = l->eas_cap ? 2 * l->eas_cap : 16;
		if ((n = reallocarray(l->eas, cap, sizeof(*n))) == NULL)
			return -1;
		l->eas = n;
		l->eas_cap = cap;
	}
	n = &l->eas[l->neas++];
	n->off = l->last + 64;
	n->fhlen = e->fh.bd_fh_len;
	memcpy(n->fh, e->fh.bd_fh_val, n->fhlen);
	return 0;
}

/* The fixed part of each class (2.2.34, MS-FSCC 2.4). */
static size_t
smbd_dirent_fixed(uint8_t class)
{
	switch (class) {
	case 1:
		return 64;	/* FileDirectoryInformation */
	case 2:
		return 68;	/* FileFullDirectoryInformation */
	case 3:
		return 94;	/* FileBothDirectoryInformation */
	case 12:
		return 12;	/* FileNamesInformation */
	case 37:
		return 104;	/* FileIdBothDirectoryInformation */
	case 38:
		return 80;	/* FileIdFullDirectoryInformation */
	}
	return 0;
}

/*
 * FileBothDirectoryInformation's and FileIdBothDirectoryInformation's
 * ShortName (MS-FSCC 2.4.8, 2.4.17): the 8.3 name (smb2_shortname.h), at
 * p + 68 (its length) and p + 70; none for a name of its own.
 */
static void
smbd_dirent_shortname(uint8_t *p, const char *name, uint64_t ino)
{
	char sn[SMB2_SHORTNAME_MAX + 1];
	size_t n = smb2_shortname(name, ino, sn);
	ssize_t k;

	if (n == 0)
		return;
	k = smbd_utf8_to_utf16(sn, n, p + 70, 2 * SMB2_SHORTNAME_MAX);
	if (k > 0)
		p[68] = (uint8_t)k;
}

/* One entry; 0, or -1 when it does not fit. */
static int
smbd_dirent_put(struct smbd_listing *l, const char *name, const bd_attr *a)
{
	size_t fixed = smbd_dirent_fixed(l->class), at, nlen;
	uint8_t *p;
	ssize_t k;

	at = (l->used + 7) & ~(size_t)7;
	if (at + fixed > l->outmax)
		return -1;
	k = smbd_utf8_to_utf16(name, strlen(name), l->buf + at + fixed,
	    l->outmax - at - fixed);
	if (k < 0)
		return -1;
	nlen = (size_t)k;
	p = l->buf + at;
	memset(p, 0, fixed);
	if (l->count > 0)
		smb2_put32(l->buf + l->last, (uint32_t)(at - l->last));
	if (l->class == 12) {
		smb2_put32(p + 8, (uint32_t)nlen);
	} else {
		smbd_put_times(p + 8, a);
		smb2_put64(p + 40, smbd_eof(a));
		smb2_put64(p + 48, smbd_alloc_size(a));
		smb2_put32(p + 56, smbd_dos_attrs(a));
		smb2_put32(p + 60, (uint32_t)nlen);
		if (l->class == 38)
			smb2_put64(p + 72, a->ino);
		if (l->class == 3 || l->class == 37)
			smbd_dirent_shortname(p, name, a->ino);
		if (l->class == 37)
			smb2_put64(p + 96, a->ino);
	}
	l->last = at;
	l->used = at + fixed + nlen;
	l->count++;
	return 0;
}

static void	smbd_listing_reply(struct smbd_listing *);

static void
smbd_listing_ea_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_listing_ea *ea = arg;
	struct smbd_listing *l = ea->l;

	/* An entry gone since: no EAs to count. */
	smb2_put32(l->buf + ea->off, status == 0 ? smbd_ea_size(reply) : 0);
	if (--l->eas_waiting == 0)
		smbd_listing_reply(l);
}

/*
 * The EaSize of the entries that have EAs (BD_READDIR counted them):
 * one BD_NAMED_LIST each, all sent at once; an entry without EAs costs
 * nothing more.
 */
static void
smbd_listing_eas(struct smbd_listing *l)
{
	struct smbd_conn *c = l->r->conn;
	struct smbd_session *s;
	bd_fh_req fr;
	size_t i;

	if ((s = smbd_session_find(c, l->session_id)) == NULL) {
		smbd_reply_error(l->r, STATUS_FILE_CLOSED);
		return;
	}
	l->eas_asked = 1;
	l->eas_waiting = l->neas;
	for (i = 0; i < l->neas; i++) {
		l->eas[i].l = l;
		smbd_fh_fill(&fr, s, l->eas[i].fh, l->eas[i].fhlen);
		bdc_call(c->env->bdc, BD_NAMED_LIST, (xdrproc_t)xdr_bd_fh_req,
		    &fr, (xdrproc_t)xdr_bd_named_list_reply,
		    sizeof(bd_named_list_reply), smbd_listing_ea_done,
		    &l->eas[i]);
	}
}

static void
smbd_listing_reply(struct smbd_listing *l)
{
	struct smbd_req *r = l->r;
	struct smbd_open *o;
	uint8_t *p;

	if (l->count > 0 && l->neas > 0 && !l->eas_asked) {
		smbd_listing_eas(l);
		return;
	}
	/* Where the listing got to, for the open's next QUERY_DIRECTORY. */
	if (l->count > 0)
		l->dir.listed = 1;
	if ((o = smbd_open_find(r->conn, l->file_id)) != NULL)
		o->dir = l->dir;
	if (l->count == 0) {
		smbd_reply_error(r, l->dir.listed ? STATUS_NO_MORE_FILES :
		    STATUS_NO_SUCH_FILE);
		return;
	}
	if ((p = smbd_reply_room(r, 8 + l->used)) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	smb2_put16(p, 9);
	smb2_put16(p + 2, SMB2_HDR_SIZE + 8);
	smb2_put32(p + 4, (uint32_t)l->used);
	memcpy(p + 8, l->buf, l->used);
	smbd_reply_in(r, STATUS_SUCCESS, 8 + l->used);
}

static void	smbd_listing_more(struct smbd_listing *);

static void
smbd_listing_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_listing *l = arg;
	struct smbd_dir_cursor *d = &l->dir;
	bd_readdir_reply *rep = reply;
	char name[BD_NAME_MAX + 1];
	bd_dirent *e;
	u_int i;
	int single = l->flags & 0x02;

	if (status != 0) {
		smbd_reply_error(l->r, smb2_status_from_errno(status));
		return;
	}
	/* "." and "..", first (the root's ".." is itself). */
	while (d->dots < 2 && !(single && l->count > 0)) {
		const bd_attr *a = d->dots == 1 && rep->parent.type != 0 ?
		    &rep->parent : &rep->dir;

		if (smbd_match(d->pattern, d->dots ? ".." : ".") &&
		    smbd_dirent_put(l, d->dots ? ".." : ".", a) == -1)
			break;
		d->dots++;
	}
	for (i = 0; i < rep->entries.entries_len && d->dots == 2; i++) {
		if (single && l->count > 0)
			break;
		e = &rep->entries.entries_val[i];
		if (e->name.bd_name_len > BD_NAME_MAX)
			continue;
		memcpy(name, e->name.bd_name_val, e->name.bd_name_len);
		name[e->name.bd_name_len] = '\0';
		if (smbd_match(d->pattern, name)) {
			if (smbd_dirent_put(l, name, &e->attr) == -1)
				break;
			if (e->named > 0 && smbd_dirent_has_ea(l->class) &&
			    smbd_listing_ea_add(l, e) == -1) {
				smbd_reply_error(l->r,
				    STATUS_INSUFFICIENT_RESOURCES);
				return;
			}
		}
		d->cookie = e->cookie;
	}
	if (i == rep->entries.entries_len && d->dots == 2 && rep->eof)
		d->eof = 1;
	else if (i == rep->entries.entries_len && d->dots == 2 &&
	    !(single && l->count > 0) && rep->entries.entries_len > 0) {
		/* Room left and more to read: another READDIR. */
		smbd_listing_more(l);
		return;
	}
	smbd_listing_reply(l);
}

static void
smbd_listing_more(struct smbd_listing *l)
{
	struct smbd_conn *c = l->r->conn;
	struct smbd_session *s;
	bd_readdir_req req;

	if ((s = smbd_session_find(c, l->session_id)) == NULL) {
		smbd_reply_error(l->r, STATUS_FILE_CLOSED);
		return;
	}
	if (l->dir.eof) {
		smbd_listing_reply(l);
		return;
	}
	memset(&req, 0, sizeof(req));
	smbd_cred(s, &req.cred);
	req.dir.bd_fh_len = l->fhlen;
	req.dir.bd_fh_val = (char *)l->fh;
	req.cookie = l->dir.cookie;
	req.maxents = 256;
	req.plus = 1;
	req.named = smbd_dirent_has_ea(l->class);
	/* MS-SMB2 3.3.5.18: an access-based share lists what one may read. */
	bdc_call(c->env->bdc, l->readable_only ? BD_READDIR_READABLE :
	    BD_READDIR, (xdrproc_t)xdr_bd_readdir_req, &req,
	    (xdrproc_t)xdr_bd_readdir_reply, sizeof(bd_readdir_reply),
	    smbd_listing_done, l);
}

/* MS-SMB2 2.2.33, 3.3.5.18 */
void
smbd_query_directory(struct smbd_req *r)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct smbd_session *s;
	struct smbd_open *o;
	struct smbd_listing *l;
	uint16_t poff, plen;
	char pat[BD_NAME_MAX + 1];
	ssize_t n;

	if ((o = smbd_file_args(r, 33, 8, &s)) == NULL)
		return;
	poff = smb2_get16(b + 24);
	plen = smb2_get16(b + 26);
	if (smb2_buffer_check(r->len, SMB2_HDR_SIZE + 32, poff, plen) == -1 ||
	    smbd_dirent_fixed(b[2]) == 0) {
		if (smbd_dirent_fixed(b[2]) == 0)
			smbd_reply_error(r, STATUS_INVALID_INFO_CLASS);
		else
			smbd_bad(r, "QUERY_DIRECTORY pattern");
		return;
	}
	if (!o->is_dir) {
		smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return;
	}
	n = plen ? smbd_utf16_to_utf8(r->msg + poff, plen, pat,
	    sizeof(pat) - 1) : 0;
	if (n < 0) {
		smbd_bad(r, "QUERY_DIRECTORY pattern");
		return;
	}
	pat[n] = '\0';
	/* RESTART_SCANS, REOPEN, or a new pattern: from the start. */
	if ((b[3] & (0x01 | 0x10)) || (n > 0 && strcmp(pat, o->dir.pattern))) {
		o->dir.cookie = 0;
		o->dir.dots = 0;
		o->dir.eof = 0;
		o->dir.listed = 0;
	}
	if (n > 0)
		snprintf(o->dir.pattern, sizeof(o->dir.pattern), "%s", pat);
	else if (o->dir.pattern[0] == '\0')
		snprintf(o->dir.pattern, sizeof(o->dir.pattern), "*");
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	r->work = l;
	r->work_free = smbd_listing_free;
	l->r = r;
	l->file_id = o->id;
	l->session_id = o->session_id;
	memcpy(l->fh, o->fh, o->fhlen);
	l->fhlen = o->fhlen;
	l->dir = o->dir;
	l->readable_only = o->share < r->conn->env->nshares &&
	    r->conn->env->shares[o->share].access_based;
	l->class = b[2];
	l->flags = b[3];
	l->outmax = smb2_get32(b + 28);
	if (l->outmax > r->conn->env->max_transact)
		l->outmax = r->conn->env->max_transact;
	if ((l->buf = malloc(l->outmax ? l->outmax : 1)) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	if (l->dir.eof && l->dir.dots == 2) {
		smbd_listing_reply(l);
		return;
	}
	smbd_listing_more(l);
}

/* SET_INFO (2.2.39): basic, end of file, disposition, rename. */
static void
smbd_set_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_req *r = arg;
	uint8_t b[2] = { 2, 0 };

	smbd_lease_dir_changed(r->conn->env, r->dirlease_change);
	r->dirlease_change = 0;

	if (status != 0) {
		smbd_reply_error(r, smb2_status_from_errno(status));
		return;
	}
	smbd_reply(r, STATUS_SUCCESS, b, sizeof(b));
}

/*
 * The file's new name for every open of it here, the renaming one's and
 * others', and in stated's record of each durable one: a delete on
 * close, at CLOSE or by stated's release of a handle nobody reclaimed
 * (durable.c), removes the file by that name.
 */
static void
smbd_rename_follow(struct smbd_walk *w, struct smbd_open *renamed)
{
	struct smbd_conn *c;
	struct smbd_open *o;

	TAILQ_FOREACH(c, &w->r->conn->env->conns, entry) {
		if (c->closing)
			continue;
		TAILQ_FOREACH(o, &c->opens, entry) {
			if (o != renamed && (o->file == NULL ||
			    o->file != renamed->file ||
			    o->share != renamed->share))
				continue;
			memcpy(o->dir_fh, w->dir, w->dirlen);
			o->dir_fhlen = w->dirlen;
			snprintf(o->name, sizeof(o->name), "%s",
			    smbd_walk_last(w));
			free(o->path);
			o->path = smbd_walk_path(w);
			if (o->durable)
				smbd_durable_update(c, o);
		}
	}
}

static void
smbd_rename_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;
	struct smbd_open *o = smbd_open_find(w->r->conn, w->file_id);
	uint8_t b[2] = { 2, 0 };

	smbd_lease_dir_changed(w->r->conn->env, w->dirlease_change);
	smbd_lease_dir_changed(w->r->conn->env, w->dirlease_change_to);
	w->dirlease_change = w->dirlease_change_to = 0;

	if (status != 0) {
		smbd_reply_error(w->r, smb2_status_from_errno(status));
		return;
	}
	if (o != NULL)
		smbd_rename_follow(w, o);
	smbd_reply(w->r, STATUS_SUCCESS, b, sizeof(b));
}

static void	smbd_rename_go(struct smbd_walk *);

static void
smbd_rename_broken(void *arg, int again)
{
	(void)again;
	smbd_rename_go(arg);
}

static void
smbd_rename_go(struct smbd_walk *w)
{
	struct smbd_conn *c = w->r->conn;
	struct smbd_open *o = smbd_open_find(c, w->file_id);
	struct smbd_session *s = smbd_session_find(c, w->session_id);
	bd_rename_req req;

	if (o == NULL || s == NULL) {
		smbd_reply_error(w->r, STATUS_FILE_CLOSED);
		return;
	}
	/* MS-FSA 2.1.5.14.11: the other leases' H is broken first. */
	if (!w->lease_broken && smbd_file_grants(o) >
	    (unsigned int)o->grant_held) {
		w->lease_broken = 1;
		smbd_lease_sharing(c, o, smbd_file_id(o), o->lease != NULL ?
		    &o->lease->l : NULL, smbd_rename_broken, NULL, w);
		return;
	}
	memset(&req, 0, sizeof(req));
	smbd_cred(s, &req.cred);
	req.fromdir.bd_fh_len = o->dir_fhlen;
	req.fromdir.bd_fh_val = (char *)o->dir_fh;
	req.from.bd_name_len = (u_int)strlen(o->name);
	req.from.bd_name_val = o->name;
	req.todir.bd_fh_len = w->dirlen;
	req.todir.bd_fh_val = (char *)w->dir;
	req.to.bd_name_len = (u_int)strlen(smbd_walk_last(w));
	req.to.bd_name_val = (char *)smbd_walk_last(w);
	w->dirlease_change = smbd_lease_dir_changing(c->env, o->dir_fh,
	    o->dir_fhlen, o->session_id, o->lease != NULL ? &o->lease->l :
	    NULL);
	if (w->dirlen != o->dir_fhlen || memcmp(w->dir, o->dir_fh,
	    w->dirlen) != 0)
		w->dirlease_change_to = smbd_lease_dir_changing(c->env,
		    w->dir, w->dirlen, o->session_id, o->lease != NULL ?
		    &o->lease->l : NULL);
	bdc_call(c->env->bdc, BD_RENAME, (xdrproc_t)xdr_bd_rename_req, &req,
	    (xdrproc_t)xdr_bd_rename_reply, sizeof(bd_rename_reply),
	    smbd_rename_done, w);
}

static void
smbd_rename_target(void *arg, int status, void *reply, int fd)
{
	struct smbd_walk *w = arg;

	if (status == 0) {
		smbd_reply_error(w->r, STATUS_OBJECT_NAME_COLLISION);
		return;
	}
	if (status != -ENOENT) {
		smbd_reply_error(w->r, smb2_status_from_errno(status));
		return;
	}
	smbd_rename_go(w);
}

/*
 * The rename's open of the target's directory (MS-FSA 2.1.5.14.11 takes
 * it as given: the I/O manager opens the parent of the target name before
 * the file system renames, "Set File Information Processing" of the IFS
 * documentation), asking FILE_ADD_FILE or, for a directory,
 * FILE_ADD_SUBDIRECTORY (write or append data) and sharing read and write,
 * meets MS-FSA 2.1.5.1.2.2's sharing check: another open of that directory
 * with data access (READ, WRITE, APPEND, EXECUTE or DELETE; a stat open
 * takes no part) that has DELETE, which the rename's open does not share,
 * or that does not share write, makes it STATUS_SHARING_VIOLATION.  Any
 * connection's or session's open counts, o's own too.
 */
static int
smbd_rename_dir_shared(struct smbd_env *env, const struct smbd_open *o,
    const uint8_t *dir, uint32_t dirlen)
{
	struct smbd_conn *c;
	struct smbd_open *so;

	TAILQ_FOREACH(c, &env->conns, entry)
		TAILQ_FOREACH(so, &c->opens, entry) {
			if (so == o || so->share != o->share || !so->is_dir ||
			    so->stream[0] != '\0' || so->fhlen != dirlen ||
			    memcmp(so->fh, dir, dirlen) != 0)
				continue;
			/* READ, WRITE, APPEND, EXECUTE, DELETE */
			if ((so->granted & 0x00010027u) &&
			    ((so->granted & SMBD_DELETE_ACCESS) ||
			    !(so->share_access & 0x2)))	/* SHARE_WRITE */
				return 1;
		}
	return 0;
}

/*
 * MS-FSA 2.1.5.14.11: a directory with an open below it (2.1.4.2) is not
 * renamed, STATUS_ACCESS_DENIED; paths compared without ASCII case.
 */
static int
smbd_rename_open_below(struct smbd_env *env, const struct smbd_open *o)
{
	struct smbd_conn *c;
	struct smbd_open *so;
	size_t plen = o->path != NULL ? strlen(o->path) : 0;

	if (!o->is_dir || plen == 0)
		return 0;
	TAILQ_FOREACH(c, &env->conns, entry)
		TAILQ_FOREACH(so, &c->opens, entry)
			if (so != o && so->share == o->share &&
			    so->path != NULL &&
			    strncasecmp(so->path, o->path, plen) == 0 &&
			    so->path[plen] == '\\')
				return 1;
	return 0;
}

static void
smbd_rename_walked(struct smbd_walk *w, uint32_t status)
{
	struct smbd_conn *c = w->r->conn;
	struct smbd_session *s;
	struct smbd_open *o;
	bd_dirop_req req;

	if (status != 0) {
		smbd_reply_error(w->r, status);
		return;
	}
	if ((s = smbd_walk_session(w)) == NULL)
		return;
	if ((o = smbd_open_find(c, w->file_id)) == NULL) {
		smbd_reply_error(w->r, STATUS_FILE_CLOSED);
		return;
	}
	/* The target directory's open first, then the file system's rules. */
	if (smbd_rename_dir_shared(c->env, o, w->dir, w->dirlen)) {
		smbd_reply_error(w->r, STATUS_SHARING_VIOLATION);
		return;
	}
	if (smbd_rename_open_below(c->env, o)) {
		smbd_reply_error(w->r, STATUS_ACCESS_DENIED);
		return;
	}
	/*
	 * A target deleted while open elsewhere is still in use (MS-FSA
	 * 2.1.5.14.11: an open target is not replaced), and its waiting
	 * removal (stream.c) is by that name.
	 */
	if (smbd_stream_doomed(c->env, w->share, w->dir, w->dirlen,
	    smbd_walk_last(w))) {
		smbd_reply_error(w->r, STATUS_ACCESS_DENIED);
		return;
	}
	if (w->replace) {
		smbd_rename_go(w);
		return;
	}
	/* Without ReplaceIfExists an existing target is a collision. */
	smbd_dirop_fill(&req, s, w->dir, w->dirlen, smbd_walk_last(w));
	smbd_lookup(c, &req, smbd_rename_target, w);
}

/*
 * MS-FSA 2.1.5.14.2: a time of FileBasicInformation; 0 leaves it, and
 * so do -1 and -2 (which stop and resume the handle's own updates of
 * it: not kept here, dittofs-smbd(8)); below -2 is invalid (-1).
 */
static int
smbd_set_time(bd_sattr *sa, uint64_t ft, unsigned int bit, bd_time *t)
{
	if ((int64_t)ft < -2)
		return -1;
	if (ft == 0 || ft == UINT64_MAX || ft == UINT64_MAX - 1)
		return 0;
	sa->mask |= bit;
	smbd_time_from_filetime(ft, t);
	return 0;
}

/*
 * MS-FSA 2.1.5.14.2: a time this handle set is not moved by its later
 * changes (set again with them).
 */
static void
smbd_user_times(const struct smbd_open *o, bd_sattr *sa)
{
	if ((o->user_times & 0x200) && !(sa->mask & 0x200)) {
		sa->mask |= 0x200;			/* CTIME */
		sa->ctime = o->user_ctime;
	}
	if ((o->user_times & 0x40) && !(sa->mask & 0x40)) {
		sa->mask |= 0x40;			/* MTIME */
		sa->mtime = o->user_mtime;
	}
}

/* MS-FSA 2.1.5.14.3: an allocation below the end of file truncates. */
struct smbd_alloc {
	struct smbd_req	*r;
	uint64_t	 file_id;
	uint64_t	 size;
};

static void
smbd_alloc_attr(void *arg, int status, void *reply, int fd)
{
	struct smbd_alloc *al = arg;
	struct smbd_req *r = al->r;
	bd_attr_reply *rep = reply;
	struct smbd_session *s;
	struct smbd_open *o;
	bd_setattr_req req;
	uint8_t ok[2] = { 2, 0 };

	if (status != 0) {
		smbd_reply_error(r, smb2_status_from_errno(status));
		return;
	}
	if ((o = smbd_open_find(r->conn, al->file_id)) == NULL ||
	    (s = smbd_session_find(r->conn, o->session_id)) == NULL) {
		smbd_reply_error(r, STATUS_FILE_CLOSED);
		return;
	}
	/* Nothing is reserved here: a larger allocation changes nothing. */
	if (rep->attr.size <= al->size) {
		smbd_reply(r, STATUS_SUCCESS, ok, sizeof(ok));
		return;
	}
	memset(&req, 0, sizeof(req));
	smbd_cred(s, &req.cred);
	req.fh.bd_fh_len = o->fhlen;
	req.fh.bd_fh_val = (char *)o->fh;
	req.sattr.mask = 0x08;				/* SIZE */
	req.sattr.size = al->size;
	smbd_user_times(o, &req.sattr);
	r->dirlease_change = smbd_lease_dir_changing(r->conn->env, o->dir_fh,
	    o->dir_fhlen, o->session_id, o->lease != NULL ? &o->lease->l :
	    NULL);
	bdc_call(r->conn->env->bdc, BD_SETATTR, (xdrproc_t)xdr_bd_setattr_req,
	    &req, (xdrproc_t)xdr_bd_wcc_reply, sizeof(bd_wcc_reply),
	    smbd_set_done, r);
}

/* The open's attributes asked of blockd, then done(al) with them. */
static void
smbd_set_getattr(struct smbd_req *r, struct smbd_session *s,
    struct smbd_open *o, uint64_t size, bdc_done_fn *done)
{
	struct smbd_alloc *al;
	bd_fh_req fr;

	if ((al = calloc(1, sizeof(*al))) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	al->r = r;
	al->file_id = o->id;
	al->size = size;
	r->work = al;
	r->work_free = free;
	smbd_fh_fill(&fr, s, o->fh, o->fhlen);
	bdc_call(r->conn->env->bdc, BD_GETATTR, (xdrproc_t)xdr_bd_fh_req, &fr,
	    (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply), done, al);
}

static void
smbd_set_allocation(struct smbd_req *r, struct smbd_session *s,
    struct smbd_open *o, uint64_t size)
{
	smbd_set_getattr(r, s, o, size, smbd_alloc_attr);
}

/* FileDispositionInformation's DeletePending, and stated's record. */
static void
smbd_delete_pending_set(struct smbd_conn *c, struct smbd_open *o,
    int pending)
{
	o->delete_pending = pending;
	o->delete_disposed = pending;
	/* stated's record says so too (durable.c). */
	if (o->durable)
		smbd_durable_update(c, o);
}

static void
smbd_disposition_attr(void *arg, int status, void *reply, int fd)
{
	struct smbd_alloc *al = arg;
	struct smbd_req *r = al->r;
	bd_attr_reply *rep = reply;
	struct smbd_open *o;
	uint8_t ok[2] = { 2, 0 };

	if (status != 0) {
		smbd_reply_error(r, smb2_status_from_errno(status));
		return;
	}
	if ((o = smbd_open_find(r->conn, al->file_id)) == NULL) {
		smbd_reply_error(r, STATUS_FILE_CLOSED);
		return;
	}
	if (rep->attr.dos & FILE_ATTRIBUTE_READONLY) {
		log_debug("%s: SET_INFO: delete-on-close of a read-only file",
		    r->conn->peer);
		smbd_reply_error(r, STATUS_CANNOT_DELETE);
		return;
	}
	smbd_delete_pending_set(r->conn, o, 1);
	smbd_reply(r, STATUS_SUCCESS, ok, sizeof(ok));
}

/*
 * MS-FSA 2.1.5.14.3: FileDispositionInformation's DeletePending on a
 * file or directory with FILE_ATTRIBUTE_READONLY is
 * STATUS_CANNOT_DELETE; its attributes are asked of blockd first.
 */
static void
smbd_set_disposition(struct smbd_req *r, struct smbd_session *s,
    struct smbd_open *o)
{
	smbd_set_getattr(r, s, o, 0, smbd_disposition_attr);
}

void
smbd_set_info(struct smbd_req *r)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct smbd_session *s;
	struct smbd_open *o;
	struct smbd_walk *w;
	bd_setattr_req req;
	const uint8_t *d;
	uint32_t blen, nlen, st;
	uint16_t boff;
	uint8_t ok[2] = { 2, 0 };

	if ((o = smbd_file_args(r, 33, 16, &s)) == NULL)
		return;
	blen = smb2_get32(b + 4);
	boff = smb2_get16(b + 8);
	if (smb2_buffer_check(r->len, SMB2_HDR_SIZE + 32, boff, blen) == -1 ||
	    blen > r->conn->env->max_transact) {
		smbd_bad(r, "SET_INFO buffer");
		return;
	}
	d = r->msg + boff;
	if (b[2] == SMB2_0_INFO_SECURITY) {
		smbd_set_security(r, s, o, smb2_get32(b + 12), d, blen);
		return;
	}
	if (b[2] != SMB2_0_INFO_FILE) {
		smbd_reply_error(r, STATUS_NOT_SUPPORTED);
		return;
	}
	memset(&req, 0, sizeof(req));
	smbd_cred(s, &req.cred);
	req.fh.bd_fh_len = o->fhlen;
	req.fh.bd_fh_val = (char *)o->fh;
	switch (b[3]) {
	case 4:		/* FileBasicInformation */
		if (blen < 36) {
			smbd_reply_error(r, STATUS_INFO_LENGTH_MISMATCH);
			return;
		}
		/* BTIME, ATIME, MTIME, CTIME */
		if (smbd_set_time(&req.sattr, smb2_get64(d), 0x400,
		    &req.sattr.btime) == -1 ||
		    smbd_set_time(&req.sattr, smb2_get64(d + 8), 0x10,
		    &req.sattr.atime) == -1 ||
		    smbd_set_time(&req.sattr, smb2_get64(d + 16), 0x40,
		    &req.sattr.mtime) == -1 ||
		    smbd_set_time(&req.sattr, smb2_get64(d + 24), 0x200,
		    &req.sattr.ctime) == -1) {
			smbd_reply_error(r, STATUS_INVALID_PARAMETER);
			return;
		}
		if (req.sattr.mask & 0x200) {
			o->user_times |= 0x200;
			o->user_ctime = req.sattr.ctime;
		}
		if (req.sattr.mask & 0x40) {
			o->user_times |= 0x40;
			o->user_mtime = req.sattr.mtime;
		}
		/*
		 * MS-FSA 2.1.5.14.2: DIRECTORY on a file, TEMPORARY on a
		 * directory are refused.
		 */
		if ((!o->is_dir && (smb2_get32(d + 32) &
		    FILE_ATTRIBUTE_DIRECTORY)) || (o->is_dir &&
		    (smb2_get32(d + 32) & FILE_ATTRIBUTE_TEMPORARY))) {
			smbd_reply_error(r, STATUS_INVALID_PARAMETER);
			return;
		}
		if (smb2_get32(d + 32) != 0) {
			req.sattr.mask |= 0x100;	/* DOS */
			req.sattr.dos = smb2_get32(d + 32) & SMBD_DOS_SETTABLE;
		}
		if (req.sattr.mask == 0) {
			smbd_reply(r, STATUS_SUCCESS, ok, sizeof(ok));
			return;
		}
		break;
	case 20:	/* FileEndOfFileInformation */
		if (blen < 8) {
			smbd_reply_error(r, STATUS_INFO_LENGTH_MISMATCH);
			return;
		}
		if (o->is_dir) {
			smbd_reply_error(r, STATUS_INVALID_PARAMETER);
			return;
		}
		if (o->stream[0] != '\0') {
			smbd_stream_set_eof(r, o, smb2_get64(d));
			return;
		}
		req.sattr.mask = 0x08;			/* SIZE */
		req.sattr.size = smb2_get64(d);
		/* MS-FSA 2.1.5.15.4: read caching broken as by a WRITE. */
		smbd_lease_written(r->conn->env, o);
		break;
	case 15:	/* FileFullEaInformation (create_ctx.c) */
		smbd_ea_set(r, s, o, d, blen);
		return;
	case 19:	/* FileAllocationInformation */
		if (blen < 8) {
			smbd_reply_error(r, STATUS_INFO_LENGTH_MISMATCH);
			return;
		}
		if (o->is_dir || o->stream[0] != '\0') {
			smbd_reply(r, STATUS_SUCCESS, ok, sizeof(ok));
			return;
		}
		/* MS-FSA 2.1.5.15.1: read caching broken as by a WRITE. */
		smbd_lease_written(r->conn->env, o);
		/*
		 * Nothing is reserved: the size set is answered to this
		 * handle, in 4 KiB units (dittofs-smbd(8)).
		 */
		o->alloc = smb2_get64(d) > UINT64_MAX - 4095 ? UINT64_MAX :
		    (smb2_get64(d) + 4095) & ~(uint64_t)4095;
		if (o->durable)
			smbd_durable_update(r->conn, o);
		smbd_set_allocation(r, s, o, smb2_get64(d));
		return;
	case 14:	/* FilePositionInformation */
		if (blen < 8) {
			smbd_reply_error(r, STATUS_INFO_LENGTH_MISMATCH);
			return;
		}
		o->position = smb2_get64(d);
		/* A durable open's position outlives its connection. */
		if (o->durable)
			smbd_durable_update(r->conn, o);
		smbd_reply(r, STATUS_SUCCESS, ok, sizeof(ok));
		return;
	case 16:	/* FileModeInformation (MS-FSA 2.1.5.14.9) */
		if (blen < 4) {
			smbd_reply_error(r, STATUS_INFO_LENGTH_MISMATCH);
			return;
		}
		nlen = smb2_get32(d);
		if ((nlen & ~(SMBD_MODE_SETTABLE | SMBD_MODE_SYNC | 0x08u)) ||
		    (nlen & SMBD_MODE_SYNC) != (o->mode & SMBD_MODE_SYNC) ||
		    ((nlen & 0x08u) && !(o->mode & 0x08u))) {
			smbd_reply_error(r, STATUS_INVALID_PARAMETER);
			return;
		}
		o->mode = (o->mode & ~SMBD_MODE_SETTABLE) |
		    (nlen & SMBD_MODE_SETTABLE);
		if (nlen & FILE_WRITE_THROUGH)
			o->options |= FILE_WRITE_THROUGH;
		else
			o->options &= ~FILE_WRITE_THROUGH;
		smbd_reply(r, STATUS_SUCCESS, ok, sizeof(ok));
		return;
	case 13:	/* FileDispositionInformation */
		if (blen < 1) {
			smbd_reply_error(r, STATUS_INFO_LENGTH_MISMATCH);
			return;
		}
		if (o->name[0] == '\0') {
			smbd_reply_error(r, STATUS_CANNOT_DELETE);
			return;
		}
		if (d[0] != 0) {
			smbd_set_disposition(r, s, o);
			return;
		}
		smbd_delete_pending_set(r->conn, o, 0);
		smbd_reply(r, STATUS_SUCCESS, ok, sizeof(ok));
		return;
	case 10:	/* FileRenameInformation (the SMB2 form) */
		if (blen < 20 || (nlen = smb2_get32(d + 16)) > blen - 20 ||
		    nlen == 0 || o->name[0] == '\0') {
			smbd_reply_error(r, o->name[0] == '\0' ?
			    STATUS_ACCESS_DENIED : STATUS_INVALID_PARAMETER);
			return;
		}
		/* MS-FSA 2.1.5.14.11: a rename needs the open's DELETE. */
		if (!(o->granted & SMBD_DELETE_ACCESS)) {
			smbd_reply_error(r, STATUS_ACCESS_DENIED);
			return;
		}
		if (o->stream[0] != '\0' ||
		    (nlen >= 2 && d[20] == ':' && d[21] == 0)) {
			if (!r->conn->env->shares[o->share].streams) {
				smbd_reply_error(r, STATUS_OBJECT_NAME_INVALID);
				return;
			}
			smbd_stream_rename(r, s, o, d[0] != 0, d + 20, nlen);
			return;
		}
		if (smbd_stream_open_on(r->conn->env, o)) {
			/* MS-FSA 2.1.5.15.11: a file with a stream open. */
			smbd_reply_error(r, STATUS_ACCESS_DENIED);
			return;
		}
		/*
		 * Deleted, waiting for this open's close (stream.c): its
		 * removal is by this name, which must stay its.
		 */
		if (smbd_stream_doomed(r->conn->env, o->share, o->dir_fh,
		    o->dir_fhlen, o->name)) {
			smbd_reply_error(r, STATUS_DELETE_PENDING);
			return;
		}
		if ((w = smbd_walk_new(r, s, o->share)) == NULL) {
			smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
			return;
		}
		w->file_id = o->id;
		w->replace = d[0] != 0;
		if ((st = smbd_walk_parse(w, d + 20, nlen)) != 0 ||
		    w->ncomp == 0) {
			smbd_reply_error(r, st ? st :
			    STATUS_OBJECT_NAME_INVALID);
			return;
		}
		if (w->stream_kind == SMB2_STREAM_NAMED) {
			/* "path:stream": a file's data made a stream. */
			smbd_reply_error(r, STATUS_NOT_SUPPORTED);
			return;
		}
		w->done = smbd_rename_walked;
		smbd_walk_step(w);
		return;
	default:
		smbd_reply_error(r, STATUS_NOT_SUPPORTED);
		return;
	}
	smbd_user_times(o, &req.sattr);
	r->dirlease_change = smbd_lease_dir_changing(r->conn->env, o->dir_fh,
	    o->dir_fhlen, o->session_id, o->lease != NULL ? &o->lease->l :
	    NULL);
	bdc_call(r->conn->env->bdc, BD_SETATTR, (xdrproc_t)xdr_bd_setattr_req,
	    &req, (xdrproc_t)xdr_bd_wcc_reply, sizeof(bd_wcc_reply),
	    smbd_set_done, r);
}
