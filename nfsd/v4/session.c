/*
 * nfsd's mirror of stated's NFSv4.1 sessions (nfs4.h says what it is
 * for).  Pure: no IPC and no clock, so the unit test and the fuzz target
 * link it.  Session ids are stated's (random), so an unkeyed hash is
 * enough for the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "nfs4.h"

#define NFS41_MIRROR_BUCKETS	1024

struct nfs41_mirror {
	struct nfs41_session	*buckets[NFS41_MIRROR_BUCKETS];
	struct nfs41_session	*lru_head;	/* most recent */
	struct nfs41_session	*lru_tail;
	size_t			 count;
	size_t			 max;
	struct nfs41_conn_ops	 ops;		/* none: conns not kept */
};

static size_t
nfs41_bucket(const uint8_t *id)
{
	return (size_t)(hash_fnv1a32(id, NFS41_SESSIONID_SIZE) %
	    NFS41_MIRROR_BUCKETS);
}

struct nfs41_mirror *
nfs41_mirror_new(size_t max)
{
	struct nfs41_mirror *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->max = max > 0 ? max : 1;
	return m;
}

static void
nfs41_lru_unlink(struct nfs41_mirror *m, struct nfs41_session *s)
{
	if (s->lru_prev != NULL)
		s->lru_prev->lru_next = s->lru_next;
	else
		m->lru_head = s->lru_next;
	if (s->lru_next != NULL)
		s->lru_next->lru_prev = s->lru_prev;
	else
		m->lru_tail = s->lru_prev;
	s->lru_prev = s->lru_next = NULL;
}

static void
nfs41_lru_front(struct nfs41_mirror *m, struct nfs41_session *s)
{
	s->lru_prev = NULL;
	s->lru_next = m->lru_head;
	if (m->lru_head != NULL)
		m->lru_head->lru_prev = s;
	m->lru_head = s;
	if (m->lru_tail == NULL)
		m->lru_tail = s;
}

static void
nfs41_session_free(struct nfs41_mirror *m, struct nfs41_session *s)
{
	uint32_t i;

	for (i = 0; i < s->nconns; i++)
		if (m->ops.release != NULL)
			m->ops.release(s->conns[i].conn);
	free(s->conns);
	for (i = 0; i < s->nslots; i++)
		free(s->slots[i].reply);
	free(s->slots);
	free(s);
}

void
nfs41_mirror_set_conn_ops(struct nfs41_mirror *m,
    const struct nfs41_conn_ops *ops)
{
	m->ops = *ops;
}

void
nfs41_session_conns_prune(struct nfs41_mirror *m, struct nfs41_session *s)
{
	uint32_t i = 0;

	while (i < s->nconns) {
		if (m->ops.alive == NULL || m->ops.alive(s->conns[i].conn)) {
			i++;
			continue;
		}
		if (m->ops.release != NULL)
			m->ops.release(s->conns[i].conn);
		s->conns[i] = s->conns[--s->nconns];
	}
}

int
nfs41_session_conn(struct nfs41_mirror *m, struct nfs41_session *s,
    void *conn, const char *name, unsigned int dir)
{
	struct nfs41_conn *c;
	uint32_t i;

	if (conn == NULL || m->ops.hold == NULL)
		return -1;
	for (i = 0; i < s->nconns; i++) {
		if (s->conns[i].conn == conn) {
			s->conns[i].dir |= dir;
			return 0;
		}
	}
	nfs41_session_conns_prune(m, s);
	if (s->nconns >= NFS41_CONNS_MAX)
		return -1;
	if ((c = realloc(s->conns, (s->nconns + 1) * sizeof(*c))) == NULL)
		return -1;
	s->conns = c;
	c = &s->conns[s->nconns++];
	memset(c, 0, sizeof(*c));
	c->conn = m->ops.hold(conn);
	c->dir = dir;
	snprintf(c->name, sizeof(c->name), "%s", name);
	return 0;
}

/* Out of the table and the LRU, and freed. */
static void
nfs41_session_remove(struct nfs41_mirror *m, struct nfs41_session *s)
{
	struct nfs41_session **pp = &m->buckets[nfs41_bucket(s->id)];

	while (*pp != NULL && *pp != s)
		pp = &(*pp)->next;
	if (*pp == s)
		*pp = s->next;
	nfs41_lru_unlink(m, s);
	m->count--;
	nfs41_session_free(m, s);
}

void
nfs41_mirror_drop_all(struct nfs41_mirror *m)
{
	if (m == NULL)
		return;
	while (m->lru_head != NULL)
		nfs41_session_remove(m, m->lru_head);
}

void
nfs41_mirror_free(struct nfs41_mirror *m)
{
	if (m == NULL)
		return;
	nfs41_mirror_drop_all(m);
	free(m);
}

struct nfs41_session *
nfs41_mirror_get(struct nfs41_mirror *m, const uint8_t *id)
{
	struct nfs41_session *s;

	for (s = m->buckets[nfs41_bucket(id)]; s != NULL; s = s->next)
		if (memcmp(s->id, id, NFS41_SESSIONID_SIZE) == 0)
			break;
	if (s != NULL && m->lru_head != s) {
		nfs41_lru_unlink(m, s);
		nfs41_lru_front(m, s);
	}
	return s;
}

struct nfs41_session *
nfs41_mirror_add(struct nfs41_mirror *m, const uint8_t *id,
    uint64_t clientid, uint32_t nslots)
{
	struct nfs41_session *s;
	size_t b;

	if (nslots == 0 || nslots > NFS4_OPAQUE_LIMIT)
		return NULL;
	if ((s = nfs41_mirror_get(m, id)) != NULL)
		nfs41_session_remove(m, s);
	while (m->count >= m->max && m->lru_tail != NULL)
		nfs41_session_remove(m, m->lru_tail);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->slots = calloc(nslots, sizeof(*s->slots))) == NULL) {
		free(s);
		return NULL;
	}
	memcpy(s->id, id, NFS41_SESSIONID_SIZE);
	s->clientid = clientid;
	s->nslots = nslots;
	b = nfs41_bucket(id);
	s->next = m->buckets[b];
	m->buckets[b] = s;
	nfs41_lru_front(m, s);
	m->count++;
	return s;
}

void
nfs41_mirror_drop(struct nfs41_mirror *m, const uint8_t *id)
{
	struct nfs41_session *s;

	if ((s = nfs41_mirror_get(m, id)) != NULL)
		nfs41_session_remove(m, s);
}

size_t
nfs41_mirror_drop_client(struct nfs41_mirror *m, uint64_t clientid)
{
	struct nfs41_session *s, *next;
	size_t n = 0;

	for (s = m->lru_head; s != NULL; s = next) {
		next = s->lru_next;
		if (s->clientid == clientid) {
			nfs41_session_remove(m, s);
			n++;
		}
	}
	return n;
}

/* Each session, most recent first; fn may not drop one. */
void
nfs41_mirror_foreach(struct nfs41_mirror *m,
    void (*fn)(void *, struct nfs41_session *), void *arg)
{
	struct nfs41_session *s;

	for (s = m != NULL ? m->lru_head : NULL; s != NULL; s = s->lru_next)
		fn(arg, s);
}

/* For the status line: a walk of the sessions. */
size_t
nfs41_mirror_count(const struct nfs41_mirror *m, size_t *bytes)
{
	const struct nfs41_session *s;

	if (bytes != NULL) {
		*bytes = 0;
		for (s = m != NULL ? m->lru_head : NULL; s != NULL;
		    s = s->lru_next)
			*bytes += s->cached_bytes;
	}
	return m != NULL ? m->count : 0;
}

/* The slot's kept reply replaced by reply (not cached: none). */
static int
nfs41_slot_keep(struct nfs41_session *s, struct nfs41_slot *sl, int cached,
    const uint8_t *reply, size_t len)
{
	uint8_t *copy = NULL;

	if (cached && len > 0) {
		if (len > NFS41_REPLY_MAX || (copy = malloc(len)) == NULL)
			cached = 0;
		else
			memcpy(copy, reply, len);
	}
	s->cached_bytes -= sl->reply_len;
	free(sl->reply);
	sl->reply = copy;
	sl->reply_len = copy != NULL ? (uint32_t)len : 0;
	sl->cached = cached && copy != NULL;
	s->cached_bytes += sl->reply_len;
	return cached && len > 0 && copy == NULL ? -1 : 0;
}

/* The digest of the slot's request (none: 0 bytes, not known). */
static void
nfs41_slot_digest(struct nfs41_slot *sl, const uint8_t *digest, size_t len)
{
	memset(sl->digest, 0, sizeof(sl->digest));
	if (len > 0)
		memcpy(sl->digest, digest, len);
	sl->digest_len = (uint32_t)len;
}

int
nfs41_slot_load(struct nfs41_session *s, uint32_t slotid, uint32_t seqid,
    int cached, const uint8_t *digest, size_t digest_len,
    const uint8_t *reply, size_t reply_len)
{
	struct nfs41_slot *sl;

	if (slotid >= s->nslots || digest_len > NFS41_DIGEST_SIZE)
		return -1;
	sl = &s->slots[slotid];
	sl->seqid = seqid;
	sl->busy = 0;
	nfs41_slot_digest(sl, digest, digest_len);
	return nfs41_slot_keep(s, sl, cached, reply, reply_len);
}

/*
 * RFC 8881 2.10.6.1 and 18.46.3: the next sequence id runs; the same
 * one is a retry (its digest the same) or a false retry; anything else
 * is misordered.  Sequence ids wrap (uint32_t arithmetic).
 */
enum nfs41_verdict
nfs41_slot_check(struct nfs41_session *s, uint32_t slotid, uint32_t seqid,
    const uint8_t *digest, size_t digest_len)
{
	struct nfs41_slot *sl;

	if (slotid >= s->nslots)
		return NFS41_SLOT_BADSLOT;
	sl = &s->slots[slotid];
	if (seqid == sl->seqid + 1)
		return sl->busy ? NFS41_SLOT_BUSY : NFS41_SLOT_NEW;
	if (seqid != sl->seqid || sl->seqid == 0)
		return NFS41_SLOT_MISORDERED;
	if (sl->digest_len > 0 && (digest_len != sl->digest_len ||
	    memcmp(digest, sl->digest, digest_len) != 0))
		return NFS41_SLOT_FALSE_RETRY;
	if (sl->busy)
		return NFS41_SLOT_BUSY;
	return sl->cached ? NFS41_SLOT_REPLAY : NFS41_SLOT_UNCACHED;
}

void
nfs41_slot_begin(struct nfs41_session *s, uint32_t slotid, uint32_t seqid,
    const uint8_t *digest, size_t digest_len)
{
	struct nfs41_slot *sl;

	if (slotid >= s->nslots || digest_len > NFS41_DIGEST_SIZE)
		return;
	sl = &s->slots[slotid];
	sl->seqid = seqid;
	sl->busy = 1;
	nfs41_slot_digest(sl, digest, digest_len);
}

int
nfs41_slot_done(struct nfs41_session *s, uint32_t slotid, uint32_t seqid,
    int cached, const uint8_t *reply, size_t reply_len)
{
	struct nfs41_slot *sl;

	if (slotid >= s->nslots)
		return -1;
	sl = &s->slots[slotid];
	/* The next one too: a LOAD may have raced the COMPOUND. */
	if (sl->seqid != seqid && sl->seqid + 1 != seqid)
		return -1;
	sl->seqid = seqid;
	sl->busy = 0;
	return nfs41_slot_keep(s, sl, cached, reply, reply_len);
}

/*
 * RFC 8881 2.10.6.1: slots n and up go (their kept replies freed), once
 * none of them runs.  1 if the table shrank, 0 if not (n not smaller, or
 * a slot still busy).
 */
int
nfs41_slots_shrink(struct nfs41_session *s, uint32_t n)
{
	uint32_t i;

	if (n == 0 || n >= s->nslots)
		return 0;
	for (i = n; i < s->nslots; i++)
		if (s->slots[i].busy)
			return 0;
	for (i = n; i < s->nslots; i++) {
		s->cached_bytes -= s->slots[i].reply_len;
		free(s->slots[i].reply);
		memset(&s->slots[i], 0, sizeof(s->slots[i]));
	}
	s->nslots = n;
	return 1;
}

void
nfs41_digest(const uint8_t *p, size_t len, uint8_t *out)
{
	size_t head = len < NFS41_DIGEST_HEAD ? len : NFS41_DIGEST_HEAD;
	size_t tail = len - head < NFS41_DIGEST_TAIL ? len - head :
	    NFS41_DIGEST_TAIL;
	uint64_t a, b;
	int i;

	/*
	 * The head (every op's arguments but a WRITE's data), the tail and
	 * the length: hashing a 1 MiB WRITE whole, twice, bounded 4.1's
	 * streaming.  A false retry that differs only inside a WRITE's
	 * data is taken for the retry (its header, offset and count are
	 * the same).
	 */
	a = hash_fnv1a64_add(hash_fnv1a64(p, head), p + len - tail, tail);
	/* A second offset basis: another function of the same bytes. */
	b = hash_fnv1a64_add(hash_fnv1a64_add(0x6c62272e07bb0142ull ^ len, p,
	    head), p + len - tail, tail);

	for (i = 0; i < 8; i++) {
		out[i] = (uint8_t)(a >> (56 - 8 * i));
		out[8 + i] = (uint8_t)(b >> (56 - 8 * i));
	}
}
