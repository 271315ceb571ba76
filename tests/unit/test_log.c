/*
 * common/log.c: the per-site rate limiter a remote peer cannot outrun,
 * and the escaping of control bytes a remote peer chose.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"

static uint64_t fake_now;

static uint64_t
fake_clock(void)
{
	return fake_now;
}

/* Lines written to stderr since the last call, and the last of them. */
static FILE *captured;
static long captured_at;

static int
lines_since(char *last, size_t lastlen, char *first, size_t firstlen)
{
	char line[4096];
	int n = 0;

	fflush(stderr);
	fseek(captured, captured_at, SEEK_SET);
	last[0] = first[0] = '\0';
	while (fgets(line, sizeof(line), captured) != NULL) {
		if (n == 0)
			snprintf(first, firstlen, "%s", line);
		snprintf(last, lastlen, "%s", line);
		n++;
	}
	captured_at = ftell(captured);
	return n;
}

static void
malformed(int i)
{
	log_warnx_rl("peer 192.0.2.1: garbage arguments (%d)", i);
}

static void
other_site(void)
{
	log_warnx_rl("another warning");
}

static void
info_site(int i)
{
	log_info_rl("info %d", i);
}

int
main(void)
{
	char last[4096], first[4096];
	int i, n;

	if ((captured = tmpfile()) == NULL ||
	    dup2(fileno(captured), STDERR_FILENO) == -1) {
		perror("tmpfile");
		return 1;
	}
	log_init("test_log", 1, LOG_LEVEL_INFO);
	log_rate_set_clock(fake_clock);
	fake_now = 1000000;

	for (i = 0; i < 1000; i++)
		malformed(i);
	n = lines_since(last, sizeof(last), first, sizeof(first));
	tap_ok(n == LOG_RATE_BURST, "1000 calls from one site log %d lines "
	    "(at most %d)", n, LOG_RATE_BURST);
	tap_ok(strstr(last, "(9)") != NULL, "the first ones get through: %s",
	    last);

	other_site();
	n = lines_since(last, sizeof(last), first, sizeof(first));
	tap_ok(n == 1 && strstr(last, "another warning") != NULL,
	    "another site is not silenced by the noisy one");

	fake_now += (uint64_t)LOG_RATE_INTERVAL_SECONDS * 1000 - 1;
	malformed(1000);
	n = lines_since(last, sizeof(last), first, sizeof(first));
	tap_ok(n == 0, "still nothing before the interval is over");

	fake_now += 1;
	malformed(1001);
	n = lines_since(last, sizeof(last), first, sizeof(first));
	tap_ok(n == 2, "after the interval: a count line and the message "
	    "(%d lines)", n);
	tap_ok(strstr(first, "991 similar messages suppressed") != NULL,
	    "the count says how many were suppressed: %s", first);
	tap_ok(strstr(last, "(1001)") != NULL, "then the message: %s", last);

	for (i = 0; i < 1000; i++)
		malformed(i);
	n = lines_since(last, sizeof(last), first, sizeof(first));
	tap_ok(n == LOG_RATE_BURST - 1, "the new interval has its own "
	    "budget: %d more lines", n);

	log_warnx("caller %s done", "evil\nFAKE: root logged in\x1b[2J\\x41");
	n = lines_since(last, sizeof(last), first, sizeof(first));
	tap_ok(n == 1, "a name with a newline stays on one line (%d lines)",
	    n);
	tap_ok(strstr(last, "evil\\x0aFAKE: root logged in\\x1b[2J\\x41 "
	    "done") != NULL, "control bytes are escaped: %s",
	    last);

	log_set_level(LOG_LEVEL_WARN);
	for (i = 0; i < 100; i++)
		info_site(i);
	log_set_level(LOG_LEVEL_INFO);
	info_site(100);
	n = lines_since(last, sizeof(last), first, sizeof(first));
	tap_ok(n == 1 && strstr(last, "info 100") != NULL,
	    "lines below the log level are neither logged nor counted");
	return tap_done();
}
