/*
 * statd's NSM procedures under fuzzing (tests/fuzz/fuzz_nsm_proc.c):
 * valid arguments of every SM procedure, through common/rpcsvc.c and
 * statd/nsm.c's handlers, do what they should (the seeds), then random
 * and mutated ones: no crash, the monitor list stays valid, and statd
 * answers every call it can read.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "statd.h"
#include "tap.h"

#define ACCEPT_SUCCESS		0
#define ACCEPT_PROG_MISMATCH	2
#define ACCEPT_PROC_UNAVAIL	3
#define ACCEPT_GARBAGE_ARGS	4

static uint32_t fuzz_state = 0x1badb002u;

static uint32_t
fuzz_rand(void)
{
	return fuzz_next(&fuzz_state);
}

/* buf[0]: the procedure; the XDR encoding of obj follows. */
static size_t
encode(struct fuzz_seed *s, uint8_t proc, xdrproc_t x, void *obj)
{
	XDR xdrs;

	s->buf[0] = proc;
	if (x == NULL)
		return s->len = 1;
	xdrmem_create(&xdrs, (char *)s->buf + 1, sizeof(s->buf) - 1,
	    XDR_ENCODE);
	s->len = x(&xdrs, obj) ? xdr_getpos(&xdrs) + 1 : 0;
	xdr_destroy(&xdrs);
	return s->len;
}

static int
call(const struct fuzz_seed *s)
{
	fuzz_nsm_proc_one(s->buf, s->len);
	return fuzz_nsm_proc_reply();
}

int
main(void)
{
	struct fuzz_seed seeds[8], t;
	struct mon m;
	struct sm_name nm;
	struct stat_chge ch;
	const struct monitor *list;
	uint8_t buf[1024];
	size_t n = 0, i, j, len;
	int answered, iters = getenv("FUZZ_ITERATIONS") ?
	    atoi(getenv("FUZZ_ITERATIONS")) / 10 : 10000;

	memset(&m, 0, sizeof(m));
	m.mon_id.mon_name = (char *)"client";
	m.mon_id.my_id.my_name = (char *)"127.0.0.1";
	m.mon_id.my_id.my_prog = 100021;
	m.mon_id.my_id.my_vers = 4;
	m.mon_id.my_id.my_proc = 16;
	m.priv[10] = m.priv[11] = (char)0xff;
	m.priv[12] = 127;
	m.priv[15] = 1;
	nm.mon_name = (char *)"client";
	ch.mon_name = (char *)"client";
	ch.state = 5;
	encode(&seeds[n++], SM_PROC_NULL, NULL, NULL);
	encode(&seeds[n++], SM_PROC_STAT, (xdrproc_t)xdr_sm_name, &nm);
	encode(&seeds[n++], SM_PROC_MON, (xdrproc_t)xdr_mon, &m);
	encode(&seeds[n++], SM_PROC_NOTIFY, (xdrproc_t)xdr_stat_chge, &ch);
	encode(&seeds[n++], SM_PROC_UNMON, (xdrproc_t)xdr_mon_id, &m.mon_id);
	encode(&seeds[n++], SM_PROC_UNMON_ALL, (xdrproc_t)xdr_my_id,
	    &m.mon_id.my_id);

	TAP_EQ_INT(call(&seeds[0]), ACCEPT_SUCCESS, "NULL is answered");
	TAP_EQ_INT(call(&seeds[1]), ACCEPT_SUCCESS, "SM_STAT is answered");
	TAP_EQ_INT(call(&seeds[2]), ACCEPT_SUCCESS, "SM_MON is answered");
	list = fuzz_nsm_proc_list();
	tap_ok(list->n == 1 && strcmp(list->v[0].mon_name, "client") == 0,
	    "and statd monitors client");
	TAP_EQ_INT(call(&seeds[3]), ACCEPT_SUCCESS,
	    "SM_NOTIFY for client from its address is answered");
	TAP_EQ_INT(call(&seeds[4]), ACCEPT_SUCCESS, "SM_UNMON is answered");
	TAP_EQ_INT((int)list->n, 0, "and client is no longer monitored");
	call(&seeds[2]);
	TAP_EQ_INT(call(&seeds[5]), ACCEPT_SUCCESS,
	    "SM_UNMON_ALL is answered");
	TAP_EQ_INT((int)list->n, 0, "and empties the list");
	t = seeds[2];
	t.len = seeds[2].len - 3;
	TAP_EQ_INT(call(&t), ACCEPT_GARBAGE_ARGS,
	    "a truncated SM_MON gets GARBAGE_ARGS");
	TAP_EQ_INT((int)list->n, 0, "and monitors nothing");
	t = seeds[0];
	t.buf[0] = 7;
	TAP_EQ_INT(call(&t), ACCEPT_PROC_UNAVAIL,
	    "procedure 7 gets PROC_UNAVAIL");
	t.buf[0] = 0xc0 | SM_PROC_STAT;
	TAP_EQ_INT(call(&t), ACCEPT_PROG_MISMATCH,
	    "version 2 gets PROG_MISMATCH");

	for (i = 0, answered = 0; i < (size_t)iters; i++) {
		len = fuzz_rand() % 600 + 1;
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)fuzz_rand();
		fuzz_nsm_proc_one(buf, len);
		answered += fuzz_nsm_proc_reply() != -1;
	}
	tap_ok(1, "%d random calls: no crash", iters);
	TAP_EQ_INT(answered, iters, "each of them answered");
	for (i = 0, answered = 0; i < (size_t)iters; i++) {
		len = fuzz_mutate(buf, &seeds[i % n], &fuzz_state);
		fuzz_nsm_proc_one(buf, len);
		answered += len == 0 || fuzz_nsm_proc_reply() != -1;
	}
	tap_ok(1, "%d mutated calls of every SM procedure: no crash", iters);
	TAP_EQ_INT(answered, iters, "each of them answered");
	TAP_EQ_INT(call(&seeds[1]), ACCEPT_SUCCESS,
	    "after them SM_STAT is still answered");
	fuzz_nsm_proc_done();
	return tap_done();
}
