/*
 * dittofs-run: starts every enabled daemon as its own process, restarts
 * one that dies, stops all on SIGTERM.  What the README, the tests and
 * the benchmarks use where systemd is absent.
 */
#ifndef DITTOFS_RUN_H
#define DITTOFS_RUN_H

#include <sys/types.h>
#include <limits.h>
#include <time.h>

#include <event2/event.h>

#include "conf.h"

#define RUN_LISTEN_MAX		8
/* sd_notify's FDNAME= is at most 255 characters. */
#define RUN_FDNAME_MAX		255

enum run_child_state {
	RUN_CHILD_STOPPED,
	RUN_CHILD_STARTING,	/* forked, READY=1 not yet seen */
	RUN_CHILD_READY,
	RUN_CHILD_WAITING,	/* restart scheduled */
};

struct run_child {
	const char		*name;		/* "stated" */
	int			 backend;	/* others depend on it */
	char			 path[PATH_MAX];
	pid_t			 pid;
	enum run_child_state	 state;
	time_t			 started;
	unsigned int		 restarts;
	unsigned int		 delay;		/* next restart delay, s */
	struct event		*ev_restart;
	struct run_env		*env;
	/* Listening sockets bound here once and passed at every start. */
	int			 listen_fds[RUN_LISTEN_MAX];
	char			 listen_names[RUN_LISTEN_MAX][32];
	size_t			 nlisten;
	/*
	 * Its file descriptor store (sd_notify FDSTORE=1, as systemd's
	 * FileDescriptorStoreMax=): kept across its restarts, passed after
	 * the listening sockets.  store_max 0: it may store nothing.
	 */
	struct run_stored	*store;
	size_t			 nstore;
	size_t			 store_max;
};

struct run_stored {
	int			 fd;
	char			 name[RUN_FDNAME_MAX + 1];
};

#define RUN_MAX_CHILDREN	8

struct run_env {
	struct conf		*conf;
	char			 conf_path[PATH_MAX];
	char			 bindir[PATH_MAX];
	char			 notify_path[PATH_MAX];
	int			 notify_fd;
	int			 verbose;
	int			 stopping;
	struct event_base	*base;
	struct run_child	 children[RUN_MAX_CHILDREN];
	size_t			 nchildren;
	struct event		*ev_notify;
	struct event		*ev_signals[4];
	struct event		*ev_stop_timeout;
};

#endif
