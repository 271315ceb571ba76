/*
 * Fuzz target: statd's NSM procedures (statd/nsm.c), end to end.  The
 * first byte picks the procedure (low three bits; 7 is none) and, with
 * its two top bits set, version 2 (none); the rest are the arguments.
 * They go as one UDP call from 127.0.0.1 (a local caller, as lockd is)
 * to common/rpcsvc.c serving statd's program table, so that statd's
 * decoders (sm_prot_xdr.c) and its handlers run as in the daemon, on a
 * statd environment with its state slots in a temporary directory.
 * After each call the monitor list must hold only valid entries within
 * MONITOR_MAX.  SM_SIMU_CRASH is read as NULL: it would send SM_NOTIFY
 * to the addresses the inputs put in the list.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "statd.h"		/* rpc/rpc.h, then rpcsvc.h and rpcmsg.h */
#include "xdrbuf.h"

/* Keep saves cheap: a list this long starts again empty. */
#define FUZZ_NSM_LIST_MAX	256

static struct {
	int			 ready;
	struct event_base	*base;
	struct statd_env	 env;
	int			 cli;
	uint32_t		 xid;
	int			 reply;	/* accept_stat of the last reply; -1 */
	char			 dir[64];
} fz;

static void
fuzz_nsm_quiet(const char *msg)
{
	(void)msg;
}

static int
fuzz_nsm_setup(void)
{
	struct sockaddr_in to;
	int tcp_fd, udp_fd;

	snprintf(fz.dir, sizeof(fz.dir), "%s/fuzz_nsm.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(fz.dir) == NULL ||
	    (fz.base = event_base_new()) == NULL ||
	    monitor_store_open(&fz.env.store, fz.dir) == -1)
		return -1;
	fz.env.mon.log = fuzz_nsm_quiet;
	fz.env.mon.state = 1;
	fz.env.tcp_fd = fz.env.udp_fd = fz.env.call_fd = -1;
	snprintf(fz.env.name, sizeof(fz.env.name), "fuzz");
	if ((fz.env.calls = rpcclnt_new(fz.base, rpcclnt_socket(0))) == NULL ||
	    (fz.env.svc = rpcsvc_new(fz.base, statd_sm_programs,
	    &fz.env)) == NULL ||
	    rpcsvc_bind_sockets("127.0.0.1", 0, &tcp_fd, &udp_fd) == -1 ||
	    rpcsvc_listen(fz.env.svc, tcp_fd, udp_fd) == -1)
		return -1;
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons((uint16_t)rpcsvc_socket_port(udp_fd));
	if ((fz.cli = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) == -1 ||
	    connect(fz.cli, (struct sockaddr *)&to, sizeof(to)) == -1)
		return -1;
	fz.xid = 0x4e534d00u;
	fz.ready = 1;
	return 0;
}

/* The accept_stat of the last call's reply, or -1 if none came. */
int
fuzz_nsm_proc_reply(void)
{
	return fz.reply;
}

/* statd's monitor list as the calls left it. */
const struct monitor *
fuzz_nsm_proc_list(void)
{
	return &fz.env.mon;
}

int
fuzz_nsm_proc_one(const uint8_t *data, size_t size)
{
	static uint8_t rep[8192];
	struct xdrbuf_out o;
	uint32_t proc, xid, rxid, accept;
	size_t off, head, len, i;
	ssize_t n;
	int round;

	fz.reply = -1;
	if (size < 1 || (!fz.ready && fuzz_nsm_setup() == -1))
		return 0;
	proc = data[0] & 0x07;
	if (proc == SM_PROC_SIMU_CRASH)
		proc = SM_PROC_NULL;
	xid = ++fz.xid;
	xdrbuf_out_init(&o);
	rpcmsg_call_header(&o, xid, SM_PROG, (data[0] & 0xc0) == 0xc0 ? 2 :
	    SM_VERS, proc);
	head = o.len;
	len = size - 1 < 8192 ? size - 1 : 8192;
	/* As they come: no padding to a multiple of four. */
	xdrbuf_put_fixed(&o, data + 1, len);
	if (!o.failed)
		o.len = head + len;
	n = o.failed ? -1 : send(fz.cli, o.buf, o.len, 0);
	xdrbuf_out_free(&o);
	if (n == -1)
		return 0;
	/* One turn of the loop reads the call and answers it. */
	for (round = 0; round < 3 && fz.reply == -1; round++) {
		event_base_loop(fz.base, EVLOOP_NONBLOCK);
		while ((n = recv(fz.cli, rep, sizeof(rep), MSG_DONTWAIT)) > 0)
			if (rpcmsg_decode_reply(rep, (size_t)n, &rxid, &accept,
			    &off) == 0 && rxid == xid)
				fz.reply = (int)accept;
	}
	if (fz.env.mon.n > MONITOR_MAX)
		__builtin_trap();
	for (i = 0; i < fz.env.mon.n; i++)
		if (!monitor_name_valid(fz.env.mon.v[i].mon_name) ||
		    !monitor_name_valid(fz.env.mon.v[i].my_name))
			__builtin_trap();
	if (fz.env.mon.n > FUZZ_NSM_LIST_MAX)
		monitor_clear(&fz.env.mon);
	return 0;
}

/* Remove the temporary state (the test's end). */
void
fuzz_nsm_proc_done(void)
{
	char path[128];

	if (!fz.ready)
		return;
	monitor_store_close(&fz.env.store);
	snprintf(path, sizeof(path), "%s/%s", fz.dir, MONITOR_SLOT_A);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", fz.dir, MONITOR_SLOT_B);
	unlink(path);
	rmdir(fz.dir);
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_nsm_proc_one(data, size);
}
#endif
