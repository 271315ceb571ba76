/*
 * dittofs-gssd: the only process that holds the SMB password database
 * and the Kerberos keytab (krb5.c).  Front ends hand it
 * their clients' security tokens over gssd.sock (common/gssd_msg.x) and
 * get back who the client is and the session key; nothing inbound from
 * the network reaches it.
 */
#ifndef DITTOFS_GSSD_H
#define DITTOFS_GSSD_H

#include <sys/queue.h>
#include <sys/types.h>
#include <stdint.h>

#include <gssapi/gssapi.h>
#include <krb5.h>

#include "daemon.h"
#include "gssd_msg.h"
#include "ntlm.h"
#include "principal.h"
#include "spnego.h"
#include "userdb.h"

#define GSSD_SWEEP_SECONDS	5

enum gssd_ctx_step {
	GSSD_CTX_START,		/* nothing seen yet */
	GSSD_CTX_NEGOTIATE,	/* SPNEGO chose NTLMSSP, awaits NEGOTIATE */
	GSSD_CTX_AUTHENTICATE,	/* CHALLENGE sent, awaits AUTHENTICATE */
	GSSD_CTX_KRB5,		/* SPNEGO chose Kerberos, awaits AP-REQ */
	GSSD_CTX_KRB5_MIC,	/* Kerberos done, awaits the mechListMIC */
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
	/* SPNEGO with Kerberos (krb5.c): what the reply points to. */
	gss_ctx_id_t		 krb5_gss;	/* kept for the MICs */
	enum spnego_mech	 krb5_mech;	/* the OID the client named */
	int			 krb5_nobody;
	uint8_t			 krb5_key[16];
	char			 krb5_principal[GSSD_NAME_MAX + 1];
	char			 krb5_realm[GSSD_NAME_MAX + 1];
	struct principal_id	 krb5_id;
	uint64_t		 krb5_ends;	/* the ticket's end, time() */
};

#define GSSD_RPCSEC_HANDLE_LEN	16
#define GSSD_NSS_USERS_MAX	65536

/*
 * An RPCSEC_GSS context (krb5.c): in creation (gss, owned by the nfsd
 * connection that began it) or established (exported, kept for any nfsd
 * until expires, in seconds since the epoch).
 */
struct gssd_rpcsec_ctx {
	TAILQ_ENTRY(gssd_rpcsec_ctx)	 entry;
	uint8_t				 handle[GSSD_RPCSEC_HANDLE_LEN];
	struct ipc_peer			*peer;
	int				 established;
	int				 initiator;	/* initiate.c's */
	/* initiate.c: the KDC exchange under way (the first leg) */
	krb5_init_creds_context		 kdc_as;
	krb5_tkt_creds_context		 kdc_tgs;
	int				 kdc_tcp_only;
	unsigned int			 kdc_rounds;
	uint64_t			 expires;
	gss_ctx_id_t			 gss;
	uint8_t				*exported;
	size_t				 exported_len;
	char				 principal[GSSD_NAME_MAX + 1];
	char				 realm[GSSD_NAME_MAX + 1];
	struct principal_id		 id;
};

TAILQ_HEAD(gssd_rpcsec_list, gssd_rpcsec_ctx);

struct gssd_counters {
	uint64_t	krb5_accepted;
	uint64_t	krb5_denied;
	uint64_t	krb5_fetched;
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
	/* Kerberos (krb5.c): dittofs.conf(5) [gssd] keytab, realm, map */
	krb5_context		 krb5;
	int			 krb5_clockskew; /* libdefaults clockskew, s */
	krb5_keytab		 keytab;	/* MEMORY: the keys */
	size_t			 keytab_keys;
	gss_cred_id_t		 cred;
	char			 realm[GSSD_NAME_MAX + 1];
	struct principal_map	*principals;
	struct gssd_rpcsec_list	 rpcsec_pending;
	struct gssd_rpcsec_list	 rpcsec_done;
	size_t			 nrpcsec_pending;
	size_t			 nrpcsec_done;
	size_t			 rpcsec_max;
	/* initiate.c: the keytab's nfs/ principal, its tickets */
	char			 initiator[GSSD_NAME_MAX + 1];
	krb5_principal		 initiator_princ;
	int			 initiator_conf;	/* krb5.conf copied */
	krb5_ccache		 initiator_ccache;	/* MEMORY: */
	uint64_t		 initiated;
	uint64_t		 initiate_failed;
	uint64_t		 kdc_messages;	/* relayed through nfsd */
};

/* gssd.c */
struct gssd_env	*gssd_env_of(struct ipc_peer *);
int	 gssd_decode(struct ipc_peer *, struct ipc_msg *, xdrproc_t, void *,
	    const char *what);
void	 gssd_bad_token(struct gssd_env *, struct ipc_peer *,
	    struct gssd_accept_reply *, const char *what);

/* krb5.c */
void	 gssd_krb5_pre_init(struct gssd_env *);
void	 gssd_krb5_post_init(struct gssd_env *);
void	 gssd_krb5_stop(struct gssd_env *);
void	 gssd_rpcsec_accept(struct ipc_peer *, struct ipc_msg *);
void	 gssd_rpcsec_fetch(struct ipc_peer *, struct ipc_msg *);
void	 gssd_rpcsec_destroy(struct ipc_peer *, struct ipc_msg *);
void	 gssd_rpcsec_list(struct ipc_peer *, struct ipc_msg *);
void	 gssd_rpcsec_peer_gone(struct gssd_env *, struct ipc_peer *);
size_t	 gssd_rpcsec_sweep(struct gssd_env *);
int	 gssd_krb5_on(const struct gssd_env *);
extern gss_OID_desc gssd_krb5_oid;
void	 gssd_krb5_status(const char *, OM_uint32, OM_uint32, char *,
	    size_t);
struct gssd_rpcsec_ctx *gssd_rpcsec_find(struct gssd_env *, int established,
	    const uint8_t *, size_t);
void	 gssd_rpcsec_free(struct gssd_env *, struct gssd_rpcsec_ctx *);
struct gssd_rpcsec_ctx *gssd_rpcsec_begin(struct gssd_env *, struct ipc_peer *,
	    struct gssd_rpcsec_reply *);
void	 gssd_rpcsec_reply_init(struct gssd_rpcsec_reply *);

/*
 * SMB's Kerberos inside SPNEGO (RFC 4178, MS-SMB2 3.3.5.5.3): the step
 * of c for the token t; chosen: the index of Kerberos in t->mechs at
 * GSSD_CTX_START.  The identity and the 16-byte session key into c and
 * rep once done, the NegTokenResp in *out (malloc'ed, or NULL).
 * rep->status says how it went.
 */
void	 gssd_krb5_spnego(struct gssd_env *, struct ipc_peer *,
	    struct gssd_ctx *, const struct spnego_token *t, int chosen,
	    struct gssd_accept_reply *, uint8_t **out, size_t *outlen);
/*
 * A bare Kerberos InitialContextToken (RFC 4121 4.1, no SPNEGO): one
 * leg, the AP-REP in *out (malloc'ed, or NULL), rep->status as above.
 */
void	 gssd_krb5_bare(struct gssd_env *, struct ipc_peer *,
	    struct gssd_ctx *, const uint8_t *, size_t,
	    struct gssd_accept_reply *, uint8_t **out, size_t *outlen);
void	 gssd_krb5_ctx_clear(struct gssd_ctx *);

/* initiate.c */
void	 gssd_initiate_pre_init(struct gssd_env *, krb5_principal);
void	 gssd_initiate_post_init(struct gssd_env *);
void	 gssd_initiate_stop(struct gssd_env *);
void	 gssd_initiate_ctx_clear(struct gssd_env *, struct gssd_rpcsec_ctx *);
void	 gssd_rpcsec_initiate(struct ipc_peer *, struct ipc_msg *);
void	 gssd_rpcsec_kdc(struct ipc_peer *, struct ipc_msg *);

#endif
