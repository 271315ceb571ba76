/*
 * nfs-fsx: a small fsx-style integrity run (after Apple/Linux fsx): random
 * reads, writes, truncates and re-opens of one file, every read compared
 * with an in-memory model.  Static, so it runs in the e2e guest.
 *
 *   nfs-fsx [-N ops] [-S seed] [-l maxlen] FILE
 *
 * Prints "fsx: N ops, 0 mismatches" and exits 0, or the first mismatch
 * and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t fsx_state;

static uint32_t
fsx_rand(void)
{
	fsx_state = fsx_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(fsx_state >> 33);
}

int
main(int argc, char *argv[])
{
	long ops = 10000, maxlen = 1 << 20, i;
	unsigned long seed = 1;
	uint8_t *model, *buf;
	size_t size = 0, off, len, j;
	int ch, fd;

	while ((ch = getopt(argc, argv, "N:S:l:")) != -1) {
		switch (ch) {
		case 'N': ops = atol(optarg); break;
		case 'S': seed = strtoul(optarg, NULL, 10); break;
		case 'l': maxlen = atol(optarg); break;
		default: return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: nfs-fsx [-N ops] [-S seed] [-l maxlen] FILE\n");
		return 2;
	}
	fsx_state = seed;
	model = calloc(1, (size_t)maxlen);
	buf = malloc((size_t)maxlen);
	if (model == NULL || buf == NULL)
		return 2;
	fd = open(argv[optind], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd == -1) {
		perror(argv[optind]);
		return 2;
	}
	for (i = 0; i < ops; i++) {
		uint32_t op = fsx_rand() % 10;

		off = fsx_rand() % (size_t)maxlen;
		len = fsx_rand() % 65536 + 1;
		if (off + len > (size_t)maxlen)
			len = (size_t)maxlen - off;
		if (op < 4) {			/* write */
			for (j = 0; j < len; j++)
				buf[j] = (uint8_t)fsx_rand();
			if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len) {
				printf("fsx: op %ld: write %zu@%zu: %s\n", i,
				    len, off, strerror(errno));
				return 1;
			}
			memcpy(model + off, buf, len);
			if (off + len > size)
				size = off + len;
		} else if (op < 8) {		/* read and compare */
			ssize_t got = pread(fd, buf, len, (off_t)off);
			size_t want = off >= size ? 0 : (size - off < len ?
			    size - off : len);

			if (got != (ssize_t)want) {
				printf("fsx: op %ld: read %zu@%zu got %zd, "
				    "expected %zu (size %zu)\n", i, len, off,
				    got, want, size);
				return 1;
			}
			if (memcmp(buf, model + off, want) != 0) {
				for (j = 0; buf[j] == model[off + j]; j++)
					;
				printf("fsx: op %ld: mismatch at %zu\n", i,
				    off + j);
				return 1;
			}
		} else if (op == 8) {		/* truncate */
			size_t ns = fsx_rand() % (size_t)maxlen;

			if (ftruncate(fd, (off_t)ns) == -1) {
				printf("fsx: op %ld: truncate %zu: %s\n", i,
				    ns, strerror(errno));
				return 1;
			}
			if (ns > size)
				memset(model + size, 0, ns - size);
			else
				memset(model + ns, 0, size - ns);
			size = ns;
		} else {			/* close and reopen */
			if (close(fd) == -1 || (fd = open(argv[optind],
			    O_RDWR)) == -1) {
				printf("fsx: op %ld: reopen: %s\n", i,
				    strerror(errno));
				return 1;
			}
		}
	}
	/* The whole file, once more, after an fsync. */
	if (fsync(fd) == -1 || pread(fd, buf, size, 0) != (ssize_t)size ||
	    memcmp(buf, model, size) != 0) {
		printf("fsx: final compare failed\n");
		return 1;
	}
	printf("fsx: %ld ops, 0 mismatches, final size %zu\n", ops, size);
	return 0;
}
