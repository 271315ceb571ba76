/*
 * blockd/handle.c: file handles.
 *
 * A handle is 33 bytes: version (1), share id (4), inode (8), generation
 * (4), then the first 16 bytes of HMAC-SHA256 over those 17 bytes, keyed
 * by the store's secret.  A client cannot make a valid handle for an
 * inode or share it was never given, and a handle survives restarts
 * because nothing in it depends on the process.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "blockd/store_int.h"

#define STORE_FH_VERSION	1
#define STORE_FH_BODY		17
#define STORE_FH_MAC		(STORE_FH_LEN - STORE_FH_BODY)

/*
 * The store's HMAC context, keyed once: a one-shot HMAC() per handle
 * fetches the digest and hashes the key's pads every time, which cost
 * more than the database lookup that follows it.
 */
int
store_fh_init(struct store *s)
{
	OSSL_PARAM params[2];
	EVP_MAC *mac;

	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return -EIO;
	s->mac = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (s->mac == NULL)
		return -ENOMEM;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(s->mac, s->secret, sizeof(s->secret), params) != 1)
		return -EIO;
	return 0;
}

void
store_fh_fini(struct store *s)
{
	EVP_MAC_CTX_free(s->mac);
	s->mac = NULL;
}

static int
store_fh_mac(const struct store *s, const uint8_t *body, uint8_t *mac)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	size_t mdlen = 0;

	/* A NULL key restarts with the key already set: no rekeying. */
	if (EVP_MAC_init(s->mac, NULL, 0, NULL) != 1 ||
	    EVP_MAC_update(s->mac, body, STORE_FH_BODY) != 1 ||
	    EVP_MAC_final(s->mac, md, &mdlen, sizeof(md)) != 1 ||
	    mdlen < STORE_FH_MAC)
		return -EIO;
	memcpy(mac, md, STORE_FH_MAC);
	return 0;
}

int
store_fh_encode(const struct store *s, uint32_t share, uint64_t ino,
    uint32_t gen, struct store_fh *fh)
{
	uint8_t *p = fh->data;
	int i;

	memset(fh, 0, sizeof(*fh));
	p[0] = STORE_FH_VERSION;
	for (i = 0; i < 4; i++)
		p[1 + i] = (uint8_t)(share >> (24 - 8 * i));
	for (i = 0; i < 8; i++)
		p[5 + i] = (uint8_t)(ino >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		p[13 + i] = (uint8_t)(gen >> (24 - 8 * i));
	fh->len = STORE_FH_LEN;
	return store_fh_mac(s, p, p + STORE_FH_BODY);
}

/* -EBADMSG: not one of our handles' shape; -ESTALE: MAC does not match. */
int
store_fh_decode(const struct store *s, const struct store_fh *fh,
    uint32_t *share, uint64_t *ino, uint32_t *gen)
{
	uint8_t mac[STORE_FH_MAC];
	const uint8_t *p = fh->data;
	int i, rv;

	if (fh->len != STORE_FH_LEN || p[0] != STORE_FH_VERSION)
		return -EBADMSG;
	if ((rv = store_fh_mac(s, p, mac)) != 0)
		return rv;
	/* A handle of another store (or a forged one) is dead to us. */
	if (CRYPTO_memcmp(mac, p + STORE_FH_BODY, sizeof(mac)) != 0)
		return -ESTALE;
	*share = 0;
	for (i = 0; i < 4; i++)
		*share = *share << 8 | p[1 + i];
	*ino = 0;
	for (i = 0; i < 8; i++)
		*ino = *ino << 8 | p[5 + i];
	*gen = 0;
	for (i = 0; i < 4; i++)
		*gen = *gen << 8 | p[13 + i];
	return 0;
}

int
store_fh_share(const struct store_fh *fh, uint32_t *share)
{
	const uint8_t *p = fh->data;
	int i;

	if (fh->len != STORE_FH_LEN || p[0] != STORE_FH_VERSION)
		return -EBADMSG;
	*share = 0;
	for (i = 0; i < 4; i++)
		*share = *share << 8 | p[1 + i];
	return 0;
}

/* The live inode a handle names, or -ESTALE. */
int
store_fh_resolve(struct store *s, const struct store_fh *fh,
    struct store_inode *ip)
{
	uint64_t ino;
	uint32_t share, gen;
	int rv;

	if ((rv = store_fh_decode(s, fh, &share, &ino, &gen)) != 0)
		return rv;
	if ((rv = store_inode_get(s, ino, ip)) != 0)
		return rv == -ENOENT ? -ESTALE : rv;
	if (ip->generation != gen || ip->share != share)
		return -ESTALE;
	return 0;
}
