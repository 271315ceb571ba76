/*
 * smbd's CHANGE_NOTIFY (MS-SMB2 2.2.35, 2.2.36, 3.3.5.19; MS-FSA
 * 2.1.5.10), fed by blockd's notes (common/blockd_msg.x bd_notify),
 * which blockd sends after every committed change whichever protocol
 * made it: NFSv3, NFSv4 and SMB clients' creates, removes and renames
 * all complete a watch.
 *
 *   watch     the first CHANGE_NOTIFY on a directory open makes it
 *             watched (struct smbd_notify, in a table by the
 *             directory's handle); from then on the changes that match
 *             its CompletionFilter are kept for it as FILE_NOTIFY_
 *             INFORMATION entries (MS-FSCC 2.4.42), at most the
 *             first request's OutputBufferLength or [smbd] notify
 *             buffer size bytes, the smaller: beyond that they are
 *             dropped and the next request gets STATUS_NOTIFY_ENUM_DIR,
 *             as it does after blockd left notes out (a resync) or
 *             smbd's channel to blockd came back.
 *   request   kept changes answer a CHANGE_NOTIFY at once; without any
 *             it is answered STATUS_PENDING with an AsyncId (3.3.4.2,
 *             the machinery blocking LOCKs use: smbd_reply_async) and
 *             completed by the next change, by CANCEL (STATUS_CANCELLED)
 *             or when its open goes (STATUS_NOTIFY_CLEANUP: CLOSE, tree
 *             disconnect, LOGOFF), or by the removal of the directory
 *             itself (STATUS_DELETE_PENDING, as every later request).
 *             Kept changes that do not fit a request's
 *             OutputBufferLength answer it STATUS_NOTIFY_ENUM_DIR and
 *             are dropped, as Windows drops its buffer then (smbtorture
 *             smb2.notify.valid-req wants only the changes that follow).
 *             Of two MODIFIED of one entry kept in a row, the second is
 *             not kept.
 *             A lost connection frees them.
 *             Watched directories and waiting requests of a connection
 *             are each at most [smbd] pending notifies per connection.
 *   blockd    sends smbd the notes of the directories it watches
 *             (BD_WATCH, or BD_WATCH_TREE for SMB2_WATCH_TREE; one per
 *             watch, counted there; announced again when the channel
 *             comes back) and, while any is watched,
 *             every record's note; none while none is: an idle smbd
 *             costs the other front ends' changes nothing.  An NFS
 *             change that reaches blockd before the first CHANGE_NOTIFY's
 *             BD_WATCH is not seen; an SMB one cannot, being sent after
 *             it on the same channel.
 *   names     an entry note's name as it is in the store, in UTF-16LE.
 *             A rename is blockd's DEL then ADD, both marked RENAME: in
 *             one directory FILE_ACTION_RENAMED_OLD_NAME and _NEW_NAME,
 *             across two REMOVED in the old and ADDED in the new.  The
 *             old names wait for their new ones (one per watched
 *             directory that saw the rename); those no new name
 *             followed are REMOVED once the notes read with them were
 *             all seen (an event after them).
 *             The note says whether the entry is a directory
 *             (ENTRY_DIR): DIR_NAME reports directories' names,
 *             FILE_NAME every other entry's.
 *   records   a note on a file's own record (attributes, size, times,
 *             owner, ACL) names no directory: it is reported as
 *             FILE_ACTION_MODIFIED in the directory of an SMB open of
 *             that file, where smbd has one; blockd's ENTRY_ATTR note
 *             that follows it names the directory of the file's newest
 *             name (a change by NFS of a file no SMB client has open),
 *             MODIFIED there unless the open's told it already (not
 *             below a tree watch, nor a rename's own move of ctime).
 *   tree      with SMB2_WATCH_TREE, blockd also sends the entry notes of
 *             the directories below (BD_NOTIFY_TREE), with the entry's
 *             path from the watched directory, reported with '\\'
 *             between components (MS-FSCC 2.4.42); a path it could not
 *             give (too long) makes the watch's next answer
 *             ENUM_DIR.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "blockd/store.h"
#include "hash.h"
#include "log.h"
#include "smb2_notify.h"
#include "smbd.h"
#include "status.h"

/* MS-ERREF 2.3.1: the two statuses only CHANGE_NOTIFY answers. */
#define STATUS_NOTIFY_CLEANUP		0x0000010bu
#define STATUS_NOTIFY_ENUM_DIR		0x0000010cu

/* MS-SMB2 2.2.13.1.2: what lets an open list (and so watch) a directory */
#define SMBD_FILE_LIST_DIRECTORY	0x00000001u
#define SMBD_LIST_RIGHTS		(SMBD_FILE_LIST_DIRECTORY | \
	0x80000000u /* GENERIC_READ */ | 0x10000000u /* GENERIC_ALL */ | \
	0x02000000u /* MAXIMUM_ALLOWED */)
/* A record's change: which filter bits may report it. */
#define SMBD_RECORD_FILTER	(FILE_NOTIFY_CHANGE_ATTRIBUTES | \
	FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE | \
	FILE_NOTIFY_CHANGE_LAST_ACCESS | FILE_NOTIFY_CHANGE_CREATION | \
	FILE_NOTIFY_CHANGE_EA)
/* What a note on a file's own record can report. */
#define SMBD_RECORD_WANT	(SMBD_RECORD_FILTER | FILE_NOTIFY_CHANGE_SECURITY)
#define SMBD_NOTIFY_BUCKETS	256
#define SMBD_NOTIFY_NAME_MAX	(2 * BD_NAME_MAX + 4)
/* A tree note's path in UTF-16LE. */
#define SMBD_NOTIFY_PATH_MAX	(2 * BD_PATH_MAX + 4)
/* Old names of one rename waiting for their new ones. */
#define SMBD_NOTIFY_HELD_MAX	8

/*
 * A rename's old name (DEL|RENAME) in one watched directory, or below a
 * tree-watched one (tree), until the new name (ADD|RENAME) comes: in
 * the same directory (dirlen bytes of name before its last '\\' the
 * same) the pair is RENAMED_OLD_NAME and _NEW_NAME, else REMOVED.
 */
struct smbd_notify_held {
	uint8_t				 fh[BD_FH_MAX];
	uint32_t			 fhlen;
	int				 tree;
	uint32_t			 filter;	/* FILE_ or DIR_NAME */
	size_t				 dirlen;
	size_t				 namelen;
	uint8_t				 name[SMBD_NOTIFY_PATH_MAX];
};

/* A CHANGE_NOTIFY answered STATUS_PENDING. */
struct smbd_notify_req {
	struct smbd_async		 a;
	struct smbd_conn		*c;	/* the channel it came on */
	uint32_t			 outmax;	/* OutputBufferLength */
	struct smbd_req			*r;	/* its interim not sent yet */
	TAILQ_ENTRY(smbd_notify_req)	 entry;
};

/* The watch of one directory open. */
struct smbd_notify {
	struct smbd_conn		*c;	/* the open's list's */
	struct smbd_open		*o;
	uint8_t				 fh[BD_FH_MAX];
	uint32_t			 fhlen;
	uint32_t			 filter;
	int				 tree;	/* SMB2_WATCH_TREE asked */
	/* Bytes kept at most: the first request's OutputBufferLength. */
	size_t				 capacity;
	struct smb2_notify_buf		 kept;	/* since the last request */
	int				 overflow;
	int				 deleted;	/* the directory went */
	TAILQ_HEAD(, smbd_notify_req)	 reqs;
	LIST_ENTRY(smbd_notify)		 entry;
};
LIST_HEAD(smbd_notify_bucket, smbd_notify);

/* A final response, sent from the loop (never inside a request). */
struct smbd_notify_final {
	struct smbd_conn	*c;	/* held */
	struct smbd_async	 a;
	uint32_t		 status;
	uint8_t			*body;
	size_t			 len;
	struct event		*ev;
	/* Held until the interim (r's chain) went before it (3.3.4.2). */
	struct smbd_req		*r;
	TAILQ_ENTRY(smbd_notify_final) entry;
};

struct smbd_notify_table {
	struct smbd_notify_bucket	 buckets[SMBD_NOTIFY_BUCKETS];
	size_t				 nwatches;
	size_t				 record_watches;	/* ask records */
	/*
	 * The directory a record's note was told to through an SMB open:
	 * blockd's ENTRY_ATTR note of the same change, next, is not told
	 * there again.
	 */
	uint8_t				 record_dir[BD_FH_MAX];
	uint32_t			 record_dirlen;
	/*
	 * A rename's old names, one per watched directory that saw it (a
	 * tree-watched one too), until their new ones come; what no new
	 * name followed goes as REMOVED once the notes read together were
	 * all seen (ev_held: a rename's notes come together).
	 */
	struct smbd_notify_held		*held;	/* HELD_MAX of them */
	size_t				 nheld;
	int				 held_adding;	/* a new name came */
	struct event			*ev_held;
	uint64_t			 completed, enum_dirs;
	TAILQ_HEAD(, smbd_notify_final)	 finals;
};

void
smbd_notify_init(struct smbd_env *env)
{
	struct smbd_notify_table *t;
	size_t i;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		fatal("notify table");
	if ((t->held = calloc(SMBD_NOTIFY_HELD_MAX, sizeof(*t->held))) ==
	    NULL)
		fatal("notify table");
	for (i = 0; i < SMBD_NOTIFY_BUCKETS; i++)
		LIST_INIT(&t->buckets[i]);
	TAILQ_INIT(&t->finals);
	env->notify = t;
}

static struct smbd_notify_bucket *
smbd_notify_bucket(struct smbd_notify_table *t, const uint8_t *fh,
    uint32_t len)
{
	return &t->buckets[hash_fnv1a32(fh, len) % SMBD_NOTIFY_BUCKETS];
}

static void
smbd_notify_final_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smbd_notify_final *f = arg;

	smbd_reply_async(f->c, &f->a, f->status, f->body, f->len);
	event_free(f->ev);
	smbd_conn_release(f->c);
	free(f->body);
	free(f);
}

/*
 * The request ends with status and body (2.2.36, or the error body of
 * 2.2.2, the same 9 bytes when no change rides), sent from the loop, or
 * now: a CANCEL's answer goes before those of the requests after it.
 */
static void
smbd_notify_end(struct smbd_notify *w, struct smbd_notify_req *q,
    uint32_t status, const uint8_t *data, size_t dlen, int now)
{
	struct smbd_conn *c = q->c;
	struct smbd_notify_final *f = NULL;
	size_t len = SMB2_NOTIFY_RSP_FIXED + (dlen > 0 ? dlen : 1);

	TAILQ_REMOVE(&w->reqs, q, entry);
	c->pending_notifies--;
	/*
	 * MS-SMB2 3.3.4.4: a completion whose channel went goes out on
	 * one left of the open's session (its home).
	 */
	if (c->closing && !w->c->closing)
		c = w->c;
	if (c->closing || (f = calloc(1, sizeof(*f))) == NULL ||
	    (f->body = calloc(1, len)) == NULL ||
	    (f->ev = event_new(c->env->base, -1, 0, smbd_notify_final_cb,
	    f)) == NULL) {
		if (!c->closing)
			log_warnx_rl("%s: CHANGE_NOTIFY: out of memory for "
			    "its response", c->peer);
		if (f != NULL)
			free(f->body);
		free(f);
		free(q);
		return;
	}
	(void)smb2_notify_response(f->body, data, dlen);
	f->c = c;
	smbd_conn_hold(c);
	f->a = q->a;
	f->status = status;
	f->len = len;
	c->env->notify->completed++;
	/*
	 * Its interim rides in a chain still being answered (a compound
	 * whose later request waits for blockd): the final goes after it.
	 */
	if ((f->r = q->r) != NULL)
		TAILQ_INSERT_TAIL(&c->env->notify->finals, f, entry);
	else if (now)
		smbd_notify_final_cb(-1, EV_TIMEOUT, f);
	else
		event_active(f->ev, EV_TIMEOUT, 1);
	free(q);
}

static void
smbd_notify_finish(struct smbd_notify *w, struct smbd_notify_req *q,
    uint32_t status, const uint8_t *data, size_t dlen)
{
	smbd_notify_end(w, q, status, data, dlen, 0);
}

/* A chain that carried interim responses went out: their finals may. */
void
smbd_notify_sent(struct smbd_req *r)
{
	struct smbd_notify_table *t = r->conn->env->notify;
	struct smbd_notify_final *f, *next;
	struct smbd_notify_req *q;
	struct smbd_open *o;
	struct smbd_conn *h;

	for (h = NULL; (h = smbd_conn_homes(r->conn, h)) != NULL; )
		TAILQ_FOREACH(o, &h->opens, entry)
			if (o->notify != NULL)
				TAILQ_FOREACH(q, &o->notify->reqs, entry)
					if (q->r == r)
						q->r = NULL;
	for (f = TAILQ_FIRST(&t->finals); f != NULL; f = next) {
		next = TAILQ_NEXT(f, entry);
		if (f->r != r)
			continue;
		TAILQ_REMOVE(&t->finals, f, entry);
		f->r = NULL;
		event_active(f->ev, EV_TIMEOUT, 1);
	}
}

static void
smbd_notify_clear(struct smbd_notify *w)
{
	smb2_notify_buf_clear(&w->kept);
	w->overflow = 0;
}

/*
 * What the watch kept, for a request that takes outmax bytes: the
 * status, and the entries in *data (*dlen bytes; 0 for ENUM_DIR).  The
 * watch is empty after.
 */
static uint32_t
smbd_notify_take(struct smbd_notify *w, uint32_t outmax, uint8_t **data,
    size_t *dlen)
{
	*data = NULL;
	*dlen = 0;
	if (w->overflow || w->kept.len > outmax) {
		w->c->env->notify->enum_dirs++;
		smbd_notify_clear(w);
		return STATUS_NOTIFY_ENUM_DIR;
	}
	*data = w->kept.data;
	*dlen = w->kept.len;
	memset(&w->kept, 0, sizeof(w->kept));
	return STATUS_SUCCESS;
}

/* A change came: the oldest waiting request takes what is kept. */
static void
smbd_notify_kick(struct smbd_notify *w)
{
	struct smbd_notify_req *q;
	uint8_t *data;
	size_t dlen;
	uint32_t st;

	if ((q = TAILQ_FIRST(&w->reqs)) == NULL ||
	    (!w->overflow && w->kept.len == 0))
		return;
	st = smbd_notify_take(w, q->outmax, &data, &dlen);
	smbd_notify_finish(w, q, st, data, dlen);
	free(data);
}

/* One change kept for the watch; past the buffer's limit, none. */
static void
smbd_notify_add(struct smbd_notify *w, uint32_t action, const uint8_t *name,
    size_t nlen)
{
	if (w->overflow)
		return;
	/*
	 * A MODIFIED of the entry the last kept one modified already says
	 * nothing new: one change of a file (its EAs at CREATE, ARCHIVE
	 * after its first write, SET_INFO, the CLOSE of a write) is often
	 * several notes here.
	 */
	if (action == FILE_ACTION_MODIFIED &&
	    smb2_notify_buf_last_is(&w->kept, action, name, nlen))
		return;
	if (smb2_notify_buf_add(&w->kept, w->capacity, action,
	    name, nlen) == -1) {
		smbd_notify_clear(w);
		w->overflow = 1;
	}
}

/*
 * Changes to the entries of directory fh (tree: of a directory below it,
 * for its watches with SMB2_WATCH_TREE alone): action and name, and a
 * second pair (a rename's new name) when action2 is not 0.
 */
static void
smbd_notify_deliver(struct smbd_env *env, const uint8_t *fh, uint32_t fhlen,
    int tree, uint32_t want, uint32_t action, const uint8_t *name,
    size_t nlen, uint32_t action2, const uint8_t *name2, size_t nlen2)
{
	struct smbd_notify_table *t = env->notify;
	struct smbd_notify *w;

	LIST_FOREACH(w, smbd_notify_bucket(t, fh, fhlen), entry) {
		if (w->fhlen != fhlen || memcmp(w->fh, fh, fhlen) != 0 ||
		    !(w->filter & want) || (tree && !w->tree))
			continue;
		smbd_notify_add(w, action, name, nlen);
		if (action2 != 0)
			smbd_notify_add(w, action2, name2, nlen2);
		smbd_notify_kick(w);
	}
}

/* Held old name i, which no new name in its directory followed. */
static void
smbd_notify_flush_one(struct smbd_env *env, size_t i)
{
	struct smbd_notify_table *t = env->notify;
	struct smbd_notify_held *h = &t->held[i];

	smbd_notify_deliver(env, h->fh, h->fhlen, h->tree, h->filter,
	    FILE_ACTION_REMOVED, h->name, h->namelen, 0, NULL, 0);
	t->nheld--;
	if (i != t->nheld)
		memmove(h, h + 1, (t->nheld - i) * sizeof(*h));
}

/* Every held old name, in order: their renames are over. */
static void
smbd_notify_flush_held(struct smbd_env *env)
{
	struct smbd_notify_table *t = env->notify;

	while (t->nheld > 0)
		smbd_notify_flush_one(env, 0);
	t->held_adding = 0;
}

/* The notes read with a rename's were all seen: the rest goes. */
static void
smbd_notify_held_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	smbd_notify_flush_held(arg);
}

/* The bytes of a UTF-16LE path before its last backslash. */
static size_t
smbd_notify_dirlen(const uint8_t *name, size_t len)
{
	size_t i;

	for (i = len & ~(size_t)1; i >= 2; i -= 2)
		if (name[i - 2] == '\\' && name[i - 1] == 0)
			return i - 2;
	return 0;
}

/*
 * An entry of directory fh added or removed (tree: of a directory below
 * it; name is the path from fh then), name in UTF-16LE: a rename's two
 * halves paired where they can be.
 */
static void
smbd_notify_entry(struct smbd_env *env, const uint8_t *fh, uint32_t fhlen,
    int tree, unsigned int what, const uint8_t *name, size_t nlen)
{
	struct smbd_notify_table *t = env->notify;
	struct smbd_notify_held *h;
	uint32_t filter;
	size_t i, dirlen;
	int add, del, rename;

	add = (what & STORE_NOTIFY_ENTRY_ADD) != 0;
	del = (what & STORE_NOTIFY_ENTRY_DEL) != 0;
	rename = (what & STORE_NOTIFY_RENAME) != 0;
	filter = what & STORE_NOTIFY_ENTRY_DIR ?
	    FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE_FILE_NAME;
	if (add == del || nlen == 0 || nlen > SMBD_NOTIFY_PATH_MAX) {
		smbd_notify_flush_held(env);
		return;
	}
	/* A name of the directory itself may hold a backslash. */
	dirlen = tree ? smbd_notify_dirlen(name, nlen) : 0;
	if (del && rename) {
		/* Its new name comes next: here, or in another directory. */
		if (t->held_adding || t->nheld == SMBD_NOTIFY_HELD_MAX)
			smbd_notify_flush_held(env);
		h = &t->held[t->nheld++];
		memcpy(h->fh, fh, fhlen);
		h->fhlen = fhlen;
		h->tree = tree;
		h->filter = filter;
		h->dirlen = dirlen;
		memcpy(h->name, name, nlen);
		h->namelen = nlen;
		if (t->ev_held == NULL && (t->ev_held = event_new(env->base,
		    -1, 0, smbd_notify_held_cb, env)) == NULL)
			log_warnx("notify: out of memory for an event");
		if (t->ev_held != NULL)
			event_active(t->ev_held, EV_TIMEOUT, 1);
		return;
	}
	if (add && rename) {
		t->held_adding = 1;
		for (i = 0; i < t->nheld; i++) {
			h = &t->held[i];
			/*
			 * A tree note's path has a directory part, a
			 * direct note's name none: they never pair.
			 */
			if (h->fhlen != fhlen || memcmp(h->fh, fh, fhlen) != 0)
				continue;
			if (h->dirlen == dirlen && memcmp(h->name, name,
			    dirlen) == 0) {
				smbd_notify_deliver(env, fh, fhlen, tree,
				    filter, FILE_ACTION_RENAMED_OLD_NAME,
				    h->name, h->namelen,
				    FILE_ACTION_RENAMED_NEW_NAME, name, nlen);
				t->nheld--;
				memmove(h, h + 1, (t->nheld - i) * sizeof(*h));
				return;
			}
			/* From another directory: REMOVED, then ADDED. */
			smbd_notify_flush_one(env, i);
			break;
		}
		smbd_notify_deliver(env, fh, fhlen, tree, filter,
		    FILE_ACTION_ADDED, name, nlen, 0, NULL, 0);
		return;
	}
	smbd_notify_flush_held(env);
	smbd_notify_deliver(env, fh, fhlen, tree, filter, add ?
	    FILE_ACTION_ADDED : FILE_ACTION_REMOVED, name, nlen, 0, NULL, 0);
}

/*
 * The watched directory itself went (removed by any protocol, or by
 * delete on close): what waits, and every later request, ends with
 * STATUS_DELETE_PENDING as Windows answers.
 */
static void
smbd_notify_gone(struct smbd_env *env, const uint8_t *fh, uint32_t fhlen)
{
	struct smbd_notify *w;
	struct smbd_notify_req *q;

	LIST_FOREACH(w, smbd_notify_bucket(env->notify, fh, fhlen), entry) {
		if (w->fhlen != fhlen || memcmp(w->fh, fh, fhlen) != 0)
			continue;
		w->deleted = 1;
		smbd_notify_clear(w);
		while ((q = TAILQ_FIRST(&w->reqs)) != NULL)
			smbd_notify_finish(w, q, STATUS_DELETE_PENDING, NULL, 0);
	}
}

/* The filter bits that may report a change of a record (what). */
static uint32_t
smbd_notify_record_want(unsigned int what)
{
	uint32_t want = 0;

	if (what & STORE_NOTIFY_ATTR)
		want |= SMBD_RECORD_FILTER;
	if (what & STORE_NOTIFY_MODE)
		want |= FILE_NOTIFY_CHANGE_ATTRIBUTES;
	if (what & (STORE_NOTIFY_OWNER | STORE_NOTIFY_ACL))
		want |= FILE_NOTIFY_CHANGE_SECURITY;
	return want;
}

/*
 * A note on a file's own record: FILE_ACTION_MODIFIED in the directory
 * of an SMB open of it, if smbd has one (the note names no directory;
 * blockd's ENTRY_ATTR note that follows names one, smbd_notify_note).
 */
static void
smbd_notify_record(struct smbd_env *env, const bd_notify *n)
{
	uint32_t want = smbd_notify_record_want(n->what);
	struct smbd_conn *c;
	struct smbd_open *o;
	uint8_t name[SMBD_NOTIFY_NAME_MAX];
	ssize_t nlen;

	/*
	 * Every open is looked at: only while a watch asks for records.  A
	 * rename's move of the inode's ctime is told by the names' notes
	 * (smbtorture smb2.notify.rec wants no MODIFIED beside them).
	 */
	if (want == 0 || env->notify->record_watches == 0 ||
	    (n->what & STORE_NOTIFY_RENAME))
		return;
	TAILQ_FOREACH(c, &env->conns, entry)
		TAILQ_FOREACH(o, &c->opens, entry) {
			if (o->fhlen != n->fh.bd_fh_len || o->dir_fhlen == 0 ||
			    memcmp(o->fh, n->fh.bd_fh_val, o->fhlen) != 0)
				continue;
			if ((nlen = smbd_utf8_to_utf16(o->name,
			    strlen(o->name), name, sizeof(name))) <= 0)
				return;
			smbd_notify_deliver(env, o->dir_fh, o->dir_fhlen, 0,
			    want, FILE_ACTION_MODIFIED, name, (size_t)nlen, 0,
			    NULL, 0);
			memcpy(env->notify->record_dir, o->dir_fh,
			    o->dir_fhlen);
			env->notify->record_dirlen = o->dir_fhlen;
			return;
		}
}

/* blockd's note of a committed change (smbd.c's bdc hook). */
void
smbd_notify_note(struct smbd_env *env, const bd_notify *n)
{
	struct smbd_notify_table *t = env->notify;
	const uint8_t *fh = (const uint8_t *)n->fh.bd_fh_val;
	uint32_t fhlen = n->fh.bd_fh_len;
	uint8_t name[SMBD_NOTIFY_NAME_MAX];
	ssize_t nlen;
	int told;

	/* Only the note right after a record's is of the same change. */
	told = t->record_dirlen == fhlen && fhlen > 0 &&
	    memcmp(t->record_dir, fh, fhlen) == 0;
	t->record_dirlen = 0;
	if (t->nwatches == 0 && t->nheld == 0)
		return;
	if (fhlen == 0 || fhlen > BD_FH_MAX)
		return;
	if (!(n->what & STORE_NOTIFY_DIRENT)) {
		if (n->what & STORE_NOTIFY_REMOVED)
			smbd_notify_gone(env, fh, fhlen);
		else
			smbd_notify_record(env, n);
		return;
	}
	if ((nlen = smbd_utf8_to_utf16(n->name.bd_name_val,
	    n->name.bd_name_len, name, sizeof(name))) <= 0) {
		smbd_notify_flush_held(env);
		return;
	}
	/* An entry's record changed: MODIFIED, unless an open told it. */
	if (n->what & STORE_NOTIFY_ENTRY_ATTR) {
		if (!told && smbd_notify_record_want(n->what) != 0)
			smbd_notify_deliver(env, fh, fhlen, 0,
			    smbd_notify_record_want(n->what),
			    FILE_ACTION_MODIFIED, name, (size_t)nlen, 0,
			    NULL, 0);
		return;
	}
	smbd_notify_entry(env, fh, fhlen, 0, n->what, name, (size_t)nlen);
}

/*
 * blockd's note of a change below a directory smbd watches with
 * SMB2_WATCH_TREE (BD_WATCH_TREE): the entry's path from it, '/' between
 * components, reported with '\\' (MS-FSCC 2.4.42).  TREE_LOST: the path
 * could not be had, so the tree's watches answer ENUM_DIR.
 */
void
smbd_notify_tree_note(struct smbd_env *env, const bd_notify_tree *n)
{
	struct smbd_notify_table *t = env->notify;
	const uint8_t *fh = (const uint8_t *)n->fh.bd_fh_val;
	uint32_t fhlen = n->fh.bd_fh_len;
	struct smbd_notify *w;
	uint8_t *name;
	ssize_t nlen;
	size_t i;

	if (t->nwatches == 0 || fhlen == 0 || fhlen > BD_FH_MAX ||
	    !(n->what & STORE_NOTIFY_DIRENT))
		return;
	if ((n->what & BD_NOTIFY_TREE_LOST) || n->path.path_len == 0) {
		smbd_notify_flush_held(env);
		LIST_FOREACH(w, smbd_notify_bucket(t, fh, fhlen), entry) {
			if (w->fhlen != fhlen ||
			    memcmp(w->fh, fh, fhlen) != 0 || !w->tree)
				continue;
			smbd_notify_clear(w);
			w->overflow = 1;
			smbd_notify_kick(w);
		}
		return;
	}
	if ((name = malloc(SMBD_NOTIFY_PATH_MAX)) == NULL) {
		log_warnx_rl("notify: out of memory for a tree note");
		return;
	}
	if ((nlen = smbd_utf8_to_utf16(n->path.path_val, n->path.path_len,
	    name, SMBD_NOTIFY_PATH_MAX)) <= 0) {
		smbd_notify_flush_held(env);
		free(name);
		return;
	}
	for (i = 0; i + 1 < (size_t)nlen; i += 2)
		if (name[i] == '/' && name[i + 1] == 0)
			name[i] = '\\';
	smbd_notify_entry(env, fh, fhlen, 1, n->what, name, (size_t)nlen);
	free(name);
}

/*
 * Notes may have been missed (blockd's resync, its channel lost or back):
 * every watch answers its next request STATUS_NOTIFY_ENUM_DIR.
 */
void
smbd_notify_resync(struct smbd_env *env)
{
	struct smbd_notify_table *t = env->notify;
	struct smbd_notify *w;
	size_t i;

	t->nheld = 0;
	t->held_adding = 0;
	for (i = 0; i < SMBD_NOTIFY_BUCKETS; i++)
		LIST_FOREACH(w, &t->buckets[i], entry) {
			smbd_notify_clear(w);
			w->overflow = 1;
			smbd_notify_kick(w);
		}
}

static void
smbd_notify_watch_done(void *arg, int status, void *reply, int fd)
{
	(void)arg;
	(void)reply;
	(void)fd;
	if (status != 0)
		log_warnx_rl("smbd: BD_WATCH: %s (a watched directory's "
		    "notes may not come)", strerror(-status));
}

/* One watch more (on) or less of w's directory in blockd's count. */
static void
smbd_notify_watch(struct smbd_env *env, const struct smbd_notify *w, int on)
{
	bd_watch_req req;

	/* Gone: blockd forgot; back: smbd_notify_announce says them all. */
	if (!bdc_ready(env->bdc))
		return;
	memset(&req, 0, sizeof(req));
	req.fh.bd_fh_len = w->fhlen;
	req.fh.bd_fh_val = (char *)(uintptr_t)w->fh;
	req.on = on;
	bdc_call(env->bdc, w->tree ? BD_WATCH_TREE : BD_WATCH,
	    (xdrproc_t)xdr_bd_watch_req, &req,
	    (xdrproc_t)xdr_bd_attr_reply, sizeof(bd_attr_reply),
	    smbd_notify_watch_done, NULL);
}

/* The channel to blockd is back: every watch, as blockd knows none. */
void
smbd_notify_announce(struct smbd_env *env)
{
	struct smbd_notify *w;
	size_t i;

	if (env->notify == NULL)
		return;
	for (i = 0; i < SMBD_NOTIFY_BUCKETS; i++)
		LIST_FOREACH(w, &env->notify->buckets[i], entry)
			smbd_notify_watch(env, w, 1);
}

/* MS-SMB2 2.2.35, 3.3.5.19; MS-FSA 2.1.5.10 */
void
smbd_change_notify(struct smbd_req *r)
{
	struct smbd_conn *c = r->conn;
	struct smbd_env *env = c->env;
	struct smbd_session *s;
	struct smbd_open *o;
	struct smbd_notify *w;
	struct smbd_notify_req *q;
	struct smb2_notify_req nq;
	uint32_t st;
	uint8_t *data, *out;
	size_t dlen;

	/* The handle first: a bad one is FILE_CLOSED whatever the rest. */
	if ((o = smbd_file_args(r, 32, 8, &s)) == NULL)
		return;
	if ((st = smb2_notify_decode(r->msg, r->len, env->max_transact,
	    &nq)) != STATUS_SUCCESS || !o->is_dir) {
		smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return;
	}
	if (!(o->desired & SMBD_LIST_RIGHTS)) {
		smbd_reply_error(r, STATUS_ACCESS_DENIED);
		return;
	}
	if ((w = o->notify) == NULL) {
		/* Later requests' filters are ignored, none included. */
		if (nq.filter == 0) {
			smbd_reply_error(r, STATUS_INVALID_PARAMETER);
			return;
		}
		if (o->conn->nwatches >= env->notifies_per_conn) {
			log_warnx_rl("%s: [smbd] pending notifies per "
			    "connection (%zu) reached: directories watched",
			    c->peer, env->notifies_per_conn);
			smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
			return;
		}
		if ((w = calloc(1, sizeof(*w))) == NULL) {
			smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
			return;
		}
		w->c = o->conn;
		w->o = o;
		memcpy(w->fh, o->fh, o->fhlen);
		w->fhlen = o->fhlen;
		TAILQ_INIT(&w->reqs);
		LIST_INSERT_HEAD(smbd_notify_bucket(env->notify, w->fh,
		    w->fhlen), w, entry);
		env->notify->nwatches++;
		o->conn->nwatches++;
		o->notify = w;
		/*
		 * MS-SMB2 3.3.1.x and MS-FSA 2.1.5.11: the first request's
		 * CompletionFilter and WATCH_TREE are the watch's until the
		 * open closes; later requests' are ignored.
		 */
		w->filter = nq.filter;
		if (w->filter & SMBD_RECORD_WANT)
			env->notify->record_watches++;
		w->tree = (nq.flags & SMB2_WATCH_TREE) != 0;
		/*
		 * Its OutputBufferLength sizes what is kept (within [smbd]
		 * notify buffer size), as Windows sizes a watch's buffer:
		 * smbtorture smb2.notify.valid-req's first request of 1
		 * byte has every later one answered ENUM_DIR.
		 */
		w->capacity = nq.outmax < env->notify_buffer ? nq.outmax :
		    env->notify_buffer;
		smbd_notify_watch(env, w, 1);
	}
	if (w->deleted) {
		smbd_reply_error(r, STATUS_DELETE_PENDING);
		return;
	}
	if (TAILQ_EMPTY(&w->reqs) && (w->overflow || w->kept.len > 0)) {
		/* Changes kept since the last request: at once. */
		st = smbd_notify_take(w, nq.outmax, &data, &dlen);
		env->notify->completed++;
		if (st != STATUS_SUCCESS) {
			smbd_reply_error(r, st);
			return;
		}
		if ((out = smbd_reply_room(r, SMB2_NOTIFY_RSP_FIXED + dlen +
		    1)) == NULL) {
			free(data);
			smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
			return;
		}
		dlen = smb2_notify_response(out, data, dlen);
		free(data);
		smbd_reply_in(r, STATUS_SUCCESS, dlen);
		return;
	}
	/*
	 * MS-SMB2 3.3.5.2.7: a request that would wait and is not the last
	 * of its chain fails, INTERNAL_ERROR as Windows fails it, and the
	 * chain goes on.
	 */
	if (r->hdr.next_command != 0) {
		smbd_reply_error(r, STATUS_INTERNAL_ERROR);
		return;
	}
	if (c->pending_notifies >= env->notifies_per_conn) {
		log_warnx_rl("%s: [smbd] pending notifies per connection "
		    "(%zu) reached", c->peer, env->notifies_per_conn);
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	q->outmax = nq.outmax;
	q->r = r;
	q->c = c;
	r->notify_interim = 1;
	TAILQ_INSERT_TAIL(&w->reqs, q, entry);
	c->pending_notifies++;
	/* MS-SMB2 3.3.4.2: the interim response, in a compound too. */
	smbd_async_start(r, &q->a);
	smbd_reply_error(r, STATUS_PENDING);
}

/* MS-SMB2 3.3.5.16: CANCEL of a waiting CHANGE_NOTIFY. */
int
smbd_notify_cancel(struct smbd_req *r)
{
	int async = (r->hdr.flags & SMB2_FLAGS_ASYNC_COMMAND) != 0;
	struct smbd_notify_req *q;
	struct smbd_open *o;
	struct smbd_conn *h;

	if (r->conn->pending_notifies == 0)
		return 0;
	for (h = NULL; (h = smbd_conn_homes(r->conn, h)) != NULL; )
		TAILQ_FOREACH(o, &h->opens, entry) {
			if (o->notify == NULL)
				continue;
			TAILQ_FOREACH(q, &o->notify->reqs, entry)
				if (q->c == r->conn && (async ?
				    q->a.async_id == r->hdr.async_id :
				    q->a.message_id == r->hdr.message_id)) {
					smbd_notify_end(o->notify, q,
					    STATUS_CANCELLED, NULL, 0, 1);
					return 1;
				}
		}
	return 0;
}

/*
 * The open goes (CLOSE, tree disconnect, LOGOFF, the connection): its
 * waiting requests end with STATUS_NOTIFY_CLEANUP while the connection
 * is there to take them (MS-SMB2 3.3.5.10), and the watch with them.
 */
void
smbd_notify_open_gone(struct smbd_conn *c, struct smbd_open *o)
{
	struct smbd_notify *w = o->notify;
	struct smbd_notify_req *q;

	if (w == NULL)
		return;
	while ((q = TAILQ_FIRST(&w->reqs)) != NULL)
		smbd_notify_finish(w, q, STATUS_NOTIFY_CLEANUP, NULL, 0);
	LIST_REMOVE(w, entry);
	smbd_notify_watch(c->env, w, 0);
	if (w->filter & SMBD_RECORD_WANT)
		c->env->notify->record_watches--;
	c->env->notify->nwatches--;
	w->c->nwatches--;
	smb2_notify_buf_clear(&w->kept);
	free(w);
	o->notify = NULL;
}

/*
 * The requests waiting on the watch of o that came on channel `from'
 * are answered on `to' (MS-SMB2 3.3.4.4: a live channel of the
 * session) once a change comes.
 */
static void
smbd_notify_reqs_move(struct smbd_open *o, struct smbd_conn *from,
    struct smbd_conn *to)
{
	struct smbd_notify_req *q;

	TAILQ_FOREACH(q, &o->notify->reqs, entry)
		if (q->c == from) {
			q->c = to;
			from->pending_notifies--;
			to->pending_notifies++;
		}
}

void
smbd_notify_open_moved(struct smbd_open *o, struct smbd_conn *from,
    struct smbd_conn *to)
{
	if (o->notify == NULL)
		return;
	smbd_notify_reqs_move(o, from, to);
	if (o->notify->c != from)
		return;
	o->notify->c = to;
	from->nwatches--;
	to->nwatches++;
}

void
smbd_notify_channel_gone(struct smbd_conn *c)
{
	struct smbd_conn *h;
	struct smbd_open *o;

	for (h = c; (h = smbd_conn_homes(c, h)) != NULL; )
		TAILQ_FOREACH(o, &h->opens, entry)
			if (o->notify != NULL && c->pending_notifies > 0)
				smbd_notify_reqs_move(o, c, h);
}

void
smbd_notify_status(const struct smbd_env *env, char *buf, size_t len)
{
	const struct smbd_notify_table *t = env->notify;

	snprintf(buf, len, "change notify: %zu watched, %llu completed, "
	    "%llu ENUM_DIR", t != NULL ? t->nwatches : 0,
	    (unsigned long long)(t != NULL ? t->completed : 0),
	    (unsigned long long)(t != NULL ? t->enum_dirs : 0));
}
