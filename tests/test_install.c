/*
 * test_install.c: what `make install` puts on a machine, and what a plugin
 * author then does with it.
 *
 * The tree is staged with DESTDIR under the temporary directory, PREFIX=/usr,
 * and must hold exactly the files of tests/data/install/files.txt.  The
 * out-of-tree plugin tests/data/install/myfmt.c (the example plugin of
 * quotedb-plugin(7)) is built against the staged headers through the staged
 * quotedb.pc, loaded through QUOTEDB_PLUGIN_PATH and run on input.yaml: the
 * export must be output.txt byte for byte.  Every plugin exports exactly one
 * symbol.  The man pages render without warnings, their examples are the
 * ones tested here, and they and the bash completion name every command and
 * option of the command's own --help.  `make uninstall` then leaves no file.
 *
 * The runner runs from the top of the source tree, after `make all`.
 */
#include "helpers.h"

#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DATA "tests/data/install"

/* Make must not inherit the jobserver or flags of a `make test` above. */
#define MAKE "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make -s"

static char stage[PATH_MAX];     /* DESTDIR */
static char plugdir[PATH_MAX];   /* where the out-of-tree plugin is built */
static char dbpath[PATH_MAX];    /* input.yaml imported */
static int installed;            /* make install succeeded */
static int plugin_built;         /* myfmt.so built */

/* ---- helpers -------------------------------------------------------- */

/* Runs a shell command; shows it with its stderr when it exits non-zero. */
static int sh(char **out, char **err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int sh(char **out, char **err, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	char *e = NULL;
	int st = th_run(out, &e, "%s", cmd);
	if (st != 0)
		fprintf(stderr, "\n  $ %s\n  exit %d: %s\n", cmd, st,
			e ? e : "");
	if (err)
		*err = e;
	else
		free(e);
	return st;
}

/* The file's bytes as a string; "" when it cannot be read (and says so). */
static char *slurp(const char *path)
{
	char *s = th_read_file(path, NULL);
	if (!s) {
		fprintf(stderr, "\n  cannot read %s\n", path);
		s = calloc(1, 1);
	}
	return s;
}

/* Counts the lines of s (each ends with \n). */
static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * The roff escapes the man pages use inside examples, undone: \e \- \(aq
 * \(ti \(dq \&.  Anything else is left as it is, so that it shows up as a
 * difference rather than being guessed at.
 */
static char *unroff(const char *s)
{
	static const struct { const char *esc, *plain; } map[] = {
		{ "\\e", "\\" }, { "\\-", "-" }, { "\\(aq", "'" },
		{ "\\(ti", "~" }, { "\\(dq", "\"" }, { "\\&", "" },
	};
	char *out = malloc(strlen(s) + 1), *o = out;
	if (!out)
		return NULL;
	while (*s) {
		size_t k, n = sizeof map / sizeof map[0];
		for (k = 0; k < n; k++)
			if (!strncmp(s, map[k].esc, strlen(map[k].esc)))
				break;
		if (k < n) {
			strcpy(o, map[k].plain);
			o += strlen(map[k].plain);
			s += strlen(map[k].esc);
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* The text between the first ".EX" after the heading and its ".EE",
 * unescaped; NULL when there is none. */
static char *example_after(const char *page, const char *heading)
{
	const char *h = strstr(page, heading);
	const char *ex = h ? strstr(h, "\n.EX\n") : NULL;
	const char *ee = ex ? strstr(ex + 5, "\n.EE\n") : NULL;
	if (!ee)
		return NULL;
	size_t n = (size_t)(ee - (ex + 5)) + 1;
	char *raw = malloc(n + 1);
	if (!raw)
		return NULL;
	memcpy(raw, ex + 5, n);
	raw[n] = '\0';
	char *plain = unroff(raw);
	free(raw);
	return plain;
}

/* Tabs expanded to the next multiple of 8, as expand(1) does. */
static char *expand_tabs(const char *s)
{
	size_t tabs = 0;
	for (const char *p = s; *p; p++)
		tabs += *p == '\t';
	char *out = malloc(strlen(s) + 7 * tabs + 1), *o = out;
	if (!out)
		return NULL;
	size_t col = 0;
	for (; *s; s++) {
		if (*s == '\t') {
			do
				*o++ = ' ';
			while (++col % 8);
		} else {
			*o++ = *s;
			col = *s == '\n' ? 0 : col + 1;
		}
	}
	*o = '\0';
	return out;
}

/* Whether text names the option opt as a whole word: --source must not
 * be found in --source-file. */
static int names_option(const char *text, const char *opt)
{
	size_t n = strlen(opt);
	for (const char *p = strstr(text, opt); p; p = strstr(p + 1, opt)) {
		char before = p == text ? ' ' : p[-1];
		char after = p[n];
		if (before != '-' && !(after == '-' || (after >= 'a' &&
		    after <= 'z') || (after >= 'A' && after <= 'Z')))
			return 1;
	}
	return 0;
}

/* The symbols a shared object defines for the dynamic linker, one a line,
 * without those the linker itself adds; NULL when nm fails. */
static char *exported(const char *so)
{
	char *out = NULL;
	if (sh(&out, NULL, "nm -D --defined-only '%s' | awk '$3 !~ "
	       "/^(_init|_fini|_edata|_end|__bss_start)$/ { print $2, $3 }'",
	       so) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* pkg-config on the staged quotedb.pc, as a plugin author would run it
 * against an install under a sysroot. */
static int staged_pkg_config(char **out, const char *args)
{
	return sh(out, NULL, "PKG_CONFIG_PATH='%s/usr/lib/pkgconfig' "
		  "PKG_CONFIG_SYSROOT_DIR='%s' pkg-config %s", stage, stage,
		  args);
}

/* ---- the staged install -------------------------------------------- */

static int suite_init(void)
{
	if (access("Makefile", R_OK) != 0 ||
	    access("core/cli/main.c", R_OK) != 0) {
		fprintf(stderr, "install: run the tests from the top of "
			"the source tree\n");
		return 1;
	}
	snprintf(stage, sizeof stage, "%s", th_path("stage"));
	snprintf(plugdir, sizeof plugdir, "%s", th_path("plugins"));
	snprintf(dbpath, sizeof dbpath, "%s", th_path("install.db"));
	return 0;
}

static int suite_clean(void)
{
	th_cleanup();
	return 0;
}

static void test_make_install(void)
{
	/* A build directory of its own: objects that embed PREFIX are
	 * not rebuilt under the build/ everything else is using. */
	int st = sh(NULL, NULL, MAKE " install B='%s' DESTDIR='%s' "
		    "PREFIX=/usr", th_path("build"), stage);
	CU_ASSERT_EQUAL(st, 0);
	installed = st == 0;
}

/* Exactly the listed files, nothing more, nothing less. */
static void test_installed_files(void)
{
	CU_ASSERT_FATAL(installed);
	char *found = NULL, *expected = NULL;
	CU_ASSERT_EQUAL_FATAL(sh(&found, NULL, "cd '%s' && find . -type f -o "
				 "-type l | sed 's|^\\./||' | LC_ALL=C sort",
				 stage), 0);
	/* files.txt writes the version as @VERSION@: quotedb.h has it. */
	CU_ASSERT_EQUAL_FATAL(sh(&expected, NULL, "sed 's/@VERSION@/"
				 QDB_VERSION "/' " DATA "/files.txt | LC_ALL=C "
				 "sort"), 0);
	CU_ASSERT_STRING_EQUAL(found, expected);
	if (strcmp(found, expected) != 0)
		fprintf(stderr, "\n  installed:\n%s  expected (%s):\n%s", found,
			DATA "/files.txt", expected);
	free(found);
	free(expected);

	/* The list names one plugin for each plugins/NAME.c. */
	char *sources = NULL, *listed = NULL;
	CU_ASSERT_EQUAL(sh(&sources, NULL, "for f in plugins/*.c; do "
			   "f=${f#plugins/}; echo \"usr/lib/quotedb/plugins/"
			   "${f%%.c}.so\"; done | LC_ALL=C sort"), 0);
	CU_ASSERT_EQUAL(sh(&listed, NULL, "grep '^usr/lib/quotedb/plugins/' "
			   DATA "/files.txt | LC_ALL=C sort"), 0);
	CU_ASSERT_STRING_EQUAL(listed, sources);
	free(sources);
	free(listed);
}

/* Programs and plugins 0755, everything else 0644, the symlinks right. */
static void test_modes_and_links(void)
{
	CU_ASSERT_FATAL(installed);
	char *list = slurp(DATA "/files.txt");
	for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
		char path[PATH_MAX * 2];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", stage, line);
		if (lstat(path, &st) != 0 || S_ISLNK(st.st_mode))
			continue;
		size_t n = strlen(line);
		int exec = !strncmp(line, "usr/bin/", 8) ||
			(n > 3 && !strcmp(line + n - 3, ".so")) ||
			strstr(line, ".so.") != NULL;
		unsigned want = exec ? 0755 : 0644;
		if ((st.st_mode & 07777) != want) {
			fprintf(stderr, "\n  %s: mode %04o, expected %04o\n",
				line, (unsigned)(st.st_mode & 07777), want);
			CU_FAIL("wrong mode");
		}
	}
	free(list);

	static const char *const links[] = { "libquotedb.so.0",
					     "libquotedb.so" };
	for (size_t i = 0; i < 2; i++) {
		char path[PATH_MAX * 2], target[PATH_MAX];
		snprintf(path, sizeof path, "%s/usr/lib/%s", stage, links[i]);
		ssize_t n = readlink(path, target, sizeof target - 1);
		CU_ASSERT_FATAL(n > 0);
		target[n] = '\0';
		CU_ASSERT_STRING_EQUAL(target, "libquotedb.so." QDB_VERSION);
	}
	char *soname = NULL;
	CU_ASSERT_EQUAL(sh(&soname, NULL, "readelf -d '%s/usr/lib/"
			   "libquotedb.so." QDB_VERSION "' | grep SONAME", stage), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(soname ? soname : "",
				      "[libquotedb.so.0]"));
	free(soname);
}

/* quotedb.pc says where things went, for the PREFIX given. */
static void test_pkg_config(void)
{
	CU_ASSERT_FATAL(installed);
	char path[PATH_MAX * 2];
	snprintf(path, sizeof path, "%s/usr/lib/pkgconfig/quotedb.pc", stage);
	char *pc = slurp(path);
	CU_ASSERT_PTR_NOT_NULL(strstr(pc, "prefix=/usr\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(pc, "Version: " QDB_VERSION "\n"));
	free(pc);

	char *out = NULL;
	CU_ASSERT_EQUAL(staged_pkg_config(&out, "--cflags quotedb"), 0);
	char want[PATH_MAX * 2];
	snprintf(want, sizeof want, "-I%s/usr/include", stage);
	CU_ASSERT_PTR_NOT_NULL(strstr(out ? out : "", want));
	free(out);
	out = NULL;
	/* A variable is a path on the target: the sysroot is not added. */
	CU_ASSERT_EQUAL(sh(&out, NULL, "PKG_CONFIG_PATH='%s/usr/lib/pkgconfig'"
			   " pkg-config --variable=plugindir quotedb", stage),
			0);
	CU_ASSERT_STRING_EQUAL(out ? out : "", "/usr/lib/quotedb/plugins\n");
	free(out);
}

/*
 * The installed program runs, and looks for plugins where they were
 * installed: `make && make install PREFIX=/usr` must not give a quotedb
 * that searches /usr/local.
 */
static void test_installed_program(void)
{
	CU_ASSERT_FATAL(installed);
	char *out = NULL;
	CU_ASSERT_EQUAL(sh(&out, NULL, "'%s/usr/bin/quotedb' --version",
			   stage), 0);
	CU_ASSERT_EQUAL(strncmp(out ? out : "", "quotedb " QDB_VERSION " (",
				strlen("quotedb " QDB_VERSION " (")), 0);
	free(out);
	out = NULL;
	/* info exits 1 without a database, after printing the paths. */
	th_run(&out, NULL, "env -u QUOTEDB_PLUGIN_PATH '%s/usr/bin/quotedb' "
	       "--db '%s' info", stage, th_path("no.db"));
	const char *want = "\nplugin path   /usr/lib/quotedb/plugins (then";
	int found = out && strstr(out, want);
	CU_ASSERT(found);
	if (!found)
		fprintf(stderr, "\n  installed quotedb info:\n%s",
			out ? out : "");
	free(out);
}

/* ---- an out-of-tree plugin ----------------------------------------- */

static void test_out_of_tree_plugin(void)
{
	CU_ASSERT_FATAL(installed);
	char *cflags = NULL;
	CU_ASSERT_EQUAL_FATAL(staged_pkg_config(&cflags, "--cflags quotedb"),
			      0);
	cflags[strcspn(cflags, "\n")] = '\0';
	/* Built away from the source tree, so only the staged headers can
	 * be found, with the command of quotedb-plugin(7) and every
	 * warning on. */
	int st = sh(NULL, NULL, "mkdir -p '%s' '%s/src' && cp " DATA "/myfmt.c "
		    "'%s/src/' && cd '%s/src' && ${CC:-cc} -shared -fPIC "
		    "-fvisibility=hidden %s -std=c11 -pedantic -Wall -Wextra "
		    "-Werror -o '%s/myfmt.so' myfmt.c && chmod 755 "
		    "'%s/myfmt.so'", plugdir, th_tmpdir(), th_tmpdir(),
		    th_tmpdir(), cflags, plugdir, plugdir);
	free(cflags);
	CU_ASSERT_EQUAL_FATAL(st, 0);
	plugin_built = 1;

	char so[PATH_MAX * 2];
	snprintf(so, sizeof so, "%s/myfmt.so", plugdir);
	char *syms = exported(so);
	CU_ASSERT_STRING_EQUAL(syms ? syms : "", "T qdb_plugin_descriptor\n");
	free(syms);

	CU_ASSERT_EQUAL_FATAL(sh(NULL, NULL, "'%s' --db '%s' import "
				 DATA "/input.yaml", th_cli(), dbpath), 0);
	char *want = slurp(DATA "/output.txt");
	CU_ASSERT_EQUAL(count_lines(want), 3);

	/* To stdout, in the quotedb process; a path list with a directory
	 * that does not exist first. */
	char *out = NULL;
	CU_ASSERT_EQUAL(sh(&out, NULL, "QUOTEDB_PLUGIN_PATH='%s/nowhere:%s' "
			   "'%s' --db '%s' export --format myfmt", th_tmpdir(),
			   plugdir, th_cli(), dbpath), 0);
	CU_ASSERT_STRING_EQUAL(out ? out : "", want);
	free(out);

	/* To a file, through the child process. */
	const char *file = th_path("export.txt");
	CU_ASSERT_EQUAL(sh(NULL, NULL, "QUOTEDB_PLUGIN_PATH='%s' '%s' "
			   "--db '%s' export --format myfmt -o '%s'", plugdir,
			   th_cli(), dbpath, file), 0);
	out = slurp(file);
	CU_ASSERT_STRING_EQUAL(out, want);
	free(out);

	/* The installed program loads it as well. */
	out = NULL;
	CU_ASSERT_EQUAL(sh(&out, NULL, "QUOTEDB_PLUGIN_PATH='%s' '%s/usr/bin/"
			   "quotedb' --db '%s' export --format myfmt", plugdir,
			   stage, dbpath), 0);
	CU_ASSERT_STRING_EQUAL(out ? out : "", want);
	free(out);
	free(want);

	/* formats lists it, sorted among the others, from where it was
	 * found. */
	out = NULL;
	CU_ASSERT_EQUAL(sh(&out, NULL, "QUOTEDB_PLUGIN_PATH='%s' '%s' formats",
			   plugdir, th_cli()), 0);
	char head[PATH_MAX * 3];
	snprintf(head, sizeof head, "myfmt    1.0    .txt   one line per "
		 "quote: id, tab, speaker\n         %s/myfmt.so\n", plugdir);
	char *at = out ? strstr(out, head) : NULL;
	CU_ASSERT(at == out || (at && at[-1] == '\n'));
	free(out);

	/* A relative directory is never searched, not even from where it
	 * is relative to. */
	char *err = NULL;
	int rc = th_run(NULL, &err, "cd '%s' && QUOTEDB_PLUGIN_PATH=plugins "
			"'%s' --db '%s' export --format myfmt", th_tmpdir(),
			th_cli(), dbpath);
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err ? err : "", "no plugin 'myfmt'"));
	free(err);
}

/*
 * libquotedb.so exports exactly the functions quotedb.h declares (not
 * its static inline ones), each by name, and none of the qdb__ helpers
 * the library's files share: every declared function is defined, and
 * nothing else gets out.
 */
static void test_library_exports(void)
{
	char *diff = NULL;
	const char *declared = th_path("declared.txt");
	const char *defined = th_path("exported.txt");
	int rc = sh(&diff, NULL, "sed -n '/^static/d; s/^[a-z][^(]*[ *]"
		    "\\(qdb_[a-z0-9_]*\\)(.*/\\1/p' core/include/quotedb.h | "
		    "sort > '%s' && nm -D --defined-only "
		    "'%s/usr/lib/libquotedb.so' | awk '$3 !~ /^(_init|_fini|"
		    "_edata|_end|__bss_start|QUOTEDB_0)$/ { sub(/@.*/, \"\", $3); "
		    "print $3 }' | sort > '%s' && diff '%s' '%s'", declared,
		    stage, defined, declared, defined);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc)
		fprintf(stderr, "\n  declared vs exported:\n%s", diff ? diff
			: "");
	char *list = slurp(declared);
	CU_ASSERT(count_lines(list) >= 30);
	free(list);
	free(diff);
}

/* Every plugin of the build under test (build/plugins, or $QDB_PLUGINS
 * in the sanitizer and coverage builds, which a fresh clone has alone)
 * exports qdb_plugin_descriptor and nothing else; there is one for each
 * plugins/NAME.c. */
static void test_plugin_symbols(void)
{
	char *sources = NULL, *built = NULL;
	const char *dir = getenv("QDB_PLUGINS");
	if (!dir || !*dir)
		dir = "build/plugins";
	CU_ASSERT_EQUAL(sh(&sources, NULL, "for f in plugins/*.c; do "
			   "f=${f#plugins/}; echo \"${f%%.c}\"; done | "
			   "LC_ALL=C sort"), 0);
	CU_ASSERT_EQUAL(sh(&built, NULL, "cd '%s' && for f in *.so; do echo "
			   "\"${f%%.so}\"; done | LC_ALL=C sort", dir), 0);
	CU_ASSERT_STRING_EQUAL(built ? built : "", sources ? sources : "");
	for (char *name = strtok(built, "\n"); name;
	     name = strtok(NULL, "\n")) {
		char so[PATH_MAX];
		snprintf(so, sizeof so, "%s/%s.so", dir, name);
		char *syms = exported(so);
		CU_ASSERT_STRING_EQUAL(syms ? syms : "",
				       "T qdb_plugin_descriptor\n");
		if (syms && strcmp(syms, "T qdb_plugin_descriptor\n"))
			fprintf(stderr, "\n  %s exports:\n%s", so, syms);
		free(syms);
	}
	free(sources);
	free(built);
}

/* ---- man pages and completion -------------------------------------- */

static const char *const pages[] = {
	"man/quotedb.1", "man/quotedb-format.5", "man/quotedb-plugin.7"
};

/* groff and man-db, when there, format each page without a warning. */
static void test_man_pages_render(void)
{
	int have_groff = th_run(NULL, NULL, "command -v groff") == 0;
	int have_man = th_run(NULL, NULL, "command -v man") == 0;
	if (!have_groff || !have_man)
		fprintf(stderr, "\n  %s%s%s not installed: man pages not "
			"rendered (Debian: groff-base, man-db) ",
			have_groff ? "" : "groff", !have_groff && !have_man
			? " and " : "", have_man ? "" : "man");
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		char *err = NULL;
		if (have_groff) {
			CU_ASSERT_EQUAL(sh(NULL, &err, "groff -man -ww -z '%s'",
					   pages[i]), 0);
			CU_ASSERT_STRING_EQUAL(err ? err : "", "");
			free(err);
			err = NULL;
		}
		if (have_man) {
			CU_ASSERT_EQUAL(sh(NULL, &err, "LC_ALL=C.UTF-8 "
					   "MANWIDTH=80 man -l --warnings "
					   "-E UTF-8 '%s' >/dev/null",
					   pages[i]), 0);
			CU_ASSERT_STRING_EQUAL(err ? err : "", "");
			if (err && *err)
				fprintf(stderr, "\n  %s: %s", pages[i], err);
			free(err);
		}
	}
}

/* The plugin of quotedb-plugin(7) is the one built and run above. */
static void test_man_plugin_example(void)
{
	char *page = slurp("man/quotedb-plugin.7");
	char *shown = example_after(page, "\n.SH EXAMPLE\n");
	char *src = slurp(DATA "/myfmt.c");
	char *want = expand_tabs(src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(shown);
	CU_ASSERT_STRING_EQUAL(shown, want);
	free(page);
	free(shown);
	free(src);
	free(want);
}

/* The example of quotedb-format(5) imports as it stands. */
static void test_man_format_example(void)
{
	char *page = slurp("man/quotedb-format.5");
	char *yaml = example_after(page, "\n.SH EXAMPLE\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(yaml);
	const char *file = th_path("example.yaml");
	CU_ASSERT_EQUAL_FATAL(th_write_file(file, yaml, strlen(yaml)), 0);
	char *err = NULL;
	CU_ASSERT_EQUAL(sh(NULL, &err, "'%s' --db '%s' import '%s'", th_cli(),
			   th_path("example.db"), file), 0);
	CU_ASSERT_STRING_EQUAL(err ? err : "", "quotedb: imported 1 quote: "
			       "1 new, 0 already present\n");
	free(err);
	free(yaml);
	free(page);
}

/*
 * quotedb.1 and quotedb.bash name every command of `quotedb --help` and
 * every option of each `quotedb COMMAND --help`.
 */
static void test_docs_cover_help(void)
{
	char *page = slurp("man/quotedb.1");
	char *man = unroff(page);
	char *bash = slurp("man/quotedb.bash");
	char *cmds = NULL;
	CU_ASSERT_EQUAL_FATAL(sh(&cmds, NULL, "'%s' --help | sed -n "
				 "'s/^  \\([a-z]*\\) .*/\\1/p'", th_cli()), 0);
	CU_ASSERT(count_lines(cmds) >= 15);
	for (char *save = NULL, *cmd = strtok_r(cmds, "\n", &save); cmd;
	     cmd = strtok_r(NULL, "\n", &save)) {
		char b[96], br[96], brq[96];
		snprintf(b, sizeof b, "\n.B %s\n", cmd);
		snprintf(br, sizeof br, "\n.BR %s ", cmd);
		snprintf(brq, sizeof brq, "\n.BR \"%s ", cmd);
		if (!strstr(man, b) && !strstr(man, br) && !strstr(man, brq)) {
			fprintf(stderr, "\n  quotedb.1 has no command %s", cmd);
			CU_FAIL("a command missing from quotedb.1");
		}
		if (!names_option(bash, cmd)) {
			fprintf(stderr, "\n  quotedb.bash has no command %s",
				cmd);
			CU_FAIL("a command missing from quotedb.bash");
		}
		char *opts = NULL;
		CU_ASSERT_EQUAL(sh(&opts, NULL, "'%s' %s --help | grep -oE -- "
				   "'(^|[ ,[])--?[a-zA-Z][a-zA-Z-]*' | "
				   "sed 's/^[ ,[]//' | sort -u", th_cli(), cmd),
				0);
		for (char *s2 = NULL, *o = strtok_r(opts, "\n", &s2); o;
		     o = strtok_r(NULL, "\n", &s2)) {
			if (!names_option(man, o)) {
				fprintf(stderr, "\n  quotedb.1 lacks %s %s",
					cmd, o);
				CU_FAIL("an option missing from quotedb.1");
			}
			if (!names_option(bash, o)) {
				fprintf(stderr, "\n  quotedb.bash lacks %s %s",
					cmd, o);
				CU_FAIL("an option missing from quotedb.bash");
			}
		}
		free(opts);
	}
	free(cmds);
	free(page);
	free(man);
	free(bash);
}

/* The completion, run by bash as it would run it on Tab. */
static void test_completion(void)
{
	CU_ASSERT_EQUAL(sh(NULL, NULL, "bash -n man/quotedb.bash"), 0);
	CU_ASSERT_FATAL(plugin_built);
	char *out = NULL;
	int st = sh(&out, NULL, "QUOTEDB_PLUGIN_PATH='%s' bash -c '"
		    "source man/quotedb.bash; "
		    "c() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); "
		    "COMPREPLY=(); _quotedb; "
		    "printf \"%%s\\n\" \"${COMPREPLY[@]}\"; "
		    "echo --; }; "
		    "q=%s; "
		    "c $q li; "
		    "c $q list --sor; "
		    "c $q list --sort d; "
		    "c $q list --sort = sp; "
		    "c $q export -f my; "
		    "c $q --db %s list --speaker Ada; "
		    "c $q list --db %s --speaker Love; "
		    "c $q --db %s show inst; "
		    "c $q speaker \"\"; "
		    "c $q help imp'", plugdir, th_cli(), dbpath, dbpath,
		    dbpath);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_STRING_EQUAL(out ? out : "",
			       "list\n--\n"
			       "--sort\n--\n"
			       "date\n--\n"
			       "speaker\n--\n"
			       "myfmt\n--\n"
			       "Ada\\ Lovelace\n--\n"
			       "Lovelace\n--\n"
			       "install-1\ninstall-2\n--\n"
			       "alias\nmerge\n--\n"
			       "import\n--\n");
	free(out);
}

/* ---- uninstall ------------------------------------------------------ */

static void test_make_uninstall(void)
{
	CU_ASSERT_FATAL(installed);
	CU_ASSERT_EQUAL(sh(NULL, NULL, MAKE " uninstall B='%s' DESTDIR='%s' "
			   "PREFIX=/usr", th_path("build"), stage), 0);
	char *left = NULL;
	CU_ASSERT_EQUAL(sh(&left, NULL, "cd '%s' && find . -type f -o -type l",
			   stage), 0);
	CU_ASSERT_STRING_EQUAL(left ? left : "", "");
	free(left);
}

void test_install_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_make_install),
		QDB_TEST(test_installed_files),
		QDB_TEST(test_modes_and_links),
		QDB_TEST(test_pkg_config),
		QDB_TEST(test_installed_program),
		QDB_TEST(test_out_of_tree_plugin),
		QDB_TEST(test_plugin_symbols),
		QDB_TEST(test_library_exports),
		QDB_TEST(test_man_pages_render),
		QDB_TEST(test_man_plugin_example),
		QDB_TEST(test_man_format_example),
		QDB_TEST(test_docs_cover_help),
		QDB_TEST(test_completion),
		QDB_TEST(test_make_uninstall),
	};
	TH_SUITE("install", suite_init, suite_clean, tests);
}
