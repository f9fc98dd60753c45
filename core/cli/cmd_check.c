/*
 * cmd_check.c: `quotedb check FILE...`, every quotation of a writer's
 * draft against the collection (the library's qdb_check_draft, under
 * docs/check.md): one line per quotation and a summary, or JSON lines.
 */
#include "cli.h"

#include <errno.h>
#include <string.h>

static const char *format;
static int json, all, strict;

static const cli_opt opts[] = {
	{ CLI_STRING, "format", 'f', "FMT", "md, tex or txt (default: from "
	  "the file's extension)", &format, NULL },
	{ CLI_FLAG, "json", 0, NULL, "one JSON object per quotation per line",
	  &json, NULL },
	{ CLI_FLAG, "all", 'a', NULL, "show terms (scare quotes) too", &all,
	  NULL },
	{ CLI_FLAG, "strict", 0, NULL, "fail on unknown quotations and terms "
	  "too (and show terms)", &strict, NULL },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

static int forced = -1;   /* the --format given, or -1 */

static int check(int argc, char **argv)
{
	(void)argv;
	if (format) {
		if (!strcmp(format, "md") || !strcmp(format, "markdown"))
			forced = QDB_DRAFT_MARKDOWN;
		else if (!strcmp(format, "tex") || !strcmp(format, "latex"))
			forced = QDB_DRAFT_LATEX;
		else if (!strcmp(format, "txt") || !strcmp(format, "text"))
			forced = QDB_DRAFT_TEXT;
		else
			return cli_misuse("--format is md, tex or txt, not "
					  "'%s'", format);
	}
	return argc ? 0 : cli_misuse("needs a FILE to check ('-' reads "
				     "standard input)");
}

typedef struct tally {
	long n[QDB_CHECK_AMBIGUOUS + 1];
	long unterminated;
	const char *file;
} tally;

static ptrdiff_t read_file(void *buf, size_t len, void *payload)
{
	FILE *f = payload;
	size_t n = fread(buf, 1, len, f);
	if (n == 0 && ferror(f))
		return -1;
	return (ptrdiff_t)n;
}

/* The quotation on one line: each run of white space as one space. */
static void put_text(qdb_str s)
{
	int ws = 0;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.ptr[i];
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
			ws = 1;
			continue;
		}
		if (ws)
			fputc(' ', stdout);
		ws = 0;
		fputc(c, stdout);
	}
}

static void put_json(const tally *t, const qdb_draft_quote *q,
		     const qdb_check_result *r)
{
	qdb_str file = { t->file, strlen(t->file) };
	fputs("{\"file\":", stdout);
	cli_put_json_str(file);
	printf(",\"line\":%d,\"column\":%d,\"text\":", q->line, q->column);
	cli_put_json_str(q->text);
	printf(",\"verdict\":\"%s\",\"id\":",
	       qdb_check_verdict_name(r->verdict));
	cli_put_json_str(r->id);
	fputs(",\"speaker\":", stdout);
	cli_put_json_str(r->speaker);
	fputs(",\"attributed_to\":", stdout);
	cli_put_json_str(r->attributed_to);
	fputs(",\"diff\":", stdout);
	cli_put_json_str(r->diff);
	if (r->verdict == QDB_CHECK_AMBIGUOUS) {
		fputs(",\"other_id\":", stdout);
		cli_put_json_str(r->other_id);
		fputs(",\"other_speaker\":", stdout);
		cli_put_json_str(r->other_speaker);
	}
	fputs("}\n", stdout);
}

static int one(const qdb_draft_quote *q, const qdb_check_result *r,
	       void *payload)
{
	tally *t = payload;
	if (!r) {
		cli_msg("%s:%d:%d: unterminated quotation", t->file, q->line,
			q->column);
		t->unterminated++;
		return 0;
	}
	t->n[r->verdict]++;
	if (r->verdict == QDB_CHECK_TERM && !all && !strict)
		return 0;
	if (json) {
		put_json(t, q, r);
		return 0;
	}
	printf("%s:%d:%d: %s: \"", t->file, q->line, q->column,
	       qdb_check_verdict_name(r->verdict));
	put_text(q->text);
	fputc('"', stdout);
	if (r->id.ptr) {
		printf(" (%s, %s", r->id.ptr, r->speaker.ptr);
		if (r->verdict == QDB_CHECK_AMBIGUOUS)
			printf("; %s, %s", r->other_id.ptr,
			       r->other_speaker.ptr);
		else if (r->verdict == QDB_CHECK_MISATTRIBUTED)
			printf("; the draft names %s", r->attributed_to.ptr);
		fputc(')', stdout);
	}
	fputc('\n', stdout);
	if (r->verdict == QDB_CHECK_ALTERED)
		printf("    %s\n", r->diff.ptr);
	return 0;
}

static int run(qdb *db, int argc, char **argv)
{
	qdb_checker *ck;
	if (qdb_checker_open(&ck, db)) {
		cli_msg("%s", qdb_errmsg(db));
		return 1;
	}
	tally t;
	memset(&t, 0, sizeof t);
	int failed = 0;
	for (int i = 0; i < argc; i++) {
		int in = !strcmp(argv[i], "-");
		t.file = in ? "<stdin>" : argv[i];
		FILE *f = in ? stdin : fopen(argv[i], "rb");
		if (!f) {
			cli_msg("%s: cannot open: %s", argv[i],
				strerror(errno));
			failed = 1;
			continue;
		}
		qdb_draft_format fmt = forced >= 0 ? (qdb_draft_format)forced
			: qdb_draft_format_of(in ? NULL : argv[i]);
		qdb_error err;
		int rc = qdb_check_draft(ck, t.file, fmt, read_file, f, one,
					 &t, &err);
		if (!in)
			fclose(f);
		if (rc) {
			char buf[QDB_ERROR_TEXT_LEN + QDB_ERROR_FILE_LEN + 64];
			cli_msg("%s", qdb_error_format(&err, buf, sizeof buf));
			failed = 1;
			/* A draft that is no text is told, and the next
			 * one checked; a failing database stops. */
			if (rc != QDB_EINVALID && rc != QDB_EIO)
				break;
		}
	}
	qdb_checker_free(ck);
	FILE *sum = json ? stderr : stdout;
	fprintf(sum, "%ld exact, %ld altered, %ld misattributed, %ld unknown",
		t.n[QDB_CHECK_EXACT], t.n[QDB_CHECK_ALTERED],
		t.n[QDB_CHECK_MISATTRIBUTED], t.n[QDB_CHECK_UNKNOWN]);
	if (t.n[QDB_CHECK_AMBIGUOUS])
		fprintf(sum, ", %ld ambiguous", t.n[QDB_CHECK_AMBIGUOUS]);
	if (all || strict)
		fprintf(sum, ", %ld term%s", t.n[QDB_CHECK_TERM],
			t.n[QDB_CHECK_TERM] == 1 ? "" : "s");
	fputc('\n', sum);
	if (cli_flush())
		return 1;
	if (failed || t.unterminated || t.n[QDB_CHECK_ALTERED] ||
	    t.n[QDB_CHECK_MISATTRIBUTED] || t.n[QDB_CHECK_AMBIGUOUS])
		return 1;
	if (strict && (t.n[QDB_CHECK_UNKNOWN] || t.n[QDB_CHECK_TERM]))
		return 1;
	return 0;
}

const cli_cmd cli_cmd_check = {
	.name = "check",
	.args = "FILE...",
	.summary = "check every quotation in a draft against the collection",
	.description = "Finds every quotation in each draft (Markdown, LaTeX "
		"or text;\n'-' reads standard input) and checks it against "
		"the collection\n(docs/check.md): exact, altered (with a "
		"word diff), misattributed,\nunknown, or a term (a scare "
		"quote, shown with --all).  Prints\nFILE:LINE:COL: VERDICT: "
		"\"TEXT\" (id, speaker) and a summary.\nExit 0 when every "
		"quotation is exact and rightly attributed\n(unknown ones and "
		"terms allowed unless --strict), 1 otherwise.\n",
	.db = CLI_DB_READ,
	.opts = opts,
	.check = check,
	.run = run,
};
