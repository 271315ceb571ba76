/*
 * Fuzz target: NSM (XNFS chapter 11).  The first byte picks an SM
 * procedure; its arguments go through the XDR routine statd's dispatch
 * uses for it (statd/statd.c), and a decoded name must be within
 * SM_MAXSTRLEN.  The same bytes then go through statd's state file
 * readers (statd/monitor.c): a slot's header and checksum, and the
 * text of the monitor list, whose entries must all be valid.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "monitor.h"
#include "sm_prot.h"

/* statd_dispatch's table: SM procedure -> its argument's XDR routine. */
static xdrproc_t
fuzz_nsm_args(uint32_t proc)
{
	switch (proc) {
	case SM_PROC_STAT:
		return (xdrproc_t)xdr_sm_name;
	case SM_PROC_MON:
		return (xdrproc_t)xdr_mon;
	case SM_PROC_UNMON:
		return (xdrproc_t)xdr_mon_id;
	case SM_PROC_UNMON_ALL:
		return (xdrproc_t)xdr_my_id;
	case SM_PROC_NOTIFY:
		return (xdrproc_t)xdr_stat_chge;
	default:
		/* lockd's callback from statd (sm_status), and replies. */
		return proc == 7 ? (xdrproc_t)xdr_sm_status :
		    (xdrproc_t)xdr_sm_stat_res;
	}
}

static void
fuzz_nsm_name(const char *s)
{
	if (s != NULL && strlen(s) > SM_MAXSTRLEN)
		__builtin_trap();
}

int
fuzz_nsm_one(const uint8_t *data, size_t size)
{
	union {
		struct sm_name		name;
		struct mon		mon;
		struct mon_id		mon_id;
		struct my_id		my_id;
		struct stat_chge	chge;
		struct sm_status	status;
		struct sm_stat_res	res;
	} a;
	struct monitor m;
	const char *text;
	size_t textlen, i;
	xdrproc_t proc;
	uint32_t p;
	XDR xdrs;

	if (size < 1)
		return 0;
	p = data[0] % 9;
	proc = fuzz_nsm_args(p);
	memset(&a, 0, sizeof(a));
	xdrmem_create(&xdrs, (char *)data + 1, (u_int)(size - 1), XDR_DECODE);
	if (proc(&xdrs, &a)) {
		switch (p) {
		case SM_PROC_STAT:
			fuzz_nsm_name(a.name.mon_name);
			break;
		case SM_PROC_MON:
			fuzz_nsm_name(a.mon.mon_id.mon_name);
			fuzz_nsm_name(a.mon.mon_id.my_id.my_name);
			break;
		case SM_PROC_UNMON:
			fuzz_nsm_name(a.mon_id.mon_name);
			fuzz_nsm_name(a.mon_id.my_id.my_name);
			break;
		case SM_PROC_UNMON_ALL:
			fuzz_nsm_name(a.my_id.my_name);
			break;
		case SM_PROC_NOTIFY:
			fuzz_nsm_name(a.chge.mon_name);
			break;
		case 7:
			fuzz_nsm_name(a.status.mon_name);
			break;
		}
	}
	xdr_destroy(&xdrs);
	xdr_free(proc, (char *)&a);

	/* statd's state: a slot, then the text it holds. */
	if (monitor_slot_check(data, size, &text, &textlen) != 0 &&
	    (text < (const char *)data || textlen > size ||
	    text + textlen > (const char *)data + size))
		__builtin_trap();
	memset(&m, 0, sizeof(m));
	if (monitor_parse(&m, (const char *)data, size) == 0) {
		if (m.n > MONITOR_MAX)
			__builtin_trap();
		for (i = 0; i < m.n; i++)
			if (!monitor_name_valid(m.v[i].mon_name) ||
			    !monitor_name_valid(m.v[i].my_name))
				__builtin_trap();
	}
	monitor_clear(&m);
	return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_nsm_one(data, size);
}
#endif
