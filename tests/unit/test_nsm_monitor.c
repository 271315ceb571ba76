/*
 * statd: its state (statd/monitor.c) and the NSM argument decoders
 * (sm_prot.x): round trip through the A/B pair of state files, a torn or
 * damaged slot, migration of the old one-file format, damaged lines,
 * names with blanks, bounds, one name at two addresses, the state
 * number, and XDR with huge lengths and garbage.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
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
	uint8_t other[16];
	struct monitor_store st;
	struct stat sb;
	char path[256];
	FILE *fp;
	int i, ok, refused, newer;

	memset(&m, 0, sizeof(m));
	memset(&m2, 0, sizeof(m2));
	memcpy(other, priv, sizeof(other));
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
	tap_ok(monitor_store_open(&st, tmpl) == 0, "open the A/B pair");
	TAP_EQ_INT(monitor_store_load(&st, &m2), 0,
	    "two new (empty) slots: nothing valid, empty state");
	tap_ok(monitor_store_save(&st, &m) == 0, "save");
	TAP_EQ_INT(monitor_store_load(&st, &m2), 1, "load");
	tap_ok(m2.n == 2 && m2.state == 5 &&
	    m2.stated_epoch == 9 && memcmp(m2.v[0].priv, priv, 16) == 0 &&
	    m2.v[0].my_prog == 100021, "load gives back state, epoch, list");
	tap_ok(monitor_remove(&m2, "hostA", "127.0.0.1", 100021, 4, 16) == 1 &&
	    m2.n == 1, "SM_UNMON removes one");
	tap_ok(monitor_remove(&m2, NULL, "127.0.0.1", 100021, 4, 16) == 1 &&
	    m2.n == 0, "SM_UNMON_ALL removes the rest of that my_id");
	monitor_clear(&m2);

	/* Two more saves: state 7 lands in one slot, state 9 in the other. */
	m.state = 7;
	tap_ok(monitor_store_save(&st, &m) == 0, "save state 7");
	m.state = 9;
	tap_ok(monitor_store_save(&st, &m) == 0, "save state 9");
	newer = st.generation[0] > st.generation[1] ? 0 : 1;
	tap_ok(st.generation[newer] == st.generation[1 - newer] + 1,
	    "the saves alternate between the slots");
	memset(&m2, 0, sizeof(m2));
	m2.log = test_log;
	tap_ok(monitor_store_load(&st, &m2) == 1 && m2.state == 9,
	    "the newer slot wins (state 9)");
	monitor_clear(&m2);
	/* A crash in the middle of writing the newer slot: torn. */
	tap_ok(fstat(st.fd[newer], &sb) == 0 &&
	    ftruncate(st.fd[newer], sb.st_size / 2) == 0,
	    "tear the newer slot");
	memset(&m2, 0, sizeof(m2));
	m2.log = test_log;
	logged = 0;
	tap_ok(monitor_store_load(&st, &m2) == 1 && m2.state == 7 &&
	    m2.n == 2, "a torn slot: the other one loads (state 7)");
	tap_ok(logged == 1, "and the torn one is reported");
	monitor_clear(&m2);
	/* The next save goes to the torn slot, never over the good one. */
	m.state = 11;
	tap_ok(monitor_store_save(&st, &m) == 0 &&
	    st.generation[1 - newer] != 0 && st.generation[newer] >
	    st.generation[1 - newer], "the next save rewrites the torn slot");
	/* A flipped byte in the text: the checksum catches it. */
	tap_ok(pwrite(st.fd[newer], "X", 1, MONITOR_SLOT_HEADER + 2) == 1,
	    "damage a byte of the newest slot");
	memset(&m2, 0, sizeof(m2));
	m2.log = test_log;
	tap_ok(monitor_store_load(&st, &m2) == 1 && m2.state == 7,
	    "a damaged slot: the other one loads");
	monitor_clear(&m2);
	monitor_store_close(&st);
	tap_ok(monitor_store_open(&st, tmpl) == 0 &&
	    monitor_store_load(&st, &m2) == 1 && m2.state == 7,
	    "reopened: the same");
	monitor_clear(&m2);
	monitor_store_close(&st);

	/* The one-file format of earlier versions. */
	snprintf(path, sizeof(path), "%s/" MONITOR_LEGACY_FILE, tmpl);
	fp = fopen(path, "w");
	if (fp != NULL) {
		fputs("state 41\nstated-epoch 3\nmon old me 100021 4 16 "
		    "00000000000000000000ffff0ae70002\n", fp);
		fclose(fp);
	}
	memset(&m2, 0, sizeof(m2));
	tap_ok(monitor_load_legacy(path, &m2) == 1 && m2.state == 41 &&
	    m2.n == 1 && strcmp(m2.v[0].mon_name, "old") == 0 &&
	    memcmp(m2.v[0].priv, priv, 16) == 0, "the old format still reads");
	monitor_clear(&m2);
	unlink(path);
	TAP_EQ_INT(monitor_load_legacy(path, &m2), 0, "no old file: absent");

	/* One name at two addresses: two entries, each found by its own. */
	memset(&m2, 0, sizeof(m2));
	other[15] = 3;
	tap_ok(monitor_add(&m2, "hostA", "127.0.0.1", 100021, 4, 16, priv) ==
	    0 && monitor_add(&m2, "hostA", "127.0.0.1", 100021, 4, 16,
	    other) == 0 && m2.n == 2, "hostA at two addresses: two entries");
	tap_ok(monitor_find(&m2, "hostA", priv) != NULL &&
	    monitor_find(&m2, "hostA", other) != NULL, "each is found");
	other[15] = 9;
	tap_ok(monitor_find(&m2, "hostA", other) == NULL,
	    "hostA at a third address is not monitored");
	tap_ok(monitor_find(&m2, "hostB", priv) == NULL,
	    "nor is another name at hostA's address");
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
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	if (system(cmd) != 0)
		tap_diag("cleanup failed");
	return tap_done();
}
