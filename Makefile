# Backroom -- see README.md.  `make run` and `make test` are the two
# commands; everything else is a step they use.

PREFIX	?= /usr/local
DESTDIR	?=
CC	?= cc
PKGS	 = fcgi libmariadb json-c libargon2 libcrypto libseccomp
PY	 = /usr/bin/python3

# Debian packages the build, `make run` and `make test` need.
DEB_PKGS = build-essential pkg-config libfcgi-dev libmariadb-dev \
	   libjson-c-dev libargon2-dev libssl-dev libcmocka-dev libseccomp-dev \
	   mariadb-server mariadb-client nginx openssl wrk \
	   python3-pytest python3-requests python3-pymysql \
	   python3-selenium chromium chromium-driver argon2 \
	   cppcheck curl procps iproute2 galera-4 rsync \
	   clang libfuzzer-14-dev libclang-rt-14-dev

SCHEMA_VERSION := $(shell ls sql/migrations 2>/dev/null | \
		    sed -n 's/^\([0-9][0-9][0-9][0-9]\)_.*\.sql$$/\1/p' | \
		    tail -1 | sed 's/^0*//')

WARN	 = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla
HARDEN	 = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
OPT	?= -O2 -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) -Iinclude \
	   -DSCHEMA_VERSION=$(or $(SCHEMA_VERSION),0) \
	   $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS	+= -pie -Wl,-z,relro,-z,now
LDLIBS	+= $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

BUILD	?= build
SRCS	 = $(sort $(wildcard app/*.c app/handlers/*.c app/domain/*.c))
OBJS	 = $(SRCS:%.c=$(BUILD)/%.o)
LIBOBJS	 = $(filter-out $(BUILD)/app/main.o,$(OBJS))
UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS = $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
# libFuzzer targets: the project's objects built by clang with coverage
# instrumentation, ASan and UBSan, in their own build dir.  (clang's
# -Wformat=2 also flags the v*printf wrappers that gcc accepts.)
FUZZ_BUILD = build-fuzz
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 300

.PHONY: all deps run stop test run-cluster stop-cluster test-cluster \
	bench-cluster lint unit integration asan faults install clean \
	bench bench-smoke bench-tmpl fuzz fuzz-smoke fuzz-build fuzz-bins

all: $(BUILD)/backroomd

$(BUILD)/backroomd: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

# SCHEMA_VERSION is the newest migration's number: a new one rebuilds.
$(BUILD)/%.o: %.c $(wildcard include/*.h) Makefile \
    $(lastword $(sort $(wildcard sql/migrations/*.sql)))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS) \
	    $(shell pkg-config --libs cmocka)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h tests/fuzz/ignorelist.txt \
    $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/fuzz -fsanitize=fuzzer \
	    -fsanitize-coverage-ignorelist=tests/fuzz/ignorelist.txt \
	    $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS)

fuzz-bins: $(FUZZ_BINS)

fuzz-build:
	@$(MAKE) -s BUILD=$(FUZZ_BUILD) CC=clang \
	    WARN="$(WARN) -Wno-format-nonliteral" \
	    OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link \
	    $(FUZZ_SAN)" LDFLAGS="-pie -Wl,-z,relro,-z,now $(FUZZ_SAN)" \
	    fuzz-bins

# Each target for FUZZ_SECONDS (fuzz) or 5 s (fuzz-smoke), one at a
# time, with a summary table; non-zero exit on any crash.
fuzz: fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-smoke: fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_BUILD) 5 --smoke

# The FastCGI ceiling of the benchmark (tests/bench/hello.c).
$(BUILD)/bench-hello: tests/bench/hello.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# A timing loop of the /products page's context and render (not a test).
$(BUILD)/bench-tmpl: tests/unit/bench_tmpl.c $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS)

bench-tmpl: $(BUILD)/bench-tmpl

bench: deps all $(BUILD)/bench-hello
	@$(PY) tests/bench/bench.py $(BENCH_ARGS)

bench-smoke: all $(BUILD)/bench-hello
	@$(PY) tests/bench/bench.py --smoke

# Read throughput through 1, 2 and 3 app hosts of tests/cluster.sh, each
# host's CPU capped so that the app tier is the limit; replica lag.
bench-cluster: deps all
	@$(PY) tests/bench/bench_cluster.py $(BENCH_ARGS)

deps:
	@sh tests/deps.sh $(DEB_PKGS)

run: deps all
	@SEED=1 sh tests/stack.sh start var/run

stop:
	@sh tests/stack.sh stop var/run

unit: $(UNIT_BINS)
	@sh tests/unit/run.sh $(UNIT_BINS)

lint:
	@sh tests/lint.sh

integration: all
	@sh tests/integration/run.sh $(BUILD)

test: deps
	@sh tests/test.sh

# Scale-out on one machine (tests/cluster.sh): 3 app hosts in network
# namespaces behind nginx, a MariaDB primary and 2 replicas, or with
# GALERA=1 a 3-node Galera cluster.
GALERA	?= 0
run-cluster: deps all
	@GALERA=$(GALERA) SEED=1 sh tests/cluster.sh start var/cluster

stop-cluster:
	@sh tests/cluster.sh stop var/cluster

test-cluster: all
	@GALERA=$(GALERA) sh tests/cluster/run.sh $(BUILD)

asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fsanitize=address,undefined \
	    -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" build-asan/backroomd
	@ASAN=1 sh tests/integration/run.sh build-asan

# The fault-injection build (-DBR_FAULTS, include/fault.h) in its own
# dir, and tests/integration/test_faults.py against it on its own stack.
faults:
	@$(MAKE) -s BUILD=build-faults OPT="-O1 -g -DBR_FAULTS" \
	    build-faults/backroomd
	@BR_FAULTS=1 INTEG_PREFIX=$${INTEG_PREFIX:-var/faults} \
	    PYTEST_ARGS="$${PYTEST_ARGS:-tests/integration/test_faults.py}" \
	    sh tests/integration/run.sh build-faults

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/backroom \
	    $(DESTDIR)/etc/backroom $(DESTDIR)/lib/systemd/system
	install -m 0755 $(BUILD)/backroomd $(DESTDIR)$(PREFIX)/sbin/backroomd
	install -d $(DESTDIR)$(PREFIX)/share/backroom/app
	cp -R app/templates app/static app/data $(DESTDIR)$(PREFIX)/share/backroom/app/
	cp -R sql $(DESTDIR)$(PREFIX)/share/backroom/
	install -d $(DESTDIR)/etc/nginx/backroom $(DESTDIR)/etc/nginx/sites-available
	install -m 0644 conf/nginx/fastcgi_params conf/nginx/security_headers \
	    conf/nginx/debug_off \
	    $(DESTDIR)/etc/nginx/backroom/
	install -m 0644 conf/nginx/backroom.conf \
	    $(DESTDIR)/etc/nginx/sites-available/backroom.conf
	install -m 0640 conf/backroomd.conf.example \
	    $(DESTDIR)/etc/backroom/backroomd.conf.example
	sed 's|@PREFIX@|$(PREFIX)|g' conf/backroomd.service > \
	    $(DESTDIR)/lib/systemd/system/backroomd.service
	install -d $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 docs/backroomd.8 $(DESTDIR)$(PREFIX)/share/man/man8/


clean:
	rm -rf build build-asan build-faults $(FUZZ_BUILD)
