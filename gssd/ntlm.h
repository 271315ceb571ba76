/*
 * The NTLMSSP acceptor (MS-NLMP): NEGOTIATE -> CHALLENGE ->
 * AUTHENTICATE, verifying NTLMv2 only.  Pure: no I/O beyond the
 * caller's lookup of a user's NT hash and getrandom(2) for the
 * challenge.
 */
#ifndef DITTOFS_NTLM_H
#define DITTOFS_NTLM_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ntcrypto.h"

/* MS-NLMP 2.2.2.5 NegotiateFlags. */
#define NTLM_NEG_UNICODE		0x00000001u
#define NTLM_NEG_OEM			0x00000002u
#define NTLM_REQUEST_TARGET		0x00000004u
#define NTLM_NEG_SIGN			0x00000010u
#define NTLM_NEG_SEAL			0x00000020u
#define NTLM_NEG_LM_KEY			0x00000080u
#define NTLM_NEG_NTLM			0x00000200u
#define NTLM_NEG_ANONYMOUS		0x00000800u
#define NTLM_NEG_ALWAYS_SIGN		0x00008000u
#define NTLM_TARGET_TYPE_DOMAIN		0x00010000u
#define NTLM_TARGET_TYPE_SERVER		0x00020000u
#define NTLM_NEG_ESS			0x00080000u
#define NTLM_NEG_TARGET_INFO		0x00800000u
#define NTLM_NEG_VERSION		0x02000000u
#define NTLM_NEG_128			0x20000000u
#define NTLM_NEG_KEY_EXCH		0x40000000u
#define NTLM_NEG_56			0x80000000u

/* MS-NLMP 2.2.2.1 AV_PAIR ids. */
#define NTLM_AV_EOL			0
#define NTLM_AV_NB_COMPUTER		1
#define NTLM_AV_NB_DOMAIN		2
#define NTLM_AV_DNS_COMPUTER		3
#define NTLM_AV_DNS_DOMAIN		4
#define NTLM_AV_FLAGS			6
#define NTLM_AV_TIMESTAMP		7
#define NTLM_AV_FLAG_MIC		0x2u

#define NTLM_MESSAGE_MAX		65536
#define NTLM_NAME_MAX			256	/* UTF-8 bytes */

enum ntlm_result {
	NTLM_CONTINUE,		/* token out: the CHALLENGE */
	NTLM_COMPLETE,		/* user (or anonymous) verified */
	NTLM_NO_USER,		/* a user name the database lacks */
	NTLM_DENIED,		/* wrong password, NTLMv1/LM, bad MIC */
	NTLM_BAD_TOKEN,		/* malformed, or not the message expected */
	NTLM_ERROR,		/* memory, random source */
};

/* Names the CHALLENGE's target info carries (MS-NLMP 2.2.1.2). */
struct ntlm_conf {
	const char	*nb_computer;
	const char	*nb_domain;
	const char	*dns_computer;
	const char	*dns_domain;
	/* Tests: a fixed challenge and time instead of random ones. */
	const uint8_t	*fixed_challenge;
	time_t		 fixed_time;
};

/* The user's NT hash by name (case-insensitive); 0 found, -1 not. */
typedef int	 ntlm_lookup_fn(void *arg, const char *user,
		    uint8_t nt_hash[16], uint32_t *uid, uint32_t *gid);

enum ntlm_step {
	NTLM_STEP_NEGOTIATE,
	NTLM_STEP_AUTHENTICATE,
	NTLM_STEP_DONE,
};

struct ntlm_server {
	enum ntlm_step	 step;
	uint32_t	 flags;		/* sent in the CHALLENGE */
	uint8_t		 challenge[8];
	uint8_t		*negotiate;	/* kept for the MIC */
	size_t		 negotiate_len;
	uint8_t		*challenge_msg;
	size_t		 challenge_len;
	/* After COMPLETE (or NO_USER: the names). */
	char		 user[NTLM_NAME_MAX];
	char		 domain[NTLM_NAME_MAX];
	uint32_t	 uid, gid;
	uint32_t	 auth_flags;	/* negotiated, as authenticated */
	int		 anonymous;
	int		 mic;		/* the client sent a MIC (checked) */
	uint8_t		 session_key[16];	/* exported session key */
	int		 have_key;
};

void	ntlm_server_init(struct ntlm_server *);
void	ntlm_server_clear(struct ntlm_server *);
/* MS-NLMP 3.2.5.1.1: NEGOTIATE in, a malloc'ed CHALLENGE out. */
enum ntlm_result ntlm_server_negotiate(struct ntlm_server *,
		    const struct ntlm_conf *, const uint8_t *, size_t,
		    uint8_t **out, size_t *outlen);
/* MS-NLMP 3.2.5.1.2: AUTHENTICATE in. */
enum ntlm_result ntlm_server_authenticate(struct ntlm_server *,
		    const uint8_t *, size_t, ntlm_lookup_fn *, void *arg);
/* Is this a raw NTLMSSP message (the signature)? */
int	ntlm_is_ntlmssp(const uint8_t *, size_t);

/* MS-NLMP 3.3.2: the pieces, for tests and clients. */
int	ntlm_ntowfv2(const uint8_t nt_hash[16], const char *user,
	    const char *domain, uint8_t out[16]);
int	ntlm_ntowfv2_utf16(const uint8_t nt_hash[16], const uint8_t *user,
	    size_t user_len, const uint8_t *domain, size_t domain_len,
	    uint8_t out[16]);

/* MS-NLMP 3.4.5.2-3: SIGNKEY and SEALKEY of one direction. */
void	ntlm_sign_key(const uint8_t key[16], int client_to_server,
	    uint8_t out[16]);
void	ntlm_seal_key(const uint8_t key[16], uint32_t flags,
	    int client_to_server, uint8_t out[16]);
/*
 * MS-NLMP 3.4.4.2: the 16-byte NTLMSSP_MESSAGE_SIGNATURE with extended
 * session security; the checksum goes through seal (RC4, its state
 * advancing) when KEY_EXCH was negotiated, else seal may be NULL.
 */
void	ntlm_mac(const uint8_t sign_key[16], struct ntcrypto_rc4 *seal,
	    uint32_t flags, uint32_t seq, const uint8_t *, size_t,
	    uint8_t sig[16]);
/* GSS_GetMIC / VerifyMIC of one message with sequence number 0. */
void	ntlm_first_mic(const struct ntlm_server *, int client_to_server,
	    const uint8_t *, size_t, uint8_t sig[16]);

#endif
