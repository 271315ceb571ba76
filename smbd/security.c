/*
 * The security class of QUERY_INFO and SET_INFO (MS-SMB2 3.3.5.20.3,
 * 3.3.5.21.3): the descriptor of a file is its owner, group and the
 * store's ACL (BD_ACL_GET/SET), so NFSv4's acl attribute and NFSv3's
 * mode bits show what an SMB client set; secdesc.c maps the two.
 * blockd decides who may read (READ_ACL) and change (WRITE_ACL; the
 * owner by the store's chown rule) the descriptor.  A SACL is refused
 * as Windows refuses a caller without SeSecurityPrivilege.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "secdesc.h"
#include "smbd.h"
#include "status.h"

#define STORE_SATTR_UID		0x02
#define STORE_SATTR_GID		0x04
#define SMBD_MAXIMUM_ALLOWED	0x02000000u

struct smbd_secquery {
	struct smbd_req	*r;
	uint32_t	 secinfo;
	uint32_t	 outmax;
};

/* An owner and a group SID that name no Unix id, still to set. */
struct smbd_sids {
	uint32_t	 which;		/* ACL_SIDOWNER_* */
	struct acl_sid	 owner;
	struct acl_sid	 group;
};

struct smbd_secset {
	struct smbd_req	*r;
	uint64_t	 file_id;
	size_t		 acllen;	/* 0: no DACL to set */
	uint8_t		 acl[ACL_ENCODED_MAX];
	struct smbd_sids sids;		/* with the ACL the file has (no
					   DACL given) */
};

/*
 * MS-SMB2 3.3.5.20.3, 3.3.5.21.3: the handle must have been granted it
 * (READ_CONTROL to read, WRITE_OWNER and WRITE_DAC to change), as
 * Windows checks; blockd then checks the ACL as it is now.
 */
int
smbd_sec_granted(const struct smbd_open *o, uint32_t want)
{
	return (o->granted & want) == want;
}

uint32_t
smbd_desired_granted(uint32_t desired)
{
	/* ACCESS_SYSTEM_SECURITY is never granted (no SACL here). */
	uint32_t m = secdesc_mask_to_acl(desired) & ACL_MASK_ALL;

	/*
	 * MAXIMUM_ALLOWED: at least what everyone holds; CREATE grants
	 * all the caller holds (file.c, BD_ACCESS_MASK).
	 */
	if (desired & SMBD_MAXIMUM_ALLOWED)
		m |= ACL_READ_ATTRIBUTES | ACL_READ_ACL | ACL_SYNCHRONIZE;
	return m;
}

/* The caller is root, as the share squashes it (who holds privileges). */
int
smbd_sec_root(const struct smbd_env *env, size_t share, uint32_t uid,
    uint32_t gid)
{
	(void)share_rules_squash(&env->shares[share].squash, 0, &uid, &gid,
	    NULL, 0);
	return uid == 0;
}

/*
 * MS-DTYP 2.4.6, MS-FSA 2.1.5.16: an owner or group SID that names no
 * Unix id is taken from root alone (Windows' SeRestorePrivilege; a
 * user may name only a SID of its own token with SE_GROUP_OWNER, and
 * its own is S-1-22-1-uid): STATUS_INVALID_OWNER for anyone else, as
 * Windows answers, with a log line.  blockd checks the same.
 */
static uint32_t
smbd_sec_sidowner_check(int root, uint32_t sidowner, const char *who,
    const char *what)
{
	if (sidowner == 0 || root)
		return STATUS_SUCCESS;
	log_info_rl("%s: %s: an owner or group SID that names no Unix id is "
	    "root's alone to set", who, what);
	return (sidowner & ACL_SIDOWNER_OWNER) ? STATUS_INVALID_OWNER :
	    STATUS_INVALID_PRIMARY_GROUP;
}

/*
 * BD_ACL_GET (acl NULL), or BD_ACL_SET of an encoded ACL, on the open's
 * file as its opener.
 */
static void
smbd_sec_acl_call(struct smbd_req *r, const struct smbd_open *o,
    const uint8_t *acl, size_t acllen, bdc_done_fn *done, void *arg)
{
	bd_acl_req req;

	memset(&req, 0, sizeof(req));
	smbd_open_cred(o, &req.cred);
	req.fh.bd_fh_len = o->fhlen;
	req.fh.bd_fh_val = (char *)(uintptr_t)o->fh;
	req.acl.acl_len = (u_int)acllen;
	req.acl.acl_val = (char *)(uintptr_t)acl;
	bdc_call(r->conn->env->bdc, acl == NULL ? BD_ACL_GET : BD_ACL_SET,
	    (xdrproc_t)xdr_bd_acl_req, &req, (xdrproc_t)xdr_bd_acl_reply,
	    sizeof(bd_acl_reply), done, arg);
}

/* A descriptor's owner and group SIDs, to set. */
static void
smbd_sids_take(struct smbd_sids *s, const struct secdesc *sd)
{
	s->which = sd->sidowner;
	s->owner = sd->owner_sid;
	s->group = sd->group_sid;
}

/* The SIDs put on acl: none left to set. */
static void
smbd_sids_put(struct smbd_sids *s, struct acl *acl)
{
	if (s->which & ACL_SIDOWNER_OWNER)
		acl->owner_sid = s->owner;
	if (s->which & ACL_SIDOWNER_GROUP)
		acl->group_sid = s->group;
	acl->sidowner |= s->which;
	s->which = 0;
}

/*
 * The ACL of a BD_ACL_GET reply with the SIDs put on it, encoded into
 * buf: 0, or an errno.
 */
static int
smbd_sids_onto(struct smbd_sids *s, const bd_acl_reply *rep, uint8_t *buf,
    size_t bufsize, size_t *len)
{
	struct acl *acl;
	int rv = 0;

	if ((acl = calloc(1, sizeof(*acl))) == NULL)
		return ENOMEM;
	if (acl_decode((const uint8_t *)rep->acl.acl_val, rep->acl.acl_len,
	    acl) != 0) {
		log_warnx_rl("smbd: an ACL from blockd that does not decode");
		rv = EIO;
	} else {
		smbd_sids_put(s, acl);
		if (acl_encode(acl, buf, bufsize, len) != 0)
			rv = EINVAL;
	}
	free(acl);
	return rv;
}

/* MS-SMB2 2.2.2: BUFFER_TOO_SMALL carries the size that is needed. */
static void
smbd_sec_too_small(struct smbd_req *r, size_t need)
{
	uint8_t b[12];

	memset(b, 0, sizeof(b));
	smb2_put16(b, 9);
	smb2_put32(b + 4, 4);
	smb2_put32(b + 8, (uint32_t)need);
	smbd_reply(r, STATUS_BUFFER_TOO_SMALL, b, sizeof(b));
}

/* An owner or group SID kept beside the ids is what SMB shows. */
static const struct secdesc *
smbd_sec_sids_shown(struct secdesc *sd)
{
	sd->sidowner = sd->dacl.sidowner;
	sd->owner_sid = sd->dacl.owner_sid;
	sd->group_sid = sd->dacl.group_sid;
	return sd;
}

static void
smbd_sec_query_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_secquery *q = arg;
	bd_acl_reply *rep = reply;
	struct secdesc *sd;
	uint8_t buf[SECDESC_BUILD_MAX];
	size_t n;

	if (status != 0) {
		smbd_reply_error(q->r, smb2_status_from_errno(status));
		return;
	}
	if ((sd = calloc(1, sizeof(*sd))) == NULL) {
		smbd_reply_error(q->r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	sd->present = SECDESC_OWNER | SECDESC_GROUP | SECDESC_DACL;
	sd->uid = rep->attr.uid;
	sd->gid = rep->attr.gid;
	if (acl_decode((const uint8_t *)rep->acl.acl_val, rep->acl.acl_len,
	    &sd->dacl) != 0 ||
	    (n = secdesc_build(smbd_sec_sids_shown(sd), q->secinfo, buf,
	    sizeof(buf))) == 0) {
		log_warnx_rl("smbd: an ACL from blockd with no descriptor");
		free(sd);
		smbd_reply_error(q->r, STATUS_INTERNAL_ERROR);
		return;
	}
	free(sd);
	if (n > q->outmax)
		smbd_sec_too_small(q->r, n);
	else
		smbd_query_out(q->r, buf, n, 0, q->outmax);
}

/* MS-SMB2 3.3.5.20.3: QUERY_INFO, SMB2_0_INFO_SECURITY. */
void
smbd_query_security(struct smbd_req *r, struct smbd_session *s,
    struct smbd_open *o, uint32_t secinfo, uint32_t outmax)
{
	struct smbd_secquery *q;
	uint8_t empty[SECDESC_BUILD_MAX];
	struct secdesc none;
	size_t n;

	secinfo &= SECDESC_OWNER | SECDESC_GROUP | SECDESC_DACL |
	    SECDESC_SACL;
	if ((secinfo & SECDESC_SACL) || (secinfo != 0 &&
	    !smbd_sec_granted(o, ACL_READ_ACL))) {
		smbd_reply_error(r, STATUS_ACCESS_DENIED);
		return;
	}
	if (secinfo == 0) {
		/* Nothing asked: a descriptor of nothing, as Windows. */
		memset(&none, 0, sizeof(none));
		n = secdesc_build(&none, 0, empty, sizeof(empty));
		if (n > outmax)
			smbd_sec_too_small(r, n);
		else
			smbd_query_out(r, empty, n, 0, outmax);
		return;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	r->work = q;
	r->work_free = free;
	q->r = r;
	q->secinfo = secinfo;
	q->outmax = outmax;
	smbd_sec_acl_call(r, o, NULL, 0, smbd_sec_query_done, q);
}

static void
smbd_sec_set_done(void *arg, int status, void *reply, int fd)
{
	struct smbd_secset *w = arg;
	uint8_t b[2] = { 2, 0 };

	if (status != 0) {
		smbd_reply_error(w->r, smb2_status_from_errno(status));
		return;
	}
	smbd_reply(w->r, STATUS_SUCCESS, b, sizeof(b));
}

static void	smbd_sec_set_acl(void *, int, void *, int);

/* Owner or group SIDs without a DACL: set with the ACL the file has. */
static void
smbd_sec_set_sids(void *arg, int status, void *reply, int fd)
{
	struct smbd_secset *w = arg;

	if (status == 0)
		status = smbd_sids_onto(&w->sids, reply, w->acl,
		    sizeof(w->acl), &w->acllen);
	smbd_sec_set_acl(w, status, NULL, -1);
}

/* The DACL, after the owner and group changed (or with none to change). */
static void
smbd_sec_set_acl(void *arg, int status, void *reply, int fd)
{
	struct smbd_secset *w = arg;
	struct smbd_conn *c = w->r->conn;
	struct smbd_open *o;
	struct smbd_session *s;

	if (status != 0 || (w->acllen == 0 && w->sids.which == 0)) {
		smbd_sec_set_done(w, status, reply, fd);
		return;
	}
	if ((o = smbd_open_find(c, w->file_id)) == NULL ||
	    (s = smbd_session_find(c, o->session_id)) == NULL) {
		smbd_reply_error(w->r, STATUS_FILE_CLOSED);
		return;
	}
	if (w->acllen == 0) {
		smbd_sec_acl_call(w->r, o, NULL, 0, smbd_sec_set_sids, w);
		return;
	}
	smbd_sec_acl_call(w->r, o, w->acl, w->acllen, smbd_sec_set_done,
	    w);
}

/* A malformed descriptor refused, at debug level. */
static void
smbd_sec_refused(const char *who, const char *what, uint32_t st)
{
	log_debug("%s: %s security descriptor refused: 0x%08x", who, what,
	    st);
}

/*
 * MS-SMB2 3.3.5.21.3: SET_INFO, SMB2_0_INFO_SECURITY: what secinfo
 * names of the descriptor, owner and group first (BD_SETATTR), then the
 * DACL (BD_ACL_SET).  A DACL named without SE_DACL_PRESENT is no DACL,
 * as Windows sets it: the object is left unprotected, a NULL DACL
 * (smbtorture smb2.create.nulldacl's "set empty sd").
 */
void
smbd_set_security(struct smbd_req *r, struct smbd_session *s,
    struct smbd_open *o, uint32_t secinfo, const uint8_t *d, uint32_t len)
{
	struct smbd_secset *w;
	struct secdesc *sd;
	bd_setattr_req req;
	uint32_t st;

	if ((secinfo & SECDESC_SACL) ||
	    ((secinfo & (SECDESC_OWNER | SECDESC_GROUP)) &&
	    !smbd_sec_granted(o, ACL_WRITE_OWNER)) ||
	    ((secinfo & SECDESC_DACL) && !smbd_sec_granted(o, ACL_WRITE_ACL))) {
		smbd_reply_error(r, STATUS_ACCESS_DENIED);
		return;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (sd = calloc(1, sizeof(*sd))) == NULL) {
		free(w);
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	r->work = w;
	r->work_free = free;
	w->r = r;
	w->file_id = o->id;
	if ((st = secdesc_parse(d, len, sd)) != 0) {
		free(sd);
		smbd_sec_refused(r->conn->peer, "SET_INFO", st);
		smbd_reply_error(r, st);
		return;
	}
	if (!(secinfo & SECDESC_OWNER))
		sd->sidowner &= ~(uint32_t)ACL_SIDOWNER_OWNER;
	if (!(secinfo & SECDESC_GROUP))
		sd->sidowner &= ~(uint32_t)ACL_SIDOWNER_GROUP;
	if ((st = smbd_sec_sidowner_check(smbd_sec_root(r->conn->env,
	    o->share, o->uid, o->gid), sd->sidowner, r->conn->peer,
	    "SET_INFO")) != 0) {
		free(sd);
		smbd_reply_error(r, st);
		return;
	}
	memset(&req, 0, sizeof(req));
	smbd_open_cred(o, &req.cred);
	req.fh.bd_fh_len = o->fhlen;
	req.fh.bd_fh_val = (char *)o->fh;
	/* A Unix owner or group is a chown (the SID kept beside it goes). */
	if ((secinfo & SECDESC_OWNER) && (sd->present & SECDESC_OWNER) &&
	    !(sd->sidowner & ACL_SIDOWNER_OWNER)) {
		req.sattr.mask |= STORE_SATTR_UID;
		req.sattr.uid = sd->uid;
	}
	if ((secinfo & SECDESC_GROUP) && (sd->present & SECDESC_GROUP) &&
	    !(sd->sidowner & ACL_SIDOWNER_GROUP)) {
		req.sattr.mask |= STORE_SATTR_GID;
		req.sattr.gid = sd->gid;
	}
	if ((secinfo & SECDESC_DACL) && !(sd->present & SECDESC_DACL)) {
		secdesc_null_dacl(&sd->dacl);
		sd->present |= SECDESC_DACL;
	}
	/* An owner or group SID rides with the DACL, or alone. */
	smbd_sids_take(&w->sids, sd);
	if ((secinfo & SECDESC_DACL) && (sd->present & SECDESC_DACL)) {
		smbd_sids_put(&w->sids, &sd->dacl);
		if (acl_encode(&sd->dacl, w->acl, sizeof(w->acl),
		    &w->acllen) != 0) {
			free(sd);
			smbd_reply_error(r, STATUS_INVALID_ACL);
			return;
		}
	}
	free(sd);
	if (req.sattr.mask == 0) {
		smbd_sec_set_acl(w, 0, NULL, -1);
		return;
	}
	bdc_call(r->conn->env->bdc, BD_SETATTR, (xdrproc_t)xdr_bd_setattr_req,
	    &req, (xdrproc_t)xdr_bd_wcc_reply, sizeof(bd_wcc_reply),
	    smbd_sec_set_acl, w);
}

/*
 * CREATE's SMB2_CREATE_SD_BUFFER context ("SecD", MS-SMB2 2.2.13.2):
 * the DACL of a file the CREATE makes, set by BD_ACL_SET before the
 * reply.  The new file's numeric owner and group stay its creator's, as
 * the store makes them; an owner or group SID that names no Unix id is
 * kept beside them (root's alone to name, refused before anything is
 * made).  A file that was opened, not created, keeps its descriptor.
 */
struct smbd_secd {
	struct smbd_req	*r;
	size_t		 acllen;
	uint8_t		 acl[ACL_ENCODED_MAX];
	struct smbd_sids sids;		/* without a DACL: with the new
					   file's own ACL */
	uint64_t	 file_id;	/* the open CREATE made */
	size_t		 outlen;
	uint8_t		 out[SMBD_CREATE_RSP_MAX];
};

/*
 * MS-SMB2 2.2.13.2: the create contexts, for one named SecD; root: the
 * caller may name an owner SID (smbd_sec_sidowner_check).
 */
uint32_t
smbd_secd_parse(const uint8_t *ctx, uint32_t len, int root,
    struct smbd_secd **out)
{
	struct smbd_secd *sd;
	struct secdesc *parsed;
	uint32_t off = 0, next, dlen, st;
	uint16_t noff, nlen, doff;

	*out = NULL;
	while (ctx != NULL && len - off >= 16) {
		next = smb2_get32(ctx + off);
		noff = smb2_get16(ctx + off + 4);
		nlen = smb2_get16(ctx + off + 6);
		doff = smb2_get16(ctx + off + 10);
		dlen = smb2_get32(ctx + off + 12);
		if ((next != 0 && (next < 16 || next > len - off)) ||
		    noff > len - off || nlen > len - off - noff ||
		    doff > len - off || dlen > len - off - doff)
			return STATUS_INVALID_PARAMETER;
		if (nlen == 4 && memcmp(ctx + off + noff, "SecD", 4) == 0) {
			if (*out != NULL)
				return STATUS_INVALID_PARAMETER;
			if ((sd = calloc(1, sizeof(*sd))) == NULL ||
			    (parsed = calloc(1, sizeof(*parsed))) == NULL) {
				free(sd);
				return STATUS_INSUFFICIENT_RESOURCES;
			}
			*out = sd;
			if ((st = secdesc_parse(ctx + off + doff, dlen,
			    parsed)) == 0)
				st = smbd_sec_sidowner_check(root,
				    parsed->sidowner, "CREATE", "SecD");
			smbd_sids_take(&sd->sids, parsed);
			if (st == 0 && (parsed->present & SECDESC_DACL)) {
				smbd_sids_put(&sd->sids, &parsed->dacl);
				if (acl_encode(&parsed->dacl, sd->acl,
				    sizeof(sd->acl), &sd->acllen) != 0)
					st = STATUS_INVALID_ACL;
			}
			free(parsed);
			if (st != 0) {
				smbd_sec_refused("CREATE", "SecD", st);
				return st;
			}
		}
		if (next == 0)
			break;
		off += next;
	}
	return 0;
}

void
smbd_secd_free(struct smbd_secd *sd)
{
	free(sd);
}

static void
smbd_secd_applied(void *arg, int status, void *reply, int fd)
{
	struct smbd_secd *sd = arg;

	if (status != 0) {
		/* The file is made and open: the client learns its DACL
		 * did not take, as Windows fails such a CREATE. */
		log_debug("%s: CREATE's SecD: %d", sd->r->conn->peer, status);
		smbd_reply_error(sd->r, smb2_status_from_errno(status));
		return;
	}
	smbd_reply(sd->r, STATUS_SUCCESS, sd->out, sd->outlen);
}

/* A SecD's owner or group SIDs alone: set with the new file's ACL. */
static void
smbd_secd_got(void *arg, int status, void *reply, int fd)
{
	struct smbd_secd *sd = arg;
	struct smbd_open *o;

	if (status == 0)
		status = smbd_sids_onto(&sd->sids, reply, sd->acl,
		    sizeof(sd->acl), &sd->acllen);
	if (status != 0) {
		smbd_secd_applied(sd, status, NULL, -1);
		return;
	}
	if ((o = smbd_open_find(sd->r->conn, sd->file_id)) == NULL) {
		smbd_reply_error(sd->r, STATUS_FILE_CLOSED);
		return;
	}
	smbd_sec_acl_call(sd->r, o, sd->acl, sd->acllen, smbd_secd_applied,
	    sd);
}

/* The DACL on the file CREATE made, then CREATE's reply out. */
void
smbd_secd_apply(struct smbd_req *r, struct smbd_session *s,
    struct smbd_open *o, struct smbd_secd *sd, const uint8_t *out,
    size_t outlen)
{
	if ((sd->acllen == 0 && sd->sids.which == 0) ||
	    outlen > sizeof(sd->out)) {
		smbd_reply(r, STATUS_SUCCESS, out, outlen);
		return;
	}
	sd->r = r;
	sd->file_id = o->id;
	memcpy(sd->out, out, outlen);
	sd->outlen = outlen;
	if (sd->acllen == 0) {
		smbd_sec_acl_call(r, o, NULL, 0, smbd_secd_got, sd);
		return;
	}
	smbd_sec_acl_call(r, o, sd->acl, sd->acllen, smbd_secd_applied, sd);
}
