/*
 * cmd_list.c: `quotedb list`, the quotes the filters select (listing.c
 * writes them).
 */
#include "cli.h"

static int json;

static const cli_opt opts[] = {
	{ CLI_FLAG, "json", 0, NULL, "a JSON array of objects with every "
	  "field", &json, NULL },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

static int check(int argc, char **argv)
{
	return argc ? cli_misuse("unexpected argument '%s'", argv[0]) : 0;
}

static int run(qdb *db, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_list_quotes(db, cli_filter(), json);
}

const cli_cmd cli_cmd_list = {
	.name = "list",
	.summary = "list quotes (filters, sorting, --json)",
	.description = "Lists quotes: a table on a terminal, tab-separated "
		"lines (id,\ndate, speaker, outlet, text; \\t \\n \\r \\\\ "
		"escaped) when piped,\na JSON array with --json.\n",
	.db = CLI_DB_READ,
	.filters = 1,
	.opts = opts,
	.check = check,
	.run = run,
};
