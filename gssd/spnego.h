/*
 * SPNEGO (RFC 4178, with MS-SPNG's NegTokenInit2): a bounded DER reader
 * and writer for the three tokens a server sees or sends.  The reader
 * never recurses (SPNEGO's nesting is fixed: each level is read by its
 * own code) and checks every length against what is left; what it
 * returns points into the caller's buffer.
 */
#ifndef DITTOFS_SPNEGO_H
#define DITTOFS_SPNEGO_H

#include <stddef.h>
#include <stdint.h>

#define SPNEGO_MECHS_MAX	16

enum spnego_mech {
	SPNEGO_MECH_OTHER = 0,
	SPNEGO_MECH_NTLMSSP,		/* 1.3.6.1.4.1.311.2.2.10 */
	SPNEGO_MECH_KRB5,		/* 1.2.840.113554.1.2.2 */
	SPNEGO_MECH_MS_KRB5,		/* 1.2.840.48018.1.2.2 */
	SPNEGO_MECH_NEGOEX,		/* 1.3.6.1.4.1.311.2.2.30 */
};

enum spnego_kind {
	SPNEGO_INIT = 1,	/* NegTokenInit or NegTokenInit2 */
	SPNEGO_RESP = 2,	/* NegTokenResp */
};

/* RFC 4178 4.2.2 negState; -1 when absent. */
enum spnego_state {
	SPNEGO_ACCEPT_COMPLETED = 0,
	SPNEGO_ACCEPT_INCOMPLETE = 1,
	SPNEGO_REJECT = 2,
	SPNEGO_REQUEST_MIC = 3,
};

struct spnego_bytes {
	const uint8_t	*p;
	size_t		 len;	/* p == NULL: absent */
};

struct spnego_token {
	enum spnego_kind	 kind;
	/* NegTokenInit */
	enum spnego_mech	 mechs[SPNEGO_MECHS_MAX];
	size_t			 nmechs;
	struct spnego_bytes	 mech_types;	/* the DER MechTypeList */
	struct spnego_bytes	 mech_token;
	/* NegTokenResp */
	int			 neg_state;	/* -1: absent */
	int			 supported_mech; /* enum spnego_mech, -1 */
	struct spnego_bytes	 response_token;
	/* both */
	struct spnego_bytes	 mech_list_mic;
};

/* 0, or -1 for anything malformed, over-long or trailing. */
int	spnego_decode(const uint8_t *, size_t, struct spnego_token *);
/*
 * RFC 2743 3.1 and RFC 4121 4.1: a Kerberos InitialContextToken sent
 * without SPNEGO's framing ([APPLICATION 0] { OID, TOK_ID 01 00,
 * AP-REQ }).  1 when the token names Kerberos (its OID, or Microsoft's:
 * *mech says which) and its framing holds: TOK_ID is an AP-REQ's and
 * an AP-REQ of RFC 4120 5.5.1's shape (its five fields, in order)
 * fills the rest exactly (in *ap_req; the ticket and authenticator
 * are libkrb5's to judge).  0 when it names no Kerberos OID (another
 * kind of token), -1 when it does but is malformed.
 */
int	spnego_krb5_token(const uint8_t *, size_t, enum spnego_mech *mech,
	    struct spnego_bytes *ap_req);

/*
 * RFC 4178 3.2: the index in t->mechs of the first of the initiator's
 * mechanisms the acceptor takes (NTLMSSP; Kerberos too when krb5 is
 * set), or -1 when it takes none.  Not 0: the initiator's optimistic
 * token is not for it, and a mechListMIC must be exchanged (RFC 4178 5).
 */
int	spnego_choose(const struct spnego_token *, int krb5);

/*
 * Encoders: a malloc'ed token in *out (free it), 0 or -1 (memory).
 * A NegTokenInit (with the GSS-API framing of RFC 2743 3.1) carries
 * mech_token and mic when given; hint: NegTokenInit2's negHints
 * hintName, NULL for a plain NegTokenInit.
 */
int	spnego_encode_init(const enum spnego_mech *, size_t nmechs,
	    const uint8_t *mech_token, size_t mech_token_len,
	    const char *hint, uint8_t **out, size_t *outlen);
/* NegTokenResp: neg_state or -1, supported_mech or -1, token, mic. */
int	spnego_encode_resp(int neg_state, int supported_mech,
	    const uint8_t *token, size_t token_len, const uint8_t *mic,
	    size_t mic_len, uint8_t **out, size_t *outlen);
/* The DER MechTypeList of these mechanisms (what a MIC covers). */
int	spnego_encode_mech_types(const enum spnego_mech *, size_t,
	    uint8_t **out, size_t *outlen);

#endif
