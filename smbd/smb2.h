/*
 * smbd/smb2.h: the SMB2 wire (MS-SMB2 section 2): constants, the
 * header, compound chains, the credit window, NEGOTIATE, signing.
 * Everything here is pure (no I/O, no events), so tests/unit and
 * tests/fuzz drive it directly.
 */
#ifndef DITTOFS_SMBD_SMB2_H
#define DITTOFS_SMBD_SMB2_H

#include <stddef.h>
#include <stdint.h>

/* MS-SMB2 2.2.1: the header, sync and async alike. */
#define SMB2_HDR_SIZE		64
#define SMB2_MAGIC		0x424d53feu	/* 0xFE 'S' 'M' 'B', LE */
#define SMB1_MAGIC		0x424d53ffu	/* 0xFF 'S' 'M' 'B', LE */
#define SMB2_TRANSFORM_MAGIC	0x424d53fdu
#define SMB2_SIGNATURE_SIZE	16

enum smb2_command {
	SMB2_NEGOTIATE = 0x00,
	SMB2_SESSION_SETUP = 0x01,
	SMB2_LOGOFF = 0x02,
	SMB2_TREE_CONNECT = 0x03,
	SMB2_TREE_DISCONNECT = 0x04,
	SMB2_CREATE = 0x05,
	SMB2_CLOSE = 0x06,
	SMB2_FLUSH = 0x07,
	SMB2_READ = 0x08,
	SMB2_WRITE = 0x09,
	SMB2_LOCK = 0x0a,
	SMB2_IOCTL = 0x0b,
	SMB2_CANCEL = 0x0c,
	SMB2_ECHO = 0x0d,
	SMB2_QUERY_DIRECTORY = 0x0e,
	SMB2_CHANGE_NOTIFY = 0x0f,
	SMB2_QUERY_INFO = 0x10,
	SMB2_SET_INFO = 0x11,
	SMB2_OPLOCK_BREAK = 0x12,
	SMB2_NCOMMANDS = 0x13
};

#define SMB2_FLAGS_SERVER_TO_REDIR	0x00000001u
#define SMB2_FLAGS_ASYNC_COMMAND	0x00000002u
#define SMB2_FLAGS_RELATED_OPERATIONS	0x00000004u
#define SMB2_FLAGS_SIGNED		0x00000008u
#define SMB2_FLAGS_PRIORITY_MASK	0x00000070u
#define SMB2_FLAGS_DFS_OPERATIONS	0x10000000u
#define SMB2_FLAGS_REPLAY_OPERATION	0x20000000u

/* Dialects (MS-SMB2 2.2.3). */
#define SMB2_DIALECT_202	0x0202
#define SMB2_DIALECT_210	0x0210
#define SMB2_DIALECT_300	0x0300
#define SMB2_DIALECT_302	0x0302
#define SMB2_DIALECT_311	0x0311
#define SMB2_DIALECT_WILDCARD	0x02ff

#define SMB2_NEGOTIATE_SIGNING_ENABLED	0x0001
#define SMB2_NEGOTIATE_SIGNING_REQUIRED	0x0002

#define SMB2_GLOBAL_CAP_DFS		0x00000001u
#define SMB2_GLOBAL_CAP_LEASING		0x00000002u
#define SMB2_GLOBAL_CAP_LARGE_MTU	0x00000004u
#define SMB2_GLOBAL_CAP_DIRECTORY_LEASING 0x00000020u
#define SMB2_GLOBAL_CAP_ENCRYPTION	0x00000040u
#define SMB2_GLOBAL_CAP_MULTI_CHANNEL	0x00000008u

/* Negotiate contexts (MS-SMB2 2.2.3.1). */
#define SMB2_PREAUTH_INTEGRITY_CAPABILITIES	0x0001
#define SMB2_ENCRYPTION_CAPABILITIES		0x0002
#define SMB2_COMPRESSION_CAPABILITIES		0x0003
#define SMB2_NETNAME_NEGOTIATE_CONTEXT_ID	0x0005
#define SMB2_TRANSPORT_CAPABILITIES		0x0006
#define SMB2_RDMA_TRANSFORM_CAPABILITIES	0x0007
#define SMB2_SIGNING_CAPABILITIES		0x0008
#define SMB2_PREAUTH_SHA512			0x0001

/* Signing algorithms (2.2.3.1.7); SMB2_SIGN_NONE: not negotiated. */
#define SMB2_SIGN_HMAC_SHA256	0x0000
#define SMB2_SIGN_AES_CMAC	0x0001
#define SMB2_SIGN_AES_GMAC	0x0002

#define SMB2_PREAUTH_HASH_SIZE	64
#define SMB2_KEY_SIZE		16

/* Ciphers (2.2.3.1.2); 0: none negotiated. */
#define SMB2_CIPHER_AES128_CCM	0x0001
#define SMB2_CIPHER_AES128_GCM	0x0002
#define SMB2_CIPHER_AES256_CCM	0x0003
#define SMB2_CIPHER_AES256_GCM	0x0004
#define SMB2_CIPHERS_MAX	4
#define SMB2_CIPHER_KEY_MAX	32
/* The TRANSFORM_HEADER (2.2.41) and its Flags: "encrypted". */
#define SMB2_TRANSFORM_SIZE	52
#define SMB2_TRANSFORM_ENCRYPTED 0x0001
#define SMB2_NONCE_SALT_SIZE	4

/* The header, decoded (sync or async). */
struct smb2_hdr {
	uint16_t	credit_charge;
	uint32_t	status;		/* request: channel sequence */
	uint16_t	command;
	uint16_t	credits;	/* request or grant */
	uint32_t	flags;
	uint32_t	next_command;
	uint64_t	message_id;
	uint64_t	async_id;	/* ASYNC_COMMAND only */
	uint32_t	tree_id;	/* sync only */
	uint64_t	session_id;
	uint8_t		signature[SMB2_SIGNATURE_SIZE];
};

/* Little-endian helpers, bounds checked by the callers. */
static inline uint16_t
smb2_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
smb2_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
smb2_get64(const uint8_t *p)
{
	return (uint64_t)smb2_get32(p) | (uint64_t)smb2_get32(p + 4) << 32;
}

static inline void
smb2_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
smb2_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void
smb2_put64(uint8_t *p, uint64_t v)
{
	smb2_put32(p, (uint32_t)v);
	smb2_put32(p + 4, (uint32_t)(v >> 32));
}

/* smb2_hdr.c */
/* 0, or -1 when len < 64 or the magic or StructureSize is wrong. */
int	 smb2_hdr_decode(const uint8_t *, size_t len, struct smb2_hdr *);
/* 64 bytes of a response header. */
void	 smb2_hdr_encode(uint8_t *, const struct smb2_hdr *);

/*
 * One message of a compound chain (MS-SMB2 3.3.5.2.7): off and len
 * within the frame.  smb2_chain_next finds the next message after the
 * one at *off (NextCommand), checked: 8-byte aligned, at least a
 * header, inside the frame.  Returns 1 with *off and *len set, 0 at
 * the chain's end, -1 for a bad NextCommand.
 */
int	 smb2_chain_first(const uint8_t *, size_t framelen, size_t *len);
int	 smb2_chain_next(const uint8_t *, size_t framelen, size_t *off,
	    size_t *len);

/* The body of a message: its fixed part must be there. */
int	 smb2_body_check(size_t msglen, size_t structure_size);
/*
 * A buffer a request names by offset (from the header's start) and
 * length: inside the message and not overlapping the fixed part.
 * An empty buffer is always good.
 */
int	 smb2_buffer_check(size_t msglen, size_t fixed_end, uint32_t off,
	    uint32_t len);

/*
 * MS-SMB2 3.3.5.2.10: an open's ChannelSequence, the newest a request
 * on it brought (its CREATE's first), and the count of its requests
 * outstanding under it and under older ones.
 */
struct smb2_channel_seq {
	uint16_t	sequence;
	uint32_t	outstanding;
	uint32_t	outstanding_pre;
};
/*
 * A 3.x request on the open with ChannelSequence csn, replayed or not:
 * 0 when it is counted outstanding (smb2_channel_seq_done when it is
 * answered), -1 when it comes from an older channel sequence (more
 * than 0x7fff behind), or is a replay while requests under an older
 * one are outstanding: a WRITE, SET_INFO or IOCTL is then
 * STATUS_FILE_NOT_AVAILABLE, another command goes on uncounted.
 */
int	 smb2_channel_seq_take(struct smb2_channel_seq *, uint16_t csn,
	    int replay);
void	 smb2_channel_seq_done(struct smb2_channel_seq *, uint16_t csn);

/*
 * The credit window (MS-SMB2 3.3.1.1, 3.3.1.2): message ids the client
 * may use are [low, low + size); each id is used once, in any order.
 * A ring of SMB2_CREDIT_WINDOW_MAX bits marks the ones used above low.
 */
#define SMB2_CREDIT_WINDOW_MAX	8192
struct smb2_credits {
	uint64_t	low;		/* lowest id not yet used */
	uint32_t	size;		/* ids granted from low */
	uint32_t	max;		/* grant no more than this */
	uint8_t		used[SMB2_CREDIT_WINDOW_MAX / 8];
};
void	 smb2_credits_init(struct smb2_credits *, uint32_t max);
/*
 * Take ids [mid, mid + charge) (charge 0 counts as 1): 0, or -1 when
 * any is outside the window or was used already (nothing taken).
 */
int	 smb2_credits_take(struct smb2_credits *, uint64_t mid,
	    uint16_t charge);
/* Credits to grant for a request that asked for `asked'; added. */
uint16_t smb2_credits_grant(struct smb2_credits *, uint16_t asked);
/* Credits a READ or WRITE of len bytes must be charged (3.3.5.2.5). */
uint16_t smb2_credit_charge_for(uint32_t len);

/* MS-SMB2 2.2.13: a CREATE request, checked (buffers in the message). */
struct smb2_create_req {
	uint8_t		 oplock;
	uint32_t	 impersonation;	/* 0 anonymous .. 3 delegate */
	uint32_t	 desired;
	uint32_t	 attributes;
	uint32_t	 share_access;
	uint32_t	 disposition;	/* 0 SUPERSEDE .. 5 OVERWRITE_IF */
	uint32_t	 options;
	const uint8_t	*name;		/* UTF-16LE, even length */
	uint16_t	 name_len;
	const uint8_t	*contexts;
	uint32_t	 contexts_len;
};
/* 0, or -1 for a malformed request (STATUS_INVALID_PARAMETER). */
int	 smb2_create_decode(const uint8_t *msg, size_t msglen,
	    struct smb2_create_req *);
/*
 * The same, the fields' values unchecked (a durable reconnect ignores
 * them: MS-SMB2 3.3.5.9.7).
 */
int	 smb2_create_decode_any(const uint8_t *msg, size_t msglen,
	    struct smb2_create_req *);

/* smb2_negotiate.c */
struct smb2_server_params {
	const uint8_t	*guid;		/* 16 bytes */
	uint16_t	 security_mode;	/* SMB2_NEGOTIATE_SIGNING_* */
	uint32_t	 max_transact;
	uint32_t	 max_read;
	uint32_t	 max_write;
	uint64_t	 system_time;	/* FILETIME */
	const uint8_t	*salt;		/* 32 random bytes for 3.1.1 */
	/* Ciphers to offer, best first; none: no encryption. */
	const uint16_t	*ciphers;
	size_t		 nciphers;
	/* The SPNEGO hint (MS-SPNG 2.2.1); NULL: NTLMSSP's alone. */
	const uint8_t	*hint;
	size_t		 hint_len;
	int		 multichannel;	/* 3.x: MULTI_CHANNEL offered */
};
/* The longest hint NEGOTIATE carries (one from gssd: its mechanisms). */
#define SMB2_HINT_MAX	192

/* What NEGOTIATE settled; kept per connection. */
struct smb2_negotiated {
	uint16_t	dialect;	/* 0: not yet */
	uint16_t	client_security_mode;
	uint32_t	client_capabilities;
	uint8_t		client_guid[16];
	uint16_t	signing_algorithm;	/* SMB2_SIGN_* */
	uint16_t	cipher;			/* 0: none */
	int		preauth;		/* 3.1.1: SHA-512 hash in use */
	uint32_t	server_capabilities;	/* as NEGOTIATE said them */
};

/*
 * Decode an SMB2 NEGOTIATE request (the whole message, header first:
 * its offsets count from there) and pick a dialect: an NTSTATUS (0 for
 * success).  out/outlen: the response body, to follow a 64-byte
 * header, written into out (room for outmax bytes), its length in
 * *outlen.
 */
uint32_t smb2_negotiate(const uint8_t *msg, size_t msglen,
	    const struct smb2_server_params *, struct smb2_negotiated *,
	    uint8_t *out, size_t outmax, size_t *outlen);
/*
 * An SMB1 NEGOTIATE (MS-SMB2 3.3.5.3.1): 1 with *dialect set to
 * SMB2_DIALECT_WILDCARD ("SMB 2.???") or SMB2_DIALECT_202 ("SMB
 * 2.002") when the client offers SMB2, 0 when it does not, -1 when
 * the message is malformed.
 */
int	 smb1_negotiate_dialect(const uint8_t *, size_t len,
	    uint16_t *dialect);
/* The SMB2 NEGOTIATE response to it, 0x02FF or 0x0202 (3.3.5.3.2). */
size_t	 smb2_negotiate_smb1_reply(uint16_t dialect,
	    const struct smb2_server_params *, uint8_t *out, size_t outmax);
/* The fixed SPNEGO NegTokenInit2 hint (NTLMSSP) NEGOTIATE carries. */
const uint8_t *smb2_spnego_hint(size_t *len);

/* smb2_sign.c */
/* SP800-108 counter-mode KDF, HMAC-SHA256, 128-bit output (3.1.4.2). */
int	 smb2_kdf(const uint8_t *key, size_t keylen, const uint8_t *label,
	    size_t labellen, const uint8_t *context, size_t contextlen,
	    uint8_t out[SMB2_KEY_SIZE]);
/* The same with an output of outlen bytes: 16 or 32 (L = 128, 256). */
int	 smb2_kdf_len(const uint8_t *key, size_t keylen,
	    const uint8_t *label, size_t labellen, const uint8_t *context,
	    size_t contextlen, uint8_t *out, size_t outlen);
/*
 * The signing key of a session (MS-SMB2 3.3.5.5.3): the session key's
 * first 16 bytes for 2.x, the KDF's output for 3.x (3.1.1 with the
 * session's preauth hash).
 */
int	 smb2_signing_key(uint16_t dialect, const uint8_t *session_key,
	    size_t keylen, const uint8_t *preauth_hash,
	    uint8_t out[SMB2_KEY_SIZE]);
/*
 * Sign a message in place (the header's signature field, the SIGNED
 * flag set by the caller) or check one: 0, or -1 (bad signature, or
 * OpenSSL failed).  algorithm: SMB2_SIGN_*.
 */
/* RFC 4493 AES-CMAC of msg (the MAC of signatures with AES-CMAC). */
int	 smb2_aes_cmac(const uint8_t key[SMB2_KEY_SIZE], const uint8_t *msg,
	    size_t len, uint8_t mac[16]);
int	 smb2_sign(uint16_t algorithm, const uint8_t key[SMB2_KEY_SIZE],
	    uint8_t *msg, size_t len);
int	 smb2_verify(uint16_t algorithm, const uint8_t key[SMB2_KEY_SIZE],
	    const uint8_t *msg, size_t len);
/* hash = SHA-512(hash || msg), the 3.1.1 preauth hash (3.3.5.4). */
int	 smb2_preauth_update(uint8_t hash[SMB2_PREAUTH_HASH_SIZE],
	    const uint8_t *msg, size_t len);

/* smb2_crypt.c */
const char *smb2_cipher_name(uint16_t);
/* 0 for a name none of "aes-128-ccm", "aes-128-gcm", ... */
uint16_t smb2_cipher_by_name(const char *);
/* 16 or 32; 0 for an unknown cipher. */
size_t	 smb2_cipher_key_size(uint16_t);
/* The bytes of the Nonce field the cipher uses: 11 (CCM), 12 (GCM). */
size_t	 smb2_cipher_nonce_size(uint16_t);
/*
 * The server's keys of a session (3.3.5.5.3): enc encrypts what it
 * sends, dec decrypts what it receives; the cipher's key size of each
 * is set, the rest zero.  0, or -1 (a dialect below 3.0, a cipher its
 * dialect has not, OpenSSL failed).
 */
int	 smb2_cipher_keys(uint16_t dialect, uint16_t cipher,
	    const uint8_t *session_key, size_t keylen,
	    const uint8_t *preauth_hash, uint8_t enc[SMB2_CIPHER_KEY_MAX],
	    uint8_t dec[SMB2_CIPHER_KEY_MAX]);
/* The Nonce field of the count-th message: count, then salt bytes. */
void	 smb2_nonce_make(uint16_t cipher, uint64_t count,
	    const uint8_t salt[SMB2_NONCE_SALT_SIZE], uint8_t nonce[16]);
/* The TRANSFORM_HEADER of a frame, decoded. */
struct smb2_transform {
	uint8_t		signature[SMB2_SIGNATURE_SIZE];
	uint8_t		nonce[16];
	uint32_t	original_size;
	uint16_t	flags;
	uint64_t	session_id;
};
/*
 * 0, or -1 unless the frame is a transform header (magic 0xFD 'S' 'M'
 * 'B', Flags 0x0001) followed by exactly OriginalMessageSize bytes, at
 * least an SMB2 header's.
 */
int	 smb2_transform_decode(const uint8_t *, size_t len,
	    struct smb2_transform *);
/*
 * Encrypt a message (or compound chain) of len bytes: out receives
 * SMB2_TRANSFORM_SIZE + len bytes, the header then the ciphertext.
 * 0, or -1.
 */
int	 smb2_encrypt(uint16_t cipher, const uint8_t *key,
	    const uint8_t nonce[16], uint64_t session_id, const uint8_t *msg,
	    size_t len, uint8_t *out);
/*
 * Decrypt a frame that smb2_transform_decode takes, in place: the
 * message is then at frame + SMB2_TRANSFORM_SIZE.  -1 when it is not
 * authentic (wiped, then) or not a transform.
 */
int	 smb2_decrypt(uint16_t cipher, const uint8_t *key, uint8_t *frame,
	    size_t len);

/* status.c */
const char *smb2_status_name(uint32_t);
/* A negative errno from blockd or the system, as an NTSTATUS. */
uint32_t smb2_status_from_errno(int);
const char *smb2_command_name(uint16_t);

#endif
