/*
 * lockd's hosts (lockd/hosts.c): SM_MON once a host holds something,
 * SM_UNMON after it held nothing for the linger, a lock/unlock loop
 * within the linger monitors once, a name is unmonitored with its last
 * address, and the cap (LOCKD_MONITOR_MAX): full of hosts that hold
 * something, a new one is refused; an idle one makes room.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockd.h"
#include "tap.h"

#define LINGER	5

int
main(void)
{
	struct hosts h;
	char key[64], *unmon;
	size_t i;
	int rc, mons, refused, unmons;

	hosts_init(&h, LOCKD_MONITOR_MAX);
	TAP_EQ_INT(hosts_admit(&h, "hostA@10.0.0.2", 100, &unmon), 1,
	    "a new host is admitted");
	tap_ok(unmon == NULL && hosts_monitored(&h) == 0,
	    "not monitored before stated says it holds something");
	TAP_EQ_INT(hosts_update(&h, "hostA@10.0.0.2", 1, 100), 1,
	    "its first lock: SM_MON");
	TAP_EQ_INT(hosts_update(&h, "hostA@10.0.0.2", 2, 101), 0,
	    "its second lock: no second SM_MON");
	TAP_EQ_INT(hosts_admit(&h, "hostA@10.0.0.2", 101, &unmon), 0,
	    "a known host is admitted as known");
	TAP_EQ_INT((int)hosts_next_expiry(&h, 101, LINGER), -1,
	    "while it holds locks nothing lingers");

	/* Its last unlock: it lingers, then goes. */
	hosts_update(&h, "hostA@10.0.0.2", 0, 110);
	TAP_EQ_INT((int)hosts_next_expiry(&h, 110, LINGER), LINGER,
	    "holding nothing, it lingers %d s", LINGER);
	tap_ok(hosts_expire(&h, 114, LINGER, &unmon) == 0 && unmon == NULL,
	    "within the linger it stays monitored");
	/* A lock/unlock loop inside the linger: no SM_MON, no SM_UNMON. */
	for (i = 0, mons = 0, unmons = 0; i < 100; i++) {
		mons += hosts_update(&h, "hostA@10.0.0.2", 1, 114);
		hosts_update(&h, "hostA@10.0.0.2", 0, 114);
		if (hosts_expire(&h, 114, LINGER, &unmon) && unmon != NULL)
			unmons++;
		free(unmon);
	}
	tap_ok(mons == 0 && unmons == 0,
	    "100 lock/unlock rounds within the linger: no SM_MON or SM_UNMON");
	tap_ok(hosts_expire(&h, 119, LINGER, &unmon) == 1 && unmon != NULL &&
	    strcmp(unmon, "hostA") == 0, "after the linger: SM_UNMON hostA");
	free(unmon);
	tap_ok(hosts_find(&h, "hostA@10.0.0.2") == NULL && h.n == 0,
	    "and it is forgotten");
	TAP_EQ_INT(hosts_admit(&h, "hostA@10.0.0.2", 120, &unmon), 1,
	    "its next lock admits it anew");
	TAP_EQ_INT(hosts_update(&h, "hostA@10.0.0.2", 1, 120), 1,
	    "and monitors it again");

	/* One name at two addresses: unmonitored with the last. */
	hosts_admit(&h, "hostA@10.0.0.3", 120, &unmon);
	hosts_update(&h, "hostA@10.0.0.3", 1, 120);
	hosts_update(&h, "hostA@10.0.0.2", 0, 120);
	tap_ok(hosts_expire(&h, 130, LINGER, &unmon) == 1 && unmon == NULL,
	    "hostA's first address goes without SM_UNMON: the other holds");
	hosts_update(&h, "hostA@10.0.0.3", 0, 130);
	tap_ok(hosts_expire(&h, 140, LINGER, &unmon) == 1 && unmon != NULL &&
	    strcmp(unmon, "hostA") == 0, "with its last address: SM_UNMON");
	free(unmon);

	/* Admitted, but stated never said it holds anything: just goes. */
	hosts_admit(&h, "hostB@10.0.0.2", 150, &unmon);
	tap_ok(hosts_expire(&h, 155, LINGER, &unmon) == 1 && unmon == NULL,
	    "a host never monitored goes without SM_UNMON");
	TAP_EQ_INT(hosts_update(&h, "hostZ@10.0.0.9", 3, 156), 0,
	    "an update of an unknown host changes nothing");
	TAP_EQ_INT((int)h.n, 0, "nothing left");

	/* The cap. */
	for (i = 0, refused = 0; i < LOCKD_MONITOR_MAX; i++) {
		snprintf(key, sizeof(key), "h%zu@10.1.%zu.%zu", i, i / 256,
		    i % 256);
		if (hosts_admit(&h, key, 200, &unmon) != 1)
			refused++;
		hosts_update(&h, key, 1, 200);
	}
	tap_ok(refused == 0 && hosts_monitored(&h) == LOCKD_MONITOR_MAX,
	    "%d hosts that hold locks are monitored", LOCKD_MONITOR_MAX);
	rc = hosts_admit(&h, "one-more@10.2.0.1", 200, &unmon);
	tap_ok(rc == -1 && unmon == NULL,
	    "host %d is refused (NLM4_DENIED_NOLOCKS)", LOCKD_MONITOR_MAX + 1);
	TAP_EQ_INT(hosts_admit(&h, "h7@10.1.0.7", 200, &unmon), 0,
	    "a known host still is admitted at the cap");
	hosts_update(&h, "h9@10.1.0.9", 0, 201);
	hosts_update(&h, "h8@10.1.0.8", 0, 202);
	rc = hosts_admit(&h, "one-more@10.2.0.1", 203, &unmon);
	tap_ok(rc == 1 && unmon != NULL && strcmp(unmon, "h9") == 0 &&
	    hosts_find(&h, "h9@10.1.0.9") == NULL &&
	    hosts_find(&h, "h8@10.1.0.8") != NULL,
	    "at the cap the host idle longest makes room (SM_UNMON h9)");
	free(unmon);
	TAP_EQ_INT((int)h.n, LOCKD_MONITOR_MAX, "still %d hosts",
	    LOCKD_MONITOR_MAX);
	tap_ok(hosts_admit(&h, "no-at-sign", 203, &unmon) == -1,
	    "a key without an address is refused");
	hosts_clear(&h);
	TAP_EQ_INT((int)h.n, 0, "cleared");
	return tap_done();
}
