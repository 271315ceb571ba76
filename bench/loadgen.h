/*
 * loadgen.h: what bench/nfsload.c (NFSv3 on libnfs) and bench/nfs4load.c
 * (NFSv4.0, a client of its own) share: their options, the random
 * offsets, the clock, and the RESULT and LATENCY lines bench/compare
 * reads.  Header-only, so that bench/compare can still build either tool
 * from its one .c file (with -I bench) where the build tree has none.
 */
#ifndef BENCH_LOADGEN_H
#define BENCH_LOADGEN_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOADGEN_MAX_CONNS	64
#define LOADGEN_MAX_DEPTH	256
#define LOADGEN_MAX_LAT		(1u << 20)

/* A phase's name (in --tests and RESULT lines) and its figure's unit. */
struct loadgen_phase {
	const char	*name;
	const char	*unit;
};

/* The command line both tools take. */
struct loadgen_opts {
	const char	*url;
	const char	*tests;		/* comma list, NULL: every phase */
	int		 conns;
	int		 depth;
	long		 size_mib;
	long		 seconds;
	long		 files;
	long		 create_bytes;
	char		 dir[256];
};

static const char *loadgen_prog = "loadgen";

static void
loadgen_fatalx(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", loadgen_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double
loadgen_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64: offsets and names, cheap and not worth a syscall. */
static uint64_t
loadgen_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

static long
loadgen_parse_long(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		loadgen_fatalx("bad %s: %s (%ld..%ld)", what, s, min, max);
	return v;
}

/* Parse argv into o (defaults: 4 x 16, 256 MiB, 5 s, 5000 files);
 * usage() on anything else.  dirprefix names the default --dir. */
static void
loadgen_options(int argc, char **argv, struct loadgen_opts *o,
    const char *dirprefix, void (*usage)(void))
{
	int i;

	memset(o, 0, sizeof(*o));
	o->conns = 4;
	o->depth = 16;
	o->size_mib = 256;
	o->seconds = 5;
	o->files = 5000;
	snprintf(o->dir, sizeof(o->dir), "%s.%ld", dirprefix,
	    (long)getpid());
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (i + 1 >= argc)
			usage();
		if (strcmp(a, "--url") == 0)
			o->url = argv[++i];
		else if (strcmp(a, "--conns") == 0)
			o->conns = (int)loadgen_parse_long(argv[++i], 1,
			    LOADGEN_MAX_CONNS, a);
		else if (strcmp(a, "--depth") == 0)
			o->depth = (int)loadgen_parse_long(argv[++i], 1,
			    LOADGEN_MAX_DEPTH, a);
		else if (strcmp(a, "--size") == 0)
			o->size_mib = loadgen_parse_long(argv[++i], 1, 1 << 20,
			    a);
		else if (strcmp(a, "--seconds") == 0)
			o->seconds = loadgen_parse_long(argv[++i], 1, 3600, a);
		else if (strcmp(a, "--files") == 0)
			o->files = loadgen_parse_long(argv[++i], 1, 10000000,
			    a);
		else if (strcmp(a, "--create-bytes") == 0)
			o->create_bytes = loadgen_parse_long(argv[++i], 0,
			    1024 * 1024, a);
		else if (strcmp(a, "--tests") == 0)
			o->tests = argv[++i];
		else if (strcmp(a, "--dir") == 0)
			snprintf(o->dir, sizeof(o->dir), "%s", argv[++i]);
		else
			usage();
	}
	if (o->url == NULL)
		usage();
}

/* want[p] for each of the n phases: those the comma list tests names,
 * or every one when tests is NULL. */
static void
loadgen_want(const char *tests, const struct loadgen_phase *phases, int n,
    int want[])
{
	char *list, *tok, *save;
	int p;

	for (p = 0; p < n; p++)
		want[p] = tests == NULL;
	if (tests == NULL)
		return;
	if ((list = strdup(tests)) == NULL)
		loadgen_fatalx("out of memory");
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		for (p = 0; p < n; p++)
			if (strcmp(tok, phases[p].name) == 0)
				break;
		if (p == n)
			loadgen_fatalx("unknown test %s", tok);
		want[p] = 1;
	}
	free(list);
}

static int
loadgen_lat_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * RESULT name=PREFIX_NAME value=V unit=UNIT: count (bytes for MB/s,
 * else operations) over seconds; with the per-op times of a
 * one-in-flight run (nlat > 0) LATENCY name=.. p50 p90 p99 in us.
 */
static void
loadgen_report(const char *prefix, const struct loadgen_phase *ph,
    uint64_t count, double seconds, double *lat, size_t nlat)
{
	double v = seconds > 0 ? count / seconds : 0;

	if (strcmp(ph->unit, "MB/s") == 0)
		v /= 1e6;
	printf("RESULT name=%s_%s value=%.2f unit=%s\n", prefix, ph->name, v,
	    ph->unit);
	if (nlat > 0) {
		qsort(lat, nlat, sizeof(*lat), loadgen_lat_cmp);
		printf("LATENCY name=%s_%s p50=%.1f p90=%.1f p99=%.1f "
		    "unit=us n=%zu\n", prefix, ph->name, lat[nlat / 2] * 1e6,
		    lat[nlat * 9 / 10] * 1e6, lat[nlat * 99 / 100] * 1e6, nlat);
	}
	fflush(stdout);
}

#endif /* BENCH_LOADGEN_H */
