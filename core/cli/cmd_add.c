/*
 * cmd_add.c: `quotedb add`, one quote from options.  Its options are the
 * field table's (quotedb.h): --NAME VALUE for each field, with '-' for
 * '_', so a field added to the table is an option here with no edit.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static qdb_quote quote = QDB_QUOTE_INIT;
static qdb_str tags[CLI_LIST_MAX];

/* Option names live here: "date-text" for date_text. */
#define NAME_MAX_LEN 32

static int take_field(const cli_opt *o, const char *arg)
{
	const qdb_field *f = o->value;
	qdb_str s = { arg, strlen(arg) };
	if (f->kind == QDB_FIELD_TAGS) {
		if (quote.ntags == CLI_LIST_MAX)
			return cli_misuse("too many tags");
		tags[quote.ntags++] = s;
		quote.tags = tags;
		return 0;
	}
	*(qdb_str *)(void *)((char *)&quote + f->offset) = s;
	return 0;
}

static const char *value_name(const qdb_field *f)
{
	switch (f->kind) {
	case QDB_FIELD_DATE: return "DATE";
	case QDB_FIELD_SPEAKER:
	case QDB_FIELD_OUTLET: return "NAME";
	case QDB_FIELD_TAGS: return "TAG";
	default: return "TEXT";
	}
}

static const cli_opt *options(void)
{
	static cli_opt opts[64];
	static char names[64][NAME_MAX_LEN], helps[64][96];
	size_t n;
	const qdb_field *f = qdb_fields(&n);
	if (opts[0].name)
		return opts;
	for (size_t i = 0; i < n && i + 1 < 64; i++) {
		/* A list is given one value at a time: --tag, not --tags. */
		size_t len = strlen(f[i].name);
		if (f[i].kind == QDB_FIELD_TAGS && f[i].name[len - 1] == 's')
			len--;
		snprintf(names[i], NAME_MAX_LEN, "%.*s", (int)len, f[i].name);
		for (char *c = names[i]; *c; c++)
			if (*c == '_')
				*c = '-';
		snprintf(helps[i], sizeof helps[i], "%s%s", f[i].help,
			 (f[i].flags & QDB_FIELD_REQUIRED) &&
			 !(f[i].flags & QDB_FIELD_SOURCE) ? " (required)" : "");
		opts[i] = (cli_opt){ CLI_FUNC, names[i], 0, value_name(&f[i]),
			helps[i], (void *)&f[i], take_field };
	}
	return opts;
}

/* "--text and --speaker": the required fields' options. */
static int check(int argc, char **argv)
{
	size_t n;
	const qdb_field *f = qdb_fields(&n);
	const cli_opt *o = options();
	char need[256] = "";
	int missing = 0;
	if (argc)
		return cli_misuse("unexpected argument '%s' (put the text in "
				  "--text)", argv[0]);
	for (size_t i = 0; i < n; i++) {
		if (!(f[i].flags & QDB_FIELD_REQUIRED) ||
		    (f[i].flags & QDB_FIELD_SOURCE))
			continue;
		size_t len = strlen(need);
		snprintf(need + len, sizeof need - len, "%s--%s",
			 len ? " and " : "", o[i].name);
		missing |= !qdb_quote_str(&quote, &f[i]).ptr;
	}
	return missing ? cli_misuse("needs %s", need) : 0;
}

static int run(qdb *db, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	char *id = NULL;
	int added = 0;
	int rc = qdb_quote_add(&id, &added, db, &quote);
	if (rc) {
		cli_msg("%s", qdb_errmsg(db));
	} else {
		printf("%s\n", id);
		if (!added)
			fprintf(stderr, "quotedb: already present\n");
	}
	qdb_free(id);
	return rc ? 1 : cli_flush();
}

const cli_cmd cli_cmd_add = {
	.name = "add",
	.summary = "add one quote from options",
	.description = "Adds one quote, its fields given as options, and "
		"prints its id.\n",
	.db = CLI_DB_WRITE,
	.opts_fn = options,
	.check = check,
	.run = run,
};
