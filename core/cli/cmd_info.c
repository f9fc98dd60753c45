/*
 * cmd_info.c: `quotedb info`, the database in use with its schema and
 * count, the plugin search path and the version.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static int check(int argc, char **argv)
{
	return argc ? cli_misuse("unexpected argument '%s'", argv[0]) : 0;
}

static int json;

static const cli_opt opts[] = {
	{ CLI_FLAG, "json", 0, NULL, "a JSON object: database, schema, quotes, "
	  "\nplugin_path (a list), version", &json, NULL },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

/* info --json: null for what there is no database to say. */
static int run_json(void)
{
	const char *pp = getenv("QUOTEDB_PLUGIN_PATH");
	fputs("{\"database\": ", stdout);
	cli_put_json_cstr(cli_db_path(0));
	qdb *db = cli_open_db(1);
	int64_t n = 0;
	if (db && qdb_count(&n, db, NULL) != 0) {
		cli_msg("%s", qdb_errmsg(db));
		qdb_close(db);
		db = NULL;
	}
	if (db)
		printf(", \"schema\": %d, \"quotes\": %lld",
		       qdb_schema_version(), (long long)n);
	else
		fputs(", \"schema\": null, \"quotes\": null", stdout);
	qdb_close(db);
	fputs(", \"plugin_path\": [", stdout);
	/* Each directory of $QUOTEDB_PLUGIN_PATH, then the install one. */
	for (const char *p = pp; p && *p;) {
		size_t k = strcspn(p, ":");
		qdb_str dir = { p, k };
		if (k) {
			cli_put_json_str(dir);
			fputs(", ", stdout);
		}
		p += k + (p[k] == ':');
	}
	cli_put_json_cstr(QDB_PLUGIN_DIR);
	fputs("], \"version\": ", stdout);
	cli_put_json_cstr(qdb_version());
	fputs("}\n", stdout);
	return cli_flush() || !db ? 1 : 0;
}

static int run(qdb *unused, int argc, char **argv)
{
	(void)unused;
	(void)argc;
	(void)argv;
	if (json)
		return run_json();
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
	.opts = opts,
	.check = check,
	.run = run,
};
