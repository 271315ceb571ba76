/*
 * Client connections kept across a restart of smbd.
 *
 * Each accepted connection is also handed to the service manager's
 * file descriptor store (sd_notify FDSTORE=1, which dittofs-run keeps
 * as systemd does), and taken out of it when smbd closes it.  When smbd
 * dies (kill -9, a crash), the kernel therefore does not close those
 * sockets: a client that is in the middle of sending a request (the
 * Linux cifs client mid-way through a 1 MiB WRITE) is not reset, which
 * it would report as ECONNABORTED to the application instead of
 * reconnecting.  The next smbd gets them back (LISTEN_FDS, names
 * "smbc-..."), ends each cleanly: it sends FIN, reads and drops what the
 * client still sends, and closes once the client has closed its side.
 * The client sees the end of the stream, reconnects and resends what
 * was not answered, on its durable handles.  An smbd that stops on
 * SIGTERM leaves its connections in the store for the next one too;
 * when the service manager stops for good, it closes them.
 */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "smbd.h"

#define SMBD_FDSTORE_PREFIX	"smbc-"
/* How long a previous smbd's connection may take to close its side. */
#define SMBD_ORPHAN_SECONDS	30

struct smbd_orphan {
	struct smbd_env		*env;
	int			 fd;
	char			 name[SMBD_FDSTORE_NAME_LEN];
	struct event		*ev_read;
	struct event		*ev_timeout;
	TAILQ_ENTRY(smbd_orphan) entry;
};

static void
smbd_fdstore_forget(struct smbd_env *env, const char *name)
{
	(void)daemon_notify_fd(env->daemon, -1, "FDSTOREREMOVE=1\nFDNAME=%s",
	    name);
}

/* After accept: the service manager holds the socket too. */
void
smbd_fdstore_add(struct smbd_conn *c)
{
	struct smbd_env *env = c->env;

	if (env->daemon == NULL || env->daemon->notify_fd == -1)
		return;
	snprintf(c->store_name, sizeof(c->store_name), SMBD_FDSTORE_PREFIX
	    "%d-%llu", (int)getpid(),
	    (unsigned long long)++env->fdstore_seq);
	if (daemon_notify_fd(env->daemon, c->fd, "FDSTORE=1\nFDNAME=%s",
	    c->store_name) == -1)
		c->store_name[0] = '\0';
}

/* Before close: out of the store, unless smbd is stopping. */
void
smbd_fdstore_remove(struct smbd_conn *c)
{
	if (c->store_name[0] == '\0')
		return;
	if (!c->env->stopping)
		smbd_fdstore_forget(c->env, c->store_name);
	c->store_name[0] = '\0';
}

static void
smbd_orphan_free(struct smbd_orphan *o, const char *why)
{
	struct smbd_env *env = o->env;

	log_debug("previous smbd's connection %s: %s", o->name, why);
	event_free(o->ev_read);
	event_free(o->ev_timeout);
	/* Ours first: the store's is then the last, closed without RST. */
	close(o->fd);
	smbd_fdstore_forget(env, o->name);
	TAILQ_REMOVE(&env->orphans, o, entry);
	env->norphans--;
	free(o);
}

static void
smbd_orphan_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smbd_orphan *o = arg;
	char buf[65536];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			o->env->orphan_bytes += (uint64_t)n;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		smbd_orphan_free(o, n == 0 ? "client closed" : "read failed");
		return;
	}
}

static void
smbd_orphan_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	smbd_orphan_free(arg, "timed out");
}

/*
 * At start: end what the previous smbd left in the store.  FIN now; the
 * reads drain what the client sends until it closes, so the last close
 * finds nothing unread (which would make the kernel send a reset).
 */
void
smbd_fdstore_adopt(struct smbd_env *env, struct daemon *d)
{
	struct timeval tv = { SMBD_ORPHAN_SECONDS, 0 };
	struct timeval sndtimeo = { 1, 0 };
	struct smbd_orphan *o;
	size_t i, n = 0;
	int fl;

	TAILQ_INIT(&env->orphans);
	/*
	 * A notify socket holds few datagrams (net.unix.max_dgram_qlen): a
	 * burst of accepts waits for the service manager to read, never
	 * longer than this; a connection not stored is only not kept.
	 */
	if (d->notify_fd != -1 && setsockopt(d->notify_fd, SOL_SOCKET,
	    SO_SNDTIMEO, &sndtimeo, sizeof(sndtimeo)) == -1)
		log_warn("notify socket: SO_SNDTIMEO");
	for (i = 0; i < d->nlisten_fds; i++) {
		struct daemon_listen_fd *l = &d->listen_fds[i];

		if (l->fd == -1 || strncmp(l->name, SMBD_FDSTORE_PREFIX,
		    strlen(SMBD_FDSTORE_PREFIX)) != 0)
			continue;
		if ((o = calloc(1, sizeof(*o))) == NULL)
			fatal("previous connections");
		o->env = env;
		o->fd = l->fd;
		l->fd = -1;
		snprintf(o->name, sizeof(o->name), "%s", l->name);
		if ((fl = fcntl(o->fd, F_GETFL)) == -1 ||
		    fcntl(o->fd, F_SETFL, fl | O_NONBLOCK) == -1)
			fatal("%s: fcntl", o->name);
		/* ENOTCONN: the client is gone already; the read says so. */
		(void)shutdown(o->fd, SHUT_WR);
		o->ev_read = event_new(env->base, o->fd, EV_READ | EV_PERSIST,
		    smbd_orphan_read_cb, o);
		o->ev_timeout = evtimer_new(env->base, smbd_orphan_timeout_cb,
		    o);
		if (o->ev_read == NULL || o->ev_timeout == NULL ||
		    event_add(o->ev_read, NULL) == -1 ||
		    evtimer_add(o->ev_timeout, &tv) == -1)
			fatalx("previous connections: out of memory");
		TAILQ_INSERT_TAIL(&env->orphans, o, entry);
		env->norphans++;
		n++;
	}
	if (n > 0)
		log_info("%zu connection(s) of the previous smbd: ending them "
		    "cleanly, their clients reconnect", n);
}

/* smbd stops: what is left stays in the store for the next smbd. */
void
smbd_fdstore_stop(struct smbd_env *env)
{
	struct smbd_orphan *o;

	env->stopping = 1;
	while ((o = TAILQ_FIRST(&env->orphans)) != NULL) {
		event_free(o->ev_read);
		event_free(o->ev_timeout);
		close(o->fd);
		TAILQ_REMOVE(&env->orphans, o, entry);
		env->norphans--;
		free(o);
	}
}
