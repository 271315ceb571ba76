/*
 * lock-helper: the e2e locking test's program in the guest (linked
 * statically, copied in with guest-run --file).  One lock operation per
 * run, one line of output per result, so the host test can follow the
 * guest through its live output.
 *
 *   lock-helper hold fcntl|flock FILE OFF LEN BATON BOFF SECS
 *       Take a write lock (fcntl: F_SETLK on OFF/LEN; flock: LOCK_EX,
 *       OFF/LEN ignored) without waiting, print "LOCKED ...", then hold
 *       it until some other host locks byte BOFF of BATON (seen with
 *       F_GETLK every 0.2 s, so the host says "release" through the lock
 *       server itself), at most SECS; unlock and print "RELEASED".
 *   lock-helper try fcntl|flock|fcntl-read FILE OFF LEN
 *       One non-waiting attempt: "GRANTED" (and unlock) or "DENIED
 *       errno ...", for fcntl after F_GETLK's "HOLDER ..." line.
 *   lock-helper waitconflict FILE OFF LEN SECS
 *       Wait (F_GETLK every 0.2 s, at most SECS) until another host holds
 *       a lock on OFF/LEN: "CONFLICT ...", or "NO CONFLICT" and exit 1.
 *
 * Exit status: 0 as described, 1 on a denial, a timeout or an error.
 */
#define _GNU_SOURCE
#include <sys/file.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
setrange(struct flock *fl, short type, const char *off, const char *len)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)strtoll(off, NULL, 0);
	fl->l_len = (off_t)strtoll(len, NULL, 0);
}

/* F_GETLK of a write lock on OFF/LEN: 1 and a "prefix ..." line when
 * another owner holds a conflicting lock, 0 when none, -1 on error. */
static int
getlk(int fd, const char *off, const char *len, const char *prefix)
{
	struct flock fl;

	setrange(&fl, F_WRLCK, off, len);
	if (fcntl(fd, F_GETLK, &fl) == -1) {
		printf("F_GETLK failed: %s\n", strerror(errno));
		return -1;
	}
	if (fl.l_type == F_UNLCK)
		return 0;
	if (prefix != NULL)
		printf("%s pid %ld type %s start %lld len %lld\n", prefix,
		    (long)fl.l_pid, fl.l_type == F_WRLCK ? "write" : "read",
		    (long long)fl.l_start, (long long)fl.l_len);
	return 1;
}

static int
open_rw(const char *path)
{
	int fd;

	if ((fd = open(path, O_RDWR)) == -1)
		printf("open %s: %s\n", path, strerror(errno));
	return fd;
}

/* Lock without waiting: 0 granted, -1 (errno set) not. */
static int
lock_now(int fd, const char *kind, const char *off, const char *len)
{
	struct flock fl;

	if (strcmp(kind, "flock") == 0)
		return flock(fd, LOCK_EX | LOCK_NB);
	setrange(&fl, strcmp(kind, "fcntl-read") == 0 ? F_RDLCK : F_WRLCK,
	    off, len);
	return fcntl(fd, F_SETLK, &fl);
}

static int
unlock(int fd, const char *kind, const char *off, const char *len)
{
	struct flock fl;

	if (strcmp(kind, "flock") == 0)
		return flock(fd, LOCK_UN);
	setrange(&fl, F_UNLCK, off, len);
	return fcntl(fd, F_SETLK, &fl);
}

static int
cmd_hold(char **argv)
{
	const char *kind = argv[0], *off = argv[2], *len = argv[3];
	double deadline = now() + atof(argv[6]);
	int fd, bfd, rc;

	if ((fd = open_rw(argv[1])) == -1 || (bfd = open_rw(argv[4])) == -1)
		return 1;
	if (lock_now(fd, kind, off, len) == -1) {
		printf("DENIED %s %s: %s\n", kind, argv[1], strerror(errno));
		return 1;
	}
	printf("LOCKED %s %s pid %d\n", kind, argv[1], (int)getpid());
	fflush(stdout);
	while ((rc = getlk(bfd, argv[5], "1", "BATON")) == 0 &&
	    now() < deadline)
		usleep(200000);
	if (rc != 1)
		printf("no baton within %s s\n", argv[6]);
	if (unlock(fd, kind, off, len) == -1) {
		printf("unlock %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("RELEASED %s %s\n", kind, argv[1]);
	close(fd);
	close(bfd);
	return rc == 1 ? 0 : 1;
}

static int
cmd_try(char **argv)
{
	const char *kind = argv[0];
	int fd;

	if ((fd = open_rw(argv[1])) == -1)
		return 1;
	if (strcmp(kind, "flock") != 0 && getlk(fd, argv[2], argv[3],
	    "HOLDER") == 0)
		printf("HOLDER none\n");
	if (lock_now(fd, kind, argv[2], argv[3]) == -1) {
		printf("DENIED %s %s: %s\n", kind, argv[1], strerror(errno));
		return 1;
	}
	printf("GRANTED %s %s\n", kind, argv[1]);
	unlock(fd, kind, argv[2], argv[3]);
	close(fd);
	return 0;
}

static int
cmd_waitconflict(char **argv)
{
	double deadline = now() + atof(argv[3]);
	int fd, rc;

	if ((fd = open_rw(argv[0])) == -1)
		return 1;
	while ((rc = getlk(fd, argv[1], argv[2], "CONFLICT")) == 0 &&
	    now() < deadline)
		usleep(200000);
	if (rc == 0)
		printf("NO CONFLICT on %s within %s s\n", argv[0], argv[3]);
	close(fd);
	return rc == 1 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	int rc = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 9 && strcmp(argv[1], "hold") == 0)
		rc = cmd_hold(argv + 2);
	else if (argc == 6 && strcmp(argv[1], "try") == 0)
		rc = cmd_try(argv + 2);
	else if (argc == 6 && strcmp(argv[1], "waitconflict") == 0)
		rc = cmd_waitconflict(argv + 2);
	else
		fprintf(stderr, "usage: see tests/e2e/lock-helper.c\n");
	return rc;
}
