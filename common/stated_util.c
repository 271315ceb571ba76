/*
 * Front ends' small common pieces of stated's protocol (stated_util.h).
 */
#include <string.h>
#include <unistd.h>

#include "log.h"

#include "stated_util.h"

void
st_file_id(uint8_t f[ST_FILE_ID_LEN], uint32_t share, uint64_t ino,
    uint32_t generation)
{
	int i;

	for (i = 0; i < 4; i++)
		f[i] = (uint8_t)(share >> (24 - 8 * i));
	for (i = 0; i < 8; i++)
		f[4 + i] = (uint8_t)(ino >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		f[12 + i] = (uint8_t)(generation >> (24 - 8 * i));
}

int
st_push_ack_send(struct ipc_channel *ch, uint64_t push_id, st_status status)
{
	struct st_push_ack ack;

	memset(&ack, 0, sizeof(ack));
	ack.push_id = push_id;
	ack.status = status;
	return ipc_send_xdr(ch, ST_PUSH_ACK, 0, 0, -1,
	    (xdrproc_t)xdr_st_push_ack, &ack);
}

void
st_push_receive(struct ipc_channel *ch, struct ipc_msg *msg,
    st_push_granted_fn *fn, void *arg, st_status other, const char *who)
{
	struct st_push p;
	st_status status;

	if (msg->fd != -1) {
		close(msg->fd);
		msg->fd = -1;
	}
	if (msg->hdr.type != ST_PUSH) {
		log_warnx("stated sent message type %u", msg->hdr.type);
		return;
	}
	memset(&p, 0, sizeof(p));
	if (ipc_decode(msg, (xdrproc_t)xdr_st_push, &p) == -1) {
		log_warnx("stated: malformed ST_PUSH");
		return;
	}
	if (p.body.kind == ST_PUSH_GRANTED)
		status = fn(arg, &p);
	else {
		log_warnx("stated: push %llu of kind %d, not served by %s",
		    (unsigned long long)p.push_id, (int)p.body.kind, who);
		status = other;
	}
	if (st_push_ack_send(ch, p.push_id, status) == -1)
		log_warn("stated: ST_PUSH_ACK");
	xdr_free((xdrproc_t)xdr_st_push, &p);
}
