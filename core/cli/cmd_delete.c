/*
 * cmd_delete.c: `quotedb delete ID...`, each in its own transaction.
 */
#include "cli.h"

static int check(int argc, char **argv)
{
	(void)argv;
	return argc ? 0 : cli_misuse("needs an ID");
}

static int run(qdb *db, int argc, char **argv)
{
	int status = 0;
	for (int i = 0; i < argc; i++) {
		if (qdb_quote_delete(db, argv[i]) != 0) {
			cli_msg("%s", qdb_errmsg(db));
			status = 1;
		} else {
			fprintf(stderr, "quotedb: deleted '%s'\n", argv[i]);
		}
	}
	return status;
}

const cli_cmd cli_cmd_delete = {
	.name = "delete",
	.args = "ID...",
	.summary = "delete quotes by id",
	.description = "Deletes the quotes with these ids, saying so for "
		"each on stderr.  A quote\nthat comes from a YAML file is "
		"refused: delete it there and run\n'quotedb sync'.\n",
	.db = CLI_DB_WRITE,
	.check = check,
	.run = run,
};
