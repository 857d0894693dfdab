#!/bin/sh
# Runs every cmocka test binary given; shows the output of failing ones
# only; prints one summary line; exit 1 on any failure.
pass=0; fail=0
out=$(mktemp)
for t in "$@"; do
	if "$t" >"$out" 2>&1; then
		pass=$((pass + 1))
		echo "ok   $(basename "$t") ($(grep -o 'PASSED.*' "$out" | tr -d '[]'))"
	else
		fail=$((fail + 1))
		cat "$out"
		echo "FAIL $(basename "$t")"
	fi
done
rm -f "$out"
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
