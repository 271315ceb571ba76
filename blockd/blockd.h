/*
 * dittofs-blockd: owner of the file system (DESIGN.md section 4):
 * namespace metadata in Berkeley DB and file data in the block store.
 */
#ifndef DITTOFS_BLOCKD_H
#define DITTOFS_BLOCKD_H

#include "daemon.h"

struct blockd_env {
	struct daemon	*daemon;
};

#endif
