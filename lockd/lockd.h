/*
 * dittofs-lockd: the NLM front end (v1, v3, v4 over TCP and UDP).  It
 * keeps no lock: every request becomes a message to dittofs-stated,
 * after blockd has turned the NFS file handle into the server's own
 * file identity (share, inode, generation).  What it does keep is the
 * list of blocked requests it answered LCK_BLOCKED to, so that it can
 * send the GRANTED callback when stated grants one, and re-announce
 * them to stated after stated restarts.
 */
#ifndef DITTOFS_LOCKD_H
#define DITTOFS_LOCKD_H

#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "blockd_msg.h"
#include "daemon.h"
#include "nlm_prot.h"
#include "rpcclnt.h"
#include "rpcsvc.h"
#include "share_rules.h"
#include "stated_lock.h"
#include "stated_push.h"

#define LOCKD_FILE_ID_LEN	16	/* share 4, inode 8, generation 4 */
#define NLMPROC_NSM_NOTIFY	16	/* private: statd's callback (Linux) */
#define LOCKD_GRANT_RETRY_SECONDS	10
#define LOCKD_GRANT_ATTEMPTS	6
#define LOCKD_GRANT_TCP_TIMEOUT_MS	10000
#define LOCKD_MONITOR_MAX	4096	/* hosts known; beyond: NOLOCKS */
#define LOCKD_UNMON_LINGER_SECONDS	5	/* idle before SM_UNMON */

/* A request normalised across NLM versions and the _MSG forms. */
struct nlm_req {
	uint32_t	 vers;
	uint32_t	 proc;		/* base procedure: LOCK for LOCK_MSG */
	int		 msg;		/* _MSG form: result as a _RES call */
	nlm_netobj		 cookie;
	int		 block;
	int		 exclusive;
	int		 reclaim;
	char		*caller_name;
	char		*owner_host;	/* stated's host key: name@address */
	nlm_netobj		 fh;
	nlm_netobj		 oh;
	int32_t		 svid;
	uint64_t	 offset;
	uint64_t	 length;
	unsigned int	 share_access;	/* LOCK_SHARE bits */
	unsigned int	 share_deny;
};

/*
 * The one encoder and decoder of each NLM shape, driven by the version
 * (nlm.c): its field widths and status set.  Both go through xdr_free.
 */
struct nlm_lockargs_xdr {
	uint32_t	 vers;
	uint32_t	 proc;		/* base procedure: its argument shape */
	struct nlm_req	*req;
};

struct nlm_testres_xdr {
	uint32_t	 vers;
	nlm_netobj	 cookie;
	uint32_t	 stat;
	/* The holder, with LCK_DENIED. */
	int		 exclusive;
	int32_t		 svid;
	nlm_netobj	 oh;
	uint64_t	 offset;
	uint64_t	 length;
};

/* A request on its way through blockd and stated. */
struct lockd_op {
	struct lockd_env	*env;
	/* NULL once a _MSG is answered */
	struct rpcsvc_call	*call;
	struct sockaddr_storage	 peer;
	socklen_t		 peer_len;
	char			 peer_addr[RPCSVC_ADDR_MAX];
	int			 tcp;		/* came over TCP */
	struct nlm_req		 req;
	uint8_t			 file[LOCKD_FILE_ID_LEN];
	uint64_t		 block_id;	/* LOCK with block set */
};

/* A request stated queued: LCK_BLOCKED was answered, GRANTED follows. */
struct lockd_block {
	TAILQ_ENTRY(lockd_block) entry;
	struct lockd_env	*env;
	uint64_t		 id;
	uint32_t		 vers;
	struct sockaddr_storage	 peer;
	socklen_t		 peer_len;
	char			 peer_addr[RPCSVC_ADDR_MAX];
	struct nlm_req		 req;		/* owns its copies */
	uint8_t			 file[LOCKD_FILE_ID_LEN];
	int			 granted;	/* GRANTED callback under way */
	int			 attempts;
	struct event		*retry;
	/* The request came over TCP: GRANTED goes over TCP (or UDP). */
	int			 tcp;
	struct rpcclnt_tcp	*cb_tcp;	/* GRANTED's connection */
};

/* A host lockd knows (hosts.c): its key is nlm_host_key's. */
struct hosts_entry {
	char		*key;		/* caller_name@address */
	char		*name;		/* caller_name: statd's mon_name */
	int		 monitored;	/* SM_MON sent */
	time_t		 idle_since;	/* holds nothing since; 0: holds */
};

struct hosts {
	struct hosts_entry	*v;
	size_t			 n;
	size_t			 alloc;
	size_t			 max;
};

/* A [share] section: who may lock there (share.c). */
struct lockd_share {
	char			*name;
	struct share_rules	 rules;
	uint32_t		 share_id;	/* blockd's; valid if known */
	int			 known;
	int			 answered;	/* blockd answered SHARE_ROOT */
};

enum lockd_share_verdict {
	LOCKD_SHARE_OK,
	LOCKD_SHARE_PENDING,	/* share ids not known yet: drop */
	LOCKD_SHARE_STALE,	/* a share lockd does not serve */
	LOCKD_SHARE_REFUSED,	/* clients or insecure say no */
};

struct lockd_env {
	struct daemon		*daemon;
	struct ipc_client	*stated;
	struct ipc_client	*blockd;
	struct rpcsvc		*svc;
	struct rpcclnt		*callbacks;
	int			 tcp_fd;
	int			 udp_fd;
	int			 callback_fd;
	int			 port;
	struct rpcbind		*rpcbind;	/* NULL: not registered */
	char			 hostname[256];
	TAILQ_HEAD(, lockd_block) blocks;
	size_t			 nblocks;
	uint64_t		 next_block_id;
	struct hosts		 hosts;		/* SM_MON'ed, or about to be */
	struct event		*hosts_timer;	/* the linger before SM_UNMON */
	uint64_t		 unmonitored;	/* SM_UNMON sent */
	uint64_t		 hosts_refused;	/* at LOCKD_MONITOR_MAX */
	uint64_t		 requests;
	uint64_t		 granted_callbacks;
	struct lockd_share	*shares;
	size_t			 nshares;
	uint64_t		 shares_generation;
	time_t			 shares_asked;	/* last re-ask of unknown ones */
};

/* nlm.c */
/* NLM and NSM calls are small. */
#define NLM_RECORD_MAX	(64 * 1024)
extern const struct rpcsvc_program nlm_program;
void	 nlm_stated_message(struct ipc_channel *, struct ipc_msg *, void *);
void	 nlm_stated_ready(struct ipc_client *, void *);
void	 nlm_blocks_free(struct lockd_env *);
int	 nlm_decode_request(uint32_t vers, uint32_t proc, const uint8_t *,
	    size_t, struct nlm_req *);
void	 nlm_req_free(struct nlm_req *);
uint32_t nlm_status_from_stated(uint32_t vers, int st_status);
bool_t	 nlm_xdr_lockargs_of(XDR *, struct nlm_lockargs_xdr *);
bool_t	 nlm_xdr_testres_of(XDR *, struct nlm_testres_xdr *);
void	 nlm_holder_fit(uint32_t vers, uint64_t *offset, uint64_t *length);
char	*nlm_host_key(const char *caller_name, const char *addr);

/* hosts.c */
void	 hosts_init(struct hosts *, size_t max);
void	 hosts_clear(struct hosts *);
struct hosts_entry *hosts_find(const struct hosts *, const char *key);
/*
 * Before a request that may give the host state: 1 (new, idle until
 * hosts_update), 0 (known), -1 (full of hosts that hold something, or
 * no memory).  To make room an idle one may go: its name, if it must be
 * unmonitored, in *unmon (the caller's to free).
 */
int	 hosts_admit(struct hosts *, const char *key, time_t now,
	    char **unmon);
/* stated says the host holds held records now; 1: send SM_MON. */
int	 hosts_update(struct hosts *, const char *key, uint64_t held,
	    time_t now);
/* One host idle for linger seconds goes: 1, *unmon as hosts_admit's. */
int	 hosts_expire(struct hosts *, time_t now, unsigned int linger,
	    char **unmon);
/* Seconds until the next hosts_expire has work, or -1: none idle. */
long	 hosts_next_expiry(const struct hosts *, time_t now,
	    unsigned int linger);
size_t	 hosts_monitored(const struct hosts *);

/* share.c */
struct conf;
int	 lockd_shares_load(struct lockd_env *, const struct conf *, char *,
	    size_t);
void	 lockd_shares_clear(struct lockd_env *);
void	 lockd_shares_refresh(struct lockd_env *);
void	 lockd_shares_blockd_ready(struct ipc_client *, void *);
enum lockd_share_verdict lockd_share_check(struct lockd_env *, uint32_t,
	    const struct sockaddr_storage *, const char *peer_addr);

#endif
