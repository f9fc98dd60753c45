/*
 * test_export.c: the seed collection through every shipped format, end to
 * end through the quotedb command, checked by the programs people use:
 * Python's csv module reads the CSV, the YAML export imports again and
 * exports byte-identically, and pdflatex and lualatex compile the appendix
 * with every quotation found in pdftotext's output.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char db[1024], json[1024];

static int suite_init(void)
{
	snprintf(db, sizeof db, "%s", th_path("seed.db"));
	snprintf(json, sizeof json, "%s", th_path("seed.json"));
	if (th_run(NULL, NULL, "'%s' --db '%s' import quotes/", th_cli(), db))
		return -1;
	return th_run(NULL, NULL, "'%s' --db '%s' list --json > '%s'",
		      th_cli(), db, json) ? -1 : 0;
}

static int suite_clean(void)
{
	th_cleanup();
	return 0;
}

static void test_csv_read_by_python(void)
{
	const char *csv = th_path("seed.csv"), *bom = th_path("bom.csv");
	char *out = NULL;
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' export "
				     "--format csv -o '%s'", th_cli(), db, csv), 0);
	CU_ASSERT_EQUAL(th_run(&out, NULL, "python3 tests/data/export/"
			       "csv_matches_json.py '%s' '%s'", csv, json), 0);
	if (out && *out)
		fprintf(stderr, "\n%s", out);
	free(out);
	out = NULL;
	/* The spreadsheet profile: a BOM that Excel wants, the same data. */
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' export "
				     "--format csv -O bom=1 -o '%s'", th_cli(),
				     db, bom), 0);
	size_t n = 0;
	char *b = th_read_file(bom, &n);
	CU_ASSERT_FATAL(b && n > 3);
	CU_ASSERT_EQUAL(memcmp(b, "\xef\xbb\xbftext,speaker,", 16), 0);
	free(b);
	CU_ASSERT_EQUAL(th_run(&out, NULL, "python3 tests/data/export/"
			       "csv_matches_json.py '%s' '%s' utf-8-sig", bom,
			       json), 0);
	free(out);
}

/* The spreadsheet export as LibreOffice opens it with no options at all:
 * converted to xlsx headless, read back (zipfile and the sheet's XML),
 * every cell a text equal to the stored one.  The seed, the table's
 * scripts and line breaks, and values a spreadsheet likes to reinterpret:
 * a formula, a leading zero, a date, an exponent, spaces at the ends, a
 * tab, a NEL. */
static void test_spreadsheet_in_libreoffice(void)
{
	if (th_run(NULL, NULL, "command -v soffice") != 0) {
		CU_FAIL("soffice is missing: apt-get install -y "
			"--no-install-recommends libreoffice-calc-nogui");
		return;
	}
	const char *sdb = th_path("sheet.db"), *xml = th_path("quotes.xml");
	const char *sjson = th_path("sheet.json"), *dir = th_path("lo");
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' import quotes/ "
				     "tests/data/cli/table.yaml", th_cli(), sdb),
			      0);
	static const char *const traps[] = {
		"=1+1", "+33 1 23", "-5", "@SUM(A1)", "0123", "2023-10-07",
		"1e5", "  spaced  ", "a\tb", "x\xc2\x85y", "&amp; <b>\"q\"",
	};
	for (size_t i = 0; i < sizeof traps / sizeof traps[0]; i++) {
		/* A tab or a NEL only in the text: a name or tag is one
		 * line without tabs. */
		const char *name = strpbrk(traps[i], "\t\xc2") ? "S" : traps[i];
		CU_ASSERT_EQUAL(th_run(NULL, NULL, "'%s' --db '%s' add --id "
				       "trap-%zu --text '%s' --speaker '%s' "
				       "--tag '%s'", th_cli(), sdb, i, traps[i],
				       name, name), 0);
	}
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' list --json > "
				     "'%s' && '%s' --db '%s' export -f "
				     "spreadsheet -o '%s'", th_cli(), sdb, sjson,
				     th_cli(), sdb, xml), 0);
	char *out = NULL, *err = NULL;
	int rc = th_run(&out, &err, "soffice --headless "
			"-env:UserInstallation=file://%s/profile --convert-to "
			"xlsx --outdir '%s' '%s' && python3 tests/data/export/"
			"xlsx_matches_json.py '%s/quotes.xlsx' '%s'", dir, dir,
			xml, dir, sjson);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(out && strstr(out, "106 quotes, 2226 cells compared\n"));
	if (rc || !out || !strstr(out, "106 quotes"))
		fprintf(stderr, "\n%s%s", out ? out : "", err ? err : "");
	free(out);
	free(err);
}

/* import, export, import the export fresh, export again: identical. */
static void test_yaml_round_trip(void)
{
	const char *y1 = th_path("one.yaml"), *y2 = th_path("two.yaml");
	const char *db2 = th_path("again.db");
	const char *c1 = th_path("one.csv"), *c2 = th_path("two.csv");
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' export "
				     "--format yaml -o '%s'", th_cli(), db, y1), 0);
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' import '%s'",
				     th_cli(), db2, y1), 0);
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' export "
				     "--format yaml -o '%s'", th_cli(), db2,
				     y2), 0);
	CU_ASSERT_EQUAL(th_run(NULL, NULL, "cmp '%s' '%s'", y1, y2), 0);
	/* Every field survives, not only what YAML writes: compare all of
	 * them through the CSV of both databases, in the YAML's order (by
	 * source), which is the order the second database added them in. */
	CU_ASSERT_EQUAL(th_run(NULL, NULL, "'%s' --db '%s' export --format csv "
			       "--sort source -o '%s' && '%s' --db '%s' export "
			       "--format csv --sort source -o '%s' && cmp '%s' "
			       "'%s'", th_cli(), db, c1,
			       th_cli(), db2, c2, c1, c2), 0);
	/* And the export imported over the original changes nothing. */
	char *err = NULL;
	CU_ASSERT_EQUAL(th_run(NULL, &err, "'%s' --db '%s' import '%s'",
			       th_cli(), db, y1), 0);
	CU_ASSERT_STRING_EQUAL(err ? err : "", "quotedb: imported 86 quotes: "
			       "0 new, 86 already present\n");
	free(err);
}

static void compile_with(const char *engine)
{
	char dir[1024], cmd[64];
	snprintf(dir, sizeof dir, "%s", th_path(engine));
	snprintf(cmd, sizeof cmd, "%s", engine);
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "mkdir -p '%s' && '%s' --db "
				     "'%s' export --format latex -o '%s/a.tex'",
				     dir, th_cli(), db, dir), 0);
	char *log = NULL;
	int rc = th_run(&log, NULL, "cd '%s' && %s -no-shell-escape "
			"-halt-on-error -interaction=nonstopmode a.tex && %s "
			"-no-shell-escape -halt-on-error -interaction=nonstopmode "
			"a.tex", dir, cmd, cmd);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc)
		fprintf(stderr, "\n  %s failed:\n%s", engine,
			log ? log + (strlen(log) > 3000 ? strlen(log) - 3000 : 0)
			: "(no output; is it installed? make deps)");
	free(log);
	char *out = NULL;
	rc = th_run(&out, NULL, "cd '%s' && pdftotext -raw -enc UTF-8 a.pdf "
		    "a.txt && python3 \"$OLDPWD/tests/data/export/"
		    "texts_from_json.py\" '%s' texts.bin && python3 "
		    "\"$OLDPWD/tests/tex/pdf_has_texts.py\" a.txt texts.bin",
		    dir, json);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc)
		fprintf(stderr, "\n  %s: quotes missing from the PDF:\n%s",
			engine, out ? out : "");
	free(out);
}

static void test_latex_pdflatex(void)
{
	compile_with("pdflatex");
}

static void test_latex_lualatex(void)
{
	compile_with("lualatex");
}

void test_export_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_csv_read_by_python),
		QDB_TEST(test_spreadsheet_in_libreoffice),
		QDB_TEST(test_yaml_round_trip),
		QDB_TEST(test_latex_pdflatex),
		QDB_TEST(test_latex_lualatex),
	};
	TH_SUITE("export", suite_init, suite_clean, tests);
}
