#!/bin/sh
# cluster.sh start|stop|status PREFIX -- `make run-cluster` and the cluster
# tests on one machine: the stack of tests/stack.sh (its MariaDB as the
# primary, with a binary log; its nginx), REPLICAS replicas of that
# MariaDB (GTID replication over 127.0.0.1), and HOSTS backroomd hosts,
# each in a network namespace of its own (brc-appN, address 10.213.N.2,
# a veth pair to 10.213.N.1 in this namespace), behind the stack's nginx.
#
# With GALERA=1 the database is a 3-node Galera cluster instead (galera-4,
# PREFIX/galeraN, nodes run as the mysql user, each with its own ports on
# 127.0.0.1 from DB_PORT + 10 N: client, gcomm, IST, SST), host N uses
# node N, no replicas, and db_galera = yes.
#
# Environment: as tests/stack.sh (HTTPS_PORT, HTTP_PORT, DB_PORT, WORKERS,
# BACKROOMD, BACKROOMD_EXTRA, SEED), HOSTS (3), REPLICAS (2), HOST_CPU
# (a CPU share per host in percent, e.g. 40: cgroup v1 cpu quota; empty:
# none), UPSTREAM (the hosts nginx sends to, e.g. "1 2"; default all).
#
# Safety: the test subnet 10.213.0.0/16 gets an `unreachable` route here
# first, so a cut link never sends its packets out the default route;
# one /24 per veth pair; stop kills what runs in each namespace (by `ip
# netns pids`) before deleting it, then removes the links, the route (if
# start added it) and the cgroups.  Only loopback and these addresses are
# ever used.
set -eu
umask 022

cmd=${1:-}
[ $# -ge 2 ] || { echo "usage: $0 start|stop|status PREFIX" >&2; exit 2; }
[ "$1" != replica ] || [ $# -ge 3 ] ||
    { echo "usage: $0 replica PREFIX N" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case $cmd in
start) mkdir -p "$2" ;;
*) [ -d "$2" ] || { echo "cluster: $2: not started"; exit 0; } ;;
esac
P=$(cd "$2" && pwd)
export HTTPS_PORT=${HTTPS_PORT:-8643} HTTP_PORT=${HTTP_PORT:-8280}
export DB_PORT=${DB_PORT:-$((HTTPS_PORT + 1))}
HOSTS=${HOSTS:-3}
REPLICAS=${REPLICAS:-2}
HOST_CPU=${HOST_CPU:-}
BACKROOMD=${BACKROOMD:-build/backroomd}
case $BACKROOMD in /*) ;; *) BACKROOMD=$ROOT/$BACKROOMD ;; esac
export BACKROOMD
NET=10.213
SOCK=$P/mysqld.sock
CG=/sys/fs/cgroup/cpu/backroom-cluster

GALERA=${GALERA:-0}
[ "$GALERA" = 0 ] || REPLICAS=0

# PID in pid file $1 runs.
alive() {
	[ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

sql() {	# socket, statements
	mariadb -S "$1" -u root -N -B -e "$2"
}

net_up() {
	if ! ip route show type unreachable | grep -q "^unreachable $NET.0.0/16"
	then
		ip route add unreachable "$NET.0.0/16"
		touch "$P/.route"
	fi
	n=1
	while [ $n -le "$HOSTS" ]; do
		ns=brc-app$n
		if ! ip netns list | grep -qw "$ns"; then
			ip netns add "$ns"
			ip link add "brc-h$n" type veth peer name "brc-n$n"
			ip link set "brc-n$n" netns "$ns"
			ip addr add "$NET.$n.1/24" dev "brc-h$n"
			ip link set "brc-h$n" up
			ip netns exec "$ns" ip link set lo up
			ip netns exec "$ns" ip addr add "$NET.$n.2/24" \
			    dev "brc-n$n"
			ip netns exec "$ns" ip link set "brc-n$n" up
		fi
		n=$((n + 1))
	done
}

net_down() {
	for ns in $(ip netns list 2>/dev/null | awk '/^brc-app[0-9]+/ {
	    print $1 }'); do
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		[ -z "$pids" ] || kill -TERM $pids 2>/dev/null || true
		i=0
		while [ -n "$(ip netns pids "$ns" 2>/dev/null)" ] &&
		    [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
		ip netns del "$ns"
	done
	for l in $(ip -o link show 2>/dev/null | awk -F': ' '$2 ~ /^brc-h/ {
	    sub("@.*", "", $2); print $2 }'); do
		ip link del "$l" 2>/dev/null || true
	done
	if [ -e "$P/.route" ]; then
		ip route del unreachable "$NET.0.0/16" 2>/dev/null || true
		rm -f "$P/.route"
	fi
}

# Replica $1 of the stack's MariaDB, under PREFIX/replicaN, following it.
start_replica() {
	d=$P/replica$1
	rs=$d/r.sock
	alive "$d/r.pid" && return 0
	fresh=0
	if [ ! -d "$d/data/mysql" ]; then
		mkdir -p "$d/tmp"
		mariadb-install-db --no-defaults --user=root \
		    --datadir="$d/data" --tmpdir="$d/tmp" \
		    --auth-root-authentication-method=socket --skip-test-db \
		    > "$d/install.log" 2>&1 ||
		    { cat "$d/install.log" >&2; exit 1; }
		fresh=1
	fi
	chmod 755 "$d"
	setsid mariadbd --no-defaults --user=root --datadir="$d/data" \
	    --tmpdir="$d/tmp" --socket="$rs" --skip-networking \
	    --pid-file="$d/r.pid" --log-error="$d/r.err" \
	    --server-id=$((10 + $1)) --read-only=1 --skip-slave-start \
	    --relay-log="$d/data/relay" --innodb-buffer-pool-size=64M \
	    --innodb-flush-log-at-trx-commit=2 \
	    --character-set-server=utf8mb4 \
	    --collation-server=utf8mb4_unicode_ci </dev/null >/dev/null 2>&1 &
	i=0
	until sql "$rs" "SELECT 1" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 600 ] || { echo "cluster: replica $1 did not start; " \
		    "see $d/r.err" >&2; exit 1; }
		sleep 0.1
	done
	chmod 777 "$rs"
	if [ $fresh = 1 ]; then
		mariadb-dump -S "$SOCK" -u root --all-databases \
		    --single-transaction --gtid --master-data=2 > "$d/seed.sql"
		gtid=$(sed -n "s/.*gtid_slave_pos='\([0-9,-]*\)'.*/\1/p" \
		    "$d/seed.sql" | head -1)
		mariadb -S "$rs" -u root < "$d/seed.sql"
		rm -f "$d/seed.sql"
		sql "$rs" "FLUSH PRIVILEGES; SET GLOBAL gtid_slave_pos = '$gtid';
		    CHANGE MASTER TO MASTER_HOST = '127.0.0.1',
		    MASTER_PORT = $DB_PORT, MASTER_USER = 'repl',
		    MASTER_PASSWORD = '$(cat "$P/repl_password")',
		    MASTER_USE_GTID = slave_pos"
	fi
	sql "$rs" "START SLAVE"
}

# Galera node $1 (1 bootstraps the cluster when none of it runs).
start_node() {
	d=$P/galera$1
	base=$((DB_PORT + 10 * $1))
	alive "$d/mysqld.pid" && return 0
	addrs=""
	for i in 1 2 3; do
		addrs="$addrs${addrs:+,}127.0.0.1:$((DB_PORT + 10 * i + 1))"
	done
	boot=""
	if [ "$1" = 1 ] && ! alive "$P/galera2/mysqld.pid" &&
	    ! alive "$P/galera3/mysqld.pid"; then
		boot=--wsrep-new-cluster
		# A node that was not the last to stop refuses to bootstrap.
		[ ! -f "$d/data/grastate.dat" ] || sed -i \
		    's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' \
		    "$d/data/grastate.dat"
	fi
	mkdir -p "$d/data" "$d/tmp"
	chmod 755 "$d"
	chown -R mysql:mysql "$d"
	if [ "$1" = 1 ] && [ ! -d "$d/data/mysql" ]; then
		mariadb-install-db --no-defaults --user=mysql \
		    --datadir="$d/data" --tmpdir="$d/tmp" \
		    --auth-root-authentication-method=socket --skip-test-db \
		    > "$d/install.log" 2>&1 ||
		    { cat "$d/install.log" >&2; exit 1; }
	fi
	# shellcheck disable=SC2086
	setsid mariadbd --no-defaults --user=mysql --datadir="$d/data" \
	    --tmpdir="$d/tmp" --socket="$d/mysqld.sock" \
	    --pid-file="$d/mysqld.pid" --log-error="$d/mysqld.err" \
	    --bind-address=127.0.0.1 --port=$base --server-id=$((20 + $1)) \
	    --innodb-buffer-pool-size=128M --innodb-autoinc-lock-mode=2 \
	    --innodb-flush-log-at-trx-commit=2 --binlog-format=ROW \
	    --character-set-server=utf8mb4 \
	    --collation-server=utf8mb4_unicode_ci \
	    --wsrep-on=ON --wsrep-provider=/usr/lib/galera/libgalera_smm.so \
	    --wsrep-cluster-name=backroom --wsrep-cluster-address="gcomm://$addrs" \
	    --wsrep-node-name="node$1" \
	    --wsrep-node-address="127.0.0.1:$((base + 1))" \
	    --wsrep-node-incoming-address="127.0.0.1:$base" \
	    --wsrep-provider-options="base_port=$((base + 1));gmcast.listen_addr=tcp://127.0.0.1:$((base + 1));ist.recv_addr=127.0.0.1:$((base + 2))" \
	    --wsrep-sst-method=rsync \
	    --wsrep-sst-receive-address="127.0.0.1:$((base + 3))" \
	    $boot </dev/null >/dev/null 2>&1 &
	i=0
	until [ "$(sql "$d/mysqld.sock" "SELECT VARIABLE_VALUE FROM
	    information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME =
	    'WSREP_READY'" 2>/dev/null)" = ON ]; do
		i=$((i + 1))
		[ $i -lt 1200 ] || { echo "cluster: Galera node $1 did not " \
		    "join; see $d/mysqld.err" >&2; exit 1; }
		sleep 0.1
	done
}

# TERM to the process of pid file $1, and up to 60 s for it to go.
term_wait() {
	alive "$1" || return 0
	kill -TERM "$(cat "$1")"
	i=0
	while alive "$1" && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

stop_nodes() {
	for n in 3 2 1; do
		term_wait "$P/galera$n/mysqld.pid"
	done
}

# The config of host $1: the stack's, on its namespace's address.
host_conf() {
	reps=""
	r=1
	while [ $r -le "$REPLICAS" ]; do
		reps="$reps${reps:+, }$P/replica$r/r.sock"
		r=$((r + 1))
	done
	grep -Ev '^(listen|listen_mode|pid_file|log_file|host_name|housekeeping_interval|db_replicas|db_socket) *=' \
	    "$P/backroomd.conf"
	if [ "$GALERA" = 1 ]; then
		echo "db_socket = $P/galera$1/mysqld.sock"
		echo "db_galera = yes"
	else
		echo "db_socket = $SOCK"
	fi
	cat <<CONF
listen = $NET.$1.2:9000
fastcgi_allow = $NET.$1.1
host_name = app$1
pid_file = $P/app$1.pid
log_file = $P/app$1.log
db_replicas = $reps
CONF
	# One host runs the housekeeping.
	[ "$1" = 1 ] || echo "housekeeping_interval = 0"
}

start_host() {
	host_conf "$1" > "$P/app$1.conf.new"
	chmod 600 "$P/app$1.conf.new"
	mv "$P/app$1.conf.new" "$P/app$1.conf"
	if alive "$P/app$1.pid"; then
		kill -HUP "$(cat "$P/app$1.pid")"
		return 0
	fi
	rm -f "$P/app$1.pid"
	# The cgroup first (a shell that joins it, then execs), so that
	# every worker forked later is in it; before `ip netns exec`, which
	# remounts /sys in a mount namespace of its own.
	setsid sh -c '
	    [ -z "$3" ] || echo $$ > "$3/cgroup.procs" || exit 1
	    exec ip netns exec "$0" "$1" -c "$2"' "brc-app$1" "$BACKROOMD" \
	    "$P/app$1.conf" "$( [ -n "$HOST_CPU" ] && echo "$CG/app$1" )" \
	    </dev/null >>"$P/app$1.log" 2>&1 &
}

cgroups_up() {
	[ -n "$HOST_CPU" ] || return 0
	n=1
	while [ $n -le "$HOSTS" ]; do
		mkdir -p "$CG/app$n"
		echo 100000 > "$CG/app$n/cpu.cfs_period_us"
		echo $((HOST_CPU * 1000)) > "$CG/app$n/cpu.cfs_quota_us"
		n=$((n + 1))
	done
}

cgroups_down() {
	[ -d "$CG" ] || return 0
	for g in "$CG"/app*; do
		[ -d "$g" ] || continue
		while read -r pid; do
			echo "$pid" > /sys/fs/cgroup/cpu/cgroup.procs 2>/dev/null ||
			    true
		done < "$g/cgroup.procs"
		rmdir "$g" 2>/dev/null || true
	done
	rmdir "$CG" 2>/dev/null || true
}

# nginx's upstream: the namespaced hosts in UPSTREAM instead of the
# stack's own socket.
point_nginx() {
	servers=""
	for n in ${UPSTREAM:-$(seq 1 "$HOSTS")}; do
		servers="$servers\tserver $NET.$n.2:9000 max_fails=3 fail_timeout=10s;\n"
	done
	awk -v s="$servers" '
	/^\tserver (unix:.*backroomd.sock|10\.213\.)/ {
		if (!done) printf "%s", s
		done = 1
		next
	}
	{ print }' "$P/nginx/backroom.conf" > "$P/nginx/backroom.conf.new"
	mv "$P/nginx/backroom.conf.new" "$P/nginx/backroom.conf"
	if ! out=$(nginx -c "$P/nginx.conf" -p "$P/nginx/" -t -q 2>&1) ||
	    ! out=$(nginx -c "$P/nginx.conf" -p "$P/nginx/" -s reload 2>&1)
	then
		echo "$out" >&2
		exit 1
	fi
}

do_start() {
	if [ "$GALERA" = 1 ]; then
		[ "$HOSTS" -le 3 ] || { echo "cluster: GALERA=1 has 3 nodes," \
		    "for at most 3 hosts" >&2; exit 2; }
		for n in 1 2 3; do
			start_node $n
		done
		# Where the tools and tests look for the database.
		ln -sfn galera1/mysqld.sock "$P/mysqld.sock"
		export EXTERNAL_DB_SOCK=$P/galera1/mysqld.sock
		SOCK=$EXTERNAL_DB_SOCK
		unset DB_PORT
	fi
	sh "$ROOT/tests/stack.sh" start "$P" >/dev/null
	# Replication's user; the app's user may read replication status.
	[ "$GALERA" = 0 ] || REPLICAS=0
	[ "$GALERA" = 1 ] || [ -s "$P/repl_password" ] || (umask 077; od -An -tx1 -N12 \
	    /dev/urandom | tr -d ' \n' > "$P/repl_password")
	[ "$GALERA" = 1 ] || sql "$SOCK" "CREATE USER IF NOT EXISTS
	    'repl'@'127.0.0.1' IDENTIFIED BY '$(cat "$P/repl_password")';
	    GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';
	    GRANT SLAVE MONITOR ON *.* TO 'backroom'@'localhost'"
	r=1
	while [ $r -le "$REPLICAS" ]; do
		start_replica $r
		r=$((r + 1))
	done
	net_up
	cgroups_up
	n=1
	while [ $n -le "$HOSTS" ]; do
		start_host $n
		n=$((n + 1))
	done
	n=1
	while [ $n -le "$HOSTS" ]; do
		i=0
		until alive "$P/app$n.pid" && ip netns exec "brc-app$n" \
		    ss -Hltn "sport = :9000" | grep -q .; do
			i=$((i + 1))
			[ $i -lt 100 ] || { echo "cluster: host $n did not " \
			    "start; see $P/app$n.log" >&2; exit 1; }
			sleep 0.1
		done
		n=$((n + 1))
	done
	point_nginx
	# The stack's own backroomd is not in the upstream any more.
	[ ! -s "$P/backroomd.pid" ] || kill -TERM "$(cat "$P/backroomd.pid")" \
	    2>/dev/null || true
	i=0
	until [ "$(curl -sk -o /dev/null -w '%{http_code}' \
	    "https://127.0.0.1:$HTTPS_PORT/readyz")" = 200 ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "cluster: no answer through nginx" >&2
		    exit 1; }
		sleep 0.1
	done
	if [ "$GALERA" = 1 ]; then db="3 Galera nodes"
	else db="a primary and $REPLICAS replicas"; fi
	echo "cluster: up at https://127.0.0.1:$HTTPS_PORT/ ($HOSTS hosts" \
	    "brc-app1..$HOSTS at $NET.N.2:9000, $db)"
	[ ! -s "$P/admin_login" ] || cat "$P/admin_login"
}

do_stop() {
	net_down
	cgroups_down
	for f in "$P"/replica*/r.pid; do
		term_wait "$f"
	done
	sh "$ROOT/tests/stack.sh" stop "$P"
	stop_nodes
	# Whatever still names this prefix on its command line (a pid file
	# lost to a crash or an interrupted start): TERM, then KILL.
	for sig in TERM KILL; do
		pids=$(pgrep -f -- "$P/" | grep -vx "$$" || true)
		[ -n "$pids" ] || break
		kill -"$sig" $pids 2>/dev/null || true
		i=0
		while [ $i -lt 100 ] && pgrep -f -- "$P/" | grep -qvx "$$"; do
			sleep 0.1
			i=$((i + 1))
		done
	done
	echo "cluster: stopped ($P)"
}

do_status() {
	rc=0
	for n in $(seq 1 "$HOSTS"); do
		if alive "$P/app$n.pid"; then echo "app$n: running"
		else echo "app$n: stopped"; rc=3; fi
	done
	for f in "$P"/replica*/r.pid; do
		[ -e "$f" ] || continue
		if alive "$f"; then echo "$(dirname "$f"): running"
		else echo "$(dirname "$f"): stopped"; rc=3; fi
	done
	sh "$ROOT/tests/stack.sh" status "$P" || rc=3
	return $rc
}

case $cmd in
start) do_start ;;
stop) do_stop ;;
status) do_status ;;
point) point_nginx ;;		# UPSTREAM="1 2": nginx to those hosts
replica) start_replica "$3" ;;	# starts replica $3 again
*) echo "usage: $0 start|stop|status PREFIX" >&2; exit 2 ;;
esac
