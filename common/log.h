/*
 * Logging for every DittoFS process: stderr when running in the
 * foreground (-d), syslog otherwise.  fatal() ends the process with the
 * errno text, fatalx() without.
 */
#ifndef DITTOFS_LOG_H
#define DITTOFS_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

void	log_init(const char *ident, int foreground, enum log_level level);
void	log_set_level(enum log_level level);
enum log_level log_get_level(void);
int	log_level_parse(const char *text, enum log_level *level);
void	log_set_procname(const char *name);

void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
