/*
 * The NLM and NSM fuzz targets of tests/fuzz/ on a deterministic
 * pseudo-random corpus, for builds without libFuzzer: random bytes, and
 * mutations and truncations of valid arguments of every NLM procedure
 * and version, of every SM procedure, and of a valid statd state slot.
 * A decoder bug shows as a crash or a trap (or an ASan report with
 * --enable-sanitizers); the seeds themselves must decode.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "lockd.h"
#include "monitor.h"
#include "sm_prot.h"
#include "tap.h"

static uint32_t fuzz_state = 0x2545f491u;

static uint32_t
fuzz_rand(void)
{
	return fuzz_next(&fuzz_state);
}

/* buf[0] is the target's selector byte, the XDR encoding follows. */
static size_t
encode(uint8_t *buf, size_t len, uint8_t selector, xdrproc_t proc,
    void *obj)
{
	XDR x;
	size_t n;

	buf[0] = selector;
	xdrmem_create(&x, (char *)buf + 1, (u_int)(len - 1), XDR_ENCODE);
	n = proc(&x, obj) ? xdr_getpos(&x) + 1 : 0;
	xdr_destroy(&x);
	return n;
}

static char fh[32] = "0123456789abcdef0123456789abcdef";
static char oh[] = "42@client";
static char cookie[] = "ck";

/*
 * NLM: fuzz_nlm_one's selector is version index << 5 | procedure, the
 * versions being 1, 3, 4 (indexes 0, 1, 2).
 */
static size_t
nlm_seeds(struct fuzz_seed *s, size_t max)
{
	static const uint32_t lockprocs[] = { NLMPROC_TEST, NLMPROC_LOCK,
	    NLMPROC_CANCEL, NLMPROC_UNLOCK, NLMPROC_GRANTED,
	    NLMPROC_TEST_MSG, NLMPROC_LOCK_MSG, NLMPROC_CANCEL_MSG,
	    NLMPROC_UNLOCK_MSG, NLMPROC_GRANTED_MSG, NLMPROC_NM_LOCK };
	nlm4_lockargs a4;
	nlm_lockargs a1;
	nlm_shareargs sh;
	nlm_notify no;
	nlm_res res;
	size_t n = 0, i, v;

	memset(&a4, 0, sizeof(a4));
	a4.cookie.nlm_netobj_len = 2;
	a4.cookie.nlm_netobj_val = cookie;
	a4.block = 1;
	a4.exclusive = 1;
	a4.alock.caller_name = (char *)"client";
	a4.alock.fh.nlm_netobj_len = sizeof(fh);
	a4.alock.fh.nlm_netobj_val = fh;
	a4.alock.oh.nlm_netobj_len = (u_int)strlen(oh);
	a4.alock.oh.nlm_netobj_val = oh;
	a4.alock.svid = 42;
	a4.alock.l_offset = 1ULL << 33;
	a4.alock.l_len = 100;
	memset(&a1, 0, sizeof(a1));
	a1.cookie = a4.cookie;
	a1.block = 1;
	a1.alock.caller_name = (char *)"client";
	a1.alock.fh = a4.alock.fh;
	a1.alock.oh = a4.alock.oh;
	a1.alock.uppid = 42;
	a1.alock.l_offset = 4096;
	a1.alock.l_len = 0;
	for (i = 0; i < sizeof(lockprocs) / sizeof(lockprocs[0]); i++) {
		uint32_t p = lockprocs[i], base = p >= NLMPROC_TEST_MSG &&
		    p <= NLMPROC_GRANTED_MSG ? p - 5 : p;
		xdrproc_t x4, x1;

		/* The argument structs share their leading fields. */
		switch (base) {
		case NLMPROC_TEST:
		case NLMPROC_GRANTED:
			x4 = (xdrproc_t)xdr_nlm4_testargs;
			x1 = (xdrproc_t)xdr_nlm_testargs;
			break;
		case NLMPROC_CANCEL:
			x4 = (xdrproc_t)xdr_nlm4_cancargs;
			x1 = (xdrproc_t)xdr_nlm_cancargs;
			break;
		case NLMPROC_UNLOCK:
			x4 = (xdrproc_t)xdr_nlm4_unlockargs;
			x1 = (xdrproc_t)xdr_nlm_unlockargs;
			break;
		default:
			x4 = (xdrproc_t)xdr_nlm4_lockargs;
			x1 = (xdrproc_t)xdr_nlm_lockargs;
			break;
		}
		if (base == NLMPROC_TEST || base == NLMPROC_GRANTED) {
			nlm4_testargs t4 = { a4.cookie, a4.exclusive,
			    a4.alock };
			nlm_testargs t1 = { a1.cookie, a1.exclusive,
			    a1.alock };

			s[n].len = encode(s[n].buf, sizeof(s[n].buf),
			    (uint8_t)(2 << 5 | p), x4, &t4);
			n++;
			s[n].len = encode(s[n].buf, sizeof(s[n].buf),
			    (uint8_t)(1 << 5 | p), x1, &t1);
			n++;
		} else if (base == NLMPROC_CANCEL) {
			nlm4_cancargs c4 = { a4.cookie, a4.block,
			    a4.exclusive, a4.alock };
			nlm_cancargs c1 = { a1.cookie, a1.block,
			    a1.exclusive, a1.alock };

			s[n].len = encode(s[n].buf, sizeof(s[n].buf),
			    (uint8_t)(2 << 5 | p), x4, &c4);
			n++;
			s[n].len = encode(s[n].buf, sizeof(s[n].buf),
			    (uint8_t)(0 << 5 | p), x1, &c1);
			n++;
		} else if (base == NLMPROC_UNLOCK) {
			nlm4_unlockargs u4 = { a4.cookie, a4.alock };
			nlm_unlockargs u1 = { a1.cookie, a1.alock };

			s[n].len = encode(s[n].buf, sizeof(s[n].buf),
			    (uint8_t)(2 << 5 | p), x4, &u4);
			n++;
			s[n].len = encode(s[n].buf, sizeof(s[n].buf),
			    (uint8_t)(1 << 5 | p), x1, &u1);
			n++;
		} else {
			s[n].len = encode(s[n].buf, sizeof(s[n].buf),
			    (uint8_t)(2 << 5 | p), x4, &a4);
			n++;
			s[n].len = encode(s[n].buf, sizeof(s[n].buf),
			    (uint8_t)((p == NLMPROC_NM_LOCK ? 1 : 0) << 5 | p),
			    x1, &a1);
			n++;
		}
	}
	memset(&sh, 0, sizeof(sh));
	sh.cookie = a4.cookie;
	sh.share.caller_name = (char *)"client";
	sh.share.fh = a4.alock.fh;
	sh.share.oh = a4.alock.oh;
	sh.share.mode = fsm_DW;
	sh.share.access = fsa_RW;
	memset(&no, 0, sizeof(no));
	no.name = (char *)"client";
	no.state = 3;
	memset(&res, 0, sizeof(res));
	res.cookie = a4.cookie;
	res.stat = LCK_GRANTED;
	for (v = 1; v <= 2; v++) {
		s[n].len = encode(s[n].buf, sizeof(s[n].buf),
		    (uint8_t)(v << 5 | NLMPROC_SHARE), (xdrproc_t)xdr_nlm_shareargs,
		    &sh);
		n++;
		s[n].len = encode(s[n].buf, sizeof(s[n].buf),
		    (uint8_t)(v << 5 | NLMPROC_UNSHARE),
		    (xdrproc_t)xdr_nlm_shareargs, &sh);
		n++;
		s[n].len = encode(s[n].buf, sizeof(s[n].buf),
		    (uint8_t)(v << 5 | NLMPROC_FREE_ALL),
		    (xdrproc_t)xdr_nlm_notify, &no);
		n++;
		s[n].len = encode(s[n].buf, sizeof(s[n].buf),
		    (uint8_t)(v << 5 | NLMPROC_GRANTED_RES),
		    (xdrproc_t)xdr_nlm_res, &res);
		n++;
	}
	if (n > max)
		abort();
	return n;
}

/* Does seed s decode as what its selector byte says? */
static int
nlm_seed_decodes(const struct fuzz_seed *s)
{
	static const uint32_t versions[] = { 1, 3, 4 };
	struct nlm_req r;

	if (s->len == 0 || nlm_decode_request(versions[s->buf[0] >> 5],
	    s->buf[0] & 0x1f, s->buf + 1, s->len - 1, &r) != 0)
		return 0;
	nlm_req_free(&r);
	return 1;
}

/* NSM: fuzz_nsm_one's selector is the SM procedure (7: sm_status). */
static size_t
nsm_seeds(struct fuzz_seed *s)
{
	struct mon m;
	struct sm_name nm;
	struct stat_chge ch;
	struct sm_status st;
	size_t n = 0;

	memset(&m, 0, sizeof(m));
	m.mon_id.mon_name = (char *)"client";
	m.mon_id.my_id.my_name = (char *)"127.0.0.1";
	m.mon_id.my_id.my_prog = 100021;
	m.mon_id.my_id.my_vers = 4;
	m.mon_id.my_id.my_proc = 16;
	memset(m.priv, 0xab, sizeof(m.priv));
	nm.mon_name = (char *)"client";
	ch.mon_name = (char *)"client";
	ch.state = 5;
	memset(&st, 0, sizeof(st));
	st.mon_name = (char *)"client";
	st.state = 7;
	s[n].len = encode(s[n].buf, sizeof(s[n].buf), SM_PROC_STAT,
	    (xdrproc_t)xdr_sm_name, &nm);
	n++;
	s[n].len = encode(s[n].buf, sizeof(s[n].buf), SM_PROC_MON,
	    (xdrproc_t)xdr_mon, &m);
	n++;
	s[n].len = encode(s[n].buf, sizeof(s[n].buf), SM_PROC_UNMON,
	    (xdrproc_t)xdr_mon_id, &m.mon_id);
	n++;
	s[n].len = encode(s[n].buf, sizeof(s[n].buf), SM_PROC_UNMON_ALL,
	    (xdrproc_t)xdr_my_id, &m.mon_id.my_id);
	n++;
	s[n].len = encode(s[n].buf, sizeof(s[n].buf), SM_PROC_NOTIFY,
	    (xdrproc_t)xdr_stat_chge, &ch);
	n++;
	s[n].len = encode(s[n].buf, sizeof(s[n].buf), 7,
	    (xdrproc_t)xdr_sm_status, &st);
	n++;
	return n;
}

/* A slot as statd saves it, read back from a temporary directory. */
static size_t
nsm_slot_seed(struct fuzz_seed *s)
{
	char dir[] = "/tmp/test_nlm_fuzz.XXXXXX", path[64];
	struct monitor_store store;
	struct monitor m;
	uint8_t priv[MONITOR_PRIV_SIZE];
	ssize_t got;
	int fd;

	if (mkdtemp(dir) == NULL)
		return 0;
	memset(&m, 0, sizeof(m));
	memset(priv, 0x11, sizeof(priv));
	m.state = 3;
	if (monitor_add(&m, "client", "127.0.0.1", 100021, 4, 16, priv) == -1 ||
	    monitor_store_open(&store, dir) == -1 ||
	    monitor_store_save(&store, &m) == -1)
		return 0;
	monitor_store_close(&store);
	monitor_clear(&m);
	s->len = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, MONITOR_SLOT_A);
	if ((fd = open(path, O_RDONLY)) != -1 && (got = read(fd, s->buf,
	    sizeof(s->buf))) > 0)
		s->len = (size_t)got;
	if (fd != -1)
		close(fd);
	if (s->len == 0) {
		snprintf(path, sizeof(path), "%s/%s", dir, MONITOR_SLOT_B);
		if ((fd = open(path, O_RDONLY)) != -1 && (got = read(fd,
		    s->buf, sizeof(s->buf))) > 0)
			s->len = (size_t)got;
		if (fd != -1)
			close(fd);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, MONITOR_SLOT_A);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, MONITOR_SLOT_B);
	unlink(path);
	rmdir(dir);
	return s->len;
}

int
main(void)
{
	struct fuzz_seed nlm[64], nsm[8], slot;
	uint8_t buf[4096];
	size_t n_nlm, n_nsm, len, i, j;
	const char *text;
	size_t textlen;
	int ok, iters = getenv("FUZZ_ITERATIONS") ?
	    atoi(getenv("FUZZ_ITERATIONS")) : 100000;

	n_nlm = nlm_seeds(nlm, sizeof(nlm) / sizeof(nlm[0]));
	for (i = 0, ok = 0; i < n_nlm; i++)
		ok += nlm_seed_decodes(&nlm[i]);
	TAP_EQ_INT(ok, (int)n_nlm, "every NLM seed (each procedure of "
	    "v1, v3, v4) decodes");
	n_nsm = nsm_seeds(nsm);
	tap_ok(nsm_slot_seed(&slot) > MONITOR_SLOT_HEADER &&
	    monitor_slot_check(slot.buf, slot.len, &text, &textlen) != 0,
	    "a slot statd saved passes its check");

	for (i = 0; i < (size_t)iters; i++) {
		len = fuzz_rand() % sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)fuzz_rand();
		fuzz_nlm_one(buf, len);
		fuzz_nsm_one(buf, len);
	}
	tap_ok(1, "%d random inputs: no crash", iters);

	for (i = 0; i < (size_t)iters; i++)
		fuzz_nlm_one(buf, fuzz_mutate(buf, &nlm[i % n_nlm], &fuzz_state));
	tap_ok(1, "%d mutated arguments of every NLM procedure: no crash",
	    iters);

	for (i = 0; i < (size_t)iters; i++)
		fuzz_nsm_one(buf, fuzz_mutate(buf, &nsm[i % n_nsm], &fuzz_state));
	tap_ok(1, "%d mutated arguments of every SM procedure: no crash",
	    iters);

	for (i = 0; i < (size_t)iters / 10; i++) {
		fuzz_nsm_one(slot.buf, slot.len);
		fuzz_nsm_one(buf, fuzz_mutate(buf, &slot, &fuzz_state));
	}
	tap_ok(1, "%d mutated state slots: no crash", iters / 10);
	return tap_done();
}
