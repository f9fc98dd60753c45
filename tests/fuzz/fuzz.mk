# tests/fuzz/fuzz.mk: hardening targets, included at the end of the Makefile.
#
#   make fuzz          libFuzzer targets into build/fuzz/, each run for
#                      FUZZ_SECONDS (60) from its seed corpus
#   make fuzz-smoke    each target for 10 s, then a replay of the corpus
#   make check-asan    everything rebuilt in build/asan/ with ASan+UBSan,
#                      then the whole test runner (leaks detected)
#   make check-valgrind  build/tests/runner under valgrind
#   make coverage      build/cov/ with --coverage, the runner, then line and
#                      branch coverage of core/ and plugins/ from gcov
#
# The fuzzers need clang with its runtime (Debian: clang, libclang-rt-14-dev
# or libclang-rt-dev).  The sanitizer builds re-enter this Makefile with
# another B, so they use the rules and variables of a normal build.

.PHONY: fuzz fuzz-build fuzz-smoke check-asan check-valgrind coverage

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_B = build/fuzz
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = $(WARN) -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) \
	-D_POSIX_C_SOURCE=200809L -Icore/include \
	-DQDB_PLUGIN_DIR='"$(PLUGINDIR)"' $(PKG_CFLAGS)
FUZZ_LIB_OBJ = $(LIB_SRC:%.c=$(FUZZ_B)/obj/%.o)
FUZZ_LIB = $(FUZZ_B)/libquotedb.a

# A target is tests/fuzz/fuzz_NAME.c; FUZZ_PLUGIN_NAME is the plugin compiled
# into it, if any.  A plugin target waits until its plugin exists.
FUZZ_PLUGIN_import = yaml
FUZZ_PLUGIN_csv = csv
FUZZ_PLUGIN_latex = latex
FUZZ_PLUGIN_yaml_roundtrip = yaml
FUZZ_ALL = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES = $(foreach t,$(FUZZ_ALL),$(if $(FUZZ_PLUGIN_$(t)),$(if \
	$(wildcard plugins/$(FUZZ_PLUGIN_$(t)).c),$(t)),$(t)))
FUZZ_BINS = $(FUZZ_NAMES:%=$(FUZZ_B)/fuzz_%)

# The library is instrumented for coverage, not linked with libFuzzer's
# main: only the fuzzers themselves get -fsanitize=fuzzer.
$(FUZZ_B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

# The plugin's .c is compiled in with the target (one plugin per target:
# each defines qdb_plugin_descriptor).
.SECONDEXPANSION:
$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h plugins/outbuf.h \
		$(FUZZ_LIB) \
		$$(if $$(FUZZ_PLUGIN_$$*),plugins/$$(FUZZ_PLUGIN_$$*).c)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(if $(FUZZ_PLUGIN_$*),plugins/$(FUZZ_PLUGIN_$*).c) \
		$(FUZZ_LIB) $(PKG_LIBS) -ldl

fuzz-build: $(FUZZ_BINS)

# tests/fuzz/run.sh runs each target on a copy of its seed corpus and
# fails when one finds a crash; fuzz-smoke also replays the seeds (CI's
# regression check of old finds).
fuzz: fuzz-build
	sh tests/fuzz/run.sh $(FUZZ_B) $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-smoke: fuzz-build
	sh tests/fuzz/run.sh $(FUZZ_B) $(FUZZ_SMOKE_SECONDS) replay \
	  $(FUZZ_NAMES)

# The whole build again with sanitizers; the runner starts the sanitized
# build/asan/quotedb through QDB_CLI.
ASAN_B = build/asan
ASAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
check-asan: deps
	$(MAKE) B=$(ASAN_B) OPT='-O1 -g $(ASAN_FLAGS)' \
	  LDFLAGS='$(LDFLAGS) $(ASAN_FLAGS)' all $(ASAN_B)/tests/runner
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:$(ASAN_OPTIONS) \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	QDB_CLI=$(CURDIR)/$(ASAN_B)/quotedb QDB_PLUGINS=$(ASAN_B)/plugins \
	  ./$(ASAN_B)/tests/runner

# Children started through system() run natively: only the runner's own
# process is checked.
check-valgrind: deps
	$(MAKE) all $(RUNNER)
	valgrind --leak-check=full --error-exitcode=1 \
	  --errors-for-leak-kinds=definite ./$(RUNNER)

# gcov only: no gcovr or lcov needed.  -O0 keeps lines and branches as
# written; its warnings differ from -O2's, and are the normal build's
# business, so they do not stop this one.
COV_B = build/cov
coverage: deps
	rm -rf $(COV_B)
	$(MAKE) B=$(COV_B) OPT='-O0 -g --coverage -DQDB_COVERAGE' \
	  WARN='$(filter-out -Werror,$(WARN))' \
	  LDFLAGS='$(LDFLAGS) --coverage' all $(COV_B)/tests/runner
	-QDB_CLI=$(CURDIR)/$(COV_B)/quotedb QDB_PLUGINS=$(COV_B)/plugins \
	  ./$(COV_B)/tests/runner \
	  >$(COV_B)/runner.log 2>&1; tail -n 3 $(COV_B)/runner.log
	@sh tests/fuzz/coverage.sh $(COV_B)

-include $(FUZZ_LIB_OBJ:.o=.d)
