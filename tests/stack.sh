#!/bin/sh
# stack.sh start|stop|status PREFIX -- the private MariaDB, backroomd and
# nginx of `make run` (PREFIX var/run) and the test suites (var/test ...).
#
# Environment: HTTPS_PORT, HTTP_PORT (default 8443/8080), WORKERS (4),
# BACKROOMD (binary, default build/backroomd), BACKROOMD_EXTRA (directives
# appended to the generated config), SEED=1 (load sql/seed/*.sql once and
# create an admin account once; ADMIN=0/1 overrides the latter,
# ADMIN_EMAIL its address), DB_PORT (MariaDB also listens on
# 127.0.0.1:DB_PORT and keeps a binary log with GTIDs, as a primary that
# replicas can follow; unset: socket only, no binary log),
# EXTERNAL_DB_SOCK (use the MariaDB on this socket, started by someone
# else -- tests/cluster.sh's Galera nodes -- instead of starting one).
# `start` is idempotent: what already runs is left alone (a changed config
# is reloaded, a rebuilt binary restarted), data is kept.  Everything
# listens on loopback or unix sockets; stop goes by pid file, and only
# signals a process whose command line names this PREFIX.
set -eu
umask 022

cmd=${1:-}
[ $# -ge 2 ] || { echo "usage: $0 start|stop|status PREFIX" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case $cmd in
start) mkdir -p "$2" ;;
*) [ -d "$2" ] || { echo "stack: $2: not started"; exit 0; } ;;
esac
P=$(cd "$2" && pwd)
HTTPS_PORT=${HTTPS_PORT:-8443}
HTTP_PORT=${HTTP_PORT:-8080}
WORKERS=${WORKERS:-4}
BACKROOMD=${BACKROOMD:-build/backroomd}
case $BACKROOMD in /*) ;; *) BACKROOMD=$ROOT/$BACKROOMD ;; esac
SEED=${SEED:-0}
ADMIN=${ADMIN:-$SEED}
ADMIN_EMAIL=${ADMIN_EMAIL:-admin@example.com}
SOCK=${EXTERNAL_DB_SOCK:-$P/mysqld.sock}
DB_PORT=${DB_PORT:-}

# running PID: the process exists and is not a zombie.
running() {
	kill -0 "$1" 2>/dev/null || return 1
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || true
	[ "$st" != Z ]
}

# alive PIDFILE: it names a running process that is ours: its command line
# mentions this prefix, or it is older than the pid file (after a reboot a
# stale pid file may name any process, which must be neither trusted nor
# signalled).
alive() {
	[ -s "$1" ] || return 1
	apid=$(cat "$1" 2>/dev/null) || return 1
	case $apid in '' | *[!0-9]*) return 1 ;; esac
	running "$apid" || return 1
	[ -r "/proc/$apid/stat" ] || return 0
	tr '\0' ' ' < "/proc/$apid/cmdline" 2>/dev/null | grep -qF "$P/" &&
	    return 0
	ticks=$(sed 's/.*) //' "/proc/$apid/stat" | cut -d' ' -f20)
	btime=$(sed -n 's/^btime //p' /proc/stat)
	started=$((btime + ticks / $(getconf CLK_TCK)))
	[ "$started" -le $(($(stat -c %Y "$1") + 1)) ]
}

# Waits up to $2 tenths of a second for command $1 to succeed.
wait_for() {
	i=0
	while ! sh -c "$1" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt "$2" ] || return 1
		sleep 0.1
	done
}

stop_pid() {	# pidfile signal tenths name
	if ! alive "$1"; then
		rm -f "$1"
		return 0
	fi
	pid=$(cat "$1")
	kill -"$2" "$pid" 2>/dev/null || true
	i=0
	while running "$pid"; do
		i=$((i + 1))
		if [ $i -ge "$3" ]; then
			echo "stack: $4 ($pid) did not stop in time, killing" >&2
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.2
			break
		fi
		sleep 0.1
	done
	rm -f "$1"
}

# The unprivileged users: nginx's workers run as www-data, backroomd's
# workers as backroom (made here when missing) -- when they can reach the
# checkout and the prefix, else root (a checkout under a private home
# directory).
pick_user() {
	# Their own system user `backroom` (group www-data, so nginx reaches
	# the socket and the checkout stays readable): not nginx's www-data,
	# whose compromise must not reach the workers, nor theirs nginx.
	RUNGROUP=www-data
	if [ "$(id -u)" = 0 ] && id www-data >/dev/null 2>&1 &&
	    ! id backroom >/dev/null 2>&1; then
		useradd --system --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin --gid www-data backroom ||
		    echo "stack: cannot create the user backroom" >&2
	fi
	for u in backroom www-data; do
		if id "$u" >/dev/null 2>&1 &&
		    runuser -u "$u" -- test -x "$P" -a \
		    -r "$ROOT/app/static/style.css" -a -x "$ROOT/app/templates" \
		    2>/dev/null; then
			RUNAS=$u
			NGINX_USER=www-data
			return
		fi
	done
	RUNAS=root
	RUNGROUP=root
	NGINX_USER=root
	echo "stack: www-data cannot read $ROOT; workers run as root" >&2
}

start_tls() {
	mkdir -p "$P/tls"
	[ -s "$P/tls/cert.pem" ] && [ -s "$P/tls/key.pem" ] && return 0
	(umask 077; openssl req -x509 -newkey rsa:2048 -nodes -days 825 \
	    -subj "/CN=localhost" \
	    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	    -keyout "$P/tls/key.pem" -out "$P/tls/cert.pem" >/dev/null 2>&1)
	chmod 644 "$P/tls/cert.pem"
}

start_mariadb() {
	[ -z "${EXTERNAL_DB_SOCK:-}" ] || return 0
	if alive "$P/mysqld.pid"; then return 0; fi
	if [ ! -d "$P/mysql/mysql" ]; then
		mkdir -p "$P/mysql" "$P/tmp"
		# A private tmpdir: two stacks set up at once collide on
		# the bootstrap's temporary table names in /tmp.
		mariadb-install-db --no-defaults --user=root --datadir="$P/mysql" \
		    --tmpdir="$P/tmp" \
		    --auth-root-authentication-method=socket --skip-test-db \
		    > "$P/mysql-install.log" 2>&1 ||
		    { cat "$P/mysql-install.log" >&2; exit 1; }
	fi
	rm -f "$P/mysqld.pid"
	mkdir -p "$P/tmp"
	if [ -n "$DB_PORT" ]; then
		net="--bind-address=127.0.0.1 --port=$DB_PORT --server-id=1"
		net="$net --log-bin=$P/mysql/binlog --binlog-format=ROW"
	else
		net="--skip-networking"
	fi
	# shellcheck disable=SC2086
	setsid mariadbd --no-defaults --user=root --datadir="$P/mysql" \
	    --tmpdir="$P/tmp" $net \
	    --socket="$SOCK" --pid-file="$P/mysqld.pid" \
	    --log-error="$P/mysqld.err" --innodb-flush-log-at-trx-commit=1 \
	    --innodb-buffer-pool-size=${MYSQL_BUFFER_POOL:-256M} --character-set-server=utf8mb4 \
	    --collation-server=utf8mb4_unicode_ci </dev/null >/dev/null 2>&1 &
	mpid=$!
	i=0
	until mariadb -S "$SOCK" -u root -e 'SELECT 1' >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -ge 600 ] || ! running "$mpid"; then
			echo "stack: MariaDB did not start; see $P/mysqld.err" >&2
			tail -20 "$P/mysqld.err" >&2 || true
			exit 1
		fi
		sleep 0.1
	done
}

# A random secret in file $1 (kept across restarts), mode $2.
secret_file() {
	if [ ! -s "$1" ]; then
		(umask 077; od -An -tx1 -N${3:-18} /dev/urandom | tr -d ' \n' \
		    > "$1")
	fi
	chmod "$2" "$1"
}

# The app's user (least privileges: `backroomd grants`, applied after each
# migration), the audit pruner's user, and the audit chain's key.  All
# three secrets are 0600 root: the master reads them before it forks the
# children that drop privileges.
setup_db() {
	secret_file "$P/db_password" 600
	secret_file "$P/db_prune_password" 600
	secret_file "$P/audit_key" 600 32
	pw=$(cat "$P/db_password")
	ppw=$(cat "$P/db_prune_password")
	mariadb -S "$SOCK" -u root <<SQL
CREATE DATABASE IF NOT EXISTS backroom CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'backroom'@'localhost' IDENTIFIED BY '$pw';
ALTER USER 'backroom'@'localhost' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS 'backroom_prune'@'localhost' IDENTIFIED BY '$ppw';
ALTER USER 'backroom_prune'@'localhost' IDENTIFIED BY '$ppw';
SQL
}

write_conf() {
	# backroomd refuses to start as root without `user`: say root
	# explicitly when the fallback is root.
	user_line="user = $RUNAS"
	[ "$RUNAS" = root ] || user_line="user = $RUNAS
group = $RUNGROUP"
	# Test stacks pin the site origin (the suites use 127.0.0.1); `make
	# run` leaves it to the Host, so localhost works as well.
	origin_line="site_origin = https://127.0.0.1:$HTTPS_PORT"
	[ "$SEED" = 1 ] && origin_line="# site_origin: from the Host"
	# nginx's numbers, as the site and nginx.conf have them.
	NGINX_KEEPALIVE=$(awk '$1 == "keepalive" { sub(";", "", $2);
	    print $2 }' "$ROOT/conf/nginx/backroom.conf")
	NGINX_WORKERS=$(awk '$1 == "worker_processes" { sub(";", "", $2);
	    print $2 }' "$ROOT/conf/nginx/nginx-dev.conf.in")
	cat > "$P/backroomd.conf.new" <<CONF
# Generated by tests/stack.sh -- edits are lost on the next start.
[backroom]
listen = $P/backroomd.sock
listen_mode = 0660
$user_line
workers = $WORKERS
nginx_keepalive = $NGINX_KEEPALIVE
nginx_workers = $NGINX_WORKERS
log_file = $P/backroomd.log
pid_file = $P/backroomd.pid
templates_dir = $ROOT/app/templates
static_dir = $ROOT/app/static
migrations_dir = $ROOT/sql/migrations
password_list = $ROOT/app/data/common-passwords.txt
openapi_file = $ROOT/app/data/openapi.json
db_socket = $SOCK
db_name = backroom
db_user = backroom
db_password_file = $P/db_password
audit_key_file = $P/audit_key
audit_prune_user = backroom_prune
audit_prune_password_file = $P/db_prune_password
$origin_line
${BACKROOMD_EXTRA:-}
CONF
	CONF_CHANGED=1
	if cmp -s "$P/backroomd.conf.new" "$P/backroomd.conf"; then
		CONF_CHANGED=0
		rm -f "$P/backroomd.conf.new"
	else
		mv "$P/backroomd.conf.new" "$P/backroomd.conf"
	fi
}

# True when the running master was started from another binary than
# $BACKROOMD, or from one since rebuilt ("... (deleted)").
binary_changed() {
	exe=$(readlink "/proc/$(cat "$P/backroomd.pid")/exe" 2>/dev/null) ||
	    return 1
	[ "$exe" != "$(readlink -f "$BACKROOMD")" ]
}

start_backroomd() {
	[ -x "$BACKROOMD" ] || { echo "stack: no $BACKROOMD (make all)" >&2; exit 1; }
	"$BACKROOMD" -c "$P/backroomd.conf" -t >/dev/null
	# Migrations and grants as MariaDB's root (socket auth): the app's
	# own user has no DDL rights.
	{ cat "$P/backroomd.conf"; printf 'db_user = root\ndb_password_file =\n'; } \
	    > "$P/admin.conf"
	"$BACKROOMD" -c "$P/admin.conf" migrate || exit 1
	"$BACKROOMD" -c "$P/admin.conf" grants backroom > "$P/grants.sql" &&
	    mariadb -S "$SOCK" -u root backroom < "$P/grants.sql" || {
		echo "stack: the app user's grants failed" >&2; exit 1; }
	if alive "$P/backroomd.pid" && binary_changed; then
		echo "stack: backroomd runs an older binary than $BACKROOMD; restarting it"
		stop_pid "$P/backroomd.pid" TERM 350 backroomd
	fi
	if alive "$P/backroomd.pid"; then
		# Pick up a changed config without dropping a request.
		[ "$CONF_CHANGED" = 0 ] || kill -HUP "$(cat "$P/backroomd.pid")"
		return 0
	fi
	rm -f "$P/backroomd.pid"
	setsid "$BACKROOMD" -c "$P/backroomd.conf" </dev/null \
	    >>"$P/backroomd.log" 2>&1 &
	bpid=$!
	i=0
	until [ -S "$P/backroomd.sock" ] && alive "$P/backroomd.pid"; do
		i=$((i + 1))
		if [ $i -ge 100 ] || ! running "$bpid"; then
			echo "stack: backroomd did not start; see $P/backroomd.log" >&2
			tail -20 "$P/backroomd.log" >&2 || true
			exit 1
		fi
		sleep 0.1
	done
}

# nginx's limit on /login: the production numbers for `make run` (SEED=1);
# test stacks sign in hundreds of times from 127.0.0.1, so by default they
# get the same rule with other numbers.
if [ "$SEED" = 1 ]; then
	LOGIN_RATE=${LOGIN_RATE:-10r/m}; LOGIN_BURST=${LOGIN_BURST:-10}
	API_RATE=${API_RATE:-50r/s}; API_BURST=${API_BURST:-100}
	POST_RATE=${POST_RATE:-10r/s}; POST_BURST=${POST_BURST:-50}
	CONN_MAX=${CONN_MAX:-64}
else
	LOGIN_RATE=${LOGIN_RATE:-6000r/m}; LOGIN_BURST=${LOGIN_BURST:-500}
	# Load tests and the bench drive thousands of requests a second
	# from 127.0.0.1.
	API_RATE=${API_RATE:-100000r/s}; API_BURST=${API_BURST:-100000}
	POST_RATE=${POST_RATE:-100000r/s}; POST_BURST=${POST_BURST:-100000}
	CONN_MAX=${CONN_MAX:-4096}
fi
# The debug_routes hooks pass through the site only when the config has
# them on (the test suites); `make run` keeps them at 404 like production.
case ${BACKROOMD_EXTRA:-} in
*"debug_routes = yes"*) DEBUG_SNIPPET=$P/nginx/debug_on ;;
*) DEBUG_SNIPPET=$ROOT/conf/nginx/debug_off ;;
esac

# The dev site: conf/nginx/backroom.conf with only ports, the upstream
# socket, the certificate and the static and snippet paths substituted
# (tests/integration/test_smoke.py compares the two).
gen_site() {
	sed -e "s|listen 443 ssl http2;|listen 127.0.0.1:$HTTPS_PORT ssl http2;|" \
	    -e "s|server_name backroom.example.com;|server_name localhost 127.0.0.1;|" \
	    -e "s|^\tbackroom.example.com\t1;|\t~^(localhost\|127\\\\.0\\\\.0\\\\.1)\$\t1;|" \
	    -e "s|/etc/nginx/backroom/debug_off|$DEBUG_SNIPPET|" \
	    -e "s|rate=50r/s;|rate=$API_RATE;|" \
	    -e "s|zone=backroom_api burst=100 |zone=backroom_api burst=$API_BURST |" \
	    -e "s|rate=10r/s;|rate=$POST_RATE;|" \
	    -e "s|zone=backroom_post burst=50 |zone=backroom_post burst=$POST_BURST |" \
	    -e "s|limit_conn backroom_conn 64;|limit_conn backroom_conn $CONN_MAX;|" \
	    -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
	    -e "/listen \[::\]:/d" \
	    -e "s|return 301 https://\$host\$request_uri;|return 301 https://\$host:$HTTPS_PORT\$request_uri;|" \
	    -e "s|unix:/run/backroom/backroomd.sock|unix:$P/backroomd.sock|" \
	    -e "s|/etc/ssl/backroom/|$P/tls/|g" \
	    -e "s|/usr/local/share/backroom/app/static/|$ROOT/app/static/|" \
	    -e "s|/etc/nginx/backroom/|$ROOT/conf/nginx/|g" \
	    -e "s|rate=10r/m;|rate=$LOGIN_RATE;|" \
	    -e "s|zone=backroom_login burst=10 |zone=backroom_login burst=$LOGIN_BURST |" \
	    "$ROOT/conf/nginx/backroom.conf"
}

# `make bench` (BENCH_SITE=1): the same site plus the two ceilings, a fixed
# body from nginx and a bare libfcgi responder on PREFIX/hello.sock.
bench_site() {
	awk -v p="$P" -v params="$ROOT/conf/nginx/fastcgi_params" '
	/^upstream backroom \{/ { print "upstream bench_fcgi {\n\tserver unix:" p "/hello.sock;\n\tkeepalive 6;\n}\n" }
	/^\tlocation \/ \{/ {
		print "\tlocation = /bench/fixed {\n\t\tdefault_type text/plain;\n\t\treturn 200 \"hello\\n\";\n\t}\n"
		print "\tlocation = /bench/fcgi {\n\t\tinclude " params ";\n\t\tfastcgi_pass bench_fcgi;\n\t}\n"
	}
	{ print }'
}

start_nginx() {
	mkdir -p "$P/nginx/tmp"
	# nginx's own workers (www-data) write its temporary files.
	[ "$NGINX_USER" = root ] || chown -R www-data "$P/nginx/tmp"
	{
		echo "# Generated by tests/stack.sh: debug_routes pass through."
		echo "include $ROOT/conf/nginx/fastcgi_params;"
		echo "fastcgi_pass backroom;"
	} > "$P/nginx/debug_on"
	if [ "${BENCH_SITE:-0}" = 1 ]; then
		gen_site | bench_site > "$P/nginx/backroom.conf"
	else
		gen_site > "$P/nginx/backroom.conf"
	fi
	sed -e "s|@PREFIX@|$P|g" -e "s|^user www-data www-data;|user $NGINX_USER;|" \
	    "$ROOT/conf/nginx/nginx-dev.conf.in" > "$P/nginx.conf"
	if ! out=$(nginx -t -q -c "$P/nginx.conf" -p "$P/nginx/" 2>&1); then
		echo "$out" >&2
		echo "stack: nginx rejects $P/nginx.conf" >&2
		exit 1
	fi
	if alive "$P/nginx/nginx.pid"; then
		if ! out=$(nginx -c "$P/nginx.conf" -p "$P/nginx/" -s reload 2>&1)
		then
			echo "$out" >&2
			exit 1
		fi
		return 0
	fi
	rm -f "$P/nginx/nginx.pid"
	nginx -c "$P/nginx.conf" -p "$P/nginx/"
}

seed_db() {
	[ "$SEED" = 1 ] || return 0
	touch "$P/.seeded"
	# Each seed file once: its name is kept in PREFIX/.seeded.
	for f in "$ROOT"/sql/seed/*.sql; do
		[ -f "$f" ] || continue
		grep -qxF "$(basename "$f")" "$P/.seeded" && continue
		echo "stack: loading $f"
		mariadb -S "$SOCK" -u root backroom < "$f" || return 1
		basename "$f" >> "$P/.seeded"
	done
}

# The first admin account, once; its login is kept in PREFIX/admin_login
# and shown on every start.  Tolerates a backroomd without create-admin.
make_admin() {
	[ "$ADMIN" = 1 ] && [ ! -s "$P/admin_login" ] || return 0
	out=$("$BACKROOMD" -c "$P/backroomd.conf" create-admin "$ADMIN_EMAIL" \
	    2>"$P/create-admin.err") || return 0
	[ -n "$out" ] || return 0
	case $out in
	*[[:space:]]*) login="admin login: $ADMIN_EMAIL
$out" ;;
	*) login="admin login: $ADMIN_EMAIL  password: $out" ;;
	esac
	(umask 077; printf '%s\n' "$login" > "$P/admin_login")
}

do_start() {
	pick_user
	chmod 755 "$P"
	start_tls
	start_mariadb
	setup_db
	write_conf
	start_backroomd
	start_nginx
	if ! wait_for "curl -skf -o /dev/null https://127.0.0.1:$HTTPS_PORT/healthz" 100; then
		echo "stack: https://127.0.0.1:$HTTPS_PORT/healthz does not answer" >&2
		exit 1
	fi
	seed_db
	make_admin
	echo "stack: up at https://127.0.0.1:$HTTPS_PORT/ (http://127.0.0.1:$HTTP_PORT/ redirects)"
	if [ -s "$P/admin_login" ]; then cat "$P/admin_login"; fi
	return 0
}

do_stop() {
	stop_pid "$P/nginx/nginx.pid" QUIT 100 nginx
	stop_pid "$P/backroomd.pid" TERM 350 backroomd
	stop_pid "$P/mysqld.pid" TERM 600 mariadbd
	echo "stack: stopped ($P)"
}

do_status() {
	rc=0
	for f in nginx/nginx.pid backroomd.pid mysqld.pid; do
		if alive "$P/$f"; then echo "$f: running ($(cat "$P/$f"))"
		else echo "$f: stopped"; rc=3; fi
	done
	return $rc
}

case $cmd in
start) do_start ;;
stop) do_stop ;;
status) do_status ;;
*) echo "usage: $0 start|stop|status PREFIX" >&2; exit 2 ;;
esac
