/*
 * cmd_entities.c: `quotedb speakers` and `quotedb outlets` (and their
 * singular names): the list of speakers or outlets with aliases and quote
 * counts, `alias NAME ALIAS` and `merge INTO FROM`, and a speaker's
 * `sort-as NAME KEY`.  The two kinds work alike, so one file serves the
 * four names.
 */
#define _DEFAULT_SOURCE
#include "cli.h"

#include <string.h>
#include <strings.h>
#include <unistd.h>

static qdb_entity_kind kind_of(void)
{
	return cli_cmd_name[0] == 's' ? QDB_SPEAKER : QDB_OUTLET;
}

static int json, yes, listed;

static const cli_opt opts[] = {
	{ CLI_FLAG, "json", 0, NULL, "a JSON array: name, aliases (a list), "
	  "quotes\n(and a speaker's sort_as, null when it has none)", &json,
	  NULL },
	{ CLI_FLAG, "yes", 0, NULL, "merge without asking (on a terminal, "
	  "merge\nasks for it: it cannot be undone)", &yes, NULL },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

/* One entity as a JSON object, its aliases a list (the library gives
 * them joined by "; "); a speaker's sort key from db (payload), NULL for
 * outlets. */
static int json_entity(const qdb_entity *e, void *payload)
{
	qdb *db = payload;
	char *key = NULL;
	int rc = db ? qdb_speaker_sort_as(&key, db, e->name) : 0;
	if (rc)
		return rc;
	fputs(listed++ ? ",\n {\"name\": " : "\n {\"name\": ", stdout);
	cli_put_json_cstr(e->name);
	fputs(", \"aliases\": [", stdout);
	for (const char *a = e->aliases; a && *a;) {
		const char *sep = strstr(a, "; ");
		qdb_str one = { a, sep ? (size_t)(sep - a) : strlen(a) };
		if (a != e->aliases)
			fputs(", ", stdout);
		cli_put_json_str(one);
		a = sep ? sep + 2 : a + one.len;
	}
	printf("], \"quotes\": %lld", (long long)e->quotes);
	if (db) {
		fputs(", \"sort_as\": ", stdout);
		if (key)
			cli_put_json_cstr(key);
		else
			fputs("null", stdout);
	}
	fputc('}', stdout);
	qdb_free(key);
	return 0;
}

/* What a name (canonical or alias, any case) stands for: its canonical
 * name and quote count, found among the listed entities. */
struct lookup {
	const char *name;
	char canonical[512];
	int64_t quotes;
	int found;
};

static int same_name(const char *a, size_t n, const char *b)
{
	return strlen(b) == n && !strncasecmp(a, b, n);
}

static int find_entity(const qdb_entity *e, void *payload)
{
	struct lookup *l = payload;
	int hit = same_name(e->name, strlen(e->name), l->name);
	for (const char *a = e->aliases; !hit && a && *a;) {
		const char *sep = strstr(a, "; ");
		size_t n = sep ? (size_t)(sep - a) : strlen(a);
		hit = same_name(a, n, l->name);
		a = sep ? sep + 2 : a + n;
	}
	if (!hit)
		return 0;
	snprintf(l->canonical, sizeof l->canonical, "%s", e->name);
	l->quotes = e->quotes;
	l->found = 1;
	return 1;
}

static int lookup(struct lookup *l, qdb *db, qdb_entity_kind kind,
		  const char *name)
{
	memset(l, 0, sizeof *l);
	l->name = name;
	int rc = qdb_entity_foreach(db, kind, find_entity, l);
	return rc == 1 ? 0 : rc;
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
	if (argc == 3 && !strcmp(argv[0], "sort-as") &&
	    kind_of() == QDB_SPEAKER)
		return 0;
	if (kind_of() == QDB_SPEAKER)
		return cli_misuse("expected 'speaker alias NAME ALIAS', "
				  "'speaker merge INTO FROM' or 'speaker "
				  "sort-as NAME KEY'");
	return cli_misuse("expected '%s alias NAME ALIAS' or '%s merge INTO "
			  "FROM'", what, what);
}

/* merge INTO FROM, said before and after.  On a terminal it asks for
 * --yes first: FROM's quotes and aliases join INTO's and cannot be told
 * apart again, so there is no undo to print. */
static int merge(qdb *db, qdb_entity_kind kind, const char *into,
		 const char *from)
{
	const char *what = kind == QDB_SPEAKER ? "speaker" : "outlet";
	struct lookup to, gone;
	int rc = lookup(&to, db, kind, into);
	if (!rc)
		rc = lookup(&gone, db, kind, from);
	if (rc)
		return rc;
	/* The library's own messages for a name that is not there. */
	if (!to.found || !gone.found || !strcmp(to.canonical, gone.canonical))
		return qdb_entity_merge(db, kind, into, from);
	if (!yes && isatty(STDERR_FILENO)) {
		cli_msg("merging '%s' (%lld quote%s) into '%s' cannot be "
			"undone; run again with --yes to merge", gone.canonical,
			(long long)gone.quotes, gone.quotes == 1 ? "" : "s",
			to.canonical);
		return QDB_EUSER;
	}
	if ((rc = qdb_entity_merge(db, kind, into, from)))
		return rc;
	fprintf(stderr, "quotedb: merged %s '%s' into '%s': %lld quote%s "
		"moved; '%s' is now an alias of '%s'\n", what, gone.canonical,
		to.canonical, (long long)gone.quotes, gone.quotes == 1 ? ""
		: "s", gone.canonical, to.canonical);
	return 0;
}

static int alias(qdb *db, qdb_entity_kind kind, const char *name,
		 const char *new_alias)
{
	const char *what = kind == QDB_SPEAKER ? "speaker" : "outlet";
	int rc = qdb_entity_alias(db, kind, name, new_alias);
	struct lookup l;
	if (rc || (rc = lookup(&l, db, kind, name)))
		return rc;
	fprintf(stderr, "quotedb: '%s' is now an alias of the %s '%s'\n",
		new_alias, what, l.found ? l.canonical : name);
	return 0;
}

/* sort-as NAME KEY: the key the speaker sorts by; "" clears it. */
static int sort_as(qdb *db, const char *name, const char *key)
{
	int rc = qdb_speaker_set_sort_as(db, name, *key ? key : NULL);
	if (rc)
		return rc;
	if (*key)
		fprintf(stderr, "quotedb: '%s' now sorts as '%s'\n", name,
			key);
	else
		fprintf(stderr, "quotedb: '%s' now sorts by its name\n",
			name);
	return 0;
}

static int run(qdb *unused, int argc, char **argv)
{
	(void)unused;
	qdb_entity_kind kind = kind_of();
	qdb *db = cli_open_db(argc == 0);
	if (!db)
		return 1;
	int rc;
	if (argc == 0 && json) {
		fputc('[', stdout);
		rc = qdb_entity_foreach(db, kind, json_entity,
					kind == QDB_SPEAKER ? db : NULL);
		fputs(listed ? "\n]\n" : "]\n", stdout);
	} else if (argc == 0) {
		rc = qdb_entity_foreach(db, kind, print_entity, NULL);
	} else if (!strcmp(argv[0], "sort-as")) {
		rc = sort_as(db, argv[1], argv[2]);
	} else if (!strcmp(argv[0], "alias")) {
		rc = alias(db, kind, argv[1], argv[2]);
	} else {
		rc = merge(db, kind, argv[1], argv[2]);
	}
	if (rc && rc != QDB_EUSER)
		cli_msg("%s", qdb_errmsg(db));
	qdb_close(db);
	return rc ? 1 : cli_flush();
}

#define ENTITY_CMD(var, cmdname, plural, args_, extra, summary_) \
const cli_cmd var = { \
	.name = cmdname, \
	.args = args_, \
	.summary = summary_, \
	.description = "Lists " plural " with their aliases and quote counts " \
		"(count, name,\naliases; tab-separated when piped, JSON with " \
		"--json), adds an\nalias, or merges FROM into INTO (FROM's " \
		"name becomes an alias;\non a terminal, only with --yes: a " \
		"merge cannot be undone)." extra "\n", \
	.db = CLI_DB_OWN, \
	.opts = opts, \
	.check = check, \
	.run = run, \
}

#define SPEAKER_ARGS "[alias NAME ALIAS | merge INTO FROM | sort-as NAME KEY]"
#define SPEAKER_EXTRA "\nsort-as sets the key a speaker sorts by " \
	"(\"Khamenei, Ali\"); \"\"\nclears it, and the speaker sorts by " \
	"its name as it is."
#define OUTLET_ARGS "[alias NAME ALIAS | merge INTO FROM]"

ENTITY_CMD(cli_cmd_speakers, "speakers", "speakers", SPEAKER_ARGS,
	   SPEAKER_EXTRA, "list speakers with aliases and counts");
ENTITY_CMD(cli_cmd_speaker, "speaker", "speakers", SPEAKER_ARGS,
	   SPEAKER_EXTRA, "speaker alias NAME ALIAS | merge A B | sort-as N K");
ENTITY_CMD(cli_cmd_outlets, "outlets", "outlets", OUTLET_ARGS, "",
	   "list outlets with aliases and counts");
ENTITY_CMD(cli_cmd_outlet, "outlet", "outlets", OUTLET_ARGS, "",
	   "outlet alias NAME ALIAS | merge A B");
