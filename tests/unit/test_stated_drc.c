/*
 * stated's copy of the NFS duplicate request cache (stated/drc.c): put
 * and get (the key includes the client's port), replacement, the LRU bound, refused sizes, resize, and the
 * chunked dump (oldest first, resumed by cursor across evictions and
 * replacements, bounded in entries and bytes), and the wire: a full
 * chunk fits one IPC message, oversized batches and replies do not
 * decode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rpc/rpc.h>

#include "drc.h"
#include "ipc.h"
#include "stated_drc.h"
#include "tap.h"

static struct drc_table_key
key(uint32_t xid)
{
	struct drc_table_key k;

	memset(&k, 0, sizeof(k));
	k.addr[10] = k.addr[11] = 0xff;
	k.addr[12] = 127;
	k.addr[15] = 1;
	k.port = 900;
	k.xid = xid;
	k.prog = 100003;
	k.vers = 3;
	k.proc = 12;
	k.args_sum = xid * 2654435761u;
	return k;
}

/* A reply that names its xid, of a length that depends on it. */
static size_t
reply_of(uint32_t xid, uint8_t *buf)
{
	size_t len = 28 + xid % 200, i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(xid + i);
	return len;
}

static int
put(struct drc_table *t, uint32_t xid)
{
	struct drc_table_key k = key(xid);
	uint8_t r[DRC_TABLE_REPLY_MAX];

	return drc_table_put(t, &k, r, reply_of(xid, r));
}

static int
has(struct drc_table *t, uint32_t xid)
{
	struct drc_table_key k = key(xid);
	uint8_t want[DRC_TABLE_REPLY_MAX];
	const uint8_t *r;
	size_t len, wlen = reply_of(xid, want);

	if (drc_table_get(t, &k, &r, &len) == -1)
		return 0;
	return len == wlen && memcmp(r, want, len) == 0;
}

/* A dump collects xids, and checks each entry's reply on the way. */
struct collect {
	uint32_t	*xids;
	size_t		 n;
	size_t		 cap;
	int		 bad;
};

static void
collect_cb(void *arg, const struct drc_table_key *k, const uint8_t *reply,
    size_t len)
{
	struct collect *c = arg;
	uint8_t want[DRC_TABLE_REPLY_MAX];
	size_t wlen = reply_of(k->xid, want);

	if (len != wlen || memcmp(reply, want, len) != 0 || k->proc != 12)
		c->bad++;
	if (c->n < c->cap)
		c->xids[c->n++] = k->xid;
	else
		c->bad++;
}

/* The whole table in chunks; returns the number of calls. */
static size_t
dump_all(struct drc_table *t, size_t chunk, size_t bytes, struct collect *c)
{
	uint64_t cursor = 0, next;
	size_t calls = 0, got;
	int eof = 0;

	while (!eof && calls < 100000) {
		got = drc_table_dump(t, cursor, chunk, bytes, collect_cb, c,
		    &next, &eof);
		calls++;
		if (got == 0 && !eof) {
			c->bad++;
			break;
		}
		cursor = next;
	}
	return calls;
}

static void
test_basic(void)
{
	struct drc_table *t = drc_table_new(100);
	struct drc_table_key k = key(7), other;
	uint8_t big[DRC_TABLE_REPLY_MAX + 1];
	const uint8_t *r;
	size_t len;

	tap_ok(t != NULL, "a table of 100");
	tap_ok(drc_table_get(t, &k, &r, &len) == -1, "empty: no entry");
	tap_ok(put(t, 7) == 0 && has(t, 7), "put, then get the same reply");
	other = k;
	other.args_sum ^= 1;
	tap_ok(drc_table_get(t, &other, &r, &len) == -1,
	    "same xid, other arguments: not found");
	other = k;
	other.addr[15] = 2;
	tap_ok(drc_table_get(t, &other, &r, &len) == -1,
	    "same xid, other client: not found");
	other = k;
	other.port = 901;
	tap_ok(drc_table_get(t, &other, &r, &len) == -1,
	    "same xid, address and call, other port (a second client behind "
	    "one NAT address): not found");
	other = k;
	other.proc = 8;
	tap_ok(drc_table_get(t, &other, &r, &len) == -1,
	    "same xid, other procedure: not found");
	memset(big, 1, sizeof(big));
	errno = 0;
	tap_ok(drc_table_put(t, &other, big, sizeof(big)) == -1 &&
	    errno == EINVAL, "a reply over %d bytes is refused (EINVAL)",
	    DRC_TABLE_REPLY_MAX);
	errno = 0;
	tap_ok(drc_table_put(t, &other, big, 0) == -1 && errno == EINVAL,
	    "an empty reply is refused");
	tap_ok(drc_table_put(t, &other, big, DRC_TABLE_REPLY_MAX) == 0,
	    "a reply of exactly %d bytes is kept", DRC_TABLE_REPLY_MAX);
	tap_ok(drc_table_count(t) == 2, "two entries");
	/* Replace: same key, another reply; still one entry. */
	big[0] = 9;
	tap_ok(drc_table_put(t, &other, big, 40) == 0 &&
	    drc_table_get(t, &other, &r, &len) == 0 && len == 40 &&
	    r[0] == 9 && drc_table_count(t) == 2,
	    "put of an existing key replaces its reply");
	tap_ok(drc_table_bytes(t) == 40 + reply_of(7, big),
	    "bytes follow replacement");
	drc_table_free(t);
	drc_table_free(NULL);
}

static void
test_lru(void)
{
	struct drc_table *t = drc_table_new(64);
	uint32_t i;
	int ok = 1;

	for (i = 1; i <= 64; i++)
		put(t, i);
	tap_ok(drc_table_count(t) == 64, "filled to the bound");
	/* Touch the oldest by putting it again: it becomes the newest. */
	put(t, 1);
	for (i = 65; i <= 70; i++)
		put(t, i);
	tap_ok(drc_table_count(t) == 64, "never over the bound");
	tap_ok(has(t, 1), "the entry put again survived");
	for (i = 2; i <= 7; i++)
		ok &= !has(t, i);
	tap_ok(ok, "the six oldest (2..7) were evicted");
	ok = 1;
	for (i = 8; i <= 70; i++)
		ok &= has(t, i);
	tap_ok(ok, "the rest (8..70) are there with their replies");
	for (i = 1000; i < 101000; i++)
		put(t, i);
	tap_ok(drc_table_count(t) == 64 && has(t, 100999) && !has(t, 100935),
	    "100,000 puts: still 64 entries, the newest 64");
	drc_table_resize(t, 10);
	tap_ok(drc_table_count(t) == 10 && has(t, 100999) &&
	    has(t, 100990) && !has(t, 100989), "resize to 10 keeps the newest");
	drc_table_resize(t, 0);
	tap_ok(drc_table_count(t) == 1 && drc_table_max(t) == 1,
	    "a bound of 0 means 1");
	drc_table_free(t);
}

static void
test_dump(void)
{
	struct drc_table *t = drc_table_new(5000);
	struct collect c;
	uint64_t next;
	size_t calls, i;
	uint32_t xid;
	int eof, ordered = 1;

	memset(&c, 0, sizeof(c));
	c.cap = 10000;
	c.xids = calloc(c.cap, sizeof(*c.xids));
	calls = dump_all(t, 512, 512 * 1024, &c);
	tap_ok(calls == 1 && c.n == 0 && c.bad == 0, "empty table: one call, "
	    "nothing, eof");
	for (xid = 1; xid <= 4000; xid++)
		put(t, xid);
	c.n = 0;
	calls = dump_all(t, 512, 512 * 1024, &c);
	for (i = 0; i < c.n; i++)
		ordered &= c.xids[i] == i + 1;
	tap_ok(c.n == 4000 && ordered && c.bad == 0,
	    "4000 entries dumped oldest first, replies intact");
	tap_ok(calls == 8, "in 8 chunks of at most 512 (got %zu)", calls);
	/* A byte bound smaller than one reply still makes progress. */
	c.n = 0;
	calls = dump_all(t, 512, 1, &c);
	tap_ok(c.n == 4000 && calls == 4000 && c.bad == 0,
	    "a byte bound below one reply: one entry per chunk");
	c.n = 0;
	calls = dump_all(t, 512, 10000, &c);
	tap_ok(c.n == 4000 && c.bad == 0 && calls > 4000 * 28 / 10000,
	    "a 10,000-byte bound: %zu chunks", calls);
	/* Changes between chunks: the dump resumes after its cursor. */
	c.n = 0;
	drc_table_dump(t, 0, 100, 1 << 20, collect_cb, &c, &next, &eof);
	tap_ok(c.n == 100 && c.xids[99] == 100 && !eof, "first chunk: 1..100");
	put(t, 100);		/* the cursor's entry moves to the end */
	drc_table_resize(t, 3701);	/* evicts 1..99 and 101..300 */
	drc_table_resize(t, 5000);
	c.n = 0;
	drc_table_dump(t, next, 100, 1 << 20, collect_cb, &c, &next, &eof);
	tap_ok(c.n == 100 && c.xids[0] == 301 && c.xids[99] == 400,
	    "after the cursor's entry moved and older ones went: 301..400 "
	    "(got %u..%u)", c.n ? c.xids[0] : 0, c.n ? c.xids[c.n - 1] : 0);
	c.n = 0;
	while (!eof)
		drc_table_dump(t, next, 512, 1 << 20, collect_cb, &c, &next,
		    &eof);
	tap_ok(c.n == 3601 && c.xids[c.n - 1] == 100 && c.bad == 0,
	    "the rest: 401..4000 then 100, which was put again");
	/* A cursor from nowhere (a confused or hostile peer). */
	c.n = 0;
	i = drc_table_dump(t, UINT64_MAX, 512, 1 << 20, collect_cb, &c, &next,
	    &eof);
	tap_ok(i == 0 && eof, "a cursor past the end: nothing, eof");
	free(c.xids);
	drc_table_free(t);
}

/* Decode raw bytes as an ST_DRC_PUT body, as stated does. */
static int
decodes(const uint8_t *p, size_t len)
{
	struct st_drc_put put;
	XDR x;
	int ok;

	memset(&put, 0, sizeof(put));
	xdrmem_create(&x, (char *)(uintptr_t)p, (u_int)len, XDR_DECODE);
	ok = xdr_st_drc_put(&x, &put);
	xdr_destroy(&x);
	xdr_free((xdrproc_t)xdr_st_drc_put, &put);
	return ok;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
test_wire(void)
{
	struct st_drc_dump_reply rep;
	st_drc_entry *v;
	static uint8_t reply[ST_DRC_REPLY_MAX], raw[64 + ST_DRC_REPLY_MAX + 4];
	unsigned long size;
	size_t i;

	tap_ok(ST_DRC_REPLY_MAX == DRC_TABLE_REPLY_MAX,
	    "stated_drc.x and drc.h agree on the largest reply");
	v = calloc(ST_DRC_BATCH_MAX, sizeof(*v));
	for (i = 0; i < ST_DRC_BATCH_MAX; i++) {
		v[i].reply.reply_len = ST_DRC_REPLY_MAX;
		v[i].reply.reply_val = (char *)reply;
	}
	memset(&rep, 0, sizeof(rep));
	rep.entries.entries_len = ST_DRC_BATCH_MAX;
	rep.entries.entries_val = v;
	size = xdr_sizeof((xdrproc_t)xdr_st_drc_dump_reply, &rep);
	tap_ok(size > 0 && size < IPC_BODY_MAX, "a full chunk (%d entries of "
	    "%d bytes) is %lu bytes, under the IPC body limit of %d",
	    ST_DRC_BATCH_MAX, ST_DRC_REPLY_MAX, size, IPC_BODY_MAX);
	free(v);
	/* One entry: count, addr[16], six words, reply length, reply. */
	memset(raw, 0, sizeof(raw));
	put_be32(raw, 1);
	put_be32(raw + 4 + 16 + 24, 28);
	tap_ok(decodes(raw, 4 + 16 + 24 + 4 + 28), "a well-formed PUT decodes");
	tap_ok(!decodes(raw, 4 + 16 + 24 + 4 + 20), "a truncated PUT does not");
	put_be32(raw + 4 + 16 + 24, ST_DRC_REPLY_MAX + 4);
	tap_ok(!decodes(raw, sizeof(raw)),
	    "a reply over ST_DRC_REPLY_MAX does not decode");
	put_be32(raw, ST_DRC_BATCH_MAX + 1);
	tap_ok(!decodes(raw, sizeof(raw)),
	    "a batch over ST_DRC_BATCH_MAX does not decode");
	put_be32(raw, 0xffffffffu);
	tap_ok(!decodes(raw, sizeof(raw)),
	    "a batch announcing 4 billion entries does not decode (or "
	    "allocate)");
}

int
main(void)
{
	test_basic();
	test_lru();
	test_dump();
	test_wire();
	return tap_done();
}
