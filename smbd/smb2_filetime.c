/*
 * smbd/smb2_filetime.c: FILETIME to and from the store's times
 * (smb2_filetime.h).
 */
#include <stdint.h>

#include "smb2_filetime.h"

/* 1970-01-01 as a FILETIME: 11644473600 s after 1601-01-01. */
#define SMB2_FILETIME_UNIX_EPOCH	116444736000000000LL
#define SMB2_FILETIME_PER_SEC		10000000LL

/* MS-DTYP 2.3.3 */
uint64_t
smb2_filetime(int64_t sec, uint32_t nsec)
{
	int64_t frac = (int64_t)(nsec / 100);

	if (sec < -(SMB2_FILETIME_UNIX_EPOCH / SMB2_FILETIME_PER_SEC))
		return 0;
	if (sec > (INT64_MAX - SMB2_FILETIME_UNIX_EPOCH - frac) /
	    SMB2_FILETIME_PER_SEC)
		return INT64_MAX;
	return (uint64_t)(SMB2_FILETIME_UNIX_EPOCH +
	    sec * SMB2_FILETIME_PER_SEC + frac);
}

void
smb2_filetime_split(uint64_t ft, int64_t *sec, uint32_t *nsec)
{
	int64_t v = (int64_t)(ft > INT64_MAX ? INT64_MAX : ft) -
	    SMB2_FILETIME_UNIX_EPOCH;
	int64_t rem = v % SMB2_FILETIME_PER_SEC;

	*sec = v / SMB2_FILETIME_PER_SEC - (rem < 0);
	*nsec = (uint32_t)(rem < 0 ? rem + SMB2_FILETIME_PER_SEC : rem) * 100;
}
