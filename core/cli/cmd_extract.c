/*
 * cmd_extract.c: `quotedb extract SOURCE [-o FILE]`, a draft YAML
 * collection of the quotations in a plain-text or Markdown source (the
 * library's qdb_extract_yaml).  The speakers and outlets of the database,
 * when there is one, give the canonical names.  With -o the draft goes to
 * a temporary file beside FILE, renamed over it only once complete.
 */
#define _DEFAULT_SOURCE
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *output;

static const cli_opt opts[] = {
	{ CLI_STRING, "output", 'o', "FILE", "where to write the draft "
	  "(default: stdout)", &output, NULL },
	{ CLI_FLAG, NULL, 0, NULL, NULL, NULL, NULL }
};

static int check(int argc, char **argv)
{
	if (argc < 1)
		return cli_misuse("needs a SOURCE file");
	if (argc > 1)
		return cli_misuse("unexpected argument '%s'", argv[1]);
	return 0;
}

static char *read_file(const char *path, size_t *len)
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
				errno = ENOMEM;
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
		errno = EIO;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The database's speakers and outlets, as qdb_extract takes them. */
typedef struct names {
	qdb_entity *v;
	size_t n, cap;
} names;

static int take_entity(const qdb_entity *e, void *payload)
{
	names *l = payload;
	if (l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 32;
		qdb_entity *v = realloc(l->v, c * sizeof *v);
		if (!v)
			return 1;
		l->v = v;
		l->cap = c;
	}
	qdb_entity *d = &l->v[l->n];
	d->name = strdup(e->name);
	d->aliases = e->aliases ? strdup(e->aliases) : NULL;
	d->quotes = e->quotes;
	if (!d->name || (e->aliases && !d->aliases)) {
		free((char *)d->name);
		free((char *)d->aliases);
		return 1;
	}
	l->n++;
	return 0;
}

static void names_free(names *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((char *)l->v[i].name);
		free((char *)l->v[i].aliases);
	}
	free(l->v);
}

struct sink {
	int fd;
	const char *source;
	long warnings;
};

static int write_fd(const void *buf, size_t len, void *payload)
{
	struct sink *s = payload;
	const char *p = buf;
	while (len) {
		ssize_t w = write(s->fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int warn(const qdb_error *w, void *payload)
{
	struct sink *s = payload;
	s->warnings++;
	cli_msg("%s:%d:%d: %s", s->source, w->line, w->column, w->text);
	return 0;
}

static int run(qdb *unused, int argc, char **argv)
{
	(void)unused;
	(void)argc;
	const char *source = argv[0];
	size_t len = 0;
	char *text = read_file(source, &len);
	if (!text) {
		cli_msg("%s: cannot read: %s", source, strerror(errno));
		return 1;
	}
	names sp = { 0 }, ou = { 0 };
	const char *dbpath = cli_db_path(0);
	if (access(dbpath, F_OK) == 0) {
		qdb *db = cli_open_db(1);
		if (!db || qdb_entity_foreach(db, QDB_SPEAKER, take_entity,
					      &sp) ||
		    qdb_entity_foreach(db, QDB_OUTLET, take_entity, &ou)) {
			if (db)
				cli_msg("%s", qdb_errmsg(db));
			qdb_close(db);
			names_free(&sp);
			names_free(&ou);
			free(text);
			return 1;
		}
		qdb_close(db);
	}
	qdb_extract_options opt = QDB_EXTRACT_OPTIONS_INIT;
	opt.speakers = sp.v;
	opt.nspeakers = sp.n;
	opt.outlets = ou.v;
	opt.noutlets = ou.n;
	opt.warn = warn;

	int to_file = output && strcmp(output, "-") != 0;
	char *tmp = NULL;
	struct sink sink = { STDOUT_FILENO, source, 0 };
	if (to_file) {
		size_t n = strlen(output) + 16;
		tmp = malloc(n);
		if (!tmp) {
			cli_msg("out of memory");
			goto fail;
		}
		snprintf(tmp, n, "%s.tmp.XXXXXX", output);
		sink.fd = mkstemp(tmp);
		if (sink.fd < 0) {
			cli_msg("%s: cannot create: %s", tmp, strerror(errno));
			free(tmp);
			tmp = NULL;
			goto fail;
		}
	} else {
		fflush(stdout);
	}
	qdb_error err;
	size_t nq = 0, ns = 0;
	int rc = qdb_extract_yaml(text, len, source, &opt, write_fd, &sink,
				  &nq, &ns, &err);
	if (rc) {
		if (err.line)
			cli_msg("%s:%d:%d: %s", source, err.line, err.column,
				err.text);
		else if (rc == QDB_EIO)
			cli_msg("%s: %s", to_file ? output : "stdout",
				strerror(errno ? errno : EIO));
		else
			cli_msg("%s: %s", source, err.text);
		goto fail;
	}
	if (to_file) {
		/* Complete and on disk before it takes the name. */
		if (fchmod(sink.fd, 0644) != 0 || fsync(sink.fd) != 0 ||
		    close(sink.fd) != 0) {
			sink.fd = -1;
			cli_msg("%s: %s", output, strerror(errno));
			goto fail;
		}
		sink.fd = -1;
		if (rename(tmp, output) != 0) {
			cli_msg("%s: cannot write: %s", output,
				strerror(errno));
			goto fail;
		}
		free(tmp);
		tmp = NULL;
	}
	if (len == 0)
		cli_msg("%s: empty: the draft has no quotations", source);
	else
		cli_msg("%s: %zu quotation%s proposed, %zu left out as scare "
			"quotes or names%s%s", source, nq, nq == 1 ? "" : "s",
			ns, to_file ? "; wrote " : "", to_file ? output : "");
	names_free(&sp);
	names_free(&ou);
	free(text);
	return 0;
fail:
	if (tmp) {
		if (sink.fd >= 0)
			close(sink.fd);
		unlink(tmp);
		free(tmp);
	}
	names_free(&sp);
	names_free(&ou);
	free(text);
	return 1;
}

const cli_cmd cli_cmd_extract = {
	.name = "extract",
	.args = "SOURCE",
	.summary = "a draft YAML collection from a source text",
	.description = "Finds the quotations of a plain-text or Markdown "
		"SOURCE and writes a\ndraft collection: one entry per "
		"quotation with the speaker, date,\noutlet, role and locator "
		"the text gives, each under a comment with\nthe evidence.  "
		"Scare quotes and names in quotation marks are\n"
		"commented-out entries.  The speakers and outlets of the "
		"database,\nwhen there is one, give canonical names.  Review "
		"the draft, then\n'quotedb import' it and 'quotedb verify'.  "
		"With -o the draft is\nwritten to a temporary file and renamed "
		"into place when complete.\n",
	.db = CLI_DB_OWN,
	.opts = opts,
	.check = check,
	.run = run,
};
