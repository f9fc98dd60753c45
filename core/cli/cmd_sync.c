/*
 * cmd_sync.c: `quotedb sync [PATH...]`, the database made to mirror the
 * YAML files in one transaction (qdb_sync_paths).
 */
#include "cli.h"

#include <string.h>

static int dry_run, strict;

static const cli_opt opts[] = {
	{ CLI_FLAG, "dry-run", 'n', NULL, "list the changes quote by quote; "
	  "write nothing", &dry_run, NULL },
	{ CLI_FLAG, "strict", 0, NULL, "a new speaker or outlet close to a "
	  "known one is\nan error, not a warning", &strict, NULL },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

typedef struct totals {
	long long files, read, added, changed, removed;
} totals;

/* A quote's change with --dry-run; a file's "+N ~N -N" when something
 * changed in it. */
static int event(const qdb_sync_event *e, void *payload)
{
	totals *t = payload;
	if (e->id) {
		if (!dry_run)
			return 0;
		printf("%c %s %s", e->change, e->file, e->id);
		if (e->other)
			printf(" (moved %s %s)", e->change == '+' ? "from"
			       : "to", e->other);
		putchar('\n');
		return 0;
	}
	t->files++;
	t->read += !e->unchanged;
	t->added += e->added;
	t->changed += e->changed;
	t->removed += e->removed;
	if (e->added || e->changed || e->removed)
		printf("%s: +%lld ~%lld -%lld\n", e->file, (long long)e->added,
		       (long long)e->changed, (long long)e->removed);
	return 0;
}

static int run(qdb *db, int argc, char **argv)
{
	totals t = { 0, 0, 0, 0, 0 };
	qdb_error err;
	cli_progress_on(db, "syncing:");
	cli_warnings_on(db, strict);
	int rc = qdb_sync_paths(db, (const char *const *)argv, (size_t)argc,
				dry_run ? QDB_SYNC_DRY_RUN : 0, event, &t,
				&err);
	cli_progress_off();
	if (rc) {
		char buf[1024];
		cli_msg("%s", qdb_error_format(&err, buf, sizeof buf));
		return 1;
	}
	if (cli_flush())
		return 1;
	fprintf(stderr, "quotedb: %s %lld file%s (%lld read, %lld "
		"unchanged): %lld added, %lld changed, %lld removed%s\n",
		dry_run ? "would sync" : "synced", t.files,
		t.files == 1 ? "" : "s", t.read, t.files - t.read, t.added,
		t.changed, t.removed, dry_run ? "; nothing written" : "");
	return 0;
}

const cli_cmd cli_cmd_sync = {
	.name = "sync",
	.args = "[PATH...]",
	.summary = "make the database mirror the YAML files",
	.description = "Makes the database mirror the YAML files (a directory: "
		"its *.yaml and\n*.yml files) in one transaction: quotes are "
		"added, changed in place\nand removed; a file that is gone "
		"takes its quotes with it.  Files\nunchanged since the last "
		"sync are not read; quotes added with 'add'\nare left alone.  "
		"Without PATH: the paths of the last sync, or quotes/.\n"
		"For each file that changed it prints how many quotes were "
		"added,\nchanged and removed.\n",
	.db = CLI_DB_WRITE,
	.opts = opts,
	.run = run,
};
