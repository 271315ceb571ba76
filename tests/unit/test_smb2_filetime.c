/*
 * smbd/smb2_filetime.c: FILETIME and the store's (sec, nsec): 1970
 * itself, times before it (smbtorture's time_t -1, -2 and 1968) both
 * ways, nsec kept in [0, 1e9) there, 100 ns steps across 1970, 1601 (0)
 * and before it, the largest FILETIME and times past it (an NFSv4 client
 * may set them), FILETIMEs above INT64_MAX read as the largest.
 */
#include <stdint.h>

#include "smb2_filetime.h"
#include "tap.h"

#define EPOCH	116444736000000000ull	/* 1970-01-01 */

static int
split_is(uint64_t ft, int64_t want_sec, uint32_t want_nsec)
{
	int64_t sec;
	uint32_t nsec;

	smb2_filetime_split(ft, &sec, &nsec);
	if (sec == want_sec && nsec == want_nsec)
		return 1;
	tap_diag("  %llx: got %lld.%09u", (unsigned long long)ft,
	    (long long)sec, nsec);
	return 0;
}

static int
round_trips(uint64_t ft)
{
	int64_t sec;
	uint32_t nsec;

	smb2_filetime_split(ft, &sec, &nsec);
	return smb2_filetime(sec, nsec) == ft;
}

int
main(void)
{
	uint64_t ft;
	int ok;

	tap_ok(smb2_filetime(0, 0) == EPOCH && split_is(EPOCH, 0, 0),
	    "1970-01-01 is 116444736000000000, both ways");
	tap_ok(smb2_filetime(-1, 0) == EPOCH - 10000000 &&
	    split_is(EPOCH - 10000000, -1, 0),
	    "time_t -1: one second before, both ways");
	tap_ok(smb2_filetime(-2, 0) == EPOCH - 20000000 &&
	    split_is(EPOCH - 20000000, -2, 0), "time_t -2 too");
	tap_ok(smb2_filetime(-63158400, 0) == 115813152000000000ull &&
	    split_is(115813152000000000ull, -63158400, 0),
	    "1968-01-01 (time_t -63158400) too");
	tap_ok(split_is(EPOCH - 1, -1, 999999900) &&
	    smb2_filetime(-1, 999999900) == EPOCH - 1,
	    "100 ns before 1970: sec -1, nsec 999999900 (a floor division)");
	tap_ok(smb2_filetime(1, 500) == EPOCH + 10000005,
	    "nsec in 100 ns units, the rest dropped");
	ok = 1;
	for (ft = EPOCH - 50; ft <= EPOCH + 50; ft++)
		ok &= round_trips(ft);
	tap_ok(ok, "every 100 ns step across 1970 round-trips");
	tap_ok(smb2_filetime(-11644473600LL, 0) == 0 && split_is(0,
	    -11644473600LL, 0), "1601-01-01 is 0, both ways");
	tap_ok(smb2_filetime(-11644473601LL, 0) == 0 &&
	    smb2_filetime(INT64_MIN, 0) == 0, "before 1601: 0");
	tap_ok(round_trips(INT64_MAX) && round_trips(INT64_MAX - 255),
	    "the largest FILETIME and one just below round-trip");
	tap_ok(smb2_filetime(910692730086LL, 0) == INT64_MAX &&
	    smb2_filetime(INT64_MAX, 999999999) == INT64_MAX,
	    "past the largest FILETIME (year 30828): the largest");
	tap_ok(split_is(0x8000000000000000ull, 910692730085LL, 477580700) &&
	    split_is(UINT64_MAX, 910692730085LL, 477580700),
	    "a FILETIME above INT64_MAX reads as the largest");
	return tap_done();
}
