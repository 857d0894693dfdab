#!/bin/sh
# The `make test` driver: a fresh stack in var/test (never var/run), then
# the lint, unit, fuzz-smoke, integration, asan, faults, cluster and
# bench-smoke suites; always
# stops what it started; ends with "make test: N passed, M failed" (N, M count suites)
# and a non-zero exit on any failure.
set -u
cd "$(dirname "$0")/.." || exit 1
PREFIX=var/test
export HTTPS_PORT=9443 HTTP_PORT=9080 DB_PORT=9444 WORKERS=4 \
    BACKROOMD=build/backroomd
# The integration suite's directives (debug hooks, short timeouts).
BACKROOMD_EXTRA=$(cat tests/integration/backroomd-extra.conf)
export BACKROOMD_EXTRA
unset SEED ADMIN
passed=0; failed=0; failures=""

suite() {	# name command...
	name=$1; shift
	echo "=== $name"
	if "$@"; then passed=$((passed + 1))
	else failed=$((failed + 1)); failures="$failures $name"; fi
}

summary() {
	echo
	[ -z "$failures" ] || echo "failed suites:$failures"
	echo "make test: $passed passed, $failed failed"
}

has_tests() {
	ls tests/integration/test_*.py >/dev/null 2>&1
}

integration() {
	has_tests || { echo "no integration tests"; return 0; }
	if ! sh tests/stack.sh start "$PREFIX"; then
		echo "integration: the stack did not start"
		return 1
	fi
	BR_PREFIX=$PREFIX BR_HTTPS_PORT=$HTTPS_PORT BR_DB_PORT=$DB_PORT \
	    BR_BASE_URL=https://127.0.0.1:$HTTPS_PORT \
	    BR_HTTP_URL=http://127.0.0.1:$HTTP_PORT \
	    BR_CERT=$PREFIX/tls/cert.pem \
	    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration
}

# After the suites: the inventory invariants and the audit chain over
# everything they did.
invariants() {
	build/backroomd -c "$PREFIX/backroomd.conf" check &&
	    build/backroomd -c "$PREFIX/backroomd.conf" audit-verify
}

# Headless Chromium against the stack the integration suite left running.
browser() {
	BR_PREFIX=$PREFIX BR_BASE_URL=https://127.0.0.1:$HTTPS_PORT \
	    BR_CERT=$PREFIX/tls/cert.pem \
	    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/browser
}

[ -d "$PREFIX" ] && sh tests/stack.sh stop "$PREFIX" >/dev/null 2>&1
rm -rf "$PREFIX"
trap 'sh tests/stack.sh stop "$PREFIX" >/dev/null 2>&1' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "=== build"
if ! make -s all; then
	failed=1; failures=" build"
	summary
	exit 1
fi
[ -f tests/lint.sh ] && suite lint make -s lint
suite unit make -s unit
# Every libFuzzer target for a few seconds under ASan + UBSan: no crash.
suite fuzz-smoke make -s fuzz-smoke
suite integration integration
ls tests/browser/test_*.py >/dev/null 2>&1 && suite browser browser
suite invariants invariants
# The same suite against an ASan + UBSan build, on its own stack.
sh tests/stack.sh stop "$PREFIX" >/dev/null 2>&1
has_tests && suite asan make -s asan
# Fault injection (a -DBR_FAULTS build, tests/integration/test_faults.py)
# on its own stack: ~20 s.
has_tests && suite faults make -s faults
# Scale-out (tests/cluster.sh): 3 app hosts in network namespaces, a
# primary and 2 replicas, on their own stack: ~30 s.
suite cluster make -s test-cluster
suite cluster-galera make -s test-cluster GALERA=1
# Each benchmark workload for 2 seconds on its own stack: zero errors.
suite bench-smoke make -s bench-smoke
summary
[ "$failed" -eq 0 ]
