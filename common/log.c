/*
 * Logging: stderr in the foreground, syslog otherwise.  The state here
 * is set once at start (and the level on reload), which is why it is the
 * one piece of process-wide state outside a daemon's env.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static struct {
	int		 foreground;
	enum log_level	 level;
	const char	*ident;
	uint64_t	(*now_ms)(void);	/* tests; NULL: monotonic */
} log_state = { 1, LOG_LEVEL_INFO, "dittofs", NULL };

static const char *const log_level_names[] = {
	[LOG_LEVEL_ERR] = "error",
	[LOG_LEVEL_WARN] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

void
log_init(const char *ident, int foreground, enum log_level level)
{
	log_state.ident = ident;
	log_state.foreground = foreground;
	log_state.level = level;
	if (!foreground)
		/* LOG_NDELAY: connect to /dev/log now, before any chroot. */
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_set_level(enum log_level level)
{
	log_state.level = level;
}

enum log_level
log_get_level(void)
{
	return log_state.level;
}

void
log_set_procname(const char *name)
{
	log_state.ident = name;
}

int
log_level_parse(const char *text, enum log_level *level)
{
	size_t i;

	for (i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]);
	    i++) {
		if (strcasecmp(text, log_level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

/*
 * Names a client chose (NLM caller names, NSM monitor names, paths,
 * user names) reach log lines as they came.  A control byte in one
 * could forge a second line or drive the admin's terminal, so every
 * byte below 0x20, and DEL, is written as \xNN.  Backslashes stay as
 * they are (SMB paths are full of them).  The result is cut to dstlen.
 */
static void
log_escape(char *dst, size_t dstlen, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	unsigned char c;

	for (; (c = (unsigned char)*src) != '\0'; src++) {
		if (c >= 0x20 && c != 0x7f) {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = (char)c;
			continue;
		}
		if (o + 4 >= dstlen)
			break;
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[c >> 4];
		dst[o++] = hex[c & 0xf];
	}
	dst[o] = '\0';
}

static void
log_emit(enum log_level level, int errnum, const char *fmt, va_list ap)
{
	static const int priorities[] = {
		[LOG_LEVEL_ERR] = LOG_ERR,
		[LOG_LEVEL_WARN] = LOG_WARNING,
		[LOG_LEVEL_INFO] = LOG_INFO,
		[LOG_LEVEL_DEBUG] = LOG_DEBUG,
	};
	char raw[2048], msg[2048];
	int n;

	if (level > log_state.level)
		return;
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	if (n < 0)
		return;
	if (errnum != 0 && (size_t)n < sizeof(raw))
		snprintf(raw + n, sizeof(raw) - (size_t)n, ": %s",
		    strerror(errnum));
	log_escape(msg, sizeof(msg), raw);
	if (log_state.foreground) {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s[%d]: %s\n", stamp,
		    ts.tv_nsec / 1000000, log_state.ident, (int)getpid(), msg);
		fflush(stderr);
	} else
		syslog(priorities[level], "%s", msg);
}

#define LOG_FUNCTION(name, level, with_errno)			\
void								\
name(const char *fmt, ...)					\
{								\
	int saved_errno = errno;				\
	va_list ap;						\
								\
	va_start(ap, fmt);					\
	log_emit(level, with_errno ? saved_errno : 0, fmt, ap);	\
	va_end(ap);						\
	errno = saved_errno;					\
}

LOG_FUNCTION(log_warn, LOG_LEVEL_WARN, 1)
LOG_FUNCTION(log_warnx, LOG_LEVEL_WARN, 0)
LOG_FUNCTION(log_info, LOG_LEVEL_INFO, 0)
LOG_FUNCTION(log_debug, LOG_LEVEL_DEBUG, 0)

void
log_rate_set_clock(uint64_t (*now_ms)(void))
{
	log_state.now_ms = now_ms;
}

static uint64_t
log_rate_now(void)
{
	struct timespec ts;

	if (log_state.now_ms != NULL)
		return log_state.now_ms();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* May this site log now?  Says first what it suppressed before. */
static int
log_rate_admit(struct log_rate *r, enum log_level level)
{
	uint64_t now;

	if (level > log_state.level)
		return 0;	/* not logged anyway: nothing to count */
	now = log_rate_now();
	if (r->lines == 0 || now - r->window_start >=
	    (uint64_t)LOG_RATE_INTERVAL_SECONDS * 1000) {
		r->window_start = now;
		r->lines = 0;
	}
	if (r->lines >= LOG_RATE_BURST) {
		r->suppressed++;
		return 0;
	}
	if (r->suppressed > 0) {
		log_warnx("%lu similar message%s suppressed (at most %d "
		    "per %d s); the next one follows", r->suppressed,
		    r->suppressed == 1 ? "" : "s", LOG_RATE_BURST,
		    LOG_RATE_INTERVAL_SECONDS);
		r->suppressed = 0;
	}
	r->lines++;
	return 1;
}

#define LOG_RATE_FUNCTION(name, level, with_errno)		\
void								\
name(struct log_rate *r, const char *fmt, ...)			\
{								\
	int saved_errno = errno;				\
	va_list ap;						\
								\
	if (log_rate_admit(r, level)) {				\
		va_start(ap, fmt);				\
		log_emit(level, with_errno ? saved_errno : 0, fmt, ap); \
		va_end(ap);					\
	}							\
	errno = saved_errno;					\
}

LOG_RATE_FUNCTION(log_warn_rate, LOG_LEVEL_WARN, 1)
LOG_RATE_FUNCTION(log_warnx_rate, LOG_LEVEL_WARN, 0)
LOG_RATE_FUNCTION(log_info_rate, LOG_LEVEL_INFO, 0)

void
fatal(const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERR, saved_errno, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
