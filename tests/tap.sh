# Sourced by shell tests: TAP output helpers.
tap_n=0
tap_fail=0
ok() { tap_n=$((tap_n+1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n+1)); tap_fail=$((tap_fail+1)); echo "not ok $tap_n - $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else not_ok "$desc"; fi; }
skip() { tap_n=$((tap_n+1)); echo "ok $tap_n - $2 # SKIP $1"; }
diag() { echo "# $*"; }
# expect DESC WANT CMD...: ok when the command's output contains WANT.
expect() {
	local desc=$1 want=$2 out
	shift 2
	out=$("$@")
	if echo "$out" | grep -q -- "$want"; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "wanted '$want', got: $out"
	fi
}
tap_done() { echo "1..$tap_n"; [ "$tap_fail" -eq 0 ]; }
