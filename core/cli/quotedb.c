/*
 * quotedb.c: the quotedb command, a thin layer over libquotedb.  It parses
 * options, opens the database, calls the library and prints: data to
 * stdout, messages to stderr; exit 0 on success, 1 on failure, 2 on misuse.
 */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 700  /* wcwidth() */
#include "quotedb.h"
#include "quotedb/plugin.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#define EXIT_MISUSE 2

static const char *prog_cmd = "quotedb";

static void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void msg(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "quotedb: %s: ", prog_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int misuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int misuse(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "quotedb: %s: ", prog_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'quotedb %s --help'.\n", prog_cmd);
	return EXIT_MISUSE;
}

/* ---- the database path ------------------------------------------- */

static const char *db_flag;

/* --db, then $QUOTEDB_DB, then $XDG_DATA_HOME/quotedb/quotes.db, then
 * ~/.local/share/quotedb/quotes.db (the XDG base directory default). */
static const char *db_path(int create_dir)
{
	static char buf[PATH_MAX + 16];
	if (db_flag)
		return db_flag;
	const char *env = getenv("QUOTEDB_DB");
	if (env && *env)
		return env;
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char dir[PATH_MAX];
	if (xdg && xdg[0] == '/')
		snprintf(dir, sizeof dir, "%s/quotedb", xdg);
	else if (home && *home)
		snprintf(dir, sizeof dir, "%s/.local/share/quotedb", home);
	else
		return "quotes.db";
	if (create_dir) {
		/* mkdir -p, the parents of the XDG directory included. */
		char part[PATH_MAX];
		for (char *s = dir + 1; ; s++) {
			if (*s == '/' || !*s) {
				memcpy(part, dir, (size_t)(s - dir));
				part[s - dir] = '\0';
				if (mkdir(part, 0700) != 0 && errno != EEXIST)
					break;
				if (!*s)
					break;
			}
		}
	}
	snprintf(buf, sizeof buf, "%s/quotes.db", dir);
	return buf;
}

static qdb *open_db(int readonly)
{
	qdb *db = NULL;
	const char *path = db_path(!readonly);
	if (readonly && access(path, F_OK) != 0) {
		msg("%s: no database here; run 'quotedb init' or 'quotedb "
		    "import' first (or give --db)", path);
		return NULL;
	}
	if (qdb_open(&db, path, readonly ? QDB_OPEN_READONLY : 0) != 0) {
		msg("%s", qdb_errmsg(db));
		qdb_close(db);
		return NULL;
	}
	return db;
}

/* ---- output helpers ---------------------------------------------- */

static int is_tty;

/* Display width of a code point, as terminals show it.  The C library's
 * wcwidth() in its UTF-8 locale knows Unicode's wide and zero-width
 * characters (emoji, fullwidth signs, Arabic and Hebrew vowel marks,
 * zero-width non-joiners); this command never sets a locale, so it asks
 * for that one by name.  Where there is none, or wcwidth() has no answer:
 * combining marks take none, wide East Asian characters two, everything
 * else one. */
static size_t cp_width(unsigned cp)
{
	static locale_t utf8;
	static int tried;
	if (!tried) {
		tried = 1;
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	if (utf8 && cp >= 0xa0) {
		locale_t old = uselocale(utf8);
		int w = wcwidth((wchar_t)cp);
		uselocale(old);
		if (w >= 0)
			return (size_t)w;
	}
	if ((cp >= 0x300 && cp <= 0x36f) || cp == 0x200b || cp == 0x200d)
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0x1f300 && cp <= 0x1faff) ||
	    (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return 1;
}

/* What would break a table row: line breaks (LF, CR, NEL, U+2028 and
 * U+2029: a text may hold all but CR) and tabs.  Each shows as a space. */
static int is_break(unsigned cp)
{
	return cp == '\n' || cp == '\t' || cp == '\r' || cp == 0x85 ||
	       cp == 0x2028 || cp == 0x2029;
}

static size_t decode(const char *s, size_t n, unsigned *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k = p[0] < 0x80 ? 1 : (p[0] >> 5) == 6 ? 2 : (p[0] >> 4) == 14
		? 3 : 4;
	if (k > n)
		k = n;
	unsigned c = k == 1 ? p[0] : p[0] & (0x7f >> k);
	for (size_t i = 1; i < k; i++)
		c = (c << 6) | (p[i] & 0x3f);
	*cp = c;
	return k;
}

static int use_color(void);

/* The columns a character of a cell takes: a line break or tab shows as
 * a space, and a search snippet's STX and ETX around a match (see
 * put_snippet) take none. */
static size_t shown_width(unsigned cp)
{
	if (cp == 0x02 || cp == 0x03)
		return 0;
	return is_break(cp) ? 1 : cp_width(cp);
}

/* Prints s in width columns at most, cut with "…" when it is wider, and
 * padded to exactly width when pad is set.  Line breaks and tabs show as
 * spaces: a table row stays one line.  STX and ETX turn bold on and off
 * when colours are wanted, and bold ends with the cell. */
static void put_cell(const char *s, size_t n, size_t width, int pad)
{
	int color = use_color(), bold = 0;
	size_t used = 0, i = 0;
	size_t total = 0;
	for (size_t j = 0; j < n;) {
		unsigned cp;
		j += decode(s + j, n - j, &cp);
		total += shown_width(cp);
	}
	while (i < n) {
		unsigned cp;
		size_t k = decode(s + i, n - i, &cp);
		size_t w = shown_width(cp);
		if (total > width && used + w > width - 1) {
			fputs("…", stdout);
			used++;
			break;
		}
		if (cp == 0x02 || cp == 0x03) {
			bold = cp == 0x02;
			if (color)
				fputs(bold ? "\x1b[1m" : "\x1b[0m", stdout);
		} else if (is_break(cp)) {
			fputc(' ', stdout);
		} else {
			fwrite(s + i, 1, k, stdout);
		}
		used += w;
		i += k;
	}
	if (bold && color)
		fputs("\x1b[0m", stdout);
	if (pad)
		for (; used < width; used++)
			fputc(' ', stdout);
}

/* Tab-separated output escapes what would break a line or a field, the
 * way PostgreSQL's text format does: \\, \t, \n, \r. */
static void put_tsv(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\': fputs("\\\\", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		default: fputc(s[i], stdout);
		}
	}
}

static void put_json_str(qdb_str s)
{
	if (!s.ptr) {
		fputs("null", stdout);
		return;
	}
	fputc('"', stdout);
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			fputc(c, stdout);
	}
	fputc('"', stdout);
}

static size_t term_width(void)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");
	if (cols && atoi(cols) > 20)
		return (size_t)atoi(cols);
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 100;
}

static int use_color(void)
{
	const char *nc = getenv("NO_COLOR");
	return is_tty && !(nc && *nc);
}

/* Progress of long imports and exports: a count and a rate on stderr,
 * only when stderr is a terminal, rewritten in place. */
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double progress_start;

static int show_progress(int64_t done, void *payload)
{
	const char *verb = payload;
	double dt = now_s() - progress_start;
	fprintf(stderr, "\r%s %lld quotes, %.0f/s\x1b[K", verb,
		(long long)done, dt > 0 ? (double)done / dt : 0.0);
	return 0;
}

static void progress_on(qdb *db, const char *verb)
{
	if (!isatty(STDERR_FILENO))
		return;
	progress_start = now_s();
	qdb_progress(db, show_progress, 10000, (void *)verb);
}

static void progress_off(void)
{
	if (isatty(STDERR_FILENO))
		fputs("\r\x1b[K", stderr);
}

/* ---- filters shared by list, search, export and verify ----------- */

typedef struct strvec {
	const char *v[64];
	size_t n;
} strvec;

typedef struct filter_opts {
	strvec ids, speakers, outlets, reported, tags, languages;
	qdb_filter f;
} filter_opts;

enum {
	OPT_SPEAKER = 1000, OPT_OUTLET, OPT_REPORTED, OPT_TAG, OPT_LANGUAGE,
	OPT_FROM, OPT_TO, OPT_STRICT, OPT_ID, OPT_SORT, OPT_SEARCH, OPT_LIMIT,
	OPT_JSON, OPT_DB, OPT_SOURCE, OPT_HELP, OPT_FORMAT, OPT_OUTPUT,
	OPT_OPTION
};

#define FILTER_LONGOPTS \
	{ "speaker", required_argument, NULL, OPT_SPEAKER }, \
	{ "outlet", required_argument, NULL, OPT_OUTLET }, \
	{ "reported-by", required_argument, NULL, OPT_REPORTED }, \
	{ "tag", required_argument, NULL, OPT_TAG }, \
	{ "language", required_argument, NULL, OPT_LANGUAGE }, \
	{ "from", required_argument, NULL, OPT_FROM }, \
	{ "to", required_argument, NULL, OPT_TO }, \
	{ "strict-dates", no_argument, NULL, OPT_STRICT }, \
	{ "id", required_argument, NULL, OPT_ID }, \
	{ "sort", required_argument, NULL, OPT_SORT }, \
	{ "search", required_argument, NULL, OPT_SEARCH }, \
	{ "limit", required_argument, NULL, OPT_LIMIT }, \
	{ "db", required_argument, NULL, OPT_DB }, \
	{ "help", no_argument, NULL, OPT_HELP }

static const char filter_help[] =
	"Filters (a repeated filter is OR, different filters AND):\n"
	"  --speaker NAME     the speaker's name or any alias, any case\n"
	"  --outlet NAME      the outlet's name or any alias, any case\n"
	"  --reported-by WHO  who reported a second-hand quote\n"
	"  --tag TAG          a tag\n"
	"  --language LANG    the language of the text\n"
	"  --from DATE        EDTF date: quotes whose date range overlaps\n"
	"  --to DATE            [from, to] (2023, 2023-10, 2023-10-09)\n"
	"  --strict-dates     only quotes whose whole range lies inside\n"
	"  --id ID            a quote id\n"
	"  --search QUERY     full-text search (FTS5: words, \"phrase\", pre*)\n"
	"  --sort KEY         date, speaker, outlet, added or rank\n"
	"  --limit N          at most N quotes\n"
	"  --db PATH          the database (default $QUOTEDB_DB, then\n"
	"                     $XDG_DATA_HOME/quotedb/quotes.db or\n"
	"                     ~/.local/share/quotedb/quotes.db)\n";

static int push(strvec *v, const char *s)
{
	if (v->n == 64)
		return misuse("too many values for one filter (64 at most)");
	v->v[v->n++] = s;
	return 0;
}

/* Takes one filter option; 1 when c was not a filter option, 2 misuse. */
static int filter_opt(filter_opts *o, int c, const char *arg)
{
	switch (c) {
	case OPT_SPEAKER: return push(&o->speakers, arg);
	case OPT_OUTLET: return push(&o->outlets, arg);
	case OPT_REPORTED: return push(&o->reported, arg);
	case OPT_TAG: return push(&o->tags, arg);
	case OPT_LANGUAGE: return push(&o->languages, arg);
	case OPT_ID: return push(&o->ids, arg);
	case OPT_FROM:
	case OPT_TO: {
		int32_t lo, hi;
		qdb_error err;
		if (qdb_date_parse(&lo, &hi, arg, strlen(arg), &err) != 0)
			return misuse("%s: %s", c == OPT_FROM ? "--from"
				      : "--to", err.text);
		*(c == OPT_FROM ? &o->f.from : &o->f.to) = arg;
		return 0;
	}
	case OPT_STRICT: o->f.strict_dates = 1; return 0;
	case OPT_SEARCH: o->f.search = arg; return 0;
	case OPT_DB: db_flag = arg; return 0;
	case OPT_LIMIT: {
		char *end;
		long long n = strtoll(arg, &end, 10);
		if (*end || n <= 0)
			return misuse("--limit needs a positive number, not "
				      "'%s'", arg);
		o->f.limit = n;
		return 0;
	}
	case OPT_SORT: {
		static const char *const names[] = { "added", "date", "speaker",
			"outlet", "rank" };
		for (int i = 0; i < 5; i++)
			if (!strcmp(arg, names[i])) {
				o->f.sort = (qdb_sort)i;
				return 0;
			}
		return misuse("--sort takes date, speaker, outlet, added or "
			      "rank, not '%s'", arg);
	}
	default:
		return 1;
	}
}

static void filter_finish(filter_opts *o)
{
	qdb_filter *f = &o->f;
	f->size = sizeof *f;
	f->ids.v = o->ids.v; f->ids.n = o->ids.n;
	f->speakers.v = o->speakers.v; f->speakers.n = o->speakers.n;
	f->outlets.v = o->outlets.v; f->outlets.n = o->outlets.n;
	f->reported_by.v = o->reported.v; f->reported_by.n = o->reported.n;
	f->tags.v = o->tags.v; f->tags.n = o->tags.n;
	f->languages.v = o->languages.v; f->languages.n = o->languages.n;
}

static void filter_init(filter_opts *o)
{
	memset(o, 0, sizeof *o);
	o->f.size = sizeof o->f;
}

/* Common getopt loop: extra handles command-specific options. */
typedef int (*extra_fn)(int c, const char *arg, void *payload);

static int parse_opts(int argc, char **argv, const char *shortopts,
		      const struct option *longopts, filter_opts *fo,
		      extra_fn extra, void *payload, const char *usage)
{
	int c;
	char colon_opts[16];
	/* The leading ':' has getopt tell a missing value (':') from the
	 * rest ('?'). */
	snprintf(colon_opts, sizeof colon_opts, ":%s", shortopts);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, colon_opts, longopts, NULL))
	       != -1) {
		if (c == 'h' || c == OPT_HELP) {
			fputs(usage, stdout);
			if (fo)
				fputs(filter_help, stdout);
			exit(0);
		}
		/* optopt is a short option's letter, a long option's value
		 * (OPT_*, 1000 and up, so the two are told apart) or 0 for a
		 * long option there is none of, or an ambiguous abbreviation.
		 * A long option is reported as typed. */
		if (c == '?' || c == ':') {
			const char *arg = argv[optind - 1];
			int short_opt = optopt > 0 && optopt < 256;
			if (c == ':' && short_opt)
				return misuse("option '-%c' needs a value",
					      optopt);
			if (c == ':')
				return misuse("option '%s' needs a value", arg);
			if (short_opt)
				return misuse("unknown option '-%c'", optopt);
			if (optopt)
				return misuse("option '%.*s' takes no value",
					      (int)strcspn(arg, "="), arg);
			return misuse("unknown option '%s'", arg);
		}
		int r = 1;
		if (fo)
			r = filter_opt(fo, c, optarg);
		if (r == 1 && extra)
			r = extra(c, optarg, payload);
		if (r == 1)
			return misuse("unexpected option");
		if (r)
			return r;
	}
	if (fo)
		filter_finish(fo);
	return 0;
}

/* ---- init, import, add ------------------------------------------- */

static const struct option db_only[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "help", no_argument, NULL, OPT_HELP }, { 0, 0, 0, 0 } };

static int db_extra(int c, const char *arg, void *payload)
{
	(void)payload;
	if (c == OPT_DB) {
		db_flag = arg;
		return 0;
	}
	return 1;
}

static int cmd_init(int argc, char **argv)
{
	int r = parse_opts(argc, argv, "h", db_only, NULL, db_extra, NULL,
		"Usage: quotedb init [--db PATH]\n"
		"Creates the database (or migrates an older one).\n");
	if (r)
		return r;
	if (optind != argc)
		return misuse("takes no arguments");
	qdb *db = open_db(0);
	if (!db)
		return 1;
	fprintf(stderr, "quotedb: database %s (schema %d)\n", db_path(0),
		qdb_schema_version());
	qdb_close(db);
	return 0;
}

static int cmd_import(int argc, char **argv)
{
	int r = parse_opts(argc, argv, "h", db_only, NULL, db_extra, NULL,
		"Usage: quotedb import [--db PATH] FILE|DIR...\n"
		"Imports YAML files (a directory: its *.yaml and *.yml files)\n"
		"in one transaction: all of them or, on any error, none.\n"
		"Importing the same file again adds nothing.\n");
	if (r)
		return r;
	if (optind == argc)
		return misuse("needs at least one FILE or DIR");
	qdb *db = open_db(0);
	if (!db)
		return 1;
	qdb_import_stats st = QDB_IMPORT_STATS_INIT;
	qdb_error err;
	progress_on(db, "importing:");
	int rc = qdb_import_paths(db, (const char *const *)argv + optind,
				  (size_t)(argc - optind), &st, &err);
	progress_off();
	if (rc) {
		char buf[1024];
		msg("%s", qdb_error_format(&err, buf, sizeof buf));
		qdb_close(db);
		return 1;
	}
	fprintf(stderr, "quotedb: imported %lld quote%s: %lld new, %lld "
		"already present\n", (long long)st.quotes_read,
		st.quotes_read == 1 ? "" : "s", (long long)st.quotes_added,
		(long long)st.quotes_same);
	qdb_close(db);
	return 0;
}

struct add_opts {
	qdb_quote q;
	qdb_str tags[64];
	int bad;
};

static qdb_str mk(const char *s)
{
	qdb_str r = { s, strlen(s) };
	return r;
}

enum { A_TEXT = 2000, A_SPEAKER, A_ROLE, A_DATE, A_DATE_TEXT, A_OUTLET,
	A_PROGRAMME, A_OCCASION, A_REPORTED, A_SOURCE, A_SOURCE_AUTHOR,
	A_SOURCE_DATE, A_SOURCE_URL, A_SOURCE_FILE, A_LOCATOR, A_LANGUAGE,
	A_TRANSLATED, A_CONTEXT, A_TAG, A_ID };

static int add_extra(int c, const char *arg, void *payload)
{
	struct add_opts *a = payload;
	qdb_quote *q = &a->q;
	qdb_str *fields[] = { &q->text, &q->speaker, &q->role, &q->date,
		&q->date_text, &q->outlet, &q->programme, &q->occasion,
		&q->reported_by, &q->source, &q->source_author,
		&q->source_date, &q->source_url, &q->source_file, &q->locator,
		&q->language, &q->translated, &q->context };
	if (c == OPT_DB) {
		db_flag = arg;
		return 0;
	}
	if (c >= A_TEXT && c <= A_CONTEXT) {
		*fields[c - A_TEXT] = mk(arg);
		return 0;
	}
	if (c == A_ID) {
		q->id = mk(arg);
		return 0;
	}
	if (c == A_TAG) {
		if (q->ntags == 64)
			return misuse("too many tags");
		a->tags[q->ntags++] = mk(arg);
		return 0;
	}
	return 1;
}

static int cmd_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "text", required_argument, NULL, A_TEXT },
		{ "speaker", required_argument, NULL, A_SPEAKER },
		{ "role", required_argument, NULL, A_ROLE },
		{ "date", required_argument, NULL, A_DATE },
		{ "date-text", required_argument, NULL, A_DATE_TEXT },
		{ "outlet", required_argument, NULL, A_OUTLET },
		{ "programme", required_argument, NULL, A_PROGRAMME },
		{ "occasion", required_argument, NULL, A_OCCASION },
		{ "reported-by", required_argument, NULL, A_REPORTED },
		{ "source", required_argument, NULL, A_SOURCE },
		{ "source-author", required_argument, NULL, A_SOURCE_AUTHOR },
		{ "source-date", required_argument, NULL, A_SOURCE_DATE },
		{ "source-url", required_argument, NULL, A_SOURCE_URL },
		{ "source-file", required_argument, NULL, A_SOURCE_FILE },
		{ "locator", required_argument, NULL, A_LOCATOR },
		{ "language", required_argument, NULL, A_LANGUAGE },
		{ "translated", required_argument, NULL, A_TRANSLATED },
		{ "context", required_argument, NULL, A_CONTEXT },
		{ "tag", required_argument, NULL, A_TAG },
		{ "id", required_argument, NULL, A_ID },
		{ "db", required_argument, NULL, OPT_DB },
		{ "help", no_argument, NULL, OPT_HELP }, { 0, 0, 0, 0 } };
	struct add_opts a;
	memset(&a, 0, sizeof a);
	a.q.size = sizeof a.q;
	a.q.tags = a.tags;
	int r = parse_opts(argc, argv, "h", opts, NULL, add_extra, &a,
		"Usage: quotedb add --text TEXT --speaker NAME [fields]\n"
		"Adds one quote and prints its id.  Fields:\n"
		"  --text TEXT --speaker NAME (required), --role --date (EDTF)\n"
		"  --date-text --outlet --programme --occasion --reported-by\n"
		"  --source TITLE --source-author --source-date --source-url\n"
		"  --source-file --locator --language --translated --context\n"
		"  --tag TAG (repeatable) --id ID (default: a content key)\n"
		"  --db PATH\n");
	if (r)
		return r;
	if (optind != argc)
		return misuse("unexpected argument '%s' (put the text in "
			      "--text)", argv[optind]);
	if (!a.q.text.ptr || !a.q.speaker.ptr)
		return misuse("needs --text and --speaker");
	qdb *db = open_db(0);
	if (!db)
		return 1;
	char *id = NULL;
	int added = 0;
	int rc = qdb_quote_add(&id, &added, db, &a.q);
	if (rc) {
		msg("%s", qdb_errmsg(db));
	} else {
		printf("%s\n", id);
		if (!added)
			fprintf(stderr, "quotedb: already present\n");
	}
	qdb_free(id);
	qdb_close(db);
	return rc ? 1 : 0;
}

/* ---- list, search, show ------------------------------------------ */

static void json_quote(const qdb_quote *q, const char *snippet)
{
	struct { const char *k; qdb_str v; } f[] = {
		{ "id", q->id }, { "text", q->text }, { "speaker", q->speaker },
		{ "role", q->role }, { "date", q->date },
		{ "date_text", q->date_text }, { "outlet", q->outlet },
		{ "programme", q->programme }, { "occasion", q->occasion },
		{ "reported_by", q->reported_by }, { "source", q->source },
		{ "locator", q->locator }, { "language", q->language },
		{ "translated", q->translated }, { "context", q->context } };
	fputc('{', stdout);
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		printf(i ? ", \"%s\": " : "\"%s\": ", f[i].k);
		put_json_str(f[i].v);
	}
	fputs(", \"tags\": [", stdout);
	for (size_t i = 0; i < q->ntags; i++) {
		if (i)
			fputs(", ", stdout);
		put_json_str(q->tags[i]);
	}
	fputc(']', stdout);
	if (snippet) {
		fputs(", \"snippet\": ", stdout);
		put_json_str(mk(snippet));
	}
	fputc('}', stdout);
}

/* A snippet marks matches with STX/ETX; a terminal shows them bold.  It
 * goes on a line of its own under its row, indented, cut like a cell to
 * the width of the terminal. */
static void put_snippet(const char *s, size_t width)
{
	fputs("    ", stdout);
	put_cell(s, strlen(s), width - 4, 0);
	fputc('\n', stdout);
}

/* The widths of the table's columns (id, date, speaker, outlet, text) on
 * a terminal w columns wide, with a space between each two: the first
 * four take what they usually need (18, 12, 20 and 12 columns), the text
 * the rest, at least 20.  On a terminal narrower than that (80 columns
 * is) all five are narrowed in proportion, so that no row is wider than
 * the terminal: each column ends at its natural end scaled down, rounded
 * down.  term_width() gives at least 21 columns, and every column then
 * at least 2. */
static void column_widths(size_t w, size_t col[5])
{
	static const size_t natural_end[4] = { 18, 30, 50, 62 };
	size_t room = w - 4, start = 0;
	for (int i = 0; i < 4; i++) {
		size_t end = room >= 82 ? natural_end[i]
			: natural_end[i] * room / 82;
		col[i] = end - start;
		start = end;
	}
	col[4] = room - start;
}

static const qdb_str none_str = { "", 0 };
static qdb_str or_none(qdb_str s) { return s.ptr ? s : none_str; }

static int run_list(qdb *db, const qdb_filter *f, int json)
{
	qdb_cursor *c;
	if (qdb_cursor_open(&c, db, f) != 0) {
		msg("%s", qdb_errmsg(db));
		return 1;
	}
	size_t w = term_width(), col[5];
	column_widths(w, col);
	const qdb_quote *q;
	int rc;
	size_t n = 0;
	if (json)
		fputs("[", stdout);
	else if (is_tty) {
		put_cell("ID", 2, col[0], 1); fputc(' ', stdout);
		put_cell("DATE", 4, col[1], 1); fputc(' ', stdout);
		put_cell("SPEAKER", 7, col[2], 1); fputc(' ', stdout);
		put_cell("OUTLET", 6, col[3], 1); fputc(' ', stdout);
		put_cell("TEXT", 4, col[4], 0); fputc('\n', stdout);
	}
	while ((rc = qdb_cursor_next(&q, c)) == 0) {
		const char *snip = qdb_cursor_snippet(c);
		if (json) {
			fputs(n ? ",\n " : "\n ", stdout);
			json_quote(q, snip);
		} else if (is_tty) {
			qdb_str s;
			s = or_none(q->id); put_cell(s.ptr, s.len, col[0], 1);
			fputc(' ', stdout);
			s = or_none(q->date); put_cell(s.ptr, s.len, col[1], 1);
			fputc(' ', stdout);
			put_cell(q->speaker.ptr, q->speaker.len, col[2], 1);
			fputc(' ', stdout);
			s = or_none(q->outlet); put_cell(s.ptr, s.len, col[3], 1);
			fputc(' ', stdout);
			put_cell(q->text.ptr, q->text.len, col[4], 0);
			fputc('\n', stdout);
			if (snip)
				put_snippet(snip, w);
		} else {
			qdb_str cols[5] = { q->id, or_none(q->date), q->speaker,
					    or_none(q->outlet), q->text };
			for (int i = 0; i < 5; i++) {
				if (i)
					fputc('\t', stdout);
				put_tsv(cols[i].ptr, cols[i].len);
			}
			fputc('\n', stdout);
		}
		n++;
	}
	if (json)
		fputs(n ? "\n]\n" : "]\n", stdout);
	if (rc != QDB_ITEROVER) {
		msg("%s", qdb_errmsg(db));
		qdb_cursor_free(c);
		return 1;
	}
	qdb_cursor_free(c);
	if (fflush(stdout) != 0) {
		msg("write error: %s", strerror(errno));
		return 1;
	}
	return 0;
}

static int json_extra(int c, const char *arg, void *payload)
{
	(void)arg;
	if (c == OPT_JSON) {
		*(int *)payload = 1;
		return 0;
	}
	return 1;
}

static int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = { FILTER_LONGOPTS,
		{ "json", no_argument, NULL, OPT_JSON }, { 0, 0, 0, 0 } };
	filter_opts fo;
	filter_init(&fo);
	int json = 0;
	int r = parse_opts(argc, argv, "h", opts, &fo, json_extra, &json,
		"Usage: quotedb list [filters] [--json]\n"
		"Lists quotes: a table on a terminal, tab-separated lines (id,\n"
		"date, speaker, outlet, text; \\t \\n \\r \\\\ escaped) when\n"
		"piped,\n"
		"a JSON array with --json.\n");
	if (r)
		return r;
	if (optind != argc)
		return misuse("unexpected argument '%s'", argv[optind]);
	qdb *db = open_db(1);
	if (!db)
		return 1;
	r = run_list(db, &fo.f, json);
	qdb_close(db);
	return r;
}

static int cmd_search(int argc, char **argv)
{
	static const struct option opts[] = { FILTER_LONGOPTS,
		{ "json", no_argument, NULL, OPT_JSON }, { 0, 0, 0, 0 } };
	filter_opts fo;
	filter_init(&fo);
	fo.f.sort = QDB_SORT_RANK;
	int json = 0;
	int r = parse_opts(argc, argv, "h", opts, &fo, json_extra, &json,
		"Usage: quotedb search [filters] [--json] WORDS...\n"
		"Full-text search over text and context, best matches first.\n"
		"WORDS is an FTS5 query: words (all must match), \"a phrase\",\n"
		"prefix*, OR, NOT.  Case and diacritics do not matter.\n");
	if (r)
		return r;
	if (optind == argc)
		return misuse("needs WORDS to search for");
	if (fo.f.search)
		return misuse("give the query as WORDS or --search, not both");
	size_t len = 0;
	for (int i = optind; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *query = malloc(len + 1);
	if (!query)
		return 1;
	query[0] = '\0';
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			strcat(query, " ");
		strcat(query, argv[i]);
	}
	fo.f.search = query;
	qdb *db = open_db(1);
	if (!db) {
		free(query);
		return 1;
	}
	r = run_list(db, &fo.f, json);
	qdb_close(db);
	free(query);
	return r;
}

static int cmd_show(int argc, char **argv)
{
	int r = parse_opts(argc, argv, "h", db_only, NULL, db_extra, NULL,
		"Usage: quotedb show [--db PATH] ID...\n"
		"Shows every field of the quotes with these ids.\n");
	if (r)
		return r;
	if (optind == argc)
		return misuse("needs an ID");
	qdb *db = open_db(1);
	if (!db)
		return 1;
	int status = 0, shown = 0;
	for (int i = optind; i < argc; i++) {
		qdb_quote *q;
		if (qdb_quote_get(&q, db, argv[i]) != 0) {
			msg("%s", qdb_errmsg(db));
			status = 1;
			continue;
		}
		struct { const char *k; qdb_str v; } f[] = {
			{ "id", q->id }, { "text", q->text },
			{ "speaker", q->speaker }, { "role", q->role },
			{ "date", q->date }, { "date_text", q->date_text },
			{ "outlet", q->outlet }, { "programme", q->programme },
			{ "occasion", q->occasion },
			{ "reported_by", q->reported_by },
			{ "source", q->source }, { "source.author", q->source_author },
			{ "source.date", q->source_date },
			{ "source.url", q->source_url },
			{ "source.file", q->source_file },
			{ "locator", q->locator }, { "language", q->language },
			{ "translated", q->translated },
			{ "context", q->context } };
		/* A blank line between quotes, not after an id not found. */
		if (shown++)
			fputc('\n', stdout);
		for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
			if (!f[k].v.ptr)
				continue;
			printf("%-12s ", f[k].k);
			/* The text exactly, continuation lines indented. */
			for (size_t j = 0; j < f[k].v.len; j++) {
				fputc(f[k].v.ptr[j], stdout);
				if (f[k].v.ptr[j] == '\n')
					fputs("             ", stdout);
			}
			fputc('\n', stdout);
		}
		if (q->ntags) {
			printf("%-12s ", "tags");
			for (size_t k = 0; k < q->ntags; k++)
				printf("%s%s", k ? ", " : "", q->tags[k].ptr);
			fputc('\n', stdout);
		}
		qdb_quote_free(q);
	}
	qdb_close(db);
	return status;
}

static int cmd_delete(int argc, char **argv)
{
	int r = parse_opts(argc, argv, "h", db_only, NULL, db_extra, NULL,
		"Usage: quotedb delete [--db PATH] ID...\n"
		"Deletes the quotes with these ids.\n");
	if (r)
		return r;
	if (optind == argc)
		return misuse("needs an ID");
	qdb *db = open_db(0);
	if (!db)
		return 1;
	int status = 0;
	for (int i = optind; i < argc; i++) {
		if (qdb_quote_delete(db, argv[i]) != 0) {
			msg("%s", qdb_errmsg(db));
			status = 1;
		}
	}
	qdb_close(db);
	return status;
}

/* ---- speakers and outlets ---------------------------------------- */

static int print_entity(const qdb_entity *e, void *payload)
{
	(void)payload;
	if (is_tty) {
		printf("%6lld  %s", (long long)e->quotes, e->name);
		if (e->aliases)
			printf("  (%s)", e->aliases);
		fputc('\n', stdout);
	} else {
		printf("%lld\t", (long long)e->quotes);
		put_tsv(e->name, strlen(e->name));
		fputc('\t', stdout);
		if (e->aliases)
			put_tsv(e->aliases, strlen(e->aliases));
		fputc('\n', stdout);
	}
	return 0;
}

static int cmd_entities(int argc, char **argv, qdb_entity_kind kind)
{
	const char *what = kind == QDB_SPEAKER ? "speaker" : "outlet";
	char usage[512];
	snprintf(usage, sizeof usage,
		 "Usage: quotedb %ss [--db PATH]\n"
		 "       quotedb %s alias NAME ALIAS\n"
		 "       quotedb %s merge INTO FROM\n"
		 "Lists %ss with their aliases and quote counts (count, name,\n"
		 "aliases; tab-separated when piped), adds an alias, or merges\n"
		 "FROM into INTO (FROM's name becomes an alias).\n",
		 what, what, what, what);
	int r = parse_opts(argc, argv, "h", db_only, NULL, db_extra, NULL,
			   usage);
	if (r)
		return r;
	int nargs = argc - optind;
	char **args = argv + optind;
	if (nargs == 0) {
		qdb *db = open_db(1);
		if (!db)
			return 1;
		int rc = qdb_entity_foreach(db, kind, print_entity, NULL);
		if (rc)
			msg("%s", qdb_errmsg(db));
		qdb_close(db);
		return rc ? 1 : 0;
	}
	if (nargs != 3 || (strcmp(args[0], "alias") && strcmp(args[0], "merge")))
		return misuse("expected '%s alias NAME ALIAS' or '%s merge "
			      "INTO FROM'", what, what);
	qdb *db = open_db(0);
	if (!db)
		return 1;
	int rc = !strcmp(args[0], "alias")
		? qdb_entity_alias(db, kind, args[1], args[2])
		: qdb_entity_merge(db, kind, args[1], args[2]);
	if (rc)
		msg("%s", qdb_errmsg(db));
	qdb_close(db);
	return rc ? 1 : 0;
}

static int cmd_speakers(int argc, char **argv)
{
	return cmd_entities(argc, argv, QDB_SPEAKER);
}

static int cmd_outlets(int argc, char **argv)
{
	return cmd_entities(argc, argv, QDB_OUTLET);
}

/* ---- export and formats ------------------------------------------ */

struct export_opts {
	const char *format, *out;
	const char *options[65];
	int noptions;
};

static int export_extra(int c, const char *arg, void *payload)
{
	struct export_opts *e = payload;
	switch (c) {
	case 'f': case OPT_FORMAT: e->format = arg; return 0;
	case 'o': case OPT_OUTPUT: e->out = arg; return 0;
	case 'O': case OPT_OPTION:
		if (e->noptions == 64)
			return misuse("too many -O options");
		if (!strchr(arg, '='))
			return misuse("-O takes key=value, not '%s'", arg);
		e->options[e->noptions++] = arg;
		return 0;
	default: return 1;
	}
}

/* Whether standard output is a pipe whose reader has gone. */
static int stdout_gone(void)
{
	struct pollfd pfd = { STDOUT_FILENO, POLLOUT, 0 };
	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR);
}

static int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = { FILTER_LONGOPTS,
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "option", required_argument, NULL, OPT_OPTION },
		{ 0, 0, 0, 0 } };
	filter_opts fo;
	filter_init(&fo);
	struct export_opts e;
	memset(&e, 0, sizeof e);
	int r = parse_opts(argc, argv, "hf:o:O:", opts, &fo, export_extra, &e,
		"Usage: quotedb export --format NAME [-o FILE] [-O key=value]...\n"
		"                      [filters]\n"
		"Writes the selected quotes through an export plugin (see\n"
		"'quotedb formats').  With -o the output goes to a temporary file\n"
		"renamed over FILE only when the export succeeded; without it, or\n"
		"with -o -, to stdout.  A format name with a '/' is a plugin path.\n"
		"  -f, --format NAME   csv, yaml, latex or another plugin\n"
		"  -o, --output FILE   where to write\n"
		"  -O, --option K=V    a plugin option (see 'quotedb formats')\n");
	if (r)
		return r;
	if (optind != argc)
		return misuse("unexpected argument '%s'", argv[optind]);
	if (!e.format)
		return misuse("needs --format NAME");
	qdb_plugin_handle *p;
	qdb_error err;
	if (qdb_plugin_load(&p, e.format, &err) != 0) {
		char buf[1024];
		msg("%s", qdb_error_format(&err, buf, sizeof buf));
		return 1;
	}
	qdb *db = open_db(1);
	if (!db) {
		qdb_plugin_unload(p);
		return 1;
	}
	int rc;
	if (e.out && strcmp(e.out, "-") != 0) {
		progress_on(db, "exporting:");
		rc = qdb_export_file(db, p, &fo.f, e.options, e.out,
				     QDB_EXPORT_ISOLATE);
		progress_off();
	}
	else {
		/* In a child, like -o: a crashing plugin fails the export. */
		fflush(stdout);
		rc = qdb_export_fd(db, p, &fo.f, e.options, STDOUT_FILENO,
				   QDB_EXPORT_ISOLATE);
		if (rc && stdout_gone()) {
			/* The reader went away (| head): go quietly, the
			 * way any filter on a closed pipe does. */
			qdb_close(db);
			qdb_plugin_unload(p);
			signal(SIGPIPE, SIG_DFL);
			raise(SIGPIPE);
			return 1;   /* SIGPIPE blocked: still quietly */
		}
	}
	if (rc)
		msg("%s", qdb_errmsg(db));
	qdb_close(db);
	qdb_plugin_unload(p);
	return rc ? 1 : 0;
}

static int print_format(const char *path, void *payload)
{
	(void)payload;
	qdb_plugin_handle *p;
	qdb_error err;
	if (qdb_plugin_load(&p, path, &err) != 0) {
		char buf[1024];
		printf("%s: refused: %s\n", path,
		       qdb_error_format(&err, buf, sizeof buf));
		return 0;
	}
	const qdb_plugin *d = qdb_plugin_descriptor_of(p);
	printf("%-8s %-6s .%-5s %s\n", d->name, d->version, d->extension,
	       d->description);
	printf("         %s\n", path);
	for (const qdb_plugin_option *o = d->options; o && o->name; o++)
		printf("         -O %s=%s  %s\n", o->name,
		       o->default_value ? o->default_value : "", o->help);
	qdb_plugin_unload(p);
	return 0;
}

static int cmd_formats(int argc, char **argv)
{
	static const struct option help_only[] = {
		{ "help", no_argument, NULL, OPT_HELP }, { 0, 0, 0, 0 } };
	int r = parse_opts(argc, argv, "h", help_only, NULL, NULL, NULL,
		"Usage: quotedb formats\n"
		"Lists the export plugins found along QUOTEDB_PLUGIN_PATH, the\n"
		"install directory and the build tree: name, version,\n"
		"extension, description, file and options with defaults.\n");
	if (r)
		return r;
	return qdb_plugin_foreach(print_format, NULL) ? 1 : 0;
}

/* ---- verify ------------------------------------------------------- */

struct verify_state {
	const char *source_flag;
	char *loaded_path;
	char *text;
	size_t len;
	long verified, failed;
	int error;
};

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n + 65536 + 1 > cap) {
			cap = cap ? cap * 2 : 131072;
			char *b = realloc(buf, cap);
			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
		}
		size_t got = fread(buf + n, 1, 65536, f);
		n += got;
		if (got < 65536)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Prints s[0, n) on verify's tab-separated line: line breaks and tabs
 * (a source saved with CRLF has \r too) as spaces. */
static void show_span(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fputc(s[i] == '\n' || s[i] == '\t' || s[i] == '\r' ? ' ' : s[i],
		      stdout);
}

/* The first bytes of s[0, n) to show, about 24, cut before a character
 * rather than inside it. */
static size_t span_len(const char *s, size_t n)
{
	if (n <= 24)
		return n;
	size_t k = 24;
	while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	return k;
}

static int verify_one(const qdb_quote *q, void *payload)
{
	struct verify_state *v = payload;
	const char *path = v->source_flag ? v->source_flag
		: q->source_file.ptr;
	if (!path) {
		printf("not found\t%s\tno source file (give --source)\n",
		       q->id.ptr);
		v->failed++;
		return 0;
	}
	if (!v->loaded_path || strcmp(v->loaded_path, path)) {
		free(v->loaded_path);
		free(v->text);
		v->text = read_all(path, &v->len);
		v->loaded_path = strdup(path);
		if (!v->text) {
			msg("%s: cannot read: %s", path, strerror(errno));
			v->error = 1;
			return 1;
		}
	}
	qdb_verify_result res = QDB_VERIFY_RESULT_INIT;
	if (qdb_verify_text(&res, q->text.ptr, q->text.len, v->text, v->len)) {
		msg("%s: cannot verify", q->id.ptr);
		v->error = 1;
		return 1;
	}
	switch (res.status) {
	case QDB_VERIFIED:
		printf("verified\t%s\n", q->id.ptr);
		v->verified++;
		break;
	case QDB_NOT_FOUND:
		printf("not found\t%s\n", q->id.ptr);
		v->failed++;
		break;
	default:
		printf("differs\t%s\tat byte %zu of the quote: quote has \"",
		       q->id.ptr, res.quote_off);
		show_span(q->text.ptr + res.quote_off,
			  span_len(q->text.ptr + res.quote_off,
				   q->text.len - res.quote_off));
		printf("\", source has \"");
		show_span(v->text + res.source_off,
			  span_len(v->text + res.source_off,
				   v->len - res.source_off));
		printf("\"\n\tclosest passage: ");
		show_span(v->text + res.near_off, res.near_len);
		fputc('\n', stdout);
		v->failed++;
		break;
	}
	return 0;
}

static int verify_extra(int c, const char *arg, void *payload)
{
	if (c == OPT_SOURCE) {
		((struct verify_state *)payload)->source_flag = arg;
		return 0;
	}
	return 1;
}

static int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = { FILTER_LONGOPTS,
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ 0, 0, 0, 0 } };
	filter_opts fo;
	filter_init(&fo);
	struct verify_state v;
	memset(&v, 0, sizeof v);
	int r = parse_opts(argc, argv, "h", opts, &fo, verify_extra, &v,
		"Usage: quotedb verify [--source FILE] [filters]\n"
		"Checks each selected quote against the text of its source\n"
		"document (its source file, or FILE) and prints per quote:\n"
		"verified, not found, or differs with the first differing\n"
		"character and the closest passage.  Matching (docs/verify.md):\n"
		"exact bytes, except that whitespace runs and line breaks are\n"
		"equal, an ellipsis (… or ...) stands for an omitted passage\n"
		"and a [bracketed] insertion for the words it replaces or none.\n"
		"Exit 0 when every quote verified, 1 otherwise.\n");
	if (r)
		return r;
	if (optind != argc)
		return misuse("unexpected argument '%s'", argv[optind]);
	qdb *db = open_db(1);
	if (!db)
		return 1;
	int rc = qdb_foreach(db, &fo.f, verify_one, &v);
	if (rc && !v.error)
		msg("%s", qdb_errmsg(db));
	fprintf(stderr, "quotedb: %ld verified, %ld not verified\n",
		v.verified, v.failed);
	free(v.loaded_path);
	free(v.text);
	qdb_close(db);
	return rc || v.error || v.failed ? 1 : 0;
}

/* ---- info and dispatch -------------------------------------------- */

static int cmd_info(int argc, char **argv)
{
	int r = parse_opts(argc, argv, "h", db_only, NULL, db_extra, NULL,
		"Usage: quotedb info [--db PATH]\n"
		"Shows the database in use, its schema version and counts, and\n"
		"the plugin search path.\n");
	if (r)
		return r;
	printf("database      %s\n", db_path(0));
	qdb *db = open_db(1);
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
	return db ? 0 : 1;
}

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "init", cmd_init, "create or migrate the database" },
	{ "import", cmd_import, "import YAML files or directories" },
	{ "add", cmd_add, "add one quote from options" },
	{ "list", cmd_list, "list quotes (filters, sorting, --json)" },
	{ "search", cmd_search, "full-text search" },
	{ "show", cmd_show, "show every field of a quote" },
	{ "delete", cmd_delete, "delete quotes by id" },
	{ "speakers", cmd_speakers, "list speakers with aliases and counts" },
	{ "speaker", cmd_speakers, "speaker alias NAME ALIAS | merge A B" },
	{ "outlets", cmd_outlets, "list outlets with aliases and counts" },
	{ "outlet", cmd_outlets, "outlet alias NAME ALIAS | merge A B" },
	{ "export", cmd_export, "export through a format plugin" },
	{ "formats", cmd_formats, "list the export plugins found" },
	{ "verify", cmd_verify, "check quotes against their source text" },
	{ "info", cmd_info, "database path, schema, counts, plugin path" },
	{ "help", NULL, "help COMMAND: the same as COMMAND --help" },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
	fprintf(out, "Usage: quotedb [--db PATH] COMMAND [options] [args]\n"
		"Keeps direct quotations exactly as said, with who said them,\n"
		"when and where.\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n'quotedb COMMAND --help' tells more.  The database is\n"
		"--db PATH, else $QUOTEDB_DB, else\n"
		"$XDG_DATA_HOME/quotedb/quotes.db (~/.local/share/quotedb/).\n");
}

int main(int argc, char **argv)
{
	is_tty = isatty(STDOUT_FILENO);
	int i = 1;
	/* Options before the command: --db, --help, --version. */
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--version")) {
			printf("quotedb %s (schema %d, plugin ABI %d.%d)\n",
			       qdb_version(), qdb_schema_version(),
			       QDB_PLUGIN_ABI_MAJOR, QDB_PLUGIN_ABI_MINOR);
			return 0;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db_flag = argv[i + 1];
			i += 2;
			continue;
		}
		if (!strncmp(argv[i], "--db=", 5)) {
			db_flag = argv[i] + 5;
			i++;
			continue;
		}
		fprintf(stderr, "quotedb: unknown option '%s'\n", argv[i]);
		usage(stderr);
		return EXIT_MISUSE;
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_MISUSE;
	}
	const char *name = argv[i];
	if (!strcmp(name, "help")) {
		if (i + 1 == argc) {
			usage(stdout);
			return 0;
		}
		/* help COMMAND is COMMAND --help; help NOSUCH is misuse,
		 * told like any unknown command. */
		name = argv[i + 1];
		for (size_t k = 0; k < NCOMMANDS; k++)
			if (commands[k].run && !strcmp(commands[k].name, name)) {
				char *args[] = { argv[i + 1], "--help", NULL };
				prog_cmd = commands[k].name;
				return commands[k].run(2, args);
			}
	} else {
		for (size_t k = 0; k < NCOMMANDS; k++)
			if (commands[k].run && !strcmp(commands[k].name, name)) {
				prog_cmd = commands[k].name;
				return commands[k].run(argc - i, argv + i);
			}
	}
	const char *names[NCOMMANDS];
	for (size_t k = 0; k < NCOMMANDS; k++)
		names[k] = commands[k].name;
	const char *best = qdb_suggest(name, names, NCOMMANDS, 2);
	if (best)
		fprintf(stderr, "quotedb: '%s' is not a command; did you mean "
			"'%s'?\n", name, best);
	else
		fprintf(stderr, "quotedb: '%s' is not a command; see 'quotedb "
			"--help'\n", name);
	return EXIT_MISUSE;
}
