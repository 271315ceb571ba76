/*
 * e2e-helper: the one static program inside the e2e guest.
 *
 * Under TCG a fork+exec costs tens of milliseconds, so a shell loop that
 * forks a process per file measures the emulator, not the server. Every
 * phase of a workload is therefore one call of this program. It also does
 * what busybox cannot do well from a shell: load modules without modprobe,
 * mount(2) NFS and CIFS with a text option string, and write the exit
 * status marker and wait until the UART has sent it.
 *
 * Built on the host with `gcc -static` by tests/e2e/build-guest; it runs
 * only inside the guest. Figures are printed as
 *   RESULT name=NAME value=VALUE unit=UNIT
 * with MB = 10^6 bytes.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define IO_CHUNK	(1024 * 1024)
#define SMALL_MAX	(1024 * 1024)

static const char *progname = "e2e-helper";

static void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (saved != 0)
		fprintf(stderr, ": %s", strerror(saved));
	fputc('\n', stderr);
	exit(1);
}

static void
fatalx(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double
now_seconds(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long
parse_number(const char *s, const char *what)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0)
		fatalx("bad %s: %s", what, s);
	return v;
}

/*
 * The NFS client's RPC counts per procedure (/proc/net/rpc/nfs, lines
 * "proc3 22 n n ..." and "proc4 N n n ..."): each RESULT is followed by
 * an OPS line with what the phase sent, so two servers' figures can be
 * told apart by round trips as well as by time.
 */
#define OPS_MAX	80
static unsigned long long ops_base[2][OPS_MAX];

static void
ops_read(unsigned long long out[2][OPS_MAX])
{
	char line[2048], *p, *end;
	FILE *f;
	int v, i, n;

	memset(out, 0, sizeof(unsigned long long) * 2 * OPS_MAX);
	if ((f = fopen("/proc/net/rpc/nfs", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "proc3 ", 6) == 0)
			v = 0;
		else if (strncmp(line, "proc4 ", 6) == 0)
			v = 1;
		else
			continue;
		n = (int)strtol(line + 6, &p, 10);
		for (i = 0; i < n && i < OPS_MAX; i++) {
			out[v][i] = strtoull(p, &end, 10);
			if (end == p)
				break;
			p = end;
		}
	}
	fclose(f);
}

static void
ops_print(const char *name)
{
	static const char *const v3[] = { "null", "getattr", "setattr",
	    "lookup", "access", "readlink", "read", "write", "create",
	    "mkdir", "symlink", "mknod", "remove", "rmdir", "rename",
	    "link", "readdir", "readdirplus", "fsstat", "fsinfo",
	    "pathconf", "commit" };
	unsigned long long now[2][OPS_MAX];
	int v, i;

	ops_read(now);
	printf("OPS name=%s", name);
	for (v = 0; v < 2; v++)
		for (i = 0; i < OPS_MAX; i++) {
			unsigned long long d = now[v][i] - ops_base[v][i];

			if (now[v][i] < ops_base[v][i] || d == 0)
				continue;
			if (v == 0 && i < (int)(sizeof(v3) / sizeof(v3[0])))
				printf(" %s=%llu", v3[i], d);
			else
				printf(" v4op%d=%llu", i, d);
		}
	printf("\n");
	memcpy(ops_base, now, sizeof(now));
}

/*
 * The client's own round-trip times per operation, from the per-op
 * lines of /proc/self/mountstats ("NAME: ops trans timeouts sent recv
 * queue_ms rtt_ms execute_ms ..."; the sums are kept in ns and printed
 * in ms). After each RESULT, an RTT line gives, per operation the phase
 * sent, the mean round trip and the mean time from the system call's
 * view, in us: where two servers' phases differ, these say which
 * operation makes the difference.
 */
#define RTT_MAX	64
struct rtt_op {
	char			name[24];
	unsigned long long	ops, rtt_ms, exec_ms;
};
static struct rtt_op rtt_base[RTT_MAX];
static int rtt_nbase;

static int
rtt_read(struct rtt_op *out)
{
	char line[512], name[24];
	unsigned long long v[8];
	int n = 0, i, per_op = 0;
	FILE *f;

	if ((f = fopen("/proc/self/mountstats", "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "device ", 7) == 0) {
			per_op = 0;
			continue;
		}
		if (strstr(line, "per-op statistics") != NULL) {
			per_op = 1;
			continue;
		}
		if (!per_op || sscanf(line, " %23[A-Z_0-9]: %llu %llu %llu %llu "
		    "%llu %llu %llu %llu", name, &v[0], &v[1], &v[2], &v[3],
		    &v[4], &v[5], &v[6], &v[7]) != 9)
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(out[i].name, name) == 0)
				break;
		if (i == n) {
			if (n == RTT_MAX)
				continue;
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].name, sizeof(out[n].name), "%s", name);
			n++;
		}
		out[i].ops += v[0];
		out[i].rtt_ms += v[6];
		out[i].exec_ms += v[7];
	}
	fclose(f);
	return n;
}

static void
rtt_print(const char *name)
{
	struct rtt_op now[RTT_MAX];
	unsigned long long ops, rtt, exec;
	int n, i, j;

	n = rtt_read(now);
	printf("RTT name=%s", name);
	for (i = 0; i < n; i++) {
		ops = now[i].ops;
		rtt = now[i].rtt_ms;
		exec = now[i].exec_ms;
		for (j = 0; j < rtt_nbase; j++)
			if (strcmp(rtt_base[j].name, now[i].name) == 0) {
				ops -= rtt_base[j].ops;
				rtt -= rtt_base[j].rtt_ms;
				exec -= rtt_base[j].exec_ms;
				break;
			}
		if (ops == 0 || ops > now[i].ops)
			continue;
		printf(" %s=%llu/%.0f/%.0f", now[i].name, ops,
		    rtt * 1000.0 / ops, exec * 1000.0 / ops);
	}
	printf(" (ops/rtt us/exec us)\n");
	memcpy(rtt_base, now, sizeof(now));
	rtt_nbase = n;
}

static void
result(const char *name, double value, const char *unit)
{
	printf("RESULT name=%s value=%.2f unit=%s\n", name, value, unit);
	ops_print(name);
	rtt_print(name);
	fflush(stdout);
}

static double
rate(double count, double seconds)
{
	return seconds > 0 ? count / seconds : 0;
}

static void
drop_caches(void)
{
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd == -1)
		return;	/* not fatal: outside the guest there may be no right */
	if (write(fd, "3\n", 2) != 2)
		fprintf(stderr, "%s: drop_caches: %s\n", progname,
		    strerror(errno));
	close(fd);
}

/* xorshift64*: deterministic data, so a reader can regenerate it. */
static void
fill_random(uint64_t *state, unsigned char *buf, size_t len)
{
	size_t i;
	uint64_t x = *state;

	for (i = 0; i + 8 <= len; i += 8) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		uint64_t v = x * 0x2545F4914F6CDD1DULL;
		memcpy(buf + i, &v, 8);
	}
	for (; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		buf[i] = (unsigned char)x;
	}
	*state = x;
}

static void
write_all(int fd, const unsigned char *buf, size_t len, const char *what)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("write %s", what);
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* insmod FILE...: load modules in order; a module already loaded is fine. */
static int
cmd_insmod(int argc, char **argv)
{
	int i, failed = 0;

	for (i = 0; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		if (fd == -1) {
			fprintf(stderr, "%s: open %s: %s\n", progname, argv[i],
			    strerror(errno));
			failed = 1;
			continue;
		}
		if (syscall(SYS_finit_module, fd, "", 0) == -1 &&
		    errno != EEXIST) {
			fprintf(stderr, "%s: load %s: %s\n", progname, argv[i],
			    strerror(errno));
			failed = 1;
		}
		close(fd);
	}
	return failed;
}

/* mount SOURCE DIR TYPE OPTIONS: mount(2) with the kernel's text options. */
static int
cmd_mount(int argc, char **argv)
{
	if (argc != 4)
		fatalx("usage: mount SOURCE DIR TYPE OPTIONS");
	if (mkdir(argv[1], 0755) == -1 && errno != EEXIST)
		fatal("mkdir %s", argv[1]);
	if (mount(argv[0], argv[1], argv[2], 0, argv[3]) == -1)
		fatal("mount -t %s %s %s -o %s", argv[2], argv[0], argv[1],
		    argv[3]);
	return 0;
}

/* status RC: the last line the host reads; wait until the UART sent it. */
static int
cmd_status(int argc, char **argv)
{
	if (argc != 1)
		fatalx("usage: status RC");
	fflush(stdout);
	printf("\nDITTOFS-E2E-STATUS %s\n", argv[0]);
	fflush(stdout);
	tcdrain(STDOUT_FILENO);
	return 0;
}

/* gen SEED BYTES: deterministic pseudo-random bytes on stdout. */
static int
cmd_gen(int argc, char **argv)
{
	static unsigned char buf[IO_CHUNK];
	uint64_t state;
	long long left;

	if (argc != 2)
		fatalx("usage: gen SEED BYTES");
	state = (uint64_t)parse_number(argv[0], "seed") * 2654435761ULL + 1;
	left = parse_number(argv[1], "size");
	while (left > 0) {
		size_t n = left < IO_CHUNK ? (size_t)left : IO_CHUNK;
		fill_random(&state, buf, n);
		write_all(STDOUT_FILENO, buf, n, "stdout");
		left -= (long long)n;
	}
	return 0;
}

/* seqwrite NAME FILE MIB: 1 MiB writes, then fsync; the fsync is timed. */
static int
cmd_seqwrite(int argc, char **argv)
{
	static unsigned char buf[IO_CHUNK];
	uint64_t state = 42;
	long long mib, i;
	double t0, t1;
	int fd;

	if (argc != 3)
		fatalx("usage: seqwrite NAME FILE MIB");
	mib = parse_number(argv[2], "MiB");
	fill_random(&state, buf, sizeof(buf));
	t0 = now_seconds();
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd == -1)
		fatal("open %s", argv[1]);
	for (i = 0; i < mib; i++) {
		buf[0] = (unsigned char)i;	/* no two chunks alike */
		write_all(fd, buf, sizeof(buf), argv[1]);
	}
	if (fsync(fd) == -1)
		fatal("fsync %s", argv[1]);
	if (close(fd) == -1)
		fatal("close %s", argv[1]);
	t1 = now_seconds();
	result(argv[0], rate(mib * (double)IO_CHUNK / 1e6, t1 - t0), "MB/s");
	return 0;
}

/* seqread NAME FILE: drop caches, read the whole file in 1 MiB reads. */
static int
cmd_seqread(int argc, char **argv)
{
	static unsigned char buf[IO_CHUNK];
	double t0, t1, total = 0;
	ssize_t n;
	int fd;

	if (argc != 2)
		fatalx("usage: seqread NAME FILE");
	drop_caches();
	t0 = now_seconds();
	fd = open(argv[1], O_RDONLY);
	if (fd == -1)
		fatal("open %s", argv[1]);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("read %s", argv[1]);
		}
		total += n;
	}
	close(fd);
	t1 = now_seconds();
	result(argv[0], rate(total / 1e6, t1 - t0), "MB/s");
	return 0;
}

/*
 * randio NAME FILE MIB SECONDS read|write: 4 KiB O_DIRECT random I/O in an
 * existing file of MIB MiB, one request at a time, bounded by SECONDS.
 */
static int
cmd_randio(int argc, char **argv)
{
	unsigned char *buf;
	long long blocks, ops = 0;
	double seconds, t0, t = 0;
	uint64_t state = 7;
	int fd, writing;

	if (argc != 5)
		fatalx("usage: randio NAME FILE MIB SECONDS read|write");
	blocks = parse_number(argv[2], "MiB") * 256;
	seconds = (double)parse_number(argv[3], "seconds");
	if (strcmp(argv[4], "write") == 0)
		writing = 1;
	else if (strcmp(argv[4], "read") == 0)
		writing = 0;
	else
		fatalx("randio: read or write, not %s", argv[4]);
	if (blocks == 0)
		fatalx("randio: empty file");
	if (posix_memalign((void **)&buf, 4096, 4096) != 0)
		fatalx("posix_memalign failed");
	fill_random(&state, buf, 4096);
	fd = open(argv[1], (writing ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd == -1)
		fatal("open %s", argv[1]);
	t0 = now_seconds();
	do {
		off_t off;
		ssize_t n;
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		off = (off_t)(state % (uint64_t)blocks) * 4096;
		n = writing ? pwrite(fd, buf, 4096, off) :
		    pread(fd, buf, 4096, off);
		if (n != 4096)
			fatal("%s %s at %lld", writing ? "pwrite" : "pread",
			    argv[1], (long long)off);
		ops++;
		if ((ops & 15) == 0)
			t = now_seconds() - t0;
	} while (t < seconds);
	if (close(fd) == -1)
		fatal("close %s", argv[1]);
	t = now_seconds() - t0;
	result(argv[0], rate((double)ops, t), "IOPS");
	free(buf);
	return 0;
}

static int
latency_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * A LATENCY line (p50, p90 in us) for n timings of one system call: it
 * tells which round trip of a phase makes two servers' figures differ.
 */
static void
latency_print(const char *name, double *lat, long long n)
{
	if (n <= 0)
		return;
	qsort(lat, (size_t)n, sizeof(*lat), latency_cmp);
	printf("LATENCY name=%s p50=%.1f p90=%.1f unit=us n=%lld\n", name,
	    lat[n / 2] * 1e6, lat[n * 9 / 10] * 1e6, n);
	fflush(stdout);
}

/*
 * smallfiles NAME DIR COUNT BYTES: create+write+close COUNT files, stat
 * them (caches dropped first), remove them. Three figures, files/s, and
 * the latency of each open, close, stat and unlink.
 */
static int
cmd_smallfiles(int argc, char **argv)
{
	static unsigned char buf[SMALL_MAX];
	char path[4096], name[256];
	long long count, bytes, i;
	uint64_t state = 99;
	struct stat st;
	double t0, t1, t, *lat_open, *lat_close, *lat_stat, *lat_unlink;

	if (argc != 4)
		fatalx("usage: smallfiles NAME DIR COUNT BYTES");
	count = parse_number(argv[2], "count");
	lat_open = calloc((size_t)count + 1, sizeof(double));
	lat_close = calloc((size_t)count + 1, sizeof(double));
	lat_stat = calloc((size_t)count + 1, sizeof(double));
	lat_unlink = calloc((size_t)count + 1, sizeof(double));
	if (lat_open == NULL || lat_close == NULL || lat_stat == NULL ||
	    lat_unlink == NULL)
		fatalx("out of memory");
	bytes = parse_number(argv[3], "bytes");
	if (bytes > SMALL_MAX)
		fatalx("at most %d bytes per file", SMALL_MAX);
	fill_random(&state, buf, sizeof(buf));
	if (mkdir(argv[1], 0755) == -1 && errno != EEXIST)
		fatal("mkdir %s", argv[1]);

	t0 = now_seconds();
	for (i = 0; i < count; i++) {
		int fd;
		snprintf(path, sizeof(path), "%s/f%07lld", argv[1], i);
		t = now_seconds();
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd == -1)
			fatal("create %s", path);
		lat_open[i] = now_seconds() - t;
		if (bytes > 0)
			write_all(fd, buf, (size_t)bytes, path);
		t = now_seconds();
		if (close(fd) == -1)
			fatal("close %s", path);
		lat_close[i] = now_seconds() - t;
	}
	t1 = now_seconds();
	snprintf(name, sizeof(name), "%s_create", argv[0]);
	result(name, rate((double)count, t1 - t0), "files/s");

	drop_caches();
	t0 = now_seconds();
	for (i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s/f%07lld", argv[1], i);
		t = now_seconds();
		if (stat(path, &st) == -1)
			fatal("stat %s", path);
		lat_stat[i] = now_seconds() - t;
		if (st.st_size != bytes)
			fatalx("%s: size %lld, wrote %lld", path,
			    (long long)st.st_size, bytes);
	}
	t1 = now_seconds();
	snprintf(name, sizeof(name), "%s_stat", argv[0]);
	result(name, rate((double)count, t1 - t0), "files/s");

	t0 = now_seconds();
	for (i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s/f%07lld", argv[1], i);
		t = now_seconds();
		if (unlink(path) == -1)
			fatal("unlink %s", path);
		lat_unlink[i] = now_seconds() - t;
	}
	t1 = now_seconds();
	snprintf(name, sizeof(name), "%s_remove", argv[0]);
	result(name, rate((double)count, t1 - t0), "files/s");
	snprintf(name, sizeof(name), "%s_open_creat", argv[0]);
	latency_print(name, lat_open, count);
	snprintf(name, sizeof(name), "%s_close", argv[0]);
	latency_print(name, lat_close, count);
	snprintf(name, sizeof(name), "%s_stat", argv[0]);
	latency_print(name, lat_stat, count);
	snprintf(name, sizeof(name), "%s_unlink", argv[0]);
	latency_print(name, lat_unlink, count);
	free(lat_open);
	free(lat_close);
	free(lat_stat);
	free(lat_unlink);
	return 0;
}

static long long
mktree_level(const char *dir, int depth, int fanout, int files)
{
	char path[4096];
	long long made = 0;
	int i;

	for (i = 0; i < files; i++) {
		int fd;
		snprintf(path, sizeof(path), "%s/file%d", dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd == -1)
			fatal("create %s", path);
		close(fd);
		made++;
	}
	if (depth == 0)
		return made;
	for (i = 0; i < fanout; i++) {
		snprintf(path, sizeof(path), "%s/dir%d", dir, i);
		if (mkdir(path, 0755) == -1)
			fatal("mkdir %s", path);
		made++;
		made += mktree_level(path, depth - 1, fanout, files);
	}
	return made;
}

/*
 * mktree NAME DIR DEPTH FANOUT FILES: a tree of directories, FILES empty
 * files in each; prints entries/s and the entry count on stdout's last
 * line as "ENTRIES n" for the caller's later phases.
 */
static int
cmd_mktree(int argc, char **argv)
{
	long long made;
	double t0, t1;

	if (argc != 5)
		fatalx("usage: mktree NAME DIR DEPTH FANOUT FILES");
	if (mkdir(argv[1], 0755) == -1)
		fatal("mkdir %s", argv[1]);
	t0 = now_seconds();
	made = mktree_level(argv[1], (int)parse_number(argv[2], "depth"),
	    (int)parse_number(argv[3], "fanout"),
	    (int)parse_number(argv[4], "files"));
	t1 = now_seconds();
	result(argv[0], rate((double)made, t1 - t0), "entries/s");
	printf("ENTRIES %lld\n", made);
	return 0;
}

/*
 * time NAME UNIT COUNT [--drop-caches] -- CMD...: run CMD once; print
 * COUNT/elapsed in UNIT, or the elapsed seconds when COUNT is 0.
 */
static int
cmd_time(int argc, char **argv)
{
	int i = 3, drop = 0, status;
	double t0, t1, count;
	pid_t pid;

	if (argc < 5)
		fatalx("usage: time NAME UNIT COUNT [--drop-caches] -- CMD...");
	count = (double)parse_number(argv[2], "count");
	if (strcmp(argv[i], "--drop-caches") == 0) {
		drop = 1;
		i++;
	}
	if (i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc)
		fatalx("time: expected -- CMD");
	i++;
	if (drop)
		drop_caches();
	t0 = now_seconds();
	pid = fork();
	if (pid == -1)
		fatal("fork");
	if (pid == 0) {
		execvp(argv[i], argv + i);
		fatal("exec %s", argv[i]);
	}
	if (waitpid(pid, &status, 0) == -1)
		fatal("waitpid");
	t1 = now_seconds();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s: %s failed (status 0x%x)\n", progname,
		    argv[i], status);
		return 1;
	}
	if (count > 0)
		result(argv[0], rate(count, t1 - t0), argv[1]);
	else
		result(argv[0], t1 - t0, "s");
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: %s COMMAND ARGS...\n"
	    "  insmod FILE...                     load kernel modules in order\n"
	    "  mount SOURCE DIR TYPE OPTIONS      mount(2) with text options\n"
	    "  status RC                          print the exit marker, drain\n"
	    "  gen SEED BYTES                     pseudo-random bytes to stdout\n"
	    "  seqwrite NAME FILE MIB             sequential write + fsync\n"
	    "  seqread NAME FILE                  drop caches, sequential read\n"
	    "  randio NAME FILE MIB SECS r|w      4 KiB O_DIRECT random I/O\n"
	    "  smallfiles NAME DIR COUNT BYTES    create, stat, remove\n"
	    "  mktree NAME DIR DEPTH FANOUT FILES directory tree\n"
	    "  time NAME UNIT COUNT [--drop-caches] -- CMD...\n",
	    progname);
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} commands[] = {
		{ "insmod", cmd_insmod },
		{ "mount", cmd_mount },
		{ "status", cmd_status },
		{ "gen", cmd_gen },
		{ "seqwrite", cmd_seqwrite },
		{ "seqread", cmd_seqread },
		{ "randio", cmd_randio },
		{ "smallfiles", cmd_smallfiles },
		{ "mktree", cmd_mktree },
		{ "time", cmd_time },
	};
	size_t i;

	if (argc < 2)
		usage();
	ops_read(ops_base);
	rtt_nbase = rtt_read(rtt_base);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 2, argv + 2);
	usage();
	return 2;
}
