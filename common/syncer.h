/*
 * common/syncer.h: fsync and fdatasync off the event loop.
 *
 * A sync of a file with much dirty data takes milliseconds to seconds;
 * done on a daemon's one event loop it would stall every other client.
 * The syncer hands it to the kernel as an asynchronous I/O request
 * (io_submit IOCB_CMD_FSYNC / IOCB_CMD_FDSYNC, which the kernel runs in
 * a worker) and calls back on the loop when it is done, through an
 * eventfd: no threads in the daemon.  Where the kernel refuses
 * (EINVAL, EAGAIN when SYNCER_DEPTH requests are out), the sync runs at
 * once on the loop, as before.
 */
#ifndef DITTOFS_COMMON_SYNCER_H
#define DITTOFS_COMMON_SYNCER_H

#include <stdint.h>

struct event_base;
struct syncer;

#define SYNCER_DEPTH	128	/* requests in the kernel at once */

/* err: 0 or an errno value from fsync(2)/fdatasync(2). */
typedef void	 syncer_done_fn(void *arg, int err);

struct syncer	*syncer_new(struct event_base *);
/* Waits for the requests still in the kernel; their callbacks are not run. */
void		 syncer_free(struct syncer *);
/*
 * fsync (full) or fdatasync of fd, then done(arg, err) from the loop.
 * The kernel holds its own reference to the file: fd may be closed at
 * once.  done may run before syncer_sync returns (the fallback).
 */
void		 syncer_sync(struct syncer *, int fd, int full,
		    syncer_done_fn *done, void *arg);
/* Syncs submitted to the kernel, and run on the loop (the fallback). */
void		 syncer_counts(const struct syncer *, uint64_t *async,
		    uint64_t *inline_);

#endif
