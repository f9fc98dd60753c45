/*
 * options.c: parsing a command's options from its table of cli_opt, the
 * filter options list, search, export and verify share, and the --help
 * text generated from the same tables.
 */
#define _DEFAULT_SOURCE
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the filter options --------------------------------------------- */

#define TOO_MANY "too many values for one filter (64 at most)"

static qdb_filter filter = QDB_FILTER_INIT;
static cli_list ids = { .too_many = TOO_MANY };
static cli_list speakers = { .too_many = TOO_MANY };
static cli_list outlets = { .too_many = TOO_MANY };
static cli_list reported = { .too_many = TOO_MANY };
static cli_list tags = { .too_many = TOO_MANY };
static cli_list languages = { .too_many = TOO_MANY };
static cli_list sources = { .too_many = TOO_MANY };

static int take_date(const cli_opt *o, const char *arg)
{
	int32_t lo, hi;
	qdb_error err;
	if (qdb_date_parse(&lo, &hi, arg, strlen(arg), &err) != 0)
		return cli_misuse("--%s: %s", o->name, err.text);
	*(const char **)o->value = arg;
	return 0;
}

static int take_limit(const cli_opt *o, const char *arg)
{
	char *end;
	long long n = strtoll(arg, &end, 10);
	if (*end || n <= 0)
		return cli_misuse("--%s needs a positive number, not '%s'",
				  o->name, arg);
	filter.limit = n;
	return 0;
}

static int sort_chosen;

int cli_sort_chosen(void)
{
	return sort_chosen;
}

static int take_sort(const cli_opt *o, const char *arg)
{
	sort_chosen = 1;
	/* In qdb_sort's order. */
	static const char *const names[] = { "added", "date", "speaker",
		"outlet", "rank", "source" };
	for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
		if (!strcmp(arg, names[i])) {
			filter.sort = (qdb_sort)i;
			return 0;
		}
	return cli_misuse("--%s takes date, speaker, outlet, source, added or "
			  "rank, not '%s'", o->name, arg);
}

static const cli_opt filter_opts[] = {
	{ CLI_LIST, "speaker", 0, "NAME", "the speaker's name or any alias, "
	  "any case", &speakers, NULL },
	{ CLI_LIST, "outlet", 0, "NAME", "the outlet's name or any alias, any "
	  "case", &outlets, NULL },
	{ CLI_LIST, "reported-by", 0, "WHO", "who reported a second-hand "
	  "quote", &reported, NULL },
	{ CLI_LIST, "tag", 0, "TAG", "a tag, any case", &tags, NULL },
	{ CLI_LIST, "language", 0, "LANG", "the language of the text",
	  &languages, NULL },
	{ CLI_LIST, "source", 0, "TITLE|FILE", "a source: its title, its "
	  "text's path\n(source.file) or its YAML file", &sources, NULL },
	{ CLI_FUNC, "from", 0, "DATE", "EDTF date: quotes whose date range "
	  "overlaps", &filter.from, take_date },
	{ CLI_FUNC, "to", 0, "DATE", "  [from, to] (2023, 2023-10, "
	  "2023-10-09)", &filter.to, take_date },
	{ CLI_FLAG, "strict-dates", 0, NULL, "only quotes whose whole range "
	  "lies inside", &filter.strict_dates, NULL },
	{ CLI_LIST, "id", 0, "ID", "a quote id", &ids, NULL },
	{ CLI_STRING, "search", 0, "WORDS", "full-text search: words, "
	  "\"a phrase\", pre*", &filter.search, NULL },
	{ CLI_FLAG, "fts", 0, NULL, "the search is FTS5 query syntax (OR, "
	  "NOT,\nNEAR, column:)", &filter.search_fts, NULL },
	{ CLI_FUNC, "sort", 0, "KEY", "date, speaker, outlet, source, added or "
	  "rank", NULL, take_sort },
	{ CLI_FUNC, "limit", 0, "N", "at most N quotes", NULL, take_limit },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

qdb_filter *cli_filter(void)
{
	static const struct { cli_list *l; qdb_strlist *to; } lists[] = {
		{ &ids, &filter.ids }, { &speakers, &filter.speakers },
		{ &outlets, &filter.outlets }, { &reported, &filter.reported_by },
		{ &tags, &filter.tags }, { &languages, &filter.languages },
		{ &sources, &filter.sources },
	};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		lists[i].to->v = lists[i].l->v;
		lists[i].to->n = lists[i].l->n;
	}
	return &filter;
}

size_t cli_filter_text(char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
#define ADD(...) do { \
		int w_ = snprintf(buf + n, size - n, __VA_ARGS__); \
		if (w_ > 0) \
			n += (size_t)w_ < size - n ? (size_t)w_ : size - n - 1; \
	} while (0)
	for (const cli_opt *o = filter_opts; o->name; o++) {
		if (o->type == CLI_LIST) {
			const cli_list *l = o->value;
			for (size_t i = 0; i < l->n; i++)
				ADD("%s--%s '%s'", n ? " " : "", o->name,
				    l->v[i]);
		} else if (o->type != CLI_FLAG && o->value &&
			   *(const char *const *)o->value) {
			ADD("%s--%s '%s'", n ? " " : "", o->name,
			    *(const char *const *)o->value);
		}
	}
#undef ADD
	return n;
}

/* ---- what every command takes ---------------------------------------- */

static int help_wanted;

static const cli_opt common_opts[] = {
	{ CLI_FUNC, "db", 0, "PATH", "the database (default $QUOTEDB_DB, "
	  "then\n$XDG_DATA_HOME/quotedb/quotes.db or\n"
	  "~/.local/share/quotedb/quotes.db)", NULL, cli_take_db },
	/* -h works too (cli_parse), unlisted like most programs' -h. */
	{ CLI_FLAG, "help", 0, NULL, "this help", &help_wanted, NULL },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

/* ---- help ------------------------------------------------------------ */

/* A command's own options, from its table or made by its function. */
static const cli_opt *own_opts(const cli_cmd *cmd)
{
	return cmd->opts ? cmd->opts : cmd->opts_fn ? cmd->opts_fn() : NULL;
}

#define HELP_COLUMN 24

/* One option's line(s): "  -f, --format NAME     help", the help's
 * further lines indented under it. */
static void help_line(const cli_opt *o, FILE *out)
{
	char left[96];
	int n;
	if (o->alias)
		n = snprintf(left, sizeof left, "  -%c, --%s%s%s", o->alias,
			     o->name, o->value_name ? " " : "",
			     o->value_name ? o->value_name : "");
	else
		n = snprintf(left, sizeof left, "  --%s%s%s", o->name,
			     o->value_name ? " " : "",
			     o->value_name ? o->value_name : "");
	fputs(left, out);
	if (n >= HELP_COLUMN - 1)
		fprintf(out, "\n%*s", HELP_COLUMN, "");
	else
		fprintf(out, "%*s", HELP_COLUMN - n, "");
	for (const char *h = o->help; *h; h++) {
		fputc(*h, out);
		if (*h == '\n')
			fprintf(out, "%*s", HELP_COLUMN, "");
	}
	fputc('\n', out);
}

void cli_help(const cli_cmd *cmd, FILE *out)
{
	fprintf(out, "Usage: quotedb %s [options]%s%s\n%s", cmd->name,
		cmd->args ? " " : "", cmd->args ? cmd->args : "",
		cmd->description);
	fputs("\nOptions:\n", out);
	for (const cli_opt *o = own_opts(cmd); o && o->name; o++)
		help_line(o, out);
	for (const cli_opt *o = common_opts; o->name; o++)
		help_line(o, out);
	if (!cmd->filters)
		return;
	fputs("\nFilters (a repeated filter is OR, different filters AND):\n",
	      out);
	for (const cli_opt *o = filter_opts; o->name; o++)
		help_line(o, out);
}

/* ---- parsing --------------------------------------------------------- */

#define MAX_OPTS 96

/* The options a command takes, in one array: its own, the filters, the
 * common ones. */
static size_t gather(const cli_cmd *cmd, const cli_opt **all)
{
	size_t n = 0;
	const cli_opt *groups[3] = { own_opts(cmd), cmd->filters
				     ? filter_opts : NULL, common_opts };
	for (int g = 0; g < 3; g++)
		for (const cli_opt *o = groups[g]; o && o->name; o++)
			if (n < MAX_OPTS)
				all[n++] = o;
	return n;
}

static int take(const cli_opt *o, const char *arg)
{
	switch (o->type) {
	case CLI_FLAG:
		*(int *)o->value = 1;
		return 0;
	case CLI_STRING:
		*(const char **)o->value = arg;
		return 0;
	case CLI_LIST: {
		cli_list *l = o->value;
		if (l->n == CLI_LIST_MAX)
			return cli_misuse("%s", l->too_many);
		l->v[l->n++] = arg;
		return 0;
	}
	case CLI_FUNC:
		return o->take(o, arg);
	}
	return CLI_MISUSE;
}

int cli_parse(const cli_cmd *cmd, int argc, char **argv, int *first)
{
	const cli_opt *all[MAX_OPTS];
	struct option longopts[MAX_OPTS + 1];
	char shortopts[2 * MAX_OPTS + 3] = ":h";
	size_t n = gather(cmd, all), ns = 2;
	for (size_t i = 0; i < n; i++) {
		longopts[i].name = all[i]->name;
		longopts[i].has_arg = all[i]->type == CLI_FLAG ? no_argument
			: required_argument;
		longopts[i].flag = NULL;
		/* 256 and up: told apart from a short option's letter. */
		longopts[i].val = 256 + (int)i;
		if (all[i]->alias) {
			shortopts[ns++] = all[i]->alias;
			if (all[i]->type != CLI_FLAG)
				shortopts[ns++] = ':';
		}
	}
	memset(&longopts[n], 0, sizeof longopts[n]);
	shortopts[ns] = '\0';
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		/* optopt is a short option's letter, a long option's value
		 * (256 and up) or 0 for a long option there is none of, or an
		 * ambiguous abbreviation.  A long option is reported as
		 * typed.  The leading ':' has getopt tell a missing value
		 * (':') from the rest ('?'). */
		if (c == '?' || c == ':') {
			const char *arg = argv[optind - 1];
			int short_opt = optopt > 0 && optopt < 256;
			if (c == ':' && short_opt)
				return cli_misuse("option '-%c' needs a value",
						  optopt);
			if (c == ':')
				return cli_misuse("option '%s' needs a value",
						  arg);
			if (short_opt)
				return cli_misuse("unknown option '-%c'", optopt);
			if (optopt)
				return cli_misuse("option '%.*s' takes no value",
						  (int)strcspn(arg, "="), arg);
			return cli_misuse("unknown option '%s'", arg);
		}
		const cli_opt *o = NULL;
		if (c >= 256)
			o = all[c - 256];
		else if (c == 'h')
			help_wanted = 1;
		for (size_t i = 0; !o && i < n; i++)
			if (all[i]->alias == c)
				o = all[i];
		int rc = o ? take(o, optarg) : help_wanted ? 0
			: cli_misuse("unexpected option");
		if (rc)
			return rc;
		if (help_wanted) {
			cli_help(cmd, stdout);
			exit(cli_flush());
		}
	}
	*first = optind;
	return 0;
}
