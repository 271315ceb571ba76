/*
 * Kerberos for RPCSEC_GSS (RFC 2203 5.2, RFC 4121): gssd accepts the
 * INIT and CONTINUE_INIT tokens nfsd passes with MIT krb5's GSS-API and
 * the host keytab, maps the client principal to a local identity
 * (principal.c) and exports the established context to nfsd, which does
 * the per-message work (MICs, wrap, unwrap) itself.  The exported
 * context stays here under its handle until the ticket expires or the
 * client destroys it: an nfsd restarted after a crash fetches it back.
 *
 * gssd is chrooted: the keytab is read before, into a MEMORY keytab
 * that the acceptor credential names, and the replay cache of
 * authenticators is a file in gssd's state directory.
 */
#define _GNU_SOURCE
#include <sys/random.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <profile.h>

#include "gssd.h"
#include "log.h"

#define GSSD_KRB5_KEYTAB	"MEMORY:dittofs-gssd"
#define GSSD_KRB5_RCACHE	"krb5.rcache2"
/* A context whose ticket says nothing of its end lives a day. */
#define GSSD_KRB5_LIFETIME_MAX	86400
#define GSSD_KRB5_CLOCKSKEW	300	/* MIT's default, seconds */

gss_OID_desc gssd_krb5_oid = {
	9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"
};
/* 1.2.840.48018.1.2.2, Microsoft's name for krb5. */
static const gss_OID_desc gssd_ms_krb5_oid = {
	9, (void *)"\x2a\x86\x48\x82\xf7\x12\x01\x02\x02"
};

/* A GSS status for the log: the major and the mechanism's minor. */
void
gssd_krb5_status(const char *what, OM_uint32 major, OM_uint32 minor,
    char *buf, size_t len)
{
	OM_uint32 m, ctx = 0;
	gss_buffer_desc t1 = GSS_C_EMPTY_BUFFER, t2 = GSS_C_EMPTY_BUFFER;

	(void)gss_display_status(&m, major, GSS_C_GSS_CODE, GSS_C_NO_OID,
	    &ctx, &t1);
	ctx = 0;
	if (minor != 0)
		(void)gss_display_status(&m, minor, GSS_C_MECH_CODE,
		    &gssd_krb5_oid, &ctx, &t2);
	snprintf(buf, len, "%s: %.*s%s%.*s", what, (int)t1.length,
	    t1.value != NULL ? (char *)t1.value : "",
	    t2.length > 0 ? ": " : "", (int)t2.length,
	    t2.value != NULL ? (char *)t2.value : "");
	gss_release_buffer(&m, &t1);
	gss_release_buffer(&m, &t2);
}

struct gssd_rpcsec_ctx *
gssd_rpcsec_find(struct gssd_env *env, int established, const uint8_t *h,
    size_t len)
{
	struct gssd_rpcsec_list *l = established ? &env->rpcsec_done :
	    &env->rpcsec_pending;
	struct gssd_rpcsec_ctx *c;

	if (len != GSSD_RPCSEC_HANDLE_LEN)
		return NULL;
	TAILQ_FOREACH(c, l, entry)
		if (memcmp(c->handle, h, len) == 0)
			return c;
	return NULL;
}

void
gssd_rpcsec_free(struct gssd_env *env, struct gssd_rpcsec_ctx *c)
{
	OM_uint32 minor;

	if (c->established) {
		TAILQ_REMOVE(&env->rpcsec_done, c, entry);
		env->nrpcsec_done--;
	} else {
		TAILQ_REMOVE(&env->rpcsec_pending, c, entry);
		env->nrpcsec_pending--;
	}
	if (c->gss != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &c->gss, GSS_C_NO_BUFFER);
	gssd_initiate_ctx_clear(env, c);
	if (c->exported != NULL)
		explicit_bzero(c->exported, c->exported_len);
	free(c->exported);
	free(c);
}

static struct gssd_rpcsec_ctx *
gssd_rpcsec_new(struct gssd_env *env, struct ipc_peer *peer)
{
	struct gssd_rpcsec_ctx *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	do {
		if (getrandom(c->handle, sizeof(c->handle), 0) !=
		    (ssize_t)sizeof(c->handle)) {
			free(c);
			return NULL;
		}
	} while (gssd_rpcsec_find(env, 0, c->handle, sizeof(c->handle)) !=
	    NULL || gssd_rpcsec_find(env, 1, c->handle,
	    sizeof(c->handle)) != NULL);
	c->peer = peer;
	c->gss = GSS_C_NO_CONTEXT;
	c->expires = (uint64_t)time(NULL) + env->context_timeout;
	TAILQ_INSERT_TAIL(&env->rpcsec_pending, c, entry);
	env->nrpcsec_pending++;
	return c;
}

static size_t
gssd_rpcsec_pending_of(struct gssd_env *env, struct ipc_peer *peer)
{
	struct gssd_rpcsec_ctx *c;
	size_t n = 0;

	TAILQ_FOREACH(c, &env->rpcsec_pending, entry)
		if (c->peer == peer)
			n++;
	return n;
}

/*
 * A new context in creation for peer (accepted or initiated), within
 * [gssd] contexts per peer; NULL with rep's status and major set.
 */
struct gssd_rpcsec_ctx *
gssd_rpcsec_begin(struct gssd_env *env, struct ipc_peer *peer,
    struct gssd_rpcsec_reply *rep)
{
	struct gssd_rpcsec_ctx *c;

	rep->major = GSS_S_FAILURE;
	if (gssd_rpcsec_pending_of(env, peer) >= env->contexts_per_peer) {
		env->count.limit_hits++;
		log_warnx_rl("%s: %zu RPCSEC_GSS contexts in creation, the "
		    "limit ([gssd] contexts per peer)", ipc_peer_name(peer),
		    env->contexts_per_peer);
		rep->status = GSSD_LIMIT;
		return NULL;
	}
	if ((c = gssd_rpcsec_new(env, peer)) == NULL) {
		rep->status = GSSD_ERROR;
		return NULL;
	}
	return c;
}

void
gssd_rpcsec_reply_init(struct gssd_rpcsec_reply *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->principal = (char *)"";
	rep->identity.user = (char *)"";
	rep->identity.domain = (char *)"";
}

/* The reply of an established context (COMPLETE, or a FETCH). */
static void
gssd_rpcsec_fill(struct gssd_rpcsec_ctx *c, struct gssd_rpcsec_reply *rep)
{
	rep->status = GSSD_COMPLETE;
	rep->major = GSS_S_COMPLETE;
	rep->handle.handle_val = (char *)c->handle;
	rep->handle.handle_len = sizeof(c->handle);
	rep->context.context_val = (char *)c->exported;
	rep->context.context_len = (u_int)c->exported_len;
	rep->expires = c->expires;
	rep->principal = c->principal;
	rep->identity.uid = c->id.uid;
	rep->identity.gid = c->id.gid;
	rep->identity.groups.groups_val = c->id.groups;
	rep->identity.groups.groups_len = (u_int)c->id.ngroups;
	rep->identity.user = c->id.user;
	rep->identity.domain = c->realm;
}

/*
 * The context is established: who the client is, and its export.  -1:
 * rep->major says why not.
 */
static int
gssd_rpcsec_established(struct gssd_env *env, struct ipc_peer *peer,
    struct gssd_rpcsec_ctx *c, gss_name_t src, OM_uint32 time_rec,
    const char *client, struct gssd_rpcsec_reply *rep)
{
	gss_buffer_desc name = GSS_C_EMPTY_BUFFER, exp = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	char why[512];
	const char *at;
	int nobody;

	major = gss_display_name(&minor, src, &name, NULL);
	if (GSS_ERROR(major) || name.length == 0 ||
	    name.length >= sizeof(c->principal) ||
	    memchr(name.value, '\0', name.length) != NULL) {
		gss_release_buffer(&minor, &name);
		rep->major = GSS_S_FAILURE;
		return -1;
	}
	memcpy(c->principal, name.value, name.length);
	c->principal[name.length] = '\0';
	gss_release_buffer(&minor, &name);
	at = strrchr(c->principal, '@');
	snprintf(c->realm, sizeof(c->realm), "%s", at != NULL ? at + 1 : "");
	nobody = principal_map_resolve(env->principals, c->principal,
	    env->realm, &c->id);
	if (time_rec == GSS_C_INDEFINITE || time_rec > GSSD_KRB5_LIFETIME_MAX)
		time_rec = GSSD_KRB5_LIFETIME_MAX;
	c->expires = (uint64_t)time(NULL) + time_rec;
	major = gss_export_sec_context(&minor, &c->gss, &exp);
	if (GSS_ERROR(major) || exp.length == 0 ||
	    exp.length > GSSD_EXPORT_MAX) {
		gssd_krb5_status("gss_export_sec_context", major, minor, why,
		    sizeof(why));
		log_warnx("%s: %s: %s", ipc_peer_name(peer), client, why);
		gss_release_buffer(&minor, &exp);
		rep->major = GSS_S_FAILURE;
		return -1;
	}
	if ((c->exported = malloc(exp.length)) == NULL) {
		explicit_bzero(exp.value, exp.length);
		gss_release_buffer(&minor, &exp);
		rep->major = GSS_S_FAILURE;
		return -1;
	}
	memcpy(c->exported, exp.value, exp.length);
	c->exported_len = exp.length;
	explicit_bzero(exp.value, exp.length);
	gss_release_buffer(&minor, &exp);
	/* Now an established context: kept for FETCH. */
	TAILQ_REMOVE(&env->rpcsec_pending, c, entry);
	env->nrpcsec_pending--;
	c->established = 1;
	TAILQ_INSERT_TAIL(&env->rpcsec_done, c, entry);
	env->nrpcsec_done++;
	env->count.krb5_accepted++;
	log_info("%s: %s: RPCSEC_GSS context of %s as %s (uid %u gid %u), "
	    "%u s", ipc_peer_name(peer), client, c->principal,
	    nobody ? "nobody" : c->id.user, (unsigned)c->id.uid,
	    (unsigned)c->id.gid, (unsigned)time_rec);
	return 0;
}

/* The oldest established context goes when the table is full. */
static int
gssd_rpcsec_room(struct gssd_env *env)
{
	struct gssd_rpcsec_ctx *c;

	if (env->nrpcsec_done < env->rpcsec_max)
		return 0;
	if ((c = TAILQ_FIRST(&env->rpcsec_done)) == NULL)
		return -1;
	log_warnx_rl("%zu RPCSEC_GSS contexts, the limit ([gssd] "
	    "rpcsec contexts max): the oldest (%s) forgotten",
	    env->nrpcsec_done, c->principal);
	gssd_rpcsec_free(env, c);
	return 0;
}

/* RFC 2203 5.2.2: GSSD_RPCSEC_ACCEPT, an INIT or CONTINUE_INIT token. */
void
gssd_rpcsec_accept(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct gssd_env *env = gssd_env_of(peer);
	struct gssd_rpcsec_accept_req req;
	struct gssd_rpcsec_reply rep;
	struct gssd_rpcsec_ctx *c = NULL;
	gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER;
	gss_name_t src = GSS_C_NO_NAME;
	OM_uint32 major, minor, flags = 0, time_rec = 0;
	char why[512];
	const char *client;

	memset(&req, 0, sizeof(req));
	if (gssd_decode(peer, msg, (xdrproc_t)xdr_gssd_rpcsec_accept_req, &req,
	    "GSSD_RPCSEC_ACCEPT") == -1)
		return;
	client = req.peer != NULL && *req.peer ? req.peer : "?";
	gssd_rpcsec_reply_init(&rep);
	if (env->cred == GSS_C_NO_CREDENTIAL) {
		rep.status = GSSD_UNSUPPORTED;
		rep.major = GSS_S_UNAVAILABLE;
		log_warnx_rl("%s: %s: RPCSEC_GSS INIT, but no keytab ([gssd] "
		    "keytab)", ipc_peer_name(peer), client);
		goto reply;
	}
	if (req.handle.handle_len == 0) {
		if ((c = gssd_rpcsec_begin(env, peer, &rep)) == NULL)
			goto reply;
	} else if ((c = gssd_rpcsec_find(env, 0,
	    (const uint8_t *)req.handle.handle_val,
	    req.handle.handle_len)) == NULL || c->initiator) {
		c = NULL;
		rep.status = GSSD_NO_CONTEXT;
		rep.major = GSS_S_NO_CONTEXT;
		goto reply;
	}
	in.value = req.token.token_val;
	in.length = req.token.token_len;
	major = gss_accept_sec_context(&minor, &c->gss, env->cred, &in,
	    GSS_C_NO_CHANNEL_BINDINGS, &src, NULL, &out, &flags, &time_rec,
	    NULL);
	rep.major = major;
	rep.minor = minor;
	if (out.length > 0 && out.length <= GSSD_TOKEN_MAX) {
		rep.token.token_val = out.value;
		rep.token.token_len = (u_int)out.length;
	}
	if (major == GSS_S_CONTINUE_NEEDED) {
		rep.status = GSSD_CONTINUE;
		rep.handle.handle_val = (char *)c->handle;
		rep.handle.handle_len = sizeof(c->handle);
		c = NULL;	/* kept */
		goto reply;
	}
	if (GSS_ERROR(major)) {
		env->count.krb5_denied++;
		gssd_krb5_status("gss_accept_sec_context", major, minor, why,
		    sizeof(why));
		log_warnx_rl("%s: %s: RPCSEC_GSS context refused: %s",
		    ipc_peer_name(peer), client, why);
		rep.status = major == GSS_S_DEFECTIVE_TOKEN ?
		    GSSD_BAD_TOKEN : GSSD_DENIED;
		goto reply;
	}
	if (gssd_rpcsec_room(env) == -1 || gssd_rpcsec_established(env, peer,
	    c, src, time_rec, client, &rep) == -1) {
		rep.status = GSSD_ERROR;
		goto reply;
	}
	gssd_rpcsec_fill(c, &rep);
	rep.major = major;
	rep.minor = minor;
	c = NULL;	/* kept, established */
reply:
	if (ipc_reply_xdr(ipc_peer_channel(peer), msg, GSSD_RPCSEC_REPLY, -1,
	    (xdrproc_t)xdr_gssd_rpcsec_reply, &rep) == -1)
		log_warn("%s: GSSD_RPCSEC_REPLY", ipc_peer_name(peer));
	if (src != GSS_C_NO_NAME)
		gss_release_name(&minor, &src);
	gss_release_buffer(&minor, &out);
	if (c != NULL)
		gssd_rpcsec_free(env, c);
	xdr_free((xdrproc_t)xdr_gssd_rpcsec_accept_req, &req);
}

/* GSSD_RPCSEC_FETCH: a restarted nfsd asks for a handle it does not know. */
void
gssd_rpcsec_fetch(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct gssd_env *env = gssd_env_of(peer);
	struct gssd_rpcsec_handle_req req;
	struct gssd_rpcsec_reply rep;
	struct gssd_rpcsec_ctx *c;

	memset(&req, 0, sizeof(req));
	if (gssd_decode(peer, msg, (xdrproc_t)xdr_gssd_rpcsec_handle_req, &req,
	    "GSSD_RPCSEC_FETCH") == -1)
		return;
	gssd_rpcsec_reply_init(&rep);
	c = gssd_rpcsec_find(env, 1, (const uint8_t *)req.handle.handle_val,
	    req.handle.handle_len);
	if (c != NULL && c->expires <= (uint64_t)time(NULL)) {
		gssd_rpcsec_free(env, c);
		c = NULL;
	}
	if (c == NULL) {
		rep.status = GSSD_NO_CONTEXT;
		rep.major = GSS_S_NO_CONTEXT;
	} else {
		gssd_rpcsec_fill(c, &rep);
		env->count.krb5_fetched++;
		log_info_rl("%s: RPCSEC_GSS context of %s handed back",
		    ipc_peer_name(peer), c->principal);
	}
	ipc_reply_xdr(ipc_peer_channel(peer), msg, GSSD_RPCSEC_REPLY, -1,
	    (xdrproc_t)xdr_gssd_rpcsec_reply, &rep);
	xdr_free((xdrproc_t)xdr_gssd_rpcsec_handle_req, &req);
}

/* GSSD_RPCSEC_DESTROY: RFC 2203 5.4, the client is done with it. */
void
gssd_rpcsec_destroy(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct gssd_env *env = gssd_env_of(peer);
	struct gssd_rpcsec_handle_req req;
	struct gssd_status_reply rep;
	struct gssd_rpcsec_ctx *c;

	memset(&req, 0, sizeof(req));
	if (gssd_decode(peer, msg, (xdrproc_t)xdr_gssd_rpcsec_handle_req, &req,
	    "GSSD_RPCSEC_DESTROY") == -1)
		return;
	c = gssd_rpcsec_find(env, 1, (const uint8_t *)req.handle.handle_val,
	    req.handle.handle_len);
	if (c != NULL)
		gssd_rpcsec_free(env, c);
	rep.status = c != NULL ? GSSD_COMPLETE : GSSD_NO_CONTEXT;
	rep.message = (char *)(c != NULL ? "destroyed" : "no such context");
	ipc_reply_xdr(ipc_peer_channel(peer), msg, GSSD_OK, -1,
	    (xdrproc_t)xdr_gssd_status_reply, &rep);
	xdr_free((xdrproc_t)xdr_gssd_rpcsec_handle_req, &req);
}

/* GSSD_RPCSEC_LIST: the established contexts, without their keys. */
void
gssd_rpcsec_list(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct gssd_env *env = gssd_env_of(peer);
	struct gssd_rpcsec_list_reply rep;
	struct gssd_rpcsec_ctx *c;
	gssd_rpcsec_entry *v = NULL;
	size_t n = 0;

	(void)msg;
	if (env->nrpcsec_done > 0 &&
	    (v = calloc(env->nrpcsec_done, sizeof(*v))) == NULL) {
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM, NULL);
		return;
	}
	TAILQ_FOREACH(c, &env->rpcsec_done, entry) {
		v[n].principal = c->principal;
		v[n].mech = (char *)"krb5";
		v[n].uid = c->id.uid;
		v[n].gid = c->id.gid;
		v[n].expires = c->expires;
		n++;
	}
	rep.contexts.contexts_len = (u_int)n;
	rep.contexts.contexts_val = v;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, GSSD_RPCSEC_LIST_REPLY, -1,
	    (xdrproc_t)xdr_gssd_rpcsec_list_reply, &rep);
	free(v);
}

/* A front end's channel closed: its contexts in creation go. */
void
gssd_rpcsec_peer_gone(struct gssd_env *env, struct ipc_peer *peer)
{
	struct gssd_rpcsec_ctx *c, *next;

	for (c = TAILQ_FIRST(&env->rpcsec_pending); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->peer == peer)
			gssd_rpcsec_free(env, c);
	}
}

/* Contexts in creation past the timeout, established past their tickets. */
size_t
gssd_rpcsec_sweep(struct gssd_env *env)
{
	struct gssd_rpcsec_ctx *c, *next;
	uint64_t now = (uint64_t)time(NULL);
	size_t n = 0;

	for (c = TAILQ_FIRST(&env->rpcsec_pending); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->expires <= now) {
			gssd_rpcsec_free(env, c);
			n++;
		}
	}
	for (c = TAILQ_FIRST(&env->rpcsec_done); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->expires <= now) {
			gssd_rpcsec_free(env, c);
			n++;
		}
	}
	return n;
}

int
gssd_krb5_on(const struct gssd_env *env)
{
	return env->cred != GSS_C_NO_CREDENTIAL;
}

void
gssd_krb5_ctx_clear(struct gssd_ctx *c)
{
	OM_uint32 minor;

	if (c->krb5_gss != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &c->krb5_gss, GSS_C_NO_BUFFER);
	c->krb5_gss = GSS_C_NO_CONTEXT;
	explicit_bzero(c->krb5_key, sizeof(c->krb5_key));
}

/*
 * A token libkrb5 could not decode (its ASN.1 errors come as
 * GSS_S_FAILURE) is malformed, not a refused login.
 */
static int
gssd_krb5_defective(OM_uint32 major, OM_uint32 minor)
{
	int64_t m = (int32_t)minor;

	return major == GSS_S_DEFECTIVE_TOKEN || (m >= ERROR_TABLE_BASE_asn1 &&
	    m < ERROR_TABLE_BASE_asn1 + 256);
}

/*
 * The clock skew libkrb5 allows (krb5.conf(5) libdefaults clockskew),
 * read before the chroot: MIT's acceptor counts it in time_rec.
 */
static void
gssd_krb5_clockskew(struct gssd_env *env)
{
	profile_t profile;
	int skew = GSSD_KRB5_CLOCKSKEW;

	if (krb5_get_profile(env->krb5, &profile) == 0) {
		if (profile_get_integer(profile, "libdefaults", "clockskew",
		    NULL, GSSD_KRB5_CLOCKSKEW, &skew) != 0 || skew < 0)
			skew = GSSD_KRB5_CLOCKSKEW;
		profile_release(profile);
	}
	env->krb5_clockskew = skew;
}

/*
 * MS-SMB2 3.3.5.5.3: Session.ExpirationTime is the ticket's end.
 * gss_accept_sec_context's time_rec is what is left of the context as
 * MIT sees it: up to the ticket's end plus the clock skew it tolerates,
 * which comes off again here.
 */
static uint64_t
gssd_krb5_ticket_end(struct gssd_env *env, OM_uint32 time_rec)
{
	uint64_t now = (uint64_t)time(NULL);

	if (time_rec == GSS_C_INDEFINITE || time_rec > GSSD_KRB5_LIFETIME_MAX)
		return now + GSSD_KRB5_LIFETIME_MAX;
	if (time_rec <= (OM_uint32)env->krb5_clockskew)
		return now;
	return now + time_rec - (OM_uint32)env->krb5_clockskew;
}

/*
 * MS-SMB2 3.3.5.5.3: a Kerberos AP-REQ of an SMB SESSION_SETUP.  Who
 * the client is and the session key into c, the context kept in
 * c->krb5_gss, the AP-REP in *out (malloc'ed, or NULL).  GSSD_COMPLETE,
 * or why not.
 */
static gssd_status
gssd_krb5_smb_accept(struct gssd_env *env, struct ipc_peer *peer,
    struct gssd_ctx *c, const uint8_t *tok, size_t len, uint8_t **out,
    size_t *outlen)
{
	gss_buffer_desc in, tokout = GSS_C_EMPTY_BUFFER,
	    name = GSS_C_EMPTY_BUFFER;
	gss_buffer_set_t keys = GSS_C_NO_BUFFER_SET;
	gss_name_t src = GSS_C_NO_NAME;
	OM_uint32 major, minor, time_rec = 0;
	gssd_status st = GSSD_ERROR;
	const char *at;
	char why[512];

	*out = NULL;
	*outlen = 0;
	in.value = (void *)(uintptr_t)tok;
	in.length = len;
	major = gss_accept_sec_context(&minor, &c->krb5_gss, env->cred, &in,
	    GSS_C_NO_CHANNEL_BINDINGS, &src, NULL, &tokout, NULL, &time_rec,
	    NULL);
	if (major != GSS_S_COMPLETE) {
		env->count.krb5_denied++;
		gssd_krb5_status("gss_accept_sec_context", major, minor, why,
		    sizeof(why));
		log_warnx_rl("%s: SMB Kerberos login refused: %s",
		    ipc_peer_name(peer), why);
		st = gssd_krb5_defective(major, minor) ? GSSD_BAD_TOKEN :
		    GSSD_DENIED;
		goto out;
	}
	major = gss_display_name(&minor, src, &name, NULL);
	if (GSS_ERROR(major) || name.length == 0 ||
	    name.length >= sizeof(c->krb5_principal) ||
	    memchr(name.value, '\0', name.length) != NULL)
		goto out;
	memcpy(c->krb5_principal, name.value, name.length);
	c->krb5_principal[name.length] = '\0';
	c->krb5_ends = gssd_krb5_ticket_end(env, time_rec);
	/* The session key: the subkey, its first 16 bytes (MS-SMB2 3.3.5.5.3). */
	major = gss_inquire_sec_context_by_oid(&minor, c->krb5_gss,
	    GSS_C_INQ_SSPI_SESSION_KEY, &keys);
	if (GSS_ERROR(major) || keys == GSS_C_NO_BUFFER_SET ||
	    keys->count < 1 || keys->elements[0].length == 0)
		goto out;
	memset(c->krb5_key, 0, sizeof(c->krb5_key));
	memcpy(c->krb5_key, keys->elements[0].value,
	    keys->elements[0].length < 16 ? keys->elements[0].length : 16);
	c->krb5_nobody = principal_map_resolve(env->principals,
	    c->krb5_principal, env->realm, &c->krb5_id);
	at = strrchr(c->krb5_principal, '@');
	snprintf(c->krb5_realm, sizeof(c->krb5_realm), "%s",
	    at != NULL ? at + 1 : "");
	if (tokout.length > 0) {
		if ((*out = malloc(tokout.length)) == NULL)
			goto out;
		memcpy(*out, tokout.value, tokout.length);
		*outlen = tokout.length;
	}
	st = GSSD_COMPLETE;
out:
	if (keys != GSS_C_NO_BUFFER_SET) {
		if (keys->count > 0 && keys->elements[0].value != NULL)
			explicit_bzero(keys->elements[0].value,
			    keys->elements[0].length);
		gss_release_buffer_set(&minor, &keys);
	}
	gss_release_buffer(&minor, &name);
	gss_release_buffer(&minor, &tokout);
	if (src != GSS_C_NO_NAME)
		gss_release_name(&minor, &src);
	return st;
}

/* The login is done: c's identity and key into the reply. */
static void
gssd_krb5_smb_done(struct gssd_env *env, struct ipc_peer *peer,
    struct gssd_ctx *c, struct gssd_accept_reply *rep)
{
	env->count.krb5_accepted++;
	rep->status = GSSD_COMPLETE;
	rep->flags = GSSD_FLAG_SIGN | (c->krb5_nobody ? GSSD_FLAG_GUEST : 0);
	rep->identity.uid = c->krb5_id.uid;
	rep->identity.gid = c->krb5_id.gid;
	rep->identity.groups.groups_val = c->krb5_id.groups;
	rep->identity.groups.groups_len = (u_int)c->krb5_id.ngroups;
	rep->identity.user = c->krb5_nobody ? env->guest_account :
	    c->krb5_id.user;
	rep->identity.domain = c->krb5_realm;
	rep->session_key.session_key_val = (char *)c->krb5_key;
	rep->session_key.session_key_len = sizeof(c->krb5_key);
	rep->expires = c->krb5_ends;
	log_info("%s: %s logged in with Kerberos as %s (uid %u gid %u)%s",
	    ipc_peer_name(peer), c->krb5_principal, c->krb5_nobody ?
	    "nobody" : c->krb5_id.user, (unsigned)c->krb5_id.uid,
	    (unsigned)c->krb5_id.gid, c->spnego ? "" :
	    ", a bare token (no SPNEGO)");
}

/* RFC 4178 5: the initiator's mechListMIC over its mechTypes; 0 or -1. */
static int
gssd_krb5_mic_verify(struct gssd_ctx *c, const struct spnego_bytes *mic)
{
	gss_buffer_desc msg, tok;
	OM_uint32 major, minor;

	msg.value = c->mech_types;
	msg.length = c->mech_types_len;
	tok.value = (void *)(uintptr_t)mic->p;
	tok.length = mic->len;
	major = gss_verify_mic(&minor, c->krb5_gss, &msg, &tok, NULL);
	return major == GSS_S_COMPLETE ? 0 : -1;
}

/* Ours over the same bytes, into *mic (gss_release_buffer it). */
static int
gssd_krb5_mic_make(struct gssd_ctx *c, gss_buffer_desc *mic)
{
	gss_buffer_desc msg;
	OM_uint32 major, minor;

	msg.value = c->mech_types;
	msg.length = c->mech_types_len;
	major = gss_get_mic(&minor, c->krb5_gss, GSS_C_QOP_DEFAULT, &msg,
	    mic);
	return GSS_ERROR(major) ? -1 : 0;
}

/*
 * RFC 4178 5 with Kerberos.  The initiator's first choice with its
 * AP-REQ: accepted at once (MICs only if the initiator sent one).
 * Otherwise the first reply names Kerberos (supportedMech) without a
 * token, request-mic when Kerberos was not the initiator's first choice,
 * and the AP-REQ comes next; then both mechListMICs are exchanged: ours
 * with the AP-REP, the initiator's in one more NegTokenResp (or with
 * its AP-REQ), and only then the login is complete.
 */
void
gssd_krb5_spnego(struct gssd_env *env, struct ipc_peer *peer,
    struct gssd_ctx *c, const struct spnego_token *t, int chosen,
    struct gssd_accept_reply *rep, uint8_t **out, size_t *outlen)
{
	const struct spnego_bytes *tok;
	gss_buffer_desc mic = GSS_C_EMPTY_BUFFER;
	OM_uint32 minor;
	uint8_t *aprep = NULL;
	size_t aprep_len = 0;
	int supported = -1, have_mic = 0, mic_in;

	*out = NULL;
	*outlen = 0;
	switch (c->step) {
	case GSSD_CTX_START:
		c->krb5_mech = t->mechs[chosen];
		c->mic_required = chosen != 0;
		supported = (int)c->krb5_mech;
		if (chosen != 0 || t->mech_token.p == NULL) {
			/* RFC 4178 4.2.2: Kerberos, its first token next. */
			c->step = GSSD_CTX_KRB5;
			rep->status = spnego_encode_resp(chosen != 0 ?
			    SPNEGO_REQUEST_MIC : SPNEGO_ACCEPT_INCOMPLETE,
			    supported, NULL, 0, NULL, 0, out, outlen) == 0 ?
			    GSSD_CONTINUE : GSSD_ERROR;
			return;
		}
		tok = &t->mech_token;
		break;
	case GSSD_CTX_KRB5:
		if (t->kind != SPNEGO_RESP || t->response_token.p == NULL) {
			gssd_bad_token(env, peer, rep,
			    "SPNEGO (no Kerberos AP-REQ)");
			return;
		}
		tok = &t->response_token;
		break;
	case GSSD_CTX_KRB5_MIC:
		if (t->kind != SPNEGO_RESP || t->mech_list_mic.p == NULL) {
			gssd_bad_token(env, peer, rep,
			    "SPNEGO (no mechListMIC)");
			return;
		}
		if (gssd_krb5_mic_verify(c, &t->mech_list_mic) == -1)
			goto mic_denied;
		if (spnego_encode_resp(SPNEGO_ACCEPT_COMPLETED, -1, NULL, 0,
		    NULL, 0, out, outlen) == -1) {
			rep->status = GSSD_ERROR;
			return;
		}
		gssd_krb5_smb_done(env, peer, c, rep);
		return;
	default:
		rep->status = GSSD_ERROR;
		return;
	}
	rep->status = gssd_krb5_smb_accept(env, peer, c, tok->p, tok->len,
	    &aprep, &aprep_len);
	if (rep->status == GSSD_DENIED)
		spnego_encode_resp(SPNEGO_REJECT, -1, NULL, 0, NULL, 0, out,
		    outlen);
	if (rep->status != GSSD_COMPLETE)
		goto done;
	/* RFC 4178 5: a MIC the initiator sent is checked, and answered. */
	mic_in = t->mech_list_mic.p != NULL;
	if (mic_in && gssd_krb5_mic_verify(c, &t->mech_list_mic) == -1)
		goto mic_denied;
	if (mic_in || c->mic_required) {
		if (gssd_krb5_mic_make(c, &mic) == -1) {
			rep->status = GSSD_ERROR;
			goto done;
		}
		have_mic = 1;
	}
	if (c->mic_required && !mic_in) {
		/* Ours now; the login completes with the initiator's. */
		c->step = GSSD_CTX_KRB5_MIC;
		rep->status = spnego_encode_resp(SPNEGO_ACCEPT_INCOMPLETE,
		    supported, aprep, aprep_len, mic.value, mic.length, out,
		    outlen) == 0 ? GSSD_CONTINUE : GSSD_ERROR;
		goto done;
	}
	if (spnego_encode_resp(SPNEGO_ACCEPT_COMPLETED, supported, aprep,
	    aprep_len, have_mic ? mic.value : NULL, mic.length, out,
	    outlen) == -1) {
		rep->status = GSSD_ERROR;
		goto done;
	}
	gssd_krb5_smb_done(env, peer, c, rep);
	goto done;
mic_denied:
	env->count.krb5_denied++;
	log_warnx_rl("%s: SMB Kerberos login of %s refused: the SPNEGO "
	    "mechListMIC does not verify", ipc_peer_name(peer),
	    c->krb5_principal);
	rep->status = GSSD_DENIED;
	spnego_encode_resp(SPNEGO_REJECT, -1, NULL, 0, NULL, 0, out, outlen);
done:
	gss_release_buffer(&minor, &mic);
	free(aprep);
}

/*
 * RFC 4121 4.1 without SPNEGO: the client's AP-REQ in its GSS framing
 * (tok, spnego_krb5_token's 1), accepted as the SPNEGO path accepts the
 * token inside; the AP-REP (mutual authentication) in *out, bare.  One
 * leg: rep->status is COMPLETE or why not.
 */
void
gssd_krb5_bare(struct gssd_env *env, struct ipc_peer *peer,
    struct gssd_ctx *c, const uint8_t *tok, size_t len,
    struct gssd_accept_reply *rep, uint8_t **out, size_t *outlen)
{
	rep->status = gssd_krb5_smb_accept(env, peer, c, tok, len, out,
	    outlen);
	if (rep->status == GSSD_COMPLETE)
		gssd_krb5_smb_done(env, peer, c, rep);
	else {
		free(*out);
		*out = NULL;
		*outlen = 0;
	}
}

/*
 * Before the chroot: the keytab's keys into a MEMORY keytab, the realm,
 * the name service's users and the principal map.  Kerberos stays off
 * (GSSD_UNSUPPORTED) without a readable keytab.
 */
void
gssd_krb5_pre_init(struct gssd_env *env)
{
	struct daemon *d = env->daemon;
	const char *path = daemon_section_get(d, "keytab");
	const char *realm = daemon_section_get(d, "realm");
	const char *mapfile = daemon_section_get(d, "principal map");
	krb5_keytab file = NULL;
	krb5_kt_cursor cur;
	krb5_keytab_entry ent;
	krb5_error_code ret;
	char name[PATH_MAX + 8], *def = NULL, err[512];
	OM_uint32 minor;
	gss_OID_set mechs = GSS_C_NO_OID_SET;
	FILE *f;

	TAILQ_INIT(&env->rpcsec_pending);
	TAILQ_INIT(&env->rpcsec_done);
	env->cred = GSS_C_NO_CREDENTIAL;
	env->principals = principal_map_new((uint32_t)env->guest_uid,
	    (uint32_t)env->guest_gid);
	if (env->principals == NULL)
		fatalx("out of memory");
	if (principal_map_load_nss(env->principals, GSSD_NSS_USERS_MAX) == -1)
		log_warnx("more than %d users in the name service: the rest "
		    "map to nobody", GSSD_NSS_USERS_MAX);
	if (mapfile != NULL && *mapfile != '\0') {
		if ((f = fopen(mapfile, "re")) == NULL)
			fatal("[gssd] principal map = %s", mapfile);
		if (principal_map_load_file(env->principals, f, err,
		    sizeof(err)) == -1)
			fatalx("[gssd] principal map = %s: %s", mapfile, err);
		fclose(f);
	}
	/* The GSS mechanism table, read here rather than in the chroot. */
	(void)gss_indicate_mechs(&minor, &mechs);
	gss_release_oid_set(&minor, &mechs);
	if ((ret = krb5_init_context(&env->krb5)) != 0)
		fatalx("krb5_init_context: error %d", (int)ret);
	gssd_krb5_clockskew(env);
	if (realm != NULL && *realm != '\0')
		snprintf(env->realm, sizeof(env->realm), "%s", realm);
	else if (krb5_get_default_realm(env->krb5, &def) == 0) {
		snprintf(env->realm, sizeof(env->realm), "%s", def);
		krb5_free_default_realm(env->krb5, def);
	}
	if (access(path, R_OK) == -1) {
		log_info("Kerberos off: keytab %s: %s", path, strerror(errno));
		return;
	}
	snprintf(name, sizeof(name), "FILE:%s", path);
	if (krb5_kt_resolve(env->krb5, name, &file) != 0 ||
	    krb5_kt_resolve(env->krb5, GSSD_KRB5_KEYTAB, &env->keytab) != 0)
		fatalx("keytab %s: cannot open", path);
	if ((ret = krb5_kt_start_seq_get(env->krb5, file, &cur)) != 0)
		fatalx("keytab %s: %s", path, krb5_get_error_message(
		    env->krb5, ret));
	while (krb5_kt_next_entry(env->krb5, file, &ent, &cur) == 0) {
		if (krb5_kt_add_entry(env->krb5, env->keytab, &ent) == 0)
			env->keytab_keys++;
		gssd_initiate_pre_init(env, ent.principal);
		krb5_free_keytab_entry_contents(env->krb5, &ent);
	}
	krb5_kt_end_seq_get(env->krb5, file, &cur);
	krb5_kt_close(env->krb5, file);
	if (env->keytab_keys == 0)
		log_warnx("Kerberos off: keytab %s holds no key", path);
	else
		log_info("Kerberos: %zu key(s) from %s; realm %s; %zu "
		    "user(s), %zu map entr%s", env->keytab_keys, path,
		    env->realm[0] ? env->realm : "(none)",
		    principal_map_users(env->principals),
		    principal_map_entries(env->principals),
		    principal_map_entries(env->principals) == 1 ? "y" :
		    "ies");
}

/* In the sandbox: the acceptor credential over the MEMORY keytab. */
void
gssd_krb5_post_init(struct gssd_env *env)
{
	struct daemon *d = env->daemon;
	gss_key_value_element_desc el[2];
	gss_key_value_set_desc store;
	/* Microsoft's OID too: a bare token may name Kerberos by it. */
	gss_OID_desc oids[2] = { gssd_krb5_oid, gssd_ms_krb5_oid };
	gss_OID_set_desc mechs = { 2, oids };
	OM_uint32 major, minor;
	char rcache[PATH_MAX + 64], why[512];

	if (env->keytab_keys == 0)
		return;
	gssd_initiate_post_init(env);
	if (snprintf(rcache, sizeof(rcache), "file2:%s/%s",
	    d->sandbox.chroot[0] ? "" : d->state_dir, GSSD_KRB5_RCACHE) >=
	    (int)sizeof(rcache))
		fatalx("state directory path too long");
	el[0].key = "keytab";
	el[0].value = GSSD_KRB5_KEYTAB;
	el[1].key = "rcache";
	el[1].value = rcache;
	store.count = 2;
	store.elements = el;
	major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME,
	    GSS_C_INDEFINITE, &mechs, GSS_C_ACCEPT, &store, &env->cred, NULL,
	    NULL);
	if (GSS_ERROR(major)) {
		gssd_krb5_status("gss_acquire_cred_from", major, minor, why,
		    sizeof(why));
		log_warnx("Kerberos off: %s", why);
		env->cred = GSS_C_NO_CREDENTIAL;
	}
}

void
gssd_krb5_stop(struct gssd_env *env)
{
	OM_uint32 minor;

	while (!TAILQ_EMPTY(&env->rpcsec_pending))
		gssd_rpcsec_free(env, TAILQ_FIRST(&env->rpcsec_pending));
	while (!TAILQ_EMPTY(&env->rpcsec_done))
		gssd_rpcsec_free(env, TAILQ_FIRST(&env->rpcsec_done));
	if (env->cred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&minor, &env->cred);
	gssd_initiate_stop(env);
	if (env->keytab != NULL)
		krb5_kt_close(env->krb5, env->keytab);
	env->keytab = NULL;
	if (env->krb5 != NULL)
		krb5_free_context(env->krb5);
	env->krb5 = NULL;
	principal_map_free(env->principals);
	env->principals = NULL;
}
