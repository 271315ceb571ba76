/* Unit tests for the dittofs.conf reader: every error path and the
 * values it hands out. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_conf.XXXXXX";

/* Parse text; expect an error whose message contains want. */
static void
expect_error(const char *text, const char *want, const char *what)
{
	char err[512] = "";
	struct conf *conf;

	conf = conf_parse_string(text, "t.conf", err, sizeof(err));
	if (!tap_ok(conf == NULL && strstr(err, want) != NULL, "%s", what))
		tap_diag("  error was '%s', wanted '%s'", err, want);
	conf_free(conf);
}

static void
write_file(const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, fp);
	fclose(fp);
}

static void
test_errors(void)
{
	expect_error("[bogus]\n", "t.conf:1: unknown section [bogus]",
	    "unknown section");
	expect_error("[global]\nstate directory = /x\nfrobnicate = 1\n",
	    "t.conf:3: unknown key 'frobnicate' in [global]", "unknown key");
	expect_error("[share]\npath = /x\n", "t.conf:1: section [share] needs "
	    "a name", "share without a name");
	expect_error("[nfsd x]\n", "t.conf:1: section [nfsd] takes no name",
	    "daemon section with a name");
	expect_error("[share a/b]\npath = /x\n", "t.conf:1: bad share name",
	    "share name with a slash");
	expect_error("[nfsd]\n[nfsd]\n", "t.conf:2: duplicate section [nfsd]",
	    "duplicate section");
	expect_error("[share a]\npath = /a\n[share a]\npath = /b\n",
	    "t.conf:3: duplicate section [share a]", "duplicate share");
	expect_error("[nfsd]\nport = many\n", "t.conf:2: bad value 'many' for "
	    "'port'", "integer that is not one");
	expect_error("[nfsd]\nport = 70000\n", "expected an integer from 1 to "
	    "65535", "integer out of range");
	expect_error("[nfsd]\nport = 12x\n", "bad value '12x'",
	    "integer with trailing junk");
	expect_error("[share s]\npath = /s\nread only = perhaps\n",
	    "t.conf:3: bad value 'perhaps' for 'read only' in [share]: "
	    "expected yes or no", "bad boolean");
	expect_error("[global]\nlog level = loud\n", "t.conf:2: bad value "
	    "'loud' for 'log level'", "bad log level");
	expect_error("[global]\nstate directory = relative/dir\n",
	    "t.conf:2: 'state directory' in [global] must be an absolute path",
	    "relative path");
	expect_error("[stated]\nuser =\n", "t.conf:2: empty value for 'user'",
	    "empty string");
	expect_error("port = 1\n", "t.conf:1: key 'port' outside any section",
	    "key before any section");
	expect_error("[nfsd]\nport 2049\n", "t.conf:2: expected 'key = "
	    "value'", "line without '='");
	expect_error("[nfsd]\n= 2049\n", "t.conf:2: missing key before '='",
	    "missing key");
	expect_error("[nfsd\n", "t.conf:1: bad section header", "unclosed "
	    "section header");
	expect_error("[nfsd] trailing\n", "t.conf:1: bad section header",
	    "junk after section header");
	expect_error("[nfsd]\nport = 1\nPort = 2\n", "t.conf:3: duplicate key "
	    "'port' in [nfsd], first at t.conf:2", "duplicate key");
	expect_error("[share s]\nread only = yes\n", "t.conf:1: [share s] has "
	    "no path", "share without a path");
	expect_error("include =\n", "t.conf:1: include needs a file name",
	    "include without a file");
}

static void
test_include_errors(void)
{
	char path[256], err[512];
	struct conf *conf;

	write_file("missing.conf", "[global]\ninclude = nowhere.conf\n");
	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	conf = conf_load(path, err, sizeof(err));
	tap_ok(conf == NULL && strstr(err, "missing.conf:2: include") &&
	    strstr(err, "No such file"), "include of a missing file names "
	    "the including line (%s)", err);
	conf_free(conf);

	write_file("loop.conf", "include = loop.conf\n");
	snprintf(path, sizeof(path), "%s/loop.conf", tmpdir);
	conf = conf_load(path, err, sizeof(err));
	tap_ok(conf == NULL && strstr(err, "nested deeper") != NULL,
	    "include loop is caught (%s)", err);
	conf_free(conf);

	write_file("nul.conf", "[global]\n");
	snprintf(path, sizeof(path), "%s/nul.conf", tmpdir);
	{
		FILE *fp = fopen(path, "a");

		fputc('\0', fp);
		fclose(fp);
	}
	conf = conf_load(path, err, sizeof(err));
	tap_ok(conf == NULL && strstr(err, "NUL byte") != NULL,
	    "a NUL byte is refused");
	conf_free(conf);

	snprintf(path, sizeof(path), "%s/absent.conf", tmpdir);
	conf = conf_load(path, err, sizeof(err));
	tap_ok(conf == NULL && strstr(err, "absent.conf: No such file") !=
	    NULL, "a missing file is named (%s)", err);
	conf_free(conf);
}

static void
test_values(void)
{
	const struct conf_section *s;
	char err[512], path[256], buf[256];
	struct conf *conf;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int n;

	write_file("shares.conf", "; shares live here\n[share b]\n"
	    "path = /b\nread only = yes\n");
	write_file("main.conf",
	    "# comment\n"
	    "[global]\n"
	    "  State   Directory =   /tmp/dfs/state   \n"
	    "run directory = /tmp/dfs/run\n"
	    "\n"
	    "[nfsd]\n"
	    "port = 20490\n"
	    "log level = debug\n"
	    "[share export]\n"
	    "path = /export\n"
	    "include = shares.conf\n");
	snprintf(path, sizeof(path), "%s/main.conf", tmpdir);
	conf = conf_load(path, err, sizeof(err));
	if (!tap_ok(conf != NULL, "a valid file loads")) {
		tap_diag("  %s", err);
		return;
	}
	tap_ok(strcmp(conf_get(conf, "global", "state directory"),
	    "/tmp/dfs/state") == 0, "keys are case- and blank-folded, "
	    "values trimmed");
	TAP_EQ_INT(conf_get_int(conf, "nfsd", "port"), 20490, "int value");
	TAP_EQ_INT(conf_get_int(conf, "nfsd", "mount port"), 20048,
	    "int default");
	tap_ok(strcmp(conf_get(conf, "nfsd", "log level"), "debug") == 0,
	    "daemon's own log level");
	tap_ok(strcmp(conf_get(conf, "stated", "log level"), "info") == 0,
	    "log level falls back to [global]");
	TAP_EQ_INT(conf_get_bool(conf, "stated", "enable"), 1,
	    "absent section gives defaults");
	tap_ok(conf_get(conf, "blockd", "data directory") == NULL,
	    "no default where none is declared");
	n = 0;
	for (s = conf_next_section(conf, "share", NULL); s != NULL;
	    s = conf_next_section(conf, "share", s))
		n++;
	TAP_EQ_INT(n, 2, "two shares, one from the included file");
	s = conf_next_section(conf, "share", NULL);
	s = conf_next_section(conf, "share", s);
	tap_ok(s != NULL && strcmp(s->name, "b") == 0 &&
	    conf_section_get_bool(s, "share", "read only") == 1 &&
	    strstr(s->file, "shares.conf") != NULL,
	    "included share keeps its file and values");
	conf_run_path(conf, "stated.sock", buf, sizeof(buf));
	tap_ok(strcmp(buf, "/tmp/dfs/run/stated.sock") == 0, "run path");

	/* The dump reads back to the same values (dittofsctl reload). */
	mem = open_memstream(&text, &len);
	conf_dump(conf, mem);
	fclose(mem);
	conf_free(conf);
	conf = conf_parse_string(text, "dump", err, sizeof(err));
	tap_ok(conf != NULL && conf_get_int(conf, "nfsd", "port") == 20490 &&
	    conf_next_section(conf, "share", NULL) != NULL,
	    "conf_dump output parses back");
	free(text);
	conf_free(conf);
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_errors();
	test_include_errors();
	test_values();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		tap_diag("cleanup of %s failed", tmpdir);
	return tap_done();
}
