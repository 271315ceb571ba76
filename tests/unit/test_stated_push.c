/*
 * stated's pushes waiting for an ACK (stated/push.c): kept per front end
 * (role and name), sent again in order after a reconnect, gone after
 * that front end's ACK only, capped per front end, framed as st_push.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "push.h"
#include "tap.h"

#define NFSD	4	/* enum ipc_role numbers; any distinct values do */
#define LOCKD	6

struct seen {
	uint64_t	 ids[16];
	uint32_t	 attempts[16];
	size_t		 n;
};

static void
seen_cb(void *arg, struct push_entry *p)
{
	struct seen *s = arg;

	if (s->n < 16) {
		s->ids[s->n] = p->id;
		s->attempts[s->n] = p->attempt;
	}
	s->n++;
}

int
main(void)
{
	struct push_queue *q;
	struct push_entry *p;
	struct seen s;
	uint64_t a, b, c, d;
	uint8_t *m;
	size_t len;

	q = push_queue_new(3);
	if (!tap_ok(q != NULL, "push_queue_new"))
		return tap_done();
	a = push_queue_add(q, LOCKD, "lockd", "one", 3);
	b = push_queue_add(q, NFSD, "nfsd", "two", 3);
	c = push_queue_add(q, LOCKD, "lockd", "three", 5);
	tap_ok(a != 0 && b != 0 && c != 0 && a < b && b < c,
	    "pushes get rising ids");
	TAP_EQ_INT(push_queue_count(q, LOCKD, "lockd"), 2,
	    "two kept for lockd");
	TAP_EQ_INT(push_queue_count(q, LOCKD, "other"), 0,
	    "a front end is its role and its name");

	/* lockd reconnects without acknowledging: both again, in order. */
	memset(&s, 0, sizeof(s));
	TAP_EQ_INT(push_queue_resend(q, LOCKD, "lockd", seen_cb, &s), 2,
	    "lockd's reconnection gets its two pushes again");
	tap_ok(s.n == 2 && s.ids[0] == a && s.ids[1] == c &&
	    s.attempts[0] == 1 && s.attempts[1] == 1,
	    "in id order, each counted as sent once more");
	memset(&s, 0, sizeof(s));
	push_queue_resend(q, LOCKD, "lockd", seen_cb, &s);
	tap_ok(s.n == 2 && s.attempts[0] == 2,
	    "and again at the next reconnection, until acknowledged");

	tap_ok(push_queue_ack(q, NFSD, "nfsd", a) == -1 &&
	    push_queue_find(q, a) != NULL,
	    "another front end's ACK does not retire lockd's push");
	tap_ok(push_queue_ack(q, LOCKD, "lockd", a) == 0 &&
	    push_queue_find(q, a) == NULL, "lockd's ACK retires it");
	tap_ok(push_queue_ack(q, LOCKD, "lockd", a) == -1,
	    "a repeated ACK finds nothing");
	memset(&s, 0, sizeof(s));
	push_queue_resend(q, LOCKD, "lockd", seen_cb, &s);
	tap_ok(s.n == 1 && s.ids[0] == c,
	    "after the ACK only the other push goes out again");

	/* The cap: three per front end. */
	tap_ok(push_queue_add(q, LOCKD, "lockd", "x", 1) != 0 &&
	    push_queue_add(q, LOCKD, "lockd", "y", 1) != 0,
	    "lockd may have three waiting");
	errno = 0;
	tap_ok(push_queue_add(q, LOCKD, "lockd", "z", 1) == 0 &&
	    errno == ENOSPC, "a fourth is refused with ENOSPC");
	tap_ok((d = push_queue_add(q, NFSD, "nfsd", "w", 1)) != 0,
	    "while another front end still gets its own");
	TAP_EQ_INT(push_queue_total(q), 5, "five kept in all");

	/* The frame: push_id, attempt, body as XDR. */
	p = push_queue_find(q, d);
	p->attempt = 7;
	m = push_message(p, &len);
	tap_ok(m != NULL && len == 13 && m[7] == (uint8_t)d && m[0] == 0 &&
	    m[11] == 7 && m[12] == 'w', "push_message frames an st_push "
	    "(hyper id, attempt, body)");
	free(m);
	push_queue_free(q);
	return tap_done();
}
