/*
 * import.c: reading the YAML files of docs/format.md into the store.
 *
 * The file is streamed through libyaml's event parser, one quote at a
 * time, inside one transaction: a bad record anywhere rolls the whole
 * import back.  Every scalar is taken as the string libyaml read, never
 * typed.  What YAML would silently change is refused with its line and
 * column: anchors and aliases, tags, merge keys, duplicate and unknown
 * keys, multi-line plain scalars (folded), a " #" after an unquoted text
 * (the rest becomes a comment), raw NEL, LS and PS (read as line breaks)
 * and CR LF line ends inside block scalars (turned into LF).
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

/* ---- the raw reader ----------------------------------------------- */

/* Where a '#' opened a comment after whitespace: kept for the few lines
 * the parser is behind the reader, to catch "text: a #b". */
#define HASH_RING 1024

typedef struct raw_reader {
	FILE *f;
	const unsigned char *mem;
	size_t memlen, mempos;
	size_t line, col;          /* 0-based, in characters like libyaml */
	size_t offset;
	unsigned char head[2];     /* the first two bytes, for a BOM */
	unsigned char prev1, prev2;
	/* first raw problem found: NEL/LS/PS */
	int bad;
	size_t bad_line, bad_col;
	const char *bad_what;
	/* lines holding a CR, as [first, last] runs */
	size_t (*cr)[2];
	size_t ncr, crcap;
	int oom;
	/* offset when the parser last produced an event, and whether it
	 * then read QDB_MAX_GAP bytes more without one (read refused) */
	size_t at_event;
	int gap;
	struct { size_t line, col; } hash[HASH_RING];
	size_t nhash;
	qdb__hash hash_all;        /* of every byte read (sync.c) */
} raw_reader;

static void note_cr(raw_reader *r)
{
	if (r->ncr && r->cr[r->ncr - 1][1] + 1 >= r->line) {
		r->cr[r->ncr - 1][1] = r->line;
		return;
	}
	if (r->ncr == r->crcap) {
		size_t cap = r->crcap ? r->crcap * 2 : 16;
		void *p = realloc(r->cr, cap * sizeof r->cr[0]);
		if (!p) {
			r->oom = 1;
			return;
		}
		r->cr = p;
		r->crcap = cap;
	}
	r->cr[r->ncr][0] = r->cr[r->ncr][1] = r->line;
	r->ncr++;
}

static int cr_within(const raw_reader *r, size_t first, size_t last)
{
	for (size_t i = 0; i < r->ncr; i++)
		if (r->cr[i][0] <= last && r->cr[i][1] >= first)
			return 1;
	return 0;
}

static int hash_after(const raw_reader *r, size_t line, size_t col)
{
	size_t n = r->nhash < HASH_RING ? r->nhash : HASH_RING;
	for (size_t i = 0; i < n; i++) {
		size_t k = (r->nhash - 1 - i) % HASH_RING;
		if (r->hash[k].line == line && r->hash[k].col >= col)
			return 1;
		if (r->hash[k].line < line)
			break;
	}
	return 0;
}

/* Characters from the start of p's line (which began at col0 characters
 * before p) up to p + i: every byte but UTF-8 continuation bytes. */
static size_t col_at(const unsigned char *p, size_t i, size_t col0)
{
	size_t col = col0;
	for (size_t j = 0; j < i; j++)
		col += (p[j] & 0xc0) != 0x80;
	return col;
}

/*
 * Watches the raw bytes libyaml is about to read for what it would change
 * silently.  Most bytes are none of these, so the loop only classifies
 * them; columns are counted when something is found, and at the end of
 * the buffer for the line that goes on into the next one.
 */
static void scan(raw_reader *r, const unsigned char *p, size_t n)
{
	static const unsigned char watch[256] = {
		['\n'] = 1, ['\r'] = 1, ['#'] = 1,
		[0x85] = 1, [0xa8] = 1, [0xa9] = 1,
	};
	for (size_t i = 0; r->offset + i < 2 && i < n; i++)
		r->head[r->offset + i] = p[i];
	const unsigned char *line = p;  /* where the current line is in p */
	size_t col0 = r->col;           /* its column at line */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (!watch[c])
			continue;
		unsigned char b1 = i >= 1 ? p[i - 1] : r->prev1;
		unsigned char b2 = i >= 2 ? p[i - 2]
			: i == 1 ? r->prev1 : r->prev2;
		const char *what = NULL;
		switch (c) {
		case '\n':
			r->line++;
			line = p + i + 1;
			col0 = 0;
			break;
		case '\r':
			note_cr(r);
			break;
		case '#': {
			size_t col = col_at(line, (size_t)(p + i - line), col0);
			/* A comment starts after a blank or a line start. */
			if (col == 0 || b1 == ' ' || b1 == '\t' || b1 == '\n') {
				size_t k = r->nhash++ % HASH_RING;
				r->hash[k].line = r->line;
				r->hash[k].col = col;
			}
			break;
		}
		case 0x85:
			if (b1 == 0xc2)
				what = "NEL (U+0085)";
			break;
		default: /* 0xa8, 0xa9 */
			if (b2 == 0xe2 && b1 == 0x80)
				what = c == 0xa8 ? "LINE SEPARATOR (U+2028)"
					: "PARAGRAPH SEPARATOR (U+2029)";
			break;
		}
		if (what && !r->bad) {
			/* The column of the character this byte ends. */
			size_t col = col_at(line, (size_t)(p + i - line), col0);
			r->bad = 1;
			r->bad_line = r->line;
			r->bad_col = col ? col - 1 : 0;
			r->bad_what = what;
		}
	}
	r->col = col_at(line, (size_t)(p + n - line), col0);
	if (n >= 2) {
		r->prev2 = p[n - 2];
		r->prev1 = p[n - 1];
	} else if (n == 1) {
		r->prev2 = r->prev1;
		r->prev1 = p[0];
	}
	r->offset += n;
}

static int read_handler(void *data, unsigned char *buf, size_t size,
			size_t *size_read)
{
	raw_reader *r = data;
	size_t n;
	if (r->offset - r->at_event > QDB_MAX_GAP) {
		r->gap = 1;
		return 0;
	}
	if (r->f) {
		n = fread(buf, 1, size, r->f);
		if (n == 0 && ferror(r->f))
			return 0;
	} else {
		n = r->memlen - r->mempos;
		if (n > size)
			n = size;
		memcpy(buf, r->mem + r->mempos, n);
		r->mempos += n;
	}
	scan(r, buf, n);
	qdb__hash_add(&r->hash_all, buf, n);
	*size_read = n;
	return 1;
}

/* ---- the parse ---------------------------------------------------- */

/* Offsets into the arena: the arena moves as it grows. */
typedef struct field {
	size_t off, len;
	int set;
	yaml_mark_t mark;          /* where the value starts, for messages */
} field;

/*
 * A quote's keys are the field table's (field.c), plus source: for a
 * source of its own; a source's keys are those of the table's source
 * fields.  Both lists are built from the table when a parse starts.
 */
#define MAX_KEYS 32
typedef struct keyset {
	const char *key[MAX_KEYS];
	const qdb_field *field[MAX_KEYS];   /* NULL: the source: mapping */
	int n;
} keyset;

static const char *const top_keys[] = {
	"source", "speakers", "outlets", "quotes"
};
/* role: a speaker's default role (parse_entities). */
static const char *const entity_keys[] = { "name", "aliases", "role",
					    "sort_as" };

/* A source: mapping's values, by index in the source keyset. */
typedef struct source_rec {
	qdb_buf arena;
	field f[MAX_KEYS];
} source_rec;

/*
 * One quote as read, before it is stored: its strings and where each
 * one starts in the file.  The reader fills one, the writer stores it
 * (with threads, each slot of the queue is one).
 */
typedef struct qrec {
	qdb_buf arena;             /* the quote's strings */
	field qf[MAX_KEYS];        /* by index in quote_keys */
	field tags[QDB_MAX_TAGS];
	size_t ntags;
	source_rec source;         /* its own source:, when own_source */
	int own_source;
	yaml_mark_t start;
	long index;                /* in quotes:, for messages */
	size_t queued;             /* arena bytes the queue counted */
} qrec;

typedef struct parse {
	qdb *db;
	const char *name;
	yaml_parser_t parser;
	raw_reader raw;
	yaml_event_t ev;
	int have_ev;
	qdb_error *err;
	qdb_import_stats *stats;
	qdb__import_hooks *hooks;
	source_rec file_source;
	keyset quote_keys, source_keys, default_keys;
	/* The file's source: defaults:, by index in quote_keys; and the
	 * roles its speakers: entries give, by speaker. */
	source_rec defaults;
	struct role { sqlite3_int64 speaker; field f; } *roles;
	size_t nroles, rolecap;
	qdb_buf role_arena;
	qrec *r;                   /* the quote being read or stored */
	qrec rec;                  /* r without threads */
	long quote_index;
} parse;

/* Fills the error with the event's position and returns code. */
static int fail_at(parse *p, const yaml_mark_t *m, const char *field,
		   int code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail_at(parse *p, const yaml_mark_t *m, const char *field,
		   int code, const char *fmt, ...)
{
	qdb_error *e = p->err;
	if (e->code)
		return e->code;   /* the first error is the one to fix */
	snprintf(e->file, sizeof e->file, "%s", p->name);
	e->line = m ? (int)m->line + 1 : 0;
	e->column = m ? (int)m->column + 1 : 0;
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	qdb__error_vset(e, code, fmt, ap);
	va_end(ap);
	return code;
}

/* Line and column of a byte offset, for reader errors libyaml reports
 * only as an offset: read the start of the input again. */
static void offset_position(parse *p, size_t off, yaml_mark_t *m)
{
	size_t line = 0, col = 0, done = 0;
	unsigned char buf[4096];
	if (p->raw.f)
		rewind(p->raw.f);
	while (done < off) {
		size_t want = off - done < sizeof buf ? off - done : sizeof buf;
		size_t n;
		const unsigned char *b;
		if (p->raw.f) {
			n = fread(buf, 1, want, p->raw.f);
			b = buf;
		} else {
			n = want;
			b = p->raw.mem + done;
		}
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			if (b[i] == '\n') {
				line++;
				col = 0;
			} else if ((b[i] & 0xc0) != 0x80) {
				col++;
			}
		}
		done += n;
	}
	memset(m, 0, sizeof *m);
	m->line = line;
	m->column = col;
}

static int syntax_error(parse *p)
{
	yaml_parser_t *y = &p->parser;
	yaml_mark_t m = y->problem_mark;
	if (y->error == YAML_READER_ERROR) {
		offset_position(p, y->problem_offset, &m);
		/* The BOM is the first thing libyaml trips on, in a file as
		 * in a buffer. */
		const unsigned char *h = p->raw.head;
		if (y->problem_offset == 0 && p->raw.offset >= 2 &&
		    ((h[0] == 0xff && h[1] == 0xfe) ||
		     (h[0] == 0xfe && h[1] == 0xff)))
			return fail_at(p, &m, NULL, QDB_EINVALID, "the file is "
				       "UTF-16; save it as UTF-8");
		if (y->problem && strstr(y->problem, "control character"))
			return fail_at(p, &m, NULL, QDB_EINVALID, "the control "
				       "character U+%04X is not allowed in a "
				       "YAML file", (unsigned)y->problem_value);
		if (y->problem_value >= 0 && y->problem_value <= 0xff)
			return fail_at(p, &m, NULL, QDB_EINVALID, "not UTF-8 "
				       "text: %s (byte 0x%02X); save the file "
				       "as UTF-8", y->problem ? y->problem
				       : "unreadable", y->problem_value);
		return fail_at(p, &m, NULL, QDB_EINVALID, "not UTF-8 text: %s; "
			       "save the file as UTF-8",
			       y->problem ? y->problem : "unreadable");
	}
	if (y->error == YAML_MEMORY_ERROR)
		return fail_at(p, NULL, NULL, QDB_ENOMEM, "out of memory");
	/* Where the construct began is often where the mistake is: the
	 * opening quote of a string that runs to the end of the file. */
	if (y->context)
		return fail_at(p, &m, NULL, QDB_EINVALID, "YAML syntax: %s %s "
			       "(started at line %zu, column %zu)",
			       y->problem ? y->problem : "error", y->context,
			       y->context_mark.line + 1,
			       y->context_mark.column + 1);
	return fail_at(p, &m, NULL, QDB_EINVALID, "YAML syntax: %s",
		       y->problem ? y->problem : "error");
}

static void release(parse *p)
{
	if (p->have_ev) {
		yaml_event_delete(&p->ev);
		p->have_ev = 0;
	}
}

/*
 * Moves to the next event and refuses what this format never uses,
 * wherever it appears.  field names the place for messages.
 */
static int next(parse *p, const char *field)
{
	yaml_mark_t last = p->have_ev ? p->ev.end_mark : (yaml_mark_t){ 0 };
	release(p);
	if (!yaml_parser_parse(&p->parser, &p->ev)) {
		if (p->raw.gap)
			return fail_at(p, &last, field, QDB_EINVALID, "no end "
				       "of a value or comment in %u MiB after "
				       "this point: values are limited to %u "
				       "bytes", QDB_MAX_GAP >> 20,
				       QDB_MAX_FIELD);
		return syntax_error(p);
	}
	p->have_ev = 1;
	p->raw.at_event = p->raw.offset;
	yaml_event_t *e = &p->ev;
	if (p->raw.bad) {
		yaml_mark_t m = { 0, p->raw.bad_line, p->raw.bad_col };
		return fail_at(p, &m, NULL, QDB_EINVALID, "raw %s: YAML reads it "
			       "as a line break; write it as an escape (\\N, "
			       "\\L, \\P) inside double quotes", p->raw.bad_what);
	}
	if (p->raw.oom)
		return fail_at(p, NULL, NULL, QDB_ENOMEM, "out of memory");
	const yaml_char_t *anchor = NULL, *tag = NULL;
	switch (e->type) {
	case YAML_ALIAS_EVENT:
		return fail_at(p, &e->start_mark, field, QDB_EINVALID, "aliases "
			       "(*%s) are not allowed; write the value out",
			       (const char *)e->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		anchor = e->data.scalar.anchor;
		tag = e->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = e->data.sequence_start.anchor;
		tag = e->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = e->data.mapping_start.anchor;
		tag = e->data.mapping_start.tag;
		break;
	default:
		break;
	}
	if (anchor)
		return fail_at(p, &e->start_mark, field, QDB_EINVALID, "anchors "
			       "(&%s) are not allowed", (const char *)anchor);
	if (tag) {
		const char *t = (const char *)tag;
		int ok = e->type == YAML_SCALAR_EVENT && (!strcmp(t, "!") ||
			!strcmp(t, YAML_STR_TAG));
		/* libyaml expands !!int to tag:yaml.org,2002:int; the message
		 * shows the tag as the file spells it. */
		static const char core[] = "tag:yaml.org,2002:";
		int short_form = !strncmp(t, core, sizeof core - 1);
		if (!ok)
			return fail_at(p, &e->start_mark, field, QDB_EINVALID,
				       "tag '%s%s' is not allowed; values are "
				       "plain strings", short_form ? "!!" : "",
				       short_form ? t + sizeof core - 1 : t);
	}
	return 0;
}

static const char *event_name(yaml_event_type_t t)
{
	switch (t) {
	case YAML_SCALAR_EVENT: return "a string";
	case YAML_SEQUENCE_START_EVENT: return "a list";
	case YAML_MAPPING_START_EVENT: return "a mapping";
	case YAML_DOCUMENT_START_EVENT: return "another document";
	default: return "the end";
	}
}

static int expect(parse *p, yaml_event_type_t t, const char *field,
		  const char *what)
{
	if (p->ev.type == t)
		return 0;
	return fail_at(p, &p->ev.start_mark, field, QDB_EINVALID,
		       "expected %s, found %s", what, event_name(p->ev.type));
}

/* Index of the key scalar in keys, or a refusal naming a near miss. */
static int key_index(parse *p, const char *const *keys, int n,
		     unsigned long *seen, const char *where)
{
	const char *k = (const char *)p->ev.data.scalar.value;
	size_t klen = p->ev.data.scalar.length;
	for (int i = 0; i < n; i++) {
		if (strlen(keys[i]) == klen && !memcmp(keys[i], k, klen)) {
			if (*seen & (1ul << i))
				return fail_at(p, &p->ev.start_mark, where,
					       QDB_EINVALID, "duplicate key "
					       "'%s'", keys[i]);
			*seen |= 1ul << i;
			return i;
		}
	}
	if (klen == 2 && !memcmp(k, "<<", 2))
		return fail_at(p, &p->ev.start_mark, where, QDB_EINVALID,
			       "merge keys (<<) are not allowed");
	const char *best = qdb_suggest(k, keys, (size_t)n, 2);
	if (best)
		return fail_at(p, &p->ev.start_mark, where, QDB_EINVALID,
			       "unknown key '%.*s' (did you mean '%s'?)",
			       (int)(klen > 64 ? 64 : klen), k, best);
	return fail_at(p, &p->ev.start_mark, where, QDB_EINVALID,
		       "unknown key '%.*s'", (int)(klen > 64 ? 64 : klen), k);
}

/* The quote keys and source keys, from the field table (see keyset). */
static void init_keys(parse *p)
{
	keyset *q = &p->quote_keys, *s = &p->source_keys;
	q->n = s->n = 0;
	for (size_t i = 0; i < qdb__nfields; i++) {
		const qdb_field *f = &qdb__fields[i];
		keyset *k = f->flags & QDB_FIELD_SOURCE ? s : q;
		k->key[k->n] = qdb__field_yaml_key(f);
		k->field[k->n++] = f;
	}
	q->key[q->n] = "source";
	q->field[q->n++] = NULL;
	/* After the last source key, for key_index only: the file's
	 * source: may carry defaults: (parse_source). */
	s->key[s->n] = "defaults";
	keyset *d = &p->default_keys;
	d->n = 0;
	for (int i = 0; i < q->n; i++)
		if (q->field[i] && (q->field[i]->flags & QDB_FIELD_DEFAULT)) {
			d->key[d->n] = q->key[i];
			d->field[d->n++] = q->field[i];
		}
}

/* Index in quote_keys of f. */
static int quote_key_of(const parse *p, const qdb_field *f)
{
	for (int k = 0; k < p->quote_keys.n; k++)
		if (p->quote_keys.field[k] == f)
			return k;
	return -1;
}

/* defaults: { date: ..., outlet: ... } into p->defaults, by index in
 * quote_keys.  Only the fields marked QDB_FIELD_DEFAULT. */
static int take_string(parse *p, qdb_buf *arena, field *f, const char *where,
		       int is_text);
static void path_key(char *buf, size_t cap, size_t wlen, const char *key);

static int parse_defaults(parse *p, const char *where)
{
	const keyset *keys = &p->default_keys;
	int rc;
	if ((rc = expect(p, YAML_MAPPING_START_EVENT, where, "a mapping of "
			 "quote fields")))
		return rc;
	unsigned long seen = 0;
	char fname[64];
	size_t wlen = strlen(where);
	memcpy(fname, where, wlen + 1);
	for (;;) {
		if ((rc = next(p, where)))
			return rc;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if ((rc = expect(p, YAML_SCALAR_EVENT, where, "a key")))
			return rc;
		const char *name = (const char *)p->ev.data.scalar.value;
		const qdb_field *qf = qdb_field_find(name);
		if (qf && !(qf->flags & QDB_FIELD_DEFAULT) &&
		    !(qf->flags & QDB_FIELD_SOURCE)) {
			char list[256];
			size_t n = 0;
			for (int i = 0; i < keys->n && n < sizeof list; i++)
				n += (size_t)snprintf(list + n, sizeof list - n,
						      "%s%s", i ? ", " : "",
						      keys->key[i]);
			return fail_at(p, &p->ev.start_mark, where,
				       QDB_EINVALID, "'%s' is given quote by "
				       "quote, not as a default (defaults: "
				       "takes %s)", qf->key, list);
		}
		int k = key_index(p, keys->key, keys->n, &seen, where);
		if (k < 0)
			return k;
		int qk = quote_key_of(p, keys->field[k]);
		path_key(fname, sizeof fname, wlen, keys->key[k]);
		if ((rc = next(p, fname)) ||
		    (rc = take_string(p, &p->defaults.arena,
				      &p->defaults.f[qk], fname, 0)))
			return rc;
	}
}

/* Takes the current event as a string value: checks the traps and
 * copies it into arena. */
static int take_string(parse *p, qdb_buf *arena, field *f, const char *where,
		       int is_text)
{
	yaml_event_t *e = &p->ev;
	if (e->type != YAML_SCALAR_EVENT)
		return fail_at(p, &e->start_mark, where, QDB_EINVALID,
			       "expected a string, found %s",
			       event_name(e->type));
	yaml_scalar_style_t style = e->data.scalar.style;
	if (style == YAML_PLAIN_SCALAR_STYLE &&
	    e->end_mark.line != e->start_mark.line)
		return fail_at(p, &e->start_mark, where, QDB_EINVALID,
			       "an unquoted value over several lines is folded "
			       "into one by YAML; put it in double quotes");
	if (style == YAML_PLAIN_SCALAR_STYLE && is_text &&
	    hash_after(&p->raw, e->end_mark.line, e->end_mark.column))
		return fail_at(p, &e->start_mark, where, QDB_EINVALID,
			       "' #' in an unquoted text starts a comment and "
			       "cuts the text short; put it in double quotes");
	if ((style == YAML_LITERAL_SCALAR_STYLE ||
	     style == YAML_FOLDED_SCALAR_STYLE) &&
	    cr_within(&p->raw, e->start_mark.line, e->end_mark.line))
		return fail_at(p, &e->start_mark, where, QDB_EINVALID,
			       "CR LF line ends in a block scalar become LF; "
			       "save the file with LF line ends");
	size_t len = e->data.scalar.length;
	if (len > QDB_MAX_FIELD)
		return fail_at(p, &e->start_mark, where, QDB_EINVALID,
			       "value longer than %u bytes", QDB_MAX_FIELD);
	f->off = arena->len;
	f->len = len;
	f->set = 1;
	f->mark = e->start_mark;
	if (qdb__buf_add(arena, e->data.scalar.value, len) ||
	    qdb__buf_add(arena, "", 1))
		return fail_at(p, NULL, NULL, QDB_ENOMEM, "out of memory");
	return 0;
}

static qdb_str arena_str(const qdb_buf *a, const field *f)
{
	qdb_str s = { NULL, 0 };
	if (f->set) {
		s.ptr = a->data + f->off;
		s.len = f->len;
	}
	return s;
}

/* where.key into buf (where is buf's first wlen bytes already): done
 * for every key of every quote, so no printf. */
static void path_key(char *buf, size_t cap, size_t wlen, const char *key)
{
	size_t kl = strlen(key);
	if (wlen + 1 + kl + 1 > cap)
		kl = cap > wlen + 2 ? cap - wlen - 2 : 0;
	buf[wlen] = '.';
	memcpy(buf + wlen + 1, key, kl);
	buf[wlen + 1 + kl] = '\0';
}

/* source: { title: ..., ... } into rec. */
static int parse_source(parse *p, source_rec *rec, const char *where)
{
	const keyset *keys = &p->source_keys;
	int rc;
	rec->arena.len = 0;
	memset(rec->f, 0, sizeof rec->f);
	if ((rc = expect(p, YAML_MAPPING_START_EVENT, where, "a mapping")))
		return rc;
	yaml_mark_t start = p->ev.start_mark;
	unsigned long seen = 0;
	char fname[64];
	size_t wlen = strlen(where);
	if (wlen > sizeof fname - 16)
		wlen = sizeof fname - 16;
	memcpy(fname, where, wlen);
	for (;;) {
		if ((rc = next(p, where)))
			return rc;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if ((rc = expect(p, YAML_SCALAR_EVENT, where, "a key")))
			return rc;
		/* keys->n + 1: defaults: too (init_keys). */
		int k = key_index(p, keys->key, keys->n + 1, &seen, where);
		if (k < 0)
			return k;
		path_key(fname, sizeof fname, wlen, keys->key[k]);
		if ((rc = next(p, fname)))
			return rc;
		if (k == keys->n && rec != &p->file_source)
			return fail_at(p, &p->ev.start_mark, fname,
				       QDB_EINVALID, "defaults: belongs in "
				       "the file's source:");
		if (k == keys->n)
			rc = parse_defaults(p, fname);
		else
			rc = take_string(p, &rec->arena, &rec->f[k], fname, 0);
		if (rc)
			return rc;
	}
	for (int k = 0; k < keys->n; k++)
		if ((keys->field[k]->flags & QDB_FIELD_REQUIRED) &&
		    !rec->f[k].set)
			return fail_at(p, &start, where, QDB_EINVALID,
				       "a source needs a %s", keys->key[k]);
	return 0;
}

/* role: the role of speaker id in the file's quotes that leave it out. */
static int entity_role(parse *p, qdb_entity_kind kind, sqlite3_int64 id,
		       const char *where)
{
	char rf[80];
	snprintf(rf, sizeof rf, "%s.role", where);
	int rc = next(p, rf);
	if (rc)
		return rc;
	if (kind != QDB_SPEAKER)
		return fail_at(p, &p->ev.start_mark, rf, QDB_EINVALID,
			       "only a speaker has a role");
	if (p->nroles == p->rolecap) {
		size_t cap = p->rolecap ? p->rolecap * 2 : 16;
		void *n = realloc(p->roles, cap * sizeof *p->roles);
		if (!n)
			return fail_at(p, NULL, NULL, QDB_ENOMEM,
				       "out of memory");
		p->roles = n;
		p->rolecap = cap;
	}
	struct role *r = &p->roles[p->nroles];
	r->speaker = id;
	if ((rc = take_string(p, &p->role_arena, &r->f, rf, 0)))
		return rc;
	p->nroles++;
	return 0;
}

/* sort_as: the key speaker id sorts by ("Khamenei, Ali"); the last file
 * read that gives one sets it. */
static int entity_sort_as(parse *p, qdb_entity_kind kind, sqlite3_int64 id,
			  const char *where)
{
	char sf[80];
	snprintf(sf, sizeof sf, "%s.sort_as", where);
	int rc = next(p, sf);
	if (rc)
		return rc;
	if (kind != QDB_SPEAKER)
		return fail_at(p, &p->ev.start_mark, sf, QDB_EINVALID,
			       "only a speaker has a sort_as");
	qdb_buf b = { 0 };
	field f;
	if ((rc = take_string(p, &b, &f, sf, 0)) == 0) {
		qdb_str s = arena_str(&b, &f);
		qdb_error ve = { 0 };
		if (qdb__str_validate(s, "sort_as", 0, &ve))
			rc = fail_at(p, &p->ev.start_mark, sf, QDB_EINVALID,
				     "%s", ve.text);
		else if ((rc = qdb__speaker_set_sort_as(p->db, id, s.ptr,
							s.len)))
			rc = fail_at(p, &p->ev.start_mark, sf, rc, "%s",
				     qdb_errmsg(p->db));
	}
	qdb__buf_free(&b);
	return rc;
}

/* speakers: or outlets: a list of { name:, aliases: [...], role:,
 * sort_as: }. */
static int parse_entities(parse *p, qdb_entity_kind kind, const char *where)
{
	int rc;
	char fname[64];
	if ((rc = next(p, where)) ||
	    (rc = expect(p, YAML_SEQUENCE_START_EVENT, where, "a list")))
		return rc;
	for (long i = 0;; i++) {
		if ((rc = next(p, where)))
			return rc;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		snprintf(fname, sizeof fname, "%s[%ld]", where, i);
		if ((rc = expect(p, YAML_MAPPING_START_EVENT, fname,
				 "a mapping with name and aliases")))
			return rc;
		yaml_mark_t start = p->ev.start_mark;
		unsigned long seen = 0;
		sqlite3_int64 id = 0;
		int have_id = 0;
		qdb_buf names = { 0 };   /* aliases before the name: rare */
		for (;;) {
			if ((rc = next(p, fname)))
				break;
			if (p->ev.type == YAML_MAPPING_END_EVENT)
				break;
			if ((rc = expect(p, YAML_SCALAR_EVENT, fname, "a key")))
				break;
			int k = key_index(p, entity_keys, 4, &seen, fname);
			if ((rc = k < 0 ? k : 0))
				break;
			if (k == 0) {
				field f;
				char nf[80];
				snprintf(nf, sizeof nf, "%s.name", fname);
				if ((rc = next(p, nf)) ||
				    (rc = take_string(p, &names, &f, nf, 0)))
					break;
				qdb_str s = arena_str(&names, &f);
				qdb_error ve = { 0 };
				if (qdb__str_validate(s, "name", 0, &ve)) {
					rc = fail_at(p, &p->ev.start_mark, nf,
						     QDB_EINVALID, "%s", ve.text);
					break;
				}
				if ((rc = qdb__entity_ensure(&id, p->db, kind,
							     s.ptr, s.len))) {
					rc = fail_at(p, &p->ev.start_mark, nf, rc,
						     "%s", qdb_errmsg(p->db));
					break;
				}
				have_id = 1;
				names.len = 0;
				continue;
			}
			if (!have_id) {
				rc = fail_at(p, &p->ev.start_mark, fname,
					     QDB_EINVALID, "name: must come "
					     "before %s:", entity_keys[k]);
				break;
			}
			if (k == 2 || k == 3) {
				if ((rc = (k == 2 ? entity_role
					   : entity_sort_as)(p, kind, id,
							     fname)))
					break;
				continue;
			}
			char af[80];
			snprintf(af, sizeof af, "%s.aliases", fname);
			if ((rc = next(p, af)) ||
			    (rc = expect(p, YAML_SEQUENCE_START_EVENT, af,
					 "a list of names")))
				break;
			for (;;) {
				if ((rc = next(p, af)))
					break;
				if (p->ev.type == YAML_SEQUENCE_END_EVENT)
					break;
				field f;
				names.len = 0;
				if ((rc = take_string(p, &names, &f, af, 0)))
					break;
				qdb_str s = arena_str(&names, &f);
				qdb_error ve = { 0 };
				if (qdb__str_validate(s, "alias", 0, &ve)) {
					rc = fail_at(p, &p->ev.start_mark, af,
						     QDB_EINVALID, "%s", ve.text);
					break;
				}
				if ((rc = qdb__entity_add_alias(p->db, kind, id,
							s.ptr, s.len))) {
					rc = fail_at(p, &p->ev.start_mark, af, rc,
						     "%s", qdb_errmsg(p->db));
					break;
				}
			}
			if (rc)
				break;
		}
		qdb__buf_free(&names);
		if (rc)
			return rc;
		if (!have_id)
			return fail_at(p, &start, fname, QDB_EINVALID,
				       "an entry needs a name");
	}
}

/* Where the value qdb__quote_validate named in name starts, so that a
 * message points at the value rather than at the start of the quote. */
static void field_mark(const parse *p, const source_rec *src,
		       const char *name, yaml_mark_t *m)
{
	const field *f = NULL;
	size_t i;
	if (sscanf(name, "tags[%zu]", &i) == 1) {
		if (i < p->r->ntags)
			f = &p->r->tags[i];
	} else {
		const qdb_field *which = qdb_field_find(name);
		const keyset *k = which && (which->flags & QDB_FIELD_SOURCE)
			? &p->source_keys : &p->quote_keys;
		const field *vals = k == &p->source_keys ? src->f : p->r->qf;
		for (int j = 0; which && j < k->n; j++)
			if (k->field[j] == which)
				f = &vals[j];
	}
	if (f && f->set)
		*m = f->mark;
}

/* tags: a list of strings, into p->r->tags. */
static int parse_tags(parse *p, const char *fname)
{
	int rc;
	if ((rc = expect(p, YAML_SEQUENCE_START_EVENT, fname,
			 "a list of tags")))
		return rc;
	for (;;) {
		if ((rc = next(p, fname)))
			return rc;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (p->r->ntags == QDB_MAX_TAGS)
			return fail_at(p, &p->ev.start_mark, fname,
				       QDB_EINVALID, "more than %d tags",
				       QDB_MAX_TAGS);
		if ((rc = take_string(p, &p->r->arena,
				      &p->r->tags[p->r->ntags++], fname, 0)))
			return rc;
	}
}

/* Copies a default value from arena a into the quote's field k, with
 * the default's place for messages. */
static int copy_default(parse *p, int k, const qdb_buf *a, const field *d)
{
	field *f = &p->r->qf[k];
	f->off = p->r->arena.len;
	f->len = d->len;
	f->set = 1;
	f->mark = d->mark;
	if (qdb__buf_add(&p->r->arena, a->data + d->off, d->len) ||
	    qdb__buf_add(&p->r->arena, "", 1))
		return fail_at(p, NULL, NULL, QDB_ENOMEM, "out of memory");
	return 0;
}

/*
 * The fields the quote leaves out that the file's defaults: give, and
 * the role its speakers: entry gives its speaker.  Copied into the
 * quote's own arena: what is stored is the resolved value.
 */
static int apply_defaults(parse *p)
{
	int rc;
	int role = -1, speaker = -1;
	for (int k = 0; k < p->quote_keys.n; k++) {
		const qdb_field *f = p->quote_keys.field[k];
		if (!f)
			continue;
		if (f->offset == offsetof(qdb_quote, role))
			role = k;
		if (f->kind == QDB_FIELD_SPEAKER)
			speaker = k;
		if (!p->r->qf[k].set && p->defaults.f[k].set &&
		    (rc = copy_default(p, k, &p->defaults.arena,
				       &p->defaults.f[k])))
			return rc;
	}
	if (!p->nroles || role < 0 || speaker < 0 || p->r->qf[role].set ||
	    !p->r->qf[speaker].set)
		return 0;
	qdb_str name = arena_str(&p->r->arena, &p->r->qf[speaker]);
	sqlite3_int64 id;
	/* A bad name is left for validation to report. */
	if (qdb__str_validate(name, "speaker", 0, NULL) || !name.len ||
	    qdb__entity_ensure(&id, p->db, QDB_SPEAKER, name.ptr, name.len))
		return 0;
	for (size_t i = 0; i < p->nroles; i++)
		if (p->roles[i].speaker == id)
			return copy_default(p, role, &p->role_arena,
					    &p->roles[i].f);
	return 0;
}

/*
 * The speaker guard (qdb_warnings): a new speaker or outlet close to a
 * known one is a warning, or with strict an error, at its value.
 */
static int guard(parse *p, const char *where)
{
	qdb *db = p->db;
	if (!db->warn && !db->strict)
		return 0;
	for (int k = 0; k < p->quote_keys.n; k++) {
		const qdb_field *f = p->quote_keys.field[k];
		if (!f || (f->kind != QDB_FIELD_SPEAKER &&
			   f->kind != QDB_FIELD_OUTLET) || !p->r->qf[k].set)
			continue;
		qdb_str name = arena_str(&p->r->arena, &p->r->qf[k]);
		if (qdb__str_validate(name, f->key, 0, NULL) || !name.len)
			continue;   /* validation reports it */
		char near[256];
		int kind = f->kind == QDB_FIELD_SPEAKER ? QDB_SPEAKER
			: QDB_OUTLET;
		int rc = qdb__entity_near(near, sizeof near, db, kind,
					  name.ptr, name.len);
		if (rc < 0)
			return fail_at(p, NULL, NULL, rc, "%s", qdb_errmsg(db));
		if (!rc)
			continue;
		char full[64];
		snprintf(full, sizeof full, "%.40s.%.20s", where, f->key);
		if (db->strict)
			return fail_at(p, &p->r->qf[k].mark, full, QDB_EINVALID,
				       "new %s '%s' (did you mean '%s'? "
				       "declare it in %ss: to keep it)",
				       f->key, name.ptr, near, f->key);
		qdb_error w;
		memset(&w, 0, sizeof w);
		snprintf(w.file, sizeof w.file, "%s", p->name);
		w.line = (int)p->r->qf[k].mark.line + 1;
		w.column = (int)p->r->qf[k].mark.column + 1;
		snprintf(w.field, sizeof w.field, "%s", full);
		qdb__error_set(&w, 0, "new %s '%s' (did you mean '%s'?)",
			       f->key, name.ptr, near);
		db->warn(&w, db->warn_payload);
	}
	return 0;
}

/* Reads the quote at the current event into p->r: the reader's half,
 * which touches neither the database nor anything the writer reads. */
static int read_quote(parse *p)
{
	int rc;
	qrec *r = p->r;
	char where[48], fname[96];
	r->index = p->quote_index++;
	int wlen = snprintf(where, sizeof where, "quotes[%ld]", r->index);
	memcpy(fname, where, (size_t)wlen);
	if ((rc = expect(p, YAML_MAPPING_START_EVENT, where,
			 "a mapping with text and speaker")))
		return rc;
	r->start = p->ev.start_mark;
	r->arena.len = 0;
	memset(r->qf, 0, sizeof r->qf);
	r->ntags = 0;
	r->own_source = 0;
	unsigned long seen = 0;
	for (;;) {
		if ((rc = next(p, where)))
			return rc;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if ((rc = expect(p, YAML_SCALAR_EVENT, where, "a key")))
			return rc;
		const keyset *keys = &p->quote_keys;
		int k = key_index(p, keys->key, keys->n, &seen, where);
		if (k < 0)
			return k;
		const qdb_field *f = keys->field[k];
		path_key(fname, sizeof fname, (size_t)wlen, keys->key[k]);
		if ((rc = next(p, fname)))
			return rc;
		if (!f) {
			if ((rc = parse_source(p, &r->source, fname)))
				return rc;
			r->own_source = 1;
		} else if (f->kind == QDB_FIELD_TAGS) {
			if ((rc = parse_tags(p, fname)))
				return rc;
		} else {
			/* Only a text has the " #" check: in another plain
			 * value a comment after it is taken as one. */
			if ((rc = take_string(p, &r->arena, &r->qf[k], fname,
				f->offset == offsetof(qdb_quote, text))))
				return rc;
		}
	}
	return 0;
}

/* Stores the quote in p->r: the writer's half. */
static int store_quote(parse *p)
{
	int rc;
	qrec *r = p->r;
	char where[48];
	snprintf(where, sizeof where, "quotes[%ld]", r->index);
	int own_source = r->own_source;
	yaml_mark_t start = r->start;
	if ((rc = apply_defaults(p)) || (rc = guard(p, where)))
		return rc;

	/* The record, pointing into the arenas. */
	qdb_quote q = QDB_QUOTE_INIT;
	source_rec *src = own_source ? &r->source : &p->file_source;
	for (int k = 0; k < p->quote_keys.n; k++) {
		const qdb_field *f = p->quote_keys.field[k];
		if (f && f->kind != QDB_FIELD_TAGS)
			*(qdb_str *)(void *)((char *)&q + f->offset) =
				arena_str(&r->arena, &r->qf[k]);
	}
	for (int k = 0; k < p->source_keys.n; k++)
		*(qdb_str *)(void *)((char *)&q +
				     p->source_keys.field[k]->offset) =
			arena_str(&src->arena, &src->f[k]);
	qdb_str tags[QDB_MAX_TAGS];
	for (size_t i = 0; i < r->ntags; i++)
		tags[i] = arena_str(&r->arena, &r->tags[i]);
	q.tags = tags;
	q.ntags = r->ntags;

	qdb_error qe;
	memset(&qe, 0, sizeof qe);
	int what = 0;
	qdb__import_hooks *h = p->hooks;
	char *id = NULL;
	if (h) {
		yaml_mark_t m = start;
		field_mark(p, src, "id", &m);
		h->line = (int)m.line + 1;
		h->column = (int)m.column + 1;
	}
	rc = qdb__quote_put(p->db, &q, h ? &h->put : NULL, &what,
			    h && h->stored ? &id : NULL, &qe);
	if (!rc && h && h->stored)
		rc = h->stored(h, id, what, &qe);
	free(id);
	if (rc) {
		/* Point at the offending field's value when we know it. */
		yaml_mark_t m = start;
		char full[128];
		if (qe.field[0]) {
			field_mark(p, src, qe.field, &m);
			snprintf(full, sizeof full, "%s.%s", where, qe.field);
			if (!strncmp(qe.field, "source", 6) && !own_source)
				snprintf(full, sizeof full, "%s", qe.field);
		} else {
			snprintf(full, sizeof full, "%s", where);
		}
		return fail_at(p, &m, full, rc, "%s", qe.text);
	}
	p->stats->quotes_read++;
	if ((rc = qdb__progress_step(p->db, p->stats->quotes_read)) != 0)
		return fail_at(p, NULL, NULL, rc, "%s", qdb_errmsg(p->db));
	if (what == QDB__PUT_ADDED)
		p->stats->quotes_added++;
	else
		p->stats->quotes_same++;
	return 0;
}

/*
 * Forgets what one document said for its own quotes: its source:, the
 * defaults: in it and its speakers' roles.  The aliases it declared stay:
 * they are rows of the file's scope (db->scope), which is the file's, not
 * the document's.
 */
static void document_reset(parse *p)
{
	p->file_source.arena.len = 0;
	memset(p->file_source.f, 0, sizeof p->file_source.f);
	p->defaults.arena.len = 0;
	memset(p->defaults.f, 0, sizeof p->defaults.f);
	p->nroles = 0;
	p->role_arena.len = 0;
}

/* The list of quotes, one at a time in this thread: read, store. */
static int quotes_inline(parse *p)
{
	int rc;
	p->r = &p->rec;
	for (;;) {
		if ((rc = next(p, "quotes")))
			return rc;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if ((rc = read_quote(p)) || (rc = store_quote(p)))
			return rc;
	}
}

/*
 * With threads the list is a pipeline: a reader thread runs libyaml and
 * fills the slots of a queue with quotes as read (read_quote), while the
 * calling thread stores them (store_quote), the only one to touch the
 * database, the callbacks and the error the caller sees.  Slots are
 * stored in file order, so errors and warnings come out in file order:
 * the reader's error is told once every quote before it is stored, and
 * a store that fails stops the reader.  The queue holds at most QSLOTS
 * quotes and QBYTES of their strings (a quote larger alone passes): the
 * memory does not grow with the file.
 */
#define QSLOTS 64
#define QBYTES (4u << 20)

typedef struct queue {
	pthread_mutex_t mu;
	pthread_cond_t filled, freed;
	qrec slot[QSLOTS];
	size_t head, count;        /* the next to store; how many are read */
	size_t bytes;              /* arena bytes in the count slots */
	int end;                   /* the reader is done: rc, err */
	int rc;
	int stop;                  /* the writer failed: stop reading */
	qdb_error err;             /* the reader's */
	parse *reader;             /* the reader's state (the caller's p) */
	parse writer;              /* a copy of it for the writer's half */
} queue;

static void *reader_main(void *arg)
{
	queue *q = arg;
	parse *p = q->reader;
	int rc = 0;
	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (!q->stop && (q->count == QSLOTS ||
				    (q->count && q->bytes >= QBYTES)))
			pthread_cond_wait(&q->freed, &q->mu);
		int stop = q->stop;
		p->r = &q->slot[(q->head + q->count) % QSLOTS];
		pthread_mutex_unlock(&q->mu);
		if (stop || (rc = next(p, "quotes")) ||
		    p->ev.type == YAML_SEQUENCE_END_EVENT ||
		    (rc = read_quote(p)))
			break;
		pthread_mutex_lock(&q->mu);
		p->r->queued = p->r->arena.len + p->r->source.arena.len;
		q->bytes += p->r->queued;
		q->count++;
		pthread_cond_signal(&q->filled);
		pthread_mutex_unlock(&q->mu);
	}
	pthread_mutex_lock(&q->mu);
	q->end = 1;
	q->rc = rc;
	pthread_cond_signal(&q->filled);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* The writer's loop, in the calling thread: stores each slot the reader
 * fills until the reader is done or a store fails. */
static int writer_loop(queue *q)
{
	parse *w = &q->writer;
	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (!q->count && !q->end)
			pthread_cond_wait(&q->filled, &q->mu);
		if (!q->count) {
			pthread_mutex_unlock(&q->mu);
			return 0;
		}
		w->r = &q->slot[q->head];
		pthread_mutex_unlock(&q->mu);
		int rc = store_quote(w);
		/* A slot that held one very large quote gives its memory
		 * back rather than keep it for the rest of the file. */
		if (w->r->arena.cap > QDB_MAX_FIELD)
			qdb__buf_free(&w->r->arena);
		pthread_mutex_lock(&q->mu);
		q->head = (q->head + 1) % QSLOTS;
		q->count--;
		q->bytes -= w->r->queued;
		if (rc)
			q->stop = 1;
		pthread_cond_signal(&q->freed);
		pthread_mutex_unlock(&q->mu);
		if (rc)
			return rc;
	}
}

static void queue_free(queue *q)
{
	for (size_t i = 0; i < QSLOTS; i++) {
		qdb__buf_free(&q->slot[i].arena);
		qdb__buf_free(&q->slot[i].source.arena);
	}
	free(q);
}

/* The list of quotes after its opening event.  Without a thread (none
 * could be started), inline. */
static int read_quotes(parse *p)
{
	queue *q = calloc(1, sizeof *q);
	if (!q)
		return quotes_inline(p);
	if (pthread_mutex_init(&q->mu, NULL)) {
		free(q);
		return quotes_inline(p);
	}
	int ok = !pthread_cond_init(&q->filled, NULL);
	ok = ok && !pthread_cond_init(&q->freed, NULL);
	pthread_t th;
	qdb_error *err = p->err;
	q->reader = p;
	q->writer = *p;
	p->err = &q->err;
	if (!ok || pthread_create(&th, NULL, reader_main, q)) {
		p->err = err;
		if (ok) {
			pthread_cond_destroy(&q->freed);
			pthread_cond_destroy(&q->filled);
		}
		pthread_mutex_destroy(&q->mu);
		queue_free(q);
		return quotes_inline(p);
	}
	int rc = writer_loop(q);
	pthread_join(th, NULL);
	p->err = err;
	/* Everything before the reader's error is stored: now it is the
	 * first error of the file. */
	if (!rc && (rc = q->rc) != 0)
		*err = q->err;
	pthread_cond_destroy(&q->freed);
	pthread_cond_destroy(&q->filled);
	pthread_mutex_destroy(&q->mu);
	queue_free(q);
	return rc;
}

/* One document's mapping, from its first key to its end. */
static int parse_mapping(parse *p)
{
	int rc;
	if ((rc = expect(p, YAML_MAPPING_START_EVENT, NULL,
			 "a mapping with source:, speakers:, outlets:, "
			 "quotes:")))
		return rc;
	unsigned long seen = 0;
	int quotes_seen = 0;
	for (;;) {
		if ((rc = next(p, NULL)))
			return rc;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if ((rc = expect(p, YAML_SCALAR_EVENT, NULL, "a key")))
			return rc;
		int k = key_index(p, top_keys, 4, &seen, NULL);
		if (k < 0)
			return k;
		if (quotes_seen)
			return fail_at(p, &p->ev.start_mark, top_keys[k],
				       QDB_EINVALID, "must come before quotes: "
				       "(quotes are stored as they are read)");
		if (k == 0) {
			if ((rc = next(p, "source")) ||
			    (rc = parse_source(p, &p->file_source, "source")))
				return rc;
		} else if (k == 1 || k == 2) {
			if ((rc = parse_entities(p, k == 1 ? QDB_SPEAKER
						 : QDB_OUTLET, top_keys[k])))
				return rc;
		} else {
			quotes_seen = 1;
			if ((rc = next(p, "quotes")) ||
			    (rc = expect(p, YAML_SEQUENCE_START_EVENT, "quotes",
					 "a list of quotes")))
				return rc;
			if ((rc = read_quotes(p)))
				return rc;
		}
	}
}

/*
 * The stream: one document, or several separated by "---" (what the
 * yaml export writes, one per source).  Each document has its own
 * source:, defaults: and roles; quotes[N] counts on across documents, so
 * a message's line and column are what place it.
 */
static int parse_stream(parse *p)
{
	int rc;
	if ((rc = next(p, NULL)) ||
	    (rc = expect(p, YAML_STREAM_START_EVENT, NULL, "a stream")))
		return rc;
	if ((rc = next(p, NULL)))
		return rc;
	if (p->ev.type == YAML_STREAM_END_EVENT)
		return fail_at(p, &p->ev.start_mark, NULL, QDB_EINVALID,
			       "the file is empty; expected a mapping with "
			       "quotes:");
	while (p->ev.type != YAML_STREAM_END_EVENT) {
		document_reset(p);
		if ((rc = expect(p, YAML_DOCUMENT_START_EVENT, NULL,
				 "a document")) ||
		    (rc = next(p, NULL)) || (rc = parse_mapping(p)) ||
		    (rc = next(p, NULL)) ||
		    (rc = expect(p, YAML_DOCUMENT_END_EVENT, NULL,
				 "the end")) ||
		    (rc = next(p, NULL)))
			return rc;
	}
	return 0;
}

/* Parses one input into the open transaction. */
static int import_one(qdb *db, const char *name, FILE *f, const void *buf,
		      size_t len, qdb__import_hooks *hooks,
		      qdb_import_stats *stats, qdb_error *err)
{
	parse *p = calloc(1, sizeof *p);
	if (!p)
		return qdb__error_set(err, QDB_ENOMEM, "out of memory");
	p->db = db;
	p->name = name;
	p->err = err;
	p->stats = stats;
	p->hooks = hooks;
	qdb__hash_init(&p->raw.hash_all);
	init_keys(p);
	p->raw.f = f;
	p->raw.mem = buf;
	p->raw.memlen = len;
	int rc;
	if (!yaml_parser_initialize(&p->parser)) {
		free(p);
		return qdb__error_set(err, QDB_ENOMEM, "out of memory");
	}
	/* UTF-8 only: a UTF-16 file is refused rather than converted. */
	yaml_parser_set_encoding(&p->parser, YAML_UTF8_ENCODING);
	yaml_parser_set_input(&p->parser, read_handler, &p->raw);
	rc = parse_stream(p);
	if (hooks)
		hooks->hash = qdb__hash_end(&p->raw.hash_all);
	release(p);
	yaml_parser_delete(&p->parser);
	qdb__buf_free(&p->rec.arena);
	qdb__buf_free(&p->rec.source.arena);
	qdb__buf_free(&p->file_source.arena);
	qdb__buf_free(&p->defaults.arena);
	qdb__buf_free(&p->role_arena);
	free(p->roles);
	free(p->raw.cr);
	free(p);
	return rc;
}

static int import_path(qdb *db, const char *path, qdb_import_stats *stats,
		       qdb_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err->file, sizeof err->file, "%s", path);
		return qdb__error_set(err, errno == ENOENT ? QDB_ENOTFOUND
				      : QDB_EIO, "cannot open: %s",
				      strerror(errno));
	}
	qdb__import_hooks h = { 0 };
	int rc = qdb__file_row(&h.put.file, db, path, NULL);
	if (rc)
		*err = *qdb_last_error(db);
	qdb__scope_set(db, h.put.file);
	if (!rc)
		rc = import_one(db, path, f, NULL, 0, &h, stats, err);
	qdb__scope_set(db, 0);
	if (!rc && ferror(f)) {
		snprintf(err->file, sizeof err->file, "%s", path);
		rc = qdb__error_set(err, QDB_EIO, "read error");
	}
	fclose(f);
	return rc;
}

int qdb__import_stream(qdb *db, const char *name, FILE *f,
			qdb__import_hooks *hooks, qdb_import_stats *stats,
			qdb_error *err)
{
	return import_one(db, name, f, NULL, 0, hooks, stats, err);
}

int qdb__file_row(sqlite3_int64 *out, qdb *db, const char *path,
		  const char *hash)
{
	sqlite3_stmt *st;
	int rc = qdb__prepare(&st, db, "INSERT INTO files (path, hash) "
			      "VALUES (?1, ?2) ON CONFLICT (path) DO UPDATE "
			      "SET hash = ?2 RETURNING id");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	if (hash)
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		rc = qdb__fail_sql(db, "files");
	sqlite3_finalize(st);
	return rc;
}

static int yaml_name(const char *n)
{
	size_t l = strlen(n);
	if (n[0] == '.')
		return 0;
	return (l > 5 && !strcmp(n + l - 5, ".yaml")) ||
	       (l > 4 && !strcmp(n + l - 4, ".yml"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int qdb__yaml_files(char ***out, size_t *out_n, const char *dir,
		    qdb_error *err)
{
	*out = NULL;
	*out_n = 0;
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err->file, sizeof err->file, "%s", dir);
		return qdb__error_set(err, QDB_EIO, "cannot read directory: %s",
				      strerror(errno));
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!yaml_name(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = realloc(names, cap * sizeof *nn);
			if (!nn) {
				rc = qdb__error_set(err, QDB_ENOMEM, "out of memory");
				break;
			}
			names = nn;
		}
		size_t l = strlen(dir) + strlen(de->d_name) + 2;
		if (!(names[n] = malloc(l))) {
			rc = qdb__error_set(err, QDB_ENOMEM, "out of memory");
			break;
		}
		snprintf(names[n], l, "%s%s%s", dir,
			 dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name);
		n++;
	}
	closedir(d);
	if (rc) {
		qdb__yaml_files_free(names, n);
		return rc;
	}
	/* Regular files only, in name order. */
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			names[kept++] = names[i];
		else
			free(names[i]);
	}
	if (kept)
		qsort(names, kept, sizeof *names, cmp_str);
	*out = names;
	*out_n = kept;
	return 0;
}

void qdb__yaml_files_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The YAML files directly in dir, in name order. */
static int import_dir(qdb *db, const char *dir, qdb_import_stats *stats,
		      qdb_error *err)
{
	char **names;
	size_t n;
	int rc = qdb__yaml_files(&names, &n, dir, err);
	for (size_t i = 0; i < n && !rc; i++)
		rc = import_path(db, names[i], stats, err);
	qdb__yaml_files_free(names, n);
	return rc;
}

/*
 * An import binds only ids it has just read or written itself, in its own
 * write transaction: SQLite's foreign-key checks could only prove them
 * again, at three lookups per quote.  The pragma is a no-op inside a
 * transaction, so it is set before BEGIN and put back by finish().
 */
static int import_begin(qdb *db, qdb_error *err)
{
	int rc = qdb__exec(db, "PRAGMA foreign_keys = OFF");
	if (!rc && (rc = qdb__begin(db)) != 0)
		qdb__exec(db, "PRAGMA foreign_keys = ON");
	if (rc && err)
		*err = *qdb_last_error(db);
	return rc;
}

static int finish(qdb *db, int rc, qdb_error *err, qdb_error *mine,
		  qdb_import_stats *stats, const qdb_import_stats *before)
{
	if (rc) {
		qdb__rollback(db);
		if (stats)
			*stats = *before;
		qdb__error_to_db(db, mine);
	} else if ((rc = qdb__commit(db)) != 0) {
		if (stats)
			*stats = *before;
		*mine = *qdb_last_error(db);
	} else {
		qdb__ok(db);
	}
	/* Only fails on a closed handle: the data is settled either way. */
	sqlite3_exec(db->sql, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (err)
		*err = *mine;
	return rc;
}

/* Bytes of YAML that paths stand for (a directory: its YAML files). */
static off_t input_bytes(const char *const *paths, size_t n)
{
	off_t total = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) != 0)
			continue;
		if (S_ISREG(st.st_mode)) {
			total += st.st_size;
			continue;
		}
		DIR *d = S_ISDIR(st.st_mode) ? opendir(paths[i]) : NULL;
		struct dirent *de;
		while (d && (de = readdir(d)) != NULL) {
			char p[4096];
			snprintf(p, sizeof p, "%s/%s", paths[i], de->d_name);
			if (yaml_name(de->d_name) && stat(p, &st) == 0 &&
			    S_ISREG(st.st_mode))
				total += st.st_size;
		}
		if (d)
			closedir(d);
	}
	return total;
}

/*
 * Whether this import is large next to what the database holds: then the
 * secondary indexes are dropped and built again at the end, in the same
 * transaction, so a failure still leaves everything as it was.  Sorting
 * once beats keeping four indexes in random order row by row, which
 * makes a large import thrash the page cache (5 s instead of 9 s at 100k
 * quotes, and far more at a million).
 */
static int bulk(qdb *db, const char *const *paths, size_t n)
{
	struct stat st;
	off_t in = input_bytes(paths, n);
	off_t have = stat(db->path, &st) == 0 ? st.st_size : 0;
	return in >= (off_t)16 << 20 && in >= have / 8;
}

/*
 * The full-text index of a large import, built in bulk: the rows go in
 * without it (db->fts_after: the largest qid before the import), and it
 * learns them all at once at the end.  Into an empty index FTS5's own
 * 'rebuild' reads the table and writes the index in one pass (at 100k
 * quotes 0.9 s, where the same rows cost 1.3 s one INSERT at a time);
 * into a filled one, the new rows are handed over by one INSERT ...
 * SELECT, which spares each row its trip through a prepared statement.
 */
static int fts_defer(qdb *db)
{
	sqlite3_stmt *st;
	int rc = qdb__prepare(&st, db, "SELECT coalesce(max(qid), 0) "
			      "FROM quotes");
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		db->fts_after = sqlite3_column_int64(st, 0);
	else
		rc = qdb__fail_sql(db, "index");
	qdb__done(db, st);
	return rc;
}

/*
 * The full-text index of a large import into an empty one, built beside
 * the store: each row the store inserts is handed (db->fts_sink) through
 * a bounded queue to a builder thread that indexes it in a private
 * temporary database of its own, with the same FTS5 table; at the end
 * the index's tables (segments, term index, document sizes) are copied
 * into the store's empty ones, rows in key order.  Tokenizing, the
 * largest part of the index's cost, so runs on the second core while the
 * rows go in.  Should anything fail on the builder's side, the copy is
 * not made and the index is built by 'rebuild' instead: the same index,
 * one thread.
 */
#define FSLOTS 256

typedef struct fts_row {
	sqlite3_int64 qid;
	qdb_buf data;              /* text NUL context NUL */
	size_t tlen, clen;
	int has_ctx;
} fts_row;

typedef struct fts_builder {
	pthread_mutex_t mu;
	pthread_cond_t filled, freed;
	fts_row row[FSLOTS];
	size_t head, count;
	int end;                   /* no more rows */
	int failed;                /* the builder gave up: rebuild instead */
	sqlite3 *aux;
	sqlite3_stmt *ins;
	pthread_t th;
} fts_builder;

static const char fts_table[] = "CREATE VIRTUAL TABLE quotes_fts USING "
	"fts5(text, context, content='quotes', content_rowid='qid', "
	"tokenize='porter unicode61 remove_diacritics 2')";

static void *builder_main(void *arg)
{
	fts_builder *b = arg;
	for (;;) {
		pthread_mutex_lock(&b->mu);
		while (!b->count && !b->end)
			pthread_cond_wait(&b->filled, &b->mu);
		if (!b->count) {
			pthread_mutex_unlock(&b->mu);
			return NULL;
		}
		fts_row *r = &b->row[b->head];
		pthread_mutex_unlock(&b->mu);
		sqlite3_reset(b->ins);
		sqlite3_bind_int64(b->ins, 1, r->qid);
		sqlite3_bind_text(b->ins, 2, r->data.data, (int)r->tlen,
				  SQLITE_STATIC);
		if (r->has_ctx)
			sqlite3_bind_text(b->ins, 3, r->data.data + r->tlen + 1,
					  (int)r->clen, SQLITE_STATIC);
		else
			sqlite3_bind_null(b->ins, 3);
		int ok = sqlite3_step(b->ins) == SQLITE_DONE;
		pthread_mutex_lock(&b->mu);
		if (!ok)
			b->failed = 1;
		b->head = (b->head + 1) % FSLOTS;
		b->count--;
		pthread_cond_signal(&b->freed);
		pthread_mutex_unlock(&b->mu);
	}
}

/* db->fts_sink: queues a copy of the row for the builder.  Never fails
 * the import: a row it cannot queue makes the builder give up. */
static int builder_put(void *payload, sqlite3_int64 qid, qdb_str text,
		       qdb_str context)
{
	fts_builder *b = payload;
	pthread_mutex_lock(&b->mu);
	while (b->count == FSLOTS && !b->failed)
		pthread_cond_wait(&b->freed, &b->mu);
	int failed = b->failed;
	fts_row *r = &b->row[(b->head + b->count) % FSLOTS];
	pthread_mutex_unlock(&b->mu);
	if (failed)
		return 0;
	r->qid = qid;
	r->data.len = 0;
	r->tlen = text.len;
	r->clen = context.len;
	r->has_ctx = context.ptr != NULL;
	qdb__buf_add(&r->data, text.ptr, text.len);
	qdb__buf_add(&r->data, "", 1);
	if (context.ptr)
		qdb__buf_add(&r->data, context.ptr, context.len);
	qdb__buf_add(&r->data, "", 1);
	pthread_mutex_lock(&b->mu);
	if (r->data.failed)
		b->failed = 1;
	else
		b->count++;
	pthread_cond_signal(&b->filled);
	pthread_mutex_unlock(&b->mu);
	return 0;
}

/* Starts a builder for db, or returns NULL (then 'rebuild' at the end). */
static fts_builder *builder_start(qdb *db)
{
	/* Two connections at once need a thread-safe SQLite. */
	fts_builder *b = sqlite3_threadsafe() ? calloc(1, sizeof *b) : NULL;
	if (!b)
		return NULL;
	if (pthread_mutex_init(&b->mu, NULL)) {
		free(b);
		return NULL;
	}
	int ok = !pthread_cond_init(&b->filled, NULL);
	ok = ok && !pthread_cond_init(&b->freed, NULL);
	/* "": a private temporary file, deleted when closed. */
	ok = ok && sqlite3_open_v2("", &b->aux, SQLITE_OPEN_READWRITE |
				   SQLITE_OPEN_CREATE, NULL) == SQLITE_OK;
	ok = ok && sqlite3_exec(b->aux, "PRAGMA journal_mode = OFF;"
				"PRAGMA synchronous = OFF; BEGIN", NULL, NULL,
				NULL) == SQLITE_OK;
	ok = ok && sqlite3_exec(b->aux, fts_table, NULL, NULL, NULL)
		== SQLITE_OK;
	ok = ok && sqlite3_prepare_v2(b->aux, "INSERT INTO quotes_fts (rowid, "
				      "text, context) VALUES (?1, ?2, ?3)", -1,
				      &b->ins, NULL) == SQLITE_OK;
	ok = ok && !pthread_create(&b->th, NULL, builder_main, b);
	if (!ok) {
		sqlite3_finalize(b->ins);
		sqlite3_close(b->aux);
		pthread_cond_destroy(&b->freed);
		pthread_cond_destroy(&b->filled);
		pthread_mutex_destroy(&b->mu);
		free(b);
		return NULL;
	}
	db->fts_sink = builder_put;
	db->fts_payload = b;
	return b;
}

/* Copies table t of the builder's database into the store's, row by row
 * in key order; ncol columns.  1 when the builder's side fails (then
 * 'rebuild' makes the index), a negative code when the store's does. */
static int copy_table(qdb *db, sqlite3 *aux, const char *t, int ncol)
{
	char sql[128];
	snprintf(sql, sizeof sql, "DELETE FROM %s", t);
	int rc = qdb__exec(db, sql);
	if (rc)
		return rc;
	sqlite3_stmt *from = NULL, *to = NULL;
	snprintf(sql, sizeof sql, "SELECT * FROM %s", t);
	if (sqlite3_prepare_v2(aux, sql, -1, &from, NULL) != SQLITE_OK)
		return 1;
	snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (?%s)", t,
		 ncol == 3 ? ", ?, ?" : ", ?");
	if ((rc = qdb__prepare(&to, db, sql))) {
		sqlite3_finalize(from);
		return rc;
	}
	int s;
	while (!rc && (s = sqlite3_step(from)) == SQLITE_ROW) {
		sqlite3_reset(to);
		for (int i = 0; i < ncol; i++)
			sqlite3_bind_value(to, i + 1, sqlite3_column_value(from,
									  i));
		if (sqlite3_step(to) != SQLITE_DONE)
			rc = qdb__fail_sql(db, "index");
	}
	if (!rc && s != SQLITE_DONE)
		rc = 1;
	sqlite3_finalize(from);
	qdb__done(db, to);
	return rc;
}

/* Stops the builder; with copy, puts its index in the store (or, when it
 * gave up, builds it there).  Frees b. */
static int builder_finish(qdb *db, fts_builder *b, int copy)
{
	db->fts_sink = NULL;
	db->fts_payload = NULL;
	pthread_mutex_lock(&b->mu);
	b->end = 1;
	pthread_cond_signal(&b->filled);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->th, NULL);
	/* FTS5 writes the index's totals (the row of id 1) at the commit. */
	sqlite3_finalize(b->ins);
	b->ins = NULL;
	int rc = copy && (b->failed || sqlite3_exec(b->aux, "COMMIT", NULL,
						    NULL, NULL) != SQLITE_OK);
	/* Defensive mode keeps SQL away from an index's own tables; these
	 * statements, and the rows they copy, are this file's own. */
	sqlite3_db_config(db->sql, SQLITE_DBCONFIG_DEFENSIVE, 0, NULL);
	if (copy && !rc && !(rc = copy_table(db, b->aux, "quotes_fts_data", 2))
	    && !(rc = copy_table(db, b->aux, "quotes_fts_idx", 3)))
		rc = copy_table(db, b->aux, "quotes_fts_docsize", 2);
	sqlite3_db_config(db->sql, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	if (rc == 1)
		rc = qdb__exec(db, "INSERT INTO quotes_fts(quotes_fts) "
			       "VALUES ('rebuild')");
	sqlite3_finalize(b->ins);
	sqlite3_close(b->aux);
	for (size_t i = 0; i < FSLOTS; i++)
		qdb__buf_free(&b->row[i].data);
	pthread_cond_destroy(&b->freed);
	pthread_cond_destroy(&b->filled);
	pthread_mutex_destroy(&b->mu);
	free(b);
	return rc;
}

static int fts_bulk(qdb *db)
{
	char sql[160];
	if (db->fts_after == 0)
		return qdb__exec(db, "INSERT INTO quotes_fts(quotes_fts) "
				 "VALUES ('rebuild')");
	snprintf(sql, sizeof sql, "INSERT INTO quotes_fts (rowid, text, "
		 "context) SELECT qid, text, context FROM quotes WHERE qid "
		 "> %lld", (long long)db->fts_after);
	return qdb__exec(db, sql);
}

int qdb_import_paths(qdb *db, const char *const *paths, size_t n,
		     qdb_import_stats *stats, qdb_error *err)
{
	if (!db || (!paths && n))
		return QDB_EINVALID;
	qdb_import_stats local = QDB_IMPORT_STATS_INIT, before;
	if (stats && stats->size < sizeof *stats)
		return qdb__fail(db, QDB_EINVALID, "stats struct too short");
	qdb_import_stats *s = stats ? stats : &local;
	before = *s;
	qdb_error mine;
	memset(&mine, 0, sizeof mine);
	int rc = import_begin(db, err);
	if (rc)
		return rc;
	int rebuild = bulk(db, paths, n);
	if (rebuild && (rc = qdb__exec(db, qdb__quote_indexes_drop)) != 0)
		mine = *qdb_last_error(db);
	if (!rc && rebuild && (rc = fts_defer(db)) != 0)
		mine = *qdb_last_error(db);
	fts_builder *fb = !rc && rebuild && db->fts_after == 0
		? builder_start(db) : NULL;
	for (size_t i = 0; i < n && !rc; i++) {
		struct stat st;
		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
			rc = import_dir(db, paths[i], s, &mine);
		else
			rc = import_path(db, paths[i], s, &mine);
	}
	if (fb) {
		int brc = builder_finish(db, fb, !rc);
		if (!rc && (rc = brc) != 0)
			mine = *qdb_last_error(db);
	} else if (!rc && rebuild && (rc = fts_bulk(db)) != 0) {
		mine = *qdb_last_error(db);
	}
	db->fts_after = -1;
	if (!rc && rebuild && (rc = qdb__exec(db, qdb__quote_indexes)) != 0)
		mine = *qdb_last_error(db);
	/* What a file only declared (a speakers: entry without aliases
	 * or quotes) goes, as a sync would remove it. */
	if (!rc && (rc = qdb__gc(db)) != 0)
		mine = *qdb_last_error(db);
	return finish(db, rc, err, &mine, stats, &before);
}

int qdb_import_file(qdb *db, const char *path, qdb_import_stats *stats,
		    qdb_error *err)
{
	return qdb_import_paths(db, &path, 1, stats, err);
}

int qdb_import_buffer(qdb *db, const char *name, const void *buf, size_t len,
		      qdb_import_stats *stats, qdb_error *err)
{
	if (!db || (!buf && len))
		return QDB_EINVALID;
	qdb_import_stats local = QDB_IMPORT_STATS_INIT, before;
	if (stats && stats->size < sizeof *stats)
		return qdb__fail(db, QDB_EINVALID, "stats struct too short");
	qdb_import_stats *s = stats ? stats : &local;
	before = *s;
	qdb_error mine;
	memset(&mine, 0, sizeof mine);
	int rc = import_begin(db, err);
	if (rc)
		return rc;
	qdb__import_hooks h = { 0 };
	name = name ? name : "<buffer>";
	if ((rc = qdb__file_row(&h.put.file, db, name, NULL)) != 0)
		mine = *qdb_last_error(db);
	qdb__scope_set(db, h.put.file);
	if (!rc)
		rc = import_one(db, name, NULL, buf ? buf : "", len, &h, s,
				&mine);
	qdb__scope_set(db, 0);
	if (!rc && (rc = qdb__gc(db)) != 0)
		mine = *qdb_last_error(db);
	return finish(db, rc, err, &mine, stats, &before);
}
