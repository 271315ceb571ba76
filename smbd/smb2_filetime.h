/*
 * smbd/smb2_filetime.h: FILETIME (MS-DTYP 2.3.3), the times of SMB2's
 * CREATE, CLOSE, QUERY_INFO and SET_INFO: 100 ns units since 1601-01-01
 * UTC, a signed 64-bit count.  The store keeps (seconds since 1970, signed;
 * nanoseconds).  Times before 1970 are as representable as later ones; a
 * time before 1601 is answered as 0 and one past the largest FILETIME
 * (year 30828: NFSv4 can set later ones) as the largest.  Pure, so
 * tests/unit/test_smb2_filetime.c drives it directly.
 */
#ifndef DITTOFS_SMBD_SMB2_FILETIME_H
#define DITTOFS_SMBD_SMB2_FILETIME_H

#include <stdint.h>

/* The FILETIME of sec.nsec after 1970 (nsec below 1e9). */
uint64_t	 smb2_filetime(int64_t sec, uint32_t nsec);
/*
 * The store's time of a FILETIME: *nsec in [0, 1e9) before 1970 too (a
 * floor division); one above the largest counts as the largest.
 */
void		 smb2_filetime_split(uint64_t ft, int64_t *sec, uint32_t *nsec);

#endif
