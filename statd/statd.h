/*
 * dittofs-statd's environment and its NSM service (nsm.c), shared by
 * statd.c (main, the lifecycle, stated's channel) and the fuzz target
 * that drives the NSM procedures (tests/fuzz/fuzz_nsm_proc.c).
 */
#ifndef DITTOFS_STATD_H
#define DITTOFS_STATD_H

#include <stdint.h>

#include "daemon.h"
#include "monitor.h"
#include "rpcclnt.h"
#include "rpcsvc.h"
#include "sm_prot.h"

struct statd_env {
	struct daemon		*daemon;
	struct ipc_client	*stated;
	struct rpcsvc		*svc;
	struct rpcclnt		*calls;
	int			 tcp_fd;
	int			 udp_fd;
	int			 call_fd;
	struct monitor_store	 store;		/* sm.a and sm.b */
	int			 port;
	struct rpcbind		*rpcbind;	/* NULL: not registered */
	char			 name[SM_MAXSTRLEN + 1];
	struct monitor		 mon;
	uint64_t		 notifies_in;
	uint64_t		 notifies_out;
	uint64_t		 notifies_ignored;
};

/* nsm.c */
extern const struct rpcsvc_program *const statd_sm_programs[];
void	 statd_save(struct statd_env *);
/* A new state number, saved, and SM_NOTIFY to every monitored host. */
void	 statd_bump(struct statd_env *, const char *why);

#endif
