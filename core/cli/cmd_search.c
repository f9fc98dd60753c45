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
		"first.\nEvery word must match, \"a phrase\" as a phrase, "
		"prefix* as a\nprefix; punctuation only separates words.  "
		"Case, diacritics\nand English endings do not matter "
		"(condolence finds\ncondolences).  On a terminal each quote "
		"is followed by the\npassage that matched, the words in "
		"bold (not with NO_COLOR).\nWith --fts, WORDS is an FTS5 "
		"query: OR, NOT, NEAR, text: or\ncontext:.\n",
	.db = CLI_DB_READ,
	.filters = 1,
	.opts = opts,
	.check = check,
	.run = run,
};
