/*
 * stated's copy of the NFS duplicate request cache (nfsd/drc.c): the
 * completed replies of non-idempotent requests, kept here so that they
 * outlive a restart of nfsd (DESIGN.md section 1).  A pure data
 * structure: a hash on the key and one LRU list, bounded in entries and
 * in reply size; it parses nothing (stated.c decodes and checks).
 *
 * Every insertion or replacement takes the next sequence number and goes
 * to the tail, so sequence numbers grow from the head (oldest) to the
 * tail: a dump walks from the head and resumes after the last sequence
 * number it returned, whatever was evicted or replaced meanwhile.
 */
#ifndef DITTOFS_STATED_DRC_H
#define DITTOFS_STATED_DRC_H

#include <stddef.h>
#include <stdint.h>

#define DRC_TABLE_ADDR_SIZE	16
/* As ST_DRC_REPLY_MAX: an NFSv3 reply of these procedures is ~300 bytes. */
#define DRC_TABLE_REPLY_MAX	1024

struct drc_table_key {
	uint8_t		addr[DRC_TABLE_ADDR_SIZE];
	uint32_t	port;
	uint32_t	xid;
	uint32_t	prog;
	uint32_t	vers;
	uint32_t	proc;
	uint32_t	args_sum;
};

struct drc_table;

/* Called per entry by drc_table_dump; reply is valid during the call. */
typedef void	 drc_table_dump_fn(void *arg, const struct drc_table_key *,
		    const uint8_t *reply, size_t len);

struct drc_table *drc_table_new(size_t max_entries);
void		 drc_table_free(struct drc_table *);
/* Evict the oldest entries down to a new bound. */
void		 drc_table_resize(struct drc_table *, size_t max_entries);
/*
 * Insert or replace (the entry becomes the newest).  0, or -1 with
 * errno EINVAL (an empty reply or one over DRC_TABLE_REPLY_MAX) or
 * ENOMEM (the table is unchanged but for evictions).
 */
int		 drc_table_put(struct drc_table *, const struct drc_table_key *,
		    const uint8_t *reply, size_t len);
/* 0 and the reply (valid until the next change), or -1 if absent. */
int		 drc_table_get(const struct drc_table *,
		    const struct drc_table_key *, const uint8_t **reply,
		    size_t *len);
/*
 * Up to max_entries entries, and no more reply bytes than max_bytes
 * (one entry at least, if any is left), oldest first, after those up
 * to cursor (0: from the start).  Returns the number given to fn; sets
 * *next to the cursor for the following call and *eof when none is
 * left after them.
 */
size_t		 drc_table_dump(struct drc_table *, uint64_t cursor,
		    size_t max_entries, size_t max_bytes, drc_table_dump_fn *,
		    void *arg, uint64_t *next, int *eof);
size_t		 drc_table_count(const struct drc_table *);
size_t		 drc_table_bytes(const struct drc_table *);
size_t		 drc_table_max(const struct drc_table *);

#endif
