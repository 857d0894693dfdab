#!/bin/sh
# run.sh BUILD_DIR -- `make test-cluster`: the cluster of tests/cluster.sh
# (3 app hosts in network namespaces, a primary and 2 replicas) on
# var/cluster-test, the tests of tests/cluster against it, the invariants
# and the audit chain after them; then everything is stopped and removed
# (also when a test fails), and a namespace, link or route left behind
# fails the run.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build}
PREFIX=${CLUSTER_PREFIX:-var/cluster-test}
export BACKROOMD=$BUILD/backroomd HTTPS_PORT=${CLUSTER_HTTPS_PORT:-9743} \
    HTTP_PORT=${CLUSTER_HTTP_PORT:-9380} WORKERS=3 HOSTS=3 REPLICAS=2
export BACKROOMD_EXTRA="request_timeout = 10
login_addr_max_failures = 40"
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
    BR_CERT=$PREFIX/tls/cert.pem
/usr/bin/python3 -m pytest -q -p no:cacheprovider ${PYTEST_ARGS:-tests/cluster}
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
