/*
 * Minimal TAP producer for DittoFS unit tests.  Each test program prints a
 * plan ("1..N" at the end), one "ok"/"not ok" line per check, and exits
 * non-zero when any check failed.  Automake's tap-driver counts the lines.
 */
#ifndef DITTOFS_TAP_H
#define DITTOFS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;
static int tap_failed;

static inline int
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

static inline void
tap_skip(const char *why, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("ok %d - ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", why);
	fflush(stdout);
}

static inline void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#define TAP_EQ_INT(a, b, ...) \
	tap_ok((long long)(a) == (long long)(b), __VA_ARGS__) ? 1 : \
	(tap_diag("  got %lld, expected %lld", (long long)(a), (long long)(b)), 0)

#endif
