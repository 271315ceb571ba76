/*
 * NFSv4.1 clients and sessions (the model is in session_table.h).
 *
 * Clients sit on one list (EXCHANGE_ID looks them up by co_ownerid)
 * and in a hash table by clientid (the other operations, and v4state
 * for each open and lock of a v4.1 client); sessions in a hash table by
 * id, since every SLOT_DONE and LOAD finds one.  Session ids
 * carry random bytes and a keyed counter, so an id a client makes up
 * only ever meets the chain of real ones.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/queue.h>
#include <sys/random.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "session_table.h"

#define SESSION_HASH_INITIAL	64
#define SESSION_RECORD_PREFIX	"41:"
#define SESSION_PROTOCOL_NFSV4	2	/* clients.h protocol, ST_PROTOCOL_NFSV4 */

struct session_slot {
	uint32_t		 seqid;
	uint8_t			 used;
	uint8_t			 cached;
	uint8_t			 digest_len;
	uint8_t			 digest[SESSION_DIGEST_MAX];
	uint32_t		 reply_len;
	uint8_t			*reply;
};

struct session_client;

struct session {
	struct session		*hash_next;
	TAILQ_ENTRY(session)	 client_entry;
	struct session_client	*client;
	uint8_t			 id[SESSION_ID_SIZE];
	uint32_t		 flags;
	struct session_channel	 fore;
	struct session_channel	 back;
	uint32_t		 cb_program;
	uint8_t			*cb_sec;
	size_t			 cb_sec_len;
	uint32_t		 cb_seqid;	/* nfsd's, SESSION_BACK */
	int			 back_state;	/* SESSION_BACK_* */
	size_t			 reserved;	/* counted in the total */
	uint32_t		 slots_used;
	size_t			 cached_bytes;
	uint32_t		 nslots;
	struct session_slot	 slots[];
};

struct session_client {
	TAILQ_ENTRY(session_client) entry;
	struct session_client	*id_next;	/* by clientid */
	uint64_t		 clientid;
	uint8_t			 verifier[SESSION_VERIFIER_SIZE];
	uint8_t			*owner;
	size_t			 owner_len;
	char			*principal;	/* the machine
						   credential with SP4_MACH_CRED */
	uint32_t		 protect;	/* SESSION_SP4_* */
	char			*impl_domain;
	char			*impl_name;
	char			 addr[SESSION_ADDR_MAX + 1];
	size_t			 bytes;		/* counted in the total */
	int			 confirmed;
	int			 reclaim_complete;
	time_t			 renewed;
	/* The CREATE_SESSION slot (RFC 8881 18.36.4). */
	uint32_t		 cs_seqid;
	int			 cs_kept;
	struct session_create_res cs_res;
	TAILQ_HEAD(, session)	 sessions;
	size_t			 nsessions;
	struct stated_client	*record;	/* confirmed ones only */
};

struct session_table {
	struct lock_table	*locks;
	struct stated_clients	*records;
	uint32_t		 epoch;
	time_t			 now;
	time_t			 lease;
	struct session_limits	 lim;
	uint64_t		 key;
	uint32_t		 next_client;
	uint32_t		 next_session;
	session_done_cb		 done_cb;
	void			*done_arg;
	session_forget_cb	 forget_cb;
	void			*forget_arg;
	session_gone_cb		 gone_cb;
	void			*gone_arg;
	TAILQ_HEAD(, session_client) clients;
	size_t			 nclients;
	/* Clients by clientid: every v4.1 open and lock asks (v4state). */
	struct session_client	**ids;
	size_t			 ids_size;	/* a power of two */
	struct session		**hash;
	size_t			 hash_size;	/* a power of two */
	size_t			 nsessions;
	size_t			 bytes;
	uint64_t		 limit_hits;
	uint64_t		 reaped;
};

static void
session_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A keyed bijection of 32 bits: unique counters a client cannot guess. */
static uint32_t
session_scramble(const struct session_table *t, uint32_t n)
{
	n ^= (uint32_t)(t->key >> 32);
	n *= 0x2545f491u;		/* odd: a bijection modulo 2^32 */
	n ^= n >> 16;
	n *= 0x7feb352du;
	n ^= n >> 15;
	return n ^ (uint32_t)t->key;
}

static size_t
session_bucket(const struct session_table *t, const uint8_t *id)
{
	return hash_fnv1a32(id, SESSION_ID_SIZE) & (t->hash_size - 1);
}

struct session_table *
session_table_new(struct lock_table *locks, struct stated_clients *records,
    uint64_t epoch)
{
	struct session_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->hash = calloc(SESSION_HASH_INITIAL, sizeof(*t->hash))) ==
	    NULL || (t->ids = calloc(SESSION_HASH_INITIAL,
	    sizeof(*t->ids))) == NULL) {
		free(t->hash);
		free(t);
		return NULL;
	}
	t->hash_size = SESSION_HASH_INITIAL;
	t->ids_size = SESSION_HASH_INITIAL;
	if (getrandom(&t->key, sizeof(t->key), 0) != sizeof(t->key))
		t->key = (uint64_t)(uintptr_t)t ^ epoch << 23;
	t->locks = locks;
	t->records = records;
	t->epoch = (uint32_t)epoch;
	t->lease = 90;
	t->lim.sessions_per_client = 16;
	t->lim.slots_per_session = 64;
	t->lim.max_request = 1049600;
	t->lim.max_response = 1049600;
	t->lim.cached_max = 4096;
	t->lim.memory_max = 256u << 20;
	TAILQ_INIT(&t->clients);
	return t;
}

void
session_table_set_now(struct session_table *t, time_t now)
{
	t->now = now;
}

void
session_table_set_lease(struct session_table *t, time_t lease)
{
	t->lease = lease > 0 ? lease : 1;
}

time_t
session_table_lease(const struct session_table *t)
{
	return t->lease;
}

void
session_table_set_limits(struct session_table *t,
    const struct session_limits *lim)
{
	t->lim = *lim;
	if (t->lim.slots_per_session > SESSION_SLOTS_MAX)
		t->lim.slots_per_session = SESSION_SLOTS_MAX;
	if (t->lim.slots_per_session == 0)
		t->lim.slots_per_session = 1;
	if (t->lim.cached_max > SESSION_REPLY_MAX)
		t->lim.cached_max = SESSION_REPLY_MAX;
}

void
session_table_set_done_cb(struct session_table *t, session_done_cb cb,
    void *arg)
{
	t->done_cb = cb;
	t->done_arg = arg;
}

void
session_table_set_forget_cb(struct session_table *t, session_forget_cb cb,
    void *arg)
{
	t->forget_cb = cb;
	t->forget_arg = arg;
}

void
session_table_set_gone_cb(struct session_table *t, session_gone_cb cb,
    void *arg)
{
	t->gone_cb = cb;
	t->gone_arg = arg;
}

void
session_table_stats(const struct session_table *t,
    struct session_table_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->clients = t->nclients;
	s->sessions = t->nsessions;
	s->bytes = t->bytes;
	s->limit_hits = t->limit_hits;
	s->reaped = t->reaped;
}

static int
session_lapsed(const struct session_table *t, const struct session_client *c)
{
	return t->now - c->renewed > t->lease;
}

/* Locks and share reservations the client holds in the lock table. */
static size_t
session_client_state(struct session_table *t, const struct session_client *c)
{
	return t->locks == NULL ? 0 : lock_table_client_records(t->locks,
	    LOCK_PROTOCOL_NFSV4, c->clientid);
}

/* ---- sessions ---- */

static struct session *
session_find(struct session_table *t, const uint8_t *id)
{
	struct session *s;

	for (s = t->hash[session_bucket(t, id)]; s != NULL; s = s->hash_next)
		if (memcmp(s->id, id, SESSION_ID_SIZE) == 0)
			return s;
	return NULL;
}

static void
session_hash_grow(struct session_table *t)
{
	struct session **nh, *s, *next;
	size_t i, size = t->hash_size * 2, b;

	/* Short of memory, longer chains still work. */
	if (size > SIZE_MAX / sizeof(*nh) ||
	    (nh = calloc(size, sizeof(*nh))) == NULL)
		return;
	for (i = 0; i < t->hash_size; i++) {
		for (s = t->hash[i]; s != NULL; s = next) {
			next = s->hash_next;
			b = hash_fnv1a32(s->id, SESSION_ID_SIZE) & (size - 1);
			s->hash_next = nh[b];
			nh[b] = s;
		}
	}
	free(t->hash);
	t->hash = nh;
	t->hash_size = size;
}

static void
session_free(struct session_table *t, struct session *s)
{
	struct session **p;
	uint32_t i;

	for (p = &t->hash[session_bucket(t, s->id)]; *p != NULL;
	    p = &(*p)->hash_next) {
		if (*p == s) {
			*p = s->hash_next;
			break;
		}
	}
	TAILQ_REMOVE(&s->client->sessions, s, client_entry);
	s->client->nsessions--;
	t->nsessions--;
	t->bytes -= s->reserved;
	for (i = 0; i < s->nslots; i++)
		free(s->slots[i].reply);
	free(s->cb_sec);
	free(s);
}

/* ---- clients ---- */

/* Its low word is a keyed counter: a client cannot aim at a bucket. */
static struct session_client **
session_id_bucket(struct session_table *t, uint64_t clientid)
{
	return &t->ids[(uint32_t)clientid & (t->ids_size - 1)];
}

static struct session_client *
session_client_find(struct session_table *t, uint64_t clientid)
{
	struct session_client *c;

	for (c = *session_id_bucket(t, clientid); c != NULL; c = c->id_next)
		if (c->clientid == clientid)
			return c;
	return NULL;
}

static void
session_ids_grow(struct session_table *t)
{
	struct session_client **n, *c;
	size_t size = t->ids_size * 2;

	/* Short of memory, longer chains still work. */
	if (size > SIZE_MAX / sizeof(*n) ||
	    (n = calloc(size, sizeof(*n))) == NULL)
		return;
	free(t->ids);
	t->ids = n;
	t->ids_size = size;
	TAILQ_FOREACH(c, &t->clients, entry) {
		c->id_next = *session_id_bucket(t, c->clientid);
		*session_id_bucket(t, c->clientid) = c;
	}
}

static struct session_client *
session_client_by_owner(struct session_table *t, const uint8_t *owner,
    size_t len, int confirmed, const struct session_client *except)
{
	struct session_client *c;

	TAILQ_FOREACH(c, &t->clients, entry)
		if (c != except && c->confirmed == confirmed &&
		    c->owner_len == len && memcmp(c->owner, owner, len) == 0)
			return c;
	return NULL;
}

static int
session_clientid_stale(const struct session_table *t, uint64_t clientid)
{
	return (uint32_t)(clientid >> 32) != (t->epoch | 0x80000000u);
}

/*
 * The name of a client's record: "41:" and its co_ownerid in hex; a
 * long one is cut and followed by an FNV-1a of all of it and its length,
 * to stay within CLIENTS_NAME_MAX.
 */
static void
session_record_name(const uint8_t *id, size_t len, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = len, o;

	o = (size_t)snprintf(out, outlen, "%s", SESSION_RECORD_PREFIX);
	if (o + 2 * len + 1 > outlen)
		n = (outlen - o - 40) / 2;
	for (i = 0; i < n; i++) {
		out[o++] = hex[id[i] >> 4];
		out[o++] = hex[id[i] & 15];
	}
	if (n < len)
		o += (size_t)snprintf(out + o, outlen - o, "+%016llx.%zu",
		    (unsigned long long)hash_fnv1a32(id, len), len);
	out[o] = '\0';
}

/*
 * The client goes, with its sessions.  Its record goes too when it
 * holds no state and has nothing to reclaim in this grace period.
 */
static void
session_client_destroy(struct session_table *t, struct session_client *c)
{
	struct stated_client *r = c->record;
	struct session_client **p;

	/* Its opens, locks and delegations (v4state) go first. */
	if (c->confirmed && t->forget_cb != NULL)
		t->forget_cb(t->forget_arg, c->clientid);
	while (!TAILQ_EMPTY(&c->sessions))
		session_free(t, TAILQ_FIRST(&c->sessions));
	for (p = session_id_bucket(t, c->clientid); *p != NULL;
	    p = &(*p)->id_next) {
		if (*p == c) {
			*p = c->id_next;
			break;
		}
	}
	TAILQ_REMOVE(&t->clients, c, entry);
	t->nclients--;
	t->bytes -= c->bytes;
	if (r != NULL && t->records != NULL && r->epoch == 0 &&
	    !(r->reclaimable && !r->done))
		clients_remove(t->records, r);
	free(c->owner);
	free(c->principal);
	free(c->impl_domain);
	free(c->impl_name);
	free(c);
}

/*
 * Everything the client holds goes: its locks, sessions and itself.
 * stated does it on its own (a lease, a conflict, a new incarnation),
 * so nfsd hears of it.
 */
static void
session_client_purge(struct session_table *t, struct session_client *c)
{
	if ((c->confirmed || c->nsessions > 0) && t->gone_cb != NULL)
		t->gone_cb(t->gone_arg, c->clientid, NULL);
	if (t->locks != NULL)
		lock_table_release_client(t->locks, LOCK_PROTOCOL_NFSV4,
		    c->clientid);
	if (c->record != NULL && c->record->epoch != 0 && t->records != NULL)
		clients_clear_state(t->records, c->record);
	session_client_destroy(t, c);
}

static struct session_client *
session_client_new(struct session_table *t,
    const struct session_exchange_args *a)
{
	struct session_client *c;
	const char *dom = a->impl_domain ? a->impl_domain : "";
	const char *name = a->impl_name ? a->impl_name : "";

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->owner = malloc(a->owner_len)) == NULL ||
	    (c->principal = strdup(a->principal)) == NULL ||
	    (c->impl_domain = strdup(dom)) == NULL ||
	    (c->impl_name = strdup(name)) == NULL) {
		free(c->owner);
		free(c->principal);
		free(c->impl_domain);
		free(c);
		return NULL;
	}
	memcpy(c->owner, a->owner, a->owner_len);
	c->owner_len = a->owner_len;
	c->protect = a->protect;
	memcpy(c->verifier, a->verifier, SESSION_VERIFIER_SIZE);
	snprintf(c->addr, sizeof(c->addr), "%s", a->addr);
	c->renewed = t->now;
	c->clientid = (uint64_t)(t->epoch | 0x80000000u) << 32 |
	    session_scramble(t, ++t->next_client);
	c->bytes = sizeof(*c) + a->owner_len + strlen(a->principal) +
	    strlen(dom) + strlen(name) + 3;
	TAILQ_INIT(&c->sessions);
	if (t->nclients >= t->ids_size)
		session_ids_grow(t);
	TAILQ_INSERT_TAIL(&t->clients, c, entry);
	c->id_next = *session_id_bucket(t, c->clientid);
	*session_id_bucket(t, c->clientid) = c;
	t->nclients++;
	t->bytes += c->bytes;
	return c;
}

/* Clients (confirmed or not) at this address. */
static size_t
session_clients_at(struct session_table *t, const char *addr)
{
	struct session_client *c;
	size_t n = 0;

	TAILQ_FOREACH(c, &t->clients, entry)
		if (strcmp(c->addr, addr) == 0)
			n++;
	return n;
}

/* Room for one more at addr: a lapsed one that holds no lock goes. */
static int
session_clients_make_room(struct session_table *t, const char *addr)
{
	struct session_client *c;

	TAILQ_FOREACH(c, &t->clients, entry) {
		if (strcmp(c->addr, addr) != 0 || !session_lapsed(t, c) ||
		    session_client_state(t, c) != 0)
			continue;
		if (c->confirmed)
			t->reaped++;
		session_client_purge(t, c);
		return 0;
	}
	return -1;
}

/*
 * Memory for need more bytes: the sessions of lapsed clients go (their
 * locks stay, until a lock conflicts; the client makes a new session
 * when it comes back).  0 if there is room now, else -1.
 */
static int
session_memory_room(struct session_table *t, size_t need,
    const struct session_client *except)
{
	struct session_client *c;

	if (t->bytes + need <= t->lim.memory_max)
		return 0;
	TAILQ_FOREACH(c, &t->clients, entry) {
		if (c == except || !session_lapsed(t, c) ||
		    TAILQ_EMPTY(&c->sessions))
			continue;
		while (!TAILQ_EMPTY(&c->sessions)) {
			if (t->gone_cb != NULL)
				t->gone_cb(t->gone_arg, c->clientid,
				    TAILQ_FIRST(&c->sessions)->id);
			session_free(t, TAILQ_FIRST(&c->sessions));
		}
		t->reaped++;
		if (t->bytes + need <= t->lim.memory_max)
			return 0;
	}
	return -1;
}

static void
session_exchange_out(const struct session_client *c, int confirmed_r,
    struct session_exchange_res *res)
{
	res->clientid = c->clientid;
	res->sequenceid = c->cs_seqid + 1;
	res->flags = SESSION_EXCHGID_USE_NON_PNFS |
	    (confirmed_r ? SESSION_EXCHGID_CONFIRMED_R : 0);
}

/* RFC 8881 18.35.5: EXCHANGE_ID, its cases numbered as there. */
uint32_t
session_exchange_id(struct session_table *t,
    const struct session_exchange_args *a, struct session_exchange_res *res)
{
	struct session_client *conf, *unconf, *c;
	int update = (a->flags & SESSION_EXCHGID_UPD_CONFIRMED_REC_A) != 0;
	size_t need;

	memset(res, 0, sizeof(*res));
	if (a->verifier == NULL || a->owner == NULL || a->owner_len == 0 ||
	    a->owner_len > SESSION_OWNER_MAX || a->principal == NULL ||
	    strlen(a->principal) > SESSION_PRINCIPAL_MAX ||
	    a->addr == NULL || strlen(a->addr) > SESSION_ADDR_MAX ||
	    (a->impl_domain != NULL && strlen(a->impl_domain) >
	    SESSION_IMPL_MAX) || (a->impl_name != NULL &&
	    strlen(a->impl_name) > SESSION_IMPL_MAX))
		return SESSIONERR_INVAL;
	/* SP4_NONE, and SP4_MACH_CRED (nfsd checked the flavour); no SSV. */
	if (a->protect == SESSION_SP4_SSV)
		return SESSIONERR_ENCR_ALG_UNSUPP;
	if (a->protect != SESSION_SP4_NONE &&
	    a->protect != SESSION_SP4_MACH_CRED)
		return SESSIONERR_INVAL;
	conf = session_client_by_owner(t, a->owner, a->owner_len, 1, NULL);
	if (conf != NULL) {
		int same_cred = strcmp(conf->principal, a->principal) == 0;
		int same_verf = memcmp(conf->verifier, a->verifier,
		    SESSION_VERIFIER_SIZE) == 0;

		/*
		 * 18.35.3: while its lease runs, the owner of a machine
		 * credential comes back with that credential only.
		 */
		if (conf->protect == SESSION_SP4_MACH_CRED && !same_cred &&
		    !session_lapsed(t, conf))
			return SESSIONERR_WRONG_CRED;

		if (update) {
			if (!same_cred)
				return SESSIONERR_PERM;		/* case 9 */
			if (!same_verf)
				return SESSIONERR_NOT_SAME;	/* case 8 */
			conf->renewed = t->now;			/* case 6 */
			session_exchange_out(conf, 1, res);
			return SESSION_OK;
		}
		if (!same_cred) {				/* case 3 */
			if (session_lapsed(t, conf)) {
				/* A conflict ends courtesy. */
				if (!TAILQ_EMPTY(&conf->sessions) ||
				    session_client_state(t, conf) != 0)
					t->reaped++;
				session_client_purge(t, conf);
			} else if (!TAILQ_EMPTY(&conf->sessions) ||
			    session_client_state(t, conf) != 0)
				return SESSIONERR_CLID_INUSE;
			else
				session_client_destroy(t, conf);
			conf = NULL;
		} else if (same_verf) {				/* case 2 */
			conf->renewed = t->now;
			session_exchange_out(conf, 1, res);
			return SESSION_OK;
		}
		/* Case 5, a client that restarted: the confirmed record
		 * stays until CREATE_SESSION confirms the new one. */
	} else if (update)
		return SESSIONERR_NOENT;			/* case 7 */
	/* Case 4: an unconfirmed record goes; case 1: a new one. */
	unconf = session_client_by_owner(t, a->owner, a->owner_len, 0, NULL);
	if (unconf != NULL)
		session_client_destroy(t, unconf);
	if (t->lim.clients_per_addr > 0 && session_clients_at(t, a->addr) >=
	    t->lim.clients_per_addr && session_clients_make_room(t,
	    a->addr) == -1) {
		t->limit_hits++;
		return SESSIONERR_RESOURCE;
	}
	need = sizeof(*c) + a->owner_len + strlen(a->principal) + 2 *
	    SESSION_IMPL_MAX;
	if (session_memory_room(t, need, NULL) == -1) {
		t->limit_hits++;
		return SESSIONERR_RESOURCE;
	}
	if ((c = session_client_new(t, a)) == NULL)
		return SESSIONERR_SERVERFAULT;
	session_exchange_out(c, 0, res);
	return SESSION_OK;
}

/* The first CREATE_SESSION: the client is confirmed (18.35.5 case 5). */
static void
session_client_confirm(struct session_table *t, struct session_client *c)
{
	struct session_client *old;
	char name[CLIENTS_NAME_MAX + 1];

	while ((old = session_client_by_owner(t, c->owner, c->owner_len, 1,
	    c)) != NULL) {
		if (c->record == NULL)
			c->record = old->record;
		old->record = NULL;
		session_client_purge(t, old);
	}
	c->confirmed = 1;
	if (c->record == NULL && t->records != NULL) {
		session_record_name(c->owner, c->owner_len, name,
		    sizeof(name));
		c->record = clients_get(t->records, SESSION_PROTOCOL_NFSV4,
		    name, c->addr);
	}
}

static uint32_t
session_min(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* A new session for c (18.36.4 once the sequence is right). */
static uint32_t
session_create_new(struct session_table *t, struct session_client *c,
    const struct session_create_args *a, struct session_create_res *res)
{
	struct session *s, **b;
	size_t per_slot, fixed, need, slots;
	uint32_t cached;

	if (a->fore.maxrequestsize < SESSION_SIZE_MIN ||
	    a->fore.maxresponsesize < SESSION_SIZE_MIN)
		return SESSIONERR_TOOSMALL;
	if (a->cb_sec_len > SESSION_CB_SEC_MAX)
		return SESSIONERR_INVAL;
	if (c->nsessions >= t->lim.sessions_per_client) {
		t->limit_hits++;
		return SESSIONERR_NOSPC;
	}
	res->fore.headerpadsize = 0;
	res->fore.maxrequestsize = session_min(a->fore.maxrequestsize,
	    t->lim.max_request);
	res->fore.maxresponsesize = session_min(a->fore.maxresponsesize,
	    t->lim.max_response);
	cached = session_min(a->fore.maxresponsesize_cached,
	    t->lim.cached_max);
	res->fore.maxresponsesize_cached = session_min(cached,
	    res->fore.maxresponsesize);
	res->fore.maxoperations = session_min(a->fore.maxoperations,
	    SESSION_OPERATIONS_MAX);
	slots = a->fore.maxrequests > 0 ? a->fore.maxrequests : 1;
	if (slots > t->lim.slots_per_session)
		slots = t->lim.slots_per_session;
	/* The back channel's sizes are the client's; its slots ours. */
	res->back = a->back;
	res->back.headerpadsize = 0;
	res->back.maxrequests = a->back.maxrequests > 0 ?
	    session_min(a->back.maxrequests, SESSION_BACK_SLOTS_MAX) : 1;

	per_slot = sizeof(struct session_slot) +
	    res->fore.maxresponsesize_cached;
	fixed = sizeof(*s) + a->cb_sec_len;
	need = fixed + slots * per_slot;
	if (session_memory_room(t, need, c) == -1) {
		/* Fewer slots (18.36.3 allows it), one at least. */
		if (t->bytes + fixed + per_slot > t->lim.memory_max) {
			t->limit_hits++;
			return SESSIONERR_NOSPC;
		}
		slots = (t->lim.memory_max - t->bytes - fixed) / per_slot;
		need = fixed + slots * per_slot;
	}
	res->fore.maxrequests = (uint32_t)slots;
	if ((s = calloc(1, sizeof(*s) + slots * sizeof(s->slots[0]))) ==
	    NULL)
		return SESSIONERR_SERVERFAULT;
	if (a->cb_sec_len > 0) {
		if ((s->cb_sec = malloc(a->cb_sec_len)) == NULL) {
			free(s);
			return SESSIONERR_SERVERFAULT;
		}
		memcpy(s->cb_sec, a->cb_sec, a->cb_sec_len);
		s->cb_sec_len = a->cb_sec_len;
	}
	/* clientid, a keyed counter, random: unique and not guessable. */
	session_put32(s->id, (uint32_t)(c->clientid >> 32));
	session_put32(s->id + 4, (uint32_t)c->clientid);
	session_put32(s->id + 8, session_scramble(t, ~++t->next_session));
	if (getrandom(s->id + 12, 4, 0) != 4)
		session_put32(s->id + 12, (uint32_t)t->key ^
		    (uint32_t)t->now);
	s->client = c;
	s->flags = a->flags & SESSION_FLAG_CONN_BACK_CHAN;
	s->fore = res->fore;
	s->back = res->back;
	s->cb_program = a->cb_program;
	s->nslots = (uint32_t)slots;
	s->reserved = need;
	if (t->nsessions >= t->hash_size)
		session_hash_grow(t);
	b = &t->hash[session_bucket(t, s->id)];
	s->hash_next = *b;
	*b = s;
	TAILQ_INSERT_TAIL(&c->sessions, s, client_entry);
	c->nsessions++;
	t->nsessions++;
	t->bytes += need;
	if (!c->confirmed)
		session_client_confirm(t, c);
	c->renewed = t->now;
	memcpy(res->sessionid, s->id, SESSION_ID_SIZE);
	res->flags = s->flags;
	return SESSION_OK;
}

/* RFC 8881 18.36.4: CREATE_SESSION */
uint32_t
session_create(struct session_table *t, const struct session_create_args *a,
    struct session_create_res *res)
{
	struct session_client *c;
	uint32_t st;

	memset(res, 0, sizeof(*res));
	if (a->principal == NULL)
		return res->status = SESSIONERR_INVAL;
	if (session_clientid_stale(t, a->clientid) ||
	    (c = session_client_find(t, a->clientid)) == NULL)
		return res->status = SESSIONERR_STALE_CLIENTID;
	/* 18.35.3: CREATE_SESSION is in every SP4_MACH_CRED enforce set. */
	if (c->protect == SESSION_SP4_MACH_CRED &&
	    strcmp(c->principal, a->principal) != 0)
		return res->status = SESSIONERR_WRONG_CRED;
	/* With SP4_NONE only the confirmation binds the principal. */
	if (!c->confirmed && strcmp(c->principal, a->principal) != 0)
		return res->status = SESSIONERR_CLID_INUSE;
	if (c->cs_kept && a->sequence == c->cs_seqid) {
		*res = c->cs_res;
		res->replay = 1;
		return res->status;
	}
	if (a->sequence != c->cs_seqid + 1)
		return res->status = SESSIONERR_SEQ_MISORDERED;
	if ((st = session_create_new(t, c, a, res)) != SESSION_OK)
		memset(res, 0, sizeof(*res));
	res->status = st;
	res->sequence = a->sequence;
	/* Success or not, this sequence's result is the one a replay gets. */
	c->cs_seqid = a->sequence;
	c->cs_kept = 1;
	c->cs_res = *res;
	return st;
}

/* RFC 8881 18.37: DESTROY_SESSION */
uint32_t
session_destroy(struct session_table *t, const uint8_t *id)
{
	struct session *s;

	if ((s = session_find(t, id)) == NULL)
		return SESSIONERR_BADSESSION;
	session_free(t, s);
	return SESSION_OK;
}

/* RFC 8881 18.35.3: an op of spo_must_enforce under principal. */
uint32_t
session_mach_check(struct session_table *t, uint64_t clientid,
    const uint8_t *sessionid, const char *principal)
{
	struct session_client *c;
	struct session *s;

	if (principal == NULL)
		return SESSIONERR_INVAL;
	if (clientid == 0) {
		if (sessionid == NULL ||
		    (s = session_find(t, sessionid)) == NULL)
			return SESSIONERR_BADSESSION;
		c = s->client;
	} else if (session_clientid_stale(t, clientid) ||
	    (c = session_client_find(t, clientid)) == NULL)
		return SESSIONERR_STALE_CLIENTID;
	if (c->protect == SESSION_SP4_MACH_CRED &&
	    strcmp(c->principal, principal) != 0)
		return SESSIONERR_WRONG_CRED;
	return SESSION_OK;
}

/* A reclaimable client has nothing more to reclaim. */
static void
session_client_done(struct session_table *t, struct session_client *c,
    const char *why)
{
	struct stated_client *r = c->record;

	if (r != NULL && r->reclaimable && !r->done && t->done_cb != NULL)
		t->done_cb(t->done_arg, r, why);
}

/* RFC 8881 18.50: DESTROY_CLIENTID */
uint32_t
session_destroy_clientid(struct session_table *t, uint64_t clientid)
{
	struct session_client *c;

	if (session_clientid_stale(t, clientid) ||
	    (c = session_client_find(t, clientid)) == NULL)
		return SESSIONERR_STALE_CLIENTID;
	/* 18.50.3: busy with sessions, or state under a lease. */
	if (c->nsessions > 0 || (session_client_state(t, c) != 0 &&
	    !session_lapsed(t, c)))
		return SESSIONERR_CLIENTID_BUSY;
	session_client_done(t, c, "DESTROY_CLIENTID");
	/* A lapsed client's locks and shares go with it. */
	if (t->locks != NULL)
		lock_table_release_client(t->locks, LOCK_PROTOCOL_NFSV4,
		    c->clientid);
	if (c->record != NULL && c->record->epoch != 0 && t->records != NULL)
		clients_clear_state(t->records, c->record);
	session_client_destroy(t, c);
	return SESSION_OK;
}

/* RFC 8881 18.51: RECLAIM_COMPLETE */
uint32_t
session_reclaim_complete(struct session_table *t, uint64_t clientid,
    int one_fs)
{
	struct session_client *c;

	if (session_clientid_stale(t, clientid) ||
	    (c = session_client_find(t, clientid)) == NULL || !c->confirmed)
		return SESSIONERR_STALE_CLIENTID;
	c->renewed = t->now;
	/* One file system: stated keeps no per-file-system grace. */
	if (one_fs)
		return SESSION_OK;
	if (c->reclaim_complete)
		return SESSIONERR_COMPLETE_ALREADY;
	c->reclaim_complete = 1;
	session_client_done(t, c, "RECLAIM_COMPLETE");
	return SESSION_OK;
}

uint32_t
session_slot_done(struct session_table *t, const uint8_t *id,
    uint32_t slotid, uint32_t seqid, int cached, const uint8_t *digest,
    size_t digest_len, const uint8_t *reply, size_t reply_len)
{
	struct session *s;
	struct session_slot *sl;
	uint8_t *copy = NULL;

	if ((s = session_find(t, id)) == NULL)
		return SESSIONERR_BADSESSION;
	if (slotid >= s->nslots)
		return SESSIONERR_BADSLOT;
	sl = &s->slots[slotid];
	/* The next sequence id; or this one again, stored once more. */
	if (seqid != sl->seqid + 1 && !(sl->used && seqid == sl->seqid))
		return SESSIONERR_SEQ_MISORDERED;
	if (digest_len > SESSION_DIGEST_MAX || (cached && reply == NULL &&
	    reply_len > 0))
		return SESSIONERR_INVAL;
	s->client->renewed = t->now;
	if (cached && reply_len > s->fore.maxresponsesize_cached)
		cached = -1;		/* not kept: too big */
	if (cached > 0 && reply_len > 0) {
		if ((copy = malloc(reply_len)) == NULL)
			cached = -1;
		else
			memcpy(copy, reply, reply_len);
	}
	if (!sl->used) {
		sl->used = 1;
		s->slots_used++;
	}
	s->cached_bytes -= sl->reply_len;
	free(sl->reply);
	sl->seqid = seqid;
	sl->digest_len = (uint8_t)digest_len;
	if (digest_len > 0)
		memcpy(sl->digest, digest, digest_len);
	sl->cached = cached > 0;
	sl->reply = copy;
	sl->reply_len = copy != NULL ? (uint32_t)reply_len : 0;
	s->cached_bytes += sl->reply_len;
	return cached < 0 ? SESSIONERR_REP_TOO_BIG_TO_CACHE : SESSION_OK;
}

/*
 * nfsd's word on the session's backchannel: its program, the last
 * sequence id of its slot and its state (ST_SESSION_BACK).  *clientid:
 * the session's client.
 */
uint32_t
session_back(struct session_table *t, const uint8_t *id, uint32_t cb_program,
    uint32_t cb_seqid, int state, uint64_t *clientid)
{
	struct session *s;

	if ((s = session_find(t, id)) == NULL)
		return SESSIONERR_BADSESSION;
	if (state < SESSION_BACK_NONE || state > SESSION_BACK_DOWN)
		return SESSIONERR_INVAL;
	s->cb_program = cb_program;
	s->cb_seqid = cb_seqid;
	s->back_state = state;
	*clientid = s->client->clientid;
	return SESSION_OK;
}

/*
 * BACKCHANNEL_CTL (ST_SESSION_BACK_CTL): the session's callback program
 * and security from now on, in place of CREATE_SESSION's.
 */
uint32_t
session_back_ctl(struct session_table *t, const uint8_t *id,
    uint32_t cb_program, const uint8_t *cb_sec, size_t cb_sec_len)
{
	struct session *s;
	uint8_t *copy = NULL;

	if ((s = session_find(t, id)) == NULL)
		return SESSIONERR_BADSESSION;
	if (cb_sec_len > SESSION_CB_SEC_MAX)
		return SESSIONERR_INVAL;
	if (cb_sec_len > 0) {
		if ((copy = malloc(cb_sec_len)) == NULL)
			return SESSIONERR_SERVERFAULT;
		memcpy(copy, cb_sec, cb_sec_len);
	}
	/* What the session holds counts as before: at most the bound. */
	t->bytes = t->bytes - s->cb_sec_len + cb_sec_len;
	s->reserved = s->reserved - s->cb_sec_len + cb_sec_len;
	free(s->cb_sec);
	s->cb_sec = copy;
	s->cb_sec_len = cb_sec_len;
	s->cb_program = cb_program;
	return SESSION_OK;
}

/*
 * RFC 8881 2.10.6.1: the session keeps slots 0..n-1 (ST_SESSION_SHRINK,
 * once the client stopped using the others): their replies are freed and
 * their share of the memory bound given back.  A larger n is no change.
 */
uint32_t
session_shrink(struct session_table *t, const uint8_t *id, uint32_t n)
{
	struct session *s;
	struct session_slot *sl;
	size_t per_slot;
	uint32_t i;

	if ((s = session_find(t, id)) == NULL)
		return SESSIONERR_BADSESSION;
	if (n == 0)
		return SESSIONERR_INVAL;
	if (n >= s->nslots)
		return SESSION_OK;
	per_slot = sizeof(struct session_slot) + s->fore.maxresponsesize_cached;
	for (i = n; i < s->nslots; i++) {
		sl = &s->slots[i];
		s->cached_bytes -= sl->reply_len;
		free(sl->reply);
		if (sl->used)
			s->slots_used--;
		memset(sl, 0, sizeof(*sl));
	}
	t->bytes -= (s->nslots - n) * per_slot;
	s->reserved -= (s->nslots - n) * per_slot;
	s->nslots = n;
	s->fore.maxrequests = n;
	return SESSION_OK;
}

/* Whether a session of the client has a backchannel that answered. */
int
session_table_back_up(struct session_table *t, uint64_t clientid)
{
	struct session_client *c;
	struct session *s;

	if ((c = session_client_find(t, clientid)) == NULL)
		return 0;
	TAILQ_FOREACH(s, &c->sessions, client_entry)
		if (s->back_state == SESSION_BACK_UP)
			return 1;
	return 0;
}

static void
session_info_of(const struct session_table *t, const struct session *s,
    struct session_info *i)
{
	memset(i, 0, sizeof(*i));
	i->sessionid = s->id;
	i->clientid = s->client->clientid;
	i->flags = s->flags;
	i->fore = s->fore;
	i->back = s->back;
	i->cb_program = s->cb_program;
	i->cb_sec = s->cb_sec;
	i->cb_sec_len = s->cb_sec_len;
	i->cb_seqid = s->cb_seqid;
	i->back_state = s->back_state;
	i->renewed = (long long)(t->now - s->client->renewed);
	i->slots = s->nslots;
	i->slots_used = s->slots_used;
	i->cached_bytes = s->cached_bytes;
}

uint32_t
session_load(struct session_table *t, const uint8_t *id, uint32_t first,
    size_t max_bytes, struct session_info *info, session_slot_cb cb,
    void *arg, uint32_t *next, int *eof)
{
	struct session *s;
	struct session_slot_info si;
	size_t bytes = 0, cost;
	uint32_t i;

	*next = first;
	*eof = 1;
	if ((s = session_find(t, id)) == NULL)
		return SESSIONERR_BADSESSION;
	session_info_of(t, s, info);
	for (i = first; i < s->nslots; i++) {
		const struct session_slot *sl = &s->slots[i];

		if (!sl->used)
			continue;
		cost = 64 + sl->digest_len + sl->reply_len;
		if (bytes > 0 && bytes + cost > max_bytes) {
			*next = i;
			*eof = 0;
			return SESSION_OK;
		}
		bytes += cost;
		memset(&si, 0, sizeof(si));
		si.slotid = i;
		si.seqid = sl->seqid;
		si.cached = sl->cached;
		si.digest = sl->digest;
		si.digest_len = sl->digest_len;
		si.reply = sl->reply;
		si.reply_len = sl->reply_len;
		if (cb(arg, &si) != 0) {
			*next = i + 1;
			*eof = i + 1 >= s->nslots;
			return SESSION_OK;
		}
	}
	*next = s->nslots;
	return SESSION_OK;
}

int
session_table_courtesy(struct session_table *t, uint64_t clientid)
{
	struct session_client *c;

	if (!(clientid & SESSION_CLIENTID_BIT) ||
	    (c = session_client_find(t, clientid)) == NULL || !c->confirmed ||
	    !session_lapsed(t, c))
		return 0;
	session_client_purge(t, c);
	t->reaped++;
	return 1;
}

size_t
session_table_sweep(struct session_table *t)
{
	struct session_client *c, *next;
	size_t n = 0;

	for (c = TAILQ_FIRST(&t->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (!session_lapsed(t, c))
			continue;
		if (c->confirmed && session_client_state(t, c) != 0 &&
		    t->now - c->renewed <= SESSION_COURTESY_MAX)
			continue;	/* courtesy: until a conflict */
		if (c->confirmed)
			t->reaped++;
		session_client_purge(t, c);
		n++;
	}
	return n;
}

void
session_table_mark_records(struct session_table *t)
{
	struct session_client *c;

	TAILQ_FOREACH(c, &t->clients, entry)
		if (c->record != NULL && session_client_state(t, c) != 0)
			c->record->has_state = 1;
}

uint32_t
session_table_client_use(struct session_table *t, uint64_t clientid,
    int renew, struct session_client_use *out)
{
	struct session_client *c;

	memset(out, 0, sizeof(*out));
	if (session_clientid_stale(t, clientid) ||
	    (c = session_client_find(t, clientid)) == NULL || !c->confirmed)
		return SESSIONERR_STALE_CLIENTID;
	if (renew)
		c->renewed = t->now;
	out->lapsed = session_lapsed(t, c);
	out->reclaim_complete = c->reclaim_complete;
	out->record = c->record;
	out->owner = c->owner;
	out->owner_len = c->owner_len;
	out->principal = c->principal;
	out->addr = c->addr;
	return SESSION_OK;
}

struct stated_client *
session_table_record(struct session_table *t, uint64_t clientid)
{
	struct session_client *c;

	if ((c = session_client_find(t, clientid)) == NULL || !c->confirmed)
		return NULL;
	return c->record;
}

int
session_table_foreach_client(struct session_table *t, session_client_cb cb,
    void *arg)
{
	struct session_client *c;
	struct session_client_info i;
	int rv;

	TAILQ_FOREACH(c, &t->clients, entry) {
		memset(&i, 0, sizeof(i));
		i.clientid = c->clientid;
		i.owner = c->owner;
		i.owner_len = c->owner_len;
		i.principal = c->principal;
		i.addr = c->addr;
		i.impl_name = c->impl_name;
		i.confirmed = c->confirmed;
		i.lapsed = session_lapsed(t, c);
		i.reclaim_complete = c->reclaim_complete;
		i.idle = (long long)(t->now - c->renewed);
		i.sessions = c->nsessions;
		if ((rv = cb(arg, &i)) != 0)
			return rv;
	}
	return 0;
}

int
session_table_foreach_session(struct session_table *t, uint64_t clientid,
    session_cb cb, void *arg)
{
	struct session_client *c;
	struct session *s;
	struct session_info i;
	int rv;

	if ((c = session_client_find(t, clientid)) == NULL)
		return 0;
	TAILQ_FOREACH(s, &c->sessions, client_entry) {
		session_info_of(t, s, &i);
		if ((rv = cb(arg, &i)) != 0)
			return rv;
	}
	return 0;
}

/* Frees the memory only: the lock table and the records are not told. */
void
session_table_free(struct session_table *t)
{
	struct session_client *c;
	struct session *s;
	uint32_t i;

	if (t == NULL)
		return;
	while ((c = TAILQ_FIRST(&t->clients)) != NULL) {
		while ((s = TAILQ_FIRST(&c->sessions)) != NULL) {
			TAILQ_REMOVE(&c->sessions, s, client_entry);
			for (i = 0; i < s->nslots; i++)
				free(s->slots[i].reply);
			free(s->cb_sec);
			free(s);
		}
		TAILQ_REMOVE(&t->clients, c, entry);
		free(c->owner);
		free(c->principal);
		free(c->impl_domain);
		free(c->impl_name);
		free(c);
	}
	free(t->hash);
	free(t->ids);
	free(t);
}

const char *
session_status_str(uint32_t st)
{
	switch (st) {
	case SESSION_OK:			return "NFS4_OK";
	case SESSIONERR_PERM:			return "NFS4ERR_PERM";
	case SESSIONERR_NOENT:			return "NFS4ERR_NOENT";
	case SESSIONERR_INVAL:			return "NFS4ERR_INVAL";
	case SESSIONERR_NOSPC:			return "NFS4ERR_NOSPC";
	case SESSIONERR_TOOSMALL:		return "NFS4ERR_TOOSMALL";
	case SESSIONERR_SERVERFAULT:		return "NFS4ERR_SERVERFAULT";
	case SESSIONERR_CLID_INUSE:		return "NFS4ERR_CLID_INUSE";
	case SESSIONERR_RESOURCE:		return "NFS4ERR_RESOURCE";
	case SESSIONERR_STALE_CLIENTID:		return "NFS4ERR_STALE_CLIENTID";
	case SESSIONERR_NOT_SAME:		return "NFS4ERR_NOT_SAME";
	case SESSIONERR_BADSESSION:		return "NFS4ERR_BADSESSION";
	case SESSIONERR_BADSLOT:		return "NFS4ERR_BADSLOT";
	case SESSIONERR_COMPLETE_ALREADY:	return "NFS4ERR_COMPLETE_ALREADY";
	case SESSIONERR_SEQ_MISORDERED:		return "NFS4ERR_SEQ_MISORDERED";
	case SESSIONERR_REP_TOO_BIG_TO_CACHE:
		return "NFS4ERR_REP_TOO_BIG_TO_CACHE";
	case SESSIONERR_CLIENTID_BUSY:		return "NFS4ERR_CLIENTID_BUSY";
	case SESSIONERR_ENCR_ALG_UNSUPP:	return "NFS4ERR_ENCR_ALG_UNSUPP";
	case SESSIONERR_WRONG_CRED:	return "NFS4ERR_WRONG_CRED";
	}
	return "NFS4ERR_?";
}
