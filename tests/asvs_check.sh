#!/bin/sh
# tests/asvs_check.sh: every piece of evidence docs/asvs.md names must
# exist.  A test (tests/...py::name or tests/...c::name) must be in a file
# that exists and defines it (Python: "def name(", C: "name(void **state)"
# or "static void" then "name(" on the next line); a path in backquotes
# (app/, include/, conf/, tests/, docs/, sql/, .ci/, Makefile, README.md)
# must exist; the counts line at the top must match the table.  Exits 1
# naming each bad line.  POSIX sh, grep and awk.
set -u
cd "$(dirname "$0")/.." || exit 2
doc=docs/asvs.md
if [ ! -f "$doc" ]; then
	echo "asvs_check: $doc is missing"; exit 1
fi

# One "LINE KIND TOKEN" per reference: KIND is test (file::name) or path.
refs=$(awk '
{
	s = $0
	while (match(s, /tests\/[A-Za-z0-9_.\/-]+\.(py|c)::[A-Za-z_][A-Za-z0-9_]*/)) {
		print NR " test " substr(s, RSTART, RLENGTH)
		s = substr(s, RSTART + RLENGTH)
	}
	s = $0
	while (match(s, /`[^`]+`/)) {
		t = substr(s, RSTART + 1, RLENGTH - 2)
		s = substr(s, RSTART + RLENGTH)
		if (t ~ /::/)
			continue
		if (t ~ /^(app|include|conf|tests|docs|sql|\.ci)\/[A-Za-z0-9_.\/-]*$/ ||
		    t == "Makefile" || t == "README.md")
			print NR " path " t
	}
}' "$doc")

fail=0
ntest=0
npath=0
# The here-document keeps the loop in this shell (fail survives it).
while read -r line kind tok; do
	[ -n "${line:-}" ] || continue
	if [ "$kind" = path ]; then
		npath=$((npath + 1))
		if [ ! -e "$tok" ]; then
			echo "$doc:$line: $tok does not exist"; fail=1
		fi
		continue
	fi
	ntest=$((ntest + 1))
	file=${tok%%::*}
	name=${tok##*::}
	if [ ! -f "$file" ]; then
		echo "$doc:$line: $file (of $tok) does not exist"; fail=1
		continue
	fi
	case "$file" in
	*.py)
		grep -Eq "^[[:space:]]*(async[[:space:]]+)?def[[:space:]]+$name\(" \
		    "$file" && continue ;;
	*.c)
		awk -v n="$name" '
		    $0 ~ ("(^|[^A-Za-z0-9_])" n "\\(void \\*\\*state\\)") ||
		    (prev ~ /^static void[[:space:]]*$/ && $0 ~ ("^" n "\\(")) {
			found = 1
		    }
		    { prev = $0 }
		    END { exit !found }' "$file" && continue ;;
	esac
	echo "$doc:$line: $file does not define $name"; fail=1
done <<EOF
$refs
EOF
# The counts at the top must be the table's.
counted=$(awk -F' [|] ' '/^[|] V[0-9]+[.][0-9]+[.][0-9]+ / { c[$3]++; n++ }
    END { printf "**%d requirements: %d pass, %d n/a, %d risk accepted, " \
	"%d not met.**", n, c["pass"], c["n/a"], c["risk accepted"], \
	c["not met"] }' "$doc")
if ! grep -qxF "$counted" "$doc"; then
	echo "$doc: the counts line should read: $counted"; fail=1
fi
if [ $fail -eq 0 ]; then
	echo "asvs_check: $ntest tests and $npath paths named in $doc exist;" \
	    "counts agree"
fi
exit $fail
