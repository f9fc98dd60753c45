#!/bin/sh
# run.sh BUILD_DIR SECONDS [replay] NAME...: runs each libFuzzer target
# BUILD_DIR/fuzz_NAME for SECONDS on a copy of its seed corpus
# (BUILD_DIR/corpus/NAME, so finds stay out of the source tree) with its
# dictionary if there is one; with "replay", then runs every seed of
# tests/fuzz/corpus/NAME once.  A crash leaves its input in
# BUILD_DIR/NAME-crash-* (or -leak-, -timeout-) and makes the exit status 1.
B=$1 secs=$2
shift 2
replay=0
if [ "$1" = replay ]; then replay=1; shift; fi
status=0
for t in "$@"; do
	mkdir -p "$B/corpus/$t"
	cp -n tests/fuzz/corpus/"$t"/* "$B/corpus/$t/" 2>/dev/null
	dict=
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	echo "== fuzz_$t for ${secs}s"
	if "./$B/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 \
	    -artifact_prefix="$B/$t-" -max_len=8192 -timeout=10 $dict \
	    "$B/corpus/$t" >"$B/$t.log" 2>&1; then
		grep -E '^#[0-9]+ +DONE|^stat::number_of_executed_units' \
		    "$B/$t.log"
	else
		status=1
		echo "fuzz_$t FAILED; the end of $B/$t.log:"
		tail -n 40 "$B/$t.log"
	fi
	if [ $replay = 1 ]; then
		echo "== replay of tests/fuzz/corpus/$t"
		if ! "./$B/fuzz_$t" -runs=0 -artifact_prefix="$B/$t-replay-" \
		    "tests/fuzz/corpus/$t" \
		    >"$B/$t-replay.log" 2>&1; then
			status=1
			echo "replay of fuzz_$t FAILED:"
			tail -n 40 "$B/$t-replay.log"
		fi
	fi
done
exit $status
