/*
 * cmd_entities.c: `quotedb speakers` and `quotedb outlets` (and their
 * singular names): the list of speakers or outlets with aliases and quote
 * counts, `alias NAME ALIAS` and `merge INTO FROM`.  The two kinds work
 * alike, so one file serves the four names.
 */
#include "cli.h"

#include <string.h>

static qdb_entity_kind kind_of(void)
{
	return cli_cmd_name[0] == 's' ? QDB_SPEAKER : QDB_OUTLET;
}

static int print_entity(const qdb_entity *e, void *payload)
{
	(void)payload;
	if (cli_is_tty) {
		printf("%6lld  ", (long long)e->quotes);
		cli_put_escaped(stdout, e->name, strlen(e->name), "");
		if (e->aliases) {
			fputs("  (", stdout);
			cli_put_escaped(stdout, e->aliases, strlen(e->aliases),
					"");
			fputc(')', stdout);
		}
		fputc('\n', stdout);
	} else {
		printf("%lld\t", (long long)e->quotes);
		cli_put_tsv(e->name, strlen(e->name));
		fputc('\t', stdout);
		if (e->aliases)
			cli_put_tsv(e->aliases, strlen(e->aliases));
		fputc('\n', stdout);
	}
	return 0;
}

static int check(int argc, char **argv)
{
	const char *what = kind_of() == QDB_SPEAKER ? "speaker" : "outlet";
	if (argc == 0 || (argc == 3 && (!strcmp(argv[0], "alias") ||
					!strcmp(argv[0], "merge"))))
		return 0;
	return cli_misuse("expected '%s alias NAME ALIAS' or '%s merge INTO "
			  "FROM'", what, what);
}

static int run(qdb *unused, int argc, char **argv)
{
	(void)unused;
	qdb_entity_kind kind = kind_of();
	qdb *db = cli_open_db(argc == 0);
	if (!db)
		return 1;
	int rc;
	if (argc == 0)
		rc = qdb_entity_foreach(db, kind, print_entity, NULL);
	else if (!strcmp(argv[0], "alias"))
		rc = qdb_entity_alias(db, kind, argv[1], argv[2]);
	else
		rc = qdb_entity_merge(db, kind, argv[1], argv[2]);
	if (rc)
		cli_msg("%s", qdb_errmsg(db));
	qdb_close(db);
	return rc ? 1 : cli_flush();
}

#define ENTITY_CMD(var, cmdname, plural, summary_) \
const cli_cmd var = { \
	.name = cmdname, \
	.args = "[alias NAME ALIAS | merge INTO FROM]", \
	.summary = summary_, \
	.description = "Lists " plural " with their aliases and quote counts " \
		"(count, name,\naliases; tab-separated when piped), adds an " \
		"alias, or merges\nFROM into INTO (FROM's name becomes an " \
		"alias).\n", \
	.db = CLI_DB_OWN, \
	.check = check, \
	.run = run, \
}

ENTITY_CMD(cli_cmd_speakers, "speakers", "speakers",
	   "list speakers with aliases and counts");
ENTITY_CMD(cli_cmd_speaker, "speaker", "speakers",
	   "speaker alias NAME ALIAS | merge A B");
ENTITY_CMD(cli_cmd_outlets, "outlets", "outlets",
	   "list outlets with aliases and counts");
ENTITY_CMD(cli_cmd_outlet, "outlet", "outlets",
	   "outlet alias NAME ALIAS | merge A B");
