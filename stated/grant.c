/*
 * stated's caching grants (the model is in grant.h).  Every grant is on
 * one list in id order and in three hash chains: by file (conflicts),
 * by stateid (returns, I/O checks) and by holder (limits, purges).  The
 * three bucket arrays share one size and grow together at load 1.
 */
#include <sys/queue.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grant.h"

#define GRANT_HASH_INITIAL	64

struct grant_node {
	struct grant			 g;	/* first: one pointer */
	TAILQ_ENTRY(grant_node)		 entry;
	LIST_ENTRY(grant_node)		 by_file;
	LIST_ENTRY(grant_node)		 by_sid;
	LIST_ENTRY(grant_node)		 by_holder;
};

LIST_HEAD(grant_chain, grant_node);

struct grant_table {
	TAILQ_HEAD(, grant_node)	 all;
	struct grant_chain		*files;
	struct grant_chain		*sids;
	struct grant_chain		*holders;
	size_t				 size;	/* a power of two */
	size_t				 count;
	uint64_t			 next_id;
	time_t				 now;
	grant_event_cb			 cb;
	void				*cb_arg;
	struct grant_stats		 stats;
};

static uint64_t
grant_hash_bytes(uint64_t h, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

static size_t
grant_file_bucket(const struct grant_table *t, const struct lock_file_id *f)
{
	return (size_t)grant_hash_bytes(0xcbf29ce484222325ULL, f->data,
	    f->len) & (t->size - 1);
}

static size_t
grant_sid_bucket(const struct grant_table *t, const uint8_t *sid, size_t len)
{
	return (size_t)grant_hash_bytes(0x84222325cbf29ce4ULL, sid, len) &
	    (t->size - 1);
}

static size_t
grant_holder_bucket(const struct grant_table *t, int protocol,
    uint64_t client_id)
{
	uint8_t b[12];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(client_id >> (8 * i));
	for (i = 0; i < 4; i++)
		b[8 + i] = (uint8_t)((uint32_t)protocol >> (8 * i));
	return (size_t)grant_hash_bytes(0xcbf29ce484222325ULL, b, sizeof(b)) &
	    (t->size - 1);
}

static void
grant_link(struct grant_table *t, struct grant_node *n)
{
	LIST_INSERT_HEAD(&t->files[grant_file_bucket(t, &n->g.file)], n,
	    by_file);
	LIST_INSERT_HEAD(&t->sids[grant_sid_bucket(t, n->g.stateid,
	    n->g.stateid_len)], n, by_sid);
	LIST_INSERT_HEAD(&t->holders[grant_holder_bucket(t,
	    n->g.holder.protocol, n->g.holder.client_id)], n, by_holder);
}

static int
grant_buckets(struct grant_table *t, size_t size)
{
	struct grant_chain *f, *s, *h;
	struct grant_node *n;
	size_t i;

	f = calloc(size, sizeof(*f));
	s = calloc(size, sizeof(*s));
	h = calloc(size, sizeof(*h));
	if (f == NULL || s == NULL || h == NULL) {
		free(f);
		free(s);
		free(h);
		return -1;
	}
	for (i = 0; i < size; i++) {
		LIST_INIT(&f[i]);
		LIST_INIT(&s[i]);
		LIST_INIT(&h[i]);
	}
	free(t->files);
	free(t->sids);
	free(t->holders);
	t->files = f;
	t->sids = s;
	t->holders = h;
	t->size = size;
	TAILQ_FOREACH(n, &t->all, entry)
		grant_link(t, n);
	return 0;
}

struct grant_table *
grant_table_new(grant_event_cb cb, void *arg)
{
	struct grant_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	TAILQ_INIT(&t->all);
	if (grant_buckets(t, GRANT_HASH_INITIAL) == -1) {
		free(t);
		return NULL;
	}
	t->cb = cb;
	t->cb_arg = arg;
	return t;
}

static void
grant_node_free(struct grant_table *t, struct grant_node *n)
{
	switch (n->g.state) {
	case GRANT_GRANTED:
		t->stats.granted--;
		break;
	case GRANT_RECALLING:
		t->stats.recalling--;
		break;
	case GRANT_REVOKED:
		t->stats.revoked--;
		break;
	}
	TAILQ_REMOVE(&t->all, n, entry);
	LIST_REMOVE(n, by_file);
	LIST_REMOVE(n, by_sid);
	LIST_REMOVE(n, by_holder);
	t->count--;
	free(n);
}

void
grant_table_free(struct grant_table *t)
{
	if (t == NULL)
		return;
	while (!TAILQ_EMPTY(&t->all))
		grant_node_free(t, TAILQ_FIRST(&t->all));
	free(t->files);
	free(t->sids);
	free(t->holders);
	free(t);
}

void
grant_table_set_now(struct grant_table *t, time_t now)
{
	t->now = now;
}

static int
grant_same_file(const struct grant *g, const struct lock_file_id *f)
{
	return g->file.len == f->len && memcmp(g->file.data, f->data,
	    f->len) == 0;
}

static int
grant_held_by(const struct grant *g, int protocol, uint64_t client_id)
{
	return g->holder.protocol == protocol &&
	    g->holder.client_id == client_id;
}

const struct grant *
grant_of(struct grant_table *t, const struct lock_file_id *f, int protocol,
    uint64_t client_id)
{
	struct grant_node *n;

	if (f->len == 0 || f->len > LOCK_FILE_ID_MAX)
		return NULL;
	LIST_FOREACH(n, &t->files[grant_file_bucket(t, f)], by_file)
		if (n->g.state != GRANT_REVOKED && grant_same_file(&n->g, f) &&
		    grant_held_by(&n->g, protocol, client_id))
			return &n->g;
	return NULL;
}

const struct grant *
grant_add(struct grant_table *t, const struct lock_file_id *f,
    const struct grant_holder *h, enum grant_level level,
    const uint8_t *stateid, size_t stateid_len, const uint8_t *handle,
    size_t handle_len)
{
	const struct grant *old;
	struct grant_node *n;

	if (f == NULL || f->len == 0 || f->len > LOCK_FILE_ID_MAX ||
	    h == NULL || (level != GRANT_READ && level != GRANT_WRITE &&
	    level != GRANT_DIR) || stateid == NULL || stateid_len == 0 ||
	    stateid_len > GRANT_STATEID_MAX || handle_len > GRANT_HANDLE_MAX ||
	    (handle_len > 0 && handle == NULL) ||
	    memchr(h->fe_name, '\0', sizeof(h->fe_name)) == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((old = grant_of(t, f, h->protocol, h->client_id)) != NULL ||
	    grant_find(t, stateid, stateid_len) != NULL) {
		errno = EEXIST;
		return NULL;
	}
	if (t->count >= t->size && t->size <= SIZE_MAX / 4 /
	    sizeof(struct grant_chain))
		(void)grant_buckets(t, t->size * 2);	/* else: longer */
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	n->g.id = ++t->next_id;
	n->g.file = *f;
	n->g.holder = *h;
	n->g.level = level;
	n->g.state = GRANT_GRANTED;
	memcpy(n->g.stateid, stateid, stateid_len);
	n->g.stateid_len = stateid_len;
	if (handle_len > 0)
		memcpy(n->g.handle, handle, handle_len);
	n->g.handle_len = handle_len;
	n->g.granted_at = t->now;
	TAILQ_INSERT_TAIL(&t->all, n, entry);
	grant_link(t, n);
	t->count++;
	t->stats.granted++;
	return &n->g;
}

static struct grant_node *
grant_find_node(struct grant_table *t, const uint8_t *sid, size_t len)
{
	struct grant_node *n;

	if (sid == NULL || len == 0 || len > GRANT_STATEID_MAX)
		return NULL;
	LIST_FOREACH(n, &t->sids[grant_sid_bucket(t, sid, len)], by_sid)
		if (n->g.stateid_len == len && memcmp(n->g.stateid, sid,
		    len) == 0)
			return n;
	return NULL;
}

const struct grant *
grant_find(struct grant_table *t, const uint8_t *sid, size_t len)
{
	struct grant_node *n = grant_find_node(t, sid, len);

	return n != NULL ? &n->g : NULL;
}

int
grant_return(struct grant_table *t, const uint8_t *sid, size_t len,
    int protocol, uint64_t client_id)
{
	struct grant_node *n = grant_find_node(t, sid, len);

	if (n == NULL || !grant_held_by(&n->g, protocol, client_id))
		return -1;
	grant_node_free(t, n);
	t->stats.returns++;
	return 0;
}

static void	grant_set_state(struct grant_table *, struct grant_node *,
		    enum grant_state);

int
grant_lower(struct grant_table *t, const uint8_t *sid, size_t len,
    int protocol, uint64_t client_id, enum grant_level level)
{
	struct grant_node *n = grant_find_node(t, sid, len);

	if (n == NULL || !grant_held_by(&n->g, protocol, client_id) ||
	    n->g.state == GRANT_REVOKED || (level != GRANT_READ &&
	    level != GRANT_WRITE) || level > n->g.level)
		return -1;
	n->g.level = level;
	if (n->g.state == GRANT_RECALLING)
		grant_set_state(t, n, GRANT_GRANTED);
	return 0;
}

static void
grant_set_state(struct grant_table *t, struct grant_node *n,
    enum grant_state to)
{
	if (n->g.state == GRANT_GRANTED)
		t->stats.granted--;
	else if (n->g.state == GRANT_RECALLING)
		t->stats.recalling--;
	n->g.state = to;
	if (to == GRANT_GRANTED)
		t->stats.granted++;
	else if (to == GRANT_RECALLING) {
		t->stats.recalling++;
		t->stats.recalls++;
		n->g.recalled_at = t->now;
	} else if (to == GRANT_REVOKED) {
		t->stats.revoked++;
		t->stats.revokes++;
		n->g.revoked_at = t->now;
	}
}

/*
 * A GRANTED grant goes RECALLING (the callback runs, once).  An SMB
 * holder recalled by a reader, and so told it may keep reading (level
 * II, R, RH), hears once more when a writer comes before it answered:
 * what its break is to end at is lower now (MS-FSA 2.1.4.12).
 */
static void
grant_recall_node(struct grant_table *t, struct grant_node *n, int write)
{
	if (n->g.state == GRANT_RECALLING && write && !n->g.recall_write &&
	    n->g.holder.protocol == LOCK_PROTOCOL_SMB) {
		n->g.recall_write = 1;
		if (t->cb != NULL)
			t->cb(t->cb_arg, &n->g, GRANT_EVENT_RECALL);
		return;
	}
	if (n->g.state != GRANT_GRANTED)
		return;
	n->g.recall_write = write != 0;
	grant_set_state(t, n, GRANT_RECALLING);
	if (t->cb != NULL)
		t->cb(t->cb_arg, &n->g, GRANT_EVENT_RECALL);
}

static size_t
grant_conflict_of(struct grant_table *t, const struct lock_file_id *f,
    int protocol, uint64_t client_id, int write, int same_protocol)
{
	struct grant_node *n, *next;
	size_t outstanding = 0;

	if (f == NULL || f->len == 0 || f->len > LOCK_FILE_ID_MAX)
		return 0;
	for (n = LIST_FIRST(&t->files[grant_file_bucket(t, f)]); n != NULL;
	    n = next) {
		next = LIST_NEXT(n, by_file);
		if (n->g.state == GRANT_REVOKED || !grant_same_file(&n->g, f) ||
		    (protocol != 0 && grant_held_by(&n->g, protocol,
		    client_id)) || (!write && n->g.level != GRANT_WRITE) ||
		    n->g.level == GRANT_DIR ||
		    (!same_protocol && n->g.holder.protocol == protocol))
			continue;
		outstanding++;
		grant_recall_node(t, n, write);
	}
	return outstanding;
}

size_t
grant_conflict(struct grant_table *t, const struct lock_file_id *f,
    int protocol, uint64_t client_id, int write)
{
	return grant_conflict_of(t, f, protocol, client_id, write, 1);
}

size_t
grant_conflict_foreign(struct grant_table *t, const struct lock_file_id *f,
    int protocol, uint64_t client_id, int write)
{
	return grant_conflict_of(t, f, protocol, client_id, write, 0);
}

int
grant_recall(struct grant_table *t, const uint8_t *sid, size_t len)
{
	struct grant_node *n = grant_find_node(t, sid, len);

	if (n == NULL || n->g.state == GRANT_REVOKED)
		return -1;
	grant_recall_node(t, n, 1);
	return 0;
}

int
grant_set_notify(struct grant_table *t, const uint8_t *sid, size_t len,
    uint32_t notify)
{
	struct grant_node *n = grant_find_node(t, sid, len);

	if (n == NULL || n->g.state == GRANT_REVOKED)
		return -1;
	n->g.notify = notify;
	return 0;
}

/*
 * MS-FSA 2.1.5.1.2: what an SMB open breaks.  Of SMB leases and
 * oplocks, those that hold W (an open leaves a lease R or RH, an
 * exclusive or batch oplock level II, whether it writes or not: the
 * WRITE itself breaks R, MS-FSA 2.1.5.3), all of them when it changes
 * the data; of NFSv4 delegations, what a request writing (or changing
 * the data) or not conflicts with, as grant_conflict.
 */
size_t
grant_conflict_smb(struct grant_table *t, const struct lock_file_id *f,
    uint64_t client_id, int write, int data, int attr)
{
	struct grant_node *n, *next;
	size_t outstanding = 0;
	int smb, w;

	if (f == NULL || f->len == 0 || f->len > LOCK_FILE_ID_MAX)
		return 0;
	for (n = LIST_FIRST(&t->files[grant_file_bucket(t, f)]); n != NULL;
	    n = next) {
		next = LIST_NEXT(n, by_file);
		if (n->g.state == GRANT_REVOKED || !grant_same_file(&n->g, f) ||
		    grant_held_by(&n->g, LOCK_PROTOCOL_SMB, client_id) ||
		    n->g.level == GRANT_DIR)
			continue;
		smb = n->g.holder.protocol == LOCK_PROTOCOL_SMB;
		/*
		 * Attributes alone: others' write delegations, as a reader;
		 * with READ_CONTROL, the oplocks too (MS-FSA counts that a
		 * stat open to a lease only, as Windows does).
		 */
		if (attr == GRANT_SMB_ATTR_ALL || (attr ==
		    GRANT_SMB_ATTR_LEASES && (!smb || n->g.smb_lease))) {
			if (smb || n->g.level != GRANT_WRITE)
				continue;
			w = 0;
		} else
			w = smb ? data : write || data;
		if (!w && n->g.level != GRANT_WRITE)
			continue;
		outstanding++;
		grant_recall_node(t, n, w);
	}
	return outstanding;
}

int
grant_set_smb_lease(struct grant_table *t, const uint8_t *sid, size_t len)
{
	struct grant_node *n = grant_find_node(t, sid, len);

	if (n == NULL)
		return -1;
	n->g.smb_lease = 1;
	return 0;
}

/*
 * A lease upgraded by another of its opens (MS-SMB2 3.3.5.9.8): its
 * GRANTED grant at a higher level.  0, or -1.
 */
int
grant_raise(struct grant_table *t, const uint8_t *sid, size_t len,
    int protocol, uint64_t client_id, enum grant_level level)
{
	struct grant_node *n = grant_find_node(t, sid, len);

	if (n == NULL || !grant_held_by(&n->g, protocol, client_id) ||
	    n->g.state != GRANT_GRANTED || (level != GRANT_READ &&
	    level != GRANT_WRITE) || level < n->g.level)
		return -1;
	n->g.level = level;
	return 0;
}

/* Grants on the file that are not revoked, or (recalling) being recalled. */
static size_t
grant_file_in_state(struct grant_table *t, const struct lock_file_id *f,
    int recalling)
{
	struct grant_node *n;
	size_t k = 0;

	if (f == NULL || f->len == 0 || f->len > LOCK_FILE_ID_MAX)
		return 0;
	LIST_FOREACH(n, &t->files[grant_file_bucket(t, f)], by_file)
		k += (recalling ? n->g.state == GRANT_RECALLING :
		    n->g.state != GRANT_REVOKED) && grant_same_file(&n->g, f);
	return k;
}

size_t
grant_file_count(struct grant_table *t, const struct lock_file_id *f)
{
	return grant_file_in_state(t, f, 0);
}

size_t
grant_file_recalling(struct grant_table *t, const struct lock_file_id *f)
{
	return grant_file_in_state(t, f, 1);
}

size_t
grant_file_others(struct grant_table *t, const struct lock_file_id *f,
    int protocol, uint64_t client_id)
{
	struct grant_node *n;
	size_t k = 0;

	if (f == NULL || f->len == 0 || f->len > LOCK_FILE_ID_MAX)
		return 0;
	LIST_FOREACH(n, &t->files[grant_file_bucket(t, f)], by_file)
		k += n->g.state != GRANT_REVOKED && grant_same_file(&n->g, f) &&
		    !grant_held_by(&n->g, protocol, client_id);
	return k;
}

int
grant_file_level(struct grant_table *t, const struct lock_file_id *f,
    struct grant_holder *h)
{
	struct grant_node *n;
	int level = 0;

	if (f == NULL || f->len == 0 || f->len > LOCK_FILE_ID_MAX)
		return 0;
	LIST_FOREACH(n, &t->files[grant_file_bucket(t, f)], by_file) {
		if (n->g.state == GRANT_REVOKED || !grant_same_file(&n->g, f))
			continue;
		if (n->g.level == GRANT_WRITE) {
			if (h != NULL)
				*h = n->g.holder;
			return GRANT_WRITE;
		}
		level = GRANT_READ;
	}
	return level;
}

size_t
grant_holder_count(struct grant_table *t, int protocol, uint64_t client_id)
{
	struct grant_node *n;
	size_t k = 0;

	LIST_FOREACH(n, &t->holders[grant_holder_bucket(t, protocol,
	    client_id)], by_holder)
		k += n->g.state != GRANT_REVOKED &&
		    grant_held_by(&n->g, protocol, client_id);
	return k;
}

size_t
grant_expire(struct grant_table *t, time_t lease)
{
	struct grant_node *n, *next;
	size_t k = 0;

	for (n = TAILQ_FIRST(&t->all); n != NULL; n = next) {
		next = TAILQ_NEXT(n, entry);
		if (n->g.state == GRANT_RECALLING &&
		    t->now - n->g.recalled_at >= lease) {
			grant_set_state(t, n, GRANT_REVOKED);
			if (t->cb != NULL)
				t->cb(t->cb_arg, &n->g, GRANT_EVENT_REVOKE);
			k++;
		} else if (n->g.state == GRANT_REVOKED &&
		    t->now - n->g.revoked_at >= lease)
			grant_node_free(t, n);
	}
	return k;
}

size_t
grant_release_holder(struct grant_table *t, int protocol, uint64_t client_id)
{
	struct grant_node *n, *next;
	struct grant_chain *c = &t->holders[grant_holder_bucket(t, protocol,
	    client_id)];
	size_t k = 0;

	for (n = LIST_FIRST(c); n != NULL; n = next) {
		next = LIST_NEXT(n, by_holder);
		if (grant_held_by(&n->g, protocol, client_id)) {
			grant_node_free(t, n);
			k++;
		}
	}
	return k;
}

int
grant_foreach(struct grant_table *t, grant_foreach_cb cb, void *arg)
{
	struct grant_node *n, *next;
	int rv;

	for (n = TAILQ_FIRST(&t->all); n != NULL; n = next) {
		next = TAILQ_NEXT(n, entry);
		if ((rv = cb(arg, &n->g)) != 0)
			return rv;
	}
	return 0;
}

int
grant_foreach_on_file(struct grant_table *t, const struct lock_file_id *f,
    grant_foreach_cb cb, void *arg)
{
	struct grant_node *n;
	int rv;

	if (f == NULL || f->len == 0 || f->len > LOCK_FILE_ID_MAX)
		return 0;
	LIST_FOREACH(n, &t->files[grant_file_bucket(t, f)], by_file)
		if (grant_same_file(&n->g, f) && (rv = cb(arg, &n->g)) != 0)
			return rv;
	return 0;
}

int
grant_foreach_file(struct grant_table *t,
    int (*cb)(void *, const struct lock_file_id *), void *arg)
{
	struct grant_node *n, *m;
	size_t i;
	int rv, seen;

	/* Once per file: its first live grant in its chain. */
	for (i = 0; i < t->size; i++) {
		LIST_FOREACH(n, &t->files[i], by_file) {
			if (n->g.state == GRANT_REVOKED)
				continue;
			seen = 0;
			LIST_FOREACH(m, &t->files[i], by_file) {
				if (m == n)
					break;
				if (m->g.state != GRANT_REVOKED &&
				    grant_same_file(&m->g, &n->g.file)) {
					seen = 1;
					break;
				}
			}
			if (!seen && (rv = cb(arg, &n->g.file)) != 0)
				return rv;
		}
	}
	return 0;
}

/* What the opens and locks of others on a file allow an SMB holder. */
struct grant_smb_scan {
	uint64_t		 client_id;
	const struct grant_smb_own *own;	/* a lease's opens */
	size_t			 nown;
	int			 any;		/* another owner's open or lock */
	int			 writers;	/* one that writes, denies or
						   excludes */
};

static int
grant_smb_other(const struct grant_smb_scan *d, const struct lock_owner *o)
{
	size_t i;

	if (o->protocol != LOCK_PROTOCOL_SMB)
		return 1;
	if (o->client_id == d->client_id)
		return 0;
	for (i = 0; i < d->nown; i++)
		if (o->client_id == d->own[i].client_id &&
		    o->bytes_len == d->own[i].len && (o->bytes_len == 0 ||
		    memcmp(o->bytes, d->own[i].bytes, o->bytes_len) == 0))
			return 0;
	return 1;
}

static int
grant_smb_share_cb(void *arg, const struct lock_share_info *i)
{
	struct grant_smb_scan *d = arg;

	if (!grant_smb_other(d, &i->owner))
		return 0;
	d->any = 1;
	/*
	 * Another SMB open's writes break R at the WRITE (smbd), so it
	 * leaves level II; an NFS open's are not seen that way.
	 */
	if (((i->access & LOCK_SHARE_WRITE) && i->owner.protocol !=
	    LOCK_PROTOCOL_SMB) || (i->deny & LOCK_SHARE_READ))
		d->writers = 1;
	return 0;
}

static int
grant_smb_lock_cb(void *arg, const struct lock_info *i)
{
	struct grant_smb_scan *d = arg;

	if (i->waiting || !grant_smb_other(d, &i->owner))
		return 0;
	d->any = 1;
	if (i->type == LOCK_EXCLUSIVE)
		d->writers = 1;
	return 0;
}

static int	grant_smb_scan_level(struct grant_table *, struct lock_table *,
		    const struct lock_file_id *, uint64_t, enum grant_level,
		    const struct grant_smb_own *, size_t, int);

int
grant_smb_level(struct grant_table *t, struct lock_table *locks,
    const struct lock_file_id *f, uint64_t client_id,
    enum grant_level wanted)
{
	return grant_smb_scan_level(t, locks, f, client_id, wanted, NULL, 0,
	    0);
}

int
grant_smb_lease_level(struct grant_table *t, struct lock_table *locks,
    const struct lock_file_id *f, uint64_t client_id,
    enum grant_level wanted, const struct grant_smb_own *own, size_t nown)
{
	return grant_smb_scan_level(t, locks, f, client_id, wanted, own, nown,
	    1);
}

int
grant_smb_oplock_level(struct grant_table *t, struct lock_table *locks,
    const struct lock_file_id *f, uint64_t client_id,
    enum grant_level wanted, const struct grant_smb_own *own)
{
	return grant_smb_scan_level(t, locks, f, client_id, wanted, own, 1,
	    0);
}

static int
grant_smb_scan_level(struct grant_table *t, struct lock_table *locks,
    const struct lock_file_id *f, uint64_t client_id,
    enum grant_level wanted, const struct grant_smb_own *own, size_t nown,
    int lease)
{
	struct grant_holder h;
	struct grant_smb_scan d;
	int other;

	if (f == NULL || f->len == 0 || f->len > LOCK_FILE_ID_MAX ||
	    (wanted != GRANT_READ && wanted != GRANT_WRITE) ||
	    grant_file_recalling(t, f) > 0)
		return 0;
	memset(&d, 0, sizeof(d));
	d.client_id = client_id;
	d.own = own;
	d.nown = nown;
	if (locks != NULL) {
		lock_table_foreach_share(locks, f, grant_smb_share_cb, &d);
		lock_table_foreach_lock(locks, f, grant_smb_lock_cb, &d);
	}
	memset(&h, 0, sizeof(h));
	other = grant_file_level(t, f, &h);
	/* The holder's own write grant is no one else's. */
	if (other == GRANT_WRITE && h.protocol == LOCK_PROTOCOL_SMB &&
	    h.client_id == client_id)
		other = grant_file_others(t, f, LOCK_PROTOCOL_SMB,
		    client_id) > 0 ? GRANT_READ : 0;
	if (wanted == GRANT_WRITE && !d.any && grant_file_others(t, f,
	    LOCK_PROTOCOL_SMB, client_id) == 0)
		return GRANT_WRITE;
	/*
	 * A lease's R stands next to writers, an oplock's level II next
	 * to SMB writers: smbd breaks it at an SMB WRITE, nfsd asks for
	 * the break at an NFS one (MS-FSA 2.1.5.3).
	 */
	if ((d.writers && !lease) || other == GRANT_WRITE)
		return 0;
	return GRANT_READ;
}

void
grant_stats(const struct grant_table *t, struct grant_stats *out)
{
	*out = t->stats;
}

const char *
grant_state_str(enum grant_state s)
{
	switch (s) {
	case GRANT_GRANTED:	return "granted";
	case GRANT_RECALLING:	return "recalling";
	case GRANT_REVOKED:	return "revoked";
	}
	return "?";
}
