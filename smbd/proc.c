/*
 * smbd's commands that are not about files: NEGOTIATE, SESSION_SETUP
 * (the security buffer goes to gssd, which alone verifies it), LOGOFF,
 * TREE_CONNECT, TREE_DISCONNECT, ECHO, CANCEL (of a LOCK, lock.c, or a
 * CHANGE_NOTIFY, notify.c); and
 * the one dispatch table, with what each command needs (a session, a
 * tree) checked before its handler runs (MS-SMB2 3.3.5.2.9, 3.3.5.2.11).
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "log.h"
#include "smbd.h"
#include "status.h"

#define SMBD_SESSION_FLAG_BINDING	0x01	/* the request's Flags */
#define SMBD_SESSION_FLAG_IS_GUEST	0x0001
#define SMBD_SESSION_FLAG_IS_NULL	0x0002
#define SMBD_SESSION_FLAG_ENCRYPT_DATA	0x0004
#define SMBD_SHAREFLAG_ENCRYPT_DATA	0x00008000u
#define SMBD_SHAREFLAG_ACCESS_BASED_DIRECTORY_ENUM 0x00000800u
#define SMBD_FILE_ALL_ACCESS		0x001f01ffu
#define SMBD_FILE_GENERIC_READ		0x001200a9u
#define SMB2_SHARE_TYPE_DISK		0x01
#define SMB2_SHARE_TYPE_PIPE		0x02

static void	smbd_tree_add(struct smbd_req *, struct smbd_session *,
		    size_t, uint8_t, uint32_t, uint32_t, int);

struct smbd_session *
smbd_req_session(struct smbd_req *r)
{
	struct smbd_session *s = smbd_session_find(r->conn, r->rel_session);

	/*
	 * MS-SMB2 3.3.5.2.7.2: a related operation whose previous one had
	 * no valid session fails INVALID_PARAMETER.
	 */
	if (s == NULL) {
		smbd_reply_error(r, r->hdr.flags &
		    SMB2_FLAGS_RELATED_OPERATIONS ? STATUS_INVALID_PARAMETER :
		    STATUS_USER_SESSION_DELETED);
		return NULL;
	}
	if (s->state != SMBD_SESSION_VALID) {
		smbd_reply_error(r, STATUS_ACCESS_DENIED);
		return NULL;
	}
	return s;
}

struct smbd_tree *
smbd_req_tree(struct smbd_req *r, struct smbd_session *s)
{
	struct smbd_tree *t = smbd_tree_find(s, r->rel_tree);

	if (t == NULL)
		smbd_reply_error(r, STATUS_NETWORK_NAME_DELETED);
	return t;
}

/* MS-SMB2 3.3.5.4 */
static void
smbd_negotiate(struct smbd_req *r)
{
	struct smbd_conn *c = r->conn;
	struct smbd_env *env = c->env;
	struct smb2_server_params sp;
	struct smb2_negotiated neg;
	uint8_t out[512], salt[32];
	size_t n;
	uint32_t st;

	if (c->neg.dialect != 0) {
		/* A second NEGOTIATE ends the connection (3.3.5.4). */
		smbd_conn_close(c, "second NEGOTIATE");
		smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return;
	}
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		memset(salt, 0, sizeof(salt));
	memset(&sp, 0, sizeof(sp));
	sp.guid = env->server_guid;
	sp.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED |
	    (env->signing_required ? SMB2_NEGOTIATE_SIGNING_REQUIRED : 0);
	sp.max_transact = env->max_transact;
	sp.max_read = env->max_read;
	sp.max_write = env->max_write;
	sp.system_time = smbd_filetime_now();
	if (env->spnego_hint_len > 0) {
		sp.hint = env->spnego_hint;
		sp.hint_len = env->spnego_hint_len;
	}
	sp.salt = salt;
	sp.multichannel = env->multichannel;
	if (env->encryption != SMBD_ENCRYPT_OFF) {
		sp.ciphers = env->ciphers;
		sp.nciphers = env->nciphers;
	}
	st = smb2_negotiate(r->msg, r->len, &sp, &neg, out, sizeof(out), &n);
	if (st != STATUS_SUCCESS) {
		if (st == STATUS_INVALID_PARAMETER)
			smbd_bad(r, "NEGOTIATE");
		else
			smbd_reply_error(r, st);
		return;
	}
	c->neg = neg;
	if (neg.preauth) {
		memset(c->preauth, 0, sizeof(c->preauth));
		(void)smb2_preauth_update(c->preauth, r->msg, r->len);
	}
	smbd_reply(r, STATUS_SUCCESS, out, n);
}

/* SESSION_SETUP's state while gssd works on the token. */
struct smbd_setup {
	struct smbd_req	*r;
	uint64_t	 session_id;
	int		 created;
	int		 binding;	/* a channel's (smbd_bind_reply) */
	uint8_t		 client_mode;
	uint64_t	 previous;	/* PreviousSessionId */
};

/*
 * MS-SMB2 3.3.5.5.3: a client coming back on a new connection names its
 * session of the old one, which goes (its durable opens wait in stated
 * for their reconnect: durable.c) if it is the same user's.
 */
static void
smbd_setup_previous(struct smbd_conn *c, struct smbd_session *s,
    uint64_t previous)
{
	struct smbd_conn *oc;
	struct smbd_session *os;

	if (previous == 0 || previous == s->id ||
	    (os = smbd_session_lookup(c->env, previous, &oc)) == NULL)
		return;
	if (os->state != SMBD_SESSION_VALID || os->gss_pending ||
	    os->uid != s->uid || strcmp(os->user, s->user) != 0)
		return;
	log_info("%s: session %016llx replaces %016llx of %s", c->peer,
	    (unsigned long long)s->id, (unsigned long long)previous,
	    oc->peer);
	smbd_session_free(oc, os);
}

/*
 * MS-SMB2 3.3.5.5.1: a SessionId for a new session, of none alive.  The
 * ids count on from a random start, within 32 bits as Windows' and
 * Samba's are: clients keep it so (smbtorture's smb2.session-id puts a
 * session's id back from a 32-bit copy); never 0 nor all ones.
 */
static uint64_t
smbd_session_new_id(struct smbd_env *env)
{
	struct smbd_conn *c;
	uint64_t id;

	do {
		id = env->next_session_id++ & 0xffffffffu;
		if (id == 0 || id == 0xffffffffu)
			id = env->next_session_id++ & 0xffffffffu;
	} while (id == 0 || smbd_session_lookup(env, id, &c) != NULL);
	return id;
}

/*
 * A SESSION_SETUP naming a session of another connection is refused:
 * the answer is signed as that session signs (its key, its connection's
 * algorithm) when sign says its request's signature verified so.
 */
static void
smbd_setup_refuse(struct smbd_req *r, const struct smbd_conn *oc,
    const struct smbd_session *s, int sign, uint32_t status,
    const char *why)
{
	log_info_rl("%s: SESSION_SETUP%s of session %016llx%s%s: %s: %s",
	    r->conn->peer, r->msg[SMB2_HDR_SIZE + 2] &
	    SMBD_SESSION_FLAG_BINDING ? " binding" : "",
	    (unsigned long long)r->hdr.session_id, oc != NULL ? " of " : "",
	    oc != NULL ? oc->peer : "", why, smb2_status_name(status));
	if (sign) {
		r->bind_sign = 1;
		r->bind_algorithm = oc->neg.signing_algorithm;
		memcpy(r->bind_key, s->signing_key, SMB2_KEY_SIZE);
	}
	smbd_reply_error(r, status);
	r->bind_sign = 0;
	OPENSSL_cleanse(r->bind_key, sizeof(r->bind_key));
}

/* 1 when the request is signed with the key of s, of connection oc. */
static int
smbd_setup_signed_by(struct smbd_req *r, const struct smbd_conn *oc,
    const struct smbd_session *s)
{
	if (!(r->hdr.flags & SMB2_FLAGS_SIGNED) || !s->has_key)
		return 0;
	if (smb2_verify(oc->neg.signing_algorithm, s->signing_key, r->msg,
	    r->len) == -1) {
		r->conn->env->bad_signatures++;
		return 0;
	}
	return 1;
}

/*
 * MS-SMB2 3.3.5.5: without SMB2_SESSION_FLAG_BINDING, a SESSION_SETUP
 * re-authenticates a session of this connection; one of another
 * connection is USER_SESSION_DELETED here, signed as it signs, as
 * Windows answers (smbtorture's bind_negative tests check both).
 */
static void
smbd_session_elsewhere(struct smbd_req *r)
{
	struct smbd_conn *oc = NULL;
	struct smbd_session *s;

	s = smbd_session_lookup(r->conn->env, r->hdr.session_id, &oc);
	smbd_setup_refuse(r, oc, s, s != NULL &&
	    smbd_setup_signed_by(r, oc, s), STATUS_USER_SESSION_DELETED,
	    s != NULL ? "not of this connection" : "no such session");
}

static void	smbd_bind_reply(struct ipc_channel *, struct ipc_msg *, void *);

/* SESSION_SETUP's security buffer (checked) to gssd: 0, or -1. */
static int
smbd_gssd_accept(struct ipc_channel *ch, struct smbd_req *r,
    uint64_t context, ipc_reply_fn *done, void *arg)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	gssd_accept_req req;

	memset(&req, 0, sizeof(req));
	req.context = context;
	req.mech = GSSD_MECH_SPNEGO;
	req.service = (char *)"cifs";
	req.token.token_len = smb2_get16(b + 14);
	req.token.token_val = (char *)(uintptr_t)(r->msg + smb2_get16(b + 12));
	return ipc_call(ch, GSSD_ACCEPT, -1, (xdrproc_t)xdr_gssd_accept_req,
	    &req, done, arg);
}
static uint32_t	smbd_gssd_status(gssd_status);

/*
 * MS-SMB2 3.3.5.5.2, 3.3.5.5.3: a bind authenticates on the new
 * connection as a new session would (through gssd), its own exchange
 * hashed (3.1.1) from this connection's NEGOTIATE on; ch is the
 * channel of a bind under way, or NULL for its first leg.
 */
static void
smbd_bind_auth(struct smbd_req *r, struct smbd_conn *oc,
    struct smbd_session *s, struct smbd_channel *ch)
{
	struct smbd_conn *c = r->conn;
	struct ipc_channel *gch;
	struct smbd_setup *w;

	if (c->env->gssd == NULL ||
	    (gch = ipc_client_channel(c->env->gssd)) == NULL) {
		if (ch != NULL)
			smbd_channel_free(s, ch);
		smbd_setup_refuse(r, oc, s, 1, STATUS_NO_LOGON_SERVERS,
		    "gssd is not connected");
		return;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (ch == NULL && (ch = calloc(1, sizeof(*ch))) == NULL)) {
		free(w);
		smbd_setup_refuse(r, oc, s, 1, STATUS_INSUFFICIENT_RESOURCES,
		    "out of memory");
		return;
	}
	if (ch->conn == NULL) {
		ch->conn = c;
		ch->state = SMBD_SESSION_SETUP;
		memcpy(ch->preauth, c->preauth, sizeof(ch->preauth));
		TAILQ_INSERT_TAIL(&s->channels, ch, entry);
		s->nchannels++;
		c->nbound++;
	}
	r->rel_session = s->id;
	if (c->neg.preauth)
		(void)smb2_preauth_update(ch->preauth, r->msg, r->len);
	w->r = r;
	w->session_id = s->id;
	w->binding = 1;
	r->work = w;
	r->work_free = free;
	if (smbd_gssd_accept(gch, r, ch->gss_context, smbd_bind_reply,
	    w) == -1) {
		log_warn_rl("gssd: ACCEPT");
		smbd_channel_free(s, ch);
		smbd_setup_refuse(r, oc, s, 1, STATUS_LOGON_FAILURE,
		    "gssd: ACCEPT failed");
		return;
	}
	ch->gss_pending = 1;
}

/*
 * gssd's answer to a bind's token.  The channel's signing key comes
 * from this authentication's session key (MS-SMB2 3.3.5.5.3: its
 * 3.1.1 context the channel's own preauth hash), the session's
 * encryption keys stay; the user must be the session's
 * (ACCESS_DENIED).  The answers before the last are signed with the
 * session's key, the last with the channel's (smbd_reply_in), a
 * refusal as the session signs.
 */
static void
smbd_bind_reply(struct ipc_channel *gch, struct ipc_msg *msg, void *arg)
{
	struct smbd_setup *w = arg;
	struct smbd_req *r = w->r;
	struct smbd_conn *c = r->conn, *oc;
	struct smbd_session *s;
	struct smbd_channel *ch;
	gssd_accept_reply rep;
	const char *why = NULL;
	uint8_t *p;
	size_t tlen;
	uint32_t st;

	if (c->closing) {
		smbd_reply_error(r, STATUS_INTERNAL_ERROR);
		return;
	}
	if ((s = smbd_session_lookup(c->env, w->session_id, &oc)) == NULL ||
	    (ch = smbd_channel_find(s, c)) == NULL) {
		smbd_reply_error(r, STATUS_USER_SESSION_DELETED);
		return;
	}
	ch->gss_pending = 0;
	memset(&rep, 0, sizeof(rep));
	if (msg == NULL || msg->hdr.type != GSSD_ACCEPT_REPLY ||
	    ipc_decode(msg, (xdrproc_t)xdr_gssd_accept_reply, &rep) == -1) {
		smbd_channel_free(s, ch);
		c->env->logon_failures++;
		smbd_setup_refuse(r, oc, s, 1, STATUS_LOGON_FAILURE,
		    "gssd did not answer its token");
		return;
	}
	tlen = rep.token.token_len;
	switch (rep.status) {
	case GSSD_CONTINUE:
		ch->gss_context = rep.context;
		st = STATUS_MORE_PROCESSING_REQUIRED;
		break;
	case GSSD_COMPLETE:
		st = STATUS_SUCCESS;
		if ((rep.flags & (GSSD_FLAG_GUEST | GSSD_FLAG_ANONYMOUS)) ||
		    rep.identity.uid != s->uid || rep.identity.user == NULL ||
		    strcmp(rep.identity.user, s->user) != 0) {
			st = STATUS_ACCESS_DENIED;
			why = "another user than the session's";
		} else if (rep.session_key.session_key_len == 0 ||
		    smb2_signing_key(c->neg.dialect,
		    (const uint8_t *)rep.session_key.session_key_val,
		    rep.session_key.session_key_len, ch->preauth,
		    ch->signing_key) == -1) {
			st = STATUS_INTERNAL_ERROR;
			why = "no channel key";
		}
		break;
	default:
		st = smbd_gssd_status(rep.status);
		why = "its authentication failed";
		break;
	}
	if (st != STATUS_SUCCESS && st != STATUS_MORE_PROCESSING_REQUIRED) {
		xdr_free((xdrproc_t)xdr_gssd_accept_reply, &rep);
		smbd_channel_free(s, ch);
		if (st == STATUS_LOGON_FAILURE)
			c->env->logon_failures++;
		smbd_setup_refuse(r, oc, s, 1, st, why);
		return;
	}
	if ((p = smbd_reply_room(r, 8 + tlen)) == NULL) {
		xdr_free((xdrproc_t)xdr_gssd_accept_reply, &rep);
		smbd_channel_free(s, ch);
		smbd_setup_refuse(r, oc, s, 1, STATUS_INSUFFICIENT_RESOURCES,
		    "out of memory");
		return;
	}
	/* MS-SMB2 2.2.6: no flags (a client ignores ENCRYPT_DATA here). */
	smb2_put16(p, 9);
	smb2_put16(p + 2, 0);
	smb2_put16(p + 4, SMB2_HDR_SIZE + 8);
	smb2_put16(p + 6, (uint16_t)tlen);
	if (tlen > 0)
		memcpy(p + 8, rep.token.token_val, tlen);
	xdr_free((xdrproc_t)xdr_gssd_accept_reply, &rep);
	if (st == STATUS_SUCCESS) {
		ch->state = SMBD_SESSION_VALID;
		ch->gss_context = 0;
		c->env->binds++;
		log_info("%s: session %016llx of %s: bound as a channel "
		    "(%zu of them), its first %s", c->peer,
		    (unsigned long long)s->id, s->user, s->nchannels + 1,
		    oc->peer);
		smbd_reply_in(r, st, 8 + tlen);
		return;
	}
	r->bind_sign = 1;
	r->bind_algorithm = oc->neg.signing_algorithm;
	memcpy(r->bind_key, s->signing_key, SMB2_KEY_SIZE);
	r->bind_preauth = c->neg.preauth;
	smbd_reply_in(r, st, 8 + tlen);
	r->bind_sign = 0;
	OPENSSL_cleanse(r->bind_key, sizeof(r->bind_key));
}

void
smbd_bind_preauth(struct smbd_req *r, const uint8_t *rsp, size_t len)
{
	struct smbd_session *s;
	struct smbd_channel *ch;
	struct smbd_conn *oc;

	r->bind_preauth = 0;
	if ((s = smbd_session_lookup(r->conn->env, r->rel_session, &oc)) !=
	    NULL && (ch = smbd_channel_find(s, r->conn)) != NULL &&
	    ch->state == SMBD_SESSION_SETUP)
		(void)smb2_preauth_update(ch->preauth, rsp, len);
}

/*
 * MS-SMB2 3.3.5.5: SMB2_SESSION_FLAG_BINDING asks to join this
 * connection to a session of another one as a channel (multichannel).
 * The session is looked for on every connection; an unsigned request,
 * or one whose signature the session's key and signing algorithm do
 * not verify, is refused before anything else is said of it.  Then the
 * checks come in Windows' order (which Samba and smbtorture's
 * smb2.session.bind_negative_* follow): a signing algorithm of the
 * other family where one side is AES-GMAC (whose nonce cannot serve
 * both), a 2.x connection, another dialect or cipher than the
 * session's, an expired ticket, the session's own connection.  Each
 * of these refusals is signed as the session signs, so that the client
 * can trust it.  A bind that passes them all, to a connection not yet
 * a channel of the session, authenticates (smbd_bind_auth) unless
 * [smbd] multichannel is off or the session has SMBD_CHANNELS_MAX.
 */
static void
smbd_session_bind(struct smbd_req *r)
{
	struct smbd_conn *c = r->conn, *oc = NULL;
	struct smbd_session *s;
	struct smbd_channel *ch;
	uint16_t have, want;

	if ((s = smbd_session_lookup(c->env, r->hdr.session_id, &oc)) ==
	    NULL) {
		smbd_setup_refuse(r, NULL, NULL, 0,
		    STATUS_USER_SESSION_DELETED, "no such session");
		return;
	}
	if (!(r->hdr.flags & SMB2_FLAGS_SIGNED)) {
		smbd_setup_refuse(r, oc, s, 0, STATUS_INVALID_PARAMETER,
		    "not signed");
		return;
	}
	if (s->state != SMBD_SESSION_VALID || s->gss_pending) {
		smbd_setup_refuse(r, oc, s, 0, STATUS_REQUEST_NOT_ACCEPTED,
		    "its authentication is under way");
		return;
	}
	if (s->guest || s->anonymous || !s->has_key) {
		smbd_setup_refuse(r, oc, s, 0, STATUS_NOT_SUPPORTED,
		    "a guest or anonymous session");
		return;
	}
	if (!smbd_setup_signed_by(r, oc, s)) {
		smbd_setup_refuse(r, oc, s, 0, STATUS_ACCESS_DENIED,
		    "bad signature");
		return;
	}
	have = oc->neg.signing_algorithm;
	want = c->neg.signing_algorithm;
	if (have == SMB2_SIGN_AES_GMAC && want != have)
		smbd_setup_refuse(r, oc, s, 1, STATUS_REQUEST_OUT_OF_SEQUENCE,
		    "the session signs with AES-GMAC, this connection not");
	else if (want == SMB2_SIGN_AES_GMAC && want != have)
		smbd_setup_refuse(r, oc, s, 1, STATUS_NOT_SUPPORTED,
		    "this connection signs with AES-GMAC, the session not");
	else if (c->neg.dialect < SMB2_DIALECT_300)
		smbd_setup_refuse(r, oc, s, 1, STATUS_REQUEST_NOT_ACCEPTED,
		    "a 2.x dialect binds no channel");
	else if (c->neg.dialect != oc->neg.dialect)
		smbd_setup_refuse(r, oc, s, 1, STATUS_INVALID_PARAMETER,
		    "another dialect than the session's");
	else if (c->neg.cipher != oc->neg.cipher)
		smbd_setup_refuse(r, oc, s, 1, STATUS_INVALID_PARAMETER,
		    "another cipher than the session's");
	else if (s->expires != 0 && (uint64_t)time(NULL) >= s->expires)
		smbd_setup_refuse(r, oc, s, 1, STATUS_NETWORK_SESSION_EXPIRED,
		    "its Kerberos ticket has ended");
	else if (oc == c || ((ch = smbd_channel_find(s, c)) != NULL &&
	    ch->state == SMBD_SESSION_VALID))
		smbd_setup_refuse(r, oc, s, 1, STATUS_REQUEST_NOT_ACCEPTED,
		    "already of this connection");
	else if (!c->env->multichannel)
		smbd_setup_refuse(r, oc, s, 1, STATUS_REQUEST_NOT_ACCEPTED,
		    "[smbd] multichannel = no");
	else if (ch == NULL && s->nchannels + 1 >= SMBD_CHANNELS_MAX)
		smbd_setup_refuse(r, oc, s, 1, STATUS_INSUFFICIENT_RESOURCES,
		    "its channels are at their limit");
	else if (ch != NULL && ch->gss_pending)
		smbd_setup_refuse(r, oc, s, 1, STATUS_REQUEST_NOT_ACCEPTED,
		    "its bind is with gssd");
	else
		smbd_bind_auth(r, oc, s, ch);
}

static void
smbd_setup_fail(struct smbd_req *r, struct smbd_setup *w, uint32_t status)
{
	struct smbd_session *s = smbd_session_find(r->conn, w->session_id);

	/*
	 * MS-SMB2 3.3.5.5.3: a failed exchange removes the session, a
	 * re-authenticated one's (3.3.5.5.2) too, with its trees and opens
	 * (durable ones are kept as for a LOGOFF).
	 */
	if (s != NULL) {
		s->gss_pending = 0;
		if (s->state == SMBD_SESSION_VALID)
			log_info("%s: session %016llx of %s: its "
			    "re-authentication failed: removed", r->conn->peer,
			    (unsigned long long)s->id, s->user);
		smbd_session_free(r->conn, s);
	}
	if (status == STATUS_LOGON_FAILURE)
		r->conn->env->logon_failures++;
	smbd_reply_error(r, status);
}

static uint32_t
smbd_gssd_status(gssd_status st)
{
	switch (st) {
	case GSSD_DENIED:
		return STATUS_LOGON_FAILURE;
	case GSSD_BAD_TOKEN:
	case GSSD_NO_CONTEXT:
		return STATUS_INVALID_PARAMETER;
	case GSSD_UNSUPPORTED:
		return STATUS_NOT_SUPPORTED;
	case GSSD_LIMIT:
		return STATUS_INSUFFICIENT_RESOURCES;
	default:
		return STATUS_INTERNAL_ERROR;
	}
}

/* The session is authenticated: identity, keys (MS-SMB2 3.3.5.5.3). */
static uint32_t
smbd_setup_complete(struct smbd_req *r, struct smbd_session *s,
    const gssd_accept_reply *rep, uint8_t client_mode)
{
	struct smbd_conn *c = r->conn;
	const gssd_identity *id = &rep->identity;
	u_int i;

	s->guest = (rep->flags & GSSD_FLAG_GUEST) != 0;
	s->anonymous = (rep->flags & GSSD_FLAG_ANONYMOUS) != 0;
	s->uid = id->uid;
	s->gid = id->gid;
	s->ngroups = 0;
	for (i = 0; i < id->groups.groups_len && i < BD_NGROUPS_MAX; i++)
		s->groups[s->ngroups++] = id->groups.groups_val[i];
	snprintf(s->user, sizeof(s->user), "%s", id->user != NULL ?
	    id->user : "?");
	/* A re-authentication's fresh ticket sets the end anew. */
	s->expires = rep->expires;
	s->expired_said = 0;
	if (!s->guest && !s->anonymous &&
	    rep->session_key.session_key_len > 0 && !s->has_key) {
		if (smb2_signing_key(c->neg.dialect,
		    (const uint8_t *)rep->session_key.session_key_val,
		    rep->session_key.session_key_len, s->preauth,
		    s->signing_key) == -1)
			return STATUS_INTERNAL_ERROR;
		s->has_key = 1;
		s->signing_required = c->env->signing_required ||
		    (client_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED) != 0;
		if (smbd_session_cipher_keys(c, s,
		    (const uint8_t *)rep->session_key.session_key_val,
		    rep->session_key.session_key_len) == -1)
			return STATUS_INTERNAL_ERROR;
		/* MS-SMB2 3.3.5.5.3: EncryptData where it can be. */
		if (c->env->encryption >= SMBD_ENCRYPT_DESIRED &&
		    s->has_cipher_keys)
			s->encrypt_data = 1;
	}
	/* A guest or anonymous session has no key to encrypt with. */
	if (c->env->encryption == SMBD_ENCRYPT_REQUIRED && !s->encrypt_data) {
		log_warnx_rl("%s: [smbd] encryption = required: a session "
		    "without a key (guest or anonymous) refused", c->peer);
		return STATUS_ACCESS_DENIED;
	}
	s->state = SMBD_SESSION_VALID;
	s->gss_pending = 0;
	s->gss_context = 0;
	c->env->logons++;
	log_info("%s: session %016llx: %s%s (uid %u, gid %u), dialect "
	    "%x, signing %s, encryption %s%s", c->peer,
	    (unsigned long long)s->id, s->user,
	    s->guest ? " as guest" : s->anonymous ? " anonymous" : "",
	    s->uid, s->gid, c->neg.dialect, s->signing_required ? "required" :
	    s->has_key ? "enabled" : "off", s->has_cipher_keys ?
	    smb2_cipher_name(c->neg.cipher) : "off", s->encrypt_data ?
	    " (every request)" : "");
	return STATUS_SUCCESS;
}

static void
smbd_setup_reply(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct smbd_setup *w = arg;
	struct smbd_req *r = w->r;
	struct smbd_session *s;
	gssd_accept_reply rep;
	uint8_t *p;
	uint16_t flags = 0;
	size_t tlen;
	uint32_t st;

	if (r->conn->closing) {
		smbd_reply_error(r, STATUS_INTERNAL_ERROR);
		return;
	}
	if ((s = smbd_session_find(r->conn, w->session_id)) == NULL) {
		smbd_reply_error(r, STATUS_USER_SESSION_DELETED);
		return;
	}
	if (msg == NULL || msg->hdr.type != GSSD_ACCEPT_REPLY) {
		log_warnx_rl("%s: gssd %s", r->conn->peer, msg == NULL ?
		    "went away during a SESSION_SETUP" :
		    "refused a SESSION_SETUP");
		smbd_setup_fail(r, w, STATUS_LOGON_FAILURE);
		return;
	}
	memset(&rep, 0, sizeof(rep));
	if (ipc_decode(msg, (xdrproc_t)xdr_gssd_accept_reply, &rep) == -1) {
		log_warnx_rl("gssd: undecodable ACCEPT reply");
		smbd_setup_fail(r, w, STATUS_INTERNAL_ERROR);
		return;
	}
	tlen = rep.token.token_len;
	switch (rep.status) {
	case GSSD_CONTINUE:
		s->gss_context = rep.context;
		s->gss_pending = 0;
		st = STATUS_MORE_PROCESSING_REQUIRED;
		break;
	case GSSD_COMPLETE:
		if (s->conn != r->conn) {
			/*
			 * A re-authentication on a bound channel: one that
			 * fails ends the session as anywhere, one that
			 * succeeds is ACCESS_DENIED and changes nothing, as
			 * Windows answers (smbtorture's bind_invalid_auth,
			 * bind_negative_*).
			 */
			xdr_free((xdrproc_t)xdr_gssd_accept_reply, &rep);
			s->gss_pending = 0;
			s->gss_context = 0;
			log_info_rl("%s: session %016llx re-authenticated on a "
			    "channel bound to it, not its first: ACCESS_DENIED",
			    r->conn->peer, (unsigned long long)s->id);
			smbd_reply_error(r, STATUS_ACCESS_DENIED);
			return;
		}
		st = smbd_setup_complete(r, s, &rep, w->client_mode);
		if (st == STATUS_SUCCESS) {
			smbd_setup_previous(r->conn, s, w->previous);
			if (s->guest)
				flags |= SMBD_SESSION_FLAG_IS_GUEST;
			if (s->anonymous)
				flags |= SMBD_SESSION_FLAG_IS_NULL;
			if (s->encrypt_data)
				flags |= SMBD_SESSION_FLAG_ENCRYPT_DATA;
		}
		break;
	default:
		st = smbd_gssd_status(rep.status);
		log_warnx_rl("%s: SESSION_SETUP: gssd says %d", r->conn->peer,
		    (int)rep.status);
		break;
	}
	if (st != STATUS_SUCCESS && st != STATUS_MORE_PROCESSING_REQUIRED) {
		xdr_free((xdrproc_t)xdr_gssd_accept_reply, &rep);
		smbd_setup_fail(r, w, st);
		return;
	}
	if ((p = smbd_reply_room(r, 8 + tlen)) == NULL) {
		xdr_free((xdrproc_t)xdr_gssd_accept_reply, &rep);
		smbd_setup_fail(r, w, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	/* MS-SMB2 2.2.6 */
	smb2_put16(p, 9);
	smb2_put16(p + 2, flags);
	smb2_put16(p + 4, SMB2_HDR_SIZE + 8);
	smb2_put16(p + 6, (uint16_t)tlen);
	if (tlen > 0)	/* an empty opaque decodes as NULL */
		memcpy(p + 8, rep.token.token_val, tlen);
	xdr_free((xdrproc_t)xdr_gssd_accept_reply, &rep);
	smbd_reply_in(r, st, 8 + tlen);
}

/* MS-SMB2 3.3.5.5 */
static void
smbd_session_setup(struct smbd_req *r)
{
	struct smbd_conn *c = r->conn;
	struct smbd_env *env = c->env;
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct smbd_session *s;
	struct smbd_setup *w;
	struct ipc_channel *ch;
	uint16_t off, len;
	int created = 0;

	if (smb2_body_check(r->len, 25) == -1 || smb2_get16(b) != 25) {
		smbd_bad(r, "SESSION_SETUP");
		return;
	}
	off = smb2_get16(b + 12);
	len = smb2_get16(b + 14);
	/* A 16-bit length is within GSSD_TOKEN_MAX (65536). */
	if (smb2_buffer_check(r->len, SMB2_HDR_SIZE + 24, off, len) == -1) {
		smbd_bad(r, "SESSION_SETUP security buffer");
		return;
	}
	/* MS-SMB2 3.3.5.5: a connection that cannot encrypt. */
	if (env->encryption == SMBD_ENCRYPT_REQUIRED && c->neg.cipher == 0) {
		log_warnx_rl("%s: [smbd] encryption = required: dialect %x "
		    "without a common cipher refused", c->peer,
		    c->neg.dialect);
		smbd_reply_error(r, STATUS_ACCESS_DENIED);
		return;
	}
	/* 3.3.5.5: a bind names a session; without one, the flag is moot. */
	if ((b[2] & SMBD_SESSION_FLAG_BINDING) && r->hdr.session_id != 0) {
		smbd_session_bind(r);
		return;
	}
	if (r->hdr.session_id == 0) {
		if (c->nsessions >= SMBD_SESSIONS_MAX) {
			log_warnx_rl("%s: %d sessions on one connection",
			    c->peer, SMBD_SESSIONS_MAX);
			smbd_reply_error(r, STATUS_REQUEST_NOT_ACCEPTED);
			return;
		}
		if ((s = calloc(1, sizeof(*s))) == NULL) {
			smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
			return;
		}
		s->id = smbd_session_new_id(env);
		s->state = SMBD_SESSION_SETUP;
		TAILQ_INIT(&s->trees);
		TAILQ_INIT(&s->channels);
		s->conn = c;
		s->next_tree_id = 1;
		memcpy(s->preauth, c->preauth, sizeof(s->preauth));
		TAILQ_INSERT_TAIL(&c->sessions, s, entry);
		c->nsessions++;
		created = 1;
	} else if ((s = smbd_session_find(c, r->hdr.session_id)) == NULL) {
		smbd_session_elsewhere(r);
		return;
	}
	if (s->gss_pending) {
		smbd_reply_error(r, STATUS_REQUEST_NOT_ACCEPTED);
		return;
	}
	r->rel_session = s->id;
	if (c->neg.preauth && s->state != SMBD_SESSION_VALID)
		(void)smb2_preauth_update(s->preauth, r->msg, r->len);
	if (env->gssd == NULL ||
	    (ch = ipc_client_channel(env->gssd)) == NULL) {
		log_warnx_rl("%s: SESSION_SETUP: gssd is not connected",
		    c->peer);
		if (created)
			smbd_session_free(c, s);
		c->env->logon_failures++;
		/* MS-ERREF: no one to verify the logon, not a wrong one. */
		smbd_reply_error(r, STATUS_NO_LOGON_SERVERS);
		return;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		if (created)
			smbd_session_free(c, s);
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	w->r = r;
	w->session_id = s->id;
	w->created = created;
	w->client_mode = b[3];
	w->previous = smb2_get64(b + 16);
	r->work = w;
	r->work_free = free;
	if (smbd_gssd_accept(ch, r, s->gss_context, smbd_setup_reply,
	    w) == -1) {
		log_warn_rl("gssd: ACCEPT");
		smbd_setup_fail(r, w, STATUS_LOGON_FAILURE);
		return;
	}
	s->gss_pending = 1;
}

/* MS-SMB2 3.3.5.6 */
static void
smbd_logoff(struct smbd_req *r)
{
	struct smbd_session *s = smbd_session_find(r->conn, r->rel_session);
	uint8_t b[4] = { 4, 0, 0, 0 };

	if (smb2_body_check(r->len, 4) == -1 ||
	    smb2_get16(r->msg + SMB2_HDR_SIZE) != 4) {
		smbd_bad(r, "LOGOFF");
		return;
	}
	if (s == NULL) {
		smbd_reply_error(r, STATUS_USER_SESSION_DELETED);
		return;
	}
	/* The reply is signed with its key, taken before it goes. */
	smbd_reply(r, STATUS_SUCCESS, b, sizeof(b));
	if (!s->gss_pending)
		smbd_session_free(r->conn, s);
	else
		s->state = SMBD_SESSION_SETUP;
}

/* MS-SMB2 3.3.5.7 */
static void
smbd_tree_connect(struct smbd_req *r)
{
	struct smbd_env *env = r->conn->env;
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct smbd_session *s;
	struct smbd_share *sh = NULL;
	char path[1024], *name;
	uint16_t off, len;
	ssize_t n;
	size_t i;
	int encrypt = 0;

	if ((s = smbd_req_session(r)) == NULL)
		return;
	if (smb2_body_check(r->len, 9) == -1 || smb2_get16(b) != 9) {
		smbd_bad(r, "TREE_CONNECT");
		return;
	}
	off = smb2_get16(b + 4);
	len = smb2_get16(b + 6);
	if (len == 0 || (len & 1) ||
	    smb2_buffer_check(r->len, SMB2_HDR_SIZE + 8, off, len) == -1 ||
	    (n = smbd_utf16_to_utf8(r->msg + off, len, path,
	    sizeof(path) - 1)) < 0) {
		smbd_bad(r, "TREE_CONNECT path");
		return;
	}
	path[n] = '\0';
	name = strrchr(path, '\\');
	name = name != NULL ? name + 1 : path;
	if (strcasecmp(name, "IPC$") == 0) {
		/* Named pipes (ipc.c), for every authenticated session. */
		smbd_tree_add(r, s, SMBD_SHARE_IPC, SMB2_SHARE_TYPE_PIPE,
		    0x00000030,		/* SMB2_SHAREFLAG_NO_CACHING */
		    SMBD_FILE_ALL_ACCESS, 0);
		return;
	}
	for (i = 0; i < env->nshares; i++)
		if (strcasecmp(env->shares[i].name, name) == 0) {
			sh = &env->shares[i];
			break;
		}
	if (sh == NULL || !sh->known) {
		if (sh != NULL)
			log_warnx_rl("%s: share %s: its root is not known "
			    "(blockd)", r->conn->peer, sh->name);
		smbd_reply_error(r, STATUS_BAD_NETWORK_NAME);
		return;
	}
	/* MS-SMB2 3.3.5.7: a share that encrypts, and a client that can. */
	if (sh->encrypt >= SMBD_ENCRYPT_DESIRED) {
		if (s->has_cipher_keys)
			encrypt = 1;
		else if (sh->encrypt == SMBD_ENCRYPT_REQUIRED) {
			log_warnx_rl("%s: share %s: smb encrypt = required, "
			    "and this session cannot encrypt: refused",
			    r->conn->peer, sh->name);
			smbd_reply_error(r, STATUS_ACCESS_DENIED);
			return;
		}
	}
	/*
	 * No client caching; encryption, where the share wants it;
	 * access-based enumeration (file.c's listing), where it lists so.
	 */
	smbd_tree_add(r, s, (size_t)(sh - env->shares), SMB2_SHARE_TYPE_DISK,
	    0x00000010 | (encrypt ? SMBD_SHAREFLAG_ENCRYPT_DATA : 0) |
	    (sh->access_based ? SMBD_SHAREFLAG_ACCESS_BASED_DIRECTORY_ENUM :
	    0),
	    sh->read_only ? SMBD_FILE_GENERIC_READ : SMBD_FILE_ALL_ACCESS,
	    encrypt);
}

/* A tree of the session (share: SMBD_SHARE_IPC for IPC$), answered. */
static void
smbd_tree_add(struct smbd_req *r, struct smbd_session *s, size_t share,
    uint8_t type, uint32_t flags, uint32_t access, int encrypt)
{
	struct smbd_tree *t;
	uint8_t out[16];

	if (s->ntrees >= SMBD_TREES_MAX) {
		log_warnx_rl("%s: %d tree connects in one session",
		    r->conn->peer, SMBD_TREES_MAX);
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	t->id = s->next_tree_id++;
	t->share = share;
	t->ipc = share == SMBD_SHARE_IPC;
	t->encrypt_data = encrypt;
	TAILQ_INSERT_TAIL(&s->trees, t, entry);
	s->ntrees++;
	r->rel_tree = t->id;
	memset(out, 0, sizeof(out));
	smb2_put16(out, 16);
	out[2] = type;
	smb2_put32(out + 4, flags);
	smb2_put32(out + 12, access);
	smbd_reply(r, STATUS_SUCCESS, out, sizeof(out));
}

/* MS-SMB2 3.3.5.8 */
static void
smbd_tree_disconnect(struct smbd_req *r)
{
	struct smbd_session *s;
	struct smbd_tree *t;
	struct smbd_open *o;
	uint8_t b[4] = { 4, 0, 0, 0 };

	if (smb2_body_check(r->len, 4) == -1 ||
	    smb2_get16(r->msg + SMB2_HDR_SIZE) != 4) {
		smbd_bad(r, "TREE_DISCONNECT");
		return;
	}
	if ((s = smbd_req_session(r)) == NULL ||
	    (t = smbd_req_tree(r, s)) == NULL)
		return;
	/* Its durable opens close too (a LOGOFF's are kept: durable.c). */
	TAILQ_FOREACH(o, &s->conn->opens, entry)
		if (o->session_id == s->id && o->tree_id == t->id)
			o->closed = 1;
	smbd_tree_free(r->conn, s, t);
	smbd_reply(r, STATUS_SUCCESS, b, sizeof(b));
}

/* MS-SMB2 3.3.5.17 */
static void
smbd_echo(struct smbd_req *r)
{
	uint8_t b[4] = { 4, 0, 0, 0 };

	if (smb2_body_check(r->len, 4) == -1 ||
	    smb2_get16(r->msg + SMB2_HDR_SIZE) != 4) {
		smbd_bad(r, "ECHO");
		return;
	}
	smbd_reply(r, STATUS_SUCCESS, b, sizeof(b));
}

/*
 * MS-SMB2 3.3.5.16: CANCEL has no response, whatever it names; a LOCK
 * (lock.c), a CHANGE_NOTIFY (notify.c) or a CREATE (file.c) waiting
 * is cancelled.
 */
static void
smbd_cancel(struct smbd_req *r)
{
	if (!smbd_lock_cancel(r) && !smbd_create_cancel(r))
		(void)smbd_notify_cancel(r);
	smbd_reply_none(r);
}

#define FSCTL_VALIDATE_NEGOTIATE_INFO	0x00140204u
#define FSCTL_GET_COMPRESSION		0x0009003cu
#define FSCTL_SET_COMPRESSION		0x0009c040u
#define FSCTL_SRV_REQUEST_RESUME_KEY	0x00140078u
#define FSCTL_SRV_COPYCHUNK		0x001440f2u
#define FSCTL_SRV_COPYCHUNK_WRITE	0x001480f2u
#define FSCTL_GET_REPARSE_POINT		0x000900a8u
#define FSCTL_QUERY_NETWORK_INTERFACE_INFO 0x001401fcu
#define FSCTL_DFS_GET_REFERRALS		0x00060194u
#define FSCTL_DFS_GET_REFERRALS_EX	0x000601b0u
#define FSCTL_PIPE_WAIT			0x00110018u
#define FSCTL_GET_OBJECT_ID		0x0009009cu
#define FSCTL_CREATE_OR_GET_OBJECT_ID	0x000900c0u
/* MS-FSCC 2.1.3: FILE_OBJECTID_BUFFER */
#define SMBD_OBJECTID_SIZE		64
#define SMB2_0_IOCTL_IS_FSCTL		0x00000001u
/* MS-SMB2 2.2.32.5: one NETWORK_INTERFACE_INFO. */
#define SMBD_NETIF_SIZE			152
/* Its LinkSpeed: the host's is not known inside the sandbox. */
#define SMBD_NETIF_SPEED		1000000000ull

/* The FileId of an IOCTL on no file: all ones (MS-SMB2 2.2.31). */
static const uint8_t smbd_no_file_id[16] = { 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void
smbd_ioctl_header(uint8_t *out, uint32_t code, const uint8_t *file_id,
    uint32_t olen)
{
	memset(out, 0, 48);
	smb2_put16(out, 49);
	smb2_put32(out + 4, code);
	memcpy(out + 8, file_id, 16);
	smb2_put32(out + 24, SMB2_HDR_SIZE + 48);	/* input: none */
	smb2_put32(out + 32, SMB2_HDR_SIZE + 48);
	smb2_put32(out + 36, olen);
}

/*
 * MS-FSCC 2.3.18, 2.3.67; MS-FSA 2.1.5.10.7, 2.1.5.10.30: no file is
 * compressed here (FileFsAttributeInformation has no
 * FILE_FILE_COMPRESSION): GET answers COMPRESSION_FORMAT_NONE, SET of
 * NONE succeeds and of a format is STATUS_NOT_SUPPORTED.
 */
static void
smbd_ioctl_compression(struct smbd_req *r, struct smbd_session *s,
    uint32_t code, const uint8_t *in, uint32_t ilen)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	uint8_t out[48 + 8];
	uint32_t olen = 0;

	if (smbd_req_open(r, s, b + 8) == NULL)
		return;
	if (code == FSCTL_GET_COMPRESSION) {
		if (smb2_get32(b + 44) < 2) {	/* MaxOutputResponse */
			smbd_reply_error(r, STATUS_INVALID_PARAMETER);
			return;
		}
		olen = 2;
	} else {
		if (ilen < 2) {
			smbd_reply_error(r, STATUS_INVALID_PARAMETER);
			return;
		}
		if (smb2_get16(in) != 0) {
			smbd_reply_error(r, STATUS_NOT_SUPPORTED);
			return;
		}
	}
	memset(out, 0, sizeof(out));
	/* The output: the state, COMPRESSION_FORMAT_NONE. */
	smbd_ioctl_header(out, code, b + 8, olen);
	smbd_reply(r, STATUS_SUCCESS, out, 48 + (olen ? 8 : 0));
}

/*
 * MS-SMB2 3.3.5.15.11: the interface this connection came in on, the
 * one the client reached (its local address), as one
 * NETWORK_INTERFACE_INFO (2.2.32.5): neither RSS nor RDMA capable, a
 * link speed of 1 Gbit/s (the sandbox cannot read the device's).
 * Multichannel is not served, so a client has no use for a list of
 * the host's other addresses.
 */
static void
smbd_ioctl_netif(struct smbd_req *r, struct smbd_session *s, uint32_t code,
    const uint8_t *in, uint32_t ilen)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const struct sockaddr_in6 *sin6;
	const struct sockaddr_in *sin;
	uint8_t out[48 + SMBD_NETIF_SIZE], *e = out + 48;
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	(void)s;
	(void)code;
	(void)in;
	(void)ilen;

	if (memcmp(b + 8, smbd_no_file_id, 16) != 0) {
		smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return;
	}
	if (smb2_get32(b + 44) < SMBD_NETIF_SIZE) {	/* MaxOutputResponse */
		smbd_reply_error(r, STATUS_BUFFER_TOO_SMALL);
		return;
	}
	if (getsockname(r->conn->fd, (struct sockaddr *)&ss, &sl) == -1) {
		log_warn("%s: getsockname", r->conn->peer);
		smbd_reply_error(r, STATUS_INTERNAL_ERROR);
		return;
	}
	smbd_ioctl_header(out, FSCTL_QUERY_NETWORK_INTERFACE_INFO, b + 8,
	    SMBD_NETIF_SIZE);
	memset(e, 0, SMBD_NETIF_SIZE);
	smb2_put32(e + 4, 1);				/* IfIndex */
	smb2_put64(e + 16, SMBD_NETIF_SPEED);
	sin6 = (const struct sockaddr_in6 *)&ss;
	if (ss.ss_family == AF_INET6 &&
	    memcmp(&sin6->sin6_addr, v4mapped, 12) != 0) {
		smb2_put16(e + 24, 0x17);		/* InterNetworkV6 */
		memcpy(e + 32, &sin6->sin6_addr, 16);
		smb2_put32(e + 48, sin6->sin6_scope_id);
	} else {
		smb2_put16(e + 24, 0x02);		/* InterNetwork */
		if (ss.ss_family == AF_INET6)
			memcpy(e + 28, (const uint8_t *)&sin6->sin6_addr + 12,
			    4);
		else {
			sin = (const struct sockaddr_in *)&ss;
			memcpy(e + 28, &sin->sin_addr, 4);
		}
	}
	smbd_reply(r, STATUS_SUCCESS, out, sizeof(out));
}

/*
 * MS-FSA 2.1.5.10.14: the store keeps no reparse tag, so no file is a
 * reparse point and FSCTL_GET_REPARSE_POINT on any open is
 * STATUS_NOT_A_REPARSE_POINT.
 */
static void
smbd_ioctl_reparse(struct smbd_req *r, struct smbd_session *s, uint32_t code,
    const uint8_t *in, uint32_t ilen)
{
	(void)code;
	(void)in;
	(void)ilen;
	if (smbd_req_open(r, s, r->msg + SMB2_HDR_SIZE + 8) == NULL)
		return;
	smbd_reply_error(r, STATUS_NOT_A_REPARSE_POINT);
}

/*
 * MS-FSA 2.1.5.10.1, 2.1.5.10.13: every file has an object id, made of
 * what names it in stated (share, inode, generation: unique in the
 * volume and stable, nothing to store), born with it on this server
 * (BirthVolumeId the server's GUID, BirthObjectId the same id), of no
 * domain.  So FSCTL_GET_OBJECT_ID finds the id that
 * FSCTL_CREATE_OR_GET_OBJECT_ID would make.
 */
static void
smbd_ioctl_object_id(struct smbd_req *r, struct smbd_session *s,
    uint32_t code, const uint8_t *in, uint32_t ilen)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	const uint8_t *id;
	struct smbd_open *o;
	uint8_t out[48 + SMBD_OBJECTID_SIZE], *e = out + 48;

	(void)in;
	(void)ilen;
	if ((o = smbd_req_open(r, s, b + 8)) == NULL)
		return;
	if (smb2_get32(b + 44) < SMBD_OBJECTID_SIZE) {	/* MaxOutputResponse */
		smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return;
	}
	if ((id = smbd_file_id(o)) == NULL) {
		smbd_reply_error(r, STATUS_INTERNAL_ERROR);
		return;
	}
	smbd_ioctl_header(out, code, b + 8, SMBD_OBJECTID_SIZE);
	memset(e, 0, SMBD_OBJECTID_SIZE);
	memcpy(e, id, 16);				/* ObjectId */
	memcpy(e + 16, r->conn->env->server_guid, 16);	/* BirthVolumeId */
	memcpy(e + 32, id, 16);				/* BirthObjectId */
	smbd_reply(r, STATUS_SUCCESS, out, sizeof(out));
}

/*
 * MS-SMB2 3.3.5.15.12: the client's NEGOTIATE as it says it sent it;
 * any difference from what this connection saw ends the connection.
 * Answered: the server's side of it, as NEGOTIATE gave it.
 */
static void
smbd_validate_negotiate(struct smbd_req *r, struct smbd_session *s,
    uint32_t code, const uint8_t *in, uint32_t len)
{
	struct smbd_conn *c = r->conn;
	uint8_t out[48 + 24];
	uint16_t count, i, d, pick = 0;
	static const uint16_t ours[] = { SMB2_DIALECT_311, SMB2_DIALECT_302,
	    SMB2_DIALECT_300, SMB2_DIALECT_210, SMB2_DIALECT_202 };
	size_t k;

	(void)s;
	(void)code;
	if (len < 24 || (count = smb2_get16(in + 22)) == 0 ||
	    len < 24 + 2 * (uint32_t)count) {
		smbd_bad(r, "VALIDATE_NEGOTIATE_INFO");
		return;
	}
	for (k = 0; k < sizeof(ours) / sizeof(ours[0]) && pick == 0; k++)
		for (i = 0; i < count; i++) {
			d = smb2_get16(in + 24 + 2 * i);
			if (d == ours[k]) {
				pick = d;
				break;
			}
		}
	if (smb2_get32(in) != c->neg.client_capabilities ||
	    memcmp(in + 4, c->neg.client_guid, 16) != 0 ||
	    smb2_get16(in + 20) != c->neg.client_security_mode ||
	    pick != c->neg.dialect) {
		log_warnx_rl("%s: VALIDATE_NEGOTIATE_INFO differs from the "
		    "NEGOTIATE seen: closing", c->peer);
		smbd_conn_close(c, "negotiate validation failed");
		smbd_reply_error(r, STATUS_ACCESS_DENIED);
		return;
	}
	memset(out, 0, sizeof(out));
	smbd_ioctl_header(out, FSCTL_VALIDATE_NEGOTIATE_INFO, smbd_no_file_id,
	    24);
	smb2_put32(out + 48, c->neg.server_capabilities);
	memcpy(out + 52, c->env->server_guid, 16);
	smb2_put16(out + 68, SMB2_NEGOTIATE_SIGNING_ENABLED |
	    (c->env->signing_required ? SMB2_NEGOTIATE_SIGNING_REQUIRED : 0));
	smb2_put16(out + 70, c->neg.dialect);
	smbd_reply(r, STATUS_SUCCESS, out, sizeof(out));
}

static void
smbd_ioctl_resume_key(struct smbd_req *r, struct smbd_session *s,
    uint32_t code, const uint8_t *in, uint32_t ilen)
{
	(void)in;
	(void)ilen;
	smbd_copychunk_key(r, s, code);
}

static void
smbd_ioctl_copychunk(struct smbd_req *r, struct smbd_session *s,
    uint32_t code, const uint8_t *in, uint32_t ilen)
{
	smbd_copychunk(r, s, code, code == FSCTL_SRV_COPYCHUNK_WRITE, in,
	    ilen);
}

static void
smbd_ioctl_resiliency(struct smbd_req *r, struct smbd_session *s,
    uint32_t code, const uint8_t *in, uint32_t ilen)
{
	(void)code;
	smbd_durable_ioctl_resiliency(r, s, in, ilen);
}

/* The FSCTLs served, by control code (SMB2_0_IOCTL_IS_FSCTL set). */
static const struct {
	uint32_t	 code;
	void		(*fn)(struct smbd_req *, struct smbd_session *,
			    uint32_t, const uint8_t *, uint32_t);
} smbd_fsctls[] = {
	{ FSCTL_VALIDATE_NEGOTIATE_INFO, smbd_validate_negotiate },
	{ FSCTL_GET_COMPRESSION, smbd_ioctl_compression },
	{ FSCTL_SET_COMPRESSION, smbd_ioctl_compression },
	{ FSCTL_QUERY_NETWORK_INTERFACE_INFO, smbd_ioctl_netif },
	{ FSCTL_GET_REPARSE_POINT, smbd_ioctl_reparse },
	{ FSCTL_SRV_REQUEST_RESUME_KEY, smbd_ioctl_resume_key },
	{ FSCTL_SRV_COPYCHUNK, smbd_ioctl_copychunk },
	{ FSCTL_SRV_COPYCHUNK_WRITE, smbd_ioctl_copychunk },
	{ SMB2_FSCTL_LMR_REQUEST_RESILIENCY, smbd_ioctl_resiliency },
	{ FSCTL_GET_OBJECT_ID, smbd_ioctl_object_id },
	{ FSCTL_CREATE_OR_GET_OBJECT_ID, smbd_ioctl_object_id },
};

/*
 * IOCTL (MS-SMB2 3.3.5.15): FSCTL_VALIDATE_NEGOTIATE_INFO,
 * FSCTL_GET_COMPRESSION and FSCTL_SET_COMPRESSION,
 * FSCTL_QUERY_NETWORK_INTERFACE_INFO, FSCTL_GET_REPARSE_POINT,
 * server-side copy (copychunk.c), FSCTL_LMR_REQUEST_RESILIENCY
 * (durable.c), FSCTL_GET_OBJECT_ID and FSCTL_CREATE_OR_GET_OBJECT_ID,
 * each by smbd_fsctls; every other control code is not
 * served yet (STATUS_INVALID_DEVICE_REQUEST).
 */
static void
smbd_ioctl(struct smbd_req *r)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct smbd_session *s;
	struct smbd_tree *t;
	uint32_t code, ioff, ilen;
	size_t i;

	if (smb2_body_check(r->len, 57) == -1 || smb2_get16(b) != 57) {
		smbd_bad(r, "IOCTL");
		return;
	}
	if ((s = smbd_req_session(r)) == NULL ||
	    (t = smbd_req_tree(r, s)) == NULL)
		return;
	code = smb2_get32(b + 4);
	ioff = smb2_get32(b + 24);
	ilen = smb2_get32(b + 28);
	if (smb2_buffer_check(r->len, SMB2_HDR_SIZE + 56, ioff, ilen) == -1) {
		smbd_bad(r, "IOCTL input");
		return;
	}
	/*
	 * MS-SMB2 3.3.5.15: but for the FSCTLs of no file, the open comes
	 * first (FILE_CLOSED), then the control code; the opens of IPC$
	 * are its pipes (ipc.c).
	 */
	if (code != FSCTL_DFS_GET_REFERRALS &&
	    code != FSCTL_DFS_GET_REFERRALS_EX &&
	    code != FSCTL_QUERY_NETWORK_INTERFACE_INFO &&
	    code != FSCTL_VALIDATE_NEGOTIATE_INFO &&
	    code != FSCTL_PIPE_WAIT && !t->ipc &&
	    smbd_req_open(r, s, b + 8) == NULL)
		return;
	if (smb2_get32(b + 48) & SMB2_0_IOCTL_IS_FSCTL)
		for (i = 0; i < sizeof(smbd_fsctls) / sizeof(smbd_fsctls[0]);
		    i++)
			if (smbd_fsctls[i].code == code) {
				smbd_fsctls[i].fn(r, s, code, r->msg + ioff,
				    ilen);
				return;
			}
	log_info_rl("%s: IOCTL 0x%08x (flags 0x%x) not served", r->conn->peer,
	    code, smb2_get32(b + 48));
	smbd_reply_error(r, STATUS_INVALID_DEVICE_REQUEST);
}

static const struct {
	void		(*fn)(struct smbd_req *);
} smbd_commands[SMB2_NCOMMANDS] = {
	[SMB2_NEGOTIATE] = { smbd_negotiate },
	[SMB2_SESSION_SETUP] = { smbd_session_setup },
	[SMB2_LOGOFF] = { smbd_logoff },
	[SMB2_TREE_CONNECT] = { smbd_tree_connect },
	[SMB2_TREE_DISCONNECT] = { smbd_tree_disconnect },
	[SMB2_CREATE] = { smbd_create },
	[SMB2_CLOSE] = { smbd_close },
	[SMB2_FLUSH] = { smbd_flush },
	[SMB2_READ] = { smbd_read },
	[SMB2_WRITE] = { smbd_write },
	[SMB2_LOCK] = { smbd_lock },
	[SMB2_IOCTL] = { smbd_ioctl },
	[SMB2_CANCEL] = { smbd_cancel },
	[SMB2_ECHO] = { smbd_echo },
	[SMB2_QUERY_DIRECTORY] = { smbd_query_directory },
	[SMB2_CHANGE_NOTIFY] = { smbd_change_notify },
	[SMB2_QUERY_INFO] = { smbd_query_info },
	[SMB2_SET_INFO] = { smbd_set_info },
	[SMB2_OPLOCK_BREAK] = { smbd_oplock_break },
};

/*
 * MS-SMB2 3.3.5.2.9: a session whose Kerberos ticket has ended serves
 * LOGOFF, CLOSE and LOCK, and SESSION_SETUP re-authenticates it
 * (3.3.5.5.2); anything else of it gets NETWORK_SESSION_EXPIRED.  Of
 * LOCK, only the unlocks: it may let go of its ranges, not take new
 * ones, as smbtorture's smb2.session.expire2 expects (3.3.5.2.9 alone
 * would let every LOCK through).  1 when answered so.
 */
static int
smbd_session_expired(struct smbd_req *r)
{
	struct smbd_session *s;
	struct smb2_lock_req q;

	switch (r->hdr.command) {
	case SMB2_NEGOTIATE:
	case SMB2_SESSION_SETUP:
	case SMB2_LOGOFF:
	case SMB2_CLOSE:
	case SMB2_CANCEL:
	case SMB2_ECHO:
		return 0;
	case SMB2_LOCK:
		/* A malformed one is smbd_lock's to refuse. */
		if (smb2_lock_decode(r->msg, r->len, &q) != STATUS_SUCCESS ||
		    q.unlock)
			return 0;
		break;
	}
	if (r->rel_session == 0 ||
	    (s = smbd_session_find(r->conn, r->rel_session)) == NULL ||
	    s->state != SMBD_SESSION_VALID || s->expires == 0 ||
	    (uint64_t)time(NULL) < s->expires)
		return 0;
	if (!s->expired_said) {
		log_info("%s: session %016llx of %s: its Kerberos ticket "
		    "has ended: expired until it re-authenticates",
		    r->conn->peer, (unsigned long long)s->id, s->user);
		s->expired_said = 1;
	}
	smbd_reply_error(r, STATUS_NETWORK_SESSION_EXPIRED);
	return 1;
}

void
smbd_dispatch(struct smbd_req *r)
{
	if (r->hdr.command >= SMB2_NCOMMANDS) {
		r->conn->env->malformed++;
		log_warnx_rl("%s: unknown command %u", r->conn->peer,
		    r->hdr.command);
		smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return;
	}
	if (smbd_session_expired(r))
		return;
	/* A tree of IPC$ and its pipes: ipc.c's. */
	if (smbd_ipc_dispatch(r))
		return;
	smbd_commands[r->hdr.command].fn(r);
}

/* gssd's channel: replies only; it pushes nothing to smbd today. */
static void
smbd_gssd_message(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	if (msg->fd != -1)
		close(msg->fd);
	log_warnx("gssd: unexpected message type %u", msg->hdr.type);
}

/* gssd's answer to an empty SPNEGO token: the hint NEGOTIATE carries. */
static void
smbd_gssd_hint(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct smbd_env *env = arg;
	gssd_accept_reply rep;

	(void)ch;
	if (msg == NULL || msg->hdr.type != GSSD_ACCEPT_REPLY)
		return;
	memset(&rep, 0, sizeof(rep));
	if (ipc_decode(msg, (xdrproc_t)xdr_gssd_accept_reply, &rep) == -1)
		return;
	if (rep.status == GSSD_CONTINUE && rep.token.token_len > 0 &&
	    rep.token.token_len <= sizeof(env->spnego_hint)) {
		memcpy(env->spnego_hint, rep.token.token_val,
		    rep.token.token_len);
		env->spnego_hint_len = rep.token.token_len;
	} else
		log_warnx("gssd: no SPNEGO hint (%u bytes, status %d): "
		    "NEGOTIATE names NTLMSSP alone", rep.token.token_len,
		    (int)rep.status);
	xdr_free((xdrproc_t)xdr_gssd_accept_reply, &rep);
}

/*
 * MS-SPNG 3.2.5.2: what gssd offers (Kerberos first when it has a
 * keytab, then NTLMSSP) is what NEGOTIATE's hint names, asked once per
 * connection to gssd.
 */
static void
smbd_gssd_ready(struct ipc_client *cl, void *arg)
{
	struct smbd_env *env = arg;
	struct ipc_channel *ch;
	gssd_accept_req req;

	if ((ch = ipc_client_channel(cl)) == NULL)
		return;
	memset(&req, 0, sizeof(req));
	req.mech = GSSD_MECH_SPNEGO;
	req.service = (char *)"cifs";
	if (ipc_call(ch, GSSD_ACCEPT, -1, (xdrproc_t)xdr_gssd_accept_req,
	    &req, smbd_gssd_hint, env) == -1)
		log_warn("gssd: ACCEPT (the SPNEGO hint)");
}

void
smbd_gssd_start(struct smbd_env *env)
{
	env->gssd = smbd_client_new(env, "gssd.sock", IPC_ROLE_GSSD,
	    smbd_gssd_message);
	ipc_client_set_backoff(env->gssd, 100, 5000);
	ipc_client_set_callbacks(env->gssd, smbd_gssd_ready, NULL);
	ipc_client_start(env->gssd);
}
