/*
 * common/util.c: util_krb5_conf_copy, the Kerberos configuration copied
 * before a chroot (gssd's NFSv4.0 callback contexts name it, nfsd opens
 * it on import): KRB5_CONFIG's first file, byte for byte, readable by
 * all; a missing source fails and leaves nothing behind.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "util.h"

static const char conf[] =
    "[libdefaults]\n\tdefault_realm = DITTO.TEST\n"
    "[realms]\n\tDITTO.TEST = {\n\t\tkdc = 127.0.0.1:88\n\t}\n";

static int
same_as_conf(const char *path)
{
	char buf[512];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n == sizeof(conf) - 1 && memcmp(buf, conf, n) == 0;
}

int
main(void)
{
	char dir[] = "/tmp/dittofs-test-util.XXXXXX", src[64], dst[64],
	    list[160];
	struct stat st;
	FILE *f;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(src, sizeof(src), "%s/src.conf", dir);
	snprintf(dst, sizeof(dst), "%s/krb5.conf", dir);
	if ((f = fopen(src, "w")) == NULL)
		return 1;
	fputs(conf, f);
	fclose(f);

	snprintf(list, sizeof(list), "%s:/nonexistent/krb5.conf", src);
	setenv("KRB5_CONFIG", list, 1);
	umask(077);
	tap_ok(util_krb5_conf_copy(dir) == 0 && same_as_conf(dst),
	    "KRB5_CONFIG's first file is copied to DIR/krb5.conf");
	tap_ok(stat(dst, &st) == 0 && (st.st_mode & 0777) == 0644,
	    "the copy is readable by all (mode 0644, under umask 077)");
	unlink(dst);

	setenv("KRB5_CONFIG", "/nonexistent/krb5.conf", 1);
	errno = 0;
	tap_ok(util_krb5_conf_copy(dir) == -1 && errno == ENOENT &&
	    access(dst, F_OK) == -1,
	    "a missing source: -1, ENOENT, no copy left behind");
	setenv("KRB5_CONFIG", src, 1);
	tap_ok(util_krb5_conf_copy("/nonexistent-dir") == -1,
	    "a directory that is not there: -1");

	unlink(src);
	rmdir(dir);
	return tap_done();
}
