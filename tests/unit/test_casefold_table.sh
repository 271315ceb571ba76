#!/bin/sh
# common/casefold_table.h is what tools/gen_casefold.pl makes of the
# Unicode data Perl carries, when that is the version the table names.
. "$top_srcdir/tests/tap.sh"

table="$top_srcdir/common/casefold_table.h"
have=$(sed -n 's/^#define CASEFOLD_UNICODE_VERSION "\(.*\)"$/\1/p' "$table")
perlv=$(perl -MUnicode::UCD -e 'print Unicode::UCD::UnicodeVersion()' 2>/dev/null)
if [ -z "$perlv" ]; then
	skip "no Perl with Unicode::UCD" "casefold table regenerated"
elif [ "$perlv" != "$have" ]; then
	skip "Perl's Unicode is $perlv, the table's $have" "casefold table regenerated"
else
	check "common/casefold_table.h is tools/gen_casefold.pl's output (Unicode $have)" \
	    sh -c "perl '$top_srcdir/tools/gen_casefold.pl' | cmp -s - '$table'"
fi
tap_done
