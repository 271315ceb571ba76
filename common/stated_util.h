/*
 * common/stated_util.h: what every front end of dittofs-stated does
 * alike: name a file as stated names it, and acknowledge a push.
 */
#ifndef DITTOFS_COMMON_STATED_UTIL_H
#define DITTOFS_COMMON_STATED_UTIL_H

#include <stdint.h>

#include "ipc.h"
#include "stated_push.h"

/* stated_common.x: share (4), inode (8), generation (4), big endian. */
#define ST_FILE_ID_LEN	16

void	 st_file_id(uint8_t id[ST_FILE_ID_LEN], uint32_t share, uint64_t ino,
	    uint32_t generation);
/* ST_PUSH_ACK of a push (one way): 0, or -1 when it was not queued. */
int	 st_push_ack_send(struct ipc_channel *, uint64_t push_id, st_status);

/*
 * stated's unasked message on the channel of a front end that holds
 * locks but no caching grants (lockd, smbd): an ST_PUSH, decoded; a
 * GRANTED one goes to fn, which says how it went; a push of another
 * kind is logged and acknowledged with `other'; every push is
 * acknowledged.  who names the front end in the log.
 */
typedef st_status st_push_granted_fn(void *arg, const struct st_push *);
void	 st_push_receive(struct ipc_channel *, struct ipc_msg *,
	    st_push_granted_fn *, void *arg, st_status other, const char *who);

#endif
