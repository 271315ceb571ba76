/*
 * common/connlimit.c: the connection policy of the RPC transports.
 * Admission (the total, the per-address share and its default, slots
 * given back), the idle list (no progress for the timeout, busy
 * connections never expire, progress and finished requests restart the
 * clock, a stuck connection with output queued expires too), output
 * accounting (per connection and in total; only connections holding
 * output are held back by the total), the refusal log's rate limit, and
 * the [section] keys with their defaults.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "connlimit.h"
#include "tap.h"

static void
addr_of(uint8_t addr[16], int host)
{
	memset(addr, 0, 16);
	addr[10] = addr[11] = 0xff;
	addr[12] = 127;
	addr[15] = (uint8_t)host;
}

static struct connlimit_conf
conf_of(size_t max, size_t per_addr, unsigned int idle)
{
	struct connlimit_conf lc;

	memset(&lc, 0, sizeof(lc));
	lc.max_conns = max;
	lc.max_per_addr = per_addr;
	lc.idle_seconds = idle;
	lc.out_per_conn = 1000;
	lc.out_total = 2500;
	return lc;
}

static void
test_admit(void)
{
	struct connlimit_conf lc = conf_of(10, 3, 60);
	struct connlimit *cl = connlimit_new(&lc);
	struct connlimit_conn c[12];
	uint8_t a1[16], a2[16];
	int i, ok;

	addr_of(a1, 1);
	addr_of(a2, 2);
	for (ok = 1, i = 0; i < 3; i++)
		ok &= connlimit_admit(cl, &c[i], &c[i], a1, 0) == CONNLIMIT_OK;
	tap_ok(ok, "three connections from one address are admitted");
	tap_ok(connlimit_admit(cl, &c[3], &c[3], a1, 0) == CONNLIMIT_ADDR,
	    "a fourth from it is refused: per address");
	tap_ok(connlimit_addr_count(cl, a1) == 3 && connlimit_count(cl) == 3,
	    "the refusal counted nothing (3 from it, 3 in all)");
	tap_ok(connlimit_admit(cl, &c[3], &c[3], a2, 0) == CONNLIMIT_OK,
	    "another address still gets in");
	connlimit_release(cl, &c[0]);
	tap_ok(connlimit_addr_count(cl, a1) == 2,
	    "a closed connection gives its address's slot back");
	tap_ok(connlimit_admit(cl, &c[0], &c[0], a1, 0) == CONNLIMIT_OK,
	    "so the address may connect again");
	for (i = 4; i < 10; i++) {
		uint8_t a[16];

		addr_of(a, 10 + i);
		connlimit_admit(cl, &c[i], &c[i], a, 0);
	}
	tap_ok(connlimit_count(cl) == 10, "ten connections open");
	tap_ok(connlimit_admit(cl, &c[10], &c[10], a2, 0) == CONNLIMIT_TOTAL,
	    "an eleventh is refused: the total");
	for (i = 0; i < 10; i++)
		connlimit_release(cl, &c[i]);
	tap_ok(connlimit_count(cl) == 0 && connlimit_addr_count(cl, a1) == 0,
	    "all released: nothing counted");
	connlimit_release(cl, &c[0]);
	tap_ok(connlimit_count(cl) == 0, "a second release is harmless");
	connlimit_free(cl);

	lc = conf_of(1024, 0, 60);
	cl = connlimit_new(&lc);
	tap_ok(connlimit_per_addr(cl) == 1024 / CONNLIMIT_ADDR_SHARE,
	    "per address 0: an eighth of the total (%zu)",
	    connlimit_per_addr(cl));
	lc = conf_of(4, 0, 60);
	connlimit_set_conf(cl, &lc);
	tap_ok(connlimit_per_addr(cl) == 1, "... and at least one");
	connlimit_free(cl);
}

static void
test_idle(void)
{
	struct connlimit_conf lc = conf_of(10, 0, 60);
	struct connlimit *cl = connlimit_new(&lc);
	struct connlimit_conn a, b, c;
	uint8_t ad[16];

	addr_of(ad, 1);
	connlimit_admit(cl, &a, &a, ad, 100);
	addr_of(ad, 2);
	connlimit_admit(cl, &b, &b, ad, 110);
	addr_of(ad, 3);
	connlimit_admit(cl, &c, &c, ad, 120);
	tap_ok(connlimit_expired(cl, 159) == NULL,
	    "nothing expires before the timeout");
	tap_ok(connlimit_expired(cl, 160) == &a,
	    "the oldest expires at the timeout");
	connlimit_progress(cl, &a, 160);
	tap_ok(connlimit_expired(cl, 170) == &b,
	    "progress restarts its clock: the next oldest is first");
	connlimit_inflight(cl, &b, 1, 170);
	tap_ok(connlimit_expired(cl, 180) == &c,
	    "a connection with a request in flight never expires");
	connlimit_inflight(cl, &c, 1, 180);
	tap_ok(connlimit_expired(cl, 219) == NULL,
	    "(nothing else is due)");
	tap_ok(connlimit_expired(cl, 220) == &a, "a is due at 220");
	connlimit_release(cl, &a);
	tap_ok(connlimit_expired(cl, 10000) == NULL,
	    "busy connections stay however long");
	connlimit_inflight(cl, &b, -1, 300);
	tap_ok(connlimit_expired(cl, 359) == NULL,
	    "a finished request restarts the clock");
	tap_ok(connlimit_expired(cl, 360) == &b, "... from its end");
	/* Output queued and never read: no progress, so it expires. */
	connlimit_inflight(cl, &c, -1, 400);
	connlimit_out_add(cl, &c, 5000);
	connlimit_release(cl, &b);
	tap_ok(connlimit_expired(cl, 460) == &c,
	    "a connection stuck with its replies unread expires");
	connlimit_release(cl, &c);
	tap_ok(connlimit_out_total(cl) == 0,
	    "its queued output left the total with it");
	lc = conf_of(10, 0, 0);
	connlimit_set_conf(cl, &lc);
	connlimit_admit(cl, &a, &a, ad, 0);
	tap_ok(connlimit_expired(cl, 1000000) == NULL,
	    "idle timeout 0: never");
	tap_ok(connlimit_sweep_seconds(cl) == 1, "sweeps at least each second");
	lc = conf_of(10, 0, 300);
	connlimit_set_conf(cl, &lc);
	tap_ok(connlimit_sweep_seconds(cl) == 30,
	    "and at most each 30 s (300 s timeout: %u)",
	    connlimit_sweep_seconds(cl));
	connlimit_release(cl, &a);
	connlimit_free(cl);
}

static void
test_output(void)
{
	struct connlimit_conf lc = conf_of(10, 0, 60);
	struct connlimit *cl = connlimit_new(&lc);
	struct connlimit_conn a, b, c, d;
	uint8_t ad[16];

	addr_of(ad, 1);
	connlimit_admit(cl, &a, &a, ad, 0);
	addr_of(ad, 2);
	connlimit_admit(cl, &b, &b, ad, 0);
	addr_of(ad, 3);
	connlimit_admit(cl, &c, &c, ad, 0);
	addr_of(ad, 4);
	connlimit_admit(cl, &d, &d, ad, 0);
	tap_ok(connlimit_count(cl) == 4, "four connections");
	tap_ok(connlimit_may_read(cl, &a), "nothing queued: may read");
	connlimit_out_add(cl, &a, 999);
	tap_ok(connlimit_may_read(cl, &a), "under its cap: may read");
	connlimit_out_add(cl, &a, 1);
	tap_ok(!connlimit_may_read(cl, &a), "at its cap (1000): may not");
	connlimit_out_done(cl, &a, 1);
	tap_ok(connlimit_may_read(cl, &a), "drained below it: may again");
	connlimit_out_add(cl, &b, 900);
	connlimit_out_add(cl, &c, 700);
	tap_ok(connlimit_out_total(cl) == 2599, "the total counts all (2599)");
	tap_ok(!connlimit_may_read(cl, &b) && !connlimit_may_read(cl, &c),
	    "over the total (2500): those holding output may not read");
	tap_ok(connlimit_may_read(cl, &d),
	    "one that reads its replies (nothing queued) still may");
	connlimit_out_done(cl, &c, 700);
	tap_ok(connlimit_may_read(cl, &b) && connlimit_may_read(cl, &c),
	    "under the total again: all may");
	connlimit_out_done(cl, &b, 5000);
	tap_ok(b.out_bytes == 0 && connlimit_out_total(cl) == 999,
	    "more written than counted is clamped (total %zu)",
	    connlimit_out_total(cl));
	connlimit_release(cl, &a);
	tap_ok(connlimit_out_total(cl) == 0, "released: total 0");
	connlimit_out_add(cl, &a, 100);
	tap_ok(connlimit_out_total(cl) == 0,
	    "output of a released connection is not counted");
	connlimit_release(cl, &b);
	connlimit_release(cl, &c);
	connlimit_release(cl, &d);
	connlimit_free(cl);
}

static void
test_refusal_count(void)
{
	struct connlimit_conf lc = conf_of(1, 0, 60);
	struct connlimit *cl = connlimit_new(&lc);
	int i;

	tap_ok(connlimit_refusals(cl) == 0, "no refusal counted at first");
	for (i = 0; i < 1002; i++)
		connlimit_refused(cl);
	tap_ok(connlimit_refusals(cl) == 1002, "every refusal is counted");
	connlimit_free(cl);
}

static void
test_conf(void)
{
	const char *text = "[nfsd]\nidle timeout = 7\n"
	    "connections per address = 5\noutput total = 3\n"
	    "[statd]\nmax connections = 40\n";
	char err[256];
	struct connlimit_conf lc;
	struct conf *conf;

	conf = conf_parse_string(text, "t.conf", err, sizeof(err));
	if (!tap_ok(conf != NULL, "config with limit keys loads (%s)",
	    conf == NULL ? err : "ok"))
		return;
	connlimit_conf_read(&lc, conf, "nfsd");
	tap_ok(lc.max_conns == 1024 && lc.max_per_addr == 5 &&
	    lc.idle_seconds == 7 && lc.out_per_conn == 16u << 20 &&
	    lc.out_total == 3u << 20, "[nfsd]: set keys and defaults");
	connlimit_conf_read(&lc, conf, "lockd");
	tap_ok(lc.max_conns == 512 && lc.max_per_addr == 0 &&
	    lc.idle_seconds == 300 && lc.out_per_conn == 1u << 20 &&
	    lc.out_total == 16u << 20, "[lockd]: the defaults");
	connlimit_conf_read(&lc, conf, "statd");
	tap_ok(lc.max_conns == 40, "[statd]: max connections");
	conf_free(conf);
}

int
main(void)
{
	test_admit();
	test_idle();
	test_output();
	test_refusal_count();
	test_conf();
	return tap_done();
}
