/*
 * The lifecycle every DittoFS daemon shares (Postfix-style skeleton):
 * options, config, privileged pre-init, sandbox, post-init, the event
 * loop, signals, sd_notify, socket activation and the control socket.
 * A daemon fills a struct daemon_def with callbacks and calls
 * daemon_main().
 */
#ifndef DITTOFS_DAEMON_H
#define DITTOFS_DAEMON_H

#include <sys/types.h>
#include <limits.h>
#include <time.h>

#include "conf.h"
#include "ipc.h"
#include "sandbox.h"

struct daemon;

enum daemon_chroot {
	DAEMON_CHROOT_NONE,
	DAEMON_CHROOT_STATE,	/* its own state directory */
	DAEMON_CHROOT_RUN,	/* the run directory: it sees the sockets */
};

struct daemon_def {
	const char		*name;		/* "stated": section, sockets */
	enum ipc_role		 role;
	enum daemon_chroot	 chroot;
	const char *const	*syscalls;	/* beyond sandbox.c's base */
	unsigned int		 socket_families; /* SANDBOX_AF_*; UNIX always */
	/* With privileges: open files, bind sockets, set up state. */
	void			(*pre_init)(struct daemon *);
	/* Sandboxed, before the loop runs. */
	void			(*post_init)(struct daemon *);
	/* SIGHUP, after the new config replaced d->conf. */
	void			(*reload)(struct daemon *);
	/* SIGTERM/SIGINT, before the loop ends. */
	void			(*stop)(struct daemon *);
	/* One line of daemon-specific status. */
	void			(*status)(struct daemon *, char *, size_t);
	/*
	 * Requests sent on IPC whose replies have not come back yet; the
	 * loop spins for up to busy_poll_us while there are any (below).
	 */
	size_t			(*awaiting)(struct daemon *);
	/* Extra control-socket messages (role IPC_ROLE_CTL). */
	const struct ipc_handler *ctl_handlers;
	size_t			 nctl_handlers;
};

#define DAEMON_POLICY_MAX	16
/* libevent priorities: new events get nqueues / 2, i.e. NORMAL. */
#define DAEMON_PRIORITIES	3
#define DAEMON_PRIORITY_NORMAL	1
#define DAEMON_PRIORITY_IDLE	2
/* Sockets passed in: listening ones plus a front end's stored connections. */
#define DAEMON_LISTEN_MAX	(65536 + 16)

/*
 * How the daemon was started (DESIGN.md section 6):
 *  ROOT     as root: it makes its directories, binds what needs
 *           privilege, chroots and changes to its configured user;
 *  SERVICE  already as its configured user (systemd User=, sockets
 *           passed, CAP_SYS_CHROOT ambient): the same minus the change
 *           of user; peers are still told apart by their users;
 *  DEV      as any other user (development): one user for every role,
 *           no chroot unless it holds CAP_SYS_CHROOT.
 */
enum daemon_start {
	DAEMON_START_ROOT,
	DAEMON_START_SERVICE,
	DAEMON_START_DEV,
};

struct daemon_listen_fd {
	int	 fd;
	char	 name[64];
};

struct daemon {
	const struct daemon_def	*def;
	void			*env;		/* the daemon's own state */
	struct conf		*conf;
	char			 conf_path[PATH_MAX];
	int			 conf_dirfd;	/* reload after chroot */
	int			 foreground;
	int			 verbose;
	struct event_base	*base;
	time_t			 start_time;
	enum daemon_start	 start;
	uid_t			 role_uid[IPC_ROLE_COUNT]; /* -1: unknown */
	char			 run_dir[PATH_MAX];
	char			 state_dir[PATH_MAX];
	uid_t			 uid;		/* after the drop */
	gid_t			 gid;
	gid_t			 group;		/* the suite's group, or -1 */
	struct sandbox_report	 sandbox;
	struct ipc_server	*ctl;
	struct ipc_handler	*ctl_table;
	struct ipc_server	*service;
	struct ipc_peer_policy	 policy[DAEMON_POLICY_MAX];
	size_t			 npolicy;
	struct daemon_listen_fd	*listen_fds;	/* LISTEN_FDS of them */
	size_t			 nlisten_fds;
	int			 notify_fd;
	struct event		*ev_signals[3];
	unsigned int		 busy_poll_us;	/* set by post_init; 0: off */
};

int	 daemon_main(int argc, char **argv, const struct daemon_def *,
	    void *env);

/* The user each role runs as (resolved before the chroot), or -1. */
uid_t	 daemon_role_uid(struct daemon *, enum ipc_role);
/* For pre_init. */
void	 daemon_allow_peer(struct daemon *, enum ipc_role, int accept_fds);
int	 daemon_listen_unix(struct daemon *, const char *leaf);
int	 daemon_take_listen_fd(struct daemon *, const char *name);
/* CLOCK_MONOTONIC in microseconds. */
uint64_t daemon_usec(void);
/* Serve the daemon's service socket (<run dir>/<leaf>). */
void	 daemon_serve(struct daemon *, const char *leaf,
	    const struct ipc_handler *, size_t);
const char *daemon_section_get(struct daemon *, const char *key);
const char *daemon_start_name(enum daemon_start);

void	 daemon_notify(struct daemon *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * sd_pid_notify_with_fds(3) with one fd (FDSTORE=1), or none (fd -1);
 * failures logged rate-limited: 0, or -1 if not sent.
 */
int	 daemon_notify_fd(struct daemon *, int fd, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	 daemon_status_fill(struct daemon *, struct ipc_status_reply *,
	    char *detail, size_t detail_len);

#endif
