/*
 * cmd_search.c: `quotedb search WORDS...`, full-text search best match
 * first, listed as `list` lists.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static int json;

static const cli_opt opts[] = {
	{ CLI_FLAG, "json", 0, NULL, "a JSON array of objects with every "
	  "field", &json, NULL },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

static int check(int argc, char **argv)
{
	(void)argv;
	if (!argc)
		return cli_misuse("needs WORDS to search for");
	if (cli_filter()->search)
		return cli_misuse("give the query as WORDS or --search, not "
				  "both");
	return 0;
}

static int run(qdb *db, int argc, char **argv)
{
	qdb_filter *f = cli_filter();
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *query = malloc(len);
	if (!query) {
		cli_msg("out of memory");
		return 1;
	}
	query[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(query, " ");
		strcat(query, argv[i]);
	}
	f->search = query;
	/* Best first, unless a --sort says otherwise. */
	if (!cli_sort_chosen())
		f->sort = QDB_SORT_RANK;
	int rc = cli_list_quotes(db, f, json);
	free(query);
	return rc;
}

const cli_cmd cli_cmd_search = {
	.name = "search",
	.args = "WORDS...",
	.summary = "full-text search",
	.description = "Full-text search over text and context, best matches "
		"first.\nWORDS is an FTS5 query: words (all must match), \"a "
		"phrase\",\nprefix*, OR, NOT.  Case and diacritics do not "
		"matter.\n",
	.db = CLI_DB_READ,
	.filters = 1,
	.opts = opts,
	.check = check,
	.run = run,
};
