/*
 * statd's state file (see monitor.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"

#define MONITOR_FILE_MAX	(MONITOR_MAX * 128 + 4096)

static void
monitor_logf(const struct monitor *m, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (m->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	m->log(buf);
}

int
monitor_name_valid(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (; s[n] != '\0'; n++)
		if ((unsigned char)s[n] <= 0x20 || (unsigned char)s[n] >= 0x7f)
			return 0;
	return n > 0 && n <= MONITOR_NAME_MAX;
}

int
monitor_next_state(int state)
{
	if (state < 0 || state > INT_MAX - 2)
		return 1;
	return state % 2 ? state + 2 : state + 1;
}

static void
monitor_entry_free(struct monitor_entry *e)
{
	free(e->mon_name);
	free(e->my_name);
}

void
monitor_clear(struct monitor *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		monitor_entry_free(&m->v[i]);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

int
monitor_add(struct monitor *m, const char *mon_name, const char *my_name,
    int prog, int vers, int proc, const uint8_t *priv)
{
	struct monitor_entry *e, *grown;
	size_t i;

	if (!monitor_name_valid(mon_name) || !monitor_name_valid(my_name))
		return -1;
	for (i = 0; i < m->n; i++) {
		e = &m->v[i];
		if (strcmp(e->mon_name, mon_name) == 0 &&
		    strcmp(e->my_name, my_name) == 0 && e->my_prog == prog &&
		    e->my_vers == vers && e->my_proc == proc) {
			memcpy(e->priv, priv, MONITOR_PRIV_SIZE);
			return 0;
		}
	}
	if (m->n >= MONITOR_MAX)
		return -1;
	if ((grown = reallocarray(m->v, m->n + 1, sizeof(*grown))) == NULL)
		return -1;
	m->v = grown;
	e = &m->v[m->n];
	memset(e, 0, sizeof(*e));
	if ((e->mon_name = strdup(mon_name)) == NULL ||
	    (e->my_name = strdup(my_name)) == NULL) {
		monitor_entry_free(e);
		return -1;
	}
	e->my_prog = prog;
	e->my_vers = vers;
	e->my_proc = proc;
	memcpy(e->priv, priv, MONITOR_PRIV_SIZE);
	m->n++;
	return 0;
}

/* mon_name NULL: every entry of that my_id (SM_UNMON_ALL). */
size_t
monitor_remove(struct monitor *m, const char *mon_name, const char *my_name,
    int prog, int vers, int proc)
{
	size_t i = 0, n = 0;

	while (i < m->n) {
		struct monitor_entry *e = &m->v[i];

		if ((mon_name == NULL || strcmp(e->mon_name, mon_name) == 0) &&
		    strcmp(e->my_name, my_name) == 0 && e->my_prog == prog &&
		    e->my_vers == vers && e->my_proc == proc) {
			monitor_entry_free(e);
			m->v[i] = m->v[--m->n];
			n++;
		} else
			i++;
	}
	return n;
}

static int
monitor_hex(const char *hex, uint8_t *out)
{
	unsigned int b;
	int i;

	if (strlen(hex) != 2 * MONITOR_PRIV_SIZE)
		return -1;
	for (i = 0; i < MONITOR_PRIV_SIZE; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (uint8_t)b;
	}
	return 0;
}

/* Parse the file's text; bad lines are logged and skipped. */
int
monitor_parse(struct monitor *m, const char *text, size_t len)
{
	char *copy, *line, *save = NULL, *f[8], *tok, *tsave;
	uint8_t priv[MONITOR_PRIV_SIZE];
	long long v;
	char *end;
	int nf, lineno = 0;

	if ((copy = strndup(text, len)) == NULL)
		return -1;
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		nf = 0;
		for (tok = strtok_r(line, " ", &tsave); tok != NULL && nf < 8;
		    tok = strtok_r(NULL, " ", &tsave))
			f[nf++] = tok;
		if (nf == 2 && strcmp(f[0], "state") == 0) {
			errno = 0;
			v = strtoll(f[1], &end, 10);
			if (errno == 0 && *end == '\0' && v >= 0 &&
			    v <= INT_MAX) {
				m->state = (int)v;
				continue;
			}
		} else if (nf == 2 && strcmp(f[0], "stated-epoch") == 0) {
			errno = 0;
			v = strtoll(f[1], &end, 10);
			if (errno == 0 && *end == '\0' && v >= 0) {
				m->stated_epoch = (uint64_t)v;
				continue;
			}
		} else if (nf == 7 && strcmp(f[0], "mon") == 0 &&
		    monitor_hex(f[6], priv) == 0) {
			if (monitor_add(m, f[1], f[2], atoi(f[3]), atoi(f[4]),
			    atoi(f[5]), priv) == 0)
				continue;
		}
		monitor_logf(m, "statd state: line %d malformed, skipped",
		    lineno);
	}
	free(copy);
	return 0;
}

int
monitor_load(int dirfd, struct monitor *m)
{
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd;

	m->state = 0;
	m->stated_epoch = 0;
	if ((fd = openat(dirfd, MONITOR_FILE, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	if ((buf = malloc(MONITOR_FILE_MAX)) == NULL) {
		close(fd);
		return -1;
	}
	while (len < MONITOR_FILE_MAX &&
	    (n = read(fd, buf + len, MONITOR_FILE_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	monitor_parse(m, buf, len);
	free(buf);
	return 0;
}

int
monitor_save(int dirfd, const struct monitor *m)
{
	static const char tmp[] = MONITOR_FILE ".tmp";
	FILE *fp;
	size_t i;
	int fd, j, rc = 0;

	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1 || (fp = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	fprintf(fp, "state %d\nstated-epoch %llu\n", m->state,
	    (unsigned long long)m->stated_epoch);
	for (i = 0; i < m->n; i++) {
		const struct monitor_entry *e = &m->v[i];

		fprintf(fp, "mon %s %s %d %d %d ", e->mon_name, e->my_name,
		    e->my_prog, e->my_vers, e->my_proc);
		for (j = 0; j < MONITOR_PRIV_SIZE; j++)
			fprintf(fp, "%02x", e->priv[j]);
		fputc('\n', fp);
	}
	if (fflush(fp) != 0 || fsync(fileno(fp)) == -1)
		rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	if (rc == 0 && renameat(dirfd, tmp, dirfd, MONITOR_FILE) == -1)
		rc = -1;
	if (rc == 0 && fsync(dirfd) == -1)
		rc = -1;
	return rc;
}
