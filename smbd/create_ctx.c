/*
 * CREATE's contexts beyond the durable, lease and security ones (MS-SMB2
 * 2.2.13.2, 2.2.14.2, 3.3.5.9), and extended attributes:
 *
 *   the list       checked as a whole first (smb2_ctx_chain_check): a
 *                  malformed one is STATUS_INVALID_PARAMETER, logged
 *                  (rate-limited); a context named twice too; unknown
 *                  names are ignored
 *   MxAc           3.3.5.9.5: the maximal access of the session's user,
 *                  the ACE bits blockd answers BD_ACCESS_MASK with
 *                  (file.c asks it once for the CREATE's access check,
 *                  MxAc and MAXIMUM_ALLOWED together)
 *   QFid           3.3.5.9.9: DiskFileId is the inode number
 *                  (FileInternalInformation's), VolumeId the share's id
 *   AlSi           3.3.5.9.4: checked and accepted; blockd reserves no
 *                  space, so the file reports the allocation it has
 *   ExtA           3.3.5.9.2: the FILE_FULL_EA_INFORMATION chain, checked
 *                  before anything is made, set as the store's user
 *                  xattrs (BD_XATTR_SET) on a file the CREATE made,
 *                  overwrote or superseded
 *   AppInstanceId  3.3.5.9.13: with DH2Q on 3.x, another client's open
 *                  of the same path on the share with the same id is
 *                  closed before this one goes on, a durable one kept
 *                  after its connection went too (durable.c keeps their
 *                  ids while this smbd runs); with an AppInstanceVersion
 *                  (3.1.1) not above such an open's own, the CREATE is
 *                  STATUS_FILE_FORCED_CLOSED instead
 *
 * EAs also through QUERY_INFO FileEaInformation and
 * FileFullEaInformation (MS-FSA 2.1.5.11.7, .11.8 in short: an EA list,
 * an index, restart, single entry) and SET_INFO FileFullEaInformation
 * (a value of length 0 removes).  EA names are ASCII, kept in upper case
 * as NTFS keeps them and matched in any case.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "perm.h"
#include "share_rules.h"
#include "smb2_ea.h"
#include "smbd.h"
#include "status.h"

/* MS-SMB2 2.2.13.2: GUID-named contexts, as the bytes on the wire. */
static const uint8_t smbd_app_instance_tag[16] = {
	0x45, 0xbc, 0xa6, 0x6a, 0xef, 0xa7, 0xf7, 0x4a,
	0x90, 0x08, 0xfa, 0x46, 0x2e, 0x14, 0x4d, 0x74
};
static const uint8_t smbd_app_version_tag[16] = {
	0xb9, 0x82, 0xd0, 0xb7, 0x3b, 0x56, 0x07, 0x4f,
	0xa0, 0x7b, 0x52, 0x4a, 0x81, 0x16, 0xa0, 0x10
};
#define SMBD_APP_VERSION_SIZE	24	/* 2.2.13.2.15 */

/* FILE_* access rights (MS-SMB2 2.2.13.1.1, 2.2.13.1.2). */
#define SMBD_A_READ_DATA	0x00000001u	/* LIST_DIRECTORY */
#define SMBD_A_WRITE_DATA	0x00000002u	/* ADD_FILE */
#define SMBD_A_APPEND_DATA	0x00000004u	/* ADD_SUBDIRECTORY */
#define SMBD_A_READ_EA		0x00000008u
#define SMBD_A_WRITE_EA		0x00000010u
#define SMBD_A_EXECUTE		0x00000020u	/* TRAVERSE */
#define SMBD_A_DELETE_CHILD	0x00000040u
#define SMBD_A_READ_ATTRIBUTES	0x00000080u
#define SMBD_A_WRITE_ATTRIBUTES	0x00000100u
#define SMBD_A_DELETE		0x00010000u
#define SMBD_A_READ_CONTROL	0x00020000u
#define SMBD_A_WRITE_DAC	0x00040000u
#define SMBD_A_WRITE_OWNER	0x00080000u
#define SMBD_A_SYNCHRONIZE	0x00100000u
#define SMBD_A_ALL		0x001f01ffu	/* FILE_ALL_ACCESS */
#define SMBD_A_MAXIMUM_ALLOWED	0x02000000u

/* QUERY_INFO's Flags for FileFullEaInformation (MS-SMB2 2.2.37). */
#define SL_RESTART_SCAN		0x01u
#define SL_RETURN_SINGLE_ENTRY	0x02u
#define SL_INDEX_SPECIFIED	0x04u

/* Disconnected durable opens whose AppInstanceId is remembered. */
#define SMBD_APP_RECORDS_MAX	4096

struct smbd_cctx {
	struct smbd_req	*r;
	uint64_t	 file_id;
	int		 mxac, qfid, alsi, app, app_ver;
	int		 maximum;	/* MAXIMUM_ALLOWED: o->granted too */
	uint64_t	 alloc;
	uint8_t		 app_id[16];
	uint64_t	 app_version[2];	/* high, low */
	const uint8_t	*eas;		/* in the request's frame */
	size_t		 eas_len, ea_off;
	uint32_t	 held, held_status;	/* BD_ACCESS_MASK's */
	bd_attr		 attr;
	uint32_t	 action;
	uint32_t	 share_id;
	struct smbd_secd *secd;
	size_t		 outlen;
	uint8_t		 out[SMBD_CREATE_RSP_MAX];
};

/* A store error of an xattr call as the status MS-FSA names. */
static uint32_t
smbd_ea_errno(int status)
{
	if (status == -E2BIG || status == -ERANGE)
		return STATUS_EA_TOO_LARGE;
	return smb2_status_from_errno(status);
}

/* An xattr request on the open's file, as the session, for name. */
static void
smbd_ea_req(bd_xattr_req *req, struct smbd_session *s,
    const struct smbd_open *o, char *name, size_t namelen)
{
	memset(req, 0, sizeof(*req));
	smbd_cred(s, &req->cred);
	req->fh.bd_fh_len = o->fhlen;
	req->fh.bd_fh_val = (char *)(uintptr_t)o->fh;
	req->name.name_len = (u_int)namelen;
	req->name.name_val = name;
}

static uint32_t
smbd_cctx_bad(struct smbd_req *r, const char *what, uint32_t st)
{
	r->conn->env->malformed++;
	log_warnx_rl("%s: CREATE: %s", r->conn->peer, what);
	return st;
}

/* MS-SMB2 3.3.5.9: the contexts of a CREATE, checked; *out NULL: none. */
uint32_t
smbd_cctx_parse(struct smbd_req *r, const uint8_t *chain, uint32_t len,
    uint32_t desired, struct smbd_cctx **out)
{
	struct smbd_cctx *x;
	const uint8_t *d;
	size_t dl, off = 0, total = 0;
	struct smb2_ea ea;
	uint32_t st;
	int mx, qf, al, ex, ap, av;
	const uint8_t *mxd, *ald, *exd, *apd, *avd;
	size_t mxl, all, exl, apl, avl;

	*out = NULL;
	if (smb2_ctx_chain_check(chain, len) == -1)
		return smbd_cctx_bad(r, "malformed context list",
		    STATUS_INVALID_PARAMETER);
	mx = smb2_ctx_get(chain, len, (const uint8_t *)"MxAc", 4, &mxd, &mxl);
	qf = smb2_ctx_get(chain, len, (const uint8_t *)"QFid", 4, &d, &dl);
	al = smb2_ctx_get(chain, len, (const uint8_t *)"AlSi", 4, &ald, &all);
	ex = smb2_ctx_get(chain, len, (const uint8_t *)"ExtA", 4, &exd, &exl);
	ap = smb2_ctx_get(chain, len, smbd_app_instance_tag, 16, &apd, &apl);
	av = smb2_ctx_get(chain, len, smbd_app_version_tag, 16, &avd, &avl);
	if (mx == 2 || qf == 2 || al == 2 || ex == 2 || ap == 2 || av == 2)
		return smbd_cctx_bad(r, "a context named twice",
		    STATUS_INVALID_PARAMETER);
	/* 3.3.5.9: no previous versions (TWrp) are kept here. */
	if (smb2_ctx_get(chain, len, (const uint8_t *)"TWrp", 4, &d, &dl) != 0)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if ((mx && mxl != 0 && mxl != 8) || (al && all != 8) ||
	    (ap && (apl != 20 || smb2_get16(apd) != 20)) ||
	    (av && (avl != SMBD_APP_VERSION_SIZE ||
	    smb2_get16(avd) != SMBD_APP_VERSION_SIZE)))
		return smbd_cctx_bad(r, "a context of the wrong size",
		    STATUS_INVALID_PARAMETER);
	if (ex) {
		while ((ex = smb2_ea_next(exd, exl, &off, &ea, &st)) == 1)
			if (ea.valuelen != 0)
				total += smb2_ea_packed_size(ea.namelen,
				    ea.valuelen);
		if (ex == -1)
			return smbd_cctx_bad(r, st == STATUS_INVALID_EA_NAME ?
			    "a bad EA name" : "a malformed EA chain", st);
		/* MS-FSA 2.1.5.15.5: a new file's EAs, all together. */
		if (total > SMB2_EA_TOTAL_MAX)
			return STATUS_EA_TOO_LARGE;
		ex = exl != 0;
	}
	/* 3.3.5.9.13: the id counts on 3.x alone, its version on 3.1.1. */
	if (r->conn->neg.dialect < SMB2_DIALECT_300)
		ap = 0;
	if (!ap || r->conn->neg.dialect < SMB2_DIALECT_311)
		av = 0;
	if (!mx && !qf && !al && !ex && !ap &&
	    !(desired & SMBD_A_MAXIMUM_ALLOWED))
		return STATUS_SUCCESS;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	x->mxac = mx;
	x->maximum = (desired & SMBD_A_MAXIMUM_ALLOWED) != 0;
	x->qfid = qf;
	x->alsi = al;
	if (al)
		x->alloc = smb2_get64(ald);
	if (ex) {
		x->eas = exd;
		x->eas_len = exl;
	}
	x->app = ap;
	if (ap)
		memcpy(x->app_id, apd + 4, sizeof(x->app_id));
	x->app_ver = av;
	if (av) {
		x->app_version[0] = smb2_get64(avd + 8);
		x->app_version[1] = smb2_get64(avd + 16);
	}
	*out = x;
	return STATUS_SUCCESS;
}

void
smbd_cctx_free(struct smbd_cctx *x)
{
	free(x);
}

/* ---- AppInstanceId (MS-SMB2 3.3.5.9.13) ---- */

struct smbd_app_record {
	uint64_t		 id;		/* the durable open's */
	uint8_t			 app_id[16];
	uint8_t			 client_guid[16];
	uint32_t		 share_id;
	uint32_t		 uid;		/* its session's user */
	int			 has_version;
	uint64_t		 version[2];	/* high, low */
	char			*path;
	time_t			 expires;
	/* Its delete on close, carried out if the id closes it. */
	struct smbd_app_doc	*doc;
	LIST_ENTRY(smbd_app_record) entry;
};

/*
 * An open to be deleted on close that an AppInstanceId closes: its name
 * and the user it was opened for (3.3.4.17: closed as by CLOSE).
 */
struct smbd_app_doc {
	uint8_t			 dir_fh[BD_FH_MAX];
	uint32_t		 dir_fhlen;
	char			 name[BD_NAME_MAX + 1];
	uint32_t		 uid, gid, ngroups;
	uint32_t		 groups[BD_NGROUPS_MAX];
};

/*
 * 3.3.5.9.13: an open with AppInstanceVersion `held' refuses a CREATE
 * asking with `asked' when it is not below it (high, then low).
 */
static int
smbd_app_version_refuses(const struct smbd_cctx *x, int has, const
    uint64_t held[2])
{
	if (!x->app_ver || !has)
		return 0;
	return held[0] > x->app_version[0] || (held[0] ==
	    x->app_version[0] && held[1] >= x->app_version[1]);
}

static time_t
smbd_app_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void
smbd_app_record_free(struct smbd_env *env, struct smbd_app_record *a)
{
	LIST_REMOVE(a, entry);
	env->napp_records--;
	free(a->path);
	free(a->doc);
	free(a);
}

/* The delete on close of an open an AppInstanceId closed, or NULL. */
static struct smbd_app_doc *
smbd_app_doc_of(const struct smbd_open *o)
{
	struct smbd_app_doc *d;

	if (!o->delete_pending || o->is_dir || o->stream[0] != '\0' ||
	    o->name[0] == '\0' || (d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	memcpy(d->dir_fh, o->dir_fh, o->dir_fhlen);
	d->dir_fhlen = o->dir_fhlen;
	memcpy(d->name, o->name, sizeof(d->name));
	d->uid = o->uid;
	d->gid = o->gid;
	d->ngroups = o->ngroups;
	memcpy(d->groups, o->groups, sizeof(d->groups));
	return d;
}

static void
smbd_app_doc_removed(void *arg, int status, void *reply, int fd)
{
	bd_wcc_reply *rep = reply;

	(void)arg;
	(void)fd;
	if (status == 0)
		status = rep->status;
	if (status != 0)
		log_warnx("app instance: delete on close of a closed open: %s",
		    strerror(-status));
}

/*
 * MS-SMB2 3.3.5.9.13, 3.3.4.17: the open is closed as a CLOSE would,
 * its delete on close included.  The REMOVE goes to blockd before the
 * CREATE's own lookups, on the same channel, so that the CREATE finds
 * the file gone (and makes it anew), as on Windows.
 */
static void
smbd_app_doc_run(struct smbd_env *env, const struct smbd_app_doc *d)
{
	bd_dirop_req req;

	memset(&req, 0, sizeof(req));
	req.cred.uid = d->uid;
	req.cred.gid = d->gid;
	req.cred.groups.groups_len = d->ngroups;
	req.cred.groups.groups_val = (uint32_t *)(uintptr_t)d->groups;
	req.dir.bd_fh_len = d->dir_fhlen;
	req.dir.bd_fh_val = (char *)(uintptr_t)d->dir_fh;
	req.name.bd_name_len = (u_int)strlen(d->name);
	req.name.bd_name_val = (char *)(uintptr_t)d->name;
	bdc_call(env->bdc, BD_REMOVE, (xdrproc_t)xdr_bd_dirop_req, &req,
	    (xdrproc_t)xdr_bd_wcc_reply, sizeof(bd_wcc_reply),
	    smbd_app_doc_removed, NULL);
}

/* A live open of id, on any connection, or NULL. */
static struct smbd_open *
smbd_app_live(struct smbd_env *env, uint64_t id)
{
	struct smbd_conn *c;
	struct smbd_open *o;

	TAILQ_FOREACH(c, &env->conns, entry)
		if (!c->closing && (o = smbd_open_find(c, id)) != NULL)
			return o;
	return NULL;
}

/*
 * durable.c: a durable open with an AppInstanceId lost its connection:
 * its id is remembered until its timeout, so that a new open of the
 * application elsewhere can close it.
 */
void
smbd_app_disconnected(struct smbd_conn *c, const struct smbd_open *o)
{
	struct smbd_env *env = c->env;
	struct smbd_app_record *a;
	struct smbd_session *s;

	if (!o->has_app || o->path == NULL ||
	    (s = smbd_session_find(c, o->session_id)) == NULL)
		return;
	if (env->napp_records >= SMBD_APP_RECORDS_MAX) {
		log_warnx_rl("%s: %d disconnected opens with an app instance "
		    "id remembered: the oldest forgotten", c->peer,
		    SMBD_APP_RECORDS_MAX);
		smbd_app_record_free(env, LIST_FIRST(&env->app_records));
	}
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->path = strdup(o->path)) == NULL) {
		free(a);
		return;
	}
	a->id = o->owner_id;
	a->uid = s->uid;
	a->has_version = o->has_app_version;
	memcpy(a->version, o->app_version, sizeof(a->version));
	memcpy(a->app_id, o->app_id, sizeof(a->app_id));
	memcpy(a->client_guid, c->neg.client_guid, sizeof(a->client_guid));
	a->share_id = env->shares[o->share].share_id;
	a->expires = smbd_app_now() + o->durable_timeout_ms / 1000 + 1;
	a->doc = smbd_app_doc_of(o);
	LIST_INSERT_HEAD(&env->app_records, a, entry);
	env->napp_records++;
}

/* A remembered disconnected open that the CREATE's AppInstanceId names. */
static int
smbd_app_record_named(const struct smbd_app_record *a,
    const struct smbd_cctx *x, const struct smbd_conn *me, uint32_t uid,
    uint32_t share_id, const char *path)
{
	return memcmp(a->app_id, x->app_id, 16) == 0 && a->uid == uid &&
	    a->share_id == share_id && strcmp(a->path, path) == 0 &&
	    memcmp(a->client_guid, me->neg.client_guid, 16) != 0;
}

/* A live open of another client that the CREATE's AppInstanceId names. */
static int
smbd_app_open_named(struct smbd_conn *c, const struct smbd_open *o,
    const struct smbd_cctx *x, uint32_t uid, size_t share, const char *path)
{
	struct smbd_session *s;

	return o->has_app && o->share == share && o->path != NULL &&
	    strcmp(o->path, path) == 0 &&
	    memcmp(o->app_id, x->app_id, 16) == 0 &&
	    (s = smbd_session_find(c, o->session_id)) != NULL &&
	    s->uid == uid;
}

/*
 * Before a CREATE with DH2Q and an AppInstanceId goes on: the opens of
 * other clients (ClientGuid) with the same id on the same path of the
 * share are closed, connected ones here and disconnected durable ones
 * in stated.  Only the same user's: the id is a name another could
 * repeat (MS-SMB2 asks for read access to the file; the user's own
 * opens are the ones an application fails over).  First every one of
 * them is checked against the request's AppInstanceVersion: one not
 * below it fails the CREATE and nothing is closed.
 */
uint32_t
smbd_cctx_app_close(struct smbd_req *r, const struct smbd_cctx *x,
    size_t share, const char *path, int durable_v2)
{
	struct smbd_env *env = r->conn->env;
	struct smbd_app_record *a, *na;
	struct smbd_session *me;
	struct smbd_conn *c;
	struct smbd_open *o, *no;
	time_t now = smbd_app_now();
	uint32_t share_id = env->shares[share].share_id;
	struct smbd_app_doc *doc;
	int closing;

	if (x == NULL || !x->app || !durable_v2 || path == NULL ||
	    (me = smbd_session_find(r->conn, r->rel_session)) == NULL)
		return STATUS_SUCCESS;
	for (a = LIST_FIRST(&env->app_records); a != NULL; a = na) {
		na = LIST_NEXT(a, entry);
		if ((o = smbd_app_live(env, a->id)) != NULL) {
			/* Reconnected: the live open carries the id again. */
			o->has_app = 1;
			memcpy(o->app_id, a->app_id, sizeof(o->app_id));
			o->has_app_version = a->has_version;
			memcpy(o->app_version, a->version,
			    sizeof(o->app_version));
			smbd_app_record_free(env, a);
		} else if (a->expires < now)
			smbd_app_record_free(env, a);
	}
	for (closing = 0; closing < 2; closing++) {
		for (a = LIST_FIRST(&env->app_records); a != NULL; a = na) {
			na = LIST_NEXT(a, entry);
			if (!smbd_app_record_named(a, x, r->conn, me->uid,
			    share_id, path))
				continue;
			if (!closing) {
				if (smbd_app_version_refuses(x,
				    a->has_version, a->version))
					goto refused;
				continue;
			}
			log_info_rl("%s: app instance: the disconnected durable "
			    "open %016llx of %s is closed%s", r->conn->peer,
			    (unsigned long long)a->id, path, a->doc != NULL ?
			    ", deleted on close" : "");
			smbd_durable_drop(env, a->id);
			if (a->doc != NULL)
				smbd_app_doc_run(env, a->doc);
			smbd_app_record_free(env, a);
		}
		TAILQ_FOREACH(c, &env->conns, entry) {
			if (c->closing || memcmp(c->neg.client_guid,
			    r->conn->neg.client_guid, 16) == 0)
				continue;
			for (o = TAILQ_FIRST(&c->opens); o != NULL; o = no) {
				no = TAILQ_NEXT(o, entry);
				if (!smbd_app_open_named(c, o, x, me->uid,
				    share, path))
					continue;
				if (!closing) {
					if (smbd_app_version_refuses(x,
					    o->has_app_version,
					    o->app_version))
						goto refused;
					continue;
				}
				log_info_rl("%s: app instance: the open of %s "
				    "by %s is closed%s", r->conn->peer, path,
				    c->peer, o->delete_pending ?
				    ", deleted on close" : "");
				o->closed = 1;
				if ((doc = smbd_app_doc_of(o)) != NULL) {
					smbd_lease_unlinked(env, o);
					smbd_app_doc_run(env, doc);
					free(doc);
				}
				smbd_open_free(c, o);
			}
		}
	}
	return STATUS_SUCCESS;
refused:
	log_info_rl("%s: app instance: an open of %s holds a version not "
	    "below %llu.%llu: STATUS_FILE_FORCED_CLOSED", r->conn->peer, path,
	    (unsigned long long)x->app_version[0],
	    (unsigned long long)x->app_version[1]);
	return STATUS_FILE_FORCED_CLOSED;
}

/* ---- MxAc: one mapping of blockd's answer to an access mask ---- */

/* 1 when the CREATE's contexts need the caller's access (MxAc). */
int
smbd_cctx_wants_access(const struct smbd_cctx *x)
{
	return x != NULL && x->mxac;
}

/* ---- CREATE's answer ---- */

/* A response context at out + at (8-aligned): its length. */
static size_t
smbd_cctx_put(uint8_t *out, size_t at, const char *name, const uint8_t *data,
    size_t dlen)
{
	uint8_t *p = out + at;

	memset(p, 0, 24 + dlen);
	smb2_put16(p + 4, 16);
	smb2_put16(p + 6, 4);
	smb2_put16(p + 10, 24);
	smb2_put32(p + 12, (uint32_t)dlen);
	memcpy(p + 16, name, 4);
	memcpy(p + 24, data, dlen);
	return 24 + dlen;
}

/* The contexts after the others (at 88 on), the lengths set. */
static void
smbd_cctx_encode(struct smbd_cctx *x, uint32_t maximal, uint32_t mx_status)
{
	uint8_t *out = x->out, d[32];
	size_t len = x->outlen, last = 0, at = 88, n;

	/* The last context already there: its Next is set below. */
	while (len > 88) {
		last = at;
		if ((n = smb2_get32(out + at)) == 0)
			break;
		at += n;
	}
	if (x->mxac || x->qfid) {
		n = (len + 7) & ~(size_t)7;
		memset(out + len, 0, n - len);
		len = n;
	}
	if (x->mxac) {
		smb2_put32(d, mx_status);
		smb2_put32(d + 4, maximal);
		if (len > 88)
			smb2_put32(out + last, (uint32_t)(len - last));
		last = len;
		len += smbd_cctx_put(out, len, "MxAc", d, 8);
	}
	if (x->qfid) {
		memset(d, 0, sizeof(d));
		smb2_put64(d, SMBD_FILE_INDEX(x->attr.ino));
		smb2_put64(d + 8, x->share_id);
		if (len > 88)
			smb2_put32(out + last, (uint32_t)(len - last));
		last = len;
		len += smbd_cctx_put(out, len, "QFid", d, 32);
	}
	if (len > 88) {
		smb2_put32(out + 80, SMB2_HDR_SIZE + 88);
		smb2_put32(out + 84, (uint32_t)(len - 88));
	}
	x->outlen = len;
}

static void
smbd_cctx_send(struct smbd_cctx *x, uint32_t maximal, uint32_t mx_status)
{
	struct smbd_req *r = x->r;
	struct smbd_conn *c = r->conn;
	struct smbd_open *o = smbd_open_find(c, x->file_id);

	if (o == NULL) {
		smbd_reply_error(r, STATUS_FILE_CLOSED);
		return;
	}
	smbd_cctx_encode(x, maximal, mx_status);
	if (x->secd != NULL) {
		smbd_secd_apply(r, smbd_session_find(c, o->session_id), o,
		    x->secd, x->out, x->outlen);
		return;
	}
	smbd_reply(r, STATUS_SUCCESS, x->out, x->outlen);
}

static void	smbd_cctx_next(struct smbd_cctx *);

/* The open and the session of a step, or NULL after the answer. */
static struct smbd_open *
smbd_cctx_open(struct smbd_cctx *x, struct smbd_session **s)
{
	struct smbd_conn *c = x->r->conn;
	struct smbd_open *o = smbd_open_find(c, x->file_id);

	if (o == NULL || (*s = smbd_session_find(c, o->session_id)) == NULL) {
		smbd_reply_error(x->r, STATUS_FILE_CLOSED);
		return NULL;
	}
	return o;
}

static void
smbd_cctx_ea_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_cctx *x = arg;
	struct smbd_conn *c = x->r->conn;
	struct smbd_open *o;

	if (status != 0) {
		/* The file is made; the open goes, the client learns why. */
		log_debug("%s: CREATE's ExtA: %d", c->peer, status);
		if ((o = smbd_open_find(c, x->file_id)) != NULL) {
			o->closed = 1;	/* nothing of it is kept */
			smbd_open_free(c, o);
		}
		smbd_reply_error(x->r, smbd_ea_errno(status));
		return;
	}
	smbd_cctx_next(x);
}

/* One step: the next EA, then the maximal access, then the answer. */
static void
smbd_cctx_next(struct smbd_cctx *x)
{
	struct smbd_session *s;
	struct smbd_open *o;
	struct smb2_ea ea;
	bd_xattr_req xr;
	uint32_t st;

	if ((o = smbd_cctx_open(x, &s)) == NULL)
		return;
	while (x->eas != NULL && smb2_ea_next(x->eas, x->eas_len, &x->ea_off,
	    &ea, &st) == 1) {
		if (ea.valuelen == 0)
			continue;	/* none to make */
		smbd_ea_req(&xr, s, o, ea.name, ea.namelen);
		xr.value.value_len = (u_int)ea.valuelen;
		xr.value.value_val = (char *)(uintptr_t)ea.value;
		bdc_call(x->r->conn->env->bdc, BD_XATTR_SET,
		    (xdrproc_t)xdr_bd_xattr_req, &xr,
		    (xdrproc_t)xdr_bd_xattr_reply, sizeof(bd_xattr_reply),
		    smbd_cctx_ea_done, x);
		return;
	}
	x->eas = NULL;
	/* 2.2.14.2.5: the query failed, the CREATE did not. */
	smbd_cctx_send(x, x->held_status != 0 ? 0 : x->held & SMBD_A_ALL,
	    x->held_status);
}

/*
 * CREATE's response (out, len: the body and the contexts so far) once
 * the open is made: its EAs set when it made, overwrote or superseded
 * the file (action 2, 3, 0), its maximal access (held) answered, the contexts
 * added, then SecD's DACL (secd, for a file it made) and the reply.
 */
void
smbd_cctx_answer(struct smbd_req *r, struct smbd_open *o,
    struct smbd_cctx *x, const bd_attr *attr, uint32_t action,
    struct smbd_secd *secd, uint32_t held, uint32_t held_status,
    const uint8_t *out, size_t len)
{
	if (len > sizeof(x->out) - (8 + 32 + 56)) {
		smbd_reply_error(r, STATUS_INTERNAL_ERROR);
		return;
	}
	x->r = r;
	x->file_id = o->id;
	x->attr = *attr;
	x->action = action;
	x->secd = secd;
	x->held = held;
	x->held_status = held_status;
	memcpy(x->out, out, len);
	x->outlen = len;
	x->share_id = r->conn->env->shares[o->share].share_id;
	if (x->app && o->durable == 2) {
		o->has_app = 1;
		memcpy(o->app_id, x->app_id, sizeof(o->app_id));
		o->has_app_version = x->app_ver;
		memcpy(o->app_version, x->app_version,
		    sizeof(o->app_version));
	}
	if (action == 1)
		x->eas = NULL;
	else if (x->alsi && attr->type == 1 && x->alloc > smb2_get64(x->out +
	    40)) {
		/*
		 * 3.3.5.9.4: blockd reserves nothing; the file made or
		 * overwritten is answered with the allocation asked, in
		 * 4 KiB units (smbd(8)), here and by QUERY_INFO on this
		 * handle, as FileAllocationInformation's is.
		 */
		o->alloc = x->alloc > UINT64_MAX - 4095 ? x->alloc :
		    (x->alloc + 4095) & ~(uint64_t)4095;
		smb2_put64(x->out + 40, o->alloc);
		/* Kept for a reconnect (durable.c). */
		if (o->durable)
			smbd_durable_update(r->conn, o);
	}
	smbd_cctx_next(x);
}

/* ---- QUERY_INFO and SET_INFO: FileEaInformation, FileFullEaInformation */

struct smbd_eaq {
	struct smbd_req	*r;
	uint64_t	 file_id;
	uint8_t		 class;
	uint32_t	 outmax;
	uint32_t	 status;	/* the answer's, once the entries fit */
	/* the names to answer, and whether each exists */
	size_t		 n, at;
	char		(*names)[SMB2_EA_NAME_MAX + 1];
	uint8_t		*exists;
	int		 listed;	/* an EaList: no cursor moves */
	uint32_t	 cursor;	/* where the scan stood */
	uint8_t		*buf;
	size_t		 used, last;
	int		 count;
	/* SET_INFO */
	const uint8_t	*eas;
	size_t		 eas_len, ea_off;
	int		 removing;
};

static void
smbd_eaq_free(void *arg)
{
	struct smbd_eaq *q = arg;

	free(q->names);
	free(q->exists);
	free(q->buf);
	free(q);
}

/* The request's EA work on the open; NULL after a reply. */
static struct smbd_eaq *
smbd_eaq_new(struct smbd_req *r, const struct smbd_open *o)
{
	struct smbd_eaq *q;

	if ((q = calloc(1, sizeof(*q))) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return NULL;
	}
	r->work = q;
	r->work_free = smbd_eaq_free;
	q->r = r;
	q->file_id = o->id;
	return q;
}

/* The file's named attributes from blockd, for q's next step. */
static void
smbd_eaq_list(struct smbd_eaq *q, struct smbd_session *s,
    struct smbd_open *o, bdc_done_fn *done)
{
	bd_fh_req fr;

	smbd_fh_fill(&fr, s, o->fh, o->fhlen);
	bdc_call(q->r->conn->env->bdc, BD_NAMED_LIST,
	    (xdrproc_t)xdr_bd_fh_req, &fr, (xdrproc_t)xdr_bd_named_list_reply,
	    sizeof(bd_named_list_reply), done, q);
}

/* A store name an SMB client can see: a valid EA name and value. */
static int
smbd_ea_visible(const bd_named *e)
{
	char tmp[SMB2_EA_NAME_MAX + 1];

	return e->kind == 1 && e->size <= SMB2_EA_VALUE_MAX &&
	    smb2_ea_name((const uint8_t *)e->name.bd_name_val,
	    e->name.bd_name_len, tmp) == 0;
}

static void
smbd_eaq_reply(struct smbd_eaq *q)
{
	uint8_t *p;

	if (q->count == 0 && q->n > q->at) {
		smbd_reply_error(q->r, STATUS_BUFFER_TOO_SMALL);
		return;
	}
	if (!q->listed) {
		struct smbd_open *o = smbd_open_find(q->r->conn, q->file_id);

		if (o != NULL)
			o->ea_next = q->cursor + (uint32_t)q->count;
	}
	if ((p = smbd_reply_room(q->r, 8 + q->used)) == NULL) {
		smbd_reply_error(q->r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	smb2_put16(p, 9);
	smb2_put16(p + 2, SMB2_HDR_SIZE + 8);
	smb2_put32(p + 4, (uint32_t)q->used);
	memcpy(p + 8, q->buf, q->used);
	smbd_reply_in(q->r, q->count > 0 && q->n > q->at && q->listed ?
	    STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS, 8 + q->used);
}

/* One entry more: 0, or -1 when it does not fit. */
static int
smbd_eaq_put(struct smbd_eaq *q, const char *name, const uint8_t *value,
    size_t vlen)
{
	size_t at = (q->used + 3) & ~(size_t)3, n;

	if (at > q->outmax || (n = smb2_ea_encode(name, strlen(name), value,
	    vlen, 0, q->buf + at, q->outmax - at)) == 0)
		return -1;
	memset(q->buf + q->used, 0, at - q->used);
	if (q->count > 0)
		smb2_put32(q->buf + q->last, (uint32_t)(at - q->last));
	q->last = at;
	q->used = at + n;
	q->count++;
	return 0;
}

static void	smbd_eaq_fetch(struct smbd_eaq *);

static void
smbd_eaq_got(void *arg, int status, void *reply, int fd)
{
	struct smbd_eaq *q = arg;
	bd_xattr_reply *rep = reply;

	if (status != 0 && status != -ENODATA) {
		smbd_reply_error(q->r, smbd_ea_errno(status));
		return;
	}
	if (smbd_eaq_put(q, q->names[q->at], status == 0 ?
	    (const uint8_t *)rep->data.data_val : NULL, status == 0 ?
	    rep->data.data_len : 0) == -1) {
		smbd_eaq_reply(q);
		return;
	}
	q->at++;
	smbd_eaq_fetch(q);
}

/* The value of the next name, or the answer. */
static void
smbd_eaq_fetch(struct smbd_eaq *q)
{
	struct smbd_conn *c = q->r->conn;
	struct smbd_session *s;
	struct smbd_open *o;
	bd_xattr_req req;

	if ((o = smbd_open_find(c, q->file_id)) == NULL ||
	    (s = smbd_session_find(c, o->session_id)) == NULL) {
		smbd_reply_error(q->r, STATUS_FILE_CLOSED);
		return;
	}
	if (q->at >= q->n) {
		smbd_eaq_reply(q);
		return;
	}
	if (!q->exists[q->at]) {
		smbd_eaq_got(q, -ENODATA, NULL, -1);
		return;
	}
	smbd_ea_req(&req, s, o, q->names[q->at], strlen(q->names[q->at]));
	bdc_call(c->env->bdc, BD_XATTR_GET, (xdrproc_t)xdr_bd_xattr_req, &req,
	    (xdrproc_t)xdr_bd_xattr_reply, sizeof(bd_xattr_reply),
	    smbd_eaq_got, q);
}

/* The EA list's names, found or not, in its order. */
static uint32_t
smbd_eaq_listed(struct smbd_eaq *q, const bd_named_list_reply *rep,
    const uint8_t *in, size_t inlen)
{
	struct smb2_ea ea;
	size_t off = 0, i, n = 0;
	uint32_t st;
	int rc;

	while ((rc = smb2_ea_get_next(in, inlen, &off, &ea, &st)) == 1)
		n++;
	if (rc == -1)
		return st;
	if ((q->names = calloc(n ? n : 1, sizeof(*q->names))) == NULL ||
	    (q->exists = calloc(n ? n : 1, 1)) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	off = 0;
	while (smb2_ea_get_next(in, inlen, &off, &ea, &st) == 1) {
		memcpy(q->names[q->n], ea.name, ea.namelen + 1);
		for (i = 0; i < rep->entries.entries_len; i++) {
			const bd_named *e = &rep->entries.entries_val[i];

			if (smbd_ea_visible(e) &&
			    e->name.bd_name_len == ea.namelen &&
			    strncasecmp(e->name.bd_name_val, ea.name,
			    ea.namelen) == 0) {
				memcpy(q->names[q->n], e->name.bd_name_val,
				    ea.namelen);
				q->exists[q->n] = 1;
				break;
			}
		}
		q->n++;
	}
	q->listed = 1;
	return STATUS_SUCCESS;
}

/* The file's EAs, from entry `from' on, one or as many as fit. */
static uint32_t
smbd_eaq_scan(struct smbd_eaq *q, const bd_named_list_reply *rep,
    uint32_t from, int single)
{
	size_t i, total = 0;

	for (i = 0; i < rep->entries.entries_len; i++)
		total += smbd_ea_visible(&rep->entries.entries_val[i]);
	if (total == 0)
		return STATUS_NO_EAS_ON_FILE;
	if (from >= total)
		return STATUS_NO_MORE_EAS;
	if ((q->names = calloc(total, sizeof(*q->names))) == NULL ||
	    (q->exists = calloc(total, 1)) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	total = 0;
	for (i = 0; i < rep->entries.entries_len; i++) {
		const bd_named *e = &rep->entries.entries_val[i];

		if (!smbd_ea_visible(e))
			continue;
		if (total++ < from || (single && q->n == 1))
			continue;
		memcpy(q->names[q->n], e->name.bd_name_val,
		    e->name.bd_name_len);
		q->names[q->n][e->name.bd_name_len] = '\0';
		q->exists[q->n++] = 1;
	}
	q->cursor = from;
	return STATUS_SUCCESS;
}

uint32_t
smbd_ea_size(const bd_named_list_reply *rep)
{
	uint32_t total = 0;
	size_t i;

	for (i = 0; i < rep->entries.entries_len; i++) {
		const bd_named *e = &rep->entries.entries_val[i];

		if (smbd_ea_visible(e))
			total += (uint32_t)smb2_ea_full_size(
			    e->name.bd_name_len, e->size);
	}
	return total;
}

static void
smbd_eaq_listed_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_eaq *q = arg;
	bd_named_list_reply *rep = reply;
	struct smbd_open *o;
	const uint8_t *b = q->r->msg + SMB2_HDR_SIZE;
	uint32_t st, flags, from;
	uint16_t ioff;
	uint32_t ilen;

	if (status != 0) {
		smbd_reply_error(q->r, smb2_status_from_errno(status));
		return;
	}
	if ((o = smbd_open_find(q->r->conn, q->file_id)) == NULL) {
		smbd_reply_error(q->r, STATUS_FILE_CLOSED);
		return;
	}
	if (q->class == 7) {	/* FileEaInformation: EaSize */
		uint8_t out[4];

		smb2_put32(out, smbd_ea_size(rep));
		smbd_query_out(q->r, out, 4, 4, q->outmax);
		return;
	}
	ioff = smb2_get16(b + 8);
	ilen = smb2_get32(b + 12);
	flags = smb2_get32(b + 20);
	if (ilen != 0)
		st = smbd_eaq_listed(q, rep, q->r->msg + ioff, ilen);
	else {
		if (flags & SL_INDEX_SPECIFIED) {
			if ((from = smb2_get32(b + 16)) == 0) {
				smbd_reply_error(q->r,
				    STATUS_NONEXISTENT_EA_ENTRY);
				return;
			}
			from--;
		} else if (flags & SL_RESTART_SCAN)
			from = 0;
		else
			from = o->ea_next;
		st = smbd_eaq_scan(q, rep, from,
		    (flags & SL_RETURN_SINGLE_ENTRY) != 0);
		if (st == STATUS_NO_MORE_EAS && (flags & SL_INDEX_SPECIFIED))
			st = STATUS_NONEXISTENT_EA_ENTRY;
	}
	if (st != STATUS_SUCCESS) {
		smbd_reply_error(q->r, st);
		return;
	}
	if ((q->buf = malloc(q->outmax ? q->outmax : 1)) == NULL) {
		smbd_reply_error(q->r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	smbd_eaq_fetch(q);
}

/*
 * MS-SMB2 3.3.5.20.1: QUERY_INFO FileEaInformation (7) and
 * FileFullEaInformation (15), from BD_NAMED_LIST's user xattrs.
 */
void
smbd_ea_query(struct smbd_req *r, struct smbd_session *s,
    struct smbd_open *o, uint8_t class, uint32_t outmax)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct smbd_eaq *q;

	if (class == 15) {
		if (smb2_buffer_check(r->len, SMB2_HDR_SIZE + 40,
		    smb2_get16(b + 8), smb2_get32(b + 12)) == -1) {
			smbd_bad(r, "QUERY_INFO EA list");
			return;
		}
		if (!smbd_sec_granted(o, ACL_READ_NAMED_ATTRS)) {
			smbd_reply_error(r, STATUS_ACCESS_DENIED);
			return;
		}
	}
	if (o->pipe != NULL) {
		smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return;
	}
	if ((q = smbd_eaq_new(r, o)) == NULL)
		return;
	q->class = class;
	q->outmax = outmax;
	smbd_eaq_list(q, s, o, smbd_eaq_listed_done);
}

static void	smbd_eas_next(struct smbd_eaq *);

static void
smbd_eas_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_eaq *q = arg;

	/* Removing what is not there removes nothing. */
	if (status != 0 && !(q->removing && status == -ENODATA)) {
		smbd_reply_error(q->r, smbd_ea_errno(status));
		return;
	}
	smbd_eas_next(q);
}

static void
smbd_eas_next(struct smbd_eaq *q)
{
	struct smbd_conn *c = q->r->conn;
	struct smbd_session *s;
	struct smbd_open *o;
	struct smb2_ea ea;
	bd_xattr_req req;
	uint32_t st;
	uint8_t ok[2] = { 2, 0 };

	if ((o = smbd_open_find(c, q->file_id)) == NULL ||
	    (s = smbd_session_find(c, o->session_id)) == NULL) {
		smbd_reply_error(q->r, STATUS_FILE_CLOSED);
		return;
	}
	if (smb2_ea_next(q->eas, q->eas_len, &q->ea_off, &ea, &st) != 1) {
		smbd_reply(q->r, STATUS_SUCCESS, ok, sizeof(ok));
		return;
	}
	smbd_ea_req(&req, s, o, ea.name, ea.namelen);
	q->removing = ea.valuelen == 0;
	if (!q->removing) {
		req.value.value_len = (u_int)ea.valuelen;
		req.value.value_val = (char *)(uintptr_t)ea.value;
	}
	bdc_call(c->env->bdc, q->removing ? BD_XATTR_REMOVE : BD_XATTR_SET,
	    (xdrproc_t)xdr_bd_xattr_req, &req, (xdrproc_t)xdr_bd_xattr_reply,
	    sizeof(bd_xattr_reply), smbd_eas_done, q);
}

/*
 * MS-FSA 2.1.5.15.5: the file's EAs as they would be after the chain,
 * counted: beyond SMB2_EA_TOTAL_MAX nothing is set, EA_TOO_LARGE.
 */
static void
smbd_eas_listed(void *arg, int status, void *reply, int fd)
{
	struct smbd_eaq *q = arg;
	bd_named_list_reply *rep = reply;
	uint8_t gone[BD_NAMED_MAX];
	struct smb2_ea ea;
	size_t total = 0, off = 0, i;
	uint32_t st;

	if (status != 0) {
		smbd_reply_error(q->r, smb2_status_from_errno(status));
		return;
	}
	memset(gone, 0, sizeof(gone));
	for (i = 0; i < rep->entries.entries_len && i < BD_NAMED_MAX; i++)
		if (rep->entries.entries_val[i].kind == 1)
			total += smb2_ea_packed_size(
			    rep->entries.entries_val[i].name.bd_name_len,
			    rep->entries.entries_val[i].size);
	while (smb2_ea_next(q->eas, q->eas_len, &off, &ea, &st) == 1) {
		for (i = 0; i < rep->entries.entries_len &&
		    i < BD_NAMED_MAX; i++) {
			const bd_named *e = &rep->entries.entries_val[i];

			if (e->kind == 1 && !gone[i] &&
			    e->name.bd_name_len == ea.namelen &&
			    strncasecmp(e->name.bd_name_val, ea.name,
			    ea.namelen) == 0) {
				gone[i] = 1;
				total -= smb2_ea_packed_size(ea.namelen,
				    e->size);
			}
		}
		if (ea.valuelen != 0)
			total += smb2_ea_packed_size(ea.namelen, ea.valuelen);
	}
	if (total > SMB2_EA_TOTAL_MAX) {
		smbd_reply_error(q->r, STATUS_EA_TOO_LARGE);
		return;
	}
	smbd_eas_next(q);
}

/*
 * MS-SMB2 3.3.5.21.1, MS-FSA 2.1.5.14.x: SET_INFO FileFullEaInformation:
 * the chain checked whole, then each EA set, or removed by a value of
 * length 0, in its order.
 */
void
smbd_ea_set(struct smbd_req *r, struct smbd_session *s, struct smbd_open *o,
    const uint8_t *d, uint32_t len)
{
	struct smbd_eaq *q;
	struct smb2_ea ea;
	size_t off = 0;
	uint32_t st;
	int rc;

	while ((rc = smb2_ea_next(d, len, &off, &ea, &st)) == 1)
		;
	if (rc == -1 || len == 0) {
		r->conn->env->malformed++;
		log_warnx_rl("%s: SET_INFO: %s", r->conn->peer,
		    st == STATUS_INVALID_EA_NAME ? "a bad EA name" :
		    "a malformed EA chain");
		smbd_reply_error(r, len == 0 ? STATUS_INVALID_PARAMETER : st);
		return;
	}
	if (!smbd_sec_granted(o, ACL_WRITE_NAMED_ATTRS) || o->pipe != NULL) {
		smbd_reply_error(r, STATUS_ACCESS_DENIED);
		return;
	}
	if ((q = smbd_eaq_new(r, o)) == NULL)
		return;
	q->eas = d;
	q->eas_len = len;
	smbd_eaq_list(q, s, o, smbd_eas_listed);
}
