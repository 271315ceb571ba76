/*
 * smbd's connections (MS-SMB2 2.1, 3.3.5.1, 3.3.5.2): the direct TCP
 * frame (a zero byte, then a 24-bit length), SMB1 NEGOTIATE as the one
 * SMB1 message a client may send (first), compound chains answered
 * message by message (some asynchronously, through blockd or gssd),
 * the credit window, signatures checked and made, SMB3 transforms
 * decrypted and answers encrypted (MS-SMB2 3.3.5.2.1.1, 3.3.4.1.4),
 * requests in the clear refused where encryption was asked for
 * (3.3.5.2.9, 3.3.5.2.11), and the limits: the
 * frame size, chains in progress per connection ([smbd] requests per
 * connection), connections as common/connlimit.c counts them.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "log.h"
#include "smbd.h"
#include "status.h"

#define SMBD_ERROR_BODY		9	/* MS-SMB2 2.2.2 */

static void	smbd_conn_read_cb(evutil_socket_t, short, void *);
static void	smbd_conn_write_cb(evutil_socket_t, short, void *);
static void	smbd_req_run(struct smbd_req *);
static void	smbd_conn_parse(struct smbd_conn *);
static void	smbd_req_finish(struct smbd_req *);
static void	smbd_conn_channels_gone(struct smbd_conn *);

uint64_t
smbd_filetime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec + 11644473600ull) * 10000000ull +
	    (uint64_t)ts.tv_nsec / 100;
}

void
smbd_conn_hold(struct smbd_conn *c)
{
	c->refs++;
}

void
smbd_conn_release(struct smbd_conn *c)
{
	struct smbd_env *env = c->env;
	struct smbd_session *s;
	struct smbd_open *o;

	if (--c->refs > 0)
		return;
	while ((o = TAILQ_FIRST(&c->opens)) != NULL)
		smbd_open_free(c, o);
	while ((s = TAILQ_FIRST(&c->sessions)) != NULL)
		smbd_session_free(c, s);
	TAILQ_REMOVE(&env->conns, c, entry);
	env->nconns--;
	free(c);
}

void
smbd_conn_close(struct smbd_conn *c, const char *why)
{
	if (c->closing)
		return;
	c->closing = 1;
	log_debug("%s: closed: %s", c->peer, why);
	smbd_conn_channels_gone(c);
	event_free(c->ev_read);
	event_free(c->ev_write);
	c->ev_read = c->ev_write = NULL;
	connlimit_release(c->env->limits, &c->limit);
	smbd_fdstore_remove(c);
	close(c->fd);
	c->fd = -1;
	evbuffer_free(c->in);
	evbuffer_free(c->out);
	c->in = c->out = NULL;
	free(c->pend);
	c->pend = NULL;
	/* Its pending LOCKs end; they hold it until stated lets them go. */
	smbd_lock_conn_gone(c);
	smbd_conn_release(c);
}

/* Read while the limits allow: chains in progress, output queued. */
static void
smbd_conn_want_read(struct smbd_conn *c)
{
	int want;

	if (c->closing)
		return;
	want = !c->draining && c->inflight < c->env->requests_per_conn &&
	    connlimit_may_read(c->env->limits, &c->limit);
	if (want && !c->reading)
		event_add(c->ev_read, NULL);
	else if (!want && c->reading)
		event_del(c->ev_read);
	c->reading = want;
}

static void
smbd_conn_send(struct smbd_conn *c, const uint8_t *frame, size_t len)
{
	uint8_t nb[4];

	if (c->closing)
		return;
	nb[0] = 0;
	nb[1] = (uint8_t)(len >> 16);
	nb[2] = (uint8_t)(len >> 8);
	nb[3] = (uint8_t)len;
	if (evbuffer_add(c->out, nb, 4) == -1 ||
	    evbuffer_add(c->out, frame, len) == -1) {
		smbd_conn_close(c, "out of memory");
		return;
	}
	connlimit_out_add(c->env->limits, &c->limit, len + 4);
	smbd_conn_write_cb(c->fd, EV_WRITE, c);
}

static void
smbd_conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smbd_conn *c = arg;
	int n;

	if (c->closing)
		return;
	while (evbuffer_get_length(c->out) > 0) {
		n = evbuffer_write(c->out, c->fd);
		if (n > 0) {
			connlimit_out_done(c->env->limits, &c->limit,
			    (size_t)n);
			connlimit_progress(c->env->limits, &c->limit,
			    connlimit_now());
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		smbd_conn_close(c, "write failed");
		return;
	}
	if (c->draining && evbuffer_get_length(c->out) == 0) {
		smbd_conn_close(c, "refused request sent");
		return;
	}
	if (evbuffer_get_length(c->out) > 0)
		event_add(c->ev_write, NULL);
	smbd_conn_want_read(c);
}

/* Close once what is queued is sent; read nothing more meanwhile. */
static void
smbd_conn_drain(struct smbd_conn *c, const char *why)
{
	if (c->closing)
		return;
	log_debug("%s: closing after the answer: %s", c->peer, why);
	c->draining = 1;
	if (evbuffer_get_length(c->out) == 0) {
		smbd_conn_close(c, why);
		return;
	}
	smbd_conn_want_read(c);
}

void
smbd_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct smbd_env *env = arg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct smbd_conn *c;
	uint8_t addr[16];
	char host[INET6_ADDRSTRLEN] = "?";
	int fd, one = 1;

	fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn_rl("accept");
		return;
	}
	memset(addr, 0, sizeof(addr));
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, &sin->sin_addr, 4);
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		memcpy(addr, &sin6->sin6_addr, 16);
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn_rl("accept: connection");
		close(fd);
		return;
	}
	if (connlimit_admit(env->limits, &c->limit, c, addr,
	    connlimit_now()) != CONNLIMIT_OK) {
		connlimit_refused(env->limits);
		log_warnx_rl("%s: connection refused: [smbd] max connections "
		    "or connections per address reached", host);
		close(fd);
		free(c);
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->env = env;
	c->serial = ++env->next_conn_serial;
	c->fd = fd;
	c->refs = 1;
	snprintf(c->peer, sizeof(c->peer), "%s", host);
	TAILQ_INIT(&c->sessions);
	TAILQ_INIT(&c->opens);
	smb2_credits_init(&c->credits, env->credits_max);
	c->in = evbuffer_new();
	c->out = evbuffer_new();
	c->ev_read = event_new(env->base, fd, EV_READ | EV_PERSIST,
	    smbd_conn_read_cb, c);
	c->ev_write = event_new(env->base, fd, EV_WRITE, smbd_conn_write_cb,
	    c);
	TAILQ_INSERT_TAIL(&env->conns, c, entry);
	env->nconns++;
	if (c->in == NULL || c->out == NULL || c->ev_read == NULL ||
	    c->ev_write == NULL) {
		log_warnx_rl("%s: out of memory", host);
		if (c->in == NULL)
			c->in = evbuffer_new();
		if (c->out == NULL)
			c->out = evbuffer_new();
		smbd_conn_close(c, "out of memory");
		return;
	}
	smbd_fdstore_add(c);
	smbd_conn_want_read(c);
}

/* Connections that made no progress for [smbd] idle timeout seconds. */
void
smbd_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct smbd_env *env = arg;
	struct connlimit_conn *lc;

	while ((lc = connlimit_expired(env->limits, connlimit_now())) != NULL)
		smbd_conn_close(lc->owner, "idle");
}

/* Sessions, trees, opens. */
static struct smbd_session *
smbd_session_home(struct smbd_conn *c, uint64_t id)
{
	struct smbd_session *s;

	TAILQ_FOREACH(s, &c->sessions, entry)
		if (s->id == id)
			return s;
	return NULL;
}

struct smbd_session *
smbd_session_find(struct smbd_conn *c, uint64_t id)
{
	struct smbd_session *s;
	struct smbd_channel *ch;
	struct smbd_conn *hc;

	if ((s = smbd_session_home(c, id)) != NULL)
		return s;
	/* A channel (MS-SMB2 3.3.5.2.9: Session.ChannelList) once bound. */
	if (c->nbound == 0 || c->closing ||
	    (s = smbd_session_lookup(c->env, id, &hc)) == NULL ||
	    (ch = smbd_channel_find(s, c)) == NULL ||
	    ch->state != SMBD_SESSION_VALID)
		return NULL;
	return s;
}

struct smbd_session *
smbd_session_lookup(struct smbd_env *env, uint64_t id, struct smbd_conn **cp)
{
	struct smbd_conn *c;
	struct smbd_session *s;

	TAILQ_FOREACH(c, &env->conns, entry)
		if (!c->closing && (s = smbd_session_home(c, id)) != NULL) {
			*cp = c;
			return s;
		}
	return NULL;
}

struct smbd_channel *
smbd_channel_find(const struct smbd_session *s, const struct smbd_conn *c)
{
	struct smbd_channel *ch;

	TAILQ_FOREACH(ch, &s->channels, entry)
		if (ch->conn == c)
			return ch;
	return NULL;
}

const uint8_t *
smbd_session_signing_key(const struct smbd_session *s,
    const struct smbd_conn *c)
{
	struct smbd_channel *ch;

	if (c != s->conn && (ch = smbd_channel_find(s, c)) != NULL &&
	    ch->state == SMBD_SESSION_VALID)
		return ch->signing_key;
	return s->signing_key;
}

void
smbd_channel_free(struct smbd_session *s, struct smbd_channel *ch)
{
	TAILQ_REMOVE(&s->channels, ch, entry);
	s->nchannels--;
	ch->conn->nbound--;
	OPENSSL_cleanse(ch->signing_key, sizeof(ch->signing_key));
	free(ch);
}

struct smbd_conn *
smbd_conn_homes(struct smbd_conn *c, struct smbd_conn *prev)
{
	struct smbd_conn *h;
	struct smbd_session *s;

	if (prev == NULL)
		return c;
	if (c->nbound == 0)
		return NULL;
	h = prev == c ? TAILQ_FIRST(&c->env->conns) : TAILQ_NEXT(prev, entry);
	for (; h != NULL; h = TAILQ_NEXT(h, entry)) {
		if (h == c || h->closing)
			continue;
		TAILQ_FOREACH(s, &h->sessions, entry)
			if (smbd_channel_find(s, c) != NULL)
				return h;
	}
	return NULL;
}

/*
 * MS-SMB2 3.3.7.1: a connection that goes leaves the sessions it is a
 * channel of; a session whose home it is moves, with its opens, to a
 * channel left (which becomes its home), and goes with the connection
 * (smbd_conn_release) only when none is left.
 */
static void
smbd_conn_channels_gone(struct smbd_conn *c)
{
	struct smbd_env *env = c->env;
	struct smbd_session *s, *snext;
	struct smbd_channel *ch;
	struct smbd_open *o, *onext;
	struct smbd_conn *h, *n;

	smbd_notify_channel_gone(c);
	TAILQ_FOREACH(h, &env->conns, entry) {
		if (c->nbound == 0)
			break;
		TAILQ_FOREACH(s, &h->sessions, entry)
			if ((ch = smbd_channel_find(s, c)) != NULL) {
				log_info("%s: session %016llx: a channel "
				    "gone, %zu left", c->peer,
				    (unsigned long long)s->id, s->nchannels);
				smbd_channel_free(s, ch);
			}
	}
	for (s = TAILQ_FIRST(&c->sessions); s != NULL; s = snext) {
		snext = TAILQ_NEXT(s, entry);
		TAILQ_FOREACH(ch, &s->channels, entry)
			if (ch->state == SMBD_SESSION_VALID &&
			    !ch->conn->closing)
				break;
		if (ch == NULL)
			continue;
		n = ch->conn;
		TAILQ_REMOVE(&c->sessions, s, entry);
		c->nsessions--;
		TAILQ_INSERT_TAIL(&n->sessions, s, entry);
		n->nsessions++;
		s->conn = n;
		memcpy(s->signing_key, ch->signing_key, SMB2_KEY_SIZE);
		smbd_channel_free(s, ch);
		for (o = TAILQ_FIRST(&c->opens); o != NULL; o = onext) {
			onext = TAILQ_NEXT(o, entry);
			if (o->session_id != s->id)
				continue;
			TAILQ_REMOVE(&c->opens, o, entry);
			c->nopens--;
			TAILQ_INSERT_TAIL(&n->opens, o, entry);
			n->nopens++;
			o->conn = n;
			smbd_notify_open_moved(o, c, n);
		}
		log_info("%s: session %016llx: its first channel gone, "
		    "%s's serves it", c->peer, (unsigned long long)s->id,
		    n->peer);
	}
}

void
smbd_session_free(struct smbd_conn *c, struct smbd_session *s)
{
	struct smbd_tree *t;
	struct smbd_channel *ch;

	c = s->conn;
	while ((ch = TAILQ_FIRST(&s->channels)) != NULL)
		smbd_channel_free(s, ch);
	while ((t = TAILQ_FIRST(&s->trees)) != NULL)
		smbd_tree_free(c, s, t);
	smbd_lock_session_gone(c, s);
	TAILQ_REMOVE(&c->sessions, s, entry);
	c->nsessions--;
	OPENSSL_cleanse(s->signing_key, sizeof(s->signing_key));
	OPENSSL_cleanse(s->encryption_key, sizeof(s->encryption_key));
	OPENSSL_cleanse(s->decryption_key, sizeof(s->decryption_key));
	free(s);
}

/*
 * MS-SMB2 3.3.5.5.3: a session of a connection that negotiated a cipher
 * gets its keys.  Its nonces count from a random point (far below
 * 2^64) behind random salt, so no restart reuses one with its key.
 */
int
smbd_session_cipher_keys(struct smbd_conn *c, struct smbd_session *s,
    const uint8_t *key, size_t keylen)
{
	if (c->neg.cipher == 0 || c->neg.dialect < SMB2_DIALECT_300)
		return 0;
	if (smb2_cipher_keys(c->neg.dialect, c->neg.cipher, key, keylen,
	    s->preauth, s->encryption_key, s->decryption_key) == -1 ||
	    RAND_bytes(s->nonce_salt, sizeof(s->nonce_salt)) != 1 ||
	    RAND_bytes((uint8_t *)&s->nonce_count,
	    sizeof(s->nonce_count)) != 1)
		return -1;
	s->nonce_count >>= 1;
	s->has_cipher_keys = 1;
	return 0;
}

/* The key and the next nonce of an answer in this session's name. */
static void
smbd_req_seal(struct smbd_req *r, struct smbd_session *s)
{
	r->seal = 1;
	r->seal_session = s->id;
	memcpy(r->seal_key, s->encryption_key, sizeof(r->seal_key));
	smb2_nonce_make(r->conn->neg.cipher, s->nonce_count++, s->nonce_salt,
	    r->seal_nonce);
}

struct smbd_tree *
smbd_tree_find(struct smbd_session *s, uint32_t id)
{
	struct smbd_tree *t;

	TAILQ_FOREACH(t, &s->trees, entry)
		if (t->id == id)
			return t;
	return NULL;
}

/* A tree's opens close with it (MS-SMB2 3.3.5.8). */
void
smbd_tree_free(struct smbd_conn *c, struct smbd_session *s,
    struct smbd_tree *t)
{
	struct smbd_open *o, *next;

	c = s->conn;
	for (o = TAILQ_FIRST(&c->opens); o != NULL; o = next) {
		next = TAILQ_NEXT(o, entry);
		if (o->session_id == s->id && o->tree_id == t->id)
			smbd_open_free(c, o);
	}
	TAILQ_REMOVE(&s->trees, t, entry);
	s->ntrees--;
	free(t);
}

struct smbd_open *
smbd_open_find(struct smbd_conn *c, uint64_t id)
{
	struct smbd_conn *h;
	struct smbd_open *o;

	for (h = NULL; (h = smbd_conn_homes(c, h)) != NULL; )
		TAILQ_FOREACH(o, &h->opens, entry)
			if (o->id == id && (h == c ||
			    smbd_session_find(c, o->session_id) != NULL))
				return o;
	return NULL;
}

void
smbd_open_insert(struct smbd_conn *c, struct smbd_session *s,
    struct smbd_open *o)
{
	/* Its session gone meanwhile (LOGOFF): the connection's own. */
	struct smbd_conn *h = s != NULL ? s->conn : c;

	o->conn = h;
	o->channel = c->serial;
	TAILQ_INSERT_TAIL(&h->opens, o, entry);
	h->nopens++;
}

struct smbd_conn *
smbd_open_channel(const struct smbd_open *o)
{
	struct smbd_session *s;
	struct smbd_channel *ch;

	if (o->channel == o->conn->serial ||
	    (s = smbd_session_home(o->conn, o->session_id)) == NULL)
		return o->conn;
	TAILQ_FOREACH(ch, &s->channels, entry)
		if (ch->conn->serial == o->channel &&
		    ch->state == SMBD_SESSION_VALID && !ch->conn->closing)
			return ch->conn;
	return o->conn;
}

void
smbd_open_free(struct smbd_conn *c, struct smbd_open *o)
{
	c = o->conn;
	smbd_notify_open_gone(c, o);
	smbd_lock_open_gone(c, o);
	smbd_archive_open_gone(o);
	if (o->fd != -1)
		close(o->fd);
	if (o->pipe != NULL)
		smbd_ipc_close_pipe(o);
	free(o->path);
	TAILQ_REMOVE(&c->opens, o, entry);
	c->nopens--;
	if (o->stream[0] != '\0')
		c->env->stream_opens--;
	if (!LIST_EMPTY(&c->env->doomed))
		smbd_stream_open_gone(c->env, o);
	free(o);
}

/* Replies. */
static int
smbd_out_reserve(struct smbd_req *r, size_t more)
{
	size_t cap;
	uint8_t *p;

	if (r->outlen + more <= r->outcap)
		return 0;
	cap = r->outcap ? r->outcap : 1024;
	while (cap < r->outlen + more)
		cap *= 2;
	if ((p = realloc(r->out, cap)) == NULL)
		return -1;
	r->out = p;
	r->outcap = cap;
	return 0;
}

/* The header of a response to the current message, at r->outlen. */
static uint8_t *
smbd_reply_start(struct smbd_req *r, size_t len)
{
	size_t pad = (8 - (r->outlen & 7)) & 7;

	if (r->nrsp > 0 && pad > 0) {
		if (smbd_out_reserve(r, pad) == -1)
			return NULL;
		memset(r->out + r->outlen, 0, pad);
		r->outlen += pad;
	}
	if (smbd_out_reserve(r, SMB2_HDR_SIZE + len) == -1)
		return NULL;
	return r->out + r->outlen + SMB2_HDR_SIZE;
}

uint8_t *
smbd_reply_room(struct smbd_req *r, size_t len)
{
	return smbd_reply_start(r, len);
}

/* The credits to grant and whether to sign: MS-SMB2 3.3.4.1.1. */
void
smbd_reply_in(struct smbd_req *r, uint32_t status, size_t len)
{
	struct smbd_conn *c = r->conn;
	struct smbd_session *s;
	struct smb2_hdr h;
	struct smbd_rsp *rsp;
	uint8_t *p;

	/* smbd_reply_start padded: outlen is where the header goes. */
	p = r->out + r->outlen;
	memset(&h, 0, sizeof(h));
	h.command = r->hdr.command;
	h.status = status;
	h.credit_charge = r->hdr.credit_charge;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR |
	    (r->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS);
	if (r->async_id != 0) {
		/* MS-SMB2 3.3.4.2: interim (PENDING) or final, async. */
		h.flags |= SMB2_FLAGS_ASYNC_COMMAND;
		h.async_id = r->async_id;
		r->async_id = 0;
	}
	h.message_id = r->hdr.message_id;
	/* The request's, or what SESSION_SETUP and TREE_CONNECT made. */
	h.tree_id = r->rel_tree;
	h.session_id = r->rel_session;
	/* The interim response of an async one granted them. */
	h.credits = r->hdr.command == SMB2_CANCEL || r->async_final ? 0 :
	    smb2_credits_grant(&c->credits, r->hdr.credits);
	smb2_hdr_encode(p, &h);
	rsp = &r->rsp[r->nrsp++];
	rsp->off = r->outlen;
	rsp->len = SMB2_HDR_SIZE + len;
	rsp->session_id = h.session_id;
	rsp->sign = 0;
	s = h.session_id != 0 ? smbd_session_find(c, h.session_id) : NULL;
	if (s != NULL && s->has_key && status != STATUS_USER_SESSION_DELETED &&
	    r->hdr.command != SMB2_NEGOTIATE &&
	    (s->signing_required || (r->hdr.flags & SMB2_FLAGS_SIGNED) ||
	    (r->hdr.command == SMB2_SESSION_SETUP && status == 0 &&
	    c->neg.dialect == SMB2_DIALECT_311 && !s->guest &&
	    !s->anonymous)))
		rsp->sign = 1;
	rsp->algorithm = c->neg.signing_algorithm;
	if (rsp->sign)
		memcpy(rsp->key, smbd_session_signing_key(s, c),
		    SMB2_KEY_SIZE);
	else if (s == NULL && r->bind_sign) {
		rsp->sign = 1;
		rsp->algorithm = r->bind_algorithm;
		memcpy(rsp->key, r->bind_key, SMB2_KEY_SIZE);
	} else if (status == STATUS_USER_SESSION_DELETED &&
	    (r->hdr.flags & SMB2_FLAGS_SIGNED))
		/*
		 * No key to sign with (MS-SMB2 3.3.4.1.1), but the flag a
		 * client that signs wants before it takes the status (a
		 * request on a channel of a session gone, or not yet bound).
		 */
		smb2_put32(p + 16, smb2_get32(p + 16) | SMB2_FLAGS_SIGNED);
	/*
	 * MS-SMB2 3.3.4.1.4: the answer to an encrypted request is
	 * encrypted (sealed when it came); so is every answer in a session
	 * that encrypts but NEGOTIATE's and SESSION_SETUP's, and in a
	 * tree connect that does, TREE_CONNECT's too.  The whole chain goes
	 * in one transform, with the first such answer's session.
	 */
	if (!r->seal && s != NULL && s->has_cipher_keys &&
	    r->hdr.command != SMB2_NEGOTIATE &&
	    r->hdr.command != SMB2_SESSION_SETUP) {
		struct smbd_tree *t = smbd_tree_find(s, h.tree_id);

		if (s->encrypt_data || (r->hdr.command != SMB2_TREE_CONNECT &&
		    t != NULL && t->encrypt_data))
			smbd_req_seal(r, s);
	}
	r->outlen += SMB2_HDR_SIZE + len;
	smbd_channel_sequence_done(r);
	/* The 3.1.1 preauth hash takes responses that continue a setup. */
	if (r->hdr.command == SMB2_SESSION_SETUP &&
	    status == STATUS_MORE_PROCESSING_REQUIRED && s != NULL &&
	    c->neg.preauth)
		(void)smb2_preauth_update(s->preauth, p, SMB2_HDR_SIZE + len);
	if (r->bind_preauth == 1) {
		r->bind_preauth = 2;
		r->bind_rsp = r->nrsp - 1;
	}
	if (r->hdr.command == SMB2_NEGOTIATE && status == 0 && c->neg.preauth)
		(void)smb2_preauth_update(c->preauth, p, SMB2_HDR_SIZE + len);
	/* A failed CREATE fails the related operations after it. */
	if (r->hdr.command == SMB2_CREATE && status != 0)
		r->rel_status = status;
	r->replied = 1;
	if (!r->running)
		smbd_req_run(r);
}

void
smbd_reply(struct smbd_req *r, uint32_t status, const uint8_t *body,
    size_t len)
{
	uint8_t *p = smbd_reply_start(r, len);

	if (p == NULL) {
		smbd_conn_close(r->conn, "out of memory");
		r->at_end = 1;
		r->replied = 1;
		if (!r->running)
			smbd_req_run(r);
		return;
	}
	if (len > 0)
		memcpy(p, body, len);
	smbd_reply_in(r, status, len);
}

/* MS-SMB2 2.2.2: the ERROR response. */
void
smbd_reply_error(struct smbd_req *r, uint32_t status)
{
	uint8_t b[SMBD_ERROR_BODY];

	memset(b, 0, sizeof(b));
	smb2_put16(b, SMBD_ERROR_BODY);
	smbd_reply(r, status, b, sizeof(b));
}

/*
 * MS-SMB2 3.3.4.2: what the final response of the current request needs,
 * with a new AsyncId, which the interim response (the caller's
 * STATUS_PENDING, next) carries too.
 */
void
smbd_async_start(struct smbd_req *r, struct smbd_async *a)
{
	a->async_id = ++r->conn->env->next_async_id;
	a->message_id = r->hdr.message_id;
	a->session_id = r->rel_session;
	a->tree_id = r->rel_tree;
	a->command = r->hdr.command;
	a->credit_charge = r->hdr.credit_charge;
	a->flags = r->hdr.flags & SMB2_FLAGS_SIGNED;
	a->encrypted = r->encrypted;
	r->async_id = a->async_id;
}

/*
 * A request of its own for the final response of one answered
 * STATUS_PENDING (MS-SMB2 3.3.4.2): signed as its session signs, sealed
 * as its request came, sent as any response is; counted in [smbd]
 * requests per connection or not.
 */
static struct smbd_req *
smbd_async_req_new(struct smbd_conn *c, const struct smbd_async *a,
    int counted)
{
	struct smbd_session *s;
	struct smbd_req *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->conn = c;
	c->refs++;
	r->uncounted = !counted;
	if (counted) {
		c->inflight++;
		connlimit_inflight(c->env->limits, &c->limit, 1,
		    connlimit_now());
	}
	r->hdr.command = a->command;
	r->hdr.message_id = a->message_id;
	r->hdr.credit_charge = a->credit_charge;
	r->hdr.flags = a->flags & SMB2_FLAGS_SIGNED;
	r->hdr.session_id = a->session_id;
	r->rel_session = a->session_id;
	r->rel_tree = a->tree_id;
	r->async_id = a->async_id;
	r->async_final = 1;
	/* Sealed as its request came (3.3.4.1.4), as the interim went. */
	if (a->encrypted && (s = smbd_session_find(c, a->session_id)) !=
	    NULL && s->has_cipher_keys)
		smbd_req_seal(r, s);
	r->dispatched = 1;
	r->at_end = 1;
	return r;
}

/*
 * The final response of a request answered STATUS_PENDING earlier.
 * Called from the loop, never from inside another request: finishing it
 * reads the frames buffered meanwhile.
 */
void
smbd_reply_async(struct smbd_conn *c, const struct smbd_async *a,
    uint32_t status, const uint8_t *body, size_t len)
{
	struct smbd_req *r;

	if (c->closing)
		return;
	if ((r = smbd_async_req_new(c, a, 1)) == NULL) {
		smbd_conn_close(c, "out of memory");
		return;
	}
	r->running = 1;
	smbd_reply(r, status, body, len);
	r->running = 0;
	smbd_req_finish(r);
}

/*
 * MS-SMB2 3.3.4.2: the current request, the last of its chain, goes
 * async while its work goes on.  Its work moves to a request of its own,
 * returned, whose reply (from the loop, later) is the final response:
 * no credits (the interim granted them), signed or sealed as the
 * request was.  That one is not counted in [smbd] requests per
 * connection: the connection reads on, for the CANCEL of it or for what
 * it waits for.  The caller points its work at the new request, then
 * answers r STATUS_PENDING, which may run the requests read meanwhile.
 * NULL (out of memory): r stays as it was, synchronous.
 */
struct smbd_req *
smbd_async_detach(struct smbd_req *r, struct smbd_async *a)
{
	struct smbd_req *n;

	smbd_async_start(r, a);
	if ((n = smbd_async_req_new(r->conn, a, 0)) == NULL) {
		r->async_id = 0;
		return NULL;
	}
	n->work = r->work;
	n->work_free = r->work_free;
	r->work = NULL;
	r->work_free = NULL;
	return n;
}

/* CANCEL has no response (MS-SMB2 3.3.5.16). */
void
smbd_reply_none(struct smbd_req *r)
{
	r->replied = 1;
	if (!r->running)
		smbd_req_run(r);
}

void
smbd_bad(struct smbd_req *r, const char *what)
{
	r->conn->env->malformed++;
	log_warnx_rl("%s: %s: malformed %s", r->conn->peer,
	    smb2_command_name(r->hdr.command), what);
	smbd_reply_error(r, STATUS_INVALID_PARAMETER);
}

static void
smbd_req_free(struct smbd_req *r)
{
	struct smbd_conn *c = r->conn;

	if (r->work_free != NULL && r->work != NULL)
		r->work_free(r->work);
	free(r->frame);
	free(r->out);
	if (!r->uncounted) {
		c->inflight--;
		if (!c->closing)
			connlimit_inflight(c->env->limits, &c->limit, -1,
			    connlimit_now());
	}
	free(r);
	smbd_conn_parse(c);
	smbd_conn_want_read(c);
	smbd_conn_release(c);
}

/* The chain is answered: NextCommand set, signatures made, sent. */
static void
smbd_req_finish(struct smbd_req *r)
{
	struct smbd_conn *c = r->conn;
	uint8_t *sealed;
	size_t i, pad;

	/*
	 * Each response of a chain starts 8-byte aligned (MS-SMB2
	 * 3.3.4.1.3); the last one is padded as well, as Windows pads it.
	 * A response alone is not.
	 */
	pad = (8 - (r->outlen & 7)) & 7;
	if (r->nrsp > 1 && pad > 0 && smbd_out_reserve(r, pad) == 0) {
		memset(r->out + r->outlen, 0, pad);
		r->outlen += pad;
		r->rsp[r->nrsp - 1].len += pad;
	}
	for (i = 0; i + 1 < r->nrsp; i++)
		smb2_put32(r->out + r->rsp[i].off + 20,
		    (uint32_t)(r->rsp[i + 1].off - r->rsp[i].off));
	/* Encrypted answers are not signed as well (3.3.4.1.1). */
	for (i = 0; i < r->nrsp && !r->seal; i++) {
		struct smbd_rsp *rsp = &r->rsp[i];
		size_t len = i + 1 < r->nrsp ? r->rsp[i + 1].off - rsp->off :
		    rsp->len;

		if (!rsp->sign)
			continue;
		smb2_put32(r->out + rsp->off + 16,
		    smb2_get32(r->out + rsp->off + 16) | SMB2_FLAGS_SIGNED);
		if (smb2_sign(rsp->algorithm, rsp->key, r->out + rsp->off,
		    len) == -1)
			log_warnx("%s: signing failed", c->peer);
		OPENSSL_cleanse(rsp->key, sizeof(rsp->key));
	}
	for (i = 0; i < r->nrsp; i++)
		OPENSSL_cleanse(r->rsp[i].key, sizeof(r->rsp[i].key));
	if (r->bind_preauth == 2)
		smbd_bind_preauth(r, r->out + r->rsp[r->bind_rsp].off,
		    r->rsp[r->bind_rsp].len);
	if (r->outlen > 0 && r->seal) {
		if ((sealed = malloc(SMB2_TRANSFORM_SIZE + r->outlen)) == NULL)
			smbd_conn_close(c, "out of memory");
		else if (smb2_encrypt(c->neg.cipher, r->seal_key, r->seal_nonce,
		    r->seal_session, r->out, r->outlen, sealed) == -1) {
			log_warnx("%s: encryption failed", c->peer);
			smbd_conn_close(c, "encryption failed");
		} else
			smbd_conn_send(c, sealed, SMB2_TRANSFORM_SIZE +
			    r->outlen);
		free(sealed);
	} else if (r->outlen > 0)
		smbd_conn_send(c, r->out, r->outlen);
	OPENSSL_cleanse(r->seal_key, sizeof(r->seal_key));
	if (r->notify_interim)
		smbd_notify_sent(r);
	if (r->drop)
		smbd_conn_drain(c, "a request in the clear where encryption "
		    "was asked for");
	smbd_req_free(r);
}

/*
 * MS-SMB2 3.3.5.2.4: a signed request is checked with its session's
 * key; a session that requires signing takes no unsigned request.
 * 0, or the status to answer with.
 */
static uint32_t
smbd_req_verify(struct smbd_req *r)
{
	struct smbd_conn *c = r->conn;
	struct smbd_session *s;
	uint64_t sid = r->hdr.session_id;

	if (r->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS)
		sid = r->rel_session;
	/* The transform's tag vouched for it (3.3.5.2.4). */
	if (r->encrypted)
		return 0;
	if (r->hdr.command == SMB2_NEGOTIATE || sid == 0 ||
	    (s = smbd_session_find(c, sid)) == NULL)
		return 0;
	if (!(r->hdr.flags & SMB2_FLAGS_SIGNED)) {
		if (s->signing_required && s->state == SMBD_SESSION_VALID &&
		    r->hdr.command != SMB2_SESSION_SETUP &&
		    r->hdr.command != SMB2_ECHO &&
		    r->hdr.command != SMB2_CANCEL)
			return STATUS_ACCESS_DENIED;
		return 0;
	}
	if (!s->has_key)
		return 0;
	if (smb2_verify(c->neg.signing_algorithm,
	    smbd_session_signing_key(s, c), r->msg, r->len) == -1) {
		c->env->bad_signatures++;
		log_warnx_rl("%s: %s: bad signature", c->peer,
		    smb2_command_name(r->hdr.command));
		return STATUS_ACCESS_DENIED;
	}
	r->signed_ok = 1;
	return 0;
}

/*
 * MS-SMB2 3.3.5.2.9, 3.3.5.2.11: a session or tree connect that said
 * it encrypts takes no request in the clear (CANCEL aside, which has
 * no answer): ACCESS_DENIED, then the connection goes, as a client
 * that ignores what it was told is not one to keep serving.  Inside a
 * transform every message is of the transform's session.  0, or the
 * status to answer with.
 */
static uint32_t
smbd_req_encryption(struct smbd_req *r)
{
	struct smbd_conn *c = r->conn;
	struct smbd_session *s;
	struct smbd_tree *t;
	uint16_t cmd = r->hdr.command;

	if (r->encrypted) {
		if (r->rel_session == r->enc_session)
			return 0;
		c->env->malformed++;
		log_warnx_rl("%s: %s of session %016llx in a transform of "
		    "session %016llx: refused", c->peer,
		    smb2_command_name(cmd),
		    (unsigned long long)r->rel_session,
		    (unsigned long long)r->enc_session);
		return STATUS_ACCESS_DENIED;
	}
	if (cmd == SMB2_NEGOTIATE || cmd == SMB2_SESSION_SETUP ||
	    cmd == SMB2_CANCEL || r->rel_session == 0 ||
	    (s = smbd_session_find(c, r->rel_session)) == NULL ||
	    s->state != SMBD_SESSION_VALID)
		return 0;
	if (!s->encrypt_data && (cmd == SMB2_TREE_CONNECT ||
	    (t = smbd_tree_find(s, r->rel_tree)) == NULL || !t->encrypt_data))
		return 0;
	c->env->unencrypted++;
	log_warnx_rl("%s: %s in the clear in a %s that encrypts: "
	    "ACCESS_DENIED, connection closed", c->peer,
	    smb2_command_name(cmd), s->encrypt_data ? "session" :
	    "tree connect");
	r->drop = 1;
	return STATUS_ACCESS_DENIED;
}

/* Check and dispatch the current message; 0, or -1 to drop the conn. */
static int
smbd_req_one(struct smbd_req *r)
{
	struct smbd_conn *c = r->conn;
	uint16_t charge;
	uint32_t st;

	r->msg = r->frame + r->off;
	if (smb2_hdr_decode(r->msg, r->len, &r->hdr) == -1)
		return -1;
	if (r->hdr.flags & SMB2_FLAGS_SERVER_TO_REDIR)
		return -1;
	/*
	 * The first message of a chain has nothing to relate to: it fails
	 * (INVALID_PARAMETER, below), and so do related ones after it.
	 */
	if (r->nrsp == 0 && (r->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS)) {
		r->rel_session = r->hdr.session_id;
		r->rel_tree = r->hdr.tree_id;
		r->rel_file = UINT64_MAX;
		r->rel_status = STATUS_INVALID_PARAMETER;
	} else if (!(r->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS)) {
		r->rel_session = r->hdr.session_id;
		r->rel_tree = r->hdr.tree_id;
		r->rel_file = UINT64_MAX;
		r->rel_status = 0;
	}
	/* MS-SMB2 3.3.5.2.3: the ids it uses must be in the window. */
	charge = c->neg.dialect == SMB2_DIALECT_202 ? 1 :
	    r->hdr.credit_charge;
	if (r->hdr.command != SMB2_CANCEL &&
	    smb2_credits_take(&c->credits, r->hdr.message_id, charge) == -1) {
		c->env->malformed++;
		log_warnx_rl("%s: message id %llu (charge %u) outside the "
		    "credit window", c->peer,
		    (unsigned long long)r->hdr.message_id, charge);
		return -1;
	}
	if (r->hdr.command < SMB2_NCOMMANDS)
		c->env->commands[r->hdr.command]++;
	if (c->neg.dialect == 0 && r->hdr.command != SMB2_NEGOTIATE) {
		smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return 0;
	}
	if ((st = smbd_req_verify(r)) != 0 ||
	    (st = smbd_req_encryption(r)) != 0) {
		smbd_reply_error(r, st);
		return 0;
	}
	/*
	 * A related operation after a failed CREATE (or at the head of the
	 * chain) fails alike (MS-SMB2 3.3.5.2.7.2), a command that does not
	 * exist before that.
	 */
	if ((r->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS) &&
	    r->rel_status != 0 && r->hdr.command < SMB2_NCOMMANDS) {
		smbd_reply_error(r, r->rel_status);
		return 0;
	}
	smbd_dispatch(r);
	return 0;
}

static void
smbd_req_run(struct smbd_req *r)
{
	int k;

	r->running = 1;
	while (!r->at_end && !r->conn->closing) {
		if (!r->dispatched) {
			r->dispatched = 1;
			r->replied = 0;
			if (r->nrsp >= SMBD_CHAIN_MAX ||
			    smbd_req_one(r) == -1) {
				smbd_conn_close(r->conn, "malformed message");
				break;
			}
			if (!r->replied) {
				r->running = 0;
				return;		/* answered later */
			}
		}
		if (r->work_free != NULL && r->work != NULL)
			r->work_free(r->work);
		r->work = NULL;
		r->work_free = NULL;
		r->dispatched = 0;
		k = smb2_chain_next(r->frame, r->framelen, &r->off, &r->len);
		if (k == -1) {
			r->conn->env->malformed++;
			log_warnx_rl("%s: a compound chain's NextCommand points "
			    "past the frame", r->conn->peer);
			smbd_conn_close(r->conn, "bad compound chain");
			break;
		}
		if (k == 0)
			r->at_end = 1;
	}
	r->running = 0;
	smbd_req_finish(r);
}

/* MS-SMB2 3.3.5.3: SMB1 NEGOTIATE, the first message, may name SMB2. */
static int
smbd_smb1(struct smbd_conn *c, const uint8_t *p, size_t len)
{
	struct smb2_server_params sp;
	uint8_t out[SMB2_HDR_SIZE + 256], salt[32];
	struct smb2_hdr h;
	uint16_t dialect;
	size_t n;

	if (c->neg.dialect != 0 || c->credits.low != 0 ||
	    smb1_negotiate_dialect(p, len, &dialect) != 1)
		return -1;
	memset(&sp, 0, sizeof(sp));
	memset(salt, 0, sizeof(salt));
	sp.guid = c->env->server_guid;
	sp.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED |
	    (c->env->signing_required ? SMB2_NEGOTIATE_SIGNING_REQUIRED : 0);
	sp.max_transact = c->env->max_transact;
	sp.max_read = c->env->max_read;
	sp.max_write = c->env->max_write;
	sp.system_time = smbd_filetime_now();
	sp.salt = salt;
	if (c->env->spnego_hint_len > 0) {
		sp.hint = c->env->spnego_hint;
		sp.hint_len = c->env->spnego_hint_len;
	}
	if ((n = smb2_negotiate_smb1_reply(dialect, &sp, out + SMB2_HDR_SIZE,
	    sizeof(out) - SMB2_HDR_SIZE)) == 0)
		return -1;
	/* It used message id 0; the reply grants one credit. */
	(void)smb2_credits_take(&c->credits, 0, 1);
	memset(&h, 0, sizeof(h));
	h.command = SMB2_NEGOTIATE;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR;
	h.credits = smb2_credits_grant(&c->credits, 1);
	smb2_hdr_encode(out, &h);
	if (dialect == SMB2_DIALECT_202) {
		memset(&c->neg, 0, sizeof(c->neg));
		c->neg.dialect = SMB2_DIALECT_202;
		c->neg.signing_algorithm = SMB2_SIGN_HMAC_SHA256;
	}
	c->env->commands[SMB2_NEGOTIATE]++;
	smbd_conn_send(c, out, SMB2_HDR_SIZE + n);
	return 0;
}

/*
 * MS-SMB2 3.3.5.2.1.1: a transform of a session of this connection,
 * with the connection's cipher and the session's key; anything else
 * drops the connection.  The message is then at the frame's start.
 */
static struct smbd_session *
smbd_frame_decrypt(struct smbd_conn *c, uint8_t *frame, size_t *len)
{
	struct smb2_transform t;
	struct smbd_session *s = NULL;
	const char *why = NULL;

	if (c->neg.cipher == 0)
		why = "no cipher was negotiated";
	else if (smb2_transform_decode(frame, *len, &t) == -1)
		why = "a malformed transform header";
	else if ((s = smbd_session_find(c, t.session_id)) == NULL ||
	    !s->has_cipher_keys)
		why = "a transform of no session with keys";
	else if (smb2_decrypt(c->neg.cipher, s->decryption_key, frame,
	    *len) == -1)
		why = "a transform that does not decrypt";
	else if (smb2_get32(frame + SMB2_TRANSFORM_SIZE) != SMB2_MAGIC)
		why = "a transform of no SMB2 message";
	if (why != NULL) {
		c->env->undecryptable++;
		log_warnx_rl("%s: %s: dropped", c->peer, why);
		return NULL;
	}
	*len -= SMB2_TRANSFORM_SIZE;
	memmove(frame, frame + SMB2_TRANSFORM_SIZE, *len);
	return s;
}

static void
smbd_frame(struct smbd_conn *c, uint8_t *frame, size_t len)
{
	struct smbd_session *sealed = NULL;
	struct smbd_req *r;
	size_t first;

	if (len >= 4 && smb2_get32(frame) == SMB2_TRANSFORM_MAGIC &&
	    (sealed = smbd_frame_decrypt(c, frame, &len)) == NULL) {
		free(frame);
		smbd_conn_close(c, "bad transform");
		return;
	}
	if (sealed == NULL && len >= 4 && smb2_get32(frame) == SMB1_MAGIC) {
		if (smbd_smb1(c, frame, len) == -1) {
			c->env->malformed++;
			log_warnx_rl("%s: SMB1 other than a first NEGOTIATE "
			    "naming SMB2: dropped", c->peer);
			smbd_conn_close(c, "SMB1");
		}
		free(frame);
		return;
	}
	if (len < 4 || smb2_get32(frame) != SMB2_MAGIC ||
	    smb2_chain_first(frame, len, &first) == -1) {
		c->env->malformed++;
		log_warnx_rl("%s: not an SMB2 message (compression is not "
		    "served): dropped", c->peer);
		free(frame);
		smbd_conn_close(c, "not SMB2");
		return;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		free(frame);
		smbd_conn_close(c, "out of memory");
		return;
	}
	r->conn = c;
	r->frame = frame;
	r->framelen = len;
	r->off = 0;
	r->len = first;
	if (sealed != NULL) {
		c->env->decrypted++;
		r->encrypted = 1;
		r->enc_session = sealed->id;
		smbd_req_seal(r, sealed);
	}
	c->refs++;
	c->inflight++;
	/* A connection waiting for an answer is not idle. */
	connlimit_inflight(c->env->limits, &c->limit, 1, connlimit_now());
	smbd_req_run(r);
}

/*
 * The frames buffered: as many as the limit on chains in progress lets
 * start.  Run again when one finishes (smbd_req_free), since what is
 * already buffered brings no new read event.
 */
static void
smbd_conn_parse(struct smbd_conn *c)
{
	size_t max = (size_t)c->env->max_write + SMBD_FRAME_SLACK;
	uint8_t nb[4], *frame;
	size_t flen;

	if (c->parsing || c->closing)
		return;
	c->parsing = 1;
	/* Held while its frames are answered: one may close it. */
	c->refs++;
	/* A frame read into its own buffer comes before what is buffered. */
	if (c->pend != NULL && c->pend_have == c->pend_len &&
	    !c->draining && c->inflight < c->env->requests_per_conn) {
		frame = c->pend;
		c->pend = NULL;
		smbd_frame(c, frame, c->pend_len);
	}
	while (!c->closing && !c->draining && c->pend == NULL &&
	    c->inflight < c->env->requests_per_conn &&
	    evbuffer_copyout(c->in, nb, 4) == 4) {
		/* MS-SMB2 2.1: a zero byte, then the length (24 bits). */
		flen = (size_t)nb[1] << 16 | (size_t)nb[2] << 8 | nb[3];
		if (nb[0] != 0 || flen > max || flen < 4) {
			c->env->malformed++;
			log_warnx_rl("%s: frame of %zu bytes (type %u): "
			    "dropped", c->peer, flen, nb[0]);
			smbd_conn_close(c, "bad frame");
			break;
		}
		if (evbuffer_get_length(c->in) < 4 + flen) {
			/*
			 * A large one: the rest from the socket straight into
			 * its own buffer, once a quarter has come (a client
			 * makes smbd hold at most 4 times what it sent).
			 */
			if (flen >= SMBD_DIRECT_MIN &&
			    evbuffer_get_length(c->in) - 4 >= flen / 4 &&
			    (frame = malloc(flen)) != NULL) {
				evbuffer_drain(c->in, 4);
				c->pend_have = (size_t)evbuffer_remove(c->in,
				    frame, flen);
				c->pend = frame;
				c->pend_len = flen;
			}
			break;
		}
		if ((frame = malloc(flen)) == NULL) {
			smbd_conn_close(c, "out of memory");
			break;
		}
		evbuffer_drain(c->in, 4);
		evbuffer_remove(c->in, frame, flen);
		smbd_frame(c, frame, flen);
	}
	c->parsing = 0;
	smbd_conn_want_read(c);
	smbd_conn_release(c);
}

static void
smbd_conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smbd_conn *c = arg;
	int n;

	if (c->pend != NULL && c->pend_have < c->pend_len) {
		n = (int)read(fd, c->pend + c->pend_have,
		    c->pend_len - c->pend_have);
		if (n > 0)
			c->pend_have += (size_t)n;
	} else
		n = evbuffer_read(c->in, fd, 256 * 1024);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		smbd_conn_close(c, n == 0 ? "end of stream" : "read failed");
		return;
	}
	if (n > 0)
		connlimit_progress(c->env->limits, &c->limit,
		    connlimit_now());
	smbd_conn_parse(c);
}
