/*
 * common/ipc_call.h: one request to a daemon over an ipc_client (the
 * channel that re-dials), its reply checked for the expected type and
 * decoded.  nfsd's and smbd's clients of stated use it.
 */
#ifndef DITTOFS_COMMON_IPC_CALL_H
#define DITTOFS_COMMON_IPC_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "ipc.h"

/*
 * status: 0 with the decoded reply (rep_size bytes, freed after done
 * returns), -ENOTCONN (the daemon away, or the channel died before the
 * reply), or -EPROTO (IPC_ERROR, or a reply of another type).
 */
typedef void	 ipc_client_done_fn(void *arg, int status, void *reply);

/* done may run before this returns (not connected). */
void	 ipc_client_call(struct ipc_client *, uint32_t type, xdrproc_t,
	    const void *req, uint32_t rep_type, xdrproc_t rep_proc,
	    size_t rep_size, ipc_client_done_fn *, void *arg);

#endif
