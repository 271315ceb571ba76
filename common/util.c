#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/*
 * Make dir (and parents).  Mode and owner are set on a directory this
 * call created, or by root; an existing one that another user owns is
 * left as it is (systemd or an admin prepared it).
 */
int
util_mkdir(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	char buf[PATH_MAX];
	char *slash;
	struct stat st;
	int created = 1;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* Parents get 0755 and stay as they are if they exist. */
	for (slash = strchr(buf + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return -1;
		*slash = '/';
	}
	if (mkdir(buf, mode) == -1) {
		if (errno != EEXIST)
			return -1;
		created = 0;
	}
	if (stat(buf, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	if (!created && geteuid() != 0 && st.st_uid != geteuid())
		return 0;
	if (chmod(buf, mode) == -1)
		return -1;
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    chown(buf, uid, gid) == -1)
		return -1;
	return 0;
}

int
util_lookup_group(const char *name, gid_t *gid)
{
	struct group *gr;

	errno = 0;
	if ((gr = getgrnam(name)) == NULL) {
		if (errno == 0)
			errno = ENOENT;
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

int
util_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
util_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = read(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
util_uptime_text(long long s, char *buf, size_t len)
{
	if (s >= 86400)
		return snprintf(buf, len, "%lldd%02lldh%02lldm", s / 86400,
		    (s % 86400) / 3600, (s % 3600) / 60);
	if (s >= 3600)
		return snprintf(buf, len, "%lldh%02lldm%02llds", s / 3600,
		    (s % 3600) / 60, s % 60);
	return snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
}

/*
 * A numeric IPv4 or IPv6 address and a port.  No name lookup:
 * getaddrinfo(AI_ADDRCONFIG) fails in a namespace that has only lo.
 */
int
util_sockaddr_parse(const char *addr, unsigned int port,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (port > 65535) {
		errno = EINVAL;
		return -1;
	}
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
		return 0;
	}
	errno = EINVAL;
	return -1;
}

/*
 * A non-blocking listening TCP (or bound UDP) socket on a numeric
 * address (port 0: any), with SO_REUSEADDR so a restarted server
 * rebinds at once.
 */
int
util_listen_inet(const char *addr, unsigned int port, int type)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, on = 1;

	if (util_sockaddr_parse(addr, port, &ss, &len) == -1)
		return -1;
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    (type == SOCK_STREAM && listen(fd, 256) == -1)) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

void
util_counts_text(char *buf, size_t len, const uint64_t *counts, size_t n,
    const char *(*name)(size_t))
{
	size_t i, used = 0;
	int k;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (counts[i] == 0)
			continue;
		k = snprintf(buf + used, len - used, "%s%s %llu",
		    used ? ", " : "", name(i), (unsigned long long)counts[i]);
		if (k < 0 || (size_t)k >= len - used)
			break;
		used += (size_t)k;
	}
	if (used == 0)
		snprintf(buf, len, "none");
}

/*
 * The Kerberos configuration (KRB5_CONFIG's first file, or
 * /etc/krb5.conf) copied to dir/krb5.conf, before a chroot: MIT's
 * GSS-API names the configuration files in an exported context, and
 * whoever imports it opens them again (gssd's NFSv4.0 callback
 * contexts, imported by nfsd).  0, or -1 with errno.
 */
int
util_krb5_conf_copy(const char *dir)
{
	const char *src = getenv("KRB5_CONFIG");
	char first[PATH_MAX], dst[PATH_MAX], buf[8192], *colon;
	size_t total = 0;
	ssize_t n;
	int in, out, saved;

	if (src == NULL || *src == '\0')
		src = "/etc/krb5.conf";
	snprintf(first, sizeof(first), "%s", src);
	if ((colon = strchr(first, ':')) != NULL)
		*colon = '\0';
	if (snprintf(dst, sizeof(dst), "%s/krb5.conf", dir) >=
	    (int)sizeof(dst)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((in = open(first, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	/* Read after the privileges are gone: for all, whatever the umask. */
	if ((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1 || fchmod(out, 0644) == -1) {
		saved = errno;
		if (out != -1)
			close(out);
		close(in);
		errno = saved;
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if ((total += (size_t)n) > UTIL_KRB5_CONF_MAX) {
			errno = EFBIG;
			n = -1;
			break;
		}
		if (util_write_all(out, buf, (size_t)n) == -1) {
			n = -1;
			break;
		}
	}
	saved = errno;
	close(in);
	if (close(out) == -1 || n != 0) {
		if (n == 0)
			saved = errno;
		(void)unlink(dst);
		errno = saved;
		return -1;
	}
	return 0;
}
