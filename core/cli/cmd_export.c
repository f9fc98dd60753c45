/*
 * cmd_export.c: `quotedb export --format NAME [-o FILE | --split DIR]
 * [-O key=value]`, the selected quotes through an export plugin, into one
 * output or one file per source (qdb_export_split).  The plugin runs in a
 * child process (QDB_EXPORT_ISOLATE): a plugin that crashes fails the
 * export, not quotedb.
 */
#define _DEFAULT_SOURCE
#include "cli.h"
#include "quotedb/plugin.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *format, *output, *cited_in, *split;
static int force;
static cli_list plugin_opts = { .too_many = "too many -O options" };

static int take_option(const cli_opt *o, const char *arg)
{
	(void)o;
	if (plugin_opts.n == CLI_LIST_MAX)
		return cli_misuse("%s", plugin_opts.too_many);
	if (!strchr(arg, '='))
		return cli_misuse("-O takes key=value, not '%s'", arg);
	plugin_opts.v[plugin_opts.n++] = arg;
	return 0;
}

static const cli_opt opts[] = {
	{ CLI_STRING, "format", 'f', "NAME", "a format of quotedb formats, or a "
	  "plugin path", &format, NULL },
	{ CLI_STRING, "output", 'o', "FILE", "where to write", &output, NULL },
	{ CLI_STRING, "split", 0, "DIR", "one file per source, into the new "
	  "or empty directory DIR", &split, NULL },
	{ CLI_FLAG, "force", 0, NULL, "replace FILE even when read-only or "
	  "hard-linked; replace DIR's files", &force, NULL },
	{ CLI_FUNC, "option", 'O', "K=V", "a plugin option (see 'quotedb "
	  "formats')", NULL, take_option },
	{ CLI_STRING, "cited-in", 0, "FILE", "only the quotes the manuscript "
	  "FILE cites ({{q:ID}}, or quotedb.sty's commands in a .tex)",
	  &cited_in, NULL },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

static int check(int argc, char **argv)
{
	if (argc)
		return cli_misuse("unexpected argument '%s'", argv[0]);
	if (split && output)
		return cli_misuse("--split DIR and -o FILE cannot be combined");
	return format ? 0 : cli_misuse("needs --format NAME");
}

/* Ctrl-C, kill or a closed terminal: no temporary file and no child
 * left behind, and the status a shell expects of a signal. */
static void on_signal(int sig)
{
	qdb_export_interrupt();
	_exit(128 + sig);
}

static void catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* The ids --cited-in found, owned here until the export is done. */
static char **cited;
static size_t ncited, capcited;

static int take_cited(const char *id, void *payload)
{
	(void)payload;
	if (ncited == capcited) {
		size_t cap = capcited ? capcited * 2 : 64;
		char **v = realloc(cited, cap * sizeof *v);
		if (!v)
			return QDB_ENOMEM;
		cited = v;
		capcited = cap;
	}
	cited[ncited] = strdup(id);
	return cited[ncited++] ? 0 : QDB_ENOMEM;
}

/* Narrows the filter to the quotes cited_in cites; 0 or after a
 * message. */
static int filter_cited(qdb_filter *f)
{
	qdb_error err;
	char buf[1024];
	int rc = qdb_cited_foreach(cited_in, take_cited, NULL, &err);
	if (rc == QDB_ENOMEM && !err.text[0])
		cli_msg("out of memory");
	else if (rc)
		cli_msg("%s", qdb_error_format(&err, buf, sizeof buf));
	if (rc)
		return rc;
	/* No citation selects nothing, not everything: "" is no id. */
	static const char *const none[] = { "" };
	f->ids.v = ncited ? (const char *const *)cited : none;
	/* however many: the library takes a long id list as one value */
	f->ids.n = ncited ? ncited : 1;
	return 0;
}

static void free_cited(void)
{
	for (size_t i = 0; i < ncited; i++)
		free(cited[i]);
	free(cited);
	cited = NULL;
	ncited = capcited = 0;
}

/* Whether standard output is a pipe whose reader has gone. */
static int stdout_gone(void)
{
	struct pollfd pfd = { STDOUT_FILENO, POLLOUT, 0 };
	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR);
}

/* Whether f selects any quote: 1 or 0, or -1 after a message (a filter
 * that names nothing in the database among them).  The first quote in
 * the added order is enough to know. */
static int selects_any(qdb *db, const qdb_filter *f)
{
	qdb_filter probe = *f;
	probe.sort = QDB_SORT_ADDED;
	probe.limit = 1;
	qdb_cursor *c;
	const qdb_quote *q;
	int rc = qdb_cursor_open(&c, db, &probe);
	if (!rc) {
		rc = qdb_cursor_next(&q, c);
		qdb_cursor_free(c);
	}
	if (rc && rc != QDB_ITEROVER) {
		cli_msg("%s", qdb_errmsg(db));
		return -1;
	}
	return rc == 0;
}

static int run(qdb *unused, int argc, char **argv)
{
	(void)unused;
	(void)argc;
	(void)argv;
	qdb_plugin_handle *p;
	qdb_error err;
	/* The plugin first: a format that is not there is the mistake to
	 * report, whatever the state of the database. */
	if (qdb_plugin_load(&p, format, &err) != 0) {
		char buf[1024];
		cli_msg("%s", qdb_error_format(&err, buf, sizeof buf));
		return 1;
	}
	/* cli_filter() fills the filter from the options anew each time:
	 * ask once, then narrow it. */
	qdb_filter *f = cli_filter();
	if (cited_in && f->ids.n) {
		qdb_plugin_unload(p);
		return cli_misuse("--cited-in and --id cannot be combined");
	}
	if (cited_in && filter_cited(f)) {
		free_cited();
		qdb_plugin_unload(p);
		return 1;
	}
	qdb *db = cli_open_db(1);
	if (!db) {
		free_cited();
		qdb_plugin_unload(p);
		return 1;
	}
	const char *const *options = plugin_opts.v;   /* NULL-ended */
	/* A selection of nothing still exports (a CSV with its header),
	 * but is said: most often it is not what was meant. */
	int any = selects_any(db, f);
	if (any < 0) {
		qdb_close(db);
		qdb_plugin_unload(p);
		free_cited();
		return 1;
	}
	int rc;
	catch_signals();
	if (split) {
		cli_progress_on(db, "exporting:");
		rc = qdb_export_split(db, p, f, options, split,
				      QDB_EXPORT_ISOLATE |
				      (force ? QDB_EXPORT_FORCE : 0));
		cli_progress_off();
	} else if (output && strcmp(output, "-") != 0) {
		cli_progress_on(db, "exporting:");
		rc = qdb_export_file(db, p, f, options, output,
				     QDB_EXPORT_ISOLATE |
				     (force ? QDB_EXPORT_FORCE : 0));
		cli_progress_off();
	} else {
		fflush(stdout);
		rc = qdb_export_fd(db, p, f, options, STDOUT_FILENO,
				   QDB_EXPORT_ISOLATE);
		if (rc && stdout_gone()) {
			/* The reader went away (| head): go quietly, the
			 * way any filter on a closed pipe does. */
			qdb_close(db);
			qdb_plugin_unload(p);
			free_cited();
			signal(SIGPIPE, SIG_DFL);
			raise(SIGPIPE);
			return 1;   /* SIGPIPE blocked: still quietly */
		}
	}
	if (rc)
		cli_msg("%s", qdb_errmsg(db));
	else if (!any)
		cli_msg("the filters select no quotes: the %s export%s%s holds "
			"none", qdb_plugin_descriptor_of(p)->name,
			split || (output && strcmp(output, "-")) ? " in " : "",
			split ? split : output && strcmp(output, "-") ? output
			: "");
	qdb_close(db);
	qdb_plugin_unload(p);
	free_cited();
	return rc ? 1 : 0;
}

const cli_cmd cli_cmd_export = {
	.name = "export",
	.summary = "export through a format plugin",
	.description = "Writes the selected quotes through an export plugin "
		"(see\n'quotedb formats').  With -o the output goes to a "
		"temporary file\nrenamed over FILE only when the export "
		"succeeded; without it, or\nwith -o -, to stdout.  A format "
		"name with a '/' is a plugin path.  --cited-in FILE narrows "
		"the\nselection to the quotes a manuscript cites.  --split DIR "
		"writes one file per\nsource into DIR instead (all or "
		"nothing), for `quotedb sync DIR`.\n",
	.db = CLI_DB_OWN,
	.filters = 1,
	.opts = opts,
	.check = check,
	.run = run,
};
