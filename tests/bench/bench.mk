# tests/bench/bench.mk: `make bench` (tests/bench/README.md).  Included
# at the end of the Makefile, so it may use $(B), $(CC), $(QDB_CFLAGS),
# $(PKG_LIBS) and $(STLIB).
#
#   make bench                          N = 100,000
#   make bench BENCH_N="10000 100000"   several N, merged and plotted
#   BENCH_RUNS (3) timed runs after one warm-up; BENCH_PASSES (5) query
#   passes; BENCH_PY (100000) the N at which the PyYAML routes run ("all",
#   "none"); BENCH_PY_RUNS (1) their runs.

BENCH_N ?= 100000
BENCH_RUNS ?= 3
BENCH_PASSES ?= 5
BENCH_PY ?= 100000
BENCH_PY_RUNS ?= 1
PYTHON ?= python3

BENCH_SRC = tests/bench
BENCH_BIN = $(B)/bench
BENCH_PROGS = $(BENCH_BIN)/gen $(BENCH_BIN)/floor_import \
	$(BENCH_BIN)/floor_emit $(BENCH_BIN)/query $(BENCH_BIN)/runx

.PHONY: bench bench-progs

bench-progs: $(BENCH_PROGS)

$(BENCH_BIN)/gen: $(BENCH_SRC)/gen.c $(BENCH_SRC)/corpus.c \
		$(BENCH_SRC)/corpus.h
	@mkdir -p $(dir $@)
	$(CC) $(QDB_CFLAGS) -o $@ $(BENCH_SRC)/gen.c $(BENCH_SRC)/corpus.c \
		$(QDB_LDFLAGS) -lm

$(BENCH_BIN)/floor_import $(BENCH_BIN)/floor_emit: $(BENCH_BIN)/%: \
		$(BENCH_SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(QDB_CFLAGS) -o $@ $< $(QDB_LDFLAGS) $(PKG_LIBS)

$(BENCH_BIN)/query: $(BENCH_SRC)/query.c $(BENCH_SRC)/corpus.c \
		$(BENCH_SRC)/corpus.h $(STLIB)
	@mkdir -p $(dir $@)
	$(CC) $(QDB_CFLAGS) -o $@ $(BENCH_SRC)/query.c $(BENCH_SRC)/corpus.c \
		$(STLIB) $(QDB_LDFLAGS) $(PKG_LIBS) -ldl -lm

$(BENCH_BIN)/runx: $(BENCH_SRC)/runx.c
	@mkdir -p $(dir $@)
	$(CC) $(QDB_CFLAGS) -o $@ $< $(QDB_LDFLAGS)

# gnuplot draws results.png; installed when missing and we are root,
# otherwise the bench runs without the plot.
bench:
	$(MAKE) all bench-progs
	@command -v sqlite3 >/dev/null 2>&1 || { echo "bench needs the" \
	  "sqlite3 shell: apt-get install sqlite3"; exit 1; }
	@if ! command -v gnuplot >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing gnuplot-nox for the plot"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends gnuplot-nox >/dev/null 2>&1 || \
	  { apt-get update -qq >/dev/null 2>&1 && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends gnuplot-nox >/dev/null 2>&1; } || \
	  echo "gnuplot-nox could not be installed: no plot"; fi
	BENCH_N="$(BENCH_N)" BENCH_RUNS="$(BENCH_RUNS)" \
	BENCH_PASSES="$(BENCH_PASSES)" BENCH_PY="$(BENCH_PY)" \
	BENCH_PY_RUNS="$(BENCH_PY_RUNS)" $(PYTHON) $(BENCH_SRC)/bench.py
