/*
 * cmd_import.c: `quotedb import FILE|DIR...`, every file in one
 * transaction.
 */
#include "cli.h"

static int strict;

static const cli_opt opts[] = {
	{ CLI_FLAG, "strict", 0, NULL, "a new speaker or outlet close to a "
	  "known one is\nan error, not a warning", &strict, NULL },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

static int check(int argc, char **argv)
{
	(void)argv;
	return argc ? 0 : cli_misuse("needs at least one FILE or DIR");
}

static int run(qdb *db, int argc, char **argv)
{
	qdb_import_stats st = QDB_IMPORT_STATS_INIT;
	qdb_error err;
	cli_progress_on(db, "importing:");
	cli_warnings_on(db, strict);
	int rc = qdb_import_paths(db, (const char *const *)argv,
				  (size_t)argc, &st, &err);
	cli_progress_off();
	if (rc) {
		char buf[1024];
		cli_msg("%s", qdb_error_format(&err, buf, sizeof buf));
		return 1;
	}
	fprintf(stderr, "quotedb: imported %lld quote%s: %lld new, %lld "
		"already present\n", (long long)st.quotes_read,
		st.quotes_read == 1 ? "" : "s", (long long)st.quotes_added,
		(long long)st.quotes_same);
	return 0;
}

const cli_cmd cli_cmd_import = {
	.name = "import",
	.args = "FILE|DIR...",
	.summary = "import YAML files or directories",
	.description = "Imports YAML files (a directory: its *.yaml and *.yml "
		"files)\nin one transaction: all of them or, on any error, "
		"none.\nImporting the same file again adds nothing.\n",
	.db = CLI_DB_WRITE,
	.opts = opts,
	.check = check,
	.run = run,
};
