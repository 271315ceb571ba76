/*
 * dittofs-gssd: the only process that holds the SMB password database
 * (and, in the next step of issue 26, the keytabs).  Front ends hand it
 * their clients' security tokens over gssd.sock (common/gssd_msg.x) and
 * get back who the client is and the session key; nothing inbound from
 * the network reaches it.
 */
#ifndef DITTOFS_GSSD_H
#define DITTOFS_GSSD_H

#include <sys/queue.h>
#include <sys/types.h>
#include <stdint.h>

#include "daemon.h"
#include "gssd_msg.h"
#include "ntlm.h"
#include "spnego.h"
#include "userdb.h"

#define GSSD_SWEEP_SECONDS	5

enum gssd_ctx_step {
	GSSD_CTX_START,		/* nothing seen yet */
	GSSD_CTX_NEGOTIATE,	/* SPNEGO chose NTLMSSP, awaits NEGOTIATE */
	GSSD_CTX_AUTHENTICATE,	/* CHALLENGE sent, awaits AUTHENTICATE */
};

/* One security context in creation, owned by the peer that began it. */
struct gssd_ctx {
	TAILQ_ENTRY(gssd_ctx)	 entry;
	uint64_t		 id;
	struct ipc_peer		*peer;
	uint64_t		 expires;	/* daemon_usec() */
	enum gssd_ctx_step	 step;
	int			 spnego;	/* tokens wrapped in SPNEGO */
	int			 mic_required;	/* NTLMSSP not first */
	uint8_t			*mech_types;	/* the client's, for MICs */
	size_t			 mech_types_len;
	struct ntlm_server	 ntlm;
};

struct gssd_counters {
	uint64_t	accepted;
	uint64_t	denied;
	uint64_t	guests;
	uint64_t	anonymous;
	uint64_t	bad_tokens;
	uint64_t	limit_hits;
	uint64_t	expired;
};

struct gssd_env {
	struct daemon		*daemon;
	TAILQ_HEAD(, gssd_ctx)	 contexts;
	size_t			 ncontexts;
	struct userdb		*users;
	struct event		*ev_sweep;
	/* dittofs.conf(5) [gssd] */
	char			 nb_computer[16];
	char			 nb_domain[64];
	char			 dns_computer[256];
	char			 dns_domain[256];
	char			 guest_account[64];	/* as configured */
	uid_t			 guest_uid;
	gid_t			 guest_gid;
	int			 map_bad_user;
	size_t			 contexts_per_peer;
	unsigned int		 context_timeout;	/* seconds */
	struct gssd_counters	 count;
};

/* gssd.c */
struct gssd_env	*gssd_env_of(struct ipc_peer *);

#endif
