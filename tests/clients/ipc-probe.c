/*
 * ipc-probe: a stand-in front end for integration tests.  It connects
 * to a daemon's socket as a given role (and, as root, as a given user,
 * so SO_PEERCRED sees the right uid), says HELLO, pings, and keeps
 * reconnecting with the common client's back-off.  It prints one line
 * per event: "ready N" (N-th successful HELLO), "pong", "lost",
 * "refused" and exits after -t seconds or with -1 after the first
 * outcome.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"
#include "log.h"
#include "sandbox.h"

struct probe {
	struct event_base	*base;
	struct ipc_client	*client;
	int			 once;
};

static void
probe_pong(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	struct probe *p = arg;

	if (msg != NULL && msg->hdr.type == IPC_PONG)
		printf("pong\n");
	else
		printf("no pong\n");
	fflush(stdout);
	if (p->once)
		event_base_loopexit(p->base, NULL);
}

static void
probe_ready(struct ipc_client *cl, void *arg)
{
	struct probe *p = arg;
	struct ipc_ping ping = { { 4, (char *)"ping" } };

	printf("ready %u\n", ipc_client_connects(cl));
	fflush(stdout);
	ipc_call(ipc_client_channel(cl), IPC_PING, -1,
	    (xdrproc_t)xdr_ipc_ping, &ping, probe_pong, p);
}

static void
probe_lost(struct ipc_client *cl, void *arg)
{
	printf("lost\n");
	fflush(stdout);
}

static void
probe_dispatch(struct ipc_channel *ch, struct ipc_msg *msg, void *arg)
{
	if (msg->fd != -1)
		close(msg->fd);
}

static void
probe_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;

	if (p->once && ipc_client_connects(p->client) == 0) {
		printf("refused\n");
		fflush(stdout);
	}
	event_base_loopexit(p->base, NULL);
}

static void
probe_usage(void)
{
	fprintf(stderr, "usage: ipc-probe -s socket -r role [-u user] "
	    "[-t seconds] [-1]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct probe p;
	const char *sock = NULL, *user = NULL;
	enum ipc_role role = IPC_ROLE_NONE;
	struct timeval tv = { 30, 0 };
	struct event *ev_timeout, *ev_term;
	int ch;

	memset(&p, 0, sizeof(p));
	while ((ch = getopt(argc, argv, "s:r:u:t:1")) != -1) {
		switch (ch) {
		case 's':
			sock = optarg;
			break;
		case 'r':
			if (ipc_role_parse(optarg, &role) == -1)
				probe_usage();
			break;
		case 'u':
			user = optarg;
			break;
		case 't':
			tv.tv_sec = atoi(optarg);
			break;
		case '1':
			p.once = 1;
			break;
		default:
			probe_usage();
		}
	}
	if (sock == NULL || role == IPC_ROLE_NONE)
		probe_usage();
	log_init("ipc-probe", 1, LOG_LEVEL_WARN);
	if (user != NULL) {
		struct sandbox_ids ids;

		if (sandbox_resolve_user(user, &ids) == -1)
			fatal("user %s", user);
		if (sandbox_set_ids(&ids) == -1)
			fatal("become %s", user);
	}
	signal(SIGPIPE, SIG_IGN);
	p.base = event_base_new();
	p.client = ipc_client_new(p.base, sock, role, "ipc-probe", 0,
	    probe_dispatch, &p);
	if (p.base == NULL || p.client == NULL)
		fatalx("setup");
	ipc_client_set_callbacks(p.client, probe_ready, probe_lost);
	ipc_client_set_backoff(p.client, 50, 500);
	ev_timeout = evtimer_new(p.base, probe_timeout, &p);
	evtimer_add(ev_timeout, &tv);
	ev_term = evsignal_new(p.base, SIGTERM, probe_timeout, &p);
	evsignal_add(ev_term, NULL);
	ipc_client_start(p.client);
	event_base_dispatch(p.base);
	ipc_client_free(p.client);
	event_free(ev_timeout);
	event_free(ev_term);
	event_base_free(p.base);
	return 0;
}
