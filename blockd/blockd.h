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

#include "blockd_msg.h"
#include "daemon.h"
#include "store.h"

/* After a failure to make a spare backing file (blockd.c). */
#define BLOCKD_SPARE_RETRY_SECONDS	10

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
	uint64_t		 ops;
	uint64_t		 syncs;
	uint64_t		 notifies;
};

/* blockd.c */
extern const struct ipc_handler blockd_handlers[];
extern const size_t blockd_nhandlers;
void	 blockd_spare_later(struct blockd_env *);
void	 blockd_trim_later(struct blockd_env *);

/* ops.c */
void	 blockd_ops_notify(void *arg, const struct store_notify *);

#endif
