/*
 * The shares lockd serves and who may lock in them: the same `clients`
 * and `insecure` rules nfsd applies to MOUNT and NFS (common/
 * share_rules.c), so that a caller who may not mount a share cannot take
 * locks in it either (Linux's lockd asks nfsd's export check the same
 * way).  blockd turns an NLM handle into a share id; the share ids of
 * the configured share names are asked of blockd (SHARE_ROOT, without
 * creating) each time lockd connects to it.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "ipc.h"
#include "lockd.h"
#include "log.h"

struct lockd_share_call {
	struct lockd_env	*env;
	uint64_t		 generation;
	char			*name;
};

static void
lockd_shares_free(struct lockd_share *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].name);
		share_rules_clear(&s[i].rules);
	}
	free(s);
}

void
lockd_shares_clear(struct lockd_env *env)
{
	lockd_shares_free(env->shares, env->nshares);
	env->shares = NULL;
	env->nshares = 0;
}

/* At start (before the chroot) and on reload. */
int
lockd_shares_load(struct lockd_env *env, const struct conf *conf,
    char *err, size_t errlen)
{
	const struct conf_section *s = NULL;
	struct lockd_share *t = NULL, *grown, *old;
	size_t n = 0, i;
	char rerr[256];

	while ((s = conf_next_section(conf, "share", s)) != NULL) {
		if ((grown = reallocarray(t, n + 1, sizeof(*t))) == NULL)
			goto nomem;
		t = grown;
		memset(&t[n], 0, sizeof(t[n]));
		if ((t[n].name = strdup(s->name)) == NULL)
			goto nomem;
		old = NULL;
		for (i = 0; i < env->nshares; i++)
			if (strcmp(env->shares[i].name, s->name) == 0)
				old = &env->shares[i];
		n++;
		if (share_rules_load(&t[n - 1].rules, s, old ? &old->rules :
		    NULL, rerr, sizeof(rerr)) == -1) {
			snprintf(err, errlen, "[share %s] clients: %s",
			    s->name, rerr);
			lockd_shares_free(t, n);
			return -1;
		}
		if (old != NULL) {
			t[n - 1].share_id = old->share_id;
			t[n - 1].known = old->known;
			t[n - 1].answered = old->answered;
		}
	}
	lockd_shares_clear(env);
	env->shares = t;
	env->nshares = n;
	env->shares_generation++;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	lockd_shares_free(t, n);
	return -1;
}

static void
lockd_share_root_reply(struct ipc_channel *ch, struct ipc_msg *msg,
    void *arg)
{
	struct lockd_share_call *c = arg;
	struct lockd_env *env = c->env;
	bd_entry_reply rep;
	size_t i;

	memset(&rep, 0, sizeof(rep));
	if (msg == NULL || c->generation != env->shares_generation)
		goto out;	/* blockd went away, or a reload came between */
	if (msg->hdr.type != BD_REPLY ||
	    ipc_decode(msg, (xdrproc_t)xdr_bd_entry_reply, &rep) == -1) {
		log_warnx("share %s: malformed SHARE_ROOT reply", c->name);
		goto out;
	}
	for (i = 0; i < env->nshares; i++) {
		struct lockd_share *s = &env->shares[i];

		if (strcmp(s->name, c->name) != 0)
			continue;
		s->answered = 1;
		if (rep.status != 0) {
			log_warnx("share %s: blockd does not know it (%s): "
			    "its handles get no locks", s->name,
			    strerror(-rep.status));
			break;
		}
		s->share_id = rep.attr.share;
		s->known = 1;
		log_debug("share %s is share id %u", s->name, s->share_id);
	}
	xdr_free((xdrproc_t)xdr_bd_entry_reply, (char *)&rep);
out:
	free(c->name);
	free(c);
}

/* Ask blockd for the id of each share not known yet (all: known too). */
static void
lockd_shares_ask(struct lockd_env *env, int all)
{
	struct ipc_channel *ch;
	struct lockd_share_call *c;
	bd_share_root_req req;
	size_t i;

	if (env->blockd == NULL ||
	    (ch = ipc_client_channel(env->blockd)) == NULL)
		return;
	for (i = 0; i < env->nshares; i++) {
		if (!all && env->shares[i].known)
			continue;
		env->shares[i].answered = 0;
		if ((c = calloc(1, sizeof(*c))) == NULL ||
		    (c->name = strdup(env->shares[i].name)) == NULL) {
			free(c);
			log_warn("share %s", env->shares[i].name);
			env->shares[i].answered = 1;
			continue;
		}
		c->env = env;
		c->generation = env->shares_generation;
		memset(&req, 0, sizeof(req));
		req.name = c->name;
		req.create = 0;		/* nfsd and blockd make shares */
		if (ipc_call(ch, BD_SHARE_ROOT, -1,
		    (xdrproc_t)xdr_bd_share_root_req, &req,
		    lockd_share_root_reply, c) == -1) {
			log_warnx("blockd: cannot send SHARE_ROOT");
			env->shares[i].answered = 1;
			free(c->name);
			free(c);
		}
	}
}

/* blockd (re)connected, or the shares changed: learn their ids. */
void
lockd_shares_refresh(struct lockd_env *env)
{
	lockd_shares_ask(env, 1);
}

void
lockd_shares_blockd_ready(struct ipc_client *cl, void *arg)
{
	lockd_shares_refresh(arg);
}

/*
 * May the caller at peer use share id `share`?  PENDING while blockd
 * has not yet said which share is which: the request is dropped and the
 * client retries, as when blockd is away.
 */
enum lockd_share_verdict
lockd_share_check(struct lockd_env *env, uint32_t share,
    const struct sockaddr_storage *peer, const char *peer_addr)
{
	uint8_t addr[16];
	unsigned int port = 0;
	size_t i;
	int pending = 0, unknown = 0;
	time_t now;

	for (i = 0; i < env->nshares; i++) {
		const struct lockd_share *s = &env->shares[i];

		if (!s->known) {
			pending |= !s->answered;
			unknown = 1;
			continue;
		}
		if (s->share_id != share)
			continue;
		share_rules_addr((const struct sockaddr *)peer, addr);
		if (peer->ss_family == AF_INET)
			port = ntohs(((const struct sockaddr_in *)peer)->
			    sin_port);
		else if (peer->ss_family == AF_INET6)
			port = ntohs(((const struct sockaddr_in6 *)peer)->
			    sin6_port);
		if (!share_rules_client_allowed(&s->rules, addr)) {
			log_warnx_rl("NLM from %s refused: not a client of "
			    "share %s (clients = %s)", peer_addr, s->name,
			    s->rules.clients_text);
			return LOCKD_SHARE_REFUSED;
		}
		if (!share_rules_port_allowed(&s->rules, port)) {
			log_warnx_rl("NLM from %s refused: share %s needs a "
			    "source port below %d (port %u)", peer_addr,
			    s->name, SHARE_RESERVED_PORT_END, port);
			return LOCKD_SHARE_REFUSED;
		}
		return LOCKD_SHARE_OK;
	}
	if (pending)
		return LOCKD_SHARE_PENDING;
	/*
	 * A configured share blockd did not know when asked may have been
	 * made since (blockd creates shares on its own reload): ask again,
	 * at most once a second, and let the client retry meanwhile.
	 */
	now = time(NULL);
	if (unknown && now != env->shares_asked) {
		env->shares_asked = now;
		lockd_shares_ask(env, 0);
		return LOCKD_SHARE_PENDING;
	}
	log_info_rl("NLM from %s: handle of share %u, which is not "
	    "exported", peer_addr, share);
	return LOCKD_SHARE_STALE;
}
