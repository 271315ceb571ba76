/*
 * NEGOTIATE (MS-SMB2 2.2.3, 2.2.4, 3.3.5.3, 3.3.5.4): the dialect, the
 * 3.1.1 negotiate contexts, and the SMB1 NEGOTIATE that only moves a
 * client to SMB2.  Pure: the connection keeps what it returns.
 */
#include <string.h>

#include "smb2.h"
#include "status.h"

#define SMB2_NEGOTIATE_REQ_SIZE		36
#define SMB2_NEGOTIATE_RSP_SIZE		65
#define SMB2_NEGOTIATE_RSP_FIXED	64	/* the body before Buffer */
#define SMB2_DIALECTS_MAX		64
#define SMB2_CONTEXTS_MAX		16
#define SMB2_2X_MAX_SIZE		65536	/* 2.0.2 has no large MTU */

/* Ours, best first. */
static const uint16_t smb2_dialects[] = {
	SMB2_DIALECT_311, SMB2_DIALECT_302, SMB2_DIALECT_300,
	SMB2_DIALECT_210, SMB2_DIALECT_202
};

/*
 * RFC 4178 NegTokenInit (as the [MS-SPNG] 2.2.1 hint) naming NTLMSSP
 * (1.3.6.1.4.1.311.2.2.10), the mechanism gssd takes without a keytab;
 * smbd asks gssd for its own hint (with Kerberos when it has one) and
 * passes it in smb2_server_params, this one until it has:
 *   [APPLICATION 0] { OID spnego, [0] { SEQUENCE { [0] { SEQUENCE OF
 *   { OID ntlmssp } } } } }
 */
static const uint8_t smb2_hint[] = {
	0x60, 0x1c,
	0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02,
	0xa0, 0x12,
	0x30, 0x10,
	0xa0, 0x0e,
	0x30, 0x0c,
	0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02,
	0x0a
};

const uint8_t *
smb2_spnego_hint(size_t *len)
{
	*len = sizeof(smb2_hint);
	return smb2_hint;
}

static size_t
smb2_pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Contexts seen in a 3.1.1 NEGOTIATE request. */
struct smb2_ctx_seen {
	int		preauth, encryption, signing;
	int		sha512;
	uint16_t	signing_algorithm;
	uint32_t	ciphers;	/* bit n: cipher n offered */
};

/* MS-SMB2 3.3.5.3.1: one of each, well formed, inside the message. */
static uint32_t
smb2_contexts_parse(const uint8_t *msg, size_t msglen, uint32_t off,
    uint16_t count, struct smb2_ctx_seen *seen)
{
	size_t pos = off;
	uint16_t i, j, type, dlen, n;
	const uint8_t *d;
	int cmac = 0, gmac = 0, hmac = 0;

	memset(seen, 0, sizeof(*seen));
	if (count == 0 || count > SMB2_CONTEXTS_MAX || (off & 7) != 0)
		return STATUS_INVALID_PARAMETER;
	for (i = 0; i < count; i++) {
		if (i > 0)
			pos = smb2_pad8(pos);
		if (pos > msglen || msglen - pos < 8)
			return STATUS_INVALID_PARAMETER;
		type = smb2_get16(msg + pos);
		dlen = smb2_get16(msg + pos + 2);
		if (dlen > msglen - pos - 8)
			return STATUS_INVALID_PARAMETER;
		d = msg + pos + 8;
		switch (type) {
		case SMB2_PREAUTH_INTEGRITY_CAPABILITIES:
			if (seen->preauth++ || dlen < 4)
				return STATUS_INVALID_PARAMETER;
			n = smb2_get16(d);
			if (n == 0 || (size_t)n * 2 + 4 +
			    smb2_get16(d + 2) > dlen)
				return STATUS_INVALID_PARAMETER;
			for (j = 0; j < n; j++)
				if (smb2_get16(d + 4 + 2 * j) ==
				    SMB2_PREAUTH_SHA512)
					seen->sha512 = 1;
			break;
		case SMB2_ENCRYPTION_CAPABILITIES:
			if (seen->encryption++ || dlen < 2)
				return STATUS_INVALID_PARAMETER;
			n = smb2_get16(d);
			if (n == 0 || (size_t)n * 2 + 2 > dlen)
				return STATUS_INVALID_PARAMETER;
			for (j = 0; j < n; j++)
				if (smb2_get16(d + 2 + 2 * j) <=
				    SMB2_CIPHERS_MAX)
					seen->ciphers |= 1u <<
					    smb2_get16(d + 2 + 2 * j);
			break;
		case SMB2_SIGNING_CAPABILITIES:
			if (seen->signing++ || dlen < 2)
				return STATUS_INVALID_PARAMETER;
			n = smb2_get16(d);
			if (n == 0 || (size_t)n * 2 + 2 > dlen)
				return STATUS_INVALID_PARAMETER;
			for (j = 0; j < n; j++)
				switch (smb2_get16(d + 2 + 2 * j)) {
				case SMB2_SIGN_AES_GMAC:
					gmac = 1;
					break;
				case SMB2_SIGN_AES_CMAC:
					cmac = 1;
					break;
				case SMB2_SIGN_HMAC_SHA256:
					hmac = 1;
					break;
				}
			break;
		default:
			/* NETNAME, compression, transport, RDMA: accepted. */
			break;
		}
		pos += 8 + (size_t)dlen;
	}
	if (!seen->preauth)
		return STATUS_INVALID_PARAMETER;
	if (!seen->sha512)
		return STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP;
	/* Ours, best first; without the context 3.1.1 signs with CMAC. */
	seen->signing_algorithm = SMB2_SIGN_AES_CMAC;
	if (seen->signing) {
		if (gmac)
			seen->signing_algorithm = SMB2_SIGN_AES_GMAC;
		else if (cmac)
			seen->signing_algorithm = SMB2_SIGN_AES_CMAC;
		else if (hmac)
			seen->signing_algorithm = SMB2_SIGN_HMAC_SHA256;
		else
			return STATUS_INVALID_PARAMETER;
	}
	return STATUS_SUCCESS;
}

/* One response context at out + *pos (8-aligned from the header). */
static int
smb2_context_put(uint8_t *out, size_t outmax, size_t *pos, uint16_t type,
    const uint8_t *data, uint16_t dlen)
{
	/* The body starts 64 bytes into the message: aligned alike. */
	size_t at = smb2_pad8(*pos);

	if (at > outmax || outmax - at < 8 + (size_t)dlen)
		return -1;
	memset(out + *pos, 0, at - *pos);
	smb2_put16(out + at, type);
	smb2_put16(out + at + 2, dlen);
	smb2_put32(out + at + 4, 0);
	memcpy(out + at + 8, data, dlen);
	*pos = at + 8 + dlen;
	return 0;
}

static size_t
smb2_negotiate_fixed(uint16_t dialect, const struct smb2_server_params *sp,
    uint8_t *out, size_t outmax)
{
	size_t hlen;
	const uint8_t *hint = smb2_spnego_hint(&hlen);
	uint32_t maxt = sp->max_transact, maxr = sp->max_read,
	    maxw = sp->max_write, caps = 0;

	if (sp->hint != NULL && sp->hint_len > 0 &&
	    sp->hint_len <= SMB2_HINT_MAX) {
		hint = sp->hint;
		hlen = sp->hint_len;
	}
	if (outmax < SMB2_NEGOTIATE_RSP_FIXED + hlen)
		return 0;
	if (dialect == SMB2_DIALECT_202) {
		if (maxt > SMB2_2X_MAX_SIZE)
			maxt = SMB2_2X_MAX_SIZE;
		if (maxr > SMB2_2X_MAX_SIZE)
			maxr = SMB2_2X_MAX_SIZE;
		if (maxw > SMB2_2X_MAX_SIZE)
			maxw = SMB2_2X_MAX_SIZE;
	} else
		caps |= SMB2_GLOBAL_CAP_LARGE_MTU | SMB2_GLOBAL_CAP_LEASING;
	/* 3.3.5.4: leases on directories (lease.c) from SMB 3.0 on. */
	if (dialect >= SMB2_DIALECT_300)
		caps |= SMB2_GLOBAL_CAP_DIRECTORY_LEASING;
	/* 3.3.5.4: channels bound to a session (smbd's proc.c). */
	if (dialect >= SMB2_DIALECT_300 && sp->multichannel)
		caps |= SMB2_GLOBAL_CAP_MULTI_CHANNEL;
	memset(out, 0, SMB2_NEGOTIATE_RSP_FIXED);
	smb2_put16(out, SMB2_NEGOTIATE_RSP_SIZE);
	smb2_put16(out + 2, sp->security_mode);
	smb2_put16(out + 4, dialect);
	memcpy(out + 8, sp->guid, 16);
	smb2_put32(out + 24, caps);
	smb2_put32(out + 28, maxt);
	smb2_put32(out + 32, maxr);
	smb2_put32(out + 36, maxw);
	smb2_put64(out + 40, sp->system_time);
	smb2_put64(out + 48, 0);
	smb2_put16(out + 56, SMB2_HDR_SIZE + SMB2_NEGOTIATE_RSP_FIXED);
	smb2_put16(out + 58, (uint16_t)hlen);
	smb2_put32(out + 60, 0);
	memcpy(out + SMB2_NEGOTIATE_RSP_FIXED, hint, hlen);
	return SMB2_NEGOTIATE_RSP_FIXED + hlen;
}

/*
 * MS-SMB2 3.3.5.4: the server's preferred cipher among those offered
 * (bit n of offered: cipher n); 0 when there is none.
 */
static uint16_t
smb2_cipher_pick(const struct smb2_server_params *sp, uint32_t offered)
{
	size_t i;

	for (i = 0; i < sp->nciphers; i++)
		if (sp->ciphers[i] != 0 && sp->ciphers[i] <= SMB2_CIPHERS_MAX &&
		    (offered & (1u << sp->ciphers[i])))
			return sp->ciphers[i];
	return 0;
}

/* MS-SMB2 3.3.5.4 */
uint32_t
smb2_negotiate(const uint8_t *msg, size_t msglen,
    const struct smb2_server_params *sp, struct smb2_negotiated *neg,
    uint8_t *out, size_t outmax, size_t *outlen)
{
	const uint8_t *b = msg + SMB2_HDR_SIZE;
	uint16_t count, d, dialect = 0;
	size_t i, j, pos;
	struct smb2_ctx_seen seen;
	uint8_t data[64];
	uint16_t nctx = 0;
	uint32_t st;

	*outlen = 0;
	if (smb2_body_check(msglen, SMB2_NEGOTIATE_REQ_SIZE) == -1 ||
	    smb2_get16(b) != SMB2_NEGOTIATE_REQ_SIZE)
		return STATUS_INVALID_PARAMETER;
	count = smb2_get16(b + 2);
	if (count == 0 || count > SMB2_DIALECTS_MAX ||
	    (size_t)count * 2 > msglen - SMB2_HDR_SIZE -
	    SMB2_NEGOTIATE_REQ_SIZE)
		return STATUS_INVALID_PARAMETER;
	for (i = 0; i < sizeof(smb2_dialects) / sizeof(smb2_dialects[0]) &&
	    dialect == 0; i++)
		for (j = 0; j < count; j++) {
			d = smb2_get16(b + SMB2_NEGOTIATE_REQ_SIZE + 2 * j);
			if (d == smb2_dialects[i]) {
				dialect = d;
				break;
			}
		}
	if (dialect == 0)
		return STATUS_NOT_SUPPORTED;
	memset(&seen, 0, sizeof(seen));
	if (dialect == SMB2_DIALECT_311) {
		st = smb2_contexts_parse(msg, msglen, smb2_get32(b + 28),
		    smb2_get16(b + 32), &seen);
		if (st != STATUS_SUCCESS)
			return st;
	}
	memset(neg, 0, sizeof(*neg));
	neg->dialect = dialect;
	neg->client_security_mode = smb2_get16(b + 4);
	neg->client_capabilities = smb2_get32(b + 8);
	memcpy(neg->client_guid, b + 12, 16);
	neg->signing_algorithm = dialect >= SMB2_DIALECT_300 ?
	    SMB2_SIGN_AES_CMAC : SMB2_SIGN_HMAC_SHA256;
	if ((pos = smb2_negotiate_fixed(dialect, sp, out, outmax)) == 0)
		return STATUS_INSUFFICIENT_RESOURCES;
	neg->server_capabilities = smb2_get32(out + 24);
	/* 3.0 and 3.0.2 encrypt with AES-128-CCM, if both sides can. */
	if ((dialect == SMB2_DIALECT_300 || dialect == SMB2_DIALECT_302) &&
	    (neg->client_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION) &&
	    smb2_cipher_pick(sp, 1u << SMB2_CIPHER_AES128_CCM) != 0) {
		neg->cipher = SMB2_CIPHER_AES128_CCM;
		neg->server_capabilities |= SMB2_GLOBAL_CAP_ENCRYPTION;
		smb2_put32(out + 24, neg->server_capabilities);
	}
	if (dialect == SMB2_DIALECT_311) {
		neg->preauth = 1;
		neg->signing_algorithm = seen.signing_algorithm;
		/* Contexts start 8-aligned; out is 64 bytes in. */
		smb2_put32(out + 60, (uint32_t)(SMB2_HDR_SIZE +
		    smb2_pad8(pos)));
		smb2_put16(data, 1);
		smb2_put16(data + 2, 32);
		smb2_put16(data + 4, SMB2_PREAUTH_SHA512);
		memcpy(data + 6, sp->salt, 32);
		if (smb2_context_put(out, outmax, &pos,
		    SMB2_PREAUTH_INTEGRITY_CAPABILITIES, data, 38) == -1)
			return STATUS_INSUFFICIENT_RESOURCES;
		nctx++;
		if (seen.encryption) {
			/* One cipher, or 0: none in common (or none on). */
			neg->cipher = smb2_cipher_pick(sp, seen.ciphers);
			smb2_put16(data, 1);
			smb2_put16(data + 2, neg->cipher);
			if (smb2_context_put(out, outmax, &pos,
			    SMB2_ENCRYPTION_CAPABILITIES, data, 4) == -1)
				return STATUS_INSUFFICIENT_RESOURCES;
			nctx++;
		}
		if (seen.signing) {
			smb2_put16(data, 1);
			smb2_put16(data + 2, seen.signing_algorithm);
			if (smb2_context_put(out, outmax, &pos,
			    SMB2_SIGNING_CAPABILITIES, data, 4) == -1)
				return STATUS_INSUFFICIENT_RESOURCES;
			nctx++;
		}
		smb2_put16(out + 6, nctx);
	}
	*outlen = pos;
	return STATUS_SUCCESS;
}

/* MS-SMB2 3.3.5.3.1: "SMB 2.???" or "SMB 2.002" among the dialects. */
int
smb1_negotiate_dialect(const uint8_t *p, size_t len, uint16_t *dialect)
{
	size_t pos, end, bytes, k;
	int wild = 0, two = 0;

	/* 32-byte header, WordCount 0, ByteCount, the dialect strings. */
	if (len < 35 || smb2_get32(p) != SMB1_MAGIC || p[4] != 0x72 ||
	    p[32] != 0)
		return -1;
	bytes = smb2_get16(p + 33);
	if (bytes > len - 35)
		return -1;
	pos = 35;
	end = 35 + bytes;
	while (pos < end) {
		if (p[pos] != 0x02)
			return -1;
		pos++;
		for (k = pos; k < end && p[k] != 0; k++)
			;
		if (k == end)
			return -1;
		if (k - pos == 9 && memcmp(p + pos, "SMB 2.???", 9) == 0)
			wild = 1;
		else if (k - pos == 9 && memcmp(p + pos, "SMB 2.002", 9) == 0)
			two = 1;
		pos = k + 1;
	}
	if (!wild && !two)
		return 0;
	*dialect = wild ? SMB2_DIALECT_WILDCARD : SMB2_DIALECT_202;
	return 1;
}

/* MS-SMB2 3.3.5.3.2 */
size_t
smb2_negotiate_smb1_reply(uint16_t dialect,
    const struct smb2_server_params *sp, uint8_t *out, size_t outmax)
{
	return smb2_negotiate_fixed(dialect, sp, out, outmax);
}
