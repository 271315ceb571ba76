/*
 * nfsd/export.c: exports from [share] sections, client matching (with
 * common/share_rules.c), squash.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "conf.h"
#include "nfsd.h"
#include "tap.h"

static void
addr4(const char *text, uint8_t a[16])
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, text, &sin.sin_addr);
	export_addr_from_sockaddr((struct sockaddr *)&sin, a);
}

static void
addr6(const char *text, uint8_t a[16])
{
	struct sockaddr_in6 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, text, &sin6.sin6_addr);
	export_addr_from_sockaddr((struct sockaddr *)&sin6, a);
}

int
main(void)
{
	static const char text[] =
	    "[share export]\npath = /export/\n"
	    "[share lab]\npath = /lab\nread only = yes\n"
	    "clients = 10.1.0.0/16, 192.0.2.7 2001:db8::/32\n"
	    "all squash = yes\nanonuid = 1234\nanongid = 4321\n"
	    "insecure = no\n"
	    "[share open]\npath = /open\nroot squash = no\ninsecure = yes\n";
	struct export_table t = { NULL, 0 };
	struct share_client *cl;
	struct conf *conf;
	struct export *e, *lab, *open;
	struct rpc_cred cred;
	bd_cred out;
	uint32_t groups[RPC_AUTH_UNIX_GIDS_MAX];
	uint8_t a[16];
	size_t n;
	char err[256];

	conf = conf_parse_string(text, "test.conf", err, sizeof(err));
	tap_ok(conf != NULL, "config parses: %s", conf ? "" : err);
	if (conf == NULL)
		return tap_done();
	tap_ok(export_table_load(&t, conf, err, sizeof(err)) == 0 &&
	    t.nexports == 3, "three exports");
	e = export_by_path(&t, "/export", 7);
	tap_ok(e != NULL && strcmp(e->name, "export") == 0,
	    "trailing slash of the path is ignored");
	tap_ok(export_by_path(&t, "/export//", 9) == e,
	    "a mount path with trailing slashes finds it");
	tap_ok(export_by_path(&t, "/exp", 4) == NULL, "a prefix is no match");
	lab = export_by_path(&t, "/lab", 4);
	open = export_by_path(&t, "/open", 5);
	tap_ok(e->squash.root && !e->squash.all && !e->read_only &&
	    !e->rules.insecure && e->squash.anonuid == 65534, "defaults");
	tap_ok(!export_port_allowed(e, 40000) && export_port_allowed(e, 1023),
	    "by default a share wants a reserved source port (knfsd's secure)");
	tap_ok(open->rules.insecure && export_port_allowed(open, 40000),
	    "insecure = yes takes any source port");
	tap_ok(lab->read_only && lab->squash.all && !lab->rules.insecure &&
	    lab->squash.anonuid == 1234 && lab->squash.anongid == 4321,
	    "options");

	addr4("10.1.200.3", a);
	tap_ok(export_client_allowed(lab, a), "10.1.200.3 in 10.1.0.0/16");
	addr4("10.2.0.1", a);
	tap_ok(!export_client_allowed(lab, a), "10.2.0.1 is not");
	addr4("192.0.2.7", a);
	tap_ok(export_client_allowed(lab, a), "a single address");
	addr4("192.0.2.8", a);
	tap_ok(!export_client_allowed(lab, a), "its neighbour is not");
	addr6("2001:db8:1::5", a);
	tap_ok(export_client_allowed(lab, a), "IPv6 in 2001:db8::/32");
	addr6("::ffff:10.1.0.9", a);
	tap_ok(export_client_allowed(lab, a),
	    "an IPv4-mapped address matches the IPv4 network");
	addr4("203.0.113.1", a);
	tap_ok(export_client_allowed(e, a), "'*' matches anyone");
	tap_ok(!export_port_allowed(lab, 1024) && export_port_allowed(lab,
	    1023), "insecure = no wants a port below 1024");

	memset(&cred, 0, sizeof(cred));
	cred.flavor = RPC_AUTH_UNIX;
	cred.uid = 0;
	cred.gid = 0;
	cred.ngroups = 2;
	cred.groups[0] = 0;
	cred.groups[1] = 27;
	export_squash(e, &cred, &out, groups);
	tap_ok(out.uid == 65534 && out.gid == 65534 &&
	    out.groups.groups_len == 2 && out.groups.groups_val[0] == 65534 &&
	    out.groups.groups_val[1] == 27,
	    "root_squash maps uid 0, gid 0 and group 0");
	export_squash(open, &cred, &out, groups);
	tap_ok(out.uid == 0 && out.gid == 0, "root squash = no keeps root");
	cred.uid = 1000;
	cred.gid = 100;
	export_squash(lab, &cred, &out, groups);
	tap_ok(out.uid == 1234 && out.gid == 4321 &&
	    out.groups.groups_len == 0, "all_squash maps everyone");
	export_squash(e, &cred, &out, groups);
	tap_ok(out.uid == 1000 && out.gid == 100, "a user stays itself");
	cred.flavor = RPC_AUTH_NULL;
	export_squash(open, &cred, &out, groups);
	tap_ok(out.uid == 65534, "AUTH_NULL is anonymous");

	tap_ok(share_rules_parse_clients("10.0.0.0/33", &cl, &n, err,
	    sizeof(err)) == -1, "prefix /33 refused: %s", err);
	tap_ok(share_rules_parse_clients(" , ", &cl, &n, err, sizeof(err)) == -1,
	    "empty list refused");
	tap_ok(share_rules_parse_clients("no-such-host.invalid", &cl, &n, err,
	    sizeof(err)) == -1, "unresolvable host refused: %s", err);
	tap_ok(share_rules_parse_clients("@no-such-netgroup-here", &cl, &n, err,
	    sizeof(err)) == -1, "unknown netgroup refused: %s", err);
	tap_ok(share_rules_parse_clients("@", &cl, &n, err, sizeof(err)) == -1,
	    "'@' alone refused");
	conf_free(conf);
	conf = conf_parse_string("[share a]\npath = /x\n[share b]\npath = "
	    "/x/\n", "dup.conf", err, sizeof(err));
	tap_ok(conf != NULL && export_table_load(&t, conf, err,
	    sizeof(err)) == -1, "one path exported twice refused: %s", err);
	conf_free(conf);

	/* MNT paths below an export: the longest export path on a '/'. */
	conf = conf_parse_string("[share export]\npath = /export\n"
	    "[share export2]\npath = /export2\n"
	    "[share lab]\npath = /export/lab/\n", "sub.conf", err,
	    sizeof(err));
	tap_ok(conf != NULL && export_table_load(&t, conf, err,
	    sizeof(err)) == 0 && t.nexports == 3, "nested exports load");
	e = export_by_path(&t, "/export", 7);
	lab = export_by_path(&t, "/export/lab", 11);
	n = 99;
	tap_ok(export_by_mount_path(&t, "/export", 7, &n) == e && n == 7,
	    "an export's own path: nothing below");
	tap_ok(export_by_mount_path(&t, "/export/sub/dir", 15, &n) == e &&
	    n == 7, "/export/sub/dir is in /export, below offset 7");
	tap_ok(export_by_mount_path(&t, "/export//sub/", 13, &n) == e &&
	    n == 7, "double and trailing slashes");
	tap_ok(export_by_mount_path(&t, "/export2/x", 10, &n) ==
	    export_by_path(&t, "/export2", 8) && n == 8,
	    "/export2/x is in /export2, not /export");
	tap_ok(export_by_mount_path(&t, "/exportx", 8, &n) == NULL,
	    "/exportx is in no export");
	tap_ok(export_by_mount_path(&t, "/export/lab/a", 13, &n) == lab &&
	    n == 11, "the longest match: /export/lab/a is in /export/lab");
	tap_ok(export_by_mount_path(&t, "/export/labx", 12, &n) == e &&
	    n == 7, "/export/labx is in /export");
	tap_ok(export_by_mount_path(&t, "/", 1, &n) == NULL &&
	    export_by_mount_path(&t, "/exp", 4, &n) == NULL,
	    "a prefix of an export is not in it");
	conf_free(conf);
	conf = conf_parse_string("[share all]\npath = /\n", "root.conf", err,
	    sizeof(err));
	tap_ok(conf != NULL && export_table_load(&t, conf, err,
	    sizeof(err)) == 0, "an export of /");
	tap_ok(export_by_mount_path(&t, "/a/b", 4, &n) == &t.exports[0] &&
	    n == 1, "/a/b is in /");
	tap_ok(export_by_mount_path(&t, "/", 1, &n) == &t.exports[0] &&
	    n == 1, "/ is /");
	conf_free(conf);

	/* security: the weakest flavour listed, and every stronger one. */
	conf = conf_parse_string("[share s]\npath = /s\n"
	    "[share i]\npath = /i\nsecurity = krb5i\n"
	    "[share p]\npath = /p\nsecurity = krb5p sys\n"
	    "[share k]\npath = /k\nsecurity = krb5p krb5\n", "sec.conf", err,
	    sizeof(err));
	tap_ok(conf != NULL && export_table_load(&t, conf, err,
	    sizeof(err)) == 0, "shares with security");
	{
		struct rpcauth_flavor gss = { .flavor = RPCSEC_GSS };
		struct rpcauth_call sys, k5, k5i, k5p;
		struct export *s_ = export_by_path(&t, "/s", 2);
		struct export *i_ = export_by_path(&t, "/i", 2);
		struct export *p_ = export_by_path(&t, "/p", 2);
		struct export *k_ = export_by_path(&t, "/k", 2);
		uint32_t fl[4];

		memset(&sys, 0, sizeof(sys));
		sys.flavor = &rpcauth_sys;
		k5 = k5i = k5p = sys;
		k5.flavor = k5i.flavor = k5p.flavor = &gss;
		k5.service = RPCSEC_GSS_SVC_NONE;
		k5i.service = RPCSEC_GSS_SVC_INTEGRITY;
		k5p.service = RPCSEC_GSS_SVC_PRIVACY;
		tap_ok(export_security_allowed(s_, &sys) &&
		    export_security_allowed(s_, &k5) &&
		    export_security_allowed(s_, &k5p),
		    "the default (sys) takes every flavour");
		tap_ok(!export_security_allowed(i_, &sys) &&
		    !export_security_allowed(i_, &k5) &&
		    export_security_allowed(i_, &k5i) &&
		    export_security_allowed(i_, &k5p),
		    "krb5i: AUTH_SYS and krb5 are too weak");
		tap_ok(export_security_allowed(p_, &sys) &&
		    export_security_allowed(p_, &k5),
		    "krb5p sys: the weakest listed is sys");
		tap_ok(!export_security_allowed(k_, &sys) &&
		    export_security_allowed(k_, &k5) &&
		    export_security_allowed(k_, &k5i),
		    "krb5p krb5: krb5 and stronger");
		tap_ok(export_flavors(s_, fl) == 1 && fl[0] == 1,
		    "MOUNT's flavours of a sys share: AUTH_SYS");
		tap_ok(export_flavors(p_, fl) == 2 && fl[0] == 390005 &&
		    fl[1] == 1, "... of krb5p sys: 390005, then AUTH_SYS");
	}
	conf_free(conf);
	conf = conf_parse_string("[share x]\npath = /x\nsecurity = krb5 "
	    "lipkey\n", "badsec.conf", err, sizeof(err));
	tap_ok(conf != NULL && export_table_load(&t, conf, err,
	    sizeof(err)) == -1 && strstr(err, "security") != NULL,
	    "an unknown flavour is refused: %s", err);
	conf_free(conf);
	export_table_clear(&t);
	return tap_done();
}
