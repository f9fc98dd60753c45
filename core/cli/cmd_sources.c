/*
 * cmd_sources.c: `quotedb sources`, the source documents with their
 * fields, YAML files and quote counts.
 */
#include "cli.h"

#include <string.h>

static int json;

static const cli_opt opts[] = {
	{ CLI_FLAG, "json", 0, NULL, "a JSON array of objects", &json, NULL },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

static qdb_str str(const char *s)
{
	qdb_str r = { s, s ? strlen(s) : 0 };
	return r;
}

static int print_source(const qdb_source *s, void *payload)
{
	int *n = payload;
	const char *const keys[] = { "title", "author", "date", "url", "file",
				     "yaml" };
	const char *const vals[] = { s->title, s->author, s->date, s->url,
				     s->file, s->yaml };
	if (json) {
		fputs(*n ? ",\n  {" : "[\n  {", stdout);
		for (int i = 0; i < 6; i++) {
			printf("\"%s\": ", keys[i]);
			cli_put_json_str(str(vals[i]));
			fputs(", ", stdout);
		}
		printf("\"quotes\": %lld}", (long long)s->quotes);
	} else if (cli_is_tty) {
		printf("%6lld  %s", (long long)s->quotes, s->title);
		for (int i = 1; i < 6; i++)
			if (vals[i])
				printf("\n        %-7s %s", keys[i], vals[i]);
		fputc('\n', stdout);
	} else {
		printf("%lld", (long long)s->quotes);
		for (int i = 0; i < 6; i++) {
			fputc('\t', stdout);
			if (vals[i])
				cli_put_tsv(vals[i], strlen(vals[i]));
		}
		fputc('\n', stdout);
	}
	++*n;
	return 0;
}

static int check(int argc, char **argv)
{
	return argc ? cli_misuse("unexpected argument '%s'", argv[0]) : 0;
}

static int run(qdb *db, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	int n = 0;
	int rc = qdb_source_foreach(db, print_source, &n);
	if (json)
		fputs(n ? "\n]\n" : "[]\n", stdout);
	if (rc)
		cli_msg("%s", qdb_errmsg(db));
	return rc ? 1 : cli_flush();
}

const cli_cmd cli_cmd_sources = {
	.name = "sources",
	.summary = "list the source documents",
	.description = "Lists the source documents: quote count, title, "
		"author, date, URL,\nthe text's file (source.file) and the "
		"YAML files their quotes come\nfrom; tab-separated when piped, "
		"JSON with --json.  --source TITLE|FILE\non list, search, "
		"export and verify selects one source's quotes.\n",
	.db = CLI_DB_READ,
	.opts = opts,
	.check = check,
	.run = run,
};
