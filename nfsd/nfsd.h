/*
 * dittofs-nfsd: NFSv3 (RFC 1813) and MOUNT v3 over ONC RPC (RFC 5531),
 * served from dittofs-blockd (DESIGN.md sections 2 and 4).
 *
 * One process, one libevent loop, on common/rpcsvc.c: a call is a
 * struct rpcsvc_call (the transport's: record, credential, reply
 * buffer), whose per-call state is a struct nfs_call (what NFS needs in
 * every version: the export, the squashed credential, the handles being
 * resolved) followed by the version's own (struct nfs3_call, v3/nfs3.h;
 * struct mount_call, mount.c).  It lives until its reply is queued: the
 * procedures that need blockd continue in the reply callback of their
 * IPC call.  READ, WRITE and COMMIT on a file whose backing fd is held
 * (fhcache.c) touch no IPC at all.
 */
#ifndef DITTOFS_NFSD_H
#define DITTOFS_NFSD_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "blockd_client.h"
#include "blockd_msg.h"
#include "daemon.h"
#include "rpcauth.h"
#include "rpcmsg.h"
#include "rpcsvc.h"
#include "share_rules.h"
#include "xdrbuf.h"

#define NFS_PROGRAM		100003
#define NFS_V3			3
#define NFS_V4			4
#define MOUNT_PROGRAM		100005
#define MOUNT_V1		1
#define MOUNT_V3		3

/* The largest NFS record we accept: a 1 MiB WRITE plus its arguments. */
#define NFS_RECORD_MAX		(1024 * 1024 + 64 * 1024)
#define MOUNT_RECORD_MAX	(8 * 1024)

#define NFS3_FHSIZE		64
#define NFS3_MAXDATA		(1024 * 1024)
#define NFS3_COOKIEVERFSIZE	8
#define NFS3_WRITEVERFSIZE	8
#define NFS3_CREATEVERFSIZE	8
#define NFS3_NPROC		22
/* NFSv4 op numbers, 3 to 58; 0 counts the ones we do not know. */
#define NFSD_V4_OPS		59
#define MNT_PATH_MAX		1024
#define MNT_NAME_MAX		255

/* export.c: [share NAME] sections; who may use one is share_rules.h. */
struct export {
	char			*name;		/* the share: blockd's name */
	char			*path;		/* what clients mount */
	int			 read_only;
	struct share_squash	 squash;
	struct share_rules	 rules;		/* clients, insecure */
	/* security: the flavours listed (strongest first) and those taken */
	uint32_t		 sec_order[4];
	size_t			 nsec;
	unsigned int		 sec_mask;	/* RPCAUTH_SEC_* */
	const char		*clients_text;	/* rules.clients_text */
	/* From blockd's SHARE_ROOT; valid once root_len > 0. */
	uint8_t			 root_fh[NFS3_FHSIZE];
	size_t			 root_len;
	uint32_t		 share_id;
};

struct export_table {
	struct export		*exports;
	size_t			 nexports;
};

struct conf;
int	 export_table_load(struct export_table *, const struct conf *,
	    char *err, size_t errlen);
void	 export_table_clear(struct export_table *);
void	 export_addr_from_sockaddr(const struct sockaddr *, uint8_t[16]);
int	 export_client_allowed(const struct export *, const uint8_t[16]);
/* Is the source port acceptable (insecure, or below 1024)? */
int	 export_port_allowed(const struct export *, unsigned int port);
/*
 * RFC 2623 2.3: is the call's flavour at least the weakest the share
 * lists ("security")?  A mask test: AUTH_SYS pays one branch.
 */
static inline int
export_security_allowed(const struct export *e, const struct rpcauth_call *c)
{
	return (e->sec_mask & rpcauth_sec_bit(c)) != 0;
}
/* The share's flavours as MOUNT and SECINFO list them (pseudoflavours). */
size_t	 export_flavors(const struct export *, uint32_t out[4]);
struct export *export_by_path(struct export_table *, const char *, size_t);
/*
 * The export a MNT path is in: the longest export path that is the path
 * or ends at one of its '/' ("/export2" is not in "/export").  *rest is
 * the offset of what remains below the export's path.
 */
struct export *export_by_mount_path(struct export_table *, const char *,
	    size_t, size_t *rest);
struct export *export_by_share(struct export_table *, uint32_t share);
/* AUTH_UNIX/AUTH_NULL credentials after root_squash/all_squash. */
void	 export_squash(const struct export *, const struct rpc_cred *,
	    bd_cred *, uint32_t groups[RPC_AUTH_UNIX_GIDS_MAX]);

/*
 * drc.c: duplicate request cache for non-idempotent procedures, behind
 * rpcsvc's reply-cache hook (nfsd.c); it keeps the reply bodies.
 */
/*
 * As knfsd's: the client's address and port, xid, program, version,
 * procedure, and a checksum of the call (drc_call_checksum), so that two
 * clients behind one address (NAT) never get each other's replies.
 */
struct drc_key {
	uint8_t		addr[16];
	uint32_t	port;
	uint32_t	xid;
	uint32_t	prog;
	uint32_t	vers;
	uint32_t	proc;
	uint32_t	args_sum;	/* drc_call_checksum */
};

enum drc_verdict {
	DRC_MISS,		/* new: recorded as in progress */
	DRC_IN_PROGRESS,	/* a retransmission of a running request */
	DRC_HIT,		/* done: replay the saved reply */
};

struct drc;
struct drc	*drc_new(size_t max_entries);
void		 drc_free(struct drc *);
enum drc_verdict drc_lookup(struct drc *, const struct drc_key *,
		    const uint8_t **reply, size_t *len);
void		 drc_complete(struct drc *, const struct drc_key *,
		    const uint8_t *reply, size_t len);
void		 drc_abandon(struct drc *, const struct drc_key *);
/*
 * A completed entry read back from stated: inserted unless the key is
 * known already; either way the entry is marked with stamp (a local
 * completion marks it 0).
 */
int		 drc_restore(struct drc *, const struct drc_key *,
		    const uint8_t *reply, size_t len, uint32_t stamp);
typedef void	 drc_foreach_fn(void *arg, const struct drc_key *,
		    const uint8_t *reply, size_t len, uint32_t stamp);
/* Every completed entry, oldest first. */
void		 drc_foreach_done(struct drc *, drc_foreach_fn *, void *arg);
uint32_t	 drc_checksum(const uint8_t *, size_t);
/*
 * Of a call record that rpcauth_accept accepted: its credential and
 * the first DRC_CHECKSUM_ARGS bytes of its arguments (not the verifier,
 * which a retransmission may change).
 */
#define DRC_CHECKSUM_ARGS	512
uint32_t	 drc_call_checksum(const uint8_t *rec, size_t len,
		    size_t args_off);
size_t		 drc_count(const struct drc *);

/* fhcache.c: handle -> share, attributes and the backing fd. */

struct nfs_attr {
	uint32_t	type;		/* store type */
	uint32_t	mode;
	uint32_t	nlink;
	uint32_t	uid;
	uint32_t	gid;
	uint64_t	size;
	uint64_t	used;
	uint64_t	rdev;
	uint32_t	share;
	uint64_t	ino;
	struct timespec	atime;
	struct timespec	mtime;
	struct timespec	ctime;
	uint32_t	flags;		/* STORE_ATTR_* */
	/* What NFSv4's attributes need beyond NFSv3's. */
	uint32_t	generation;
	uint64_t	change;		/* blockd's; refresh moves it */
	struct timespec	btime;
	uint32_t	dos;
};

struct fhnode {
	uint8_t			 fh[NFS3_FHSIZE];
	size_t			 fhlen;
	uint32_t		 hash;
	struct nfs_attr		 attr;
	/*
	 * attr came from blockd and no notification about the inode came
	 * since: its record fields are current (nfs3.c nfs3_node_attr).
	 */
	int			 valid;
	struct rpcsvc_fd	*io;		/* NULL until OPEN_IO */
	unsigned int		 io_flags;	/* STORE_IO_* it was opened with */
	/*
	 * Data may have been written since the last fsync or fdatasync
	 * of io: COMMIT must sync.  Set when io comes (an earlier fd or
	 * nfsd may have written) and by every UNSTABLE write.
	 */
	int			 unsynced;
	TAILQ_ENTRY(fhnode)	 lru;
	struct fhnode		*next;		/* hash chain */
};

struct fhcache;
struct fhcache	*fhcache_new(size_t max_nodes, size_t max_fds);
void		 fhcache_free(struct fhcache *);
/* Close dropped fds in a loop turn at priority, not at once. */
int		 fhcache_defer_close(struct fhcache *, struct event_base *,
		    int priority);
struct fhnode	*fhcache_get(struct fhcache *, const uint8_t *, size_t);
/* Insert or refresh; the attributes are taken as current. */
struct fhnode	*fhcache_put(struct fhcache *, const uint8_t *, size_t,
		    const struct nfs_attr *);
void		 fhcache_set_io(struct fhcache *, struct fhnode *, int fd,
		    unsigned int flags);
void		 fhcache_drop(struct fhcache *, const uint8_t *, size_t);
/* A notification: the attributes are no longer known to be current. */
void		 fhcache_invalidate(struct fhcache *, const uint8_t *, size_t);
void		 fhcache_drop_all(struct fhcache *);
/*
 * The attributes of a cached handle if they are current: from blockd
 * with no notification since, and for a regular file either unbacked
 * (nothing changes its data attributes without a notification) or
 * refreshed from the fd we hold (data written through a front end's fd
 * shows only in its backing file).  NULL: ask blockd.  settled: current
 * without a look at an fd (every change would have been noted).
 */
int		 fhcache_settled(const struct fhnode *);
const struct nfs_attr *fhcache_current(struct fhnode *);
size_t		 fhcache_count(const struct fhcache *, size_t *nfds);
void		 nfs_attr_from_bd(struct nfs_attr *, const bd_attr *);
/* Data attributes of a regular file from its backing fd. */
int		 nfs_attr_refresh(struct nfs_attr *, int fd);

/* dircache.c: complete directory listings. */
struct dirent_c {
	uint64_t		 ino;
	uint64_t		 cookie;
	uint8_t			 fhlen;
	uint8_t			 fh[NFS3_FHSIZE];
	size_t			 namelen;
	char			 name[];
};

struct dirlist {
	uint64_t		 dir;
	uint8_t			 verf[NFS3_COOKIEVERFSIZE];
	int			 complete;	/* read to eof */
	uint64_t		 parent_ino;	/* "..": 0 if unknown */
	uint8_t			 parent_fh[NFS3_FHSIZE];
	size_t			 parent_fhlen;
	struct dirent_c		**ents;		/* by cookie */
	size_t			 n, cap;
	TAILQ_ENTRY(dirlist)	 lru;
	struct dirlist		*next;		/* hash chain */
};

struct dircache;
struct dircache	*dircache_new(size_t max_entries);	/* 0: off */
void		 dircache_free(struct dircache *);
void		 dircache_add(struct dircache *, uint64_t dir, uint64_t from,
		    const bd_readdir_reply *);
/* The complete listing of dir, or NULL. */
const struct dirlist *dircache_get(struct dircache *, uint64_t dir);
size_t		 dircache_list_after(const struct dirlist *,
		    uint64_t cookie);
void		 dircache_drop(struct dircache *, uint64_t dir);
void		 dircache_drop_all(struct dircache *);
size_t		 dircache_count(const struct dircache *, size_t *nents);

/* namecache.c: (directory inode, name) -> handle, or absent. */
struct namecache;
struct namecache *namecache_new(size_t max);	/* max 0: off */
void		 namecache_free(struct namecache *);
/*
 * 1 and the handle (fhlen 0: the name is absent), or 0 if unknown.
 * caseless: dir's attributes carry STORE_ATTR_CASELESS (names folded).
 */
int		 namecache_get(struct namecache *, uint64_t dir, int caseless,
		    const char *name, size_t len, const uint8_t **fh,
		    size_t *fhlen);
/* fhlen 0: remember that the name is absent. */
void		 namecache_put(struct namecache *, uint64_t dir, int caseless,
		    const char *name, size_t len, const uint8_t *fh,
		    size_t fhlen);
/*
 * A note about the name: forget it (in a complete dir: "unknown"), as
 * it is and folded.
 */
void		 namecache_drop(struct namecache *, uint64_t dir,
		    const char *name, size_t len);
/* dir holds no name without an entry (nfsd just made it, empty). */
void		 namecache_set_complete(struct namecache *, uint64_t dir);
void		 namecache_drop_all(struct namecache *);
size_t		 namecache_count(const struct namecache *);

/* Access by mode bits (the fast path's check); STORE_ACCESS_* bits. */
int		 nfs_attr_permits(const struct nfs_attr *, const bd_cred *,
		    unsigned int want_io);
/* BD_OPEN_IO's flags for want (STORE_IO_READ or _WRITE). */
unsigned int	 nfs_io_flags(unsigned int want);
/* Whether n's fd serves want for cred without asking blockd. */
int		 nfs_io_usable(const struct fhnode *, const bd_cred *,
		    unsigned int want);

struct nfsd_env;
struct nfs4_idmap;
struct nfs4_deleg;
struct nfs41_backs;
struct nfs4_stateid;
struct ipc_msg;
struct nfs4_stateid_cache;
struct nfs41_mirror;

/*
 * The state of a call that every NFS version (and MOUNT) needs: at
 * rpcsvc_call->state, followed by the version's own.
 */
struct nfs_call {
	struct rpcsvc_call	*rpc;
	struct nfsd_env		*env;
	/* Filled while the procedure runs. */
	struct export		*exp;
	bd_cred			 bcred;
	uint32_t		 bgroups[RPC_AUTH_UNIX_GIDS_MAX];
	int			 nfh;		/* handles to resolve */
	int			 nfh_resolved;
	const uint8_t		*fh[2];
	uint32_t		 fhlen[2];
	uint32_t		 share[2];
	struct nfs_attr		 rattr[2];	/* as known when resolved */
	int			 fresh[2];	/* rattr came from blockd now */
};

enum nfsd_read_path {
	NFSD_READ_PREAD,	/* pread into the reply, one writev */
	NFSD_READ_SENDFILE,	/* header by write, data by sendfile */
};

/* blockd_client.c: common/blockd_client.h */

/* stated_client.c: nfsd's side of stated's protocol (the DRC, today). */
struct stated_client;
struct stated_client *stated_client_new(struct nfsd_env *, const char *path);
void		 stated_client_free(struct stated_client *);
void		 stated_client_start(struct stated_client *);
int		 stated_client_ready(const struct stated_client *);
/* Has the reply cache been read back from stated since this start? */
int		 stated_client_drc_loaded(const struct stated_client *);
/*
 * Mirror a completed entry to stated (batched: sent from an event that
 * runs before the loop polls again, then rpcsvc_release_held).  0 when it
 * will be sent, so the caller holds the client's reply until then; -1
 * when it will not (no stated, a reply too large to mirror).
 */
int		 stated_client_drc_put(struct stated_client *,
		    const struct drc_key *, const uint8_t *reply, size_t len);

/* Another request to stated: status 0 and its reply, or -errno. */
typedef void	 stated_client_done_fn(void *arg, int status, void *reply);
void		 stated_client_call(struct stated_client *, uint32_t type,
		    xdrproc_t, const void *, uint32_t rep_type, xdrproc_t,
		    size_t rep_size, stated_client_done_fn *, void *arg);

/* stated's channel, for one-way messages (push ACKs); NULL if away. */
struct ipc_channel *stated_client_channel(struct stated_client *);
/*
 * A one-way message that must reach stated before call's reply leaves
 * (NFSv4.1's SLOT_DONE): gathered with the others of this loop turn
 * into one write by the flush event, the reply held until then; with
 * now, that write is made at once and the reply goes unheld (a large
 * reply, a READ's, should not wait for the rest of the turn's work).
 * 0, or -1 when stated is away (nothing held).
 */
int		 stated_client_send_before(struct stated_client *,
		    struct rpcsvc_call *, uint32_t type, xdrproc_t,
		    const void *, int now);

/*
 * v4/callback.c: delegations, nfsd's side: the NFSv4.0 callback client
 * and the set of files that may have a grant, which every version's
 * changing requests consult before they ask stated (no round trip for
 * a file outside it).  done(arg, delay): 1 while a recall of a grant
 * the request conflicts with is outstanding (NFS4ERR_DELAY,
 * NFS3ERR_JUKEBOX), else 0.
 */
typedef void	 nfs4_deleg_done_fn(void *arg, int delay);
struct nfs4_deleg *nfs4_deleg_new(struct nfsd_env *);
/* v4/dirdeleg.c: made and freed with the delegations (callback.c). */
struct nfs41_dirs;
struct nfs41_dirs *nfs41_dirs_new(struct nfsd_env *);
void		 nfs41_dirs_free(struct nfs41_dirs *);
void		 nfs41_dirs_status(const struct nfsd_env *, char *, size_t);
void		 nfs41_dir_note(struct nfsd_env *, const bd_notify *);
/* v4/proc41.c: [stated] nfsv4.1 slots per session, at start and reload. */
void		 nfs41_slots_configure(struct nfsd_env *, uint32_t);
void		 nfs4_deleg_free(struct nfs4_deleg *);
void		 nfs4_deleg_file_add(struct nfsd_env *, const uint8_t[16],
		    uint32_t level, uint64_t holder);
void		 nfs4_deleg_file_remove(struct nfsd_env *, const uint8_t[16]);
/* A DELEGRETURN of clientid went through: the file's entry as it is now. */
void		 nfs4_deleg_returned(struct nfsd_env *, const uint8_t[16],
		    uint64_t clientid);
int		 nfs4_deleg_maybe(const struct nfsd_env *);
int		 nfs4_deleg_lookup(const struct nfsd_env *, uint32_t share,
		    uint64_t ino, uint8_t id[16]);
/* The same, for a directory with directory delegations alone. */
int		 nfs4_deleg_lookup_kind(const struct nfsd_env *, uint32_t share,
		    uint64_t ino, int dir, uint8_t[16]);
void		 nfs4_deleg_conflict(struct nfsd_env *, const uint8_t[16],
		    int protocol, uint64_t clientid,
		    const struct nfs4_stateid *, int write,
		    nfs4_deleg_done_fn *, void *);
void		 nfs4_deleg_name_gate(struct nfsd_env *, const bd_cred *,
		    const uint8_t *dir, size_t dirlen, const uint8_t *name,
		    size_t namelen, nfs4_deleg_done_fn *, void *);
void		 nfs4_deleg_push(struct nfsd_env *, struct ipc_msg *);
void		 nfs4_deleg_connected(struct nfsd_env *);
void		 nfs4_deleg_status(const struct nfsd_env *, char *, size_t);
/*
 * NFSv4: a share's directory that leads to a share nested in it (its
 * path a strict prefix of that share's), so that a PUTFH of it knows
 * its path and a LOOKUP from it finds the junction (v4/proc.c).
 */
#define NFSD_V4_JUNCTION_DIRS	32
struct nfsd_v4_path {
	uint8_t			 fh[NFS3_FHSIZE];
	size_t			 len;
	char			 path[MNT_PATH_MAX + 1];
};

/* MOUNT's DUMP list entry. */
struct mount_entry {
	char			 host[64];
	char			 path[MNT_PATH_MAX + 1];
	LIST_ENTRY(mount_entry)	 entry;
};

struct nfsd_env {
	struct daemon		*daemon;
	struct event_base	*base;
	struct export_table	 exports;
	/* Listening sockets, bound in pre_init. */
	int			 nfs_tcp;
	int			 mount_tcp;
	int			 mount_udp;
	unsigned int		 nfs_port;
	unsigned int		 mount_port;
	/* The RPC server: NFS and MOUNT on nfs_tcp, MOUNT on mount_*. */
	struct rpcsvc		*svc;
	/* RPCSEC_GSS (common/rpcsec_gss.c), with gssd; NULL without. */
	struct rpcsec_gss	*gss;
	const struct rpcauth_flavor *flavors[4];
	/*
	 * The sockets are watched only once every share's root is known:
	 * until then (a start, a restart) clients wait in the backlog
	 * rather than get a MOUNT they cannot use.
	 */
	size_t			 roots_pending;
	int			 roots_known;	/* all answered once */
	int			 serving;
	/*
	 * ... and once the reply cache is read back from stated, unless
	 * stated stays away longer than NFSD_DRC_WAIT_SECONDS.
	 */
	struct event		*ev_drc_wait;
	int			 drc_wait_over;
	struct bdc		*bdc;
	struct stated_client		*sdc;
	struct fhcache		*fhcache;
	struct namecache	*namecache;
	struct dircache		*dircache;
	struct drc		*drc;
	struct syncer		*syncer;
	uint8_t			 write_verf[NFS3_WRITEVERFSIZE];
	enum nfsd_read_path	 read_path;
	struct rpcbind		*rpcbind;	/* NULL: not registered */
	/* MOUNT's DUMP list: who mounted what. */
	LIST_HEAD(, mount_entry) mounts;
	size_t			 nmounts;
	size_t			 mounts_per_client;	/* [nfsd] keys */
	size_t			 mounts_max;
	/* NFSv4.0 (v4/proc.c) */
	struct nfs4_idmap	*idmap;		/* loaded before the chroot */
	int			 v4_numeric_owners; /* to AUTH_SYS callers */
	time_t			 v4_boot;	/* the pseudo fs's times */
	uint32_t		 v4_lease;	/* seconds, as stated says */
	struct nfs4_deleg	*deleg;		/* v4/callback.c; NULL: off */
	struct nfsd_v4_path	 v4_paths[NFSD_V4_JUNCTION_DIRS];
	size_t			 v4_paths_next;
	/* [nfsd] nfsv4 (read at start), compound ops max, tag max. */
	int			 v4_enabled;
	uint32_t		 v4_ops_max;
	uint32_t		 v4_tag_max;
	/* Stateids stated validated (v4/stateid_cache.c; NULL: off). */
	struct nfs4_stateid_cache *v4_stateids;
	uint64_t		 v4_checks;	/* asked stated (ST_V4_CHECK) */
	uint64_t		 v4_check_hits;	/* answered from the cache */
	uint64_t		 v4_renews;	/* RENEWs sent for the hits */
	uint64_t		 v4_read_file;	/* READ data by the file reply */
	uint64_t		 v4_cache_answers; /* GETATTR, LOOKUP, ACCESS */
	/* NFSv4.1 (v4/proc41.c): [nfsd] nfsv4.1, the sessions' mirror. */
	int			 v41_enabled;
	struct nfs41_mirror	*v41;
	struct nfs41_backs	*v41_back;	/* v4/backchan.c */
	struct nfs41_dirs	*v41_dirs;	/* v4/dirdeleg.c; NULL: off */
	uint32_t		 v41_slots_target; /* [stated] slots per session */
	char			 v41_owner[256];	/* server_owner */
	uint64_t		 v41_loads;	/* sessions loaded from stated */
	uint64_t		 v41_replays;	/* retries from the mirror */
	uint64_t		 v41_slot_dones;
	uint64_t		 v41_slot_dones_lost;	/* stated away */
	/* Calls per NFSv3 procedure, NFSv4 ops per op number (status). */
	uint64_t		 v3_calls[NFS3_NPROC];
	uint64_t		 v4_ops[NFSD_V4_OPS];
};

/* nfsd.c */
#define NFSD_DRC_WAIT_SECONDS	5
/* NFSv4.1 sessions mirrored at once; the least recently used go first. */
#define NFSD_V41_SESSIONS_MAX	4096
void	 nfsd_roots_refresh(struct nfsd_env *);
/* Start serving if everything it waits for is there. */
void	 nfsd_serve_check(struct nfsd_env *);
/*
 * A stable WRITE or a COMMIT, NFSv3's and NFSv4's alike: n's file is
 * synced off the event loop (common/syncer.c, full: fsync, else
 * fdatasync), then done(arg, err) runs on the loop.  n has nothing
 * unsynced from now on unless a write comes meanwhile or the sync
 * fails: nfsd_sync_failed logs that and marks the file unsynced again,
 * found by its handle since n may be gone by then.
 */
/*
 * "name count, ..." of the nonzero counts[0 .. n - 1], or "none", cut
 * short to fit len (the status line's counters).
 */
void	 nfsd_sync(struct nfsd_env *, struct fhnode *, int full,
	    void (*done)(void *, int), void *arg);
void	 nfsd_sync_failed(struct nfsd_env *, const uint8_t *fh,
	    size_t fhlen, const char *peer, const char *what, int err);

/*
 * The call's NFS state (its rpcsvc state), set up for a handler of the
 * programs below; arg is the handler's (the env).
 */
static inline struct nfs_call *
nfs_call_init(struct rpcsvc_call *call, void *arg)
{
	struct nfs_call *r = call->state;

	r->rpc = call;
	r->env = arg;
	return r;
}

/* The reply cache of the programs (drc.c, mirrored to stated). */
extern const struct rpcsvc_cache_ops nfsd_drc_ops;

/* mount.c */
extern const struct rpcsvc_program mount_program;
/* 0 and the path as DUMP lists it, or the mountstat3 refusing it. */
uint32_t mount_path_normalize(const uint8_t *, size_t, char *out,
	    size_t *out_len);

/* The NFS program: version 3 (v3/proc.c) and 4 (v4/proc.c). */
extern const struct rpcsvc_program nfs_program;

/*
 * v4/state.c: stated's pushes about NFSv4 state (st_status of the ACK),
 * and its channel gone (what nfsd cached of its state goes too).
 */
struct st_push;
int	 nfs4_state_push(struct nfsd_env *, const struct st_push *);
void	 nfs4_state_stated_lost(struct nfsd_env *);

/* v3/proc.c */
extern const struct rpcsvc_proc nfs3_rpc_procs[NFS3_NPROC];
void	 nfs3_notify(struct nfsd_env *, const bd_notify *);

#endif
