/*
 * extract_yaml.c: qdb_extract's proposals written as a draft collection
 * in the YAML format of docs/format.md (qdb_extract_yaml).
 *
 * Written by hand rather than through libyaml's emitter because the
 * draft is mostly comments (the evidence of each entry, the scare quotes
 * left out), which the emitter cannot write.  Every value is a
 * double-quoted scalar with the escapes YAML 1.1 and 1.2 readers agree
 * on, so no reader retypes one and the text reads back byte for byte.
 *
 * The speakers: section comes before the quotes and lists the aliases
 * the text used, so the proposals are gathered first: a few hundred
 * bytes each besides the text, which the caller holds anyway.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct prop {
	qdb_proposal_kind kind;
	size_t off, len;
	int line, column, para, para_last, block, confidence;
	/* offsets into the writer's string pool; (size_t)-1 when absent */
	size_t speaker, speaker_as, role, outlet, date, date_text, evidence;
} prop;

typedef struct gather {
	prop *v;
	size_t n, cap;
	qdb_buf pool;
	qdb_extract_warn_cb warn;   /* the caller's, with its payload */
	void *payload;
} gather;

#define NONE ((size_t)-1)

static size_t keep(gather *g, qdb_str s)
{
	if (!s.ptr)
		return NONE;
	size_t at = g->pool.len;
	qdb__buf_add(&g->pool, s.ptr, s.len);
	qdb__buf_add(&g->pool, "", 1);   /* the NUL, kept */
	return at;
}

static int pass_warning(const qdb_error *w, void *payload)
{
	gather *g = payload;
	return g->warn(w, g->payload);
}

static int collect(const qdb_proposal *p, void *payload)
{
	gather *g = payload;
	if (g->n == g->cap) {
		size_t c = g->cap ? g->cap * 2 : 64;
		prop *v = realloc(g->v, c * sizeof *v);
		if (!v)
			return QDB_ENOMEM;
		g->v = v;
		g->cap = c;
	}
	prop *q = &g->v[g->n++];
	q->kind = p->kind;
	q->off = p->off;
	q->len = p->len;
	q->line = p->line;
	q->column = p->column;
	q->para = p->para;
	q->para_last = p->para_last;
	q->block = p->block;
	q->confidence = p->confidence;
	q->speaker = keep(g, p->speaker);
	q->speaker_as = keep(g, p->speaker_as);
	q->role = keep(g, p->role);
	q->outlet = keep(g, p->outlet);
	q->date = keep(g, p->date);
	q->date_text = keep(g, p->date_text);
	q->evidence = keep(g, p->evidence);
	return g->pool.failed ? QDB_ENOMEM : 0;
}

/* ---- writing --------------------------------------------------------- */

typedef struct out {
	qdb_buf b;
	qdb_write_fn write;
	void *payload;
	int failed;
} out;

static void flush(out *o)
{
	if (o->b.len && !o->failed && o->write(o->b.data, o->b.len,
					       o->payload))
		o->failed = QDB_EIO;
	o->b.len = 0;
}

static void put(out *o, const char *s, size_t n)
{
	qdb__buf_add(&o->b, s, n);
	if (o->b.len >= 65536)
		flush(o);
}

static void puts_(out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* s[0, n) as a double-quoted scalar.  A CR before LF is dropped (the
 * text of a CRLF file: white space is equal under docs/verify.md, and
 * a stored text may not hold a CR). */
static void put_quoted(out *o, const char *s, size_t n)
{
	put(o, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		size_t skip = 0;   /* bytes of a multi-byte character */
		char hex[8];
		if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c == '\n')
			esc = "\\n";
		else if (c == '\t')
			esc = "\\t";
		else if (c == '\r')
			esc = i + 1 < n && s[i + 1] == '\n' ? "" : "\\r";
		else if (c < 0x20 || c == 0x7f) {
			snprintf(hex, sizeof hex, "\\x%02X", c);
			esc = hex;
		} else if (c == 0xc2 && i + 1 < n &&
			   (unsigned char)s[i + 1] == 0x85) {
			esc = "\\N";   /* NEL: a line break to YAML */
			skip = 1;
		} else if (c == 0xe2 && i + 2 < n &&
			   (unsigned char)s[i + 1] == 0x80 &&
			   ((unsigned char)s[i + 2] == 0xa8 ||
			    (unsigned char)s[i + 2] == 0xa9)) {
			esc = (unsigned char)s[i + 2] == 0xa8 ? "\\L" : "\\P";
			skip = 2;
		} else if (c == 0xef && i + 2 < n &&
			   (unsigned char)s[i + 1] == 0xbb &&
			   (unsigned char)s[i + 2] == 0xbf) {
			esc = "\\uFEFF";
			skip = 2;
		}
		if (!esc) {
			run++;
			continue;
		}
		put(o, s + i - run, run);
		run = 0;
		puts_(o, esc);
		i += skip;
	}
	put(o, s + n - run, run);
	put(o, "\"", 1);
}

/* A comment's text: on one line, whatever it quotes. */
static void put_comment_text(out *o, const char *s, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != 0x7f) {
			run++;
			continue;
		}
		put(o, s + i - run, run);
		run = 0;
		put(o, " ", 1);
	}
	put(o, s + n - run, run);
}

static const char *str(const gather *g, size_t at)
{
	return at == NONE ? NULL : g->pool.data + at;
}

/* The id's surname: the last word of the speaker's name, lower case,
 * letters and digits only ("al-Aruri" gives "aruri"). */
static void surname(char *buf, size_t size, const char *name)
{
	const char *w = name ? strrchr(name, ' ') : NULL;
	w = w ? w + 1 : name;
	if (!w) {
		snprintf(buf, size, "quote");
		return;
	}
	if (!strncmp(w, "al-", 3) || !strncmp(w, "Al-", 3) ||
	    !strncmp(w, "el-", 3) || !strncmp(w, "El-", 3))
		w += 3;
	size_t n = 0;
	for (; *w && n + 1 < size; w++) {
		char c = *w;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			buf[n++] = c;
	}
	buf[n] = '\0';
	if (!n)
		snprintf(buf, size, "quote");
}

/* k of "pN-surname-k": one more than the entries before with the same
 * paragraph and surname. */
static int id_number(const gather *g, size_t upto, int para,
		     const char *sn, int kind)
{
	int k = 1;
	char buf[64];
	for (size_t i = 0; i < upto; i++) {
		const prop *p = &g->v[i];
		if (p->para != para || (int)p->kind != kind)
			continue;
		surname(buf, sizeof buf, kind == QDB_PROPOSAL_QUOTE
			? str(g, p->speaker) : NULL);
		if (!strcmp(buf, sn))
			k++;
	}
	return k;
}

static void put_field(out *o, const char *indent, const char *key,
		      const char *v)
{
	if (!v)
		return;
	puts_(o, indent);
	puts_(o, key);
	puts_(o, ": ");
	put_quoted(o, v, strlen(v));
	puts_(o, "\n");
}

static void write_entry(out *o, const gather *g, size_t i, const char *src)
{
	const prop *p = &g->v[i];
	char sn[64], id[96], loc[32], buf[160];
	int quote = p->kind == QDB_PROPOSAL_QUOTE;
	surname(sn, sizeof sn, quote ? str(g, p->speaker) : NULL);
	snprintf(id, sizeof id, "p%d-%s-%d", p->para, sn,
		 id_number(g, i, p->para, sn, (int)p->kind));
	if (p->para_last > p->para)
		snprintf(loc, sizeof loc, "paras. %d-%d", p->para,
			 p->para_last);
	else
		snprintf(loc, sizeof loc, "para. %d", p->para);
	const char *c = quote ? "" : "# ";
	if (quote) {
		snprintf(buf, sizeof buf, "  # line %d, column %d%s: "
			 "confidence %d: ", p->line, p->column,
			 p->block ? ", block quotation" : "", p->confidence);
		puts_(o, buf);
	} else {
		/* "# deniability? ..." */
		puts_(o, "  # ");
		size_t n = p->len < 60 ? p->len : 60;
		while (n < p->len && n > 0 &&
		       ((unsigned char)src[p->off + n] & 0xc0) == 0x80)
			n--;
		put_comment_text(o, src + p->off, n);
		puts_(o, n < p->len ? "…?" : "?");
		snprintf(buf, sizeof buf, " (line %d, column %d) left out: ",
			 p->line, p->column);
		puts_(o, buf);
	}
	const char *ev = str(g, p->evidence);
	if (ev)
		put_comment_text(o, ev, strlen(ev));
	puts_(o, "\n");
	char ind[16];
	snprintf(ind, sizeof ind, "  %s  ", c);
	puts_(o, "  ");
	puts_(o, c);
	puts_(o, "- id: ");
	put_quoted(o, id, strlen(id));
	puts_(o, "\n");
	puts_(o, ind);
	puts_(o, "text: ");
	put_quoted(o, src + p->off, p->len);
	puts_(o, "\n");
	if (quote) {
		put_field(o, ind, "speaker", str(g, p->speaker));
		put_field(o, ind, "role", str(g, p->role));
		put_field(o, ind, "date", str(g, p->date));
		put_field(o, ind, "date_text", str(g, p->date_text));
		put_field(o, ind, "outlet", str(g, p->outlet));
	} else {
		puts_(o, ind);
		puts_(o, "speaker: \"\"\n");
	}
	put_field(o, ind, "locator", loc);
}

/* Whether the name at g->v[i].speaker came before in a quote entry. */
static int seen_speaker(const gather *g, size_t i)
{
	const char *s = str(g, g->v[i].speaker);
	for (size_t k = 0; k < i; k++)
		if (g->v[k].kind == QDB_PROPOSAL_QUOTE &&
		    g->v[k].speaker != NONE &&
		    !strcmp(str(g, g->v[k].speaker), s))
			return 1;
	return 0;
}

static void write_speakers(out *o, const gather *g)
{
	int any = 0;
	for (size_t i = 0; i < g->n; i++) {
		const prop *p = &g->v[i];
		if (p->kind != QDB_PROPOSAL_QUOTE || p->speaker == NONE ||
		    seen_speaker(g, i))
			continue;
		const char *name = str(g, p->speaker);
		if (!any)
			puts_(o, "speakers:\n");
		any = 1;
		puts_(o, "  - name: ");
		put_quoted(o, name, strlen(name));
		puts_(o, "\n");
		/* The other forms the text used for them, once each. */
		int na = 0;
		for (size_t k = i; k < g->n; k++) {
			const prop *q = &g->v[k];
			if (q->kind != QDB_PROPOSAL_QUOTE ||
			    q->speaker_as == NONE ||
			    strcmp(str(g, q->speaker), name))
				continue;
			const char *as = str(g, q->speaker_as);
			int dup = 0;
			for (size_t j = i; j < k && !dup; j++) {
				const prop *r = &g->v[j];
				dup = r->kind == QDB_PROPOSAL_QUOTE &&
					r->speaker_as != NONE &&
					!strcmp(str(g, r->speaker), name) &&
					!strcmp(str(g, r->speaker_as), as);
			}
			if (dup)
				continue;
			puts_(o, na ? ", " : "    aliases: [");
			put_quoted(o, as, strlen(as));
			na++;
		}
		if (na)
			puts_(o, "]\n");
	}
}

int qdb_extract_yaml(const char *source, size_t len,
		     const char *source_file, const qdb_extract_options *opt,
		     qdb_write_fn write, void *payload, size_t *out_quotes,
		     size_t *out_scare, qdb_error *err)
{
	gather g;
	memset(&g, 0, sizeof g);
	if (out_quotes)
		*out_quotes = 0;
	if (out_scare)
		*out_scare = 0;
	if (!write)
		return qdb__error_set(err, QDB_EINVALID, "no write function");
	/* The warnings go to the caller's callback with its payload. */
	qdb_extract_options o2 = QDB_EXTRACT_OPTIONS_INIT;
	if (opt) {
		int rc = qdb__versioned(&o2, sizeof o2, opt, opt->size,
					QDB__SIZE_UPTO(qdb_extract_options,
						       warn),
					"qdb_extract_options", err);
		if (rc)
			return rc;
	}
	g.warn = o2.warn;
	g.payload = payload;
	if (o2.warn)
		o2.warn = pass_warning;
	int rc = qdb_extract(source, len, &o2, collect, &g, err);
	if (rc) {
		if (rc == QDB_ENOMEM)
			qdb__error_set(err, QDB_ENOMEM, "out of memory");
		free(g.v);
		qdb__buf_free(&g.pool);
		return rc;
	}
	size_t nq = 0, ns = 0;
	for (size_t i = 0; i < g.n; i++) {
		if (g.v[i].kind == QDB_PROPOSAL_QUOTE)
			nq++;
		else
			ns++;
	}
	out o;
	memset(&o, 0, sizeof o);
	o.write = write;
	o.payload = payload;
	char buf[256];
	puts_(&o, "# A draft collection written by `quotedb extract` ");
	puts_(&o, QDB_VERSION);
	puts_(&o, ".\n");
	snprintf(buf, sizeof buf, "# %zu quotation%s proposed, %zu scare "
		 "quote%s and names left out (commented).\n", nq,
		 nq == 1 ? "" : "s", ns, ns == 1 ? "" : "s");
	puts_(&o, buf);
	puts_(&o, "# Review each entry against its comment: the speaker, "
	      "date and role\n# are proposals.  Uncomment a left-out entry "
	      "that is a quotation and\n# give its speaker.  Then `quotedb "
	      "import` this file and `quotedb verify`.\n");
	puts_(&o, "source:\n");
	/* The title: a Markdown text's "# heading", else the file's name
	 * without its extension. */
	const char *title = NULL;
	size_t tl = 0;
	size_t h = 0;
	while (h < len && (source[h] == '\n' || source[h] == '\r' ||
			   source[h] == ' '))
		h++;
	if (h + 2 < len && source[h] == '#' && source[h + 1] == ' ') {
		size_t e = h + 2;
		while (e < len && source[e] != '\n' && source[e] != '\r')
			e++;
		while (e > h + 2 && (source[e - 1] == ' ' ||
				     source[e - 1] == '#'))
			e--;
		title = source + h + 2;
		tl = e - (h + 2);
	}
	if (!tl && source_file) {
		title = strrchr(source_file, '/');
		title = title ? title + 1 : source_file;
		const char *dot = strrchr(title, '.');
		tl = dot && dot > title ? (size_t)(dot - title) : strlen(title);
	}
	puts_(&o, "  title: ");
	if (tl)
		put_quoted(&o, title, tl);
	else
		puts_(&o, "\"Untitled source\"");
	puts_(&o, "\n");
	put_field(&o, "  ", "file", source_file);
	write_speakers(&o, &g);
	puts_(&o, nq || ns ? "quotes:\n" : "quotes: []\n");
	for (size_t i = 0; i < g.n; i++)
		write_entry(&o, &g, i, source);
	if (!nq && ns)
		puts_(&o, "  []\n");
	flush(&o);
	int failed = o.failed || o.b.failed || g.pool.failed;
	qdb__buf_free(&o.b);
	free(g.v);
	qdb__buf_free(&g.pool);
	if (failed)
		return qdb__error_set(err, o.failed ? QDB_EIO : QDB_ENOMEM,
				      o.failed ? "write failed"
				      : "out of memory");
	if (out_quotes)
		*out_quotes = nq;
	if (out_scare)
		*out_scare = ns;
	return 0;
}
