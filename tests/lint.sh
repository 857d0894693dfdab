#!/bin/sh
# make lint: banned functions, cppcheck, a -Werror build, the KNF
# layout checks and the evidence docs/asvs.md names (tests/asvs_check.sh).
# Exit 1 on any hard failure.
set -u
fail=0
files=$(ls app/*.c app/*/*.c include/*.h 2>/dev/null)

# Banned: unbounded or error-swallowing libc calls (STYLE.md).
if grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strncpy|gets|atoi|atol|strtok)[[:space:]]*\(' \
    $files | grep -v '^[^:]*:[0-9]*:[[:space:]]*/\?\*'; then
	echo "lint: banned function used (see above)"; fail=1
fi
# Only the db layer includes <mysql.h>, only fcgi.c includes <fcgiapp.h>.
if grep -lE '#include <(mysql|errmsg|mysqld_error)\.h>' $files |
    grep -vE '^app/(db|migrate|tx)\.c$'; then
	echo "lint: <mysql.h> outside the db layer"; fail=1
fi
if grep -l '#include <fcgiapp.h>' $files | grep -v '^app/fcgi\.c$'; then
	echo "lint: <fcgiapp.h> outside app/fcgi.c"; fail=1
fi
# Domain code never sees HTTP types.
if ls app/domain/*.c >/dev/null 2>&1 &&
    grep -lE '#include "(request|response|router)\.h"' app/domain/*.c; then
	echo "lint: HTTP types in app/domain"; fail=1
fi
if command -v cppcheck >/dev/null 2>&1; then
	if ! cppcheck -q --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr --suppress=missingIncludeSystem \
	    -Iinclude app app/handlers app/domain 2>&1; then
		echo "lint: cppcheck found problems"; fail=1
	fi
fi
if ! make -s BUILD=build-lint OPT="-O2" all >/dev/null; then
	echo "lint: -Werror build failed"; fail=1
fi
# Fault injection (include/fault.h) exists only in the -DBR_FAULTS build.
if grep -aq 'X-Backroom-Fault' build-lint/backroomd 2>/dev/null; then
	echo "lint: the fault-injection path is in a normal build"; fail=1
fi
# KNF as far as a script can tell (clang-format cannot express KNF's
# aligned declarations, so the repository has no .clang-format): at most
# 80 columns with 8-column tabs, indentation by tabs (a continuation adds
# 4 spaces), no trailing white space.
knf=$(for f in $files tests/unit/*.c; do
	expand -t8 "$f" | awk -v f="$f" 'length($0) > 80 {
	    printf "%s:%d: longer than 80 columns\n", f, NR }'
done
grep -nE '^\t* {5,}[^ *]' $files tests/unit/*.c |
    sed 's/$/ (indent with tabs)/'
grep -nE '[[:space:]]+$' $files tests/unit/*.c |
    sed 's/$/ (trailing white space)/')
if [ -n "$knf" ]; then
	echo "$knf"; echo "lint: not KNF (see above)"; fail=1
fi
rm -rf build-lint
# docs/asvs.md names only tests and files that exist.
if ! sh tests/asvs_check.sh; then
	echo "lint: docs/asvs.md names missing tests"; fail=1
fi
if [ $fail -eq 0 ]; then echo "lint: passed"; else echo "lint: FAILED"; fi
exit $fail
