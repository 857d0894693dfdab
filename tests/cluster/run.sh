#!/bin/sh
# run.sh BUILD_DIR -- `make test-cluster`: the cluster of tests/cluster.sh
# (3 app hosts in network namespaces, a primary and 2 replicas, or with
# GALERA=1 3 Galera nodes) on var/cluster-test; against it the
# integration suite's files that speak only HTTP and SQL (INTEG below),
# then the tests of tests/cluster; the invariants and the audit chain
# after them; then everything is stopped and removed (also when a test
# fails), and a namespace, link, route or process left behind fails the
# run.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build}
PREFIX=${CLUSTER_PREFIX:-var/cluster-test}
export BACKROOMD=$BUILD/backroomd HTTPS_PORT=${CLUSTER_HTTPS_PORT:-9743} \
    HTTP_PORT=${CLUSTER_HTTP_PORT:-9380} WORKERS=3 HOSTS=3 REPLICAS=2
# As tests/integration/run.sh, whose tests run here too.
BACKROOMD_EXTRA=$(cat tests/integration/backroomd-extra.conf)
export BACKROOMD_EXTRA
# The integration files that use only HTTP through nginx and SQL; the
# others signal or read the logs of the stack's single backroomd.  Left
# out of these: the tests that change the config and SIGHUP that one
# backroomd (lockout and session timeouts), which a cluster of hosts
# would need changed on each.
I=tests/integration
INTEG="$I/test_account_forms_once.py $I/test_accounts.py $I/test_audit.py
    $I/test_audit_paging.py $I/test_conditional.py $I/test_fields.py
    $I/test_http.py $I/test_inventory_api.py $I/test_inventory_pages.py
    $I/test_login_race.py $I/test_openapi.py $I/test_permissions.py
    $I/test_rehash.py $I/test_search.py"
DESELECT=""
for t in test_accounts.py::test_lockout_after_max_failures_and_its_end_alike_for_unknown_emails \
    test_accounts.py::test_lockout_doubles_up_to_one_hour \
    test_accounts.py::test_too_many_failures_from_one_address_throttle_it \
    test_accounts.py::test_idle_session_expires \
    test_accounts.py::test_absolute_timeout_ends_a_session_in_use \
    test_accounts.py::test_a_reload_with_a_shorter_timeout_applies_to_existing_sessions \
    test_audit.py::test_address_throttle_is_recorded; do
	DESELECT="$DESELECT --deselect $I/$t"
done
export GALERA=${GALERA:-0}
unset SEED ADMIN HOST_CPU UPSTREAM
stop() {
	sh tests/cluster.sh stop "$PREFIX" >/dev/null 2>&1
}
[ -d "$PREFIX" ] && stop
rm -rf "$PREFIX"
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
sh tests/cluster.sh start "$PREFIX" || exit 1
export BR_PREFIX=$PREFIX BR_BASE_URL=https://127.0.0.1:$HTTPS_PORT \
    BR_HTTPS_PORT=$HTTPS_PORT BR_HTTP_URL=http://127.0.0.1:$HTTP_PORT \
    BR_CERT=$PREFIX/tls/cert.pem
# shellcheck disable=SC2086
/usr/bin/python3 -m pytest -q -p no:cacheprovider \
    ${PYTEST_ARGS:-$INTEG $DESELECT tests/cluster}
rc=$?
"$BUILD/backroomd" -c "$PREFIX/backroomd.conf" check || rc=1
"$BUILD/backroomd" -c "$PREFIX/backroomd.conf" audit-verify || rc=1
[ ! -s "$PREFIX/cluster.txt" ] || sed 's/^/cluster: /' "$PREFIX/cluster.txt"
stop
left=$(ip netns list | grep '^brc-'; ip -o link show | grep ': brc-';
    ip route show type unreachable | grep '^unreachable 10\.213\.';
    pgrep -af "$(pwd)/$PREFIX/" || true)
if [ -n "$left" ]; then
	echo "cluster: left behind after stop:"
	echo "$left"
	rc=1
fi
exit $rc
