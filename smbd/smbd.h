/*
 * dittofs-smbd: SMB 2.0.2 to 3.1.1 (MS-SMB2) over direct TCP.
 *
 *   smbd.c     main: config, sockets, lifecycle, status
 *   conn.c     connections: framing, compound chains, credits,
 *              signing, encryption (transforms), replies
 *   proc.c     NEGOTIATE, SESSION_SETUP (through gssd), LOGOFF,
 *              TREE_CONNECT/DISCONNECT, ECHO; the dispatch table
 *   file.c     CREATE, CLOSE, READ, WRITE, FLUSH, QUERY_INFO,
 *              QUERY_DIRECTORY, SET_INFO through blockd
 *   lock.c     LOCK (blocking ones answered async), CANCEL of them,
 *              share modes: byte-range locks and share reservations in
 *              stated's table, smbd's channel to stated and its pushes
 *   ipc.c      IPC$ and its named pipes (srvsvc, wkssvc) carrying
 *              DCE/RPC (dcerpc.c, srvsvc.c, wkssvc.c: dcerpc.h)
 *   durable.c  durable handles v1 and v2, kept in stated
 *   create_ctx.c  CREATE's MxAc, QFid, AlSi, ExtA, AppInstanceId; EAs
 *              through QUERY_INFO and SET_INFO
 *   notify.c   CHANGE_NOTIFY (answered async), fed by blockd's notes of
 *              every protocol's changes
 *   stream.c   alternate data streams as the store's named streams
 *              (smb2_stream.c: their names and FileStreamInformation)
 *   control.c  dittofsctl's listing of sessions, trees and opens
 *   smb2_hdr.c, smb2_negotiate.c, smb2_sign.c, smb2_crypt.c, status.c,
 *   utf16.c, smb2_lock.c, smb2_notify.c, dcerpc.c, srvsvc.c, wkssvc.c:
 *              the pure wire code (smb2.h, smb2_lock.h, smb2_notify.h,
 *              dcerpc.h), tested and fuzzed alone
 */
#ifndef DITTOFS_SMBD_H
#define DITTOFS_SMBD_H

#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/buffer.h>

#include "blockd_client.h"
#include "blockd_msg.h"
#include "connlimit.h"
#include "daemon.h"
#include "gssd_msg.h"
#include "share_rules.h"
#include "smb2.h"
#include "smb2_durable.h"
#include "smb2_lease.h"
#include "smb2_lock.h"
#include "smb2_stream.h"
#include "smb2_tunnel.h"

#define SMBD_SHARES_MAX		256
#define SMBD_SESSIONS_MAX	16	/* per connection */
#define SMBD_CHANNELS_MAX	32	/* per session, its own connection's too */
#define SMBD_TREES_MAX		64	/* per session */
#define SMBD_CHAIN_MAX		64	/* messages in one compound chain */
#define SMBD_FDSTORE_NAME_LEN	64	/* "smbc-PID-SEQ" */
/* A tree connected to IPC$ (smbd_tree.share): no share of env->shares. */
#define SMBD_SHARE_IPC		((size_t)-1)
#define SMBD_NAME_MAX		16	/* the server's name (srvsvc) */
/*
 * CREATE's response: the body, a durable context, a lease, padding, MxAc
 * and QFid (file.c, create_ctx.c).
 */
#define SMBD_CREATE_RSP_MAX	(88 + SMB2_DURABLE_RSP_SIZE + \
				 SMB2_LEASE_RSP_MAX + 8 + 32 + 56)
/* The largest frame beyond the biggest WRITE: headers and buffers. */
#define SMBD_FRAME_SLACK	(128 * 1024)
/* A frame this large is read into its own buffer (smbd_conn_parse). */
#define SMBD_DIRECT_MIN		(64 * 1024)

/* [smbd] encryption and a share's smb encrypt (dittofs.conf(5)). */
enum smbd_encrypt {
	SMBD_ENCRYPT_OFF,	/* no cipher negotiated */
	SMBD_ENCRYPT_ENABLED,	/* a client may encrypt; none must */
	SMBD_ENCRYPT_DESIRED,	/* those that can, do */
	SMBD_ENCRYPT_REQUIRED,	/* those that cannot are refused */
};

struct smbd_share {
	char		*name;
	int		 read_only;
	int		 access_based;	/* access based enumeration */
	/* blockd squashes as these say: MxAc's owner (create_ctx.c) */
	struct share_squash squash;
	enum smbd_encrypt encrypt;
	int		 streams;	/* smb streams: named streams served */
	int		 known;		/* root handle from blockd */
	uint8_t		 root_fh[BD_FH_MAX];
	uint32_t	 root_len;
	uint32_t	 share_id;
};

struct smbd_archiving;
struct smbd_conn;
struct smbd_file;
struct smbd_lockop;
struct smbd_notify;
struct smbd_notify_table;

/* lock.c: the files smbd has open, by stated's file id. */
#define SMBD_FILE_BUCKETS	1024
LIST_HEAD(smbd_file_bucket, smbd_file);
struct dcerpc_conn;

struct smbd_lease;
struct smbd_walk;
struct smbd_orphan;
struct smbd_app_record;
struct smbd_stream_doomed;

struct smbd_env {
	struct daemon		*daemon;
	LIST_HEAD(, smbd_lease)	 leases;	/* lease.c: every lease */
	/* lease.c: SMB changes of leased directories on their way */
	LIST_HEAD(, smbd_dirlease_change) dirlease_changes;
	uint64_t		 next_dirlease_change;
	struct event_base	*base;
	int			 listen_fd;
	unsigned int		 port;
	struct event		*ev_listen;
	struct event		*ev_sweep;
	struct connlimit	*limits;
	struct smbd_share	 shares[SMBD_SHARES_MAX];
	size_t			 nshares;
	struct bdc		*bdc;
	struct ipc_client	*gssd;
	struct ipc_client	*stated;
	int			 stated_cleared;	/* leftovers released */
	struct syncer		*syncer;
	/* file.c: long names of files deleted by their 8.3 names */
	struct smb2_tunnel	 tunnel;
	uint8_t			 server_guid[16];
	/* gssd's SPNEGO hint for NEGOTIATE (0 bytes: the built-in one). */
	uint8_t			 spnego_hint[SMB2_HINT_MAX];
	size_t			 spnego_hint_len;
	char			 server_name[SMBD_NAME_MAX];
	uint64_t		 rpc_calls, rpc_faults;
	/* [smbd] keys */
	uint32_t		 max_read;
	uint32_t		 max_write;
	uint32_t		 max_transact;
	uint32_t		 credits_max;
	int			 signing_required;
	int			 multichannel;	/* [smbd] multichannel */
	enum smbd_encrypt	 encryption;
	uint16_t		 ciphers[SMB2_CIPHERS_MAX];	/* best first */
	size_t			 nciphers;
	size_t			 opens_per_conn;
	size_t			 requests_per_conn;
	size_t			 locks_per_open;
	size_t			 pending_locks_per_conn;
	/* lock.c */
	struct smbd_file_bucket	 files[SMBD_FILE_BUCKETS];
	TAILQ_HEAD(, smbd_lockop) lockops;	/* LOCKs waiting for stated */
	uint64_t		 next_lock_cookie;
	uint64_t		 next_async_id;
	uint64_t		 locks_granted, locks_refused, locks_waited;
	uint64_t		 sharing_violations;
	/* lease.c */
	unsigned int		 break_timeout;	/* [smbd] oplock break timeout */
	uint64_t		 oplock_breaks;
	/* durable.c */
	uint32_t		 durable_timeout_ms;	/* 0: none granted */
	uint64_t		 durable_granted, durable_reconnects;
	uint64_t		 durable_disconnects;
	/* durable.c: delete on close of handles stated released */
	LIST_HEAD(, smbd_durable_doom) dooms;
	uint64_t		 durable_dooms;
	/* stream.c: opens of named streams, on every connection */
	size_t			 stream_opens;
	LIST_HEAD(, smbd_stream_doomed) doomed;	/* deleted, still open */
	/* create_ctx.c: disconnected durable opens' AppInstanceIds */
	LIST_HEAD(, smbd_app_record) app_records;
	size_t			 napp_records;
	/* notify.c */
	struct smbd_notify_table *notify;
	size_t			 notify_buffer;	/* bytes kept per watch */
	size_t			 notifies_per_conn;
	/* counters for dittofsctl status */
	uint64_t		 commands[SMB2_NCOMMANDS];
	uint64_t		 malformed;
	uint64_t		 bad_signatures;
	uint64_t		 decrypted;	/* transforms taken */
	uint64_t		 undecryptable;	/* transforms dropped */
	uint64_t		 unencrypted;	/* refused: not encrypted */
	uint64_t		 logons, logon_failures;
	uint64_t		 binds;		/* channels added */
	uint64_t		 next_session_id;
	uint64_t		 next_file_id;	/* FileIds: unique in smbd */
	uint64_t		 next_conn_serial;
	/* file.c: CREATEs waiting for a sharing violation's H break */
	uint64_t		 next_share_wait;
	TAILQ_HEAD(, smbd_conn)	 conns;
	size_t			 nconns;
	/* fdstore.c: connections in the service manager's store. */
	int			 stopping;
	uint64_t		 fdstore_seq;
	TAILQ_HEAD(, smbd_orphan) orphans;	/* the previous smbd's */
	size_t			 norphans;
	uint64_t		 orphan_bytes;	/* read from them, dropped */
};

struct smbd_tree {
	uint32_t		 id;
	size_t			 share;		/* index in env->shares */
	int			 ipc;		/* IPC$: share is SMBD_SHARE_IPC */
	int			 encrypt_data;	/* SHAREFLAG_ENCRYPT_DATA said */
	TAILQ_ENTRY(smbd_tree)	 entry;
};

enum smbd_session_state {
	SMBD_SESSION_SETUP,	/* authentication under way */
	SMBD_SESSION_VALID,
};

/*
 * MS-SMB2 3.3.1.14: a connection bound to a session of another one
 * (SMB2_SESSION_FLAG_BINDING), with the signing key of its own
 * authentication; SETUP while that authentication goes on.
 */
struct smbd_channel {
	struct smbd_conn	*conn;
	enum smbd_session_state	 state;
	uint64_t		 gss_context;
	int			 gss_pending;
	uint8_t			 preauth[SMB2_PREAUTH_HASH_SIZE];
	uint8_t			 signing_key[SMB2_KEY_SIZE];
	TAILQ_ENTRY(smbd_channel) entry;
};

struct smbd_session {
	uint64_t		 id;
	enum smbd_session_state	 state;
	uint64_t		 gss_context;
	int			 gss_pending;	/* a SESSION_SETUP is with gssd */
	uint8_t			 preauth[SMB2_PREAUTH_HASH_SIZE];
	uint8_t			 signing_key[SMB2_KEY_SIZE];
	int			 has_key;
	int			 signing_required;
	/* Encryption (3.x): the keys, the next nonce, the policy. */
	uint8_t			 encryption_key[SMB2_CIPHER_KEY_MAX];
	uint8_t			 decryption_key[SMB2_CIPHER_KEY_MAX];
	int			 has_cipher_keys;
	uint64_t		 nonce_count;
	uint8_t			 nonce_salt[SMB2_NONCE_SALT_SIZE];
	int			 encrypt_data;	/* SESSION_FLAG_ENCRYPT_DATA */
	int			 guest, anonymous;
	uint32_t		 uid, gid;
	uint32_t		 groups[BD_NGROUPS_MAX];
	uint32_t		 ngroups;
	char			 user[64];
	uint64_t		 expires;	/* the ticket's end, time(); 0 */
	int			 expired_said;	/* logged once */
	TAILQ_HEAD(, smbd_tree)	 trees;
	size_t			 ntrees;
	uint32_t		 next_tree_id;
	/*
	 * Its home: the connection whose lists hold it and its opens, its
	 * first channel (signing_key is this one's).  The session is of the
	 * server: when the home goes, a channel left becomes the home
	 * (smbd_conn_close), and it goes with its last channel.
	 */
	struct smbd_conn	*conn;
	TAILQ_HEAD(, smbd_channel) channels;	/* the other connections' */
	size_t			 nchannels;
	TAILQ_ENTRY(smbd_session) entry;
};

/*
 * Where QUERY_DIRECTORY is in a directory open's listing; a listing
 * works on a copy and leaves it in the open at its answer, so a CLOSE
 * meanwhile does not end it.
 */
struct smbd_dir_cursor {
	uint64_t		 cookie;
	int			 dots;		/* "." and ".." sent: 0, 1, 2 */
	int			 listed;	/* an entry was ever sent */
	int			 eof;
	char			 pattern[BD_NAME_MAX + 1];
};

struct smbd_open {
	uint64_t		 id;		/* FileId, both halves */
	uint64_t		 session_id;
	/*
	 * The connection whose list holds it (its session's home), and
	 * the serial of the channel it was opened on: its breaks go there
	 * while that channel lives (smbd_open_channel).
	 */
	struct smbd_conn	*conn;
	uint64_t		 channel;
	uint32_t		 tree_id;
	size_t			 share;
	uint8_t			 fh[BD_FH_MAX];
	uint32_t		 fhlen;
	uint8_t			 dir_fh[BD_FH_MAX];	/* its parent */
	uint32_t		 dir_fhlen;
	char			 name[BD_NAME_MAX + 1];	/* in its parent */
	/* The 8.3 name it was opened by ("": its name): file.c's tunnel. */
	char			 shortname[SMB2_SHORTNAME_MAX + 1];
	char			*path;		/* from the share's root */
	struct dcerpc_conn	*pipe;		/* a pipe of IPC$ (ipc.c) */
	int			 is_dir;
	int			 data_written;	/* by a WRITE: its close breaks
						   the parent's lease */
	int			 fd;		/* -1: no data access */
	uint32_t		 access;	/* PERM_IO_* of fd */
	uint32_t		 options;	/* CREATE's CreateOptions */
	uint32_t		 desired;	/* CREATE's DesiredAccess */
	uint32_t		 share_access;	/* CREATE's ShareAccess */
	/*
	 * GrantedAccess (3.3.5.9): DesiredAccess with its generic rights
	 * mapped; with MAXIMUM_ALLOWED, the maximal access (create_ctx.c)
	 */
	uint32_t		 granted;
	int			 delete_pending;
	/*
	 * delete_pending set by FileDispositionInformation: the file's
	 * DeletePending (MS-FSA 2.1.5.14.3), which refuses new opens
	 * (STATUS_DELETE_PENDING); FILE_DELETE_ON_CLOSE does not until
	 * its close
	 */
	int			 delete_disposed;
	/* FilePositionInformation, FileModeInformation (MS-FSCC 2.4) */
	uint64_t		 position;
	uint32_t		 mode;
	uint64_t		 alloc;		/* FileAllocationInformation set */
	int			 archived;	/* ARCHIVE asked after a write */
	/* That ARCHIVE, while blockd has not answered it (file.c). */
	struct smbd_archiving	*archiving;
	/*
	 * MS-FSA 2.1.5.14.2: the times this handle set (STORE_SATTR_CTIME,
	 * _MTIME bits), which its later changes keep
	 */
	unsigned int		 user_times;
	bd_time			 user_ctime;
	bd_time			 user_mtime;
	/*
	 * stream.c: a named stream of the file fh names ("" for the file's
	 * own data); fd is the stream's, its share mode and locks its own.
	 */
	char			 stream[SMB2_STREAM_NAME_MAX + 1];
	/*
	 * lock.c: stated's name of the file, its locks, its share mode;
	 * their owner in stated: the session, or the open's own id when it
	 * asked to be durable (durable.c)
	 */
	uint64_t		 owner_id;
	int			 durable;	/* 1, 2: DHnQ, DH2Q granted */
	int			 closed;	/* by CLOSE (not LOGOFF, ...) */
	uint32_t		 durable_timeout_ms;
	uint8_t			 create_guid[SMB2_DURABLE_GUID_SIZE];
	/*
	 * MS-SMB2 3.3.5.15.9: FSCTL_LMR_REQUEST_RESILIENCY granted; kept
	 * in stated as a durable open is (durable is then 1, the timeout
	 * the resiliency's), whatever its oplock
	 */
	int			 resilient;
	uint32_t		 create_action;	/* its CREATE's, for a replay */
	/*
	 * MS-SMB2 3.3.5.9.10: Open.IsReplayEligible, set by its DH2Q
	 * (create_guid is then its CreateGuid, durable or not), cleared
	 * by the first request that names its FileId (smbd_req_open)
	 */
	int			 replay_eligible;
	/*
	 * The user it was opened for: a re-authentication changes its
	 * session's user (MS-SMB2 3.3.5.5.3), not what the open was
	 * granted, so its security descriptor is read and set as that
	 * user (security.c)
	 */
	uint32_t		 uid, gid;
	uint32_t		 groups[BD_NGROUPS_MAX];
	uint32_t		 ngroups;
	/* 3.3.5.2.10: its ChannelSequence and outstanding requests */
	struct smb2_channel_seq	 channel_seq;
	/* 3.3.5.14: Open.LockSequenceArray, in stated's record too */
	struct smb2_lock_sequence lock_sequence;
	/*
	 * create_ctx.c: its AppInstanceId and AppInstanceVersion
	 * (3.3.5.9.13), its EA scan
	 */
	int			 has_app;
	uint8_t			 app_id[16];
	int			 has_app_version;
	uint64_t		 app_version[2];	/* high, low */
	uint32_t		 ea_next;
	struct smbd_file	*file;
	size_t			 nlocks;
	int			 shared;	/* a reservation in stated */
	int			 recalled;	/* its CREATE waited for others'
						   grants: attributes read again */
	/* lease.c: its oplock (SMB2_OPLOCK_LEVEL_*), a grant in stated */
	uint8_t			 oplock;
	int			 oplock_breaking;	/* notified, no ack */
	uint8_t			 oplock_break_to;
	struct smbd_lease	*lease;		/* oplock LEASE: shared */
	int			 grant_held;	/* counted in its file's grants */
	struct smbd_notify	*notify;	/* CHANGE_NOTIFY's watch */
	struct smbd_dir_cursor	 dir;		/* QUERY_DIRECTORY's */
	TAILQ_ENTRY(smbd_open)	 entry;
};

/*
 * lease.c: a lease (MS-SMB2 3.3.1.4), shared by the opens of one client
 * (ClientGuid, and the user) with the same lease key on the same file,
 * whatever their session or connection; one grant in stated, held by
 * owner_id.
 */
struct smbd_lease {
	struct smb2_lease	 l;		/* key, state, epoch, version */
	uint8_t			 client_guid[16];
	uint32_t		 uid;
	uint64_t		 session_id;	/* the session that made it */
	uint64_t		 owner_id;
	uint8_t			 file[16];	/* stated's name (ST_FILE_ID_LEN) */
	unsigned int		 refs;		/* opens */
	LIST_ENTRY(smbd_lease)	 entry;		/* env->leases */
	int			 breaking;	/* notified, ack required */
	uint32_t		 break_to;
	/*
	 * What the conflicts that broke it need it at: a break goes on
	 * down to that once acknowledged (RH to R to none).  While a
	 * break of W goes on so, stated's grant stays recalled
	 * (break_held), and break_sent times the last step.
	 */
	uint32_t		 break_need;
	int			 break_held;
	struct timespec		 break_sent;
	/* A directory's lease: its handle, watched in blockd; else 0. */
	uint8_t			 dir_fh[BD_FH_MAX];
	uint32_t		 dir_fhlen;
};

struct smbd_conn {
	struct smbd_env		*env;
	uint64_t		 serial;	/* unique in smbd */
	int			 fd;
	char			 peer[64];
	struct connlimit_conn	 limit;
	struct event		*ev_read;
	struct event		*ev_write;
	int			 reading;
	struct evbuffer		*in;
	/*
	 * A large frame read straight from the socket into its own buffer
	 * (the evbuffer would copy it once more): pend_have of pend_len
	 * bytes so far.  What the evbuffer holds comes after it.
	 */
	uint8_t			*pend;
	size_t			 pend_len;
	size_t			 pend_have;
	struct evbuffer		*out;
	int			 closing;
	int			 draining;	/* close once out is sent */
	int			 parsing;	/* in smbd_conn_parse */
	unsigned int		 refs;		/* requests in progress + 1 */
	struct smb2_negotiated	 neg;
	struct smb2_credits	 credits;
	uint8_t			 preauth[SMB2_PREAUTH_HASH_SIZE];
	TAILQ_HEAD(, smbd_session) sessions;
	size_t			 nsessions;
	size_t			 nbound;	/* channels of others' sessions */
	TAILQ_HEAD(, smbd_open)	 opens;
	size_t			 nopens;
	size_t			 inflight;	/* chains being answered */
	size_t			 pending_locks;	/* answered STATUS_PENDING */
	size_t			 nwatches;	/* opens with a notify watch */
	size_t			 pending_notifies;	/* ... STATUS_PENDING */
	/* file.c: CREATEs waiting for breaks or grace; answered PENDING */
	LIST_HEAD(, smbd_walk)	 creates;
	size_t			 pending_creates;
	char			 store_name[SMBD_FDSTORE_NAME_LEN]; /* or "" */
	TAILQ_ENTRY(smbd_conn)	 entry;
};

/* One response of a chain, to be signed when the chain is complete. */
struct smbd_rsp {
	size_t		 off, len;
	uint64_t	 session_id;
	int		 sign;
	uint16_t	 algorithm;		/* sign: SMB2_SIGN_* */
	uint8_t		 key[SMB2_KEY_SIZE];	/* sign: the session's */
};

/* A frame being answered: one message, or a compound chain. */
struct smbd_req {
	struct smbd_conn	*conn;
	uint8_t			*frame;
	size_t			 framelen;
	size_t			 off, len;	/* the current message */
	int			 at_end;
	struct smb2_hdr		 hdr;
	const uint8_t		*msg;		/* frame + off */
	int			 signed_ok;	/* its signature was checked */
	/*
	 * file.c: the open whose outstanding requests the current message
	 * counts (3.3.5.2.10), by id, with its ChannelSequence; its answer
	 * takes it off.  csn_off: the message, as off.
	 */
	int			 csn_counted;
	size_t			 csn_off;
	uint64_t		 csn_open;
	uint16_t		 csn;
	/*
	 * A refused bind (proc.c): its answers are signed as the session
	 * of another connection it named signs, its signature verified.
	 */
	int			 bind_sign;
	uint16_t		 bind_algorithm;
	uint8_t			 bind_key[SMB2_KEY_SIZE];
	/*
	 * A bind's MORE_PROCESSING answer (rsp[bind_rsp]) goes into its
	 * channel's preauth hash (3.1.1) as sent: signed (smbd_req_finish).
	 */
	int			 bind_preauth;
	size_t			 bind_rsp;
	int			 encrypted;	/* it came in a transform */
	uint64_t		 enc_session;	/* ... of this session */
	int			 drop;		/* close after the answer */
	/* The answer's encryption, taken when the first reply needs it. */
	int			 seal;
	uint64_t		 seal_session;
	uint8_t			 seal_key[SMB2_CIPHER_KEY_MAX];
	uint8_t			 seal_nonce[16];
	/* related operations (MS-SMB2 3.3.5.2.7.2) */
	uint64_t		 rel_session;
	uint32_t		 rel_tree;
	uint64_t		 rel_file;
	uint32_t		 rel_status;
	/* the answer, built up message by message */
	uint8_t			*out;
	size_t			 outlen, outcap;
	struct smbd_rsp		 rsp[SMBD_CHAIN_MAX];
	size_t			 nrsp;
	int			 running, dispatched, replied;
	/* MS-SMB2 3.3.4.2: the next reply is async (interim or final) */
	uint64_t		 async_id;
	int			 async_final;	/* no credits: the interim's */
	/* lease.c: its change of a leased directory on its way, or 0 */
	uint64_t		 dirlease_change;
	int			 notify_interim;	/* notify.c's, sent */
	int			 uncounted;	/* not in requests per connection */
	/* per-command state of an asynchronous command */
	void			*work;
	void			(*work_free)(void *);
};

/* fdstore.c */
void	 smbd_fdstore_add(struct smbd_conn *);
void	 smbd_fdstore_remove(struct smbd_conn *);
void	 smbd_fdstore_adopt(struct smbd_env *, struct daemon *);
void	 smbd_fdstore_stop(struct smbd_env *);

/* conn.c */
void	 smbd_accept(evutil_socket_t, short, void *);
void	 smbd_sweep(evutil_socket_t, short, void *);
void	 smbd_conn_close(struct smbd_conn *, const char *why);
/* Cipher keys for a session whose key gssd gave: 0, or -1. */
int	 smbd_session_cipher_keys(struct smbd_conn *, struct smbd_session *,
	    const uint8_t *session_key, size_t keylen);
/* Answer the current message (body: the response after its header). */
void	 smbd_reply(struct smbd_req *, uint32_t status, const uint8_t *body,
	    size_t len);
void	 smbd_reply_error(struct smbd_req *, uint32_t status);
void	 smbd_reply_none(struct smbd_req *);
/* Room for a body of len bytes, to be filled and then smbd_reply_in. */
uint8_t	*smbd_reply_room(struct smbd_req *, size_t len);
void	 smbd_reply_in(struct smbd_req *, uint32_t status, size_t len);
/* A malformed request: counted, logged (rate-limited), answered. */
void	 smbd_bad(struct smbd_req *, const char *what);
/* A session of which the connection is a channel (its home or bound). */
struct smbd_session *smbd_session_find(struct smbd_conn *, uint64_t id);
/* A session of any open connection, and its home; or NULL. */
struct smbd_session *smbd_session_lookup(struct smbd_env *, uint64_t id,
	    struct smbd_conn **);
/* The session goes with every channel's view of it (the conn is moot). */
void	 smbd_session_free(struct smbd_conn *, struct smbd_session *);
/* The connection's channel of a session not its home; NULL. */
struct smbd_channel *smbd_channel_find(const struct smbd_session *,
	    const struct smbd_conn *);
/* The signing key of the session on the connection (MS-SMB2 3.3.4.1.1). */
const uint8_t *smbd_session_signing_key(const struct smbd_session *,
	    const struct smbd_conn *);
void	 smbd_channel_free(struct smbd_session *, struct smbd_channel *);
/*
 * The connections whose lists hold what c sees: c, then the homes of
 * the sessions bound to it.  prev NULL for the first; NULL at the end.
 */
struct smbd_conn *smbd_conn_homes(struct smbd_conn *c,
	    struct smbd_conn *prev);
/* The live connection a message about the open (a break) goes on. */
struct smbd_conn *smbd_open_channel(const struct smbd_open *);
/* An open made by a request on c joins its session's home's list. */
void	 smbd_open_insert(struct smbd_conn *c, struct smbd_session *,
	    struct smbd_open *);
struct smbd_tree *smbd_tree_find(struct smbd_session *, uint32_t id);
void	 smbd_tree_free(struct smbd_conn *, struct smbd_session *,
	    struct smbd_tree *);
struct smbd_open *smbd_open_find(struct smbd_conn *, uint64_t id);
void	 smbd_open_free(struct smbd_conn *, struct smbd_open *);
uint64_t smbd_filetime_now(void);
void	 smbd_conn_hold(struct smbd_conn *);
void	 smbd_conn_release(struct smbd_conn *);
/* What an async reply needs of its request (MS-SMB2 3.3.4.2). */
struct smbd_async {
	uint64_t	 async_id;
	uint64_t	 message_id;
	uint64_t	 session_id;
	uint32_t	 tree_id;
	uint16_t	 command;
	uint16_t	 credit_charge;
	uint32_t	 flags;		/* the request's SIGNED */
	int		 encrypted;	/* it came in a transform */
};
/* The current request goes async: a new AsyncId, its interim to send. */
void	 smbd_async_start(struct smbd_req *, struct smbd_async *);
/* The final response of a request answered STATUS_PENDING. */
void	 smbd_reply_async(struct smbd_conn *, const struct smbd_async *,
	    uint32_t status, const uint8_t *body, size_t len);
/*
 * The current request (the last of its chain) goes async, its work
 * going on in the request returned, whose reply is the final response;
 * the caller then answers the current one STATUS_PENDING.  NULL: it
 * stays synchronous.
 */
struct smbd_req *smbd_async_detach(struct smbd_req *, struct smbd_async *);

/* proc.c */
void	 smbd_dispatch(struct smbd_req *);
/* A bind's MORE_PROCESSING answer, signed, into its channel's hash. */
void	 smbd_bind_preauth(struct smbd_req *, const uint8_t *, size_t);
/* The session and tree a request names, checked: NULL after a reply. */
struct smbd_session *smbd_req_session(struct smbd_req *);
struct smbd_tree *smbd_req_tree(struct smbd_req *, struct smbd_session *);
void	 smbd_gssd_start(struct smbd_env *);
/* An IOCTL response's 48 bytes (MS-SMB2 2.2.32), olen output bytes after. */
void	 smbd_ioctl_header(uint8_t *, uint32_t code, const uint8_t *file_id,
	    uint32_t olen);

/* copychunk.c: server-side copy (IOCTL) */
void	 smbd_copychunk_key(struct smbd_req *, struct smbd_session *,
	    uint32_t code);
void	 smbd_copychunk(struct smbd_req *, struct smbd_session *,
	    uint32_t code, int write_only, const uint8_t *in, uint32_t ilen);

/* file.c */
/*
 * A step of CREATE that waits (a break's acknowledgment, stated's grace
 * period) calls this, with its arg, each time before it sets `wake', the
 * timer of its next try: 0 to wait, -1 to stop waiting at once (the
 * CREATE was cancelled, its session or connection went).  The first
 * call sends the interim response (MS-SMB2 3.3.4.2).  NULL: no CREATE.
 */
typedef int	 smbd_create_wait_fn(void *arg, struct event *wake);
/* A CANCEL of a waiting CREATE: 1 when it named one. */
int	 smbd_create_cancel(struct smbd_req *);
/* A durable handle's delete on close done (durable.c): its CREATEs go on. */
void	 smbd_create_doom_done(struct smbd_env *, const uint8_t *file);
/* Session, tree and open of a file command; NULL after a reply. */
struct smbd_open *smbd_file_args(struct smbd_req *, size_t size,
	    size_t fid_off, struct smbd_session **);
/* The open a FileId names (related: CREATE's); NULL after a reply. */
struct smbd_open *smbd_req_open(struct smbd_req *, struct smbd_session *,
	    const uint8_t *fid);
/* The answer of a message that counted as its open's outstanding one. */
void	 smbd_channel_sequence_done(struct smbd_req *);
void	 smbd_create(struct smbd_req *);
void	 smbd_close(struct smbd_req *);
/* CLOSE's response, with the attributes after when a is not NULL. */
void	 smbd_close_reply(struct smbd_req *, const bd_attr *a);
void	 smbd_flush(struct smbd_req *);
void	 smbd_read(struct smbd_req *);
void	 smbd_write(struct smbd_req *);
/*
 * MS-FSA 2.1.4.17: data written through `o' sets ARCHIVE on its file
 * (blockd opened it STORE_IO_ARCHIVE_LATER); asked once, waited for by
 * the open's CLOSE alone.
 */
void	 smbd_archive_written(struct smbd_conn *, struct smbd_session *,
	    struct smbd_open *);
void	 smbd_archive_open_gone(struct smbd_open *);
void	 smbd_query_info(struct smbd_req *);
/* The session's uid, gid and groups as blockd's cred. */
void	 smbd_cred(struct smbd_session *, bd_cred *);
/* The user an open was made for, from its session; as blockd's cred. */
void	 smbd_open_user(struct smbd_open *, const struct smbd_session *);
void	 smbd_open_cred(const struct smbd_open *, bd_cred *);
/* A request naming a file by its handle, as the session. */
void	 smbd_fh_fill(bd_fh_req *, struct smbd_session *, const uint8_t *fh,
	    uint32_t fhlen);
/* QUERY_INFO's response (2.2.38): len bytes, at least fixed fit outmax. */
void	 smbd_query_out(struct smbd_req *, const uint8_t *, size_t len,
	    size_t fixed, uint32_t outmax);
void	 smbd_query_directory(struct smbd_req *);
void	 smbd_set_info(struct smbd_req *);

/* security.c: the security class of QUERY_INFO and SET_INFO */
/*
 * 1 when the open was granted every ACL_* right of want (its
 * GrantedAccess: smbd_open's granted; blockd checks the ACL itself).
 */
int	 smbd_sec_granted(const struct smbd_open *, uint32_t want);
/* The uid and gid are root's as the share squashes them. */
int	 smbd_sec_root(const struct smbd_env *, size_t share, uint32_t uid,
	    uint32_t gid);
/* DesiredAccess with its generic rights mapped (MS-SMB2 2.2.13.1.1). */
uint32_t smbd_desired_granted(uint32_t desired);
void	 smbd_query_security(struct smbd_req *, struct smbd_session *,
	    struct smbd_open *, uint32_t secinfo, uint32_t outmax);
void	 smbd_set_security(struct smbd_req *, struct smbd_session *,
	    struct smbd_open *, uint32_t secinfo, const uint8_t *,
	    uint32_t len);
/* CREATE's SecD context: parsed up front, applied to a created file. */
struct smbd_secd;
uint32_t smbd_secd_parse(const uint8_t *contexts, uint32_t len,
	    int root, struct smbd_secd **);
void	 smbd_secd_free(struct smbd_secd *);
void	 smbd_secd_apply(struct smbd_req *, struct smbd_session *,
	    struct smbd_open *, struct smbd_secd *, const uint8_t *out,
	    size_t outlen);

/* create_ctx.c: MxAc, QFid, AlSi, ExtA, AppInstanceId; EAs */
struct smbd_cctx;
/*
 * The contexts checked; *out NULL when none of these is there and
 * desired (DesiredAccess) has no MAXIMUM_ALLOWED to resolve.
 */
uint32_t smbd_cctx_parse(struct smbd_req *, const uint8_t *contexts,
	    uint32_t len, uint32_t desired, struct smbd_cctx **out);
void	 smbd_cctx_free(struct smbd_cctx *);
/*
 * 3.3.5.9.13: other clients' opens of the path with the id are closed:
 * STATUS_SUCCESS, or STATUS_FILE_FORCED_CLOSED (nothing closed) when
 * one of them has an AppInstanceVersion not below the request's.
 */
uint32_t smbd_cctx_app_close(struct smbd_req *, const struct smbd_cctx *,
	    size_t share, const char *path, int durable_v2);
/* CREATE's response (len bytes at out) with these contexts' part. */
void	 smbd_cctx_answer(struct smbd_req *, struct smbd_open *,
	    struct smbd_cctx *, const bd_attr *, uint32_t action,
	    struct smbd_secd *, uint32_t held, uint32_t held_status,
	    const uint8_t *out, size_t len);
/* 1 when the contexts need the caller's access (MxAc). */
int	 smbd_cctx_wants_access(const struct smbd_cctx *);
/* durable.c: a durable open with an AppInstanceId lost its connection. */
void	 smbd_app_disconnected(struct smbd_conn *, const struct smbd_open *);
/* QUERY_INFO FileEaInformation, FileFullEaInformation; SET_INFO. */
void	 smbd_ea_query(struct smbd_req *, struct smbd_session *,
	    struct smbd_open *, uint8_t class, uint32_t outmax);
/* EaSize (MS-FSCC 2.4.12) of a BD_NAMED_LIST answer: its user EAs. */
uint32_t smbd_ea_size(const bd_named_list_reply *);
void	 smbd_ea_set(struct smbd_req *, struct smbd_session *,
	    struct smbd_open *, const uint8_t *, uint32_t len);

/* lock.c */
void	 smbd_lock(struct smbd_req *);
/* A CANCEL of a pending LOCK: 1 when it named one. */
int	 smbd_lock_cancel(struct smbd_req *);
void	 smbd_stated_start(struct smbd_env *);
/* A request to stated answered ST_REPLY that changes nothing here. */
void	 smbd_stated_tell(struct smbd_env *, uint32_t type, xdrproc_t,
	    const void *req, const char *what);
int	 smbd_stated_ready(const struct smbd_env *);
void	 smbd_lock_init(struct smbd_env *);
/*
 * CREATE's share mode: the open (its id chosen) of the file attr names
 * asks stated for its reservation; done gets STATUS_SUCCESS,
 * STATUS_SHARING_VIOLATION, or another status to answer with.
 */
typedef void	 smbd_share_done_fn(void *arg, uint32_t status);
void	 smbd_share_acquire(struct smbd_conn *, uint64_t session_id,
	    uint64_t file_id, const bd_attr *, uint32_t desired,
	    uint32_t share_access, smbd_share_done_fn *,
	    smbd_create_wait_fn *, void *arg);
/* The open takes its file's lock list (0), or -1: out of memory. */
int	 smbd_file_attach(struct smbd_env *, struct smbd_open *,
	    const bd_attr *);
/* 1 when attr names the open's file. */
int	 smbd_file_same(const struct smbd_open *, const bd_attr *);
/* Its share mode and locks go to stated; its pending LOCKs end. */
void	 smbd_lock_open_gone(struct smbd_conn *, struct smbd_open *);
void	 smbd_lock_session_gone(struct smbd_conn *, struct smbd_session *);
void	 smbd_lock_conn_gone(struct smbd_conn *);
/* A lock stated kept for a reconnected durable open: 0, or -1. */
int	 smbd_lock_restore(struct smbd_open *, uint64_t offset,
	    uint64_t length, int exclusive);
/* READ/WRITE against the file's SMB locks: 1 on a conflict. */
int	 smbd_lock_io_conflict(const struct smbd_open *, uint64_t offset,
	    uint64_t length, int write);
void	 smbd_lock_status(const struct smbd_env *, char *, size_t);
/* The stated file id of the open's file (ST_FILE_ID_LEN), or NULL. */
const uint8_t *smbd_file_id(const struct smbd_open *);
/*
 * lease.c's count of the file's opens that hold an oplock or a lease
 * (held 1) or no longer (0), so that a WRITE with nobody else to break
 * looks no further.
 */
void	 smbd_file_grant_held(struct smbd_open *, int held);
unsigned int smbd_file_grants(const struct smbd_open *);

/* lease.c */
struct st_push;
/*
 * CREATE's breaks waited for, then its oplock, or its lease when it
 * asked one (`lease' not NULL, wanted SMB2_OPLOCK_LEVEL_LEASE): the
 * level granted, o->lease set for a lease.
 */
typedef void	 smbd_lease_done_fn(void *arg, uint8_t level);
/* done's level when the lease key is the client's on another file. */
#define SMBD_LEASE_KEY_ELSEWHERE	0xfe
void	 smbd_lease_open(struct smbd_conn *, struct smbd_open *,
	    uint8_t wanted, const struct smb2_lease *lease, int data,
	    smbd_lease_done_fn *, smbd_create_wait_fn *, void *arg);
/*
 * MS-SMB2 3.3.5.9, MS-FSA 2.1.5.1.2: a CREATE of `o' met a sharing
 * violation: the H of other clients' leases on the file is broken, the
 * disconnected durable opens whose oplock or lease holds it go (stated),
 * and once that is done (acknowledged, or the break timeout) done(arg,
 * 1) to check the share mode again; done(arg, 0) when nothing was
 * there to break.
 */
typedef void	 smbd_lease_sharing_fn(void *arg, int again);
void	 smbd_lease_sharing(struct smbd_conn *, struct smbd_open *,
	    const uint8_t *file, const struct smb2_lease *lease,
	    smbd_lease_sharing_fn *, smbd_create_wait_fn *, void *arg);
void	 smbd_lease_open_gone(struct smbd_env *, struct smbd_open *);
/*
 * Directory leases (MS-SMB2 3.3.5.9.11), broken by blockd's notes of
 * the directory's entries.  A change smbd sends to blockd in directory
 * dir for a client's open is announced first (its id, or 0 when no
 * lease could be spared: one with a ParentLeaseKey) and ended with its
 * reply, so that the client's lease of that key is not broken by it.
 */
void	 smbd_lease_dir_note(struct smbd_env *, const bd_notify *);
void	 smbd_lease_dir_resync(struct smbd_env *);
void	 smbd_lease_dir_announce(struct smbd_env *);
uint64_t smbd_lease_dir_changing(struct smbd_env *, const uint8_t *dir,
	    uint32_t dirlen, uint64_t session_id, const struct smb2_lease *);
void	 smbd_lease_dir_changed(struct smbd_env *, uint64_t id);
uint64_t smbd_lease_dir_quiet(struct smbd_env *, const uint8_t *dir,
	    uint32_t dirlen);
/*
 * MS-FSA 2.1.5.3: data written through `o': the R of the other leases
 * on the file is broken (to none), without waiting.
 */
void	 smbd_lease_written(struct smbd_env *, const struct smbd_open *);
/*
 * MS-FSA 2.1.5.4: `o' deletes its file at its CLOSE: the H of the other
 * leases on the file is broken, without waiting.
 */
void	 smbd_lease_unlinked(struct smbd_env *, const struct smbd_open *);
/* A reconnected durable open's lease, as smbd kept it in stated: 0, -1. */
int	 smbd_lease_restore(struct smbd_env *, struct smbd_open *,
	    const uint8_t *file, const struct smb2_durable_state *);
/* stated's RECALL of an oplock: an st_status for the ACK. */
int	 smbd_lease_recall(struct smbd_env *, const struct st_push *);
void	 smbd_oplock_break(struct smbd_req *);

/* durable.c */
struct st_durable_open;
struct st_durable_lock;
typedef void	 smbd_durable_done_fn(void *arg, int granted);
typedef void	 smbd_durable_reconnect_fn(void *arg, uint32_t status,
	    const struct st_durable_open *, const struct smb2_durable_state *,
	    const struct st_durable_lock *, size_t nlocks);
struct st_push;
uint64_t smbd_durable_new_id(void);
int	 smbd_durable_doomed(struct smbd_env *, const struct st_push *);
int	 smbd_durable_doomed_file(struct smbd_env *, const uint8_t *file);
int	 smbd_durable_id(uint64_t);
void	 smbd_durable_open_gone(struct smbd_conn *, struct smbd_open *);
void	 smbd_durable_register(struct smbd_conn *, struct smbd_session *,
	    const struct smbd_open *, const struct smb2_durable_req *,
	    uint32_t share_access, smbd_durable_done_fn *, void *arg);
void	 smbd_durable_reconnect(struct smbd_conn *, struct smbd_session *,
	    const struct smb2_durable_req *, smbd_durable_reconnect_fn *,
	    void *arg);
void	 smbd_durable_drop(struct smbd_env *, uint64_t id);
void	 smbd_durable_drop_connection(struct smbd_env *, uint64_t id);
void	 smbd_durable_announce(struct smbd_env *);
void	 smbd_durable_oplock_lost(struct smbd_conn *, struct smbd_open *);
void	 smbd_durable_update(struct smbd_conn *, struct smbd_open *);
void	 smbd_durable_ioctl_resiliency(struct smbd_req *,
	    struct smbd_session *, const uint8_t *in, uint32_t len);
void	 smbd_durable_resilient(struct smbd_conn *, struct smbd_session *,
	    struct smbd_open *, uint32_t timeout_ms, smbd_durable_done_fn *,
	    void *arg);

/* notify.c */
void	 smbd_notify_init(struct smbd_env *);
void	 smbd_change_notify(struct smbd_req *);
/* A CANCEL of a pending CHANGE_NOTIFY: 1 when it named one. */
int	 smbd_notify_cancel(struct smbd_req *);
/* Its waiting CHANGE_NOTIFYs end (STATUS_NOTIFY_CLEANUP), its watch. */
void	 smbd_notify_open_gone(struct smbd_conn *, struct smbd_open *);
/* The open moved from one channel's list to another's (its session's). */
void	 smbd_notify_open_moved(struct smbd_open *, struct smbd_conn *from,
	    struct smbd_conn *to);
/* A channel goes: what waits on the homes' watches for it moves there. */
void	 smbd_notify_channel_gone(struct smbd_conn *);
/* blockd's note of a change; notes were missed (ENUM_DIR for all). */
void	 smbd_notify_note(struct smbd_env *, const bd_notify *);
void	 smbd_notify_tree_note(struct smbd_env *, const bd_notify_tree *);
void	 smbd_notify_resync(struct smbd_env *);
void	 smbd_notify_announce(struct smbd_env *);
void	 smbd_notify_status(const struct smbd_env *, char *, size_t);
/* A chain with a CHANGE_NOTIFY's interim in it was sent (or dropped). */
void	 smbd_notify_sent(struct smbd_req *);

/* stream.c */
/*
 * A named stream opened (or made) by CREATE: done gets a status, and on
 * success the file's handle, the stream's attributes (the file's, with
 * the stream's size and an identity of its own for share modes and
 * locks), its fd (-1 never), the PERM_IO_* it was opened for, CREATE's
 * CreateAction, the name as the store keeps it, and truncate: the
 * stream is to be emptied once its share mode is granted.  On failure
 * the struct may be NULL.
 */
struct smbd_stream_opened {
	uint8_t		 fh[BD_FH_MAX];
	uint32_t	 fhlen;
	bd_attr		 attr;
	int		 fd;
	uint32_t	 io;
	uint32_t	 action;
	int		 truncate;
	char		 name[SMB2_STREAM_NAME_MAX + 1];
};
/*
 * The mark a stream's identity carries in its inode number; the file id
 * a client sees is the file's, for its streams too (MS-FSCC 2.4.43).
 */
#define SMBD_STREAM_INO_MARK	((uint64_t)1 << 63)
#define SMBD_FILE_INDEX(ino)	((ino) & ~SMBD_STREAM_INO_MARK)
typedef void	 smbd_stream_done_fn(void *arg, uint32_t status,
	    struct smbd_stream_opened *);
void	 smbd_stream_create(struct smbd_conn *, struct smbd_session *,
	    const uint8_t *dir, uint32_t dirlen, const char *file,
	    const char *stream, uint32_t disposition, uint32_t io,
	    uint32_t attrs, smbd_stream_done_fn *, void *arg);
/* QUERY_INFO's attributes of a stream's open: its size, not the file's. */
void	 smbd_stream_attr(struct smbd_conn *, uint64_t file_id, bd_attr *);
/* QUERY_INFO FileStreamInformation (class 22). */
void	 smbd_stream_query(struct smbd_req *, struct smbd_session *,
	    struct smbd_open *, uint32_t outmax);
/* SET_INFO FileEndOfFileInformation on a stream's open. */
void	 smbd_stream_set_eof(struct smbd_req *, struct smbd_open *,
	    uint64_t size);
/*
 * SET_INFO FileRenameInformation to a ":stream" target, or of a stream:
 * target is the FileName (UTF-16LE, len bytes).
 */
void	 smbd_stream_rename(struct smbd_req *, struct smbd_session *,
	    struct smbd_open *, int replace, const uint8_t *target,
	    uint32_t len);
/*
 * MS-FSA 2.1.5.1.2.1: an overwrite or supersede of a file's data drops
 * its named streams; then done(arg), whatever came of it (logged).
 */
void	 smbd_stream_drop_all(struct smbd_conn *, struct smbd_session *,
	    const uint8_t *fh, uint32_t fhlen, void (*done)(void *),
	    void *arg);
/*
 * 1 when a stream of the file fh names is open without FILE_SHARE_DELETE
 * (on any connection): an open of the file for DELETE is a sharing
 * violation.
 */
int	 smbd_stream_deny_delete(struct smbd_env *, size_t share,
	    const uint8_t *fh, uint32_t fhlen);
/* 1 when a stream of o's file is open (on any connection). */
int	 smbd_stream_open_on(struct smbd_env *, const struct smbd_open *o);
/* CLOSE of a stream's open with delete pending: BD_STREAM_REMOVE. */
/*
 * A file's open with delete pending closed while another open of it
 * stays (of its data or a stream): 1 when its removal waits for the
 * last close (then smbd_stream_open_gone removes it), 0 to remove it
 * now.
 */
int	 smbd_stream_doom(struct smbd_env *, struct smbd_session *,
	    const struct smbd_open *);
/* A CREATE of the name dir, name: 1 if it waits so (DELETE_PENDING). */
int	 smbd_stream_doomed(struct smbd_env *, size_t share,
	    const uint8_t *dir, uint32_t dirlen, const char *name);
/* An open gone (smbd_open_free), while a removal waits. */
void	 smbd_stream_open_gone(struct smbd_env *, const struct smbd_open *);
void	 smbd_stream_close_remove(struct smbd_req *, struct smbd_session *,
	    struct smbd_open *);

/* ipc.c */
/* A command on a tree of IPC$ (or a pipe): 1 when answered here. */
int	 smbd_ipc_dispatch(struct smbd_req *);
void	 smbd_ipc_close_pipe(struct smbd_open *);

/* control.c */
/* SMBD_CTL_SESSIONS (common/smbd_msg.x) */
void	 smbd_ctl_sessions(struct ipc_peer *, struct ipc_msg *);

/* utf16.c: names on the wire (UTF-16LE) and in the store (UTF-8). */
/* -1 for an unpaired surrogate or no room; else the bytes written. */
ssize_t	 smbd_utf16_to_utf8(const uint8_t *, size_t len, char *out,
	    size_t outmax);
ssize_t	 smbd_utf8_to_utf16(const char *, size_t len, uint8_t *out,
	    size_t outmax);

/* smbd.c */
void	 smbd_shares_refresh(struct smbd_env *);
struct ipc_client *smbd_client_new(struct smbd_env *, const char *sock,
	    enum ipc_role, ipc_dispatch_fn *);
/* "off", "enabled", "desired", "required"; -1 for another word. */
int	 smbd_encrypt_parse(const char *, enum smbd_encrypt *);
const char *smbd_encrypt_name(enum smbd_encrypt);

#endif
