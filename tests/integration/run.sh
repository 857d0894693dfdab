#!/bin/sh
# run.sh BUILD_DIR -- `make integration` / `make asan`: the pytest suite
# against BUILD_DIR/backroomd on a private stack (var/integ, or var/asan
# with ASAN=1), stopped afterwards; with ASAN=1 also fails on any
# sanitizer report in the backroomd log.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build}
if [ "${ASAN:-0}" = 1 ]; then PREFIX=var/asan; else PREFIX=var/integ; fi
# INTEG_PREFIX, INTEG_HTTPS_PORT, INTEG_HTTP_PORT: a second stack beside
# the first (parallel work trees).
PREFIX=${INTEG_PREFIX:-$PREFIX}
export BACKROOMD=$BUILD/backroomd HTTPS_PORT=${INTEG_HTTPS_PORT:-9643} \
    HTTP_PORT=${INTEG_HTTP_PORT:-9280} WORKERS=4 \
    DB_PORT=${INTEG_DB_PORT:-$((${INTEG_HTTPS_PORT:-9643} + 1))}
# Reports go to stderr, which is the backroomd log.  No leak checks: the
# suite kills workers on purpose.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=1:log_path=stderr"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=stderr"
BACKROOMD_EXTRA=$(cat tests/integration/backroomd-extra.conf)
export BACKROOMD_EXTRA
unset SEED ADMIN
[ -d "$PREFIX" ] && sh tests/stack.sh stop "$PREFIX" >/dev/null 2>&1
rm -rf "$PREFIX"
trap 'sh tests/stack.sh stop "$PREFIX"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
sh tests/stack.sh start "$PREFIX" || exit 1
export BR_PREFIX=$PREFIX BR_HTTPS_PORT=$HTTPS_PORT BR_DB_PORT=$DB_PORT \
    BR_BASE_URL=https://127.0.0.1:$HTTPS_PORT \
    BR_HTTP_URL=http://127.0.0.1:$HTTP_PORT BR_CERT=$PREFIX/tls/cert.pem
# PYTEST_ARGS: a subset while developing (default: the whole suite).
/usr/bin/python3 -m pytest -q -p no:cacheprovider ${PYTEST_ARGS:-tests/integration}
rc=$?
# The invariants and the audit chain after everything the suite did.
"$BUILD/backroomd" -c "$PREFIX/backroomd.conf" check || rc=1
"$BUILD/backroomd" -c "$PREFIX/backroomd.conf" audit-verify || rc=1
if [ "${ASAN:-0}" = 1 ] && grep -nE "ERROR: AddressSanitizer|runtime error:" \
    "$PREFIX/backroomd.log"; then
	echo "asan: sanitizer reports in $PREFIX/backroomd.log"
	rc=1
fi
exit $rc
