/*
 * NFSv4.0 client and open/lock state (the model is in v4state.h).
 *
 * Clients, owners and states sit in three hash tables of one shape
 * (v4_hash): clients by clientid4, owners by a keyed hash of (clientid,
 * kind, bytes), states by their counter.  A client links its owners, an
 * owner its states, so purging a client touches only what it holds.
 * Share reservations and locks themselves are the lock table's.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/queue.h>
#include <sys/random.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "v4state.h"

#define V4_HASH_INITIAL		256
#define V4_RETRY_MAX		16	/* courtesy purges per request */
#define V4_TOMBSTONE_LEASES	10	/* an expired client is kept for */
#define V4_PROTOCOL_NFSV4	2	/* clients.h protocol, ST_PROTOCOL_NFSV4 */

struct v4_link {
	struct v4_link	*next;
	uint64_t	 key;
};

struct v4_hash {
	struct v4_link	**b;
	size_t		  size;		/* a power of two */
	size_t		  count;
};

struct v4_stateful;
struct v4_owner;

struct v4_client {
	struct v4_link		 link;		/* first: key clientid */
	TAILQ_ENTRY(v4_client)	 entry;
	uint64_t		 clientid;
	uint8_t			 verifier[V4_VERIFIER_SIZE];
	uint8_t			 confirm[V4_VERIFIER_SIZE];
	uint8_t			*id;
	size_t			 id_len;
	char			*principal;
	char			 addr[V4_ADDR_MAX + 1];
	int			 confirmed;
	int			 minor;		/* 1: a v4.1 client's entry */
	int			 gone;		/* v4.1: the session table's
						   client is going */
	struct v4_callback	 cb;
	int			 cb_up;		/* -1 unknown, 0 down, 1 up */
	time_t			 recall_any_at;	/* v4.1: CB_RECALL_ANY asked */
	time_t			 renewed;
	int			 expired;	/* tombstone */
	uint32_t		 expired_status;
	time_t			 expired_at;
	struct stated_client	*record;	/* confirmed ones only */
	LIST_HEAD(, v4_owner)	 owners;
	size_t			 nowners;
	size_t			 nopens;	/* open states not closed */
	size_t			 nlocks;	/* lock states */
};

struct v4_owner {
	struct v4_link		 link;		/* first */
	LIST_ENTRY(v4_owner)	 client_entry;
	struct v4_client	*client;
	int			 lock;
	int			 confirmed;	/* open owners */
	uint32_t		 seqid;
	struct v4_result	 last;
	time_t			 used;
	LIST_HEAD(, v4_stateful) states;
	size_t			 len;		/* with the prefix byte */
	uint8_t			 bytes[];	/* "O" or "L", then owner */
};

struct v4_stateful {
	struct v4_link		 link;		/* first: key counter */
	LIST_ENTRY(v4_stateful)	 owner_entry;
	struct v4_owner		*owner;
	struct lock_file_id	 file;
	struct v4_stateid	 id;
	uint32_t		 access;	/* open states */
	uint32_t		 deny;
	int			 closed;	/* kept for a CLOSE replay */
	struct v4_stateful	*open;		/* lock states: their open */
};

struct v4_state {
	struct lock_table	*locks;
	struct stated_clients	*records;
	uint32_t		 epoch;
	time_t			 now;
	time_t			 lease;
	size_t			 opens_max;
	size_t			 owners_max;
	size_t			 addr_max;
	uint64_t		 limit_hits;
	uint64_t		 courtesy_purges;
	uint64_t		 note_failures;	/* records not stored */
	uint32_t		 next_client;
	uint32_t		 next_state;
	uint64_t		 hash_key;
	v4_done_cb		 done_cb;
	void			*done_arg;
	struct grant_table	*grants;	/* delegations; NULL: none */
	int			 delegations;	/* granted at all */
	int			 write_delegations;
	int			 dir_delegations;	/* RFC 8881 10.9 */
	size_t			 delegs_max;	/* per client; 0: no cap */
	v4_revoked_cb		 revoked_cb;
	void			*revoked_arg;
	struct session_table	*sessions;	/* v4.1 clients */
	struct v4_hash		 clients;
	struct v4_hash		 owners;
	struct v4_hash		 states;
	TAILQ_HEAD(, v4_client)	 all;
	struct v4_state_stats	 stats;
};

static int
v4_hash_init(struct v4_hash *h)
{
	if ((h->b = calloc(V4_HASH_INITIAL, sizeof(*h->b))) == NULL)
		return -1;
	h->size = V4_HASH_INITIAL;
	h->count = 0;
	return 0;
}

static void
v4_hash_insert(struct v4_hash *h, struct v4_link *l)
{
	struct v4_link **nb, *p, *next;
	size_t i, size;

	/* Grow at load 1; short of memory, longer chains still work. */
	if (h->count >= h->size && h->size <= SIZE_MAX / 2 / sizeof(*nb) &&
	    (nb = calloc(h->size * 2, sizeof(*nb))) != NULL) {
		size = h->size * 2;
		for (i = 0; i < h->size; i++) {
			for (p = h->b[i]; p != NULL; p = next) {
				next = p->next;
				p->next = nb[p->key & (size - 1)];
				nb[p->key & (size - 1)] = p;
			}
		}
		free(h->b);
		h->b = nb;
		h->size = size;
	}
	i = l->key & (h->size - 1);
	l->next = h->b[i];
	h->b[i] = l;
	h->count++;
}

static void
v4_hash_remove(struct v4_hash *h, struct v4_link *l)
{
	struct v4_link **p;

	for (p = &h->b[l->key & (h->size - 1)]; *p != NULL; p = &(*p)->next) {
		if (*p == l) {
			*p = l->next;
			h->count--;
			return;
		}
	}
}

static struct v4_link *
v4_hash_first(const struct v4_hash *h, uint64_t key)
{
	return h->b[key & (h->size - 1)];
}

static void
v4_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
v4_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * Counters as clients see them (in clientids and stateids): a keyed
 * bijection of 32 bits, so they stay unique but are not the next
 * number a client could guess from its own.  Not cryptography: it
 * keeps a careless or curious client off another's state, no more.
 */
static uint32_t
v4_scramble(const struct v4_state *v, uint32_t n)
{
	n ^= (uint32_t)v->hash_key;
	n *= 0x9e3779b1u;		/* odd: a bijection modulo 2^32 */
	n ^= n >> 15;			/* so is this */
	n *= 0x85ebca6bu;
	return n ^ (uint32_t)(v->hash_key >> 32);
}

/* Owner bytes come from clients: keyed, so they cannot aim at a bucket. */
static uint64_t
v4_owner_key(const struct v4_state *v, uint64_t clientid, int lock,
    const uint8_t *bytes, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ v->hash_key;
	size_t i;

	for (i = 0; i < 8; i++) {
		h ^= (uint8_t)(clientid >> (8 * i));
		h *= 0x100000001b3ULL;
	}
	h ^= (uint64_t)lock;
	h *= 0x100000001b3ULL;
	for (i = 0; i < len; i++) {
		h ^= bytes[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL ^ v->hash_key;
	return h ^ (h >> 32);
}

struct v4_state *
v4_state_new(struct lock_table *locks, struct stated_clients *records,
    uint64_t epoch)
{
	struct v4_state *v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	if (v4_hash_init(&v->clients) == -1 || v4_hash_init(&v->owners) ==
	    -1 || v4_hash_init(&v->states) == -1) {
		free(v->clients.b);
		free(v->owners.b);
		free(v);
		return NULL;
	}
	if (getrandom(&v->hash_key, sizeof(v->hash_key), 0) !=
	    sizeof(v->hash_key))
		v->hash_key = (uint64_t)(uintptr_t)v ^ (uint64_t)epoch << 17;
	v->locks = locks;
	v->records = records;
	v->epoch = (uint32_t)epoch;
	v->lease = 90;
	TAILQ_INIT(&v->all);
	return v;
}

void
v4_state_set_now(struct v4_state *v, time_t now)
{
	v->now = now;
}

void
v4_state_set_lease(struct v4_state *v, time_t lease)
{
	v->lease = lease > 0 ? lease : 1;
}

time_t
v4_state_lease(const struct v4_state *v)
{
	return v->lease;
}

void
v4_state_set_limits(struct v4_state *v, size_t opens, size_t owners,
    size_t per_addr)
{
	v->opens_max = opens;
	v->owners_max = owners;
	v->addr_max = per_addr;
}

void
v4_state_set_grants(struct v4_state *v, struct grant_table *g, int enabled,
    size_t per_client)
{
	v->grants = g;
	v->delegations = enabled;
	v->delegs_max = per_client;
}

void
v4_state_set_write_delegations(struct v4_state *v, int enabled)
{
	v->write_delegations = enabled;
}

void
v4_state_set_dir_delegations(struct v4_state *v, int enabled)
{
	v->dir_delegations = enabled;
}

void
v4_state_set_done_cb(struct v4_state *v, v4_done_cb cb, void *arg)
{
	v->done_cb = cb;
	v->done_arg = arg;
}

void
v4_state_set_revoked_cb(struct v4_state *v, v4_revoked_cb cb, void *arg)
{
	v->revoked_cb = cb;
	v->revoked_arg = arg;
}

static void v4_state_forget41(void *, uint64_t);

void
v4_state_set_sessions(struct v4_state *v, struct session_table *t)
{
	v->sessions = t;
	if (t != NULL)
		session_table_set_forget_cb(t, v4_state_forget41, v);
}

static int
v4_minor1_id(uint64_t clientid)
{
	return (clientid & SESSION_CLIENTID_BIT) != 0;
}

static struct v4_client *v4_client_find(struct v4_state *, uint64_t, int);

/*
 * A stateid of this start: its first 8 bytes are its holder's clientid,
 * a v4.0 one or a v4.1 one this table has met (the v4.1 bit alone on
 * another high word is another start's, NFS4ERR_STALE_STATEID).
 */
static int
v4_stateid_epoch_ok(struct v4_state *v, const struct v4_stateid *sid)
{
	uint32_t high = v4_get32(sid->other);

	if (high == v->epoch)
		return 1;
	return high == (v->epoch | 0x80000000u) && v4_client_find(v,
	    (uint64_t)high << 32 | v4_get32(sid->other + 4), 1) != NULL;
}

uint64_t
v4_state_limit_hits(const struct v4_state *v)
{
	return v->limit_hits;
}

static int
v4_in_grace(const struct v4_state *v)
{
	return lock_table_in_grace(v->locks);
}

static int
v4_lapsed(const struct v4_state *v, const struct v4_client *c)
{
	struct session_client_use u;

	/* A v4.1 client's lease is the session table's. */
	if (c->minor)
		return v->sessions == NULL || c->gone ||
		    session_table_client_use(v->sessions, c->clientid, 0,
		    &u) != SESSION_OK || u.lapsed;
	return v->now - c->renewed > v->lease;
}

/*
 * A v4.1 client's record is the session table's: v4_client_live41 takes
 * it afresh at every operation, and it is dropped when the session
 * table lets the client go (before the record may go).
 */
static struct stated_client *
v4_client_record(const struct v4_state *v, const struct v4_client *c)
{
	(void)v;
	return c->minor && c->gone ? NULL : c->record;
}

/* The lock table's owner for an open or lock owner. */
static void
v4_table_owner(const struct v4_owner *o, struct lock_owner *out)
{
	memset(out, 0, sizeof(*out));
	out->protocol = LOCK_PROTOCOL_NFSV4;
	out->semantics = LOCK_SEMANTICS_POSIX;
	out->client_id = o->client->clientid;
	out->bytes = o->bytes;
	out->bytes_len = o->len;
}

/* ---- clients ---- */

static struct v4_client *
v4_client_find(struct v4_state *v, uint64_t clientid, int confirmed)
{
	struct v4_link *l;
	struct v4_client *c;

	for (l = v4_hash_first(&v->clients, clientid); l != NULL;
	    l = l->next) {
		c = (struct v4_client *)l;
		if (c->clientid == clientid && c->confirmed == confirmed)
			return c;
	}
	return NULL;
}

static struct v4_client *
v4_client_by_id(struct v4_state *v, const uint8_t *id, size_t len,
    int confirmed, const struct v4_client *except)
{
	struct v4_client *c;

	TAILQ_FOREACH(c, &v->all, entry)
		if (c != except && !c->minor && c->confirmed == confirmed &&
		    c->id_len == len && memcmp(c->id, id, len) == 0)
			return c;
	return NULL;
}

/*
 * The name of a client's record (clients.h): its id string in hex;
 * a long one is cut and followed by a keyed-free FNV-1a of all of it
 * and its length, to stay within CLIENTS_NAME_MAX.
 */
static void
v4_record_name(const uint8_t *id, size_t len, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i, n = len, o = 0;

	if (2 * len + 3 > outlen)
		n = (outlen - 40) / 2;
	for (i = 0; i < n; i++) {
		out[o++] = hex[id[i] >> 4];
		out[o++] = hex[id[i] & 15];
	}
	if (n < len) {
		for (i = 0; i < len; i++) {
			h ^= id[i];
			h *= 0x100000001b3ULL;
		}
		o += (size_t)snprintf(out + o, outlen - o, "+%016llx.%zu",
		    (unsigned long long)h, len);
	}
	out[o] = '\0';
}

static void v4_owner_free(struct v4_state *, struct v4_owner *);

/* Everything a client holds goes; it becomes a tombstone. */
static void
v4_client_purge(struct v4_state *v, struct v4_client *c, uint32_t why)
{
	struct v4_owner *o;
	struct stated_client *r = v4_client_record(v, c);
	int held = c->nopens > 0 || c->nlocks > 0;

	lock_table_release_client(v->locks, LOCK_PROTOCOL_NFSV4, c->clientid);
	if (v->grants != NULL)
		grant_release_holder(v->grants, LOCK_PROTOCOL_NFSV4,
		    c->clientid);
	while ((o = LIST_FIRST(&c->owners)) != NULL)
		v4_owner_free(v, o);
	c->expired = 1;
	c->expired_status = why;
	c->expired_at = v->now;
	/* Its state is gone: after a restart it has nothing to reclaim. */
	if (r != NULL && r->epoch != 0)
		clients_clear_state(v->records, r);
	/* Front ends that cached its stateids forget them. */
	if (held && v->revoked_cb != NULL)
		v->revoked_cb(v->revoked_arg, c->clientid, why);
}

static void
v4_client_destroy(struct v4_state *v, struct v4_client *c)
{
	struct stated_client *r = c->minor ? NULL : c->record;

	if (!LIST_EMPTY(&c->owners))
		v4_client_purge(v, c, V4ERR_EXPIRED);
	/* Delegations outlive the opens they came with: they go too. */
	if (v->grants != NULL && c->confirmed)
		grant_release_holder(v->grants, LOCK_PROTOCOL_NFSV4,
		    c->clientid);
	v4_hash_remove(&v->clients, &c->link);
	TAILQ_REMOVE(&v->all, c, entry);
	v->stats.clients--;
	/* A record with nothing to reclaim, nor a right to, goes too. */
	if (r != NULL && r->epoch == 0 && !(r->reclaimable && !r->done) &&
	    v4_client_by_id(v, c->id, c->id_len, 1, NULL) == NULL)
		clients_remove(v->records, r);
	free(c->id);
	free(c->principal);
	free(c);
}

static struct v4_client *
v4_client_new(struct v4_state *v, const struct v4_setclientid_args *a,
    uint64_t clientid)
{
	struct v4_client *c;
	uint32_t r;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->id = malloc(a->id_len)) == NULL ||
	    (c->principal = strdup(a->principal)) == NULL) {
		free(c->id);
		free(c);
		return NULL;
	}
	memcpy(c->id, a->id, a->id_len);
	c->id_len = a->id_len;
	memcpy(c->verifier, a->verifier, V4_VERIFIER_SIZE);
	snprintf(c->addr, sizeof(c->addr), "%s", a->addr);
	c->cb = a->cb;
	c->cb_up = -1;
	c->renewed = v->now;
	if (clientid == 0)
		clientid = (uint64_t)v->epoch << 32 |
		    v4_scramble(v, ++v->next_client);
	c->clientid = clientid;
	/* The confirm verifier: unguessable, and never the previous one. */
	if (getrandom(c->confirm, sizeof(c->confirm), 0) !=
	    sizeof(c->confirm)) {
		r = ++v->next_state;
		v4_put32(c->confirm, r);
		v4_put32(c->confirm + 4, (uint32_t)v->now);
	}
	LIST_INIT(&c->owners);
	c->link.key = clientid;
	v4_hash_insert(&v->clients, &c->link);
	TAILQ_INSERT_TAIL(&v->all, c, entry);
	v->stats.clients++;
	return c;
}

/*
 * The client of a stateful operation: confirmed, of this epoch, alive.
 * Any operation renews its lease, a lapsed one's included (courtesy).
 */
static uint32_t v4_client_live41(struct v4_state *, uint64_t,
		    struct v4_client **);

static uint32_t
v4_client_live(struct v4_state *v, uint64_t clientid, struct v4_client **cp)
{
	struct v4_client *c;

	*cp = NULL;
	if (v4_minor1_id(clientid))
		return v4_client_live41(v, clientid, cp);
	if ((uint32_t)(clientid >> 32) != v->epoch ||
	    (c = v4_client_find(v, clientid, 1)) == NULL)
		return V4ERR_STALE_CLIENTID;
	if (c->expired)
		return c->expired_status;
	c->renewed = v->now;
	*cp = c;
	return V4_OK;
}

/* Clients (not tombstones) at this address. */
static size_t
v4_clients_at(struct v4_state *v, const char *addr)
{
	struct v4_client *c;
	size_t n = 0;

	TAILQ_FOREACH(c, &v->all, entry)
		if (!c->expired && !c->minor && strcmp(c->addr, addr) == 0)
			n++;
	return n;
}

/* Room for one more at addr: a lapsed one that holds nothing goes. */
static int
v4_clients_make_room(struct v4_state *v, const char *addr)
{
	struct v4_client *c, *victim = NULL;

	TAILQ_FOREACH(c, &v->all, entry) {
		if (c->expired || c->minor || strcmp(c->addr, addr) != 0)
			continue;
		if ((!c->confirmed && v4_lapsed(v, c)) ||
		    (c->confirmed && v4_lapsed(v, c) && c->nopens == 0 &&
		    c->nlocks == 0)) {
			victim = c;
			break;
		}
	}
	if (victim == NULL)
		return -1;
	v4_client_destroy(v, victim);
	return 0;
}

/*
 * RFC 8881 2.4, 18.35: a v4.1 client of the session table.  Its entry
 * here is made at its first state operation; every one renews the
 * session table's lease.  One that the session table let go answers
 * from its tombstone (NFS4ERR_EXPIRED), else NFS4ERR_STALE_CLIENTID.
 * Revoked by dittofsctl and still a client there, it goes on afresh.
 */
static uint32_t
v4_client_live41(struct v4_state *v, uint64_t clientid, struct v4_client **cp)
{
	struct session_client_use u;
	struct v4_setclientid_args a;
	struct v4_client *c;
	static const uint8_t zero[V4_VERIFIER_SIZE];

	c = v4_client_find(v, clientid, 1);
	if (v->sessions == NULL || (uint32_t)(clientid >> 32) !=
	    (v->epoch | 0x80000000u) || session_table_client_use(v->sessions,
	    clientid, 1, &u) != SESSION_OK)
		return c != NULL && c->expired ? c->expired_status :
		    V4ERR_STALE_CLIENTID;
	if (c == NULL) {
		memset(&a, 0, sizeof(a));
		a.verifier = zero;
		a.id = u.owner;
		a.id_len = u.owner_len;
		a.principal = u.principal;
		a.addr = u.addr;
		if ((c = v4_client_new(v, &a, clientid)) == NULL)
			return V4ERR_SERVERFAULT;
		c->minor = 1;
		c->confirmed = 1;
	}
	c->record = u.record;
	c->expired = 0;
	c->renewed = v->now;
	*cp = c;
	return V4_OK;
}

/* The session table lets a confirmed v4.1 client go: so does its state. */
static void
v4_state_forget41(void *arg, uint64_t clientid)
{
	struct v4_state *v = arg;
	struct v4_client *c;

	if ((c = v4_client_find(v, clientid, 1)) == NULL || !c->minor)
		return;
	/* Its record is the session table's, which deals with it. */
	c->gone = 1;
	c->record = NULL;
	if (!LIST_EMPTY(&c->owners) || c->nopens > 0 || c->nlocks > 0) {
		v4_client_purge(v, c, V4ERR_EXPIRED);
		return;
	}
	if (v->grants != NULL)
		grant_release_holder(v->grants, LOCK_PROTOCOL_NFSV4,
		    c->clientid);
	v4_client_destroy(v, c);
}

/*
 * RFC 7530 16.33.5, 9.1.1: an id string is its principal's while its
 * client has unexpired leased state: a lease that has not lapsed, and
 * opens, locks or delegations under it.  Only then does another
 * principal get NFS4ERR_CLID_INUSE; otherwise it takes the id over and
 * the earlier client's state goes at its confirm.  A change of flavour
 * is a change of principal like any other: a client first seen under
 * AUTH_SYS ("sys:UID") that comes back under Kerberos ("krb5:...") while
 * its AUTH_SYS lease holds state is refused, and is let in once that
 * lease has lapsed or holds nothing (the RFC makes no exception for an
 * upgrade, and an AUTH_SYS principal proves nothing either way).
 */
static int
v4_client_holds_lease(struct v4_state *v, const struct v4_client *c)
{
	if (c->expired || v4_lapsed(v, c))
		return 0;
	return c->nopens > 0 || c->nlocks > 0 || (v->grants != NULL &&
	    grant_holder_count(v->grants, LOCK_PROTOCOL_NFSV4,
	    c->clientid) > 0);
}

/* RFC 7530 16.33.5: SETCLIENTID */
uint32_t
v4_state_setclientid(struct v4_state *v, const struct v4_setclientid_args *a,
    struct v4_setclientid_res *res)
{
	struct v4_client *conf, *unconf, *c;
	uint64_t clientid = 0;

	memset(res, 0, sizeof(*res));
	if (a->verifier == NULL || a->id == NULL || a->id_len == 0 ||
	    a->id_len > V4_ID_MAX || a->principal == NULL ||
	    strlen(a->principal) > V4_PRINCIPAL_MAX || a->addr == NULL ||
	    strlen(a->addr) > V4_ADDR_MAX)
		return V4ERR_INVAL;
	conf = v4_client_by_id(v, a->id, a->id_len, 1, NULL);
	if (conf != NULL && conf->expired)
		conf = NULL;		/* holds nothing: as if none */
	unconf = v4_client_by_id(v, a->id, a->id_len, 0, NULL);
	if (conf != NULL && strcmp(conf->principal, a->principal) != 0) {
		/* Another principal may not take over a client with state. */
		if (v4_client_holds_lease(v, conf)) {
			res->inuse = conf->cb;
			return V4ERR_CLID_INUSE;
		}
		conf = NULL;
	}
	if (conf != NULL && memcmp(conf->verifier, a->verifier,
	    V4_VERIFIER_SIZE) == 0)
		clientid = conf->clientid;	/* case 1: callback update */
	/* Cases 1, 3 and 4: an earlier unconfirmed record goes. */
	if (unconf != NULL)
		v4_client_destroy(v, unconf);
	if (clientid == 0 && v->addr_max > 0 &&
	    v4_clients_at(v, a->addr) >= v->addr_max &&
	    v4_clients_make_room(v, a->addr) == -1) {
		v->limit_hits++;
		return V4ERR_RESOURCE;
	}
	if ((c = v4_client_new(v, a, clientid)) == NULL)
		return V4ERR_SERVERFAULT;
	res->clientid = c->clientid;
	memcpy(res->confirm, c->confirm, V4_VERIFIER_SIZE);
	return V4_OK;
}

/* The client record behind a confirmed client (NULL: none kept). */
static void
v4_client_attach_record(struct v4_state *v, struct v4_client *c)
{
	char name[CLIENTS_NAME_MAX + 1];

	if (v->records == NULL || c->record != NULL)
		return;
	v4_record_name(c->id, c->id_len, name, sizeof(name));
	c->record = clients_get(v->records, V4_PROTOCOL_NFSV4, name, c->addr);
}

/* RFC 7530 16.34.5: SETCLIENTID_CONFIRM */
uint32_t
v4_state_setclientid_confirm(struct v4_state *v, uint64_t clientid,
    const uint8_t *confirm, const char *principal, struct v4_confirm_res *res)
{
	struct v4_client *conf, *unconf, *old;

	memset(res, 0, sizeof(*res));
	if (confirm == NULL || principal == NULL)
		return V4ERR_INVAL;
	if ((uint32_t)(clientid >> 32) != v->epoch)
		return V4ERR_STALE_CLIENTID;
	conf = v4_client_find(v, clientid, 1);
	if (conf != NULL && conf->expired)
		conf = NULL;
	unconf = v4_client_find(v, clientid, 0);
	if ((unconf != NULL && strcmp(unconf->principal, principal) != 0) ||
	    (conf != NULL && strcmp(conf->principal, principal) != 0))
		return V4ERR_CLID_INUSE;
	if (unconf != NULL && memcmp(unconf->confirm, confirm,
	    V4_VERIFIER_SIZE) == 0) {
		if (conf != NULL) {
			/* Case 1: the callback of a confirmed client. */
			conf->cb = unconf->cb;
			conf->cb_up = -1;
			memcpy(conf->confirm, unconf->confirm,
			    V4_VERIFIER_SIZE);
			conf->renewed = v->now;
			v4_client_destroy(v, unconf);
			res->cb_probe = 1;
			res->cb = conf->cb;
			return V4_OK;
		}
		/*
		 * Case 2, a new client; or case 3, a client that rebooted:
		 * the confirmed record of its earlier incarnation goes,
		 * with its state.  Its client record is the same one.
		 */
		while ((old = v4_client_by_id(v, unconf->id, unconf->id_len, 1,
		    NULL)) != NULL) {
			if (v4_client_holds_lease(v, old) &&
			    strcmp(old->principal, principal) != 0)
				return V4ERR_CLID_INUSE;
			if (!old->expired)
				v4_client_purge(v, old, V4ERR_EXPIRED);
			if (old->record != NULL)
				unconf->record = old->record;
			old->record = NULL;
			v4_client_destroy(v, old);
		}
		unconf->confirmed = 1;
		unconf->renewed = v->now;
		v4_client_attach_record(v, unconf);
		res->cb_probe = 1;
		res->cb = unconf->cb;
		return V4_OK;
	}
	/* Case 4: a retransmission of a confirm that was done. */
	if (conf != NULL && memcmp(conf->confirm, confirm,
	    V4_VERIFIER_SIZE) == 0) {
		conf->renewed = v->now;
		return V4_OK;
	}
	/* Case 5: nothing to confirm (a server restart the client missed). */
	return V4ERR_STALE_CLIENTID;
}

/* RFC 7530 16.29: RENEW */
uint32_t
v4_state_renew(struct v4_state *v, uint64_t clientid)
{
	struct v4_client *c;

	/* A v4.1 clientid too: nfsd's stateid cache renews so. */
	return v4_client_live(v, clientid, &c);
}

void
v4_state_callback_status(struct v4_state *v, uint64_t clientid, int up)
{
	struct v4_client *c;

	/*
	 * v4.1: a session's backchannel answered (ST_SESSION_BACK), maybe
	 * before the client's first state operation made it a client here.
	 */
	if ((c = v4_client_find(v, clientid, 1)) != NULL ||
	    (up && v4_client_live41(v, clientid, &c) == V4_OK))
		c->cb_up = up != 0;
}

/* ---- owners and states ---- */

static struct v4_owner *
v4_owner_find(struct v4_state *v, struct v4_client *c, int lock,
    const uint8_t *bytes, size_t len)
{
	struct v4_link *l;
	struct v4_owner *o;
	uint64_t key = v4_owner_key(v, c->clientid, lock, bytes, len);

	for (l = v4_hash_first(&v->owners, key); l != NULL; l = l->next) {
		o = (struct v4_owner *)l;
		if (l->key == key && o->client == c && o->lock == lock &&
		    o->len == len + 1 && memcmp(o->bytes + 1, bytes, len) == 0)
			return o;
	}
	return NULL;
}

/* An idle owner that holds nothing makes room for a new one. */
static int
v4_owner_make_room(struct v4_state *v, struct v4_client *c)
{
	struct v4_owner *o;

	LIST_FOREACH(o, &c->owners, client_entry) {
		if (LIST_EMPTY(&o->states) && v->now - o->used > v->lease) {
			v4_owner_free(v, o);
			return 0;
		}
	}
	return -1;
}

static struct v4_owner *
v4_owner_new(struct v4_state *v, struct v4_client *c, int lock,
    const uint8_t *bytes, size_t len, uint32_t *status)
{
	struct v4_owner *o;

	if (v->owners_max > 0 && c->nowners >= v->owners_max &&
	    v4_owner_make_room(v, c) == -1) {
		v->limit_hits++;
		*status = V4ERR_RESOURCE;
		return NULL;
	}
	if ((o = calloc(1, sizeof(*o) + len + 1)) == NULL) {
		*status = V4ERR_SERVERFAULT;
		return NULL;
	}
	o->client = c;
	o->lock = lock;
	o->bytes[0] = lock ? 'L' : 'O';
	memcpy(o->bytes + 1, bytes, len);
	o->len = len + 1;
	o->used = v->now;
	LIST_INIT(&o->states);
	o->link.key = v4_owner_key(v, c->clientid, lock, bytes, len);
	v4_hash_insert(&v->owners, &o->link);
	LIST_INSERT_HEAD(&c->owners, o, client_entry);
	c->nowners++;
	v->stats.owners++;
	return o;
}

/* Forgets a state; what the lock table holds for it is the caller's. */
static void
v4_stateful_free(struct v4_state *v, struct v4_stateful *s)
{
	struct v4_client *c = s->owner->client;

	if (s->owner->lock) {
		c->nlocks--;
		v->stats.locks--;
	} else if (!s->closed) {
		c->nopens--;
		v->stats.opens--;
	}
	LIST_REMOVE(s, owner_entry);
	v4_hash_remove(&v->states, &s->link);
	free(s);
}

static void
v4_owner_free(struct v4_state *v, struct v4_owner *o)
{
	struct v4_stateful *s;

	while ((s = LIST_FIRST(&o->states)) != NULL)
		v4_stateful_free(v, s);
	LIST_REMOVE(o, client_entry);
	v4_hash_remove(&v->owners, &o->link);
	o->client->nowners--;
	v->stats.owners--;
	free(o);
}

static struct v4_stateful *
v4_stateful_new(struct v4_state *v, struct v4_owner *o,
    const struct lock_file_id *file)
{
	struct v4_stateful *s;
	uint32_t n;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	/* A counter not in use (it wraps only after 2^32 states). */
	do {
		n = v4_scramble(v, ++v->next_state);
	} while (n == 0);
	s->owner = o;
	s->file = *file;
	s->id.seqid = 1;
	/* The holder's clientid4, v4.1 bit and all (stated_v4.x). */
	v4_put32(s->id.other, (uint32_t)(o->client->clientid >> 32));
	v4_put32(s->id.other + 4, (uint32_t)o->client->clientid);
	v4_put32(s->id.other + 8, n);
	s->link.key = n;
	v4_hash_insert(&v->states, &s->link);
	LIST_INSERT_HEAD(&o->states, s, owner_entry);
	if (o->lock) {
		o->client->nlocks++;
		v->stats.locks++;
	} else {
		o->client->nopens++;
		v->stats.opens++;
	}
	return s;
}

static struct v4_stateful *
v4_owner_state(struct v4_owner *o, const struct lock_file_id *file,
    int closed_too)
{
	struct v4_stateful *s;

	LIST_FOREACH(s, &o->states, owner_entry)
		if ((closed_too || !s->closed) && s->file.len == file->len &&
		    memcmp(s->file.data, file->data, file->len) == 0)
			return s;
	return NULL;
}

static void
v4_stateid_bump(struct v4_stateful *s)
{
	if (++s->id.seqid == 0)
		s->id.seqid = 1;
}

static int
v4_stateid_special(const struct v4_stateid *sid, enum v4_kind *kind)
{
	static const uint8_t zeros[V4_OTHER_SIZE], ones[V4_OTHER_SIZE] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff };

	if (sid->seqid == 0 && memcmp(sid->other, zeros, sizeof(zeros)) == 0) {
		*kind = V4_KIND_ANONYMOUS;
		return 1;
	}
	if (sid->seqid == UINT32_MAX &&
	    memcmp(sid->other, ones, sizeof(ones)) == 0) {
		*kind = V4_KIND_BYPASS;
		return 1;
	}
	return 0;
}

/*
 * RFC 7530 9.1.4: the state a stateid names, by its "other" alone (the
 * seqid is checked after the owner's seqid, so that a replay is found).
 * A lapsed client is renewed by it.
 */
static uint32_t
v4_stateful_find(struct v4_state *v, const struct v4_stateid *sid,
    struct v4_stateful **sp)
{
	struct v4_link *l;
	struct v4_stateful *s;
	struct v4_client *c;
	enum v4_kind kind;
	uint32_t n;

	*sp = NULL;
	if (v4_stateid_special(sid, &kind))
		return V4ERR_BAD_STATEID;
	if (!v4_stateid_epoch_ok(v, sid))
		return V4ERR_STALE_STATEID;
	n = v4_get32(sid->other + 8);
	for (l = v4_hash_first(&v->states, n); l != NULL; l = l->next) {
		s = (struct v4_stateful *)l;
		if (memcmp(s->id.other, sid->other, V4_OTHER_SIZE) == 0) {
			s->owner->client->renewed = v->now;
			*sp = s;
			return V4_OK;
		}
	}
	c = v4_client_find(v, (uint64_t)v4_get32(sid->other) << 32 |
	    v4_get32(sid->other + 4), 1);
	if (c != NULL && c->expired)
		return c->expired_status;
	return V4ERR_BAD_STATEID;
}

/* The stateid's seqid against the state's: newer is bad, older old. */
static uint32_t
v4_stateid_generation(const struct v4_stateful *s,
    const struct v4_stateid *sid)
{
	/* RFC 8881 8.2.2: seqid 0 of a v4.1 client is the current one. */
	if (sid->seqid == s->id.seqid || (sid->seqid == 0 &&
	    s->owner->client->minor))
		return V4_OK;
	return sid->seqid > s->id.seqid ? V4ERR_BAD_STATEID :
	    V4ERR_OLD_STATEID;
}

/*
 * RFC 7530 9.1.7: the owner's seqid.  The next one goes on (-1); the
 * last one again, for the same operation, is a replay: its kept result
 * in *res.  Anything else is NFS4ERR_BAD_SEQID.
 */
static int
v4_seqid_check(struct v4_state *v, struct v4_owner *o, uint32_t seqid,
    enum v4_op op, struct v4_result *res)
{
	struct v4_stateful *s, *next;

	o->used = v->now;
	if (o->last.op != V4_OP_NONE && seqid == o->seqid) {
		if (o->last.op != op)
			return V4ERR_BAD_SEQID;
		*res = o->last;
		res->replay = 1;
		return (int)res->status;
	}
	if (seqid != o->seqid + 1)
		return V4ERR_BAD_SEQID;
	/* Closed states were kept for a replay of their CLOSE only. */
	for (s = LIST_FIRST(&o->states); s != NULL; s = next) {
		next = LIST_NEXT(s, owner_entry);
		if (s->closed)
			v4_stateful_free(v, s);
	}
	return -1;
}

/* RFC 7530 9.1.7: which results leave the seqid where it was. */
static int
v4_status_bumps(uint32_t status)
{
	switch (status) {
	case V4ERR_STALE_CLIENTID:
	case V4ERR_STALE_STATEID:
	case V4ERR_BAD_STATEID:
	case V4ERR_BAD_SEQID:
	case 10036:			/* NFS4ERR_BADXDR */
	case V4ERR_RESOURCE:
	case 10020:			/* NFS4ERR_NOFILEHANDLE */
	case 10019:			/* NFS4ERR_MOVED */
		return 0;
	}
	return 1;
}

/*
 * The operation is done: the owner's seqid moves on and its result is
 * kept for a replay.  Closed states other than keep (a CLOSE's own)
 * were kept for a replay of their CLOSE only, and go.
 */
static void
v4_seqid_done(struct v4_state *v, struct v4_owner *o, uint32_t seqid,
    const struct v4_result *res, const struct v4_stateful *keep)
{
	struct v4_stateful *s, *next;

	/* v4.1: no seqid, no replay; a closed state goes at once. */
	if (o->client->minor) {
		o->used = v->now;
		for (s = LIST_FIRST(&o->states); s != NULL; s = next) {
			next = LIST_NEXT(s, owner_entry);
			if (s->closed)
				v4_stateful_free(v, s);
		}
		return;
	}
	if (!v4_status_bumps(res->status))
		return;
	o->seqid = seqid;
	o->last = *res;
	o->last.replay = 0;
	for (s = LIST_FIRST(&o->states); s != NULL; s = next) {
		next = LIST_NEXT(s, owner_entry);
		if (s->closed && s != keep)
			v4_stateful_free(v, s);
	}
}

/* RFC 7530 9.6: reclaims only in grace and only from known clients. */
static uint32_t
v4_grace_check(struct v4_state *v, struct v4_client *c, int reclaim)
{
	struct stated_client *r = v4_client_record(v, c);
	struct session_client_use u;

	/*
	 * RFC 8881 8.4.2.1, 18.51.3: a v4.1 client says it is done with
	 * RECLAIM_COMPLETE (the session table); a reclaim after it is
	 * NO_GRACE, other state waits for the end of grace.
	 */
	if (c->minor) {
		if (!v4_in_grace(v))
			return reclaim ? V4ERR_NO_GRACE : V4_OK;
		if (!reclaim)
			return V4ERR_GRACE;
		if (session_table_client_use(v->sessions, c->clientid, 0,
		    &u) == SESSION_OK && u.reclaim_complete)
			return V4ERR_NO_GRACE;
		if (r == NULL || !r->reclaimable || r->done)
			return V4ERR_RECLAIM_BAD;
		return V4_OK;
	}

	if (reclaim) {
		if (!v4_in_grace(v))
			return V4ERR_NO_GRACE;
		if (r == NULL || !r->reclaimable || r->done)
			return V4ERR_RECLAIM_BAD;
		return V4_OK;
	}
	if (!v4_in_grace(v))
		return V4_OK;
	/* It goes on with new state: it has nothing more to reclaim. */
	if (r != NULL && r->reclaimable && !r->done && v->done_cb != NULL)
		v->done_cb(v->done_arg, r);
	return V4ERR_GRACE;
}

/* It holds state now: its record says so, durably, before the answer. */
static void
v4_note_state(struct v4_state *v, struct v4_client *c, int reclaim)
{
	struct stated_client *r = v4_client_record(v, c);

	if (r == NULL)
		return;
	if (reclaim)
		r->reclaimed = 1;
	if (clients_note_state(v->records, r) == -1)
		v->note_failures++;
}

static uint32_t
v4_status_of(struct v4_state *v, enum lock_result r)
{
	switch (r) {
	case LOCK_OK:		return V4_OK;
	case LOCK_DENIED:	return V4ERR_DENIED;
	case LOCK_DEADLOCK:	return V4ERR_DEADLOCK;
	case LOCK_GRACE:	return V4ERR_GRACE;
	case LOCK_NO_GRACE:	return V4ERR_NO_GRACE;
	case LOCK_INVALID:
	case LOCK_RANGE:	return V4ERR_INVAL;
	case LOCK_LIMIT:
		v->limit_hits++;
		return V4ERR_RESOURCE;
	default:		return V4ERR_SERVERFAULT;
	}
}

/* An NFSv4 range (length all ones: to the end) as the table's. */
static uint32_t
v4_range(uint64_t offset, uint64_t length, uint64_t *table_length)
{
	if (length == 0)
		return V4ERR_INVAL;
	if (length == UINT64_MAX) {
		*table_length = 0;
		return V4_OK;
	}
	if (length - 1 > UINT64_MAX - offset)
		return V4ERR_INVAL;
	*table_length = length;
	return V4_OK;
}

static void
v4_denied_of(const struct lock_info *h, struct v4_denied *d)
{
	const uint8_t *b = h->owner.bytes;
	size_t len = h->owner.bytes_len;

	memset(d, 0, sizeof(*d));
	d->offset = h->offset;
	d->length = h->length == 0 ? UINT64_MAX : h->length;
	d->exclusive = h->type == LOCK_EXCLUSIVE;
	if (h->owner.protocol == LOCK_PROTOCOL_NFSV4 && len >= 1 &&
	    b[0] == 'L') {
		d->clientid = h->owner.client_id;
		b++;
		len--;
	}
	if (len > V4_OWNER_MAX)
		len = V4_OWNER_MAX;
	d->owner_len = len;
	if (len > 0)
		memcpy(d->owner, b, len);
}

int
v4_state_courtesy(struct v4_state *v, const struct lock_owner *holder)
{
	struct v4_client *c;

	/* A v4.1 client: the session table purges it, and then us. */
	if (holder != NULL && holder->protocol == LOCK_PROTOCOL_NFSV4 &&
	    v4_minor1_id(holder->client_id)) {
		if (v->sessions == NULL || !session_table_courtesy(v->sessions,
		    holder->client_id))
			return 0;
		v->courtesy_purges++;
		return 1;
	}
	if (holder == NULL || holder->protocol != LOCK_PROTOCOL_NFSV4 ||
	    (c = v4_client_find(v, holder->client_id, 1)) == NULL ||
	    c->expired || !v4_lapsed(v, c))
		return 0;
	v4_client_purge(v, c, V4ERR_EXPIRED);
	v->courtesy_purges++;
	return 1;
}

static uint32_t
v4_open_grant(struct v4_state *v, struct v4_client *c, struct v4_owner *o,
    const struct v4_open_args *a, struct v4_result *res)
{
	struct lock_share_request req;
	struct lock_share_info other;
	struct v4_stateful *s;
	enum lock_result lr;
	uint32_t st;
	int i, write;

	if ((st = v4_grace_check(v, c, a->claim_previous)) != V4_OK)
		return st;
	s = v4_owner_state(o, &a->file, 0);
	if (s == NULL && v->opens_max > 0 && c->nopens >= v->opens_max) {
		v->limit_hits++;
		return V4ERR_RESOURCE;
	}
	memset(&req, 0, sizeof(req));
	req.file = a->file;
	v4_table_owner(o, &req.owner);
	/* An OPEN of a file the owner has open is an upgrade: the union. */
	req.access = (s != NULL ? s->access : 0) | a->access;
	req.deny = (s != NULL ? s->deny : 0) | a->deny;
	req.flags = a->claim_previous ? LOCK_REQUEST_RECLAIM : 0;
	/*
	 * RFC 7530 10.4.1: other clients' delegations that this open
	 * conflicts with are recalled; it waits for their return.
	 */
	write = (req.access & LOCK_SHARE_WRITE) || (req.deny & LOCK_SHARE_READ);
	if (v->grants != NULL) {
		v4_state_grant_courtesy(v, &a->file, LOCK_PROTOCOL_NFSV4,
		    c->clientid, write);
		if (grant_conflict(v->grants, &a->file, LOCK_PROTOCOL_NFSV4,
		    c->clientid, write) > 0)
			return V4ERR_DELAY;
	}
	for (i = 0;; i++) {
		lr = lock_table_share(v->locks, &req, &other);
		if (lr != LOCK_DENIED || i == V4_RETRY_MAX ||
		    !v4_state_courtesy(v, &other.owner))
			break;
	}
	if (lr == LOCK_DENIED)
		return V4ERR_SHARE_DENIED;
	if (lr != LOCK_OK)
		return v4_status_of(v, lr);
	if (s == NULL) {
		if ((s = v4_stateful_new(v, o, &a->file)) == NULL) {
			lock_table_unshare(v->locks, &req.file, &req.owner);
			return V4ERR_SERVERFAULT;
		}
	} else
		v4_stateid_bump(s);
	s->access = req.access;
	s->deny = req.deny;
	/* A reclaimed open was confirmed before the restart (as knfsd). */
	if (a->claim_previous)
		o->confirmed = 1;
	v4_note_state(v, c, a->claim_previous);
	res->stateid = s->id;
	res->rflags = V4_RESULT_LOCKTYPE_POSIX |
	    (o->confirmed ? 0 : V4_RESULT_CONFIRM);
	return V4_OK;
}

/* Drops an owner and what the lock table holds for it. */
static void
v4_owner_release(struct v4_state *v, struct v4_owner *o)
{
	struct lock_owner lo;

	v4_table_owner(o, &lo);
	lock_table_release_owner(v->locks, &lo);
	v4_owner_free(v, o);
}

/* RFC 7530 16.16: OPEN (its state part: the file is the caller's). */
uint32_t
v4_state_open(struct v4_state *v, const struct v4_open_args *a,
    struct v4_result *res)
{
	struct v4_client *c;
	struct v4_owner *o;
	uint32_t st;
	int rc;

	memset(res, 0, sizeof(*res));
	res->op = V4_OP_OPEN;
	res->flags = a->flags;
	if ((st = v4_client_live(v, a->clientid, &c)) != V4_OK)
		return res->status = st;
	if (a->owner == NULL || a->owner_len == 0 ||
	    a->owner_len > V4_OWNER_MAX || a->file.len == 0 ||
	    a->file.len > LOCK_FILE_ID_MAX || a->access == 0 ||
	    (a->access & ~V4_SHARE_BOTH) != 0 ||
	    (a->deny & ~V4_SHARE_BOTH) != 0)
		return res->status = V4ERR_INVAL;
	o = v4_owner_find(v, c, 0, a->owner, a->owner_len);
	/* RFC 8881 8.8, 18.16.3: v4.1 has no owner seqid, no OPEN_CONFIRM. */
	if (c->minor) {
		if (o == NULL && (o = v4_owner_new(v, c, 0, a->owner,
		    a->owner_len, &st)) == NULL)
			return res->status = st;
		o->confirmed = 1;
		o->used = v->now;
		return res->status = v4_open_grant(v, c, o, a, res);
	}
	/*
	 * RFC 7530 16.18.5: an OPEN of an owner never confirmed, other than
	 * a replay of its OPEN, starts that owner afresh.
	 */
	if (o != NULL && !o->confirmed && !(o->last.op == V4_OP_OPEN &&
	    a->seqid == o->seqid)) {
		v4_owner_release(v, o);
		o = NULL;
	}
	if (o == NULL) {
		if ((o = v4_owner_new(v, c, 0, a->owner, a->owner_len, &st)) ==
		    NULL)
			return res->status = st;
		o->seqid = a->seqid - 1;
	} else if ((rc = v4_seqid_check(v, o, a->seqid, V4_OP_OPEN, res)) !=
	    -1)
		return (uint32_t)rc;
	res->status = v4_open_grant(v, c, o, a, res);
	v4_seqid_done(v, o, a->seqid, res, NULL);
	return res->status;
}

/*
 * RFC 7530 9.1.7, 16.16.5: would an OPEN of (clientid, owner, seqid) be
 * a replay of that owner's last OPEN?  1, its kept result and the file
 * of its state (len 0 when the kept result is an error), or 0.  Nothing
 * changes: no renewal, no seqid, so asking before a create is harmless.
 */
int
v4_state_open_replay(struct v4_state *v, uint64_t clientid,
    const uint8_t *owner, size_t owner_len, uint32_t seqid,
    struct v4_result *res, struct lock_file_id *file)
{
	struct v4_client *c;
	struct v4_owner *o;
	struct v4_stateful *s;

	memset(res, 0, sizeof(*res));
	memset(file, 0, sizeof(*file));
	if ((uint32_t)(clientid >> 32) != v->epoch || owner == NULL ||
	    owner_len == 0 || owner_len > V4_OWNER_MAX ||
	    (c = v4_client_find(v, clientid, 1)) == NULL || c->expired ||
	    (o = v4_owner_find(v, c, 0, owner, owner_len)) == NULL ||
	    o->last.op != V4_OP_OPEN || seqid != o->seqid)
		return 0;
	if (o->last.status == V4_OK) {
		LIST_FOREACH(s, &o->states, owner_entry)
			if (memcmp(s->id.other, o->last.stateid.other,
			    V4_OTHER_SIZE) == 0)
				break;
		if (s == NULL)
			return 0;
		*file = s->file;
	}
	*res = o->last;
	res->replay = 1;
	return 1;
}

/*
 * The start of every operation on an existing stateid with a seqid:
 * the state, its owner's seqid (or the replay), the stateid's seqid.
 * -1: go on, with *sp; else the answer.
 */
static int
v4_seqid_op(struct v4_state *v, const struct v4_stateid *sid, uint32_t seqid,
    enum v4_op op, int lock, struct v4_result *res, struct v4_stateful **sp)
{
	struct v4_stateid id = *sid;	/* res may be where sid is */
	struct v4_stateful *s;
	uint32_t st;
	int rc;

	sid = &id;
	memset(res, 0, sizeof(*res));
	res->op = op;
	if ((st = v4_stateful_find(v, sid, &s)) != V4_OK)
		return (int)(res->status = st);
	if (s->owner->lock != lock)
		return (int)(res->status = V4ERR_BAD_STATEID);
	if (s->owner->client->minor) {
		/* RFC 8881 8.2, 17: no seqid; OPEN_CONFIRM is v4.0 only. */
		if (op == V4_OP_OPEN_CONFIRM)
			return (int)(res->status = V4ERR_NOTSUPP);
		s->owner->used = v->now;
	} else if ((rc = v4_seqid_check(v, s->owner, seqid, op, res)) != -1)
		return rc;
	if (s->closed)
		return (int)(res->status = V4ERR_BAD_STATEID);
	if ((st = v4_stateid_generation(s, sid)) != V4_OK) {
		res->status = st;
		v4_seqid_done(v, s->owner, seqid, res, NULL);
		return (int)st;
	}
	*sp = s;
	return -1;
}

/* RFC 7530 16.18: OPEN_CONFIRM */
uint32_t
v4_state_open_confirm(struct v4_state *v, const struct v4_stateid *sid,
    uint32_t seqid, struct v4_result *res)
{
	struct v4_stateful *s;
	int rc;

	if ((rc = v4_seqid_op(v, sid, seqid, V4_OP_OPEN_CONFIRM, 0, res, &s)) !=
	    -1)
		return (uint32_t)rc;
	if (s->owner->confirmed)
		res->status = V4ERR_BAD_STATEID;
	else {
		s->owner->confirmed = 1;
		v4_stateid_bump(s);
		res->stateid = s->id;
	}
	v4_seqid_done(v, s->owner, seqid, res, NULL);
	return res->status;
}

/* RFC 7530 16.19: OPEN_DOWNGRADE */
uint32_t
v4_state_open_downgrade(struct v4_state *v, const struct v4_stateid *sid,
    uint32_t seqid, uint32_t access, uint32_t deny, struct v4_result *res)
{
	struct lock_share_request req;
	struct v4_stateful *s;
	int rc;

	if ((rc = v4_seqid_op(v, sid, seqid, V4_OP_OPEN_DOWNGRADE, 0, res,
	    &s)) != -1)
		return (uint32_t)rc;
	if (!s->owner->confirmed)
		res->status = V4ERR_BAD_STATEID;
	else if (access == 0 || (access & ~s->access) != 0 ||
	    (deny & ~s->deny) != 0)
		res->status = V4ERR_INVAL;
	else {
		/* Less than it holds: it cannot conflict. */
		memset(&req, 0, sizeof(req));
		req.file = s->file;
		v4_table_owner(s->owner, &req.owner);
		req.access = access;
		req.deny = deny;
		if (lock_table_in_grace(v->locks))
			req.flags = LOCK_REQUEST_RECLAIM;
		res->status = v4_status_of(v, lock_table_share(v->locks, &req,
		    NULL));
		if (res->status == V4_OK) {
			s->access = access;
			s->deny = deny;
			v4_stateid_bump(s);
			res->stateid = s->id;
		}
	}
	v4_seqid_done(v, s->owner, seqid, res, NULL);
	return res->status;
}

/* The lock states that hang off an open state, and their locks, go. */
static void
v4_open_drop_locks(struct v4_state *v, struct v4_stateful *open)
{
	struct v4_owner *o;
	struct v4_stateful *s, *next;
	struct lock_owner lo;

	LIST_FOREACH(o, &open->owner->client->owners, client_entry) {
		if (!o->lock)
			continue;
		for (s = LIST_FIRST(&o->states); s != NULL; s = next) {
			next = LIST_NEXT(s, owner_entry);
			if (s->open != open)
				continue;
			v4_table_owner(o, &lo);
			lock_table_unlock(v->locks, &s->file, &lo, 0, 0);
			v4_stateful_free(v, s);
		}
	}
}

/* RFC 7530 16.2: CLOSE; the open's lock states go with it (as knfsd). */
uint32_t
v4_state_close(struct v4_state *v, const struct v4_stateid *sid,
    uint32_t seqid, struct v4_result *res)
{
	struct v4_stateful *s;
	struct lock_owner lo;
	int rc;

	if ((rc = v4_seqid_op(v, sid, seqid, V4_OP_CLOSE, 0, res, &s)) != -1)
		return (uint32_t)rc;
	v4_open_drop_locks(v, s);
	v4_table_owner(s->owner, &lo);
	lock_table_unshare(v->locks, &s->file, &lo);
	s->closed = 1;
	s->owner->client->nopens--;
	v->stats.opens--;
	v4_stateid_bump(s);
	res->stateid = s->id;
	v4_seqid_done(v, s->owner, seqid, res, s);
	return res->status;
}

/* The byte-range lock itself, once owner and state are known. */
static uint32_t
v4_lock_grant(struct v4_state *v, struct v4_owner *lo,
    struct v4_stateful *open, const struct v4_lock_args *a,
    struct v4_result *res)
{
	struct lock_request req;
	struct lock_info holder;
	struct v4_client *c = lo->client;
	struct v4_stateful *s;
	enum lock_result lr;
	uint64_t len;
	uint32_t st;
	int i;

	if ((st = v4_grace_check(v, c, a->reclaim)) != V4_OK)
		return st;
	if ((st = v4_range(a->offset, a->length, &len)) != V4_OK)
		return st;
	s = v4_owner_state(lo, &open->file, 0);
	memset(&req, 0, sizeof(req));
	req.file = open->file;
	v4_table_owner(lo, &req.owner);
	req.offset = a->offset;
	req.length = len;
	req.type = a->exclusive ? LOCK_EXCLUSIVE : LOCK_SHARED;
	req.flags = a->reclaim ? LOCK_REQUEST_RECLAIM : 0;
	for (i = 0;; i++) {
		lr = lock_table_lock(v->locks, &req, &holder);
		if (lr != LOCK_DENIED || i == V4_RETRY_MAX ||
		    !v4_state_courtesy(v, &holder.owner))
			break;
	}
	if (lr == LOCK_DENIED) {
		res->has_denied = 1;
		v4_denied_of(&holder, &res->denied);
	}
	if (lr != LOCK_OK)
		return v4_status_of(v, lr);
	if (s == NULL) {
		if ((s = v4_stateful_new(v, lo, &open->file)) == NULL) {
			lock_table_unlock(v->locks, &req.file, &req.owner,
			    a->offset, len);
			return V4ERR_SERVERFAULT;
		}
		s->open = open;
	} else
		v4_stateid_bump(s);
	v4_note_state(v, c, a->reclaim);
	res->stateid = s->id;
	return V4_OK;
}

/* RFC 7530 16.10: LOCK, with a new lock owner or an existing one. */
uint32_t
v4_state_lock(struct v4_state *v, const struct v4_lock_args *a,
    struct v4_result *res)
{
	struct v4_stateful *s, *open;
	struct v4_owner *lo;
	uint32_t st;
	int rc;

	if (!a->new_owner) {
		if ((rc = v4_seqid_op(v, &a->lock_stateid, a->lock_seqid,
		    V4_OP_LOCK, 1, res, &s)) != -1)
			return (uint32_t)rc;
		lo = s->owner;
		if ((open = s->open) == NULL || open->closed)
			res->status = V4ERR_BAD_STATEID;
		else
			res->status = v4_lock_grant(v, lo, open, a, res);
		v4_seqid_done(v, lo, a->lock_seqid, res, NULL);
		return res->status;
	}
	/* open_to_lock_owner4: the open owner's seqid rules. */
	if ((rc = v4_seqid_op(v, &a->open_stateid, a->open_seqid, V4_OP_LOCK,
	    0, res, &open)) != -1)
		return (uint32_t)rc;
	lo = NULL;
	if (!open->owner->confirmed ||
	    (a->clientid != 0 && a->clientid != open->owner->client->clientid))
		st = V4ERR_BAD_STATEID;
	else if (a->owner == NULL || a->owner_len == 0 ||
	    a->owner_len > V4_OWNER_MAX)
		st = V4ERR_INVAL;
	else if ((lo = v4_owner_find(v, open->owner->client, 1, a->owner,
	    a->owner_len)) != NULL && v4_owner_state(lo, &open->file, 0) !=
	    NULL && !lo->client->minor)
		st = V4ERR_BAD_SEQID;	/* it has a stateid for this file */
	else if (lo == NULL && (lo = v4_owner_new(v, open->owner->client, 1,
	    a->owner, a->owner_len, &st)) == NULL)
		;
	else {
		lo->seqid = a->lock_seqid - 1;
		st = v4_lock_grant(v, lo, open, a, res);
	}
	res->status = st;
	v4_seqid_done(v, open->owner, a->open_seqid, res, NULL);
	if (lo != NULL)
		v4_seqid_done(v, lo, a->lock_seqid, res, NULL);
	return st;
}

/* RFC 7530 16.11: LOCKT; it needs no state, only a live client. */
uint32_t
v4_state_lockt(struct v4_state *v, uint64_t clientid, const uint8_t *owner,
    size_t owner_len, const struct lock_file_id *file, uint64_t offset,
    uint64_t length, int exclusive, struct v4_denied *denied)
{
	struct v4_client *c;
	struct lock_owner lo;
	struct lock_info holder;
	enum lock_result lr;
	uint8_t bytes[V4_OWNER_MAX + 1];
	uint64_t len;
	uint32_t st;
	int i;

	memset(denied, 0, sizeof(*denied));
	if ((st = v4_client_live(v, clientid, &c)) != V4_OK)
		return st;
	if (owner_len > V4_OWNER_MAX || (owner_len > 0 && owner == NULL) ||
	    file->len == 0 || file->len > LOCK_FILE_ID_MAX)
		return V4ERR_INVAL;
	if ((st = v4_range(offset, length, &len)) != V4_OK)
		return st;
	/* No answers from a table that reclaims may still fill. */
	if (v4_in_grace(v))
		return V4ERR_GRACE;
	bytes[0] = 'L';
	if (owner_len > 0)
		memcpy(bytes + 1, owner, owner_len);
	memset(&lo, 0, sizeof(lo));
	lo.protocol = LOCK_PROTOCOL_NFSV4;
	lo.client_id = clientid;
	lo.bytes = bytes;
	lo.bytes_len = owner_len + 1;
	for (i = 0;; i++) {
		lr = lock_table_test(v->locks, file, &lo, offset, len,
		    exclusive ? LOCK_EXCLUSIVE : LOCK_SHARED, &holder);
		if (lr != LOCK_DENIED || i == V4_RETRY_MAX ||
		    !v4_state_courtesy(v, &holder.owner))
			break;
	}
	if (lr == LOCK_DENIED)
		v4_denied_of(&holder, denied);
	return v4_status_of(v, lr);
}

/* RFC 7530 16.12: LOCKU */
uint32_t
v4_state_locku(struct v4_state *v, const struct v4_stateid *sid,
    uint32_t seqid, uint64_t offset, uint64_t length, struct v4_result *res)
{
	struct v4_stateful *s;
	struct lock_owner lo;
	uint64_t len;
	int rc;

	if ((rc = v4_seqid_op(v, sid, seqid, V4_OP_LOCKU, 1, res, &s)) != -1)
		return (uint32_t)rc;
	if ((res->status = v4_range(offset, length, &len)) == V4_OK) {
		v4_table_owner(s->owner, &lo);
		res->status = v4_status_of(v, lock_table_unlock(v->locks,
		    &s->file, &lo, offset, len));
		if (res->status == V4_OK) {
			v4_stateid_bump(s);
			res->stateid = s->id;
		}
	}
	v4_seqid_done(v, s->owner, seqid, res, NULL);
	return res->status;
}

struct v4_held {
	const struct lock_owner	*owner;
	int			 held;
};

static int
v4_held_cb(void *arg, const struct lock_info *i)
{
	struct v4_held *h = arg;

	if (i->waiting || i->owner.protocol != h->owner->protocol ||
	    i->owner.client_id != h->owner->client_id ||
	    i->owner.bytes_len != h->owner->bytes_len ||
	    memcmp(i->owner.bytes, h->owner->bytes, i->owner.bytes_len) != 0)
		return 0;
	h->held = 1;
	return 1;
}

/* RFC 7530 16.37: RELEASE_LOCKOWNER */
uint32_t
v4_state_release_lockowner(struct v4_state *v, uint64_t clientid,
    const uint8_t *owner, size_t owner_len)
{
	struct v4_client *c;
	struct v4_owner *o;
	struct v4_stateful *s;
	struct lock_owner lo;
	struct v4_held h;
	uint32_t st;

	/* RFC 8881 17: v4.0 only; a v4.1 lock owner goes with its state. */
	if (v4_minor1_id(clientid))
		return V4ERR_NOTSUPP;
	if ((st = v4_client_live(v, clientid, &c)) != V4_OK)
		return st;
	if (owner == NULL || owner_len == 0 || owner_len > V4_OWNER_MAX)
		return V4ERR_INVAL;
	if ((o = v4_owner_find(v, c, 1, owner, owner_len)) == NULL)
		return V4_OK;
	v4_table_owner(o, &lo);
	h.owner = &lo;
	h.held = 0;
	LIST_FOREACH(s, &o->states, owner_entry)
		if (lock_table_foreach_lock(v->locks, &s->file, v4_held_cb, &h))
			return V4ERR_LOCKS_HELD;
	v4_owner_release(v, o);
	return V4_OK;
}

struct v4_deny_scan {
	unsigned int	 bits;
	int		 hit;
};

static int
v4_deny_cb(void *arg, const struct lock_share_info *i)
{
	struct v4_deny_scan *d = arg;

	if ((i->deny & d->bits) == 0)
		return 0;
	d->hit = 1;
	return 1;
}

/* ---- delegations (RFC 7530 10.2-10.4) ---- */

/*
 * May a delegation be recalled from this client?  v4.0: its callback
 * answered (CB_NULL).  v4.1 (RFC 8881 2.10.3.1, 18.36): a session's
 * backchannel answered (nfsd's ST_SESSION_BACK).
 */
static int
v4_backchannel_usable(const struct v4_state *v, const struct v4_client *c)
{
	(void)v;
	return c->cb_up == 1;
}

static int
v4_same_file(const struct lock_file_id *a, const struct lock_file_id *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* A delegation's stateid in I/O: reads of its file, by a live holder. */
static uint32_t
v4_deleg_check(struct v4_state *v, const struct v4_stateid *sid,
    const struct lock_file_id *file, enum v4_io io, struct v4_check_res *res)
{
	const struct grant *g;
	struct v4_client *c;
	uint32_t st;

	if (v->grants == NULL || (g = grant_find(v->grants, sid->other,
	    V4_OTHER_SIZE)) == NULL || g->state == GRANT_REVOKED ||
	    !v4_same_file(&g->file, file))
		return V4ERR_BAD_STATEID;
	if ((st = v4_client_live(v, g->holder.client_id, &c)) != V4_OK)
		return st;
	if (sid->seqid > 1)
		return V4ERR_BAD_STATEID;
	res->kind = V4_KIND_OPEN;
	res->access = g->level == GRANT_WRITE ? V4_SHARE_BOTH :
	    LOCK_SHARE_READ;
	if (io != V4_IO_READ && g->level != GRANT_WRITE)
		return V4ERR_OPENMODE;
	return V4_OK;
}

struct v4_deleg_scan {
	uint64_t	 clientid;
	int		 conflict;
};

/* Another's open that may write or deny; any open of ours that writes. */
static int
v4_deleg_share_cb(void *arg, const struct lock_share_info *i)
{
	struct v4_deleg_scan *d = arg;

	if ((i->access & LOCK_SHARE_WRITE) || (i->deny != 0 &&
	    (i->owner.protocol != LOCK_PROTOCOL_NFSV4 ||
	    i->owner.client_id != d->clientid))) {
		d->conflict = 1;
		return 1;
	}
	return 0;
}

static int
v4_deleg_lock_cb(void *arg, const struct lock_info *i)
{
	struct v4_deleg_scan *d = arg;

	if (i->type == LOCK_EXCLUSIVE && (i->owner.protocol !=
	    LOCK_PROTOCOL_NFSV4 || i->owner.client_id != d->clientid)) {
		d->conflict = 1;
		return 1;
	}
	return 0;
}

struct v4_grant_lapsed {
	struct v4_state	*v;
	int		 protocol;
	uint64_t	 client;
	int		 write;
	uint64_t	 lapsed[V4_RETRY_MAX];
	size_t		 n;
};

static int
v4_grant_lapsed_cb(void *arg, const struct grant *g)
{
	struct v4_grant_lapsed *l = arg;
	struct v4_client *c;

	if (g->state == GRANT_REVOKED ||
	    g->holder.protocol != LOCK_PROTOCOL_NFSV4 ||
	    (l->protocol == LOCK_PROTOCOL_NFSV4 &&
	    g->holder.client_id == l->client) ||
	    (!l->write && g->level != GRANT_WRITE) ||
	    (c = v4_client_find(l->v, g->holder.client_id, 1)) == NULL ||
	    c->expired || !v4_lapsed(l->v, c))
		return 0;
	l->lapsed[l->n++] = c->clientid;
	return l->n == V4_RETRY_MAX;
}

size_t
v4_state_grant_courtesy(struct v4_state *v, const struct lock_file_id *f,
    int protocol, uint64_t client, int write)
{
	struct v4_grant_lapsed l;
	struct v4_client *c;
	size_t i, k = 0;

	if (v->grants == NULL)
		return 0;
	memset(&l, 0, sizeof(l));
	l.v = v;
	l.protocol = protocol;
	l.client = client;
	l.write = write;
	grant_foreach_on_file(v->grants, f, v4_grant_lapsed_cb, &l);
	for (i = 0; i < l.n; i++) {
		if ((c = v4_client_find(v, l.lapsed[i], 1)) == NULL ||
		    c->expired)
			continue;
		v4_client_purge(v, c, V4ERR_EXPIRED);
		v->courtesy_purges++;
		k++;
	}
	return k;
}

/* For a write delegation: any open or lock of another client. */
static int
v4_deleg_other(struct v4_deleg_scan *d, const struct lock_owner *o)
{
	if (o->protocol == LOCK_PROTOCOL_NFSV4 && o->client_id == d->clientid)
		return 0;
	d->conflict = 1;
	return 1;
}

static int
v4_deleg_other_share_cb(void *arg, const struct lock_share_info *i)
{
	return v4_deleg_other(arg, &i->owner);
}

static int
v4_deleg_other_lock_cb(void *arg, const struct lock_info *i)
{
	return v4_deleg_other(arg, &i->owner);
}

/*
 * RFC 7530 10.4: the level a delegation of the file may have for the
 * open s of client c: GRANT_WRITE after an OPEN that writes when no
 * other client has the file open or locked or holds a grant of it;
 * GRANT_READ after one that only reads when no open writes or denies
 * and no other client holds an exclusive lock; else 0 (why).
 */
static int
v4_deleg_level(struct v4_state *v, struct v4_client *c,
    const struct v4_stateful *s, const struct lock_file_id *file, int *why)
{
	struct v4_deleg_scan d;
	int write = (s->access & LOCK_SHARE_WRITE) != 0;

	if (write && !v->write_delegations) {
		*why = V4_DELEG_NONE_ACCESS;
		return 0;
	}
	if (!v4_backchannel_usable(v, c)) {
		*why = V4_DELEG_NONE_CALLBACK;
		return 0;
	}
	memset(&d, 0, sizeof(d));
	d.clientid = c->clientid;
	lock_table_foreach_share(v->locks, file, write ?
	    v4_deleg_other_share_cb : v4_deleg_share_cb, &d);
	if (!d.conflict)
		lock_table_foreach_lock(v->locks, file, write ?
		    v4_deleg_other_lock_cb : v4_deleg_lock_cb, &d);
	if (d.conflict || grant_file_recalling(v->grants, file) > 0 ||
	    (write && grant_file_others(v->grants, file, LOCK_PROTOCOL_NFSV4,
	    c->clientid) > 0)) {
		*why = V4_DELEG_NONE_CONFLICT;
		return 0;
	}
	return write ? GRANT_WRITE : GRANT_READ;
}

/*
 * RFC 7530 9.6.2, 10.2.1: the delegation an OPEN with CLAIM_PREVIOUS
 * reclaims in grace, of the level it had (a write one only while write
 * delegations are on and the reclaimed open writes, else a read one),
 * unless another client reclaimed one it cannot share.  No callback
 * answered yet: granted all the same, with recall set if the callback
 * is known down.
 */
static int
v4_deleg_reclaim_level(struct v4_state *v, struct v4_client *c,
    const struct v4_stateful *s, const struct lock_file_id *file,
    int reclaim, int *why)
{
	int other;

	if (!v4_in_grace(v)) {
		*why = V4_DELEG_NONE_CONFLICT;
		return 0;
	}
	if (reclaim == GRANT_WRITE && (!v->write_delegations ||
	    !(s->access & LOCK_SHARE_WRITE)))
		reclaim = GRANT_READ;
	other = grant_file_level(v->grants, file, NULL);
	if ((other != 0 && reclaim == GRANT_WRITE) || other == GRANT_WRITE) {
		*why = V4_DELEG_NONE_CONFLICT;
		return 0;
	}
	/* A v4.1 client without a backchannel could not be recalled. */
	if (c->minor && !v4_backchannel_usable(v, c)) {
		*why = V4_DELEG_NONE_CALLBACK;
		return 0;
	}
	return reclaim;
}

/* An all-zero stateid: none given. */
static int
v4_stateid_unset(const struct v4_stateid *sid)
{
	static const uint8_t zero[V4_OTHER_SIZE];

	return sid->seqid == 0 && memcmp(sid->other, zero, V4_OTHER_SIZE) == 0;
}

/* The client's open of the file, one that writes if it has one. */
static struct v4_stateful *
v4_client_open_of(struct v4_client *c, const struct lock_file_id *file)
{
	struct v4_owner *o;
	struct v4_stateful *s, *found = NULL;

	LIST_FOREACH(o, &c->owners, client_entry) {
		if (o->lock || !o->confirmed)
			continue;
		LIST_FOREACH(s, &o->states, owner_entry) {
			if (s->closed || !v4_same_file(&s->file, file))
				continue;
			if (s->access & LOCK_SHARE_WRITE)
				return s;
			if (found == NULL)
				found = s;
		}
	}
	return found;
}

/*
 * A new grant of the client at level, within its nfsv4 delegations per
 * client (file and directory ones together); its stateid into res.
 */
static uint32_t
v4_deleg_add(struct v4_state *v, uint64_t clientid,
    const struct lock_file_id *file, int level, const uint8_t *handle,
    size_t handle_len, uint32_t fe_role, const char *fe_name,
    struct v4_deleg_res *res)
{
	struct grant_holder h;
	uint8_t other[V4_OTHER_SIZE];
	uint32_t n;

	if (v->delegs_max > 0 && grant_holder_count(v->grants,
	    LOCK_PROTOCOL_NFSV4, clientid) >= v->delegs_max) {
		v->limit_hits++;
		res->why = V4_DELEG_NONE_LIMIT;
		return V4_OK;
	}
	memset(&h, 0, sizeof(h));
	h.protocol = LOCK_PROTOCOL_NFSV4;
	h.client_id = clientid;
	h.fe_role = fe_role;
	snprintf(h.fe_name, sizeof(h.fe_name), "%s", fe_name);
	/* A counter not in use, as a state's (v4_stateful_new). */
	do {
		n = v4_scramble(v, ++v->next_state);
	} while (n == 0);
	/* As a state's: the holder's clientid4, then the counter. */
	v4_put32(other, (uint32_t)(clientid >> 32));
	v4_put32(other + 4, (uint32_t)clientid);
	v4_put32(other + 8, n);
	if (grant_add(v->grants, file, &h, (enum grant_level)level, other,
	    sizeof(other), handle, handle_len) == NULL)
		return V4ERR_SERVERFAULT;
	res->level = level;
	res->stateid.seqid = 1;
	memcpy(res->stateid.other, other, V4_OTHER_SIZE);
	return V4_OK;
}

static uint32_t
v4_delegate(struct v4_state *v, uint64_t clientid,
    const struct v4_stateid *open, const struct lock_file_id *file,
    const uint8_t *handle, size_t handle_len, uint32_t fe_role,
    const char *fe_name, int reclaim, struct v4_deleg_res *res)
{
	struct v4_client *c;
	struct v4_stateful *s;
	const struct grant *g;
	uint32_t st;
	int level, why = 0;

	memset(res, 0, sizeof(*res));
	if (file == NULL || file->len == 0 || file->len > LOCK_FILE_ID_MAX ||
	    handle_len > GRANT_HANDLE_MAX || fe_name == NULL ||
	    strlen(fe_name) > GRANT_FE_NAME_MAX ||
	    (reclaim != 0 && reclaim != GRANT_READ && reclaim != GRANT_WRITE))
		return V4ERR_INVAL;
	if ((st = v4_client_live(v, clientid, &c)) != V4_OK)
		return st;
	if (v4_stateid_unset(open)) {
		/* RFC 8881 18.49: WANT_DELEGATION names no open. */
		if ((s = v4_client_open_of(c, file)) == NULL) {
			res->why = V4_DELEG_NONE_NOOPEN;
			return V4_OK;
		}
	} else if ((st = v4_stateful_find(v, open, &s)) != V4_OK)
		return st;
	if (s->owner->lock || s->closed || s->owner->client != c ||
	    !v4_same_file(&s->file, file))
		return V4ERR_BAD_STATEID;
	if (v->grants == NULL || !v->delegations) {
		res->why = V4_DELEG_NONE_OFF;
		return V4_OK;
	}
	/* A retransmitted OPEN: the delegation it got. */
	if ((g = grant_of(v->grants, file, LOCK_PROTOCOL_NFSV4,
	    clientid)) != NULL) {
		if (g->state != GRANT_GRANTED) {
			res->why = V4_DELEG_NONE_CONFLICT;
			return V4_OK;
		}
		res->level = g->level;
		res->stateid.seqid = 1;
		memcpy(res->stateid.other, g->stateid, V4_OTHER_SIZE);
		return V4_OK;
	}
	level = reclaim != 0 ? v4_deleg_reclaim_level(v, c, s, file, reclaim,
	    &why) : v4_deleg_level(v, c, s, file, &why);
	if (level == 0) {
		res->why = why;
		return V4_OK;
	}
	if ((st = v4_deleg_add(v, clientid, file, level, handle, handle_len,
	    fe_role, fe_name, res)) != V4_OK || res->level == 0)
		return st;
	res->recall = reclaim != 0 && c->cb_up == 0;
	return V4_OK;
}

uint32_t
v4_state_delegate(struct v4_state *v, uint64_t clientid,
    const struct v4_stateid *open, const struct lock_file_id *file,
    const uint8_t *handle, size_t handle_len, uint32_t fe_role,
    const char *fe_name, struct v4_deleg_res *res)
{
	return v4_delegate(v, clientid, open, file, handle, handle_len,
	    fe_role, fe_name, 0, res);
}

uint32_t
v4_state_delegate_reclaim(struct v4_state *v, uint64_t clientid,
    const struct v4_stateid *open, const struct lock_file_id *file,
    const uint8_t *handle, size_t handle_len, uint32_t fe_role,
    const char *fe_name, int level, struct v4_deleg_res *res)
{
	if (level != GRANT_READ && level != GRANT_WRITE) {
		memset(res, 0, sizeof(*res));
		return V4ERR_INVAL;
	}
	return v4_delegate(v, clientid, open, file, handle, handle_len,
	    fe_role, fe_name, level, res);
}

/*
 * RFC 8881 18.39, 10.9: a directory delegation of a v4.1 client, with
 * the notifications it will get (notify).  Only while the client has a
 * working backchannel, as for file delegations; none while one of the
 * directory's is being recalled.
 */
uint32_t
v4_state_dir_delegate(struct v4_state *v, uint64_t clientid,
    const struct lock_file_id *file, const uint8_t *handle,
    size_t handle_len, uint32_t fe_role, const char *fe_name,
    uint32_t notify, struct v4_deleg_res *res)
{
	struct v4_client *c;
	const struct grant *g;
	uint32_t st;

	memset(res, 0, sizeof(*res));
	if (file == NULL || file->len == 0 || file->len > LOCK_FILE_ID_MAX ||
	    handle_len == 0 || handle_len > GRANT_HANDLE_MAX ||
	    fe_name == NULL || strlen(fe_name) > GRANT_FE_NAME_MAX)
		return V4ERR_INVAL;
	if ((st = v4_client_live(v, clientid, &c)) != V4_OK)
		return st;
	if (!c->minor) {
		res->why = V4_DELEG_NONE_NOTDIR;
		return V4_OK;
	}
	if (v->grants == NULL || !v->delegations || !v->dir_delegations) {
		res->why = V4_DELEG_NONE_OFF;
		return V4_OK;
	}
	if ((g = grant_of(v->grants, file, LOCK_PROTOCOL_NFSV4,
	    clientid)) != NULL) {
		if (g->state != GRANT_GRANTED || g->level != GRANT_DIR) {
			res->why = V4_DELEG_NONE_CONFLICT;
			return V4_OK;
		}
		(void)grant_set_notify(v->grants, g->stateid, g->stateid_len,
		    notify);
		res->level = GRANT_DIR;
		res->stateid.seqid = 1;
		memcpy(res->stateid.other, g->stateid, V4_OTHER_SIZE);
		return V4_OK;
	}
	if (!v4_backchannel_usable(v, c)) {
		res->why = V4_DELEG_NONE_CALLBACK;
		return V4_OK;
	}
	if (grant_file_recalling(v->grants, file) > 0) {
		res->why = V4_DELEG_NONE_CONFLICT;
		return V4_OK;
	}
	if ((st = v4_deleg_add(v, clientid, file, GRANT_DIR, handle,
	    handle_len, fe_role, fe_name, res)) != V4_OK || res->level == 0)
		return st;
	(void)grant_set_notify(v->grants, res->stateid.other, V4_OTHER_SIZE,
	    notify);
	return V4_OK;
}

/* The directory delegation sid names is recalled: 1, or 0 (none such). */
int
v4_state_dir_recall(struct v4_state *v, const struct v4_stateid *sid)
{
	const struct grant *g;

	if (v->grants == NULL || (g = grant_find(v->grants, sid->other,
	    V4_OTHER_SIZE)) == NULL || g->level != GRANT_DIR ||
	    g->state != GRANT_GRANTED)
		return 0;
	return grant_recall(v->grants, sid->other, V4_OTHER_SIZE) == 0;
}

/* What v4_state_dir_change sorts the directory's grants into. */
struct v4_dir_change {
	uint64_t		 clientid;
	uint32_t		 types;
	struct v4_dir_holder	*out;
	size_t			 max;
	size_t			 n;
	/* Stateids of the grants to recall, after the walk. */
	uint8_t			 recall[V4_DIR_RECALL_MAX][V4_OTHER_SIZE];
	size_t			 nrecall;
	int			 all;	/* every file's directory grants */
};

static int
v4_dir_change_cb(void *arg, const struct grant *g)
{
	struct v4_dir_change *d = arg;
	struct v4_dir_holder *h;

	if (g->level != GRANT_DIR || g->state != GRANT_GRANTED ||
	    g->holder.protocol != LOCK_PROTOCOL_NFSV4 ||
	    g->stateid_len != V4_OTHER_SIZE)
		return 0;
	if (!d->all && d->clientid != 0 && g->holder.client_id == d->clientid)
		return 0;
	if (!d->all && (d->types & ~g->notify) == 0 && d->n < d->max) {
		h = &d->out[d->n++];
		h->clientid = g->holder.client_id;
		h->notify = g->notify;
		h->stateid.seqid = 1;
		memcpy(h->stateid.other, g->stateid, V4_OTHER_SIZE);
		return 0;
	}
	if (d->nrecall < V4_DIR_RECALL_MAX)
		memcpy(d->recall[d->nrecall++], g->stateid, V4_OTHER_SIZE);
	return 0;
}

/*
 * RFC 8881 10.9: the directory file changed by clientid (0: another
 * protocol or not known), in the ways types says (NOTIFY4_* bits).
 * The directory delegations of other clients that asked to be told of
 * all of them go into out (at most max; how many is returned); the
 * others are recalled (*recalled says how many).  file NULL: every
 * directory delegation is recalled.
 */
size_t
v4_state_dir_change(struct v4_state *v, const struct lock_file_id *file,
    uint64_t clientid, uint32_t types, struct v4_dir_holder *out,
    size_t max, size_t *recalled)
{
	struct v4_dir_change *d;
	size_t i, n;

	*recalled = 0;
	if (v->grants == NULL || (d = calloc(1, sizeof(*d))) == NULL)
		return 0;
	d->clientid = clientid;
	d->types = types;
	d->out = out;
	d->max = max;
	d->all = file == NULL;
	if (file == NULL)
		grant_foreach(v->grants, v4_dir_change_cb, d);
	else
		grant_foreach_on_file(v->grants, file, v4_dir_change_cb, d);
	/* Recalled after the walk: the event callback may not change it. */
	for (i = 0; i < d->nrecall; i++)
		if (grant_recall(v->grants, d->recall[i], V4_OTHER_SIZE) == 0)
			(*recalled)++;
	n = d->n;
	free(d);
	return n;
}

/*
 * RFC 7530 10.4.4, 16.16.5: the delegation stateid of an OPEN with
 * CLAIM_DELEGATE_CUR must name a current delegation of that client and
 * that file.
 */
uint32_t
v4_state_deleg_cur(struct v4_state *v, uint64_t clientid,
    const struct v4_stateid *sid, const struct lock_file_id *file)
{
	const struct grant *g;
	struct v4_client *c;
	enum v4_kind kind;
	uint32_t st;

	if (file == NULL || file->len == 0 || file->len > LOCK_FILE_ID_MAX)
		return V4ERR_INVAL;
	if ((st = v4_client_live(v, clientid, &c)) != V4_OK)
		return st;
	if (v4_stateid_special(sid, &kind))
		return V4ERR_BAD_STATEID;
	if (v4_get32(sid->other) != v->epoch)
		return V4ERR_STALE_STATEID;
	if (v->grants == NULL || (g = grant_find(v->grants, sid->other,
	    V4_OTHER_SIZE)) == NULL || g->state == GRANT_REVOKED ||
	    g->holder.protocol != LOCK_PROTOCOL_NFSV4 ||
	    g->holder.client_id != clientid || !v4_same_file(&g->file, file) ||
	    sid->seqid > 1)
		return V4ERR_BAD_STATEID;
	return V4_OK;
}

uint32_t
v4_state_delegreturn(struct v4_state *v, const struct v4_stateid *sid,
    const struct lock_file_id *file)
{
	const struct grant *g;
	struct v4_client *c;
	enum v4_kind kind;
	uint32_t st;

	if (v4_stateid_special(sid, &kind))
		return V4ERR_BAD_STATEID;
	if (!v4_stateid_epoch_ok(v, sid))
		return V4ERR_STALE_STATEID;
	if (v->grants == NULL || (g = grant_find(v->grants, sid->other,
	    V4_OTHER_SIZE)) == NULL)
		return V4ERR_BAD_STATEID;
	if ((st = v4_client_live(v, g->holder.client_id, &c)) != V4_OK)
		return st;
	if (!v4_same_file(&g->file, file))
		return V4ERR_BAD_STATEID;
	/* A revoked one goes too; the client hears it was not valid. */
	st = g->state == GRANT_REVOKED ? V4ERR_BAD_STATEID : V4_OK;
	grant_return(v->grants, sid->other, V4_OTHER_SIZE,
	    LOCK_PROTOCOL_NFSV4, c->clientid);
	return st;
}

uint64_t
v4_state_stateid_client(struct v4_state *v, const struct v4_stateid *sid)
{
	enum v4_kind kind;

	if (v4_stateid_special(sid, &kind) || !v4_stateid_epoch_ok(v, sid))
		return 0;
	return (uint64_t)v4_get32(sid->other) << 32 |
	    v4_get32(sid->other + 4);
}

/*
 * RFC 8881 20.6: a v4.1 client that holds three quarters of its nfsv4
 * delegations per client is asked (CB_RECALL_ANY, at most once a lease)
 * to keep half: 1 and *keep when it is due.
 */
int
v4_state_recall_any_due(struct v4_state *v, uint64_t clientid,
    uint32_t *keep)
{
	struct v4_client *c;

	if (v->delegs_max == 0 || (c = v4_client_find(v, clientid, 1)) ==
	    NULL || !c->minor || c->cb_up != 1 ||
	    grant_holder_count(v->grants, LOCK_PROTOCOL_NFSV4, clientid) <
	    (v->delegs_max * 3 + 3) / 4 ||
	    (c->recall_any_at != 0 && v->now - c->recall_any_at < v->lease))
		return 0;
	c->recall_any_at = v->now;
	*keep = (uint32_t)(v->delegs_max / 2);
	return 1;
}

int
v4_state_client_callback(struct v4_state *v, uint64_t clientid,
    struct v4_callback *out)
{
	struct v4_client *c;

	if ((c = v4_client_find(v, clientid, 1)) == NULL)
		return -1;
	*out = c->cb;
	return 0;
}

/*
 * RFC 7530 9.1.4, 9.1.4.3, 16.22, 16.32, 16.36: the stateid of a READ,
 * WRITE or SETATTR.  Special stateids pass unless a share reservation
 * denies that access (NFS4ERR_LOCKED) or stated is in grace; others
 * must name a current state of this file whose open allows the I/O.
 * Byte-range locks are advisory here, as on Linux: they do not stop I/O.
 */
uint32_t
v4_state_check(struct v4_state *v, const struct v4_stateid *sid,
    const struct lock_file_id *file, enum v4_io io, struct v4_check_res *res)
{
	struct v4_stateful *s, *open;
	struct v4_deny_scan d;
	uint32_t st;

	memset(res, 0, sizeof(*res));
	if (file == NULL || file->len == 0 || file->len > LOCK_FILE_ID_MAX ||
	    (io != V4_IO_READ && io != V4_IO_WRITE && io != V4_IO_SETATTR))
		return V4ERR_INVAL;
	if (v4_stateid_special(sid, &res->kind)) {
		if (v4_in_grace(v))
			return V4ERR_GRACE;
		d.bits = io == V4_IO_READ ? LOCK_SHARE_READ : LOCK_SHARE_WRITE;
		d.hit = 0;
		lock_table_foreach_share(v->locks, file, v4_deny_cb, &d);
		res->access = V4_SHARE_BOTH;
		return d.hit ? V4ERR_LOCKED : V4_OK;
	}
	if ((st = v4_stateful_find(v, sid, &s)) != V4_OK)
		return st == V4ERR_BAD_STATEID ? v4_deleg_check(v, sid, file,
		    io, res) : st;
	if (s->closed)
		return V4ERR_BAD_STATEID;
	if ((st = v4_stateid_generation(s, sid)) != V4_OK)
		return st;
	if (s->file.len != file->len ||
	    memcmp(s->file.data, file->data, file->len) != 0)
		return V4ERR_BAD_STATEID;
	open = s->owner->lock ? s->open : s;
	if (open == NULL || open->closed || !open->owner->confirmed)
		return V4ERR_BAD_STATEID;
	res->kind = s->owner->lock ? V4_KIND_LOCK : V4_KIND_OPEN;
	res->access = open->access;
	res->deny = open->deny;
	/* A write-only open may read (as knfsd); writing needs WRITE. */
	if (io != V4_IO_READ && (open->access & LOCK_SHARE_WRITE) == 0)
		return V4ERR_OPENMODE;
	return V4_OK;
}

/* The clientid4 a stateid names (its first 8 bytes). */
static uint64_t
v4_stateid_holder(const struct v4_stateid *sid)
{
	return (uint64_t)v4_get32(sid->other) << 32 | v4_get32(sid->other + 4);
}

/*
 * RFC 8881 18.48.3: what TEST_STATEID says of one stateid: NFS4_OK,
 * BAD_STATEID (special, another client's, unknown, another start's),
 * OLD_STATEID, EXPIRED or ADMIN_REVOKED (its client's state was purged),
 * DELEG_REVOKED.  It renews nothing.
 */
uint32_t
v4_state_test_stateid(struct v4_state *v, uint64_t clientid,
    const struct v4_stateid *sid)
{
	struct v4_link *l;
	struct v4_stateful *s;
	struct v4_client *c;
	const struct grant *g;
	enum v4_kind kind;

	if (v4_stateid_special(sid, &kind) || !v4_stateid_epoch_ok(v, sid) ||
	    (clientid != 0 && v4_stateid_holder(sid) != clientid))
		return V4ERR_BAD_STATEID;
	for (l = v4_hash_first(&v->states, v4_get32(sid->other + 8));
	    l != NULL; l = l->next) {
		s = (struct v4_stateful *)l;
		if (memcmp(s->id.other, sid->other, V4_OTHER_SIZE) != 0)
			continue;
		if (s->closed)
			return V4ERR_BAD_STATEID;
		return v4_stateid_generation(s, sid);
	}
	if (v->grants != NULL && (g = grant_find(v->grants, sid->other,
	    V4_OTHER_SIZE)) != NULL)
		return g->state == GRANT_REVOKED ? V4ERR_DELEG_REVOKED :
		    sid->seqid > 1 ? V4ERR_BAD_STATEID : V4_OK;
	if ((c = v4_client_find(v, v4_stateid_holder(sid), 1)) != NULL &&
	    c->expired)
		return c->expired_status;
	return V4ERR_BAD_STATEID;
}

/*
 * RFC 8881 18.38.3: FREE_STATEID.  A stateid that still stands for a
 * lock of some kind (an open, a lock state with byte-range locks, a
 * delegation not revoked) is NFS4ERR_LOCKS_HELD and stays; a lock
 * state without locks, a revoked delegation, go.
 */
uint32_t
v4_state_free_stateid(struct v4_state *v, uint64_t clientid,
    const struct v4_stateid *sid)
{
	struct v4_stateful *s;
	struct lock_owner lo;
	struct v4_held h;
	const struct grant *g;
	uint32_t st;

	if (clientid != 0 && v4_stateid_holder(sid) != clientid)
		return V4ERR_BAD_STATEID;
	if ((st = v4_stateful_find(v, sid, &s)) == V4_OK) {
		if (s->closed)
			return V4ERR_BAD_STATEID;
		if ((st = v4_stateid_generation(s, sid)) != V4_OK)
			return st;
		if (!s->owner->lock)
			return V4ERR_LOCKS_HELD;	/* CLOSE frees it */
		v4_table_owner(s->owner, &lo);
		h.owner = &lo;
		h.held = 0;
		lock_table_foreach_lock(v->locks, &s->file, v4_held_cb, &h);
		if (h.held)
			return V4ERR_LOCKS_HELD;
		v4_stateful_free(v, s);
		return V4_OK;
	}
	if (st != V4ERR_BAD_STATEID || v->grants == NULL ||
	    (g = grant_find(v->grants, sid->other, V4_OTHER_SIZE)) == NULL)
		return st;
	if (g->state != GRANT_REVOKED)
		return V4ERR_LOCKS_HELD;		/* DELEGRETURN frees it */
	grant_return(v->grants, sid->other, V4_OTHER_SIZE,
	    LOCK_PROTOCOL_NFSV4, g->holder.client_id);
	return V4_OK;
}

uint32_t
v4_state_revoke(struct v4_state *v, uint64_t clientid)
{
	struct v4_client *c;

	if ((c = v4_client_find(v, clientid, 1)) == NULL || c->expired)
		return V4ERR_STALE_CLIENTID;
	v4_client_purge(v, c, V4ERR_ADMIN_REVOKED);
	return V4_OK;
}

size_t
v4_state_sweep(struct v4_state *v)
{
	struct v4_client *c, *next;
	struct v4_owner *o, *onext;
	size_t n = 0;

	for (c = TAILQ_FIRST(&v->all); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->expired) {
			if (v->now - c->expired_at > V4_TOMBSTONE_LEASES *
			    v->lease) {
				v4_client_destroy(v, c);
				n++;
			}
			continue;
		}
		/* A v4.1 client's lease is the session table's sweep's. */
		if (c->minor || !v4_lapsed(v, c)) {
			/* Owners that hold nothing and were idle a lease. */
			for (o = LIST_FIRST(&c->owners); o != NULL; o = onext) {
				onext = LIST_NEXT(o, client_entry);
				if (LIST_EMPTY(&o->states) &&
				    v->now - o->used > v->lease)
					v4_owner_free(v, o);
			}
			continue;
		}
		if (!c->confirmed)
			v4_client_destroy(v, c);
		else if ((c->nopens == 0 && c->nlocks == 0) ||
		    v->now - c->renewed > V4_COURTESY_MAX)
			v4_client_purge(v, c, V4ERR_EXPIRED);
		else
			continue;
		n++;
	}
	return n;
}

void
v4_state_mark_records(struct v4_state *v)
{
	struct v4_client *c;

	TAILQ_FOREACH(c, &v->all, entry)
		if (!c->expired && !c->minor && c->record != NULL &&
		    (c->nopens > 0 || c->nlocks > 0))
			c->record->has_state = 1;
}

int
v4_state_foreach_client(struct v4_state *v, v4_client_cb cb, void *arg)
{
	struct v4_client *c;
	struct v4_client_info i;
	int rv;

	TAILQ_FOREACH(c, &v->all, entry) {
		memset(&i, 0, sizeof(i));
		i.clientid = c->clientid;
		i.id = c->id;
		i.id_len = c->id_len;
		i.principal = c->principal;
		i.addr = c->addr;
		i.confirmed = c->confirmed;
		i.minor = c->minor;
		i.lapsed = !c->expired && v4_lapsed(v, c);
		i.expired = c->expired;
		i.idle = (long long)(v->now - c->renewed);
		i.opens = c->nopens;
		i.owners = c->nowners;
		if ((rv = cb(arg, &i)) != 0)
			return rv;
	}
	return 0;
}

int
v4_state_foreach_state(struct v4_state *v, uint64_t clientid, v4_state_cb cb,
    void *arg)
{
	struct v4_client *c;
	struct v4_owner *o;
	struct v4_stateful *s;
	struct v4_state_info i;
	int rv;

	if ((c = v4_client_find(v, clientid, 1)) == NULL)
		return 0;
	LIST_FOREACH(o, &c->owners, client_entry) {
		LIST_FOREACH(s, &o->states, owner_entry) {
			if (s->closed)
				continue;
			memset(&i, 0, sizeof(i));
			i.file = &s->file;
			i.lock = o->lock;
			i.owner = o->bytes + 1;
			i.owner_len = o->len - 1;
			i.stateid = s->id;
			i.access = s->access;
			i.deny = s->deny;
			if ((rv = cb(arg, &i)) != 0)
				return rv;
		}
	}
	return 0;
}

void
v4_state_stats(const struct v4_state *v, struct v4_state_stats *out)
{
	*out = v->stats;
}

void
v4_state_client_counts(struct v4_state *v, uint64_t clientid, size_t *opens,
    size_t *locks)
{
	struct v4_client *c;

	*opens = *locks = 0;
	if ((c = v4_client_find(v, clientid, 1)) == NULL || c->expired)
		return;
	*opens = c->nopens;
	*locks = c->nlocks;
}

uint64_t
v4_state_courtesy_purges(const struct v4_state *v)
{
	return v->courtesy_purges;
}

/* Frees the memory only: the lock table and the records are not told. */
void
v4_state_free(struct v4_state *v)
{
	struct v4_client *c;
	struct v4_owner *o;
	struct v4_stateful *s;

	if (v == NULL)
		return;
	while ((c = TAILQ_FIRST(&v->all)) != NULL) {
		while ((o = LIST_FIRST(&c->owners)) != NULL) {
			while ((s = LIST_FIRST(&o->states)) != NULL) {
				LIST_REMOVE(s, owner_entry);
				free(s);
			}
			LIST_REMOVE(o, client_entry);
			free(o);
		}
		TAILQ_REMOVE(&v->all, c, entry);
		free(c->id);
		free(c->principal);
		free(c);
	}
	free(v->clients.b);
	free(v->owners.b);
	free(v->states.b);
	free(v);
}

const char *
v4_status_str(uint32_t st)
{
	switch (st) {
	case V4_OK:			return "NFS4_OK";
	case V4ERR_INVAL:		return "NFS4ERR_INVAL";
	case V4ERR_NOTSUPP:		return "NFS4ERR_NOTSUPP";
	case V4ERR_DELEG_REVOKED:	return "NFS4ERR_DELEG_REVOKED";
	case V4ERR_SERVERFAULT:		return "NFS4ERR_SERVERFAULT";
	case V4ERR_DENIED:		return "NFS4ERR_DENIED";
	case V4ERR_EXPIRED:		return "NFS4ERR_EXPIRED";
	case V4ERR_LOCKED:		return "NFS4ERR_LOCKED";
	case V4ERR_GRACE:		return "NFS4ERR_GRACE";
	case V4ERR_SHARE_DENIED:	return "NFS4ERR_SHARE_DENIED";
	case V4ERR_CLID_INUSE:		return "NFS4ERR_CLID_INUSE";
	case V4ERR_RESOURCE:		return "NFS4ERR_RESOURCE";
	case V4ERR_STALE_CLIENTID:	return "NFS4ERR_STALE_CLIENTID";
	case V4ERR_STALE_STATEID:	return "NFS4ERR_STALE_STATEID";
	case V4ERR_OLD_STATEID:		return "NFS4ERR_OLD_STATEID";
	case V4ERR_BAD_STATEID:		return "NFS4ERR_BAD_STATEID";
	case V4ERR_BAD_SEQID:		return "NFS4ERR_BAD_SEQID";
	case V4ERR_NO_GRACE:		return "NFS4ERR_NO_GRACE";
	case V4ERR_RECLAIM_BAD:		return "NFS4ERR_RECLAIM_BAD";
	case V4ERR_LOCKS_HELD:		return "NFS4ERR_LOCKS_HELD";
	case V4ERR_OPENMODE:		return "NFS4ERR_OPENMODE";
	case V4ERR_DEADLOCK:		return "NFS4ERR_DEADLOCK";
	case V4ERR_ADMIN_REVOKED:	return "NFS4ERR_ADMIN_REVOKED";
	}
	return "NFS4ERR_?";
}
