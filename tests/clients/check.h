/*
 * The checks of a test client (cb-gss, cb-gss41, krb5-client): one line
 * each on stdout, "ok: WHAT" or "FAIL: WHAT", and failures counts the
 * ones that did not hold, for the client's exit status.
 */
#ifndef DITTOFS_TESTS_CHECK_H
#define DITTOFS_TESTS_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static int failures;

static inline void
check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	fflush(stdout);
	if (!ok)
		failures++;
}

/* The same, the line made from fmt. */
static inline void __attribute__((format(printf, 2, 3)))
checkf(int ok, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	check(ok, line);
}

#endif
