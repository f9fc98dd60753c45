#!/bin/sh
# layers.sh "LAYERS" OBJ...: proves from the objects' symbols that the
# library's calls only go down its layers.  LAYERS is the Makefile's list,
# bottom first: layers separated by spaces, the files of one layer by
# commas ("util,date db entity,cursor").  An object may use the qdb_
# symbols of objects in lower layers only: not its own layer's, not a
# higher one's, so there can be no circle.  An object in no layer fails
# too: a new file of core/ must be given its place.
set -eu
layers=$1
shift
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for o in "$@"; do
	f=$(basename "$o" .o)
	nm --defined-only "$o" | awk -v f="$f" \
		'$2 ~ /^[TDRB]$/ && $3 ~ /^qdb_/ { print "def", $3, f }'
	nm --undefined-only "$o" | awk -v f="$f" \
		'$NF ~ /^qdb_/ { print "use", $NF, f }'
done > "$tmp"
awk -v layers="$layers" '
BEGIN {
	n = split(layers, L, " ")
	for (i = 1; i <= n; i++) {
		m = split(L[i], F, ",")
		for (j = 1; j <= m; j++)
			level[F[j]] = i
	}
}
$1 == "def" { owner[$2] = $3; files[$3] = 1; next }
$1 == "use" { uses[++nu] = $2 " " $3; files[$3] = 1 }
END {
	bad = 0
	for (f in files)
		if (!(f in level)) {
			printf "check-layers: core/%s.c is in no layer of the " \
			       "Makefile'"'"'s LAYERS\n", f
			bad = 1
		}
	for (k = 1; k <= nu; k++) {
		split(uses[k], u, " ")
		sym = u[1]; user = u[2]
		if (!(sym in owner))
			continue   # libquotedb.a symbols only
		def = owner[sym]
		if ((user in level) && (def in level) &&
		    level[def] >= level[user]) {
			printf "check-layers: %s.c calls %s of %s.c, which is " \
			       "not below it\n", user, sym, def
			bad = 1
		}
	}
	exit bad
}' "$tmp"
