/*
 * The privilege-drop sequence of DESIGN.md section 6, one function per
 * step, and sandbox_enter() that runs them in order:
 *
 *   resolve user -> chroot -> drop bounding set -> setgroups/setresgid/
 *   setresuid -> drop all capabilities -> no_new_privs -> seccomp
 *
 * The bounding set goes before the uid change because dropping it needs
 * CAP_SETPCAP, which the uid change takes away.  Without root (and
 * without CAP_SYS_CHROOT) the process keeps its user and its root
 * directory and says so in its log; the last three steps always run.
 */
#ifndef DITTOFS_SANDBOX_H
#define DITTOFS_SANDBOX_H

#include <sys/types.h>
#include <limits.h>

/*
 * The socket families a daemon may create after the sandbox is in
 * place (socket(2)'s first argument, checked by seccomp).  AF_UNIX is
 * always allowed: IPC, syslog and sd_notify use it.
 */
#define SANDBOX_AF_UNIX		0x01u
#define SANDBOX_AF_INET		0x02u
#define SANDBOX_AF_INET6	0x04u
#define SANDBOX_AF_NETLINK	0x08u
#define SANDBOX_AF_NETWORK	(SANDBOX_AF_INET | SANDBOX_AF_INET6)

struct sandbox_spec {
	const char		*user;		/* NULL: keep the user */
	int			 service;	/* started as that user */
	const char		*chroot_dir;	/* NULL: no chroot */
	const char *const	*syscalls;	/* daemon's extra, NULL-ended */
	unsigned int		 socket_families; /* SANDBOX_AF_* */
	int			 seccomp_debug;	/* log, don't kill */
};

struct sandbox_report {
	uid_t	uid;
	gid_t	gid;
	int	privileges_dropped;
	char	chroot[PATH_MAX];	/* empty: none */
	int	seccomp;
	int	seccomp_debug;
};

struct sandbox_ids {
	uid_t	uid;
	gid_t	gid;
};

int	sandbox_resolve_user(const char *user, struct sandbox_ids *);
int	sandbox_chroot(const char *dir);
int	sandbox_drop_bounding_set(void);
int	sandbox_set_ids(const struct sandbox_ids *);
int	sandbox_drop_capabilities(void);
int	sandbox_no_new_privs(void);
/*
 * The allowlist: sandbox.c's base, the extra syscalls, socket(2) for the
 * given families only, ioctl(2) for the few requests libevent and the
 * C library make, prlimit64(2) only to read a limit.
 */
int	sandbox_seccomp(const char *const *extra, unsigned int families,
	    int debug);
int	sandbox_have_capability(int cap);

/*
 * Is this process chrooted or under seccomp?  Then it must not resolve
 * names: /etc is out of reach, and the files and sockets the name
 * service would open may be forbidden syscalls.
 */
int	sandbox_confined(void);

/* Runs every step; any failure is fatal to the caller. */
int	sandbox_may_bind_reserved(void);
void	sandbox_enter(const struct sandbox_spec *, struct sandbox_report *);

#endif
