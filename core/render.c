/*
 * render.c: manuscripts that cite quotes by id.  qdb_render replaces each
 * {{q:ID}} marker of a text with the quote's exact text in the marks of
 * its language, and {{q:ID|block}} with a block quotation and its
 * attribution line, escaped for the output format (Markdown, HTML or
 * plain text); qdb_cited_foreach lists the ids a manuscript cites, from
 * those markers or from quotedb.sty's commands in a .tex file.
 *
 * Streaming: the manuscript is read in 64 KiB blocks through a small
 * state machine, so a line of any length costs nothing; what is kept is
 * one marker (at most QDB_MARKER_MAX bytes) and, for --appendix, the ids
 * cited so far, each once: bounded by the citations, not the collection.
 * The output goes to a temporary file, renamed over the target (or
 * copied to standard output) only when everything succeeded, so an
 * unknown id leaves nothing written.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define QDB_MARKER_MAX 1024    /* bytes between {{q: and }} */
#define BLOCK (64 * 1024)
#define QDB_RENDER_CACHE 64    /* quotes kept between lookups */

/* ---- The ids cited, each once, in order of first citation ----------- */

typedef struct idset {
	char **v;          /* in order of first citation */
	size_t n, cap;
	size_t *slots;     /* index + 1; 0 is empty */
	size_t nslots;
} idset;

/* Adds id; *added says whether it was new.  QDB_ENOMEM when out of
 * memory. */
static int idset_add(idset *s, const char *id, size_t len, int *added)
{
	*added = 0;
	if ((s->n + 1) * 2 > s->nslots) {
		size_t ns = s->nslots ? s->nslots * 2 : 64;
		size_t *slots = calloc(ns, sizeof *slots);
		if (!slots)
			return QDB_ENOMEM;
		for (size_t i = 0; i < s->n; i++) {
			size_t h = qdb__fnv1a(QDB_FNV_INIT, s->v[i],
					      strlen(s->v[i])) & (ns - 1);
			while (slots[h])
				h = (h + 1) & (ns - 1);
			slots[h] = i + 1;
		}
		free(s->slots);
		s->slots = slots;
		s->nslots = ns;
	}
	size_t h = qdb__fnv1a(QDB_FNV_INIT, id, len) & (s->nslots - 1);
	for (; s->slots[h]; h = (h + 1) & (s->nslots - 1)) {
		const char *e = s->v[s->slots[h] - 1];
		if (strlen(e) == len && memcmp(e, id, len) == 0)
			return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **v = realloc(s->v, cap * sizeof *v);
		if (!v)
			return QDB_ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	char *c = malloc(len + 1);
	if (!c)
		return QDB_ENOMEM;
	memcpy(c, id, len);
	c[len] = '\0';
	s->v[s->n] = c;
	s->slots[h] = ++s->n;
	*added = 1;
	return 0;
}

static void idset_free(idset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	free(s->slots);
}

/* ---- Output ---------------------------------------------------------- */

typedef struct out {
	FILE *f;
	int failed;
} out;

static void put(out *o, const char *p, size_t n)
{
	if (n && fwrite(p, 1, n, o->f) != n)
		o->failed = 1;
}

static void puts_(out *o, const char *s)
{
	put(o, s, strlen(s));
}

/*
 * Quotation marks by the language's primary subtag (the part before the
 * first '-', any case); English's for a quote without a language or with
 * one not listed.  quotedb(1) prints this table.
 */
static const struct marks {
	const char *lang, *open, *close;
} mark_table[] = {
	{ "en", "\xe2\x80\x9c", "\xe2\x80\x9d" },        /* “ ” */
	{ "de", "\xe2\x80\x9e", "\xe2\x80\x9c" },        /* „ “ */
	{ "cs", "\xe2\x80\x9e", "\xe2\x80\x9c" },
	{ "sk", "\xe2\x80\x9e", "\xe2\x80\x9c" },
	{ "pl", "\xe2\x80\x9e", "\xe2\x80\x9d" },        /* „ ” */
	{ "hu", "\xe2\x80\x9e", "\xe2\x80\x9d" },
	{ "ro", "\xe2\x80\x9e", "\xe2\x80\x9d" },
	{ "nl", "\xe2\x80\x9c", "\xe2\x80\x9d" },
	{ "fr", "\xc2\xab\xc2\xa0", "\xc2\xa0\xc2\xbb" }, /* « … » */
	{ "es", "\xc2\xab", "\xc2\xbb" },                /* «…» */
	{ "it", "\xc2\xab", "\xc2\xbb" },
	{ "pt", "\xc2\xab", "\xc2\xbb" },
	{ "ca", "\xc2\xab", "\xc2\xbb" },
	{ "ru", "\xc2\xab", "\xc2\xbb" },
	{ "uk", "\xc2\xab", "\xc2\xbb" },
	{ "nb", "\xc2\xab", "\xc2\xbb" },
	{ "no", "\xc2\xab", "\xc2\xbb" },
	{ "ar", "\xc2\xab", "\xc2\xbb" },
	{ "da", "\xc2\xbb", "\xc2\xab" },                /* »…« */
	{ "sv", "\xe2\x80\x9d", "\xe2\x80\x9d" },        /* ”…” */
	{ "fi", "\xe2\x80\x9d", "\xe2\x80\x9d" },
	{ "ja", "\xe3\x80\x8c", "\xe3\x80\x8d" },        /* 「…」 */
	{ "zh", "\xe2\x80\x9c", "\xe2\x80\x9d" },
};

static const struct marks *marks_for(qdb_str lang)
{
	size_t n = 0;
	while (lang.ptr && n < lang.len && lang.ptr[n] != '-' &&
	       lang.ptr[n] != '_')
		n++;
	for (size_t i = 0; i < sizeof mark_table / sizeof mark_table[0];
	     i++)
		if (strlen(mark_table[i].lang) == n &&
		    strncasecmp(mark_table[i].lang, lang.ptr, n) == 0)
			return &mark_table[i];
	return &mark_table[0];
}

/* Whether p[0, n) starts with a line break; its length in *k. */
static int line_break(const char *p, size_t n, size_t *k)
{
	const unsigned char *u = (const unsigned char *)p;
	if (u[0] == '\n' || u[0] == '\r') {
		*k = (u[0] == '\r' && n > 1 && u[1] == '\n') ? 2 : 1;
		return 1;
	}
	if (n >= 2 && u[0] == 0xC2 && u[1] == 0x85) {
		*k = 2;
		return 1;
	}
	if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
	    (u[2] == 0xA8 || u[2] == 0xA9)) {
		*k = 3;
		return 1;
	}
	return 0;
}

/*
 * s escaped for the format.  A line break is brk (inline: a space; in a
 * block: the format's line break).  Markdown: every ASCII punctuation
 * character is backslash-escaped (CommonMark and pandoc take any of them
 * as a literal), so no text becomes markup or a typographic
 * substitution, and a line's leading spaces are &#32;, never an indented
 * code block.  HTML: & < > " escaped.  Text: as it is.
 */
static void put_escaped(out *o, qdb_render_format to, qdb_str s,
			const char *brk)
{
	size_t i = 0, k;
	int bol = 1, block = strcmp(brk, " ") != 0;
	while (i < s.len) {
		const char *p = s.ptr + i;
		unsigned char c = (unsigned char)*p;
		if (line_break(p, s.len - i, &k)) {
			puts_(o, brk);
			i += k;
			bol = 1;
			continue;
		}
		if (to == QDB_RENDER_MARKDOWN) {
			if (bol && block && (c == ' ' || c == '\t')) {
				puts_(o, c == ' ' ? "&#32;" : "&#9;");
				i++;
				continue;
			}
			if (c < 0x80 && c > 0x20 && c != 0x7f &&
			    !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')
			      || (c >= 'a' && c <= 'z')))
				put(o, "\\", 1);
		} else if (to == QDB_RENDER_HTML) {
			const char *e = c == '&' ? "&amp;" : c == '<' ? "&lt;"
				: c == '>' ? "&gt;" : c == '"' ? "&quot;"
				: NULL;
			if (e) {
				puts_(o, e);
				i++;
				bol = 0;
				continue;
			}
		}
		put(o, p, 1);
		i++;
		bol = 0;
	}
}

/* Speaker, role, outlet, the date in words (or as the source words it). */
static void put_attribution(out *o, qdb_render_format to,
			    const qdb_quote *q)
{
	char words[64];
	qdb_str date = q->date_text;
	if (q->date.ptr) {
		date.ptr = qdb_date_words(words, sizeof words, q->date);
		date.len = strlen(words);
	}
	const qdb_str parts[] = { q->speaker, q->role, q->outlet, date };
	int first = 1;
	for (size_t i = 0; i < 4; i++) {
		if (!parts[i].ptr)
			continue;
		if (!first)
			puts_(o, ", ");
		put_escaped(o, to, parts[i], " ");
		first = 0;
	}
}

static void put_inline(out *o, qdb_render_format to, const qdb_quote *q)
{
	const struct marks *m = marks_for(q->language);
	puts_(o, m->open);
	put_escaped(o, to, q->text, " ");
	puts_(o, m->close);
}

static void put_block(out *o, qdb_render_format to, const qdb_quote *q)
{
	switch (to) {
	case QDB_RENDER_MARKDOWN:
		puts_(o, "> ");
		put_escaped(o, to, q->text, "\\\n> ");
		puts_(o, "\n>\n> \xe2\x80\x94 ");
		put_attribution(o, to, q);
		puts_(o, "\n");
		break;
	case QDB_RENDER_HTML:
		puts_(o, "<blockquote class=\"qdb-quote\"");
		if (q->language.ptr) {
			puts_(o, " lang=\"");
			put_escaped(o, to, q->language, " ");
			puts_(o, "\"");
		}
		puts_(o, ">\n<p>");
		put_escaped(o, to, q->text, "<br>\n");
		puts_(o, "</p>\n<footer>\xe2\x80\x94 ");
		put_attribution(o, to, q);
		puts_(o, "</footer>\n</blockquote>\n");
		break;
	default:
		puts_(o, "    ");
		put_escaped(o, to, q->text, "\n    ");
		puts_(o, "\n    \xe2\x80\x94 ");
		put_attribution(o, to, q);
		puts_(o, "\n");
		break;
	}
}

/* One entry of the appendix: number, the quote inline, its attribution
 * and source. */
static void put_entry(out *o, qdb_render_format to, const qdb_quote *q,
		      size_t num)
{
	char n[32];
	snprintf(n, sizeof n, "%zu. ", num);
	if (to == QDB_RENDER_HTML)
		puts_(o, "<li>");
	else
		puts_(o, n);
	put_inline(o, to, q);
	puts_(o, " \xe2\x80\x94 ");
	put_attribution(o, to, q);
	const qdb_str src[] = { q->source, q->source_author, q->source_url,
				q->locator };
	const char *sep = "; ";
	for (size_t i = 0; i < 4; i++) {
		if (!src[i].ptr)
			continue;
		puts_(o, sep);
		put_escaped(o, to, src[i], " ");
		sep = ", ";
	}
	puts_(o, to == QDB_RENDER_HTML ? "</li>\n" : "\n");
}

/* ---- The scanner --------------------------------------------------- */

typedef struct scan {
	qdb *db;
	const qdb_render_options *opt;
	const char *name;       /* the manuscript, for messages */
	qdb_error *err;
	out o;
	idset cited;
	int render;             /* 0: only collect the ids */
	long line, col;         /* where the next byte is */
	long mline, mcol;       /* where the marker being read started */
	int line_has_text;      /* this output line has text before us */
	int after_block;        /* a block just ended */
	char marker[QDB_MARKER_MAX + 2];
	size_t mlen;
	/* The quotes last looked up, one per slot of the id's hash: a
	 * manuscript cites a few quotes again and again, and a lookup costs
	 * more than the rendering. */
	qdb_quote *cache[QDB_RENDER_CACHE];
} scan;

/* Quote id, borrowed from the cache until the next call. */
static int lookup(const qdb_quote **out, scan *s, const char *id)
{
	size_t h = qdb__fnv1a(QDB_FNV_INIT, id, strlen(id)) %
		QDB_RENDER_CACHE;
	qdb_quote *q = s->cache[h];
	if (q && q->id.ptr && !strcmp(q->id.ptr, id)) {
		*out = q;
		return 0;
	}
	int rc = qdb_quote_get(&q, s->db, id);
	if (rc)
		return rc;
	qdb_quote_free(s->cache[h]);
	s->cache[h] = q;
	*out = q;
	return 0;
}

static void cache_free(scan *s)
{
	for (size_t i = 0; i < QDB_RENDER_CACHE; i++)
		qdb_quote_free(s->cache[i]);
}

static int scan_fail(scan *s, int code, long line, long col,
		     const char *fmt, const char *id)
{
	qdb_error *e = s->err, local;
	if (!e)
		e = &local;
	qdb__error_set(e, code, fmt, id);
	snprintf(e->file, sizeof e->file, "%s", s->name);
	e->line = (int)line;
	e->column = (int)col;
	if (s->db)
		qdb__error_to_db(s->db, e);
	return code;
}

/* Text of the manuscript, passed through. */
static void text(scan *s, const char *p, size_t n)
{
	if (!n || !s->render)
		return;
	if (s->after_block) {
		/* what follows a block on its line starts a paragraph */
		if (p[0] != '\n')
			put(&s->o, "\n", 1);
		s->after_block = 0;
	}
	put(&s->o, p, n);
	s->line_has_text = p[n - 1] != '\n';
}

/* A complete marker: s->marker holds what is between {{q: and }}. */
static int marker(scan *s)
{
	char *id = s->marker;
	size_t len = s->mlen;
	int block = 0, added, rc;
	if (len >= 6 && memcmp(id + len - 6, "|block", 6) == 0) {
		block = 1;
		len -= 6;
	}
	id[len] = '\0';
	if (len == 0)
		return scan_fail(s, QDB_EINVALID, s->mline, s->mcol,
				 "empty id in {{q:%s}}", "");
	if (memchr(id, '\0', len))
		return scan_fail(s, QDB_EINVALID, s->mline, s->mcol,
				 "a NUL byte in a marker%s", "");
	if ((rc = idset_add(&s->cited, id, len, &added)))
		return scan_fail(s, rc, s->mline, s->mcol,
				 "out of memory%s", "");
	if (!s->render)
		return 0;
	const qdb_quote *q = NULL;
	rc = lookup(&q, s, id);
	if (rc == QDB_ENOTFOUND)
		return scan_fail(s, rc, s->mline, s->mcol,
				 "unknown quote id '%s'", id);
	if (rc)
		return scan_fail(s, rc, s->mline, s->mcol, "%s",
				 qdb_errmsg(s->db));
	if (block) {
		if (s->line_has_text)
			puts_(&s->o, "\n\n");
		if (s->after_block)
			puts_(&s->o, "\n");
		put_block(&s->o, s->opt->to, q);
		s->after_block = 1;
		s->line_has_text = 0;
	} else {
		if (s->after_block) {
			put(&s->o, "\n", 1);
			s->after_block = 0;
		}
		put_inline(&s->o, s->opt->to, q);
		s->line_has_text = 1;
	}
	return 0;
}

/*
 * Reads f to the end through the marker machine.  Outside a marker, runs
 * of text pass straight on; a '{' starts a possible "{{q:", whose bytes
 * wait in pend (match of them) until it is a marker or is not.  Inside
 * one, its bytes go to s->marker until "}}".
 */
static int scan_markers(scan *s, FILE *f)
{
	static const char prefix[] = "{{q:";
	char buf[BLOCK], pend[4];
	size_t n, match = 0;
	long pline = 0, pcol = 0;
	int in_marker = 0, rc;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		size_t start = 0;   /* the run of text not yet passed on */
		for (size_t i = 0; i < n; i++) {
			char c = buf[i];
			long line = s->line, col = s->col;
			if (c == '\n') {
				s->line++;
				s->col = 1;
			} else {
				s->col++;
			}
			if (!in_marker && match == 0 && c != '{')
				continue;   /* part of the run */
			if (!in_marker && match == 0) {
				text(s, buf + start, i - start);
				start = i + 1;
			}
			start = i + 1;
			if (in_marker) {
				if (c == '\n' || c == '\r')
					return scan_fail(s, QDB_EINVALID,
						s->mline, s->mcol, "{{q:%s "
						"without }} on its line", "");
				if (c == '}' && s->mlen &&
				    s->marker[s->mlen - 1] == '}') {
					s->mlen--;
					in_marker = 0;
					if ((rc = marker(s)))
						return rc;
				} else if (s->mlen == QDB_MARKER_MAX) {
					return scan_fail(s, QDB_EINVALID,
						s->mline, s->mcol, "a {{q:%s "
						"marker longer than 1024 "
						"bytes", "");
				} else {
					s->marker[s->mlen++] = c;
				}
			} else if (c == prefix[match]) {
				if (match == 0) {
					pline = line;
					pcol = col;
				}
				pend[match++] = c;
				if (match == 4) {
					in_marker = 1;
					s->mline = pline;
					s->mcol = pcol;
					s->mlen = 0;
					match = 0;
				}
			} else if (match == 2 && c == '{') {
				/* "{{{": the first is text, the last two
				 * may still start a marker */
				text(s, "{", 1);
				pcol++;
			} else {
				text(s, pend, match);
				match = 0;
				if (c == '{') {
					pend[match++] = c;
					pline = line;
					pcol = col;
				} else {
					text(s, &c, 1);
				}
			}
		}
		if (!in_marker && match == 0)
			text(s, buf + start, n - start);
	}
	if (ferror(f))
		return scan_fail(s, QDB_EIO, 0, 0, "cannot read: %s",
				 strerror(errno));
	if (in_marker)
		return scan_fail(s, QDB_EINVALID, s->mline, s->mcol,
				 "{{q:%s without }}", "");
	text(s, pend, match);
	return 0;
}

/* The cited quotes, in order of first citation. */
static int appendix(scan *s)
{
	qdb_render_format to = s->opt->to;
	out *o = &s->o;
	if (s->line_has_text)
		puts_(o, "\n");
	puts_(o, to == QDB_RENDER_MARKDOWN ? "\n## Quotations\n\n"
	      : to == QDB_RENDER_HTML ? "<section class=\"qdb-appendix\">\n"
	      "<h2>Quotations</h2>\n<ol>\n" : "\nQuotations\n\n");
	for (size_t i = 0; i < s->cited.n; i++) {
		const qdb_quote *q = NULL;
		int rc = lookup(&q, s, s->cited.v[i]);
		if (rc)
			return scan_fail(s, rc, 0, 0, "%s", qdb_errmsg(s->db));
		put_entry(o, to, q, i + 1);
	}
	if (to == QDB_RENDER_HTML)
		puts_(o, "</ol>\n</section>\n");
	return 0;
}

/* Opens path for reading ("-": standard input). */
static FILE *open_in(const char *path, qdb_error *err)
{
	if (!strcmp(path, "-"))
		return stdin;
	FILE *f = fopen(path, "rb");
	if (!f)
		qdb__error_set(err, errno == ENOENT ? QDB_ENOTFOUND : QDB_EIO,
			       "%s: cannot open: %s", path, strerror(errno));
	return f;
}

int qdb_render(qdb *db, const qdb_render_options *opt, const char *in_path,
	       const char *out_path, qdb_error *err)
{
	qdb_render_options o;
	qdb_error local;
	if (!err)
		err = &local;
	memset(err, 0, sizeof *err);
	if (!db || !in_path)
		return qdb__error_set(err, QDB_EINVALID, "no database or "
				      "manuscript");
	static const qdb_render_options defaults = QDB_RENDER_OPTIONS_INIT;
	if (!opt)
		opt = &defaults;
	int rc = qdb__versioned(&o, sizeof o, opt, opt->size, sizeof o,
				"qdb_render_options", err);
	if (rc)
		goto fail;
	if (o.to > QDB_RENDER_TEXT) {
		rc = qdb__error_set(err, QDB_EINVALID, "unknown render format "
				    "%d", (int)o.to);
		goto fail;
	}
	int to_stdout = !out_path || !strcmp(out_path, "-");
	char tmp[PATH_MAX] = "";
	FILE *in = open_in(in_path, err), *outf = NULL;
	if (!in) {
		rc = err->code;
		goto fail;
	}
	if (to_stdout) {
		outf = tmpfile();
	} else if (strlen(out_path) + 16 < sizeof tmp) {
		/* beside the target, so the rename stays on one file system */
		snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", out_path);
		int fd = mkstemp(tmp);
		mode_t mask = umask(0);
		umask(mask);
		if (fd >= 0 && fchmod(fd, 0666 & ~mask) == 0)
			outf = fdopen(fd, "wb");
		if (!outf && fd >= 0)
			close(fd);
	}
	if (!outf) {
		rc = qdb__error_set(err, QDB_EIO, "%s: cannot create a "
				    "temporary file: %s", to_stdout ?
				    "standard output" : out_path,
				    strerror(errno));
		if (in != stdin)
			fclose(in);
		if (*tmp)
			unlink(tmp);
		goto fail;
	}
	scan s = { .db = db, .opt = &o, .err = err, .render = 1,
		   .line = 1, .col = 1 };
	s.name = strcmp(in_path, "-") ? in_path : "<stdin>";
	s.o.f = outf;
	rc = scan_markers(&s, in);
	if (!rc && o.appendix)
		rc = appendix(&s);
	if (in != stdin)
		fclose(in);
	if (!rc && (fflush(outf) != 0 || s.o.failed))
		rc = qdb__error_set(err, QDB_EIO, "cannot write the output: "
				    "%s", strerror(errno));
	if (!rc && to_stdout) {
		/* only now, when all of it rendered, does anything go out */
		char buf[BLOCK];
		size_t n;
		rewind(outf);
		while ((n = fread(buf, 1, sizeof buf, outf)) > 0)
			if (fwrite(buf, 1, n, stdout) != n)
				break;
		if (ferror(outf) || fflush(stdout) != 0)
			rc = qdb__error_set(err, QDB_EIO, "cannot write to "
					    "standard output: %s",
					    strerror(errno));
	}
	if (!rc && !to_stdout && fsync(fileno(outf)) != 0)
		rc = qdb__error_set(err, QDB_EIO, "%s: cannot sync: %s",
				    out_path, strerror(errno));
	if (fclose(outf) != 0 && !rc)
		rc = qdb__error_set(err, QDB_EIO, "%s: cannot write: %s",
				    out_path ? out_path : "output",
				    strerror(errno));
	if (!rc && !to_stdout && rename(tmp, out_path) != 0)
		rc = qdb__error_set(err, QDB_EIO, "%s: cannot rename into "
				    "place: %s", out_path, strerror(errno));
	if (rc && *tmp)
		unlink(tmp);
	idset_free(&s.cited);
	cache_free(&s);
	if (!rc) {
		qdb__ok(db);
		return 0;
	}
fail:
	qdb__error_to_db(db, err);
	return rc;
}

/* The key of quotedb.sty back into an id: +HH is the byte HH. */
static int unkey(char *k, size_t *len)
{
	size_t o = 0;
	for (size_t i = 0; i < *len; i++) {
		unsigned v;
		if (k[i] == '+') {
			if (i + 2 >= *len)
				return -1;
			if (sscanf(k + i + 1, "%2x", &v) != 1 ||
			    !strchr("0123456789ABCDEF", k[i + 1]) ||
			    !strchr("0123456789ABCDEF", k[i + 2]))
				return -1;
			k[o++] = (char)v;
			i += 2;
		} else {
			k[o++] = k[i];
		}
	}
	*len = o;
	return 0;
}

/*
 * The keys quotedb.sty's commands cite in a .tex file, line by line (a
 * comment, from an unescaped % on, does not count).
 */
static int scan_tex(scan *s, FILE *f, qdb_id_cb cb, void *payload)
{
	static const char *const cmds[] = { "\\qdbquote", "\\qdbblockquote",
					    "\\qdbattrib" };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	while (!rc && (n = getline(&line, &cap, f)) >= 0) {
		s->line++;
		for (ssize_t i = 0; i < n; i++)
			if (line[i] == '%' && (i == 0 || line[i - 1] != '\\')) {
				line[i] = '\0';
				break;
			}
		for (char *p = line; !rc && (p = strstr(p, "\\qdb"));) {
			size_t k = 0;
			for (size_t c = 0; c < 3 && !k; c++)
				if (!strncmp(p, cmds[c], strlen(cmds[c])) &&
				    !((p[strlen(cmds[c])] | 32) >= 'a' &&
				      (p[strlen(cmds[c])] | 32) <= 'z'))
					k = strlen(cmds[c]);
			if (!k) {
				p += 4;
				continue;
			}
			long col = p - line + 1;
			p += k;
			while (*p == ' ')
				p++;
			if (*p == '[' && (p = strchr(p, ']')))
				p++;
			while (p && *p == ' ')
				p++;
			if (!p || *p != '{')
				continue;
			char *e = strchr(++p, '}');
			if (!e)
				continue;
			size_t len = (size_t)(e - p);
			if (unkey(p, &len))
				rc = scan_fail(s, QDB_EINVALID, s->line, col,
					       "a key with a bad +HH escape "
					       "%s", "");
			int added;
			if (!rc && (rc = idset_add(&s->cited, p, len, &added)))
				rc = scan_fail(s, rc, s->line, col,
					       "out of memory%s", "");
			if (!rc && added)
				rc = cb(s->cited.v[s->cited.n - 1], payload);
			p = e + 1;
		}
	}
	free(line);
	if (!rc && ferror(f))
		rc = scan_fail(s, QDB_EIO, 0, 0, "cannot read: %s",
			       strerror(errno));
	return rc;
}

int qdb_cited_foreach(const char *path, qdb_id_cb cb, void *payload,
		      qdb_error *err)
{
	qdb_error local;
	if (!err)
		err = &local;
	memset(err, 0, sizeof *err);
	if (!path || !cb)
		return qdb__error_set(err, QDB_EINVALID, "no manuscript");
	FILE *in = open_in(path, err);
	if (!in)
		return err->code;
	scan s = { .err = err, .line = 1, .col = 1 };
	s.name = strcmp(path, "-") ? path : "<stdin>";
	size_t n = strlen(path);
	int rc;
	if (n > 4 && !strcmp(path + n - 4, ".tex")) {
		s.line = 0;
		rc = scan_tex(&s, in, cb, payload);
	} else {
		rc = scan_markers(&s, in);
		for (size_t i = 0; !rc && i < s.cited.n; i++)
			rc = cb(s.cited.v[i], payload);
	}
	if (in != stdin)
		fclose(in);
	idset_free(&s.cited);
	return rc;
}
