/*
 * RPCSEC_GSS with gssd as the GSS initiator (RFC 7530 3.3.3): the
 * NFSv4.0 callbacks of a client that did SETCLIENTID under Kerberos go
 * out under a context that the server begins, as its own service
 * principal (the keytab's nfs/ principal), toward the client's callback
 * service nfs/HOST@REALM.  nfsd carries the tokens over the callback
 * connection (GSSD_RPCSEC_INITIATE); once the context is established
 * gssd exports it to nfsd, as it does an accepted one, and forgets it.
 *
 * An initiator needs the KDC (a ticket for the target), so gssd may
 * reach the network (AF_INET, AF_INET6 in its seccomp filter) and its
 * Kerberos configuration must be readable after the chroot: the file
 * KRB5_CONFIG names (or /etc/krb5.conf) is copied into the state
 * directory before, and KRB5_CONFIG points at the copy while gssd
 * initiates.  MIT's export of a context names that file and nfsd's
 * import opens it again: nfsd copies the same file into its own chroot
 * (the run directory), so "/krb5.conf" is there too.  Accepted
 * contexts are made without it, as before.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

#include "gssd.h"
#include "log.h"
#include "util.h"

#define GSSD_INITIATE_CCACHE	"MEMORY:dittofs-gssd-initiator"
#define GSSD_INITIATE_LIFETIME_MAX 86400

/*
 * Each keytab entry, before the chroot: the first nfs/HOST principal is
 * the initiator's name.
 */
void
gssd_initiate_pre_init(struct gssd_env *env, krb5_principal p)
{
	char *name = NULL;

	if (env->initiator[0] != '\0' || krb5_princ_size(env->krb5, p) != 2 ||
	    krb5_princ_component(env->krb5, p, 0)->length != 3 ||
	    memcmp(krb5_princ_component(env->krb5, p, 0)->data, "nfs", 3) !=
	    0 || krb5_unparse_name(env->krb5, p, &name) != 0)
		return;
	if (strlen(name) < sizeof(env->initiator)) {
		snprintf(env->initiator, sizeof(env->initiator), "%s", name);
		env->initiator_conf = util_krb5_conf_copy(
		    env->daemon->state_dir) == 0;
		if (!env->initiator_conf)
			log_warn("NFSv4.0 GSS callbacks: the Kerberos "
			    "configuration not copied to %s",
			    env->daemon->state_dir);
		log_info("NFSv4.0 GSS callbacks as %s", env->initiator);
	}
	krb5_free_unparsed_name(env->krb5, name);
}

void
gssd_initiate_post_init(struct gssd_env *env)
{
	env->initiator_cred = GSS_C_NO_CREDENTIAL;
}

/*
 * Around the initiator's work in a chroot: KRB5_CONFIG at the copy
 * (saved: what it was), then back.
 */
static void
gssd_initiate_conf(struct gssd_env *env, int on, char **saved)
{
	const char *v;

	if (!env->initiator_conf || !env->daemon->sandbox.chroot[0])
		return;
	if (on) {
		v = getenv("KRB5_CONFIG");
		*saved = v != NULL ? strdup(v) : NULL;
		if (setenv("KRB5_CONFIG", "/krb5.conf", 1) == -1)
			log_warn("setenv KRB5_CONFIG");
		return;
	}
	if (*saved != NULL)
		(void)setenv("KRB5_CONFIG", *saved, 1);
	else
		(void)unsetenv("KRB5_CONFIG");
	free(*saved);
	*saved = NULL;
}

void
gssd_initiate_stop(struct gssd_env *env)
{
	OM_uint32 minor;

	if (env->initiator_cred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&minor, &env->initiator_cred);
}

/* The initiator's credential: a ticket from the keytab's key, on demand. */
static int
gssd_initiate_cred(struct gssd_env *env, char *why, size_t whylen)
{
	gss_key_value_element_desc el[2];
	gss_key_value_set_desc store;
	gss_OID_set_desc mechs = { 1, &gssd_krb5_oid };
	gss_buffer_desc b;
	gss_name_t name = GSS_C_NO_NAME;
	OM_uint32 major, minor;

	if (env->initiator_cred != GSS_C_NO_CREDENTIAL)
		return 0;
	b.value = env->initiator;
	b.length = strlen(env->initiator);
	major = gss_import_name(&minor, &b, GSS_KRB5_NT_PRINCIPAL_NAME, &name);
	if (GSS_ERROR(major)) {
		gssd_krb5_status("gss_import_name", major, minor, why, whylen);
		return -1;
	}
	el[0].key = "client_keytab";
	el[0].value = "MEMORY:dittofs-gssd";
	el[1].key = "ccache";
	el[1].value = GSSD_INITIATE_CCACHE;
	store.count = 2;
	store.elements = el;
	major = gss_acquire_cred_from(&minor, name, GSS_C_INDEFINITE, &mechs,
	    GSS_C_INITIATE, &store, &env->initiator_cred, NULL, NULL);
	gss_release_name(&minor, &name);
	if (GSS_ERROR(major)) {
		gssd_krb5_status("gss_acquire_cred_from", major, minor, why,
		    whylen);
		env->initiator_cred = GSS_C_NO_CREDENTIAL;
		return -1;
	}
	return 0;
}

/* "nfs/HOST@REALM": the one target a callback may have. */
static int
gssd_initiate_target_ok(const char *t)
{
	const char *slash, *at;

	if (strncmp(t, "nfs/", 4) != 0 || (at = strrchr(t, '@')) == NULL ||
	    at == t + 4 || at[1] == '\0')
		return 0;
	slash = strchr(t + 4, '/');
	return slash == NULL || slash > at ? 1 : 0;
}

/* The export of an established context into rep (our own name too). */
static int
gssd_initiate_export(struct gssd_env *env, struct gssd_rpcsec_ctx *c,
    OM_uint32 time_rec, struct gssd_rpcsec_reply *rep, char *why,
    size_t whylen)
{
	gss_buffer_desc exp = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;

	major = gss_export_sec_context(&minor, &c->gss, &exp);
	if (GSS_ERROR(major) || exp.length == 0 ||
	    exp.length > GSSD_EXPORT_MAX || (c->exported =
	    malloc(exp.length)) == NULL) {
		gssd_krb5_status("gss_export_sec_context", major, minor, why,
		    whylen);
		if (exp.value != NULL)
			explicit_bzero(exp.value, exp.length);
		gss_release_buffer(&minor, &exp);
		return -1;
	}
	memcpy(c->exported, exp.value, exp.length);
	c->exported_len = exp.length;
	explicit_bzero(exp.value, exp.length);
	gss_release_buffer(&minor, &exp);
	if (time_rec == GSS_C_INDEFINITE ||
	    time_rec > GSSD_INITIATE_LIFETIME_MAX)
		time_rec = GSSD_INITIATE_LIFETIME_MAX;
	rep->status = GSSD_COMPLETE;
	rep->context.context_val = (char *)c->exported;
	rep->context.context_len = (u_int)c->exported_len;
	rep->expires = (uint64_t)time(NULL) + time_rec;
	rep->principal = env->initiator;
	return 0;
}

/* GSSD_RPCSEC_INITIATE: a first token, or the next with the acceptor's. */
void
gssd_rpcsec_initiate(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct gssd_env *env = gssd_env_of(peer);
	struct gssd_rpcsec_initiate_req req;
	struct gssd_rpcsec_reply rep;
	struct gssd_rpcsec_ctx *c = NULL;
	gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER, tb;
	gss_name_t target = GSS_C_NO_NAME;
	OM_uint32 major, minor, time_rec = 0;
	char why[512], *saved_conf = NULL;

	memset(&req, 0, sizeof(req));
	if (gssd_decode(peer, msg, (xdrproc_t)xdr_gssd_rpcsec_initiate_req,
	    &req, "GSSD_RPCSEC_INITIATE") == -1)
		return;
	gssd_rpcsec_reply_init(&rep);
	why[0] = '\0';
	if (env->initiator[0] == '\0') {
		rep.status = GSSD_UNSUPPORTED;
		rep.major = GSS_S_UNAVAILABLE;
		log_warnx_rl("%s: NFSv4.0 GSS callback to %s: no nfs/ principal "
		    "in the keytab ([gssd] keytab)", ipc_peer_name(peer),
		    req.target);
		goto reply;
	}
	if (req.handle.handle_len == 0) {
		if (!gssd_initiate_target_ok(req.target) ||
		    strlen(req.target) >= sizeof(c->principal)) {
			rep.status = GSSD_DENIED;
			rep.major = GSS_S_BAD_NAME;
			log_warnx_rl("%s: NFSv4.0 GSS callback to \"%s\": not "
			    "a nfs/HOST@REALM target", ipc_peer_name(peer),
			    req.target);
			goto reply;
		}
		if ((c = gssd_rpcsec_begin(env, peer, &rep)) == NULL)
			goto reply;
		c->initiator = 1;
		snprintf(c->principal, sizeof(c->principal), "%s", req.target);
	} else if ((c = gssd_rpcsec_find(env, 0,
	    (const uint8_t *)req.handle.handle_val,
	    req.handle.handle_len)) == NULL || !c->initiator ||
	    c->peer != peer) {
		c = NULL;
		rep.status = GSSD_NO_CONTEXT;
		rep.major = GSS_S_NO_CONTEXT;
		goto reply;
	}
	gssd_initiate_conf(env, 1, &saved_conf);
	if (gssd_initiate_cred(env, why, sizeof(why)) == -1) {
		rep.status = GSSD_ERROR;
		rep.major = GSS_S_NO_CRED;
		goto fail;
	}
	tb.value = c->principal;
	tb.length = strlen(c->principal);
	major = gss_import_name(&minor, &tb, GSS_KRB5_NT_PRINCIPAL_NAME,
	    &target);
	if (GSS_ERROR(major)) {
		gssd_krb5_status("gss_import_name", major, minor, why,
		    sizeof(why));
		rep.status = GSSD_DENIED;
		rep.major = major;
		goto fail;
	}
	in.value = req.token.token_val;
	in.length = req.token.token_len;
	major = gss_init_sec_context(&minor, env->initiator_cred, &c->gss,
	    target, &gssd_krb5_oid, GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG |
	    GSS_C_CONF_FLAG, 0, GSS_C_NO_CHANNEL_BINDINGS,
	    req.token.token_len > 0 ? &in : GSS_C_NO_BUFFER, NULL, &out, NULL,
	    &time_rec);
	rep.major = major;
	rep.minor = minor;
	if (out.length > GSSD_TOKEN_MAX) {
		rep.status = GSSD_ERROR;
		goto fail;
	}
	rep.token.token_val = out.value;
	rep.token.token_len = (u_int)out.length;
	if (major == GSS_S_CONTINUE_NEEDED) {
		rep.status = GSSD_CONTINUE;
		rep.handle.handle_val = (char *)c->handle;
		rep.handle.handle_len = sizeof(c->handle);
		c = NULL;	/* kept for the acceptor's answer */
		goto reply;
	}
	if (GSS_ERROR(major)) {
		gssd_krb5_status("gss_init_sec_context", major, minor, why,
		    sizeof(why));
		rep.status = major == GSS_S_DEFECTIVE_TOKEN ? GSSD_BAD_TOKEN :
		    GSSD_DENIED;
		goto fail;
	}
	if (gssd_initiate_export(env, c, time_rec, &rep, why,
	    sizeof(why)) == -1) {
		rep.status = GSSD_ERROR;
		goto fail;
	}
	env->initiated++;
	log_info("%s: NFSv4.0 GSS callback context as %s with %s, %u s",
	    ipc_peer_name(peer), env->initiator, c->principal,
	    (unsigned)time_rec);
	goto reply;
fail:
	env->initiate_failed++;
	log_warnx_rl("%s: NFSv4.0 GSS callback context with %s: %s",
	    ipc_peer_name(peer), c->principal, why[0] ? why : "failed");
reply:
	gssd_initiate_conf(env, 0, &saved_conf);
	if (ipc_reply_xdr(ipc_peer_channel(peer), msg, GSSD_RPCSEC_REPLY, -1,
	    (xdrproc_t)xdr_gssd_rpcsec_reply, &rep) == -1)
		log_warn("%s: GSSD_RPCSEC_REPLY", ipc_peer_name(peer));
	if (target != GSS_C_NO_NAME)
		gss_release_name(&minor, &target);
	gss_release_buffer(&minor, &out);
	/* Done (established and exported, or failed): forgotten. */
	if (c != NULL)
		gssd_rpcsec_free(env, c);
	xdr_free((xdrproc_t)xdr_gssd_rpcsec_initiate_req, &req);
}
