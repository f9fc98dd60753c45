# quotedb Makefile, in the manner of hiredis: PREFIX/DESTDIR, the user's
# CFLAGS and LDFLAGS kept and added to, dependencies through pkg-config,
# automatic header dependencies.  Everything is built under build/.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
LIBDIR = $(PREFIX)/lib
INCLUDEDIR = $(PREFIX)/include
PLUGINDIR = $(LIBDIR)/quotedb/plugins
MANDIR = $(PREFIX)/share/man
# quotedb.sty, where a TeX tree under PREFIX/share/texmf finds it
TEXDIR = $(PREFIX)/share/texmf/tex/latex/quotedb

# The version is written in core/include/quotedb.h alone.
VERSION := $(shell sed -n 's/^\#define QDB_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9][0-9]*\).*/\2/p' \
	core/include/quotedb.h | paste -sd.)
SOMAJOR := $(firstword $(subst ., ,$(VERSION)))

CC ?= cc
PKG_CONFIG ?= pkg-config
INSTALL ?= install

# Packages a fresh Debian/Ubuntu machine needs: to build, and to run every
# test (the LaTeX tests compile the appendix with both TeX engines; the
# csl-json, biblatex and odt tests run jsonschema and pandoc, biber with
# biblatex, and LibreOffice; the json, markdown and html tests read their
# exports with jq, pandoc, html5lib and Chromium).
DEPS_BUILD = build-essential pkg-config libsqlite3-dev libyaml-dev sqlite3
DEPS_TEST = $(DEPS_BUILD) libcunit1-dev python3 python3-yaml valgrind poppler-utils \
	texlive-latex-recommended texlive-latex-extra texlive-luatex lmodern \
	texlive-bibtex-extra biber pandoc python3-jsonschema libreoffice-writer-nogui \
	jq python3-html5lib chromium fonts-noto-core fonts-noto-cjk \
	libreoffice-calc-nogui bsdutils \
	texlive-lang-greek texlive-lang-cyrillic cm-super mupdf-tools

# Asked once (:=), not again for every command that uses them.
PKGS = sqlite3 yaml-0.1
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lsqlite3 -lyaml)
CUNIT_CFLAGS := $(shell $(PKG_CONFIG) --cflags cunit 2>/dev/null)
CUNIT_LIBS := $(shell $(PKG_CONFIG) --libs cunit 2>/dev/null || echo -lcunit)

# WERROR=0 builds with warnings left as warnings (a newer compiler's).
WERROR ?= 1
WARN = -std=c11 -Wall -Wextra $(if $(filter 0,$(WERROR)),,-Werror)
OPT ?= -O2 -g
# -pthread: the import reads YAML in a thread of its own (core/import.c).
QDB_CFLAGS = $(WARN) $(OPT) -pthread -D_POSIX_C_SOURCE=200809L \
	-Icore/include -DQDB_PLUGIN_DIR='"$(PLUGINDIR)"' $(PKG_CFLAGS) \
	$(CFLAGS)
QDB_LDFLAGS = -pthread $(LDFLAGS)

B = build
LIB_SRC = $(sort $(wildcard core/*.c))
LIB_OBJ = $(LIB_SRC:%.c=$(B)/obj/%.o)
CLI_SRC = $(sort $(wildcard core/cli/*.c))
CLI_OBJ = $(CLI_SRC:%.c=$(B)/obj/%.o)
PLUGIN_SRC = $(sort $(wildcard plugins/*.c))
PLUGINS = $(PLUGIN_SRC:plugins/%.c=$(B)/plugins/%.so)
TEST_SRC = $(sort $(wildcard tests/*.c))
TEST_OBJ = $(TEST_SRC:%.c=$(B)/obj/%.o)
TEST_SUITES = $(patsubst tests/test_%.c,%,$(filter tests/test_%.c,$(TEST_SRC)))

STLIB = $(B)/libquotedb.a
DYLIB = $(B)/libquotedb.so.$(VERSION)
DYLIB_SONAME = libquotedb.so.$(SOMAJOR)
CLI = $(B)/quotedb
RUNNER = $(B)/tests/runner

# Plugins that need more than libc say so here.
PLUGIN_LIBS_yaml = $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null || echo -lyaml)

.PHONY: all deps test check demo clean install uninstall headertest \
	check-layers FORCE

all: $(STLIB) $(DYLIB) $(CLI) $(PLUGINS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(QDB_CFLAGS) -fPIC -MMD -MP -c $< -o $@

$(STLIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# libquotedb.so exports the functions quotedb.h declares, listed by name,
# and nothing else: the qdb__ helpers the library's files share stay
# inside.  The list is made from the header, so the two cannot disagree.
$(B)/quotedb.map: core/include/quotedb.h
	@mkdir -p $(B)
	@{ echo 'QUOTEDB_0 {'; echo '	global:'; \
	  sed -n '/^static/d; s/^[a-z][^(]*[ *]\(qdb_[a-z0-9_]*\)(.*/		\1;/p' $<; \
	  echo '	local:'; echo '		*;'; echo '};'; } > $@.tmp
	@mv $@.tmp $@

$(DYLIB): $(LIB_OBJ) $(B)/quotedb.map
	$(CC) -shared -Wl,-soname,$(DYLIB_SONAME) \
		-Wl,--version-script=$(B)/quotedb.map -o $@ $(LIB_OBJ) \
		$(QDB_LDFLAGS) $(PKG_LIBS) -ldl
	ln -sf libquotedb.so.$(VERSION) $(B)/$(DYLIB_SONAME)
	ln -sf libquotedb.so.$(VERSION) $(B)/libquotedb.so

$(CLI): $(CLI_OBJ) $(STLIB)
	$(CC) -o $@ $(CLI_OBJ) $(STLIB) $(QDB_LDFLAGS) $(PKG_LIBS) -ldl

# A plugin exports exactly one symbol: everything else is hidden.
$(B)/plugins/%.so: plugins/%.c $(wildcard plugins/*.h) core/include/quotedb.h \
		core/include/quotedb/plugin.h
	@mkdir -p $(dir $@)
	$(CC) $(QDB_CFLAGS) -fPIC -fvisibility=hidden -shared -o $@ $< \
		$(QDB_LDFLAGS) $(PLUGIN_LIBS_$*)

# The runner registers one CUnit suite per tests/test_<module>.c.
$(B)/tests/suites.h: $(TEST_SRC)
	@mkdir -p $(dir $@)
	@printf '%s\n' $(foreach s,$(TEST_SUITES),'QDB_SUITE($(s))') > $@.tmp
	@mv $@.tmp $@

$(B)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(QDB_CFLAGS) $(CUNIT_CFLAGS) -I$(B)/tests -MMD -MP -c $< -o $@

$(B)/obj/tests/runner.o: $(B)/tests/suites.h

$(RUNNER): $(TEST_OBJ) $(STLIB)
	$(CC) -o $@ $(TEST_OBJ) $(STLIB) $(QDB_LDFLAGS) $(CUNIT_LIBS) $(PKG_LIBS) -ldl

# Installs what is missing when root (or with sudo); otherwise says how.
# One dpkg-query for them all: a quick no-op when everything is there.
deps:
	@installed=$$(dpkg-query -W -f='$${Package} $${Status}\n' $(DEPS_TEST) \
	  2>/dev/null | awk '/ install ok installed$$/ { print $$1 }'); \
	missing=""; for p in $(DEPS_TEST); do \
	  case " $$(echo $$installed) " in *" $$p "*) ;; *) missing="$$missing $$p";; esac; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "quotedb needs:$$missing (no apt-get here; install them by hand)"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=sudo; \
	else echo "Missing packages. Run:"; \
	  echo "  sudo apt-get install -y$$missing"; exit 1; fi; \
	echo "Installing:$$missing"; \
	$$sudo apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends$$missing

test check: deps
	$(MAKE) all $(RUNNER)
	$(MAKE) check-layers
	./$(RUNNER)

# The library's layers, bottom first, the files of one layer joined by
# commas: an object may call the qdb_ functions of lower layers only, so
# no two files call each other (core/internal.h says what each layer is).
LAYERS = util date,field,schema,verify,extract,draft db,extract_yaml \
	entity,cursor,plugin,source quote import,export,check,render sync
check-layers: $(LIB_OBJ)
	@sh tests/layers.sh "$(LAYERS)" $(LIB_OBJ) && \
	  echo "check-layers: the library's calls only go down its layers"

DEMO_DB = out/quotes.db
demo: deps
	$(MAKE) all
	@mkdir -p out
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	./$(CLI) --db $(DEMO_DB) init
	./$(CLI) --db $(DEMO_DB) import quotes/
	./$(CLI) --db $(DEMO_DB) list --sort date | head -n 20
	@if [ -f $(B)/plugins/csv.so ]; then ./$(CLI) --db $(DEMO_DB) export --format csv -o out/quotes.csv; fi
	@if [ -f $(B)/plugins/yaml.so ]; then ./$(CLI) --db $(DEMO_DB) export --format yaml -o out/quotes.yaml; fi
	@if [ -f $(B)/plugins/latex.so ]; then ./$(CLI) --db $(DEMO_DB) export --format latex -o out/appendix.tex; \
	  if command -v lualatex >/dev/null 2>&1; then \
	    (cd out && lualatex -no-shell-escape -halt-on-error -interaction=nonstopmode appendix.tex >/dev/null && \
	     lualatex -no-shell-escape -halt-on-error -interaction=nonstopmode appendix.tex >/dev/null) && \
	    echo "wrote out/appendix.pdf"; fi; fi
	@ls -l out/

# PREFIX is compiled into the plugin search path and written into
# quotedb.pc: both are rebuilt when it changes, so `make && make install
# PREFIX=/usr` installs a quotedb that looks in /usr/lib/quotedb/plugins.
$(B)/prefix: FORCE
	@mkdir -p $(B)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@
$(B)/obj/core/plugin.o $(B)/obj/core/cli/main.o $(B)/obj/core/cli/cmd_info.o: $(B)/prefix
FORCE:

$(B)/quotedb.pc: Makefile $(B)/prefix
	@mkdir -p $(B)
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' \
	  'includedir=$(INCLUDEDIR)' 'plugindir=$(PLUGINDIR)' '' \
	  'Name: quotedb' \
	  'Description: Direct quotations kept exactly as said, on SQLite' \
	  'Version: $(VERSION)' 'Requires.private: $(PKGS)' \
	  'Libs: -L$${libdir} -lquotedb' 'Libs.private: -ldl -pthread' \
	  'Cflags: -I$${includedir}' > $@

install: all $(B)/quotedb.pc
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
	  $(DESTDIR)$(INCLUDEDIR)/quotedb $(DESTDIR)$(PLUGINDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(TEXDIR)
	$(INSTALL) -m 755 $(CLI) $(DESTDIR)$(BINDIR)/quotedb
	$(INSTALL) -m 644 $(STLIB) $(DESTDIR)$(LIBDIR)/libquotedb.a
	$(INSTALL) -m 755 $(DYLIB) $(DESTDIR)$(LIBDIR)/libquotedb.so.$(VERSION)
	ln -sf libquotedb.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(DYLIB_SONAME)
	ln -sf libquotedb.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libquotedb.so
	$(INSTALL) -m 644 core/include/quotedb.h $(DESTDIR)$(INCLUDEDIR)/quotedb.h
	$(INSTALL) -m 644 core/include/quotedb/plugin.h $(DESTDIR)$(INCLUDEDIR)/quotedb/plugin.h
	$(INSTALL) -m 644 $(B)/quotedb.pc $(DESTDIR)$(LIBDIR)/pkgconfig/quotedb.pc
	$(INSTALL) -m 755 $(PLUGINS) $(DESTDIR)$(PLUGINDIR)/
	$(INSTALL) -m 644 man/quotedb.1 $(DESTDIR)$(MANDIR)/man1/quotedb.1
	$(INSTALL) -m 644 man/quotedb-format.5 $(DESTDIR)$(MANDIR)/man5/quotedb-format.5
	$(INSTALL) -m 644 man/quotedb-plugin.7 $(DESTDIR)$(MANDIR)/man7/quotedb-plugin.7
	$(INSTALL) -m 644 man/quotedb.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/quotedb
	$(INSTALL) -m 644 tex/quotedb.sty $(DESTDIR)$(TEXDIR)/quotedb.sty

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/quotedb $(DESTDIR)$(LIBDIR)/libquotedb.a \
	  $(DESTDIR)$(LIBDIR)/libquotedb.so.$(VERSION) \
	  $(DESTDIR)$(LIBDIR)/$(DYLIB_SONAME) $(DESTDIR)$(LIBDIR)/libquotedb.so \
	  $(DESTDIR)$(INCLUDEDIR)/quotedb.h $(DESTDIR)$(INCLUDEDIR)/quotedb/plugin.h \
	  $(DESTDIR)$(LIBDIR)/pkgconfig/quotedb.pc \
	  $(DESTDIR)$(MANDIR)/man1/quotedb.1 $(DESTDIR)$(MANDIR)/man5/quotedb-format.5 \
	  $(DESTDIR)$(MANDIR)/man7/quotedb-plugin.7 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/quotedb \
	  $(DESTDIR)$(TEXDIR)/quotedb.sty
	rm -f $(PLUGINS:$(B)/plugins/%=$(DESTDIR)$(PLUGINDIR)/%)
	-rmdir $(DESTDIR)$(INCLUDEDIR)/quotedb $(DESTDIR)$(PLUGINDIR) \
	  $(DESTDIR)$(LIBDIR)/quotedb $(DESTDIR)$(TEXDIR) 2>/dev/null

# Each public header compiles on its own (libgit2's headertest).
headertest:
	@for h in core/include/quotedb.h core/include/quotedb/plugin.h; do \
	  echo "#include \"$$h\"" | $(CC) -std=c11 -pedantic -Werror -Wall -I. -x c -fsyntax-only - || exit 1; done

clean:
	rm -rf $(B) out

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
-include tests/fuzz/fuzz.mk
-include tests/bench/bench.mk
