/*
 * cmd_init.c: `quotedb init`, which creates the database or migrates an
 * older one (opening it writable does both).
 */
#include "cli.h"

static int check(int argc, char **argv)
{
	(void)argv;
	return argc ? cli_misuse("takes no arguments") : 0;
}

static int run(qdb *db, int argc, char **argv)
{
	(void)db;
	(void)argc;
	(void)argv;
	fprintf(stderr, "quotedb: database %s (schema %d)\n", cli_db_path(0),
		qdb_schema_version());
	return 0;
}

const cli_cmd cli_cmd_init = {
	.name = "init",
	.summary = "create or migrate the database",
	.description = "Creates the database (or migrates an older one).\n",
	.db = CLI_DB_WRITE,
	.check = check,
	.run = run,
};
