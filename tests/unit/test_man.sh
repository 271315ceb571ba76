#!/bin/sh
# Every manual page passes "mandoc -Tlint", and every page it refers to
# with .Xr that is one of ours exists.
#
# mandoc looks for referenced pages only among the installed ones (its
# search path cannot be changed for -Tlint), so "referenced manual not
# found" and "outdated mandoc.db" say something about this host, not
# about the page: they are left out, and references to DittoFS pages are
# checked against man/ instead.
. "$top_srcdir/tests/tap.sh"

pages=$(ls "$top_srcdir"/man/*.[1-9] 2>/dev/null)
if [ -z "$pages" ]; then
	not_ok "no manual pages in $top_srcdir/man"
	tap_done
	exit
fi

for page in $pages; do
	name=$(basename "$page")
	if ! command -v mandoc >/dev/null 2>&1; then
		skip "mandoc not installed" "$name: mandoc -Tlint"
		continue
	fi
	out=$(mandoc -Tlint "$page" 2>&1 |
	    grep -v -e 'STYLE: referenced manual not found' \
	    -e 'outdated mandoc.db')
	missing=
	for ref in $(grep -o 'Xr dittofs[^ ]* [1-9]' "$page" |
	    sed 's/^Xr \([^ ]*\) \(.\)$/\1.\2/' | sort -u); do
		[ -f "$top_srcdir/man/$ref" ] || missing="$missing $ref"
	done
	if [ -z "$out" ] && [ -z "$missing" ]; then
		ok "$name: mandoc -Tlint"
	else
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
		[ -n "$missing" ] && diag "refers to missing pages:$missing"
		not_ok "$name: mandoc -Tlint"
	fi
done
tap_done
