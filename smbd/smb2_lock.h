/*
 * smbd/smb2_lock.h: SMB2 LOCK on the wire (MS-SMB2 2.2.26, 3.3.5.14),
 * the share-mode bits of a CREATE (2.2.13) as stated's share table
 * takes them, and the byte-range locks smbd holds for its opens, with
 * Windows' rules for I/O against them (MS-FSA 2.1.4.10) and for
 * zero-length locks, which stated's table cannot hold (its length 0
 * means "to the end of the file").  Pure: no I/O, no events, so
 * tests/unit/test_smb2_lock.c and the fuzz target drive it directly.
 */
#ifndef DITTOFS_SMBD_SMB2_LOCK_H
#define DITTOFS_SMBD_SMB2_LOCK_H

#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

#define SMB2_LOCKFLAG_SHARED		0x01u
#define SMB2_LOCKFLAG_EXCLUSIVE		0x02u
#define SMB2_LOCKFLAG_UNLOCK		0x04u
#define SMB2_LOCKFLAG_FAIL_IMMEDIATELY	0x10u

#define SMB2_LOCK_ELEMENT_SIZE		24

/* A LOCK request, checked: elements inside the message. */
struct smb2_lock_req {
	uint16_t	 count;
	uint32_t	 sequence;
	const uint8_t	*file_id;	/* 16 bytes */
	const uint8_t	*elements;	/* count * 24 bytes */
	int		 unlock;	/* the first element is an UNLOCK */
	int		 blocking;	/* one element, may wait */
	/*
	 * An unlock request runs its elements up to the first one that is
	 * not an UNLOCK, then answers INVALID_PARAMETER (Windows and
	 * smbtorture's smb2.lock.multiple-unlock): valid is how many run,
	 * after the status then (0: SUCCESS).
	 */
	uint16_t	 valid;
	uint32_t	 after;
};

struct smb2_lock_element {
	uint64_t	 offset;
	uint64_t	 length;
	uint32_t	 flags;
};

/*
 * Decode and check a LOCK (3.3.5.14): 0, or the NTSTATUS to answer:
 * INVALID_PARAMETER for a bad size, no element, a lock request with an
 * element that is no valid lock (flags, an UNLOCK among them, a
 * blocking one among several); INVALID_LOCK_RANGE for a range whose
 * last byte lies past 2^64 - 1.  An unlock request is checked up to its
 * first bad element (valid, after).
 */
uint32_t smb2_lock_decode(const uint8_t *msg, size_t msglen,
	    struct smb2_lock_req *);
void	 smb2_lock_element_get(const struct smb2_lock_req *, uint16_t,
	    struct smb2_lock_element *);
/* 1 when the range's last byte is at most 2^64 - 1 (length 0 always). */
int	 smb2_lock_range_ok(uint64_t offset, uint64_t length);

/*
 * MS-SMB2 2.2.26, 3.3.5.14: LockSequence is a 4-bit LockSequenceNumber
 * under a 28-bit LockSequenceIndex; an open that checks them
 * (Open.LockSequenceArray: resilient, durable on 3.x) keeps the last
 * number of each bucket 1 to 64 whose LOCK succeeded.  A LOCK whose
 * number is the one its bucket holds is a replay: answered
 * STATUS_SUCCESS, not run again.  Index 0 and those past 64 are not
 * checked (what Windows and smbtorture's smb2.lock.replay_* expect).
 */
#define SMB2_LOCK_SEQUENCE_BUCKETS	64
struct smb2_lock_sequence {
	uint64_t	 valid;		/* bit i: bucket i + 1 holds a number */
	uint8_t		 number[SMB2_LOCK_SEQUENCE_BUCKETS];
};
/* The bucket of a LockSequence, 1 to 64, or 0: not checked. */
unsigned int smb2_lock_sequence_bucket(uint32_t sequence);
/* 1 when the LOCK is a replay of the bucket's last successful one. */
int	 smb2_lock_sequence_replay(const struct smb2_lock_sequence *,
	    uint32_t sequence);
/* Before the LOCK runs: its bucket holds nothing (3.3.5.14). */
void	 smb2_lock_sequence_forget(struct smb2_lock_sequence *,
	    uint32_t sequence);
/* It succeeded: its bucket holds its number. */
void	 smb2_lock_sequence_record(struct smb2_lock_sequence *,
	    uint32_t sequence);

/*
 * CREATE's DesiredAccess and ShareAccess as stated's share bits
 * (ST_SHARE_READ 1, WRITE 2, DELETE 4): the access that takes part in
 * sharing (data read or execute, data write or append, delete; generic
 * and MAXIMUM_ALLOWED rights as all they may stand for), and what the
 * open denies others.  An open whose access is 0 (attributes, security
 * only) neither checks nor imposes a share mode.
 */
unsigned int smb2_share_access(uint32_t desired);
unsigned int smb2_share_deny(uint32_t share_access);

/*
 * A byte-range lock held through smbd, its owner an open: (session id,
 * FileId).  Kept per file so that READ and WRITE of any open of that
 * file check them without a round trip.
 */
struct smb2_brl {
	uint64_t		 offset;
	uint64_t		 length;
	uint64_t		 session_id;
	uint64_t		 file_id;
	int			 exclusive;
	uint64_t		 cookie;	/* the blocking request's, or 0 */
	TAILQ_ENTRY(smb2_brl)	 entry;
};
TAILQ_HEAD(smb2_brl_list, smb2_brl);

/*
 * Windows' overlap: ranges that share a byte; a zero-length range at x
 * overlaps a range that holds x and starts before it (Samba's rule,
 * which smbtorture's smb2.lock.zerobytelength expects).
 */
int	 smb2_brl_overlap(uint64_t, uint64_t, uint64_t, uint64_t);
/*
 * A new lock against the list: 1 on a conflict (Windows: an exclusive
 * request conflicts with every overlapping lock, its owner's own too;
 * a shared one with other owners' exclusive locks).  zero_only: look
 * at zero-length locks alone (stated checks the others).
 */
int	 smb2_brl_lock_conflict(const struct smb2_brl_list *, uint64_t sid,
	    uint64_t fid, uint64_t offset, uint64_t length, int exclusive,
	    int zero_only);
/*
 * I/O against the list (MS-FSA 2.1.4.10): a READ conflicts with another
 * owner's exclusive lock, a WRITE with another owner's lock and with
 * the owner's own shared lock.  An empty range never conflicts.
 */
int	 smb2_brl_io_conflict(const struct smb2_brl_list *, uint64_t sid,
	    uint64_t fid, uint64_t offset, uint64_t length, int write);
/* The owner's lock of exactly this range, an exclusive one first. */
struct smb2_brl *smb2_brl_find(struct smb2_brl_list *, uint64_t sid,
	    uint64_t fid, uint64_t offset, uint64_t length);

#endif
