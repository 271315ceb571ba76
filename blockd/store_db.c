/*
 * blockd/store_db.c: the Berkeley DB side of the store: transactions, the
 * notifications an operation queues, and group commit (store_sync and
 * what it does before and after the log flush), checkpoints.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockd/store_int.h"

/* Checkpoint from store_sync once this much log was written (KiB). */
#define STORE_CKP_KBYTES	(32u * 1024)

static int	store_checkpoint_due(struct store *);

int
store_checkpoint(struct store *s)
{
	int ret;

	if ((ret = s->env->txn_checkpoint(s->env, 0, 0, DB_FORCE)) != 0)
		return store_dberr(s, "checkpoint", ret);
	return 0;
}

static int
store_sync_shards(struct store *s)
{
	char path[16];
	uint32_t code;
	size_t i;
	int fd, rv = 0;

	for (i = 0; i < s->nshards; i++) {
		code = s->shards[i];
		s->shard_dirty[code >> 3] &= ~(1u << (code & 7));
		if (code == STORE_SHARD_TOP)
			snprintf(path, sizeof(path), ".");
		else if ((code & STORE_SHARD_MID) == STORE_SHARD_MID &&
		    !(code & STORE_SHARD_LEAF))
			snprintf(path, sizeof(path), "%02x", code & 0xff);
		else
			snprintf(path, sizeof(path), "%02x/%02x",
			    code & 0xff, (code >> 8) & 0xff);
		if ((fd = openat(s->datafd, path,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
			rv = -errno;
			store_log(s, "sync %s: %s", path, strerror(errno));
			continue;
		}
		if (fsync(fd) == -1) {
			rv = -errno;
			store_log(s, "fsync %s: %s", path, strerror(errno));
		}
		(void)close(fd);
	}
	s->nshards = 0;
	return rv;
}

static int
store_sync_data(struct store *s)
{
	size_t i;
	int fd, rv = 0;

	for (i = 0; i < s->ndatasyncs; i++) {
		if ((fd = store_backing_open(s, s->datasyncs[i], O_RDONLY)) <
		    0) {
			if (fd != -ENOENT)	/* removed meanwhile: fine */
				rv = fd;
			continue;
		}
		if (fdatasync(fd) == -1) {
			rv = -errno;
			store_log(s, "fdatasync %llx: %s",
			    (unsigned long long)s->datasyncs[i],
			    strerror(errno));
		}
		(void)close(fd);
	}
	s->ndatasyncs = 0;
	return rv;
}

/* Rule 1 at the top of this file: data and directories first, then log. */
int
store_sync_log(struct store *s)
{
	int rv, rv2, ret;

	rv = store_sync_shards(s);
	if ((rv2 = store_sync_data(s)) != 0 && rv == 0)
		rv = rv2;
	if (rv != 0) {
		/*
		 * Flushing the log now could make an inode durable without
		 * its backing file; leave the unlinks for later too.
		 */
		return rv;
	}
	if ((ret = s->env->log_flush(s->env, NULL)) != 0)
		return store_dberr(s, "log_flush", ret);
	s->unsynced = 0;
	s->flushed = 1;
	return 0;
}

/*
 * After store_sync_log: unlink the backing files of inodes whose removal
 * is durable now, and checkpoint when due.  Nothing a reply promises
 * waits for this, so the daemon calls it after sending them.
 */
int
store_sync_after(struct store *s)
{
	if (!s->flushed)
		return 0;
	s->flushed = 0;
	store_sync_unlinks(s);
	return store_checkpoint_due(s);
}

int
store_sync(struct store *s)
{
	int rv;

	if ((rv = store_sync_log(s)) != 0)
		return rv;
	return store_sync_after(s);
}

/*
 * Bound recovery time: checkpoint once STORE_CKP_KBYTES of log were
 * written since the last one.  The count comes from the log region;
 * txn_checkpoint's own test reads the last checkpoint record from the
 * log file, seven system calls on every sync.
 */
static int
store_checkpoint_due(struct store *s)
{
	DB_LOG_STAT *st;
	uint64_t written;
	int ret;

	if ((ret = s->env->log_stat(s->env, &st, 0)) != 0)
		return store_dberr(s, "log_stat", ret);
	written = (uint64_t)st->st_wc_mbytes * 1024 * 1024 + st->st_wc_bytes;
	free(st);
	if (written < (uint64_t)STORE_CKP_KBYTES * 1024)
		return 0;
	return store_checkpoint(s);
}

int
store_needs_sync(const struct store *s)
{
	return s->unsynced || s->nshards > 0 || s->ndatasyncs > 0 ||
	    (s->nunlinks > 0 && !s->flushed);
}

int
store_txn_begin(struct store *s)
{
	int ret;

	if (s->txn != NULL) {
		store_log(s, "nested transaction");
		return -EIO;
	}
	if ((ret = s->env->txn_begin(s->env, NULL, &s->txn, 0)) != 0) {
		s->txn = NULL;
		return store_dberr(s, "txn_begin", ret);
	}
	s->nnotes = 0;
	s->txn_created = 0;
	s->ntxn_unlinks = 0;
	s->txn_lazy = 0;
	s->txn_new_ino = 0;
	return 0;
}

/*
 * The running transaction's loss is repaired at open (rule 2), so the
 * reply to its operation need not wait for a log flush: the next flush
 * of anything else, or the checkpoint, carries it.  With dirsync a new
 * shard directory still makes store_needs_sync() true.
 */
void
store_txn_lazy(struct store *s)
{
	s->txn_lazy = 1;
}

/* Commit (rv == 0) or abort; apply or undo the side effects.  Returns rv. */
int
store_txn_end(struct store *s, int rv)
{
	char path[64];
	size_t i;
	int ret;

	if (rv == 0) {
		/* Durability comes from store_sync's log flush. */
		if ((ret = s->txn->commit(s->txn, DB_TXN_NOSYNC)) != 0)
			rv = store_dberr(s, "commit", ret);
		else if (!s->txn_lazy)
			s->unsynced = 1;
	} else if ((ret = s->txn->abort(s->txn)) != 0)
		store_dberr(s, "abort", ret);
	s->txn = NULL;

	if (rv != 0) {
		if (s->txn_created != 0) {
			store_backing_path(s->txn_created, path, sizeof(path));
			if (unlinkat(s->datafd, path, 0) == -1)
				store_log(s, "unlink %s: %s", path,
				    strerror(errno));
		}
		s->txn_created = 0;
		s->ntxn_unlinks = 0;
		s->nnotes = 0;
		return rv;
	}
	if (s->txn_created != 0) {
		store_shard_mark(s, STORE_SHARD_LEAF |
		    (uint32_t)((s->txn_created >> 8) & 0xffff));
		s->txn_created = 0;
	}
	for (i = 0; i < s->ntxn_unlinks; i++) {
		if (store_grow((void **)&s->unlinks, &s->unlinks_cap,
		    s->nunlinks + 1, sizeof(*s->unlinks)) != 0) {
			/* Leaves an orphan for the next fsck; data is gone. */
			store_log(s, "out of memory queueing an unlink");
			continue;
		}
		s->unlinks[s->nunlinks++] = s->txn_unlinks[i];
	}
	s->ntxn_unlinks = 0;
	if (s->opt.notify != NULL)
		for (i = 0; i < s->nnotes; i++)
			s->opt.notify(s->opt.notify_arg, &s->notes[i]);
	s->nnotes = 0;
	return 0;
}

static struct store_notify *
store_note_new(struct store *s, const struct store_inode *ip,
    unsigned int what)
{
	struct store_notify *n;

	if (s->nnotes == STORE_NOTES_MAX) {
		/* A front end could keep a stale entry: say so loudly. */
		store_log(s, "too many notifications in one operation");
		return NULL;
	}
	n = &s->notes[s->nnotes++];
	n->share = ip->share;
	n->ino = ip->ino;
	n->what = what;
	n->namelen = 0;
	(void)store_fh_encode(s, ip->share, ip->ino, ip->generation, &n->fh);
	return n;
}

/* What changed in an inode's record; one note per inode per operation. */
void
store_note(struct store *s, const struct store_inode *ip, unsigned int what)
{
	size_t i;

	for (i = 0; i < s->nnotes; i++) {
		if (s->notes[i].ino == ip->ino &&
		    !(s->notes[i].what & STORE_NOTIFY_DIRENT)) {
			s->notes[i].what |= what;
			return;
		}
	}
	(void)store_note_new(s, ip, what);
}

/*
 * An entry of directory dp was added or removed (what: ENTRY_ADD or
 * ENTRY_DEL): its own note, with the name; a rename in progress marks it.
 */
void
store_note_entry(struct store *s, const struct store_inode *dp,
    const char *name, size_t len, unsigned int what)
{
	struct store_notify *n;

	if (len > sizeof(n->name) ||
	    (n = store_note_new(s, dp, STORE_NOTIFY_DIRENT | what |
	    s->note_rename)) == NULL)
		return;
	memcpy(n->name, name, len);
	n->namelen = len;
}

void
store_shard_mark(struct store *s, uint32_t code)
{
	if (!s->opt.dirsync)
		return;
	if (s->shard_dirty[code >> 3] & (1u << (code & 7)))
		return;
	if (store_grow((void **)&s->shards, &s->shards_cap, s->nshards + 1,
	    sizeof(*s->shards)) != 0) {
		/* Sync everything we can reach instead: the top at least. */
		store_log(s, "out of memory marking a shard");
		return;
	}
	s->shard_dirty[code >> 3] |= 1u << (code & 7);
	s->shards[s->nshards++] = code;
}

void
store_datasync_add(struct store *s, uint64_t ino)
{
	size_t i;

	for (i = 0; i < s->ndatasyncs; i++)
		if (s->datasyncs[i] == ino)
			return;
	if (store_grow((void **)&s->datasyncs, &s->datasyncs_cap,
	    s->ndatasyncs + 1, sizeof(*s->datasyncs)) != 0) {
		store_log(s, "out of memory queueing a datasync");
		return;
	}
	s->datasyncs[s->ndatasyncs++] = ino;
}
