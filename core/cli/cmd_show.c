/*
 * cmd_show.c: `quotedb show ID...`, every field of each quote, one per
 * line in the field table's order; a text of several lines keeps its line
 * breaks, its further lines indented under the first.
 */
#include "cli.h"

#define LABEL "%-12s "
#define INDENT "             "

static int check(int argc, char **argv)
{
	(void)argv;
	return argc ? 0 : cli_misuse("needs an ID");
}

static void show(const qdb_quote *q)
{
	size_t n;
	const qdb_field *f = qdb_fields(&n);
	for (size_t i = 0; i < n; i++) {
		if (f[i].kind == QDB_FIELD_TAGS) {
			if (!q->ntags)
				continue;
			printf(LABEL, f[i].name);
			for (size_t k = 0; k < q->ntags; k++) {
				fputs(k ? ", " : "", stdout);
				cli_put_escaped(stdout, q->tags[k].ptr,
						q->tags[k].len, "");
			}
			fputc('\n', stdout);
			continue;
		}
		qdb_str v = qdb_quote_str(q, &f[i]);
		if (!v.ptr)
			continue;
		printf(LABEL, f[i].name);
		/* The text exactly, continuation lines indented; what
		 * would drive a terminal escaped (cli_put_escaped). */
		for (size_t j = 0, from = 0; j <= v.len; j++) {
			if (j < v.len && v.ptr[j] != '\n')
				continue;
			cli_put_escaped(stdout, v.ptr + from, j - from, "\t");
			if (j < v.len)
				fputs("\n" INDENT, stdout);
			from = j + 1;
		}
		fputc('\n', stdout);
	}
}

static int json;

static const cli_opt opts[] = {
	{ CLI_FLAG, "json", 0, NULL, "a JSON array of objects with every "
	  "field, as list --json", &json, NULL },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

static int run(qdb *db, int argc, char **argv)
{
	int status = 0, shown = 0;
	if (json)
		fputc('[', stdout);
	for (int i = 0; i < argc; i++) {
		qdb_quote *q;
		if (qdb_quote_get(&q, db, argv[i]) != 0) {
			cli_msg("%s", qdb_errmsg(db));
			status = 1;
			continue;
		}
		if (json) {
			fputs(shown++ ? ",\n " : "\n ", stdout);
			cli_json_quote(q, NULL);
		} else {
			/* A blank line between quotes, not after an id not
			 * found. */
			if (shown++)
				fputc('\n', stdout);
			show(q);
		}
		qdb_quote_free(q);
	}
	if (json)
		fputs(shown ? "\n]\n" : "]\n", stdout);
	return cli_flush() ? 1 : status;
}

const cli_cmd cli_cmd_show = {
	.name = "show",
	.args = "ID...",
	.summary = "show every field of a quote",
	.description = "Shows every field of the quotes with these ids, one "
		"a line (a JSON\narray with --json).\n",
	.db = CLI_DB_READ,
	.opts = opts,
	.check = check,
	.run = run,
};
