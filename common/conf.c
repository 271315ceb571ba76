/*
 * dittofs.conf reader.  The schema below is the single list of every
 * section and key the suite knows; dittofs.conf(5) documents the same
 * list.  Values are checked against their type while parsing so that the
 * getters cannot fail later.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"

enum conf_type {
	CONF_STRING,
	CONF_PATH,	/* absolute path */
	CONF_INT,
	CONF_BOOL,
	CONF_LEVEL,	/* log level word */
};

struct conf_key_def {
	const char	*key;
	enum conf_type	 type;
	const char	*fallback;	/* default; NULL means required/unset */
	long long	 min, max;	/* CONF_INT bounds */
};

#define CONF_DAEMON_KEYS(user)					\
	{ "enable", CONF_BOOL, "yes", 0, 0 },			\
	{ "user", CONF_STRING, user, 0, 0 },			\
	{ "log level", CONF_LEVEL, NULL, 0, 0 },		\
	{ "sandbox debug", CONF_BOOL, "no", 0, 0 }

/*
 * The RPC transports' limits (common/connlimit.h): connections in total
 * and per address (0: an eighth of the total), seconds without progress
 * before a connection is closed (0: never), and output queued per
 * connection and in total, in MiB.
 */
#define CONF_RPC_LIMIT_KEYS(conns, out_conn, out_total)		\
	{ "max connections", CONF_INT, conns, 1, 65536 },		\
	{ "connections per address", CONF_INT, "0", 0, 65536 },	\
	{ "idle timeout", CONF_INT, "300", 0, 86400 },		\
	{ "output per connection", CONF_INT, out_conn, 1, 1024 },	\
	{ "output total", CONF_INT, out_total, 1, 65536 }

static const struct conf_key_def conf_global_keys[] = {
	{ "state directory", CONF_PATH, LOCALSTATEDIR "/lib/dittofs", 0, 0 },
	{ "run directory", CONF_PATH, "/run/dittofs", 0, 0 },
	{ "group", CONF_STRING, "dittofs", 0, 0 },
	{ "log level", CONF_LEVEL, "info", 0, 0 },
	{ NULL, 0, NULL, 0, 0 }
};

static const struct conf_key_def conf_stated_keys[] = {
	CONF_DAEMON_KEYS("dittofs-stated"),
	{ "grace period", CONF_INT, "90", 0, 3600 },
	/* Per NLM host (name and address): locks, waiters, shares. */
	{ "locks per host", CONF_INT, "4096", 1, 1048576 },
	/* Client records (host names) per client address. */
	{ "clients per address", CONF_INT, "256", 1, 65536 },
	/* NFSv4.0 (RFC 7530 9.5): seconds a client's state lives unrenewed. */
	{ "lease time", CONF_INT, "90", 10, 3600 },
	/* Per NFSv4 client: open files (stateids) and open/lock owners. */
	{ "nfsv4 opens per client", CONF_INT, "8192", 1, 1048576 },
	{ "nfsv4 owners per client", CONF_INT, "2048", 1, 1048576 },
	/*
	 * NFSv4.1 (RFC 8881 18.36): sessions per client, slots per session,
	 * the largest COMPOUND request and reply in bytes, the bytes of
	 * reply kept per slot (stated_session.x bounds), and MiB for all
	 * sessions and NFSv4.1 clients together.
	 */
	{ "nfsv4.1 sessions per client", CONF_INT, "16", 1, 1024 },
	{ "nfsv4.1 slots per session", CONF_INT, "64", 1, 1024 },
	{ "nfsv4.1 max request size", CONF_INT, "1049600", 1024, 16777216 },
	{ "nfsv4.1 max response size", CONF_INT, "1049600", 1024, 16777216 },
	{ "nfsv4.1 cached reply max", CONF_INT, "4096", 0, 65536 },
	{ "nfsv4.1 session memory", CONF_INT, "256", 1, 65536 },
	/* NFSv4 delegations (caching grants), and how many a client. */
	{ "delegations", CONF_BOOL, "yes", 0, 0 },
	/* Write delegations too, after OPENs that write (needs the above). */
	{ "write delegations", CONF_BOOL, "yes", 0, 0 },
	/* NFSv4.1 directory delegations (GET_DIR_DELEGATION, CB_NOTIFY). */
	{ "directory delegations", CONF_BOOL, "yes", 0, 0 },
	{ "nfsv4 delegations per client", CONF_INT, "4096", 1, 1048576 },
	/* SMB oplocks and leases one SMB session may hold. */
	{ "smb leases per session", CONF_INT, "4096", 1, 1048576 },
	/* SMB durable handles stated keeps for one user. */
	{ "smb durable handles per user", CONF_INT, "4096", 1, 1048576 },
	{ NULL, 0, NULL, 0, 0 }
};

static const struct conf_key_def conf_blockd_keys[] = {
	CONF_DAEMON_KEYS("dittofs-blockd"),
	/* Default: "blockd" under the state directory. */
	{ "data directory", CONF_PATH, NULL, 0, 0 },
	/* Seconds between Berkeley DB checkpoints (log trimming). */
	{ "checkpoint interval", CONF_INT, "30", 1, 3600 },
	/*
	 * KiB of output queued to one front end beyond which blockd stops
	 * queueing change notes to it and sends one "resynchronize" note
	 * instead (below common/ipc.c's 64 MiB per-channel cap).
	 */
	{ "notify queue limit", CONF_INT, "16384", 64, 49152 },
	{ NULL, 0, NULL, 0, 0 }
};

static const struct conf_key_def conf_nfsd_keys[] = {
	CONF_DAEMON_KEYS("dittofs-nfsd"),
	{ "port", CONF_INT, "2049", 1, 65535 },
	{ "mount port", CONF_INT, "20048", 1, 65535 },
	{ "address", CONF_STRING, "0.0.0.0", 0, 0 },
	{ "rpcbind", CONF_BOOL, "yes", 0, 0 },
	{ "read path", CONF_STRING, "pread", 0, 0 },
	{ "handle cache size", CONF_INT, "65536", 16, 16777216 },
	{ "fd cache size", CONF_INT, "1024", 1, 1048576 },
	{ "name cache size", CONF_INT, "65536", 0, 16777216 },
	{ "directory cache size", CONF_INT, "262144", 0, 16777216 },
	{ "reply cache size", CONF_INT, "4096", 16, 1048576 },
	/* Microseconds to wait for blockd's reply without sleeping. */
	{ "busy poll", CONF_INT, "50", 0, 10000 },
	CONF_RPC_LIMIT_KEYS("1024", "16", "128"),
	/* MOUNT's DUMP list: entries per client address and in total. */
	{ "mount list per client", CONF_INT, "64", 1, 65536 },
	{ "mount list size", CONF_INT, "4096", 1, 1048576 },
	/* NFSv4 owner strings: name@domain (unset: the host's DNS domain). */
	{ "nfsv4 domain", CONF_STRING, NULL, 0, 0 },
	{ "nfsv4 numeric ids", CONF_BOOL, "yes", 0, 0 },
	/* Owners sent to AUTH_SYS callers as numbers (Linux's nfsd too). */
	{ "nfsv4 numeric owners", CONF_BOOL, "yes", 0, 0 },
	/* NFSv4.0 on the NFS port; else a v4 call gets PROG_MISMATCH 3..3. */
	{ "nfsv4", CONF_BOOL, "yes", 0, 0 },
	/* Ops run per COMPOUND and tag bytes; beyond: NFS4ERR_RESOURCE. */
	{ "nfsv4 compound ops max", CONF_INT, "128", 2, 1024 },
	{ "nfsv4 tag max", CONF_INT, "256", 0, 4096 },
	/* NFSv4.1 sessions (minor version 1); else MINOR_VERS_MISMATCH. */
	{ "nfsv4.1", CONF_BOOL, "yes", 0, 0 },
	/* server_owner and server_scope; unset: the host's name. */
	{ "nfsv4.1 server owner", CONF_STRING, NULL, 0, 0 },
	/* Stateids stated validated, kept so READ/WRITE skip it; 0: off. */
	{ "nfsv4 stateid cache size", CONF_INT, "16384", 0, 1048576 },
	/* RPCSEC_GSS: INITs with gssd at once per client address. */
	{ "gss contexts in creation per host", CONF_INT, "8", 1, 1024 },
	{ NULL, 0, NULL, 0, 0 }
};

static const struct conf_key_def conf_smbd_keys[] = {
	CONF_DAEMON_KEYS("dittofs-smbd"),
	{ "port", CONF_INT, "445", 1, 65535 },
	{ "address", CONF_STRING, "0.0.0.0", 0, 0 },
	/* Every session signs (MS-SMB2 3.3.5.5.3), not only those asking. */
	{ "signing required", CONF_BOOL, "no", 0, 0 },
	{ "multichannel", CONF_BOOL, "yes", 0, 0 },
	/* off | enabled | desired | required (MS-SMB2 3.3.5.5.3). */
	{ "encryption", CONF_STRING, "enabled", 0, 0 },
	/* The ciphers NEGOTIATE picks from, best first. */
	{ "encryption ciphers", CONF_STRING,
	    "aes-128-gcm aes-128-ccm aes-256-gcm aes-256-ccm", 0, 0 },
	/* The credit window a client may hold (MS-SMB2 3.3.1.2). */
	{ "credits max", CONF_INT, "8192", 16, 8192 },
	/* NEGOTIATE's MaxReadSize, MaxWriteSize and MaxTransactSize. */
	{ "max read size", CONF_INT, "1048576", 65536, 8388608 },
	{ "max write size", CONF_INT, "1048576", 65536, 8388608 },
	{ "max transact size", CONF_INT, "1048576", 65536, 8388608 },
	/* Per connection: open files, and requests being answered at once. */
	{ "open files per connection", CONF_INT, "16384", 1, 1048576 },
	/* Seconds a CREATE waits for the oplocks it broke (Windows: 35). */
	{ "oplock break timeout", CONF_INT, "35", 1, 300 },
	/*
	 * Seconds a durable handle outlives its connection (v1; v2's
	 * Timeout is capped by it); 0: none granted.
	 */
	{ "durable handle timeout", CONF_INT, "60", 0, 3600 },
	{ "requests per connection", CONF_INT, "128", 1, 8192 },
	/* Byte-range locks one open holds; LOCKs waiting per connection. */
	{ "locks per open", CONF_INT, "1024", 1, 1048576 },
	{ "pending locks per connection", CONF_INT, "64", 0, 65536 },
	/*
	 * CHANGE_NOTIFY: bytes of changes kept per watched directory handle;
	 * directories watched and requests waiting, each, per connection.
	 */
	{ "notify buffer size", CONF_INT, "65536", 0, 1048576 },
	{ "pending notifies per connection", CONF_INT, "64", 0, 65536 },
	CONF_RPC_LIMIT_KEYS("1024", "16", "256"),
	{ NULL, 0, NULL, 0, 0 }
};

static const struct conf_key_def conf_lockd_keys[] = {
	CONF_DAEMON_KEYS("dittofs-lockd"),
	/* 0: any free port; clients find it through rpcbind. */
	{ "port", CONF_INT, "0", 0, 65535 },
	{ "address", CONF_STRING, "0.0.0.0", 0, 0 },
	{ "rpcbind", CONF_BOOL, "yes", 0, 0 },
	CONF_RPC_LIMIT_KEYS("512", "1", "16"),
	{ NULL, 0, NULL, 0, 0 }
};

static const struct conf_key_def conf_statd_keys[] = {
	CONF_DAEMON_KEYS("dittofs-statd"),
	{ "port", CONF_INT, "0", 0, 65535 },
	{ "address", CONF_STRING, "0.0.0.0", 0, 0 },
	{ "rpcbind", CONF_BOOL, "yes", 0, 0 },
	/* The name SM_NOTIFY carries; default: the system's host name. */
	{ "name", CONF_STRING, NULL, 0, 0 },
	CONF_RPC_LIMIT_KEYS("512", "1", "16"),
	{ NULL, 0, NULL, 0, 0 }
};

/*
 * dittofs-gssd (issue 26): the SMB password database and NTLM.  The
 * guest account is a user name (resolved at start) or UID:GID.
 */
static const struct conf_key_def conf_gssd_keys[] = {
	CONF_DAEMON_KEYS("dittofs-gssd"),
	{ "guest account", CONF_STRING, "nobody", 0, 0 },
	/* never | bad user (an unknown user name logs in as the guest) */
	{ "map to guest", CONF_STRING, "never", 0, 0 },
	/* NTLM's target names; default: the host name, WORKGROUP. */
	{ "netbios name", CONF_STRING, NULL, 0, 0 },
	{ "domain", CONF_STRING, "WORKGROUP", 0, 0 },
	{ "dns domain", CONF_STRING, NULL, 0, 0 },
	/* Security contexts in creation per front-end connection. */
	{ "contexts per peer", CONF_INT, "256", 1, 65536 },
	/* Seconds an unfinished context lives. */
	{ "context timeout", CONF_INT, "60", 5, 3600 },
	/* Kerberos (RPCSEC_GSS): read before the chroot; missing: off. */
	{ "keytab", CONF_PATH, "/etc/krb5.keytab", 0, 0 },
	/* user@REALM maps to the local user; unset: krb5.conf's default. */
	{ "realm", CONF_STRING, NULL, 0, 0 },
	/* "PRINCIPAL USER" or "PRINCIPAL UID:GID" lines; unset: none. */
	{ "principal map", CONF_PATH, NULL, 0, 0 },
	/* Established RPCSEC_GSS contexts kept for nfsd; the oldest goes. */
	{ "rpcsec contexts max", CONF_INT, "4096", 16, 1048576 },
	{ NULL, 0, NULL, 0, 0 }
};

static const struct conf_key_def conf_run_keys[] = {
	{ "restart delay", CONF_INT, "1", 0, 3600 },
	{ "restart delay max", CONF_INT, "30", 1, 3600 },
	{ NULL, 0, NULL, 0, 0 }
};

static const struct conf_key_def conf_share_keys[] = {
	{ "path", CONF_PATH, NULL, 0, 0 },
	{ "read only", CONF_BOOL, "no", 0, 0 },
	{ "clients", CONF_STRING, "*", 0, 0 },
	{ "root squash", CONF_BOOL, "yes", 0, 0 },
	{ "all squash", CONF_BOOL, "no", 0, 0 },
	{ "anonuid", CONF_INT, "65534", 0, UINT32_MAX },
	{ "anongid", CONF_INT, "65534", 0, UINT32_MAX },
	{ "insecure", CONF_BOOL, "no", 0, 0 },
	/* Fixed when blockd first makes the share (dittofs.conf(5)). */
	{ "case insensitive", CONF_BOOL, "no", 0, 0 },
	/* Flavours NFS clients may use, strongest first: krb5p krb5i krb5 sys */
	{ "security", CONF_STRING, "sys", 0, 0 },
	/* dittofs-smbd: enabled | desired | required (off: as enabled). */
	{ "smb encrypt", CONF_STRING, "enabled", 0, 0 },
	/* dittofs-smbd: no serves no named streams (a FAT volume's way). */
	{ "smb streams", CONF_BOOL, "yes", 0, 0 },
	/* dittofs-smbd: list only what the caller may read. */
	{ "access based enumeration", CONF_BOOL, "no", 0, 0 },
	/* blockd, for dittofs-smbd's callers: no search permission needed. */
	{ "smb bypass traverse checking", CONF_BOOL, "no", 0, 0 },
	{ NULL, 0, NULL, 0, 0 }
};

static const struct conf_section_def {
	const char			*kind;
	int				 named;		/* "[share NAME]" */
	int				 daemon;
	const struct conf_key_def	*keys;
} conf_sections[] = {
	{ "global", 0, 0, conf_global_keys },
	{ "stated", 0, 1, conf_stated_keys },
	{ "blockd", 0, 1, conf_blockd_keys },
	{ "nfsd", 0, 1, conf_nfsd_keys },
	{ "smbd", 0, 1, conf_smbd_keys },
	{ "lockd", 0, 1, conf_lockd_keys },
	{ "statd", 0, 1, conf_statd_keys },
	{ "gssd", 0, 1, conf_gssd_keys },
	{ "run", 0, 0, conf_run_keys },
	{ "share", 1, 0, conf_share_keys },
	{ NULL, 0, 0, NULL }
};

struct conf_parser {
	struct conf	*conf;
	char		*err;
	size_t		 errlen;
	int		 depth;
};

static const struct conf_section_def *
conf_section_def(const char *kind)
{
	const struct conf_section_def *def;

	for (def = conf_sections; def->kind != NULL; def++)
		if (strcmp(def->kind, kind) == 0)
			return def;
	return NULL;
}

static const struct conf_key_def *
conf_key_def(const char *kind, const char *key)
{
	const struct conf_section_def *sdef = conf_section_def(kind);
	const struct conf_key_def *kdef;

	if (sdef == NULL)
		return NULL;
	for (kdef = sdef->keys; kdef->key != NULL; kdef++)
		if (strcmp(kdef->key, key) == 0)
			return kdef;
	return NULL;
}

int
conf_is_daemon_section(const char *kind)
{
	const struct conf_section_def *def = conf_section_def(kind);

	return def != NULL && def->daemon;
}

static int
conf_error(struct conf_parser *p, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
conf_error(struct conf_parser *p, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%d: ", file, line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Trim both ends in place; fold runs of blanks into one space. */
static char *
conf_normalise(char *s, int lower)
{
	char *out, *in, *start;
	int blank = 0;

	while (isspace((unsigned char)*s))
		s++;
	start = out = s;
	for (in = s; *in != '\0'; in++) {
		if (isspace((unsigned char)*in)) {
			blank = 1;
			continue;
		}
		if (blank && out != start)
			*out++ = ' ';
		blank = 0;
		*out++ = lower ? (char)tolower((unsigned char)*in) : *in;
	}
	*out = '\0';
	return start;
}

int
conf_parse_bool(const char *text, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int
conf_parse_int(const char *text, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0')
		return -1;
	return 0;
}

static int
conf_check_value(struct conf_parser *p, const char *file, int line,
    const char *kind, const struct conf_key_def *def, const char *value)
{
	static const char *const levels[] = {
		"error", "warning", "info", "debug"
	};
	long long n;
	int b;
	size_t i;

	switch (def->type) {
	case CONF_STRING:
		if (*value == '\0')
			return conf_error(p, file, line,
			    "empty value for '%s' in [%s]", def->key, kind);
		return 0;
	case CONF_PATH:
		if (value[0] != '/')
			return conf_error(p, file, line,
			    "'%s' in [%s] must be an absolute path, not '%s'",
			    def->key, kind, value);
		if (strlen(value) >= PATH_MAX)
			return conf_error(p, file, line,
			    "'%s' in [%s] is too long", def->key, kind);
		return 0;
	case CONF_INT:
		if (conf_parse_int(value, &n) == -1 || n < def->min ||
		    n > def->max)
			return conf_error(p, file, line,
			    "bad value '%s' for '%s' in [%s]: expected an "
			    "integer from %lld to %lld", value, def->key, kind,
			    def->min, def->max);
		return 0;
	case CONF_BOOL:
		if (conf_parse_bool(value, &b) == -1)
			return conf_error(p, file, line,
			    "bad value '%s' for '%s' in [%s]: expected yes "
			    "or no", value, def->key, kind);
		return 0;
	case CONF_LEVEL:
		for (i = 0; i < 4; i++)
			if (strcasecmp(value, levels[i]) == 0)
				return 0;
		return conf_error(p, file, line,
		    "bad value '%s' for '%s' in [%s]: expected error, "
		    "warning, info or debug", value, def->key, kind);
	}
	return conf_error(p, file, line, "internal: unknown type");
}

static struct conf_section *
conf_find(const struct conf *conf, const char *kind, const char *name)
{
	size_t i;

	for (i = 0; i < conf->nsections; i++) {
		struct conf_section *s = &conf->sections[i];

		if (strcmp(s->kind, kind) != 0)
			continue;
		if (name == NULL || (s->name != NULL &&
		    strcmp(s->name, name) == 0))
			return s;
	}
	return NULL;
}

static struct conf_section *
conf_add_section(struct conf_parser *p, const char *file, int line,
    char *header)
{
	struct conf *conf = p->conf;
	const struct conf_section_def *def;
	struct conf_section *s, *grown;
	char *kind, *name = NULL, *space;

	kind = conf_normalise(header, 0);
	space = strchr(kind, ' ');
	if (space != NULL) {
		*space = '\0';
		name = space + 1;
	}
	for (char *c = kind; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	def = conf_section_def(kind);
	if (def == NULL) {
		conf_error(p, file, line, "unknown section [%s]", kind);
		return NULL;
	}
	if (def->named && name == NULL) {
		conf_error(p, file, line, "section [%s] needs a name, as in "
		    "[%s NAME]", kind, kind);
		return NULL;
	}
	if (!def->named && name != NULL) {
		conf_error(p, file, line, "section [%s] takes no name", kind);
		return NULL;
	}
	if (name != NULL && (strchr(name, '/') != NULL ||
	    strchr(name, ' ') != NULL)) {
		conf_error(p, file, line, "bad %s name '%s'", kind, name);
		return NULL;
	}
	s = conf_find(conf, kind, name);
	if (s != NULL) {
		conf_error(p, file, line, "duplicate section [%s%s%s], first "
		    "at %s:%d", kind, name ? " " : "", name ? name : "",
		    s->file, s->line);
		return NULL;
	}
	grown = reallocarray(conf->sections, conf->nsections + 1,
	    sizeof(*grown));
	if (grown == NULL) {
		conf_error(p, file, line, "out of memory");
		return NULL;
	}
	conf->sections = grown;
	s = &conf->sections[conf->nsections];
	memset(s, 0, sizeof(*s));
	s->kind = strdup(kind);
	s->name = name ? strdup(name) : NULL;
	s->file = strdup(file);
	s->line = line;
	conf->nsections++;
	if (s->kind == NULL || (name != NULL && s->name == NULL) ||
	    s->file == NULL) {
		conf_error(p, file, line, "out of memory");
		return NULL;
	}
	return s;
}

static int
conf_add_value(struct conf_parser *p, struct conf_section *s,
    const char *file, int line, const char *key, const char *value)
{
	const struct conf_key_def *def;
	struct conf_value *v, *grown;
	size_t i;

	def = conf_key_def(s->kind, key);
	if (def == NULL)
		return conf_error(p, file, line, "unknown key '%s' in [%s]",
		    key, s->kind);
	if (conf_check_value(p, file, line, s->kind, def, value) == -1)
		return -1;
	for (i = 0; i < s->nvalues; i++)
		if (strcmp(s->values[i].key, def->key) == 0)
			return conf_error(p, file, line, "duplicate key '%s' "
			    "in [%s], first at %s:%d", key, s->kind,
			    s->values[i].file, s->values[i].line);
	grown = reallocarray(s->values, s->nvalues + 1, sizeof(*grown));
	if (grown == NULL)
		return conf_error(p, file, line, "out of memory");
	s->values = grown;
	v = &s->values[s->nvalues++];
	v->key = strdup(def->key);
	v->value = strdup(value);
	v->file = strdup(file);
	v->line = line;
	if (v->key == NULL || v->value == NULL || v->file == NULL)
		return conf_error(p, file, line, "out of memory");
	return 0;
}

static int conf_parse_file(struct conf_parser *, const char *path,
    const char *from, int from_line);

static int
conf_include(struct conf_parser *p, const char *file, int line,
    const char *target)
{
	char path[PATH_MAX];
	const char *slash;

	if (p->depth >= CONF_INCLUDE_DEPTH_MAX)
		return conf_error(p, file, line, "includes nested deeper "
		    "than %d (a loop?)", CONF_INCLUDE_DEPTH_MAX);
	if (target[0] == '/' || (slash = strrchr(file, '/')) == NULL) {
		if (snprintf(path, sizeof(path), "%s", target) >=
		    (int)sizeof(path))
			return conf_error(p, file, line, "include path too "
			    "long");
	} else if (snprintf(path, sizeof(path), "%.*s/%s",
	    (int)(slash - file), file, target) >= (int)sizeof(path))
		return conf_error(p, file, line, "include path too long");
	return conf_parse_file(p, path, file, line);
}

static int
conf_parse_text(struct conf_parser *p, char *text, const char *file)
{
	struct conf_section *current = NULL;
	char *line, *next, *eq, *key, *value;
	int lineno = 0;

	for (line = text; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		line = conf_normalise(line, 0);
		if (*line == '\0' || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			char *end = strchr(line, ']');

			if (end == NULL || end[1] != '\0')
				return conf_error(p, file, lineno,
				    "bad section header '%s'", line);
			*end = '\0';
			current = conf_add_section(p, file, lineno, line + 1);
			if (current == NULL)
				return -1;
			continue;
		}
		eq = strchr(line, '=');
		if (eq == NULL)
			return conf_error(p, file, lineno, "expected 'key = "
			    "value', got '%s'", line);
		*eq = '\0';
		key = conf_normalise(line, 1);
		value = conf_normalise(eq + 1, 0);
		if (*key == '\0')
			return conf_error(p, file, lineno, "missing key "
			    "before '='");
		if (strcmp(key, "include") == 0) {
			if (*value == '\0')
				return conf_error(p, file, lineno,
				    "include needs a file name");
			if (conf_include(p, file, lineno, value) == -1)
				return -1;
			/* An included file's sections end with it. */
			continue;
		}
		if (current == NULL)
			return conf_error(p, file, lineno, "key '%s' outside "
			    "any section", key);
		if (conf_add_value(p, current, file, lineno, key, value) == -1)
			return -1;
	}
	return 0;
}

static int
conf_parse_stream(struct conf_parser *p, FILE *fp, const char *path)
{
	FILE *mem;
	char *text = NULL;
	char buf[8192];
	size_t size = 0, n;
	int rc;

	if ((mem = open_memstream(&text, &size)) == NULL) {
		snprintf(p->err, p->errlen, "%s: out of memory", path);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		fwrite(buf, 1, n, mem);
	rc = ferror(fp);
	fclose(mem);
	if (rc) {
		free(text);
		snprintf(p->err, p->errlen, "%s: read error", path);
		return -1;
	}
	if (memchr(text, '\0', size) != NULL) {
		free(text);
		snprintf(p->err, p->errlen, "%s: contains a NUL byte", path);
		return -1;
	}
	p->depth++;
	rc = conf_parse_text(p, text, path);
	p->depth--;
	free(text);
	return rc;
}

static int
conf_parse_file(struct conf_parser *p, const char *path, const char *from,
    int from_line)
{
	FILE *fp;
	int rc;

	fp = fopen(path, "re");
	if (fp == NULL) {
		if (from != NULL)
			return conf_error(p, from, from_line, "include %s: %s",
			    path, strerror(errno));
		snprintf(p->err, p->errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = conf_parse_stream(p, fp, path);
	fclose(fp);
	return rc;
}

static struct conf *
conf_finish(struct conf_parser *p, int rc)
{
	if (rc == -1) {
		conf_free(p->conf);
		return NULL;
	}
	for (size_t i = 0; i < p->conf->nsections; i++) {
		const struct conf_section *s = &p->conf->sections[i];

		if (strcmp(s->kind, "share") == 0 &&
		    conf_section_get(s, "share", "path") == NULL) {
			conf_error(p, s->file, s->line, "[share %s] has no "
			    "path", s->name);
			conf_free(p->conf);
			return NULL;
		}
	}
	return p->conf;
}

static struct conf *
conf_new(const char *path, char *err, size_t errlen)
{
	struct conf *conf = calloc(1, sizeof(*conf));

	if (conf == NULL || (conf->path = strdup(path)) == NULL) {
		free(conf);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return conf;
}

struct conf *
conf_load(const char *path, char *err, size_t errlen)
{
	struct conf_parser p = { NULL, err, errlen, 0 };

	if ((p.conf = conf_new(path, err, errlen)) == NULL)
		return NULL;
	return conf_finish(&p, conf_parse_file(&p, path, NULL, 0));
}

/* For a reload after chroot: the caller opened the file (openat). */
struct conf *
conf_load_stream(FILE *fp, const char *path, char *err, size_t errlen)
{
	struct conf_parser p = { NULL, err, errlen, 0 };

	if ((p.conf = conf_new(path, err, errlen)) == NULL)
		return NULL;
	return conf_finish(&p, conf_parse_stream(&p, fp, path));
}

struct conf *
conf_parse_string(const char *text, const char *name, char *err,
    size_t errlen)
{
	struct conf_parser p = { NULL, err, errlen, 1 };
	char *copy;
	int rc;

	if ((copy = strdup(text)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((p.conf = conf_new(name, err, errlen)) == NULL) {
		free(copy);
		return NULL;
	}
	rc = conf_parse_text(&p, copy, name);
	free(copy);
	return conf_finish(&p, rc);
}

void
conf_free(struct conf *conf)
{
	size_t i, j;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->nsections; i++) {
		struct conf_section *s = &conf->sections[i];

		for (j = 0; j < s->nvalues; j++) {
			free(s->values[j].key);
			free(s->values[j].value);
			free(s->values[j].file);
		}
		free(s->values);
		free(s->kind);
		free(s->name);
		free(s->file);
	}
	free(conf->sections);
	free(conf->path);
	free(conf);
}

const struct conf_section *
conf_section(const struct conf *conf, const char *kind)
{
	return conf_find(conf, kind, NULL);
}

const struct conf_section *
conf_next_section(const struct conf *conf, const char *kind,
    const struct conf_section *prev)
{
	size_t i = prev == NULL ? 0 : (size_t)(prev - conf->sections) + 1;

	for (; i < conf->nsections; i++)
		if (strcmp(conf->sections[i].kind, kind) == 0)
			return &conf->sections[i];
	return NULL;
}

const char *
conf_section_get(const struct conf_section *s, const char *kind,
    const char *key)
{
	const struct conf_key_def *def;
	size_t i;

	if (s != NULL)
		for (i = 0; i < s->nvalues; i++)
			if (strcmp(s->values[i].key, key) == 0)
				return s->values[i].value;
	def = conf_key_def(kind, key);
	if (def == NULL)
		return NULL;
	return def->fallback;
}

long long
conf_section_get_int(const struct conf_section *s, const char *kind,
    const char *key)
{
	const char *v = conf_section_get(s, kind, key);
	long long n = 0;

	if (v != NULL)
		conf_parse_int(v, &n);
	return n;
}

int
conf_section_get_bool(const struct conf_section *s, const char *kind,
    const char *key)
{
	const char *v = conf_section_get(s, kind, key);
	int b = 0;

	if (v != NULL)
		conf_parse_bool(v, &b);
	return b;
}

const char *
conf_get(const struct conf *conf, const char *kind, const char *key)
{
	const char *v;

	v = conf_section_get(conf_section(conf, kind), kind, key);
	/* A daemon's own log level falls back to the global one. */
	if (v == NULL && strcmp(key, "log level") == 0)
		v = conf_get(conf, "global", "log level");
	return v;
}

long long
conf_get_int(const struct conf *conf, const char *kind, const char *key)
{
	return conf_section_get_int(conf_section(conf, kind), kind, key);
}

int
conf_get_bool(const struct conf *conf, const char *kind, const char *key)
{
	return conf_section_get_bool(conf_section(conf, kind), kind, key);
}

static int
conf_join(const char *dir, const char *leaf, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", dir, leaf);

	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
conf_run_path(const struct conf *conf, const char *leaf, char *buf,
    size_t len)
{
	return conf_join(conf_get(conf, "global", "run directory"), leaf,
	    buf, len);
}

int
conf_state_path(const struct conf *conf, const char *leaf, char *buf,
    size_t len)
{
	return conf_join(conf_get(conf, "global", "state directory"), leaf,
	    buf, len);
}

/* Write the configuration back as text, includes folded in. */
int
conf_dump(const struct conf *conf, FILE *fp)
{
	size_t i, j;

	for (i = 0; i < conf->nsections; i++) {
		const struct conf_section *s = &conf->sections[i];

		fprintf(fp, "%s[%s%s%s]\n", i ? "\n" : "", s->kind,
		    s->name ? " " : "", s->name ? s->name : "");
		for (j = 0; j < s->nvalues; j++)
			fprintf(fp, "%s = %s\n", s->values[j].key,
			    s->values[j].value);
	}
	return ferror(fp) ? -1 : 0;
}
