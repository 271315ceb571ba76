/*
 * stated's pushes waiting for their ACK (common/stated_push.x): a pure
 * data structure, so the unit tests drive it without the daemon.
 *
 * A push belongs to a front end, named by its role and HELLO name, not
 * by a connection: it outlives the connection it was sent on and goes
 * out again, in id order, when that front end says HELLO after a
 * reconnect (DESIGN.md 3: front ends reconnect with back-off).  Only an
 * ACK from that front end removes it.  A front end has at most "max"
 * pushes waiting; one more is refused (ENOSPC), and nothing is dropped
 * silently: the caller logs it.  Bodies are opaque here (the XDR of an
 * st_push_body); push_message() frames one as an st_push.
 */
#ifndef DITTOFS_STATED_PUSH_H
#define DITTOFS_STATED_PUSH_H

#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

/* Pushes one front end may leave unacknowledged. */
#define STATED_PUSH_MAX		1024
#define PUSH_NAME_MAX		64

struct push_entry {
	TAILQ_ENTRY(push_entry)	 entry;
	uint64_t		 id;
	uint32_t		 attempt;	/* times sent */
	uint32_t		 role;		/* enum ipc_role */
	char			 name[PUSH_NAME_MAX + 1];
	uint8_t			*body;
	size_t			 len;
};

struct push_queue;

typedef void	(*push_queue_cb)(void *, struct push_entry *);

/* push.c */
struct push_queue	*push_queue_new(size_t max);
void			 push_queue_free(struct push_queue *);
/* A new push; its id, or 0 with errno ENOSPC (at the cap) or ENOMEM. */
uint64_t		 push_queue_add(struct push_queue *, uint32_t role,
			    const char *name, const void *body, size_t len);
/* The front end's ACK: 0 if it removed a push of that front end, else -1. */
int			 push_queue_ack(struct push_queue *, uint32_t role,
			    const char *name, uint64_t id);
struct push_entry	*push_queue_find(struct push_queue *, uint64_t id);
/* Each push of the front end in id order, counted as sent once more. */
size_t			 push_queue_resend(struct push_queue *,
			    uint32_t role, const char *name, push_queue_cb,
			    void *);
size_t			 push_queue_count(const struct push_queue *,
			    uint32_t role, const char *name);
size_t			 push_queue_total(const struct push_queue *);
/* The st_push message of an entry (id, attempt, body); malloc'ed. */
uint8_t			*push_message(const struct push_entry *,
			    size_t *);

#endif
