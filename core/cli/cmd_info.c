/*
 * cmd_info.c: `quotedb info`, the database in use with its schema and
 * count, the plugin search path and the version.
 */
#include "cli.h"

#include <stdlib.h>

static int check(int argc, char **argv)
{
	return argc ? cli_misuse("unexpected argument '%s'", argv[0]) : 0;
}

static int run(qdb *unused, int argc, char **argv)
{
	(void)unused;
	(void)argc;
	(void)argv;
	printf("database      %s\n", cli_db_path(0));
	/* The paths are worth seeing when there is no database yet. */
	qdb *db = cli_open_db(1);
	if (db) {
		int64_t n = 0;
		qdb_count(&n, db, NULL);
		printf("schema        %d\n", qdb_schema_version());
		printf("quotes        %lld\n", (long long)n);
		qdb_close(db);
	}
	const char *pp = getenv("QUOTEDB_PLUGIN_PATH");
	printf("plugin path   %s%s%s (then the build tree's plugins/ when "
	       "run from it)\n", pp ? pp : "", pp ? ":" : "", QDB_PLUGIN_DIR);
	printf("version       %s\n", qdb_version());
	return cli_flush() || !db ? 1 : 0;
}

const cli_cmd cli_cmd_info = {
	.name = "info",
	.summary = "database path, schema, counts, plugin path",
	.description = "Shows the database in use, its schema version and "
		"counts, and\nthe plugin search path.\n",
	.db = CLI_DB_OWN,
	.check = check,
	.run = run,
};
