#!/bin/sh
# The `make test` driver: a fresh stack in var/test (never var/run), then
# lint, unit, integration and asan suites; always stops what it started; ends
# with "make test: N passed, M failed" (suites) and a non-zero exit on any
# failure.
set -u
cd "$(dirname "$0")/.."
PREFIX=var/test
export HTTPS_PORT=9443 HTTP_PORT=9080 WORKERS=4
export BACKROOMD_EXTRA="debug_routes = yes
request_timeout = 4
max_requests = 300
max_requests_jitter = 0
shutdown_timeout = 10"
passed=0; failed=0; failures=""

suite() {	# name command...
	name=$1; shift
	echo "=== $name"
	if "$@"; then passed=$((passed + 1))
	else failed=$((failed + 1)); failures="$failures $name"; fi
}

[ -d "$PREFIX" ] && sh tests/stack.sh stop "$PREFIX" >/dev/null 2>&1
rm -rf "$PREFIX"
trap 'sh tests/stack.sh stop "$PREFIX"' EXIT INT TERM

if ! make -s all; then
	echo "make test: 0 passed, 1 failed (build)"
	exit 1
fi
suite lint sh tests/lint.sh
suite unit make -s unit
if sh tests/stack.sh start "$PREFIX"; then
	export BR_PREFIX=$PREFIX BR_BASE_URL=https://127.0.0.1:$HTTPS_PORT \
	    BR_HTTP_URL=http://127.0.0.1:$HTTP_PORT \
	    BR_CERT=$PREFIX/tls/cert.pem
	suite integration /usr/bin/python3 -m pytest -q -p no:cacheprovider \
	    tests/integration
else
	failed=$((failed + 1)); failures="$failures stack"
fi
# The same suite against an ASan + UBSan build, on its own stack.
sh tests/stack.sh stop "$PREFIX" >/dev/null 2>&1
suite asan make -s asan
echo
[ -n "$failures" ] && echo "failed suites:$failures"
echo "make test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
