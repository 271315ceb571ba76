/*
 * stated's client records (stated/clients.c): epochs across reopen,
 * who may reclaim, clearing, ids never reused, damaged records skipped,
 * records counted per address and removed for good.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <db.h>

#include "clients.h"
#include "tap.h"

static int logged;

static void
test_log(const char *msg)
{
	logged++;
	tap_diag("log: %s", msg);
}

static struct stated_clients *
reopen(const char *dir)
{
	struct stated_clients *c = NULL;
	char err[256];

	if (clients_open(dir, test_log, &c, err, sizeof(err)) == -1) {
		tap_diag("open: %s", err);
		return NULL;
	}
	return c;
}

/* Write a raw record behind the library's back. */
static void
put_raw(const char *dir, const void *k, size_t klen, const void *d,
    size_t dlen)
{
	DB_ENV *env;
	DB *db;
	DBT key, data;

	db_env_create(&env, 0);
	env->open(env, dir, DB_CREATE | DB_INIT_TXN | DB_INIT_LOG |
	    DB_INIT_LOCK | DB_INIT_MPOOL | DB_RECOVER | DB_PRIVATE, 0600);
	db_create(&db, env, 0);
	db->open(db, NULL, "clients.db", NULL, DB_BTREE,
	    DB_CREATE | DB_AUTO_COMMIT, 0600);
	memset(&key, 0, sizeof(key));
	memset(&data, 0, sizeof(data));
	key.data = (void *)k;
	key.size = (u_int32_t)klen;
	data.data = (void *)d;
	data.size = (u_int32_t)dlen;
	db->put(db, NULL, &key, &data, DB_AUTO_COMMIT);
	db->close(db, 0);
	env->close(env, 0);
}

int
main(void)
{
	char tmpl[] = "/tmp/test_stated_clients.XXXXXX", dir[300], cmd[400];
	struct stated_clients *c;
	struct stated_client *a, *b, *x;
	uint64_t e1, id_a, id_b;
	char longname[CLIENTS_NAME_MAX + 2];

	if (mkdtemp(tmpl) == NULL)
		return 1;
	snprintf(dir, sizeof(dir), "%s/clients", tmpl);

	c = reopen(dir);
	tap_ok(c != NULL, "a fresh store opens");
	if (c == NULL)
		return tap_done();
	e1 = clients_epoch(c);
	TAP_EQ_INT(e1, 1, "the first epoch is 1");
	TAP_EQ_INT(clients_count(c), 0, "no records");
	a = clients_get(c, 1, "hostA@10.0.0.2", "10.0.0.2");
	b = clients_get(c, 1, "hostB@10.0.0.3", "10.0.0.3");
	x = clients_get(c, 1, "hostC@10.0.0.4", "10.0.0.4");
	tap_ok(a && b && x && a->id != b->id && b->id != x->id,
	    "clients get distinct ids");
	tap_ok(clients_get(c, 1, "hostA@10.0.0.2", NULL) == a,
	    "get finds the record");
	tap_ok(clients_get(c, 2, "hostA@10.0.0.2", NULL) != a,
	    "another protocol is another client");
	id_a = a->id;
	id_b = b->id;
	tap_ok(clients_note_state(c, a) == 0 && a->epoch == e1,
	    "A holds state in epoch 1");
	tap_ok(clients_note_state(c, b) == 0, "B holds state");
	tap_ok(clients_clear_state(c, b) == 0 && b->epoch == 0,
	    "B released everything");
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	tap_ok(clients_get(c, 1, longname, NULL) == NULL,
	    "a name beyond %d bytes is refused", CLIENTS_NAME_MAX);
	clients_close(c);

	c = reopen(dir);
	tap_ok(c != NULL, "reopens");
	if (c == NULL)
		return tap_done();
	TAP_EQ_INT(clients_epoch(c), e1 + 1, "the epoch is bumped at open");
	a = clients_find(c, 1, "hostA@10.0.0.2");
	b = clients_find(c, 1, "hostB@10.0.0.3");
	tap_ok(a != NULL && a->reclaimable && a->id == id_a &&
	    strcmp(a->addr, "10.0.0.2") == 0,
	    "A is known, with its id and address, and may reclaim");
	tap_ok(b != NULL && !b->reclaimable && b->id == id_b,
	    "B is known but may not reclaim (it held nothing)");
	tap_ok(clients_find(c, 1, "hostC@10.0.0.4") == NULL,
	    "C never held state: no record");
	x = clients_get(c, 1, "hostD", NULL);
	tap_ok(x != NULL && x->id != id_a && x->id != id_b && x->id > id_b,
	    "ids are not given again after a restart");
	/* A restart during grace: A did not reclaim; it keeps its right. */
	clients_close(c);
	c = reopen(dir);
	a = c ? clients_find(c, 1, "hostA@10.0.0.2") : NULL;
	tap_ok(a != NULL && a->reclaimable,
	    "a client that did not reclaim before the next restart still may");
	clients_clear_state(c, a);
	clients_close(c);

	/* Damage: a short meta record and truncated client records. */
	put_raw(dir, "cXbad", 5, "short", 5);
	put_raw(dir, "c\001evil", 6,
	    "\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0\1\377\377", 18);
	logged = 0;
	c = reopen(dir);
	tap_ok(c != NULL, "a store with damaged records opens");
	tap_ok(logged >= 2, "damaged records are logged (%d)", logged);
	tap_ok(c != NULL && clients_find(c, 1, "evil") == NULL,
	    "a record with a lying address length is skipped");
	a = c ? clients_find(c, 1, "hostA@10.0.0.2") : NULL;
	tap_ok(a != NULL && !a->reclaimable,
	    "a cleared client may not reclaim");

	/* Per address: counted; one that holds nothing is removed for good. */
	TAP_EQ_INT(clients_count_addr(c, 1, "10.0.0.2"), 1,
	    "one record at 10.0.0.2");
	x = clients_get(c, 1, "hostE@10.0.0.2", "10.0.0.2");
	b = clients_get(c, 1, "hostF@10.0.0.2", "10.0.0.2");
	tap_ok(x != NULL && b != NULL && clients_note_state(c, x) == 0 &&
	    clients_clear_state(c, x) == 0, "two more there, one stored");
	TAP_EQ_INT(clients_count_addr(c, 1, "10.0.0.2"), 3,
	    "three records at 10.0.0.2");
	TAP_EQ_INT(clients_count_addr(c, 2, "10.0.0.2"), 0,
	    "none of another protocol");
	tap_ok(clients_remove(c, x) == 0 && clients_remove(c, b) == 0,
	    "remove a stored and an unstored record");
	TAP_EQ_INT(clients_count_addr(c, 1, "10.0.0.2"), 1, "one left");
	tap_ok(clients_find(c, 1, "hostE@10.0.0.2") == NULL,
	    "a removed record is not found");
	clients_close(c);
	c = reopen(dir);
	tap_ok(c != NULL && clients_find(c, 1, "hostE@10.0.0.2") == NULL &&
	    clients_find(c, 1, "hostA@10.0.0.2") != NULL,
	    "nor after a reopen; the others stay");
	clients_close(c);

	/* A record of the old key (caller_name only) gets name@address. */
	put_raw(dir, "c\001oldhost", 9, "\0\0\0\0\0\0\0\x63"
	    "\0\0\0\0\0\0\0\1" "\0\x08" "10.9.8.7", 26);
	put_raw(dir, "c\001noaddr", 8, "\0\0\0\0\0\0\0\x64"
	    "\0\0\0\0\0\0\0\1" "\0\0", 18);
	c = reopen(dir);
	a = c ? clients_find(c, 1, "oldhost@10.9.8.7") : NULL;
	tap_ok(a != NULL && a->id == 0x63 && a->reclaimable &&
	    clients_find(c, 1, "oldhost") == NULL,
	    "an old NLM record is keyed by name and address, and may reclaim");
	tap_ok(c != NULL && clients_find(c, 1, "noaddr") != NULL,
	    "one without an address keeps its old key");
	clients_close(c);
	c = reopen(dir);
	tap_ok(c != NULL && clients_find(c, 1, "oldhost@10.9.8.7") != NULL &&
	    clients_find(c, 1, "oldhost") == NULL, "durably");
	clients_close(c);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	if (system(cmd) != 0)
		tap_diag("cleanup failed");
	return tap_done();
}
