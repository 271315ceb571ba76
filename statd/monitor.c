/*
 * statd's state: the monitor list, its text and the A/B pair of files
 * that keeps it (see monitor.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"
#include "monitor.h"

static const uint8_t monitor_magic[8] = { 'D', 'F', 'S', 'N', 'S', 'M', '1',
    '\n' };

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
		    e->my_vers == vers && e->my_proc == proc &&
		    memcmp(e->priv, priv, MONITOR_PRIV_SIZE) == 0)
			return 0;
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

const struct monitor_entry *
monitor_find(const struct monitor *m, const char *mon_name,
    const uint8_t *priv)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->v[i].mon_name, mon_name) == 0 &&
		    memcmp(m->v[i].priv, priv, MONITOR_PRIV_SIZE) == 0)
			return &m->v[i];
	return NULL;
}

char *
monitor_format(const struct monitor *m, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp;
	int j;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return NULL;
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
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	*lenp = len;
	return buf;
}

static void
monitor_put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t
monitor_get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* FNV-1a, 64 bits: catches a torn or damaged slot, not an adversary. */
static uint64_t
monitor_checksum(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen)
{
	return hash_fnv1a64_add(hash_fnv1a64(a, alen), b, blen);
}

uint64_t
monitor_slot_check(const uint8_t *buf, size_t len, const char **text,
    size_t *textlen)
{
	uint64_t gen, tlen;

	if (len < MONITOR_SLOT_HEADER ||
	    memcmp(buf, monitor_magic, sizeof(monitor_magic)) != 0)
		return 0;
	gen = monitor_get64(buf + 8);
	tlen = monitor_get64(buf + 16);
	if (gen == 0 || tlen > MONITOR_TEXT_MAX ||
	    tlen != len - MONITOR_SLOT_HEADER)
		return 0;
	if (monitor_checksum(buf + 8, 16, buf + MONITOR_SLOT_HEADER,
	    (size_t)tlen) != monitor_get64(buf + 24))
		return 0;
	*text = (const char *)buf + MONITOR_SLOT_HEADER;
	*textlen = (size_t)tlen;
	return gen;
}

int
monitor_store_open(struct monitor_store *st, const char *dir)
{
	static const char *const names[2] = { MONITOR_SLOT_A,
	    MONITOR_SLOT_B };
	char path[4096];
	struct stat sb;
	int i;

	st->fd[0] = st->fd[1] = -1;
	st->generation[0] = st->generation[1] = 0;
	if (stat(dir, &sb) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path)) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		if ((st->fd[i] = open(path, O_RDWR | O_CREAT | O_NOFOLLOW |
		    O_CLOEXEC, 0600)) == -1)
			goto fail;
		/* Made by root before the drop: the daemon's, as its dir. */
		if (geteuid() == 0 && fchown(st->fd[i], sb.st_uid,
		    sb.st_gid) == -1)
			goto fail;
	}
	return 0;
fail:
	monitor_store_close(st);
	return -1;
}

void
monitor_store_close(struct monitor_store *st)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (st->fd[i] != -1)
			close(st->fd[i]);
		st->fd[i] = -1;
	}
}

/* A slot's bytes, whole; NULL (errno 0 if it is merely too large). */
static uint8_t *
monitor_slot_read(int fd, size_t *lenp)
{
	struct stat sb;
	uint8_t *buf;
	size_t len = 0;
	ssize_t n;

	if (fstat(fd, &sb) == -1)
		return NULL;
	if (sb.st_size > MONITOR_SLOT_HEADER + MONITOR_TEXT_MAX) {
		errno = 0;
		return NULL;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL)
		return NULL;
	while (len < (size_t)sb.st_size) {
		n = pread(fd, buf + len, (size_t)sb.st_size - len,
		    (off_t)len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	*lenp = len;
	return buf;
}

int
monitor_store_load(struct monitor_store *st, struct monitor *m)
{
	uint8_t *buf[2] = { NULL, NULL };
	const char *text[2] = { NULL, NULL };
	size_t len[2] = { 0, 0 }, tlen[2] = { 0, 0 };
	int i, best = -1;

	m->state = 0;
	m->stated_epoch = 0;
	for (i = 0; i < 2; i++) {
		st->generation[i] = 0;
		if ((buf[i] = monitor_slot_read(st->fd[i], &len[i])) == NULL) {
			if (errno != 0)
				goto fail;
			monitor_logf(m, "statd state: slot %c too large, "
			    "ignored", 'a' + i);
			continue;
		}
		st->generation[i] = monitor_slot_check(buf[i], len[i],
		    &text[i], &tlen[i]);
		if (st->generation[i] == 0 && len[i] > 0)
			monitor_logf(m, "statd state: slot %c is damaged or "
			    "torn, ignored", 'a' + i);
		if (st->generation[i] != 0 && (best == -1 ||
		    st->generation[i] > st->generation[best]))
			best = i;
	}
	if (best != -1 && monitor_parse(m, text[best], tlen[best]) == -1)
		goto fail;
	free(buf[0]);
	free(buf[1]);
	return best != -1;
fail:
	free(buf[0]);
	free(buf[1]);
	return -1;
}

int
monitor_store_save(struct monitor_store *st, const struct monitor *m)
{
	uint8_t *buf;
	char *text;
	size_t tlen, len, off = 0;
	uint64_t gen;
	ssize_t n;
	int slot, rc = -1;

	if ((text = monitor_format(m, &tlen)) == NULL)
		return -1;
	if (tlen > MONITOR_TEXT_MAX) {
		free(text);
		errno = EFBIG;
		return -1;
	}
	/* The older slot; the newer one stays whole whatever happens. */
	slot = st->generation[0] <= st->generation[1] ? 0 : 1;
	gen = (st->generation[0] > st->generation[1] ? st->generation[0] :
	    st->generation[1]) + 1;
	len = MONITOR_SLOT_HEADER + tlen;
	if ((buf = malloc(len)) == NULL) {
		free(text);
		return -1;
	}
	memcpy(buf, monitor_magic, sizeof(monitor_magic));
	monitor_put64(buf + 8, gen);
	monitor_put64(buf + 16, tlen);
	memcpy(buf + MONITOR_SLOT_HEADER, text, tlen);
	monitor_put64(buf + 24, monitor_checksum(buf + 8, 16,
	    buf + MONITOR_SLOT_HEADER, tlen));
	free(text);
	/* From here on this slot may be torn: never the one to load. */
	st->generation[slot] = 0;
	while (off < len) {
		n = pwrite(st->fd[slot], buf + off, len - off, (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		off += (size_t)n;
	}
	if (ftruncate(st->fd[slot], (off_t)len) == -1 ||
	    fdatasync(st->fd[slot]) == -1)
		goto out;
	st->generation[slot] = gen;
	rc = 0;
out:
	free(buf);
	return rc;
}

int
monitor_load_legacy(const char *path, struct monitor *m)
{
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	if ((buf = malloc(MONITOR_TEXT_MAX)) == NULL) {
		close(fd);
		return -1;
	}
	while (len < MONITOR_TEXT_MAX &&
	    (n = read(fd, buf + len, MONITOR_TEXT_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	m->state = 0;
	m->stated_epoch = 0;
	monitor_parse(m, buf, len);
	free(buf);
	return 1;
}
