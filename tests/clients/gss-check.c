/*
 * gss-check: a front end's side of a login through dittofs-gssd, for
 * tests/integration/test_gssd.sh.  It connects to gssd.sock as a role
 * (and, as root, as a user, so SO_PEERCRED sees the right uid) and runs
 * one exchange, printing one line:
 *
 *   gss-check -s SOCK -r ROLE [-u USER] login NAME PASSWORD [MODE]
 *       an NTLMv2 login computed from the password.  MODE: spnego (the
 *       default: GSS framing, NTLMSSP first, NTLM MIC and mechListMIC),
 *       krb5first (Kerberos listed first: gssd must send a mechListMIC),
 *       raw (bare NTLMSSP), v1 (a 24-byte NTLMv1 response).
 *       -> "COMPLETE uid=U gid=G keylen=N flags=F user=NAME[ groups=G,..]"
 *          (and the server's mechListMIC checked), or the status name
 *   ... anonymous          a null session -> COMPLETE ... flags=2
 *   ... garbage            a malformed SPNEGO token -> BAD_TOKEN
 *   ... truncated NAME PW  an AUTHENTICATE cut short -> BAD_TOKEN
 *   ... krb5               GSSD_MECH_KRB5 with an empty token ->
 *                          UNSUPPORTED (no keytab) or BAD_TOKEN
 *   ... krb5 TARGET [OID [MECH]]
 *       a bare Kerberos InitialContextToken (RFC 4121 4.1) that
 *       libgssapi_krb5 makes for TARGET ("cifs@HOST") from the ticket
 *       in $KRB5CCNAME (read before -u's ids are taken), mutual auth
 *       asked.  OID: krb5 (the default) or ms-krb5 (Microsoft's OID in
 *       the token); MECH: smb (GSSD_MECH_SPNEGO, as smbd passes a
 *       SESSION_SETUP's buffer, the default) or krb5 (GSSD_MECH_KRB5).
 *       -> the login line, then on COMPLETE "mutual ok, same key" when
 *          gssd's token completes our context (the AP-REP checks) and
 *          our session key is the one gssd returned, or what failed
 *   ... krb5bad            six tokens that name Kerberos in a malformed
 *                          framing, then one whose framing holds but
 *                          whose ticket is empty -> their statuses
 *   ... krb5only           a SPNEGO NegTokenInit listing Kerberos alone
 *                          (gssd without a keytab) -> UNSUPPORTED
 *   ... limit N            N contexts left open, then one more -> its status
 *   ... foreign            continue another connection's context -> NO_CONTEXT
 *   ... expire SECONDS     begin a context, wait, continue it -> its status
 *   ... offer              an empty SPNEGO token -> "CONTINUE offer MECHS"
 *                          (the NegTokenInit2's mechanisms) and no context
 *   ... replay NAME PW     a login, then its AUTHENTICATE again -> status
 *   ... users              GSSD_USER_LIST -> "users N" or "refused"
 *   ... kdc TARGET MODE    as a hostile nfsd: GSSD_RPCSEC_INITIATE
 *       toward TARGET ("nfs/HOST@REALM") while gssd has no ticket for it
 *       -> "KDC_SEND realm=R kdcs=N tcp=T" (gssd asks for the KDC), then
 *       GSSD_RPCSEC_KDC with MODE's answer: garbage (bytes no KDC
 *       sends), echo (gssd's own request), none (no KDC answered) ->
 *       gssd's status; then the same handle again -> its status
 *       (NO_CONTEXT: gssd forgot the failed context)
 *   ... samba NAME PW spnego|ntlmssp
 *       Samba's client (ntlm_auth's gss-spnego-client or
 *       ntlmssp-client-1 helper) computes the tokens, gss-check relays
 *       them; Samba checks gssd's mechListMIC -> COMPLETE ... or status
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gss-check.h"
#include "gssd_msg.h"
#include "ipc.h"
#include "log.h"
#include "sandbox.h"
#include "spnego.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <openssl/evp.h>

static const char *gssc_sock;
static enum ipc_role gssc_role;
static uint32_t gssc_id = 10;

static const char *
gssc_status_name(int s)
{
	static const char *const names[] = { "COMPLETE", "CONTINUE", "DENIED",
	    "BAD_TOKEN", "NO_CONTEXT", "UNSUPPORTED", "LIMIT", "ERROR" };

	return s >= 0 && s <= 7 ? names[s] : "?";
}

static int
gssc_connect(void)
{
	struct ipc_hello_reply hello;
	int fd;

	if ((fd = ipc_connect_unix(gssc_sock)) == -1)
		fatal("connect %s", gssc_sock);
	if (ipc_sync_hello(fd, gssc_role, "gss-check", &hello) == -1) {
		printf("refused\n");
		exit(0);
	}
	xdr_free((xdrproc_t)xdr_ipc_hello_reply, &hello);
	return fd;
}

/* One GSSD_ACCEPT; the reply decoded into rep (free with xdr_free). */
static int
gssc_accept(int fd, uint64_t ctx, int mech, const uint8_t *tok, size_t len,
    struct gssd_accept_reply *rep)
{
	struct gssd_accept_req req;
	struct ipc_sync_reply r;

	memset(&req, 0, sizeof(req));
	req.context = ctx;
	req.mech = mech;
	req.service = (char *)"cifs";
	req.token.token_val = (char *)(uintptr_t)tok;
	req.token.token_len = (u_int)len;
	if (ipc_sync_send(fd, GSSD_ACCEPT, gssc_id++, 0, -1,
	    (xdrproc_t)xdr_gssd_accept_req, &req) == -1 ||
	    ipc_sync_recv(fd, &r) == -1) {
		printf("refused\n");
		exit(0);
	}
	memset(rep, 0, sizeof(*rep));
	if (r.hdr.type != GSSD_ACCEPT_REPLY ||
	    ipc_sync_decode(&r, (xdrproc_t)xdr_gssd_accept_reply, rep) == -1) {
		printf("bad reply type %u\n", r.hdr.type);
		exit(1);
	}
	ipc_sync_reply_free(&r);
	return rep->status;
}

static void
gssc_print(const struct gssd_accept_reply *rep)
{
	u_int i;

	if (rep->status == GSSD_COMPLETE) {
		printf("COMPLETE uid=%u gid=%u keylen=%u flags=%u user=%s",
		    rep->identity.uid, rep->identity.gid,
		    rep->session_key.session_key_len, rep->flags,
		    rep->identity.user);
		for (i = 0; i < rep->identity.groups.groups_len; i++)
			printf("%s%u", i == 0 ? " groups=" : ",",
			    rep->identity.groups.groups_val[i]);
		printf("\n");
	} else
		printf("%s\n", gssc_status_name(rep->status));
}

static int
gssc_login(int fd, const char *user, const char *password, const char *mode)
{
	enum spnego_mech mechs[2] = { SPNEGO_MECH_NTLMSSP, SPNEGO_MECH_KRB5 };
	struct gssd_accept_reply rep;
	struct spnego_token t;
	struct gssc_auth a;
	struct ntlm_server keys;
	uint8_t neg[32], *tok = NULL, *auth, *mt = NULL, mic[16];
	const uint8_t *chal;
	size_t neglen, len, chlen, mtlen = 0;
	uint64_t ctx;
	int raw = strcmp(mode, "raw") == 0, nmech = 1, mech;

	memset(&a, 0, sizeof(a));
	a.user = user;
	a.domain = "WORKGROUP";
	a.password = password;
	a.mic = !raw;
	a.v1 = strcmp(mode, "v1") == 0;
	memset(a.random_key, 0x5a, 16);
	neglen = gssc_negotiate(neg, GSSC_FLAGS);
	if (strcmp(mode, "krb5first") == 0) {
		mechs[0] = SPNEGO_MECH_KRB5;
		mechs[1] = SPNEGO_MECH_NTLMSSP;
		nmech = 2;
	}
	if (raw) {
		mech = GSSD_MECH_NTLMSSP;
		gssc_accept(fd, 0, mech, neg, neglen, &rep);
	} else {
		mech = GSSD_MECH_SPNEGO;
		/* Kerberos first: no optimistic token (it is not NTLMSSP's). */
		if (spnego_encode_init(mechs, nmech, nmech == 1 ? neg : NULL,
		    neglen, NULL, &tok, &len) == -1 ||
		    spnego_encode_mech_types(mechs, nmech, &mt, &mtlen) == -1)
			fatalx("encode");
		gssc_accept(fd, 0, mech, tok, len, &rep);
		free(tok);
		if (rep.status == GSSD_CONTINUE && nmech == 2) {
			ctx = rep.context;
			xdr_free((xdrproc_t)xdr_gssd_accept_reply, &rep);
			if (spnego_encode_resp(-1, -1, neg, neglen, NULL, 0,
			    &tok, &len) == -1)
				fatalx("encode");
			gssc_accept(fd, ctx, mech, tok, len, &rep);
			rep.context = ctx;
			free(tok);
		}
	}
	if (rep.status != GSSD_CONTINUE) {
		gssc_print(&rep);
		return 0;
	}
	ctx = rep.context;
	if (raw) {
		chal = (const uint8_t *)rep.token.token_val;
		chlen = rep.token.token_len;
	} else {
		if (spnego_decode((const uint8_t *)rep.token.token_val,
		    rep.token.token_len, &t) == -1 || t.response_token.p == NULL)
			fatalx("no CHALLENGE in the SPNEGO reply");
		chal = t.response_token.p;
		chlen = t.response_token.len;
	}
	if ((auth = gssc_authenticate(&a, neg, neglen, chal, chlen,
	    &len)) == NULL)
		fatalx("bad CHALLENGE");
	xdr_free((xdrproc_t)xdr_gssd_accept_reply, &rep);
	memset(&keys, 0, sizeof(keys));
	memcpy(keys.session_key, a.exported, 16);
	keys.auth_flags = a.flags;
	if (raw)
		gssc_accept(fd, ctx, mech, auth, len, &rep);
	else {
		ntlm_first_mic(&keys, 1, mt, mtlen, mic);
		if (spnego_encode_resp(-1, -1, auth, len, mic, 16, &tok,
		    &len) == -1)
			fatalx("encode");
		gssc_accept(fd, ctx, mech, tok, len, &rep);
		free(tok);
		/* The server's mechListMIC, with the server-to-client keys
		 * (a guest has none: no key to make it with). */
		if (rep.status == GSSD_COMPLETE &&
		    !(rep.flags & GSSD_FLAG_GUEST)) {
			ntlm_first_mic(&keys, 0, mt, mtlen, mic);
			if (spnego_decode((const uint8_t *)rep.token.token_val,
			    rep.token.token_len, &t) == -1 ||
			    t.neg_state != SPNEGO_ACCEPT_COMPLETED ||
			    t.mech_list_mic.len != 16 ||
			    memcmp(t.mech_list_mic.p, mic, 16) != 0) {
				printf("BAD_SERVER_MIC\n");
				return 1;
			}
		}
	}
	if (rep.status == GSSD_COMPLETE && !(rep.flags & GSSD_FLAG_GUEST) &&
	    (rep.session_key.session_key_len != 16 ||
	    memcmp(rep.session_key.session_key_val, a.exported, 16) != 0)) {
		printf("WRONG_SESSION_KEY\n");
		return 1;
	}
	gssc_print(&rep);
	xdr_free((xdrproc_t)xdr_gssd_accept_reply, &rep);
	free(auth);
	free(mt);
	return 0;
}

/*
 * A bare NTLMSSP NEGOTIATE, and the AUTHENTICATE for its CHALLENGE
 * (malloc'ed) with the context id; NULL with the reply printed.
 */
static uint8_t *
gssc_raw_auth(int fd, const char *user, const char *password,
    uint64_t *ctx, size_t *len)
{
	struct gssd_accept_reply rep;
	struct gssc_auth a;
	uint8_t neg[32], *auth;

	memset(&a, 0, sizeof(a));
	a.user = user;
	a.domain = "WORKGROUP";
	a.password = password;
	a.mic = 1;
	gssc_negotiate(neg, GSSC_FLAGS);
	gssc_accept(fd, 0, GSSD_MECH_NTLMSSP, neg, 32, &rep);
	*ctx = rep.context;
	if (rep.status != GSSD_CONTINUE || (auth = gssc_authenticate(&a, neg,
	    32, (const uint8_t *)rep.token.token_val, rep.token.token_len,
	    len)) == NULL) {
		gssc_print(&rep);
		return NULL;
	}
	xdr_free((xdrproc_t)xdr_gssd_accept_reply, &rep);
	return auth;
}

/* A raw NTLMSSP exchange whose AUTHENTICATE is cut to 40 bytes. */
static int
gssc_truncated(int fd, const char *user, const char *password)
{
	struct gssd_accept_reply rep;
	uint8_t *auth;
	uint64_t ctx;
	size_t len;

	if ((auth = gssc_raw_auth(fd, user, password, &ctx, &len)) == NULL)
		return 0;
	gssc_accept(fd, ctx, GSSD_MECH_NTLMSSP, auth, 40, &rep);
	gssc_print(&rep);
	free(auth);
	return 0;
}

/* A raw login, then its AUTHENTICATE sent again on the same context id. */
static int
gssc_replay(int fd, const char *user, const char *password)
{
	struct gssd_accept_reply rep;
	uint8_t *auth;
	uint64_t ctx;
	size_t len;

	if ((auth = gssc_raw_auth(fd, user, password, &ctx, &len)) == NULL)
		return 0;
	gssc_accept(fd, ctx, GSSD_MECH_NTLMSSP, auth, len, &rep);
	printf("first %s, ", gssc_status_name(rep.status));
	gssc_accept(fd, ctx, GSSD_MECH_NTLMSSP, auth, len, &rep);
	printf("again %s\n", gssc_status_name(rep.status));
	free(auth);
	return 0;
}

static int
gssc_users(int fd)
{
	struct ipc_sync_reply r;
	struct gssd_user_list_reply list;

	if (ipc_sync_send(fd, GSSD_USER_LIST, gssc_id++, 0, -1, NULL,
	    NULL) == -1 || ipc_sync_recv(fd, &r) == -1) {
		printf("refused\n");
		return 0;
	}
	memset(&list, 0, sizeof(list));
	if (r.hdr.type != GSSD_USER_LIST_REPLY ||
	    ipc_sync_decode(&r, (xdrproc_t)xdr_gssd_user_list_reply,
	    &list) == -1) {
		printf("refused (reply type %u)\n", r.hdr.type);
		return 0;
	}
	printf("users %u\n", list.users.users_len);
	xdr_free((xdrproc_t)xdr_gssd_user_list_reply, &list);
	ipc_sync_reply_free(&r);
	return 0;
}

/* One helper line out ("TT token" or "YR"), one in: its command and token. */
static int
gssc_helper(FILE *to, FILE *from, const char *cmd, const uint8_t *tok,
    size_t len, char reply[3], uint8_t *out, size_t *outlen)
{
	static char line[200000];
	size_t n;
	int d;

	if (tok != NULL) {
		char *b64 = malloc(4 * (len / 3 + 2) + 1);

		if (b64 == NULL)
			return -1;
		EVP_EncodeBlock((unsigned char *)b64, tok, (int)len);
		fprintf(to, "%s %s\n", cmd, b64);
		free(b64);
	} else
		fprintf(to, "%s\n", cmd);
	fflush(to);
	if (fgets(line, sizeof(line), from) == NULL)
		return -1;
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	memcpy(reply, line, 2);
	reply[2] = '\0';
	*outlen = 0;
	if (n <= 3)
		return 0;
	d = EVP_DecodeBlock(out, (const unsigned char *)line + 3,
	    (int)(n - 3));
	if (d < 0)
		return -1;
	/* EVP_DecodeBlock counts the '=' padding as zero bytes. */
	*outlen = (size_t)d - (line[n - 1] == '=') - (line[n - 2] == '=');
	return 0;
}

/* Samba's NTLMSSP/SPNEGO client against gssd, through ntlm_auth. */
static int
gssc_samba(int fd, const char *user, const char *password, const char *mode)
{
	static uint8_t tok[150000];
	struct gssd_accept_reply rep;
	char u[300], p[300], reply[3];
	int in[2], out[2], spnego = strcmp(mode, "spnego") == 0, step;
	uint64_t ctx = 0;
	size_t len;
	FILE *to, *from;
	pid_t pid;

	snprintf(u, sizeof(u), "--username=%s", user);
	snprintf(p, sizeof(p), "--password=%s", password);
	if (pipe(in) == -1 || pipe(out) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execlp("ntlm_auth", "ntlm_auth", spnego ?
		    "--helper-protocol=gss-spnego-client" :
		    "--helper-protocol=ntlmssp-client-1", u, p,
		    "--domain=WORKGROUP", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	to = fdopen(in[1], "w");
	from = fdopen(out[0], "r");
	if (to == NULL || from == NULL)
		fatal("fdopen");
	if (gssc_helper(to, from, "YR", NULL, 0, reply, tok, &len) == -1) {
		printf("ntlm_auth failed\n");
		return 1;
	}
	memset(&rep, 0, sizeof(rep));
	for (step = 0; step < 4; step++) {
		gssc_accept(fd, ctx, spnego ? GSSD_MECH_SPNEGO :
		    GSSD_MECH_NTLMSSP, tok, len, &rep);
		if (ctx == 0)
			ctx = rep.context;
		if (rep.status != GSSD_CONTINUE)
			break;
		if (gssc_helper(to, from, "TT",
		    (const uint8_t *)rep.token.token_val, rep.token.token_len,
		    reply, tok, &len) == -1 || len == 0 ||
		    (strcmp(reply, "KK") != 0 && strcmp(reply, "AF") != 0)) {
			printf("ntlm_auth answered %s\n", reply);
			return 1;
		}
		xdr_free((xdrproc_t)xdr_gssd_accept_reply, &rep);
	}
	/* SPNEGO: Samba checks the final token (gssd's mechListMIC). */
	if (spnego && rep.status == GSSD_COMPLETE) {
		if (gssc_helper(to, from, "TT",
		    (const uint8_t *)rep.token.token_val, rep.token.token_len,
		    reply, tok, &len) == -1 || strcmp(reply, "AF") != 0) {
			printf("SAMBA_REFUSED_FINAL_TOKEN %s\n", reply);
			return 1;
		}
	}
	gssc_print(&rep);
	fclose(to);
	fclose(from);
	waitpid(pid, NULL, 0);
	return 0;
}

/* The initiator's side of a bare Kerberos login (mode krb5 TARGET). */
struct gssc_krb5 {
	gss_ctx_id_t	 ctx;
	gss_name_t	 target;
	gss_OID		 mech;
	gss_buffer_desc	 token;		/* our AP-REQ */
};

static void
gssc_krb5_fail(const char *what, OM_uint32 major, OM_uint32 minor)
{
	gss_buffer_desc t1 = GSS_C_EMPTY_BUFFER, t2 = GSS_C_EMPTY_BUFFER;
	OM_uint32 m, c = 0;

	gss_display_status(&m, major, GSS_C_GSS_CODE, GSS_C_NO_OID, &c, &t1);
	c = 0;
	gss_display_status(&m, minor, GSS_C_MECH_CODE, GSS_C_NO_OID, &c, &t2);
	printf("%s: %.*s: %.*s\n", what, (int)t1.length, (char *)t1.value,
	    (int)t2.length, (char *)t2.value);
	gss_release_buffer(&m, &t1);
	gss_release_buffer(&m, &t2);
}

/* Our first token toward target, with the mechanism named oid; 0, -1. */
static int
gssc_krb5_begin(struct gssc_krb5 *k, const char *target, const char *oid)
{
	gss_buffer_desc nb;
	OM_uint32 major, minor;

	memset(k, 0, sizeof(*k));
	k->ctx = GSS_C_NO_CONTEXT;
	if (strcmp(oid, "krb5") == 0)
		k->mech = gss_mech_krb5;
	else if (strcmp(oid, "ms-krb5") == 0)
		k->mech = gss_mech_krb5_wrong;
	else
		return -1;
	nb.value = (void *)(uintptr_t)target;
	nb.length = strlen(target);
	major = gss_import_name(&minor, &nb, GSS_C_NT_HOSTBASED_SERVICE,
	    &k->target);
	if (GSS_ERROR(major)) {
		gssc_krb5_fail("gss_import_name", major, minor);
		return -1;
	}
	major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &k->ctx,
	    k->target, k->mech, GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG, 0,
	    GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, NULL, &k->token, NULL,
	    NULL);
	if (major != GSS_S_CONTINUE_NEEDED) {
		gssc_krb5_fail("gss_init_sec_context", major, minor);
		return -1;
	}
	return 0;
}

/*
 * The login with our token; on COMPLETE, gssd's token must finish our
 * context (RFC 4121 4.1: the AP-REP of mutual authentication) and our
 * session key (MS-SMB2 3.2.5.3.1: the subkey's first 16 bytes) must be
 * the one gssd returned.
 */
static int
gssc_krb5_login(int fd, struct gssc_krb5 *k, const char *mech)
{
	struct gssd_accept_reply rep;
	gss_buffer_desc in;
	gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
	gss_buffer_set_t keys = GSS_C_NO_BUFFER_SET;
	OM_uint32 major, minor;
	size_t n;
	int rc = 1;

	gssc_accept(fd, 0, strcmp(mech, "krb5") == 0 ? GSSD_MECH_KRB5 :
	    GSSD_MECH_SPNEGO, k->token.value, k->token.length, &rep);
	gssc_print(&rep);
	if (rep.status != GSSD_COMPLETE)
		return 0;
	in.value = rep.token.token_val;
	in.length = rep.token.token_len;
	major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &k->ctx,
	    k->target, k->mech, GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG, 0,
	    GSS_C_NO_CHANNEL_BINDINGS, &in, NULL, &out, NULL, NULL);
	if (major != GSS_S_COMPLETE) {
		gssc_krb5_fail("gssd's AP-REP", major, minor);
		goto out;
	}
	major = gss_inquire_sec_context_by_oid(&minor, k->ctx,
	    GSS_C_INQ_SSPI_SESSION_KEY, &keys);
	if (GSS_ERROR(major) || keys == GSS_C_NO_BUFFER_SET ||
	    keys->count < 1) {
		gssc_krb5_fail("session key", major, minor);
		goto out;
	}
	n = keys->elements[0].length < 16 ? keys->elements[0].length : 16;
	if (rep.session_key.session_key_len != 16 ||
	    memcmp(rep.session_key.session_key_val, keys->elements[0].value,
	    n) != 0) {
		printf("mutual ok, WRONG_SESSION_KEY\n");
		goto out;
	}
	printf("mutual ok, same key\n");
	rc = 0;
out:
	gss_release_buffer_set(&minor, &keys);
	gss_release_buffer(&minor, &out);
	xdr_free((xdrproc_t)xdr_gssd_accept_reply, &rep);
	return rc;
}

/*
 * Tokens that name Kerberos in their GSS framing (RFC 2743 3.1) and
 * then go wrong (the sixth: an AP-REQ not of RFC 4120's shape); the
 * last one's framing and AP-REQ shape hold, its ticket is empty.
 */
static int
gssc_krb5_bad(int fd)
{
#define GSSC_KRB5_OID	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, \
			0x01, 0x02, 0x02
#define GSSC_MS_OID	0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, \
			0x01, 0x02, 0x02
	static const uint8_t past_end[] = { 0x60, 0x12, GSSC_KRB5_OID,
	    0x01, 0x00, 0x6e, 0x7f, 0x30, 0x01, 0x00 };
	static const uint8_t ap_rep_id[] = { 0x60, 0x12, GSSC_KRB5_OID,
	    0x02, 0x00, 0x6e, 0x03, 0x30, 0x01, 0x00 };
	static const uint8_t trailing[] = { 0x60, 0x13, GSSC_MS_OID,
	    0x01, 0x00, 0x6e, 0x03, 0x30, 0x01, 0x00, 0x00 };
	static const uint8_t no_tok_id[] = { 0x60, 0x0b, GSSC_KRB5_OID };
	static const uint8_t not_ap_req[] = { 0x60, 0x12, GSSC_KRB5_OID,
	    0x01, 0x00, 0x30, 0x03, 0x30, 0x01, 0x00 };
	static const uint8_t junk_ap_req[] = { 0x60, 0x12, GSSC_KRB5_OID,
	    0x01, 0x00, 0x6e, 0x03, 0x30, 0x01, 0x00 };
	/* RFC 4120 5.5.1's shape, a Ticket and an authenticator
 * with nothing Kerberos could use in them. */
	static const uint8_t junk_ticket[] = { 0x60, 0x30, GSSC_KRB5_OID,
	    0x01, 0x00, 0x6e, 0x21, 0x30, 0x1f, 0xa0, 0x03, 0x02, 0x01, 0x05,
	    0xa1, 0x03, 0x02, 0x01, 0x0e, 0xa2, 0x07, 0x03, 0x05, 0x00, 0x20,
	    0x00, 0x00, 0x00, 0xa3, 0x04, 0x61, 0x02, 0x30, 0x00, 0xa4, 0x04,
	    0x30, 0x02, 0x05, 0x00 };
	static const struct {
		const uint8_t	*p;
		size_t		 len;
	} bad[] = {
		{ past_end, sizeof(past_end) },
		{ ap_rep_id, sizeof(ap_rep_id) },
		{ trailing, sizeof(trailing) },
		{ no_tok_id, sizeof(no_tok_id) },
		{ not_ap_req, sizeof(not_ap_req) },
		{ junk_ap_req, sizeof(junk_ap_req) },
		{ junk_ticket, sizeof(junk_ticket) },
	};
	struct gssd_accept_reply rep;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		gssc_accept(fd, 0, GSSD_MECH_SPNEGO, bad[i].p, bad[i].len,
		    &rep);
		printf("%s%s", i == 0 ? "" : " ", gssc_status_name(rep.status));
		xdr_free((xdrproc_t)xdr_gssd_accept_reply, &rep);
	}
	printf("\n");
	return 0;
}

/*
 * gssd's answer to an RPCSEC_GSS message: GSSD_KDC_SEND into *ks (1),
 * or a gssd_rpcsec_reply whose status is returned (0 and above).
 */
static int
gssc_rpcsec_recv(int fd, struct gssd_kdc_send *ks, int *status)
{
	struct gssd_rpcsec_reply rep;
	struct ipc_sync_reply r;
	int rc = 0;

	if (ipc_sync_recv(fd, &r) == -1) {
		printf("gssd closed\n");
		exit(1);
	}
	memset(&rep, 0, sizeof(rep));
	if (r.hdr.type == GSSD_KDC_SEND) {
		xdr_free((xdrproc_t)xdr_gssd_kdc_send, ks);
		memset(ks, 0, sizeof(*ks));
		if (ipc_sync_decode(&r, (xdrproc_t)xdr_gssd_kdc_send, ks) ==
		    -1) {
			printf("a malformed GSSD_KDC_SEND\n");
			exit(1);
		}
		rc = 1;
	} else if (r.hdr.type == GSSD_RPCSEC_REPLY &&
	    ipc_sync_decode(&r, (xdrproc_t)xdr_gssd_rpcsec_reply, &rep) == 0) {
		*status = rep.status;
		xdr_free((xdrproc_t)xdr_gssd_rpcsec_reply, &rep);
	} else {
		printf("reply type %u\n", r.hdr.type);
		exit(1);
	}
	ipc_sync_reply_free(&r);
	return rc;
}

/*
 * A hostile nfsd: every GSSD_KDC_SEND answered as mode says, until gssd
 * gives up (at most 16 rounds); then the last handle once more.
 */
static int
gssc_kdc(int fd, const char *target, const char *mode)
{
	static const uint8_t garbage[] = { 0x6b, 0x82, 0xff, 0xff, 0x30,
	    0x00, 0xde, 0xad, 0xbe, 0xef, 0x7e, 0x01, 0x02, 0x03 };
	struct gssd_rpcsec_initiate_req init;
	struct gssd_rpcsec_kdc_req kreq;
	struct gssd_kdc_send ks;
	int i, rc, status = -1, sends = 0;

	memset(&init, 0, sizeof(init));
	memset(&ks, 0, sizeof(ks));
	init.target = (char *)(uintptr_t)target;
	if (ipc_sync_send(fd, GSSD_RPCSEC_INITIATE, gssc_id++, 0, -1,
	    (xdrproc_t)xdr_gssd_rpcsec_initiate_req, &init) == -1) {
		printf("refused\n");
		return 1;
	}
	for (i = 0; i < 16; i++) {
		if ((rc = gssc_rpcsec_recv(fd, &ks, &status)) == 0)
			break;
		if (sends++ == 0)
			printf("KDC_SEND realm=%s kdcs=%u\n", ks.realm,
			    ks.kdcs.kdcs_len);
		memset(&kreq, 0, sizeof(kreq));
		kreq.handle.handle_val = ks.handle.handle_val;
		kreq.handle.handle_len = ks.handle.handle_len;
		kreq.ok = strcmp(mode, "none") != 0;
		if (strcmp(mode, "garbage") == 0) {
			kreq.reply.reply_val = (char *)(uintptr_t)garbage;
			kreq.reply.reply_len = sizeof(garbage);
		} else if (strcmp(mode, "echo") == 0) {
			kreq.reply.reply_val = ks.request.request_val;
			kreq.reply.reply_len = ks.request.request_len;
		}
		if (ipc_sync_send(fd, GSSD_RPCSEC_KDC, gssc_id++, 0, -1,
		    (xdrproc_t)xdr_gssd_rpcsec_kdc_req, &kreq) == -1) {
			printf("refused\n");
			return 1;
		}
	}
	if (sends == 0 || status == -1) {
		printf("sends %d, no final reply\n", sends);
		return 1;
	}
	printf("%s", gssc_status_name(status));
	/* The same handle again: the failed context is gone. */
	memset(&kreq, 0, sizeof(kreq));
	kreq.handle.handle_val = ks.handle.handle_val;
	kreq.handle.handle_len = ks.handle.handle_len;
	kreq.ok = 1;
	kreq.reply.reply_val = (char *)(uintptr_t)garbage;
	kreq.reply.reply_len = sizeof(garbage);
	if (ipc_sync_send(fd, GSSD_RPCSEC_KDC, gssc_id++, 0, -1,
	    (xdrproc_t)xdr_gssd_rpcsec_kdc_req, &kreq) == -1 ||
	    gssc_rpcsec_recv(fd, &ks, &status) != 0) {
		printf(" then not a reply\n");
		return 1;
	}
	printf(" %s\n", gssc_status_name(status));
	xdr_free((xdrproc_t)xdr_gssd_kdc_send, &ks);
	return 0;
}

static void
gssc_usage(void)
{
	fprintf(stderr, "usage: gss-check -s sock -r role [-u user] "
	    "login|anonymous|garbage|truncated|krb5|krb5bad|krb5only|limit|\n"
	    "    foreign|users|kdc ...\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct gssd_accept_reply rep;
	struct gssc_krb5 krb;
	const char *user = NULL;
	uint8_t neg[32], anon[89];
	int ch, fd, fd2, i, n;

	while ((ch = getopt(argc, argv, "s:r:u:")) != -1) {
		switch (ch) {
		case 's':
			gssc_sock = optarg;
			break;
		case 'r':
			if (ipc_role_parse(optarg, &gssc_role) == -1)
				gssc_usage();
			break;
		case 'u':
			user = optarg;
			break;
		default:
			gssc_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (gssc_sock == NULL || gssc_role == IPC_ROLE_NONE || argc < 1)
		gssc_usage();
	log_init("gss-check", 1, LOG_LEVEL_WARN);
	if (ntcrypto_init() == -1)
		fatalx("OpenSSL");
	/* Our ticket is read as the caller, before -u's ids are taken. */
	if (strcmp(argv[0], "krb5") == 0 && argc >= 2 && argc <= 4 &&
	    gssc_krb5_begin(&krb, argv[1], argc >= 3 ? argv[2] : "krb5") == -1)
		return 1;
	if (user != NULL) {
		struct sandbox_ids ids;

		if (sandbox_resolve_user(user, &ids) == -1 ||
		    sandbox_set_ids(&ids) == -1)
			fatal("become %s", user);
	}
	signal(SIGPIPE, SIG_IGN);
	fd = gssc_connect();
	if (strcmp(argv[0], "login") == 0 && (argc == 3 || argc == 4))
		return gssc_login(fd, argv[1], argv[2],
		    argc == 4 ? argv[3] : "spnego");
	if (strcmp(argv[0], "truncated") == 0 && argc == 3)
		return gssc_truncated(fd, argv[1], argv[2]);
	if (strcmp(argv[0], "samba") == 0 && argc == 4)
		return gssc_samba(fd, argv[1], argv[2], argv[3]);
	if (strcmp(argv[0], "users") == 0)
		return gssc_users(fd);
	if (strcmp(argv[0], "kdc") == 0 && argc == 3)
		return gssc_kdc(fd, argv[1], argv[2]);
	if (strcmp(argv[0], "garbage") == 0) {
		static const uint8_t junk[] = { 0x60, 0x80, 0x06, 0x06, 0x2b,
		    0x06, 0x01, 0x05, 0x05, 0x02, 0xa0, 0x7f, 0x30 };

		gssc_accept(fd, 0, GSSD_MECH_SPNEGO, junk, sizeof(junk), &rep);
		gssc_print(&rep);
		return 0;
	}
	if (strcmp(argv[0], "krb5") == 0 && argc >= 2 && argc <= 4)
		return gssc_krb5_login(fd, &krb, argc == 4 ? argv[3] : "smb");
	if (strcmp(argv[0], "krb5bad") == 0)
		return gssc_krb5_bad(fd);
	if (strcmp(argv[0], "krb5") == 0) {
		gssc_accept(fd, 0, GSSD_MECH_KRB5, neg, 0, &rep);
		gssc_print(&rep);
		return 0;
	}
	if (strcmp(argv[0], "krb5only") == 0) {
		enum spnego_mech k = SPNEGO_MECH_KRB5;
		uint8_t *tok;
		size_t len;

		if (spnego_encode_init(&k, 1, NULL, 0, NULL, &tok, &len) == -1)
			fatalx("encode");
		gssc_accept(fd, 0, GSSD_MECH_SPNEGO, tok, len, &rep);
		free(tok);
		gssc_print(&rep);
		return 0;
	}
	if (strcmp(argv[0], "anonymous") == 0) {
		gssc_negotiate(neg, GSSC_FLAGS | NTLM_NEG_ANONYMOUS);
		gssc_accept(fd, 0, GSSD_MECH_NTLMSSP, neg, 32, &rep);
		if (rep.status != GSSD_CONTINUE) {
			gssc_print(&rep);
			return 0;
		}
		/* MS-NLMP 3.2.5.1.2: no user, no NT response, LM Z(1). */
		memset(anon, 0, sizeof(anon));
		memcpy(anon, "NTLMSSP", 8);
		gssc_put32(anon + 8, 3);
		for (i = 12; i <= 52; i += 8)
			gssc_put32(anon + i + 4, 88);
		gssc_put16(anon + 12, 1);
		gssc_put16(anon + 14, 1);
		gssc_put32(anon + 60, GSSC_FLAGS | NTLM_NEG_ANONYMOUS);
		gssc_accept(fd, rep.context, GSSD_MECH_NTLMSSP, anon,
		    sizeof(anon), &rep);
		gssc_print(&rep);
		return 0;
	}
	if (strcmp(argv[0], "limit") == 0 && argc == 2) {
		n = atoi(argv[1]);
		gssc_negotiate(neg, GSSC_FLAGS);
		for (i = 0; i <= n; i++) {
			gssc_accept(fd, 0, GSSD_MECH_NTLMSSP, neg, 32, &rep);
			if (i < n && rep.status != GSSD_CONTINUE) {
				printf("context %d: %s\n", i,
				    gssc_status_name(rep.status));
				return 1;
			}
		}
		gssc_print(&rep);
		return 0;
	}
	if (strcmp(argv[0], "expire") == 0 && argc == 2) {
		gssc_negotiate(neg, GSSC_FLAGS);
		gssc_accept(fd, 0, GSSD_MECH_NTLMSSP, neg, 32, &rep);
		sleep((unsigned int)atoi(argv[1]));
		gssc_accept(fd, rep.context, GSSD_MECH_NTLMSSP, neg, 32, &rep);
		gssc_print(&rep);
		return 0;
	}
	if (strcmp(argv[0], "offer") == 0) {
		struct spnego_token t;

		gssc_accept(fd, 0, GSSD_MECH_SPNEGO, neg, 0, &rep);
		if (rep.status != GSSD_CONTINUE || rep.context != 0 ||
		    spnego_decode((const uint8_t *)rep.token.token_val,
		    rep.token.token_len, &t) == -1 || t.kind != SPNEGO_INIT) {
			gssc_print(&rep);
			return 0;
		}
		printf("CONTINUE offer");
		for (i = 0; i < (int)t.nmechs; i++)
			printf(" %s", t.mechs[i] == SPNEGO_MECH_NTLMSSP ?
			    "ntlmssp" : "other");
		printf("\n");
		return 0;
	}
	if (strcmp(argv[0], "replay") == 0 && argc == 3)
		return gssc_replay(fd, argv[1], argv[2]);
	if (strcmp(argv[0], "foreign") == 0) {
		gssc_negotiate(neg, GSSC_FLAGS);
		gssc_accept(fd, 0, GSSD_MECH_NTLMSSP, neg, 32, &rep);
		fd2 = gssc_connect();
		gssc_accept(fd2, rep.context, GSSD_MECH_NTLMSSP, neg, 32, &rep);
		gssc_print(&rep);
		return 0;
	}
	gssc_usage();
	return 2;
}
