/*
 * nfsd/v4/proc.h: the NFSv4.0 COMPOUND processor (proc.c), its pseudo
 * file system (pseudo.c) and its calls to stated (state.c).  A call's
 * state is a struct nfs4_call: NFS's (struct nfs_call) followed by the
 * COMPOUND being run: its decoder, the reply being built, the current
 * and saved filehandles, and the op in progress.  Ops run one at a time;
 * an op that asks blockd or stated continues in the reply callback, and
 * the next op is decoded only when the one before succeeded.
 */
#ifndef DITTOFS_NFSD_V4_PROC_H
#define DITTOFS_NFSD_V4_PROC_H

#include "nfsd/nfsd.h"
#include "rpcclnt.h"
#include "nfsd/v4/nfs4.h"
#include "nfsd/v4/stateid41.h"
#include "stated_v4.h"

/* A pseudo node's handle: magic, then a hash of its path (pseudo.c). */
#define NFS4_PSEUDO_MAGIC	"DFv4"
#define NFS4_PSEUDO_FHLEN	12
/* The pseudo file system's fsid (shares: share id, 1). */
#define NFS4_PSEUDO_FSID_MAJOR	0x64667334	/* "dfs4" */

/* A current or saved filehandle. */
struct nfs4_fh {
	int		 set;
	int		 pseudo;	/* a node of the pseudo fs */
	uint8_t		 data[NFS4_FHSIZE];
	uint32_t	 len;
	struct export	*exp;		/* a share's object: its export */
	char		 path[MNT_PATH_MAX + 1];	/* pseudo: its path */
};

/* NFSv4.1: the session a COMPOUND runs in, once SEQUENCE succeeded. */
struct nfs41_call {
	int			 seq;		/* SLOT_DONE due at the end */
	int			 destroyed;	/* DESTROY_SESSION of it ran */
	uint8_t			 sessionid[NFS41_SESSIONID_SIZE];
	uint32_t		 slotid;
	uint32_t		 seqid;
	int			 cachethis;
	uint32_t		 maxcached;
	uint32_t		 maxresp;	/* ca_maxresponsesize */
	uint8_t			 digest[NFS41_DIGEST_SIZE];
	uint64_t		 clientid;	/* the session's */
	struct nfs4_stateid	 cur_stateid;	/* RFC 8881 16.2.3.1.2 */
	int			 have_cur_stateid;
	const uint8_t		*loading;	/* a session being loaded */
	int			 loaded;	/* ... and now mirrored */
	uint32_t		 load_first;
};

/*
 * The filehandles and settable attributes of a COMPOUND: allocated when
 * it starts and freed with its reply, so that the call state every NFS
 * call carries (the program's largest) stays NFSv3's size.
 */
/*
 * NFSv4.1: an op that may change a directory, listed while it runs
 * (dirdeleg.c), so that blockd's notes of it are known as its client's.
 */
struct nfs41_dir_changer {
	TAILQ_ENTRY(nfs41_dir_changer) entry;
	int			 listed;
	uint64_t		 clientid;
	const struct nfs4_fh	*cur;
	const struct nfs4_fh	*saved;		/* RENAME's source */
	const struct nfs4_opaque *cur_name;	/* NULL: SETATTR */
	const struct nfs4_opaque *saved_name;
	uint8_t			 dir[NFS4_FHSIZE];
	uint32_t		 dir_len;
	uint8_t			 saved_dir[NFS4_FHSIZE];
	uint32_t		 saved_dir_len;
};

struct nfs4_work {
	struct nfs4_fh		 cur;
	struct nfs4_fh		 saved;
	struct nfs4_fh		 next;		/* LOOKUP's, CREATE's result */
	struct nfs4_sattr	 sattr;
	/* GETATTR, VERIFY of an object with an ACL of its own. */
	struct nfs4_attr_src	 src;
	struct acl		 acl;
	/* READ last in the COMPOUND: its data by rpcsvc_reply_file. */
	struct rpcsvc_fd	*read_io;
	uint64_t		 read_off;
	uint32_t		 read_len;
	struct nfs41_call	 v41;
	struct nfs41_dir_changer changer;
};

/* An NFSv4 call's state (rpcsvc_call->state). */
struct nfs4_call {
	struct nfs_call		 nfs;		/* first: the same pointer */
	struct xdrbuf_in	 x;
	struct nfs4_compound	 c;
	struct nfs4_compound_out co;
	struct nfs4_op		 op;
	struct nfs4_res		 res;
	struct nfs4_work	*w;
	int			 running;	/* inside nfs4_run's loop */
	int			 finished;	/* the op answered */
	struct xdrbuf_out	 scratch;	/* GETATTR's, READDIR's */
	/* What an op keeps across its calls to blockd and stated. */
	int			 step;
	bd_attr			 attr;
	int			 have_attr;
	uint64_t		 cinfo_before;
	uint64_t		 cinfo_after;
	int			 created;
	uint8_t			 file[16];	/* stated's name of it */
	void			(*checked)(struct nfs4_call *);
	void			(*then)(struct nfs4_call *);
	struct nfs4_stateid	 check_stateid;
	int			 check_io;
	/* The client this COMPOUND proved to be (state.c); 0: none yet. */
	uint64_t		 clientid;
	int			 deleg_gated;	/* GETATTR: checked */
	/* NFSv4.1: a retry's kept reply, to be sent as it is. */
	const uint8_t		*replay;
	size_t			 replay_len;
};

/* proc.c */
extern const struct rpcsvc_proc nfs4_rpc_procs[];
#define NFS4_NPROC		2
void	 nfs4_op_done(struct nfs4_call *, uint32_t status);
/* The op wrote its whole result itself (READ, stateid41.c): go on. */
void	 nfs4_op_next(struct nfs4_call *, uint32_t status);
void	 nfs4_fail(struct nfs4_call *, uint32_t status);
void	 nfs4_bd_fh(bd_fh *, const struct nfs4_fh *);
void	 nfs4_file_id(uint8_t[16], const bd_attr *);
void	 nfs4_sattr_bd(const struct nfs4_sattr *, bd_sattr *);
uint32_t nfs4_lookup_name_check(const struct nfs4_opaque *);
int	 nfs4_cur_from_entry(struct nfs4_call *, const bd_entry_reply *);
void	 nfs4_bd_access(struct nfs4_call *, uint32_t want, bdc_done_fn *);
/* The ACL of the attributes decoded (v->w->sattr) on the current object. */
void	 nfs4_acl_apply(struct nfs4_call *, void (*)(struct nfs4_call *));
/* OPEN from the caches: 1 the file is current, -1 absent, 0 ask blockd. */
int	 nfs4_open_cached(struct nfs4_call *, const struct nfs4_opaque *);
/* 1: the cached mode grants want (ACCESS4_ bits); 0: ask blockd. */
int	 nfs4_access_cached(struct nfs4_call *, uint32_t want);
/* blockd's answer for a name of the current directory, for the caches. */
void	 nfs4_name_learn(struct nfs4_call *, const struct nfs4_opaque *,
	    const uint8_t *fh, size_t fhlen, const bd_attr *dir);

/* The whole reply is a kept one (a v4.1 retry): sent as it is. */
void	 nfs4_answer_replay(struct nfs4_call *, const uint8_t *, size_t);

/* proc41.c: NFSv4.1's session ops and rules. */
void	 nfs41_op_exchange_id(struct nfs4_call *);
void	 nfs41_op_create_session(struct nfs4_call *);
void	 nfs41_op_destroy_session(struct nfs4_call *);
void	 nfs41_op_destroy_clientid(struct nfs4_call *);
void	 nfs41_op_reclaim_complete(struct nfs4_call *);
void	 nfs41_op_sequence(struct nfs4_call *);
void	 nfs41_op_bind_conn(struct nfs4_call *);
void	 nfs41_op_backchannel_ctl(struct nfs4_call *);
uint32_t nfs41_op_prepare(struct nfs4_call *);
void	 nfs41_op_result(struct nfs4_call *);
/* reply: the COMPOUND4res; cacheable: all of it is in reply. */
void	 nfs41_slot_finish(struct nfs4_call *, const uint8_t *reply,
	    size_t len, int cacheable);

/* pseudo.c */
uint64_t nfs4_pseudo_hash(const char *, size_t);
void	 nfs4_pseudo_fh(struct nfs4_fh *, const char *path);
int	 nfs4_pseudo_from_fh(struct nfsd_env *, const uint8_t *, size_t,
	    struct nfs4_fh *);
/* NFS4_OK and next (a pseudo node, or a share's root: next->exp). */
uint32_t nfs4_pseudo_lookup(struct nfsd_env *, const struct nfs4_fh *,
	    const struct nfs4_opaque *, struct nfs4_fh *);
uint32_t nfs4_pseudo_parent(struct nfsd_env *, const char *path,
	    struct nfs4_fh *);
void	 nfs4_pseudo_root(struct nfsd_env *, struct nfs4_fh *);
/* A strict prefix of a share's path that is no share (nor "/"). */
int	 nfs4_pseudo_is_node(struct nfsd_env *, const char *path);
void	 nfs4_pseudo_attr(struct nfsd_env *, const struct nfs4_fh *,
	    struct nfs4_attr_src *);
/* READDIR of a pseudo node: the entries into v->scratch. */
uint32_t nfs4_pseudo_readdir(struct nfs4_call *);
/* May this client go into exp?  NFS4_OK or the refusal. */
uint32_t nfs4_pseudo_enter(struct nfs4_call *, struct export *);

/* callback.c (nfsd.h has the rest) */
void	 nfs4_cb_probe(struct nfsd_env *, uint64_t clientid,
	    const st_v4_callback *);
int	 nfs4_deleg_wanted(const struct nfsd_env *, uint64_t clientid,
	    int write);
void	 nfs4_deleg_callback_state(struct nfsd_env *, uint64_t, int up);
/* The client proved on a connection (peer key and port), 0: none. */
void	 nfs4_deleg_peer_set(struct nfsd_env *, const uint8_t[16],
	    unsigned int port, uint64_t clientid);
uint64_t nfs4_deleg_peer_get(const struct nfsd_env *, const uint8_t[16],
	    unsigned int port);
/*
 * The security of the client's SETCLIENTID (RFC 7530 3.3.3), which its
 * callbacks go under, into the callback stated keeps: RPCSEC_GSS (into
 * gss, which must outlive cb) or AUTH_SYS (none).
 */
void	 nfs4_cb_sec_fill(const struct rpcauth_call *, st_v4_callback *cb,
	    st_v4_cb_gss *gss);

/* cb_gss.c: a callback under RPCSEC_GSS, on its own connection */
struct nfs4_cb_gss;
int	 nfs4_cb_gss_target(const char *principal, char *buf, size_t len);
struct nfs4_cb_gss *nfs4_cb_gss_call(struct nfsd_env *, struct rpcclnt_tcp *,
	    const char *target, uint32_t service, uint32_t prog,
	    uint32_t proc, const uint8_t *args, size_t args_len,
	    unsigned int timeout_ms, rpcclnt_result_fn *, void *arg);
void	 nfs4_cb_gss_free(struct nfs4_cb_gss *);

/* state.c */
/* state.c: the nfsstat4 of a stated call's status and answer. */
uint32_t nfs4_stated_status(int status, uint32_t st);
void	 nfs4_stateid_from_st(struct nfs4_stateid *, const st_v4_stateid *);
/* A request to stated, done(v, status, reply) with its answer. */
void	 nfs4_stated(struct nfs4_call *, uint32_t type, xdrproc_t,
	    const void *, uint32_t rep_type, xdrproc_t, size_t rep_size,
	    stated_client_done_fn *);
/* The RPC credential as stated names a client's principal. */
/* "krb5:PRINCIPAL", "sys:UID" or "none", in NFS4_PRINCIPAL_MAX bytes. */
#define NFS4_PRINCIPAL_MAX	(RPC_AUTH_UNIX_NAME_MAX + 8)
void	 nfs4_principal(const struct nfs4_call *, char *, size_t);
time_t	 nfs4_clock(void);			/* CLOCK_MONOTONIC seconds */
void	 nfs4_op_delegreturn_state(struct nfs4_call *);
/* The current file's attributes (v->attr) and stated's id (v->file), then
 * fn; a failure ends the op. */
void	 nfs4_file_get(struct nfs4_call *, void (*fn)(struct nfs4_call *));
/* RFC 8881 18.49: WANT_DELEGATION (its arguments in op.u.open). */
void	 nfs41_op_want_delegation(struct nfs4_call *);
/*
 * GETATTR of size or change (v->attr known): another client's write
 * delegation of the file is recalled first; 1 if fn runs later (or
 * ran), 0 if there is nothing to wait for.
 */
int	 nfs4_deleg_attr_gate(struct nfs4_call *, void (*fn)(struct nfs4_call *));
/* SETATTR of anything but the size: others' delegations recalled first. */
void	 nfs4_deleg_setattr_gate(struct nfs4_call *, const struct nfs4_stateid *,
	    void (*fn)(struct nfs4_call *));
/* REMOVE (cur, name): recall first, then fn. */
void	 nfs4_deleg_name_check(struct nfs4_call *, const struct nfs4_fh *dir,
	    const struct nfs4_opaque *, void (*fn)(struct nfs4_call *));
/* RENAME: its source (saved, oldname) and target (cur, newname). */
void	 nfs4_deleg_rename_check(struct nfs4_call *,
	    void (*fn)(struct nfs4_call *));
void	 nfs4_op_setclientid(struct nfs4_call *);
void	 nfs4_op_setclientid_confirm(struct nfs4_call *);
void	 nfs4_op_renew(struct nfs4_call *);
void	 nfs4_op_open_state(struct nfs4_call *);
void	 nfs4_op_open_confirm(struct nfs4_call *);
void	 nfs4_op_open_downgrade(struct nfs4_call *);
void	 nfs4_op_close(struct nfs4_call *);
void	 nfs4_op_lock(struct nfs4_call *);
void	 nfs4_op_lockt(struct nfs4_call *);
void	 nfs4_op_locku(struct nfs4_call *);
void	 nfs4_op_release_lockowner(struct nfs4_call *);
/* The stateid of READ, WRITE or SETATTR(size) against the file. */
typedef void nfs4_checked_fn(struct nfs4_call *);
void	 nfs4_stateid_check(struct nfs4_call *, const struct nfs4_stateid *,
	    int io, nfs4_checked_fn *);

/* stateid41.c: RFC 8881 18.48, 18.38 (they decode their own arguments) */
void	 nfs4_op_test_stateid(struct nfs4_call *);
void	 nfs4_op_free_stateid(struct nfs4_call *);
/* proc41.c: the COMPOUND's session's clientid (0: none, no SEQUENCE). */
uint64_t nfs4_call_clientid41(const struct nfs4_call *);
/* stated dropped a session or a client on its own (ST_PUSH_FORGET): the
 * mirror drops it (proc41.c). */
void	 nfs4_session_forget(struct nfsd_env *, const uint8_t sessionid[16]);
uint32_t nfs41_reply_fits(const struct nfs4_call *, size_t more);

/* backchan.c: the NFSv4.1 backchannel (its head comment says how). */
struct rpcsvc_conn;
/* cb_gss41.c: the backchannel under RPCSEC_GSS (its head comment) */
int	 nfs41_cb_gss_pick(struct nfsd_env *, const struct nfs41_cb_sec *);
void	 nfs41_cb_sec_stored(const struct nfs4_opaque *, const char *,
	    uint8_t *, size_t, struct nfs4_opaque *);
void	 nfs41_cb_sec_load(const struct nfs4_opaque *, struct nfs41_cb_sec *);
uint32_t nfs41_cb_sec_check(struct nfsd_env *, struct nfs41_cb_sec *,
	    const char *principal, uint64_t clientid);
int	 nfs41_cb_gss_call(struct nfsd_env *, struct rpcsvc_conn *,
	    const struct nfs41_cb_sec *, int gss, uint32_t *seq,
	    uint64_t clientid, uint32_t prog, uint32_t vers, uint32_t proc,
	    const uint8_t *args, size_t len, rpcsvc_result_fn *, void *arg);
struct nfs41_backs *nfs41_back_new(struct nfsd_env *);
void	 nfs41_back_free(struct nfs41_backs *);
void	 nfs41_back_bind(struct nfsd_env *, const uint8_t *sessionid,
	    uint64_t clientid, struct rpcsvc_conn *, uint32_t cb_program,
	    uint32_t cb_seqid, const struct nfs41_cb_sec *);
/* The mirror holds the connections each session is used over. */
void	 nfs41_conns_init(struct nfsd_env *);
struct ipc_peer;
struct ipc_msg;
/* NFSD_CTL_SESSIONS on nfsd's control socket (dittofsctl v4 sessions). */
void	 nfsd_ctl_sessions(struct ipc_peer *, struct ipc_msg *);
void	 nfs41_back_program(struct nfsd_env *, const uint8_t *sessionid,
	    uint32_t cb_program, const struct nfs41_cb_sec *,
	    const struct nfs4_opaque *);
uint32_t nfs41_back_flags(struct nfsd_env *, const uint8_t *sessionid,
	    uint64_t clientid);
void	 nfs41_back_forget(struct nfsd_env *, const uint8_t *sessionid);
void	 nfs41_back_forget_client(struct nfsd_env *, uint64_t clientid);
int	 nfs41_back_recall(struct nfsd_env *, uint64_t push_id,
	    uint64_t clientid, const uint8_t *stateid_other,
	    const uint8_t *fh, size_t fh_len);
int	 nfs41_back_recall_any(struct nfsd_env *, uint64_t push_id,
	    uint64_t clientid, uint32_t keep);
/* CB_NOTIFY (op: CB_NOTIFY encoded): 0 queued, or -1. */
int	 nfs41_back_notify(struct nfsd_env *, uint64_t clientid,
	    const uint8_t *op, size_t len);
/* CB_RECALL_SLOT to that session: 0 queued, or -1. */
int	 nfs41_back_recall_slot(struct nfsd_env *, const uint8_t *sessionid,
	    uint64_t clientid, uint32_t target_highest_slotid);
void	 nfs41_back_status(const struct nfsd_env *, char *, size_t);

/* dirdeleg.c: NFSv4.1 directory delegations (its head comment says how). */
void	 nfs41_op_get_dir_delegation(struct nfs4_call *);
void	 nfs41_dir_changer_begin(struct nfs4_call *);
void	 nfs41_dir_changer_end(struct nfs4_call *);
void	 nfs41_dir_recall_all(struct nfsd_env *);
void	 nfs41_dir_notify_lost(struct nfsd_env *, uint64_t clientid,
	    const struct nfs4_stateid *);
void	 nfs4_client_forget(struct nfsd_env *, uint64_t clientid);

/*
 * The caller's side of what attr.c encodes: the COMPOUND's minor version,
 * and owner strings as numbers to an AUTH_SYS or AUTH_NONE caller (RFC
 * 7530 5.9; Linux's client sends numbers then and maps names only with
 * an idmapper, so names would leave every inode it looks up invalid) when
 * [nfsd] nfsv4 numeric owners is on; names under RPCSEC_GSS.
 */
static inline void
nfs4_attr_src_caller(const struct nfs4_call *v, struct nfs4_attr_src *s)
{
	const struct rpcauth_flavor *f = v->nfs.rpc->auth.flavor;

	s->minor = v->c.minorversion;
	s->numeric_ids = v->nfs.env->v4_numeric_owners &&
	    (f == NULL || f->flavor != RPCSEC_GSS);
}

#endif
