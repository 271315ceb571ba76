/*
 * common/rpcsec_gss.h: the RPCSEC_GSS flavour (RFC 2203) on the rpcauth
 * hook, for nfsd.  Context creation (INIT, CONTINUE_INIT) goes to gssd,
 * which alone holds the keytab; it answers with the client's identity
 * and the established context exported, which is imported here so that
 * the per-message work (the header's MIC, integrity, privacy, the reply
 * verifier) costs no IPC.  A call naming a context this process does
 * not know (nfsd restarted) is held while gssd is asked for it once,
 * then accepted again.
 *
 * The per-message work goes through a mechanism table: MIT krb5's
 * GSS-API (rpcsec_gss_krb5.c) in the daemon, a fake one in the tests.
 */
#ifndef DITTOFS_COMMON_RPCSEC_GSS_H
#define DITTOFS_COMMON_RPCSEC_GSS_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "rpcauth.h"
#include "xdrbuf.h"

/* RFC 2203 5: rpc_gss_proc_t */
#define RPCSEC_GSS_DATA			0
#define RPCSEC_GSS_INIT			1
#define RPCSEC_GSS_CONTINUE_INIT	2
#define RPCSEC_GSS_DESTROY		3
#define RPCSEC_GSS_VERS_1		1
/* The sequence window we grant (RFC 2203 5.2.3.1). */
#define RPCSEC_GSS_WINDOW		128
#define RPCSEC_GSS_MIC_MAX		256
#define RPCSEC_GSS_TOKEN_MAX		65536
/* GSS major status codes a reply carries (RFC 2744 3.9.1). */
#define RPCSEC_GSS_S_COMPLETE		0
#define RPCSEC_GSS_S_CONTINUE_NEEDED	1
#define RPCSEC_GSS_S_FAILURE		(13u << 16)
#define RPCSEC_GSS_S_UNAVAILABLE	(16u << 16)

/* RFC 2203 5: rpc_gss_cred_vers_1_t, pointing into the credential. */
struct rpcsec_gss_cred {
	uint32_t	 version;
	uint32_t	 proc;
	uint32_t	 seq;
	uint32_t	 service;
	const uint8_t	*handle;
	uint32_t	 handle_len;
};

/* 0, or -1 when the body is not a version 1 credential (BADCRED). */
int	 rpcsec_gss_cred_decode(const uint8_t *, size_t,
	    struct rpcsec_gss_cred *);

/* A GSS mechanism's per-message work on an imported context. */
struct rpcsec_gss_mech {
	const char	*name;
	/* An exported context (gss_export_sec_context); NULL: refused. */
	void	*(*import)(const uint8_t *, size_t);
	void	 (*release)(void *ctx);
	/* 0, or -1; *len at most max. */
	int	 (*get_mic)(void *ctx, const uint8_t *msg, size_t len,
		    uint8_t *mic, size_t max, size_t *miclen);
	/* 0 when mic is msg's, -1 otherwise. */
	int	 (*verify_mic)(void *ctx, const uint8_t *msg, size_t len,
		    const uint8_t *mic, size_t miclen);
	/* The sealed token of msg appended to out; 0 or -1. */
	int	 (*wrap)(void *ctx, const uint8_t *msg, size_t len,
		    struct xdrbuf_out *out);
	/*
	 * The same of head and msg one after the other (a reply's sequence
	 * number and results, without copying them together); NULL: wrap.
	 */
	int	 (*wrap_head)(void *ctx, const uint8_t *head, size_t headlen,
		    const uint8_t *msg, size_t len, struct xdrbuf_out *out);
	/* The plain text of a sealed token appended to out; 0 or -1. */
	int	 (*unwrap)(void *ctx, const uint8_t *tok, size_t len,
		    struct xdrbuf_out *out);
};

extern const struct rpcsec_gss_mech rpcsec_gss_krb5;
/* The krb5 mechanism's set-up, before a chroot (the GSS mech table). */
void	 rpcsec_gss_krb5_init(void);
/* 1 when a krb5 context's tokens go through OpenSSL (krb5_cfx.c). */
int	 rpcsec_gss_krb5_fast(const void *ctx);

struct rpcsec_gss_stats {
	size_t		contexts;
	uint64_t	created;	/* INITs completed */
	uint64_t	refused;	/* INITs gssd refused */
	uint64_t	fetched;	/* contexts fetched back from gssd */
	uint64_t	destroyed;
	uint64_t	expired;
	uint64_t	dropped;	/* replays, out of the window */
	uint64_t	bad_verf;
	uint64_t	bad_body;	/* krb5i/krb5p bodies that failed */
	uint64_t	limited;	/* INITs over the per-host limit */
};

struct rpcsec_gss;

struct rpcsec_gss *rpcsec_gss_new(const struct rpcsec_gss_mech *);
void	 rpcsec_gss_free(struct rpcsec_gss *);
/* The flavour for rpcsvc_set_flavors; valid until rpcsec_gss_free. */
const struct rpcauth_flavor *rpcsec_gss_flavor(struct rpcsec_gss *);
/*
 * Context creation through gssd at path (expect_uid: gssd's, or -1),
 * at most per_host INITs at once per client address.
 */
int	 rpcsec_gss_use_gssd(struct rpcsec_gss *, struct event_base *,
	    const char *path, long expect_uid, size_t per_host);
void	 rpcsec_gss_set_per_host(struct rpcsec_gss *, size_t);
/*
 * An established context: its handle, its export, its end (seconds
 * since the epoch) and whom it authenticates.  0, or -1 (a bad export,
 * a bad handle, or no room).
 */
int	 rpcsec_gss_add(struct rpcsec_gss *, const uint8_t *handle,
	    size_t handle_len, const uint8_t *exported, size_t exported_len,
	    uint64_t expires, const struct rpc_cred *);
void	 rpcsec_gss_stats_get(const struct rpcsec_gss *,
	    struct rpcsec_gss_stats *);

/*
 * gssd as the GSS initiator toward target ("nfs/HOST@REALM"), for
 * nfsd's NFSv4.0 callbacks (RFC 7530 3.3.3): handle empty and no token
 * first, then the handle of the CONTINUE reply and the acceptor's
 * token.  fn gets gssd's reply (common/gssd_msg.x), or NULL when gssd
 * went away or answered garbage.  0, or -1 (gssd not connected).
 */
struct gssd_rpcsec_reply;
typedef void	 rpcsec_gss_initiate_fn(void *arg,
		    const struct gssd_rpcsec_reply *);
int	 rpcsec_gss_initiate(struct rpcsec_gss *, const uint8_t *handle,
	    size_t handle_len, const char *target, const uint8_t *tok,
	    size_t len, rpcsec_gss_initiate_fn *, void *arg);
/*
 * An established context of g by its handle (RFC 8881 2.10.8.3: the
 * NFSv4.1 backchannel uses a fore channel context in reverse): its
 * mechanism context for rpcsec_gss_mech_of's work, its end and the
 * principal it authenticates; valid until the next call into g.  NULL
 * when g does not hold it or it has expired.
 */
void	*rpcsec_gss_context(struct rpcsec_gss *, const uint8_t *handle,
	    size_t handle_len, uint64_t *expires, const char **principal);
/* The per-message work of g's contexts, for a caller's own. */
const struct rpcsec_gss_mech *rpcsec_gss_mech_of(const struct rpcsec_gss *);

/*
 * rpcsec_gss_clnt.c: the caller's side (nfsd's NFSv4.0 callbacks).  A
 * call's record from its xid on: INIT and CONTINUE_INIT (gss_proc) with
 * no verifier and args as they are (the token, an XDR opaque), DATA
 * with the header's MIC and args under service.  0 or -1.
 */
struct rpcsec_gss_call_head {
	uint32_t	 xid;
	uint32_t	 prog;
	uint32_t	 vers;
	uint32_t	 proc;
	uint32_t	 gss_proc;
	uint32_t	 seq;
	uint32_t	 service;
	const uint8_t	*handle;
	size_t		 handle_len;
};
int	 rpcsec_gss_call_encode(struct xdrbuf_out *,
	    const struct rpcsec_gss_mech *, void *ctx,
	    const struct rpcsec_gss_call_head *, const uint8_t *args,
	    size_t len);
/* A reply, accepted with SUCCESS: its verifier and results (in rec). */
struct rpcsec_gss_reply {
	uint32_t	 verf_flavor;
	const uint8_t	*verf;
	uint32_t	 verf_len;
	const uint8_t	*res;
	size_t		 res_len;
};
int	 rpcsec_gss_reply_decode(const uint8_t *rec, size_t len,
	    struct rpcsec_gss_reply *, const char **why);
struct rpcsec_gss_init_res {
	const uint8_t	*handle;
	uint32_t	 handle_len;
	uint32_t	 major;
	uint32_t	 minor;
	uint32_t	 window;
	const uint8_t	*token;
	uint32_t	 token_len;
};
int	 rpcsec_gss_init_res_decode(const uint8_t *, size_t,
	    struct rpcsec_gss_init_res *);
/* 0 when mic is the MIC of the number v (a window, a sequence number). */
int	 rpcsec_gss_verify_u32(const struct rpcsec_gss_mech *, void *ctx,
	    uint32_t v, const uint8_t *mic, size_t len);
/*
 * A DATA reply's results into out: its verifier (the MIC of seq), the
 * body's checksum or seal and inner sequence number checked.  0, or -1
 * with *why.
 */
int	 rpcsec_gss_reply_results(const struct rpcsec_gss_mech *, void *ctx,
	    uint32_t service, uint32_t seq, const struct rpcsec_gss_reply *,
	    struct xdrbuf_out *out, const char **why);

#endif
