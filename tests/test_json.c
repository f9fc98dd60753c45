/*
 * test_json.c: the "json" export plugin (plugins/json.c), JSON Lines.
 * Through the fake host: the exact bytes of a line, hostile texts (every
 * control character, U+2028/U+2029, quotes, backslashes, characters
 * beyond the BMP) read back byte for byte by jq and by Python's json
 * module, invalid UTF-8 refused with the quote and the field, and the
 * plugin contract.  Through the real command: the seed collection and
 * tests/data/hostile exported and read back by Python and jq, compared
 * field by field with the YAML export of the same database.
 */
#include "helpers.h"
#include "plugin_host.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MATCH_SCRIPT "tests/data/json/json_matches_yaml.py"

static void *dl;
static const qdb_plugin *plugin;

static int suite_init(void)
{
	plugin = fh_load("json", &dl);
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

static qdb_str S(const char *s)
{
	return (qdb_str){ s, strlen(s) };
}

/* Fails with the line that installs cmd when it is missing. */
static int need(const char *cmd, const char *package)
{
	if (th_run(NULL, NULL, "command -v %s", cmd) == 0)
		return 1;
	FAILF("%s is not installed: apt-get install -y %s", cmd, package);
	return 0;
}

static void test_descriptor(void)
{
	static const char *const options[][2] = { { NULL, NULL } };
	fh_check_descriptor(plugin, "json", "jsonl", options);
	CU_ASSERT_EQUAL(plugin->sort, QDB_SORT_ADDED);
}

static void test_one_symbol(void)
{
	fh_check_one_symbol(th_plugin("json"));
}

/* Every field, in the table's order; the source as one object; absent
 * fields null; a quote without a source has "source": null. */
static void test_exact_output(void)
{
	static const qdb_str tags[] = { { "iran", 4 }, { "evidence", 8 } };
	qdb_quote q[2] = { QDB_QUOTE_INIT, QDB_QUOTE_INIT };
	q[0].id = S("p14");
	q[0].text = S("there is no clear evidence");
	q[0].speaker = S("Joe Biden");
	q[0].role = S("President");
	q[0].date = S("2023-10-15~");
	q[0].date_text = S("a week after 7 October");
	q[0].outlet = S("CBS");
	q[0].programme = S("60 Minutes");
	q[0].occasion = S("interview");
	q[0].reported_by = S("WSJ");
	q[0].source = S("Iran and 7 October");
	q[0].source_author = S("Kyle Orton");
	q[0].source_date = S("2024-01-29");
	q[0].source_url = S("https://example.org/");
	q[0].source_file = S("quotes/example.txt");
	q[0].locator = S("para. 14");
	q[0].language = S("en");
	q[0].translated = S("fa");
	q[0].original = S("\"no\" \\ proof\nline");
	q[0].context = S("Biden on Iran");
	q[0].tags = tags;
	q[0].ntags = 2;
	q[1].text = S("t");
	q[1].speaker = S("S");
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL_FATAL(fh_export(&fh, q, 2), 0);
	const char *want =
		"{\"id\":\"p14\",\"text\":\"there is no clear evidence\","
		"\"speaker\":\"Joe Biden\",\"role\":\"President\","
		"\"date\":\"2023-10-15~\","
		"\"date_text\":\"a week after 7 October\",\"outlet\":\"CBS\","
		"\"programme\":\"60 Minutes\",\"occasion\":\"interview\","
		"\"reported_by\":\"WSJ\",\"source\":{\"title\":"
		"\"Iran and 7 October\",\"author\":\"Kyle Orton\","
		"\"date\":\"2024-01-29\",\"url\":\"https://example.org/\","
		"\"file\":\"quotes/example.txt\"},\"locator\":\"para. 14\","
		"\"language\":\"en\",\"translated\":\"fa\","
		"\"original\":\"\\\"no\\\" \\\\ proof\\nline\","
		"\"context\":\"Biden on Iran\","
		"\"tags\":[\"iran\",\"evidence\"]}\n"
		"{\"id\":null,\"text\":\"t\",\"speaker\":\"S\",\"role\":null,"
		"\"date\":null,\"date_text\":null,\"outlet\":null,"
		"\"programme\":null,\"occasion\":null,\"reported_by\":null,"
		"\"source\":null,\"locator\":null,\"language\":null,"
		"\"translated\":null,\"original\":null,\"context\":null,"
		"\"tags\":[]}\n";
	CU_ASSERT_STRING_EQUAL(fh.out.data, want);
	th_buf_free(&fh.out);
}

/* The escapes themselves: short forms, \u00XX, U+2028/9; the rest as is. */
static void test_escapes(void)
{
	qdb_quote q = QDB_QUOTE_INIT;
	q.text = S("\"\\/\n\r\t\x01\x1f\x7f\xc2\x85\xc2\x9f\xc2\xa0"
		   "\xe2\x80\xa8\xe2\x80\xa9\xf0\x9f\x98\x80\xef\xbb\xbf");
	q.speaker = S("S");
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL_FATAL(fh_export(&fh, &q, 1), 0);
	const char *want = "{\"id\":null,\"text\":\"\\\"\\\\/\\n\\r\\t"
		"\\u0001\\u001f\\u007f\\u0085\\u009f\xc2\xa0\\u2028\\u2029"
		"\xf0\x9f\x98\x80\xef\xbb\xbf\",";
	CU_ASSERT_NSTRING_EQUAL(fh.out.data, want, strlen(want));
	th_buf_free(&fh.out);
}

/* Texts no store holds (control characters) and every other hostile
 * string: what jq and Python decode is the bytes given. */
static const char *const hostile[] = {
	"\x01\x02\x03\x04\x05\x06\x07\x08\t\x0b\x0c\x0e\x0f\x10\x1b\x1f\x7f",
	"cr\rlf\ncrlf\r\nend\n",
	"NEL\xc2\x85LS\xe2\x80\xa8PS\xe2\x80\xa9" "BOM\xef\xbb\xbf!",
	"C1 \xc2\x80\xc2\x9f NBSP\xc2\xa0 SHY\xc2\xad",
	"noncharacters \xef\xbf\xbe \xef\xbf\xbf \xf4\x8f\xbf\xbf",
	"emoji \xf0\x9f\x98\x80 clef \xf0\x9d\x84\x9e CJK \xe4\xb8\xad "
	"Hebrew \xd7\xa9 Arabic \xd8\xb9",
	"\"double\" 'single' \\backslash\\ \\n \\u0041 \\\"",
	"</script><script>alert(1)</script> <!-- --> ]]>",
	"{\"json\": [1, null]}", "null", "true", "  spaces  ", "\\",
};

static void test_hostile_read_back(void)
{
	size_t n = NELEM(hostile);
	qdb_quote *q = calloc(n, sizeof *q);
	qdb_str *tags = calloc(n, sizeof *tags);
	th_buf want = { 0 };
	CU_ASSERT_FATAL(q && tags);
	for (size_t i = 0; i < n; i++) {
		q[i] = (qdb_quote)QDB_QUOTE_INIT;
		q[i].text = S(hostile[i]);
		q[i].speaker = S(hostile[n - 1 - i]);
		q[i].source = S(hostile[(i + 1) % n]);
		q[i].source_url = S(hostile[(i + 2) % n]);
		tags[i] = S(hostile[(i + 3) % n]);
		q[i].tags = &tags[i];
		q[i].ntags = 1;
		const char *v[] = { hostile[i], hostile[n - 1 - i],
				    hostile[(i + 1) % n], hostile[(i + 2) % n],
				    hostile[(i + 3) % n] };
		for (size_t k = 0; k < NELEM(v); k++)
			th_buf_write(v[k], strlen(v[k]) + 1, &want);
	}
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL_FATAL(fh_export(&fh, q, n), 0);
	/* one line per quote; nothing raw that breaks a line */
	size_t lines = 0;
	for (size_t i = 0; i < fh.out.len; i++) {
		unsigned char c = (unsigned char)fh.out.data[i];
		lines += c == '\n';
		CU_ASSERT(c >= 0x20 || c == '\n');
	}
	CU_ASSERT_EQUAL(lines, n);
	CU_ASSERT_PTR_NULL(strstr(fh.out.data, "\xe2\x80\xa8"));
	CU_ASSERT_PTR_NULL(strstr(fh.out.data, "\xc2\x85"));
	const char *file = th_path("hostile.jsonl");
	CU_ASSERT_EQUAL_FATAL(th_write_file(file, fh.out.data, fh.out.len),
			      0);
	static const char expr[] = ".text, \"\\u0000\", .speaker, "
		"\"\\u0000\", .source.title, \"\\u0000\", .source.url, "
		"\"\\u0000\", .tags[0], \"\\u0000\"";
	static const char py[] = "import json,sys\n"
		"for l in open(sys.argv[1], 'rb'):\n"
		"  o = json.loads(l)\n"
		"  for v in (o['text'], o['speaker'], o['source']['title'],\n"
		"            o['source']['url'], o['tags'][0]):\n"
		"    sys.stdout.buffer.write(v.encode('utf-8') + b'\\0')\n";
	const char *script = th_path("read.py");
	CU_ASSERT_EQUAL_FATAL(th_write_file(script, py, strlen(py)), 0);
	const char *cmds[2][2] = {
		{ "jq", NULL }, { "python3", NULL } };
	char jq[256], pyc[512];
	snprintf(jq, sizeof jq, "jq -j '%s' '%s' > '%s'", expr, file,
		 th_path("jq.bin"));
	snprintf(pyc, sizeof pyc, "python3 '%s' '%s' > '%s'", script, file,
		 th_path("py.bin"));
	cmds[0][1] = jq;
	cmds[1][1] = pyc;
	for (size_t k = 0; k < 2; k++) {
		if (!need(cmds[k][0], cmds[k][0]))
			continue;
		char *err = NULL;
		if (th_run(NULL, &err, "%s", cmds[k][1]) != 0) {
			FAILF("%s cannot read the export: %.400s", cmds[k][0],
			      err ? err : "");
			free(err);
			continue;
		}
		free(err);
		size_t len = 0;
		char *got = th_read_file(th_path(k ? "py.bin" : "jq.bin"),
					 &len);
		if (!got || len != want.len || memcmp(got, want.data, len))
			FAILF("%s reads back other bytes (%zu, want %zu)",
			      cmds[k][0], len, want.len);
		free(got);
	}
	th_buf_free(&fh.out);
	th_buf_free(&want);
	free(q);
	free(tags);
}

/* Never invalid JSON: a value that is not UTF-8 fails the export, named,
 * before any of its quote is written. */
static void test_bad_utf8(void)
{
	static const struct {
		const char *field, *value, *msg;
	} cases[] = {
		{ "text", "caf\xe9", "quote bad: text is not valid UTF-8 "
		  "(byte 3)" },
		{ "tags", "lone \xed\xa0\x80 surrogate", "quote bad: "
		  "tags[1] is not valid UTF-8 (byte 5)" },
		{ "source_url", "\xc0\xaf overlong", "quote bad: source.url is "
		  "not valid UTF-8 (byte 0)" },
		{ "speaker", "cut \xe2\x82", "quote bad: speaker is not valid "
		  "UTF-8 (byte 4)" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		qdb_quote q[2] = { QDB_QUOTE_INIT, QDB_QUOTE_INIT };
		qdb_str tags[2] = { { "ok", 2 }, S(cases[i].value) };
		q[0].text = S("fine");
		q[0].speaker = S("S");
		q[1].id = S("bad");
		q[1].text = S("t");
		q[1].speaker = S("S");
		if (!strcmp(cases[i].field, "text"))
			q[1].text = S(cases[i].value);
		else if (!strcmp(cases[i].field, "speaker"))
			q[1].speaker = S(cases[i].value);
		else if (!strcmp(cases[i].field, "source_url"))
			q[1].source_url = S(cases[i].value);
		q[1].tags = tags;
		q[1].ntags = !strcmp(cases[i].field, "tags") ? 2 : 1;
		fake_host fh;
		fh_init(&fh, plugin, NULL);
		CU_ASSERT_EQUAL(fh_export(&fh, q, 2), QDB_EINVALID);
		CU_ASSERT_STRING_EQUAL(fh.err, cases[i].msg);
		/* end is told of the failure: nothing is flushed */
		CU_ASSERT_EQUAL(fh.out.len, 0);
		th_buf_free(&fh.out);
	}
}

static void test_short_quote_refused(void)
{
	qdb_quote q = QDB_QUOTE_INIT;
	q.size = offsetof(qdb_quote, tags);
	q.text = S("t");
	q.speaker = S("S");
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL(fh_export(&fh, &q, 1), QDB_EABI);
	CU_ASSERT_EQUAL(fh.nerrors, 1);
	th_buf_free(&fh.out);
}

static void test_no_quotes(void)
{
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL(fh_export(&fh, NULL, 0), 0);
	CU_ASSERT_EQUAL(fh.out.len, 0);
	th_buf_free(&fh.out);
}

static void test_streams(void)
{
	fh_check_streams(plugin, NULL);
}

static void test_write_error(void)
{
	fh_check_write_error(plugin, "cannot write the JSON output");
}

static void test_abort(void)
{
	fh_check_abort(plugin);
}

/* A collection imported through the command, exported as JSON Lines and
 * as YAML; Python and jq read the JSON as the YAML holds it. */
static void check_collection(const char *name, const char *input)
{
	char db[600], jl[620], ym[620];
	char *out = NULL;
	snprintf(db, sizeof db, "%s", th_path(name));
	snprintf(jl, sizeof jl, "%s.jsonl", db);
	snprintf(ym, sizeof ym, "%s.yaml", db);
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' import '%s'",
				     th_cli(), db, input), 0);
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' export "
				     "--format json --sort source -o '%s' && "
				     "'%s' --db '%s' "
				     "export --format yaml -o '%s'", th_cli(),
				     db, jl, th_cli(), db, ym), 0);
	if (!need("jq", "jq"))
		return;
	int rc = th_run(&out, NULL, "python3 %s '%s' '%s'", MATCH_SCRIPT, jl,
			ym);
	if (rc != 0)
		FAILF("%s: the JSON export does not read back (python3-yaml "
		      "and jq: apt-get install -y python3-yaml jq):\n%.2000s",
		      name, out ? out : "");
	free(out);
}

static void test_seed_read_back(void)
{
	check_collection("seed.db", "quotes/");
}

static void test_hostile_collection(void)
{
	check_collection("hostile.db", "tests/data/hostile/quotes.yaml");
}

/* quotedb formats lists it from its descriptor. */
static void test_listed(void)
{
	char *out = NULL;
	CU_ASSERT_EQUAL(th_run(&out, NULL, "'%s' formats", th_cli()), 0);
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "json     1.0    .jsonl "
					    "JSON Lines") : NULL);
	free(out);
}

void test_json_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_descriptor),
		QDB_TEST(test_one_symbol),
		QDB_TEST(test_exact_output),
		QDB_TEST(test_escapes),
		QDB_TEST(test_hostile_read_back),
		QDB_TEST(test_bad_utf8),
		QDB_TEST(test_short_quote_refused),
		QDB_TEST(test_no_quotes),
		QDB_TEST(test_streams),
		QDB_TEST(test_write_error),
		QDB_TEST(test_abort),
		QDB_TEST(test_seed_read_back),
		QDB_TEST(test_hostile_collection),
		QDB_TEST(test_listed),
	};
	TH_SUITE("json", suite_init, suite_clean, tests);
}
