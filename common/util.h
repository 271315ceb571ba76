#ifndef DITTOFS_UTIL_H
#define DITTOFS_UTIL_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

/* Create dir (and parents) if missing; set mode and owner when asked. */
int	util_mkdir(const char *path, mode_t mode, uid_t uid, gid_t gid);
int	util_lookup_group(const char *name, gid_t *gid);
int	util_write_all(int fd, const void *buf, size_t len);
int	util_read_all(int fd, void *buf, size_t len);
int	util_uptime_text(long long seconds, char *buf, size_t len);
int	util_sockaddr_parse(const char *addr, unsigned int port,
	    struct sockaddr_storage *, socklen_t *);
int	util_listen_inet(const char *addr, unsigned int port, int type);
/* "getattr 12, open_io 3": the non-zero counts by name, or "none". */
void	util_counts_text(char *buf, size_t len, const uint64_t *counts,
	    size_t n, const char *(*name)(size_t));
/* KRB5_CONFIG (or /etc/krb5.conf) into dir/krb5.conf; 0 or -1. */
#define UTIL_KRB5_CONF_MAX	(1024 * 1024)
int	util_krb5_conf_copy(const char *dir);

#endif
