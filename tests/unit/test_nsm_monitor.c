/*
 * statd: its state file (statd/monitor.c) and the NSM argument decoders
 * (sm_prot.x): round trip, damaged lines, names with blanks, bounds,
 * the state number, and XDR with huge lengths and garbage.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include "monitor.h"
#include "sm_prot.h"
#include "tap.h"

static int logged;

static void
test_log(const char *m)
{
	logged++;
	tap_diag("log: %s", m);
}

int
main(void)
{
	char tmpl[] = "/tmp/test_nsm_monitor.XXXXXX", cmd[128];
	struct monitor m, m2;
	uint8_t priv[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
	    10, 231, 0, 2 };
	uint8_t buf[4096];
	const char *text;
	struct mon mo;
	XDR x;
	int dirfd, i, ok, refused;

	memset(&m, 0, sizeof(m));
	memset(&m2, 0, sizeof(m2));
	m.log = m2.log = test_log;
	tap_ok(monitor_add(&m, "hostA", "127.0.0.1", 100021, 4, 16, priv) == 0,
	    "monitor hostA");
	tap_ok(monitor_add(&m, "hostA", "127.0.0.1", 100021, 4, 16, priv) == 0 &&
	    m.n == 1, "the same monitor twice is one entry");
	tap_ok(monitor_add(&m, "hostB", "127.0.0.1", 100021, 4, 16, priv) == 0,
	    "monitor hostB");
	tap_ok(monitor_add(&m, "host with blank", "x", 1, 1, 1, priv) == -1,
	    "a name with a blank is refused (it would break the file)");
	tap_ok(monitor_add(&m, "", "x", 1, 1, 1, priv) == -1,
	    "an empty name is refused");
	tap_ok(monitor_add(&m, "bad\nline", "x", 1, 1, 1, priv) == -1,
	    "a name with a newline is refused");
	m.state = 5;
	m.stated_epoch = 9;
	if (mkdtemp(tmpl) == NULL)
		return 1;
	dirfd = open(tmpl, O_RDONLY | O_DIRECTORY);
	tap_ok(monitor_save(dirfd, &m) == 0, "save");
	tap_ok(monitor_load(dirfd, &m2) == 0 && m2.n == 2 && m2.state == 5 &&
	    m2.stated_epoch == 9 && memcmp(m2.v[0].priv, priv, 16) == 0 &&
	    m2.v[0].my_prog == 100021, "load gives back state, epoch, list");
	tap_ok(monitor_remove(&m2, "hostA", "127.0.0.1", 100021, 4, 16) == 1 &&
	    m2.n == 1, "SM_UNMON removes one");
	tap_ok(monitor_remove(&m2, NULL, "127.0.0.1", 100021, 4, 16) == 1 &&
	    m2.n == 0, "SM_UNMON_ALL removes the rest of that my_id");
	monitor_clear(&m2);

	TAP_EQ_INT(monitor_next_state(0), 1, "state 0 -> 1");
	TAP_EQ_INT(monitor_next_state(5), 7, "an odd state goes up by 2");
	TAP_EQ_INT(monitor_next_state(6), 7, "an even state becomes odd");
	TAP_EQ_INT(monitor_next_state(0x7fffffff), 1, "wraps at INT_MAX");

	text = "state 3\ngarbage\nmon a b 1 2 3 zz\nmon onlythree f\n"
	    "state -1\nstated-epoch x\nmon ok me 1 2 3 "
	    "000102030405060708090a0b0c0d0e0f\nstate 99999999999999\n";
	logged = 0;
	memset(&m2, 0, sizeof(m2));
	m2.log = test_log;
	monitor_parse(&m2, text, strlen(text));
	tap_ok(m2.state == 3 && m2.n == 1 && strcmp(m2.v[0].mon_name, "ok") ==
	    0, "damaged lines are skipped, good ones kept");
	TAP_EQ_INT(logged, 6, "each damaged line is logged");
	monitor_clear(&m2);

	/* XDR: SM_MON with a mon_name length of 4 GiB, and over the bound. */
	memset(buf, 0, sizeof(buf));
	buf[0] = buf[1] = buf[2] = buf[3] = 0xff;
	memset(&mo, 0, sizeof(mo));
	xdrmem_create(&x, (char *)buf, sizeof(buf), XDR_DECODE);
	ok = xdr_mon(&x, &mo);
	xdr_free((xdrproc_t)xdr_mon, (char *)&mo);
	tap_ok(!ok, "SM_MON with a 4 GiB name is refused");
	buf[0] = 0;
	buf[1] = 0;
	buf[2] = 4;
	buf[3] = 1;	/* 1025 */
	memset(&mo, 0, sizeof(mo));
	xdrmem_create(&x, (char *)buf, sizeof(buf), XDR_DECODE);
	ok = xdr_mon(&x, &mo);
	xdr_free((xdrproc_t)xdr_mon, (char *)&mo);
	tap_ok(!ok, "SM_MON with a name over SM_MAXSTRLEN is refused");
	srandom(7);
	refused = 0;
	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)random() % 256, j;

		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)random();
		if (len >= 4 && (i & 1)) {
			buf[0] = buf[1] = buf[2] = 0;
			buf[3] = (uint8_t)(random() % 16);
		}
		memset(&mo, 0, sizeof(mo));
		xdrmem_create(&x, (char *)buf, (u_int)len, XDR_DECODE);
		if (!xdr_mon(&x, &mo))
			refused++;
		xdr_free((xdrproc_t)xdr_mon, (char *)&mo);
	}
	tap_ok(refused > 0, "20000 random SM_MON bodies: no crash, %d refused",
	    refused);
	monitor_clear(&m);
	close(dirfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	if (system(cmd) != 0)
		tap_diag("cleanup failed");
	return tap_done();
}
