#!/bin/sh
# Runs every libFuzzer target in BUILD/fuzz for SECONDS each, one at a
# time and under nice (the machine is shared), from the committed seeds
# in tests/fuzz/corpus/<name> and the dictionary tests/fuzz/<name>.dict
# if there is one.  New inputs go to BUILD/fuzz-corpus/<name>, kept across
# `make fuzz` runs; with --smoke to a scratch directory removed after.
# Prints one table line per target (execs, exec/s, cov and ft from
# libFuzzer's final stats) and exits 1 if any target crashed, leaking or
# breaking an invariant; the input is left in BUILD/fuzz-artifacts/.
#
# usage: run.sh BUILD SECONDS [--smoke]; FUZZ_TARGETS="json cookie" runs
# only those.
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${1:?usage: run.sh BUILD SECONDS [--smoke]}
secs=${2:-300}
smoke=${3:-}
art=$build/fuzz-artifacts
mkdir -p "$art"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail=0
table=$scratch/table
printf '%-16s %6s %12s %9s %6s %7s  %s\n' target seconds execs exec/s cov \
    ft result >"$table"
for bin in "$build"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	case " ${FUZZ_TARGETS:-$name} " in *" $name "*) ;; *) continue ;; esac
	seeds=tests/fuzz/corpus/$name
	if [ -n "$smoke" ]; then work=$scratch/corpus-$name
	else work=$build/fuzz-corpus/$name; fi
	mkdir -p "$work"
	dict=
	[ -f "tests/fuzz/$name.dict" ] && dict=-dict=tests/fuzz/$name.dict
	log=$build/fuzz-$name.log
	echo "fuzz: $name for ${secs}s"
	if nice -n 10 "$bin" -max_total_time="$secs" -print_final_stats=1 \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art/$name-" \
	    $dict "$work" "$seeds" >"$log" 2>&1; then
		result=ok
	else
		result=CRASH
		fail=1
		grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz:|.*runtime error)' \
		    "$log" | head -5
		grep -E 'Test unit written to' "$log"
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	printf '%-16s %6s %12s %9s %6s %7s  %s\n' "$name" "$secs" \
	    "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$result" \
	    >>"$table"
done
echo
cat "$table"
if [ $fail -eq 0 ]; then echo "fuzz: no crash"
else echo "fuzz: CRASHED (inputs in $art, logs in $build/fuzz-*.log)"; fi
exit $fail
