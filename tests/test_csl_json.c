/*
 * test_csl_json.c: the "csl-json" export plugin (plugins/csl-json.c),
 * through the fake host (exact bytes, refusals, the streaming contract),
 * then as its readers take it: every output is checked by
 * tests/data/csl/check.py, which validates it with python3-jsonschema
 * against tests/data/csl/csl-data-subset.json (our schema of what the
 * plugin writes, from the CSL 1.0.2 data model) and finds every quote's
 * text byte for byte; and the seed collection, exported by the quotedb
 * command, is the bibliography of a document pandoc --citeproc renders,
 * with every item and title in its output.
 *
 * tests/data/csl/items: input.yaml in source order, expected.json the
 * exact output.  The hostile cases are those of the other formats:
 * tests/data/yaml_export, tests/data/csv (input.yaml) and tests/data/latex
 * (input.txt, as texts of one more source).
 */
#include "helpers.h"
#include "plugin_host.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quotedb/plugin.h"
#include "../core/internal.h"

#define DATA_DIR "tests/data/csl"
#define CHECK "python3 tests/data/csl/check.py"
#define SCHEMA DATA_DIR "/csl-data-subset.json"
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void *dl;
static const qdb_plugin *plugin;

static int suite_init(void)
{
	plugin = fh_load("csl-json", &dl);
	return plugin ? 0 : -1;
}

static int suite_clean(void)
{
	if (dl)
		dlclose(dl);
	dl = NULL;
	plugin = NULL;
	th_cleanup();
	return 0;
}

static void test_descriptor(void)
{
	static const char *const options[][2] = { { NULL, NULL } };
	fh_check_descriptor(plugin, "csl-json", "json", options);
	CU_ASSERT_EQUAL(plugin->sort, QDB_SORT_SOURCE);
}

static void test_one_symbol(void)
{
	fh_check_one_symbol(th_plugin("csl-json"));
}

/* What a missing program needs, said the way the project says it. */
static int have_tools(void)
{
	if (th_run(NULL, NULL, "python3 -c 'import jsonschema' 2>/dev/null")) {
		FAILF("python3-jsonschema is not installed: apt-get install "
		      "-y --no-install-recommends python3-jsonschema");
		return 0;
	}
	if (th_run(NULL, NULL, "command -v pandoc >/dev/null")) {
		FAILF("pandoc is not installed: apt-get install -y "
		      "--no-install-recommends pandoc");
		return 0;
	}
	return 1;
}

static char *export_list(const quote_list *l, int *rc)
{
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	*rc = fh_export(&fh, l->v, l->n);
	if (*rc) {
		FAILF("export failed (%d): %s", *rc, fh.err);
		th_buf_free(&fh.out);
		return NULL;
	}
	return fh.out.data;
}

static int load_file(quote_list *l, const char *path)
{
	size_t n;
	char err[256];
	char *buf = th_read_file(path, &n);
	if (!buf) {
		FAILF("cannot read %s", path);
		return -1;
	}
	int rc = load_quotes(l, buf, n, err, sizeof err);
	free(buf);
	if (rc)
		FAILF("%s: %s", path, err);
	return rc;
}

/* Runs check.py on json with the texts of l; pandoc with the style. */
static void check_json(const char *json, size_t len, const quote_list *l,
		       int with_pandoc)
{
	const char *jpath = th_path("check.json");
	const char *tpath = th_path("check.texts");
	th_buf texts = { 0 };
	char *out = NULL;
	th_buf_write("", 0, &texts);
	for (size_t i = 0; l && i < l->n; i++)
		th_buf_write(l->v[i].text.ptr, l->v[i].text.len + 1, &texts);
	CU_ASSERT_EQUAL_FATAL(th_write_file(jpath, json, len), 0);
	CU_ASSERT_EQUAL_FATAL(th_write_file(tpath, texts.data, texts.len), 0);
	th_buf_free(&texts);
	int rc = th_run(&out, NULL, CHECK " '%s' " SCHEMA " '%s'%s", jpath,
			tpath, with_pandoc ? " --pandoc " DATA_DIR "/plain.csl"
			: "");
	if (rc)
		FAILF("check.py (%d):\n%.3000s", rc, out ? out : "");
	free(out);
}

/* Exact bytes: types, authors, containers, dates, keys. */
static void test_items(void)
{
	quote_list l;
	size_t n;
	int rc;
	if (load_file(&l, DATA_DIR "/items/input.yaml"))
		return;
	char *want = th_read_file(DATA_DIR "/items/expected.json", &n);
	char *got = export_list(&l, &rc);
	CU_ASSERT_PTR_NOT_NULL(want);
	if (got && want && strcmp(got, want) != 0) {
		th_write_file(th_path("items.json"), got, strlen(got));
		FAILF("items: output differs from expected.json (see %s)",
		      th_path("items.json"));
	}
	if (got && have_tools())
		check_json(got, strlen(got), &l, 1);
	free(want);
	free(got);
	quotes_free(&l);
}

/* Keys depend on the source alone: the same whatever else is exported,
 * and different for sources that differ in any field. */
static void test_keys_stable(void)
{
	qdb_quote q[3];
	for (int i = 0; i < 3; i++) {
		q[i] = (qdb_quote)QDB_QUOTE_INIT;
		q[i].text = (qdb_str){ "t", 1 };
		q[i].speaker = (qdb_str){ "S", 1 };
		q[i].source = (qdb_str){ "Das Über-Buch!", 15 };
	}
	q[1].source_url = (qdb_str){ "https://x/", 10 };
	quote_list one = { q, 1 }, three = { q, 3 };
	int rc;
	char *a = export_list(&one, &rc), *b = export_list(&three, &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	const char *ka = strstr(a, "\"id\": \""), *kb = strstr(b, "\"id\": \"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ka);
	CU_ASSERT_NSTRING_EQUAL(ka, "\"id\": \"das-ber-buch-", 20);
	CU_ASSERT_NSTRING_EQUAL(ka, kb, 29);
	/* three items (the host would send the first and last together):
	 * the url makes the second a source of its own, with its own key */
	char key[64];
	snprintf(key, sizeof key, "%.28s\"", ka);
	size_t same = 0, items = 0;
	for (const char *p = b; (p = strstr(p, key)); p++)
		same++;
	for (const char *p = b; (p = strstr(p, "\"id\": \"das-")); p++)
		items++;
	CU_ASSERT_EQUAL(same, 2);
	CU_ASSERT_EQUAL(items, 3);
	free(a);
	free(b);
}

static void test_sort_refused(void)
{
	qdb_sort other[] = { QDB_SORT_ADDED, QDB_SORT_DATE, QDB_SORT_SPEAKER,
			     QDB_SORT_OUTLET };
	for (size_t i = 0; i < NELEM(other); i++) {
		fake_host fh;
		void *state = &fh;
		fh_init(&fh, plugin, NULL);
		fh.h.sort = other[i];
		CU_ASSERT_EQUAL(plugin->begin(&state, &fh.h), QDB_EINVALID);
		CU_ASSERT_PTR_NULL(state);
		CU_ASSERT_STRING_EQUAL(fh.err, "one item per source needs the "
				       "quotes sorted by source: leave --sort "
				       "out");
		th_buf_free(&fh.out);
	}
}

static void test_refuses_bad_utf8(void)
{
	qdb_quote q = QDB_QUOTE_INIT;
	q.id = (qdb_str){ "x", 1 };
	q.text = (qdb_str){ "ok\xed\xa0\x80", 5 };
	q.speaker = (qdb_str){ "S", 1 };
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL(fh_export(&fh, &q, 1), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(fh.err, "quote x: text: not valid UTF-8 at "
			       "byte 2");
	th_buf_free(&fh.out);
}

/* ---- The hostile cases of every format ------------------------------- */

/* Appends the quotes of every DIR/<case>/input.yaml to all. */
static void add_cases(quote_list *all, const char *dir, size_t *nfiles)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d))) {
		char path[512];
		quote_list l;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s/input.yaml", dir, e->d_name);
		if (access(path, F_OK) != 0 || load_file(&l, path))
			continue;
		qdb_quote *v = realloc(all->v, (all->n + l.n) * sizeof *v);
		CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		memcpy(v + all->n, l.v, l.n * sizeof *v);
		all->v = v;
		all->n += l.n;
		free(l.v);   /* the strings now belong to all */
		(*nfiles)++;
	}
	closedir(d);
}

/* Source order, as the host sends it: by title, absent last; stable. */
static int source_before(const qdb_quote *a, const qdb_quote *b)
{
	if (!a->source.ptr || !b->source.ptr)
		return a->source.ptr && !b->source.ptr;
	size_t n = a->source.len < b->source.len ? a->source.len
		: b->source.len;
	int c = memcmp(a->source.ptr, b->source.ptr, n);
	return c < 0 || (c == 0 && a->source.len < b->source.len);
}

static void sort_by_source(quote_list *l)
{
	for (size_t i = 1; i < l->n; i++)
		for (size_t j = i; j > 0 && source_before(&l->v[j],
							  &l->v[j - 1]); j--) {
			qdb_quote t = l->v[j];
			l->v[j] = l->v[j - 1];
			l->v[j - 1] = t;
		}
}

static void test_hostile_cases(void)
{
	quote_list all = { NULL, 0 };
	size_t nfiles = 0;
	int rc;
	if (!have_tools())
		return;
	add_cases(&all, "tests/data/yaml_export", &nfiles);
	add_cases(&all, "tests/data/csv", &nfiles);
	CU_ASSERT(nfiles >= 10);
	/* the LaTeX cases' texts, as the quotes of one more source */
	DIR *d = opendir("tests/data/latex");
	struct dirent *e;
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d))) {
		char path[512];
		size_t n;
		snprintf(path, sizeof path, "tests/data/latex/%s/input.txt",
			 e->d_name);
		char *t = e->d_name[0] != '.' ? th_read_file(path, &n) : NULL;
		if (!t)
			continue;
		if (n && t[n - 1] == '\n')
			n--;
		/* not UTF-8: a case for the refusal, tested above */
		unsigned cp;
		size_t k = 0, i = 0;
		while (i < n && (k = qdb__utf8_decode((unsigned char *)t + i,
						      n - i, &cp)))
			i += k;
		if (i < n) {
			free(t);
			continue;
		}
		qdb_quote *v = realloc(all.v, (all.n + 1) * sizeof *v);
		CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		all.v = v;
		qdb_quote q = QDB_QUOTE_INIT;
		q.id = str_dup(e->d_name, strlen(e->d_name));
		q.text = str_dup(t, n);
		q.speaker = str_dup("Dr. {Evil} \\& \"Co\" 100%", 24);
		q.source = str_dup("LaTeX <cases> & \"hostile\" titles", 32);
		all.v[all.n++] = q;
		free(t);
	}
	closedir(d);
	sort_by_source(&all);
	char *json = export_list(&all, &rc);
	if (json)
		check_json(json, strlen(json), &all, 1);
	free(json);
	quotes_free(&all);
}

/* ---- The seed collection through the command, read by pandoc --------- */

static void test_seed_through_pandoc(void)
{
	const char *db = th_path("seed.db"), *json = th_path("seed.json");
	char *list = NULL;
	size_t n = 0;
	quote_list l = { NULL, 0 };
	if (!have_tools())
		return;
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' import "
				     "quotes/ tests/data/csl/items/input.yaml",
				     th_cli(), db), 0);
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' export "
				     "--format csl-json -o '%s'", th_cli(),
				     db, json), 0);
	char *got = th_read_file(json, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	/* the texts, from the database's own YAML export */
	CU_ASSERT_EQUAL_FATAL(th_run(&list, NULL, "'%s' --db '%s' export "
				     "--format yaml", th_cli(), db), 0);
	CU_ASSERT_EQUAL_FATAL(load_quotes(&l, list, strlen(list), NULL, 0),
			      0);
	CU_ASSERT(l.n >= 90);
	check_json(got, n, &l, 1);
	quotes_free(&l);
	free(list);
	free(got);
}

/* ---- The contract ---------------------------------------------------- */

static void test_streams(void)
{
	th_buf out;
	fh_check_streams(plugin, &out);
	/* the contract's quotes have no source: one item each */
	size_t items = 0;
	for (const char *p = out.data; (p = strstr(p, "\n  {\n")); p++)
		items++;
	CU_ASSERT_EQUAL(items, 20000);
	th_buf_free(&out);
}

static void test_write_error(void)
{
	fh_check_write_error(plugin, "cannot write the CSL-JSON output");
}

static void test_abort(void)
{
	fh_check_abort(plugin);
}

void test_csl_json_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_descriptor),
		QDB_TEST(test_one_symbol),
		QDB_TEST(test_items),
		QDB_TEST(test_keys_stable),
		QDB_TEST(test_sort_refused),
		QDB_TEST(test_refuses_bad_utf8),
		QDB_TEST(test_hostile_cases),
		QDB_TEST(test_seed_through_pandoc),
		QDB_TEST(test_streams),
		QDB_TEST(test_write_error),
		QDB_TEST(test_abort),
	};
	TH_SUITE("csl_json", suite_init, suite_clean, tests);
}
