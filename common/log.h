/*
 * Logging for every DittoFS process: stderr when running in the
 * foreground (-d), syslog otherwise.  fatal() ends the process with the
 * errno text, fatalx() without.
 */
#ifndef DITTOFS_LOG_H
#define DITTOFS_LOG_H

#include <stdarg.h>
#include <stdint.h>

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
/*
 * Rate limiting for what a remote peer can trigger over and over (a
 * malformed message, a refused call): each call site may log at most
 * LOG_RATE_BURST lines per LOG_RATE_INTERVAL_SECONDS; what it drops is
 * counted, and the next line it lets through is preceded by one saying
 * how many were suppressed.  The site's state is a static of the call
 * site, made by the *_rl macros below: a limiter per log statement, so
 * that one noisy client cannot silence a different warning.
 */
#define LOG_RATE_BURST			10
#define LOG_RATE_INTERVAL_SECONDS	60

struct log_rate {
	uint64_t	window_start;	/* milliseconds, monotonic */
	unsigned int	lines;		/* logged in this window */
	unsigned long	suppressed;	/* dropped since the last line */
};

void	log_warn_rate(struct log_rate *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_warnx_rate(struct log_rate *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_info_rate(struct log_rate *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* For tests: the clock the limiter reads (NULL: CLOCK_MONOTONIC). */
void	log_rate_set_clock(uint64_t (*now_ms)(void));

#define LOG_RATE_SITE(fn, ...) do {					\
	static struct log_rate log_rate_site_;				\
	fn(&log_rate_site_, __VA_ARGS__);				\
} while (0)
#define log_warn_rl(...)	LOG_RATE_SITE(log_warn_rate, __VA_ARGS__)
#define log_warnx_rl(...)	LOG_RATE_SITE(log_warnx_rate, __VA_ARGS__)
#define log_info_rl(...)	LOG_RATE_SITE(log_info_rate, __VA_ARGS__)

void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
