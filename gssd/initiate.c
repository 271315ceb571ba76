/*
 * RPCSEC_GSS with gssd as the GSS initiator (RFC 7530 3.3.3): the
 * NFSv4.0 callbacks of a client that did SETCLIENTID under Kerberos go
 * out under a context that the server begins, as its own service
 * principal (the keytab's nfs/ principal), toward the client's callback
 * service nfs/HOST@REALM.  nfsd carries the tokens over the callback
 * connection (GSSD_RPCSEC_INITIATE); once the context is established
 * gssd exports it to nfsd, as it does an accepted one, and forgets it.
 *
 * An initiator needs tickets: a TGT for the nfs/ principal (from the
 * keytab's key, RFC 4120 3.1) and a service ticket for the target (3.3).
 * gssd opens no network socket (its seccomp filter allows AF_UNIX
 * only): it drives MIT's caller-driven exchanges (krb5_init_creds_step,
 * krb5_tkt_creds_step) into a MEMORY ccache, and each KDC message goes
 * out through nfsd (GSSD_KDC_SEND, answered with GSSD_RPCSEC_KDC), which
 * sends it to a kdc entry of the realm in our krb5.conf.  The tickets
 * are kept until they come within GSSD_INITIATE_MARGIN of their end;
 * gss_init_sec_context then runs on a credential made from that ccache
 * (gss_krb5_import_cred) and finds the service ticket there, so no
 * library call of ours reaches for the network.
 *
 * What a hostile nfsd gains by relaying: nothing it could not have by
 * dropping the callback.  The KDC's replies are authenticated by krb5:
 * an AS reply is encrypted in the keytab's key, a TGS reply in the
 * TGT's session key, and each must carry its request's nonce, so a
 * forged or replayed reply fails the step.  The requests carry nothing
 * secret: an AS-REQ's pre-authentication is a timestamp encrypted in
 * the key, which the network saw anyway; a TGS-REQ's authenticator is
 * bound to a TGT whose session key nfsd never holds.  Withholding
 * tickets (no reply, a KRB-ERROR) fails the callback's context, as a
 * lost connection would.  A reply is parsed by MIT's library, bounded
 * (GSSD_KDC_MSG_MAX), in a context in creation that the usual sweep
 * forgets ([gssd] context timeout).
 *
 * gss_init_sec_context makes its own krb5 context, so the Kerberos
 * configuration must be readable after the chroot: the file
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
#include <profile.h>

#include "gssd.h"
#include "log.h"
#include "util.h"

#define GSSD_INITIATE_CCACHE	"MEMORY:dittofs-gssd-initiator"
#define GSSD_INITIATE_LIFETIME_MAX 86400
#define GSSD_INITIATE_MARGIN	60	/* s: a ticket this near its end is
					   fetched again */
#define GSSD_INITIATE_KDC_ROUNDS 12	/* KDC messages for one context */
#define GSSD_INITIATE_UDP_LIMIT	1465	/* MIT's udp_preference_limit */

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
	if (strlen(name) < sizeof(env->initiator) &&
	    krb5_copy_principal(env->krb5, p, &env->initiator_princ) == 0) {
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
	krb5_error_code ret;

	if (env->initiator[0] == '\0')
		return;
	if ((ret = krb5_cc_resolve(env->krb5, GSSD_INITIATE_CCACHE,
	    &env->initiator_ccache)) != 0 || (ret = krb5_cc_initialize(
	    env->krb5, env->initiator_ccache, env->initiator_princ)) != 0)
		fatalx("the initiator's ccache: %s",
		    krb5_get_error_message(env->krb5, ret));
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
	if (env->initiator_ccache != NULL)
		(void)krb5_cc_destroy(env->krb5, env->initiator_ccache);
	env->initiator_ccache = NULL;
	if (env->initiator_princ != NULL)
		krb5_free_principal(env->krb5, env->initiator_princ);
	env->initiator_princ = NULL;
}

/* The KDC exchange of c under way, if any: dropped. */
void
gssd_initiate_ctx_clear(struct gssd_env *env, struct gssd_rpcsec_ctx *c)
{
	if (c->kdc_as != NULL)
		krb5_init_creds_free(env->krb5, c->kdc_as);
	c->kdc_as = NULL;
	if (c->kdc_tgs != NULL)
		krb5_tkt_creds_free(env->krb5, c->kdc_tgs);
	c->kdc_tgs = NULL;
}

/* The end of server's ticket in our ccache; 0 when there is none. */
static krb5_timestamp
gssd_initiate_cached(struct gssd_env *env, krb5_principal server)
{
	krb5_creds mcreds, creds;
	krb5_timestamp end = 0;

	memset(&mcreds, 0, sizeof(mcreds));
	mcreds.client = env->initiator_princ;
	mcreds.server = server;
	if (krb5_cc_retrieve_cred(env->krb5, env->initiator_ccache, 0,
	    &mcreds, &creds) == 0) {
		end = creds.times.endtime;
		krb5_free_cred_contents(env->krb5, &creds);
	}
	return end;
}

static int
gssd_initiate_fresh(krb5_timestamp end)
{
	return end != 0 && (int64_t)(uint32_t)end > (int64_t)time(NULL) +
	    GSSD_INITIATE_MARGIN;
}

static void
gssd_initiate_krb5_why(struct gssd_env *env, krb5_error_code code,
    char *why, size_t whylen)
{
	const char *msg = krb5_get_error_message(env->krb5, code);

	snprintf(why, whylen, "%s", msg);
	krb5_free_error_message(env->krb5, msg);
}

/*
 * Our krb5.conf as it reads now: the copy in a chroot (the library's
 * context may no longer reach the original to read it again).
 */
static const char *
gssd_initiate_conf_path(struct gssd_env *env)
{
	const char *v;

	if (env->initiator_conf && env->daemon->sandbox.chroot[0])
		return "/krb5.conf";
	v = getenv("KRB5_CONFIG");
	return v != NULL && v[0] != '\0' ? v : "/etc/krb5.conf";
}

/*
 * GSSD_KDC_SEND for the message out of a step: realm's kdc entries
 * from our krb5.conf, the request.  0, or -1 with why.
 */
static int
gssd_initiate_kdc_send(struct gssd_env *env, struct ipc_peer *peer,
    struct ipc_msg *msg, struct gssd_rpcsec_ctx *c, const krb5_data *out,
    const krb5_data *realm, char *why, size_t whylen)
{
	struct gssd_kdc_send send;
	const char *names[4];
	char **values = NULL, name[GSSD_NAME_MAX + 1];
	profile_t profile = NULL;
	size_t n;
	int rc = -1, udp_limit;

	if (out->length == 0 || out->length > GSSD_KDC_MSG_MAX ||
	    realm->length == 0 || realm->length >= sizeof(name) ||
	    memchr(realm->data, '\0', realm->length) != NULL) {
		snprintf(why, whylen, "a KDC request of %u bytes, a realm of "
		    "%u", (unsigned)out->length, (unsigned)realm->length);
		return -1;
	}
	memcpy(name, realm->data, realm->length);
	name[realm->length] = '\0';
	names[0] = "realms";
	names[1] = name;
	names[2] = "kdc";
	names[3] = NULL;
	if (profile_init_path(gssd_initiate_conf_path(env), &profile) != 0 ||
	    profile_get_values(profile, names, &values) != 0 ||
	    values == NULL || values[0] == NULL) {
		snprintf(why, whylen, "no kdc entry for realm %s in krb5.conf "
		    "(DNS SRV lookup is not supported)", name);
		goto out;
	}
	/* RFC 4120 7.2.1, as MIT's own sending does: TCP above this. */
	if (profile_get_integer(profile, "libdefaults", "udp_preference_limit",
	    NULL, GSSD_INITIATE_UDP_LIMIT, &udp_limit) != 0 || udp_limit < 0)
		udp_limit = GSSD_INITIATE_UDP_LIMIT;
	for (n = 0; values[n] != NULL && n < GSSD_KDC_ENTRIES_MAX; n++)
		if (strlen(values[n]) > GSSD_NAME_MAX)
			values[n][GSSD_NAME_MAX] = '\0';	/* nfsd says */
	memset(&send, 0, sizeof(send));
	send.handle.handle_val = (char *)c->handle;
	send.handle.handle_len = sizeof(c->handle);
	send.realm = name;
	send.kdcs.kdcs_val = values;
	send.kdcs.kdcs_len = (u_int)n;
	send.tcp_only = c->kdc_tcp_only || out->length > (unsigned)udp_limit;
	send.request.request_val = out->data;
	send.request.request_len = out->length;
	if (ipc_reply_xdr(ipc_peer_channel(peer), msg, GSSD_KDC_SEND, -1,
	    (xdrproc_t)xdr_gssd_kdc_send, &send) == -1) {
		snprintf(why, whylen, "GSSD_KDC_SEND: %s", strerror(errno));
		goto out;
	}
	env->kdc_messages++;
	rc = 0;
out:
	if (values != NULL)
		profile_free_list(values);
	if (profile != NULL)
		profile_release(profile);
	return rc;
}

/*
 * One step of an exchange (code, flags, out and realm from
 * krb5_*_creds_step): 1 when its message went to nfsd for the KDC, 0
 * when the exchange is done, -1 (why) when it failed.
 */
static int
gssd_initiate_kdc_step(struct gssd_env *env, struct ipc_peer *peer,
    struct ipc_msg *msg, struct gssd_rpcsec_ctx *c, krb5_error_code code,
    unsigned int flags, const krb5_data *out, const krb5_data *realm,
    char *why, size_t whylen)
{
	/* RFC 4120 7.2.1: the same request again, over TCP. */
	if (code == KRB5KRB_ERR_RESPONSE_TOO_BIG && !c->kdc_tcp_only &&
	    out->length > 0) {
		c->kdc_tcp_only = 1;
		code = 0;
		flags |= KRB5_INIT_CREDS_STEP_FLAG_CONTINUE;
	}
	if (code != 0) {
		gssd_initiate_krb5_why(env, code, why, whylen);
		return -1;
	}
	if (!(flags & KRB5_INIT_CREDS_STEP_FLAG_CONTINUE))
		return 0;
	if (++c->kdc_rounds > GSSD_INITIATE_KDC_ROUNDS) {
		snprintf(why, whylen, "more than %u KDC messages",
		    GSSD_INITIATE_KDC_ROUNDS);
		return -1;
	}
	return gssd_initiate_kdc_send(env, peer, msg, c, out, realm, why,
	    whylen) == -1 ? -1 : 1;
}

/*
 * The tickets for c: a TGT when ours is missing or near its end, or
 * when the target's is (the ccache afresh with it), then the target's
 * ticket.  in: the KDC's reply to the last message, or NULL to begin.
 * 0: both are in the ccache; 1: a message went to nfsd for the KDC
 * (c waits for GSSD_RPCSEC_KDC); -1: failed, why says why.
 */
static int
gssd_initiate_tickets(struct gssd_env *env, struct ipc_peer *peer,
    struct ipc_msg *msg, struct gssd_rpcsec_ctx *c, krb5_data *in,
    char *why, size_t whylen)
{
	krb5_data empty = { 0, 0, NULL }, out = { 0, 0, NULL },
	    realm = { 0, 0, NULL };
	krb5_principal tgt = NULL, server = NULL;
	krb5_creds creds, mcreds;
	krb5_error_code code;
	krb5_timestamp end;
	unsigned int flags = 0;
	const krb5_data *r;
	int rc = -1;

	r = krb5_princ_realm(env->krb5, env->initiator_princ);
	if ((code = krb5_parse_name(env->krb5, c->principal, &server)) != 0 ||
	    (code = krb5_build_principal_ext(env->krb5, &tgt, r->length,
	    r->data, KRB5_TGS_NAME_SIZE, KRB5_TGS_NAME, r->length, r->data,
	    0)) != 0)
		goto krb5_failed;
	if (in == NULL && c->kdc_as == NULL && c->kdc_tgs == NULL &&
	    (!gssd_initiate_fresh(gssd_initiate_cached(env, tgt)) ||
	    ((end = gssd_initiate_cached(env, server)) != 0 &&
	    !gssd_initiate_fresh(end)))) {
		/* RFC 4120 3.1: the AS exchange, with the keytab's key. */
		if ((code = krb5_init_creds_init(env->krb5,
		    env->initiator_princ, NULL, NULL, 0, NULL,
		    &c->kdc_as)) != 0 ||
		    (code = krb5_init_creds_set_keytab(env->krb5, c->kdc_as,
		    env->keytab)) != 0)
			goto krb5_failed;
	}
	if (c->kdc_as != NULL) {
		code = krb5_init_creds_step(env->krb5, c->kdc_as,
		    in != NULL ? in : &empty, &out, &realm, &flags);
		if ((rc = gssd_initiate_kdc_step(env, peer, msg, c, code,
		    flags, &out, &realm, why, whylen)) != 0)
			goto out;
		memset(&creds, 0, sizeof(creds));
		if ((code = krb5_init_creds_get_creds(env->krb5, c->kdc_as,
		    &creds)) != 0)
			goto krb5_failed;
		code = krb5_cc_initialize(env->krb5, env->initiator_ccache,
		    env->initiator_princ);
		if (code == 0)
			code = krb5_cc_store_cred(env->krb5,
			    env->initiator_ccache, &creds);
		krb5_free_cred_contents(env->krb5, &creds);
		if (code != 0)
			goto krb5_failed;
		krb5_init_creds_free(env->krb5, c->kdc_as);
		c->kdc_as = NULL;
		krb5_free_data_contents(env->krb5, &out);
		krb5_free_data_contents(env->krb5, &realm);
		in = NULL;
	}
	if (c->kdc_tgs == NULL) {
		if (gssd_initiate_fresh(gssd_initiate_cached(env, server))) {
			rc = 0;
			goto out;
		}
		/* RFC 4120 3.3: the TGS exchange; MIT stores the ticket. */
		memset(&mcreds, 0, sizeof(mcreds));
		mcreds.client = env->initiator_princ;
		mcreds.server = server;
		if ((code = krb5_tkt_creds_init(env->krb5,
		    env->initiator_ccache, &mcreds, 0, &c->kdc_tgs)) != 0)
			goto krb5_failed;
		in = NULL;
	}
	code = krb5_tkt_creds_step(env->krb5, c->kdc_tgs, in != NULL ? in :
	    &empty, &out, &realm, &flags);
	if ((rc = gssd_initiate_kdc_step(env, peer, msg, c, code, flags, &out,
	    &realm, why, whylen)) != 0)
		goto out;
	krb5_tkt_creds_free(env->krb5, c->kdc_tgs);
	c->kdc_tgs = NULL;
	if (!gssd_initiate_fresh(gssd_initiate_cached(env, server))) {
		/* gss_init_sec_context would reach for the KDC itself. */
		snprintf(why, whylen, "no ticket for %s in the ccache after "
		    "the TGS exchange, or one that ends within %d s",
		    c->principal, GSSD_INITIATE_MARGIN);
		rc = -1;
	}
	goto out;
krb5_failed:
	gssd_initiate_krb5_why(env, code, why, whylen);
	rc = -1;
out:
	krb5_free_data_contents(env->krb5, &out);
	krb5_free_data_contents(env->krb5, &realm);
	if (rc != 1)
		gssd_initiate_ctx_clear(env, c);
	krb5_free_principal(env->krb5, tgt);
	krb5_free_principal(env->krb5, server);
	return rc;
}

/*
 * The initiator's credential on the tickets of our ccache: never a KDC
 * exchange of its own (gssd_initiate_tickets made sure of them).
 */
static int
gssd_initiate_cred(struct gssd_env *env, gss_cred_id_t *cred, char *why,
    size_t whylen)
{
	OM_uint32 major, minor;

	major = gss_krb5_import_cred(&minor, env->initiator_ccache,
	    env->initiator_princ, NULL, cred);
	if (GSS_ERROR(major)) {
		gssd_krb5_status("gss_krb5_import_cred", major, minor, why,
		    whylen);
		*cred = GSS_C_NO_CREDENTIAL;
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

/*
 * c's next leg, the reply to msg: on the first (in: the KDC's reply, or
 * NULL) the tickets, then gss_init_sec_context on token (NULL on the
 * first).  c is forgotten unless it waits for nfsd: GSSD_CONTINUE (the
 * acceptor's token) or GSSD_KDC_SEND (the KDC's reply).
 */
static void
gssd_initiate_step(struct gssd_env *env, struct ipc_peer *peer,
    struct ipc_msg *msg, struct gssd_rpcsec_ctx *c, int first,
    krb5_data *in, gss_buffer_t token)
{
	struct gssd_rpcsec_reply rep;
	gss_buffer_desc out = GSS_C_EMPTY_BUFFER, tb;
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	gss_name_t target = GSS_C_NO_NAME;
	OM_uint32 major, minor, time_rec = 0;
	char why[512], *saved_conf = NULL;
	int rc;

	gssd_rpcsec_reply_init(&rep);
	why[0] = '\0';
	gssd_initiate_conf(env, 1, &saved_conf);
	if (first) {
		rc = gssd_initiate_tickets(env, peer, msg, c, in, why,
		    sizeof(why));
		if (rc == 1) {
			gssd_initiate_conf(env, 0, &saved_conf);
			return;		/* kept for the KDC's reply */
		}
		if (rc == -1) {
			rep.status = GSSD_ERROR;
			rep.major = GSS_S_NO_CRED;
			goto fail;
		}
	}
	if (gssd_initiate_cred(env, &cred, why, sizeof(why)) == -1) {
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
	major = gss_init_sec_context(&minor, cred, &c->gss, target,
	    &gssd_krb5_oid, GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG |
	    GSS_C_CONF_FLAG, 0, GSS_C_NO_CHANNEL_BINDINGS,
	    token != NULL ? token : GSS_C_NO_BUFFER, NULL, &out, NULL,
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
	if (cred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&minor, &cred);
	gss_release_buffer(&minor, &out);
	/* Done (established and exported, or failed): forgotten. */
	if (c != NULL)
		gssd_rpcsec_free(env, c);
}

/* A reply of status without a context (nothing began, or it is gone). */
static void
gssd_initiate_refuse(struct ipc_peer *peer, struct ipc_msg *msg,
    enum gssd_status status, OM_uint32 major)
{
	struct gssd_rpcsec_reply rep;

	gssd_rpcsec_reply_init(&rep);
	rep.status = status;
	rep.major = major;
	if (ipc_reply_xdr(ipc_peer_channel(peer), msg, GSSD_RPCSEC_REPLY, -1,
	    (xdrproc_t)xdr_gssd_rpcsec_reply, &rep) == -1)
		log_warn("%s: GSSD_RPCSEC_REPLY", ipc_peer_name(peer));
}

/* GSSD_RPCSEC_INITIATE: a first token, or the next with the acceptor's. */
void
gssd_rpcsec_initiate(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct gssd_env *env = gssd_env_of(peer);
	struct gssd_rpcsec_initiate_req req;
	struct gssd_rpcsec_reply rep;
	struct gssd_rpcsec_ctx *c;
	gss_buffer_desc in;

	memset(&req, 0, sizeof(req));
	if (gssd_decode(peer, msg, (xdrproc_t)xdr_gssd_rpcsec_initiate_req,
	    &req, "GSSD_RPCSEC_INITIATE") == -1)
		return;
	if (env->initiator[0] == '\0') {
		log_warnx_rl("%s: NFSv4.0 GSS callback to %s: no nfs/ principal "
		    "in the keytab ([gssd] keytab)", ipc_peer_name(peer),
		    req.target);
		gssd_initiate_refuse(peer, msg, GSSD_UNSUPPORTED,
		    GSS_S_UNAVAILABLE);
		goto out;
	}
	if (req.handle.handle_len == 0) {
		if (!gssd_initiate_target_ok(req.target) ||
		    strlen(req.target) >= sizeof(c->principal)) {
			log_warnx_rl("%s: NFSv4.0 GSS callback to \"%s\": not "
			    "a nfs/HOST@REALM target", ipc_peer_name(peer),
			    req.target);
			gssd_initiate_refuse(peer, msg, GSSD_DENIED,
			    GSS_S_BAD_NAME);
			goto out;
		}
		gssd_rpcsec_reply_init(&rep);
		if ((c = gssd_rpcsec_begin(env, peer, &rep)) == NULL) {
			gssd_initiate_refuse(peer, msg, rep.status, rep.major);
			goto out;
		}
		c->initiator = 1;
		snprintf(c->principal, sizeof(c->principal), "%s", req.target);
		gssd_initiate_step(env, peer, msg, c, 1, NULL, NULL);
		goto out;
	}
	if ((c = gssd_rpcsec_find(env, 0,
	    (const uint8_t *)req.handle.handle_val,
	    req.handle.handle_len)) == NULL || !c->initiator ||
	    c->peer != peer || c->gss == GSS_C_NO_CONTEXT) {
		gssd_initiate_refuse(peer, msg, GSSD_NO_CONTEXT,
		    GSS_S_NO_CONTEXT);
		goto out;
	}
	in.value = req.token.token_val;
	in.length = req.token.token_len;
	gssd_initiate_step(env, peer, msg, c, 0, NULL,
	    req.token.token_len > 0 ? &in : NULL);
out:
	xdr_free((xdrproc_t)xdr_gssd_rpcsec_initiate_req, &req);
}

/* GSSD_RPCSEC_KDC: the KDC's reply to our GSSD_KDC_SEND, relayed. */
void
gssd_rpcsec_kdc(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct gssd_env *env = gssd_env_of(peer);
	struct gssd_rpcsec_kdc_req req;
	struct gssd_rpcsec_ctx *c;
	krb5_data in;

	memset(&req, 0, sizeof(req));
	if (gssd_decode(peer, msg, (xdrproc_t)xdr_gssd_rpcsec_kdc_req, &req,
	    "GSSD_RPCSEC_KDC") == -1)
		return;
	if ((c = gssd_rpcsec_find(env, 0,
	    (const uint8_t *)req.handle.handle_val,
	    req.handle.handle_len)) == NULL || !c->initiator ||
	    c->peer != peer || (c->kdc_as == NULL && c->kdc_tgs == NULL)) {
		log_warnx_rl("%s: GSSD_RPCSEC_KDC for no KDC exchange",
		    ipc_peer_name(peer));
		gssd_initiate_refuse(peer, msg, GSSD_NO_CONTEXT,
		    GSS_S_NO_CONTEXT);
		goto out;
	}
	if (!req.ok || req.reply.reply_len == 0) {
		env->initiate_failed++;
		log_warnx_rl("%s: NFSv4.0 GSS callback context with %s: no "
		    "KDC answered (nfsd's log says why)", ipc_peer_name(peer),
		    c->principal);
		gssd_initiate_refuse(peer, msg, GSSD_ERROR, GSS_S_NO_CRED);
		gssd_rpcsec_free(env, c);
		goto out;
	}
	in.magic = 0;
	in.data = req.reply.reply_val;
	in.length = req.reply.reply_len;
	gssd_initiate_step(env, peer, msg, c, 1, &in, NULL);
out:
	xdr_free((xdrproc_t)xdr_gssd_rpcsec_kdc_req, &req);
}
