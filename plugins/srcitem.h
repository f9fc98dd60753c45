/*
 * srcitem.h: one bibliography entry per source, shared by the csl-json and
 * biblatex plugins so that both describe a source the same way and give it
 * the same key.
 *
 * Streaming.  The plugins ask the host for QDB_SORT_SOURCE, so the quotes
 * of one source come together.  An item holds a copy of the current
 * source's fields and, for each quote field that can describe the source
 * (outlet, programme, occasion, date, speaker), the value the quotes have
 * in common: the first one seen and whether a later quote differs.  That
 * is a fixed number of strings, each as long as one field at most
 * (1 MiB), whatever the number of quotes; nothing per quote is kept.
 *
 * The rules, written once here (plugins/README.md repeats them):
 * - Same source: the same title, author, date, url and file.  A quote
 *   without a source is an item of its own.
 * - Key: the title's ASCII letters and digits, lowercased, other runs as
 *   one '-', at most 32 bytes ("source" when none is left), then '-' and 8
 *   hex digits of FNV-1a over the source's fields (over the quote's id, or
 *   text and speaker, for a quote without a source).  Stable from one
 *   export to the next, and only [a-z0-9-], which every tool takes.
 * - Type, from what the source's quotes have in common: an occasion
 *   containing "interview" is an interview; one containing speech,
 *   address, remarks, lecture, sermon, rally, briefing or press
 *   conference (any case) a speech; else a programme makes a broadcast; an
 *   outlet a newspaper article; a URL alone a web page; else an article.
 * - Title: the source's; for a quote without a source its programme, else
 *   its occasion, else its speaker.
 * - Author: the source's; when it has none and the item is a speech or an
 *   interview, or a quote without a source, the speaker its quotes share.
 * - Date: the source's; else the date its quotes share.
 *
 * Private to the plugins of this tree, like outbuf.h.
 */
#ifndef QDB_PLUGINS_SRCITEM_H
#define QDB_PLUGINS_SRCITEM_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"

/* A string the item owns; the buffer is reused from one item to the
 * next. */
typedef struct qdb_icopy {
	char *ptr;
	size_t len, cap;
	int set;
} qdb_icopy;

/* A value every quote of the item has: state 0 none seen yet, 1 all the
 * quotes that have the field agree on v, 2 they differ. */
typedef struct qdb_icommon {
	qdb_icopy v;
	int state;
} qdb_icommon;

enum {
	QDB_ITEM_ARTICLE, QDB_ITEM_NEWSPAPER, QDB_ITEM_INTERVIEW,
	QDB_ITEM_SPEECH, QDB_ITEM_BROADCAST, QDB_ITEM_WEBPAGE
};

enum { QDB_ISRC_TITLE, QDB_ISRC_AUTHOR, QDB_ISRC_DATE, QDB_ISRC_URL,
       QDB_ISRC_FILE, QDB_ISRC_N };

enum { QDB_ICOM_OUTLET, QDB_ICOM_PROGRAMME, QDB_ICOM_OCCASION,
       QDB_ICOM_DATE, QDB_ICOM_SPEAKER, QDB_ICOM_N };

typedef struct qdb_item {
	int open;              /* an item is under way */
	int sourceless;        /* it is one quote without a source */
	qdb_icopy src[QDB_ISRC_N];
	qdb_icommon com[QDB_ICOM_N];
	qdb_icopy title;       /* sourceless: the title made for it */
	unsigned long nquotes;
	char key[48];
} qdb_item;

static inline qdb_str qdb_item_str(const qdb_icopy *c)
{
	qdb_str s = { c->set ? c->ptr : NULL, c->set ? c->len : 0 };
	return s;
}

static inline int qdb_icopy_set(qdb_icopy *c, qdb_str s)
{
	c->set = s.ptr != NULL;
	if (!s.ptr)
		return 0;
	if (s.len + 1 > c->cap) {
		char *p = realloc(c->ptr, s.len + 1);
		if (!p)
			return QDB_ENOMEM;
		c->ptr = p;
		c->cap = s.len + 1;
	}
	memcpy(c->ptr, s.ptr, s.len);
	c->ptr[s.len] = '\0';
	c->len = s.len;
	return 0;
}

static inline int qdb_icopy_eq(const qdb_icopy *c, qdb_str s)
{
	if (!c->set || !s.ptr)
		return !c->set && !s.ptr;
	return c->len == s.len && memcmp(c->ptr, s.ptr, s.len) == 0;
}

/* The source fields of q, in the order of src[]. */
static inline void qdb_item_source_of(qdb_str out[QDB_ISRC_N],
				      const qdb_quote *q)
{
	out[QDB_ISRC_TITLE] = q->source;
	out[QDB_ISRC_AUTHOR] = q->source_author;
	out[QDB_ISRC_DATE] = q->source_date;
	out[QDB_ISRC_URL] = q->source_url;
	out[QDB_ISRC_FILE] = q->source_file;
}

/* Whether q belongs to the item under way. */
static inline int qdb_item_same(const qdb_item *it, const qdb_quote *q)
{
	qdb_str s[QDB_ISRC_N];
	if (!it->open || it->sourceless || !q->source.ptr)
		return 0;
	qdb_item_source_of(s, q);
	for (int i = 0; i < QDB_ISRC_N; i++)
		if (!qdb_icopy_eq(&it->src[i], s[i]))
			return 0;
	return 1;
}

static inline uint64_t qdb_item_fnv(uint64_t h, qdb_str s)
{
	/* the length first, so ("ab", "c") and ("a", "bc") differ, and an
	 * absent field from an empty one */
	char n[24];
	int k = snprintf(n, sizeof n, "%zd:", s.ptr ? (ptrdiff_t)s.len : -1);
	for (int i = 0; i < k; i++)
		h = (h ^ (unsigned char)n[i]) * 0x100000001b3ULL;
	for (size_t i = 0; s.ptr && i < s.len; i++)
		h = (h ^ (unsigned char)s.ptr[i]) * 0x100000001b3ULL;
	return h;
}

static inline void qdb_item_make_key(qdb_item *it, qdb_str title, uint64_t h)
{
	size_t n = 0;
	int dash = 0;
	for (size_t i = 0; title.ptr && i < title.len && n < 32; i++) {
		unsigned char c = (unsigned char)title.ptr[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && n > 0 && n < 31)
				it->key[n++] = '-';
			it->key[n++] = (char)c;
			dash = 0;
		} else {
			dash = 1;
		}
	}
	if (n == 0) {
		memcpy(it->key, it->sourceless ? "quote" : "source", 6);
		n = strlen(it->key);
	}
	snprintf(it->key + n, sizeof it->key - n, "-%08x",
		 (unsigned)((h >> 32) ^ (h & 0xffffffffu)));
}

/* Starts the item of q: copies its source (or makes the item of a quote
 * without one) and forgets what the last item's quotes had in common. */
static inline int qdb_item_start(qdb_item *it, const qdb_quote *q)
{
	qdb_str s[QDB_ISRC_N];
	uint64_t h = 0xcbf29ce484222325ULL;
	int rc = 0;
	qdb_item_source_of(s, q);
	it->open = 1;
	it->sourceless = q->source.ptr == NULL;
	it->nquotes = 0;
	for (int i = 0; i < QDB_ISRC_N && !rc; i++) {
		rc = qdb_icopy_set(&it->src[i], s[i]);
		h = qdb_item_fnv(h, s[i]);
	}
	for (int i = 0; i < QDB_ICOM_N; i++)
		it->com[i].state = 0;
	if (rc)
		return rc;
	if (it->sourceless) {
		qdb_str t = q->programme.ptr ? q->programme
			: q->occasion.ptr ? q->occasion : q->speaker;
		if ((rc = qdb_icopy_set(&it->title, t)))
			return rc;
		h = qdb_item_fnv(0xcbf29ce484222325ULL ^ 1, q->id);
		if (!q->id.ptr)
			h = qdb_item_fnv(qdb_item_fnv(h, q->text), q->speaker);
		qdb_item_make_key(it, t, h);
	} else {
		it->title.set = 0;
		qdb_item_make_key(it, q->source, h);
	}
	return 0;
}

/* Adds what q says about the item to what its quotes have in common. */
static inline int qdb_item_add(qdb_item *it, const qdb_quote *q)
{
	const qdb_str v[QDB_ICOM_N] = {
		[QDB_ICOM_OUTLET] = q->outlet,
		[QDB_ICOM_PROGRAMME] = q->programme,
		[QDB_ICOM_OCCASION] = q->occasion,
		[QDB_ICOM_DATE] = q->date,
		[QDB_ICOM_SPEAKER] = q->speaker,
	};
	it->nquotes++;
	for (int i = 0; i < QDB_ICOM_N; i++) {
		qdb_icommon *c = &it->com[i];
		if (!v[i].ptr || c->state == 2)
			continue;
		if (c->state == 0) {
			if (qdb_icopy_set(&c->v, v[i]))
				return QDB_ENOMEM;
			c->state = 1;
		} else if (!qdb_icopy_eq(&c->v, v[i])) {
			c->state = 2;
		}
	}
	return 0;
}

/* The value the item's quotes share for field i (QDB_ICOM_*), or absent. */
static inline qdb_str qdb_item_common(const qdb_item *it, int i)
{
	qdb_str none = { NULL, 0 };
	return it->com[i].state == 1 ? qdb_item_str(&it->com[i].v) : none;
}

/* Whether word occurs in s, ASCII letters compared without case. */
static inline int qdb_item_has_word(qdb_str s, const char *word)
{
	size_t k = strlen(word);
	for (size_t i = 0; s.ptr && i + k <= s.len; i++) {
		size_t j = 0;
		while (j < k) {
			char c = s.ptr[i + j];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c != word[j])
				break;
			j++;
		}
		if (j == k)
			return 1;
	}
	return 0;
}

static inline int qdb_item_type(const qdb_item *it)
{
	static const char *const speech[] = {
		"speech", "address", "remarks", "lecture", "sermon", "rally",
		"briefing", "press conference"
	};
	qdb_str occ = qdb_item_common(it, QDB_ICOM_OCCASION);
	if (qdb_item_has_word(occ, "interview"))
		return QDB_ITEM_INTERVIEW;
	for (size_t i = 0; i < sizeof speech / sizeof speech[0]; i++)
		if (qdb_item_has_word(occ, speech[i]))
			return QDB_ITEM_SPEECH;
	if (qdb_item_common(it, QDB_ICOM_PROGRAMME).ptr)
		return QDB_ITEM_BROADCAST;
	if (qdb_item_common(it, QDB_ICOM_OUTLET).ptr)
		return QDB_ITEM_NEWSPAPER;
	if (it->src[QDB_ISRC_URL].set)
		return QDB_ITEM_WEBPAGE;
	return QDB_ITEM_ARTICLE;
}

static inline qdb_str qdb_item_title(const qdb_item *it)
{
	return qdb_item_str(it->sourceless ? &it->title
			    : &it->src[QDB_ISRC_TITLE]);
}

static inline qdb_str qdb_item_author(const qdb_item *it)
{
	qdb_str none = { NULL, 0 };
	int type = qdb_item_type(it);
	if (it->src[QDB_ISRC_AUTHOR].set)
		return qdb_item_str(&it->src[QDB_ISRC_AUTHOR]);
	if (it->sourceless || type == QDB_ITEM_SPEECH ||
	    type == QDB_ITEM_INTERVIEW)
		return qdb_item_common(it, QDB_ICOM_SPEAKER);
	return none;
}

static inline qdb_str qdb_item_date(const qdb_item *it)
{
	if (it->src[QDB_ISRC_DATE].set)
		return qdb_item_str(&it->src[QDB_ISRC_DATE]);
	return qdb_item_common(it, QDB_ICOM_DATE);
}

static inline void qdb_item_free(qdb_item *it)
{
	for (int i = 0; i < QDB_ISRC_N; i++)
		free(it->src[i].ptr);
	for (int i = 0; i < QDB_ICOM_N; i++)
		free(it->com[i].v.ptr);
	free(it->title.ptr);
}

/*
 * A person's name, "Given Family": exactly two words, one space apart,
 * each starting with an uppercase ASCII letter or a non-ASCII character,
 * with no digit and none of & , . ( ) ' in them, the first not "The".
 * Anything else (organisations, "Gholam Ali Rashid", "al-Aruri", names
 * already written "Family, Given") is kept whole, as a literal name: a
 * literal is never wrong, a wrong split is.  1 and the two parts when it
 * is a person.
 */
static inline int qdb_item_person(qdb_str name, qdb_str *given,
				  qdb_str *family)
{
	const char *sp = name.ptr ? memchr(name.ptr, ' ', name.len) : NULL;
	if (!sp || sp == name.ptr || (size_t)(sp - name.ptr) + 1 >= name.len)
		return 0;
	qdb_str w[2] = { { name.ptr, (size_t)(sp - name.ptr) },
			 { sp + 1, name.len - (size_t)(sp - name.ptr) - 1 } };
	for (int i = 0; i < 2; i++) {
		unsigned char c = (unsigned char)w[i].ptr[0];
		if (!((c >= 'A' && c <= 'Z') || c >= 0x80))
			return 0;
		for (size_t j = 0; j < w[i].len; j++) {
			c = (unsigned char)w[i].ptr[j];
			if (c <= ' ' || (c >= '0' && c <= '9') ||
			    strchr("&,.()'\"{}\\", c))
				return 0;
		}
	}
	if (w[0].len == 3 && !memcmp(w[0].ptr, "The", 3))
		return 0;
	*given = w[0];
	*family = w[1];
	return 1;
}

/*
 * An EDTF date of the simple kinds both formats take as a date: a day,
 * month or year (YYYY, YYYY-MM, YYYY-MM-DD), with at most one qualifier
 * after it (~ approximate, ? uncertain, % both), or an interval A/B of
 * two such dates.  Anything else (unspecified digits, open ends) is not
 * simple; the plugins then write the date as text.
 */
typedef struct qdb_item_date_parts {
	int n;              /* 1 or 2 ends */
	int parts[2][3];    /* year, month, day */
	int nparts[2];      /* 1 to 3 */
	int circa;          /* ~ or % anywhere */
	int uncertain;      /* ? or % anywhere */
} qdb_item_date_parts;

static inline int qdb_item_date_end(qdb_item_date_parts *d, int e,
				    const char *p, size_t n)
{
	static const size_t lens[3] = { 4, 2, 2 };
	size_t i = 0;
	int k = 0;
	if (n > 0 && strchr("~?%", p[n - 1])) {
		if (p[n - 1] != '?')
			d->circa = 1;
		if (p[n - 1] != '~')
			d->uncertain = 1;
		n--;
	}
	while (k < 3) {
		int v = 0;
		if (k > 0) {
			if (i >= n || p[i] != '-')
				return 0;
			i++;
		}
		for (size_t j = 0; j < lens[k]; j++, i++) {
			if (i >= n || p[i] < '0' || p[i] > '9')
				return 0;
			v = v * 10 + (p[i] - '0');
		}
		d->parts[e][k++] = v;
		if (i == n)
			break;
	}
	if (i != n || (k > 1 && (d->parts[e][1] < 1 || d->parts[e][1] > 12)) ||
	    (k > 2 && (d->parts[e][2] < 1 || d->parts[e][2] > 31)))
		return 0;
	d->nparts[e] = k;
	return 1;
}

static inline int qdb_item_date_simple(qdb_item_date_parts *d, qdb_str s)
{
	memset(d, 0, sizeof *d);
	if (!s.ptr)
		return 0;
	const char *slash = memchr(s.ptr, '/', s.len);
	if (!slash) {
		d->n = 1;
		return qdb_item_date_end(d, 0, s.ptr, s.len);
	}
	d->n = 2;
	return qdb_item_date_end(d, 0, s.ptr, (size_t)(slash - s.ptr)) &&
	       qdb_item_date_end(d, 1, slash + 1,
				 s.len - (size_t)(slash - s.ptr) - 1);
}

#endif
