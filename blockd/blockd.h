/*
 * dittofs-blockd: owner of the file system (DESIGN.md section 4):
 * namespace metadata in Berkeley DB and file data in the block store
 * (store.h).  Front ends reach it over blockd.sock with the messages of
 * common/blockd_msg.x.
 */
#ifndef DITTOFS_BLOCKD_H
#define DITTOFS_BLOCKD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "blockd_msg.h"
#include "daemon.h"
#include "share_rules.h"
#include "store.h"

/* After a failure to make a spare backing file (blockd.c). */
#define BLOCKD_SPARE_RETRY_SECONDS	10
/* A removed big file a front end still holds open: look again after. */
#define BLOCKD_TRIM_RETRY_SECONDS	1

/*
 * A [share NAME] of the configuration and the rules blockd itself
 * applies to every request in it (ops.c blockd_gate), whatever the front
 * end claims: a front end can claim only what its own protocol could.
 */
struct blockd_share {
	char			 name[BD_NAME_MAX + 1];
	uint32_t		 id;		/* the store's share id */
	int			 read_only;
	/* SMB callers need no search permission (Windows' default). */
	int			 smb_bypass_traverse;
	struct share_squash	 squash;
};

/* What blockd keeps per front end (ops.c). */
struct blockd_peer {
	/* Nothing was queued to it since its last resync note. */
	int			 resync_queued;
	uint64_t		 resyncs;
	/* BD_WATCH: the directories it watches (sorted) and how often. */
	uint64_t		*watched;
	uint32_t		*watchers;
	/* BD_WATCH_TREE: how many of those watch the tree below too */
	uint32_t		*tree_watchers;
	size_t			 nwatched;
	size_t			 capwatched;
	size_t			 ntree;		/* tree watches in all */
};

/*
 * A directory's parent and its name there, remembered for tree watches'
 * walks (ops.c): valid while gen is the env's dirname_gen, which moves
 * whenever a directory's entry goes (rmdir, rename), the only changes
 * that move or rename a directory.
 */
#define BLOCKD_DIRNAMES		1024	/* slots, by inode number */
struct blockd_dirname {
	uint64_t		 ino;
	uint64_t		 parent;
	uint64_t		 gen;		/* 0: empty */
	struct store_fh		 parentfh;
	size_t			 namelen;
	char			 name[STORE_NAME_MAX];
};

struct blockd_env {
	struct daemon		*daemon;
	struct store		*store;
	struct event		*ev_checkpoint;
	struct event		*ev_spare;	/* idle: make a spare */
	int			 spare_queued;
	uint64_t		 spares_used_seen;	/* at the last batch */
	uint64_t		 spare_retry_us;	/* 0: no failure */
	struct event		*ev_trim;	/* idle: store_trim_step */
	int			 trim_queued;
	struct event		*ev_trim_retry;	/* held ones: store.h */
	uint64_t		 ops;
	uint64_t		 syncs;
	uint64_t		 notifies;
	uint64_t		 resyncs;	/* notes replaced by a resync */
	size_t			 notify_limit;	/* bytes queued; then resync */
	/* BD_WATCH_TREE watches of every front end: walks while not 0 */
	size_t			 tree_watches;
	uint64_t		 tree_notes;	/* BD_NOTIFY_TREE sent */
	struct blockd_dirname	*dirnames;	/* BLOCKD_DIRNAMES or NULL */
	uint64_t		 dirname_gen;
	struct blockd_share	*shares;
	size_t			 nshares;
};

/* blockd.c */
extern const struct ipc_handler blockd_handlers[];
extern const size_t blockd_nhandlers;
void	 blockd_spare_later(struct blockd_env *);
void	 blockd_trim_later(struct blockd_env *);

const struct blockd_share *blockd_share_by_id(const struct blockd_env *,
	    uint32_t);
const struct blockd_share *blockd_share_by_name(const struct blockd_env *,
	    const char *);

/* ops.c */
void	 blockd_ops_notify(void *arg, const struct store_notify *);
void	 blockd_peer_hello(struct ipc_peer *, void *arg);
void	 blockd_peer_gone(struct ipc_peer *, void *arg);

#endif
