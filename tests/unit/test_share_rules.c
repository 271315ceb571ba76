/*
 * common/share_rules.c: the clients list and the port rule that nfsd
 * and lockd share; a reload that keeps what was resolved; no name
 * resolution once the process is sandboxed.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "sandbox.h"
#include "share_rules.h"
#include "tap.h"

static void
addr4(const char *text, uint8_t a[16])
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, text, &sin.sin_addr);
	share_rules_addr((struct sockaddr *)&sin, a);
}

/* In a sandboxed child: 0 if names are refused and addresses are not. */
static int
confined_child(void)
{
	struct share_client *cl;
	size_t n;
	char err[256];
	pid_t pid;
	int status;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if (sandbox_seccomp(NULL, SANDBOX_AF_UNIX, 0) == -1)
			_exit(2);
		if (share_rules_parse_clients("10.0.0.0/8 ::1", &cl, &n, err,
		    sizeof(err)) == -1 || n != 2)
			_exit(3);
		if (share_rules_parse_clients("localhost", &cl, &n, err,
		    sizeof(err)) != -1 || strstr(err, "only at start") == NULL)
			_exit(4);
		if (share_rules_parse_clients("@trusted", &cl, &n, err,
		    sizeof(err)) != -1 || strstr(err, "only at start") == NULL)
			_exit(5);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) == -1)
		return -1;
	if (WIFSIGNALED(status))
		return 100 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int
main(void)
{
	static const char text[] =
	    "[share a]\npath = /a\nclients = 192.0.2.0/24, 198.51.100.7\n"
	    "[share b]\npath = /b\ninsecure = yes\n";
	struct share_rules a, b, again, fake;
	struct share_client one;
	const struct conf_section *sa, *sb;
	struct conf *conf;
	uint8_t addr[16];
	char err[256];
	int rc;

	conf = conf_parse_string(text, "t.conf", err, sizeof(err));
	tap_ok(conf != NULL, "config parses %s", conf ? "" : err);
	if (conf == NULL)
		return tap_done();
	sa = conf_next_section(conf, "share", NULL);
	sb = conf_next_section(conf, "share", sa);
	tap_ok(share_rules_load(&a, sa, NULL, err, sizeof(err)) == 0 &&
	    a.nclients == 2 && !a.insecure, "share a: two clients, secure");
	tap_ok(share_rules_load(&b, sb, NULL, err, sizeof(err)) == 0 &&
	    b.nclients == 1 && b.insecure && strcmp(b.clients_text, "*") == 0,
	    "share b: the defaults' '*', insecure as set");

	addr4("192.0.2.200", addr);
	tap_ok(share_rules_check(&a, addr, 1023) == 0,
	    "a client from a reserved port passes");
	tap_ok(share_rules_check(&a, addr, 1024) == -1,
	    "the same client from port 1024 does not");
	addr4("198.51.100.8", addr);
	tap_ok(share_rules_check(&a, addr, 700) == -1,
	    "a neighbour of a single address does not");
	tap_ok(share_rules_check(&b, addr, 50000) == 0,
	    "insecure and '*': anyone from any port");

	/*
	 * Reload with the clients text unchanged: the addresses are taken
	 * over, nothing is resolved (the fake list proves it).
	 */
	memset(&fake, 0, sizeof(fake));
	memset(&one, 0, sizeof(one));
	one.kind = SHARE_CLIENT_NET;
	one.prefix = 128;
	addr4("203.0.113.9", one.addr);
	fake.clients_text = a.clients_text;
	fake.clients = &one;
	fake.nclients = 1;
	tap_ok(share_rules_load(&again, sa, &fake, err, sizeof(err)) == 0 &&
	    again.nclients == 1 &&
	    memcmp(again.clients[0].addr, one.addr, 16) == 0,
	    "an unchanged clients text keeps the previous addresses");
	share_rules_clear(&again);
	fake.clients_text = "something else";
	tap_ok(share_rules_load(&again, sa, &fake, err, sizeof(err)) == 0 &&
	    again.nclients == 2, "a changed text is parsed again");
	share_rules_clear(&again);

	rc = confined_child();
	tap_ok(rc == 0, "under seccomp, addresses parse and host names and "
	    "netgroups are refused, not looked up (child: %d)", rc);

	share_rules_clear(&a);
	share_rules_clear(&b);
	conf_free(conf);
	return tap_done();
}
