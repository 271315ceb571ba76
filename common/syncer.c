/*
 * common/syncer.c: fsync and fdatasync off the event loop, by Linux AIO
 * (see syncer.h).  The kernel has done IOCB_CMD_FSYNC/FDSYNC in a worker
 * since Linux 4.18; glibc has no wrappers for the AIO system calls.
 */
#define _GNU_SOURCE
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <sys/syscall.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/aio_abi.h>

#include <event2/event.h>

#include "log.h"
#include "syncer.h"

struct syncer_job {
	TAILQ_ENTRY(syncer_job)	 entry;
	struct iocb		 cb;
	syncer_done_fn		*done;
	void			*arg;
};

struct syncer {
	aio_context_t		 ctx;		/* 0: no AIO, all inline */
	int			 efd;
	struct event		*ev;
	TAILQ_HEAD(, syncer_job) jobs;		/* in the kernel */
	size_t			 njobs;
	uint64_t		 nasync;
	uint64_t		 ninline;
};

static long
syncer_io_setup(unsigned int nr, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr, ctx);
}

static long
syncer_io_destroy(aio_context_t ctx)
{
	return syscall(SYS_io_destroy, ctx);
}

static long
syncer_io_submit(aio_context_t ctx, long n, struct iocb **cbs)
{
	return syscall(SYS_io_submit, ctx, n, cbs);
}

static long
syncer_io_getevents(aio_context_t ctx, long min, long max,
    struct io_event *evs, struct timespec *ts)
{
	return syscall(SYS_io_getevents, ctx, min, max, evs, ts);
}

/* The eventfd counted completions: collect them and call back. */
static void
syncer_reap(evutil_socket_t fd, short what, void *arg)
{
	struct syncer *s = arg;
	struct io_event evs[32];
	struct timespec zero = { 0, 0 };
	struct syncer_job *job;
	uint64_t count;
	long i, n;

	if (read(s->efd, &count, sizeof(count)) == -1 && errno != EAGAIN)
		log_warn("syncer: eventfd");
	for (;;) {
		n = syncer_io_getevents(s->ctx, 0, 32, evs, &zero);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("syncer: io_getevents");
			return;
		}
		for (i = 0; i < n; i++) {
			job = (struct syncer_job *)(uintptr_t)evs[i].data;
			TAILQ_REMOVE(&s->jobs, job, entry);
			s->njobs--;
			job->done(job->arg, evs[i].res < 0 ?
			    (int)-evs[i].res : 0);
			free(job);
		}
		if (n < 32)
			return;
	}
}

struct syncer *
syncer_new(struct event_base *base)
{
	struct syncer *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	TAILQ_INIT(&s->jobs);
	s->efd = -1;
	if (syncer_io_setup(SYNCER_DEPTH, &s->ctx) == -1) {
		log_warn("syncer: io_setup: syncing on the event loop");
		s->ctx = 0;
		return s;
	}
	if ((s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    (s->ev = event_new(base, s->efd, EV_READ | EV_PERSIST,
	    syncer_reap, s)) == NULL || event_add(s->ev, NULL) == -1) {
		log_warn("syncer: eventfd: syncing on the event loop");
		if (s->ev != NULL)
			event_free(s->ev);
		s->ev = NULL;
		if (s->efd != -1)
			(void)close(s->efd);
		s->efd = -1;
		(void)syncer_io_destroy(s->ctx);
		s->ctx = 0;
	}
	return s;
}

void
syncer_free(struct syncer *s)
{
	struct syncer_job *job;

	if (s == NULL)
		return;
	if (s->ev != NULL)
		event_free(s->ev);
	/* io_destroy waits for what is in the kernel. */
	if (s->ctx != 0 && syncer_io_destroy(s->ctx) == -1)
		log_warn("syncer: io_destroy");
	while ((job = TAILQ_FIRST(&s->jobs)) != NULL) {
		TAILQ_REMOVE(&s->jobs, job, entry);
		free(job);
	}
	if (s->efd != -1)
		(void)close(s->efd);
	free(s);
}

void
syncer_sync(struct syncer *s, int fd, int full, syncer_done_fn *done,
    void *arg)
{
	struct syncer_job *job = NULL;
	struct iocb *cbp;
	int rc;

	if (s->ctx != 0 && s->njobs < SYNCER_DEPTH &&
	    (job = calloc(1, sizeof(*job))) != NULL) {
		job->done = done;
		job->arg = arg;
		job->cb.aio_data = (uint64_t)(uintptr_t)job;
		job->cb.aio_lio_opcode = full ? IOCB_CMD_FSYNC :
		    IOCB_CMD_FDSYNC;
		job->cb.aio_fildes = (uint32_t)fd;
		job->cb.aio_flags = IOCB_FLAG_RESFD;
		job->cb.aio_resfd = (uint32_t)s->efd;
		cbp = &job->cb;
		if (syncer_io_submit(s->ctx, 1, &cbp) == 1) {
			TAILQ_INSERT_TAIL(&s->jobs, job, entry);
			s->njobs++;
			s->nasync++;
			return;
		}
		if (errno != EINVAL && errno != EAGAIN && errno != EBADF)
			log_warn("syncer: io_submit");
		free(job);
	}
	/* No AIO for this one: the sync runs here, the loop waits. */
	s->ninline++;
	rc = full ? fsync(fd) : fdatasync(fd);
	done(arg, rc == -1 ? errno : 0);
}

void
syncer_counts(const struct syncer *s, uint64_t *async, uint64_t *inline_)
{
	*async = s->nasync;
	*inline_ = s->ninline;
}
