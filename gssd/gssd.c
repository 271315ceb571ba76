/*
 * dittofs-gssd main: security contexts for the front ends (SPNEGO with
 * NTLMSSP or Kerberos, bare NTLMSSP and bare Kerberos for smbd,
 * Kerberos RPCSEC_GSS contexts for nfsd in krb5.c),
 * and the SMB password database for dittofsctl.
 *
 * Who may send what is the one table gssd_handlers below: smbd and nfsd
 * send ACCEPT and RELEASE, the control role (dittofsctl, root only)
 * the user messages, here or on gssd.ctl.  A context belongs to the
 * front-end connection that began it: another cannot continue it, and
 * it goes when that connection closes or stays unfinished longer than
 * the context timeout.
 */
#define _GNU_SOURCE
#include <sys/random.h>
#include <sys/utsname.h>
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "gssd.h"
#include "log.h"

/*
 * The password file in its chroot: open, write, fsync, rename; the
 * Kerberos replay cache the same way, and access(2), with which libkrb5
 * looks for its configuration files.
 */
static const char *const gssd_syscalls[] = {
	"openat", "open", "rename", "renameat", "renameat2", "unlink",
	"unlinkat", "fsync", "fdatasync", "fchmod", "access", "faccessat",
	"faccessat2",
	NULL
};

#define FRONT_ENDS	(IPC_ROLE_BIT(IPC_ROLE_NFSD) | \
			 IPC_ROLE_BIT(IPC_ROLE_SMBD))
#define CTL		IPC_ROLE_BIT(IPC_ROLE_CTL)
#define NFSD		IPC_ROLE_BIT(IPC_ROLE_NFSD)

/* MS-SPNG 3.2.5.2: the hint a server puts in NegTokenInit2. */
#define GSSD_SPNEGO_HINT	"not_defined_in_RFC4178@please_ignore"

struct gssd_env *
gssd_env_of(struct ipc_peer *peer)
{
	struct daemon *d = ipc_peer_server_arg(peer);

	return d->env;
}

static void
gssd_ctx_free(struct gssd_env *env, struct gssd_ctx *c)
{
	TAILQ_REMOVE(&env->contexts, c, entry);
	env->ncontexts--;
	ntlm_server_clear(&c->ntlm);
	gssd_krb5_ctx_clear(c);
	free(c->mech_types);
	free(c);
}

static struct gssd_ctx *
gssd_ctx_find(struct gssd_env *env, struct ipc_peer *peer, uint64_t id)
{
	struct gssd_ctx *c;

	TAILQ_FOREACH(c, &env->contexts, entry)
		if (c->id == id && c->peer == peer)
			return c;
	return NULL;
}

static size_t
gssd_ctx_count(struct gssd_env *env, struct ipc_peer *peer)
{
	struct gssd_ctx *c;
	size_t n = 0;

	TAILQ_FOREACH(c, &env->contexts, entry)
		if (c->peer == peer)
			n++;
	return n;
}

static struct gssd_ctx *
gssd_ctx_new(struct gssd_env *env, struct ipc_peer *peer)
{
	struct gssd_ctx *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	/* Unguessable ids, never 0; unique among the open ones. */
	do {
		if (getrandom(&c->id, sizeof(c->id), 0) != sizeof(c->id)) {
			free(c);
			return NULL;
		}
	} while (c->id == 0 || gssd_ctx_find(env, peer, c->id) != NULL);
	c->peer = peer;
	c->expires = daemon_usec() + (uint64_t)env->context_timeout * 1000000;
	c->step = GSSD_CTX_START;
	ntlm_server_init(&c->ntlm);
	TAILQ_INSERT_TAIL(&env->contexts, c, entry);
	env->ncontexts++;
	return c;
}

static int
gssd_lookup(void *arg, const char *user, uint8_t nt_hash[16], uint32_t *uid,
    uint32_t *gid)
{
	struct gssd_env *env = arg;
	const struct userdb_entry *e;

	if (env->users == NULL || (e = userdb_find(env->users, user)) == NULL)
		return -1;
	memcpy(nt_hash, e->nt_hash, 16);
	*uid = e->uid;
	*gid = e->gid;
	return 0;
}

static void
gssd_ntlm_conf(struct gssd_env *env, struct ntlm_conf *nc)
{
	memset(nc, 0, sizeof(*nc));
	nc->nb_computer = env->nb_computer;
	nc->nb_domain = env->nb_domain;
	nc->dns_computer = env->dns_computer;
	nc->dns_domain = env->dns_domain;
}

/* A reply's token: a malloc'ed buffer the reply now owns. */
static void
gssd_set_token(struct gssd_accept_reply *rep, uint8_t *tok, size_t len)
{
	rep->token.token_val = (char *)tok;
	rep->token.token_len = (u_int)len;
}

void
gssd_bad_token(struct gssd_env *env, struct ipc_peer *peer,
    struct gssd_accept_reply *rep, const char *what)
{
	env->count.bad_tokens++;
	log_warnx_rl("%s: malformed %s token", ipc_peer_name(peer), what);
	rep->status = GSSD_BAD_TOKEN;
}

/*
 * The end of an NTLMSSP exchange (AUTHENTICATE seen): the identity, the
 * guest and anonymous rules of dittofs.conf(5), the status.
 */
static void
gssd_ntlm_finish(struct gssd_env *env, struct ipc_peer *peer,
    struct gssd_ctx *c, enum ntlm_result r, struct gssd_accept_reply *rep)
{
	struct ntlm_server *n = &c->ntlm;
	const struct userdb_entry *e;

	switch (r) {
	case NTLM_COMPLETE:
		rep->status = GSSD_COMPLETE;
		if (n->anonymous) {
			env->count.anonymous++;
			rep->flags = GSSD_FLAG_ANONYMOUS;
			rep->identity.uid = (u_int)env->guest_uid;
			rep->identity.gid = (u_int)env->guest_gid;
			log_info("%s: anonymous (null session) login",
			    ipc_peer_name(peer));
			return;
		}
		env->count.accepted++;
		rep->flags = GSSD_FLAG_SIGN;
		rep->identity.uid = n->uid;
		rep->identity.gid = n->gid;
		/* The name as the database spells it, whatever the case sent. */
		if ((e = userdb_find(env->users, n->user)) != NULL)
			rep->identity.user = (char *)e->name;
		else
			rep->identity.user = n->user;
		rep->identity.domain = env->nb_domain;
		if (e != NULL) {
			rep->identity.groups.groups_len = (u_int)e->ngroups;
			rep->identity.groups.groups_val = (u_int *)e->groups;
		}
		rep->session_key.session_key_val = (char *)n->session_key;
		rep->session_key.session_key_len = 16;
		log_info("%s: %s\\%s logged in (uid %u gid %u)",
		    ipc_peer_name(peer), n->domain, n->user, (unsigned)n->uid,
		    (unsigned)n->gid);
		return;
	case NTLM_NO_USER:
		if (env->map_bad_user) {
			env->count.guests++;
			rep->status = GSSD_COMPLETE;
			rep->flags = GSSD_FLAG_GUEST;
			rep->identity.uid = (u_int)env->guest_uid;
			rep->identity.gid = (u_int)env->guest_gid;
			rep->identity.user = env->guest_account;
			log_info_rl("%s: unknown user %s\\%s mapped to guest",
			    ipc_peer_name(peer), n->domain, n->user);
			return;
		}
		env->count.denied++;
		rep->status = GSSD_DENIED;
		log_info_rl("%s: login of unknown user %s\\%s refused",
		    ipc_peer_name(peer), n->domain, n->user);
		return;
	case NTLM_DENIED:
		env->count.denied++;
		rep->status = GSSD_DENIED;
		log_info_rl("%s: login of %s\\%s refused (wrong password, "
		    "NTLMv1/LM, or a bad MIC)", ipc_peer_name(peer), n->domain,
		    n->user);
		return;
	case NTLM_BAD_TOKEN:
		gssd_bad_token(env, peer, rep, "NTLMSSP AUTHENTICATE");
		return;
	case NTLM_CONTINUE:
	case NTLM_ERROR:
		break;
	}
	rep->status = GSSD_ERROR;
}

/*
 * An NTLMSSP NEGOTIATE: the CHALLENGE in *out (malloc'ed) and 0, or the
 * reply's status set and -1.
 */
static int
gssd_ntlm_challenge(struct gssd_env *env, struct ipc_peer *peer,
    struct gssd_ctx *c, const uint8_t *tok, size_t len, uint8_t **out,
    size_t *outlen, struct gssd_accept_reply *rep)
{
	struct ntlm_conf nc;
	enum ntlm_result r;

	gssd_ntlm_conf(env, &nc);
	r = ntlm_server_negotiate(&c->ntlm, &nc, tok, len, out, outlen);
	if (r == NTLM_CONTINUE) {
		c->step = GSSD_CTX_AUTHENTICATE;
		return 0;
	}
	if (r == NTLM_BAD_TOKEN)
		gssd_bad_token(env, peer, rep, "NTLMSSP NEGOTIATE");
	else
		rep->status = GSSD_ERROR;
	return -1;
}

/* A bare NTLMSSP message: NEGOTIATE, then AUTHENTICATE. */
static void
gssd_ntlm_step(struct gssd_env *env, struct ipc_peer *peer,
    struct gssd_ctx *c, const uint8_t *tok, size_t len,
    struct gssd_accept_reply *rep)
{
	enum ntlm_result r;
	uint8_t *out;
	size_t outlen;

	if (c->step == GSSD_CTX_START) {
		if (gssd_ntlm_challenge(env, peer, c, tok, len, &out, &outlen,
		    rep) == 0) {
			rep->status = GSSD_CONTINUE;
			gssd_set_token(rep, out, outlen);
		}
		return;
	}
	r = ntlm_server_authenticate(&c->ntlm, tok, len, gssd_lookup, env);
	gssd_ntlm_finish(env, peer, c, r, rep);
}

static int
gssd_first_ntlmssp(const struct spnego_token *t)
{
	size_t i;

	for (i = 0; i < t->nmechs; i++)
		if (t->mechs[i] == SPNEGO_MECH_NTLMSSP)
			return (int)i;
	return -1;
}

/*
 * RFC 4121 4.1: a bare Kerberos InitialContextToken (an SMB client that
 * skips SPNEGO's framing, or GSSD_MECH_KRB5): the framing checked here,
 * the AP-REQ accepted as SPNEGO's (krb5.c), the AP-REP back bare.
 */
static void
gssd_krb5_step(struct gssd_env *env, struct ipc_peer *peer,
    struct gssd_ctx *c, const uint8_t *tok, size_t len,
    struct gssd_accept_reply *rep)
{
	struct spnego_bytes ap_req;
	enum spnego_mech mech;
	uint8_t *out = NULL;
	size_t outlen = 0;

	c->spnego = 0;
	if (spnego_krb5_token(tok, len, &mech, &ap_req) != 1) {
		gssd_bad_token(env, peer, rep, "Kerberos");
		return;
	}
	if (!gssd_krb5_on(env)) {
		rep->status = GSSD_UNSUPPORTED;
		log_warnx_rl("%s: a Kerberos token, but Kerberos is off (no "
		    "[gssd] keytab)", ipc_peer_name(peer));
		return;
	}
	gssd_krb5_bare(env, peer, c, tok, len, rep, &out, &outlen);
	if (out != NULL)
		gssd_set_token(rep, out, outlen);
}

/* RFC 4178 5: the server's side of SPNEGO (Kerberos: krb5.c). */
static void
gssd_spnego_step(struct gssd_env *env, struct ipc_peer *peer,
    struct gssd_ctx *c, const uint8_t *tok, size_t len,
    struct gssd_accept_reply *rep)
{
	struct spnego_token t;
	enum ntlm_result r;
	uint8_t *inner = NULL, *out = NULL, sig[16], *mic = NULL;
	size_t innerlen = 0, outlen;
	struct spnego_bytes ap_req;
	enum spnego_mech mech;
	int first;

	if (c->step == GSSD_CTX_START &&
	    spnego_krb5_token(tok, len, &mech, &ap_req) != 0) {
		/* Kerberos without SPNEGO's framing. */
		gssd_krb5_step(env, peer, c, tok, len, rep);
		return;
	}
	if (c->step == GSSD_CTX_START && ntlm_is_ntlmssp(tok, len)) {
		/* A client that skips SPNEGO's framing. */
		c->spnego = 0;
		gssd_ntlm_step(env, peer, c, tok, len, rep);
		return;
	}
	if (spnego_decode(tok, len, &t) == -1) {
		gssd_bad_token(env, peer, rep, "SPNEGO");
		return;
	}
	switch (c->step) {
	case GSSD_CTX_START:
		if (t.kind != SPNEGO_INIT) {
			gssd_bad_token(env, peer, rep, "SPNEGO (not an init)");
			return;
		}
		/* RFC 4178 3.2 (an NTLMSSP token under Kerberos's name,
		 * which some clients send, goes the NTLMSSP way). */
		first = spnego_choose(&t, gssd_krb5_on(env));
		if (first == 0 && t.mechs[0] != SPNEGO_MECH_NTLMSSP &&
		    t.mech_token.p != NULL &&
		    ntlm_is_ntlmssp(t.mech_token.p, t.mech_token.len))
			first = gssd_first_ntlmssp(&t);
		if (first == -1) {
			rep->status = GSSD_UNSUPPORTED;
			log_warnx_rl("%s: SPNEGO: none of the client's %zu "
			    "mechanisms is one we accept", ipc_peer_name(peer),
			    t.nmechs);
			spnego_encode_resp(SPNEGO_REJECT, -1, NULL, 0, NULL,
			    0, &out, &outlen);
			if (out != NULL)
				gssd_set_token(rep, out, outlen);
			return;
		}
		if ((c->mech_types = malloc(t.mech_types.len)) == NULL) {
			rep->status = GSSD_ERROR;
			return;
		}
		memcpy(c->mech_types, t.mech_types.p, t.mech_types.len);
		c->mech_types_len = t.mech_types.len;
		if (t.mechs[first] != SPNEGO_MECH_NTLMSSP) {
			gssd_krb5_spnego(env, peer, c, &t, first, rep, &out,
			    &outlen);
			break;
		}
		c->mic_required = first != 0;
		if (first == 0 && t.mech_token.p != NULL) {
			if (gssd_ntlm_challenge(env, peer, c, t.mech_token.p,
			    t.mech_token.len, &inner, &innerlen, rep) == -1)
				return;
		} else
			c->step = GSSD_CTX_NEGOTIATE;
		rep->status = spnego_encode_resp(SPNEGO_ACCEPT_INCOMPLETE,
		    SPNEGO_MECH_NTLMSSP, inner, innerlen, NULL, 0, &out,
		    &outlen) == 0 ? GSSD_CONTINUE : GSSD_ERROR;
		break;
	case GSSD_CTX_KRB5:
	case GSSD_CTX_KRB5_MIC:
		gssd_krb5_spnego(env, peer, c, &t, -1, rep, &out, &outlen);
		break;
	case GSSD_CTX_NEGOTIATE:
		if (t.kind != SPNEGO_RESP || t.response_token.p == NULL) {
			gssd_bad_token(env, peer, rep, "SPNEGO (no NEGOTIATE)");
			return;
		}
		if (gssd_ntlm_challenge(env, peer, c, t.response_token.p,
		    t.response_token.len, &inner, &innerlen, rep) == -1)
			return;
		rep->status = spnego_encode_resp(SPNEGO_ACCEPT_INCOMPLETE, -1,
		    inner, innerlen, NULL, 0, &out, &outlen) == 0 ?
		    GSSD_CONTINUE : GSSD_ERROR;
		break;
	case GSSD_CTX_AUTHENTICATE:
		if (t.kind != SPNEGO_RESP || t.response_token.p == NULL) {
			gssd_bad_token(env, peer, rep,
			    "SPNEGO (no AUTHENTICATE)");
			return;
		}
		r = ntlm_server_authenticate(&c->ntlm, t.response_token.p,
		    t.response_token.len, gssd_lookup, env);
		/*
		 * RFC 4178 5: the client's mechListMIC over its mechTypes,
		 * with the NTLMSSP keys (MS-NLMP 3.4.4); and ours back
		 * when it sent one, when NTLMSSP was not its first choice
		 * or when NTLMSSP itself carried a MIC (MS-SPNG 3.3.5.1).
		 */
		if (r == NTLM_COMPLETE && c->ntlm.have_key) {
			if (t.mech_list_mic.p != NULL) {
				ntlm_first_mic(&c->ntlm, 1, c->mech_types,
				    c->mech_types_len, sig);
				if (t.mech_list_mic.len != 16 ||
				    CRYPTO_memcmp(sig, t.mech_list_mic.p,
				    16) != 0)
					r = NTLM_DENIED;
			}
			if (r == NTLM_COMPLETE && (t.mech_list_mic.p != NULL ||
			    c->mic_required || c->ntlm.mic)) {
				ntlm_first_mic(&c->ntlm, 0, c->mech_types,
				    c->mech_types_len, sig);
				mic = sig;
			}
		}
		gssd_ntlm_finish(env, peer, c, r, rep);
		if (rep->status == GSSD_COMPLETE)
			spnego_encode_resp(SPNEGO_ACCEPT_COMPLETED, -1, NULL, 0,
			    mic, mic != NULL ? 16 : 0, &out, &outlen);
		else if (rep->status == GSSD_DENIED)
			spnego_encode_resp(SPNEGO_REJECT, -1, NULL, 0, NULL, 0,
			    &out, &outlen);
		break;
	}
	free(inner);
	if (out != NULL)
		gssd_set_token(rep, out, outlen);
}

/* Decode a request body, or answer EBADMSG and log (rate-limited). */
int
gssd_decode(struct ipc_peer *peer, struct ipc_msg *msg, xdrproc_t proc,
    void *obj, const char *what)
{
	if (ipc_decode(msg, proc, obj) == -1) {
		log_warnx_rl("%s: malformed %s", ipc_peer_name(peer), what);
		ipc_reply_error(ipc_peer_channel(peer), msg, EBADMSG, NULL);
		return -1;
	}
	return 0;
}

/* GSSD_ACCEPT: one token of a context (DESIGN.md section 2). */
static void
gssd_accept(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct gssd_env *env = gssd_env_of(peer);
	struct gssd_accept_req req;
	struct gssd_accept_reply rep;
	struct gssd_ctx *c = NULL;
	enum spnego_mech offer[3] = { SPNEGO_MECH_MS_KRB5, SPNEGO_MECH_KRB5,
	    SPNEGO_MECH_NTLMSSP };
	const uint8_t *tok;
	uint8_t *out;
	size_t len, outlen;

	memset(&req, 0, sizeof(req));
	if (gssd_decode(peer, msg, (xdrproc_t)xdr_gssd_accept_req, &req,
	    "GSSD_ACCEPT") == -1)
		return;
	memset(&rep, 0, sizeof(rep));
	rep.identity.user = (char *)"";
	rep.identity.domain = (char *)"";
	tok = (const uint8_t *)req.token.token_val;
	len = req.token.token_len;
	rep.context = req.context;
	if ((req.mech != GSSD_MECH_SPNEGO && req.mech != GSSD_MECH_NTLMSSP &&
	    req.mech != GSSD_MECH_KRB5) ||
	    (req.mech == GSSD_MECH_KRB5 && !gssd_krb5_on(env))) {
		rep.status = GSSD_UNSUPPORTED;
		log_warnx_rl("%s: GSSD_ACCEPT with mechanism %d, which is off "
		    "or unknown", ipc_peer_name(peer), (int)req.mech);
		goto reply;
	}
	if (req.context == 0 && req.mech == GSSD_MECH_SPNEGO && len == 0) {
		/* MS-SPNG 3.2.5.2: what a server offers first (NEGOTIATE). */
		/* Kerberos first when there is a keytab, NTLMSSP last. */
		if (spnego_encode_init(gssd_krb5_on(env) ? offer : offer + 2,
		    gssd_krb5_on(env) ? 3 : 1, NULL, 0, GSSD_SPNEGO_HINT,
		    &out, &outlen) == -1)
			rep.status = GSSD_ERROR;
		else {
			rep.status = GSSD_CONTINUE;
			gssd_set_token(&rep, out, outlen);
		}
		goto reply;
	}
	if (req.context == 0) {
		if (gssd_ctx_count(env, peer) >= env->contexts_per_peer) {
			env->count.limit_hits++;
			log_warnx_rl("%s: %zu security contexts in creation, "
			    "the limit ([gssd] contexts per peer)",
			    ipc_peer_name(peer), env->contexts_per_peer);
			rep.status = GSSD_LIMIT;
			goto reply;
		}
		if ((c = gssd_ctx_new(env, peer)) == NULL) {
			rep.status = GSSD_ERROR;
			goto reply;
		}
		c->spnego = req.mech == GSSD_MECH_SPNEGO;
		rep.context = c->id;
	} else if ((c = gssd_ctx_find(env, peer, req.context)) == NULL) {
		rep.status = GSSD_NO_CONTEXT;
		goto reply;
	}
	/* The mechanism a context began with is the one it goes on with. */
	if (req.context == 0 && req.mech == GSSD_MECH_KRB5)
		gssd_krb5_step(env, peer, c, tok, len, &rep);
	else if (c->spnego)
		gssd_spnego_step(env, peer, c, tok, len, &rep);
	else
		gssd_ntlm_step(env, peer, c, tok, len, &rep);
reply:
	if (ipc_reply_xdr(ipc_peer_channel(peer), msg, GSSD_ACCEPT_REPLY, -1,
	    (xdrproc_t)xdr_gssd_accept_reply, &rep) == -1)
		log_warn("%s: GSSD_ACCEPT_REPLY", ipc_peer_name(peer));
	free(rep.token.token_val);
	/* A context that finished, either way, is forgotten at once. */
	if (c != NULL && rep.status != GSSD_CONTINUE)
		gssd_ctx_free(env, c);
	xdr_free((xdrproc_t)xdr_gssd_accept_req, &req);
}

static void
gssd_status_send(struct ipc_peer *peer, struct ipc_msg *msg,
    gssd_status status, const char *text)
{
	struct gssd_status_reply rep;

	rep.status = status;
	rep.message = (char *)text;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, GSSD_OK, -1,
	    (xdrproc_t)xdr_gssd_status_reply, &rep);
}

/* GSSD_RELEASE: the front end drops a context it began. */
static void
gssd_release(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct gssd_env *env = gssd_env_of(peer);
	struct gssd_context_req req;
	struct gssd_ctx *c;

	memset(&req, 0, sizeof(req));
	if (gssd_decode(peer, msg, (xdrproc_t)xdr_gssd_context_req, &req,
	    "GSSD_RELEASE") == -1)
		return;
	if ((c = gssd_ctx_find(env, peer, req.context)) == NULL) {
		gssd_status_send(peer, msg, GSSD_NO_CONTEXT, "no such context");
		return;
	}
	gssd_ctx_free(env, c);
	gssd_status_send(peer, msg, GSSD_COMPLETE, "released");
}

static gssd_status
gssd_errno_status(int e)
{
	switch (e) {
	case EEXIST:
	case ENOENT:
	case EINVAL:
		return GSSD_DENIED;
	case ENOSPC:
		return GSSD_LIMIT;
	}
	return GSSD_ERROR;
}

static const char *
gssd_errno_text(int e)
{
	switch (e) {
	case EEXIST:
		return "user exists";
	case ENOENT:
		return "no such user";
	case EINVAL:
		return "bad user name";
	case ENOSPC:
		return "password database full";
	}
	return strerror(e);
}

/* GSSD_USER_SET: add a user or change one (the control role only). */
static void
gssd_user_set(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct gssd_env *env = gssd_env_of(peer);
	struct gssd_user_set_req req;

	memset(&req, 0, sizeof(req));
	if (gssd_decode(peer, msg, (xdrproc_t)xdr_gssd_user_set_req, &req,
	    "GSSD_USER_SET") == -1)
		return;
	if (env->users == NULL)
		gssd_status_send(peer, msg, GSSD_ERROR,
		    "password database not open");
	else if (userdb_set(env->users, req.user,
	    (const uint8_t *)req.nt_hash, req.uid, req.gid, req.create) ==
	    -1) {
		int e = errno;

		log_warnx("user %s not %s: %s", req.user, req.create ?
		    "added" : "changed", gssd_errno_text(e));
		gssd_status_send(peer, msg, gssd_errno_status(e),
		    gssd_errno_text(e));
	} else {
		log_info("user %s %s (uid %u gid %u)", req.user, req.create ?
		    "added" : "changed", req.uid, req.gid);
		gssd_status_send(peer, msg, GSSD_COMPLETE, req.create ?
		    "added" : "changed");
	}
	OPENSSL_cleanse(req.nt_hash, sizeof(req.nt_hash));
	xdr_free((xdrproc_t)xdr_gssd_user_set_req, &req);
}

/* GSSD_USER_GROUPS: a user's supplementary groups (the control role). */
static void
gssd_user_groups(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct gssd_env *env = gssd_env_of(peer);
	struct gssd_user_groups_req req;

	memset(&req, 0, sizeof(req));
	if (gssd_decode(peer, msg, (xdrproc_t)xdr_gssd_user_groups_req, &req,
	    "GSSD_USER_GROUPS") == -1)
		return;
	if (env->users == NULL)
		gssd_status_send(peer, msg, GSSD_ERROR,
		    "password database not open");
	else if (userdb_set_groups(env->users, req.user,
	    (const uint32_t *)req.groups.groups_val,
	    req.groups.groups_len) == -1) {
		int e = errno;

		gssd_status_send(peer, msg, gssd_errno_status(e),
		    gssd_errno_text(e));
	} else {
		log_info("user %s: %u supplementary group(s)", req.user,
		    req.groups.groups_len);
		gssd_status_send(peer, msg, GSSD_COMPLETE, "groups set");
	}
	xdr_free((xdrproc_t)xdr_gssd_user_groups_req, &req);
}

static void
gssd_user_del(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct gssd_env *env = gssd_env_of(peer);
	struct gssd_user_name_req req;

	memset(&req, 0, sizeof(req));
	if (gssd_decode(peer, msg, (xdrproc_t)xdr_gssd_user_name_req, &req,
	    "GSSD_USER_DEL") == -1)
		return;
	if (env->users == NULL)
		gssd_status_send(peer, msg, GSSD_ERROR,
		    "password database not open");
	else if (userdb_del(env->users, req.user) == -1) {
		int e = errno;

		gssd_status_send(peer, msg, gssd_errno_status(e),
		    gssd_errno_text(e));
	} else {
		log_info("user %s deleted", req.user);
		gssd_status_send(peer, msg, GSSD_COMPLETE, "deleted");
	}
	xdr_free((xdrproc_t)xdr_gssd_user_name_req, &req);
}

/* GSSD_USER_LIST: names and ids, never the hashes. */
static void
gssd_user_list(struct ipc_peer *peer, struct ipc_msg *msg)
{
	struct gssd_env *env = gssd_env_of(peer);
	struct gssd_user_list_reply rep;
	gssd_user_entry *v = NULL;
	size_t i, n = env->users != NULL ? env->users->nusers : 0;

	if (n > 0 && (v = calloc(n, sizeof(*v))) == NULL) {
		ipc_reply_error(ipc_peer_channel(peer), msg, ENOMEM, NULL);
		return;
	}
	for (i = 0; i < n; i++) {
		v[i].user = env->users->users[i].name;
		v[i].uid = env->users->users[i].uid;
		v[i].gid = env->users->users[i].gid;
	}
	rep.users.users_len = (u_int)n;
	rep.users.users_val = v;
	ipc_reply_xdr(ipc_peer_channel(peer), msg, GSSD_USER_LIST_REPLY, -1,
	    (xdrproc_t)xdr_gssd_user_list_reply, &rep);
	free(v);
}

static const struct ipc_handler gssd_handlers[] = {
	{ GSSD_ACCEPT, FRONT_ENDS, gssd_accept },
	{ GSSD_RELEASE, FRONT_ENDS, gssd_release },
	{ GSSD_RPCSEC_ACCEPT, NFSD, gssd_rpcsec_accept },
	{ GSSD_RPCSEC_FETCH, NFSD, gssd_rpcsec_fetch },
	{ GSSD_RPCSEC_DESTROY, NFSD, gssd_rpcsec_destroy },
	{ GSSD_RPCSEC_INITIATE, NFSD, gssd_rpcsec_initiate },
	{ GSSD_RPCSEC_KDC, NFSD, gssd_rpcsec_kdc },
	{ GSSD_USER_SET, CTL, gssd_user_set },
	{ GSSD_USER_DEL, CTL, gssd_user_del },
	{ GSSD_USER_LIST, CTL, gssd_user_list },
	{ GSSD_USER_GROUPS, CTL, gssd_user_groups },
	{ GSSD_RPCSEC_LIST, CTL, gssd_rpcsec_list },
};

static const struct ipc_handler gssd_ctl_handlers[] = {
	{ GSSD_USER_SET, CTL, gssd_user_set },
	{ GSSD_USER_DEL, CTL, gssd_user_del },
	{ GSSD_USER_LIST, CTL, gssd_user_list },
	{ GSSD_USER_GROUPS, CTL, gssd_user_groups },
	{ GSSD_RPCSEC_LIST, CTL, gssd_rpcsec_list },
};

/* A front end's channel closed: its contexts go with it. */
static void
gssd_peer_gone(struct ipc_peer *peer, void *arg)
{
	struct daemon *d = arg;
	struct gssd_env *env = d->env;
	struct gssd_ctx *c, *next;

	for (c = TAILQ_FIRST(&env->contexts); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->peer == peer)
			gssd_ctx_free(env, c);
	}
	gssd_rpcsec_peer_gone(env, peer);
}

static void
gssd_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct gssd_env *env = arg;
	struct gssd_ctx *c, *next;
	uint64_t now = daemon_usec();
	size_t n = 0;

	for (c = TAILQ_FIRST(&env->contexts); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->expires <= now) {
			gssd_ctx_free(env, c);
			n++;
		}
	}
	n += gssd_rpcsec_sweep(env);
	if (n > 0) {
		env->count.expired += n;
		log_info_rl("%zu security context(s) expired", n);
	}
}

/* "UID:GID" or a user name (before the chroot only). */
static int
gssd_guest(struct gssd_env *env, const char *text, int may_resolve)
{
	unsigned long u, g;
	struct passwd *pw;
	char *end;

	errno = 0;
	u = strtoul(text, &end, 10);
	if (end != text && *end == ':' && errno == 0 && u < UINT32_MAX) {
		g = strtoul(end + 1, &end, 10);
		if (*end != '\0' || errno != 0 || g >= UINT32_MAX)
			return -1;
		env->guest_uid = (uid_t)u;
		env->guest_gid = (gid_t)g;
	} else if (strcmp(text, env->guest_account) == 0 && !may_resolve)
		return 0;	/* unchanged */
	else if (!may_resolve)
		return -1;
	else if ((pw = getpwnam(text)) == NULL)
		return -1;
	else {
		env->guest_uid = pw->pw_uid;
		env->guest_gid = pw->pw_gid;
	}
	snprintf(env->guest_account, sizeof(env->guest_account), "%s", text);
	return 0;
}

/* dittofs.conf(5) [gssd]: at start (resolve = 1) and on reload. */
static int
gssd_configure(struct daemon *d, int resolve)
{
	struct gssd_env *env = d->env;
	const char *map = daemon_section_get(d, "map to guest");
	const char *guest = daemon_section_get(d, "guest account");
	const char *name = daemon_section_get(d, "netbios name");
	const char *dom = daemon_section_get(d, "domain");
	const char *dns = daemon_section_get(d, "dns domain");
	struct utsname un;
	size_t i;
	int bad_user;

	if (strcasecmp(map, "never") == 0)
		bad_user = 0;
	else if (strcasecmp(map, "bad user") == 0)
		bad_user = 1;
	else {
		log_warnx("[gssd] map to guest = %s: expected never or "
		    "bad user", map);
		return -1;
	}
	if (gssd_guest(env, guest, resolve) == -1) {
		log_warnx("[gssd] guest account = %s: no such user, or not "
		    "UID:GID%s", guest, resolve ? "" : " (a name is resolved "
		    "at start only: restart gssd)");
		return -1;
	}
	env->map_bad_user = bad_user;
	if (name == NULL) {
		if (uname(&un) == -1)
			snprintf(un.nodename, sizeof(un.nodename), "dittofs");
		un.nodename[strcspn(un.nodename, ".")] = '\0';
		name = un.nodename;
	}
	snprintf(env->nb_computer, sizeof(env->nb_computer), "%.15s", name);
	for (i = 0; env->nb_computer[i] != '\0'; i++)
		env->nb_computer[i] = (char)toupper(
		    (unsigned char)env->nb_computer[i]);
	snprintf(env->nb_domain, sizeof(env->nb_domain), "%.15s", dom);
	for (i = 0; env->nb_domain[i] != '\0'; i++)
		env->nb_domain[i] = (char)toupper(
		    (unsigned char)env->nb_domain[i]);
	snprintf(env->dns_domain, sizeof(env->dns_domain), "%s",
	    dns != NULL ? dns : env->nb_domain);
	for (i = 0; env->dns_domain[i] != '\0'; i++)
		env->dns_domain[i] = (char)tolower(
		    (unsigned char)env->dns_domain[i]);
	snprintf(env->dns_computer, sizeof(env->dns_computer), "%s",
	    env->nb_computer);
	for (i = 0; env->dns_computer[i] != '\0'; i++)
		env->dns_computer[i] = (char)tolower(
		    (unsigned char)env->dns_computer[i]);
	env->contexts_per_peer = (size_t)conf_get_int(d->conf, "gssd",
	    "contexts per peer");
	env->context_timeout = (unsigned int)conf_get_int(d->conf, "gssd",
	    "context timeout");
	env->rpcsec_max = (size_t)conf_get_int(d->conf, "gssd",
	    "rpcsec contexts max");
	return 0;
}

static void
gssd_pre_init(struct daemon *d)
{
	struct gssd_env *env = d->env;

	env->daemon = d;
	TAILQ_INIT(&env->contexts);
	if (gssd_configure(d, 1) == -1)
		fatalx("bad [gssd] configuration");
	/* OpenSSL reads its configuration once, here, not in the chroot. */
	if (ntcrypto_init() == -1)
		fatalx("OpenSSL initialisation");
	gssd_krb5_pre_init(env);
	daemon_allow_peer(d, IPC_ROLE_NFSD, 0);
	daemon_allow_peer(d, IPC_ROLE_SMBD, 0);
	/* The control role: root (dittofsctl), or ours in development. */
	if (d->npolicy + 2 <= DAEMON_POLICY_MAX) {
		d->policy[d->npolicy].role = IPC_ROLE_CTL;
		d->policy[d->npolicy].uid = 0;
		d->policy[d->npolicy++].accept_fds = 0;
		if (geteuid() != 0) {
			d->policy[d->npolicy].role = IPC_ROLE_CTL;
			d->policy[d->npolicy].uid = geteuid();
			d->policy[d->npolicy++].accept_fds = 0;
		}
	}
	daemon_serve(d, "gssd.sock", gssd_handlers,
	    sizeof(gssd_handlers) / sizeof(gssd_handlers[0]));
	ipc_server_set_peer_callbacks(d->service, NULL, gssd_peer_gone);
}

static void
gssd_post_init(struct daemon *d)
{
	struct gssd_env *env = d->env;
	struct timeval tv = { GSSD_SWEEP_SECONDS, 0 };
	char err[512];

	env->users = userdb_open(d->sandbox.chroot[0] ? "" : d->state_dir,
	    GSSD_USERS_MAX, err, sizeof(err));
	if (env->users == NULL)
		fatalx("password database: %s", err);
	log_info("password database: %zu user(s); NTLM target %s\\%s; "
	    "unknown users %s", env->users->nusers, env->nb_domain,
	    env->nb_computer, env->map_bad_user ? "map to guest" :
	    "refused");
	gssd_krb5_post_init(env);
	env->ev_sweep = event_new(d->base, -1, EV_PERSIST, gssd_sweep, env);
	if (env->ev_sweep == NULL || event_add(env->ev_sweep, &tv) == -1)
		fatalx("sweep timer");
}

static void
gssd_reload(struct daemon *d)
{
	if (gssd_configure(d, 0) == -1)
		log_warnx("reload: [gssd] settings above kept as they were");
}

static void
gssd_stop(struct daemon *d)
{
	struct gssd_env *env = d->env;

	while (!TAILQ_EMPTY(&env->contexts))
		gssd_ctx_free(env, TAILQ_FIRST(&env->contexts));
	if (env->ev_sweep != NULL)
		event_free(env->ev_sweep);
	env->ev_sweep = NULL;
	userdb_free(env->users);
	env->users = NULL;
	gssd_krb5_stop(env);
}

static void
gssd_status_line(struct daemon *d, char *buf, size_t len)
{
	struct gssd_env *env = d->env;

	snprintf(buf, len, "%zu front end(s) connected; %zu context(s) in "
	    "creation; %zu user(s); logins %llu, guest %llu, anonymous %llu, "
	    "denied %llu; bad tokens %llu; refused by the per-peer limit "
	    "%llu; expired %llu; Kerberos: %s, %zu RPCSEC_GSS context(s) "
	    "(%zu in creation), accepted %llu, refused %llu, handed back "
	    "%llu; NFSv4.0 callback contexts made %llu, failed %llu, KDC "
	    "messages through nfsd %llu",
	    d->service ? ipc_server_peer_count(d->service) : 0,
	    env->ncontexts, env->users ? env->users->nusers : 0,
	    (unsigned long long)env->count.accepted,
	    (unsigned long long)env->count.guests,
	    (unsigned long long)env->count.anonymous,
	    (unsigned long long)env->count.denied,
	    (unsigned long long)env->count.bad_tokens,
	    (unsigned long long)env->count.limit_hits,
	    (unsigned long long)env->count.expired,
	    env->cred != GSS_C_NO_CREDENTIAL ? "on" : "off",
	    env->nrpcsec_done, env->nrpcsec_pending,
	    (unsigned long long)env->count.krb5_accepted,
	    (unsigned long long)env->count.krb5_denied,
	    (unsigned long long)env->count.krb5_fetched,
	    (unsigned long long)env->initiated,
	    (unsigned long long)env->initiate_failed,
	    (unsigned long long)env->kdc_messages);
}

static const struct daemon_def gssd_def = {
	.name = "gssd",
	.role = IPC_ROLE_GSSD,
	.chroot = DAEMON_CHROOT_STATE,
	/*
	 * AF_UNIX alone: nfsd carries the KDC messages of the NFSv4.0
	 * callbacks' tickets (initiate.c), gssd never opens a network
	 * socket.
	 */
	.socket_families = SANDBOX_AF_UNIX,
	.syscalls = gssd_syscalls,
	.pre_init = gssd_pre_init,
	.post_init = gssd_post_init,
	.reload = gssd_reload,
	.stop = gssd_stop,
	.status = gssd_status_line,
	.ctl_handlers = gssd_ctl_handlers,
	.nctl_handlers = sizeof(gssd_ctl_handlers) /
	    sizeof(gssd_ctl_handlers[0]),
};

int
main(int argc, char *argv[])
{
	struct gssd_env env;

	memset(&env, 0, sizeof(env));
	return daemon_main(argc, argv, &gssd_def, &env);
}
