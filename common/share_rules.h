/*
 * Who may use a share: its `clients` list and its `insecure` (source
 * port) rule, as exports(5) has them.  One parser and one matcher, used
 * by every front end that resolves a handle to a share (nfsd for MOUNT
 * and NFS, lockd for NLM), so that a caller refused by one is refused by
 * all.
 *
 * Host names and @netgroups are turned into addresses when the list is
 * parsed, which a daemon does before it enters its chroot, where neither
 * /etc/hosts, /etc/nsswitch.conf nor /etc/netgroup can be read.
 */
#ifndef DITTOFS_SHARE_RULES_H
#define DITTOFS_SHARE_RULES_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

/* Below this a source port is reserved (privileged), as knfsd has it. */
#define SHARE_RESERVED_PORT_END	1024

enum share_client_kind {
	SHARE_CLIENT_ANY,
	SHARE_CLIENT_NET,	/* address and prefix (hosts: full length) */
};

struct share_client {
	enum share_client_kind	 kind;
	uint8_t			 addr[16];	/* IPv4 as ::ffff:a.b.c.d */
	unsigned int		 prefix;	/* of 128 */
};

struct share_rules {
	char			*clients_text;	/* as configured */
	struct share_client	*clients;
	size_t			 nclients;
	int			 insecure;	/* any source port */
};

struct conf_section;

/* A socket address as the 16 bytes the matcher compares. */
void	 share_rules_addr(const struct sockaddr *, uint8_t[16]);
/*
 * "10.0.0.0/8, host, @group 2001:db8::/32 *": commas and blanks separate.
 * Every host name and every host of a netgroup is resolved now; once
 * the process is sandboxed (sandbox_confined()) a name is an error.
 */
int	 share_rules_parse_clients(const char *, struct share_client **,
	    size_t *, char *err, size_t errlen);
/*
 * A [share] section's `clients` and `insecure`.  With prev (the rules
 * the share had before a reload) and an unchanged `clients` text, the
 * addresses resolved before are kept: inside a chroot names and
 * netgroups cannot be resolved again.
 */
int	 share_rules_load(struct share_rules *, const struct conf_section *,
	    const struct share_rules *prev, char *err, size_t errlen);
void	 share_rules_clear(struct share_rules *);
int	 share_rules_client_allowed(const struct share_rules *,
	    const uint8_t[16]);
/* Is the source port acceptable (insecure, or a reserved port)? */
int	 share_rules_port_allowed(const struct share_rules *,
	    unsigned int port);
/* Both: 0 if the caller may use the share. */
int	 share_rules_check(const struct share_rules *, const uint8_t[16],
	    unsigned int port);
/* A share's `root squash`, `all squash`, `anonuid` and `anongid`. */
struct share_squash {
	int			 root;
	int			 all;
	uint32_t		 anonuid;
	uint32_t		 anongid;
};

void	 share_squash_load(struct share_squash *, const struct conf_section *);
/*
 * exports(5)'s squashing, in place: all squash (or anon, a caller with
 * no credential) maps everyone to the anonymous ids and drops the
 * groups, root squash maps uid 0 and gid 0, among the groups too.
 * Returns how many groups are left.  nfsd applies it to what a client
 * claims, blockd again to what a front end claims.
 */
size_t	 share_rules_squash(const struct share_squash *, int anon,
	    uint32_t *uid, uint32_t *gid, uint32_t *groups, size_t ngroups);

#endif
