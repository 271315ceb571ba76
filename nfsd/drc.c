/*
 * Duplicate request cache (RFC 1813 has none; see Juszczak, "Improving
 * the performance and correctness of an NFS server", 1989): the replies
 * of non-idempotent procedures, keyed as knfsd keys them: client address
 * and port, xid, program, version, procedure and a checksum of the call
 * (credential and arguments; two clients behind one NAT address may use
 * the same xid), so that a
 * retransmission after a reconnect gets the original reply instead of
 * running again (a second REMOVE would say NOENT).
 *
 * Surviving a restart (DESIGN.md section 1).  Lookups stay here, in
 * process, so the request path has no IPC round trip.  Each completed
 * entry is mirrored to dittofs-stated (stated_client.c: ST_DRC_PUT, one
 * way, batched per loop iteration), and the client's reply is written
 * only after its entry has been handed to stated's socket (rpcsvc holds
 * it until then): so whenever a client may have seen a reply, stated
 * has the entry.  A new nfsd reads every entry back (ST_DRC_DUMP, in
 * chunks) before it watches its sockets (nfsd.c), so a retransmission
 * that arrives right after a restart is answered from here.  When stated
 * comes back after its own restart, nfsd sends it what it holds again,
 * so only losing both at once loses the cache.
 *
 * What is still lost: a request that blockd executed but whose reply
 * nfsd had not computed when it died is not in the cache, and its
 * retransmission runs again (a REMOVE then answers NFS3ERR_NOENT).
 * Likewise when stated is out of reach for NFSD_DRC_WAIT_SECONDS at
 * start (nfsd then serves without the earlier entries), or when its
 * socket is backed up (the reply is not held back past the hand-off
 * to the socket buffer).  Replies over ST_DRC_REPLY_MAX bytes are kept
 * here only; none of these procedures produces one.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "hash.h"
#include "nfsd.h"

#define DRC_BUCKETS	4096

struct drc_entry {
	struct drc_key		 key;
	int			 done;
	uint32_t		 stamp;		/* drc_restore's, or 0 */
	uint8_t			*reply;
	size_t			 len;
	struct drc_entry	*next;		/* hash chain */
	TAILQ_ENTRY(drc_entry)	 lru;
};

struct drc {
	struct drc_entry	*buckets[DRC_BUCKETS];
	TAILQ_HEAD(, drc_entry)	 lru;		/* oldest first */
	size_t			 n;
	size_t			 max;
};

/* FNV-1a (common/hash.h): cheap, and collisions only cost a compare. */
uint32_t
drc_checksum(const uint8_t *p, size_t len)
{
	return hash_fnv1a32(p, len);
}

/* RFC 5531 9: xid, type, rpcvers, prog, vers, proc, then the cred. */
#define DRC_CRED_OFF	24

uint32_t
drc_call_checksum(const uint8_t *rec, size_t len, size_t args_off)
{
	uint32_t h = HASH_FNV1A32_INIT, body;
	size_t cred_end = args_off, n;

	if (args_off > len)
		args_off = cred_end = len;
	if (args_off >= DRC_CRED_OFF + 8) {
		body = xdrbuf_peek_u32(rec + DRC_CRED_OFF + 4);
		if (body <= args_off - DRC_CRED_OFF - 8)
			cred_end = DRC_CRED_OFF + 8 + ((body + 3) & ~3u);
		if (cred_end > args_off)
			cred_end = args_off;
		h = hash_fnv1a32_add(h, rec + DRC_CRED_OFF,
		    cred_end - DRC_CRED_OFF);
	}
	n = len - args_off;
	if (n > DRC_CHECKSUM_ARGS)
		n = DRC_CHECKSUM_ARGS;
	return hash_fnv1a32_add(h, rec + args_off, n);
}

static uint32_t
drc_hash(const struct drc_key *k)
{
	return drc_checksum((const uint8_t *)k, sizeof(*k)) % DRC_BUCKETS;
}

struct drc *
drc_new(size_t max)
{
	struct drc *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	TAILQ_INIT(&d->lru);
	d->max = max > 0 ? max : 1;
	return d;
}

static struct drc_entry **
drc_find(struct drc *d, const struct drc_key *k)
{
	struct drc_entry **pp = &d->buckets[drc_hash(k)];

	for (; *pp != NULL; pp = &(*pp)->next)
		if (memcmp(&(*pp)->key, k, sizeof(*k)) == 0)
			break;
	return pp;
}

static void
drc_remove(struct drc *d, struct drc_entry **pp)
{
	struct drc_entry *e = *pp;

	*pp = e->next;
	TAILQ_REMOVE(&d->lru, e, lru);
	free(e->reply);
	free(e);
	d->n--;
}

void
drc_free(struct drc *d)
{
	struct drc_entry *e;

	if (d == NULL)
		return;
	while ((e = TAILQ_FIRST(&d->lru)) != NULL)
		drc_remove(d, drc_find(d, &e->key));
	free(d);
}

enum drc_verdict
drc_lookup(struct drc *d, const struct drc_key *k, const uint8_t **reply,
    size_t *len)
{
	struct drc_entry **pp = drc_find(d, k), *e;

	if ((e = *pp) != NULL) {
		if (!e->done)
			return DRC_IN_PROGRESS;
		TAILQ_REMOVE(&d->lru, e, lru);
		TAILQ_INSERT_TAIL(&d->lru, e, lru);
		*reply = e->reply;
		*len = e->len;
		return DRC_HIT;
	}
	while (d->n >= d->max)
		drc_remove(d, drc_find(d, &TAILQ_FIRST(&d->lru)->key));
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return DRC_MISS;	/* run it uncached */
	e->key = *k;
	e->next = d->buckets[drc_hash(k)];
	d->buckets[drc_hash(k)] = e;
	TAILQ_INSERT_TAIL(&d->lru, e, lru);
	d->n++;
	return DRC_MISS;
}

void
drc_complete(struct drc *d, const struct drc_key *k, const uint8_t *reply,
    size_t len)
{
	struct drc_entry **pp = drc_find(d, k), *e = *pp;

	if (e == NULL)
		return;		/* evicted meanwhile */
	free(e->reply);
	if ((e->reply = malloc(len > 0 ? len : 1)) == NULL) {
		drc_remove(d, pp);
		return;
	}
	memcpy(e->reply, reply, len);
	e->len = len;
	e->done = 1;
	e->stamp = 0;
}

int
drc_restore(struct drc *d, const struct drc_key *k, const uint8_t *reply,
    size_t len, uint32_t stamp)
{
	struct drc_entry *e = *drc_find(d, k);

	if (e != NULL) {
		/*
		 * Ours already: running now (it will complete), or done.  A
		 * different reply of ours is the newer one (stated missed
		 * it); left unstamped, it goes to stated again.
		 */
		if (e->done && e->len == len && memcmp(e->reply, reply,
		    len) == 0)
			e->stamp = stamp;
		return 0;
	}
	while (d->n >= d->max)
		drc_remove(d, drc_find(d, &TAILQ_FIRST(&d->lru)->key));
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->reply = malloc(len > 0 ? len : 1)) == NULL) {
		free(e);
		return -1;
	}
	memcpy(e->reply, reply, len);
	e->len = len;
	e->done = 1;
	e->stamp = stamp;
	e->key = *k;
	e->next = d->buckets[drc_hash(k)];
	d->buckets[drc_hash(k)] = e;
	TAILQ_INSERT_TAIL(&d->lru, e, lru);
	d->n++;
	return 0;
}

void
drc_foreach_done(struct drc *d, drc_foreach_fn *fn, void *arg)
{
	struct drc_entry *e;

	TAILQ_FOREACH(e, &d->lru, lru)
		if (e->done)
			fn(arg, &e->key, e->reply, e->len, e->stamp);
}

void
drc_abandon(struct drc *d, const struct drc_key *k)
{
	struct drc_entry **pp = drc_find(d, k);

	if (*pp != NULL)
		drc_remove(d, pp);
}

size_t
drc_count(const struct drc *d)
{
	return d->n;
}
