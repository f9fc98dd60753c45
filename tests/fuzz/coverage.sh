#!/bin/sh
# coverage.sh BUILD_DIR: line and branch coverage of core/ and plugins/ from
# the .gcno/.gcda files of a --coverage build (make coverage), with gcov
# alone.  Prints one line per source file and a total; "branches" is the
# share taken at least once (gcov -b's "Taken at least once").
B=${1:-build/cov}

# summary SOURCE NOTES: gcov's numbers for SOURCE as "name lp ln bp bn".
summary() {
	gcov -n -b -o "$2" "$1" 2>/dev/null | awk -v f="$1" '
	/^File / { on = ($2 == sprintf("%c%s%c", 39, f, 39)) }
	on && /^Lines executed:/ {
		sub(/.*:/, "", $2); lp = $2 + 0; ln = $NF }
	on && /^Taken at least once:/ {
		sub(/.*:/, "", $4); bp = $4 + 0; bn = $NF }
	END { print f, lp + 0, ln + 0, bp + 0, bn + 0 }'
}

{
	for f in core/*.c core/cli/*.c; do
		summary "$f" "$B/obj/$(dirname "$f")"
	done
	for f in plugins/*.c; do
		n=$(basename "$f" .c)
		summary "$f" "$B/plugins/$n.so-$n.gcno"
	done
} | awk '
function show(f, lp, ln, bp, bn) {
	printf "%-22s lines %6.2f%% of %5d   branches %6.2f%% of %5d\n",
	       f, lp, ln, bp, bn
}
{ show($1, $2, $3, $4, $5)
  lt += $3; lc += $2 * $3 / 100; bt += $5; bc += $4 * $5 / 100 }
END { show("total", lt ? 100 * lc / lt : 0, lt, bt ? 100 * bc / bt : 0, bt) }'
