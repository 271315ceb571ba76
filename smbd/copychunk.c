/*
 * Server-side copy (MS-SMB2 3.3.5.15.6, 3.3.5.15.7): FSCTL_SRV_REQUEST_RESUME_KEY
 * names an open for a later copy, FSCTL_SRV_COPYCHUNK and
 * FSCTL_SRV_COPYCHUNK_WRITE copy ranges of that open's data into the
 * open the IOCTL names, on the two backing fds this process holds (no
 * data crosses the network or blockd).
 *
 * The resume key is the source open's id and session id (16 bytes) and
 * 8 zero bytes; it names an open of this server whose session is the
 * same user's, so a key only reaches data its user opened.
 */

#define _GNU_SOURCE

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "perm.h"
#include "smbd.h"
#include "status.h"

#define SMBD_COPYCHUNK_MAX_CHUNKS	256
#define SMBD_COPYCHUNK_MAX_CHUNK	(1024u * 1024u)
#define SMBD_COPYCHUNK_MAX_DATA		(16u * 1024u * 1024u)
#define SMBD_FILE_READ_DATA		0x00000001u
#define SMBD_FILE_WRITE_DATA		0x00000002u
#define SMBD_FILE_EXECUTE		0x00000020u

/* The IOCTL response (2.2.32) around out, olen bytes of output. */
static void
smbd_copychunk_reply(struct smbd_req *r, uint32_t status, uint32_t code,
    const uint8_t *out, uint32_t olen)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	uint8_t body[48 + 32];

	smbd_ioctl_header(body, code, b + 8, olen);
	memcpy(body + 48, out, olen);
	smbd_reply(r, status, body, 48 + olen);
}

/* MS-SMB2 3.3.5.15.7: FSCTL_SRV_REQUEST_RESUME_KEY. */
void
smbd_copychunk_key(struct smbd_req *r, struct smbd_session *s, uint32_t code)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct smbd_open *o;
	uint8_t out[32];

	if ((o = smbd_req_open(r, s, b + 8)) == NULL)
		return;
	if (smb2_get32(b + 44) < sizeof(out)) {	/* MaxOutputResponse */
		smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return;
	}
	/* ResumeKey, ContextLength 0, and Context's 4 bytes of padding. */
	memset(out, 0, sizeof(out));
	smb2_put64(out, o->id);
	smb2_put64(out + 8, o->session_id);
	smbd_copychunk_reply(r, STATUS_SUCCESS, code, out, sizeof(out));
}

/* The open a resume key names, of a session of the same user. */
static struct smbd_open *
smbd_copychunk_source(struct smbd_env *env, const struct smbd_session *s,
    const uint8_t *key)
{
	struct smbd_conn *c;
	struct smbd_open *so;
	struct smbd_session *ss;
	uint64_t id = smb2_get64(key), sid = smb2_get64(key + 8);
	static const uint8_t zero[8];

	if (memcmp(key + 16, zero, sizeof(zero)) != 0)
		return NULL;
	TAILQ_FOREACH(c, &env->conns, entry)
		TAILQ_FOREACH(so, &c->opens, entry)
			if (so->id == id && so->session_id == sid &&
			    (ss = smbd_session_find(c, sid)) != NULL &&
			    ss->uid == s->uid)
				return so;
	return NULL;
}

/* SRV_COPYCHUNK_RESPONSE (2.2.32.1) with its status. */
static void
smbd_copychunk_answer(struct smbd_req *r, uint32_t status, uint32_t code,
    uint32_t chunks, uint32_t chunk_bytes, uint32_t total)
{
	uint8_t out[12];

	smb2_put32(out, chunks);
	smb2_put32(out + 4, chunk_bytes);
	smb2_put32(out + 8, total);
	smbd_copychunk_reply(r, status, code, out, sizeof(out));
}

/*
 * MS-SMB2 3.3.5.15.6: FSCTL_SRV_COPYCHUNK, FSCTL_SRV_COPYCHUNK_WRITE.
 * The target needs WRITE_DATA (and READ_DATA for COPYCHUNK), the source
 * READ_DATA or EXECUTE (what READ takes); limits: 256 chunks, 1 MiB a
 * chunk, 16 MiB in all, a chunk of 0 bytes refused (the answer then
 * says the limits).  Chunks are copied in order; the first that fails
 * ends the copy, the answer counting the chunks and bytes done.
 */
void
smbd_copychunk(struct smbd_req *r, struct smbd_session *s, uint32_t code,
    int write_only, const uint8_t *in, uint32_t ilen)
{
	const uint8_t *b = r->msg + SMB2_HDR_SIZE;
	struct smbd_open *dst, *src;
	const uint8_t *ch;
	uint32_t count, i, len, total = 0, sum = 0;
	uint64_t soff, toff;
	struct stat st;
	uint8_t *buf;
	ssize_t n, w;

	if ((dst = smbd_req_open(r, s, b + 8)) == NULL)
		return;
	if (ilen < 32 || smb2_get32(b + 44) < 12) {
		smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return;
	}
	count = smb2_get32(in + 24);
	if (count > SMBD_COPYCHUNK_MAX_CHUNKS) {
		smbd_copychunk_answer(r, STATUS_INVALID_PARAMETER, code,
		    SMBD_COPYCHUNK_MAX_CHUNKS, SMBD_COPYCHUNK_MAX_CHUNK,
		    SMBD_COPYCHUNK_MAX_DATA);
		return;
	}
	if (ilen < 32 + 24 * count) {
		smbd_reply_error(r, STATUS_INVALID_PARAMETER);
		return;
	}
	for (i = 0; i < count; i++) {
		len = smb2_get32(in + 32 + 24 * i + 16);
		sum += len > SMBD_COPYCHUNK_MAX_DATA ? SMBD_COPYCHUNK_MAX_DATA :
		    len;
		if (len == 0 || len > SMBD_COPYCHUNK_MAX_CHUNK ||
		    sum > SMBD_COPYCHUNK_MAX_DATA) {
			smbd_copychunk_answer(r, STATUS_INVALID_PARAMETER,
			    code, SMBD_COPYCHUNK_MAX_CHUNKS,
			    SMBD_COPYCHUNK_MAX_CHUNK, SMBD_COPYCHUNK_MAX_DATA);
			return;
		}
	}
	if ((src = smbd_copychunk_source(r->conn->env, s, in)) == NULL) {
		smbd_reply_error(r, STATUS_OBJECT_NAME_NOT_FOUND);
		return;
	}
	if (!(dst->granted & SMBD_FILE_WRITE_DATA) ||
	    (!write_only && !(dst->granted & SMBD_FILE_READ_DATA)) ||
	    !(src->granted & (SMBD_FILE_READ_DATA | SMBD_FILE_EXECUTE)) ||
	    src->fd == -1 || !(src->access & PERM_IO_READ) ||
	    dst->fd == -1 || !(dst->access & PERM_IO_WRITE)) {
		smbd_reply_error(r, STATUS_ACCESS_DENIED);
		return;
	}
	if ((buf = malloc(count > 0 ? SMBD_COPYCHUNK_MAX_CHUNK : 1)) == NULL) {
		smbd_reply_error(r, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	for (i = 0; i < count; i++) {
		ch = in + 32 + 24 * i;
		soff = smb2_get64(ch);
		toff = smb2_get64(ch + 8);
		len = smb2_get32(ch + 16);
		if (soff > (uint64_t)INT64_MAX - len ||
		    toff > (uint64_t)INT64_MAX - len) {
			free(buf);
			smbd_copychunk_answer(r, STATUS_INVALID_PARAMETER, code,
			    i, 0, total);
			return;
		}
		if (smbd_lock_io_conflict(src, soff, len, 0) ||
		    smbd_lock_io_conflict(dst, toff, len, 1)) {
			free(buf);
			smbd_copychunk_answer(r, STATUS_FILE_LOCK_CONFLICT, code,
			    i, 0, total);
			return;
		}
		/* A range past the source's end (MS-FSA 2.1.5.10.26). */
		if (fstat(src->fd, &st) == -1 ||
		    soff + len > (uint64_t)st.st_size) {
			free(buf);
			smbd_copychunk_answer(r, STATUS_INVALID_VIEW_SIZE, code,
			    i, 0, total);
			return;
		}
		n = pread(src->fd, buf, len, (off_t)soff);
		w = n == (ssize_t)len ? pwrite(dst->fd, buf, len, (off_t)toff) :
		    -1;
		if (w != (ssize_t)len) {
			free(buf);
			smbd_copychunk_answer(r, smb2_status_from_errno(n < 0 ||
			    w < 0 ? errno : EIO), code, i, 0, total);
			return;
		}
		total += len;
	}
	free(buf);
	if (total > 0) {
		smbd_lease_written(r->conn->env, dst);
		smbd_archive_written(r->conn, s, dst);
	}
	smbd_copychunk_answer(r, STATUS_SUCCESS, code, count, 0, total);
}
