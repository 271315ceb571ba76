# Workload: the standard figure set against two mounts in one boot, group
# by group, the two sides taking turns, so that both see the guest at the
# same speed (under TCG it drifts over minutes).  For each round r
# (1..E2E_PAIR_ROUNDS, default 1) and each group of standard.sh (seq+rand,
# small, tree, integrity), both sides run the group one after the other;
# which goes first alternates from group to group and from round to round.
# RESULT names are prefixed A<r>. (the first mount, $E2E_MNT0) or B<r>.
# (the second, $E2E_MNT1), then E2E_PREFIX.  Other knobs: standard.sh's.
set -u
standard=/e2e/workloads/standard.sh	# guest-run puts every workload there
[ -r "$standard" ] || { echo "paired: no $standard"; exit 1; }
a=${E2E_MNT0:?paired needs two mounts}
b=${E2E_MNT1:?paired needs two mounts}
rounds=${E2E_PAIR_ROUNDS:-1}
fail=0

side() {	# side LETTER MOUNT ROUND GROUPS
	E2E_MNT=$2 E2E_GROUPS=$4 E2E_PREFIX="$1$3.${E2E_PREFIX:-}" \
	    sh "$standard" || fail=1
}

r=1
while [ "$r" -le "$rounds" ]; do
	# Round r starts with A when r is odd, then the order alternates
	# from group to group.
	turn=$((r - 1))
	for g in "seq rand" small tree integrity; do
		if [ $((turn % 2)) -eq 0 ]; then
			side A "$a" "$r" "$g"
			side B "$b" "$r" "$g"
		else
			side B "$b" "$r" "$g"
			side A "$a" "$r" "$g"
		fi
		turn=$((turn + 1))
	done
	r=$((r + 1))
done
exit $fail
